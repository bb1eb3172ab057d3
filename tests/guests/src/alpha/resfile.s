# resfile.exe for NT on Alpha: another image's resources through LoadLibraryExA(...,
# LOAD_LIBRARY_AS_DATAFILE) (tests/resources.rs mounts sokoban's corpus folder as S: and this
# maps the x86 build: an image of the other CPU is data): bitmap #201's size and header,
# EnumResourceNamesA counting the bitmaps through an Alpha callback, LoadStringA without a
# string table, FreeLibrary. The lines are those of the x86 twin (resfile.c) it shares.
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
        stl     $31, 32($30)                    # the callback's count

        LA      $16, s_path
        mov     $31, $17
        lda     $18, 2($31)                     # LOAD_LIBRARY_AS_DATAFILE
        CALL    LoadLibraryExA
        mov     $0, $9                          # s0: the data file's handle
        cmpult  $31, $9, $1
        SHOW_U  loaded, $1
        and     $9, 1, $1
        SHOW_U  tagged, $1

        mov     $9, $16
        lda     $17, 201($31)
        lda     $18, 2($31)                     # RT_BITMAP
        CALL    FindResourceA
        mov     $0, $10                         # s1: HRSRC
        mov     $9, $16
        mov     $10, $17
        CALL    SizeofResource
        SHOW_U  bitmap_size, $0
        mov     $9, $16
        mov     $10, $17
        CALL    LoadResource
        mov     $0, $16
        CALL    LockResource
        mov     $0, $11
        ldl     $1, 0($11)
        SHOW_U  bitmap_header, $1
        ldl     $1, 4($11)
        SHOW_U  bitmap_width, $1

        mov     $9, $16
        lda     $17, 2($31)
        LA      $18, count_name
        lda     $19, 32($30)
        CALL    EnumResourceNamesA
        SHOW_U  enum_bitmaps, $0
        ldl     $1, 32($30)
        SHOW_U  bitmaps, $1

        mov     $31, $16
        CALL    SetLastError
        mov     $9, $16
        lda     $17, 1($31)
        lda     $18, 40($30)
        lda     $19, 16($31)
        CALL    USER32$LoadStringA
        SHOW_U  string, $0
        CALL    GetLastError
        SHOW_U  string_error, $0

        mov     $9, $16
        CALL    FreeLibrary
        SHOW_U  free, $0
        mov     $31, $16
        CALL    ExitProcess
        .end start

# EnumResNameProc(hModule, lpType, lpName, lParam): ++*(int *)lParam, TRUE.
        .ent count_name
count_name:
        ldl     $1, 0($19)
        addl    $1, 1, $1
        stl     $1, 0($19)
        lda     $0, 1($31)
        ret     $31, ($26)
        .end count_name

        .include "helpers.inc"

        .data
s_path:                 .asciz "S:\\sokoban-x86.exe"
