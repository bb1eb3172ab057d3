//! USER32's character functions beside CharToOem (CharUpperA's work is here too): CharLower and CharUpper
//! (a character or a string in place), their Buff forms, CharNext and CharPrev, and the
//! IsChar* classes.
//!
//! The ANSI forms work in code page 1252, a single-byte code page, so CharNextA steps one
//! byte and CharPrevA one byte back (never before the string's start); the wide forms step
//! one UTF-16 unit, as NT 4.0's do. Cases and classes are Unicode's: a character's upper or
//! lower case when that is one character (of the code page, for the ANSI forms), else the
//! character itself.

use nt_status::Win32Error;
use win32::codepage::CodePage;
use win32::{ApiCall, ApiReturn, Ptr, export};

/// A UTF-16 unit's character (None for a surrogate half).
fn char_of(unit: u16) -> Option<char> {
    char::from_u32(u32::from(unit))
}

/// The unit's case mapped by `map` when that gives one BMP character, else the unit. A
/// character beyond ASCII never maps into it (NT's table leaves the dotless i, the long s
/// and the Kelvin sign alone, which Unicode folds to ASCII letters).
fn map_unit(unit: u16, map: fn(char) -> Option<char>) -> u16 {
    char_of(unit)
        .and_then(map)
        .filter(|c| unit < 0x80 || !c.is_ascii())
        .and_then(|c| u16::try_from(u32::from(c)).ok())
        .unwrap_or(unit)
}

/// An upper-case letter (NT's C1_UPPER): letter numbers such as the Roman numerals are not.
fn is_upper(c: char) -> bool {
    c.is_uppercase() && !c.is_numeric()
}

/// A letter or a digit (NT's C1_ALPHA or C1_DIGIT): digits are the characters with a digit
/// value (decimal digits, superscript digits), not the vulgar fractions.
fn is_alphanumeric(c: char) -> bool {
    c.is_alphabetic()
        || (c.is_numeric()
            && !matches!(c, '\u{BC}'..='\u{BE}' | '\u{2150}'..='\u{215F}' | '\u{2189}'))
}

/// A lower-case letter (NT's C1_LOWER), as [`is_upper`].
fn is_lower(c: char) -> bool {
    c.is_lowercase() && !c.is_numeric()
}

/// The one-character upper case of `c`.
pub(crate) fn upper(c: char) -> Option<char> {
    let mut up = c.to_uppercase();
    match (up.next(), up.next()) {
        (Some(u), None) => Some(u),
        _ => None,
    }
}

/// The one-character lower case of `c`.
fn lower(c: char) -> Option<char> {
    let mut low = c.to_lowercase();
    match (low.next(), low.next()) {
        (Some(l), None) => Some(l),
        _ => None,
    }
}

/// An ANSI byte mapped by `map` through Unicode, staying in code page 1252.
pub(crate) fn map_ansi(byte: u8, map: fn(char) -> Option<char>) -> u8 {
    let unit = map_unit(CodePage::Ansi.decode(byte), map);
    CodePage::Ansi.encode(unit).unwrap_or(byte)
}

/// CharLowerA/CharUpperA's work on `lpsz`: a character in the low byte when the high word
/// is zero, else the NUL-terminated string in place; ERROR_INVALID_PARAMETER and NULL when
/// the string cannot be read or written.
pub(crate) fn map_ansi_string(
    call: &mut ApiCall<'_>,
    lpsz: Ptr,
    map: fn(char) -> Option<char>,
) -> ApiReturn {
    let at = lpsz.0;
    if at >> 16 == 0 {
        return ApiReturn::Value(u32::from(map_ansi(at as u8, map)));
    }
    let Ok(bytes) = call.read_c_bytes(at, u32::MAX as usize) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let mapped: Vec<u8> = bytes.iter().map(|&b| map_ansi(b, map)).collect();
    match call.write_bytes(at, &mapped) {
        Ok(()) => ApiReturn::Value(at),
        Err(_) => call.fail_win32(Win32Error::INVALID_PARAMETER, 0),
    }
}

