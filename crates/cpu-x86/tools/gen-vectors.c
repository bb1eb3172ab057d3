/*
 * Golden-vector generator for cpu-x86: runs each instruction form on the host CPU.
 *
 * Built as a freestanding 32-bit static Linux program (no libc, raw int 0x80 system calls)
 * so that it runs natively on an x86-64 host in 32-bit compatibility mode, where the BCD
 * instructions (daa das aaa aas aam aad) are valid. Each form is a string of machine-code
 * bytes copied into an executable page, followed by `ret`; a stub loads EAX EBX ECX EDX and
 * EFLAGS from the inputs, calls it, and records EAX EBX EDX and EFLAGS afterwards.
 *
 * Operand convention: destination EAX/AX/AL, source EBX/BX/BL, count CL, EDX the high half
 * of dividends and products. Output (stdout): the form table as text, a line "data", then
 * fixed 31-byte little-endian records:
 *   u16 form id (bit 15 set: the instruction raises #DE, decided by this program from the
 *       architectural rule without executing it; outputs then equal inputs)
 *   u16 eflags in, u16 eflags out (CF PF AF ZF SF DF OF bits only),
 *   u32 eax, u32 ebx, u32 edx, u8 cl (inputs; ECX's upper bits are zero),
 *   u32 eax, u32 ebx, u32 edx (outputs; ECX is checked unchanged).
 *
 * Build and run: crates/cpu-x86/tools/gen-vectors.sh
 */
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;
typedef int s32;
typedef long long s64;
typedef unsigned long long u64;

#define CF 0x001
#define PF 0x004
#define AF 0x010
#define ZF 0x040
#define SF 0x080
#define DF 0x400
#define OF 0x800
#define ALLF (CF | PF | AF | ZF | SF | DF | OF)

static int sys3(int n, int a, int b, int c) {
    int r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
    return r;
}

static u8 codebuf[8192] __attribute__((aligned(4096)));
static u8 out[6 * 1024 * 1024];
static u32 outlen;

u32 io_in_eax, io_in_ebx, io_in_ecx, io_in_edx, io_in_fl;
u32 io_out_eax, io_out_ebx, io_out_ecx, io_out_edx, io_out_fl;
void *io_code = codebuf;
void run_code(void);
__asm__(".text\n"
        ".globl run_code\n"
        "run_code:\n"
        "  push %ebx\n push %esi\n push %edi\n push %ebp\n"
        "  mov io_in_eax, %eax\n mov io_in_ebx, %ebx\n mov io_in_ecx, %ecx\n mov io_in_edx, %edx\n"
        "  pushl io_in_fl\n popf\n"
        "  call *io_code\n"
        "  pushf\n popl io_out_fl\n cld\n"
        "  mov %eax, io_out_eax\n mov %ebx, io_out_ebx\n mov %ecx, io_out_ecx\n mov %edx, io_out_edx\n"
        "  pop %ebp\n pop %edi\n pop %esi\n pop %ebx\n ret\n");

static void emit(const void *p, u32 n) {
    const u8 *b = p;
    for (u32 i = 0; i < n; i++) out[outlen++] = b[i];
}
static void emits(const char *s) {
    while (*s) out[outlen++] = (u8)*s++;
}
static void emithex(u32 v, int digits) {
    static const char h[] = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; i--) out[outlen++] = (u8)h[(v >> (i * 4)) & 15];
}
static void emitdec(u32 v) {
    char t[12];
    int n = 0;
    do { t[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) out[outlen++] = (u8)t[--n];
}

static u32 rng = 0x2545F491u;
static u32 rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}
static const u32 specials[] = {0, 1, 2, 0x7f, 0x80, 0x81, 0xff, 0x100, 0x7fff, 0x8000, 0x8001, 0xffff,
                               0x10000, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff,
                               0x0f, 0x10, 0x99, 0x9a, 0x09, 0x0a, 0xf9, 0xfa, 0x5555aaaa};
/* A random operand biased towards boundary values. */
static u32 operand(void) {
    u32 r = rnd();
    switch (r & 7) {
    case 0: return specials[(r >> 8) % (sizeof specials / sizeof specials[0])];
    case 1: return specials[(r >> 8) % (sizeof specials / sizeof specials[0])] ^ (rnd() & 0xffffff00);
    case 2: return rnd() & 0xff;
    case 3: return rnd() & 0xffff;
    case 4: return (u32)-(s32)(rnd() & 0xff);
    default: return rnd();
    }
}

