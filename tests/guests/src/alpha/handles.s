# handles.exe for NT on Alpha: the same checks and the same lines as the x86 twin
# (tests/guests/src/handles.c): events, mutexes, semaphores, named objects, duplication,
# invalid-handle errors and waits with timeouts; one result line per check.
        .include "common.inc"
        .text
        .globl start
        .ent start
# Frame: 0..31 outgoing argument slots, 32 ra, 40..64 s0-s3, 96 flags, 100 prev, 104 d,
# 112 pair[0], 116 pair[1]. s0 = e, s1 = e2, s2 = m, s3 = s.
start:
        lda     $30, -128($30)
        stq     $26, 32($30)
        stq     $9, 40($30)
        stq     $10, 48($30)
        stq     $11, 56($30)
        stq     $12, 64($30)
        stl     $31, 96($30)            # flags = 0
        lda     $1, -1($31)
        stl     $1, 100($30)            # prev = -1

        # e = CreateEventA(NULL, TRUE, FALSE, NULL)
        mov     $31, $16
        lda     $17, 1($31)
        mov     $31, $18
        mov     $31, $19
        CALL    CreateEventA
        mov     $0, $9
        cmpult  $31, $9, $1
        SHOW_U  event-created, $1
        mov     $9, $16
        mov     $31, $17
        CALL    WaitForSingleObject
        SHOW_U  event-wait-unsignalled, $0
        mov     $9, $16
        CALL    SetEvent
        SHOW_U  set-event, $0
        mov     $9, $16
        mov     $31, $17
        CALL    WaitForSingleObject
        SHOW_U  event-wait-signalled, $0
        mov     $9, $16
        CALL    ResetEvent
        SHOW_U  reset-event, $0
        mov     $9, $16
        lda     $17, 10($31)
        CALL    WaitForSingleObject
        SHOW_U  event-wait-after-reset, $0

        # Named objects.
        lda     $16, 1234($31)
        CALL    SetLastError
        mov     $31, $16
        mov     $31, $17
        lda     $18, 1($31)
        LA      $19, event_name
        CALL    CreateEventA
        mov     $0, $10                 # e2
        CALL    GetLastError
        SHOW_U  named-event-last-error, $0
        mov     $31, $16
        mov     $31, $17
        mov     $31, $18
        LA      $19, event_name
        CALL    CreateEventA
        mov     $0, $16
        CALL    CloseHandle
        CALL    GetLastError
        SHOW_U  named-event-again-last-error, $0
        mov     $10, $16
        mov     $31, $17
        CALL    WaitForSingleObject
        SHOW_U  auto-reset-first-wait, $0
        mov     $10, $16
        mov     $31, $17
        CALL    WaitForSingleObject
        SHOW_U  auto-reset-second-wait, $0
        ldah    $16, 0x1f($31)
        lda     $16, 3($16)             # EVENT_ALL_ACCESS
        mov     $31, $17
        LA      $18, missing_name
        CALL    OpenEventA
        cmpeq   $0, 0, $1
        SHOW_U  open-missing-event, $1
        CALL    GetLastError
        SHOW_U  open-missing-event-error, $0
        mov     $31, $16
        mov     $31, $17
        LA      $18, event_name
        CALL    CreateMutexA
        cmpeq   $0, 0, $1
        SHOW_U  mutex-over-event-name, $1
        CALL    GetLastError
        SHOW_U  mutex-over-event-name-error, $0

        # Mutexes.
        mov     $31, $16
        lda     $17, 1($31)
        mov     $31, $18
        CALL    CreateMutexA
        mov     $0, $11                 # m
        mov     $11, $16
        mov     $31, $17
        CALL    WaitForSingleObject
        SHOW_U  mutex-recursive-wait, $0
        mov     $11, $16
        CALL    ReleaseMutex
        SHOW_U  release-mutex-1, $0
        mov     $11, $16
        CALL    ReleaseMutex
        SHOW_U  release-mutex-2, $0
        mov     $11, $16
        CALL    ReleaseMutex
        SHOW_U  release-unowned-mutex, $0
        CALL    GetLastError
        SHOW_U  release-unowned-mutex-error, $0

        # Semaphores.
        mov     $31, $16
        lda     $17, 1($31)
        lda     $18, 2($31)
        mov     $31, $19
        CALL    CreateSemaphoreA
        mov     $0, $12                 # s
        mov     $12, $16
        mov     $31, $17
        CALL    WaitForSingleObject
        SHOW_U  semaphore-wait-1, $0
        mov     $12, $16
        mov     $31, $17
        CALL    WaitForSingleObject
        SHOW_U  semaphore-wait-2, $0
        mov     $12, $16
        lda     $17, 2($31)
        lda     $18, 100($30)           # &prev
        CALL    ReleaseSemaphore
        SHOW_U  release-semaphore-2, $0
        ldl     $1, 100($30)
        SHOW_U  release-semaphore-previous, $1
        mov     $12, $16
        lda     $17, 1($31)
        mov     $31, $18
        CALL    ReleaseSemaphore
        SHOW_U  release-semaphore-past-max, $0
        CALL    GetLastError
        SHOW_U  release-semaphore-past-max-error, $0
        mov     $31, $16
        lda     $17, 3($31)
        lda     $18, 2($31)
        mov     $31, $19
        CALL    CreateSemaphoreA
        cmpeq   $0, 0, $1
        SHOW_U  bad-semaphore, $1
        CALL    GetLastError
        SHOW_U  bad-semaphore-error, $0

        # Duplication: DuplicateHandle(self, e, self, &d, 0, FALSE, DUPLICATE_SAME_ACCESS)
        lda     $16, -1($31)            # GetCurrentProcess()
        mov     $9, $17
        lda     $18, -1($31)
        lda     $19, 104($30)           # &d
        mov     $31, $20
        mov     $31, $21
        lda     $1, 2($31)
        stq     $1, 0($30)
        CALL    DuplicateHandle
        SHOW_U  duplicate, $0
        ldl     $1, 104($30)
        cmpeq   $1, $9, $1
        cmpeq   $1, 0, $1
        SHOW_U  duplicate-is-new, $1
        lda     $16, -1($31)
        ldl     $17, 104($30)           # d
        lda     $18, -1($31)
        lda     $19, 104($30)
        mov     $31, $20
        mov     $31, $21
        lda     $1, 3($31)              # DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE
        stq     $1, 0($30)
        CALL    DuplicateHandle
        SHOW_U  duplicate-close-source, $0
        lda     $16, -1($31)
        mov     $9, $17
        lda     $18, -1($31)
        lda     $19, 104($30)
        ldah    $20, 0x10($31)          # SYNCHRONIZE
        mov     $31, $21
        stq     $31, 0($30)
        CALL    DuplicateHandle
        SHOW_U  duplicate-narrow, $0
        ldl     $16, 104($30)
        CALL    SetEvent
        SHOW_U  set-event-narrow, $0
        CALL    GetLastError
        SHOW_U  set-event-narrow-error, $0

        # Handle flags.
        mov     $9, $16
        lda     $17, 2($31)             # HANDLE_FLAG_PROTECT_FROM_CLOSE
        lda     $18, 2($31)
        CALL    SetHandleInformation
        SHOW_U  set-handle-information, $0
        mov     $9, $16
        lda     $17, 96($30)            # &flags
        CALL    GetHandleInformation
        SHOW_U  get-handle-information, $0
        ldl     $1, 96($30)
        SHOW_U  handle-flags, $1
        mov     $9, $16
        CALL    CloseHandle
        SHOW_U  close-protected, $0
        CALL    GetLastError
        SHOW_U  close-protected-error, $0
        mov     $9, $16
        lda     $17, 2($31)
        mov     $31, $18
        CALL    SetHandleInformation
        mov     $9, $16
        CALL    CloseHandle
        SHOW_U  close-unprotected, $0

        # Invalid handles and wrong object types.
        lda     $16, 0x1230($31)
        CALL    CloseHandle
        SHOW_U  close-invalid, $0
        CALL    GetLastError
        SHOW_U  close-invalid-error, $0
        lda     $16, 0x1230($31)
        mov     $31, $17
        CALL    WaitForSingleObject
        SHOW_U  wait-invalid, $0
        CALL    GetLastError
        SHOW_U  wait-invalid-error, $0
        mov     $11, $16
        CALL    SetEvent
        SHOW_U  set-event-on-mutex, $0
        CALL    GetLastError
        SHOW_U  set-event-on-mutex-error, $0

        # Waits on several objects.
        mov     $31, $16
        lda     $17, 1($31)
        mov     $31, $18
        mov     $31, $19
        CALL    CreateEventA
        stl     $0, 112($30)            # pair[0]
        mov     $31, $16
        lda     $17, 1($31)
        lda     $18, 1($31)
        mov     $31, $19
        CALL    CreateEventA
        stl     $0, 116($30)            # pair[1]
        lda     $16, 2($31)
        lda     $17, 112($30)
        mov     $31, $18
        mov     $31, $19
        CALL    WaitForMultipleObjects
        SHOW_U  wait-any, $0
        lda     $16, 2($31)
        lda     $17, 112($30)
        lda     $18, 1($31)
        lda     $19, 5($31)
        CALL    WaitForMultipleObjects
        SHOW_U  wait-all-timeout, $0
        ldl     $16, 112($30)
        CALL    SetEvent
        lda     $16, 2($31)
        lda     $17, 112($30)
        lda     $18, 1($31)
        mov     $31, $19
        CALL    WaitForMultipleObjects
        SHOW_U  wait-all, $0
        mov     $31, $16
        lda     $17, 112($30)
        mov     $31, $18
        mov     $31, $19
        CALL    WaitForMultipleObjects
        SHOW_U  wait-zero-objects, $0
        CALL    GetLastError
        SHOW_U  wait-zero-objects-error, $0

        LA      $16, done_text
        bsr     $26, put
        mov     $31, $16
        CALL    ExitProcess
        .end start

        .include "helpers.inc"

        .data
event_name:     .asciz "ntemu-handles-event"
missing_name:   .asciz "ntemu-no-such"
done_text:      .asciz "done\n"
