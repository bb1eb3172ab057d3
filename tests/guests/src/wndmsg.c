/* USER32's window manager: classes, creation and destruction message order, window longs
 * and text, the window tree, posted and sent messages (also between threads), timers.
 * Each window procedure logs the messages a window gets that do not depend on a display
 * (no painting, activation or IME messages), so the log can be compared with Wine's. */
#include "guest.h"

static HWND g_main, g_child, g_worker_wnd;
static int g_logging = 1;
static DWORD g_main_thread;
static HANDLE g_ready;

static const char *name_of(UINT m)
{
    switch (m) {
    case WM_CREATE: return "WM_CREATE";
    case WM_DESTROY: return "WM_DESTROY";
    case WM_MOVE: return "WM_MOVE";
    case WM_SIZE: return "WM_SIZE";
    case WM_SETTEXT: return "WM_SETTEXT";
    case WM_GETTEXT: return "WM_GETTEXT";
    case WM_CLOSE: return "WM_CLOSE";
    case WM_SHOWWINDOW: return "WM_SHOWWINDOW";
    case WM_GETMINMAXINFO: return "WM_GETMINMAXINFO";
    case WM_WINDOWPOSCHANGING: return "WM_WINDOWPOSCHANGING";
    case WM_WINDOWPOSCHANGED: return "WM_WINDOWPOSCHANGED";
    case WM_STYLECHANGING: return "WM_STYLECHANGING";
    case WM_STYLECHANGED: return "WM_STYLECHANGED";
    case WM_NCCREATE: return "WM_NCCREATE";
    case WM_NCDESTROY: return "WM_NCDESTROY";
    case WM_NCCALCSIZE: return "WM_NCCALCSIZE";
    case WM_TIMER: return "WM_TIMER";
    case WM_PARENTNOTIFY: return "WM_PARENTNOTIFY";
    case WM_ACTIVATE: return "WM_ACTIVATE";
    case WM_ACTIVATEAPP: return "WM_ACTIVATEAPP";
    case WM_NCACTIVATE: return "WM_NCACTIVATE";
    case WM_SETFOCUS: return "WM_SETFOCUS";
    case WM_KILLFOCUS: return "WM_KILLFOCUS";
    case WM_USER: return "WM_USER";
    case WM_USER + 1: return "WM_USER+1";
    case WM_USER + 2: return "WM_USER+2";
    case WM_USER + 3: return "WM_USER+3";
    }
    return 0;
}

static void log_msg(const char *who, UINT m, WPARAM wp, LPARAM lp)
{
    const char *n = name_of(m);
    if (!n || !g_logging) return;
    put(who); put(" "); put(n);
    switch (m) {
    case WM_SIZE: case WM_MOVE:
        put(": "); put_i((short)LOWORD(lp)); put(","); put_i((short)HIWORD(lp));
        break;
    case WM_TIMER: case WM_SHOWWINDOW: case WM_NCCALCSIZE: case WM_NCACTIVATE:
    case WM_ACTIVATEAPP:
        put(": wp="); put_u(wp);
        break;
    case WM_ACTIVATE:
        put(": wp="); put_u(LOWORD(wp));
        break;
    case WM_PARENTNOTIFY:
        put(": "); put_x(LOWORD(wp)); put(" id="); put_u(HIWORD(wp));
        break;
    case WM_USER: case WM_USER + 1: case WM_USER + 2: case WM_USER + 3:
        put(": wp="); put_u(wp); put(" lp="); put_u(lp);
        break;
    }
    put("\n");
}

static LRESULT CALLBACK main_proc(HWND hwnd, UINT m, WPARAM wp, LPARAM lp)
{
    log_msg(hwnd == g_main || !g_main ? "main" : "other", m, wp, lp);
    if (m == WM_USER) return wp + lp;
    if (m == WM_USER + 3) return 1000 + wp;
    return DefWindowProcA(hwnd, m, wp, lp);
}

static LRESULT CALLBACK child_proc(HWND hwnd, UINT m, WPARAM wp, LPARAM lp)
{
    log_msg("child", m, wp, lp);
    return DefWindowProcA(hwnd, m, wp, lp);
}

static LRESULT CALLBACK fail_proc(HWND hwnd, UINT m, WPARAM wp, LPARAM lp)
{
    log_msg("fail", m, wp, lp);
    if (m == WM_CREATE) return -1;
    return DefWindowProcA(hwnd, m, wp, lp);
}

