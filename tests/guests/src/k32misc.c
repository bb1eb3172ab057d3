/* k32misc.exe: KERNEL32 and NTDLL odds and ends. ExpandEnvironmentStringsA/W (known and
 * unknown names, a NULL source, a buffer too small: NT 4.0's ANSI version reports the
 * Unicode size in bytes), GetEnvironmentVariableA with a NULL name; the thread locale
 * (GetThreadLocale, SetThreadLocale to a valid and an invalid locale), IsValidLocale,
 * ConvertDefaultLocale, the default LCIDs; GetSystemPowerStatus; QueryDosDevice (a drive,
 * NUL, an unknown name, a buffer too small) and DefineDosDevice (define, stack, remove);
 * GetModuleHandleEx (by name, by address, bad flags); NtQuerySystemTime, NtQueryObject
 * (basic information of an event handle, the name of a named event, handle flags),
 * VerSetConditionMask and VerifyVersionInfo; fibers (ConvertThreadToFiber, CreateFiber,
 * SwitchToFiber back and forth, GetFiberData, DeleteFiber, and a fiber routine that returns,
 * ending its thread); GetCPInfoExA, IsDBCSLeadByteEx, GetTempPathW's clearing of the buffer;
 * ImpersonateNamedPipeClient before and after a client connects; DuplicateTokenEx. One line per check ("name: value"); NT 4.0's in
 * expected/k32misc.expected, Wine's in expected/k32misc.wine. */
#include "guest.h"
#include <winternl.h>

NTSTATUS NTAPI NtQuerySystemTime(LARGE_INTEGER *);

#define CHECK_FAIL(name, expr) do { DWORD v_; SetLastError(0); v_ = (DWORD)(expr); \
    check_u(name, v_); check_u(name " last_error", GetLastError()); } while (0)

static void str(const char *name, const char *s)
{
    put(name); put(": \""); put(s); put("\"\n");
}

static int same(const char *a, const char *b)
{
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}

static void environment(void)
{
    char buf[64];
    WCHAR wbuf[64];
    DWORD n;
    SetEnvironmentVariableA("NtemuVar", "value");
    SetEnvironmentVariableA("NtemuInd", "x%NtemuVar%y");
    n = ExpandEnvironmentStringsA("a%NTEMUVAR%b", buf, sizeof buf);
    check_u("ExpandEnvironmentStringsA(known)", n);
    str("ExpandEnvironmentStringsA(known) text", buf);
    n = ExpandEnvironmentStringsA("%NtemuNone%-%NtemuInd%-50%", buf, sizeof buf);
    check_u("ExpandEnvironmentStringsA(unknown, indirect)", n);
    str("ExpandEnvironmentStringsA(unknown, indirect) text", buf);
    buf[0] = 'Q'; buf[1] = 0;
    SetLastError(0);
    n = ExpandEnvironmentStringsA("%NtemuVar%", buf, 3);
    check_u("ExpandEnvironmentStringsA(too small)", n);
    check_u("ExpandEnvironmentStringsA(too small) last_error", GetLastError());
    str("ExpandEnvironmentStringsA(too small) text", buf);
    n = ExpandEnvironmentStringsA(NULL, buf, sizeof buf);
    check_u("ExpandEnvironmentStringsA(NULL)", n);
    n = ExpandEnvironmentStringsW(L"<%NtemuVar%>", wbuf, 64);
    check_u("ExpandEnvironmentStringsW", n);
    check_u("ExpandEnvironmentStringsW text", wbuf[0] == '<' && wbuf[1] == 'v' && wbuf[6] == '>' && wbuf[7] == 0);
    n = ExpandEnvironmentStringsW(L"<%NtemuVar%>", NULL, 0);
    check_u("ExpandEnvironmentStringsW(no buffer)", n);
    CHECK_FAIL("GetEnvironmentVariableA(NULL)", GetEnvironmentVariableA(NULL, buf, sizeof buf));
}

