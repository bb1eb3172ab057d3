/* npipes.exe: named pipes, overlapped I/O and I/O completion ports. CreateNamedPipe's
 * instances and their limit, a client's CreateFile of \\.\pipe\NAME (busy, missing),
 * ConnectNamedPipe before and after the client came, byte-mode reads across writes,
 * message mode (ERROR_MORE_DATA and the rest of a message, PeekNamedPipe's bytes left in the
 * message, empty messages), GetNamedPipeInfo, GetNamedPipeHandleState and
 * SetNamedPipeHandleState, a closed end (ERROR_BROKEN_PIPE, ERROR_NO_DATA),
 * DisconnectNamedPipe and a second connection, WaitNamedPipe, TransactNamedPipe and
 * CallNamedPipe against a server thread; overlapped ConnectNamedPipe and ReadFile with
 * events (ERROR_IO_PENDING, OVERLAPPED.Internal, GetOverlappedResult with and without
 * waiting, ERROR_IO_INCOMPLETE, CancelIo), ReadFileEx and WriteFileEx completion routines,
 * and completion ports (posted packets, the timeout, a pipe's completions, an event whose
 * low bit is set); a pipe handle's own signal (reset by a failed call, set by a completed
 * one), PIPE_NOWAIT writes (what pending reads take, the rest all or nothing), an empty
 * message behind a pending write, a cancelled write's bytes leaving the pipe, and the I/O of
 * a thread that ends being cancelled; named completion ports (NtCreateIoCompletion with a
 * name, OBJ_OPENIF, NtOpenIoCompletion) and NtOpenEvent/NtOpenIoCompletion's errors. Run as "npipes.exe hang-connect" it waits for a client that never comes,
 * as "npipes.exe hang-port" for a completion packet that never comes (tests/sync.rs checks
 * that the thread is parked). One line per check ("name: value"); NT 4.0's values in
 * expected/npipes.expected, Wine's in expected/npipes.wine. */
#include "guest.h"
#include <winternl.h>

NTSTATUS NTAPI NtCreateIoCompletion(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES, ULONG);
NTSTATUS NTAPI NtOpenIoCompletion(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES);
NTSTATUS NTAPI NtSetIoCompletion(HANDLE, ULONG_PTR, ULONG_PTR, NTSTATUS, ULONG_PTR);
NTSTATUS NTAPI NtOpenEvent(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES);

#define CHECK_FAIL(name, expr) do { DWORD v_; SetLastError(0); v_ = (DWORD)(expr); \
    check_u(name, v_); check_u(name " last_error", GetLastError()); } while (0)

#define PIPE_A "\\\\.\\pipe\\ntemu-npipes-a"
#define PIPE_M "\\\\.\\pipe\\ntemu-npipes-m"
#define PIPE_T "\\\\.\\pipe\\ntemu-npipes-t"
#define PIPE_O "\\\\.\\pipe\\ntemu-npipes-o"

static void check_text(const char *name, const char *text, DWORD n)
{
    char one[2] = {0, 0};
    DWORD i;
    put(name);
    put(": \"");
    for (i = 0; i < n; i++) { one[0] = text[i]; put(one); }
    put("\"\n");
}

static HANDLE client(const char *name)
{
    return CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
}

