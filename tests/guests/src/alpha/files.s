# files.exe for NT on Alpha: a subset of the x86 twin's checks (tests/guests/src/files.c),
# printing the same line for the same check: files under the sandboxed drive C: are
# created, written, shared, read, seeked, truncated, renamed and deleted, and the ways out
# of the root are tried (`..` past the root, the absolute host path given as the first
# argument, another drive, a UNC name, symbolic links tests/files.rs makes inside the root).
# One result line per check: "name: result last-error" or "name: value".
        .include "common.inc"

# The last error is cleared before a checked call.
        .macro CLEAR
        mov     $31, $16
        CALL    SetLastError
        .endm

# Prints "name: v0 last-error".
        .macro RES name
        mov     $0, $17
        .pushsection .data
.Lres_name\@:
        .asciz  "\name"
        .popsection
        LA      $16, .Lres_name\@
        bsr     $26, show_res
        .endm

# CreateFileA(a0 already set, access = acc_hi << 16, share, NULL, disposition, 0, NULL)
# with the last error set to 99 first (CreateFileA must set it).
        .macro OPEN_A0 acc_hi, share, disp
        mov     $16, $9
        lda     $16, 99($31)
        CALL    SetLastError
        mov     $9, $16
        ldah    $17, \acc_hi($31)
        lda     $18, \share($31)
        mov     $31, $19
        lda     $20, \disp($31)
        mov     $31, $21
        stq     $31, 0($30)
        CALL    CreateFileA
        .endm

        .macro OPEN path, acc_hi, share, disp
        LA      $16, \path
        OPEN_A0 \acc_hi, \share, \disp
        .endm

# Prints "name: 1|0 last-error" for the handle in v0 (valid or INVALID_HANDLE_VALUE) and
# keeps the handle in s0.
        .macro HRES name
        mov     $0, $9
        addl    $0, 0, $1
        lda     $2, -1($31)
        cmpeq   $1, $2, $1
        xor     $1, 1, $0
        RES     \name
        .endm

# Closes the handle in s0 when it is valid.
        .macro CLOSE_S0
        addl    $9, 0, $1
        lda     $2, -1($31)
        cmpeq   $1, $2, $1
        bne     $1, .Lclosed\@
        mov     $9, $16
        CALL    CloseHandle
.Lclosed\@:
        .endm

        .macro TRY name, path, acc_hi, disp
        OPEN    \path, \acc_hi, 0, \disp
        HRES    \name
        CLOSE_S0
        .endm

GENERIC_READ = -32768
GENERIC_WRITE = 16384
CREATE_NEW = 1
OPEN_EXISTING = 3
CREATE_ALWAYS = 2

        .text
        .globl start
        .ent start
# Frame: 0..7 the 7th argument slot, 8 got, 16 ra, 24 s0, 32 s1, 40 s2 (the argument),
# 48..351 buf.
start:
        lda     $30, -352($30)
        stq     $26, 16($30)
        stq     $9, 24($30)
        stq     $10, 32($30)
        stq     $11, 40($30)

        # The first argument: a host path to the marker file outside the root.
        CALL    GetCommandLineA
        mov     $0, $11
1:      ldbu    $1, 0($11)
        beq     $1, 3f
        cmpeq   $1, 32, $2
        bne     $2, 2f
        addq    $11, 1, $11
        br      $31, 1b
2:      ldbu    $1, 0($11)
        cmpeq   $1, 32, $2
        beq     $2, 3f
        addq    $11, 1, $11
        br      $31, 2b
