//! The host terminal as the guest's console, as a console window behaves:
//!
//! - A program that only writes lines to its standard handles streams them to the normal
//!   screen (colours included), where they stay in the scrollback.
//! - Once it uses what only a screen buffer has (cursor positioning, fills, output regions,
//!   scrolling, other screen buffers, input records, keys without line editing), the
//!   active screen buffer's window is drawn on the alternate screen; when the program
//!   ends, the last screen is drawn again on the normal screen, as a console window shows
//!   it after its program exits.
//! - Keys are read raw from stdin by a thread that rings the machine's doorbell, so a
//!   Ctrl+C reaches the program within a quantum whatever it is doing; Ctrl+\ ends ntemu.
//! - A resize (SIGWINCH) redraws everything (see [`Console::resize_to_host`] for how the
//!   buffers follow).
//!
//! Raw mode uses rustix's termios (safe, no `stty` process to spawn, so the modes can be
//! restored from the panic hook or the watchdog too); output post-processing stays on, so a
//! line feed anywhere (a trace line, a panic message) is a new line.

use std::io::{IsTerminal, Read, Write};
use std::sync::{Arc, Mutex};

use ntemu::kernel32::console::{
    Console, ConsoleHost, CtrlEvent, Key, Modifiers, StreamOp, VK_DELETE, VK_DOWN, VK_END, VK_F1,
    VK_HOME, VK_INSERT, VK_LEFT, VK_NEXT, VK_PRIOR, VK_RIGHT, VK_SPACE, VK_TAB, VK_UP, char_key,
    oem_char,
};
use rustix::termios::{OptionalActions, OutputModes, Termios, tcgetattr, tcgetwinsize, tcsetattr};

use crate::interrupts::{HeldOutput, Interrupts, RESTORE, Restore, restore_terminal};

/// Ctrl+\ typed: ntemu ends.
const QUIT_KEY: u8 = 0x1C;

/// The terminal ntemu runs in, raw while this lives.
pub struct Terminal {
    interrupts: Arc<Interrupts>,
    held: Arc<HeldOutput>,
    raw: Termios,
    typed: StdinReader,
    size: (u16, u16),
    /// True while the console is drawn on the alternate screen.
    drawing: bool,
    /// The whole screen must be cleared and drawn again (a resize, a resume).
    stale: bool,
    drawn: Vec<Vec<(char, u16)>>,
    drawn_cursor: Option<(u16, u16, bool)>,
    drawn_title: String,
    /// The attributes the stream's last character had (None: the terminal's defaults).
    stream_attributes: Option<u16>,
}

/// The terminal's modes for ntemu: raw input (no line editing, echo or signal keys), output
/// as it was (a line feed still starts a new line).
fn raw_modes(saved: &Termios) -> Termios {
    let mut raw = saved.clone();
    raw.make_raw();
    raw.output_modes = saved.output_modes;
    if !raw.output_modes.contains(OutputModes::OPOST) {
        raw.output_modes |= OutputModes::OPOST | OutputModes::ONLCR;
    }
    raw
}

/// The terminal's size in columns and rows, if it tells.
fn terminal_size() -> Option<(u16, u16)> {
    let size = tcgetwinsize(std::io::stdout()).ok()?;
    (size.ws_col > 0 && size.ws_row > 0).then_some((size.ws_col, size.ws_row))
}

impl Terminal {
    /// Takes over the terminal when stdin and stdout both are one; None otherwise (the
    /// console then lives in memory only). Typed keys ring the interrupts' doorbell;
    /// output for stderr that must wait while the console is drawn goes to `held`.
    pub fn open(interrupts: Arc<Interrupts>, held: Arc<HeldOutput>) -> Option<Terminal> {
        if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
            return None;
        }
        let saved = tcgetattr(std::io::stdin()).ok()?;
        let raw = raw_modes(&saved);
        tcsetattr(std::io::stdin(), OptionalActions::Now, &raw).ok()?;
        if let Ok(mut restore) = RESTORE.lock() {
            *restore = Some(Restore {
                saved,
                alternate_screen: false,
                title_pushed: false,
                held: held.clone(),
            });
        }
        crate::interrupts::restore_terminal_on_panic();
        let typed = StdinReader::start(Some(interrupts.clone()));
        Some(Terminal {
            interrupts,
            held,
            raw,
            typed,
            size: terminal_size().unwrap_or((80, 25)),
            drawing: false,
            stale: false,
            drawn: Vec::new(),
            drawn_cursor: None,
            drawn_title: String::new(),
            stream_attributes: None,
        })
    }

    /// The terminal's size in columns and rows.
    pub fn size(&self) -> (u16, u16) {
        self.size
    }

    fn write_out(&self, text: &str) {
        if text.is_empty() {
            return;
        }
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.flush();
    }

    /// Starts drawing on the alternate screen.
    fn enter_alternate_screen(&mut self, out: &mut String) {
        out.push_str("\x1b[0m\x1b[?1049h\x1b[2J");
        self.drawing = true;
        self.stale = false;
        self.drawn.clear();
        self.drawn_cursor = None;
        self.held.set_drawing(true);
        if let Ok(mut restore) = RESTORE.lock()
            && let Some(r) = restore.as_mut()
        {
            r.alternate_screen = true;
        }
    }

    /// The last screen drawn, as lines for the normal screen.
    fn last_screen(&self) -> String {
        last_screen(
            &self.drawn,
            self.drawn_cursor.map_or(0, |c| usize::from(c.1)),
        )
    }
}

