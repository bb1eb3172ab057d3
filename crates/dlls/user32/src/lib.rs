//! USER32.dll: the text functions console programs import (wsprintfA, the OEM/ANSI
//! conversions, CharUpperA), the clipboard, message boxes, the beep, LoadString, and the
//! window manager's exports over crates/win32k: window classes, windows, message queues,
//! window procedures called in guest code ([`guest`]), timers, cursors and icons, and the
//! painting path ([`paint`]).

pub mod accel;
pub mod button;
pub mod caret;
mod chars;
pub mod class;
pub mod clipboard;
pub mod combobox;
pub mod control;
pub mod cursor;
pub mod dialog;
pub mod edit;
pub mod guest;
pub mod icon;
pub mod input;
pub mod listbox;
pub mod menu;
pub mod message;
pub mod message_box;
pub mod metrics;
pub mod paint;
pub mod rect;
pub mod resource;
pub mod scrollbar;
pub mod static_ctl;
pub mod window;
pub mod wm;

pub use win32k;

use nt_status::NtStatus;
use win32::args::GuestArguments;
use win32::codepage::CodePage;
use win32::format::{Arguments, digits, integer_digits, next_conversion};
use win32::{ApiCall, ApiReturn, BuiltinDll, DllHooks, Ptr, VarArgs, export, exports};

