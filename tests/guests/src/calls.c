/* calls.exe [N]: N (by default 100,000) calls of a trivial KERNEL32 function, for the
 * builtin-call round-trip benchmark (calls.exe 0 is its start-up alone). */
#include "guest.h"

void __stdcall start(void)
{
    const char *line = GetCommandLineA();
    DWORD i, n = 0, acc = 0;
    int given = 0;

    while (*line && *line != ' ') line++;
    while (*line == ' ') line++;
    while (*line >= '0' && *line <= '9') { n = n * 10 + (DWORD)(*line++ - '0'); given = 1; }
    if (!given) n = 100000;
    for (i = 0; i < n; i++) acc += GetCurrentProcessId();
    check_u("calls", i);
    ExitProcess(n != 0 && acc == 0);
}
