/* missing.exe: calls a KERNEL32 function nobody implements (NtemuNeverImplemented, from
 * missing.def's import library), after printing a line: the run must stop with a message
 * naming it. */
#include "guest.h"

__declspec(dllimport) DWORD WINAPI NtemuNeverImplemented(void);

void __stdcall start(void)
{
    put("before\n");
    ExitProcess(NtemuNeverImplemented() == 0 ? 1 : 2);
}
