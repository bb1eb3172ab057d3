/* fileapi.exe: KERNEL32's and NTDLL's file functions beyond CreateFile/ReadFile/WriteFile:
 * the Windows 3.x functions (_lcreat, _lopen, _lread, _lwrite, _llseek, _lclose, OpenFile),
 * CopyFile and CopyFileEx with a progress routine, GetFileAttributesEx and
 * GetFileInformationByHandle, byte-range locks (LockFile, LockFileEx, UnlockFile), what
 * FindFirstFile reports (8.3 aliases of long names, FindFirstFileEx's levels), share modes
 * of opens without data access, ReadFileScatter/WriteFileGather, and NTDLL's NtCreateFile,
 * NtReadFile, NtWriteFile and NtQueryInformationFile with their NTSTATUS results.
 * One line per check ("name: value [last error]"); expected values (NT 4.0's) in
 * expected/fileapi.expected, Wine's in expected/fileapi.wine. Run it with drive C: a fresh
 * writable folder (tests/files.rs); it leaves C:\fa\ behind for the test to look at. */
#include "guest.h"

typedef LONG NTSTATUS;
typedef struct { USHORT Length, MaximumLength; PWSTR Buffer; } UNICODE_STRING_;
typedef struct {
    ULONG Length; HANDLE RootDirectory; UNICODE_STRING_ *ObjectName; ULONG Attributes;
    PVOID SecurityDescriptor, SecurityQualityOfService;
} OBJECT_ATTRIBUTES_;
typedef struct { NTSTATUS Status; ULONG_PTR Information; } IO_STATUS_BLOCK_;
typedef struct {
    LARGE_INTEGER AllocationSize, EndOfFile; ULONG NumberOfLinks; BOOLEAN DeletePending, Directory;
} FILE_STANDARD_INFORMATION_;
__declspec(dllimport) NTSTATUS __stdcall NtCreateFile(PHANDLE, ACCESS_MASK, OBJECT_ATTRIBUTES_ *,
    IO_STATUS_BLOCK_ *, PLARGE_INTEGER, ULONG, ULONG, ULONG, ULONG, PVOID, ULONG);
__declspec(dllimport) NTSTATUS __stdcall NtReadFile(HANDLE, HANDLE, PVOID, PVOID, IO_STATUS_BLOCK_ *,
    PVOID, ULONG, PLARGE_INTEGER, PULONG);
__declspec(dllimport) NTSTATUS __stdcall NtWriteFile(HANDLE, HANDLE, PVOID, PVOID, IO_STATUS_BLOCK_ *,
    PVOID, ULONG, PLARGE_INTEGER, PULONG);
__declspec(dllimport) NTSTATUS __stdcall NtQueryInformationFile(HANDLE, IO_STATUS_BLOCK_ *, PVOID,
    ULONG, ULONG);
__declspec(dllimport) NTSTATUS __stdcall NtClose(HANDLE);

#define FILE_SUPERSEDE_ 0
#define FILE_OPEN_ 1
#define FILE_CREATE_ 2
#define FILE_OPEN_IF_ 3
#define FILE_OVERWRITE_IF_ 5
#define FILE_DIRECTORY_FILE_ 0x1
#define FILE_SYNCHRONOUS_IO_NONALERT_ 0x20
#define FILE_NON_DIRECTORY_FILE_ 0x40

/* "name: value error", the error being the last error the call left (cleared before). */
static void res(const char *name, unsigned long value)
{
    DWORD e = GetLastError();
    put(name); put(": "); put_i((long)value); put(" "); put_u(e); put("\n");
}
#define R(name, call) do { SetLastError(0); res(name, (unsigned long)(call)); } while (0)

static void str(const char *name, const char *value)
{
    put(name); put(": "); put(value); put("\n");
}

static HANDLE xopen(const char *path, DWORD access, DWORD share, DWORD disposition, DWORD flags)
{
    return CreateFileA(path, access, share, NULL, disposition, flags, NULL);
}

static void make(const char *path, const char *text)
{
    DWORD n = 0, w;
    HANDLE h = xopen(path, GENERIC_WRITE, 0, CREATE_ALWAYS, 0);
    while (text[n]) n++;
    WriteFile(h, text, n, &w, NULL);
    CloseHandle(h);
}

