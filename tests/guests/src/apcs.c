/* apcs.exe: user APCs and alertable waits, waitable timers and SignalObjectAndWait.
 * QueueUserAPC to the thread itself and to another thread; SleepEx, WaitForSingleObjectEx
 * and WaitForMultipleObjectsEx alertable or not (an APC runs only in an alertable wait,
 * which then returns WAIT_IO_COMPLETION; a wait its objects satisfy leaves the APCs queued);
 * APCs run in the order queued, all of them in one wait, and an APC may wait alertably
 * itself; manual-reset, synchronization and periodic waitable timers, relative and absolute
 * due times, CancelWaitableTimer, a timer's completion routine (an APC with the due time),
 * named timers; SignalObjectAndWait on events, a mutex it does not own, a semaphore at its
 * maximum, an object it cannot signal, alertable with an APC queued, and as the handoff
 * between two threads; SwitchToThread with and without another thread ready to run. Run as "apcs.exe hang-alertable" it sleeps alertably for ever with no
 * APC to come (tests/sync.rs checks that the thread is parked). One line per check ("name: value"); NT 4.0's values in
 * expected/apcs.expected, Wine's in expected/apcs.wine. */
#include "guest.h"

#define CHECK_FAIL(name, expr) do { DWORD v_; SetLastError(0); v_ = (DWORD)(expr); \
    check_u(name, v_); check_u(name " last_error", GetLastError()); } while (0)

static DWORD g_calls;
static DWORD g_order[8];
static DWORD g_sum;

static void WINAPI count_apc(ULONG_PTR param)
{
    if (g_calls < 8) g_order[g_calls] = (DWORD)param;
    g_calls++;
    g_sum += (DWORD)param;
}

/* An APC that waits alertably itself: the APC queued behind it runs inside. */
static DWORD g_nested_ret;
static void WINAPI nesting_apc(ULONG_PTR param)
{
    (void)param;
    g_order[g_calls++] = 100;
    QueueUserAPC(count_apc, GetCurrentThread(), 7);
    g_nested_ret = SleepEx(0, TRUE);
    g_order[g_calls++] = 101;
}

static void reset(void)
{
    DWORD i;
    g_calls = 0;
    g_sum = 0;
    for (i = 0; i < 8; i++) g_order[i] = 0;
}

static HANDLE g_main;
static HANDLE g_go;

/* Waits for g_go, then queues an APC to the main thread. */
static DWORD WINAPI apc_queuer(LPVOID param)
{
    (void)param;
    WaitForSingleObject(g_go, INFINITE);
    Sleep(30);
    QueueUserAPC(count_apc, g_main, 55);
    return 0;
}

/* Sleeps alertably until an APC comes, and returns what SleepEx returned. */
static DWORD WINAPI alertable_sleeper(LPVOID param)
{
    (void)param;
    return SleepEx(INFINITE, TRUE);
}

