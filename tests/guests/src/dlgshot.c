/* A GUI program of a message box and a modal dialog (tests/dialogs.rs): MessageBoxA with
 * MB_YESNOCANCEL | MB_ICONEXCLAMATION | MB_DEFBUTTON2, then DialogBoxParamA of dialogs.rc's
 * dialog 100, whose procedure prints the screen rectangle of its OK button and ends the
 * dialog with the id of the button chosen. Each result is printed. */
#include "guest.h"

static INT_PTR CALLBACK dlg_proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp)
{
    RECT r;
    (void)lp;
    switch (msg) {
    case WM_INITDIALOG:
        GetWindowRect(GetDlgItem(hwnd, IDOK), &r);
        put("ok: "); put_i(r.left); put(","); put_i(r.top); put(",");
        put_i(r.right); put(","); put_i(r.bottom); put("\n");
        return TRUE;
    case WM_COMMAND:
        if (LOWORD(wp) == IDOK || LOWORD(wp) == IDCANCEL)
            EndDialog(hwnd, LOWORD(wp));
        return TRUE;
    }
    return FALSE;
}

void __stdcall start(void)
{
    check_u("msgbox", MessageBoxA(NULL, "Save the changes to the document?", "dlgshot",
                                  MB_YESNOCANCEL | MB_ICONEXCLAMATION | MB_DEFBUTTON2));
    check_u("dialog", DialogBoxParamA(GetModuleHandleA(NULL), MAKEINTRESOURCEA(100), NULL, dlg_proc, 0));
    ExitProcess(0);
}
