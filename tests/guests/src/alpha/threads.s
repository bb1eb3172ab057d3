# threads.exe for NT on Alpha: the same checks and the same lines as the x86 twin
# (tests/guests/src/threads.c): CreateThread, CreateRemoteThread into itself and into a child
# process started with CreateProcessA, suspended creation, exit codes, waits on thread and
# process handles. The child is this same image: it finds the parent's named event and waits
# on it forever, so the parent can create threads in it and then terminate it.
        .include "common.inc"
        .text
        .globl start
        .ent start
# Frame: 0..31 outgoing argument slots, 32 ra, 40..64 s0-s3, 96 code, 100 tid,
# 112..179 STARTUPINFOA si (zeroed through 183), 184 PROCESS_INFORMATION pi (hProcess 184,
# hThread 188, dwProcessId 192, dwThreadId 196). s0 = marker, s1 = t, s2 = child_thread,
# s3 = hp.
start:
        lda     $30, -208($30)
        stq     $26, 32($30)
        stq     $9, 40($30)
        stq     $10, 48($30)
        stq     $11, 56($30)
        stq     $12, 64($30)
        stl     $31, 96($30)            # code = 0
        stl     $31, 100($30)           # tid = 0

        # Child mode: the parent's event exists; wait for the parent, which terminates us.
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
        mov     $0, $9                  # marker

        # t = CreateThread(NULL, 0, return_parameter, 42, 0, &tid)
        mov     $31, $16
        mov     $31, $17
        LA      $18, return_parameter
        lda     $19, 42($31)
        mov     $31, $20
        lda     $21, 100($30)
        CALL    CreateThread
        mov     $0, $10
        cmpult  $31, $10, $1
        SHOW_U  create-thread, $1
        ldl     $1, 100($30)
        and     $1, 3, $1
        cmpeq   $1, 0, $1
        SHOW_U  thread-id-multiple-of-4, $1
        mov     $10, $16
        lda     $17, -1($31)
        CALL    WaitForSingleObject
        SHOW_U  wait-thread, $0
        mov     $10, $16
        lda     $17, 96($30)            # &code
        CALL    GetExitCodeThread
        ldl     $1, 96($30)
        SHOW_U  thread-exit-code, $1
        mov     $10, $16
        CALL    CloseHandle

        # t = CreateThread(NULL, 0, exit_thread_early, 7, CREATE_SUSPENDED, NULL)
        mov     $31, $16
        mov     $31, $17
        LA      $18, exit_thread_early
        lda     $19, 7($31)
        lda     $20, 4($31)             # CREATE_SUSPENDED
        mov     $31, $21
        CALL    CreateThread
        mov     $0, $10
        mov     $10, $16
        lda     $17, 96($30)
        CALL    GetExitCodeThread
        ldl     $1, 96($30)
        SHOW_X  suspended-exit-code, $1
        mov     $10, $16
        lda     $17, 20($31)
        CALL    WaitForSingleObject
        SHOW_U  wait-suspended-times-out, $0
        mov     $10, $16
        CALL    SuspendThread
        SHOW_U  suspend-previous, $0
        mov     $10, $16
        CALL    ResumeThread
        SHOW_U  resume-previous-1, $0
        mov     $10, $16
        CALL    ResumeThread
        SHOW_U  resume-previous-2, $0
        mov     $10, $16
        lda     $17, -1($31)
        CALL    WaitForSingleObject
        SHOW_U  wait-resumed, $0
        mov     $10, $16
        lda     $17, 96($30)
        CALL    GetExitCodeThread
        ldl     $1, 96($30)
        SHOW_U  exit-thread-code, $1
        mov     $10, $16
        CALL    CloseHandle

        # t = CreateRemoteThread(GetCurrentProcess(), NULL, 0, return_parameter, 5, 0, NULL)
        CALL    GetCurrentProcess
        mov     $0, $16
        mov     $31, $17
        mov     $31, $18
        LA      $19, return_parameter
        lda     $20, 5($31)
        mov     $31, $21
        stq     $31, 0($30)
        CALL    CreateRemoteThread
        mov     $0, $10
        cmpult  $31, $10, $1
        SHOW_U  remote-thread-self, $1
        mov     $10, $16
        lda     $17, -1($31)
        CALL    WaitForSingleObject
        mov     $10, $16
        lda     $17, 96($30)
        CALL    GetExitCodeThread
        ldl     $1, 96($30)
        SHOW_U  remote-thread-self-code, $1
        mov     $10, $16
        CALL    CloseHandle

        # The child: si zeroed, si.cb = 68;
        # CreateProcessA(NULL, "threads.exe", NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi): a
        # program name on the command line is looked for beside the caller's image too.
        lda     $1, 112($30)
        lda     $2, 72($31)
