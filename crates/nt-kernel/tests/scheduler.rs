//! Processes, threads and the scheduler: suspend and resume counts, waits that park guest
//! threads, the virtual clock, process exit closing every handle, ids and handle counts.

mod common;

use common::*;
use nt_kernel::*;
use nt_object::{
    AccessMask, EventType, Handle, HandleAttributes, NamedObjectSpec, OwnerThread, WaitStatus,
    Win32Error,
};

fn single_process(m: &mut Machine, arch: Architecture, program: &[(u32, u32)]) -> u32 {
    let pid = m.create_process(ProcessParams::new(arch)).unwrap();
    load_program(m, pid, program);
    pid
}

#[test]
fn suspend_and_resume_return_previous_counts() {
    let mut m = machine(MachineConfig::default());
    let (caller, _, h) = caller_and_target(&mut m, Architecture::X86);
    let (th, _) = m
        .create_remote_thread(caller, h, false, 0, CODE, 1, CREATE_SUSPENDED)
        .unwrap();
    assert_eq!(m.suspend_thread(caller, th), Ok(1));
    assert_eq!(m.suspend_thread(caller, th), Ok(2));
    assert_eq!(m.resume_thread(caller, th), Ok(3));
    assert_eq!(m.resume_thread(caller, th), Ok(2));
    // Still suspended: the run leaves it alone.
    assert_eq!(m.run(&mut TestServices, None).unwrap(), RunOutcome::Blocked);
    assert_eq!(m.thread_exit_code(caller, th), Ok(STILL_ACTIVE));
    assert_eq!(m.resume_thread(caller, th), Ok(1));
    assert_eq!(m.resume_thread(caller, th), Ok(0));
    m.run(&mut TestServices, None).unwrap();
    assert_eq!(m.thread_exit_code(caller, th), Ok(1));
}

#[test]
fn suspend_count_is_bounded() {
    let mut m = machine(MachineConfig::default());
    let (caller, _, h) = caller_and_target(&mut m, Architecture::Alpha);
    let (th, _) = m
        .create_remote_thread(caller, h, false, 0, CODE, 1, 0)
        .unwrap();
    for n in 0..MAXIMUM_SUSPEND_COUNT {
        assert_eq!(m.suspend_thread(caller, th), Ok(n));
    }
    let err = m.suspend_thread(caller, th).unwrap_err();
    assert_eq!(err.win32_error(), Win32Error::SIGNAL_REFUSED);
}

#[test]
fn suspend_needs_the_right_and_a_thread_handle() {
    let mut m = machine(MachineConfig::default());
    let (caller, _, h) = caller_and_target(&mut m, Architecture::X86);
    let (_, tid) = m
        .create_remote_thread(caller, h, false, 0, CODE, 1, CREATE_SUSPENDED)
        .unwrap();
    let weak = m
        .open_thread(
            caller.process,
            tid,
            AccessMask::THREAD_QUERY_INFORMATION,
            false,
        )
        .unwrap();
    assert_eq!(
        m.suspend_thread(caller, weak).unwrap_err().win32_error(),
        Win32Error::ACCESS_DENIED
    );
    assert_eq!(
        m.suspend_thread(caller, h).unwrap_err().win32_error(),
        Win32Error::INVALID_HANDLE
    );
}

#[test]
fn a_parked_thread_resumes_when_its_event_is_set() {
    for arch in [Architecture::X86, Architecture::Alpha] {
        let mut m = machine(MachineConfig::default());
        let pid = single_process(
            &mut m,
            arch,
            &[(CALL, SVC_WAIT_PARAM_HANDLE), (RET_IMM, 77)],
        );
        let event = m.objects().create_event(EventType::Notification, false);
        let eh = m
            .process_mut(pid)
            .unwrap()
            .handle_table_mut()
            .insert(&event, AccessMask::EVENT_ALL_ACCESS, HandleAttributes::NONE)
            .unwrap();
        let tid = m.spawn_thread(pid, CODE, eh.0, 0, 0).unwrap();
        let thread_object = m
            .process(pid)
            .unwrap()
            .thread(tid)
            .unwrap()
            .object()
            .clone();
        assert_eq!(m.run(&mut TestServices, None).unwrap(), RunOutcome::Blocked);
        assert!(m.process(pid).unwrap().thread(tid).unwrap().is_waiting());
        event.set_event().unwrap();
        assert_eq!(
            m.run(&mut TestServices, None).unwrap(),
            RunOutcome::AllExited
        );
        assert_eq!(
            thread_object.payload::<ThreadBody>().unwrap().exit_status(),
            77,
            "{arch:?}"
        );
    }
}

