/* controls.exe: USER32's standard controls made with CreateWindowEx as children of a hidden
 * window: Edit (single-line, multiline, ES_UPPERCASE, ES_NUMBER, ES_PASSWORD, ES_READONLY,
 * the clipboard, undo), ListBox (sorted, multiple and extended selection, item data,
 * the scroll bar, mouse and keys), ComboBox (CBS_DROPDOWN, CBS_DROPDOWNLIST, CBS_SIMPLE),
 * the ScrollBar control and window scroll bars, and the caret. The parent logs the
 * WM_COMMAND notifications and WM_HSCROLL/WM_VSCROLL it gets; each "log:" line shows what
 * came since the one before. tests/controls.rs compares the output with
 * controls.expected, which agrees with Wine's controls.wine but for the lines it lists. */
#include "guest.h"

static char g_log[4096];
static int g_len;
static HWND g_parent;

static void log_str(const char *s)
{
    while (*s && g_len < (int)sizeof g_log - 1) g_log[g_len++] = *s++;
    g_log[g_len] = 0;
}

static void log_hex(unsigned v)
{
    static const char d[] = "0123456789abcdef";
    char b[9];
    int i = 8;
    b[8] = 0;
    do { b[--i] = d[v & 15]; v >>= 4; } while (v && i > 0);
    log_str(b + i);
}

static void flush(void)
{
    put("  log:"); put(g_log); put("\n");
    g_len = 0; g_log[0] = 0;
}

static LRESULT CALLBACK parent_proc(HWND h, UINT m, WPARAM wp, LPARAM lp)
{
    if (m == WM_COMMAND) {
        log_str(" cmd "); log_hex(LOWORD(wp)); log_str(":"); log_hex(HIWORD(wp));
        return 0;
    }
    if (m == WM_HSCROLL || m == WM_VSCROLL) {
        log_str(m == WM_HSCROLL ? " hscroll " : " vscroll ");
        log_hex(LOWORD(wp)); log_str(","); log_hex(HIWORD(wp));
        log_str(lp ? " ctl" : " win");
        return 0;
    }
    return DefWindowProcA(h, m, wp, lp);
}

static LRESULT S(HWND h, UINT m, WPARAM wp, LPARAM lp)
{
    return SendMessageA(h, m, wp, lp);
}

static void text_of(const char *name, HWND h)
{
    char buf[128];
    int n = GetWindowTextA(h, buf, sizeof buf);
    put(name); put(": \""); put(buf); put("\" "); put_i(n); put("\n");
}

static void check_i(const char *name, long v)
{
    put(name); put(": "); put_i(v); put("\n");
}

static HWND make(DWORD ex, const char *cls, const char *text, DWORD style, int x, int y,
                 int w, int h, int id)
{
    return CreateWindowExA(ex, cls, text, WS_CHILD | WS_VISIBLE | style, x, y, w, h, g_parent,
                           (HMENU)(INT_PTR)id, GetModuleHandleA(0), 0);
}

static void sel_of(const char *name, HWND e)
{
    DWORD a = 0xdead, b = 0xbeef;
    LRESULT r = S(e, EM_GETSEL, (WPARAM)&a, (LPARAM)&b);
    put(name); put(": "); put_u(a); put(","); put_u(b); put(" "); put_x(r); put("\n");
}

