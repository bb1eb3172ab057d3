//! Execution of decoded operations.

use nt_memory::{Fault, GuestMemory};

use crate::Exit;
use crate::decode::{Alu, BtOp, Count, LoopKind, Mem, Misc, MulOp, Op, Opnd, Rep, Sh, StrOp, Un};
use crate::flags::{AF, CF, DF, Flags, ID, OF, PF, SF, STATUS, Sz, ZF};
use crate::fpu::Fpu;

/// Registers during a run: the GPRs in 0..8; slots 8..16 always read as zero (slot 8 is
/// the absent base or index of a memory operand).
pub(crate) struct Ctx {
    pub(crate) r: [u32; 16],
    pub(crate) eip: u32,
    pub(crate) fl: Flags,
    pub(crate) fs_base: u32,
    pub(crate) fpu: Fpu,
    /// Time-stamp counter at the start of the run.
    pub(crate) tsc: u64,
    /// Instructions retired in this run before the current block.
    pub(crate) retired: u64,
    pub(crate) seg: [u16; 6],
}

/// How an operation finished.
pub(crate) enum Flow {
    /// Go on with the next operation of the block.
    Next,
    /// EIP has been set; the block is done.
    Jump,
    /// A REP string instruction stopped after a chunk of iterations: run it again.
    Repeat,
    /// A fused pair (two guest instructions) set EIP; the block is done.
    Jump2,
    /// A conditional branch was not taken: go on with the next operation of the block
    /// (unless the code may have changed).
    Fall,
    /// A fused pair whose branch was not taken (two guest instructions): as `Fall`.
    Fall2,
}

/// A stop: `Fault` for faults (EIP stays at the instruction), `Trap` for traps (EIP after).
pub(crate) enum Stop {
    Fault(Exit),
    Trap(Exit),
}

impl From<Fault> for Stop {
    #[inline]
    fn from(f: Fault) -> Stop {
        Stop::Fault(Exit::AccessViolation(f))
    }
}

type R<T> = Result<T, Stop>;

const ESP: usize = 4;

/// Iterations of a REP string instruction run before it yields (it then counts as retired
/// once more and resumes where it stopped).
const REP_CHUNK: u32 = 0x4000;

impl Ctx {
    #[inline(always)]
    pub(crate) fn ea(&self, m: &Mem) -> u32 {
        let mut a = m
            .disp
            .wrapping_add(self.r[m.base as usize & 15])
            .wrapping_add(self.r[m.index as usize & 15] << (m.scale & 3));
        if m.fs {
            a = a.wrapping_add(self.fs_base);
        }
        a
    }

    #[inline(always)]
    pub(crate) fn get(&self, sz: Sz, r: u8) -> u32 {
        let r = r as usize & 7;
        match sz {
            Sz::D => self.r[r],
            Sz::W => self.r[r] & 0xffff,
            Sz::B => {
                if r < 4 {
                    self.r[r] & 0xff
                } else {
                    (self.r[r - 4] >> 8) & 0xff
                }
            }
        }
    }

    #[inline(always)]
    pub(crate) fn set(&mut self, sz: Sz, r: u8, v: u32) {
        let r = r as usize & 7;
        match sz {
            Sz::D => self.r[r] = v,
            Sz::W => self.r[r] = (self.r[r] & 0xffff_0000) | (v & 0xffff),
            Sz::B => {
                if r < 4 {
                    self.r[r] = (self.r[r] & !0xff) | (v & 0xff);
                } else {
                    self.r[r - 4] = (self.r[r - 4] & !0xff00) | ((v & 0xff) << 8);
                }
            }
        }
    }

    #[inline(always)]
    fn read<M: GuestMemory + ?Sized>(&self, mem: &M, sz: Sz, o: &Opnd) -> R<u32> {
        Ok(match o {
            Opnd::Reg(r) => self.get(sz, *r),
            Opnd::Imm(i) => *i & sz.mask(),
            Opnd::Mem(m) => rd(mem, sz, self.ea(m))?,
        })
    }

    #[inline(always)]
    fn write<M: GuestMemory + ?Sized>(&mut self, mem: &mut M, sz: Sz, o: &Opnd, v: u32) -> R<()> {
        match o {
            Opnd::Reg(r) => self.set(sz, *r, v),
            Opnd::Mem(m) => wr(mem, sz, self.ea(m), v)?,
            Opnd::Imm(_) => {}
        }
        Ok(())
    }

    #[inline(always)]
    fn push32<M: GuestMemory + ?Sized>(&mut self, mem: &mut M, v: u32) -> R<()> {
        let sp = self.r[ESP].wrapping_sub(4);
        mem.write_u32(sp, v)?;
        self.r[ESP] = sp;
        Ok(())
    }

    #[inline(always)]
    fn pop32<M: GuestMemory + ?Sized>(&mut self, mem: &M) -> R<u32> {
        let v = mem.read_u32(self.r[ESP])?;
        self.r[ESP] = self.r[ESP].wrapping_add(4);
        Ok(v)
    }

    fn push_sz<M: GuestMemory + ?Sized>(&mut self, mem: &mut M, sz: Sz, v: u32) -> R<()> {
        let sp = self.r[ESP].wrapping_sub(sz.bytes());
        wr(mem, sz, sp, v)?;
        self.r[ESP] = sp;
        Ok(())
    }

    fn pop_sz<M: GuestMemory + ?Sized>(&mut self, mem: &M, sz: Sz) -> R<u32> {
        let v = rd(mem, sz, self.r[ESP])?;
        self.r[ESP] = self.r[ESP].wrapping_add(sz.bytes());
        Ok(v)
    }

