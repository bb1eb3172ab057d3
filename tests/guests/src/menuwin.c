/* A GUI program with a menu bar (menus.rc's menu 1, by the class's lpszMenuName) and an
 * accelerator table, in an overlapped window at (100, 80), 320 x 240. It logs the menu
 * messages it gets (WM_ENTERMENULOOP, WM_INITMENU, WM_INITMENUPOPUP, WM_MENUSELECT,
 * WM_EXITMENULOOP) and each WM_COMMAND with its id and source (0 a menu, 1 an accelerator);
 * a right click shows the Edit menu with TrackPopupMenu(TPM_RETURNCMD) and prints what it
 * returned. Alt+F4 ends it. */
#include "guest.h"

static HMENU g_menu;

static LRESULT CALLBACK wndproc(HWND hwnd, UINT m, WPARAM wp, LPARAM lp)
{
    POINT pt;
    switch (m) {
    case WM_ENTERMENULOOP: check_u("WM_ENTERMENULOOP", wp); break;
    case WM_EXITMENULOOP: check_u("WM_EXITMENULOOP", wp); break;
    case WM_INITMENU: check_u("WM_INITMENU is the bar", (HMENU)wp == g_menu); break;
    case WM_INITMENUPOPUP:
        put("WM_INITMENUPOPUP pos="); put_u(LOWORD(lp)); put(" sys="); put_u(HIWORD(lp));
        put(" items="); put_i(GetMenuItemCount((HMENU)wp)); put("\n");
        break;
    case WM_MENUSELECT:
        put("WM_MENUSELECT item="); put_x(LOWORD(wp)); put(" flags="); put_x(HIWORD(wp));
        put(lp ? "\n" : " (closed)\n");
        break;
    case WM_COMMAND:
        put("WM_COMMAND id="); put_u(LOWORD(wp)); put(" source="); put_u(HIWORD(wp)); put("\n");
        return 0;
    case WM_RBUTTONUP:
        pt.x = LOWORD(lp); pt.y = HIWORD(lp);
        ClientToScreen(hwnd, &pt);
        check_u("TrackPopupMenu", TrackPopupMenu(GetSubMenu(g_menu, 1), TPM_RETURNCMD | TPM_LEFTALIGN,
                                                 pt.x, pt.y, 0, hwnd, NULL));
        return 0;
    case WM_DESTROY:
        PostQuitMessage(7);
        return 0;
    }
    return DefWindowProcA(hwnd, m, wp, lp);
}

void __stdcall start(void)
{
    WNDCLASSA wc = {0};
    MSG msg;
    RECT r;
    HWND hwnd;
    HACCEL acc;
    wc.lpfnWndProc = wndproc;
    wc.hInstance = GetModuleHandleA(NULL);
    wc.lpszClassName = "MenuWin";
    wc.lpszMenuName = MAKEINTRESOURCEA(1);
    wc.hbrBackground = (HBRUSH)(COLOR_WINDOW + 1);
    RegisterClassA(&wc);
    hwnd = CreateWindowExA(0, "MenuWin", "Menus", WS_OVERLAPPEDWINDOW, 100, 80, 320, 240,
                           NULL, NULL, wc.hInstance, NULL);
    g_menu = GetMenu(hwnd);
    acc = LoadAcceleratorsA(wc.hInstance, MAKEINTRESOURCEA(1));
    ShowWindow(hwnd, SW_SHOWNORMAL);
    UpdateWindow(hwnd);
    GetClientRect(hwnd, &r);
    put("client: "); put_i(r.right); put("x"); put_i(r.bottom); put("\n");
    while (GetMessageA(&msg, NULL, 0, 0) > 0) {
        if (TranslateAcceleratorA(hwnd, acc, &msg)) continue;
        TranslateMessage(&msg);
        DispatchMessageA(&msg);
    }
    put("exit: "); put_u(msg.wParam); put("\n");
    ExitProcess(msg.wParam);
}
