//! Interpreter throughput on compute-bound guest loops, hand-assembled as machine code.
//!
//! Each program ends with `ret` to a return address in the thunk range, so a run ends with
//! a Thunk exit; throughput is reported in guest instructions (criterion elements). The
//! `_jit` variants run the same program on the JIT tier (blocks translated once hot).

use std::hint::black_box;

use cpu_x86::{Exit, Tier, X86Cpu, X86State};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nt_memory::{AddressSpace, AllocationType, GuestMemory, PageProtection, PageSize};

const CODE: u32 = 0x0040_0000;
const DATA: u32 = 0x0050_0000;
const STACK_TOP: u32 = 0x0080_0000;
const THUNK: u32 = 0x7FFF_0000;

/// A tiny assembler: raw bytes plus rel8 branches to labels.
struct Asm {
    code: Vec<u8>,
    fixups: Vec<(usize, usize)>,
    labels: Vec<usize>,
}

impl Asm {
    fn new() -> Asm {
        Asm {
            code: Vec::new(),
            fixups: Vec::new(),
            labels: vec![usize::MAX; 16],
        }
    }
    fn b(&mut self, bytes: &[u8]) -> &mut Asm {
        self.code.extend_from_slice(bytes);
        self
    }
    fn label(&mut self, l: usize) -> &mut Asm {
        self.labels[l] = self.code.len();
        self
    }
    /// A short conditional or unconditional jump (opcode byte given) to label `l`.
    fn j8(&mut self, opcode: u8, l: usize) -> &mut Asm {
        self.code.push(opcode);
        self.code.push(0);
        self.fixups.push((self.code.len() - 1, l));
        self
    }
    fn finish(&mut self) -> Vec<u8> {
        for &(at, l) in &self.fixups {
            let rel = self.labels[l] as isize - (at as isize + 1);
            self.code[at] = i8::try_from(rel).expect("short jump") as u8;
        }
        self.code.clone()
    }
}

fn space() -> AddressSpace {
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
    mem
}

/// Sum = Sum * 33 + byte over a 4 KiB buffer (8 instructions per byte).
fn checksum_program() -> Vec<u8> {
    let mut a = Asm::new();
    a.b(&[0xbe])
        .b(&DATA.to_le_bytes()) // mov esi, DATA
        .b(&[0xb9, 0x00, 0x10, 0x00, 0x00]) // mov ecx, 4096
        .b(&[0x31, 0xc0]) // xor eax, eax
        .label(0)
        .b(&[0x0f, 0xb6, 0x16]) // movzx edx, byte [esi]
        .b(&[0x89, 0xc3]) // mov ebx, eax
        .b(&[0xc1, 0xe0, 0x05]) // shl eax, 5
        .b(&[0x01, 0xd8]) // add eax, ebx
        .b(&[0x01, 0xd0]) // add eax, edx
        .b(&[0x46]) // inc esi
        .b(&[0x49]) // dec ecx
        .j8(0x75, 0) // jnz top
        .b(&[0xc3]); // ret
    a.finish()
}

/// Bubble sort of 128 dwords at DATA.
fn bubble_program() -> Vec<u8> {
    let mut a = Asm::new();
    a.b(&[0xbf])
        .b(&DATA.to_le_bytes()) // mov edi, DATA
        .b(&[0xb9, 127, 0, 0, 0]) // mov ecx, 127
        .label(0)
        .b(&[0x89, 0xfe]) // mov esi, edi
        .b(&[0x89, 0xcb]) // mov ebx, ecx
        .label(1)
        .b(&[0x8b, 0x06]) // mov eax, [esi]
        .b(&[0x8b, 0x56, 0x04]) // mov edx, [esi+4]
        .b(&[0x39, 0xd0]) // cmp eax, edx
        .j8(0x7e, 2) // jle noswap
        .b(&[0x89, 0x16]) // mov [esi], edx
        .b(&[0x89, 0x46, 0x04]) // mov [esi+4], eax
        .label(2)
        .b(&[0x83, 0xc6, 0x04]) // add esi, 4
        .b(&[0x4b]) // dec ebx
        .j8(0x75, 1) // jnz inner
        .b(&[0x49]) // dec ecx
        .j8(0x75, 0) // jnz outer
        .b(&[0xc3]); // ret
    a.finish()
}