static void locales(void)
{
    LCID old = GetThreadLocale();
    check_x("GetThreadLocale", old);
    check_x("GetUserDefaultLCID", GetUserDefaultLCID());
    check_x("GetSystemDefaultLCID", GetSystemDefaultLCID());
    check_x("GetUserDefaultLangID", GetUserDefaultLangID());
    check_u("SetThreadLocale(0x0407)", SetThreadLocale(0x0407));
    check_x("GetThreadLocale after", GetThreadLocale());
    CHECK_FAIL("SetThreadLocale(0x7777)", SetThreadLocale(0x7777));
    check_x("GetThreadLocale after failure", GetThreadLocale());
    SetThreadLocale(old);
    check_u("IsValidLocale(0x0409, LCID_INSTALLED)", IsValidLocale(0x0409, LCID_INSTALLED));
    check_u("IsValidLocale(0x0409, LCID_SUPPORTED)", IsValidLocale(0x0409, LCID_SUPPORTED));
    check_u("IsValidLocale(0x7777, LCID_SUPPORTED)", IsValidLocale(0x7777, LCID_SUPPORTED));
    check_x("ConvertDefaultLocale(LOCALE_SYSTEM_DEFAULT)", ConvertDefaultLocale(LOCALE_SYSTEM_DEFAULT));
    check_x("ConvertDefaultLocale(LANG_GERMAN neutral)", ConvertDefaultLocale(0x0007));
    check_x("ConvertDefaultLocale(0x0c07)", ConvertDefaultLocale(0x0c07));
}

static void power(void)
{
    SYSTEM_POWER_STATUS s;
    BOOL ok = GetSystemPowerStatus(&s);
    put("GetSystemPowerStatus: ok="); put_u(ok); put(" ac="); put_u(s.ACLineStatus);
    put(" flag="); put_u(s.BatteryFlag); put(" percent="); put_u(s.BatteryLifePercent);
    put(" life="); put_x(s.BatteryLifeTime); put(" full="); put_x(s.BatteryFullLifeTime); put("\n");
}

static void dos_devices(void)
{
    char buf[512];
    DWORD n;
    {
        DWORD drives = GetLogicalDrives(), all = 1, i;
        char name[3] = "A:";
        for (i = 0; i < 26; i++) {
            if (!(drives & (1u << i))) continue;
            name[0] = (char)('A' + i);
            n = QueryDosDeviceA(name, buf, sizeof buf);
            all &= n > 2 && buf[0] == '\\' && buf[n - 1] == 0 && buf[n - 2] == 0;
        }
        check_u("QueryDosDevice(every drive) found", all);
    }
    n = QueryDosDeviceA("nul", buf, sizeof buf);
    check_u("QueryDosDevice(nul)", n);
    str("QueryDosDevice(nul) text", buf);
    CHECK_FAIL("QueryDosDevice(unknown)", QueryDosDeviceA("NtemuNoSuchDevice", buf, sizeof buf));
    CHECK_FAIL("QueryDosDevice(too small)", QueryDosDeviceA("NUL", buf, 3));
    n = QueryDosDeviceA(NULL, buf, sizeof buf);
    check_u("QueryDosDevice(NULL) too small for the list", n == 0 && GetLastError() == ERROR_INSUFFICIENT_BUFFER ? 1 : n > 0);
    check_u("DefineDosDevice(drive Q)", DefineDosDeviceA(0, "Q:", "C:\\WINNT\\"));
    n = QueryDosDeviceA("Q:", buf, sizeof buf);
    check_u("QueryDosDevice(drive Q)", n);
    str("QueryDosDevice(drive Q) text", buf);
    check_u("DefineDosDevice(drive Q, raw)", DefineDosDeviceA(DDD_RAW_TARGET_PATH, "Q:", "\\??\\C:\\TEMP"));
    n = QueryDosDeviceA("Q:", buf, sizeof buf);
    check_u("QueryDosDevice(drive Q, twice)", n);
    str("QueryDosDevice(drive Q, twice) first", buf);
    str("QueryDosDevice(drive Q, twice) second", buf + 12);
    check_u("DefineDosDevice(remove)", DefineDosDeviceA(DDD_REMOVE_DEFINITION, "Q:", NULL));
    n = QueryDosDeviceA("Q:", buf, sizeof buf);
    str("QueryDosDevice(drive Q, after remove)", buf);
    check_u("DefineDosDevice(remove exact)",
            DefineDosDeviceA(DDD_REMOVE_DEFINITION | DDD_EXACT_MATCH_ON_REMOVE, "Q:", "\\??\\C:\\WINNT\\"));
    CHECK_FAIL("QueryDosDevice(drive Q, removed)", QueryDosDeviceA("Q:", buf, sizeof buf));
    CHECK_FAIL("DefineDosDevice(remove missing)", DefineDosDeviceA(DDD_REMOVE_DEFINITION, "Q:", NULL));
}

