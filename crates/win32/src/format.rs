//! The printf engine of msvcrt.dll: one formatter for printf, fprintf, sprintf, _snprintf
//! and their va_list forms, and for USER32's wsprintf.
//!
//! The grammar is msvcrt's: `%[flags][width][.precision][size]type` with flags `- + 0 space
//! #`, width and precision as digits or `*`, sizes `h`, `l`, `L`, `I64`, `I32`, `I`, `w` and
//! `ll` (Wine's msvcrt reads `ll` as 64-bit, and ntemu follows it), types `c C d i o u x X
//! e E f g G p n s S %`. Floating-point output follows msvcrt: at most 17 significant
//! digits are computed, the rest are zeros, and the decimal string is rounded half away
//! from zero; exponents have at least three digits (`1.000000e+000`); infinities and NaNs
//! print as `1.#INF00`, `-1.#IND00` and `1.#QNAN0`.

/// Where the formatter takes its arguments from, and how it reads guest strings.
pub trait Arguments {
    /// The next 32-bit argument.
    fn next_u32(&mut self) -> u32;
    /// The next 64-bit argument (two 32-bit slots on x86, low first).
    fn next_u64(&mut self) -> u64 {
        let lo = u64::from(self.next_u32());
        let hi = u64::from(self.next_u32());
        lo | (hi << 32)
    }
    /// The next double.
    fn next_f64(&mut self) -> f64 {
        f64::from_bits(self.next_u64())
    }
    /// The bytes of the NUL-terminated string at `ptr` (at most `limit` bytes), None when
    /// it cannot be read.
    fn string(&mut self, ptr: u32, limit: usize) -> Option<Vec<u8>>;
    /// The UTF-16 units of the NUL-terminated wide string at `ptr` (at most `limit`).
    fn wide_string(&mut self, ptr: u32, limit: usize) -> Option<Vec<u16>>;
    /// Stores the count of characters written so far (`%n`) at `ptr`, `size` bytes wide.
    fn store_count(&mut self, ptr: u32, count: u32, size: usize) -> Option<()>;
}

/// Why formatting stopped.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FormatError {
    /// A string or `%n` pointer the guest passed could not be accessed.
    BadPointer,
}

#[derive(Clone, Copy, Default)]
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    zero: bool,
    alternate: bool,
    width: usize,
    precision: Option<usize>,
}

/// A conversion's size prefix, as printf and scanf read it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Size {
    /// No prefix.
    Default,
    /// `h`.
    Short,
    /// `l`.
    Long,
    /// `ll` or `I64`.
    Int64,
    /// `w` (printf only).
    Wide,
    /// `L`.
    LongDouble,
}

/// A character of a format string: a byte of a `char` string or a unit of a `wchar_t` one.
pub trait Unit: Copy {
    /// Its code.
    fn code(self) -> u32;
}

impl Unit for u8 {
    fn code(self) -> u32 {
        u32::from(self)
    }
}

impl Unit for u16 {
    fn code(self) -> u32 {
        u32::from(self)
    }
}

/// True when the units at `fmt[at..]` start with the ASCII text `text`.
fn starts<T: Unit>(fmt: &[T], at: usize, text: &[u8]) -> bool {
    fmt.get(at..at + text.len())
        .is_some_and(|s| s.iter().zip(text).all(|(u, &b)| u.code() == u32::from(b)))
}

/// Reads the size prefixes at `fmt[*i..]`, the last one counting: `h`, `l`, `L`, `ll` and
/// `I64`, and with `printf` also `w`, `I32` and `I` before an integer type (both ignored).
pub fn size_prefix<T: Unit>(fmt: &[T], i: &mut usize, printf: bool) -> Size {
    let mut size = Size::Default;
    loop {
        let at = *i;
        if starts(fmt, at, b"ll") {
            size = Size::Int64;
            *i += 2;
        } else if starts(fmt, at, b"I64") {
            size = Size::Int64;
            *i += 3;
        } else if printf && starts(fmt, at, b"I32") {
            *i += 3;
        } else if printf
            && starts(fmt, at, b"I")
            && fmt
                .get(at + 1)
                .is_some_and(|n| b"diouxX".iter().any(|&b| u32::from(b) == n.code()))
        {
            *i += 1;
        } else if starts(fmt, at, b"h") {
            size = Size::Short;
            *i += 1;
        } else if starts(fmt, at, b"l") {
            size = Size::Long;
            *i += 1;
        } else if printf && starts(fmt, at, b"w") {
            size = Size::Wide;
            *i += 1;
        } else if starts(fmt, at, b"L") {
            size = Size::LongDouble;
            *i += 1;
        } else {
            break;
        }
    }
    size
}

