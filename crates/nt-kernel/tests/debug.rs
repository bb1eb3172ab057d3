//! The debugger's event queue: a debugged process's new threads, thread exits and its end
//! become events in its debugger thread's queue, in order; the debuggee's threads stay
//! stopped while one of its events is not continued; one event of a process is reported at
//! a time; a debugger that ends takes its debuggees with it. On both architectures.

mod common;

use common::*;
use nt_kernel::*;

/// A debugger (x86, its thread suspended: the test plays it) and a debuggee of `arch` whose
/// threads return their parameter; its first thread's is 3.
fn debugger_and_debuggee(m: &mut Machine, arch: Architecture) -> (ClientId, u32, u32) {
    let (debugger, target, _) = caller_and_target(m, arch);
    let first = m.spawn_thread(target, CODE, 3, 0, 0).expect("first thread");
    m.attach_debugger(target, debugger, false).expect("attach");
    (debugger, target, first)
}

fn kinds(events: &[DebugEvent]) -> Vec<&'static str> {
    events
        .iter()
        .map(|e| match e.kind {
            DebugEventKind::Exception { .. } => "exception",
            DebugEventKind::CreateThread { .. } => "create thread",
            DebugEventKind::CreateProcess { .. } => "create process",
            DebugEventKind::ExitThread { .. } => "exit thread",
            DebugEventKind::ExitProcess { .. } => "exit process",
            DebugEventKind::LoadDll { .. } => "load dll",
            DebugEventKind::UnloadDll { .. } => "unload dll",
            DebugEventKind::OutputDebugString { .. } => "output string",
        })
        .collect()
}

/// Runs the machine, reporting and continuing every event as a debugger loop would; the
/// events in the order reported.
fn debug_loop(m: &mut Machine, debugger: ClientId) -> Vec<DebugEvent> {
    let mut seen = Vec::new();
    for _ in 0..100 {
        let _ = m.run(&mut TestServices, Some(10_000)).expect("run");
        let Some(event) = m.take_debug_event(debugger.thread) else {
            break;
        };
        // Nothing else of that process is reported before it is continued.
        assert_eq!(m.take_debug_event(debugger.thread), None);
        m.continue_debug_event(debugger.thread, event.process, event.thread)
            .expect("continue");
        seen.push(event);
    }
    seen
}

fn thread_events_in_order(arch: Architecture) {
    let mut m = machine(MachineConfig::default());
    let (debugger, target, first) = debugger_and_debuggee(&mut m, arch);
    assert!(m.debugger_of(target) == Some(debugger));
    // A second thread: reported before it runs; the process is stopped meanwhile.
    let second = m
        .spawn_thread(target, CODE, 3, 0, 0)
        .expect("second thread");
    assert!(m.is_debug_stopped(target));
    let events = debug_loop(&mut m, debugger);
    assert_eq!(
        kinds(&events),
        ["create thread", "exit thread", "exit process"],
        "{events:?}"
    );
    assert_eq!(events[0].thread, second);
    let last = &events[2];
    assert_eq!(last.kind, DebugEventKind::ExitProcess { exit_code: 3 });
    assert!([first, second].contains(&last.thread));
    assert!(m.process(target).is_none());
}

#[test]
fn x86_debuggee_thread_events_come_in_order_one_at_a_time() {
    thread_events_in_order(Architecture::X86);
}

#[test]
fn alpha_debuggee_thread_events_come_in_order_one_at_a_time() {
    thread_events_in_order(Architecture::Alpha);
}

#[test]
fn a_stopped_debuggee_does_not_run_until_continued() {
    let mut m = machine(MachineConfig::default());
    let (debugger, target, _) = debugger_and_debuggee(&mut m, Architecture::X86);
    m.post_debug_event(DebugEvent {
        process: target,
        thread: 0,
        kind: DebugEventKind::OutputDebugString {
            address: 0,
            length: 1,
            unicode: false,
        },
    });
    let _ = m.run(&mut TestServices, Some(10_000)).expect("run");
    assert!(
        m.process(target).is_some(),
        "the debuggee ran while stopped"
    );
    let event = m.take_debug_event(debugger.thread).expect("event");
    // Continuing an event of another thread, or one not reported, fails.
    assert_eq!(
        m.continue_debug_event(debugger.thread, target, 12345)
            .unwrap_err()
            .status(),
        nt_status::NtStatus::INVALID_PARAMETER
    );
    m.continue_debug_event(debugger.thread, event.process, event.thread)
        .expect("continue");
    let _ = m.run(&mut TestServices, Some(10_000)).expect("run");
    assert!(m.process(target).is_none());
}

#[test]
fn a_process_has_one_debugger_and_cannot_debug_itself() {
    let mut m = machine(MachineConfig::default());
    let (debugger, target, _) = debugger_and_debuggee(&mut m, Architecture::Alpha);
    let denied = nt_status::NtStatus::ACCESS_DENIED;
    assert_eq!(
        m.attach_debugger(target, debugger, false)
            .unwrap_err()
            .status(),
        denied
    );
    let own = ClientId {
        process: target,
        thread: 1,
    };
    assert_eq!(
        m.attach_debugger(target, own, false).unwrap_err().status(),
        denied
    );
    // BeingDebugged is set in the debuggee's PEB.
    let p = m.process(target).expect("debuggee");
    let mut b = [0u8; 1];
    p.address_space()
        .kernel_read(p.peb() + teb::peb_offsets::BEING_DEBUGGED, &mut b)
        .expect("peb");
    assert_eq!(b[0], 1);
}

#[test]
fn a_debuggee_ends_with_its_debugger() {
    let mut m = machine(MachineConfig::default());
    let (debugger, target, _) = debugger_and_debuggee(&mut m, Architecture::X86);
    m.post_debug_event(DebugEvent {
        process: target,
        thread: 0,
        kind: DebugEventKind::UnloadDll { base: 0x1000_0000 },
    });
    m.exit_thread(debugger, 0);
    assert!(m.process(target).is_none());
    assert!(!m.is_debugger(debugger.thread));
}
