//! IEEE S and T floating point in software: exact results rounded once, in any of the four
//! rounding modes, with the five IEEE exception flags.
//!
//! Registers hold both formats in the 64-bit T layout. S operands are read through the
//! STS mapping (register bits 63..62 and 58..29 form the 32-bit single) and S results are
//! written through the LDS mapping, as the hardware does.

/// FPCR bit: summary (any status bit set).
pub const FPCR_SUM: u64 = 1 << 63;
/// FPCR bit: inexact trap disable.
pub const FPCR_INED: u64 = 1 << 62;
/// FPCR bit: underflow trap disable.
pub const FPCR_UNFD: u64 = 1 << 61;
/// FPCR bit: underflow to zero.
pub const FPCR_UNDZ: u64 = 1 << 60;
/// FPCR shift of the dynamic rounding mode field (2 bits).
pub const FPCR_DYN_SHIFT: u32 = 58;
/// FPCR bit: integer overflow status.
pub const FPCR_IOV: u64 = 1 << 57;
/// FPCR bit: inexact status.
pub const FPCR_INE: u64 = 1 << 56;
/// FPCR bit: underflow status.
pub const FPCR_UNF: u64 = 1 << 55;
/// FPCR bit: overflow status.
pub const FPCR_OVF: u64 = 1 << 54;
/// FPCR bit: division by zero status.
pub const FPCR_DZE: u64 = 1 << 53;
/// FPCR bit: invalid operation status.
pub const FPCR_INV: u64 = 1 << 52;
/// FPCR bit: overflow trap disable.
pub const FPCR_OVFD: u64 = 1 << 51;
/// FPCR bit: division by zero trap disable.
pub const FPCR_DZED: u64 = 1 << 50;
/// FPCR bit: invalid operation trap disable.
pub const FPCR_INVD: u64 = 1 << 49;
/// FPCR bit: denormal operands are treated as zero.
pub const FPCR_DNZ: u64 = 1 << 48;
/// FPCR bit: denormal operand trap disable.
pub const FPCR_DNOD: u64 = 1 << 47;
/// The status bits (IOV INE UNF OVF DZE INV).
pub const FPCR_STATUS: u64 = FPCR_IOV | FPCR_INE | FPCR_UNF | FPCR_OVF | FPCR_DZE | FPCR_INV;
/// The bits MT_FPCR stores: 32..=63 (bits 32..=46 are reserved; like qemu-alpha, they are
/// kept as written); bits 0..=31 read as zero.
pub const FPCR_MASK: u64 = 0xffff_ffff_0000_0000;

/// Rounding modes, in the encoding of the instruction's rounding field and FPCR.DYN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rm {
    Chop,
    Minus,
    Nearest,
    Plus,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Fmt {
    S,
    T,
}

impl Fmt {
    fn prec(self) -> i32 {
        match self {
            Fmt::S => 24,
            Fmt::T => 53,
        }
    }
    fn emin(self) -> i32 {
        match self {
            Fmt::S => -126,
            Fmt::T => -1022,
        }
    }
    fn emax(self) -> i32 {
        match self {
            Fmt::S => 127,
            Fmt::T => 1023,
        }
    }
}

/// An unpacked value.
#[derive(Clone, Copy, Debug)]
enum V {
    Zero(bool),
    Inf(bool),
    /// NaN with its T-format register bits (quiet bit as given).
    Nan(u64),
    /// sign, exponent, significand (msb at bit 52): value = m * 2^e.
    Fin(bool, i32, u64),
}

const QUIET: u64 = 1 << 51;

/// LDS mapping: 32-bit S memory format to the register (T) layout.
pub(crate) fn s_to_reg(s: u32) -> u64 {
    let sign = u64::from(s >> 31) << 63;
    let frac = u64::from(s & 0x7f_ffff) << 29;
    let e = (s >> 23) & 0xff;
    let ee: u64 = match e {
        0xff => 0x7ff,
        0 => 0,
        e => u64::from(e) + 896,
    };
    sign | ee << 52 | frac
}

