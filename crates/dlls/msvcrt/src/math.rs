//! math.h: the double functions, with msvcrt's results and errno for domain and range
//! errors (a domain error returns the indefinite NaN, printed -1.#IND).

use super::{errno, set_errno, with_state};
use win32::{ApiCall, Ptr, export};

/// The x87 indefinite NaN msvcrt returns for a domain error.
const INDEFINITE: u64 = 0xFFF8_0000_0000_0000;

/// How a math function's result is checked.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(crate) enum Outcome {
    /// A finite result, or a NaN/infinity the arguments already were.
    Fine(f64),
    /// Outside the function's domain: EDOM and the indefinite NaN.
    Domain,
    /// Too large (or a pole): ERANGE and this value.
    Range(f64),
}

/// The result of a one-argument function.
pub(crate) fn unary(name: &str, x: f64) -> Outcome {
    let r = match name {
        "sqrt" if x < 0.0 => return Outcome::Domain,
        "log" | "log10" if x < 0.0 => return Outcome::Domain,
        "log" | "log10" if x == 0.0 => return Outcome::Range(f64::NEG_INFINITY),
        "asin" | "acos" if x.abs() > 1.0 => return Outcome::Domain,
        "sqrt" => x.sqrt(),
        "log" => x.ln(),
        "log10" => x.log10(),
        "exp" => x.exp(),
        "sin" => x.sin(),
        "cos" => x.cos(),
        "tan" => x.tan(),
        "asin" => x.asin(),
        "acos" => x.acos(),
        "atan" => x.atan(),
        "sinh" => x.sinh(),
        "cosh" => x.cosh(),
        "tanh" => x.tanh(),
        "floor" => x.floor(),
        "ceil" => x.ceil(),
        "fabs" => x.abs(),
        _ => f64::from_bits(INDEFINITE),
    };
    if r.is_infinite() && x.is_finite() {
        Outcome::Range(r)
    } else {
        Outcome::Fine(r)
    }
}

/// The result of a two-argument function.
pub(crate) fn binary(name: &str, x: f64, y: f64) -> Outcome {
    let r = match name {
        "pow" if x == 0.0 && y < 0.0 => return Outcome::Range(f64::INFINITY),
        "pow" if x < 0.0 && y.fract() != 0.0 && y.is_finite() => return Outcome::Domain,
        "fmod" if y == 0.0 => return Outcome::Domain,
        "pow" => x.powf(y),
        // atan2(y, x): the first argument is y.
        "atan2" => x.atan2(y),
        "fmod" => x % y,
        "_hypot" => x.hypot(y),
        _ => f64::from_bits(INDEFINITE),
    };
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        Outcome::Range(r)
    } else {
        Outcome::Fine(r)
    }
}

/// The result of a checked function: errno set for a domain or range error.
fn finish(call: &mut ApiCall<'_>, outcome: Outcome) -> f64 {
    match outcome {
        Outcome::Fine(v) => v,
        Outcome::Domain => {
            with_state(call, |call, _| set_errno(call, errno::EDOM));
            super::fpcontrol::raise_invalid(call);
            f64::from_bits(INDEFINITE)
        }
        Outcome::Range(v) => {
            with_state(call, |call, _| set_errno(call, errno::ERANGE));
            v
        }
    }
}

macro_rules! unary_functions {
    ($($f:ident),*) => {$(
        #[doc = concat!(stringify!($f), "(x).")]
        #[export(cdecl)]
        fn $f(call: &mut ApiCall<'_>, x: f64) -> f64 {
            finish(call, unary(stringify!($f), x))
        }
    )*};
}

unary_functions!(
    sqrt, log, log10, exp, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, floor, ceil, fabs
);

/// pow(x, y).
#[export(cdecl)]
fn pow(call: &mut ApiCall<'_>, x: f64, y: f64) -> f64 {
    finish(call, binary("pow", x, y))
}

