//! string.h, ctype.h (the C locale), stdlib.h and time.h functions.

use super::{CRT_DATA, at, ctype_flags, errno, set_errno, with_state};
use nt_memory::AddressSpace;
use win32::calendar::{civil_from_days, days_from_civil};
use win32::codepage::CodePage;
use win32::format::next_conversion;
use win32::{AnsiStr, ApiCall, ApiReturn, InlineCall, Ptr, WideStr, export};

/// The longest string these functions read.
const LIMIT: usize = 0x100_0000;

fn c_string(call: &ApiCall<'_>, ptr: u32) -> Vec<u8> {
    call.read_c_bytes(ptr, LIMIT).unwrap_or_default()
}

fn bounded(call: &ApiCall<'_>, ptr: u32, n: u32) -> Vec<u8> {
    call.read_c_bytes(ptr, n as usize).unwrap_or_default()
}

fn put(call: &mut ApiCall<'_>, ptr: u32, bytes: &[u8]) {
    let _ = call.write_bytes(ptr, bytes);
}

/// The caller's address space, for the functions that work on guest memory in place.
fn space<'a>(call: &'a mut ApiCall<'_>) -> Option<&'a mut AddressSpace> {
    call.process_mut().map(|p| p.address_space_mut())
}

/// The length of the string at `ptr` (at most `max`), scanned in place; None when it cannot
/// be read to its end.
fn string_len(call: &ApiCall<'_>, ptr: u32, max: usize) -> Option<u32> {
    let len = call
        .process()?
        .address_space()
        .c_string_len(ptr, max)
        .ok()?;
    Some(len as u32)
}

/// Copies `len` bytes from `src` to `dst`, guest to guest with no host buffer (memmove's
/// semantics); false when a range is not accessible (nothing copied).
fn copy_in_place(call: &mut ApiCall<'_>, dst: u32, src: u32, len: u32) -> bool {
    space(call).is_some_and(|m| m.copy_within_space(dst, src, len).is_ok())
}

/// strlen inside the CPU ([`win32::inline`]): the same length, 0 for a string that cannot
/// be read to its end.
pub(crate) fn inline_strlen(call: &mut InlineCall<'_>) -> Option<u32> {
    Some(call.memory.c_string_len(call.arg(0), LIMIT).unwrap_or(0) as u32)
}

/// memmove and memcpy inside the CPU: a copy whose ranges are all accessible; any other is
/// left to the full call (which copies what it can).
pub(crate) fn inline_memmove(call: &mut InlineCall<'_>) -> Option<u32> {
    let (dst, src, n) = (call.arg(0), call.arg(1), call.arg(2));
    call.memory
        .copy_within_space(dst, src, n)
        .ok()
        .map(|()| dst)
}

/// memset inside the CPU: a range all writable; any other is left to the full call.
pub(crate) fn inline_memset(call: &mut InlineCall<'_>) -> Option<u32> {
    let (dst, c, n) = (call.arg(0), call.arg(1), call.arg(2));
    call.memory.fill_bytes(dst, n, c as u8).ok().map(|()| dst)
}

/// memcmp inside the CPU: both ranges readable; any other is left to the full call.
pub(crate) fn inline_memcmp(call: &mut InlineCall<'_>) -> Option<u32> {
    let (a, b, n) = (call.arg(0), call.arg(1), call.arg(2));
    let order = call.memory.compare_bytes(a, b, n).ok()?;
    Some(order as i32 as u32)
}

/// strcpy inside the CPU: a source readable to its NUL and a destination writable for it;
/// any other is left to the full call.
pub(crate) fn inline_strcpy(call: &mut InlineCall<'_>) -> Option<u32> {
    let (dst, src) = (call.arg(0), call.arg(1));
    let len = call.memory.c_string_len(src, LIMIT).ok()?;
    if len >= LIMIT {
        return None;
    }
    call.memory
        .copy_within_space(dst, src, len as u32 + 1)
        .ok()
        .map(|()| dst)
}

fn compare(a: &[u8], b: &[u8]) -> i32 {
    match a.cmp(b) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }
}

/// strlen(str).
#[export(cdecl)]
fn strlen(call: &mut ApiCall<'_>, str: Ptr) -> u32 {
    string_len(call, str.0, LIMIT).unwrap_or(0)
}

/// wcslen(str).
#[export(cdecl)]
fn wcslen(call: &mut ApiCall<'_>, str: Ptr) -> u32 {
    let mut n = 0u32;
    while let Ok(b) = call.read_bytes(str.0.wrapping_add(2 * n), 2) {
        if b == [0, 0] {
            break;
        }
        n += 1;
    }
    n
}

/// strcpy(strDestination, strSource).
#[export(cdecl)]
fn strcpy(call: &mut ApiCall<'_>, strDestination: Ptr, strSource: Ptr) -> Ptr {
    if let Some(len) = string_len(call, strSource.0, LIMIT)
        && (len as usize) < LIMIT
        && copy_in_place(call, strDestination.0, strSource.0, len + 1)
    {
        return strDestination;
    }
    let mut s = c_string(call, strSource.0);
    s.push(0);
    put(call, strDestination.0, &s);
    strDestination
}

