//! The console: screen buffers of character/attribute cells with a cursor, the title, the
//! input queue and the control handlers. ntemu keeps them in memory; a [`ConsoleHost`] (the
//! command line's terminal) shows them and types into them, and `--screen` writes the
//! active buffer out as text. Output written to the console advances the cursor with NT's
//! processed-output rules (CR, LF as a new line, BS, TAB, wrap at the right edge, scroll at
//! the bottom).
//!
//! A host sees the console in one of two ways. While the program only writes lines to its
//! standard handles, what it writes is a stream ([`StreamOp`]s, see
//! [`ConsoleHost::stream`]), as a terminal shows a Unix program's output. Once the program
//! uses what only a screen buffer has (cursor positioning, fills, output regions,
//! scrolling, other screen buffers, input records, raw input), the console is
//! [`Console::full_screen`] and the host draws the active buffer's window.
pub use crate::console_api::{input_wait, read_cooked, serve_host, sync_console};

mod keys;
pub use keys::*;

use std::sync::{Arc, Weak};

use nt_object::Object;

/// The default screen buffer and window: 80 columns by 25 rows.
pub const DEFAULT_SIZE: (u16, u16) = (80, 25);
/// The largest console window NT would show (GetLargestConsoleWindowSize on a 1024x768
/// screen with the default font).
pub const LARGEST_WINDOW: (u16, u16) = (128, 60);
/// The machine's screen is `width` x `height` pixels: the largest console window is what
/// fits in its work area (less the taskbar, 28 pixels) under a caption (19 pixels) in the
/// default font's 8 x 12 cells.
pub fn set_screen_pixels(state: &mut win32::Win32State, width: u32, height: u32) {
    let columns = (width / 8).clamp(1, u32::from(MAX_DIMENSION)) as u16;
    let rows = (height.saturating_sub(28 + 19) / 12).clamp(1, u32::from(MAX_DIMENSION)) as u16;
    use crate::K32;
    state.k32().console_screen_largest = Some((columns, rows));
}

/// Light grey on black: the attribute a new console starts with.
pub const DEFAULT_ATTRIBUTES: u16 = 0x07;

/// One cell: a character (in the OEM code page) and its attributes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Cell {
    /// The character.
    pub ch: u8,
    /// FOREGROUND_* | BACKGROUND_* bits.
    pub attributes: u16,
}

/// A console screen buffer.
#[derive(Clone, Debug)]
pub struct ScreenBuffer {
    /// Columns.
    pub width: u16,
    /// Rows.
    pub height: u16,
    cells: Vec<Cell>,
    /// The cursor (column, row).
    pub cursor: (u16, u16),
    /// CONSOLE_CURSOR_INFO.dwSize (1-100).
    pub cursor_size: u32,
    /// CONSOLE_CURSOR_INFO.bVisible.
    pub cursor_visible: bool,
    /// The attributes new text gets.
    pub attributes: u16,
    /// The window onto the buffer (SMALL_RECT, inclusive).
    pub window: Rect,
    /// The output mode (ENABLE_PROCESSED_OUTPUT | ENABLE_WRAP_AT_EOL_OUTPUT).
    pub mode: u32,
    /// The attributes of pop-up windows (CONSOLE_SCREEN_BUFFER_INFOEX.wPopupAttributes).
    pub popup_attributes: u16,
    /// The 16 colours attributes name, as COLORREFs (CONSOLE_SCREEN_BUFFER_INFOEX).
    pub color_table: [u32; 16],
    /// What writes did, in order, while a host follows the buffer as a stream (None: not
    /// recorded); see [`ScreenBuffer::take_stream`].
    stream: Option<Vec<StreamOp>>,
}

/// What a write did to a screen buffer, for a host that shows the console's output as a
/// stream of lines (a terminal's normal screen) rather than drawing the buffer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StreamOp {
    /// A character (in the OEM code page) with these attributes went to the cursor, which
    /// moved one column right.
    Glyph {
        /// The character.
        ch: u8,
        /// Its FOREGROUND_* | BACKGROUND_* bits.
        attributes: u16,
    },
    /// CR: the cursor went to the start of its row.
    CarriageReturn,
    /// LF, or text wrapping at the right edge: the cursor went to the start of the next
    /// row, the buffer scrolling at the bottom.
    NewLine,
    /// BS: the cursor went one column left.
    Backspace,
    /// BEL.
    Bell,
}

/// The most stream operations a buffer keeps for a host that has not taken them (the
/// oldest half goes beyond it).
const MAX_STREAM: usize = 1 << 20;

/// The pop-up attributes of the console's first screen buffer: magenta on white.
pub const DEFAULT_POPUP_ATTRIBUTES: u16 = 0xF5;

/// The console's 16 colours (black, blue, green, cyan, red, magenta, brown, light grey,
/// then their bright forms) as COLORREFs (0x00BBGGRR).
pub const DEFAULT_COLOR_TABLE: [u32; 16] = [
    0x000000, 0x800000, 0x008000, 0x808000, 0x000080, 0x800080, 0x008080, 0xC0C0C0, 0x808080,
    0xFF0000, 0x00FF00, 0xFFFF00, 0x0000FF, 0xFF00FF, 0x00FFFF, 0xFFFFFF,
];

