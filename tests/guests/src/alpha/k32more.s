# k32more.exe for NT on Alpha: a subset of the x86 twin's checks (tests/guests/src/k32more.c),
# printing the same lines in the same order (expected/k32more-alpha.expected): SYSTEMTIME and
# FILETIME conversions and their error, MS-DOS date and time words, local atoms with their
# reference counts, integer atoms and errors, and lstrlenA/W with NULL and bad pointers.
        .include "common.inc"

# Prints "TEXT: value" for the string at label `text` (names here have spaces).
        .macro SHOWL text, reg
        mov     \reg, $17
        LA      $16, \text
        bsr     $26, show_u
        .endm

        .macro SHOWXL text, reg
        mov     \reg, $17
        LA      $16, \text
        bsr     $26, show_x
        .endm

# Prints "TEXT: 1" when the low 32 bits of the two registers are equal, else "TEXT: 0".
        .macro SAMEL text, a, b
        addl    \a, 0, $1
        addl    \b, 0, $2
        cmpeq   $1, $2, $1
        SHOWL   \text, $1
        .endm

        .macro CLEAR
        mov     $31, $16
        CALL    SetLastError
        .endm

        .macro SHOW_ERROR text
        CALL    GetLastError
        SHOWL   \text, $0
        .endm

# The frame: SYSTEMTIME st at 32, FILETIME ft at 48 and ft2 at 56, SYSTEMTIME back at 64,
# char buf[32] at 80, WORD date at 112 and time at 114.
        .text
        .globl start
        .ent start
