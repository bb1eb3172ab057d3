/* heapbench.exe N: N times HeapAlloc of a small block (24 bytes) from the process heap and
 * HeapFree of it (benches/heap.rs times it against the host's malloc/free); prints how many
 * pairs succeeded. */
#include "guest.h"

void __stdcall start(void)
{
    const char *line = GetCommandLineA();
    HANDLE heap = GetProcessHeap();
    DWORD n = 0, i, ok = 0;

    while (*line && *line != ' ') line++;
    while (*line == ' ') line++;
    while (*line >= '0' && *line <= '9') n = n * 10 + (DWORD)(*line++ - '0');
    for (i = 0; i < n; i++) {
        void *p = HeapAlloc(heap, 0, 24);
        if (p && HeapFree(heap, 0, p)) ok++;
    }
    check_u("pairs", ok);
    ExitProcess(ok == n ? 0 : 1);
}
