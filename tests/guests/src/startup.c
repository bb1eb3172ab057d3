/* startup.exe: what NT's CreateProcess leaves in a process before its first instruction,
 * read from guest memory as code that bypasses KERNEL32 reads it: PEB.ProcessHeap (a heap
 * HeapAlloc takes), PEB.ProcessParameters (RTL_USER_PROCESS_PARAMETERS: the image path, the
 * command line, the environment, the standard handles), and what GetFileType says of each
 * kind of handle. */
#include "guest.h"

typedef struct { USHORT Length, MaximumLength; WCHAR *Buffer; } USTR;

static void put_w(const WCHAR *w, unsigned n)
{
    char buf[512];
    unsigned i;
    for (i = 0; i < n && i < sizeof buf - 1; i++) buf[i] = w[i] < 128 ? (char)w[i] : '?';
    buf[i] = 0;
    put(buf);
}

static int same_w(const WCHAR *a, const WCHAR *b)
{
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}

void __stdcall start(void)
{
    BYTE *teb = (BYTE *)NtCurrentTeb();
    BYTE *peb = *(BYTE **)(teb + 0x30);
    HANDLE heap = *(HANDLE *)(peb + 0x18);
    BYTE *params = *(BYTE **)(peb + 0x10);
    USTR *image = (USTR *)(params + 0x38), *cmd = (USTR *)(params + 0x40);
    WCHAR *env = *(WCHAR **)(params + 0x48);
    char value[64];
    HANDLE h;
    void *p;

    check_u("peb-heap-is-the-process-heap", heap == GetProcessHeap());
    p = HeapAlloc(heap, HEAP_ZERO_MEMORY, 100);
    check_u("heap-alloc-through-the-peb", p != NULL);
    check_u("heap-free", HeapFree(heap, 0, p));
    check_u("parameters-normalized", *(DWORD *)(params + 0x8) & 1);
    put("image: "); put_w(image->Buffer, image->Length / 2); put("\n");
    put("command-line: "); put_w(cmd->Buffer, cmd->Length / 2); put("\n");
    check_u("command-line-is-GetCommandLineW", same_w(cmd->Buffer, GetCommandLineW()));
    check_u("environment-is-GetEnvironmentStringsW", env == GetEnvironmentStringsW());
    check_x("std-input", *(DWORD *)(params + 0x18));
    check_x("std-output", *(DWORD *)(params + 0x1C));
    check_x("std-error", *(DWORD *)(params + 0x20));
    check_u("std-output-is-GetStdHandle", *(HANDLE *)(params + 0x1C) == GetStdHandle(STD_OUTPUT_HANDLE));
    GetEnvironmentVariableA("Path", value, sizeof value); put("Path: "); put(value); put("\n");
    GetEnvironmentVariableA("windir", value, sizeof value); put("windir: "); put(value); put("\n");
    GetEnvironmentVariableA("TEMP", value, sizeof value); put("TEMP: "); put(value); put("\n");
    GetEnvironmentVariableA("PROCESSOR_ARCHITECTURE", value, sizeof value);
    put("PROCESSOR_ARCHITECTURE: "); put(value); put("\n");
    check_u("type-stdin", GetFileType(GetStdHandle(STD_INPUT_HANDLE)));
    check_u("type-stdout", GetFileType(GetStdHandle(STD_OUTPUT_HANDLE)));
    check_u("type-stderr", GetFileType(GetStdHandle(STD_ERROR_HANDLE)));
    h = CreateFileA("startup-file.txt", GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_FLAG_DELETE_ON_CLOSE, NULL);
    check_u("type-disk-file", GetFileType(h));
    CloseHandle(h);
    h = CreateFileA("NUL", GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    check_u("type-nul", GetFileType(h));
    CloseHandle(h);
    h = CreateFileA("CONOUT$", GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    check_u("type-conout", GetFileType(h));
    CloseHandle(h);
    SetLastError(0);
    check_u("type-bad-handle", GetFileType((HANDLE)0x1234));
    check_u("type-bad-handle-error", GetLastError());
    ExitProcess(0);
}
