//! What a process's PEB and a thread's TEB and registers hold before the thread runs, as
//! NT's MmCreatePeb, MmCreateTeb and BaseInitializeContext set them (what a debugger reads
//! of a process created suspended).

mod common;

use common::*;
use nt_kernel::*;
use nt_memory::GuestMemory;

fn read(m: &Machine, pid: u32, at: u32) -> u32 {
    m.process(pid)
        .expect("process")
        .address_space()
        .read_u32(at)
        .expect("readable")
}

fn fields_for(arch: Architecture) {
    let mut m = machine(MachineConfig::default());
    let pid = m.create_process(ProcessParams::new(arch)).expect("process");
    load_program(&mut m, pid, &[(RET_PARAM, 0)]);
    let first = m
        .spawn_thread(pid, CODE, 0, 0, CREATE_SUSPENDED)
        .expect("first");
    let second = m
        .spawn_thread(pid, CODE, 0x1234, 0, CREATE_SUSPENDED)
        .expect("second");
    let p = m.process(pid).expect("process");
    let peb = p.peb();
    // CriticalSectionTimeout: -30 days in 100 ns units.
    let timeout =
        u64::from(read(&m, pid, peb + 0x70)) | (u64::from(read(&m, pid, peb + 0x74)) << 32);
    assert_eq!(timeout as i64, -2_592_000 * 10_000_000);
    assert_eq!(read(&m, pid, peb + 0x78), 0x10_0000, "HeapSegmentReserve");
    assert_eq!(read(&m, pid, peb + 0x7C), 0x2000, "HeapSegmentCommit");
    for tid in [first, second] {
        let teb = m
            .process(pid)
            .and_then(|p| p.thread(tid))
            .expect("thread")
            .teb();
        // StaticUnicodeString: empty, over the 261 characters of StaticUnicodeBuffer.
        assert_eq!(read(&m, pid, teb + 0xBF8), 522 << 16);
        assert_eq!(read(&m, pid, teb + 0xBFC), teb + 0xC00);
    }
    if arch == Architecture::X86 {
        let regs = |tid: u32| match m
            .process(pid)
            .and_then(|p| p.thread(tid))
            .map(|t| t.context())
        {
            Some(CpuContext::X86(c)) => (c.gpr[0], c.gpr[3]),
            _ => panic!("an x86 thread"),
        };
        // eax the start routine, ebx the parameter (a process's first thread started from
        // its image gets the PEB instead: tests/image_process.rs).
        assert_eq!(regs(first), (CODE, 0));
        assert_eq!(regs(second), (CODE, 0x1234));
    }
}

#[test]
fn x86_peb_teb_and_initial_registers_are_nts() {
    fields_for(Architecture::X86);
}

#[test]
fn alpha_peb_and_teb_are_nts() {
    fields_for(Architecture::Alpha);
}
