/* pipes.exe: anonymous pipes and redirected standard handles. CreatePipe with and without
 * inheritable handles, GetFileType of the ends, WriteFile and ReadFile with short reads,
 * PeekNamedPipe, the access each end grants, ERROR_BROKEN_PIPE once the write end is closed
 * and the data drained, ERROR_NO_DATA writing with the read end closed, DuplicateHandle
 * keeping an end open, a ReadFile that waits until another thread writes, a WriteFile larger
 * than the pipe that waits for a reader thread, FlushFileBuffers, and a child process
 * started with STARTF_USESTDHANDLES whose standard output and error are the pipe the parent
 * reads. One line per check ("name: value"); expected values in expected/pipes.expected
 * (NT 4.0's), Wine's in expected/pipes.wine.
 *
 * Run as "pipes.exe child" it is the child: it reports on its standard handles through them
 * and ends with exit code 3. Run as "pipes.exe hang-read" it reads a pipe whose only writer
 * is itself, and as "pipes.exe hang-write" it writes more than a pipe holds with nobody
 * reading: both wait for ever (tests/pipes.rs checks that the thread is parked). */
#include "guest.h"

#define CHECK_FAIL(name, expr) do { DWORD v_; SetLastError(0); v_ = (DWORD)(expr); \
    check_u(name, v_); check_u(name " last_error", GetLastError()); } while (0)

static int contains(const char *s, const char *part)
{
    int i, j;
    for (i = 0; s[i]; i++) {
        for (j = 0; part[j] && s[i + j] == part[j]; j++) ;
        if (!part[j]) return 1;
    }
    return 0;
}

static int same(const char *a, const char *b, DWORD n)
{
    DWORD i;
    for (i = 0; i < n; i++) if (a[i] != b[i]) return 0;
    return 1;
}

/* "name: "text"" for n bytes of text, \r and \n escaped. */
static void check_text(const char *name, const char *text, DWORD n)
{
    char one[2] = {0, 0};
    DWORD i;
    put(name);
    put(": \"");
    for (i = 0; i < n; i++) {
        if (text[i] == '\r') put("\\r");
        else if (text[i] == '\n') put("\\n");
        else { one[0] = text[i]; put(one); }
    }
    put("\"\n");
}

static void child(void)
{
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
    STARTUPINFOA si;
    DWORD written, flags = 0;

    GetStartupInfoA(&si);
    check_u("child STARTF_USESTDHANDLES", (si.dwFlags & STARTF_USESTDHANDLES) != 0);
    check_u("child hStdOutput is GetStdHandle(STD_OUTPUT_HANDLE)", si.hStdOutput == out);
    check_u("child hStdError is GetStdHandle(STD_ERROR_HANDLE)", si.hStdError == err);
    check_u("child hStdInput is GetStdHandle(STD_INPUT_HANDLE)", si.hStdInput == in);
    check_u("child GetFileType(stdout)", GetFileType(out));
    check_u("child stdout and stderr are one handle", out == err);
    check_u("child stdout inheritable", GetHandleInformation(out, &flags) && (flags & HANDLE_FLAG_INHERIT));
    WriteFile(err, "child: on stderr\n", 17, &written, NULL);
    ExitProcess(3);
}

static volatile LONG g_wrote;

/* Writes "late" into the pipe after a while, then closes its end. */
static DWORD WINAPI late_writer(LPVOID param)
{
    HANDLE w = (HANDLE)param;
    DWORD written;
    Sleep(100);
    g_wrote = 1;
    WriteFile(w, "late", 4, &written, NULL);
    CloseHandle(w);
    return written;
}

static char g_big[100];
static char g_got[200];
static DWORD g_total;
static DWORD g_reader_error;

/* Reads the pipe in 10-byte bites until it breaks. */
static DWORD WINAPI slow_reader(LPVOID param)
{
    HANDLE r = (HANDLE)param;
    DWORD n;
    for (;;) {
        Sleep(5);
        if (!ReadFile(r, g_got + g_total, 10, &n, NULL)) {
            g_reader_error = GetLastError();
            return 0;
        }
        g_total += n;
        if (g_total > 150) return 1;
    }
}

