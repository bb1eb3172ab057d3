/* Current directories are per process: a child starts in its parent's (or in
 * CreateProcessA's lpCurrentDirectory), and SetCurrentDirectoryA in the child does not move
 * the parent. Run with a root (tests/files.rs); "cwd.exe child" is the child. */
#include "guest.h"

static void show(const char *who)
{
    char dir[MAX_PATH];
    GetCurrentDirectoryA(sizeof dir, dir);
    put(who); put(": "); put(dir); put("\n");
}

static void spawn(const char *directory)
{
    char cmd[] = "cwd.exe child";
    STARTUPINFOA si = { sizeof si };
    PROCESS_INFORMATION pi;
    if (!CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, directory, &si, &pi)) {
        check_u("CreateProcessA error", GetLastError());
        return;
    }
    WaitForSingleObject(pi.hProcess, INFINITE);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
}

void __stdcall start(void)
{
    const char *cmd = GetCommandLineA();
    const char *p = cmd;
    while (*p && *p != ' ') p++;
    if (*p == ' ' && p[1] == 'c') {
        show("child starts in");
        SetCurrentDirectoryA("C:\\two");
        show("child moved to");
        ExitProcess(0);
    }
    CreateDirectoryA("C:\\one", NULL);
    CreateDirectoryA("C:\\two", NULL);
    SetCurrentDirectoryA("C:\\one");
    show("parent");
    spawn(NULL);
    show("parent after the child moved");
    spawn("C:\\two");
    spawn("C:\\nosuch");
    spawn("C:\\one\\..\\.");
    ExitProcess(0);
}