static void modules(void)
{
    HMODULE m = (HMODULE)1;
    HMODULE k32 = GetModuleHandleA("kernel32.dll");
    check_u("GetModuleHandleExA(kernel32)", GetModuleHandleExA(0, "kernel32.dll", &m));
    check_u("GetModuleHandleExA(kernel32) same", m == k32);
    check_u("GetModuleHandleExA(NULL)", GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT, NULL, &m));
    check_u("GetModuleHandleExA(NULL) is the program", m == GetModuleHandleA(NULL));
    check_u("GetModuleHandleExA(from address)",
            GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                               (LPCSTR)modules, &m));
    check_u("GetModuleHandleExA(from address) is the program", m == GetModuleHandleA(NULL));
    m = (HMODULE)1;
    CHECK_FAIL("GetModuleHandleExA(missing)", GetModuleHandleExA(0, "ntemu-none.dll", &m));
    check_u("GetModuleHandleExA(missing) module", (DWORD)m);
    m = (HMODULE)1;
    CHECK_FAIL("GetModuleHandleExA(pin and unchanged)",
               GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_PIN | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT, "kernel32.dll", &m));
    check_u("GetModuleHandleExA(pin and unchanged) module", (DWORD)m);
    CHECK_FAIL("GetModuleHandleExA(no out)", GetModuleHandleExA(0, "kernel32.dll", NULL));
}

