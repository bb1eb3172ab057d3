/* USER32's wsprintfA and wsprintfW: numbers, widths, precision, and which strings and
 * characters %s, %S, %c, %C, %hs and %ls take in each. Wide results are printed as their
 * UTF-16 units in hex and ANSI bytes above 0x7F as \xNN, so no conversion stands between
 * the program and its output. */
#include "guest.h"

static void show_a(const char *name, int n, const char *text)
{
    static const char hex[] = "0123456789abcdef";
    char one[5];
    put(name); put(": "); put_i(n); put(" [");
    for (; *text; text++)
    {
        unsigned char c = (unsigned char)*text;
        if (c < 0x80) { one[0] = (char)c; one[1] = 0; }
        else { one[0] = '\\'; one[1] = 'x'; one[2] = hex[c >> 4]; one[3] = hex[c & 15]; one[4] = 0; }
        put(one);
    }
    put("]\n");
}

static void show_w(const char *name, int n, const WCHAR *text)
{
    int i;
    put(name); put(": "); put_i(n); put(" [");
    for (i = 0; text[i]; i++)
    {
        if (i) put(" ");
        put_x(text[i]);
    }
    put("]\n");
}

static int call_va_w(WCHAR *out, const WCHAR *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = wvsprintfW(out, fmt, ap);
    va_end(ap);
    return n;
}

void __stdcall start(void)
{
    char a[256];
    WCHAR w[256];
    static const WCHAR wide_text[] = { 'w', 'i', 'd', 'e', 0xE9, 0x263A, 0 };
    int n;

    n = wsprintfA(a, "%d|%5d|%-5d|%05d|%u|%x|%#X|%.3d", -12, 34, 56, -7, 4000000000u, 0xbeef, 0xab, 5);
    show_a("A numbers", n, a);
    n = wsprintfA(a, "%s|%S|%hs|%ls|%.3s|%8s|%-8s|", "ansi", wide_text, "narrow", wide_text, "abcdef", "r", "l");
    show_a("A strings", n, a);
    n = wsprintfA(a, "%c|%C|%hc|%lc|%%|%s", 'x', (WCHAR)0xE9, 'y', (WCHAR)0x263A, (char *)0);
    show_a("A characters", n, a);

    n = wsprintfW(w, L"%d|%5d|%-5d|%05d|%u|%x|%#X|%.3d", -12, 34, 56, -7, 4000000000u, 0xbeef, 0xab, 5);
    show_w("W numbers", n, w);
    n = wsprintfW(w, L"%s|%S|%hs|%ls|%.3s|", wide_text, "ansi\xe9", "narrow", wide_text, L"abcdef");
    show_w("W strings", n, w);
    n = wsprintfW(w, L"%c|%C|%hc|%lc|%%", (WCHAR)0x263A, 'z', 'y', (WCHAR)0xE9);
    show_w("W characters", n, w);
    n = call_va_w(w, L"%s=%d", L"va", 42);
    show_w("wvsprintfW", n, w);
    ExitProcess(0);
}
