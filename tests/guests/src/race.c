/* race.exe ITERATIONS: file operations in a loop on names a host thread of the test keeps
 * swapping for symbolic links that lead outside the drive (tests/sandbox.rs): C:\d (a folder
 * holding x.txt and y.txt) and C:\f.txt. Reads, writes, appends, creates, moves, deletes,
 * mkdir/rmdir and delete-on-close; every byte read is checked for the outside files' marker.
 * Prints how many of each operation succeeded and how many reads saw outside content. */
#include "guest.h"

static DWORD leaks, reads, writes, creates, moves, deletes, dirs, doc;

static int has_outside(const char *buf, DWORD n)
{
    DWORD i;
    for (i = 0; i + 7 <= n; i++)
        if (buf[i] == 'O' && buf[i + 1] == 'U' && buf[i + 2] == 'T' && buf[i + 3] == 'S' &&
            buf[i + 4] == 'I' && buf[i + 5] == 'D' && buf[i + 6] == 'E')
            return 1;
    return 0;
}

static void read_file(const char *name)
{
    char buf[256];
    DWORD got = 0;
    HANDLE h = CreateFileA(name, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                           NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) return;
    if (ReadFile(h, buf, sizeof buf, &got, NULL)) {
        reads++;
        if (has_outside(buf, got)) leaks++;
    }
    CloseHandle(h);
}

static void write_file(const char *name, DWORD disposition, int append)
{
    DWORD n;
    HANDLE h = CreateFileA(name, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                           NULL, disposition, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) return;
    if (append) SetFilePointer(h, 0, NULL, FILE_END);
    if (WriteFile(h, "inside\n", 7, &n, NULL)) writes++;
    CloseHandle(h);
}

void __stdcall start(void)
{
    const char *line = GetCommandLineA();
    DWORD iterations = 0, i;
    HANDLE h;

    while (*line && *line != ' ') line++;
    while (*line == ' ') line++;
    while (*line >= '0' && *line <= '9') iterations = iterations * 10 + (DWORD)(*line++ - '0');

    for (i = 0; i < iterations; i++) {
        read_file("C:\\d\\x.txt");
        read_file("C:\\f.txt");
        write_file("C:\\d\\x.txt", OPEN_EXISTING, 1);
        write_file("C:\\f.txt", OPEN_ALWAYS, 0);
        h = CreateFileA("C:\\d\\new.txt", GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
        if (h != INVALID_HANDLE_VALUE) { creates++; CloseHandle(h); }
        if (MoveFileA("C:\\d\\new.txt", "C:\\d\\moved.txt")) moves++;
        if (DeleteFileA("C:\\d\\moved.txt")) deletes++;
        if (MoveFileA("C:\\d\\y.txt", "C:\\y.txt")) moves++;
        if (MoveFileA("C:\\y.txt", "C:\\d\\y.txt")) moves++;
        if (CreateDirectoryA("C:\\d\\sub", NULL)) dirs++;
        if (RemoveDirectoryA("C:\\d\\sub")) dirs++;
        h = CreateFileA("C:\\d\\doc.txt", GENERIC_WRITE, FILE_SHARE_DELETE, NULL, CREATE_ALWAYS,
                        FILE_FLAG_DELETE_ON_CLOSE, NULL);
        if (h != INVALID_HANDLE_VALUE) { doc++; CloseHandle(h); }
        DeleteFileA("C:\\d\\doc.txt");
        read_file("C:\\d\\y.txt");
    }
    check_u("iterations", iterations);
    check_u("outside-content-read", leaks);
    check_u("reads", reads);
    check_u("writes", writes);
    check_u("creates", creates);
    check_u("moves", moves);
    check_u("deletes", deletes);
    check_u("dirs", dirs);
    check_u("delete-on-close", doc);
    ExitProcess(0);
}
