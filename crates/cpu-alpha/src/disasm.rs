//! Alpha instruction words as assembly text, for diagnostics (an unhandled exception names
//! the instruction it happened at) and test reports.
//!
//! The syntax is that of the GNU assembler and objdump with software register names
//! (`ldl s0,4(s0)`, `addq/v t0,0x10,v0`, `cvttq/svc f1,f2`); a few common idioms are
//! shown by their pseudo-instruction (`nop`, `unop`, `mov`, `clr`, `ret`, `br`). Words
//! that encode no instruction are shown as `.long 0x...`.

/// Integer register names in the software convention.
const INT_NAMES: [&str; 32] = [
    "v0", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "s0", "s1", "s2", "s3", "s4", "s5", "fp",
    "a0", "a1", "a2", "a3", "a4", "a5", "t8", "t9", "t10", "t11", "ra", "pv", "at", "gp", "sp",
    "zero",
];

fn r(n: u32) -> &'static str {
    INT_NAMES[(n & 31) as usize]
}

fn f(n: u32) -> String {
    format!("f{}", n & 31)
}

/// The mnemonic of an integer operate instruction (opcodes 0x10..=0x13 and 0x1c).
fn operate_name(op: u32, fn7: u32) -> Option<&'static str> {
    Some(match (op, fn7) {
        (0x10, 0x00) => "addl",
        (0x10, 0x02) => "s4addl",
        (0x10, 0x09) => "subl",
        (0x10, 0x0b) => "s4subl",
        (0x10, 0x0f) => "cmpbge",
        (0x10, 0x12) => "s8addl",
        (0x10, 0x1b) => "s8subl",
        (0x10, 0x1d) => "cmpult",
        (0x10, 0x20) => "addq",
        (0x10, 0x22) => "s4addq",
        (0x10, 0x29) => "subq",
        (0x10, 0x2b) => "s4subq",
        (0x10, 0x2d) => "cmpeq",
        (0x10, 0x32) => "s8addq",
        (0x10, 0x3b) => "s8subq",
        (0x10, 0x3d) => "cmpule",
        (0x10, 0x40) => "addl/v",
        (0x10, 0x49) => "subl/v",
        (0x10, 0x4d) => "cmplt",
        (0x10, 0x60) => "addq/v",
        (0x10, 0x69) => "subq/v",
        (0x10, 0x6d) => "cmple",
        (0x11, 0x00) => "and",
        (0x11, 0x08) => "bic",
        (0x11, 0x14) => "cmovlbs",
        (0x11, 0x16) => "cmovlbc",
        (0x11, 0x20) => "bis",
        (0x11, 0x24) => "cmoveq",
        (0x11, 0x26) => "cmovne",
        (0x11, 0x28) => "ornot",
        (0x11, 0x40) => "xor",
        (0x11, 0x44) => "cmovlt",
        (0x11, 0x46) => "cmovge",
        (0x11, 0x48) => "eqv",
        (0x11, 0x61) => "amask",
        (0x11, 0x64) => "cmovle",
        (0x11, 0x66) => "cmovgt",
        (0x11, 0x6c) => "implver",
        (0x12, 0x02) => "mskbl",
        (0x12, 0x06) => "extbl",
        (0x12, 0x0b) => "insbl",
        (0x12, 0x12) => "mskwl",
        (0x12, 0x16) => "extwl",
        (0x12, 0x1b) => "inswl",
        (0x12, 0x22) => "mskll",
        (0x12, 0x26) => "extll",
        (0x12, 0x2b) => "insll",
        (0x12, 0x30) => "zap",
        (0x12, 0x31) => "zapnot",
        (0x12, 0x32) => "mskql",
        (0x12, 0x34) => "srl",
        (0x12, 0x36) => "extql",
        (0x12, 0x39) => "sll",
        (0x12, 0x3b) => "insql",
        (0x12, 0x3c) => "sra",
        (0x12, 0x52) => "mskwh",
        (0x12, 0x57) => "inswh",
        (0x12, 0x5a) => "extwh",
        (0x12, 0x62) => "msklh",
        (0x12, 0x67) => "inslh",
        (0x12, 0x6a) => "extlh",
        (0x12, 0x72) => "mskqh",
        (0x12, 0x77) => "insqh",
        (0x12, 0x7a) => "extqh",
        (0x13, 0x00) => "mull",
        (0x13, 0x20) => "mulq",
        (0x13, 0x30) => "umulh",
        (0x13, 0x40) => "mull/v",
        (0x13, 0x60) => "mulq/v",
        (0x1c, 0x00) => "sextb",
        (0x1c, 0x01) => "sextw",
        (0x1c, 0x30) => "ctpop",
        (0x1c, 0x31) => "perr",
        (0x1c, 0x32) => "ctlz",
        (0x1c, 0x33) => "cttz",
        (0x1c, 0x34) => "unpkbw",
        (0x1c, 0x35) => "unpkbl",
        (0x1c, 0x36) => "pkwb",
        (0x1c, 0x37) => "pklb",
        (0x1c, 0x38) => "minsb8",
        (0x1c, 0x39) => "minsw4",
        (0x1c, 0x3a) => "minub8",
        (0x1c, 0x3b) => "minuw4",
        (0x1c, 0x3c) => "maxub8",
        (0x1c, 0x3d) => "maxuw4",
        (0x1c, 0x3e) => "maxsb8",
        (0x1c, 0x3f) => "maxsw4",
        _ => return None,
    })
}

