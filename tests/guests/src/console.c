/* Console input and screen-buffer functions: the key queue (run with the keys "ab"),
 * cell runs, rectangles, scrolling, sizes and windows, modes, WriteConsoleW, control
 * handlers and Beep. Prints one line per check; the expected values are NT's documented
 * behaviour (see expected/console.expected). */
#include "guest.h"

static void check_b(const char *name, BOOL ok)
{
    put(name); put(": ");
    if (ok) put("ok"); else { put("failed "); put_u(GetLastError()); }
    put("\n");
}

static void check_fail(const char *name, BOOL ok)
{
    put(name); put(": ");
    if (ok) put("succeeded"); else { put("error "); put_u(GetLastError()); }
    put("\n");
}

static BOOL WINAPI handler(DWORD type) { (void)type; return TRUE; }

void __stdcall start(void)
{
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    HANDLE b;
    DWORD n = 0, mode = 0, t0;
    INPUT_RECORD rec[4];
    CONSOLE_SCREEN_BUFFER_INFO info;
    SMALL_RECT r;
    COORD at;
    char text[8];
    WORD attrs[3];
    CHAR_INFO cells[4], back[9];
    CHAR_INFO fill;
    int i;

    /* The key queue: "ab" is four events, a down, a up, b down, b up. */
    check_b("GetNumberOfConsoleInputEvents", GetNumberOfConsoleInputEvents(in, &n));
    check_u("events", n);
    check_b("PeekConsoleInputA", PeekConsoleInputA(in, rec, 1, &n));
    check_u("peeked", n);
    check_u("EventType", rec[0].EventType);
    check_u("bKeyDown", rec[0].Event.KeyEvent.bKeyDown);
    check_x("wVirtualKeyCode", rec[0].Event.KeyEvent.wVirtualKeyCode);
    check_x("wVirtualScanCode", rec[0].Event.KeyEvent.wVirtualScanCode);
    check_u("AsciiChar", (unsigned char)rec[0].Event.KeyEvent.uChar.AsciiChar);
    GetNumberOfConsoleInputEvents(in, &n);
    check_u("events after peek", n);
    check_b("ReadConsoleInputA", ReadConsoleInputA(in, rec, 2, &n));
    check_u("read", n);
    check_u("second bKeyDown", rec[1].Event.KeyEvent.bKeyDown);
    GetNumberOfConsoleInputEvents(in, &n);
    check_u("events after read", n);
    check_b("FlushConsoleInputBuffer", FlushConsoleInputBuffer(in));
    GetNumberOfConsoleInputEvents(in, &n);
    check_u("events after flush", n);
    check_fail("ReadConsoleInputA on an output handle",
               ReadConsoleInputA(GetStdHandle(STD_OUTPUT_HANDLE), rec, 1, &n));
    check_b("GetConsoleMode input", GetConsoleMode(in, &mode));
    check_x("input mode", mode);
    check_fail("SetConsoleMode input bad bits", SetConsoleMode(in, 0x100));

    /* A screen buffer of its own: the window first, then the size. */
    b = CreateConsoleScreenBuffer(GENERIC_READ | GENERIC_WRITE, 0, NULL,
                                  CONSOLE_TEXTMODE_BUFFER, NULL);
    at.X = 40; at.Y = 10;
    check_fail("SetConsoleScreenBufferSize below the window", SetConsoleScreenBufferSize(b, at));
    r.Left = 0; r.Top = 0; r.Right = 39; r.Bottom = 9;
    check_b("SetConsoleWindowInfo", SetConsoleWindowInfo(b, TRUE, &r));
    check_b("SetConsoleScreenBufferSize", SetConsoleScreenBufferSize(b, at));
    GetConsoleScreenBufferInfo(b, &info);
    check_u("width", info.dwSize.X);
    check_u("height", info.dwSize.Y);
    check_u("window right", info.srWindow.Right);
    check_u("window bottom", info.srWindow.Bottom);
    r.Left = 1; r.Top = 0; r.Right = 1; r.Bottom = 0;
    check_fail("SetConsoleWindowInfo past the buffer", SetConsoleWindowInfo(b, FALSE, &r));

    /* Cell runs wrap to the next row. */
    at.X = 38; at.Y = 0;
    check_b("WriteConsoleOutputCharacterA", WriteConsoleOutputCharacterA(b, "hello", 5, at, &n));
    check_u("written", n);
    check_b("ReadConsoleOutputCharacterA", ReadConsoleOutputCharacterA(b, text, 5, at, &n));
    text[n] = 0;
    put("read back: "); put(text); put("\n");
    at.X = 39; at.Y = 9;
    ReadConsoleOutputCharacterA(b, text, 5, at, &n);
    check_u("read at the end", n);
    at.X = 0; at.Y = 1;
    FillConsoleOutputAttribute(b, 0x1E, 2, at, &n);
    check_b("ReadConsoleOutputAttribute", ReadConsoleOutputAttribute(b, attrs, 3, at, &n));
    check_x("attribute 0", attrs[0]);
    check_x("attribute 2", attrs[2]);
    at.X = 40; at.Y = 0;
    check_fail("ReadConsoleOutputAttribute outside", ReadConsoleOutputAttribute(b, attrs, 1, at, &n));

    /* Rectangles: a 2x2 block written, then read back with a region clipped by the buffer. */
    for (i = 0; i < 4; i++) { cells[i].Char.AsciiChar = (char)('A' + i); cells[i].Attributes = 0x20 + i; }
    at.X = 2; at.Y = 2;
    r.Left = 38; r.Top = 8; r.Right = 39; r.Bottom = 9;
    {
        COORD origin = {0, 0};
        check_b("WriteConsoleOutputA", WriteConsoleOutputA(b, cells, at, origin, &r));
        r.Left = 38; r.Top = 8; r.Right = 45; r.Bottom = 12;
        at.X = 3; at.Y = 3;
        check_b("ReadConsoleOutputA", ReadConsoleOutputA(b, back, at, origin, &r));
    }
    check_u("region right", r.Right);
    check_u("region bottom", r.Bottom);
    put("cells: ");
    {
        char s[5] = { back[0].Char.AsciiChar, back[1].Char.AsciiChar,
                      back[3].Char.AsciiChar, back[4].Char.AsciiChar, 0 };
        put(s);
    }
    put("\n");
    check_x("cell attribute", back[4].Attributes);

    /* Scrolling row 0 down one row fills the uncovered cells. */
    at.X = 0; at.Y = 5;
    WriteConsoleOutputCharacterA(b, "ABCD", 4, at, &n);
    r.Left = 0; r.Top = 5; r.Right = 3; r.Bottom = 5;
    fill.Char.AsciiChar = '*'; fill.Attributes = 0x07;
    at.X = 0; at.Y = 6;
    check_b("ScrollConsoleScreenBufferA", ScrollConsoleScreenBufferA(b, &r, NULL, at, &fill));
    at.X = 0; at.Y = 5;
    ReadConsoleOutputCharacterA(b, text, 4, at, &n);
    text[n] = 0;
    put("row 5 after scroll: "); put(text); put("\n");
    at.Y = 6;
    ReadConsoleOutputCharacterA(b, text, 4, at, &n);
    text[n] = 0;
    put("row 6 after scroll: "); put(text); put("\n");
    r.Left = 50; r.Top = 50; r.Right = 60; r.Bottom = 60;
    check_fail("ScrollConsoleScreenBufferA outside", ScrollConsoleScreenBufferA(b, &r, NULL, at, &fill));

    /* Modes: without processed output a line feed is a glyph. */
    check_b("SetConsoleMode output 0", SetConsoleMode(b, 0));
    GetConsoleMode(b, &mode);
    check_x("output mode", mode);
    at.X = 0; at.Y = 7;
    SetConsoleCursorPosition(b, at);
    WriteConsoleA(b, "\n", 1, &n, NULL);
    ReadConsoleOutputCharacterA(b, text, 1, at, &n);
    check_x("glyph", (unsigned char)text[0]);
    check_fail("SetConsoleMode output bad bits", SetConsoleMode(b, 0x10));

    /* WriteConsoleW stores the OEM (437) character. */
    at.X = 0; at.Y = 8;
    SetConsoleCursorPosition(b, at);
    check_b("WriteConsoleW", WriteConsoleW(b, L"\x00e9!", 2, &n, NULL));
    check_u("chars written", n);
    ReadConsoleOutputCharacterA(b, text, 2, at, &n);
    check_x("OEM e-acute", (unsigned char)text[0]);

    /* Control handlers. */
    check_b("SetConsoleCtrlHandler add", SetConsoleCtrlHandler(handler, TRUE));
    check_b("SetConsoleCtrlHandler remove", SetConsoleCtrlHandler(handler, FALSE));
    check_fail("SetConsoleCtrlHandler remove again", SetConsoleCtrlHandler(handler, FALSE));
    check_b("SetConsoleCtrlHandler ignore", SetConsoleCtrlHandler(NULL, TRUE));

    /* Beep takes its duration. */
    t0 = GetTickCount();
    check_b("Beep", Beep(440, 250));
    check_u("beep lasted at least 250 ms", GetTickCount() - t0 >= 250);
    CloseHandle(b);
    ExitProcess(0);
}