static void edits(void)
{
    HWND e, m, u, n, p, r, e2;
    char buf[64];
    WORD *w = (WORD *)buf;
    HANDLE hmem;

    put("== edit\n");
    e = make(WS_EX_CLIENTEDGE, "Edit", "hello", ES_AUTOHSCROLL, 10, 10, 200, 24, 101);
    check_u("made", e != 0);
    flush();
    check_u("IsWindowUnicode", IsWindowUnicode(e));
    check_i("WM_GETTEXTLENGTH", S(e, WM_GETTEXTLENGTH, 0, 0));
    sel_of("sel after create", e);
    check_i("EM_GETLIMITTEXT", S(e, EM_GETLIMITTEXT, 0, 0));
    check_i("EM_GETMODIFY", S(e, EM_GETMODIFY, 0, 0));
    S(e, EM_SETSEL, 1, 3);
    sel_of("sel 1,3", e);
    S(e, EM_SETSEL, 4, 2);
    sel_of("sel 4,2", e);
    S(e, EM_SETSEL, 2, -1);
    sel_of("sel 2,-1", e);
    S(e, EM_SETSEL, 1, 3);
    S(e, EM_REPLACESEL, TRUE, (LPARAM)"XY");
    text_of("after EM_REPLACESEL", e);
    flush();
    sel_of("sel after replace", e);
    check_i("EM_GETMODIFY", S(e, EM_GETMODIFY, 0, 0));
    check_i("EM_CANUNDO", S(e, EM_CANUNDO, 0, 0));
    check_i("EM_UNDO", S(e, EM_UNDO, 0, 0));
    text_of("after EM_UNDO", e);
    flush();
    S(e, EM_UNDO, 0, 0);
    text_of("after EM_UNDO again", e);
    flush();
    S(e, EM_SETMODIFY, FALSE, 0);
    check_i("EM_GETMODIFY after EM_SETMODIFY", S(e, EM_GETMODIFY, 0, 0));
    check_i("WM_SETTEXT", S(e, WM_SETTEXT, 0, (LPARAM)"abc"));
    flush();
    check_i("EM_GETMODIFY after WM_SETTEXT", S(e, EM_GETMODIFY, 0, 0));
    check_i("EM_CANUNDO after WM_SETTEXT", S(e, EM_CANUNDO, 0, 0));
    sel_of("sel after WM_SETTEXT", e);
    S(e, EM_LIMITTEXT, 5, 0);
    check_i("EM_GETLIMITTEXT 5", S(e, EM_GETLIMITTEXT, 0, 0));
    S(e, EM_SETSEL, 3, 3);
    S(e, EM_REPLACESEL, TRUE, (LPARAM)"defgh");
    text_of("limited EM_REPLACESEL", e);
    flush();
    S(e, WM_CHAR, 'x', 0);
    text_of("WM_CHAR at the limit", e);
    flush();
    S(e, EM_LIMITTEXT, 0, 0);
    check_x("EM_GETLIMITTEXT 0", S(e, EM_GETLIMITTEXT, 0, 0));
    S(e, EM_SETSEL, 5, 5);
    S(e, WM_CHAR, 'x', 0);
    S(e, WM_CHAR, 'y', 0);
    S(e, WM_CHAR, 8, 0);
    text_of("typed x y backspace", e);
    flush();
    S(e, WM_CHAR, '\r', 0);
    S(e, WM_CHAR, 3, 0);
    text_of("return and ctrl-c ignored", e);
    flush();
    check_i("EM_GETLINECOUNT", S(e, EM_GETLINECOUNT, 0, 0));
    check_i("EM_LINELENGTH 0", S(e, EM_LINELENGTH, 0, 0));
    check_i("EM_LINEINDEX 0", S(e, EM_LINEINDEX, 0, 0));
    check_i("EM_LINEINDEX 1", S(e, EM_LINEINDEX, 1, 0));
    check_i("EM_LINEFROMCHAR 3", S(e, EM_LINEFROMCHAR, 3, 0));
    w[0] = 10;
    check_i("EM_GETLINE", S(e, EM_GETLINE, 0, (LPARAM)buf));
    buf[6] = 0;
    put("EM_GETLINE text: "); put(buf); put("\n");
    S(e, EM_SETSEL, 1, 3);
    S(e, WM_KEYDOWN, VK_DELETE, 0);
    text_of("VK_DELETE on a selection", e);
    flush();
    S(e, EM_SETSEL, 0, 0);
    S(e, WM_KEYDOWN, VK_DELETE, 0);
    text_of("VK_DELETE at 0", e);
    flush();
    S(e, WM_KEYDOWN, VK_END, 0);
    sel_of("sel after VK_END", e);
    S(e, WM_KEYDOWN, VK_HOME, 0);
    sel_of("sel after VK_HOME", e);
    S(e, WM_KEYDOWN, VK_RIGHT, 0);
    sel_of("sel after VK_RIGHT", e);

    /* The clipboard. */
    S(e, WM_SETTEXT, 0, (LPARAM)"copy me");
    S(e, EM_SETSEL, 0, 4);
    S(e, WM_COPY, 0, 0);
    text_of("after WM_COPY", e);
    OpenClipboard(g_parent);
    hmem = GetClipboardData(CF_TEXT);
    put("clipboard: "); put(hmem ? (char *)GlobalLock(hmem) : "(none)"); put("\n");
    if (hmem) GlobalUnlock(hmem);
    CloseClipboard();
    S(e, EM_SETSEL, 4, 7);
    S(e, WM_CUT, 0, 0);
    text_of("after WM_CUT", e);
    S(e, EM_SETSEL, 0, 0);
    S(e, WM_PASTE, 0, 0);
    text_of("after WM_PASTE", e);
    S(e, EM_SETSEL, 0, 1);
    S(e, WM_CLEAR, 0, 0);
    text_of("after WM_CLEAR", e);
    flush();

    /* Styles. */
    u = make(0, "Edit", "MiXed", ES_UPPERCASE | ES_AUTOHSCROLL, 10, 40, 100, 20, 102);
    text_of("ES_UPPERCASE made", u);
    S(u, WM_CHAR, 'a', 0);
    text_of("ES_UPPERCASE typed a", u);
    n = make(0, "Edit", "", ES_NUMBER | ES_AUTOHSCROLL, 10, 70, 100, 20, 103);
    S(n, WM_CHAR, 'a', 0);
    S(n, WM_CHAR, '5', 0);
    text_of("ES_NUMBER typed a 5", n);
    p = make(0, "Edit", "secret", ES_PASSWORD | ES_AUTOHSCROLL, 10, 100, 100, 20, 104);
    check_i("EM_GETPASSWORDCHAR", S(p, EM_GETPASSWORDCHAR, 0, 0));
    S(p, EM_SETPASSWORDCHAR, '#', 0);
    check_i("EM_GETPASSWORDCHAR #", S(p, EM_GETPASSWORDCHAR, 0, 0));
    check_x("ES_PASSWORD in style", GetWindowLongA(p, GWL_STYLE) & ES_PASSWORD);
    S(p, EM_SETPASSWORDCHAR, 0, 0);
    check_x("ES_PASSWORD after 0", GetWindowLongA(p, GWL_STYLE) & ES_PASSWORD);
    text_of("password text", p);
    r = make(0, "Edit", "fixed", ES_READONLY | ES_AUTOHSCROLL, 10, 130, 100, 20, 105);
    S(r, WM_CHAR, 'a', 0);
    text_of("ES_READONLY typed a", r);
    check_i("EM_SETREADONLY", S(r, EM_SETREADONLY, FALSE, 0));
    check_x("ES_READONLY after", GetWindowLongA(r, GWL_STYLE) & ES_READONLY);
    S(r, WM_CHAR, 'a', 0);
    text_of("writable typed a", r);
    flush();
    e2 = CreateWindowExW(0, L"Edit", L"wide", WS_CHILD, 0, 0, 50, 20, g_parent, (HMENU)106,
                         0, 0);
    check_u("IsWindowUnicode W", IsWindowUnicode(e2));
    text_of("W edit text", e2);
    flush();

    /* Multiline. */
    m = make(WS_EX_CLIENTEDGE, "Edit", "", ES_MULTILINE | ES_AUTOVSCROLL | ES_AUTOHSCROLL,
             220, 10, 200, 100, 107);
    S(m, WM_SETTEXT, 0, (LPARAM)"one\r\ntwo\r\nthree");
    flush();
    check_i("ML EM_GETLINECOUNT", S(m, EM_GETLINECOUNT, 0, 0));
    check_i("ML EM_LINEINDEX 1", S(m, EM_LINEINDEX, 1, 0));
    check_i("ML EM_LINEINDEX 2", S(m, EM_LINEINDEX, 2, 0));
    check_i("ML EM_LINEINDEX 3", S(m, EM_LINEINDEX, 3, 0));
    check_i("ML EM_LINELENGTH 6", S(m, EM_LINELENGTH, 6, 0));
    check_i("ML EM_LINELENGTH 12", S(m, EM_LINELENGTH, 12, 0));
    check_i("ML EM_LINEFROMCHAR 11", S(m, EM_LINEFROMCHAR, 11, 0));
    check_i("ML EM_LINEFROMCHAR 4", S(m, EM_LINEFROMCHAR, 4, 0));
    w[0] = 20;
    check_i("ML EM_GETLINE 2", S(m, EM_GETLINE, 2, (LPARAM)buf));
    buf[5] = 0;
    put("ML EM_GETLINE 2 text: "); put(buf); put("\n");
    w[0] = 3;
    check_i("ML EM_GETLINE 2 short", S(m, EM_GETLINE, 2, (LPARAM)buf));
    check_i("ML EM_GETLINE 7", S(m, EM_GETLINE, 7, (LPARAM)buf));
    S(m, EM_SETSEL, 15, 15);
    S(m, WM_CHAR, '\r', 0);
    S(m, WM_CHAR, 'x', 0);
    check_i("ML lines after return", S(m, EM_GETLINECOUNT, 0, 0));
    check_i("ML length after return", S(m, WM_GETTEXTLENGTH, 0, 0));
    flush();
    S(m, WM_KEYDOWN, VK_UP, 0);
    sel_of("ML sel after VK_UP", m);
    S(m, WM_KEYDOWN, VK_HOME, 0);
    sel_of("ML sel after VK_HOME", m);
    S(m, WM_KEYDOWN, VK_DOWN, 0);
    sel_of("ML sel after VK_DOWN", m);
    S(m, WM_CHAR, 8, 0);
    check_i("ML lines after backspace", S(m, EM_GETLINECOUNT, 0, 0));
    check_i("ML EM_GETFIRSTVISIBLELINE", S(m, EM_GETFIRSTVISIBLELINE, 0, 0));
    check_i("ML EM_LINESCROLL", S(m, EM_LINESCROLL, 0, 1));
    check_i("ML first line after EM_LINESCROLL", S(m, EM_GETFIRSTVISIBLELINE, 0, 0));
    check_x("EM_SCROLL single-line", S(e, EM_SCROLL, SB_LINEDOWN, 0));
    flush();
}

