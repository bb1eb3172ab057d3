/* ldrthr.dll: says each DllMain call it gets, with lpReserved's NULL-ness (ldrthread.c). */
#include "guest.h"

BOOL WINAPI DllMain(HINSTANCE self, DWORD reason, LPVOID reserved)
{
    (void)self;
    put("ldrthr DllMain reason "); put_u(reason); put(reserved ? " reserved\n" : "\n");
    return TRUE;
}

int __stdcall ldrthr_nothing(void) { return 0; }
