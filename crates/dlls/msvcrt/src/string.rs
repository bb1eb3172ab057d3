//! string.h, ctype.h (the C locale), stdlib.h and time.h functions.

use nt_kernel::CpuContext;

use super::{CRT_DATA, at, ctype_flags, errno, set_errno, value, with_state};
use win32::calendar::{civil_from_days, days_from_civil};
use win32::format::next_conversion;
use win32::{ApiCall, ApiReturn};

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

/// Returns a double: in ST(0) to an x86 caller (cdecl), in f0 to an Alpha caller.
pub(crate) fn return_double(call: &mut ApiCall<'_>, v: f64) -> ApiReturn {
    let tid = call.thread.thread;
    if let Some(p) = call.process_mut() {
        let (_, t) = p.space_and_thread(tid);
        match t.map(|t| t.context_mut()) {
            Some(CpuContext::X86(c)) => {
                let x87 = &mut c.x87;
                x87.top = x87.top.wrapping_sub(1) & 7;
                let phys = x87.top as usize;
                x87.regs[phys] = v;
                x87.tag &= !(3 << (2 * phys));
            }
            // Alpha returns floating results in f0.
            Some(CpuContext::Alpha(c)) => c.f[0] = v.to_bits(),
            None => {}
        }
    }
    value(0)
}

fn compare(a: &[u8], b: &[u8]) -> u32 {
    match a.cmp(b) {
        std::cmp::Ordering::Less => u32::MAX,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }
}

/// strlen(s).
pub(super) fn strlen(call: &mut ApiCall<'_>) -> ApiReturn {
    value(c_string(call, call.arg(0)).len() as u32)
}

/// wcslen(s).
pub(super) fn wcslen(call: &mut ApiCall<'_>) -> ApiReturn {
    let s = call.arg(0);
    let mut n = 0u32;
    while let Ok(b) = call.read_bytes(s.wrapping_add(2 * n), 2) {
        if b == [0, 0] {
            break;
        }
        n += 1;
    }
    value(n)
}

/// strcpy(dst, src).
pub(super) fn strcpy(call: &mut ApiCall<'_>) -> ApiReturn {
    let (dst, src) = (call.arg(0), call.arg(1));
    let mut s = c_string(call, src);
    s.push(0);
    put(call, dst, &s);
    value(dst)
}

/// strncpy(dst, src, n): pads with NULs to n.
pub(super) fn strncpy(call: &mut ApiCall<'_>) -> ApiReturn {
    let (dst, src, n) = (call.arg(0), call.arg(1), call.arg(2));
    let s = bounded(call, src, n);
    put(call, dst, &s);
    // Then NULs up to n, in bounded chunks.
    let mut done = s.len() as u32;
    while done < n {
        let len = (n - done).min(0x1_0000);
        put(call, dst.wrapping_add(done), &vec![0; len as usize]);
        done += len;
    }
    value(dst)
}

/// strcat(dst, src).
pub(super) fn strcat(call: &mut ApiCall<'_>) -> ApiReturn {
    let (dst, src) = (call.arg(0), call.arg(1));
    let end = dst + c_string(call, dst).len() as u32;
    let mut s = c_string(call, src);
    s.push(0);
    put(call, end, &s);
    value(dst)
}

/// strncat(dst, src, n): at most n characters, then a NUL.
pub(super) fn strncat(call: &mut ApiCall<'_>) -> ApiReturn {
    let (dst, src, n) = (call.arg(0), call.arg(1), call.arg(2));
    let end = dst + c_string(call, dst).len() as u32;
    let mut s = bounded(call, src, n);
    s.push(0);
    put(call, end, &s);
    value(dst)
}

/// strcmp(a, b): -1, 0 or 1.
pub(super) fn strcmp(call: &mut ApiCall<'_>) -> ApiReturn {
    value(compare(
        &c_string(call, call.arg(0)),
        &c_string(call, call.arg(1)),
    ))
}

/// strncmp(a, b, n).
pub(super) fn strncmp(call: &mut ApiCall<'_>) -> ApiReturn {
    let n = call.arg(2);
    value(compare(
        &bounded(call, call.arg(0), n),
        &bounded(call, call.arg(1), n),
    ))
}