/// The longest string a `%s` reads when no precision bounds it.
const STRING_LIMIT: usize = 0x10_0000;
/// The largest width or precision honoured (larger ones are clamped), so a guest's format
/// cannot make the host allocate without bound.
const FIELD_LIMIT: usize = 0x10_0000;

/// Formats `fmt` with `args` as msvcrt's printf does.
pub fn format(fmt: &[u8], args: &mut dyn Arguments) -> Result<Vec<u8>, FormatError> {
    let units: Vec<u16> = fmt.iter().map(|&b| u16::from(b)).collect();
    let out = engine(&units, args, false)?;
    // Every unit of a narrow format's output is a byte.
    Ok(out.into_iter().map(|u| u as u8).collect())
}

/// Formats the wide format `fmt` with `args` as msvcrt's swprintf does: `%s` and `%c` take
/// wide strings and characters, `%S` and `%C` (and `%hs`, `%hc`) narrow ones, widened as
/// the "C" locale does (each byte its own character).
pub fn format_wide(fmt: &[u16], args: &mut dyn Arguments) -> Result<Vec<u16>, FormatError> {
    engine(fmt, args, true)
}

/// Appends ASCII bytes as units.
fn push_ascii(out: &mut Vec<u16>, bytes: &[u8]) {
    out.extend(bytes.iter().map(|&b| u16::from(b)));
}