    /// Performs an ALU operation; returns the result to store (None for CMP/TEST).
    #[inline(always)]
    fn alu(&mut self, op: Alu, sz: Sz, a: u32, b: u32) -> Option<u32> {
        let f = &mut self.fl;
        match op {
            Alu::Add => Some(f.add(sz, a, b, 0)),
            Alu::Or => Some(f.logic(sz, a | b)),
            Alu::Adc => {
                let c = f.cf() as u32;
                Some(f.add(sz, a, b, c))
            }
            Alu::Sbb => {
                let c = f.cf() as u32;
                Some(f.sub(sz, a, b, c))
            }
            Alu::And => Some(f.logic(sz, a & b)),
            Alu::Sub => Some(f.sub(sz, a, b, 0)),
            Alu::Xor => Some(f.logic(sz, a ^ b)),
            Alu::Cmp => {
                f.sub(sz, a, b, 0);
                None
            }
            Alu::Test => {
                f.logic(sz, a & b);
                None
            }
        }
    }

    /// Executes one operation. `next` is the address of the following instruction.
    #[inline(always)]
    pub(crate) fn exec<M: GuestMemory + ?Sized>(
        &mut self,
        mem: &mut M,
        op: &Op,
        next: u32,
    ) -> R<Flow> {
        match *op {
            Op::AluRR(op, d, s) => {
                let (a, b) = (self.r[d as usize & 7], self.r[s as usize & 7]);
                if let Some(v) = self.alu(op, Sz::D, a, b) {
                    self.r[d as usize & 7] = v;
                }
            }
            Op::AluRI(op, d, i) => {
                let a = self.r[d as usize & 7];
                if let Some(v) = self.alu(op, Sz::D, a, i) {
                    self.r[d as usize & 7] = v;
                }
            }
            Op::AluRM(op, d, ref m) => {
                let b = mem.read_u32(self.ea(m))?;
                let a = self.r[d as usize & 7];
                if let Some(v) = self.alu(op, Sz::D, a, b) {
                    self.r[d as usize & 7] = v;
                }
            }
            Op::AluMR(op, ref m, s) => {
                let addr = self.ea(m);
                let a = mem.read_u32(addr)?;
                let b = self.r[s as usize & 7];
                let saved = self.fl;
                if let Some(v) = self.alu(op, Sz::D, a, b)
                    && let Err(e) = mem.write_u32(addr, v)
                {
                    self.fl = saved;
                    return Err(e.into());
                }
            }
            Op::AluMI(op, ref m, i) => {
                let addr = self.ea(m);
                let a = mem.read_u32(addr)?;
                let saved = self.fl;
                if let Some(v) = self.alu(op, Sz::D, a, i)
                    && let Err(e) = mem.write_u32(addr, v)
                {
                    self.fl = saved;
                    return Err(e.into());
                }
            }
            Op::MovRR(d, s) => self.r[d as usize & 7] = self.r[s as usize & 7],
            Op::MovRI(d, i) => self.r[d as usize & 7] = i,
            Op::MovRM(d, ref m) => self.r[d as usize & 7] = mem.read_u32(self.ea(m))?,
            Op::MovMR(ref m, s) => mem.write_u32(self.ea(m), self.r[s as usize & 7])?,
            Op::MovMI(ref m, i) => mem.write_u32(self.ea(m), i)?,
            Op::Lea(d, ref m) => {
                let a = m
                    .disp
                    .wrapping_add(self.r[m.base as usize & 15])
                    .wrapping_add(self.r[m.index as usize & 15] << (m.scale & 3));
                self.r[d as usize & 7] = a;
            }
            Op::PushR(r) => {
                let v = self.r[r as usize & 7];
                self.push32(mem, v)?;
            }
            Op::PushI(i) => self.push32(mem, i)?,
            Op::PopR(r) => {
                let v = self.pop32(mem)?;
                self.r[r as usize & 7] = v;
            }
            Op::IncR(r) => {
                let a = self.r[r as usize & 7];
                self.r[r as usize & 7] = self.fl.inc(Sz::D, a);
            }
            Op::DecR(r) => {
                let a = self.r[r as usize & 7];
                self.r[r as usize & 7] = self.fl.dec(Sz::D, a);
            }
            Op::ShiftRI(sh, r, c) => {
                let a = self.r[r as usize & 7];
                let c = u32::from(c) & 31;
                // c is 1..=31 here (the decoder only emits non-zero counts).
                let (res, f) = match sh {
                    Sh::Shl if c != 0 => {
                        let cf = (a >> (32 - c)) & 1;
                        let of = ((a ^ (a << 1)) >> 31) & 1;
                        (a << c, (cf * CF) | (of * OF))
                    }
                    Sh::Shr if c != 0 => (a >> c, (((a >> (c - 1)) & 1) * CF) | ((a >> 31) * OF)),
                    Sh::Sar if c != 0 => {
                        let s = a as i32;
                        ((s >> c) as u32, ((s >> (c - 1)) as u32 & 1) * CF)
                    }
                    _ => {
                        self.r[r as usize & 7] = self.shift(sh, Sz::D, a, c, true);
                        return Ok(Flow::Next);
                    }
                };
                self.r[r as usize & 7] = res;
                self.fl.set_status(STATUS, f | Flags::szp(Sz::D, res));
            }
            Op::MovzxRM8(d, ref m) => {
                self.r[d as usize & 7] = u32::from(mem.read_u8(self.ea(m))?);
            }
            Op::Jcc(cc, t) => {
                if self.fl.cond(cc) {
                    self.eip = t;
                    return Ok(Flow::Jump);
                }
                return Ok(Flow::Fall);
            }
            Op::FusedRR(op, d, s, cc, t) => {
                let (a, b) = (self.r[d as usize & 7], self.r[s as usize & 7]);
                if let Some(v) = self.alu(op, Sz::D, a, b) {
                    self.r[d as usize & 7] = v;
                }
                if self.fl.cond(cc) {
                    self.eip = t;
                    return Ok(Flow::Jump2);
                }
                return Ok(Flow::Fall2);
            }
            Op::FusedRI(op, d, i, cc, t) => {
                let a = self.r[d as usize & 7];
                if let Some(v) = self.alu(op, Sz::D, a, i) {
                    self.r[d as usize & 7] = v;
                }
                if self.fl.cond(cc) {
                    self.eip = t;
                    return Ok(Flow::Jump2);
                }
                return Ok(Flow::Fall2);
            }
            Op::FusedRM(op, d, ref m, cc, t) => {
                let b = mem.read_u32(self.ea(m))?;
                let a = self.r[d as usize & 7];
                if let Some(v) = self.alu(op, Sz::D, a, b) {
                    self.r[d as usize & 7] = v;
                }
                if self.fl.cond(cc) {
                    self.eip = t;
                    return Ok(Flow::Jump2);
                }
                return Ok(Flow::Fall2);
            }
            Op::IncJcc(r, cc, t) => {
                let a = self.r[r as usize & 7];
                self.r[r as usize & 7] = self.fl.inc(Sz::D, a);
                if self.fl.cond(cc) {
                    self.eip = t;
                    return Ok(Flow::Jump2);
                }
                return Ok(Flow::Fall2);
            }
            Op::DecJcc(r, cc, t) => {
                let a = self.r[r as usize & 7];
                self.r[r as usize & 7] = self.fl.dec(Sz::D, a);
                if self.fl.cond(cc) {
                    self.eip = t;
                    return Ok(Flow::Jump2);
                }
                return Ok(Flow::Fall2);
            }
            Op::Jmp(t) => {
                self.eip = t;
                return Ok(Flow::Jump);
            }
            Op::Call(t) => {
                self.push32(mem, next)?;
                self.eip = t;
                return Ok(Flow::Jump);
            }
            // Calls through the import table (`call [__imp_X]`, `call reg`): every call of a
            // DLL function.
            Op::CallInd(ref t) => {
                let target = self.read(mem, Sz::D, t)?;
                self.push32(mem, next)?;
                self.eip = target;
                return Ok(Flow::Jump);
            }
            Op::Ret(n) => {
                let t = self.pop32(mem)?;
                self.r[ESP] = self.r[ESP].wrapping_add(u32::from(n));
                self.eip = t;
                return Ok(Flow::Jump);
            }
            Op::Fpu(ref f) => crate::fpu::exec(self, mem, f)?,
            _ => return self.exec_slow(mem, op, next),
        }
        Ok(Flow::Next)
    }