/// Rows of cells as lines for the normal screen: trailing blanks (on the black background)
/// and blank rows below the text and the cursor's row left out.
fn last_screen(drawn: &[Vec<(char, u16)>], cursor_row: usize) -> String {
    let blank = |&(ch, a): &(char, u16)| ch == ' ' && a & 0xF0 == 0;
    let rows: Vec<&[(char, u16)]> = drawn
        .iter()
        .map(|row| {
            let keep = row.iter().rposition(|c| !blank(c)).map_or(0, |i| i + 1);
            &row[..keep]
        })
        .collect();
    let last = rows
        .iter()
        .rposition(|r| !r.is_empty())
        .map_or(0, |i| i + 1)
        .max((cursor_row + 1).min(rows.len()));
    let mut out = String::new();
    let mut attributes = None;
    for row in &rows[..last] {
        for &(ch, a) in *row {
            if attributes != Some(a) {
                out.push_str(&stream_sgr(a));
                attributes = Some(a);
            }
            out.push(ch);
        }
        out.push_str("\x1b[0m\n");
        attributes = None;
    }
    out
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let restore = RESTORE.lock().ok().and_then(|mut r| r.take());
        if let Some(restore) = restore {
            let screen = if self.drawing {
                self.last_screen()
            } else {
                String::new()
            };
            restore_terminal(&restore, &screen);
        }
        self.held.set_drawing(false);
    }
}

/// The SGR sequence for a console attribute (FOREGROUND_BLUE/GREEN/RED/INTENSITY in the low
/// nibble, the same for the background in the next).
fn sgr(attributes: u16) -> String {
    let (fg, bg) = ansi_colours(attributes);
    format!("\x1b[0;{fg};{bg}m")
}

/// The SGR foreground and background numbers of a console attribute.
fn ansi_colours(attributes: u16) -> (u16, u16) {
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
    (fg, bg)
}

/// The SGR sequence of an attribute on the normal screen: the console's default grey text
/// and black background are the terminal's own default colours.
fn stream_sgr(attributes: u16) -> String {
    let (fg, bg) = ansi_colours(attributes);
    let fg = if attributes & 0xF == 0x7 { 39 } else { fg };
    let bg = if attributes & 0xF0 == 0 { 49 } else { bg };
    format!("\x1b[0;{fg};{bg}m")
}

/// A character of the console as the terminal shows it.
fn shown(ch: u8) -> char {
    let c = oem_char(ch);
    if c.is_control() { ' ' } else { c }
}

