/* GDI32 as NT 4.0's graphics engine, and USER32's painting path: objects and their error
 * conventions, memory DCs and DIB sections, shapes drawn into a 32-bit top-down DIB section
 * printed as text (so the pixels compare with Wine's whatever its display depth), ROP3
 * blits, monochrome conversions, stretching, DIB bits in and out, transforms, regions and
 * clipping, then a window painted through WM_ERASEBKGND and WM_PAINT and read back. */
#include "guest.h"

static void check_i(const char *name, long value)
{
    put(name); put(": "); put_i(value); put("\n");
}

/* No C runtime: gcc may still call memset for structure clearing. */
void *memset(void *d, int c, unsigned int n)
{
    unsigned char *p = d;
    while (n--) *p++ = (unsigned char)c;
    return d;
}

#define W 20
#define H 12

static HDC g_dc;
static HBITMAP g_dib;
static DWORD *g_bits;

static void art(const char *name)
{
    int x, y;
    char row[W + 2];
    GdiFlush();
    put(name); put(":\n");
    for (y = 0; y < H; y++) {
        for (x = 0; x < W; x++) {
            DWORD p = g_bits[y * W + x] & 0xFFFFFF;
            row[x] = p == 0xFFFFFF ? '.' : p == 0 ? '#' : p == 0xFF0000 ? 'r' : p == 0x0000FF ? 'b' : '?';
        }
        row[W] = '\n'; row[W + 1] = 0;
        put("  "); put(row);
    }
}

static void clear(void)
{
    PatBlt(g_dc, 0, 0, W, H, WHITENESS);
}

static void put_rect(const char *name, const RECT *r)
{
    put(name); put(": "); put_i(r->left); put(","); put_i(r->top); put(",");
    put_i(r->right); put(","); put_i(r->bottom); put("\n");
}

static void objects(void)
{
    LOGPEN lp;
    LOGBRUSH lb;
    LOGFONTA lf;
    BITMAP bm;
    HDC dc;
    HBRUSH br;
    HGDIOBJ old;
    HBITMAP bmp;
    int n;

    check_u("type WHITE_BRUSH", GetObjectType(GetStockObject(WHITE_BRUSH)));
    check_u("type BLACK_PEN", GetObjectType(GetStockObject(BLACK_PEN)));
    check_u("type SYSTEM_FONT", GetObjectType(GetStockObject(SYSTEM_FONT)));
    check_u("type DEFAULT_PALETTE", GetObjectType(GetStockObject(DEFAULT_PALETTE)));
    check_u("GetStockObject(9)", (DWORD)GetStockObject(9));
    check_u("size of pen", GetObjectA(GetStockObject(BLACK_PEN), 0, NULL));
    check_u("size of brush", GetObjectA(GetStockObject(GRAY_BRUSH), 0, NULL));
    check_u("size of font A", GetObjectA(GetStockObject(SYSTEM_FONT), 0, NULL));
    check_u("size of font W", GetObjectW(GetStockObject(SYSTEM_FONT), 0, NULL));
    n = GetObjectA(GetStockObject(WHITE_PEN), sizeof(lp), &lp);
    check_u("GetObject(WHITE_PEN)", n);
    check_u("  style", lp.lopnStyle);
    check_u("  width", lp.lopnWidth.x);
    check_x("  colour", lp.lopnColor);
    n = GetObjectA(GetStockObject(LTGRAY_BRUSH), sizeof(lb), &lb);
    check_u("GetObject(LTGRAY_BRUSH)", n);
    check_u("  style", lb.lbStyle);
    check_x("  colour", lb.lbColor);
    n = GetObjectA(GetStockObject(NULL_BRUSH), sizeof(lb), &lb);
    check_u("GetObject(NULL_BRUSH) style", lb.lbStyle);
    br = CreateHatchBrush(HS_CROSS, RGB(1, 2, 3));
    GetObjectA(br, sizeof(lb), &lb);
    check_u("hatch brush style", lb.lbStyle);
    check_u("hatch brush hatch", lb.lbHatch);
    check_x("hatch brush colour", lb.lbColor);
    DeleteObject(br);
    n = GetObjectA(GetStockObject(ANSI_FIXED_FONT), sizeof(lf), &lf);
    check_u("GetObject(ANSI_FIXED_FONT)", n);
    put("  face: "); put(lf.lfFaceName); put("\n");
    memset(&lf, 0, sizeof(lf));
    lf.lfHeight = -13;
    lf.lfWeight = 700;
    lf.lfItalic = 1;
    lstrcpyA(lf.lfFaceName, "Arial");
    br = (HBRUSH)CreateFontIndirectA(&lf);
    check_u("CreateFontIndirectA nonzero", br != 0);
    memset(&lf, 0, sizeof(lf));
    check_u("GetObject(font)", GetObjectA(br, sizeof(lf), &lf));
    check_i("  height", lf.lfHeight);
    check_u("  weight", lf.lfWeight);
    check_u("  italic", lf.lfItalic);
    put("  face: "); put(lf.lfFaceName); put("\n");
    DeleteObject(br);

    /* Error conventions. */
    SetLastError(0);
    check_u("SelectObject(NULL dc)", (DWORD)SelectObject(NULL, GetStockObject(BLACK_PEN)));
    check_u("  error", GetLastError());
    dc = CreateCompatibleDC(NULL);
    SetLastError(0);
    check_u("SelectObject(dc, NULL)", (DWORD)SelectObject(dc, NULL));
    check_u("  error", GetLastError());
    SetLastError(0);
    check_u("DeleteObject(NULL)", DeleteObject(NULL));
    check_u("  error", GetLastError());
    SetLastError(0);
    check_u("GetObjectType(NULL)", GetObjectType(NULL));
    check_u("  error", GetLastError());
    SetLastError(0);
    check_u("SaveDC(bad)", SaveDC((HDC)0xdeadbeef));
    check_u("  error", GetLastError());

    /* A memory DC starts with the 1x1 monochrome bitmap. */
    check_u("type of memory DC", GetObjectType(dc));
    n = GetObjectA(GetCurrentObject(dc, OBJ_BITMAP), sizeof(bm), &bm);
    check_u("default bitmap GetObject", n);
    check_u("  width", bm.bmWidth);
    check_u("  height", bm.bmHeight);
    check_u("  widthbytes", bm.bmWidthBytes);
    check_u("  bitspixel", bm.bmBitsPixel);
    check_u("same pen as stock", GetCurrentObject(dc, OBJ_PEN) == GetStockObject(BLACK_PEN));
    check_u("same brush as stock", GetCurrentObject(dc, OBJ_BRUSH) == GetStockObject(WHITE_BRUSH));

    /* SelectObject gives back what was selected; a selected brush deleted goes when it is
     * deselected. */
    br = CreateSolidBrush(RGB(9, 8, 7));
    old = SelectObject(dc, br);
    check_u("SelectObject(brush) gives the old", old == GetStockObject(WHITE_BRUSH));
    check_u("DeleteObject(selected brush)", DeleteObject(br));
    check_u("  type while selected", GetObjectType(br));
    SelectObject(dc, old);
    check_u("  type after deselect", GetObjectType(br));
    bmp = CreateCompatibleBitmap(dc, 4, 4);
    GetObjectA(bmp, sizeof(bm), &bm);
    check_u("compatible bitmap of a fresh memory DC bitspixel", bm.bmBitsPixel);
    DeleteObject(bmp);
    bmp = CreateBitmap(4, 4, 1, 1, NULL);
    old = SelectObject(dc, bmp);
    check_u("select mono bitmap", old != 0);
    SetLastError(0);
    check_u("SaveDC", SaveDC(dc));
    check_u("SaveDC", SaveDC(dc));
    check_u("RestoreDC(-3)", RestoreDC(dc, -3));
    check_u("RestoreDC(1)", RestoreDC(dc, 1));
    check_u("RestoreDC(1) again", RestoreDC(dc, 1));
    SelectObject(dc, old);
    DeleteObject(bmp);
    DeleteDC(dc);
    check_u("type after DeleteDC", GetObjectType(dc));
}

