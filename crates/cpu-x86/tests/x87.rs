//! x87 golden vectors (tests/data/x87-vectors.txt, produced by the host CPU with the
//! precision control set to double, NT's default) and x87 unit tests.

use cpu_x86::{Exit, X86Cpu, X86State, X87State};
use nt_memory::{AddressSpace, AllocationType, GuestMemory, PageProtection, PageSize};

const CODE: u32 = 0x0040_0000;
const DATA: u32 = 0x0050_0000;
const OUT: u32 = DATA + 0x100;
const STACK_TOP: u32 = 0x0080_0000;

fn space() -> AddressSpace {
    let mut mem = AddressSpace::new(PageSize::X86).unwrap();
    for (base, prot) in [
        (CODE, PageProtection::EXECUTE_READWRITE),
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

fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn both_nan(want: &[u8], got: &[u8]) -> bool {
    let f64_nan = |b: &[u8]| f64::from_le_bytes(b[..8].try_into().unwrap()).is_nan();
    let f32_nan = |b: &[u8]| f32::from_le_bytes(b[..4].try_into().unwrap()).is_nan();
    (f64_nan(want) && f64_nan(got) && want[8..] == got[8..])
        || (f32_nan(want) && f32_nan(got) && want[4..] == got[4..])
}

#[test]
fn x87_golden_vectors() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/x87-vectors.txt");
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let mut forms: Vec<(Vec<u8>, u32, String)> = Vec::new();
    let mut header = String::new();
    for line in lines.by_ref() {
        if line == "data" {
            break;
        }
        if line.starts_with('#') {
            header.push_str(line);
            continue;
        }
        let p: Vec<&str> = line.splitn(5, ' ').collect();
        forms.push((
            hex_bytes(p[2]),
            u32::from_str_radix(p[3], 16).unwrap(),
            p[4].to_string(),
        ));
    }
    assert!(header.contains("oracle:"));
    let mut mem = space();
    let mut cpu = X86Cpu::new(CODE);
    let mut cur = usize::MAX;
    let mut n = 0;
    let mut fails = Vec::new();
    for line in lines {
        let p: Vec<&str> = line.split(' ').collect();
        let id: usize = p[0].parse().unwrap();
        let (code, swmask, name) = &forms[id];
        if id != cur {
            mem.kernel_write(CODE, code).unwrap();
            cpu = X86Cpu::new(CODE + code.len() as u32);
            cur = id;
        }
        let cw = u16::from_str_radix(p[1], 16).unwrap();
        let a = u64::from_str_radix(p[2], 16).unwrap();
        let b = u64::from_str_radix(p[3], 16).unwrap();
        let mut want = hex_bytes(p[4]);
        want.reverse();
        let sw = u32::from_str_radix(p[5], 16).unwrap();
        let fl = u32::from_str_radix(p[6], 16).unwrap();
        mem.write_u64(DATA, a).unwrap();
        mem.write_u64(DATA + 8, b).unwrap();
        mem.write_u16(DATA + 16, cw).unwrap();
        mem.write_bytes(OUT, &[0; 16]).unwrap();
        let mut st = X86State::new();
        st.eip = CODE;
        st.gpr = [0, 0, 0, DATA, STACK_TOP - 16, 0, 0, OUT];
        st.x87 = X87State::default();
        let r = cpu.run(&mut st, &mut mem, 100);
        let mut got = [0u8; 10];
        mem.read_bytes(OUT, &mut got).unwrap();
        let gsw = st.gpr[0] & 0xffff & swmask;
        let gfl = st.eflags & 0x45;
        n += 1;
        let ok = r.exit == Exit::Thunk
            && (got[..] == want[..] || both_nan(&want, &got))
            && gsw == sw
            && gfl == fl;
        if !ok {
            fails.push(format!(
                "form {id} {name} cw={cw:04x} a={a:016x} ({}) b={b:016x} ({}): want {} sw={sw:04x} fl={fl:02x}, got {:?} {} sw={gsw:04x} fl={gfl:02x}",
                f64::from_bits(a),
                f64::from_bits(b),
                p[4],
                r.exit,
                got.iter().rev().map(|x| format!("{x:02x}")).collect::<String>()
            ));
        }
    }
    assert!(n > 10_000, "{n} vectors");
    if !fails.is_empty() {
        for f in fails.iter().take(40) {
            eprintln!("{f}");
        }
        panic!("{} of {n} x87 vectors differ", fails.len());
    }
}

struct Vm {
    mem: AddressSpace,
    st: X86State,
}

fn run(code: &[u8], data: &[u8]) -> Vm {
    let mut mem = space();
    mem.kernel_write(CODE, code).unwrap();
    mem.kernel_write(DATA, data).unwrap();
    let mut st = X86State::new();
    st.eip = CODE;
    st.gpr[4] = STACK_TOP - 16;
    let mut cpu = X86Cpu::new(CODE + code.len() as u32);
    let r = cpu.run(&mut st, &mut mem, 10_000);
    assert_eq!(r.exit, Exit::Thunk, "eip {:#x}", st.eip);
    Vm { mem, st }
}

#[test]
fn sum_of_squares_loop_and_stack_balance() {
    // fldz; fld1; mov ecx, 10; l: fld st0; fmul st,st0; faddp st2,st; fadd qword [DATA]; dec ecx;
    // jnz l; fstp st0; fstp qword [DATA+8]
    let mut code = vec![
        0xd9, 0xee, 0xd9, 0xe8, 0xb9, 10, 0, 0, 0, 0xd9, 0xc0, 0xd8, 0xc8, 0xde, 0xc2,
    ];
    code.extend_from_slice(&[0xdc, 0x05]);
    code.extend_from_slice(&DATA.to_le_bytes());
    code.extend_from_slice(&[0x49, 0x75, 0xf1, 0xdd, 0xd8, 0xdd, 0x1d]);
    code.extend_from_slice(&(DATA + 8).to_le_bytes());
    let vm = run(&code, &0.5f64.to_le_bytes());
    let want: f64 = (0..10).map(|i| (1.0 + 0.5 * f64::from(i)).powi(2)).sum();
    assert_eq!(f64::from_bits(vm.mem.read_u64(DATA + 8).unwrap()), want);
    assert_eq!(vm.st.x87.top, 0);
    assert_eq!(vm.st.x87.tag, 0xffff);
}

#[test]
fn control_word_rounding_and_status_word() {
    // fnstcw [DATA]; fldcw [DATA+2] (round down); fld qword [DATA+8] (-2.5); fistp dword [DATA+16];
    // fld1; fldz; fcompp (0 < 1: C0); fnstsw ax
    let mut code = vec![0xd9, 0x3d];
    code.extend_from_slice(&DATA.to_le_bytes());
    code.extend_from_slice(&[0xd9, 0x2d]);
    code.extend_from_slice(&(DATA + 2).to_le_bytes());
    code.extend_from_slice(&[0xdd, 0x05]);
    code.extend_from_slice(&(DATA + 8).to_le_bytes());
    code.extend_from_slice(&[0xdb, 0x1d]);
    code.extend_from_slice(&(DATA + 16).to_le_bytes());
    code.extend_from_slice(&[0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xd9, 0xdf, 0xe0]);
    let mut data = vec![0u8; 16];
    data[2..4].copy_from_slice(&0x067fu16.to_le_bytes());
    data[8..16].copy_from_slice(&(-2.5f64).to_le_bytes());
    let vm = run(&code, &data);
    assert_eq!(vm.mem.read_u16(DATA).unwrap(), 0x037f);
    assert_eq!(vm.mem.read_u32(DATA + 16).unwrap() as i32, -3);
    assert_eq!(vm.st.gpr[0] & 0x4700, 0x0100);
    assert_eq!(vm.st.x87.control, 0x067f);
}

#[test]
fn transcendentals_and_constants() {
    // fldpi; fsin; fstp qword [DATA]; fld1; fld1; fpatan; fstp qword [DATA+8];
    // fld qword [DATA+16] (8.0); fld1; fxch; fyl2x; fstp qword [DATA+24]
    let mut code = vec![0xd9, 0xeb, 0xd9, 0xfe, 0xdd, 0x1d];
    code.extend_from_slice(&DATA.to_le_bytes());
    code.extend_from_slice(&[0xd9, 0xe8, 0xd9, 0xe8, 0xd9, 0xf3, 0xdd, 0x1d]);
    code.extend_from_slice(&(DATA + 8).to_le_bytes());
    code.extend_from_slice(&[0xdd, 0x05]);
    code.extend_from_slice(&(DATA + 16).to_le_bytes());
    code.extend_from_slice(&[0xd9, 0xe8, 0xd9, 0xc9, 0xd9, 0xf1, 0xdd, 0x1d]);
    code.extend_from_slice(&(DATA + 24).to_le_bytes());
    let mut data = vec![0u8; 24];
    data[16..24].copy_from_slice(&8.0f64.to_le_bytes());
    let vm = run(&code, &data);
    let rd = |a| f64::from_bits(vm.mem.read_u64(a).unwrap());
    assert!(rd(DATA).abs() < 1e-15);
    assert_eq!(rd(DATA + 8), std::f64::consts::FRAC_PI_4);
    assert_eq!(rd(DATA + 24), 3.0);
    assert_eq!(vm.st.x87.top, 0);
}

#[test]
fn unimplemented_x87_is_an_exit() {
    // fbld tbyte [DATA] (packed BCD) is not implemented
    let mut mem = space();
    let mut code = vec![0xdf, 0x25];
    code.extend_from_slice(&DATA.to_le_bytes());
    mem.kernel_write(CODE, &code).unwrap();
    let mut st = X86State::new();
    st.eip = CODE;
    let r = X86Cpu::new(0x7fff_0000).run(&mut st, &mut mem, 10);
    assert_eq!(
        r.exit,
        Exit::Unimplemented {
            addr: CODE,
            mnemonic: "fbld".into()
        }
    );
}

#[test]
fn fnsave_frstor_round_trip() {
    // fld1; fldpi; fnsave [DATA]; fld qword [DATA+0x100]... (stack empty after fnsave);
    // frstor [DATA]; fstp qword [DATA+0x80]; fnstenv [DATA+0x90]
    let mut code = vec![0xd9, 0xe8, 0xd9, 0xeb, 0xdd, 0x35];
    code.extend_from_slice(&DATA.to_le_bytes());
    code.extend_from_slice(&[0xdd, 0x25]);
    code.extend_from_slice(&DATA.to_le_bytes());
    code.extend_from_slice(&[0xdd, 0x1d]);
    code.extend_from_slice(&(DATA + 0x80).to_le_bytes());
    code.extend_from_slice(&[0xd9, 0x35]);
    code.extend_from_slice(&(DATA + 0x90).to_le_bytes());
    let vm = run(&code, &[]);
    assert_eq!(
        f64::from_bits(vm.mem.read_u64(DATA + 0x80).unwrap()),
        std::f64::consts::PI
    );
    // status word in the saved environment: TOP = 6 after two pushes
    assert_eq!((vm.mem.read_u16(DATA + 4).unwrap() >> 11) & 7, 6);
    // after fstp, one value (1.0) remains: TOP = 7
    assert_eq!(vm.st.x87.top, 7);
    assert_eq!(vm.st.x87.st(0), 1.0);
    // fnstenv masks all exceptions afterwards
    assert_eq!(vm.st.x87.control & 0x3f, 0x3f);
}