static void basics(void)
{
    SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
    HANDLE r = NULL, w = NULL, r2, w2;
    DWORD n = 0, avail = 0, flags = 0;
    char buf[64];

    check_u("CreatePipe", CreatePipe(&r, &w, &sa, 0));
    check_u("ends differ", r != w && r != NULL && w != NULL);
    check_u("GetFileType(read end)", GetFileType(r));
    check_u("GetFileType(write end)", GetFileType(w));
    check_u("GetHandleInformation(read end)", GetHandleInformation(r, &flags));
    check_u("read end inheritable", flags & HANDLE_FLAG_INHERIT);
    GetHandleInformation(w, &flags);
    check_u("write end inheritable", flags & HANDLE_FLAG_INHERIT);

    check_u("WriteFile", WriteFile(w, "hello pipe", 10, &n, NULL));
    check_u("written", n);
    n = 0xdead;
    check_u("PeekNamedPipe", PeekNamedPipe(r, buf, 4, &n, &avail, NULL));
    check_u("peeked", n);
    check_u("available", avail);
    check_text("peeked text", buf, n);
    avail = 0;
    check_u("PeekNamedPipe(no buffer)", PeekNamedPipe(r, NULL, 0, NULL, &avail, NULL));
    check_u("available again", avail);
    check_u("ReadFile(4)", ReadFile(r, buf, 4, &n, NULL));
    check_u("read", n);
    check_text("read text", buf, n);
    check_u("ReadFile(64): a short read", ReadFile(r, buf, sizeof buf, &n, NULL));
    check_u("read", n);
    check_text("read text", buf, n);
    avail = 0xdead;
    check_u("PeekNamedPipe(empty)", PeekNamedPipe(r, NULL, 0, NULL, &avail, NULL));
    check_u("available when empty", avail);

    WriteFile(w, "ab", 2, &n, NULL);
    WriteFile(w, "cd", 2, &n, NULL);
    check_u("ReadFile of two writes", ReadFile(r, buf, sizeof buf, &n, NULL));
    check_u("read", n);
    check_text("read text", buf, n);

    n = 0xdead;
    CHECK_FAIL("ReadFile(write end)", ReadFile(w, buf, 4, &n, NULL));
    check_u("ReadFile(write end) count", n);
    CHECK_FAIL("WriteFile(read end)", WriteFile(r, "x", 1, &n, NULL));
    CHECK_FAIL("PeekNamedPipe(write end)", PeekNamedPipe(w, NULL, 0, NULL, &avail, NULL));
    check_u("FlushFileBuffers(empty pipe)", FlushFileBuffers(w));

    /* The write end closes with data queued: the data is read, then the pipe is broken. */
    WriteFile(w, "xyz", 3, &n, NULL);
    check_u("CloseHandle(write end)", CloseHandle(w));
    check_u("PeekNamedPipe(closed writer, data)", PeekNamedPipe(r, NULL, 0, NULL, &avail, NULL));
    check_u("available after close", avail);
    check_u("ReadFile after close", ReadFile(r, buf, sizeof buf, &n, NULL));
    check_u("read", n);
    check_text("read text", buf, n);
    n = 0xdead;
    CHECK_FAIL("ReadFile(broken)", ReadFile(r, buf, sizeof buf, &n, NULL));
    check_u("ReadFile(broken) count", n);
    avail = 0xdead;
    CHECK_FAIL("PeekNamedPipe(broken)", PeekNamedPipe(r, NULL, 0, NULL, &avail, NULL));
    check_u("PeekNamedPipe(broken) available untouched", avail == 0xdead);
    check_u("CloseHandle(read end)", CloseHandle(r));

    /* The read end closes: writing is ERROR_NO_DATA. */
    check_u("CreatePipe(no attributes)", CreatePipe(&r, &w, NULL, 0));
    GetHandleInformation(r, &flags);
    check_u("read end inheritable without attributes", flags & HANDLE_FLAG_INHERIT);
    CloseHandle(r);
    n = 0xdead;
    CHECK_FAIL("WriteFile(no reader)", WriteFile(w, "abc", 3, &n, NULL));
    check_u("WriteFile(no reader) count", n);
    CloseHandle(w);

    /* A duplicate of the write end keeps the pipe open. */
    CreatePipe(&r, &w, NULL, 0);
    check_u("DuplicateHandle(write end)",
            DuplicateHandle(GetCurrentProcess(), w, GetCurrentProcess(), &w2, 0, FALSE, DUPLICATE_SAME_ACCESS));
    CloseHandle(w);
    check_u("WriteFile(duplicate)", WriteFile(w2, "dup", 3, &n, NULL));
    check_u("ReadFile(from duplicate)", ReadFile(r, buf, sizeof buf, &n, NULL));
    check_text("read text", buf, n);
    CloseHandle(w2);
    CHECK_FAIL("ReadFile(duplicate closed)", ReadFile(r, buf, sizeof buf, &n, NULL));
    DuplicateHandle(GetCurrentProcess(), r, GetCurrentProcess(), &r2, 0, FALSE, DUPLICATE_SAME_ACCESS);
    CloseHandle(r);
    check_u("GetFileType(duplicate read end)", GetFileType(r2));
    CloseHandle(r2);
}