/// atan2(y, x).
#[export(cdecl)]
fn atan2(call: &mut ApiCall<'_>, y: f64, x: f64) -> f64 {
    finish(call, binary("atan2", y, x))
}

/// fmod(x, y).
#[export(cdecl)]
fn fmod(call: &mut ApiCall<'_>, x: f64, y: f64) -> f64 {
    finish(call, binary("fmod", x, y))
}

/// _hypot(x, y).
#[export(cdecl)]
fn _hypot(call: &mut ApiCall<'_>, x: f64, y: f64) -> f64 {
    finish(call, binary("_hypot", x, y))
}

/// ldexp(x, exp): x * 2^exp; ERANGE when it overflows.
#[export(cdecl)]
fn ldexp(call: &mut ApiCall<'_>, x: f64, exp: i32) -> f64 {
    let r = x * 2f64.powi(exp);
    let outcome = if r.is_infinite() && x.is_finite() {
        Outcome::Range(r)
    } else {
        Outcome::Fine(r)
    };
    finish(call, outcome)
}

/// frexp(x, expptr): the mantissa in [0.5, 1), the exponent stored.
#[export(cdecl)]
fn frexp(call: &mut ApiCall<'_>, x: f64, expptr: Ptr) -> f64 {
    let (m, e) = split_exponent(x);
    let _ = call.write_out_u32(expptr.0, e as u32);
    m
}

/// modf(x, intptr): the fraction, the integer part stored.
#[export(cdecl)]
fn modf(call: &mut ApiCall<'_>, x: f64, intptr: Ptr) -> f64 {
    let whole = x.trunc();
    if !intptr.is_null() {
        let _ = call.write_bytes(intptr.0, &whole.to_bits().to_le_bytes());
    }
    x - whole
}

/// x = m * 2^e with 0.5 <= |m| < 1 (0, NaN and infinities as they are, e = 0).
pub(crate) fn split_exponent(x: f64) -> (f64, i32) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7FF) as i32;
    if exp == 0 {
        // Subnormal: scale up first.
        let (m, e) = split_exponent(x * 2f64.powi(64));
        return (m, e - 64);
    }
    let m = f64::from_bits((bits & !(0x7FF << 52)) | (1022 << 52));
    (m, exp - 1022)
}

/// _isnan(x).
#[export(cdecl)]
fn _isnan(_: &mut ApiCall<'_>, x: f64) -> bool {
    x.is_nan()
}

/// _finite(x).
#[export(cdecl)]
fn _finite(_: &mut ApiCall<'_>, x: f64) -> bool {
    x.is_finite()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_and_range_errors() {
        assert_eq!(unary("sqrt", -1.0), Outcome::Domain);
        assert_eq!(unary("sqrt", 4.0), Outcome::Fine(2.0));
        assert_eq!(unary("log", 0.0), Outcome::Range(f64::NEG_INFINITY));
        assert_eq!(unary("log", -2.0), Outcome::Domain);
        assert_eq!(unary("acos", 2.0), Outcome::Domain);
        assert_eq!(unary("exp", 1000.0), Outcome::Range(f64::INFINITY));
        assert_eq!(unary("floor", -1.5), Outcome::Fine(-2.0));
        assert_eq!(binary("pow", 2.0, 10.0), Outcome::Fine(1024.0));
        assert_eq!(binary("pow", 0.0, -1.0), Outcome::Range(f64::INFINITY));
        assert_eq!(binary("pow", -8.0, 0.5), Outcome::Domain);
        assert_eq!(binary("fmod", 7.5, 2.0), Outcome::Fine(1.5));
        assert_eq!(binary("fmod", 1.0, 0.0), Outcome::Domain);
        assert_eq!(
            binary("atan2", 1.0, 0.0),
            Outcome::Fine(std::f64::consts::FRAC_PI_2)
        );
    }

    #[test]
    fn exponents_split() {
        assert_eq!(split_exponent(8.0), (0.5, 4));
        assert_eq!(split_exponent(-3.0), (-0.75, 2));
        assert_eq!(split_exponent(0.0), (0.0, 0));
        assert_eq!(split_exponent(f64::MIN_POSITIVE / 4.0), (0.5, -1023));
    }
}

