/* threadbench.exe: 2,000 round trips of CreateThread, the thread's exit, WaitForSingleObject
 * on it and CloseHandle, for benches/compare.sh (ntemu against Wine: thread round trips per
 * second). Exits 0 when every thread ran and returned its parameter. */
#include "guest.h"

static DWORD WINAPI echo(LPVOID p) { return (DWORD)(ULONG_PTR)p; }

void __stdcall start(void)
{
    DWORD i, code, failures = 0;
    for (i = 0; i < 2000; i++) {
        HANDLE t = CreateThread(NULL, 0, echo, (LPVOID)(ULONG_PTR)i, 0, NULL);
        code = ~i;
        if (!t || WaitForSingleObject(t, INFINITE) != WAIT_OBJECT_0
            || !GetExitCodeThread(t, &code) || code != i || !CloseHandle(t))
            failures++;
    }
    check_u("round-trips", i);
    check_u("failures", failures);
    ExitProcess(failures != 0);
}
