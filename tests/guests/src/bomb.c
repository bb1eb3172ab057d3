/* bomb.exe MODE: tries to exhaust the machine and reports how far it got and the error that
 * stopped it (tests/sandbox.rs checks they are NT's errors and the host survives).
 *   processes: starts suspended copies of itself until CreateProcess fails, then ends them;
 *   threads:   starts suspended threads until CreateThread fails;
 *   memory:    commits 16 MiB blocks until VirtualAlloc fails, touching one byte of each. */
#include "guest.h"

static DWORD WINAPI idle(LPVOID p) { return (DWORD)p; }

static HANDLE children[100000];

void __stdcall start(void)
{
    const char *line = GetCommandLineA();
    char self[MAX_PATH];
    DWORD n = 0, error = 0, i;

    while (*line && *line != ' ') line++;
    while (*line == ' ') line++;
    if (line[0] == 'p') {
        STARTUPINFOA si;
        PROCESS_INFORMATION pi;
        GetModuleFileNameA(NULL, self, sizeof self);
        for (i = 0; i < sizeof si; i++) ((char *)&si)[i] = 0;
        si.cb = sizeof si;
        while (n < 100000) {
            if (!CreateProcessA(self, "bomb.exe child", NULL, NULL, FALSE, CREATE_SUSPENDED, NULL, NULL, &si, &pi)) {
                error = GetLastError();
                break;
            }
            CloseHandle(pi.hThread);
            children[n++] = pi.hProcess;
        }
        check_u("processes", n);
        check_u("process-error", error);
        for (i = 0; i < n; i++) {
            TerminateProcess(children[i], 0);
            CloseHandle(children[i]);
        }
    } else if (line[0] == 't') {
        while (n < 100000) {
            HANDLE h = CreateThread(NULL, 0, idle, NULL, CREATE_SUSPENDED, NULL);
            if (!h) { error = GetLastError(); break; }
            n++;
        }
        check_u("threads", n);
        check_u("thread-error", error);
    } else if (line[0] == 'm') {
        while (n < 100000) {
            char *p = VirtualAlloc(NULL, 16 << 20, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
            if (!p) { error = GetLastError(); break; }
            p[0] = 1;
            n++;
        }
        check_u("mebibytes", n * 16);
        check_u("memory-error", error);
    } else if (line[0] == 'c') {
        /* A suspended child: never runs. */
        ExitProcess(3);
    }
    ExitProcess(0);
}
