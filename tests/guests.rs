//! The guest programs in tests/guests/x86/ and tests/guests/alpha/ run end to end on ntemu's interpreter and
//! builtin DLLs and print what their expected files say (the files' header lines say where
//! the expectations come from). The KB Q246691 program shows the handle count unchanged over
//! 1,000 failing CreateRemoteThread calls for every fault point, and the NT 4.0 quirk leaking
//! exactly one handle per call.

mod common;

use common::{expected, run_to_end as run};
use ntemu::RunOptions;
use ntemu::kernel::{FaultPoint, FaultTrigger};

/// Runs `image` and checks its output against `expected_file` and its exit code.
fn matches_expected(image: &str, expected_file: &str, exit_code: u32) {
    let (code, out, _) = run(image, RunOptions::default());
    assert_eq!(out, expected(expected_file), "{image}");
    assert_eq!(code, exit_code, "{image}");
}

/// With `point` armed on every call, `image` (a kb246691 build) prints its one last line.
fn kb246691_line(image: &str, point: FaultPoint, quirk: bool) -> String {
    let mut options = RunOptions {
        faults: vec![(point, FaultTrigger::Always)],
        ..RunOptions::default()
    };
    options.quirks.nt4_remote_thread_leak = quirk;
    let (code, out, _) = run(image, options);
    assert_eq!(code, 0, "{image} {}", point.name());
    out
}

/// KB Q246691 on one build: no fault point leaks a handle; the NT 4.0 quirk leaks one per
/// failed call.
fn kb246691_holds(image: &str) {
    for point in FaultPoint::REMOTE_THREAD {
        assert_eq!(
            kb246691_line(image, point, false),
            "handle-count-delta=0 failures=1000\n",
            "{image} {}",
            point.name()
        );
    }
    assert_eq!(
        kb246691_line(image, FaultPoint::RemoteThreadSubsystem, true),
        "handle-count-delta=1000 failures=1000\n",
        "{image}"
    );
}

#[test]
fn hello_prints_its_line_and_exits_with_its_code() {
    matches_expected("x86/hello.exe", "expected/hello.expected", 7);
}

#[test]
fn handles_matches_its_expected_output() {
    matches_expected("x86/handles.exe", "expected/handles.expected", 0);
}

#[test]
fn threads_matches_its_expected_output() {
    matches_expected("x86/threads.exe", "expected/threads.expected", 0);
}

#[test]
fn kb246691_without_a_fault_creates_every_thread() {
    matches_expected("x86/kb246691.exe", "expected/kb246691.expected", 0);
}

#[test]
fn kb246691_every_fault_point_fails_every_call_and_leaks_nothing() {
    for point in FaultPoint::REMOTE_THREAD {
        assert_eq!(
            kb246691_line("x86/kb246691.exe", point, false),
            "handle-count-delta=0 failures=1000\n",
            "{}",
            point.name()
        );
    }
}

#[test]
fn kb246691_with_the_nt4_quirk_leaks_one_handle_per_failure() {
    assert_eq!(
        kb246691_line("x86/kb246691.exe", FaultPoint::RemoteThreadSubsystem, true),
        "handle-count-delta=1000 failures=1000\n"
    );
}

#[test]
fn a_fault_on_the_500th_call_fails_exactly_one() {
    let options = RunOptions {
        faults: vec![(FaultPoint::RemoteThreadHandle, FaultTrigger::OnCall(500))],
        ..RunOptions::default()
    };
    let (_, out, _) = run("x86/kb246691.exe", options);
    assert_eq!(out, "handle-count-delta=0 failures=1\n");
}

#[test]
fn trace_api_prints_each_builtin_call() {
    let options = RunOptions {
        relay: Some(ntemu::win32::relay::RelayChannels::all()),
        ..RunOptions::default()
    };
    let (_, _, err) = run("x86/hello.exe", options);
    assert!(
        err.contains("Call KERNEL32.GetStdHandle(fffffff5) ret="),
        "{err}"
    );
    assert!(
        err.contains("Call KERNEL32.ExitProcess(00000007) ret=")
            && err.contains("Ret  KERNEL32.ExitProcess() exits the process ret="),
        "{err}"
    );
}

#[test]
fn alpha_hello_prints_the_same_line_as_its_x86_twin() {
    matches_expected("alpha/hello.exe", "expected/hello.expected", 7);
}

#[test]
fn alpha_handles_matches_its_expected_output() {
    matches_expected("alpha/handles.exe", "expected/handles.expected", 0);
}

#[test]
fn alpha_threads_matches_its_expected_output() {
    matches_expected("alpha/threads.exe", "expected/threads.expected", 0);
}

#[test]
fn alpha_kb246691_leaks_nothing_at_any_fault_point_and_the_quirk_leaks_one_per_call() {
    matches_expected("alpha/kb246691.exe", "expected/kb246691.expected", 0);
    kb246691_holds("alpha/kb246691.exe");
}

#[test]
fn an_x86_guest_runs_a_thread_in_an_alpha_process() {
    let (code, out, _) = run("mixed/cross.exe", RunOptions::default());
    assert_eq!(out, expected("expected/cross.expected"));
    assert_eq!(code, 0);
}

#[test]
fn mixed_architecture_rollback_leaks_nothing() {
    for point in FaultPoint::REMOTE_THREAD {
        // Every call fails, the first as well (it shows as alpha-thread-created: 0).
        let options = RunOptions {
            faults: vec![(point, FaultTrigger::Always)],
            ..RunOptions::default()
        };
        let (_, out, _) = run("mixed/cross.exe", options);
        assert!(
            out.ends_with("handle-count-delta=0 failures=100\n"),
            "{}: {out}",
            point.name()
        );
        assert!(
            out.contains("alpha-thread-created: 0"),
            "{}: {out}",
            point.name()
        );
    }
}
