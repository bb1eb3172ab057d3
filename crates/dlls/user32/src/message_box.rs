//! Message boxes and the beep.
//!
//! MessageBoxA/W, MessageBoxExA/W and MessageBoxIndirectA/W make NT 4.0's message box: a
//! modal dialog (from a template built here, as NT's SoftModalMessageBox builds one) in the
//! message font (MS Sans Serif 8), centred on the screen, with the style's stock icon
//! (IDI_HAND, IDI_QUESTION, IDI_EXCLAMATION, IDI_ASTERISK, or MB_USERICON's), the text laid
//! out by DrawText (word-wrapped at five eighths of the screen's width), and the style's
//! buttons (MB_OK .. MB_RETRYCANCEL) in a centred row, MB_DEFBUTTON1-3 the default one with
//! the focus. Enter answers the default button, Esc IDCANCEL where there is a Cancel button;
//! the function returns the id of the button chosen. MB_SYSTEMMODAL makes it topmost.
//!
//! A machine with no display and no scripted input has nobody to answer a box: there
//! MessageBox shows its caption, text and buttons on the machine's stderr (`ntemu: message
//! box "Caption": text [OK]`) and answers as if the user pressed Enter: the default button.
//! MessageBeep has no sound device to play on and succeeds, as on an NT machine without a
//! sound card.

use nt_status::Win32Error;
use win32::{ApiCall, ApiReturn, Ptr, export};
use win32k::geometry::Rect;

use crate::wm::{read_text, wm};

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

/// The id of a message box's icon control.
const ICON_ID: u32 = 0x0014;
/// The id of its text control.
const TEXT_ID: u32 = 0xFFFF;

/// The buttons of an MB_ style (its low four bits), as (label, id), in order.
fn buttons(style: u32) -> Option<&'static [(&'static str, u32)]> {
    Some(match style & 0xF {
        0 => &[("OK", IDOK)],
        1 => &[("OK", IDOK), ("Cancel", IDCANCEL)],
        2 => &[
            ("&Abort", IDABORT),
            ("&Retry", IDRETRY),
            ("&Ignore", IDIGNORE),
        ],
        3 => &[("&Yes", IDYES), ("&No", IDNO), ("Cancel", IDCANCEL)],
        4 => &[("&Yes", IDYES), ("&No", IDNO)],
        5 => &[("&Retry", IDRETRY), ("Cancel", IDCANCEL)],
        _ => return None,
    })
}

/// The stock icon (IDI_*) of an MB_ICON* style.
fn icon_of(style: u32) -> Option<u32> {
    match style & 0xF0 {
        0x10 => Some(32513),
        0x20 => Some(32514),
        0x30 => Some(32515),
        0x40 => Some(32516),
        _ => None,
    }
}

/// A message box's request.
struct Request {
    owner: u32,
    text: Vec<u16>,
    caption: Vec<u16>,
    style: u32,
    /// MB_USERICON's icon, loaded.
    user_icon: u32,
}

/// The console's message box: shown on stderr, answered with the default button.
fn console_box(call: &mut ApiCall<'_>, r: &Request, set: &[(&str, u32)]) -> u32 {
    let default = ((r.style >> 8) & 0xF) as usize;
    let (_, id) = set.get(default).copied().unwrap_or(set[0]);
    let labels: Vec<String> = set
        .iter()
        .map(|(l, _)| format!("[{}]", l.replace('&', "")))
        .collect();
    let caption = String::from_utf16_lossy(&r.caption);
    let text = String::from_utf16_lossy(&r.text);
    let _ = writeln!(
        call.io.stderr.lock(),
        "ntemu: message box \"{caption}\": {} {}",
        text.replace("\r\n", "\n").replace('\n', " / "),
        labels.join(" ")
    );
    id
}

