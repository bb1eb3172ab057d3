/* ldrdll2.dll: built for the same base as ldrdll.dll (0x10000000), so the second of the two
 * to load is relocated; ldr2_name reads a relocated table of pointers. */
#include "guest.h"

static const char *const names[] = { "ldrdll2-zero", "ldrdll2-one" };

BOOL WINAPI DllMain(HINSTANCE self, DWORD reason, LPVOID reserved)
{
    (void)self; (void)reserved;
    put("ldrdll2 DllMain reason "); put_u(reason); put("\n");
    return TRUE;
}

const char *__stdcall ldr2_name(int i) { return names[i & 1]; }
