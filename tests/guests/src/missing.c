/* missing.exe: calls a KERNEL32 function ntemu does not implement (GetVersion, which the CRT
 * work brings later), after printing a line: the run must stop with a message naming it. */
#include "guest.h"

void __stdcall start(void)
{
    put("before\n");
    ExitProcess(GetVersion() == 0 ? 1 : 2);
}
