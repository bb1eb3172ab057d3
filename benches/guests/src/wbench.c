/* wbench.exe WORKLOAD SIZE [LIVE]: the NT guest of `ntemu bench` (emulator/src/bench/).
 * Runs one workload of the given size, timing only the work with QueryPerformanceCounter,
 * and prints one line:
 *   result=0xXXXXXXXX ticks=T freq=F failures=K
 * (for `kbcurve`, first one line `calls=C delta=D` per STEP calls: the caller's handle count
 * against its count before the first call). Exits 0 when every call succeeded, 1 otherwise
 * (a failing CreateRemoteThread counts only in `failures`, as fault injection makes it fail).
 *
 * Workloads: handles (CreateEventA + CloseHandle pairs), handles-live (the same with LIVE
 * events kept open first), remote (CreateRemoteThread into a child process, the thread run,
 * waited for and closed), kbcurve (remote, with handle counts every SIZE/20 calls), threads
 * (CreateThread, exit, wait, close), events (ping-pong between two threads over two
 * auto-reset events), heap (HeapAlloc/HeapFree of 24 bytes), virtual (VirtualAlloc/VirtualFree
 * of 64 KiB, one page touched), file (SIZE 4 KiB writes to a new file, then SIZE reads,
 * the file deleted), pipes (64-byte round trips through an echo thread over two anonymous
 * pipes), and the CPU-bound ones of work.h: compute, copy, fib. */
#include "../../../tests/guests/src/guest.h"
#include "work.h"

static HANDLE g_e1, g_e2, g_to_echo_r, g_to_echo_w, g_back_r, g_back_w;

static DWORD WINAPI idle(LPVOID p) { return (DWORD)(ULONG_PTR)p; }

static DWORD WINAPI ponger(LPVOID p)
{
    DWORD n = (DWORD)(ULONG_PTR)p, i;
    for (i = 0; i < n; i++) {
        if (WaitForSingleObject(g_e1, INFINITE) != WAIT_OBJECT_0) return 1;
        SetEvent(g_e2);
    }
    return 0;
}

static int read_all(HANDLE h, char *buf, DWORD n)
{
    DWORD got = 0, r;
    while (got < n) {
        if (!ReadFile(h, buf + got, n - got, &r, NULL) || r == 0) return 0;
        got += r;
    }
    return 1;
}

static DWORD WINAPI echo(LPVOID p)
{
    char buf[64];
    DWORD n = (DWORD)(ULONG_PTR)p, i, w;
    for (i = 0; i < n; i++) {
        if (!read_all(g_to_echo_r, buf, sizeof buf)) return 1;
        if (!WriteFile(g_back_w, buf, sizeof buf, &w, NULL) || w != sizeof buf) return 2;
    }
    return 0;
}

static const char *skip_word(const char *s)
{
    if (*s == '"') {
        s++;
        while (*s && *s != '"') s++;
        if (*s) s++;
    } else {
        while (*s && *s != ' ') s++;
    }
    while (*s == ' ') s++;
    return s;
}

static DWORD number(const char *s)
{
    DWORD n = 0;
    while (*s >= '0' && *s <= '9') n = n * 10 + (DWORD)(*s++ - '0');
    return n;
}

static int is(const char *word, const char *name)
{
    while (*name && *word == *name) { word++; name++; }
    return !*name && (*word == ' ' || *word == 0);
}

