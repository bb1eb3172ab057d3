/* syscolor.exe: GetSysColor and GetSysColorBrush: NT 4.0's Windows Standard colours by
 * COLOR_* index, the indexes past COLOR_INFOBK (later Windows' COLOR_HOTLIGHT, gradient and
 * menu colours, 0 on NT 4.0), the brushes' colours (GetObject) and their
 * being system objects DeleteObject does not free.
 * tests/user32.rs compares the output with syscolor.expected. */
#include "guest.h"

void __stdcall start(void)
{
    int i;
    LOGBRUSH lb;
    HBRUSH b;
    for (i = 0; i <= 30; i++) {
        put("GetSysColor("); put_u(i); put("): "); put_x(GetSysColor(i)); put("\n");
    }
    b = GetSysColorBrush(COLOR_BTNFACE);
    check_u("GetSysColorBrush(COLOR_BTNFACE) made", b != NULL);
    check_u("GetObject of it", GetObjectA(b, sizeof lb, &lb) == sizeof lb);
    check_x("its colour", lb.lbColor);
    check_u("its style", lb.lbStyle);
    check_u("the same brush again", GetSysColorBrush(COLOR_BTNFACE) == b);
    DeleteObject(b);
    check_u("still a brush after DeleteObject", GetObjectA(b, sizeof lb, &lb) == sizeof lb);
    check_x("GetSysColor(COLOR_WINDOW)", GetSysColor(COLOR_WINDOW));
    ExitProcess(0);
}
