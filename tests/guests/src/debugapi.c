/* debugapi.exe: the Win32 debugging API. The parent debugs a child of itself
 * (CreateProcess with DEBUG_ONLY_THIS_PROCESS) and prints the events it gets, in order (the
 * DLL load and unload events are printed only for the child's own DLL, versdll.dll: the others
 * depend on the system's DLLs): the process's creation (its image base, its handles), the loader's breakpoint, the
 * child's debug strings (read with ReadProcessMemory), a thread's creation and end, an int3
 * whose thread context the parent reads and changes (Get/SetThreadContext) and whose data it
 * writes (WriteProcessMemory), an exception the parent passes on (first and last chance), and
 * the process's end with the exception's code. Then it attaches to a running child with
 * DebugActiveProcess and ends it. WaitForDebugEvent's timeout is ERROR_SEM_TIMEOUT.
 * Before an event is continued no other event of its process comes (the wait times out).
 * A suspended thread's registers are NT's initial ones (eax its start routine, ebx its
 * parameter). Last, the system program winver.exe starts (suspended) from the system folder.
 * The child reports what it sees through OutputDebugString. tests/debugapi.rs compares the
 * output with Wine's (expected/debugapi.wine). */
#include "guest.h"

static char self[MAX_PATH];
static volatile LONG g_poke = 5;
static PROCESS_INFORMATION pi;

static int arg_is(const char *line, const char *word)
{
    /* The last word of the command line. */
    const char *last = line, *p;
    for (p = line; *p; p++) if (*p == ' ') last = p + 1;
    while (*word && *last == *word) { last++; word++; }
    return !*word && !*last;
}

static void say(const char *a, unsigned long v)
{
    char buf[64];
    int i = 0, j;
    char num[12];
    while (*a) buf[i++] = *a++;
    j = 11; num[j] = 0;
    do { num[--j] = (char)('0' + v % 10); v /= 10; } while (v && j > 0);
    while (num[j]) buf[i++] = num[j++];
    buf[i] = 0;
    OutputDebugStringA(buf);
}

static DWORD WINAPI worker(void *p)
{
    (void)p;
    return 7;
}

static void child(void)
{
    HANDLE t;
    DWORD id, eax;
    say("present=", IsDebuggerPresent());
    {
        /* A DLL of its own (versdll.dll, based at 0x10A00000) loaded and unloaded. */
        HMODULE dll = LoadLibraryA("versdll.dll");
        say("loaded=", dll != NULL);
        if (dll) FreeLibrary(dll);
    }
    t = CreateThread(NULL, 0, worker, NULL, 0, &id);
    WaitForSingleObject(t, INFINITE);
    CloseHandle(t);
    __asm__ volatile("int3" : "=a"(eax) : "a"(0));
    say("eax=", eax);
    say("poke=", (unsigned long)g_poke);
    RaiseException(0xE0000001, 0, 0, NULL);
    say("not reached=", 1);
    ExitProcess(0);
}

static void waiter(void)
{
    for (;;) Sleep(100);
}

static const char *name(DWORD code)
{
    switch (code) {
    case EXCEPTION_DEBUG_EVENT: return "EXCEPTION";
    case CREATE_THREAD_DEBUG_EVENT: return "CREATE_THREAD";
    case CREATE_PROCESS_DEBUG_EVENT: return "CREATE_PROCESS";
    case EXIT_THREAD_DEBUG_EVENT: return "EXIT_THREAD";
    case EXIT_PROCESS_DEBUG_EVENT: return "EXIT_PROCESS";
    case LOAD_DLL_DEBUG_EVENT: return "LOAD_DLL";
    case UNLOAD_DLL_DEBUG_EVENT: return "UNLOAD_DLL";
    case OUTPUT_DEBUG_STRING_EVENT: return "OUTPUT_DEBUG_STRING";
    }
    return "?";
}

static HANDLE spawn(const char *word, DWORD flags)
{
    char line[MAX_PATH + 32];
    STARTUPINFOA si;
    int i = 0, j = 0;
    line[i++] = '"';
    while (self[j]) line[i++] = self[j++];
    line[i++] = '"';
    line[i++] = ' ';
    for (j = 0; word[j]; j++) line[i++] = word[j];
    line[i] = 0;
    for (j = 0; j < (int)sizeof(si); j++) ((char *)&si)[j] = 0;
    si.cb = sizeof(si);
    if (!CreateProcessA(NULL, line, NULL, NULL, FALSE, flags, NULL, NULL, &si, &pi)) {
        check_u("CreateProcess error", GetLastError());
        return NULL;
    }
    return pi.hProcess;
}