/// The base name of an IEEE operate instruction of opcode 0x16 or 0x14 (low six bits of
/// the function field).
fn ieee_name(op: u32, low: u32) -> Option<&'static str> {
    Some(match (op, low) {
        (0x16, 0x00) => "adds",
        (0x16, 0x01) => "subs",
        (0x16, 0x02) => "muls",
        (0x16, 0x03) => "divs",
        (0x16, 0x20) => "addt",
        (0x16, 0x21) => "subt",
        (0x16, 0x22) => "mult",
        (0x16, 0x23) => "divt",
        (0x16, 0x24) => "cmptun",
        (0x16, 0x25) => "cmpteq",
        (0x16, 0x26) => "cmptlt",
        (0x16, 0x27) => "cmptle",
        (0x16, 0x2c) => "cvtts",
        (0x16, 0x2f) => "cvttq",
        (0x16, 0x3c) => "cvtqs",
        (0x16, 0x3e) => "cvtqt",
        (0x14, 0x0b) => "sqrts",
        (0x14, 0x2b) => "sqrtt",
        _ => return None,
    })
}

/// The qualifier suffix of an IEEE function field: trap bits (/u, /su, /sui, or /v... for
/// the integer conversions) and rounding (/c, /m, /d).
fn ieee_qualifiers(fn11: u32) -> String {
    let low = fn11 & 0x3f;
    let trap = (fn11 >> 8) & 7;
    let integer = low == 0x2f;
    let mut q = String::new();
    if trap & 4 != 0 {
        q.push('s');
    }
    if trap & 1 != 0 {
        q.push(if integer { 'v' } else { 'u' });
    }
    if trap & 2 != 0 {
        q.push('i');
    }
    // CVTST is CVTTS with the /S qualifier and function 0x2ac.
    match (fn11 >> 6) & 3 {
        0 => q.push('c'),
        1 => q.push('m'),
        3 => q.push('d'),
        _ => {}
    }
    if q.is_empty() { q } else { format!("/{q}") }
}

