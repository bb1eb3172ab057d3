/* ctlwin.exe: a window at (100, 80), 420 x 300, with an edit (client 10,10 150x24, sunken
 * edge, "edit"), a list box (10,50 150x100, border, vertical scroll bar, eight items, the
 * first chosen), a drop-down list combo box (180,10 150x120: red, green, blue, red chosen)
 * a horizontal scroll bar (180,60 200x16, range 0..10), and an edit (10,160 150x24) whose
 * WM_CTLCOLOREDIT the window answers with red text on a yellow brush. The window moves the scroll
 * bar as NT programs do on WM_HSCROLL. On WM_CLOSE it prints what the controls hold: the
 * edit's text, the list's choice and first item shown, the combo box's choice, the scroll position, and the
 * notifications it got. tests/controls.rs drives it with scripted clicks and keys. */
#include "guest.h"

static HWND g_edit, g_list, g_combo, g_bar, g_yellow;
static HBRUSH g_brush;
static char g_log[1024];
static int g_len;

static void log_str(const char *s)
{
    while (*s && g_len < (int)sizeof g_log - 1) g_log[g_len++] = *s++;
    g_log[g_len] = 0;
}

static void log_num(unsigned v)
{
    char b[12];
    int i = 11;
    b[11] = 0;
    do { b[--i] = (char)('0' + v % 10); v /= 10; } while (v && i > 0);
    log_str(b + i);
}

static LRESULT CALLBACK proc(HWND h, UINT m, WPARAM wp, LPARAM lp)
{
    char buf[64];
    switch (m) {
    case WM_CTLCOLOREDIT:
        if ((HWND)lp != g_yellow) break;
        SetTextColor((HDC)wp, RGB(255, 0, 0));
        return (LRESULT)g_brush;
    case WM_COMMAND:
        log_str(" "); log_num(LOWORD(wp)); log_str(":"); log_num(HIWORD(wp));
        return 0;
    case WM_HSCROLL: {
        int pos = GetScrollPos(g_bar, SB_CTL);
        switch (LOWORD(wp)) {
        case SB_LINELEFT: pos -= 1; break;
        case SB_LINERIGHT: pos += 1; break;
        case SB_PAGELEFT: pos -= 5; break;
        case SB_PAGERIGHT: pos += 5; break;
        case SB_THUMBPOSITION: pos = HIWORD(wp); break;
        }
        SetScrollPos(g_bar, SB_CTL, pos, TRUE);
        return 0;
    }
    case WM_CLOSE:
        GetWindowTextA(g_edit, buf, sizeof buf);
        put("edit: "); put(buf); put("\n");
        put("list: "); put_i(SendMessageA(g_list, LB_GETCURSEL, 0, 0)); put("\n");
        put("list top: "); put_i(SendMessageA(g_list, LB_GETTOPINDEX, 0, 0)); put("\n");
        put("combo: "); put_i(SendMessageA(g_combo, CB_GETCURSEL, 0, 0)); put("\n");
        GetWindowTextA(g_combo, buf, sizeof buf);
        put("combo text: "); put(buf); put("\n");
        put("scroll: "); put_i(GetScrollPos(g_bar, SB_CTL)); put("\n");
        put("notifications:"); put(g_log); put("\n");
        DestroyWindow(h);
        return 0;
    case WM_DESTROY:
        PostQuitMessage(0);
        return 0;
    }
    return DefWindowProcA(h, m, wp, lp);
}

void __stdcall start(void)
{
    static const char *items[] = {"one", "two", "three", "four", "five", "six", "seven",
                                  "eight"};
    WNDCLASSA wc = {0};
    HWND w;
    MSG msg;
    HINSTANCE inst = GetModuleHandleA(0);
    int i;
    wc.lpfnWndProc = proc;
    wc.hInstance = inst;
    wc.hCursor = LoadCursorA(0, (LPCSTR)IDC_ARROW);
    wc.hbrBackground = (HBRUSH)(COLOR_BTNFACE + 1);
    wc.lpszClassName = "CtlWin";
    RegisterClassA(&wc);
    w = CreateWindowExA(0, "CtlWin", "controls", WS_OVERLAPPEDWINDOW | WS_VISIBLE, 100, 80,
                        420, 300, 0, 0, inst, 0);
    g_edit = CreateWindowExA(WS_EX_CLIENTEDGE, "Edit", "edit",
                             WS_CHILD | WS_VISIBLE | ES_AUTOHSCROLL, 10, 10, 150, 24, w,
                             (HMENU)1, inst, 0);
    g_list = CreateWindowExA(0, "ListBox", "", WS_CHILD | WS_VISIBLE | WS_BORDER | WS_VSCROLL |
                             LBS_NOTIFY, 10, 50, 150, 100, w, (HMENU)2, inst, 0);
    for (i = 0; i < 8; i++) SendMessageA(g_list, LB_ADDSTRING, 0, (LPARAM)items[i]);
    SendMessageA(g_list, LB_SETCURSEL, 0, 0);
    g_combo = CreateWindowExA(0, "ComboBox", "", WS_CHILD | WS_VISIBLE | CBS_DROPDOWNLIST, 180,
                              10, 150, 120, w, (HMENU)3, inst, 0);
    SendMessageA(g_combo, CB_ADDSTRING, 0, (LPARAM)"red");
    SendMessageA(g_combo, CB_ADDSTRING, 0, (LPARAM)"green");
    SendMessageA(g_combo, CB_ADDSTRING, 0, (LPARAM)"blue");
    SendMessageA(g_combo, CB_SETCURSEL, 0, 0);
    g_bar = CreateWindowExA(0, "ScrollBar", "", WS_CHILD | WS_VISIBLE | SBS_HORZ, 180, 60, 200,
                            16, w, (HMENU)4, inst, 0);
    SetScrollRange(g_bar, SB_CTL, 0, 10, TRUE);
    g_brush = CreateSolidBrush(RGB(255, 255, 0));
    g_yellow = CreateWindowExA(WS_EX_CLIENTEDGE, "Edit", "colour", WS_CHILD | WS_VISIBLE, 10, 160,
                               150, 24, w, (HMENU)5, inst, 0);
    put("ready\n");
    while (GetMessageA(&msg, 0, 0, 0) > 0) {
        TranslateMessage(&msg);
        DispatchMessageA(&msg);
    }
    ExitProcess(0);
}