enum { K_GEN, K_DIV8, K_DIV16, K_DIV32, K_IDIV8, K_IDIV16, K_IDIV32, K_CMPXCHG };

struct form {
    const char *name;
    u8 bytes[8];
    int len;
    u32 mask;
    int kind;
    int count;
};
static struct form forms[1200];
static int nforms;

static void add(const char *name, const u8 *bytes, int len, u32 mask, int kind, int count) {
    struct form *f = &forms[nforms++];
    f->name = name;
    for (int i = 0; i < len; i++) f->bytes[i] = bytes[i];
    f->len = len;
    f->mask = mask;
    f->kind = kind;
    f->count = count;
}
#define B(...) ((const u8[]){__VA_ARGS__}), (int)sizeof((const u8[]){__VA_ARGS__})

/* Sets EDX:EAX (or AX/DX:AX) and EBX for a division; returns 1 if it raises #DE. */
static int div_inputs(int kind, u32 *eax, u32 *ebx, u32 *edx) {
    u32 r = rnd();
    int fault_case = (r & 15) == 0;
    switch (kind) {
    case K_DIV8: {
        u32 d = operand() & 0xff;
        u32 q = fault_case ? (rnd() & 0x3ff) : (rnd() & 0xff);
        if (d == 0) d = fault_case ? 0 : 1;
        u32 rem = d ? rnd() % d : 0;
        u32 n = (q * d + rem) & 0xffff;
        *eax = (*eax & 0xffff0000) | n;
        *ebx = (*ebx & ~0xffu) | d;
        return d == 0 || n / d > 0xff;
    }
    case K_DIV16: {
        u32 d = operand() & 0xffff;
        u32 q = fault_case ? (rnd() & 0x3ffff) : (rnd() & 0xffff);
        if (d == 0) d = fault_case ? 0 : 1;
        u32 rem = d ? rnd() % d : 0;
        u64 n = ((u64)q * d + rem) & 0xffffffffu;
        *eax = (*eax & 0xffff0000) | (u32)(n & 0xffff);
        *edx = (*edx & 0xffff0000) | (u32)(n >> 16);
        *ebx = (*ebx & ~0xffffu) | d;
        if (d == 0) return 1;
        return (n >> 16) >= d;
    }
    case K_DIV32: {
        u32 d = operand();
        if (d == 0 && !fault_case) d = 1;
        if (fault_case) {
            *edx = d ? d + (rnd() & 3) : operand();
            if (d && *edx < d) *edx = d;
            *ebx = d;
            *eax = operand();
            return 1;
        }
        u32 q = operand();
        u32 rem = rnd() % d;
        u64 n = (u64)q * d + rem;
        *eax = (u32)n;
        *edx = (u32)(n >> 32);
        *ebx = d;
        return 0;
    }
    case K_IDIV8:
    case K_IDIV16:
    case K_IDIV32: {
        int bits = kind == K_IDIV8 ? 8 : kind == K_IDIV16 ? 16 : 32;
        s64 lo = -((s64)1 << (bits - 1)), hi = ((s64)1 << (bits - 1)) - 1;
        s32 d = (s32)operand();
        d = bits == 32 ? d : (s32)((u32)d << (32 - bits)) >> (32 - bits);
        if (d == 0 && !fault_case) d = 1;
        s64 q;
        if (fault_case) q = (rnd() & 1) ? hi + 1 + (rnd() & 7) : lo - 1 - (rnd() & 7);
        else {
            q = (s32)operand();
            if (bits < 32) q = (s32)((u32)q << (32 - bits)) >> (32 - bits);
        }
        s64 ad = d < 0 ? -(s64)d : d;
        s64 rem = ad ? (s64)(rnd() % (u32)ad) : 0;
        s64 prod = q * (s64)d;
        if (prod < 0) rem = -rem;
        s64 n = prod + rem;
        int de = d == 0 || q < lo || q > hi;
        if (bits == 8) {
            *eax = (*eax & 0xffff0000) | ((u32)n & 0xffff);
            *ebx = (*ebx & ~0xffu) | ((u32)d & 0xff);
            if (n < -32768 || n > 32767) de = 1;
        } else if (bits == 16) {
            *eax = (*eax & 0xffff0000) | ((u32)n & 0xffff);
            *edx = (*edx & 0xffff0000) | (((u32)n >> 16) & 0xffff);
            *ebx = (*ebx & ~0xffffu) | ((u32)d & 0xffff);
            if (n < -2147483647LL - 1 || n > 2147483647LL) de = 1;
        } else {
            *eax = (u32)n;
            *edx = (u32)((u64)n >> 32);
            *ebx = (u32)d;
        }
        return de;
    }
    }
    return 0;
}

