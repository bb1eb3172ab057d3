/* crtwide.exe: msvcrt's wide-character functions in the "C" locale: wcs* strings, case
 * (ASCII only in the "C" locale), classification (the Unicode character types), wcstol and
 * friends, _itow, the multibyte conversions (one byte per character; none above 255:
 * EILSEQ), the swprintf family (%s wide, %S narrow, %c, counts, truncation), wprintf on
 * stdout, and wide stream I/O in text mode (each character its byte) and binary mode (UTF-16
 * units). Prototypes are msvcrt's own, declared here. Linked with mingw-w64's start-up
 * against msvcrt.dll; output in tests/guests/expected/crtwide.expected. */
#include <stddef.h>
#include <stdarg.h>

typedef struct FILE FILE;
typedef unsigned short wint_t;
#define F __cdecl
int F printf(const char *, ...);
int F sprintf(char *, const char *, ...);
FILE *F fopen(const char *, const char *);
int F fclose(FILE *);
unsigned F fread(void *, unsigned, unsigned, FILE *);
int F _unlink(const char *);
FILE *F __iob_func(void);
size_t F wcslen(const wchar_t *);
wchar_t *F wcscpy(wchar_t *, const wchar_t *);
wchar_t *F wcsncpy(wchar_t *, const wchar_t *, size_t);
wchar_t *F wcscat(wchar_t *, const wchar_t *);
wchar_t *F wcsncat(wchar_t *, const wchar_t *, size_t);
int F wcscmp(const wchar_t *, const wchar_t *);
int F wcsncmp(const wchar_t *, const wchar_t *, size_t);
int F wcscoll(const wchar_t *, const wchar_t *);
int F _wcsicmp(const wchar_t *, const wchar_t *);
int F _wcsnicmp(const wchar_t *, const wchar_t *, size_t);
wchar_t *F wcschr(const wchar_t *, wchar_t);
wchar_t *F wcsrchr(const wchar_t *, wchar_t);
wchar_t *F wcsstr(const wchar_t *, const wchar_t *);
size_t F wcsspn(const wchar_t *, const wchar_t *);
size_t F wcscspn(const wchar_t *, const wchar_t *);
wchar_t *F wcspbrk(const wchar_t *, const wchar_t *);
wchar_t *F wcstok(wchar_t *, const wchar_t *);
wchar_t *F _wcsdup(const wchar_t *);
wchar_t *F _wcslwr(wchar_t *);
wchar_t *F _wcsupr(wchar_t *);
wchar_t *F _wcsrev(wchar_t *);
wchar_t *F _wcsnset(wchar_t *, wchar_t, size_t);
void F free(void *);
wint_t F towlower(wint_t);
wint_t F towupper(wint_t);
int F iswalpha(wint_t);
int F iswdigit(wint_t);
int F iswspace(wint_t);
int F iswupper(wint_t);
int F iswlower(wint_t);
int F iswalnum(wint_t);
int F iswpunct(wint_t);
int F iswxdigit(wint_t);
int F iswcntrl(wint_t);
int F iswctype(wint_t, unsigned short);
long F wcstol(const wchar_t *, wchar_t **, int);
unsigned long F wcstoul(const wchar_t *, wchar_t **, int);
double F wcstod(const wchar_t *, wchar_t **);
int F _wtoi(const wchar_t *);
long F _wtol(const wchar_t *);
wchar_t *F _itow(int, wchar_t *, int);
wchar_t *F _ltow(long, wchar_t *, int);
wchar_t *F _ultow(unsigned long, wchar_t *, int);
size_t F mbstowcs(wchar_t *, const char *, size_t);
size_t F wcstombs(char *, const wchar_t *, size_t);
int F mbtowc(wchar_t *, const char *, size_t);
int F wctomb(char *, wchar_t);
int F swprintf(wchar_t *, const wchar_t *, ...);
int F _snwprintf(wchar_t *, size_t, const wchar_t *, ...);
int F vswprintf(wchar_t *, const wchar_t *, va_list);
int F wprintf(const wchar_t *, ...);
int F fwprintf(FILE *, const wchar_t *, ...);
int F vwprintf(const wchar_t *, va_list);
wint_t F fputwc(wchar_t, FILE *);
wint_t F putwc(wchar_t, FILE *);
wint_t F fgetwc(FILE *);
wint_t F getwc(FILE *);
wint_t F ungetwc(wint_t, FILE *);
int F fputws(const wchar_t *, FILE *);
wchar_t *F fgetws(wchar_t *, int, FILE *);
size_t F wcsftime(wchar_t *, size_t, const wchar_t *, const void *);
#define E() (*_errno())
#define WEOF 0xFFFF

