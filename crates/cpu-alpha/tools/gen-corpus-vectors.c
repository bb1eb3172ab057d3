/*
 * Differential-test generator for cpu-alpha on instruction sequences taken from real
 * Alpha programs. Build as an Alpha Linux ELF (see gen-corpus-vectors.sh) and run it under
 * the oracle, qemu-alpha (user mode), with the output of corpus-sequences.py on stdin.
 * Each sequence runs from NSTATES initial states; the final registers, FPCR and the bytes
 * the sequence changed in the data window are written to stdout.
 *
 * Machine: the sequence is at CODE (0x20000000), in a 64 KiB code page where every other
 * word is CALL_PAL bpt. A prologue at PROLOGUE (CODE + 0x300000) loads every register from
 * a frame (FPCR first, then f0-f30, then r0-r30 with a0 last: a0 points at the frame) and
 * branches to the sequence. The sequence falls through into the bpt after it, or its final
 * branch or jump goes to another bpt of the page or to unmapped memory; the SIGTRAP (or
 * SIGSEGV, or any other signal the sequence raises) is caught on an alternate stack, where
 * the handler copies the registers and the PC from the signal context. So the sequence may
 * use every register, sp and gp included.
 * The data window is at DATA (0x10000000, DATA_SIZE bytes), filled before every run with
 * byte[i] = (i * 0x9E + 0x3B) & 0xFF.
 *
 * Initial state: registers the sequence does not read hold fixed background values
 * (printed in the header, the same for every run); those it reads before writing get
 * random values: integers from an edge-heavy distribution, floating registers T or S
 * values or integers, and input registers the sequence uses as load/store bases point
 * into the data window, 8-byte aligned, so that every access lands inside it. The FPCR is
 * random (rounding mode, status, UNDZ, DNZ; every trap-disable bit set) when the sequence
 * has a floating-point operate instruction, else 0x0800000000000000 (dynamic rounding
 * normal). An input register a final jump goes through points at a bpt of the code page
 * half the time (low two bits random), else at unmapped or non-executable memory.
 *
 * Output after the text header (written by gen-corpus-vectors.sh) and the line "data\n":
 * per sequence, little-endian:
 *   u8  image            index into the header's "image" lines
 *   u8  ninst
 *   u32 insts[ninst]
 *   u8  nstates
 *   per state:
 *     u8  status         0 = reached the bpt after the sequence; 1 = SIGFPE; 2 = SIGILL;
 *                        3 = SIGSEGV; 4 = SIGBUS; 5 = SIGTRAP at another bpt
 *     value pc           when status != 0: the PC in the signal context
 *     u8  nin, then nin x (u8 reg, value)    inputs that differ from the background
 *     u8  nout, then nout x (u8 reg, value)  final values that differ from the input
 *     u8  nruns, then nruns x (u16 offset, u8 len, u8 bytes[len])
 *                        the data window's bytes that differ from the fill pattern
 *   A reg is 0-30 for r0-r30, 32-62 for f0-f30 and 63 for the FPCR. A value is a tag
 *   byte then n = tag & 15 bytes (n <= 8): tag bit 4 clear: the n bytes are the low bytes
 *   of the value, sign-extended; set: they are the high bytes, the low bytes being zero.
 * When status != 0 the final values are those in the signal context.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <asm/sigcontext.h>

#define CODE 0x20000000UL
#define PROLOGUE (CODE + 0x300000UL)
#define BPT 0x00000080u
#define DATA 0x10000000UL
#define DATA_SIZE 0x4000
#define MARGIN 0x40
#define NSTATES 16
#define FPCR_DEFAULT 0x0800000000000000ULL

typedef uint64_t u64;
typedef uint32_t u32;

/* The frame the prologue loads: r0-r31, f0-f31, fpcr. */
struct frame {
    u64 r[32], f[32], fpcr;
};

