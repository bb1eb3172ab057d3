/* k32more.exe: the KERNEL32 functions NT 4.0 programs call at start-up and in ordinary work,
 * with their error paths: file and system time conversions, the error and file-API modes,
 * console allocation and code pages, local and global atoms, the system directories and the
 * temporary path, the lstr functions, FormatMessage, GlobalMemoryStatus, the IsBad*Ptr
 * functions, critical-section spin counts, the computer name, GetBinaryType, WinExec and
 * the Unicode start-up functions. One line per check ("name: value"); expected values in
 * expected/k32more.expected (NT 4.0's), Wine's in expected/k32more.wine.
 *
 * Run as "k32more.exe child" (by its own WinExec) it ends at once with exit code 5. */
#include <stdarg.h>
#include "guest.h"

static void put_esc(const char *s)
{
    char one[2] = {0, 0};
    for (; *s; s++) {
        if (*s == '\r') put("\\r");
        else if (*s == '\n') put("\\n");
        else if (*s == '\t') put("\\t");
        else { one[0] = *s; put(one); }
    }
}

static void check_s(const char *name, const char *value)
{
    put(name); put(": \""); put_esc(value); put("\"\n");
}

static void check_i(const char *name, long value)
{
    put(name); put(": "); put_i(value); put("\n");
}

/* The sign of a comparison: -1, 0 or 1. */
static int sign(int v)
{
    return v < 0 ? -1 : v > 0;
}

static void check_err(const char *name)
{
    put(name); put(" last_error: "); put_u(GetLastError()); put("\n");
}

/* "name: value" and "name last_error: error" for a call expected to fail. */
#define CHECK_FAIL(name, expr) do { DWORD v_; SetLastError(0); v_ = (DWORD)(expr); \
    check_u(name, v_); check_err(name); } while (0)
#define CHECK_FAIL_X(name, expr) do { DWORD v_; SetLastError(0); v_ = (DWORD)(expr); \
    check_x(name, v_); check_err(name); } while (0)

static void fill(void *p, int c, unsigned n)
{
    volatile unsigned char *b = p;
    while (n--) *b++ = (unsigned char)c;
}

/* A wide string as ASCII (non-ASCII characters become '?'). */
static void narrow(char *out, const WCHAR *in, int max)
{
    int i;
    for (i = 0; i < max - 1 && in[i]; i++) out[i] = in[i] < 0x80 ? (char)in[i] : '?';
    out[i] = 0;
}

static int contains(const char *s, const char *word)
{
    int i, j;
    for (i = 0; s[i]; i++) {
        for (j = 0; word[j] && s[i + j] == word[j]; j++) {}
        if (!word[j]) return 1;
    }
    return 0;
}

static void put_systemtime(const char *name, const SYSTEMTIME *t)
{
    put(name); put(": ");
    put_u(t->wYear); put("-"); put_u(t->wMonth); put("-"); put_u(t->wDay);
    put(" dow "); put_u(t->wDayOfWeek); put(" ");
    put_u(t->wHour); put(":"); put_u(t->wMinute); put(":"); put_u(t->wSecond);
    put("."); put_u(t->wMilliseconds); put("\n");
}

static void put_filetime(const char *name, const FILETIME *f)
{
    put(name); put(": "); put_x(f->dwHighDateTime); put(" "); put_x(f->dwLowDateTime); put("\n");
}

static void set_st(SYSTEMTIME *t, WORD y, WORD mo, WORD d, WORD h, WORD mi, WORD s, WORD ms)
{
    t->wYear = y; t->wMonth = mo; t->wDayOfWeek = 0; t->wDay = d;
    t->wHour = h; t->wMinute = mi; t->wSecond = s; t->wMilliseconds = ms;
}