/// USER32.dll.
pub static DLL: BuiltinDll = BuiltinDll {
    name: "USER32.dll",
    exports: exports![
        wsprintfA,
        wvsprintfA,
        wsprintfW,
        wvsprintfW,
        CharToOemA,
        OemToCharA,
        CharUpperA,
        chars::CharLowerA,
        chars::CharLowerW,
        chars::CharUpperW,
        chars::CharLowerBuffA,
        chars::CharLowerBuffW,
        chars::CharUpperBuffA,
        chars::CharUpperBuffW,
        chars::CharNextA,
        chars::CharNextW,
        chars::CharNextExA,
        chars::CharPrevA,
        chars::CharPrevW,
        chars::CharPrevExA,
        chars::IsCharAlphaA,
        chars::IsCharAlphaW,
        chars::IsCharAlphaNumericA,
        chars::IsCharAlphaNumericW,
        chars::IsCharUpperA,
        chars::IsCharUpperW,
        chars::IsCharLowerA,
        chars::IsCharLowerW,
        clipboard::OpenClipboard,
        clipboard::CloseClipboard,
        clipboard::EmptyClipboard,
        clipboard::SetClipboardData,
        clipboard::GetClipboardData,
        clipboard::IsClipboardFormatAvailable,
        clipboard::CountClipboardFormats,
        clipboard::EnumClipboardFormats,
        clipboard::GetClipboardOwner,
        clipboard::GetOpenClipboardWindow,
        clipboard::RegisterClipboardFormatA,
        clipboard::RegisterClipboardFormatW,
        clipboard::RegisterWindowMessageA,
        clipboard::RegisterWindowMessageW,
        clipboard::GetClipboardFormatNameA,
        clipboard::GetClipboardFormatNameW,
        message_box::MessageBoxA,
        message_box::MessageBoxW,
        message_box::MessageBoxExA,
        message_box::MessageBoxExW,
        message_box::MessageBeep,
        message_box::MessageBoxIndirectA,
        message_box::MessageBoxIndirectW,
        button::ButtonWndProcW,
        static_ctl::StaticWndProcW,
        dialog::DialogBoxParamA,
        dialog::DialogBoxParamW,
        dialog::DialogBoxIndirectParamA,
        dialog::DialogBoxIndirectParamW,
        dialog::CreateDialogParamA,
        dialog::CreateDialogParamW,
        dialog::CreateDialogIndirectParamA,
        dialog::CreateDialogIndirectParamW,
        dialog::EndDialog,
        dialog::IsDialogMessage,
        dialog::IsDialogMessageA,
        dialog::IsDialogMessageW,
        dialog::DefDlgProcA,
        dialog::DefDlgProcW,
        dialog::GetDlgItem,
        dialog::GetDlgCtrlID,
        dialog::GetDlgItemTextA,
        dialog::GetDlgItemTextW,
        dialog::SetDlgItemTextA,
        dialog::SetDlgItemTextW,
        dialog::GetDlgItemInt,
        dialog::SetDlgItemInt,
        dialog::SendDlgItemMessageA,
        dialog::SendDlgItemMessageW,
        dialog::CheckDlgButton,
        dialog::IsDlgButtonChecked,
        dialog::CheckRadioButton,
        dialog::GetNextDlgTabItem,
        dialog::GetNextDlgGroupItem,
        dialog::GetDialogBaseUnits,
        dialog::MapDialogRect,
        window::IsWindow,
        class::RegisterClassA,
        class::RegisterClassW,
        class::RegisterClassExA,
        class::RegisterClassExW,
        class::UnregisterClassA,
        class::UnregisterClassW,
        class::GetClassInfoA,
        class::GetClassInfoW,
        class::GetClassInfoExA,
        class::GetClassInfoExW,
        class::GetClassLongA,
        class::GetClassLongW,
        class::SetClassLongA,
        class::SetClassLongW,
        class::GetClassWord,
        class::GetClassNameA,
        class::GetClassNameW,
        cursor::LoadCursorA,
        cursor::LoadCursorW,
        cursor::LoadIconA,
        cursor::LoadIconW,
        cursor::SetCursor,
        cursor::GetCursor,
        cursor::ShowCursor,
        cursor::DestroyCursor,
        cursor::DestroyIcon,
        window::CreateWindowExA,
        window::CreateWindowExW,
        window::DestroyWindow,
        window::SetWindowPos,
        window::MoveWindow,
        window::ShowWindow,
        paint::UpdateWindow,
        paint::InvalidateRect,
        paint::InvalidateRgn,
        paint::ValidateRect,
        paint::ValidateRgn,
        paint::GetUpdateRect,
        paint::GetUpdateRgn,
        paint::RedrawWindow,
        paint::GetDC,
        paint::GetDCEx,
        paint::GetWindowDC,
        paint::ReleaseDC,
        paint::WindowFromDC,
        paint::BeginPaint,
        paint::EndPaint,
        paint::FillRect,
        paint::GetSysColor,
        paint::GetSysColorBrush,
        paint::DrawTextA,
        paint::DrawTextW,
        paint::DrawTextExA,
        paint::DrawTextExW,
        paint::FrameRect,
        paint::InvertRect,
        paint::DrawFocusRect,
        paint::LoadBitmapA,
        paint::LoadBitmapW,
        rect::SetRect,
        rect::SetRectEmpty,
        rect::CopyRect,
        rect::InflateRect,
        rect::OffsetRect,
        rect::IntersectRect,
        rect::UnionRect,
        rect::SubtractRect,
        rect::EqualRect,
        rect::IsRectEmpty,
        rect::PtInRect,
        icon::CreateIconIndirect,
        icon::DrawIcon,
        icon::DrawIconEx,
        icon::GetIconInfo,
        window::GetDesktopWindow,
        window::GetParent,
        window::SetParent,
        window::GetWindow,
        window::GetTopWindow,
        window::IsChild,
        window::IsWindowVisible,
        window::IsWindowEnabled,
        window::IsWindowUnicode,
        window::EnableWindow,
        window::GetWindowThreadProcessId,
        window::EnumWindows,
        window::EnumChildWindows,
        window::EnumThreadWindows,
        window::FindWindowA,
        window::FindWindowW,
        window::FindWindowExA,
        window::FindWindowExW,
        window::GetActiveWindow,
        window::GetForegroundWindow,
        window::GetFocus,
        window::SetFocus,
        window::SetActiveWindow,
        window::SetForegroundWindow,
        window::GetWindowLongA,
        window::GetWindowLongW,
        window::SetWindowLongA,
        window::SetWindowLongW,
        window::GetWindowWord,
        window::SetWindowWord,
        window::GetWindowTextA,
        window::GetWindowTextW,
        window::GetWindowTextLengthA,
        window::GetWindowTextLengthW,
        window::SetWindowTextA,
        window::SetWindowTextW,
        window::GetWindowRect,
        window::ClientToScreen,
        window::ScreenToClient,
        window::AdjustWindowRect,
        window::AdjustWindowRectEx,
        message::SendMessageA,
        message::SendMessageW,
        message::InSendMessage,
        message::SendMessageTimeoutA,
        message::SendMessageTimeoutW,
        message::SendNotifyMessageA,
        message::SendNotifyMessageW,
        message::GetMessageTime,
        message::GetMessagePos,
        message::GetQueueStatus,
        message::GetInputState,
        message::PostMessageA,
        message::PostMessageW,
        message::PostThreadMessageA,
        message::PostThreadMessageW,
        message::PostQuitMessage,
        message::GetMessageA,
        message::GetMessageW,
        message::PeekMessageA,
        message::PeekMessageW,
        message::WaitMessage,
        message::DispatchMessageA,
        message::DispatchMessageW,
        message::TranslateMessage,
        message::DefWindowProcA,
        message::DefWindowProcW,
        message::CallWindowProcA,
        message::CallWindowProcW,
        message::MsgWaitForMultipleObjects,
        message::SetTimer,
        message::KillTimer,
        metrics::GetSystemMetrics,
        metrics::SystemParametersInfoA,
        metrics::SystemParametersInfoW,
        window::GetClientRect,
        resource::LoadStringA,
        resource::LoadStringW,
        input::GetKeyState,
        input::GetAsyncKeyState,
        input::GetKeyboardState,
        input::SetKeyboardState,
        input::GetCursorPos,
        input::SetCursorPos,
        input::SetCapture,
        input::ReleaseCapture,
        input::GetCapture,
        input::GetDoubleClickTime,
        menu::CreateMenu,
        menu::CreatePopupMenu,
        menu::DestroyMenu,
        menu::IsMenu,
        menu::AppendMenuA,
        menu::AppendMenuW,
        menu::InsertMenuA,
        menu::InsertMenuW,
        menu::ModifyMenuA,
        menu::ModifyMenuW,
        menu::RemoveMenu,
        menu::DeleteMenu,
        menu::GetSubMenu,
        menu::GetMenuItemCount,
        menu::GetMenuItemID,
        menu::GetMenuState,
        menu::GetMenuStringA,
        menu::GetMenuStringW,
        menu::GetMenuItemInfoA,
        menu::GetMenuItemInfoW,
        menu::SetMenuItemInfoA,
        menu::SetMenuItemInfoW,
        menu::InsertMenuItemA,
        menu::InsertMenuItemW,
        menu::CheckMenuItem,
        menu::EnableMenuItem,
        menu::CheckMenuRadioItem,
        menu::HiliteMenuItem,
        menu::GetMenuDefaultItem,
        menu::SetMenuDefaultItem,
        menu::GetMenuCheckMarkDimensions,
        menu::SetMenuItemBitmaps,
        menu::GetMenu,
        menu::SetMenu,
        menu::DrawMenuBar,
        menu::GetMenuItemRect,
        menu::GetSystemMenu,
        menu::LoadMenuA,
        menu::LoadMenuW,
        menu::LoadMenuIndirectA,
        menu::LoadMenuIndirectW,
        menu::TrackPopupMenu,
        menu::TrackPopupMenuEx,
        accel::LoadAcceleratorsA,
        accel::LoadAcceleratorsW,
        accel::CreateAcceleratorTableA,
        accel::CreateAcceleratorTableW,
        accel::DestroyAcceleratorTable,
        accel::CopyAcceleratorTableA,
        accel::CopyAcceleratorTableW,
        accel::TranslateAcceleratorA,
        accel::TranslateAcceleratorW,
        edit::EditWndProc,
        caret::CreateCaret,
        caret::DestroyCaret,
        caret::ShowCaret,
        caret::HideCaret,
        caret::SetCaretPos,
        caret::GetCaretPos,
        caret::GetCaretBlinkTime,
        caret::SetCaretBlinkTime,
        listbox::ListBoxWndProc,
        listbox::ComboLBoxWndProc,
        combobox::ComboBoxWndProc,
        scrollbar::ScrollBarWndProc,
        scrollbar::SetScrollInfo,
        scrollbar::GetScrollInfo,
        scrollbar::SetScrollPos,
        scrollbar::GetScrollPos,
        scrollbar::SetScrollRange,
        scrollbar::GetScrollRange,
        scrollbar::ShowScrollBar,
        scrollbar::EnableScrollBar,
        scrollbar::ScrollWindow,
        scrollbar::ScrollWindowEx,
        scrollbar::ScrollDC,
    ],
    catalogue: include_str!("../nt4-exports.txt"),
    later_catalogue: "",
    hooks: DllHooks {
        data_export: None,
        internal_thunk: Some(guest::thunk),
        process_attach: None,
        process_start: None,
    },
};

