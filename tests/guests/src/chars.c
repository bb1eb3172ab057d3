/* chars.exe: USER32's character functions (tests/user32.rs): the IsChar* classes of every
 * ANSI character, CharUpper/CharLower of characters, strings and buffers in both forms,
 * and CharNext/CharPrev at a string's ends. */
#include "guest.h"

/* A string's bytes in hex (the ANSI strings hold characters beyond ASCII). */
static void put_bytes(const char *label, const char *s)
{
    static const char digits[] = "0123456789abcdef";
    char hex[4];
    put(label);
    for (; *s; s++) {
        hex[0] = ' ';
        hex[1] = digits[(unsigned char)*s >> 4];
        hex[2] = digits[*s & 15];
        hex[3] = 0;
        put(hex);
    }
    put("\n");
}

static void classes(void)
{
    /* One line per 32 ANSI characters: a letter per character, the bits alpha (1),
     * alphanumeric (2), upper (4) and lower (8) as 'a' + bits. */
    int row, i;
    for (row = 0; row < 8; row++) {
        char line[33];
        for (i = 0; i < 32; i++) {
            CHAR c = (CHAR)(row * 32 + i);
            int bits = (IsCharAlphaA(c) ? 1 : 0) | (IsCharAlphaNumericA(c) ? 2 : 0) |
                       (IsCharUpperA(c) ? 4 : 0) | (IsCharLowerA(c) ? 8 : 0);
            line[i] = (char)('a' + bits);
        }
        line[32] = 0;
        put("A classes "); put_u((unsigned long)row * 32); put(": "); put(line); put("\n");
    }
}

static void wide_classes(void)
{
    static const WCHAR probe[] = { 'a', 'Z', '5', '_', 0xE9, 0xC9, 0x3B1, 0x391, 0x416, 0x436,
                                   0x5D0, 0x4E00, 0x660, 0x2160, 0xFF21, 0xFF41, 0 };
    int i;
    for (i = 0; probe[i]; i++) {
        put("W classes "); put_x(probe[i]); put(": ");
        put_u(IsCharAlphaW(probe[i]) ? 1 : 0); put(" ");
        put_u(IsCharAlphaNumericW(probe[i]) ? 1 : 0); put(" ");
        put_u(IsCharUpperW(probe[i]) ? 1 : 0); put(" ");
        put_u(IsCharLowerW(probe[i]) ? 1 : 0); put(" upper ");
        put_x((DWORD)(DWORD_PTR)CharUpperW((LPWSTR)(DWORD_PTR)probe[i])); put(" lower ");
        put_x((DWORD)(DWORD_PTR)CharLowerW((LPWSTR)(DWORD_PTR)probe[i])); put("\n");
    }
}

static void ansi_cases(void)
{
    char s[] = "Hello, W\xf6rld \xe9\xff\xdf 123";
    char b[] = "abcDEF\xe0\xc0";
    LPSTR r;
    DWORD n;
    int c;
    for (c = 0xC0; c < 0x100; c += 7) {
        put("CharLowerA("); put_x(c); put("): ");
        put_x((DWORD)(DWORD_PTR)CharLowerA((LPSTR)(DWORD_PTR)c)); put(" CharUpperA: ");
        put_x((DWORD)(DWORD_PTR)CharUpperA((LPSTR)(DWORD_PTR)c)); put("\n");
    }
    r = CharLowerA(s);
    check_u("CharLowerA returns its string", r == s);
    put_bytes("lower:", s);
    CharUpperA(s);
    put_bytes("upper:", s);
    n = CharUpperBuffA(b, 3);
    check_u("CharUpperBuffA count", n);
    put_bytes("buff upper 3:", b);
    n = CharLowerBuffA(b + 3, 5);
    check_u("CharLowerBuffA count", n);
    put_bytes("buff lower 5:", b);
    check_u("CharUpperBuffA 0", CharUpperBuffA(b, 0));
}

static void wide_cases(void)
{
    WCHAR s[] = { 'a', 'B', 0xE9, 0x3B1, 0x416, 0xDF, 0x131, '1', 0 };
    WCHAR b[] = { 'x', 'y', 'z', 0 };
    int i;
    check_u("CharUpperW returns its string", CharUpperW(s) == s);
    put("wide upper:");
    for (i = 0; s[i]; i++) { put(" "); put_x(s[i]); }
    put("\n");
    CharLowerW(s);
    put("wide lower:");
    for (i = 0; s[i]; i++) { put(" "); put_x(s[i]); }
    put("\n");
    check_u("CharUpperBuffW count", CharUpperBuffW(b, 2));
    put("wide buff:");
    for (i = 0; b[i]; i++) { put(" "); put_x(b[i]); }
    put("\n");
}

static void steps(void)
{
    static char a[] = "ab";
    static WCHAR w[] = { 'a', 'b', 0 };
    check_u("CharNextA(a) - a", (DWORD)(CharNextA(a) - a));
    check_u("CharNextA(a+2) - a", (DWORD)(CharNextA(a + 2) - a));
    check_u("CharNextW(w) - w", (DWORD)(CharNextW(w) - w));
    check_u("CharNextW(w+2) - w", (DWORD)(CharNextW(w + 2) - w));
    check_u("CharPrevA(a, a+2) - a", (DWORD)(CharPrevA(a, a + 2) - a));
    check_u("CharPrevA(a, a) - a", (DWORD)(CharPrevA(a, a) - a));
    check_u("CharPrevW(w, w+1) - w", (DWORD)(CharPrevW(w, w + 1) - w));
    check_u("CharPrevW(w, w) - w", (DWORD)(CharPrevW(w, w) - w));
    check_u("CharNextExA(0, a, 0) - a", (DWORD)(CharNextExA(0, a, 0) - a));
    check_u("CharPrevExA(0, a, a+1, 0) - a", (DWORD)(CharPrevExA(0, a, a + 1, 0) - a));
}

void __stdcall start(void)
{
    classes();
    wide_classes();
    ansi_cases();
    wide_cases();
    steps();
    ExitProcess(0);
}
