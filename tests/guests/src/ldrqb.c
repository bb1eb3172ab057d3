/* ldrqb.dll: a quiet DLL for the loader's fault matrix (ldrfault.c); ldrqa.dll and
 * ldrqfail.dll import it. Built for the same base as ldrqa.dll, so one of them is
 * relocated. */
#include <windows.h>

static int attached;

BOOL WINAPI DllMain(HINSTANCE self, DWORD reason, LPVOID reserved)
{
    (void)self; (void)reserved;
    if (reason == DLL_PROCESS_ATTACH) attached++;
    if (reason == DLL_PROCESS_DETACH) attached--;
    return TRUE;
}

int __stdcall ldrqb_attached(void) { return attached; }