/// strncpy(strDest, strSource, count): pads with NULs to count.
#[export(cdecl)]
fn strncpy(call: &mut ApiCall<'_>, strDest: Ptr, strSource: Ptr, count: u32) -> Ptr {
    let (dst, n) = (strDest.0, count);
    let s = bounded(call, strSource.0, n);
    put(call, dst, &s);
    // Then NULs up to n: in place, or in bounded chunks as far as they go.
    let mut done = s.len() as u32;
    if done < n
        && space(call).is_some_and(|m| m.fill_bytes(dst.wrapping_add(done), n - done, 0).is_ok())
    {
        return strDest;
    }
    while done < n {
        let len = (n - done).min(0x1_0000);
        put(call, dst.wrapping_add(done), &vec![0; len as usize]);
        done += len;
    }
    strDest
}

/// strcat(strDestination, strSource).
#[export(cdecl)]
fn strcat(call: &mut ApiCall<'_>, strDestination: Ptr, strSource: Ptr) -> Ptr {
    let dst = strDestination.0;
    let end = dst.wrapping_add(string_len(call, dst, LIMIT).unwrap_or(0));
    if let Some(len) = string_len(call, strSource.0, LIMIT)
        && (len as usize) < LIMIT
        && copy_in_place(call, end, strSource.0, len + 1)
    {
        return strDestination;
    }
    let mut s = c_string(call, strSource.0);
    s.push(0);
    put(call, end, &s);
    strDestination
}

/// strncat(strDest, strSource, count): at most count characters, then a NUL.
#[export(cdecl)]
fn strncat(call: &mut ApiCall<'_>, strDest: Ptr, strSource: Ptr, count: u32) -> Ptr {
    let dst = strDest.0;
    let end = dst + c_string(call, dst).len() as u32;
    let mut s = bounded(call, strSource.0, count);
    s.push(0);
    put(call, end, &s);
    strDest
}

/// strcmp(string1, string2) and strcoll: -1, 0 or 1.
#[export(cdecl)]
fn strcmp(call: &mut ApiCall<'_>, string1: Ptr, string2: Ptr) -> i32 {
    compare(&c_string(call, string1.0), &c_string(call, string2.0))
}

/// strncmp(string1, string2, count).
#[export(cdecl)]
fn strncmp(call: &mut ApiCall<'_>, string1: Ptr, string2: Ptr, count: u32) -> i32 {
    compare(
        &bounded(call, string1.0, count),
        &bounded(call, string2.0, count),
    )
}

fn lower(v: Vec<u8>) -> Vec<u8> {
    v.to_ascii_lowercase()
}

/// _stricmp(string1, string2), _strcmpi and _stricoll: compares lowercased.
#[export(cdecl)]
fn _stricmp(call: &mut ApiCall<'_>, string1: Ptr, string2: Ptr) -> i32 {
    let a = lower(c_string(call, string1.0));
    compare(&a, &lower(c_string(call, string2.0)))
}

/// _strnicmp(string1, string2, count).
#[export(cdecl)]
fn _strnicmp(call: &mut ApiCall<'_>, string1: Ptr, string2: Ptr, count: u32) -> i32 {
    let a = lower(bounded(call, string1.0, count));
    compare(&a, &lower(bounded(call, string2.0, count)))
}

/// strchr(str, c): the terminating NUL counts.
#[export(cdecl)]
fn strchr(call: &mut ApiCall<'_>, str: Ptr, c: u32) -> Ptr {
    find_char(call, str, c as u8, false)
}

/// strrchr(str, c).
#[export(cdecl)]
fn strrchr(call: &mut ApiCall<'_>, str: Ptr, c: u32) -> Ptr {
    find_char(call, str, c as u8, true)
}

/// strchr/strrchr: the address of the first (or, with `last`, the last) `c` in `s`, NULL
/// if there is none; a NUL `c` finds the terminator.
fn find_char(call: &mut ApiCall<'_>, s: Ptr, c: u8, last: bool) -> Ptr {
    let text = c_string(call, s.0);
    if c == 0 {
        return Ptr(s.0 + text.len() as u32);
    }
    let found = if last {
        text.iter().rposition(|&b| b == c)
    } else {
        text.iter().position(|&b| b == c)
    };
    found.map_or(Ptr::NULL, |i| Ptr(s.0 + i as u32))
}

/// strstr(str, strSearch).
#[export(cdecl)]
fn strstr(call: &mut ApiCall<'_>, str: Ptr, strSearch: Ptr) -> Ptr {
    let (hay, needle) = (c_string(call, str.0), c_string(call, strSearch.0));
    if needle.is_empty() {
        return str;
    }
    hay.windows(needle.len())
        .position(|w| w == needle.as_slice())
        .map_or(Ptr::NULL, |i| Ptr(str.0 + i as u32))
}

/// strspn(str, strCharSet).
#[export(cdecl)]
fn strspn(call: &mut ApiCall<'_>, str: Ptr, strCharSet: Ptr) -> u32 {
    let (s, set) = (c_string(call, str.0), c_string(call, strCharSet.0));
    s.iter().take_while(|c| set.contains(c)).count() as u32
}

