//! Menus: tests/guests/src/menus.c builds, changes and queries menus and accelerator
//! tables (AppendMenu, InsertMenu, ModifyMenu, GetMenuState, CheckMenuItem, EnableMenuItem,
//! GetMenuItemInfo, LoadMenu of menus.rc's standard and MENUEX templates, LoadMenuIndirect,
//! a window's menu bar and system menu, LoadAccelerators...), its output checked against
//! Wine's with NT 4.0's differences listed; menuwin.c is a window with a menu bar from its
//! class's lpszMenuName whose menus are opened and chosen from with scripted clicks and keys
//! in a headless run, and whose accelerators and TrackPopupMenu are used the same way.

mod common;

use common::{Scratch, agrees_with_wine, expected, guest, run_captured};
use ntemu::kernel::RunOutcome;
use ntemu::{DisplayChoice, RunOptions};

const FACE: u32 = 0xC0C0C0;
const WHITE: u32 = 0xFFFFFF;
const GREY: u32 = 0x808080;
const BLACK: u32 = 0x000000;
const NAVY: u32 = 0x000080;

fn clock() -> Option<u64> {
    ntemu::parse_clock("2000-01-01T00:00:00").ok()
}

#[test]
fn menus_are_built_changed_and_queried_as_nt_does() {
    let run = run_captured(&guest("x86/menus.exe"), RunOptions::default());
    assert_eq!(run.report.outcome, RunOutcome::AllExited, "{}", run.stderr);
    assert_eq!(run.stdout, expected("expected/menus.expected"));
}

#[test]
fn the_menus_output_agrees_with_wine_but_for_nt4s_differences() {
    agrees_with_wine("expected/menus.expected", "expected/menus.wine");
}

/// Runs menuwin.exe with a key and mouse script: its stdout, and the screen at the end.
fn menuwin(script: &[u8], seconds: u64) -> (RunOutcome, String, Vec<u32>) {
    let s = Scratch::new("menuwin");
    let png = s.path().join("screen.png");
    let run = run_captured(
        &guest("x86/menuwin.exe"),
        RunOptions {
            display: DisplayChoice::None,
            clock_start_ms: clock(),
            input_script: ntemu::user32::input::parse_input_script(script).expect("script"),
            screenshot: Some(png.clone()),
            run_for: Some(std::time::Duration::from_secs(seconds)),
            ..RunOptions::default()
        },
    );
    let (w, h, pixels) = ntemu::display::read_png(&png).expect("screenshot");
    assert_eq!((w, h), (800, 600));
    (run.report.outcome, run.stdout, pixels)
}

/// The window is at (100, 80), 320 x 240: its frame is 4 pixels, the caption 19, so the
/// menu bar is the 19 pixels from y 103 and the client area starts at y 122. "File" is
/// the bar's first item, from x 104.
#[test]
fn a_click_on_the_bar_opens_the_popup_drawn_as_nt4_draws_it() {
    let (outcome, out, px) = menuwin(b"\\w{500ms}\\m{click 115,112}\\w{500ms}", 2);
    assert_eq!(outcome, RunOutcome::TimeReached, "the menu waits: {out}");
    let at = |x: i32, y: i32| px[(y * 800 + x) as usize];
    assert!(
        out.starts_with("client: 312x194\n"),
        "the bar takes SM_CYMENU: {out}"
    );
    let log: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(
        log,
        [
            "WM_ENTERMENULOOP: 0",
            "WM_INITMENU is the bar: 1",
            "WM_MENUSELECT item=0x00000000 flags=0x00008090",
            "WM_INITMENUPOPUP pos=0 sys=0 items=4",
        ]
    );
    // The bar: COLOR_MENU right of its items, under the caption.
    assert_eq!(at(400, 110), FACE, "the bar");
    assert_eq!(at(400, 121), FACE, "the bar's last line");
    assert_eq!(at(400, 122), WHITE, "the client area under it");
    // "File" pushed in: a thin sunken edge (3DSHADOW top and left, 3DHILIGHT bottom and
    // right) around it.
    assert_eq!(at(104, 108), GREY, "the pushed item's left edge");
    assert_eq!(at(110, 103), GREY, "the pushed item's top edge");
    assert_eq!(at(110, 120), WHITE, "the pushed item's bottom edge");
    // The popup under it: a raised edge (3DLIGHT, 3DHILIGHT outside-in on the left) and
    // COLOR_MENU, over the white client area, with its items' black text.
    assert_eq!(at(104, 140), FACE, "the popup's outer left edge");
    assert_eq!(at(105, 140), WHITE, "the popup's inner left edge");
    assert_eq!(at(107, 140), FACE, "the popup's face");
    let black = (125..160)
        .flat_map(|y| (106..200).map(move |x| (x, y)))
        .filter(|&(x, y)| at(x, y) == BLACK)
        .count();
    assert!(
        black > 30,
        "the items' text is drawn ({black} black pixels)"
    );
    // Its right and bottom edges are 3DDKSHADOW: the first black column right of the text
    // runs the popup's height.
    let right = (150..300).find(|&x| (125..180).all(|y| at(x, y) == BLACK));
    assert!(right.is_some(), "the popup's right edge");
}