/// The wide form of [`map_ansi_string`].
fn map_wide_string(call: &mut ApiCall<'_>, lpsz: Ptr, map: fn(char) -> Option<char>) -> ApiReturn {
    let at = lpsz.0;
    if at >> 16 == 0 {
        return ApiReturn::Value(u32::from(map_unit(at as u16, map)));
    }
    let Ok(units) = call.read_wide_units(at, u32::MAX as usize / 2) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let bytes: Vec<u8> = units
        .iter()
        .flat_map(|&u| map_unit(u, map).to_le_bytes())
        .collect();
    match call.write_bytes(at, &bytes) {
        Ok(()) => ApiReturn::Value(at),
        Err(_) => call.fail_win32(Win32Error::INVALID_PARAMETER, 0),
    }
}

/// The Buff forms: `cch` characters at `lpsz` mapped in place; the count mapped (0 when
/// the buffer cannot be read or written).
fn map_buffer(
    call: &mut ApiCall<'_>,
    lpsz: Ptr,
    cch: u32,
    wide: bool,
    map: fn(char) -> Option<char>,
) -> ApiReturn {
    let size = if wide { 2 } else { 1 };
    let Some(len) = (cch as usize).checked_mul(size) else {
        return ApiReturn::Value(0);
    };
    let Ok(bytes) = call.read_bytes(lpsz.0, len) else {
        return ApiReturn::Value(0);
    };
    let mapped: Vec<u8> = if wide {
        bytes
            .chunks_exact(2)
            .flat_map(|u| map_unit(u16::from_le_bytes([u[0], u[1]]), map).to_le_bytes())
            .collect()
    } else {
        bytes.iter().map(|&b| map_ansi(b, map)).collect()
    };
    match call.write_bytes(lpsz.0, &mapped) {
        Ok(()) => ApiReturn::Value(cch),
        Err(_) => ApiReturn::Value(0),
    }
}

/// CharLowerA(lpsz).
#[export]
fn CharLowerA(call: &mut ApiCall<'_>, lpsz: Ptr) -> ApiReturn {
    map_ansi_string(call, lpsz, lower)
}

/// CharLowerW(lpsz).
#[export]
fn CharLowerW(call: &mut ApiCall<'_>, lpsz: Ptr) -> ApiReturn {
    map_wide_string(call, lpsz, lower)
}

/// CharUpperW(lpsz).
#[export]
fn CharUpperW(call: &mut ApiCall<'_>, lpsz: Ptr) -> ApiReturn {
    map_wide_string(call, lpsz, upper)
}

/// CharLowerBuffA(lpsz, cchLength).
#[export]
fn CharLowerBuffA(call: &mut ApiCall<'_>, lpsz: Ptr, cchLength: u32) -> ApiReturn {
    map_buffer(call, lpsz, cchLength, false, lower)
}

/// CharLowerBuffW(lpsz, cchLength).
#[export]
fn CharLowerBuffW(call: &mut ApiCall<'_>, lpsz: Ptr, cchLength: u32) -> ApiReturn {
    map_buffer(call, lpsz, cchLength, true, lower)
}

/// CharUpperBuffA(lpsz, cchLength).
#[export]
fn CharUpperBuffA(call: &mut ApiCall<'_>, lpsz: Ptr, cchLength: u32) -> ApiReturn {
    map_buffer(call, lpsz, cchLength, false, upper)
}

/// CharUpperBuffW(lpsz, cchLength).
#[export]
fn CharUpperBuffW(call: &mut ApiCall<'_>, lpsz: Ptr, cchLength: u32) -> ApiReturn {
    map_buffer(call, lpsz, cchLength, true, upper)
}

/// The next character of a string of `size`-byte units: the pointer itself at the NUL (or
/// where it cannot be read).
fn next(call: &ApiCall<'_>, at: Ptr, size: usize) -> ApiReturn {
    let nul = match call.read_bytes(at.0, size) {
        Ok(b) => b.iter().all(|&x| x == 0),
        Err(_) => true,
    };
    ApiReturn::Value(if nul {
        at.0
    } else {
        at.0.wrapping_add(size as u32)
    })
}

/// The character before `current`, never before `start`.
fn prev(start: Ptr, current: Ptr, size: u32) -> ApiReturn {
    ApiReturn::Value(if current.0 > start.0 {
        current.0.wrapping_sub(size).max(start.0)
    } else {
        start.0
    })
}