/// strcspn(str, strCharSet).
#[export(cdecl)]
fn strcspn(call: &mut ApiCall<'_>, str: Ptr, strCharSet: Ptr) -> u32 {
    let (s, set) = (c_string(call, str.0), c_string(call, strCharSet.0));
    s.iter().take_while(|c| !set.contains(c)).count() as u32
}

/// strpbrk(str, strCharSet).
#[export(cdecl)]
fn strpbrk(call: &mut ApiCall<'_>, str: Ptr, strCharSet: Ptr) -> Ptr {
    let (s, set) = (c_string(call, str.0), c_string(call, strCharSet.0));
    s.iter()
        .position(|c| set.contains(c))
        .map_or(Ptr::NULL, |i| Ptr(str.0 + i as u32))
}

/// strtok(strToken, strDelimit): the next token, NULs written over the delimiters.
#[export(cdecl)]
fn strtok(call: &mut ApiCall<'_>, strToken: Ptr, strDelimit: Ptr) -> Ptr {
    let delims = c_string(call, strDelimit.0);
    with_state(call, |call, state| {
        let start = if strToken.is_null() {
            state.strtok_next
        } else {
            strToken.0
        };
        if start == 0 {
            return Ptr::NULL;
        }
        let text = c_string(call, start);
        let skip = text.iter().take_while(|c| delims.contains(c)).count();
        if skip == text.len() {
            state.strtok_next = 0;
            return Ptr::NULL;
        }
        let token = start + skip as u32;
        let len = text[skip..]
            .iter()
            .take_while(|c| !delims.contains(c))
            .count();
        if skip + len < text.len() {
            put(call, token + len as u32, &[0]);
            state.strtok_next = token + len as u32 + 1;
        } else {
            state.strtok_next = 0;
        }
        Ptr(token)
    })
}

fn map_string(call: &mut ApiCall<'_>, s: Ptr, f: fn(&[u8]) -> Vec<u8>) -> Ptr {
    let text = f(&c_string(call, s.0));
    put(call, s.0, &text);
    s
}

/// _strupr(str).
#[export(cdecl)]
fn _strupr(call: &mut ApiCall<'_>, str: Ptr) -> Ptr {
    map_string(call, str, <[u8]>::to_ascii_uppercase)
}

/// _strlwr(str).
#[export(cdecl)]
fn _strlwr(call: &mut ApiCall<'_>, str: Ptr) -> Ptr {
    map_string(call, str, <[u8]>::to_ascii_lowercase)
}

/// _strrev(str).
#[export(cdecl)]
fn _strrev(call: &mut ApiCall<'_>, str: Ptr) -> Ptr {
    map_string(call, str, |s| s.iter().rev().copied().collect())
}

/// memmove(dest, src, count) and memcpy: copies as if through a buffer.
#[export(cdecl)]
fn memmove(call: &mut ApiCall<'_>, dest: Ptr, src: Ptr, count: u32) -> Ptr {
    let (dst, src, n) = (dest.0, src.0, count);
    if copy_in_place(call, dst, src, n) {
        return dest;
    }
    // A range not all accessible: as far as it goes, in chunks, back to front when the
    // regions overlap with dst above src.
    let mut done = 0;
    let backwards = dst > src && dst < src.wrapping_add(n);
    let chunk = 0x1_0000u32;
    while done < n {
        let len = (n - done).min(chunk);
        let offset = if backwards { n - done - len } else { done };
        let Ok(bytes) = call.read_bytes(src.wrapping_add(offset), len as usize) else {
            break;
        };
        put(call, dst.wrapping_add(offset), &bytes);
        done += len;
    }
    dest
}

/// memset(dest, c, count).
#[export(cdecl)]
fn memset(call: &mut ApiCall<'_>, dest: Ptr, c: u32, count: u32) -> Ptr {
    if space(call).is_some_and(|m| m.fill_bytes(dest.0, count, c as u8).is_ok()) {
        return dest;
    }
    // A range not all writable: as far as it goes, in chunks.
    let mut done = 0;
    while done < count {
        let len = (count - done).min(0x1_0000);
        put(
            call,
            dest.0.wrapping_add(done),
            &vec![c as u8; len as usize],
        );
        done += len;
    }
    dest
}

/// Compares `n` bytes at `a` and `b` in bounded chunks (`fold` maps each byte first).
fn compare_memory(call: &ApiCall<'_>, a: u32, b: u32, n: u32, fold: fn(u8) -> u8) -> i32 {
    let mut done = 0u32;
    while done < n {
        let len = (n - done).min(0x1_0000) as usize;
        let x = call
            .read_bytes(a.wrapping_add(done), len)
            .unwrap_or_default();
        let y = call
            .read_bytes(b.wrapping_add(done), len)
            .unwrap_or_default();
        let x: Vec<u8> = x.into_iter().map(fold).collect();
        let y: Vec<u8> = y.into_iter().map(fold).collect();
        let r = compare(&x, &y);
        if r != 0 || x.len() < len {
            return r;
        }
        done += len as u32;
    }
    0
}

