/* Imports a function from a DLL that is not anywhere (ldrnone.dll, from ldrnone.def): the
 * process ends before it runs with STATUS_DLL_NOT_FOUND. */
#include "guest.h"

int __stdcall ldrnone_function(void);

void __stdcall start(void)
{
    put("must not run\n");
    ExitProcess(ldrnone_function());
}
