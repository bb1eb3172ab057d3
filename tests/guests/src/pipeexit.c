/* pipeexit.exe: an overlapped read left pending when its process exits. The child gets the
 * client end of a named pipe from the parent (DuplicateHandle with DUPLICATE_CLOSE_SOURCE),
 * starts an overlapped ReadFile with an OVERLAPPED in a global variable and exits. The read
 * is cancelled: the completion port the parent bound to the client end gets a packet with
 * ERROR_OPERATION_ABORTED, and nothing is written to the parent's memory at the child's
 * OVERLAPPED address (the same global, in the parent, keeps its values).
 * tests/pipes.rs compares the output with pipeexit.expected. */
#include "guest.h"

static OVERLAPPED shared_overlapped;
static char buffer[4];

static int parse_hex(const char *s, DWORD *out)
{
    DWORD v = 0;
    int n = 0;
    for (; *s; s++, n++) {
        char c = *s;
        if (c >= '0' && c <= '9') v = v * 16 + (DWORD)(c - '0');
        else if (c >= 'a' && c <= 'f') v = v * 16 + (DWORD)(c - 'a' + 10);
        else break;
    }
    *out = v;
    return n;
}

void __stdcall start(void)
{
    const char *cmd = GetCommandLineA();
    const char *arg = cmd;
    HANDLE server, client, port, parent, pipe;
    OVERLAPPED connect;
    OVERLAPPED *got = NULL;
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    char line[300], self[MAX_PATH];
    DWORD size, pid, handle, i;
    ULONG_PTR key;
    BOOL ok;

    while (*arg && *arg != '#') arg++;
    if (*arg == '#') {
        /* The child: "#pid:handle" */
        arg += parse_hex(arg + 1, &pid) + 2;
        parse_hex(arg, &handle);
        parent = OpenProcess(PROCESS_DUP_HANDLE, FALSE, pid);
        DuplicateHandle(parent, (HANDLE)handle, GetCurrentProcess(), &pipe, 0, FALSE,
                        DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE);
        shared_overlapped.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
        ok = ReadFile(pipe, buffer, sizeof buffer, NULL, &shared_overlapped);
        check_u("child ReadFile pending", !ok && GetLastError() == ERROR_IO_PENDING);
        ExitProcess(0);
    }

    shared_overlapped.Internal = 0x11111111;
    shared_overlapped.InternalHigh = 0x22222222;
    server = CreateNamedPipeA("\\\\.\\pipe\\ntemu-pipeexit", FILE_FLAG_OVERLAPPED | PIPE_ACCESS_DUPLEX,
                              PIPE_TYPE_BYTE | PIPE_WAIT, 1, 512, 512, 0, NULL);
    for (i = 0; i < sizeof connect; i++) ((char *)&connect)[i] = 0;
    connect.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    ConnectNamedPipe(server, &connect);
    client = CreateFileA("\\\\.\\pipe\\ntemu-pipeexit", GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
    check_u("connected", WaitForSingleObject(connect.hEvent, 0) == WAIT_OBJECT_0);
    port = CreateIoCompletionPort(client, NULL, 123, 0);
    check_u("port made", port != NULL);

    GetModuleFileNameA(NULL, self, sizeof self);
    wsprintfA(line, "\"%s\" #%lx:%lx", self, GetCurrentProcessId(), (DWORD)client);
    for (i = 0; i < sizeof si; i++) ((char *)&si)[i] = 0;
    si.cb = sizeof si;
    check_u("CreateProcess", CreateProcessA(NULL, line, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi));
    check_u("child ended", WaitForSingleObject(pi.hProcess, 5000) == WAIT_OBJECT_0);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);

    key = 0;
    size = 0xdeadbeef;
    ok = GetQueuedCompletionStatus(port, &size, &key, &got, 1000);
    check_u("GetQueuedCompletionStatus", ok);
    check_u("GetQueuedCompletionStatus error", ok ? 0 : GetLastError());
    check_u("packet key", key);
    check_u("packet size", size);
    check_u("packet OVERLAPPED is the child's address", got == &shared_overlapped);
    check_x("parent's OVERLAPPED.Internal untouched", shared_overlapped.Internal);
    check_x("parent's OVERLAPPED.InternalHigh untouched", shared_overlapped.InternalHigh);
    CloseHandle(port);
    CloseHandle(server);
    ExitProcess(0);
}