/// ENABLE_PROCESSED_OUTPUT: control characters move the cursor rather than print.
pub const ENABLE_PROCESSED_OUTPUT: u32 = 0x1;
/// ENABLE_WRAP_AT_EOL_OUTPUT: text wraps to the next row at the right edge.
pub const ENABLE_WRAP_AT_EOL_OUTPUT: u32 = 0x2;
/// ENABLE_PROCESSED_INPUT: Ctrl+C is a signal, not a key.
pub const ENABLE_PROCESSED_INPUT: u32 = 0x1;
/// ENABLE_WINDOW_INPUT: changes of the screen buffer's size come as
/// WINDOW_BUFFER_SIZE_EVENT input records.
pub const ENABLE_WINDOW_INPUT: u32 = 0x8;
/// INPUT_RECORD.EventType of a WINDOW_BUFFER_SIZE_RECORD.
pub const WINDOW_BUFFER_SIZE_EVENT: u16 = 0x4;
/// CTRL_C_EVENT: the HandlerRoutine's argument for Ctrl+C.
pub const CTRL_C_EVENT: u32 = 0;
/// CTRL_BREAK_EVENT: the HandlerRoutine's argument for Ctrl+Break.
pub const CTRL_BREAK_EVENT: u32 = 1;

/// A console control event, as NT delivers it to HandlerRoutines.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum CtrlEvent {
    /// Ctrl+C (CTRL_C_EVENT): a key with processed input, else a key like any other;
    /// SetConsoleCtrlHandler(NULL, TRUE) ignores it.
    C,
    /// Ctrl+Break (CTRL_BREAK_EVENT): always a signal, never ignored.
    Break,
}

impl CtrlEvent {
    /// CTRL_C_EVENT or CTRL_BREAK_EVENT.
    pub fn code(self) -> u32 {
        match self {
            CtrlEvent::C => CTRL_C_EVENT,
            CtrlEvent::Break => CTRL_BREAK_EVENT,
        }
    }
}

/// The WINDOW_BUFFER_SIZE_RECORD input record of a buffer of `columns` x `rows`.
pub fn window_buffer_size_record(columns: u16, rows: u16) -> [u8; INPUT_RECORD_SIZE] {
    let mut b = [0u8; INPUT_RECORD_SIZE];
    b[0..2].copy_from_slice(&WINDOW_BUFFER_SIZE_EVENT.to_le_bytes());
    b[4..6].copy_from_slice(&columns.to_le_bytes());
    b[6..8].copy_from_slice(&rows.to_le_bytes());
    b
}
/// ENABLE_LINE_INPUT | ENABLE_ECHO_INPUT | ENABLE_PROCESSED_INPUT: a new console's input mode.
pub const DEFAULT_INPUT_MODE: u32 = 0x7;
/// The input mode bits NT accepts (processed, line, echo, window, mouse input).
pub const VALID_INPUT_MODE: u32 = 0x1F;
/// The largest buffer dimension NT accepts (a COORD is signed 16-bit).
pub const MAX_DIMENSION: u16 = 0x7FFF;

/// A SMALL_RECT: left, top, right, bottom, all inclusive.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Rect {
    /// Leftmost column.
    pub left: i16,
    /// Top row.
    pub top: i16,
    /// Rightmost column.
    pub right: i16,
    /// Bottom row.
    pub bottom: i16,
}

impl Rect {
    /// The rectangle from its SMALL_RECT bytes.
    pub fn from_bytes(b: [u8; 8]) -> Self {
        let v = |i: usize| i16::from_le_bytes([b[i], b[i + 1]]);
        Rect {
            left: v(0),
            top: v(2),
            right: v(4),
            bottom: v(6),
        }
    }

    /// Its SMALL_RECT bytes.
    pub fn to_bytes(self) -> [u8; 8] {
        let mut b = [0u8; 8];
        for (i, v) in [self.left, self.top, self.right, self.bottom]
            .into_iter()
            .enumerate()
        {
            b[2 * i..2 * i + 2].copy_from_slice(&v.to_le_bytes());
        }
        b
    }

    /// True when it holds no cell.
    pub fn is_empty(self) -> bool {
        self.left > self.right || self.top > self.bottom
    }

    /// The cells both rectangles hold.
    pub fn intersect(self, other: Rect) -> Rect {
        Rect {
            left: self.left.max(other.left),
            top: self.top.max(other.top),
            right: self.right.min(other.right),
            bottom: self.bottom.min(other.bottom),
        }
    }

    /// True when (x, y) lies inside.
    pub fn contains(self, x: i32, y: i32) -> bool {
        (i32::from(self.left)..=i32::from(self.right)).contains(&x)
            && (i32::from(self.top)..=i32::from(self.bottom)).contains(&y)
    }

    /// Columns.
    pub fn width(self) -> i32 {
        i32::from(self.right) - i32::from(self.left) + 1
    }

    /// Rows.
    pub fn height(self) -> i32 {
        i32::from(self.bottom) - i32::from(self.top) + 1
    }
}

