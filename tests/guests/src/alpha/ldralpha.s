# ldralpha.exe for NT on Alpha: a DLL from disk on Alpha (ldralpha.dll, built by
# tools/alpha-pe --dll from tests/guests/src/alphadll/ldralpha.s): LoadLibraryA calls its
# DllMain through the Alpha calling standard, GetProcAddress finds its exports by name and
# ordinal, a second load only counts, FreeLibrary's last reference sends PROCESS_DETACH.
        .include "common.inc"

        .text
        .globl start
        .ent start
start:
        lda     $30, -48($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        stq     $10, 16($30)

        LA      $16, s_dll
        CALL    LoadLibraryA
        mov     $0, $9
        SHOW_X  base, $9
        mov     $9, $16
        LA      $17, s_add
        CALL    GetProcAddress
        mov     $0, $27
        lda     $16, 30($31)
        lda     $17, 12($31)
        jsr     $26, ($27)
        SHOW_U  add, $0
        mov     $9, $16
        lda     $17, 2($31)                     # ordinal 2: ldra_attaches
        CALL    GetProcAddress
        mov     $0, $10
        mov     $10, $27
        jsr     $26, ($27)
        SHOW_U  attaches, $0
        LA      $16, s_dll
        CALL    LoadLibraryA
        cmpeq   $0, $9, $1
        SHOW_U  same_module, $1
        mov     $9, $16
        CALL    FreeLibrary
        SHOW_U  free_1, $0
        mov     $9, $16
        CALL    FreeLibrary
        SHOW_U  free_2, $0
        LA      $16, s_dll
        CALL    GetModuleHandleA
        cmpult  $31, $0, $1
        SHOW_U  still_loaded, $1
        mov     $31, $16
        CALL    ExitProcess
        .end start

        .include "helpers.inc"

        .data
s_dll:          .asciz "ldralpha"
s_add:          .asciz "ldra_add"