#[test]
fn a_thread_waits_for_another_threads_exit() {
    let mut m = machine(MachineConfig::default());
    let (caller, target, h) = caller_and_target(&mut m, Architecture::X86);
    // In the target: thread A spins a while then returns 5; thread B waits on A's handle.
    let spinner = 0x0010_0100;
    let program = [(CALL, SVC_WAIT_PARAM_HANDLE), (RET_IMM, 6)];
    {
        let space = m.process_mut(target).unwrap().address_space_mut();
        let mut bytes = Vec::new();
        for (op, arg) in program
            .iter()
            .chain(&[(0, 0); 30])
            .take(32)
            .copied()
            .chain([(SPIN, 250_000), (RET_IMM, 5)])
        {
            bytes.extend_from_slice(&op.to_le_bytes());
            bytes.extend_from_slice(&arg.to_le_bytes());
        }
        space.kernel_write(CODE, &bytes).unwrap();
    }
    let (ah, atid) = m
        .create_remote_thread(caller, h, false, 0, spinner, 0, 0)
        .unwrap();
    // Give the target a handle to A, and start B with it.
    let in_target = m
        .process_mut(caller.process)
        .unwrap()
        .handle_table_mut()
        .reference(ah, AccessMask::SYNCHRONIZE, None)
        .unwrap()
        .clone();
    let ah_in_target = m
        .process_mut(target)
        .unwrap()
        .handle_table_mut()
        .insert(&in_target, AccessMask::SYNCHRONIZE, HandleAttributes::NONE)
        .unwrap();
    drop(in_target);
    let (bh, _) = m
        .create_remote_thread(caller, h, false, 0, CODE, ah_in_target.0, 0)
        .unwrap();
    m.run(&mut TestServices, None).unwrap();
    assert_eq!(m.thread_exit_code(caller, ah), Ok(5));
    assert_eq!(m.thread_exit_code(caller, bh), Ok(6));
    assert!(atid > 0);
    // The spinning thread needed several quanta: the scheduler preempted it.
    assert!(m.instructions() > MachineConfig::default().quantum);
}

#[test]
fn virtual_clock_times_out_a_parked_wait_deterministically() {
    let mut m = machine(MachineConfig {
        virtual_time: true,
        ..MachineConfig::default()
    });
    let pid = single_process(
        &mut m,
        Architecture::Alpha,
        &[
            (CALL, SVC_WAIT_PARAM_HANDLE_10MS),
            (JMP, CODE + 24),
            (0, 0),
            (RET_PARAM, 0),
        ],
    );
    let event = m.objects().create_event(EventType::Notification, false);
    let eh = m
        .process_mut(pid)
        .unwrap()
        .handle_table_mut()
        .insert(&event, AccessMask::EVENT_ALL_ACCESS, HandleAttributes::NONE)
        .unwrap();
    let tid = m.spawn_thread(pid, CODE, eh.0, 0, 0).unwrap();
    let thread_object = m
        .process(pid)
        .unwrap()
        .thread(tid)
        .unwrap()
        .object()
        .clone();
    assert_eq!(m.clock().now_ms(), 0);
    // The wait's WAIT_TIMEOUT lands in the return register; RET_PARAM then returns the
    // parameter, so check the timeout through the clock and the exit.
    assert_eq!(
        m.run(&mut TestServices, None).unwrap(),
        RunOutcome::AllExited
    );
    assert_eq!(m.clock().now_ms(), 10);
    assert_eq!(
        thread_object.payload::<ThreadBody>().unwrap().exit_status(),
        eh.0
    );
}

