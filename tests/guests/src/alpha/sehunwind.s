# sehunwind.exe for NT on Alpha: an exception handler that unwinds to its own frame with
# RtlUnwind, as the Alpha C runtime's __C_specific_handler does for an __except block.
#
# `start` (handler `outer_handler`) calls `middle` (handler `middle_handler`), which saves s0,
# clobbers it and loads from address 0. The dispatcher calls `middle_handler` (which declines)
# and then `outer_handler`, which calls RtlUnwind(EstablisherFrame, resume, ExceptionRecord,
# 0x77). RtlUnwind calls `middle_handler` again with EXCEPTION_UNWINDING, then
# `outer_handler` with EXCEPTION_UNWINDING | EXCEPTION_TARGET_UNWIND (its frame is the
# target), and continues at `resume` in `start` with v0 = 0x77, start's sp, and s0 restored
# from `middle`'s save area by virtually unwinding `middle`'s prologue.
# Then a breakpoint (call_pal bpt), which `outer_handler` declines (it handles only the first
# exception), ends the process with STATUS_BREAKPOINT (exit code 0x80000003).
        .include "common.inc"
        .text
        .globl start
        .ent start
start:
        lda     $30, -64($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
start_prolog_end:
        LA      $16, msg_start
        bsr     $26, put
        lda     $9, 1111($31)           # s0, which middle clobbers
        LA      $1, saved_sp
        stl     $30, 0($1)
        bsr     $26, middle
        LA      $16, msg_not_resumed    # not reached
        bsr     $26, put
resume:
        mov     $0, $10
        SHOW_X  v0, $10
        LA      $1, saved_sp
        ldl     $1, 0($1)
        cmpeq   $1, $30, $1
        SHOW_U  sp_ok, $1
        lda     $2, 1111($31)
        cmpeq   $9, $2, $1
        SHOW_U  s0_ok, $1
        LA      $1, middle_calls
        ldl     $1, 0($1)
        SHOW_U  middle_calls, $1
        LA      $1, middle_unwinds
        ldl     $1, 0($1)
        SHOW_U  middle_unwinds, $1
        LA      $1, middle_unwind_flags
        ldl     $1, 0($1)
        SHOW_X  middle_unwind_flags, $1
        LA      $1, outer_calls
        ldl     $1, 0($1)
        SHOW_U  outer_calls, $1
        LA      $1, outer_unwind_flags
        ldl     $1, 0($1)
        SHOW_X  outer_unwind_flags, $1
        LA      $16, msg_breakpoint
        bsr     $26, put
        call_pal 0x80                   # bpt
        LA      $16, msg_not_resumed    # not reached
        bsr     $26, put
        mov     $31, $16
        CALL    ExitProcess
start_end:
        .end start

        .ent middle
middle:
        lda     $30, -32($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
middle_prolog_end:
        lda     $9, 2222($31)
        ldl     $1, 0($31)              # access violation
        LA      $16, msg_not_resumed    # not reached
        bsr     $26, put
        ldq     $26, 0($30)
        ldq     $9, 8($30)
        lda     $30, 32($30)
        ret     $31, ($26)
middle_end:
        .end middle

# middle_handler(ExceptionRecord, EstablisherFrame, ContextRecord, DispatcherContext): counts
# its calls and declines (ExceptionContinueSearch). A leaf.
        .ent middle_handler
middle_handler:
        ldl     $2, 4($16)              # ExceptionFlags
        and     $2, 2, $3               # EXCEPTION_UNWINDING
        beq     $3, 1f
        LA      $1, middle_unwind_flags
        stl     $2, 0($1)
        LA      $1, middle_unwinds
        br      $31, 2f
1:      LA      $1, middle_calls
2:      ldl     $3, 0($1)
        addl    $3, 1, $3
        stl     $3, 0($1)
        lda     $0, 1($31)
        ret     $31, ($26)
middle_handler_end:
        .end middle_handler

# outer_handler: for the exception, unwinds to its frame and never returns; while unwinding,
# records the flags and declines.
        .ent outer_handler
outer_handler:
        lda     $30, -32($30)
        stq     $26, 0($30)
outer_handler_prolog_end:
        ldl     $2, 4($16)              # ExceptionFlags
        and     $2, 6, $3               # EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND
        beq     $3, 1f
        LA      $1, outer_unwind_flags
        stl     $2, 0($1)
        lda     $0, 1($31)
        ldq     $26, 0($30)
        lda     $30, 32($30)
        ret     $31, ($26)
1:      LA      $1, outer_calls
        ldl     $3, 0($1)
        bne     $3, 2f                  # only the first exception is handled
        addl    $3, 1, $3
        stl     $3, 0($1)
        mov     $16, $2                 # ExceptionRecord
        mov     $17, $16                # TargetFrame = EstablisherFrame
        LA      $17, resume             # TargetIp
        mov     $2, $18                 # ExceptionRecord
        lda     $19, 0x77($31)          # ReturnValue
        CALL    RtlUnwind
        LA      $16, msg_not_resumed    # not reached
        bsr     $26, put
        mov     $31, $16
        CALL    ExitProcess
2:      lda     $0, 1($31)              # ExceptionContinueSearch
        ldq     $26, 0($30)
        lda     $30, 32($30)
        ret     $31, ($26)
outer_handler_end:
        .end outer_handler

        .include "helpers.inc"

        .section .pdata, "a"
        .long   start, start_end, outer_handler, 0, start_prolog_end
        .long   middle, middle_end, middle_handler, 0, middle_prolog_end
        .long   outer_handler, outer_handler_end, 0, 0, outer_handler_prolog_end
        .long   middle_handler, middle_handler_end, 0, 0, middle_handler

        .data
        .align 2
saved_sp:               .long 0
middle_calls:           .long 0
middle_unwinds:         .long 0
middle_unwind_flags:    .long 0
outer_calls:            .long 0
outer_unwind_flags:     .long 0
msg_start:              .asciz "sehunwind: start\n"
msg_breakpoint:         .asciz "sehunwind: unhandled breakpoint next\n"
msg_not_resumed:        .asciz "sehunwind: not resumed\n"