static void lfile(void)
{
    HFILE h;
    OFSTRUCT of;
    char buf[64];
    int n;

    h = _lcreat("C:\\fa\\l.txt", 0);
    res("_lcreat", h != HFILE_ERROR);
    R("_lwrite", _lwrite(h, "hello world", 11));
    R("_llseek end", _llseek(h, 0, FILE_END));
    R("_llseek 6", _llseek(h, 6, FILE_BEGIN));
    SetLastError(0);
    n = _lread(h, buf, sizeof buf);
    res("_lread", n);
    buf[n > 0 ? n : 0] = 0;
    str("_lread text", buf);
    R("_lread at end", _lread(h, buf, sizeof buf));
    R("_llseek 5", _llseek(h, 5, FILE_BEGIN));
    R("_lwrite 0 cuts", _lwrite(h, "", 0));
    R("size after cut", GetFileSize((HANDLE)(INT_PTR)h, NULL));
    R("_hwrite", _hwrite(h, "!!", 2));
    R("_llseek negative", _llseek(h, -100, FILE_CURRENT));
    R("_lclose", _lclose(h));
    R("_lclose again", _lclose(h));

    R("_lopen missing", _lopen("C:\\fa\\missing.txt", OF_READ));
    h = _lopen("C:\\fa\\l.txt", OF_READ);
    res("_lopen read", h != HFILE_ERROR);
    R("_lwrite on read-only open", _lwrite(h, "x", 1));
    n = _lread(h, buf, sizeof buf);
    buf[n > 0 ? n : 0] = 0;
    str("_lopen text", buf);
    R("_lopen second exclusive", _lopen("C:\\fa\\l.txt", OF_READ | OF_SHARE_EXCLUSIVE));
    _lclose(h);

    /* A read-only file made by _lcreat is still written through its handle. */
    h = _lcreat("C:\\fa\\ro.txt", 1);
    res("_lcreat read-only", h != HFILE_ERROR);
    R("_lwrite read-only file", _lwrite(h, "data", 4));
    _lclose(h);
    R("read-only attributes", GetFileAttributesA("C:\\fa\\ro.txt") & 0x1);
    R("_lopen write read-only", _lopen("C:\\fa\\ro.txt", OF_WRITE));
    h = _lopen("C:\\fa\\ro.txt", OF_READ);
    res("_lopen read read-only", h != HFILE_ERROR);
    _lclose(h);

    /* OpenFile. */
    SetLastError(0);
    h = OpenFile("C:\\fa\\l.txt", &of, OF_EXIST);
    res("OpenFile exist", h != HFILE_ERROR);
    str("OpenFile path", of.szPathName);
    check_u("OpenFile cBytes", of.cBytes);
    R("OpenFile exist handle closed", _lclose(h));
    SetLastError(0);
    h = OpenFile("C:\\fa\\nothere.txt", &of, OF_EXIST);
    res("OpenFile missing", h);
    check_u("OpenFile missing nErrCode", of.nErrCode);
    SetLastError(0);
    h = OpenFile("C:\\fa\\new.txt", &of, OF_CREATE | OF_WRITE);
    res("OpenFile create", h != HFILE_ERROR);
    _lwrite(h, "new", 3);
    _lclose(h);
    R("OpenFile create size", GetFileAttributesA("C:\\fa\\new.txt") != INVALID_FILE_ATTRIBUTES);
    R("OpenFile delete", OpenFile("C:\\fa\\new.txt", &of, OF_DELETE));
    R("OpenFile deleted", GetFileAttributesA("C:\\fa\\new.txt"));
    R("OpenFile delete missing", OpenFile("C:\\fa\\new.txt", &of, OF_DELETE));
    check_u("OpenFile delete missing nErrCode", of.nErrCode);
}

static int progress_calls;
static DWORD progress_answer;

static DWORD CALLBACK progress(LARGE_INTEGER total, LARGE_INTEGER done, LARGE_INTEGER stream_size,
    LARGE_INTEGER stream_done, DWORD stream, DWORD reason, HANDLE from, HANDLE to, LPVOID data)
{
    (void)stream_size; (void)stream_done; (void)stream; (void)from; (void)to;
    if (progress_calls++ == 0) {
        check_u("progress total", total.LowPart);
        check_u("progress first done", done.LowPart);
        check_u("progress first reason", reason);
        check_x("progress data", (DWORD)(UINT_PTR)data);
    }
    return progress_answer;
}

