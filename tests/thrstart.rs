//! How NT 4.0 starts threads, through tests/guests/src/thrstart.c: a suspended new thread's
//! context (KERNEL32's start thunk: esp one slot below the top of its stack, eax the start
//! routine, ebx the parameter), the parameter and start routine taken from eax and ebx when
//! it runs (a debugger's SetThreadContext changes them), and a suspended child's first thread
//! (eax the image's entry point, ebx the PEB). Expected output checked against Wine's
//! (thrstart.wine). Also the standard handles of children by creation flags
//! (tests/guests/src/detached.c: a DETACHED_PROCESS child without STARTF_USESTDHANDLES has
//! NULL ones) and msvcrt's descriptors passed to spawned children through
//! STARTUPINFO.lpReserved2 (tests/guests/src/crtinherit.c).

mod common;

use common::{Scratch, agrees_with_wine, expected, guest, run_captured};
use ntemu::RunOptions;
use ntemu::kernel::RunOutcome;

#[test]
fn x86_threads_start_in_the_start_thunk_as_on_nt4() {
    let run = run_captured(&guest("x86/thrstart.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/thrstart.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn thrstart_expectations_agree_with_wine() {
    agrees_with_wine("expected/thrstart.expected", "expected/thrstart.wine");
}

#[test]
fn a_detached_child_has_no_standard_handles() {
    let run = run_captured(&guest("x86/detached.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/detached.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn detached_expectations_agree_with_wine() {
    agrees_with_wine("expected/detached.expected", "expected/detached.wine");
}

#[test]
fn msvcrt_children_inherit_the_descriptors() {
    // The program spawns itself; the files it makes go to a drive C: of its own.
    let root = Scratch::new("crtinherit");
    std::fs::copy(guest("x86/crtinherit.exe"), root.0.join("crtinherit.exe")).expect("copy");
    let run = run_captured(
        &root.0.join("crtinherit.exe"),
        RunOptions {
            root: Some(root.0.clone()),
            ..RunOptions::default()
        },
    );
    assert_eq!(run.report.outcome, RunOutcome::AllExited, "{}", run.stderr);
    assert_eq!(
        run.stdout.replace("\r\n", "\n"),
        expected("expected/crtinherit.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    assert!(!root.0.join("inherit.txt").exists());
}

#[test]
fn crtinherit_expectations_agree_with_wine() {
    agrees_with_wine("expected/crtinherit.expected", "expected/crtinherit.wine");
}