/// Disassembles the instruction word `word` located at `pc` (branch targets are absolute).
pub fn disassemble(word: u32, pc: u32) -> String {
    let op = word >> 26;
    let ra = (word >> 21) & 31;
    let rb = (word >> 16) & 31;
    let rc = word & 31;
    let disp = word as u16 as i16;
    let fn7 = (word >> 5) & 0x7f;
    let fn11 = (word >> 5) & 0x7ff;
    let lit = (word >> 13) & 0xff;
    let is_lit = word & 0x1000 != 0;
    let mem = |name: &str, reg: String| format!("{name} {reg},{disp}({})", r(rb));
    let raw = || format!(".long {word:#010x}");
    match op {
        0x00 => match word & 0x03ff_ffff {
            0x80 => "bpt".into(),
            0x81 => "bugchk".into(),
            0x83 => "callsys".into(),
            0x86 => "imb".into(),
            0xaa => "gentrap".into(),
            0xab => "rdteb".into(),
            n => format!("call_pal {n:#x}"),
        },
        0x08 if rb == 31 => format!("lda {},{disp}", r(ra)),
        0x08 => mem("lda", r(ra).into()),
        0x09 if rb == 31 => format!("ldah {},{disp}", r(ra)),
        0x09 => mem("ldah", r(ra).into()),
        0x0a => mem("ldbu", r(ra).into()),
        0x0b if ra == 31 => "unop".into(),
        0x0b => mem("ldq_u", r(ra).into()),
        0x0c => mem("ldwu", r(ra).into()),
        0x0d => mem("stw", r(ra).into()),
        0x0e => mem("stb", r(ra).into()),
        0x0f => mem("stq_u", r(ra).into()),
        0x10..=0x13 | 0x1c => {
            if op == 0x1c && (fn7 == 0x70 || fn7 == 0x78) {
                let name = if fn7 == 0x70 { "ftoit" } else { "ftois" };
                return format!("{name} {},{}", f(ra), r(rc));
            }
            let Some(name) = operate_name(op, fn7) else {
                return raw();
            };
            let b = if is_lit {
                format!("{lit:#x}")
            } else {
                r(rb).to_string()
            };
            match (op, fn7) {
                (0x11, 0x20) if word == 0x47ff_041f => "nop".into(),
                (0x11, 0x20) if ra == 31 && rc == 31 => "nop".into(),
                (0x11, 0x20) if ra == 31 && !is_lit && rb == 31 => format!("clr {}", r(rc)),
                (0x11, 0x20) if ra == 31 => format!("mov {b},{}", r(rc)),
                (0x10, 0x00) if ra == 31 => format!("sextl {b},{}", r(rc)),
                (0x11, 0x61) => format!("amask {b},{}", r(rc)),
                (0x11, 0x6c) => format!("implver {}", r(rc)),
                (0x1c, 0x00 | 0x01 | 0x30 | 0x32..=0x37) => format!("{name} {b},{}", r(rc)),
                _ => format!("{name} {},{b},{}", r(ra), r(rc)),
            }
        }
        0x14 => match fn11 {
            0x004 => format!("itofs {},{}", r(ra), f(rc)),
            0x024 => format!("itoft {},{}", r(ra), f(rc)),
            0x014 => format!("itoff {},{}", r(ra), f(rc)),
            _ => match ieee_name(0x14, fn11 & 0x3f) {
                Some(name) => format!("{name}{} {},{}", ieee_qualifiers(fn11), f(rb), f(rc)),
                None => raw(),
            },
        },
        0x15 => format!("vax-fp {:#x} {},{},{}", fn11, f(ra), f(rb), f(rc)),
        0x16 => {
            let low = fn11 & 0x3f;
            let name = if fn11 & 0x3ff == 0x2ac {
                Some("cvtst")
            } else {
                ieee_name(0x16, low)
            };
            match name {
                Some("cvtst") => format!(
                    "cvtst{} {},{}",
                    ieee_qualifiers(fn11 & !0x200),
                    f(rb),
                    f(rc)
                ),
                Some(name) if matches!(low, 0x2c | 0x2f | 0x3c | 0x3e) => {
                    format!("{name}{} {},{}", ieee_qualifiers(fn11), f(rb), f(rc))
                }
                Some(name) => {
                    format!(
                        "{name}{} {},{},{}",
                        ieee_qualifiers(fn11),
                        f(ra),
                        f(rb),
                        f(rc)
                    )
                }
                None => raw(),
            }
        }
        0x17 => {
            let name = match fn11 {
                0x010 => "cvtlq",
                0x020 if ra == 31 && rb == 31 && rc == 31 => return "fnop".into(),
                0x020 if ra == 31 && rb == 31 => return format!("fclr {}", f(rc)),
                0x020 if ra == rb => return format!("fmov {},{}", f(ra), f(rc)),
                0x020 => "cpys",
                0x021 if ra == rb => return format!("fneg {},{}", f(ra), f(rc)),
                0x021 => "cpysn",
                0x022 => "cpyse",
                0x024 => return format!("mt_fpcr {}", f(ra)),
                0x025 => return format!("mf_fpcr {}", f(ra)),
                0x02a => "fcmoveq",
                0x02b => "fcmovne",
                0x02c => "fcmovlt",
                0x02d => "fcmovge",
                0x02e => "fcmovle",
                0x02f => "fcmovgt",
                0x030 => "cvtql",
                0x130 => "cvtql/v",
                0x530 => "cvtql/sv",
                _ => return raw(),
            };
            if matches!(fn11, 0x010 | 0x030 | 0x130 | 0x530) {
                format!("{name} {},{}", f(rb), f(rc))
            } else {
                format!("{name} {},{},{}", f(ra), f(rb), f(rc))
            }
        }
        0x18 => match word & 0xffff {
            0x0000 => "trapb".into(),
            0x0400 => "excb".into(),
            0x4000 => "mb".into(),
            0x4400 => "wmb".into(),
            0x8000 => format!("fetch 0({})", r(rb)),
            0xa000 => format!("fetch_m 0({})", r(rb)),
            0xc000 => format!("rpcc {}", r(ra)),
            0xe000 => format!("rc {}", r(ra)),
            0xe800 => format!("ecb ({})", r(rb)),
            0xf000 => format!("rs {}", r(ra)),
            0xf800 => format!("wh64 ({})", r(rb)),
            0xfc00 => format!("wh64en ({})", r(rb)),
            _ => raw(),
        },
        0x1a => {
            let name = ["jmp", "jsr", "ret", "jsr_coroutine"][((word >> 14) & 3) as usize];
            if name == "ret" && ra == 31 && rb == 26 {
                "ret".into()
            } else {
                format!("{name} {},({})", r(ra), r(rb))
            }
        }
        0x20 | 0x21 | 0x24 | 0x25 => {
            let name = ["ldf", "ldg", "", "", "stf", "stg"][(op - 0x20) as usize];
            mem(name, f(ra))
        }
        0x22 => mem("lds", f(ra)),
        0x23 => mem("ldt", f(ra)),
        0x26 => mem("sts", f(ra)),
        0x27 => mem("stt", f(ra)),
        0x28 => mem("ldl", r(ra).into()),
        0x29 => mem("ldq", r(ra).into()),
        0x2a => mem("ldl_l", r(ra).into()),
        0x2b => mem("ldq_l", r(ra).into()),
        0x2c => mem("stl", r(ra).into()),
        0x2d => mem("stq", r(ra).into()),
        0x2e => mem("stl_c", r(ra).into()),
        0x2f => mem("stq_c", r(ra).into()),
        0x30..=0x3f => {
            let off = ((word & 0x1f_ffff) << 11) as i32 >> 9;
            let target = pc.wrapping_add(4).wrapping_add(off as u32);
            let name = [
                "br", "fbeq", "fblt", "fble", "bsr", "fbne", "fbge", "fbgt", "blbc", "beq", "blt",
                "ble", "blbs", "bne", "bge", "bgt",
            ][(op - 0x30) as usize];
            let reg = if (0x31..=0x37).contains(&op) && op != 0x34 {
                f(ra)
            } else {
                r(ra).to_string()
            };
            if op == 0x30 && ra == 31 {
                format!("br {target:#x}")
            } else {
                format!("{name} {reg},{target:#x}")
            }
        }
        _ => raw(),
    }
}

