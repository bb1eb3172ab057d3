//! Character types, case mapping and locale information for the one locale ntemu's NT has:
//! U.S. English (0x0409), ANSI code page 1252, OEM code page 437.

use nt_status::{NtStatus, Win32Error};

use win32::codepage::CodePage;
use win32::{ApiCall, ApiReturn, Ptr, export};

/// CT_CTYPE1.
const CT_CTYPE1: u32 = 1;
/// LCMAP_LOWERCASE.
const LCMAP_LOWERCASE: u32 = 0x100;
/// LCMAP_UPPERCASE.
const LCMAP_UPPERCASE: u32 = 0x200;
/// ERROR_INVALID_FLAGS.
const ERROR_INVALID_FLAGS: Win32Error = Win32Error(1004);

/// The CT_CTYPE1 bits of one UTF-16 code unit (C1_UPPER 0x1, C1_LOWER 0x2, C1_DIGIT 0x4,
/// C1_SPACE 0x8, C1_PUNCT 0x10, C1_CNTRL 0x20, C1_BLANK 0x40, C1_XDIGIT 0x80, C1_ALPHA 0x100).
fn ctype1(unit: u16) -> u16 {
    let Some(c) = char::from_u32(u32::from(unit)) else {
        return 0;
    };
    let mut t = 0;
    if c.is_uppercase() {
        t |= 0x1;
    }
    if c.is_lowercase() {
        t |= 0x2;
    }
    if c.is_ascii_digit() {
        t |= 0x4;
    }
    if c.is_whitespace() {
        t |= 0x8;
    }
    if c.is_control() {
        t |= 0x20;
    }
    if c == ' ' || c == '\t' || c == '\u{a0}' {
        t |= 0x40;
    }
    if c.is_ascii_hexdigit() {
        t |= 0x80;
    }
    if c.is_alphabetic() {
        t |= 0x100;
    }
    if !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control() {
        t |= 0x10;
    }
    t
}

fn read_units(call: &ApiCall<'_>, at: u32, count: i32) -> Option<Vec<u16>> {
    if count == -1 {
        let mut units = Vec::new();
        let mut p = at;
        loop {
            let raw = call.read_bytes(p, 2).ok()?;
            let u = u16::from_le_bytes([raw[0], raw[1]]);
            units.push(u);
            if u == 0 || units.len() > 0x1_0000 {
                return Some(units);
            }
            p = p.wrapping_add(2);
        }
    }
    let raw = call.read_bytes(at, 2 * usize::try_from(count).ok()?).ok()?;
    Some(
        raw.chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect(),
    )
}

fn read_ansi(call: &ApiCall<'_>, at: u32, count: i32) -> Option<Vec<u8>> {
    if count == -1 {
        let mut b = call.read_c_bytes(at, 0x1_0000).ok()?;
        b.push(0);
        return Some(b);
    }
    call.read_bytes(at, usize::try_from(count).ok()?).ok()
}

fn write_types(call: &mut ApiCall<'_>, at: u32, types: &[u16]) -> ApiReturn {
    let raw: Vec<u8> = types.iter().flat_map(|t| t.to_le_bytes()).collect();
    match call.write_bytes(at, &raw) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::INVALID_PARAMETER),
    }
}

/// GetStringTypeW(dwInfoType, lpSrcStr, cchSrc, lpCharType): CT_CTYPE1 only.
#[export]
fn GetStringTypeW(
    call: &mut ApiCall<'_>,
    dwInfoType: u32,
    lpSrcStr: Ptr,
    cchSrc: i32,
    lpCharType: Ptr,
) -> ApiReturn {
    let (info, src, count, out) = (dwInfoType, lpSrcStr.0, cchSrc, lpCharType.0);
    if info != CT_CTYPE1 {
        return call.fail_win32(ERROR_INVALID_FLAGS, 0);
    }
    let Some(units) = read_units(call, src, count) else {
        return call.fail(NtStatus::INVALID_PARAMETER);
    };
    let types: Vec<u16> = units.iter().map(|&u| ctype1(u)).collect();
    write_types(call, out, &types)
}

/// GetStringTypeA(Locale, dwInfoType, lpSrcStr, cchSrc, lpCharType): the ANSI string is
/// seen through code page 1252.
#[export]
fn GetStringTypeA(
    call: &mut ApiCall<'_>,
    Locale: u32,
    dwInfoType: u32,
    lpSrcStr: Ptr,
    cchSrc: i32,
    lpCharType: Ptr,
) -> ApiReturn {
    let _ = Locale;
    let (info, src, count, out) = (dwInfoType, lpSrcStr.0, cchSrc, lpCharType.0);
    if info != CT_CTYPE1 {
        return call.fail_win32(ERROR_INVALID_FLAGS, 0);
    }
    let Some(bytes) = read_ansi(call, src, count) else {
        return call.fail(NtStatus::INVALID_PARAMETER);
    };
    let types: Vec<u16> = bytes
        .iter()
        .map(|&b| ctype1(CodePage::Ansi.decode(b)))
        .collect();
    write_types(call, out, &types)
}

