//! WINMM.dll through tests/guests/src/winmm.c (x86) and its Alpha twin
//! tests/guests/src/alpha/winmm.s (callbacks in a0-a4), under the virtual clock so the timer
//! thread's callbacks fall at the same guest times on every run: timeGetDevCaps,
//! timeBeginPeriod/timeEndPeriod's counted requests, timeGetTime across Sleep, a periodic
//! timeSetEvent callback on the process's timer thread counted and killed, a one-shot, event
//! timers waited on, timeKillEvent of unknown ids, and the answers of a machine without
//! sound devices (PlaySound, sndPlaySound, the *GetNumDevs, waveOutOpen, joyGetPos, MCI).
//! Expected output is NT 4.0's, checked against Wine's (winmm.wine) but for the listed lines.

mod common;

use common::{agrees_with_wine, expected, guest, run_captured};
use ntemu::RunOptions;
use ntemu::kernel::RunOutcome;

fn run_winmm() -> common::GuestRun {
    run_captured(
        &guest("x86/winmm.exe"),
        RunOptions {
            virtual_time: true,
            ..RunOptions::default()
        },
    )
}

#[test]
fn x86_winmm_behaves_as_on_nt4() {
    let run = run_winmm();
    assert_eq!(
        run.stdout,
        expected("expected/winmm.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.outcome, RunOutcome::AllExited, "{}", run.stderr);
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn winmm_runs_the_same_on_the_virtual_clock_every_time() {
    let first = run_winmm();
    let second = run_winmm();
    assert_eq!(first.stdout, second.stdout);
    assert_eq!(
        first.report.stats.instructions, second.report.stats.instructions,
        "the timer thread ran differently"
    );
}

#[test]
fn winmm_expectations_agree_with_wine() {
    agrees_with_wine("expected/winmm.expected", "expected/winmm.wine");
}

#[test]
fn alpha_winmm_gives_the_x86_results() {
    let run = run_captured(
        &guest("alpha/winmm.exe"),
        RunOptions {
            virtual_time: true,
            ..RunOptions::default()
        },
    );
    let alpha = expected("expected/winmm-alpha.expected");
    assert_eq!(run.stdout, alpha, "{}", run.stderr);
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    // Every line the Alpha twin prints is one the x86 program prints, in the same order.
    let x86 = expected("expected/winmm.expected");
    let mut rest = x86.lines();
    for line in alpha.lines() {
        assert!(
            rest.any(|l| l == line),
            "{line:?} is not in winmm.expected (in order)"
        );
    }
}
