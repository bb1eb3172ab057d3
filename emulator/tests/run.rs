//! `ntemu run`: guest programs run end to end through the command-line program, with
//! fault injection, the NT 4.0 quirk, traces, stats and NT's ending of faulting programs.

mod common;

use std::path::PathBuf;

use common::{guests, ntemu, ntemu_in, text};

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
    assert_eq!(points.len(), 7);
    for point in &points {
        // kb246691.exe starts itself as CreateProcessA("kb246691.exe"): a name NT completes
        // with the current directory, so it runs where it lies.
        let out = ntemu_in(
            &guests().join("x86"),
            &[
                "run",
                "--fault",
                point,
                guest("kb246691.exe").to_str().unwrap(),
            ],
        );
        assert_eq!(
            text(&out.stdout),
            "handle-count-delta=0 failures=1000\n",
            "{point}"
        );
        assert_eq!(out.status.code(), Some(0));
    }
}

#[test]
fn the_nt4_quirk_reproduces_the_leak() {
    let out = ntemu_in(
        &guests().join("x86"),
        &[
            "run",
            "--quirk",
            "nt4-remote-thread-leak",
            "--fault",
            "CreateRemoteThread:subsystem",
            guest("kb246691.exe").to_str().unwrap(),
        ],
    );
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
