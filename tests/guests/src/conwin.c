/* conwin.exe: the console's window and screen, waits on the console input, and leaving and
 * joining the console. GetConsoleWindow with IsWindow and GetClientRect (the window's client
 * area is its screen buffer window in font cells), GetSystemMetrics and SPI_GETWORKAREA
 * (against GetLargestConsoleWindowSize), SetConsoleFont and GetConsoleFontInfo,
 * GetConsoleTitle's length with a short buffer, GetConsoleOriginalTitle; WaitForSingleObject
 * on the console input (signalled while input records wait); AttachConsole with a console
 * (ERROR_ACCESS_DENIED); after FreeConsole: RTL_USER_PROCESS_PARAMETERS.ConsoleHandle NULL,
 * no console to open (CONOUT$, CONIN$, CreateConsoleScreenBuffer), no window, AttachConsole
 * to no process; the consoles of children (GUI and console programs, with the creation flags
 * DETACHED_PROCESS, CREATE_NEW_CONSOLE and CREATE_NO_WINDOW) of a process without and with a
 * console; AllocConsole again. One line per check
 * ("name: value"); NT's values in expected/conwin.expected. */
#include "guest.h"

#define CHECK_FAIL(name, expr) do { DWORD v_; SetLastError(0); v_ = (DWORD)(expr); \
    check_u(name, v_); check_u(name " last_error", GetLastError()); } while (0)

typedef struct { DWORD nFont; COORD dwFontSize; } font_info;
BOOL WINAPI SetConsoleFont(HANDLE, DWORD);
DWORD WINAPI GetConsoleFontInfo(HANDLE, BOOL, DWORD, font_info *);
DWORD WINAPI GetNumberOfConsoleFonts(void);
PVOID NTAPI RtlGetCurrentPeb(void);

