# ldralphanoentry.exe for NT on Alpha: imports lt_gone from ldrathr.dll
# (tests/guests/src/alphadll/ldrathr.s), which does not export it: the process ends before
# its entry point with STATUS_ENTRYPOINT_NOT_FOUND and one line naming the function.
        .include "common.inc"

        .text
        .globl start
        .ent start
start:
        lda     $30, -16($30)
        stq     $26, 0($30)
        LA      $16, s_run
        bsr     $26, put
        CALL    ldrathr$lt_gone
        mov     $0, $16
        CALL    ExitProcess
        .end start

        .include "helpers.inc"

        .data
s_run:          .asciz "must not run\n"
