/* ldrcpu.exe: LoadLibrary of an image of the other CPU (tests/loader.rs puts an Alpha
 * program beside it as alphadll.dll): ERROR_BAD_EXE_FORMAT, nothing loaded; as a data file
 * it maps. */
#include "guest.h"

void __stdcall start(void)
{
    HMODULE h;
    SetLastError(0);
    check_u("load", LoadLibraryA("alphadll") != NULL);
    check_u("load_error", GetLastError());
    check_u("not_loaded", GetModuleHandleA("alphadll") != NULL);
    h = LoadLibraryExA("alphadll.dll", NULL, LOAD_LIBRARY_AS_DATAFILE);
    check_u("datafile", h != NULL);
    check_u("free", FreeLibrary(h));
    ExitProcess(0);
}
