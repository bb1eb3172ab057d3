//! The wide-character functions of wchar.h, wctype.h and stdlib.h, in the "C" locale (the
//! only one msvcrt has here):
//!
//! - strings: `wcscpy` ... `wcstok`, `_wcsdup`, `_wcsicmp`, `_wcslwr`, `_wcsupr`... Case is
//!   ASCII only in the "C" locale (msvcrt maps `A`-`Z` and `a`-`z` and nothing else there),
//!   and `wcscoll` is `wcscmp`;
//! - classification: `iswctype` and the `isw*` functions by the Unicode character type
//!   tables (the character types GetStringTypeW gives: C1_UPPER, C1_LOWER...), whatever the
//!   locale;
//! - numbers: `wcstol`, `wcstoul`, `wcstod`, `_wtoi`, `_wtol`, `_itow`, `_ltow`, `_ultow`;
//! - conversions: `mbstowcs`, `wcstombs`, `mbtowc`, `wctomb`, `mblen`: the "C" locale is
//!   one byte per character, each byte the character of the same number; a character above
//!   255 has no byte (EILSEQ);
//! - formatting: `swprintf`, `_snwprintf` and their va_list forms, through the printf
//!   engine's wide mode (`win32::format::format_wide`), and `wcsftime`.

use win32::args::GuestArguments;
use win32::format::format_wide;
use win32::{ApiCall, Ptr, VarArgs, export};

use super::string::{asctime_text, integer_result, parse_float, parse_integer, strftime_text};
use super::{errno, heap, set_errno, with_state};

/// The longest string these functions read, in characters.
const LIMIT: usize = 0x80_0000;
/// WEOF.
pub(crate) const WEOF: u32 = 0xFFFF;
/// EILSEQ: a character with no multibyte form.
pub(crate) const EILSEQ: u32 = 42;

/// The units of the wide string at `ptr` (empty when it cannot be read).
pub(crate) fn wide(call: &ApiCall<'_>, ptr: u32) -> Vec<u16> {
    call.read_wide_units(ptr, LIMIT).unwrap_or_default()
}

/// The units of the wide string at `ptr`, at most `n`.
fn bounded(call: &ApiCall<'_>, ptr: u32, n: u32) -> Vec<u16> {
    call.read_wide_units(ptr, n as usize).unwrap_or_default()
}

/// Writes units at `ptr`.
pub(crate) fn put(call: &mut ApiCall<'_>, ptr: u32, units: &[u16]) {
    let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
    let _ = call.write_bytes(ptr, &bytes);
}

/// Writes units and a NUL at `ptr`.
pub(crate) fn put_z(call: &mut ApiCall<'_>, ptr: u32, units: &[u16]) {
    let mut v = units.to_vec();
    v.push(0);
    put(call, ptr, &v);
}

fn order(a: &[u16], b: &[u16]) -> i32 {
    match a.cmp(b) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }
}

/// The "C" locale's case mapping: ASCII letters only.
fn lower(u: u16) -> u16 {
    if (u16::from(b'A')..=u16::from(b'Z')).contains(&u) {
        u + 32
    } else {
        u
    }
}

fn upper(u: u16) -> u16 {
    if (u16::from(b'a')..=u16::from(b'z')).contains(&u) {
        u - 32
    } else {
        u
    }
}

// ---- strings --------------------------------------------------------------------------------

/// wcscpy(strDestination, strSource).
#[export(cdecl)]
fn wcscpy(call: &mut ApiCall<'_>, strDestination: Ptr, strSource: Ptr) -> Ptr {
    let s = wide(call, strSource.0);
    put_z(call, strDestination.0, &s);
    strDestination
}

/// wcsncpy(strDest, strSource, count): NULs up to `count` characters.
#[export(cdecl)]
fn wcsncpy(call: &mut ApiCall<'_>, strDest: Ptr, strSource: Ptr, count: u32) -> Ptr {
    let mut s = bounded(call, strSource.0, count);
    s.resize(count.min(LIMIT as u32) as usize, 0);
    put(call, strDest.0, &s);
    strDest
}