/// The printf engine over units: `wide` for the wide functions.
fn engine(fmt: &[u16], args: &mut dyn Arguments, wide: bool) -> Result<Vec<u16>, FormatError> {
    let mut out: Vec<u16> = Vec::new();
    let mut i = 0;
    while next_conversion(fmt, &mut i, &mut out) {
        let mut spec = Spec::default();
        while let Some(f) = fmt.get(i).and_then(|&u| u8::try_from(u).ok()) {
            match f {
                b'-' => spec.left = true,
                b'+' => spec.plus = true,
                b' ' => spec.space = true,
                b'0' => spec.zero = true,
                b'#' => spec.alternate = true,
                _ => break,
            }
            i += 1;
        }
        if fmt.get(i) == Some(&u16::from(b'*')) {
            i += 1;
            let w = args.next_u32() as i32;
            if w < 0 {
                spec.left = true;
            }
            spec.width = w.unsigned_abs() as usize;
        } else {
            spec.width = digits(fmt, &mut i);
        }
        spec.width = spec.width.min(FIELD_LIMIT);
        if fmt.get(i) == Some(&u16::from(b'.')) {
            i += 1;
            if fmt.get(i) == Some(&u16::from(b'*')) {
                i += 1;
                let p = args.next_u32() as i32;
                spec.precision = (p >= 0).then_some(p as usize);
            } else {
                spec.precision = Some(digits(fmt, &mut i));
            }
            spec.precision = spec.precision.map(|p| p.min(FIELD_LIMIT));
        }
        let size = size_prefix(fmt, &mut i, true);
        let Some(&unit) = fmt.get(i) else { break };
        i += 1;
        // A wide character that is no ASCII letter is no conversion: printed as is.
        let kind = u8::try_from(unit).unwrap_or(0);
        match kind {
            b'%' => out.push(u16::from(b'%')),
            b'd' | b'i' => {
                let v: i64 = match size {
                    Size::Int64 => args.next_u64() as i64,
                    Size::Short => i64::from(args.next_u32() as i16),
                    _ => i64::from(args.next_u32() as i32),
                };
                let sign: &[u8] = if v < 0 {
                    b"-"
                } else if spec.plus {
                    b"+"
                } else if spec.space {
                    b" "
                } else {
                    b""
                };
                let body = integer_digits(v.unsigned_abs(), 10, false, spec.precision);
                pad_number(&mut out, &spec, sign, &body);
            }
            b'u' | b'o' | b'x' | b'X' => {
                let v: u64 = match size {
                    Size::Int64 => args.next_u64(),
                    Size::Short => u64::from(args.next_u32() as u16),
                    _ => u64::from(args.next_u32()),
                };
                let (radix, upper) = match kind {
                    b'o' => (8, false),
                    b'x' => (16, false),
                    b'X' => (16, true),
                    _ => (10, false),
                };
                let mut body = integer_digits(v, radix, upper, spec.precision);
                let mut prefix: &[u8] = b"";
                if spec.alternate && v != 0 {
                    match kind {
                        b'o' if body.first() != Some(&b'0') => body.insert(0, b'0'),
                        b'x' => prefix = b"0x",
                        b'X' => prefix = b"0X",
                        _ => {}
                    }
                }
                pad_number(&mut out, &spec, prefix, &body);
            }
            b'p' => {
                let v = args.next_u32();
                let body = format!("{v:08X}").into_bytes();
                let prefix: &[u8] = if spec.alternate { b"0X" } else { b"" };
                // msvcrt pads a pointer with blanks only.
                let spec = Spec {
                    precision: None,
                    zero: false,
                    ..spec
                };
                pad_number(&mut out, &spec, prefix, &body);
            }
            b'c' | b'C' => {
                let v = args.next_u32();
                let wide_arg = wide_argument(kind == b'c', size, wide);
                let text: Vec<u16> = match (wide_arg, wide) {
                    (true, true) => vec![v as u16],
                    (true, false) => narrow(&[v as u16]).into_iter().map(u16::from).collect(),
                    // A byte: widened as the "C" locale does, or kept.
                    (false, _) => vec![u16::from(v as u8)],
                };
                pad_text(&mut out, &spec, &text);
            }
            b's' | b'S' => {
                let ptr = args.next_u32();
                let wide_arg = wide_argument(kind == b's', size, wide);
                let limit = spec.precision.unwrap_or(STRING_LIMIT);
                let text: Vec<u16> = if ptr == 0 {
                    let null: &[u8] = b"(null)";
                    null[..null.len().min(limit)]
                        .iter()
                        .map(|&b| u16::from(b))
                        .collect()
                } else if wide_arg {
                    let units = args
                        .wide_string(ptr, limit)
                        .ok_or(FormatError::BadPointer)?;
                    if wide {
                        units
                    } else {
                        narrow(&units).into_iter().map(u16::from).collect()
                    }
                } else {
                    args.string(ptr, limit)
                        .ok_or(FormatError::BadPointer)?
                        .into_iter()
                        .map(u16::from)
                        .collect()
                };
                pad_text(&mut out, &spec, &text);
            }
            b'n' => {
                let ptr = args.next_u32();
                let width = match size {
                    Size::Short => 2,
                    Size::Int64 => 8,
                    _ => 4,
                };
                args.store_count(ptr, out.len() as u32, width)
                    .ok_or(FormatError::BadPointer)?;
            }
            b'e' | b'E' | b'f' | b'g' | b'G' => {
                let v = args.next_f64();
                let (sign, body) = float(v, kind, &spec);
                let spec = if v.is_finite() {
                    spec
                } else {
                    Spec {
                        zero: false,
                        ..spec
                    }
                };
                pad_number(
                    &mut out,
                    &Spec {
                        precision: None,
                        ..spec
                    },
                    &sign,
                    &body,
                );
            }
            _ => {
                // msvcrt prints an unknown conversion's character as is.
                out.push(unit);
            }
        }
    }
    Ok(out)
}

/// True when a `%c`/`%s` (`lower`) or `%C`/`%S` conversion with `size` takes a wide
/// argument: in the narrow functions `%C`, `%S` and the `l` and `w` sizes; in the wide ones
/// `%c`, `%s` and the `l` and `w` sizes (`h` is narrow in both).
fn wide_argument(lower: bool, size: Size, wide: bool) -> bool {
    match size {
        Size::Short => false,
        Size::Long | Size::Wide => true,
        _ => lower == wide,
    }
}

