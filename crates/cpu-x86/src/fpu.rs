//! The x87 floating-point unit.
//!
//! Registers hold f64 values: arithmetic is done in double precision (a first version;
//! real hardware uses 80-bit extended precision internally). 80-bit memory operands are
//! converted on load and store. The rounding control of the control word governs integer
//! stores (FIST/FISTP) and FRNDINT; arithmetic always rounds to nearest. Exceptions only set
//! their status-word bits (NT runs with all of them masked); they never trap.

use iced_x86::{Instruction, MemorySize, Mnemonic, OpKind, Register};
use nt_memory::GuestMemory;

use crate::decode::Mem;
use crate::exec::{Ctx, Stop};
use crate::flags::{CF, PF, STATUS, ZF};

/// x87 register stack and control/status words.
#[derive(Clone, Debug, PartialEq)]
pub struct X87State {
    /// Physical registers R0..R7 (ST(i) is `regs[(top + i) & 7]`), held as f64.
    pub regs: [f64; 8],
    /// Top-of-stack pointer (bits 11..13 of the status word).
    pub top: u8,
    /// Control word (0x037F after FNINIT; NT starts threads with 0x027F).
    pub control: u16,
    /// Status word, without the TOP field (which is `top`).
    pub status: u16,
    /// Tag word: two bits per physical register, 0b11 = empty, 0b00 = valid.
    pub tag: u16,
    /// The SSE control/status register (MXCSR, 0x1F80 at reset), kept beside the x87
    /// state: LDMXCSR and STMXCSR load and store it (so code built for later processors
    /// that saves and restores it runs); there is no SSE arithmetic, and CPUID reports no
    /// SSE. FNINIT and FNSAVE leave it alone, as on a Pentium III.
    pub mxcsr: u32,
}

/// MXCSR at processor reset: all exceptions masked, round to nearest.
pub const MXCSR_DEFAULT: u32 = 0x1F80;
/// The MXCSR bits a Pentium III lets LDMXCSR set (MXCSR_MASK 0xFFBF: no DAZ); loading any
/// other is #GP.
const MXCSR_MASK: u32 = 0xFFBF;

impl Default for X87State {
    fn default() -> X87State {
        X87State {
            regs: [0.0; 8],
            top: 0,
            control: 0x037f,
            status: 0,
            tag: 0xffff,
            mxcsr: MXCSR_DEFAULT,
        }
    }
}

impl X87State {
    /// The 108-byte FNSAVE image of the state in 32-bit protected mode (NT's
    /// FLOATING_SAVE_AREA without Cr0NpxState): the control, status and tag words, the
    /// last-instruction and operand pointers (not tracked: zero), then ST(0)..ST(7) as
    /// 80-bit extended reals.
    pub fn save_area(&self) -> [u8; 108] {
        let mut buf = [0u8; 108];
        buf[0..4].copy_from_slice(&(0xffff_0000 | u32::from(self.control)).to_le_bytes());
        buf[4..8].copy_from_slice(&(0xffff_0000 | u32::from(self.status_word())).to_le_bytes());
        buf[8..12].copy_from_slice(&(0xffff_0000 | u32::from(full_tags(self))).to_le_bytes());
        for i in 0..8 {
            let v = self.regs[self.phys(i as u8)];
            buf[28 + 10 * i..38 + 10 * i].copy_from_slice(&f64_to_f80(v));
        }
        buf
    }

    /// Loads the control, status and tag words of an FNSAVE image (FLDENV).
    pub fn restore_environment(&mut self, buf: &[u8; 108]) {
        self.control = u16::from_le_bytes([buf[0], buf[1]]);
        let sw = u16::from_le_bytes([buf[4], buf[5]]);
        self.top = ((sw >> 11) & 7) as u8;
        self.status = sw & !0x3800;
        let tw = u16::from_le_bytes([buf[8], buf[9]]);
        // Only "empty" matters to this FPU: other tags are recomputed from the values.
        let mut tag = 0u16;
        for p in 0..8 {
            if (tw >> (2 * p)) & 3 == 3 {
                tag |= 3 << (2 * p);
            }
        }
        self.tag = tag;
    }

    /// Loads ST(0)..ST(7) of an FNSAVE image (after its environment, which sets TOP).
    pub fn restore_registers(&mut self, buf: &[u8; 108]) {
        for i in 0..8 {
            let mut b = [0u8; 10];
            b.copy_from_slice(&buf[28 + 10 * i..38 + 10 * i]);
            let p = self.phys(i as u8);
            self.regs[p] = f80_to_f64(b);
        }
    }

    /// The status word as FNSTSW stores it (TOP in bits 11..13).
    pub fn status_word(&self) -> u16 {
        (self.status & !0x3800) | (u16::from(self.top & 7) << 11)
    }

