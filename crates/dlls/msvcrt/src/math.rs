//! math.h: the double functions, with msvcrt's results and errno for domain and range
//! errors (a domain error returns the indefinite NaN, printed -1.#IND).

use super::stdio::mixed_arguments;
use super::string::return_double;
use super::{errno, set_errno, value, with_state};
use win32::{ApiCall, ApiReturn};

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

fn finish(call: &mut ApiCall<'_>, outcome: Outcome) -> ApiReturn {
    let v = match outcome {
        Outcome::Fine(v) => v,
        Outcome::Domain => {
            with_state(call, |call, _| set_errno(call, errno::EDOM));
            f64::from_bits(INDEFINITE)
        }
        Outcome::Range(v) => {
            with_state(call, |call, _| set_errno(call, errno::ERANGE));
            v
        }
    };
    return_double(call, v)
}

fn one(call: &mut ApiCall<'_>, name: &str) -> ApiReturn {
    let x = mixed_arguments(call, &[true])[0];
    finish(call, unary(name, x))
}

fn two(call: &mut ApiCall<'_>, name: &str) -> ApiReturn {
    let a = mixed_arguments(call, &[true, true]);
    finish(call, binary(name, a[0], a[1]))
}

macro_rules! unary_functions {
    ($($f:ident),*) => {$(
        #[doc = concat!(stringify!($f), "(x).")]
        pub(super) fn $f(call: &mut ApiCall<'_>) -> ApiReturn {
            one(call, stringify!($f))
        }
    )*};
}

unary_functions!(
    sqrt, log, log10, exp, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, floor, ceil, fabs
);

/// pow(x, y).
pub(super) fn pow(call: &mut ApiCall<'_>) -> ApiReturn {
    two(call, "pow")
}

/// atan2(y, x).
pub(super) fn atan2(call: &mut ApiCall<'_>) -> ApiReturn {
    two(call, "atan2")
}

/// fmod(x, y).
pub(super) fn fmod(call: &mut ApiCall<'_>) -> ApiReturn {
    two(call, "fmod")
}

/// _hypot(x, y).
pub(super) fn hypot(call: &mut ApiCall<'_>) -> ApiReturn {
    two(call, "_hypot")
}

/// ldexp(x, exp): x * 2^exp; ERANGE when it overflows.
pub(super) fn ldexp(call: &mut ApiCall<'_>) -> ApiReturn {
    let a = mixed_arguments(call, &[true, false]);
    let r = a[0] * 2f64.powi(a[1] as i32);
    let outcome = if r.is_infinite() && a[0].is_finite() {
        Outcome::Range(r)
    } else {
        Outcome::Fine(r)
    };
    finish(call, outcome)
}

/// frexp(x, &exp): the mantissa in [0.5, 1) and the exponent.
pub(super) fn frexp(call: &mut ApiCall<'_>) -> ApiReturn {
    let x = mixed_arguments(call, &[true])[0];
    let ptr = slot_after_double(call);
    let (m, e) = split_exponent(x);
    let _ = call.write_out_u32(ptr, e as u32);
    return_double(call, m)
}

/// modf(x, &int_part): the fraction, the integer part stored.
pub(super) fn modf(call: &mut ApiCall<'_>) -> ApiReturn {
    let x = mixed_arguments(call, &[true])[0];
    let ptr = slot_after_double(call);
    let whole = x.trunc();
    if ptr != 0 {
        let _ = call.write_bytes(ptr, &whole.to_bits().to_le_bytes());
    }
    return_double(call, x - whole)
}

/// The pointer argument after a double: x86 slot 2, Alpha a1.
fn slot_after_double(call: &ApiCall<'_>) -> u32 {
    let alpha = call
        .process()
        .and_then(|p| p.thread(call.thread.thread))
        .is_some_and(|t| matches!(t.context(), nt_kernel::CpuContext::Alpha(_)));
    call.arg(if alpha { 1 } else { 2 })
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
pub(super) fn isnan(call: &mut ApiCall<'_>) -> ApiReturn {
    let x = mixed_arguments(call, &[true])[0];
    value(u32::from(x.is_nan()))
}

/// _finite(x).
pub(super) fn finite(call: &mut ApiCall<'_>) -> ApiReturn {
    let x = mixed_arguments(call, &[true])[0];
    value(u32::from(x.is_finite()))
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

    /// Pushes a value as the new ST(0).
    fn push(&mut self, v: f64) {
        *self.top = self.top.wrapping_sub(1) & 7;
        let phys = *self.top as usize;
        self.regs[phys] = v;
        *self.tag &= !(3 << (2 * phys));
    }
}

/// _ftol(): ST(0) popped and truncated toward zero, in edx:eax (the integer indefinite
/// 0x8000000000000000 when it does not fit).
pub(super) fn ftol(call: &mut ApiCall<'_>) -> ApiReturn {
    let v = with_x87(call, |x| x.pop()).unwrap_or(0.0);
    let t = v.trunc();
    // i64's range is [-2^63, 2^63).
    let r: i64 = if (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&t) {
        t as i64
    } else {
        i64::MIN
    };
    let tid = call.thread.thread;
    if let Some(p) = call.process_mut() {
        let (_, t) = p.space_and_thread(tid);
        if let Some(t) = t
            && let nt_kernel::CpuContext::X86(c) = t.context_mut()
        {
            c.gpr[2] = (r >> 32) as u32;
        }
    }
    value(r as u32)
}

/// A `_CI` helper of one operand: ST(0) replaced by f(ST(0)).
fn ci_unary(call: &mut ApiCall<'_>, name: &str) -> ApiReturn {
    let x = with_x87(call, |x| x.pop()).unwrap_or(0.0);
    let r = match unary(name, x) {
        Outcome::Fine(v) | Outcome::Range(v) => v,
        Outcome::Domain => f64::from_bits(INDEFINITE),
    };
    with_x87(call, |x| x.push(r));
    value(0)
}

/// A `_CI` helper of two operands: ST(1) and ST(0) (x and y) popped, f(x, y) pushed.
fn ci_binary(call: &mut ApiCall<'_>, name: &str) -> ApiReturn {
    let (x, y) = with_x87(call, |s| {
        let y = s.pop();
        (s.pop(), y)
    })
    .unwrap_or((0.0, 0.0));
    let r = match binary(name, x, y) {
        Outcome::Fine(v) | Outcome::Range(v) => v,
        Outcome::Domain => f64::from_bits(INDEFINITE),
    };
    with_x87(call, |s| s.push(r));
    value(0)
}

macro_rules! ci_functions {
    ($($f:ident => $kind:ident $name:literal),*) => {$(
        #[doc = concat!("_CI", $name, ": ", $name, " on the x87 stack.")]
        pub(super) fn $f(call: &mut ApiCall<'_>) -> ApiReturn {
            $kind(call, $name)
        }
    )*};
}

ci_functions!(
    ci_sqrt => ci_unary "sqrt", ci_sin => ci_unary "sin", ci_cos => ci_unary "cos",
    ci_tan => ci_unary "tan", ci_atan => ci_unary "atan", ci_asin => ci_unary "asin",
    ci_acos => ci_unary "acos", ci_exp => ci_unary "exp", ci_log => ci_unary "log",
    ci_log10 => ci_unary "log10", ci_sinh => ci_unary "sinh", ci_cosh => ci_unary "cosh",
    ci_tanh => ci_unary "tanh", ci_pow => ci_binary "pow", ci_atan2 => ci_binary "atan2",
    ci_fmod => ci_binary "fmod"
);
