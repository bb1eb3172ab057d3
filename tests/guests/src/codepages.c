/* Code in data pages and the protections of an image's pages, as NT 4.0 has them:
 * - no page is non-executable (no NX before XP SP2): code runs from read-write, read-only
 *   and heap memory, and an execute-only page can be read;
 * - code rewritten in place runs as rewritten;
 * - a guard page on a code page raises STATUS_GUARD_PAGE_VIOLATION once, and the
 *   instruction then runs;
 * - write access to a page of an image view is copy-on-write access until the page is
 *   written, and MEM_COMMIT on an image view fails with ERROR_ACCESS_DENIED. */
#include "guest.h"

typedef DWORD (WINAPI *code_fn)(void);

typedef struct frame
{
    struct frame *prev;
    void *handler;
} frame;

static LONG guard_hits, av_hits;

static EXCEPTION_DISPOSITION __cdecl count_faults(EXCEPTION_RECORD *rec, void *f, CONTEXT *ctx,
                                                  void *disp)
{
    (void)f; (void)ctx; (void)disp;
    if (rec->ExceptionCode == STATUS_GUARD_PAGE_VIOLATION)
    {
        guard_hits++;
        return ExceptionContinueExecution;
    }
    if (rec->ExceptionCode == STATUS_ACCESS_VIOLATION)
        av_hits++;
    return ExceptionContinueSearch;
}

/* Calls `fn` with a handler that counts guard page violations and resumes. */
static DWORD call_counting(code_fn fn)
{
    frame f;
    DWORD r;
    NT_TIB *tib = (NT_TIB *)NtCurrentTeb();
    f.handler = (void *)count_faults;
    f.prev = (frame *)tib->ExceptionList;
    tib->ExceptionList = (EXCEPTION_REGISTRATION_RECORD *)&f;
    guard_hits = 0;
    av_hits = 0;
    r = fn();
    tib->ExceptionList = (EXCEPTION_REGISTRATION_RECORD *)f.prev;
    return r;
}

/* mov eax, imm32; ret */
static void put_return(BYTE *at, DWORD value)
{
    at[0] = 0xB8;
    at[1] = (BYTE)value;
    at[2] = (BYTE)(value >> 8);
    at[3] = (BYTE)(value >> 16);
    at[4] = (BYTE)(value >> 24);
    at[5] = 0xC3;
}

static const char rdata_marker[] = "a constant that stays in .rdata, never written";

static void data_pages_run_code(void)
{
    BYTE *page = VirtualAlloc(NULL, 0x1000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    BYTE *heap;
    DWORD old = 0;
    volatile BYTE *xo;

    put_return(page, 42);
    check_u("read-write page runs code", call_counting((code_fn)page));
    put_return(page, 43);
    check_u("rewritten code runs as rewritten", call_counting((code_fn)page));

    check_u("protect read-only", VirtualProtect(page, 0x1000, PAGE_READONLY, &old));
    check_u("read-only page runs code", call_counting((code_fn)page));

    check_u("protect guard", VirtualProtect(page, 0x1000, PAGE_READWRITE | PAGE_GUARD, &old));
    check_x("old protection", old);
    check_u("guarded code page result", call_counting((code_fn)page));
    check_u("guard page violations", (DWORD)guard_hits);
    check_u("access violations", (DWORD)av_hits);
    check_u("second call result", call_counting((code_fn)page));
    check_u("guard page violations then", (DWORD)guard_hits);

    check_u("protect execute-only", VirtualProtect(page, 0x1000, PAGE_EXECUTE, &old));
    xo = page;
    check_x("execute-only page reads", xo[0]);
    check_u("execute-only page runs code", call_counting((code_fn)page));
    VirtualFree(page, 0, MEM_RELEASE);

    heap = HeapAlloc(GetProcessHeap(), 0, 16);
    put_return(heap, 7);
    check_u("heap block runs code", call_counting((code_fn)heap));
    HeapFree(GetProcessHeap(), 0, heap);
}

static void image_pages_are_copy_on_write(void)
{
    BYTE *page = (BYTE *)((ULONG_PTR)rdata_marker & ~(ULONG_PTR)0xFFF);
    MEMORY_BASIC_INFORMATION info;
    DWORD old = 0;
    void *p;

    VirtualQuery(page, &info, sizeof(info));
    check_x("image page type", info.Type);
    check_x("image page protection", info.Protect);
    check_u("protect read-write", VirtualProtect(page, 1, PAGE_READWRITE, &old));
    check_x("old protection", old);
    VirtualQuery(page, &info, sizeof(info));
    check_x("unwritten image page asked read-write", info.Protect);
    check_u("protect execute-read-write", VirtualProtect(page, 1, PAGE_EXECUTE_READWRITE, &old));
    check_x("old protection", old);
    VirtualQuery(page, &info, sizeof(info));
    check_x("unwritten image page asked execute-read-write", info.Protect);
    page[0xFFF] ^= 1;
    VirtualQuery(page, &info, sizeof(info));
    check_x("after its first write", info.Protect);
    check_u("protect write-copy", VirtualProtect(page, 1, PAGE_WRITECOPY, &old));
    VirtualQuery(page, &info, sizeof(info));
    check_x("written image page asked write-copy", info.Protect);
    page[0xFFF] ^= 1;
    check_u("protect read-only", VirtualProtect(page, 1, PAGE_READONLY, &old));

    SetLastError(0xdeadbeef);
    p = VirtualAlloc(page, 0x1000, MEM_COMMIT, PAGE_READWRITE);
    check_x("MEM_COMMIT on an image view", (DWORD)(ULONG_PTR)p);
    check_u("its error", GetLastError());
}

void __stdcall start(void)
{
    data_pages_run_code();
    image_pages_are_copy_on_write();
    ExitProcess(0);
}