static void native(void)
{
    LARGE_INTEGER t;
    FILETIME ft;
    ULONGLONG a, b;
    HANDLE e;
    BYTE info[256];
    ULONG len = 0;
    NTSTATUS s;
    ULONGLONG mask;
    OSVERSIONINFOEXA v;

    GetSystemTimeAsFileTime(&ft);
    s = NtQuerySystemTime(&t);
    a = ((ULONGLONG)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
    b = (ULONGLONG)t.QuadPart;
    check_x("NtQuerySystemTime", s);
    check_u("NtQuerySystemTime not before GetSystemTimeAsFileTime", b >= a);

    e = CreateEventA(NULL, TRUE, FALSE, "NtemuQueryEvent");
    s = NtQueryObject(e, ObjectBasicInformation, info, sizeof info, &len);
    check_x("NtQueryObject(basic)", s);
    check_u("NtQueryObject(basic) length", len);
    check_x("NtQueryObject(basic) attributes", ((ULONG *)info)[0]);
    check_x("NtQueryObject(basic) access", ((ULONG *)info)[1]);
    check_u("NtQueryObject(basic) handles", ((ULONG *)info)[2]);
    s = NtQueryObject(e, ObjectBasicInformation, info, 8, &len);
    check_x("NtQueryObject(basic, short)", s);
    s = NtQueryObject(e, ObjectTypeInformation, info, sizeof info, &len);
    check_x("NtQueryObject(type)", s);
    {
        UNICODE_STRING *u = (UNICODE_STRING *)info;
        check_u("NtQueryObject(type) is Event", u->Length == 10 && u->Buffer[0] == 'E' && u->Buffer[4] == 't');
    }
    s = NtQueryObject((HANDLE)0x7777, ObjectBasicInformation, info, sizeof info, &len);
    check_x("NtQueryObject(bad handle)", s);
    s = NtQueryObject(e, 77, info, sizeof info, &len);
    check_x("NtQueryObject(bad class)", s);
    CloseHandle(e);

    mask = VerSetConditionMask(0, VER_MAJORVERSION, VER_GREATER_EQUAL);
    mask = VerSetConditionMask(mask, VER_MINORVERSION, VER_GREATER_EQUAL);
    check_x("VerSetConditionMask low", (DWORD)mask);
    check_x("VerSetConditionMask(0 condition)", (DWORD)VerSetConditionMask(mask, VER_BUILDNUMBER, 0));
    ZeroMemory(&v, sizeof v);
    v.dwOSVersionInfoSize = sizeof v;
    v.dwMajorVersion = 4;
    CHECK_FAIL("VerifyVersionInfoA(4.0 or later)", VerifyVersionInfoA(&v, VER_MAJORVERSION | VER_MINORVERSION, mask));
    v.dwMajorVersion = 5;
    CHECK_FAIL("VerifyVersionInfoA(5.0 or later)", VerifyVersionInfoA(&v, VER_MAJORVERSION | VER_MINORVERSION, mask));
    CHECK_FAIL("VerifyVersionInfoA(empty mask)", VerifyVersionInfoA(&v, VER_MAJORVERSION, 0));
}

static void code_pages(void)
{
    CPINFOEXA cpi;
    WCHAR wbuf[300];
    DWORD i, n, zeroed = 1, untouched = 1;
    for (i = 0; i < sizeof cpi; i++) ((BYTE *)&cpi)[i] = 0x55;
    check_u("GetCPInfoExA(CP_ACP)", GetCPInfoExA(CP_ACP, 0, &cpi));
    check_u("GetCPInfoExA(CP_ACP) code page", cpi.CodePage);
    check_u("GetCPInfoExA(CP_ACP) max char size", cpi.MaxCharSize);
    check_u("GetCPInfoExA(CP_ACP) default char", cpi.DefaultChar[0]);
    check_u("GetCPInfoExA(CP_OEMCP)", GetCPInfoExA(CP_OEMCP, 0, &cpi));
    check_u("GetCPInfoExA(CP_OEMCP) code page", cpi.CodePage);
    CHECK_FAIL("GetCPInfoExA(12345)", GetCPInfoExA(12345, 0, &cpi));
    CHECK_FAIL("IsDBCSLeadByteEx(1252, 0x81)", IsDBCSLeadByteEx(1252, 0x81));
    CHECK_FAIL("IsDBCSLeadByteEx(12345, 0x81)", IsDBCSLeadByteEx(12345, 0x81));

    /* GetTempPathW clears what follows the path, or the whole buffer when it is too small. */
    for (i = 0; i < 300; i++) wbuf[i] = 'a';
    n = GetTempPathW(300, wbuf);
    for (i = n + 1; i < 300; i++) zeroed &= wbuf[i] == 0;
    check_u("GetTempPathW clears the rest of the buffer", n > 0 && zeroed);
    for (i = 0; i < 300; i++) wbuf[i] = 'a';
    n = GetTempPathW(2, wbuf);
    for (i = 2; i < 300; i++) untouched &= wbuf[i] == 'a';
    check_u("GetTempPathW(too small) clears only the given length",
            n > 2 && wbuf[0] == 0 && wbuf[1] == 0 && untouched);
}

static DWORD WINAPI pipe_client(void *param)
{
    DWORD n;
    HANDLE c = CreateFileA("\\\\.\\pipe\\ntemu-imp", GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    (void)param;
    WriteFile(c, "x", 1, &n, NULL);
    CloseHandle(c);
    return 0;
}

static void impersonation(void)
{
    HANDLE s, t, token = NULL;
    char buf[4];
    DWORD n, level = 77, size;
    s = CreateNamedPipeA("\\\\.\\pipe\\ntemu-imp", PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_WAIT, 1, 64, 64, 0, NULL);
    CHECK_FAIL("ImpersonateNamedPipeClient(not connected)", ImpersonateNamedPipeClient(s));
    t = CreateThread(NULL, 0, pipe_client, NULL, 0, NULL);
    ConnectNamedPipe(s, NULL);
    ReadFile(s, buf, 1, &n, NULL);
    CHECK_FAIL("ImpersonateNamedPipeClient(connected)", ImpersonateNamedPipeClient(s));
    check_u("OpenThreadToken while impersonating", OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, FALSE, &token));
    GetTokenInformation(token, TokenImpersonationLevel, &level, sizeof level, &size);
    check_u("impersonation level", level);
    CloseHandle(token);
    check_u("RevertToSelf", RevertToSelf());
    token = NULL;
    CHECK_FAIL("OpenThreadToken after RevertToSelf", OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, FALSE, &token));
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    CloseHandle(s);

    OpenProcessToken(GetCurrentProcess(), TOKEN_DUPLICATE | TOKEN_QUERY, &token);
    {
        HANDLE dup = NULL;
        TOKEN_TYPE type = 0;
        CHECK_FAIL("DuplicateTokenEx(primary)",
                   DuplicateTokenEx(token, 0, NULL, SecurityImpersonation, TokenPrimary, &dup));
        GetTokenInformation(dup, TokenType, &type, sizeof type, &size);
        check_u("DuplicateTokenEx(primary) type", type);
        CloseHandle(dup);
        dup = NULL;
        CHECK_FAIL("DuplicateTokenEx(impersonation)",
                   DuplicateTokenEx(token, TOKEN_QUERY, NULL, SecurityIdentification, TokenImpersonation, &dup));
        GetTokenInformation(dup, TokenImpersonationLevel, &level, sizeof level, &size);
        check_u("DuplicateTokenEx(impersonation) level", level);
        CloseHandle(dup);
    }
    CloseHandle(token);
}

