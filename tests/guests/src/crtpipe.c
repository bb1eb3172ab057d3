/* The C runtime reading its stdin from a pipe: the parent starts itself as a child whose
 * standard input is a pipe's read end (STARTF_USESTDHANDLES), writes two lines with a pause
 * between them, so the child's fgets finds the pipe empty and must wait, then closes the
 * pipe; the child echoes each line, and its fgets ends at the broken pipe. Expected output:
 * tests/guests/expected/crtpipe.wine (Wine 8). */
#include <stdio.h>
#include <string.h>
#include <windows.h>

static int child(void)
{
    char line[128];
    int n = 0;
    while (fgets(line, sizeof line, stdin)) {
        printf("child got: %s", line);
        n++;
    }
    printf("child: end of input after %d lines (eof=%d)\n", n, feof(stdin) != 0);
    return 0;
}

int main(int argc, char **argv)
{
    HANDLE r, w;
    SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    char cmd[MAX_PATH + 16];
    DWORD done, code = 99;

    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child();
    setvbuf(stdout, NULL, _IONBF, 0);
    if (!CreatePipe(&r, &w, &sa, 0)) {
        printf("CreatePipe failed %lu\n", GetLastError());
        return 1;
    }
    SetHandleInformation(w, HANDLE_FLAG_INHERIT, 0);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = r;
    si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    GetModuleFileNameA(NULL, cmd, MAX_PATH);
    strcat(cmd, " child");
    if (!CreateProcessA(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
        printf("CreateProcess failed %lu\n", GetLastError());
        return 1;
    }
    CloseHandle(r);
    WriteFile(w, "first line\r\n", 12, &done, NULL);
    Sleep(100);
    WriteFile(w, "second line\r\n", 13, &done, NULL);
    CloseHandle(w);
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &code);
    printf("parent: child exit code %lu\n", code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return 0;
}
