# menualpha.exe for NT on Alpha: USER32's menus called from Alpha code: a popup menu built
# with AppendMenuA, CheckMenuItem and EnableMenuItem with their previous states,
# GetMenuState, GetMenuItemInfoA reading and writing the 44-byte MENUITEMINFO (the same
# 32-bit layout as on x86), GetMenuStringA, and an accelerator table from 6-byte ACCELs.
        .include "common.inc"

        .text
        .globl start
        .ent start
start:
        lda     $30, -64($30)
        stq     $26, 32($30)
        stq     $9, 40($30)
        stq     $10, 48($30)

        CALL    USER32$CreatePopupMenu
        mov     $0, $9                          # s0: the menu
        cmpult  $31, $9, $1
        SHOW_U  menu, $1

        # AppendMenuA(menu, MF_STRING, 101, "&Open")
        mov     $9, $16
        mov     $31, $17
        lda     $18, 101($31)
        LA      $19, text_open
        CALL    USER32$AppendMenuA
        SHOW_U  append_open, $0
        # AppendMenuA(menu, MF_CHECKED | MF_GRAYED, 102, "E&xit")
        mov     $9, $16
        lda     $17, 9($31)
        lda     $18, 102($31)
        LA      $19, text_exit
        CALL    USER32$AppendMenuA
        SHOW_U  append_exit, $0
        mov     $9, $16
        CALL    USER32$GetMenuItemCount
        SHOW_U  count, $0

        # CheckMenuItem(menu, 101, MF_BYCOMMAND | MF_CHECKED): was unchecked.
        mov     $9, $16
        lda     $17, 101($31)
        lda     $18, 8($31)
        CALL    USER32$CheckMenuItem
        SHOW_X  check_open, $0
        mov     $9, $16
        lda     $17, 101($31)
        mov     $31, $18
        CALL    USER32$GetMenuState
        SHOW_X  state_open, $0
        # EnableMenuItem(menu, 102, MF_ENABLED): was grayed.
        mov     $9, $16
        lda     $17, 102($31)
        mov     $31, $18
        CALL    USER32$EnableMenuItem
        SHOW_X  enable_exit, $0
        # CheckMenuItem of an item that is not there: -1.
        mov     $9, $16
        lda     $17, 999($31)
        lda     $18, 8($31)
        CALL    USER32$CheckMenuItem
        SHOW_X  check_missing, $0

        # GetMenuItemInfoA(menu, 1, TRUE, &mii): MIIM_TYPE | MIIM_STATE | MIIM_ID.
        LA      $10, mii
        mov     $9, $16
        lda     $17, 1($31)
        lda     $18, 1($31)
        mov     $10, $19
        CALL    USER32$GetMenuItemInfoA
        SHOW_U  item_info, $0
        ldl     $1, 8($10)
        SHOW_X  fType, $1
        ldl     $1, 12($10)
        SHOW_X  fState, $1
        ldl     $1, 16($10)
        SHOW_U  wID, $1
        ldl     $1, 40($10)
        SHOW_U  cch, $1

        # GetMenuStringA(menu, 102, buffer, 32, MF_BYCOMMAND)
        mov     $9, $16
        lda     $17, 102($31)
        LA      $18, text_buffer
        lda     $19, 32($31)
        mov     $31, $20
        CALL    USER32$GetMenuStringA
        SHOW_U  string_length, $0
        LA      $1, text_buffer
        ldl     $1, 0($1)
        SHOW_X  string_bytes, $1

        # CreateAcceleratorTableA(accels, 2), then CopyAcceleratorTableA(h, NULL, 0).
        LA      $16, accels
        lda     $17, 2($31)
        CALL    USER32$CreateAcceleratorTableA
        mov     $0, $10
        cmpult  $31, $10, $1
        SHOW_U  accel_table, $1
        mov     $10, $16
        mov     $31, $17
        mov     $31, $18
        CALL    USER32$CopyAcceleratorTableA
        SHOW_U  accel_entries, $0
        LA      $17, accel_copy
        mov     $10, $16
        lda     $18, 2($31)
        CALL    USER32$CopyAcceleratorTableA
        LA      $1, accel_copy
        ldl     $2, 8($1)                       # the second entry's cmd (bytes 10-11) high
        srl     $2, 16, $2
        zapnot  $2, 3, $2
        SHOW_U  second_command, $2
        mov     $10, $16
        CALL    USER32$DestroyAcceleratorTable
        SHOW_U  destroy_accel, $0

        mov     $9, $16
        CALL    USER32$DestroyMenu
        SHOW_U  destroy_menu, $0
        mov     $9, $16
        CALL    USER32$IsMenu
        SHOW_U  is_menu_after, $0

        mov     $31, $16
        CALL    ExitProcess
        .end start

        .include "helpers.inc"

        .data
        .align 3
text_open:      .asciz  "&Open"
text_exit:      .asciz  "E&xit"
        .align 3
text_buffer:    .space  32
        .align 3
mii:            .long   44, 0x13, 0, 0, 0, 0, 0, 0, 0, text_buffer2, 32
        .align 3
text_buffer2:   .space  32
        .align 3
# ACCEL { BYTE fVirt; WORD key; WORD cmd; }: Ctrl+O (FVIRTKEY | FCONTROL) 201, F5 202.
accels:         .byte   9, 0
                .short  0x4F, 201
                .byte   1, 0
                .short  0x74, 202
        .align 3
accel_copy:     .space  16
