/* ldrany.exe NAME [FLAGS]: LoadLibraryExA(NAME, NULL, FLAGS) and what came of it: whether it
 * loaded, the last error, whether ldr_add@8 is exported, which of ldrdll/ldrdep are loaded,
 * FreeLibrary. tests/loader.rs runs it on DONT_RESOLVE_DLL_REFERENCES and on damaged
 * copies of ldrdll.dll. */
#include "guest.h"

void __stdcall start(void)
{
    const char *line = GetCommandLineA();
    char name[MAX_PATH];
    DWORD flags = 0, n = 0;
    HMODULE h;

    while (*line && *line != ' ') line++;
    while (*line == ' ') line++;
    while (*line && *line != ' ' && n < MAX_PATH - 1) name[n++] = *line++;
    name[n] = 0;
    while (*line == ' ') line++;
    while (*line >= '0' && *line <= '9') flags = flags * 10 + (DWORD)(*line++ - '0');
    SetLastError(0);
    h = LoadLibraryExA(name, NULL, flags);
    check_u("loaded", h != NULL);
    check_u("error", GetLastError());
    check_u("ldrdll", GetModuleHandleA("ldrdll") != NULL);
    check_u("ldrdep", GetModuleHandleA("ldrdep") != NULL);
    if (h) {
        check_u("export", GetProcAddress(h, "ldr_add@8") != NULL);
        check_u("free", FreeLibrary(h));
    }
    ExitProcess(0);
}