impl ScreenBuffer {
    /// A blank buffer.
    pub fn new(width: u16, height: u16) -> Self {
        ScreenBuffer {
            width,
            height,
            cells: vec![
                Cell {
                    ch: b' ',
                    attributes: DEFAULT_ATTRIBUTES
                };
                usize::from(width) * usize::from(height)
            ],
            cursor: (0, 0),
            cursor_size: 25,
            cursor_visible: true,
            attributes: DEFAULT_ATTRIBUTES,
            window: Rect {
                left: 0,
                top: 0,
                right: width as i16 - 1,
                bottom: height as i16 - 1,
            },
            mode: ENABLE_PROCESSED_OUTPUT | ENABLE_WRAP_AT_EOL_OUTPUT,
            popup_attributes: DEFAULT_POPUP_ATTRIBUTES,
            color_table: DEFAULT_COLOR_TABLE,
            stream: None,
        }
    }

    /// Starts (or with false stops) recording what writes do, for a host following the
    /// buffer as a stream.
    pub fn record_stream(&mut self, on: bool) {
        match (on, self.stream.is_some()) {
            (true, false) => self.stream = Some(Vec::new()),
            (false, _) => self.stream = None,
            _ => {}
        }
    }

    /// True while writes are recorded as a stream.
    pub fn is_streaming(&self) -> bool {
        self.stream.is_some()
    }

    /// What writes did since the last call, in order (empty when not recording).
    pub fn take_stream(&mut self) -> Vec<StreamOp> {
        self.stream.as_mut().map(std::mem::take).unwrap_or_default()
    }

    fn log(&mut self, op: StreamOp) {
        if let Some(stream) = &mut self.stream {
            if stream.len() >= MAX_STREAM {
                stream.drain(..MAX_STREAM / 2);
            }
            stream.push(op);
        }
    }

    /// The buffer's size becomes `columns` x `rows` and its window the whole of it, the
    /// text kept at the top left (a console whose buffer follows its window's size).
    pub fn fit(&mut self, columns: u16, rows: u16) {
        let (columns, rows) = (
            columns.clamp(1, MAX_DIMENSION),
            rows.clamp(1, MAX_DIMENSION),
        );
        self.window = Rect {
            left: 0,
            top: 0,
            right: columns.min(self.width) as i16 - 1,
            bottom: rows.min(self.height) as i16 - 1,
        };
        if self.resize(columns, rows).is_some() {
            self.window = self.bounds();
        }
    }

    /// The window takes the size `columns` x `rows`, as far as the buffer allows, keeping
    /// its top left corner where it can (a console window resized over a buffer that
    /// keeps its size).
    pub fn set_window_size(&mut self, columns: u16, rows: u16) {
        let w = columns.clamp(1, self.width) as i16;
        let h = rows.clamp(1, self.height) as i16;
        let left = self.window.left.clamp(0, self.width as i16 - w);
        let top = self.window.top.clamp(0, self.height as i16 - h);
        self.window = Rect {
            left,
            top,
            right: left + w - 1,
            bottom: top + h - 1,
        };
    }

    /// The whole buffer as a rectangle.
    pub fn bounds(&self) -> Rect {
        Rect {
            left: 0,
            top: 0,
            right: self.width as i16 - 1,
            bottom: self.height as i16 - 1,
        }
    }

    /// Sets the cell at (x, y); outside the buffer nothing happens.
    pub fn set_cell(&mut self, x: u16, y: u16, cell: Cell) {
        if self.contains(x, y) {
            let i = self.index(x, y);
            self.cells[i] = cell;
        }
    }

    /// SetConsoleScreenBufferSize: the new size keeps the old text at the top left; the
    /// window and cursor are kept inside. None when the size is not allowed (below the
    /// window's size, zero or above [`MAX_DIMENSION`]).
    pub fn resize(&mut self, width: u16, height: u16) -> Option<()> {
        if width == 0
            || height == 0
            || width > MAX_DIMENSION
            || height > MAX_DIMENSION
            || i32::from(width) < self.window.width()
            || i32::from(height) < self.window.height()
        {
            return None;
        }
        let blank = Cell {
            ch: b' ',
            attributes: self.attributes,
        };
        let mut cells = vec![blank; usize::from(width) * usize::from(height)];
        for y in 0..height.min(self.height) {
            for x in 0..width.min(self.width) {
                cells[usize::from(y) * usize::from(width) + usize::from(x)] =
                    self.cells[self.index(x, y)];
            }
        }
        self.cells = cells;
        self.width = width;
        self.height = height;
        // The window slides back inside the buffer.
        let (w, h) = (self.window.width() as i16, self.window.height() as i16);
        let left = self.window.left.min(width as i16 - w).max(0);
        let top = self.window.top.min(height as i16 - h).max(0);
        self.window = Rect {
            left,
            top,
            right: left + w - 1,
            bottom: top + h - 1,
        };
        self.cursor = (self.cursor.0.min(width - 1), self.cursor.1.min(height - 1));
        Some(())
    }

    /// Cells from (x, y) on in reading order, wrapping rows, stopping at the buffer's end
    /// (ReadConsoleOutputCharacter / Attribute).
    pub fn read_run(&self, x: u16, y: u16, count: u32) -> &[Cell] {
        if !self.contains(x, y) {
            return &[];
        }
        let start = self.index(x, y);
        let end = (start + count as usize).min(self.cells.len());
        &self.cells[start..end]
    }