static void listboxes(void)
{
    HWND lb, ms, ex, ls;
    RECT rc;
    SCROLLINFO si;
    int items[8], i, n;
    char buf[64];

    put("== listbox\n");
    lb = make(0, "ListBox", "", LBS_NOTIFY | LBS_SORT | WS_VSCROLL | WS_BORDER, 10, 10, 100,
              100, 201);
    flush();
    GetClientRect(lb, &rc);
    put("client: "); put_i(rc.right); put("x"); put_i(rc.bottom); put("\n");
    check_x("WS_VSCROLL when empty", GetWindowLongA(lb, GWL_STYLE) & WS_VSCROLL);
    check_i("add pear", S(lb, LB_ADDSTRING, 0, (LPARAM)"pear"));
    check_i("add apple", S(lb, LB_ADDSTRING, 0, (LPARAM)"apple"));
    check_i("add cherry", S(lb, LB_ADDSTRING, 0, (LPARAM)"cherry"));
    check_i("add banana", S(lb, LB_ADDSTRING, 0, (LPARAM)"Banana"));
    check_i("LB_GETCOUNT", S(lb, LB_GETCOUNT, 0, 0));
    n = S(lb, LB_GETCOUNT, 0, 0);
    for (i = 0; i < n; i++) {
        int len = S(lb, LB_GETTEXT, i, (LPARAM)buf);
        put("item "); put_i(i); put(": "); put(buf); put(" "); put_i(len); put("\n");
    }
    check_i("LB_GETTEXTLEN 2", S(lb, LB_GETTEXTLEN, 2, 0));
    check_i("LB_GETTEXT 9", S(lb, LB_GETTEXT, 9, (LPARAM)buf));
    check_i("LB_GETTEXTLEN 9", S(lb, LB_GETTEXTLEN, 9, 0));
    check_i("LB_FINDSTRING ch", S(lb, LB_FINDSTRING, -1, (LPARAM)"ch"));
    check_i("LB_FINDSTRING ch from 2", S(lb, LB_FINDSTRING, 2, (LPARAM)"ch"));
    check_i("LB_FINDSTRING b", S(lb, LB_FINDSTRING, -1, (LPARAM)"b"));
    check_i("LB_FINDSTRINGEXACT PEAR", S(lb, LB_FINDSTRINGEXACT, -1, (LPARAM)"PEAR"));
    check_i("LB_FINDSTRINGEXACT pea", S(lb, LB_FINDSTRINGEXACT, -1, (LPARAM)"pea"));
    check_i("LB_FINDSTRING zz", S(lb, LB_FINDSTRING, -1, (LPARAM)"zz"));
    check_i("LB_GETCURSEL none", S(lb, LB_GETCURSEL, 0, 0));
    check_i("LB_SETCURSEL 2", S(lb, LB_SETCURSEL, 2, 0));
    check_i("LB_GETCURSEL", S(lb, LB_GETCURSEL, 0, 0));
    check_i("LB_SETCURSEL 10", S(lb, LB_SETCURSEL, 10, 0));
    check_i("LB_GETCURSEL after 10", S(lb, LB_GETCURSEL, 0, 0));
    check_i("LB_SELECTSTRING b", S(lb, LB_SELECTSTRING, -1, (LPARAM)"b"));
    check_i("LB_GETCURSEL after select", S(lb, LB_GETCURSEL, 0, 0));
    flush();
    check_i("LB_GETSEL 1", S(lb, LB_GETSEL, 1, 0) > 0);
    check_i("LB_GETSEL 0", S(lb, LB_GETSEL, 0, 0));
    check_i("LB_GETSEL 9", S(lb, LB_GETSEL, 9, 0));
    check_i("LB_SETSEL single", S(lb, LB_SETSEL, TRUE, 0));
    check_i("LB_GETSELCOUNT single", S(lb, LB_GETSELCOUNT, 0, 0));
    check_i("LB_SETITEMDATA 1", S(lb, LB_SETITEMDATA, 1, 0x1234) != LB_ERR);
    check_x("LB_GETITEMDATA 1", S(lb, LB_GETITEMDATA, 1, 0));
    check_x("LB_GETITEMDATA 0", S(lb, LB_GETITEMDATA, 0, 0));
    check_i("LB_GETITEMDATA 7", S(lb, LB_GETITEMDATA, 7, 0));
    check_i("LB_INSERTSTRING 1", S(lb, LB_INSERTSTRING, 1, (LPARAM)"zebra"));
    check_i("LB_INSERTSTRING 9", S(lb, LB_INSERTSTRING, 9, (LPARAM)"x"));
    check_i("LB_INSERTSTRING -1", S(lb, LB_INSERTSTRING, -1, (LPARAM)"last"));
    check_i("LB_GETCURSEL after inserts", S(lb, LB_GETCURSEL, 0, 0));
    check_i("LB_DELETESTRING 0", S(lb, LB_DELETESTRING, 0, 0));
    check_i("LB_DELETESTRING 9", S(lb, LB_DELETESTRING, 9, 0));
    check_i("LB_GETCURSEL after delete", S(lb, LB_GETCURSEL, 0, 0));
    check_x("LB_GETITEMDATA of banana", S(lb, LB_GETITEMDATA, 1, 0));
    flush();
    check_i("LB_GETITEMHEIGHT", S(lb, LB_GETITEMHEIGHT, 0, 0));
    check_i("LB_GETTOPINDEX", S(lb, LB_GETTOPINDEX, 0, 0));
    check_i("LB_GETITEMRECT 1", S(lb, LB_GETITEMRECT, 1, (LPARAM)&rc));
    put("rect 1: "); put_i(rc.left); put(","); put_i(rc.top); put(","); put_i(rc.right); put(",");
    put_i(rc.bottom); put("\n");
    check_i("LB_ADDSTRING more", S(lb, LB_ADDSTRING, 0, (LPARAM)"kiwi"));
    S(lb, LB_ADDSTRING, 0, (LPARAM)"lime");
    S(lb, LB_ADDSTRING, 0, (LPARAM)"mango");
    check_i("LB_GETCOUNT 8", S(lb, LB_GETCOUNT, 0, 0));
    check_x("WS_VSCROLL with 8", GetWindowLongA(lb, GWL_STYLE) & WS_VSCROLL);
    si.cbSize = sizeof si;
    si.fMask = SIF_ALL;
    check_i("GetScrollInfo", GetScrollInfo(lb, SB_VERT, &si));
    put("scroll: "); put_i(si.nMin); put(".."); put_i(si.nMax); put(" page "); put_u(si.nPage);
    put(" pos "); put_i(si.nPos); put("\n");
    check_i("LB_SETTOPINDEX 5", S(lb, LB_SETTOPINDEX, 5, 0));
    check_i("LB_GETTOPINDEX after", S(lb, LB_GETTOPINDEX, 0, 0));
    check_i("GetScrollPos", GetScrollPos(lb, SB_VERT));
    check_i("LB_SETTOPINDEX 0", S(lb, LB_SETTOPINDEX, 0, 0));
    check_i("LB_SETITEMHEIGHT 20", S(lb, LB_SETITEMHEIGHT, 0, 20));
    check_i("LB_GETITEMHEIGHT 20", S(lb, LB_GETITEMHEIGHT, 0, 0));
    check_i("LB_SETITEMHEIGHT 300", S(lb, LB_SETITEMHEIGHT, 0, 300));
    S(lb, LB_SETITEMHEIGHT, 0, 16);
    flush();
    /* The mouse picks the second item; keys move and search. */
    S(lb, LB_SETCURSEL, 0, 0);
    S(lb, WM_LBUTTONDOWN, MK_LBUTTON, MAKELPARAM(5, 16 + 3));
    S(lb, WM_LBUTTONUP, 0, MAKELPARAM(5, 16 + 3));
    check_i("LB_GETCURSEL after click", S(lb, LB_GETCURSEL, 0, 0));
    S(lb, WM_KEYDOWN, VK_DOWN, 0);
    check_i("LB_GETCURSEL after VK_DOWN", S(lb, LB_GETCURSEL, 0, 0));
    S(lb, WM_KEYDOWN, VK_END, 0);
    check_i("LB_GETCURSEL after VK_END", S(lb, LB_GETCURSEL, 0, 0));
    S(lb, WM_CHAR, 'k', 0);
    check_i("LB_GETCURSEL after k", S(lb, LB_GETCURSEL, 0, 0));
    check_i("LB_RESETCONTENT", S(lb, LB_RESETCONTENT, 0, 0));
    check_i("LB_GETCOUNT after reset", S(lb, LB_GETCOUNT, 0, 0));
    check_x("WS_VSCROLL after reset", GetWindowLongA(lb, GWL_STYLE) & WS_VSCROLL);
    check_i("LB_GETCURSEL after reset", S(lb, LB_GETCURSEL, 0, 0));

    ms = make(0, "ListBox", "", LBS_MULTIPLESEL, 120, 10, 100, 100, 202);
    for (i = 0; i < 4; i++) S(ms, LB_ADDSTRING, 0, (LPARAM)"item");
    check_i("multi LB_SETSEL 0", S(ms, LB_SETSEL, TRUE, 0));
    check_i("multi LB_SETSEL 2", S(ms, LB_SETSEL, TRUE, 2));
    check_i("multi LB_SETSEL 9", S(ms, LB_SETSEL, TRUE, 9));
    check_i("multi LB_GETSELCOUNT", S(ms, LB_GETSELCOUNT, 0, 0));
    n = S(ms, LB_GETSELITEMS, 8, (LPARAM)items);
    put("multi LB_GETSELITEMS: "); put_i(n);
    for (i = 0; i < n; i++) { put(" "); put_i(items[i]); }
    put("\n");
    check_i("multi LB_SETCURSEL", S(ms, LB_SETCURSEL, 1, 0));
    check_i("multi LB_GETSEL 2", S(ms, LB_GETSEL, 2, 0) > 0);
    S(ms, WM_LBUTTONDOWN, MK_LBUTTON, MAKELPARAM(5, 16 + 3));
    S(ms, WM_LBUTTONUP, 0, MAKELPARAM(5, 16 + 3));
    check_i("multi count after click", S(ms, LB_GETSELCOUNT, 0, 0));
    check_i("multi LB_SETSEL -1 off", S(ms, LB_SETSEL, FALSE, -1));
    check_i("multi LB_GETSELCOUNT off", S(ms, LB_GETSELCOUNT, 0, 0));
    ex = make(0, "ListBox", "", LBS_EXTENDEDSEL, 230, 10, 100, 100, 203);
    for (i = 0; i < 5; i++) S(ex, LB_ADDSTRING, 0, (LPARAM)"ext");
    check_i("ext LB_SELITEMRANGE", S(ex, LB_SELITEMRANGE, TRUE, MAKELPARAM(1, 3)));
    check_i("ext LB_GETSELCOUNT", S(ex, LB_GETSELCOUNT, 0, 0));
    S(ex, WM_LBUTTONDOWN, MK_LBUTTON, MAKELPARAM(5, 3));
    S(ex, WM_LBUTTONUP, 0, MAKELPARAM(5, 3));
    check_i("ext count after click", S(ex, LB_GETSELCOUNT, 0, 0));
    S(ex, WM_LBUTTONDOWN, MK_LBUTTON | MK_SHIFT, MAKELPARAM(5, 2 * 16 + 3));
    S(ex, WM_LBUTTONUP, 0, MAKELPARAM(5, 2 * 16 + 3));
    check_i("ext count after shift-click", S(ex, LB_GETSELCOUNT, 0, 0));
    ls = make(0, "ListBox", "", LBS_OWNERDRAWFIXED, 340, 10, 100, 100, 204);
    check_i("no-strings LB_ADDSTRING", S(ls, LB_ADDSTRING, 0, 0x55));
    check_x("no-strings LB_GETITEMDATA", S(ls, LB_GETITEMDATA, 0, 0));
    check_i("no-strings LB_FINDSTRING", S(ls, LB_FINDSTRING, -1, 0x55));
    flush();
}

