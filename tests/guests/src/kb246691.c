/* kb246691.exe: Microsoft KB Q246691's Performance Monitor check. 1,000 CreateRemoteThread
 * calls into a child process (while the emulator has a fault armed, each fails); the
 * caller's handle count before and after must not differ. Prints exactly one last line:
 * handle-count-delta=D failures=F */
#include "guest.h"

static DWORD WINAPI idle(LPVOID p) { return (DWORD)(ULONG_PTR)p; }

void __stdcall start(void)
{
    HANDLE marker, t;
    DWORD before = 0, after = 0, failures = 0;
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    int i;

    marker = OpenEventA(SYNCHRONIZE, FALSE, "ntemu-kb246691-parent");
    if (marker) {
        WaitForSingleObject(marker, INFINITE);
        ExitProcess(99);
    }
    marker = CreateEventA(NULL, TRUE, FALSE, "ntemu-kb246691-parent");
    for (i = 0; i < (int)sizeof si; i++) ((char *)&si)[i] = 0;
    si.cb = sizeof si;
    if (!CreateProcessA(NULL, "kb246691.exe", NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
        put("cannot start the child process\n");
        ExitProcess(1);
    }
    GetProcessHandleCount(GetCurrentProcess(), &before);
    for (i = 0; i < 1000; i++) {
        t = CreateRemoteThread(pi.hProcess, NULL, 0, idle, NULL, CREATE_SUSPENDED, NULL);
        if (t) {
            TerminateThread(t, 0);
            CloseHandle(t);
        } else {
            failures++;
        }
    }
    GetProcessHandleCount(GetCurrentProcess(), &after);
    TerminateProcess(pi.hProcess, 0);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    CloseHandle(marker);
    put("handle-count-delta=");
    put_i((long)after - (long)before);
    put(" failures=");
    put_u(failures);
    put("\n");
    ExitProcess(0);
}
