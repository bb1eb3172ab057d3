# ctrl.exe for NT on Alpha: the Alpha twin of tests/guests/src/ctrl.c. Two console control
# handlers (a returns FALSE, b returns TRUE the first time only); typed keys are shown as
# "key: <code>". Ctrl+C makes a thread of the process call b, then a; driven by
# tests/console.rs.
        .include "common.inc"
        .text
        .globl start
        .ent start
# Frame: 0..31 outgoing argument slots, 32 ra, 40 s0, 48 events read, 56..75 INPUT_RECORD.
start:
        lda     $30, -96($30)
        stq     $26, 32($30)
        stq     $9, 40($30)
        LA      $16, handler_a
        lda     $17, 1($31)
        CALL    SetConsoleCtrlHandler
        LA      $16, handler_b
        lda     $17, 1($31)
        CALL    SetConsoleCtrlHandler
        lda     $16, -10($31)           # STD_INPUT_HANDLE
        CALL    GetStdHandle
        mov     $0, $9
read:
        mov     $9, $16
        lda     $17, 56($30)
        lda     $18, 1($31)
        lda     $19, 48($30)
        CALL    ReadConsoleInputA
        beq     $0, failed
        ldl     $1, 56($30)             # EventType (low word) and padding
        zapnot  $1, 3, $1
        cmpeq   $1, 1, $1
        beq     $1, read
        ldl     $1, 60($30)             # bKeyDown
        beq     $1, read
        ldl     $1, 68($30)             # uChar at +14: bytes 68..71 hold scan, char
        srl     $1, 16, $1
        and     $1, 0xff, $1
        SHOW_U  key, $1
        br      read
failed:
        lda     $16, 1($31)
        CALL    ExitProcess
        .end start

        .ent handler_a
handler_a:
        lda     $30, -16($30)
        stq     $26, 0($30)
        SHOW_U  a, $16
        mov     $31, $0                 # FALSE
        ldq     $26, 0($30)
        lda     $30, 16($30)
        ret     $31, ($26), 1
        .end handler_a

        .ent handler_b
handler_b:
        lda     $30, -16($30)
        stq     $26, 0($30)
        LA      $1, b_calls
        ldl     $2, 0($1)
        addl    $2, 1, $2
        stl     $2, 0($1)
        SHOW_U  b, $16
        LA      $1, b_calls
        ldl     $2, 0($1)
        cmpeq   $2, 1, $0               # TRUE the first time only
        ldq     $26, 0($30)
        lda     $30, 16($30)
        ret     $31, ($26), 1
        .end handler_b

        .include "helpers.inc"

        .data
        .align 2
b_calls: .long 0
