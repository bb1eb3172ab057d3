/* MessageBox without a display: ntemu shows the box on stderr and answers its default
 * button (see crates/dlls/user32/src/message_box.rs); an unknown button set is refused with
 * ERROR_INVALID_MSGBOX_STYLE. Expected output: tests/guests/expected/msgbox.expected. */
#include "guest.h"

void __stdcall start(void)
{
    check_u("ok", MessageBoxA(NULL, "Saved.", "ntemu", MB_OK));
    check_u("yesno_default2", MessageBoxA(NULL, "Quit?", NULL, MB_YESNO | MB_DEFBUTTON2));
    check_u("retrycancel", MessageBoxW(NULL, L"Disk full", L"Wide", MB_RETRYCANCEL | MB_ICONHAND));
    SetLastError(0);
    check_u("bad_style", MessageBoxA(NULL, "x", "y", 6));
    check_u("bad_style_error", GetLastError());
    ExitProcess(0);
}
