/* args.exe: prints each argv entry as msvcrt's start-up parsed the command line, one per
 * line in brackets, then the command line itself. */
#include <stdio.h>
#include <windows.h>

int main(int argc, char **argv)
{
    int i;
    printf("argc=%d\n", argc);
    for (i = 1; i < argc; i++) printf("[%s]\n", argv[i]);
    printf("line=%s\n", GetCommandLineA());
    return 0;
}
