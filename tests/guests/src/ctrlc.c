/* Ctrl+C and Ctrl+Break whatever a program is doing. After printing "ready" it does what
 * its arguments say, for ever: "spin" computes without a call, "sleep" sleeps 10 s at a
 * time, "wait" waits 10 s at a time on an event nobody sets. "handler" first registers a
 * HandlerRoutine that prints the event ("ctrl: 0" for Ctrl+C, "ctrl: 1" for Ctrl+Break) and
 * returns TRUE, so the program goes on; "ignore" first calls SetConsoleCtrlHandler(NULL,
 * TRUE). "raw" reads input records with processed input off and window input on, printing
 * "key N" for each key typed (N its character) and "size WxH" for each new buffer size,
 * until a q. Driven by tests/console.rs and the terminal tests of the ntemu program. */
#include "guest.h"

static BOOL WINAPI handler(DWORD type)
{
    put("ctrl: "); put_u(type); put("\n");
    return TRUE;
}

/* True when `word` occurs in `text`. */
static int has(const char *text, const char *word)
{
    const char *t, *w;
    for (; *text; text++) {
        for (t = text, w = word; *w && *t == *w; t++, w++) {}
        if (!*w) return 1;
    }
    return 0;
}

void __stdcall start(void)
{
    const char *args = GetCommandLineA();
    volatile unsigned long n = 0;
    /* The arguments follow the program's name. */
    while (*args && *args != ' ') args++;
    if (has(args, "handler")) SetConsoleCtrlHandler(handler, TRUE);
    if (has(args, "ignore")) SetConsoleCtrlHandler(NULL, TRUE);
    put("ready\n");
    if (has(args, "raw")) {
        HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
        INPUT_RECORD r;
        DWORD got;
        SetConsoleMode(in, ENABLE_WINDOW_INPUT);
        for (;;) {
            if (!ReadConsoleInputA(in, &r, 1, &got)) ExitProcess(1);
            if (r.EventType == WINDOW_BUFFER_SIZE_EVENT) {
                put("size "); put_u(r.Event.WindowBufferSizeEvent.dwSize.X);
                put("x"); put_u(r.Event.WindowBufferSizeEvent.dwSize.Y); put("\n");
            } else if (r.EventType == KEY_EVENT && r.Event.KeyEvent.bKeyDown) {
                unsigned char c = (unsigned char)r.Event.KeyEvent.uChar.AsciiChar;
                if (c == 'q') ExitProcess(0);
                if (c) { put("key "); put_u(c); put("\n"); }
            }
        }
    }
    if (has(args, "sleep"))
        for (;;) Sleep(10000);
    if (has(args, "wait")) {
        HANDLE never = CreateEventA(NULL, TRUE, FALSE, NULL);
        for (;;) WaitForSingleObject(never, 10000);
    }
    for (;;) n++;
}
