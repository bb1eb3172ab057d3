//! Execution of predecoded operations.

use nt_memory::{Access, Fault, FaultKind, GuestMemory};

use crate::decode::{Inst, K, UNIMPLEMENTED_NAMES};
use crate::{AlphaState, Exit, addr32, fp};

/// Why an instruction stopped the run.
pub(crate) enum Stop {
    /// The instruction did not complete: PC stays at it.
    Fault(Exit),
    /// The instruction completed (and counts as retired): PC moves past it.
    Trap(Exit),
}

impl From<Fault> for Stop {
    fn from(f: Fault) -> Stop {
        Stop::Fault(Exit::AccessViolation(f))
    }
}

/// The interpreter's working copy of the state: register files with the zero slot (31) and
/// the write sink (32).
pub(crate) struct Ctx {
    /// 64 slots so that a register number masked with 63 needs no bounds check.
    pub r: [u64; 64],
    /// As `r`.
    pub f: [u64; 64],
    pub pc: u64,
    pub fpcr: u64,
    pub lock_flag: bool,
    pub lock_address: u64,
    pub cycle_counter: u64,
    pub unaligned: u64,
    /// Instructions retired before the current block.
    pub retired: u64,
}

/// Byte masks for ZAPNOT, indexed by the 8-bit mask.
const ZAPNOT: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut m = 0;
    while m < 256 {
        let mut v = 0u64;
        let mut b = 0;
        while b < 8 {
            if m & (1 << b) != 0 {
                v |= 0xff << (8 * b);
            }
            b += 1;
        }
        t[m] = v;
        m += 1;
    }
    t
};

#[inline(always)]
fn zapnot(v: u64, m: u64) -> u64 {
    v & ZAPNOT[(m & 0xff) as usize]
}

#[inline(always)]
fn sext32(v: u64) -> u64 {
    v as i32 as i64 as u64
}

#[inline(always)]
fn ea(v: u64, access: Access) -> Result<u32, Stop> {
    match addr32(v) {
        Some(a) => Ok(a),
        None => Err(Stop::Fault(Exit::AccessViolation(Fault {
            addr: v as u32,
            access,
            kind: FaultKind::AccessViolation,
        }))),
    }
}

/// Byte-wise operation on 8 lanes.
#[inline]
fn bytes8(a: u64, b: u64, f: impl Fn(u8, u8) -> u8) -> u64 {
    let (a, b) = (a.to_le_bytes(), b.to_le_bytes());
    let mut r = [0u8; 8];
    for i in 0..8 {
        r[i] = f(a[i], b[i]);
    }
    u64::from_le_bytes(r)
}

/// Word-wise operation on 4 lanes.
#[inline]
fn words4(a: u64, b: u64, f: impl Fn(u16, u16) -> u16) -> u64 {
    let mut r = 0u64;
    for i in 0..4 {
        let x = (a >> (16 * i)) as u16;
        let y = (b >> (16 * i)) as u16;
        r |= u64::from(f(x, y)) << (16 * i);
    }
    r
}

/// Floating-point "equal to zero" (+0 or -0) and "negative" tests.
#[inline(always)]
fn fzero(v: u64) -> bool {
    v << 1 == 0
}
#[inline(always)]
fn fneg(v: u64) -> bool {
    (v as i64) < 0 && !fzero(v)
}

impl Ctx {
    pub(crate) fn new(s: &AlphaState) -> Ctx {
        let mut r = [0u64; 64];
        let mut f = [0u64; 64];
        r[..31].copy_from_slice(&s.r[..31]);
        f[..31].copy_from_slice(&s.f[..31]);
        Ctx {
            r,
            f,
            pc: s.pc & !3,
            fpcr: s.fpcr,
            lock_flag: s.lock_flag,
            lock_address: s.lock_address,
            cycle_counter: s.cycle_counter,
            unaligned: s.unaligned_fixups,
            retired: 0,
        }
    }

    pub(crate) fn store(&self, s: &mut AlphaState, retired: u64) {
        s.r[..31].copy_from_slice(&self.r[..31]);
        s.f[..31].copy_from_slice(&self.f[..31]);
        s.r[31] = 0;
        s.f[31] = 0;
        s.pc = self.pc;
        s.fpcr = self.fpcr;
        s.lock_flag = self.lock_flag;
        s.lock_address = self.lock_address;
        s.cycle_counter = self.cycle_counter.wrapping_add(retired);
        s.unaligned_fixups = self.unaligned;
    }

    #[inline(always)]
    fn count_unaligned(&mut self, a: u32, size: u32) {
        if a & (size - 1) != 0 {
            self.unaligned += 1;
        }
    }

