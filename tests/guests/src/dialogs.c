/* USER32's dialog manager without a display: a modeless dialog from a DIALOG template
 * (dialogs.rc), its controls' ids, texts and checks, dialog units, the tab and group order,
 * IsDialogMessage's keys (Tab, Enter, Esc, a mnemonic), BM_CLICK on automatic buttons and
 * their BN_CLICKED, DefDlgProc's DWL_MSGRESULT and DM_GETDEFID, and a modal DialogBoxParam
 * of a DIALOGEX template ended by EndDialog from a posted message. Expected output:
 * tests/guests/expected/dialogs.wine (Wine's, with NT 4.0's differences marked). */
#include "guest.h"

static UINT g_init_lparam;
static int g_commands[16];
static int g_ncommands;
static HWND g_init_focus;

static INT_PTR CALLBACK dlg_proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp)
{
    switch (msg) {
    case WM_INITDIALOG:
        g_init_lparam = (UINT)lp;
        g_init_focus = (HWND)wp;
        return TRUE;
    case WM_COMMAND:
        if (g_ncommands < 16)
            g_commands[g_ncommands++] = (int)wp;
        return TRUE;
    case WM_APP:
        SetWindowLongA(hwnd, DWL_MSGRESULT, 1234);
        return TRUE;
    }
    return FALSE;
}

static INT_PTR CALLBACK modal_proc(HWND hwnd, UINT msg, WPARAM wp, LPARAM lp)
{
    (void)wp;
    switch (msg) {
    case WM_INITDIALOG:
        check_u("modal_init_lparam", (UINT)lp);
        PostMessageA(hwnd, WM_APP + 1, 0, 0);
        return TRUE;
    case WM_APP + 1:
        EndDialog(hwnd, 42);
        return TRUE;
    }
    return FALSE;
}

static void commands(const char *name)
{
    int i;
    put(name);
    put(":");
    for (i = 0; i < g_ncommands; i++) {
        put(" ");
        put_x(g_commands[i]);
    }
    put("\n");
    g_ncommands = 0;
}

static int id_of(HWND h)
{
    return h ? GetDlgCtrlID(h) : -1;
}

static void key(HWND dlg, HWND target, UINT msg, WPARAM vk)
{
    MSG m;
    m.hwnd = target;
    m.message = msg;
    m.wParam = vk;
    m.lParam = 1;
    m.time = 0;
    m.pt.x = m.pt.y = 0;
    check_u("  handled", IsDialogMessageA(dlg, &m));
}

