/* maskblt.exe: GDI32's MaskBlt (tests/gdi.rs): a red source over a blue destination
 * through an 8x4 monochrome mask, with the ROP codes of MAKEROP4 swapped, a mask origin
 * inside the mask, a pattern background code, no mask (BitBlt), and a colour bitmap as mask
 * (refused). Each result is printed as the destination's pixels: R red, B blue, K black,
 * G green, ? anything else. */
#include "guest.h"

#define W 8
#define H 4

static HDC dst_dc, src_dc;

static HBITMAP dib(HDC dc)
{
    BITMAPINFO bi;
    void *bits;
    ZeroMemory(&bi, sizeof bi);
    bi.bmiHeader.biSize = sizeof bi.bmiHeader;
    bi.bmiHeader.biWidth = W;
    bi.bmiHeader.biHeight = -H;
    bi.bmiHeader.biPlanes = 1;
    bi.bmiHeader.biBitCount = 32;
    return CreateDIBSection(dc, &bi, DIB_RGB_COLORS, &bits, NULL, 0);
}

static void fill(HDC dc, COLORREF c)
{
    RECT r = { 0, 0, W, H };
    HBRUSH b = CreateSolidBrush(c);
    FillRect(dc, &r, b);
    DeleteObject(b);
}

static void show(const char *name, BOOL ok)
{
    int x, y;
    put(name); put(": "); put_u(ok ? 1 : 0);
    for (y = 0; y < H; y++) {
        char row[W + 2];
        row[0] = ' ';
        for (x = 0; x < W; x++) {
            COLORREF c = GetPixel(dst_dc, x, y);
            row[1 + x] = c == RGB(255, 0, 0) ? 'R' : c == RGB(0, 0, 255) ? 'B'
                       : c == RGB(0, 0, 0) ? 'K' : c == RGB(0, 255, 0) ? 'G' : '?';
        }
        row[W + 1] = 0;
        put(row);
    }
    put("\n");
}

void __stdcall start(void)
{
    /* Rows of the mask (1 white): 11110000, 00001111, 10101010, 01010101 (word-aligned). */
    static const WORD rows[H] = { 0x00F0, 0x000F, 0x00AA, 0x0055 };
    HBITMAP mask, colour;
    HBRUSH green;
    BOOL ok;

    dst_dc = CreateCompatibleDC(NULL);
    src_dc = CreateCompatibleDC(NULL);
    SelectObject(dst_dc, dib(dst_dc));
    SelectObject(src_dc, dib(src_dc));
    fill(src_dc, RGB(255, 0, 0));
    mask = CreateBitmap(W, H, 1, 1, rows);

    fill(dst_dc, RGB(0, 0, 255));
    ok = MaskBlt(dst_dc, 0, 0, W, H, src_dc, 0, 0, mask, 0, 0, MAKEROP4(SRCCOPY, 0x00AA0029));
    show("MAKEROP4(SRCCOPY, D)", ok);

    fill(dst_dc, RGB(0, 0, 255));
    ok = MaskBlt(dst_dc, 0, 0, W, H, src_dc, 0, 0, mask, 0, 0, MAKEROP4(0x00AA0029, SRCCOPY));
    show("MAKEROP4(D, SRCCOPY)", ok);

    fill(dst_dc, RGB(0, 0, 255));
    ok = MaskBlt(dst_dc, 0, 0, W, H, src_dc, 0, 0, mask, 0, 0, MAKEROP4(SRCCOPY, BLACKNESS));
    show("MAKEROP4(SRCCOPY, BLACKNESS)", ok);

    fill(dst_dc, RGB(0, 0, 255));
    ok = MaskBlt(dst_dc, 0, 0, 4, H, src_dc, 0, 0, mask, 2, 0, MAKEROP4(SRCCOPY, 0x00AA0029));
    show("4 wide, mask from x 2", ok);

    fill(dst_dc, RGB(0, 0, 255));
    green = CreateSolidBrush(RGB(0, 255, 0));
    SelectObject(dst_dc, green);
    ok = MaskBlt(dst_dc, 0, 0, W, H, src_dc, 0, 0, mask, 0, 0, MAKEROP4(SRCCOPY, PATCOPY));
    show("MAKEROP4(SRCCOPY, PATCOPY)", ok);

    fill(dst_dc, RGB(0, 0, 255));
    ok = MaskBlt(dst_dc, 1, 1, 3, 2, src_dc, 0, 0, NULL, 0, 0, SRCCOPY);
    show("no mask: BitBlt", ok);

    fill(dst_dc, RGB(0, 0, 255));
    colour = CreateCompatibleBitmap(dst_dc, W, H);
    SetLastError(0);
    ok = MaskBlt(dst_dc, 0, 0, W, H, src_dc, 0, 0, colour, 0, 0, MAKEROP4(SRCCOPY, 0x00AA0029));
    show("colour mask", ok);
    check_u("colour mask error", GetLastError());
    ExitProcess(0);
}
