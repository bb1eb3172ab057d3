# compute.exe for NT on Alpha: the x86 compute.exe's work in Alpha assembly, for the
# interpreter benchmark: an Adler-style checksum over 2048 pseudo-random words, an insertion
# sort of them, and the alternating series sum(+-1/i^2) for i up to 200000 in T floating
# point. Prints the same three lines as the x86 build.
        .include "common.inc"
.ifdef LINUX
# The Linux ELF build for qemu-alpha (benches/compare data): addresses are GP-relative there.
        .purgem LA
        .macro LA reg, sym
        ldah    \reg, \sym($29)         !gprelhigh
        lda     \reg, \sym(\reg)        !gprellow
        .endm
.endif
        .text
        .globl start
        .globl _start
        .ent start
_start:
start:
.ifdef LINUX
        br      $29, 0f
0:      ldgp    $29, 0($29)
.endif
        lda     $30, -64($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        stq     $10, 16($30)
        stq     $11, 24($30)
        stq     $12, 32($30)
        # Fill: seed = seed * 1103515245 + 12345 (32-bit); data[i] = seed >> 8.
        LA      $9, data
        lda     $10, 12345($31)         # seed
        ldah    $1, 16838($31)          # 1103515245 = 16838 << 16 | 20077
        lda     $1, 20077($1)
        mov     $31, $2                 # i
1:      mull    $10, $1, $10
        lda     $3, 12345($31)
        addl    $10, $3, $10
        zapnot  $10, 0x0f, $4
        srl     $4, 8, $4
        s4addq  $2, $9, $5
        stl     $4, 0($5)
        addq    $2, 1, $2
        lda     $3, 2048($31)
        cmplt   $2, $3, $3
        bne     $3, 1b
        # Checksum over the 8192 bytes: a = (a + byte) mod 65521, b = (b + a) mod 65521.
        lda     $11, 1($31)             # a
        mov     $31, $12                # b
        mov     $31, $2
        lda     $6, 1($31)
        sll     $6, 16, $6
        subq    $6, 15, $6              # 65521
2:      addq    $9, $2, $5
        ldbu    $3, 0($5)
        addq    $11, $3, $11
        cmpult  $11, $6, $4
        bne     $4, 3f
        subq    $11, $6, $11
3:      addq    $12, $11, $12
        cmpult  $12, $6, $4
        bne     $4, 4f
        subq    $12, $6, $12
4:      addq    $2, 1, $2
        lda     $3, 8192($31)
        cmplt   $2, $3, $4
        bne     $4, 2b
        sll     $12, 16, $12
        bis     $12, $11, $12           # the checksum
        stq     $12, 40($30)
        # Insertion sort of the 2048 words (all below 2^24, so signed compares do).
        lda     $2, 1($31)              # i
5:      s4addq  $2, $9, $5
        ldl     $3, 0($5)               # x
        subq    $2, 1, $4               # j
6:      blt     $4, 7f
        s4addq  $4, $9, $5
        ldl     $7, 0($5)
        cmple   $7, $3, $8
        bne     $8, 7f
        stl     $7, 4($5)
        subq    $4, 1, $4
        br      $31, 6b
7:      addq    $4, 1, $4
        s4addq  $4, $9, $5
        stl     $3, 0($5)
        addq    $2, 1, $2
        lda     $8, 2048($31)
        cmplt   $2, $8, $8
        bne     $8, 5b
        # Series: s += x / (i * i), x = -x.
        LA      $1, one
        ldt     $f10, 0($1)             # x = 1.0
        cpys    $f31, $f31, $f11        # s = 0.0
        lda     $2, 1($31)
        ldah    $3, 3($31)
        lda     $3, 3392($3)            # 200000 = 3 << 16 | 3392
8:      stq     $2, 48($30)
        ldt     $f1, 48($30)
        cvtqt   $f1, $f1                # d = i
        mult    $f1, $f1, $f1
        divt    $f10, $f1, $f1
        addt    $f11, $f1, $f11
        cpysn   $f10, $f10, $f10
        addq    $2, 1, $2
        cmple   $2, $3, $4
        bne     $4, 8b
        LA      $1, billion
        ldt     $f1, 0($1)
        mult    $f11, $f1, $f11
        cvttq/c $f11, $f11
        stt     $f11, 56($30)
        # Print.
.ifdef LINUX
        and     $12, 255, $16           # exit(checksum & 255): the work is done
        lda     $0, 1($31)              # __NR_exit
        call_pal 0x83                   # callsys
.else
        LA      $16, checksum_text
        bsr     $26, put
        ldq     $16, 40($30)
        bsr     $26, put_hex
        LA      $16, sorted_text
        bsr     $26, put
        ldl     $16, 0($9)
        bsr     $26, put_hex
        LA      $16, series_text
        bsr     $26, put
        ldq     $16, 56($30)
        bsr     $26, put_dec
        LA      $16, newline
        bsr     $26, put
        mov     $31, $16
        CALL    ExitProcess
.endif
        .end start

.ifndef LINUX
# put_hex(a0): prints "0x" and the low 32 bits as 8 lowercase hex digits, then a newline.
        .ent put_hex
put_hex:
        lda     $30, -48($30)
        stq     $26, 0($30)
        lda     $1, 48($31)             # '0'
        stb     $1, 16($30)
        lda     $1, 120($31)            # 'x'
        stb     $1, 17($30)
        lda     $2, 28($31)             # shift
        lda     $3, 18($30)
1:      srl     $16, $2, $4
        and     $4, 15, $4
        cmplt   $4, 10, $5
        addq    $4, 48, $6              # '0' + d
        addq    $4, 87, $7              # 'a' + d - 10
        cmoveq  $5, $7, $6
        stb     $6, 0($3)
        addq    $3, 1, $3
        subq    $2, 4, $2
        bge     $2, 1b
        lda     $1, 10($31)             # '\n'
        stb     $1, 0($3)
        stb     $31, 1($3)
        lda     $16, 16($30)
        bsr     $26, put
        ldq     $26, 0($30)
        lda     $30, 48($30)
        ret     $31, ($26)
        .end put_hex

        .include "helpers.inc"
.endif

        .data
        .align 3
one:            .t_floating 1.0
billion:        .t_floating 1.0e9
checksum_text:  .asciz "checksum: "
sorted_text:    .asciz "sorted-first: "
series_text:    .asciz "series-x1e9: "
newline:        .asciz "\n"
        .align 3
data:           .space 8192
