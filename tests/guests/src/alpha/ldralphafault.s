# ldralphafault.exe for NT on Alpha: the loader's transaction on Alpha, as ldrfault.c proves
# it on x86: 1,000 LoadLibraryA + FreeLibrary of ldralpha.dll while the emulator has a fault
# armed at one loader step; the handle count, the committed memory (a VirtualQuery walk of
# the user address space, as ldrfault.c measures it) and the module list must not change.
# Prints handle_delta, commit_delta, modules, failures and the last error, a line each.
        .include "common.inc"

        .text
        .globl start
        .ent start
start:
        lda     $30, -64($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        stq     $10, 16($30)
        stq     $11, 24($30)
        stq     $12, 32($30)
        stq     $13, 48($30)
        stl     $31, 40($30)                    # handle count before
        stl     $31, 44($30)                    # handle count after
        lda     $16, -1($31)
        lda     $17, 40($30)
        CALL    GetProcessHandleCount
        bsr     $26, committed
        mov     $0, $13                         # s4: committed bytes before
        lda     $9, 1000($31)                   # s0: loads left
        mov     $31, $10                        # s1: failures
        mov     $31, $12                        # s3: last error
1:      LA      $16, s_dll
        CALL    LoadLibraryA
        beq     $0, 2f
        mov     $0, $16
        CALL    FreeLibrary
        br      $31, 3f
2:      addl    $10, 1, $10
        CALL    GetLastError
        mov     $0, $12
3:      subl    $9, 1, $9
        bne     $9, 1b
        lda     $16, -1($31)
        lda     $17, 44($30)
        CALL    GetProcessHandleCount
        bsr     $26, committed
        subq    $0, $13, $13                    # s4: the change
        LA      $16, s_dll
        CALL    GetModuleHandleA
        cmpult  $31, $0, $11
        ldl     $1, 44($30)
        ldl     $2, 40($30)
        subl    $1, $2, $1
        SHOW_U  handle_delta, $1
        SHOW_U  commit_delta, $13
        SHOW_U  modules, $11
        SHOW_U  failures, $10
        SHOW_U  error, $12
        mov     $31, $16
        CALL    ExitProcess
        .end start

        .include "committed.inc"

        .include "helpers.inc"

        .data
s_dll:          .asciz "ldralpha"
