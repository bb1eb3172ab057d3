//! Synchronisation through the guest programs tests/guests/src/apcs.c (user APCs and
//! alertable waits, waitable timers, SignalObjectAndWait, SwitchToThread; its Alpha twin
//! tests/guests/src/alpha/apcs.s delivers APCs on the other CPU), tests/guests/src/alerts.c
//! (NtAlertThread, NtAlertResumeThread, NtTestAlert and STATUS_ALERTED) and
//! tests/guests/src/npipes.c (named pipes in byte and message mode, ConnectNamedPipe,
//! PeekNamedPipe, TransactNamedPipe, CallNamedPipe, WaitNamedPipe, overlapped I/O with
//! GetOverlappedResult and CancelIo, ReadFileEx/WriteFileEx completion routines, I/O
//! completion ports). Expected outputs are NT 4.0's, checked against Wine's recorded outputs
//! line by line but for the listed differences. Waits that nothing ends park the thread: the
//! scheduler never spins on them.

mod common;

use common::{agrees_with_wine, expected, guest, run_captured};
use ntemu::kernel::RunOutcome;
use ntemu::{Emulator, RunOptions};

/// Runs `image` and checks its output against `expected_file`, every process ended, exit 0.
fn prints_expected(image: &str, expected_file: &str) {
    let run = run_captured(&guest(image), RunOptions::default());
    assert_eq!(run.stdout, expected(expected_file), "{}", run.stderr);
    assert_eq!(run.report.outcome, RunOutcome::AllExited, "{}", run.stderr);
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn x86_apcs_timers_and_signal_and_wait_behave_as_on_nt4() {
    prints_expected("x86/apcs.exe", "expected/apcs.expected");
}

#[test]
fn alpha_apcs_give_the_x86_results() {
    let run = run_captured(&guest("alpha/apcs.exe"), RunOptions::default());
    let alpha = expected("expected/apcs-alpha.expected");
    assert_eq!(run.stdout, alpha, "{}", run.stderr);
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    // Every line the Alpha twin prints is one the x86 program prints, in the same order.
    let x86 = expected("expected/apcs.expected");
    let mut rest = x86.lines();
    for line in alpha.lines() {
        assert!(
            rest.any(|l| l == line),
            "{line:?} is not in apcs.expected (in order)"
        );
    }
}

#[test]
fn apcs_expectations_agree_with_wine() {
    agrees_with_wine("expected/apcs.expected", "expected/apcs.wine");
}

#[test]
fn x86_alerts_behave_as_on_nt4() {
    prints_expected("x86/alerts.exe", "expected/alerts.expected");
}

#[test]
fn x86_named_pipes_overlapped_io_and_ports_behave_as_on_nt4() {
    prints_expected("x86/npipes.exe", "expected/npipes.expected");
}

#[test]
fn npipes_expectations_agree_with_wine() {
    agrees_with_wine("expected/npipes.expected", "expected/npipes.wine");
}

/// Runs `image MODE`, which waits for ever: the run ends Blocked with the one thread marked
/// waiting, and running again retires no instruction.
fn parks(image: &str, mode: &str, line: &str) {
    let mut emulator = Emulator::builder().capture_output().build();
    let pid = emulator
        .load(&guest(image), &[mode.to_string()])
        .expect("load");
    assert_eq!(emulator.run().expect("run"), RunOutcome::Blocked);
    let stdout = String::from_utf8_lossy(&emulator.stdout()).into_owned();
    assert_eq!(stdout, format!("{line}\n"));
    let process = emulator.process(pid).expect("the process is still there");
    assert_eq!(process.threads.len(), 1);
    assert!(process.threads[0].waiting, "{:?}", process.threads[0]);
    let before = emulator.stats().instructions;
    assert_eq!(emulator.run().expect("run"), RunOutcome::Blocked);
    assert_eq!(emulator.stats().instructions, before);
}

#[test]
fn an_alertable_sleep_with_no_apc_parks_the_thread() {
    parks("x86/apcs.exe", "hang-alertable", "sleeping alertably");
}

#[test]
fn a_connect_with_no_client_parks_the_thread() {
    parks("x86/npipes.exe", "hang-connect", "waiting for a client");
}

#[test]
fn a_completion_port_with_no_packet_parks_the_thread() {
    parks("x86/npipes.exe", "hang-port", "waiting for a packet");
}

#[test]
fn pipe_and_file_handles_get_the_access_nt_grants() {
    // The disk file is made (and deleted on close) on drive C:, a scratch root.
    let root = common::Scratch::new("pipeaccess");
    let run = run_captured(
        &guest("x86/pipeaccess.exe"),
        RunOptions {
            root: Some(root.path().to_path_buf()),
            ..RunOptions::default()
        },
    );
    assert_eq!(
        run.stdout,
        expected("expected/pipeaccess.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    assert!(
        !root.path().join("pipeaccess.tmp").exists(),
        "the file is deleted on close"
    );
    agrees_with_wine("expected/pipeaccess.expected", "expected/pipeaccess.wine");
}
