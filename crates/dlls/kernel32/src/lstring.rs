//! The lstr functions: lstrlen, lstrcpy, lstrcpyn, lstrcat, lstrcmp and lstrcmpi, A and W
//! (and the undecorated names NT 4.0 exports for the A forms).
//!
//! NT 4.0's lstrlen, lstrcpy, lstrcpyn and lstrcat run inside a structured exception handler
//! and return 0 or NULL when a pointer faults, instead of raising the access violation: ntemu
//! reads and writes the caller's memory with checked accesses and does the same, keeping what
//! was written before the fault as NT does (it copies character by character). lstrcmp and
//! lstrcmpi are CompareString of the user's locale (lstrcmpi with NORM_IGNORECASE) minus 2,
//! so they sort as CompareString does, not by character code; a NULL string sorts before any
//! other, as NT's fallback for a failed CompareString orders them.

use crate::locale::{NORM_IGNORECASE, compare_units};
use win32::codepage::CodePage;
use win32::{ApiCall, Ptr, export};

/// The most characters an lstr function reads or copies (larger strings are cut there).
const LIMIT: usize = 0x1000_0000;
/// The host-side page the reads and writes are cut at (the x86 page; Alpha's 8 KiB pages are
/// whole multiples of it).
const PAGE: u32 = 0x1000;

/// Character width of the A (1 byte) and W (2 bytes) forms.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Width {
    Ansi,
    Wide,
}

impl Width {
    fn bytes(self) -> u32 {
        match self {
            Width::Ansi => 1,
            Width::Wide => 2,
        }
    }
}

/// How a read of a string ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum End {
    /// At its NUL (not included).
    Nul,
    /// After the most characters asked for.
    Limit,
    /// At an address that cannot be read.
    Fault,
}

/// Reads characters at `at` until a NUL, `max` characters or a fault, page by page so a
/// string ending just before an unreadable page is read whole.
fn read_chars(call: &ApiCall<'_>, at: u32, max: usize, width: Width) -> (Vec<u16>, End) {
    let unit = width.bytes();
    let mut chars = Vec::new();
    let mut addr = at;
    while chars.len() < max {
        let to_page_end = PAGE - (addr & (PAGE - 1));
        let want = (to_page_end / unit).clamp(1, 256) as usize;
        let n = want.min(max - chars.len());
        // A chunk never crosses a page, so a fault means its first character faults (or a
        // wide character straddles into an unreadable page).
        let Ok(bytes) = call.read_bytes(addr, n * unit as usize) else {
            return (chars, End::Fault);
        };
        for c in bytes.chunks_exact(unit as usize) {
            let c = decode_one(c, width);
            if c == 0 {
                return (chars, End::Nul);
            }
            chars.push(c);
        }
        addr = addr.wrapping_add(n as u32 * unit);
    }
    (chars, End::Limit)
}

fn decode_one(bytes: &[u8], width: Width) -> u16 {
    match width {
        Width::Ansi => u16::from(bytes[0]),
        Width::Wide => u16::from_le_bytes([bytes[0], bytes[1]]),
    }
}

/// Writes characters (and nothing else) at `at`, page by page: what lies before an unwritable
/// page is written. False when a page refused.
fn write_chars(call: &mut ApiCall<'_>, at: u32, chars: &[u16], width: Width) -> bool {
    let bytes: Vec<u8> = match width {
        Width::Ansi => chars.iter().map(|&c| c as u8).collect(),
        Width::Wide => chars.iter().flat_map(|c| c.to_le_bytes()).collect(),
    };
    let mut done = 0usize;
    while done < bytes.len() {
        let addr = at.wrapping_add(done as u32);
        let n = ((PAGE - (addr & (PAGE - 1))) as usize).min(bytes.len() - done);
        if call.write_bytes(addr, &bytes[done..done + n]).is_err() {
            return false;
        }
        done += n;
    }
    true
}

