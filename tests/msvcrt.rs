//! The C runtime builtins (MSVCRT.dll) run mingw-w64 programs linked with its normal
//! start-up: tests/guests/x86/printf.exe (source tests/guests/src/printf.c) prints what
//! tests/guests/expected/printf.expected says, and tests/guests/x86/crtfile.exe (stdio over
//! files on the sandboxed drive C:) what tests/guests/expected/crtfile.expected says; their
//! headers give the source of every expectation (msvcrt's documented behaviour; Wine could
//! not be run here). tests/guests/x86/crtlib.exe calls string.h, ctype.h, stdlib.h and
//! time.h for real; tests/guests/x86/crtdll.exe is an old-style CRTDLL.dll program and
//! tests/guests/alpha/crt.exe calls MSVCRT.dll from Alpha code (varargs in registers,
//! callbacks).

use std::path::PathBuf;

use ntemu::kernel::RunOutcome;
use ntemu::win32::HostIo;
use ntemu::{RunOptions, run_image};

fn guest(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/guests")
        .join(name)
}

/// The expected file without its `#` header lines, each line ending in "\n".
fn expected(name: &str) -> String {
    let text = std::fs::read_to_string(guest(name)).expect("expected file");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

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

#[test]
fn mingw_program_prints_what_msvcrt_prints() {
    let (io, out, err) = HostIo::buffers();
    let report = run_image(
        &guest("x86/printf.exe"),
        RunOptions {
            io: Some(io),
            args: vec!["one".to_string(), "two words".to_string()],
            ..RunOptions::default()
        },
    )
    .expect("run");
    let stderr = err.lock().clone();
    assert_eq!(
        report.outcome,
        RunOutcome::AllExited,
        "did not finish: {}",
        String::from_utf8_lossy(&stderr)
    );
    // fprintf(stderr, "to stderr\n") went through the text-mode stderr stream.
    assert_eq!(String::from_utf8_lossy(&stderr), "to stderr\r\n");
    let stdout = from_text_mode(&out.lock());
    let want = expected("expected/printf.expected");
    for (got, want) in stdout.lines().zip(want.lines()) {
        assert_eq!(got, want);
    }
    assert_eq!(stdout, want);
    // main returned 3; exit(3) ran the atexit function (the last line) first.
    assert_eq!(report.exit_code, 3);
}

/// A scratch directory removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("ntemu-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn stdio_streams_over_files() {
    let root = Scratch::new("msvcrt");
    let (io, out, err) = HostIo::buffers();
    let report = run_image(
        &guest("x86/crtfile.exe"),
        RunOptions {
            io: Some(io),
            root: Some(root.0.clone()),
            ..RunOptions::default()
        },
    )
    .expect("run");
    let stderr = String::from_utf8_lossy(&err.lock()).into_owned();
    assert_eq!(report.outcome, RunOutcome::AllExited, "{stderr}");
    assert_eq!(stderr, "perror: No such file or directory\r\n");
    let stdout = from_text_mode(&out.lock());
    let want = expected("expected/crtfile.expected");
    for (got, want) in stdout.lines().zip(want.lines()) {
        assert_eq!(got, want);
    }
    assert_eq!(stdout, want);
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
    let (io, out, err) = HostIo::buffers();
    let report = run_image(
        &guest("x86/crtlib.exe"),
        RunOptions {
            io: Some(io),
            ..RunOptions::default()
        },
    )
    .expect("run");
    let stderr = String::from_utf8_lossy(&err.lock()).into_owned();
    assert_eq!(report.outcome, RunOutcome::AllExited, "{stderr}");
    let stdout = from_text_mode(&out.lock());
    let want = expected("expected/crtlib.expected");
    for (got, want) in stdout.lines().zip(want.lines()) {
        assert_eq!(got, want);
    }
    assert_eq!(stdout, want);
    assert_eq!(report.exit_code, 0);
}

#[test]
fn stdin_reads_cooked_console_lines() {
    let (io, out, err) = HostIo::buffers();
    let keys = ntemu::win32::console::parse_key_script(br"42 17\rhello\rworld\r").expect("keys");
    let report = run_image(
        &guest("x86/crtinput.exe"),
        RunOptions {
            io: Some(io),
            keys,
            ..RunOptions::default()
        },
    )
    .expect("run");
    let stderr = String::from_utf8_lossy(&err.lock()).into_owned();
    assert_eq!(report.outcome, RunOutcome::AllExited, "{stderr}");
    assert_eq!(
        from_text_mode(&out.lock()),
        expected("expected/crtinput.expected")
    );
    assert_eq!(report.exit_code, 0);
}

#[test]
fn conio_reads_keys_one_at_a_time() {
    use ntemu::win32::console::{Key, VK_UP};
    let (io, out, err) = HostIo::buffers();
    let report = run_image(
        &guest("x86/conio.exe"),
        RunOptions {
            io: Some(io),
            keys: vec![Key::Char(b'a'), Key::Char(b'b'), Key::Virtual(VK_UP)],
            ..RunOptions::default()
        },
    )
    .expect("run");
    let stderr = String::from_utf8_lossy(&err.lock()).into_owned();
    assert_eq!(report.outcome, RunOutcome::AllExited, "{stderr}");
    assert_eq!(
        from_text_mode(&out.lock()),
        expected("expected/conio.expected")
    );
    assert_eq!(report.exit_code, 0);
}

#[test]
fn crtdll_program_uses_the_old_names_and_data_exports() {
    let (io, out, err) = HostIo::buffers();
    let report = run_image(
        &guest("x86/crtdll.exe"),
        RunOptions {
            io: Some(io),
            args: vec!["a".to_string(), "b".to_string()],
            ..RunOptions::default()
        },
    )
    .expect("run");
    let stderr = String::from_utf8_lossy(&err.lock()).into_owned();
    assert_eq!(report.outcome, RunOutcome::AllExited, "{stderr}");
    assert_eq!(stderr, "");
    assert_eq!(
        from_text_mode(&out.lock()),
        expected("expected/crtdll.expected")
    );
    assert_eq!(report.exit_code, 7);
}

#[test]
fn alpha_program_passes_varargs_and_is_called_back() {
    let (io, out, err) = HostIo::buffers();
    let report = run_image(
        &guest("alpha/crt.exe"),
        RunOptions {
            io: Some(io),
            ..RunOptions::default()
        },
    )
    .expect("run");
    let stderr = String::from_utf8_lossy(&err.lock()).into_owned();
    assert_eq!(report.outcome, RunOutcome::AllExited, "{stderr}");
    assert_eq!(
        from_text_mode(&out.lock()),
        expected("expected/alpha-crt.expected")
    );
    assert_eq!(report.exit_code, 5);
}

#[test]
fn program_without_arguments_sees_only_its_name() {
    let (io, out, _) = HostIo::buffers();
    run_image(
        &guest("x86/printf.exe"),
        RunOptions {
            io: Some(io),
            ..RunOptions::default()
        },
    )
    .expect("run");
    let stdout = from_text_mode(&out.lock());
    assert_eq!(
        stdout.lines().next(),
        Some("argc=1 argv0=printf.exe argv1=- argv2=-")
    );
}