static void combos(void)
{
    HWND cb, ed, dl, sc, lst;
    char buf[64];
    DWORD a, b;
    RECT rc;

    put("== combobox\n");
    cb = make(0, "ComboBox", "", CBS_DROPDOWN | CBS_SORT | CBS_AUTOHSCROLL, 10, 150, 150, 120,
              301);
    flush();
    GetWindowRect(cb, &rc);
    check_i("CBS_DROPDOWN height", rc.bottom - rc.top);
    ed = FindWindowExA(cb, 0, "Edit", 0);
    check_u("has an edit", ed != 0);
    check_i("edit id", GetWindowLongA(ed, GWL_ID));
    check_i("add red", S(cb, CB_ADDSTRING, 0, (LPARAM)"red"));
    check_i("add green", S(cb, CB_ADDSTRING, 0, (LPARAM)"green"));
    check_i("add blue", S(cb, CB_ADDSTRING, 0, (LPARAM)"blue"));
    check_i("CB_GETCOUNT", S(cb, CB_GETCOUNT, 0, 0));
    check_i("CB_GETLBTEXT 1", S(cb, CB_GETLBTEXT, 1, (LPARAM)buf));
    put("item 1: "); put(buf); put("\n");
    check_i("CB_GETLBTEXTLEN 2", S(cb, CB_GETLBTEXTLEN, 2, 0));
    check_i("CB_GETLBTEXT 9", S(cb, CB_GETLBTEXT, 9, (LPARAM)buf));
    check_i("CB_FINDSTRING gr", S(cb, CB_FINDSTRING, -1, (LPARAM)"gr"));
    check_i("CB_FINDSTRINGEXACT RED", S(cb, CB_FINDSTRINGEXACT, -1, (LPARAM)"RED"));
    check_i("CB_GETCURSEL none", S(cb, CB_GETCURSEL, 0, 0));
    check_i("CB_SETCURSEL 1", S(cb, CB_SETCURSEL, 1, 0));
    check_i("CB_GETCURSEL", S(cb, CB_GETCURSEL, 0, 0));
    text_of("combo text", cb);
    a = b = 0xdead;
    S(cb, CB_GETEDITSEL, (WPARAM)&a, (LPARAM)&b);
    put("CB_GETEDITSEL: "); put_u(a); put(","); put_u(b); put("\n");
    check_i("CB_SETEDITSEL", S(cb, CB_SETEDITSEL, 0, MAKELPARAM(1, 3)));
    check_x("CB_GETEDITSEL after", S(cb, CB_GETEDITSEL, 0, 0));
    check_i("CB_SELECTSTRING bl", S(cb, CB_SELECTSTRING, -1, (LPARAM)"bl"));
    text_of("combo text after select", cb);
    flush();
    check_i("CB_SETITEMDATA", S(cb, CB_SETITEMDATA, 2, 77) != CB_ERR);
    check_i("CB_GETITEMDATA", S(cb, CB_GETITEMDATA, 2, 0));
    check_i("CB_GETDROPPEDSTATE", S(cb, CB_GETDROPPEDSTATE, 0, 0));
    check_i("CB_SHOWDROPDOWN TRUE", S(cb, CB_SHOWDROPDOWN, TRUE, 0));
    check_i("CB_GETDROPPEDSTATE dropped", S(cb, CB_GETDROPPEDSTATE, 0, 0));
    flush();
    check_i("CB_SHOWDROPDOWN FALSE", S(cb, CB_SHOWDROPDOWN, FALSE, 0));
    check_i("CB_GETDROPPEDSTATE closed", S(cb, CB_GETDROPPEDSTATE, 0, 0));
    flush();
    SetWindowTextA(cb, "typed");
    text_of("edit after SetWindowText", ed);
    flush();
    S(ed, EM_SETSEL, 5, 5);
    S(ed, WM_CHAR, 'z', 0);
    text_of("combo text after typing", cb);
    flush();
    check_i("CB_LIMITTEXT", S(cb, CB_LIMITTEXT, 6, 0));
    check_i("edit limit", S(ed, EM_GETLIMITTEXT, 0, 0));
    check_i("CB_GETITEMHEIGHT 0", S(cb, CB_GETITEMHEIGHT, 0, 0));
    check_i("CB_DELETESTRING 0", S(cb, CB_DELETESTRING, 0, 0));
    check_i("CB_RESETCONTENT", S(cb, CB_RESETCONTENT, 0, 0));
    check_i("CB_GETCOUNT after reset", S(cb, CB_GETCOUNT, 0, 0));
    flush();

    dl = make(0, "ComboBox", "", CBS_DROPDOWNLIST, 170, 150, 150, 120, 302);
    flush();
    check_u("dropdownlist has no edit", FindWindowExA(dl, 0, "Edit", 0) == 0);
    S(dl, CB_ADDSTRING, 0, (LPARAM)"one");
    S(dl, CB_ADDSTRING, 0, (LPARAM)"two");
    check_i("list CB_SETCURSEL 1", S(dl, CB_SETCURSEL, 1, 0));
    text_of("list text", dl);
    check_i("list WM_GETTEXTLENGTH", S(dl, WM_GETTEXTLENGTH, 0, 0));
    check_i("list CB_GETEDITSEL", S(dl, CB_GETEDITSEL, 0, 0));
    check_i("list CB_LIMITTEXT", S(dl, CB_LIMITTEXT, 5, 0));
    S(dl, WM_KEYDOWN, VK_UP, 0);
    check_i("list CB_GETCURSEL after VK_UP", S(dl, CB_GETCURSEL, 0, 0));
    text_of("list text after VK_UP", dl);
    flush();

    sc = make(0, "ComboBox", "", CBS_SIMPLE, 330, 150, 150, 120, 303);
    flush();
    lst = FindWindowExA(sc, 0, "ComboLBox", 0);
    check_u("simple has a list child", lst != 0);
    check_u("simple list visible", lst && IsWindowVisible(lst));
    check_i("simple list id", lst ? GetWindowLongA(lst, GWL_ID) : -1);
    GetWindowRect(sc, &rc);
    check_i("CBS_SIMPLE height", rc.bottom - rc.top);
    S(sc, CB_ADDSTRING, 0, (LPARAM)"alpha");
    S(sc, CB_ADDSTRING, 0, (LPARAM)"beta");
    check_i("simple CB_SETCURSEL 1", S(sc, CB_SETCURSEL, 1, 0));
    text_of("simple text", sc);
    flush();
}