/// lstrlen: the length of the string, 0 for NULL or a string that cannot be read.
fn length(call: &ApiCall<'_>, s: Ptr, width: Width) -> i32 {
    if s.is_null() {
        return 0;
    }
    match read_chars(call, s.0, LIMIT, width) {
        (chars, End::Nul | End::Limit) => chars.len() as i32,
        (_, End::Fault) => 0,
    }
}

/// Copies the string at `src` (at most `max` characters) and a NUL to `dst`: true when it
/// all went, false when a read or write faulted (what was copied before stays).
fn copy_chars(call: &mut ApiCall<'_>, dst: u32, src: u32, max: usize, width: Width) -> bool {
    let (mut chars, end) = read_chars(call, src, max, width);
    if end == End::Fault {
        write_chars(call, dst, &chars, width);
        return false;
    }
    chars.push(0);
    write_chars(call, dst, &chars, width)
}

/// lstrcpy: `dst`, or NULL when a pointer faults.
fn copy(call: &mut ApiCall<'_>, dst: Ptr, src: Ptr, width: Width) -> Ptr {
    if copy_chars(call, dst.0, src.0, LIMIT, width) {
        dst
    } else {
        Ptr::NULL
    }
}

/// lstrcpyn: at most `max - 1` characters and a NUL; nothing for 0; a negative count copies
/// the whole string (NT's loop counts it down and never reaches 0).
fn copy_n(call: &mut ApiCall<'_>, dst: Ptr, src: Ptr, max: i32, width: Width) -> Ptr {
    if max == 0 {
        return dst;
    }
    let limit = if max > 0 { max as usize - 1 } else { LIMIT };
    if copy_chars(call, dst.0, src.0, limit, width) {
        dst
    } else {
        Ptr::NULL
    }
}

/// lstrcat: appends `src` to `dst`; `dst`, or NULL when a pointer faults.
fn concat(call: &mut ApiCall<'_>, dst: Ptr, src: Ptr, width: Width) -> Ptr {
    let (existing, end) = read_chars(call, dst.0, LIMIT, width);
    if end == End::Fault {
        return Ptr::NULL;
    }
    let at = dst.0.wrapping_add(existing.len() as u32 * width.bytes());
    if copy_chars(call, at, src.0, LIMIT, width) {
        dst
    } else {
        Ptr::NULL
    }
}

/// lstrcmp and lstrcmpi: CompareString (ANSI strings seen through code page 1252) minus 2;
/// a NULL or unreadable string sorts first.
fn compare(call: &ApiCall<'_>, a: Ptr, b: Ptr, flags: u32, width: Width) -> i32 {
    let read = |p: Ptr| -> Option<Vec<u16>> {
        if p.is_null() {
            return None;
        }
        let (chars, end) = read_chars(call, p.0, LIMIT, width);
        if end == End::Fault {
            return None;
        }
        Some(match width {
            Width::Ansi => chars
                .iter()
                .map(|&c| CodePage::Ansi.decode(c as u8))
                .collect(),
            Width::Wide => chars,
        })
    };
    match (read(a), read(b)) {
        (Some(x), Some(y)) => compare_units(&x, &y, flags) as i32 - 2,
        (None, None) => 0,
        (None, Some(_)) => -1,
        (Some(_), None) => 1,
    }
}

/// int lstrlenA(LPCSTR lpString): the string's length in bytes; 0 for NULL or a pointer that
/// faults.
#[export]
fn lstrlenA(call: &mut ApiCall<'_>, lpString: Ptr) -> i32 {
    length(call, lpString, Width::Ansi)
}

/// int lstrlenW(LPCWSTR lpString): the string's length in characters; 0 for NULL or a
/// pointer that faults.
#[export]
fn lstrlenW(call: &mut ApiCall<'_>, lpString: Ptr) -> i32 {
    length(call, lpString, Width::Wide)
}

