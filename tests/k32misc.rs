//! KERNEL32 and NTDLL odds and ends, through tests/guests/src/k32misc.c:
//! ExpandEnvironmentStrings (NT 4.0's byte count from the ANSI version), the thread and
//! default locales, IsValidLocale, ConvertDefaultLocale, GetSystemPowerStatus,
//! QueryDosDevice and DefineDosDevice, GetModuleHandleEx, NtQuerySystemTime, NtQueryObject,
//! VerSetConditionMask and VerifyVersionInfo, and fibers (switching back and forth, a fiber
//! routine's return ending its thread). Expected output is NT 4.0's, checked against Wine's
//! recorded output line by line but for the listed differences.

mod common;

use common::{agrees_with_wine, expected, run_to_end};
use ntemu::RunOptions;

#[test]
fn x86_misc_kernel32_behaves_as_on_nt4() {
    let (code, stdout, stderr) = run_to_end("x86/k32misc.exe", RunOptions::default());
    assert_eq!(stdout, expected("expected/k32misc.expected"), "{stderr}");
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn k32misc_expectations_agree_with_wine() {
    agrees_with_wine("expected/k32misc.expected", "expected/k32misc.wine");
}
