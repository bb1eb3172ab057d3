//! Unit tests of the interpreter on small hand-encoded Alpha programs.

use cpu_alpha::{AlphaCpu, AlphaState, Exit, pal};
use nt_memory::{
    Access, AddressSpace, AllocationType, FaultKind, GuestMemory, PageProtection, PageSize,
};

const CODE: u32 = 0x0040_0000;
const DATA: u32 = 0x0050_0000;
const THUNK: u32 = 0x7FFF_0000;

// Encoders.
fn mem(op: u32, ra: u32, rb: u32, disp: i32) -> u32 {
    op << 26 | ra << 21 | rb << 16 | (disp as u32 & 0xffff)
}
fn opr(op: u32, ra: u32, rb: u32, func: u32, rc: u32) -> u32 {
    op << 26 | ra << 21 | rb << 16 | func << 5 | rc
}
fn opl(op: u32, ra: u32, lit: u32, func: u32, rc: u32) -> u32 {
    op << 26 | ra << 21 | (lit & 0xff) << 13 | 1 << 12 | func << 5 | rc
}
fn bra(op: u32, ra: u32, disp: i32) -> u32 {
    op << 26 | ra << 21 | (disp as u32 & 0x1f_ffff)
}
fn lda(ra: u32, rb: u32, d: i32) -> u32 {
    mem(0x08, ra, rb, d)
}
fn ldah(ra: u32, rb: u32, d: i32) -> u32 {
    mem(0x09, ra, rb, d)
}
fn addq_lit(ra: u32, lit: u32, rc: u32) -> u32 {
    opl(0x10, ra, lit, 0x20, rc)
}
fn subq_lit(ra: u32, lit: u32, rc: u32) -> u32 {
    opl(0x10, ra, lit, 0x29, rc)
}
fn call_pal(n: u32) -> u32 {
    n
}
const RET: u32 = 0x6bfa_8001; // ret zero,(ra),1
fn jsr(ra: u32, rb: u32) -> u32 {
    mem(0x1a, ra, rb, 0x4000)
}

struct Vm {
    mem: AddressSpace,
    cpu: AlphaCpu,
    st: AlphaState,
}

impl Vm {
    fn new(code: &[u32]) -> Vm {
        let mut mem = AddressSpace::new(PageSize::Alpha).unwrap();
        mem.allocate(
            CODE,
            0x1_0000,
            AllocationType::RESERVE | AllocationType::COMMIT,
            PageProtection::EXECUTE_READWRITE,
        )
        .unwrap();
        mem.allocate(
            DATA,
            0x1_0000,
            AllocationType::RESERVE | AllocationType::COMMIT,
            PageProtection::READWRITE,
        )
        .unwrap();
        let mut vm = Vm {
            mem,
            cpu: AlphaCpu::new(THUNK),
            st: AlphaState::new(),
        };
        vm.load(code);
        vm.st.pc = u64::from(CODE);
        vm.st.r[26] = u64::from(THUNK);
        vm
    }
    fn load(&mut self, code: &[u32]) {
        let bytes: Vec<u8> = code.iter().flat_map(|w| w.to_le_bytes()).collect();
        self.mem.kernel_write(CODE, &bytes).unwrap();
    }
    fn run(&mut self) -> Exit {
        self.run_budget(1_000_000).exit
    }
    fn run_budget(&mut self, budget: u64) -> cpu_alpha::RunExit {
        self.cpu.run(&mut self.st, &mut self.mem, budget)
    }
}

#[test]
fn ret_to_thunk_range_exits_with_pc_there() {
    let mut vm = Vm::new(&[addq_lit(31, 7, 0), RET]);
    let r = vm.run_budget(100);
    assert_eq!(r.exit, Exit::Thunk);
    assert_eq!(r.retired, 2);
    assert_eq!(vm.st.pc, u64::from(THUNK));
    assert_eq!(vm.st.r[0], 7);
}

#[test]
fn conditional_branches_and_loop() {
    // r1 = 10; r0 = 0; loop: r0 += r1; r1 -= 1; bne r1, loop; ret
    let mut vm = Vm::new(&[
        addq_lit(31, 10, 1),
        addq_lit(31, 0, 0),
        opr(0x10, 0, 1, 0x20, 0),
        subq_lit(1, 1, 1),
        bra(0x3d, 1, -3),
        RET,
    ]);
    assert_eq!(vm.run(), Exit::Thunk);
    assert_eq!(vm.st.r[0], 55);
    assert_eq!(vm.st.r[1], 0);
}

