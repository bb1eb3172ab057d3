/* FormatMessage from the program's own message table (msgtab.mc, compiled by windmc):
 * inserts, a second language, an id the table lacks (and the system table behind it with
 * FORMAT_MESSAGE_FROM_SYSTEM). Expected: tests/guests/expected/msgtab.expected. */
#include "guest.h"

static void show(const char *name, DWORD flags, DWORD id, DWORD lang, DWORD_PTR *args)
{
    char buf[200];
    DWORD n;
    SetLastError(0);
    buf[0] = 0;
    n = FormatMessageA(flags | FORMAT_MESSAGE_ARGUMENT_ARRAY, NULL, id, lang, buf, sizeof buf,
                       (va_list *)args);
    put(name); put(": "); put_u(n); put(" error "); put_u(GetLastError()); put(" ");
    put(buf); if (!n) put("\n");
}

void __stdcall start(void)
{
    DWORD_PTR name[] = { (DWORD_PTR)"ntemu" };
    DWORD_PTR count[] = { 42 };
    WCHAR wbuf[100];
    DWORD n;

    show("english", FORMAT_MESSAGE_FROM_HMODULE, 1, 0, name);
    show("german", FORMAT_MESSAGE_FROM_HMODULE, 1, MAKELANGID(LANG_GERMAN, SUBLANG_GERMAN), name);
    show("number", FORMAT_MESSAGE_FROM_HMODULE, 2, 0, count);
    show("german_missing", FORMAT_MESSAGE_FROM_HMODULE, 2, MAKELANGID(LANG_GERMAN, SUBLANG_GERMAN), count);
    show("missing", FORMAT_MESSAGE_FROM_HMODULE, 3, 0, name);
    show("system_behind", FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_FROM_SYSTEM, 3, 0, name);
    show("french", FORMAT_MESSAGE_FROM_HMODULE, 1, MAKELANGID(LANG_FRENCH, SUBLANG_FRENCH), name);
    n = FormatMessageW(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, 1, 0,
                       wbuf, 100, NULL);
    check_u("wide_len", n);
    check_u("wide_first", wbuf[0]);
    ExitProcess(0);
}
