/*
 * Golden-vector generator for cpu-alpha. Build as an Alpha Linux ELF (see gen-vectors.sh)
 * and run it under the oracle (qemu-alpha, user mode). It makes random instruction
 * sequences with random operands from a fixed seed, runs each one natively (for the
 * oracle) and writes inputs and results to stdout.
 *
 * Machine: test code is copied to the fixed address CODE (0x20000000); the scratch data
 * window is at DATA (0x10000000, 8 KiB), filled before every memory test with
 * byte[i] = (i * 0x9E + 0x3B) & 0xFF. Test code uses only r0-r8 and f0-f8 (and r31/f31)
 * and is followed by the two-instruction tail "ldq $28,0($30); jmp $31,($28)", which is
 * not part of the recorded sequence (a branch may target it: index ninst).
 *
 * Output after the text header (written by gen-vectors.sh) and the line "data\n":
 * records, little-endian:
 *   u8  class            (see class names in the header)
 *   u8  ninst
 *   u8  status           0 = ran to the tail; 1 = SIGFPE; 2 = SIGILL; 3 = SIGSEGV;
 *                        4 = SIGBUS; 5 = SIGTRAP
 *   u8  trap_index       when status != 0: (signal pc - CODE) / 4
 *   u32 insts[ninst]
 *   u32 inmask           bit i (0..8): r_i, bit 9+i: f_i, bit 18: fpcr. Registers not in
 *                        the mask start as zero; fpcr not in mask starts as
 *                        0x0800000000000000 (dynamic rounding = normal)
 *   value invalues[popcount(inmask)]  in bit order
 *   u32 outmask          registers (same bits) whose final value differs from the input
 *   value outvalues[popcount(outmask)]
 * A value is a tag byte then n = tag & 15 bytes (n <= 8): tag bit 4 clear: the n bytes
 * are the low bytes of the value, sign-extended; set: they are the high bytes, the low
 * bytes being zero.
 * When status != 0 the final values are those in the signal context.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <asm/sigcontext.h>

#define CODE 0x20000000UL
#define DATA 0x10000000UL
#define DATA_SIZE 0x2000

typedef uint64_t u64;
typedef uint32_t u32;

struct frame {
    u64 epilogue, host_sp, r[9], f[9], fpcr, code;
};
extern void run_case(struct frame *f);

static u64 rng = 0x243F6A8885A308D3ULL;
static u64 rnd(void) {
    rng += 0x9E3779B97F4A7C15ULL;
    u64 z = rng;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static unsigned rn(unsigned n) { return (unsigned)(rnd() % n); }

/* encoders */
static u32 OPR(u32 op, u32 ra, u32 rb, u32 fn, u32 rc) { return op << 26 | ra << 21 | rb << 16 | fn << 5 | rc; }
static u32 OPL(u32 op, u32 ra, u32 lit, u32 fn, u32 rc) { return op << 26 | ra << 21 | (lit & 0xff) << 13 | 1 << 12 | fn << 5 | rc; }
static u32 MEM(u32 op, u32 ra, u32 rb, int d) { return op << 26 | ra << 21 | rb << 16 | ((u32)d & 0xffff); }
static u32 BRA(u32 op, u32 ra, int d) { return op << 26 | ra << 21 | ((u32)d & 0x1fffff); }
static u32 FOP(u32 op, u32 fa, u32 fb, u32 fn, u32 fc) { return op << 26 | fa << 21 | fb << 16 | (fn & 0x7ff) << 5 | fc; }

