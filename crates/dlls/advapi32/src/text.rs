//! The A and W forms' strings: one implementation serves both, told which character set the
//! caller uses.

use win32::ApiCall;
use win32::codepage::CodePage;

/// The character set of an A or W function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Chars {
    /// ANSI (code page 1252), one byte a character.
    Ansi,
    /// UTF-16LE, two bytes a character.
    Wide,
}

impl Chars {
    /// `text` in this character set, without a terminating NUL.
    pub(crate) fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Chars::Ansi => CodePage::Ansi.encode_str(text),
            Chars::Wide => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        }
    }

    /// Bytes per character.
    pub(crate) fn unit(self) -> u32 {
        match self {
            Chars::Ansi => 1,
            Chars::Wide => 2,
        }
    }

    /// How many characters `text` is in this character set.
    pub(crate) fn len(self, text: &str) -> u32 {
        self.encode(text).len() as u32 / self.unit()
    }

    /// Reads a NUL-terminated string of this character set at `at` (at most `max`
    /// characters).
    pub(crate) fn read(self, call: &ApiCall<'_>, at: u32, max: usize) -> Option<String> {
        match self {
            Chars::Ansi => call
                .read_c_bytes(at, max)
                .ok()
                .map(|b| CodePage::Ansi.decode_str(&b)),
            Chars::Wide => call
                .read_wide_units(at, max)
                .ok()
                .map(|u| String::from_utf16_lossy(&u)),
        }
    }
}

/// The outcome of copying a string into a caller's buffer of `capacity` characters.
pub(crate) enum Copied {
    /// Written with its NUL: its length without the NUL.
    Done(u32),
    /// It needs this many characters with the NUL; nothing was written.
    TooSmall(u32),
    /// The buffer is not writable.
    Fault,
}

/// Copies `text` and a NUL into the buffer at `at` of `capacity` characters.
pub(crate) fn copy_string(
    call: &mut ApiCall<'_>,
    chars: Chars,
    at: u32,
    capacity: u32,
    text: &str,
) -> Copied {
    let mut bytes = chars.encode(text);
    let len = bytes.len() as u32 / chars.unit();
    if capacity < len + 1 {
        return Copied::TooSmall(len + 1);
    }
    bytes.extend(std::iter::repeat_n(0, chars.unit() as usize));
    match call.write_bytes(at, &bytes) {
        Ok(()) => Copied::Done(len),
        Err(_) => Copied::Fault,
    }
}

/// UTF-16LE data as ANSI bytes (the A functions' view of string data): each unit through
/// code page 1252, `?` where it has no byte; an odd last byte is dropped.
pub(crate) fn wide_to_ansi(data: &[u8]) -> Vec<u8> {
    data.chunks_exact(2)
        .map(|p| {
            let u = u16::from_le_bytes([p[0], p[1]]);
            CodePage::Ansi.encode(u).unwrap_or(b'?')
        })
        .collect()
}

/// ANSI bytes as UTF-16LE data.
pub(crate) fn ansi_to_wide(data: &[u8]) -> Vec<u8> {
    data.iter()
        .flat_map(|&b| CodePage::Ansi.decode(b).to_le_bytes())
        .collect()
}
