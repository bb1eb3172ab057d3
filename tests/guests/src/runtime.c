/* What the C runtimes build on: TLS slots, critical sections (contended by a second
 * thread), the Interlocked functions, the environment, GlobalAlloc/LocalAlloc,
 * LoadLibraryA/FreeLibrary and CompareStringA. One line per check; expected values are
 * NT's documented results (expected/runtime.expected). */
#include "guest.h"

static CRITICAL_SECTION cs;
static volatile LONG shared;
static DWORD slot;

static DWORD WINAPI worker(LPVOID p)
{
    int i;
    (void)p;
    /* The slot is per thread: a new thread sees 0. */
    check_u("worker tls before", (unsigned long)TlsGetValue(slot));
    TlsSetValue(slot, (LPVOID)7);
    for (i = 0; i < 100; i++) {
        EnterCriticalSection(&cs);
        shared++;
        Sleep(0);
        LeaveCriticalSection(&cs);
    }
    return 0;
}

void __stdcall start(void)
{
    HANDLE t;
    DWORD n, id;
    char buf[64];
    LONG v = 5;
    HGLOBAL g;
    HMODULE k;
    char *p;
    int i;

    slot = TlsAlloc();
    check_u("TlsAlloc", slot);
    TlsSetValue(slot, (LPVOID)42);
    SetLastError(99);
    check_u("TlsGetValue", (unsigned long)TlsGetValue(slot));
    check_u("last error after TlsGetValue", GetLastError());
    check_u("TlsGetValue(64)", (unsigned long)TlsGetValue(64));
    check_u("its error", GetLastError());
    check_u("TlsFree(63)", TlsFree(63));
    check_u("its error", GetLastError());

    InitializeCriticalSection(&cs);
    EnterCriticalSection(&cs);
    EnterCriticalSection(&cs);
    check_u("RecursionCount", cs.RecursionCount);
    check_u("owner is me", (DWORD)(ULONG_PTR)cs.OwningThread == GetCurrentThreadId());
    t = CreateThread(NULL, 0, worker, NULL, 0, &id);
    Sleep(10);
    /* The worker waits for the section we hold. */
    check_u("shared while held", shared);
    LeaveCriticalSection(&cs);
    LeaveCriticalSection(&cs);
    for (i = 0; i < 100; i++) {
        EnterCriticalSection(&cs);
        shared++;
        LeaveCriticalSection(&cs);
    }
    WaitForSingleObject(t, INFINITE);
    check_u("shared after both", shared);
    check_u("my tls after the worker set its own", (unsigned long)TlsGetValue(slot));
    check_x("LockCount when free", (unsigned long)cs.LockCount);
    DeleteCriticalSection(&cs);

    check_u("InterlockedIncrement", InterlockedIncrement(&v));
    check_u("InterlockedDecrement", InterlockedDecrement(&v));
    check_u("InterlockedExchange", InterlockedExchange(&v, 9));
    check_u("value", v);
    check_u("InterlockedCompareExchange miss", InterlockedCompareExchange(&v, 1, 2));
    check_u("InterlockedCompareExchange hit", InterlockedCompareExchange(&v, 1, 9));
    check_u("InterlockedExchangeAdd", InterlockedExchangeAdd(&v, 10));
    check_u("value", v);

    check_u("GetEnvironmentVariableA missing", GetEnvironmentVariableA("NTEMU_X", buf, sizeof buf));
    check_u("its error", GetLastError());
    check_u("SetEnvironmentVariableA", SetEnvironmentVariableA("NTEMU_X", "value one"));
    check_u("needed size", GetEnvironmentVariableA("ntemu_x", buf, 4));
    n = GetEnvironmentVariableA("NTEMU_x", buf, sizeof buf);
    check_u("length", n);
    put("value: "); put(buf); put("\n");
    p = GetEnvironmentStrings();
    put("block: "); put(p); put("\n");
    check_u("FreeEnvironmentStringsA", FreeEnvironmentStringsA(p));
    check_u("SetEnvironmentVariableA bad name", SetEnvironmentVariableA("A=B", "x"));
    check_u("its error", GetLastError());
    SetEnvironmentVariableA("NTEMU_X", NULL);
    check_u("deleted", GetEnvironmentVariableA("NTEMU_X", buf, sizeof buf));

    g = GlobalAlloc(GMEM_ZEROINIT, 100);
    check_u("GlobalAlloc zeroed", ((char *)GlobalLock(g))[99] == 0);
    check_u("GlobalSize", GlobalSize(g));
    check_u("GlobalFree", (unsigned long)GlobalFree(g));
    check_u("GlobalFree again returns the handle", GlobalFree(g) == g);
    check_u("its error", GetLastError());
    g = LocalAlloc(LMEM_FIXED, 8);
    check_u("LocalSize", LocalSize(g));
    check_u("LocalFree", (unsigned long)LocalFree(g));

    k = LoadLibraryA("kernel32");
    check_u("LoadLibraryA(kernel32) = GetModuleHandleA", k == GetModuleHandleA("KERNEL32.DLL"));
    check_u("GetProcAddress through it", GetProcAddress(k, "GetTickCount") != NULL);
    check_u("LoadLibraryA(nosuch.dll)", (unsigned long)LoadLibraryA("nosuch.dll"));
    check_u("its error", GetLastError());
    check_u("FreeLibrary", FreeLibrary(k));

    check_u("CompareStringA abc/ABD", CompareStringA(0x409, 0, "abc", -1, "ABD", -1));
    check_u("CompareStringA ignore case", CompareStringA(0x409, NORM_IGNORECASE, "Hello", -1, "hELLO", 5));
    check_u("CompareStringA lower first", CompareStringA(0x409, 0, "a", 1, "A", 1));
    ExitProcess(0);
}
