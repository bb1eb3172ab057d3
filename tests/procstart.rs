//! tests/guests/src/procstart.c (x86): CreateProcess's parameter errors and the cleared
//! PROCESS_INFORMATION, the STARTUPINFO desktop and title a child gets back (and inherits
//! from its creator), OpenProcess refusing a right NT 4.0 does not define, SetErrorMode as
//! ProcessDefaultHardErrorMode, the working-set limits and a thread's Win32 start address.

mod common;

use common::{expected, guest, run_captured};
use ntemu::RunOptions;

#[test]
fn x86_process_creation_and_details_behave_as_on_nt4() {
    let run = run_captured(&guest("x86/procstart.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/procstart.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    // The program and its two children and one grandchild all ended.
    assert_eq!(run.report.stats.processes.len(), 4, "{}", run.stderr);
}

/// The scheduler's diagnostics (`--trace scheduler`, `--leaks`) watch the calls through a
/// wrapper of the system services: a child process's deferred loader work must still run
/// under it, so the program prints the same and its children end as without.
#[test]
fn x86_child_processes_start_the_same_under_diagnostics() {
    let options = RunOptions {
        diagnostics: ntemu::DiagnosticOptions {
            track_handles: true,
            ..Default::default()
        },
        ..RunOptions::default()
    };
    let run = run_captured(&guest("x86/procstart.exe"), options);
    assert_eq!(
        run.stdout,
        expected("expected/procstart.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}
