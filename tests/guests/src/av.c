/* av.exe: writes through a NULL pointer; with no handler, NT ends the process with
 * STATUS_ACCESS_VIOLATION (0xC0000005) as its exit code. */
#include "guest.h"

void __stdcall start(void)
{
    volatile int *p = (volatile int *)0;
    put("before\n");
    *p = 1;
    put("after\n");
    ExitProcess(0);
}
