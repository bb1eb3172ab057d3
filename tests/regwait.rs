//! The thread pool's registered waits (RegisterWaitForSingleObject, UnregisterWait(Ex),
//! NTDLL's RtlRegisterWait and RtlDeregisterWaitEx) and NTDLL's __fastcall
//! RtlInterlockedPushListSList, through tests/guests/src/regwait.c. Expected outputs are
//! Windows', checked against Wine's recorded output (regwait.wine) line by line but for the
//! listed differences.

mod common;

use common::{agrees_with_wine, expected, guest, run_captured};
use ntemu::RunOptions;

#[test]
fn x86_registered_waits_and_fastcall_slist_push_behave_as_on_windows() {
    let run = run_captured(&guest("x86/regwait.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/regwait.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn regwait_expectations_agree_with_wine() {
    agrees_with_wine("expected/regwait.expected", "expected/regwait.wine");
}
