//! conio.h: `_getch`, `_getche`, `_kbhit`, `_ungetch`, `_putch`, `_cputs`, `_cprintf`: the
//! console's keys one at a time, unechoed and unbuffered, and output straight to it.
//!
//! `_getch` returns a key's character; a key without one (an arrow, F1...) comes as two
//! calls: 0xE0 for the enhanced keys (arrows, Home, Insert...) or 0 for the others (F1-F10),
//! then the key's scan code, as msvcrt's `_getch` does. With no key waiting, `_getch` waits.

use super::{CrtState, with_state};
use kernel32::console::{ENHANCED_KEY, KeyEvent};
use win32::{ApiCall, ApiReturn, Ptr, VarArgs, export};

/// Keys that type nothing and that `_getch` skips: Shift, Ctrl, Alt, Caps Lock, Num Lock,
/// Scroll Lock.
const MODIFIERS: [u16; 6] = [0x10, 0x11, 0x12, 0x14, 0x90, 0x91];

/// What `_getch` makes of a key event: None for a release or a modifier, else the first
/// byte and the second one (for keys without a character).
fn key_bytes(e: &KeyEvent) -> Option<(u8, Option<u8>)> {
    if !e.key_down || MODIFIERS.contains(&e.virtual_key_code) {
        return None;
    }
    if e.ascii_char != 0 {
        return Some((e.ascii_char, None));
    }
    // The keys of the enhanced keyboard's own block (and F11, F12) come as 0xE0, the
    // others (F1-F10, the keypad) as 0.
    let enhanced = matches!(e.virtual_key_code, 0x21..=0x28 | 0x2D | 0x2E | 0x7A | 0x7B)
        || (e.control_key_state & ENHANCED_KEY != 0
            && !(0x70..=0x79).contains(&e.virtual_key_code));
    let prefix = if enhanced { 0xE0 } else { 0 };
    Some((prefix, Some(e.virtual_scan_code as u8)))
}

/// The next byte `_getch` returns, if a key is there (taking it).
fn next_key(call: &mut ApiCall<'_>, state: &mut CrtState) -> Option<u8> {
    if let Some(b) = state.conio_pending.take() {
        return Some(b);
    }
    kernel32::console::sync_console(call);
    while let Some(e) = kernel32::console_mut(call.state).input.pop_front() {
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
            || kernel32::console_mut(call.state)
                .input
                .iter()
                .any(|e| key_bytes(e).is_some())
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
    use kernel32::console::{Key, VK_UP, key_events};

    #[test]
    fn keys_become_getch_bytes() {
        let [down, up] = key_events(Key::Char(b'a'));
        assert_eq!(key_bytes(&down), Some((b'a', None)));
        assert_eq!(key_bytes(&up), None);
        let [down, _] = key_events(Key::Virtual(VK_UP));
        assert_eq!(key_bytes(&down), Some((0xE0, Some(0x48))));
        let [down, _] = key_events(Key::Virtual(0x70));
        assert_eq!(key_bytes(&down).map(|k| k.0), Some(0));
        let [down, _] = key_events(Key::Virtual(0x10));
        assert_eq!(key_bytes(&down), None);
    }
}
