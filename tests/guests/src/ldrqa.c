/* ldrqa.dll: imports ldrqb.dll; quiet (the loader's fault matrix, ldrfault.c). */
#include <windows.h>

int __stdcall ldrqb_attached(void);

BOOL WINAPI DllMain(HINSTANCE self, DWORD reason, LPVOID reserved)
{
    (void)self; (void)reason; (void)reserved;
    return TRUE;
}

int __stdcall ldrqa_value(void) { return 40 + ldrqb_attached(); }
