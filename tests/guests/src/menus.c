/* USER32's menus and accelerators, queried: menus built with CreateMenu and AppendMenu,
 * changed with InsertMenu, ModifyMenu, SetMenuItemInfo, CheckMenuItem, EnableMenuItem,
 * CheckMenuRadioItem, RemoveMenu and DeleteMenu; menus of menus.rc's templates (standard
 * and MENUEX) and one built in memory (LoadMenuIndirect); a window's menu bar (the class's
 * lpszMenuName, SetMenu, AdjustWindowRect with a menu) and its system menu; accelerator
 * tables from a resource and from memory. Each line: what was asked and NT's answer. */
#include "guest.h"

static void err(const char *name, unsigned long value)
{
    put(name); put(": "); put_x(value); put(" error "); put_u(GetLastError()); put("\n");
}

static void str(const char *name, HMENU m, UINT id, UINT flags)
{
    char buf[64];
    int n;
    buf[0] = 0;
    n = GetMenuStringA(m, id, buf, sizeof buf, flags);
    put(name); put(": "); put_i(n); put(" \""); put(buf); put("\"\n");
}

static LRESULT CALLBACK wndproc(HWND h, UINT m, WPARAM wp, LPARAM lp)
{
    return DefWindowProcA(h, m, wp, lp);
}