static void copy(void)
{
    FILETIME a, b;
    HANDLE h, h2;
    DWORD got;
    char buf[32];
    BOOL cancel = FALSE;

    make("C:\\fa\\src.txt", "copy me");
    R("copy new", CopyFileA("C:\\fa\\src.txt", "C:\\fa\\dst.txt", TRUE));
    R("copy fail if exists", CopyFileA("C:\\fa\\src.txt", "C:\\fa\\dst.txt", TRUE));
    R("copy replace", CopyFileA("C:\\fa\\src.txt", "C:\\fa\\dst.txt", FALSE));
    R("copy missing source", CopyFileA("C:\\fa\\nosuch.txt", "C:\\fa\\x.txt", FALSE));
    R("copy missing folder", CopyFileA("C:\\fa\\src.txt", "C:\\nodir\\x.txt", FALSE));
    R("copy onto itself", CopyFileA("C:\\fa\\src.txt", "C:\\fa\\src.txt", FALSE));
    h = xopen("C:\\fa\\dst.txt", GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING, 0);
    ReadFile(h, buf, sizeof buf, &got, NULL);
    buf[got] = 0;
    str("copied text", buf);
    CloseHandle(h);

    h = xopen("C:\\fa\\src.txt", GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING, 0);
    h2 = xopen("C:\\fa\\dst.txt", GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING, 0);
    GetFileTime(h, NULL, NULL, &a);
    GetFileTime(h2, NULL, NULL, &b);
    check_u("copy keeps last write time", a.dwLowDateTime == b.dwLowDateTime && a.dwHighDateTime == b.dwHighDateTime);
    CloseHandle(h2);
    R("copy while source shared for reading", CopyFileA("C:\\fa\\src.txt", "C:\\fa\\dst2.txt", FALSE));
    CloseHandle(h);
    h = xopen("C:\\fa\\src.txt", GENERIC_READ, 0, OPEN_EXISTING, 0);
    R("copy while source exclusive", CopyFileA("C:\\fa\\src.txt", "C:\\fa\\dst2.txt", FALSE));
    CloseHandle(h);
    h = xopen("C:\\fa\\dst2.txt", GENERIC_READ, 0, OPEN_EXISTING, 0);
    R("copy onto an exclusive open", CopyFileA("C:\\fa\\src.txt", "C:\\fa\\dst2.txt", FALSE));
    CloseHandle(h);

    /* Attributes come along; a read-only destination is not replaced. */
    SetFileAttributesA("C:\\fa\\src.txt", FILE_ATTRIBUTE_READONLY);
    R("copy read-only", CopyFileA("C:\\fa\\src.txt", "C:\\fa\\rodst.txt", FALSE));
    R("copy read-only attributes", GetFileAttributesA("C:\\fa\\rodst.txt") & 0x7);
    R("copy onto read-only", CopyFileA("C:\\fa\\dst.txt", "C:\\fa\\rodst.txt", FALSE));
    SetFileAttributesA("C:\\fa\\rodst.txt", FILE_ATTRIBUTE_NORMAL);
    SetFileAttributesA("C:\\fa\\src.txt", FILE_ATTRIBUTE_NORMAL);

    /* CopyFileEx (NT 4.0) and its progress routine. */
    progress_calls = 0;
    progress_answer = PROGRESS_CONTINUE;
    R("copyex", CopyFileExA("C:\\fa\\src.txt", "C:\\fa\\ex.txt", progress, (LPVOID)0x1234, &cancel, 0));
    check_u("copyex called", progress_calls > 0);
    R("copyex size", GetFileAttributesA("C:\\fa\\ex.txt") != INVALID_FILE_ATTRIBUTES);
    progress_calls = 0;
    progress_answer = PROGRESS_CANCEL;
    R("copyex cancel", CopyFileExA("C:\\fa\\src.txt", "C:\\fa\\ex2.txt", progress, NULL, NULL, 0));
    R("copyex cancel removes", GetFileAttributesA("C:\\fa\\ex2.txt"));
    progress_calls = 0;
    progress_answer = PROGRESS_STOP;
    R("copyex stop", CopyFileExA("C:\\fa\\src.txt", "C:\\fa\\ex3.txt", progress, NULL, NULL, 0));
    R("copyex stop keeps", GetFileAttributesA("C:\\fa\\ex3.txt") != INVALID_FILE_ATTRIBUTES);
    cancel = TRUE;
    R("copyex pbCancel", CopyFileExA("C:\\fa\\src.txt", "C:\\fa\\ex4.txt", NULL, NULL, &cancel, 0));
    R("copyex fail if exists", CopyFileExA("C:\\fa\\src.txt", "C:\\fa\\ex.txt", NULL, NULL, NULL, COPY_FILE_FAIL_IF_EXISTS));
}