static void dibsection(void)
{
    DIBSECTION ds;
    BITMAPINFO bi;
    void *bits = 0;
    int n;

    memset(&bi, 0, sizeof(bi));
    bi.bmiHeader.biSize = sizeof(bi.bmiHeader);
    bi.bmiHeader.biWidth = W;
    bi.bmiHeader.biHeight = -H;
    bi.bmiHeader.biPlanes = 1;
    bi.bmiHeader.biBitCount = 32;
    g_dib = CreateDIBSection(NULL, &bi, DIB_RGB_COLORS, &bits, NULL, 0);
    g_bits = bits;
    check_u("CreateDIBSection nonzero", g_dib != 0 && bits != 0);
    n = GetObjectA(g_dib, sizeof(ds), &ds);
    check_u("GetObject(DIB section)", n);
    check_u("  bmBits is the bits", ds.dsBm.bmBits == bits);
    check_u("  widthbytes", ds.dsBm.bmWidthBytes);
    check_i("  biHeight", ds.dsBmih.biHeight);
    check_u("  biSizeImage", ds.dsBmih.biSizeImage);
    check_u("GetObject(DIB section, BITMAP)", GetObjectA(g_dib, sizeof(BITMAP), &ds));
    g_dc = CreateCompatibleDC(NULL);
    SelectObject(g_dc, g_dib);
    g_bits[1 * W + 2] = 0x00123456;
    check_x("GetPixel sees the bits", GetPixel(g_dc, 2, 1));
    check_x("SetPixel", SetPixel(g_dc, 3, 1, RGB(0xAA, 0xBB, 0xCC)));
    GdiFlush();
    check_x("  the bits", g_bits[1 * W + 3]);
    check_x("GetPixel outside", GetPixel(g_dc, W, 0));
    check_x("SetPixel outside", SetPixel(g_dc, -1, 0, 0));
}