/// wcscat(strDestination, strSource).
#[export(cdecl)]
fn wcscat(call: &mut ApiCall<'_>, strDestination: Ptr, strSource: Ptr) -> Ptr {
    let end = strDestination.0 + 2 * wide(call, strDestination.0).len() as u32;
    let s = wide(call, strSource.0);
    put_z(call, end, &s);
    strDestination
}

/// wcsncat(strDest, strSource, count): at most `count` characters, then a NUL.
#[export(cdecl)]
fn wcsncat(call: &mut ApiCall<'_>, strDest: Ptr, strSource: Ptr, count: u32) -> Ptr {
    let end = strDest.0 + 2 * wide(call, strDest.0).len() as u32;
    let s = bounded(call, strSource.0, count);
    put_z(call, end, &s);
    strDest
}

/// wcscmp(string1, string2) and wcscoll: -1, 0 or 1.
#[export(cdecl)]
fn wcscmp(call: &mut ApiCall<'_>, string1: Ptr, string2: Ptr) -> i32 {
    order(&wide(call, string1.0), &wide(call, string2.0))
}

/// wcsncmp(string1, string2, count).
#[export(cdecl)]
fn wcsncmp(call: &mut ApiCall<'_>, string1: Ptr, string2: Ptr, count: u32) -> i32 {
    order(
        &bounded(call, string1.0, count),
        &bounded(call, string2.0, count),
    )
}

/// _wcsicmp(string1, string2) and _wcsicoll: compared lower-cased (ASCII, in the "C"
/// locale).
#[export(cdecl)]
fn _wcsicmp(call: &mut ApiCall<'_>, string1: Ptr, string2: Ptr) -> i32 {
    let a: Vec<u16> = wide(call, string1.0).into_iter().map(lower).collect();
    let b: Vec<u16> = wide(call, string2.0).into_iter().map(lower).collect();
    order(&a, &b)
}

/// _wcsnicmp(string1, string2, count).
#[export(cdecl)]
fn _wcsnicmp(call: &mut ApiCall<'_>, string1: Ptr, string2: Ptr, count: u32) -> i32 {
    let a: Vec<u16> = bounded(call, string1.0, count)
        .into_iter()
        .map(lower)
        .collect();
    let b: Vec<u16> = bounded(call, string2.0, count)
        .into_iter()
        .map(lower)
        .collect();
    order(&a, &b)
}

/// wcschr(str, c): the first `c` (the NUL itself for 0), or NULL.
#[export(cdecl)]
fn wcschr(call: &mut ApiCall<'_>, str: Ptr, c: u32) -> Ptr {
    let s = wide(call, str.0);
    let c = c as u16;
    if c == 0 {
        return Ptr(str.0 + 2 * s.len() as u32);
    }
    s.iter()
        .position(|&u| u == c)
        .map_or(Ptr::NULL, |i| Ptr(str.0 + 2 * i as u32))
}

/// wcsrchr(str, c): the last `c`, or NULL.
#[export(cdecl)]
fn wcsrchr(call: &mut ApiCall<'_>, str: Ptr, c: u32) -> Ptr {
    let s = wide(call, str.0);
    let c = c as u16;
    if c == 0 {
        return Ptr(str.0 + 2 * s.len() as u32);
    }
    s.iter()
        .rposition(|&u| u == c)
        .map_or(Ptr::NULL, |i| Ptr(str.0 + 2 * i as u32))
}

