/* regwait.exe: the thread pool's registered waits and NTDLL's RtlInterlockedPushListSList.
 * RegisterWaitForSingleObject on an event that is signalled (the callback runs on another
 * thread with TimerOrWaitFired FALSE and the context given), that times out (TRUE), again
 * and again without WT_EXECUTEONLYONCE, on the wait thread with WT_EXECUTEINWAITTHREAD
 * (the same thread each time, and one wait thread for several waits, whose callbacks then
 * run one after the other); RegisterWaitForSingleObjectEx; UnregisterWait while the
 * callback runs (FALSE, ERROR_IO_PENDING), UnregisterWaitEx with INVALID_HANDLE_VALUE (waits
 * for the callback) and with an event (signalled when the callback ends); a callback run on
 * the wait thread deregistering its own wait; UnregisterWait(NULL); NTDLL's RtlRegisterWait
 * and RtlDeregisterWaitEx; RtlInterlockedPushListSList found with GetProcAddress and called
 * as __fastcall (ecx, edx, then the stack). One line per check ("name: value"); NT 4.0's
 * values in expected/regwait.expected, Wine's in expected/regwait.wine. */
#include "guest.h"

#define CHECK_FAIL(name, expr) do { DWORD v_; SetLastError(0); v_ = (DWORD)(expr); \
    check_u(name, v_); check_u(name " last_error", GetLastError()); } while (0)

NTSYSAPI NTSTATUS NTAPI RtlRegisterWait(PHANDLE, HANDLE, WAITORTIMERCALLBACKFUNC, PVOID, ULONG,
                                        ULONG);
NTSYSAPI NTSTATUS NTAPI RtlDeregisterWaitEx(HANDLE, HANDLE);
/* Windows 2000's; mingw-w64 declares it only for old targets (regwait.def imports it). */
WINBASEAPI HANDLE WINAPI RegisterWaitForSingleObjectEx(HANDLE, WAITORTIMERCALLBACK, PVOID, ULONG,
                                                       ULONG);

static volatile LONG g_calls;
static volatile DWORD g_fired;
static volatile DWORD g_context;
static volatile DWORD g_thread;
static volatile DWORD g_first_thread;
static volatile LONG g_finished;
static HANDLE g_done;      /* set by each callback at its end */
static HANDLE g_started;   /* set by the blocking callback when it starts */
static HANDLE g_release;   /* lets the blocking callback end */
static HANDLE g_wait;      /* the wait a callback deregisters */
static volatile DWORD g_self_ret, g_self_error;

static void reset(void)
{
    g_calls = 0;
    g_fired = 99;
    g_context = 0;
    g_thread = 0;
    g_first_thread = 0;
    g_finished = 0;
    ResetEvent(g_done);
}

static void CALLBACK record(PVOID context, BOOLEAN fired)
{
    g_context = (DWORD)(ULONG_PTR)context;
    g_fired = fired;
    g_thread = GetCurrentThreadId();
    if (!g_first_thread) g_first_thread = g_thread;
    InterlockedIncrement((LONG *)&g_calls);
    SetEvent(g_done);
}

/* Runs until main lets it end. */
static void CALLBACK blocking(PVOID context, BOOLEAN fired)
{
    (void)context; (void)fired;
    SetEvent(g_started);
    WaitForSingleObject(g_release, INFINITE);
    InterlockedIncrement((LONG *)&g_finished);
    SetEvent(g_done);
}

/* Runs for a while without being told to end. */
static void CALLBACK slow(PVOID context, BOOLEAN fired)
{
    (void)context; (void)fired;
    SetEvent(g_started);
    Sleep(100);
    InterlockedIncrement((LONG *)&g_finished);
}

/* Deregisters its own wait (from the wait thread). */
static void CALLBACK self_deregister(PVOID context, BOOLEAN fired)
{
    (void)context; (void)fired;
    SetLastError(0);
    g_self_ret = UnregisterWait(g_wait);
    g_self_error = GetLastError();
    SetEvent(g_done);
}

