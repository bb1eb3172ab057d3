/* files.exe: files under the sandboxed drive C: (ntemu --root). Creates, writes, reads,
 * seeks, truncates, renames, finds and deletes files and directories, checks NT's error
 * code for each failure, and tries every way out of the root: `..` past the root, an
 * absolute host path (its first command-line argument), another drive, UNC and \\?\ names,
 * and symbolic links inside the root pointing out (tests/files.rs makes them: C:\link_out
 * -> the directory holding the root, C:\link_marker -> the marker file outside).
 * One result line per check: "name: result last-error" or "name: value". */
#include "guest.h"

#define BACKUP 0x02000000

/* A BOOL/DWORD result and the last error it left. */
static void res(const char *name, unsigned long value)
{
    DWORD e = GetLastError();
    put(name); put(": "); put_u(value); put(" "); put_u(e); put("\n");
}

/* A handle result: 1 valid / 0 INVALID_HANDLE_VALUE, and the last error. */
static void hres(const char *name, HANDLE h)
{
    res(name, h != INVALID_HANDLE_VALUE);
}

/* Runs a call with the last error cleared, then prints its result and last error: a
 * success that leaves the last error alone prints 0. */
#define R(name, call) do { SetLastError(0); res(name, (call)); } while (0)

static void str(const char *name, const char *value)
{
    put(name); put(": "); put(value); put("\n");
}

static HANDLE xopen(const char *path, DWORD access, DWORD share, DWORD disposition, DWORD flags)
{
    SetLastError(0xdead);
    return CreateFileA(path, access, share, NULL, disposition, flags, NULL);
}

static void try_open(const char *name, const char *path, DWORD access, DWORD disposition)
{
    HANDLE h = xopen(path, access, 0, disposition, 0);
    hres(name, h);
    if (h != INVALID_HANDLE_VALUE) CloseHandle(h);
}

static void attributes(const char *name, const char *path)
{
    SetLastError(0);
    res(name, GetFileAttributesA(path));
}

static void list(const char *name, const char *pattern)
{
    WIN32_FIND_DATAA fd;
    HANDLE f;
    SetLastError(0);
    f = FindFirstFileA(pattern, &fd);
    if (f == INVALID_HANDLE_VALUE) { hres(name, f); return; }
    put(name); put(":");
    do { put(" "); put(fd.cFileName); if (fd.dwFileAttributes & 0x10) put("/"); }
    while (FindNextFileA(f, &fd));
    put(" (end "); put_u(GetLastError()); put(")\n");
    R("find-close", FindClose(f));
}

