/* Reads its console input with ReadFile until the end and reports each read: cooked
 * (line) input gives whole lines ending in CR LF. Used by tests/console.rs. */
#include "guest.h"

void __stdcall start(void)
{
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    char buf[64];
    DWORD n, i;
    int reads = 0;
    for (;;) {
        if (!ReadFile(in, buf, sizeof buf - 1, &n, NULL)) {
            check_u("ReadFile failed", GetLastError());
            ExitProcess(1);
        }
        if (n == 0) break;
        put("read ");
        put_u(n);
        put(":");
        for (i = 0; i < n; i++) {
            if (buf[i] == '\r') put(" CR");
            else if (buf[i] == '\n') put(" LF");
            else { char c[3] = { ' ', buf[i], 0 }; put(c); }
        }
        put("\n");
        reads++;
    }
    check_u("reads", reads);
    ExitProcess(0);
}
