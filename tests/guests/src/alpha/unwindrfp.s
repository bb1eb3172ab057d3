# unwindrfp.exe for NT on Alpha: the two unwind services NT for Alpha exports beside RtlUnwind
# (from NTDLL, and from KERNEL32 as forwarders), as a C runtime's longjmp uses them.
#
# RtlLookupFunctionEntry(pc) answers the address of the .pdata entry whose range holds pc
# (start's, middle's: their BeginAddress and EndAddress are read through it), and NULL for
# an address in no function (the data section).
#
# RtlUnwindRfp(TargetRealFrame, TargetIp, NULL, 0x55) names its target by the frame's real
# frame pointer: start's sp after its prologue. That is also the virtual frame pointer of
# middle, which start calls (sp on entry to middle), so the same value given to RtlUnwind
# would stop at middle. RtlUnwindRfp goes on to start's frame: `inner` calls it, the handler
# of middle is called with EXCEPTION_UNWINDING (2), start's handler with EXCEPTION_UNWINDING |
# EXCEPTION_TARGET_UNWIND (0x22), both for a STATUS_UNWIND record (0xC0000027) the service
# makes, and execution continues at `resume` in start with v0 = 0x55, start's sp, and s0
# restored from middle's save area. Expected output: tests/guests/expected/alpha-unwindrfp.expected.
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
        LA      $16, start_prolog_end   # a pc in start
        CALL    RtlLookupFunctionEntry
        ldl     $1, 0($0)               # its BeginAddress
        LA      $2, start
        cmpeq   $1, $2, $1
        SHOW_U  start_entry_ok, $1
        LA      $16, middle_body        # a pc in middle
        CALL    RtlLookupFunctionEntry
        ldl     $1, 4($0)               # its EndAddress
        LA      $2, middle_end
        cmpeq   $1, $2, $1
        SHOW_U  middle_entry_ok, $1
        LA      $16, saved_sp           # data: no function
        CALL    RtlLookupFunctionEntry
        SHOW_X  data_entry, $0
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
        LA      $1, middle_unwind_flags
        ldl     $1, 0($1)
        SHOW_X  middle_unwind_flags, $1
        LA      $1, middle_unwind_code
        ldl     $1, 0($1)
        SHOW_X  middle_unwind_code, $1
        LA      $1, start_unwind_flags
        ldl     $1, 0($1)
        SHOW_X  start_unwind_flags, $1
        LA      $16, msg_end
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
middle_body:
        lda     $9, 2222($31)
        bsr     $26, inner
        LA      $16, msg_not_resumed    # not reached
        bsr     $26, put
        ldq     $26, 0($30)
        ldq     $9, 8($30)
        lda     $30, 32($30)
        ret     $31, ($26)
middle_end:
        .end middle

# inner: unwinds to start's frame, named by its real frame pointer.
        .ent inner
inner:
        lda     $30, -16($30)
        stq     $26, 0($30)
inner_prolog_end:
        LA      $1, saved_sp
        ldl     $16, 0($1)              # TargetRealFrame
        LA      $17, resume             # TargetIp
        mov     $31, $18                # no ExceptionRecord
        lda     $19, 0x55($31)          # ReturnValue
        CALL    RtlUnwindRfp
        LA      $16, msg_not_resumed    # not reached
        bsr     $26, put
        mov     $31, $16
        CALL    ExitProcess
inner_end:
        .end inner

# middle_handler(ExceptionRecord, EstablisherFrame, ContextRecord, DispatcherContext): records
# the flags and code it is called with and declines (ExceptionContinueSearch). A leaf.
        .ent middle_handler
middle_handler:
        ldl     $2, 4($16)              # ExceptionFlags
        LA      $1, middle_unwind_flags
        stl     $2, 0($1)
        ldl     $2, 0($16)              # ExceptionCode
        LA      $1, middle_unwind_code
        stl     $2, 0($1)
        lda     $0, 1($31)
        ret     $31, ($26)
middle_handler_end:
        .end middle_handler

# start_handler: records the flags and declines. A leaf.
        .ent start_handler
start_handler:
        ldl     $2, 4($16)              # ExceptionFlags
        LA      $1, start_unwind_flags
        stl     $2, 0($1)
        lda     $0, 1($31)
        ret     $31, ($26)
start_handler_end:
        .end start_handler

        .include "helpers.inc"

        .section .pdata, "a"
        .long   start, start_end, start_handler, 0, start_prolog_end
        .long   middle, middle_end, middle_handler, 0, middle_prolog_end
        .long   inner, inner_end, 0, 0, inner_prolog_end
        .long   middle_handler, middle_handler_end, 0, 0, middle_handler
        .long   start_handler, start_handler_end, 0, 0, start_handler

        .data
        .align 2
saved_sp:               .long 0
middle_unwind_flags:    .long 0
middle_unwind_code:     .long 0
start_unwind_flags:     .long 0
msg_start:              .asciz "unwindrfp: start\n"
msg_end:                .asciz "unwindrfp: end\n"
msg_not_resumed:        .asciz "unwindrfp: not resumed\n"