/// LCMAP_UPPERCASE or LCMAP_LOWERCASE (or neither), and nothing else.
fn case_mapping_flags_valid(flags: u32) -> bool {
    flags & !(LCMAP_LOWERCASE | LCMAP_UPPERCASE) == 0 && flags != LCMAP_LOWERCASE | LCMAP_UPPERCASE
}

fn map_case(unit: u16, flags: u32) -> u16 {
    let Some(c) = char::from_u32(u32::from(unit)) else {
        return unit;
    };
    let mapped = if flags & LCMAP_UPPERCASE != 0 {
        let mut up = c.to_uppercase();
        match (up.next(), up.next()) {
            (Some(u), None) => u,
            _ => c,
        }
    } else if flags & LCMAP_LOWERCASE != 0 {
        let mut low = c.to_lowercase();
        match (low.next(), low.next()) {
            (Some(l), None) => l,
            _ => c,
        }
    } else {
        c
    };
    u16::try_from(u32::from(mapped)).unwrap_or(unit)
}

/// LCMapStringW(Locale, dwMapFlags, lpSrcStr, cchSrc, lpDestStr, cchDest): LCMAP_UPPERCASE
/// and LCMAP_LOWERCASE (one of them); other flags are ERROR_INVALID_FLAGS.
#[export]
fn LCMapStringW(
    call: &mut ApiCall<'_>,
    Locale: u32,
    dwMapFlags: u32,
    lpSrcStr: Ptr,
    cchSrc: i32,
    lpDestStr: Ptr,
    cchDest: u32,
) -> ApiReturn {
    let _ = Locale;
    let (flags, src, count, out, out_len) = (dwMapFlags, lpSrcStr.0, cchSrc, lpDestStr.0, cchDest);
    if !case_mapping_flags_valid(flags) {
        return call.fail_win32(ERROR_INVALID_FLAGS, 0);
    }
    let Some(units) = read_units(call, src, count) else {
        return call.fail(NtStatus::INVALID_PARAMETER);
    };
    let mapped: Vec<u16> = units.iter().map(|&u| map_case(u, flags)).collect();
    let raw: Vec<u8> = mapped.iter().flat_map(|u| u.to_le_bytes()).collect();
    call.copy_out(out, out_len, &raw, mapped.len() as u32)
}

/// LCMapStringA: as LCMapStringW, through code page 1252.
#[export]
fn LCMapStringA(
    call: &mut ApiCall<'_>,
    Locale: u32,
    dwMapFlags: u32,
    lpSrcStr: Ptr,
    cchSrc: i32,
    lpDestStr: Ptr,
    cchDest: u32,
) -> ApiReturn {
    let _ = Locale;
    let (flags, src, count, out, out_len) = (dwMapFlags, lpSrcStr.0, cchSrc, lpDestStr.0, cchDest);
    if !case_mapping_flags_valid(flags) {
        return call.fail_win32(ERROR_INVALID_FLAGS, 0);
    }
    let Some(bytes) = read_ansi(call, src, count) else {
        return call.fail(NtStatus::INVALID_PARAMETER);
    };
    let mapped: Vec<u8> = bytes
        .iter()
        .map(|&b| {
            let unit = map_case(CodePage::Ansi.decode(b), flags);
            CodePage::Ansi.encode(unit).unwrap_or(b)
        })
        .collect();
    call.copy_out(out, out_len, &mapped, mapped.len() as u32)
}

