# ldrathr.dll for NT on Alpha (tools/alpha-pe --dll 0x10000000): a DLL that an Alpha
# program imports statically (tests/guests/src/alpha/ldralphastatic.s). DllMain says each
# reason it gets, whether lpReserved is non-NULL for PROCESS_ATTACH/DETACH (a static load,
# an ending process), and remembers the thread of the last THREAD_ATTACH and THREAD_DETACH.
        .include "common.inc"

        .text
        .globl DllMain
        .ent DllMain
DllMain:
        lda     $30, -32($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        stq     $10, 16($30)
        mov     $17, $9                         # the reason
        mov     $18, $10                        # lpReserved
        SHOW_U  ldrathr_DllMain_reason, $9
        cmpult  $9, 2, $1                       # PROCESS_DETACH (0) or PROCESS_ATTACH (1)
        beq     $1, 1f
        cmpult  $31, $10, $1
        SHOW_U  ldrathr_reserved_nonnull, $1
        br      $31, 9f
1:      CALL    GetCurrentThreadId
        LA      $1, attach_tid
        cmpeq   $9, 2, $2                       # THREAD_ATTACH
        bne     $2, 2f
        LA      $1, detach_tid
2:      stl     $0, 0($1)
9:      lda     $0, 1($31)
        ldq     $26, 0($30)
        ldq     $9, 8($30)
        ldq     $10, 16($30)
        lda     $30, 32($30)
        ret     $31, ($26)
        .end DllMain

        .globl lt_add
        .ent lt_add
lt_add:
        addl    $16, $17, $0
        ret     $31, ($26)
        .end lt_add

        .globl lt_attach_tid
        .ent lt_attach_tid
lt_attach_tid:
        LA      $1, attach_tid
        ldl     $0, 0($1)
        ret     $31, ($26)
        .end lt_attach_tid

        .globl lt_detach_tid
        .ent lt_detach_tid
lt_detach_tid:
        LA      $1, detach_tid
        ldl     $0, 0($1)
        ret     $31, ($26)
        .end lt_detach_tid

        .include "helpers.inc"

        .data
        .align 2
attach_tid:     .long 0
detach_tid:     .long 0
