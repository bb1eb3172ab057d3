//! conio.h: `_getch`, `_getche`, `_kbhit`, `_ungetch`, `_putch`, `_cputs`, `_cprintf`: the
//! console's keys one at a time, unechoed and unbuffered, and output straight to it.
//!
//! `_getch` returns a key's character; a key without one (an arrow, F1, Ctrl+Tab...) comes
//! as two calls, 0 or 0xE0 and then the key's extended code, as msvcrt's `_getch` does:
//! the codes of the IBM PC BIOS, which Microsoft's C runtime keeps in its `EnhancedKeys`
//! and `NormalKeys` tables (the code changes with Alt, Ctrl or Shift, checked in that order).

use super::{CrtState, with_state};
use kernel32::console::{
    ENHANCED_KEY, KeyEvent, LEFT_ALT_PRESSED, LEFT_CTRL_PRESSED, SHIFT_PRESSED,
};
use win32::{ApiCall, ApiReturn, Ptr, VarArgs, export};

/// Keys that type nothing and that `_getch` skips: Shift, Ctrl, Alt, Caps Lock, Num Lock,
/// Scroll Lock.
const MODIFIERS: [u16; 6] = [0x10, 0x11, 0x12, 0x14, 0x90, 0x91];

/// dwControlKeyState: the right Alt key is down.
const RIGHT_ALT_PRESSED: u32 = 0x0001;
/// dwControlKeyState: the right Ctrl key is down.
const RIGHT_CTRL_PRESSED: u32 = 0x0004;

/// The modifier column of the C runtime's tables: 3 Alt, 2 Ctrl, 1 Shift, 0 none.
fn column(state: u32) -> usize {
    if state & (LEFT_ALT_PRESSED | RIGHT_ALT_PRESSED) != 0 {
        3
    } else if state & (LEFT_CTRL_PRESSED | RIGHT_CTRL_PRESSED) != 0 {
        2
    } else if state & SHIFT_PRESSED != 0 {
        1
    } else {
        0
    }
}

/// The two bytes `_getch` returns for a key that typed no character: (0 or 0xE0, code),
/// or None when the key has no extended code in that modifier state.
fn extended_code(scan: u16, state: u32) -> Option<(u8, u8)> {
    let column = column(state);
    let scan = u8::try_from(scan).ok()?;
    if state & ENHANCED_KEY != 0 {
        // The grey keys: Home, Up, PgUp, Left, Right, End, Down, PgDn, Ins, Del.
        const GREY: [(u8, u8); 10] = [
            (71, 119),
            (72, 141),
            (73, 134),
            (75, 115),
            (77, 116),
            (79, 117),
            (80, 145),
            (81, 118),
            (82, 146),
            (83, 147),
        ];
        let &(_, ctrl) = GREY.iter().find(|g| g.0 == scan)?;
        return Some(match column {
            3 => (0, scan + 80),
            2 => (0xE0, ctrl),
            _ => (0xE0, scan),
        });
    }
    let code = match (scan, column) {
        // F1-F10, then F11 and F12.
        (59..=68, _) => (0, scan + [0, 25, 35, 45][column]),
        (87 | 88, _) => (0xE0, scan + 46 + 2 * column as u8),
        // Ctrl+2 (NUL on a terminal) and Ctrl+Tab.
        (3, 2) => (0, 3),
        (15, 2) => (0, 148),
        // Alt with a key that typed nothing (Ctrl+Alt+key): digits and - = have codes of
        // their own, Esc, Backspace, Tab, the letters and punctuation their scan code.
        (2..=13, 3) => (0, scan + 118),
        (1 | 14..=28 | 30..=41 | 44..=53, 3) => (0, scan),
        _ => return None,
    };
    Some(code)
}

/// What `_getch` makes of a key event: None for a release, a modifier or a key without a
/// code, else the first byte and the second one (for keys without a character).
fn key_bytes(e: &KeyEvent) -> Option<(u8, Option<u8>)> {
    if !e.key_down || MODIFIERS.contains(&e.virtual_key_code) {
        return None;
    }
    if e.ascii_char != 0 {
        return Some((e.ascii_char, None));
    }
    let (lead, code) = extended_code(e.virtual_scan_code, e.control_key_state)?;
    Some((lead, Some(code)))
}

/// The next byte `_getch` returns, if a key is there (taking it).
fn next_key(call: &mut ApiCall<'_>, state: &mut CrtState) -> Option<u8> {
    if let Some(b) = state.conio_pending.take() {
        return Some(b);
    }
    kernel32::console::sync_console(call);
    while let Some(e) = kernel32::console_mut(call.state).input.pop_front() {
        let kernel32::console::InputEvent::Key(e) = e else {
            continue;
        };
        if let Some((first, second)) = key_bytes(&e) {
            state.conio_pending = second;
            return Some(first);
        }
    }
    None
}

fn get_key(call: &mut ApiCall<'_>, echo: bool) -> ApiReturn {
    let key = with_state(call, next_key);
    match key {
        Some(b) => {
            if echo && b != 0 && b != 0xE0 {
                put_bytes(call, &[b]);
            }
            ApiReturn::Value(u32::from(b))
        }
        // The input ended: no key will come.
        None if kernel32::console_mut(call.state).input_closed => ApiReturn::Value(u32::MAX),
        None => kernel32::console::input_wait(call),
    }
}