/// x87: sum of squares of 1, 1.5, 2, ... (6 instructions per term), stored at DATA+8.
fn fp_program() -> Vec<u8> {
    let mut a = Asm::new();
    a.b(&[0xd9, 0xee]) // fldz (acc)
        .b(&[0xd9, 0xe8]) // fld1 (x)
        .b(&[0xb9, 0x00, 0x10, 0x00, 0x00]) // mov ecx, 4096
        .label(0)
        .b(&[0xd9, 0xc0]) // fld st(0)
        .b(&[0xd8, 0xc8]) // fmul st, st(0)
        .b(&[0xde, 0xc2]) // faddp st(2), st
        .b(&[0xdc, 0x05])
        .b(&DATA.to_le_bytes()) // fadd qword [DATA] (0.5)
        .b(&[0x49]) // dec ecx
        .j8(0x75, 0) // jnz
        .b(&[0xdd, 0xd8]) // fstp st(0)
        .b(&[0xdd, 0x1d])
        .b(&(DATA + 8).to_le_bytes()) // fstp qword [DATA+8]
        .b(&[0xc3]);
    a.finish()
}

fn bubble_data() -> Vec<u8> {
    let mut x = 0x1234_5678u32;
    let mut out = Vec::new();
    for _ in 0..128 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out.extend_from_slice(&(x % 100_000).to_le_bytes());
    }
    out
}

struct Guest {
    mem: AddressSpace,
    cpu: X86Cpu,
    state: X86State,
}

impl Guest {
    fn new(code: &[u8], data: &[u8], tier: Tier) -> Guest {
        let mut mem = space();
        mem.kernel_write(CODE, code).unwrap();
        mem.kernel_write(DATA, data).unwrap();
        Guest {
            mem,
            cpu: X86Cpu::with_tier(THUNK, tier),
            state: X86State::new(),
        }
    }

    fn run(&mut self, data: Option<&[u8]>) -> u64 {
        if let Some(d) = data {
            self.mem.write_bytes(DATA, d).unwrap();
        }
        self.state.gpr[4] = STACK_TOP - 4;
        self.mem.write_u32(STACK_TOP - 4, THUNK).unwrap();
        self.state.eip = CODE;
        let r = self.cpu.run(&mut self.state, &mut self.mem, u64::MAX);
        assert_eq!(r.exit, Exit::Thunk);
        r.retired
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("interp");

    let buf: Vec<u8> = (0..4096u32).map(|i| (i * 7 + 3) as u8).collect();
    let mut guest = Guest::new(&checksum_program(), &buf, Tier::Interp);
    let n = guest.run(None);
    g.throughput(Throughput::Elements(n));
    g.bench_function("checksum", |b| b.iter(|| black_box(guest.run(None))));
    if cpu_x86::jit_supported() {
        let mut guest = Guest::new(&checksum_program(), &buf, Tier::Jit);
        assert_eq!(guest.run(None), n);
        g.bench_function("checksum_jit", |b| b.iter(|| black_box(guest.run(None))));
    }

    let data = bubble_data();
    let mut guest = Guest::new(&bubble_program(), &data, Tier::Interp);
    let n = guest.run(Some(&data));
    g.throughput(Throughput::Elements(n));
    g.bench_function("bubble_sort", |b| {
        b.iter(|| black_box(guest.run(Some(&data))))
    });
    if cpu_x86::jit_supported() {
        let mut guest = Guest::new(&bubble_program(), &data, Tier::Jit);
        assert_eq!(guest.run(Some(&data)), n);
        g.bench_function("bubble_sort_jit", |b| {
            b.iter(|| black_box(guest.run(Some(&data))))
        });
    }

    let mut guest = Guest::new(&fp_program(), &0.5f64.to_le_bytes(), Tier::Interp);
    let n = guest.run(None);
    g.throughput(Throughput::Elements(n));
    g.bench_function("x87_sum_of_squares", |b| {
        b.iter(|| black_box(guest.run(None)))
    });

    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