/// memcmp(buffer1, buffer2, count).
#[export(cdecl)]
fn memcmp(call: &mut ApiCall<'_>, buffer1: Ptr, buffer2: Ptr, count: u32) -> i32 {
    let in_place = call.process().and_then(|p| {
        p.address_space()
            .compare_bytes(buffer1.0, buffer2.0, count)
            .ok()
    });
    if let Some(order) = in_place {
        return order as i32;
    }
    compare_memory(call, buffer1.0, buffer2.0, count, |c| c)
}

/// _memicmp(buffer1, buffer2, count).
#[export(cdecl)]
fn _memicmp(call: &mut ApiCall<'_>, buffer1: Ptr, buffer2: Ptr, count: u32) -> i32 {
    compare_memory(call, buffer1.0, buffer2.0, count, |c| {
        c.to_ascii_lowercase()
    })
}

/// memchr(buf, c, count).
#[export(cdecl)]
fn memchr(call: &mut ApiCall<'_>, buf: Ptr, c: u32, count: u32) -> Ptr {
    let (s, c, n) = (buf.0, c as u8, count);
    let mut done = 0u32;
    while done < n {
        let len = (n - done).min(0x1_0000) as usize;
        let Ok(bytes) = call.read_bytes(s.wrapping_add(done), len) else {
            break;
        };
        if let Some(i) = bytes.iter().position(|&b| b == c) {
            return Ptr(s.wrapping_add(done + i as u32));
        }
        done += len as u32;
    }
    Ptr::NULL
}

/// msvcrt's message for an errno value (its _sys_errlist).
pub(crate) fn error_message(e: u32) -> &'static str {
    const MESSAGES: [&str; 43] = [
        "No error",
        "Operation not permitted",
        "No such file or directory",
        "No such process",
        "Interrupted function call",
        "Input/output error",
        "No such device or address",
        "Arg list too long",
        "Exec format error",
        "Bad file descriptor",
        "No child processes",
        "Resource temporarily unavailable",
        "Not enough space",
        "Permission denied",
        "Bad address",
        "Unknown error",
        "Resource device",
        "File exists",
        "Improper link",
        "No such device",
        "Not a directory",
        "Is a directory",
        "Invalid argument",
        "Too many open files in system",
        "Too many open files",
        "Inappropriate I/O control operation",
        "Unknown error",
        "File too large",
        "No space left on device",
        "Invalid seek",
        "Read-only file system",
        "Too many links",
        "Broken pipe",
        "Domain error",
        "Result too large",
        "Unknown error",
        "Resource deadlock avoided",
        "Unknown error",
        "Filename too long",
        "No locks available",
        "Function not implemented",
        "Directory not empty",
        "Illegal byte sequence",
    ];
    MESSAGES.get(e as usize).copied().unwrap_or("Unknown error")
}

/// strerror(errnum): the message, in the CRT's buffer.
#[export(cdecl)]
fn strerror(call: &mut ApiCall<'_>, errnum: u32) -> Ptr {
    with_state(call, |call, _| {
        let mut text = error_message(errnum).as_bytes().to_vec();
        text.push(0);
        let at = CRT_DATA + at::STRERROR;
        put(call, at, &text);
        Ptr(at)
    })
}

// ---- ctype.h ------------------------------------------------------------------------------

fn classify(c: u32, mask: u16) -> u32 {
    let flags = if c < 256 { ctype_flags(c as u8) } else { 0 };
    u32::from(flags & mask)
}

macro_rules! classifiers {
    ($($f:ident $mask:literal),*) => {$(
        #[doc = concat!(stringify!($f), "(c).")]
        #[export(cdecl)]
        fn $f(_: &mut ApiCall<'_>, c: u32) -> u32 {
            classify(c, $mask)
        }
    )*};
}

classifiers!(
    isalpha 0x103, isdigit 0x4, isalnum 0x107, isspace 0x8, isupper 0x1, islower 0x2,
    isxdigit 0x80, ispunct 0x10, isprint 0x157, isgraph 0x117, iscntrl 0x20
);

/// __isascii(c).
#[export(cdecl)]
fn __isascii(_: &mut ApiCall<'_>, c: u32) -> bool {
    c < 0x80
}

/// toupper(c) and _toupper.
#[export(cdecl)]
fn toupper(_: &mut ApiCall<'_>, c: u32) -> u32 {
    if c < 256 {
        u32::from((c as u8).to_ascii_uppercase())
    } else {
        c
    }
}

/// tolower(c) and _tolower.
#[export(cdecl)]
fn tolower(_: &mut ApiCall<'_>, c: u32) -> u32 {
    if c < 256 {
        u32::from((c as u8).to_ascii_lowercase())
    } else {
        c
    }
}

// ---- stdlib.h -----------------------------------------------------------------------------

