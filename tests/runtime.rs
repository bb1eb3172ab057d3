//! TLS, critical sections (contended by two threads), Interlocked, the environment,
//! Global/LocalAlloc, LoadLibraryA and CompareStringA through tests/guests/src/runtime.c.

mod common;

use common::{expected, run_to_end};
use ntemu::RunOptions;

#[test]
fn runtime_support_functions_behave_as_on_nt() {
    let (code, out, err) = run_to_end(
        "x86/runtime.exe",
        RunOptions {
            virtual_time: true,
            // An environment of the PROCESSOR_* variables only: the guest prints the block's
            // first entry.
            environment: Some(Vec::new()),
            ..RunOptions::default()
        },
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, expected("expected/runtime.expected"));
}
