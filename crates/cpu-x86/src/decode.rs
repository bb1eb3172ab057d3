//! Translation of iced-x86 instructions into the interpreter's compact operations.

use iced_x86::{Code, Instruction, Mnemonic, OpKind, Register};

use crate::flags::Sz;

/// Register number meaning "no register" in a memory operand (reads as zero).
pub(crate) const NOREG: u8 = 8;

/// A memory operand: `disp + r[base] + (r[index] << scale)` (+ the FS base).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mem {
    pub(crate) disp: u32,
    pub(crate) base: u8,
    pub(crate) index: u8,
    pub(crate) scale: u8,
    pub(crate) fs: bool,
}

/// An operand: register (numbered in encoding order; for byte size 4..7 are AH CH DH BH),
/// memory, or an immediate.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Opnd {
    Reg(u8),
    Mem(Mem),
    Imm(u32),
}

/// The two-operand ALU operations.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Alu {
    Add,
    Or,
    Adc,
    Sbb,
    And,
    Sub,
    Xor,
    Cmp,
    Test,
}

/// INC DEC NEG NOT.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Un {
    Inc,
    Dec,
    Neg,
    Not,
}

/// Group-2 shifts and rotates.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Sh {
    Rol,
    Ror,
    Rcl,
    Rcr,
    Shl,
    Shr,
    Sar,
}

/// Shift count: an immediate or CL.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Count {
    Imm(u8),
    Cl,
}

/// One-operand multiply and divide.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum MulOp {
    Mul,
    Imul,
    Div,
    Idiv,
}

/// BT BTS BTR BTC.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum BtOp {
    Bt,
    Bts,
    Btr,
    Btc,
}

/// String instructions.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum StrOp {
    Movs,
    Stos,
    Lods,
    Cmps,
    Scas,
}

/// Repeat prefix of a string instruction.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Rep {
    None,
    /// REP / REPE.
    Repe,
    /// REPNE.
    Repne,
}

/// Operations without operands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Misc {
    Cbw,
    Cwde,
    Cwd,
    Cdq,
    Clc,
    Stc,
    Cmc,
    Cld,
    Std,
    Lahf,
    Sahf,
    Salc,
    Daa,
    Das,
    Aaa,
    Aas,
    Pusha,
    Popa,
    Pushad16,
    Popad16,
    Pushf,
    Popf,
    Pushf16,
    Popf16,
    Leave,
    Xlat,
    Nop,
    Cpuid,
    Rdtsc,
    Int3,
    Into,
    Ud,
    Privileged,
    Fwait,
}

/// LOOP LOOPE LOOPNE JECXZ.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum LoopKind {
    Loop,
    Loope,
    Loopne,
    Jecxz,
    Jcxz,
}

/// A decoded operation with its operands resolved.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Op {
    // 32-bit fast paths
    AluRR(Alu, u8, u8),
    AluRI(Alu, u8, u32),
    AluRM(Alu, u8, Mem),
    AluMR(Alu, Mem, u8),
    AluMI(Alu, Mem, u32),
    MovRR(u8, u8),
    MovRI(u8, u32),
    MovRM(u8, Mem),
    MovMR(Mem, u8),
    MovMI(Mem, u32),
    Lea(u8, Mem),
    Lea16(u8, Mem),
    PushR(u8),
    PushI(u32),
    PopR(u8),
    IncR(u8),
    DecR(u8),
    ShiftRI(Sh, u8, u8),
    MovzxRM8(u8, Mem),
    Jcc(u8, u32),
    /// A flag-setting register operation fused with the Jcc that follows it (two guest
    /// instructions): `Fused*(alu, dst, src, cc, target)`.
    FusedRR(Alu, u8, u8, u8, u32),
    FusedRI(Alu, u8, u32, u8, u32),
    FusedRM(Alu, u8, Mem, u8, u32),
    IncJcc(u8, u8, u32),
    DecJcc(u8, u8, u32),
    Jmp(u32),
    Call(u32),
    Ret(u16),
    // general forms
    Alu(Alu, Sz, Opnd, Opnd),
    Mov(Sz, Opnd, Opnd),
    Push(Sz, Opnd),
    Pop(Sz, Opnd),
    Unary(Un, Sz, Opnd),
    Shift(Sh, Sz, Opnd, Count),
    Shd(bool, Sz, Opnd, u8, Count),
    MulDiv(MulOp, Sz, Opnd),
    Imul(Sz, u8, Opnd, Opnd),
    Movx(bool, Sz, Sz, u8, Opnd),
    Setcc(u8, Opnd),
    Cmov(u8, Sz, u8, Opnd),
    Xchg(Sz, Opnd, u8),
    Xadd(Sz, Opnd, u8),
    Cmpxchg(Sz, Opnd, u8),
    Cmpxchg8b(Mem),
    Bswap(u8),
    Bt(BtOp, Sz, Opnd, Opnd),
    Bsf(Sz, u8, Opnd),
    Bsr(Sz, u8, Opnd),
    Str(StrOp, Sz, Rep, bool),
    JmpInd(Opnd),
    CallInd(Opnd),
    Loop(LoopKind, u32),
    Enter(u16, u8),
    Aam(u8),
    Aad(u8),
    Int(u8),
    Misc(Misc),
    /// MOV r/m, sreg (size of the destination).
    MovFromSeg(u8, Sz, Opnd),
    /// MOV sreg, r/m16.
    MovToSeg(u8, Opnd),
    PushSeg(u8),
    PopSeg(u8),
    Fpu(crate::fpu::FpuOp),
    Unimpl(Mnemonic),
    Invalid,
}

