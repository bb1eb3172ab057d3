# ldralphareloc.exe for NT on Alpha: base relocation of an Alpha DLL. ldrreloc.dll is
# loaded alone (at its preferred base) and checked, freed, then loaded again after
# ldralpha.dll has taken that base, so the loader relocates it (HIGH, LOW, HIGHADJ and
# HIGHLOW fixups, see tests/guests/src/alphadll/ldrreloc.s) and it is checked again: each
# export's address or value must be right for where the module is, and the offsets from
# the base the same as at the preferred base.
        .include "common.inc"

# Calls export `name` of the module in s0 ($9) with a0 = arg; result in v0.
        .macro CALLDLL name, arg=0
        .pushsection .data
.Lexport\@:
        .asciz  "\name"
        .popsection
        mov     $9, $16
        LA      $17, .Lexport\@
        CALL    GetProcAddress
        mov     $0, $27
        lda     $16, \arg($31)
        jsr     $26, ($27)
        .endm

# Checks the module in s0; leaves its data offset in s4 ($13) and far offset in s5 ($14).
        .macro CHECK
        CALLDLL rl_base
        cmpeq   $0, $9, $1
        SHOW_U  base_ok, $1
        CALLDLL rl_data
        subl    $0, $9, $13
        SHOW_X  data_offset, $13
        CALLDLL rl_ptr
        addl    $13, $9, $1
        cmpeq   $0, $1, $1
        SHOW_U  ptr_ok, $1
        CALLDLL rl_value
        SHOW_X  value, $0
        CALLDLL rl_call, 20
        SHOW_U  call, $0
        CALLDLL rl_far_addr
        subl    $0, $9, $14
        SHOW_X  far_offset, $14
        CALLDLL rl_far_set, 77
        CALLDLL rl_far_get
        SHOW_U  far, $0
        .endm

        .text
        .globl start
        .ent start
start:
        lda     $30, -80($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        stq     $10, 16($30)
        stq     $11, 24($30)
        stq     $12, 32($30)
        stq     $13, 40($30)
        stq     $14, 48($30)

        LA      $16, s_reloc
        CALL    LoadLibraryA
        mov     $0, $9
        SHOW_X  preferred_base, $9
        CHECK
        mov     $13, $11
        mov     $14, $12
        mov     $9, $16
        CALL    FreeLibrary
        SHOW_U  free_preferred, $0

        LA      $16, s_alpha
        CALL    LoadLibraryA
        mov     $0, $10
        SHOW_X  ldralpha_base, $10
        LA      $16, s_reloc
        CALL    LoadLibraryA
        mov     $0, $9
        cmpeq   $9, $10, $1
        cmpeq   $1, 0, $1
        cmpult  $31, $9, $2
        and     $1, $2, $1
        SHOW_U  relocated, $1
        zapnot  $9, 0x03, $1
        SHOW_U  base_low_half, $1
        CHECK
        cmpeq   $13, $11, $1
        SHOW_U  same_data_offset, $1
        cmpeq   $14, $12, $1
        SHOW_U  same_far_offset, $1
        # ldralpha.dll still works beside it.
        mov     $10, $16
        LA      $17, s_add
        CALL    GetProcAddress
        mov     $0, $27
        lda     $16, 40($31)
        lda     $17, 2($31)
        jsr     $26, ($27)
        SHOW_U  ldra_add, $0
        mov     $9, $16
        CALL    FreeLibrary
        SHOW_U  free_relocated, $0
        mov     $10, $16
        CALL    FreeLibrary
        SHOW_U  free_ldralpha, $0
        mov     $31, $16
        CALL    ExitProcess
        .end start

        .include "helpers.inc"

        .data
s_reloc:        .asciz "ldrreloc.dll"
s_alpha:        .asciz "ldralpha"
s_add:          .asciz "ldra_add"