3:
        CLEAR
        LA      $16, work_name
        mov     $31, $17
        CALL    CreateDirectoryA
        RES     create-directory
        CLEAR
        LA      $16, work_mixed
        CALL    SetCurrentDirectoryA
        RES     set-directory

        # Create, write, share, truncate.
        OPEN    a_txt, GENERIC_WRITE, 0, CREATE_NEW
        HRES    create-new
        mov     $9, $10                 # s1 = the file
        CLEAR
        mov     $10, $16
        LA      $17, hello_text
        lda     $18, 12($31)
        lda     $19, 8($30)
        mov     $31, $20
        CALL    WriteFile
        RES     write
        ldl     $17, 8($30)
        SHOW_U  written, $17
        OPEN    a_upper, GENERIC_READ, 1, OPEN_EXISTING
        HRES    open-while-unshared
        CLEAR
        mov     $10, $16
        mov     $31, $17
        CALL    GetFileSize
        RES     size
        CLEAR
        mov     $10, $16
        lda     $17, 5($31)
        mov     $31, $18
        mov     $31, $19
        CALL    SetFilePointer
        RES     seek-begin
        CLEAR
        mov     $10, $16
        CALL    SetEndOfFile
        RES     set-end
        CLEAR
        mov     $10, $16
        mov     $31, $17
        CALL    GetFileSize
        RES     size-truncated
        CLEAR
        mov     $10, $16
        lda     $17, -10($31)
        mov     $31, $18
        lda     $19, 1($31)
        CALL    SetFilePointer
        RES     seek-negative
        CLEAR
        mov     $10, $16
        CALL    CloseHandle
        RES     close

        # Read back to the end.
        OPEN    a_txt, GENERIC_READ, 1, OPEN_EXISTING
        HRES    open-existing
        mov     $9, $10
        CLEAR
        mov     $10, $16
        lda     $17, 48($30)
        lda     $18, 100($31)
        lda     $19, 8($30)
        mov     $31, $20
        CALL    ReadFile
        RES     read
        ldl     $17, 8($30)
        SHOW_U  read-count, $17
        ldl     $2, 8($30)
        lda     $1, 48($30)
        addq    $1, $2, $1
        stb     $31, 0($1)
        LA      $16, read_data_name
        lda     $17, 48($30)
        bsr     $26, show_str
        CLEAR
        mov     $10, $16
        lda     $17, 48($30)
        lda     $18, 100($31)
        lda     $19, 8($30)
        mov     $31, $20
        CALL    ReadFile
        RES     read-at-eof
        ldl     $17, 8($30)
        SHOW_U  read-at-eof-count, $17
        mov     $10, $16
        CALL    CloseHandle

        TRY     create-new-existing, a_txt, GENERIC_WRITE, CREATE_NEW
        CLEAR
        LA      $16, work_upper
        CALL    GetFileAttributesA
        RES     attributes-directory
        CLEAR
        LA      $16, a_txt
        LA      $17, c_txt
        CALL    MoveFileA
        RES     move
        CLEAR
        LA      $16, c_txt
        CALL    DeleteFileA
        RES     delete
        CLEAR
        LA      $16, c_txt
        CALL    DeleteFileA
        RES     delete-again

        # Escapes.
        TRY     escape-dotdot, dotdot_marker, GENERIC_READ, OPEN_EXISTING
        OPEN    dotdot_marker, GENERIC_WRITE, 0, CREATE_ALWAYS
        HRES    escape-dotdot-create
        mov     $9, $16
        LA      $17, inside_text
        lda     $18, 7($31)
        lda     $19, 8($30)
        mov     $31, $20
        CALL    WriteFile
        CLOSE_S0
        mov     $11, $16
        OPEN_A0 GENERIC_READ, 0, OPEN_EXISTING
        HRES    escape-host-absolute
        CLOSE_S0
        mov     $11, $16
        OPEN_A0 GENERIC_WRITE, 0, CREATE_ALWAYS
        HRES    escape-host-absolute-create
        CLOSE_S0
        TRY     escape-other-drive, d_marker, GENERIC_READ, OPEN_EXISTING
        TRY     escape-unc, unc_marker, GENERIC_READ, OPEN_EXISTING
        TRY     escape-link-directory, link_out_marker, GENERIC_READ, OPEN_EXISTING
        TRY     escape-link-file-overwrite, link_marker, GENERIC_WRITE, CREATE_ALWAYS
        CLEAR
        LA      $16, link_marker
        CALL    DeleteFileA
        RES     escape-link-delete

        lda     $16, 300($31)
        lda     $17, 48($30)
        CALL    GetCurrentDirectoryA
        LA      $16, final_directory_name
        lda     $17, 48($30)
        bsr     $26, show_str
        mov     $31, $16
        CALL    ExitProcess
        .end start

# show_res(a0 = name, a1 = value): "name: value last-error\n", both unsigned 32-bit.
        .ent show_res
show_res:
        lda     $30, -32($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        stq     $10, 16($30)
        mov     $16, $9
        zapnot  $17, 0x0f, $10
        CALL    GetLastError
        zapnot  $0, 0x0f, $0
        stq     $0, 24($30)
        mov     $9, $16
        bsr     $26, put
        LA      $16, show_colon
        bsr     $26, put
        mov     $10, $16
        bsr     $26, put_dec
        LA      $16, space_text
        bsr     $26, put
        ldq     $16, 24($30)
        bsr     $26, put_dec
        LA      $16, show_newline
        bsr     $26, put
        ldq     $26, 0($30)
        ldq     $9, 8($30)
        ldq     $10, 16($30)
        lda     $30, 32($30)
        ret     $31, ($26)
        .end show_res

# show_str(a0 = name, a1 = string): "name: string\n".
        .ent show_str
show_str:
        lda     $30, -16($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        mov     $17, $9
        bsr     $26, put
        LA      $16, show_colon
        bsr     $26, put
        mov     $9, $16
        bsr     $26, put
        LA      $16, show_newline
        bsr     $26, put
        ldq     $26, 0($30)
        ldq     $9, 8($30)
        lda     $30, 16($30)
        ret     $31, ($26)
        .end show_str

        .include "helpers.inc"

        .data
work_name:      .asciz "work"
work_mixed:     .asciz "Work"
work_upper:     .asciz "C:\\WORK"
a_txt:          .asciz "a.txt"
a_upper:        .asciz "A.TXT"
c_txt:          .asciz "c.txt"
hello_text:     .asciz "hello world\n"
inside_text:    .asciz "inside\n"
space_text:     .asciz " "
read_data_name: .asciz "read-data"
final_directory_name: .asciz "final-directory"
dotdot_marker:  .asciz "..\\..\\..\\marker"
d_marker:       .asciz "D:\\marker"
unc_marker:     .asciz "\\\\server\\share\\marker"
link_out_marker: .asciz "C:\\link_out\\marker"
link_marker:    .asciz "C:\\link_marker"
