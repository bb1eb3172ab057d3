/* conapi.exe: the console functions' W forms and the rest NT 4.0's KERNEL32 exports:
 * WriteConsoleInputA/W with key, mouse and focus records read back by Read/PeekConsoleInputW
 * and ReadConsoleW, mouse-move coalescing, GenerateConsoleCtrlEvent reaching a handler,
 * Get/SetConsoleInputExeName, OpenConsoleW, VerifyConsoleIoHandle, IsValidCodePage, the W
 * output functions, GetCurrentConsoleFont/GetConsoleFontSize, a screen buffer read as a
 * file, and writing with wrapping off at the row's end. One line per check ("name: value
 * [last error]"); expected values (NT 4.0's) in expected/conapi.expected. Run with no keys. */
#include "guest.h"

__declspec(dllimport) HANDLE WINAPI OpenConsoleW(LPCWSTR, DWORD, BOOL, DWORD);
__declspec(dllimport) BOOL WINAPI VerifyConsoleIoHandle(HANDLE);
__declspec(dllimport) BOOL WINAPI GetConsoleInputExeNameA(DWORD, LPSTR);
__declspec(dllimport) BOOL WINAPI SetConsoleInputExeNameA(LPCSTR);

static void res(const char *name, unsigned long value)
{
    DWORD e = GetLastError();
    put(name); put(": "); put_i((long)value); put(" "); put_u(e); put("\n");
}
#define R(name, call) do { SetLastError(0); res(name, (unsigned long)(call)); } while (0)

static void str(const char *name, const char *value)
{
    put(name); put(": "); put(value); put("\n");
}

static HANDLE ctrl_event;
static DWORD ctrl_seen = 0xffffffff;

static BOOL WINAPI handler(DWORD event)
{
    ctrl_seen = event;
    SetEvent(ctrl_event);
    return TRUE;
}

static void key(INPUT_RECORD *r, WCHAR ch, BOOL down)
{
    ZeroMemory(r, sizeof *r);
    r->EventType = KEY_EVENT;
    r->Event.KeyEvent.bKeyDown = down;
    r->Event.KeyEvent.wRepeatCount = 1;
    r->Event.KeyEvent.wVirtualKeyCode = ch == '\r' ? VK_RETURN : 'A';
    r->Event.KeyEvent.uChar.UnicodeChar = ch;
}