static void run_form(int id) {
    struct form *f = &forms[id];
    for (int i = 0; i < f->len; i++) codebuf[i] = f->bytes[i];
    codebuf[f->len] = 0xc3;
    for (int n = 0; n < f->count; n++) {
        u32 eax = operand(), ebx = operand(), edx = operand();
        u32 cl = rnd() & 0xff;
        if ((cl & 3) != 0) cl = rnd() % 40;
        u32 fl = rnd() & (CF | PF | AF | ZF | SF | OF);
        if (rnd() & 1) fl |= (rnd() & DF);
        int de = 0;
        if (f->kind >= K_DIV8 && f->kind <= K_IDIV32) de = div_inputs(f->kind, &eax, &ebx, &edx);
        if (f->kind == K_CMPXCHG && (rnd() & 1)) edx = eax;
        if (f->bytes[0] == 0xd4 && f->bytes[1] == 0) de = 1; /* aam 0 */
        u16 id16 = (u16)(id | (de ? 0x8000 : 0));
        u16 fin = (u16)fl, fout = (u16)fl;
        u32 oeax = eax, oebx = ebx, oedx = edx;
        if (!de) {
            io_in_eax = eax; io_in_ebx = ebx; io_in_ecx = cl; io_in_edx = edx;
            io_in_fl = fl | 0x202;
            run_code();
            if (io_out_ecx != cl) {
                emits("ECX changed\n");
                sys3(4, 2, (int)out, (int)outlen);
                sys3(1, 3, 0, 0);
            }
            fout = (u16)(io_out_fl & ALLF);
            oeax = io_out_eax; oebx = io_out_ebx; oedx = io_out_edx;
        }
        u8 c8 = (u8)cl;
        emit(&id16, 2); emit(&fin, 2); emit(&fout, 2);
        emit(&eax, 4); emit(&ebx, 4); emit(&edx, 4); emit(&c8, 1);
        emit(&oeax, 4); emit(&oebx, 4); emit(&oedx, 4);
    }
}

static const char *const alu_names[8][6] = {
    {"add r/m8,r8", "add r/m32,r32", "add r8,r/m8", "add r32,r/m32", "add al,imm8", "add eax,imm32"},
    {"or r/m8,r8", "or r/m32,r32", "or r8,r/m8", "or r32,r/m32", "or al,imm8", "or eax,imm32"},
    {"adc r/m8,r8", "adc r/m32,r32", "adc r8,r/m8", "adc r32,r/m32", "adc al,imm8", "adc eax,imm32"},
    {"sbb r/m8,r8", "sbb r/m32,r32", "sbb r8,r/m8", "sbb r32,r/m32", "sbb al,imm8", "sbb eax,imm32"},
    {"and r/m8,r8", "and r/m32,r32", "and r8,r/m8", "and r32,r/m32", "and al,imm8", "and eax,imm32"},
    {"sub r/m8,r8", "sub r/m32,r32", "sub r8,r/m8", "sub r32,r/m32", "sub al,imm8", "sub eax,imm32"},
    {"xor r/m8,r8", "xor r/m32,r32", "xor r8,r/m8", "xor r32,r/m32", "xor al,imm8", "xor eax,imm32"},
    {"cmp r/m8,r8", "cmp r/m32,r32", "cmp r8,r/m8", "cmp r32,r/m32", "cmp al,imm8", "cmp eax,imm32"},
};
static const char *const grp2[8] = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};

