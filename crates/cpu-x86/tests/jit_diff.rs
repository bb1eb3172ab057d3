//! Differential test of the JIT tier: random short streams of integer instructions (ALU of
//! every size, moves, loads and stores, shifts, multiplies, SETcc, CMOVcc, stack
//! operations, forward conditional branches, a counted loop, and now and then a load from an
//! unmapped page) run under the interpreter and under the JIT tier (every block translated
//! at its first or second run), in quanta of random size, and every register, EFLAGS, EIP,
//! the exit, the instructions retired and the data and stack memory must agree after every
//! quantum. The generator is a fixed-seed xorshift, so a failure names a reproducible case.

use cpu_x86::{Exit, Tier, X86Cpu, X86State, reg};
use nt_memory::{AddressSpace, AllocationType, GuestMemory, PageProtection, PageSize};

const CODE: u32 = 0x0040_0000;
const DATA: u32 = 0x0050_0000;
const STACK_TOP: u32 = 0x0080_0000;
/// Unmapped: loads from here fault.
const HOLE: u32 = 0x0060_0000;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 16) as u32
    }
    fn below(&mut self, n: u32) -> u32 {
        self.next() % n
    }
    /// A register other than ESP, EBX (the data pointer) and, with `no_ecx`, ECX.
    fn reg(&mut self, no_ecx: bool) -> u8 {
        let set: &[u8] = if no_ecx {
            &[0, 2, 5, 6, 7]
        } else {
            &[0, 1, 2, 5, 6, 7]
        };
        set[self.below(set.len() as u32) as usize]
    }
    fn imm32(&mut self) -> [u8; 4] {
        let v = match self.below(4) {
            0 => self.below(4),
            1 => 0x7fff_ffff + self.below(3),
            2 => 0xffff_fffe + self.below(2),
            _ => self.next(),
        };
        v.to_le_bytes()
    }
}

/// `[ebx + disp8]` with a 4-aligned displacement below 0x40 (ModRM for reg field `r`).
fn mem_ebx(rng: &mut Rng, r: u8) -> Vec<u8> {
    vec![0x43 | (r << 3), (rng.below(16) * 4) as u8]
}

/// One random instruction (a forward branch includes what it skips).
fn instruction(rng: &mut Rng, no_ecx: bool, out: &mut Vec<u8>) {
    let d = rng.reg(no_ecx);
    let s = rng.reg(false);
    let modrm = |r: u8, m: u8| 0xc0 | (r << 3) | m;
    let alu = rng.below(8);
    match rng.below(30) {
        0 | 1 => out.extend([
            [0x01, 0x09, 0x11, 0x19, 0x21, 0x29, 0x31, 0x39][alu as usize],
            modrm(s, d),
        ]),
        2 => out.extend([0x85, modrm(s, d)]),
        3 => {
            out.extend([0x81, modrm(alu as u8, d)]);
            out.extend(rng.imm32());
        }
        4 => out.extend([0x83, modrm(alu as u8, d), rng.next() as u8]),
        5 => {
            // 8-bit ALU on any byte register but BL/BH and CL/CH when ECX counts.
            let b = |rng: &mut Rng| loop {
                let r = rng.below(8) as u8;
                if r & 3 != 3 && !(no_ecx && r & 3 == 1) {
                    return r;
                }
            };
            let (x, y) = (b(rng), b(rng));
            out.extend([
                [0x00, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38][alu as usize],
                modrm(y, x),
            ]);
        }
        6 => {
            let r = [0u8, 2, 4, 6][rng.below(4) as usize];
            out.extend([0x80, modrm(alu as u8, r), rng.next() as u8]);
        }
        7 => out.extend([
            0x66,
            [0x01, 0x29, 0x31, 0x21][rng.below(4) as usize],
            modrm(s, d),
        ]),
        8 => out.extend([0x89, modrm(s, d)]),
        9 => {
            out.push(0xb8 + d);
            out.extend(rng.imm32());
        }
        10 => {
            out.push(0x8b);
            out.extend(mem_ebx(rng, d));
        }
        11 => {
            out.push(0x89);
            out.extend(mem_ebx(rng, s));
        }
        12 => {
            out.push([0x01, 0x03, 0x29, 0x2b, 0x39, 0x3b, 0x11, 0x21][alu as usize]);
            let r = if alu & 1 == 1 { d } else { s };
            out.extend(mem_ebx(rng, r));
        }
        13 => {
            out.push(0x83);
            out.extend(mem_ebx(rng, alu as u8));
            out.push(rng.next() as u8);
        }
        14 => {
            let op =
                [[0x0f, 0xb6], [0x0f, 0xbe], [0x0f, 0xb7], [0x0f, 0xbf]][rng.below(4) as usize];
            out.extend(op);
            out.extend(mem_ebx(rng, d));
        }
        15 => {
            out.push([0x88, 0x8a][rng.below(2) as usize]);
            let r = [0u8, 2][rng.below(2) as usize];
            out.extend(mem_ebx(rng, r));
        }
        16 => out.push([0x40, 0x48][rng.below(2) as usize] + d),
        17 => out.extend([0xf7, modrm([2, 3][rng.below(2) as usize], d)]),
        18 => out.extend([
            0xc1,
            modrm([4, 5, 7][rng.below(3) as usize], d),
            1 + rng.below(31) as u8,
        ]),
        19 => out.extend([0x0f, 0xaf, modrm(d, s)]),
        20 => {
            out.extend([0x69, modrm(d, s)]);
            out.extend(rng.imm32());
        }
        21 => out.extend([0x6b, modrm(d, s), rng.next() as u8]),
        22 => out.extend([
            0x0f,
            0x90 + rng.below(16) as u8,
            modrm(0, [0u8, 2, 4, 6][rng.below(4) as usize]),
        ]),
        23 => out.extend([0x0f, 0x40 + rng.below(16) as u8, modrm(d, s)]),
        24 => out.push([0x99, 0x98, 0x90][rng.below(3) as usize]),
        25 => out.extend([
            0x8d,
            0x44 | (d << 3),
            (s << 3) | (rng.below(4) as u8) << 6 | 3,
            rng.next() as u8,
        ]),
        26 => {
            // push s; pop d
            out.extend([0x50 + s, 0x58 + d]);
        }
        27 => {
            // jcc over the next instruction
            let mut skipped = Vec::new();
            instruction(rng, no_ecx, &mut skipped);
            out.extend([0x70 + rng.below(16) as u8, skipped.len() as u8]);
            out.extend(skipped);
        }
        28 if rng.below(8) == 0 => {
            // a load from an unmapped page
            out.extend([0x8b, 0x83 | (d << 3)]);
            out.extend((HOLE - DATA).to_le_bytes());
        }
        _ => out.extend([0x3b, modrm(d, s)]),
    }
}

