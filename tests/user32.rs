//! USER32 for programs without windows: wsprintfA/W and the clipboard
//! (tests/guests/src/wsprintf.c and clip.c, checked against Wine's recorded output line for
//! line), message boxes and the active window, the system colours (syscolor.c) and the character functions (chars.c).

mod common;

use common::{agrees_with_wine, expected, guest, run_captured};
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

/// tests/guests/src/syscolor.c: GetSysColor gives NT 4.0's Windows Standard colours for
/// COLOR_SCROLLBAR to COLOR_INFOBK and 0 past them; GetSysColorBrush gives one solid brush
/// per colour, the same each time, which DeleteObject does not free.
#[test]
fn system_colours_are_nt4_s_windows_standard_scheme() {
    let run = run_captured(&guest("x86/syscolor.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/syscolor.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn system_colours_expected_output_agrees_with_wine_but_for_the_scheme() {
    agrees_with_wine("expected/syscolor.expected", "expected/syscolor.wine");
}

/// tests/guests/src/chars.c: the IsChar* classes of every ANSI character and of wide ones,
/// CharUpper/CharLower of characters, strings and buffers (code page 1252 for the ANSI
/// forms), and CharNext/CharPrev at a string's ends; identical to Wine's recorded output.
#[test]
fn character_functions_class_case_and_step_as_wine_does() {
    let run = run_captured(&guest("x86/chars.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/chars.wine"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}
