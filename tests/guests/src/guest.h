/* Shared helpers for ntemu's x86 guest programs: KERNEL32 only, no C runtime.
 * Output goes through GetStdHandle + WriteFile, as a console program's would. */
#include <windows.h>

static HANDLE g_out;

static void put(const char *s)
{
    DWORD n = 0, written;
    while (s[n]) n++;
    if (!g_out) g_out = GetStdHandle(STD_OUTPUT_HANDLE);
    WriteFile(g_out, s, n, &written, NULL);
}

static void put_u(unsigned long v)
{
    char buf[16];
    int i = 15;
    buf[i] = 0;
    do { buf[--i] = (char)('0' + v % 10); v /= 10; } while (v && i > 0);
    put(buf + i);
}

static void put_i(long v)
{
    if (v < 0) { put("-"); put_u((unsigned long)(-v)); } else put_u((unsigned long)v);
}

static void put_x(unsigned long v)
{
    static const char digits[] = "0123456789abcdef";
    char buf[11];
    int i;
    buf[0] = '0'; buf[1] = 'x';
    for (i = 0; i < 8; i++) buf[2 + i] = digits[(v >> (28 - 4 * i)) & 0xf];
    buf[10] = 0;
    put(buf);
}

/* One result line: "name: value". */
static void check_u(const char *name, unsigned long value)
{
    put(name); put(": "); put_u(value); put("\n");
}

static void check_x(const char *name, unsigned long value)
{
    put(name); put(": "); put_x(value); put("\n");
}
