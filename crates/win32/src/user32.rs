//! USER32.dll: the text functions console programs import (wsprintfA and the OEM/ANSI
//! conversions). Windows and painting are not here yet.

use nt_status::NtStatus;

use crate::abi::CallingConvention::{Cdecl, Stdcall};
use crate::api::{ApiCall, ApiReturn};
use crate::codepage::CodePage;
use crate::msvcrt::printf::{digits, integer_digits, next_conversion};
use crate::{BuiltinDll, Export};

/// USER32.dll.
pub const DLL: BuiltinDll = BuiltinDll {
    name: "USER32.dll",
    exports: &[
        Export {
            name: "wsprintfA",
            ordinal: 1,
            arguments: 2,
            convention: Cdecl,
            function: wsprintf_a,
        },
        Export {
            name: "CharToOemA",
            ordinal: 2,
            arguments: 2,
            convention: Stdcall,
            function: char_to_oem_a,
        },
        Export {
            name: "OemToCharA",
            ordinal: 3,
            arguments: 2,
            convention: Stdcall,
            function: oem_to_char_a,
        },
    ],
};

/// wsprintfA writes at most this many characters, NUL included.
const WSPRINTF_LIMIT: usize = 1024;

/// Formats like wsprintfA: %[-][#][0][width][.precision][h|l]type with types c, d, i, u, x,
/// X, s and %%. Arguments come from `next` (32-bit each); strings are read from guest memory.
fn format(
    call: &ApiCall<'_>,
    fmt: &[u8],
    mut next: impl FnMut() -> u32,
) -> Result<Vec<u8>, NtStatus> {
    let mut out = Vec::new();
    let mut i = 0;
    while next_conversion(fmt, &mut i, &mut out) {
        let (mut left, mut alternate, mut zero) = (false, false, false);
        while let Some(&f) = fmt.get(i) {
            match f {
                b'-' => left = true,
                b'#' => alternate = true,
                b'0' => zero = true,
                _ => break,
            }
            i += 1;
        }
        let width = digits(fmt, &mut i);
        let mut precision = None;
        if fmt.get(i) == Some(&b'.') {
            i += 1;
            precision = Some(digits(fmt, &mut i));
        }
        // At least `precision` digits, and at least one (unlike printf's `%.0d` of 0).
        let min_digits = precision.map(|p| p.max(1));
        while matches!(fmt.get(i), Some(b'l' | b'h')) {
            i += 1;
        }
        let Some(&kind) = fmt.get(i) else { break };
        i += 1;
        let text: Vec<u8> = match kind {
            b'%' => vec![b'%'],
            b'c' | b'C' => vec![next() as u8],
            b'd' | b'i' => {
                let v = next() as i32;
                let mut text = integer_digits(u64::from(v.unsigned_abs()), 10, false, min_digits);
                if v < 0 {
                    text.insert(0, b'-');
                }
                text
            }
            // %u takes no precision.
            b'u' => integer_digits(u64::from(next()), 10, false, None),
            b'x' | b'X' => {
                let v = next();
                let mut text = integer_digits(u64::from(v), 16, kind == b'X', min_digits);
                if alternate && v != 0 {
                    let prefix: &[u8] = if kind == b'x' { b"0x" } else { b"0X" };
                    text.splice(0..0, prefix.iter().copied());
                }
                text
            }
            b's' | b'S' => {
                let ptr = next();
                let mut s = if ptr == 0 {
                    b"(null)".to_vec()
                } else {
                    call.read_c_bytes(ptr, WSPRINTF_LIMIT)
                        .map_err(|_| NtStatus::ACCESS_VIOLATION)?
                };
                if let Some(p) = precision {
                    s.truncate(p);
                }
                s
            }
            other => vec![b'%', other],
        };
        let pad = width.saturating_sub(text.len());
        let numeric = matches!(kind, b'd' | b'i' | b'u' | b'x' | b'X');
        if left {
            out.extend_from_slice(&text);
            out.extend(std::iter::repeat_n(b' ', pad));
        } else if zero && numeric {
            let sign = usize::from(text.first() == Some(&b'-'));
            out.extend_from_slice(&text[..sign]);
            out.extend(std::iter::repeat_n(b'0', pad));
            out.extend_from_slice(&text[sign..]);
        } else {
            out.extend(std::iter::repeat_n(b' ', pad));
            out.extend_from_slice(&text);
        }
    }
    out.truncate(WSPRINTF_LIMIT - 1);
    Ok(out)
}

/// wsprintfA(lpOut, lpFmt, ...): returns the characters written, NUL excluded.
fn wsprintf_a(call: &mut ApiCall<'_>) -> ApiReturn {
    let (out, fmt_ptr) = (call.arg(0), call.arg(1));
    let Ok(fmt) = call.read_c_bytes(fmt_ptr, WSPRINTF_LIMIT) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let mut n = 2;
    let text = {
        let view: &ApiCall<'_> = call;
        format(view, &fmt, || {
            let v = view.arg(n);
            n += 1;
            v
        })
    };
    match text {
        Ok(mut bytes) => {
            let len = bytes.len() as u32;
            bytes.push(0);
            match call.write_bytes(out, &bytes) {
                Ok(()) => ApiReturn::Value(len),
                Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
            }
        }
        Err(status) => call.fail(status),
    }
}

fn convert(call: &mut ApiCall<'_>, from: CodePage, to: CodePage) -> ApiReturn {
    let (src, dst) = (call.arg(0), call.arg(1));
    let Ok(bytes) = call.read_c_bytes(src, 0x1_0000) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let mut mapped: Vec<u8> = bytes
        .iter()
        .map(|&b| to.encode(from.decode(b)).unwrap_or(b'?'))
        .collect();
    mapped.push(0);
    match call.write_bytes(dst, &mapped) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// CharToOemA(lpszSrc, lpszDst): ANSI (1252) to OEM (437); always TRUE.
fn char_to_oem_a(call: &mut ApiCall<'_>) -> ApiReturn {
    convert(call, CodePage::Ansi, CodePage::Oem)
}

/// OemToCharA(lpszSrc, lpszDst): OEM (437) to ANSI (1252); always TRUE.
fn oem_to_char_a(call: &mut ApiCall<'_>) -> ApiReturn {
    convert(call, CodePage::Oem, CodePage::Ansi)
}