#[test]
fn items_are_chosen_with_the_mouse_the_keyboard_accelerators_and_track_popup_menu() {
    // Click File, then Open...; Alt+E, Down (Cut), Down (More), Right (opens More with Alpha
    // selected), Down (Beta), Enter; F5 and Ctrl+O (accelerators); a right click shows the
    // Edit menu with TrackPopupMenu at the mouse (250, 250), a click on Cut (its second
    // item) chooses it; then Alt+F4.
    let (outcome, out, px) = menuwin(
        b"\\w{500ms}\\m{click 115,112}\\w{300ms}\\m{click 130,150}\\w{300ms}\
          \\k{A-e}\\w{300ms}\\k{Down}\\k{Down}\\k{Right}\\w{300ms}\\k{Down}\\k{Enter}\\w{300ms}\
          \\k{F5}\\w{200ms}\\k{C-o}\\w{200ms}\\m{rclick 250,250}\\w{300ms}\\m{click 270,278}\
          \\w{300ms}\\k{A-F4}",
        6,
    );
    assert_eq!(outcome, RunOutcome::AllExited, "{out}");
    let log: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(
        log,
        [
            "WM_ENTERMENULOOP: 0",
            "WM_INITMENU is the bar: 1",
            "WM_MENUSELECT item=0x00000000 flags=0x00008090",
            "WM_INITMENUPOPUP pos=0 sys=0 items=4",
            "WM_MENUSELECT item=0x00000066 flags=0x00008080",
            "WM_MENUSELECT item=0x00000000 flags=0x0000ffff (closed)",
            "WM_EXITMENULOOP: 0",
            "WM_COMMAND id=102 source=0",
            "WM_ENTERMENULOOP: 0",
            "WM_INITMENU is the bar: 1",
            "WM_MENUSELECT item=0x00000001 flags=0x00000090",
            "WM_INITMENUPOPUP pos=1 sys=0 items=3",
            "WM_MENUSELECT item=0x000000c9 flags=0x00000081",
            "WM_MENUSELECT item=0x000000ca flags=0x00000088",
            "WM_MENUSELECT item=0x00000002 flags=0x00000090",
            "WM_INITMENUPOPUP pos=2 sys=0 items=2",
            "WM_MENUSELECT item=0x000000d3 flags=0x00000080",
            "WM_MENUSELECT item=0x000000d4 flags=0x00000080",
            "WM_MENUSELECT item=0x00000000 flags=0x0000ffff (closed)",
            "WM_EXITMENULOOP: 0",
            "WM_COMMAND id=212 source=0",
            "WM_INITMENU is the bar: 1",
            "WM_COMMAND id=104 source=1",
            "WM_INITMENU is the bar: 1",
            "WM_COMMAND id=102 source=1",
            "WM_ENTERMENULOOP: 1",
            "WM_INITMENU is the bar: 0",
            "WM_INITMENUPOPUP pos=0 sys=0 items=3",
            "WM_MENUSELECT item=0x000000ca flags=0x00008088",
            "WM_MENUSELECT item=0x00000000 flags=0x0000ffff (closed)",
            "WM_EXITMENULOOP: 1",
            "TrackPopupMenu: 202",
            "exit: 7",
        ],
        "{out}"
    );
    assert!(px.iter().any(|&p| p != NAVY), "a screen was taken");
}