impl Terminal {
    /// Draws the active buffer's window (as much of it as the terminal holds) with
    /// changes only, or everything after a resize.
    fn draw(&mut self, console: &Console, out: &mut String) {
        if self.stale {
            out.push_str("\x1b[0m\x1b[2J");
            self.drawn.clear();
            self.drawn_cursor = None;
            self.stale = false;
        }
        let buffer = console.active_buffer();
        let window = buffer.window;
        let (columns, rows) = self.size;
        let height = (window.height().max(0) as usize).min(usize::from(rows));
        let width = (window.width().max(0) as usize).min(usize::from(columns));
        self.drawn.resize(height, Vec::new());
        for row in 0..height {
            let y = i32::from(window.top) + row as i32;
            let cells: Vec<(char, u16)> = (0..width)
                .map(|col| {
                    let x = i32::from(window.left) + col as i32;
                    buffer
                        .cell(x as u16, y as u16)
                        .map_or((' ', 0x07), |c| (shown(c.ch), c.attributes))
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
                out.push(ch);
            }
            // What the last draw had beyond this row's end.
            if self.drawn[row].len() > cells.len() {
                out.push_str("\x1b[0m\x1b[K");
            }
            self.drawn[row] = cells;
        }
        let (cx, cy) = buffer.cursor;
        let (x, y) = (
            i32::from(cx) - i32::from(window.left),
            i32::from(cy) - i32::from(window.top),
        );
        let inside = (0..width as i32).contains(&x) && (0..height as i32).contains(&y);
        let cursor = (
            x.max(0) as u16,
            y.max(0) as u16,
            buffer.cursor_visible && inside,
        );
        if !out.is_empty() || self.drawn_cursor != Some(cursor) {
            out.push_str(&format!("\x1b[{};{}H", cursor.1 + 1, cursor.0 + 1));
            out.push_str(if cursor.2 { "\x1b[?25h" } else { "\x1b[?25l" });
            self.drawn_cursor = Some(cursor);
        }
    }

    /// The window title, when the program changed it (pushed on xterm's title stack the
    /// first time, popped when ntemu ends).
    fn title(&mut self, console: &Console, out: &mut String) {
        if console.title == self.drawn_title {
            return;
        }
        if let Ok(mut restore) = RESTORE.lock()
            && let Some(r) = restore.as_mut()
            && !r.title_pushed
        {
            out.push_str("\x1b[22;0t");
            r.title_pushed = true;
        }
        let title: String = console.title.chars().filter(|c| !c.is_control()).collect();
        out.push_str(&format!("\x1b]0;{title}\x07"));
        self.drawn_title = console.title.clone();
    }
}

impl ConsoleHost for Terminal {
    fn present(&mut self, console: &Console) {
        if self.interrupts.take_continued() {
            // Resumed after a stop: the shell may have put its own modes back.
            let _ = tcsetattr(std::io::stdin(), OptionalActions::Now, &self.raw);
            self.stale = true;
        }
        let mut out = String::new();
        self.title(console, &mut out);
        if console.full_screen {
            if !self.drawing {
                self.enter_alternate_screen(&mut out);
            }
            self.draw(console, &mut out);
        }
        self.write_out(&out);
    }

    fn poll_keys(&mut self) -> Vec<Key> {
        terminal_keys(&self.typed.take())
    }

    fn input_closed(&self) -> bool {
        self.typed.ended()
    }

    fn wants_stream(&self) -> bool {
        true
    }

    fn stream(&mut self, ops: &[StreamOp], _console: &Console) {
        let mut out = String::new();
        for op in ops {
            match *op {
                StreamOp::Glyph { ch, attributes } => {
                    // The console's default colours are the terminal's own.
                    let wanted = (attributes != 0x07).then_some(attributes);
                    if self.stream_attributes != wanted {
                        match wanted {
                            Some(a) => out.push_str(&stream_sgr(a)),
                            None => out.push_str("\x1b[0m"),
                        }
                        self.stream_attributes = wanted;
                    }
                    out.push(shown(ch));
                }
                StreamOp::CarriageReturn => out.push('\r'),
                // Output post-processing makes it CR LF.
                StreamOp::NewLine => out.push('\n'),
                StreamOp::Backspace => out.push('\x08'),
                StreamOp::Bell => out.push('\x07'),
            }
        }
        self.write_out(&out);
    }

    fn poll_ctrl_events(&mut self) -> Vec<CtrlEvent> {
        self.interrupts.take_ctrl_events()
    }

    fn poll_resize(&mut self) -> Option<(u16, u16)> {
        if !self.interrupts.take_resized() {
            return None;
        }
        let size = terminal_size()?;
        self.size = size;
        // Everything is drawn again: the terminal may have reflowed or cut what it showed.
        self.stale = true;
        Some(size)
    }

    fn ctrl_delivered(&mut self, event: CtrlEvent) {
        self.interrupts.ctrl_delivered(event);
    }

