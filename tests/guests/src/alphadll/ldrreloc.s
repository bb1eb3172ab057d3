# ldrreloc.dll for NT on Alpha (tools/alpha-pe --dll 0x10000000, the same base as
# ldralpha.dll, so a process that loads both relocates this one). Each export reaches an
# address through a different base relocation: rl_base the module's own base through a lone
# `ldah` (HIGH), rl_data and rl_value an `ldah`/`lda` pair (HIGHADJ + LOW), rl_far_set a
# pair whose low half is 0x8000 or more (the HIGHADJ carry), rl_ptr, rl_far_get and rl_call
# a `.long` address in .data (HIGHLOW); DllMain reaches KERNEL32 through its relocated IAT;
# the .pdata function table's addresses are HIGHLOW fixups too.
# Used by tests/guests/src/alpha/ldralphareloc.s.
        .include "common.inc"

        .text
        .globl DllMain
        .ent DllMain
DllMain:
        lda     $30, -16($30)
        stq     $26, 0($30)
DllMain_prolog_end:
        SHOW_U  ldrreloc_DllMain_reason, $17
        lda     $0, 1($31)
        ldq     $26, 0($30)
        lda     $30, 16($30)
        ret     $31, ($26)
DllMain_end:
        .end DllMain

        .globl rl_base
        .ent rl_base
rl_base:
        ldah    $0, __ImageBase($31)            !gprelhigh
        ret     $31, ($26)
        .end rl_base

        .globl rl_data
        .ent rl_data
rl_data:
        LA      $0, value
        ret     $31, ($26)
        .end rl_data

        .globl rl_value
        .ent rl_value
rl_value:
        ldah    $1, value($31)                  !gprelhigh
        ldl     $0, value($1)                   !gprellow
        ret     $31, ($26)
        .end rl_value

        .globl rl_ptr
        .ent rl_ptr
rl_ptr:
        LA      $1, value_ptr
        ldl     $0, 0($1)
        ret     $31, ($26)
        .end rl_ptr

        .globl rl_far_addr
        .ent rl_far_addr
rl_far_addr:
        LA      $0, far
        ret     $31, ($26)
        .end rl_far_addr

        .globl rl_far_set
        .ent rl_far_set
rl_far_set:
        ldah    $1, far($31)                    !gprelhigh
        stl     $16, far($1)                    !gprellow
        ret     $31, ($26)
        .end rl_far_set

        .globl rl_far_get
        .ent rl_far_get
rl_far_get:
        LA      $1, far_ptr
        ldl     $1, 0($1)
        ldl     $0, 0($1)
        ret     $31, ($26)
        .end rl_far_get

# rl_call(a0): calls twice(a0) through the function pointer in .data, plus one.
        .globl rl_call
        .ent rl_call
rl_call:
        lda     $30, -16($30)
        stq     $26, 0($30)
rl_call_prolog_end:
        LA      $1, twice_ptr
        ldl     $27, 0($1)
        jsr     $26, ($27)
        addl    $0, 1, $0
        ldq     $26, 0($30)
        lda     $30, 16($30)
        ret     $31, ($26)
rl_call_end:
        .end rl_call

# rl_call's exception handler: ExceptionContinueSearch.
        .ent rl_handler
rl_handler:
        lda     $0, 1($31)
        ret     $31, ($26)
        .end rl_handler

        .ent twice
twice:
        addl    $16, $16, $0
        ret     $31, ($26)
        .end twice

        .include "helpers.inc"

# Function table entries out of address order, one with a handler and one without, so that
# alpha-pe's sort moves their HIGHLOW fixups with them.
        .section .pdata, "a"
        .long   rl_call, rl_call_end, rl_handler, 0, rl_call_prolog_end
        .long   DllMain, DllMain_end, 0, 0, DllMain_prolog_end

        .data
        .align 2
value:          .long 0x12345678
value_ptr:      .long value
far_ptr:        .long far
twice_ptr:      .long twice
# Pushes `far` to an address whose low half is 0x8000 or more.
                .space 0x9000
far:            .long 0