#[test]
fn every_integer_branch_condition() {
    // For each branch opcode and value, the branch skips an "addq r0,1,r0" when taken.
    type Cond = fn(i64) -> bool;
    let cases: [(u32, Cond); 8] = [
        (0x38, |v| v & 1 == 0),
        (0x39, |v| v == 0),
        (0x3a, |v| v < 0),
        (0x3b, |v| v <= 0),
        (0x3c, |v| v & 1 != 0),
        (0x3d, |v| v != 0),
        (0x3e, |v| v >= 0),
        (0x3f, |v| v > 0),
    ];
    for (op, taken) in cases {
        for v in [-3i64, -2, 0, 1, 2, i64::MIN, i64::MAX] {
            let mut vm = Vm::new(&[bra(op, 1, 1), addq_lit(0, 1, 0), RET]);
            vm.st.r[1] = v as u64;
            assert_eq!(vm.run(), Exit::Thunk);
            assert_eq!(vm.st.r[0], u64::from(!taken(v)), "op {op:#x} value {v}");
        }
    }
}

#[test]
fn fp_branches_treat_minus_zero_as_zero() {
    for (op, v, taken) in [
        (0x31u32, 0x8000_0000_0000_0000u64, true), // fbeq -0
        (0x32, 0x8000_0000_0000_0000, false),      // fblt -0
        (0x33, 0x8000_0000_0000_0000, true),       // fble -0
        (0x36, 0x8000_0000_0000_0000, true),       // fbge -0
        (0x37, 0x8000_0000_0000_0000, false),      // fbgt -0
        (0x35, 0x8000_0000_0000_0000, false),      // fbne -0
        (0x32, 0xbff0_0000_0000_0000, true),       // fblt -1.0
        (0x37, 0x3ff0_0000_0000_0000, true),       // fbgt 1.0
    ] {
        let mut vm = Vm::new(&[bra(op, 1, 1), addq_lit(0, 1, 0), RET]);
        vm.st.f[1] = v;
        assert_eq!(vm.run(), Exit::Thunk);
        assert_eq!(vm.st.r[0], u64::from(!taken), "op {op:#x} value {v:#x}");
    }
}

#[test]
fn bsr_jsr_ret_linkage_and_hint_bits() {
    // 0: bsr ra, +2 (to 3)      -> ra = CODE+4
    // 1: ... (returned here) addq r0,1,r0
    // 2: br  zero, +3 (to 6)
    // 3: addq r1, 5, r1 (subroutine)
    // 4: ret zero,(ra)
    // 5: (never)
    // 6: lda r2, sub2 ; jsr ra,(r2) with hint bits set ; 8: call_pal 0x99
    // 9: sub2: ret zero,(ra) with random hint
    let code = [
        bra(0x34, 26, 2),
        addq_lit(0, 1, 0),
        bra(0x30, 31, 3),
        addq_lit(1, 5, 1),
        mem(0x1a, 31, 26, 0x8000 | 0x1234),
        call_pal(0x98),
        lda(2, 31, 0), // patched below
        jsr(26, 2) | 0x3fff,
        call_pal(0x99),
        mem(0x1a, 31, 26, 0x8000 | 0x3fff),
    ];
    let mut vm = Vm::new(&code);
    // r2 = CODE + 9*4 + 3 (the low two bits of a jump target are ignored)
    vm.st.r[3] = u64::from(CODE) + 9 * 4 + 3;
    let mut code = code;
    code[6] = opr(0x11, 31, 3, 0x20, 2); // bis zero, r3, r2
    vm.load(&code);
    assert_eq!(vm.run(), Exit::CallPal(0x99));
    assert_eq!(vm.st.r[1], 5);
    assert_eq!(vm.st.r[0], 1);
    assert_eq!(vm.st.r[26], u64::from(CODE) + 8 * 4, "jsr link");
    assert_eq!(vm.st.pc, u64::from(CODE) + 9 * 4, "after call_pal");
}

#[test]
fn jsr_coroutine_swaps_and_jump_reads_rb_before_writing_ra() {
    // jsr_coroutine ra,(ra): jumps to the old ra and links the next address
    let mut vm = Vm::new(&[mem(0x1a, 26, 26, 0xc000), call_pal(0x99)]);
    vm.st.r[26] = u64::from(CODE) + 4;
    assert_eq!(vm.run(), Exit::CallPal(0x99));
    assert_eq!(vm.st.r[26], u64::from(CODE) + 4);
}