static void info(void)
{
    WIN32_FILE_ATTRIBUTE_DATA ad;
    BY_HANDLE_FILE_INFORMATION bi;
    FILETIME ft1, ft2;
    HANDLE h, h2;

    SetLastError(0);
    R("attributesex", GetFileAttributesExA("C:\\fa\\src.txt", GetFileExInfoStandard, &ad));
    check_u("attributesex size", ad.nFileSizeLow);
    check_x("attributesex attributes", ad.dwFileAttributes);
    R("attributesex folder", GetFileAttributesExA("C:\\fa", GetFileExInfoStandard, &ad));
    check_x("attributesex folder attributes", ad.dwFileAttributes);
    R("attributesex missing", GetFileAttributesExA("C:\\fa\\none.txt", GetFileExInfoStandard, &ad));
    R("attributesex missing folder", GetFileAttributesExA("C:\\none\\none.txt", GetFileExInfoStandard, &ad));
    R("attributesex bad level", GetFileAttributesExA("C:\\fa\\src.txt", (GET_FILEEX_INFO_LEVELS)1, &ad));

    h = xopen("C:\\fa\\src.txt", GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING, 0);
    R("by handle", GetFileInformationByHandle(h, &bi));
    check_u("by handle size", bi.nFileSizeLow);
    check_u("by handle links", bi.nNumberOfLinks);
    CloseHandle(h);

    /* An open for attributes only neither conflicts with nor binds another open. */
    h = xopen("C:\\fa\\src.txt", GENERIC_READ | GENERIC_WRITE, 0, OPEN_EXISTING, 0);
    h2 = xopen("C:\\fa\\src.txt", FILE_READ_ATTRIBUTES, 0, OPEN_EXISTING, 0);
    res("attributes-only open beside exclusive", h2 != INVALID_HANDLE_VALUE);
    R("attributes-only size", GetFileSize(h2, NULL));
    R("attributes-only read", ReadFile(h2, &bi, 1, (DWORD *)&bi.nFileSizeLow, NULL));
    CloseHandle(h);
    h = xopen("C:\\fa\\src.txt", GENERIC_READ, 0, OPEN_EXISTING, 0);
    res("exclusive open beside attributes-only", h != INVALID_HANDLE_VALUE);
    CloseHandle(h);
    CloseHandle(h2);
    h = xopen("C:\\fa\\src.txt", 0, 0, OPEN_EXISTING, 0);
    h2 = xopen("C:\\fa\\src.txt", GENERIC_READ, 0, OPEN_EXISTING, 0);
    res("no-access open binds nobody", h2 != INVALID_HANDLE_VALUE);
    CloseHandle(h);
    CloseHandle(h2);

    /* A duplicate of a file handle gets no right the handle lacks. */
    h = xopen("C:\\fa\\src.txt", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, OPEN_EXISTING, 0);
    R("duplicate fewer rights", DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &h2, FILE_READ_DATA, FALSE, 0));
    CloseHandle(h2);
    R("duplicate same rights", DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &h2, GENERIC_READ, FALSE, 0));
    CloseHandle(h2);
    h2 = NULL;
    R("duplicate more rights", DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &h2, GENERIC_WRITE, FALSE, 0));
    check_u("duplicate more rights handle", h2 == NULL);
    if (h2) CloseHandle(h2);
    CloseHandle(h);

    /* SetFileTime: an all-zero or all-ones FILETIME leaves that time as it is. */
    h = xopen("C:\\fa\\src.txt", GENERIC_READ | GENERIC_WRITE, 0, OPEN_EXISTING, 0);
    GetFileTime(h, NULL, NULL, &ft1);
    ft2 = ft1;
    ft2.dwLowDateTime -= 600000000;
    if (ft2.dwLowDateTime > ft1.dwLowDateTime) ft2.dwHighDateTime--;
    R("set write time", SetFileTime(h, NULL, NULL, &ft2));
    GetFileTime(h, NULL, NULL, &ft1);
    check_u("write time set", ft1.dwLowDateTime == ft2.dwLowDateTime && ft1.dwHighDateTime == ft2.dwHighDateTime);
    ft1.dwLowDateTime = ft1.dwHighDateTime = 0xffffffff;
    R("set write time all ones", SetFileTime(h, NULL, NULL, &ft1));
    ft1.dwLowDateTime = ft1.dwHighDateTime = 0;
    R("set write time zero", SetFileTime(h, NULL, NULL, &ft1));
    GetFileTime(h, NULL, NULL, &ft1);
    check_u("write time kept", ft1.dwLowDateTime == ft2.dwLowDateTime && ft1.dwHighDateTime == ft2.dwHighDateTime);
    CloseHandle(h);
}

