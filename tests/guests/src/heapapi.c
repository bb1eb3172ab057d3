/* heapapi.exe: NT 4.0's heap as KERNEL32 and NTDLL give it (HeapCreate, HeapAlloc, HeapReAlloc,
 * HeapSize, HeapFree, HeapValidate, HeapWalk, HeapLock, HeapCompact, GetProcessHeaps), moveable
 * memory (GlobalAlloc/LocalAlloc and their handles), NtQueryInformationProcess/Thread and
 * NtQuerySystemInformation, GlobalMemoryStatus, and the activation-context functions of
 * Windows XP a static import gets (none can be made). tests/heap.rs compares the output with
 * heapapi.expected. */
#include "guest.h"

typedef LONG (__stdcall *query_fn)(HANDLE, ULONG, void *, ULONG, ULONG *);
typedef LONG (__stdcall *sysinfo_fn)(ULONG, void *, ULONG, ULONG *);

typedef struct REG {
    struct REG *next;
    void *handler;
} REG;

static DWORD seen_code, seen_params, seen_p0, seen_calls;

/* Records the exception and continues: the failing heap call returns. */
static EXCEPTION_DISPOSITION __cdecl note_handler(EXCEPTION_RECORD *rec, void *frame,
                                                  CONTEXT *ctx, void *dc)
{
    (void)frame; (void)ctx; (void)dc;
    seen_code = rec->ExceptionCode;
    seen_params = rec->NumberParameters;
    seen_p0 = rec->NumberParameters > 0 ? rec->ExceptionInformation[0] : 0xffffffff;
    seen_calls++;
    return ExceptionContinueExecution;
}

static void flag(const char *name, int value) { check_u(name, value ? 1 : 0); }

static void check_err(const char *name)
{
    check_u(name, GetLastError());
}