#[test]
fn load_locked_store_conditional() {
    let data = u64::from(DATA);
    // success: ldq_l r1,0(r5); addq r1,1,r1; stq_c r1,0(r5); call_pal
    let mut vm = Vm::new(&[
        mem(0x2b, 1, 5, 0),
        addq_lit(1, 1, 1),
        mem(0x2f, 1, 5, 0),
        call_pal(0x99),
    ]);
    vm.st.r[5] = data;
    vm.mem.write_u64(DATA, 41).unwrap();
    assert_eq!(vm.run(), Exit::CallPal(0x99));
    assert_eq!(vm.st.r[1], 1, "success flag");
    assert_eq!(vm.mem.read_u64(DATA).unwrap(), 42);
    assert!(!vm.st.lock_flag);

    // an intervening store clears the flag: stq_c fails and stores nothing
    let mut vm = Vm::new(&[
        mem(0x2a, 1, 5, 0),
        mem(0x2c, 31, 5, 8), // stl zero, 8(r5)
        mem(0x2e, 1, 5, 0),
        call_pal(0x99),
    ]);
    vm.st.r[5] = data;
    vm.mem.write_u32(DATA, 7).unwrap();
    vm.st.r[1] = 0;
    assert_eq!(vm.run(), Exit::CallPal(0x99));
    assert_eq!(vm.st.r[1], 0, "failure flag");

    // a different 16-byte block fails too
    let mut vm = Vm::new(&[mem(0x2b, 1, 5, 0), mem(0x2f, 2, 5, 16), call_pal(0x99)]);
    vm.st.r[5] = data;
    vm.st.r[2] = 9;
    assert_eq!(vm.run(), Exit::CallPal(0x99));
    assert_eq!(vm.st.r[2], 0);
    assert_eq!(vm.mem.read_u64(DATA + 16).unwrap(), 0);

    // the end of a run (a context switch) clears the flag
    let mut vm = Vm::new(&[mem(0x2b, 1, 5, 0), mem(0x2f, 2, 5, 0), call_pal(0x99)]);
    vm.st.r[5] = data;
    vm.st.r[2] = 9;
    let r = vm.run_budget(1);
    assert_eq!(r.exit, Exit::QuantumExpired);
    assert!(!vm.st.lock_flag);
    assert_eq!(vm.run(), Exit::CallPal(0x99));
    assert_eq!(
        vm.st.r[2], 0,
        "store-conditional after a context switch fails"
    );
}

#[test]
fn unaligned_accesses_are_fixed_up_and_counted() {
    let mut vm = Vm::new(&[
        mem(0x29, 1, 5, 1),    // ldq r1, 1(r5)
        mem(0x28, 2, 5, 6),    // ldl r2, 6(r5)
        mem(0x2d, 1, 5, 0x13), // stq r1, 0x13(r5)
        mem(0x0c, 3, 5, 3),    // ldwu r3, 3(r5)
        call_pal(0x99),
    ]);
    vm.st.r[5] = u64::from(DATA);
    let bytes: Vec<u8> = (0u8..16).map(|i| 0x80 | i).collect();
    vm.mem.write_bytes(DATA, &bytes).unwrap();
    assert_eq!(vm.run(), Exit::CallPal(0x99));
    assert_eq!(vm.st.r[1], 0x8887_8685_8483_8281);
    assert_eq!(vm.st.r[2], 0xffff_ffff_8988_8786);
    assert_eq!(vm.st.r[3], 0x8483);
    assert_eq!(vm.mem.read_u64(DATA + 0x13).unwrap(), 0x8887_8685_8483_8281);
    assert_eq!(vm.st.unaligned_fixups, 4);
}

#[test]
fn ldq_u_stq_u_and_byte_manipulation_idioms() {
    // Unaligned quadword load idiom: ldq_u t1,0(a); ldq_u t2,7(a); extql; extqh; bis
    let load = |off: i32| {
        let mut vm = Vm::new(&[
            mem(0x0b, 1, 5, 0),
            mem(0x0b, 2, 5, 7),
            opr(0x12, 1, 5, 0x36, 1),
            opr(0x12, 2, 5, 0x7a, 2),
            opr(0x11, 1, 2, 0x20, 0),
            call_pal(0x99),
        ]);
        let bytes: Vec<u8> = (0u8..32).collect();
        vm.mem.write_bytes(DATA, &bytes).unwrap();
        vm.st.r[5] = u64::from(DATA) + off as u64;
        assert_eq!(vm.run(), Exit::CallPal(0x99));
        vm.st.r[0]
    };
    for off in 0..8 {
        let want = u64::from_le_bytes(std::array::from_fn(|i| (off + i) as u8));
        assert_eq!(load(off as i32), want, "offset {off}");
    }
}