/// wcsstr(str, strSearch): the first occurrence, or NULL (`str` for an empty search).
#[export(cdecl)]
fn wcsstr(call: &mut ApiCall<'_>, str: Ptr, strSearch: Ptr) -> Ptr {
    let s = wide(call, str.0);
    let n = wide(call, strSearch.0);
    if n.is_empty() {
        return str;
    }
    s.windows(n.len())
        .position(|w| w == n.as_slice())
        .map_or(Ptr::NULL, |i| Ptr(str.0 + 2 * i as u32))
}

/// wcsspn(str, strCharSet): the length of the leading run of characters in the set.
#[export(cdecl)]
fn wcsspn(call: &mut ApiCall<'_>, str: Ptr, strCharSet: Ptr) -> u32 {
    let set = wide(call, strCharSet.0);
    wide(call, str.0)
        .iter()
        .take_while(|u| set.contains(u))
        .count() as u32
}

/// wcscspn(str, strCharSet): the length of the leading run of characters not in the set.
#[export(cdecl)]
fn wcscspn(call: &mut ApiCall<'_>, str: Ptr, strCharSet: Ptr) -> u32 {
    let set = wide(call, strCharSet.0);
    wide(call, str.0)
        .iter()
        .take_while(|u| !set.contains(u))
        .count() as u32
}

/// wcspbrk(str, strCharSet): the first character in the set, or NULL.
#[export(cdecl)]
fn wcspbrk(call: &mut ApiCall<'_>, str: Ptr, strCharSet: Ptr) -> Ptr {
    let set = wide(call, strCharSet.0);
    wide(call, str.0)
        .iter()
        .position(|u| set.contains(u))
        .map_or(Ptr::NULL, |i| Ptr(str.0 + 2 * i as u32))
}

/// wcstok(strToken, strDelimit): the next token, NULs written over the delimiters (the
/// position kept per process, as strtok's).
#[export(cdecl)]
fn wcstok(call: &mut ApiCall<'_>, strToken: Ptr, strDelimit: Ptr) -> Ptr {
    let delims = wide(call, strDelimit.0);
    with_state(call, |call, state| {
        let start = if strToken.is_null() {
            state.wcstok_next
        } else {
            strToken.0
        };
        if start == 0 {
            return Ptr::NULL;
        }
        let text = wide(call, start);
        let skip = text.iter().take_while(|c| delims.contains(c)).count();
        if skip == text.len() {
            state.wcstok_next = 0;
            return Ptr::NULL;
        }
        let token = start + 2 * skip as u32;
        let len = text[skip..]
            .iter()
            .take_while(|c| !delims.contains(c))
            .count();
        if skip + len < text.len() {
            put(call, token + 2 * len as u32, &[0]);
            state.wcstok_next = token + 2 * (len as u32 + 1);
        } else {
            state.wcstok_next = 0;
        }
        Ptr(token)
    })
}

/// _wcsdup(strSource): a malloc'd copy; NULL for NULL or when the heap is full.
#[export(cdecl)]
fn _wcsdup(call: &mut ApiCall<'_>, strSource: Ptr) -> Ptr {
    if strSource.is_null() {
        return Ptr::NULL;
    }
    let s = wide(call, strSource.0);
    match heap::allocate(call, 2 * (s.len() as u32 + 1), false) {
        Some(at) => {
            put_z(call, at, &s);
            Ptr(at)
        }
        None => {
            with_state(call, |call, _| set_errno(call, errno::ENOMEM));
            Ptr::NULL
        }
    }
}

fn map(call: &mut ApiCall<'_>, s: Ptr, f: fn(u16) -> u16) -> Ptr {
    let text: Vec<u16> = wide(call, s.0).into_iter().map(f).collect();
    put(call, s.0, &text);
    s
}

/// _wcslwr(str): lower-cased in place (ASCII, in the "C" locale).
#[export(cdecl)]
fn _wcslwr(call: &mut ApiCall<'_>, str: Ptr) -> Ptr {
    map(call, str, lower)
}

/// _wcsupr(str): upper-cased in place (ASCII, in the "C" locale).
#[export(cdecl)]
fn _wcsupr(call: &mut ApiCall<'_>, str: Ptr) -> Ptr {
    map(call, str, upper)
}

