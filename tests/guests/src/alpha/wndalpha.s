# wndalpha.exe for NT on Alpha: a window class and window whose procedure is Alpha code,
# called by USER32 (ntemu's builtin) through its return thunk: the creation messages reach
# it, SendMessageA returns its answer, a posted message and a timer come through GetMessageA
# and DispatchMessageA, DefWindowProcA keeps the title, DestroyWindow sends WM_DESTROY and
# WM_NCDESTROY.
        .include "common.inc"

        .text
        .globl start
        .ent start
start:
        lda     $30, -160($30)
        stq     $26, 96($30)
        stq     $9, 104($30)
        stq     $10, 112($30)

        # WNDCLASSA at 120($30)... built in .data: fill in the procedure and instance.
        LA      $9, wndclass
        LA      $1, wndproc
        stl     $1, 4($9)                       # lpfnWndProc
        mov     $31, $16
        CALL    GetModuleHandleA
        stl     $0, 16($9)                      # hInstance
        LA      $1, s_class
        stl     $1, 36($9)                      # lpszClassName
        mov     $9, $16
        CALL    USER32$RegisterClassA
        cmpult  $31, $0, $1
        SHOW_U  registered, $1

        # CreateWindowExA(0, class, "Alpha", WS_OVERLAPPEDWINDOW, 10, 20, 300, 200, 0, 0, 0, 0)
        mov     $31, $16
        LA      $17, s_class
        LA      $18, s_title
        ldah    $19, 0xCF($31)                  # WS_OVERLAPPEDWINDOW 0x00CF0000
        lda     $20, 10($31)
        lda     $21, 20($31)
        lda     $1, 300($31)
        stq     $1, 0($30)
        lda     $1, 200($31)
        stq     $1, 8($30)
        stq     $31, 16($30)
        stq     $31, 24($30)
        stq     $31, 32($30)
        stq     $31, 40($30)
        CALL    USER32$CreateWindowExA
        mov     $0, $10                         # s1: the window
        cmpult  $31, $10, $1
        SHOW_U  created, $1
        LA      $9, counts
        ldl     $1, 0($9)
        SHOW_U  nccreate_seen, $1
        ldl     $1, 4($9)
        SHOW_U  create_seen, $1

        # GetWindowTextA(hwnd, buffer, 64): DefWindowProcA kept the title.
        mov     $10, $16
        LA      $17, buffer
        lda     $18, 64($31)
        CALL    USER32$GetWindowTextA
        SHOW_U  title_length, $0

        # SendMessageA(hwnd, WM_USER, 2, 3): the procedure answers 100 + wParam + lParam.
        mov     $10, $16
        lda     $17, 0x400($31)
        lda     $18, 2($31)
        lda     $19, 3($31)
        CALL    USER32$SendMessageA
        SHOW_U  sent, $0

        # PostMessageA(hwnd, WM_USER + 1, 9, 0), GetMessageA, DispatchMessageA.
        mov     $10, $16
        lda     $17, 0x401($31)
        lda     $18, 9($31)
        mov     $31, $19
        CALL    USER32$PostMessageA
        LA      $16, msg
        mov     $31, $17
        mov     $31, $18
        mov     $31, $19
        CALL    USER32$GetMessageA
        SHOW_U  got, $0
        LA      $16, msg
        CALL    USER32$DispatchMessageA
        ldl     $1, 8($9)
        SHOW_U  posted_wparam, $1

        # SetTimer(hwnd, 5, 10, NULL): WM_TIMER through GetMessageA.
        mov     $10, $16
        lda     $17, 5($31)
        lda     $18, 10($31)
        mov     $31, $19
        CALL    USER32$SetTimer
        SHOW_U  timer, $0
        LA      $16, msg
        mov     $31, $17
        mov     $31, $18
        mov     $31, $19
        CALL    USER32$GetMessageA
        LA      $1, msg
        ldl     $1, 4($1)
        SHOW_X  timer_message, $1
        LA      $1, msg
        ldl     $1, 8($1)
        SHOW_U  timer_id, $1
        mov     $10, $16
        lda     $17, 5($31)
        CALL    USER32$KillTimer

        # DestroyWindow.
        mov     $10, $16
        CALL    USER32$DestroyWindow
        SHOW_U  destroyed, $0
        ldl     $1, 12($9)
        SHOW_U  destroy_seen, $1
        ldl     $1, 16($9)
        SHOW_U  ncdestroy_seen, $1
        mov     $10, $16
        CALL    USER32$IsWindow
        SHOW_U  is_window, $0

        mov     $31, $16
        CALL    ExitProcess
        .end start

# LRESULT wndproc(hwnd, msg, wParam, lParam): counts WM_NCCREATE, WM_CREATE, WM_DESTROY and
# WM_NCDESTROY, keeps WM_USER+1's wParam, answers WM_USER with 100 + wParam + lParam, and
# leaves the rest to DefWindowProcA.
        .ent wndproc
wndproc:
        lda     $30, -16($30)
        stq     $26, 0($30)
        LA      $1, counts
        lda     $2, 0x81($31)                   # WM_NCCREATE
        cmpeq   $17, $2, $3
        ldl     $4, 0($1)
        addl    $4, $3, $4
        stl     $4, 0($1)
        cmpeq   $17, 1, $3                      # WM_CREATE
        ldl     $4, 4($1)
        addl    $4, $3, $4
        stl     $4, 4($1)
        cmpeq   $17, 2, $3                      # WM_DESTROY
        ldl     $4, 12($1)
        addl    $4, $3, $4
        stl     $4, 12($1)
        lda     $2, 0x82($31)                   # WM_NCDESTROY
        cmpeq   $17, $2, $3
        ldl     $4, 16($1)
        addl    $4, $3, $4
        stl     $4, 16($1)
        lda     $2, 0x401($31)                  # WM_USER + 1
        cmpeq   $17, $2, $3
        beq     $3, 1f
        stl     $18, 8($1)
        mov     $31, $0
        br      $31, 3f
1:      lda     $2, 0x400($31)                  # WM_USER
        cmpeq   $17, $2, $3
        beq     $3, 2f
        addl    $18, $19, $0
        addl    $0, 100, $0
        br      $31, 3f
2:      CALL    USER32$DefWindowProcA
3:      ldq     $26, 0($30)
        lda     $30, 16($30)
        ret     $31, ($26)
        .end wndproc

        .include "helpers.inc"

        .data
        .align 3
wndclass:       .space 40
counts:         .space 20
        .align 3
msg:            .space 28
        .align 3
buffer:         .space 64
s_class:        .asciz "alpha_window"
s_title:        .asciz "Alpha"