fn lower(v: Vec<u8>) -> Vec<u8> {
    v.to_ascii_lowercase()
}

/// _stricmp(a, b): compares lowercased.
pub(super) fn stricmp(call: &mut ApiCall<'_>) -> ApiReturn {
    let a = lower(c_string(call, call.arg(0)));
    value(compare(&a, &lower(c_string(call, call.arg(1)))))
}

/// _strnicmp(a, b, n).
pub(super) fn strnicmp(call: &mut ApiCall<'_>) -> ApiReturn {
    let n = call.arg(2);
    let a = lower(bounded(call, call.arg(0), n));
    value(compare(&a, &lower(bounded(call, call.arg(1), n))))
}

/// strchr(s, c): the terminating NUL counts.
pub(super) fn strchr(call: &mut ApiCall<'_>) -> ApiReturn {
    find_char(call, false)
}

/// strrchr(s, c).
pub(super) fn strrchr(call: &mut ApiCall<'_>) -> ApiReturn {
    find_char(call, true)
}

/// strchr/strrchr: the address of the first (or, with `last`, the last) `c` in `s`, 0 if
/// there is none; a NUL `c` finds the terminator.
fn find_char(call: &mut ApiCall<'_>, last: bool) -> ApiReturn {
    let (s, c) = (call.arg(0), call.arg(1) as u8);
    let text = c_string(call, s);
    if c == 0 {
        return value(s + text.len() as u32);
    }
    let found = if last {
        text.iter().rposition(|&b| b == c)
    } else {
        text.iter().position(|&b| b == c)
    };
    value(found.map_or(0, |i| s + i as u32))
}

/// strstr(haystack, needle).
pub(super) fn strstr(call: &mut ApiCall<'_>) -> ApiReturn {
    let (h, n) = (call.arg(0), call.arg(1));
    let (hay, needle) = (c_string(call, h), c_string(call, n));
    if needle.is_empty() {
        return value(h);
    }
    value(
        hay.windows(needle.len())
            .position(|w| w == needle.as_slice())
            .map_or(0, |i| h + i as u32),
    )
}

/// strspn(s, accept).
pub(super) fn strspn(call: &mut ApiCall<'_>) -> ApiReturn {
    let (s, set) = (c_string(call, call.arg(0)), c_string(call, call.arg(1)));
    value(s.iter().take_while(|c| set.contains(c)).count() as u32)
}

/// strcspn(s, reject).
pub(super) fn strcspn(call: &mut ApiCall<'_>) -> ApiReturn {
    let (s, set) = (c_string(call, call.arg(0)), c_string(call, call.arg(1)));
    value(s.iter().take_while(|c| !set.contains(c)).count() as u32)
}

/// strpbrk(s, accept).
pub(super) fn strpbrk(call: &mut ApiCall<'_>) -> ApiReturn {
    let p = call.arg(0);
    let (s, set) = (c_string(call, p), c_string(call, call.arg(1)));
    value(
        s.iter()
            .position(|c| set.contains(c))
            .map_or(0, |i| p + i as u32),
    )
}