static void shapes(void)
{
    HBRUSH red = CreateSolidBrush(RGB(255, 0, 0));
    HPEN blue = CreatePen(PS_SOLID, 1, RGB(0, 0, 255));
    HPEN wide = CreatePen(PS_SOLID, 3, RGB(0, 0, 0));
    HPEN dot = CreatePen(PS_DOT, 1, RGB(0, 0, 0));
    HBRUSH hatch = CreateHatchBrush(HS_DIAGCROSS, RGB(255, 0, 0));
    HBRUSH hatch2 = CreateHatchBrush(HS_DIAGCROSS, RGB(255, 0, 0));
    HGDIOBJ old_brush = SelectObject(g_dc, red);
    POINT star[5] = {{10, 0}, {16, 11}, {1, 4}, {19, 4}, {4, 11}};
    POINT tri[3] = {{2, 1}, {17, 5}, {6, 10}};

    clear();
    Rectangle(g_dc, 1, 1, 9, 7);
    Rectangle(g_dc, 11, 2, 12, 3);
    art("Rectangle(1,1,9,7) and a 1x1 one");
    clear();
    SelectObject(g_dc, GetStockObject(NULL_PEN));
    Rectangle(g_dc, 1, 1, 9, 7);
    art("Rectangle with the null pen");
    SelectObject(g_dc, GetStockObject(BLACK_PEN));
    clear();
    Ellipse(g_dc, 1, 1, 12, 10);
    art("Ellipse(1,1,12,10)");
    clear();
    Ellipse(g_dc, 0, 0, 8, 8);
    Ellipse(g_dc, 9, 1, 19, 5);
    art("Ellipse(0,0,8,8), Ellipse(9,1,19,5)");
    clear();
    RoundRect(g_dc, 1, 1, 17, 11, 8, 6);
    art("RoundRect(1,1,17,11,8,6)");
    clear();
    MoveToEx(g_dc, 0, 0, NULL);
    LineTo(g_dc, 19, 0);
    LineTo(g_dc, 19, 11);
    MoveToEx(g_dc, 0, 2, NULL);
    LineTo(g_dc, 8, 10);
    MoveToEx(g_dc, 2, 2, NULL);
    LineTo(g_dc, 16, 6);
    art("lines (last pixel left out)");
    clear();
    SelectObject(g_dc, GetStockObject(NULL_PEN));
    SetPolyFillMode(g_dc, ALTERNATE);
    Polygon(g_dc, star, 5);
    art("star, ALTERNATE, null pen");
    clear();
    SetPolyFillMode(g_dc, WINDING);
    Polygon(g_dc, star, 5);
    art("star, WINDING, null pen");
    clear();
    SelectObject(g_dc, blue);
    Polygon(g_dc, tri, 3);
    art("triangle, blue pen");
    clear();
    SelectObject(g_dc, wide);
    MoveToEx(g_dc, 2, 5, NULL);
    LineTo(g_dc, 17, 5);
    art("pen 3 wide");
    clear();
    SelectObject(g_dc, dot);
    SetBkMode(g_dc, TRANSPARENT);
    MoveToEx(g_dc, 0, 3, NULL);
    LineTo(g_dc, 20, 3);
    art("PS_DOT, transparent");
    SetBkMode(g_dc, OPAQUE);
    SelectObject(g_dc, GetStockObject(BLACK_PEN));
    clear();
    SelectObject(g_dc, hatch);
    SetBkColor(g_dc, RGB(0, 0, 255));
    PatBlt(g_dc, 0, 0, 16, 8, PATCOPY);
    SetBkMode(g_dc, TRANSPARENT);
    SelectObject(g_dc, hatch2);
    PatBlt(g_dc, 16, 0, 4, 8, PATCOPY);
    SetBkMode(g_dc, OPAQUE);
    SetBkColor(g_dc, RGB(255, 255, 255));
    art("HS_DIAGCROSS, opaque on blue then transparent");
    clear();
    SelectObject(g_dc, red);
    SetROP2(g_dc, R2_NOT);
    Rectangle(g_dc, 2, 2, 10, 8);
    Rectangle(g_dc, 4, 4, 14, 10);
    SetROP2(g_dc, R2_COPYPEN);
    check_u("GetROP2", GetROP2(g_dc));
    art("R2_NOT rectangles");
    clear();
    check_u("Pie", Pie(g_dc, 0, 0, 12, 12, 12, 6, 6, 0));
    check_u("Chord", Chord(g_dc, 12, 0, 20, 8, 20, 4, 12, 4));
    check_u("Arc", Arc(g_dc, 0, 0, 12, 12, 6, 12, 12, 6));
    GdiFlush();
    check_x("pie's inside", g_bits[3 * W + 8] & 0xFFFFFF);
    check_x("outside the pie", g_bits[8 * W + 3] & 0xFFFFFF);
    check_x("chord's inside", g_bits[2 * W + 16] & 0xFFFFFF);
    check_x("below the chord", g_bits[6 * W + 16] & 0xFFFFFF);
    SelectObject(g_dc, old_brush);
    DeleteObject(red);
    DeleteObject(blue);
    DeleteObject(wide);
    DeleteObject(dot);
    DeleteObject(hatch);
    DeleteObject(hatch2);
}

static void rops(void)
{
    static const DWORD codes[] = {SRCCOPY, SRCPAINT, SRCAND, SRCINVERT, SRCERASE, NOTSRCCOPY,
                                  NOTSRCERASE, MERGECOPY, MERGEPAINT, PATCOPY, PATPAINT,
                                  PATINVERT, DSTINVERT, BLACKNESS, WHITENESS, 0x00B8074A,
                                  0x00E20746, 0x006C01E8};
    HDC src = CreateCompatibleDC(NULL);
    BITMAPINFO bi;
    void *sbits;
    DWORD *s;
    HBITMAP sb;
    HBRUSH pat = CreateSolidBrush(RGB(0x0F, 0xF0, 0x55));
    int i;

    memset(&bi, 0, sizeof(bi));
    bi.bmiHeader.biSize = sizeof(bi.bmiHeader);
    bi.bmiHeader.biWidth = 4;
    bi.bmiHeader.biHeight = 1;
    bi.bmiHeader.biPlanes = 1;
    bi.bmiHeader.biBitCount = 32;
    sb = CreateDIBSection(NULL, &bi, DIB_RGB_COLORS, &sbits, NULL, 0);
    s = sbits;
    s[0] = 0x00FF00FF; s[1] = 0x00123456; s[2] = 0x00000000; s[3] = 0x00C0C0C0;
    SelectObject(src, sb);
    SelectObject(g_dc, pat);
    for (i = 0; i < (int)(sizeof(codes) / sizeof(codes[0])); i++) {
        g_bits[0] = 0x00FFFFFF; g_bits[1] = 0x00654321; g_bits[2] = 0x00A0A0A0; g_bits[3] = 0x00000000;
        BitBlt(g_dc, 0, 0, 4, 1, src, 0, 0, codes[i]);
        GdiFlush();
        put("rop "); put_x(codes[i]); put(":");
        put(" "); put_x(g_bits[0]); put(" "); put_x(g_bits[1]);
        put(" "); put_x(g_bits[2]); put(" "); put_x(g_bits[3]); put("\n");
    }
    SelectObject(g_dc, GetStockObject(WHITE_BRUSH));
    DeleteDC(src);
    DeleteObject(sb);
    DeleteObject(pat);
}

