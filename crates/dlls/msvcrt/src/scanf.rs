//! The scanf engine of msvcrt.dll (sscanf, scanf, fscanf): `%[*][width][size]type` with
//! types `d i u o x X e E f g G s c [set] n p %`, sizes `h`, `l`, `L`, `ll` and `I64`.

use win32::format::{Size, digits, size_prefix};

/// Where the input comes from and the conversions store their results.
pub(crate) trait Scanner {
    /// The next input character, without consuming it; None at the end of the input.
    fn peek(&mut self) -> Option<u8>;
    /// Consumes the character `peek` returned.
    fn advance(&mut self);
    /// The next pointer argument.
    fn next_pointer(&mut self) -> u32;
    /// Writes `bytes` at `ptr`; false when the guest memory cannot be written.
    fn store(&mut self, ptr: u32, bytes: &[u8]) -> bool;
}

/// The input as the conversions see it: characters consumed so far counted.
struct Input<'s> {
    scanner: &'s mut dyn Scanner,
    at: usize,
}

impl Input<'_> {
    fn peek(&mut self) -> Option<u8> {
        self.scanner.peek()
    }

    fn bump(&mut self) {
        self.scanner.advance();
        self.at += 1;
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.bump();
        }
    }

    /// Consumes characters while `ok` holds, at most `width`.
    fn take_while(&mut self, width: usize, ok: impl Fn(u8) -> bool) -> Vec<u8> {
        let mut v = Vec::new();
        while v.len() < width {
            match self.peek() {
                Some(c) if ok(c) => {
                    v.push(c);
                    self.bump();
                }
                _ => break,
            }
        }
        v
    }
}

/// Scans the scanner's input with `fmt`: the number of fields assigned, or -1 (EOF) when
/// the input ran out before the first conversion.
pub(crate) fn scan(scanner: &mut dyn Scanner, fmt: &[u8]) -> i32 {
    let mut input = Input { scanner, at: 0 };
    let mut assigned = 0i32;
    let mut converted_any = false;
    let mut i = 0;
    while i < fmt.len() {
        let c = fmt[i];
        if c.is_ascii_whitespace() {
            input.skip_space();
            i += 1;
            continue;
        }
        if c != b'%' {
            if input.peek() != Some(c) {
                break;
            }
            input.bump();
            i += 1;
            continue;
        }
        i += 1;
        let suppress = fmt.get(i) == Some(&b'*');
        if suppress {
            i += 1;
        }
        let width = match digits(fmt, &mut i) {
            0 => usize::MAX,
            n => n,
        };
        let size = size_prefix(fmt, &mut i, false);
        let Some(&kind) = fmt.get(i) else { break };
        i += 1;
        if kind == b'%' {
            input.skip_space();
            if input.peek() != Some(b'%') {
                break;
            }
            input.bump();
            continue;
        }
        if kind == b'n' {
            if !suppress {
                let p = input.scanner.next_pointer();
                let bytes = (input.at as u64).to_le_bytes();
                let n = match size {
                    Size::Short => 2,
                    Size::Int64 => 8,
                    _ => 4,
                };
                input.scanner.store(p, &bytes[..n]);
            }
            continue;
        }
        if !matches!(kind, b'c' | b'[') {
            input.skip_space();
        }
        if input.peek().is_none() {
            if !converted_any {
                return -1;
            }
            break;
        }
        let stored: Option<Vec<u8>> = match kind {
            b'd' | b'i' | b'u' | b'o' | b'x' | b'X' | b'p' => {
                let radix = match kind {
                    b'd' | b'u' => 10,
                    b'o' => 8,
                    b'x' | b'X' | b'p' => 16,
                    _ => 0,
                };
                let Some(v) = integer(&mut input, radix, width) else {
                    break;
                };
                let n = if kind == b'p' {
                    4
                } else {
                    match size {
                        Size::Short => 2,
                        Size::Int64 => 8,
                        _ => 4,
                    }
                };
                Some(v.to_le_bytes()[..n].to_vec())
            }
            b'e' | b'E' | b'f' | b'g' | b'G' => {
                let Some(v) = float(&mut input, width) else {
                    break;
                };
                // `L` (long double) is a double in msvcrt.
                Some(
                    if matches!(size, Size::Long | Size::LongDouble | Size::Int64) {
                        v.to_le_bytes().to_vec()
                    } else {
                        (v as f32).to_le_bytes().to_vec()
                    },
                )
            }
            b's' => {
                let mut s = input.take_while(width, |c| !c.is_ascii_whitespace());
                s.push(0);
                Some(s)
            }
            b'c' => {
                let n = if width == usize::MAX { 1 } else { width };
                Some(input.take_while(n, |_| true))
            }
            b'[' => {
                let mut negate = false;
                if fmt.get(i) == Some(&b'^') {
                    negate = true;
                    i += 1;
                }
                let set_start = i;
                if fmt.get(i) == Some(&b']') {
                    i += 1;
                }
                while fmt.get(i).is_some_and(|&c| c != b']') {
                    i += 1;
                }
                let set = &fmt[set_start..i.min(fmt.len())];
                i += 1;
                let mut s = input.take_while(width, |c| in_set(set, c) != negate);
                if s.is_empty() {
                    break;
                }
                s.push(0);
                Some(s)
            }
            _ => break,
        };
        converted_any = true;
        if let Some(bytes) = stored
            && !suppress
        {
            let p = input.scanner.next_pointer();
            if !input.scanner.store(p, &bytes) {
                break;
            }
            assigned += 1;
        }
    }
    assigned
}

