/* threads.exe: CreateThread, CreateRemoteThread into itself and into a child process started
 * with CreateProcessA, suspended creation, exit codes, waits on thread and process handles.
 * The child is this same image: it finds the parent's named event and waits on it forever,
 * so the parent can create threads in it and then terminate it. */
#include "guest.h"

static DWORD WINAPI return_parameter(LPVOID p) { return (DWORD)(ULONG_PTR)p; }

static DWORD WINAPI exit_thread_early(LPVOID p) { ExitThread((DWORD)(ULONG_PTR)p + 1); return 0; }

void __stdcall start(void)
{
    HANDLE marker, t, child_thread, hp;
    DWORD code = 0, tid = 0, prev;
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    int i;

    marker = OpenEventA(SYNCHRONIZE, FALSE, "ntemu-threads-parent");
    if (marker) {
        /* Child mode: wait for the parent, which terminates us. */
        WaitForSingleObject(marker, INFINITE);
        ExitProcess(99);
    }
    marker = CreateEventA(NULL, TRUE, FALSE, "ntemu-threads-parent");

    t = CreateThread(NULL, 0, return_parameter, (LPVOID)42, 0, &tid);
    check_u("create-thread", t != NULL);
    check_u("thread-id-multiple-of-4", tid % 4 == 0);
    check_u("wait-thread", WaitForSingleObject(t, INFINITE));
    GetExitCodeThread(t, &code);
    check_u("thread-exit-code", code);
    CloseHandle(t);

    t = CreateThread(NULL, 0, exit_thread_early, (LPVOID)7, CREATE_SUSPENDED, NULL);
    GetExitCodeThread(t, &code);
    check_x("suspended-exit-code", code);
    check_u("wait-suspended-times-out", WaitForSingleObject(t, 20));
    prev = SuspendThread(t);
    check_u("suspend-previous", prev);
    check_u("resume-previous-1", ResumeThread(t));
    check_u("resume-previous-2", ResumeThread(t));
    check_u("wait-resumed", WaitForSingleObject(t, INFINITE));
    GetExitCodeThread(t, &code);
    check_u("exit-thread-code", code);
    CloseHandle(t);

    t = CreateRemoteThread(GetCurrentProcess(), NULL, 0, return_parameter, (LPVOID)5, 0, NULL);
    check_u("remote-thread-self", t != NULL);
    WaitForSingleObject(t, INFINITE);
    GetExitCodeThread(t, &code);
    check_u("remote-thread-self-code", code);
    CloseHandle(t);

    for (i = 0; i < (int)sizeof si; i++) ((char *)&si)[i] = 0;
    si.cb = sizeof si;
    check_u("create-process", CreateProcessA(NULL, "threads.exe", NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
    check_u("child-pid-multiple-of-4", pi.dwProcessId % 4 == 0);
    child_thread = CreateRemoteThread(pi.hProcess, NULL, 0, return_parameter, (LPVOID)11, 0, NULL);
    check_u("remote-thread-child", child_thread != NULL);
    check_u("wait-remote-thread-child", WaitForSingleObject(child_thread, INFINITE));
    GetExitCodeThread(child_thread, &code);
    check_u("remote-thread-child-code", code);
    CloseHandle(child_thread);

    hp = OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, pi.dwProcessId);
    check_u("open-child", hp != NULL);
    check_u("remote-thread-without-rights", CreateRemoteThread(hp, NULL, 0, return_parameter, 0, 0, NULL) == NULL);
    check_u("remote-thread-without-rights-error", GetLastError());
    GetExitCodeProcess(pi.hProcess, &code);
    check_x("child-running-exit-code", code);
    check_u("terminate-child", TerminateProcess(pi.hProcess, 3));
    check_u("wait-child", WaitForSingleObject(pi.hProcess, INFINITE));
    GetExitCodeProcess(hp, &code);
    check_u("child-exit-code", code);
    check_u("remote-thread-into-dead-child", CreateRemoteThread(pi.hProcess, NULL, 0, return_parameter, 0, 0, NULL) == NULL);
    check_u("remote-thread-into-dead-child-error", GetLastError());
    CloseHandle(hp);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    check_u("open-bad-pid", OpenProcess(PROCESS_ALL_ACCESS, FALSE, 3) == NULL);
    check_u("open-bad-pid-error", GetLastError());
    CloseHandle(marker);
    put("done\n");
    ExitProcess(0);
}
