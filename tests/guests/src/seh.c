/* seh.exe: structured exception handling through the x86 registration chain at fs:[0],
 * with hand-built EXCEPTION_REGISTRATION_RECORDs (no compiler __try support, no C runtime).
 *
 * Default mode, in order:
 *  1. av:      a write to address 0 inside a record whose handler moves the CONTEXT's Eip past
 *              the faulting instruction, sets Eax, and returns ExceptionContinueExecution.
 *  2. div:     an integer divide by zero (div ecx, ecx = 0), handled the same way.
 *  3. nested:  two records: the inner handler returns ExceptionContinueSearch, the outer one
 *              handles the exception.
 *  4. unwind:  two records: the outer handler calls RtlUnwind(outer, 0, record, 0x1234), which
 *              calls the inner handler with EXCEPTION_UNWINDING and unlinks it, and returns
 *              with eax = 0x1234; the outer handler then jumps to its resume point, as an
 *              __except block's handler does.
 *  5. raise:   RaiseException(0xE0000001, 0, 2, {7, 9}) handled with
 *              ExceptionContinueExecution: RaiseException returns to its caller.
 *  6. int:     `int 0x40` (no user-mode gate: a general protection fault), handled.
 *  7. handler-fault: a handler that faults itself (a nested exception).
 *  8. stack:   deep recursion grows the stack through its guard page (no exception).
 *  9. bad:     a record outside the stack is not called (NT checks each record lies within
 *              the TEB's stack limits): with only that record on the chain the access
 *              violation is unhandled and ends the process with 0xC0000005.
 * "filter" mode: SetUnhandledExceptionFilter's filter sees an unhandled divide by zero and
 * returns EXCEPTION_EXECUTE_HANDLER: the process ends with 0xC0000094, silently.
 * "crt" mode: a handler does what the MSVC C runtime's start-up does with an unhandled
 * exception: UnhandledExceptionFilter prints the unhandled-exception line and returns
 * EXCEPTION_EXECUTE_HANDLER, and the process ends with the exception code. "crt-filter" mode:
 * the same with a top-level filter set, which UnhandledExceptionFilter calls first.
 * "noncontinuable" mode: a handler continues a noncontinuable RaiseException, which raises
 * STATUS_NONCONTINUABLE_EXCEPTION chained to it; the handler then ends the process.
 * "forever" mode: a handler continues without fixing the fault, which recurs forever.
 * "resume" mode: the top-level filter moves Eip past the divide and returns
 * EXCEPTION_CONTINUE_EXECUTION; the program goes on and exits with 0. */
#include "guest.h"

typedef struct REG {
    struct REG *next;
    void *handler;
} REG;

static void link(REG *r, void *handler)
{
    r->handler = handler;
    __asm__ volatile("movl %%fs:0, %0" : "=r"(r->next));
    __asm__ volatile("movl %0, %%fs:0" : : "r"(r) : "memory");
}

static void unlink(REG *r)
{
    __asm__ volatile("movl %0, %%fs:0" : : "r"(r->next) : "memory");
}

static REG *head(void)
{
    REG *h;
    __asm__ volatile("movl %%fs:0, %0" : "=r"(h));
    return h;
}

/* What the last handler saw. */
static DWORD seen_code, seen_flags, seen_params, seen_p0, seen_p1;
static DWORD skip;            /* bytes the handler moves Eip on */
static int inner_calls, inner_unwinds, outer_calls;
static DWORD inner_unwind_flags;

static EXCEPTION_DISPOSITION __cdecl skip_handler(EXCEPTION_RECORD *rec, void *frame,
                                                  CONTEXT *ctx, void *dc)
{
    (void)frame; (void)dc;
    seen_code = rec->ExceptionCode;
    seen_flags = rec->ExceptionFlags;
    seen_params = rec->NumberParameters;
    seen_p0 = rec->NumberParameters > 0 ? rec->ExceptionInformation[0] : 0xffffffff;
    seen_p1 = rec->NumberParameters > 1 ? rec->ExceptionInformation[1] : 0xffffffff;
    outer_calls++;
    ctx->Eip += skip;
    ctx->Eax = 1234;
    return ExceptionContinueExecution;
}