/// STS mapping: register (T) layout to the 32-bit S memory format.
pub(crate) fn reg_to_s(r: u64) -> u32 {
    (((r >> 62) << 30) | ((r >> 29) & 0x3fff_ffff)) as u32
}

fn is_snan_t(b: u64) -> bool {
    (b >> 52) & 0x7ff == 0x7ff && b & QUIET == 0 && b & 0x000f_ffff_ffff_ffff != 0
}

/// Unpacks an operand of format `fmt` from register bits; `dnz` flushes denormals.
fn unpack(r: u64, fmt: Fmt, dnz: bool) -> V {
    let (sign, e, f, fbits, bias) = match fmt {
        Fmt::T => (
            r >> 63 != 0,
            ((r >> 52) & 0x7ff) as i32,
            r & ((1 << 52) - 1),
            52,
            1023,
        ),
        Fmt::S => {
            let s = reg_to_s(r);
            (
                s >> 31 != 0,
                ((s >> 23) & 0xff) as i32,
                u64::from(s & 0x7f_ffff),
                23,
                127,
            )
        }
    };
    let emax_field = (bias << 1) + 1;
    if e == emax_field {
        if f == 0 {
            return V::Inf(sign);
        }
        // Keep the NaN in T layout.
        let t = match fmt {
            Fmt::T => r,
            Fmt::S => s_to_reg(reg_to_s(r)),
        };
        return V::Nan(t);
    }
    if e == 0 {
        if f == 0 || dnz {
            return V::Zero(sign);
        }
        let sh = f.leading_zeros() as i32 - 11;
        return V::Fin(sign, 1 - bias - fbits - sh, f << sh);
    }
    let m = (f | 1 << fbits) << (52 - fbits);
    V::Fin(sign, e - bias - 52, m)
}

/// Default NaN produced by invalid operations.
const DEFAULT_NAN: u64 = 0x7ff8_0000_0000_0000;

fn pack_nan(t: u64, fmt: Fmt) -> u64 {
    let q = t | QUIET;
    match fmt {
        Fmt::T => q,
        Fmt::S => q & 0xffff_ffff_e000_0000,
    }
}

/// Flags, in FPCR status bit positions.
struct Ctx {
    rm: Rm,
    fmt: Fmt,
    /// Underflowed results become zero (no /U qualifier, or FPCR.UNDZ).
    flush: bool,
    flags: u64,
}

fn pack_inf(sign: bool, fmt: Fmt) -> u64 {
    let _ = fmt;
    (u64::from(sign) << 63) | 0x7ff0_0000_0000_0000
}

fn pack_zero(sign: bool) -> u64 {
    u64::from(sign) << 63
}

/// Packs sign, biased exponent field and fraction of `fmt` into register bits.
fn pack_fields(sign: bool, efield: u64, frac: u64, fmt: Fmt) -> u64 {
    match fmt {
        Fmt::T => (u64::from(sign) << 63) | efield << 52 | frac,
        Fmt::S => s_to_reg((u32::from(sign) << 31) | (efield as u32) << 23 | frac as u32),
    }
}

