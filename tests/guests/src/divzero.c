/* divzero.exe: divides by zero; with no handler NT ends the process with
 * STATUS_INTEGER_DIVIDE_BY_ZERO (0xC0000094). */
#include "guest.h"

void __stdcall start(void)
{
    volatile int zero = 0;
    put("before\n");
    ExitProcess((UINT)(100 / zero));
}