static void apcs(void)
{
    HANDLE ev, thread, events[2];
    DWORD r, id, code;

    reset();
    check_u("QueueUserAPC(self)", QueueUserAPC(count_apc, GetCurrentThread(), 5));
    check_u("SleepEx(0, FALSE) with an APC queued", SleepEx(0, FALSE));
    check_u("APC calls after a non-alertable sleep", g_calls);
    check_u("SleepEx(0, TRUE) with an APC queued", SleepEx(0, TRUE));
    check_u("APC calls after an alertable sleep", g_calls);
    check_u("APC parameter", g_sum);
    check_u("SleepEx(0, TRUE) with none queued", SleepEx(0, TRUE));
    check_u("SleepEx(10, TRUE) with none queued", SleepEx(10, TRUE));

    reset();
    QueueUserAPC(count_apc, GetCurrentThread(), 1);
    QueueUserAPC(count_apc, GetCurrentThread(), 2);
    QueueUserAPC(count_apc, GetCurrentThread(), 3);
    check_u("SleepEx(INFINITE, TRUE) with three queued", SleepEx(INFINITE, TRUE));
    check_u("three APCs: calls", g_calls);
    check_u("three APCs: first", g_order[0]);
    check_u("three APCs: second", g_order[1]);
    check_u("three APCs: third", g_order[2]);

    /* A signalled object satisfies the wait first; the APC stays queued. */
    reset();
    ev = CreateEventA(NULL, TRUE, TRUE, NULL);
    QueueUserAPC(count_apc, GetCurrentThread(), 9);
    check_u("WaitForSingleObjectEx(signalled, TRUE) with an APC queued", WaitForSingleObjectEx(ev, 0, TRUE));
    check_u("APC calls after a satisfied alertable wait", g_calls);
    ResetEvent(ev);
    check_u("WaitForSingleObjectEx(unsignalled, FALSE) with an APC queued", WaitForSingleObjectEx(ev, 0, FALSE));
    check_u("APC calls after a non-alertable timeout", g_calls);
    check_u("WaitForSingleObjectEx(unsignalled, TRUE) with an APC queued", WaitForSingleObjectEx(ev, INFINITE, TRUE));
    check_u("APC calls after the alertable wait", g_calls);
    events[0] = ev;
    events[1] = CreateEventA(NULL, FALSE, FALSE, NULL);
    QueueUserAPC(count_apc, GetCurrentThread(), 4);
    check_u("WaitForMultipleObjectsEx(all, TRUE) with an APC queued",
            WaitForMultipleObjectsEx(2, events, TRUE, INFINITE, TRUE));
    SetEvent(events[1]);
    check_u("WaitForMultipleObjectsEx(any, TRUE) second signalled",
            WaitForMultipleObjectsEx(2, events, FALSE, INFINITE, TRUE));
    check_u("APC sum", g_sum);
    CloseHandle(events[1]);

    /* Nested: an APC that waits alertably runs the APC queued behind it inside. */
    reset();
    QueueUserAPC(nesting_apc, GetCurrentThread(), 0);
    check_u("SleepEx(0, TRUE) with a nesting APC", SleepEx(0, TRUE));
    check_u("nested: calls", g_calls);
    check_u("nested: first", g_order[0]);
    check_u("nested: second", g_order[1]);
    check_u("nested: third", g_order[2]);
    check_u("nested: the inner SleepEx", g_nested_ret);

    /* Another thread queues an APC while this one sleeps alertably. */
    reset();
    DuplicateHandle(GetCurrentProcess(), GetCurrentThread(), GetCurrentProcess(), &g_main, 0,
                    FALSE, DUPLICATE_SAME_ACCESS);
    g_go = CreateEventA(NULL, TRUE, FALSE, NULL);
    thread = CreateThread(NULL, 0, apc_queuer, NULL, 0, &id);
    SetEvent(g_go);
    check_u("SleepEx(INFINITE, TRUE) until another thread's APC", SleepEx(INFINITE, TRUE));
    check_u("the other thread's APC parameter", g_sum);
    WaitForSingleObject(thread, INFINITE);
    CloseHandle(thread);

    /* An APC queued to a sleeping thread ends its SleepEx. */
    reset();
    thread = CreateThread(NULL, 0, alertable_sleeper, NULL, 0, &id);
    Sleep(30);
    check_u("QueueUserAPC(sleeping thread)", QueueUserAPC(count_apc, thread, 8));
    r = WaitForSingleObject(thread, 5000);
    check_u("the sleeping thread ended", r);
    GetExitCodeThread(thread, &code);
    check_u("its SleepEx returned", code);
    check_u("the APC ran there", g_sum);
    CloseHandle(thread);

    CHECK_FAIL("QueueUserAPC(bad handle)", QueueUserAPC(count_apc, (HANDLE)0x1234, 0));
    CHECK_FAIL("QueueUserAPC(event handle)", QueueUserAPC(count_apc, ev, 0));
    CloseHandle(ev);
}

static DWORD g_timer_calls, g_timer_arg, g_timer_low_nonzero;
static void CALLBACK timer_routine(LPVOID arg, DWORD low, DWORD high)
{
    g_timer_calls++;
    g_timer_arg = (DWORD)arg;
    g_timer_low_nonzero = (low | high) != 0;
}