    #[inline(never)]
    fn exec_slow<M: GuestMemory + ?Sized>(&mut self, mem: &mut M, op: &Op, next: u32) -> R<Flow> {
        match *op {
            Op::Alu(op, sz, ref d, ref s) => {
                let a = self.read(mem, sz, d)?;
                let b = self.read(mem, sz, s)?;
                let saved = self.fl;
                if let Some(v) = self.alu(op, sz, a, b & sz.mask())
                    && let Err(e) = self.write(mem, sz, d, v)
                {
                    self.fl = saved;
                    return Err(e);
                }
            }
            Op::Mov(sz, ref d, ref s) => {
                let v = self.read(mem, sz, s)?;
                self.write(mem, sz, d, v)?;
            }
            Op::Push(sz, ref s) => {
                let v = match s {
                    Opnd::Mem(m) => rd(mem, sz, self.ea(m))?,
                    Opnd::Reg(r) => self.get(sz, *r),
                    Opnd::Imm(i) => *i,
                };
                self.push_sz(mem, sz, v)?;
            }
            Op::Pop(sz, ref d) => {
                let sp = self.r[ESP];
                let v = self.pop_sz(mem, sz)?;
                // The destination address is computed with the incremented ESP.
                if let Err(e) = self.write(mem, sz, d, v) {
                    self.r[ESP] = sp;
                    return Err(e);
                }
            }
            Op::Unary(un, sz, ref d) => {
                let a = self.read(mem, sz, d)?;
                let saved = self.fl;
                let v = match un {
                    Un::Inc => self.fl.inc(sz, a),
                    Un::Dec => self.fl.dec(sz, a),
                    Un::Neg => self.fl.sub(sz, 0, a, 0),
                    Un::Not => !a & sz.mask(),
                };
                if let Err(e) = self.write(mem, sz, d, v) {
                    self.fl = saved;
                    return Err(e);
                }
            }
            Op::Shift(sh, sz, ref d, count) => {
                let c = match count {
                    Count::Imm(i) => u32::from(i),
                    Count::Cl => self.r[1] & 0xff,
                } & 31;
                let a = self.read(mem, sz, d)?;
                if c != 0 {
                    let saved = self.fl;
                    let v = self.shift(sh, sz, a, c, matches!(count, Count::Imm(_)));
                    if let Err(e) = self.write(mem, sz, d, v) {
                        self.fl = saved;
                        return Err(e);
                    }
                }
            }
            Op::Shd(left, sz, ref d, s, count) => {
                let c = match count {
                    Count::Imm(i) => u32::from(i),
                    Count::Cl => self.r[1] & 0xff,
                } & 31;
                let a = self.read(mem, sz, d)?;
                if c != 0 {
                    let b = self.get(sz, s);
                    let saved = self.fl;
                    let v = self.shd(left, sz, a, b, c);
                    if let Err(e) = self.write(mem, sz, d, v) {
                        self.fl = saved;
                        return Err(e);
                    }
                }
            }
            Op::MulDiv(op, sz, ref s) => {
                let b = self.read(mem, sz, s)?;
                self.muldiv(op, sz, b)?;
            }
            Op::Imul(sz, d, ref a, ref b) => {
                let x = sz.sext(self.read(mem, sz, a)?) as i64;
                let y = sz.sext(self.read(mem, sz, b)? & sz.mask()) as i64;
                let p = x * y;
                let res = p as u32 & sz.mask();
                let over = sz.sext(res) as i64 != p;
                self.set(sz, d, res);
                let mut f = Flags::szp(sz, res) & (SF | PF);
                if over {
                    f |= CF | OF;
                }
                self.fl.set_status(STATUS, f);
            }
            Op::Movx(signed, dsz, ssz, d, ref s) => {
                let v = self.read(mem, ssz, s)?;
                let v = if signed { ssz.sext(v) as u32 } else { v };
                self.set(dsz, d, v);
            }
            Op::Setcc(cc, ref d) => {
                let v = self.fl.cond(cc) as u32;
                self.write(mem, Sz::B, d, v)?;
            }
            Op::Cmov(cc, sz, d, ref s) => {
                let v = self.read(mem, sz, s)?;
                if self.fl.cond(cc) {
                    self.set(sz, d, v);
                }
            }
            Op::Xchg(sz, ref a, r) => {
                let x = self.read(mem, sz, a)?;
                let y = self.get(sz, r);
                self.write(mem, sz, a, y)?;
                self.set(sz, r, x);
            }
            Op::Xadd(sz, ref a, r) => {
                let x = self.read(mem, sz, a)?;
                let y = self.get(sz, r);
                let saved = self.fl;
                let sum = self.fl.add(sz, x, y, 0);
                if let Err(e) = self.write(mem, sz, a, sum) {
                    self.fl = saved;
                    return Err(e);
                }
                self.set(sz, r, x);
            }
            Op::Cmpxchg(sz, ref a, r) => {
                let x = self.read(mem, sz, a)?;
                let acc = self.get(sz, 0);
                let saved = self.fl;
                self.fl.sub(sz, acc, x, 0);
                if acc == x {
                    let y = self.get(sz, r);
                    if let Err(e) = self.write(mem, sz, a, y) {
                        self.fl = saved;
                        return Err(e);
                    }
                } else {
                    // The processor writes the old value back (a locked read-modify-write).
                    if let (Opnd::Mem(_), Err(e)) = (a, self.write(mem, sz, a, x)) {
                        self.fl = saved;
                        return Err(e);
                    }
                    self.set(sz, 0, x);
                }
            }
            Op::Cmpxchg8b(ref m) => {
                let addr = self.ea(m);
                let v = mem.read_u64(addr)?;
                let cur = (u64::from(self.r[2]) << 32) | u64::from(self.r[0]);
                if v == cur {
                    let new = (u64::from(self.r[1]) << 32) | u64::from(self.r[3]);
                    mem.write_u64(addr, new)?;
                    self.fl.set_status(ZF, ZF);
                } else {
                    mem.write_u64(addr, v)?;
                    self.r[0] = v as u32;
                    self.r[2] = (v >> 32) as u32;
                    self.fl.set_status(ZF, 0);
                }
            }
            Op::Bswap(r) => self.r[r as usize & 7] = self.r[r as usize & 7].swap_bytes(),
            Op::Bt(op, sz, ref a, ref b) => self.bt(mem, op, sz, a, b)?,
            Op::Bsf(sz, d, ref s) => {
                let v = self.read(mem, sz, s)?;
                if v == 0 {
                    // The destination is left unchanged; ZF and PF set, the others clear.
                    self.fl.set_status(STATUS, ZF | PF);
                } else {
                    let i = v.trailing_zeros();
                    self.set(sz, d, i);
                    self.fl.set_status(STATUS, Flags::szp(sz, i) & PF);
                }
            }
            Op::Bsr(sz, d, ref s) => {
                let v = self.read(mem, sz, s)?;
                if v == 0 {
                    // The destination is left unchanged; ZF and PF set, the others clear.
                    self.fl.set_status(STATUS, ZF | PF);
                } else {
                    let i = 31 - v.leading_zeros();
                    self.set(sz, d, i);
                    self.fl.set_status(STATUS, Flags::szp(sz, i) & PF);
                }
            }
            Op::Str(op, sz, rep, fs) => {
                if !self.string(mem, op, sz, rep, fs)? {
                    return Ok(Flow::Repeat);
                }
            }
            Op::JmpInd(ref t) => {
                self.eip = self.read(mem, Sz::D, t)?;
                return Ok(Flow::Jump);
            }
            Op::Loop(k, t) => {
                let taken = match k {
                    LoopKind::Jecxz => self.r[1] == 0,
                    LoopKind::Jcxz => self.r[1] & 0xffff == 0,
                    _ => {
                        self.r[1] = self.r[1].wrapping_sub(1);
                        let nz = self.r[1] != 0;
                        match k {
                            LoopKind::Loope => nz && self.fl.zf(),
                            LoopKind::Loopne => nz && !self.fl.zf(),
                            _ => nz,
                        }
                    }
                };
                self.eip = if taken { t } else { next };
                return Ok(Flow::Jump);
            }
            Op::Enter(size, level) => {
                let level = u32::from(level & 31);
                let sp0 = self.r[ESP];
                let ebp = self.r[5];
                let res: R<()> = (|| {
                    self.push32(mem, ebp)?;
                    let frame = self.r[ESP];
                    if level > 0 {
                        let mut bp = ebp;
                        for _ in 1..level {
                            bp = bp.wrapping_sub(4);
                            let v = mem.read_u32(bp)?;
                            self.push32(mem, v)?;
                        }
                        self.push32(mem, frame)?;
                    }
                    self.r[5] = frame;
                    self.r[ESP] = self.r[ESP].wrapping_sub(u32::from(size));
                    Ok(())
                })();
                if let Err(e) = res {
                    self.r[ESP] = sp0;
                    self.r[5] = ebp;
                    return Err(e);
                }
            }
            Op::Aam(base) => {
                if base == 0 {
                    return Err(Stop::Fault(Exit::DivideError { by_zero: true }));
                }
                let al = self.r[0] & 0xff;
                let ah = al / u32::from(base);
                let al = al % u32::from(base);
                self.set(Sz::W, 0, (ah << 8) | al);
                self.fl.set_status(STATUS, Flags::szp(Sz::B, al));
            }
            Op::Aad(base) => {
                let al = self.r[0] & 0xff;
                let ah = (self.r[0] >> 8) & 0xff;
                let v = (al + ah * u32::from(base)) & 0xff;
                self.set(Sz::W, 0, v);
                // Flags as an 8-bit ADD of AL and AH*base (observed on Intel).
                let mut tmp = self.fl;
                tmp.add(Sz::B, al, (ah * u32::from(base)) & 0xff, 0);
                let f = tmp.get();
                self.fl.set_status(STATUS, f);
            }
            Op::Int(n) => return Err(Stop::Trap(Exit::SoftwareInterrupt(n))),
            Op::Lea16(d, ref m) => {
                let a = m
                    .disp
                    .wrapping_add(self.r[m.base as usize & 15])
                    .wrapping_add(self.r[m.index as usize & 15] << (m.scale & 3));
                self.set(Sz::W, d, a);
            }
            Op::MovFromSeg(sg, sz, ref d) => {
                let v = u32::from(self.seg[sg as usize % 6]);
                match d {
                    // A 32-bit register destination is zero-extended (P6 and later).
                    Opnd::Reg(r) => self.set(sz, *r, v),
                    _ => self.write(mem, Sz::W, d, v)?,
                }
            }
            Op::MovToSeg(sg, ref s) => {
                let v = self.read(mem, Sz::W, s)?;
                self.seg[sg as usize % 6] = v as u16;
            }
            Op::PushSeg(sg) => {
                let v = u32::from(self.seg[sg as usize % 6]);
                self.push32(mem, v)?;
            }
            Op::PopSeg(sg) => {
                let v = self.pop32(mem)?;
                self.seg[sg as usize % 6] = v as u16;
            }
            Op::Misc(m) => return self.misc(mem, m, next),
            Op::Unimpl(mn) => {
                return Err(Stop::Fault(Exit::Unimplemented {
                    addr: self.eip,
                    mnemonic: format!("{mn:?}").to_lowercase(),
                }));
            }
            Op::Invalid => return Err(Stop::Fault(Exit::InvalidOpcode)),
            // Fast-path operations (and the x87) are handled in `exec`.
            _ => return Err(Stop::Fault(Exit::InvalidOpcode)),
        }
        Ok(Flow::Next)
    }