impl Op {
    /// Guest instructions the operation stands for (2 for a fused pair).
    pub(crate) fn weight(&self) -> u32 {
        match self {
            Op::FusedRR(..)
            | Op::FusedRI(..)
            | Op::FusedRM(..)
            | Op::IncJcc(..)
            | Op::DecJcc(..) => 2,
            _ => 1,
        }
    }

    /// Whether the operation always ends a block (it may change EIP or leave the run loop).
    /// Conditional branches do not: a block goes on past them (see `X86Cpu::decode_block`).
    pub(crate) fn ends_block(&self) -> bool {
        matches!(
            self,
            Op::Jmp(_)
                | Op::Call(_)
                | Op::Ret(_)
                | Op::JmpInd(_)
                | Op::CallInd(_)
                | Op::Loop(..)
                | Op::Int(_)
                | Op::Unimpl(_)
                | Op::Invalid
                | Op::Misc(Misc::Int3 | Misc::Into | Misc::Ud | Misc::Privileged | Misc::Rdtsc)
        )
    }
}

/// Fuses `first` with the conditional jump `jcc` that follows it, when that is supported.
pub(crate) fn fuse(first: &Op, jcc: &Op) -> Option<Op> {
    let Op::Jcc(cc, t) = *jcc else {
        return None;
    };
    Some(match *first {
        Op::AluRR(op, d, s) => Op::FusedRR(op, d, s, cc, t),
        Op::AluRI(op, d, i) => Op::FusedRI(op, d, i, cc, t),
        Op::AluRM(op, d, m) => Op::FusedRM(op, d, m, cc, t),
        Op::IncR(r) => Op::IncJcc(r, cc, t),
        Op::DecR(r) => Op::DecJcc(r, cc, t),
        _ => return None,
    })
}

fn reg32(r: Register) -> Option<u8> {
    let n = r.number();
    if r.is_gpr32() { Some(n as u8) } else { None }
}

/// Register operand as (number, size).
fn gpr(r: Register) -> Option<(u8, Sz)> {
    use Register::*;
    let v = match r {
        AL | CL | DL | BL => (r as u32 - AL as u32, Sz::B),
        AH | CH | DH | BH => (r as u32 - AH as u32 + 4, Sz::B),
        AX | CX | DX | BX | SP | BP | SI | DI => (r as u32 - AX as u32, Sz::W),
        EAX | ECX | EDX | EBX | ESP | EBP | ESI | EDI => (r as u32 - EAX as u32, Sz::D),
        _ => return Option::None,
    };
    Some((v.0 as u8, v.1))
}

pub(crate) fn mem_of(ins: &Instruction) -> Option<Mem> {
    let base = match ins.memory_base() {
        Register::None => NOREG,
        r => reg32(r)?,
    };
    let index = match ins.memory_index() {
        Register::None => NOREG,
        r => reg32(r)?,
    };
    let scale = match ins.memory_index_scale() {
        1 => 0,
        2 => 1,
        4 => 2,
        _ => 3,
    };
    let fs = match ins.memory_segment() {
        Register::FS => true,
        Register::ES | Register::CS | Register::SS | Register::DS | Register::GS => false,
        _ => return None,
    };
    Some(Mem {
        disp: ins.memory_displacement32(),
        base,
        index,
        scale,
        fs,
    })
}

