# gdialpha.exe for NT on Alpha: GDI32 called from Alpha code through the same frames as x86:
# a memory DC with a 32-bit bitmap, a solid brush and Rectangle (pen outline, brush inside),
# SetPixel and GetPixel, StretchBlt (eleven arguments: five in stack slots), and USER32's
# PtInRect with its POINT passed by value in one register and FillRect with a system colour.
        .include "common.inc"

        .text
        .globl start
        .ent start
start:
        lda     $30, -160($30)
        stq     $26, 96($30)
        stq     $9, 104($30)
        stq     $10, 112($30)
        stq     $11, 120($30)

        mov     $31, $16
        CALL    GDI32$CreateCompatibleDC
        mov     $0, $9                          # s0: the memory DC
        cmpult  $31, $9, $1
        SHOW_U  dc, $1

        # CreateBitmap(8, 4, 1, 32, NULL)
        lda     $16, 8($31)
        lda     $17, 4($31)
        lda     $18, 1($31)
        lda     $19, 32($31)
        mov     $31, $20
        CALL    GDI32$CreateBitmap
        mov     $0, $10                         # s1: the bitmap
        mov     $9, $16
        mov     $10, $17
        CALL    GDI32$SelectObject
        cmpult  $31, $0, $1
        SHOW_U  selected, $1

        # SelectObject(dc, CreateSolidBrush(RGB(255, 0, 0)))
        lda     $16, 0xFF($31)
        CALL    GDI32$CreateSolidBrush
        mov     $0, $11                         # s2: the brush
        mov     $9, $16
        mov     $11, $17
        CALL    GDI32$SelectObject

        # Rectangle(dc, 0, 0, 4, 4): a black outline, red inside.
        mov     $9, $16
        mov     $31, $17
        mov     $31, $18
        lda     $19, 4($31)
        lda     $20, 4($31)
        CALL    GDI32$Rectangle
        SHOW_U  rectangle, $0
        mov     $9, $16
        mov     $31, $17
        mov     $31, $18
        CALL    GDI32$GetPixel
        SHOW_X  outline, $0
        mov     $9, $16
        lda     $17, 1($31)
        lda     $18, 2($31)
        CALL    GDI32$GetPixel
        SHOW_X  inside, $0
        mov     $9, $16
        lda     $17, 4($31)
        lda     $18, 1($31)
        CALL    GDI32$GetPixel
        SHOW_X  right_of_it, $0

        # SetPixel(dc, 6, 0, RGB(0, 255, 0))
        mov     $9, $16
        lda     $17, 6($31)
        mov     $31, $18
        lda     $19, 0x7F00($31)
        lda     $19, 0x7F00($19)
        lda     $19, 0x100($19)                 # 0xFF00
        CALL    GDI32$SetPixel
        SHOW_X  set_pixel, $0

        # StretchBlt(dc, 4, 2, 4, 2, dc, 6, 0, 1, 1, SRCCOPY): the green pixel fills 4x2.
        mov     $9, $16
        lda     $17, 4($31)
        lda     $18, 2($31)
        lda     $19, 4($31)
        lda     $20, 2($31)
        mov     $9, $21
        lda     $1, 6($31)
        stq     $1, 0($30)
        stq     $31, 8($30)
        lda     $1, 1($31)
        stq     $1, 16($30)
        stq     $1, 24($30)
        ldah    $1, 0xCC($31)
        lda     $1, 0x20($1)                    # SRCCOPY 0x00CC0020
        stq     $1, 32($30)
        CALL    GDI32$StretchBlt
        SHOW_U  stretch_blt, $0
        mov     $9, $16
        lda     $17, 7($31)
        lda     $18, 3($31)
        CALL    GDI32$GetPixel
        SHOW_X  stretched, $0

        # FillRect(dc, {0, 0, 2, 1}, COLOR_WINDOW + 1): white.
        LA      $17, rect_small
        mov     $9, $16
        lda     $18, 6($31)
        CALL    USER32$FillRect
        SHOW_U  fill_rect, $0
        mov     $9, $16
        lda     $17, 1($31)
        mov     $31, $18
        CALL    GDI32$GetPixel
        SHOW_X  filled, $0

        # PtInRect({0, 0, 4, 4}, {2, 3}) and ({2, 4}): y in the high half of the register.
        LA      $16, rect_box
        lda     $17, 3($31)
        sll     $17, 32, $17
        lda     $17, 2($17)
        CALL    USER32$PtInRect
        SHOW_U  pt_in_rect, $0
        LA      $16, rect_box
        lda     $17, 4($31)
        sll     $17, 32, $17
        lda     $17, 2($17)
        CALL    USER32$PtInRect
        SHOW_U  pt_below_rect, $0

        mov     $9, $16
        CALL    GDI32$DeleteDC
        SHOW_U  delete_dc, $0
        mov     $10, $16
        CALL    GDI32$DeleteObject
        SHOW_U  delete_bitmap, $0
        mov     $11, $16
        CALL    GDI32$DeleteObject
        SHOW_U  delete_brush, $0

        mov     $31, $16
        CALL    ExitProcess
        .end start

        .include "helpers.inc"

        .data
        .align 3
rect_small:     .long 0, 0, 2, 1
rect_box:       .long 0, 0, 4, 4
