//! The dialog manager, MessageBox and the Button and Static controls: tests/guests/src/
//! dialogs.c checks a dialog's controls, checks, dialog units and keyboard interface
//! against Wine's recorded output; dlgshot.c shows a message box and a modal dialog on a
//! headless screen, answered by scripted keys and a click.

mod common;

use common::{agrees_with_wine, expected, guest, run_captured};
use ntemu::kernel::RunOutcome;
use ntemu::{DisplayChoice, Emulator, RunOptions};

#[test]
fn a_dialog_s_controls_units_and_keys_behave_as_wine_s_but_for_nt_s_fonts() {
    agrees_with_wine("expected/dialogs.expected", "expected/dialogs.wine");
    let run = run_captured(&guest("x86/dialogs.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/dialogs.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

/// Runs dlgshot.exe headless with `script` for `seconds` of guest time: its stdout, the
/// framebuffer (0xRRGGBB) and its width.
fn dlgshot(script: &[u8], seconds: u64) -> (RunOutcome, String, Vec<u32>, usize) {
    let options = RunOptions {
        display: DisplayChoice::None,
        clock_start_ms: ntemu::parse_clock("2000-01-01T00:00:00").ok(),
        input_script: ntemu::user32::input::parse_input_script(script).expect("script"),
        ..RunOptions::default()
    };
    let mut emulator = Emulator::builder()
        .options(options)
        .capture_output()
        .build();
    emulator.load(&guest("x86/dlgshot.exe"), &[]).expect("load");
    let outcome = emulator
        .run_for(std::time::Duration::from_secs(seconds))
        .expect("run");
    emulator.finish_display();
    let out = String::from_utf8_lossy(&emulator.stdout()).into_owned();
    let (w, _) = emulator.framebuffer_size();
    (outcome, out, emulator.framebuffer().to_vec(), w as usize)
}

#[test]
fn a_message_box_is_drawn_as_nt4_s_with_its_icon_text_and_buttons() {
    let (outcome, out, pixels, w) = dlgshot(b"\\w{5s}", 1);
    assert_eq!(outcome, RunOutcome::TimeReached, "the box waits: {out}");
    assert!(!out.contains("msgbox:"), "{out}");
    let count = |c: u32| pixels.iter().filter(|&&p| p == c).count();
    // The exclamation icon's yellow triangle and the active caption's navy.
    assert!(count(0xFFFF00) > 200, "the yellow of IDI_EXCLAMATION");
    assert!(count(0x000080) > 2000, "the caption");
    // The box is centred: the screen's centre is on its 3-D face or text.
    let at = |x: usize, y: usize| pixels[y * w + x];
    let (cx, cy) = (400, 300);
    let mut face = 0;
    for y in cy - 60..cy + 60 {
        for x in cx - 120..cx + 120 {
            face += usize::from(at(x, y) == 0xC0C0C0);
        }
    }
    assert!(face > 15_000, "the box's face around the centre ({face})");
    // The default button (No, the second) has a black frame: a row of the lower half has
    // three button faces side by side, the middle one inside black.
    let row = (0..600).rev().find(|&y| {
        (0..800).filter(|&x| at(x, y) == 0x000000).count() > 60 && at(400, y) == 0x000000
    });
    assert!(
        row.is_some(),
        "the default button's black frame under the screen's centre"
    );
    assert!(count(0x000000) > 500, "text and frames in black");
}

#[test]
fn enter_escape_and_a_click_answer_the_box_and_the_dialog() {
    // Enter: the default button, No (7); Esc: the dialog's IDCANCEL (2).
    let (outcome, out, ..) = dlgshot(b"\\w{500ms}\\r\\w{500ms}\\e", 3);
    assert_eq!(outcome, RunOutcome::AllExited, "{out}");
    assert!(out.contains("msgbox: 7\n"), "{out}");
    assert!(out.contains("dialog: 2\n"), "{out}");
    let ok = out
        .lines()
        .find_map(|l| l.strip_prefix("ok: "))
        .map(|r| {
            r.split(',')
                .filter_map(|v| v.parse::<i32>().ok())
                .collect::<Vec<i32>>()
        })
        .expect("the OK button's rectangle");
    assert_eq!(ok.len(), 4);
    // Esc on the box (no Cancel is needed for IDCANCEL here: MB_YESNOCANCEL has one), then
    // a click on the dialog's OK button.
    let (x, y) = ((ok[0] + ok[2]) / 2, (ok[1] + ok[3]) / 2);
    let script = format!("\\w{{500ms}}\\e\\w{{500ms}}\\m{{click {x},{y}}}");
    let (outcome, out, ..) = dlgshot(script.as_bytes(), 3);
    assert_eq!(outcome, RunOutcome::AllExited, "{out}");
    assert!(out.contains("msgbox: 2\n"), "{out}");
    assert!(out.contains("dialog: 1\n"), "{out}");
}

/// tests/guests/src/alpha/dlgalpha.s: the dialog manager from Alpha code, a modal loop whose
/// dialog procedure is Alpha code, and a modeless dialog's controls.
#[test]
fn an_alpha_program_runs_a_modal_and_a_modeless_dialog() {
    let run = run_captured(&guest("alpha/dlgalpha.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/dlgalpha.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}