static void times(void)
{
    SYSTEMTIME st, back;
    FILETIME ft, ft2, local;
    WORD date, time;
    TIME_ZONE_INFORMATION tz;

    set_st(&st, 1999, 12, 31, 23, 59, 59, 500);
    check_u("SystemTimeToFileTime", SystemTimeToFileTime(&st, &ft));
    put_filetime("filetime", &ft);
    check_u("FileTimeToSystemTime", FileTimeToSystemTime(&ft, &back));
    put_systemtime("systemtime", &back);
    st.wDayOfWeek = 3; /* wrong, and ignored */
    check_u("SystemTimeToFileTime(wrong day of week)", SystemTimeToFileTime(&st, &ft2));
    check_u("same filetime", ft2.dwLowDateTime == ft.dwLowDateTime && ft2.dwHighDateTime == ft.dwHighDateTime);

    set_st(&st, 1601, 1, 1, 0, 0, 0, 0);
    SystemTimeToFileTime(&st, &ft2);
    put_filetime("1601-01-01", &ft2);
    ft2.dwHighDateTime = 0x7FFFFFFF; ft2.dwLowDateTime = 0xFFFFFFFF;
    check_u("FileTimeToSystemTime(0x7fffffffffffffff)", FileTimeToSystemTime(&ft2, &back));
    put_systemtime("latest", &back);
    ft2.dwHighDateTime = 0x80000000; ft2.dwLowDateTime = 0;
    CHECK_FAIL("FileTimeToSystemTime(0x8000000000000000)", FileTimeToSystemTime(&ft2, &back));

    set_st(&st, 1999, 2, 29, 0, 0, 0, 0);
    CHECK_FAIL("SystemTimeToFileTime(1999-02-29)", SystemTimeToFileTime(&st, &ft2));
    set_st(&st, 2000, 2, 29, 0, 0, 0, 0);
    check_u("SystemTimeToFileTime(2000-02-29)", SystemTimeToFileTime(&st, &ft2));
    set_st(&st, 2000, 13, 1, 0, 0, 0, 0);
    CHECK_FAIL("SystemTimeToFileTime(month 13)", SystemTimeToFileTime(&st, &ft2));
    set_st(&st, 1600, 12, 31, 0, 0, 0, 0);
    CHECK_FAIL("SystemTimeToFileTime(1600)", SystemTimeToFileTime(&st, &ft2));
    set_st(&st, 2000, 1, 1, 24, 0, 0, 0);
    CHECK_FAIL("SystemTimeToFileTime(hour 24)", SystemTimeToFileTime(&st, &ft2));
    set_st(&st, 2000, 1, 1, 0, 0, 0, 1000);
    CHECK_FAIL("SystemTimeToFileTime(1000 ms)", SystemTimeToFileTime(&st, &ft2));

    check_u("FileTimeToLocalFileTime", FileTimeToLocalFileTime(&ft, &local));
    check_u("local equals utc", local.dwLowDateTime == ft.dwLowDateTime && local.dwHighDateTime == ft.dwHighDateTime);
    check_u("LocalFileTimeToFileTime", LocalFileTimeToFileTime(&local, &ft2));
    check_u("round trip", ft2.dwLowDateTime == ft.dwLowDateTime && ft2.dwHighDateTime == ft.dwHighDateTime);

    ft2 = ft;
    check_i("CompareFileTime(equal)", CompareFileTime(&ft, &ft2));
    ft2.dwLowDateTime++;
    check_i("CompareFileTime(earlier)", CompareFileTime(&ft, &ft2));
    check_i("CompareFileTime(later)", CompareFileTime(&ft2, &ft));
    ft2.dwHighDateTime = 0x80000000; ft2.dwLowDateTime = 0;
    check_i("CompareFileTime(high bit is later)", CompareFileTime(&ft2, &ft));

    set_st(&st, 1999, 12, 31, 23, 59, 59, 0);
    SystemTimeToFileTime(&st, &ft2);
    check_u("FileTimeToDosDateTime", FileTimeToDosDateTime(&ft2, &date, &time));
    check_x("dos date", date);
    check_x("dos time", time);
    check_u("DosDateTimeToFileTime", DosDateTimeToFileTime(date, time, &ft2));
    FileTimeToSystemTime(&ft2, &back);
    put_systemtime("from dos", &back);
    set_st(&st, 1979, 12, 31, 23, 59, 59, 0);
    SystemTimeToFileTime(&st, &ft2);
    CHECK_FAIL("FileTimeToDosDateTime(1979)", FileTimeToDosDateTime(&ft2, &date, &time));
    set_st(&st, 2107, 12, 31, 23, 59, 58, 0);
    SystemTimeToFileTime(&st, &ft2);
    check_u("FileTimeToDosDateTime(2107)", FileTimeToDosDateTime(&ft2, &date, &time));
    check_x("dos date 2107", date);
    CHECK_FAIL("DosDateTimeToFileTime(month 0)", DosDateTimeToFileTime(0x2801, 0, &ft2));

    set_st(&st, 1999, 7, 1, 12, 0, 0, 0);
    check_u("SystemTimeToTzSpecificLocalTime(NULL)", SystemTimeToTzSpecificLocalTime(NULL, &st, &back));
    put_systemtime("local", &back);
    /* U.S. Eastern time, with NT 4.0's rules: daylight time from the first Sunday of April
     * to the last Sunday of October. */
    fill(&tz, 0, sizeof tz);
    tz.Bias = 300;
    tz.StandardDate.wMonth = 10; tz.StandardDate.wDay = 5; tz.StandardDate.wHour = 2;
    tz.DaylightDate.wMonth = 4; tz.DaylightDate.wDay = 1; tz.DaylightDate.wHour = 2;
    tz.DaylightBias = -60;
    check_u("SystemTimeToTzSpecificLocalTime(eastern, july)", SystemTimeToTzSpecificLocalTime(&tz, &st, &back));
    put_systemtime("eastern july", &back);
    set_st(&st, 1999, 1, 15, 12, 0, 0, 0);
    SystemTimeToTzSpecificLocalTime(&tz, &st, &back);
    put_systemtime("eastern january", &back);
    set_st(&st, 1999, 4, 4, 6, 59, 0, 0);
    SystemTimeToTzSpecificLocalTime(&tz, &st, &back);
    put_systemtime("eastern before the change", &back);
    set_st(&st, 1999, 4, 4, 7, 0, 0, 0);
    SystemTimeToTzSpecificLocalTime(&tz, &st, &back);
    put_systemtime("eastern after the change", &back);
    set_st(&st, 1999, 2, 30, 0, 0, 0, 0);
    CHECK_FAIL("SystemTimeToTzSpecificLocalTime(02-30)", SystemTimeToTzSpecificLocalTime(&tz, &st, &back));

    /* The clock setters: an ordinary user may not. (run-wine.sh runs Wine without
     * CAP_SYS_TIME, so Wine cannot change the host's clock either.) */
    set_st(&st, 1999, 12, 31, 23, 59, 59, 0);
    CHECK_FAIL("SetSystemTime", SetSystemTime(&st));
    st.wMonth = 13;
    CHECK_FAIL("SetSystemTime(month 13)", SetSystemTime(&st));
    st.wMonth = 12;
    CHECK_FAIL("SetLocalTime", SetLocalTime(&st));
}

