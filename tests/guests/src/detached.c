/* Standard handles of a child by creation flags (tests/thrstart.rs): NT's CreateProcess gives
 * a DETACHED_PROCESS child without STARTF_USESTDHANDLES no standard handles (NULL in its
 * process parameters), one with STARTF_USESTDHANDLES the handles named, and a child on its
 * creator's console the creator's. The child reports its handles through its exit code. */
#include "guest.h"

static const char *arg_of(void)
{
    const char *c = GetCommandLineA();
    const char *last = c;
    for (; *c; c++) if (*c == ' ') last = c + 1;
    return last;
}

static DWORD run_child(DWORD flags, STARTUPINFOA *si)
{
    char name[MAX_PATH], line[MAX_PATH + 16];
    PROCESS_INFORMATION pi;
    DWORD i, n, code = 0xdead;
    n = GetModuleFileNameA(NULL, name, sizeof(name));
    line[0] = '"';
    for (i = 0; i < n; i++) line[1 + i] = name[i];
    line[1 + n] = '"';
    line[2 + n] = ' ';
    for (i = 0; i < 6; i++) line[3 + n + i] = "child"[i];
    if (!CreateProcessA(NULL, line, NULL, NULL, TRUE, flags, NULL, NULL, si, &pi)) return 0xbad;
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    return code;
}

void __stdcall start(void)
{
    STARTUPINFOA si;
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };
    HANDLE event;
    DWORD i, code;
    const char *a = arg_of();
    if (a[0] == 'c' && a[1] == 'h') {
        /* All three handles in one word: equal ones give the value, otherwise 0xffff. */
        HANDLE in = GetStdHandle(STD_INPUT_HANDLE), out = GetStdHandle(STD_OUTPUT_HANDLE),
               err = GetStdHandle(STD_ERROR_HANDLE);
        ExitProcess(in == out && out == err ? (DWORD)out : 0xffff);
    }
    for (i = 0; i < sizeof(si); i++) ((char *)&si)[i] = 0;
    si.cb = sizeof(si);
    code = run_child(DETACHED_PROCESS, &si);
    check_x("DETACHED_PROCESS child's standard handles", code);
    event = CreateEventA(&sa, TRUE, FALSE, NULL);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = si.hStdOutput = si.hStdError = event;
    code = run_child(DETACHED_PROCESS, &si);
    check_u("with STARTF_USESTDHANDLES the handles given", code == (DWORD)event);
    si.dwFlags = 0;
    si.hStdInput = si.hStdOutput = si.hStdError = NULL;
    SetStdHandle(STD_INPUT_HANDLE, event);
    SetStdHandle(STD_OUTPUT_HANDLE, event);
    SetStdHandle(STD_ERROR_HANDLE, event);
    code = run_child(0, &si);
    SetStdHandle(STD_OUTPUT_HANDLE, g_out);
    check_u("a child on the console gets its creator's", code == (DWORD)event);
    ExitProcess(0);
}