/* Two waits with WT_EXECUTEINWAITTHREAD share a wait thread: while the first one's callback
 * runs, the second one's cannot, though its object is signalled. */
static HANDLE g_trigger, g_second_ran;
static volatile DWORD g_blocked_wait, g_second_thread;
static void CALLBACK first_in_thread(PVOID context, BOOLEAN fired)
{
    (void)context; (void)fired;
    g_first_thread = GetCurrentThreadId();
    SetEvent(g_trigger);
    g_blocked_wait = WaitForSingleObject(g_second_ran, 300);
    SetEvent(g_done);
}
static void CALLBACK second_in_thread(PVOID context, BOOLEAN fired)
{
    (void)context; (void)fired;
    g_second_thread = GetCurrentThreadId();
    SetEvent(g_second_ran);
}

typedef struct entry { struct entry *next; DWORD value; } entry;
typedef PSLIST_ENTRY (__fastcall *push_list_fn)(PSLIST_HEADER, PSLIST_ENTRY, PSLIST_ENTRY, ULONG);

static void slists(void)
{
    static SLIST_HEADER head;
    static entry a, b, c;
    push_list_fn push_list = (push_list_fn)GetProcAddress(GetModuleHandleA("ntdll.dll"),
                                                          "RtlInterlockedPushListSList");
    PSLIST_ENTRY old;
    entry *e;
    check_u("slist push_list found", push_list != NULL);
    if (!push_list) return;
    a.value = 1; b.value = 2; c.value = 3;
    InitializeSListHead(&head);
    InterlockedPushEntrySList(&head, (PSLIST_ENTRY)&c);
    /* b -> a, pushed as one chain of (as the caller says) 42 entries. */
    b.next = &a;
    old = push_list(&head, (PSLIST_ENTRY)&b, (PSLIST_ENTRY)&a, 42);
    check_u("slist push_list returns the old first", old == (PSLIST_ENTRY)&c);
    check_u("slist depth after push_list", QueryDepthSList(&head));
    e = (entry *)InterlockedPopEntrySList(&head);
    check_u("slist pop 1", e ? e->value : 0);
    e = (entry *)InterlockedPopEntrySList(&head);
    check_u("slist pop 2", e ? e->value : 0);
    e = (entry *)InterlockedPopEntrySList(&head);
    check_u("slist pop 3", e ? e->value : 0);
    check_u("slist depth at the end", QueryDepthSList(&head));
    /* The empty list: the chain becomes the list, NULL comes back. */
    InitializeSListHead(&head);
    b.next = &a;
    old = push_list(&head, (PSLIST_ENTRY)&b, (PSLIST_ENTRY)&a, 2);
    check_u("slist push_list on an empty list returns NULL", old == NULL);
    check_u("slist depth of the pushed chain", QueryDepthSList(&head));
    check_u("slist last entry ends the list", a.next == NULL);
}