/// The U.S. English values GetLocaleInfoA reports, by LCTYPE (LOCALE_NOUSEROVERRIDE and
/// LOCALE_USE_CP_ACP masked off).
fn locale_value(lctype: u32) -> Option<&'static str> {
    Some(match lctype & 0xFFFF {
        0x0001 => "0409",                    // LOCALE_ILANGUAGE
        0x0002 => "English (United States)", // LOCALE_SLANGUAGE
        0x0003 => "ENU",                     // LOCALE_SABBREVLANGNAME
        0x0005 => "1",                       // LOCALE_ICOUNTRY
        0x0006 => "United States",           // LOCALE_SCOUNTRY
        0x0007 => "USA",                     // LOCALE_SABBREVCTRYNAME
        0x000B => "437",                     // LOCALE_IDEFAULTCODEPAGE (OEM)
        0x000C => ",",                       // LOCALE_SLIST
        0x000E => ".",                       // LOCALE_SDECIMAL
        0x000F => ",",                       // LOCALE_STHOUSAND
        0x0010 => "3;0",                     // LOCALE_SGROUPING
        0x0014 => "$",                       // LOCALE_SCURRENCY
        0x0015 => "USD",                     // LOCALE_SINTLSYMBOL
        0x001D => "/",                       // LOCALE_SDATE
        0x001E => ":",                       // LOCALE_STIME
        0x1004 => "1252",                    // LOCALE_IDEFAULTANSICODEPAGE
        0x1001 => "English",                 // LOCALE_SENGLANGUAGE
        0x1002 => "United States",           // LOCALE_SENGCOUNTRY
        _ => return None,
    })
}

/// GetLocaleInfoA(Locale, LCType, lpLCData, cchData).
#[export]
fn GetLocaleInfoA(
    call: &mut ApiCall<'_>,
    Locale: u32,
    LCType: u32,
    lpLCData: Ptr,
    cchData: u32,
) -> ApiReturn {
    let _ = Locale;
    let Some(value) = locale_value(LCType) else {
        return call.fail_win32(ERROR_INVALID_FLAGS, 0);
    };
    let mut bytes = value.as_bytes().to_vec();
    bytes.push(0);
    call.copy_out(lpLCData.0, cchData, &bytes, bytes.len() as u32)
}

/// GetLocaleInfoW(Locale, LCType, lpLCData, cchData), in characters.
#[export]
fn GetLocaleInfoW(
    call: &mut ApiCall<'_>,
    Locale: u32,
    LCType: u32,
    lpLCData: Ptr,
    cchData: u32,
) -> ApiReturn {
    let _ = Locale;
    let Some(value) = locale_value(LCType) else {
        return call.fail_win32(ERROR_INVALID_FLAGS, 0);
    };
    let mut units: Vec<u16> = value.encode_utf16().collect();
    units.push(0);
    let raw: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
    call.copy_out(lpLCData.0, cchData, &raw, units.len() as u32)
}

/// NORM_IGNORECASE.
pub(crate) const NORM_IGNORECASE: u32 = 0x1;
/// SORT_STRINGSORT: hyphens and apostrophes are symbols like any other.
const SORT_STRINGSORT: u32 = 0x1000;
/// The flags CompareString accepts (NORM_IGNORECASE, IGNORENONSPACE, IGNORESYMBOLS,
/// IGNOREKANATYPE, IGNOREWIDTH, SORT_STRINGSORT).
const COMPARE_FLAGS: u32 = 0x1 | 0x2 | 0x4 | 0x1_0000 | 0x2_0000 | SORT_STRINGSORT;
/// NORM_IGNORESYMBOLS.
const NORM_IGNORESYMBOLS: u32 = 0x4;

/// The primary weight of a character in NT's default (U.S. English) sort: symbols first in
/// code order, then digits, then letters without regard to case.
fn primary_weight(unit: u16) -> (u8, u16) {
    let c = char::from_u32(u32::from(unit)).unwrap_or('\u{FFFD}');
    if c.is_alphabetic() {
        let folded = c.to_lowercase().next().unwrap_or(c);
        (2, u16::try_from(u32::from(folded)).unwrap_or(unit))
    } else if c.is_numeric() {
        (1, unit)
    } else {
        (0, unit)
    }
}

/// Compares two strings as CompareString does with the default sort: first by primary
/// weights (word sort leaves hyphens and apostrophes out), then by how many of those
/// there are, then by case
/// (lower before upper) unless NORM_IGNORECASE. Returns CSTR_LESS_THAN (1), CSTR_EQUAL
/// (2) or CSTR_GREATER_THAN (3).
pub(crate) fn compare_units(a: &[u16], b: &[u16], flags: u32) -> u32 {
    let word_sort = flags & SORT_STRINGSORT == 0;
    let ignore_symbols = flags & NORM_IGNORESYMBOLS != 0;
    let primary = |s: &[u16]| -> Vec<(u8, u16)> {
        s.iter()
            .map(|&u| primary_weight(u))
            .filter(|&(class, u)| {
                !(word_sort && (u == u16::from(b'-') || u == u16::from(b'\'')))
                    && !(ignore_symbols && class == 0)
            })
            .collect()
    };
    let ordering = primary(a)
        .cmp(&primary(b))
        .then_with(|| {
            // Equal but for hyphens and apostrophes: the string with fewer sorts first.
            let special = |s: &[u16]| {
                s.iter()
                    .filter(|&&u| u == u16::from(b'-') || u == u16::from(b'\''))
                    .count()
            };
            special(a).cmp(&special(b))
        })
        .then_with(|| {
            if flags & NORM_IGNORECASE != 0 {
                return std::cmp::Ordering::Equal;
            }
            // Lower case sorts before upper case at the first difference.
            let upper = |u: u16| char::from_u32(u32::from(u)).is_some_and(|c| c.is_uppercase());
            a.iter()
                .zip(b)
                .find(|(x, y)| x != y)
                .map_or(std::cmp::Ordering::Equal, |(&x, &y)| {
                    upper(x).cmp(&upper(y))
                })
        });
    match ordering {
        std::cmp::Ordering::Less => 1,
        std::cmp::Ordering::Equal => 2,
        std::cmp::Ordering::Greater => 3,
    }
}