start:
        lda     $30, -160($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        stq     $10, 16($30)

        # st = 1999-12-31 23:59:59.500
        lda     $1, 1999($31)
        stw     $1, 32($30)
        lda     $1, 12($31)
        stw     $1, 34($30)
        stw     $31, 36($30)
        lda     $1, 31($31)
        stw     $1, 38($30)
        lda     $1, 23($31)
        stw     $1, 40($30)
        lda     $1, 59($31)
        stw     $1, 42($30)
        stw     $1, 44($30)
        lda     $1, 500($31)
        stw     $1, 46($30)
        lda     $16, 32($30)
        lda     $17, 48($30)
        CALL    SystemTimeToFileTime
        SHOWL   t_st2ft, $0
        LA      $16, t_filetime
        bsr     $26, put
        LA      $16, show_colon
        bsr     $26, put
        ldl     $16, 52($30)
        bsr     $26, put_x
        LA      $16, s_space
        bsr     $26, put
        ldl     $16, 48($30)
        bsr     $26, put_x
        LA      $16, show_newline
        bsr     $26, put
        lda     $16, 48($30)
        lda     $17, 64($30)
        CALL    FileTimeToSystemTime
        SHOWL   t_ft2st, $0
        LA      $16, t_systemtime
        lda     $17, 64($30)
        bsr     $26, put_systemtime
        lda     $1, 3($31)                      # a wrong day of the week, ignored
        stw     $1, 36($30)
        lda     $16, 32($30)
        lda     $17, 56($30)
        CALL    SystemTimeToFileTime
        SHOWL   t_wrong_dow, $0
        ldq     $1, 48($30)
        ldq     $2, 56($30)
        cmpeq   $1, $2, $1
        SHOWL   t_same_filetime, $1

        # 0x8000000000000000 is no FILETIME.
        stl     $31, 56($30)
        ldah    $1, -32768($31)
        stl     $1, 60($30)
        CLEAR
        lda     $16, 56($30)
        lda     $17, 64($30)
        CALL    FileTimeToSystemTime
        SHOWL   t_bad_ft, $0
        SHOW_ERROR t_bad_ft_error

        # MS-DOS words of 1999-12-31 23:59:59.
        stw     $31, 46($30)
        lda     $16, 32($30)
        lda     $17, 56($30)
        CALL    SystemTimeToFileTime
        lda     $16, 56($30)
        lda     $17, 112($30)
        lda     $18, 114($30)
        CALL    FileTimeToDosDateTime
        SHOWL   t_ft2dos, $0
        ldwu    $1, 112($30)
        SHOWXL  t_dos_date, $1
        ldwu    $1, 114($30)
        SHOWXL  t_dos_time, $1

        # Local atoms.
        CLEAR
        LA      $16, s_foobar
        CALL    AddAtomA
        zapnot  $0, 3, $9                       # s0: the atom
        SHOWXL  t_addatom, $9
        SHOW_ERROR t_addatom_error
        LA      $16, s_foobar_upper
        CALL    FindAtomA
        SAMEL   t_findatom, $0, $9
        LA      $16, w_foobar_mixed
        CALL    AddAtomW
        SAMEL   t_addatomw, $0, $9
        mov     $9, $16
        lda     $17, 80($30)
        lda     $18, 32($31)
        CALL    GetAtomNameA
        SHOWL   t_getatomname, $0
        LA      $16, s_name_open
        bsr     $26, put
        lda     $16, 80($30)
        bsr     $26, put
        LA      $16, s_name_close
        bsr     $26, put
        mov     $9, $16
        CALL    DeleteAtom
        SHOWL   t_deleteatom, $0
        LA      $16, s_foobar
        CALL    FindAtomA
        SAMEL   t_still_there, $0, $9
        mov     $9, $16
        CALL    DeleteAtom
        SHOWL   t_deleteatom_again, $0
        CLEAR
        LA      $16, s_foobar
        CALL    FindAtomA
        SHOWL   t_find_after, $0
        SHOW_ERROR t_find_after_error
        LA      $16, s_1234
        CALL    AddAtomA
        SHOWL   t_int_atom, $0

        # lstrlen, NULL and a bad pointer included.
        LA      $16, s_hello
        CALL    lstrlenA
        SHOWL   t_lstrlena, $0
        mov     $31, $16
        CALL    lstrlenA
        SHOWL   t_lstrlena_null, $0
        lda     $16, 1($31)
        CALL    lstrlenA
        SHOWL   t_lstrlena_bad, $0
        LA      $16, w_hello
        CALL    lstrlenW
        SHOWL   t_lstrlenw, $0

        LA      $16, s_done
        bsr     $26, put
        mov     $31, $16
        CALL    ExitProcess
        .end start

# put_systemtime(a0 = name, a1 = SYSTEMTIME *): "name: Y-M-D dow W h:m:s.ms\n", as the x86
# twin's put_systemtime prints it.
        .ent put_systemtime
put_systemtime:
        lda     $30, -32($30)
        stq     $26, 0($30)
        stq     $9, 8($30)
        stq     $10, 16($30)
        mov     $17, $9
        bsr     $26, put
        LA      $16, show_colon
        bsr     $26, put
        LA      $10, st_layout
1:      ldl     $1, 0($10)                      # the field's offset; -1 ends the table
        blt     $1, 2f
        addq    $9, $1, $1
        ldwu    $16, 0($1)
        bsr     $26, put_dec
        ldl     $16, 4($10)                     # what follows the field
        bsr     $26, put
        addq    $10, 8, $10
        br      $31, 1b
2:      ldq     $26, 0($30)
        ldq     $9, 8($30)
        ldq     $10, 16($30)
        lda     $30, 32($30)
        ret     $31, ($26)
        .end put_systemtime

        .include "helpers.inc"

        .data
        .align 2
st_layout:
        .long   0, s_dash, 2, s_dash, 6, s_dow, 4, s_space, 8, s_colon1
        .long   10, s_colon1, 12, s_dot, 14, show_newline, -1, 0
s_dash:                 .asciz "-"
s_dow:                  .asciz " dow "
s_space:                .asciz " "
s_colon1:               .asciz ":"
s_dot:                  .asciz "."
s_foobar:               .asciz "foobar"
s_foobar_upper:         .asciz "FOOBAR"
s_1234:                 .asciz "#1234"
s_hello:                .asciz "hello"
s_name_open:            .asciz "name: \""
s_name_close:           .asciz "\"\n"
s_done:                 .asciz "done\n"
t_st2ft:                .asciz "SystemTimeToFileTime"
t_filetime:             .asciz "filetime"
t_ft2st:                .asciz "FileTimeToSystemTime"
t_systemtime:           .asciz "systemtime"
t_wrong_dow:            .asciz "SystemTimeToFileTime(wrong day of week)"
t_same_filetime:        .asciz "same filetime"
t_bad_ft:               .asciz "FileTimeToSystemTime(0x8000000000000000)"
t_bad_ft_error:         .asciz "FileTimeToSystemTime(0x8000000000000000) last_error"
t_ft2dos:               .asciz "FileTimeToDosDateTime"
t_dos_date:             .asciz "dos date"
t_dos_time:             .asciz "dos time"
t_addatom:              .asciz "AddAtomA(foobar)"
t_addatom_error:        .asciz "AddAtomA last_error untouched"
t_findatom:             .asciz "FindAtomA(FOOBAR)"
t_addatomw:             .asciz "AddAtomW(FooBar) is the same atom"
t_getatomname:          .asciz "GetAtomNameA"
t_deleteatom:           .asciz "DeleteAtom"
t_still_there:          .asciz "still there after one delete"
t_deleteatom_again:     .asciz "DeleteAtom again"
t_find_after:           .asciz "FindAtomA(foobar) after"
t_find_after_error:     .asciz "FindAtomA(foobar) after last_error"
t_int_atom:             .asciz "AddAtomA(#1234)"
t_lstrlena:             .asciz "lstrlenA(hello)"
t_lstrlena_null:        .asciz "lstrlenA(NULL)"
t_lstrlena_bad:         .asciz "lstrlenA(bad pointer)"
t_lstrlenw:             .asciz "lstrlenW(hello)"
        .align 1
w_foobar_mixed:         .short 0x46, 0x6f, 0x6f, 0x42, 0x61, 0x72, 0
w_hello:                .short 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0