static u64 rng = 0x243F6A8885A308D3ULL;
static u64 rnd(void) {
    rng += 0x9E3779B97F4A7C15ULL;
    u64 z = rng;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static unsigned rn(unsigned n) { return (unsigned)(rnd() % n); }

static u32 MEM(u32 op, u32 ra, u32 rb, int d) { return op << 26 | ra << 21 | rb << 16 | ((u32)d & 0xffff); }

/* Operand distributions (as gen-vectors.c, without host floating point). */
static u64 ival(void) {
    static const u64 edge[] = {0, 1, 0x7fffffffULL, 0xffffffff80000000ULL, 0xffffffffULL,
        0x80000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL, 0x100000000ULL,
        0xffffffff7fffffffULL, 0x00000000ffff0000ULL, 0xff, 0xff00, 0x8000, 0x80, 63, 64,
        0xffff, 0x10000, 0xffffffffffff8000ULL, 0x7fff};
    switch (rn(11)) {
    case 0: return rn(17);
    case 1: return -(u64)rn(17);
    case 2: return 1ULL << rn(64);
    case 3: return (u64)(int64_t)(int32_t)rnd();
    case 4: return edge[rn(sizeof edge / sizeof edge[0])];
    case 5: { u64 v = 0, r = rnd(); for (int i = 0; i < 8; i++) if (r >> i & 1) v |= 0xffULL << (8 * i); return v; }
    case 6: return rnd() >> rn(64);
    case 7: return (u64)(int64_t)(int32_t)(rnd() >> rn(32));
    default: return rnd();
    }
}
static u64 tval(void) {
    static const u64 edge[] = {0, 0x8000000000000000ULL, 0x7ff0000000000000ULL, 0xfff0000000000000ULL,
        0x7ff8000000000000ULL, 0xfff8000000000000ULL, 0x7ff4000000000000ULL, 0x7ff0000000000001ULL,
        0x7fefffffffffffffULL, 0xffefffffffffffffULL, 0x0010000000000000ULL, 0x8010000000000000ULL,
        0x3ff0000000000000ULL, 0xbff0000000000000ULL, 0x4000000000000000ULL, 0x3fe0000000000000ULL,
        0x43e0000000000000ULL, 0xc3e0000000000000ULL, 0x41dfffffffc00000ULL, 0x3ff8000000000000ULL,
        0x000fffffffffffffULL, 0x0000000000000001ULL, 0x4330000000000000ULL, 0x4059000000000000ULL};
    switch (rn(10)) {
    case 0: case 1: return edge[rn(sizeof edge / sizeof edge[0])];
    case 2: /* small integers and simple fractions: exponent near 0, few mantissa bits */
        return (rnd() & 0x800ff00000000000ULL) | (u64)(1023 - 4 + rn(40)) << 52;
    case 3: return (rnd() & 0x800fffffffffffffULL) | (u64)(1023 - 70 + rn(140)) << 52;
    case 4: return (rnd() & 0x800fffffffffffffULL) | (u64)rn(0x7ff) << 52;
    case 5: return (rnd() & 0x800fffffffffffffULL) | (u64)(rn(2) ? rn(60) : 0x7ff - 1 - rn(60)) << 52;
    default: return (rnd() & 0x800fffffffffffffULL) | (u64)(1023 - 30 + rn(60)) << 52;
    }
}
static u64 s_to_reg(u32 s) {
    u64 sign = (u64)(s >> 31) << 63, frac = (u64)(s & 0x7fffff) << 29;
    u32 e = s >> 23 & 0xff;
    u64 ee = e == 0xff ? 0x7ff : e == 0 ? 0 : (u64)e + 896;
    return sign | ee << 52 | frac;
}
static u64 sval(void) {
    static const u32 edge[] = {0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00000,
        0x7f7fffff, 0x00800000, 0x3f800000, 0xbf800000, 0x5f000000, 0x4f000000, 0x00000001, 0x007fffff};
    u32 s;
    switch (rn(8)) {
    case 0: case 1: s = edge[rn(sizeof edge / sizeof edge[0])]; break;
    case 2: s = ((u32)rnd() & 0x807f0000) | (u32)(127 - 4 + rn(30)) << 23; break;
    case 3: s = ((u32)rnd() & 0x807fffff) | (u32)(rn(2) ? rn(30) : 0xfe - rn(30)) << 23; break;
    case 4: s = ((u32)rnd() & 0x807fffff) | (u32)rn(0xff) << 23; break;
    default: s = ((u32)rnd() & 0x807fffff) | (u32)(127 - 12 + rn(24)) << 23; break;
    }
    return s_to_reg(s);
}
static u64 fval(void) {
    switch (rn(10)) {
    case 0: case 1: case 2: case 3: return tval();
    case 4: case 5: case 6: return sval();
    default: return ival();
    }
}
static u64 fpcr_val(void) {
    /* all trap-disable bits set (INED UNFD OVFD DZED INVD) so that no exception traps */
    u64 v = 1ULL << 62 | 1ULL << 61 | 1ULL << 51 | 1ULL << 50 | 1ULL << 49;
    v |= (u64)rn(4) << 58;
    if (rn(8) == 0) v |= 1ULL << 60; /* UNDZ */
    if (rn(8) == 0) v |= 1ULL << 48; /* DNZ */
    if (rn(4) == 0) v |= (rnd() & 0x3fULL) << 52; /* status */
    return v;
}

static sigjmp_buf env;
static volatile int sig_status;
static volatile u64 sig_pc, sig_r[32], sig_f[32], sig_fpcr;
static void handler(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    struct sigcontext *sc = (struct sigcontext *)&uc->uc_mcontext;
    (void)si;
    sig_status = sig == SIGFPE ? 1 : sig == SIGILL ? 2 : sig == SIGSEGV ? 3 : sig == SIGBUS ? 4 : 5;
    sig_pc = sc->sc_pc;
    for (int i = 0; i < 32; i++) { sig_r[i] = sc->sc_regs[i]; sig_f[i] = sc->sc_fpregs[i]; }
    sig_fpcr = sc->sc_fpcr;
    siglongjmp(env, 1);
}

static unsigned char *out;
static size_t outlen, outcap;
static void put(const void *p, size_t n) {
    if (outlen + n > outcap) {
        outcap = 2 * (outcap + n);
        out = realloc(out, outcap);
        if (!out) { fprintf(stderr, "out of memory\n"); exit(1); }
    }
    memcpy(out + outlen, p, n);
    outlen += n;
}
static void put8(unsigned v) { unsigned char b = (unsigned char)v; put(&b, 1); }
static void put_value(u64 v) {
    int lo = 0, hi = 0;
    while (lo < 8 && (lo == 0 ? v != 0 : (u64)((int64_t)(v << (64 - 8 * lo)) >> (64 - 8 * lo)) != v)) lo++;
    while (hi < 8 && (hi == 0 ? v != 0 : (v & ((1ULL << (64 - 8 * hi)) - 1)) != 0)) hi++;
    unsigned char tag = hi < lo ? (unsigned char)(0x10 | hi) : (unsigned char)lo;
    int n = tag & 15;
    put(&tag, 1);
    for (int i = 0; i < n; i++) {
        unsigned char b = (unsigned char)(tag & 0x10 ? v >> (64 - 8 * n + 8 * i) : v >> (8 * i));
        put(&b, 1);
    }
}
/* Registers as 64 slots: 0-31 r, 32-63 f, slot 63 (f31) stands for the FPCR. */
static u64 slot(const struct frame *fr, int i) { return i == 63 ? fr->fpcr : i < 32 ? fr->r[i] : fr->f[i - 32]; }
static void put_regs(const struct frame *base, const struct frame *fr) {
    int n = 0;
    for (int i = 0; i < 64; i++) if ((i & 31) != 31 || i == 63) n += slot(fr, i) != slot(base, i);
    put8((unsigned)n);
    for (int i = 0; i < 64; i++)
        if (((i & 31) != 31 || i == 63) && slot(fr, i) != slot(base, i)) { put8((unsigned)i); put_value(slot(fr, i)); }
}

int main(int argc, char **argv) {
    /* An optional argument changes the seed (for campaigns beyond the committed data). */
    if (argc > 1) rng ^= strtoull(argv[1], 0, 0);
    static char altstack[65536];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    sigaltstack(&ss, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    int sigs[] = {SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGTRAP};
    for (int i = 0; i < 5; i++) sigaction(sigs[i], &sa, 0);
    u32 *code = mmap((void *)CODE, 65536, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    u32 *pro = mmap((void *)PROLOGUE, 65536, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    unsigned char *data = mmap((void *)DATA, DATA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (code != (u32 *)CODE || pro != (u32 *)PROLOGUE || data != (unsigned char *)DATA) { fprintf(stderr, "mmap failed\n"); return 1; }
    for (int i = 0; i < 65536 / 4; i++) code[i] = BPT;
    static unsigned char pattern[DATA_SIZE];
    for (int i = 0; i < DATA_SIZE; i++) pattern[i] = (unsigned char)(i * 0x9E + 0x3B);

    /* The prologue: a0 = frame. */
    int np = 0;
    u32 prologue[80];
    prologue[np++] = MEM(0x23, 0, 16, (int)offsetof(struct frame, fpcr)); /* ldt f0,fpcr(a0) */
    prologue[np++] = 0x63ff0400;                                          /* excb */
    prologue[np++] = 0x5c000480;                                          /* mt_fpcr f0 */
    prologue[np++] = 0x63ff0400;                                          /* excb */
    for (int i = 0; i < 31; i++) prologue[np++] = MEM(0x23, (u32)i, 16, (int)offsetof(struct frame, f[i]));
    for (int i = 0; i < 31; i++) if (i != 16) prologue[np++] = MEM(0x29, (u32)i, 16, (int)offsetof(struct frame, r[i]));
    prologue[np++] = MEM(0x29, 16, 16, (int)offsetof(struct frame, r[16]));
    /* br zero,CODE */
    long disp = ((long)CODE - (long)(PROLOGUE + 4 * (unsigned long)np + 4)) / 4;
    prologue[np] = 0x30u << 26 | 31u << 21 | ((u32)disp & 0x1fffff);
    np++;
    memcpy(pro, prologue, 4 * np);
    __builtin___clear_cache((char *)pro, (char *)(pro + np));

    /* Background values of registers a sequence does not read. */
    struct frame bg;
    memset(&bg, 0, sizeof bg);
    for (int i = 0; i < 31; i++) { bg.r[i] = rnd(); bg.f[i] = rnd(); }
    bg.fpcr = FPCR_DEFAULT;
    printf("background");
    for (int i = 0; i < 31; i++) printf(" %016llx", (unsigned long long)bg.r[i]);
    for (int i = 0; i < 31; i++) printf(" %016llx", (unsigned long long)bg.f[i]);
    printf(" %016llx\n", (unsigned long long)bg.fpcr);

    char line[8192];
    long sequences = 0, runs = 0, counts[6] = {0};
    while (fgets(line, sizeof line, stdin)) {
        if (line[0] == 'I') {
            int index;
            char name[4096];
            if (sscanf(line, "I %d %4095s", &index, name) == 2) printf("image %d %s\n", index, name);
            continue;
        }
        if (line[0] != 'S') continue;
        char *p = line + 1;
        int image, n, used;
        if (sscanf(p, "%d %d%n", &image, &n, &used) != 2 || n < 1 || n > 16) { fprintf(stderr, "bad line\n"); return 1; }
        p += used;
        u32 insts[16];
        for (int i = 0; i < n; i++) { unsigned w; sscanf(p, "%x%n", &w, &used); p += used; insts[i] = w; }
        unsigned long ilive, flive;
        int fpcr_used, jump, nbases;
        sscanf(p, "%lx %lx %d %d %d%n", &ilive, &flive, &fpcr_used, &jump, &nbases, &used);
        p += used;
        int base_reg[32], base_lo[32], base_hi[32];
        for (int b = 0; b < nbases; b++) { sscanf(p, "%d %d %d%n", &base_reg[b], &base_lo[b], &base_hi[b], &used); p += used; }

        for (int i = 0; i < 16; i++) code[i] = BPT;
        memcpy(code, insts, 4 * n);
        __builtin___clear_cache((char *)code, (char *)(code + 16));

        put8((unsigned)image);
        put8((unsigned)n);
        put(insts, 4 * n);
        put8(NSTATES);
        for (int s = 0; s < NSTATES; s++) {
            struct frame in = bg;
            for (int i = 0; i < 31; i++) {
                if (ilive >> i & 1) in.r[i] = ival();
                if (flive >> i & 1) in.f[i] = fval();
            }
            for (int b = 0; b < nbases; b++) {
                long lo = base_lo[b], hi = base_hi[b];
                /* base + lo >= DATA + MARGIN, base + hi <= DATA + DATA_SIZE - MARGIN,
                   base 8-byte aligned */
                long first = (MARGIN - lo + 7) & ~7L, last = DATA_SIZE - MARGIN - hi;
                if (last < first) { fprintf(stderr, "span too large\n"); return 1; }
                long at = first + 8 * (long)(rnd() % (u64)((last - first) / 8 + 1));
                in.r[base_reg[b]] = DATA + (u64)at;
            }
            if (jump >= 0) {
                switch (rn(8)) {
                case 0: case 1: case 2: case 3: /* a bpt of the code page, past any sequence */
                    in.r[jump] = CODE + 4 * (16 + rn(16000)) + rn(4); break;
                case 4: in.r[jump] = DATA + rn(DATA_SIZE); break; /* not executable */
                case 5: in.r[jump] = 0x30000000 + (rnd() & 0xffffff); break;
                case 6: in.r[jump] = 0xffffffff80000000ULL | (rnd() & 0x7fffffff); break;
                default: in.r[jump] = rn(0x10000); break;
                }
            }
            if (fpcr_used) in.fpcr = fpcr_val();
            memcpy(data, pattern, DATA_SIZE);
            static struct frame fr;
            fr = in;
            sig_status = 0;
            if (sigsetjmp(env, 1) == 0) {
                ((void (*)(struct frame *))PROLOGUE)(&fr);
            }
            /* Back to the C environment's FPCR (dynamic rounding normal, no traps). */
            __asm__ volatile("excb\n\tmt_fpcr %0\n\texcb" : : "f"(0x0800000000000000ULL));
            struct frame got;
            for (int i = 0; i < 32; i++) { got.r[i] = sig_r[i]; got.f[i] = sig_f[i]; }
            got.r[31] = got.f[31] = 0;
            got.fpcr = sig_fpcr;
            int status = sig_status;
            /* qemu reports a bpt with the pc after it */
            if (status == 5 && sig_pc == CODE + 4 * (unsigned long)n + 4) status = 0;
            counts[status]++;
            put8((unsigned)status);
            if (status) put_value(sig_pc);
            put_regs(&bg, &in);
            put_regs(&in, &got);
            unsigned char runs_buf[4096];
            int nruns = 0, len = 0;
            for (int i = 0; i < DATA_SIZE;) {
                if (data[i] == pattern[i]) { i++; continue; }
                int j = i;
                while (j < DATA_SIZE && j - i < 255 && data[j] != pattern[j]) j++;
                if (len + 3 + (j - i) > (int)sizeof runs_buf) { fprintf(stderr, "too many stores\n"); return 1; }
                runs_buf[len++] = (unsigned char)i; runs_buf[len++] = (unsigned char)(i >> 8);
                runs_buf[len++] = (unsigned char)(j - i);
                memcpy(runs_buf + len, data + i, (size_t)(j - i)); len += j - i;
                nruns++;
                i = j;
            }
            put8((unsigned)nruns);
            put(runs_buf, (size_t)len);
            runs++;
        }
        sequences++;
    }
    printf("sequences %ld\nruns %ld\nstatus %ld %ld %ld %ld %ld %ld\ndata\n", sequences, runs,
        counts[0], counts[1], counts[2], counts[3], counts[4], counts[5]);
    fflush(stdout);
    fwrite(out, 1, outlen, stdout);
    return 0;
}
