/* Static imports of DLLs from disk: ldrdll.dll and ldrdep.dll (which imports ldrdll.dll
 * too) are loaded before the program runs, their DllMains called (dependencies first,
 * lpReserved non-NULL) before its entry point. Expected: tests/guests/expected/ldrstatic.expected. */
#include "guest.h"

int __stdcall ldr_add(int a, int b);
int __stdcall ldr_attaches(void);
int __stdcall ldrdep_twice(int x);

void __stdcall start(void)
{
    HMODULE h = GetModuleHandleA("ldrdll");
    put("main\n");
    check_u("add", ldr_add(20, 22));
    check_u("twice", ldrdep_twice(8));
    check_u("attaches", ldr_attaches());
    check_x("ldrdll_base", (ULONG_PTR)h);
    check_u("ldrdep_loaded", GetModuleHandleA("ldrdep.dll") != NULL);
    /* A DLL loaded with the process stays: FreeLibrary succeeds and changes nothing. */
    check_u("free_static", FreeLibrary(h));
    check_u("still_loaded", GetModuleHandleA("ldrdll") == h);
    check_u("load_again", LoadLibraryA("ldrdll") == h);
    ExitProcess(0);
}