/* The worker's window: WM_USER+1 is answered after a message sent back to the main
 * thread's window (which waits in SendMessage meanwhile). */
static LRESULT CALLBACK worker_proc(HWND hwnd, UINT m, WPARAM wp, LPARAM lp)
{
    if (m == WM_USER + 1) {
        LRESULT back = SendMessageA(g_main, WM_USER + 3, 5, 0);
        check_u("worker: InSendMessage", InSendMessage() != 0);
        check_u("worker: main answered", back);
        check_u("worker: its own thread", GetCurrentThreadId() != g_main_thread);
        return wp * 2;
    }
    if (m == WM_USER + 2) {
        DestroyWindow(hwnd);
        PostQuitMessage(3);
        return 0;
    }
    return DefWindowProcA(hwnd, m, wp, lp);
}

static DWORD WINAPI worker(void *arg)
{
    MSG msg;
    (void)arg;
    g_worker_wnd = CreateWindowExA(0, "ntemu_worker", "worker", WS_OVERLAPPED, 0, 0, 100, 100,
                                   0, 0, 0, 0);
    SetEvent(g_ready);
    while (GetMessageA(&msg, 0, 0, 0) > 0)
        DispatchMessageA(&msg);
    return (DWORD)msg.wParam;
}

static int g_timer_calls;
static void CALLBACK timer_proc(HWND hwnd, UINT m, UINT_PTR id, DWORD time)
{
    (void)hwnd; (void)id; (void)time;
    if (m == WM_TIMER) g_timer_calls++;
}

static int g_enum_count;
static BOOL CALLBACK count_proc(HWND hwnd, LPARAM lp)
{
    if (hwnd == (HWND)lp) put("enum: found the window\n");
    g_enum_count++;
    return TRUE;
}

static BOOL CALLBACK stop_proc(HWND hwnd, LPARAM lp)
{
    (void)hwnd; (void)lp;
    g_enum_count++;
    return FALSE;
}

static void register_class(const char *name, WNDPROC proc, int cls_extra, int wnd_extra)
{
    WNDCLASSA wc = {0};
    wc.lpfnWndProc = proc;
    wc.cbClsExtra = cls_extra;
    wc.cbWndExtra = wnd_extra;
    wc.hInstance = GetModuleHandleA(0);
    wc.hCursor = LoadCursorA(0, IDC_ARROW);
    wc.lpszClassName = name;
    check_u("register nonzero atom", RegisterClassA(&wc) >= 0xC000);
}

