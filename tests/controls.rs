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

const FACE: u32 = 0xC0C0C0;
const WHITE: u32 = 0xFFFFFF;
const GREY: u32 = 0x808080;
const BLACK: u32 = 0x000000;
const NAVY: u32 = 0x000080;

fn clock() -> Option<u64> {
    ntemu::parse_clock("2000-01-01T00:00:00").ok()
}

/// ctlwin's screen after `script` (none: as it starts), and what it printed.
fn ctlwin(script: &[u8], seconds: u64) -> (Vec<u32>, u32, String) {
    use ntemu::{DisplayChoice, Emulator};
    let options = RunOptions {
        display: DisplayChoice::None,
        clock_start_ms: clock(),
        input_script: ntemu::user32::input::parse_input_script(script).expect("script"),
        ..RunOptions::default()
    };
    let mut emulator = Emulator::builder()
        .options(options)
        .capture_output()
        .build();
    emulator.load(&guest("x86/ctlwin.exe"), &[]).expect("load");
    emulator
        .run_for(std::time::Duration::from_secs(seconds))
        .expect("run");
    let (w, _) = emulator.framebuffer_size();
    let out = String::from_utf8_lossy(&emulator.stdout()).into_owned();
    (emulator.framebuffer(), w, out)
}

#[test]
fn the_controls_have_nt4_s_look() {
    // The window's client area starts at (104, 103): the edit is at (114, 113) to
    // (264, 137), the list box at (114, 153) to (264, 251) (its height shrunk to whole
    // items: 96 of client area), the combo box at (284, 113) to (434, 137) and the scroll
    // bar at (284, 163) to (484, 179).
    let (pixels, w, out) = ctlwin(b"", 1);
    assert!(out.starts_with("ready\n"), "{out}");
    let at = |x: u32, y: u32| pixels[(y * w + x) as usize];
    // The edit's sunken client edge: 3DSHADOW and 3DDKSHADOW on the left and top,
    // 3DHILIGHT and 3DLIGHT on the right and bottom; COLOR_WINDOW inside, its text black.
    assert_eq!(at(114, 125), GREY, "edit: outer left edge");
    assert_eq!(at(115, 125), BLACK, "edit: inner left edge");
    assert_eq!(at(200, 113), GREY, "edit: outer top edge");
    assert_eq!(at(263, 125), WHITE, "edit: outer right edge");
    assert_eq!(at(262, 125), FACE, "edit: inner right edge");
    assert_eq!(at(200, 125), WHITE, "edit: inside");
    let black_in = |x0: u32, x1: u32, y0: u32, y1: u32| {
        (y0..y1)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .filter(|&(x, y)| at(x, y) == BLACK)
            .count()
    };
    assert!(black_in(116, 150, 115, 135) > 20, "edit: its text");
    // The list box: a black border, the chosen first item in COLOR_HIGHLIGHT with white
    // text, the others on white; the vertical scroll bar inside the border at the right.
    assert_eq!(at(114, 200), BLACK, "list: border");
    assert_eq!(at(240, 160), NAVY, "list: the chosen item");
    assert_eq!(at(240, 190), WHITE, "list: another item");
    assert_eq!(at(247, 154), FACE, "list's bar: up arrow's outer top-left");
    assert_eq!(at(248, 155), WHITE, "list's bar: up arrow's inner top-left");
    assert_eq!(at(262, 169), BLACK, "list's bar: up arrow's bottom-right");
    assert!(
        black_in(250, 260, 157, 167) >= 10,
        "list's bar: the up triangle"
    );
    assert_eq!(at(262, 249), BLACK, "list's bar: down arrow's bottom-right");
    // The scroll bar: raised arrow buttons, the track's dots of 3DHILIGHT and 3DFACE, the
    // thumb at the left (position 0).
    assert_eq!(at(284, 163), FACE, "bar: left arrow's outer top-left");
    assert_eq!(at(285, 164), WHITE, "bar: left arrow's inner top-left");
    assert_eq!(at(483, 178), BLACK, "bar: right arrow's bottom-right");
    assert!(
        black_in(468, 483, 164, 178) >= 10,
        "bar: the right triangle"
    );
    let (t1, t2) = (at(380, 171), at(381, 171));
    assert!(
        t1 != t2 && [t1, t2].contains(&WHITE) && [t1, t2].contains(&FACE),
        "bar: the track's dots"
    );
    assert_eq!(at(301, 164), WHITE, "bar: the thumb's highlight");
    assert_eq!(at(315, 178), BLACK, "bar: the thumb's shadow");
    // The combo box: a sunken edge, the chosen "red" on white, the drop button (a raised
    // button with a black triangle) at the right.
    assert_eq!(at(284, 125), GREY, "combo: outer left edge");
    assert_eq!(at(285, 125), BLACK, "combo: inner left edge");
    assert!(black_in(288, 320, 116, 134) > 10, "combo: the chosen text");
    assert_eq!(at(431, 134), BLACK, "combo: the button's bottom-right");
    assert_eq!(at(417, 116), WHITE, "combo: the button's highlight");
    assert!(
        black_in(419, 430, 120, 130) >= 10,
        "combo: the button's triangle"
    );
    // The edit whose parent answers WM_CTLCOLOREDIT: its brush's yellow, red text.
    assert_eq!(at(200, 275), 0xFFFF00, "WM_CTLCOLOREDIT's brush");
    let red = (265..285)
        .flat_map(|y| (116..160).map(move |x| (x, y)))
        .filter(|&(x, y)| at(x, y) == 0xFF0000)
        .count();
    assert!(red > 20, "WM_CTLCOLOREDIT's text colour");
}