void __stdcall start(void)
{
    HANDLE h, h2, n;
    DWORD got = 0, high;
    char buf[300];
    char *arg, *part;
    int i;

    /* The first argument: a host path to the marker file outside the root. */
    arg = GetCommandLineA();
    while (*arg && *arg != ' ') arg++;
    while (*arg == ' ') arg++;

    GetCurrentDirectoryA(sizeof buf, buf);
    str("start-directory", buf);
    R("create-directory", CreateDirectoryA("work", NULL));
    R("create-directory-again", CreateDirectoryA("WORK", NULL));
    R("create-directory-no-parent", CreateDirectoryA("nodir\\sub", NULL));
    R("set-directory", SetCurrentDirectoryA("Work"));
    GetCurrentDirectoryA(sizeof buf, buf);
    str("directory", buf);
    R("get-directory-small", GetCurrentDirectoryA(3, buf));
    R("set-directory-missing", SetCurrentDirectoryA("missing"));

    /* Create, write, share, access. */
    h = xopen("a.txt", GENERIC_WRITE, 0, CREATE_NEW, 0);
    hres("create-new", h);
    SetLastError(0);
    R("write", WriteFile(h, "hello world\n", 12, &got, NULL));
    check_u("written", got);
    hres("open-while-unshared", xopen("A.TXT", GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING, 0));
    got = 99;
    R("read-write-only-handle", ReadFile(h, buf, 10, &got, NULL));
    check_u("read-write-only-handle-count", got);
    high = 7;
    SetLastError(0);
    R("size", GetFileSize(h, &high));
    check_u("size-high", high);
    R("seek-begin", SetFilePointer(h, 5, NULL, FILE_BEGIN));
    R("set-end", SetEndOfFile(h));
    R("size-truncated", GetFileSize(h, NULL));
    SetLastError(0);
    R("seek-negative", SetFilePointer(h, -10, NULL, FILE_CURRENT));
    R("seek-bad-method", SetFilePointer(h, 0, NULL, 3));
    high = 1;
    SetLastError(0);
    R("seek-high", SetFilePointer(h, 0, (LONG *)&high, FILE_BEGIN));
    check_u("seek-high-part", high);
    high = 0;
    SetLastError(5);
    res("seek-to-ffffffff", SetFilePointer(h, -1, (LONG *)&high, FILE_BEGIN));
    check_u("seek-to-ffffffff-high", high);
    high = 0;
    SetLastError(5);
    res("size-still-5", GetFileSize(h, &high));
    R("seek-end", SetFilePointer(h, 0, NULL, FILE_END));
    R("write-more", WriteFile(h, "!", 1, &got, NULL));
    R("flush", FlushFileBuffers(h));
    R("file-type-disk", GetFileType(h));
    R("close", CloseHandle(h));

    h = xopen("a.txt", GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING, 0);
    hres("open-existing", h);
    for (i = 0; i < 300; i++) buf[i] = 0;
    R("read", ReadFile(h, buf, 100, &got, NULL));
    check_u("read-count", got);
    str("read-data", buf);
    got = 99;
    R("read-at-eof", ReadFile(h, buf, 100, &got, NULL));
    check_u("read-at-eof-count", got);
    R("write-read-only-handle", WriteFile(h, "x", 1, &got, NULL));
    R("flush-read-only-handle", FlushFileBuffers(h));
    h2 = xopen("a.txt", GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING, 0);
    hres("open-shared-read", h2);
    CloseHandle(h2);
    hres("open-write-denied-share", xopen("a.txt", GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, OPEN_EXISTING, 0));
    R("delete-open-file", DeleteFileA("a.txt"));
    CloseHandle(h);

    /* Dispositions. */
    try_open("create-new-existing", "a.txt", GENERIC_WRITE, CREATE_NEW);
    h = xopen("a.txt", GENERIC_READ | GENERIC_WRITE, 0, OPEN_ALWAYS, 0);
    hres("open-always-existing", h);
    R("open-always-size", GetFileSize(h, NULL));
    CloseHandle(h);
    h = xopen("b.txt", GENERIC_WRITE, 0, OPEN_ALWAYS, 0);
    hres("open-always-new", h);
    WriteFile(h, "bee", 3, &got, NULL);
    CloseHandle(h);
    h = xopen("b.txt", GENERIC_WRITE, 0, CREATE_ALWAYS, 0);
    hres("create-always-existing", h);
    R("create-always-size", GetFileSize(h, NULL));
    CloseHandle(h);
    try_open("open-existing-missing", "missing.txt", GENERIC_READ, OPEN_EXISTING);
    try_open("open-missing-directory", "nodir\\x.txt", GENERIC_READ, OPEN_EXISTING);
    try_open("create-in-missing-directory", "nodir\\x.txt", GENERIC_WRITE, CREATE_NEW);
    try_open("truncate-without-write", "a.txt", GENERIC_READ, TRUNCATE_EXISTING);
    try_open("truncate-existing", "a.txt", GENERIC_WRITE, TRUNCATE_EXISTING);
    try_open("truncate-missing", "missing.txt", GENERIC_WRITE, TRUNCATE_EXISTING);
    try_open("bad-disposition", "a.txt", GENERIC_READ, 0);
    try_open("directory-as-file", "C:\\work", GENERIC_READ, OPEN_EXISTING);
    h = xopen("C:\\work", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, OPEN_EXISTING, BACKUP);
    hres("directory-backup-semantics", h);
    CloseHandle(h);
    try_open("wildcard-name", "a*.txt", GENERIC_READ, OPEN_EXISTING);
    h = xopen("d.txt. . ", GENERIC_WRITE, 0, CREATE_NEW, 0);
    hres("trailing-dots-spaces", h);
    CloseHandle(h);

    /* Attributes. */
    attributes("attributes-file", "A.TXT");
    attributes("attributes-directory", "C:\\WORK");
    attributes("attributes-root", "C:\\");
    attributes("attributes-stripped-name", "d.txt");
    attributes("attributes-missing", "missing.txt");
    attributes("attributes-missing-directory", "nodir\\x");
    attributes("attributes-dot-dot", "..\\work\\.\\a.txt");

    /* Rename. */
    R("move", MoveFileA("a.txt", "c.txt"));
    attributes("moved-away", "a.txt");
    R("move-onto-existing", MoveFileA("c.txt", "b.txt"));
    R("move-missing", MoveFileA("missing.txt", "x.txt"));
    R("move-into-missing-directory", MoveFileA("c.txt", "nodir\\c.txt"));
    R("move-case-only", MoveFileA("c.txt", "C.TXT"));
    R("make-directory", CreateDirectoryA("dir1", NULL));
    R("move-directory-rename", MoveFileA("dir1", "dir2"));
    list("find-txt", "*.txt");
    list("find-all", "*");
    list("find-question", "?.TXT");
    list("find-none", "*.zzz");
    list("find-missing-directory", "nodir\\*");

    /* Full path names. */
    R("full-path", GetFullPathNameA("x\\..\\y.txt", sizeof buf, buf, &part));
    str("full-path-name", buf);
    str("full-path-part", part);
    R("full-path-small", GetFullPathNameA("y.txt", 5, buf, &part));
    GetFullPathNameA("C:\\..\\..\\a\\.\\b\\", sizeof buf, buf, &part);
    str("full-path-clamped", buf);
    GetFullPathNameA("/a/b/c", sizeof buf, buf, &part);
    str("full-path-slashes", buf);
    GetFullPathNameA("nul.txt", sizeof buf, buf, &part);
    str("full-path-device", buf);

    /* Delete and remove. */
    R("delete", DeleteFileA("b.txt"));
    R("delete-again", DeleteFileA("b.txt"));
    R("delete-directory", DeleteFileA("dir2"));
    R("remove-directory", RemoveDirectoryA("dir2"));
    R("remove-directory-again", RemoveDirectoryA("dir2"));
    CreateDirectoryA("sub", NULL);
    CloseHandle(xopen("sub\\f", GENERIC_WRITE, 0, CREATE_NEW, 0));
    R("remove-not-empty", RemoveDirectoryA("sub"));
    R("remove-file", RemoveDirectoryA("sub\\f"));
    DeleteFileA("sub\\f");
    R("remove-emptied", RemoveDirectoryA("sub"));
    R("remove-current", RemoveDirectoryA("C:\\work"));
    R("remove-root", RemoveDirectoryA("C:\\"));

    /* Devices. */
    n = xopen("NUL", GENERIC_READ | GENERIC_WRITE, 0, OPEN_EXISTING, 0);
    hres("nul", n);
    R("nul-write", WriteFile(n, "gone", 4, &got, NULL));
    check_u("nul-written", got);
    got = 99;
    R("nul-read", ReadFile(n, buf, 10, &got, NULL));
    check_u("nul-read-count", got);
    R("nul-type", GetFileType(n));
    h = xopen("C:\\nodir\\nul.txt", GENERIC_WRITE, 0, CREATE_NEW, 0);
    hres("nul-anywhere", h);
    CloseHandle(h);
    h = xopen("\\\\.\\NUL", GENERIC_WRITE, 0, OPEN_EXISTING, 0);
    hres("nul-device-namespace", h);
    CloseHandle(h);
    h = xopen("con", GENERIC_WRITE, 0, OPEN_EXISTING, 0);
    hres("con", h);
    R("con-type", GetFileType(h));
    WriteFile(h, "con: written\n", 13, &got, NULL);
    CloseHandle(h);
    R("set-std-handle", SetStdHandle(STD_ERROR_HANDLE, n));
    check_u("std-handle-set", GetStdHandle(STD_ERROR_HANDLE) == n);
    R("set-std-handle-bad", SetStdHandle(5, n));
    CloseHandle(n);

    /* Escapes. */
    try_open("escape-dotdot", "..\\..\\..\\marker", GENERIC_READ, OPEN_EXISTING);
    try_open("escape-root-dotdot", "C:\\..\\..\\marker", GENERIC_READ, OPEN_EXISTING);
    try_open("escape-slashes", "/../../marker", GENERIC_READ, OPEN_EXISTING);
    h = xopen("..\\..\\..\\marker", GENERIC_WRITE, 0, CREATE_ALWAYS, 0);
    hres("escape-dotdot-create", h);
    WriteFile(h, "inside\n", 7, &got, NULL);
    CloseHandle(h);
    try_open("escape-host-absolute", arg, GENERIC_READ, OPEN_EXISTING);
    try_open("escape-host-absolute-create", arg, GENERIC_WRITE, CREATE_ALWAYS);
    attributes("escape-host-absolute-attributes", arg);
    R("escape-host-absolute-delete", DeleteFileA(arg));
    try_open("escape-other-drive", "D:\\marker", GENERIC_READ, OPEN_EXISTING);
    try_open("escape-other-drive-create", "d:marker", GENERIC_WRITE, CREATE_ALWAYS);
    try_open("escape-unc", "\\\\server\\share\\marker", GENERIC_READ, OPEN_EXISTING);
    try_open("escape-unc-slashes", "//localhost/c$/marker", GENERIC_READ, OPEN_EXISTING);
    try_open("escape-win32-namespace-dotdot", "\\\\?\\C:\\..\\marker", GENERIC_READ, OPEN_EXISTING);
    try_open("escape-win32-namespace-unc", "\\\\?\\UNC\\server\\share\\marker", GENERIC_READ, OPEN_EXISTING);
    try_open("escape-win32-namespace-drive", "\\\\?\\D:\\marker", GENERIC_READ, OPEN_EXISTING);
    try_open("escape-link-directory", "C:\\link_out\\marker", GENERIC_READ, OPEN_EXISTING);
    try_open("escape-link-directory-create", "C:\\LINK_OUT\\new.txt", GENERIC_WRITE, CREATE_NEW);
    try_open("escape-link-file", "C:\\link_marker", GENERIC_READ, OPEN_EXISTING);
    try_open("escape-link-file-overwrite", "C:\\link_marker", GENERIC_WRITE, CREATE_ALWAYS);
    attributes("escape-link-attributes", "C:\\link_out");
    R("escape-link-delete", DeleteFileA("C:\\link_marker"));
    R("escape-link-move", MoveFileA("C:\\link_marker", "C:\\moved"));
    R("escape-link-move-into", MoveFileA("C:\\work\\d.txt", "C:\\link_out\\d.txt"));
    R("escape-link-mkdir", CreateDirectoryA("C:\\link_out\\newdir", NULL));
    R("escape-link-rmdir", RemoveDirectoryA("C:\\link_out"));
    R("escape-link-chdir", SetCurrentDirectoryA("C:\\link_out"));
    list("escape-link-find", "C:\\link_out\\*");
    list("root-listing", "C:\\*");
    GetCurrentDirectoryA(sizeof buf, buf);
    str("final-directory", buf);
    ExitProcess(0);
}
