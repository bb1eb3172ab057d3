/* msgbench.exe: 20,000 round trips of a message through the thread's own queue: PostMessageA
 * (hWnd NULL: to the calling thread) of WM_APP with the round's number, GetMessageA of it
 * back; exits with code 0 when every message came back as posted (1 otherwise). The
 * user/post_get_message benchmark (benches/user.rs). */
#include "guest.h"

#define ROUNDS 20000

void __stdcall start(void)
{
    MSG msg;
    unsigned i;
    for (i = 0; i < ROUNDS; i++) {
        if (!PostMessageA(NULL, WM_APP, i, ~i))
            ExitProcess(1);
        if (GetMessageA(&msg, NULL, 0, 0) <= 0)
            ExitProcess(1);
        if (msg.message != WM_APP || msg.wParam != i || msg.lParam != (LPARAM)~i)
            ExitProcess(1);
    }
    put("msgbench done\n");
    ExitProcess(0);
}
