# crt.exe for NT on Alpha: MSVCRT.dll's printf called NT-Alpha style, with varargs in
# a0-a5 (integers, 64-bit in one register), f16-f21 (doubles at the same positions) and
# 8-byte stack slots after the sixth; strtod (a double returned in f0); qsort calling a
# comparator back and exit calling an atexit function back; exit code 5. Expected output:
# tests/guests/expected/alpha-crt.expected.
        .include "common.inc"
        .text
        .globl start
        .ent start
start:
        lda     $30, -48($30)
        stq     $26, 32($30)
        # printf(fmt, 42, 1.5, 0x123456789, "str", 2.25, 7, -0.5)
        LA      $16, fmt
        lda     $17, 42($31)
        LA      $1, values
        ldt     $f18, 0($1)                     # 1.5 at position 2
        ldq     $19, 24($1)                     # 0x123456789 at position 3
        LA      $20, word
        ldt     $f21, 8($1)                     # 2.25 at position 5
        lda     $2, 7($31)
        stq     $2, 0($30)                      # position 6 on the stack
        ldq     $2, 16($1)
        stq     $2, 8($30)                      # -0.5 at position 7 on the stack
        CALL    MSVCRT$printf
        # strtod("12.5e1", NULL) in f0, printed with printf("%.1f\n", f0 as position 1)
        LA      $16, number
        mov     $31, $17
        CALL    MSVCRT$strtod
        LA      $16, fmt2
        cpys    $f0, $f0, $f17
        CALL    MSVCRT$printf
        # atexit(goodbye); qsort(array, 4, 4, compare); then print the array
        LA      $16, goodbye
        CALL    MSVCRT$atexit
        LA      $16, array
        lda     $17, 4($31)
        lda     $18, 4($31)
        LA      $19, compare
        CALL    MSVCRT$qsort
        LA      $1, array
        LA      $16, fmt3
        ldl     $17, 0($1)
        ldl     $18, 4($1)
        ldl     $19, 8($1)
        ldl     $20, 12($1)
        CALL    MSVCRT$printf
        lda     $16, 5($31)
        CALL    MSVCRT$exit
        .end start

# int compare(const int *a, const int *b): *a - *b
        .ent compare
compare:
        ldl     $1, 0($16)
        ldl     $2, 0($17)
        subl    $1, $2, $0
        ret     $31, ($26), 1
        .end compare

# void goodbye(void): prints a line at exit
        .ent goodbye
goodbye:
        lda     $30, -16($30)
        stq     $26, 0($30)
        LA      $16, bye
        CALL    MSVCRT$printf
        ldq     $26, 0($30)
        lda     $30, 16($30)
        ret     $31, ($26), 1
        .end goodbye

        .data
        .align 3
values: .t_floating 1.5, 2.25, -0.5
        .quad   0x123456789
fmt:    .asciz  "alpha: %d %.2f %I64x %s %g %d %f\n"
word:   .asciz  "str"
number: .asciz  "12.5e1"
fmt2:   .asciz  "strtod: %.1f\n"
fmt3:   .asciz  "qsort: %d %d %d %d\n"
bye:    .asciz  "atexit: goodbye\n"
        .align 2
array:  .long   30, -5, 12, 0
