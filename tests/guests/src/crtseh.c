/* crtseh.exe: __try/__except and __try/__finally as MSVC compiles them for x86, through
 * msvcrt's _except_handler3, _local_unwind2, _global_unwind2 and _abnormal_termination.
 * gcc has no __try, so the functions are written in assembly the way MSVC lays them out: an
 * EH3 registration record at ebp-0x10 {Next, _except_handler3, ScopeTable, TryLevel}, the
 * EXCEPTION_POINTERS slot at ebp-0x14, the saved stack pointer at ebp-0x18, scope tables of
 * {EnclosingLevel, Filter, Handler}, filters and __finally blocks as funclets that use the
 * frame's ebp, and __except blocks that restore esp from ebp-0x18. The C functions they call
 * print what happened. Linked with mingw-w64's start-up against msvcrt.dll; output in
 * tests/guests/expected/crtseh.expected. Cases:
 *  a: a fault in __try; the filter (which reads a local through ebp and the exception code
 *     through GetExceptionInformation's slot) returns EXCEPTION_EXECUTE_HANDLER.
 *  b: one frame, __try/__except around __try/__finally: the __finally runs (abnormally) by
 *     _local_unwind2 before the __except block.
 *  c: a fault in a called function whose frame has a __finally: _global_unwind2 unwinds it
 *     (its _except_handler3 runs its __finally) before the caller's __except block.
 *  d: RaiseException in __try; the filter returns EXCEPTION_CONTINUE_EXECUTION.
 *  e: an inner frame's filter returns EXCEPTION_CONTINUE_SEARCH; the outer one handles it.
 *  f: a return out of __try calls _local_unwind2(frame, -1): the __finally runs abnormally.
 */
#include <stddef.h>

typedef struct {
    unsigned long ExceptionCode, ExceptionFlags;
    void *ExceptionRecord, *ExceptionAddress;
    unsigned long NumberParameters;
    unsigned long ExceptionInformation[15];
} RECORD;
typedef struct {
    RECORD *ExceptionRecord;
    void *ContextRecord;
} POINTERS;

int __cdecl printf(const char *, ...);
int __cdecl _abnormal_termination(void);
int test_a(void), test_b(void), test_c(void), test_d(void), test_e(void), test_f(void);

static int order;

__attribute__((noinline)) void crtseh_fault(void)
{
    volatile int *volatile p = 0;
    *p = 1;
}

static void step(const char *what)
{
    printf("  %d %s\n", ++order, what);
}

int crtseh_filter_a(POINTERS *ep, int local)
{
    printf("  filter a: code %#lx, flags %lu, the frame's local %#x, abnormal %d\n",
           ep->ExceptionRecord->ExceptionCode, ep->ExceptionRecord->ExceptionFlags, local,
           _abnormal_termination());
    return 1;
}
void crtseh_handled_a(void) { step("__except block a"); }
int crtseh_filter_b(POINTERS *ep)
{
    step(ep->ExceptionRecord->ExceptionCode == 0xC0000005 ? "filter b (access violation)" : "filter b (?)");
    return 1;
}
void crtseh_finally_b(void)
{
    printf("  %d __finally b: _abnormal_termination %d\n", ++order, _abnormal_termination());
}
void crtseh_handled_b(void) { step("__except block b"); }
int crtseh_filter_c(POINTERS *ep)
{
    (void)ep;
    step("filter c (the outer frame)");
    return 1;
}
void crtseh_finally_c(void)
{
    printf("  %d __finally c in the inner frame: _abnormal_termination %d\n", ++order, _abnormal_termination());
}
void crtseh_handled_c(void) { step("__except block c"); }
int crtseh_filter_d(POINTERS *ep)
{
    printf("  %d filter d: code %#lx, continuing\n", ++order, ep->ExceptionRecord->ExceptionCode);
    return -1;
}
void crtseh_after_d(void) { step("RaiseException returned"); }
void crtseh_handled_d(void) { step("__except block d (not expected)"); }
int crtseh_filter_e_inner(POINTERS *ep)
{
    (void)ep;
    step("inner filter e: EXCEPTION_CONTINUE_SEARCH");
    return 0;
}
void crtseh_handled_e_inner(void) { step("inner __except block e (not expected)"); }
int crtseh_filter_e(POINTERS *ep)
{
    (void)ep;
    step("outer filter e: EXCEPTION_EXECUTE_HANDLER");
    return 1;
}
void crtseh_handled_e(void) { step("outer __except block e"); }
void crtseh_in_try_f(void) { step("in __try f, returning"); }
void crtseh_finally_f(void)
{
    printf("  %d __finally f: _abnormal_termination %d\n", ++order, _abnormal_termination());
}

/* The MSVC frame: prologue(scope) and epilogue(label). */
#define PROLOGUE(scope) \
    "push %ebp\n mov %esp,%ebp\n push $-1\n push $" scope "\n pushl __imp___except_handler3\n" \
    " pushl %fs:0\n mov %esp,%fs:0\n sub $12,%esp\n push %ebx\n push %esi\n push %edi\n" \
    " mov %esp,-24(%ebp)\n"
#define EPILOGUE \
    " mov -16(%ebp),%ecx\n mov %ecx,%fs:0\n pop %edi\n pop %esi\n pop %ebx\n mov %ebp,%esp\n pop %ebp\n ret\n"
#define EXCEPT_BLOCK(name, fn) \
    name ":\n mov -24(%ebp),%esp\n movl $-1,-4(%ebp)\n call _" fn "\n"
