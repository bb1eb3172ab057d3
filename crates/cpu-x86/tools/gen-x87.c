/*
 * x87 golden-vector generator for cpu-x86: runs each x87 form on the host CPU.
 *
 * Freestanding 32-bit static Linux program like gen-vectors.c (no libc; runs natively in
 * 32-bit compatibility mode). Each form is machine code that reads its inputs through EBX
 * (a: f64 at [ebx], b: f64 at [ebx+8], control word at [ebx+16], integer inputs at [ebx])
 * and writes its result through EDI ([edi], up to 10 bytes), then `fnstsw ax`. The stub
 * records the 10 result bytes, AX (status word) and EFLAGS.
 *
 * Output (stdout), text: form lines "form <id> <hex code> <status-word mask> <name>", a line
 * "data", then one line per vector:
 *   <form id> <control word> <a: 16 hex digits> <b: 16 hex digits> <result: 20 hex digits,
 *   byte 9 first> <status word & mask> <EFLAGS & (CF|PF|ZF)>
 * Build and run: crates/cpu-x86/tools/gen-vectors.sh
 */
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;
typedef unsigned long long u64;

static int sys3(int n, int a, int b, int c) {
    int r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
    return r;
}

static u8 codebuf[8192] __attribute__((aligned(4096)));
static u8 out[4 * 1024 * 1024];
static u32 outlen;
u8 in_area[64] __attribute__((aligned(16)));
u8 out_area[64] __attribute__((aligned(16)));
u32 io_ax, io_fl;
void *io_code = codebuf;
void run_code(void);
__asm__(".text\n"
        ".globl run_code\n"
        "run_code:\n"
        "  push %ebx\n push %esi\n push %edi\n push %ebp\n"
        "  fninit\n"
        "  mov $in_area, %ebx\n mov $out_area, %edi\n xor %eax, %eax\n"
        "  pushl $0x202\n popf\n"
        "  call *io_code\n"
        "  pushf\n popl io_fl\n mov %eax, io_ax\n"
        "  fninit\n"
        "  pop %ebp\n pop %edi\n pop %esi\n pop %ebx\n ret\n");

static void emits(const char *s) {
    while (*s) out[outlen++] = (u8)*s++;
}
static void emithex(u64 v, int digits) {
    static const char h[] = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; i--) out[outlen++] = (u8)h[(v >> (i * 4)) & 15];
}
static void emitdec(u32 v) {
    char t[12];
    int n = 0;
    do { t[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) out[outlen++] = (u8)t[--n];
}

static u32 rng = 0x1234567u;
static u32 rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}
static const u64 special[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
    0x7ff0000000000000ull, 0xfff0000000000000ull, 0x7ff8000000000000ull, 0x4000000000000000ull,
    0x3fe0000000000000ull, 0xbfe0000000000000ull, 0x3ff8000000000000ull, 0xc004000000000000ull,
    0x4004000000000000ull, 0x400c000000000000ull, 0x41dfffffffc00000ull, 0xc1e0000000000000ull,
    0x43e0000000000000ull, 0x40dfffc000000000ull, 0x3fb999999999999aull, 0x400921fb54442d18ull,
};
/* A random double: mostly moderate exponents, some integers and halves, some specials. */
static u64 rdouble(void) {
    u32 r = rnd();
    switch (r & 7) {
    case 0: return special[(r >> 8) % (sizeof special / sizeof special[0])];
    case 1: { /* small integer or half */
        int v = (int)(rnd() % 2001) - 1000;
        double d = (double)v;
        if (r & 0x100) d += 0.5;
        if (r & 0x200) d /= 4;
        union { double d; u64 u; } x = {d};
        return x.u;
    }
    default: {
        u64 mant = ((u64)rnd() << 32 | rnd()) & 0xfffffffffffffull;
        u64 e = (u64)(1023 - 60 + (int)(rnd() % 121));
        u64 s = (u64)(rnd() & 1) << 63;
        return s | (e << 52) | mant;
    }
    }
}

struct form { const char *name; u8 bytes[24]; int len; u32 swmask; int rcs; int count; int kind; };
static struct form forms[200];
static int nforms;
enum { K_F64, K_INT };
#define B(...) ((const u8[]){__VA_ARGS__}), (int)sizeof((const u8[]){__VA_ARGS__})
static void add(const char *name, const u8 *b, int len, u32 swmask, int rcs, int count, int kind) {
    struct form *f = &forms[nforms++];
    f->name = name;
    for (int i = 0; i < len; i++) f->bytes[i] = b[i];
    f->len = len; f->swmask = swmask; f->rcs = rcs; f->count = count; f->kind = kind;
}

