//! tests/guests/src/debugapi.c (x86): the Win32 debugging API. A parent debugs a child of
//! itself (CreateProcess with DEBUG_ONLY_THIS_PROCESS) and prints the events in NT's order:
//! the process's creation with its handles and image base, the loader's breakpoint, a DLL's
//! load (with its file) and unload, the child's debug strings read with ReadProcessMemory, a
//! thread's creation and end, an int3
//! whose context (past the instruction) the parent changes with SetThreadContext and whose
//! data it writes with WriteProcessMemory, an exception it passes on (first and last chance)
//! and the process's end with that exception's code; no second event of a process before
//! the first is continued (the wait times out: ERROR_SEM_TIMEOUT); IsDebuggerPresent in the
//! child; DebugActiveProcess on a running child (its creation, the break-in breakpoint, its
//! end when the debugger terminates it); the system program winver.exe started from the system
//! folder. The expected output is checked against Wine's. And an x86 debugger of an Alpha
//! program (mixed/dbgalpha.exe, alpha/seh.exe): the same events and exception chances. A
//! suspended thread shows NT's initial registers (eax its start routine, ebx its parameter).

mod common;

use common::{agrees_with_wine, expected, guest, run_captured};
use ntemu::RunOptions;

#[test]
fn x86_debugger_gets_a_debugged_childs_events_in_nt_order() {
    // A writable drive C:, which holds the system programs (winver.exe).
    let root = common::Scratch::new("debugapi");
    let run = run_captured(
        &guest("x86/debugapi.exe"),
        RunOptions {
            root: Some(root.0.clone()),
            ..RunOptions::default()
        },
    );
    assert_eq!(
        run.stdout,
        expected("expected/debugapi.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn debugapi_expected_output_agrees_with_wine() {
    agrees_with_wine("expected/debugapi.expected", "expected/debugapi.wine");
}

/// A scratch drive C: holding the x86 debugger and the Alpha program it debugs.
fn alpha_drive() -> common::Scratch {
    let root = common::Scratch::new("dbgalpha");
    for (from, to) in [
        ("mixed/dbgalpha.exe", "dbgalpha.exe"),
        ("alpha/seh.exe", "seh.exe"),
    ] {
        std::fs::copy(guest(from), root.0.join(to)).expect("copy");
    }
    root
}

#[test]
fn x86_debugger_gets_an_alpha_debuggees_exceptions_first_and_last_chance() {
    let root = alpha_drive();
    let run = run_captured(
        &root.0.join("dbgalpha.exe"),
        RunOptions {
            root: Some(root.0.clone()),
            ..RunOptions::default()
        },
    );
    assert_eq!(
        run.stdout,
        expected("expected/dbgalpha.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}