static void input(HANDLE in)
{
    INPUT_RECORD r[4], got[8];
    DWORD n = 0, i;
    WCHAR wbuf[16];
    char abuf[16];

    SetConsoleMode(in, ENABLE_PROCESSED_INPUT | ENABLE_LINE_INPUT | ENABLE_ECHO_INPUT);
    FlushConsoleInputBuffer(in);
    key(&r[0], 0xe9, TRUE); /* e acute: OEM 437 0x82 */
    ZeroMemory(&r[1], sizeof r[1]);
    r[1].EventType = MOUSE_EVENT;
    r[1].Event.MouseEvent.dwMousePosition.X = 3;
    r[1].Event.MouseEvent.dwEventFlags = MOUSE_MOVED;
    ZeroMemory(&r[2], sizeof r[2]);
    r[2].EventType = FOCUS_EVENT;
    r[2].Event.FocusEvent.bSetFocus = TRUE;
    R("write input W", WriteConsoleInputW(in, r, 3, &n));
    check_u("written", n);
    R("events", GetNumberOfConsoleInputEvents(in, &n));
    check_u("events count", n);
    R("peek W", PeekConsoleInputW(in, got, 8, &n));
    check_u("peeked", n);
    check_x("peek key char", got[0].Event.KeyEvent.uChar.UnicodeChar);
    check_u("peek mouse type", got[1].EventType);
    check_u("peek mouse x", got[1].Event.MouseEvent.dwMousePosition.X);
    check_u("peek focus", got[2].EventType == FOCUS_EVENT && got[2].Event.FocusEvent.bSetFocus);
    R("peek A", PeekConsoleInputA(in, got, 1, &n));
    check_x("peek A key char", (unsigned char)got[0].Event.KeyEvent.uChar.AsciiChar);

    /* A single mouse move after a queued mouse move takes its place. */
    r[1].Event.MouseEvent.dwMousePosition.X = 7;
    R("write mouse move", WriteConsoleInputA(in, &r[1], 1, &n));
    R("events after move", GetNumberOfConsoleInputEvents(in, &n));
    check_u("events after move count", n);
    R("write two moves", WriteConsoleInputA(in, &r[1], 1, &n));
    R("write list", WriteConsoleInputA(in, r + 1, 2, &n));
    R("events after list", GetNumberOfConsoleInputEvents(in, &n));
    check_u("events after list count", n);
    R("read W", ReadConsoleInputW(in, got, 8, &n));
    check_u("read count", n);
    check_x("read key char", got[0].Event.KeyEvent.uChar.UnicodeChar);
    check_u("read mouse x", got[1].Event.MouseEvent.dwMousePosition.X);
    R("events after read", GetNumberOfConsoleInputEvents(in, &n));
    check_u("events after read count", n);

    /* Bad arguments. */
    R("write input unreadable", WriteConsoleInputA(in, NULL, 1, &n));
    R("write input not input", WriteConsoleInputA(GetStdHandle(STD_OUTPUT_HANDLE), r, 1, &n));
    R("write input none", WriteConsoleInputA(in, r, 0, &n));
    check_u("write input none count", n);

    /* A cooked line typed through WriteConsoleInputW, read by ReadConsoleW. */
    key(&r[0], 'h', TRUE);
    key(&r[1], 0xe9, TRUE);
    key(&r[2], '\r', TRUE);
    R("write line", WriteConsoleInputW(in, r, 3, &n));
    R("read console W", ReadConsoleW(in, wbuf, 16, &n, NULL));
    check_u("read console W count", n);
    for (i = 0; i < n && i < 4; i++) check_x("read console W char", wbuf[i]);
    key(&r[0], 'z', TRUE);
    key(&r[1], '\r', TRUE);
    WriteConsoleInputW(in, r, 2, &n);
    R("read console A", ReadConsoleA(in, abuf, 16, &n, NULL));
    check_u("read console A count", n);
    key(&r[0], 'q', TRUE);
    WriteConsoleInputW(in, r, 1, &n);
    R("flush file input", FlushFileBuffers(in));
    GetNumberOfConsoleInputEvents(in, &n);
    check_u("events after flush file", n);
    R("read console W huge", ReadConsoleW(in, wbuf, (DWORD)-128, &n, NULL));
    R("read console W on output", ReadConsoleW(GetStdHandle(STD_OUTPUT_HANDLE), wbuf, 16, &n, NULL));
}