/// wsprintfA writes at most this many characters, NUL included.
const WSPRINTF_LIMIT: usize = 1024;

/// Formats like wsprintfA (`wide` false: `fmt` holds the format's bytes, one per unit) or
/// wsprintfW (`wide` true: UTF-16 units): %[-][#][0][width][.precision][h|l]type with types
/// c, C, d, i, u, x, X, s, S and %%. `%s` and `%c` take the function's own strings and
/// characters, `%S` and `%C` the other kind, `h` and `l` force ANSI and wide. Arguments come
/// from `args` (32-bit each); strings are read from guest memory. The result has the same
/// units: ANSI bytes (wide text converted through code page 1252, `?` where it has no byte)
/// or UTF-16 (ANSI text decoded).
fn format(args: &mut dyn Arguments, fmt: &[u16], wide: bool) -> Result<Vec<u16>, NtStatus> {
    let ansi_units = |bytes: Vec<u8>| -> Vec<u16> {
        if wide {
            bytes.iter().map(|&b| CodePage::Ansi.decode(b)).collect()
        } else {
            bytes.iter().map(|&b| u16::from(b)).collect()
        }
    };
    let wide_units = |units: Vec<u16>| -> Vec<u16> {
        if wide {
            units
        } else {
            units
                .iter()
                .map(|&u| u16::from(CodePage::Ansi.encode(u).unwrap_or(b'?')))
                .collect()
        }
    };
    let unit = |c: u8| u16::from(c);
    let mut out = Vec::new();
    let mut i = 0;
    while next_conversion(fmt, &mut i, &mut out) {
        let (mut left, mut alternate, mut zero) = (false, false, false);
        while let Some(&f) = fmt.get(i) {
            match f {
                f if f == unit(b'-') => left = true,
                f if f == unit(b'#') => alternate = true,
                f if f == unit(b'0') => zero = true,
                _ => break,
            }
            i += 1;
        }
        let width = digits(fmt, &mut i);
        let mut precision = None;
        if fmt.get(i) == Some(&unit(b'.')) {
            i += 1;
            precision = Some(digits(fmt, &mut i));
        }
        // At least `precision` digits, and at least one (unlike printf's `%.0d` of 0).
        let min_digits = precision.map(|p| p.max(1));
        // The last of `h` (ANSI) and `l` (wide) counts for strings and characters.
        let mut size_wide = None;
        while let Some(&f) = fmt.get(i) {
            if f == unit(b'l') {
                size_wide = Some(true);
            } else if f == unit(b'h') {
                size_wide = Some(false);
            } else {
                break;
            }
            i += 1;
        }
        let Some(&kind) = fmt.get(i) else { break };
        i += 1;
        let kind = u8::try_from(kind).unwrap_or(0);
        // %s and %c take the function's own kind; %S and %C the other.
        let wide_argument = size_wide.unwrap_or(kind.is_ascii_lowercase() == wide);
        let ascii = |text: Vec<u8>| -> Vec<u16> { text.into_iter().map(u16::from).collect() };
        let text: Vec<u16> = match kind {
            b'%' => vec![unit(b'%')],
            b'c' | b'C' => {
                let v = args.next_u32();
                if wide_argument {
                    wide_units(vec![v as u16])
                } else {
                    ansi_units(vec![v as u8])
                }
            }
            b'd' | b'i' => {
                let v = args.next_u32() as i32;
                let mut text = integer_digits(u64::from(v.unsigned_abs()), 10, false, min_digits);
                if v < 0 {
                    text.insert(0, b'-');
                }
                ascii(text)
            }
            // %u takes no precision.
            b'u' => ascii(integer_digits(u64::from(args.next_u32()), 10, false, None)),
            b'x' | b'X' => {
                let v = args.next_u32();
                let mut text = integer_digits(u64::from(v), 16, kind == b'X', min_digits);
                if alternate && v != 0 {
                    let prefix: &[u8] = if kind == b'x' { b"0x" } else { b"0X" };
                    text.splice(0..0, prefix.iter().copied());
                }
                ascii(text)
            }
            b's' | b'S' => {
                let ptr = args.next_u32();
                let mut s = if ptr == 0 {
                    ascii(b"(null)".to_vec())
                } else if wide_argument {
                    wide_units(
                        args.wide_string(ptr, WSPRINTF_LIMIT)
                            .ok_or(NtStatus::ACCESS_VIOLATION)?,
                    )
                } else {
                    ansi_units(
                        args.string(ptr, WSPRINTF_LIMIT)
                            .ok_or(NtStatus::ACCESS_VIOLATION)?,
                    )
                };
                if let Some(p) = precision {
                    s.truncate(p);
                }
                s
            }
            other => vec![unit(b'%'), u16::from(other)],
        };
        let pad = width.saturating_sub(text.len());
        let numeric = matches!(kind, b'd' | b'i' | b'u' | b'x' | b'X');
        if left {
            out.extend_from_slice(&text);
            out.extend(std::iter::repeat_n(unit(b' '), pad));
        } else if zero && numeric {
            let sign = usize::from(text.first() == Some(&unit(b'-')));
            out.extend_from_slice(&text[..sign]);
            out.extend(std::iter::repeat_n(unit(b'0'), pad));
            out.extend_from_slice(&text[sign..]);
        } else {
            out.extend(std::iter::repeat_n(unit(b' '), pad));
            out.extend_from_slice(&text);
        }
    }
    out.truncate(WSPRINTF_LIMIT - 1);
    Ok(out)
}