#[test]
fn process_exit_closes_every_handle_and_frees_its_objects() {
    let mut m = machine(MachineConfig::default());
    let pid = single_process(&mut m, Architecture::X86, &[(CALL, SVC_EXIT_PROCESS_7)]);
    let objects_before = m.live_objects();
    for _ in 0..5 {
        let e = m.objects().create_event(EventType::Synchronization, false);
        m.process_mut(pid)
            .unwrap()
            .handle_table_mut()
            .insert(
                &e,
                AccessMask::EVENT_ALL_ACCESS,
                HandleAttributes::PROTECT_FROM_CLOSE,
            )
            .unwrap();
    }
    let named = {
        let objects = m.objects().clone();
        let table = m.process_mut(pid).unwrap().handle_table_mut();
        objects
            .create_named(
                table,
                "exit-test",
                NamedObjectSpec::Mutant {
                    initial_owner: None,
                },
                AccessMask::MUTANT_ALL_ACCESS,
                HandleAttributes::NONE,
            )
            .unwrap()
    };
    assert!(!named.existed);
    let process_object = m.process(pid).unwrap().object().clone();
    m.spawn_thread(pid, CODE, 0, 0, 0).unwrap();
    assert_eq!(
        m.run(&mut TestServices, None).unwrap(),
        RunOutcome::AllExited
    );
    assert_eq!(
        process_object
            .payload::<ProcessBody>()
            .unwrap()
            .exit_status(),
        7
    );
    assert_eq!(process_object.is_signaled(), Ok(true));
    assert!(m.objects().lookup_name("exit-test").is_none());
    drop(process_object);
    assert_eq!(
        m.live_objects(),
        objects_before - 1,
        "only the process object itself was older"
    );
    assert_eq!(m.client_id_count(), 0);
}

#[test]
fn an_exiting_thread_abandons_its_mutants() {
    let mut m = machine(MachineConfig::default());
    let pid = single_process(&mut m, Architecture::X86, &[(RET_IMM, 0)]);
    let spare = m.spawn_thread(pid, CODE, 0, 0, CREATE_SUSPENDED).unwrap();
    let tid = m.spawn_thread(pid, CODE, 0, 0, 0).unwrap();
    let mutant = m.objects().create_mutant(Some(OwnerThread(tid)));
    m.run(&mut TestServices, None).unwrap();
    assert!(m.process(pid).unwrap().thread(spare).is_some());
    let state = mutant.mutant_state().unwrap();
    assert!(state.abandoned);
    assert_eq!(state.owner, None);
    assert_eq!(
        mutant.wait(OwnerThread(spare), Some(std::time::Duration::ZERO)),
        Ok(WaitStatus::Abandoned(0))
    );
}

#[test]
fn open_process_by_id() {
    let mut m = machine(MachineConfig::default());
    let (caller, target, _) = caller_and_target(&mut m, Architecture::X86);
    let h = m
        .open_process(
            caller.process,
            target,
            AccessMask::PROCESS_QUERY_INFORMATION,
            false,
        )
        .unwrap();
    assert_eq!(m.process_exit_code(caller.process, h), Ok(STILL_ACTIVE));
    assert_eq!(
        m.process_exit_code(caller.process, Handle::CURRENT_PROCESS),
        Ok(STILL_ACTIVE)
    );
    for bad in [0, 3, 0x4000, caller.thread + 1] {
        let err = m
            .open_process(
                caller.process,
                bad,
                AccessMask::PROCESS_QUERY_INFORMATION,
                false,
            )
            .unwrap_err();
        assert_eq!(
            err.win32_error(),
            Win32Error::INVALID_PARAMETER,
            "pid {bad}"
        );
    }
    // A thread id is not a process id.
    let err = m
        .open_process(
            caller.process,
            caller.thread,
            AccessMask::PROCESS_QUERY_INFORMATION,
            false,
        )
        .unwrap_err();
    assert_eq!(err, KernelError::InvalidClientId);
    assert!(
        m.terminate_process(caller.process, h, 1)
            .unwrap_err()
            .win32_error()
            == Win32Error::ACCESS_DENIED
    );
}