static EXCEPTION_DISPOSITION __cdecl inner_handler(EXCEPTION_RECORD *rec, void *frame,
                                                   CONTEXT *ctx, void *dc)
{
    (void)frame; (void)ctx; (void)dc;
    if (rec->ExceptionFlags & 2) { /* EXCEPTION_UNWINDING */
        inner_unwinds++;
        inner_unwind_flags = rec->ExceptionFlags;
    } else {
        inner_calls++;
    }
    return ExceptionContinueSearch;
}

static DWORD unwind_eax;
static REG *head_after_unwind;
static void *resume_point[5];

/* The outer handler of the unwind case does what an __except block's handler does: it
 * unwinds the frames below its own with RtlUnwind, then jumps to its resume point (here with
 * GCC's __builtin_longjmp, which restores esp and ebp) and never returns. */
static EXCEPTION_DISPOSITION __cdecl unwinding_handler(EXCEPTION_RECORD *rec, void *frame,
                                                       CONTEXT *ctx, void *dc)
{
    DWORD eax;
    void (WINAPI *unwind)(PVOID, PVOID, PEXCEPTION_RECORD, PVOID) = RtlUnwind;
    (void)dc; (void)ctx;
    if (rec->ExceptionFlags & 6)
        return ExceptionContinueSearch;
    outer_calls++;
    __asm__ volatile("pushl $0x1234\n\tpushl %1\n\tpushl $0\n\tpushl %2\n\tcall *%3"
                     : "=a"(eax)
                     : "r"(rec), "r"(frame), "r"(unwind)
                     : "ecx", "edx", "memory");
    unwind_eax = eax;
    head_after_unwind = head();
    __builtin_longjmp(resume_point, 1);
}

/* Each fault is one instruction of known length, so handlers can step over it. */
static DWORD write_null(void)
{
    DWORD eax = 0;
    __asm__ volatile("movl $1, 0" : "+a"(eax) : : "memory"); /* 10 bytes */
    return eax;
}

static DWORD divide_zero(void)
{
    DWORD eax = 100;
    __asm__ volatile("xorl %%edx, %%edx\n\txorl %%ecx, %%ecx\n\tdivl %%ecx" /* 2 bytes */
                     : "+a"(eax) : : "ecx", "edx");
    return eax;
}

static void show_seen(const char *what)
{
    put(what);
    put(": code="); put_x(seen_code);
    put(" flags="); put_u(seen_flags);
    put(" params="); put_u(seen_params);
    if (seen_params) { put(" p0="); put_x(seen_p0); put(" p1="); put_x(seen_p1); }
    put("\n");
}

static void case_av(void)
{
    REG r;
    DWORD result;
    skip = 10;
    link(&r, (void *)skip_handler);
    result = write_null();
    unlink(&r);
    show_seen("av");
    check_u("av-eax-from-context", result);
}

static void case_div(void)
{
    REG r;
    DWORD result;
    skip = 2;
    link(&r, (void *)skip_handler);
    result = divide_zero();
    unlink(&r);
    show_seen("div");
    check_u("div-eax-from-context", result);
}

static void case_nested(void)
{
    REG outer, inner;
    skip = 10;
    outer_calls = inner_calls = 0;
    link(&outer, (void *)skip_handler);
    link(&inner, (void *)inner_handler);
    write_null();
    unlink(&inner);
    unlink(&outer);
    check_u("nested-inner-calls", inner_calls);
    check_u("nested-outer-calls", outer_calls);
    check_u("nested-chain-restored", head() == outer.next);
}

/* The inner record lives in a callee's frame: records are linked in stack order. */
static __attribute__((noinline)) void unwind_inner(void)
{
    REG inner;
    link(&inner, (void *)inner_handler);
    write_null();
    put("not reached\n");
}