#define FILTER(name, fn) name ":\n pushl -20(%ebp)\n call _" fn "\n add $4,%esp\n ret\n"

__asm__(
    ".text\n"
    /* a */
    ".globl _test_a\n_test_a:\n" PROLOGUE("scope_a")
    " movl $0,-4(%ebp)\n movl $0x1234,-28(%ebp)\n call _crtseh_fault\n movl $-1,-4(%ebp)\n"
    " mov $0,%eax\n jmp a_end\n"
    "a_filter:\n pushl -28(%ebp)\n pushl -20(%ebp)\n call _crtseh_filter_a\n add $8,%esp\n ret\n"
    EXCEPT_BLOCK("a_handler", "crtseh_handled_a") " mov $1,%eax\n"
    "a_end:\n" EPILOGUE
    /* b */
    ".globl _test_b\n_test_b:\n" PROLOGUE("scope_b")
    " movl $0,-4(%ebp)\n movl $1,-4(%ebp)\n call _crtseh_fault\n movl $0,-4(%ebp)\n"
    " call _crtseh_finally_b\n movl $-1,-4(%ebp)\n mov $0,%eax\n jmp b_end\n"
    "b_finally:\n call _crtseh_finally_b\n ret\n"
    FILTER("b_filter", "crtseh_filter_b")
    EXCEPT_BLOCK("b_handler", "crtseh_handled_b") " mov $1,%eax\n"
    "b_end:\n" EPILOGUE
    /* c */
    "inner_c:\n" PROLOGUE("scope_ci")
    " movl $0,-4(%ebp)\n call _crtseh_fault\n movl $-1,-4(%ebp)\n call _crtseh_finally_c\n"
    " jmp ci_end\n"
    "ci_finally:\n call _crtseh_finally_c\n ret\n"
    "ci_end:\n" EPILOGUE
    ".globl _test_c\n_test_c:\n" PROLOGUE("scope_c")
    " movl $0,-4(%ebp)\n call inner_c\n movl $-1,-4(%ebp)\n mov $0,%eax\n jmp c_end\n"
    FILTER("c_filter", "crtseh_filter_c")
    EXCEPT_BLOCK("c_handler", "crtseh_handled_c") " mov $1,%eax\n"
    "c_end:\n" EPILOGUE
    /* d */
    ".globl _test_d\n_test_d:\n" PROLOGUE("scope_d")
    " movl $0,-4(%ebp)\n push $0\n push $0\n push $0\n push $0xE0000001\n"
    " call *__imp__RaiseException@16\n call _crtseh_after_d\n movl $-1,-4(%ebp)\n mov $0,%eax\n"
    " jmp d_end\n"
    FILTER("d_filter", "crtseh_filter_d")
    EXCEPT_BLOCK("d_handler", "crtseh_handled_d") " mov $1,%eax\n"
    "d_end:\n" EPILOGUE
    /* e */
    "inner_e:\n" PROLOGUE("scope_ei")
    " movl $0,-4(%ebp)\n call _crtseh_fault\n movl $-1,-4(%ebp)\n jmp ei_end\n"
    FILTER("ei_filter", "crtseh_filter_e_inner")
    EXCEPT_BLOCK("ei_handler", "crtseh_handled_e_inner")
    "ei_end:\n" EPILOGUE
    ".globl _test_e\n_test_e:\n" PROLOGUE("scope_e")
    " movl $0,-4(%ebp)\n call inner_e\n movl $-1,-4(%ebp)\n mov $0,%eax\n jmp e_end\n"
    FILTER("e_filter", "crtseh_filter_e")
    EXCEPT_BLOCK("e_handler", "crtseh_handled_e") " mov $1,%eax\n"
    "e_end:\n" EPILOGUE
    /* f */
    ".globl _test_f\n_test_f:\n" PROLOGUE("scope_f")
    " movl $0,-4(%ebp)\n call _crtseh_in_try_f\n push $-1\n lea -16(%ebp),%eax\n push %eax\n"
    " call *__imp___local_unwind2\n add $8,%esp\n mov $7,%eax\n jmp f_end\n"
    "f_finally:\n call _crtseh_finally_f\n ret\n"
    "f_end:\n" EPILOGUE
    ".section .rdata,\"dr\"\n"
    "scope_a: .long -1, a_filter, a_handler\n"
    "scope_b: .long -1, b_filter, b_handler\n .long 0, 0, b_finally\n"
    "scope_ci: .long -1, 0, ci_finally\n"
    "scope_c: .long -1, c_filter, c_handler\n"
    "scope_d: .long -1, d_filter, d_handler\n"
    "scope_ei: .long -1, ei_filter, ei_handler\n"
    "scope_e: .long -1, e_filter, e_handler\n"
    "scope_f: .long -1, 0, f_finally\n"
    ".text\n");

static void *fs0(void)
{
    void *p;
    __asm__ volatile("movl %%fs:0, %0" : "=r"(p));
    return p;
}

int main(void)
{
    void *chain = fs0();
    int (*tests[])(void) = {test_a, test_b, test_c, test_d, test_e, test_f};
    for (int i = 0; i < 6; i++) {
        order = 0;
        printf("%c:\n", 'a' + i);
        int r = tests[i]();
        printf("  returned %d; fs:[0] as before: %d\n", r, fs0() == chain);
    }
    printf("_abnormal_termination outside a __finally: %d\n", _abnormal_termination());
    return 0;
}