static void modes(void)
{
    check_u("SetErrorMode(SEM_FAILCRITICALERRORS)", SetErrorMode(SEM_FAILCRITICALERRORS));
    check_u("SetErrorMode(SEM_NOOPENFILEERRORBOX)", SetErrorMode(SEM_NOOPENFILEERRORBOX));
    check_u("SetErrorMode(0)", SetErrorMode(0));
    check_u("AreFileApisANSI", AreFileApisANSI());
    SetFileApisToOEM();
    check_u("AreFileApisANSI after SetFileApisToOEM", AreFileApisANSI());
    SetFileApisToANSI();
    check_u("AreFileApisANSI after SetFileApisToANSI", AreFileApisANSI());
}

static void console(void)
{
    check_u("GetConsoleCP", GetConsoleCP());
    check_u("GetConsoleOutputCP", GetConsoleOutputCP());
    check_u("SetConsoleOutputCP(1252)", SetConsoleOutputCP(1252));
    check_u("GetConsoleOutputCP after", GetConsoleOutputCP());
    CHECK_FAIL("SetConsoleOutputCP(12345)", SetConsoleOutputCP(12345));
    check_u("SetConsoleOutputCP(437)", SetConsoleOutputCP(437));
    CHECK_FAIL("SetConsoleCP(0)", SetConsoleCP(0));
    check_u("SetConsoleCP(437)", SetConsoleCP(437));
    CHECK_FAIL("AllocConsole with a console", AllocConsole());
    check_u("FreeConsole", FreeConsole());
    CHECK_FAIL("GetConsoleCP without a console", GetConsoleCP());
    check_u("AllocConsole", AllocConsole());
    check_u("GetConsoleCP with the new console", GetConsoleCP() != 0);
}

