//! Representative programs, exits and the decoded-block cache.

use cpu_x86::{Exit, X86Cpu, X86State, reg};
use nt_memory::{
    Access, AddressSpace, AllocationType, FaultKind, GuestMemory, PageProtection, PageSize,
};

const CODE: u32 = 0x0040_0000;
const DATA: u32 = 0x0050_0000;
const RODATA: u32 = 0x0051_0000;
const STACK_TOP: u32 = 0x0080_0000;
const TEB: u32 = 0x7FFD_E000;
const THUNK: u32 = 0x7FFF_0000;

struct Vm {
    mem: AddressSpace,
    cpu: X86Cpu,
    st: X86State,
}

impl Vm {
    fn new(code: &[u8]) -> Vm {
        let mut mem = AddressSpace::new(PageSize::X86).unwrap();
        for (base, prot) in [
            (CODE, PageProtection::EXECUTE_READWRITE),
            (DATA, PageProtection::READWRITE),
            (RODATA, PageProtection::READONLY),
            (STACK_TOP - 0x1_0000, PageProtection::READWRITE),
            (TEB & !0xffff, PageProtection::READWRITE),
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
        // The program's return address is in the thunk range: `ret` ends the run.
        mem.write_u32(STACK_TOP - 4, THUNK).unwrap();
        let mut st = X86State::new();
        st.eip = CODE;
        st.gpr[reg::ESP] = STACK_TOP - 4;
        st.fs_base = TEB;
        Vm {
            mem,
            cpu: X86Cpu::new(THUNK),
            st,
        }
    }

    fn run(&mut self) -> Exit {
        self.run_budget(10_000_000).exit
    }

    fn run_budget(&mut self, budget: u64) -> cpu_x86::RunExit {
        self.cpu.run(&mut self.st, &mut self.mem, budget)
    }
}

fn run(code: &[u8]) -> Vm {
    let mut vm = Vm::new(code);
    assert_eq!(vm.run(), Exit::Thunk, "eip {:#x}", vm.st.eip);
    vm
}

#[test]
fn call_and_ret() {
    // call f; add eax, 1; ret; f: mov eax, 41; ret 0
    let vm = run(&[
        0xe8, 0x04, 0, 0, 0, // call +4
        0x83, 0xc0, 0x01, // add eax, 1
        0xc3, // ret
        0xb8, 41, 0, 0, 0, // f: mov eax, 41
        0xc2, 0x00, 0x00, // ret 0
    ]);
    assert_eq!(vm.st.gpr[reg::EAX], 42);
    assert_eq!(vm.st.gpr[reg::ESP], STACK_TOP);
    assert_eq!(vm.st.eip, THUNK);
}

#[test]
fn stdcall_ret_imm_pops_arguments() {
    // push 5; push 7; call f; ret; f: mov eax,[esp+4]; add eax,[esp+8]; ret 8
    let vm = run(&[
        0x6a, 5, 0x6a, 7, 0xe8, 0x01, 0, 0, 0, 0xc3, 0x8b, 0x44, 0x24, 0x04, 0x03, 0x44, 0x24,
        0x08, 0xc2, 0x08, 0x00,
    ]);
    assert_eq!(vm.st.gpr[reg::EAX], 12);
    assert_eq!(vm.st.gpr[reg::ESP], STACK_TOP);
}

#[test]
fn loop_sums() {
    // mov ecx, 100; xor eax, eax; l: add eax, ecx; loop l; ret
    let vm = run(&[0xb9, 100, 0, 0, 0, 0x31, 0xc0, 0x01, 0xc8, 0xe2, 0xfc, 0xc3]);
    assert_eq!(vm.st.gpr[reg::EAX], 5050);
    assert_eq!(vm.st.gpr[reg::ECX], 0);
}

#[test]
fn rep_movs_stos_and_repne_scasb() {
    let mut vm = Vm::new(&[
        // mov edi, DATA; mov al, 0x41; mov ecx, 10; rep stosb
        0xbf, 0x00, 0x00, 0x50, 0x00, 0xb0, 0x41, 0xb9, 10, 0, 0, 0, 0xf3, 0xaa,
        // mov esi, DATA; mov edi, DATA+0x100; mov ecx, 3; rep movsd
        0xbe, 0x00, 0x00, 0x50, 0x00, 0xbf, 0x00, 0x01, 0x50, 0x00, 0xb9, 3, 0, 0, 0, 0xf3, 0xa5,
        // strlen: mov edi, DATA; xor eax, eax; mov ecx, -1; repne scasb; not ecx; dec ecx
        0xbf, 0x00, 0x00, 0x50, 0x00, 0x31, 0xc0, 0xb9, 0xff, 0xff, 0xff, 0xff, 0xf2, 0xae, 0xf7,
        0xd1, 0x49, // mov esi, DATA; mov edi, DATA+0x100; mov ecx, 12; repe cmpsb
        0xbe, 0x00, 0x00, 0x50, 0x00, 0xbf, 0x00, 0x01, 0x50, 0x00, 0xb9, 12, 0, 0, 0, 0xf3, 0xa6,
        0x0f, 0x94, 0xc3, // sete bl
        0xc3,
    ]);
    assert_eq!(vm.run(), Exit::Thunk);
    let mut buf = [0u8; 12];
    vm.mem.read_bytes(DATA + 0x100, &mut buf).unwrap();
    assert_eq!(&buf, b"AAAAAAAAAA\0\0");
    // repe cmpsb over 12 equal bytes: ECX reaches 0 and ZF=1.
    assert_eq!(vm.st.gpr[reg::ECX], 0);
    assert_eq!(vm.st.gpr[reg::EBX] & 0xff, 1);
    // ESI/EDI advanced by 12 from the cmpsb
    assert_eq!(vm.st.gpr[reg::ESI], DATA + 12);
}

#[test]
fn strlen_with_repne_scasb() {
    let mut vm = Vm::new(&[
        0xbf, 0x00, 0x00, 0x50, 0x00, 0x31, 0xc0, 0xb9, 0xff, 0xff, 0xff, 0xff, 0xf2, 0xae, 0xf7,
        0xd1, 0x49, 0xc3,
    ]);
    vm.mem.write_bytes(DATA, b"hello, world\0").unwrap();
    assert_eq!(vm.run(), Exit::Thunk);
    assert_eq!(vm.st.gpr[reg::ECX], 12);
}

#[test]
fn std_reverses_string_direction() {
    // std; mov edi, DATA+3; mov al, 7; mov ecx, 4; rep stosb; cld; ret
    let vm = run(&[
        0xfd, 0xbf, 0x03, 0x00, 0x50, 0x00, 0xb0, 7, 0xb9, 4, 0, 0, 0, 0xf3, 0xaa, 0xfc, 0xc3,
    ]);
    assert_eq!(vm.st.gpr[reg::EDI], DATA - 1);
    assert_eq!(vm.mem.read_u32(DATA).unwrap(), 0x0707_0707);
}

#[test]
fn divide_by_zero_is_de_at_the_instruction() {
    // mov eax, 1; xor ecx, ecx; div ecx
    let mut vm = Vm::new(&[0xb8, 1, 0, 0, 0, 0x31, 0xc9, 0xf7, 0xf1]);
    let r = vm.run_budget(100);
    assert_eq!(r.exit, Exit::DivideError { by_zero: true });
    assert_eq!(vm.st.eip, CODE + 7);
    assert_eq!(r.retired, 2);
    assert_eq!(vm.st.gpr[reg::EAX], 1);
}

#[test]
fn quotient_overflow_is_de() {
    // mov edx, 1; xor eax, eax; mov ecx, 1; div ecx
    let mut vm = Vm::new(&[0xba, 1, 0, 0, 0, 0x31, 0xc0, 0xb9, 1, 0, 0, 0, 0xf7, 0xf1]);
    assert_eq!(vm.run(), Exit::DivideError { by_zero: false });
    assert_eq!(vm.st.eip, CODE + 12);
    // idiv: 0x80000000 / -1 overflows too
    let mut vm = Vm::new(&[
        0xb8, 0, 0, 0, 0x80, 0x99, 0xb9, 0xff, 0xff, 0xff, 0xff, 0xf7, 0xf9,
    ]);
    assert_eq!(vm.run(), Exit::DivideError { by_zero: false });
    assert_eq!(vm.st.eip, CODE + 11);
}

#[test]
fn ud2_and_garbage_are_invalid_opcode() {
    let mut vm = Vm::new(&[0x90, 0x0f, 0x0b]);
    assert_eq!(vm.run(), Exit::InvalidOpcode);
    assert_eq!(vm.st.eip, CODE + 1);
    // FF /7 is not an instruction
    let mut vm = Vm::new(&[0xff, 0xff]);
    assert_eq!(vm.run(), Exit::InvalidOpcode);
    assert_eq!(vm.st.eip, CODE);
}

#[test]
fn unimplemented_instruction_names_itself() {
    // nop; emms (MMX)
    let mut vm = Vm::new(&[0x90, 0x0f, 0x77]);
    match vm.run() {
        Exit::Unimplemented { addr, mnemonic } => {
            assert_eq!(addr, CODE + 1);
            assert_eq!(mnemonic, "emms");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(vm.st.eip, CODE + 1);
}

#[test]
fn privileged_instruction() {
    let mut vm = Vm::new(&[0xfa]); // cli
    assert_eq!(vm.run(), Exit::PrivilegedInstruction);
    assert_eq!(vm.st.eip, CODE);
}

#[test]
fn read_access_violation_names_the_address() {
    // mov eax, [0x00001234]
    let mut vm = Vm::new(&[0x90, 0xa1, 0x34, 0x12, 0x00, 0x00]);
    match vm.run() {
        Exit::AccessViolation(f) => {
            assert_eq!(f.addr, 0x1234);
            assert_eq!(f.access, Access::Read);
            assert_eq!(f.kind, FaultKind::AccessViolation);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(vm.st.eip, CODE + 1);
}

#[test]
fn write_to_readonly_page_faults_without_effect() {
    // mov eax, 5; add [RODATA], eax
    let mut vm = Vm::new(&[0xb8, 5, 0, 0, 0, 0x01, 0x05, 0x00, 0x00, 0x51, 0x00]);
    match vm.run() {
        Exit::AccessViolation(f) => {
            assert_eq!(f.addr, RODATA);
            assert_eq!(f.access, Access::Write);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(vm.st.eip, CODE + 5);
    assert_eq!(vm.mem.read_u32(RODATA).unwrap(), 0);
}

#[test]
fn push_fault_leaves_esp() {
    let mut vm = Vm::new(&[0x50]); // push eax
    vm.st.gpr[reg::ESP] = 0x0000_1000;
    assert!(matches!(vm.run(), Exit::AccessViolation(_)));
    assert_eq!(vm.st.gpr[reg::ESP], 0x1000);
}

#[test]
fn executing_data_runs_it_as_nt4_has_no_execute_protection() {
    // mov eax, DATA; jmp eax -- DATA holds: mov eax, 7; ret
    let mut vm = Vm::new(&[0xb8, 0x00, 0x00, 0x50, 0x00, 0xff, 0xe0]);
    vm.mem
        .kernel_write(DATA, &[0xb8, 0x07, 0x00, 0x00, 0x00, 0xc3])
        .unwrap();
    assert_eq!(vm.run(), Exit::Thunk);
    assert_eq!(vm.st.gpr[reg::EAX], 7);
}

#[test]
fn executing_inaccessible_memory_is_an_execute_fault() {
    // mov eax, DATA; jmp eax
    let mut vm = Vm::new(&[0xb8, 0x00, 0x00, 0x50, 0x00, 0xff, 0xe0]);
    vm.mem
        .protect(DATA, 0x1000, PageProtection::NOACCESS)
        .unwrap();
    match vm.run() {
        Exit::AccessViolation(f) => {
            assert_eq!(f.addr, DATA);
            assert_eq!(f.access, Access::Execute);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(vm.st.eip, DATA);
}

#[test]
fn instruction_straddling_into_unmapped_page_faults() {
    // a 5-byte mov whose last bytes would lie past the end of the code allocation
    let mut vm = Vm::new(&[]);
    let end = CODE + 0x1_0000;
    vm.mem.kernel_write(end - 2, &[0xb8, 0x01]).unwrap();
    vm.st.eip = end - 2;
    match vm.run() {
        Exit::AccessViolation(f) => {
            assert_eq!(f.addr, end);
            assert_eq!(f.access, Access::Execute);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(vm.st.eip, end - 2);
}

#[test]
fn int3_and_int_2e_are_traps() {
    let mut vm = Vm::new(&[0x90, 0xcc, 0xcd, 0x2e, 0xc3]);
    let r = vm.run_budget(100);
    assert_eq!(r.exit, Exit::Breakpoint);
    assert_eq!(r.retired, 2);
    assert_eq!(vm.st.eip, CODE + 2);
    assert_eq!(vm.run(), Exit::SoftwareInterrupt(0x2e));
    assert_eq!(vm.st.eip, CODE + 4);
    assert_eq!(vm.run(), Exit::Thunk);
}

#[test]
fn into_traps_only_with_of() {
    // mov al, 0x7f; add al, 1 (OF); into
    let mut vm = Vm::new(&[0xb0, 0x7f, 0x04, 0x01, 0xce, 0xc3]);
    assert_eq!(vm.run(), Exit::Overflow);
    assert_eq!(vm.st.eip, CODE + 5);
}

#[test]
fn call_into_thunk_range_stops_there() {
    // push 3; call 0x7fff0010 (relative)
    let target: u32 = THUNK + 0x10;
    let rel = target.wrapping_sub(CODE + 7);
    let mut code = vec![0x6a, 3, 0xe8];
    code.extend_from_slice(&rel.to_le_bytes());
    let mut vm = Vm::new(&code);
    let r = vm.run_budget(100);
    assert_eq!(r.exit, Exit::Thunk);
    assert_eq!(r.retired, 2);
    assert_eq!(vm.st.eip, target);
    let sp = vm.st.gpr[reg::ESP];
    assert_eq!(vm.mem.read_u32(sp).unwrap(), CODE + 7);
    assert_eq!(vm.mem.read_u32(sp + 4).unwrap(), 3);
}

#[test]
fn straight_line_code_into_thunk_base_stops() {
    let mut vm = Vm::new(&[]);
    vm.cpu.set_thunk_base(CODE + 2);
    vm.mem.kernel_write(CODE, &[0x40, 0x40, 0x40]).unwrap();
    let r = vm.run_budget(100);
    assert_eq!(r.exit, Exit::Thunk);
    assert_eq!(r.retired, 2);
    assert_eq!(vm.st.eip, CODE + 2);
}

#[test]
fn budget_expires_and_resumes() {
    // l: inc eax; jmp l
    let mut vm = Vm::new(&[0x40, 0xeb, 0xfd]);
    let r = vm.run_budget(1001);
    assert_eq!(r.exit, Exit::QuantumExpired);
    assert_eq!(r.retired, 1001);
    assert_eq!(vm.st.gpr[reg::EAX], 501);
    assert_eq!(vm.st.eip, CODE + 1);
    let r = vm.run_budget(1);
    assert_eq!(r.retired, 1);
    assert_eq!(vm.st.eip, CODE);
    let r = vm.run_budget(0);
    assert_eq!((r.exit, r.retired), (Exit::QuantumExpired, 0));
}

#[test]
fn self_modifying_code_is_seen() {
    // l: mov eax, 1; mov byte [l+1], 2; jmp l... second time through, eax = 2, then ret.
    // 0: b8 01 00 00 00       mov eax, 1
    // 5: 83 f8 02             cmp eax, 2
    // 8: 74 09                je done
    // a: c6 05 <CODE+1> 02    mov byte [CODE+1], 2
    // 11: eb ed               jmp 0
    // 13: c3                  done: ret
    let mut code = vec![0xb8, 1, 0, 0, 0, 0x83, 0xf8, 0x02, 0x74, 0x09, 0xc6, 0x05];
    code.extend_from_slice(&(CODE + 1).to_le_bytes());
    code.extend_from_slice(&[0x02, 0xeb, 0xed, 0xc3]);
    let vm = run(&code);
    assert_eq!(vm.st.gpr[reg::EAX], 2);
}

#[test]
fn code_rewritten_between_runs_is_seen() {
    let mut vm = Vm::new(&[0xb8, 1, 0, 0, 0, 0xc3]);
    assert_eq!(vm.run(), Exit::Thunk);
    assert_eq!(vm.st.gpr[reg::EAX], 1);
    vm.mem.kernel_write(CODE + 1, &[9]).unwrap();
    vm.st.eip = CODE;
    vm.st.gpr[reg::ESP] = STACK_TOP - 4;
    assert_eq!(vm.run(), Exit::Thunk);
    assert_eq!(vm.st.gpr[reg::EAX], 9);
}

#[test]
fn fs_relative_reads_use_the_teb_base() {
    // mov eax, fs:[0x18]; mov ecx, 0x34; mov edx, fs:[ecx]; mov fs:[0], esp
    let mut vm = Vm::new(&[
        0x64, 0xa1, 0x18, 0, 0, 0, 0xb9, 0x34, 0, 0, 0, 0x64, 0x8b, 0x11, 0x64, 0x89, 0x25, 0, 0,
        0, 0, 0xc3,
    ]);
    vm.mem.write_u32(TEB + 0x18, TEB).unwrap();
    vm.mem.write_u32(TEB + 0x34, 87).unwrap();
    assert_eq!(vm.run(), Exit::Thunk);
    assert_eq!(vm.st.gpr[reg::EAX], TEB);
    assert_eq!(vm.st.gpr[reg::EDX], 87);
    assert_eq!(vm.mem.read_u32(TEB).unwrap(), STACK_TOP - 4);
}

#[test]
fn enter_leave_pusha_popa_pushf_popf() {
    let vm = run(&[
        0xc8, 0x10, 0x00, 0x00, // enter 16, 0
        0x89, 0xe0, // mov eax, esp
        0xc9, // leave
        0xbb, 0x11, 0, 0, 0,    // mov ebx, 0x11
        0x60, // pushad
        0x31, 0xdb, // xor ebx, ebx (ZF=1)
        0x61, // popad
        0x9c, // pushfd
        0x5a, // pop edx
        0xf9, // stc
        0x9c, 0x81, 0x34, 0x24, 0x01, 0, 0, 0,    // pushfd; xor dword [esp], 1
        0x9d, // popfd (CF cleared again)
        0x0f, 0x92, 0xc1, // setc cl
        0xc3,
    ]);
    assert_eq!(vm.st.gpr[reg::EAX], STACK_TOP - 4 - 4 - 16);
    assert_eq!(vm.st.gpr[reg::EBX], 0x11);
    assert_eq!(vm.st.gpr[reg::ECX] & 0xff, 0);
    assert_eq!(vm.st.gpr[reg::EDX] & 0x202, 0x202);
    assert_eq!(vm.st.gpr[reg::ESP], STACK_TOP);
}

#[test]
fn cmpxchg8b_xlat_bt_memory_cpuid_bswap() {
    let mut vm = Vm::new(&[
        // mov esi, DATA; mov eax, 1; mov edx, 2; mov ebx, 3; mov ecx, 4; cmpxchg8b [esi]
        0xbe, 0x00, 0x00, 0x50, 0x00, 0xb8, 1, 0, 0, 0, 0xba, 2, 0, 0, 0, 0xbb, 3, 0, 0, 0, 0xb9, 4,
        0, 0, 0, 0x0f, 0xc7, 0x0e, // bts [esi], 40  (register bit offset: mov eax, 40)
        0xb8, 40, 0, 0, 0, 0x0f, 0xab, 0x06, // xlat with ebx = DATA, al = 2
        0xbb, 0x00, 0x00, 0x50, 0x00, 0xb0, 2, 0xd7, // mov edi, eax
        0x89, 0xc7, // cpuid leaf 0 -> ebx "Genu"
        0x31, 0xc0, 0x0f, 0xa2, // bswap ebx
        0x0f, 0xcb, 0xc3,
    ]);
    vm.mem.write_u32(DATA, 1).unwrap();
    vm.mem.write_u32(DATA + 4, 2).unwrap();
    assert_eq!(vm.run(), Exit::Thunk);
    assert_eq!(vm.mem.read_u32(DATA).unwrap(), 3);
    // bit 40 = bit 8 of the dword at DATA+4 (ECX = 4 was stored there)
    assert_eq!(vm.mem.read_u32(DATA + 4).unwrap(), 0x104);
    // xlat: AL = byte [DATA + 2] = 0
    assert_eq!(vm.st.gpr[reg::EDI] & 0xff, 0);
    assert_eq!(
        vm.st.gpr[reg::EBX],
        u32::from_le_bytes(*b"Genu").swap_bytes()
    );
}

#[test]
fn sixteen_bit_operand_forms() {
    // mov eax, 0x12345678; mov ax, 0xffff; inc ax; push ax; pop bx; movsx ecx, bx; ret
    let vm = run(&[
        0xb8, 0x78, 0x56, 0x34, 0x12, 0x66, 0xb8, 0xff, 0xff, 0x66, 0x40, 0xbb, 0x99, 0x99, 0x99,
        0x99, 0x66, 0x6a, 0xfe, 0x66, 0x5b, 0x0f, 0xbf, 0xcb, 0xc3,
    ]);
    assert_eq!(vm.st.gpr[reg::EAX], 0x1234_0000);
    assert_eq!(vm.st.gpr[reg::EBX], 0x9999_fffe);
    assert_eq!(vm.st.gpr[reg::ECX], 0xffff_fffe);
    assert_eq!(vm.st.gpr[reg::ESP], STACK_TOP);
}

#[test]
fn eflags_are_exact_after_run() {
    // xor eax, eax; dec eax (SF, AF set; CF kept); ret
    let mut vm = Vm::new(&[0xf9, 0x31, 0xc0, 0x48, 0xc3]);
    assert_eq!(vm.run(), Exit::Thunk);
    let f = vm.st.eflags;
    assert_eq!(f & 0x8d5, cpu_x86::SF | cpu_x86::AF | cpu_x86::PF);
    assert_eq!(f & 0x202, 0x202);
}

#[test]
fn random_bytes_never_panic() {
    let mut x = 0x9e37_79b9u32;
    let mut vm = Vm::new(&[]);
    for _ in 0..3000 {
        let mut code = [0u8; 24];
        for b in code.iter_mut() {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            *b = x as u8;
        }
        vm.mem.kernel_write(CODE, &code).unwrap();
        vm.st = X86State::new();
        vm.st.eip = CODE;
        vm.st.gpr = [
            x,
            x >> 3,
            7,
            DATA,
            STACK_TOP - 64,
            DATA + 8,
            DATA,
            DATA + 16,
        ];
        vm.st.fs_base = TEB;
        let _ = vm.run_budget(50);
    }
}

#[test]
fn long_rep_stos_is_bounded_by_the_budget() {
    // mov edi, DATA; mov ecx, 0x10000; xor eax, eax; rep stosb; ret
    let mut vm = Vm::new(&[
        0xbf, 0x00, 0x00, 0x50, 0x00, 0xb9, 0x00, 0x00, 0x01, 0x00, 0x31, 0xc0, 0xf3, 0xaa, 0xc3,
    ]);
    let r = vm.run_budget(4);
    assert_eq!(r.exit, Exit::QuantumExpired);
    assert_eq!(vm.st.eip, CODE + 12);
    assert_eq!(vm.st.gpr[reg::ECX], 0x10000 - 0x4000);
    assert_eq!(vm.run(), Exit::Thunk);
    assert_eq!(vm.st.gpr[reg::ECX], 0);
    assert_eq!(vm.st.gpr[reg::EDI], DATA + 0x10000);
}

#[test]
fn unrelated_code_writes_keep_cached_blocks() {
    // l: inc eax; cmp eax, 3; jne l; ret
    let mut vm = Vm::new(&[0x40, 0x83, 0xf8, 0x03, 0x75, 0xfa, 0xc3]);
    assert_eq!(vm.run(), Exit::Thunk);
    let blocks = vm.cpu.cached_blocks();
    // A write elsewhere in executable memory changes the code generation only.
    vm.mem.kernel_write(CODE + 0x800, &[0x90]).unwrap();
    vm.st.eip = CODE;
    vm.st.gpr[reg::EAX] = 0;
    vm.st.gpr[reg::ESP] = STACK_TOP - 4;
    assert_eq!(vm.run(), Exit::Thunk);
    assert_eq!(vm.st.gpr[reg::EAX], 3);
    assert_eq!(vm.cpu.cached_blocks(), blocks);
}

#[test]
fn cached_code_made_inaccessible_faults() {
    let mut vm = Vm::new(&[0x40, 0xc3]);
    assert_eq!(vm.run(), Exit::Thunk);
    vm.mem
        .protect(CODE, 0x1000, PageProtection::NOACCESS)
        .unwrap();
    vm.st.eip = CODE;
    vm.st.gpr[reg::ESP] = STACK_TOP - 4;
    match vm.run() {
        Exit::AccessViolation(f) => {
            assert_eq!(f.addr, CODE);
            assert_eq!(f.access, Access::Execute);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn segment_selectors_move_push_and_pop() {
    // mov ax, fs; push ds; pop ebx; mov ecx, ss; push 0x3b; pop gs; mov dx, gs; ret
    let vm = run(&[
        0x66, 0x8c, 0xe0, 0x1e, 0x5b, 0x8c, 0xd1, 0x6a, 0x3b, 0x0f, 0xa9, 0x66, 0x8c, 0xea, 0xc3,
    ]);
    assert_eq!(vm.st.gpr[reg::EAX] & 0xffff, 0x3b);
    assert_eq!(vm.st.gpr[reg::EBX], 0x23);
    assert_eq!(vm.st.gpr[reg::ECX], 0x23);
    assert_eq!(vm.st.gpr[reg::EDX] & 0xffff, 0x3b);
    assert_eq!(vm.st.selectors[5], 0x3b);
}

#[test]
fn every_one_and_two_byte_opcode_runs_without_panic() {
    let mut vm = Vm::new(&[]);
    let prefixes: [&[u8]; 8] = [
        &[],
        &[0x66],
        &[0x0f],
        &[0x66, 0x0f],
        &[0xf3],
        &[0xf2],
        &[0x67],
        &[0x64],
    ];
    for pre in prefixes {
        for op in 0..=255u8 {
            for modrm in [0xc0u8, 0xd1, 0xe2, 0xfb, 0x00, 0x0c, 0x45, 0xb7] {
                let mut code = pre.to_vec();
                code.extend_from_slice(&[op, modrm, 0x24, 0x10, 0, 0, 0, 0, 0, 0]);
                vm.mem.kernel_write(CODE, &code).unwrap();
                vm.st = X86State::new();
                vm.st.eip = CODE;
                vm.st.gpr = [DATA, 3, DATA, DATA, STACK_TOP - 256, DATA, DATA, DATA + 64];
                vm.st.fs_base = TEB;
                let _ = vm.run_budget(3);
            }
        }
    }
}

#[test]
fn runs_over_a_dyn_guest_memory() {
    let mut vm = Vm::new(&[0xb8, 7, 0, 0, 0, 0xc3]);
    let mem: &mut dyn GuestMemory = &mut vm.mem;
    let r = vm.cpu.run(&mut vm.st, mem, 100);
    assert_eq!(r.exit, Exit::Thunk);
    assert_eq!(r.retired, 2);
    assert_eq!(vm.st.gpr[reg::EAX], 7);
}

#[test]
fn rdtsc_advances_with_retired_instructions() {
    // rdtsc; mov ecx, eax; nop; nop; rdtsc; sub eax, ecx; ret
    let vm = run(&[
        0x0f, 0x31, 0x89, 0xc1, 0x90, 0x90, 0x0f, 0x31, 0x29, 0xc8, 0xc3,
    ]);
    assert!(vm.st.gpr[reg::EAX] > 0);
}

#[test]
fn budget_is_exact_across_fused_compare_and_branch() {
    // l: inc eax; cmp eax, 100; jne l; ret   (cmp+jne run as one fused operation)
    let mut vm = Vm::new(&[0x40, 0x83, 0xf8, 0x64, 0x75, 0xfa, 0xc3]);
    let r = vm.run_budget(7);
    assert_eq!((r.exit, r.retired), (Exit::QuantumExpired, 7));
    assert_eq!(vm.st.gpr[reg::EAX], 3);
    assert_eq!(vm.st.eip, CODE + 1);
    // one instruction of budget with the fused pair next: only the cmp runs
    let r = vm.run_budget(1);
    assert_eq!((r.exit, r.retired), (Exit::QuantumExpired, 1));
    assert_eq!(vm.st.eip, CODE + 4);
    let r = vm.run_budget(1);
    assert_eq!(r.retired, 1);
    assert_eq!(vm.st.eip, CODE);
    let mut total = 7 + 2;
    loop {
        let r = vm.run_budget(5);
        total += r.retired;
        if r.exit == Exit::Thunk {
            break;
        }
        assert_eq!(r.retired, 5);
    }
    assert_eq!(vm.st.gpr[reg::EAX], 100);
    assert_eq!(total, 300 + 1);
}

/// A loop whose body has not-taken conditional branches (fused and plain) in the middle of
/// straight-line code, an RDTSC after one, and a final sum.
fn branchy_loop() -> Vec<u8> {
    vec![
        0x31, 0xc0, // xor eax, eax
        0x31, 0xdb, // xor ebx, ebx
        0xb9, 0x28, 0x00, 0x00, 0x00, // mov ecx, 40
        // top:
        0x01, 0xc8, // add eax, ecx
        0x83, 0xf8, 0xff, // cmp eax, -1
        0x74, 0x0f, // je out (never)
        0x43, // inc ebx
        0x78, 0x0c, // js out (never: flags of inc ebx)
        0x0f, 0x31, // rdtsc (clobbers eax edx)
        0x89, 0xc6, // mov esi, eax
        0x89, 0xd8, // mov eax, ebx
        0x01, 0xd8, // add eax, ebx
        0x49, // dec ecx
        0x75, 0xeb, // jnz top
        0xc3, // ret
        // out:
        0xc3,
    ]
}

#[test]
fn budgets_give_the_same_result_as_one_run() {
    let code = branchy_loop();
    let mut whole = Vm::new(&code);
    let r = whole.run_budget(10_000_000);
    assert_eq!(r.exit, Exit::Thunk);
    assert_eq!(whole.st.gpr[reg::EBX], 40);
    for budget in 1..=13 {
        let mut vm = Vm::new(&code);
        let mut total = 0;
        let mut last_tsc = Vec::new();
        loop {
            let r = vm.run_budget(budget);
            total += r.retired;
            last_tsc.push(vm.st.gpr[reg::ESI]);
            if r.exit == Exit::Thunk {
                break;
            }
            assert_eq!((r.exit, r.retired), (Exit::QuantumExpired, budget));
        }
        assert_eq!(total, r.retired, "budget {budget}");
        assert_eq!(vm.st.gpr, whole.st.gpr, "budget {budget}");
        assert_eq!(vm.st.eflags, whole.st.eflags, "budget {budget}");
    }
}

#[test]
fn code_written_before_a_not_taken_branch_runs_after_it() {
    // mov byte [l+1], 7; cmp eax, eax; jne l; l: mov eax, 1; ret
    // (the write turns `mov eax, 1` into `mov eax, 7` before the branch falls through)
    let l = CODE + 7 + 2 + 2;
    let mut code = vec![0xc6, 0x05];
    code.extend_from_slice(&(l + 1).to_le_bytes());
    code.extend_from_slice(&[0x07, 0x39, 0xc0, 0x75, 0x00, 0xb8, 0x01, 0, 0, 0, 0xc3]);
    let vm = run(&code);
    assert_eq!(vm.st.gpr[reg::EAX], 7);
}

#[test]
fn decoding_past_a_branch_leaves_a_following_guard_page_alone() {
    // CODE: ret. At CODE+0xfe0: cmp eax, eax; je CODE (always taken); then nops to the end
    // of the page, which is followed by an executable guard page.
    let mut code = vec![0x90u8; 0x1000];
    code[0] = 0xc3;
    let at = 0xfe0usize;
    code[at..at + 2].copy_from_slice(&[0x39, 0xc0]);
    let rel = (0i64 - (at as i64 + 8)) as i32;
    code[at + 2..at + 4].copy_from_slice(&[0x0f, 0x84]);
    code[at + 4..at + 8].copy_from_slice(&rel.to_le_bytes());
    let mut vm = Vm::new(&code);
    vm.mem
        .protect(
            CODE + 0x1000,
            0x1000,
            PageProtection::EXECUTE_READWRITE | PageProtection::GUARD,
        )
        .unwrap();
    vm.st.eip = CODE + at as u32;
    assert_eq!(vm.run(), Exit::Thunk);
    let f = vm.mem.read_u8(CODE + 0x1000).unwrap_err();
    assert_eq!(f.kind, FaultKind::GuardPage);
}

#[test]
fn cached_code_on_a_page_made_a_guard_page_raises_one_guard_fault() {
    // inc eax; ret -- decoded and cached by the first run
    let mut vm = Vm::new(&[0x40, 0xc3]);
    assert_eq!(vm.run(), Exit::Thunk);
    vm.mem
        .protect(
            CODE,
            0x1000,
            PageProtection::EXECUTE_READ | PageProtection::GUARD,
        )
        .unwrap();
    vm.st.eip = CODE;
    vm.st.gpr[reg::ESP] = STACK_TOP - 4;
    match vm.run() {
        Exit::AccessViolation(f) => {
            assert_eq!((f.addr, f.access), (CODE, Access::Execute));
            assert_eq!(f.kind, FaultKind::GuardPage);
        }
        other => panic!("{other:?}"),
    }
    // The guard is gone: the block runs.
    vm.st.eip = CODE;
    vm.st.gpr[reg::ESP] = STACK_TOP - 4;
    assert_eq!(vm.run(), Exit::Thunk);
}

#[test]
fn tzcnt_and_lzcnt_encodings_run_as_bsf_and_bsr() {
    // mov ecx, 0x50; tzcnt eax, ecx (F3 0F BC C1); lzcnt edx, ecx (F3 0F BD D1);
    // mov ebx, 7; xor esi, esi; tzcnt ebx, esi: a zero source sets ZF and leaves ebx;
    // setz cl; ret
    let vm = run(&[
        0xb9, 0x50, 0, 0, 0, 0xf3, 0x0f, 0xbc, 0xc1, 0xf3, 0x0f, 0xbd, 0xd1, 0xbb, 7, 0, 0, 0,
        0x31, 0xf6, 0xf3, 0x0f, 0xbc, 0xde, 0x0f, 0x94, 0xc1, 0xc3,
    ]);
    // BSF: the lowest set bit of 0x50 is bit 4; BSR: the highest is bit 6 (LZCNT would
    // give 25).
    assert_eq!(vm.st.gpr[reg::EAX], 4);
    assert_eq!(vm.st.gpr[reg::EDX], 6);
    assert_eq!(vm.st.gpr[reg::EBX], 7);
    assert_eq!(vm.st.gpr[reg::ECX] & 0xff, 1);
}
