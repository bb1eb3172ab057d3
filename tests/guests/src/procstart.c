/* procstart.exe: CreateProcess's parameter checks and what a child gets of its creator's
 * STARTUPINFO, as NT 4.0 does them: an empty application name (ERROR_PATH_NOT_FOUND), a current
 * directory that does not exist (ERROR_DIRECTORY), PROCESS_INFORMATION cleared on failure; the
 * desktop and title given back by GetStartupInfoA/W (the creator's own desktop when it names
 * none); OpenProcess refusing a right NT 4.0 does not define; SetErrorMode as NTDLL's
 * ProcessDefaultHardErrorMode; the working-set limits; a thread's start address.
 * Children report through their exit codes. tests/procstart.rs compares the output with
 * procstart.expected. */
#include "guest.h"

typedef LONG (__stdcall *query_fn)(HANDLE, ULONG, void *, ULONG, ULONG *);

static char self[MAX_PATH];

static int same(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}

static int same_w(const WCHAR *a, const char *b)
{
    if (!a || !b) return (void *)a == (void *)b;
    while (*a && *a == (WCHAR)*b) { a++; b++; }
    return *a == (WCHAR)*b;
}

/* The child's report: bit 0 ANSI desktop, bit 1 ANSI title, bit 2 wide desktop, bit 3 wide
 * title as expected (a NULL title: not checked); bit 4 the same strings on a second call. */
static DWORD startup_report(const char *desktop, const char *title)
{
    STARTUPINFOA a, a2;
    STARTUPINFOW w;
    DWORD r = 0;

    GetStartupInfoA(&a);
    GetStartupInfoA(&a2);
    GetStartupInfoW(&w);
    if (same(a.lpDesktop, desktop)) r |= 1;
    if (title && same(a.lpTitle, title)) r |= 2;
    if (same_w(w.lpDesktop, desktop)) r |= 4;
    if (title && same_w(w.lpTitle, title)) r |= 8;
    if (a.lpDesktop == a2.lpDesktop && a.lpTitle == a2.lpTitle) r |= 16;
    return r;
}

static DWORD run(const char *args, const char *desktop, const char *title)
{
    char line[MAX_PATH + 64];
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    DWORD code = 0xffffffff, i = 0, j = 0;

    line[i++] = '"';
    while (self[j]) line[i++] = self[j++];
    line[i++] = '"';
    line[i++] = ' ';
    for (j = 0; args[j]; j++) line[i++] = args[j];
    line[i] = 0;
    ZeroMemory(&si, sizeof(si));
    si.cb = sizeof(si);
    si.lpDesktop = (char *)desktop;
    si.lpTitle = (char *)title;
    if (!CreateProcessA(NULL, line, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) return 0xfffffffe;
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return code;
}

static void creation_errors(void)
{
    char line[MAX_PATH + 16];
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    DWORD i = 0, j = 0, *w = (DWORD *)&pi, zero;
    BOOL ok;

    while (self[j]) line[i++] = self[j++];
    line[i] = 0;
    ZeroMemory(&si, sizeof(si));
    si.cb = sizeof(si);

    FillMemory(&pi, sizeof(pi), 0xcc);
    SetLastError(0xdeadbeef);
    ok = CreateProcessA("", line, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi);
    check_u("empty application name", ok);
    check_u("empty application name error", GetLastError());

    FillMemory(&pi, sizeof(pi), 0xcc);
    SetLastError(0xdeadbeef);
    ok = CreateProcessA(NULL, line, NULL, NULL, FALSE, 0, NULL, "C:\\no such folder\\below", &si, &pi);
    check_u("missing directory", ok);
    check_u("missing directory error", GetLastError());
    zero = w[0] | w[1] | w[2] | w[3];
    check_x("PROCESS_INFORMATION after failure", zero);
}

static DWORD __stdcall thread_proc(void *arg)
{
    return (DWORD)arg;
}

static void details(void)
{
    query_fn qp = (query_fn)GetProcAddress(GetModuleHandleA("ntdll.dll"), "NtQueryInformationProcess");
    query_fn qt = (query_fn)GetProcAddress(GetModuleHandleA("ntdll.dll"), "NtQueryInformationThread");
    DWORD mode = 0xdeadbeef, len, mn = 0, mx = 0, start = 0, tid;
    HANDLE h, t;

    SetLastError(0xdeadbeef);
    h = OpenProcess(0x1000 /* PROCESS_QUERY_LIMITED_INFORMATION, Vista */, FALSE, GetCurrentProcessId());
    check_u("OpenProcess with a Vista right", h != NULL);
    check_u("OpenProcess with a Vista right error", GetLastError());
    h = OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, GetCurrentProcessId());
    check_u("OpenProcess PROCESS_QUERY_INFORMATION", h != NULL);
    CloseHandle(h);

    check_x("ProcessDefaultHardErrorMode", qp(GetCurrentProcess(), 12, &mode, 4, &len));
    check_u("hard error mode at start", mode);
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
    qp(GetCurrentProcess(), 12, &mode, 4, &len);
    check_x("hard error mode after SetErrorMode", mode);
    SetErrorMode(0);

    GetProcessWorkingSetSize(GetCurrentProcess(), &mn, &mx);
    check_u("working set minimum", mn);
    check_u("working set maximum", mx);
    check_u("SetProcessWorkingSetSize", SetProcessWorkingSetSize(GetCurrentProcess(), 0x100000, 0x400000));
    GetProcessWorkingSetSize(GetCurrentProcess(), &mn, &mx);
    check_x("working set minimum set", mn);
    check_x("working set maximum set", mx);

    t = CreateThread(NULL, 0, thread_proc, (void *)7, CREATE_SUSPENDED, &tid);
    check_x("ThreadQuerySetWin32StartAddress", qt(t, 9, &start, 4, &len));
    check_u("start address is the routine", start == (DWORD)thread_proc);
    ResumeThread(t);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
}

void __stdcall start(void)
{
    const char *line = GetCommandLineA();

    GetModuleFileNameA(NULL, self, sizeof(self));
    /* Children: "desk" and "inherit" report their STARTUPINFO strings; "spawn" starts a
     * grandchild naming no desktop and passes its report on. */
    if (*line == '"') { line++; while (*line && *line != '"') line++; if (*line) line++; }
    else while (*line && *line != ' ') line++;
    while (*line == ' ') line++;
    if (same(line, "desk")) ExitProcess(startup_report("WinSta0\\Default", "a title"));
    if (same(line, "inherit")) ExitProcess(startup_report("WinSta0\\Default", NULL));
    if (same(line, "spawn")) ExitProcess(run("inherit", NULL, NULL));

    creation_errors();
    check_u("child with desktop and title", run("desk", "WinSta0\\Default", "a title"));
    check_u("grandchild of a desktop", run("spawn", "WinSta0\\Default", NULL));
    details();
    ExitProcess(0);
}
