# ldralphainitstatic.exe for NT on Alpha: imports ldrafail.dll (tests/guests/src/alphadll/
# ldrafail.s), whose DllMain refuses PROCESS_ATTACH: the process ends before its entry
# point with STATUS_DLL_INIT_FAILED and one line naming the DLL.
        .include "common.inc"

        .text
        .globl start
        .ent start
start:
        lda     $30, -16($30)
        stq     $26, 0($30)
        LA      $16, s_run
        bsr     $26, put
        CALL    ldrafail$lf_never
        mov     $0, $16
        CALL    ExitProcess
        .end start

        .include "helpers.inc"

        .data
s_run:          .asciz "must not run\n"