static void timers(void)
{
    HANDLE t, t2, ev;
    LARGE_INTEGER due;
    FILETIME now;
    DWORD i, ok_count;

    t = CreateWaitableTimerA(NULL, TRUE, NULL);
    check_u("CreateWaitableTimer(manual) nonzero", t != NULL);
    check_u("a new timer is not signalled", WaitForSingleObject(t, 0));
    due.QuadPart = -500000; /* 50 ms from now */
    check_u("SetWaitableTimer(manual, -50 ms)", SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE));
    check_u("not signalled at once", WaitForSingleObject(t, 0));
    check_u("signalled within a second", WaitForSingleObject(t, 1000));
    check_u("a manual timer stays signalled", WaitForSingleObject(t, 0));
    check_u("SetWaitableTimer resets it", SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE));
    check_u("not signalled after the reset", WaitForSingleObject(t, 0));
    check_u("CancelWaitableTimer", CancelWaitableTimer(t));
    check_u("a cancelled timer never fires", WaitForSingleObject(t, 200));
    check_u("CancelWaitableTimer again", CancelWaitableTimer(t));
    GetSystemTimeAsFileTime(&now);
    due.LowPart = now.dwLowDateTime;
    due.HighPart = (LONG)now.dwHighDateTime;
    due.QuadPart -= 10000000; /* a second ago: due at once */
    check_u("SetWaitableTimer(absolute, past)", SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE));
    check_u("a timer due in the past is signalled", WaitForSingleObject(t, 100));
    CloseHandle(t);

    t = CreateWaitableTimerA(NULL, FALSE, NULL);
    due.QuadPart = -100000;
    SetWaitableTimer(t, &due, 0, NULL, NULL, FALSE);
    check_u("synchronization timer: first wait", WaitForSingleObject(t, 1000));
    check_u("synchronization timer: second wait", WaitForSingleObject(t, 100));
    ok_count = 0;
    check_u("SetWaitableTimer(periodic 20 ms)", SetWaitableTimer(t, &due, 20, NULL, NULL, FALSE));
    for (i = 0; i < 4; i++) ok_count += WaitForSingleObject(t, 1000) == WAIT_OBJECT_0;
    check_u("periodic timer: signals", ok_count);
    CancelWaitableTimer(t);

    /* The completion routine is an APC: it runs in an alertable wait only. */
    g_timer_calls = 0;
    check_u("SetWaitableTimer(routine)", SetWaitableTimer(t, &due, 0, timer_routine, (LPVOID)0x77, FALSE));
    check_u("SleepEx(INFINITE, TRUE) until the timer's routine", SleepEx(INFINITE, TRUE));
    check_u("timer routine calls", g_timer_calls);
    check_u("timer routine argument", g_timer_arg);
    check_u("timer routine got the time", g_timer_low_nonzero);
    SetWaitableTimer(t, &due, 0, timer_routine, (LPVOID)0x78, FALSE);
    check_u("non-alertable wait on a routine timer", WaitForSingleObject(t, 1000));
    check_u("routine calls after the non-alertable wait", g_timer_calls);
    check_u("SleepEx(0, TRUE) runs the queued routine", SleepEx(0, TRUE));
    check_u("routine calls after SleepEx", g_timer_calls);
    check_u("its argument", g_timer_arg);
    /* Cancelling a timer takes back nothing already queued; cancelling before it fires
     * queues nothing. */
    SetWaitableTimer(t, &due, 0, timer_routine, (LPVOID)0x79, FALSE);
    CancelWaitableTimer(t);
    check_u("SleepEx(100, TRUE) after a cancel", SleepEx(100, TRUE));
    check_u("routine calls after the cancel", g_timer_calls);
    CloseHandle(t);

    t = CreateWaitableTimerA(NULL, FALSE, "ntemu-apcs-timer");
    check_u("CreateWaitableTimer(named) last_error", GetLastError());
    t2 = OpenWaitableTimerA(TIMER_ALL_ACCESS, FALSE, "ntemu-apcs-timer");
    check_u("OpenWaitableTimer(existing) nonzero", t2 != NULL);
    SetWaitableTimer(t2, &due, 0, NULL, NULL, FALSE);
    check_u("set through the opened handle, waited through the other", WaitForSingleObject(t, 1000));
    CloseHandle(t2);
    t2 = CreateWaitableTimerA(NULL, FALSE, "ntemu-apcs-timer");
    check_u("CreateWaitableTimer(existing name) last_error", GetLastError());
    CloseHandle(t2);
    CloseHandle(t);
    CHECK_FAIL("OpenWaitableTimer(missing) nonzero", OpenWaitableTimerA(TIMER_ALL_ACCESS, FALSE, "ntemu-no-such-timer") != NULL);
    ev = CreateEventA(NULL, FALSE, FALSE, "ntemu-apcs-event");
    CHECK_FAIL("CreateWaitableTimer(an event's name) nonzero", CreateWaitableTimerA(NULL, FALSE, "ntemu-apcs-event") != NULL);
    CHECK_FAIL("SetWaitableTimer(event)", SetWaitableTimer(ev, &due, 0, NULL, NULL, FALSE));
    CHECK_FAIL("CancelWaitableTimer(bad handle)", CancelWaitableTimer((HANDLE)0x1234));
    CloseHandle(ev);
}

static HANDLE g_ping, g_pong;
static DWORD g_rounds;

/* The other side of the SignalObjectAndWait handoff. */
static DWORD WINAPI ponger(LPVOID param)
{
    DWORD i;
    (void)param;
    WaitForSingleObject(g_ping, INFINITE);
    for (i = 0; i < 10; i++) {
        g_rounds++;
        if (i < 9) SignalObjectAndWait(g_pong, g_ping, INFINITE, FALSE);
        else SetEvent(g_pong);
    }
    return 0;
}