impl Ctx {
    /// Rounds sign * (sig + sticky) * 2^exp (sig != 0) to the format.
    fn round(&mut self, sign: bool, mut exp: i32, mut sig: u128, mut sticky: bool) -> u64 {
        let fmt = self.fmt;
        let p = fmt.prec();
        // Normalise to at most 127 - p significant bits so shifts stay in range.
        let msb = 127 - sig.leading_zeros() as i32;
        let e = msb + exp; // exponent of the leading bit
        let tiny = e < fmt.emin();
        let lsb_exp = if tiny { fmt.emin() - p + 1 } else { e - p + 1 };
        let shift = lsb_exp - exp;
        let mut q: u128;
        let inexact;
        if shift > 0 {
            let (rem, half);
            if shift >= 128 {
                q = 0;
                rem = sig;
                half = None;
            } else {
                q = sig >> shift;
                rem = sig & ((1u128 << shift) - 1);
                half = Some(1u128 << (shift - 1));
            }
            inexact = rem != 0 || sticky;
            let up = match self.rm {
                Rm::Chop => false,
                Rm::Minus => sign && inexact,
                Rm::Plus => !sign && inexact,
                Rm::Nearest => match half {
                    None => false,
                    Some(h) => rem > h || (rem == h && (sticky || q & 1 == 1)),
                },
            };
            if up {
                q += 1;
            }
            exp = lsb_exp;
        } else {
            q = sig << (-shift);
            exp = lsb_exp;
            inexact = sticky;
        }
        sticky = false;
        let _ = sticky;
        // q < 2^(p+1); renormalise if rounding carried out.
        if q >> p != 0 {
            q >>= 1;
            exp += 1;
        }
        sig = q;
        if tiny && self.flush && (inexact || (sig != 0 && sig >> (p - 1) == 0)) {
            // Underflow without /U (or with FPCR.UNDZ): a true zero, and (as qemu-alpha
            // does) no status bit.
            return pack_zero(sign);
        }
        if tiny && inexact {
            self.flags |= FPCR_UNF;
        }
        if inexact {
            self.flags |= FPCR_INE;
        }
        if sig == 0 {
            return pack_zero(sign);
        }
        let top = 127 - sig.leading_zeros() as i32 + exp; // leading bit exponent
        if top > fmt.emax() {
            self.flags |= FPCR_OVF | FPCR_INE;
            let to_inf = match self.rm {
                Rm::Nearest => true,
                Rm::Chop => false,
                Rm::Minus => sign,
                Rm::Plus => !sign,
            };
            return if to_inf {
                pack_inf(sign, fmt)
            } else {
                let frac = (1u64 << (p - 1)) - 1;
                let ef = (fmt.emax() + fmt.emax()) as u64;
                pack_fields(sign, ef, frac, fmt)
            };
        }
        let frac_mask = (1u128 << (p - 1)) - 1;
        if sig >> (p - 1) == 0 {
            // denormal
            pack_fields(sign, 0, (sig & frac_mask) as u64, fmt)
        } else {
            let ef = (top + fmt.emax()) as u64;
            pack_fields(sign, ef, (sig & frac_mask) as u64, fmt)
        }
    }

    /// Result for NaN operands, quieted; sets INV for a signaling NaN. When both are NaNs
    /// (qemu-alpha's rule, the x87 one): a quiet NaN wins over a signaling one, else the
    /// larger significand, else the positive one.
    fn nan2(&mut self, a: V, b: V) -> Option<u64> {
        let r = match (a, b) {
            (V::Nan(x), V::Nan(y)) => {
                let (sx, sy) = (is_snan_t(x), is_snan_t(y));
                if sx || sy {
                    self.flags |= FPCR_INV;
                }
                if sx != sy {
                    if sx { y } else { x }
                } else if x << 1 != y << 1 {
                    if x << 1 > y << 1 { x } else { y }
                } else if x < y {
                    x
                } else {
                    y
                }
            }
            (V::Nan(x), _) | (_, V::Nan(x)) => {
                if is_snan_t(x) {
                    self.flags |= FPCR_INV;
                }
                x
            }
            _ => return None,
        };
        Some(pack_nan(r, self.fmt))
    }

    fn invalid(&mut self) -> u64 {
        self.flags |= FPCR_INV;
        pack_nan(DEFAULT_NAN, self.fmt)
    }