static void heaps(void)
{
    HANDLE h = HeapCreate(0, 0x1000, 0x10000), g, procs[64];
    BYTE *p, *q, *r, *z, *big;
    PROCESS_HEAP_ENTRY e;
    DWORD n, i, regions = 0, busy = 0, found = 0, busy_bytes = 0;

    flag("HeapCreate fixed", h != NULL);
    p = HeapAlloc(h, 0, 10);
    flag("HeapAlloc 10", p != NULL);
    check_u("HeapAlloc aligned to 8", ((DWORD)p) & 7);
    check_u("HeapSize 10", HeapSize(h, 0, p));
    for (i = 0; i < 10; i++) p[i] = (BYTE)i;
    q = HeapAlloc(h, 0, 0);
    flag("HeapAlloc 0", q != NULL);
    check_u("HeapSize 0", HeapSize(h, 0, q));
    /* Growing in place with a busy block behind fails and leaves the block. */
    SetLastError(0xdeadbeef);
    r = HeapReAlloc(h, HEAP_REALLOC_IN_PLACE_ONLY, p, 200);
    flag("HeapReAlloc in place blocked", r == NULL);
    check_err("HeapReAlloc in place blocked error");
    check_u("HeapSize after failed in-place", HeapSize(h, 0, p));
    r = HeapReAlloc(h, 0, p, 300);
    flag("HeapReAlloc grow", r != NULL);
    check_u("HeapSize grown", HeapSize(h, 0, r));
    n = 0;
    for (i = 0; i < 10; i++) n += r[i] == i;
    check_u("data kept", n);
    r = HeapReAlloc(h, HEAP_REALLOC_IN_PLACE_ONLY, r, 16);
    flag("HeapReAlloc shrink in place", r != NULL);
    check_u("HeapSize shrunk", HeapSize(h, 0, r));
    z = HeapAlloc(h, HEAP_ZERO_MEMORY, 64);
    n = 0;
    for (i = 0; i < 64; i++) n += z[i];
    check_u("HEAP_ZERO_MEMORY sum", n);
    z = HeapReAlloc(h, HEAP_ZERO_MEMORY, z, 128);
    n = 0;
    for (i = 64; i < 128; i++) n += z[i];
    check_u("HeapReAlloc zeroes growth", n);
    /* A fixed heap of 64 KiB cannot hold 128 KiB. */
    SetLastError(0xdeadbeef);
    big = HeapAlloc(h, 0, 0x20000);
    flag("HeapAlloc beyond a fixed heap", big == NULL);
    check_err("HeapAlloc beyond a fixed heap error");
    flag("HeapValidate heap", HeapValidate(h, 0, NULL));
    flag("HeapValidate block", HeapValidate(h, 0, r));
    flag("HeapValidate inside a block", HeapValidate(h, 0, r + 8));
    flag("HeapLock", HeapLock(h));
    flag("HeapUnlock", HeapUnlock(h));
    flag("HeapCompact > 0", HeapCompact(h, 0) > 0);

    e.lpData = NULL;
    while (HeapWalk(h, &e)) {
        if (e.wFlags & PROCESS_HEAP_REGION) regions++;
        if (e.wFlags & PROCESS_HEAP_ENTRY_BUSY) {
            busy++;
            busy_bytes += e.cbData;
        }
    }
    check_err("HeapWalk end error");
    check_u("HeapWalk regions", regions);
    check_u("HeapWalk busy blocks", busy);
    check_u("HeapWalk busy bytes", busy_bytes);

    flag("HeapFree", HeapFree(h, 0, r));
    flag("HeapFree NULL", HeapFree(h, 0, NULL));
    flag("HeapFree q", HeapFree(h, 0, q));
    flag("HeapFree z", HeapFree(h, 0, z));

    /* A growable heap takes a block larger than its first reservation. */
    g = HeapCreate(HEAP_NO_SERIALIZE, 0, 0);
    big = HeapAlloc(g, 0, 0x100000);
    flag("growable big block", big != NULL);
    check_u("growable big size", HeapSize(g, 0, big));
    /* Shrinking a large block decommits its tail: it cannot grow back in place. */
    flag("large shrink in place", HeapReAlloc(g, HEAP_REALLOC_IN_PLACE_ONLY, big, 0x3000) == big);
    check_u("large shrunk size", HeapSize(g, 0, big));
    flag("large grow within its last page", HeapReAlloc(g, HEAP_REALLOC_IN_PLACE_ONLY, big, 0x3010) == big);
    SetLastError(0xdeadbeef);
    flag("large grow in place fails", HeapReAlloc(g, HEAP_REALLOC_IN_PLACE_ONLY, big, 0x6000) == NULL);
    check_err("large grow in place error");
    check_u("large size kept", HeapSize(g, 0, big));
    {
        MEMORY_BASIC_INFORMATION mbi;
        VirtualQuery(big + 0x4000, &mbi, sizeof(mbi));
        check_x("large tail state", mbi.State);
    }
    big = HeapReAlloc(g, 0, big, 0x100000);
    flag("large grow moves", big != NULL);
    check_u("large regrown size", HeapSize(g, 0, big));
    flag("growable big free", HeapFree(g, 0, big));

    n = GetProcessHeaps(64, procs);
    for (i = 0; i < n && i < 64; i++)
        found += (procs[i] == GetProcessHeap()) + (procs[i] == h) * 2 + (procs[i] == g) * 4;
    check_u("GetProcessHeaps finds all three", found);
    check_u("GetProcessHeaps with no room", GetProcessHeaps(0, NULL) == n);
    SetLastError(0xdeadbeef);
    flag("HeapDestroy of the process heap", HeapDestroy(GetProcessHeap()));
    check_err("HeapDestroy of the process heap error");
    flag("HeapDestroy", HeapDestroy(h));
    flag("HeapDestroy g", HeapDestroy(g));
    check_u("GetProcessHeaps after destroy", GetProcessHeaps(64, procs) == n - 2);
}

/* HEAP_GENERATE_EXCEPTIONS: a failed allocation raises STATUS_NO_MEMORY with the size of the
 * block it wanted (the request and its header, in 8-byte granules); continuing returns NULL
 * from the call. */
