/* ldrfail.dll: its DllMain refuses PROCESS_ATTACH, so LoadLibrary returns NULL with
 * ERROR_DLL_INIT_FAILED after calling it again for PROCESS_DETACH. */
#include "guest.h"

BOOL WINAPI DllMain(HINSTANCE self, DWORD reason, LPVOID reserved)
{
    (void)self; (void)reserved;
    put("ldrfail DllMain reason "); put_u(reason); put("\n");
    return reason != DLL_PROCESS_ATTACH;
}

int __stdcall ldrfail_never(void) { return 1; }
