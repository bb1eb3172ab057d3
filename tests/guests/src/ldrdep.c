/* ldrdep.dll: imports ldrdll.dll, so loading it loads (or references) ldrdll.dll first. */
#include "guest.h"

int __stdcall ldr_add(int a, int b);

BOOL WINAPI DllMain(HINSTANCE self, DWORD reason, LPVOID reserved)
{
    (void)self; (void)reserved;
    put("ldrdep DllMain reason "); put_u(reason); put("\n");
    return TRUE;
}

int __stdcall ldrdep_twice(int x) { return ldr_add(x, x); }