#[cfg(test)]
mod tests {
    use super::disassemble;

    #[test]
    fn reads_like_objdump() {
        // Words and texts from GNU objdump on Alpha code.
        let cases: [(u32, &str); 32] = [
            (0xa1290004, "ldl s0,4(s0)"),
            (0x23defff0, "lda sp,-16(sp)"),
            (0xb75e0000, "stq ra,0(sp)"),
            (0x47f00400, "mov a0,v0"),
            (0x43e00010, "sextl v0,a0"),
            (0x6bfa8001, "ret"),
            (0x4941f620, "zapnot s1,0xf,v0"),
            (0x402007a0, "cmpule t0,v0,v0"),
            (0x241f004c, "ldah v0,76"),
            (0x6b5c4000, "jsr ra,(at)"),
            (0x2c010000, "ldq_u v0,0(t0)"),
            (0x48120040, "mskbl v0,a2,v0"),
            (0x4a120170, "insbl a0,a2,a0"),
            (0x3c010000, "stq_u v0,0(t0)"),
            (0x47ff041f, "nop"),
            (0x2ffe0000, "unop"),
            (0x00000080, "bpt"),
            (0x5bfea5e2, "cvttq/svc f30,f2"),
            (0x58a1f421, "subt/sui f5,f1,f1"),
            (0x5be15582, "cvtst f1,f2"),
            (0x5be1d582, "cvtst/s f1,f2"),
            (0x5be1f782, "cvtqs/sui f1,f2"),
            (0x5be11d82, "cvtts/d f1,f2"),
            (0x5822b4a3, "cmpteq/su f1,f2,f3"),
            (0x5fe2a603, "cvtql/sv f2,f3"),
            (0x53e2b163, "sqrts/su f2,f3"),
            (0x53e2f563, "sqrtt/sui f2,f3"),
            (0x5be135e2, "cvttq/v f1,f2"),
            (0x5be1fde2, "cvttq/svid f1,f2"),
            (0x5c210401, "fmov f1,f1"),
            (0x60004000, "mb"),
            (0x1c000000, ".long 0x1c000000"),
        ];
        for (word, text) in cases {
            assert_eq!(disassemble(word, 0x1000), text, "{word:#010x}");
        }
        // Branch targets are absolute.
        assert_eq!(disassemble(0xe4000004, 0x489818), "beq v0,0x48982c");
        assert_eq!(disassemble(0xc3ffffc1, 0x489814), "br 0x48971c");
    }
}