/// CharNextA(lpsz).
#[export]
fn CharNextA(call: &mut ApiCall<'_>, lpsz: Ptr) -> ApiReturn {
    next(call, lpsz, 1)
}

/// CharNextW(lpsz).
#[export]
fn CharNextW(call: &mut ApiCall<'_>, lpsz: Ptr) -> ApiReturn {
    next(call, lpsz, 2)
}

/// CharNextExA(CodePage, lpCurrentChar, dwFlags): the code pages ntemu has are single-byte.
#[export]
fn CharNextExA(
    call: &mut ApiCall<'_>,
    CodePage: u32,
    lpCurrentChar: Ptr,
    dwFlags: u32,
) -> ApiReturn {
    let _ = (CodePage, dwFlags);
    next(call, lpCurrentChar, 1)
}

/// CharPrevA(lpszStart, lpszCurrent).
#[export]
fn CharPrevA(call: &mut ApiCall<'_>, lpszStart: Ptr, lpszCurrent: Ptr) -> ApiReturn {
    let _ = call;
    prev(lpszStart, lpszCurrent, 1)
}

/// CharPrevW(lpszStart, lpszCurrent).
#[export]
fn CharPrevW(call: &mut ApiCall<'_>, lpszStart: Ptr, lpszCurrent: Ptr) -> ApiReturn {
    let _ = call;
    prev(lpszStart, lpszCurrent, 2)
}

/// CharPrevExA(CodePage, lpStart, lpCurrentChar, dwFlags): single-byte, as CharNextExA.
#[export]
fn CharPrevExA(
    call: &mut ApiCall<'_>,
    CodePage: u32,
    lpStart: Ptr,
    lpCurrentChar: Ptr,
    dwFlags: u32,
) -> ApiReturn {
    let _ = (call, CodePage, dwFlags);
    prev(lpStart, lpCurrentChar, 1)
}

/// A class test of an ANSI character (its low byte) through code page 1252.
fn ansi_is(ch: u32, test: fn(char) -> bool) -> ApiReturn {
    wide_is(u32::from(CodePage::Ansi.decode(ch as u8)), test)
}

/// A class test of a UTF-16 unit (the low word).
fn wide_is(ch: u32, test: fn(char) -> bool) -> ApiReturn {
    ApiReturn::Value(u32::from(char_of(ch as u16).is_some_and(test)))
}

/// IsCharAlphaA(ch).
#[export]
fn IsCharAlphaA(call: &mut ApiCall<'_>, ch: u32) -> ApiReturn {
    let _ = call;
    ansi_is(ch, char::is_alphabetic)
}

/// IsCharAlphaW(ch).
#[export]
fn IsCharAlphaW(call: &mut ApiCall<'_>, ch: u32) -> ApiReturn {
    let _ = call;
    wide_is(ch, char::is_alphabetic)
}

/// IsCharAlphaNumericA(ch).
#[export]
fn IsCharAlphaNumericA(call: &mut ApiCall<'_>, ch: u32) -> ApiReturn {
    let _ = call;
    ansi_is(ch, is_alphanumeric)
}

/// IsCharAlphaNumericW(ch).
#[export]
fn IsCharAlphaNumericW(call: &mut ApiCall<'_>, ch: u32) -> ApiReturn {
    let _ = call;
    wide_is(ch, is_alphanumeric)
}

/// IsCharUpperA(ch).
#[export]
fn IsCharUpperA(call: &mut ApiCall<'_>, ch: u32) -> ApiReturn {
    let _ = call;
    ansi_is(ch, is_upper)
}

/// IsCharUpperW(ch).
#[export]
fn IsCharUpperW(call: &mut ApiCall<'_>, ch: u32) -> ApiReturn {
    let _ = call;
    wide_is(ch, is_upper)
}

/// IsCharLowerA(ch).
#[export]
fn IsCharLowerA(call: &mut ApiCall<'_>, ch: u32) -> ApiReturn {
    let _ = call;
    ansi_is(ch, is_lower)
}

/// IsCharLowerW(ch).
#[export]
fn IsCharLowerW(call: &mut ApiCall<'_>, ch: u32) -> ApiReturn {
    let _ = call;
    wide_is(ch, is_lower)
}
