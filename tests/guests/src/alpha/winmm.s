# winmm.exe for NT on Alpha: a subset of the x86 twin's checks (tests/guests/src/winmm.c),
# printing the same lines in the same order (expected/winmm-alpha.expected): timeGetDevCaps,
# a periodic timeSetEvent callback on the timer thread (arguments in a0-a4) counted over a
# Sleep and killed, an event timer waited on, and timeKillEvent of an unknown id.
        .include "common.inc"

# Prints "TEXT: value" for the string at label `text` (names here have spaces).
        .macro SHOWL text, reg
        mov     \reg, $17
        LA      $16, \text
        bsr     $26, show_u
        .endm

# periodic_proc(id, msg, user, dw1, dw2): user, msg and dw1|dw2 kept, the thread id kept,
# ticks++.
        .text
        .ent periodic_proc
periodic_proc:
        lda     $30, -16($30)
        stq     $26, 0($30)
        LA      $1, g_user
        stl     $18, 0($1)
        LA      $1, g_msg
        stl     $17, 0($1)
        bis     $19, $20, $2
        LA      $1, g_dw
        stl     $2, 0($1)
        CALL    GetCurrentThreadId
        LA      $1, g_thread
        stl     $0, 0($1)
        LA      $1, g_ticks
        ldl     $2, 0($1)
        addl    $2, 1, $2
        stl     $2, 0($1)
        ldq     $26, 0($30)
        lda     $30, 16($30)
        ret     $31, ($26)
        .end periodic_proc

# The frame: TIMECAPS at 32; the timer id in $9, the event in $10, ticks at kill in $11.
        .globl start
        .ent start
start:
        lda     $30, -64($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        stq     $10, 16($30)
        stq     $11, 24($30)

        # timeGetDevCaps(&tc, 8)
        lda     $16, 32($30)
        lda     $17, 8($31)
        CALL    WINMM$timeGetDevCaps
        SHOW_U  timeGetDevCaps, $0
        ldl     $1, 32($30)
        SHOW_U  wPeriodMin, $1
        ldl     $1, 36($30)
        SHOW_U  wPeriodMax, $1

        # id = timeSetEvent(10, 1, periodic_proc, 0x1234, TIME_PERIODIC)
        lda     $16, 10($31)
        lda     $17, 1($31)
        LA      $18, periodic_proc
        lda     $19, 0x1234($31)
        lda     $20, 1($31)
        CALL    WINMM$timeSetEvent
        mov     $0, $9
        cmpult  $31, $9, $1
        SHOWL   t_periodic_nonzero, $1
        lda     $16, 300($31)
        CALL    Sleep
        LA      $1, g_ticks
        ldl     $1, 0($1)
        cmplt   $1, 5, $1
        xor     $1, 1, $1
        SHOWL   t_at_least_5, $1
        LA      $1, g_ticks
        ldl     $1, 0($1)
        cmple   $1, 40, $1
        SHOWL   t_at_most_40, $1
        LA      $1, g_user
        ldl     $1, 0($1)
        SHOW_X  dwUser, $1
        LA      $1, g_msg
        ldl     $1, 0($1)
        SHOW_U  uMsg, $1
        CALL    GetCurrentThreadId
        LA      $1, g_thread
        ldl     $1, 0($1)
        cmpeq   $0, $1, $2
        cmpeq   $1, 0, $3
        bis     $2, $3, $2
        xor     $2, 1, $2
        SHOWL   t_other_thread, $2
        mov     $9, $16
        CALL    WINMM$timeKillEvent
        SHOWL   t_kill_periodic, $0
        LA      $1, g_ticks
        ldl     $11, 0($1)
        lda     $16, 100($31)
        CALL    Sleep
        LA      $1, g_ticks
        ldl     $1, 0($1)
        cmpeq   $1, $11, $1
        SHOWL   t_no_callback, $1
        mov     $9, $16
        CALL    WINMM$timeKillEvent
        SHOWL   t_kill_again, $0

        # ev = CreateEventA(NULL, FALSE, FALSE, NULL);
        # timeSetEvent(50, 1, ev, 0, TIME_ONESHOT | TIME_CALLBACK_EVENT_SET)
        mov     $31, $16
        mov     $31, $17
        mov     $31, $18
        mov     $31, $19
        CALL    CreateEventA
        mov     $0, $10
        lda     $16, 50($31)
        lda     $17, 1($31)
        mov     $10, $18
        mov     $31, $19
        lda     $20, 0x10($31)
        CALL    WINMM$timeSetEvent
        cmpult  $31, $0, $1
        SHOWL   t_event_nonzero, $1
        mov     $10, $16
        lda     $17, 2000($31)
        CALL    WaitForSingleObject
        SHOWL   t_wait_event, $0
        mov     $10, $16
        CALL    CloseHandle

        lda     $16, 12345($31)
        CALL    WINMM$timeKillEvent
        SHOWL   t_kill_bad, $0

        LA      $16, s_done
        bsr     $26, put
        mov     $31, $16
        CALL    ExitProcess
        .end start

        .include "helpers.inc"

        .data
        .align 2
g_ticks:        .long 0
g_user:         .long 0
g_msg:          .long 0
g_dw:           .long 0
g_thread:       .long 0
t_periodic_nonzero: .asciz "timeSetEvent(periodic) nonzero"
t_at_least_5:   .asciz "periodic callbacks over 300 ms at least 5"
t_at_most_40:   .asciz "periodic callbacks over 300 ms at most 40"
t_other_thread: .asciz "callback on another thread"
t_kill_periodic: .asciz "timeKillEvent(periodic)"
t_no_callback:  .asciz "no callback after timeKillEvent"
t_kill_again:   .asciz "timeKillEvent(periodic) again"
t_event_nonzero: .asciz "timeSetEvent(event set) nonzero"
t_wait_event:   .asciz "WaitForSingleObject(timer event)"
t_kill_bad:     .asciz "timeKillEvent(12345)"
s_done:         .asciz "done\n"