    fn misc<M: GuestMemory + ?Sized>(&mut self, mem: &mut M, m: Misc, next: u32) -> R<Flow> {
        let _ = next;
        match m {
            Misc::Cbw => {
                let v = self.r[0] as u8 as i8 as i16 as u16 as u32;
                self.set(Sz::W, 0, v);
            }
            Misc::Cwde => self.r[0] = self.r[0] as u16 as i16 as i32 as u32,
            Misc::Cwd => {
                let v = if self.r[0] & 0x8000 != 0 { 0xffff } else { 0 };
                self.set(Sz::W, 2, v);
            }
            Misc::Cdq => self.r[2] = ((self.r[0] as i32) >> 31) as u32,
            Misc::Clc => self.fl.set_status(CF, 0),
            Misc::Stc => self.fl.set_status(CF, CF),
            Misc::Cmc => {
                let c = self.fl.cf();
                self.fl.set_status(CF, if c { 0 } else { CF });
            }
            Misc::Cld => self.fl.eflags &= !DF,
            Misc::Std => self.fl.eflags |= DF,
            Misc::Lahf => {
                let f = self.fl.get() & 0xff;
                self.set(Sz::B, 4, f);
            }
            Misc::Sahf => {
                let ah = (self.r[0] >> 8) & 0xff;
                self.fl.set_status(SF | ZF | AF | PF | CF, ah);
            }
            Misc::Salc => {
                let v = if self.fl.cf() { 0xff } else { 0 };
                self.set(Sz::B, 0, v);
            }
            Misc::Daa | Misc::Das | Misc::Aaa | Misc::Aas => self.bcd(m),
            Misc::Pusha | Misc::Pushad16 => {
                let sz = if m == Misc::Pusha { Sz::D } else { Sz::W };
                let sp0 = self.r[ESP];
                let regs = self.r;
                for (i, v) in regs.iter().take(8).enumerate() {
                    let v = if i == ESP { sp0 } else { *v };
                    if let Err(e) = self.push_sz(mem, sz, v) {
                        self.r[ESP] = sp0;
                        return Err(e);
                    }
                }
            }
            Misc::Popa | Misc::Popad16 => {
                let sz = if m == Misc::Popa { Sz::D } else { Sz::W };
                let n = sz.bytes();
                let sp = self.r[ESP];
                let mut vals = [0u32; 8];
                for (i, v) in vals.iter_mut().enumerate() {
                    *v = rd(mem, sz, sp.wrapping_add(n * (7 - i as u32)))?;
                }
                for (i, v) in vals.iter().enumerate() {
                    if i != ESP {
                        self.set(sz, i as u8, *v);
                    }
                }
                self.r[ESP] = sp.wrapping_add(8 * n);
            }
            Misc::Pushf | Misc::Pushf16 => {
                let f = self.fl.get() & 0x00fc_ffff; // VM and RF read as 0
                let sz = if m == Misc::Pushf { Sz::D } else { Sz::W };
                self.push_sz(mem, sz, f)?;
            }
            Misc::Popf | Misc::Popf16 => {
                let sz = if m == Misc::Popf { Sz::D } else { Sz::W };
                let v = self.pop_sz(mem, sz)?;
                // User mode may change the status flags, DF, TF, AC and ID (and NT); IF and
                // IOPL stay as they are.
                let writable = STATUS | DF | crate::flags::TF | 0x4000 | crate::flags::AC | ID;
                let writable = writable & sz.mask();
                self.fl.materialize();
                self.fl.eflags = (self.fl.eflags & !writable) | (v & writable);
            }
            Misc::Leave => {
                let bp = self.r[5];
                let v = mem.read_u32(bp)?;
                self.r[ESP] = bp.wrapping_add(4);
                self.r[5] = v;
            }
            Misc::Xlat => {
                let a = self.r[3].wrapping_add(self.r[0] & 0xff);
                let v = mem.read_u8(a)?;
                self.set(Sz::B, 0, u32::from(v));
            }
            Misc::Nop | Misc::Fwait => {}
            Misc::Cpuid => self.cpuid(),
            Misc::Rdtsc => {
                let t = self.tsc.wrapping_add(self.retired);
                self.r[0] = t as u32;
                self.r[2] = (t >> 32) as u32;
            }
            Misc::Int3 => return Err(Stop::Trap(Exit::Breakpoint)),
            Misc::Into => {
                if self.fl.of() {
                    return Err(Stop::Trap(Exit::Overflow));
                }
            }
            Misc::Ud => return Err(Stop::Fault(Exit::InvalidOpcode)),
            Misc::Privileged => return Err(Stop::Fault(Exit::PrivilegedInstruction)),
        }
        Ok(Flow::Next)
    }

