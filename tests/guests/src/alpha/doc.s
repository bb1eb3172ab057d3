# doc.exe for NT on Alpha: the delete-on-close attack of issue 13, as the x86 twin
# (tests/guests/src/doc.c) makes it, printing the same lines. The test gives the guest a
# drive holding C:\c\s, a host symbolic link to a folder outside the drive with doomed.txt
# in it. The guest creates C:\b\s\doomed.txt with FILE_FLAG_DELETE_ON_CLOSE, moves C:\b to
# C:\b2, moves C:\c to C:\b and closes the handle: the file it made must go and nothing
# outside may change.
        .include "common.inc"

GENERIC_WRITE = 16384
CREATE_NEW = 1
FILE_SHARE_DELETE = 4
# FILE_FLAG_DELETE_ON_CLOSE = 0x04000000: ldah of 0x400.
DELETE_ON_CLOSE_HI = 0x400

# v0 == -1 (INVALID_HANDLE_VALUE or INVALID_FILE_ATTRIBUTES) as 1 or 0 in t0.
        .macro IS_INVALID
        addl    $0, 0, $1
        lda     $2, -1($31)
        cmpeq   $1, $2, $1
        .endm

        .text
        .globl start
        .ent start
# Frame: 0..7 the 7th argument slot, 8 written, 16 ra, 24 s0.
start:
        lda     $30, -32($30)
        stq     $26, 16($30)
        stq     $9, 24($30)

        LA      $16, c_s
        CALL    GetFileAttributesA
        IS_INVALID
        SHOW_U  link-looks-absent, $1
        CALL    GetLastError
        SHOW_U  link-looks-absent-error, $0

        LA      $16, b_name
        mov     $31, $17
        CALL    CreateDirectoryA
        SHOW_U  mkdir-b, $0
        LA      $16, b_s
        mov     $31, $17
        CALL    CreateDirectoryA
        SHOW_U  mkdir-b-s, $0

        LA      $16, b_s_doomed
        ldah    $17, GENERIC_WRITE($31)
        lda     $18, FILE_SHARE_DELETE($31)
        mov     $31, $19
        lda     $20, CREATE_NEW($31)
        ldah    $21, DELETE_ON_CLOSE_HI($31)
        stq     $31, 0($30)
        CALL    CreateFileA
        mov     $0, $9
        IS_INVALID
        xor     $1, 1, $1
        SHOW_U  create-delete-on-close, $1

        mov     $9, $16
        LA      $17, inside_text
        lda     $18, 8($31)
        lda     $19, 8($30)
        mov     $31, $20
        CALL    WriteFile
        SHOW_U  write, $0

        LA      $16, b_name
        LA      $17, b2_name
        CALL    MoveFileA
        SHOW_U  move-b-away, $0
        LA      $16, c_name
        LA      $17, b_name
        CALL    MoveFileA
        SHOW_U  move-c-to-b, $0

        LA      $16, b_s_doomed
        CALL    GetFileAttributesA
        IS_INVALID
        SHOW_U  through-link-looks-absent, $1
        LA      $16, b2_s_doomed
        CALL    GetFileAttributesA
        IS_INVALID
        xor     $1, 1, $1
        SHOW_U  moved-file-there, $1

        mov     $9, $16
        CALL    CloseHandle
        SHOW_U  close, $0

        LA      $16, b2_s_doomed
        CALL    GetFileAttributesA
        IS_INVALID
        SHOW_U  moved-file-deleted-on-close, $1
        CALL    GetLastError
        SHOW_U  deleted-error, $0

        mov     $31, $16
        CALL    ExitProcess
        .end start

        .include "helpers.inc"

        .data
c_s:            .asciz "C:\\c\\s"
b_name:         .asciz "C:\\b"
b_s:            .asciz "C:\\b\\s"
b2_name:        .asciz "C:\\b2"
c_name:         .asciz "C:\\c"
b_s_doomed:     .asciz "C:\\b\\s\\doomed.txt"
b2_s_doomed:    .asciz "C:\\b2\\s\\doomed.txt"
inside_text:    .ascii "inside\r\n"