    /// ScrollConsoleScreenBuffer: moves the cells of `scroll` so its top left lands on
    /// `dest`, fills what the move uncovers with `fill`, and changes nothing outside `clip`
    /// (the whole buffer when None). None when the scroll rectangle lies outside the buffer.
    pub fn scroll(
        &mut self,
        scroll: Rect,
        clip: Option<Rect>,
        dest: (i16, i16),
        fill: Cell,
    ) -> Option<()> {
        let bounds = self.bounds();
        let source = scroll.intersect(bounds);
        if source.is_empty() {
            return None;
        }
        let clip = clip.unwrap_or(bounds).intersect(bounds);
        // Where the clipped source's corner lands: the destination moves with the clipping
        // of the scroll rectangle.
        let dx = i32::from(dest.0) - i32::from(scroll.left);
        let dy = i32::from(dest.1) - i32::from(scroll.top);
        let mut moved = Vec::with_capacity((source.width() * source.height()) as usize);
        for y in source.top..=source.bottom {
            for x in source.left..=source.right {
                moved.push(self.cells[self.index(x as u16, y as u16)]);
            }
        }
        for y in source.top..=source.bottom {
            for x in source.left..=source.right {
                if clip.contains(i32::from(x), i32::from(y)) {
                    let i = self.index(x as u16, y as u16);
                    self.cells[i] = fill;
                }
            }
        }
        let mut next = moved.into_iter();
        for y in source.top..=source.bottom {
            for x in source.left..=source.right {
                let cell = next.next()?;
                let (tx, ty) = (i32::from(x) + dx, i32::from(y) + dy);
                if clip.contains(tx, ty) {
                    let i = self.index(tx as u16, ty as u16);
                    self.cells[i] = cell;
                }
            }
        }
        Some(())
    }

    fn index(&self, x: u16, y: u16) -> usize {
        usize::from(y) * usize::from(self.width) + usize::from(x)
    }

    /// True when (x, y) is inside the buffer.
    pub fn contains(&self, x: u16, y: u16) -> bool {
        x < self.width && y < self.height
    }

    /// The cell at (x, y).
    pub fn cell(&self, x: u16, y: u16) -> Option<Cell> {
        self.contains(x, y).then(|| self.cells[self.index(x, y)])
    }

    fn scroll_up(&mut self) {
        let w = usize::from(self.width);
        self.cells.drain(..w);
        self.cells.extend(std::iter::repeat_n(
            Cell {
                ch: b' ',
                attributes: self.attributes,
            },
            w,
        ));
    }

    fn new_line(&mut self) {
        self.log(StreamOp::NewLine);
        self.cursor.0 = 0;
        if self.cursor.1 + 1 >= self.height {
            self.scroll_up();
        } else {
            self.cursor.1 += 1;
        }
    }

    /// Writes text at the cursor with the buffer's output mode, advancing it.
    ///
    /// With ENABLE_WRAP_AT_EOL_OUTPUT off, a run of characters that reaches the row's last
    /// column goes on at the column where the run began (NT's console rewrites the run's
    /// part of the row rather than the last cell only); a control character ends a run.
    pub fn write(&mut self, bytes: &[u8]) {
        let processed = self.mode & ENABLE_PROCESSED_OUTPUT != 0;
        // The column the current run began at, and whether its last character filled the
        // row with wrapping off.
        let mut run: Option<u16> = None;
        let mut full = false;
        for &b in bytes {
            if !processed || !matches!(b, b'\r' | b'\n' | 0x08 | b'\t' | 0x07) {
                let start = *run.get_or_insert(self.cursor.0);
                if full {
                    self.cursor.0 = start;
                }
                full =
                    self.mode & ENABLE_WRAP_AT_EOL_OUTPUT == 0 && self.cursor.0 + 1 >= self.width;
                self.put(b);
                continue;
            }
            run = None;
            full = false;
            match b {
                b'\r' => {
                    self.log(StreamOp::CarriageReturn);
                    self.cursor.0 = 0;
                }
                b'\n' => self.new_line(),
                0x08 => {
                    self.log(StreamOp::Backspace);
                    self.cursor.0 = self.cursor.0.saturating_sub(1);
                }
                b'\t' => {
                    // Spaces to the next tab stop, or to the end of the row.
                    let next = ((self.cursor.0 / 8 + 1) * 8).min(self.width);
                    for _ in self.cursor.0..next {
                        self.put(b' ');
                    }
                }
                0x07 => self.log(StreamOp::Bell),
                _ => self.put(b),
            }
        }
    }

    fn put(&mut self, ch: u8) {
        let wrap = self.mode & ENABLE_WRAP_AT_EOL_OUTPUT != 0;
        if self.cursor.0 >= self.width {
            if !wrap {
                self.cursor.0 = self.width - 1;
            } else {
                self.new_line();
            }
        }
        let i = self.index(self.cursor.0, self.cursor.1);
        self.cells[i] = Cell {
            ch,
            attributes: self.attributes,
        };
        self.log(StreamOp::Glyph {
            ch,
            attributes: self.attributes,
        });
        if self.cursor.0 + 1 < self.width {
            self.cursor.0 += 1;
        } else if wrap {
            self.new_line();
        }
    }

    /// FillConsoleOutputCharacter / Attribute: from (x, y) on, wrapping rows, stopping at the
    /// buffer's end; returns how many cells were filled.
    pub fn fill(&mut self, x: u16, y: u16, count: u32, mut f: impl FnMut(&mut Cell)) -> u32 {
        if !self.contains(x, y) {
            return 0;
        }
        let start = self.index(x, y);
        let end = (start + count as usize).min(self.cells.len());
        for cell in &mut self.cells[start..end] {
            f(cell);
        }
        (end - start) as u32
    }