// ---- the compiler's helpers: x87-stack calling convention (MSVC-built programs) --------

/// Runs `f` on the calling x86 thread's x87 registers (ST(i) is `regs[(top + i) & 7]`);
/// None for an Alpha thread.
fn with_x87<R>(call: &mut ApiCall<'_>, f: impl FnOnce(&mut X87) -> R) -> Option<R> {
    let tid = call.thread.thread;
    let p = call.process_mut()?;
    let (_, t) = p.space_and_thread(tid);
    match t?.context_mut() {
        nt_kernel::CpuContext::X86(c) => Some(f(&mut X87 {
            regs: &mut c.x87.regs,
            top: &mut c.x87.top,
            tag: &mut c.x87.tag,
        })),
        nt_kernel::CpuContext::Alpha(_) => None,
    }
}

/// A view of the x87 register stack.
struct X87<'a> {
    regs: &'a mut [f64; 8],
    top: &'a mut u8,
    tag: &'a mut u16,
}

impl X87<'_> {
    /// Pops ST(0).
    fn pop(&mut self) -> f64 {
        let phys = (*self.top & 7) as usize;
        let v = self.regs[phys];
        *self.tag |= 3 << (2 * phys);
        *self.top = self.top.wrapping_add(1) & 7;
        v
    }
}

/// _ftol(): ST(0) popped and truncated toward zero, in edx:eax (the integer indefinite
/// 0x8000000000000000 when it does not fit).
#[export(cdecl)]
fn _ftol(call: &mut ApiCall<'_>) -> i64 {
    let v = with_x87(call, |x| x.pop()).unwrap_or(0.0);
    let t = v.trunc();
    // i64's range is [-2^63, 2^63).
    if (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&t) {
        t as i64
    } else {
        i64::MIN
    }
}

/// A `_CI` helper of one operand: ST(0) popped, f(ST(0)) the result (pushed).
fn ci_unary(call: &mut ApiCall<'_>, name: &str) -> f64 {
    let x = with_x87(call, |x| x.pop()).unwrap_or(0.0);
    match unary(name, x) {
        Outcome::Fine(v) | Outcome::Range(v) => v,
        Outcome::Domain => f64::from_bits(INDEFINITE),
    }
}

/// A `_CI` helper of two operands: ST(1) and ST(0) (x and y) popped, f(x, y) the result.
fn ci_binary(call: &mut ApiCall<'_>, name: &str) -> f64 {
    let (x, y) = with_x87(call, |s| {
        let y = s.pop();
        (s.pop(), y)
    })
    .unwrap_or((0.0, 0.0));
    match binary(name, x, y) {
        Outcome::Fine(v) | Outcome::Range(v) => v,
        Outcome::Domain => f64::from_bits(INDEFINITE),
    }
}

macro_rules! ci_functions {
    ($($f:ident => $kind:ident $name:literal),*) => {$(
        #[doc = concat!(stringify!($f), ": ", $name, " on the x87 stack.")]
        #[export(cdecl)]
        fn $f(call: &mut ApiCall<'_>) -> f64 {
            $kind(call, $name)
        }
    )*};
}

ci_functions!(
    _CIsqrt => ci_unary "sqrt", _CIsin => ci_unary "sin", _CIcos => ci_unary "cos",
    _CItan => ci_unary "tan", _CIatan => ci_unary "atan", _CIasin => ci_unary "asin",
    _CIacos => ci_unary "acos", _CIexp => ci_unary "exp", _CIlog => ci_unary "log",
    _CIlog10 => ci_unary "log10", _CIsinh => ci_unary "sinh", _CIcosh => ci_unary "cosh",
    _CItanh => ci_unary "tanh", _CIpow => ci_binary "pow", _CIatan2 => ci_binary "atan2",
    _CIfmod => ci_binary "fmod"
);
