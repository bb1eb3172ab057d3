//! Alpha instruction words to compact predecoded operations.
//!
//! Every operation is an [`Inst`] of 16 bytes: a kind, three register numbers and one
//! 64-bit immediate. Register conventions, chosen so the interpreter needs no per-operand
//! tests:
//! - source registers are 0..=31, and slot 31 of the register files always reads zero;
//! - destination registers are 0..=30, or [`SINK`] (slot 32) for writes to r31/f31;
//! - operate instructions read their second operand as `r[rb] + imm`: the literal form
//!   decodes to `rb = 31` (zero) and `imm = literal`, the register form to `imm = 0`.

/// The register-file slot that absorbs writes to r31 / f31.
pub(crate) const SINK: u8 = 32;

/// Predecoded operation kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum K {
    // --- integer operate (ra, rb|imm -> rc)
    Addl,
    S4addl,
    S8addl,
    Subl,
    S4subl,
    S8subl,
    Addq,
    S4addq,
    S8addq,
    Subq,
    S4subq,
    S8subq,
    Cmpbge,
    Cmpult,
    Cmpule,
    Cmpeq,
    Cmplt,
    Cmple,
    AddlV,
    SublV,
    AddqV,
    SubqV,
    And,
    Bic,
    Bis,
    Ornot,
    Xor,
    Eqv,
    Cmovlbs,
    Cmovlbc,
    Cmoveq,
    Cmovne,
    Cmovlt,
    Cmovge,
    Cmovle,
    Cmovgt,
    Amask,
    Implver,
    Sll,
    Srl,
    Sra,
    /// Byte manipulation: imm of the operation holds nothing; the variant is in `ByteFn`.
    Mskbl,
    Mskwl,
    Mskll,
    Mskql,
    Mskwh,
    Msklh,
    Mskqh,
    Extbl,
    Extwl,
    Extll,
    Extql,
    Extwh,
    Extlh,
    Extqh,
    Insbl,
    Inswl,
    Insll,
    Insql,
    Inswh,
    Inslh,
    Insqh,
    Zap,
    Zapnot,
    Mull,
    Mulq,
    Umulh,
    MullV,
    MulqV,
    Sextb,
    Sextw,
    Ctpop,
    Ctlz,
    Cttz,
    Perr,
    Unpkbw,
    Unpkbl,
    Pkwb,
    Pklb,
    Minsb8,
    Minsw4,
    Minub8,
    Minuw4,
    Maxub8,
    Maxuw4,
    Maxsb8,
    Maxsw4,
    // --- address arithmetic: rc = r[rb] + imm
    Lda,
    // --- loads: rc <- mem[r[rb] + imm]
    Ldbu,
    Ldwu,
    Ldl,
    Ldq,
    LdqU,
    LdlL,
    LdqL,
    /// Floating loads: rc is an f register.
    Lds,
    Ldt,
    // --- stores: mem[r[rb] + imm] <- r[ra]
    Stb,
    Stw,
    Stl,
    Stq,
    StqU,
    /// Store conditional: ra is both source and (as rc) the success flag destination.
    StlC,
    StqC,
    Sts,
    Stt,
    // --- branches: ra tested, imm = target, rc = link destination (BR/BSR)
    Br,
    Beq,
    Bne,
    Blt,
    Ble,
    Bgt,
    Bge,
    Blbc,
    Blbs,
    Fbeq,
    Fbne,
    Fblt,
    Fble,
    Fbgt,
    Fbge,
    /// JMP/JSR/RET/JSR_COROUTINE: target r[rb] & !3, link to rc.
    Jmp,
    // --- misc
    Nop,
    Rpcc,
    CallPal,
    /// A reserved or privileged encoding: illegal-instruction exit.
    Illegal,
    /// A valid instruction outside the implemented set: unimplemented exit; `imm` indexes
    /// [`UNIMPLEMENTED_NAMES`].
    Unimpl,
    // --- floating point; imm = fn11 (qualifiers) where relevant
    /// IEEE operate on opcode 0x16 (arith/compare/convert): the whole fn11 in imm.
    Fieee,
    /// SQRTS/SQRTT (opcode 0x14): fn11 in imm.
    Fsqrt,
    Itofs,
    Itoft,
    Ftois,
    Ftoit,
    Cvtlq,
    Cvtql,
    Cpys,
    Cpysn,
    Cpyse,
    MtFpcr,
    MfFpcr,
    Fcmoveq,
    Fcmovne,
    Fcmovlt,
    Fcmovge,
    Fcmovle,
    Fcmovgt,
}