/// Parses an integer as strtol does: the value (saturated to u64), whether it was
/// negative, whether it overflowed u32 range, and the bytes consumed (0: no number).
pub(crate) fn parse_integer(text: &[u8], base: u32) -> (u64, bool, usize) {
    let mut i = text.iter().take_while(|c| c.is_ascii_whitespace()).count();
    let mut negative = false;
    if let Some(&s @ (b'+' | b'-')) = text.get(i) {
        negative = s == b'-';
        i += 1;
    }
    let mut base = base;
    let hex_prefix = text.get(i) == Some(&b'0')
        && matches!(text.get(i + 1), Some(b'x' | b'X'))
        && text.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
    if (base == 0 || base == 16) && hex_prefix {
        base = 16;
        i += 2;
    } else if base == 0 {
        base = if text.get(i) == Some(&b'0') { 8 } else { 10 };
    }
    if !(2..=36).contains(&base) {
        return (0, false, 0);
    }
    let start = i;
    let mut v: u64 = 0;
    while let Some(d) = text.get(i).and_then(|&c| (c as char).to_digit(base)) {
        v = v
            .saturating_mul(u64::from(base))
            .saturating_add(u64::from(d));
        i += 1;
    }
    if i == start {
        return (0, false, 0);
    }
    (v, negative, i)
}

fn strto(call: &mut ApiCall<'_>, s: Ptr, end: Ptr, base: u32, signed: bool) -> u32 {
    let text = c_string(call, s.0);
    let (v, negative, used) = parse_integer(&text, base);
    let _ = with_state(call, |call, _| call.write_out_u32(end.0, s.0 + used as u32));
    integer_result(call, v, negative, signed)
}

/// strtol's (`signed`) or strtoul's result for a parsed magnitude and sign: saturated with
/// ERANGE when it overflows.
pub(crate) fn integer_result(call: &mut ApiCall<'_>, v: u64, negative: bool, signed: bool) -> u32 {
    with_state(call, |call, _| {
        if signed {
            let limit = if negative {
                0x8000_0000u64
            } else {
                0x7FFF_FFFF
            };
            if v > limit {
                set_errno(call, errno::ERANGE);
                if negative { 0x8000_0000 } else { 0x7FFF_FFFF }
            } else if negative {
                (v as u32).wrapping_neg()
            } else {
                v as u32
            }
        } else if v > u64::from(u32::MAX) {
            set_errno(call, errno::ERANGE);
            u32::MAX
        } else if negative {
            (v as u32).wrapping_neg()
        } else {
            v as u32
        }
    })
}

/// strtol(strSource, endptr, base): LONG_MIN/LONG_MAX with ERANGE on overflow.
#[export(cdecl)]
fn strtol(call: &mut ApiCall<'_>, strSource: Ptr, endptr: Ptr, base: u32) -> i32 {
    strto(call, strSource, endptr, base, true) as i32
}

/// strtoul(strSource, endptr, base): ULONG_MAX with ERANGE on overflow; a minus sign
/// negates.
#[export(cdecl)]
fn strtoul(call: &mut ApiCall<'_>, strSource: Ptr, endptr: Ptr, base: u32) -> u32 {
    strto(call, strSource, endptr, base, false)
}

/// atoi(str) and atol: base 10, wrapping like msvcrt's on overflow.
#[export(cdecl)]
fn atoi(call: &mut ApiCall<'_>, str: Ptr) -> i32 {
    let text = c_string(call, str.0);
    let (v, negative, _) = parse_integer(&text, 10);
    let v = v as u32;
    (if negative { v.wrapping_neg() } else { v }) as i32
}

/// _atoi64(str): a 64-bit result (edx:eax on x86, v0 on Alpha).
#[export(cdecl)]
fn _atoi64(call: &mut ApiCall<'_>, str: Ptr) -> i64 {
    let text = c_string(call, str.0);
    let (v, negative, _) = parse_integer(&text, 10);
    (if negative { v.wrapping_neg() } else { v }) as i64
}

/// The longest prefix of `text` (after blanks) that is a decimal floating-point number,
/// and its value.
pub(crate) fn parse_float(text: &[u8]) -> (f64, usize) {
    let mut i = text.iter().take_while(|c| c.is_ascii_whitespace()).count();
    let start = i;
    if matches!(text.get(i), Some(b'+' | b'-')) {
        i += 1;
    }
    let mut digits = 0;
    while text.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
        digits += 1;
    }
    if text.get(i) == Some(&b'.') {
        i += 1;
        while text.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return (0.0, 0);
    }
    if matches!(text.get(i), Some(b'e' | b'E' | b'd' | b'D')) {
        let mut j = i + 1;
        if matches!(text.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if text.get(j).is_some_and(u8::is_ascii_digit) {
            while text.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            i = j;
        }
    }
    let s: String = text[start..i]
        .iter()
        .map(|&c| {
            if c == b'd' || c == b'D' {
                'e'
            } else {
                c as char
            }
        })
        .collect();
    (s.parse().unwrap_or(0.0), i)
}

/// atof(str): the double (ST(0) on x86, f0 on Alpha).
#[export(cdecl)]
fn atof(call: &mut ApiCall<'_>, str: Ptr) -> f64 {
    let text = c_string(call, str.0);
    parse_float(&text).0
}

/// strtod(strSource, endptr): the double; ERANGE when it overflows.
#[export(cdecl)]
fn strtod(call: &mut ApiCall<'_>, strSource: Ptr, endptr: Ptr) -> f64 {
    let s = strSource.0;
    let text = c_string(call, s);
    let (v, used) = parse_float(&text);
    with_state(call, |call, _| {
        let _ = call.write_out_u32(endptr.0, s + used as u32);
        if v.is_infinite() {
            set_errno(call, errno::ERANGE);
        }
    });
    v
}