static void atoms(void)
{
    char buf[300], name[300];
    WCHAR wbuf[32];
    ATOM a, g;
    int i;

    SetLastError(0);
    a = AddAtomA("foobar");
    check_x("AddAtomA(foobar)", a);
    check_u("AddAtomA last_error untouched", GetLastError());
    check_u("FindAtomA(FOOBAR)", FindAtomA("FOOBAR") == a);
    check_u("FindAtomW(foobar)", FindAtomW(L"foobar") == a);
    check_u("AddAtomW(FooBar) is the same atom", AddAtomW(L"FooBar") == a);
    check_u("GetAtomNameA", GetAtomNameA(a, buf, sizeof buf));
    check_s("name", buf);
    check_u("GetAtomNameW", GetAtomNameW(a, wbuf, 32));
    narrow(buf, wbuf, sizeof buf);
    check_s("wide name", buf);
    fill(buf, '.', 10);
    check_u("GetAtomNameA(size 4)", GetAtomNameA(a, buf, 4));
    buf[9] = 0;
    check_s("cut name", buf);
    CHECK_FAIL("GetAtomNameA(size 1)", GetAtomNameA(a, buf, 1));
    check_u("DeleteAtom", DeleteAtom(a));
    check_u("still there after one delete", FindAtomA("foobar") == a);
    check_u("DeleteAtom again", DeleteAtom(a));
    CHECK_FAIL("FindAtomA(foobar) after", FindAtomA("foobar"));
    CHECK_FAIL_X("DeleteAtom(deleted)", DeleteAtom(a));
    CHECK_FAIL("GetAtomNameA(deleted)", GetAtomNameA(a, buf, sizeof buf));

    check_u("AddAtomA(#1234)", AddAtomA("#1234"));
    check_x("AddAtomA(MAKEINTATOM(0x1234))", AddAtomA(MAKEINTATOM(0x1234)));
    check_u("FindAtomA(#77)", FindAtomA("#77"));
    check_u("DeleteAtom(1234)", DeleteAtom(1234));
    check_u("GetAtomNameA(1234)", GetAtomNameA(1234, buf, sizeof buf));
    check_s("integer atom name", buf);
    CHECK_FAIL("AddAtomA(MAKEINTATOM(0xc000))", AddAtomA(MAKEINTATOM(0xc000)));
    CHECK_FAIL("AddAtomA(#49152)", AddAtomA("#49152"));
    SetLastError(0);
    check_u("AddAtomA(NULL)", AddAtomA(NULL));
    check_u("AddAtomA(NULL) last_error", GetLastError());
    CHECK_FAIL("GetAtomNameA(0)", GetAtomNameA(0, buf, sizeof buf));
    for (i = 0; i < 255; i++) name[i] = (char)('a' + i % 26);
    name[255] = 0;
    a = AddAtomA(name);
    check_u("AddAtomA(255 characters)", a >= 0xc000);
    check_u("its name's length", GetAtomNameA(a, buf, sizeof buf));
    name[255] = 'x'; name[256] = 0;
    CHECK_FAIL("AddAtomA(256 characters)", AddAtomA(name));
    check_u("InitAtomTable", InitAtomTable(37));

    SetLastError(0);
    g = GlobalAddAtomA("ntemu-k32more");
    check_u("GlobalAddAtomA", g >= 0xc000);
    check_u("GlobalAddAtomA last_error untouched", GetLastError());
    check_u("GlobalFindAtomW", GlobalFindAtomW(L"NTEMU-K32MORE") == g);
    check_u("GlobalFindAtomA is not the local table", FindAtomA("ntemu-k32more"));
    check_u("GlobalGetAtomNameA", GlobalGetAtomNameA(g, buf, sizeof buf));
    check_s("global name", buf);
    check_u("GlobalGetAtomNameW", GlobalGetAtomNameW(g, wbuf, 32));
    check_u("GlobalAddAtomW is the same atom", GlobalAddAtomW(L"NTEMU-k32more") == g);
    check_u("GlobalDeleteAtom (one reference of two)", GlobalDeleteAtom(g));
    check_u("GlobalFindAtomA still finds it", GlobalFindAtomA("ntemu-k32more") == g);
    fill(buf, '.', 10);
    CHECK_FAIL("GlobalGetAtomNameA(size 5)", GlobalGetAtomNameA(g, buf, 5));
    buf[9] = 0;
    check_s("cut global name", buf);
    /* The W function cuts the name to the buffer without a NUL and returns its size. */
    fill((char *)wbuf, '.', 20);
    SetLastError(0);
    check_u("GlobalGetAtomNameW(size 5)", GlobalGetAtomNameW(g, wbuf, 5));
    check_u("GlobalGetAtomNameW(size 5) last error", GetLastError());
    check_u("the cut name's fifth unit", wbuf[4]);
    check_u("the unit after it untouched", wbuf[5]);
    check_u("GlobalAddAtomA(#5)", GlobalAddAtomA("#5"));
    check_u("GlobalDeleteAtom", GlobalDeleteAtom(g));
    CHECK_FAIL("GlobalFindAtomA after", GlobalFindAtomA("ntemu-k32more"));
}

static void directories(void)
{
    char buf[MAX_PATH];
    WCHAR wbuf[MAX_PATH];
    UINT n;

    n = GetWindowsDirectoryA(buf, MAX_PATH);
    check_s("GetWindowsDirectoryA", buf);
    check_u("GetWindowsDirectoryA length", n == lstrlenA(buf));
    check_u("GetWindowsDirectoryA(NULL, 0) is the size with the NUL", GetWindowsDirectoryA(NULL, 0) == n + 1);
    fill(buf, '.', 4);
    check_u("GetWindowsDirectoryA(short) is the size with the NUL", GetWindowsDirectoryA(buf, n) == n + 1);
    check_u("the short buffer is untouched", buf[0] == '.');
    check_u("GetWindowsDirectoryW is as long", GetWindowsDirectoryW(wbuf, MAX_PATH) == n);
    n = GetSystemDirectoryA(buf, MAX_PATH);
    check_s("GetSystemDirectoryA", buf);
    check_u("GetSystemDirectoryA length", n == lstrlenA(buf));
    check_u("GetSystemDirectoryA(NULL, 0) is the size with the NUL", GetSystemDirectoryA(NULL, 0) == n + 1);
    check_u("GetSystemDirectoryW is as long", GetSystemDirectoryW(wbuf, MAX_PATH) == n);

    SetEnvironmentVariableA("TMP", "C:\\tmpdir");
    SetEnvironmentVariableA("TEMP", "C:\\temp2\\");
    n = GetTempPathA(MAX_PATH, buf);
    check_s("GetTempPathA with TMP", buf);
    check_u("GetTempPathA length", n == lstrlenA(buf));
    check_u("GetTempPathA(3) is the size with the NUL", GetTempPathA(3, buf) == n + 1);
    check_u("GetTempPathW", GetTempPathW(MAX_PATH, wbuf));
    narrow(buf, wbuf, sizeof buf);
    check_s("wide", buf);
    SetEnvironmentVariableA("TMP", NULL);
    GetTempPathA(MAX_PATH, buf);
    check_s("GetTempPathA with TEMP", buf);
    SetEnvironmentVariableA("TEMP", NULL);
    GetTempPathA(MAX_PATH, buf);
    check_s("GetTempPathA with neither", buf);

    /* A name relative to another drive's current directory, which "=Q:" remembers. */
    SetEnvironmentVariableA("=Q:", "Q:\\deep\\dir");
    GetFullPathNameA("Q:x.txt", MAX_PATH, buf, NULL);
    check_s("GetFullPathNameA(Q:x.txt) with =Q:", buf);
    SetEnvironmentVariableA("=Q:", NULL);
    GetFullPathNameA("Q:x.txt", MAX_PATH, buf, NULL);
    check_s("GetFullPathNameA(Q:x.txt) without", buf);
}