static void locks(void)
{
    HANDLE h1, h2;
    OVERLAPPED ov;
    DWORD n;
    char buf[16];

    make("C:\\fa\\lock.txt", "0123456789abcdefghijklmnopqrstuvwxyz");
    h1 = xopen("C:\\fa\\lock.txt", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, OPEN_EXISTING, 0);
    h2 = xopen("C:\\fa\\lock.txt", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, OPEN_EXISTING, 0);
    R("lock", LockFile(h1, 0, 0, 10, 0));
    R("lock overlapping other open", LockFile(h2, 5, 0, 10, 0));
    R("lock overlapping same open", LockFile(h1, 5, 0, 10, 0));
    R("lock beside", LockFile(h2, 10, 0, 5, 0));
    R("read own lock", ReadFile(h1, buf, 4, &n, NULL));
    R("read other's lock", ReadFile(h2, buf, 4, &n, NULL));
    SetFilePointer(h2, 20, NULL, FILE_BEGIN);
    R("write past locks", WriteFile(h2, "W", 1, &n, NULL));
    R("unlock part", UnlockFile(h1, 0, 0, 5, 0));
    R("unlock other's", UnlockFile(h2, 0, 0, 10, 0));
    R("unlock", UnlockFile(h1, 0, 0, 10, 0));
    R("unlock again", UnlockFile(h1, 0, 0, 10, 0));
    SetFilePointer(h2, 0, NULL, FILE_BEGIN);
    R("read after unlock", ReadFile(h2, buf, 4, &n, NULL));

    /* Shared locks. */
    ZeroMemory(&ov, sizeof ov);
    ov.Offset = 0;
    R("lockex shared", LockFileEx(h1, LOCKFILE_FAIL_IMMEDIATELY, 0, 10, 0, &ov));
    R("lockex shared beside shared", LockFileEx(h2, LOCKFILE_FAIL_IMMEDIATELY, 0, 10, 0, &ov));
    R("lockex exclusive over shared", LockFileEx(h2, LOCKFILE_FAIL_IMMEDIATELY | LOCKFILE_EXCLUSIVE_LOCK, 0, 10, 0, &ov));
    SetFilePointer(h1, 0, NULL, FILE_BEGIN);
    R("read shared lock", ReadFile(h1, buf, 4, &n, NULL));
    SetFilePointer(h1, 0, NULL, FILE_BEGIN);
    R("write shared lock", WriteFile(h1, "x", 1, &n, NULL));
    R("lockex reserved", LockFileEx(h1, LOCKFILE_FAIL_IMMEDIATELY, 1, 10, 0, &ov));
    R("unlockex", UnlockFileEx(h1, 0, 10, 0, &ov));
    R("unlockex other", UnlockFileEx(h2, 0, 10, 0, &ov));
    R("unlockex again", UnlockFileEx(h2, 0, 10, 0, &ov));

    /* Closing a handle drops its locks. */
    R("lock before close", LockFile(h1, 30, 0, 2, 0));
    CloseHandle(h1);
    R("lock after close", LockFile(h2, 30, 0, 2, 0));
    R("lock past the end", LockFile(h2, 1000, 0, 10, 0));
    CloseHandle(h2);
}

