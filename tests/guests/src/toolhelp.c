/* toolhelp.exe: the Tool Help snapshot functions (Windows 2000's, which ntemu exports beyond
 * NT 4.0's KERNEL32) and GetProcAddress finding them.
 * The program starts a child (itself with an argument; the child waits on an inherited
 * event) and a second thread, takes snapshots and checks what it finds: itself and the child
 * with their parent ids and thread counts, its own threads, its own module first, the walk's
 * end (ERROR_NO_MORE_FILES) and restart, a dwSize too small (ERROR_INSUFFICIENT_BUFFER), a
 * handle that is not a snapshot, and a snapshot handle closed with CloseHandle.
 * tests/toolhelp.rs compares the output with toolhelp.expected. */
#include "guest.h"
#include <tlhelp32.h>

static int ends_with(const char *s, const char *tail)
{
    int n = 0, m = 0;
    while (s[n]) n++;
    while (tail[m]) m++;
    if (m > n) return 0;
    s += n - m;
    while (*tail) {
        char a = *s++, b = *tail++;
        if (a >= 'A' && a <= 'Z') a += 32;
        if (b >= 'A' && b <= 'Z') b += 32;
        if (a != b) return 0;
    }
    return 1;
}

static DWORD WINAPI sleeper(void *event)
{
    WaitForSingleObject((HANDLE)event, INFINITE);
    return 0;
}

void __stdcall start(void)
{
    const char *cmd = GetCommandLineA();
    SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
    HANDLE done, thread, snap;
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    PROCESSENTRY32 pe;
    PROCESSENTRY32W pw;
    THREADENTRY32 te;
    MODULEENTRY32 me;
    char line[300];
    char self[MAX_PATH];
    DWORD me_id = GetCurrentProcessId(), n, own_threads, found_self, found_child, ok, i;

    if (ends_with(cmd, " child")) {
        /* The child: wait until the parent sets the named event. */
        HANDLE ev = OpenEventA(SYNCHRONIZE, FALSE, "toolhelp-done");
        WaitForSingleObject(ev, INFINITE);
        ExitProcess(7);
    }

    check_u("GetProcAddress(CreateToolhelp32Snapshot) found",
            GetProcAddress(GetModuleHandleA("kernel32.dll"), "CreateToolhelp32Snapshot") != NULL);

    done = CreateEventA(&sa, TRUE, FALSE, "toolhelp-done");
    GetModuleFileNameA(NULL, self, sizeof self);
    for (i = 0; self[i]; i++) line[i] = self[i];
    line[i] = 0;
    {
        const char *a = " child";
        while (*a) line[i++] = *a++;
        line[i] = 0;
    }
    for (i = 0; i < sizeof si; i++) ((char *)&si)[i] = 0;
    si.cb = sizeof si;
    check_u("CreateProcess", CreateProcessA(self, line, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
    thread = CreateThread(NULL, 0, sleeper, done, 0, NULL);

    snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS | TH32CS_SNAPTHREAD, 0);
    check_u("snapshot made", snap != INVALID_HANDLE_VALUE);

    /* Processes: this one (2 threads, its own file name) and the child (parent = this). */
    found_self = found_child = 0;
    n = 0;
    pe.dwSize = sizeof pe;
    for (ok = Process32First(snap, &pe); ok; ok = Process32Next(snap, &pe)) {
        n++;
        if (pe.th32ProcessID == me_id) {
            found_self = 1;
            check_u("self threads", pe.cntThreads);
            check_u("self exe is toolhelp.exe", ends_with(pe.szExeFile, "toolhelp.exe"));
        }
        if (pe.th32ProcessID == pi.dwProcessId) {
            found_child = 1;
            check_u("child parent is self", pe.th32ParentProcessID == me_id);
            check_u("child threads", pe.cntThreads);
        }
    }
    check_u("walk end error", GetLastError());
    check_u("found self", found_self);
    check_u("found child", found_child);
    check_u("at least two processes", n >= 2);
    check_u("Process32Next after the end", Process32Next(snap, &pe));
    check_u("Process32First restarts", Process32First(snap, &pe));

    pw.dwSize = sizeof pw;
    ok = Process32FirstW(snap, &pw);
    check_u("Process32FirstW", ok);

    pe.dwSize = 8;
    check_u("dwSize too small", Process32First(snap, &pe));
    check_u("dwSize too small error", GetLastError());

    /* Threads: this process's two. */
    own_threads = 0;
    te.dwSize = sizeof te;
    for (ok = Thread32First(snap, &te); ok; ok = Thread32Next(snap, &te))
        if (te.th32OwnerProcessID == me_id) own_threads++;
    check_u("own threads listed", own_threads);

    check_u("CloseHandle(snapshot)", CloseHandle(snap));
    pe.dwSize = sizeof pe;
    check_u("walk on a closed handle", Process32First(snap, &pe));
    check_u("closed handle error", GetLastError());
    check_u("walk on an event handle", Process32First(done, &pe));
    check_u("event handle error", GetLastError());

    /* Modules of this process: its image first. */
    snap = CreateToolhelp32Snapshot(TH32CS_SNAPMODULE, 0);
    me.dwSize = sizeof me;
    ok = Module32First(snap, &me);
    check_u("Module32First", ok);
    check_u("first module is the image", ok && me.hModule == GetModuleHandleA(NULL));
    check_u("first module name", ok && ends_with(me.szModule, "toolhelp.exe"));
    check_u("first module owner", me.th32ProcessID == me_id);
    n = 0;
    for (ok = Module32Next(snap, &me); ok; ok = Module32Next(snap, &me))
        if (ends_with(me.szModule, "kernel32.dll")) n++;
    check_u("kernel32 listed", n);
    CloseHandle(snap);

    /* A module list of a process that does not exist. */
    snap = CreateToolhelp32Snapshot(TH32CS_SNAPMODULE, 0x7ffffff0);
    check_u("module snapshot of no process", snap == INVALID_HANDLE_VALUE);
    check_u("no process error", GetLastError());

    SetEvent(done);
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &n);
    check_u("child exit code", n);
    WaitForSingleObject(thread, INFINITE);
    ExitProcess(0);
}
