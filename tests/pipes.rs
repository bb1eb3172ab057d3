//! Anonymous pipes and redirected standard handles, through tests/guests/src/pipes.c (x86)
//! and its Alpha twin tests/guests/src/alpha/pipes.s: CreatePipe, ReadFile and WriteFile on
//! its ends with short reads and waits, PeekNamedPipe, ERROR_BROKEN_PIPE and ERROR_NO_DATA,
//! DuplicateHandle, a child started with STARTF_USESTDHANDLES writing into the pipe its parent
//! reads, and GetLargestConsoleWindowSize. Expected outputs are NT 4.0's, checked against
//! Wine's recorded output (pipes.wine) line by line but for the listed differences.

mod common;

use common::{agrees_with_wine, expected, guest, run_captured};
use ntemu::kernel::RunOutcome;
use ntemu::{Emulator, RunOptions};

#[test]
fn x86_pipes_behave_as_on_nt4() {
    let run = run_captured(&guest("x86/pipes.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/pipes.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.outcome, RunOutcome::AllExited, "{}", run.stderr);
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    // The child wrote only into the pipe: nothing of it reached the host's streams.
    assert!(!run.stderr.contains("child"), "{}", run.stderr);
    let codes: Vec<u32> = run
        .report
        .stats
        .processes
        .iter()
        .map(|p| p.exit_code)
        .collect();
    assert!(codes.contains(&3), "the redirected child: {codes:?}");
}

#[test]
fn pipes_expectations_agree_with_wine() {
    agrees_with_wine("expected/pipes.expected", "expected/pipes.wine");
}

#[test]
fn alpha_pipes_give_the_x86_results() {
    let run = run_captured(&guest("alpha/pipes.exe"), RunOptions::default());
    let alpha = expected("expected/pipes-alpha.expected");
    assert_eq!(run.stdout, alpha, "{}", run.stderr);
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    // Every line the Alpha twin prints is one the x86 program prints, in the same order.
    let x86 = expected("expected/pipes.expected");
    let mut rest = x86.lines();
    for line in alpha.lines() {
        assert!(
            rest.any(|l| l == line),
            "{line:?} is not in pipes.expected (in order)"
        );
    }
}

/// Runs `pipes.exe MODE`, which waits for ever on a pipe: the scheduler must park the thread
/// (the run ends Blocked, the thread marked waiting, having retired no instruction since),
/// never spin on it.
fn parks(mode: &str, line: &str) {
    let mut emulator = Emulator::builder().capture_output().build();
    let pid = emulator
        .load(&guest("x86/pipes.exe"), &[mode.to_string()])
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
fn a_read_of_an_empty_pipe_parks_the_thread() {
    parks("hang-read", "reading an empty pipe");
}

#[test]
fn a_write_into_a_full_pipe_parks_the_thread() {
    parks(
        "hang-write",
        "writing 100 bytes into 16 with nobody reading",
    );
}

/// A C-runtime program whose stdin is a pipe waits in fgets while the pipe is empty and its
/// writer open (it once took the empty pipe for the end of the input), and ends at the broken
/// pipe: both lines arrive, as under Wine.
#[test]
fn the_c_runtime_waits_on_an_empty_pipe_and_ends_at_the_broken_pipe() {
    let run = run_captured(&guest("x86/crtpipe.exe"), RunOptions::default());
    // The C runtime writes text mode (CR LF); the recorded lines end in LF.
    assert_eq!(
        run.stdout.replace("\r\n", "\n"),
        expected("expected/crtpipe.wine"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

/// tests/guests/src/fsctl.c (x86): NtFsControlFile(FSCTL_PIPE_PEEK) on anonymous and named
/// pipes, and SetThreadToken setting and clearing an impersonation token and refusing a
/// primary one.
#[test]
fn x86_pipe_peek_control_and_set_thread_token_behave_as_on_nt4() {
    let run = run_captured(&guest("x86/fsctl.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/fsctl.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn fsctl_expected_output_agrees_with_wine() {
    agrees_with_wine("expected/fsctl.expected", "expected/fsctl.wine");
}

/// tests/guests/src/pipeexit.c (x86): an overlapped read left pending when its process exits
/// is cancelled: the completion port of the file gets ERROR_OPERATION_ABORTED with the
/// child's OVERLAPPED address, and the parent's memory at that address is not written.
#[test]
fn x86_a_pending_read_of_an_exited_process_completes_to_the_port_only() {
    let run = run_captured(&guest("x86/pipeexit.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/pipeexit.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn pipeexit_expected_output_agrees_with_wine() {
    agrees_with_wine("expected/pipeexit.expected", "expected/pipeexit.wine");
}