    fn stop_requested(&self) -> bool {
        self.interrupts.stop_signal().is_some()
    }
}

/// A background thread reading the host's stdin: what it has brought and not yet been
/// taken, and whether stdin has ended. On a terminal, each read rings the machine's
/// doorbell, and Ctrl+\ asks ntemu to end.
struct StdinReader {
    shared: Arc<Mutex<PipeState>>,
}

/// Bytes read and not yet taken, and whether stdin has ended.
type PipeState = (Vec<u8>, bool);

impl StdinReader {
    /// Starts the thread (`interrupts`: for a terminal).
    fn start(interrupts: Option<Arc<Interrupts>>) -> StdinReader {
        let shared = Arc::new(Mutex::new((Vec::new(), false)));
        let sink = shared.clone();
        let _ = std::thread::Builder::new()
            .name("ntemu-stdin".into())
            .spawn(move || {
                let mut stdin = std::io::stdin();
                let mut buf = [0u8; 4096];
                loop {
                    let n = stdin.read(&mut buf).unwrap_or(0);
                    let mut bytes = &buf[..n];
                    let quit = interrupts.is_some() && bytes.contains(&QUIT_KEY);
                    if let Some(i) = bytes.iter().position(|&b| b == QUIT_KEY)
                        && interrupts.is_some()
                    {
                        bytes = &bytes[..i];
                    }
                    {
                        let Ok(mut s) = sink.lock() else { break };
                        if n == 0 {
                            s.1 = true;
                        }
                        s.0.extend_from_slice(bytes);
                    }
                    if let Some(interrupts) = &interrupts {
                        if quit {
                            interrupts.request_stop(signal_hook::consts::SIGINT);
                        }
                        interrupts.doorbell().ring();
                    }
                    if n == 0 {
                        break;
                    }
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
/// never waits for the pipe), and its end ends the console input. SIGINT is a Ctrl+C.
pub struct PipedInput {
    reader: Option<StdinReader>,
    interrupts: Arc<Interrupts>,
}

impl PipedInput {
    /// A keyboard from stdin, with the control events and stop requests of `interrupts`.
    pub fn new(interrupts: Arc<Interrupts>) -> Self {
        PipedInput {
            reader: None,
            interrupts,
        }
    }
}

impl ConsoleHost for PipedInput {
    fn present(&mut self, _console: &Console) {}

    fn poll_keys(&mut self) -> Vec<Key> {
        let reader = self.reader.get_or_insert_with(|| StdinReader::start(None));
        reader.take().into_iter().map(Key::Char).collect()
    }

    fn input_closed(&self) -> bool {
        self.reader.as_ref().is_some_and(StdinReader::ended)
    }

    fn poll_ctrl_events(&mut self) -> Vec<CtrlEvent> {
        self.interrupts.take_ctrl_events()
    }

    fn ctrl_delivered(&mut self, event: CtrlEvent) {
        self.interrupts.ctrl_delivered(event);
    }

    fn stop_requested(&self) -> bool {
        self.interrupts.stop_signal().is_some()
    }
}

/// The host of a run whose keys come from a key script (`--input`): it types nothing, but
/// SIGINT is a Ctrl+C and the signals that end ntemu stop the run.
pub struct SignalsOnly(pub Arc<Interrupts>);

impl ConsoleHost for SignalsOnly {
    fn present(&mut self, _console: &Console) {}

    fn poll_keys(&mut self) -> Vec<Key> {
        Vec::new()
    }

    fn types_keys(&self) -> bool {
        false
    }

    fn poll_ctrl_events(&mut self) -> Vec<CtrlEvent> {
        self.0.take_ctrl_events()
    }

    fn ctrl_delivered(&mut self, event: CtrlEvent) {
        self.0.ctrl_delivered(event);
    }

    fn stop_requested(&self) -> bool {
        self.0.stop_signal().is_some()
    }
}

/// Turns bytes a terminal sent into keys, decoding the escape sequences of xterm and its
/// kin (VT220, rxvt, the Linux console):
///
/// - F1-F4 as SS3 P/Q/R/S (or CSI P/Q/R/S with modifiers, CSI 11~-14~, Linux's CSI [A-[D),
///   F5-F12 as CSI 15~, 17~-21~, 23~, 24~ (Linux's CSI [E for F5);
/// - the arrows as CSI or SS3 A/B/C/D; Home and End as CSI or SS3 H/F, CSI 1~/7~ and
///   4~/8~; Insert, Delete, Page Up, Page Down as CSI 2~, 3~, 5~, 6~; Shift+Tab as CSI Z;
/// - xterm's modifier parameter (`CSI 1;5A` is Ctrl+Up, `CSI 15;2~` Shift+F5: 1 + Shift 1,
///   Alt 2, Ctrl 4, Meta 8 taken as Alt), rxvt's modified forms (CSI a-d Shift+arrow, SS3
///   a-d Ctrl+arrow, `$`, `^`, `@` for Shift, Ctrl, Ctrl+Shift in place of `~`), and
///   xterm's modifyOtherKeys (`CSI 27;m;c~`) and the `CSI c;m u` form for any character key;
/// - Alt as an Esc prefix (`ESC x` is Alt+x, `ESC CSI A` Alt+Up).
///
/// DEL is Backspace and NUL Ctrl+Space; any other byte is the character itself. An Esc
/// that nothing follows in the same read is the Esc key, and so is one followed by another
/// Esc; a sequence cut short is taken as Alt and the characters it holds; a well-formed
/// sequence that names no key (a focus report, say) is dropped.
pub fn terminal_keys(bytes: &[u8]) -> Vec<Key> {
    let mut keys = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let (key, used) = next_key(&bytes[i..]);
        keys.extend(key);
        i += used.max(1);
    }
    keys
}

/// The key at the start of `bytes` (None for a sequence naming none) and the bytes it took.
fn next_key(bytes: &[u8]) -> (Option<Key>, usize) {
    match bytes {
        [] => (None, 0),
        [0x1B, rest @ ..] => {
            if let Some((key, used)) = escape_sequence(rest) {
                return (key, 1 + used);
            }
            match rest.first() {
                // Alt as a prefix: the next key with Alt (an Esc only when a sequence
                // follows it: two Escs alone are two Esc keys).
                Some(&b) if b != 0x1B || escape_sequence(&rest[1..]).is_some() => {
                    let (key, used) = next_key(rest);
                    (key.map(|k| k.with_modifiers(Modifiers::ALT)), 1 + used)
                }
                _ => (Some(Key::Char(0x1B)), 1),
            }
        }
        [0x7F, ..] => (Some(Key::Char(0x08)), 1),
        [0x00, ..] => (Some(Key::chord(VK_SPACE, Modifiers::CTRL)), 1),
        [b, ..] => (Some(Key::Char(*b)), 1),
    }
}

/// The modifiers of xterm's parameter: 1 + (Shift 1, Alt 2, Ctrl 4, Meta 8).
fn xterm_modifiers(parameter: u32) -> Modifiers {
    let bits = parameter.saturating_sub(1);
    let mut modifiers = Modifiers::NONE;
    if bits & 1 != 0 {
        modifiers = modifiers | Modifiers::SHIFT;
    }
    if bits & (2 | 8) != 0 {
        modifiers = modifiers | Modifiers::ALT;
    }
    if bits & 4 != 0 {
        modifiers = modifiers | Modifiers::CTRL;
    }
    modifiers
}

/// The key of a letter ending a CSI or SS3 sequence.
fn final_letter_key(last: u8) -> Option<u16> {
    Some(match last {
        b'A' => VK_UP,
        b'B' => VK_DOWN,
        b'C' => VK_RIGHT,
        b'D' => VK_LEFT,
        b'H' => VK_HOME,
        b'F' => VK_END,
        b'P'..=b'S' => VK_F1 + u16::from(last - b'P'),
        _ => return None,
    })
}

/// The key of `CSI n ~`.
fn tilde_key(n: u32) -> Option<u16> {
    Some(match n {
        1 | 7 => VK_HOME,
        2 => VK_INSERT,
        3 => VK_DELETE,
        4 | 8 => VK_END,
        5 => VK_PRIOR,
        6 => VK_NEXT,
        11..=15 => VK_F1 + (n - 11) as u16,
        17..=21 => VK_F1 + 5 + (n - 17) as u16,
        23 | 24 => VK_F1 + 10 + (n - 23) as u16,
        _ => return None,
    })
}

/// A character code with modifiers (modifyOtherKeys, `CSI u`) as a key.
fn code_key(code: u32, modifiers: Modifiers) -> Option<Key> {
    let c = u8::try_from(code).ok().filter(|c| c.is_ascii())?;
    let c = if c == 0x7F { 0x08 } else { c };
    let (vk, implied) = char_key(c)?;
    Some(Key::chord(vk, implied | modifiers))
}

/// Decodes the escape sequence after an ESC: `Some((key, bytes used))` for a complete CSI
/// or SS3 sequence (the key None when it names none), None when `rest` starts none.
fn escape_sequence(rest: &[u8]) -> Option<(Option<Key>, usize)> {
    let introducer = *rest.first()?;
    if introducer != b'[' && introducer != b'O' {
        return None;
    }
    // The Linux console's F1-F5: CSI [ A to CSI [ E.
    if introducer == b'[' && rest.get(1) == Some(&b'[') {
        let &last = rest.get(2)?;
        let key = (b'A'..=b'E')
            .contains(&last)
            .then(|| Key::Virtual(VK_F1 + u16::from(last - b'A')));
        return Some((key, 3));
    }
    // Parameter bytes, intermediate bytes, then one final byte.
    let mut end = 1;
    while rest.get(end).is_some_and(|b| (0x30..=0x3F).contains(b)) {
        end += 1;
    }
    let parameters = &rest[1..end];
    // rxvt ends modified keys with `$`, which is otherwise an intermediate byte.
    while rest.get(end).is_some_and(|b| (0x20..=0x2F).contains(b))
        && !(introducer == b'[' && rest.get(end) == Some(&b'$'))
    {
        end += 1;
    }
    let &last = rest.get(end)?;
    if !(0x40..=0x7E).contains(&last) && last != b'$' {
        return None;
    }
    let used = end + 1;
    // Only plain decimal parameters name keys ("<", "=", ">", "?" mark private ones).
    let numbers: Option<Vec<u32>> = std::str::from_utf8(parameters)
        .ok()
        .filter(|p| p.bytes().all(|b| b.is_ascii_digit() || b == b';'))
        .map(|p| {
            p.split(';')
                .map(|n| {
                    if n.is_empty() {
                        Some(1)
                    } else {
                        n.parse().ok()
                    }
                })
                .collect::<Option<Vec<u32>>>()
        })
        .unwrap_or(None);
    let Some(numbers) = numbers else {
        return Some((None, used));
    };
    let number = |i: usize| numbers.get(i).copied();
    let key = match (introducer, last) {
        // Modifiers: xterm's second parameter, or old xterm's lone one (CSI 5A, SS3 5P).
        (_, b'A'..=b'D' | b'H' | b'F' | b'P'..=b'S') => {
            let modifier = if parameters.is_empty() {
                1
            } else if numbers.len() == 1 {
                numbers[0]
            } else {
                number(1).unwrap_or(1)
            };
            final_letter_key(last).map(|vk| Key::chord(vk, xterm_modifiers(modifier)))
        }
        (b'[', b'Z') => Some(Key::chord(VK_TAB, Modifiers::SHIFT)),
        // rxvt: Shift+arrows as CSI a-d, Ctrl+arrows as SS3 a-d.
        (b'[', b'a'..=b'd') => {
            final_letter_key(last - 0x20).map(|vk| Key::chord(vk, Modifiers::SHIFT))
        }
        (b'O', b'a'..=b'd') => {
            final_letter_key(last - 0x20).map(|vk| Key::chord(vk, Modifiers::CTRL))
        }
        (b'[', b'~' | b'$' | b'^' | b'@') => {
            let rxvt = match last {
                b'$' => Modifiers::SHIFT,
                b'^' => Modifiers::CTRL,
                b'@' => Modifiers::CTRL | Modifiers::SHIFT,
                _ => Modifiers::NONE,
            };
            let modifiers = xterm_modifiers(number(1).unwrap_or(1)) | rxvt;
            match number(0) {
                // xterm's modifyOtherKeys: CSI 27 ; modifier ; code ~.
                Some(27) if last == b'~' => number(2).and_then(|code| code_key(code, modifiers)),
                Some(n) => tilde_key(n).map(|vk| Key::chord(vk, modifiers)),
                None => None,
            }
        }
        // CSI code ; modifier u.
        (b'[', b'u') => {
            number(0).and_then(|code| code_key(code, xterm_modifiers(number(1).unwrap_or(1))))
        }
        _ => None,
    };
    Some((key, used))
}

#[cfg(test)]
mod tests {
    use super::*;

    use ntemu::kernel32::console::{VK_BACK, VK_ESCAPE, VK_RETURN};

    const NONE: Modifiers = Modifiers::NONE;
    const S: Modifiers = Modifiers::SHIFT;
    const C: Modifiers = Modifiers::CTRL;
    const A: Modifiers = Modifiers::ALT;

    /// The one key `bytes` decode to.
    fn one(bytes: &[u8]) -> Key {
        let keys = terminal_keys(bytes);
        assert_eq!(keys.len(), 1, "{bytes:?}: {keys:?}");
        keys[0]
    }

    fn f(n: u16) -> u16 {
        VK_F1 + n - 1
    }

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
    fn function_keys_in_every_form() {
        // SS3 P-S (xterm), CSI 11~-14~ (VT220, rxvt), CSI [A-[E (the Linux console).
        for (n, ss3, vt, linux) in [
            (1, b'P', 11, b'A'),
            (2, b'Q', 12, b'B'),
            (3, b'R', 13, b'C'),
            (4, b'S', 14, b'D'),
        ] {
            assert_eq!(one(&[0x1B, b'O', ss3]), Key::Virtual(f(n)));
            assert_eq!(one(format!("\x1b[{vt}~").as_bytes()), Key::Virtual(f(n)));
            assert_eq!(one(&[0x1B, b'[', b'[', linux]), Key::Virtual(f(n)));
        }
        assert_eq!(one(b"\x1b[[E"), Key::Virtual(f(5)));
        for (n, code) in [
            (5, 15),
            (6, 17),
            (7, 18),
            (8, 19),
            (9, 20),
            (10, 21),
            (11, 23),
            (12, 24),
        ] {
            assert_eq!(one(format!("\x1b[{code}~").as_bytes()), Key::Virtual(f(n)));
        }
        // With xterm's modifier parameter.
        assert_eq!(one(b"\x1b[1;2P"), Key::chord(f(1), S));
        assert_eq!(one(b"\x1bO5S"), Key::chord(f(4), C));
        assert_eq!(one(b"\x1b[15;5~"), Key::chord(f(5), C));
        assert_eq!(one(b"\x1b[24;8~"), Key::chord(f(12), S | A | C));
        assert_eq!(one(b"\x1b[19;3~"), Key::chord(f(8), A));
        // rxvt's Shift and Ctrl forms.
        assert_eq!(one(b"\x1b[15$"), Key::chord(f(5), S));
        assert_eq!(one(b"\x1b[17^"), Key::chord(f(6), C));
        assert_eq!(one(b"\x1b[18@"), Key::chord(f(7), S | C));
    }

    #[test]
    fn cursor_and_editing_keys_in_every_form() {
        for (last, vk) in [
            (b'A', VK_UP),
            (b'B', VK_DOWN),
            (b'C', VK_RIGHT),
            (b'D', VK_LEFT),
            (b'H', VK_HOME),
            (b'F', VK_END),
        ] {
            assert_eq!(one(&[0x1B, b'[', last]), Key::Virtual(vk));
            assert_eq!(one(&[0x1B, b'O', last]), Key::Virtual(vk));
            // CSI 1;m X: Shift 2, Alt 3, Ctrl 5, Ctrl+Shift 6, Meta as Alt.
            let with = |m: &str, modifiers: Modifiers| {
                let mut bytes = format!("\x1b[1;{m}").into_bytes();
                bytes.push(last);
                assert_eq!(one(&bytes), Key::chord(vk, modifiers), "{m}");
            };
            with("2", S);
            with("3", A);
            with("4", S | A);
            with("5", C);
            with("6", S | C);
            with("7", A | C);
            with("8", S | A | C);
            with("9", A);
            with("1", NONE);
        }
        for (code, vk) in [
            ("1", VK_HOME),
            ("7", VK_HOME),
            ("4", VK_END),
            ("8", VK_END),
            ("2", VK_INSERT),
            ("3", VK_DELETE),
            ("5", VK_PRIOR),
            ("6", VK_NEXT),
        ] {
            assert_eq!(one(format!("\x1b[{code}~").as_bytes()), Key::Virtual(vk));
            assert_eq!(one(format!("\x1b[{code};5~").as_bytes()), Key::chord(vk, C));
        }
        // Old xterm's lone modifier, rxvt's Shift and Ctrl arrows, back-tab.
        assert_eq!(one(b"\x1b[5A"), Key::chord(VK_UP, C));
        assert_eq!(one(b"\x1b[a"), Key::chord(VK_UP, S));
        assert_eq!(one(b"\x1bOd"), Key::chord(VK_LEFT, C));
        assert_eq!(one(b"\x1b[2$"), Key::chord(VK_INSERT, S));
        assert_eq!(one(b"\x1b[Z"), Key::chord(VK_TAB, S));
    }

    #[test]
    fn alt_comes_as_an_escape_prefix() {
        assert_eq!(one(b"\x1bx"), Key::chord(0x58, A));
        assert_eq!(one(b"\x1bX"), Key::chord(0x58, A | S));
        assert_eq!(one(b"\x1b\x18"), Key::chord(0x58, A | C));
        assert_eq!(one(b"\x1b\r"), Key::chord(VK_RETURN, A));
        assert_eq!(one(b"\x1b\x7f"), Key::chord(VK_BACK, A));
        assert_eq!(one(b"\x1b\x1b[A"), Key::chord(VK_UP, A));
        assert_eq!(one(b"\x1b\x1bOP"), Key::chord(f(1), A));
        assert_eq!(one(b"\x1b\x1b[1;5C"), Key::chord(VK_RIGHT, A | C));
        // A character no key types keeps no Alt.
        assert_eq!(one(b"\x1b\xe9"), Key::Char(0xE9));
        // Two Escs are two Esc keys; Esc ending the read is the Esc key.
        assert_eq!(terminal_keys(b"\x1b\x1b"), vec![Key::Char(0x1B); 2]);
        assert_eq!(
            terminal_keys(b"q\x1b"),
            vec![Key::Char(b'q'), Key::Char(0x1B)]
        );
        // A sequence cut short: Alt+[ and its characters.
        assert_eq!(
            terminal_keys(b"\x1b[1;"),
            vec![Key::chord(0xDB, A), Key::Char(b'1'), Key::Char(b';')]
        );
        assert_eq!(one(b"\x1bO"), Key::chord(0x4F, A | S));
    }

    #[test]
    fn character_keys_with_modifiers_from_modify_other_keys_and_csi_u() {
        assert_eq!(one(b"\x1b[27;5;9~"), Key::chord(VK_TAB, C));
        assert_eq!(one(b"\x1b[27;2;13~"), Key::chord(VK_RETURN, S));
        assert_eq!(one(b"\x1b[27;7;97~"), Key::chord(0x41, A | C));
        assert_eq!(one(b"\x1b[99;5u"), Key::chord(0x43, C));
        assert_eq!(one(b"\x1b[97;6u"), Key::chord(0x41, S | C));
        assert_eq!(one(b"\x1b[27u"), Key::Virtual(VK_ESCAPE));
        assert_eq!(one(b"\x1b[127;3u"), Key::chord(VK_BACK, A));
    }

    #[test]
    fn control_bytes_and_unknown_sequences() {
        assert_eq!(one(b"\x00"), Key::chord(VK_SPACE, C));
        assert_eq!(one(b"\x01"), Key::Char(0x01));
        assert_eq!(one(b"\r"), Key::Char(b'\r'));
        // Focus reports, private and unknown sequences name no key and are dropped.
        assert_eq!(
            terminal_keys(b"\x1b[I\x1b[O\x1b[?1;2c\x1b[99~\x1b[200~x"),
            vec![Key::Char(b'x')]
        );
        // Numbers too large for a parameter.
        assert_eq!(terminal_keys(b"\x1b[99999999999~y"), vec![Key::Char(b'y')]);
        // Every key decoded here makes key records, a key down first.
        for bytes in [
            &b"\x1b[1;6H"[..],
            b"\x1bOQ",
            b"\x1b[24;8~",
            b"\x1bx",
            b"\x00",
        ] {
            let events = ntemu::kernel32::console::key_events(one(bytes));
            assert!(events[0].key_down && !events.last().unwrap().key_down);
        }
    }

    #[test]
    fn the_normal_screen_uses_the_terminals_default_colours_for_the_consoles() {
        assert_eq!(stream_sgr(0x07), "\x1b[0;39;49m");
        assert_eq!(stream_sgr(0x0C), "\x1b[0;91;49m");
        assert_eq!(stream_sgr(0x17), "\x1b[0;39;44m");
    }

    #[test]
    fn the_last_screen_leaves_out_trailing_blanks_and_rows() {
        let row =
            |text: &str, a: u16| -> Vec<(char, u16)> { text.chars().map(|c| (c, a)).collect() };
        let drawn = vec![
            row("ab  ", 0x07),
            row("    ", 0x07),
            row(" x  ", 0x1F),
            row("    ", 0x07),
            row("    ", 0x07),
        ];
        // Blue cells stay (they show); blank rows below the text and the cursor go.
        assert_eq!(
            last_screen(&drawn, 0),
            "\x1b[0;39;49mab\x1b[0m\n\x1b[0m\n\x1b[0;97;44m x  \x1b[0m\n"
        );
        assert_eq!(last_screen(&drawn, 3).matches('\n').count(), 4);
    }

    #[test]
    fn colours_map_from_nt_bit_order_to_ansi() {
        // FOREGROUND_RED|FOREGROUND_INTENSITY on BACKGROUND_BLUE.
        assert_eq!(sgr(0x0C | 0x10), "\x1b[0;91;44m");
        assert_eq!(sgr(0x07), "\x1b[0;37;40m");
    }
}