/* A copy of this program whose PE header names `subsystem`. */
static void copy_with_subsystem(const char *to, WORD subsystem)
{
    static BYTE image[0x10000];
    char self[MAX_PATH];
    HANDLE f;
    DWORD size = 0, n;
    GetModuleFileNameA(NULL, self, sizeof(self));
    f = CreateFileA(self, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    ReadFile(f, image, sizeof(image), &size, NULL);
    CloseHandle(f);
    *(WORD *)(image + *(DWORD *)(image + 0x3C) + 0x5C) = subsystem;
    f = CreateFileA(to, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    WriteFile(f, image, size, &n, NULL);
    CloseHandle(f);
}

/* The console a child started with `flags` finds: 1 console, 2 connection, 4 window. */
static DWORD child_bits(const char *exe, DWORD flags)
{
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    char command[MAX_PATH + 16];
    DWORD code = 99;
    lstrcpyA(command, exe);
    lstrcatA(command, " check");
    ZeroMemory(&si, sizeof(si));
    si.cb = sizeof(si);
    if (!CreateProcessA(NULL, command, NULL, NULL, FALSE, flags, NULL, NULL, &si, &pi))
        return 100 + GetLastError();
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return code;
}

static void children(const char *when)
{
    static const DWORD flags[] = { 0, DETACHED_PROCESS, CREATE_NEW_CONSOLE, CREATE_NO_WINDOW,
                                   DETACHED_PROCESS | CREATE_NO_WINDOW,
                                   CREATE_NEW_CONSOLE | CREATE_NO_WINDOW };
    static const char *names[] = { "0", "DETACHED", "NEW_CONSOLE", "NO_WINDOW",
                                   "DETACHED|NO_WINDOW", "NEW_CONSOLE|NO_WINDOW" };
    char gui[MAX_PATH], cui[MAX_PATH];
    int i;
    GetTempPathA(MAX_PATH, gui);
    lstrcatA(gui, "conwin_gui.exe");
    GetTempPathA(MAX_PATH, cui);
    lstrcatA(cui, "conwin_cui.exe");
    copy_with_subsystem(gui, IMAGE_SUBSYSTEM_WINDOWS_GUI);
    copy_with_subsystem(cui, IMAGE_SUBSYSTEM_WINDOWS_CUI);
    for (i = 0; i < 6; i++) {
        put(when); put(" gui child "); put(names[i]);
        check_u("", child_bits(gui, flags[i]));
    }
    for (i = 0; i < 6; i++) {
        put(when); put(" cui child "); put(names[i]);
        check_u("", child_bits(cui, flags[i]));
    }
    DeleteFileA(gui);
    DeleteFileA(cui);
}

/* PEB.ProcessParameters->ConsoleHandle. */
static DWORD console_connection(void)
{
    BYTE *peb = RtlGetCurrentPeb();
    BYTE *parameters = *(BYTE **)(peb + 0x10);
    return *(DWORD *)(parameters + 0x10);
}

void __stdcall start(void)
{
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE), in = GetStdHandle(STD_INPUT_HANDLE);
    HANDLE h;
    HWND hwnd;
    RECT r;
    CONSOLE_SCREEN_BUFFER_INFO sbi;
    CONSOLE_FONT_INFO cfi;
    font_info fonts[2];
    COORD largest, font;
    INPUT_RECORD record;
    DWORD n;
    char title[64];
    WCHAR wtitle[8];

    if (lstrcmpA(GetCommandLineA() + lstrlenA(GetCommandLineA()) - 6, " check") == 0) {
        DWORD bits = 0;
        if (GetConsoleCP() != 0) bits |= 1;
        if (console_connection()) bits |= 2;
        if (IsWindow(GetConsoleWindow())) bits |= 4;
        ExitProcess(bits);
    }

    /* The window. */
    hwnd = GetConsoleWindow();
    check_u("GetConsoleWindow", hwnd != NULL);
    check_u("IsWindow(console)", IsWindow(hwnd));
    check_u("IsWindow(NULL)", IsWindow(NULL));
    GetConsoleScreenBufferInfo(out, &sbi);
    GetCurrentConsoleFont(out, FALSE, &cfi);
    font = GetConsoleFontSize(out, cfi.nFont);
    check_u("GetClientRect", GetClientRect(hwnd, &r));
    check_u("client width in cells",
            (r.right - r.left) / font.X == sbi.srWindow.Right - sbi.srWindow.Left + 1);
    check_u("client height in cells",
            (r.bottom - r.top) / font.Y == sbi.srWindow.Bottom - sbi.srWindow.Top + 1);
    CHECK_FAIL("GetClientRect(not a window)", GetClientRect((HWND)0x1234, &r));

    /* The screen: the largest window fills the work area less a caption. */
    check_u("SPI_GETWORKAREA", SystemParametersInfoW(SPI_GETWORKAREA, 0, &r, 0));
    largest = GetLargestConsoleWindowSize(out);
    check_u("largest width fills the work area", largest.X == (r.right - r.left) / font.X);
    check_u("largest height fills the work area",
            largest.Y == (r.bottom - r.top - GetSystemMetrics(SM_CYCAPTION)) / font.Y);
    check_u("SM_CXSCREEN", GetSystemMetrics(SM_CXSCREEN));
    check_u("SM_CYSCREEN", GetSystemMetrics(SM_CYSCREEN));

    /* Fonts. */
    check_u("GetNumberOfConsoleFonts", GetNumberOfConsoleFonts());
    check_u("SetConsoleFont(0)", SetConsoleFont(out, 0));
    CHECK_FAIL("SetConsoleFont(input)", SetConsoleFont(in, 0));
    CHECK_FAIL("SetConsoleFont(1)", SetConsoleFont(out, 1));
    SetLastError(0);
    check_u("GetConsoleFontInfo(0 fonts)", GetConsoleFontInfo(out, FALSE, 0, fonts));
    check_u("GetConsoleFontInfo(0 fonts) last_error", GetLastError());
    CHECK_FAIL("GetConsoleFontInfo(input)", GetConsoleFontInfo(in, FALSE, 1, fonts));
    check_u("GetConsoleFontInfo", GetConsoleFontInfo(out, FALSE, 2, fonts) != 0);
    check_u("font info: font 0", fonts[0].nFont);
    check_u("font info: window width",
            fonts[0].dwFontSize.X == sbi.srWindow.Right - sbi.srWindow.Left + 1);

    /* Titles. */
    SetConsoleTitleA("test");
    check_u("GetConsoleTitleW(2) gives the whole length", GetConsoleTitleW(wtitle, 2));
    check_u("GetConsoleTitleW(2) cut", wtitle[0] == 't' && wtitle[1] == 0);
    check_u("GetConsoleOriginalTitleA(0)", GetConsoleOriginalTitleA(title, 0));
    check_u("GetConsoleOriginalTitleA", GetConsoleOriginalTitleA(title, sizeof(title)) != 0);
    check_u("original title is not the new one", lstrcmpA(title, "test") != 0);

    /* Waiting on the console input. */
    FlushConsoleInputBuffer(in);
    check_u("input wait, empty", WaitForSingleObject(in, 0));
    record.EventType = KEY_EVENT;
    record.Event.KeyEvent.bKeyDown = TRUE;
    record.Event.KeyEvent.wRepeatCount = 1;
    record.Event.KeyEvent.wVirtualKeyCode = VK_RETURN;
    record.Event.KeyEvent.wVirtualScanCode = 0x1c;
    record.Event.KeyEvent.uChar.UnicodeChar = '\r';
    record.Event.KeyEvent.dwControlKeyState = 0;
    WriteConsoleInputW(in, &record, 1, &n);
    check_u("input wait, one record", WaitForSingleObject(in, 0));
    FlushConsoleInputBuffer(in);
    check_u("input wait, flushed", WaitForSingleObject(in, 0));

    /* Joining and leaving. */
    check_u("connection with a console", console_connection() != 0);
    CHECK_FAIL("AttachConsole with a console", AttachConsole(ATTACH_PARENT_PROCESS));
    check_u("FreeConsole", FreeConsole());
    check_u("connection without a console", console_connection());
    h = CreateFileA("CONOUT$", GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, 0);
    check_u("CONOUT$ without a console", h == INVALID_HANDLE_VALUE);
    check_u("CONOUT$ without a console last_error", GetLastError());
    h = CreateFileA("CONIN$", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, 0);
    check_u("CONIN$ without a console", h == INVALID_HANDLE_VALUE);
    check_u("CONIN$ without a console last_error", GetLastError());
    h = CreateConsoleScreenBuffer(GENERIC_READ | GENERIC_WRITE, 0, NULL,
                                  CONSOLE_TEXTMODE_BUFFER, NULL);
    check_u("CreateConsoleScreenBuffer without a console", h == INVALID_HANDLE_VALUE);
    check_u("CreateConsoleScreenBuffer without a console last_error", GetLastError());
    CHECK_FAIL("GetConsoleWindow without a console", GetConsoleWindow());
    CHECK_FAIL("AttachConsole(no such process)", AttachConsole(0xFFFFFFF0));
    children("without a console:");
    check_u("AllocConsole", AllocConsole());
    children("with a console:");
    check_u("connection again", console_connection() != 0);
    check_u("GetConsoleWindow again", GetConsoleWindow() != NULL);
    put("done\n");
    ExitProcess(0);
}
