# ldralphastatic.exe for NT on Alpha: a program that imports an Alpha DLL from disk
# statically (ldrathr.dll, tests/guests/src/alphadll/ldrathr.s). NT's order: the DLL's
# DllMain (PROCESS_ATTACH, lpReserved non-NULL) runs before the program's entry point;
# each new thread runs THREAD_ATTACH on itself before its start routine and THREAD_DETACH
# after it returns; after DisableThreadLibraryCalls a thread brings no calls; ExitProcess
# sends PROCESS_DETACH (lpReserved non-NULL).
        .include "common.inc"

        .text
        .globl start
        .ent start
start:
        lda     $30, -48($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        stq     $10, 16($30)
        stq     $11, 24($30)
        LA      $16, s_main
        bsr     $26, put
        lda     $16, 30($31)
        lda     $17, 12($31)
        CALL    ldrathr$lt_add
        SHOW_U  add, $0
        LA      $16, s_dll
        CALL    GetModuleHandleA
        mov     $0, $11
        SHOW_X  ldrathr_base, $11

        lda     $16, 5($31)
        bsr     $26, run_thread
        ldl     $9, 32($30)                     # its thread id
        CALL    ldrathr$lt_attach_tid
        cmpeq   $0, $9, $1
        SHOW_U  attach_on_thread, $1
        CALL    ldrathr$lt_detach_tid
        cmpeq   $0, $9, $1
        SHOW_U  detach_on_thread, $1

        mov     $11, $16
        CALL    DisableThreadLibraryCalls
        SHOW_U  disable, $0
        lda     $16, 6($31)
        bsr     $26, run_thread

        LA      $16, s_exiting
        bsr     $26, put
        mov     $31, $16
        CALL    ExitProcess
        .end start

# run_thread(a0 = value): a thread of worker(value), waited for; prints its exit code and
# leaves its id at 32($30) of the caller's frame.
        .ent run_thread
run_thread:
        lda     $30, -32($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        mov     $16, $19
        mov     $31, $16
        mov     $31, $17
        LA      $18, worker
        mov     $31, $20
        lda     $21, 64($30)                    # the caller's 32($30)
        CALL    CreateThread
        mov     $0, $9
        mov     $9, $16
        lda     $17, -1($31)
        CALL    WaitForSingleObject
        mov     $9, $16
        lda     $17, 16($30)
        CALL    GetExitCodeThread
        ldl     $1, 16($30)
        SHOW_U  exit_code, $1
        mov     $9, $16
        CALL    CloseHandle
        ldq     $26, 0($30)
        ldq     $9, 8($30)
        lda     $30, 32($30)
        ret     $31, ($26)
        .end run_thread

# worker(a0 = value): says so and returns the value.
        .ent worker
worker:
        lda     $30, -16($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        mov     $16, $9
        LA      $16, s_worker
        bsr     $26, put
        mov     $9, $0
        ldq     $26, 0($30)
        ldq     $9, 8($30)
        lda     $30, 16($30)
        ret     $31, ($26)
        .end worker

        .include "helpers.inc"

        .data
s_dll:          .asciz "ldrathr"
s_main:         .asciz "main\n"
s_worker:       .asciz "worker\n"
s_exiting:      .asciz "exiting\n"
