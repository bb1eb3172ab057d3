/* The loader's transaction, proven as KB Q246691 proves CreateRemoteThread's: 1,000
 * LoadLibrary + FreeLibrary of ldrqa.dll (which imports ldrqb.dll; the two share a base)
 * while the emulator has a fault armed at one loader step (--fault LoadLibrary:STEP), then
 * 1,000 loads of ldrqfail.dll, whose DllMain fails. The process's handle count, committed
 * memory and modules must not change. Prints:
 * handle-delta=D commit-delta=C modules=M failures=F error=E value=V
 * fail-handle-delta=D fail-commit-delta=C fail-modules=M fail-failures=F fail-error=E */
#include "guest.h"

static SIZE_T committed(void)
{
    MEMORY_BASIC_INFORMATION mbi;
    SIZE_T total = 0;
    ULONG_PTR at = 0x10000;
    while (at < 0x7FFE0000 && VirtualQuery((LPCVOID)at, &mbi, sizeof mbi)) {
        if (mbi.State == MEM_COMMIT) total += mbi.RegionSize;
        at = (ULONG_PTR)mbi.BaseAddress + mbi.RegionSize;
    }
    return total;
}

static int modules(void)
{
    return (GetModuleHandleA("ldrqa") != NULL) + (GetModuleHandleA("ldrqb") != NULL)
        + (GetModuleHandleA("ldrqfail") != NULL);
}

static void report(const char *prefix, DWORD handles, SIZE_T commit, DWORD failures, DWORD error)
{
    DWORD after = 0;
    GetProcessHandleCount(GetCurrentProcess(), &after);
    put(prefix); put("handle-delta="); put_i((long)after - (long)handles);
    put(" "); put(prefix); put("commit-delta="); put_i((long)(committed() - commit));
    put(" "); put(prefix); put("modules="); put_u(modules());
    put(" "); put(prefix); put("failures="); put_u(failures);
    put(" "); put(prefix); put("error="); put_u(error);
}

void __stdcall start(void)
{
    DWORD handles = 0, failures = 0, error = 0, value = 0;
    SIZE_T commit;
    HMODULE h;
    int i;

    GetProcessHandleCount(GetCurrentProcess(), &handles);
    commit = committed();
    for (i = 0; i < 1000; i++) {
        SetLastError(0);
        h = LoadLibraryA("ldrqa");
        if (h) {
            value = ((int (__stdcall *)(void))GetProcAddress(h, "ldrqa_value@0"))();
            FreeLibrary(h);
        } else {
            failures++;
            error = GetLastError();
        }
    }
    report("", handles, commit, failures, error);
    put(" value="); put_u(value); put("\n");

    GetProcessHandleCount(GetCurrentProcess(), &handles);
    commit = committed();
    failures = 0;
    for (i = 0; i < 1000; i++) {
        if (LoadLibraryA("ldrqfail")) {
            put("ldrqfail loaded\n");
        } else {
            failures++;
            error = GetLastError();
        }
    }
    report("fail-", handles, commit, failures, error);
    put("\n");
    ExitProcess(0);
}
