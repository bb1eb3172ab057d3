//! tests/guests/src/sysprocs.c (x86): NT 4.0's own system processes (Idle, System, smss,
//! csrss, winlogon, services, lsass) as SystemProcessInformation and Tool Help list them, and
//! OpenProcess refusing them (ERROR_ACCESS_DENIED) and process 0 (ERROR_INVALID_PARAMETER).
//! The expected output is checked against Wine's, with NT 4.0's differences listed.

mod common;

use common::{agrees_with_wine, expected, guest, run_captured};
use ntemu::RunOptions;

#[test]
fn x86_system_processes_are_listed_and_refused() {
    let run = run_captured(&guest("x86/sysprocs.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/sysprocs.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn system_processes_expected_output_agrees_with_wine() {
    agrees_with_wine("expected/sysprocs.expected", "expected/sysprocs.wine");
}