static void lstrings(void)
{
    char buf[32];
    WCHAR wbuf[32];
    char *r;

    check_i("lstrlenA(hello)", lstrlenA("hello"));
    check_i("lstrlenA(NULL)", lstrlenA(NULL));
    check_i("lstrlenA(bad pointer)", lstrlenA((LPCSTR)1));
    check_i("lstrlenW(hello)", lstrlenW(L"hello"));
    check_i("lstrlenW(NULL)", lstrlenW(NULL));
    check_i("lstrlen(hi)", lstrlen("hi"));

    check_u("lstrcpyA returns the destination", lstrcpyA(buf, "abc") == buf);
    check_s("copied", buf);
    check_u("lstrcpyA(buf, NULL)", (ULONG_PTR)lstrcpyA(buf, NULL));
    check_u("lstrcpyA(NULL, x)", (ULONG_PTR)lstrcpyA(NULL, "x"));
    fill(buf, 'z', 8);
    check_u("lstrcpynA(4) returns the destination", lstrcpynA(buf, "abcdef", 4) == buf);
    check_s("lstrcpynA(4)", buf);
    fill(buf, 'z', 8); buf[8] = 0;
    r = lstrcpynA(buf, "abcdef", 0);
    check_u("lstrcpynA(0) returns the destination", r == buf);
    check_s("lstrcpynA(0) leaves it", buf);
    lstrcpynA(buf, "abcdef", 1);
    check_s("lstrcpynA(1)", buf);
    lstrcpynA(buf, "abc", 10);
    check_s("lstrcpynA(10)", buf);
    check_u("lstrcatA returns the destination", lstrcatA(buf, "def") == buf);
    check_s("lstrcatA", buf);
    check_u("lstrcatA(NULL, x)", (ULONG_PTR)lstrcatA(NULL, "x"));
    check_u("lstrcatA(buf, bad pointer)", (ULONG_PTR)lstrcatA(buf, (LPCSTR)1));
    check_s("lstrcatA left", buf);
    lstrcpyW(wbuf, L"wide");
    lstrcatW(wbuf, L"-str");
    lstrcpynW(wbuf + 8, L"ing!", 4);
    narrow(buf, wbuf, sizeof buf);
    check_s("lstrcpyW+lstrcatW+lstrcpynW", buf);

    check_i("lstrcmpA(a, B)", sign(lstrcmpA("a", "B")));
    check_i("lstrcmpA(B, a)", sign(lstrcmpA("B", "a")));
    check_i("lstrcmpA(a, A)", sign(lstrcmpA("a", "A")));
    check_i("lstrcmpA(abc, abc)", sign(lstrcmpA("abc", "abc")));
    check_i("lstrcmpA(co-op, coop)", sign(lstrcmpA("co-op", "coop")));
    check_i("lstrcmpA(co-op, cook)", sign(lstrcmpA("co-op", "cook")));
    check_i("lstrcmpA(NULL, a)", sign(lstrcmpA(NULL, "a")));
    check_i("lstrcmpA(a, NULL)", sign(lstrcmpA("a", NULL)));
    check_i("lstrcmpA(NULL, NULL)", sign(lstrcmpA(NULL, NULL)));
    check_i("lstrcmpiA(a, A)", sign(lstrcmpiA("a", "A")));
    check_i("lstrcmpiA(HELLO, hellp)", sign(lstrcmpiA("HELLO", "hellp")));
    check_i("lstrcmpW(a, B)", sign(lstrcmpW(L"a", L"B")));
    check_i("lstrcmpiW(ABC, abc)", sign(lstrcmpiW(L"ABC", L"abc")));
    check_i("lstrcmp(1, a)", sign(lstrcmp("1", "a")));
    check_i("lstrcmpi(Z, a)", sign(lstrcmpi("Z", "a")));
}

static DWORD fmt_va(DWORD flags, LPCSTR src, LPSTR out, DWORD size, ...)
{
    va_list list;
    DWORD r;
    va_start(list, size);
    r = FormatMessageA(flags | FORMAT_MESSAGE_FROM_STRING, src, 0, 0, out, size, &list);
    va_end(list);
    return r;
}

static DWORD fmt_vaW(LPCWSTR src, LPWSTR out, DWORD size, ...)
{
    va_list list;
    DWORD r;
    va_start(list, size);
    r = FormatMessageW(FORMAT_MESSAGE_FROM_STRING, src, 0, 0, out, size, &list);
    va_end(list);
    return r;
}

