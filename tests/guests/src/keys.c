/* Console key records: prints every input record ReadConsoleInputA returns until the key-up
 * of an unmodified Q, then one cooked line read with ReadFile (keys that type nothing are
 * not in it). Run by tests/console.rs with a key script of named keys and modifiers; the
 * expected output is tests/guests/expected/keys.expected. */
#include "guest.h"

static void put_hex(unsigned long v, int digits)
{
    static const char hex[] = "0123456789abcdef";
    char buf[9];
    int i;
    for (i = 0; i < digits; i++) buf[i] = hex[(v >> (4 * (digits - 1 - i))) & 0xf];
    buf[digits] = 0;
    put(buf);
}

void __stdcall start(void)
{
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    INPUT_RECORD rec;
    DWORD n, i;
    char line[64];

    for (;;) {
        KEY_EVENT_RECORD *k = &rec.Event.KeyEvent;
        if (!ReadConsoleInputA(in, &rec, 1, &n) || n != 1) {
            check_u("ReadConsoleInputA failed", GetLastError());
            ExitProcess(1);
        }
        if (rec.EventType != KEY_EVENT) {
            check_u("event type", rec.EventType);
            continue;
        }
        put(k->bKeyDown ? "down" : "up  ");
        put(" repeat="); put_u(k->wRepeatCount);
        put(" vk="); put_hex(k->wVirtualKeyCode, 2);
        put(" scan="); put_hex(k->wVirtualScanCode, 2);
        put(" char="); put_hex((unsigned char)k->uChar.AsciiChar, 2);
        put(" state="); put_hex(k->dwControlKeyState, 4);
        put("\n");
        if (!k->bKeyDown && k->wVirtualKeyCode == 'Q' && k->dwControlKeyState == 0) break;
    }

    if (!ReadFile(in, line, sizeof line, &n, NULL)) {
        check_u("ReadFile failed", GetLastError());
        ExitProcess(1);
    }
    put("cooked line:");
    for (i = 0; i < n; i++) {
        put(" ");
        put_hex((unsigned char)line[i], 2);
    }
    put("\n");
    ExitProcess(0);
}
