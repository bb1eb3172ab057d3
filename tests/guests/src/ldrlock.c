/* ldrlock.dll: NT's loader lock. Its DllMain, on DLL_PROCESS_ATTACH, creates a thread and
 * sleeps; the new thread cannot start (its THREAD_ATTACH calls need the loader lock, which
 * the loading thread holds until the load is done), so it has not run when DllMain returns.
 * Every DllMain call says its reason (ldrlockmain.c, tests/loader.rs). */
#include "guest.h"

static volatile LONG ran;
static HANDLE worker;

static DWORD WINAPI work(void *unused)
{
    (void)unused;
    put("worker runs\n");
    InterlockedExchange((LONG *)&ran, 1);
    return 0;
}

BOOL WINAPI DllMain(HINSTANCE self, DWORD reason, LPVOID reserved)
{
    (void)self; (void)reserved;
    put("ldrlock DllMain reason "); put_u(reason); put("\n");
    if (reason == DLL_PROCESS_ATTACH) {
        worker = CreateThread(NULL, 0, work, NULL, 0, NULL);
        Sleep(200);
        put("worker ran during DllMain: "); put_u(ran); put("\n");
    }
    return TRUE;
}

/* Waits for the worker and says whether it ran. */
int __stdcall ldrlock_join(void)
{
    WaitForSingleObject(worker, INFINITE);
    CloseHandle(worker);
    return ran;
}
