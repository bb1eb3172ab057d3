//! OutputDebugStringA and OutputDebugStringW: the text a program sends its debugger.
//!
//! NT 4.0 raises DBG_PRINTEXCEPTION_C for a debugger to see; with none attached the string
//! goes nowhere visible. ntemu has no debugger, so it shows the string on its stderr as
//! `OutputDebugString: "text"` (quoted as Wine's debugstr quotes, `\n` and friends escaped)
//! when the relay trace or the `debugstr` trace channel is on, and otherwise drops it.

use win32::{AnsiStr, ApiCall, WideStr, Win32State, export};

/// Whether debug strings are shown (a state value of the layer).
#[derive(Default)]
struct DebugStrings {
    shown: bool,
}

/// Shows (or stops showing) the guests' OutputDebugString text on the machine's stderr.
pub fn set_debug_string_trace(state: &mut Win32State, shown: bool) {
    state.get::<DebugStrings>().shown = shown;
}

/// True when debug strings are shown (the `debugstr` trace channel or the relay trace): what
/// other DLLs' diagnostic text (ADVAPI32's event log) follows too.
pub fn debug_strings_shown(state: &mut Win32State) -> bool {
    state.get::<DebugStrings>().shown
}

/// The most characters of one debug string shown (the rest is left out).
const SHOWN: usize = 0x1000;

/// Quotes characters as Wine's debugstr does: `\\`, `\"`, `\n`, `\r`, `\t`, and `\xNN` (or
/// `\xNNNN` for wide characters) for the rest outside printable ASCII.
fn quote(chars: impl Iterator<Item = u32>) -> String {
    let mut out = String::new();
    for c in chars {
        match c {
            0x5C => out.push_str("\\\\"),
            0x22 => out.push_str("\\\""),
            0x0A => out.push_str("\\n"),
            0x0D => out.push_str("\\r"),
            0x09 => out.push_str("\\t"),
            0x20..=0x7E => out.push(char::from(c as u8)),
            0..=0xFF => out.push_str(&format!("\\x{c:02x}")),
            _ => out.push_str(&format!("\\x{c:04x}")),
        }
    }
    out
}

fn show(call: &mut ApiCall<'_>, text: &str) {
    let quoted = quote(text.encode_utf16().take(SHOWN).map(u32::from));
    let _ = writeln!(call.io.stderr.lock(), "OutputDebugString: \"{quoted}\"");
}

fn shown(call: &mut ApiCall<'_>) -> bool {
    call.state.get::<DebugStrings>().shown
}

/// VOID OutputDebugStringA(LPCSTR lpOutputString): shows the string when debug strings are
/// traced (see the module documentation); a NULL or unreadable string shows nothing.
#[export]
fn OutputDebugStringA(call: &mut ApiCall<'_>, lpOutputString: Option<AnsiStr>) {
    // A debugger gets the string (NT's DBG_PRINTEXCEPTION_C); the thread waits for it.
    if let Some(text) = &lpOutputString {
        let at = call.arg(0);
        if crate::debugapi::post_debug_string(call, at, text.len() as u32 + 1) {
            return;
        }
    }
    if let Some(text) = lpOutputString.filter(|_| shown(call)) {
        show(call, &text);
    }
}

/// VOID OutputDebugStringW(LPCWSTR lpOutputString): OutputDebugStringA for a UTF-16 string.
#[export]
fn OutputDebugStringW(call: &mut ApiCall<'_>, lpOutputString: Option<WideStr>) {
    // NT passes the string on as OutputDebugStringA does, converted to ANSI: the debugger
    // reads the copy (below the caller's stack pointer, where the thread waits meanwhile).
    if let Some(text) = &lpOutputString {
        let mut bytes = win32::codepage::CodePage::Ansi.encode_str(text);
        bytes.push(0);
        let me = call.thread;
        let sp = call
            .machine
            .process(me.process)
            .and_then(|p| p.thread(me.thread))
            .map_or(0, |t| t.context().stack_pointer());
        let at = sp.wrapping_sub(0x200 + bytes.len() as u32) & !3;
        if call.machine.debugger_of(call.thread.process).is_some()
            && call.write_bytes(at, &bytes).is_ok()
            && crate::debugapi::post_debug_string(call, at, bytes.len() as u32)
        {
            return;
        }
    }
    if let Some(text) = lpOutputString.filter(|_| shown(call)) {
        show(call, &text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_as_wine_does() {
        let q = |s: &str| quote(s.encode_utf16().map(u32::from));
        assert_eq!(q("a \"b\"\\\n"), "a \\\"b\\\"\\\\\\n");
        assert_eq!(q("\u{e9}\u{263a}"), "\\xe9\\x263a");
    }
}