1:      subq    $2, 8, $2
        addq    $1, $2, $3
        stq     $31, 0($3)
        bne     $2, 1b
        lda     $2, 68($31)
        stl     $2, 0($1)
        mov     $31, $16
        LA      $17, image_name
        mov     $31, $18
        mov     $31, $19
        mov     $31, $20
        mov     $31, $21
        stq     $31, 0($30)
        stq     $31, 8($30)
        lda     $1, 112($30)            # &si
        stq     $1, 16($30)
        lda     $1, 184($30)            # &pi
        stq     $1, 24($30)
        CALL    CreateProcessA
        SHOW_U  create-process, $0
        ldl     $1, 192($30)            # pi.dwProcessId
        and     $1, 3, $1
        cmpeq   $1, 0, $1
        SHOW_U  child-pid-multiple-of-4, $1

        # child_thread = CreateRemoteThread(pi.hProcess, NULL, 0, return_parameter, 11, 0, NULL)
        ldl     $16, 184($30)
        mov     $31, $17
        mov     $31, $18
        LA      $19, return_parameter
        lda     $20, 11($31)
        mov     $31, $21
        stq     $31, 0($30)
        CALL    CreateRemoteThread
        mov     $0, $11
        cmpult  $31, $11, $1
        SHOW_U  remote-thread-child, $1
        mov     $11, $16
        lda     $17, -1($31)
        CALL    WaitForSingleObject
        SHOW_U  wait-remote-thread-child, $0
        mov     $11, $16
        lda     $17, 96($30)
        CALL    GetExitCodeThread
        ldl     $1, 96($30)
        SHOW_U  remote-thread-child-code, $1
        mov     $11, $16
        CALL    CloseHandle

        # hp = OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, pi.dwProcessId)
        lda     $16, 0x400($31)
        mov     $31, $17
        ldl     $18, 192($30)
        CALL    OpenProcess
        mov     $0, $12
        cmpult  $31, $12, $1
        SHOW_U  open-child, $1
        mov     $12, $16
        mov     $31, $17
        mov     $31, $18
        LA      $19, return_parameter
        mov     $31, $20
        mov     $31, $21
        stq     $31, 0($30)
        CALL    CreateRemoteThread
        cmpeq   $0, 0, $1
        SHOW_U  remote-thread-without-rights, $1
        CALL    GetLastError
        SHOW_U  remote-thread-without-rights-error, $0
        ldl     $16, 184($30)
        lda     $17, 96($30)
        CALL    GetExitCodeProcess
        ldl     $1, 96($30)
        SHOW_X  child-running-exit-code, $1
        ldl     $16, 184($30)
        lda     $17, 3($31)
        CALL    TerminateProcess
        SHOW_U  terminate-child, $0
        ldl     $16, 184($30)
        lda     $17, -1($31)
        CALL    WaitForSingleObject
        SHOW_U  wait-child, $0
        mov     $12, $16
        lda     $17, 96($30)
        CALL    GetExitCodeProcess
        ldl     $1, 96($30)
        SHOW_U  child-exit-code, $1
        ldl     $16, 184($30)
        mov     $31, $17
        mov     $31, $18
        LA      $19, return_parameter
        mov     $31, $20
        mov     $31, $21
        stq     $31, 0($30)
        CALL    CreateRemoteThread
        cmpeq   $0, 0, $1
        SHOW_U  remote-thread-into-dead-child, $1
        CALL    GetLastError
        SHOW_U  remote-thread-into-dead-child-error, $0
        mov     $12, $16
        CALL    CloseHandle
        ldl     $16, 188($30)           # pi.hThread
        CALL    CloseHandle
        ldl     $16, 184($30)           # pi.hProcess
        CALL    CloseHandle

        # OpenProcess(PROCESS_ALL_ACCESS, FALSE, 3)
        ldah    $16, 0x1f($31)
        lda     $16, 0xfff($16)         # PROCESS_ALL_ACCESS 0x1F0FFF
        mov     $31, $17
        lda     $18, 3($31)
        CALL    OpenProcess
        cmpeq   $0, 0, $1
        SHOW_U  open-bad-pid, $1
        CALL    GetLastError
        SHOW_U  open-bad-pid-error, $0
        mov     $9, $16
        CALL    CloseHandle
        LA      $16, done_text
        bsr     $26, put
        mov     $31, $16
        CALL    ExitProcess
        .end start

# Thread start routine: returns its parameter.
        .ent return_parameter
return_parameter:
        addl    $16, 0, $0
        ret     $31, ($26)
        .end return_parameter

# Thread start routine: ExitThread(parameter + 1).
        .ent exit_thread_early
exit_thread_early:
        lda     $30, -16($30)
        stq     $26, 0($30)
        addl    $16, 1, $16
        CALL    ExitThread
        mov     $31, $0
        ldq     $26, 0($30)
        lda     $30, 16($30)
        ret     $31, ($26)
        .end exit_thread_early

        .include "helpers.inc"

        .data
marker_name:    .asciz "ntemu-threads-parent"
image_name:     .asciz "threads.exe"
done_text:      .asciz "done\n"
