//! Guest strings of either width: the `char` strings of the A functions (bytes of code page
//! 1252) and the `wchar_t` strings of the W functions (UTF-16 units), read and written as
//! units so that one implementation serves both (`_getcwd` and `_wgetcwd`, `_splitpath` and
//! `_wsplitpath`...).

use win32::ApiCall;
use win32::codepage::CodePage;

use super::heap;

/// The character width of a function: `char` or `wchar_t`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Width {
    /// `char`: one byte, code page 1252.
    Narrow,
    /// `wchar_t`: one UTF-16 unit.
    Wide,
}

/// The longest string read by unit.
pub(crate) const UNIT_LIMIT: usize = 0x10_0000;

impl Width {
    /// Bytes per character.
    pub(crate) fn size(self) -> u32 {
        match self {
            Width::Narrow => 1,
            Width::Wide => 2,
        }
    }

    /// The units of `text` in this width (characters code page 1252 lacks become `?`).
    pub(crate) fn units(self, text: &str) -> Vec<u16> {
        match self {
            Width::Narrow => CodePage::Ansi
                .encode_str(text)
                .into_iter()
                .map(u16::from)
                .collect(),
            Width::Wide => text.encode_utf16().collect(),
        }
    }

    /// The guest bytes of `units` (no NUL added).
    pub(crate) fn bytes(self, units: &[u16]) -> Vec<u8> {
        match self {
            Width::Narrow => units.iter().map(|&u| u as u8).collect(),
            Width::Wide => units.iter().flat_map(|u| u.to_le_bytes()).collect(),
        }
    }
}

/// Reads the NUL-terminated string at `ptr` as units (at most `max`).
pub(crate) fn read_units(
    call: &ApiCall<'_>,
    ptr: u32,
    width: Width,
    max: usize,
) -> Option<Vec<u16>> {
    match width {
        Width::Narrow => call
            .read_c_bytes(ptr, max)
            .ok()
            .map(|b| b.into_iter().map(u16::from).collect()),
        Width::Wide => call.read_wide_units(ptr, max).ok(),
    }
}

/// Writes `units` and a NUL at `ptr`; false when the memory cannot be written.
pub(crate) fn write_units(call: &mut ApiCall<'_>, ptr: u32, width: Width, units: &[u16]) -> bool {
    let mut bytes = width.bytes(units);
    bytes.extend(std::iter::repeat_n(0, width.size() as usize));
    call.write_bytes(ptr, &bytes).is_ok()
}

/// A malloc'd copy of `units` with its NUL, `capacity` characters long at least; None when
/// the heap is full.
pub(crate) fn allocate_units(
    call: &mut ApiCall<'_>,
    width: Width,
    units: &[u16],
    capacity: usize,
) -> Option<u32> {
    let chars = capacity.max(units.len() + 1) as u32;
    let at = heap::allocate(call, chars.checked_mul(width.size())?, false)?;
    write_units(call, at, width, units).then_some(at)
}