    /// The buffer as text rows, trailing blanks trimmed.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for row in self.cells.chunks(usize::from(self.width)) {
            let line: String = row.iter().map(|c| oem_char(c.ch)).collect();
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// A host that shows the console and types into it (a terminal). ntemu serves it when a
/// guest reads input, writes, sleeps or ends, and between quanta whenever the host rings
/// the machine's [`HostSignal`](nt_kernel::HostSignal) (a key came, the window changed
/// size, the user wants out): see [`serve_host`].
pub trait ConsoleHost: Send {
    /// Shows the console: once it is [`Console::full_screen`], draws the active screen
    /// buffer's window; before, only what a stream shows (the title).
    fn present(&mut self, console: &Console);
    /// The keys typed since the last call.
    fn poll_keys(&mut self) -> Vec<Key>;
    /// True once no more keys will come (the host's input ended).
    fn input_closed(&self) -> bool {
        false
    }
    /// False for a host that never types (it only relays control events and stop
    /// requests): a console read with nothing queued then waits for the queue's event
    /// instead of polling the host.
    fn types_keys(&self) -> bool {
        true
    }
    /// True when the host shows the program's output as a stream until the console
    /// becomes full-screen: the first screen buffer then records what writes do and
    /// [`stream`](Self::stream) gets it.
    fn wants_stream(&self) -> bool {
        false
    }
    /// What writes to the console's first screen buffer did since the last call, while
    /// the console is not full-screen (called right after each write, so the stream keeps
    /// its order with anything else the host shows).
    fn stream(&mut self, ops: &[StreamOp], console: &Console) {
        let _ = (ops, console);
    }
    /// Control events raised outside the keyboard since the last call (a SIGINT sent to
    /// ntemu), delivered as a typed Ctrl+C or Ctrl+Break is.
    fn poll_ctrl_events(&mut self) -> Vec<CtrlEvent> {
        Vec::new()
    }
    /// The host's new size in columns and rows, when it changed since the last call.
    fn poll_resize(&mut self) -> Option<(u16, u16)> {
        None
    }
    /// Told each time a control event went to the console's processes.
    fn ctrl_delivered(&mut self, event: CtrlEvent) {
        let _ = event;
    }
    /// True when the host wants the run to stop now (the user asked ntemu itself to
    /// quit): the machine's run then ends as interrupted.
    fn stop_requested(&self) -> bool {
        false
    }
}

/// What a process registered with SetConsoleCtrlHandler.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CtrlRegistration {
    /// The HandlerRoutines, oldest first.
    pub handlers: Vec<u32>,
    /// SetConsoleCtrlHandler(NULL, TRUE): Ctrl+C is ignored (Ctrl+Break is not).
    pub ignore_ctrl_c: bool,
}

/// Each process's control handlers, tied to its process object (ids are reused).
#[derive(Clone, Debug, Default)]
pub struct CtrlRegistrations {
    map: std::collections::BTreeMap<u32, (Weak<Object>, CtrlRegistration)>,
}

impl CtrlRegistrations {
    /// Process `pid`'s registration (the default when it made none).
    pub fn get(&self, pid: u32, process: &Arc<Object>) -> CtrlRegistration {
        self.map
            .get(&pid)
            .filter(|(owner, _)| owner.upgrade().is_some_and(|o| Arc::ptr_eq(&o, process)))
            .map(|(_, r)| r.clone())
            .unwrap_or_default()
    }

    /// Process `pid`'s registration, to change.
    pub fn get_mut(&mut self, pid: u32, process: &Arc<Object>) -> &mut CtrlRegistration {
        let entry = self
            .map
            .entry(pid)
            .or_insert_with(|| (Arc::downgrade(process), CtrlRegistration::default()));
        if !entry.0.upgrade().is_some_and(|o| Arc::ptr_eq(&o, process)) {
            *entry = (Arc::downgrade(process), CtrlRegistration::default());
        }
        &mut entry.1
    }
}

/// A character of the console's OEM code page (437) as Unicode.
pub fn oem_char(byte: u8) -> char {
    char::from_u32(u32::from(win32::codepage::CodePage::Oem.decode(byte))).unwrap_or('?')
}

/// A record of the console's input queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputEvent {
    /// A key going down or up.
    Key(KeyEvent),
    /// Any other INPUT_RECORD a program queued with WriteConsoleInput (a mouse, menu or
    /// focus event), as it was written.
    Other([u8; INPUT_RECORD_SIZE]),
}

impl InputEvent {
    /// The INPUT_RECORD holding it.
    pub fn to_input_record(self) -> [u8; INPUT_RECORD_SIZE] {
        match self {
            InputEvent::Key(k) => k.to_input_record(),
            InputEvent::Other(r) => r,
        }
    }
}