/// _getch(): the next key, unechoed; waits for one.
#[export(cdecl)]
fn _getch(call: &mut ApiCall<'_>) -> ApiReturn {
    get_key(call, false)
}

/// _getche(): the next key, echoed.
#[export(cdecl)]
fn _getche(call: &mut ApiCall<'_>) -> ApiReturn {
    get_key(call, true)
}

/// _kbhit(): nonzero when a key is waiting.
#[export(cdecl)]
fn _kbhit(call: &mut ApiCall<'_>) -> bool {
    with_state(call, |call, state| {
        kernel32::console::sync_console(call);
        state.conio_pending.is_some()
            || kernel32::console_mut(call.state).input.iter().any(
                |e| matches!(e, kernel32::console::InputEvent::Key(k) if key_bytes(k).is_some()),
            )
    })
}

/// _ungetch(c): the next `_getch` returns c; EOF when one is already pushed back.
#[export(cdecl)]
fn _ungetch(call: &mut ApiCall<'_>, c: u32) -> u32 {
    with_state(call, |_, state| {
        if state.conio_pending.is_some() || c == u32::MAX {
            return u32::MAX;
        }
        state.conio_pending = Some(c as u8);
        c & 0xFF
    })
}

/// Writes bytes to the console output as they are (no text-mode translation).
fn put_bytes(call: &mut ApiCall<'_>, bytes: &[u8]) -> bool {
    match kernel32::std_handle(call, 1) {
        Ok(h) => kernel32::write_handle(call, h, bytes).is_ok(),
        Err(_) => false,
    }
}

/// _putch(c): c, or EOF when it cannot be written.
#[export(cdecl)]
fn _putch(call: &mut ApiCall<'_>, c: u32) -> u32 {
    if put_bytes(call, &[c as u8]) {
        c & 0xFF
    } else {
        u32::MAX
    }
}

/// _cputs(str): 0, or -1 when it cannot be written.
#[export(cdecl)]
fn _cputs(call: &mut ApiCall<'_>, str: Ptr) -> i32 {
    let text = call.read_c_bytes(str.0, 0x10_0000).unwrap_or_default();
    if put_bytes(call, &text) { 0 } else { -1 }
}

/// _cprintf(format, ...): the characters written, or -1.
#[export(cdecl)]
fn _cprintf(call: &mut ApiCall<'_>, format: Ptr, arguments: VarArgs) -> i32 {
    match super::stdio::format_varargs(call, format, arguments) {
        Some(text) if put_bytes(call, &text) => text.len() as i32,
        _ => -1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel32::console::{Key, VK_UP, key_events, parse_key_script};

    /// The bytes `_getch` returns for a key script.
    fn getch(script: &str) -> Vec<u8> {
        parse_key_script(script.as_bytes())
            .unwrap()
            .into_iter()
            .flat_map(key_events)
            .filter_map(|e| key_bytes(&e))
            .flat_map(|(first, second)| std::iter::once(first).chain(second))
            .collect()
    }

    #[test]
    fn keys_become_getch_bytes() {
        let events = key_events(Key::Char(b'a'));
        assert_eq!(key_bytes(&events[0]), Some((b'a', None)));
        assert_eq!(key_bytes(&events[1]), None);
        assert_eq!(
            key_bytes(&key_events(Key::Virtual(VK_UP))[0]),
            Some((0xE0, Some(0x48)))
        );
        assert_eq!(key_bytes(&key_events(Key::Virtual(0x10))[0]), None);
    }

    #[test]
    fn function_and_grey_keys_take_the_bios_codes_of_their_modifiers() {
        assert_eq!(
            getch("\\k{F1}\\k{F10}\\k{F11}\\k{F12}"),
            [0, 59, 0, 68, 0xE0, 133, 0xE0, 134]
        );
        assert_eq!(getch("\\k{S-F1}\\k{C-F1}\\k{A-F1}"), [0, 84, 0, 94, 0, 104]);
        assert_eq!(
            getch("\\k{S-F12}\\k{C-F12}\\k{A-F12}"),
            [0xE0, 136, 0xE0, 138, 0xE0, 140]
        );
        assert_eq!(
            getch("\\k{Home}\\k{S-Home}\\k{C-Home}\\k{A-Home}"),
            [0xE0, 71, 0xE0, 71, 0xE0, 119, 0, 151]
        );
        assert_eq!(
            getch("\\k{C-Up}\\k{C-Left}\\k{C-PgUp}\\k{C-Del}\\k{A-Del}"),
            [0xE0, 141, 0xE0, 115, 0xE0, 134, 0xE0, 147, 0, 163]
        );
    }

    #[test]
    fn keys_with_characters_keep_them_and_the_rest_have_codes_or_nothing() {
        // Alt+x types x; Shift+Tab a tab; Ctrl+a 1.
        assert_eq!(getch("\\k{A-x}\\k{S-Tab}\\k{C-a}"), [b'x', 9, 1]);
        // Ctrl+Tab, Ctrl+2 and Ctrl+Alt+x/1 type nothing but have codes.
        assert_eq!(
            getch("\\k{C-Tab}\\k{C-2}\\k{C-A-x}\\k{C-A-1}"),
            [0, 148, 0, 3, 0, 45, 0, 120]
        );
        // Ctrl+; types nothing and has no code: _getch skips it.
        assert_eq!(getch("\\k{C-;}z"), [b'z']);
    }
}
