/* Static TLS of a DLL (tlsdll.c): the program imports tlsdll.dll, so the loader gives it a
 * TLS index and each thread its own copy of the template; its TLS callback runs before its
 * DllMain for PROCESS_ATTACH, THREAD_ATTACH, THREAD_DETACH and PROCESS_DETACH. Two threads
 * write the variable and each reads back its own value. Then tlsdyn.dll, the same DLL
 * loaded by LoadLibrary: NT 4.0 gives a DLL loaded after start-up no TLS, so its index is
 * not written and its callback is never called (later Windows and Wine do both). */
#include "guest.h"

__declspec(dllimport) ULONG tls_index_of(void);
__declspec(dllimport) int tls_get(void);
__declspec(dllimport) void tls_set(int v);

static void check_i(const char *name, long v)
{
    put(name); put(": "); put_i(v); put("\n");
}

static DWORD WINAPI worker(LPVOID arg)
{
    (void)arg;
    put("worker value "); put_i(tls_get()); put("\n");
    tls_set(2);
    put("worker after set "); put_i(tls_get()); put("\n");
    return 7;
}

void __stdcall start(void)
{
    HANDLE t;
    DWORD code = 0;
    HMODULE dyn;

    put("main start\n");
    check_u("index written", tls_index_of() != 0x1234);
    check_i("main value", tls_get());
    tls_set(1);
    check_i("main after set", tls_get());
    t = CreateThread(NULL, 0, worker, NULL, 0, NULL);
    WaitForSingleObject(t, INFINITE);
    GetExitCodeThread(t, &code);
    CloseHandle(t);
    check_u("worker exit", code);
    check_i("main value again", tls_get());

    dyn = LoadLibraryA("tlsdyn.dll");
    check_u("tlsdyn loaded", dyn != NULL);
    if (dyn) {
        ULONG (*index_of)(void) = (ULONG (*)(void))GetProcAddress(dyn, "tls_index_of");
        check_x("tlsdyn index", index_of ? index_of() : 0);
        check_u("tlsdyn freed", FreeLibrary(dyn));
    }
    put("main exit\n");
    ExitProcess(0);
}