#[test]
fn process_and_thread_ids_are_multiples_of_four_from_one_table() {
    let mut m = machine(MachineConfig::default());
    let a = m
        .create_process(ProcessParams::new(Architecture::X86))
        .unwrap();
    let b = m
        .create_process(ProcessParams::new(Architecture::Alpha))
        .unwrap();
    load_program(&mut m, a, &[(RET_IMM, 0)]);
    let t = m.spawn_thread(a, CODE, 0, 0, CREATE_SUSPENDED).unwrap();
    assert_eq!((a, b, t), (4, 8, 12));
    assert_eq!(m.client_id_count(), 3);
}

#[test]
fn handle_count_query_and_inheritance_at_process_creation() {
    let mut m = machine(MachineConfig::default());
    let (caller, _, _) = caller_and_target(&mut m, Architecture::X86);
    let e = m.objects().create_event(EventType::Notification, false);
    let table = m.process_mut(caller.process).unwrap().handle_table_mut();
    let inheritable = table
        .insert(&e, AccessMask::EVENT_ALL_ACCESS, HandleAttributes::INHERIT)
        .unwrap();
    table
        .insert(&e, AccessMask::EVENT_ALL_ACCESS, HandleAttributes::NONE)
        .unwrap();
    let count = m
        .process_handle_count(caller.process, Handle::CURRENT_PROCESS)
        .unwrap();
    assert_eq!(count, 3);
    let mut params = ProcessParams::new(Architecture::Alpha);
    params.parent = Some(caller.process);
    params.inherit_handles = true;
    let child = m.create_process(params).unwrap();
    let ch = m
        .open_process(
            caller.process,
            child,
            AccessMask::PROCESS_QUERY_INFORMATION,
            false,
        )
        .unwrap();
    assert_eq!(m.process_handle_count(caller.process, ch), Ok(1));
    assert!(
        m.process(child)
            .unwrap()
            .handle_table()
            .reference(inheritable, AccessMask::EVENT_MODIFY_STATE, None)
            .is_ok()
    );
    let no_right = m
        .open_process(caller.process, child, AccessMask::SYNCHRONIZE, false)
        .unwrap();
    assert_eq!(
        m.process_handle_count(caller.process, no_right)
            .unwrap_err()
            .win32_error(),
        Win32Error::ACCESS_DENIED
    );
}

