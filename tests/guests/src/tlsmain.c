/* Static TLS of the program and of a DLL (tlsdll.c) it imports: the loader gives the
 * program TLS index 0 and tlsdll.dll index 1, and each thread its own copy of both
 * templates; tlsdll's TLS callback runs before its DllMain for PROCESS_ATTACH,
 * THREAD_ATTACH, THREAD_DETACH and PROCESS_DETACH. Two threads write both variables and
 * each reads back its own values. Then tlsdyn.dll, the same DLL loaded by LoadLibrary:
 * NT 4.0 gives a DLL loaded after start-up no TLS, so its index is not written and its
 * callback is never called (later Windows and Wine do both). */
#include "guest.h"

/* The program's own static TLS (no callback): index 0, before its DLLs'. */
__attribute__((section(".tls$AAA"))) char _tls_start = 0;
__attribute__((section(".tls$ZZZ"))) char _tls_end = 0;
__attribute__((section(".tls$BBB"))) int own_value = 50;
ULONG _tls_index = 0x1234;
const IMAGE_TLS_DIRECTORY32 _tls_used = {
    (DWORD)&_tls_start, (DWORD)&_tls_end, (DWORD)&_tls_index, 0, 0, 0
};

static int *own(void)
{
    char **array;
    __asm__ volatile ("movl %%fs:0x2c, %0" : "=r"(array));
    return (int *)(array[_tls_index] + ((char *)&own_value - &_tls_start));
}

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
    put("worker own value "); put_i(*own()); put("\n");
    *own() = 52;
    put("worker own after set "); put_i(*own()); put("\n");
    return 7;
}

void __stdcall start(void)
{
    HANDLE t;
    DWORD code = 0;
    HMODULE dyn;

    put("main start\n");
    check_u("own index", _tls_index);
    check_u("dll index", tls_index_of());
    check_i("own value", *own());
    *own() = 51;
    check_i("main value", tls_get());
    tls_set(1);
    check_i("main after set", tls_get());
    t = CreateThread(NULL, 0, worker, NULL, 0, NULL);
    WaitForSingleObject(t, INFINITE);
    GetExitCodeThread(t, &code);
    CloseHandle(t);
    check_u("worker exit", code);
    check_i("main value again", tls_get());
    check_i("own value again", *own());

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