/// strtok(s, delimiters): the next token, NULs written over the delimiters.
pub(super) fn strtok(call: &mut ApiCall<'_>) -> ApiReturn {
    let (s, d) = (call.arg(0), call.arg(1));
    let delims = c_string(call, d);
    with_state(call, |call, state| {
        let start = if s != 0 { s } else { state.strtok_next };
        if start == 0 {
            return value(0);
        }
        let text = c_string(call, start);
        let skip = text.iter().take_while(|c| delims.contains(c)).count();
        if skip == text.len() {
            state.strtok_next = 0;
            return value(0);
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
        value(token)
    })
}

fn map_string(call: &mut ApiCall<'_>, f: fn(&[u8]) -> Vec<u8>) -> ApiReturn {
    let s = call.arg(0);
    let text = f(&c_string(call, s));
    put(call, s, &text);
    value(s)
}

/// _strupr(s).
pub(super) fn strupr(call: &mut ApiCall<'_>) -> ApiReturn {
    map_string(call, <[u8]>::to_ascii_uppercase)
}

/// _strlwr(s).
pub(super) fn strlwr(call: &mut ApiCall<'_>) -> ApiReturn {
    map_string(call, <[u8]>::to_ascii_lowercase)
}

/// _strrev(s).
pub(super) fn strrev(call: &mut ApiCall<'_>) -> ApiReturn {
    map_string(call, |s| s.iter().rev().copied().collect())
}

/// memcpy and memmove(dst, src, n): copies as if through a buffer.
pub(super) fn memmove(call: &mut ApiCall<'_>) -> ApiReturn {
    let (dst, src, n) = (call.arg(0), call.arg(1), call.arg(2));
    let mut done = 0;
    // Chunks, back to front when the regions overlap with dst above src.
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
    value(dst)
}

/// memset(dst, c, n).
pub(super) fn memset(call: &mut ApiCall<'_>) -> ApiReturn {
    let (dst, c, n) = (call.arg(0), call.arg(1) as u8, call.arg(2));
    let mut done = 0;
    while done < n {
        let len = (n - done).min(0x1_0000);
        put(call, dst.wrapping_add(done), &vec![c; len as usize]);
        done += len;
    }
    value(dst)
}

/// Compares `n` bytes at `a` and `b` in bounded chunks (`fold` maps each byte first).
fn compare_memory(call: &ApiCall<'_>, a: u32, b: u32, n: u32, fold: fn(u8) -> u8) -> u32 {
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

/// memcmp(a, b, n).
pub(super) fn memcmp(call: &mut ApiCall<'_>) -> ApiReturn {
    value(compare_memory(
        call,
        call.arg(0),
        call.arg(1),
        call.arg(2),
        |c| c,
    ))
}

/// _memicmp(a, b, n).
pub(super) fn memicmp(call: &mut ApiCall<'_>) -> ApiReturn {
    let fold = |c: u8| c.to_ascii_lowercase();
    value(compare_memory(
        call,
        call.arg(0),
        call.arg(1),
        call.arg(2),
        fold,
    ))
}

/// memchr(s, c, n).
pub(super) fn memchr(call: &mut ApiCall<'_>) -> ApiReturn {
    let (s, c, n) = (call.arg(0), call.arg(1) as u8, call.arg(2));
    let mut done = 0u32;
    while done < n {
        let len = (n - done).min(0x1_0000) as usize;
        let Ok(bytes) = call.read_bytes(s.wrapping_add(done), len) else {
            break;
        };
        if let Some(i) = bytes.iter().position(|&b| b == c) {
            return value(s.wrapping_add(done + i as u32));
        }
        done += len as u32;
    }
    value(0)
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
pub(super) fn strerror(call: &mut ApiCall<'_>) -> ApiReturn {
    let e = call.arg(0);
    with_state(call, |call, _| {
        let mut text = error_message(e).as_bytes().to_vec();
        text.push(0);
        let at = CRT_DATA + at::STRERROR;
        put(call, at, &text);
        value(at)
    })
}

// ---- ctype.h ------------------------------------------------------------------------------

fn classify(call: &mut ApiCall<'_>, mask: u16) -> ApiReturn {
    let c = call.arg(0);
    let flags = if c < 256 { ctype_flags(c as u8) } else { 0 };
    value(u32::from(flags & mask))
}

/// isalpha(c).
pub(super) fn isalpha(call: &mut ApiCall<'_>) -> ApiReturn {
    classify(call, 0x103)
}
/// isdigit(c).
pub(super) fn isdigit(call: &mut ApiCall<'_>) -> ApiReturn {
    classify(call, 0x4)
}
/// isalnum(c).
pub(super) fn isalnum(call: &mut ApiCall<'_>) -> ApiReturn {
    classify(call, 0x107)
}
/// isspace(c).
pub(super) fn isspace(call: &mut ApiCall<'_>) -> ApiReturn {
    classify(call, 0x8)
}
/// isupper(c).
pub(super) fn isupper(call: &mut ApiCall<'_>) -> ApiReturn {
    classify(call, 0x1)
}
/// islower(c).
pub(super) fn islower(call: &mut ApiCall<'_>) -> ApiReturn {
    classify(call, 0x2)
}
/// isxdigit(c).
pub(super) fn isxdigit(call: &mut ApiCall<'_>) -> ApiReturn {
    classify(call, 0x80)
}
/// ispunct(c).
pub(super) fn ispunct(call: &mut ApiCall<'_>) -> ApiReturn {
    classify(call, 0x10)
}
/// isprint(c).
pub(super) fn isprint(call: &mut ApiCall<'_>) -> ApiReturn {
    classify(call, 0x157)
}
/// isgraph(c).
pub(super) fn isgraph(call: &mut ApiCall<'_>) -> ApiReturn {
    classify(call, 0x117)
}
/// iscntrl(c).
pub(super) fn iscntrl(call: &mut ApiCall<'_>) -> ApiReturn {
    classify(call, 0x20)
}
/// __isascii(c).
pub(super) fn isascii(call: &mut ApiCall<'_>) -> ApiReturn {
    value(u32::from(call.arg(0) < 0x80))
}
/// toupper(c).
pub(super) fn toupper(call: &mut ApiCall<'_>) -> ApiReturn {
    let c = call.arg(0);
    value(if c < 256 {
        u32::from((c as u8).to_ascii_uppercase())
    } else {
        c
    })
}
/// tolower(c).
pub(super) fn tolower(call: &mut ApiCall<'_>) -> ApiReturn {
    let c = call.arg(0);
    value(if c < 256 {
        u32::from((c as u8).to_ascii_lowercase())
    } else {
        c
    })
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

fn strto(call: &mut ApiCall<'_>, signed: bool) -> ApiReturn {
    let (s, end, base) = (call.arg(0), call.arg(1), call.arg(2));
    let text = c_string(call, s);
    let (v, negative, used) = parse_integer(&text, base);
    with_state(call, |call, _| {
        let _ = call.write_out_u32(end, s + used as u32);
        let result = if signed {
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
        };
        value(result)
    })
}

/// strtol(s, end, base): LONG_MIN/LONG_MAX with ERANGE on overflow.
pub(super) fn strtol(call: &mut ApiCall<'_>) -> ApiReturn {
    strto(call, true)
}

/// strtoul(s, end, base): ULONG_MAX with ERANGE on overflow; a minus sign negates.
pub(super) fn strtoul(call: &mut ApiCall<'_>) -> ApiReturn {
    strto(call, false)
}

/// atoi(s) and atol: base 10, wrapping like msvcrt's on overflow.
pub(super) fn atoi(call: &mut ApiCall<'_>) -> ApiReturn {
    let text = c_string(call, call.arg(0));
    let (v, negative, _) = parse_integer(&text, 10);
    let v = v as u32;
    value(if negative { v.wrapping_neg() } else { v })
}

/// _atoi64(s): the result in edx:eax.
pub(super) fn atoi64(call: &mut ApiCall<'_>) -> ApiReturn {
    let text = c_string(call, call.arg(0));
    let (v, negative, _) = parse_integer(&text, 10);
    let v = if negative { v.wrapping_neg() } else { v };
    set_edx(call, (v >> 32) as u32);
    value(v as u32)
}

fn set_edx(call: &mut ApiCall<'_>, v: u32) {
    let tid = call.thread.thread;
    if let Some(p) = call.process_mut() {
        let (_, t) = p.space_and_thread(tid);
        if let Some(t) = t
            && let CpuContext::X86(c) = t.context_mut()
        {
            // EDX is register 2 in encoding order (EAX ECX EDX).
            c.gpr[2] = v;
        }
    }
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

/// atof(s): the double in ST(0).
pub(super) fn atof(call: &mut ApiCall<'_>) -> ApiReturn {
    let text = c_string(call, call.arg(0));
    let (v, _) = parse_float(&text);
    return_double(call, v)
}

/// strtod(s, end): the double in ST(0); ERANGE when it overflows.
pub(super) fn strtod(call: &mut ApiCall<'_>) -> ApiReturn {
    let (s, end) = (call.arg(0), call.arg(1));
    let text = c_string(call, s);
    let (v, used) = parse_float(&text);
    with_state(call, |call, _| {
        let _ = call.write_out_u32(end, s + used as u32);
        if v.is_infinite() {
            set_errno(call, errno::ERANGE);
        }
    });
    return_double(call, v)
}

/// abs(n) and labs.
pub(super) fn abs(call: &mut ApiCall<'_>) -> ApiReturn {
    value((call.arg(0) as i32).wrapping_abs() as u32)
}

/// div(a, b) and ldiv: a struct { quot, rem } returned in edx:eax (8 bytes, as MSVC's x86
/// ABI returns small structs).
pub(super) fn div(call: &mut ApiCall<'_>) -> ApiReturn {
    let (a, b) = (call.arg(0) as i32, call.arg(1) as i32);
    if b == 0 {
        return ApiReturn::ExitProcess(nt_status::NtStatus::INTEGER_DIVIDE_BY_ZERO.0);
    }
    set_edx(call, a.wrapping_rem(b) as u32);
    value(a.wrapping_div(b) as u32)
}

/// rand(): msvcrt's generator, seed = seed * 214013 + 2531011, result (seed >> 16) & 0x7FFF.
pub(super) fn rand(call: &mut ApiCall<'_>) -> ApiReturn {
    with_state(call, |_, state| {
        state.seed = state.seed.wrapping_mul(214_013).wrapping_add(2_531_011);
        value((state.seed >> 16) & 0x7FFF)
    })
}

/// srand(seed).
pub(super) fn srand(call: &mut ApiCall<'_>) -> ApiReturn {
    let seed = call.arg(0);
    with_state(call, |_, state| {
        state.seed = seed;
        value(0)
    })
}

/// getenv(name): the environment ntemu gives its processes is empty: NULL.
pub(super) fn getenv(call: &mut ApiCall<'_>) -> ApiReturn {
    let name = c_string(call, call.arg(0));
    with_state(call, |call, _| {
        super::setup_environment(call);
        value(find_variable(call, &name).map_or(0, |(_, at)| at + name.len() as u32 + 1))
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

/// _putenv("name=value"): sets (or with "name=" removes) a variable in the process
/// environment and in `_environ`; 0, or -1 for a string without '='.
pub(super) fn putenv(call: &mut ApiCall<'_>) -> ApiReturn {
    let text = c_string(call, call.arg(0));
    let Some(eq) = text.iter().position(|&c| c == b'=').filter(|&i| i > 0) else {
        return value(u32::MAX);
    };
    let name = String::from_utf8_lossy(&text[..eq]).into_owned();
    let assigned = String::from_utf8_lossy(&text[eq + 1..]).into_owned();
    kernel32::set_environment_variable(
        call,
        &name,
        (!assigned.is_empty()).then_some(assigned.as_str()),
    );
    with_state(call, |call, _| {
        super::setup_environment(call);
        super::rebuild_environment(call);
        value(0)
    })
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
pub(super) fn itoa(call: &mut ApiCall<'_>) -> ApiReturn {
    let (v, buffer, radix) = (call.arg(0), call.arg(1), call.arg(2));
    if !(2..=36).contains(&radix) {
        return value(buffer);
    }
    let negative = radix == 10 && (v as i32) < 0;
    let magnitude = if negative {
        (v as i32).unsigned_abs()
    } else {
        v
    };
    let mut text = Vec::new();
    if negative {
        text.push(b'-');
    }
    text.extend(to_radix(u64::from(magnitude), radix));
    text.push(0);
    put(call, buffer, &text);
    value(buffer)
}

/// _ultoa(value, buffer, radix).
pub(super) fn ultoa(call: &mut ApiCall<'_>) -> ApiReturn {
    let (v, buffer, radix) = (call.arg(0), call.arg(1), call.arg(2));
    if !(2..=36).contains(&radix) {
        return value(buffer);
    }
    let mut text = to_radix(u64::from(v), radix);
    text.push(0);
    put(call, buffer, &text);
    value(buffer)
}

// ---- time.h -------------------------------------------------------------------------------

/// Seconds since 1970 now, by the machine's clock.
fn now(call: &ApiCall<'_>) -> u32 {
    let ms = call.state.wall_clock_base_ms + call.machine.clock().now_ms();
    (ms / 1000) as u32
}

/// time(t): seconds since 1970 (UTC; ntemu's local time is UTC).
pub(super) fn time(call: &mut ApiCall<'_>) -> ApiReturn {
    let out = call.arg(0);
    let t = now(call);
    let _ = call.write_out_u32(out, t);
    value(t)
}

/// clock(): milliseconds (CLOCKS_PER_SEC 1000) since the machine started.
pub(super) fn clock(call: &mut ApiCall<'_>) -> ApiReturn {
    value(call.machine.clock().now_ms() as u32)
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

/// gmtime(t) and localtime (ntemu's local time is UTC): the CRT's struct tm; NULL for a
/// negative time.
pub(super) fn gmtime(call: &mut ApiCall<'_>) -> ApiReturn {
    let ptr = call.arg(0);
    let Ok(t) = call.read_u32(ptr) else {
        return value(0);
    };
    if (t as i32) < 0 {
        return value(0);
    }
    with_state(call, |call, _| {
        let fields = tm_fields(i64::from(t));
        let bytes: Vec<u8> = fields.iter().flat_map(|f| f.to_le_bytes()).collect();
        let at = CRT_DATA + at::TM;
        put(call, at, &bytes);
        value(at)
    })
}

fn read_tm(call: &ApiCall<'_>, ptr: u32) -> Option<[i32; 9]> {
    let bytes = call.read_bytes(ptr, 36).ok()?;
    let mut f = [0i32; 9];
    for (i, c) in bytes.chunks(4).enumerate() {
        f[i] = i32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    Some(f)
}

/// mktime(tm): normalizes the struct and returns its time; -1 when out of range.
pub(super) fn mktime(call: &mut ApiCall<'_>) -> ApiReturn {
    let ptr = call.arg(0);
    let Some(f) = read_tm(call, ptr) else {
        return value(u32::MAX);
    };
    let months = i64::from(f[5]) * 12 + i64::from(f[4]);
    let (y, m) = (1900 + months.div_euclid(12), months.rem_euclid(12) as u32);
    let days = days_from_civil(y, m, 1) + i64::from(f[3]) - 1;
    let t = days * 86_400 + i64::from(f[2]) * 3600 + i64::from(f[1]) * 60 + i64::from(f[0]);
    if !(0..=0x7FFF_FFFF).contains(&t) {
        return value(u32::MAX);
    }
    let bytes: Vec<u8> = tm_fields(t).iter().flat_map(|x| x.to_le_bytes()).collect();
    put(call, ptr, &bytes);
    value(t as u32)
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

fn store_asctime(call: &mut ApiCall<'_>, f: &[i32; 9]) -> ApiReturn {
    with_state(call, |call, _| {
        let mut text = asctime_text(f).into_bytes();
        text.push(0);
        let at = CRT_DATA + at::ASCTIME;
        put(call, at, &text);
        value(at)
    })
}

/// asctime(tm).
pub(super) fn asctime(call: &mut ApiCall<'_>) -> ApiReturn {
    match read_tm(call, call.arg(0)) {
        Some(f) => store_asctime(call, &f),
        None => value(0),
    }
}

/// ctime(t).
pub(super) fn ctime(call: &mut ApiCall<'_>) -> ApiReturn {
    match call.read_u32(call.arg(0)) {
        Ok(t) if (t as i32) >= 0 => store_asctime(call, &tm_fields(i64::from(t))),
        _ => value(0),
    }
}

/// difftime(t1, t0): t1 - t0 in ST(0).
pub(super) fn difftime(call: &mut ApiCall<'_>) -> ApiReturn {
    let (t1, t0) = (call.arg(0) as i32, call.arg(1) as i32);
    return_double(call, f64::from(t1) - f64::from(t0))
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

/// strftime(buffer, max, fmt, tm): the length, or 0 when it does not fit with its NUL.
pub(super) fn strftime(call: &mut ApiCall<'_>) -> ApiReturn {
    let (buffer, max, fmt, tm) = (call.arg(0), call.arg(1), call.arg(2), call.arg(3));
    let format = c_string(call, fmt);
    let Some(f) = read_tm(call, tm) else {
        return value(0);
    };
    let mut text = strftime_text(&format, &f);
    if text.len() + 1 > max as usize {
        return value(0);
    }
    let len = text.len() as u32;
    text.push(0);
    put(call, buffer, &text);
    value(len)
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
