# dlgalpha.exe for NT on Alpha: USER32's dialog manager called from Alpha code. A modal
# DialogBoxIndirectParamA of a DLGTEMPLATE in the image's data, whose Alpha dialog procedure
# ends the dialog with 42 from WM_INITDIALOG (the modal loop and the procedure's calls from
# USER32 on Alpha); a modeless CreateDialogIndirectParamA of the same template without a
# procedure, its OK button's id and WM_GETDLGCODE, the initial lParam, and the System font's
# base units. The values are dialogs.c's on x86.
        .include "common.inc"

# dlg_proc(hwnd, msg, wparam, lparam): WM_INITDIALOG keeps lParam and calls
# EndDialog(hwnd, 42), returning TRUE; FALSE for anything else.
        .text
        .ent dlg_proc
dlg_proc:
        lda     $30, -32($30)
        stq     $26, 0($30)
        mov     $31, $0
        lda     $1, 0x110($31)
        cmpeq   $17, $1, $1
        beq     $1, 1f
        LA      $1, g_init_lparam
        stl     $19, 0($1)
        lda     $17, 42($31)
        CALL    USER32$EndDialog
        lda     $0, 1($31)
1:      ldq     $26, 0($30)
        lda     $30, 32($30)
        ret     $31, ($26)
        .end dlg_proc

        .globl start
        .ent start
start:
        lda     $30, -64($30)
        stq     $26, 0($30)
        stq     $9, 8($30)

        # DialogBoxIndirectParamA(NULL, &tmpl, NULL, dlg_proc, 77)
        mov     $31, $16
        LA      $17, tmpl
        mov     $31, $18
        LA      $19, dlg_proc
        lda     $20, 77($31)
        CALL    USER32$DialogBoxIndirectParamA
        SHOW_U  modal_result, $0
        LA      $1, g_init_lparam
        ldl     $1, 0($1)
        SHOW_U  modal_init_lparam, $1

        # CreateDialogIndirectParamA(NULL, &tmpl, NULL, NULL, 0)
        mov     $31, $16
        LA      $17, tmpl
        mov     $31, $18
        mov     $31, $19
        mov     $31, $20
        CALL    USER32$CreateDialogIndirectParamA
        mov     $0, $9
        cmpult  $31, $9, $1
        SHOW_U  created, $1
        mov     $9, $16
        lda     $17, 1($31)
        CALL    USER32$GetDlgItem
        mov     $0, $16
        CALL    USER32$GetDlgCtrlID
        SHOW_U  ok_id, $0
        mov     $9, $16
        lda     $17, 1($31)
        lda     $18, 0x87($31)
        mov     $31, $19
        mov     $31, $20
        CALL    USER32$SendDlgItemMessageA
        SHOW_X  dlgcode_ok, $0
        CALL    USER32$GetDialogBaseUnits
        SHOW_X  base_units, $0
        mov     $9, $16
        CALL    USER32$DestroyWindow
        SHOW_U  destroyed, $0

        mov     $31, $16
        CALL    ExitProcess
        .end start

        .include "helpers.inc"

        .data
        .align 3
g_init_lparam:  .long 0
        .align 2
# DLGTEMPLATE: WS_POPUP | WS_CAPTION | DS_SETFONT, two controls, 100 x 40 units.
tmpl:   .long 0x80C00040, 0
        .short 2, 0, 0, 100, 40
        .short 0, 0                             # no menu, the dialog class
        .short 'A', 0                           # caption
        .short 8
        .short 'M', 'S', ' ', 'S', 'a', 'n', 's', ' ', 'S', 'e', 'r', 'i', 'f', 0
        .align 2
        .long 0x50010001, 0                     # BS_DEFPUSHBUTTON | WS_TABSTOP
        .short 5, 5, 50, 14, 1
        .short 0xFFFF, 0x80, 'O', 'K', 0, 0
        .align 2
        .long 0x50000000, 0                     # SS_LEFT
        .short 5, 22, 50, 8, 20
        .short 0xFFFF, 0x82, 'H', 'i', 0, 0
