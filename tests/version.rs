//! tests/guests/src/vers.c (x86): VERSION.dll's GetFileVersionInfoSize, GetFileVersionInfo,
//! VerQueryValueA/W and VerLanguageName on the program's own version information
//! (vers.rc) and a DLL's (versdll.rc), read as data; files without version information or
//! resources, and a missing file. The expected output is checked against Wine's.

mod common;

use common::{Scratch, agrees_with_wine, expected, guest, run_captured};
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

/// vers.exe beside a versdll.dll whose version block is malformed (a child claiming more
/// bytes than its parent holds): the DLL's block is still copied out, every VerQueryValue
/// on it fails (FALSE, length 0), and the program runs on to its end.
#[test]
fn a_malformed_version_block_fails_every_query_without_harm() {
    let scratch = Scratch::new("vers-malformed");
    for name in ["vers.exe", "res.exe", "hello.exe"] {
        std::fs::copy(guest(&format!("x86/{name}")), scratch.path().join(name)).expect("copy");
    }
    let mut dll = std::fs::read(guest("x86/versdll.dll")).expect("versdll.dll");
    let key: Vec<u8> = "VS_VERSION_INFO"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let at = dll
        .windows(key.len())
        .position(|w| w == key.as_slice())
        .expect("the version block")
        - 6;
    // The root: header 6, key 32 (to 40), VS_FIXEDFILEINFO 52: its first child at 92.
    let child = at + 92;
    assert_eq!(&dll[child + 6..child + 10], &[b'S', 0, b't', 0]);
    dll[child..child + 2].copy_from_slice(&0x7FFFu16.to_le_bytes());
    std::fs::write(scratch.path().join("versdll.dll"), &dll).expect("write");

    let run = run_captured(&scratch.path().join("vers.exe"), RunOptions::default());
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    let want = expected("expected/vers.expected");
    let split = want.find("dll size nonzero").expect("the DLL part");
    assert_eq!(&run.stdout[..split.min(run.stdout.len())], &want[..split]);
    let dll_part = &run.stdout[split..];
    assert!(
        dll_part.starts_with(
            "dll size nonzero: 1\ndll info: 1\nroot: 0\ntranslations: 0 len=0\n\
             W \\StringFileInfo\\040704E4\\FileDescription: 0 len=0\n"
        ),
        "{dll_part}"
    );
    assert!(
        dll_part.contains("A \\StringFileInfo\\040904E4\\FileVersion: 0 len=0\n"),
        "{dll_part}"
    );
    // The rest (other files, languages) is as with a good DLL.
    let tail = want.find("no version").expect("the files part");
    assert!(run.stdout.ends_with(&want[tail..]), "{}", run.stdout);
}