/// Stores wsprintf's result at `out`, NUL-terminated, as bytes (`wide` false) or UTF-16
/// units: returns the characters written, NUL excluded.
fn store(
    call: &mut ApiCall<'_>,
    out: Ptr,
    text: Result<Vec<u16>, NtStatus>,
    wide: bool,
) -> ApiReturn {
    match text {
        Ok(units) => {
            let len = units.len() as u32;
            let mut bytes: Vec<u8> = if wide {
                units.iter().flat_map(|u| u.to_le_bytes()).collect()
            } else {
                units.iter().map(|&u| u as u8).collect()
            };
            bytes.extend(std::iter::repeat_n(0, if wide { 2 } else { 1 }));
            match call.write_bytes(out.0, &bytes) {
                Ok(()) => ApiReturn::Value(len),
                Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
            }
        }
        Err(status) => call.fail(status),
    }
}

/// The format string at `fmt` as units: its bytes (`wide` false) or its UTF-16 units.
fn format_units(call: &mut ApiCall<'_>, fmt: Ptr, wide: bool) -> Option<Vec<u16>> {
    if wide {
        call.read_wide_units(fmt.0, WSPRINTF_LIMIT).ok()
    } else {
        call.read_c_bytes(fmt.0, WSPRINTF_LIMIT)
            .ok()
            .map(|b| b.into_iter().map(u16::from).collect())
    }
}