/// _wcsrev(str): reversed in place.
#[export(cdecl)]
fn _wcsrev(call: &mut ApiCall<'_>, str: Ptr) -> Ptr {
    let mut s = wide(call, str.0);
    s.reverse();
    put(call, str.0, &s);
    str
}

/// _wcsset(str, c): every character set to `c`.
#[export(cdecl)]
fn _wcsset(call: &mut ApiCall<'_>, str: Ptr, c: u32) -> Ptr {
    let n = wide(call, str.0).len();
    put(call, str.0, &vec![c as u16; n]);
    str
}

/// _wcsnset(str, c, count): the first `count` characters set to `c`.
#[export(cdecl)]
fn _wcsnset(call: &mut ApiCall<'_>, str: Ptr, c: u32, count: u32) -> Ptr {
    let n = bounded(call, str.0, count).len();
    put(call, str.0, &vec![c as u16; n]);
    str
}

// ---- classification ---------------------------------------------------------------------------

/// The character-type bits (C1_UPPER 1, C1_LOWER 2, C1_DIGIT 4, C1_SPACE 8, C1_PUNCT 0x10,
/// C1_CNTRL 0x20, C1_BLANK 0x40, C1_XDIGIT 0x80, C1_ALPHA 0x100) of a UTF-16 unit, from the
/// Unicode character tables.
pub(crate) fn wctype(u: u16) -> u16 {
    if u < 0x80 {
        return super::ctype_flags(u as u8);
    }
    let Some(c) = char::from_u32(u32::from(u)) else {
        // A surrogate: no type.
        return 0;
    };
    let mut f = 0;
    if c.is_control() {
        f |= 0x20;
    }
    if c.is_whitespace() {
        f |= 0x8;
        if matches!(
            u,
            0xA0 | 0x1680 | 0x2000..=0x200A | 0x202F | 0x205F | 0x3000
        ) {
            f |= 0x40;
        }
    }
    if c.is_alphabetic() {
        f |= 0x100;
        if c.is_uppercase() {
            f |= 0x1;
        }
        if c.is_lowercase() {
            f |= 0x2;
        }
    } else if c.is_numeric() && c.to_digit(10).is_none() && is_decimal_digit(c) {
        f |= 0x4;
    }
    if f == 0 && !is_unassigned(u) {
        f |= 0x10;
    }
    f
}

/// Decimal digits beyond ASCII (Unicode's Nd blocks of the BMP, by their zero).
fn is_decimal_digit(c: char) -> bool {
    const ZEROS: [u32; 20] = [
        0x660, 0x6F0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xE50, 0xED0,
        0xF20, 0x1040, 0x17E0, 0x1810, 0xFF10, 0x1946, 0x19D0,
    ];
    let u = c as u32;
    ZEROS.iter().any(|&z| (z..z + 10).contains(&u))
}

/// Units no character type applies to: unassigned code points and the private use area are
/// left without one (as GetStringTypeW leaves them).
fn is_unassigned(u: u16) -> bool {
    (0xE000..=0xF8FF).contains(&u) || u == 0xFFFE || u == 0xFFFF
}

/// `iswctype`'s work: WEOF has no type.
fn is_type(c: u32, mask: u32) -> u32 {
    if c >= 0x1_0000 || c == WEOF {
        return 0;
    }
    u32::from(wctype(c as u16)) & mask
}

/// iswctype(c, desc) and is_wctype: the bits of `desc` the character has.
#[export(cdecl)]
fn iswctype(_: &mut ApiCall<'_>, c: u32, desc: u32) -> u32 {
    is_type(c & 0xFFFF, desc)
}