fn without_terminator(mut units: Vec<u16>, count: i32) -> Vec<u16> {
    if count == -1 && units.last() == Some(&0) {
        units.pop();
    }
    units
}

/// CompareStringA/W(Locale, dwCmpFlags, lpString1, cchCount1, lpString2, cchCount2): the
/// ANSI strings are seen through code page 1252.
fn compare_string(
    call: &mut ApiCall<'_>,
    flags: u32,
    (s1, n1): (Ptr, i32),
    (s2, n2): (Ptr, i32),
    wide: bool,
) -> ApiReturn {
    let (s1, s2) = (s1.0, s2.0);
    if flags & !COMPARE_FLAGS != 0 {
        return call.fail_win32(ERROR_INVALID_FLAGS, 0);
    }
    let read = |at: u32, count: i32| -> Option<Vec<u16>> {
        let units = if wide {
            read_units(call, at, count)?
        } else {
            read_ansi(call, at, count)?
                .into_iter()
                .map(|b| CodePage::Ansi.decode(b))
                .collect()
        };
        Some(without_terminator(units, count))
    };
    match (read(s1, n1), read(s2, n2)) {
        (Some(a), Some(b)) => ApiReturn::Value(compare_units(&a, &b, flags)),
        _ => call.fail(NtStatus::INVALID_PARAMETER),
    }
}

/// CompareStringW(Locale, dwCmpFlags, lpString1, cchCount1, lpString2, cchCount2).
#[export]
fn CompareStringW(
    call: &mut ApiCall<'_>,
    Locale: u32,
    dwCmpFlags: u32,
    lpString1: Ptr,
    cchCount1: i32,
    lpString2: Ptr,
    cchCount2: i32,
) -> ApiReturn {
    let _ = Locale;
    compare_string(
        call,
        dwCmpFlags,
        (lpString1, cchCount1),
        (lpString2, cchCount2),
        true,
    )
}

/// CompareStringA(Locale, dwCmpFlags, lpString1, cchCount1, lpString2, cchCount2).
#[export]
fn CompareStringA(
    call: &mut ApiCall<'_>,
    Locale: u32,
    dwCmpFlags: u32,
    lpString1: Ptr,
    cchCount1: i32,
    lpString2: Ptr,
    cchCount2: i32,
) -> ApiReturn {
    let _ = Locale;
    compare_string(
        call,
        dwCmpFlags,
        (lpString1, cchCount1),
        (lpString2, cchCount2),
        false,
    )
}

#[cfg(test)]
mod compare_tests {
    use super::*;

    fn cmp(a: &str, b: &str, flags: u32) -> u32 {
        let a: Vec<u16> = a.encode_utf16().collect();
        let b: Vec<u16> = b.encode_utf16().collect();
        compare_units(&a, &b, flags)
    }

    #[test]
    fn compare_string_orders_as_the_default_sort() {
        assert_eq!(cmp("abc", "abd", 0), 1);
        assert_eq!(cmp("ABC", "abc", NORM_IGNORECASE), 2);
        // Case is only a tie-breaker: "abc" < "ABD", and lower before upper.
        assert_eq!(cmp("abc", "ABD", 0), 1);
        assert_eq!(cmp("abc", "ABC", 0), 1);
        // Word sort: the hyphen weighs least; string sort: it is a symbol before letters.
        assert_eq!(cmp("co-op", "coop", 0), 3);
        assert_eq!(cmp("co-op", "cook", 0), 3);
        assert_eq!(cmp("co-op", "coop", SORT_STRINGSORT), 1);
        // Symbols, then digits, then letters.
        assert_eq!(cmp("_", "1", 0), 1);
        assert_eq!(cmp("9", "a", 0), 1);
        assert_eq!(cmp("", "a", 0), 1);
    }
}