fn size_of_mem(ins: &Instruction) -> Option<Sz> {
    match ins.memory_size().size() {
        1 => Some(Sz::B),
        2 => Some(Sz::W),
        4 => Some(Sz::D),
        _ => None,
    }
}

/// Operand `i` with its size (immediates report no size).
fn opnd(ins: &Instruction, i: u32) -> Option<(Opnd, Option<Sz>)> {
    Some(match ins.op_kind(i) {
        OpKind::Register => {
            let (r, sz) = gpr(ins.op_register(i))?;
            (Opnd::Reg(r), Some(sz))
        }
        OpKind::Memory => (Opnd::Mem(mem_of(ins)?), size_of_mem(ins)),
        OpKind::Immediate8
        | OpKind::Immediate16
        | OpKind::Immediate32
        | OpKind::Immediate8to16
        | OpKind::Immediate8to32 => (Opnd::Imm(ins.immediate(i) as u32), None),
        _ => return None,
    })
}

fn alu_of(m: Mnemonic) -> Option<Alu> {
    Some(match m {
        Mnemonic::Add => Alu::Add,
        Mnemonic::Or => Alu::Or,
        Mnemonic::Adc => Alu::Adc,
        Mnemonic::Sbb => Alu::Sbb,
        Mnemonic::And => Alu::And,
        Mnemonic::Sub => Alu::Sub,
        Mnemonic::Xor => Alu::Xor,
        Mnemonic::Cmp => Alu::Cmp,
        Mnemonic::Test => Alu::Test,
        _ => return None,
    })
}

fn cc_of(m: Mnemonic) -> Option<u8> {
    use Mnemonic::*;
    Some(match m {
        Jo | Seto | Cmovo => 0,
        Jno | Setno | Cmovno => 1,
        Jb | Setb | Cmovb => 2,
        Jae | Setae | Cmovae => 3,
        Je | Sete | Cmove => 4,
        Jne | Setne | Cmovne => 5,
        Jbe | Setbe | Cmovbe => 6,
        Ja | Seta | Cmova => 7,
        Js | Sets | Cmovs => 8,
        Jns | Setns | Cmovns => 9,
        Jp | Setp | Cmovp => 10,
        Jnp | Setnp | Cmovnp => 11,
        Jl | Setl | Cmovl => 12,
        Jge | Setge | Cmovge => 13,
        Jle | Setle | Cmovle => 14,
        Jg | Setg | Cmovg => 15,
        _ => return None,
    })
}

/// Translates one decoded instruction.
pub(crate) fn translate(ins: &Instruction) -> Op {
    if ins.is_invalid() {
        return Op::Invalid;
    }
    match translate_inner(ins) {
        Some(op) => op,
        None => Op::Unimpl(ins.mnemonic()),
    }
}

/// Segment register number in encoding order (ES CS SS DS FS GS).
fn sreg(r: Register) -> Option<u8> {
    Some(match r {
        Register::ES => 0,
        Register::CS => 1,
        Register::SS => 2,
        Register::DS => 3,
        Register::FS => 4,
        Register::GS => 5,
        _ => return Option::None,
    })
}

fn segment_op(ins: &Instruction) -> Option<Op> {
    use Mnemonic as M;
    let is_seg = |i: u32| ins.op_kind(i) == OpKind::Register && sreg(ins.op_register(i)).is_some();
    match ins.mnemonic() {
        M::Mov if is_seg(1) => {
            let (d, sz) = opnd(ins, 0)?;
            Some(Op::MovFromSeg(sreg(ins.op_register(1))?, sz?, d))
        }
        M::Mov if is_seg(0) => {
            let seg = sreg(ins.op_register(0))?;
            if seg == 1 {
                return Some(Op::Invalid);
            }
            Some(Op::MovToSeg(seg, opnd(ins, 1)?.0))
        }
        // 16-bit pushes and pops of segment registers are not supported.
        M::Push if is_seg(0) && ins.stack_pointer_increment() == -4 => {
            Some(Op::PushSeg(sreg(ins.op_register(0))?))
        }
        M::Pop if is_seg(0) && ins.stack_pointer_increment() == 4 => {
            let seg = sreg(ins.op_register(0))?;
            if seg == 1 {
                return Some(Op::Invalid);
            }
            Some(Op::PopSeg(seg))
        }
        _ => None,
    }
}