    fn cpuid(&mut self) {
        // A Pentium (P5, family 5 model 2) with an on-chip FPU, TSC, CX8 and CMOV: what
        // NT 4.0-era programs probe for.
        let leaf = self.r[0];
        let (a, b, c, d) = match leaf {
            0 => (1, 0x756e_6547, 0x6c65_746e, 0x4965_6e69), // "GenuineIntel"
            1 => (0x0000_0525, 0, 0, 0x0000_8131),           // FPU TSC CX8 CMOV ... (bits 0 4 8 15)
            _ => (0, 0, 0, 0),
        };
        self.r[0] = a;
        self.r[3] = b;
        self.r[1] = c;
        self.r[2] = d;
    }

    fn bcd(&mut self, m: Misc) {
        let al = self.r[0] & 0xff;
        let cf = self.fl.cf();
        let af = self.fl.af();
        match m {
            Misc::Daa | Misc::Das => {
                let mut new = al;
                let mut ncf = false;
                let mut naf = false;
                let up = m == Misc::Daa;
                if (al & 0x0f) > 9 || af {
                    if up {
                        new = (al + 6) & 0xff;
                    } else {
                        new = al.wrapping_sub(6) & 0xff;
                        ncf = al < 6;
                    }
                    naf = true;
                }
                if al > 0x99 || cf {
                    new = if up {
                        new.wrapping_add(0x60)
                    } else {
                        new.wrapping_sub(0x60)
                    } & 0xff;
                    ncf = true;
                }
                self.set(Sz::B, 0, new);
                // OF is undefined; this CPU clears it (golden vectors).
                let mut f = Flags::szp(Sz::B, new);
                if ncf {
                    f |= CF;
                }
                if naf {
                    f |= AF;
                }
                self.fl.set_status(STATUS, f);
            }
            _ => {
                let up = m == Misc::Aaa;
                let ax = self.r[0] & 0xffff;
                let (new_ax, adj) = if (al & 0x0f) > 9 || af {
                    let v = if up {
                        ax.wrapping_add(0x106)
                    } else {
                        ax.wrapping_sub(6).wrapping_sub(0x100)
                    };
                    (v, true)
                } else {
                    (ax, false)
                };
                let v = new_ax & 0xff0f;
                self.set(Sz::W, 0, v);
                // SF ZF PF (undefined) follow the final AL; OF is cleared (golden vectors).
                let mut f = if adj { AF | CF } else { 0 };
                f |= Flags::szp(Sz::B, v & 0xff);
                self.fl.set_status(STATUS, f);
            }
        }
    }

