//! The console's window and screen (GetConsoleWindow, USER32's IsWindow, GetClientRect,
//! GetSystemMetrics and SystemParametersInfo against the console's largest window), its fonts
//! (SetConsoleFont, GetConsoleFontInfo), titles, waits on the console input, and leaving and
//! joining the console (FreeConsole, AttachConsole, AllocConsole), through
//! tests/guests/src/conwin.c.

mod common;

use common::{Scratch, expected, guest, run_captured};
use ntemu::RunOptions;

#[test]
fn x86_console_window_fonts_input_waits_and_attachment_behave_as_on_nt() {
    // Drive C: holds the program (it copies itself to C:\TEMP as a GUI and a console
    // program, and starts the copies).
    let scratch = Scratch::new("conwin");
    let root = scratch.path().to_path_buf();
    std::fs::create_dir(root.join("TEMP")).expect("TEMP");
    let image = root.join("conwin.exe");
    std::fs::copy(guest("x86/conwin.exe"), &image).expect("copy");
    let run = run_captured(
        &image,
        RunOptions {
            root: Some(root.clone()),
            ..RunOptions::default()
        },
    );
    assert_eq!(
        run.stdout,
        expected("expected/conwin.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    // The copies were deleted.
    assert!(!root.join("TEMP").join("conwin_gui.exe").exists());
}