static void output(HANDLE out)
{
    HANDLE sb = CreateConsoleScreenBuffer(GENERIC_READ | GENERIC_WRITE, 0, NULL, CONSOLE_TEXTMODE_BUFFER, NULL);
    COORD c = {0, 0}, size;
    CHAR_INFO ci[3];
    SMALL_RECT rect;
    CONSOLE_SCREEN_BUFFER_INFO info;
    CONSOLE_FONT_INFO font;
    WCHAR w[8];
    char a[8];
    DWORD n, mode;
    COORD fs;

    R("write chars W", WriteConsoleOutputCharacterW(sb, L"\x00e9xy", 3, c, &n));
    check_u("write chars W count", n);
    R("read chars A", ReadConsoleOutputCharacterA(sb, a, 3, c, &n));
    check_x("read chars A 0", (unsigned char)a[0]);
    check_x("read chars A 2", (unsigned char)a[2]);
    R("read chars W", ReadConsoleOutputCharacterW(sb, w, 3, c, &n));
    check_x("read chars W 0", w[0]);
    check_x("read chars W 2", w[2]);

    ci[0].Char.UnicodeChar = 0xfc; ci[0].Attributes = 0x1e;
    ci[1].Char.UnicodeChar = 'Q'; ci[1].Attributes = 0x2f;
    size.X = 2; size.Y = 1;
    rect.Left = 5; rect.Top = 1; rect.Right = 6; rect.Bottom = 1;
    R("write output W", WriteConsoleOutputW(sb, ci, size, c, &rect));
    ZeroMemory(ci, sizeof ci);
    R("read output W", ReadConsoleOutputW(sb, ci, size, c, &rect));
    check_x("read output W char", ci[0].Char.UnicodeChar);
    check_x("read output W attr", ci[0].Attributes);
    R("read output A", ReadConsoleOutputA(sb, ci, size, c, &rect));
    check_x("read output A char", (unsigned char)ci[0].Char.AsciiChar);

    /* WriteConsoleOutput's region: inverted or a coordinate outside the array is
     * ERROR_INVALID_PARAMETER, wholly outside the buffer succeeds; both leave it as given. */
    rect.Left = 5; rect.Top = 1; rect.Right = 4; rect.Bottom = 1;
    R("write output inverted", WriteConsoleOutputW(sb, ci, size, c, &rect));
    check_u("inverted region kept", rect.Left == 5 && rect.Right == 4);
    c.X = 2;
    rect.Left = 5; rect.Top = 1; rect.Right = 6; rect.Bottom = 1;
    R("write output coord outside", WriteConsoleOutputW(sb, ci, size, c, &rect));
    c.X = 0;
    rect.Left = 500; rect.Top = 1; rect.Right = 501; rect.Bottom = 1;
    R("write output outside", WriteConsoleOutputW(sb, ci, size, c, &rect));
    check_u("outside region kept", rect.Left == 500 && rect.Right == 501);
    rect.Left = 5; rect.Top = 1; rect.Right = 9; rect.Bottom = 3;
    R("write output clipped", WriteConsoleOutputW(sb, ci, size, c, &rect));
    check_u("clipped right", rect.Right);
    check_u("clipped bottom", rect.Bottom);

    ci[0].Char.UnicodeChar = 0xe9; ci[0].Attributes = 0x07;
    rect.Left = 0; rect.Top = 0; rect.Right = 2; rect.Bottom = 0;
    c.X = 0; c.Y = 3;
    R("scroll W", ScrollConsoleScreenBufferW(sb, &rect, NULL, c, &ci[0]));
    c.X = 0; c.Y = 0;
    R("scroll fill", ReadConsoleOutputCharacterW(sb, w, 1, c, &n));
    check_x("scroll fill char", w[0]);
    c.Y = 3;
    ReadConsoleOutputCharacterW(sb, w, 3, c, &n);
    check_x("scrolled char", w[1]);

    /* Wrapping off: a run reaching the row's end goes on where it began. */
    GetConsoleScreenBufferInfo(sb, &info);
    GetConsoleMode(sb, &mode);
    SetConsoleMode(sb, ENABLE_PROCESSED_OUTPUT);
    c.X = info.dwSize.X - 3; c.Y = 5;
    SetConsoleCursorPosition(sb, c);
    R("write no wrap", WriteConsoleA(sb, "abcde\nf", 7, &n, NULL));
    ReadConsoleOutputCharacterA(sb, a, 3, c, &n);
    a[3] = 0;
    str("row end", a);
    GetConsoleScreenBufferInfo(sb, &info);
    check_u("cursor x", info.dwCursorPosition.X);
    check_u("cursor y", info.dwCursorPosition.Y);

    /* Fonts. */
    R("font", GetCurrentConsoleFont(sb, FALSE, &font));
    check_u("font number", font.nFont);
    check_u("font window x", font.dwFontSize.X == info.srWindow.Right - info.srWindow.Left + 1);
    R("font max", GetCurrentConsoleFont(sb, TRUE, &font));
    check_u("font max x", font.dwFontSize.X == info.dwMaximumWindowSize.X);
    R("font input", GetCurrentConsoleFont(GetStdHandle(STD_INPUT_HANDLE), FALSE, &font));
    SetLastError(0);
    fs = GetConsoleFontSize(sb, 0);
    res("font size", fs.X * 100 + fs.Y);
    SetLastError(0);
    fs = GetConsoleFontSize(sb, 1);
    res("font size other", fs.X * 100 + fs.Y);
    R("mouse buttons", GetNumberOfConsoleMouseButtons(&n));
    check_u("mouse buttons count", n);

    c.X = 500; c.Y = 0;
    n = 0xdead;
    R("write chars outside", WriteConsoleOutputCharacterA(sb, "x", 1, c, &n));
    check_u("write chars outside count", n);
    /* A new buffer takes the active one's window and attributes, which are also its
     * pop-up attributes (the Vista Ex functions show them). */
    {
        CONSOLE_SCREEN_BUFFER_INFOEX ex, ex2;
        CONSOLE_FONT_INFOEX fx;
        HANDLE sb2;
        WORD orig;
        ex.cbSize = sizeof ex;
        R("info ex", GetConsoleScreenBufferInfoEx(out, &ex));
        check_x("info ex popup", ex.wPopupAttributes);
        check_x("info ex colour 9", ex.ColorTable[9]);
        orig = ex.wAttributes;
        SetConsoleTextAttribute(out, 0x21);
        sb2 = CreateConsoleScreenBuffer(GENERIC_READ | GENERIC_WRITE, 0, NULL, CONSOLE_TEXTMODE_BUFFER, NULL);
        ex2.cbSize = sizeof ex2;
        R("info ex new", GetConsoleScreenBufferInfoEx(sb2, &ex2));
        check_x("new attributes", ex2.wAttributes);
        check_x("new popup", ex2.wPopupAttributes);
        check_u("new window same", ex2.srWindow.Right == ex.srWindow.Right && ex2.srWindow.Bottom == ex.srWindow.Bottom);
        ex2.wPopupAttributes = 0x4e;
        R("set info ex", SetConsoleScreenBufferInfoEx(sb2, &ex2));
        GetConsoleScreenBufferInfoEx(sb2, &ex2);
        check_x("set popup", ex2.wPopupAttributes);
        CloseHandle(sb2);
        SetConsoleTextAttribute(out, orig);
        ex2.cbSize = 0;
        R("info ex bad size", GetConsoleScreenBufferInfoEx(out, &ex2));
        fx.cbSize = sizeof fx;
        R("font ex", GetCurrentConsoleFontEx(out, FALSE, &fx));
        check_u("font ex size", fx.dwFontSize.X * 100 + fx.dwFontSize.Y);
        R("set font ex", SetCurrentConsoleFontEx(out, FALSE, &fx));
        fx.cbSize = 0;
        R("set font ex bad size", SetCurrentConsoleFontEx(out, FALSE, &fx));
    }

    R("read file screen buffer", ReadFile(sb, a, 1, &n, NULL));
    R("flush screen buffer", FlushFileBuffers(sb));
    CloseHandle(sb);
}