/// Copies the literal characters of `fmt` from `*i` into `out` up to the next `%` and steps
/// past it: true when a conversion follows, false at the end of the format. The format loops
/// of printf, strftime and USER32's wsprintfA run on it.
pub fn next_conversion<T: Unit>(fmt: &[T], i: &mut usize, out: &mut Vec<T>) -> bool {
    while let Some(&c) = fmt.get(*i) {
        *i += 1;
        if c.code() == u32::from(b'%') {
            return true;
        }
        out.push(c);
    }
    false
}

/// The decimal number at `fmt[*i..]` (0 when there are no digits), saturating; steps past
/// it.
pub fn digits<T: Unit>(fmt: &[T], i: &mut usize) -> usize {
    let mut n = 0usize;
    while let Some(d) = fmt
        .get(*i)
        .map(|u| u.code())
        .filter(|&d| (u32::from(b'0')..=u32::from(b'9')).contains(&d))
    {
        n = n
            .saturating_mul(10)
            .saturating_add((d - u32::from(b'0')) as usize);
        *i += 1;
    }
    n
}

fn narrow(units: &[u16]) -> Vec<u8> {
    char::decode_utf16(units.iter().copied())
        .map(|c| match c {
            Ok(c) if (c as u32) < 0x100 => c as u8,
            _ => b'?',
        })
        .collect()
}

/// The digits of `v` in `radix`, at least `precision` of them (zeros before); a precision
/// of 0 with the value 0 gives none, no precision at least one.
pub fn integer_digits(v: u64, radix: u64, upper: bool, precision: Option<usize>) -> Vec<u8> {
    let table: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut digits = Vec::new();
    let mut n = v;
    while n > 0 {
        digits.push(table[(n % radix) as usize]);
        n /= radix;
    }
    // A precision of 0 with the value 0 prints no digits.
    let min = precision.unwrap_or(1);
    while digits.len() < min {
        digits.push(b'0');
    }
    digits.reverse();
    digits
}

/// Pads a number: `prefix` (sign or 0x) then `body`; zeros go between them when the 0 flag
/// is set without `-` and without a precision.
fn pad_number(out: &mut Vec<u16>, spec: &Spec, prefix: &[u8], body: &[u8]) {
    let len = prefix.len() + body.len();
    let pad = spec.width.saturating_sub(len);
    if spec.left {
        push_ascii(out, prefix);
        push_ascii(out, body);
        out.extend(std::iter::repeat_n(u16::from(b' '), pad));
    } else if spec.zero && spec.precision.is_none() {
        push_ascii(out, prefix);
        out.extend(std::iter::repeat_n(u16::from(b'0'), pad));
        push_ascii(out, body);
    } else {
        out.extend(std::iter::repeat_n(u16::from(b' '), pad));
        push_ascii(out, prefix);
        push_ascii(out, body);
    }
}

fn pad_text(out: &mut Vec<u16>, spec: &Spec, text: &[u16]) {
    let pad = spec.width.saturating_sub(text.len());
    let fill = u16::from(if spec.zero && !spec.left { b'0' } else { b' ' });
    if spec.left {
        out.extend_from_slice(text);
        out.extend(std::iter::repeat_n(u16::from(b' '), pad));
    } else {
        out.extend(std::iter::repeat_n(fill, pad));
        out.extend_from_slice(text);
    }
}

/// The decimal digits msvcrt computes for `v` (finite, non-negative): at most 17
/// significant digits, and the decimal exponent of the first digit.
fn decimal(v: f64) -> (Vec<u8>, i32) {
    if v == 0.0 {
        return (vec![b'0'], 0);
    }
    let s = format!("{v:.16e}");
    let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    (digits, exponent.parse().unwrap_or(0))
}

