//! Interpreter throughput on compute-bound guest loops, written as Alpha machine code (the
//! same algorithms as cpu-x86's bench).
//!
//! Each program ends with `ret` to a return address in the thunk range, so a run ends with
//! a Thunk exit; throughput is reported in guest instructions (criterion elements).

use std::hint::black_box;

use cpu_alpha::{AlphaCpu, AlphaState, Exit};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nt_memory::{AddressSpace, AllocationType, GuestMemory, PageProtection, PageSize};

const CODE: u32 = 0x0040_0000;
const DATA: u32 = 0x0050_0000;
const THUNK: u32 = 0x7FFF_0000;

fn mem(op: u32, ra: u32, rb: u32, disp: i32) -> u32 {
    op << 26 | ra << 21 | rb << 16 | (disp as u32 & 0xffff)
}
fn opr(op: u32, ra: u32, rb: u32, func: u32, rc: u32) -> u32 {
    op << 26 | ra << 21 | rb << 16 | func << 5 | rc
}
fn opl(op: u32, ra: u32, lit: u32, func: u32, rc: u32) -> u32 {
    op << 26 | ra << 21 | (lit & 0xff) << 13 | 1 << 12 | func << 5 | rc
}
/// A branch from instruction index `at` to index `to`.
fn bra(op: u32, ra: u32, at: usize, to: usize) -> u32 {
    let disp = to as i32 - at as i32 - 1;
    op << 26 | ra << 21 | (disp as u32 & 0x1f_ffff)
}
const RET: u32 = 0x6bfa_8001;
const BNE: u32 = 0x3d;

/// Sum = Sum * 33 + byte over a 4 KiB buffer (7 instructions per byte).
fn checksum_program() -> Vec<u32> {
    vec![
        mem(0x09, 1, 31, (DATA >> 16) as i32), // ldah r1, DATA>>16
        mem(0x08, 2, 31, 4096),                // lda r2, 4096
        opr(0x11, 31, 31, 0x20, 0),            // bis zero, zero, r0
        // loop (3):
        mem(0x0a, 3, 1, 0),       // ldbu r3, 0(r1)
        opl(0x12, 0, 5, 0x39, 4), // sll r0, 5, r4
        opr(0x10, 4, 0, 0x00, 0), // addl r4, r0, r0
        opr(0x10, 0, 3, 0x00, 0), // addl r0, r3, r0
        mem(0x08, 1, 1, 1),       // lda r1, 1(r1)
        opl(0x10, 2, 1, 0x29, 2), // subq r2, 1, r2
        bra(BNE, 2, 9, 3),        // bne r2, loop
        RET,
    ]
}

/// Bubble sort of 128 longwords at DATA.
fn bubble_program() -> Vec<u32> {
    vec![
        mem(0x09, 7, 31, (DATA >> 16) as i32), // ldah r7, DATA>>16
        mem(0x08, 2, 31, 127),                 // lda r2, 127
        // outer (2):
        opr(0x11, 31, 7, 0x20, 1), // bis zero, r7, r1
        opr(0x11, 31, 2, 0x20, 3), // bis zero, r2, r3
        // inner (4):
        mem(0x28, 4, 1, 0),       // ldl r4, 0(r1)
        mem(0x28, 5, 1, 4),       // ldl r5, 4(r1)
        opr(0x10, 4, 5, 0x6d, 6), // cmple r4, r5, r6
        bra(BNE, 6, 7, 10),       // bne r6, noswap
        mem(0x2c, 5, 1, 0),       // stl r5, 0(r1)
        mem(0x2c, 4, 1, 4),       // stl r4, 4(r1)
        // noswap (10):
        mem(0x08, 1, 1, 4),       // lda r1, 4(r1)
        opl(0x10, 3, 1, 0x29, 3), // subq r3, 1, r3
        bra(BNE, 3, 12, 4),       // bne r3, inner
        opl(0x10, 2, 1, 0x29, 2), // subq r2, 1, r2
        bra(BNE, 2, 14, 2),       // bne r2, outer
        RET,
    ]
}

/// Sum of squares of 1, 1.5, 2, ... in T floating point (5 instructions per term), stored
/// at DATA+16.
fn fp_program() -> Vec<u32> {
    vec![
        mem(0x09, 7, 31, (DATA >> 16) as i32), // ldah r7, DATA>>16
        mem(0x23, 3, 7, 0),                    // ldt f3, 0(r7)   (0.5)
        mem(0x23, 2, 7, 8),                    // ldt f2, 8(r7)   (1.0)
        opr(0x17, 31, 31, 0x020, 1),           // cpys f31, f31, f1
        mem(0x08, 2, 31, 4096),                // lda r2, 4096
        // loop (5):
        opr(0x16, 2, 2, 0x5a2, 4), // mult/su f2, f2, f4
        opr(0x16, 1, 4, 0x5a0, 1), // addt/su f1, f4, f1
        opr(0x16, 2, 3, 0x5a0, 2), // addt/su f2, f3, f2
        opl(0x10, 2, 1, 0x29, 2),  // subq r2, 1, r2
        bra(BNE, 2, 9, 5),         // bne r2, loop
        mem(0x27, 1, 7, 16),       // stt f1, 16(r7)
        RET,
    ]
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
    cpu: AlphaCpu,
    state: AlphaState,
}

impl Guest {
    fn new(code: &[u32], data: &[u8]) -> Guest {
        let mut mem = AddressSpace::new(PageSize::Alpha).unwrap();
        for (base, prot) in [
            (CODE, PageProtection::EXECUTE_READ),
            (DATA, PageProtection::READWRITE),
        ] {
            mem.allocate(
                base,
                0x1_0000,
                AllocationType::RESERVE | AllocationType::COMMIT,
                prot,
            )
            .unwrap();
        }
        let bytes: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
        mem.kernel_write(CODE, &bytes).unwrap();
        mem.kernel_write(DATA, data).unwrap();
        Guest {
            mem,
            cpu: AlphaCpu::new(THUNK),
            state: AlphaState::new(),
        }
    }

    fn run(&mut self, data: Option<&[u8]>) -> u64 {
        if let Some(d) = data {
            self.mem.write_bytes(DATA, d).unwrap();
        }
        self.state.r[26] = u64::from(THUNK);
        self.state.pc = u64::from(CODE);
        let r = self.cpu.run(&mut self.state, &mut self.mem, u64::MAX);
        assert_eq!(r.exit, Exit::Thunk);
        r.retired
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("alpha_interp");

    let buf: Vec<u8> = (0..4096u32).map(|i| (i * 7 + 3) as u8).collect();
    let mut guest = Guest::new(&checksum_program(), &buf);
    let n = guest.run(None);
    g.throughput(Throughput::Elements(n));
    g.bench_function("checksum", |b| b.iter(|| black_box(guest.run(None))));

    let data = bubble_data();
    let mut guest = Guest::new(&bubble_program(), &data);
    let n = guest.run(Some(&data));
    g.throughput(Throughput::Elements(n));
    g.bench_function("bubble_sort", |b| {
        b.iter(|| black_box(guest.run(Some(&data))))
    });

    let mut consts = 0.5f64.to_le_bytes().to_vec();
    consts.extend_from_slice(&1f64.to_le_bytes());
    let mut guest = Guest::new(&fp_program(), &consts);
    let n = guest.run(None);
    g.throughput(Throughput::Elements(n));
    g.bench_function("fp_sum_squares", |b| b.iter(|| black_box(guest.run(None))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