/// abs(n) and labs.
#[export(cdecl)]
fn abs(_: &mut ApiCall<'_>, n: i32) -> i32 {
    n.wrapping_abs()
}

/// div(numer, denom) and ldiv: a struct { quot, rem }, returned in edx:eax to an x86 caller
/// (8 bytes, as MSVC's x86 ABI returns small structs); an Alpha caller gets quot in v0.
#[export(cdecl)]
fn div(call: &mut ApiCall<'_>, numer: i32, denom: i32) -> ApiReturn {
    if denom == 0 {
        return ApiReturn::ExitProcess(nt_status::NtStatus::INTEGER_DIVIDE_BY_ZERO.0);
    }
    let quot = numer.wrapping_div(denom) as u32;
    let rem = numer.wrapping_rem(denom) as u32;
    if super::architecture(call) == Some(true) {
        ApiReturn::Value64(u64::from(quot) | (u64::from(rem) << 32))
    } else {
        ApiReturn::Value(quot)
    }
}

/// rand(): msvcrt's generator, seed = seed * 214013 + 2531011, result (seed >> 16) & 0x7FFF.
#[export(cdecl)]
fn rand(call: &mut ApiCall<'_>) -> i32 {
    with_state(call, |_, state| {
        state.seed = state.seed.wrapping_mul(214_013).wrapping_add(2_531_011);
        ((state.seed >> 16) & 0x7FFF) as i32
    })
}

/// srand(seed).
#[export(cdecl)]
fn srand(call: &mut ApiCall<'_>, seed: u32) {
    with_state(call, |_, state| state.seed = seed);
}

/// getenv(varname): the value in `_environ` (the process environment), or NULL.
#[export(cdecl)]
fn getenv(call: &mut ApiCall<'_>, varname: Option<AnsiStr>) -> Ptr {
    let name = varname.map_or_else(Vec::new, |n| CodePage::Ansi.encode_str(&n));
    with_state(call, |call, _| {
        super::setup_environment(call);
        find_variable(call, &name).map_or(Ptr::NULL, |(_, at)| Ptr(at + name.len() as u32 + 1))
    })
}

/// The `_environ` entry for `name` (compared without regard to case, as msvcrt's getenv
/// does): its index and the address of its "name=value" string.
fn find_variable(call: &ApiCall<'_>, name: &[u8]) -> Option<(u32, u32)> {
    if name.is_empty() || name.contains(&b'=') {
        return None;
    }
    let array = call.read_u32(CRT_DATA + at::ENVIRON).ok()?;
    for i in 0..0x1_0000u32 {
        let entry = call.read_u32(array.wrapping_add(4 * i)).ok()?;
        if entry == 0 {
            return None;
        }
        let text = call.read_c_bytes(entry, 0x8000).ok()?;
        if text.len() > name.len()
            && text[name.len()] == b'='
            && text[..name.len()].eq_ignore_ascii_case(name)
        {
            return Some((i, entry));
        }
    }
    None
}

/// _putenv(envstring): "name=value" sets (or "name=" removes) a variable in the process
/// environment and in `_environ`; 0, or -1 for a string without '='.
#[export(cdecl, failure = -1i32)]
fn _putenv(call: &mut ApiCall<'_>, envstring: Option<AnsiStr>) -> i32 {
    put_environment(call, envstring.as_deref().unwrap_or_default())
}

/// _wputenv(envstring): _putenv with a wide string.
#[export(cdecl, failure = -1i32)]
fn _wputenv(call: &mut ApiCall<'_>, envstring: Option<WideStr>) -> i32 {
    put_environment(call, envstring.as_deref().unwrap_or_default())
}

/// _putenv's work.
fn put_environment(call: &mut ApiCall<'_>, text: &str) -> i32 {
    let Some((name, assigned)) = text.split_once('=').filter(|(n, _)| !n.is_empty()) else {
        return -1;
    };
    kernel32::set_environment_variable(call, name, (!assigned.is_empty()).then_some(assigned));
    with_state(call, |call, _| {
        super::setup_environment(call);
        super::rebuild_environment(call);
    });
    0
}

fn to_radix(mut v: u64, radix: u32) -> Vec<u8> {
    let mut digits = Vec::new();
    loop {
        let d = (v % u64::from(radix)) as u32;
        digits.push(std::char::from_digit(d, radix).map_or(b'?', |c| c as u8));
        v /= u64::from(radix);
        if v == 0 {
            break;
        }
    }
    digits.reverse();
    digits
}

/// _itoa(value, buffer, radix) and _ltoa: a minus sign only in radix 10.
#[export(cdecl)]
fn _itoa(call: &mut ApiCall<'_>, value: i32, buffer: Ptr, radix: u32) -> Ptr {
    if !(2..=36).contains(&radix) {
        return buffer;
    }
    let negative = radix == 10 && value < 0;
    let magnitude = if negative {
        value.unsigned_abs()
    } else {
        value as u32
    };
    let mut text = Vec::new();
    if negative {
        text.push(b'-');
    }
    text.extend(to_radix(u64::from(magnitude), radix));
    text.push(0);
    put(call, buffer.0, &text);
    buffer
}

