/* WINMM: the multimedia timer (timeGetDevCaps, timeBeginPeriod/timeEndPeriod, timeGetTime
 * and timeGetSystemTime across Sleep, periodic, one-shot and event timers of timeSetEvent,
 * timeKillEvent), and a machine without sound devices (PlaySound, sndPlaySound, the
 * *GetNumDevs, waveOutOpen, joyGetPos, mciSendString). Counts of timer callbacks are
 * printed as ranges, so the output does not depend on how exactly a host keeps time. */
#include "guest.h"
#include <mmsystem.h>

static volatile LONG g_ticks;
static volatile LONG g_oneshot;
static volatile DWORD g_user, g_msg, g_dw1, g_dw2, g_thread;

static void CALLBACK periodic_proc(UINT id, UINT msg, DWORD_PTR user, DWORD_PTR dw1, DWORD_PTR dw2)
{
    (void)id;
    g_user = (DWORD)user;
    g_msg = msg;
    g_dw1 = (DWORD)dw1;
    g_dw2 = (DWORD)dw2;
    g_thread = GetCurrentThreadId();
    g_ticks++;
}

static void CALLBACK oneshot_proc(UINT id, UINT msg, DWORD_PTR user, DWORD_PTR dw1, DWORD_PTR dw2)
{
    (void)id; (void)msg; (void)dw1; (void)dw2;
    if (user == 7) g_oneshot++;
}

static volatile LONG g_in, g_overlap, g_a, g_b, g_self, g_self_kill = -1;
static volatile DWORD g_ta, g_tb;

/* Two timers' procedures: each notes its thread and whether the other was running. */
static void CALLBACK proc_a(UINT id, UINT msg, DWORD_PTR user, DWORD_PTR dw1, DWORD_PTR dw2)
{
    (void)id; (void)msg; (void)user; (void)dw1; (void)dw2;
    if (g_in) g_overlap = 1;
    g_in = 1;
    g_ta = GetCurrentThreadId();
    Sleep(3);
    g_a++;
    g_in = 0;
}

static void CALLBACK proc_b(UINT id, UINT msg, DWORD_PTR user, DWORD_PTR dw1, DWORD_PTR dw2)
{
    (void)id; (void)msg; (void)user; (void)dw1; (void)dw2;
    if (g_in) g_overlap = 1;
    g_in = 1;
    g_tb = GetCurrentThreadId();
    Sleep(3);
    g_b++;
    g_in = 0;
}

/* A periodic timer that kills itself on its first run. */
static void CALLBACK proc_self(UINT id, UINT msg, DWORD_PTR user, DWORD_PTR dw1, DWORD_PTR dw2)
{
    (void)msg; (void)user; (void)dw1; (void)dw2;
    g_self++;
    if (g_self == 1) g_self_kill = (LONG)timeKillEvent(id);
}

static void caps(void)
{
    TIMECAPS tc;
    MMRESULT r = timeGetDevCaps(&tc, sizeof tc);
    check_u("timeGetDevCaps", r);
    check_u("wPeriodMin", tc.wPeriodMin);
    check_u("wPeriodMax", tc.wPeriodMax);
    check_u("timeGetDevCaps(size 4)", timeGetDevCaps(&tc, 4));
    check_u("timeBeginPeriod(1)", timeBeginPeriod(1));
    check_u("timeBeginPeriod(1) again", timeBeginPeriod(1));
    check_u("timeEndPeriod(1)", timeEndPeriod(1));
    check_u("timeEndPeriod(1) second", timeEndPeriod(1));
    check_u("timeEndPeriod(1) unmatched", timeEndPeriod(1));
    check_u("timeBeginPeriod(0)", timeBeginPeriod(0));
    check_u("timeEndPeriod(0)", timeEndPeriod(0));
    check_u("timeBeginPeriod(2000000)", timeBeginPeriod(2000000));
}

static void clock_advances(void)
{
    DWORD t0 = timeGetTime(), t1, tick;
    MMTIME mmt;
    MMRESULT r;
    Sleep(100);
    t1 = timeGetTime();
    check_u("timeGetTime advanced 90..1000 ms over Sleep(100)", t1 - t0 >= 90 && t1 - t0 < 1000);
    tick = GetTickCount();
    check_u("timeGetTime near GetTickCount", t1 - tick + 50 <= 100);
    mmt.wType = 0;
    r = timeGetSystemTime(&mmt, sizeof mmt);
    check_u("timeGetSystemTime", r);
    check_u("wType", mmt.wType);
    check_u("ms near timeGetTime", mmt.u.ms - timeGetTime() + 50 <= 100);
}

static void periodic(void)
{
    UINT id;
    LONG killed_at;
    g_ticks = 0;
    id = timeSetEvent(10, 1, periodic_proc, 0x1234, TIME_PERIODIC);
    check_u("timeSetEvent(periodic) nonzero", id != 0);
    Sleep(300);
    check_u("periodic callbacks over 300 ms at least 5", g_ticks >= 5);
    check_u("periodic callbacks over 300 ms at most 40", g_ticks <= 40);
    check_x("dwUser", g_user);
    check_u("uMsg", g_msg);
    check_u("dw1", g_dw1);
    check_u("dw2", g_dw2);
    check_u("callback on another thread", g_thread != 0 && g_thread != GetCurrentThreadId());
    check_u("timeKillEvent(periodic)", timeKillEvent(id));
    killed_at = g_ticks;
    Sleep(100);
    check_u("no callback after timeKillEvent", g_ticks == killed_at);
    check_u("timeKillEvent(periodic) again", timeKillEvent(id));
}

