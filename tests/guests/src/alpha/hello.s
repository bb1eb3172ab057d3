# hello.exe for NT on Alpha: the same line as the x86 twin, exit code 7.
# Imports are called NT-style through the IAT: ldah/ldl of the slot, then jsr.
        .set noreorder
        .set noat
        .text
        .globl start
        .ent start
start:
        lda     $30, -32($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        lda     $16, -11($31)                   # STD_OUTPUT_HANDLE
        ldah    $0, __imp_GetStdHandle($31)     !gprelhigh
        ldl     $0, __imp_GetStdHandle($0)      !gprellow
        jsr     $26, ($0)
        mov     $0, $9                          # the handle
        mov     $9, $16
        ldah    $17, msg($31)                   !gprelhigh
        lda     $17, msg($17)                   !gprellow
        lda     $18, 25($31)                    # length
        lda     $19, 16($30)                    # &written
        mov     $31, $20                        # no OVERLAPPED
        ldah    $0, __imp_WriteFile($31)        !gprelhigh
        ldl     $0, __imp_WriteFile($0)         !gprellow
        jsr     $26, ($0)
        lda     $16, 7($31)
        ldah    $0, __imp_ExitProcess($31)      !gprelhigh
        ldl     $0, __imp_ExitProcess($0)       !gprellow
        jsr     $26, ($0)
        .end start

        .data
msg:    .ascii "Hello from an NT program\n"