/// wsprintfA(lpOut, lpFmt, ...): returns the characters written, NUL excluded.
#[export(cdecl)]
fn wsprintfA(call: &mut ApiCall<'_>, lpOut: Ptr, lpFmt: Ptr, arguments: VarArgs) -> ApiReturn {
    let Some(fmt) = format_units(call, lpFmt, false) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let text = format(&mut arguments.reader(call), &fmt, false);
    store(call, lpOut, text, false)
}

/// wsprintfW(lpOut, lpFmt, ...): wsprintfA with wide strings.
#[export(cdecl)]
fn wsprintfW(call: &mut ApiCall<'_>, lpOut: Ptr, lpFmt: Ptr, arguments: VarArgs) -> ApiReturn {
    let Some(fmt) = format_units(call, lpFmt, true) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let text = format(&mut arguments.reader(call), &fmt, true);
    store(call, lpOut, text, true)
}

/// wvsprintfA(lpOut, lpFmt, arglist): wsprintfA with a va_list.
#[export]
fn wvsprintfA(call: &mut ApiCall<'_>, lpOut: Ptr, lpFmt: Ptr, arglist: Ptr) -> ApiReturn {
    let Some(fmt) = format_units(call, lpFmt, false) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let text = format(&mut GuestArguments::list(call, arglist.0), &fmt, false);
    store(call, lpOut, text, false)
}