/* A wide string as text: ASCII as is, anything else as <hex>. */
static const char *show(const wchar_t *w)
{
    static char out[8][256];
    static int k;
    char *o = out[k++ & 7], *p = o;
    if (!w)
        return "NULL";
    for (; *w && p < o + 240; w++)
        p += (*w >= 32 && *w < 127) ? sprintf(p, "%c", *w) : sprintf(p, "<%x>", *w);
    *p = 0;
    return o;
}

static int vsw(wchar_t *buf, const wchar_t *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vswprintf(buf, fmt, ap);
    va_end(ap);
    return r;
}

static int vw(const wchar_t *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vwprintf(fmt, ap);
    va_end(ap);
    return r;
}

static void dump(const char *name)
{
    unsigned char b[64];
    FILE *f = fopen(name, "rb");
    unsigned n = fread(b, 1, sizeof b, f);
    fclose(f);
    printf("%s:", name);
    for (unsigned i = 0; i < n; i++)
        printf(" %02x", b[i]);
    printf("\n");
}

int main(void)
{
    wchar_t a[64], b[64], *p;

    /* ---- strings ---- */
    wcscpy(a, L"Hello");
    wcscat(a, L", World");
    printf("wcscpy+wcscat: %s len %u\n", show(a), (unsigned)wcslen(a));
    wcsncat(a, L"!!!", 1);
    printf("wcsncat 1: %s\n", show(a));
    for (int i = 0; i < 8; i++)
        b[i] = L'x';
    wcsncpy(b, L"ab", 5);
    printf("wcsncpy pads: %d %d %d %d %d %c\n", b[0], b[1], b[2], b[3], b[4], (char)b[5]);
    wcsncpy(b, L"abcdef", 3);
    printf("wcsncpy cuts: %c%c%c then %d\n", b[0], b[1], b[2], b[3]);
    printf("wcscmp: %d %d %d wcsncmp: %d wcscoll: %d\n", wcscmp(L"abc", L"abd"), wcscmp(L"b", L"a"),
           wcscmp(L"x", L"x"), wcsncmp(L"abcX", L"abcY", 3), wcscoll(L"a", L"b"));
    printf("_wcsicmp: %d %d _wcsnicmp: %d\n", _wcsicmp(L"HeLLo", L"hello"), _wcsicmp(L"\xc9", L"\xe9") != 0,
           _wcsnicmp(L"ABCx", L"abcy", 3));
    wcscpy(a, L"one,two;;three");
    printf("wcschr: %s wcsrchr: %s wcschr NUL: %d\n", show(wcschr(a, L',')), show(wcsrchr(a, L';')),
           wcschr(a, 0) == a + wcslen(a));
    printf("wcschr missing: %s wcsstr: %s wcsstr empty: %d missing: %s\n", show(wcschr(a, L'z')),
           show(wcsstr(a, L"two")), wcsstr(a, L"") == a, show(wcsstr(a, L"four")));
    printf("wcsspn: %u wcscspn: %u wcspbrk: %s\n", (unsigned)wcsspn(L"aabbc", L"ab"),
           (unsigned)wcscspn(a, L",;"), show(wcspbrk(a, L";,")));
    p = wcstok(a, L",;");
    while (p) {
        printf("wcstok: %s\n", show(p));
        p = wcstok(NULL, L",;");
    }
    p = _wcsdup(L"dup");
    printf("_wcsdup: %s\n", show(p));
    free(p);
    printf("_wcsdup(NULL): %s\n", show(_wcsdup(NULL)));
    wcscpy(a, L"MiXeD \xc9\xe9\x3b1");
    printf("_wcslwr: %s\n", show(_wcslwr(a)));
    printf("_wcsupr: %s\n", show(_wcsupr(a)));
    printf("_wcsrev: %s\n", show(_wcsrev(a)));
    wcscpy(a, L"abcdef");
    printf("_wcsnset: %s\n", show(_wcsnset(a, L'*', 3)));

    /* ---- case and classification ---- */
    static const wint_t chars[] = {L'A', L'z', L'5', L' ', L'\t', L'!', 0xe9, 0xc9, 0xd7, 0x3b1, 0x391, 0x660, 0x3000, 0x7f, WEOF};
    for (unsigned i = 0; i < sizeof chars / sizeof chars[0]; i++) {
        wint_t c = chars[i];
        printf("%04x: lower %04x upper %04x alpha %d digit %d space %d upper %d lower %d alnum %d punct %d xdigit %d cntrl %d\n",
               c, towlower(c), towupper(c), iswalpha(c) != 0, iswdigit(c) != 0, iswspace(c) != 0,
               iswupper(c) != 0, iswlower(c) != 0, iswalnum(c) != 0, iswpunct(c) != 0, iswxdigit(c) != 0,
               iswcntrl(c) != 0);
    }
    printf("iswctype(A, _UPPER|_DIGIT): %#x\n", iswctype(L'A', 0x5));

    /* ---- numbers ---- */
    wchar_t *end;
    *_errno() = 0;
    long l = wcstol(L"  -123xyz", &end, 10);
    printf("wcstol: %ld rest %s errno %d\n", l, show(end), E());
    l = wcstol(L"0x1F", &end, 0);
    printf("wcstol base 0: %ld rest [%s]\n", l, show(end));
    l = wcstol(L"99999999999", &end, 10);
    printf("wcstol overflow: %ld errno %d\n", l, E());
    *_errno() = 0;
    unsigned long ul = wcstoul(L"4294967295", &end, 10);
    printf("wcstoul: %lu errno %d\n", ul, E());
    l = wcstol(L"\x661\x662", &end, 10);
    printf("wcstol of Arabic-Indic digits: %ld consumed %d\n", l, (int)(end - L"\x661\x662"));
    double d = wcstod(L" 2.5e3rest", &end);
    printf("wcstod: %g rest %s\n", d, show(end));
    printf("_wtoi: %d _wtol: %ld\n", _wtoi(L" 42abc"), _wtol(L"-7"));
    printf("_itow: %s %s _ltow: %s _ultow: %s\n", show(_itow(-255, a, 10)), show(_itow(255, b, 16)),
           show(_ltow(-1, a + 20, 16)), show(_ultow(4000000000u, b + 20, 10)));

    /* ---- multibyte conversions ---- */
    char mb[16];
    size_t n = mbstowcs(a, "ab\xe9", 10);
    printf("mbstowcs: %u %s\n", (unsigned)n, show(a));
    printf("mbstowcs(NULL): %u\n", (unsigned)mbstowcs(NULL, "abcd", 0));
    n = mbstowcs(a, "xyz", 2);
    printf("mbstowcs count 2: %u %c%c next %s\n", (unsigned)n, a[0], a[1], a[2] == 0 ? "NUL" : "kept");
    n = wcstombs(mb, L"hi\xe9", sizeof mb);
    printf("wcstombs: %u %02x %02x %02x %d\n", (unsigned)n, (unsigned char)mb[0], (unsigned char)mb[1],
           (unsigned char)mb[2], mb[3]);
    *_errno() = 0;
    n = wcstombs(mb, L"a\x3b1", sizeof mb);
    printf("wcstombs of U+03B1: %d errno %d\n", (int)n, E());
    printf("wcstombs(NULL): %d\n", (int)wcstombs(NULL, L"abc", 0));
    wchar_t wc[2] = {0, 0};
    int r = mbtowc(wc, "\xe9z", 2);
    int r0 = mbtowc(wc + 1, "", 1);
    printf("mbtowc: %d %04x mbtowc(NUL): %d mbtowc(NULL): %d\n", r, wc[0], r0, mbtowc(NULL, NULL, 0));
    r = wctomb(mb, 0xe9);
    printf("wctomb(e9): %d %02x\n", r, (unsigned char)mb[0]);
    *_errno() = 0;
    r = wctomb(mb, 0x3b1);
    printf("wctomb(3b1): %d errno %d\n", r, E());

    /* ---- formatting ---- */
    r = swprintf(a, L"[%s|%S|%c|%C|%5d|%-4x|%.2f|%hs|%ls]", L"wide", "narrow", L'W', 'n', 42, 255, 3.14159,
                 "h", L"l");
    printf("swprintf: %d %s\n", r, show(a));
    r = swprintf(a, L"%s", L"\x3b1\x3b2");
    printf("swprintf wide chars: %d %s\n", r, show(a));
    int count = 0;
    r = swprintf(a, L"abc%n%d", &count, 7);
    printf("swprintf %%n: %d count %d\n", r, count);
    for (int i = 0; i < 10; i++)
        b[i] = L'#';
    r = _snwprintf(b, 4, L"%d", 123456);
    printf("_snwprintf too long: %d %c%c%c%c%c\n", r, b[0], b[1], b[2], b[3], (char)b[4]);
    r = _snwprintf(b, 3, L"abc");
    printf("_snwprintf exact: %d next %c\n", r, (char)b[3]);
    r = _snwprintf(b, 10, L"ab");
    printf("_snwprintf short: %d %s\n", r, show(b));
    r = vsw(a, L"%d-%s", 5, L"v");
    printf("vswprintf: %d %s\n", r, show(a));
    r = wprintf(L"wprintf: %s %d\n", L"text", 9);
    printf("wprintf returned %d\n", r);
    r = vw(L"vwprintf: %S\n", "narrow");
    printf("vwprintf returned %d\n", r);
    *_errno() = 0;
    r = wprintf(L"ab\x3b1\n");
    printf("\nwprintf of U+03B1: %d errno %d\n", r, E());
    struct { int sec, min, hour, mday, mon, year, wday, yday, isdst; } tm = {5, 4, 3, 2, 0, 99, 6, 1, 0};
    n = wcsftime(a, 64, L"%Y-%m-%d %H:%M:%S %a %B", &tm);
    printf("wcsftime: %u %s\n", (unsigned)n, show(a));
    printf("wcsftime too small: %u\n", (unsigned)wcsftime(a, 5, L"%Y-%m-%d", &tm));

    /* ---- wide streams ---- */
    FILE *f = fopen("wide.txt", "w");
    wint_t w1 = fputwc(L'A', f);
    wint_t w2 = putwc(L'\n', f);
    printf("fputwc: %04x putwc: %04x\n", w1, w2);
    *_errno() = 0;
    wint_t w = fputwc(0x3b1, f);
    printf("fputwc(U+03B1) in text mode: %04x errno %d\n", w, E());
    r = fputws(L"line\xe9\n", f);
    printf("fputws: %d", r);
    r = fwprintf(f, L"%d %s\n", 12, L"x");
    printf(" fwprintf: %d\n", r);
    fclose(f);
    dump("wide.txt");
    f = fopen("wide.txt", "r");
    w = fgetwc(f);
    w1 = ungetwc(L'Z', f);
    w2 = getwc(f);
    printf("fgetwc: %04x ungetwc: %04x getwc: %04x\n", w, w1, w2);
    fgetwc(f);
    p = fgetws(a, 64, f);
    printf("fgetws: %s\n", show(p));
    p = fgetws(a, 3, f);
    printf("fgetws(3): %s\n", show(p));
    while (fgetwc(f) != WEOF)
        ;
    w = fgetwc(f);
    printf("fgetwc at the end: %04x", w);
    printf(" fgetws at the end: %s\n", show(fgetws(a, 64, f)));
    printf("ungetwc(WEOF): %04x\n", ungetwc(WEOF, f));
    fclose(f);
    f = fopen("wide.bin", "wb");
    fputwc(L'A', f);
    fputwc(0x3b1, f);
    fputws(L"\n", f);
    fwprintf(f, L"%s", L"z");
    fclose(f);
    dump("wide.bin");
    f = fopen("wide.bin", "rb");
    w1 = fgetwc(f);
    w2 = fgetwc(f);
    printf("binary fgetwc: %04x %04x\n", w1, w2);
    fclose(f);
    _unlink("wide.txt");
    _unlink("wide.bin");
    return 0;
}