macro_rules! isw {
    ($($name:ident, $mask:expr, $what:literal;)*) => {$(
        #[doc = concat!(stringify!($name), "(c): nonzero for ", $what, ".")]
        #[export(cdecl)]
        fn $name(_: &mut ApiCall<'_>, c: u32) -> u32 {
            is_type(c & 0xFFFF, $mask)
        }
    )*};
}

isw! {
    iswalpha, 0x103, "a letter";
    iswupper, 0x1, "an upper-case letter";
    iswlower, 0x2, "a lower-case letter";
    iswdigit, 0x4, "a decimal digit";
    iswxdigit, 0x80, "a hexadecimal digit";
    iswspace, 0x8, "white space";
    iswpunct, 0x10, "punctuation";
    iswalnum, 0x107, "a letter or digit";
    iswprint, 0x157, "a printable character (blank included)";
    iswgraph, 0x117, "a printable character other than a blank";
    iswcntrl, 0x20, "a control character";
}

/// iswascii(c): nonzero for 0-127.
#[export(cdecl)]
fn iswascii(_: &mut ApiCall<'_>, c: u32) -> u32 {
    u32::from((c & 0xFFFF) < 0x80)
}

/// isleadbyte(c): 0 (the "C" locale has no double-byte characters).
#[export(cdecl)]
fn isleadbyte(_: &mut ApiCall<'_>, c: u32) -> u32 {
    let _ = c;
    0
}

/// towlower(c): ASCII letters only in the "C" locale; WEOF stays.
#[export(cdecl)]
fn towlower(_: &mut ApiCall<'_>, c: u32) -> u32 {
    u32::from(lower(c as u16))
}

/// towupper(c): ASCII letters only in the "C" locale; WEOF stays.
#[export(cdecl)]
fn towupper(_: &mut ApiCall<'_>, c: u32) -> u32 {
    u32::from(upper(c as u16))
}

// ---- numbers ----------------------------------------------------------------------------------

/// The bytes a numeric parser sees of a wide string: ASCII kept, anything else a byte no
/// number has.
fn ascii(units: &[u16]) -> Vec<u8> {
    units
        .iter()
        .map(|&u| if u < 0x80 { u as u8 } else { 0xFF })
        .collect()
}

fn wcsto(call: &mut ApiCall<'_>, s: Ptr, end: Ptr, base: u32, signed: bool) -> u32 {
    let text = ascii(&wide(call, s.0));
    let (v, negative, used) = parse_integer(&text, base);
    let _ = call.write_out_u32(end.0, s.0 + 2 * used as u32);
    integer_result(call, v, negative, signed)
}

/// wcstol(nptr, endptr, base): LONG_MIN/LONG_MAX with ERANGE on overflow.
#[export(cdecl)]
fn wcstol(call: &mut ApiCall<'_>, nptr: Ptr, endptr: Ptr, base: u32) -> i32 {
    wcsto(call, nptr, endptr, base, true) as i32
}

/// wcstoul(nptr, endptr, base): ULONG_MAX with ERANGE on overflow.
#[export(cdecl)]
fn wcstoul(call: &mut ApiCall<'_>, nptr: Ptr, endptr: Ptr, base: u32) -> u32 {
    wcsto(call, nptr, endptr, base, false)
}

/// wcstod(nptr, endptr): the double; ERANGE when it overflows.
#[export(cdecl)]
fn wcstod(call: &mut ApiCall<'_>, nptr: Ptr, endptr: Ptr) -> f64 {
    let text = ascii(&wide(call, nptr.0));
    let (v, used) = parse_float(&text);
    let _ = call.write_out_u32(endptr.0, nptr.0 + 2 * used as u32);
    if v.is_infinite() {
        with_state(call, |call, _| set_errno(call, errno::ERANGE));
    }
    v
}

/// _wtoi(str) and _wtol: base 10, wrapping on overflow as atoi does.
#[export(cdecl)]
fn _wtoi(call: &mut ApiCall<'_>, str: Ptr) -> i32 {
    let text = ascii(&wide(call, str.0));
    let (v, negative, _) = parse_integer(&text, 10);
    let v = v as u32;
    (if negative { v.wrapping_neg() } else { v }) as i32
}

