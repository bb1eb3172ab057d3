/* The CPU-bound workloads of `ntemu bench` (work.h) as a freestanding Linux program, built
 * for i386 (run under qemu-i386), Alpha (qemu-alpha) and x86-64 (the host, natively) by
 * benches/guests/build.sh. No C library: `linux-ARCH.elf WORKLOAD SIZE` does the work, timed
 * with clock_gettime(CLOCK_MONOTONIC), prints `result=0xXXXXXXXX ns=N` and exits 0 (2 for an
 * unknown workload). */
#include "work.h"

#if defined(__i386__)
#define SYS_WRITE 4
#define SYS_EXIT 1
#define SYS_CLOCK_GETTIME 265
static long sys3(long nr, long a, long b, long c)
{
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return r;
}
__asm__(".globl _start\n_start:\n\tmovl %esp, %eax\n\tandl $-16, %esp\n\tsubl $12, %esp\n\tpushl %eax\n\tcall cmain\n");
#elif defined(__x86_64__)
#define SYS_WRITE 1
#define SYS_EXIT 60
#define SYS_CLOCK_GETTIME 228
static long sys3(long nr, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}
__asm__(".globl _start\n_start:\n\tmovq %rsp, %rdi\n\tandq $-16, %rsp\n\tcall cmain\n");
#elif defined(__alpha__)
#define SYS_WRITE 4
#define SYS_EXIT 1
#define SYS_CLOCK_GETTIME 420
static long sys3(long nr, long a, long b, long c)
{
    register long v0 __asm__("$0") = nr;
    register long a0 __asm__("$16") = a;
    register long a1 __asm__("$17") = b;
    register long a2 __asm__("$18") = c;
    register long a3 __asm__("$19");
    __asm__ volatile("callsys"
                     : "+r"(v0), "+r"(a0), "+r"(a1), "+r"(a2), "=r"(a3)
                     :
                     : "$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$20", "$21", "$22",
                       "$23", "$24", "$25", "$27", "$28", "memory");
    return a3 ? -v0 : v0;
}
__asm__(".globl _start\n.ent _start\n_start:\n\tbr $29, 1f\n1:\tldgp $29, 0($29)\n\tmov $30, $16\n\tlda $30, -16($30)\n\tjsr $26, cmain\n.end _start\n");
#else
#error "no system call glue for this CPU"
#endif

struct ts { long sec; long nsec; };

static void out(const char *s)
{
    long n = 0;
    while (s[n]) n++;
    sys3(SYS_WRITE, 1, (long)s, n);
}

static void out_u(unsigned long long v, int hex)
{
    char buf[24];
    int i = 23;
    buf[i] = 0;
    do {
        buf[--i] = "0123456789abcdef"[hex ? v % 16 : v % 10];
        v = hex ? v / 16 : v / 10;
    } while (v && i > 0);
    out(buf + i);
}

static unsigned long long now_ns(void)
{
    struct ts t;
    sys3(SYS_CLOCK_GETTIME, 1, (long)&t, 0);
    return (unsigned long long)t.sec * 1000000000ull + (unsigned long long)t.nsec;
}

void cmain(long *sp)
{
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    unsigned int n = 0, result = 0;
    unsigned long long t0, t1;
    const char *s;
    int ok;
    if (argc < 3) {
        out("usage: WORKLOAD SIZE\n");
        sys3(SYS_EXIT, 2, 0, 0);
    }
    for (s = argv[2]; *s >= '0' && *s <= '9'; s++) n = n * 10 + (unsigned int)(*s - '0');
    t0 = now_ns();
    ok = work_run(argv[1], n, &result);
    t1 = now_ns();
    if (!ok) {
        out("unknown workload\n");
        sys3(SYS_EXIT, 2, 0, 0);
    }
    out("result=0x");
    out_u(result, 1);
    out(" ns=");
    out_u(t1 - t0, 0);
    out("\n");
    sys3(SYS_EXIT, 0, 0, 0);
    for (;;) {
    }
}