static void find(void)
{
    WIN32_FIND_DATAA fd;
    HANDLE f, h;
    char buf[MAX_PATH];

    CreateDirectoryA("C:\\fa\\dir", NULL);
    make("C:\\fa\\dir\\a long file name.text", "long");
    make("C:\\fa\\dir\\short.txt", "short");
    make("C:\\fa\\dir\\UP.TXT", "up");

    SetLastError(0);
    f = FindFirstFileA("C:\\fa\\dir\\a long*", &fd);
    res("find long", f != INVALID_HANDLE_VALUE);
    str("find long name", fd.cFileName);
    str("find long alias", fd.cAlternateFileName);
    check_u("find long size", fd.nFileSizeLow);
    FindClose(f);
    f = FindFirstFileA("C:\\fa\\dir\\short.txt", &fd);
    str("find short name", fd.cFileName);
    str("find short alias", fd.cAlternateFileName);
    FindClose(f);
    f = FindFirstFileA("C:\\fa\\dir\\up.txt", &fd);
    str("find upper name", fd.cFileName);
    str("find upper alias", fd.cAlternateFileName);
    FindClose(f);
    f = FindFirstFileA("C:\\fa\\dir\\ALONGF~1.TEX", &fd);
    res("find by alias", f != INVALID_HANDLE_VALUE);
    str("find by alias name", fd.cFileName);
    FindClose(f);

    h = xopen("C:\\fa\\dir\\ALONGF~1.TEX", GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING, 0);
    res("open by alias", h != INVALID_HANDLE_VALUE);
    CloseHandle(h);
    R("short path", GetShortPathNameA("C:\\fa\\dir\\a long file name.text", buf, sizeof buf));
    str("short path name", buf);
    R("attributes by alias", GetFileAttributesA("C:\\fa\\dir\\alongf~1.tex"));

    SetLastError(0);
    f = FindFirstFileExA("C:\\fa\\dir\\*", FindExInfoStandard, &fd, FindExSearchNameMatch, NULL, 0);
    res("findex", f != INVALID_HANDLE_VALUE);
    str("findex first", fd.cFileName);
    FindClose(f);
    SetLastError(0);
    f = FindFirstFileExA("C:\\fa\\dir\\*", FindExInfoStandard, &fd, FindExSearchLimitToDirectories, NULL, 0);
    res("findex directories", f != INVALID_HANDLE_VALUE);
    FindClose(f);
    SetLastError(0);
    f = FindFirstFileExA("C:\\fa\\dir\\*", (FINDEX_INFO_LEVELS)1, &fd, FindExSearchNameMatch, NULL, 0);
    res("findex bad level", f != INVALID_HANDLE_VALUE);
    SetLastError(0);
    f = FindFirstFileExA("C:\\fa\\dir\\*", FindExInfoStandard, &fd, FindExSearchNameMatch, NULL, 2);
    res("findex bad flags", f != INVALID_HANDLE_VALUE);
    SetLastError(0);
    f = FindFirstFileExA("C:\\fa\\dir\\*", FindExInfoStandard, &fd, FindExSearchLimitToDevices, NULL, 0);
    res("findex devices", f != INVALID_HANDLE_VALUE);
    SetLastError(0);
    f = FindFirstFileA("C:\\fa\\dir\\nomatch*", &fd);
    res("find no match", f != INVALID_HANDLE_VALUE);
    SetLastError(0);
    f = FindFirstFileA("C:\\fa\\nodir\\*", &fd);
    res("find no folder", f != INVALID_HANDLE_VALUE);
}