    fn add(&mut self, a: V, b: V, negate_b: bool) -> u64 {
        if let Some(n) = self.nan2(a, b) {
            return n;
        }
        let b = match b {
            V::Zero(s) => V::Zero(s ^ negate_b),
            V::Inf(s) => V::Inf(s ^ negate_b),
            V::Fin(s, e, m) => V::Fin(s ^ negate_b, e, m),
            n => n,
        };
        match (a, b) {
            (V::Inf(x), V::Inf(y)) => {
                if x == y {
                    pack_inf(x, self.fmt)
                } else {
                    self.invalid()
                }
            }
            (V::Inf(x), _) | (_, V::Inf(x)) => pack_inf(x, self.fmt),
            (V::Zero(x), V::Zero(y)) => pack_zero(if x == y { x } else { self.rm == Rm::Minus }),
            (V::Zero(_), V::Fin(s, e, m)) | (V::Fin(s, e, m), V::Zero(_)) => {
                self.round(s, e, u128::from(m), false)
            }
            (V::Fin(sa, ea, ma), V::Fin(sb, eb, mb)) => {
                // Order so that a has the larger exponent.
                let ((sa, ea, ma), (sb, eb, mb)) = if ea >= eb {
                    ((sa, ea, ma), (sb, eb, mb))
                } else {
                    ((sb, eb, mb), (sa, ea, ma))
                };
                let (eb, mb) = if ea - eb > 70 { (ea - 70, 1) } else { (eb, mb) };
                let d = (ea - eb) as u32;
                let x = u128::from(ma) << d;
                let y = u128::from(mb);
                if sa == sb {
                    self.round(sa, eb, x + y, false)
                } else if x > y {
                    self.round(sa, eb, x - y, false)
                } else if y > x {
                    self.round(sb, eb, y - x, false)
                } else {
                    pack_zero(self.rm == Rm::Minus)
                }
            }
            _ => unreachable_zero(),
        }
    }

    fn mul(&mut self, a: V, b: V) -> u64 {
        if let Some(n) = self.nan2(a, b) {
            return n;
        }
        match (a, b) {
            (V::Inf(_), V::Zero(_)) | (V::Zero(_), V::Inf(_)) => self.invalid(),
            (V::Inf(x), V::Inf(y)) => pack_inf(x ^ y, self.fmt),
            (V::Inf(x), V::Fin(y, ..)) | (V::Fin(y, ..), V::Inf(x)) => pack_inf(x ^ y, self.fmt),
            (V::Zero(x), V::Zero(y)) => pack_zero(x ^ y),
            (V::Zero(x), V::Fin(y, ..)) | (V::Fin(y, ..), V::Zero(x)) => pack_zero(x ^ y),
            (V::Fin(sa, ea, ma), V::Fin(sb, eb, mb)) => {
                self.round(sa ^ sb, ea + eb, u128::from(ma) * u128::from(mb), false)
            }
            _ => unreachable_zero(),
        }
    }

    fn div(&mut self, a: V, b: V) -> u64 {
        if let Some(n) = self.nan2(a, b) {
            return n;
        }
        match (a, b) {
            (V::Inf(_), V::Inf(_)) | (V::Zero(_), V::Zero(_)) => self.invalid(),
            (V::Inf(x), V::Zero(y)) | (V::Inf(x), V::Fin(y, ..)) => pack_inf(x ^ y, self.fmt),
            (V::Zero(x), V::Inf(y)) | (V::Fin(x, ..), V::Inf(y)) => pack_zero(x ^ y),
            (V::Zero(x), V::Fin(y, ..)) => pack_zero(x ^ y),
            (V::Fin(x, ..), V::Zero(y)) => {
                self.flags |= FPCR_DZE;
                pack_inf(x ^ y, self.fmt)
            }
            (V::Fin(sa, ea, ma), V::Fin(sb, eb, mb)) => {
                let n = u128::from(ma) << 74;
                let d = u128::from(mb);
                let q = n / d;
                let r = n % d;
                self.round(sa ^ sb, ea - eb - 74, q, r != 0)
            }
            _ => unreachable_zero(),
        }
    }

    fn sqrt(&mut self, a: V) -> u64 {
        match a {
            V::Nan(t) => {
                if is_snan_t(t) {
                    self.flags |= FPCR_INV;
                }
                pack_nan(t, self.fmt)
            }
            V::Zero(s) => pack_zero(s),
            V::Inf(false) => pack_inf(false, self.fmt),
            V::Inf(true) | V::Fin(true, ..) => self.invalid(),
            V::Fin(false, e, m) => {
                let (e, m) = if e & 1 != 0 {
                    (e - 1, u128::from(m) << 1)
                } else {
                    (e, u128::from(m))
                };
                let n = m << 64;
                let s = isqrt(n);
                self.round(false, (e - 64) / 2, s, s * s != n)
            }
        }
    }
}