fn translate_inner(ins: &Instruction) -> Option<Op> {
    use Mnemonic as M;
    let m = ins.mnemonic();
    if matches!(m, M::Mov | M::Push | M::Pop) {
        if let Some(op) = segment_op(ins) {
            return Some(op);
        }
        let control = |i: u32| {
            ins.op_kind(i) == OpKind::Register
                && (ins.op_register(i).is_cr() || ins.op_register(i).is_dr())
        };
        if m == M::Mov && (control(0) || control(1)) {
            return Some(Op::Misc(Misc::Privileged));
        }
    }
    if ins.op_count() >= 1 && ins.op_kind(0) == OpKind::Memory && ins.memory_base().is_gpr16() {
        return None; // 16-bit addressing
    }
    if let Some(alu) = alu_of(m) {
        let (d, dsz) = opnd(ins, 0)?;
        let (s, _) = opnd(ins, 1)?;
        let sz = dsz?;
        if sz == Sz::D {
            return Some(match (d, s) {
                (Opnd::Reg(d), Opnd::Reg(s)) => Op::AluRR(alu, d, s),
                (Opnd::Reg(d), Opnd::Imm(i)) => Op::AluRI(alu, d, i),
                (Opnd::Reg(d), Opnd::Mem(mm)) => Op::AluRM(alu, d, mm),
                (Opnd::Mem(mm), Opnd::Reg(s)) => Op::AluMR(alu, mm, s),
                (Opnd::Mem(mm), Opnd::Imm(i)) => Op::AluMI(alu, mm, i),
                _ => return None,
            });
        }
        return Some(Op::Alu(alu, sz, d, s));
    }
    if let Some(cc) = cc_of(m) {
        return Some(match ins.op_kind(0) {
            OpKind::NearBranch32 => Op::Jcc(cc, ins.near_branch32()),
            _ if is_setcc(m) => Op::Setcc(cc, opnd(ins, 0)?.0),
            _ => {
                let (d, sz) = opnd(ins, 0)?;
                let Opnd::Reg(d) = d else { return None };
                Op::Cmov(cc, sz?, d, opnd(ins, 1)?.0)
            }
        });
    }
    Some(match m {
        M::Mov => {
            let (d, dsz) = opnd(ins, 0)?;
            let (s, _) = opnd(ins, 1)?;
            let sz = dsz?;
            if sz == Sz::D {
                match (d, s) {
                    (Opnd::Reg(d), Opnd::Reg(s)) => Op::MovRR(d, s),
                    (Opnd::Reg(d), Opnd::Imm(i)) => Op::MovRI(d, i),
                    (Opnd::Reg(d), Opnd::Mem(mm)) => Op::MovRM(d, mm),
                    (Opnd::Mem(mm), Opnd::Reg(s)) => Op::MovMR(mm, s),
                    (Opnd::Mem(mm), Opnd::Imm(i)) => Op::MovMI(mm, i),
                    _ => return None,
                }
            } else {
                Op::Mov(sz, d, s)
            }
        }
        M::Lea => match opnd(ins, 0)? {
            (Opnd::Reg(d), Some(Sz::D)) => Op::Lea(d, mem_of(ins)?),
            (Opnd::Reg(d), Some(Sz::W)) => Op::Lea16(d, mem_of(ins)?),
            _ => return None,
        },
        M::Push => {
            let (s, sz) = opnd(ins, 0)?;
            let sz = match ins.code() {
                Code::Push_imm16 | Code::Pushw_imm8 => Sz::W,
                Code::Pushd_imm32 | Code::Pushd_imm8 => Sz::D,
                _ => sz?,
            };
            match (sz, s) {
                (Sz::D, Opnd::Reg(r)) => Op::PushR(r),
                (Sz::D, Opnd::Imm(i)) => Op::PushI(i),
                (Sz::B, _) => return None,
                _ => Op::Push(sz, s),
            }
        }
        M::Pop => {
            let (d, sz) = opnd(ins, 0)?;
            match (sz?, d) {
                (Sz::D, Opnd::Reg(r)) => Op::PopR(r),
                (Sz::B, _) => return None,
                (sz, d) => Op::Pop(sz, d),
            }
        }
        M::Inc | M::Dec | M::Neg | M::Not => {
            let (d, sz) = opnd(ins, 0)?;
            let un = match m {
                M::Inc => Un::Inc,
                M::Dec => Un::Dec,
                M::Neg => Un::Neg,
                _ => Un::Not,
            };
            match (un, sz?, d) {
                (Un::Inc, Sz::D, Opnd::Reg(r)) => Op::IncR(r),
                (Un::Dec, Sz::D, Opnd::Reg(r)) => Op::DecR(r),
                (un, sz, d) => Op::Unary(un, sz, d),
            }
        }
        M::Rol | M::Ror | M::Rcl | M::Rcr | M::Shl | M::Sal | M::Shr | M::Sar => {
            let sh = match m {
                M::Rol => Sh::Rol,
                M::Ror => Sh::Ror,
                M::Rcl => Sh::Rcl,
                M::Rcr => Sh::Rcr,
                M::Shl | M::Sal => Sh::Shl,
                M::Shr => Sh::Shr,
                _ => Sh::Sar,
            };
            let (d, sz) = opnd(ins, 0)?;
            let count = match ins.op_kind(1) {
                OpKind::Register => Count::Cl,
                _ => Count::Imm(ins.try_immediate(1).ok()? as u8),
            };
            match (sz?, d, count) {
                (Sz::D, Opnd::Reg(r), Count::Imm(c)) if c & 31 != 0 => Op::ShiftRI(sh, r, c & 31),
                (sz, d, count) => Op::Shift(sh, sz, d, count),
            }
        }
        M::Shld | M::Shrd => {
            let (d, sz) = opnd(ins, 0)?;
            let (Opnd::Reg(s), _) = opnd(ins, 1)? else {
                return None;
            };
            let count = match ins.op_kind(2) {
                OpKind::Register => Count::Cl,
                _ => Count::Imm(ins.try_immediate(2).ok()? as u8),
            };
            Op::Shd(m == M::Shld, sz?, d, s, count)
        }
        M::Mul | M::Div | M::Idiv if ins.op_count() == 1 => {
            let (s, sz) = opnd(ins, 0)?;
            let op = match m {
                M::Mul => MulOp::Mul,
                M::Div => MulOp::Div,
                _ => MulOp::Idiv,
            };
            Op::MulDiv(op, sz?, s)
        }
        M::Imul => match ins.op_count() {
            1 => {
                let (s, sz) = opnd(ins, 0)?;
                Op::MulDiv(MulOp::Imul, sz?, s)
            }
            2 => {
                let (Opnd::Reg(d), sz) = opnd(ins, 0)? else {
                    return None;
                };
                Op::Imul(sz?, d, Opnd::Reg(d), opnd(ins, 1)?.0)
            }
            _ => {
                let (Opnd::Reg(d), sz) = opnd(ins, 0)? else {
                    return None;
                };
                Op::Imul(sz?, d, opnd(ins, 1)?.0, opnd(ins, 2)?.0)
            }
        },
        M::Movzx | M::Movsx => {
            let (Opnd::Reg(d), dsz) = opnd(ins, 0)? else {
                return None;
            };
            let (s, ssz) = opnd(ins, 1)?;
            match (m, dsz?, ssz?, s) {
                (M::Movzx, Sz::D, Sz::B, Opnd::Mem(mm)) => Op::MovzxRM8(d, mm),
                (_, dsz, ssz, s) => Op::Movx(m == M::Movsx, dsz, ssz, d, s),
            }
        }
        M::Xchg => {
            let (a, sz) = opnd(ins, 0)?;
            let (b, _) = opnd(ins, 1)?;
            match (a, b) {
                (a, Opnd::Reg(r)) => Op::Xchg(sz?, a, r),
                (Opnd::Reg(r), b) => Op::Xchg(sz?, b, r),
                _ => return None,
            }
        }
        M::Xadd | M::Cmpxchg => {
            let (a, sz) = opnd(ins, 0)?;
            let (Opnd::Reg(r), _) = opnd(ins, 1)? else {
                return None;
            };
            if m == M::Xadd {
                Op::Xadd(sz?, a, r)
            } else {
                Op::Cmpxchg(sz?, a, r)
            }
        }
        M::Cmpxchg8b => Op::Cmpxchg8b(mem_of(ins)?),
        M::Bswap => Op::Bswap(reg32(ins.op_register(0))?),
        M::Bt | M::Bts | M::Btr | M::Btc => {
            let op = match m {
                M::Bt => BtOp::Bt,
                M::Bts => BtOp::Bts,
                M::Btr => BtOp::Btr,
                _ => BtOp::Btc,
            };
            let (a, sz) = opnd(ins, 0)?;
            Op::Bt(op, sz?, a, opnd(ins, 1)?.0)
        }
        // The CPU ntemu models predates BMI1 and ABM: there F3 0F BC (TZCNT) and F3 0F BD
        // (LZCNT) are BSF and BSR with an ignored REP prefix. Compilers emit TZCNT's
        // encoding for a count of trailing zeros of a value known to be nonzero, for which
        // the two agree.
        M::Bsf | M::Bsr | M::Tzcnt | M::Lzcnt => {
            let (Opnd::Reg(d), sz) = opnd(ins, 0)? else {
                return None;
            };
            let s = opnd(ins, 1)?.0;
            if matches!(m, M::Bsf | M::Tzcnt) {
                Op::Bsf(sz?, d, s)
            } else {
                Op::Bsr(sz?, d, s)
            }
        }
        M::Movsb | M::Movsw | M::Movsd if ins.op_count() == 2 => string(ins, StrOp::Movs)?,
        M::Stosb | M::Stosw | M::Stosd => string(ins, StrOp::Stos)?,
        M::Lodsb | M::Lodsw | M::Lodsd => string(ins, StrOp::Lods)?,
        M::Cmpsb | M::Cmpsw | M::Cmpsd if ins.op_count() == 2 => string(ins, StrOp::Cmps)?,
        M::Scasb | M::Scasw | M::Scasd => string(ins, StrOp::Scas)?,
        M::Jmp => match ins.op_kind(0) {
            OpKind::NearBranch32 => Op::Jmp(ins.near_branch32()),
            OpKind::Register | OpKind::Memory => {
                let (t, sz) = opnd(ins, 0)?;
                if sz != Some(Sz::D) {
                    return None;
                }
                Op::JmpInd(t)
            }
            _ => return None,
        },
        M::Call => match ins.op_kind(0) {
            OpKind::NearBranch32 => Op::Call(ins.near_branch32()),
            OpKind::Register | OpKind::Memory => {
                let (t, sz) = opnd(ins, 0)?;
                if sz != Some(Sz::D) {
                    return None;
                }
                Op::CallInd(t)
            }
            _ => return None,
        },
        M::Ret => match ins.code() {
            Code::Retnd => Op::Ret(0),
            Code::Retnd_imm16 => Op::Ret(ins.immediate16()),
            _ => return None,
        },
        M::Loop | M::Loope | M::Loopne | M::Jecxz | M::Jcxz => {
            if ins.op_kind(0) != OpKind::NearBranch32 {
                return None;
            }
            let k = match m {
                M::Loop => LoopKind::Loop,
                M::Loope => LoopKind::Loope,
                M::Loopne => LoopKind::Loopne,
                M::Jecxz => LoopKind::Jecxz,
                _ => LoopKind::Jcxz,
            };
            if matches!(
                ins.code(),
                Code::Loop_rel8_32_CX | Code::Loope_rel8_32_CX | Code::Loopne_rel8_32_CX
            ) {
                return None;
            }
            Op::Loop(k, ins.near_branch32())
        }
        M::Enter if ins.code() == Code::Enterd_imm16_imm8 => {
            Op::Enter(ins.immediate16(), ins.immediate8_2nd())
        }
        M::Leave if ins.code() == Code::Leaved => Op::Misc(Misc::Leave),
        M::Aam => Op::Aam(ins.immediate8()),
        M::Aad => Op::Aad(ins.immediate8()),
        M::Int => Op::Int(ins.immediate8()),
        M::Int3 => Op::Misc(Misc::Int3),
        M::Into => Op::Misc(Misc::Into),
        M::Cbw => Op::Misc(Misc::Cbw),
        M::Cwde => Op::Misc(Misc::Cwde),
        M::Cwd => Op::Misc(Misc::Cwd),
        M::Cdq => Op::Misc(Misc::Cdq),
        M::Clc => Op::Misc(Misc::Clc),
        M::Stc => Op::Misc(Misc::Stc),
        M::Cmc => Op::Misc(Misc::Cmc),
        M::Cld => Op::Misc(Misc::Cld),
        M::Std => Op::Misc(Misc::Std),
        M::Lahf => Op::Misc(Misc::Lahf),
        M::Sahf => Op::Misc(Misc::Sahf),
        M::Salc => Op::Misc(Misc::Salc),
        M::Daa => Op::Misc(Misc::Daa),
        M::Das => Op::Misc(Misc::Das),
        M::Aaa => Op::Misc(Misc::Aaa),
        M::Aas => Op::Misc(Misc::Aas),
        M::Pushad => Op::Misc(Misc::Pusha),
        M::Popad => Op::Misc(Misc::Popa),
        M::Pusha => Op::Misc(Misc::Pushad16),
        M::Popa => Op::Misc(Misc::Popad16),
        M::Pushfd => Op::Misc(Misc::Pushf),
        M::Popfd => Op::Misc(Misc::Popf),
        M::Pushf => Op::Misc(Misc::Pushf16),
        M::Popf => Op::Misc(Misc::Popf16),
        M::Xlatb => {
            if ins.memory_base() != Register::EBX {
                return None;
            }
            Op::Misc(Misc::Xlat)
        }
        // Hint and reserved NOPs (0F 0D, 0F 18..1F), and the 8087/287 control no-ops.
        M::Nop
        | M::Pause
        | M::Reservednop
        | M::Fneni
        | M::Fndisi
        | M::Fnsetpm
        | M::Prefetchnta
        | M::Prefetcht0
        | M::Prefetcht1
        | M::Prefetcht2
        | M::Prefetchw => Op::Misc(Misc::Nop),
        M::Cpuid => Op::Misc(Misc::Cpuid),
        M::Rdtsc => Op::Misc(Misc::Rdtsc),
        M::Ud0 | M::Ud1 | M::Ud2 => Op::Misc(Misc::Ud),
        M::Wait => Op::Misc(Misc::Fwait),
        M::Hlt
        | M::Cli
        | M::Sti
        | M::In
        | M::Out
        | M::Insb
        | M::Insw
        | M::Insd
        | M::Outsb
        | M::Outsw
        | M::Outsd
        | M::Lgdt
        | M::Lidt
        | M::Lldt
        | M::Ltr
        | M::Lmsw
        | M::Clts
        | M::Invd
        | M::Wbinvd
        | M::Invlpg
        | M::Wrmsr
        | M::Rdmsr
        | M::Iretd
        | M::Iret => Op::Misc(Misc::Privileged),
        _ => {
            if let Some(f) = crate::fpu::translate(ins) {
                Op::Fpu(f)
            } else {
                return None;
            }
        }
    })
}