static void case_unwind(void)
{
    REG *volatile pouter;
    REG outer;
    outer_calls = inner_calls = inner_unwinds = 0;
    pouter = &outer;
    link(pouter, (void *)unwinding_handler);
    if (__builtin_setjmp(resume_point) == 0)
        unwind_inner();
    check_u("unwind-inner-calls", inner_calls);
    check_u("unwind-inner-unwinds", inner_unwinds);
    check_x("unwind-inner-flags", inner_unwind_flags);
    check_u("unwind-outer-calls", outer_calls);
    check_x("unwind-rtlunwind-eax", unwind_eax);
    check_u("unwind-head-is-outer", head_after_unwind == pouter);
    check_u("unwind-head-now", head() == pouter);
    unlink(pouter);
}

/* `int 0x40` has no user-mode gate: a general protection fault, which NT reports as an access
 * violation with parameters {0, 0xffffffff}, the context at the two-byte instruction. */
static void case_int(void)
{
    REG r;
    skip = 2;
    link(&r, (void *)skip_handler);
    __asm__ volatile("int $0x40" : : : "eax", "memory");
    unlink(&r);
    show_seen("int");
}

static void case_raise(void)
{
    REG r;
    ULONG_PTR args[2] = {7, 9};
    skip = 0;
    link(&r, (void *)skip_handler);
    RaiseException(0xE0000001, 0, 2, args);
    unlink(&r);
    show_seen("raise");
}

static void case_bad_record(void)
{
    /* A record in the image's data, not on the stack: NT's dispatcher does not call it. */
    static REG bogus;
    bogus.next = (REG *)0xffffffff;
    bogus.handler = (void *)skip_handler;
    __asm__ volatile("movl %0, %%fs:0" : : "r"(&bogus) : "memory");
    put("unhandled next\n");
    write_null();
    put("not reached\n");
}

/* Recursion 200 deep with a 512-byte frame each: about 100 KiB of stack, touched a page at
 * a time, so the stack grows through its guard page as NT grows it (the image commits only
 * 4 KiB). */
static __attribute__((noinline)) DWORD deep(DWORD n)
{
    volatile char frame[512];
    DWORD i, sum = 0;
    for (i = 0; i < sizeof frame; i++) frame[i] = (char)n;
    if (n) sum = deep(n - 1);
    return sum + (BYTE)frame[n % sizeof frame];
}

static void case_stack(void)
{
    check_u("stack-sum", deep(200));
}

/* A handler that faults itself: the nested exception's dispatch passes the dispatcher's own
 * record (ExceptionNestedException), calls this handler again with EXCEPTION_NESTED_CALL (it
 * declines then), and the outer handler skips the faulting write in this handler. */
static int faulting_calls;
static DWORD faulting_nested_flag;

static EXCEPTION_DISPOSITION __cdecl faulting_handler(EXCEPTION_RECORD *rec, void *frame,
                                                      CONTEXT *ctx, void *dc)
{
    (void)frame; (void)ctx; (void)dc;
    faulting_calls++;
    if (rec->ExceptionFlags & 0x10) { /* EXCEPTION_NESTED_CALL */
        faulting_nested_flag = 1;
        return ExceptionContinueSearch;
    }
    write_null();
    return ExceptionContinueSearch;
}

static __attribute__((noinline)) void nested_fault_inner(void)
{
    REG inner;
    link(&inner, (void *)faulting_handler);
    write_null();
    unlink(&inner);
}

static void case_fault_in_handler(void)
{
    REG outer;
    skip = 10;
    outer_calls = 0;
    link(&outer, (void *)skip_handler);
    nested_fault_inner();
    unlink(&outer);
    check_u("handler-fault-inner-calls", faulting_calls);
    check_u("handler-fault-nested-flag", faulting_nested_flag);
    check_u("handler-fault-outer-calls", outer_calls);
    check_u("handler-fault-chain-restored", head() == outer.next);
}

/* A handler that continues without fixing anything: the fault happens again forever, a
 * guest loop like any other. */
static EXCEPTION_DISPOSITION __cdecl stubborn_handler(EXCEPTION_RECORD *rec, void *frame,
                                                      CONTEXT *ctx, void *dc)
{
    (void)rec; (void)frame; (void)ctx; (void)dc;
    return ExceptionContinueExecution;
}

