//! The C runtime builtins (MSVCRT.dll) run mingw-w64 programs linked with its normal
//! start-up: tests/guests/x86/printf.exe (source tests/guests/src/printf.c) prints what
//! tests/guests/expected/printf.expected says, and tests/guests/x86/crtfile.exe (stdio over
//! files on the sandboxed drive C:) what tests/guests/expected/crtfile.expected says; their
//! headers give the source of every expectation (msvcrt's documented behaviour; Wine could
//! not be run here). tests/guests/x86/crtlib.exe calls string.h, ctype.h, stdlib.h and
//! time.h for real; tests/guests/x86/crtdll.exe is an old-style CRTDLL.dll program and
//! tests/guests/alpha/crt.exe calls MSVCRT.dll from Alpha code (varargs in registers,
//! callbacks).

mod common;

use common::{Scratch, agrees_with_wine, expected, guest, run_captured};
use ntemu::kernel::RunOutcome;
use ntemu::{RunOptions, RunReport};

/// Text-mode output: every "\n" is preceded by "\r"; returns the text with "\r\n" as "\n".
fn from_text_mode(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes).into_owned();
    for (i, _) in text.match_indices('\n') {
        assert_eq!(
            text.as_bytes().get(i.wrapping_sub(1)),
            Some(&b'\r'),
            "a bare LF at byte {i} of {text:?}"
        );
    }
    assert!(
        !text.replace("\r\n", "").contains('\r'),
        "a bare CR in {text:?}"
    );
    text.replace("\r\n", "\n")
}

/// Runs the guest `name` with `options` (its io replaced by buffers) and checks that every
/// thread exited; returns the report, stdout read back from text mode and stderr.
fn run_to_end(name: &str, options: RunOptions) -> (RunReport, String, String) {
    let run = run_captured(&guest(name), options);
    assert_eq!(run.report.outcome, RunOutcome::AllExited, "{}", run.stderr);
    let stdout = from_text_mode(run.stdout.as_bytes());
    (run.report, stdout, run.stderr)
}

/// Compares `stdout` with the expected file `name`, line by line first so that a mismatch
/// names the first differing line.
fn assert_expected(stdout: &str, name: &str) {
    let want = expected(name);
    for (got, want) in stdout.lines().zip(want.lines()) {
        assert_eq!(got, want);
    }
    assert_eq!(stdout, want);
}

#[test]
fn mingw_program_prints_what_msvcrt_prints() {
    let (report, stdout, stderr) = run_to_end(
        "x86/printf.exe",
        RunOptions {
            args: vec!["one".to_string(), "two words".to_string()],
            ..RunOptions::default()
        },
    );
    // fprintf(stderr, "to stderr\n") went through the text-mode stderr stream.
    assert_eq!(stderr, "to stderr\r\n");
    assert_expected(&stdout, "expected/printf.expected");
    // main returned 3; exit(3) ran the atexit function (the last line) first.
    assert_eq!(report.exit_code, 3);
}

#[test]
fn stdio_streams_over_files() {
    let root = Scratch::new("msvcrt");
    let (report, stdout, stderr) = run_to_end(
        "x86/crtfile.exe",
        RunOptions {
            root: Some(root.0.clone()),
            ..RunOptions::default()
        },
    );
    assert_eq!(stderr, "perror: No such file or directory\r\n");
    assert_expected(&stdout, "expected/crtfile.expected");
    assert_eq!(report.exit_code, 0);
    // The files the program left, as its dumps showed them.
    assert_eq!(
        std::fs::read(root.0.join("t.txt")).expect("t.txt"),
        b"line #\r\ntwo\r\n3\r\nend\n"
    );
    assert_eq!(
        std::fs::read(root.0.join("u.txt")).expect("u.txt"),
        b"via freopen\r\n"
    );
}

#[test]
fn string_ctype_stdlib_and_time_functions() {
    let (report, stdout, _) = run_to_end("x86/crtlib.exe", RunOptions::default());
    assert_expected(&stdout, "expected/crtlib.expected");
    assert_eq!(report.exit_code, 0);
}

