/* xprocmsg.exe: messages between two processes of the machine (tests/gui.rs). Started
 * without arguments it makes a window and starts itself with "child"; the child finds the
 * window, sends it WM_USER (the parent's window procedure answers on the parent's thread),
 * sets and reads its text with WM_SETTEXT / WM_GETTEXT (marshalled between the address
 * spaces) and posts WM_USER + 1, which ends the parent's loop. */
#include "guest.h"

static LRESULT CALLBACK proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp)
{
    if (msg == WM_USER) {
        put("parent: WM_USER "); put_u((unsigned long)wp); put(" "); put_u((unsigned long)lp);
        put(" in sender's thread: "); put_u(InSendMessage() ? 1 : 0); put("\n");
        return (LRESULT)(wp * 100 + lp);
    }
    if (msg == WM_USER + 1) {
        PostQuitMessage((int)wp);
        return 0;
    }
    return DefWindowProcA(hwnd, msg, wp, lp);
}

static void child(void)
{
    HWND w = FindWindowA("xprocmsg", NULL);
    char text[32];
    LRESULT r;
    check_u("child: found the window", w != NULL);
    r = SendMessageA(w, WM_USER, 7, 9);
    check_u("child: SendMessage result", (unsigned long)r);
    check_u("child: WM_SETTEXT", (unsigned long)SendMessageA(w, WM_SETTEXT, 0, (LPARAM)"set by child"));
    r = SendMessageA(w, WM_GETTEXT, sizeof text, (LPARAM)text);
    check_u("child: WM_GETTEXT length", (unsigned long)r);
    put("child: text "); put(text); put("\n");
    check_u("child: GetWindowTextA length", (unsigned long)GetWindowTextA(w, text, sizeof text));
    check_u("child: PostMessage", PostMessageA(w, WM_USER + 1, 42, 0));
}

void __stdcall start(void)
{
    const char *line = GetCommandLineA();
    WNDCLASSA wc;
    HWND w;
    MSG m;
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    char cmd[] = "xprocmsg.exe child";
    char text[32];
    DWORD code = 0;

    while (*line && *line != ' ') line++;
    while (*line == ' ') line++;
    if (*line == 'c') {
        child();
        ExitProcess(0);
    }
    ZeroMemory(&wc, sizeof wc);
    wc.lpfnWndProc = proc;
    wc.hInstance = GetModuleHandleA(NULL);
    wc.lpszClassName = "xprocmsg";
    RegisterClassA(&wc);
    w = CreateWindowA("xprocmsg", "first", WS_OVERLAPPEDWINDOW, 0, 0, 200, 100, NULL, NULL, wc.hInstance, NULL);
    ZeroMemory(&si, sizeof si);
    si.cb = sizeof si;
    check_u("parent: CreateProcess", CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
    while (GetMessageA(&m, NULL, 0, 0) > 0) DispatchMessageA(&m);
    check_u("parent: quit code", (unsigned long)m.wParam);
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &code);
    check_u("parent: child exit code", code);
    GetWindowTextA(w, text, sizeof text);
    put("parent: text "); put(text); put("\n");
    ExitProcess(0);
}
