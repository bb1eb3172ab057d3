//! EFLAGS with lazy evaluation of the arithmetic flags.
//!
//! The common arithmetic instructions record their operands and result instead of computing
//! CF PF AF ZF SF OF; the flags are derived when something reads them. Everything else
//! (shifts, rotates, multiplies, BCD, ...) computes its flags eagerly.

/// Carry flag.
pub const CF: u32 = 1 << 0;
/// Parity flag (even parity of the low byte of the result).
pub const PF: u32 = 1 << 2;
/// Auxiliary (BCD) carry flag.
pub const AF: u32 = 1 << 4;
/// Zero flag.
pub const ZF: u32 = 1 << 6;
/// Sign flag.
pub const SF: u32 = 1 << 7;
/// Trap flag.
pub const TF: u32 = 1 << 8;
/// Interrupt-enable flag (always set in user mode).
pub const IF: u32 = 1 << 9;
/// Direction flag.
pub const DF: u32 = 1 << 10;
/// Overflow flag.
pub const OF: u32 = 1 << 11;
/// Alignment-check flag.
pub const AC: u32 = 1 << 18;
/// CPUID-available flag (software can toggle it on a Pentium).
pub const ID: u32 = 1 << 21;
/// The six arithmetic status flags.
pub const STATUS: u32 = CF | PF | AF | ZF | SF | OF;
/// Bit 1 of EFLAGS, which always reads as 1.
pub const RESERVED_ONE: u32 = 1 << 1;

/// Operand size of an operation.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub(crate) enum Sz {
    B = 0,
    W = 1,
    D = 2,
}

impl Sz {
    #[inline(always)]
    pub(crate) fn mask(self) -> u32 {
        match self {
            Sz::B => 0xff,
            Sz::W => 0xffff,
            Sz::D => 0xffff_ffff,
        }
    }
    #[inline(always)]
    pub(crate) fn sign(self) -> u32 {
        match self {
            Sz::B => 0x80,
            Sz::W => 0x8000,
            Sz::D => 0x8000_0000,
        }
    }
    #[inline(always)]
    pub(crate) fn bits(self) -> u32 {
        match self {
            Sz::B => 8,
            Sz::W => 16,
            Sz::D => 32,
        }
    }
    #[inline(always)]
    pub(crate) fn bytes(self) -> u32 {
        match self {
            Sz::B => 1,
            Sz::W => 2,
            Sz::D => 4,
        }
    }
    /// Sign-extends a value of this size to 32 bits.
    #[inline(always)]
    pub(crate) fn sext(self, v: u32) -> i32 {
        match self {
            Sz::B => v as u8 as i8 as i32,
            Sz::W => v as u16 as i16 as i32,
            Sz::D => v as i32,
        }
    }
}

/// What the lazily evaluated status flags were produced by.
///
/// The JIT tier stores these discriminants as bytes (`#[repr(u8)]`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
pub(crate) enum Kind {
    /// The status flags are in `eflags`.
    Eager = 0,
    /// `res = a + b + cin`.
    Add = 1,
    /// `res = a - b - cin` (also CMP and NEG with a = 0).
    Sub = 2,
    /// AND OR XOR TEST: CF = OF = AF = 0.
    Logic = 3,
    /// INC: like ADD of 1 but CF is kept (held in `eflags`).
    Inc = 4,
    /// DEC: like SUB of 1 but CF is kept (held in `eflags`).
    Dec = 5,
}

/// EFLAGS: the stored bits plus the record of the last flag-setting arithmetic.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Flags {
    pub(crate) eflags: u32,
    pub(crate) kind: Kind,
    pub(crate) sz: Sz,
    pub(crate) a: u32,
    pub(crate) b: u32,
    pub(crate) res: u32,
    pub(crate) cin: u32,
}

#[inline(always)]
fn parity(v: u32) -> bool {
    let v = (v ^ (v >> 4)) & 0xf;
    (0x9669u32 >> v) & 1 != 0
}

impl Flags {
    pub(crate) fn new(eflags: u32) -> Flags {
        Flags {
            eflags,
            kind: Kind::Eager,
            sz: Sz::D,
            a: 0,
            b: 0,
            res: 0,
            cin: 0,
        }
    }

    #[inline(always)]
    pub(crate) fn add(&mut self, sz: Sz, a: u32, b: u32, cin: u32) -> u32 {
        let res = a.wrapping_add(b).wrapping_add(cin) & sz.mask();
        *self = Flags {
            eflags: self.eflags,
            kind: Kind::Add,
            sz,
            a,
            b,
            res,
            cin,
        };
        res
    }

    #[inline(always)]
    pub(crate) fn sub(&mut self, sz: Sz, a: u32, b: u32, cin: u32) -> u32 {
        let res = a.wrapping_sub(b).wrapping_sub(cin) & sz.mask();
        *self = Flags {
            eflags: self.eflags,
            kind: Kind::Sub,
            sz,
            a,
            b,
            res,
            cin,
        };
        res
    }

    #[inline(always)]
    pub(crate) fn logic(&mut self, sz: Sz, res: u32) -> u32 {
        self.kind = Kind::Logic;
        self.sz = sz;
        self.res = res;
        res
    }

