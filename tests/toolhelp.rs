//! tests/guests/src/toolhelp.c (x86): Tool Help snapshots of processes, threads and modules
//! (a child process and a second thread included), the walks' ends and errors, a snapshot
//! handle closed by CloseHandle, and GetProcAddress finding these later-Windows functions
//! (crates/dlls/kernel32/later-exports.txt). The expected output is checked against Wine's.

mod common;

use common::{agrees_with_wine, expected, guest, run_captured};
use ntemu::RunOptions;

#[test]
fn x86_tool_help_snapshots_list_processes_threads_and_modules() {
    let run = run_captured(&guest("x86/toolhelp.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/toolhelp.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    // The program and its child both ended, the child with its own code.
    assert_eq!(run.report.stats.processes.len(), 2, "{}", run.stderr);
}

#[test]
fn tool_help_expected_output_agrees_with_wine() {
    agrees_with_wine("expected/toolhelp.expected", "expected/toolhelp.wine");
}