/// LPSTR lstrcpyA(LPSTR lpString1, LPCSTR lpString2): copies the string and its NUL;
/// lpString1, or NULL when a pointer faults.
#[export]
fn lstrcpyA(call: &mut ApiCall<'_>, lpString1: Ptr, lpString2: Ptr) -> Ptr {
    copy(call, lpString1, lpString2, Width::Ansi)
}

/// LPWSTR lstrcpyW(LPWSTR lpString1, LPCWSTR lpString2): lstrcpyA in UTF-16.
#[export]
fn lstrcpyW(call: &mut ApiCall<'_>, lpString1: Ptr, lpString2: Ptr) -> Ptr {
    copy(call, lpString1, lpString2, Width::Wide)
}

/// LPSTR lstrcpynA(LPSTR lpString1, LPCSTR lpString2, int iMaxLength): copies at most
/// iMaxLength - 1 characters and a NUL (nothing when iMaxLength is 0); lpString1, or NULL when
/// a pointer faults.
#[export]
fn lstrcpynA(call: &mut ApiCall<'_>, lpString1: Ptr, lpString2: Ptr, iMaxLength: i32) -> Ptr {
    copy_n(call, lpString1, lpString2, iMaxLength, Width::Ansi)
}

/// LPWSTR lstrcpynW(LPWSTR lpString1, LPCWSTR lpString2, int iMaxLength): lstrcpynA in
/// UTF-16.
#[export]
fn lstrcpynW(call: &mut ApiCall<'_>, lpString1: Ptr, lpString2: Ptr, iMaxLength: i32) -> Ptr {
    copy_n(call, lpString1, lpString2, iMaxLength, Width::Wide)
}

/// LPSTR lstrcatA(LPSTR lpString1, LPCSTR lpString2): appends lpString2 to lpString1;
/// lpString1, or NULL when a pointer faults.
#[export]
fn lstrcatA(call: &mut ApiCall<'_>, lpString1: Ptr, lpString2: Ptr) -> Ptr {
    concat(call, lpString1, lpString2, Width::Ansi)
}

/// LPWSTR lstrcatW(LPWSTR lpString1, LPCWSTR lpString2): lstrcatA in UTF-16.
#[export]
fn lstrcatW(call: &mut ApiCall<'_>, lpString1: Ptr, lpString2: Ptr) -> Ptr {
    concat(call, lpString1, lpString2, Width::Wide)
}

/// int lstrcmpA(LPCSTR lpString1, LPCSTR lpString2): negative, 0 or positive as
/// CompareStringA of the user's locale orders the strings (case matters last: "a" before
/// "A" before "b").
#[export]
fn lstrcmpA(call: &mut ApiCall<'_>, lpString1: Ptr, lpString2: Ptr) -> i32 {
    compare(call, lpString1, lpString2, 0, Width::Ansi)
}

/// int lstrcmpW(LPCWSTR lpString1, LPCWSTR lpString2): lstrcmpA in UTF-16.
#[export]
fn lstrcmpW(call: &mut ApiCall<'_>, lpString1: Ptr, lpString2: Ptr) -> i32 {
    compare(call, lpString1, lpString2, 0, Width::Wide)
}

/// int lstrcmpiA(LPCSTR lpString1, LPCSTR lpString2): lstrcmpA without regard to case
/// (CompareStringA with NORM_IGNORECASE).
#[export]
fn lstrcmpiA(call: &mut ApiCall<'_>, lpString1: Ptr, lpString2: Ptr) -> i32 {
    compare(call, lpString1, lpString2, NORM_IGNORECASE, Width::Ansi)
}

/// int lstrcmpiW(LPCWSTR lpString1, LPCWSTR lpString2): lstrcmpiA in UTF-16.
#[export]
fn lstrcmpiW(call: &mut ApiCall<'_>, lpString1: Ptr, lpString2: Ptr) -> i32 {
    compare(call, lpString1, lpString2, NORM_IGNORECASE, Width::Wide)
}
