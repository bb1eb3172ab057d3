//! The scheduler's idle point: when every thread is blocked, the services may wait on the
//! host (for a socket, say) for at most the time to the next wait deadline, and end a wait
//! by signalling its object; the machine then runs on instead of stopping.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use nt_kernel::*;
use nt_object::{AccessMask, EventType, HandleAttributes, Object};

/// TestServices, plus an idle hook that records the timeouts it is given and, if it holds
/// an event, signals it (as a host socket becoming ready would).
struct IdleServices {
    timeouts: Vec<Option<Duration>>,
    wake: Option<Arc<Object>>,
}

impl SystemServices for IdleServices {
    fn thunk(&mut self, machine: &mut Machine, thread: ClientId, address: u32) -> ServiceOutcome {
        TestServices.thunk(machine, thread, address)
    }

    fn idle(&mut self, _machine: &mut Machine, timeout: Option<Duration>) -> bool {
        self.timeouts.push(timeout);
        match self.wake.take() {
            Some(event) => {
                event.set_event().expect("an event");
                true
            }
            None => false,
        }
    }
}

/// A process whose one thread waits on an event (for ever, or 10 ms) and then returns 5.
fn waiter(m: &mut Machine, wait: u32) -> (Arc<Object>, Arc<Object>) {
    let pid = m
        .create_process(ProcessParams::new(Architecture::X86))
        .unwrap();
    load_program(m, pid, &[(CALL, wait), (RET_IMM, 5)]);
    let event = m.objects().create_event(EventType::Notification, false);
    let handle = m
        .process_mut(pid)
        .unwrap()
        .handle_table_mut()
        .insert(&event, AccessMask::EVENT_ALL_ACCESS, HandleAttributes::NONE)
        .unwrap();
    let tid = m.spawn_thread(pid, CODE, handle.0, 0, 0).unwrap();
    let thread = m
        .process(pid)
        .unwrap()
        .thread(tid)
        .unwrap()
        .object()
        .clone();
    (event, thread)
}

#[test]
fn an_idle_hook_that_signals_a_wait_lets_the_machine_run_on() {
    let mut m = machine(MachineConfig::default());
    let (event, thread) = waiter(&mut m, SVC_WAIT_PARAM_HANDLE);
    let mut services = IdleServices {
        timeouts: Vec::new(),
        wake: Some(event),
    };
    assert_eq!(m.run(&mut services, None).unwrap(), RunOutcome::AllExited);
    assert_eq!(thread.payload::<ThreadBody>().unwrap().exit_status(), 5);
    // The wait had no deadline: the hook could wait without limit.
    assert_eq!(services.timeouts, vec![None]);
}

#[test]
fn with_nothing_to_wait_for_a_blocked_machine_stops() {
    let mut m = machine(MachineConfig::default());
    let (_event, _thread) = waiter(&mut m, SVC_WAIT_PARAM_HANDLE);
    let mut services = IdleServices {
        timeouts: Vec::new(),
        wake: None,
    };
    assert_eq!(m.run(&mut services, None).unwrap(), RunOutcome::Blocked);
    assert_eq!(services.timeouts, vec![None]);
}

#[test]
fn the_idle_hook_is_given_the_time_to_the_next_deadline() {
    let mut m = machine(MachineConfig {
        virtual_time: true,
        ..MachineConfig::default()
    });
    let (_event, thread) = waiter(&mut m, SVC_WAIT_PARAM_HANDLE_10MS);
    let mut services = IdleServices {
        timeouts: Vec::new(),
        wake: None,
    };
    assert_eq!(m.run(&mut services, None).unwrap(), RunOutcome::AllExited);
    // The 10 ms wait timed out (WAIT_TIMEOUT, then RET_IMM 5).
    assert_eq!(thread.payload::<ThreadBody>().unwrap().exit_status(), 5);
    let first = services.timeouts.first().copied().flatten();
    assert!(
        first.is_some_and(|t| t <= Duration::from_millis(10)),
        "{:?}",
        services.timeouts
    );
}