static LONG WINAPI exit_filter(EXCEPTION_POINTERS *p)
{
    put("filter: code="); put_x(p->ExceptionRecord->ExceptionCode); put("\n");
    return EXCEPTION_EXECUTE_HANDLER;
}

static LONG WINAPI resume_filter(EXCEPTION_POINTERS *p)
{
    put("filter: code="); put_x(p->ExceptionRecord->ExceptionCode); put("\n");
    p->ContextRecord->Eip += 2;
    p->ContextRecord->Eax = 77;
    return EXCEPTION_CONTINUE_EXECUTION;
}

/* What an MSVC C runtime's start-up does with an exception nobody else handled: its
 * __except filter calls UnhandledExceptionFilter, and on EXCEPTION_EXECUTE_HANDLER the
 * __except block ends the process with the exception code. */
static EXCEPTION_DISPOSITION __cdecl crt_handler(EXCEPTION_RECORD *rec, void *frame,
                                                 CONTEXT *ctx, void *dc)
{
    EXCEPTION_POINTERS pointers;
    LONG verdict;
    (void)frame; (void)dc;
    if (rec->ExceptionFlags & 6)
        return ExceptionContinueSearch;
    pointers.ExceptionRecord = rec;
    pointers.ContextRecord = ctx;
    verdict = UnhandledExceptionFilter(&pointers);
    put("verdict: "); put_i(verdict); put("\n");
    if (verdict == EXCEPTION_EXECUTE_HANDLER)
        ExitProcess(rec->ExceptionCode);
    return ExceptionContinueSearch;
}

/* Continuing a noncontinuable exception raises STATUS_NONCONTINUABLE_EXCEPTION, chained to
 * the original record. */
static EXCEPTION_DISPOSITION __cdecl stubborn_noncontinuable(EXCEPTION_RECORD *rec, void *frame,
                                                             CONTEXT *ctx, void *dc)
{
    (void)frame; (void)ctx; (void)dc;
    if (rec->ExceptionCode == 0xC0000025) {
        put("nested: code="); put_x(rec->ExceptionCode);
        put(" flags="); put_u(rec->ExceptionFlags);
        put(" chained="); put_x(rec->ExceptionRecord ? rec->ExceptionRecord->ExceptionCode : 0);
        put("\n");
        ExitProcess(0x25);
    }
    return ExceptionContinueExecution;
}

static int has_word(const char *s, const char *w)
{
    for (; *s; s++) {
        const char *a = s, *b = w;
        while (*b && *a == *b) { a++; b++; }
        if (!*b) return 1;
    }
    return 0;
}

void __stdcall start(void)
{
    const char *cmd = GetCommandLineA();
    if (has_word(cmd, " filter")) {
        LPTOP_LEVEL_EXCEPTION_FILTER old = SetUnhandledExceptionFilter(exit_filter);
        check_u("previous-filter", (unsigned long)old);
        divide_zero();
        put("not reached\n");
        ExitProcess(1);
    }
    if (has_word(cmd, " crt")) {
        REG r;
        if (has_word(cmd, " crt-filter"))
            SetUnhandledExceptionFilter(exit_filter);
        link(&r, (void *)crt_handler);
        write_null();
        ExitProcess(3);
    }
    if (has_word(cmd, " noncontinuable")) {
        REG r;
        link(&r, (void *)stubborn_noncontinuable);
        RaiseException(0xE0000002, EXCEPTION_NONCONTINUABLE, 0, NULL);
        put("not reached\n");
        ExitProcess(4);
    }
    if (has_word(cmd, " forever")) {
        REG r;
        link(&r, (void *)stubborn_handler);
        write_null();
        ExitProcess(2);
    }
    if (has_word(cmd, " resume")) {
        SetUnhandledExceptionFilter(resume_filter);
        check_u("resumed-eax", divide_zero());
        ExitProcess(0);
    }
    case_av();
    case_div();
    case_nested();
    case_unwind();
    case_raise();
    case_int();
    case_fault_in_handler();
    case_stack();
    case_bad_record();
    ExitProcess(0);
}
