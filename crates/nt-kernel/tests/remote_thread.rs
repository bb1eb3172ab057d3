//! CreateRemoteThread as a transaction: every fault point, on x86 and Alpha targets,
//! suspended or not, leaves the caller's handle count, the target's memory and threads, the
//! live objects and the client ids exactly as they were, once and over 10,000 calls (the
//! Performance Monitor check of KB Q246691). The NT 4.0 quirk proves the check detects a leak.

mod common;

use common::*;
use nt_kernel::*;
use nt_object::{AccessMask, Handle, Win32Error};

const ARCHES: [Architecture; 2] = [Architecture::X86, Architecture::Alpha];

fn failing_call(m: &mut Machine, caller: ClientId, target: Handle, flags: u32) -> KernelError {
    m.create_remote_thread(caller, target, false, 0, CODE, 5, flags)
        .expect_err("the armed fault point must make the call fail")
}

#[test]
fn every_fault_point_rolls_back_completely_once_and_ten_thousand_times() {
    for arch in ARCHES {
        for suspended in [false, true] {
            let flags = if suspended { CREATE_SUSPENDED } else { 0 };
            for point in FaultPoint::REMOTE_THREAD {
                let mut m = machine(MachineConfig::default());
                let (caller, target, h) = caller_and_target(&mut m, arch);
                let before = counters(&m, caller, target);
                m.faults_mut().arm(point, FaultTrigger::Always);
                let err = failing_call(&mut m, caller, h, flags);
                let what = format!("{} {arch:?} suspended={suspended}", point.name());
                assert_eq!(err, KernelError::Injected(point), "{what}");
                assert_eq!(err.win32_error(), point.status().to_win32_error(), "{what}");
                assert_eq!(counters(&m, caller, target), before, "{what}: one call");
                for _ in 0..10_000 {
                    failing_call(&mut m, caller, h, flags);
                }
                assert_eq!(counters(&m, caller, target), before, "{what}: 10,000 calls");
                assert_eq!(m.faults().fired(point), 10_001, "{what}");
                // Disarmed, the same call succeeds and the machine is still sound.
                m.faults_mut().disarm(point);
                let (th, _) = m
                    .create_remote_thread(caller, h, false, 0, CODE, 5, flags)
                    .expect("succeeds");
                assert_eq!(
                    counters(&m, caller, target).caller_handles,
                    before.caller_handles + 1
                );
                m.close_handle(caller.process, th).expect("close");
            }
        }
    }
}

#[test]
fn injected_errors_are_nt_last_errors() {
    let expected = [
        (FaultPoint::RemoteThreadAccess, Win32Error::ACCESS_DENIED),
        (FaultPoint::RemoteThreadStack, Win32Error::NOT_ENOUGH_MEMORY),
        (FaultPoint::RemoteThreadTeb, Win32Error::NOT_ENOUGH_MEMORY),
        (
            FaultPoint::RemoteThreadObject,
            Win32Error::NO_SYSTEM_RESOURCES,
        ),
        (
            FaultPoint::RemoteThreadHandle,
            Win32Error::NO_SYSTEM_RESOURCES,
        ),
        (
            FaultPoint::RemoteThreadSubsystem,
            Win32Error::NOT_ENOUGH_MEMORY,
        ),
        (FaultPoint::RemoteThreadResume, Win32Error::SIGNAL_REFUSED),
    ];
    for (point, error) in expected {
        assert_eq!(
            KernelError::Injected(point).win32_error(),
            error,
            "{}",
            point.name()
        );
    }
}