static void mono(void)
{
    static const WORD bits[2] = {0x00A5, 0x0000}; /* one row, 8 pixels: 10100101 */
    HBITMAP m = CreateBitmap(8, 1, 1, 1, bits);
    HDC mdc = CreateCompatibleDC(NULL);
    BYTE back[2] = {0, 0};
    int i;

    SelectObject(mdc, m);
    clear();
    SetTextColor(g_dc, RGB(255, 0, 0));
    SetBkColor(g_dc, RGB(0, 0, 255));
    BitBlt(g_dc, 0, 0, 8, 1, mdc, 0, 0, SRCCOPY);
    SetTextColor(g_dc, RGB(0, 0, 0));
    SetBkColor(g_dc, RGB(255, 255, 255));
    GdiFlush();
    put("mono to colour:");
    for (i = 0; i < 8; i++) { put(" "); put_x(g_bits[i]); }
    put("\n");
    /* Colour to mono: the source's background colour becomes white, the rest black. */
    for (i = 0; i < 8; i++) g_bits[i] = (i % 3) ? 0x00112233 : 0x00445566;
    SetBkColor(g_dc, RGB(0x11, 0x22, 0x33));
    BitBlt(mdc, 0, 0, 8, 1, g_dc, 0, 0, SRCCOPY);
    SetBkColor(g_dc, RGB(255, 255, 255));
    check_u("GetBitmapBits", GetBitmapBits(m, 2, back));
    check_x("  mono bits", back[0]);
    check_x("mono GetPixel(0)", GetPixel(mdc, 0, 0));
    check_x("mono GetPixel(1)", GetPixel(mdc, 1, 0));
    check_x("mono SetPixel(red)", SetPixel(mdc, 2, 0, RGB(255, 0, 0)));
    check_x("mono SetPixel(light)", SetPixel(mdc, 2, 0, RGB(200, 200, 200)));
    DeleteDC(mdc);
    DeleteObject(m);
}

static void stretch(void)
{
    HDC src = CreateCompatibleDC(NULL);
    HBITMAP b = CreateCompatibleBitmap(g_dc, 3, 2);
    BYTE dib24[2][12];
    BITMAPINFO bi;
    BYTE out[2][8];
    int n;

    SelectObject(src, b);
    SetPixel(src, 0, 0, RGB(255, 0, 0));
    SetPixel(src, 1, 0, RGB(0, 0, 255));
    SetPixel(src, 2, 0, RGB(0, 0, 0));
    SetPixel(src, 0, 1, RGB(255, 255, 255));
    SetPixel(src, 1, 1, RGB(255, 0, 0));
    SetPixel(src, 2, 1, RGB(0, 0, 255));
    clear();
    StretchBlt(g_dc, 0, 0, 6, 4, src, 0, 0, 3, 2, SRCCOPY);
    StretchBlt(g_dc, 8, 0, 3, 2, src, 2, 0, -3, 2, SRCCOPY);
    StretchBlt(g_dc, 12, 0, 3, 2, src, 0, 1, 3, -2, SRCCOPY);
    art("StretchBlt x2, mirrored, flipped");

    /* A bottom-up 24-bit DIB: its first row in memory is the picture's bottom. */
    memset(dib24, 0, sizeof(dib24));
    dib24[0][0] = 0x00; dib24[0][1] = 0x00; dib24[0][2] = 0xFF; /* bottom-left red */
    dib24[0][3] = 0xFF; dib24[0][4] = 0xFF; dib24[0][5] = 0xFF;
    dib24[0][6] = 0xFF; dib24[0][7] = 0x00; dib24[0][8] = 0x00; /* blue */
    dib24[1][0] = 0xFF; dib24[1][1] = 0x00; dib24[1][2] = 0x00; /* top-left blue */
    memset(&bi, 0, sizeof(bi));
    bi.bmiHeader.biSize = sizeof(bi.bmiHeader);
    bi.bmiHeader.biWidth = 3;
    bi.bmiHeader.biHeight = 2;
    bi.bmiHeader.biPlanes = 1;
    bi.bmiHeader.biBitCount = 24;
    clear();
    n = StretchDIBits(g_dc, 0, 0, 6, 4, 0, 0, 3, 2, dib24, &bi, DIB_RGB_COLORS, SRCCOPY);
    check_u("StretchDIBits", n);
    n = SetDIBitsToDevice(g_dc, 8, 0, 3, 2, 0, 0, 0, 2, dib24, &bi, DIB_RGB_COLORS);
    check_u("SetDIBitsToDevice", n);
    n = SetDIBitsToDevice(g_dc, 12, 0, 2, 1, 1, 0, 0, 2, dib24, &bi, DIB_RGB_COLORS);
    art("StretchDIBits x2, SetDIBitsToDevice, part of the bottom row");

    /* GetDIBits from the device bitmap, bottom-up 24-bit. */
    memset(out, 0xEE, sizeof(out));
    memset(&bi, 0, sizeof(bi));
    bi.bmiHeader.biSize = sizeof(bi.bmiHeader);
    bi.bmiHeader.biWidth = 2;
    bi.bmiHeader.biHeight = 2;
    bi.bmiHeader.biPlanes = 1;
    bi.bmiHeader.biBitCount = 24;
    SelectObject(src, GetStockObject(DEFAULT_PALETTE)); /* not a bitmap: the DC keeps b */
    DeleteDC(src);
    n = GetDIBits(g_dc, b, 0, 2, out, &bi, DIB_RGB_COLORS);
    check_u("GetDIBits", n);
    put("  bits:");
    for (n = 0; n < 8; n++) { put(" "); put_u(out[0][n]); }
    for (n = 0; n < 8; n++) { put(" "); put_u(out[1][n]); }
    put("\n");
    check_u("  biSizeImage", bi.bmiHeader.biSizeImage);
    memset(&bi, 0, sizeof(bi));
    bi.bmiHeader.biSize = sizeof(bi.bmiHeader);
    n = GetDIBits(g_dc, b, 0, 0, NULL, &bi, DIB_RGB_COLORS);
    check_u("GetDIBits(query) nonzero", n != 0);
    check_u("  width", bi.bmiHeader.biWidth);
    check_u("  height", bi.bmiHeader.biHeight);
    /* SetDIBits into the device bitmap, then read back through a DC. */
    memset(&bi, 0, sizeof(bi));
    bi.bmiHeader.biSize = sizeof(bi.bmiHeader);
    bi.bmiHeader.biWidth = 3;
    bi.bmiHeader.biHeight = -2;
    bi.bmiHeader.biPlanes = 1;
    bi.bmiHeader.biBitCount = 24;
    check_u("SetDIBits", SetDIBits(g_dc, b, 0, 2, dib24, &bi, DIB_RGB_COLORS));
    src = CreateCompatibleDC(NULL);
    SelectObject(src, b);
    check_x("  pixel (0,0)", GetPixel(src, 0, 0));
    check_x("  pixel (0,1)", GetPixel(src, 0, 1));
    DeleteDC(src);
    DeleteObject(b);
}

