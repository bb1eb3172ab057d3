//! How NT 4.0 starts threads, through tests/guests/src/thrstart.c: a suspended new thread's
//! context (KERNEL32's start thunk: esp one slot below the top of its stack, eax the start
//! routine, ebx the parameter), the parameter and start routine taken from eax and ebx when
//! it runs (a debugger's SetThreadContext changes them), and a suspended child's first thread
//! (eax the image's entry point, ebx the PEB). Expected output checked against Wine's
//! (thrstart.wine).

mod common;

use common::{agrees_with_wine, expected, guest, run_captured};
use ntemu::RunOptions;

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
