/* ldrbench.exe N: N times LoadLibraryA + FreeLibrary of ldrqb.dll (beside it; a small DLL
 * whose DllMain runs each time); prints how many loads succeeded (benches/loader.rs). */
#include "guest.h"

void __stdcall start(void)
{
    const char *line = GetCommandLineA();
    DWORD n = 0, i, ok = 0;

    while (*line && *line != ' ') line++;
    while (*line == ' ') line++;
    while (*line >= '0' && *line <= '9') n = n * 10 + (DWORD)(*line++ - '0');
    for (i = 0; i < n; i++) {
        HMODULE h = LoadLibraryA("ldrqb.dll");
        if (h) {
            ok++;
            FreeLibrary(h);
        }
    }
    check_u("loaded", ok);
    ExitProcess(ok == n ? 0 : 1);
}