/* The debug loop of the first child: prints each event but the DLLs'. */
static void debug_child(void)
{
    DEBUG_EVENT de;
    DWORD status, breakpoints = 0, n;
    HANDLE hthread = NULL;
    int done = 0;

    if (!spawn("child", DEBUG_ONLY_THIS_PROCESS)) return;
    while (!done) {
        if (!WaitForDebugEvent(&de, 10000)) {
            check_u("WaitForDebugEvent error", GetLastError());
            return;
        }
        status = DBG_CONTINUE;
        if (de.dwDebugEventCode == LOAD_DLL_DEBUG_EVENT) {
            if (de.u.LoadDll.lpBaseOfDll == (void *)0x10A00000) {
                put("LOAD_DLL versdll file=");
                put_u(de.u.LoadDll.hFile != NULL);
                put("\n");
            }
            if (de.u.LoadDll.hFile) CloseHandle(de.u.LoadDll.hFile);
            ContinueDebugEvent(de.dwProcessId, de.dwThreadId, status);
            continue;
        }
        if (de.dwDebugEventCode == UNLOAD_DLL_DEBUG_EVENT) {
            if (de.u.UnloadDll.lpBaseOfDll == (void *)0x10A00000) put("UNLOAD_DLL versdll\n");
            ContinueDebugEvent(de.dwProcessId, de.dwThreadId, status);
            continue;
        }
        put(name(de.dwDebugEventCode));
        put(de.dwProcessId == pi.dwProcessId ? " process" : " other-process");
        put(de.dwThreadId == pi.dwThreadId ? " main-thread" : " other-thread");
        switch (de.dwDebugEventCode) {
        case CREATE_PROCESS_DEBUG_EVENT:
            put(" base-is-image=");
            put_u(de.u.CreateProcessInfo.lpBaseOfImage == (void *)GetModuleHandleA(NULL));
            put(" file="); put_u(de.u.CreateProcessInfo.hFile != NULL);
            put(" process="); put_u(de.u.CreateProcessInfo.hProcess != NULL);
            put(" thread="); put_u(de.u.CreateProcessInfo.hThread != NULL);
            put(" teb="); put_u(de.u.CreateProcessInfo.lpThreadLocalBase != NULL);
            hthread = de.u.CreateProcessInfo.hThread;
            {
                /* Nothing more comes before this event is continued. */
                DEBUG_EVENT more;
                SetLastError(0);
                put(" more="); put_u(WaitForDebugEvent(&more, 300));
                put(" error="); put_u(GetLastError());
            }
            if (de.u.CreateProcessInfo.hFile) CloseHandle(de.u.CreateProcessInfo.hFile);
            break;
        case CREATE_THREAD_DEBUG_EVENT:
            put(" handle="); put_u(de.u.CreateThread.hThread != NULL);
            put(" start-is-worker=");
            put_u(de.u.CreateThread.lpStartAddress == (void *)worker);
            break;
        case EXIT_THREAD_DEBUG_EVENT:
            put(" code="); put_u(de.u.ExitThread.dwExitCode);
            break;
        case EXIT_PROCESS_DEBUG_EVENT:
            put(" code="); put_x(de.u.ExitProcess.dwExitCode);
            done = 1;
            break;
        case OUTPUT_DEBUG_STRING_EVENT: {
            char text[64];
            SIZE_T got = 0;
            n = de.u.DebugString.nDebugStringLength;
            if (n > sizeof(text)) n = sizeof(text);
            if (ReadProcessMemory(pi.hProcess, de.u.DebugString.lpDebugStringData, text, n, &got)
                && got == n && n) {
                text[n - 1] = 0;
                put(" \""); put(text); put("\"");
            }
            put(" unicode="); put_u(de.u.DebugString.fUnicode);
            break;
        }
        case EXCEPTION_DEBUG_EVENT: {
            EXCEPTION_RECORD *r = &de.u.Exception.ExceptionRecord;
            put(" code="); put_x(r->ExceptionCode);
            put(" first="); put_u(de.u.Exception.dwFirstChance);
            if (r->ExceptionCode == EXCEPTION_BREAKPOINT && breakpoints++ == 1) {
                /* The child's int3: its context is past the instruction. */
                CONTEXT c;
                LONG poke = 77;
                SIZE_T wrote = 0;
                c.ContextFlags = CONTEXT_FULL;
                if (GetThreadContext(hthread, &c)) {
                    put(" eip-after="); put_u(c.Eip - (DWORD)r->ExceptionAddress);
                    c.Eax = 1234;
                    put(" set="); put_u(SetThreadContext(hthread, &c));
                }
                put(" poke="); put_u(WriteProcessMemory(pi.hProcess, (void *)&g_poke, &poke,
                                                       sizeof(poke), &wrote) && wrote == 4);
            }
            if (r->ExceptionCode == 0xE0000001) status = DBG_EXCEPTION_NOT_HANDLED;
            break;
        }
        }
        put("\n");
        if (!ContinueDebugEvent(de.dwProcessId, de.dwThreadId, status))
            check_u("ContinueDebugEvent error", GetLastError());
    }
    SetLastError(0);
    check_u("wait again", WaitForDebugEvent(&de, 0));
    check_u("error", GetLastError());
    check_u("process ended", WaitForSingleObject(pi.hProcess, 5000));
    GetExitCodeProcess(pi.hProcess, &n);
    check_x("exit code", n);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
}