/// Rounds the digit string `digits` (first digit has exponent `exp`) to keep the digits
/// above 10^`last` (half away from zero); returns the new digits and exponent.
fn round_at(digits: &[u8], exp: i32, last: i32) -> (Vec<u8>, i32) {
    // Number of digits to keep.
    let keep = exp - last + 1;
    if keep < 0 {
        return (vec![b'0'], last.max(0));
    }
    let keep = keep as usize;
    let mut kept: Vec<u8> = digits.iter().copied().take(keep).collect();
    while kept.len() < keep {
        kept.push(b'0');
    }
    let round_up = digits.get(keep).is_some_and(|&d| d >= b'5');
    let mut exp = exp;
    if round_up {
        let mut at = kept.len();
        loop {
            if at == 0 {
                kept.insert(0, b'1');
                exp += 1;
                kept.pop();
                if kept.is_empty() {
                    kept.push(b'1');
                }
                // When every kept digit was 9 the leading 1 now carries the exponent.
                break;
            }
            at -= 1;
            if kept[at] == b'9' {
                kept[at] = b'0';
            } else {
                kept[at] += 1;
                break;
            }
        }
    }
    if kept.is_empty() {
        kept.push(b'0');
        exp = last.max(0);
    }
    (kept, exp)
}

/// `%f` body of a finite non-negative value.
fn fixed(v: f64, precision: usize, alternate: bool) -> Vec<u8> {
    let (digits, exp) = decimal(v);
    let (kept, exp) = if v == 0.0 {
        (vec![b'0'], 0)
    } else {
        let (k, e) = round_at(&digits, exp, -(precision as i32));
        if k == [b'0'] { (k, 0) } else { (k, e) }
    };
    // kept[j] has exponent exp - j.
    let mut out = Vec::new();
    if exp < 0 {
        out.push(b'0');
    } else {
        for j in 0..=exp {
            out.push(kept.get(j as usize).copied().unwrap_or(b'0'));
        }
    }
    if precision > 0 || alternate {
        out.push(b'.');
    }
    for p in 1..=precision as i32 {
        let j = exp + p;
        out.push(if j >= 0 {
            kept.get(j as usize).copied().unwrap_or(b'0')
        } else {
            b'0'
        });
    }
    out
}

/// `%e` body of a finite non-negative value.
fn exponential(v: f64, precision: usize, alternate: bool, upper: bool) -> Vec<u8> {
    let (digits, exp) = decimal(v);
    let (kept, exp) = if v == 0.0 {
        (vec![b'0'], 0)
    } else {
        round_at(&digits, exp, exp - precision as i32)
    };
    let mut out = vec![kept[0]];
    if precision > 0 || alternate {
        out.push(b'.');
    }
    for j in 1..=precision {
        out.push(kept.get(j).copied().unwrap_or(b'0'));
    }
    out.push(if upper { b'E' } else { b'e' });
    out.push(if exp < 0 { b'-' } else { b'+' });
    out.extend(format!("{:03}", exp.unsigned_abs()).bytes());
    out
}

/// `%g` body of a finite non-negative value.
fn general(v: f64, precision: usize, alternate: bool, upper: bool) -> Vec<u8> {
    let p = precision.max(1);
    let exp = if v == 0.0 {
        0
    } else {
        let (digits, exp) = decimal(v);
        round_at(&digits, exp, exp - (p as i32 - 1)).1
    };
    let mut out = if exp < -4 || exp >= p as i32 {
        exponential(v, p - 1, alternate, upper)
    } else {
        fixed(v, (p as i32 - 1 - exp).max(0) as usize, alternate)
    };
    if !alternate {
        let e_at = out.iter().position(|&c| c == b'e' || c == b'E');
        let (mut mantissa, tail) = match e_at {
            Some(at) => (out[..at].to_vec(), out[at..].to_vec()),
            None => (out.clone(), Vec::new()),
        };
        if mantissa.contains(&b'.') {
            while mantissa.last() == Some(&b'0') {
                mantissa.pop();
            }
            if mantissa.last() == Some(&b'.') {
                mantissa.pop();
            }
        }
        mantissa.extend(tail);
        out = mantissa;
    }
    out
}

