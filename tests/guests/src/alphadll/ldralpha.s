# ldralpha.dll for NT on Alpha (tools/alpha-pe --dll 0x10000000): its DllMain says each call
# it gets; it exports ldra_add (a0 + a1) and ldra_attaches (how many PROCESS_ATTACH calls).
# Used by tests/guests/src/alpha/ldralpha.s. Kept out of src/alpha/ (build-alpha.sh builds
# every file there as a program).
        .include "common.inc"

        .text
        .globl DllMain
        .ent DllMain
DllMain:
        lda     $30, -32($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        mov     $17, $9                         # the reason
        cmpeq   $9, 1, $1
        beq     $1, 1f
        LA      $2, attaches
        ldl     $3, 0($2)
        addl    $3, 1, $3
        stl     $3, 0($2)
1:      mov     $9, $17
        SHOW_U  ldralpha_DllMain_reason, $17
        lda     $0, 1($31)
        ldq     $26, 0($30)
        ldq     $9, 8($30)
        lda     $30, 32($30)
        ret     $31, ($26)
        .end DllMain

        .globl ldra_add
        .ent ldra_add
ldra_add:
        addl    $16, $17, $0
        ret     $31, ($26)
        .end ldra_add

        .globl ldra_attaches
        .ent ldra_attaches
ldra_attaches:
        LA      $1, attaches
        ldl     $0, 0($1)
        ret     $31, ($26)
        .end ldra_attaches

        .include "helpers.inc"

        .data
        .align 2
attaches:       .long 0
