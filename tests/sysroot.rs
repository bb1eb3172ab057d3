//! The system root's programs as files (tests/guests/src/sysroot.c, x86): on a writable C:,
//! C:\WINNT\regedit.exe and C:\WINNT\system32\winver.exe are found by OpenFile(OF_EXIST) and
//! SearchPath, seen by GetFileAttributes and FindFirstFile and read by CreateFile; ntemu's
//! regedit imports a REGEDIT4 file with /s (read back with RegQueryValueEx) and exports a key
//! with /e, and fails on a missing file or one that is no registry script. The expected output
//! is checked against Wine's (its own regedit). The files are put on the drive at start-up
//! and never over a file the user put there (in any case of its name); a read-only C: is left
//! alone; regedit without a file prints its usage and ends with exit code 1. The builtin DLLs
//! are files in C:\WINNT\system32 too: KERNEL32's maps with SEC_IMAGE (its export directory),
//! has NT 4.0's version resource, and LoadLibrary of its path gives the builtin.

mod common;

use common::{Scratch, agrees_with_wine, expected, guest, run_captured};
use ntemu::RunOptions;
use ntemu::kernel::RunOutcome;

/// A scratch drive C: with C:\TEMP.
fn drive(tag: &str) -> Scratch {
    let root = Scratch::new(tag);
    std::fs::create_dir_all(root.0.join("TEMP")).expect("TEMP");
    root
}

fn on(root: &Scratch) -> RunOptions {
    RunOptions {
        root: Some(root.0.clone()),
        ..RunOptions::default()
    }
}

#[test]
fn x86_system_programs_are_files_and_regedit_imports_and_exports() {
    let root = drive("sysroot");
    let run = run_captured(&guest("x86/sysroot.exe"), on(&root));
    assert_eq!(
        run.stdout,
        expected("expected/sysroot.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.outcome, RunOutcome::AllExited, "{}", run.stderr);
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    for file in ntemu::kernel32::sysroot::SYSTEM_FILES {
        let path = root.0.join(file.folder).join(file.name);
        assert_eq!(
            std::fs::read(&path).expect("installed"),
            file.bytes,
            "{path:?}"
        );
    }
    for dll in [
        "ntdll.dll",
        "kernel32.dll",
        "user32.dll",
        "advapi32.dll",
        "msvcrt.dll",
    ] {
        let path = root.0.join("WINNT/system32").join(dll);
        assert_eq!(
            std::fs::read(&path).expect("a builtin DLL's file")[..2],
            *b"MZ"
        );
    }
}

#[test]
fn sysroot_expected_output_agrees_with_wine() {
    agrees_with_wine("expected/sysroot.expected", "expected/sysroot.wine");
}

#[test]
fn a_users_file_of_a_system_programs_name_is_never_replaced() {
    let root = drive("sysroot-user");
    let system32 = root.0.join("WINNT/system32");
    std::fs::create_dir_all(&system32).expect("system32");
    std::fs::write(system32.join("WINVER.EXE"), b"the user's").expect("write");
    std::fs::write(root.0.join("WINNT/regedit.exe"), b"the user's too").expect("write");
    let run = run_captured(&guest("x86/hello.exe"), on(&root));
    assert_eq!(run.report.outcome, RunOutcome::AllExited, "{}", run.stderr);
    assert_eq!(
        std::fs::read(system32.join("WINVER.EXE")).expect("read"),
        b"the user's"
    );
    assert_eq!(
        std::fs::read(root.0.join("WINNT/regedit.exe")).expect("read"),
        b"the user's too"
    );
    let names: Vec<String> = std::fs::read_dir(&system32)
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let winvers: Vec<&String> = names
        .iter()
        .filter(|n| n.eq_ignore_ascii_case("winver.exe"))
        .collect();
    assert_eq!(
        winvers,
        ["WINVER.EXE"],
        "no second winver.exe beside the user's"
    );
    assert!(names.iter().any(|n| n == "kernel32.dll"), "{names:?}");
}

#[test]
fn a_read_only_system_drive_gets_no_system_files() {
    let root = Scratch::new("sysroot-ro");
    let run = run_captured(
        &guest("x86/hello.exe"),
        RunOptions {
            drives: vec![ntemu::Mount::new('C', &root.0, true)],
            ..RunOptions::default()
        },
    );
    assert_eq!(run.report.outcome, RunOutcome::AllExited, "{}", run.stderr);
    assert!(!root.0.join("WINNT").exists());
}

#[test]
fn regedit_without_a_file_prints_its_usage_and_fails() {
    let root = drive("sysroot-usage");
    let program = Scratch::new("sysroot-regedit");
    let image = program.0.join("regedit.exe");
    let regedit = ntemu::kernel32::sysroot::SYSTEM_FILES
        .iter()
        .find(|f| f.name == "regedit.exe")
        .expect("regedit among the system files");
    std::fs::write(&image, regedit.bytes).expect("write");
    let run = run_captured(&image, on(&root));
    assert_eq!(run.report.exit_code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("has no window yet"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
}
