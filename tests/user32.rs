//! USER32 for programs without windows: wsprintfA/W and the clipboard
//! (tests/guests/src/wsprintf.c and clip.c, checked against Wine's recorded output line for
//! line), message boxes and the active window.

mod common;

use common::{expected, guest, run_captured};
use ntemu::RunOptions;

#[test]
fn the_clipboard_keeps_converts_and_lists_formats_as_wine_does() {
    let run = run_captured(&guest("x86/clip.exe"), RunOptions::default());
    assert_eq!(run.stdout, expected("expected/clip.wine"), "{}", run.stderr);
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn a_message_box_without_a_display_shows_on_stderr_and_answers_its_default_button() {
    let run = run_captured(&guest("x86/msgbox.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/msgbox.expected"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("ntemu: message box \"Error\": Quit? [Yes] [No]"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("ntemu: message box \"Wide\": Disk full [Retry] [Cancel]"),
        "{}",
        run.stderr
    );
}

#[test]
fn wsprintf_a_and_w_format_as_wine_does() {
    // tests/guests/src/wsprintf.c: numbers, widths, precision, and the ANSI and wide strings
    // and characters of %s, %S, %c, %C, %hs and %ls in both functions; its output is
    // identical to Wine's recorded one.
    let run = run_captured(&guest("x86/wsprintf.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/wsprintf.wine"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}
