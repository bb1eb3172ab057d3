/* fsctl.exe: NtFsControlFile(FSCTL_PIPE_PEEK) on anonymous and named pipes (the
 * FILE_PIPE_PEEK_BUFFER's counts, a cut buffer's STATUS_BUFFER_OVERFLOW, a buffer smaller than
 * the header, a disk file), and SetThreadToken (an impersonation token set and cleared, a
 * primary token refused with ERROR_BAD_TOKEN_TYPE).
 * tests/pipes.rs compares the output with fsctl.expected. */
#include "guest.h"

typedef struct { LONG status; ULONG information; } IOSB;
typedef LONG (WINAPI *FSCTL)(HANDLE, HANDLE, void *, void *, IOSB *, ULONG, void *, ULONG, void *, ULONG);
#define FSCTL_PIPE_PEEK 0x0011400C

static FSCTL fsctl;

static void peek(const char *what, HANDLE h, ULONG size)
{
    char buf[64];
    ULONG *w = (ULONG *)buf;
    IOSB io = { -1, 0xdeadbeef };
    LONG status;
    int i;
    for (i = 0; i < 64; i++) buf[i] = 0;
    status = fsctl(h, NULL, NULL, NULL, &io, FSCTL_PIPE_PEEK, NULL, 0, buf, size);
    put(what); put(": status="); put_x((DWORD)status);
    if (status >= 0) {
        put(" info="); put_u(io.information);
        put(" state="); put_u(w[0]); put(" avail="); put_u(w[1]);
        put(" messages="); put_u(w[2]); put(" length="); put_u(w[3]);
        put(" data="); for (i = 16; i < (int)io.information && i < 64; i++) { char c[2] = { buf[i], 0 }; put(c); }
    }
    put("\n");
}

typedef BOOL (WINAPI *DUPEX)(HANDLE, DWORD, void *, int, int, HANDLE *);
typedef BOOL (WINAPI *SETTOKEN)(HANDLE *, HANDLE);

void __stdcall start(void)
{
    HANDLE r, w, server, client, file, process_token, imp, t;
    DWORD n;
    char self[MAX_PATH];
    HMODULE advapi = LoadLibraryA("advapi32.dll");
    DUPEX dupex = (DUPEX)GetProcAddress(advapi, "DuplicateTokenEx");
    SETTOKEN set_token = (SETTOKEN)GetProcAddress(advapi, "SetThreadToken");
    BOOL (WINAPI *open_process_token)(HANDLE, DWORD, HANDLE *) =
        (void *)GetProcAddress(advapi, "OpenProcessToken");
    BOOL (WINAPI *open_thread_token)(HANDLE, DWORD, BOOL, HANDLE *) =
        (void *)GetProcAddress(advapi, "OpenThreadToken");
    BOOL ok;

    fsctl = (FSCTL)GetProcAddress(GetModuleHandleA("ntdll.dll"), "NtFsControlFile");
    CreatePipe(&r, &w, NULL, 0);
    peek("anonymous empty", r, 64);
    WriteFile(w, "hello", 5, &n, NULL);
    peek("anonymous", r, 64);
    peek("anonymous cut", r, 18);
    peek("anonymous header only", r, 16);
    peek("anonymous too small", r, 15);

    server = CreateNamedPipeA("\\\\.\\pipe\\ntemu-fsctl", PIPE_ACCESS_DUPLEX,
                              PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT, 1, 512, 512, 0, NULL);
    client = CreateFileA("\\\\.\\pipe\\ntemu-fsctl", GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    WriteFile(client, "abc", 3, &n, NULL);
    WriteFile(client, "defg", 4, &n, NULL);
    peek("message pipe", server, 64);
    peek("message pipe cut", server, 17);
    peek("message pipe other end", client, 64);

    GetModuleFileNameA(NULL, self, sizeof self);
    file = CreateFileA(self, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    peek("disk file", file, 64);
    CloseHandle(file);

    check_u("OpenProcessToken", open_process_token(GetCurrentProcess(), TOKEN_DUPLICATE | TOKEN_IMPERSONATE | TOKEN_QUERY, &process_token));
    SetLastError(0xdeadbeef);
    ok = set_token(NULL, process_token);
    check_u("SetThreadToken(primary token)", ok);
    check_u("SetThreadToken(primary token) error", ok ? 0 : GetLastError());
    check_u("DuplicateTokenEx(impersonation)", dupex(process_token, TOKEN_IMPERSONATE | TOKEN_QUERY, NULL, 2, 2, &imp));
    check_u("SetThreadToken(impersonation token)", set_token(NULL, imp));
    ok = open_thread_token(GetCurrentThread(), TOKEN_QUERY, TRUE, &t);
    check_u("OpenThreadToken while impersonating", ok);
    if (ok) CloseHandle(t);
    check_u("SetThreadToken(NULL)", set_token(NULL, NULL));
    SetLastError(0xdeadbeef);
    ok = open_thread_token(GetCurrentThread(), TOKEN_QUERY, TRUE, &t);
    check_u("OpenThreadToken after clearing", ok);
    check_u("OpenThreadToken after clearing error", ok ? 0 : GetLastError());
    ExitProcess(0);
}
