/* hello.exe: prints one line and exits with code 7. */
#include "guest.h"

void __stdcall start(void)
{
    put("Hello from an NT program\n");
    ExitProcess(7);
}