fn is_setcc(m: Mnemonic) -> bool {
    use Mnemonic::*;
    matches!(
        m,
        Seto | Setno
            | Setb
            | Setae
            | Sete
            | Setne
            | Setbe
            | Seta
            | Sets
            | Setns
            | Setp
            | Setnp
            | Setl
            | Setge
            | Setle
            | Setg
    )
}

fn string(ins: &Instruction, op: StrOp) -> Option<Op> {
    use Mnemonic as M;
    let sz = match ins.mnemonic() {
        M::Movsb | M::Stosb | M::Lodsb | M::Cmpsb | M::Scasb => Sz::B,
        M::Movsw | M::Stosw | M::Lodsw | M::Cmpsw | M::Scasw => Sz::W,
        _ => Sz::D,
    };
    // 16-bit address size (SI/DI) is not supported.
    for i in 0..ins.op_count() {
        match ins.op_kind(i) {
            OpKind::MemorySegSI | OpKind::MemoryESDI | OpKind::MemorySegDI => return None,
            _ => {}
        }
    }
    let rep = if ins.has_repne_prefix() && matches!(op, StrOp::Cmps | StrOp::Scas) {
        Rep::Repne
    } else if ins.has_rep_prefix() || ins.has_repne_prefix() {
        Rep::Repe
    } else {
        Rep::None
    };
    let fs = matches!(op, StrOp::Movs | StrOp::Lods | StrOp::Cmps)
        && ins.memory_segment() == Register::FS;
    Some(Op::Str(op, sz, rep, fs))
}