fn in_set(set: &[u8], c: u8) -> bool {
    let mut j = 0;
    while j < set.len() {
        if j + 2 < set.len() && set[j + 1] == b'-' {
            let (a, b) = (set[j].min(set[j + 2]), set[j].max(set[j + 2]));
            if (a..=b).contains(&c) {
                return true;
            }
            j += 3;
        } else {
            if set[j] == c {
                return true;
            }
            j += 1;
        }
    }
    false
}

/// An integer in `radix` (0: by prefix), at most `width` characters. Like msvcrt, it reads
/// with one character of lookahead: what it consumed stays consumed when it fails.
fn integer(input: &mut Input<'_>, radix: u32, width: usize) -> Option<u64> {
    let mut left = width;
    let mut negative = false;
    if left > 0 && matches!(input.peek(), Some(b'+' | b'-')) {
        negative = input.peek() == Some(b'-');
        input.bump();
        left -= 1;
    }
    let mut radix = radix;
    let mut any = false;
    if (radix == 0 || radix == 16) && left > 0 && input.peek() == Some(b'0') {
        input.bump();
        left -= 1;
        any = true;
        if left > 0 && matches!(input.peek(), Some(b'x' | b'X')) {
            input.bump();
            left -= 1;
            radix = 16;
        } else if radix == 0 {
            radix = 8;
        }
    }
    if radix == 0 {
        radix = 10;
    }
    let mut v: u64 = 0;
    while left > 0 {
        let Some(d) = input.peek().and_then(|c| (c as char).to_digit(radix)) else {
            break;
        };
        v = v.wrapping_mul(u64::from(radix)).wrapping_add(u64::from(d));
        input.bump();
        left -= 1;
        any = true;
    }
    if !any {
        return None;
    }
    Some(if negative { v.wrapping_neg() } else { v })
}

/// A floating-point number, at most `width` characters.
fn float(input: &mut Input<'_>, width: usize) -> Option<f64> {
    let mut text = String::new();
    let take =
        |input: &mut Input<'_>, text: &mut String, ok: &dyn Fn(u8) -> bool| match input.peek() {
            Some(c) if text.len() < width && ok(c) => {
                text.push(c as char);
                input.bump();
                true
            }
            _ => false,
        };
    take(input, &mut text, &|c| c == b'+' || c == b'-');
    let mut digits = 0;
    while take(input, &mut text, &|c| c.is_ascii_digit()) {
        digits += 1;
    }
    if take(input, &mut text, &|c| c == b'.') {
        while take(input, &mut text, &|c| c.is_ascii_digit()) {
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    let mantissa = text.len();
    if take(input, &mut text, &|c| c == b'e' || c == b'E') {
        take(input, &mut text, &|c| c == b'+' || c == b'-');
        let mut exp_digits = 0;
        while take(input, &mut text, &|c| c.is_ascii_digit()) {
            exp_digits += 1;
        }
        if exp_digits == 0 {
            text.truncate(mantissa);
        }
    }
    text.parse::<f64>().ok()
}

/// A scanner over a byte string (sscanf's input): `targets` stores the results.
pub(crate) struct SliceScanner<'b, T> {
    /// The input.
    pub(crate) bytes: &'b [u8],
    /// Bytes consumed.
    pub(crate) at: usize,
    /// Where results go.
    pub(crate) targets: T,
}

