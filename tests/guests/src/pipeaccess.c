/* pipeaccess.exe: the access each pipe handle is granted, as NtQueryInformationFile's
 * FileAccessInformation reports it: named pipe server ends of each direction (CreateNamedPipe
 * asks for GENERIC_READ and/or GENERIC_WRITE with SYNCHRONIZE), a client opened with no
 * access (CreateFile adds SYNCHRONIZE and FILE_READ_ATTRIBUTES to every open), both ends of an
 * anonymous pipe, and a disk file opened for reading. tests/sync.rs compares the output with
 * pipeaccess.expected. */
#include "guest.h"

typedef struct { LONG status; ULONG_PTR information; } IOSB;
typedef LONG (__stdcall *query_file_fn)(HANDLE, IOSB *, void *, ULONG, ULONG);

static query_file_fn query;

static void access_of(const char *name, HANDLE h)
{
    IOSB io;
    DWORD access = 0x11111111;
    LONG status = query(h, &io, &access, sizeof access, 8 /* FileAccessInformation */);
    put(name); put(": status "); put_x((unsigned long)status); put(" access "); put_x(access); put("\n");
}

void __stdcall start(void)
{
    static const char name[] = "\\\\.\\pipe\\ntemu-pipeaccess";
    HANDLE server, client, rd, wr, file;

    query = (query_file_fn)GetProcAddress(GetModuleHandleA("ntdll.dll"), "NtQueryInformationFile");
    if (!query) ExitProcess(1);

    server = CreateNamedPipeA(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_WAIT, 1, 1024, 1024, 0, NULL);
    access_of("duplex server", server);
    client = CreateFileA(name, 0, 0, NULL, OPEN_EXISTING, 0, NULL);
    access_of("client opened with no access", client);
    CloseHandle(client);
    CloseHandle(server);

    server = CreateNamedPipeA(name, PIPE_ACCESS_INBOUND, PIPE_TYPE_BYTE | PIPE_WAIT, 1, 1024, 1024, 0, NULL);
    access_of("inbound server", server);
    client = CreateFileA(name, GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    access_of("client opened for writing", client);
    CloseHandle(client);
    CloseHandle(server);

    server = CreateNamedPipeA(name, PIPE_ACCESS_OUTBOUND, PIPE_TYPE_BYTE | PIPE_WAIT, 1, 1024, 1024, 0, NULL);
    access_of("outbound server", server);
    CloseHandle(server);

    CreatePipe(&rd, &wr, NULL, 0);
    access_of("anonymous read end", rd);
    access_of("anonymous write end", wr);
    CloseHandle(rd);
    CloseHandle(wr);

    file = CreateFileA("pipeaccess.tmp", GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                       FILE_FLAG_DELETE_ON_CLOSE, NULL);
    access_of("disk file, read and write", file);
    CloseHandle(file);
    ExitProcess(0);
}