static void scrollbars(void)
{
    HWND sb, w, v;
    SCROLLINFO si;
    int lo = -1, hi = -1;
    RECT rc;

    put("== scrollbar\n");
    sb = make(0, "ScrollBar", "", SBS_HORZ, 10, 300, 200, 16, 401);
    check_i("GetScrollRange", GetScrollRange(sb, SB_CTL, &lo, &hi));
    put("range: "); put_i(lo); put(".."); put_i(hi); put("\n");
    check_i("GetScrollPos", GetScrollPos(sb, SB_CTL));
    check_i("SetScrollRange", SetScrollRange(sb, SB_CTL, 0, 50, FALSE));
    check_i("SetScrollPos 20", SetScrollPos(sb, SB_CTL, 20, FALSE));
    check_i("SetScrollPos 30", SetScrollPos(sb, SB_CTL, 30, FALSE));
    check_i("GetScrollPos 30", GetScrollPos(sb, SB_CTL));
    check_i("SetScrollPos 99", SetScrollPos(sb, SB_CTL, 99, FALSE));
    check_i("GetScrollPos after 99", GetScrollPos(sb, SB_CTL));
    si.cbSize = sizeof si;
    si.fMask = SIF_PAGE | SIF_POS;
    si.nPage = 10;
    si.nPos = 45;
    check_i("SetScrollInfo page 10 pos 45", SetScrollInfo(sb, SB_CTL, &si, FALSE));
    si.fMask = SIF_ALL;
    check_i("GetScrollInfo", GetScrollInfo(sb, SB_CTL, &si));
    put("info: "); put_i(si.nMin); put(".."); put_i(si.nMax); put(" page "); put_u(si.nPage);
    put(" pos "); put_i(si.nPos); put("\n");
    si.cbSize = 3;
    check_i("SetScrollInfo bad size", SetScrollInfo(sb, SB_CTL, &si, FALSE));
    check_i("SBM_GETPOS", S(sb, SBM_GETPOS, 0, 0));
    check_i("SBM_SETPOS 5", S(sb, SBM_SETPOS, 5, FALSE));
    check_i("SBM_SETRANGE", S(sb, SBM_SETRANGE, 10, 20));
    S(sb, SBM_GETRANGE, (WPARAM)&lo, (LPARAM)&hi);
    put("SBM_GETRANGE: "); put_i(lo); put(".."); put_i(hi); put("\n");
    check_i("SBM_GETPOS after range", S(sb, SBM_GETPOS, 0, 0));
    check_i("EnableScrollBar", EnableScrollBar(sb, SB_CTL, ESB_DISABLE_BOTH));
    check_i("EnableScrollBar again", EnableScrollBar(sb, SB_CTL, ESB_DISABLE_BOTH));
    check_i("EnableScrollBar on", EnableScrollBar(sb, SB_CTL, ESB_ENABLE_BOTH));
    flush();
    /* A click on the right arrow and one on the track, the button going up at once. */
    PostMessageA(sb, WM_LBUTTONUP, 0, MAKELPARAM(195, 8));
    S(sb, WM_LBUTTONDOWN, MK_LBUTTON, MAKELPARAM(195, 8));
    flush();
    PostMessageA(sb, WM_LBUTTONUP, 0, MAKELPARAM(30, 8));
    S(sb, WM_LBUTTONDOWN, MK_LBUTTON, MAKELPARAM(30, 8));
    flush();

    check_i("SM_CXVSCROLL", GetSystemMetrics(SM_CXVSCROLL));
    check_i("SM_CYHSCROLL", GetSystemMetrics(SM_CYHSCROLL));
    check_i("SM_CYVSCROLL", GetSystemMetrics(SM_CYVSCROLL));
    check_i("SM_CXHSCROLL", GetSystemMetrics(SM_CXHSCROLL));
    w = CreateWindowExA(0, "Plain", "bars", WS_OVERLAPPED | WS_VSCROLL | WS_HSCROLL, 0, 0, 300,
                        200, 0, 0, 0, 0);
    GetClientRect(w, &rc);
    put("client with bars: "); put_i(rc.right); put("x"); put_i(rc.bottom); put("\n");
    check_i("window GetScrollRange", GetScrollRange(w, SB_VERT, &lo, &hi));
    put("window range: "); put_i(lo); put(".."); put_i(hi); put("\n");
    check_i("window SetScrollRange 0..0", SetScrollRange(w, SB_VERT, 0, 0, TRUE));
    check_x("WS_VSCROLL after 0..0", GetWindowLongA(w, GWL_STYLE) & WS_VSCROLL);
    GetClientRect(w, &rc);
    put("client without the vertical bar: "); put_i(rc.right); put("x"); put_i(rc.bottom);
    put("\n");
    check_i("window SetScrollRange 0..10", SetScrollRange(w, SB_VERT, 0, 10, TRUE));
    check_x("WS_VSCROLL after 0..10", GetWindowLongA(w, GWL_STYLE) & WS_VSCROLL);
    check_i("ShowScrollBar SB_HORZ off", ShowScrollBar(w, SB_HORZ, FALSE));
    check_x("WS_HSCROLL after", GetWindowLongA(w, GWL_STYLE) & WS_HSCROLL);
    GetClientRect(w, &rc);
    put("client with one bar: "); put_i(rc.right); put("x"); put_i(rc.bottom); put("\n");
    si.cbSize = sizeof si;
    si.fMask = SIF_ALL | SIF_DISABLENOSCROLL;
    si.nMin = 0;
    si.nMax = 99;
    si.nPage = 40;
    si.nPos = 80;
    check_i("window SetScrollInfo", SetScrollInfo(w, SB_VERT, &si, TRUE));
    si.fMask = SIF_ALL;
    GetScrollInfo(w, SB_VERT, &si);
    put("window info: "); put_i(si.nMin); put(".."); put_i(si.nMax); put(" page ");
    put_u(si.nPage); put(" pos "); put_i(si.nPos); put("\n");
    v = CreateWindowExA(0, "Plain", "none", WS_OVERLAPPED, 0, 0, 100, 100, 0, 0, 0, 0);
    check_i("no bar GetScrollPos", GetScrollPos(v, SB_HORZ));
    si.fMask = SIF_ALL;
    check_i("no bar GetScrollInfo", GetScrollInfo(v, SB_HORZ, &si));
    check_i("no bar SetScrollRange", SetScrollRange(v, SB_HORZ, 0, 5, FALSE));
    check_x("WS_HSCROLL after SetScrollRange", GetWindowLongA(v, GWL_STYLE) & WS_HSCROLL);
    check_i("GetScrollPos after", GetScrollPos(v, SB_HORZ));
    DestroyWindow(v);
    DestroyWindow(w);
    flush();
}