fn unreachable_zero() -> u64 {
    0
}

/// Integer square root (floor) of a u128.
fn isqrt(n: u128) -> u128 {
    if n == 0 {
        return 0;
    }
    let mut x = (n as f64).sqrt() as u128;
    // Correct the floating-point estimate.
    while x * x > n {
        x -= 1;
    }
    while (x + 1) * (x + 1) <= n {
        x += 1;
    }
    x
}

fn rounding(fn11: u32, fpcr: u64) -> Rm {
    let r = match (fn11 >> 6) & 3 {
        3 => (fpcr >> FPCR_DYN_SHIFT) & 3,
        r => u64::from(r),
    };
    match r {
        0 => Rm::Chop,
        1 => Rm::Minus,
        2 => Rm::Nearest,
        _ => Rm::Plus,
    }
}

/// Status bits an instruction with function field `fn11` records (qemu-alpha's rule, see
/// the crate documentation): INV, DZE, OVF and IOV always; UNF only with /U (/V); INE
/// unless the instruction has /S without /I.
fn reported(fn11: u32) -> u64 {
    let mut m = FPCR_INV | FPCR_DZE | FPCR_OVF | FPCR_IOV;
    if fn11 & 0x100 != 0 {
        m |= FPCR_UNF;
    }
    if fn11 & 0x400 == 0 || fn11 & 0x200 != 0 {
        m |= FPCR_INE;
    }
    m
}

fn finish(fpcr: &mut u64, flags: u64) {
    if flags != 0 {
        *fpcr |= flags | FPCR_SUM;
    }
}

/// Executes an opcode 0x16 IEEE operate instruction (`fn11` is the function field) on
/// register values `fa` and `fb`; returns the result and updates the FPCR status bits.
pub(crate) fn ieee(fn11: u32, fa: u64, fb: u64, fpcr: &mut u64) -> u64 {
    let low = fn11 & 0x3f;
    if (0x20..=0x23).contains(&low)
        && let Some((r, inexact)) = fast_t(low, fa, fb, rounding(fn11, *fpcr))
    {
        if inexact {
            finish(fpcr, FPCR_INE & reported(fn11));
        }
        return r;
    }
    let dnz = *fpcr & FPCR_DNZ != 0;
    let qual_u = fn11 & 0x100 != 0;
    let flush = !qual_u || *fpcr & FPCR_UNDZ != 0;
    let fmt = if low & 0x20 == 0 { Fmt::S } else { Fmt::T };
    let mut c = Ctx {
        rm: rounding(fn11, *fpcr),
        fmt,
        flush,
        flags: 0,
    };
    let r = match low {
        0x00..=0x03 | 0x20..=0x23 => {
            let a = unpack(fa, fmt, dnz);
            let b = unpack(fb, fmt, dnz);
            match low & 3 {
                0 => c.add(a, b, false),
                1 => c.add(a, b, true),
                2 => c.mul(a, b),
                _ => c.div(a, b),
            }
        }
        0x24..=0x27 => compare(low, fa, fb, dnz, &mut c.flags),
        0x2c if fn11 & 0x3ff == 0x2ac => {
            // CVTST: exact widening.
            c.fmt = Fmt::T;
            c.flush = false;
            match unpack(fb, Fmt::S, dnz) {
                V::Nan(t) => {
                    if is_snan_t(t) {
                        c.flags |= FPCR_INV;
                    }
                    pack_nan(t, Fmt::T)
                }
                V::Zero(s) => pack_zero(s),
                V::Inf(s) => pack_inf(s, Fmt::T),
                V::Fin(s, e, m) => c.round(s, e, u128::from(m), false),
            }
        }
        0x2c => {
            // CVTTS
            c.fmt = Fmt::S;
            match unpack(fb, Fmt::T, dnz) {
                V::Nan(t) => {
                    if is_snan_t(t) {
                        c.flags |= FPCR_INV;
                    }
                    pack_nan(t, Fmt::S)
                }
                V::Zero(s) => pack_zero(s),
                V::Inf(s) => pack_inf(s, Fmt::S),
                V::Fin(s, e, m) => c.round(s, e, u128::from(m), false),
            }
        }
        0x2f => cvttq(unpack(fb, Fmt::T, dnz), c.rm, &mut c.flags),
        0x3c | 0x3e => {
            c.fmt = if low == 0x3c { Fmt::S } else { Fmt::T };
            let v = fb as i64;
            if v == 0 {
                0
            } else {
                c.round(v < 0, 0, u128::from(v.unsigned_abs()), false)
            }
        }
        _ => 0,
    };
    let mut mask = reported(fn11);
    if low == 0x3c || low == 0x3e {
        // CVTQS/CVTQT report inexact only with /I (qemu-alpha).
        if fn11 & 0x200 == 0 {
            mask &= !FPCR_INE;
        }
    }
    finish(fpcr, c.flags & mask);
    r
}

