/* dbgalpha.exe (x86): debugs an NT-for-Alpha program, seh.exe (tests/guests/src/alpha/seh.s),
 * started from its own folder with DEBUG_ONLY_THIS_PROCESS, and prints the events (DLL
 * loads counted, not printed): the process's creation, the loader's breakpoint, the first
 * chance of each exception seh.exe raises (passed on with DBG_EXCEPTION_NOT_HANDLED, so its
 * own handler takes the first two), at the first one GetThreadContext refused
 * (ERROR_NOT_SUPPORTED: an x86 CONTEXT cannot describe an Alpha thread), the last chance of the
 * exception nothing handles, and the process's end with that exception's code.
 * tests/debugapi.rs runs it; Wine runs no Alpha program, so the expected output
 * (expected/dbgalpha.expected) follows NT's documented order, checked by hand. */
#include "guest.h"

/* NT for Alpha's CONTEXT: ContextFlags at 0x21C; CONTEXT_CONTROL. */
#define ALPHA_CONTEXT_SIZE 0x230
#define ALPHA_CONTEXT_FLAGS 0x21C
#define ALPHA_CONTEXT_CONTROL 0x00020001

static const char *name(DWORD code)
{
    switch (code) {
    case EXCEPTION_DEBUG_EVENT: return "EXCEPTION";
    case CREATE_THREAD_DEBUG_EVENT: return "CREATE_THREAD";
    case CREATE_PROCESS_DEBUG_EVENT: return "CREATE_PROCESS";
    case EXIT_THREAD_DEBUG_EVENT: return "EXIT_THREAD";
    case EXIT_PROCESS_DEBUG_EVENT: return "EXIT_PROCESS";
    case OUTPUT_DEBUG_STRING_EVENT: return "OUTPUT_DEBUG_STRING";
    }
    return "?";
}

void __stdcall start(void)
{
    char cmd[] = "seh.exe";
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    DEBUG_EVENT de;
    HANDLE thread = NULL;
    DWORD status, exceptions = 0, dlls = 0;
    int i, done = 0;

    for (i = 0; i < (int)sizeof si; i++) ((char *)&si)[i] = 0;
    si.cb = sizeof si;
    if (!CreateProcessA(NULL, cmd, NULL, NULL, FALSE, DEBUG_ONLY_THIS_PROCESS, NULL, NULL, &si,
                        &pi)) {
        check_u("CreateProcess error", GetLastError());
        ExitProcess(1);
    }
    while (!done) {
        if (!WaitForDebugEvent(&de, 10000)) {
            check_u("WaitForDebugEvent error", GetLastError());
            ExitProcess(1);
        }
        status = DBG_CONTINUE;
        if (de.dwDebugEventCode == LOAD_DLL_DEBUG_EVENT) {
            dlls++;
            if (de.u.LoadDll.hFile) CloseHandle(de.u.LoadDll.hFile);
            ContinueDebugEvent(de.dwProcessId, de.dwThreadId, status);
            continue;
        }
        put(name(de.dwDebugEventCode));
        switch (de.dwDebugEventCode) {
        case CREATE_PROCESS_DEBUG_EVENT:
            thread = de.u.CreateProcessInfo.hThread;
            put(" file="); put_u(de.u.CreateProcessInfo.hFile != NULL);
            put(" base="); put_x((DWORD)de.u.CreateProcessInfo.lpBaseOfImage);
            if (de.u.CreateProcessInfo.hFile) CloseHandle(de.u.CreateProcessInfo.hFile);
            break;
        case EXCEPTION_DEBUG_EVENT: {
            EXCEPTION_RECORD *r = &de.u.Exception.ExceptionRecord;
            put(" code="); put_x(r->ExceptionCode);
            put(" first="); put_u(de.u.Exception.dwFirstChance);
            if (r->ExceptionCode != EXCEPTION_BREAKPOINT) {
                if (exceptions++ == 0) {
                    BYTE c[ALPHA_CONTEXT_SIZE];
                    for (i = 0; i < ALPHA_CONTEXT_SIZE; i++) c[i] = 0;
                    *(DWORD *)(c + ALPHA_CONTEXT_FLAGS) = ALPHA_CONTEXT_CONTROL;
                    /* An x86 CONTEXT cannot describe an Alpha thread: refused. */
                    SetLastError(0);
                    put(" context="); put_u(GetThreadContext(thread, (CONTEXT *)c));
                    put(" error="); put_u(GetLastError());
                }
                status = DBG_EXCEPTION_NOT_HANDLED;
            }
            break;
        }
        case EXIT_PROCESS_DEBUG_EVENT:
            put(" code="); put_x(de.u.ExitProcess.dwExitCode);
            done = 1;
            break;
        }
        put("\n");
        ContinueDebugEvent(de.dwProcessId, de.dwThreadId, status);
    }
    check_u("dll loads seen", dlls > 0);
    check_u("ended", WaitForSingleObject(pi.hProcess, 5000));
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    ExitProcess(0);
}
