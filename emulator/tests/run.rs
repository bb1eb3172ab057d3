//! `ntemu run`: guest programs run end to end through the command-line program, with
//! fault injection, the NT 4.0 quirk, traces, stats and NT's ending of faulting programs.

mod common;

use std::path::PathBuf;

use common::{guests, ntemu, text};

fn guest(name: &str) -> PathBuf {
    guests().join("x86").join(name)
}

#[test]
fn hello_prints_its_line_and_exits_with_its_code() {
    let out = ntemu(&["run", guest("hello.exe").to_str().unwrap()]);
    assert_eq!(text(&out.stdout), "Hello from an NT program\n");
    assert_eq!(out.status.code(), Some(7));
}

#[test]
fn list_faults_names_every_point_and_each_gives_zero_delta() {
    let out = ntemu(&["run", "--list-faults"]);
    assert!(out.status.success());
    let points: Vec<String> = text(&out.stdout).lines().map(str::to_string).collect();
    // CreateRemoteThread's seven steps and LoadLibrary's seven.
    assert_eq!(points.len(), 14, "{points:?}");
    for point in &points {
        let loader = point.starts_with("LoadLibrary:");
        let image = if loader {
            "ldrfault.exe"
        } else {
            "kb246691.exe"
        };
        let out = ntemu(&["run", "--fault", point, guest(image).to_str().unwrap()]);
        let first = text(&out.stdout).lines().next().unwrap_or("").to_string();
        if loader {
            assert!(
                first.starts_with("handle-delta=0 commit-delta=0 modules=0 failures=1000 "),
                "{point}: {first}"
            );
        } else {
            assert_eq!(first, "handle-count-delta=0 failures=1000", "{point}");
        }
        assert_eq!(out.status.code(), Some(0));
    }
}

#[test]
fn the_nt4_quirk_reproduces_the_leak() {
    let out = ntemu(&[
        "run",
        "--quirk",
        "nt4-remote-thread-leak",
        "--fault",
        "CreateRemoteThread:subsystem",
        guest("kb246691.exe").to_str().unwrap(),
    ]);
    assert_eq!(text(&out.stdout), "handle-count-delta=1000 failures=1000\n");
}

#[test]
fn an_unimplemented_import_stops_the_process_naming_it() {
    let out = ntemu(&["run", guest("missing.exe").to_str().unwrap()]);
    assert_eq!(text(&out.stdout), "before\n");
    let err = text(&out.stderr);
    assert!(
        err.contains("unimplemented: KERNEL32.dll!NtemuNeverImplemented called from 0x004"),
        "{err}"
    );
    assert!(err.contains("exit code 0xc0000139"), "{err}");
    assert_eq!(out.status.code(), Some(0x39));
}

#[test]
fn an_access_violation_ends_the_process_with_its_status() {
    let out = ntemu(&["run", guest("av.exe").to_str().unwrap()]);
    assert_eq!(text(&out.stdout), "before\n");
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "unhandled exception 0xc0000005 (access violation: Write at 0x00000000) at 0x004"
        ),
        "{err}"
    );
    assert!(err.contains("(mov)"), "{err}");
    assert!(err.contains("exit code 0xc0000005"), "{err}");
    assert_eq!(out.status.code(), Some(5));
}

#[test]
fn trace_and_stats() {
    let out = ntemu(&[
        "run",
        "--trace",
        "api",
        "--stats",
        guest("hello.exe").to_str().unwrap(),
    ]);
    let err = text(&out.stderr);
    assert!(err.contains("Call KERNEL32.WriteFile("), "{err}");
    assert!(err.contains("exit code 0x7"), "{err}");
    assert!(err.contains("guest instructions"), "{err}");
}