/// Appends a WORD-aligned UTF-16 string, NUL-terminated.
fn push_text(t: &mut Vec<u8>, s: &[u16]) {
    for u in s.iter().chain(&[0]) {
        t.extend(u.to_le_bytes());
    }
}

/// One control of the template (DWORD-aligned).
#[allow(clippy::too_many_arguments)]
fn push_item(t: &mut Vec<u8>, style: u32, rect: [i32; 4], id: u32, class: u16, text: &[u16]) {
    while !t.len().is_multiple_of(4) {
        t.push(0);
    }
    t.extend(style.to_le_bytes());
    t.extend(0u32.to_le_bytes());
    for v in rect {
        t.extend((v as i16).to_le_bytes());
    }
    t.extend((id as u16).to_le_bytes());
    t.extend([0xFF, 0xFF]);
    t.extend(class.to_le_bytes());
    push_text(t, text);
    t.extend(0u16.to_le_bytes());
}

/// The box's template: caption, icon, text and buttons placed in dialog units of the
/// message font.
fn template(call: &mut ApiCall<'_>, r: &Request, set: &[(&str, u32)], icon: bool) -> Vec<u8> {
    let lf = win32k::gdi::LogFont::new(-11, 0, 400, 0, 0, "MS Sans Serif");
    let font = win32k::font::Font::realize(&lf.to_font());
    let units = crate::dialog::font_base_units(&font);
    let screen = wm(call).screen_size();
    let max_text = screen.0 * 5 / 8;
    let format = 0x10 | 0x40 | 0x800 | 0x400; // WORDBREAK EXPANDTABS NOPREFIX CALCRECT
    let laid = win32k::font::drawtext::layout(&font, &r.text, Rect::new(0, 0, max_text, 0), format);
    let (text_w, text_h) = (laid.rect.width().max(0), laid.rect.height().max(0));
    let margin = 11;
    let icon_w = if icon { 32 } else { 0 };
    let text_left = if icon { margin + icon_w + 13 } else { margin };
    let text_top = if icon && text_h < 32 {
        margin + (32 - text_h) / 2
    } else {
        margin
    };
    let label_w = |l: &str| {
        let u: Vec<u16> = l.replace('&', "").encode_utf16().collect();
        font.text_extent(&u).0
    };
    let button_w = set
        .iter()
        .map(|(l, _)| label_w(l) + 16)
        .max()
        .unwrap_or(0)
        .max(75);
    let (button_h, gap) = (23, 6);
    let n = set.len() as i32;
    let row = n * button_w + (n - 1) * gap;
    let content_bottom = (text_top + text_h).max(if icon { margin + 32 } else { 0 });
    let button_top = content_bottom + 11;
    let caption_w = font
        .text_extent(&r.caption)
        .0
        .saturating_add(60)
        .min(screen.0 - 40);
    let width = (text_left + text_w + margin)
        .max(row + 2 * margin)
        .max(caption_w);
    let height = button_top + button_h + margin;
    // Pixels to dialog units (rounded up, so nothing shrinks).
    let dx = |v: i32| (v * 4 + units.0 - 1) / units.0;
    let dy = |v: i32| (v * 8 + units.1 - 1) / units.1;
    let mut style: u32 = 0x8000_0000 | 0x00C0_0000 | 0x0008_0000 | 0x80 | 0x40 | 0x800;
    let mut ex: u32 = 0;
    if r.style & 0x1000 != 0 {
        style |= 0x02; // DS_SYSMODAL
        ex |= 0x0008; // WS_EX_TOPMOST
    }
    let count = set.len() + 1 + usize::from(icon);
    let mut t = Vec::new();
    t.extend(style.to_le_bytes());
    t.extend(ex.to_le_bytes());
    t.extend((count as u16).to_le_bytes());
    for v in [0, 0, dx(width), dy(height)] {
        t.extend((v as i16).to_le_bytes());
    }
    t.extend([0, 0, 0, 0]); // no menu, the dialog class
    push_text(&mut t, &r.caption);
    t.extend(8u16.to_le_bytes());
    push_text(
        &mut t,
        &"MS Sans Serif".encode_utf16().collect::<Vec<u16>>(),
    );
    let child = 0x5000_0000u32; // WS_CHILD | WS_VISIBLE
    if icon {
        push_item(
            &mut t,
            child | 0x03,
            [dx(margin), dy(margin), 0, 0],
            ICON_ID,
            0x82,
            &[],
        );
    }
    push_item(
        &mut t,
        child | 0x80, // SS_NOPREFIX
        [dx(text_left), dy(text_top), dx(text_w) + 1, dy(text_h)],
        TEXT_ID,
        0x82,
        &r.text,
    );
    let default = ((r.style >> 8) & 0xF) as usize;
    let default = if default < set.len() { default } else { 0 };
    let mut x = (width - row) / 2;
    for (i, (label, id)) in set.iter().enumerate() {
        let mut s = child | 0x0001_0000; // WS_TABSTOP
        if i == 0 {
            s |= 0x0002_0000; // WS_GROUP
        }
        if i == default {
            s |= 1; // BS_DEFPUSHBUTTON
        }
        let label: Vec<u16> = label.encode_utf16().collect();
        push_item(
            &mut t,
            s,
            [dx(x), dy(button_top), dx(button_w), dy(button_h)],
            *id,
            0x80,
            &label,
        );
        x += button_w + gap;
    }
    t
}