/// The console a machine's processes share.
#[derive(Clone, Debug)]
pub struct Console {
    /// Every screen buffer ever created (index 0 is the initial one, CONOUT$).
    pub buffers: Vec<ScreenBuffer>,
    /// The index of the active buffer.
    pub active: usize,
    /// The window title.
    pub title: String,
    /// The input queue: key events (and the other records WriteConsoleInput queued) not
    /// yet read.
    pub input: std::collections::VecDeque<InputEvent>,
    /// WINDOW_BUFFER_SIZE_EVENT records not yet read (the new sizes), which input-record
    /// reads return before the key events.
    pub size_events: std::collections::VecDeque<(u16, u16)>,
    /// The input mode (ENABLE_PROCESSED_INPUT, ...).
    pub input_mode: u32,
    /// Each process's control handlers.
    pub ctrl: CtrlRegistrations,
    /// The program has used what only a screen buffer has (cursor positioning, fills,
    /// output regions, scrolling, other screen buffers, input records, input without
    /// line editing): a host draws the buffer rather than streaming the output.
    pub full_screen: bool,
    /// Line input being typed (already echoed), not yet ended by Enter.
    pub line_editing: Vec<u8>,
    /// Finished input lines not yet read (ReadFile / ReadConsoleA in line mode).
    pub line_ready: std::collections::VecDeque<u8>,
    /// No more keys will come (a redirected stdin reached its end): reads of an empty
    /// queue return nothing instead of waiting.
    pub input_closed: bool,
}

impl Default for Console {
    fn default() -> Self {
        Console {
            buffers: vec![ScreenBuffer::new(DEFAULT_SIZE.0, DEFAULT_SIZE.1)],
            active: 0,
            title: String::new(),
            input: std::collections::VecDeque::new(),
            size_events: std::collections::VecDeque::new(),
            input_mode: DEFAULT_INPUT_MODE,
            ctrl: CtrlRegistrations::default(),
            full_screen: false,
            line_editing: Vec::new(),
            line_ready: std::collections::VecDeque::new(),
            input_closed: false,
        }
    }
}

/// True for the key-down of Ctrl+Shift+2, the US keyboard's NUL (what VkKeyScan(0) names;
/// NT's console passes its character 0 on to stream reads).
fn types_nul(event: &KeyEvent) -> bool {
    let both = SHIFT_PRESSED | LEFT_CTRL_PRESSED;
    event.virtual_key_code == 0x32 && event.control_key_state & (both | LEFT_ALT_PRESSED) == both
}

/// ENABLE_LINE_INPUT: reads return whole lines, edited until Enter.
pub const ENABLE_LINE_INPUT: u32 = 0x2;
/// ENABLE_ECHO_INPUT: typed characters appear in the active screen buffer.
pub const ENABLE_ECHO_INPUT: u32 = 0x4;

impl Console {
    /// Moves typed characters from the key queue into the cooked-input buffers (the line
    /// being edited, echoed if the mode says so, and the finished lines), as the console
    /// does for ReadFile and ReadConsoleA. Without line input every character is ready at
    /// once. Key-up records and keys that type nothing (function keys, arrows, the
    /// modifier keys themselves, uChar 0) are dropped, as NT's console drops them; the one
    /// key whose character is 0, Ctrl+Shift+2, types a NUL.
    pub fn cook_input(&mut self) {
        let line_mode = self.input_mode & ENABLE_LINE_INPUT != 0;
        let echo = line_mode && self.input_mode & ENABLE_ECHO_INPUT != 0;
        // A cooked read passes over records that are not keys.
        self.size_events.clear();
        while let Some(event) = self.input.pop_front() {
            let InputEvent::Key(event) = event else {
                continue;
            };
            if !event.key_down || (event.ascii_char == 0 && !types_nul(&event)) {
                continue;
            }
            let ch = event.ascii_char;
            if !line_mode {
                self.line_ready.push_back(ch);
                continue;
            }
            let echoed: &[u8] = match ch {
                0x08 => {
                    if self.line_editing.pop().is_some() {
                        b"\x08 \x08"
                    } else {
                        b""
                    }
                }
                b'\r' | b'\n' => {
                    self.line_editing
                        .extend_from_slice(if ch == b'\r' { b"\r\n" } else { b"\n" });
                    self.line_ready.extend(self.line_editing.drain(..));
                    b"\r\n"
                }
                _ => {
                    self.line_editing.push(ch);
                    std::slice::from_ref(&ch)
                }
            };
            if echo && !echoed.is_empty() {
                let echoed = echoed.to_vec();
                let active = self.active.min(self.buffers.len() - 1);
                self.buffers[active].write(&echoed);
            }
        }
    }

    /// Queues the key-down and key-up events of `keys`.
    pub fn push_keys(&mut self, keys: &[Key]) {
        for &key in keys {
            self.input
                .extend(key_events(key).into_iter().map(InputEvent::Key));
        }
    }

    /// The active screen buffer.
    pub fn active_buffer(&self) -> &ScreenBuffer {
        &self.buffers[self.active.min(self.buffers.len() - 1)]
    }

    /// Input records waiting to be read: window-size events and key events.
    pub fn pending_records(&self) -> usize {
        self.size_events.len() + self.input.len()
    }

    /// The first `count` input records, as INPUT_RECORDs: window-size events first.
    pub fn input_records(&self, count: usize) -> Vec<[u8; INPUT_RECORD_SIZE]> {
        self.size_events
            .iter()
            .map(|&(w, h)| window_buffer_size_record(w, h))
            .chain(self.input.iter().map(|e| e.to_input_record()))
            .take(count)
            .collect()
    }