/// The host's f64 arithmetic for ADDT/SUBT/MULT/DIVT in round-to-nearest when operands
/// and result are normal numbers far enough from the underflow threshold that the rounding
/// error can be computed exactly (so INE is exact): `(result, inexact)`, or `None` for the
/// exact software path.
#[inline]
fn fast_t(low: u32, fa: u64, fb: u64, rm: Rm) -> Option<(u64, bool)> {
    // 2^-969: products and quotients of normal numbers above this have exactly
    // representable rounding errors.
    const SAFE: f64 = f64::MIN_POSITIVE * 9_007_199_254_740_992.0;
    if rm != Rm::Nearest {
        return None;
    }
    let normal = |b: u64| {
        let e = (b >> 52) & 0x7ff;
        e != 0 && e != 0x7ff
    };
    if !normal(fa) || !normal(fb) {
        return None;
    }
    let (a, b) = (f64::from_bits(fa), f64::from_bits(fb));
    let (r, inexact) = match low {
        0x20 | 0x21 => {
            let b = if low == 0x21 { -b } else { b };
            let s = a + b;
            let bb = s - a;
            let err = (a - (s - bb)) + (b - bb);
            (s, err != 0.0)
        }
        0x22 => {
            let p = a * b;
            if p.abs() < SAFE {
                return None;
            }
            (p, a.mul_add(b, -p) != 0.0)
        }
        _ => {
            let q = a / b;
            if q.abs() < SAFE || a.abs() < SAFE {
                return None;
            }
            (q, q.mul_add(b, -a) != 0.0)
        }
    };
    if !r.is_finite() || (r != 0.0 && r.abs() < SAFE) {
        return None;
    }
    Some((r.to_bits(), inexact))
}

fn compare(low: u32, fa: u64, fb: u64, dnz: bool, flags: &mut u64) -> u64 {
    const TRUE: u64 = 0x4000_0000_0000_0000;
    let a = unpack(fa, Fmt::T, dnz);
    let b = unpack(fb, Fmt::T, dnz);
    let an = matches!(a, V::Nan(_));
    let bn = matches!(b, V::Nan(_));
    if an || bn {
        let snan = (an && is_snan_t(fa)) || (bn && is_snan_t(fb));
        if snan || low == 0x26 || low == 0x27 {
            *flags |= FPCR_INV;
        }
        return if low == 0x24 { TRUE } else { 0 };
    }
    if low == 0x24 {
        return 0;
    }
    let key = |v: V| -> (i32, i32, u64) {
        // Totally ordered key for non-NaN values: (sign class, exponent, mantissa)
        match v {
            V::Zero(_) => (0, 0, 0),
            V::Inf(s) => (if s { -2 } else { 2 }, 0, 0),
            V::Fin(s, e, m) => (if s { -1 } else { 1 }, e, m),
            V::Nan(_) => (0, 0, 0),
        }
    };
    let ord = {
        let (ka, kb) = (key(a), key(b));
        if ka.0 != kb.0 {
            ka.0.cmp(&kb.0)
        } else if ka.0 == 1 {
            (ka.1 + 64 - ka.2.leading_zeros() as i32, ka.2)
                .cmp(&(kb.1 + 64 - kb.2.leading_zeros() as i32, kb.2))
        } else if ka.0 == -1 {
            (kb.1 + 64 - kb.2.leading_zeros() as i32, kb.2)
                .cmp(&(ka.1 + 64 - ka.2.leading_zeros() as i32, ka.2))
        } else {
            std::cmp::Ordering::Equal
        }
    };
    let t = match low {
        0x25 => ord.is_eq(),
        0x26 => ord.is_lt(),
        _ => ord.is_le(),
    };
    if t { TRUE } else { 0 }
}

