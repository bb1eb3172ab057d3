/* ldrqfail.dll: imports ldrqb.dll (initialized first) and refuses PROCESS_ATTACH: every
 * LoadLibrary of it fails with ERROR_DLL_INIT_FAILED and leaves nothing behind. */
#include <windows.h>

int __stdcall ldrqb_attached(void);

BOOL WINAPI DllMain(HINSTANCE self, DWORD reason, LPVOID reserved)
{
    (void)self; (void)reserved;
    return reason != DLL_PROCESS_ATTACH || ldrqb_attached() == 0;
}