static void system_message(const char *name, DWORD flags, DWORD id, DWORD lang, DWORD_PTR *args)
{
    char buf[256];
    DWORD n;
    fill(buf, 0, 4);
    SetLastError(0);
    n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | flags, NULL, id, lang, buf, sizeof buf, (va_list *)args);
    put(name); put(": "); put_u(n);
    if (n) { put(" \""); put_esc(buf); put("\""); }
    else { put(" last_error: "); put_u(GetLastError()); }
    put("\n");
}

static void messages(void)
{
    char buf[256];
    WCHAR wbuf[128];
    char *alloc = (char *)1;
    DWORD_PTR args[4];
    DWORD n;

    system_message("FormatMessage(2)", 0, 2, 0, NULL);
    system_message("FormatMessage(87, en-US)", 0, 87, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US), NULL);
    system_message("FormatMessage(5)", 0, 5, MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), NULL);
    system_message("FormatMessage(8)", 0, 8, 0, NULL);
    system_message("FormatMessage(193, ignore inserts)", FORMAT_MESSAGE_IGNORE_INSERTS, 193, 0, NULL);
    args[0] = (DWORD_PTR)"foo.exe";
    system_message("FormatMessage(193, foo.exe)", FORMAT_MESSAGE_ARGUMENT_ARRAY, 193, 0, args);
    system_message("FormatMessage(2, width 20)", 20, 2, 0, NULL);
    system_message("FormatMessage(0x7fff)", 0, 0x7fff, 0, NULL);
    system_message("FormatMessage(2, German)", 0, 2, MAKELANGID(LANG_GERMAN, SUBLANG_GERMAN), NULL);
    SetLastError(0);
    n = FormatMessageA(FORMAT_MESSAGE_FROM_HMODULE, NULL, 2, 0, buf, sizeof buf, NULL);
    check_u("FormatMessage(from the module, 2)", n);
    check_err("FormatMessage(from the module)");

    n = fmt_va(0, "%1 has %2!d! items, %3!04x!.", buf, sizeof buf, "list", 12, 0xab);
    check_u("FormatMessage(inserts)", n);
    check_s("inserts", buf);
    n = fmt_va(0, "%2-%1-%2", buf, sizeof buf, "one", "two");
    check_s("inserts reordered", buf);
    n = fmt_va(0, "[%1!5s!][%1!-5s!][%2!5.2s!]", buf, sizeof buf, "ab", "wxyz");
    check_s("string widths", buf);
    n = fmt_va(0, "%1!c!%2!u!%3!X!%4!ld!", buf, sizeof buf, 'Q', 4000000000u, 0xbeef, -7);
    check_s("conversions", buf);
    n = fmt_va(0, "100%% %. %! % done%n%tnext%0ignored", buf, sizeof buf);
    check_u("FormatMessage(escapes)", n);
    check_s("escapes", buf);
    n = fmt_va(0, "line1\nline2\r\nline3\r", buf, sizeof buf);
    check_s("line breaks", buf);
    n = fmt_va(FORMAT_MESSAGE_IGNORE_INSERTS, "%1 %2!d! %% %n.", buf, sizeof buf);
    check_u("FormatMessage(ignore inserts)", n);
    check_s("ignore inserts", buf);
    args[0] = 6; args[1] = 2; args[2] = (DWORD_PTR)"abcdef"; args[3] = (DWORD_PTR)"next";
    n = FormatMessageA(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_ARGUMENT_ARRAY, "[%1!*.*s!] %4", 0, 0, buf, sizeof buf, (va_list *)args);
    check_s("argument array with *", buf);
    n = fmt_va(11, "short long line", buf, sizeof buf);
    check_s("width 11", buf);
    n = fmt_va(8, "shortlongline and%nmore", buf, sizeof buf);
    check_s("width 8", buf);
    n = fmt_va(FORMAT_MESSAGE_MAX_WIDTH_MASK, "a\r\nb\nc%nd", buf, sizeof buf);
    check_s("width 255", buf);

    fill(buf, 'x', 8);
    SetLastError(0);
    n = fmt_va(0, "test", buf, 4);
    check_u("FormatMessage(size 4, test)", n);
    check_err("FormatMessage(size 4)");
    check_u("the buffer is untouched", buf[0] == 'x');
    check_u("FormatMessage(size 5, test)", fmt_va(0, "test", buf, 5));
    args[0] = (DWORD_PTR)"here";
    n = FormatMessageA(FORMAT_MESSAGE_FROM_STRING | FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_ARGUMENT_ARRAY, "allocated %1", 0, 0, (LPSTR)&alloc, 0, (va_list *)args);
    check_u("FormatMessage(allocate)", n);
    check_s("allocated", alloc);
    check_u("LocalFree", (ULONG_PTR)LocalFree(alloc));
    SetLastError(0);
    n = FormatMessageA(0, "test", 0, 0, buf, sizeof buf, NULL);
    check_u("FormatMessage(no source)", n);
    check_err("FormatMessage(no source)");
    SetLastError(0);
    n = fmt_va(0, "test%", buf, sizeof buf);
    check_u("FormatMessage(test%)", n);
    check_err("FormatMessage(test%)");
    SetLastError(0);
    n = FormatMessageA(FORMAT_MESSAGE_FROM_STRING, "%1", 0, 0, buf, sizeof buf, NULL);
    check_u("FormatMessage(%1 without arguments)", n);
    check_err("FormatMessage(%1 without arguments)");
    SetLastError(12345);
    n = fmt_va(0, "", buf, sizeof buf);
    check_u("FormatMessage(empty)", n);
    check_err("FormatMessage(empty)");

    n = fmt_vaW(L"%1!s!-%2!S!-%3!c!", wbuf, 128, L"wide", "ansi", L'w');
    check_u("FormatMessageW(inserts)", n);
    narrow(buf, wbuf, sizeof buf);
    check_s("wide inserts", buf);
    n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM, NULL, 6, 0, wbuf, 128, NULL);
    check_u("FormatMessageW(6)", n);
    narrow(buf, wbuf, sizeof buf);
    check_s("wide message", buf);
}