#[test]
fn nt4_quirk_leaks_exactly_one_handle_per_failed_call_at_the_subsystem_step() {
    for arch in ARCHES {
        let mut m = machine(MachineConfig::default());
        m.quirks_mut().nt4_remote_thread_leak = true;
        let (caller, target, h) = caller_and_target(&mut m, arch);
        let before = counters(&m, caller, target);
        m.faults_mut()
            .arm(FaultPoint::RemoteThreadSubsystem, FaultTrigger::Always);
        for _ in 0..10_000 {
            failing_call(&mut m, caller, h, 0);
        }
        let after = counters(&m, caller, target);
        assert_eq!(
            after.caller_handles,
            before.caller_handles + 10_000,
            "{arch:?}: the quirk must leak one handle per call, or the leak detector is blind"
        );
        // The threads themselves were terminated: the target has none, memory is back.
        assert_eq!(after.target_threads, before.target_threads);
        assert_eq!(after.target_committed, before.target_committed);
        // The leaked handles name terminated threads.
        let leaked = m
            .process(caller.process)
            .unwrap()
            .handle_table()
            .entries()
            .last()
            .unwrap()
            .handle;
        assert_ne!(m.thread_exit_code(caller, leaked).unwrap(), STILL_ACTIVE);
    }
}

#[test]
fn nt4_quirk_does_not_leak_at_other_steps() {
    for point in FaultPoint::REMOTE_THREAD
        .into_iter()
        .filter(|&p| p != FaultPoint::RemoteThreadSubsystem)
    {
        let mut m = machine(MachineConfig::default());
        m.quirks_mut().nt4_remote_thread_leak = true;
        let (caller, target, h) = caller_and_target(&mut m, Architecture::X86);
        let before = counters(&m, caller, target);
        m.faults_mut().arm(point, FaultTrigger::Always);
        for _ in 0..100 {
            failing_call(&mut m, caller, h, 0);
        }
        assert_eq!(counters(&m, caller, target), before, "{}", point.name());
    }
}

#[test]
fn fault_on_the_nth_call_fails_only_that_call() {
    let mut m = machine(MachineConfig::default());
    let (caller, target, h) = caller_and_target(&mut m, Architecture::Alpha);
    m.faults_mut()
        .arm(FaultPoint::RemoteThreadHandle, FaultTrigger::OnCall(3));
    let results: Vec<bool> = (0..5)
        .map(|_| {
            m.create_remote_thread(caller, h, false, 0, CODE, 1, CREATE_SUSPENDED)
                .is_ok()
        })
        .collect();
    assert_eq!(results, vec![true, true, false, true, true]);
    assert_eq!(m.process(target).unwrap().thread_count(), 4);
}

#[test]
fn natural_handle_quota_failure_rolls_back_too() {
    let mut m = machine(MachineConfig::default());
    let (caller, target, h) = caller_and_target(&mut m, Architecture::X86);
    let count = m
        .process(caller.process)
        .unwrap()
        .handle_table()
        .handle_count();
    m.process_mut(caller.process)
        .unwrap()
        .handle_table_mut()
        .set_quota(count);
    let before = counters(&m, caller, target);
    let err = m
        .create_remote_thread(caller, h, false, 0, CODE, 1, 0)
        .unwrap_err();
    assert_eq!(err.win32_error(), Win32Error::NO_SYSTEM_RESOURCES);
    assert_eq!(counters(&m, caller, target), before);
}

#[test]
fn oversized_stack_fails_with_no_memory_and_rolls_back() {
    let mut m = machine(MachineConfig::default());
    let (caller, target, h) = caller_and_target(&mut m, Architecture::X86);
    let before = counters(&m, caller, target);
    let err = m
        .create_remote_thread(caller, h, false, 0x7FF0_0000, CODE, 1, 0)
        .unwrap_err();
    assert_eq!(err.status(), nt_status::NtStatus::NO_MEMORY);
    assert_eq!(counters(&m, caller, target), before);
}