    #[inline(always)]
    pub(crate) fn inc(&mut self, sz: Sz, a: u32) -> u32 {
        let cf = self.cf();
        self.eflags = (self.eflags & !CF) | cf as u32;
        let res = a.wrapping_add(1) & sz.mask();
        self.kind = Kind::Inc;
        self.sz = sz;
        self.a = a;
        self.b = 1;
        self.res = res;
        res
    }

    #[inline(always)]
    pub(crate) fn dec(&mut self, sz: Sz, a: u32) -> u32 {
        let cf = self.cf();
        self.eflags = (self.eflags & !CF) | cf as u32;
        let res = a.wrapping_sub(1) & sz.mask();
        self.kind = Kind::Dec;
        self.sz = sz;
        self.a = a;
        self.b = 1;
        self.res = res;
        res
    }

    #[inline(always)]
    pub(crate) fn cf(&self) -> bool {
        match self.kind {
            Kind::Eager | Kind::Inc | Kind::Dec => self.eflags & CF != 0,
            Kind::Add => {
                (u64::from(self.a) + u64::from(self.b) + u64::from(self.cin))
                    > u64::from(self.sz.mask())
            }
            Kind::Sub => u64::from(self.a) < u64::from(self.b) + u64::from(self.cin),
            Kind::Logic => false,
        }
    }

    #[inline(always)]
    pub(crate) fn zf(&self) -> bool {
        match self.kind {
            Kind::Eager => self.eflags & ZF != 0,
            _ => self.res == 0,
        }
    }

    #[inline(always)]
    pub(crate) fn sf(&self) -> bool {
        match self.kind {
            Kind::Eager => self.eflags & SF != 0,
            _ => self.res & self.sz.sign() != 0,
        }
    }

    #[inline(always)]
    pub(crate) fn of(&self) -> bool {
        let s = self.sz.sign();
        match self.kind {
            Kind::Eager => self.eflags & OF != 0,
            Kind::Add => (self.a ^ self.res) & (self.b ^ self.res) & s != 0,
            Kind::Sub => (self.a ^ self.b) & (self.a ^ self.res) & s != 0,
            Kind::Logic => false,
            Kind::Inc => self.res == s,
            Kind::Dec => self.a == s,
        }
    }

    #[inline(always)]
    pub(crate) fn pf(&self) -> bool {
        match self.kind {
            Kind::Eager => self.eflags & PF != 0,
            _ => parity(self.res),
        }
    }

    #[inline(always)]
    pub(crate) fn af(&self) -> bool {
        match self.kind {
            Kind::Eager => self.eflags & AF != 0,
            Kind::Logic => false,
            _ => (self.a ^ self.b ^ self.res) & 0x10 != 0,
        }
    }

    /// The complete EFLAGS value.
    pub(crate) fn get(&self) -> u32 {
        if self.kind == Kind::Eager {
            return self.eflags;
        }
        let mut f = self.eflags & !STATUS;
        f |= self.cf() as u32 * CF;
        f |= self.pf() as u32 * PF;
        f |= self.af() as u32 * AF;
        f |= self.zf() as u32 * ZF;
        f |= self.sf() as u32 * SF;
        f |= self.of() as u32 * OF;
        f
    }

    /// Makes `eflags` exact.
    #[inline]
    pub(crate) fn materialize(&mut self) {
        if self.kind != Kind::Eager {
            self.eflags = self.get();
            self.kind = Kind::Eager;
        }
    }

    /// Replaces the status flags in `mask` with those in `bits`, keeping the others.
    #[inline]
    pub(crate) fn set_status(&mut self, mask: u32, bits: u32) {
        if mask != STATUS {
            self.materialize();
        }
        self.eflags = (self.eflags & !mask) | (bits & mask);
        self.kind = Kind::Eager;
    }

    /// SF ZF PF of a result of size `sz`, as EFLAGS bits.
    #[inline]
    pub(crate) fn szp(sz: Sz, res: u32) -> u32 {
        let r = res & sz.mask();
        (if r == 0 { ZF } else { 0 })
            | (if r & sz.sign() != 0 { SF } else { 0 })
            | (if parity(r) { PF } else { 0 })
    }

    /// Evaluates condition code `cc` (the low nibble of Jcc/SETcc/CMOVcc).
    #[inline(always)]
    pub(crate) fn cond(&self, cc: u8) -> bool {
        if cc >> 1 == 2 {
            return self.zf() ^ (cc & 1 != 0);
        }
        if self.kind == Kind::Sub && self.sz == Sz::D && self.cin == 0 {
            let (a, b) = (self.a, self.b);
            let r = match cc >> 1 {
                0 => return self.of() ^ (cc & 1 != 0),
                1 => a < b,
                2 => a == b,
                3 => a <= b,
                4 => return self.sf() ^ (cc & 1 != 0),
                5 => return self.pf() ^ (cc & 1 != 0),
                6 => (a as i32) < (b as i32),
                _ => (a as i32) <= (b as i32),
            };
            return r ^ (cc & 1 != 0);
        }
        let r = match cc >> 1 {
            0 => self.of(),
            1 => self.cf(),
            2 => self.zf(),
            3 => self.cf() || self.zf(),
            4 => self.sf(),
            5 => self.pf(),
            6 => self.sf() != self.of(),
            _ => self.zf() || (self.sf() != self.of()),
        };
        r ^ (cc & 1 != 0)
    }
}
