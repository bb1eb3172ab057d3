//! The console's window and screen (GetConsoleWindow, USER32's IsWindow, GetClientRect,
//! GetSystemMetrics and SystemParametersInfo against the console's largest window), its fonts
//! (SetConsoleFont, GetConsoleFontInfo), titles, waits on the console input, and leaving and
//! joining the console (FreeConsole, AttachConsole, AllocConsole), through
//! tests/guests/src/conwin.c.

mod common;

use common::{expected, guest, run_captured};
use ntemu::RunOptions;

#[test]
fn x86_console_window_fonts_input_waits_and_attachment_behave_as_on_nt() {
    let run = run_captured(&guest("x86/conwin.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/conwin.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}
