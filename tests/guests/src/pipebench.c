/* pipebench.exe N: N round trips of 64 bytes between two threads over two anonymous pipes:
 * the main thread writes 64 bytes into one pipe, the echo thread reads them and writes them
 * back through the other, and the main thread reads them (benches/pipes.rs). Prints how many
 * round trips brought back what was sent. */
#include "guest.h"

static HANDLE g_to_echo_r, g_to_echo_w, g_back_r, g_back_w;

/* Reads exactly n bytes (a pipe read may return fewer). */
static int read_all(HANDLE h, char *buf, DWORD n)
{
    DWORD got = 0, r;
    while (got < n) {
        if (!ReadFile(h, buf + got, n - got, &r, NULL) || r == 0) return 0;
        got += r;
    }
    return 1;
}

static DWORD WINAPI echo(LPVOID param)
{
    char buf[64];
    DWORD n = (DWORD)param, i, w;
    for (i = 0; i < n; i++) {
        if (!read_all(g_to_echo_r, buf, sizeof buf)) return 1;
        if (!WriteFile(g_back_w, buf, sizeof buf, &w, NULL) || w != sizeof buf) return 2;
    }
    return 0;
}

void __stdcall start(void)
{
    const char *line = GetCommandLineA();
    DWORD n = 0, i, j, w, ok = 0, id;
    char out[64], in[64];
    HANDLE thread;

    while (*line && *line != ' ') line++;
    while (*line == ' ') line++;
    while (*line >= '0' && *line <= '9') n = n * 10 + (DWORD)(*line++ - '0');
    CreatePipe(&g_to_echo_r, &g_to_echo_w, NULL, 4096);
    CreatePipe(&g_back_r, &g_back_w, NULL, 4096);
    thread = CreateThread(NULL, 0, echo, (LPVOID)n, 0, &id);
    for (i = 0; i < n; i++) {
        for (j = 0; j < sizeof out; j++) out[j] = (char)(i + j);
        if (!WriteFile(g_to_echo_w, out, sizeof out, &w, NULL) || w != sizeof out) break;
        if (!read_all(g_back_r, in, sizeof in)) break;
        for (j = 0; j < sizeof in && in[j] == out[j]; j++) ;
        if (j == sizeof in) ok++;
    }
    WaitForSingleObject(thread, INFINITE);
    check_u("round trips", ok);
    ExitProcess(ok == n ? 0 : 1);
}