/// MessageBox*'s work: the dialog (see the module documentation), or the console's box
/// where nobody can answer; 0 and ERROR_INVALID_MSGBOX_STYLE for a button set NT does not
/// have.
fn message_box(call: &mut ApiCall<'_>, params: u32, r: Option<Request>) -> ApiReturn {
    if crate::dialog::modal_running(call) {
        return crate::dialog::message_box_dialog(call, params, 0, 0, 0);
    }
    let Some(r) = r else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    let Some(set) = buttons(r.style) else {
        return call.fail_win32(Win32Error::INVALID_MSGBOX_STYLE, 0);
    };
    let answerable = wm(call).display.backend.is_some() || crate::input::script_pending(call.state);
    if !answerable {
        return ApiReturn::Value(console_box(call, &r, set));
    }
    let icon = if r.style & 0xF0 == 0x80 && r.user_icon != 0 {
        r.user_icon
    } else {
        icon_of(r.style).map_or(0, |id| 0x0001_F100 + (id - 32512))
    };
    let bytes = template(call, &r, set, icon != 0);
    let Some(at) = kernel32::heap::process_heap_alloc(call, bytes.len() as u32, false) else {
        return call.fail_win32(Win32Error::NOT_ENOUGH_MEMORY, 0);
    };
    if call.write_bytes(at, &bytes).is_err() {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    let owner = if r.owner != 0 && wm(call).window(r.owner).is_some() {
        r.owner
    } else {
        0
    };
    crate::dialog::message_box_dialog(call, params, owner, at, icon)
}

/// Reads a string argument (NULL: None) in a character set.
fn text_arg(call: &ApiCall<'_>, at: u32, wide: bool) -> Option<Vec<u16>> {
    if at == 0 {
        return Some(Vec::new());
    }
    read_text(call, at, wide)
}

/// A request from the arguments.
fn request(
    call: &ApiCall<'_>,
    owner: u32,
    text: u32,
    caption: u32,
    style: u32,
    wide: bool,
) -> Option<Request> {
    let text = text_arg(call, text, wide)?;
    let caption = if caption == 0 {
        DEFAULT_CAPTION.encode_utf16().collect()
    } else {
        text_arg(call, caption, wide)?
    };
    Some(Request {
        owner,
        text,
        caption,
        style,
        user_icon: 0,
    })
}

/// int MessageBoxA(HWND hWnd, LPCSTR lpText, LPCSTR lpCaption, UINT uType): the box (see
/// the module documentation); the id of the button chosen.
#[export]
fn MessageBoxA(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    lpText: u32,
    lpCaption: u32,
    uType: u32,
) -> ApiReturn {
    let r = request(call, hWnd, lpText, lpCaption, uType, false);
    message_box(call, 4, r)
}

/// int MessageBoxW(HWND hWnd, LPCWSTR lpText, LPCWSTR lpCaption, UINT uType).
#[export]
fn MessageBoxW(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    lpText: u32,
    lpCaption: u32,
    uType: u32,
) -> ApiReturn {
    let r = request(call, hWnd, lpText, lpCaption, uType, true);
    message_box(call, 4, r)
}

/// int MessageBoxExA(hWnd, lpText, lpCaption, uType, wLanguageId): MessageBoxA; the button
/// labels are English whatever the language.
#[export]
fn MessageBoxExA(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    lpText: u32,
    lpCaption: u32,
    uType: u32,
    wLanguageId: u32,
) -> ApiReturn {
    let _ = wLanguageId;
    let r = request(call, hWnd, lpText, lpCaption, uType, false);
    message_box(call, 5, r)
}

/// int MessageBoxExW(hWnd, lpText, lpCaption, uType, wLanguageId): MessageBoxW.
#[export]
fn MessageBoxExW(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    lpText: u32,
    lpCaption: u32,
    uType: u32,
    wLanguageId: u32,
) -> ApiReturn {
    let _ = wLanguageId;
    let r = request(call, hWnd, lpText, lpCaption, uType, true);
    message_box(call, 5, r)
}

/// MessageBoxIndirectA/W's work: MSGBOXPARAMS (cbSize, hwndOwner, hInstance, lpszText,
/// lpszCaption, dwStyle, lpszIcon, ...); a text or caption given as a resource id is the
/// module's string.
fn indirect(call: &mut ApiCall<'_>, params: u32, wide: bool) -> ApiReturn {
    let Ok(b) = call.read_bytes(params, 28) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    if crate::dialog::modal_running(call) {
        return message_box(call, 1, None);
    }
    let w = |i: usize| u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]]);
    let (owner, instance, text, caption, style, icon) = (w(1), w(2), w(3), w(4), w(5), w(6));
    let resource = |call: &mut ApiCall<'_>, id: u32| -> Option<Vec<u16>> {
        crate::resource::string(call, instance, id)
    };
    let text_units = if text != 0 && text < 0x1_0000 {
        resource(call, text)
    } else {
        text_arg(call, text, wide)
    };
    let caption_units = if caption == 0 {
        Some(DEFAULT_CAPTION.encode_utf16().collect())
    } else if caption < 0x1_0000 {
        resource(call, caption)
    } else {
        text_arg(call, caption, wide)
    };
    let user_icon = if style & 0xF0 == 0x80 && icon != 0 {
        match crate::cursor::load(call, instance, icon, wide, true) {
            ApiReturn::Value(v) => v,
            _ => 0,
        }
    } else {
        0
    };
    let r = match (text_units, caption_units) {
        (Some(text), Some(caption)) => Some(Request {
            owner,
            text,
            caption,
            style,
            user_icon,
        }),
        _ => None,
    };
    message_box(call, 1, r)
}

/// int MessageBoxIndirectA(const MSGBOXPARAMSA *lpMsgBoxParams).
#[export]
fn MessageBoxIndirectA(call: &mut ApiCall<'_>, lpMsgBoxParams: Ptr) -> ApiReturn {
    indirect(call, lpMsgBoxParams.0, false)
}

/// int MessageBoxIndirectW(const MSGBOXPARAMSW *lpMsgBoxParams).
#[export]
fn MessageBoxIndirectW(call: &mut ApiCall<'_>, lpMsgBoxParams: Ptr) -> ApiReturn {
    indirect(call, lpMsgBoxParams.0, true)
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
