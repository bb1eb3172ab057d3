# procaddr.exe for NT on Alpha: the checks of the x86 twin (tests/guests/src/procaddr.c),
# printing the same lines: module handles by name, without ".dll" and by path; NULL and
# ERROR_PROC_NOT_FOUND for a name NT 4.0 does not export; a catalogued function ntemu lacks
# has an address and calling it ends the process with STATUS_ENTRYPOINT_NOT_FOUND.
        .include "common.inc"

        .macro CLEAR
        mov     $31, $16
        CALL    SetLastError
        .endm

# Prints "name: 1" when v0 is nonzero, "name: 0" otherwise.
        .macro NONZERO name
        addl    $0, 0, $1
        cmpult  $31, $1, $1
        SHOW_U  \name, $1
        .endm

# Prints "name: 1" when the low 32 bits of the two registers are equal.
        .macro SAME name, a, b
        addl    \a, 0, $1
        addl    \b, 0, $2
        cmpeq   $1, $2, $1
        SHOW_U  \name, $1
        .endm

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

        LA      $16, s_kernel32
        CALL    GetModuleHandleA
        mov     $0, $9                          # s0: KERNEL32
        NONZERO kernel32_found
        LA      $16, s_advapi32_dll
        CALL    LoadLibraryA
        mov     $0, $10                         # s1: ADVAPI32
        NONZERO advapi32_loaded
        LA      $16, s_advapi32
        CALL    LoadLibraryA
        SAME    advapi32_without_.dll_is_the_same_module, $0, $10
        mov     $10, $16
        CALL    FreeLibrary
        SHOW_U  FreeLibrary(advapi32), $0
        LA      $16, s_advapi32_lower
        CALL    GetModuleHandleA
        SAME    advapi32_still_loaded_once_more, $0, $10
        mov     $10, $16
        CALL    FreeLibrary
        SHOW_U  FreeLibrary(advapi32)_again, $0
        LA      $16, s_advapi32_lower
        CALL    GetModuleHandleA
        SHOW_U  advapi32_unloaded, $0

        LA      $16, s_user32
        CALL    GetModuleHandleA
        mov     $0, $11
        LA      $16, s_user32_dll
        CALL    LoadLibraryA
        mov     $0, $12
        SHOW_U  user32_before_loading, $11
        mov     $12, $0
        NONZERO user32_loaded
        LA      $16, s_user32
        CALL    GetModuleHandleA
        SAME    user32_found_once_loaded, $0, $12
        LA      $16, s_path
        CALL    GetModuleHandleA
        SAME    a_path_ending_in_kernel32.dll_names_kernel32, $0, $9

        CLEAR
        LA      $16, s_nosuch_dll
        CALL    LoadLibraryA
        SHOW_U  LoadLibraryA(nosuch.dll), $0
        CALL    GetLastError
        SHOW_U  last_error, $0

        CLEAR
        mov     $9, $16
        LA      $17, s_nosuch
        CALL    GetProcAddress
        SHOW_U  GetProcAddress(NoSuchFunction), $0
        CALL    GetLastError
        SHOW_U  last_error, $0
        CLEAR
        mov     $9, $16
        lda     $17, 0x7FF0($31)
        addq    $17, $17, $17                   # ordinal 0xFFE0
        CALL    GetProcAddress
        SHOW_U  GetProcAddress(ordinal_0xffe0), $0
        CALL    GetLastError
        SHOW_U  last_error, $0
        CLEAR
        mov     $9, $16
        LA      $17, s_closehandle_lower
        CALL    GetProcAddress
        SHOW_U  names_are_case-sensitive, $0

        mov     $9, $16
        LA      $17, s_closehandle
        CALL    GetProcAddress
        mov     $0, $11                         # CloseHandle
        mov     $31, $16
        mov     $31, $17
        mov     $31, $18
        mov     $31, $19
        CALL    CreateEventA
        mov     $0, $16
        mov     $11, $27
        jsr     $26, ($27)
        SHOW_U  CloseHandle_through_GetProcAddress, $0

        mov     $9, $16
        LA      $17, s_stub
        CALL    GetProcAddress
        mov     $0, $12
        NONZERO a_catalogued_function_ntemu_lacks_has_an_address
        LA      $16, s_calling
        bsr     $26, put
        lda     $16, 1($31)
        mov     $12, $27
        jsr     $26, ($27)
        LA      $16, s_not_reached
        bsr     $26, put
        mov     $31, $16
        CALL    ExitProcess
        .end start

        .include "helpers.inc"

        .data
s_kernel32:             .asciz "kernel32"
s_advapi32_dll:         .asciz "advapi32.dll"
s_advapi32:             .asciz "ADVAPI32"
s_user32:               .asciz "USER32"
s_user32_dll:           .asciz "user32.dll"
s_advapi32_lower:       .asciz "advapi32"
s_path:                 .asciz "C:\\WINNT\\system32\\KERNEL32.DLL"
s_nosuch_dll:           .asciz "nosuch.dll"
s_nosuch:               .asciz "NoSuchFunction"
s_closehandle_lower:    .asciz "closehandle"
s_closehandle:          .asciz "CloseHandle"
s_stub:                 .asciz "CmdBatNotification"
s_calling:              .asciz "calling it\n"
s_not_reached:          .asciz "not reached\n"
