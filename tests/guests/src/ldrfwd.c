/* ldrfwd.dll: forwarders (ldrfwd.def): fwd_tick to KERNEL32.GetTickCount (a builtin),
 * fwd_add to ldrdll.ldr_add@8 (a DLL from disk, loaded when ldrfwd.dll is bound). */
#include <windows.h>

BOOL WINAPI DllMain(HINSTANCE self, DWORD reason, LPVOID reserved)
{
    (void)self; (void)reason; (void)reserved;
    return TRUE;
}

int __stdcall fwd_own(void) { return 7; }