/// wvsprintfW(lpOut, lpFmt, arglist): wsprintfW with a va_list.
#[export]
fn wvsprintfW(call: &mut ApiCall<'_>, lpOut: Ptr, lpFmt: Ptr, arglist: Ptr) -> ApiReturn {
    let Some(fmt) = format_units(call, lpFmt, true) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let text = format(&mut GuestArguments::list(call, arglist.0), &fmt, true);
    store(call, lpOut, text, true)
}

fn convert(call: &mut ApiCall<'_>, src: Ptr, dst: Ptr, from: CodePage, to: CodePage) -> ApiReturn {
    let (src, dst) = (src.0, dst.0);
    let Ok(bytes) = call.read_c_bytes(src, 0x1_0000) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let mut mapped: Vec<u8> = bytes
        .iter()
        .map(|&b| to.encode(from.decode(b)).unwrap_or(b'?'))
        .collect();
    mapped.push(0);
    match call.write_bytes(dst, &mapped) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// CharToOemA(lpszSrc, lpszDst): ANSI (1252) to OEM (437); always TRUE.
#[export]
fn CharToOemA(call: &mut ApiCall<'_>, lpszSrc: Ptr, lpszDst: Ptr) -> ApiReturn {
    convert(call, lpszSrc, lpszDst, CodePage::Ansi, CodePage::Oem)
}

/// OemToCharA(lpszSrc, lpszDst): OEM (437) to ANSI (1252); always TRUE.
#[export]
fn OemToCharA(call: &mut ApiCall<'_>, lpszSrc: Ptr, lpszDst: Ptr) -> ApiReturn {
    convert(call, lpszSrc, lpszDst, CodePage::Oem, CodePage::Ansi)
}

/// CharUpperA(lpsz): with a high word of zero, the character in the low byte, converted
/// and returned; otherwise the NUL-terminated string, converted in place and returned.
/// An unreadable or unwritable string is ERROR_INVALID_PARAMETER and NULL (NT catches the
/// fault).
#[export]
fn CharUpperA(call: &mut ApiCall<'_>, lpsz: Ptr) -> ApiReturn {
    chars::map_ansi_string(call, lpsz, chars::upper)
}

#[cfg(test)]
mod tests {
    use super::chars;

    /// The upper case of an ANSI (code page 1252) character: its Unicode upper case when that
    /// is one character the code page has, else the character itself (so 0xFF becomes 0x9F,
    /// and the sharp s stays).
    fn upper_ansi(byte: u8) -> u8 {
        chars::map_ansi(byte, chars::upper)
    }

    #[test]
    fn ansi_upper_case_stays_in_code_page_1252() {
        assert_eq!(upper_ansi(b'a'), b'A');
        assert_eq!(upper_ansi(b'Z'), b'Z');
        assert_eq!(upper_ansi(b'1'), b'1');
        assert_eq!(upper_ansi(0xE9), 0xC9, "e acute");
        assert_eq!(upper_ansi(0xFF), 0x9F, "y diaeresis");
        assert_eq!(upper_ansi(0x9A), 0x8A, "s caron");
        assert_eq!(
            upper_ansi(0xDF),
            0xDF,
            "sharp s has no one-character upper case"
        );
        assert_eq!(
            upper_ansi(0xB5),
            0xB5,
            "micro sign: its upper case is not in 1252"
        );
    }
}
