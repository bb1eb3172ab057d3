/* Console control handlers: Ctrl+C calls the HandlerRoutines newest first on a thread of
 * their own until one returns TRUE; when none does, the process ends with
 * STATUS_CONTROL_C_EXIT. Typed keys are echoed. Driven by tests/console.rs. */
#include "guest.h"

static int b_calls;

static BOOL WINAPI handler_a(DWORD type)
{
    put("a: "); put_u(type); put("\n");
    return FALSE;
}

/* TRUE the first time only. */
static BOOL WINAPI handler_b(DWORD type)
{
    b_calls++;
    put("b: "); put_u(type); put("\n");
    return b_calls == 1;
}

void __stdcall start(void)
{
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    INPUT_RECORD r;
    DWORD n;
    SetConsoleCtrlHandler(handler_a, TRUE);
    SetConsoleCtrlHandler(handler_b, TRUE);
    for (;;) {
        if (!ReadConsoleInputA(in, &r, 1, &n)) ExitProcess(1);
        if (r.EventType == KEY_EVENT && r.Event.KeyEvent.bKeyDown) {
            char s[2] = { r.Event.KeyEvent.uChar.AsciiChar, 0 };
            put("key "); put(s); put("\n");
        }
    }
}
