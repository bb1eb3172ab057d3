//! tests/guests/src/vers.c (x86): VERSION.dll's GetFileVersionInfoSize, GetFileVersionInfo,
//! VerQueryValueA/W and VerLanguageName on the program's own version information
//! (vers.rc) and a DLL's (versdll.rc), read as data; files without version information or
//! resources, and a missing file. The expected output is checked against Wine's.

mod common;

use common::{agrees_with_wine, expected, guest, run_captured};
use ntemu::RunOptions;

#[test]
fn x86_version_information_of_the_program_and_a_dll() {
    let run = run_captured(&guest("x86/vers.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/vers.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn version_expected_output_agrees_with_wine_but_for_nt4s_errors_and_language_names() {
    agrees_with_wine("expected/vers.expected", "expected/vers.wine");
}

/// The version resource of an image file on the host, read as GetFileVersionInfo reads it:
/// the DLL's block; a program without version information, garbage and a truncated image
/// give NT's errors, never a panic.
#[test]
fn version_resources_of_files_and_of_malformed_ones() {
    let dll = std::fs::read(guest("x86/versdll.dll")).expect("versdll.dll");
    let block = ntemu::version::version_resource_of(&dll).expect("version resource");
    assert_eq!(
        usize::from(u16::from_le_bytes([block[0], block[1]])),
        block.len()
    );
    let res = std::fs::read(guest("x86/res.exe")).expect("res.exe");
    assert_eq!(
        ntemu::version::version_resource_of(&res),
        Err(ntemu::Win32Error(1813))
    );
    assert_eq!(
        ntemu::version::version_resource_of(b"not an image"),
        Err(ntemu::Win32Error(1812))
    );
    for cut in (0..dll.len()).step_by(7) {
        let _ = ntemu::version::version_resource_of(&dll[..cut]);
    }
}