static void exceptions(void)
{
    HANDLE h = HeapCreate(HEAP_GENERATE_EXCEPTIONS, 0x1000, 0x10000);
    REG r;
    void *p;

    r.handler = (void *)note_handler;
    __asm__ volatile("movl %%fs:0, %0" : "=r"(r.next));
    __asm__ volatile("movl %0, %%fs:0" : : "r"(&r) : "memory");
    p = HeapAlloc(h, 0, 0x20000);
    check_u("HEAP_GENERATE_EXCEPTIONS returns", p == NULL);
    check_u("exceptions raised", seen_calls);
    check_x("exception code", seen_code);
    check_u("exception parameters", seen_params);
    check_x("exception parameter 0 (the block size)", seen_p0);
    seen_calls = 0;
    p = HeapAlloc(h, 0, 16);
    check_u("a good allocation raises nothing", seen_calls == 0 && p != NULL);
    HeapFree(h, 0, p);
    /* Without the flag on the heap, the call's own flag raises too. */
    {
        HANDLE g = HeapCreate(0, 0x1000, 0x10000);
        seen_calls = 0;
        p = HeapAlloc(g, HEAP_GENERATE_EXCEPTIONS, 0x20000);
        check_u("per-call flag raises", seen_calls);
        seen_calls = 0;
        p = HeapAlloc(g, 0, 0x20000);
        check_u("no flag raises nothing", seen_calls);
        HeapDestroy(g);
    }
    __asm__ volatile("movl %0, %%fs:0" : : "r"(r.next) : "memory");
    HeapDestroy(h);
}

static void moveable(void)
{
    HGLOBAL m = GlobalAlloc(GMEM_MOVEABLE | GMEM_ZEROINIT, 10), m2, d;
    BYTE *p, *f;
    HLOCAL l;

    flag("GlobalAlloc moveable", m != NULL);
    check_u("moveable handle odd word", ((DWORD)m) & 7);
    check_u("GlobalFlags unlocked", GlobalFlags(m));
    p = GlobalLock(m);
    flag("GlobalLock", p != NULL && (HGLOBAL)p != m);
    check_u("GlobalFlags locked once", GlobalFlags(m));
    flag("GlobalHandle of the pointer", GlobalHandle(p) == m);
    check_u("GlobalSize", GlobalSize(m));
    check_u("zeroed", p[0] + p[9]);
    SetLastError(0xdeadbeef);
    flag("GlobalUnlock to zero", GlobalUnlock(m));
    check_err("GlobalUnlock to zero error");
    SetLastError(0xdeadbeef);
    flag("GlobalUnlock unlocked", GlobalUnlock(m));
    check_err("GlobalUnlock unlocked error");
    m2 = GlobalReAlloc(m, 4000, GMEM_MOVEABLE);
    flag("GlobalReAlloc keeps the handle", m2 == m);
    check_u("GlobalSize after ReAlloc", GlobalSize(m));
    d = GlobalReAlloc(m, 0, GMEM_MOVEABLE);
    flag("GlobalReAlloc 0 discards", d == m);
    check_x("GlobalFlags discarded", GlobalFlags(m));
    flag("GlobalLock discarded", GlobalLock(m) == NULL);
    flag("GlobalFree", GlobalFree(m) == NULL);

    f = GlobalAlloc(GMEM_FIXED, 24);
    flag("GlobalAlloc fixed is a pointer", GlobalLock(f) == f);
    flag("GlobalHandle fixed", GlobalHandle(f) == f);
    check_u("GlobalFlags fixed", GlobalFlags(f));
    flag("GlobalFree fixed", GlobalFree(f) == NULL);

    l = LocalAlloc(LMEM_MOVEABLE, 30);
    check_u("LocalFlags", LocalFlags(l));
    p = LocalLock(l);
    check_u("LocalFlags locked", LocalFlags(l));
    flag("LocalHandle", LocalHandle(p) == l);
    check_u("LocalSize", LocalSize(l));
    LocalUnlock(l);
    flag("LocalFree", LocalFree(l) == NULL);
    l = LocalAlloc(LMEM_FIXED, 7);
    check_u("LocalSize fixed", LocalSize(l));
    flag("LocalFree fixed", LocalFree(l) == NULL);
    /* A fixed block of 0 bytes: GlobalAlloc makes it 1 byte, LocalAlloc does not. */
    f = GlobalAlloc(GMEM_FIXED, 0);
    check_u("GlobalSize fixed 0", GlobalSize(f));
    GlobalFree(f);
    l = LocalAlloc(LMEM_FIXED, 0);
    flag("LocalAlloc fixed 0", l != NULL);
    check_u("LocalSize fixed 0", LocalSize(l));
    LocalFree(l);
}

