# startup.exe for NT on Alpha: PEB.ProcessHeap read through the TEB (call_pal rdteb, as the
# Alpha CRT reaches its TEB) is the process heap, and HeapAlloc takes it; the same first lines
# as the x86 twin (tests/guests/src/startup.c).
        .include "common.inc"

HEAP_ZERO_MEMORY = 8

        .text
        .globl start
        .ent start
start:
        lda     $30, -32($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        stq     $10, 16($30)

        call_pal 0xab                   # rdteb: v0 = the TEB
        ldl     $1, 0x30($0)            # TEB.ProcessEnvironmentBlock
        ldl     $9, 0x18($1)            # PEB.ProcessHeap
        CALL    GetProcessHeap
        addl    $0, 0, $0
        addl    $9, 0, $1
        cmpeq   $0, $1, $2
        SHOW_U  peb-heap-is-the-process-heap, $2

        mov     $9, $16
        lda     $17, HEAP_ZERO_MEMORY($31)
        lda     $18, 100($31)
        CALL    HeapAlloc
        mov     $0, $10
        cmpult  $31, $0, $2
        SHOW_U  heap-alloc-through-the-peb, $2
        mov     $9, $16
        mov     $31, $17
        mov     $10, $18
        CALL    HeapFree
        SHOW_U  heap-free, $0

        mov     $31, $16
        CALL    ExitProcess
        .end start

        .include "helpers.inc"