    /// Removes the first `count` input records.
    pub fn remove_records(&mut self, count: usize) {
        let sizes = count.min(self.size_events.len());
        self.size_events.drain(..sizes);
        let keys = (count - sizes).min(self.input.len());
        self.input.drain(..keys);
    }

    /// The program used a screen-buffer feature: from now on hosts draw the buffer, and
    /// nothing is recorded as a stream.
    pub fn enter_full_screen(&mut self) {
        self.full_screen = true;
        for b in &mut self.buffers {
            b.record_stream(false);
        }
    }

    /// Takes the control events out of the key queue, in order: Ctrl+Break always, and
    /// Ctrl+C while input is processed (otherwise Ctrl+C stays a key, character 3).
    pub fn take_ctrl_keys(&mut self) -> Vec<CtrlEvent> {
        let processed = self.input_mode & ENABLE_PROCESSED_INPUT != 0;
        let mut events = Vec::new();
        self.input.retain(|e| {
            let InputEvent::Key(e) = e else {
                return true;
            };
            let event = if e.virtual_key_code == VK_CANCEL {
                CtrlEvent::Break
            } else if processed && e.ascii_char == 0x03 {
                CtrlEvent::C
            } else {
                return true;
            };
            if e.key_down {
                events.push(event);
            }
            false
        });
        events
    }

