/* Forwarded exports: imports fwd_add from ldrfwd.dll, which forwards it to ldrdll.dll
 * (loaded, with its DllMain, when the program starts); GetProcAddress follows forwarders
 * to builtins and to loaded DLLs. Expected: tests/guests/expected/ldrfwdmain.expected. */
#include "guest.h"

int __stdcall fwd_add(int a, int b);

void __stdcall start(void)
{
    HMODULE fwd = GetModuleHandleA("ldrfwd");
    HMODULE ldr = GetModuleHandleA("ldrdll");
    put("main\n");
    check_u("fwd_add", fwd_add(30, 12));
    check_u("ldrdll_loaded_by_forwarder", ldr != NULL);
    check_u("same_function", GetProcAddress(fwd, "fwd_add") == GetProcAddress(ldr, "ldr_add@8"));
    check_u("builtin_forward", GetProcAddress(fwd, "fwd_tick") == GetProcAddress(GetModuleHandleA("kernel32"), "GetTickCount"));
    check_u("own", ((int (__stdcall *)(void))GetProcAddress(fwd, "fwd_own@0"))());
    ExitProcess(0);
}
