/* tlsdll.dll: static TLS of a DLL, made by hand as mingw-w64's tlssup.c makes it (the
 * .tls$ sections give the template, _tls_used the IMAGE_TLS_DIRECTORY the linker points
 * the TLS data directory at, .CRT$XL* the callback array). tls_value is a per-thread int,
 * 100 in every new thread; the callback and DllMain say each call they get, in order.
 * Built twice: tlsdll.dll (imported by tlsmain.c) and, with -DDYNAMIC, tlsdyn.dll, which
 * tlsmain.c loads with LoadLibrary. */
#include "guest.h"

#ifdef DYNAMIC
#define NAME "tlsdyn"
#else
#define NAME "tlsdll"
#endif

__attribute__((section(".tls$AAA"))) char _tls_start = 0;
__attribute__((section(".tls$ZZZ"))) char _tls_end = 0;
__attribute__((section(".tls$BBB"))) int tls_value = 100;
/* NT writes the DLL's TLS index here; 0x1234 says it did not. */
ULONG _tls_index = 0x1234;

static void NTAPI callback(PVOID self, DWORD reason, PVOID reserved);

__attribute__((section(".CRT$XLA"))) PIMAGE_TLS_CALLBACK __xl_a = 0;
__attribute__((section(".CRT$XLC"))) PIMAGE_TLS_CALLBACK __xl_c = callback;
__attribute__((section(".CRT$XLZ"))) PIMAGE_TLS_CALLBACK __xl_z = 0;

const IMAGE_TLS_DIRECTORY32 _tls_used = {
    (DWORD)&_tls_start, (DWORD)&_tls_end, (DWORD)&_tls_index, (DWORD)(&__xl_a + 1), 0, 0
};

static int *slot(void)
{
    char **array;
    __asm__ volatile ("movl %%fs:0x2c, %0" : "=r"(array));
    return (int *)(array[_tls_index] + ((char *)&tls_value - &_tls_start));
}

__declspec(dllexport) ULONG tls_index_of(void) { return _tls_index; }
__declspec(dllexport) int tls_get(void) { return *slot(); }
__declspec(dllexport) void tls_set(int v) { *slot() = v; }

static void NTAPI callback(PVOID self, DWORD reason, PVOID reserved)
{
    (void)self;
    put(NAME " tls callback reason "); put_u(reason);
    if (reason == DLL_THREAD_ATTACH) { put(" value "); put_i(tls_get()); }
    put(reserved ? " reserved\n" : "\n");
}

BOOL WINAPI DllMain(HINSTANCE self, DWORD reason, LPVOID reserved)
{
    (void)self;
    put(NAME " DllMain reason "); put_u(reason); put(reserved ? " reserved\n" : "\n");
    return TRUE;
}
