//! The console: screen buffers of character/attribute cells with a cursor, and the title.
//! ntemu keeps them in memory (a host terminal renderer comes later); `--screen` writes the
//! active buffer out as text. Output written to the console advances the cursor with NT's
//! processed-output rules (CR, LF as a new line, BS, TAB, wrap at the right edge, scroll at
//! the bottom).

/// The default screen buffer and window: 80 columns by 25 rows.
pub const DEFAULT_SIZE: (u16, u16) = (80, 25);
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
        }
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
        self.cursor.0 = 0;
        if self.cursor.1 + 1 >= self.height {
            self.scroll_up();
        } else {
            self.cursor.1 += 1;
        }
    }

    /// Writes text at the cursor with processed output, advancing it.
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            match b {
                b'\r' => self.cursor.0 = 0,
                b'\n' => self.new_line(),
                0x08 => self.cursor.0 = self.cursor.0.saturating_sub(1),
                b'\t' => {
                    // Spaces to the next tab stop, or to the end of the row.
                    let next = ((self.cursor.0 / 8 + 1) * 8).min(self.width);
                    for _ in self.cursor.0..next {
                        self.put(b' ');
                    }
                }
                0x07 => {}
                _ => self.put(b),
            }
        }
    }

    fn put(&mut self, ch: u8) {
        if self.cursor.0 >= self.width {
            self.new_line();
        }
        let i = self.index(self.cursor.0, self.cursor.1);
        self.cells[i] = Cell {
            ch,
            attributes: self.attributes,
        };
        self.cursor.0 += 1;
        if self.cursor.0 >= self.width {
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
            let line: String = row
                .iter()
                .map(|c| crate::codepage::CodePage::Oem.decode(c.ch))
                .map(|u| char::from_u32(u32::from(u)).unwrap_or('?'))
                .collect();
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
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
}

impl Default for Console {
    fn default() -> Self {
        Console {
            buffers: vec![ScreenBuffer::new(DEFAULT_SIZE.0, DEFAULT_SIZE.1)],
            active: 0,
            title: String::new(),
        }
    }
}

impl Console {
    /// The active screen buffer.
    pub fn active_buffer(&self) -> &ScreenBuffer {
        &self.buffers[self.active.min(self.buffers.len() - 1)]
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

    #[test]
    fn fill_stops_at_the_end_of_the_buffer() {
        let mut b = ScreenBuffer::new(4, 2);
        assert_eq!(b.fill(2, 1, 10, |c| c.ch = b'#'), 2);
        assert_eq!(b.fill(9, 9, 1, |c| c.ch = b'#'), 0);
        assert_eq!(b.text(), "\n  ##\n");
    }
}
