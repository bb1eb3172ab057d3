/* string.h, ctype.h, stdlib.h, time.h, the compiler helpers and threads of msvcrt.dll,
 * called for real: built with -fno-builtin so that none is inlined (mingw-w64 start-up
 * against msvcrt.dll). Output in tests/guests/expected/crtlib.expected. */
#include <windows.h>
#include <ctype.h>
#include <process.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


/* The compiler helpers MSVC-built programs import: operands and results on the x87 stack. */
static long long ftol(double v)
{
    long long r;
    __asm__ volatile("fldl %1\n\tcall *__imp___ftol" : "=A"(r) : "m"(v) : "ecx", "memory");
    return r;
}

static double cipow(double x, double y)
{
    double r;
    __asm__ volatile("fldl %1\n\tfldl %2\n\tcall *__imp___CIpow\n\tfstpl %0"
                     : "=m"(r)
                     : "m"(x), "m"(y)
                     : "eax", "ecx", "edx", "memory");
    return r;
}

static volatile int thread_ran;

static unsigned __stdcall worker(void *arg)
{
    thread_ran = *(int *)arg;
    _endthreadex(7);
    return 0;
}

int main(void)
{
    char buf[64], buf2[64];

    /* string.h */
    strcpy(buf, "Hello");
    strcat(buf, ", World");
    printf("strcpy/strcat: [%s] strlen %u\n", buf, (unsigned)strlen(buf));
    memset(buf2, 'z', sizeof buf2);
    strncpy(buf2, "ab", 5);
    printf("strncpy: %d %d %d %d %c\n", buf2[0], buf2[2], buf2[3], buf2[4], buf2[5]);
    strncat(buf2, "cdef", 2);
    printf("strncat: [%s]\n", buf2);
    printf("strcmp: %d %d %d strncmp: %d _stricmp: %d _strnicmp: %d\n", strcmp("abc", "abd"),
           strcmp("b", "a"), strcmp("x", "x"), strncmp("abcX", "abcY", 3), _stricmp("HeLLo", "hello"),
           _strnicmp("ABCd", "abce", 3));
    const char *s = "one,two;three";
    printf("strchr: %s strrchr: %s strstr: %s strpbrk: %s\n", strchr(s, ','), strrchr(s, 't'),
           strstr(s, "two"), strpbrk(s, ";"));
    printf("strspn: %u strcspn: %u strchr NUL: %d\n", (unsigned)strspn("aabbc", "ab"),
           (unsigned)strcspn(s, ";"), strchr(s, 0) == s + strlen(s));
    strcpy(buf, "a b,,c");
    char *tok = strtok(buf, " ,");
    while (tok) {
        printf("strtok: [%s]\n", tok);
        tok = strtok(NULL, " ,");
    }
    strcpy(buf, "MiXeD");
    printf("_strupr: %s", _strupr(buf));
    printf(" _strlwr: %s", _strlwr(buf));
    printf(" _strrev: %s\n", _strrev(buf));
    memcpy(buf, "0123456789", 11);
    memmove(buf + 2, buf, 5);
    printf("memmove: %s memcmp: %d %d memchr: %s\n", buf, memcmp("abc", "abd", 3),
           memcmp("abc", "abd", 2), (char *)memchr("hello", 'l', 5));
    {
        /* Copies over several pages, overlapping both ways; fills; unsigned compares;
         * strncpy's padding; strcat onto a string. */
        static char big[10000];
        char pad[8];
        unsigned sum = 0;
        int i;
        for (i = 0; i < 10000; i++) big[i] = (char)(i * 7);
        memmove(big + 1, big + 3, 9000);
        memmove(big + 5000, big + 4000, 4000);
        memcpy(big + 9500, big + 100, 400);
        for (i = 0; i < 10000; i++) sum = sum * 31 + (unsigned char)big[i];
        memset(big + 10, 0xC3, 6000);
        printf("memmove big: %08x memset: %02x %02x %02x memcmp high: %d %d\n", sum,
               (unsigned char)big[9], (unsigned char)big[10], (unsigned char)big[6009],
               memcmp("\x80", "\x01", 1) > 0, memcmp(big + 10, big + 11, 5999));
        memset(pad, 'x', sizeof pad);
        strncpy(pad, "ab", 6);
        printf("strncpy pad: %d %d %c strlen big: %u\n", pad[2], pad[5], pad[6],
               (unsigned)strlen(big + 10));
        big[6010] = 0;
        strcpy(big + 6011, "tail");
        strcat(big + 6011, "-end");
        printf("strcat: %s %u\n", big + 6011, (unsigned)strlen(big + 6011));
    }
    char *dup = _strdup("copy");
    printf("_strdup: %s strerror: %s\n", dup, strerror(ENOENT));
    free(dup);

    /* ctype.h */
    printf("ctype:");
    const char probe[] = {'a', 'Z', '5', ' ', '\t', '!', 'g', 0x7f};
    for (unsigned i = 0; i < sizeof probe; i++)
        printf(" %02x:%d%d%d%d%d%d%d%d", probe[i], isalpha(probe[i]) != 0, isdigit(probe[i]) != 0,
               isspace(probe[i]) != 0, isupper(probe[i]) != 0, ispunct(probe[i]) != 0,
               isxdigit(probe[i]) != 0, isprint(probe[i]) != 0, iscntrl(probe[i]) != 0);
    printf("\ntoupper: %c %c tolower: %c %c\n", toupper('q'), toupper('1'), tolower('Q'), tolower('@'));

    /* stdlib.h */
    char *end;
    errno = 0;
    long big = strtol("99999999999", &end, 10);
    int e1 = errno;
    errno = 0;
    unsigned long ul = strtoul("-1", &end, 10);
    printf("strtol: %ld errno %d strtoul: %lu strtol base 36: %ld base 0: %ld\n", big, e1, ul,
           strtol("zz", NULL, 36), strtol("010", NULL, 0));
    /* (mingw-w64 links its own strtod; atof is msvcrt's) */
    printf("atof: %g %g atol: %ld\n", atof("3.25"), atof("  -12.5e-1xyz"), atol("-77"));
    printf("abs: %d labs: %ld\n", abs(-5), labs(-6L));
    div_t q = div(17, 5);
    ldiv_t lq = ldiv(-17L, 5L);
    printf("div: %d %d ldiv: %ld %ld\n", q.quot, q.rem, lq.quot, lq.rem);
    printf("_itoa: %s", _itoa(-255, buf, 10));
    printf(" %s", _itoa(255, buf, 16));
    printf(" _ultoa: %s", _ultoa(4294967295UL, buf, 2));
    printf(" _ltoa: %s\n", _ltoa(-8, buf, 8));
    printf("getenv: %s\n", getenv("NTEMU_NO_SUCH_VARIABLE") ? "set" : "NULL");
    int put = _putenv("NTEMU_CRT=yes");
    char from_kernel32[16] = "";
    unsigned long got = GetEnvironmentVariableA("NTEMU_CRT", from_kernel32, sizeof from_kernel32);
    printf("_putenv: %d getenv: %s kernel32: %lu %s\n", put, getenv("ntemu_crt"), got, from_kernel32);
    put = _putenv("NTEMU_CRT=");
    printf("_putenv: %d getenv: %s bad: %d\n", put, getenv("NTEMU_CRT") ? "set" : "NULL",
           _putenv("novalue"));
    srand(12345);
    printf("rand:");
    for (int i = 0; i < 4; i++)
        printf(" %d", rand());
    printf("\n");

    /* compiler helpers */
    printf("_ftol: %lld %lld %lld _CIpow: %g %g\n", ftol(2.9), ftol(-2.9), ftol(1e10),
           cipow(2.0, 0.5), cipow(3.0, 4.0));

    /* threads */
    int token = 42;
    unsigned id = 0;
    HANDLE h = (HANDLE)_beginthreadex(NULL, 0, worker, &token, 0, &id);
    DWORD wait = WaitForSingleObject(h, INFINITE);
    DWORD code = 0;
    GetExitCodeThread(h, &code);
    printf("_beginthreadex: wait %lu id set %d ran %d code %lu\n", wait, id != 0, thread_ran, code);
    CloseHandle(h);

    /* time.h */
    struct tm t = {0};
    t.tm_year = 99;
    t.tm_mon = 11;
    t.tm_mday = 31;
    t.tm_hour = 23;
    t.tm_min = 59;
    t.tm_sec = 60; /* normalized into the next year */
    time_t when = mktime(&t);
    printf("mktime: %ld -> %04d-%02d-%02d %02d:%02d:%02d wday %d yday %d\n", (long)when,
           t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, t.tm_wday,
           t.tm_yday);
    printf("asctime: %s", asctime(&t));
    time_t epoch = 0;
    printf("ctime(0): %s", ctime(&epoch));
    char text[80];
    size_t n = strftime(text, sizeof text, "%a %b %d %y %I:%M %p %% %j", &t);
    printf("strftime: %u [%s] too small: %u\n", (unsigned)n, text,
           (unsigned)strftime(text, 5, "%Y-%m-%d", &t));
    return 0;
}