static void transforms(void)
{
    XFORM x = {0, 1, -1, 0, 12, 1}; /* a quarter turn, then moved */
    POINT pts[2] = {{1, 2}, {3, 4}};
    SIZE sz;

    clear();
    check_u("SetWorldTransform in GM_COMPATIBLE", SetWorldTransform(g_dc, &x));
    check_u("SetGraphicsMode", SetGraphicsMode(g_dc, GM_ADVANCED));
    check_u("SetWorldTransform", SetWorldTransform(g_dc, &x));
    SelectObject(g_dc, GetStockObject(BLACK_BRUSH));
    SelectObject(g_dc, GetStockObject(NULL_PEN));
    Rectangle(g_dc, 0, 0, 8, 3);
    art("Rectangle(0,0,8,3) turned a quarter");
    LPtoDP(g_dc, pts, 2);
    put("LPtoDP turned: "); put_i(pts[0].x); put(","); put_i(pts[0].y); put(" ");
    put_i(pts[1].x); put(","); put_i(pts[1].y); put("\n");
    check_u("ModifyWorldTransform(MWT_IDENTITY)", ModifyWorldTransform(g_dc, NULL, MWT_IDENTITY));
    check_u("SetGraphicsMode back", SetGraphicsMode(g_dc, GM_COMPATIBLE));
    clear();
    SetViewportOrgEx(g_dc, 5, 2, NULL);
    Rectangle(g_dc, 0, 0, 4, 3);
    SetViewportOrgEx(g_dc, 0, 0, NULL);
    check_u("SetMapMode(MM_ANISOTROPIC) old", SetMapMode(g_dc, MM_ANISOTROPIC));
    SetWindowExtEx(g_dc, 1, 1, NULL);
    SetViewportExtEx(g_dc, 2, 3, NULL);
    Rectangle(g_dc, 5, 1, 8, 4);
    GetViewportExtEx(g_dc, &sz);
    put("viewport ext: "); put_i(sz.cx); put(","); put_i(sz.cy); put("\n");
    pts[0].x = 10; pts[0].y = 9;
    DPtoLP(g_dc, pts, 1);
    put("DPtoLP: "); put_i(pts[0].x); put(","); put_i(pts[0].y); put("\n");
    SetMapMode(g_dc, MM_TEXT);
    art("viewport origin moved; MM_ANISOTROPIC x2 y3");
    SelectObject(g_dc, GetStockObject(WHITE_BRUSH));
    SelectObject(g_dc, GetStockObject(BLACK_PEN));
}

static void regions(void)
{
    HRGN a = CreateRectRgn(0, 0, 10, 10);
    HRGN b = CreateRectRgn(5, 5, 15, 15);
    HRGN c = CreateRectRgn(0, 0, 0, 0);
    HRGN clip = CreateRectRgn(2, 2, 12, 8);
    RECT r, fill = {0, 0, W, H};

    check_u("CombineRgn OR", CombineRgn(c, a, b, RGN_OR));
    GetRgnBox(c, &r);
    put_rect("  box", &r);
    check_u("CombineRgn AND", CombineRgn(c, a, b, RGN_AND));
    check_u("CombineRgn DIFF", CombineRgn(c, a, b, RGN_DIFF));
    check_u("  PtInRegion(7,7)", PtInRegion(c, 7, 7));
    check_u("  PtInRegion(2,7)", PtInRegion(c, 2, 7));
    check_u("CombineRgn XOR", CombineRgn(c, a, a, RGN_XOR));
    check_u("EqualRgn", EqualRgn(a, a));
    check_u("OffsetRgn", OffsetRgn(a, 100, 0));
    GetRgnBox(a, &r);
    put_rect("  box", &r);
    clear();
    check_u("SelectClipRgn", SelectClipRgn(g_dc, clip));
    check_u("ExcludeClipRect", ExcludeClipRect(g_dc, 5, 4, 8, 6));
    check_u("GetClipBox", GetClipBox(g_dc, &r));
    put_rect("  box", &r);
    check_u("GetClipRgn", GetClipRgn(g_dc, c));
    FillRect(g_dc, &fill, GetStockObject(BLACK_BRUSH));
    check_u("SelectClipRgn(NULL)", SelectClipRgn(g_dc, NULL));
    check_u("GetClipRgn after", GetClipRgn(g_dc, c));
    SetRect(&fill, 14, 9, 18, 11);
    FillRect(g_dc, &fill, (HBRUSH)(COLOR_WINDOWTEXT + 1));
    SetRect(&fill, 13, 1, 19, 7);
    FrameRect(g_dc, &fill, GetStockObject(BLACK_BRUSH));
    check_u("IntersectClipRect", IntersectClipRect(g_dc, 0, 0, 4, 4));
    check_u("RectVisible(5..)", RectVisible(g_dc, &fill));
    check_u("PtVisible(1,1)", PtVisible(g_dc, 1, 1));
    SelectClipRgn(g_dc, NULL);
    art("clip region minus a hole; a COLOR_WINDOWTEXT+1 fill; FrameRect");
    clear();
    SetRect(&fill, 1, 1, 9, 6);
    DrawFocusRect(g_dc, &fill);
    art("DrawFocusRect");
    DrawFocusRect(g_dc, &fill);
    art("DrawFocusRect twice");
    DeleteObject(a);
    DeleteObject(b);
    DeleteObject(c);
    DeleteObject(clip);
    {
        POINT tri[3] = {{12, 1}, {19, 1}, {12, 10}};
        HRGN e = CreateEllipticRgn(1, 1, 12, 10);
        HRGN p = CreatePolygonRgn(tri, 3, WINDING);
        clear();
        FillRgn(g_dc, e, GetStockObject(BLACK_BRUSH));
        FillRgn(g_dc, p, GetStockObject(BLACK_BRUSH));
        art("CreateEllipticRgn(1,1,12,10), CreatePolygonRgn");
        check_u("GetRegionData size", GetRegionData(p, 0, NULL));
        DeleteObject(e);
        DeleteObject(p);
    }
}

