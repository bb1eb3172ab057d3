/* mailslot.exe: mailslots and GetOverlappedResult. CreateMailslot (a bad name, a name in
 * use), GetMailslotInfo with nothing and with messages queued, clients by CreateFile (a
 * missing mailslot), one message per WriteFile read whole by ReadFile (a buffer too small
 * keeps it), a read with timeout 0 and with a short timeout on an empty mailslot
 * (ERROR_SEM_TIMEOUT), SetMailslotInfo, a server that cannot write nor a client read,
 * GetFileType of a mailslot (FILE_TYPE_UNKNOWN, no error); GetOverlappedResult of an
 * OVERLAPPED still pending whose event is set (it waits once and reports it).
 * One line per check ("name: value"); NT 4.0's values in expected/mailslot.expected, Wine's
 * in expected/mailslot.wine. */
#include "guest.h"

#define CHECK_FAIL(name, expr) do { DWORD v_; SetLastError(0); v_ = (DWORD)(expr); \
    check_u(name, v_ != 0); check_u(name " last_error", GetLastError()); } while (0)

#define SLOT "\\\\.\\mailslot\\ntemu-slot"

static void info(const char *name, HANDLE h)
{
    DWORD max = 7, next = 7, count = 7, timeout = 7;
    BOOL ok = GetMailslotInfo(h, &max, &next, &count, &timeout);
    put(name); put(": ok="); put_u(ok); put(" max="); put_u(max); put(" next="); put_x(next);
    put(" count="); put_u(count); put(" timeout="); put_u(timeout); put("\n");
}

static void mailslots(void)
{
    HANDLE s, s2, c;
    char buf[64];
    DWORD n;

    CHECK_FAIL("CreateMailslot(not a mailslot name)",
               CreateMailslotA("ntemu-slot", 0, 0, NULL) != INVALID_HANDLE_VALUE);
    CHECK_FAIL("CreateMailslot(NULL name)",
               CreateMailslotA(NULL, 0, 0, NULL) != INVALID_HANDLE_VALUE);
    s = CreateMailslotA(SLOT, 16, 0, NULL);
    check_u("CreateMailslot valid", s != INVALID_HANDLE_VALUE);
    check_u("CreateMailslot last_error", GetLastError());
    s2 = CreateMailslotA(SLOT, 0, 0, NULL);
    check_u("CreateMailslot(name in use) valid", s2 != INVALID_HANDLE_VALUE);
    check_u("CreateMailslot(name in use) last_error", GetLastError());
    info("GetMailslotInfo(empty)", s);
    SetLastError(12345678);
    check_u("GetFileType(mailslot)", GetFileType(s));
    check_u("GetFileType(mailslot) last_error", GetLastError());

    CHECK_FAIL("CreateFile(missing mailslot)",
               CreateFileA("\\\\.\\mailslot\\ntemu-none", GENERIC_WRITE, FILE_SHARE_READ, NULL,
                           OPEN_EXISTING, 0, NULL) != INVALID_HANDLE_VALUE);
    c = CreateFileA(SLOT, GENERIC_WRITE, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    check_u("CreateFile(mailslot) valid", c != INVALID_HANDLE_VALUE);
    CHECK_FAIL("ReadFile(empty, timeout 0)", ReadFile(s, buf, sizeof buf, &n, NULL));
    CHECK_FAIL("WriteFile(client, 5)", WriteFile(c, "hello", 5, &n, NULL));
    check_u("written", n);
    CHECK_FAIL("WriteFile(client, 3)", WriteFile(c, "abc", 3, &n, NULL));
    CHECK_FAIL("WriteFile(server)", WriteFile(s, "x", 1, &n, NULL));
    info("GetMailslotInfo(two messages)", s);
    CHECK_FAIL("ReadFile(buffer too small)", ReadFile(s, buf, 2, &n, NULL));
    n = 0;
    CHECK_FAIL("ReadFile(first message)", ReadFile(s, buf, sizeof buf, &n, NULL));
    check_u("first message is hello", n == 5 && buf[0] == 'h' && buf[4] == 'o');
    CHECK_FAIL("ReadFile(second message)", ReadFile(s, buf, sizeof buf, &n, NULL));
    check_u("second message length", n);
    check_u("SetMailslotInfo(50 ms)", SetMailslotInfo(s, 50));
    info("GetMailslotInfo(after reads)", s);
    CHECK_FAIL("ReadFile(empty, timeout 50 ms)", ReadFile(s, buf, sizeof buf, &n, NULL));
    CHECK_FAIL("ReadFile(client)", ReadFile(c, buf, sizeof buf, &n, NULL));
    CloseHandle(c);
    CloseHandle(s);
    s = CreateMailslotA(SLOT, 0, MAILSLOT_WAIT_FOREVER, NULL);
    check_u("CreateMailslot(after the server closed) valid", s != INVALID_HANDLE_VALUE);
    info("GetMailslotInfo(wait forever)", s);
    CloseHandle(s);
}

static void overlapped_result(void)
{
    OVERLAPPED ov;
    DWORD r, result = 0;
    char *p = (char *)&ov;
    DWORD i;

    for (i = 0; i < sizeof ov; i++) p[i] = 0;
    ov.hEvent = CreateEventA(NULL, TRUE, TRUE, NULL);
    ov.Internal = 0x103; /* STATUS_PENDING */
    ov.InternalHigh = 0xabcd;
    SetLastError(0xb00);
    r = GetOverlappedResult(0, &ov, &result, FALSE);
    check_u("GetOverlappedResult(pending, no wait)", r);
    check_u("GetOverlappedResult(pending, no wait) last_error", GetLastError());
    r = GetOverlappedResult(0, &ov, &result, TRUE);
    check_u("GetOverlappedResult(pending, event set, wait)", r);
    check_x("GetOverlappedResult bytes", result);
    check_x("OVERLAPPED.Internal after", (DWORD)ov.Internal);
    CloseHandle(ov.hEvent);
}

void __stdcall start(void)
{
    mailslots();
    overlapped_result();
    put("done\n");
    ExitProcess(0);
}
