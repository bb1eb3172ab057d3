/* cross.exe (x86): starts alphachild.exe, an NT-for-Alpha program, reads the address of its
 * thread routine from the child's memory and creates an Alpha thread there with
 * CreateRemoteThread: a machine NT never was, holding an x86 and an Alpha process at once.
 * Then 100 more calls: with a fault point armed they all fail and leak nothing. */
#include "guest.h"

void __stdcall start(void)
{
    HANDLE marker, t;
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    DWORD routine = 0, got = 0, code = 0, before = 0, after = 0, failures = 0;
    int i;

    marker = CreateEventA(NULL, TRUE, FALSE, "ntemu-cross-parent");
    for (i = 0; i < (int)sizeof si; i++) ((char *)&si)[i] = 0;
    si.cb = sizeof si;
    check_u("create-alpha-process", CreateProcessA(NULL, "alphachild.exe", NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
    check_u("read-child-memory", ReadProcessMemory(pi.hProcess, (LPCVOID)0x404000, &routine, 4, &got));
    check_x("alpha-routine", routine);
    t = CreateRemoteThread(pi.hProcess, NULL, 0, (LPTHREAD_START_ROUTINE)routine, (LPVOID)41, 0, NULL);
    check_u("alpha-thread-created", t != NULL);
    check_u("alpha-thread-wait", WaitForSingleObject(t, INFINITE));
    GetExitCodeThread(t, &code);
    check_u("alpha-thread-exit-code", code);
    CloseHandle(t);
    GetProcessHandleCount(GetCurrentProcess(), &before);
    for (i = 0; i < 100; i++) {
        t = CreateRemoteThread(pi.hProcess, NULL, 0, (LPTHREAD_START_ROUTINE)routine, 0, CREATE_SUSPENDED, NULL);
        if (t) { TerminateThread(t, 0); CloseHandle(t); } else failures++;
    }
    GetProcessHandleCount(GetCurrentProcess(), &after);
    TerminateProcess(pi.hProcess, 0);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    CloseHandle(marker);
    put("handle-count-delta="); put_i((long)after - (long)before);
    put(" failures="); put_u(failures); put("\n");
    ExitProcess(0);
}