static void oneshot(void)
{
    UINT id;
    g_oneshot = 0;
    id = timeSetEvent(20, 1, oneshot_proc, 7, TIME_ONESHOT);
    check_u("timeSetEvent(one-shot) nonzero", id != 0);
    check_u("one-shot not yet run", g_oneshot);
    Sleep(200);
    check_u("one-shot runs", g_oneshot);
    Sleep(100);
    check_u("one-shot runs once", g_oneshot);
    check_u("timeKillEvent(one-shot after it ran)", timeKillEvent(id));
}

static void one_thread(void)
{
    UINT a = timeSetEvent(10, 1, proc_a, 0, TIME_PERIODIC);
    UINT b = timeSetEvent(10, 1, proc_b, 0, TIME_PERIODIC);
    UINT self;
    Sleep(200);
    timeKillEvent(a);
    timeKillEvent(b);
    check_u("two timers both ran", g_a > 0 && g_b > 0);
    check_u("two timers on one thread", g_ta == g_tb);
    check_u("callbacks never overlap", g_overlap == 0);
    self = timeSetEvent(10, 1, proc_self, 0, TIME_PERIODIC);
    Sleep(100);
    check_u("self-killing timer ran once", g_self);
    check_u("timeKillEvent inside its callback", g_self_kill);
}

static void event_timer(void)
{
    HANDLE ev = CreateEventA(NULL, FALSE, FALSE, NULL);
    DWORD t0 = timeGetTime(), t1, w;
    UINT id = timeSetEvent(50, 1, (LPTIMECALLBACK)ev, 0, TIME_ONESHOT | TIME_CALLBACK_EVENT_SET);
    check_u("timeSetEvent(event set) nonzero", id != 0);
    w = WaitForSingleObject(ev, 2000);
    t1 = timeGetTime();
    check_u("WaitForSingleObject(timer event)", w);
    check_u("event set after 40 ms or more", t1 - t0 >= 40);
    check_u("event not set again", WaitForSingleObject(ev, 200));
    /* A periodic one: set every 20 ms; waited for three times. */
    id = timeSetEvent(20, 1, (LPTIMECALLBACK)ev, 0, TIME_PERIODIC | TIME_CALLBACK_EVENT_SET);
    check_u("periodic event wait 1", WaitForSingleObject(ev, 2000));
    check_u("periodic event wait 2", WaitForSingleObject(ev, 2000));
    check_u("periodic event wait 3", WaitForSingleObject(ev, 2000));
    check_u("timeKillEvent(periodic event)", timeKillEvent(id));
    CloseHandle(ev);
}

static void bad_timers(void)
{
    check_u("timeSetEvent(delay 0)", timeSetEvent(0, 1, oneshot_proc, 0, TIME_ONESHOT));
    check_u("timeSetEvent(delay 2000000)", timeSetEvent(2000000, 1, oneshot_proc, 0, TIME_ONESHOT));
    check_u("timeKillEvent(12345)", timeKillEvent(12345));
}

static void sound(void)
{
    WAVEFORMATEX fmt;
    HWAVEOUT wo = (HWAVEOUT)1;
    JOYINFO ji;
    char buf[64];
    check_u("waveOutGetNumDevs", waveOutGetNumDevs());
    check_u("waveInGetNumDevs", waveInGetNumDevs());
    check_u("midiOutGetNumDevs", midiOutGetNumDevs());
    check_u("midiInGetNumDevs", midiInGetNumDevs());
    check_u("auxGetNumDevs", auxGetNumDevs());
    check_u("mixerGetNumDevs", mixerGetNumDevs());
    check_u("PlaySoundA(NULL)", PlaySoundA(NULL, NULL, 0));
    check_u("PlaySoundA(SystemAsterisk, async)", PlaySoundA("SystemAsterisk", NULL, SND_ALIAS | SND_ASYNC));
    check_u("PlaySoundW(nothere.wav, async)", PlaySoundW(L"nothere.wav", NULL, SND_FILENAME | SND_ASYNC | SND_NODEFAULT));
    check_u("sndPlaySoundA(NULL)", sndPlaySoundA(NULL, 0));
    check_u("sndPlaySoundA(nothere.wav, async)", sndPlaySoundA("nothere.wav", SND_ASYNC | SND_NODEFAULT));
    fmt.wFormatTag = WAVE_FORMAT_PCM;
    fmt.nChannels = 1;
    fmt.nSamplesPerSec = 11025;
    fmt.wBitsPerSample = 8;
    fmt.nBlockAlign = 1;
    fmt.nAvgBytesPerSec = 11025;
    fmt.cbSize = 0;
    check_u("waveOutOpen(WAVE_MAPPER)", waveOutOpen(&wo, WAVE_MAPPER, &fmt, 0, 0, CALLBACK_NULL));
    check_u("waveOutOpen(0)", waveOutOpen(&wo, 0, &fmt, 0, 0, CALLBACK_NULL));
    check_u("joyGetPos(0)", joyGetPos(0, &ji));
    buf[0] = 'x';
    check_u("joyGetNumDevs", joyGetNumDevs());
    check_u("mciSendStringA(open cdaudio)", mciSendStringA("open cdaudio", buf, sizeof buf, NULL));
    check_u("return string empty", buf[0] == 0);
    check_u("mciSendStringA(open nosuchdevice)", mciSendStringA("open nosuchdevice", NULL, 0, NULL));
    check_u("mciSendStringA(close all)", mciSendStringA("close all", NULL, 0, NULL));
}

void __stdcall start(void)
{
    caps();
    clock_advances();
    periodic();
    oneshot();
    one_thread();
    event_timer();
    bad_timers();
    sound();
    put("done\n");
    ExitProcess(0);
}