static void *main_fiber, *second_fiber;
static int steps;

static void WINAPI fiber_routine(void *param)
{
    check_u("fiber routine parameter", param == (void *)0x1234);
    check_u("fiber routine GetFiberData", GetFiberData() == (void *)0x1234);
    check_u("fiber routine GetCurrentFiber", GetCurrentFiber() == second_fiber);
    steps++;
    SwitchToFiber(main_fiber);
    check_u("fiber routine resumed, step", steps);
    steps++;
    SwitchToFiber(main_fiber);
}

static void WINAPI ending_routine(void *param)
{
    (void)param;
    steps = 100;
}

static DWORD WINAPI fiber_thread(void *param)
{
    void *me = ConvertThreadToFiber(param);
    void *f = CreateFiber(0, ending_routine, NULL);
    SwitchToFiber(f);
    (void)me;
    steps = 200; /* never reached: the routine's return ends the thread */
    return 5;
}

static void fibers(void)
{
    HANDLE t;
    DWORD code = 7;
    int local = 42;
    main_fiber = ConvertThreadToFiber((void *)0x99);
    check_u("ConvertThreadToFiber", main_fiber != NULL);
    check_u("GetCurrentFiber", GetCurrentFiber() == main_fiber);
    check_u("GetFiberData", GetFiberData() == (void *)0x99);
    second_fiber = CreateFiber(0x4000, fiber_routine, (void *)0x1234);
    check_u("CreateFiber", second_fiber != NULL);
    SwitchToFiber(second_fiber);
    check_u("back in the main fiber, step", steps);
    check_u("main fiber's locals kept", local);
    check_u("GetCurrentFiber after the switch back", GetCurrentFiber() == main_fiber);
    SwitchToFiber(second_fiber);
    check_u("back again, step", steps);
    DeleteFiber(second_fiber);
    t = CreateThread(NULL, 0, fiber_thread, NULL, 0, NULL);
    WaitForSingleObject(t, INFINITE);
    GetExitCodeThread(t, &code);
    check_u("a fiber routine's return ends the thread, step", steps);
    CloseHandle(t);
}

void __stdcall start(void)
{
    environment();
    locales();
    power();
    dos_devices();
    modules();
    native();
    code_pages();
    impersonation();
    fibers();
    ExitProcess(0);
}
