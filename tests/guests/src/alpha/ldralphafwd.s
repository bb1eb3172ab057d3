# ldralphafwd.exe for NT on Alpha: forwarded exports of an Alpha DLL (ldrafwd.dll, from
# tests/guests/src/alphadll/ldrafwd.s). The program imports ldrafwd!af_add statically, which
# ldrafwd.dll forwards to ldrathr.dll!lt_add: ldrathr.dll is loaded (its DllMain runs,
# lpReserved non-NULL) before the entry point, and the import slot holds lt_add itself.
# GetProcAddress follows forwarders to that DLL and to builtins (KERNEL32, NTDLL).
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
        CALL    ldrafwd$af_add                  # through the forwarder
        SHOW_U  af_add, $0
        LA      $16, s_fwd
        CALL    GetModuleHandleA
        mov     $0, $9                          # ldrafwd.dll
        LA      $16, s_thr
        CALL    GetModuleHandleA
        mov     $0, $10                         # ldrathr.dll
        cmpult  $31, $10, $1
        SHOW_U  ldrathr_loaded_by_forwarder, $1

        mov     $10, $16                        # GetProcAddress(ldrathr, "lt_add")
        LA      $17, s_lt_add
        CALL    GetProcAddress
        mov     $0, $11
        cmpult  $31, $11, $1
        SHOW_U  lt_add_found, $1
        ldah    $1, __imp_ldrafwd$af_add($31)   !gprelhigh
        ldl     $1, __imp_ldrafwd$af_add($1)    !gprellow
        cmpeq   $1, $11, $1
        SHOW_U  import_slot_is_lt_add, $1
        mov     $9, $16
        LA      $17, s_af_add
        CALL    GetProcAddress
        cmpeq   $0, $11, $1
        SHOW_U  same_function, $1

        LA      $16, s_k32
        CALL    GetModuleHandleA
        mov     $0, $16
        LA      $17, s_tick
        CALL    GetProcAddress
        mov     $0, $11
        mov     $9, $16
        LA      $17, s_af_tick
        CALL    GetProcAddress
        cmpult  $31, $0, $1
        cmpeq   $0, $11, $2
        and     $1, $2, $1
        SHOW_U  kernel32_forward, $1

        mov     $9, $16
        LA      $17, s_af_err
        CALL    GetProcAddress
        mov     $0, $27
        ldah    $16, -16384($31)                # STATUS_DLL_NOT_FOUND 0xC0000135
        lda     $16, 0x135($16)
        jsr     $26, ($27)
        SHOW_U  ntdll_forward, $0

        mov     $9, $16
        LA      $17, s_af_own
        CALL    GetProcAddress
        mov     $0, $27
        jsr     $26, ($27)
        SHOW_U  own, $0

        mov     $9, $16
        LA      $17, s_af_none
        CALL    GetProcAddress
        SHOW_U  missing, $0
        CALL    GetLastError
        SHOW_U  missing_error, $0

        LA      $16, s_exiting
        bsr     $26, put
        mov     $31, $16
        CALL    ExitProcess
        .end start

        .include "helpers.inc"

        .data
s_fwd:          .asciz "ldrafwd"
s_thr:          .asciz "ldrathr"
s_k32:          .asciz "kernel32"
s_lt_add:       .asciz "lt_add"
s_af_add:       .asciz "af_add"
s_af_tick:      .asciz "af_tick"
s_tick:         .asciz "GetTickCount"
s_af_err:       .asciz "af_err"
s_af_own:       .asciz "af_own"
s_af_none:      .asciz "af_none"
s_main:         .asciz "main\n"
s_exiting:      .asciz "exiting\n"