static void caps(void)
{
    HDC dc = GetDC(NULL);
    check_u("TECHNOLOGY", GetDeviceCaps(dc, TECHNOLOGY));
    check_u("LOGPIXELSX", GetDeviceCaps(dc, LOGPIXELSX));
    check_u("LOGPIXELSY", GetDeviceCaps(dc, LOGPIXELSY));
    check_u("PLANES", GetDeviceCaps(dc, PLANES));
    check_u("BITSPIXEL at least 15", GetDeviceCaps(dc, BITSPIXEL) >= 15);
    check_u("RC_BITBLT", (GetDeviceCaps(dc, RASTERCAPS) & RC_BITBLT) != 0);
    check_u("RC_STRETCHDIB", (GetDeviceCaps(dc, RASTERCAPS) & RC_STRETCHDIB) != 0);
    ReleaseDC(NULL, dc);
}

/* ---- the window ---------------------------------------------------------------------- */

static int g_paints;

static LRESULT CALLBACK paint_proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp)
{
    PAINTSTRUCT ps;
    RECT r;
    HDC dc;
    switch (msg) {
    case WM_ERASEBKGND:
        put("  WM_ERASEBKGND\n");
        break;
    case WM_PAINT:
        g_paints++;
        put("  WM_PAINT\n");
        dc = BeginPaint(hwnd, &ps);
        check_u("    hdc is the PAINTSTRUCT's", dc == ps.hdc);
        check_u("    fErase", ps.fErase);
        put_rect("    rcPaint", &ps.rcPaint);
        check_u("    WindowFromDC", WindowFromDC(dc) == hwnd);
        SetRect(&r, 10, 10, 30, 30);
        FillRect(dc, &r, (HBRUSH)GetStockObject(BLACK_BRUSH));
        EndPaint(hwnd, &ps);
        return 0;
    case WM_USER:
        put("  WM_USER\n");
        return 0;
    }
    return DefWindowProcA(hwnd, msg, wp, lp);
}

static void pump(void)
{
    MSG m;
    while (PeekMessageA(&m, 0, 0, 0, PM_REMOVE)) DispatchMessageA(&m);
}

static void window(void)
{
    WNDCLASSA wc;
    HWND hwnd;
    HDC dc;
    RECT r;
    MSG m;

    memset(&wc, 0, sizeof(wc));
    wc.lpfnWndProc = paint_proc;
    wc.hInstance = GetModuleHandleA(NULL);
    wc.hbrBackground = (HBRUSH)(COLOR_WINDOW + 1);
    wc.lpszClassName = "gdidraw";
    RegisterClassA(&wc);
    hwnd = CreateWindowExA(0, "gdidraw", "paint", WS_POPUP, 0, 0, 100, 80, 0, 0,
                           wc.hInstance, NULL);
    check_u("GetUpdateRect before shown", GetUpdateRect(hwnd, &r, FALSE));
    put("ShowWindow\n");
    ShowWindow(hwnd, SW_SHOW);
    check_u("GetUpdateRect after ShowWindow", GetUpdateRect(hwnd, &r, FALSE));
    put_rect("  rect", &r);
    put("UpdateWindow\n");
    UpdateWindow(hwnd);
    check_u("GetUpdateRect after UpdateWindow", GetUpdateRect(hwnd, &r, FALSE));
    pump();
    check_u("paints so far", g_paints);
    dc = GetDC(hwnd);
    check_u("WindowFromDC(GetDC)", WindowFromDC(dc) == hwnd);
    check_x("GetPixel(5,5) erased", GetPixel(dc, 5, 5));
    check_x("GetPixel(15,15) painted", GetPixel(dc, 15, 15));
    check_u("GetClipBox of GetDC", GetClipBox(dc, &r));
    put_rect("  box", &r);
    check_u("ReleaseDC", ReleaseDC(hwnd, dc));

    SetRect(&r, 0, 0, 50, 40);
    put("InvalidateRect, PostMessage(WM_USER)\n");
    InvalidateRect(hwnd, &r, FALSE);
    SetRect(&r, 60, 50, 70, 60);
    InvalidateRect(hwnd, &r, FALSE);
    PostMessageA(hwnd, WM_USER, 0, 0);
    check_u("GetUpdateRect", GetUpdateRect(hwnd, &r, FALSE));
    put_rect("  rect", &r);
    check_u("PeekMessage(PM_NOREMOVE) finds", PeekMessageA(&m, 0, 0, 0, PM_NOREMOVE));
    check_x("  message", m.message);
    pump();
    check_u("GetUpdateRect after", GetUpdateRect(hwnd, &r, FALSE));
    SetRect(&r, 0, 0, 10, 10);
    InvalidateRect(hwnd, &r, TRUE);
    ValidateRect(hwnd, NULL);
    check_u("GetUpdateRect after ValidateRect", GetUpdateRect(hwnd, &r, FALSE));
    check_u("PeekMessage after ValidateRect", PeekMessageA(&m, 0, 0, 0, PM_NOREMOVE));
    put("InvalidateRect(NULL, erase) then a dispatch without BeginPaint\n");
    InvalidateRect(hwnd, NULL, TRUE);
    check_u("GetMessage", GetMessageA(&m, 0, 0, 0));
    check_x("  message", m.message);
    check_u("  hwnd", m.hwnd == hwnd);
    ShowWindow(hwnd, SW_HIDE);
    check_u("InvalidateRect hidden", InvalidateRect(hwnd, NULL, TRUE));
    check_u("GetUpdateRect hidden", GetUpdateRect(hwnd, &r, FALSE));
    DestroyWindow(hwnd);
    SetLastError(0);
    check_u("InvalidateRect(gone)", InvalidateRect(hwnd, NULL, TRUE));
    check_u("  error", GetLastError());
}

/* DIB sections of 1, 4, 8 and 16 bits: colour tables, what colours become, their bits; a
 * pattern brush; PolyPolygon; GetDIBits to 1 and 8 bits. */
