/* ldrlockmain.exe: loads ldrlock.dll, whose DllMain starts a thread while the loader lock is
 * held (ldrlock.c), then waits for that thread; prints the order of events. */
#include "guest.h"

typedef int (__stdcall *join_fn)(void);

void __stdcall start(void)
{
    HMODULE dll = LoadLibraryA("ldrlock.dll");
    join_fn join;
    int ran;
    put("LoadLibrary returned\n");
    if (!dll) ExitProcess(1);
    join = (join_fn)GetProcAddress(dll, "ldrlock_join@0");
    if (!join) join = (join_fn)GetProcAddress(dll, "ldrlock_join");
    if (!join) ExitProcess(2);
    ran = join();
    put("worker ran: "); put_u(ran); put("\n");
    put("FreeLibrary: "); put_u(FreeLibrary(dll)); put("\n");
    ExitProcess(0);
}
