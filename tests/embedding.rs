//! The embedding API: machines built in code, programs of both architectures loaded, run for
//! budgets of instructions and guest time, inspected while stopped (processes, threads,
//! handle tables, counters, the console screen), and two machines on two host threads.

use std::path::PathBuf;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use ntemu::kernel::RunOutcome;
use ntemu::{
    AccessMask, Architecture, DiagnosticOptions, Emulator, Handle, ObjectType, STILL_ACTIVE,
};

fn guest(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/guests")
        .join(rel)
}

/// An expected-output file without its `#` header lines.
fn expected(rel: &str) -> String {
    std::fs::read_to_string(guest(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Two machines, each on its own host thread, started together, run handles.exe (x86 on
/// one, Alpha on the other). Both create the same named event: were the machines' object
/// namespaces shared, one would see ERROR_ALREADY_EXISTS where the expected output has 0.
#[test]
fn two_machines_run_in_parallel_on_two_host_threads() {
    let start = Arc::new(Barrier::new(2));
    let workers: Vec<_> = ["x86/handles.exe", "alpha/handles.exe"]
        .into_iter()
        .map(|rel| {
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                let mut emulator = Emulator::builder().capture_output().build();
                let pid = emulator.load(&guest(rel), &[]).expect("load");
                start.wait();
                let outcome = emulator.run().expect("run");
                (
                    rel,
                    outcome,
                    emulator.exit_code(pid),
                    String::from_utf8_lossy(&emulator.stdout()).into_owned(),
                    emulator.process(pid).is_none(),
                )
            })
        })
        .collect();
    let want = expected("expected/handles.expected");
    for w in workers {
        let (rel, outcome, exit_code, stdout, gone) = w.join().expect("worker thread");
        assert_eq!(outcome, RunOutcome::AllExited, "{rel}");
        assert_eq!(exit_code, Some(0), "{rel}");
        assert_eq!(stdout, want, "{rel}");
        assert!(gone, "{rel}: the process ended");
    }
}

/// leak.exe stopped by an instruction budget just after its first CreateEventA: the handle
/// table shows the named event (value 4, Event, EVENT_ALL_ACCESS, its name), the thread and
/// the counters; run to the end, it exits 0 and the handle trace names CreateEventA.
#[test]
fn inspect_a_process_while_it_is_stopped() {
    let mut emulator = Emulator::builder()
        .capture_output()
        .quantum(1)
        .diagnostics(DiagnosticOptions {
            track_handles: true,
            ..DiagnosticOptions::default()
        })
        .build();
    let pid = emulator.load(&guest("x86/leak.exe"), &[]).expect("load");
    let info = emulator.process(pid).expect("process");
    assert_eq!(info.architecture, Architecture::X86);
    assert_eq!(info.image_base, Some(0x40_0000));
    assert_eq!(info.threads.len(), 1);
    assert!(info.handles.is_empty(), "{:?}", info.handles);
    let mut steps = 0;
    while !emulator
        .handles(pid)
        .iter()
        .any(|h| h.name.as_deref() == Some("ntemu-leak-kept"))
    {
        assert_eq!(
            emulator.run_instructions(1).expect("run"),
            RunOutcome::LimitReached
        );
        assert_eq!(emulator.exit_code(pid), Some(STILL_ACTIVE));
        steps += 1;
        assert!(steps < 10_000, "the event never appeared");
    }
    let handles = emulator.handles(pid);
    let event = handles
        .iter()
        .find(|h| h.object_type == ObjectType::Event)
        .expect("the event");
    assert_eq!(event.handle, Handle(4));
    assert_eq!(event.granted_access, AccessMask(0x1F_0003));
    assert_eq!(event.name.as_deref(), Some("ntemu-leak-kept"));
    let info = emulator.process(pid).expect("process");
    assert_eq!(info.threads.len(), 1);
    let thread = &info.threads[0];
    assert_eq!(thread.suspend_count, 0);
    assert!(!thread.waiting);
    assert!(thread.instructions > 0 && thread.instructions == info.instructions);
    let stats = emulator.stats();
    assert_eq!(stats.instructions, info.instructions);
    assert!(
        stats.live_objects.contains(&("Event", 1)),
        "{:?}",
        stats.live_objects
    );
    assert!(stats.processes.is_empty());

    assert_eq!(emulator.run().expect("run"), RunOutcome::AllExited);
    assert_eq!(emulator.exit_code(pid), Some(0));
    assert!(emulator.processes().is_empty());
    let stats = emulator.stats();
    assert_eq!(stats.processes.len(), 1);
    // The leaked event: the standard handles are console handles (3, 7, 0xB), kept by the
    // console and not in the process's handle table, as on NT 4.0.
    assert_eq!(stats.processes[0].handle_count, 1);
    let traces = emulator.handle_traces();
    assert_eq!(traces.len(), 1);
    assert!(traces[0].exited);
    let leaked: Vec<(u32, &str)> = traces[0]
        .handles
        .iter()
        .map(|h| (h.handle.0, h.creator.as_str()))
        .collect();
    assert_eq!(leaked, [(4, "KERNEL32.CreateEventA")]);
    assert_eq!(
        String::from_utf8_lossy(&emulator.stdout()),
        "leaked: 0x00000004\n"
    );
}

/// Both architectures in one machine; the console screen holds what they wrote to it.
#[test]
fn both_architectures_and_the_console_screen() {
    let mut emulator = Emulator::builder().capture_output().build();
    let x86 = emulator.load(&guest("x86/hello.exe"), &[]).expect("load");
    let alpha = emulator.load(&guest("alpha/hello.exe"), &[]).expect("load");
    let archs: Vec<Architecture> = emulator
        .processes()
        .iter()
        .map(|p| p.architecture)
        .collect();
    assert_eq!(archs, [Architecture::X86, Architecture::Alpha]);
    assert_eq!(emulator.run().expect("run"), RunOutcome::AllExited);
    assert_eq!(emulator.exit_code(x86), Some(7));
    assert_eq!(emulator.exit_code(alpha), Some(7));
    assert_eq!(
        String::from_utf8_lossy(&emulator.stdout()),
        "Hello from an NT program\nHello from an NT program\n"
    );
    let screen = emulator.screen();
    let rows: Vec<&str> = screen.lines().take(2).map(str::trim_end).collect();
    assert_eq!(
        rows,
        ["Hello from an NT program", "Hello from an NT program"],
        "{screen}"
    );
}

/// A budget of guest time on a virtual clock: the run stops when 1 ms of guest time has
/// passed (threads.exe runs longer than that: it waits with a 20 ms timeout), and a second
/// run takes the program to its end with its usual output.
#[test]
fn run_for_a_budget_of_guest_time() {
    let mut emulator = Emulator::builder().virtual_time().capture_output().build();
    let pid = emulator.load(&guest("x86/threads.exe"), &[]).expect("load");
    let before = emulator.clock_ms();
    let outcome = emulator.run_for(Duration::from_millis(1)).expect("run");
    let after = emulator.clock_ms();
    assert_eq!(outcome, RunOutcome::TimeReached);
    assert_eq!(after, before + 1);
    assert_eq!(emulator.exit_code(pid), Some(STILL_ACTIVE));
    assert_eq!(emulator.run().expect("run"), RunOutcome::AllExited);
    assert_eq!(emulator.exit_code(pid), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&emulator.stdout()),
        expected("expected/threads.expected")
    );
}

/// A timed run on a virtual clock ends at a moment when every thread waits, not in the
/// middle of a thread's work (`Machine::run_until`): bursts.exe computes for some
/// milliseconds of virtual time between its 5 ms sleeps, and each of the many 1 ms runs
/// that take it to its end stops with its thread waiting, no later than
/// VIRTUAL_SETTLE_MS past the run's end.
#[test]
fn a_timed_run_ends_when_every_thread_waits() {
    let mut emulator = Emulator::builder().virtual_time().capture_output().build();
    let pid = emulator.load(&guest("x86/bursts.exe"), &[]).expect("load");
    let mut stops = 0;
    while emulator.exit_code(pid) == Some(STILL_ACTIVE) {
        let before = emulator.clock_ms();
        let outcome = emulator.run_for(Duration::from_millis(1)).expect("run");
        if outcome != RunOutcome::TimeReached {
            break;
        }
        let after = emulator.clock_ms();
        assert!(
            after > before && after <= before + 1 + ntemu::kernel::VIRTUAL_SETTLE_MS,
            "ran from {before} to {after} ms"
        );
        let process = emulator.process(pid).expect("the process");
        assert!(
            process.threads.iter().all(|t| t.waiting),
            "stopped at {after} ms with a thread at work"
        );
        stops += 1;
    }
    assert!(stops > 50, "{stops} stops");
    assert_eq!(emulator.exit_code(pid), Some(0));
    assert_eq!(String::from_utf8_lossy(&emulator.stdout()), "bursts done\n");
}

#[test]
fn load_errors_name_the_file() {
    let mut emulator = Emulator::builder().capture_output().build();
    let e = emulator
        .load(&guest("x86/no-such.exe"), &[])
        .expect_err("missing file");
    assert!(e.to_string().starts_with("cannot read "), "{e}");
    assert!(emulator.processes().is_empty());
}