/// _wtoi64(str).
#[export(cdecl)]
fn _wtoi64(call: &mut ApiCall<'_>, str: Ptr) -> i64 {
    let text = ascii(&wide(call, str.0));
    let (v, negative, _) = parse_integer(&text, 10);
    (if negative { v.wrapping_neg() } else { v }) as i64
}

fn radix_units(v: u64, radix: u32, negative: bool) -> Vec<u16> {
    let mut digits = Vec::new();
    let mut n = v;
    loop {
        let d = (n % u64::from(radix)) as u32;
        digits.push(std::char::from_digit(d, radix).map_or(u16::from(b'?'), |c| c as u16));
        n /= u64::from(radix);
        if n == 0 {
            break;
        }
    }
    if negative {
        digits.push(u16::from(b'-'));
    }
    digits.reverse();
    digits
}

/// _itow(value, buffer, radix) and _ltow: a minus sign only in radix 10.
#[export(cdecl)]
fn _itow(call: &mut ApiCall<'_>, value: i32, buffer: Ptr, radix: u32) -> Ptr {
    if (2..=36).contains(&radix) {
        let negative = radix == 10 && value < 0;
        let magnitude = if negative {
            value.unsigned_abs()
        } else {
            value as u32
        };
        put_z(
            call,
            buffer.0,
            &radix_units(u64::from(magnitude), radix, negative),
        );
    }
    buffer
}

/// _ultow(value, buffer, radix).
#[export(cdecl)]
fn _ultow(call: &mut ApiCall<'_>, value: u32, buffer: Ptr, radix: u32) -> Ptr {
    if (2..=36).contains(&radix) {
        put_z(call, buffer.0, &radix_units(u64::from(value), radix, false));
    }
    buffer
}

/// _i64tow(value, buffer, radix).
#[export(cdecl)]
fn _i64tow(call: &mut ApiCall<'_>, value: i64, buffer: Ptr, radix: u32) -> Ptr {
    if (2..=36).contains(&radix) {
        let negative = radix == 10 && value < 0;
        let magnitude = if negative {
            value.unsigned_abs()
        } else {
            value as u64
        };
        put_z(call, buffer.0, &radix_units(magnitude, radix, negative));
    }
    buffer
}

/// _ui64tow(value, buffer, radix).
#[export(cdecl)]
fn _ui64tow(call: &mut ApiCall<'_>, value: u64, buffer: Ptr, radix: u32) -> Ptr {
    if (2..=36).contains(&radix) {
        put_z(call, buffer.0, &radix_units(value, radix, false));
    }
    buffer
}

// ---- multibyte conversions ("C" locale) ---------------------------------------------------------

/// mbstowcs(wcstr, mbstr, count): each byte its character, up to the NUL or `count`
/// characters; the number converted (the length of `mbstr` when `wcstr` is NULL).
#[export(cdecl)]
fn mbstowcs(call: &mut ApiCall<'_>, wcstr: Ptr, mbstr: Ptr, count: u32) -> u32 {
    let bytes = call.read_c_bytes(mbstr.0, LIMIT).unwrap_or_default();
    if wcstr.is_null() {
        return bytes.len() as u32;
    }
    let n = bytes.len().min(count as usize);
    let mut units: Vec<u16> = bytes[..n].iter().map(|&b| u16::from(b)).collect();
    if n < count as usize {
        units.push(0);
    }
    put(call, wcstr.0, &units);
    n as u32
}

