/* redirect.exe: a standard output redirected to a file is the file's, not the console's.
 * Thirty lines go to STD_OUTPUT_HANDLE with WriteFile; then the console's own output
 * (CONOUT$) tells where its cursor is. On the console (GetFileType FILE_TYPE_CHAR) the lines
 * moved the cursor to the last row of the 80x25 buffer; redirected (FILE_TYPE_DISK or
 * FILE_TYPE_PIPE) they went to the file only and the cursor is where it started, (0,0).
 * tests/lazyinit.rs runs it both ways. */
#include "guest.h"

void __stdcall start(void)
{
    CONSOLE_SCREEN_BUFFER_INFO sbi;
    HANDLE conout = CreateFileA("CONOUT$", GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, 0);
    int i;
    check_u("standard output type", GetFileType(GetStdHandle(STD_OUTPUT_HANDLE)));
    for (i = 0; i < 30; i++) put("a line\n");
    GetConsoleScreenBufferInfo(conout, &sbi);
    check_u("buffer rows", sbi.dwSize.Y);
    check_u("cursor column", sbi.dwCursorPosition.X);
    check_u("cursor row", sbi.dwCursorPosition.Y);
    ExitProcess(0);
}