    /// Shifts and rotates by a masked count `c` in 1..=31.
    ///
    /// OF, which Intel defines only for counts of 1, comes out on this CPU as the OF of the
    /// first one-bit step for every count, except that ROL/ROR with an immediate count above
    /// 1 leave OF unchanged, and RCL/RCR whose count is a multiple of the width + 1 change
    /// neither CF nor OF (golden vectors). Shifts clear AF.
    #[inline]
    fn shift(&mut self, sh: Sh, sz: Sz, a: u32, c: u32, imm: bool) -> u32 {
        let bits = sz.bits();
        let mask = sz.mask();
        let sign = sz.sign();
        let cf_in = self.fl.cf() as u32;
        let msb = (a & sign != 0) as u32;
        let msb1 = (a & (sign >> 1) != 0) as u32;
        let keep_of = imm && c > 1;
        let (res, f, fmask) = match sh {
            Sh::Shl => {
                let res = if c < bits { (a << c) & mask } else { 0 };
                let cf = if c <= bits { (a >> (bits - c)) & 1 } else { 0 };
                let of = msb ^ msb1;
                let f = Flags::szp(sz, res) | (cf * CF) | (of * OF);
                (res, f, STATUS)
            }
            Sh::Shr => {
                let res = if c < bits { a >> c } else { 0 };
                let cf = if c <= bits { (a >> (c - 1)) & 1 } else { 0 };
                let of = (a & sign != 0) as u32;
                let f = Flags::szp(sz, res) | (cf * CF) | (of * OF);
                (res, f, STATUS)
            }
            Sh::Sar => {
                let s = sz.sext(a);
                let res = (s >> c.min(bits - 1)) as u32 & mask;
                let cf = ((s >> (c - 1).min(bits - 1)) & 1) as u32;
                let f = Flags::szp(sz, res) | (cf * CF);
                (res, f, STATUS)
            }
            Sh::Rol => {
                let n = c % bits;
                let res = if n == 0 {
                    a
                } else {
                    ((a << n) | (a >> (bits - n))) & mask
                };
                let cf = res & 1;
                let of = msb ^ msb1;
                (
                    res,
                    (cf * CF) | (of * OF),
                    if keep_of { CF } else { CF | OF },
                )
            }
            Sh::Ror => {
                let n = c % bits;
                let res = if n == 0 {
                    a
                } else {
                    ((a >> n) | (a << (bits - n))) & mask
                };
                let cf = (res & sign != 0) as u32;
                let of = (a & 1) ^ msb;
                (
                    res,
                    (cf * CF) | (of * OF),
                    if keep_of { CF } else { CF | OF },
                )
            }
            Sh::Rcl => {
                let n = c % (bits + 1);
                let wide = (u64::from(cf_in) << bits) | u64::from(a);
                let w = bits + 1;
                let r = if n == 0 {
                    wide
                } else {
                    ((wide << n) | (wide >> (w - n))) & ((1u64 << w) - 1)
                };
                let res = r as u32 & mask;
                let cf = (r >> bits) as u32 & 1;
                let of = msb ^ msb1;
                (res, (cf * CF) | (of * OF), if n == 0 { 0 } else { CF | OF })
            }
            Sh::Rcr => {
                let n = c % (bits + 1);
                let wide = (u64::from(cf_in) << bits) | u64::from(a);
                let w = bits + 1;
                let r = if n == 0 {
                    wide
                } else {
                    ((wide >> n) | (wide << (w - n))) & ((1u64 << w) - 1)
                };
                let res = r as u32 & mask;
                let cf = (r >> bits) as u32 & 1;
                let of = cf_in ^ msb;
                (res, (cf * CF) | (of * OF), if n == 0 { 0 } else { CF | OF })
            }
        };
        self.fl.set_status(fmask, f);
        res
    }

