//! Activation contexts (XP's side-by-side API that programs built for later Windows import)
//! through tests/guests/src/actctx.c: a context made from a manifest file and its dependency,
//! the errors of a missing dependency, a broken manifest and an absent file, each thread's
//! activation stack and cookies, forced early deactivation, and a new thread starting with
//! its creator's active context. Expected output checked against Wine's (actctx.wine).

mod common;

use common::{Scratch, agrees_with_wine, expected, guest, run_captured};
use ntemu::RunOptions;

#[test]
fn x86_activation_contexts_behave_as_on_xp() {
    // The manifests go to the guest's temporary folder, on a drive C: of its own.
    let root = Scratch::new("actctx");
    let run = run_captured(
        &guest("x86/actctx.exe"),
        RunOptions {
            root: Some(root.path().to_path_buf()),
            ..RunOptions::default()
        },
    );
    assert_eq!(
        run.stdout,
        expected("expected/actctx.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn actctx_expectations_agree_with_wine() {
    agrees_with_wine("expected/actctx.expected", "expected/actctx.wine");
}