#[test]
fn byte_manipulation_shift_by_zero_high_forms() {
    let run1 = |func: u32, a: u64, b: u64| {
        let mut vm = Vm::new(&[opr(0x12, 1, 2, func, 3), call_pal(0x99)]);
        vm.st.r[1] = a;
        vm.st.r[2] = b;
        assert_eq!(vm.run(), Exit::CallPal(0x99));
        vm.st.r[3]
    };
    let a = 0x0123_4567_89ab_cdef;
    // *H forms with a shift of zero: INSxH gives 0, MSKxH keeps everything, EXTxH keeps
    // the (masked) value.
    assert_eq!(run1(0x57, a, 8), 0); // inswh
    assert_eq!(run1(0x67, a, 0), 0); // inslh
    assert_eq!(run1(0x77, a, 16), 0); // insqh
    assert_eq!(run1(0x52, a, 0), a); // mskwh
    assert_eq!(run1(0x72, a, 0), a); // mskqh
    assert_eq!(run1(0x7a, a, 0), a); // extqh
    assert_eq!(run1(0x6a, a, 0), 0x89ab_cdef); // extlh
    // non-zero shifts
    assert_eq!(run1(0x77, a, 3), 0x01_2345); // insqh by 3 bytes
    assert_eq!(run1(0x72, a, 3), 0x0123_4567_89ab_cdef & !0xff_ffff); // mskqh
    assert_eq!(run1(0x30, a, 0x0f), 0x0123_4567_0000_0000); // zap
    assert_eq!(run1(0x31, a, 0x81), 0x0100_0000_0000_00ef); // zapnot
    assert_eq!(run1(0x0b, a, 7), 0xef00_0000_0000_0000); // insbl
    assert_eq!(run1(0x06, a, 9), 0xcd); // extbl uses b & 7
}

#[test]
fn call_pal_exits_after_the_instruction() {
    for n in [
        pal::BPT,
        pal::CALLSYS,
        pal::GENTRAP,
        pal::RDTEB,
        0x3f,
        0x1234,
    ] {
        let mut vm = Vm::new(&[addq_lit(31, 1, 1), call_pal(n), RET]);
        let r = vm.run_budget(100);
        assert_eq!(r.exit, Exit::CallPal(n));
        assert_eq!(r.retired, 2);
        assert_eq!(vm.st.pc, u64::from(CODE) + 8);
    }
}

#[test]
fn budget_is_exact() {
    // an endless loop: br zero, -1
    let mut vm = Vm::new(&[addq_lit(0, 1, 0), bra(0x30, 31, -2)]);
    for budget in [1, 2, 3, 63, 64, 65, 1000] {
        vm.st = AlphaState::new();
        vm.st.pc = u64::from(CODE);
        let r = vm.run_budget(budget);
        assert_eq!(r.exit, Exit::QuantumExpired);
        assert_eq!(r.retired, budget);
        assert_eq!(vm.st.r[0], budget.div_ceil(2));
        assert_eq!(vm.st.pc, u64::from(CODE) + 4 * (budget % 2));
        assert_eq!(vm.st.cycle_counter, budget);
    }
}