    /// Executes one operation at `pc`: `Ok(None)` to continue with the next instruction,
    /// `Ok(Some(target))` for a taken branch or jump.
    #[inline(always)]
    pub(crate) fn exec<M: GuestMemory + ?Sized>(
        &mut self,
        mem: &mut M,
        i: &Inst,
        pc: u64,
    ) -> Result<Option<u64>, Stop> {
        let ra = (i.ra & 63) as usize;
        let rb = (i.rb & 63) as usize;
        let rc = (i.rc & 63) as usize;
        let a = self.r[ra];
        // Operate: r[rb] + 0 or 0 (r31) + literal; memory format: base + displacement.
        let b = self.r[rb].wrapping_add(i.imm);
        let r = &mut self.r;
        match i.k {
            K::Addl => r[rc] = sext32(a.wrapping_add(b)),
            K::S4addl => r[rc] = sext32((a << 2).wrapping_add(b)),
            K::S8addl => r[rc] = sext32((a << 3).wrapping_add(b)),
            K::Subl => r[rc] = sext32(a.wrapping_sub(b)),
            K::S4subl => r[rc] = sext32((a << 2).wrapping_sub(b)),
            K::S8subl => r[rc] = sext32((a << 3).wrapping_sub(b)),
            K::Addq => r[rc] = a.wrapping_add(b),
            K::S4addq => r[rc] = (a << 2).wrapping_add(b),
            K::S8addq => r[rc] = (a << 3).wrapping_add(b),
            K::Subq => r[rc] = a.wrapping_sub(b),
            K::S4subq => r[rc] = (a << 2).wrapping_sub(b),
            K::S8subq => r[rc] = (a << 3).wrapping_sub(b),
            K::Cmpbge => {
                let (x, y) = (a.to_le_bytes(), b.to_le_bytes());
                let mut m = 0u64;
                for k in 0..8 {
                    if x[k] >= y[k] {
                        m |= 1 << k;
                    }
                }
                r[rc] = m;
            }
            K::Cmpult => r[rc] = u64::from(a < b),
            K::Cmpule => r[rc] = u64::from(a <= b),
            K::Cmpeq => r[rc] = u64::from(a == b),
            K::Cmplt => r[rc] = u64::from((a as i64) < (b as i64)),
            K::Cmple => r[rc] = u64::from((a as i64) <= (b as i64)),
            K::AddlV => {
                let (v, o) = (a as i32).overflowing_add(b as i32);
                r[rc] = v as i64 as u64;
                if o {
                    return Err(Stop::Trap(Exit::IntegerOverflow));
                }
            }
            K::SublV => {
                let (v, o) = (a as i32).overflowing_sub(b as i32);
                r[rc] = v as i64 as u64;
                if o {
                    return Err(Stop::Trap(Exit::IntegerOverflow));
                }
            }
            K::AddqV => {
                let (v, o) = (a as i64).overflowing_add(b as i64);
                r[rc] = v as u64;
                if o {
                    return Err(Stop::Trap(Exit::IntegerOverflow));
                }
            }
            K::SubqV => {
                let (v, o) = (a as i64).overflowing_sub(b as i64);
                r[rc] = v as u64;
                if o {
                    return Err(Stop::Trap(Exit::IntegerOverflow));
                }
            }
            K::And => r[rc] = a & b,
            K::Bic => r[rc] = a & !b,
            K::Bis => r[rc] = a | b,
            K::Ornot => r[rc] = a | !b,
            K::Xor => r[rc] = a ^ b,
            K::Eqv => r[rc] = a ^ !b,
            K::Cmovlbs => {
                if a & 1 != 0 {
                    r[rc] = b
                }
            }
            K::Cmovlbc => {
                if a & 1 == 0 {
                    r[rc] = b
                }
            }
            K::Cmoveq => {
                if a == 0 {
                    r[rc] = b
                }
            }
            K::Cmovne => {
                if a != 0 {
                    r[rc] = b
                }
            }
            K::Cmovlt => {
                if (a as i64) < 0 {
                    r[rc] = b
                }
            }
            K::Cmovge => {
                if (a as i64) >= 0 {
                    r[rc] = b
                }
            }
            K::Cmovle => {
                if (a as i64) <= 0 {
                    r[rc] = b
                }
            }
            K::Cmovgt => {
                if (a as i64) > 0 {
                    r[rc] = b
                }
            }
            K::Amask => r[rc] = b & !1,
            K::Implver => r[rc] = 1,
            K::Sll => r[rc] = a << (b & 63),
            K::Srl => r[rc] = a >> (b & 63),
            K::Sra => r[rc] = ((a as i64) >> (b & 63)) as u64,
            K::Mskbl => r[rc] = zapnot(a, !(0x01 << (b & 7))),
            K::Mskwl => r[rc] = zapnot(a, !(0x03 << (b & 7))),
            K::Mskll => r[rc] = zapnot(a, !(0x0f << (b & 7))),
            K::Mskql => r[rc] = zapnot(a, !(0xff << (b & 7))),
            K::Mskwh => r[rc] = zapnot(a, !((0x03u64 << (b & 7)) >> 8)),
            K::Msklh => r[rc] = zapnot(a, !((0x0fu64 << (b & 7)) >> 8)),
            K::Mskqh => r[rc] = zapnot(a, !((0xffu64 << (b & 7)) >> 8)),
            K::Extbl => r[rc] = zapnot(a >> ((b & 7) * 8), 0x01),
            K::Extwl => r[rc] = zapnot(a >> ((b & 7) * 8), 0x03),
            K::Extll => r[rc] = zapnot(a >> ((b & 7) * 8), 0x0f),
            K::Extql => r[rc] = a >> ((b & 7) * 8),
            K::Extwh => r[rc] = zapnot(a << ((64 - (b & 7) * 8) & 63), 0x03),
            K::Extlh => r[rc] = zapnot(a << ((64 - (b & 7) * 8) & 63), 0x0f),
            K::Extqh => r[rc] = a << ((64 - (b & 7) * 8) & 63),
            K::Insbl => r[rc] = zapnot(a, 0x01) << ((b & 7) * 8),
            K::Inswl => r[rc] = zapnot(a, 0x03) << ((b & 7) * 8),
            K::Insll => r[rc] = zapnot(a, 0x0f) << ((b & 7) * 8),
            K::Insql => r[rc] = a << ((b & 7) * 8),
            K::Inswh => r[rc] = ins_high(zapnot(a, 0x03), b),
            K::Inslh => r[rc] = ins_high(zapnot(a, 0x0f), b),
            K::Insqh => r[rc] = ins_high(a, b),
            K::Zap => r[rc] = zapnot(a, !b),
            K::Zapnot => r[rc] = zapnot(a, b),
            K::Mull => r[rc] = sext32(a.wrapping_mul(b)),
            K::Mulq => r[rc] = a.wrapping_mul(b),
            K::Umulh => r[rc] = ((u128::from(a) * u128::from(b)) >> 64) as u64,
            K::MullV => {
                let (v, o) = (a as i32).overflowing_mul(b as i32);
                r[rc] = v as i64 as u64;
                if o {
                    return Err(Stop::Trap(Exit::IntegerOverflow));
                }
            }
            K::MulqV => {
                let (v, o) = (a as i64).overflowing_mul(b as i64);
                r[rc] = v as u64;
                if o {
                    return Err(Stop::Trap(Exit::IntegerOverflow));
                }
            }
            K::Sextb => r[rc] = b as i8 as i64 as u64,
            K::Sextw => r[rc] = b as i16 as i64 as u64,
            K::Ctpop => r[rc] = u64::from(b.count_ones()),
            K::Ctlz => r[rc] = u64::from(b.leading_zeros()),
            K::Cttz => r[rc] = u64::from(b.trailing_zeros()),
            K::Perr => {
                let (x, y) = (a.to_le_bytes(), b.to_le_bytes());
                r[rc] = (0..8).map(|k| u64::from(x[k].abs_diff(y[k]))).sum();
            }
            K::Unpkbw => {
                r[rc] = (b & 0xff)
                    | ((b >> 8) & 0xff) << 16
                    | ((b >> 16) & 0xff) << 32
                    | ((b >> 24) & 0xff) << 48
            }
            K::Unpkbl => r[rc] = (b & 0xff) | ((b >> 8) & 0xff) << 32,
            K::Pkwb => {
                r[rc] = (b & 0xff)
                    | ((b >> 16) & 0xff) << 8
                    | ((b >> 32) & 0xff) << 16
                    | ((b >> 48) & 0xff) << 24
            }
            K::Pklb => r[rc] = (b & 0xff) | ((b >> 32) & 0xff) << 8,
            K::Minsb8 => r[rc] = bytes8(a, b, |x, y| (x as i8).min(y as i8) as u8),
            K::Maxsb8 => r[rc] = bytes8(a, b, |x, y| (x as i8).max(y as i8) as u8),
            K::Minub8 => r[rc] = bytes8(a, b, |x, y| x.min(y)),
            K::Maxub8 => r[rc] = bytes8(a, b, |x, y| x.max(y)),
            K::Minsw4 => r[rc] = words4(a, b, |x, y| (x as i16).min(y as i16) as u16),
            K::Maxsw4 => r[rc] = words4(a, b, |x, y| (x as i16).max(y as i16) as u16),
            K::Minuw4 => r[rc] = words4(a, b, |x, y| x.min(y)),
            K::Maxuw4 => r[rc] = words4(a, b, |x, y| x.max(y)),
            K::Lda => r[rc] = b,
            K::Ldbu => {
                let ad = ea(b, Access::Read)?;
                r[rc] = u64::from(mem.read_u8(ad)?);
            }
            K::Ldwu => {
                let ad = ea(b, Access::Read)?;
                let v = mem.read_u16(ad)?;
                self.r[rc] = u64::from(v);
                self.count_unaligned(ad, 2);
            }
            K::Ldl => {
                let ad = ea(b, Access::Read)?;
                let v = mem.read_u32(ad)?;
                self.r[rc] = sext32(u64::from(v));
                self.count_unaligned(ad, 4);
            }
            K::Ldq => {
                let ad = ea(b, Access::Read)?;
                let v = mem.read_u64(ad)?;
                self.r[rc] = v;
                self.count_unaligned(ad, 8);
            }
            K::LdqU => {
                let ad = ea(b & !7, Access::Read)?;
                r[rc] = mem.read_u64(ad)?;
            }
            K::LdlL | K::LdqL => {
                let ad = ea(b, Access::Read)?;
                let v = if i.k == K::LdlL {
                    sext32(u64::from(mem.read_u32(ad)?))
                } else {
                    mem.read_u64(ad)?
                };
                self.r[rc] = v;
                self.lock_flag = true;
                self.lock_address = b;
                self.count_unaligned(ad, if i.k == K::LdlL { 4 } else { 8 });
            }
            K::Lds => {
                let ad = ea(b, Access::Read)?;
                let v = mem.read_u32(ad)?;
                self.f[rc] = fp::s_to_reg(v);
                self.count_unaligned(ad, 4);
            }
            K::Ldt => {
                let ad = ea(b, Access::Read)?;
                let v = mem.read_u64(ad)?;
                self.f[rc] = v;
                self.count_unaligned(ad, 8);
            }
            K::Stb => {
                let ad = ea(b, Access::Write)?;
                mem.write_u8(ad, a as u8)?;
                self.lock_flag = false;
            }
            K::Stw => {
                let ad = ea(b, Access::Write)?;
                mem.write_u16(ad, a as u16)?;
                self.lock_flag = false;
                self.count_unaligned(ad, 2);
            }
            K::Stl => {
                let ad = ea(b, Access::Write)?;
                mem.write_u32(ad, a as u32)?;
                self.lock_flag = false;
                self.count_unaligned(ad, 4);
            }
            K::Stq => {
                let ad = ea(b, Access::Write)?;
                mem.write_u64(ad, a)?;
                self.lock_flag = false;
                self.count_unaligned(ad, 8);
            }
            K::StqU => {
                let ad = ea(b & !7, Access::Write)?;
                mem.write_u64(ad, a)?;
                self.lock_flag = false;
            }
            K::Sts => {
                let ad = ea(b, Access::Write)?;
                mem.write_u32(ad, fp::reg_to_s(self.f[ra]))?;
                self.lock_flag = false;
                self.count_unaligned(ad, 4);
            }
            K::Stt => {
                let ad = ea(b, Access::Write)?;
                mem.write_u64(ad, self.f[ra])?;
                self.lock_flag = false;
                self.count_unaligned(ad, 8);
            }
            K::StlC | K::StqC => {
                let ad = ea(b, Access::Write)?;
                let ok = self.lock_flag && (self.lock_address ^ b) & !15 == 0;
                if ok {
                    if i.k == K::StlC {
                        mem.write_u32(ad, a as u32)?;
                    } else {
                        mem.write_u64(ad, a)?;
                    }
                    self.count_unaligned(ad, if i.k == K::StlC { 4 } else { 8 });
                }
                self.lock_flag = false;
                self.r[rc] = u64::from(ok);
            }
            K::Br => {
                r[rc] = pc.wrapping_add(4);
                return Ok(Some(i.imm));
            }
            K::Beq => return Ok((a == 0).then_some(i.imm)),
            K::Bne => return Ok((a != 0).then_some(i.imm)),
            K::Blt => return Ok(((a as i64) < 0).then_some(i.imm)),
            K::Ble => return Ok(((a as i64) <= 0).then_some(i.imm)),
            K::Bgt => return Ok(((a as i64) > 0).then_some(i.imm)),
            K::Bge => return Ok(((a as i64) >= 0).then_some(i.imm)),
            K::Blbc => return Ok((a & 1 == 0).then_some(i.imm)),
            K::Blbs => return Ok((a & 1 != 0).then_some(i.imm)),
            K::Fbeq => return Ok(fzero(self.f[ra]).then_some(i.imm)),
            K::Fbne => return Ok((!fzero(self.f[ra])).then_some(i.imm)),
            K::Fblt => return Ok(fneg(self.f[ra]).then_some(i.imm)),
            K::Fble => {
                let v = self.f[ra];
                return Ok((fneg(v) || fzero(v)).then_some(i.imm));
            }
            K::Fbgt => {
                let v = self.f[ra];
                return Ok((!fneg(v) && !fzero(v)).then_some(i.imm));
            }
            K::Fbge => return Ok((!fneg(self.f[ra])).then_some(i.imm)),
            K::Jmp => {
                let target = b & !3;
                r[rc] = pc.wrapping_add(4);
                return Ok(Some(target));
            }
            K::Nop => {}
            K::Rpcc => {
                r[rc] = self.cycle_counter.wrapping_add(self.retired) & 0xffff_ffff;
            }
            K::CallPal => return Err(Stop::Trap(Exit::CallPal(i.imm as u32))),
            K::Illegal => {
                return Err(Stop::Fault(Exit::IllegalInstruction {
                    addr: pc as u32,
                    word: i.imm as u32,
                }));
            }
            K::Unimpl => {
                return Err(Stop::Fault(Exit::Unimplemented {
                    addr: pc as u32,
                    word: (i.imm >> 32) as u32,
                    mnemonic: UNIMPLEMENTED_NAMES
                        .get((i.imm & 0xff) as usize)
                        .copied()
                        .unwrap_or("unknown"),
                }));
            }
            K::Fieee => {
                let (fa, fb) = (self.f[ra], self.f[rb]);
                self.f[rc] = fp::ieee(i.imm as u32, fa, fb, &mut self.fpcr);
            }
            K::Fsqrt => {
                let fb = self.f[rb];
                self.f[rc] = fp::sqrt(i.imm as u32, fb, &mut self.fpcr);
            }
            K::Itofs => self.f[rc] = fp::s_to_reg(a as u32),
            K::Itoft => self.f[rc] = a,
            K::Ftois => {
                let v = self.f[ra];
                self.r[rc] = sext32(u64::from(fp::reg_to_s(v)));
            }
            K::Ftoit => self.r[rc] = self.f[ra],
            K::Cvtlq => self.f[rc] = fp::cvtlq(self.f[rb]),
            K::Cvtql => {
                let fb = self.f[rb];
                self.f[rc] = fp::cvtql(i.imm as u32, fb, &mut self.fpcr);
            }
            K::Cpys => {
                self.f[rc] = (self.f[ra] & (1 << 63)) | (self.f[rb] & !(1 << 63));
            }
            K::Cpysn => {
                self.f[rc] = (!self.f[ra] & (1 << 63)) | (self.f[rb] & !(1 << 63));
            }
            K::Cpyse => {
                self.f[rc] =
                    (self.f[ra] & 0xfff0_0000_0000_0000) | (self.f[rb] & 0x000f_ffff_ffff_ffff);
            }
            K::MtFpcr => self.fpcr = self.f[ra] & fp::FPCR_MASK,
            K::MfFpcr => self.f[rc] = self.fpcr,
            K::Fcmoveq => {
                if fzero(self.f[ra]) {
                    self.f[rc] = self.f[rb];
                }
            }
            K::Fcmovne => {
                if !fzero(self.f[ra]) {
                    self.f[rc] = self.f[rb];
                }
            }
            K::Fcmovlt => {
                if fneg(self.f[ra]) {
                    self.f[rc] = self.f[rb];
                }
            }
            K::Fcmovge => {
                if !fneg(self.f[ra]) {
                    self.f[rc] = self.f[rb];
                }
            }
            K::Fcmovle => {
                let v = self.f[ra];
                if fneg(v) || fzero(v) {
                    self.f[rc] = self.f[rb];
                }
            }
            K::Fcmovgt => {
                let v = self.f[ra];
                if !fneg(v) && !fzero(v) {
                    self.f[rc] = self.f[rb];
                }
            }
        }
        Ok(None)
    }
}

/// INSxH: the bytes of `v` shifted out above bit 63 by a left shift of (b & 7) bytes; zero
/// when that shift is zero.
#[inline(always)]
fn ins_high(v: u64, b: u64) -> u64 {
    let sh = (b & 7) * 8;
    if sh == 0 { 0 } else { v >> (64 - sh) }
}