#define CC 0x4700 /* C0 C1 C2 C3 */
#define CC_NO_C1 0x4500
/* fldcw [ebx+16] prefix */
#define LDCW 0xd9, 0x6b, 0x10

void _start(void) {
    sys3(125, (int)codebuf, 4096, 7);
    const int N = 200;
    /* arithmetic with a memory operand: fld a; fop b; fstp [edi]; fnstsw ax */
    add("fadd m64", B(LDCW, 0xdd, 0x03, 0xdc, 0x43, 0x08, 0xdd, 0x1f, 0xdf, 0xe0), 0, 4, N, K_F64);
    add("fmul m64", B(LDCW, 0xdd, 0x03, 0xdc, 0x4b, 0x08, 0xdd, 0x1f, 0xdf, 0xe0), 0, 4, N, K_F64);
    add("fsub m64", B(LDCW, 0xdd, 0x03, 0xdc, 0x63, 0x08, 0xdd, 0x1f, 0xdf, 0xe0), 0, 4, N, K_F64);
    add("fsubr m64", B(LDCW, 0xdd, 0x03, 0xdc, 0x6b, 0x08, 0xdd, 0x1f, 0xdf, 0xe0), 0, 4, N, K_F64);
    add("fdiv m64", B(LDCW, 0xdd, 0x03, 0xdc, 0x73, 0x08, 0xdd, 0x1f, 0xdf, 0xe0), 0, 4, N, K_F64);
    add("fdivr m64", B(LDCW, 0xdd, 0x03, 0xdc, 0x7b, 0x08, 0xdd, 0x1f, 0xdf, 0xe0), 0, 4, N, K_F64);
    add("fadd m32", B(LDCW, 0xdd, 0x03, 0xd8, 0x43, 0x08, 0xdd, 0x1f, 0xdf, 0xe0), 0, 1, N, K_F64);
    /* register forms: fld a; fld b; fopp st(1), st; fstp [edi] */
    add("faddp", B(LDCW, 0xdd, 0x03, 0xdd, 0x43, 0x08, 0xde, 0xc1, 0xdd, 0x1f, 0xdf, 0xe0), 0, 1, N, K_F64);
    add("fsubp (de e9)", B(LDCW, 0xdd, 0x03, 0xdd, 0x43, 0x08, 0xde, 0xe9, 0xdd, 0x1f, 0xdf, 0xe0), 0, 1, N, K_F64);
    add("fsubrp (de e1)", B(LDCW, 0xdd, 0x03, 0xdd, 0x43, 0x08, 0xde, 0xe1, 0xdd, 0x1f, 0xdf, 0xe0), 0, 1, N, K_F64);
    add("fmulp", B(LDCW, 0xdd, 0x03, 0xdd, 0x43, 0x08, 0xde, 0xc9, 0xdd, 0x1f, 0xdf, 0xe0), 0, 1, N, K_F64);
    add("fdivp (de f9)", B(LDCW, 0xdd, 0x03, 0xdd, 0x43, 0x08, 0xde, 0xf9, 0xdd, 0x1f, 0xdf, 0xe0), 0, 1, N, K_F64);
    add("fdivrp (de f1)", B(LDCW, 0xdd, 0x03, 0xdd, 0x43, 0x08, 0xde, 0xf1, 0xdd, 0x1f, 0xdf, 0xe0), 0, 1, N, K_F64);
    add("fadd st, st(1)", B(LDCW, 0xdd, 0x03, 0xdd, 0x43, 0x08, 0xd8, 0xc1, 0xdd, 0x1f, 0xdd, 0xd8, 0xdf, 0xe0), 0, 1, N, K_F64);
    add("fsub st(1), st", B(LDCW, 0xdd, 0x03, 0xdd, 0x43, 0x08, 0xdc, 0xe9, 0xdd, 0xd8, 0xdd, 0x1f, 0xdf, 0xe0), 0, 1, N, K_F64);
    add("fdiv st, st(1)", B(LDCW, 0xdd, 0x03, 0xdd, 0x43, 0x08, 0xd8, 0xf1, 0xdd, 0x1f, 0xdd, 0xd8, 0xdf, 0xe0), 0, 1, N, K_F64);
    /* square root */
    add("fsqrt", B(LDCW, 0xdd, 0x03, 0xd9, 0xfa, 0xdd, 0x1f, 0xdf, 0xe0), 0, 4, N, K_F64);
    /* comparisons: condition codes */
    add("fcompp", B(LDCW, 0xdd, 0x43, 0x08, 0xdd, 0x03, 0xde, 0xd9, 0xdf, 0xe0), CC_NO_C1, 1, N, K_F64);
    add("fucompp", B(LDCW, 0xdd, 0x43, 0x08, 0xdd, 0x03, 0xda, 0xe9, 0xdf, 0xe0), CC_NO_C1, 1, N, K_F64);
    add("fcom m64; fstp st0", B(LDCW, 0xdd, 0x03, 0xdc, 0x53, 0x08, 0xdf, 0xe0, 0xdd, 0xd8), CC_NO_C1, 1, N, K_F64);
    add("fcomp m64", B(LDCW, 0xdd, 0x03, 0xdc, 0x5b, 0x08, 0xdf, 0xe0), CC_NO_C1, 1, N, K_F64);
    add("fucomip st(1)", B(LDCW, 0xdd, 0x43, 0x08, 0xdd, 0x03, 0xdf, 0xe9, 0xdd, 0xd8, 0xdf, 0xe0), 0, 1, N, K_F64);
    add("fcomi st(1)", B(LDCW, 0xdd, 0x43, 0x08, 0xdd, 0x03, 0xdb, 0xf1, 0xdd, 0xd8, 0xdd, 0xd8, 0xdf, 0xe0), 0, 1, N, K_F64);
    add("ftst", B(LDCW, 0xdd, 0x03, 0xd9, 0xe4, 0xdf, 0xe0, 0xdd, 0xd8), CC_NO_C1, 1, N, K_F64);
    add("fxam", B(LDCW, 0xdd, 0x03, 0xd9, 0xe5, 0xdf, 0xe0, 0xdd, 0xd8), CC, 1, N, K_F64);
    /* conversions */
    add("fistp m32", B(LDCW, 0xdd, 0x03, 0xdb, 0x1f, 0xdf, 0xe0), 0, 4, N, K_F64);
    add("fistp m16", B(LDCW, 0xdd, 0x03, 0xdf, 0x1f, 0xdf, 0xe0), 0, 4, N, K_F64);
    add("fistp m64", B(LDCW, 0xdd, 0x03, 0xdf, 0x3f, 0xdf, 0xe0), 0, 4, N, K_F64);
    add("fist m32; fstp st0", B(LDCW, 0xdd, 0x03, 0xdb, 0x17, 0xdf, 0xe0, 0xdd, 0xd8), 0, 4, N, K_F64);
    add("frndint", B(LDCW, 0xdd, 0x03, 0xd9, 0xfc, 0xdd, 0x1f, 0xdf, 0xe0), 0, 4, N, K_F64);
    add("fstp m32", B(LDCW, 0xdd, 0x03, 0xd9, 0x1f, 0xdf, 0xe0), 0, 4, N, K_F64);
    add("fld m32; fstp m64", B(LDCW, 0xd9, 0x03, 0xdd, 0x1f, 0xdf, 0xe0), 0, 1, N, K_INT);
    add("fstp m80", B(LDCW, 0xdd, 0x03, 0xdb, 0x3f, 0xdf, 0xe0), 0, 1, N, K_F64);
    add("fld m64; fstp m80; fld m80; fstp m64", B(LDCW, 0xdd, 0x03, 0xdb, 0x3f, 0xdb, 0x2f, 0xdd, 0x1f, 0xdf, 0xe0), 0, 1, N, K_F64);
    add("fild m16", B(LDCW, 0xdf, 0x03, 0xdd, 0x1f, 0xdf, 0xe0), 0, 1, N, K_INT);
    add("fild m32", B(LDCW, 0xdb, 0x03, 0xdd, 0x1f, 0xdf, 0xe0), 0, 1, N, K_INT);
    add("fild m64", B(LDCW, 0xdf, 0x2b, 0xdd, 0x1f, 0xdf, 0xe0), 0, 4, N, K_INT);
    add("fiadd m32", B(LDCW, 0xdd, 0x43, 0x08, 0xda, 0x03, 0xdd, 0x1f, 0xdf, 0xe0), 0, 1, N, K_INT);
    add("fimul m16", B(LDCW, 0xdd, 0x43, 0x08, 0xde, 0x0b, 0xdd, 0x1f, 0xdf, 0xe0), 0, 1, N, K_INT);
    /* sign, constants, stack */
    add("fchs", B(LDCW, 0xdd, 0x03, 0xd9, 0xe0, 0xdd, 0x1f, 0xdf, 0xe0), 0, 1, 100, K_F64);
    add("fabs", B(LDCW, 0xdd, 0x03, 0xd9, 0xe1, 0xdd, 0x1f, 0xdf, 0xe0), 0, 1, 100, K_F64);
    add("fxch; fsubp", B(LDCW, 0xdd, 0x03, 0xdd, 0x43, 0x08, 0xd9, 0xc9, 0xde, 0xe9, 0xdd, 0x1f, 0xdf, 0xe0), 0, 1, 100, K_F64);
    add("fld1; faddp", B(LDCW, 0xdd, 0x03, 0xd9, 0xe8, 0xde, 0xc1, 0xdd, 0x1f, 0xdf, 0xe0), 0, 1, 100, K_F64);
    add("fldpi; fstp m64", B(LDCW, 0xd9, 0xeb, 0xdd, 0x1f, 0xdf, 0xe0), 0, 1, 4, K_F64);
    add("fldz; fstp m64", B(LDCW, 0xd9, 0xee, 0xdd, 0x1f, 0xdf, 0xe0), 0, 1, 4, K_F64);
    add("fnstsw after push: top", B(LDCW, 0xd9, 0xe8, 0xd9, 0xe8, 0xdf, 0xe0, 0xdd, 0xd8, 0xdd, 0xd8), 0x3800, 1, 4, K_F64);

    emits("# x87 forms ");
    emitdec((u32)nforms);
    emits("\n# form <id> <machine code hex> <status word mask> <name>\n");
    for (int i = 0; i < nforms; i++) {
        emits("form "); emitdec((u32)i); emits(" ");
        for (int j = 0; j < forms[i].len; j++) emithex(forms[i].bytes[j], 2);
        emits(" "); emithex(forms[i].swmask, 4); emits(" "); emits(forms[i].name); emits("\n");
    }
    emits("data\n");
    for (int i = 0; i < nforms; i++) {
        struct form *f = &forms[i];
        for (int j = 0; j < f->len; j++) codebuf[j] = f->bytes[j];
        codebuf[f->len] = 0xc3;
        for (int n = 0; n < f->count; n++) {
            u64 a, b;
            if (f->kind == K_INT) {
                u32 r = rnd();
                a = (r & 3) == 0 ? (u64)(int)(rnd() % 200 - 100) : ((u64)rnd() << 32 | rnd());
                if ((r & 12) == 4) a = (u64)(long long)(int)rnd();
                b = rdouble();
            } else {
                a = rdouble();
                b = rdouble();
            }
            for (int rc = 0; rc < f->rcs; rc++) {
                u16 cw = (u16)(0x027f | (rc << 10));
                for (int k = 0; k < 8; k++) { in_area[k] = (u8)(a >> (8 * k)); in_area[8 + k] = (u8)(b >> (8 * k)); }
                in_area[16] = (u8)cw; in_area[17] = (u8)(cw >> 8);
                for (int k = 0; k < 16; k++) out_area[k] = 0;
                run_code();
                emitdec((u32)i); emits(" "); emithex(cw, 4); emits(" ");
                emithex(a, 16); emits(" "); emithex(b, 16); emits(" ");
                for (int k = 9; k >= 0; k--) emithex(out_area[k], 2);
                emits(" "); emithex(io_ax & 0xffff & f->swmask, 4);
                emits(" "); emithex(io_fl & 0x45, 2); emits("\n");
            }
        }
    }
    u32 off = 0;
    while (off < outlen) {
        int w = sys3(4, 1, (int)(out + off), (int)(outlen - off));
        if (w <= 0) sys3(1, 2, 0, 0);
        off += (u32)w;
    }
    sys3(1, 0, 0, 0);
}
