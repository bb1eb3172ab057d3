/* Imports ldr_add@8 from "wsock32.dll" (ldrnative.def): tests/loader.rs puts ldrdll.dll
 * beside it under that name and runs it with wsock32=native, so the file from disk serves
 * a builtin's name. */
#include "guest.h"

int __stdcall ldr_add(int a, int b);

void __stdcall start(void)
{
    check_u("add", ldr_add(19, 23));
    ExitProcess(0);
}