static DWORD read_fs(DWORD offset)
{
    DWORD v;
    __asm__ volatile ("movl %%fs:(%1), %0" : "=r"(v) : "r"(offset));
    return v;
}

static void ntquery(void)
{
    HMODULE ntdll = GetModuleHandleA("ntdll.dll");
    query_fn qp = (query_fn)GetProcAddress(ntdll, "NtQueryInformationProcess");
    query_fn qt = (query_fn)GetProcAddress(ntdll, "NtQueryInformationThread");
    sysinfo_fn qs = (sysinfo_fn)GetProcAddress(ntdll, "NtQuerySystemInformation");
    DWORD buf[32], len = 0;
    MEMORYSTATUS ms;

    if (!qp || !qt || !qs) { put("NTDLL functions missing\n"); return; }
    /* PROCESS_BASIC_INFORMATION: ExitStatus, PebBaseAddress, AffinityMask, BasePriority,
     * UniqueProcessId, InheritedFromUniqueProcessId. */
    check_x("ProcessBasicInformation", qp(GetCurrentProcess(), 0, buf, 24, &len));
    check_u("ProcessBasicInformation length", len);
    check_x("ExitStatus", buf[0]);
    flag("PebBaseAddress is fs:[0x30]", buf[1] == read_fs(0x30));
    check_u("AffinityMask", buf[2]);
    check_u("BasePriority", buf[3]);
    flag("UniqueProcessId", buf[4] == GetCurrentProcessId());
    check_x("ProcessBasicInformation short", qp(GetCurrentProcess(), 0, buf, 20, &len));
    check_x("unknown process class", qp(GetCurrentProcess(), 200, buf, 4, &len));
    check_x("ProcessBasicInformation bad handle", qp((HANDLE)0x1234, 0, buf, 24, &len));
    /* THREAD_BASIC_INFORMATION: ExitStatus, TebBaseAddress, ClientId, AffinityMask,
     * Priority, BasePriority. */
    check_x("ThreadBasicInformation", qt(GetCurrentThread(), 0, buf, 28, &len));
    check_u("ThreadBasicInformation length", len);
    check_x("thread ExitStatus", buf[0]);
    flag("TebBaseAddress is fs:[0x18]", buf[1] == read_fs(0x18));
    flag("ClientId process", buf[2] == GetCurrentProcessId());
    flag("ClientId thread", buf[3] == GetCurrentThreadId());
    check_u("thread AffinityMask", buf[4]);
    check_x("ThreadBasicInformation short", qt(GetCurrentThread(), 0, buf, 24, &len));
    /* SYSTEM_BASIC_INFORMATION: PageSize at 8, NumberOfProcessors (a CCHAR) at 40. */
    check_x("SystemBasicInformation", qs(0, buf, 44, &len));
    check_u("SystemBasicInformation length", len);
    check_u("PageSize", buf[2]);
    check_u("AllocationGranularity", buf[6]);
    check_x("MinimumUserModeAddress", buf[7]);
    check_x("MaximumUserModeAddress", buf[8]);
    check_u("ActiveProcessorsAffinityMask", buf[9]);
    check_u("NumberOfProcessors", buf[10] & 0xFF);
    check_x("SystemBasicInformation short", qs(0, buf, 40, &len));

    ms.dwLength = 0;
    GlobalMemoryStatus(&ms);
    check_u("MEMORYSTATUS dwLength", ms.dwLength);
    check_x("dwTotalVirtual", ms.dwTotalVirtual);
    flag("dwAvailVirtual below total", ms.dwAvailVirtual < ms.dwTotalVirtual);
    flag("dwMemoryLoad a percentage", ms.dwMemoryLoad <= 100);
    flag("dwAvailPhys below total", ms.dwAvailPhys <= ms.dwTotalPhys);
}

