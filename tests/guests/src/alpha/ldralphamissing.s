# ldralphamissing.exe for NT on Alpha: imports ldranone.dll, which is nowhere on the search
# path: the process ends before its entry point with STATUS_DLL_NOT_FOUND and one line
# naming the DLL and this program.
        .include "common.inc"

        .text
        .globl start
        .ent start
start:
        lda     $30, -16($30)
        stq     $26, 0($30)
        LA      $16, s_run
        bsr     $26, put
        CALL    ldranone$ln_gone
        mov     $0, $16
        CALL    ExitProcess
        .end start

        .include "helpers.inc"

        .data
s_run:          .asciz "must not run\n"
