/* fsprobe.exe: tries one spelling of a path per line of C:\names.txt (tests/sandbox.rs writes
 * it): open for reading, GetFileAttributes, FindFirstFile, create for writing (OPEN_ALWAYS),
 * DeleteFile, CreateDirectory and RemoveDirectory. Prints, per name, its line number and the
 * results ("n: read=R attr=A find=F write=W delete=D mkdir=M rmdir=R" with the last errors)
 * and, when a read succeeded, whether the bytes held the outside marker. */
#include "guest.h"

static char names[1 << 20];

static void result(const char *what, int ok)
{
    put(" "); put(what); put("="); put_u(ok ? 0 : GetLastError());
}

static void probe(const char *name)
{
    char buf[256];
    DWORD got = 0, i;
    WIN32_FIND_DATAA fd;
    HANDLE h;
    int outside = 0;

    SetLastError(0);
    h = CreateFileA(name, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
    result("read", h != INVALID_HANDLE_VALUE);
    if (h != INVALID_HANDLE_VALUE) {
        /* Disk files only: a console device would wait for keys. */
        if (GetFileType(h) == FILE_TYPE_DISK && ReadFile(h, buf, sizeof buf, &got, NULL))
            for (i = 0; i + 7 <= got; i++)
                if (buf[i] == 'O' && buf[i + 1] == 'U' && buf[i + 2] == 'T' && buf[i + 3] == 'S' &&
                    buf[i + 4] == 'I' && buf[i + 5] == 'D' && buf[i + 6] == 'E') outside = 1;
        CloseHandle(h);
    }
    SetLastError(0);
    result("attr", GetFileAttributesA(name) != INVALID_FILE_ATTRIBUTES);
    SetLastError(0);
    h = FindFirstFileA(name, &fd);
    result("find", h != INVALID_HANDLE_VALUE);
    if (h != INVALID_HANDLE_VALUE) FindClose(h);
    SetLastError(0);
    h = CreateFileA(name, GENERIC_WRITE, 0, NULL, OPEN_ALWAYS, 0, NULL);
    result("write", h != INVALID_HANDLE_VALUE);
    if (h != INVALID_HANDLE_VALUE) {
        WriteFile(h, "x", 1, &got, NULL);
        CloseHandle(h);
    }
    SetLastError(0);
    result("delete", DeleteFileA(name));
    SetLastError(0);
    result("mkdir", CreateDirectoryA(name, NULL));
    SetLastError(0);
    result("rmdir", RemoveDirectoryA(name));
    if (outside) put(" OUTSIDE-CONTENT");
    put("\n");
}

void __stdcall start(void)
{
    DWORD got = 0, i, n = 0, start = 0;
    HANDLE h = CreateFileA("C:\\names.txt", GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) { put("no names\n"); ExitProcess(1); }
    ReadFile(h, names, sizeof names - 1, &got, NULL);
    CloseHandle(h);
    names[got] = 0;
    for (i = 0; i <= got; i++) {
        if (names[i] == '\n' || names[i] == 0) {
            names[i] = 0;
            if (i > start) { put_u(n); put(":"); probe(names + start); }
            n++;
            start = i + 1;
        }
    }
    ExitProcess(0);
}