static void dibformats(void)
{
    struct { BITMAPINFOHEADER h; RGBQUAD c[256]; } bi;
    BYTE *bits;
    WORD *w16;
    HBITMAP b, old, pb;
    HDC dc = CreateCompatibleDC(NULL);
    HBRUSH pat;
    POINT pts[8] = {{0, 0}, {8, 0}, {8, 6}, {0, 6}, {2, 2}, {6, 2}, {6, 4}, {2, 4}};
    INT counts[2] = {4, 4};
    int i;
    BYTE out[64];

    memset(&bi, 0, sizeof(bi));
    bi.h.biSize = sizeof(bi.h);
    bi.h.biWidth = 10;
    bi.h.biHeight = 2;
    bi.h.biPlanes = 1;
    bi.h.biBitCount = 8;
    bi.h.biClrUsed = 4;
    bi.c[0].rgbRed = 0; bi.c[0].rgbGreen = 0; bi.c[0].rgbBlue = 0;
    bi.c[1].rgbRed = 255;
    bi.c[2].rgbGreen = 200;
    bi.c[3].rgbRed = 255; bi.c[3].rgbGreen = 255; bi.c[3].rgbBlue = 255;
    b = CreateDIBSection(NULL, (BITMAPINFO *)&bi, DIB_RGB_COLORS, (void **)&bits, NULL, 0);
    old = SelectObject(dc, b);
    check_x("8-bit SetPixel(near red)", SetPixel(dc, 0, 0, RGB(250, 10, 0)));
    check_x("8-bit SetPixel(grey)", SetPixel(dc, 1, 0, RGB(100, 100, 100)));
    check_x("8-bit SetPixel(light)", SetPixel(dc, 2, 0, RGB(200, 200, 200)));
    check_x("8-bit GetNearestColor", GetNearestColor(dc, RGB(0, 180, 20)));
    GdiFlush();
    put("8-bit top row bits (memory row 1):");
    for (i = 0; i < 4; i++) { put(" "); put_u(bits[12 + i]); }
    put("\n");
    bits[0] = 2;
    check_x("8-bit GetPixel of memory", GetPixel(dc, 0, 1));
    {
        RGBQUAD q[2] = {{0x11, 0x22, 0x33, 0}, {0x44, 0x55, 0x66, 0}};
        RGBQUAD back[4];
        check_u("SetDIBColorTable", SetDIBColorTable(dc, 2, 5, q));
        check_x("  GetPixel through the new table", GetPixel(dc, 0, 1));
        check_u("GetDIBColorTable", GetDIBColorTable(dc, 1, 4, back));
        check_x("  entry 3", *(DWORD *)&back[2]);
    }
    SelectObject(dc, old);
    DeleteObject(b);

    bi.h.biBitCount = 4;
    bi.h.biClrUsed = 0;
    b = CreateDIBSection(NULL, (BITMAPINFO *)&bi, DIB_RGB_COLORS, (void **)&bits, NULL, 0);
    old = SelectObject(dc, b);
    SelectObject(dc, GetStockObject(WHITE_BRUSH));
    PatBlt(dc, 0, 0, 10, 2, PATCOPY);
    SetPixel(dc, 1, 1, RGB(255, 0, 0));
    GdiFlush();
    put("4-bit bits:");
    for (i = 0; i < 8; i++) { put(" "); put_x(bits[i]); }
    put("\n");
    /* WHITENESS and DSTINVERT work on the indexes: all ones, whatever the table holds. */
    PatBlt(dc, 0, 0, 10, 2, WHITENESS);
    PatBlt(dc, 2, 0, 2, 1, DSTINVERT);
    SetPixel(dc, 1, 1, RGB(255, 0, 0));
    GdiFlush();
    put("4-bit WHITENESS bits:");
    for (i = 0; i < 8; i++) { put(" "); put_x(bits[i]); }
    put("\n");
    check_x("4-bit GetPixel of index 15", GetPixel(dc, 0, 0));
    SelectObject(dc, old);
    DeleteObject(b);

    bi.h.biBitCount = 1;
    bi.c[0].rgbRed = 0; bi.c[0].rgbGreen = 0; bi.c[0].rgbBlue = 0;
    bi.c[1].rgbRed = 255; bi.c[1].rgbGreen = 255; bi.c[1].rgbBlue = 255;
    b = CreateDIBSection(NULL, (BITMAPINFO *)&bi, DIB_RGB_COLORS, (void **)&bits, NULL, 0);
    old = SelectObject(dc, b);
    PatBlt(dc, 0, 0, 10, 2, BLACKNESS);
    SetPixel(dc, 0, 1, RGB(255, 255, 255));
    SetPixel(dc, 9, 1, RGB(255, 255, 255));
    SetPixel(dc, 3, 0, RGB(130, 130, 130));
    GdiFlush();
    put("1-bit bits:");
    for (i = 0; i < 8; i++) { put(" "); put_x(bits[i]); }
    put("\n");
    SelectObject(dc, old);
    DeleteObject(b);

    bi.h.biBitCount = 16;
    b = CreateDIBSection(NULL, (BITMAPINFO *)&bi, DIB_RGB_COLORS, (void **)&w16, NULL, 0);
    old = SelectObject(dc, b);
    check_x("16-bit SetPixel", SetPixel(dc, 0, 1, RGB(0x12, 0x34, 0x56)));
    check_x("16-bit GetPixel", GetPixel(dc, 0, 1));
    GdiFlush();
    check_x("  the word", w16[0]);
    SelectObject(dc, old);
    DeleteObject(b);

    /* A pattern brush of a 2x2 bitmap, and PolyPolygon with a hole. */
    clear();
    pb = CreateBitmap(2, 2, 1, 1, NULL);
    old = SelectObject(dc, pb);
    PatBlt(dc, 0, 0, 2, 2, BLACKNESS);
    SetPixel(dc, 0, 0, RGB(255, 255, 255));
    SetPixel(dc, 1, 1, RGB(255, 255, 255));
    SelectObject(dc, old);
    pat = CreatePatternBrush(pb);
    SetTextColor(g_dc, RGB(255, 0, 0));
    SetBkColor(g_dc, RGB(0, 0, 255));
    SelectObject(g_dc, pat);
    SelectObject(g_dc, GetStockObject(NULL_PEN));
    SetPolyFillMode(g_dc, ALTERNATE);
    PolyPolygon(g_dc, pts, counts, 2);
    SelectObject(g_dc, GetStockObject(BLACK_PEN));
    SelectObject(g_dc, GetStockObject(WHITE_BRUSH));
    SetTextColor(g_dc, RGB(0, 0, 0));
    SetBkColor(g_dc, RGB(255, 255, 255));
    art("a mono pattern brush (text and background colours), PolyPolygon with a hole");
    DeleteObject(pat);
    DeleteObject(pb);

    /* GetDIBits of the drawing above to 1 bit: the colour table it writes and the bits. */
    memset(&bi, 0, sizeof(bi));
    bi.h.biSize = sizeof(bi.h);
    bi.h.biWidth = 8;
    bi.h.biHeight = -2;
    bi.h.biPlanes = 1;
    bi.h.biBitCount = 1;
    memset(out, 0xEE, sizeof(out));
    check_u("GetDIBits to 1 bit", GetDIBits(g_dc, g_dib, 0, 2, out, (BITMAPINFO *)&bi, DIB_RGB_COLORS));
    put("  table:");
    for (i = 0; i < 2; i++) { put(" "); put_x(*(DWORD *)&bi.c[i]); }
    put("\n  bits:");
    for (i = 0; i < 8; i++) { put(" "); put_x(out[i]); }
    put("\n");
    DeleteDC(dc);
}