static void memory(void)
{
    MEMORYSTATUS ms;
    fill(&ms, 0xcc, sizeof ms);
    ms.dwLength = 0;
    GlobalMemoryStatus(&ms);
    check_u("MEMORYSTATUS.dwLength", ms.dwLength);
    check_u("dwMemoryLoad <= 100", ms.dwMemoryLoad <= 100);
    check_u("0 < dwAvailPhys <= dwTotalPhys", ms.dwAvailPhys > 0 && ms.dwAvailPhys <= ms.dwTotalPhys);
    check_u("0 < dwAvailPageFile <= dwTotalPageFile", ms.dwAvailPageFile > 0 && ms.dwAvailPageFile <= ms.dwTotalPageFile);
    check_x("dwTotalVirtual", ms.dwTotalVirtual);
    check_u("0 < dwAvailVirtual < dwTotalVirtual", ms.dwAvailVirtual > 0 && ms.dwAvailVirtual < ms.dwTotalVirtual);
}

static void pointers(void)
{
    SYSTEM_INFO si;
    DWORD page, old;
    char *p, *ro;
    WCHAR *w;
    int local = 1;

    GetSystemInfo(&si);
    page = si.dwPageSize;
    check_u("IsBadReadPtr(NULL, 0)", IsBadReadPtr(NULL, 0));
    check_u("IsBadReadPtr(NULL, 1)", IsBadReadPtr(NULL, 1));
    check_u("IsBadReadPtr(&local, 4)", IsBadReadPtr(&local, 4));
    check_u("IsBadWritePtr(&local, 4)", IsBadWritePtr(&local, 4));
    check_u("IsBadWritePtr(NULL, 0)", IsBadWritePtr(NULL, 0));
    check_u("IsBadReadPtr(code, 16)", IsBadReadPtr((void *)put, 16));
    check_u("IsBadWritePtr(code, 1)", IsBadWritePtr((void *)put, 1));
    check_u("IsBadCodePtr(code)", IsBadCodePtr((FARPROC)put));
    check_u("IsBadCodePtr(NULL)", IsBadCodePtr(NULL));
    check_u("IsBadReadPtr(wrapping)", IsBadReadPtr((void *)0xfffff000, 0x2000));
    check_u("IsBadHugeReadPtr(&local, 4)", IsBadHugeReadPtr(&local, 4));
    check_u("IsBadHugeWritePtr(NULL, 4)", IsBadHugeWritePtr(NULL, 4));

    p = VirtualAlloc(NULL, 2 * page, MEM_COMMIT, PAGE_READWRITE);
    VirtualProtect(p + page, page, PAGE_NOACCESS, &old);
    check_u("IsBadReadPtr(one good page)", IsBadReadPtr(p, page));
    check_u("IsBadReadPtr(one byte into no access)", IsBadReadPtr(p, page + 1));
    check_u("IsBadWritePtr(no access)", IsBadWritePtr(p + page, 1));
    fill(p + page - 4, 'a', 4);
    check_u("IsBadStringPtrA(no NUL before no access, 4)", IsBadStringPtrA(p + page - 4, 4));
    check_u("IsBadStringPtrA(no NUL before no access, 5)", IsBadStringPtrA(p + page - 4, 5));
    p[page - 2] = 0;
    check_u("IsBadStringPtrA(NUL before no access, 100)", IsBadStringPtrA(p + page - 4, 100));
    check_u("IsBadStringPtrA(abc, -1)", IsBadStringPtrA("abc", (UINT_PTR)-1));
    check_u("IsBadStringPtrA(NULL, 0)", IsBadStringPtrA(NULL, 0));
    check_u("IsBadStringPtrA(NULL, 5)", IsBadStringPtrA(NULL, 5));
    w = (WCHAR *)(p + page - 4);
    w[0] = 'x'; w[1] = 'y';
    check_u("IsBadStringPtrW(no NUL before no access, 3)", IsBadStringPtrW(w, 3));
    check_u("IsBadStringPtrW(abc, 10)", IsBadStringPtrW(L"abc", 10));

    ro = VirtualAlloc(NULL, page, MEM_COMMIT, PAGE_READONLY);
    check_u("IsBadReadPtr(read-only)", IsBadReadPtr(ro, page));
    check_u("IsBadWritePtr(read-only)", IsBadWritePtr(ro, 1));
}