    fn shd(&mut self, left: bool, sz: Sz, a: u32, b: u32, c: u32) -> u32 {
        let sign = sz.sign();
        let mask = sz.mask();
        let (res, cf) = if sz == Sz::D {
            if left {
                let r = (a << c) | (b >> (32 - c));
                (r, (a >> (32 - c)) & 1)
            } else {
                let r = (a >> c) | (b << (32 - c));
                (r, (a >> (c - 1)) & 1)
            }
        } else {
            // 16-bit with counts above 16: the 48-bit pattern a:b:a (observed on Intel).
            if left {
                let wide = (u64::from(a) << 32) | (u64::from(b) << 16) | u64::from(a);
                let r = (wide << c) >> 32;
                (r as u32 & mask, ((wide << (c - 1)) >> 47) as u32 & 1)
            } else {
                let w = u64::from(a) | (u64::from(b) << 16) | (u64::from(a) << 32);
                ((w >> c) as u32 & mask, (w >> (c - 1)) as u32 & 1)
            }
        };
        // OF as after the first one-bit step, for every count (golden vectors).
        let msb = (a & sign != 0) as u32;
        let of = if left {
            msb ^ ((a & (sign >> 1) != 0) as u32)
        } else {
            msb ^ (b & 1)
        };
        let f = Flags::szp(sz, res) | (cf * CF) | (of * OF);
        self.fl.set_status(STATUS, f);
        res
    }

    fn muldiv(&mut self, op: MulOp, sz: Sz, b: u32) -> R<()> {
        let mask = sz.mask();
        match op {
            MulOp::Mul | MulOp::Imul => {
                let a = self.get(sz, 0);
                let (lo, hi, over) = if op == MulOp::Mul {
                    let p = u64::from(a) * u64::from(b);
                    let lo = p as u32 & mask;
                    let hi = (p >> sz.bits()) as u32 & mask;
                    (lo, hi, hi != 0)
                } else {
                    let p = i64::from(sz.sext(a)) * i64::from(sz.sext(b));
                    let lo = p as u32 & mask;
                    let hi = (p >> sz.bits()) as u32 & mask;
                    (lo, hi, i64::from(sz.sext(lo)) != p)
                };
                match sz {
                    Sz::B => self.set(Sz::W, 0, (hi << 8) | lo),
                    _ => {
                        self.set(sz, 0, lo);
                        self.set(sz, 2, hi);
                    }
                }
                // SF and PF (undefined) follow the low half; ZF and AF are cleared (golden
                // vectors).
                let mut f = Flags::szp(sz, lo) & (SF | PF);
                if over {
                    f |= CF | OF;
                }
                self.fl.set_status(STATUS, f);
            }
            MulOp::Div | MulOp::Idiv => {
                let bits = sz.bits();
                let n: u64 = match sz {
                    Sz::B => u64::from(self.r[0] & 0xffff),
                    _ => (u64::from(self.get(sz, 2)) << bits) | u64::from(self.get(sz, 0)),
                };
                if b == 0 {
                    return Err(Stop::Fault(Exit::DivideError { by_zero: true }));
                }
                let (q, r) = if op == MulOp::Div {
                    let q = n / u64::from(b);
                    if q > u64::from(mask) {
                        return Err(Stop::Fault(Exit::DivideError { by_zero: false }));
                    }
                    (q as u32, (n % u64::from(b)) as u32)
                } else {
                    let nn = ((n << (64 - 2 * bits)) as i64) >> (64 - 2 * bits);
                    let d = i64::from(sz.sext(b));
                    let q = nn.wrapping_div(d);
                    let lim = 1i64 << (bits - 1);
                    if q >= lim || q < -lim || (nn == i64::MIN && d == -1) {
                        return Err(Stop::Fault(Exit::DivideError { by_zero: false }));
                    }
                    (q as u32 & mask, nn.wrapping_rem(d) as u32 & mask)
                };
                match sz {
                    Sz::B => self.set(Sz::W, 0, (r << 8) | q),
                    _ => {
                        self.set(sz, 0, q);
                        self.set(sz, 2, r);
                    }
                }
                // Flags are undefined; this CPU leaves them unchanged.
            }
        }
        Ok(())
    }