#[test]
fn clicks_and_keys_edit_choose_and_scroll() {
    // A click in the edit (the caret goes after its text) and "hi"; the third list item;
    // the scroll bar's right arrow twice (a double click counts as a click), the track
    // right of the thumb (a page of 5), the thumb dragged back to position 3; the list's
    // own down arrow (one line); the combo box dropped and "blue" picked from its list.
    let script = b"\\m{click 160,125}hi\\m{click 140,194}\\m{click 476,171}\\m{click 476,171}\
\\m{click 400,171}\\m{down 414,171}\\m{move 380,171}\\m{move 350,171}\\m{up 350,171}\
\\m{click 255,242}\\m{click 330,125}\\w{200ms}\\m{click 330,178}\\w{200ms}";
    let (pixels, w, _) = ctlwin(script, 3);
    let at = |x: u32, y: u32| pixels[(y * w + x) as usize];
    assert_eq!(
        at(400, 125),
        NAVY,
        "the focused combo box's choice is highlighted"
    );
    assert_eq!(
        at(240, 176),
        NAVY,
        "the chosen item, one line up after the scroll"
    );
    let mut full = script.to_vec();
    full.extend_from_slice(b"\\k{A-F4}");
    let (_, _, out) = ctlwin(&full, 4);
    // Notifications: EN_SETFOCUS (256), EN_UPDATE (1024) and EN_CHANGE (768) twice,
    // EN_KILLFOCUS (512); LBN_SETFOCUS (4), LBN_SELCHANGE (1), LBN_KILLFOCUS (5);
    // CBN_SETFOCUS (3), CBN_DROPDOWN (7), CBN_SELCHANGE (1), CBN_SELENDOK (9),
    // CBN_CLOSEUP (8).
    assert_eq!(
        out,
        "ready\nedit: edithi\nlist: 2\nlist top: 1\ncombo: 2\ncombo text: blue\nscroll: 3\n\
notifications: 1:256 1:1024 1:768 1:1024 1:768 1:512 2:4 2:1 2:5 3:3 3:7 3:1 3:9 3:8\n"
    );
}

/// The controls from Alpha code (tests/guests/src/alpha/ctlalpha.s): CreateWindowExA's
/// stack arguments, SendMessageA into the builtin window procedures, and SetScrollInfo's
/// and GetScrollInfo's SCROLLINFO give controls.exe's values.
#[test]
fn alpha_programs_use_the_same_controls() {
    let run = run_captured(&guest("alpha/ctlalpha.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/ctlalpha.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}