/* Last, because Wine 8's IsBadReadPtr does not catch the guard-page exception and the
 * process ends there. NT 4.0's catches every exception: TRUE, and the page loses its guard. */
static void guard_page(void)
{
    SYSTEM_INFO si;
    char *guard;
    GetSystemInfo(&si);
    guard = VirtualAlloc(NULL, si.dwPageSize, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD);
    check_u("IsBadReadPtr(guard page)", IsBadReadPtr(guard, 1));
    check_u("IsBadReadPtr(guard page again)", IsBadReadPtr(guard, 1));
}

static void sections(void)
{
    CRITICAL_SECTION cs;
    check_u("InitializeCriticalSectionAndSpinCount", InitializeCriticalSectionAndSpinCount(&cs, 4000));
    check_u("SpinCount", cs.SpinCount);
    check_u("SetCriticalSectionSpinCount returns the old count", SetCriticalSectionSpinCount(&cs, 100));
    EnterCriticalSection(&cs);
    check_u("RecursionCount", cs.RecursionCount);
    LeaveCriticalSection(&cs);
    DeleteCriticalSection(&cs);
}

static void names(void)
{
    char buf[32];
    WCHAR wbuf[32];
    DWORD size, len;

    size = sizeof buf;
    check_u("GetComputerNameA", GetComputerNameA(buf, &size));
    check_s("computer name", buf);
    len = size;
    check_u("size is the length", size == (DWORD)lstrlenA(buf));
    size = 1;
    CHECK_FAIL("GetComputerNameA(size 1)", GetComputerNameA(buf, &size));
    check_u("size needed is the length with the NUL", size == len + 1);
    size = 32;
    check_u("GetComputerNameW", GetComputerNameW(wbuf, &size));
    check_u("same length", size == len);
}

static void programs(void)
{
    char path[MAX_PATH];
    WCHAR wpath[MAX_PATH];
    DWORD type = 99;
    UINT r;

    GetModuleFileNameA(NULL, path, MAX_PATH);
    check_u("GetBinaryTypeA(own image)", GetBinaryTypeA(path, &type));
    check_u("GetBinaryTypeA type", type);
    GetModuleFileNameW(NULL, wpath, MAX_PATH);
    type = 99;
    check_u("GetBinaryTypeW(own image)", GetBinaryTypeW(wpath, &type));
    check_u("GetBinaryTypeW type", type);
    CHECK_FAIL("GetBinaryTypeA(nosuch)", GetBinaryTypeA("nosuch_k32more.exe", &type));

    r = WinExec("k32more.exe child", SW_HIDE);
    check_u("WinExec(k32more.exe child) > 31", r > 31);
    CHECK_FAIL("WinExec(nosuch)", WinExec("nosuch_k32more.exe", SW_SHOWNORMAL));
}

static void unicode_startup(void)
{
    LPSTR a = GetCommandLineA();
    LPWSTR w = GetCommandLineW();
    STARTUPINFOW si;
    OSVERSIONINFOA va;
    OSVERSIONINFOW vw;
    int i, same;

    check_u("GetCommandLineW is the same pointer again", GetCommandLineW() == w);
    same = lstrlenW(w) == lstrlenA(a);
    for (i = 0; same && a[i]; i++) same = w[i] == (WCHAR)(unsigned char)a[i];
    check_u("GetCommandLineW is GetCommandLineA", same);
    fill(&si, 0xcc, sizeof si);
    GetStartupInfoW(&si);
    check_u("STARTUPINFOW.cb", si.cb);
    va.dwOSVersionInfoSize = sizeof va;
    vw.dwOSVersionInfoSize = sizeof vw;
    check_u("GetVersionExW", GetVersionExW(&vw));
    GetVersionExA(&va);
    check_u("same version as GetVersionExA", va.dwMajorVersion == vw.dwMajorVersion && va.dwMinorVersion == vw.dwMinorVersion && va.dwBuildNumber == vw.dwBuildNumber && va.dwPlatformId == vw.dwPlatformId);
    vw.dwOSVersionInfoSize = 10;
    CHECK_FAIL("GetVersionExW(size 10)", GetVersionExW(&vw));
}

void __stdcall start(void)
{
    if (contains(GetCommandLineA(), " child")) ExitProcess(5);
    OutputDebugStringA("k32more says hello\n");
    OutputDebugStringW(L"and \"wide\" hello");
    times();
    modes();
    console();
    atoms();
    directories();
    lstrings();
    messages();
    memory();
    pointers();
    sections();
    names();
    programs();
    unicode_startup();
    guard_page();
    put("done\n");
    ExitProcess(0);
}
