/* Imports ldrfail.dll, whose DllMain refuses PROCESS_ATTACH: the process ends before its
 * entry point with STATUS_DLL_INIT_FAILED. */
#include "guest.h"

int __stdcall ldrfail_never(void);

void __stdcall start(void)
{
    put("must not run\n");
    ExitProcess(ldrfail_never());
}