static void carets(void)
{
    POINT pt;
    put("== caret\n");
    check_i("CreateCaret", CreateCaret(g_parent, 0, 2, 10));
    check_i("SetCaretPos", SetCaretPos(5, 6));
    pt.x = pt.y = -1;
    check_i("GetCaretPos", GetCaretPos(&pt));
    put("caret at: "); put_i(pt.x); put(","); put_i(pt.y); put("\n");
    check_i("ShowCaret", ShowCaret(g_parent));
    check_i("ShowCaret again", ShowCaret(g_parent));
    check_i("HideCaret", HideCaret(g_parent));
    check_i("DestroyCaret", DestroyCaret());
    check_i("DestroyCaret again", DestroyCaret());
}

void __stdcall start(void)
{
    WNDCLASSA wc = {0};
    wc.lpfnWndProc = parent_proc;
    wc.hInstance = GetModuleHandleA(0);
    wc.lpszClassName = "Parent";
    RegisterClassA(&wc);
    wc.lpfnWndProc = DefWindowProcA;
    wc.lpszClassName = "Plain";
    RegisterClassA(&wc);
    g_parent = CreateWindowExA(0, "Parent", "controls", WS_OVERLAPPEDWINDOW, 0, 0, 640, 480, 0,
                               0, GetModuleHandleA(0), 0);
    edits();
    listboxes();
    combos();
    scrollbars();
    carets();
    DestroyWindow(g_parent);
    ExitProcess(0);
}