/* operand distributions */
static u64 ival(void) {
    static const u64 edge[] = {0, 1, 0x7fffffffULL, 0xffffffff80000000ULL, 0xffffffffULL,
        0x80000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL, 0x100000000ULL,
        0xffffffff7fffffffULL, 0x00000000ffff0000ULL, 0xff, 0xff00, 0x8000, 0x80, 63, 64};
    switch (rn(10)) {
    case 0: return rn(17);
    case 1: return -(u64)rn(17);
    case 2: return 1ULL << rn(64);
    case 3: return (u64)(int64_t)(int32_t)rnd();
    case 4: return edge[rn(sizeof edge / sizeof edge[0])];
    case 5: { u64 v = 0, r = rnd(); for (int i = 0; i < 8; i++) if (r >> i & 1) v |= 0xffULL << (8 * i); return v; }
    case 6: return rnd() >> rn(64);
    default: return rnd();
    }
}
static u64 tval(void) {
    static const u64 edge[] = {0, 0x8000000000000000ULL, 0x7ff0000000000000ULL, 0xfff0000000000000ULL,
        0x7ff8000000000000ULL, 0xfff8000000000000ULL, 0x7ff4000000000000ULL, 0x7ff0000000000001ULL,
        0x7fefffffffffffffULL, 0xffefffffffffffffULL, 0x0010000000000000ULL, 0x8010000000000000ULL,
        0x3ff0000000000000ULL, 0xbff0000000000000ULL, 0x4000000000000000ULL, 0x3fe0000000000000ULL,
        0x43e0000000000000ULL, 0xc3e0000000000000ULL, 0x41dfffffffc00000ULL, 0x3ff8000000000000ULL,
        0x000fffffffffffffULL, 0x0000000000000001ULL};
    double d;
    u64 b;
    switch (rn(10)) {
    case 0: case 1: return edge[rn(sizeof edge / sizeof edge[0])];
    case 2: d = (double)(int64_t)(rnd() >> rn(64)); if (rn(2)) d = -d; memcpy(&b, &d, 8); return b;
    case 3: d = (double)(int)rn(2000) / (double)(1 + rn(16)); if (rn(2)) d = -d; memcpy(&b, &d, 8); return b;
    case 4: return (rnd() & 0x800fffffffffffffULL) | (u64)(1023 - 70 + rn(140)) << 52;
    case 5: return (rnd() & 0x800fffffffffffffULL) | (u64)rn(0x7ff) << 52;
    case 6: return (rnd() & 0x800fffffffffffffULL) | (u64)(rn(2) ? rn(60) : 0x7ff - 1 - rn(60)) << 52;
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
    float f;
    switch (rn(10)) {
    case 0: case 1: s = edge[rn(sizeof edge / sizeof edge[0])]; break;
    case 2: f = (float)(int)rn(2000) / (float)(1 + rn(16)); if (rn(2)) f = -f; memcpy(&s, &f, 4); break;
    case 3: s = ((u32)rnd() & 0x807fffff) | (u32)(127 - 30 + rn(60)) << 23; break;
    case 4: s = ((u32)rnd() & 0x807fffff) | (u32)(rn(2) ? rn(30) : 0xfe - rn(30)) << 23; break;
    case 5: s = ((u32)rnd() & 0x807fffff) | (u32)rn(0xff) << 23; break;
    case 6: f = (float)(int64_t)(rnd() >> rn(64)); memcpy(&s, &f, 4); break;
    default: s = ((u32)rnd() & 0x807fffff) | (u32)(127 - 12 + rn(24)) << 23; break;
    }
    return s_to_reg(s);
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

/* a test case under construction */
static u32 insts[16];
static int ninst;
static u64 in_r[9], in_f[9], in_fpcr;
static int has_fpcr;
static void emit(u32 w) { insts[ninst++] = w; }

static unsigned isrc(void) { return rn(16) == 0 ? 31 : 1 + rn(3); }
static unsigned idst(void) { return rn(24) == 0 ? 31 : 1 + rn(5); }
static unsigned fsrc(void) { return rn(16) == 0 ? 31 : 1 + rn(3); }
static unsigned fdst(void) { return rn(24) == 0 ? 31 : 1 + rn(5); }
static void set_iregs(void) { for (int i = 1; i <= 3; i++) in_r[i] = ival(); if (rn(3) == 0) { in_r[4] = ival(); in_r[5] = ival(); } }

static void int_op(u32 op, u32 fn) {
    if (rn(3) == 0) emit(OPL(op, isrc(), rn(4) ? (u32)rnd() : rn(2) ? 0 : 255, fn, idst()));
    else emit(OPR(op, isrc(), isrc(), fn, idst()));
}
static const u32 inta[] = {0x00, 0x02, 0x09, 0x0b, 0x0f, 0x12, 0x1b, 0x1d, 0x20, 0x22, 0x29, 0x2b, 0x2d, 0x32, 0x3b, 0x3d, 0x4d, 0x6d};
static const u32 intl[] = {0x00, 0x08, 0x14, 0x16, 0x20, 0x24, 0x26, 0x28, 0x40, 0x44, 0x46, 0x48, 0x64, 0x66};
static const u32 ints[] = {0x02, 0x06, 0x0b, 0x12, 0x16, 0x1b, 0x22, 0x26, 0x2b, 0x30, 0x31, 0x32, 0x34, 0x36, 0x39, 0x3b, 0x3c,
    0x52, 0x57, 0x5a, 0x62, 0x67, 0x6a, 0x72, 0x77, 0x7a};
static const u32 intm[] = {0x00, 0x20, 0x30};
static const u32 intv[][2] = {{0x10, 0x40}, {0x10, 0x49}, {0x10, 0x60}, {0x10, 0x69}, {0x13, 0x40}, {0x13, 0x60}};
static const u32 mvi[] = {0x00, 0x01, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f};
#define N(a) (sizeof a / sizeof a[0])

static void rand_int_inst(void) {
    switch (rn(4)) {
    case 0: int_op(0x10, inta[rn(N(inta))]); break;
    case 1: int_op(0x11, intl[rn(N(intl))]); break;
    case 2: int_op(0x12, ints[rn(N(ints))]); break;
    default: int_op(0x13, intm[rn(N(intm))]); break;
    }
}

static void fp_fn(u32 op, u32 op6, int trapset, u32 fa, u32 fb, u32 fc) {
    /* trapset 0: none/U/SU/SUI; 1: CVTTQ none/V/SV/SVI; 2: none/SUI; 3: compare none/SU */
    static const u32 t0[] = {0, 1, 5, 7}, t1[] = {0, 1, 5, 7}, t2[] = {0, 7}, t3[] = {0, 5};
    u32 t = trapset == 0 ? t0[rn(4)] : trapset == 1 ? t1[rn(4)] : trapset == 2 ? t2[rn(2)] : t3[rn(2)];
    u32 r = trapset == 3 ? 2 : rn(4);
    emit(FOP(op, fa, fb, t << 8 | r << 6 | op6, fc));
}
static void set_fregs(int single) {
    for (int i = 1; i <= 3; i++) in_f[i] = single ? sval() : tval();
    if (rn(3) == 0) { in_f[4] = tval(); in_f[5] = tval(); }
    in_fpcr = fpcr_val();
    has_fpcr = 1;
}

enum { C_INTA, C_INTL, C_INTS, C_INTM, C_INTV, C_MVI, C_LDA, C_MEM, C_BRANCH, C_JUMP,
       C_FARITH, C_FCMP, C_FCVT, C_FMISC, C_FSQRT, C_MIXED, C_COUNT };
static const char *cname[] = {"int-arith", "int-logic-cmov", "shift-bytemanip", "multiply",
    "overflow-trap", "bwx-cix-mvi", "lda-ldah", "load-store", "branch", "jump",
    "fp-arith", "fp-compare", "fp-convert", "fp-copy-move-fpcr", "fp-sqrt", "int-mixed"};
static const int ccount[] = {11000, 9000, 14000, 5000, 5000, 6000, 3000, 8000, 7000, 4000,
    14000, 4000, 10000, 5000, 3000, 6000};

static void make_case(int cls) {
    int i, k;
    switch (cls) {
    case C_INTA: set_iregs(); int_op(0x10, inta[rn(N(inta))]); break;
    case C_INTL: set_iregs(); int_op(0x11, intl[rn(N(intl))]); break;
    case C_INTS: set_iregs(); int_op(0x12, ints[rn(N(ints))]); break;
    case C_INTM: set_iregs(); int_op(0x13, intm[rn(N(intm))]); break;
    case C_INTV: {
        set_iregs();
        if (rn(2)) { in_r[1] = (rn(2) ? 0x7fffffffULL : 0x7fffffffffffffffULL) - rn(4); in_r[2] = rn(2) ? rn(8) : -(u64)rn(8); }
        if (rn(4) == 0) { in_r[1] = (u64)(int64_t)(int32_t)rnd() >> rn(32); in_r[2] = (u64)(int64_t)(int32_t)rnd() >> rn(32); }
        k = rn(N(intv));
        int_op(intv[k][0], intv[k][1]);
        break;
    }
    case C_MVI: set_iregs(); i = mvi[rn(N(mvi))];
        if (i <= 1 || (i >= 0x30 && i <= 0x37 && i != 0x31)) { if (rn(3) == 0) emit(OPL(0x1c, 31, (u32)rnd(), i, idst())); else emit(OPR(0x1c, 31, isrc(), i, idst())); }
        else int_op(0x1c, i);
        break;
    case C_LDA: set_iregs(); emit(MEM(rn(2) ? 0x08 : 0x09, idst(), isrc(), (int)(int16_t)rnd())); break;
    case C_MEM: {
        static const int ldop[] = {0x0a, 0x0c, 0x28, 0x29, 0x0b, 0x22, 0x23}, ldsz[] = {1, 2, 4, 8, 1, 4, 8};
        static const int stop[] = {0x0e, 0x0d, 0x2c, 0x2d, 0x0f, 0x26, 0x27}, stsz[] = {1, 2, 4, 8, 1, 4, 8};
        set_iregs();
        set_fregs(rn(2));
        has_fpcr = 0;
        in_r[1] = DATA + 0x1000 + rn(64) * 8;
        for (int n = 1 + rn(3); n > 0; n--) {
            int kind = rn(4), d;
            if (kind == 0) { k = rn(N(ldop)); d = ((int)rn(256) - 128) & -ldsz[k];
                emit(MEM(ldop[k], k >= 5 ? fdst() : rn(24) == 0 ? 31 : 2 + rn(4), 1, d)); }
            else if (kind == 1) { k = rn(N(stop)); d = ((int)rn(256) - 128) & -stsz[k];
                emit(MEM(stop[k], k >= 5 ? fsrc() : isrc(), 1, d));
                emit(MEM(0x29, 2 + rn(4), 1, d & -8)); }
            else if (kind == 2) { int q = rn(2); d = ((int)rn(256) - 128) & (q ? -8 : -4);
                emit(MEM(q ? 0x2b : 0x2a, 2 + rn(4), 1, d));
                emit(MEM(q ? 0x2f : 0x2e, 2 + rn(2), 1, d));
                emit(MEM(0x29, 4 + rn(2), 1, d & -8)); }
            else { d = ((int)rn(256) - 128) & -4;
                emit(MEM(0x26 + rn(2), fsrc(), 1, d)); emit(MEM(0x22 + rn(2), fdst(), 1, d)); }
            if (ninst > 11) break;
        }
        break;
    }
    case C_BRANCH: {
        static const int bop[] = {0x30, 0x34, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x31, 0x32, 0x33, 0x35, 0x36, 0x37};
        set_iregs();
        for (i = 1; i <= 3; i++) in_f[i] = tval();
        if (rn(3) == 0) in_f[1] = rn(2) ? 0 : 0x8000000000000000ULL;
        if (rn(3) == 0) in_r[1] = rn(3);
        int fill = 1 + rn(3);
        k = bop[rn(N(bop))];
        emit(BRA(k, k >= 0x30 && k <= 0x34 ? idst() : k >= 0x38 ? isrc() : fsrc(), rn(fill + 1)));
        for (i = 0; i < fill; i++) emit(MEM(0x08, 6, 6, 1 << i));
        break;
    }
    case C_JUMP: {
        int fill = 1 + rn(3), t = 1 + rn(fill + 1);
        set_iregs();
        u32 rb = 1 + rn(3);
        in_r[rb] = CODE + 4 * t + rn(4);
        emit(MEM(0x1a, idst(), rb, (int)(rn(4) << 14 | rn(0x4000))));
        for (i = 0; i < fill; i++) emit(MEM(0x08, 6, 6, 1 << i));
        break;
    }
    case C_FARITH: {
        static const u32 ops[] = {0x00, 0x01, 0x02, 0x03};
        int single = rn(2);
        set_fregs(single);
        fp_fn(0x16, ops[rn(4)] | (single ? 0 : 0x20), 0, fsrc(), fsrc(), fdst());
        break;
    }
    case C_FCMP: set_fregs(0);
        if (rn(3) == 0) in_f[2] = in_f[1];
        fp_fn(0x16, 0x24 + rn(4), 3, fsrc(), fsrc(), fdst()); break;
    case C_FCVT: {
        k = rn(7);
        set_fregs(k == 3);
        if (k == 2 || k == 1 || k == 4) for (i = 1; i <= 3; i++) in_f[i] = ival();
        switch (k) {
        case 0: fp_fn(0x16, 0x2f, 1, 31, fsrc(), fdst()); break;          /* CVTTQ */
        case 1: fp_fn(0x16, 0x3c, 2, 31, fsrc(), fdst()); break;          /* CVTQS */
        case 2: fp_fn(0x16, 0x3e, 2, 31, fsrc(), fdst()); break;          /* CVTQT */
        case 3: emit(FOP(0x16, 31, fsrc(), rn(2) ? 0x2ac : 0x6ac, fdst())); break; /* CVTST */
        case 4: { static const u32 q[] = {0x030, 0x130, 0x530, 0x010}; emit(FOP(0x17, 31, fsrc(), q[rn(4)], fdst())); break; }
        case 5: fp_fn(0x16, 0x2c, 0, 31, fsrc(), fdst()); break;          /* CVTTS */
        default: fp_fn(0x16, 0x2f, 1, 31, fsrc(), fdst()); break;
        }
        break;
    }
    case C_FMISC: {
        set_fregs(0);
        set_iregs();
        k = rn(6);
        if (k == 0) emit(FOP(0x17, fsrc(), fsrc(), 0x20 + rn(3), fdst()));
        else if (k == 1) { if (rn(3) == 0) in_f[1] = rn(2) ? 0 : 0x8000000000000000ULL; emit(FOP(0x17, fsrc(), fsrc(), 0x2a + rn(6), fdst())); }
        else if (k == 2) { in_r[1] = rn(2) ? (u64)(u32)sval() : ival(); emit(FOP(0x14, isrc(), 31, rn(2) ? 0x004 : 0x024, fdst())); }
        else if (k == 3) emit(OPR(0x1c, fsrc(), 31, rn(2) ? 0x70 : 0x78, idst()));
        else if (k == 4) { u32 f = 1 + rn(3); in_f[f] = fpcr_val() | (rnd() & 0x00007fffffffffffULL & -(u64)(rn(4) == 0)); emit(FOP(0x17, f, f, 0x24, f));
            emit(FOP(0x17, 4, 4, 0x25, 4)); if (rn(2)) fp_fn(0x16, 0x20 + rn(4), 0, 1 + rn(3), 1 + rn(3), 5); }
        else emit(FOP(0x17, 5, 5, 0x25, 5));
        break;
    }
    case C_FSQRT: { int single = rn(2); set_fregs(single);
        if (rn(2)) in_f[1] &= 0x7fffffffffffffffULL;
        fp_fn(0x14, single ? 0x0b : 0x2b, 0, 31, fsrc(), fdst()); break; }
    case C_MIXED: set_iregs(); for (i = 1 + rn(4); i >= 0; i--) rand_int_inst(); break;
    }
}

static sigjmp_buf env;
static volatile int sig_status;
static volatile u64 sig_pc, sig_r[9], sig_f[9], sig_fpcr;
static void handler(int sig, siginfo_t *si, void *uc_) {
    ucontext_t *uc = uc_;
    struct sigcontext *sc = (struct sigcontext *)&uc->uc_mcontext;
    (void)si;
    sig_status = sig == SIGFPE ? 1 : sig == SIGILL ? 2 : sig == SIGSEGV ? 3 : sig == SIGBUS ? 4 : 5;
    sig_pc = sc->sc_pc;
    for (int i = 0; i < 9; i++) { sig_r[i] = sc->sc_regs[i]; sig_f[i] = sc->sc_fpregs[i]; }
    sig_fpcr = sc->sc_fpcr;
    siglongjmp(env, 1);
}

static unsigned char *out;
static size_t outlen;
static void put(const void *p, size_t n) { memcpy(out + outlen, p, n); outlen += n; }
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

int main(void) {
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
    unsigned char *data = mmap((void *)DATA, DATA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (code != (u32 *)CODE || data != (unsigned char *)DATA) { fprintf(stderr, "mmap failed\n"); return 1; }
    out = malloc(64 << 20);
    long total = 0;
    for (int cls = 0; cls < C_COUNT; cls++) {
        for (int n = 0; n < ccount[cls]; n++) {
            ninst = 0; has_fpcr = 0;
            memset(in_r, 0, sizeof in_r); memset(in_f, 0, sizeof in_f);
            in_fpcr = 0x0800000000000000ULL;
            make_case(cls);
            if (!has_fpcr) in_fpcr = 0x0800000000000000ULL;
            for (int i = 0; i < DATA_SIZE; i++) data[i] = (unsigned char)(i * 0x9E + 0x3B);
            memcpy(code, insts, 4 * ninst);
            code[ninst] = MEM(0x29, 28, 30, 0);
            code[ninst + 1] = 0x6bfc0000; /* jmp $31,($28) */
            __builtin___clear_cache((char *)code, (char *)(code + ninst + 2));
            static struct frame fr;
            memset(&fr, 0, sizeof fr);
            memcpy(fr.r, in_r, sizeof in_r); memcpy(fr.f, in_f, sizeof in_f);
            fr.fpcr = in_fpcr; fr.code = CODE;
            sig_status = 0;
            if (sigsetjmp(env, 1) == 0) {
                run_case(&fr);
            } else {
                for (int i = 0; i < 9; i++) { fr.r[i] = sig_r[i]; fr.f[i] = sig_f[i]; }
                fr.fpcr = sig_fpcr;
            }
            unsigned char hdr[4] = {(unsigned char)cls, (unsigned char)ninst, (unsigned char)sig_status,
                (unsigned char)(sig_status ? (sig_pc - CODE) / 4 : 0)};
            put(hdr, 4);
            put(insts, 4 * ninst);
            u32 inmask = 0, outmask = 0;
            u64 iv[19], ov[19], inall[19], outall[19];
            for (int i = 0; i < 9; i++) { inall[i] = in_r[i]; inall[9 + i] = in_f[i]; outall[i] = fr.r[i]; outall[9 + i] = fr.f[i]; }
            inall[18] = in_fpcr; outall[18] = fr.fpcr;
            int ni = 0, no = 0;
            for (int i = 0; i < 19; i++) {
                if (i == 18 ? has_fpcr : inall[i] != 0) { inmask |= 1u << i; iv[ni++] = inall[i]; }
                if (outall[i] != inall[i]) { outmask |= 1u << i; ov[no++] = outall[i]; }
            }
            put(&inmask, 4);
            for (int i = 0; i < ni; i++) put_value(iv[i]);
            put(&outmask, 4);
            for (int i = 0; i < no; i++) put_value(ov[i]);
            total++;
        }
    }
    for (int cls = 0; cls < C_COUNT; cls++) printf("class %d %d %s\n", cls, ccount[cls], cname[cls]);
    printf("records %ld\ndata\n", total);
    fflush(stdout);
    fwrite(out, 1, outlen, stdout);
    return 0;
}
