# seh.exe for NT on Alpha: structured exception handling through the image's .pdata function
# table (IMAGE_DIRECTORY_ENTRY_EXCEPTION), as the NT for Alpha calling standard describes it.
#
# `start` has a .pdata entry naming `seh_handler` as its exception handler; `divide` has one
# with no handler and a frame-pointer prologue. The handler receives ExceptionRecord (a0),
# EstablisherFrame (a1), ContextRecord (a2) and DispatcherContext (a3); it records what it was
# given and, while a resume address is armed, sets the CONTEXT's Fir to it and returns
# ExceptionContinueExecution (0); with none armed it returns ExceptionContinueSearch (1).
#
# 1. An access violation (a load from address 0) in `start` itself: the handler resumes at
#    `resume_av`.
# 2. An integer divide by zero raised by `call_pal gentrap` with a0 = -2 in `divide`, called
#    from `start`: the dispatcher finds no handler for `divide`, virtually unwinds its
#    prologue and finds `start`'s handler, which resumes at `divide_resume` (in `divide`,
#    whose frame the faulting context still describes); `divide` then returns 99.
# 3. A last access violation with no resume address armed: the handler declines, nothing else
#    handles it, and the process ends with STATUS_ACCESS_VIOLATION (exit code 0xc0000005).
#
# After each recovery it prints the exception code and checks, printing 1 for true:
# - frame_ok: EstablisherFrame is `start`'s virtual frame pointer (sp at entry to `start`,
#   NT's EstablisherFrame.Virtual), also when reached by unwinding `divide`;
# - addr_ok: ExceptionRecord.ExceptionAddress is the faulting load (access violation only);
# - dispatch_ok: DispatcherContext (ControlPc +0, FunctionEntry +4, EstablisherFrame +8,
#   ContextRecord +12) holds the same EstablisherFrame and ContextRecord the handler got, its
#   FunctionEntry is `start`'s .pdata entry (ExceptionHandler at +8 is `seh_handler`), and
#   its ControlPc is where control left `start`: the faulting load, or for the divide the
#   `bsr` that called `divide` (the return address minus 4).
        .include "common.inc"
        .text
        .globl start
        .ent start
