//! The KERNEL32 functions NT 4.0 programs call at start-up and in ordinary work, through
//! tests/guests/src/k32more.c (x86) and its Alpha twin tests/guests/src/alpha/k32more.s: time
//! conversions, modes, console code pages, atoms, directories, lstr functions, FormatMessage,
//! memory status, IsBad*Ptr, spin counts, the computer name, GetBinaryType, WinExec and the
//! Unicode start-up functions, with their error paths. Expected outputs are NT 4.0's, checked
//! against Wine's recorded output (k32more.wine) line by line but for the listed differences.

mod common;

use common::{agrees_with_wine, expected, guest, run_captured};
use ntemu::{DebugChannels, RunOptions};

#[test]
fn x86_kernel32_start_up_and_utility_functions_behave_as_on_nt4() {
    let run = run_captured(&guest("x86/k32more.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/k32more.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    // Debug strings are not shown unless asked for.
    assert!(!run.stderr.contains("OutputDebugString"), "{}", run.stderr);
    // WinExec started a second process: the program itself, which ended with code 5.
    let codes: Vec<u32> = run
        .report
        .stats
        .processes
        .iter()
        .map(|p| p.exit_code)
        .collect();
    assert!(codes.contains(&5), "the WinExec child: {codes:?}");
}

#[test]
fn k32more_expectations_agree_with_wine() {
    agrees_with_wine("expected/k32more.expected", "expected/k32more.wine");
}

#[test]
fn alpha_kernel32_functions_give_the_x86_results() {
    let run = run_captured(&guest("alpha/k32more.exe"), RunOptions::default());
    let alpha = expected("expected/k32more-alpha.expected");
    assert_eq!(run.stdout, alpha, "{}", run.stderr);
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    // Every line the Alpha twin prints is one the x86 program prints, in the same order.
    let x86 = expected("expected/k32more.expected");
    let mut rest = x86.lines();
    for line in alpha.lines() {
        assert!(
            rest.any(|l| l == line),
            "{line:?} is not in k32more.expected (in order)"
        );
    }
}

fn debug_strings_with(spec: &str) -> String {
    let mut options = RunOptions::default();
    DebugChannels::parse(spec)
        .expect("trace channels")
        .apply(&mut options);
    run_captured(&guest("x86/k32more.exe"), options).stderr
}

#[test]
fn output_debug_string_shows_on_the_debugstr_channel_and_with_the_relay() {
    for spec in ["debugstr", "+relay"] {
        let stderr = debug_strings_with(spec);
        assert!(
            stderr.contains("OutputDebugString: \"k32more says hello\\n\"\n"),
            "{spec}: {stderr}"
        );
        assert!(
            stderr.contains("OutputDebugString: \"and \\\"wide\\\" hello\"\n"),
            "{spec}: {stderr}"
        );
    }
}