static void actctx(void)
{
    ACTCTXW ctx;
    HANDLE h = (HANDLE)0xdeadbeef;
    ULONG_PTR cookie = 0;
    WCHAR name[] = L"ntemu-absent.manifest";

    flag("GetProcAddress CreateActCtxW",
         GetProcAddress(GetModuleHandleA("kernel32.dll"), "CreateActCtxW") != NULL);
    flag("GetCurrentActCtx", GetCurrentActCtx(&h));
    flag("no active context", h == NULL);
    ZeroMemory(&ctx, sizeof(ctx));
    ctx.cbSize = sizeof(ctx);
    ctx.lpSource = name;
    SetLastError(0xdeadbeef);
    flag("CreateActCtxW of an absent manifest fails", CreateActCtxW(&ctx) == INVALID_HANDLE_VALUE);
    check_err("CreateActCtxW error");
    flag("ActivateActCtx(NULL)", ActivateActCtx(NULL, &cookie));
    flag("DeactivateActCtx", DeactivateActCtx(0, cookie));
}

/* A call's own HEAP_TAIL_CHECKING_ENABLED on a heap made without it takes no room (NT adds
 * the tail to the heap's AlignRound when the heap is made with it), and the
 * low-fragmentation request of HeapSetInformation, recorded for good. */
static void tails_and_lfh(void)
{
    HANDLE heap = HeapCreate(HEAP_NO_SERIALIZE, 0, 0);
    ULONG info = 0xdeadbeef;
    SIZE_T len = 0;
    char *p0, *p1, *a, *b;

    p0 = HeapAlloc(heap, HEAP_TAIL_CHECKING_ENABLED | HEAP_FREE_CHECKING_ENABLED, 0x7d000);
    p1 = HeapAlloc(heap, HEAP_TAIL_CHECKING_ENABLED | HEAP_FREE_CHECKING_ENABLED, 0x7d000);
    check_x("tail-checked 0x7d000-byte blocks apart", (unsigned long)(p1 - p0));
    a = HeapAlloc(heap, HEAP_TAIL_CHECKING_ENABLED, 24);
    b = HeapAlloc(heap, HEAP_TAIL_CHECKING_ENABLED, 24);
    check_x("tail-checked 24-byte blocks apart", (unsigned long)(b - a));
    flag("HeapValidate after tail-checked blocks", HeapValidate(heap, 0, NULL));
    flag("HeapDestroy", HeapDestroy(heap));

    heap = HeapCreate(0, 0, 0);
    flag("HeapQueryInformation", HeapQueryInformation(heap, HeapCompatibilityInformation,
                                                      &info, sizeof(info), &len));
    check_u("compatibility of a new heap", info);
    check_u("its length", len);
    info = 2;
    flag("HeapSetInformation LFH", HeapSetInformation(heap, HeapCompatibilityInformation,
                                                      &info, sizeof(info)));
    info = 0xdeadbeef;
    HeapQueryInformation(heap, HeapCompatibilityInformation, &info, sizeof(info), NULL);
    check_u("compatibility after it", info);
    info = 0;
    SetLastError(0xdeadbeef);
    flag("back to a standard heap fails", !HeapSetInformation(heap, HeapCompatibilityInformation,
                                                              &info, sizeof(info)));
    check_err("its error");
    a = HeapAlloc(heap, 0, 100);
    flag("HeapAlloc on it", a != NULL);
    flag("HeapFree on it", HeapFree(heap, 0, a));
    flag("HeapDestroy LFH heap", HeapDestroy(heap));
}

void __stdcall start(void)
{
    heaps();
    exceptions();
    moveable();
    ntquery();
    actctx();
    tails_and_lfh();
    ExitProcess(0);
}
