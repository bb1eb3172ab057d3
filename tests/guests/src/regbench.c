/* regbench.exe query|set N: the registry benchmark's guest (benches/registry.rs). "query"
 * reads the DWORD value HKCU\Software\ntemu-bench\Value N times with RegQueryValueExA on an
 * open key (making the value first if it is not there); "set" writes it N times with
 * RegSetValueExA and leaves the writing of the hive to the registry (at most a second later,
 * or when the program ends). Exit code 0, or 1 when a call fails. */
#include "guest.h"

void __stdcall start(void)
{
    const char *p = GetCommandLineA();
    DWORD n = 0, i, dw = 7, type, size;
    int set;
    HKEY k;

    while (*p && *p != ' ') p++;
    while (*p == ' ') p++;
    set = *p == 's';
    while (*p && *p != ' ') p++;
    while (*p == ' ') p++;
    while (*p >= '0' && *p <= '9') n = n * 10 + (DWORD)(*p++ - '0');
    if (RegCreateKeyExA(HKEY_CURRENT_USER, "Software\\ntemu-bench", 0, NULL, 0, KEY_ALL_ACCESS,
                        NULL, &k, NULL))
        ExitProcess(1);
    /* The value is made once: a query run leaves the hive unchanged (nothing to write). */
    size = sizeof dw;
    if (RegQueryValueExA(k, "Value", NULL, &type, (BYTE *)&dw, &size)
        && RegSetValueExA(k, "Value", 0, REG_DWORD, (BYTE *)&dw, 4))
        ExitProcess(1);
    for (i = 0; i < n; i++) {
        if (set) {
            if (RegSetValueExA(k, "Value", 0, REG_DWORD, (BYTE *)&i, 4)) ExitProcess(1);
        } else {
            size = sizeof dw;
            if (RegQueryValueExA(k, "Value", NULL, &type, (BYTE *)&dw, &size)) ExitProcess(1);
        }
    }
    RegCloseKey(k);
    ExitProcess(0);
}