    /// The host's window took the size `columns` x `rows`. A program that asked for
    /// window input (ENABLE_WINDOW_INPUT) has every buffer whose window showed all of it
    /// follow the new size (text kept at the top left) and, when the active buffer's size
    /// changed, gets a WINDOW_BUFFER_SIZE_EVENT with it; for any other program, and for buffers larger
    /// than their window, the buffers keep their size, as NT 4.0's did when a console
    /// window was resized, and only the window changes, as far as each buffer allows.
    pub fn resize_to_host(&mut self, columns: u16, rows: u16) {
        if columns == 0 || rows == 0 || columns > MAX_DIMENSION || rows > MAX_DIMENSION {
            return;
        }
        let listening = self.input_mode & ENABLE_WINDOW_INPUT != 0;
        let before = (self.active_buffer().width, self.active_buffer().height);
        for b in &mut self.buffers {
            if listening && b.window == b.bounds() {
                b.fit(columns, rows);
            } else {
                b.set_window_size(columns, rows);
            }
        }
        let b = self.active_buffer();
        let size = (b.width, b.height);
        if listening && size != before {
            self.size_events.push_back(size);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processed_output_wraps_and_scrolls() {
        let mut b = ScreenBuffer::new(4, 2);
        b.write(b"abcdef");
        assert_eq!(b.text(), "abcd\nef\n");
        assert_eq!(b.cursor, (2, 1));
        b.write(b"\ng");
        assert_eq!(b.text(), "ef\ng\n");
        // The tab fills the row to its end, which wraps (and scrolls) before the Y.
        b.write(b"\rX\tY");
        assert_eq!(b.text(), "X\nY\n");
        assert_eq!(b.cell(0, 1).map(|c| c.ch), Some(b'Y'));
    }

    fn rect(left: i16, top: i16, right: i16, bottom: i16) -> Rect {
        Rect {
            left,
            top,
            right,
            bottom,
        }
    }

    fn filled(width: u16, height: u16) -> ScreenBuffer {
        let mut b = ScreenBuffer::new(width, height);
        let text: Vec<u8> = (0..width * height).map(|i| b'a' + (i % 26) as u8).collect();
        b.write(&text[..usize::from(width * height - 1)]);
        b
    }

    #[test]
    fn scrolling_up_one_row_fills_the_uncovered_row() {
        let mut b = filled(4, 3);
        assert_eq!(b.text(), "abcd\nefgh\nijk\n");
        let fill = Cell {
            ch: b'.',
            attributes: 0x1F,
        };
        b.scroll(rect(0, 1, 3, 2), None, (0, 0), fill).unwrap();
        assert_eq!(b.text(), "efgh\nijk\n....\n");
        assert_eq!(b.cell(0, 2), Some(fill));
    }

    #[test]
    fn scrolling_respects_the_clip_rectangle_and_the_buffer_edge() {
        let mut b = filled(4, 3);
        let fill = Cell {
            ch: b'.',
            attributes: 7,
        };
        // Right by two columns, clipped to columns 0-2: the moved cells beyond the clip
        // and the buffer are dropped.
        b.scroll(rect(0, 0, 3, 0), Some(rect(0, 0, 2, 2)), (2, 0), fill)
            .unwrap();
        assert_eq!(b.text(), "..ad\nefgh\nijk\n");
        // A scroll rectangle outside the buffer is an error.
        assert!(b.scroll(rect(5, 5, 6, 6), None, (0, 0), fill).is_none());
    }

    #[test]
    fn resizing_keeps_text_and_refuses_a_size_below_the_window() {
        let mut b = filled(4, 3);
        assert!(b.resize(3, 3).is_none(), "narrower than the window");
        b.window = rect(0, 0, 1, 1);
        b.resize(3, 2).unwrap();
        assert_eq!(b.text(), "abc\nefg\n");
        assert_eq!((b.width, b.height), (3, 2));
        assert!(b.resize(0, 2).is_none());
    }

    #[test]
    fn without_wrap_a_run_goes_on_where_it_began() {
        let mut b = ScreenBuffer::new(4, 2);
        b.mode = ENABLE_PROCESSED_OUTPUT;
        b.write(b"abcdef");
        assert_eq!(b.text(), "efcd\n\n");
        // A run begun mid-row comes back to its own first column.
        b.write(b"\rab");
        b.cursor = (1, 1);
        b.write(b"xyzw");
        assert_eq!(b.text(), "abcd\n wyz\n");
        b.mode = 0;
        b.write(b"\r\n");
        assert_eq!(
            b.cell(3, 1).map(|c| c.ch),
            Some(b'\n'),
            "unprocessed: glyphs"
        );
    }

    #[test]
    fn cooked_input_drops_keys_that_type_nothing() {
        let mut console = Console::default();
        console.push_keys(
            &parse_key_script(
                b"a\\k{F8}\\k{Up}\\k{C-S-Home}\\k{S-b}\\k{A-c}\\k{C-A-d}\\k{S-C-2}\\k{Del}\\r",
            )
            .unwrap(),
        );
        console.cook_input();
        // F8, Up, Ctrl+Shift+Home, Del, the modifier keys and Ctrl+Alt+d type nothing;
        // Shift+b is B, Alt+c is c, Ctrl+Shift+2 is NUL.
        assert_eq!(
            console.line_ready.iter().copied().collect::<Vec<u8>>(),
            b"aBc\0\r\n"
        );
        assert!(console.input.is_empty());
    }

    #[test]
    fn raw_stream_input_drops_them_too() {
        let mut console = Console {
            input_mode: ENABLE_PROCESSED_INPUT,
            ..Console::default()
        };
        console.push_keys(&parse_key_script(b"\\k{F1}x\\k{PgDn}\\k{C-x}").unwrap());
        console.cook_input();
        assert_eq!(
            console.line_ready.iter().copied().collect::<Vec<u8>>(),
            b"x\x18"
        );
    }

    #[test]
    fn fill_stops_at_the_end_of_the_buffer() {
        let mut b = ScreenBuffer::new(4, 2);
        assert_eq!(b.fill(2, 1, 10, |c| c.ch = b'#'), 2);
        assert_eq!(b.fill(9, 9, 1, |c| c.ch = b'#'), 0);
        assert_eq!(b.text(), "\n  ##\n");
    }
    #[test]
    fn writes_are_recorded_as_a_stream_only_when_asked() {
        let mut b = ScreenBuffer::new(4, 2);
        b.write(b"x");
        assert!(b.take_stream().is_empty());
        b.record_stream(true);
        b.attributes = 0x0C;
        b.write(b"ab\r\ncdef\x08\x07");
        let glyph = |ch: u8| StreamOp::Glyph {
            ch,
            attributes: 0x0C,
        };
        // Wrapping at the right edge is a new line too, as the buffer does it.
        assert_eq!(
            b.take_stream(),
            vec![
                glyph(b'a'),
                glyph(b'b'),
                StreamOp::CarriageReturn,
                StreamOp::NewLine,
                glyph(b'c'),
                glyph(b'd'),
                glyph(b'e'),
                glyph(b'f'),
                StreamOp::NewLine,
                StreamOp::Backspace,
                StreamOp::Bell,
            ]
        );
        assert!(b.take_stream().is_empty());
        let mut console = Console::default();
        console.buffers[0].record_stream(true);
        console.enter_full_screen();
        assert!(console.full_screen && !console.buffers[0].is_streaming());
    }

    #[test]
    fn ctrl_keys_leave_the_queue_as_events() {
        let mut console = Console {
            input_mode: ENABLE_PROCESSED_INPUT,
            ..Console::default()
        };
        console.push_keys(&parse_key_script(b"a\\x03\\k{Break}b").unwrap());
        assert_eq!(
            console.take_ctrl_keys(),
            vec![CtrlEvent::C, CtrlEvent::Break]
        );
        // Ctrl+Break's Ctrl key records stay, as keys that type nothing.
        console.cook_input();
        assert_eq!(
            console.line_ready.iter().copied().collect::<Vec<u8>>(),
            b"ab"
        );
        // Without processed input Ctrl+C is a key; Ctrl+Break still is not.
        console.input_mode = 0;
        console.push_keys(&parse_key_script(b"\\x03\\k{Break}").unwrap());
        assert_eq!(console.take_ctrl_keys(), vec![CtrlEvent::Break]);
        console.cook_input();
        assert_eq!(console.line_ready.back(), Some(&3));
    }

    #[test]
    fn a_listening_console_follows_the_host_size_with_an_event() {
        let mut console = Console::default();
        console.input_mode |= ENABLE_WINDOW_INPUT;
        console.buffers[0].write(b"top");
        console.resize_to_host(100, 30);
        let b = &console.buffers[0];
        assert_eq!((b.width, b.height, b.window), (100, 30, b.bounds()));
        assert!(b.text().starts_with("top\n"));
        assert_eq!(console.pending_records(), 1);
        assert_eq!(
            console.input_records(1)[0][..8],
            [4, 0, 0, 0, 100, 0, 30, 0]
        );
        console.remove_records(1);
        assert_eq!(console.pending_records(), 0);
        // Smaller: the text stays at the top left.
        console.resize_to_host(10, 5);
        assert_eq!(console.buffers[0].text(), "top\n\n\n\n\n");
    }
}
