//! The host terminal as the guest's console: the active screen buffer is drawn with ANSI
//! escape sequences on the alternate screen, and keystrokes (read raw from stdin by a
//! background thread) become console key events. Raw mode is set and restored with
//! `stty`, so no terminal library and no `unsafe` are needed.

use std::io::{IsTerminal, Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use ntemu::kernel32::console::{
    Console, ConsoleHost, Key, VK_DELETE, VK_DOWN, VK_END, VK_HOME, VK_INSERT, VK_LEFT, VK_NEXT,
    VK_PRIOR, VK_RIGHT, VK_UP,
};

/// The terminal ntemu runs in, in raw mode while this lives.
pub struct Terminal {
    saved_mode: String,
    typed: StdinReader,
    drawn: Vec<Vec<(char, u16)>>,
    drawn_cursor: Option<(u16, u16, bool)>,
    drawn_title: String,
}

fn stty(args: &[&str]) -> Option<String> {
    let out = Command::new("stty")
        .args(args)
        .stdin(Stdio::inherit())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

impl Terminal {
    /// Takes over the terminal when stdin and stdout both are one; None otherwise (the
    /// console then lives in memory only).
    pub fn open() -> Option<Terminal> {
        if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
            return None;
        }
        let saved_mode = stty(&["-g"])?;
        stty(&["raw", "-echo"])?;
        let typed = StdinReader::start();
        // The alternate screen, cleared.
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(b"\x1b[?1049h\x1b[2J");
        let _ = out.flush();
        Some(Terminal {
            saved_mode,
            typed,
            drawn: Vec::new(),
            drawn_cursor: None,
            drawn_title: String::new(),
        })
    }
}

impl Terminal {
    /// The terminal's size in columns and rows (`stty size`), if it tells.
    pub fn size(&self) -> Option<(u16, u16)> {
        let text = stty(&["size"])?;
        let mut parts = text.split_whitespace().map(str::parse::<u16>);
        let rows = parts.next()?.ok()?;
        let columns = parts.next()?.ok()?;
        Some((columns, rows))
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(b"\x1b[0m\x1b[?25h\x1b[?1049l");
        let _ = out.flush();
        let _ = stty(&[&self.saved_mode]);
    }
}

/// The SGR sequence for a console attribute (FOREGROUND_BLUE/GREEN/RED/INTENSITY in the low
/// nibble, the same for the background in the next).
fn sgr(attributes: u16) -> String {
    // NT's colour bits are blue=1, green=2, red=4; ANSI's are red=1, green=2, blue=4.
    let ansi = |c: u16| ((c & 1) << 2) | (c & 2) | ((c & 4) >> 2);
    let (fg, bg) = (attributes & 0xF, (attributes >> 4) & 0xF);
    let fg = if fg & 8 != 0 {
        90 + ansi(fg)
    } else {
        30 + ansi(fg)
    };
    let bg = if bg & 8 != 0 {
        100 + ansi(bg)
    } else {
        40 + ansi(bg)
    };
    format!("\x1b[0;{fg};{bg}m")
}

impl ConsoleHost for Terminal {
    fn present(&mut self, console: &Console) {
        let buffer = console.active_buffer();
        let window = buffer.window;
        let mut out = String::new();
        if console.title != self.drawn_title {
            out.push_str(&format!("\x1b]0;{}\x07", console.title));
            self.drawn_title = console.title.clone();
        }
        let rows = window.height().max(0) as usize;
        self.drawn.resize(rows, Vec::new());
        for (row, y) in (window.top..=window.bottom).enumerate() {
            let cells: Vec<(char, u16)> = (window.left..=window.right)
                .map(|x| {
                    buffer.cell(x as u16, y as u16).map_or((' ', 0x07), |c| {
                        (ntemu::kernel32::console::oem_char(c.ch), c.attributes)
                    })
                })
                .collect();
            if self.drawn[row] == cells {
                continue;
            }
            out.push_str(&format!("\x1b[{};1H", row + 1));
            let mut attributes = None;
            for &(ch, a) in &cells {
                if attributes != Some(a) {
                    out.push_str(&sgr(a));
                    attributes = Some(a);
                }
                out.push(if ch.is_control() { ' ' } else { ch });
            }
            self.drawn[row] = cells;
        }
        let (cx, cy) = buffer.cursor;
        let cursor = (
            (i32::from(cx) - i32::from(window.left)).max(0) as u16,
            (i32::from(cy) - i32::from(window.top)).max(0) as u16,
            buffer.cursor_visible,
        );
        if !out.is_empty() || self.drawn_cursor != Some(cursor) {
            out.push_str(&format!("\x1b[{};{}H", cursor.1 + 1, cursor.0 + 1));
            out.push_str(if cursor.2 { "\x1b[?25h" } else { "\x1b[?25l" });
            self.drawn_cursor = Some(cursor);
        }
        if !out.is_empty() {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(out.as_bytes());
            let _ = stdout.flush();
        }
    }

    fn poll_keys(&mut self) -> Vec<Key> {
        terminal_keys(&self.typed.take())
    }
}

/// A background thread reading the host's stdin: what it has brought and not yet been
/// taken, and whether stdin has ended.
struct StdinReader {
    shared: Arc<Mutex<PipeState>>,
}

/// Bytes read and not yet taken, and whether stdin has ended.
type PipeState = (Vec<u8>, bool);

impl StdinReader {
    /// Starts the thread.
    fn start() -> StdinReader {
        let shared = Arc::new(Mutex::new((Vec::new(), false)));
        let sink = shared.clone();
        std::thread::spawn(move || {
            let mut stdin = std::io::stdin();
            let mut buf = [0u8; 4096];
            loop {
                let n = stdin.read(&mut buf).unwrap_or(0);
                let Ok(mut s) = sink.lock() else { break };
                if n == 0 {
                    s.1 = true;
                    break;
                }
                s.0.extend_from_slice(&buf[..n]);
            }
        });
        StdinReader { shared }
    }

    /// The bytes read since the last call.
    fn take(&self) -> Vec<u8> {
        self.shared
            .lock()
            .map(|mut s| std::mem::take(&mut s.0))
            .unwrap_or_default()
    }

    /// True once stdin has ended and every byte was taken.
    fn ended(&self) -> bool {
        self.shared
            .lock()
            .map(|s| s.1 && s.0.is_empty())
            .unwrap_or(false)
    }
}

/// A redirected stdin as the console's keyboard: its bytes become keys, read by a
/// [`StdinReader`] started at the first poll (so a program that never reads its input
/// never waits for the pipe), and its end ends the console input.
#[derive(Default)]
pub struct PipedInput {
    reader: Option<StdinReader>,
}

impl ConsoleHost for PipedInput {
    fn present(&mut self, _console: &Console) {}

    fn poll_keys(&mut self) -> Vec<Key> {
        let reader = self.reader.get_or_insert_with(StdinReader::start);
        reader.take().into_iter().map(Key::Char).collect()
    }

    fn input_closed(&self) -> bool {
        self.reader.as_ref().is_some_and(StdinReader::ended)
    }
}

/// Turns bytes a terminal sent into keys: CSI and SS3 sequences for the cursor and editing
/// keys, DEL as Backspace, anything else as the character itself. An Esc that no `[` or
/// `O` follows in the same read is the Esc key.
pub fn terminal_keys(bytes: &[u8]) -> Vec<Key> {
    let mut keys = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        if b == 0x1B && matches!(bytes.get(i), Some(b'[' | b'O')) {
            // Parameters, then one final byte.
            let start = i + 1;
            let mut end = start;
            while end < bytes.len() && (0x30..=0x3F).contains(&bytes[end]) {
                end += 1;
            }
            if let Some(&last) = bytes.get(end) {
                let vk = match (last, &bytes[start..end]) {
                    (b'A', _) => Some(VK_UP),
                    (b'B', _) => Some(VK_DOWN),
                    (b'C', _) => Some(VK_RIGHT),
                    (b'D', _) => Some(VK_LEFT),
                    (b'H', _) | (b'~', b"1" | b"7") => Some(VK_HOME),
                    (b'F', _) | (b'~', b"4" | b"8") => Some(VK_END),
                    (b'~', b"2") => Some(VK_INSERT),
                    (b'~', b"3") => Some(VK_DELETE),
                    (b'~', b"5") => Some(VK_PRIOR),
                    (b'~', b"6") => Some(VK_NEXT),
                    _ => None,
                };
                if let Some(vk) = vk {
                    keys.push(Key::Virtual(vk));
                }
                i = end + 1;
                continue;
            }
        }
        keys.push(Key::Char(if b == 0x7F { 0x08 } else { b }));
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_become_virtual_keys_and_a_lone_escape_stays_a_key() {
        assert_eq!(
            terminal_keys(b"a\x1b[A\x1b[3~\x1bOB\x7f\x1b"),
            vec![
                Key::Char(b'a'),
                Key::Virtual(VK_UP),
                Key::Virtual(VK_DELETE),
                Key::Virtual(VK_DOWN),
                Key::Char(0x08),
                Key::Char(0x1B),
            ]
        );
    }

    #[test]
    fn colours_map_from_nt_bit_order_to_ansi() {
        // FOREGROUND_RED|FOREGROUND_INTENSITY on BACKGROUND_BLUE.
        assert_eq!(sgr(0x0C | 0x10), "\x1b[0;91;44m");
        assert_eq!(sgr(0x07), "\x1b[0;37;40m");
    }
}