#[test]
fn a_handle_lacking_any_required_right_is_access_denied() {
    let rights = [
        AccessMask::PROCESS_CREATE_THREAD,
        AccessMask::PROCESS_QUERY_INFORMATION,
        AccessMask::PROCESS_VM_OPERATION,
        AccessMask::PROCESS_VM_WRITE,
        AccessMask::PROCESS_VM_READ,
    ];
    for arch in ARCHES {
        for missing in rights {
            let mut m = machine(MachineConfig::default());
            let (caller, target, _) = caller_and_target(&mut m, arch);
            let access = AccessMask(REMOTE_THREAD_ACCESS.0 & !missing.0);
            let weak = m
                .open_process(caller.process, target, access, false)
                .unwrap();
            let before = counters(&m, caller, target);
            let err = m
                .create_remote_thread(caller, weak, false, 0, CODE, 1, 0)
                .unwrap_err();
            assert_eq!(
                err.win32_error(),
                Win32Error::ACCESS_DENIED,
                "{arch:?} without {missing:?}"
            );
            assert_eq!(counters(&m, caller, target), before);
        }
        // With exactly the five rights it works.
        let mut m = machine(MachineConfig::default());
        let (caller, target, _) = caller_and_target(&mut m, arch);
        let exact = m
            .open_process(caller.process, target, REMOTE_THREAD_ACCESS, false)
            .unwrap();
        assert!(
            m.create_remote_thread(caller, exact, false, 0, CODE, 1, 0)
                .is_ok()
        );
    }
}

#[test]
fn invalid_and_wrong_type_handles_fail_with_invalid_handle() {
    let mut m = machine(MachineConfig::default());
    let (caller, _, h) = caller_and_target(&mut m, Architecture::X86);
    let err = m
        .create_remote_thread(caller, Handle(0x400), false, 0, CODE, 1, 0)
        .unwrap_err();
    assert_eq!(err.win32_error(), Win32Error::INVALID_HANDLE);
    let (th, _) = m
        .create_remote_thread(caller, h, false, 0, CODE, 1, CREATE_SUSPENDED)
        .unwrap();
    let err = m
        .create_remote_thread(caller, th, false, 0, CODE, 1, 0)
        .unwrap_err();
    assert_eq!(err.win32_error(), Win32Error::INVALID_HANDLE);
}

#[test]
fn a_terminated_target_fails_and_changes_nothing() {
    for arch in ARCHES {
        let mut m = machine(MachineConfig::default());
        let (caller, target, h) = caller_and_target(&mut m, arch);
        m.terminate_process(caller.process, h, 3).unwrap();
        assert_eq!(m.process_exit_code(caller.process, h).unwrap(), 3);
        let handles = m
            .process(caller.process)
            .unwrap()
            .handle_table()
            .handle_count();
        let objects = m.live_objects();
        let err = m
            .create_remote_thread(caller, h, false, 0, CODE, 1, 0)
            .unwrap_err();
        assert_eq!(err, KernelError::ProcessTerminating);
        assert_eq!(err.win32_error(), Win32Error::ACCESS_DENIED);
        assert_eq!(
            m.process(caller.process)
                .unwrap()
                .handle_table()
                .handle_count(),
            handles
        );
        assert_eq!(m.live_objects(), objects);
        assert!(m.process(target).is_none());
    }
}

#[test]
fn pseudo_handle_minus_one_targets_the_caller() {
    let mut m = machine(MachineConfig::default());
    let (caller, _, _) = caller_and_target(&mut m, Architecture::Alpha);
    let before = m.process(caller.process).unwrap().thread_count();
    let (_, tid) = m
        .create_remote_thread(
            caller,
            Handle::CURRENT_PROCESS,
            false,
            0,
            CODE,
            1,
            CREATE_SUSPENDED,
        )
        .unwrap();
    let p = m.process(caller.process).unwrap();
    assert_eq!(p.thread_count(), before + 1);
    assert!(p.thread(tid).is_some());
}

