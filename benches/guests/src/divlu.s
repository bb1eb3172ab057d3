# __divlu for wbench_alpha.c: the unsigned longword division that gcc for Alpha calls (the
# CPU has no divide instruction). Its convention: dividend in $24, divisor in $25, quotient
# (sign-extended longword) in $27, return through $23; every other register but $28 is kept.
        .text
        .globl  __divlu
        .ent    __divlu
__divlu:
        lda     $30, -32($30)
        stq     $1, 0($30)
        stq     $2, 8($30)
        stq     $3, 16($30)
        stq     $4, 24($30)
        zapnot  $24, 15, $1             # dividend
        zapnot  $25, 15, $2             # divisor
        mov     $31, $27                # quotient
        mov     $31, $28                # remainder
        lda     $3, 32($31)             # bits left
1:      subq    $3, 1, $3
        srl     $1, $3, $4
        and     $4, 1, $4
        sll     $28, 1, $28
        bis     $28, $4, $28
        sll     $27, 1, $27
        cmpult  $28, $2, $4
        bne     $4, 2f
        subq    $28, $2, $28
        bis     $27, 1, $27
2:      bne     $3, 1b
        addl    $27, 0, $27
        ldq     $1, 0($30)
        ldq     $2, 8($30)
        ldq     $3, 16($30)
        ldq     $4, 24($30)
        lda     $30, 32($30)
        ret     $31, ($23), 1
        .end    __divlu