/// The sign and the body of a floating-point conversion.
fn float(v: f64, kind: u8, spec: &Spec) -> (Vec<u8>, Vec<u8>) {
    let negative = v.is_sign_negative();
    let sign = if negative {
        b"-".to_vec()
    } else if spec.plus {
        b"+".to_vec()
    } else if spec.space {
        b" ".to_vec()
    } else {
        Vec::new()
    };
    let precision = spec.precision.unwrap_or(6);
    let upper = kind.is_ascii_uppercase();
    if !v.is_finite() {
        // msvcrt formats these as the number 1 followed by a tag: "1.#INF" and so on, then
        // pads with zeros to the precision.
        let tag: &[u8] = if v.is_infinite() {
            b"1.#INF"
        } else if negative && (v.to_bits() & 0x0008_0000_0000_0000) != 0 && is_indefinite(v) {
            b"1.#IND"
        } else if (v.to_bits() & 0x0008_0000_0000_0000) != 0 {
            b"1.#QNAN"
        } else {
            b"1.#SNAN"
        };
        let mut body = tag.to_vec();
        match kind {
            b'f' => {
                while body.len() < precision + 2 {
                    body.push(b'0');
                }
            }
            b'e' | b'E' => {
                while body.len() < precision + 2 {
                    body.push(b'0');
                }
                body.extend_from_slice(if upper { b"E+000" } else { b"e+000" });
            }
            _ => {}
        }
        return (sign, body);
    }
    let v = v.abs();
    let body = match kind {
        b'f' => fixed(v, precision, spec.alternate),
        b'e' | b'E' => exponential(v, precision, spec.alternate, upper),
        _ => general(v, precision, spec.alternate, upper),
    };
    (sign, body)
}

