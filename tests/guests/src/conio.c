/* msvcrt's conio.h: keys one at a time from the console (run with the keys 'a', 'b' and
 * Up typed), and output straight to the console. Output in tests/guests/expected/conio.expected. */
#include <conio.h>
#include <stdio.h>

int main(void)
{
    printf("kbhit: %d\n", _kbhit() != 0);
    int a = _getch();
    int b = _getche(); /* echoes "b" */
    int up1 = _getch();
    int up2 = _getch();
    printf("\ngetch: %c %c %02x %02x\n", a, b, up1, up2);
    _ungetch('z');
    int z = _getch();
    printf("ungetch: %c kbhit: %d\n", z, _kbhit() != 0);
    _cputs("cputs\r\n");
    _putch('p');
    _putch('\r');
    _putch('\n');
    _cprintf("cprintf %d\r\n", 5);
    return 0;
}