static void waits(void)
{
    HANDLE r, w, t;
    DWORD n = 0, code = 0, i;
    char buf[16];

    /* A read waits for another thread's write. */
    CreatePipe(&r, &w, NULL, 0);
    t = CreateThread(NULL, 0, late_writer, w, 0, NULL);
    check_u("ReadFile(waits for the writer)", ReadFile(r, buf, sizeof buf, &n, NULL));
    check_u("the writer wrote first", g_wrote);
    check_u("read", n);
    check_text("read text", buf, n);
    WaitForSingleObject(t, INFINITE);
    GetExitCodeThread(t, &code);
    check_u("writer thread wrote", code);
    CloseHandle(t);
    CHECK_FAIL("ReadFile(writer thread closed)", ReadFile(r, buf, sizeof buf, &n, NULL));
    CloseHandle(r);

    /* A write larger than the pipe waits for the reader. */
    for (i = 0; i < sizeof g_big; i++) g_big[i] = (char)('a' + i % 26);
    CreatePipe(&r, &w, NULL, 16);
    t = CreateThread(NULL, 0, slow_reader, r, 0, NULL);
    check_u("WriteFile(100 bytes into 16)", WriteFile(w, g_big, sizeof g_big, &n, NULL));
    check_u("written", n);
    check_u("FlushFileBuffers(write end)", FlushFileBuffers(w));
    CloseHandle(w);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    check_u("reader got", g_total);
    check_u("reader got the bytes in order", g_total == sizeof g_big && same(g_got, g_big, sizeof g_big));
    check_u("reader's last error", g_reader_error);
    CloseHandle(r);
}

static void redirected_child(void)
{
    SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    HANDLE r, w;
    char cmd[] = "pipes.exe child";
    char buf[512];
    DWORD n, total = 0, code = 0;
    BOOL ok;

    CreatePipe(&r, &w, &sa, 0);
    /* The parent's read end is not for the child. */
    SetHandleInformation(r, HANDLE_FLAG_INHERIT, 0);
    {
        char *p = (char *)&si;
        DWORD i;
        for (i = 0; i < sizeof si; i++) p[i] = 0;
    }
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = w;
    si.hStdError = w;
    ok = CreateProcessA(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi);
    check_u("CreateProcessA(STARTF_USESTDHANDLES)", ok);
    if (!ok) return;
    /* The parent's copy of the write end goes, so the child's exit breaks the pipe. */
    CloseHandle(w);
    while (total < sizeof buf && ReadFile(r, buf + total, sizeof buf - total, &n, NULL))
        total += n;
    check_u("after the child's output", GetLastError());
    check_text("child wrote", buf, total);
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &code);
    check_u("child exit code", code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    CloseHandle(r);
}

static void console_size(void)
{
    HANDLE out = CreateFileA("CONOUT$", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                             NULL, OPEN_EXISTING, 0, NULL);
    COORD c;
    DWORD v;

    SetLastError(0);
    c = GetLargestConsoleWindowSize((HANDLE)0x1234);
    v = (DWORD)(WORD)c.X | ((DWORD)(WORD)c.Y << 16);
    check_u("GetLargestConsoleWindowSize(bad handle)", v);
    check_u("GetLargestConsoleWindowSize(bad handle) last_error", GetLastError());
    c = GetLargestConsoleWindowSize(out);
    check_u("GetLargestConsoleWindowSize(CONOUT$) nonzero", c.X > 0 && c.Y > 0);
    CloseHandle(out);
}

/* Waits for ever in ReadFile or WriteFile. */
static void hang(int write)
{
    HANDLE r, w;
    DWORD n;
    char buf[100] = {0};
    CreatePipe(&r, &w, NULL, 16);
    put(write ? "writing 100 bytes into 16 with nobody reading\n" : "reading an empty pipe\n");
    if (write) WriteFile(w, buf, sizeof buf, &n, NULL);
    else ReadFile(r, buf, sizeof buf, &n, NULL);
    put("not reached\n");
    ExitProcess(1);
}

void __stdcall start(void)
{
    if (contains(GetCommandLineA(), " child")) child();
    if (contains(GetCommandLineA(), " hang-read")) hang(0);
    if (contains(GetCommandLineA(), " hang-write")) hang(1);
    basics();
    waits();
    redirected_child();
    console_size();
    put("done\n");
    ExitProcess(0);
}
