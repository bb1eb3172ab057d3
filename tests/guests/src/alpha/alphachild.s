# alphachild.exe for NT on Alpha: the child of the mixed-architecture test. The first word of
# its .data section (at 0x404000, where ntemu's image builder puts .data) holds the address of
# child_thread, so an x86 parent can read it with ReadProcessMemory and start an Alpha thread
# there with CreateRemoteThread. The main thread waits on the parent's named event.
        .include "common.inc"
        .text
        .globl start
        .ent start
start:
        lda     $30, -32($30)
        stq     $26, 0($30)
        ldah    $16, 0x10($31)          # SYNCHRONIZE
        mov     $31, $17
        LA      $18, marker_name
        CALL    OpenEventA
        beq     $0, 1f
        mov     $0, $16
        lda     $17, -1($31)            # INFINITE
        CALL    WaitForSingleObject
1:      lda     $16, 99($31)
        CALL    ExitProcess
        .end start

# The remote thread's start routine: returns its parameter plus one, computed in Alpha code.
        .ent child_thread
child_thread:
        addl    $16, 1, $0
        ret     $31, ($26)
        .end child_thread

        .data
entry:  .long   child_thread
marker_name:    .asciz "ntemu-cross-parent"