void __stdcall start(void)
{
    WNDCLASSEXA wcx;
    char text[64];
    RECT r;
    MSG msg;
    HANDLE thread;
    DWORD code;
    HWND h;
    LRESULT res;
    WNDCLASSA wc = {0};

    g_main_thread = GetCurrentThreadId();

    /* Classes. */
    check_u("LoadCursorA(IDC_ARROW) nonzero", LoadCursorA(0, IDC_ARROW) != 0);
    check_u("LoadIconA(IDI_APPLICATION) nonzero", LoadIconA(0, IDI_APPLICATION) != 0);
    register_class("ntemu_main", main_proc, 8, 12);
    register_class("ntemu_child", child_proc, 0, 0);
    register_class("ntemu_fail", fail_proc, 0, 0);
    register_class("ntemu_worker", worker_proc, 0, 0);
    wc.lpfnWndProc = main_proc;
    wc.hInstance = GetModuleHandleA(0);
    wc.lpszClassName = "NTEMU_MAIN";
    SetLastError(0);
    check_u("register again", RegisterClassA(&wc));
    check_u("register again: error", GetLastError());
    wcx.cbSize = sizeof(wcx);
    check_u("GetClassInfoExA", GetClassInfoExA(GetModuleHandleA(0), "ntemu_main", &wcx) != 0);
    check_u("  cbClsExtra", wcx.cbClsExtra);
    check_u("  cbWndExtra", wcx.cbWndExtra);
    check_u("  proc is main_proc", wcx.lpfnWndProc == main_proc);
    SetLastError(0);
    check_u("GetClassInfoExA(missing)", GetClassInfoExA(GetModuleHandleA(0), "no such", &wcx));
    check_u("  error", GetLastError());
    check_u("GetClassInfoA(Button) from the system", GetClassInfoA(0, "Button", &wc) != 0);

    /* Creation order of a hidden overlapped window. */
    put("-- create main\n");
    g_main = CreateWindowExA(0, "ntemu_main", "Title", WS_OVERLAPPEDWINDOW, 10, 20, 300, 200,
                             0, 0, 0, 0);
    check_u("main created", g_main != 0);
    check_u("IsWindow", IsWindow(g_main));
    check_u("IsWindow(16-bit form)", IsWindow((HWND)((ULONG_PTR)g_main & 0xFFFF)));
    check_x("GWL_STYLE", GetWindowLongA(g_main, GWL_STYLE));
    check_u("GetParent", (ULONG_PTR)GetParent(g_main));
    check_u("desktop is not 0", GetDesktopWindow() != 0);
    GetWindowRect(g_main, &r);
    put("window rect "); put_i(r.left); put(","); put_i(r.top); put(","); put_i(r.right); put(",");
    put_i(r.bottom); put("\n");
    GetClientRect(g_main, &r);
    put("client rect "); put_i(r.right); put("x"); put_i(r.bottom); put("\n");
    r.left = 0; r.top = 0; r.right = 100; r.bottom = 100;
    AdjustWindowRect(&r, WS_OVERLAPPEDWINDOW, FALSE);
    put("adjusted "); put_i(r.left); put(","); put_i(r.top); put(","); put_i(r.right); put(",");
    put_i(r.bottom); put("\n");

    /* Text and longs. */
    put("-- text\n");
    check_u("GetWindowTextA", GetWindowTextA(g_main, text, sizeof(text)));
    put(text); put("\n");
    check_u("SetWindowTextA", SetWindowTextA(g_main, "New title"));
    check_u("GetWindowTextLengthA", GetWindowTextLengthA(g_main));
    check_u("GetWindowTextA(short buffer)", GetWindowTextA(g_main, text, 4));
    put(text); put("\n");
    g_logging = 0;
    check_u("SetWindowLongA(USERDATA) old", SetWindowLongA(g_main, GWL_USERDATA, 1234));
    check_u("GetWindowLongA(USERDATA)", GetWindowLongA(g_main, GWL_USERDATA));
    check_u("SetWindowLongA(8)", SetWindowLongA(g_main, 8, 77));
    check_u("GetWindowLongA(8)", GetWindowLongA(g_main, 8));
    SetLastError(0);
    check_u("GetWindowLongA(12)", GetWindowLongA(g_main, 12));
    check_u("  error", GetLastError());
    check_u("SetClassLongA(4) old", SetClassLongA(g_main, 4, 99));
    check_u("GetClassLongA(4)", GetClassLongA(g_main, 4));
    check_u("GetClassLongA(GCL_CBWNDEXTRA)", GetClassLongA(g_main, GCL_CBWNDEXTRA));
    check_u("GetClassNameA", GetClassNameA(g_main, text, sizeof(text)));
    put(text); put("\n");
    g_logging = 1;
    put("-- style\n");
    SetWindowLongA(g_main, GWL_STYLE, GetWindowLongA(g_main, GWL_STYLE) | WS_VSCROLL);

    /* A child window. */
    put("-- create child\n");
    g_child = CreateWindowExA(0, "ntemu_child", "kid", WS_CHILD | WS_BORDER, 5, 6, 50, 40,
                              g_main, (HMENU)7, 0, 0);
    check_u("child created", g_child != 0);
    check_u("GetParent(child) is main", GetParent(g_child) == g_main);
    check_u("IsChild", IsChild(g_main, g_child));
    check_u("GetWindow(GW_CHILD)", GetWindow(g_main, GW_CHILD) == g_child);
    check_u("GWL_ID", GetWindowLongA(g_child, GWL_ID));
    GetClientRect(g_child, &r);
    put("child client "); put_i(r.right); put("x"); put_i(r.bottom); put("\n");
    check_u("FindWindowA", FindWindowA("ntemu_main", "New title") == g_main);
    check_u("FindWindowA(missing)", (ULONG_PTR)FindWindowA("ntemu_main", "nope"));
    g_enum_count = 0;
    EnumWindows(count_proc, (LPARAM)g_main);
    check_u("EnumWindows visited some", g_enum_count > 0);
    g_enum_count = 0;
    check_u("EnumWindows stopped", EnumWindows(stop_proc, 0));
    check_u("  after one", g_enum_count);
    g_enum_count = 0;
    EnumChildWindows(g_main, count_proc, (LPARAM)g_child);
    check_u("EnumChildWindows count", g_enum_count);

    /* A window whose WM_CREATE fails. */
    put("-- create failing\n");
    h = CreateWindowExA(0, "ntemu_fail", "x", WS_POPUP, 0, 0, 10, 10, 0, 0, 0, 0);
    check_u("failing window", (ULONG_PTR)h);

    /* Showing. */
    put("-- show child\n");
    check_u("ShowWindow was visible", ShowWindow(g_child, SW_SHOW));
    check_u("IsWindowVisible(child, parent hidden)", IsWindowVisible(g_child));
    put("-- move child\n");
    MoveWindow(g_child, 8, 9, 60, 50, FALSE);

    /* A visible top-level window. */
    put("-- create visible\n");
    h = CreateWindowExA(0, "ntemu_main", "vis", WS_OVERLAPPEDWINDOW | WS_VISIBLE, 30, 40, 200, 100,
                        0, 0, 0, 0);
    check_u("visible created", h != 0);
    check_u("IsWindowVisible", IsWindowVisible(h));
    check_u("GetActiveWindow is it", GetActiveWindow() == h);
    check_u("GetFocus is it", GetFocus() == h);
    put("-- destroy visible\n");
    check_u("DestroyWindow(visible)", DestroyWindow(h));
    check_u("GetActiveWindow after", (ULONG_PTR)GetActiveWindow());

    /* Sent and posted messages on one thread. */
    put("-- send\n");
    check_u("SendMessageA", SendMessageA(g_main, WM_USER, 2, 3));
    check_u("CallWindowProcA", CallWindowProcA((WNDPROC)main_proc, g_main, WM_USER, 4, 5));
    check_u("SendNotifyMessageA (own thread)", SendNotifyMessageA(g_main, WM_USER, 1, 1));
    {
        DWORD_PTR r = 0;
        check_u("SendMessageTimeoutA", SendMessageTimeoutA(g_main, WM_USER, 6, 7, SMTO_NORMAL, 1000, &r));
        check_u("  result", r);
    }
    put("-- post\n");
    PostMessageA(g_main, WM_USER + 1, 1, 0);
    PostMessageA(g_main, WM_USER + 2, 2, 0);
    PostThreadMessageA(GetCurrentThreadId(), WM_USER + 1, 3, 0);
    check_x("GetQueueStatus(QS_POSTMESSAGE)", GetQueueStatus(QS_POSTMESSAGE));
    check_u("PostMessageA(WM_SETTEXT)", PostMessageA(g_main, WM_SETTEXT, 0, 0));
    check_u("  error", GetLastError());
    check_u("PeekMessageA(filter USER+2)", PeekMessageA(&msg, 0, WM_USER + 2, WM_USER + 2, PM_NOREMOVE));
    check_u("  wParam", msg.wParam);
    check_u("PeekMessageA(thread only)", PeekMessageA(&msg, (HWND)-1, 0, 0, PM_REMOVE));
    check_u("  wParam", msg.wParam);
    check_u("  hwnd", (ULONG_PTR)msg.hwnd);
    while (PeekMessageA(&msg, 0, 0, 0, PM_REMOVE)) {
        check_u("got for main", msg.hwnd == g_main);
        check_u("DispatchMessageA", DispatchMessageA(&msg));
    }
    check_u("PeekMessageA(empty)", PeekMessageA(&msg, 0, 0, 0, PM_REMOVE));
    check_u("TranslateMessage(WM_USER)", TranslateMessage(&msg));
    PostQuitMessage(5);
    PostMessageA(g_main, WM_USER + 1, 9, 0);
    check_u("GetMessageA before the quit", GetMessageA(&msg, 0, 0, 0));
    check_u("  wParam", msg.wParam);
    check_u("GetMessageA(WM_QUIT)", GetMessageA(&msg, 0, 0, 0));
    check_x("  message", msg.message);
    check_u("  wParam", msg.wParam);

    /* Timers. */
    put("-- timers\n");
    check_u("SetTimer(main, 7)", SetTimer(g_main, 7, 10, 0));
    check_u("GetMessageA(timer)", GetMessageA(&msg, 0, 0, 0));
    check_x("  message", msg.message);
    check_u("  wParam", msg.wParam);
    DispatchMessageA(&msg);
    check_u("KillTimer", KillTimer(g_main, 7));
    check_u("KillTimer again", KillTimer(g_main, 7));
    {
        UINT_PTR id = SetTimer(0, 0, 10, timer_proc);
        check_u("SetTimer(NULL) nonzero id", id != 0);
        while (g_timer_calls < 2 && GetMessageA(&msg, 0, 0, 0) > 0) {
            if (msg.message == WM_TIMER && msg.wParam == id) DispatchMessageA(&msg);
        }
        check_u("timer procedure calls", g_timer_calls);
        check_u("KillTimer(NULL)", KillTimer(0, id));
    }

    /* Another thread's window. */
    put("-- threads\n");
    g_ready = CreateEventA(0, FALSE, FALSE, 0);
    thread = CreateThread(0, 0, worker, 0, 0, 0);
    WaitForSingleObject(g_ready, INFINITE);
    check_u("worker window", g_worker_wnd != 0);
    {
        DWORD pid = 0;
        check_u("GetWindowThreadProcessId is not main", GetWindowThreadProcessId(g_worker_wnd, &pid) != g_main_thread);
        check_u("  pid", pid == GetCurrentProcessId());
    }
    check_u("DestroyWindow(other thread)", DestroyWindow(g_worker_wnd));
    check_u("  error", GetLastError());
    res = SendMessageA(g_worker_wnd, WM_USER + 1, 21, 0);
    check_u("SendMessageA to worker", res);
    check_u("InSendMessage (main)", InSendMessage());
    {
        DWORD_PTR r = 0;
        check_u("SendMessageTimeoutA to worker", SendMessageTimeoutA(g_worker_wnd, WM_USER + 1, 4, 0, SMTO_NORMAL, 5000, &r));
        check_u("  result", r);
    }
    PostMessageA(g_worker_wnd, WM_USER + 2, 0, 0);
    WaitForSingleObject(thread, INFINITE);
    GetExitCodeThread(thread, &code);
    check_u("worker exit code", code);
    check_u("worker window gone", IsWindow(g_worker_wnd));

    /* Waiting for messages and objects together. */
    put("-- msgwait\n");
    {
        HANDLE ev = CreateEventA(0, TRUE, FALSE, 0);
        check_u("MsgWait(nothing, 0 ms)", MsgWaitForMultipleObjects(1, &ev, FALSE, 0, QS_ALLINPUT));
        SetEvent(ev);
        check_u("MsgWait(event set)", MsgWaitForMultipleObjects(1, &ev, FALSE, INFINITE, QS_ALLINPUT));
        ResetEvent(ev);
        PostMessageA(g_main, WM_USER + 1, 0, 0);
        check_u("MsgWait(posted)", MsgWaitForMultipleObjects(1, &ev, FALSE, INFINITE, QS_ALLINPUT));
        check_u("  removed", PeekMessageA(&msg, 0, 0, 0, PM_REMOVE));
        SetTimer(g_main, 3, 10, 0);
        check_u("MsgWait(timer, no objects)", MsgWaitForMultipleObjects(0, 0, FALSE, INFINITE, QS_ALLINPUT));
        KillTimer(g_main, 3);
        CloseHandle(ev);
    }

    /* Destruction. */
    put("-- close main\n");
    SetLastError(0);
    check_u("UnregisterClassA with windows", UnregisterClassA("ntemu_main", GetModuleHandleA(0)));
    check_u("  error", GetLastError());
    check_u("SendMessageA(WM_CLOSE)", SendMessageA(g_main, WM_CLOSE, 0, 0));
    check_u("IsWindow(main)", IsWindow(g_main));
    check_u("IsWindow(child)", IsWindow(g_child));
    SetLastError(0);
    check_u("DestroyWindow(gone)", DestroyWindow(g_main));
    check_u("DestroyWindow(gone) error", GetLastError());
    check_u("UnregisterClassA", UnregisterClassA("ntemu_main", GetModuleHandleA(0)));
    SetLastError(0);
    check_u("UnregisterClassA again", UnregisterClassA("ntemu_main", GetModuleHandleA(0)));
    check_u("  error", GetLastError());
    ExitProcess(0);
}
