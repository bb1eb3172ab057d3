# ctlalpha.exe for NT on Alpha: USER32's controls from Alpha code. CreateWindowExA (twelve
# arguments: six in stack slots) makes an Edit, a sorted ListBox and a vertical ScrollBar
# as popups; SendMessageA reaches their builtin window procedures; SetScrollInfo and
# GetScrollInfo read and write a SCROLLINFO. The values are controls.exe's on x86.
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

        # CreateWindowExA(0, "Edit", "abc", WS_POPUP, 0, 0, 100, 20, 0, 0, 0, 0)
        LA      $17, edit_class
        LA      $18, abc
        bsr     $26, make
        mov     $0, $9                          # s0: the edit
        cmpult  $31, $9, $1
        SHOW_U  edit_made, $1
        # EM_SETSEL(1, 2), EM_REPLACESEL(TRUE, "XY"): "aXYc"
        mov     $9, $16
        lda     $17, 0xB1($31)
        lda     $18, 1($31)
        lda     $19, 2($31)
        CALL    USER32$SendMessageA
        mov     $9, $16
        lda     $17, 0xC2($31)
        lda     $18, 1($31)
        LA      $19, xy
        CALL    USER32$SendMessageA
        mov     $9, $16
        lda     $17, 0x0E($31)                  # WM_GETTEXTLENGTH
        mov     $31, $18
        mov     $31, $19
        CALL    USER32$SendMessageA
        SHOW_U  edit_length, $0
        mov     $9, $16
        lda     $17, 0xB0($31)                  # EM_GETSEL
        mov     $31, $18
        mov     $31, $19
        CALL    USER32$SendMessageA
        SHOW_X  edit_sel, $0
        mov     $9, $16
        lda     $17, 0xB8($31)                  # EM_GETMODIFY
        mov     $31, $18
        mov     $31, $19
        CALL    USER32$SendMessageA
        SHOW_U  edit_modified, $0

        # A sorted list box: "b" then "a" go to 0; "b" is then found at 1.
        LA      $17, list_class
        LA      $18, empty
        bsr     $26, make_sorted
        mov     $0, $10                         # s1: the list box
        mov     $10, $16
        lda     $17, 0x180($31)                 # LB_ADDSTRING
        mov     $31, $18
        LA      $19, b_text
        CALL    USER32$SendMessageA
        SHOW_U  add_b, $0
        mov     $10, $16
        lda     $17, 0x180($31)
        mov     $31, $18
        LA      $19, a_text
        CALL    USER32$SendMessageA
        SHOW_U  add_a, $0
        mov     $10, $16
        lda     $17, 0x18F($31)                 # LB_FINDSTRING
        lda     $18, -1($31)
        LA      $19, b_text
        CALL    USER32$SendMessageA
        SHOW_U  find_b, $0

        # A vertical scroll bar: SetScrollInfo(0..50, page 10, pos 45) keeps the position at
        # 41; GetScrollInfo reads it back.
        LA      $17, bar_class
        LA      $18, empty
        bsr     $26, make_vert
        mov     $0, $11                         # s2: the scroll bar
        mov     $11, $16
        lda     $17, 2($31)                     # SB_CTL
        LA      $18, info_in
        mov     $31, $19
        CALL    USER32$SetScrollInfo
        SHOW_U  set_scroll_info, $0
        mov     $11, $16
        lda     $17, 2($31)
        LA      $18, info_out
        CALL    USER32$GetScrollInfo
        SHOW_U  get_scroll_info, $0
        LA      $1, info_out
        ldl     $2, 16($1)
        SHOW_U  page, $2
        LA      $1, info_out
        ldl     $2, 20($1)
        SHOW_U  pos, $2

        mov     $9, $16
        CALL    USER32$DestroyWindow
        mov     $10, $16
        CALL    USER32$DestroyWindow
        mov     $11, $16
        CALL    USER32$DestroyWindow
        SHOW_U  destroyed, $0

        mov     $31, $16
        CALL    ExitProcess
        .end start

# make(a1 class, a2 text): CreateWindowExA(0, class, text, style, 0, 0, 100, 20, 0, 0, 0, 0)
# with WS_POPUP (make), WS_POPUP | LBS_SORT (make_sorted) or WS_POPUP | SBS_VERT (make_vert).
        .ent make
make:
        ldah    $19, -0x8000($31)               # WS_POPUP
        br      $31, make_common
make_sorted:
        ldah    $19, -0x8000($31)
        lda     $19, 2($19)                     # LBS_SORT
        br      $31, make_common
make_vert:
        ldah    $19, -0x8000($31)
        lda     $19, 1($19)                     # SBS_VERT
make_common:
        lda     $30, -64($30)
        stq     $26, 56($30)
        mov     $31, $16
        mov     $31, $20
        mov     $31, $21
        lda     $1, 100($31)
        stq     $1, 0($30)
        lda     $1, 20($31)
        stq     $1, 8($30)
        stq     $31, 16($30)
        stq     $31, 24($30)
        stq     $31, 32($30)
        stq     $31, 40($30)
        CALL    USER32$CreateWindowExA
        ldq     $26, 56($30)
        lda     $30, 64($30)
        ret     $31, ($26), 1
        .end make

        .include "helpers.inc"

        .data
        .align 3
edit_class:     .asciz "Edit"
list_class:     .asciz "ListBox"
bar_class:      .asciz "ScrollBar"
abc:            .asciz "abc"
xy:             .asciz "XY"
empty:          .asciz ""
a_text:         .asciz "a"
b_text:         .asciz "b"
        .align 3
# SCROLLINFO: cbSize 28, SIF_ALL, 0..50, page 10, pos 45.
info_in:        .long 28, 0x17, 0, 50, 10, 45, 0
info_out:       .long 28, 0x17, 0, 0, 0, 0, 0
