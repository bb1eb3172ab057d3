//! File mappings (sections), through tests/guests/src/mapping.c: sections of the paging file
//! and of files, views shared between views and with a child process (a named section),
//! copy-on-write views and pages, VirtualQuery of views, the data of a file view against
//! ReadFile and WriteFile, a mapped file that cannot shrink, and NT 4.0's errors. Expected
//! output is NT 4.0's, checked against Wine's recorded output line by line but for the listed
//! differences.

mod common;

use common::{agrees_with_wine, expected, guest, run_captured};
use ntemu::RunOptions;
use ntemu::kernel::RunOutcome;

#[test]
fn x86_mappings_behave_as_on_nt4() {
    let scratch = common::Scratch::new("mapping");
    let program = scratch.path().join("mapping.exe");
    std::fs::copy(guest("x86/mapping.exe"), &program).expect("copy the guest");
    let options = RunOptions {
        root: Some(scratch.path().to_path_buf()),
        ..RunOptions::default()
    };
    let run = run_captured(&program, options);
    assert_eq!(
        run.stdout,
        expected("expected/mapping.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.outcome, RunOutcome::AllExited, "{}", run.stderr);
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    // The child read the parent's value through the named section and exited with 0.
    let codes: Vec<u32> = run
        .report
        .stats
        .processes
        .iter()
        .map(|p| p.exit_code)
        .collect();
    assert_eq!(codes.len(), 2, "{codes:?}");
    // The scratch file went.
    assert!(!scratch.path().join("mapping.tmp").exists());
}

#[test]
fn mapping_expectations_agree_with_wine() {
    agrees_with_wine("expected/mapping.expected", "expected/mapping.wine");
}
