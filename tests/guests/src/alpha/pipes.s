# pipes.exe for NT on Alpha: a subset of the x86 twin's checks (tests/guests/src/pipes.c),
# printing the same lines in the same order (expected/pipes-alpha.expected): CreatePipe and
# GetFileType of its ends, WriteFile, PeekNamedPipe, ReadFile with a short read, the write end
# closed with data queued (read, then ERROR_BROKEN_PIPE), and ERROR_NO_DATA writing with the
# read end closed.
        .include "common.inc"

# Prints "TEXT: value" for the string at label `text` (names here have spaces).
        .macro SHOWL text, reg
        mov     \reg, $17
        LA      $16, \text
        bsr     $26, show_u
        .endm

# Shows the result in v0 as `text`, then the last error as `error_text`.
        .macro SHOW_FAIL text, error_text
        mov     $0, $9
        CALL    GetLastError
        mov     $0, $10
        SHOWL   \text, $9
        SHOWL   \error_text, $10
        .endm

# ReadFile(handle at `slot`($30), buf, `length`, &n, NULL).
        .macro READ slot, length
        ldl     $16, \slot($30)
        lda     $17, 48($30)
        lda     $18, \length($31)
        lda     $19, 40($30)
        mov     $31, $20
        CALL    ReadFile
        .endm

# WriteFile(handle at `slot`($30), text, `length`, &n, NULL).
        .macro WRITE slot, text, length
        ldl     $16, \slot($30)
        LA      $17, \text
        lda     $18, \length($31)
        lda     $19, 40($30)
        mov     $31, $20
        CALL    WriteFile
        .endm

        .macro CLEAR
        mov     $31, $16
        CALL    SetLastError
        .endm

# The frame: HANDLE r at 32, w at 36, DWORD n at 40, avail at 44, char buf[64] at 48.
        .text
        .globl start
        .ent start
start:
        lda     $30, -128($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        stq     $10, 16($30)

        # CreatePipe(&r, &w, NULL, 0)
        lda     $16, 32($30)
        lda     $17, 36($30)
        mov     $31, $18
        mov     $31, $19
        CALL    CreatePipe
        SHOWL   t_createpipe, $0
        ldl     $16, 32($30)
        CALL    GetFileType
        SHOWL   t_type_read, $0
        ldl     $16, 36($30)
        CALL    GetFileType
        SHOWL   t_type_write, $0

        WRITE   36, s_hello_pipe, 10
        SHOWL   t_writefile, $0
        ldl     $1, 40($30)
        SHOWL   t_written, $1

        # PeekNamedPipe(r, NULL, 0, NULL, &avail, NULL)
        stl     $31, 44($30)
        ldl     $16, 32($30)
        mov     $31, $17
        mov     $31, $18
        mov     $31, $19
        lda     $20, 44($30)
        mov     $31, $21
        CALL    PeekNamedPipe
        SHOWL   t_peek, $0
        ldl     $1, 44($30)
        SHOWL   t_available, $1

        READ    32, 4
        SHOWL   t_read4, $0
        ldl     $1, 40($30)
        SHOWL   t_read, $1
        READ    32, 64
        SHOWL   t_read64, $0
        ldl     $1, 40($30)
        SHOWL   t_read, $1

        # The write end closes with "xyz" queued: it is read, then the pipe is broken.
        WRITE   36, s_xyz, 3
        ldl     $16, 36($30)
        CALL    CloseHandle
        SHOWL   t_close_write, $0
        READ    32, 64
        SHOWL   t_read_after_close, $0
        ldl     $1, 40($30)
        SHOWL   t_read, $1
        CLEAR
        READ    32, 64
        SHOW_FAIL t_read_broken, t_read_broken_error
        ldl     $16, 32($30)
        CALL    CloseHandle
        SHOWL   t_close_read, $0

        # The read end closes: writing is ERROR_NO_DATA.
        lda     $16, 32($30)
        lda     $17, 36($30)
        mov     $31, $18
        mov     $31, $19
        CALL    CreatePipe
        SHOWL   t_createpipe_noattr, $0
        ldl     $16, 32($30)
        CALL    CloseHandle
        CLEAR
        WRITE   36, s_xyz, 3
        SHOW_FAIL t_write_no_reader, t_write_no_reader_error
        ldl     $16, 36($30)
        CALL    CloseHandle

        LA      $16, s_done
        bsr     $26, put
        mov     $31, $16
        CALL    ExitProcess
        ldq     $26, 0($30)
        ldq     $9, 8($30)
        ldq     $10, 16($30)
        lda     $30, 128($30)
        ret     $31, ($26)
        .end start

        .include "helpers.inc"

        .data
s_hello_pipe:           .asciz "hello pipe"
s_xyz:                  .asciz "xyz"
s_done:                 .asciz "done\n"
t_createpipe:           .asciz "CreatePipe"
t_type_read:            .asciz "GetFileType(read end)"
t_type_write:           .asciz "GetFileType(write end)"
t_writefile:            .asciz "WriteFile"
t_written:              .asciz "written"
t_peek:                 .asciz "PeekNamedPipe(no buffer)"
t_available:            .asciz "available again"
t_read4:                .asciz "ReadFile(4)"
t_read:                 .asciz "read"
t_read64:               .asciz "ReadFile(64): a short read"
t_close_write:          .asciz "CloseHandle(write end)"
t_read_after_close:     .asciz "ReadFile after close"
t_read_broken:          .asciz "ReadFile(broken)"
t_read_broken_error:    .asciz "ReadFile(broken) last_error"
t_close_read:           .asciz "CloseHandle(read end)"
t_createpipe_noattr:    .asciz "CreatePipe(no attributes)"
t_write_no_reader:      .asciz "WriteFile(no reader)"
t_write_no_reader_error: .asciz "WriteFile(no reader) last_error"