#[test]
fn new_thread_runs_and_its_exit_code_and_signal_are_visible() {
    for arch in ARCHES {
        let mut m = machine(MachineConfig::default());
        let (caller, target, h) = caller_and_target(&mut m, arch);
        let baseline_threads = thread_object_count(&m);
        let (th, tid) = m
            .create_remote_thread(caller, h, false, 0, CODE, 42, 0)
            .unwrap();
        assert_eq!(tid % 4, 0);
        assert_eq!(m.thread_exit_code(caller, th).unwrap(), STILL_ACTIVE);
        // Run until only the suspended caller thread is left.
        assert_eq!(m.run(&mut TestServices, None).unwrap(), RunOutcome::Blocked);
        assert_eq!(m.thread_exit_code(caller, th).unwrap(), 42, "{arch:?}");
        let object = m
            .process(caller.process)
            .unwrap()
            .handle_table()
            .reference(th, AccessMask(0), None)
            .unwrap()
            .clone();
        assert_eq!(object.is_signaled(), Ok(true));
        // The target's only thread ended, so the target ended with its exit code.
        assert!(m.process(target).is_none());
        assert_eq!(m.process_exit_code(caller.process, h).unwrap(), 42);
        drop(object);
        // Closing the handle frees the thread object and its id.
        let ids = m.client_id_count();
        m.close_handle(caller.process, th).unwrap();
        assert_eq!(thread_object_count(&m), baseline_threads);
        assert_eq!(m.client_id_count(), ids - 1);
    }
}

#[test]
fn a_thread_in_another_process_runs_in_that_address_space() {
    for arch in ARCHES {
        let mut m = machine(MachineConfig::default());
        let (caller, target, h) = caller_and_target(&mut m, arch);
        const DATA: u32 = 0x0020_0000;
        let program = [(STORE_PARAM, DATA), (RET_IMM, 0)];
        load_program_at(&mut m, target, &program);
        m.process_mut(target)
            .unwrap()
            .address_space_mut()
            .allocate(
                DATA,
                0x1_0000,
                nt_memory::AllocationType::RESERVE | nt_memory::AllocationType::COMMIT,
                nt_memory::PageProtection::READWRITE,
            )
            .unwrap();
        let (_, _) = m
            .create_remote_thread(caller, h, false, 0, CODE, 0x1234_5678, CREATE_SUSPENDED)
            .unwrap();
        // A second thread keeps the target alive after the first ends.
        let (th, _) = m
            .create_remote_thread(caller, h, false, 0, CODE, 0x1234_5678, 0)
            .unwrap();
        m.run(&mut TestServices, None).unwrap();
        assert_eq!(m.thread_exit_code(caller, th).unwrap(), 0);
        let mut word = [0u8; 4];
        m.process(target)
            .unwrap()
            .address_space()
            .kernel_read(DATA, &mut word)
            .unwrap();
        assert_eq!(u32::from_le_bytes(word), 0x1234_5678, "{arch:?}");
        // The caller's space has nothing there.
        assert!(
            m.process(caller.process)
                .unwrap()
                .address_space()
                .kernel_read(DATA, &mut word)
                .is_err()
        );
    }
}

fn load_program_at(m: &mut Machine, pid: u32, program: &[(u32, u32)]) {
    let mut bytes = Vec::new();
    for &(op, arg) in program {
        bytes.extend_from_slice(&op.to_le_bytes());
        bytes.extend_from_slice(&arg.to_le_bytes());
    }
    m.process_mut(pid)
        .unwrap()
        .address_space_mut()
        .kernel_write(CODE, &bytes)
        .unwrap();
}

#[test]
fn an_x86_caller_creates_a_thread_in_an_alpha_process_with_an_alpha_context() {
    let mut m = machine(MachineConfig::default());
    let (caller, target, h) = caller_and_target(&mut m, Architecture::Alpha);
    let (_, tid) = m
        .create_remote_thread(caller, h, false, 0, CODE, 9, CREATE_SUSPENDED)
        .unwrap();
    let t = m.process(target).unwrap().thread(tid).unwrap();
    let CpuContext::Alpha(c) = t.context() else {
        panic!("an Alpha process must get an Alpha context")
    };
    assert_eq!(c.pc, u64::from(CODE));
    assert_eq!(c.r[ALPHA_A0], 9);
    assert_eq!(c.r[ALPHA_PV], u64::from(CODE));
    assert_eq!(c.r[ALPHA_RA], sign_extend(EXIT_THREAD_THUNK));
    assert_eq!(c.r[ALPHA_SP] % 16, 0);
}