/// _ultoa(value, buffer, radix).
#[export(cdecl)]
fn _ultoa(call: &mut ApiCall<'_>, value: u32, buffer: Ptr, radix: u32) -> Ptr {
    if !(2..=36).contains(&radix) {
        return buffer;
    }
    let mut text = to_radix(u64::from(value), radix);
    text.push(0);
    put(call, buffer.0, &text);
    buffer
}

// ---- time.h -------------------------------------------------------------------------------

/// Seconds since 1970 now, by the machine's clock.
pub(crate) fn now(call: &ApiCall<'_>) -> u32 {
    let ms = call.state.wall_clock_base_ms + call.machine.clock().now_ms();
    (ms / 1000) as u32
}

/// time(destTime): seconds since 1970 (UTC; ntemu's local time is UTC).
#[export(cdecl)]
fn time(call: &mut ApiCall<'_>, destTime: Ptr) -> u32 {
    let t = now(call);
    let _ = call.write_out_u32(destTime.0, t);
    t
}

/// clock(): milliseconds (CLOCKS_PER_SEC 1000) since the machine started.
#[export(cdecl)]
fn clock(call: &mut ApiCall<'_>) -> u32 {
    call.machine.clock().now_ms() as u32
}

/// The `struct tm` fields of a time: sec, min, hour, mday, mon, year-1900, wday, yday,
/// isdst.
pub(crate) fn tm_fields(t: i64) -> [i32; 9] {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let yday = days - days_from_civil(y, 0, 1);
    let wday = (days + 4).rem_euclid(7);
    [
        (secs % 60) as i32,
        ((secs / 60) % 60) as i32,
        (secs / 3600) as i32,
        d as i32,
        m as i32 - 1,
        (y - 1900) as i32,
        wday as i32,
        yday as i32,
        0,
    ]
}

/// gmtime(sourceTime) and localtime (ntemu's local time is UTC): the CRT's struct tm;
/// NULL for a negative time.
#[export(cdecl)]
fn gmtime(call: &mut ApiCall<'_>, sourceTime: Ptr) -> Ptr {
    let Ok(t) = call.read_u32(sourceTime.0) else {
        return Ptr::NULL;
    };
    if (t as i32) < 0 {
        return Ptr::NULL;
    }
    with_state(call, |call, _| {
        let fields = tm_fields(i64::from(t));
        let bytes: Vec<u8> = fields.iter().flat_map(|f| f.to_le_bytes()).collect();
        let at = CRT_DATA + at::TM;
        put(call, at, &bytes);
        Ptr(at)
    })
}