fn cvttq(v: V, rm: Rm, flags: &mut u64) -> u64 {
    match v {
        V::Nan(_) | V::Inf(_) => {
            *flags |= FPCR_INV;
            0
        }
        V::Zero(_) => 0,
        V::Fin(sign, e, m) => {
            let (mag, inexact, half_cmp): (u64, bool, std::cmp::Ordering);
            if e >= 0 {
                // An integer: the low 64 bits of m << e (m has its leading bit at bit 52).
                let low = if e >= 64 { 0 } else { m << e };
                if e > 10 && !(sign && e == 11 && m == 1 << 52) {
                    *flags |= FPCR_IOV | FPCR_INE;
                }
                return if sign { low.wrapping_neg() } else { low };
            }
            let sh = (-e) as u32;
            if sh >= 64 {
                mag = 0;
                inexact = true;
                half_cmp = if sh == 64 {
                    m.cmp(&(1 << 63))
                } else {
                    std::cmp::Ordering::Less
                };
            } else {
                mag = m >> sh;
                let rem = m & ((1u64 << sh) - 1);
                inexact = rem != 0;
                half_cmp = rem.cmp(&(1u64 << (sh - 1)));
            }
            let up = match rm {
                Rm::Chop => false,
                Rm::Minus => sign && inexact,
                Rm::Plus => !sign && inexact,
                Rm::Nearest => {
                    half_cmp == std::cmp::Ordering::Greater
                        || (half_cmp == std::cmp::Ordering::Equal && mag & 1 == 1)
                }
            };
            let mag = mag + u64::from(up);
            if inexact {
                *flags |= FPCR_INE;
            }
            if mag > (1u64 << 63) || (mag == 1 << 63 && !sign) {
                *flags |= FPCR_IOV | FPCR_INE;
            }
            if sign { mag.wrapping_neg() } else { mag }
        }
    }
}

/// SQRTS / SQRTT (opcode 0x14) with function field `fn11`.
pub(crate) fn sqrt(fn11: u32, fb: u64, fpcr: &mut u64) -> u64 {
    let fmt = if fn11 & 0x20 == 0 { Fmt::S } else { Fmt::T };
    let dnz = *fpcr & FPCR_DNZ != 0;
    let mut c = Ctx {
        rm: rounding(fn11, *fpcr),
        fmt,
        flush: fn11 & 0x100 == 0 || *fpcr & FPCR_UNDZ != 0,
        flags: 0,
    };
    let r = c.sqrt(unpack(fb, fmt, dnz));
    finish(fpcr, c.flags & reported(fn11));
    r
}

/// CVTQL (with /V or /SV when `fn11` says so): sets IOV on overflow.
pub(crate) fn cvtql(fn11: u32, fb: u64, fpcr: &mut u64) -> u64 {
    let r = ((fb >> 30) & 3) << 62 | (fb & 0x3fff_ffff) << 29;
    if fb as i64 != fb as i32 as i64 {
        finish(fpcr, (FPCR_IOV | FPCR_INE) & reported(fn11));
    }
    r
}

/// CVTLQ: the longword held in FP register layout to a quadword.
pub(crate) fn cvtlq(fb: u64) -> u64 {
    ((((fb >> 62) << 30) | ((fb >> 29) & 0x3fff_ffff)) as u32 as i32) as i64 as u64
}
