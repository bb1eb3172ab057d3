/* handlebench.exe: 100,000 CreateEventA + CloseHandle pairs, for benches/compare.sh (ntemu
 * against Wine: handle create/close pairs per second). Exits 0 when every call succeeded. */
#include "guest.h"

void __stdcall start(void)
{
    DWORD i, failures = 0;
    for (i = 0; i < 100000; i++) {
        HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);
        if (!e || !CloseHandle(e)) failures++;
    }
    check_u("pairs", i);
    check_u("failures", failures);
    ExitProcess(failures != 0);
}