#[test]
fn bad_options_and_files_are_one_line_errors() {
    for args in [
        vec!["run", "--fault", "Nope:step", "x.exe"],
        vec!["run", "--quirk", "nope", "x.exe"],
        vec!["run", "/nonexistent/x.exe"],
    ] {
        let out = ntemu(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            text(&out.stderr).lines().count(),
            1,
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn a_divide_by_zero_ends_the_process_with_its_status() {
    let out = ntemu(&["run", guest("divzero.exe").to_str().unwrap()]);
    assert_eq!(text(&out.stdout), "before\n");
    let err = text(&out.stderr);
    assert!(
        err.contains("unhandled exception 0xc0000094 (INTEGER_DIVIDE_BY_ZERO)"),
        "{err}"
    );
    assert!(err.contains("idiv") || err.contains("div"), "{err}");
    assert!(err.contains("exit code 0xc0000094"), "{err}");
}

/// `--input` takes keys by name: the guest reads their NT key records, and a cooked read
/// skips the ones that type nothing.
#[test]
fn key_scripts_type_named_keys_with_modifiers() {
    let script = std::env::temp_dir().join(format!("ntemu-named-keys-{}.txt", std::process::id()));
    std::fs::write(&script, br"\k{C-Home}\k{a-X}\k{f5}q\k{F8}ok\k{Left}\r").expect("script");
    let out = ntemu(&[
        "run",
        "--input",
        script.to_str().unwrap(),
        guest("keys.exe").to_str().unwrap(),
    ]);
    let _ = std::fs::remove_file(&script);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let lines: Vec<String> = text(&out.stdout).lines().map(str::to_string).collect();
    assert_eq!(
        lines,
        [
            "down repeat=1 vk=11 scan=1d char=00 state=0008",
            "down repeat=1 vk=24 scan=47 char=00 state=0108",
            "up   repeat=1 vk=24 scan=47 char=00 state=0108",
            "up   repeat=1 vk=11 scan=1d char=00 state=0000",
            "down repeat=1 vk=12 scan=38 char=00 state=0002",
            "down repeat=1 vk=58 scan=2d char=78 state=0002",
            "up   repeat=1 vk=58 scan=2d char=78 state=0002",
            "up   repeat=1 vk=12 scan=38 char=00 state=0000",
            "down repeat=1 vk=74 scan=3f char=00 state=0000",
            "up   repeat=1 vk=74 scan=3f char=00 state=0000",
            "down repeat=1 vk=51 scan=10 char=71 state=0000",
            "up   repeat=1 vk=51 scan=10 char=71 state=0000",
            "cooked line: 6f 6b 0d 0a",
        ]
    );
}

/// A bad `\k{...}` in a key script is one `ntemu:` line naming the file, the name and the
/// byte, and exit status 2; the guest does not run.
#[test]
fn bad_key_names_are_one_line_errors() {
    let hello = guest("hello.exe");
    for (script, message) in [
        (
            &br"ab\k{Hme}"[..],
            r#"unknown key name "Hme" in \k{...} at byte 2"#,
        ),
        (br"\k{F8", r"\k{ at byte 0 has no closing }"),
        (
            br"x\k{C-C-x}",
            r"\k{...} at byte 1 names the modifier C- twice",
        ),
        (br"\kF8", r"\k needs a key name in braces"),
    ] {
        let path = std::env::temp_dir().join(format!("ntemu-bad-keys-{}.txt", std::process::id()));
        std::fs::write(&path, script).expect("script");
        let out = ntemu(&[
            "run",
            "--input",
            path.to_str().unwrap(),
            hello.to_str().unwrap(),
        ]);
        let _ = std::fs::remove_file(&path);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with(&format!("ntemu: {}: ", path.display())),
            "{err}"
        );
        assert!(err.contains(message), "{err}");
        assert!(out.stdout.is_empty());
    }
}

/// `ntemu run --help` documents the key-script syntax.
#[test]
fn run_help_documents_named_keys() {
    let out = ntemu(&["run", "--help"]);
    let help = text(&out.stdout);
    for needle in [
        r"\k{NAME}",
        "F1-F12",
        "PgUp",
        "S- (Shift)",
        "C- (Ctrl)",
        "A- (Alt)",
        r"\k{C-S-F5}",
    ] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
}

#[test]
fn winedlloverrides_and_dll_choose_the_dll_from_disk() {
    let dir = std::env::temp_dir().join(format!("ntemu-cli-dll-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(guest("ldrany.exe"), dir.join("ldrany.exe")).unwrap();
    std::fs::copy(guest("ldrdll.dll"), dir.join("wsock32.dll")).unwrap();
    let exe = dir.join("ldrany.exe");
    let run = |env: &str, args: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_ntemu"));
        c.env("WINEDLLOVERRIDES", env).arg("run").args(args);
        c.arg(exe.to_str().unwrap()).arg("wsock32");
        c.output().unwrap()
    };
    let o = run("wsock32=n", &[]);
    assert!(
        text(&o.stdout).contains("export: 1\n"),
        "{}",
        text(&o.stdout)
    );
    // --dll wins over the environment.
    let o = run("wsock32=n", &["--dll", "wsock32=b"]);
    assert!(
        text(&o.stdout).contains("export: 0\n"),
        "{}",
        text(&o.stdout)
    );
    let o = run("", &["--dll", "wsock32=bogus"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(text(&o.stderr).lines().count(), 1, "{}", text(&o.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}
