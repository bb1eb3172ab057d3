/* wbench.exe for NT on Alpha: the CPU-bound workloads of work.h (compute, copy, fib) with
 * the x86 wbench.exe's command line and output line:
 *   wbench.exe WORKLOAD SIZE  ->  result=0xXXXXXXXX ticks=T freq=F failures=0
 * Compiled by alpha-linux-gnu-gcc to assembly, which benches/guests/build.sh rewrites for
 * NT's conventions (no GOT: addresses as !gprelhigh/!gprellow pairs, KERNEL32 calls through
 * the import address table, no ldgp) before GNU as and tools/alpha-pe make the image. The
 * Windows types are declared here, NT's Alpha calling standard being the same as gcc's. */
#include "work.h"

extern char *GetCommandLineA(void);
extern long GetStdHandle(unsigned int which);
extern int WriteFile(long h, const void *buf, unsigned int n, unsigned int *written, void *ov);
extern int QueryPerformanceCounter(long long *count);
extern int QueryPerformanceFrequency(long long *freq);
extern void ExitProcess(unsigned int code);

static void put(const char *s, unsigned int n)
{
    unsigned int written;
    WriteFile(GetStdHandle(0xfffffff5u), s, n, &written, 0);
}

static void put_u(unsigned long long v, int hex)
{
    char buf[24];
    int i = 23;
    do {
        unsigned int d = (unsigned int)(hex ? v & 15 : v % 10);
        buf[--i] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v = hex ? v >> 4 : v / 10;
    } while (v && i > 0);
    put(buf + i, (unsigned int)(23 - i));
}

static const char *skip_word(const char *s)
{
    if (*s == '"') {
        s++;
        while (*s && *s != '"') s++;
        if (*s) s++;
    } else {
        while (*s && *s != ' ') s++;
    }
    while (*s == ' ') s++;
    return s;
}

void start(void)
{
    const char *line = skip_word(GetCommandLineA());
    const char *p = skip_word(line);
    char name[16];
    unsigned int n = 0, result = 0, i;
    long long t0, t1, freq;
    int ok;
    for (i = 0; i < sizeof name - 1 && line[i] && line[i] != ' '; i++) name[i] = line[i];
    name[i] = 0;
    while (*p >= '0' && *p <= '9') n = n * 10 + (unsigned int)(*p++ - '0');
    QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t0);
    ok = work_run(name, n, &result);
    QueryPerformanceCounter(&t1);
    if (!ok) {
        put("unknown workload\n", 17);
        ExitProcess(2);
    }
    put("result=0x", 9);
    for (i = 0; i < 8; i++) put_u((result >> (28 - 4 * i)) & 15, 1);
    put(" ticks=", 7);
    put_u((unsigned long long)(t1 - t0), 0);
    put(" freq=", 6);
    put_u((unsigned long long)freq, 0);
    put(" failures=0\n", 12);
    ExitProcess(0);
}