#[test]
fn teb_and_peb_fields_are_filled() {
    for arch in [Architecture::X86, Architecture::Alpha] {
        let mut m = machine(MachineConfig::default());
        let pid = single_process(&mut m, arch, &[(RET_IMM, 0)]);
        let tid = m.spawn_thread(pid, CODE, 0, 0, CREATE_SUSPENDED).unwrap();
        let p = m.process(pid).unwrap();
        let t = p.thread(tid).unwrap();
        let read = |addr: u32| {
            let mut b = [0u8; 4];
            p.address_space().kernel_read(addr, &mut b).unwrap();
            u32::from_le_bytes(b)
        };
        let teb = t.teb();
        assert_eq!(read(teb + teb::offsets::SELF), teb);
        assert_eq!(read(teb + teb::offsets::EXCEPTION_LIST), 0xFFFF_FFFF);
        assert_eq!(read(teb + teb::offsets::STACK_BASE), t.stack_top());
        assert!(read(teb + teb::offsets::STACK_LIMIT) < t.stack_top());
        assert_eq!(read(teb + teb::offsets::CLIENT_ID_PROCESS), pid);
        assert_eq!(read(teb + teb::offsets::CLIENT_ID_THREAD), tid);
        assert_eq!(read(teb + teb::offsets::PEB), p.peb());
        assert_eq!(read(teb + teb::offsets::LAST_ERROR), 0);
        assert_eq!(read(teb + teb::offsets::FP_SOFTWARE_STATUS), 0);
        assert_eq!(read(p.peb() + teb::peb_offsets::IMAGE_BASE), 0x40_0000);
        // The stack: a guard page right below the committed top.
        let limit = read(teb + teb::offsets::STACK_LIMIT);
        let page = arch.page_size().bytes();
        let guard = p.address_space().query(limit - page).unwrap();
        assert_eq!(
            guard.protect.0 & nt_memory::PageProtection::GUARD.0,
            nt_memory::PageProtection::GUARD.0,
            "{arch:?}"
        );
        match t.context() {
            CpuContext::X86(c) => {
                // NT's BaseThreadStartThunk, the routine in eax, esp one zero slot below
                // the top of the stack.
                assert_eq!(c.eip, BASE_THREAD_START_THUNK);
                assert_eq!(c.gpr[X86_EAX], CODE);
                assert_eq!(c.fs_base, teb);
                assert_eq!(c.gpr[X86_ESP], read(teb + teb::offsets::STACK_BASE) - 4);
                assert_eq!(read(c.gpr[X86_ESP]), 0);
            }
            CpuContext::Alpha(c) => assert_eq!(c.pc, u64::from(CODE)),
        }
    }
}

#[test]
fn an_unhandled_fault_ends_the_process_with_access_violation() {
    let mut m = machine(MachineConfig::default());
    let pid = single_process(&mut m, Architecture::X86, &[(JMP, 0x0500_0000)]);
    let object = m.process(pid).unwrap().object().clone();
    m.spawn_thread(pid, CODE, 0, 0, 0).unwrap();
    assert_eq!(
        m.run(&mut TestServices, None).unwrap(),
        RunOutcome::AllExited
    );
    assert_eq!(
        object.payload::<ProcessBody>().unwrap().exit_status(),
        0xC000_0005
    );
}

#[test]
fn instruction_limit_stops_the_run() {
    let mut m = machine(MachineConfig {
        quantum: 1000,
        ..MachineConfig::default()
    });
    let pid = single_process(&mut m, Architecture::Alpha, &[(SPIN, u32::MAX)]);
    m.spawn_thread(pid, CODE, 0, 0, 0).unwrap();
    assert_eq!(
        m.run(&mut TestServices, Some(10_000)).unwrap(),
        RunOutcome::LimitReached
    );
    assert!(m.instructions() >= 10_000 && m.instructions() < 12_000);
}

#[test]
fn a_machine_without_an_engine_for_the_architecture_says_so() {
    let mut m = Machine::new(MachineConfig::default());
    let pid = m
        .create_process(ProcessParams::new(Architecture::Alpha))
        .unwrap();
    load_program(&mut m, pid, &[(RET_IMM, 0)]);
    m.spawn_thread(pid, CODE, 0, 0, 0).unwrap();
    assert_eq!(
        m.run(&mut NoServices, None).unwrap_err(),
        KernelError::NoEngine(Architecture::Alpha)
    );
}

#[test]
fn machines_are_send() {
    fn assert_send<T: Send>() {}
    assert_send::<Machine>();
}