static void scatter(void)
{
    HANDLE h;
    char *pages = VirtualAlloc(NULL, 4 * 4096, MEM_COMMIT, PAGE_READWRITE);
    FILE_SEGMENT_ELEMENT seg[3];
    OVERLAPPED ov;
    int i, ok;

    for (i = 0; i < 8192; i++) pages[i] = (char)(i * 7);
    h = xopen("C:\\fa\\sg.bin", GENERIC_READ | GENERIC_WRITE, 0, CREATE_ALWAYS,
        FILE_FLAG_NO_BUFFERING | FILE_FLAG_OVERLAPPED);
    res("scatter open", h != INVALID_HANDLE_VALUE);
    ZeroMemory(seg, sizeof seg);
    seg[0].Buffer = PtrToPtr64(pages);
    seg[1].Buffer = PtrToPtr64(pages + 4096);
    ZeroMemory(&ov, sizeof ov);
    ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    SetLastError(0);
    ok = WriteFileGather(h, seg, 8192, NULL, &ov);
    res("gather", ok || GetLastError() == ERROR_IO_PENDING);
    R("gather wait", WaitForSingleObject(ov.hEvent, 5000));
    check_x("gather status", (DWORD)ov.Internal);
    check_u("gather bytes", (DWORD)ov.InternalHigh);
    R("gather size", GetFileSize(h, NULL));

    seg[0].Buffer = PtrToPtr64(pages + 3 * 4096);
    seg[1].Buffer = PtrToPtr64(pages + 2 * 4096);
    ZeroMemory(&ov, sizeof ov);
    ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    ov.Offset = 512;
    ok = ReadFileScatter(h, seg, 4096 + 512, NULL, &ov);
    res("scatter", ok || GetLastError() == ERROR_IO_PENDING);
    WaitForSingleObject(ov.hEvent, 5000);
    check_u("scatter bytes", (DWORD)ov.InternalHigh);
    ok = 1;
    for (i = 0; i < 4096; i++) ok &= pages[3 * 4096 + i] == (char)((i + 512) * 7);
    for (i = 0; i < 512; i++) ok &= pages[2 * 4096 + i] == (char)((i + 4096 + 512) * 7);
    check_u("scatter data", ok);

    ov.Offset = 100;
    R("scatter unaligned offset", ReadFileScatter(h, seg, 512, NULL, &ov));
    ov.Offset = 0;
    R("scatter partial sector", ReadFileScatter(h, seg, 100, NULL, &ov));
    ov.Offset = 8192;
    R("scatter at the end", ReadFileScatter(h, seg, 512, NULL, &ov));
    CloseHandle(h);
    h = xopen("C:\\fa\\sg.bin", GENERIC_READ, 0, OPEN_EXISTING, FILE_FLAG_OVERLAPPED);
    ov.Offset = 0;
    R("scatter buffered", ReadFileScatter(h, seg, 512, NULL, &ov));
    CloseHandle(h);
}

static UNICODE_STRING_ *ustr(UNICODE_STRING_ *u, const WCHAR *s)
{
    USHORT n = 0;
    while (s[n]) n++;
    u->Buffer = (PWSTR)s;
    u->Length = n * 2;
    u->MaximumLength = n * 2 + 2;
    return u;
}

static NTSTATUS ntcreate(HANDLE *h, const WCHAR *name, ACCESS_MASK access, ULONG disposition,
    ULONG options, IO_STATUS_BLOCK_ *io)
{
    UNICODE_STRING_ u;
    OBJECT_ATTRIBUTES_ oa;
    oa.Length = sizeof oa;
    oa.RootDirectory = NULL;
    oa.ObjectName = ustr(&u, name);
    oa.Attributes = 0x40; /* OBJ_CASE_INSENSITIVE */
    oa.SecurityDescriptor = oa.SecurityQualityOfService = NULL;
    io->Status = 0x1234;
    io->Information = 0x5678;
    *h = NULL;
    return NtCreateFile(h, access | SYNCHRONIZE, &oa, io, NULL, FILE_ATTRIBUTE_NORMAL,
        FILE_SHARE_READ | FILE_SHARE_WRITE, disposition, options | FILE_SYNCHRONOUS_IO_NONALERT_, NULL, 0);
}