/// Mnemonics of the unimplemented (but valid) instruction groups.
pub(crate) const UNIMPLEMENTED_NAMES: [&str; 5] = [
    "vax-float-operate",
    "vax-float-load-store",
    "itoff",
    "sqrt-vax",
    "rc/rs",
];

/// One predecoded instruction.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Inst {
    pub k: K,
    pub ra: u8,
    pub rb: u8,
    pub rc: u8,
    pub imm: u64,
}

impl Inst {
    /// True when the instruction ends a decoded block: unconditional branches and jumps,
    /// and instructions that always stop the interpreter. Conditional branches do not: a
    /// block runs on past a branch not taken (a superblock), and leaves at a taken one.
    pub(crate) fn ends_block(&self) -> bool {
        matches!(self.k, K::Br | K::Jmp | K::CallPal | K::Illegal | K::Unimpl)
    }
}

#[inline]
fn dst(r: u32) -> u8 {
    if r == 31 { SINK } else { r as u8 }
}

fn inst(k: K, ra: u32, rb: u32, rc: u8, imm: u64) -> Inst {
    Inst {
        k,
        ra: ra as u8,
        rb: rb as u8,
        rc,
        imm,
    }
}

fn unimpl(i: u64) -> Inst {
    inst(K::Unimpl, 31, 31, SINK, i)
}

fn illegal() -> Inst {
    inst(K::Illegal, 31, 31, SINK, 0)
}

/// Decodes the instruction word `w` located at `pc`. Illegal instructions carry the word
/// in `imm`; unimplemented ones the name index in the low and the word in the high half.
pub(crate) fn decode(w: u32, pc: u64) -> Inst {
    let mut i = decode_inner(w, pc);
    match i.k {
        K::Illegal => i.imm = u64::from(w),
        K::Unimpl => i.imm |= u64::from(w) << 32,
        _ => {}
    }
    i
}