start:
        lda     $30, -64($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        stq     $10, 16($30)
start_prolog_end:
        lda     $9, 64($30)             # s0: the virtual frame pointer (sp at entry)
        LA      $16, msg_start
        bsr     $26, put

        # 1. An access violation here, resumed at resume_av.
        LA      $1, resume_av
        LA      $2, resume
        stl     $1, 0($2)
fault_av:
        ldl     $3, 0($31)
        LA      $16, msg_not_resumed    # not reached when handled
        bsr     $26, put
resume_av:
        LA      $1, last_code
        ldl     $1, 0($1)
        SHOW_X  av_code, $1
        LA      $1, last_frame
        ldl     $1, 0($1)
        cmpeq   $1, $9, $1
        SHOW_U  av_frame_ok, $1
        LA      $1, last_address
        ldl     $1, 0($1)
        LA      $2, fault_av
        cmpeq   $1, $2, $1
        SHOW_U  av_addr_ok, $1
        LA      $10, fault_av
        bsr     $26, check_dispatch
        SHOW_U  av_dispatch_ok, $0

        # 2. A divide by zero in a callee, unwound to this function's handler.
        lda     $16, 42($31)
        mov     $31, $17
call_divide:
        bsr     $26, divide
        mov     $0, $10
        SHOW_U  div_result, $10
        LA      $1, last_code
        ldl     $1, 0($1)
        SHOW_X  div_code, $1
        LA      $1, last_frame
        ldl     $1, 0($1)
        cmpeq   $1, $9, $1
        SHOW_U  div_frame_ok, $1
        LA      $10, call_divide
        bsr     $26, check_dispatch
        SHOW_U  div_dispatch_ok, $0

        LA      $1, handled
        ldl     $1, 0($1)
        SHOW_U  handled, $1

        # 3. An access violation nobody handles.
        LA      $16, msg_unhandled
        bsr     $26, put
        LA      $2, resume
        stl     $31, 0($2)
        ldl     $3, 0($31)
        LA      $16, msg_not_resumed    # not reached
        bsr     $26, put
        mov     $31, $16
        CALL    ExitProcess
start_end:
        .end start

# check_dispatch(s1 = the expected DispatcherContext.ControlPc): v0 = 1 when the recorded
# DispatcherContext is consistent (see the header), else 0. A leaf.
        .ent check_dispatch
check_dispatch:
        LA      $1, last_dc_control_pc
        ldl     $1, 0($1)
        cmpeq   $1, $10, $0
        LA      $1, last_dc_frame
        ldl     $1, 0($1)
        LA      $2, last_frame
        ldl     $2, 0($2)
        cmpeq   $1, $2, $1
        and     $0, $1, $0
        LA      $1, last_dc_context
        ldl     $1, 0($1)
        LA      $2, last_context
        ldl     $2, 0($2)
        cmpeq   $1, $2, $1
        and     $0, $1, $0
        LA      $1, last_dc_handler
        ldl     $1, 0($1)
        LA      $2, seh_handler
        cmpeq   $1, $2, $1
        and     $0, $1, $0
        ret     $31, ($26)
        .end check_dispatch

# divide(a0, a1): a0 / a1 for a1 != 0 would be computed by a divide helper; a divisor of 0
# raises STATUS_INTEGER_DIVIDE_BY_ZERO the way the Alpha CRT's helpers do. Returns 99 when
# the exception was handled and execution resumed at divide_resume.
        .ent divide
divide:
        lda     $30, -48($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        stq     $15, 16($30)
        bis     $30, $30, $15           # a frame pointer
divide_prolog_end:
        mov     $16, $9                 # clobbers s0 (restored below)
        mov     $16, $0
        bne     $17, 1f
        LA      $1, divide_resume
        LA      $2, resume
        stl     $1, 0($2)
        lda     $16, -2($31)            # GENTRAP_INTEGER_DIVIDE_BY_ZERO
        call_pal 0xaa                   # gentrap
        LA      $16, msg_not_resumed    # not reached when handled
        bsr     $26, put
divide_resume:
        lda     $0, 99($31)
1:      bis     $15, $15, $30
        ldq     $26, 0($30)
        ldq     $9, 8($30)
        ldq     $15, 16($30)
        lda     $30, 48($30)
        ret     $31, ($26)
divide_end:
        .end divide

# The exception handler of `start`. A leaf without a frame.
        .ent seh_handler
seh_handler:
        ldl     $2, 0($16)              # ExceptionCode
        LA      $1, last_code
        stl     $2, 0($1)
        ldl     $2, 12($16)             # ExceptionAddress
        LA      $1, last_address
        stl     $2, 0($1)
        LA      $1, last_frame
        stl     $17, 0($1)
        LA      $1, last_context
        stl     $18, 0($1)
        ldl     $2, 0($19)              # DispatcherContext.ControlPc
        LA      $1, last_dc_control_pc
        stl     $2, 0($1)
        ldl     $2, 4($19)              # DispatcherContext.FunctionEntry
        ldl     $2, 8($2)               # its ExceptionHandler
        LA      $1, last_dc_handler
        stl     $2, 0($1)
        ldl     $2, 8($19)              # DispatcherContext.EstablisherFrame
        LA      $1, last_dc_frame
        stl     $2, 0($1)
        ldl     $2, 12($19)             # DispatcherContext.ContextRecord
        LA      $1, last_dc_context
        stl     $2, 0($1)
        LA      $1, handled
        ldl     $2, 0($1)
        addl    $2, 1, $2
        stl     $2, 0($1)
        LA      $1, resume
        ldl     $2, 0($1)
        beq     $2, 1f
        stl     $31, 0($1)
        stq     $2, 0x210($18)          # CONTEXT.Fir
        mov     $31, $0                 # ExceptionContinueExecution
        ret     $31, ($26)
1:      lda     $0, 1($31)              # ExceptionContinueSearch
        ret     $31, ($26)
seh_handler_end:
        .end seh_handler

        .include "helpers.inc"

# The function table: BeginAddress, EndAddress, ExceptionHandler, HandlerData,
# PrologEndAddress (IMAGE_ALPHA_RUNTIME_FUNCTION_ENTRY); the builder sorts it.
        .section .pdata, "a"
        .long   start, start_end, seh_handler, 0, start_prolog_end
        .long   divide, divide_end, 0, 0, divide_prolog_end
        .long   seh_handler, seh_handler_end, 0, 0, seh_handler

        .data
        .align 2
resume:                 .long 0
handled:                .long 0
last_code:              .long 0
last_address:           .long 0
last_frame:             .long 0
last_context:           .long 0
last_dc_control_pc:     .long 0
last_dc_handler:        .long 0
last_dc_frame:          .long 0
last_dc_context:        .long 0
msg_start:              .asciz "seh: start\n"
msg_unhandled:          .asciz "seh: unhandled access violation next\n"
msg_not_resumed:        .asciz "seh: not resumed\n"