static void native(void)
{
    IO_STATUS_BLOCK_ io;
    FILE_STANDARD_INFORMATION_ std;
    LARGE_INTEGER pos;
    HANDLE h, h2;
    char buf[16];
    NTSTATUS s;

    s = ntcreate(&h, L"\\??\\C:\\fa\\nt.txt", GENERIC_READ | GENERIC_WRITE, FILE_CREATE_, FILE_NON_DIRECTORY_FILE_, &io);
    check_x("nt create", s);
    check_x("nt create iosb status", io.Status);
    check_u("nt create information", io.Information);
    check_x("nt write", NtWriteFile(h, NULL, NULL, NULL, &io, "abcdef", 6, NULL, NULL));
    check_u("nt write information", io.Information);
    check_x("nt query standard", NtQueryInformationFile(h, &io, &std, sizeof std, 5));
    check_u("nt query standard information", io.Information);
    check_u("nt end of file", std.EndOfFile.LowPart);
    check_u("nt links", std.NumberOfLinks);
    check_u("nt directory", std.Directory);
    check_x("nt query position", NtQueryInformationFile(h, &io, &pos, sizeof pos, 14));
    check_u("nt position", pos.LowPart);
    check_x("nt query short", NtQueryInformationFile(h, &io, &std, 4, 5));
    check_x("nt read at the end", NtReadFile(h, NULL, NULL, NULL, &io, buf, sizeof buf, NULL, NULL));
    pos.QuadPart = 2;
    check_x("nt read at offset", NtReadFile(h, NULL, NULL, NULL, &io, buf, 3, &pos, NULL));
    check_u("nt read information", io.Information);
    buf[3] = 0;
    str("nt read text", buf);
    check_x("nt close", NtClose(h));

    check_x("nt create existing", ntcreate(&h, L"\\??\\C:\\fa\\nt.txt", GENERIC_READ, FILE_CREATE_, 0, &io));
    s = ntcreate(&h, L"\\??\\C:\\fa\\nt.txt", GENERIC_READ, FILE_OPEN_IF_, 0, &io);
    check_x("nt open if", s);
    check_u("nt open if information", io.Information);
    NtClose(h);
    s = ntcreate(&h, L"\\??\\C:\\fa\\nt.txt", GENERIC_WRITE, FILE_OVERWRITE_IF_, 0, &io);
    check_x("nt overwrite if", s);
    check_u("nt overwrite if information", io.Information);
    NtClose(h);
    s = ntcreate(&h, L"\\??\\C:\\fa\\nt.txt", GENERIC_WRITE, FILE_SUPERSEDE_, 0, &io);
    check_x("nt supersede", s);
    check_u("nt supersede information", io.Information);
    NtClose(h);
    check_x("nt open missing", ntcreate(&h, L"\\??\\C:\\fa\\none.txt", GENERIC_READ, FILE_OPEN_, 0, &io));
    check_x("nt open missing folder", ntcreate(&h, L"\\??\\C:\\fa\\none\\x.txt", GENERIC_READ, FILE_OPEN_, 0, &io));
    check_x("nt open file as directory", ntcreate(&h, L"\\??\\C:\\fa\\nt.txt", GENERIC_READ, FILE_OPEN_, FILE_DIRECTORY_FILE_, &io));
    check_x("nt open directory as file", ntcreate(&h, L"\\??\\C:\\fa", GENERIC_READ, FILE_OPEN_, FILE_NON_DIRECTORY_FILE_, &io));
    s = ntcreate(&h, L"\\??\\C:\\fa", FILE_LIST_DIRECTORY, FILE_OPEN_, FILE_DIRECTORY_FILE_, &io);
    check_x("nt open directory", s);
    check_x("nt query directory", NtQueryInformationFile(h, &io, &std, sizeof std, 5));
    check_u("nt directory flag", std.Directory);
    NtClose(h);
    s = ntcreate(&h, L"\\??\\C:\\fa\\ntdir", FILE_LIST_DIRECTORY, FILE_CREATE_, FILE_DIRECTORY_FILE_, &io);
    check_x("nt create directory", s);
    check_u("nt create directory information", io.Information);
    NtClose(h);
    R("nt directory attributes", GetFileAttributesA("C:\\fa\\ntdir") & FILE_ATTRIBUTE_DIRECTORY);

    /* A handle from NtCreateFile is an ordinary file handle, and the reverse. */
    ntcreate(&h, L"\\??\\C:\\fa\\nt.txt", GENERIC_READ | GENERIC_WRITE, FILE_OPEN_, 0, &io);
    R("nt handle WriteFile", WriteFile(h, "xyz", 3, (DWORD *)&io.Information, NULL));
    R("nt handle size", GetFileSize(h, NULL));
    NtClose(h);
    h2 = xopen("C:\\fa\\nt.txt", GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING, 0);
    check_x("win32 handle NtReadFile", NtReadFile(h2, NULL, NULL, NULL, &io, buf, sizeof buf, NULL, NULL));
    check_u("win32 handle NtReadFile information", io.Information);
    CloseHandle(h2);
}

void __stdcall start(void)
{
    R("make folder", CreateDirectoryA("C:\\fa", NULL));
    put("-- lfile\n");
    lfile();
    put("-- copy\n");
    copy();
    put("-- info\n");
    info();
    put("-- locks\n");
    locks();
    put("-- find\n");
    find();
    put("-- scatter\n");
    scatter();
    put("-- native\n");
    native();
    put("-- end\n");
    ExitProcess(0);
}