    /// ST(i).
    pub fn st(&self, i: usize) -> f64 {
        self.regs[(self.top as usize + i) & 7]
    }

    #[inline(always)]
    fn phys(&self, i: u8) -> usize {
        (self.top as usize + i as usize) & 7
    }

    #[inline(always)]
    fn is_empty(&self, i: u8) -> bool {
        let p = self.phys(i);
        (self.tag >> (2 * p)) & 3 == 3
    }

    #[inline(always)]
    fn set_tag(&mut self, p: usize, empty: bool) {
        self.tag &= !(3 << (2 * p));
        if empty {
            self.tag |= 3 << (2 * p);
        }
    }

    /// Reads ST(i); an empty register is a stack underflow (masked: the NaN indefinite).
    #[inline(always)]
    fn get(&mut self, i: u8) -> f64 {
        if self.is_empty(i) {
            self.status |= IE | SFLT;
            self.status &= !C1;
            return f64::NAN;
        }
        self.regs[self.phys(i)]
    }

    #[inline(always)]
    fn set(&mut self, i: u8, v: f64) {
        let p = self.phys(i);
        self.regs[p] = v;
        self.set_tag(p, false);
    }

    #[inline(always)]
    fn push(&mut self, v: f64) {
        let new_top = (self.top.wrapping_sub(1)) & 7;
        let p = new_top as usize;
        self.top = new_top;
        if (self.tag >> (2 * p)) & 3 != 3 {
            // Stack overflow: masked response stores the NaN indefinite.
            self.status |= IE | SFLT | C1;
            self.regs[p] = f64::NAN;
        } else {
            self.regs[p] = v;
        }
        self.set_tag(p, false);
    }

    #[inline(always)]
    fn pop(&mut self) {
        let p = self.top as usize & 7;
        self.set_tag(p, true);
        self.top = (self.top + 1) & 7;
    }

    #[inline(always)]
    fn rc(&self) -> u16 {
        (self.control >> 10) & 3
    }
}

/// Invalid-operation exception flag.
const IE: u16 = 1 << 0;
/// Zero-divide exception flag.
const ZE: u16 = 1 << 2;
/// Stack fault.
const SFLT: u16 = 1 << 6;
/// Condition code bits.
const C0: u16 = 1 << 8;
const C1: u16 = 1 << 9;
const C2: u16 = 1 << 10;
const C3: u16 = 1 << 14;

pub(crate) type Fpu = X87State;

/// Memory operand formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fmt {
    F32,
    F64,
    F80,
    I16,
    I32,
    I64,
}