/// wcstombs(mbstr, wcstr, count): each character its byte, up to the NUL or `count` bytes;
/// the number of bytes written, or -1 with EILSEQ for a character above 255.
#[export(cdecl)]
fn wcstombs(call: &mut ApiCall<'_>, mbstr: Ptr, wcstr: Ptr, count: u32) -> u32 {
    let units = wide(call, wcstr.0);
    let limit = if mbstr.is_null() {
        units.len()
    } else {
        units.len().min(count as usize)
    };
    if units[..limit].iter().any(|&u| u > 0xFF) {
        with_state(call, |call, _| set_errno(call, EILSEQ));
        return u32::MAX;
    }
    if mbstr.is_null() {
        return limit as u32;
    }
    let mut bytes: Vec<u8> = units[..limit].iter().map(|&u| u as u8).collect();
    if limit < count as usize {
        bytes.push(0);
    }
    let _ = call.write_bytes(mbstr.0, &bytes);
    limit as u32
}

/// mbtowc(wchar, mbchar, count): 1 with the byte's character, 0 for NULL, a NUL or a count
/// of 0.
#[export(cdecl)]
fn mbtowc(call: &mut ApiCall<'_>, wchar: Ptr, mbchar: Ptr, count: u32) -> i32 {
    if mbchar.is_null() || count == 0 {
        return 0;
    }
    let b = call
        .read_bytes(mbchar.0, 1)
        .ok()
        .and_then(|v| v.first().copied())
        .unwrap_or(0);
    if !wchar.is_null() {
        put(call, wchar.0, &[u16::from(b)]);
    }
    i32::from(b != 0)
}

/// wctomb(mbchar, wchar): 1 with the character's byte; -1 with EILSEQ above 255; 0 for a
/// NULL buffer (no shift states).
#[export(cdecl)]
fn wctomb(call: &mut ApiCall<'_>, mbchar: Ptr, wchar: u32) -> i32 {
    if mbchar.is_null() {
        return 0;
    }
    let u = wchar & 0xFFFF;
    if u > 0xFF {
        with_state(call, |call, _| set_errno(call, EILSEQ));
        return -1;
    }
    let _ = call.write_bytes(mbchar.0, &[u as u8]);
    1
}

/// mblen(mbstr, count): 1 for a byte that is no NUL, else 0.
#[export(cdecl)]
fn mblen(call: &mut ApiCall<'_>, mbstr: Ptr, count: u32) -> i32 {
    if mbstr.is_null() || count == 0 {
        return 0;
    }
    let b = call
        .read_bytes(mbstr.0, 1)
        .ok()
        .and_then(|v| v.first().copied())
        .unwrap_or(0);
    i32::from(b != 0)
}

// ---- formatting -------------------------------------------------------------------------------

/// Stores a formatted wide string as swprintf (`limit` None) or _snwprintf does: the
/// number of characters; with a limit, -1 when it does not fit (cut there, no NUL), and no
/// NUL when it fits exactly.
fn store_wide(
    call: &mut ApiCall<'_>,
    buffer: Ptr,
    limit: Option<u32>,
    text: Option<Vec<u16>>,
) -> i32 {
    let Some(mut text) = text else {
        return -1;
    };
    let len = text.len() as u32;
    let result = match limit {
        Some(n) if len > n => {
            text.truncate(n as usize);
            -1
        }
        Some(n) => {
            if len < n {
                text.push(0);
            }
            len as i32
        }
        None => {
            text.push(0);
            len as i32
        }
    };
    put(call, buffer.0, &text);
    result
}

/// swprintf(buffer, format, ...): the characters written, without the NUL.
#[export(cdecl)]
fn swprintf(call: &mut ApiCall<'_>, buffer: Ptr, format: Ptr, arguments: VarArgs) -> i32 {
    let text = {
        let mut args = arguments.reader(call);
        let fmt = args.call().read_wide_units(format.0, LIMIT).ok();
        fmt.and_then(|f| format_wide(&f, &mut args).ok())
    };
    store_wide(call, buffer, None, text)
}

