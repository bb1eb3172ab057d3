/* openbench.exe N: N times CreateFileA + CloseHandle of C:\a\b\c\file.txt, an existing file
 * three folders down (benches/files.rs makes it); prints how many opens succeeded. */
#include "guest.h"

void __stdcall start(void)
{
    const char *line = GetCommandLineA();
    DWORD n = 0, i, ok = 0;

    while (*line && *line != ' ') line++;
    while (*line == ' ') line++;
    while (*line >= '0' && *line <= '9') n = n * 10 + (DWORD)(*line++ - '0');
    for (i = 0; i < n; i++) {
        HANDLE h = CreateFileA("C:\\a\\b\\c\\file.txt", GENERIC_READ, FILE_SHARE_READ, NULL,
                               OPEN_EXISTING, 0, NULL);
        if (h != INVALID_HANDLE_VALUE) {
            ok++;
            CloseHandle(h);
        }
    }
    check_u("opened", ok);
    ExitProcess(ok == n ? 0 : 1);
}