#[test]
fn access_violations_report_the_address_and_leave_pc_at_the_instruction() {
    let mut vm = Vm::new(&[addq_lit(31, 1, 1), mem(0x29, 2, 5, 8), call_pal(0x99)]);
    vm.st.r[5] = 0x1000;
    let r = vm.run_budget(100);
    assert_eq!(r.retired, 1);
    match r.exit {
        Exit::AccessViolation(f) => {
            assert_eq!(f.addr, 0x1008);
            assert_eq!(f.access, Access::Read);
            assert_eq!(f.kind, FaultKind::AccessViolation);
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(vm.st.pc, u64::from(CODE) + 4);
    assert_eq!(vm.st.r[2], 0);

    // a store to read-only memory
    let mut vm = Vm::new(&[mem(0x0e, 1, 5, 0), call_pal(0x99)]);
    vm.mem
        .protect(DATA, 0x2000, PageProtection::READONLY)
        .unwrap();
    vm.st.r[5] = u64::from(DATA);
    match vm.run() {
        Exit::AccessViolation(f) => assert_eq!((f.addr, f.access), (DATA, Access::Write)),
        e => panic!("{e:?}"),
    }

    // a 64-bit address that is not a sign-extended 32-bit one
    let mut vm = Vm::new(&[mem(0x29, 2, 5, 0), call_pal(0x99)]);
    vm.st.r[5] = 0x1_0000_0000 | u64::from(DATA);
    match vm.run() {
        Exit::AccessViolation(f) => assert_eq!((f.addr, f.access), (DATA, Access::Read)),
        e => panic!("{e:?}"),
    }

    // a jump to unmapped memory faults at the target
    let mut vm = Vm::new(&[mem(0x1a, 31, 5, 0)]);
    vm.st.r[5] = 0x2000;
    match vm.run() {
        Exit::AccessViolation(f) => assert_eq!((f.addr, f.access), (0x2000, Access::Execute)),
        e => panic!("{e:?}"),
    }
    assert_eq!(vm.st.pc, 0x2000);
}

#[test]
fn sign_extended_addresses_work() {
    // ldah r5, 0x51(zero) gives 0x510000; a negative displacement reaches below it
    let mut vm = Vm::new(&[ldah(5, 31, 0x51), mem(0x29, 1, 5, -8), call_pal(0x99)]);
    vm.mem.write_u64(DATA + 0xfff8, 0xdead_beef).unwrap();
    assert_eq!(vm.run(), Exit::CallPal(0x99));
    assert_eq!(vm.st.r[1], 0xdead_beef);
}

#[test]
fn self_modifying_code_and_imb() {
    // The program stores a new instruction over its own code, runs imb, and executes it.
    // 0: stl r1, 12(r5)   (r5 = CODE, r1 = "addq zero,42,r0")
    // 1: call_pal imb
    // 2: br zero, 0 (falls to 3)
    // 3: addq zero,1,r0   (replaced)
    // 4: call_pal 0x99
    let code = [
        mem(0x2c, 1, 5, 12),
        call_pal(pal::IMB),
        bra(0x30, 31, 0),
        addq_lit(31, 1, 0),
        call_pal(0x99),
    ];
    let mut vm = Vm::new(&code);
    // run the original once so the block is cached
    vm.st.pc = u64::from(CODE) + 12;
    assert_eq!(vm.run(), Exit::CallPal(0x99));
    assert_eq!(vm.st.r[0], 1);
    vm.st.pc = u64::from(CODE);
    vm.st.r[5] = u64::from(CODE);
    vm.st.r[1] = u64::from(addq_lit(31, 42, 0));
    assert_eq!(vm.run(), Exit::CallPal(pal::IMB));
    assert_eq!(vm.cpu.cached_blocks(), 0, "imb flushed the cache");
    assert_eq!(vm.run(), Exit::CallPal(0x99));
    assert_eq!(vm.st.r[0], 42);

    // without imb: a write to code memory is noticed through the code generation
    vm.load(&[addq_lit(31, 7, 0), call_pal(0x99)]);
    vm.st.pc = u64::from(CODE);
    assert_eq!(vm.run(), Exit::CallPal(0x99));
    assert_eq!(vm.st.r[0], 7);
}

#[test]
fn illegal_and_unimplemented_instructions() {
    let mut vm = Vm::new(&[addq_lit(31, 1, 1), 0x0400_0000]); // opcode 0x01: reserved
    assert_eq!(
        vm.run(),
        Exit::IllegalInstruction {
            addr: CODE + 4,
            word: 0x0400_0000
        }
    );
    assert_eq!(vm.st.pc, u64::from(CODE) + 4);
    let w = opr(0x15, 1, 2, 0x080, 3); // ADDF (VAX)
    let mut vm = Vm::new(&[w]);
    match vm.run() {
        Exit::Unimplemented { addr, word, .. } => assert_eq!((addr, word), (CODE, w)),
        e => panic!("{e:?}"),
    }
    let mut vm = Vm::new(&[opr(0x10, 1, 2, 0x7f, 3)]); // unknown INTA function
    assert!(matches!(vm.run(), Exit::IllegalInstruction { .. }));
}

#[test]
fn integer_overflow_traps_after_writing_the_result() {
    let mut vm = Vm::new(&[opr(0x10, 1, 2, 0x60, 3), call_pal(0x99)]); // addq/v
    vm.st.r[1] = i64::MAX as u64;
    vm.st.r[2] = 1;
    let r = vm.run_budget(10);
    assert_eq!(r.exit, Exit::IntegerOverflow);
    assert_eq!(r.retired, 1);
    assert_eq!(vm.st.r[3], i64::MIN as u64);
    assert_eq!(vm.st.pc, u64::from(CODE) + 4);
}

#[test]
fn cpu_identification_and_counters() {
    let mut vm = Vm::new(&[
        opl(0x11, 31, 0xff, 0x61, 1),       // amask #0xff, r1
        opl(0x11, 31, 1, 0x6c, 2),          // implver r2
        mem(0x18, 3, 31, 0xc000u32 as i32), // rpcc r3
        mem(0x18, 31, 31, 0x4000),          // mb
        mem(0x18, 31, 31, 0x0000),          // trapb
        call_pal(0x99),
    ]);
    vm.st.cycle_counter = 100;
    assert_eq!(vm.run(), Exit::CallPal(0x99));
    assert_eq!(vm.st.r[1], 0xfe, "BWX present");
    assert_eq!(vm.st.r[2], 1, "EV5 family");
    assert!(vm.st.r[3] >= 100);
}

#[test]
fn thunk_base_is_configurable() {
    let mut vm = Vm::new(&[mem(0x1a, 31, 5, 0)]);
    vm.cpu.set_thunk_base(0x6000_0000);
    vm.st.r[5] = 0x6000_0010;
    assert_eq!(vm.run(), Exit::Thunk);
    assert_eq!(vm.st.pc, 0x6000_0010);
}

#[test]
fn r31_and_f31_read_as_zero() {
    let mut vm = Vm::new(&[
        addq_lit(31, 5, 31),         // write to r31 is discarded
        opr(0x10, 31, 31, 0x20, 1),  // r1 = r31 + r31
        opr(0x17, 31, 31, 0x020, 2), // cpys f31,f31,f2
        call_pal(0x99),
    ]);
    vm.st.r[31] = 77;
    vm.st.f[31] = 77;
    vm.st.f[2] = 5;
    assert_eq!(vm.run(), Exit::CallPal(0x99));
    assert_eq!(vm.st.r[1], 0);
    assert_eq!(vm.st.f[2], 0);
    assert_eq!(vm.st.r[31], 0);
}

#[test]
fn fp_dynamic_rounding_and_status_bits() {
    // divt/d f1,f2,f3 with 1/3 in all four dynamic modes; check the last bits differ as
    // expected and INE is set (no /S qualifier: inexact is recorded).
    let divt_d = opr(0x16, 1, 2, 0x0e3, 3);
    let mut results = Vec::new();
    for dyn_mode in 0..4u64 {
        let mut vm = Vm::new(&[divt_d, call_pal(0x99)]);
        vm.st.f[1] = 1f64.to_bits();
        vm.st.f[2] = 3f64.to_bits();
        vm.st.fpcr = dyn_mode << 58;
        assert_eq!(vm.run(), Exit::CallPal(0x99));
        assert_ne!(vm.st.fpcr & cpu_alpha::FPCR_INE, 0);
        assert_ne!(vm.st.fpcr & cpu_alpha::FPCR_SUM, 0);
        results.push(vm.st.f[3]);
    }
    let third = (1f64 / 3f64).to_bits();
    assert_eq!(results[2], third); // normal
    assert_eq!(results[0], third); // chopped (1/3 rounds down to nearest)
    assert_eq!(results[1], third); // minus
    assert_eq!(results[3], third + 1); // plus
    // divide by zero sets DZE and gives infinity
    let mut vm = Vm::new(&[opr(0x16, 1, 2, 0x5a3, 3), call_pal(0x99)]); // divt/su
    vm.st.f[1] = 1f64.to_bits();
    vm.st.f[2] = 0;
    assert_eq!(vm.run(), Exit::CallPal(0x99));
    assert_eq!(vm.st.f[3], f64::INFINITY.to_bits());
    assert_ne!(vm.st.fpcr & cpu_alpha::FPCR_DZE, 0);
}

/// MT_FPCR reads Fa and MF_FPCR writes Fa, whatever Fb and Fc say (as qemu-alpha does:
/// the architecture makes encodings whose three fields differ UNPREDICTABLE).
#[test]
fn mf_fpcr_and_mt_fpcr_use_fa() {
    let mut vm = Vm::new(&[
        opr(0x17, 1, 2, 0x024, 3), // mt_fpcr f1 (fb, fc = f2, f3)
        opr(0x17, 4, 5, 0x025, 6), // mf_fpcr f4 (fb, fc = f5, f6)
        call_pal(0x99),
    ]);
    let fpcr = 0x6c0e_0000_0000_0000;
    vm.st.f[1] = fpcr;
    vm.st.f[2] = 0x1111;
    vm.st.f[3] = 0x3333;
    vm.st.f[5] = 0x5555;
    vm.st.f[6] = 0x6666;
    assert_eq!(vm.run(), Exit::CallPal(0x99));
    assert_eq!(vm.st.fpcr, fpcr);
    assert_eq!(vm.st.f[4], fpcr);
    assert_eq!(
        (vm.st.f[3], vm.st.f[5], vm.st.f[6]),
        (0x3333, 0x5555, 0x6666)
    );
}

#[test]
fn cvttq_chopped_and_overflow() {
    let run = |fn11: u32, v: f64| {
        let mut vm = Vm::new(&[opr(0x16, 31, 1, fn11, 2), call_pal(0x99)]);
        vm.st.f[1] = v.to_bits();
        assert_eq!(vm.run(), Exit::CallPal(0x99));
        (vm.st.f[2] as i64, vm.st.fpcr)
    };
    assert_eq!(run(0x52f, -2.7).0, -2); // cvttq/svc
    assert_eq!(run(0x5af, -2.5).0, -2); // cvttq/sv: to even
    assert_eq!(run(0x5af, 3.5).0, 4);
    let (v, fpcr) = run(0x52f, 1e19);
    assert_eq!(v as u64, 10_000_000_000_000_000_000u64);
    assert_ne!(fpcr & cpu_alpha::FPCR_IOV, 0);
}

#[test]
fn random_instruction_words_never_panic() {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut words = Vec::new();
    for _ in 0..4096 {
        words.push(next() as u32);
    }
    let mut vm = Vm::new(&words);
    for round in 0..4000u64 {
        vm.st.pc = u64::from(CODE) + 4 * (next() % 4096);
        for k in 0..31 {
            vm.st.r[k] = match next() % 4 {
                0 => u64::from(DATA) + (next() % 0x1_0000),
                1 => u64::from(CODE) + (next() % 0x1_0000),
                _ => next(),
            };
            vm.st.f[k] = next();
        }
        vm.st.fpcr = next();
        let r = vm.run_budget(64 + round % 7);
        assert!(r.retired <= 64 + round % 7);
    }
}

#[test]
fn cached_code_on_a_page_made_a_guard_page_raises_one_guard_fault() {
    // addq zero, 7, v0; ret -- decoded and cached by the first run
    let mut vm = Vm::new(&[addq_lit(31, 7, 0), RET]);
    assert_eq!(vm.run(), Exit::Thunk);
    vm.mem
        .protect(
            CODE,
            0x2000,
            PageProtection::EXECUTE_READ | PageProtection::GUARD,
        )
        .unwrap();
    vm.st.pc = u64::from(CODE);
    vm.st.r[26] = u64::from(THUNK);
    match vm.run() {
        Exit::AccessViolation(f) => {
            assert_eq!((f.addr, f.access), (CODE, Access::Execute));
            assert_eq!(f.kind, FaultKind::GuardPage);
        }
        other => panic!("{other:?}"),
    }
    // The guard is gone: the block runs.
    vm.st.pc = u64::from(CODE);
    vm.st.r[26] = u64::from(THUNK);
    assert_eq!(vm.run(), Exit::Thunk);
}

#[test]
fn code_in_a_read_write_data_page_runs() {
    // NT 4.0 has no execute protection: jump to DATA, which holds addq zero, 9, v0; ret.
    let mut vm = Vm::new(&[ldah(1, 31, (DATA >> 16) as i32), jsr(31, 1)]);
    let words: Vec<u8> = [addq_lit(31, 9, 0), RET]
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect();
    vm.mem.kernel_write(DATA, &words).unwrap();
    assert_eq!(vm.run(), Exit::Thunk);
    assert_eq!(vm.st.r[0], 9);
}