static void signal_and_wait(void)
{
    HANDLE e1, e2, m, s, thread;
    DWORD id, i;

    e1 = CreateEventA(NULL, TRUE, FALSE, NULL);
    e2 = CreateEventA(NULL, TRUE, FALSE, NULL);
    check_u("SignalObjectAndWait(event, unsignalled, 0)", SignalObjectAndWait(e1, e2, 0, FALSE));
    check_u("it set the first event", WaitForSingleObject(e1, 0));
    SetEvent(e2);
    check_u("SignalObjectAndWait(event, signalled, 0)", SignalObjectAndWait(e1, e2, 0, FALSE));
    ResetEvent(e2);
    QueueUserAPC(count_apc, GetCurrentThread(), 3);
    reset();
    check_u("SignalObjectAndWait(alertable) with an APC queued", SignalObjectAndWait(e1, e2, INFINITE, TRUE));
    check_u("its APC ran", g_calls);

    m = CreateMutexA(NULL, FALSE, NULL);
    CHECK_FAIL("SignalObjectAndWait(mutex not owned)", SignalObjectAndWait(m, e1, 0, FALSE));
    WaitForSingleObject(m, 0);
    check_u("SignalObjectAndWait(owned mutex, itself)", SignalObjectAndWait(m, m, 0, FALSE));
    check_u("ReleaseMutex after that", ReleaseMutex(m));
    s = CreateSemaphoreA(NULL, 1, 1, NULL);
    CHECK_FAIL("SignalObjectAndWait(semaphore at its maximum)", SignalObjectAndWait(s, e1, 0, FALSE));
    WaitForSingleObject(s, 0);
    check_u("SignalObjectAndWait(semaphore, itself)", SignalObjectAndWait(s, s, 0, FALSE));
    thread = CreateThread(NULL, 0, ponger, NULL, CREATE_SUSPENDED, &id);
    CHECK_FAIL("SignalObjectAndWait(a thread)", SignalObjectAndWait(thread, e1, 0, FALSE));
    CHECK_FAIL("SignalObjectAndWait(bad handle)", SignalObjectAndWait((HANDLE)0x1234, e1, 0, FALSE));
    CHECK_FAIL("SignalObjectAndWait(event, bad handle)", SignalObjectAndWait(e2, (HANDLE)0x1234, 0, FALSE));
    check_u("the signal happened before the bad wait", WaitForSingleObject(e2, 0));

    /* Ten rounds of handoff between two threads. */
    g_ping = CreateEventA(NULL, FALSE, FALSE, NULL);
    g_pong = CreateEventA(NULL, FALSE, FALSE, NULL);
    ResumeThread(thread);
    for (i = 0; i < 10; i++) SignalObjectAndWait(g_ping, g_pong, INFINITE, FALSE);
    check_u("handoff rounds", g_rounds);
    check_u("the other thread ended", WaitForSingleObject(thread, 5000));
    CloseHandle(thread);
    CloseHandle(g_ping);
    CloseHandle(g_pong);
    CloseHandle(m);
    CloseHandle(s);
    CloseHandle(e1);
    CloseHandle(e2);
}

static volatile LONG g_spin_stop, g_spins;

static DWORD WINAPI spinner(LPVOID param)
{
    (void)param;
    while (!g_spin_stop) InterlockedIncrement((LONG *)&g_spins);
    return 0;
}

static void switch_to_thread(void)
{
    HANDLE thread;
    DWORD id;

    check_u("SwitchToThread(no other thread ready)", SwitchToThread());
    thread = CreateThread(NULL, 0, spinner, NULL, 0, &id);
    check_u("SwitchToThread(a thread ready)", SwitchToThread() != 0);
    check_u("  the other thread ran", g_spins > 0);
    g_spin_stop = 1;
    check_u("  it ended", WaitForSingleObject(thread, 5000));
    CloseHandle(thread);
}

static int contains(const char *s, const char *part)
{
    int i, j;
    for (i = 0; s[i]; i++) {
        for (j = 0; part[j] && s[i + j] == part[j]; j++) ;
        if (!part[j]) return 1;
    }
    return 0;
}

void __stdcall start(void)
{
    if (contains(GetCommandLineA(), " hang-alertable")) {
        put("sleeping alertably\n");
        SleepEx(INFINITE, TRUE);
        put("not reached\n");
        ExitProcess(1);
    }
    apcs();
    timers();
    signal_and_wait();
    switch_to_thread();
    put("done\n");
    ExitProcess(0);
}