#[test]
fn escape_closes_the_popup_then_the_bar_and_the_screen_under_the_popup_comes_back() {
    // Alt+F opens File from the keyboard (New selected); Esc closes the popup (File stays
    // selected on the bar), a second Esc ends the menu.
    let (outcome, out, px) = menuwin(
        b"\\w{500ms}\\k{A-f}\\w{300ms}\\k{Esc}\\w{200ms}\\k{Esc}\\w{300ms}",
        2,
    );
    assert_eq!(outcome, RunOutcome::TimeReached, "{out}");
    let log: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(
        log,
        [
            "WM_ENTERMENULOOP: 0",
            "WM_INITMENU is the bar: 1",
            "WM_MENUSELECT item=0x00000000 flags=0x00000090",
            "WM_INITMENUPOPUP pos=0 sys=0 items=4",
            "WM_MENUSELECT item=0x00000065 flags=0x00000080",
            "WM_MENUSELECT item=0x00000000 flags=0x0000ffff (closed)",
            "WM_EXITMENULOOP: 0",
        ],
        "{out}"
    );
    let at = |x: i32, y: i32| px[(y * 800 + x) as usize];
    for (x, y) in [(107, 140), (150, 130), (110, 160)] {
        assert_eq!(
            at(x, y),
            WHITE,
            "the client area where the popup was, at {x},{y}"
        );
    }
    assert_eq!(at(104, 108), FACE, "File is drawn plain again");
}

#[test]
fn alpha_code_builds_and_queries_menus_through_the_same_structures() {
    let run = run_captured(&guest("alpha/menualpha.exe"), RunOptions::default());
    assert_eq!(run.report.outcome, RunOutcome::AllExited, "{}", run.stderr);
    assert_eq!(run.stdout, expected("expected/menualpha.expected"));
}

#[test]
fn the_system_menu_opens_from_alt_space_and_the_box_and_its_close_item_closes_the_window() {
    // Alt+Space opens it with Restore (grayed: the window is not minimized or maximized)
    // selected; Esc ends it. A click on the system menu box opens it again; its items are
    // Restore, Move, Size, Minimize, Maximize (17 pixels each), a separator (9) and Close,
    // which posts WM_SYSCOMMAND SC_CLOSE: DefWindowProc closes the window.
    let (outcome, out, _) = menuwin(
        b"\\w{500ms}\\k{A-Space}\\w{300ms}\\k{Esc}\\w{300ms}\\m{click 110,92}\\w{300ms}\
          \\m{click 130,208}\\w{300ms}",
        3,
    );
    assert_eq!(outcome, RunOutcome::AllExited, "{out}");
    let log: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(
        log,
        [
            "WM_ENTERMENULOOP: 0",
            "WM_INITMENU is the bar: 1",
            "WM_INITMENUPOPUP pos=0 sys=1 items=7",
            "WM_MENUSELECT item=0x0000f120 flags=0x00002081",
            "WM_MENUSELECT item=0x00000000 flags=0x0000ffff (closed)",
            "WM_EXITMENULOOP: 0",
            "WM_ENTERMENULOOP: 0",
            "WM_INITMENU is the bar: 1",
            "WM_INITMENUPOPUP pos=0 sys=1 items=7",
            "WM_MENUSELECT item=0x0000f060 flags=0x0000b080",
            "WM_MENUSELECT item=0x00000000 flags=0x0000ffff (closed)",
            "WM_EXITMENULOOP: 0",
            "exit: 7",
        ],
        "{out}"
    );
}

#[test]
fn f10_selects_the_bar_and_the_arrows_and_enter_choose_an_item() {
    // F10 selects File (raised, no popup); Right selects Edit; Down opens it with Undo
    // selected; Down selects Cut; Enter chooses it.
    let (outcome, out, _) = menuwin(
        b"\\w{500ms}\\k{F10}\\w{200ms}\\k{Right}\\w{200ms}\\k{Down}\\w{200ms}\\k{Down}\\k{Enter}\\w{300ms}",
        2,
    );
    assert_eq!(outcome, RunOutcome::TimeReached, "{out}");
    let log: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(
        log,
        [
            "WM_ENTERMENULOOP: 0",
            "WM_INITMENU is the bar: 1",
            "WM_MENUSELECT item=0x00000000 flags=0x00000090",
            "WM_MENUSELECT item=0x00000001 flags=0x00000090",
            "WM_MENUSELECT item=0x00000001 flags=0x00000090",
            "WM_INITMENUPOPUP pos=1 sys=0 items=3",
            "WM_MENUSELECT item=0x000000c9 flags=0x00000081",
            "WM_MENUSELECT item=0x000000ca flags=0x00000088",
            "WM_MENUSELECT item=0x00000000 flags=0x0000ffff (closed)",
            "WM_EXITMENULOOP: 0",
            "WM_COMMAND id=202 source=0",
        ],
        "{out}"
    );
}
