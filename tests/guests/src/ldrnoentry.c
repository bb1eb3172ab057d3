/* Imports ldr_gone from ldrdll.dll, which does not export it (the import library comes
 * from ldrnoentry.def): the process ends before it runs with STATUS_ENTRYPOINT_NOT_FOUND. */
#include "guest.h"

int __stdcall ldr_gone(void);

void __stdcall start(void)
{
    put("must not run\n");
    ExitProcess(ldr_gone());
}
