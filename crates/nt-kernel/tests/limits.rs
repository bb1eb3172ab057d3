//! The machine's limits: processes, threads and committed memory. Going over gives the NT
//! status a guest sees on NT when the system runs out (STATUS_INSUFFICIENT_RESOURCES,
//! STATUS_COMMITMENT_LIMIT), and nothing of the failed creation is left behind.

mod common;

use common::*;
use nt_kernel::*;
use nt_memory::{AllocationType, PageProtection};
use nt_object::Win32Error;
use nt_status::NtStatus;

#[test]
fn one_process_past_the_limit_fails_with_no_system_resources() {
    let mut m = machine(MachineConfig {
        max_processes: 3,
        ..MachineConfig::default()
    });
    let pids: Vec<u32> = (0..3)
        .map(|_| {
            m.create_process(ProcessParams::new(Architecture::X86))
                .unwrap()
        })
        .collect();
    let err = m
        .create_process(ProcessParams::new(Architecture::Alpha))
        .expect_err("a fourth process");
    assert_eq!(err, KernelError::ProcessLimit(3));
    assert_eq!(err.status(), NtStatus::INSUFFICIENT_RESOURCES);
    assert_eq!(err.win32_error(), Win32Error::NO_SYSTEM_RESOURCES);
    assert_eq!(m.process_ids().len(), 3);
    // An ended process makes room again.
    m.exit_process(pids[0], 0);
    m.create_process(ProcessParams::new(Architecture::X86))
        .expect("room after an exit");
}

#[test]
fn one_thread_past_the_limit_fails_with_no_system_resources() {
    let mut m = machine(MachineConfig {
        max_threads: 2,
        ..MachineConfig::default()
    });
    let pid = m
        .create_process(ProcessParams::new(Architecture::X86))
        .unwrap();
    let other = m
        .create_process(ProcessParams::new(Architecture::X86))
        .unwrap();
    m.spawn_thread(pid, CODE, 0, 0, CREATE_SUSPENDED).unwrap();
    m.spawn_thread(other, CODE, 0, 0, CREATE_SUSPENDED).unwrap();
    let committed = m.commit_limit().used();
    let err = m
        .spawn_thread(pid, CODE, 0, 0, CREATE_SUSPENDED)
        .expect_err("a third thread");
    assert_eq!(err, KernelError::ThreadLimit(2));
    assert_eq!(err.win32_error(), Win32Error::NO_SYSTEM_RESOURCES);
    // No stack or TEB of the refused thread stays committed.
    assert_eq!(m.commit_limit().used(), committed);
}

#[test]
fn commits_of_all_processes_share_the_commit_limit() {
    let mut m = machine(MachineConfig {
        commit_limit: 1 << 20,
        ..MachineConfig::default()
    });
    let a = m
        .create_process(ProcessParams::new(Architecture::X86))
        .unwrap();
    let b = m
        .create_process(ProcessParams::new(Architecture::Alpha))
        .unwrap();
    let rw = AllocationType::RESERVE | AllocationType::COMMIT;
    let space = m.process_mut(a).unwrap().address_space_mut();
    space
        .allocate(0, 768 << 10, rw, PageProtection::READWRITE)
        .expect("768 KiB");
    let space = m.process_mut(b).unwrap().address_space_mut();
    let err = space
        .allocate(0, 512 << 10, rw, PageProtection::READWRITE)
        .expect_err("past 1 MiB over both");
    assert_eq!(err.status(), NtStatus::COMMITMENT_LIMIT);
    assert_eq!(err.status().to_win32_error(), Win32Error::COMMITMENT_LIMIT);
    // Ending the first process gives its commit back.
    m.exit_process(a, 0);
    let space = m.process_mut(b).unwrap().address_space_mut();
    space
        .allocate(0, 512 << 10, rw, PageProtection::READWRITE)
        .expect("room after the exit");
}