/// True for the x87 "indefinite" NaN (sign set, quiet, zero payload).
fn is_indefinite(v: f64) -> bool {
    v.to_bits() == 0xFFF8_0000_0000_0000
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Arguments as 32-bit slots, and a memory of strings by address.
    struct Slots {
        slots: Vec<u32>,
        next: usize,
        strings: BTreeMap<u32, Vec<u8>>,
        stored: Vec<(u32, u32, usize)>,
    }

    impl Arguments for Slots {
        fn next_u32(&mut self) -> u32 {
            let v = self.slots.get(self.next).copied().unwrap_or(0);
            self.next += 1;
            v
        }
        fn string(&mut self, ptr: u32, limit: usize) -> Option<Vec<u8>> {
            let s = self.strings.get(&ptr)?;
            Some(s[..s.len().min(limit)].to_vec())
        }
        fn wide_string(&mut self, ptr: u32, limit: usize) -> Option<Vec<u16>> {
            let s = self.strings.get(&ptr)?;
            Some(
                s[..s.len().min(limit)]
                    .iter()
                    .map(|&b| u16::from(b))
                    .collect(),
            )
        }
        fn store_count(&mut self, ptr: u32, count: u32, size: usize) -> Option<()> {
            self.stored.push((ptr, count, size));
            Some(())
        }
    }

    enum A {
        I(i32),
        L(i64),
        D(f64),
        S(&'static str),
    }

    fn run(fmt: &str, args: &[A]) -> (String, Vec<(u32, u32, usize)>) {
        let mut slots = Vec::new();
        let mut strings = BTreeMap::new();
        for a in args {
            match a {
                A::I(v) => slots.push(*v as u32),
                A::L(v) => {
                    slots.push(*v as u32);
                    slots.push((*v as u64 >> 32) as u32);
                }
                A::D(v) => {
                    let b = v.to_bits();
                    slots.push(b as u32);
                    slots.push((b >> 32) as u32);
                }
                A::S(s) => {
                    let at = 0x1000 + 0x100 * strings.len() as u32;
                    strings.insert(at, s.as_bytes().to_vec());
                    slots.push(at);
                }
            }
        }
        let mut s = Slots {
            slots,
            next: 0,
            strings,
            stored: Vec::new(),
        };
        let out = format(fmt.as_bytes(), &mut s).expect("format");
        (String::from_utf8_lossy(&out).into_owned(), s.stored)
    }

    fn f(fmt: &str, args: &[A]) -> String {
        run(fmt, args).0
    }

    #[test]
    fn integers() {
        use A::*;
        assert_eq!(f("%d|%i|%u", &[I(-5), I(7), I(-1)]), "-5|7|4294967295");
        assert_eq!(f("% d|%+d|%+d", &[I(5), I(5), I(-5)]), " 5|+5|-5");
        assert_eq!(f("%+.3d|%.0d|%.0d", &[I(7), I(0), I(3)]), "+007||3");
        assert_eq!(
            f("%05d|%-5d|%5d", &[I(-42), I(42), I(42)]),
            "-0042|42   |   42"
        );
        assert_eq!(f("%05.3d", &[I(7)]), "  007");
        assert_eq!(
            f("%#x|%#X|%#o|%#x", &[I(255), I(255), I(8), I(0)]),
            "0xff|0XFF|010|0"
        );
        assert_eq!(
            f("%08x|%#010x", &[I(0xbeef), I(0xbeef)]),
            "0000beef|0x0000beef"
        );
        assert_eq!(
            f("%hd|%hu|%hx", &[I(0x12345), I(-1), I(0x1_ffff)]),
            "9029|65535|ffff"
        );
        assert_eq!(f("%ld|%lu", &[I(-3), I(3)]), "-3|3");
        assert_eq!(
            f(
                "%I64d|%lld|%I64u",
                &[L(-1_234_567_890_123), L(1 << 40), L(-1)]
            ),
            "-1234567890123|1099511627776|18446744073709551615"
        );
        assert_eq!(
            f("%I64x|%I32d|%Id", &[L(0xabc_0000_0001), I(-9), I(9)]),
            "abc00000001|-9|9"
        );
        assert_eq!(
            f("%*d|%-*d|%.*d", &[I(4), I(1), I(3), I(2), I(3), I(5)]),
            "   1|2  |005"
        );
        assert_eq!(f("%*d", &[I(-4), I(1)]), "1   ");
    }

    #[test]
    fn pointers_chars_strings() {
        use A::*;
        assert_eq!(
            f(
                "%p|%#p|%010p|%-9p|",
                &[I(0x12FF40), I(0x12FF40), I(1), I(2)]
            ),
            "0012FF40|0X0012FF40|  00000001|00000002 |"
        );
        assert_eq!(
            f("%05s|%-05s|%03c", &[S("ab"), S("ab"), I(65)]),
            "000ab|ab   |00A"
        );
        assert_eq!(
            f("%c%c|%3c|%-3c|", &[I(65), I(0x142), I(66), I(67)]),
            "AB|  B|C  |"
        );
        assert_eq!(
            f("%s|%-5s|%5.2s|%.1s", &[S("abc"), S("ab"), S("xyz"), S("q")]),
            "abc|ab   |   xy|q"
        );
        assert_eq!(f("%s|%.3s", &[I(0), I(0)]), "(null)|(nu");
        assert_eq!(f("%ls|%S|%hs", &[S("wide"), S("W"), S("n")]), "wide|W|n");
        assert_eq!(f("100%%|%y", &[]), "100%|y");
    }

    /// The wide engine's output for a wide format (strings given as their characters).
    fn w(fmt: &str, args: &[A]) -> String {
        let mut slots = Vec::new();
        let mut strings = BTreeMap::new();
        for a in args {
            match a {
                A::I(v) => slots.push(*v as u32),
                A::S(s) => {
                    let at = 0x1000 + 0x100 * strings.len() as u32;
                    strings.insert(at, s.as_bytes().to_vec());
                    slots.push(at);
                }
                A::L(_) | A::D(_) => {}
            }
        }
        let mut s = Slots {
            slots,
            next: 0,
            strings,
            stored: Vec::new(),
        };
        let units: Vec<u16> = fmt.encode_utf16().collect();
        String::from_utf16_lossy(&format_wide(&units, &mut s).expect("format"))
    }

    #[test]
    fn wide_mode_swaps_the_string_widths() {
        use A::*;
        // In swprintf %s and %c are wide, %S and %C narrow; h and l choose either way.
        assert_eq!(
            w("%s|%S|%hs|%ls", &[S("a"), S("b"), S("c"), S("d")]),
            "a|b|c|d"
        );
        assert_eq!(
            w("%c%C%hc%lc", &[I(0x3B1), I(0x41), I(0x42), I(0x3B2)]),
            "\u{3B1}AB\u{3B2}"
        );
        assert_eq!(w("%5d|%-3x|%n", &[I(42), I(255), I(0)]), "   42|ff |");
        assert_eq!(w("\u{3B1}%%", &[]), "\u{3B1}%");
    }

    #[test]
    fn count() {
        use A::*;
        let (out, stored) = run("ab%ncd%hn", &[I(0x500), I(0x600)]);
        assert_eq!(out, "abcd");
        assert_eq!(stored, vec![(0x500, 2, 4), (0x600, 4, 2)]);
    }

    #[test]
    fn fixed_point() {
        use A::*;
        assert_eq!(
            f("%f|%f|%f", &[D(1.5), D(-0.25), D(0.0)]),
            "1.500000|-0.250000|0.000000"
        );
        assert_eq!(
            f("%.0f|%.0f|%.0f|%.0f", &[D(0.5), D(1.5), D(2.5), D(-0.5)]),
            "1|2|3|-1"
        );
        assert_eq!(
            f("%.2f|%.2f|%.3f", &[D(2.675), D(1.005), D(0.0005)]),
            "2.67|1.00|0.001"
        );
        assert_eq!(
            f("%8.3f|%-8.2f|%08.2f", &[D(1.23456), D(2.5), D(-2.5)]),
            "   1.235|2.50    |-0002.50"
        );
        assert_eq!(
            f("%+f|% f|%#.0f", &[D(1.0), D(1.0), D(3.0)]),
            "+1.000000| 1.000000|3."
        );
        assert_eq!(f("%*.*f", &[I(10), I(3), D(2.0 / 3.0)]), "     0.667");
        assert_eq!(f("%.1f|%.0f", &[D(0.96), D(9.5)]), "1.0|10");
        assert_eq!(f("%f", &[D(1e20)]), "100000000000000000000.000000");
        assert_eq!(f("%.20f", &[D(0.1)]), "0.10000000000000001000");
        assert_eq!(
            f("%f", &[D(123456789012345678.0)]),
            "123456789012345680.000000"
        );
        assert_eq!(f("%.3f", &[D(0.0001)]), "0.000");
    }

    #[test]
    fn exponent_and_general() {
        use A::*;
        assert_eq!(
            f("%e|%E", &[D(1.0), D(-12345.678)]),
            "1.000000e+000|-1.234568E+004"
        );
        assert_eq!(
            f("%.2e|%.0e|%#.0e", &[D(0.000123), D(5.5), D(5.0)]),
            "1.23e-004|6e+000|5.e+000"
        );
        assert_eq!(
            f("%e|%e", &[D(0.0), D(1e300)]),
            "0.000000e+000|1.000000e+300"
        );
        assert_eq!(
            f("%12.3e|%-12.1e|", &[D(9.9996), D(1.0)]),
            "  1.000e+001|1.0e+000    |"
        );
        assert_eq!(
            f("%g|%g|%g|%g", &[D(100000.0), D(1e6), D(0.0001), D(0.00001)]),
            "100000|1e+006|0.0001|1e-005"
        );
        assert_eq!(
            f("%g|%G|%g|%g", &[D(1.5), D(1e-10), D(0.0), D(123.456)]),
            "1.5|1E-010|0|123.456"
        );
        assert_eq!(
            f(
                "%.3g|%.10g|%#g|%.0g",
                &[D(1.23456), D(1.0 / 3.0), D(1.0), D(2.5)]
            ),
            "1.23|0.3333333333|1.00000|3"
        );
        assert_eq!(f("%g", &[D(999999.5)]), "1e+006");
    }

    #[test]
    fn infinities_and_nans() {
        use A::*;
        let ind = f64::from_bits(0xFFF8_0000_0000_0000);
        let qnan = f64::from_bits(0x7FF8_0000_0000_0000);
        assert_eq!(
            f("%f|%f", &[D(f64::INFINITY), D(f64::NEG_INFINITY)]),
            "1.#INF00|-1.#INF00"
        );
        assert_eq!(f("%f|%f", &[D(ind), D(qnan)]), "-1.#IND00|1.#QNAN0");
        assert_eq!(
            f(
                "%e|%g|%10f",
                &[D(f64::INFINITY), D(f64::INFINITY), D(f64::INFINITY)]
            ),
            "1.#INF00e+000|1.#INF|  1.#INF00"
        );
    }
}
