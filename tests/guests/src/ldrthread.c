/* DllMain with threads: a DLL loaded with LoadLibrary gets DLL_THREAD_ATTACH before each new
 * thread's start routine and DLL_THREAD_DETACH when it returns or calls ExitThread, none
 * after DisableThreadLibraryCalls, and DLL_PROCESS_DETACH (lpReserved non-NULL) from
 * ExitProcess. Expected: tests/guests/expected/ldrthread.expected. */
#include "guest.h"

static DWORD WINAPI returns(LPVOID p)
{
    put("worker returns\n");
    return (DWORD)(ULONG_PTR)p;
}

static DWORD WINAPI exits(LPVOID p)
{
    put("worker calls ExitThread\n");
    ExitThread((DWORD)(ULONG_PTR)p);
    return 0;
}

static void run(LPTHREAD_START_ROUTINE f, DWORD value)
{
    DWORD code = 0;
    HANDLE t = CreateThread(NULL, 0, f, (LPVOID)(ULONG_PTR)value, 0, NULL);
    WaitForSingleObject(t, INFINITE);
    GetExitCodeThread(t, &code);
    CloseHandle(t);
    check_u("exit_code", code);
}

void __stdcall start(void)
{
    HMODULE h = LoadLibraryA("ldrthr");
    check_u("loaded", h != NULL);
    run(returns, 4);
    run(exits, 5);
    check_u("disable", DisableThreadLibraryCalls(h));
    run(returns, 6);
    SetLastError(0);
    check_u("disable_bad", DisableThreadLibraryCalls((HMODULE)0x12340000));
    check_u("disable_bad_error", GetLastError());
    put("exiting\n");
    ExitProcess(0);
}