void __stdcall start(void)
{
    const char *line = skip_word(GetCommandLineA());
    const char *sizep = skip_word(line);
    DWORD n = number(sizep), live = number(skip_word(sizep));
    DWORD failures = 0, i, j, w;
    unsigned int result = 0;
    LARGE_INTEGER t0, t1, freq;
    char name[32];
    HANDLE *keep = NULL, h, marker = NULL;
    PROCESS_INFORMATION pi;

    for (i = 0; i < sizeof name - 1 && line[i] && line[i] != ' '; i++) name[i] = line[i];
    name[i] = 0;
    pi.hProcess = pi.hThread = NULL;
    if (is(line, "child")) {
        marker = OpenEventA(SYNCHRONIZE, FALSE, "ntemu-wbench-parent");
        if (marker) WaitForSingleObject(marker, INFINITE);
        ExitProcess(0);
    }
    if (is(line, "remote") || is(line, "kbcurve")) {
        char path[MAX_PATH + 16];
        STARTUPINFOA si;
        DWORD len = GetModuleFileNameA(NULL, path + 1, MAX_PATH);
        path[0] = '"';
        for (j = 0; j < 8; j++) path[1 + len + j] = "\" child"[j];
        for (j = 0; j < sizeof si; j++) ((char *)&si)[j] = 0;
        si.cb = sizeof si;
        marker = CreateEventA(NULL, TRUE, FALSE, "ntemu-wbench-parent");
        if (!CreateProcessA(NULL, path, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
            put("cannot start the child process\n");
            ExitProcess(1);
        }
    }
    if (is(line, "handles-live")) {
        keep = (HANDLE *)VirtualAlloc(NULL, live * sizeof(HANDLE) + 1, MEM_COMMIT, PAGE_READWRITE);
        for (i = 0; keep && i < live; i++)
            if (!(keep[i] = CreateEventA(NULL, FALSE, FALSE, NULL))) failures++;
    }
    QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t0);
    if (is(line, "handles") || is(line, "handles-live")) {
        for (i = 0; i < n; i++) {
            h = CreateEventA(NULL, FALSE, FALSE, NULL);
            if (!h || !CloseHandle(h)) failures++;
            result += (DWORD)(ULONG_PTR)h;
        }
    } else if (is(line, "remote") || is(line, "kbcurve")) {
        DWORD before = 0, now = 0, step = n / 20 ? n / 20 : 1, calls = 0;
        int curve = is(line, "kbcurve");
        GetProcessHandleCount(GetCurrentProcess(), &before);
        if (curve) { put("calls=0 delta=0\n"); }
        for (i = 0; i < n; i++) {
            h = CreateRemoteThread(pi.hProcess, NULL, 0, idle, (LPVOID)(ULONG_PTR)i, 0, NULL);
            if (h) {
                if (WaitForSingleObject(h, INFINITE) != WAIT_OBJECT_0) failures++;
                CloseHandle(h);
            } else {
                result++;
            }
            calls++;
            if (curve && calls % step == 0) {
                GetProcessHandleCount(GetCurrentProcess(), &now);
                put("calls="); put_u(calls); put(" delta="); put_i((long)now - (long)before); put("\n");
            }
        }
    } else if (is(line, "threads")) {
        for (i = 0; i < n; i++) {
            DWORD code = ~i;
            h = CreateThread(NULL, 0, idle, (LPVOID)(ULONG_PTR)i, 0, NULL);
            if (!h || WaitForSingleObject(h, INFINITE) != WAIT_OBJECT_0
                || !GetExitCodeThread(h, &code) || code != i || !CloseHandle(h))
                failures++;
        }
        result = n;
    } else if (is(line, "events")) {
        g_e1 = CreateEventA(NULL, FALSE, FALSE, NULL);
        g_e2 = CreateEventA(NULL, FALSE, FALSE, NULL);
        h = CreateThread(NULL, 0, ponger, (LPVOID)(ULONG_PTR)n, 0, NULL);
        for (i = 0; i < n; i++) {
            SetEvent(g_e1);
            if (WaitForSingleObject(g_e2, INFINITE) != WAIT_OBJECT_0) { failures++; break; }
        }
        if (!h || WaitForSingleObject(h, INFINITE) != WAIT_OBJECT_0) failures++;
        result = i;
    } else if (is(line, "heap")) {
        HANDLE heap = GetProcessHeap();
        for (i = 0; i < n; i++) {
            char *p = (char *)HeapAlloc(heap, 0, 24);
            if (!p) { failures++; continue; }
            p[0] = (char)i;
            result += (BYTE)p[0];
            if (!HeapFree(heap, 0, p)) failures++;
        }
    } else if (is(line, "virtual")) {
        for (i = 0; i < n; i++) {
            char *p = (char *)VirtualAlloc(NULL, 65536, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
            if (!p) { failures++; continue; }
            p[4096] = (char)i;
            result += (BYTE)p[4096];
            if (!VirtualFree(p, 0, MEM_RELEASE)) failures++;
        }
    } else if (is(line, "file")) {
        char path[MAX_PATH + 32];
        static char block[4096];
        DWORD len = GetTempPathA(MAX_PATH, path);
        for (j = 0; j < 16; j++) path[len + j] = "ntemu-wbench.tmp"[j];
        path[len + 16] = 0;
        h = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                        FILE_ATTRIBUTE_NORMAL, NULL);
        if (h == INVALID_HANDLE_VALUE) failures++;
        for (i = 0; h != INVALID_HANDLE_VALUE && i < n; i++) {
            block[i % sizeof block] = (char)i;
            if (!WriteFile(h, block, sizeof block, &w, NULL) || w != sizeof block) failures++;
        }
        SetFilePointer(h, 0, NULL, FILE_BEGIN);
        for (i = 0; h != INVALID_HANDLE_VALUE && i < n; i++) {
            if (!ReadFile(h, block, sizeof block, &w, NULL) || w != sizeof block) failures++;
            result += (BYTE)block[i % sizeof block];
        }
        CloseHandle(h);
        if (!DeleteFileA(path)) failures++;
    } else if (is(line, "pipes")) {
        char out[64], in[64];
        CreatePipe(&g_to_echo_r, &g_to_echo_w, NULL, 4096);
        CreatePipe(&g_back_r, &g_back_w, NULL, 4096);
        h = CreateThread(NULL, 0, echo, (LPVOID)(ULONG_PTR)n, 0, NULL);
        for (i = 0; i < n; i++) {
            for (j = 0; j < sizeof out; j++) out[j] = (char)(i + j);
            if (!WriteFile(g_to_echo_w, out, sizeof out, &w, NULL) || w != sizeof out) { failures++; break; }
            if (!read_all(g_back_r, in, sizeof in)) { failures++; break; }
            for (j = 0; j < sizeof in && in[j] == out[j]; j++) ;
            if (j == sizeof in) result++; else failures++;
        }
        if (!h || WaitForSingleObject(h, INFINITE) != WAIT_OBJECT_0) failures++;
    } else if (!work_run(name, n, &result)) {
        put("unknown workload\n");
        ExitProcess(2);
    }
    QueryPerformanceCounter(&t1);
    if (pi.hProcess) {
        SetEvent(marker);
        WaitForSingleObject(pi.hProcess, INFINITE);
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
    }
    for (i = 0; keep && i < live; i++) CloseHandle(keep[i]);
    put("result="); put_x(result);
    put(" ticks="); put_u((unsigned long)(t1.QuadPart - t0.QuadPart));
    put(" freq="); put_u((unsigned long)freq.QuadPart);
    put(" failures="); put_u(failures);
    put("\n");
    ExitProcess(failures != 0);
}