#[test]
fn virtual_time_passes_while_other_threads_compute() {
    let mut m = machine(MachineConfig {
        virtual_time: true,
        quantum: 10_000,
        ..MachineConfig::default()
    });
    let pid = single_process(
        &mut m,
        Architecture::X86,
        &[
            (CALL, SVC_WAIT_PARAM_HANDLE_10MS),
            (RET_IMM, 5),
            (SPIN, u32::MAX),
        ],
    );
    let event = m.objects().create_event(EventType::Notification, false);
    let eh = m
        .process_mut(pid)
        .unwrap()
        .handle_table_mut()
        .insert(&event, AccessMask::EVENT_ALL_ACCESS, HandleAttributes::NONE)
        .unwrap();
    let waiter = m.spawn_thread(pid, CODE, eh.0, 0, 0).unwrap();
    // A second thread spins forever from the SPIN instruction.
    m.spawn_thread(pid, CODE + 16, 0, 0, 0).unwrap();
    let object = m
        .process(pid)
        .unwrap()
        .thread(waiter)
        .unwrap()
        .object()
        .clone();
    assert_eq!(
        m.run(&mut TestServices, Some(5_000_000)).unwrap(),
        RunOutcome::LimitReached
    );
    // 5M instructions are 50 virtual ms: the 10 ms wait has timed out and the thread ended.
    assert!(m.clock().now_ms() >= 49, "{}", m.clock().now_ms());
    assert_eq!(object.payload::<ThreadBody>().unwrap().exit_status(), 5);
}

/// Services that count the host's turns and stop the run at the `stop_at`-th.
struct HostCounting {
    turns: u32,
    stop_at: u32,
}

impl SystemServices for HostCounting {
    fn thunk(&mut self, machine: &mut Machine, thread: ClientId, address: u32) -> ServiceOutcome {
        TestServices.thunk(machine, thread, address)
    }

    fn host_event(&mut self, _machine: &mut Machine) -> HostAction {
        self.turns += 1;
        if self.turns >= self.stop_at {
            HostAction::Stop
        } else {
            HostAction::Continue
        }
    }
}

#[test]
fn a_ringing_host_is_served_after_one_quantum_of_a_spinning_thread() {
    let quantum = 1_000;
    let mut m = machine(MachineConfig {
        quantum,
        ..MachineConfig::default()
    });
    let pid = single_process(&mut m, Architecture::X86, &[(SPIN, u32::MAX)]);
    m.spawn_thread(pid, CODE, 0, 0, 0).unwrap();
    let mut services = HostCounting {
        turns: 0,
        stop_at: 2,
    };
    // Not rung: the host is never called.
    assert_eq!(
        m.run(&mut services, Some(10 * quantum)).unwrap(),
        RunOutcome::LimitReached
    );
    assert_eq!(services.turns, 0);
    // Rung: served once after the next quantum, and again after the next ring, which stops
    // the run at once.
    let signal = m.host_signal();
    signal.ring();
    let before = m.instructions();
    assert_eq!(
        m.run(&mut services, Some(2 * quantum)).unwrap(),
        RunOutcome::LimitReached
    );
    assert_eq!(services.turns, 1);
    signal.ring();
    let before_stop = m.instructions();
    assert_eq!(m.run(&mut services, None).unwrap(), RunOutcome::Interrupted);
    assert!(m.instructions() - before_stop <= quantum);
    assert!(m.instructions() > before);
}

#[test]
fn a_ring_wakes_a_machine_whose_threads_all_sleep() {
    for arch in [Architecture::X86, Architecture::Alpha] {
        let mut m = machine(MachineConfig::default());
        // A thread that waits for an event nobody sets, 10 ms at a time, for ever.
        let pid = single_process(
            &mut m,
            arch,
            &[(CALL, SVC_WAIT_PARAM_HANDLE_10MS), (JMP, CODE)],
        );
        let event = m.objects().create_event(EventType::Notification, false);
        let eh = m
            .process_mut(pid)
            .unwrap()
            .handle_table_mut()
            .insert(&event, AccessMask::EVENT_ALL_ACCESS, HandleAttributes::NONE)
            .unwrap();
        m.spawn_thread(pid, CODE, eh.0, 0, 0).unwrap();
        let signal = m.host_signal();
        let ringer = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            signal.ring();
        });
        let mut services = HostCounting {
            turns: 0,
            stop_at: 1,
        };
        assert_eq!(
            m.run(&mut services, None).unwrap(),
            RunOutcome::Interrupted,
            "{arch:?}"
        );
        ringer.join().unwrap();
    }
}
