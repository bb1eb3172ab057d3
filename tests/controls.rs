//! USER32's standard controls: tests/guests/src/controls.c makes Edit, ListBox, ComboBox
//! and ScrollBar controls with CreateWindowEx, sends them their messages and logs the
//! notifications their parent gets; its output is NT 4.0's (controls.expected), which
//! agrees with Wine's recorded one but for the lines listed there. tests/guests/src/ctlwin.c
//! shows the four in a window: a headless screenshot has NT 4.0's look, and scripted clicks
//! and typing change them as they would on NT.

mod common;

use common::{agrees_with_wine, expected, guest, run_captured};
use ntemu::RunOptions;

#[test]
fn controls_answer_their_messages_as_nt_does() {
    let run = run_captured(&guest("x86/controls.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/controls.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn controls_expected_output_agrees_with_wine_but_for_nt4_s_scroll_bars() {
    agrees_with_wine("expected/controls.expected", "expected/controls.wine");
}
