# kb246691.exe for NT on Alpha: the same check and the same last line as the x86 twin.
# 1,000 CreateRemoteThread calls into a child process (this same image, started with
# CreateProcessA, which finds the parent's named event and waits on it); prints
# handle-count-delta=D failures=F.
        .include "common.inc"
        .text
        .globl start
        .ent start
start:
        lda     $30, -256($30)
        stq     $26, 32($30)
        stq     $9, 40($30)
        stq     $10, 48($30)
        stq     $11, 56($30)
        stq     $12, 64($30)
        # Child mode: the parent's event exists.
        ldah    $16, 0x10($31)          # SYNCHRONIZE
        mov     $31, $17
        LA      $18, marker_name
        CALL    OpenEventA
        beq     $0, parent
        mov     $0, $16
        lda     $17, -1($31)            # INFINITE
        CALL    WaitForSingleObject
        lda     $16, 99($31)
        CALL    ExitProcess
parent:
        mov     $31, $16
        lda     $17, 1($31)
        mov     $31, $18
        LA      $19, marker_name
        CALL    CreateEventA
        mov     $0, $12                 # the marker event
        # STARTUPINFOA at sp+96 (68 bytes, zeroed), cb = 68.
        lda     $1, 96($30)
        lda     $2, 72($31)
1:      subq    $2, 8, $2
        addq    $1, $2, $3
        stq     $31, 0($3)
        bne     $2, 1b
        lda     $2, 68($31)
        stl     $2, 0($1)
        # CreateProcessA(NULL, "kb246691.exe", NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi):
        # a program name on the command line is looked for beside the caller's image too.
        mov     $31, $16
        LA      $17, image_name
        mov     $31, $18
        mov     $31, $19
        mov     $31, $20
        mov     $31, $21
        stq     $31, 0($30)
        stq     $31, 8($30)
        lda     $1, 96($30)
        stq     $1, 16($30)
        lda     $1, 176($30)            # PROCESS_INFORMATION
        stq     $1, 24($30)
        CALL    CreateProcessA
        bne     $0, started
        LA      $16, cannot_start
        bsr     $26, put
        lda     $16, 1($31)
        CALL    ExitProcess
started:
        lda     $16, -1($31)            # GetCurrentProcess()
        lda     $17, 192($30)           # &before
        CALL    GetProcessHandleCount
        lda     $9, 1000($31)           # calls left
        mov     $31, $10                # failures
loop:
        ldl     $16, 176($30)           # pi.hProcess
        mov     $31, $17
        mov     $31, $18
        LA      $19, idle
        mov     $31, $20
        lda     $21, 4($31)             # CREATE_SUSPENDED
        stq     $31, 0($30)             # no thread id
        CALL    CreateRemoteThread
        beq     $0, failed
        mov     $0, $11
        mov     $11, $16
        mov     $31, $17
        CALL    TerminateThread
        mov     $11, $16
        CALL    CloseHandle
        br      $31, next
failed:
        addq    $10, 1, $10
next:
        subq    $9, 1, $9
        bne     $9, loop
        lda     $16, -1($31)
        lda     $17, 196($30)           # &after
        CALL    GetProcessHandleCount
        ldl     $16, 176($30)
        mov     $31, $17
        CALL    TerminateProcess
        ldl     $16, 180($30)           # pi.hThread
        CALL    CloseHandle
        ldl     $16, 176($30)
        CALL    CloseHandle
        mov     $12, $16
        CALL    CloseHandle
        LA      $16, delta_text
        bsr     $26, put
        ldl     $1, 196($30)
        ldl     $2, 192($30)
        subq    $1, $2, $16
        bsr     $26, put_dec
        LA      $16, failures_text
        bsr     $26, put
        mov     $10, $16
        bsr     $26, put_dec
        LA      $16, newline
        bsr     $26, put
        mov     $31, $16
        CALL    ExitProcess
        .end start

# The remote threads' start routine: returns its parameter.
        .ent idle
idle:
        mov     $16, $0
        ret     $31, ($26)
        .end idle

        .include "helpers.inc"

        .data
marker_name:    .asciz "ntemu-kb246691-parent"
image_name:     .asciz "kb246691.exe"
cannot_start:   .asciz "cannot start the child process\n"
delta_text:     .asciz "handle-count-delta="
failures_text:  .asciz " failures="
newline:        .asciz "\n"