#[test]
fn stdin_reads_cooked_console_lines() {
    let keys = ntemu::kernel32::console::parse_key_script(br"42 17\rhello\rworld\r").expect("keys");
    let (report, stdout, _) = run_to_end(
        "x86/crtinput.exe",
        RunOptions {
            keys,
            ..RunOptions::default()
        },
    );
    assert_expected(&stdout, "expected/crtinput.expected");
    assert_eq!(report.exit_code, 0);
}

#[test]
fn conio_reads_keys_one_at_a_time() {
    use ntemu::kernel32::console::{Key, VK_UP};
    let (report, stdout, _) = run_to_end(
        "x86/conio.exe",
        RunOptions {
            keys: vec![Key::Char(b'a'), Key::Char(b'b'), Key::Virtual(VK_UP)],
            ..RunOptions::default()
        },
    );
    assert_expected(&stdout, "expected/conio.expected");
    assert_eq!(report.exit_code, 0);
}

#[test]
fn crtdll_program_uses_the_old_names_and_data_exports() {
    let (report, stdout, stderr) = run_to_end(
        "x86/crtdll.exe",
        RunOptions {
            args: vec!["a".to_string(), "b".to_string()],
            ..RunOptions::default()
        },
    );
    assert_eq!(stderr, "");
    assert_expected(&stdout, "expected/crtdll.expected");
    assert_eq!(report.exit_code, 7);
}

#[test]
fn alpha_program_passes_varargs_and_is_called_back() {
    let (report, stdout, _) = run_to_end("alpha/crt.exe", RunOptions::default());
    assert_expected(&stdout, "expected/alpha-crt.expected");
    assert_eq!(report.exit_code, 5);
}

#[test]
fn program_without_arguments_sees_only_its_name() {
    let (_, stdout, _) = run_to_end("x86/printf.exe", RunOptions::default());
    assert_eq!(
        stdout.lines().next(),
        Some("argc=1 argv0=printf.exe argv1=- argv2=-")
    );
}

#[test]
fn crtdll_data_exports_are_there_before_the_first_call() {
    let root = Scratch::new("crtdata");
    let (report, stdout, stderr) = run_to_end(
        "x86/crtdata.exe",
        RunOptions {
            root: Some(root.0.clone()),
            ..RunOptions::default()
        },
    );
    assert_eq!(stderr, "");
    assert_expected(&stdout, "expected/crtdata.expected");
    assert_eq!(report.exit_code, 0);
    // The file it made went with remove().
    assert!(!root.0.join("crtdata.tmp").exists());
}

#[test]
fn crtdata_agrees_with_wine() {
    agrees_with_wine("expected/crtdata.expected", "expected/crtdata.wine");
}