void __stdcall start(void)
{
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE), h;
    char name[64];

    put("-- input\n");
    input(in);
    put("-- output\n");
    output(GetStdHandle(STD_OUTPUT_HANDLE));

    put("-- misc\n");
    ctrl_event = CreateEventA(NULL, TRUE, FALSE, NULL);
    SetConsoleCtrlHandler(handler, TRUE);
    R("ctrl break", GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, 0));
    R("ctrl wait", WaitForSingleObject(ctrl_event, 5000));
    check_u("ctrl seen", ctrl_seen);
    R("ctrl bad event", GenerateConsoleCtrlEvent(7, 0));
    R("ctrl bad group", GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0x7ffffff0));

    R("exe name", GetConsoleInputExeNameA(sizeof name, name));
    str("exe name is", name);
    R("exe name short", GetConsoleInputExeNameA(3, name));
    R("set exe name empty", SetConsoleInputExeNameA(""));
    R("set exe name", SetConsoleInputExeNameA("other.exe"));
    GetConsoleInputExeNameA(sizeof name, name);
    str("exe name now", name);

    SetLastError(0);
    h = OpenConsoleW(L"CONIN$", GENERIC_READ | GENERIC_WRITE, FALSE, OPEN_EXISTING);
    res("open conin", h != INVALID_HANDLE_VALUE);
    R("verify conin", VerifyConsoleIoHandle(h));
    CloseHandle(h);
    SetLastError(0);
    h = OpenConsoleW(L"conout$", GENERIC_WRITE, FALSE, OPEN_EXISTING);
    res("open conout", h != INVALID_HANDLE_VALUE);
    R("read file conout", ReadFile(h, name, 1, (DWORD *)&name[60], NULL));
    CloseHandle(h);
    SetLastError(0);
    h = OpenConsoleW(L"CONIN$", GENERIC_READ, FALSE, OPEN_ALWAYS);
    res("open conin open-always", h != INVALID_HANDLE_VALUE);
    SetLastError(0);
    h = OpenConsoleW(L"NUL", GENERIC_READ, FALSE, OPEN_EXISTING);
    res("open other", h != INVALID_HANDLE_VALUE);
    h = CreateEventA(NULL, FALSE, FALSE, NULL);
    R("verify event", VerifyConsoleIoHandle(h));
    R("verify bad", VerifyConsoleIoHandle((HANDLE)0xdeadbee3));

    R("code page 437", IsValidCodePage(437));
    R("code page 1252", IsValidCodePage(1252));
    R("code page CP_ACP", IsValidCodePage(CP_ACP));
    R("code page 12345", IsValidCodePage(12345));
    put("-- end\n");
    ExitProcess(0);
}
