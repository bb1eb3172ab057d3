# ldrafail.dll for NT on Alpha (tools/alpha-pe --dll 0x10000000): its DllMain says each
# reason it gets and refuses PROCESS_ATTACH (returns FALSE), so LoadLibrary gives NULL with
# ERROR_DLL_INIT_FAILED (tests/guests/src/alpha/ldralphainit.s) and a program that imports
# it statically ends before its entry point with STATUS_DLL_INIT_FAILED
# (tests/guests/src/alpha/ldralphainitstatic.s).
        .include "common.inc"

        .text
        .globl DllMain
        .ent DllMain
DllMain:
        lda     $30, -16($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        mov     $17, $9                         # the reason
        SHOW_U  ldrafail_DllMain_reason, $9
        cmpeq   $9, 1, $0                       # DLL_PROCESS_ATTACH: FALSE, else TRUE
        xor     $0, 1, $0
        ldq     $26, 0($30)
        ldq     $9, 8($30)
        lda     $30, 16($30)
        ret     $31, ($26)
        .end DllMain

        .globl lf_never
        .ent lf_never
lf_never:
        lda     $0, 1($31)
        ret     $31, ($26)
        .end lf_never

        .include "helpers.inc"