#[test]
fn file_system_calls_and_descriptors() {
    let root = Scratch::new("crtfs");
    let (report, stdout, stderr) = run_to_end(
        "x86/crtfs.exe",
        RunOptions {
            root: Some(root.0.clone()),
            ..RunOptions::default()
        },
    );
    assert_eq!(stderr, "");
    assert_expected(&stdout, "expected/crtfs.expected");
    assert_eq!(report.exit_code, 0);
    // It removed what it made, and tmpfile's files went when they were closed; tmpnam and
    // _tempnam only name files. (The system root C:\WINNT is ntemu's.)
    let left: Vec<_> = std::fs::read_dir(&root.0)
        .expect("root")
        .map(|e| e.expect("entry").file_name())
        .filter(|n| n != "WINNT")
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn crtfs_agrees_with_wine() {
    agrees_with_wine("expected/crtfs.expected", "expected/crtfs.wine");
}

/// A drive C: holding crtspawn.exe and the crtchild.exe it starts.
fn spawn_drive() -> Scratch {
    let root = Scratch::new("crtspawn");
    for exe in ["crtspawn.exe", "crtchild.exe"] {
        std::fs::copy(guest(&format!("x86/{exe}")), root.0.join(exe)).expect("copy");
    }
    root
}

#[test]
fn spawn_family_and_system_start_programs() {
    let root = spawn_drive();
    let run = run_captured(
        &root.0.join("crtspawn.exe"),
        RunOptions {
            root: Some(root.0.clone()),
            ..RunOptions::default()
        },
    );
    assert_eq!(run.report.outcome, RunOutcome::AllExited, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    assert_expected(
        &from_text_mode(run.stdout.as_bytes()),
        "expected/crtspawn.expected",
    );
    assert_eq!(run.report.exit_code, 0);
    // What it made for the PATH search is gone.
    assert!(!root.0.join("bin").exists());
}

#[test]
fn crtspawn_agrees_with_wine() {
    agrees_with_wine("expected/crtspawn.expected", "expected/crtspawn.wine");
}

#[test]
fn exec_replaces_the_program() {
    let root = spawn_drive();
    let run = run_captured(
        &root.0.join("crtspawn.exe"),
        RunOptions {
            root: Some(root.0.clone()),
            args: vec!["exec".to_string()],
            ..RunOptions::default()
        },
    );
    assert_eq!(run.report.outcome, RunOutcome::AllExited, "{}", run.stderr);
    let stdout = from_text_mode(run.stdout.as_bytes());
    let mut lines: Vec<&str> = stdout.lines().collect();
    // The detached child and the one _execl started run on their own: any order.
    lines[3..].sort_unstable();
    assert_eq!(
        lines,
        [
            "exec mode",
            "_spawnl(_P_DETACH): 0",
            "_cwait(-1): -1 errno=10 doserrno=0",
            "  child: argc=3 [crtchild.exe] [detached] [18] SPAWNVAR=(unset)",
            "  child: argc=3 [crtchild.exe] [exec] [42] SPAWNVAR=(unset)",
        ]
    );
    // _execl ended the program with 0 once the child was made ("not reached" is not).
    assert_eq!(run.report.exit_code, 0);
}

#[test]
fn wide_character_functions() {
    let root = Scratch::new("crtwide");
    let (report, stdout, stderr) = run_to_end(
        "x86/crtwide.exe",
        RunOptions {
            root: Some(root.0.clone()),
            ..RunOptions::default()
        },
    );
    assert_eq!(stderr, "");
    assert_expected(&stdout, "expected/crtwide.expected");
    assert_eq!(report.exit_code, 0);
}

#[test]
fn crtwide_agrees_with_wine() {
    agrees_with_wine("expected/crtwide.expected", "expected/crtwide.wine");
}

#[test]
fn msvc_try_except_and_finally_through_the_seh_helpers() {
    let (report, stdout, stderr) = run_to_end("x86/crtseh.exe", RunOptions::default());
    // Every exception was handled: none reached the unhandled-exception line.
    assert_eq!(stderr, "");
    assert_expected(&stdout, "expected/crtseh.expected");
    assert_eq!(report.exit_code, 0);
}

#[test]
fn crtseh_agrees_with_wine() {
    agrees_with_wine("expected/crtseh.expected", "expected/crtseh.wine");
}

#[test]
fn isatty_follows_get_file_type() {
    use ntemu::kernel32::{FILE_TYPE_CHAR, StdFileTypes};
    for (types, want) in [
        ([FILE_TYPE_CHAR; 3], "_isatty: 0x40 0x40 0x40\n"),
        // A file (1) for stdin, a pipe (3) for stdout, the console for stderr.
        ([1, 3, FILE_TYPE_CHAR], "_isatty: 0 0 0x40\n"),
    ] {
        let (_, stdout, _) = run_to_end(
            "x86/crtfs.exe",
            RunOptions {
                args: vec!["isatty".to_string()],
                std_file_types: Some(StdFileTypes(types)),
                ..RunOptions::default()
            },
        );
        assert_eq!(stdout, want, "{types:?}");
    }
}
