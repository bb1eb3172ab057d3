# apcs.exe for NT on Alpha: a subset of the x86 twin's checks (tests/guests/src/apcs.c),
# printing the same lines in the same order (expected/apcs-alpha.expected): a user APC queued
# to the thread itself runs only in an alertable wait, which returns WAIT_IO_COMPLETION;
# three APCs run in one wait in the order queued; an APC that waits alertably runs the APC
# queued behind it inside (a nested delivery); a waitable timer's completion routine runs as
# an APC with its argument.
        .include "common.inc"

# Prints "TEXT: value" for the string at label `text` (names here have spaces).
        .macro SHOWL text, reg
        mov     \reg, $17
        LA      $16, \text
        bsr     $26, show_u
        .endm

# QueueUserAPC(routine, GetCurrentThread(), value)
        .macro QUEUE routine, value
        LA      $16, \routine
        lda     $17, -2($31)
        lda     $18, \value($31)
        CALL    QueueUserAPC
        .endm

# SleepEx(ms, alertable); INFINITE is -1.
        .macro SLEEPEX ms, alertable
        lda     $16, \ms($31)
        lda     $17, \alertable($31)
        CALL    SleepEx
        .endm

# The count of APC calls, and order[i].
        .macro SHOW_CALLS text
        LA      $1, g_calls
        ldl     $1, 0($1)
        SHOWL   \text, $1
        .endm
        .macro SHOW_ORDER text, i
        LA      $1, g_order
        ldl     $1, (4*\i)($1)
        SHOWL   \text, $1
        .endm

        .macro RESET
        LA      $1, g_calls
        stl     $31, 0($1)
        LA      $1, g_sum
        stl     $31, 0($1)
        .endm

# count_apc(param): order[calls++] = param; sum += param.
        .text
        .ent count_apc
count_apc:
        LA      $1, g_calls
        ldl     $2, 0($1)
        LA      $3, g_order
        s4addq  $2, $3, $3
        stl     $16, 0($3)
        addl    $2, 1, $2
        stl     $2, 0($1)
        LA      $1, g_sum
        ldl     $2, 0($1)
        addl    $2, $16, $2
        stl     $2, 0($1)
        ret     $31, ($26)
        .end count_apc

# nesting_apc(param): order[calls++] = 100; queues count_apc(7); inner = SleepEx(0, TRUE);
# order[calls++] = 101.
        .ent nesting_apc
nesting_apc:
        lda     $30, -32($30)
        stq     $26, 0($30)
        lda     $16, 100($31)
        bsr     $26, count_apc
        QUEUE   count_apc, 7
        SLEEPEX 0, 1
        LA      $1, g_inner
        stl     $0, 0($1)
        lda     $16, 101($31)
        bsr     $26, count_apc
        ldq     $26, 0($30)
        lda     $30, 32($30)
        ret     $31, ($26)
        .end nesting_apc

# timer_routine(arg, low, high): timer_calls++, timer_arg = arg.
        .ent timer_routine
timer_routine:
        LA      $1, g_timer_calls
        ldl     $2, 0($1)
        addl    $2, 1, $2
        stl     $2, 0($1)
        LA      $1, g_timer_arg
        stl     $16, 0($1)
        ret     $31, ($26)
        .end timer_routine

# The frame: LARGE_INTEGER due at 32.
        .globl start
        .ent start
start:
        lda     $30, -64($30)
        stq     $26, 0($30)
        stq     $9, 8($30)

        RESET
        QUEUE   count_apc, 5
        SHOWL   t_queue_self, $0
        SLEEPEX 0, 0
        SHOWL   t_sleep_nonalert, $0
        SHOW_CALLS t_calls_nonalert
        SLEEPEX 0, 1
        SHOWL   t_sleep_alert, $0
        SHOW_CALLS t_calls_alert
        LA      $1, g_sum
        ldl     $1, 0($1)
        SHOWL   t_param, $1

        RESET
        QUEUE   count_apc, 1
        QUEUE   count_apc, 2
        QUEUE   count_apc, 3
        SLEEPEX -1, 1
        SHOWL   t_sleep_three, $0
        SHOW_CALLS t_three_calls
        SHOW_ORDER t_three_first, 0
        SHOW_ORDER t_three_second, 1
        SHOW_ORDER t_three_third, 2

        RESET
        QUEUE   nesting_apc, 0
        SLEEPEX 0, 1
        SHOWL   t_sleep_nesting, $0
        SHOW_CALLS t_nested_calls
        SHOW_ORDER t_nested_first, 0
        SHOW_ORDER t_nested_second, 1
        SHOW_ORDER t_nested_third, 2
        LA      $1, g_inner
        ldl     $1, 0($1)
        SHOWL   t_nested_inner, $1

        # t = CreateWaitableTimerA(NULL, FALSE, NULL); due = -100000 (10 ms)
        mov     $31, $16
        mov     $31, $17
        mov     $31, $18
        CALL    CreateWaitableTimerA
        mov     $0, $9
        lda     $1, -10000($31)
        mulq    $1, 10, $1
        stq     $1, 32($30)
        # SetWaitableTimer(t, &due, 0, timer_routine, 0x77, FALSE)
        mov     $9, $16
        lda     $17, 32($30)
        mov     $31, $18
        LA      $19, timer_routine
        lda     $20, 0x77($31)
        mov     $31, $21
        CALL    SetWaitableTimer
        SHOWL   t_set_routine, $0
        SLEEPEX -1, 1
        SHOWL   t_sleep_timer, $0
        LA      $1, g_timer_calls
        ldl     $1, 0($1)
        SHOWL   t_timer_calls, $1
        LA      $1, g_timer_arg
        ldl     $1, 0($1)
        SHOWL   t_timer_arg, $1
        mov     $9, $16
        CALL    CloseHandle

        LA      $16, s_done
        bsr     $26, put
        mov     $31, $16
        CALL    ExitProcess
        .end start

        .include "helpers.inc"

        .data
        .align 2
g_calls:        .long 0
g_sum:          .long 0
g_inner:        .long 0
g_timer_calls:  .long 0
g_timer_arg:    .long 0
g_order:        .long 0, 0, 0, 0, 0, 0, 0, 0
t_queue_self:   .asciz "QueueUserAPC(self)"
t_sleep_nonalert: .asciz "SleepEx(0, FALSE) with an APC queued"
t_calls_nonalert: .asciz "APC calls after a non-alertable sleep"
t_sleep_alert:  .asciz "SleepEx(0, TRUE) with an APC queued"
t_calls_alert:  .asciz "APC calls after an alertable sleep"
t_param:        .asciz "APC parameter"
t_sleep_three:  .asciz "SleepEx(INFINITE, TRUE) with three queued"
t_three_calls:  .asciz "three APCs: calls"
t_three_first:  .asciz "three APCs: first"
t_three_second: .asciz "three APCs: second"
t_three_third:  .asciz "three APCs: third"
t_sleep_nesting: .asciz "SleepEx(0, TRUE) with a nesting APC"
t_nested_calls: .asciz "nested: calls"
t_nested_first: .asciz "nested: first"
t_nested_second: .asciz "nested: second"
t_nested_third: .asciz "nested: third"
t_nested_inner: .asciz "nested: the inner SleepEx"
t_set_routine:  .asciz "SetWaitableTimer(routine)"
t_sleep_timer:  .asciz "SleepEx(INFINITE, TRUE) until the timer's routine"
t_timer_calls:  .asciz "timer routine calls"
t_timer_arg:    .asciz "timer routine argument"
s_done:         .asciz "done\n"
