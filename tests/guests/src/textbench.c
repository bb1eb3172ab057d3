/* textbench.exe: 20,000 TextOutA calls of the same 80 characters in MS Sans Serif 8 pt
 * (DEFAULT_GUI_FONT) into a 640 x 480 bitmap selected into a memory DC, transparent, black
 * on the bitmap's white; exits with code 0 when every call succeeded and the text left
 * black pixels (1 otherwise). The gdi/text_out_80_chars benchmark (benches/gdi.rs). */
#include "guest.h"

#define ROUNDS 20000

static const char text[] =
    "The quick brown fox jumps over the lazy dog. 0123456789 ABCDEFGHIJKLMNOPQRSTUVWX";

void __stdcall start(void)
{
    HDC screen = GetDC(NULL);
    HDC mem = CreateCompatibleDC(screen);
    HBITMAP bmp = CreateCompatibleBitmap(screen, 640, 480);
    RECT all = {0, 0, 640, 480};
    unsigned i, x, black = 0;
    if (!mem || !bmp || sizeof text - 1 != 80)
        ExitProcess(1);
    SelectObject(mem, bmp);
    FillRect(mem, &all, (HBRUSH)GetStockObject(WHITE_BRUSH));
    SelectObject(mem, GetStockObject(DEFAULT_GUI_FONT));
    SetBkMode(mem, TRANSPARENT);
    SetTextColor(mem, RGB(0, 0, 0));
    for (i = 0; i < ROUNDS; i++) {
        if (!TextOutA(mem, 10, 100, text, 80))
            ExitProcess(1);
    }
    for (x = 10; x < 400; x++)
        if (GetPixel(mem, x, 106) == RGB(0, 0, 0))
            black++;
    if (!black)
        ExitProcess(1);
    put("textbench done\n");
    ExitProcess(0);
}
