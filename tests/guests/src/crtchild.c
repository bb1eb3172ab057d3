/* crtchild.exe: the program tests/guests/src/crtspawn.c starts. Prints its arguments and the
 * variable SPAWNVAR, and exits with the number its last argument gives. Linked with mingw-w64's
 * start-up against msvcrt.dll. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    printf("  child: argc=%d", argc);
    for (int i = 0; i < argc; i++)
        printf(" [%s]", argv[i]);
    const char *v = getenv("SPAWNVAR");
    printf(" SPAWNVAR=%s\n", v ? v : "(unset)");
    fflush(stdout);
    return argc > 1 ? atoi(argv[argc - 1]) : 0;
}