/// _snwprintf(buffer, count, format, ...): at most `count` characters.
#[export(cdecl)]
fn _snwprintf(
    call: &mut ApiCall<'_>,
    buffer: Ptr,
    count: u32,
    format: Ptr,
    arguments: VarArgs,
) -> i32 {
    let text = {
        let mut args = arguments.reader(call);
        let fmt = args.call().read_wide_units(format.0, LIMIT).ok();
        fmt.and_then(|f| format_wide(&f, &mut args).ok())
    };
    store_wide(call, buffer, Some(count), text)
}

/// Formats with a va_list.
pub(crate) fn format_wide_list(
    call: &mut ApiCall<'_>,
    format: Ptr,
    argptr: Ptr,
) -> Option<Vec<u16>> {
    let fmt = call.read_wide_units(format.0, LIMIT).ok()?;
    format_wide(&fmt, &mut GuestArguments::list(call, argptr.0)).ok()
}

/// vswprintf(buffer, format, argptr).
#[export(cdecl)]
fn vswprintf(call: &mut ApiCall<'_>, buffer: Ptr, format: Ptr, argptr: Ptr) -> i32 {
    let text = format_wide_list(call, format, argptr);
    store_wide(call, buffer, None, text)
}

/// _vsnwprintf(buffer, count, format, argptr).
#[export(cdecl)]
fn _vsnwprintf(call: &mut ApiCall<'_>, buffer: Ptr, count: u32, format: Ptr, argptr: Ptr) -> i32 {
    let text = format_wide_list(call, format, argptr);
    store_wide(call, buffer, Some(count), text)
}

/// wcsftime(strDest, maxsize, format, timeptr): strftime with wide strings (the "C"
/// locale's names); the length, or 0 when it does not fit with its NUL.
#[export(cdecl)]
fn wcsftime(call: &mut ApiCall<'_>, strDest: Ptr, maxsize: u32, format: Ptr, timeptr: Ptr) -> u32 {
    let fmt: Vec<u8> = wide(call, format.0)
        .into_iter()
        .map(|u| u8::try_from(u).unwrap_or(b'?'))
        .collect();
    let Some(f) = super::string::read_tm(call, timeptr.0) else {
        return 0;
    };
    let text: Vec<u16> = strftime_text(&fmt, &f).into_iter().map(u16::from).collect();
    if text.len() + 1 > maxsize as usize {
        return 0;
    }
    put_z(call, strDest.0, &text);
    text.len() as u32
}

/// _wasctime(timeptr): asctime's text, wide, in its own buffer.
#[export(cdecl)]
fn _wasctime(call: &mut ApiCall<'_>, timeptr: Ptr) -> Ptr {
    let Some(f) = super::string::read_tm(call, timeptr.0) else {
        return Ptr::NULL;
    };
    let text: Vec<u16> = asctime_text(&f).encode_utf16().collect();
    let at = with_state(call, |_, _| super::CRT_DATA + super::at::WASCTIME);
    put_z(call, at, &text);
    Ptr(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_types_of_the_unicode_tables() {
        assert_eq!(wctype(u16::from(b'A')), 0x181);
        assert_eq!(wctype(0xE9), 0x102);
        assert_eq!(wctype(0xC9), 0x101);
        assert_eq!(wctype(0xD7), 0x10);
        assert_eq!(wctype(0x3B1), 0x102);
        assert_eq!(wctype(0x660), 0x4);
        assert_eq!(wctype(0x3000), 0x48);
        assert_eq!(wctype(0x85) & 0x20, 0x20);
        assert_eq!(wctype(0xE000), 0);
    }

    #[test]
    fn radix_digits() {
        assert_eq!(String::from_utf16_lossy(&radix_units(255, 16, false)), "ff");
        assert_eq!(String::from_utf16_lossy(&radix_units(42, 10, true)), "-42");
        assert_eq!(String::from_utf16_lossy(&radix_units(0, 2, false)), "0");
    }
}