/* DebugActiveProcess on a running child, which the debugger then ends. */
static void attach_child(void)
{
    DEBUG_EVENT de;
    DWORD exceptions = 0, code;
    int done = 0;

    if (!spawn("wait", 0)) return;
    Sleep(200);
    check_u("attach", DebugActiveProcess(pi.dwProcessId));
    while (!done) {
        if (!WaitForDebugEvent(&de, 10000)) {
            check_u("WaitForDebugEvent error", GetLastError());
            return;
        }
        code = de.dwDebugEventCode;
        if (code == CREATE_PROCESS_DEBUG_EVENT) {
            put("attach: CREATE_PROCESS base-is-image=");
            put_u(de.u.CreateProcessInfo.lpBaseOfImage == (void *)GetModuleHandleA(NULL));
            put("\n");
            if (de.u.CreateProcessInfo.hFile) CloseHandle(de.u.CreateProcessInfo.hFile);
        }
        if (code == LOAD_DLL_DEBUG_EVENT && de.u.LoadDll.hFile) CloseHandle(de.u.LoadDll.hFile);
        if (code == EXCEPTION_DEBUG_EVENT) {
            put("attach: EXCEPTION code=");
            put_x(de.u.Exception.ExceptionRecord.ExceptionCode);
            put("\n");
            if (exceptions++ == 0) TerminateProcess(pi.hProcess, 42);
        }
        if (code == EXIT_PROCESS_DEBUG_EVENT) {
            put("attach: EXIT_PROCESS code=");
            put_u(de.u.ExitProcess.dwExitCode);
            put("\n");
            done = 1;
        }
        ContinueDebugEvent(de.dwProcessId, de.dwThreadId, DBG_CONTINUE);
    }
    check_u("attached process ended", WaitForSingleObject(pi.hProcess, 5000));
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
}


void __stdcall start(void)
{
    const char *line = GetCommandLineA();
    DEBUG_EVENT de;
    GetModuleFileNameA(NULL, self, sizeof(self));
    if (arg_is(line, "child")) child();
    if (arg_is(line, "wait")) waiter();
    check_u("debugger present", IsDebuggerPresent());
    SetLastError(0);
    check_u("wait without debuggee", WaitForDebugEvent(&de, 0));
    check_u("error", GetLastError());
    {
        /* A thread not yet run shows NT's initial registers: eax its start routine, ebx
         * its parameter. */
        DWORD tid, code = 0;
        CONTEXT c;
        HANDLE t = CreateThread(NULL, 0, worker, (void *)0x1234, CREATE_SUSPENDED, &tid);
        c.ContextFlags = CONTEXT_FULL;
        check_u("suspended context", GetThreadContext(t, &c));
        check_u("eax is start", c.Eax == (DWORD)worker);
        check_u("ebx is parameter", c.Ebx == 0x1234);
        ResumeThread(t);
        WaitForSingleObject(t, INFINITE);
        GetExitCodeThread(t, &code);
        check_u("thread code", code);
        CloseHandle(t);
    }
    debug_child();
    attach_child();
    {
        /* The system's own program, found in the system folder. */
        STARTUPINFOA si;
        PROCESS_INFORMATION wi;
        char cmd[] = "winver.exe";
        int j;
        for (j = 0; j < (int)sizeof(si); j++) ((char *)&si)[j] = 0;
        si.cb = sizeof(si);
        check_u("winver started", CreateProcessA(NULL, cmd, NULL, NULL, FALSE, CREATE_SUSPENDED,
                                                 NULL, NULL, &si, &wi));
        check_u("winver ended", TerminateProcess(wi.hProcess, 3));
        check_u("winver ended wait", WaitForSingleObject(wi.hProcess, 5000));
        CloseHandle(wi.hProcess);
        CloseHandle(wi.hThread);
    }
    ExitProcess(0);
}