/* An icon of two bitmaps: the mask's black lets the image show, its white keeps the
 * destination and the image is XORed there. */
static void icons(void)
{
    static const WORD maskbits[4] = {0x0030, 0x0030, 0x0030, 0x0030};
    HDC screen = GetDC(NULL);
    HDC dc = CreateCompatibleDC(screen);
    HBITMAP mask = CreateBitmap(4, 4, 1, 1, maskbits);
    HBITMAP colour = CreateCompatibleBitmap(screen, 4, 4);
    HBRUSH red = CreateSolidBrush(RGB(255, 0, 0));
    RECT r = {0, 0, 4, 4};
    ICONINFO ii;
    HICON icon;

    SelectObject(dc, colour);
    FillRect(dc, &r, red);
    SelectObject(dc, GetStockObject(DEFAULT_PALETTE));
    DeleteDC(dc);
    ReleaseDC(NULL, screen);
    ii.fIcon = TRUE;
    ii.xHotspot = ii.yHotspot = 0;
    ii.hbmMask = mask;
    ii.hbmColor = colour;
    icon = CreateIconIndirect(&ii);
    check_u("CreateIconIndirect nonzero", icon != 0);
    DeleteObject(mask);
    DeleteObject(colour);
    clear();
    check_u("DrawIcon", DrawIcon(g_dc, 1, 1, icon));
    check_u("DrawIconEx(DI_MASK)", DrawIconEx(g_dc, 8, 1, icon, 0, 0, 0, NULL, DI_MASK));
    check_u("DrawIconEx(DI_IMAGE, 8x8)", DrawIconEx(g_dc, 12, 1, icon, 8, 8, 0, NULL, DI_IMAGE));
    art("DrawIcon; DI_MASK; DI_IMAGE stretched");
    memset(&ii, 0, sizeof(ii));
    check_u("GetIconInfo", GetIconInfo(icon, &ii));
    check_u("  fIcon", ii.fIcon);
    check_u("  xHotspot", ii.xHotspot);
    check_u("  bitmaps", ii.hbmMask != 0 && ii.hbmColor != 0);
    DeleteObject(ii.hbmMask);
    DeleteObject(ii.hbmColor);
    check_u("DestroyIcon", DestroyIcon(icon));
    DeleteObject(red);
}

/* Two windows, the second over part of the first: a DC of the first does not draw over
 * the second. A bitmap from the image's resources. */
static void overlap(void)
{
    HWND a, b;
    HDC dc;
    RECT r;
    HBRUSH blue = CreateSolidBrush(RGB(0, 0, 255));
    HINSTANCE inst = GetModuleHandleA(NULL);
    HBITMAP bmp;
    BITMAP bm;
    int x;

    a = CreateWindowExA(0, "gdidraw", "a", WS_POPUP | WS_VISIBLE, 200, 0, 100, 80, 0, 0, inst, NULL);
    b = CreateWindowExA(0, "gdidraw", "b", WS_POPUP | WS_VISIBLE, 250, 40, 60, 50, 0, 0, inst, NULL);
    pump();
    dc = GetDC(a);
    SetRect(&r, 0, 0, 100, 80);
    FillRect(dc, &r, blue);
    check_x("a's DC outside b", GetPixel(dc, 40, 30));
    ReleaseDC(a, dc);
    dc = GetDC(b);
    check_x("b's pixel over a", GetPixel(dc, 5, 5));
    check_x("b's painted pixel", GetPixel(dc, 15, 15));
    ReleaseDC(b, dc);
    DestroyWindow(b);
    DestroyWindow(a);
    pump();
    DeleteObject(blue);

    bmp = LoadBitmapA(inst, MAKEINTRESOURCEA(101));
    check_u("LoadBitmapA(101) nonzero", bmp != 0);
    GetObjectA(bmp, sizeof(bm), &bm);
    check_u("  width", bm.bmWidth);
    check_u("  height", bm.bmHeight);
    dc = CreateCompatibleDC(NULL);
    SelectObject(dc, bmp);
    put("  pixels:");
    for (x = 0; x < 8; x++) { put(" "); put_x(GetPixel(dc, x % 4, x / 4)); }
    put("\n");
    DeleteDC(dc);
    DeleteObject(bmp);
    SetLastError(0);
    check_u("LoadBitmapA(missing)", (DWORD)LoadBitmapA(inst, MAKEINTRESOURCEA(555)));
    check_u("  error", GetLastError());
}

void __stdcall start(void)
{
    objects();
    dibsection();
    shapes();
    rops();
    mono();
    stretch();
    transforms();
    regions();
    caps();
    dibformats();
    icons();
    window();
    overlap();
    DeleteDC(g_dc);
    DeleteObject(g_dib);
    ExitProcess(0);
}
