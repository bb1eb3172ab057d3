/* A GUI program (subsystem windows): one overlapped window with a caption at (100, 80),
 * 320 x 240, shown and active (with the argument "two", a second one at (300, 200) over it
 * takes the activation; the messages of the second are logged with "2:", and its client
 * area answers WM_NCHITTEST with HTCAPTION). The window procedure logs the keyboard and mouse messages
 * it gets with their wParam and lParam (and the key state and cursor where they matter),
 * and the close messages; Alt+F4 ends it through DefWindowProc (WM_SYSCOMMAND SC_CLOSE,
 * WM_CLOSE, DestroyWindow), and WM_DESTROY's PostQuitMessage(42) makes its exit code. */
#include "guest.h"

static HWND g_second;
static HWND g_current;

static void log_msg(const char *name, WPARAM wp, LPARAM lp)
{
    if (g_second && g_current == g_second) put("2: ");
    put(name); put(" wp="); put_x(wp); put(" lp="); put_x(lp); put("\n");
}

static LRESULT CALLBACK wndproc(HWND hwnd, UINT m, WPARAM wp, LPARAM lp)
{
    POINT pt;
    g_current = hwnd;
    switch (m) {
    case WM_MOUSEACTIVATE: log_msg("WM_MOUSEACTIVATE", wp == (WPARAM)hwnd, lp); break;
    case WM_NCHITTEST:
        /* The second window is dragged by its client area: it says HTCAPTION there. */
        if (hwnd == g_second) {
            LRESULT hit = DefWindowProcA(hwnd, m, wp, lp);
            return hit == HTCLIENT ? HTCAPTION : hit;
        }
        break;
    case WM_ACTIVATE: if (g_second) log_msg("WM_ACTIVATE", LOWORD(wp), 0); break;
    case WM_KEYDOWN:
        log_msg("WM_KEYDOWN", wp, lp);
        if (wp == 'A') check_x("  GetKeyState(VK_SHIFT)", (unsigned short)GetKeyState(VK_SHIFT));
        break;
    case WM_KEYUP: log_msg("WM_KEYUP", wp, lp); break;
    case WM_CHAR: log_msg("WM_CHAR", wp, lp); break;
    case WM_SYSKEYDOWN: log_msg("WM_SYSKEYDOWN", wp, lp); break;
    case WM_SYSKEYUP: log_msg("WM_SYSKEYUP", wp, lp); break;
    case WM_SYSCHAR: log_msg("WM_SYSCHAR", wp, lp); break;
    case WM_MOUSEMOVE: log_msg("WM_MOUSEMOVE", wp, lp); break;
    case WM_LBUTTONDOWN:
        log_msg("WM_LBUTTONDOWN", wp, lp);
        GetCursorPos(&pt);
        put("  GetCursorPos: "); put_i(pt.x); put(","); put_i(pt.y); put("\n");
        check_x("  GetAsyncKeyState(VK_LBUTTON)", (unsigned short)GetAsyncKeyState(VK_LBUTTON));
        break;
    case WM_LBUTTONUP: log_msg("WM_LBUTTONUP", wp, lp); break;
    case WM_RBUTTONDOWN:
        /* The right button captures the mouse until it comes up. */
        log_msg("WM_RBUTTONDOWN", wp, lp);
        check_x("  SetCapture", SetCapture(hwnd) == NULL);
        check_x("  GetCapture", GetCapture() == hwnd);
        break;
    case WM_RBUTTONUP:
        log_msg("WM_RBUTTONUP", wp, lp);
        check_x("  ReleaseCapture", ReleaseCapture());
        check_x("  GetCapture", GetCapture() == NULL);
        break;
    case WM_CAPTURECHANGED: log_msg("WM_CAPTURECHANGED", wp, lp); break;
    case WM_NCLBUTTONDOWN: log_msg("WM_NCLBUTTONDOWN", wp, lp); break;
    case WM_SYSCOMMAND: log_msg("WM_SYSCOMMAND", wp & 0xFFF0, 0); break;
    case WM_CLOSE: put("WM_CLOSE\n"); break;
    case WM_DESTROY:
        put("WM_DESTROY\n");
        if (hwnd != g_second) PostQuitMessage(42);
        return 0;
    }
    return DefWindowProcA(hwnd, m, wp, lp);
}

void __stdcall start(void)
{
    WNDCLASSA wc = {0};
    MSG msg;
    RECT r;
    HWND hwnd;
    wc.lpfnWndProc = wndproc;
    wc.hInstance = GetModuleHandleA(NULL);
    wc.lpszClassName = "NtWin";
    RegisterClassA(&wc);
    hwnd = CreateWindowExA(0, "NtWin", "ntemu", WS_OVERLAPPEDWINDOW, 100, 80, 320, 240,
                           NULL, NULL, wc.hInstance, NULL);
    ShowWindow(hwnd, SW_SHOWNORMAL);
    UpdateWindow(hwnd);
    {
        const char *cl = GetCommandLineA();
        int n = 0;
        while (cl[n]) n++;
        if (n >= 4 && cl[n - 4] == ' ' && cl[n - 3] == 't' && cl[n - 2] == 'w' && cl[n - 1] == 'o') {
            g_second = CreateWindowExA(0, "NtWin", "second", WS_OVERLAPPEDWINDOW | WS_VISIBLE,
                                       300, 200, 200, 150, NULL, NULL, wc.hInstance, NULL);
            put("second: "); put_u(GetActiveWindow() == g_second); put("\n");
        }
        /* "post": a click the program posts itself is its own message, taken as posted. */
        if (n >= 5 && cl[n - 5] == ' ' && cl[n - 4] == 'p' && cl[n - 3] == 'o' && cl[n - 2] == 's'
            && cl[n - 1] == 't')
            PostMessageA(hwnd, WM_LBUTTONDOWN, MK_LBUTTON, MAKELPARAM(5, 6));
    }
    GetWindowRect(hwnd, &r);
    put("window: "); put_i(r.left); put(","); put_i(r.top); put(","); put_i(r.right); put(",");
    put_i(r.bottom); put("\n");
    GetClientRect(hwnd, &r);
    put("client: "); put_i(r.right); put("x"); put_i(r.bottom); put("\n");
    GetWindowRect(GetDesktopWindow(), &r);
    put("desktop: "); put_i(r.right); put("x"); put_i(r.bottom); put("\n");
    SystemParametersInfoA(SPI_GETWORKAREA, 0, &r, 0);
    put("work area: "); put_i(r.right); put("x"); put_i(r.bottom); put("\n");
    check_u("SM_CXSCREEN", GetSystemMetrics(SM_CXSCREEN));
    check_u("SM_CYSCREEN", GetSystemMetrics(SM_CYSCREEN));
    check_u("active", GetActiveWindow() == hwnd || (g_second && GetActiveWindow() == g_second));
    while (GetMessageA(&msg, NULL, 0, 0) > 0) {
        TranslateMessage(&msg);
        DispatchMessageA(&msg);
    }
    put("exit: "); put_u(msg.wParam); put("\n");
    ExitProcess(msg.wParam);
}
