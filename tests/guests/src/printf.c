/* A C program linked with mingw-w64's normal start-up against msvcrt.dll (printf is
 * msvcrt's own: __USE_MINGW_ANSI_STDIO=0). Its output is tests/guests/expected/printf.expected.
 * The start-up runs __set_app_type, __getmainargs, _initterm (calling the program's
 * initializers), and exit runs the atexit functions. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double from_bits(unsigned long long bits)
{
    union { unsigned long long u; double d; } v;
    v.u = bits;
    return v.d;
}

static int compare_ints(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return x < y ? -1 : x > y;
}

static void on_signal(int sig)
{
    printf("handler: signal %d\n", sig);
}

static void goodbye(void)
{
    printf("atexit: goodbye\n");
}

static void vformat(const char *fmt, ...)
{
    char buf[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsprintf(buf, fmt, ap);
    va_end(ap);
    printf("vsprintf: [%s] %d\n", buf, n);
}

int main(int argc, char **argv)
{
    atexit(goodbye);
    printf("argc=%d argv0=%s argv1=%s argv2=%s\n", argc, argv[0], argc > 1 ? argv[1] : "-",
           argc > 2 ? argv[2] : "-");

    /* integers */
    printf("d: [%d] [%i] [%u] [%5d] [%-5d] [%05d]\n", -42, 42, 3000000000u, 42, 42, -42);
    printf("flags: [% d] [%+d] [%+.3d] [%.0d] [%05.3d]\n", 7, 7, 7, 0, 7);
    printf("hex: [%x] [%X] [%#x] [%#X] [%#o] [%08x] [%#010x]\n", 255, 255, 255, 255, 8, 0xbeef, 0xbeef);
    printf("sizes: [%hd] [%hu] [%ld] [%I64d] [%I64u] [%lld] [%I64x]\n", 70000, -1, -5L,
           -1234567890123LL, 18446744073709551615ULL, 1099511627776LL, 0xabc00000001LL);
    printf("star: [%*d] [%-*d] [%.*d] [%*.*f]\n", 6, 1, 4, 2, 3, 5, 10, 3, 2.0 / 3.0);
    printf("p: [%p] [%#p]\n", (void *)0x12FF40, (void *)0x12FF40);

    /* characters and strings */
    printf("c: [%c] [%3c] [%-3c] [%%]\n", 'A', 'B', 'C');
    printf("s: [%s] [%-5s|] [%5.2s] [%.1s] [%s]\n", "abc", "ab", "xyz", "qq", (char *)0);

    /* %n */
    int count = 0;
    printf("n: abc%n", &count);
    printf(" -> %d\n", count);

    /* floating point */
    printf("f: [%f] [%f] [%.2f] [%8.3f] [%-8.2f|] [%08.2f]\n", 1.5, -0.25, 3.14159, 3.14159, 2.5, -2.5);
    printf("round: [%.0f] [%.0f] [%.0f] [%.0f] [%.2f] [%.1f]\n", 0.5, 1.5, 2.5, -0.5, 2.675, 0.96);
    printf("big: [%f] [%.20f]\n", 1e20, 0.1);
    printf("e: [%e] [%E] [%.2e] [%.0e] [%e]\n", 1.0, -12345.678, 0.000123, 5.5, 0.0);
    printf("g: [%g] [%g] [%g] [%g] [%G] [%.3g] [%#g]\n", 100000.0, 1e6, 0.0001, 0.00001, 1e-10, 3.14159, 1.0);
    printf("inf: [%f] [%f] [%e] [%g]\n", from_bits(0x7FF0000000000000ULL),
           from_bits(0xFFF0000000000000ULL), from_bits(0x7FF0000000000000ULL),
           from_bits(0x7FF0000000000000ULL));
    printf("nan: [%f] [%f]\n", from_bits(0xFFF8000000000000ULL), from_bits(0x7FF8000000000000ULL));

    /* sprintf family */
    char buf[32];
    int n = sprintf(buf, "%d-%s", 12, "ab");
    printf("sprintf: [%s] %d\n", buf, n);
    memset(buf, '*', sizeof buf);
    n = _snprintf(buf, 4, "%s", "abcdef");
    printf("_snprintf: %d [%.6s]\n", n, buf);
    n = _snprintf(buf, 8, "%s", "abc");
    printf("_snprintf: %d [%s]\n", n, buf);
    vformat("%s=%d", "x", 5);
    fprintf(stderr, "to stderr\n");

    /* scanf */
    int a = 0, b = 0;
    char word[16] = "", rest[16] = "";
    double d = 0;
    n = sscanf("12 0x1f hello 2.5 tail", "%d %i %15s %lf %[a-z]", &a, &b, word, &d, rest);
    printf("sscanf: %d %d %d %s %g %s\n", n, a, b, word, d, rest);
    printf("sscanf empty: %d\n", sscanf("", "%d", &a));

    /* stdlib */
    int values[] = {5, -3, 9, 0, 7, 1};
    qsort(values, 6, sizeof values[0], compare_ints);
    printf("qsort: %d %d %d %d %d %d\n", values[0], values[1], values[2], values[3], values[4], values[5]);
    int key = 7;
    int *found = bsearch(&key, values, 6, sizeof values[0], compare_ints);
    printf("bsearch: index %d\n", found ? (int)(found - values) : -1);
    char *end;
    long l = strtol("  -0x1Fz", &end, 16);
    printf("strtol: %ld rest=%s atoi=%d\n", l, end, atoi("  77abc"));
    srand(1);
    int r1 = rand(), r2 = rand(), r3 = rand();
    printf("rand: %d %d %d\n", r1, r2, r3);
    char *p = malloc(100);
    strcpy(p, "heap");
    strcat(p, " ok");
    p = realloc(p, 1000);
    printf("malloc: %s %u\n", p, (unsigned)strlen(p));
    free(p);

    /* math */
    volatile double two = 2.0, minus = -1.0, x = 7.5;
    printf("math: %.6f %g %g %g %.6f\n", sqrt(two), pow(two, 10.0), floor(-x / 5), fmod(x, two),
           atan2(1.0, minus));
    errno = 0;
    double bad = sqrt(minus);
    printf("sqrt(-1): %f errno %d\n", bad, errno);

    /* signals */
    signal(SIGINT, on_signal);
    int raised = raise(SIGINT);
    printf("raise: %d, handler now %s\n", raised, signal(SIGINT, SIG_DFL) == SIG_DFL ? "SIG_DFL" : "set");

    /* time */
    time_t t = 951827696; /* 2000-02-29 12:34:56 UTC */
    struct tm *tm = gmtime(&t);
    char when[64];
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %A %j", tm);
    printf("time: %s wday=%d yday=%d\n", when, tm->tm_wday, tm->tm_yday);
    return 3;
}