pub(crate) fn read_tm(call: &ApiCall<'_>, ptr: u32) -> Option<[i32; 9]> {
    let bytes = call.read_bytes(ptr, 36).ok()?;
    let mut f = [0i32; 9];
    for (i, c) in bytes.chunks(4).enumerate() {
        f[i] = i32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    Some(f)
}

/// mktime(timeptr): normalizes the struct and returns its time; -1 when out of range.
#[export(cdecl)]
fn mktime(call: &mut ApiCall<'_>, timeptr: Ptr) -> i32 {
    let ptr = timeptr.0;
    let Some(f) = read_tm(call, ptr) else {
        return -1;
    };
    let months = i64::from(f[5]) * 12 + i64::from(f[4]);
    let (y, m) = (1900 + months.div_euclid(12), months.rem_euclid(12) as u32);
    let days = days_from_civil(y, m, 1) + i64::from(f[3]) - 1;
    let t = days * 86_400 + i64::from(f[2]) * 3600 + i64::from(f[1]) * 60 + i64::from(f[0]);
    if !(0..=0x7FFF_FFFF).contains(&t) {
        return -1;
    }
    let bytes: Vec<u8> = tm_fields(t).iter().flat_map(|x| x.to_le_bytes()).collect();
    put(call, ptr, &bytes);
    t as i32
}

const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn name(table: &[&'static str], i: i32) -> &'static str {
    table.get(i as usize).copied().unwrap_or("?")
}

/// asctime's text: "Wed Jan 02 02:03:55 1980\n".
pub(crate) fn asctime_text(f: &[i32; 9]) -> String {
    format!(
        "{} {} {:02} {:02}:{:02}:{:02} {}\n",
        &name(&DAYS, f[6])[..3],
        &name(&MONTHS, f[4])[..3],
        f[3],
        f[2],
        f[1],
        f[0],
        1900 + f[5]
    )
}

fn store_asctime(call: &mut ApiCall<'_>, f: &[i32; 9]) -> Ptr {
    with_state(call, |call, _| {
        let mut text = asctime_text(f).into_bytes();
        text.push(0);
        let at = CRT_DATA + at::ASCTIME;
        put(call, at, &text);
        Ptr(at)
    })
}

/// asctime(timeptr).
#[export(cdecl)]
fn asctime(call: &mut ApiCall<'_>, timeptr: Ptr) -> Ptr {
    match read_tm(call, timeptr.0) {
        Some(f) => store_asctime(call, &f),
        None => Ptr::NULL,
    }
}

/// ctime(sourceTime).
#[export(cdecl)]
fn ctime(call: &mut ApiCall<'_>, sourceTime: Ptr) -> Ptr {
    match call.read_u32(sourceTime.0) {
        Ok(t) if (t as i32) >= 0 => store_asctime(call, &tm_fields(i64::from(t))),
        _ => Ptr::NULL,
    }
}

/// difftime(timeEnd, timeStart): timeEnd - timeStart.
#[export(cdecl)]
fn difftime(_: &mut ApiCall<'_>, timeEnd: i32, timeStart: i32) -> f64 {
    f64::from(timeEnd) - f64::from(timeStart)
}

/// strftime's text for a format and a time (C locale).
pub(crate) fn strftime_text(fmt: &[u8], f: &[i32; 9]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while next_conversion(fmt, &mut i, &mut out) {
        if fmt.get(i) == Some(&b'#') {
            i += 1;
        }
        let Some(&k) = fmt.get(i) else { break };
        i += 1;
        let text = match k {
            b'a' => name(&DAYS, f[6])[..3].to_string(),
            b'A' => name(&DAYS, f[6]).to_string(),
            b'b' => name(&MONTHS, f[4])[..3].to_string(),
            b'B' => name(&MONTHS, f[4]).to_string(),
            b'c' => format!(
                "{:02}/{:02}/{:02} {:02}:{:02}:{:02}",
                f[4] + 1,
                f[3],
                f[5] % 100,
                f[2],
                f[1],
                f[0]
            ),
            b'd' => format!("{:02}", f[3]),
            b'H' => format!("{:02}", f[2]),
            b'I' => format!("{:02}", (f[2] + 11) % 12 + 1),
            b'j' => format!("{:03}", f[7] + 1),
            b'm' => format!("{:02}", f[4] + 1),
            b'M' => format!("{:02}", f[1]),
            b'p' => (if f[2] < 12 { "AM" } else { "PM" }).to_string(),
            b'S' => format!("{:02}", f[0]),
            b'U' => format!("{:02}", (f[7] + 7 - f[6]) / 7),
            b'w' => format!("{}", f[6]),
            b'W' => format!("{:02}", (f[7] + 7 - (f[6] + 6) % 7) / 7),
            b'x' => format!("{:02}/{:02}/{:02}", f[4] + 1, f[3], f[5] % 100),
            b'X' => format!("{:02}:{:02}:{:02}", f[2], f[1], f[0]),
            b'y' => format!("{:02}", f[5] % 100),
            b'Y' => format!("{}", 1900 + f[5]),
            b'z' | b'Z' => "GMT".to_string(),
            b'%' => "%".to_string(),
            _ => String::new(),
        };
        out.extend_from_slice(text.as_bytes());
    }
    out
}

/// strftime(strDest, maxsize, format, timeptr): the length, or 0 when it does not fit with
/// its NUL.
#[export(cdecl)]
fn strftime(call: &mut ApiCall<'_>, strDest: Ptr, maxsize: u32, format: Ptr, timeptr: Ptr) -> u32 {
    let format = c_string(call, format.0);
    let Some(f) = read_tm(call, timeptr.0) else {
        return 0;
    };
    let mut text = strftime_text(&format, &f);
    if text.len() + 1 > maxsize as usize {
        return 0;
    }
    let len = text.len() as u32;
    text.push(0);
    put(call, strDest.0, &text);
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_parse_as_strtol() {
        assert_eq!(parse_integer(b"  -123x", 10), (123, true, 6));
        assert_eq!(parse_integer(b"0x1fz", 0), (31, false, 4));
        assert_eq!(parse_integer(b"0x1f", 16), (31, false, 4));
        assert_eq!(parse_integer(b"017", 0), (15, false, 3));
        assert_eq!(parse_integer(b"zz", 36), (1295, false, 2));
        assert_eq!(parse_integer(b"x", 10), (0, false, 0));
        assert_eq!(parse_integer(b"0x", 16), (0, false, 1));
    }

    #[test]
    fn floats_parse_as_strtod() {
        assert_eq!(parse_float(b" 1.5e3x"), (1500.0, 6));
        assert_eq!(parse_float(b"-.25"), (-0.25, 4));
        assert_eq!(parse_float(b"2e"), (2.0, 1));
        assert_eq!(parse_float(b"1d2"), (100.0, 3));
        assert_eq!(parse_float(b"."), (0.0, 0));
    }

    #[test]
    fn times_break_down() {
        // 2000-02-29 12:34:56 UTC was a Tuesday, day 59 of the year.
        assert_eq!(tm_fields(951_827_696), [56, 34, 12, 29, 1, 100, 2, 59, 0]);
        assert_eq!(tm_fields(0), [0, 0, 0, 1, 0, 70, 4, 0, 0]);
        assert_eq!(
            asctime_text(&tm_fields(951_827_696)),
            "Tue Feb 29 12:34:56 2000\n"
        );
        assert_eq!(
            strftime_text(b"%Y-%m-%d %H:%M:%S %a %j %%", &tm_fields(951_827_696)),
            b"2000-02-29 12:34:56 Tue 060 %"
        );
    }

    #[test]
    fn error_messages_are_msvcrts() {
        assert_eq!(error_message(2), "No such file or directory");
        assert_eq!(error_message(22), "Invalid argument");
        assert_eq!(error_message(999), "Unknown error");
    }
}