    fn bt<M: GuestMemory + ?Sized>(
        &mut self,
        mem: &mut M,
        op: BtOp,
        sz: Sz,
        a: &Opnd,
        b: &Opnd,
    ) -> R<()> {
        let bits = sz.bits();
        let (bit, off) = match b {
            Opnd::Imm(i) => (*i & (bits - 1), 0i64),
            _ => {
                let v = self.read(mem, sz, b)?;
                match a {
                    // With a register bit offset and a memory operand the offset may reach
                    // outside the addressed word, in either direction.
                    Opnd::Mem(_) => {
                        let s = i64::from(sz.sext(v));
                        (
                            (s & i64::from(bits - 1)) as u32,
                            (s >> bits.trailing_zeros()) * i64::from(sz.bytes()),
                        )
                    }
                    _ => (v & (bits - 1), 0),
                }
            }
        };
        let loc = match a {
            Opnd::Mem(m) => {
                let mut m2 = *m;
                m2.disp = m2.disp.wrapping_add(off as u32);
                Opnd::Mem(m2)
            }
            other => *other,
        };
        let v = self.read(mem, sz, &loc)?;
        let cf = (v >> bit) & 1;
        let nv = match op {
            BtOp::Bt => v,
            BtOp::Bts => v | (1 << bit),
            BtOp::Btr => v & !(1 << bit),
            BtOp::Btc => v ^ (1 << bit),
        };
        if op != BtOp::Bt {
            self.write(mem, sz, &loc, nv)?;
        }
        self.fl.set_status(CF, cf * CF);
        Ok(())
    }

    fn string<M: GuestMemory + ?Sized>(
        &mut self,
        mem: &mut M,
        op: StrOp,
        sz: Sz,
        rep: Rep,
        fs: bool,
    ) -> R<bool> {
        let step = if self.fl.eflags & DF != 0 {
            sz.bytes().wrapping_neg()
        } else {
            sz.bytes()
        };
        let seg = if fs { self.fs_base } else { 0 };
        if rep == Rep::None {
            self.string_once(mem, op, sz, step, seg)?;
            return Ok(true);
        }
        // Each iteration commits its register updates, so a fault leaves a resumable state.
        // At most REP_CHUNK iterations run at a time so that the budget still bounds a run.
        for _ in 0..REP_CHUNK {
            if self.r[1] == 0 {
                return Ok(true);
            }
            self.string_once(mem, op, sz, step, seg)?;
            self.r[1] = self.r[1].wrapping_sub(1);
            if matches!(op, StrOp::Cmps | StrOp::Scas) {
                let z = self.fl.zf();
                if (rep == Rep::Repe && !z) || (rep == Rep::Repne && z) {
                    return Ok(true);
                }
            }
        }
        Ok(self.r[1] == 0)
    }

    #[inline(always)]
    fn string_once<M: GuestMemory + ?Sized>(
        &mut self,
        mem: &mut M,
        op: StrOp,
        sz: Sz,
        step: u32,
        seg: u32,
    ) -> R<()> {
        let (esi, edi) = (self.r[6], self.r[7]);
        match op {
            StrOp::Movs => {
                let v = rd(mem, sz, esi.wrapping_add(seg))?;
                wr(mem, sz, edi, v)?;
                self.r[6] = esi.wrapping_add(step);
                self.r[7] = edi.wrapping_add(step);
            }
            StrOp::Stos => {
                let v = self.get(sz, 0);
                wr(mem, sz, edi, v)?;
                self.r[7] = edi.wrapping_add(step);
            }
            StrOp::Lods => {
                let v = rd(mem, sz, esi.wrapping_add(seg))?;
                self.set(sz, 0, v);
                self.r[6] = esi.wrapping_add(step);
            }
            StrOp::Cmps => {
                let a = rd(mem, sz, esi.wrapping_add(seg))?;
                let b = rd(mem, sz, edi)?;
                self.fl.sub(sz, a, b, 0);
                self.r[6] = esi.wrapping_add(step);
                self.r[7] = edi.wrapping_add(step);
            }
            StrOp::Scas => {
                let b = rd(mem, sz, edi)?;
                let a = self.get(sz, 0);
                self.fl.sub(sz, a, b, 0);
                self.r[7] = edi.wrapping_add(step);
            }
        }
        Ok(())
    }
}

#[inline(always)]
pub(crate) fn rd<M: GuestMemory + ?Sized>(mem: &M, sz: Sz, addr: u32) -> Result<u32, Fault> {
    match sz {
        Sz::D => mem.read_u32(addr),
        Sz::W => mem.read_u16(addr).map(u32::from),
        Sz::B => mem.read_u8(addr).map(u32::from),
    }
}

#[inline(always)]
pub(crate) fn wr<M: GuestMemory + ?Sized>(
    mem: &mut M,
    sz: Sz,
    addr: u32,
    v: u32,
) -> Result<(), Fault> {
    match sz {
        Sz::D => mem.write_u32(addr, v),
        Sz::W => mem.write_u16(addr, v as u16),
        Sz::B => mem.write_u8(addr, v as u8),
    }
}

/// EFLAGS bits a test may compare.
#[allow(dead_code)]
pub(crate) const ARITH: u32 = CF | PF | AF | ZF | SF | OF;
