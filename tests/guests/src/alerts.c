/* alerts.exe: user-mode alerts. NtAlertThread and NtTestAlert; an alertable native wait
 * (NtDelayExecution, NtWaitForSingleObject) ends with STATUS_ALERTED when the thread is or
 * becomes alerted, before any queued APC runs; a non-alertable one leaves the alert; a
 * KERNEL32 alertable wait takes the alert and waits on (KERNEL32 waits again after
 * STATUS_ALERTED); NtAlertResumeThread alerts a suspended thread and resumes it. One line
 * per check ("name: value"); NT 4.0's values in expected/alerts.expected (Wine 8 does not
 * implement NtAlertThread, so there is no Wine output to compare with). */
#include "guest.h"
#include <winternl.h>

NTSTATUS NTAPI NtAlertThread(HANDLE);
NTSTATUS NTAPI NtAlertResumeThread(HANDLE, PULONG);
NTSTATUS NTAPI NtTestAlert(void);
NTSTATUS NTAPI NtDelayExecution(BOOLEAN, PLARGE_INTEGER);
NTSTATUS NTAPI NtWaitForSingleObject(HANDLE, BOOLEAN, PLARGE_INTEGER);

static DWORD g_apcs;
static void WINAPI apc(ULONG_PTR param)
{
    (void)param;
    g_apcs++;
}

static HANDLE g_event;

/* Waits alertably on g_event for ever; returns the wait's status. */
static DWORD WINAPI native_waiter(LPVOID param)
{
    (void)param;
    return (DWORD)NtWaitForSingleObject(g_event, TRUE, NULL);
}

/* Sleeps alertably for ever (natively); returns the status. */
static DWORD WINAPI native_sleeper(LPVOID param)
{
    LARGE_INTEGER forever;
    (void)param;
    forever.QuadPart = 0x8000000000000000LL;
    return (DWORD)NtDelayExecution(TRUE, &forever);
}

void __stdcall start(void)
{
    LARGE_INTEGER ten_ms;
    HANDLE thread;
    DWORD id, code;
    ULONG count;

    ten_ms.QuadPart = -100000;
    check_x("NtTestAlert(not alerted)", NtTestAlert());
    check_x("NtAlertThread(self)", NtAlertThread(GetCurrentThread()));
    check_x("NtTestAlert(alerted)", NtTestAlert());
    check_x("NtTestAlert(again)", NtTestAlert());

    NtAlertThread(GetCurrentThread());
    check_x("NtDelayExecution(alertable, alerted)", NtDelayExecution(TRUE, &ten_ms));
    NtAlertThread(GetCurrentThread());
    check_x("NtDelayExecution(not alertable, alerted)", NtDelayExecution(FALSE, &ten_ms));
    check_x("  the alert is still there", NtTestAlert());

    NtAlertThread(GetCurrentThread());
    QueueUserAPC(apc, GetCurrentThread(), 0);
    check_x("NtDelayExecution(alertable, alerted, an APC queued)", NtDelayExecution(TRUE, &ten_ms));
    check_u("  APCs run", g_apcs);
    check_u("SleepEx(0, TRUE) then", SleepEx(0, TRUE));
    check_u("  APCs run", g_apcs);

    NtAlertThread(GetCurrentThread());
    check_u("SleepEx(10, TRUE) alerted", SleepEx(10, TRUE));
    check_x("  the alert was taken", NtTestAlert());

    g_event = CreateEventA(NULL, TRUE, FALSE, NULL);
    thread = CreateThread(NULL, 0, native_waiter, NULL, 0, &id);
    Sleep(30);
    check_x("NtAlertThread(a thread in an alertable wait)", NtAlertThread(thread));
    check_u("  it ended", WaitForSingleObject(thread, 5000));
    GetExitCodeThread(thread, &code);
    check_x("  its wait returned", code);
    CloseHandle(thread);

    thread = CreateThread(NULL, 0, native_sleeper, NULL, CREATE_SUSPENDED, &id);
    count = 77;
    check_x("NtAlertResumeThread(a suspended thread)", NtAlertResumeThread(thread, &count));
    check_u("  its suspend count", count);
    check_u("  it ended", WaitForSingleObject(thread, 5000));
    GetExitCodeThread(thread, &code);
    check_x("  its delay returned", code);
    CloseHandle(thread);

    check_x("NtAlertThread(bad handle)", NtAlertThread((HANDLE)0x1234));
    check_x("NtAlertThread(an event)", NtAlertThread(g_event));
    CloseHandle(g_event);
    put("done\n");
    ExitProcess(0);
}