void __stdcall start(void)
{
    HANDLE event, never, wait, completion;
    DWORD r, main_thread = GetCurrentThreadId();
    NTSTATUS status;

    g_done = CreateEventA(NULL, FALSE, FALSE, NULL);
    g_started = CreateEventA(NULL, FALSE, FALSE, NULL);
    g_release = CreateEventA(NULL, TRUE, FALSE, NULL);
    event = CreateEventA(NULL, FALSE, FALSE, NULL);
    never = CreateEventA(NULL, TRUE, FALSE, NULL);

    /* Signalled: the callback runs once on a pool thread. */
    reset();
    r = RegisterWaitForSingleObject(&wait, event, record, (PVOID)0x1234, INFINITE,
                                    WT_EXECUTEONLYONCE);
    check_u("register", r);
    check_u("no callback before the signal", g_calls);
    SetEvent(event);
    check_u("signalled: callback done", WaitForSingleObject(g_done, INFINITE));
    check_u("signalled: fired", g_fired);
    check_x("signalled: context", g_context);
    check_u("signalled: on another thread", g_thread != main_thread);
    check_u("signalled: the wait took the auto-reset signal", WaitForSingleObject(event, 0));
    SetEvent(event);
    check_u("once: no second callback", WaitForSingleObject(g_done, 200));
    check_u("once: calls", g_calls);
    ResetEvent(event);
    /* (The callback may still be returning: wait for it.) */
    check_u("unregister", UnregisterWaitEx(wait, INVALID_HANDLE_VALUE));

    /* Timed out: TimerOrWaitFired is TRUE. */
    reset();
    r = RegisterWaitForSingleObject(&wait, never, record, (PVOID)7, 50, WT_EXECUTEONLYONCE);
    check_u("timeout register", r);
    check_u("timeout: callback done", WaitForSingleObject(g_done, INFINITE));
    check_u("timeout: fired", g_fired);
    check_u("timeout: context", g_context);
    check_u("timeout unregister", UnregisterWaitEx(wait, INVALID_HANDLE_VALUE));

    /* Without WT_EXECUTEONLYONCE the wait goes on: three signals, three callbacks. */
    reset();
    r = RegisterWaitForSingleObject(&wait, event, record, NULL, INFINITE, WT_EXECUTEDEFAULT);
    check_u("repeat register", r);
    SetEvent(event);
    WaitForSingleObject(g_done, INFINITE);
    SetEvent(event);
    WaitForSingleObject(g_done, INFINITE);
    SetEvent(event);
    WaitForSingleObject(g_done, INFINITE);
    check_u("repeat: calls", g_calls);
    check_u("repeat unregister", UnregisterWaitEx(wait, INVALID_HANDLE_VALUE));
    SetEvent(event);
    check_u("repeat: no callback after unregistering", WaitForSingleObject(g_done, 200));
    ResetEvent(event);

    /* WT_EXECUTEINWAITTHREAD: the wait thread runs each callback itself. */
    reset();
    r = RegisterWaitForSingleObject(&wait, event, record, NULL, INFINITE,
                                    WT_EXECUTEINWAITTHREAD);
    check_u("wait thread register", r);
    SetEvent(event);
    WaitForSingleObject(g_done, INFINITE);
    SetEvent(event);
    WaitForSingleObject(g_done, INFINITE);
    check_u("wait thread: calls", g_calls);
    check_u("wait thread: the same thread both times", g_thread == g_first_thread);
    check_u("wait thread: not the main thread", g_thread != main_thread);
    check_u("wait thread unregister", UnregisterWaitEx(wait, INVALID_HANDLE_VALUE));

    /* One wait thread, callbacks one after the other. */
    reset();
    g_trigger = CreateEventA(NULL, FALSE, FALSE, NULL);
    g_second_ran = CreateEventA(NULL, FALSE, FALSE, NULL);
    {
        HANDLE second;
        RegisterWaitForSingleObject(&second, g_trigger, second_in_thread, NULL, INFINITE,
                                    WT_EXECUTEONLYONCE | WT_EXECUTEINWAITTHREAD);
        RegisterWaitForSingleObject(&wait, event, first_in_thread, NULL, INFINITE,
                                    WT_EXECUTEONLYONCE | WT_EXECUTEINWAITTHREAD);
        SetEvent(event);
        WaitForSingleObject(g_done, INFINITE);
        check_u("shared thread: the second callback waits for the first", g_blocked_wait);
        check_u("shared thread: then it runs", WaitForSingleObject(g_second_ran, INFINITE));
        check_u("shared thread: on the same thread", g_second_thread == g_first_thread);
        check_u("shared thread unregister 1", UnregisterWaitEx(wait, INVALID_HANDLE_VALUE));
        check_u("shared thread unregister 2", UnregisterWaitEx(second, INVALID_HANDLE_VALUE));
    }

    /* RegisterWaitForSingleObjectEx returns the handle; UnregisterWaitEx(NULL) is
     * UnregisterWait. */
    reset();
    wait = RegisterWaitForSingleObjectEx(event, record, (PVOID)5, INFINITE, WT_EXECUTEONLYONCE);
    check_u("ex register", wait != NULL);
    SetEvent(event);
    WaitForSingleObject(g_done, INFINITE);
    check_u("ex: context", g_context);
    check_u("ex unregister", UnregisterWaitEx(wait, INVALID_HANDLE_VALUE));
    /* With no callback run or running, UnregisterWait(Ex) succeeds at once. */
    RegisterWaitForSingleObject(&wait, never, record, NULL, INFINITE, WT_EXECUTEONLYONCE);
    check_u("unregister an idle wait", UnregisterWait(wait));
    RegisterWaitForSingleObject(&wait, never, record, NULL, INFINITE, WT_EXECUTEONLYONCE);
    check_u("unregister an idle wait (ex, NULL)", UnregisterWaitEx(wait, NULL));

    /* UnregisterWait while the callback runs: ERROR_IO_PENDING; the callback still ends. */
    reset();
    ResetEvent(g_release);
    RegisterWaitForSingleObject(&wait, event, blocking, NULL, INFINITE, WT_EXECUTEONLYONCE);
    SetEvent(event);
    WaitForSingleObject(g_started, INFINITE);
    CHECK_FAIL("unregister while running", UnregisterWait(wait));
    SetEvent(g_release);
    WaitForSingleObject(g_done, INFINITE);
    check_u("running: the callback ended", g_finished);

    /* UnregisterWaitEx(INVALID_HANDLE_VALUE) returns once the callback has ended. */
    reset();
    RegisterWaitForSingleObject(&wait, event, slow, NULL, INFINITE, WT_EXECUTEONLYONCE);
    SetEvent(event);
    WaitForSingleObject(g_started, INFINITE);
    check_u("unregister waiting", UnregisterWaitEx(wait, INVALID_HANDLE_VALUE));
    check_u("waiting: the callback had ended", g_finished);

    /* UnregisterWaitEx(event): pending, the event is signalled when the callback ends. */
    reset();
    ResetEvent(g_release);
    completion = CreateEventA(NULL, TRUE, FALSE, NULL);
    RegisterWaitForSingleObject(&wait, event, blocking, NULL, INFINITE, WT_EXECUTEONLYONCE);
    SetEvent(event);
    WaitForSingleObject(g_started, INFINITE);
    CHECK_FAIL("unregister with an event", UnregisterWaitEx(wait, completion));
    check_u("event: not yet signalled", WaitForSingleObject(completion, 0));
    SetEvent(g_release);
    check_u("event: signalled when the callback ends", WaitForSingleObject(completion, INFINITE));
    check_u("event: the callback had ended", g_finished);

    /* No callback running: the event is signalled at once. */
    reset();
    ResetEvent(completion);
    RegisterWaitForSingleObject(&wait, never, record, NULL, INFINITE, WT_EXECUTEONLYONCE);
    check_u("idle unregister with an event", UnregisterWaitEx(wait, completion));
    check_u("idle: event signalled", WaitForSingleObject(completion, 0));

    /* A callback on the wait thread deregistering its own wait. */
    reset();
    RegisterWaitForSingleObject(&g_wait, event, self_deregister, NULL, INFINITE,
                                WT_EXECUTEONLYONCE | WT_EXECUTEINWAITTHREAD);
    SetEvent(event);
    WaitForSingleObject(g_done, INFINITE);
    check_u("self unregister", g_self_ret);
    check_u("self unregister last_error", g_self_error);

    CHECK_FAIL("unregister NULL", UnregisterWait(NULL));

    /* NTDLL's own. */
    reset();
    status = RtlRegisterWait(&wait, event, record, (PVOID)9, INFINITE, WT_EXECUTEONLYONCE);
    check_x("RtlRegisterWait", (DWORD)status);
    SetEvent(event);
    WaitForSingleObject(g_done, INFINITE);
    check_u("RtlRegisterWait: context", g_context);
    check_u("RtlRegisterWait: fired", g_fired);
    check_x("RtlDeregisterWaitEx", (DWORD)RtlDeregisterWaitEx(wait, INVALID_HANDLE_VALUE));

    slists();
    put("done\n");
    ExitProcess(0);
}