void __stdcall start(void)
{
    HWND dlg, h;
    char buf[64];
    RECT r;
    BOOL ok;
    MSG m;
    LONG units;

    dlg = CreateDialogParamA(GetModuleHandleA(NULL), MAKEINTRESOURCEA(100), NULL, dlg_proc, 0x5150);
    check_u("created", dlg != NULL);
    check_x("init_lparam", g_init_lparam);
    check_u("init_focus_id", id_of(g_init_focus));
    check_u("focus_id", id_of(GetFocus()));
    check_u("visible", IsWindowVisible(dlg));
    GetClassNameA(dlg, buf, sizeof buf);
    put("class: "); put(buf); put("\n");
    GetWindowTextA(dlg, buf, sizeof buf);
    put("caption: "); put(buf); put("\n");

    /* Controls: ids, classes, texts. */
    for (h = GetWindow(dlg, GW_CHILD); h; h = GetWindow(h, GW_HWNDNEXT)) {
        GetClassNameA(h, buf, sizeof buf);
        put("child "); put_u(GetDlgCtrlID(h)); put(" "); put(buf);
        GetWindowTextA(h, buf, sizeof buf);
        put(" \""); put(buf); put("\" style ");
        put_x(GetWindowLongA(h, GWL_STYLE) & 0xFFFF);
        put("\n");
    }
    check_u("item_text_len", GetDlgItemTextA(dlg, 16, buf, sizeof buf));
    put("item_text: "); put(buf); put("\n");
    check_u("set_text", SetDlgItemTextA(dlg, 16, "Changed"));
    GetDlgItemTextA(dlg, 16, buf, sizeof buf);
    put("item_text2: "); put(buf); put("\n");
    SetLastError(0);
    check_u("missing_item", (UINT_PTR)GetDlgItem(dlg, 999));
    check_u("missing_item_error", GetLastError());

    /* Numbers. */
    check_u("set_int", SetDlgItemInt(dlg, 16, (UINT)-25, TRUE));
    check_u("get_int_signed", GetDlgItemInt(dlg, 16, &ok, TRUE));
    check_u("translated", ok);
    GetDlgItemInt(dlg, 16, &ok, FALSE);
    check_u("unsigned_translated", ok);
    SetDlgItemTextA(dlg, 16, "12abc");
    check_u("get_int_bad", GetDlgItemInt(dlg, 16, &ok, FALSE));
    check_u("bad_translated", ok);

    /* Checks. */
    check_u("check0", IsDlgButtonChecked(dlg, 11));
    check_u("checkdlg", CheckDlgButton(dlg, 11, BST_CHECKED));
    check_u("check1", IsDlgButtonChecked(dlg, 11));
    SendDlgItemMessageA(dlg, 11, BM_CLICK, 0, 0);
    check_u("check_after_click", IsDlgButtonChecked(dlg, 11));
    commands("click_commands");
    check_u("radio", CheckRadioButton(dlg, 12, 13, 13));
    check_u("radio12", IsDlgButtonChecked(dlg, 12));
    check_u("radio13", IsDlgButtonChecked(dlg, 13));
    SendDlgItemMessageA(dlg, 12, BM_CLICK, 0, 0);
    check_u("radio12_clicked", IsDlgButtonChecked(dlg, 12));
    check_u("radio13_unchecked", IsDlgButtonChecked(dlg, 13));
    SendDlgItemMessageA(dlg, 14, BM_CLICK, 0, 0);
    SendDlgItemMessageA(dlg, 14, BM_CLICK, 0, 0);
    check_u("three_state", IsDlgButtonChecked(dlg, 14));
    check_u("push_check", IsDlgButtonChecked(dlg, IDOK));
    commands("radio_commands");
    check_x("ok_state", SendDlgItemMessageA(dlg, IDOK, BM_GETSTATE, 0, 0));
    SendDlgItemMessageA(dlg, IDOK, BM_SETSTATE, TRUE, 0);
    check_x("ok_pushed", SendDlgItemMessageA(dlg, IDOK, BM_GETSTATE, 0, 0) & BST_PUSHED);
    SendDlgItemMessageA(dlg, IDOK, BM_SETSTATE, FALSE, 0);
    check_x("dlgcode_ok", SendDlgItemMessageA(dlg, IDOK, WM_GETDLGCODE, 0, 0));
    check_x("dlgcode_cancel", SendDlgItemMessageA(dlg, IDCANCEL, WM_GETDLGCODE, 0, 0));
    check_x("dlgcode_radio", SendDlgItemMessageA(dlg, 12, WM_GETDLGCODE, 0, 0));
    check_x("dlgcode_check", SendDlgItemMessageA(dlg, 11, WM_GETDLGCODE, 0, 0));
    check_x("dlgcode_group", SendDlgItemMessageA(dlg, 15, WM_GETDLGCODE, 0, 0));
    check_x("dlgcode_static", SendDlgItemMessageA(dlg, 10, WM_GETDLGCODE, 0, 0));

    /* Dialog units. */
    units = GetDialogBaseUnits();
    check_u("base_x", LOWORD(units));
    check_u("base_y", HIWORD(units));
    SetRect(&r, 4, 8, 200, 120);
    check_u("map", MapDialogRect(dlg, &r));
    check_u("map_left", r.left);
    check_u("map_top", r.top);
    check_u("map_right", r.right);
    check_u("map_bottom", r.bottom);
    GetClientRect(dlg, &r);
    check_u("client_w", r.right);
    check_u("client_h", r.bottom);
    GetClientRect(GetDlgItem(dlg, IDOK), &r);
    check_u("ok_w", r.right);
    check_u("ok_h", r.bottom);

    /* Order. */
    check_u("tab_first", id_of(GetNextDlgTabItem(dlg, NULL, FALSE)));
    check_u("tab_after_11", id_of(GetNextDlgTabItem(dlg, GetDlgItem(dlg, 11), FALSE)));
    check_u("tab_before_11", id_of(GetNextDlgTabItem(dlg, GetDlgItem(dlg, 11), TRUE)));
    check_u("group_after_12", id_of(GetNextDlgGroupItem(dlg, GetDlgItem(dlg, 12), FALSE)));
    check_u("group_after_13", id_of(GetNextDlgGroupItem(dlg, GetDlgItem(dlg, 13), FALSE)));
    check_x("defid", SendMessageA(dlg, DM_GETDEFID, 0, 0));
    check_u("msgresult", SendMessageA(dlg, WM_APP, 0, 0));

    /* The keyboard. */
    SetFocus(GetDlgItem(dlg, 11));
    put("tab\n");
    key(dlg, GetFocus(), WM_KEYDOWN, VK_TAB);
    check_u("  focus", id_of(GetFocus()));
    put("down\n");
    key(dlg, GetFocus(), WM_KEYDOWN, VK_DOWN);
    check_u("  focus", id_of(GetFocus()));
    check_u("  checked13", IsDlgButtonChecked(dlg, 13));
    commands("  commands");
    put("enter\n");
    SetFocus(GetDlgItem(dlg, 11));
    key(dlg, GetFocus(), WM_KEYDOWN, VK_RETURN);
    commands("  commands");
    put("escape\n");
    key(dlg, GetFocus(), WM_KEYDOWN, VK_ESCAPE);
    commands("  commands");
    put("mnemonic\n");
    key(dlg, GetFocus(), WM_CHAR, 'c');
    check_u("  focus", id_of(GetFocus()));
    commands("  commands");
    m.hwnd = NULL;
    m.message = WM_KEYDOWN;
    m.wParam = VK_TAB;
    m.lParam = 0;
    check_u("other_window", IsDialogMessageA(dlg, &m));
    while (PeekMessageA(&m, NULL, 0, 0, PM_REMOVE))
        DispatchMessageA(&m);
    check_u("destroyed", DestroyWindow(dlg));

    /* Modal. */
    check_u("modal_result", DialogBoxParamA(GetModuleHandleA(NULL), MAKEINTRESOURCEA(101), NULL, modal_proc, 77));
    check_u("modal_missing", DialogBoxParamA(GetModuleHandleA(NULL), MAKEINTRESOURCEA(555), NULL, modal_proc, 0));
    ExitProcess(0);
}
