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

# committed(): v0 = the bytes of committed memory from 0x10000 to 0x7FFE0000, region by
# region through VirtualQuery.
        .ent committed
committed:
        lda     $30, -64($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        stq     $10, 16($30)
        ldah    $9, 1($31)                      # s0: the address (0x10000)
        mov     $31, $10                        # s1: the total
1:      ldah    $1, 0x7FFE($31)
        cmpult  $9, $1, $1
        beq     $1, 9f
        mov     $9, $16
        lda     $17, 32($30)                    # MEMORY_BASIC_INFORMATION (28 bytes)
        lda     $18, 28($31)
        CALL    VirtualQuery
        beq     $0, 9f
        ldl     $2, 44($30)                     # RegionSize
        zapnot  $2, 0x0f, $2
        beq     $2, 9f
        ldl     $1, 48($30)                     # State
        lda     $3, 0x1000($31)                 # MEM_COMMIT
        cmpeq   $1, $3, $3
        beq     $3, 2f
        addq    $10, $2, $10
2:      ldl     $1, 32($30)                     # BaseAddress
        zapnot  $1, 0x0f, $1
        addq    $1, $2, $9
        br      $31, 1b
9:      mov     $10, $0
        ldq     $26, 0($30)
        ldq     $9, 8($30)
        ldq     $10, 16($30)
        lda     $30, 64($30)
        ret     $31, ($26)
        .end committed

        .include "helpers.inc"

        .data
s_dll:          .asciz "ldralpha"