static void byte_mode(void)
{
    HANDLE s, s2, c, c2;
    DWORD n, avail, left, flags, out, in, max, state, instances;
    char buf[32];

    s = CreateNamedPipeA(PIPE_A, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_WAIT, 1, 1024, 1024,
                         NMPWAIT_USE_DEFAULT_WAIT, NULL);
    check_u("CreateNamedPipe(byte) valid", s != INVALID_HANDLE_VALUE);
    check_u("GetFileType(server)", GetFileType(s));
    SetLastError(0);
    s2 = CreateNamedPipeA(PIPE_A, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1, 1024, 1024, 0, NULL);
    check_u("CreateNamedPipe(beyond max instances) valid", s2 != INVALID_HANDLE_VALUE);
    check_u("CreateNamedPipe(beyond max instances) last_error", GetLastError());
    SetLastError(0);
    c = CreateFileA("\\\\.\\pipe\\ntemu-npipes-none", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    check_u("CreateFile(missing pipe) valid", c != INVALID_HANDLE_VALUE);
    check_u("CreateFile(missing pipe) last_error", GetLastError());
    CHECK_FAIL("WaitNamedPipe(missing pipe)", WaitNamedPipeA("\\\\.\\pipe\\ntemu-npipes-none", 10));
    CHECK_FAIL("ReadFile(listening server)", ReadFile(s, buf, sizeof buf, &n, NULL));
    CHECK_FAIL("WriteFile(listening server)", WriteFile(s, "x", 1, &n, NULL));
    check_u("WaitNamedPipe(listening)", WaitNamedPipeA(PIPE_A, 10));

    c = client(PIPE_A);
    check_u("CreateFile(pipe) valid", c != INVALID_HANDLE_VALUE);
    CHECK_FAIL("ConnectNamedPipe(client already there)", ConnectNamedPipe(s, NULL));
    SetLastError(0);
    c2 = client(PIPE_A);
    check_u("CreateFile(busy pipe) valid", c2 != INVALID_HANDLE_VALUE);
    check_u("CreateFile(busy pipe) last_error", GetLastError());
    CHECK_FAIL("WaitNamedPipe(busy, 10 ms)", WaitNamedPipeA(PIPE_A, 10));

    check_u("WriteFile(client, abc)", WriteFile(c, "abc", 3, &n, NULL));
    check_u("  written", n);
    WriteFile(c, "defg", 4, &n, NULL);
    check_u("PeekNamedPipe(server)", PeekNamedPipe(s, buf, 2, &n, &avail, &left));
    check_u("  peeked", n);
    check_u("  available", avail);
    check_u("  left in message", left);
    check_text("  bytes", buf, n);
    check_u("ReadFile(server) across writes", ReadFile(s, buf, sizeof buf, &n, NULL));
    check_text("  read", buf, n);
    WriteFile(s, "reply", 5, &n, NULL);
    check_u("ReadFile(client, 3 of 5)", ReadFile(c, buf, 3, &n, NULL));
    check_text("  read", buf, n);
    check_u("ReadFile(client, the rest)", ReadFile(c, buf, sizeof buf, &n, NULL));
    check_text("  read", buf, n);
    check_u("GetNamedPipeInfo(server)", GetNamedPipeInfo(s, &flags, &out, &in, &max));
    check_u("  flags", flags);
    check_u("  out buffer", out);
    check_u("  in buffer", in);
    check_u("  max instances", max);
    check_u("GetNamedPipeInfo(client)", GetNamedPipeInfo(c, &flags, NULL, NULL, NULL));
    check_u("  flags", flags);
    check_u("GetNamedPipeHandleState(server)", GetNamedPipeHandleStateA(s, &state, &instances, NULL, NULL, NULL, 0));
    check_u("  state", state);
    check_u("  instances", instances);
    state = PIPE_READMODE_MESSAGE;
    CHECK_FAIL("SetNamedPipeHandleState(byte pipe, message read mode)", SetNamedPipeHandleState(c, &state, NULL, NULL));
    state = PIPE_NOWAIT;
    check_u("SetNamedPipeHandleState(PIPE_NOWAIT)", SetNamedPipeHandleState(c, &state, NULL, NULL));
    CHECK_FAIL("ReadFile(empty, PIPE_NOWAIT)", ReadFile(c, buf, sizeof buf, &n, NULL));
    state = PIPE_WAIT;
    SetNamedPipeHandleState(c, &state, NULL, NULL);

    /* The client goes: the server reads what is left, then the pipe is broken. */
    WriteFile(c, "last", 4, &n, NULL);
    CloseHandle(c);
    check_u("ReadFile(server) after the client closed", ReadFile(s, buf, sizeof buf, &n, NULL));
    check_text("  read", buf, n);
    CHECK_FAIL("ReadFile(server) once drained", ReadFile(s, buf, sizeof buf, &n, NULL));
    CHECK_FAIL("WriteFile(server) to a closed client", WriteFile(s, "x", 1, &n, NULL));
    CHECK_FAIL("PeekNamedPipe(server) to a closed client", PeekNamedPipe(s, NULL, 0, NULL, &avail, NULL));
    check_u("DisconnectNamedPipe", DisconnectNamedPipe(s));
    CHECK_FAIL("ReadFile(disconnected server)", ReadFile(s, buf, sizeof buf, &n, NULL));
    CHECK_FAIL("ConnectNamedPipe(client handle)", ConnectNamedPipe(s2 == INVALID_HANDLE_VALUE ? (HANDLE)0x1234 : s2, NULL));

    /* Connected again: the client before the server listens is refused. */
    SetLastError(0);
    c = client(PIPE_A);
    check_u("CreateFile(disconnected instance) valid", c != INVALID_HANDLE_VALUE);
    check_u("CreateFile(disconnected instance) last_error", GetLastError());
    CloseHandle(s);
    if (s2 != INVALID_HANDLE_VALUE) CloseHandle(s2);
    SetLastError(0);
    c = client(PIPE_A);
    check_u("CreateFile(pipe whose instances closed) last_error", GetLastError());
}

/* Serves PIPE_T: connects, answers one request per connection with "re:" + the request,
 * and stops after `param` connections. */
static HANDLE g_ready;
static DWORD WINAPI transact_server(LPVOID param)
{
    DWORD rounds = (DWORD)param, i, n, w;
    char buf[64];
    HANDLE s = CreateNamedPipeA(PIPE_T, PIPE_ACCESS_DUPLEX,
                                PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT, 1, 256, 256,
                                NMPWAIT_USE_DEFAULT_WAIT, NULL);
    SetEvent(g_ready);
    for (i = 0; i < rounds; i++) {
        if (!ConnectNamedPipe(s, NULL) && GetLastError() != ERROR_PIPE_CONNECTED) return 100 + i;
        if (!ReadFile(s, buf + 3, sizeof buf - 3, &n, NULL)) return 200 + i;
        buf[0] = 'r'; buf[1] = 'e'; buf[2] = ':';
        if (!WriteFile(s, buf, n + 3, &w, NULL)) return 300 + i;
        FlushFileBuffers(s);
        DisconnectNamedPipe(s);
    }
    CloseHandle(s);
    return 0;
}

static void message_mode(void)
{
    HANDLE s, c, thread;
    DWORD n, avail, left, mode, flags, code, id;
    char buf[64];

    s = CreateNamedPipeA(PIPE_M, PIPE_ACCESS_DUPLEX,
                         PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE, PIPE_UNLIMITED_INSTANCES,
                         512, 256, 0, NULL);
    check_u("CreateNamedPipe(message) valid", s != INVALID_HANDLE_VALUE);
    c = client(PIPE_M);
    check_u("GetNamedPipeHandleState(client) state", GetNamedPipeHandleStateA(c, &mode, NULL, NULL, NULL, NULL, 0) ? mode : 0xffff);
    mode = PIPE_READMODE_MESSAGE;
    check_u("SetNamedPipeHandleState(client, message)", SetNamedPipeHandleState(c, &mode, NULL, NULL));
    check_u("GetNamedPipeInfo(server)", GetNamedPipeInfo(s, &flags, NULL, NULL, &n));
    check_u("  flags", flags);
    check_u("  max instances", n);
    WriteFile(s, "hello", 5, &n, NULL);
    WriteFile(s, "world!", 6, &n, NULL);
    check_u("PeekNamedPipe(client)", PeekNamedPipe(c, buf, 2, &n, &avail, &left));
    check_u("  peeked", n);
    check_u("  available", avail);
    check_u("  left in message", left);
    CHECK_FAIL("ReadFile(client, 3 of a 5-byte message)", ReadFile(c, buf, 3, &n, NULL));
    check_text("  read", buf, n);
    PeekNamedPipe(c, NULL, 0, NULL, &avail, &left);
    check_u("  then available", avail);
    check_u("  then left in message", left);
    check_u("ReadFile(client, the rest of the message)", ReadFile(c, buf, sizeof buf, &n, NULL));
    check_text("  read", buf, n);
    check_u("ReadFile(client, the next message)", ReadFile(c, buf, sizeof buf, &n, NULL));
    check_text("  read", buf, n);
    check_u("WriteFile(client, empty message)", WriteFile(c, "", 0, &n, NULL));
    WriteFile(c, "after", 5, &n, NULL);
    check_u("ReadFile(server, the empty message)", ReadFile(s, buf, sizeof buf, &n, NULL));
    check_u("  read", n);
    check_u("ReadFile(server, the next one)", ReadFile(s, buf, sizeof buf, &n, NULL));
    check_text("  read", buf, n);
    /* A byte-read-mode end reads across messages. */
    mode = PIPE_READMODE_BYTE;
    SetNamedPipeHandleState(c, &mode, NULL, NULL);
    WriteFile(s, "one", 3, &n, NULL);
    WriteFile(s, "two", 3, &n, NULL);
    check_u("ReadFile(client, byte read mode)", ReadFile(c, buf, sizeof buf, &n, NULL));
    check_text("  read", buf, n);
    CloseHandle(c);
    CloseHandle(s);

    /* TransactNamedPipe and CallNamedPipe against a server thread. */
    g_ready = CreateEventA(NULL, TRUE, FALSE, NULL);
    thread = CreateThread(NULL, 0, transact_server, (LPVOID)3, 0, &id);
    WaitForSingleObject(g_ready, INFINITE);
    check_u("WaitNamedPipe(server thread's pipe)", WaitNamedPipeA(PIPE_T, NMPWAIT_WAIT_FOREVER));
    c = client(PIPE_T);
    mode = PIPE_READMODE_MESSAGE;
    SetNamedPipeHandleState(c, &mode, NULL, NULL);
    check_u("TransactNamedPipe", TransactNamedPipe(c, "ping", 4, buf, sizeof buf, &n, NULL));
    check_text("  reply", buf, n);
    CloseHandle(c);
    check_u("WaitNamedPipe(again)", WaitNamedPipeA(PIPE_T, NMPWAIT_WAIT_FOREVER));
    c = client(PIPE_T);
    CHECK_FAIL("TransactNamedPipe(byte read mode)", TransactNamedPipe(c, "x", 1, buf, sizeof buf, &n, NULL));
    mode = PIPE_READMODE_MESSAGE;
    SetNamedPipeHandleState(c, &mode, NULL, NULL);
    CHECK_FAIL("TransactNamedPipe(short reply buffer)", TransactNamedPipe(c, "abcdef", 6, buf, 4, &n, NULL));
    check_text("  reply", buf, n);
    check_u("ReadFile(the rest of the reply)", ReadFile(c, buf, sizeof buf, &n, NULL));
    check_text("  rest", buf, n);
    CloseHandle(c);
    check_u("CallNamedPipe", CallNamedPipeA(PIPE_T, "call", 4, buf, sizeof buf, &n, NMPWAIT_WAIT_FOREVER));
    check_text("  reply", buf, n);
    check_u("the server thread ended", WaitForSingleObject(thread, 5000));
    GetExitCodeThread(thread, &code);
    check_u("  its exit code", code);
    CloseHandle(thread);
    CHECK_FAIL("CallNamedPipe(missing pipe)", CallNamedPipeA("\\\\.\\pipe\\ntemu-npipes-none", "x", 1, buf, sizeof buf, &n, 10));
}

/* Opens a client of PIPE_O after 30 ms. */
static DWORD WINAPI late_client(LPVOID param)
{
    Sleep(30);
    *(HANDLE *)param = CreateFileA(PIPE_O, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                                   FILE_FLAG_OVERLAPPED, NULL);
    return 0;
}

static DWORD g_routine_calls, g_routine_error, g_routine_count;
static OVERLAPPED *g_routine_ovl;
static void CALLBACK io_routine(DWORD error, DWORD count, OVERLAPPED *ovl)
{
    g_routine_calls++;
    g_routine_error = error;
    g_routine_count = count;
    g_routine_ovl = ovl;
}

static void overlapped_io(void)
{
    HANDLE s, c = NULL, ev, thread, port, port2;
    OVERLAPPED ov, ov2, *got;
    DWORD n, id, key;
    ULONG_PTR ukey;
    char buf[64], buf2[16];
    BOOL r;

    s = CreateNamedPipeA(PIPE_O, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                         PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE, 1, 256, 256, 0, NULL);
    ev = CreateEventA(NULL, TRUE, TRUE, NULL);
    ZeroMemory(&ov, sizeof ov);
    ov.hEvent = ev;
    CHECK_FAIL("ConnectNamedPipe(overlapped, no client)", ConnectNamedPipe(s, &ov));
    check_x("  Internal", ov.Internal);
    check_u("  event reset", WaitForSingleObject(ev, 0));
    CHECK_FAIL("GetOverlappedResult(pending, no wait)", GetOverlappedResult(s, &ov, &n, FALSE));
    thread = CreateThread(NULL, 0, late_client, &c, 0, &id);
    check_u("the event is set when the client comes", WaitForSingleObject(ev, 5000));
    check_u("GetOverlappedResult(connected)", GetOverlappedResult(s, &ov, &n, FALSE));
    check_x("  Internal", ov.Internal);
    WaitForSingleObject(thread, INFINITE);
    CloseHandle(thread);

    /* A read with nothing to read is pending until the client writes. */
    CHECK_FAIL("ReadFile(overlapped, empty)", ReadFile(s, buf, sizeof buf, NULL, &ov));
    check_x("  Internal", ov.Internal);
    ZeroMemory(&ov2, sizeof ov2);
    ov2.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    r = WriteFile(c, "data!", 5, NULL, &ov2);
    check_u("WriteFile(client, overlapped)", r);
    check_u("  its event", WaitForSingleObject(ov2.hEvent, 0));
    check_u("  InternalHigh", ov2.InternalHigh);
    check_u("GetOverlappedResult(read, wait)", GetOverlappedResult(s, &ov, &n, TRUE));
    check_u("  count", n);
    check_x("  Internal", ov.Internal);
    check_u("  InternalHigh", ov.InternalHigh);
    check_text("  read", buf, n);
    /* Data already there: the read completes at once and still sets the event. */
    ResetEvent(ev);
    WriteFile(c, "now", 3, NULL, &ov2);
    check_u("ReadFile(overlapped, data queued)", ReadFile(s, buf, sizeof buf, &n, &ov));
    check_u("  count", n);
    check_u("  event set", WaitForSingleObject(ev, 0));
    /* A message cut short: ERROR_MORE_DATA at once, and from GetOverlappedResult. */
    WriteFile(c, "longer message", 14, NULL, &ov2);
    CHECK_FAIL("ReadFile(overlapped, short buffer)", ReadFile(s, buf2, 4, &n, &ov));
    check_x("  Internal", ov.Internal);
    check_u("  InternalHigh", ov.InternalHigh);
    CHECK_FAIL("GetOverlappedResult(short)", GetOverlappedResult(s, &ov, &n, FALSE));
    check_u("  count", n);
    ReadFile(s, buf, sizeof buf, &n, &ov);
    check_text("  the rest", buf, n);
    /* CancelIo. */
    ReadFile(s, buf, sizeof buf, NULL, &ov);
    check_u("CancelIo", CancelIo(s));
    check_u("  event set", WaitForSingleObject(ev, 0));
    CHECK_FAIL("GetOverlappedResult(cancelled)", GetOverlappedResult(s, &ov, &n, TRUE));
    check_x("  Internal", ov.Internal);
    CHECK_FAIL("GetOverlappedResult(bad handle, done)", GetOverlappedResult((HANDLE)0x1234, &ov2, &n, FALSE));

    /* ReadFileEx: the routine runs in an alertable wait. */
    ZeroMemory(&ov, sizeof ov);
    g_routine_calls = 0;
    check_u("ReadFileEx(empty)", ReadFileEx(s, buf, sizeof buf, &ov, io_routine));
    check_u("  routine calls", g_routine_calls);
    WriteFile(c, "ex", 2, NULL, &ov2);
    check_u("  SleepEx(0, FALSE)", SleepEx(0, FALSE));
    check_u("  routine calls", g_routine_calls);
    check_u("  SleepEx(1000, TRUE)", SleepEx(1000, TRUE));
    check_u("  routine calls", g_routine_calls);
    check_u("  error", g_routine_error);
    check_u("  count", g_routine_count);
    check_u("  its OVERLAPPED", g_routine_ovl == &ov);
    check_text("  read", buf, g_routine_count);
    check_u("WriteFileEx", WriteFileEx(c, "wex", 3, &ov, io_routine));
    check_u("  SleepEx(0, TRUE)", SleepEx(0, TRUE));
    check_u("  routine calls", g_routine_calls);
    check_u("  count", g_routine_count);
    ReadFile(s, buf, sizeof buf, &n, &ov2);

    /* Completion ports. */
    port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    check_u("CreateIoCompletionPort(new) nonzero", port != NULL);
    check_u("PostQueuedCompletionStatus", PostQueuedCompletionStatus(port, 7, 42, (OVERLAPPED *)0x1234));
    PostQueuedCompletionStatus(port, 8, 43, NULL);
    n = key = 0;
    got = NULL;
    check_u("GetQueuedCompletionStatus", GetQueuedCompletionStatus(port, &n, &ukey, &got, 0));
    check_u("  count", n);
    check_u("  key", (DWORD)ukey);
    check_x("  overlapped", (DWORD)got);
    GetQueuedCompletionStatus(port, &n, &ukey, &got, 0);
    check_u("  second packet's key", (DWORD)ukey);
    got = (OVERLAPPED *)0x55;
    CHECK_FAIL("GetQueuedCompletionStatus(empty, 0)", GetQueuedCompletionStatus(port, &n, &ukey, &got, 0));
    check_x("  overlapped", (DWORD)got);
    CHECK_FAIL("GetQueuedCompletionStatus(empty, 50 ms)", GetQueuedCompletionStatus(port, &n, &ukey, &got, 50));
    port2 = CreateIoCompletionPort(s, port, 5, 0);
    check_u("CreateIoCompletionPort(pipe, existing) is the port", port2 == port);
    ZeroMemory(&ov, sizeof ov);
    ov.hEvent = ev;
    CHECK_FAIL("ReadFile(associated, empty)", ReadFile(s, buf, sizeof buf, NULL, &ov));
    WriteFile(c, "port", 4, NULL, &ov2);
    check_u("GetQueuedCompletionStatus(pipe read)", GetQueuedCompletionStatus(port, &n, &ukey, &got, 1000));
    check_u("  count", n);
    check_u("  key", (DWORD)ukey);
    check_u("  its OVERLAPPED", got == &ov);
    check_text("  read", buf, n);
    WriteFile(c, "imm", 3, NULL, &ov2);
    check_u("ReadFile(associated, data queued)", ReadFile(s, buf, sizeof buf, &n, &ov));
    check_u("GetQueuedCompletionStatus(at-once read)", GetQueuedCompletionStatus(port, &n, &ukey, &got, 0));
    check_u("  its OVERLAPPED", got == &ov);
    ov.hEvent = (HANDLE)((ULONG_PTR)ev | 1);
    WriteFile(c, "bit", 3, NULL, &ov2);
    check_u("ReadFile(event low bit set)", ReadFile(s, buf, sizeof buf, &n, &ov));
    CHECK_FAIL("GetQueuedCompletionStatus(no packet for it)", GetQueuedCompletionStatus(port, &n, &ukey, &got, 0));
    CHECK_FAIL("CreateIoCompletionPort(associated again)", CreateIoCompletionPort(s, port, 6, 0) != NULL);
    /* The client goes: a pending read completes with ERROR_BROKEN_PIPE through the port. */
    ov.hEvent = ev;
    CHECK_FAIL("ReadFile(associated, empty, again)", ReadFile(s, buf, sizeof buf, NULL, &ov));
    CloseHandle(c);
    CHECK_FAIL("GetQueuedCompletionStatus(broken)", GetQueuedCompletionStatus(port, &n, &ukey, &got, 1000));
    check_u("  its OVERLAPPED", got == &ov);
    check_x("  Internal", ov.Internal);
    CHECK_FAIL("GetQueuedCompletionStatus(bad handle)", GetQueuedCompletionStatus((HANDLE)0x1234, &n, &ukey, &got, 0));
    CHECK_FAIL("PostQueuedCompletionStatus(event)", PostQueuedCompletionStatus(ev, 0, 0, NULL));
    CloseHandle(port);
    CloseHandle(s);
    CloseHandle(ev);
    CloseHandle(ov2.hEvent);
}

#define PIPE_N "\\\\.\\pipe\\ntemu-npipes-n"

static HANDLE g_reader;
static char g_thread_buf[700];
static OVERLAPPED g_thread_ov;

/* Starts an overlapped read (param 0) or a 600-byte write (param 1) on g_reader and ends,
 * leaving it pending. */
static DWORD WINAPI io_and_exit(LPVOID param)
{
    ZeroMemory(&g_thread_ov, sizeof g_thread_ov);
    g_thread_ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    if (param) WriteFile(g_reader, g_thread_buf, 600, NULL, &g_thread_ov);
    else ReadFile(g_reader, g_thread_buf, 10, NULL, &g_thread_ov);
    return GetLastError();
}

static void nowait_and_cancel(DWORD type)
{
    HANDLE s, c, thread;
    OVERLAPPED ov, ov2;
    DWORD n, avail, mode, id, code;
    char buf[700];
    const char *m = type == PIPE_TYPE_MESSAGE ? "message " : "byte ";

    ZeroMemory(buf, sizeof buf);
    s = CreateNamedPipeA(PIPE_N, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                         type | (type == PIPE_TYPE_MESSAGE ? PIPE_READMODE_MESSAGE : 0), 1, 512, 512, 0, NULL);
    ZeroMemory(&ov, sizeof ov);
    ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    ZeroMemory(&ov2, sizeof ov2);
    ov2.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    c = CreateFileA(PIPE_N, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
    put(m);
    CHECK_FAIL("ConnectNamedPipe(overlapped, client there)", ConnectNamedPipe(s, &ov));
    put(m);
    check_x("  Internal", ov.Internal);
    if (type == PIPE_TYPE_MESSAGE) {
        mode = PIPE_READMODE_MESSAGE | PIPE_NOWAIT;
    } else {
        mode = PIPE_NOWAIT;
    }
    SetNamedPipeHandleState(c, &mode, NULL, NULL);

    /* PIPE_NOWAIT: a pending read of 1 byte takes its part; 512 more fit the quota. */
    ReadFile(s, buf, 1, NULL, &ov);
    put(m); check_u("nowait write of 513, a 1-byte read pending", WriteFile(c, buf, 513, &n, &ov2));
    put(m); check_u("  written", n);
    put(m); check_u("  the read completed", GetOverlappedResult(s, &ov, &n, FALSE));
    put(m); check_u("  with", n);
    SetLastError(0);
    ReadFile(s, buf, sizeof buf, &n, &ov);
    put(m); check_u("  the rest", n);
    /* 513 more do not fit: a byte pipe writes what the read takes, a message pipe nothing. */
    ReadFile(s, buf, 1, NULL, &ov);
    put(m); check_u("nowait write of 514, a 1-byte read pending", WriteFile(c, buf, 514, &n, &ov2));
    put(m); check_u("  514 written", n);
    SetLastError(0);
    put(m); check_u("  the read under the 514 completed", GetOverlappedResult(s, &ov, &n, FALSE));
    put(m); check_u("  the read under the 514 last_error", GetLastError());
    CancelIo(s);
    put(m); check_u("nowait write of 512", WriteFile(c, buf, 512, &n, &ov2));
    put(m); check_u("  written", n);
    put(m); check_u("nowait write of 1 more", WriteFile(c, buf, 1, &n, &ov2));
    put(m); check_u("  written", n);
    ReadFile(s, buf, sizeof buf, &n, &ov);
    mode &= ~PIPE_NOWAIT;
    SetNamedPipeHandleState(c, &mode, NULL, NULL);

    /* A pending write; an empty message behind it does not wait; CancelIo takes the pending
     * write's bytes back out of the pipe. */
    WriteFile(c, buf, 400, &n, &ov2);
    SetLastError(0);
    put(m); check_u("write of 200 beyond the quota", WriteFile(c, buf, 200, NULL, &ov));
    put(m); check_u("  last_error", GetLastError());
    if (type == PIPE_TYPE_MESSAGE) {
        put(m); check_u("empty message behind it", WriteFile(c, buf, 0, &n, &ov2));
    }
    PeekNamedPipe(s, NULL, 0, NULL, &avail, NULL);
    put(m); check_u("  available", avail);
    put(m); check_u("CancelIo(pending write)", CancelIo(c));
    put(m); CHECK_FAIL("  its result", GetOverlappedResult(c, &ov, &n, TRUE));
    PeekNamedPipe(s, NULL, 0, NULL, &avail, NULL);
    put(m); check_u("  available after the cancel", avail);
    ReadFile(s, buf, sizeof buf, &n, &ov);
    if (type == PIPE_TYPE_MESSAGE) ReadFile(s, buf, sizeof buf, &n, &ov);

    /* A thread that ends takes its pending I/O with it. */
    g_reader = s;
    thread = CreateThread(NULL, 0, io_and_exit, (LPVOID)0, 0, &id);
    WaitForSingleObject(thread, INFINITE);
    GetExitCodeThread(thread, &code);
    CloseHandle(thread);
    put(m); check_u("a thread's read: pending", code);
    put(m); check_u("  its event once the thread ended", WaitForSingleObject(g_thread_ov.hEvent, 1000));
    put(m); check_x("  Internal", g_thread_ov.Internal);
    CloseHandle(g_thread_ov.hEvent);
    g_reader = c;
    thread = CreateThread(NULL, 0, io_and_exit, (LPVOID)1, 0, &id);
    WaitForSingleObject(thread, INFINITE);
    GetExitCodeThread(thread, &code);
    CloseHandle(thread);
    put(m); check_u("a thread's write of 600: pending", code);
    PeekNamedPipe(s, NULL, 0, NULL, &avail, NULL);
    put(m); check_u("  available once the thread ended", avail);
    put(m); check_x("  Internal", g_thread_ov.Internal);
    CloseHandle(g_thread_ov.hEvent);

    /* The handle's own signal: reset by a call that fails, set by one that completes. */
    DisconnectNamedPipe(s);
    WriteFile(c, "x", 1, &n, &ov2);
    put(m); check_u("client handle after a failed write", WaitForSingleObject(c, 0));
    CloseHandle(c);
    CloseHandle(s);
    CloseHandle(ov.hEvent);
    CloseHandle(ov2.hEvent);
}

/* Starts an overlapped ConnectNamedPipe on g_reader and ends, leaving it pending. */
static DWORD WINAPI connect_and_exit(LPVOID param)
{
    (void)param;
    ZeroMemory(&g_thread_ov, sizeof g_thread_ov);
    g_thread_ov.hEvent = CreateEventA(NULL, TRUE, FALSE, NULL);
    ConnectNamedPipe(g_reader, &g_thread_ov);
    return GetLastError();
}

static void connect_of_an_ended_thread(void)
{
    HANDLE s, thread;
    DWORD id, code;

    s = CreateNamedPipeA(PIPE_N, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED, PIPE_TYPE_BYTE, 1,
                         64, 64, 0, NULL);
    g_reader = s;
    thread = CreateThread(NULL, 0, connect_and_exit, NULL, 0, &id);
    WaitForSingleObject(thread, INFINITE);
    GetExitCodeThread(thread, &code);
    CloseHandle(thread);
    check_u("a thread's ConnectNamedPipe: pending", code);
    check_u("  its event once the thread ended", WaitForSingleObject(g_thread_ov.hEvent, 1000));
    check_x("  Internal", g_thread_ov.Internal);
    CloseHandle(g_thread_ov.hEvent);
    CloseHandle(s);
}

static void handle_signal(void)
{
    HANDLE s, c;
    DWORD n;
    char buf[8];

    s = CreateNamedPipeA(PIPE_N, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1, 64, 64, 0, NULL);
    c = client(PIPE_N);
    WriteFile(c, "ab", 2, &n, NULL);
    check_u("client handle after a write", WaitForSingleObject(c, 0));
    DisconnectNamedPipe(s);
    WriteFile(c, "ab", 2, &n, NULL);
    check_u("client handle after a failed write", WaitForSingleObject(c, 0));
    ReadFile(c, buf, 2, &n, NULL);
    check_u("client handle after a failed read", WaitForSingleObject(c, 0));
    CloseHandle(c);
    CloseHandle(s);
}

static void set_name(UNICODE_STRING *us, OBJECT_ATTRIBUTES *attr, const WCHAR *name, ULONG flags)
{
    DWORD n = 0;
    while (name[n]) n++;
    us->Buffer = (PWSTR)name;
    us->Length = us->MaximumLength = (USHORT)(n * 2);
    attr->Length = sizeof *attr;
    attr->RootDirectory = NULL;
    attr->ObjectName = us;
    attr->Attributes = flags;
    attr->SecurityDescriptor = NULL;
    attr->SecurityQualityOfService = NULL;
}

static void named_ports(void)
{
    static const WCHAR port_name[] = L"\\BaseNamedObjects\\ntemu-npipes-port";
    static const WCHAR event_name[] = L"\\BaseNamedObjects\\ntemu-npipes-event";
    static const WCHAR missing[] = L"\\BaseNamedObjects\\ntemu-npipes-missing";
    UNICODE_STRING us;
    OBJECT_ATTRIBUTES attr;
    HANDLE port, port2, port3, ev, h;
    DWORD n;
    ULONG_PTR key;
    OVERLAPPED *got;

    set_name(&us, &attr, port_name, 0);
    check_x("NtCreateIoCompletion(named)", NtCreateIoCompletion(&port, 0x1f0003, &attr, 0));
    check_x("NtCreateIoCompletion(the name again)", NtCreateIoCompletion(&h, 0x1f0003, &attr, 0));
    attr.Attributes = OBJ_OPENIF;
    check_x("NtCreateIoCompletion(the name, OBJ_OPENIF)", NtCreateIoCompletion(&port3, 0x1f0003, &attr, 0));
    attr.Attributes = 0;
    check_x("NtOpenIoCompletion(the name)", NtOpenIoCompletion(&port2, 0x1f0003, &attr));
    check_x("NtSetIoCompletion(the opened handle)", NtSetIoCompletion(port2, 5, 0x99, 0, 3));
    check_u("GetQueuedCompletionStatus(the created handle)", GetQueuedCompletionStatus(port, &n, &key, &got, 0));
    check_u("  key", (DWORD)key);
    check_x("  overlapped", (DWORD)got);
    check_u("  count", n);
    NtSetIoCompletion(port3, 6, 0, 0, 0);
    GetQueuedCompletionStatus(port, &n, &key, &got, 0);
    check_u("  key through the OBJ_OPENIF handle", (DWORD)key);
    h = (HANDLE)0x1234;
    check_x("NtOpenIoCompletion(no attributes)", NtOpenIoCompletion(&h, 0x1f0003, NULL));
    check_x("NtOpenEvent(no attributes)", NtOpenEvent(&h, EVENT_ALL_ACCESS, NULL));
    set_name(&us, &attr, missing, 0);
    check_x("NtOpenIoCompletion(missing name)", NtOpenIoCompletion(&h, 0x1f0003, &attr));
    ev = CreateEventA(NULL, FALSE, FALSE, "ntemu-npipes-event");
    set_name(&us, &attr, event_name, 0);
    check_x("NtOpenIoCompletion(an event's name)", NtOpenIoCompletion(&h, 0x1f0003, &attr));
    check_x("NtCreateIoCompletion(an event's name, OBJ_OPENIF)", (attr.Attributes = OBJ_OPENIF, NtCreateIoCompletion(&h, 0x1f0003, &attr, 0)));
    CloseHandle(ev);
    CloseHandle(port3);
    CloseHandle(port2);
    CloseHandle(port);
    set_name(&us, &attr, port_name, 0);
    check_x("NtOpenIoCompletion(after the last handle closed)", NtOpenIoCompletion(&h, 0x1f0003, &attr));
}

static int contains(const char *s, const char *part)
{
    int i, j;
    for (i = 0; s[i]; i++) {
        for (j = 0; part[j] && s[i + j] == part[j]; j++) ;
        if (!part[j]) return 1;
    }
    return 0;
}

void __stdcall start(void)
{
    if (contains(GetCommandLineA(), " hang-connect")) {
        HANDLE s = CreateNamedPipeA(PIPE_A, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1, 16, 16, 0, NULL);
        put("waiting for a client\n");
        ConnectNamedPipe(s, NULL);
        put("not reached\n");
        ExitProcess(1);
    }
    if (contains(GetCommandLineA(), " hang-port")) {
        HANDLE port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
        DWORD n;
        ULONG_PTR key;
        OVERLAPPED *ov;
        put("waiting for a packet\n");
        GetQueuedCompletionStatus(port, &n, &key, &ov, INFINITE);
        put("not reached\n");
        ExitProcess(1);
    }
    byte_mode();
    message_mode();
    overlapped_io();
    handle_signal();
    nowait_and_cancel(PIPE_TYPE_BYTE);
    nowait_and_cancel(PIPE_TYPE_MESSAGE);
    connect_of_an_ended_thread();
    named_ports();
    put("done\n");
    ExitProcess(0);
}
