/* msvcrt's stdin on the console: line input (cooked, echoed) read with scanf, fgets,
 * getchar and gets, the calls waiting until a line is typed. Run with the keys
 * "42 17\rhello\rworld\r" typed; output in tests/guests/expected/crtinput.expected. */
#include <stdio.h>
#include <string.h>

int main(void)
{
    int a = 0, b = 0;
    printf("numbers? ");
    int n = scanf("%d %d", &a, &b);
    printf("scanf: %d -> %d %d\n", n, a, b);
    char line[32];
    /* the rest of the first line: its newline */
    printf("fgets: [%s]\n", fgets(line, sizeof line, stdin) ? (line[strcspn(line, "\n")] = 0, line) : "NULL");
    int c = getchar();
    printf("getchar: %c\n", c);
    printf("gets: [%s]\n", gets(line));
    printf("fgets: [%s]\n", fgets(line, sizeof line, stdin) ? (line[strcspn(line, "\n")] = 0, line) : "NULL");
    return 0;
}