/// An x87 operand.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Src {
    St(u8),
    Mem(Mem, Fmt),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arith {
    Add,
    Sub,
    Subr,
    Mul,
    Div,
    Divr,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Un {
    Chs,
    Abs,
    Sqrt,
    Rndint,
    Sin,
    Cos,
    Sincos,
    Ptan,
    Patan,
    F2xm1,
    Yl2x,
    Yl2xp1,
    Scale,
    Prem,
    Prem1,
    Xtract,
    Tst,
    Xam,
}

/// A decoded x87 operation.
#[derive(Clone, Copy, Debug)]
pub(crate) enum FpuOp {
    Ld(Src),
    LdConst(f64),
    /// FST/FSTP/FIST/FISTP to memory or ST(i); `pop` pops afterwards.
    St(Src, bool),
    /// `dst(i) = dst op src`; `to_st0` says whether the destination is ST(0) (else ST(i) of
    /// the source register operand is the destination); `pop` pops afterwards.
    Arith(Arith, Src, bool, bool),
    /// FCOM family: source, number of pops, EFLAGS form (FCOMI).
    Com(Src, u8, bool),
    Un(Un),
    Xch(u8),
    Free(u8),
    Incstp,
    Decstp,
    Cmov(u8, u8),
    Nstsw(Option<Mem>),
    Nstcw(Mem),
    Ldcw(Mem),
    Init,
    Clex,
    Nop,
    /// FNSTENV (false) / FNSAVE (true).
    Save(Mem, bool),
    /// FLDENV (false) / FRSTOR (true).
    Restore(Mem, bool),
    /// STMXCSR.
    Stmxcsr(Mem),
    /// LDMXCSR.
    Ldmxcsr(Mem),
}

fn st_reg(r: Register) -> Option<u8> {
    let n = r as u32;
    let b = Register::ST0 as u32;
    if (b..b + 8).contains(&n) {
        Some((n - b) as u8)
    } else {
        None
    }
}

fn fmt_of(ins: &Instruction) -> Option<Fmt> {
    Some(match ins.memory_size() {
        MemorySize::Float32 => Fmt::F32,
        MemorySize::Float64 => Fmt::F64,
        MemorySize::Float80 => Fmt::F80,
        MemorySize::Int16 => Fmt::I16,
        MemorySize::Int32 => Fmt::I32,
        MemorySize::Int64 => Fmt::I64,
        _ => return None,
    })
}

fn operand(ins: &Instruction, i: u32) -> Option<Src> {
    match ins.op_kind(i) {
        OpKind::Register => Some(Src::St(st_reg(ins.op_register(i))?)),
        OpKind::Memory => Some(Src::Mem(crate::decode::mem_of(ins)?, fmt_of(ins)?)),
        _ => None,
    }
}

/// Translates an x87 instruction.
pub(crate) fn translate(ins: &Instruction) -> Option<FpuOp> {
    use Mnemonic as M;
    let m = ins.mnemonic();
    let n = ins.op_count();
    let arith = |a: Arith, pop: bool| -> Option<FpuOp> {
        match n {
            1 => Some(FpuOp::Arith(a, operand(ins, 0)?, true, pop)),
            2 => {
                let d = operand(ins, 0)?;
                let s = operand(ins, 1)?;
                match (d, s) {
                    (Src::St(0), s) => Some(FpuOp::Arith(a, s, true, pop)),
                    (Src::St(i), Src::St(0)) => Some(FpuOp::Arith(a, Src::St(i), false, pop)),
                    _ => None,
                }
            }
            // faddp with no operands = faddp st(1), st(0)
            _ => Some(FpuOp::Arith(a, Src::St(1), false, pop)),
        }
    };
    let com_src = || -> Option<Src> {
        match n {
            0 => Some(Src::St(1)),
            1 => operand(ins, 0),
            _ => operand(ins, 1),
        }
    };
    Some(match m {
        M::Fld | M::Fild => FpuOp::Ld(operand(ins, 0)?),
        M::Fst | M::Fist => FpuOp::St(operand(ins, 0)?, false),
        M::Fstp | M::Fistp | M::Fstpnce => FpuOp::St(operand(ins, 0)?, true),
        M::Fld1 => FpuOp::LdConst(1.0),
        M::Fldz => FpuOp::LdConst(0.0),
        M::Fldpi => FpuOp::LdConst(std::f64::consts::PI),
        M::Fldl2e => FpuOp::LdConst(std::f64::consts::LOG2_E),
        M::Fldl2t => FpuOp::LdConst(std::f64::consts::LOG2_10),
        M::Fldlg2 => FpuOp::LdConst(std::f64::consts::LOG10_2),
        M::Fldln2 => FpuOp::LdConst(std::f64::consts::LN_2),
        M::Fadd | M::Fiadd => arith(Arith::Add, false)?,
        M::Faddp => arith(Arith::Add, true)?,
        M::Fsub | M::Fisub => arith(Arith::Sub, false)?,
        M::Fsubp => arith(Arith::Sub, true)?,
        M::Fsubr | M::Fisubr => arith(Arith::Subr, false)?,
        M::Fsubrp => arith(Arith::Subr, true)?,
        M::Fmul | M::Fimul => arith(Arith::Mul, false)?,
        M::Fmulp => arith(Arith::Mul, true)?,
        M::Fdiv | M::Fidiv => arith(Arith::Div, false)?,
        M::Fdivp => arith(Arith::Div, true)?,
        M::Fdivr | M::Fidivr => arith(Arith::Divr, false)?,
        M::Fdivrp => arith(Arith::Divr, true)?,
        M::Fcom | M::Fucom | M::Ficom => FpuOp::Com(com_src()?, 0, false),
        M::Fcomp | M::Fucomp | M::Ficomp => FpuOp::Com(com_src()?, 1, false),
        M::Fcompp | M::Fucompp => FpuOp::Com(Src::St(1), 2, false),
        M::Fcomi | M::Fucomi => FpuOp::Com(com_src()?, 0, true),
        M::Fcomip | M::Fucomip => FpuOp::Com(com_src()?, 1, true),
        M::Fchs => FpuOp::Un(Un::Chs),
        M::Fabs => FpuOp::Un(Un::Abs),
        M::Fsqrt => FpuOp::Un(Un::Sqrt),
        M::Frndint => FpuOp::Un(Un::Rndint),
        M::Fsin => FpuOp::Un(Un::Sin),
        M::Fcos => FpuOp::Un(Un::Cos),
        M::Fsincos => FpuOp::Un(Un::Sincos),
        M::Fptan => FpuOp::Un(Un::Ptan),
        M::Fpatan => FpuOp::Un(Un::Patan),
        M::F2xm1 => FpuOp::Un(Un::F2xm1),
        M::Fyl2x => FpuOp::Un(Un::Yl2x),
        M::Fyl2xp1 => FpuOp::Un(Un::Yl2xp1),
        M::Fscale => FpuOp::Un(Un::Scale),
        M::Fprem => FpuOp::Un(Un::Prem),
        M::Fprem1 => FpuOp::Un(Un::Prem1),
        M::Fxtract => FpuOp::Un(Un::Xtract),
        M::Ftst => FpuOp::Un(Un::Tst),
        M::Fxam => FpuOp::Un(Un::Xam),
        M::Fxch => match n {
            0 => FpuOp::Xch(1),
            1 => match operand(ins, 0)? {
                Src::St(i) => FpuOp::Xch(i),
                _ => return None,
            },
            _ => match (operand(ins, 0)?, operand(ins, 1)?) {
                (Src::St(0), Src::St(i)) | (Src::St(i), Src::St(0)) => FpuOp::Xch(i),
                _ => return None,
            },
        },
        M::Ffree | M::Ffreep => match operand(ins, 0)? {
            Src::St(i) => FpuOp::Free(i),
            _ => return None,
        },
        M::Fincstp => FpuOp::Incstp,
        M::Fdecstp => FpuOp::Decstp,
        M::Fcmovb
        | M::Fcmove
        | M::Fcmovbe
        | M::Fcmovu
        | M::Fcmovnb
        | M::Fcmovne
        | M::Fcmovnbe
        | M::Fcmovnu => {
            let cc = match m {
                M::Fcmovb => 2,
                M::Fcmovnb => 3,
                M::Fcmove => 4,
                M::Fcmovne => 5,
                M::Fcmovbe => 6,
                M::Fcmovnbe => 7,
                M::Fcmovu => 10,
                _ => 11,
            };
            match operand(ins, 1)? {
                Src::St(i) => FpuOp::Cmov(cc, i),
                _ => return None,
            }
        }
        M::Fnstsw | M::Fstsw => match ins.op_kind(0) {
            OpKind::Register if ins.op_register(0) == Register::AX => FpuOp::Nstsw(None),
            OpKind::Memory => FpuOp::Nstsw(Some(crate::decode::mem_of(ins)?)),
            _ => return None,
        },
        M::Fnstcw | M::Fstcw => FpuOp::Nstcw(crate::decode::mem_of(ins)?),
        M::Fldcw => FpuOp::Ldcw(crate::decode::mem_of(ins)?),
        M::Fninit | M::Finit => FpuOp::Init,
        M::Fnclex | M::Fclex => FpuOp::Clex,
        M::Fnop => FpuOp::Nop,
        M::Fnstenv | M::Fstenv => FpuOp::Save(crate::decode::mem_of(ins)?, false),
        M::Fnsave | M::Fsave => FpuOp::Save(crate::decode::mem_of(ins)?, true),
        M::Fldenv => FpuOp::Restore(crate::decode::mem_of(ins)?, false),
        M::Frstor => FpuOp::Restore(crate::decode::mem_of(ins)?, true),
        M::Stmxcsr => FpuOp::Stmxcsr(crate::decode::mem_of(ins)?),
        M::Ldmxcsr => FpuOp::Ldmxcsr(crate::decode::mem_of(ins)?),
        _ => return None,
    })
}

/// Converts an 80-bit extended value to f64 (round to nearest).
pub(crate) fn f80_to_f64(b: [u8; 10]) -> f64 {
    let mant = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
    let se = u16::from_le_bytes([b[8], b[9]]);
    let neg = se & 0x8000 != 0;
    let exp = i32::from(se & 0x7fff);
    let v = if exp == 0x7fff {
        if mant << 1 == 0 {
            f64::INFINITY
        } else {
            f64::NAN
        }
    } else if mant == 0 {
        0.0
    } else {
        // value = mant * 2^(exp - 16383 - 63)
        scale2(mant as f64, exp - 16383 - 63)
    };
    if neg { -v } else { v }
}

fn scale2(mut v: f64, mut e: i32) -> f64 {
    while e > 1000 {
        v *= 2f64.powi(1000);
        e -= 1000;
        if v.is_infinite() {
            return v;
        }
    }
    while e < -1000 {
        v *= 2f64.powi(-1000);
        e += 1000;
        if v == 0.0 {
            return v;
        }
    }
    v * 2f64.powi(e)
}

/// Converts an f64 to the 80-bit extended format (exact).
pub(crate) fn f64_to_f80(v: f64) -> [u8; 10] {
    let bits = v.to_bits();
    let neg = bits >> 63 != 0;
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    let (e, m): (u16, u64) = if exp == 0x7ff {
        if frac == 0 {
            (0x7fff, 1 << 63)
        } else {
            (0x7fff, (1 << 63) | (1 << 62) | (frac << 11))
        }
    } else if exp == 0 {
        if frac == 0 {
            (0, 0)
        } else {
            // subnormal: normalise
            let lz = frac.leading_zeros(); // >= 12
            let m = frac << lz;
            let e = 1 - 1023 + 16383 - (lz as i32 - 11);
            (e as u16, m)
        }
    } else {
        ((exp - 1023 + 16383) as u16, (1 << 63) | (frac << 11))
    };
    let mut out = [0u8; 10];
    out[..8].copy_from_slice(&m.to_le_bytes());
    out[8..].copy_from_slice(&((e & 0x7fff) | if neg { 0x8000 } else { 0 }).to_le_bytes());
    out
}

#[inline(always)]
fn load<M: GuestMemory + ?Sized>(c: &mut Ctx, mem: &M, s: &Src) -> Result<f64, Stop> {
    Ok(match *s {
        Src::St(i) => c.fpu.get(i),
        Src::Mem(ref m, fmt) => {
            let a = c.ea(m);
            match fmt {
                Fmt::F32 => f64::from(f32::from_bits(mem.read_u32(a)?)),
                Fmt::F64 => f64::from_bits(mem.read_u64(a)?),
                Fmt::I16 => f64::from(mem.read_u16(a)? as i16),
                Fmt::I32 => f64::from(mem.read_u32(a)? as i32),
                Fmt::F80 | Fmt::I64 => load_wide(c, mem, a, fmt)?,
            }
        }
    })
}

/// Loads an 80-bit real or a 64-bit integer from `a`.
#[inline(never)]
fn load_wide<M: GuestMemory + ?Sized>(c: &mut Ctx, mem: &M, a: u32, fmt: Fmt) -> Result<f64, Stop> {
    Ok(if fmt == Fmt::F80 {
        let mut b = [0u8; 10];
        mem.read_bytes(a, &mut b)?;
        f80_to_f64(b)
    } else {
        let i = mem.read_u64(a)? as i64;
        let r = i as f64;
        let err = (i128::from(i) - r as i128).signum() as f64;
        adjust(r, err, c.fpu.rc())
    })
}

fn next_up(x: f64) -> f64 {
    if x.is_nan() || x == f64::INFINITY {
        x
    } else if x == 0.0 {
        f64::from_bits(1)
    } else if x > 0.0 {
        f64::from_bits(x.to_bits() + 1)
    } else {
        f64::from_bits(x.to_bits() - 1)
    }
}

fn next_down(x: f64) -> f64 {
    -next_up(-x)
}

/// Re-rounds `r`, the round-to-nearest result of an operation whose exact result is
/// `r + err` (only the sign of `err` matters), in rounding mode `rc`.
fn adjust(r: f64, err: f64, rc: u16) -> f64 {
    if rc == 0 || err == 0.0 || err.is_nan() || !r.is_finite() {
        return r;
    }
    match rc {
        1 if err < 0.0 => next_down(r),
        2 if err > 0.0 => next_up(r),
        3 if r > 0.0 && err < 0.0 => next_down(r),
        3 if r < 0.0 && err > 0.0 => next_up(r),
        _ => r,
    }
}

#[inline]
fn add_rc(a: f64, b: f64, rc: u16) -> f64 {
    let s = a + b;
    if rc == 0 {
        return s;
    }
    let bb = s - a;
    let err = (a - (s - bb)) + (b - bb);
    let r = adjust(s, err, rc);
    // An exact zero sum of operands of opposite signs is -0 when rounding down.
    let same_sign_zeros = a == 0.0 && b == 0.0 && a.is_sign_negative() == b.is_sign_negative();
    if r == 0.0 && rc == 1 && !same_sign_zeros {
        -0.0
    } else {
        r
    }
}

#[inline]
fn mul_rc(a: f64, b: f64, rc: u16) -> f64 {
    let p = a * b;
    if rc == 0 {
        return p;
    }
    adjust(p, a.mul_add(b, -p), rc)
}

#[inline]
fn div_rc(a: f64, b: f64, rc: u16) -> f64 {
    let q = a / b;
    if rc == 0 || !q.is_finite() || q == 0.0 {
        return q;
    }
    let rem = (-q).mul_add(b, a);
    adjust(q, if b < 0.0 { -rem } else { rem }, rc)
}

fn f64_to_f32_rc(v: f64, rc: u16) -> f32 {
    let f = v as f32;
    if rc == 0 || !f.is_finite() || v.is_nan() {
        return f;
    }
    let err = v - f64::from(f);
    let up = |x: f32| -> f32 {
        if x == 0.0 {
            f32::from_bits(1)
        } else if x > 0.0 {
            f32::from_bits(x.to_bits() + 1)
        } else {
            f32::from_bits(x.to_bits() - 1)
        }
    };
    let down = |x: f32| -> f32 { -up(-x) };
    match rc {
        1 if err < 0.0 => down(f),
        2 if err > 0.0 => up(f),
        3 if f > 0.0 && err < 0.0 => down(f),
        3 if f < 0.0 && err > 0.0 => up(f),
        _ => f,
    }
}

fn round_rc(v: f64, rc: u16) -> f64 {
    match rc {
        0 => v.round_ties_even(),
        1 => v.floor(),
        2 => v.ceil(),
        _ => v.trunc(),
    }
}

fn store<M: GuestMemory + ?Sized>(
    c: &mut Ctx,
    mem: &mut M,
    m: &Mem,
    fmt: Fmt,
    v: f64,
) -> Result<(), Stop> {
    let a = c.ea(m);
    let int = |c: &mut Ctx, lo: f64, hi: f64| -> Option<i64> {
        let r = round_rc(v, c.fpu.rc());
        if r.is_nan() || r < lo || r > hi {
            c.fpu.status |= IE;
            None
        } else {
            Some(r as i64)
        }
    };
    match fmt {
        Fmt::F32 => mem.write_u32(a, f64_to_f32_rc(v, c.fpu.rc()).to_bits())?,
        Fmt::F64 => mem.write_u64(a, v.to_bits())?,
        Fmt::F80 => mem.write_bytes(a, &f64_to_f80(v))?,
        Fmt::I16 => {
            let x = int(c, -32768.0, 32767.0).map_or(0x8000, |x| x as u16);
            mem.write_u16(a, x)?
        }
        Fmt::I32 => {
            let x = int(c, -2147483648.0, 2147483647.0).map_or(0x8000_0000, |x| x as u32);
            mem.write_u32(a, x)?
        }
        Fmt::I64 => {
            let x = int(c, -9.223372036854776e18, 9.223372036854775e18)
                .map_or(0x8000_0000_0000_0000, |x| x as u64);
            mem.write_u64(a, x)?
        }
    }
    Ok(())
}

fn compare(a: f64, b: f64) -> u16 {
    if a.is_nan() || b.is_nan() {
        C3 | C2 | C0
    } else if a > b {
        0
    } else if a < b {
        C0
    } else {
        C3
    }
}

/// Executes an x87 operation: the common ones inline, the others out of line.
#[inline(always)]
pub(crate) fn exec<M: GuestMemory + ?Sized>(
    c: &mut Ctx,
    mem: &mut M,
    op: &FpuOp,
) -> Result<(), Stop> {
    match *op {
        FpuOp::Ld(ref s) => {
            let v = load(c, mem, s)?;
            c.fpu.push(v);
        }
        FpuOp::St(Src::Mem(ref m, Fmt::F64), pop) => {
            let v = c.fpu.get(0);
            mem.write_u64(c.ea(m), v.to_bits())?;
            if pop {
                c.fpu.pop();
            }
        }
        FpuOp::St(Src::St(i), pop) => {
            let v = c.fpu.get(0);
            c.fpu.set(i, v);
            if pop {
                c.fpu.pop();
            }
        }
        FpuOp::Arith(a, ref s, to_st0, pop) => arith(c, mem, a, s, to_st0, pop)?,
        FpuOp::Un(Un::Chs) => {
            let f = &mut c.fpu;
            let x = f.get(0);
            f.status &= !C1;
            f.set(0, -x);
        }
        _ => exec_other(c, mem, op)?,
    }
    Ok(())
}

/// `dst = dst op src` (see [`FpuOp::Arith`]).
#[inline(always)]
fn arith<M: GuestMemory + ?Sized>(
    c: &mut Ctx,
    mem: &mut M,
    a: Arith,
    s: &Src,
    to_st0: bool,
    pop: bool,
) -> Result<(), Stop> {
    let (dst_i, x, y) = if to_st0 {
        (0u8, c.fpu.get(0), load(c, mem, s)?)
    } else {
        let Src::St(i) = *s else { return Ok(()) };
        (i, c.fpu.get(i), c.fpu.get(0))
    };
    let rc = c.fpu.rc();
    let r = match a {
        Arith::Add => add_rc(x, y, rc),
        Arith::Sub => add_rc(x, -y, rc),
        Arith::Subr => add_rc(y, -x, rc),
        Arith::Mul => mul_rc(x, y, rc),
        Arith::Div | Arith::Divr => {
            let (n, d) = if a == Arith::Div { (x, y) } else { (y, x) };
            if d == 0.0 && n.is_finite() {
                if n == 0.0 {
                    c.fpu.status |= IE;
                } else {
                    c.fpu.status |= ZE;
                }
            }
            div_rc(n, d, rc)
        }
    };
    if r.is_nan() && !x.is_nan() && !y.is_nan() {
        c.fpu.status |= IE;
    }
    c.fpu.set(dst_i, r);
    if pop {
        c.fpu.pop();
    }
    Ok(())
}

/// Executes the x87 operations [`exec`] does not handle inline.
#[inline(never)]
fn exec_other<M: GuestMemory + ?Sized>(c: &mut Ctx, mem: &mut M, op: &FpuOp) -> Result<(), Stop> {
    match *op {
        FpuOp::Ld(ref s) => {
            let v = load(c, mem, s)?;
            c.fpu.push(v);
        }
        FpuOp::LdConst(v) => c.fpu.push(v),
        FpuOp::St(ref d, pop) => {
            let v = c.fpu.get(0);
            match *d {
                Src::St(i) => c.fpu.set(i, v),
                Src::Mem(ref m, fmt) => store(c, mem, m, fmt, v)?,
            }
            if pop {
                c.fpu.pop();
            }
        }
        FpuOp::Arith(a, ref s, to_st0, pop) => arith(c, mem, a, s, to_st0, pop)?,
        FpuOp::Com(ref s, pops, eflags) => {
            let a = c.fpu.get(0);
            let b = load(c, mem, s)?;
            let cc = compare(a, b);
            if eflags {
                let mut f = 0;
                if cc & C0 != 0 {
                    f |= CF;
                }
                if cc & C2 != 0 {
                    f |= PF;
                }
                if cc & C3 != 0 {
                    f |= ZF;
                }
                c.fl.set_status(STATUS, f);
                c.fpu.status &= !C1;
            } else {
                c.fpu.status = (c.fpu.status & !(C0 | C1 | C2 | C3)) | cc;
            }
            for _ in 0..pops {
                c.fpu.pop();
            }
        }
        FpuOp::Un(u) => unary(c, u),
        FpuOp::Xch(i) => {
            let a = c.fpu.get(0);
            let b = c.fpu.get(i);
            c.fpu.set(0, b);
            c.fpu.set(i, a);
        }
        FpuOp::Free(i) => {
            let p = c.fpu.phys(i);
            c.fpu.set_tag(p, true);
        }
        FpuOp::Incstp => c.fpu.top = (c.fpu.top + 1) & 7,
        FpuOp::Decstp => c.fpu.top = c.fpu.top.wrapping_sub(1) & 7,
        FpuOp::Cmov(cc, i) => {
            if c.fl.cond(cc) {
                let v = c.fpu.get(i);
                c.fpu.set(0, v);
            }
        }
        FpuOp::Nstsw(ref d) => {
            let sw = c.fpu.status_word();
            match d {
                None => c.set(crate::flags::Sz::W, 0, u32::from(sw)),
                Some(m) => mem.write_u16(c.ea(m), sw)?,
            }
        }
        FpuOp::Nstcw(ref m) => mem.write_u16(c.ea(m), c.fpu.control)?,
        FpuOp::Ldcw(ref m) => c.fpu.control = mem.read_u16(c.ea(m))? | 0x40,
        FpuOp::Init => {
            let mxcsr = c.fpu.mxcsr;
            c.fpu = X87State {
                mxcsr,
                ..X87State::default()
            };
        }
        FpuOp::Stmxcsr(ref m) => mem.write_u32(c.ea(m), c.fpu.mxcsr)?,
        FpuOp::Ldmxcsr(ref m) => {
            let a = c.ea(m);
            let v = mem.read_u32(a)?;
            if v & !MXCSR_MASK != 0 {
                // #GP(0): NT raises it as an access violation at address -1.
                return Err(Stop::Fault(crate::Exit::AccessViolation(
                    nt_memory::Fault {
                        addr: u32::MAX,
                        access: nt_memory::Access::Read,
                        kind: nt_memory::FaultKind::AccessViolation,
                    },
                )));
            }
            c.fpu.mxcsr = v;
        }
        FpuOp::Clex => c.fpu.status &= C0 | C1 | C2 | C3,
        FpuOp::Nop => {}
        FpuOp::Save(ref m, full) => {
            let a = c.ea(m);
            let buf = c.fpu.save_area();
            let len = if full { 108 } else { 28 };
            mem.write_bytes(a, &buf[..len])?;
            if full {
                let mxcsr = c.fpu.mxcsr;
                c.fpu = X87State {
                    mxcsr,
                    ..X87State::default()
                };
            } else {
                c.fpu.control |= 0x3f;
            }
        }
        FpuOp::Restore(ref m, full) => {
            let a = c.ea(m);
            let mut buf = [0u8; 108];
            let len = if full { 108 } else { 28 };
            mem.read_bytes(a, &mut buf[..len])?;
            c.fpu.restore_environment(&buf);
            if full {
                c.fpu.restore_registers(&buf);
            }
        }
    }
    Ok(())
}

/// The architectural tag word: valid 00, zero 01, special 10, empty 11.
fn full_tags(f: &X87State) -> u16 {
    let mut tw = 0u16;
    for p in 0..8 {
        let t = if (f.tag >> (2 * p)) & 3 == 3 {
            3
        } else {
            let v = f.regs[p];
            if v == 0.0 {
                1
            } else if !v.is_normal() {
                2
            } else {
                0
            }
        };
        tw |= t << (2 * p);
    }
    tw
}

fn unary(c: &mut Ctx, u: Un) {
    let f = &mut c.fpu;
    if u == Un::Xam {
        xam(f);
        return;
    }
    let x = f.get(0);
    f.status &= !C1;
    match u {
        Un::Chs => f.set(0, -x),
        Un::Abs => f.set(0, x.abs()),
        Un::Sqrt => {
            if x < 0.0 {
                f.status |= IE;
            }
            let r = x.sqrt();
            let rc = f.rc();
            f.set(0, adjust(r, (-r).mul_add(r, x), rc))
        }
        Un::Rndint => {
            let rc = f.rc();
            f.set(0, round_rc(x, rc))
        }
        Un::Sin | Un::Cos | Un::Ptan | Un::Sincos => {
            if !x.is_finite() || x.abs() >= 9.223_372_036_854_776e18 {
                // Out of range: C2 set, operand unchanged.
                f.status |= C2;
                return;
            }
            f.status &= !C2;
            match u {
                Un::Sin => f.set(0, x.sin()),
                Un::Cos => f.set(0, x.cos()),
                Un::Ptan => {
                    f.set(0, x.tan());
                    f.push(1.0);
                }
                _ => {
                    f.set(0, x.sin());
                    f.push(x.cos());
                }
            }
        }
        Un::Patan => {
            let y = f.get(1);
            f.set(1, y.atan2(x));
            f.pop();
        }
        Un::F2xm1 => f.set(0, (x * std::f64::consts::LN_2).exp_m1()),
        Un::Yl2x => {
            let y = f.get(1);
            if x < 0.0 {
                f.status |= IE;
            } else if x == 0.0 {
                f.status |= ZE;
            }
            f.set(1, y * x.log2());
            f.pop();
        }
        Un::Yl2xp1 => {
            let y = f.get(1);
            f.set(1, y * (x.ln_1p() / std::f64::consts::LN_2));
            f.pop();
        }
        Un::Scale => {
            let y = f.get(1).trunc();
            let e = if y.is_nan() {
                0
            } else {
                y.clamp(-100_000.0, 100_000.0) as i32
            };
            f.set(0, scale2(x, e))
        }
        Un::Prem | Un::Prem1 => {
            let y = f.get(1);
            if y == 0.0 || !x.is_finite() || y.is_nan() {
                f.status |= IE;
                f.set(0, f64::NAN);
                return;
            }
            let r = if u == Un::Prem {
                x % y
            } else {
                let q = (x / y).round_ties_even();
                let r = x - q * y;
                if r.is_finite() { r } else { x % y }
            };
            let q = ((x - r) / y).abs();
            let qb = if q.is_finite() && q < 1.8e19 {
                q as u64
            } else {
                0
            };
            f.status &= !(C0 | C1 | C2 | C3);
            if qb & 1 != 0 {
                f.status |= C1;
            }
            if qb & 2 != 0 {
                f.status |= C3;
            }
            if qb & 4 != 0 {
                f.status |= C0;
            }
            f.set(0, r)
        }
        Un::Xtract => {
            if x == 0.0 {
                f.status |= ZE;
                f.set(0, f64::NEG_INFINITY);
                f.push(x);
                return;
            }
            if !x.is_finite() {
                f.set(0, if x.is_nan() { x } else { f64::INFINITY });
                f.push(x);
                return;
            }
            let b = f64_to_f80(x);
            let e = i32::from(u16::from_le_bytes([b[8], b[9]]) & 0x7fff) - 16383;
            let sig = scale2(x, -e);
            f.set(0, f64::from(e));
            f.push(sig);
        }
        Un::Tst => {
            let cc = compare(x, 0.0);
            f.status = (f.status & !(C0 | C2 | C3)) | cc;
        }
        Un::Xam => {}
    }
}

fn xam(f: &mut X87State) {
    let empty = f.is_empty(0);
    let x = f.regs[f.phys(0)];
    let cc = if empty {
        C3 | C0
    } else if x.is_nan() {
        C0
    } else if x.is_infinite() {
        C2 | C0
    } else if x == 0.0 {
        C3
    } else if x.is_subnormal() {
        C3 | C2
    } else {
        C2
    };
    f.status = (f.status & !(C0 | C1 | C2 | C3)) | cc;
    if x.is_sign_negative() {
        f.status |= C1;
    }
}