void _start(void) {
    sys3(125, (int)codebuf, 4096, 7); /* mprotect RWX */
    const int N = 120;
    /* ALU: every encoding form, 8/16/32-bit */
    for (int op = 0; op < 8; op++) {
        u8 b = (u8)(op << 3);
        /* Every form compares all of CF PF AF ZF SF DF OF, the flags Intel leaves undefined
           included: this host produces them deterministically and cpu-x86 reproduces them. */
        u32 m = ALLF;
        add(alu_names[op][0], B(b + 0, 0xd8), m, K_GEN, N);
        add(alu_names[op][1], B(b + 1, 0xd8), m, K_GEN, N);
        add("(16) r/m16,r16", B(0x66, b + 1, 0xd8), m, K_GEN, N);
        add(alu_names[op][2], B(b + 2, 0xc3), m, K_GEN, N);
        add(alu_names[op][3], B(b + 3, 0xc3), m, K_GEN, N);
        add("(16) r16,r/m16", B(0x66, b + 3, 0xc3), m, K_GEN, N);
        add(alu_names[op][4], B(b + 4, 0x7f), m, K_GEN, N);
        add(alu_names[op][4], B(b + 4, 0x80), m, K_GEN, N);
        add(alu_names[op][4], B(b + 4, 0x01), m, K_GEN, N);
        add(alu_names[op][5], B(b + 5, 0x78, 0x56, 0x34, 0x12), m, K_GEN, N);
        add(alu_names[op][5], B(b + 5, 0x00, 0x00, 0x00, 0x80), m, K_GEN, N);
        add(alu_names[op][5], B(b + 5, 0xff, 0xff, 0xff, 0xff), m, K_GEN, N);
        add("(16) ax,imm16", B(0x66, b + 5, 0x34, 0x12), m, K_GEN, N);
        add("(16) ax,imm16", B(0x66, b + 5, 0x00, 0x80), m, K_GEN, N);
        u8 modrm = (u8)(0xc0 | b);
        static const u8 imms[] = {0x00, 0x01, 0x7f, 0x80, 0xff};
        for (int i = 0; i < 5; i++) {
            add("grp1 80 r/m8,imm8", B(0x80, modrm, imms[i]), m, K_GEN, N);
            add("grp1 82 r/m8,imm8 (alias)", B(0x82, modrm, imms[i]), m, K_GEN, 40);
            add("grp1 83 r/m32,imm8 sign-extended", B(0x83, modrm, imms[i]), m, K_GEN, N);
            add("grp1 83 r/m16,imm8 sign-extended", B(0x66, 0x83, modrm, imms[i]), m, K_GEN, N);
        }
        add("grp1 81 r/m32,imm32", B(0x81, modrm, 0x78, 0x56, 0x34, 0x12), m, K_GEN, N);
        add("grp1 81 r/m32,imm32", B(0x81, modrm, 0x01, 0x00, 0x00, 0x80), m, K_GEN, N);
        add("grp1 81 r/m16,imm16", B(0x66, 0x81, modrm, 0x34, 0x82), m, K_GEN, N);
    }
    /* TEST */
    add("test r/m8,r8", B(0x84, 0xd8), ALLF, K_GEN, N);
    add("test r/m32,r32", B(0x85, 0xd8), ALLF, K_GEN, N);
    add("test r/m16,r16", B(0x66, 0x85, 0xd8), ALLF, K_GEN, N);
    add("test al,imm8", B(0xa8, 0x81), ALLF, K_GEN, N);
    add("test eax,imm32", B(0xa9, 0x01, 0x80, 0x00, 0x80), ALLF, K_GEN, N);
    add("test ax,imm16", B(0x66, 0xa9, 0x01, 0x80), ALLF, K_GEN, N);
    add("test r/m8,imm8", B(0xf6, 0xc0, 0x0f), ALLF, K_GEN, N);
    add("test r/m32,imm32", B(0xf7, 0xc0, 0xff, 0x00, 0x00, 0x80), ALLF, K_GEN, N);
    add("test r/m16,imm16", B(0x66, 0xf7, 0xc0, 0x00, 0x80), ALLF, K_GEN, N);
    /* shifts and rotates: by 1, by CL, by imm8 */
    for (int op = 0; op < 8; op++) {
        u8 modrm = (u8)(0xc0 | (op << 3));
        add(grp2[op], B(0xd0, modrm), ALLF, K_GEN, N);
        add(grp2[op], B(0xd1, modrm), ALLF, K_GEN, N);
        add(grp2[op], B(0x66, 0xd1, modrm), ALLF, K_GEN, N);
        add(grp2[op], B(0xd2, modrm), ALLF, K_GEN, 300);
        add(grp2[op], B(0xd3, modrm), ALLF, K_GEN, 300);
        add(grp2[op], B(0x66, 0xd3, modrm), ALLF, K_GEN, 300);
        static const u8 counts[] = {0, 1, 2, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 0xff};
        for (int i = 0; i < 14; i++) {
            add(grp2[op], B(0xc0, modrm, counts[i]), ALLF, K_GEN, 50);
            add(grp2[op], B(0xc1, modrm, counts[i]), ALLF, K_GEN, 50);
            add(grp2[op], B(0x66, 0xc1, modrm, counts[i]), ALLF, K_GEN, 50);
        }
    }
    /* double shifts */
    add("shld r/m32,r32,cl", B(0x0f, 0xa5, 0xd8), ALLF, K_GEN, 800);
    add("shld r/m16,r16,cl", B(0x66, 0x0f, 0xa5, 0xd8), ALLF, K_GEN, 800);
    add("shrd r/m32,r32,cl", B(0x0f, 0xad, 0xd8), ALLF, K_GEN, 800);
    add("shrd r/m16,r16,cl", B(0x66, 0x0f, 0xad, 0xd8), ALLF, K_GEN, 800);
    {
        static const u8 counts[] = {0, 1, 2, 7, 8, 15, 16, 17, 31, 32, 33};
        for (int i = 0; i < 11; i++) {
            add("shld r/m32,r32,imm8", B(0x0f, 0xa4, 0xd8, counts[i]), ALLF, K_GEN, 80);
            add("shld r/m16,r16,imm8", B(0x66, 0x0f, 0xa4, 0xd8, counts[i]), ALLF, K_GEN, 80);
            add("shrd r/m32,r32,imm8", B(0x0f, 0xac, 0xd8, counts[i]), ALLF, K_GEN, 80);
            add("shrd r/m16,r16,imm8", B(0x66, 0x0f, 0xac, 0xd8, counts[i]), ALLF, K_GEN, 80);
        }
    }
    /* multiply and divide */
    add("mul r/m8", B(0xf6, 0xe3), ALLF, K_GEN, 1000);
    add("mul r/m32", B(0xf7, 0xe3), ALLF, K_GEN, 1000);
    add("mul r/m16", B(0x66, 0xf7, 0xe3), ALLF, K_GEN, 1000);
    add("imul r/m8", B(0xf6, 0xeb), ALLF, K_GEN, 1000);
    add("imul r/m32", B(0xf7, 0xeb), ALLF, K_GEN, 1000);
    add("imul r/m16", B(0x66, 0xf7, 0xeb), ALLF, K_GEN, 1000);
    add("imul r32,r/m32", B(0x0f, 0xaf, 0xc3), ALLF, K_GEN, 1000);
    add("imul r16,r/m16", B(0x66, 0x0f, 0xaf, 0xc3), ALLF, K_GEN, 1000);
    add("imul r32,r/m32,imm8", B(0x6b, 0xc3, 0x7f), ALLF, K_GEN, 500);
    add("imul r32,r/m32,imm8", B(0x6b, 0xc3, 0x80), ALLF, K_GEN, 500);
    add("imul r16,r/m16,imm8", B(0x66, 0x6b, 0xc3, 0xfd), ALLF, K_GEN, 500);
    add("imul r32,r/m32,imm32", B(0x69, 0xc3, 0x39, 0x30, 0x00, 0x00), ALLF, K_GEN, 500);
    add("imul r32,r/m32,imm32", B(0x69, 0xc3, 0x01, 0x00, 0x01, 0x80), ALLF, K_GEN, 500);
    add("imul r16,r/m16,imm16", B(0x66, 0x69, 0xc3, 0x01, 0x80), ALLF, K_GEN, 500);
    add("div r/m8", B(0xf6, 0xf3), ALLF, K_DIV8, 1500);
    add("div r/m16", B(0x66, 0xf7, 0xf3), ALLF, K_DIV16, 1500);
    add("div r/m32", B(0xf7, 0xf3), ALLF, K_DIV32, 1500);
    add("idiv r/m8", B(0xf6, 0xfb), ALLF, K_IDIV8, 1500);
    add("idiv r/m16", B(0x66, 0xf7, 0xfb), ALLF, K_IDIV16, 1500);
    add("idiv r/m32", B(0xf7, 0xfb), ALLF, K_IDIV32, 1500);
    /* inc dec neg not */
    add("inc r32 (40)", B(0x40), ALLF, K_GEN, 500);
    add("inc r16 (66 40)", B(0x66, 0x40), ALLF, K_GEN, 500);
    add("dec r32 (48)", B(0x48), ALLF, K_GEN, 500);
    add("dec r16 (66 48)", B(0x66, 0x48), ALLF, K_GEN, 500);
    add("inc r/m8", B(0xfe, 0xc0), ALLF, K_GEN, 500);
    add("dec r/m8", B(0xfe, 0xc8), ALLF, K_GEN, 500);
    add("inc r/m32", B(0xff, 0xc0), ALLF, K_GEN, 500);
    add("dec r/m32", B(0xff, 0xc8), ALLF, K_GEN, 500);
    add("inc r/m16", B(0x66, 0xff, 0xc0), ALLF, K_GEN, 500);
    add("neg r/m8", B(0xf6, 0xd8), ALLF, K_GEN, 500);
    add("neg r/m32", B(0xf7, 0xd8), ALLF, K_GEN, 500);
    add("neg r/m16", B(0x66, 0xf7, 0xd8), ALLF, K_GEN, 500);
    add("not r/m8", B(0xf6, 0xd0), ALLF, K_GEN, 300);
    add("not r/m32", B(0xf7, 0xd0), ALLF, K_GEN, 300);
    add("not r/m16", B(0x66, 0xf7, 0xd0), ALLF, K_GEN, 300);
    /* bit operations */
    add("bt r/m32,r32", B(0x0f, 0xa3, 0xd8), ALLF, K_GEN, 500);
    add("bts r/m32,r32", B(0x0f, 0xab, 0xd8), ALLF, K_GEN, 500);
    add("btr r/m32,r32", B(0x0f, 0xb3, 0xd8), ALLF, K_GEN, 500);
    add("btc r/m32,r32", B(0x0f, 0xbb, 0xd8), ALLF, K_GEN, 500);
    add("bt r/m16,r16", B(0x66, 0x0f, 0xa3, 0xd8), ALLF, K_GEN, 300);
    add("bts r/m16,r16", B(0x66, 0x0f, 0xab, 0xd8), ALLF, K_GEN, 300);
    add("btr r/m16,r16", B(0x66, 0x0f, 0xb3, 0xd8), ALLF, K_GEN, 300);
    add("btc r/m16,r16", B(0x66, 0x0f, 0xbb, 0xd8), ALLF, K_GEN, 300);
    {
        static const u8 bits[] = {0, 5, 15, 16, 31, 33};
        for (int i = 0; i < 6; i++)
            for (int op = 4; op < 8; op++) {
                add("bt* r/m32,imm8", B(0x0f, 0xba, (u8)(0xc0 | op << 3), bits[i]), ALLF, K_GEN, 100);
                add("bt* r/m16,imm8", B(0x66, 0x0f, 0xba, (u8)(0xc0 | op << 3), bits[i]), ALLF, K_GEN, 60);
            }
    }
    add("bsf r32,r/m32", B(0x0f, 0xbc, 0xc3), ALLF, K_GEN, 800);
    add("bsr r32,r/m32", B(0x0f, 0xbd, 0xc3), ALLF, K_GEN, 800);
    add("bsf r16,r/m16", B(0x66, 0x0f, 0xbc, 0xc3), ALLF, K_GEN, 800);
    add("bsr r16,r/m16", B(0x66, 0x0f, 0xbd, 0xc3), ALLF, K_GEN, 800);
    /* BCD */
    add("daa", B(0x27), ALLF, K_GEN, 2000);
    add("das", B(0x2f), ALLF, K_GEN, 2000);
    add("aaa", B(0x37), ALLF, K_GEN, 2000);
    add("aas", B(0x3f), ALLF, K_GEN, 2000);
    add("aam", B(0xd4, 0x0a), ALLF, K_GEN, 1000);
    add("aam imm8", B(0xd4, 0x07), ALLF, K_GEN, 500);
    add("aam 0 (#DE)", B(0xd4, 0x00), ALLF, K_GEN, 20);
    add("aad", B(0xd5, 0x0a), ALLF, K_GEN, 1000);
    add("aad imm8", B(0xd5, 0x10), ALLF, K_GEN, 500);
    /* flag instructions */
    add("cmc", B(0xf5), ALLF, K_GEN, 100);
    add("clc", B(0xf8), ALLF, K_GEN, 100);
    add("stc", B(0xf9), ALLF, K_GEN, 100);
    add("cld", B(0xfc), ALLF, K_GEN, 100);
    add("std; pushf; pop edx; cld", B(0xfd, 0x9c, 0x5a, 0xfc), ALLF, K_GEN, 50);
    add("sahf", B(0x9e), ALLF, K_GEN, 300);
    add("lahf", B(0x9f), ALLF, K_GEN, 300);
    add("salc", B(0xd6), ALLF, K_GEN, 50);
    /* conversions, data movement with flags or special results */
    add("cwde", B(0x98), ALLF, K_GEN, 100);
    add("cbw", B(0x66, 0x98), ALLF, K_GEN, 100);
    add("cdq", B(0x99), ALLF, K_GEN, 100);
    add("cwd", B(0x66, 0x99), ALLF, K_GEN, 100);
    add("bswap eax", B(0x0f, 0xc8), ALLF, K_GEN, 100);
    add("xadd r/m32,r32", B(0x0f, 0xc1, 0xd8), ALLF, K_GEN, 300);
    add("xadd r/m16,r16", B(0x66, 0x0f, 0xc1, 0xd8), ALLF, K_GEN, 300);
    add("xadd r/m8,r8", B(0x0f, 0xc0, 0xd8), ALLF, K_GEN, 300);
    add("cmpxchg r/m32,r32", B(0x0f, 0xb1, 0xda), ALLF, K_CMPXCHG, 300);
    add("cmpxchg r/m16,r16", B(0x66, 0x0f, 0xb1, 0xda), ALLF, K_CMPXCHG, 300);
    add("cmpxchg r/m8,r8", B(0x0f, 0xb0, 0xda), ALLF, K_CMPXCHG, 300);
    add("xchg eax,ebx", B(0x93), ALLF, K_GEN, 50);
    add("xchg r/m32,r32", B(0x87, 0xd8), ALLF, K_GEN, 50);
    add("xchg r/m8,r8 (ah,bl)", B(0x86, 0xdc), ALLF, K_GEN, 50);
    add("movzx r32,r/m8", B(0x0f, 0xb6, 0xc3), ALLF, K_GEN, 50);
    add("movzx r32,r/m8 (bh)", B(0x0f, 0xb6, 0xc7), ALLF, K_GEN, 50);
    add("movzx r32,r/m16", B(0x0f, 0xb7, 0xc3), ALLF, K_GEN, 50);
    add("movsx r32,r/m8", B(0x0f, 0xbe, 0xc3), ALLF, K_GEN, 50);
    add("movsx r32,r/m16", B(0x0f, 0xbf, 0xc3), ALLF, K_GEN, 50);
    add("movsx r16,r/m8", B(0x66, 0x0f, 0xbe, 0xc3), ALLF, K_GEN, 50);
    add("lea eax,[ebx+edx*4+0x12345678]", B(0x8d, 0x84, 0x93, 0x78, 0x56, 0x34, 0x12), ALLF, K_GEN, 50);
    for (int cc = 0; cc < 16; cc++) {
        add("setcc r/m8", B(0x0f, (u8)(0x90 + cc), 0xc0), ALLF, K_GEN, 60);
        add("cmovcc r32,r/m32", B(0x0f, (u8)(0x40 + cc), 0xc3), ALLF, K_GEN, 60);
        add("cmovcc r16,r/m16", B(0x66, 0x0f, (u8)(0x40 + cc), 0xc3), ALLF, K_GEN, 30);
    }
    add("sbb eax,eax", B(0x19, 0xc0), ALLF, K_GEN, 50);

    u32 total = 0;
    for (int i = 0; i < nforms; i++) total += (u32)forms[i].count;
    emits("# forms ");
    emitdec((u32)nforms);
    emits(" vectors ");
    emitdec(total);
    emits("\n# form <id> <machine code hex> <compared EFLAGS mask hex> <vectors> <name>\n");
    for (int i = 0; i < nforms; i++) {
        emits("form ");
        emitdec((u32)i);
        emits(" ");
        for (int j = 0; j < forms[i].len; j++) emithex(forms[i].bytes[j], 2);
        emits(" ");
        emithex(forms[i].mask, 4);
        emits(" ");
        emitdec((u32)forms[i].count);
        emits(" ");
        emits(forms[i].name);
        emits("\n");
    }
    emits("data\n");
    for (int i = 0; i < nforms; i++) run_form(i);
    u32 off = 0;
    while (off < outlen) {
        int w = sys3(4, 1, (int)(out + off), (int)(outlen - off));
        if (w <= 0) sys3(1, 2, 0, 0);
        off += (u32)w;
    }
    sys3(1, 0, 0, 0);
}
