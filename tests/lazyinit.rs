//! tests/guests/src/lazyinit.c (x86): a CREATE_SUSPENDED child's imports are bound and its
//! process heap made in the child when one of its threads first runs (NT's LdrpInitialize),
//! not when CreateProcess makes it; and Vista's process-thread attribute lists
//! (InitializeProcThreadAttributeList, UpdateProcThreadAttribute,
//! DeleteProcThreadAttributeList) with CreateProcess's EXTENDED_STARTUPINFO_PRESENT:
//! PROC_THREAD_ATTRIBUTE_HANDLE_LIST and PROC_THREAD_ATTRIBUTE_PARENT_PROCESS.

mod common;

use common::{agrees_with_wine, expected, guest, run_captured};
use ntemu::RunOptions;

#[test]
fn x86_suspended_children_initialize_lazily_and_attribute_lists_work() {
    let run = run_captured(&guest("x86/lazyinit.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/lazyinit.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn lazyinit_agrees_with_wine_but_for_the_listed_lines() {
    agrees_with_wine("expected/lazyinit.expected", "expected/lazyinit.wine");
}