void __stdcall start(void)
{
    HINSTANCE inst = GetModuleHandleA(NULL);
    HMENU bar, file, sub, loaded, ex, ind, sys;
    MENUITEMINFOA mii;
    char text[32];
    ACCEL acc[4];
    HACCEL ha;
    WNDCLASSA wc = {0};
    HWND hwnd;
    RECT r;
    int i;
    static const WORD tmpl[] = {
        0, 0,                                       /* MENUITEMTEMPLATEHEADER */
        MF_POPUP, 'T', 'o', 'p', 0,                 /* a popup */
        0, 7, 'S', 'e', 'v', 'e', 'n', 0,           /* its first item, id 7 */
        MF_END | MF_GRAYED, 8, 'E', 'i', 'g', 'h', 't', 0,
        MF_END, 9, 'N', 'i', 'n', 'e', 0,           /* the last top-level item */
    };

    bar = CreateMenu();
    file = CreatePopupMenu();
    sub = CreatePopupMenu();
    check_u("IsMenu(bar)", IsMenu(bar));
    check_u("IsMenu(0x1234)", IsMenu((HMENU)0x1234));
    check_u("AppendMenu New", AppendMenuA(file, MF_STRING, 101, "&New"));
    check_u("AppendMenu Open", AppendMenuA(file, MF_STRING | MF_CHECKED, 102, "&Open\tCtrl+O"));
    check_u("AppendMenu separator", AppendMenuA(file, MF_SEPARATOR, 0, NULL));
    check_u("AppendMenu Exit", AppendMenuA(file, MF_STRING | MF_GRAYED, 103, "E&xit"));
    check_u("AppendMenu sub", AppendMenuA(sub, MF_STRING, 111, "Deep"));
    check_u("AppendMenu popup in popup", AppendMenuA(file, MF_POPUP, (UINT_PTR)sub, "&More"));
    check_u("AppendMenu File", AppendMenuA(bar, MF_POPUP, (UINT_PTR)file, "&File"));
    check_u("AppendMenu Help", AppendMenuA(bar, MF_STRING | MF_HELP, 300, "&Help"));
    check_u("count bar", GetMenuItemCount(bar));
    check_u("count file", GetMenuItemCount(file));
    SetLastError(0);
    err("count of a bad handle", GetMenuItemCount((HMENU)0xdead));
    check_x("GetMenuItemID(bar, 0) of a popup", GetMenuItemID(bar, 0));
    check_x("GetMenuItemID(bar, 1)", GetMenuItemID(bar, 1));
    check_x("GetMenuItemID(bar, 5)", GetMenuItemID(bar, 5));
    check_x("GetMenuItemID(file, 2) separator", GetMenuItemID(file, 2));
    check_u("GetSubMenu(bar, 0) is file", GetSubMenu(bar, 0) == file);
    check_x("GetSubMenu(bar, 1)", (UINT_PTR)GetSubMenu(bar, 1));
    check_x("state File (popup)", GetMenuState(bar, 0, MF_BYPOSITION));
    check_x("state Open", GetMenuState(bar, 102, MF_BYCOMMAND));
    check_x("state Exit", GetMenuState(bar, 103, MF_BYCOMMAND));
    check_x("state separator", GetMenuState(file, 2, MF_BYPOSITION));
    check_x("state Help", GetMenuState(bar, 300, MF_BYCOMMAND));
    check_x("state Deep (through two popups)", GetMenuState(bar, 111, MF_BYCOMMAND));
    check_x("state missing", GetMenuState(bar, 999, MF_BYCOMMAND));
    check_x("state past the end", GetMenuState(bar, 9, MF_BYPOSITION));
    str("string Open", bar, 102, MF_BYCOMMAND);
    str("string File", bar, 0, MF_BYPOSITION);
    str("string separator", file, 2, MF_BYPOSITION);
    str("string missing", bar, 999, MF_BYCOMMAND);
    check_u("string length of New", GetMenuStringA(bar, 101, NULL, 0, MF_BYCOMMAND));
    {
        char small[4];
        int n = GetMenuStringA(bar, 102, small, sizeof small, MF_BYCOMMAND);
        put("string Open in 4: "); put_i(n); put(" \""); put(small); put("\"\n");
    }
    check_x("CheckMenuItem Open unchecked", CheckMenuItem(bar, 102, MF_BYCOMMAND | MF_UNCHECKED));
    check_x("CheckMenuItem Open checked", CheckMenuItem(bar, 102, MF_BYCOMMAND | MF_CHECKED));
    check_x("CheckMenuItem Open again", CheckMenuItem(bar, 102, MF_BYCOMMAND | MF_CHECKED));
    check_x("CheckMenuItem missing", CheckMenuItem(bar, 999, MF_BYCOMMAND | MF_CHECKED));
    check_x("CheckMenuItem by position", CheckMenuItem(file, 0, MF_BYPOSITION | MF_CHECKED));
    check_x("EnableMenuItem Exit enabled", EnableMenuItem(bar, 103, MF_BYCOMMAND | MF_ENABLED));
    check_x("EnableMenuItem Exit disabled", EnableMenuItem(bar, 103, MF_BYCOMMAND | MF_DISABLED));
    check_x("EnableMenuItem Exit grayed", EnableMenuItem(bar, 103, MF_BYCOMMAND | MF_GRAYED));
    check_x("EnableMenuItem missing", EnableMenuItem(bar, 999, MF_BYCOMMAND | MF_GRAYED));
    SetLastError(0);
    err("EnableMenuItem bad handle", EnableMenuItem((HMENU)0xdead, 1, MF_GRAYED));
    check_x("state Exit now", GetMenuState(bar, 103, MF_BYCOMMAND));
    check_u("InsertMenu by position", InsertMenuA(file, 1, MF_BYPOSITION | MF_STRING, 104, "&Save"));
    check_u("InsertMenu before Exit by command", InsertMenuA(bar, 103, MF_BYCOMMAND | MF_STRING, 105, "Print"));
    check_u("InsertMenu at -1", InsertMenuA(file, (UINT)-1, MF_BYPOSITION | MF_STRING, 106, "Last"));
    for (i = 0; i < GetMenuItemCount(file); i++) {
        put("  file["); put_i(i); put("]: "); put_x(GetMenuItemID(file, i));
        put(" "); put_x(GetMenuState(file, i, MF_BYPOSITION)); put("\n");
    }
    check_u("ModifyMenu Save", ModifyMenuA(bar, 104, MF_BYCOMMAND | MF_STRING | MF_CHECKED, 107, "Save &As"));
    str("string 107", bar, 107, MF_BYCOMMAND);
    check_x("state 107", GetMenuState(bar, 107, MF_BYCOMMAND));
    check_x("state 104 gone", GetMenuState(bar, 104, MF_BYCOMMAND));

    mii.cbSize = sizeof mii - sizeof mii.hbmpItem; /* NT 4.0's MENUITEMINFO */
    mii.fMask = MIIM_TYPE | MIIM_STATE | MIIM_ID | MIIM_SUBMENU | MIIM_DATA;
    mii.dwTypeData = text;
    mii.cch = sizeof text;
    check_u("GetMenuItemInfo Open", GetMenuItemInfoA(bar, 102, FALSE, &mii));
    check_x("  fType", mii.fType); check_x("  fState", mii.fState); check_x("  wID", mii.wID);
    check_x("  hSubMenu", (UINT_PTR)mii.hSubMenu); check_u("  cch", mii.cch);
    put("  text: \""); put(text); put("\"\n");
    mii.dwTypeData = text;
    mii.cch = sizeof text;
    check_u("GetMenuItemInfo File by position", GetMenuItemInfoA(bar, 0, TRUE, &mii));
    check_x("  fType", mii.fType); check_u("  hSubMenu is file", mii.hSubMenu == file);
    check_u("  wID is file", mii.wID == (UINT_PTR)file); check_u("  cch", mii.cch);
    mii.dwTypeData = NULL;
    check_u("GetMenuItemInfo length only", GetMenuItemInfoA(bar, 101, FALSE, &mii));
    check_u("  cch", mii.cch);
    mii.fMask = MIIM_TYPE;
    mii.dwTypeData = text; mii.cch = sizeof text;
    check_u("GetMenuItemInfo separator", GetMenuItemInfoA(file, 3, TRUE, &mii));
    check_x("  fType", mii.fType);
    SetLastError(0);
    err("GetMenuItemInfo missing", GetMenuItemInfoA(bar, 999, FALSE, &mii));
    mii.fMask = MIIM_TYPE | MIIM_ID | MIIM_STATE | MIIM_DATA;
    mii.fType = MFT_STRING | MFT_RADIOCHECK;
    mii.fState = MFS_CHECKED | MFS_DEFAULT;
    mii.wID = 120;
    mii.dwItemData = 0x5a5a;
    mii.dwTypeData = "&Radio";
    check_u("SetMenuItemInfo 101", SetMenuItemInfoA(bar, 101, FALSE, &mii));
    check_x("state 120", GetMenuState(bar, 120, MF_BYCOMMAND));
    str("string 120", bar, 120, MF_BYCOMMAND);
    mii.fMask = MIIM_DATA;
    mii.dwItemData = 0;
    GetMenuItemInfoA(file, 0, TRUE, &mii);
    check_x("  dwItemData", mii.dwItemData);
    check_x("GetMenuDefaultItem by command", GetMenuDefaultItem(file, FALSE, 0));
    check_x("GetMenuDefaultItem by position", GetMenuDefaultItem(file, TRUE, 0));
    check_u("SetMenuDefaultItem 103", SetMenuDefaultItem(file, 103, FALSE));
    check_x("GetMenuDefaultItem grayed", GetMenuDefaultItem(file, FALSE, 0));
    check_x("GetMenuDefaultItem GMDI_USEDISABLED", GetMenuDefaultItem(file, FALSE, GMDI_USEDISABLED));
    check_u("SetMenuDefaultItem none", SetMenuDefaultItem(file, (UINT)-1, FALSE));
    check_x("GetMenuDefaultItem none", GetMenuDefaultItem(file, FALSE, 0));
    mii.fMask = MIIM_TYPE | MIIM_ID;
    mii.fType = MFT_STRING;
    mii.wID = 130;
    mii.dwTypeData = "Inserted";
    check_u("InsertMenuItem at 0", InsertMenuItemA(file, 0, TRUE, &mii));
    check_x("GetMenuItemID(file, 0)", GetMenuItemID(file, 0));
    mii.cbSize = 12345;
    SetLastError(0);
    err("InsertMenuItem bad cbSize", InsertMenuItemA(file, 0, TRUE, &mii));
    check_u("CheckMenuRadioItem", CheckMenuRadioItem(file, 0, 2, 1, MF_BYPOSITION));
    for (i = 0; i < 3; i++) {
        put("  radio["); put_i(i); put("]: "); put_x(GetMenuState(file, i, MF_BYPOSITION)); put("\n");
    }
    check_u("CheckMenuRadioItem missing", CheckMenuRadioItem(file, 0, 2, 7, MF_BYPOSITION));
    check_u("RemoveMenu More", RemoveMenu(file, (UINT_PTR)sub, MF_BYCOMMAND));
    check_u("  sub still a menu", IsMenu(sub));
    check_u("AppendMenu More again", AppendMenuA(file, MF_POPUP, (UINT_PTR)sub, "&More"));
    check_u("DeleteMenu More", DeleteMenu(file, GetMenuItemCount(file) - 1, MF_BYPOSITION));
    check_u("  sub destroyed", !IsMenu(sub));
    check_u("DeleteMenu missing", DeleteMenu(file, 999, MF_BYCOMMAND));
    check_u("count file now", GetMenuItemCount(file));
    check_u("DestroyMenu bar", DestroyMenu(bar));
    check_u("  file destroyed with it", !IsMenu(file));
    SetLastError(0);
    err("DestroyMenu again", DestroyMenu(bar));

    loaded = LoadMenuA(inst, MAKEINTRESOURCEA(1));
    check_u("LoadMenu 1", loaded != NULL);
    check_u("  count", GetMenuItemCount(loaded));
    str("  item 0", loaded, 0, MF_BYPOSITION);
    check_u("  Edit count", GetMenuItemCount(GetSubMenu(loaded, 1)));
    check_x("  state Undo", GetMenuState(loaded, 201, MF_BYCOMMAND));
    check_x("  state Cut", GetMenuState(loaded, 202, MF_BYCOMMAND));
    check_x("  state More", GetMenuState(GetSubMenu(loaded, 1), 2, MF_BYPOSITION));
    check_x("  state separator", GetMenuState(GetSubMenu(loaded, 0), 2, MF_BYPOSITION));
    str("  Open", loaded, 102, MF_BYCOMMAND);
    check_x("  Beta id", GetMenuItemID(GetSubMenu(GetSubMenu(loaded, 1), 2), 1));
    check_x("  Help id", GetMenuItemID(loaded, 2));
    ex = LoadMenuA(inst, MAKEINTRESOURCEA(2));
    check_u("LoadMenu 2 (MENUEX)", ex != NULL);
    check_u("  count", GetMenuItemCount(ex));
    mii.cbSize = sizeof mii - sizeof mii.hbmpItem;
    mii.fMask = MIIM_ID | MIIM_TYPE | MIIM_STATE;
    mii.dwTypeData = text; mii.cch = sizeof text;
    GetMenuItemInfoA(ex, 0, TRUE, &mii);
    check_x("  View wID", mii.wID);
    put("  View text: \""); put(text); put("\"\n");
    check_x("  Large", GetMenuState(ex, 401, MF_BYCOMMAND));
    check_x("  separator", GetMenuState(GetSubMenu(ex, 0), 1, MF_BYPOSITION));
    check_x("  Small", GetMenuState(ex, 402, MF_BYCOMMAND));
    check_x("  Go", GetMenuItemID(ex, 1));
    SetLastError(0);
    err("LoadMenu missing", (UINT_PTR)LoadMenuA(inst, MAKEINTRESOURCEA(77)));
    ind = LoadMenuIndirectA(tmpl);
    check_u("LoadMenuIndirect", ind != NULL);
    check_u("  count", GetMenuItemCount(ind));
    check_u("  Top count", GetMenuItemCount(GetSubMenu(ind, 0)));
    check_x("  Eight", GetMenuState(ind, 8, MF_BYCOMMAND));
    str("  Nine", ind, 9, MF_BYCOMMAND);

    wc.lpfnWndProc = wndproc;
    wc.hInstance = inst;
    wc.lpszClassName = "MenuQuery";
    wc.lpszMenuName = MAKEINTRESOURCEA(1);
    RegisterClassA(&wc);
    hwnd = CreateWindowExA(0, "MenuQuery", "menus", WS_OVERLAPPEDWINDOW, 100, 80, 320, 240,
                           NULL, NULL, inst, NULL);
    check_u("class menu", GetMenu(hwnd) != NULL);
    check_u("  count", GetMenuItemCount(GetMenu(hwnd)));
    GetClientRect(hwnd, &r);
    put("  client: "); put_i(r.right); put("x"); put_i(r.bottom); put("\n");
    SetRect(&r, 0, 0, 100, 100);
    AdjustWindowRect(&r, WS_OVERLAPPEDWINDOW, TRUE);
    put("  AdjustWindowRect with a menu: "); put_i(r.left); put(","); put_i(r.top); put(",");
    put_i(r.right); put(","); put_i(r.bottom); put("\n");
    check_u("SetMenu none", SetMenu(hwnd, NULL));
    check_x("  GetMenu", (UINT_PTR)GetMenu(hwnd));
    GetClientRect(hwnd, &r);
    put("  client: "); put_i(r.right); put("x"); put_i(r.bottom); put("\n");
    SetLastError(0);
    err("SetMenu bad menu", SetMenu(hwnd, (HMENU)0xdead));
    check_u("SetMenu loaded", SetMenu(hwnd, loaded));
    GetClientRect(hwnd, &r);
    put("  client: "); put_i(r.right); put("x"); put_i(r.bottom); put("\n");
    check_u("DrawMenuBar", DrawMenuBar(hwnd));
    sys = GetSystemMenu(hwnd, FALSE);
    check_u("GetSystemMenu", sys != NULL);
    check_u("  IsMenu", IsMenu(sys));
    check_u("  system menu items", GetMenuItemCount(sys));
    check_x("  last id", GetMenuItemID(sys, GetMenuItemCount(sys) - 1));
    check_x("  Move id", GetMenuItemID(sys, 1));
    check_u("  same again", GetSystemMenu(hwnd, FALSE) == sys);
    check_x("GetSystemMenu revert", (UINT_PTR)GetSystemMenu(hwnd, TRUE));
    DestroyWindow(hwnd);

    ha = LoadAcceleratorsA(inst, MAKEINTRESOURCEA(1));
    check_u("LoadAccelerators", ha != NULL);
    check_u("  entries", CopyAcceleratorTableA(ha, NULL, 0));
    check_u("  copied 2", CopyAcceleratorTableA(ha, acc, 2));
    for (i = 0; i < 2; i++) {
        put("  accel["); put_i(i); put("]: "); put_x(acc[i].fVirt); put(" "); put_x(acc[i].key);
        put(" "); put_x(acc[i].cmd); put("\n");
    }
    check_u("  copied all", CopyAcceleratorTableA(ha, acc, 4));
    for (i = 2; i < 4; i++) {
        put("  accel["); put_i(i); put("]: "); put_x(acc[i].fVirt); put(" "); put_x(acc[i].key);
        put(" "); put_x(acc[i].cmd); put("\n");
    }
    check_u("DestroyAcceleratorTable", DestroyAcceleratorTable(ha));
    acc[0].fVirt = FVIRTKEY | FCONTROL; acc[0].key = 'S'; acc[0].cmd = 900;
    ha = CreateAcceleratorTableA(acc, 1);
    check_u("CreateAcceleratorTable", ha != NULL);
    check_u("  entries", CopyAcceleratorTableA(ha, NULL, 0));
    SetLastError(0);
    err("CreateAcceleratorTable of 0", (UINT_PTR)CreateAcceleratorTableA(acc, 0));
    ExitProcess(0);
}
