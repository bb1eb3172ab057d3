/* How NT starts a thread and a process's first thread (tests/thrstart.rs): the state
 * GetThreadContext shows of a suspended thread not yet run (KERNEL32's start thunk: esp one
 * slot below the top of the stack, eax the start routine, ebx its parameter, or the PEB for
 * a process's first thread), what the routine then gets, and a suspended child's
 * imports and process heap before its first thread runs. */
#include "guest.h"

static volatile DWORD g_seen_param;

static DWORD WINAPI routine(void *param)
{
    g_seen_param = (DWORD)(ULONG_PTR)param;
    return (DWORD)(ULONG_PTR)param + 1;
}

/* The top of the stack `esp` lies in: the end of its reservation. */
static DWORD stack_top(DWORD esp)
{
    MEMORY_BASIC_INFORMATION mbi;
    if (!VirtualQuery((void *)esp, &mbi, sizeof(mbi))) return 0;
    return (DWORD)mbi.BaseAddress + (DWORD)mbi.RegionSize;
}

static int is_child(void)
{
    const char *c = GetCommandLineA();
    int n = 0;
    while (c[n]) n++;
    return n >= 6 && c[n - 6] == ' ' && c[n - 5] == 'c' && c[n - 4] == 'h' && c[n - 3] == 'i'
        && c[n - 2] == 'l' && c[n - 1] == 'd';
}

static void new_thread(void)
{
    CONTEXT ctx;
    DWORD id, code = 0, top;
    HANDLE h = CreateThread(NULL, 0, routine, (void *)0x1234, CREATE_SUSPENDED, &id);
    check_u("CreateThread suspended", h != NULL);
    ctx.ContextFlags = CONTEXT_FULL;
    check_u("GetThreadContext", GetThreadContext(h, &ctx));
    check_u("eax is the start routine", ctx.Eax == (DWORD)routine);
    check_u("ebx is the parameter", ctx.Ebx == 0x1234);
    check_u("ebp is zero", ctx.Ebp == 0);
    check_u("interrupts flag set", (ctx.EFlags & ~2u) == 0x200);
    top = stack_top(ctx.Esp);
    check_x("stack top less esp", top - ctx.Esp);
    check_u("esp is in the thread's stack", top != 0 && ctx.Esp < top);
    ResumeThread(h);
    WaitForSingleObject(h, INFINITE);
    GetExitCodeThread(h, &code);
    check_x("routine got its parameter", g_seen_param);
    check_x("exit code is the routine's result", code);
    CloseHandle(h);

    /* The start routine and parameter are read from eax and ebx when the thread starts. */
    g_seen_param = 0;
    h = CreateThread(NULL, 0, routine, (void *)0x1234, CREATE_SUSPENDED, &id);
    ctx.ContextFlags = CONTEXT_FULL;
    GetThreadContext(h, &ctx);
    ctx.Ebx = 0x5678;
    check_u("SetThreadContext", SetThreadContext(h, &ctx));
    ResumeThread(h);
    WaitForSingleObject(h, INFINITE);
    GetExitCodeThread(h, &code);
    check_x("a changed ebx is the parameter", g_seen_param);
    check_x("and the exit code follows", code);
    CloseHandle(h);
}

static void first_thread(void)
{
    char name[MAX_PATH], line[MAX_PATH + 16];
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    CONTEXT ctx;
    DWORD i, n, code = 0, base = 0, top;
    IMAGE_DOS_HEADER *dos = (IMAGE_DOS_HEADER *)GetModuleHandleA(NULL);
    IMAGE_NT_HEADERS *nt = (IMAGE_NT_HEADERS *)((char *)dos + dos->e_lfanew);
    MEMORY_BASIC_INFORMATION mbi;

    n = GetModuleFileNameA(NULL, name, sizeof(name));
    line[0] = '"';
    for (i = 0; i < n; i++) line[1 + i] = name[i];
    line[1 + n] = '"';
    line[2 + n] = ' ';
    for (i = 0; i < 6; i++) line[3 + n + i] = "child"[i];
    for (i = 0; i < sizeof(si); i++) ((char *)&si)[i] = 0;
    si.cb = sizeof(si);
    check_u("CreateProcess suspended",
            CreateProcessA(NULL, line, NULL, NULL, FALSE, CREATE_SUSPENDED, NULL, NULL, &si, &pi));
    ctx.ContextFlags = CONTEXT_FULL;
    check_u("GetThreadContext of its first thread", GetThreadContext(pi.hThread, &ctx));
    check_u("eax is the entry point",
            ctx.Eax == (DWORD)dos + nt->OptionalHeader.AddressOfEntryPoint);
    check_u("ebx is the PEB: its image base read",
            ReadProcessMemory(pi.hProcess, (char *)ctx.Ebx + 8, &base, 4, NULL));
    check_u("the PEB's image base is the image's", base == (DWORD)dos);
    check_u("its stack can be queried",
            VirtualQueryEx(pi.hProcess, (void *)ctx.Esp, &mbi, sizeof(mbi)) != 0);
    top = (DWORD)mbi.BaseAddress + (DWORD)mbi.RegionSize;
    check_x("its stack top less esp", top - ctx.Esp);
    ResumeThread(pi.hThread);
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &code);
    check_x("child's exit code", code);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
}

void __stdcall start(void)
{
    if (is_child()) ExitProcess(0x77);
    new_thread();
    first_thread();
    ExitProcess(0);
}
