/* calls.exe: 100,000 calls of a trivial KERNEL32 function, for the builtin-call round-trip
 * benchmark. */
#include "guest.h"

void __stdcall start(void)
{
    DWORD i, acc = 0;
    for (i = 0; i < 100000; i++) acc += GetCurrentProcessId();
    check_u("calls", i);
    ExitProcess(acc == 0);
}
