//! Message boxes, the beep and the active window, for programs without windows of their own.
//!
//! ntemu has no display yet, so a message box cannot wait for a click. MessageBox shows its
//! caption, text and buttons on the machine's stderr (`ntemu: message box "Caption": text
//! [OK]`) and answers as if the user pressed Enter: the default button (MB_DEFBUTTON1-4) of
//! the button set the style names. MessageBeep has no sound device to play on and succeeds,
//! as on an NT machine without a sound card. A thread without windows has no active window.

use nt_status::Win32Error;
use win32::{AnsiStr, ApiCall, WideStr, export};

/// IDOK.
pub const IDOK: u32 = 1;
/// IDCANCEL.
pub const IDCANCEL: u32 = 2;
/// IDABORT.
pub const IDABORT: u32 = 3;
/// IDRETRY.
pub const IDRETRY: u32 = 4;
/// IDIGNORE.
pub const IDIGNORE: u32 = 5;
/// IDYES.
pub const IDYES: u32 = 6;
/// IDNO.
pub const IDNO: u32 = 7;

/// The caption NT gives a message box without one.
const DEFAULT_CAPTION: &str = "Error";

/// The buttons of an MB_ style (its low four bits), as (label, id), in order.
fn buttons(style: u32) -> Option<&'static [(&'static str, u32)]> {
    Some(match style & 0xF {
        0 => &[("OK", IDOK)],
        1 => &[("OK", IDOK), ("Cancel", IDCANCEL)],
        2 => &[("Abort", IDABORT), ("Retry", IDRETRY), ("Ignore", IDIGNORE)],
        3 => &[("Yes", IDYES), ("No", IDNO), ("Cancel", IDCANCEL)],
        4 => &[("Yes", IDYES), ("No", IDNO)],
        5 => &[("Retry", IDRETRY), ("Cancel", IDCANCEL)],
        _ => return None,
    })
}

/// Shows the box and answers its default button; ERROR_INVALID_MSGBOX_STYLE (0 returned)
/// for a button set NT does not have.
fn message_box(
    call: &mut ApiCall<'_>,
    text: Option<String>,
    caption: Option<String>,
    style: u32,
) -> u32 {
    let Some(set) = buttons(style) else {
        call.set_last_error(Win32Error::INVALID_MSGBOX_STYLE.0);
        return 0;
    };
    // MB_DEFBUTTON2..4 are 0x100, 0x200, 0x300; a default past the last button is the first.
    let default = ((style >> 8) & 0xF) as usize;
    let (_, id) = set.get(default).copied().unwrap_or(set[0]);
    let labels: Vec<String> = set.iter().map(|(l, _)| format!("[{l}]")).collect();
    let caption = caption.unwrap_or_else(|| DEFAULT_CAPTION.to_string());
    let text = text.unwrap_or_default();
    let _ = writeln!(
        call.io.stderr.lock(),
        "ntemu: message box \"{caption}\": {} {}",
        text.replace("\r\n", "\n").replace('\n', " / "),
        labels.join(" ")
    );
    id
}

/// int MessageBoxA(HWND hWnd, LPCSTR lpText, LPCSTR lpCaption, UINT uType): shows the box
/// (see the module documentation) and returns the id of its default button.
#[export]
fn MessageBoxA(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    lpText: Option<AnsiStr>,
    lpCaption: Option<AnsiStr>,
    uType: u32,
) -> u32 {
    let _ = hWnd;
    message_box(
        call,
        lpText.map(|s| s.to_string()),
        lpCaption.map(|s| s.to_string()),
        uType,
    )
}

/// int MessageBoxW(HWND hWnd, LPCWSTR lpText, LPCWSTR lpCaption, UINT uType): MessageBoxA
/// for UTF-16 strings.
#[export]
fn MessageBoxW(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    lpText: Option<WideStr>,
    lpCaption: Option<WideStr>,
    uType: u32,
) -> u32 {
    let _ = hWnd;
    message_box(
        call,
        lpText.map(|s| s.to_string()),
        lpCaption.map(|s| s.to_string()),
        uType,
    )
}

/// int MessageBoxExA(hWnd, lpText, lpCaption, uType, wLanguageId): MessageBoxA; the button
/// labels are English whatever the language.
#[export]
fn MessageBoxExA(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    lpText: Option<AnsiStr>,
    lpCaption: Option<AnsiStr>,
    uType: u32,
    wLanguageId: u32,
) -> u32 {
    let _ = (hWnd, wLanguageId);
    message_box(
        call,
        lpText.map(|s| s.to_string()),
        lpCaption.map(|s| s.to_string()),
        uType,
    )
}

/// int MessageBoxExW(hWnd, lpText, lpCaption, uType, wLanguageId): MessageBoxW.
#[export]
fn MessageBoxExW(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    lpText: Option<WideStr>,
    lpCaption: Option<WideStr>,
    uType: u32,
    wLanguageId: u32,
) -> u32 {
    let _ = (hWnd, wLanguageId);
    message_box(
        call,
        lpText.map(|s| s.to_string()),
        lpCaption.map(|s| s.to_string()),
        uType,
    )
}

/// BOOL MessageBeep(UINT uType): the sound has no device to play on; TRUE.
#[export]
fn MessageBeep(call: &mut ApiCall<'_>, uType: u32) -> bool {
    let _ = (call, uType);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_style_has_its_buttons_and_nt_has_six() {
        assert_eq!(buttons(0).map(<[_]>::len), Some(1));
        assert_eq!(buttons(3).map(|b| b[2].1), Some(IDCANCEL));
        assert_eq!(buttons(4).map(|b| b[0].1), Some(IDYES));
        assert!(buttons(6).is_none());
    }
}
