/* ldrdll.dll: a DLL loaded from disk (tests/guests/src/ldr.c). Exports by name and, through
 * ldrdll.def, ldr_mul by ordinal 5 only; its DllMain says each call it gets. The table of
 * string pointers needs relocating when the DLL cannot load at its base (0x10000000). */
#include "guest.h"

static const char *const names[] = { "ldrdll-one", "ldrdll-two" };
static int attaches;

BOOL WINAPI DllMain(HINSTANCE self, DWORD reason, LPVOID reserved)
{
    (void)self;
    put("ldrdll DllMain reason "); put_u(reason); put(reserved ? " static\n" : " dynamic\n");
    if (reason == DLL_PROCESS_ATTACH) attaches++;
    return TRUE;
}

int __stdcall ldr_add(int a, int b) { return a + b; }
int __stdcall ldr_mul(int a, int b) { return a * b; }
int __stdcall ldr_attaches(void) { return attaches; }
const char *__stdcall ldr_name(int i) { return names[i & 1]; }