fn decode_inner(w: u32, pc: u64) -> Inst {
    let op = w >> 26;
    let ra = (w >> 21) & 31;
    let rb = (w >> 16) & 31;
    let rc = w & 31;
    let disp16 = (w & 0xffff) as u16 as i16 as i64 as u64;
    let is_lit = w & 0x1000 != 0;
    let lit = u64::from((w >> 13) & 0xff);
    let fn7 = (w >> 5) & 0x7f;
    let fn11 = (w >> 5) & 0x7ff;
    // Operate format: (rb, imm).
    let (ob, oimm) = if is_lit { (31, lit) } else { (rb, 0) };
    let operate = |k: K| inst(k, ra, ob, dst(rc), oimm);
    let branch_target = pc
        .wrapping_add(4)
        .wrapping_add((((w & 0x1f_ffff) << 11) as i32 >> 9) as i64 as u64);
    let branch = |k: K| inst(k, ra, 31, dst(ra), branch_target);
    match op {
        0x00 => inst(K::CallPal, 31, 31, SINK, u64::from(w & 0x03ff_ffff)),
        0x08 => inst(K::Lda, 31, rb, dst(ra), disp16),
        0x09 => inst(K::Lda, 31, rb, dst(ra), disp16 << 16),
        0x0a => inst(K::Ldbu, 31, rb, dst(ra), disp16),
        0x0b => inst(K::LdqU, 31, rb, dst(ra), disp16),
        0x0c => inst(K::Ldwu, 31, rb, dst(ra), disp16),
        0x0d => inst(K::Stw, ra, rb, SINK, disp16),
        0x0e => inst(K::Stb, ra, rb, SINK, disp16),
        0x0f => inst(K::StqU, ra, rb, SINK, disp16),
        0x10 => operate(match fn7 {
            0x00 => K::Addl,
            0x02 => K::S4addl,
            0x09 => K::Subl,
            0x0b => K::S4subl,
            0x0f => K::Cmpbge,
            0x12 => K::S8addl,
            0x1b => K::S8subl,
            0x1d => K::Cmpult,
            0x20 => K::Addq,
            0x22 => K::S4addq,
            0x29 => K::Subq,
            0x2b => K::S4subq,
            0x2d => K::Cmpeq,
            0x32 => K::S8addq,
            0x3b => K::S8subq,
            0x3d => K::Cmpule,
            0x40 => K::AddlV,
            0x49 => K::SublV,
            0x4d => K::Cmplt,
            0x60 => K::AddqV,
            0x69 => K::SubqV,
            0x6d => K::Cmple,
            _ => return illegal(),
        }),
        0x11 => operate(match fn7 {
            0x00 => K::And,
            0x08 => K::Bic,
            0x14 => K::Cmovlbs,
            0x16 => K::Cmovlbc,
            0x20 => K::Bis,
            0x24 => K::Cmoveq,
            0x26 => K::Cmovne,
            0x28 => K::Ornot,
            0x40 => K::Xor,
            0x44 => K::Cmovlt,
            0x46 => K::Cmovge,
            0x48 => K::Eqv,
            0x61 => K::Amask,
            0x64 => K::Cmovle,
            0x66 => K::Cmovgt,
            0x6c => K::Implver,
            _ => return illegal(),
        }),
        0x12 => operate(match fn7 {
            0x02 => K::Mskbl,
            0x06 => K::Extbl,
            0x0b => K::Insbl,
            0x12 => K::Mskwl,
            0x16 => K::Extwl,
            0x1b => K::Inswl,
            0x22 => K::Mskll,
            0x26 => K::Extll,
            0x2b => K::Insll,
            0x30 => K::Zap,
            0x31 => K::Zapnot,
            0x32 => K::Mskql,
            0x34 => K::Srl,
            0x36 => K::Extql,
            0x39 => K::Sll,
            0x3b => K::Insql,
            0x3c => K::Sra,
            0x52 => K::Mskwh,
            0x57 => K::Inswh,
            0x5a => K::Extwh,
            0x62 => K::Msklh,
            0x67 => K::Inslh,
            0x6a => K::Extlh,
            0x72 => K::Mskqh,
            0x77 => K::Insqh,
            0x7a => K::Extqh,
            _ => return illegal(),
        }),
        0x13 => operate(match fn7 {
            0x00 => K::Mull,
            0x20 => K::Mulq,
            0x30 => K::Umulh,
            0x40 => K::MullV,
            0x60 => K::MulqV,
            _ => return illegal(),
        }),
        0x14 => match fn11 {
            0x004 => inst(K::Itofs, ra, 31, dst(rc), 0),
            0x024 => inst(K::Itoft, ra, 31, dst(rc), 0),
            0x014 => unimpl(2),
            f if f & 0x3f == 0x0b || f & 0x3f == 0x2b => {
                inst(K::Fsqrt, 31, rb, dst(rc), u64::from(f))
            }
            f if f & 0x3f == 0x0a || f & 0x3f == 0x2a => unimpl(3),
            _ => illegal(),
        },
        0x15 => unimpl(0),
        0x16 => {
            let low = fn11 & 0x3f;
            let valid = matches!(
                low,
                0x00 | 0x01 | 0x02 | 0x03 | 0x20 | 0x21 | 0x22 | 0x23 | 0x2c | 0x2f | 0x3c | 0x3e
            ) || matches!(fn11, 0x0a4..=0x0a7 | 0x5a4..=0x5a7);
            if valid {
                inst(K::Fieee, ra, rb, dst(rc), u64::from(fn11))
            } else {
                illegal()
            }
        }
        0x17 => {
            let k = match fn11 {
                0x010 => K::Cvtlq,
                0x020 => K::Cpys,
                0x021 => K::Cpysn,
                0x022 => K::Cpyse,
                0x024 => K::MtFpcr,
                // MF_FPCR writes Fa (the Handbook's operand, and qemu-alpha's choice; the
                // encoding repeats it in Fb and Fc, and any other is UNPREDICTABLE).
                0x025 => return inst(K::MfFpcr, 31, 31, dst(ra), u64::from(fn11)),
                0x02a => K::Fcmoveq,
                0x02b => K::Fcmovne,
                0x02c => K::Fcmovlt,
                0x02d => K::Fcmovge,
                0x02e => K::Fcmovle,
                0x02f => K::Fcmovgt,
                0x030 | 0x130 | 0x530 => K::Cvtql,
                _ => return illegal(),
            };
            inst(k, ra, rb, dst(rc), u64::from(fn11))
        }
        0x18 => match w & 0xffff {
            // TRAPB, EXCB, MB, WMB, FETCH, FETCH_M, ECB, WH64, WH64EN: hints and barriers
            0x0000 | 0x0400 | 0x4000 | 0x4400 | 0x8000 | 0xa000 | 0xe800 | 0xf800 | 0xfc00 => {
                inst(K::Nop, 31, 31, SINK, 0)
            }
            0xc000 => inst(K::Rpcc, 31, 31, dst(ra), 0),
            0xe000 | 0xf000 => unimpl(4),
            _ => illegal(),
        },
        0x1a => inst(K::Jmp, 31, rb, dst(ra), 0),
        0x1c => {
            let k = match fn7 {
                0x00 => K::Sextb,
                0x01 => K::Sextw,
                0x30 => K::Ctpop,
                0x31 => K::Perr,
                0x32 => K::Ctlz,
                0x33 => K::Cttz,
                0x34 => K::Unpkbw,
                0x35 => K::Unpkbl,
                0x36 => K::Pkwb,
                0x37 => K::Pklb,
                0x38 => K::Minsb8,
                0x39 => K::Minsw4,
                0x3a => K::Minub8,
                0x3b => K::Minuw4,
                0x3c => K::Maxub8,
                0x3d => K::Maxuw4,
                0x3e => K::Maxsb8,
                0x3f => K::Maxsw4,
                0x70 if !is_lit => return inst(K::Ftoit, ra, 31, dst(rc), 0),
                0x78 if !is_lit => return inst(K::Ftois, ra, 31, dst(rc), 0),
                _ => return illegal(),
            };
            if is_lit && (0x30..=0x37).contains(&fn7) {
                // CIX counts and the MVI pack/unpack/PERR have no literal form.
                return illegal();
            }
            operate(k)
        }
        0x20 | 0x21 | 0x24 | 0x25 => unimpl(1),
        0x22 => inst(K::Lds, 31, rb, dst(ra), disp16),
        0x23 => inst(K::Ldt, 31, rb, dst(ra), disp16),
        0x26 => inst(K::Sts, ra, rb, SINK, disp16),
        0x27 => inst(K::Stt, ra, rb, SINK, disp16),
        0x28 => inst(K::Ldl, 31, rb, dst(ra), disp16),
        0x29 => inst(K::Ldq, 31, rb, dst(ra), disp16),
        0x2a => inst(K::LdlL, 31, rb, dst(ra), disp16),
        0x2b => inst(K::LdqL, 31, rb, dst(ra), disp16),
        0x2c => inst(K::Stl, ra, rb, SINK, disp16),
        0x2d => inst(K::Stq, ra, rb, SINK, disp16),
        0x2e => inst(K::StlC, ra, rb, dst(ra), disp16),
        0x2f => inst(K::StqC, ra, rb, dst(ra), disp16),
        0x30 | 0x34 => branch(K::Br),
        0x31 => branch(K::Fbeq),
        0x32 => branch(K::Fblt),
        0x33 => branch(K::Fble),
        0x35 => branch(K::Fbne),
        0x36 => branch(K::Fbge),
        0x37 => branch(K::Fbgt),
        0x38 => branch(K::Blbc),
        0x39 => branch(K::Beq),
        0x3a => branch(K::Blt),
        0x3b => branch(K::Ble),
        0x3c => branch(K::Blbs),
        0x3d => branch(K::Bne),
        0x3e => branch(K::Bge),
        0x3f => branch(K::Bgt),
        // 0x01-0x07 reserved, 0x19/0x1b/0x1d-0x1f PALcode-reserved (privileged)
        _ => illegal(),
    }
}