/// A program: a straight part, a loop counted by ECX, a straight part, `ret`.
fn program(rng: &mut Rng) -> Vec<u8> {
    let mut code = Vec::new();
    for _ in 0..rng.below(6) {
        instruction(rng, false, &mut code);
    }
    code.push(0xb9); // mov ecx, n
    code.extend((1 + rng.below(20)).to_le_bytes());
    let top = code.len();
    for _ in 0..1 + rng.below(8) {
        instruction(rng, true, &mut code);
    }
    code.push(0x49); // dec ecx
    let back = top as i64 - (code.len() as i64 + 2);
    if back < -128 {
        code.extend([0x0f, 0x85]);
        code.extend(((top as i64 - (code.len() as i64 + 4)) as i32).to_le_bytes());
    } else {
        code.extend([0x75, back as i8 as u8]);
    }
    for _ in 0..rng.below(6) {
        instruction(rng, false, &mut code);
    }
    code.push(0xc3);
    code
}

struct Vm {
    mem: AddressSpace,
    cpu: X86Cpu,
    st: X86State,
}

impl Vm {
    fn new(code: &[u8], tier: Tier, threshold: u32, init: &X86State, data: &[u8]) -> Vm {
        let mut mem = AddressSpace::new(PageSize::X86).unwrap();
        for (base, prot) in [
            (CODE, PageProtection::EXECUTE_READ),
            (DATA, PageProtection::READWRITE),
            (STACK_TOP - 0x1_0000, PageProtection::READWRITE),
        ] {
            mem.allocate(
                base,
                0x1_0000,
                AllocationType::RESERVE | AllocationType::COMMIT,
                prot,
            )
            .unwrap();
        }
        mem.kernel_write(CODE, code).unwrap();
        mem.kernel_write(DATA, data).unwrap();
        mem.write_u32(STACK_TOP - 4, THUNK).unwrap();
        let mut cpu = X86Cpu::with_tier(THUNK, tier);
        cpu.set_jit_threshold(threshold);
        Vm {
            mem,
            cpu,
            st: init.clone(),
        }
    }
}

const THUNK: u32 = 0x7FFF_0000;

fn snapshot(vm: &Vm) -> Vec<u8> {
    let mut d = vec![0u8; 0x100];
    vm.mem.read_bytes(DATA, &mut d).unwrap();
    let mut s = vec![0u8; 0x40];
    vm.mem.read_bytes(STACK_TOP - 0x40, &mut s).unwrap();
    d.extend(s);
    d
}

#[test]
fn random_streams_agree_with_the_interpreter() {
    if !cpu_x86::jit_supported() {
        return;
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut compiled = 0;
    for case in 0..400 {
        let code = program(&mut rng);
        let mut init = X86State::new();
        for r in [0, 1, 2, 5, 6, 7] {
            init.gpr[r] = rng.imm32().iter().fold(0, |a, &b| (a << 8) | u32::from(b));
        }
        init.gpr[reg::EBX] = DATA;
        init.gpr[reg::ESP] = STACK_TOP - 4;
        init.eip = CODE;
        init.eflags = 0x202 | (rng.next() & 0x8d5);
        let data: Vec<u8> = (0..0x100).map(|_| rng.next() as u8).collect();
        let threshold = 1 + rng.below(2);
        let mut a = Vm::new(&code, Tier::Interp, 1, &init, &data);
        let mut b = Vm::new(&code, Tier::Jit, threshold, &init, &data);
        let mut quanta = 0;
        loop {
            let range = if rng.below(2) == 0 { 8 } else { 400 };
            let budget = u64::from(1 + rng.below(range));
            let ra = a.cpu.run(&mut a.st, &mut a.mem, budget);
            let rb = b.cpu.run(&mut b.st, &mut b.mem, budget);
            let what = format!("case {case} quantum {quanta} budget {budget} code {code:02x?}");
            assert_eq!(ra, rb, "{what}");
            assert_eq!(a.st, b.st, "{what}");
            assert_eq!(snapshot(&a), snapshot(&b), "{what}");
            quanta += 1;
            if ra.exit != Exit::QuantumExpired || quanta > 10_000 {
                break;
            }
        }
        compiled += b.cpu.compiled_blocks();
    }
    assert!(compiled > 250, "only {compiled} blocks were compiled");
}
