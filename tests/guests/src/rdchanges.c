/* rdchanges.exe: ReadDirectoryChangesW. Its errors (a bad filter, a handle that is not a
 * directory's, a directory handle without FILE_LIST_DIRECTORY); a synchronous call that waits
 * for a file another thread makes; overlapped calls with an event (pending at first, then a
 * new directory's record, and a buffer too small: TRUE with 0 bytes, STATUS_NOTIFY_ENUM_DIR),
 * with a completion routine, CancelIo and CloseHandle ending a waiting call. Works in
 * "rdcdir" under the current directory and removes it. Prints only what does not depend on
 * when the changes are reported: waits are long and records are gathered until the expected
 * ones came. One line per check ("name: value"); expected/rdchanges.expected, Wine's in
 * expected/rdchanges.wine. */
#include "guest.h"

#define CHECK_FAIL(name, expr) do { DWORD v_; SetLastError(0); v_ = (DWORD)(expr); \
    check_u(name, v_); check_u(name " last_error", GetLastError()); } while (0)

static DWORD buf[1024];
static DWORD routine_error = 0xffffffff, routine_count = 0xffffffff;

static void zero(void *p, DWORD n)
{
    volatile BYTE *b = p;
    while (n--) *b++ = 0;
}

static void make_file(const char *name)
{
    HANDLE f = CreateFileA(name, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    CloseHandle(f);
}

/* Prints the records in buf (count bytes) as "prefix: ACTION name". */
static void print_records(const char *prefix, DWORD count)
{
    BYTE *p = (BYTE *)buf;
    if (count == 0) {
        put(prefix); put(": none\n");
        return;
    }
    for (;;) {
        FILE_NOTIFY_INFORMATION *r = (FILE_NOTIFY_INFORMATION *)p;
        DWORD i;
        char name[64];
        DWORD n = r->FileNameLength / 2;
        if (n > 63) n = 63;
        for (i = 0; i < n; i++) name[i] = (char)r->FileName[i];
        name[n] = 0;
        put(prefix); put(": action "); put_u(r->Action); put(" "); put(name);
        put(" (name bytes "); put_u(r->FileNameLength); put(")\n");
        if (!r->NextEntryOffset) break;
        check_u("NextEntryOffset is DWORD-aligned", r->NextEntryOffset % 4 == 0);
        p += r->NextEntryOffset;
    }
}

static DWORD __stdcall maker(void *arg)
{
    (void)arg;
    Sleep(500);
    make_file("rdcdir\\sync.txt");
    return 0;
}

static void CALLBACK done_routine(DWORD error, DWORD count, OVERLAPPED *ov)
{
    (void)ov;
    routine_error = error;
    routine_count = count;
}

static HANDLE open_dir(DWORD access, DWORD flags)
{
    return CreateFileA("rdcdir", access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                       NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | flags, NULL);
}

void __stdcall start(void)
{
    HANDLE h, f, t, ev;
    OVERLAPPED ov;
    DWORD n, r;
    const DWORD names = FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_DIR_NAME;

    CreateDirectoryA("rdcdir", NULL);

    CHECK_FAIL("RDCW(NULL handle, filter 0)", ReadDirectoryChangesW(NULL, buf, sizeof buf, FALSE, 0, &n, NULL, NULL));
    CHECK_FAIL("RDCW(NULL handle)", ReadDirectoryChangesW(NULL, buf, sizeof buf, FALSE, names, &n, NULL, NULL));
    h = open_dir(FILE_LIST_DIRECTORY, 0);
    check_u("open rdcdir", h != INVALID_HANDLE_VALUE);
    CHECK_FAIL("RDCW(filter 0)", ReadDirectoryChangesW(h, buf, sizeof buf, FALSE, 0, &n, NULL, NULL));
    CHECK_FAIL("RDCW(filter -1)", ReadDirectoryChangesW(h, buf, sizeof buf, FALSE, 0xffffffff, &n, NULL, NULL));
    f = CreateFileA("rdcdir\\plain.txt", GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
    CHECK_FAIL("RDCW(a file's handle)", ReadDirectoryChangesW(f, buf, sizeof buf, FALSE, names, &n, NULL, NULL));
    CloseHandle(f);
    DeleteFileA("rdcdir\\plain.txt");
    /* Overlapped, so that a call that is let through does not wait forever. */
    t = open_dir(FILE_READ_ATTRIBUTES, FILE_FLAG_OVERLAPPED);
    check_u("open rdcdir for its attributes", t != INVALID_HANDLE_VALUE);
    zero(&ov, sizeof ov);
    SetLastError(0);
    r = ReadDirectoryChangesW(t, buf, sizeof buf, FALSE, names, NULL, &ov, NULL);
    check_u("RDCW(no FILE_LIST_DIRECTORY)", r);
    check_u("RDCW(no FILE_LIST_DIRECTORY) last_error", GetLastError());
    if (r) CancelIo(t);
    CloseHandle(t);

    /* Synchronous: waits for the file the thread makes. */
    t = CreateThread(NULL, 0, maker, NULL, 0, NULL);
    n = 0xdead;
    r = ReadDirectoryChangesW(h, buf, sizeof buf, FALSE, FILE_NOTIFY_CHANGE_FILE_NAME, &n, NULL, NULL);
    check_u("synchronous RDCW", r);
    print_records("synchronous record", n);
    check_u("bytes are the record's (12 + 16)", n);
    WaitForSingleObject(t, 5000);
    CloseHandle(t);
    CloseHandle(h);
    DeleteFileA("rdcdir\\sync.txt");

    /* Overlapped, with an event. */
    h = open_dir(FILE_LIST_DIRECTORY, FILE_FLAG_OVERLAPPED);
    ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    zero(&ov, sizeof ov);
    ov.hEvent = ev;
    zero(buf, sizeof buf);
    r = ReadDirectoryChangesW(h, buf, sizeof buf, FALSE, names, NULL, &ov, NULL);
    check_u("overlapped RDCW returns TRUE", r);
    check_x("pending, Internal", ov.Internal);
    check_u("pending, not signalled", WaitForSingleObject(ev, 0));
    CreateDirectoryA("rdcdir\\sub", NULL);
    check_u("a new directory completes it", WaitForSingleObject(ev, 10000));
    check_x("Internal", ov.Internal);
    check_u("InternalHigh", ov.InternalHigh);
    n = 0;
    check_u("GetOverlappedResult", GetOverlappedResult(h, &ov, &n, FALSE));
    check_u("GetOverlappedResult bytes", n);
    print_records("overlapped record", n);

    /* Too small a buffer: TRUE, 0 bytes, the records dropped. */
    ResetEvent(ev);
    r = ReadDirectoryChangesW(h, buf, 8, FALSE, names, NULL, &ov, NULL);
    check_u("RDCW(8 bytes)", r);
    make_file("rdcdir\\long-file-name.txt");
    check_u("a new file completes it", WaitForSingleObject(ev, 10000));
    check_x("too small, Internal", ov.Internal);
    check_u("too small, InternalHigh", ov.InternalHigh);
    n = 0xdead;
    check_u("too small, GetOverlappedResult", GetOverlappedResult(h, &ov, &n, FALSE));
    check_u("too small, bytes", n);

    /* A completion routine. */
    zero(&ov, sizeof ov);
    r = ReadDirectoryChangesW(h, buf, sizeof buf, FALSE, names, NULL, &ov, done_routine);
    check_u("RDCW with a routine", r);
    DeleteFileA("rdcdir\\long-file-name.txt");
    check_u("SleepEx runs the routine", SleepEx(10000, TRUE));
    check_u("routine's error", routine_error);
    check_u("routine's count", routine_count);
    print_records("routine record", routine_count);

    /* CancelIo ends a waiting call. */
    zero(&ov, sizeof ov);
    ov.hEvent = ev;
    r = ReadDirectoryChangesW(h, buf, sizeof buf, FALSE, names, NULL, &ov, NULL);
    check_u("RDCW before CancelIo", r);
    check_u("CancelIo", CancelIo(h));
    check_u("CancelIo completes it", WaitForSingleObject(ev, 10000));
    check_x("cancelled, Internal", ov.Internal);
    SetLastError(0);
    check_u("cancelled, GetOverlappedResult", GetOverlappedResult(h, &ov, &n, FALSE));
    check_u("cancelled, last_error", GetLastError());

    /* CloseHandle ends a waiting call. */
    zero(&ov, sizeof ov);
    ov.hEvent = ev;
    r = ReadDirectoryChangesW(h, buf, sizeof buf, FALSE, names, NULL, &ov, NULL);
    check_u("RDCW before CloseHandle", r);
    CloseHandle(h);
    check_u("CloseHandle completes it", WaitForSingleObject(ev, 10000));
    check_x("closed, Internal", ov.Internal);
    check_u("closed, InternalHigh", ov.InternalHigh);
    CloseHandle(ev);

    RemoveDirectoryA("rdcdir\\sub");
    check_u("RemoveDirectory(rdcdir)", RemoveDirectoryA("rdcdir"));
    ExitProcess(0);
}