/// Where a scanner's results go.
pub(crate) trait Targets {
    /// The next pointer argument.
    fn next_pointer(&mut self) -> u32;
    /// Writes `bytes` at `ptr`; false when it cannot be written.
    fn store(&mut self, ptr: u32, bytes: &[u8]) -> bool;
}

impl<T: Targets> Scanner for SliceScanner<'_, T> {
    fn peek(&mut self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }
    fn advance(&mut self) {
        self.at += 1;
    }
    fn next_pointer(&mut self) -> u32 {
        self.targets.next_pointer()
    }
    fn store(&mut self, ptr: u32, bytes: &[u8]) -> bool {
        self.targets.store(ptr, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Default)]
    struct Memory {
        next: u32,
        stored: BTreeMap<u32, Vec<u8>>,
    }

    impl Targets for Memory {
        fn next_pointer(&mut self) -> u32 {
            self.next += 1;
            self.next * 0x100
        }
        fn store(&mut self, ptr: u32, bytes: &[u8]) -> bool {
            self.stored.insert(ptr, bytes.to_vec());
            true
        }
    }

    fn run(input: &str, fmt: &str) -> (i32, usize, Vec<Vec<u8>>) {
        let mut s = SliceScanner {
            bytes: input.as_bytes(),
            at: 0,
            targets: Memory::default(),
        };
        let n = scan(&mut s, fmt.as_bytes());
        (n, s.at, s.targets.stored.into_values().collect())
    }

    fn int(b: &[u8]) -> i64 {
        let mut w = [0u8; 8];
        w[..b.len()].copy_from_slice(b);
        let v = i64::from_le_bytes(w);
        match b.len() {
            2 => i64::from(v as i16),
            4 => i64::from(v as i32),
            _ => v,
        }
    }

    #[test]
    fn integers() {
        let (n, _, v) = run(" 42 -7 0x1F 017 ff", "%d %i %i %i %x");
        assert_eq!(n, 5);
        assert_eq!(
            v.iter().map(|b| int(b)).collect::<Vec<_>>(),
            [42, -7, 31, 15, 255]
        );
        let (n, _, v) = run("12345", "%2d%3d");
        assert_eq!((n, int(&v[0]), int(&v[1])), (2, 12, 345));
        let (n, _, v) = run("70000 123456789012", "%hd %I64d");
        assert_eq!((n, int(&v[0]), int(&v[1])), (2, 4464, 123_456_789_012));
        let (n, _, v) = run("1 2", "%*d %d");
        assert_eq!((n, int(&v[0])), (1, 2));
    }

    #[test]
    fn strings_chars_and_sets() {
        let (n, _, v) = run("  hello world", "%s %3c");
        assert_eq!(n, 2);
        assert_eq!(v[0], b"hello\0");
        assert_eq!(v[1], b"wor");
        let (n, _, v) = run("abc123def", "%[a-z]%[^a-z]%2s");
        assert_eq!(n, 3);
        assert_eq!(
            (v[0].as_slice(), v[1].as_slice(), v[2].as_slice()),
            (&b"abc\0"[..], &b"123\0"[..], &b"de\0"[..])
        );
        let (n, used, v) = run("ab: 5", "ab:%n %d");
        assert_eq!((n, used), (1, 5));
        assert_eq!(int(&v[0]), 3);
    }

    #[test]
    fn floats() {
        let (n, _, v) = run("3.5 -1e3 2.5e-1x", "%f %lf %le");
        assert_eq!(n, 3);
        assert_eq!(
            f32::from_le_bytes(v[0][..4].try_into().unwrap_or([0; 4])),
            3.5
        );
        assert_eq!(
            f64::from_le_bytes(v[1][..8].try_into().unwrap_or([0; 8])),
            -1000.0
        );
        assert_eq!(
            f64::from_le_bytes(v[2][..8].try_into().unwrap_or([0; 8])),
            0.25
        );
    }

    #[test]
    fn failures_and_end_of_input() {
        assert_eq!(run("", "%d").0, -1);
        assert_eq!(run("   ", "%d").0, -1);
        assert_eq!(run("x", "%d").0, 0);
        assert_eq!(run("5 x", "%d %d").0, 1);
        assert_eq!(run("5", "%d %d").0, 1);
        assert_eq!(run("a5", "b%d").0, 0);
    }
}
