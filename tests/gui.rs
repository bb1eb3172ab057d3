//! GUI programs on the screen: tests/guests/src/ntwin.c makes one overlapped window at
//! (100, 80), 320 x 240, and logs the keyboard and mouse messages it gets. Headless runs
//! under a virtual clock: the screenshot shows NT 4.0's desktop and window frame, the PNG
//! holds the framebuffer's pixels, and a script's keys, click and Alt+F4 reach the window
//! as NT's messages; xprocmsg.c sends messages to a window from another process.

mod common;

use common::{Scratch, guest, run_captured};
use ntemu::kernel::RunOutcome;
use ntemu::{DisplayChoice, Emulator, RunOptions};

/// The window's rectangle on the screen, as ntwin.c makes it.
const WINDOW: (i32, i32, i32, i32) = (100, 80, 420, 320);

const TEAL: u32 = 0x008080;
const FACE: u32 = 0xC0C0C0;
const WHITE: u32 = 0xFFFFFF;
const GREY: u32 = 0x808080;
const BLACK: u32 = 0x000000;
const NAVY: u32 = 0x000080;

fn clock() -> Option<u64> {
    ntemu::parse_clock("2000-01-01T00:00:00").ok()
}

#[test]
fn the_screenshot_shows_the_teal_desktop_and_an_nt4_window_frame() {
    let s = Scratch::new("gui-shot");
    let png = s.path().join("screen.png");
    let options = RunOptions {
        display: DisplayChoice::None,
        screenshot: Some(png.clone()),
        clock_start_ms: clock(),
        ..RunOptions::default()
    };
    let mut emulator = Emulator::builder()
        .options(options)
        .capture_output()
        .build();
    emulator.load(&guest("x86/ntwin.exe"), &[]).expect("load");
    let outcome = emulator
        .run_for(std::time::Duration::from_secs(1))
        .expect("run");
    assert_eq!(
        outcome,
        RunOutcome::TimeReached,
        "the program waits for input"
    );
    emulator.finish_display();
    let out = String::from_utf8_lossy(&emulator.stdout()).into_owned();
    assert!(out.contains("window: 100,80,420,320\n"), "{out}");
    assert!(out.contains("client: 312x213\n"), "{out}");
    assert!(
        out.contains("desktop: 800x600\nwork area: 800x572\nSM_CXSCREEN: 800\nSM_CYSCREEN: 600\n"),
        "{out}"
    );

    let (w, h) = emulator.framebuffer_size();
    assert_eq!((w, h), (800, 600));
    let pixels = emulator.framebuffer();
    let (pw, ph, from_png) = ntemu::display::read_png(&png).expect("screenshot");
    assert_eq!((pw, ph), (w, h));
    assert!(from_png == pixels, "the PNG holds the framebuffer's pixels");

    let at = |x: i32, y: i32| pixels[(y * w as i32 + x) as usize];
    let (l, t, r, b) = WINDOW;
    // The desktop around the window.
    for (x, y) in [
        (0, 0),
        (799, 599),
        (l - 1, t + 50),
        (r, t + 50),
        (l + 50, b),
    ] {
        assert_eq!(at(x, y), TEAL, "desktop at {x},{y}");
    }
    // The sizing frame (SM_CXFRAME 4): a raised edge (3DLIGHT, 3DHILIGHT outside-in on the
    // top and left, 3DDKSHADOW, 3DSHADOW on the bottom and right), then 3DFACE.
    let mid = t + 120;
    assert_eq!(at(l, mid), FACE, "outer left");
    assert_eq!(at(l + 1, mid), WHITE, "inner left");
    assert_eq!(at(l + 2, mid), FACE, "left border");
    assert_eq!(at(l + 3, mid), FACE, "left border");
    assert_eq!(at(r - 1, mid), BLACK, "outer right");
    assert_eq!(at(r - 2, mid), GREY, "inner right");
    assert_eq!(at(l + 100, t), FACE, "outer top");
    assert_eq!(at(l + 100, t + 1), WHITE, "inner top");
    assert_eq!(at(l + 100, b - 1), BLACK, "outer bottom");
    assert_eq!(at(l + 100, b - 2), GREY, "inner bottom");
    // The caption: SM_CYCAPTION 19 below the frame, an active window's dark blue, then a
    // line of 3DFACE; the client area starts under it.
    for y in t + 4..t + 22 {
        assert_eq!(at(l + 150, y), NAVY, "caption at y {y}");
    }
    assert_eq!(at(l + 150, t + 22), FACE, "line under the caption");
    // The close button: 16 x 14, 2 in from the caption's right and top, a raised 3-D
    // button (3DHILIGHT top-left, 3DDKSHADOW bottom-right) of 3DFACE.
    let (cl, ct) = (r - 4 - 2 - 16, t + 4 + 2);
    assert_eq!(at(cl, ct), WHITE, "close button's top-left");
    assert_eq!(at(cl + 15, ct + 13), BLACK, "close button's bottom-right");
    assert_eq!(at(cl + 14, ct + 12), GREY, "close button's inner shadow");
    assert_eq!(at(cl + 2, ct + 2), FACE, "close button's face");
    assert_eq!(at(cl - 1, ct + 5), NAVY, "2 pixels between the buttons");
    assert_eq!(at(cl - 2, ct + 5), NAVY, "2 pixels between the buttons");
    assert_eq!(
        at(cl - 3, ct + 5),
        BLACK,
        "the maximize button's right edge"
    );
    // The close glyph: black pixels in the middle of the button.
    assert!(
        (ct + 3..ct + 11).any(|y| (cl + 4..cl + 12).any(|x| at(x, y) == BLACK)),
        "the close button has its X"
    );
    // The title ("ntemu") in white MS Sans Serif bold, after the system menu box (16 + 2
    // pixels from the caption's left), and nowhere past its end.
    let white_in = |x0: i32, x1: i32| {
        (t + 4..t + 22)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .filter(|&(x, y)| at(x, y) == WHITE)
            .count()
    };
    assert!(white_in(l + 22, l + 60) > 20, "the title is drawn");
    assert_eq!(white_in(l + 80, cl - 40), 0, "nothing of it past its end");
}

/// The log of ntwin's messages after its start-up lines.
fn messages(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .skip_while(|l| !l.starts_with("active:"))
        .skip(1)
        .collect()
}

#[test]
fn scripted_keys_and_clicks_reach_the_window_and_alt_f4_ends_it() {
    let script = ntemu::user32::input::parse_input_script(
        b"aA\\m{click 150,150}\\w{500ms}\\m{rclick 10,10}\\k{A-F4}",
    )
    .expect("script");
    let s = Scratch::new("gui-script");
    let png = s.path().join("end.png");
    let run = run_captured(
        &guest("x86/ntwin.exe"),
        RunOptions {
            display: DisplayChoice::None,
            clock_start_ms: clock(),
            input_script: script,
            screenshot: Some(png.clone()),
            ..RunOptions::default()
        },
    );
    assert_eq!(run.report.outcome, RunOutcome::AllExited, "{}", run.stderr);
    assert_eq!(
        run.report.exit_code, 42,
        "PostQuitMessage(42) in WM_DESTROY"
    );
    // The window is gone from the screen: the desktop was painted where it was.
    let (_, _, pixels) = ntemu::display::read_png(&png).expect("screenshot");
    assert!(
        pixels.iter().all(|&p| p == TEAL),
        "only the desktop is left"
    );
    // NT's lParam: repeat count 1, scan code in bits 16-23, context (Alt) bit 29, previous
    // state bit 30, transition bit 31. TranslateMessage makes WM_CHAR with the key's
    // lParam; Shift is down (GetKeyState 0xFF80, toggled bit 0) while A is typed as 'A'.
    // The click at screen (150,150) is client (46,47) (the client area starts at 104,103);
    // the right click on the desktop goes to no window.
    let expected = [
        "WM_KEYDOWN wp=0x00000041 lp=0x001e0001",
        "  GetKeyState(VK_SHIFT): 0x00000000",
        "WM_CHAR wp=0x00000061 lp=0x001e0001",
        "WM_KEYUP wp=0x00000041 lp=0xc01e0001",
        "WM_KEYDOWN wp=0x00000010 lp=0x002a0001",
        "WM_KEYDOWN wp=0x00000041 lp=0x001e0001",
        "  GetKeyState(VK_SHIFT): 0x0000ff81",
        "WM_CHAR wp=0x00000041 lp=0x001e0001",
        "WM_KEYUP wp=0x00000041 lp=0xc01e0001",
        "WM_KEYUP wp=0x00000010 lp=0xc02a0001",
        "WM_MOUSEMOVE wp=0x00000000 lp=0x002f002e",
        "WM_LBUTTONDOWN wp=0x00000001 lp=0x002f002e",
        "  GetCursorPos: 150,150",
        "  GetAsyncKeyState(VK_LBUTTON): 0x00008000",
        "WM_LBUTTONUP wp=0x00000000 lp=0x002f002e",
        "WM_SYSKEYDOWN wp=0x00000012 lp=0x20380001",
        "WM_SYSKEYDOWN wp=0x00000073 lp=0x203e0001",
        "WM_SYSCOMMAND wp=0x0000f060 lp=0x00000000",
        "WM_CLOSE",
        "WM_DESTROY",
        "exit: 42",
    ];
    assert_eq!(messages(&run.stdout), expected, "{}", run.stdout);
}

#[test]
fn a_click_on_the_close_button_closes_the_window() {
    // The close button is 16 x 14 at (398, 86): DefWindowProc's WM_NCLBUTTONDOWN on
    // HTCLOSE (20) sends WM_SYSCOMMAND SC_CLOSE. The move before the click is non-client
    // too (WM_NCMOUSEMOVE, not logged).
    let script = ntemu::user32::input::parse_input_script(b"\\m{click 406,93}").expect("script");
    let run = run_captured(
        &guest("x86/ntwin.exe"),
        RunOptions {
            display: DisplayChoice::None,
            clock_start_ms: clock(),
            input_script: script,
            ..RunOptions::default()
        },
    );
    assert_eq!(run.report.outcome, RunOutcome::AllExited, "{}", run.stderr);
    assert_eq!(
        messages(&run.stdout),
        [
            "WM_NCLBUTTONDOWN wp=0x00000014 lp=0x005d0196",
            "WM_SYSCOMMAND wp=0x0000f060 lp=0x00000000",
            "WM_CLOSE",
            "WM_DESTROY",
            "exit: 42",
        ],
        "{}",
        run.stdout
    );
}

#[test]
fn a_click_on_an_inactive_window_activates_it_and_brings_it_to_the_top() {
    // "ntwin two" makes a second window at (300, 200) over the first and active; a click
    // in the first window's client area sends it WM_MOUSEACTIVATE (wParam: its top-level
    // window, itself; lParam: HTCLIENT and WM_LBUTTONDOWN), activates it (WM_ACTIVATE to
    // both), brings it to the top and then gives it the click.
    let script = |text: &[u8]| ntemu::user32::input::parse_input_script(text).expect("script");
    let options = RunOptions {
        display: DisplayChoice::None,
        clock_start_ms: clock(),
        input_script: script(b"\\m{click 150,150}"),
        ..RunOptions::default()
    };
    let mut emulator = Emulator::builder()
        .options(options)
        .capture_output()
        .build();
    emulator
        .load(&guest("x86/ntwin.exe"), &["two".to_string()])
        .expect("load");
    let second = std::time::Duration::from_secs(1);
    emulator.run_for(second).expect("run");
    let (w, _) = emulator.framebuffer_size();
    let pixels = emulator.framebuffer();
    let at = |p: &[u32], x: u32, y: u32| p[(y * w + x) as usize];
    assert_eq!(
        at(&pixels, 300, 90),
        NAVY,
        "the first window's caption, active"
    );
    assert_eq!(
        at(&pixels, 419, 250),
        BLACK,
        "its right edge, over the second window"
    );
    let out = String::from_utf8_lossy(&emulator.stdout()).into_owned();
    assert_eq!(
        at(&pixels, 430, 210),
        GREY,
        "the second window's caption, inactive: {out}"
    );

    // The second window's WM_NCHITTEST says HTCAPTION (2) over its client area: the click
    // there is a non-client one, in screen coordinates, and activates it again.
    emulator.queue_input_script(&script(b"\\m{click 450,300}"));
    emulator.run_for(second).expect("run");
    let pixels = emulator.framebuffer();
    assert_eq!(
        at(&pixels, 300, 90),
        GREY,
        "the first window's caption, inactive"
    );
    assert_eq!(
        at(&pixels, 430, 210),
        NAVY,
        "the second window's caption, active"
    );

    let out = String::from_utf8_lossy(&emulator.stdout()).into_owned();
    assert!(out.starts_with("second: 1\n"), "{out}");
    assert_eq!(
        messages(&out),
        [
            "WM_MOUSEMOVE wp=0x00000000 lp=0x002f002e",
            "WM_MOUSEACTIVATE wp=0x00000001 lp=0x02010001",
            "2: WM_ACTIVATE wp=0x00000000 lp=0x00000000",
            "WM_ACTIVATE wp=0x00000001 lp=0x00000000",
            "WM_LBUTTONDOWN wp=0x00000001 lp=0x002f002e",
            "  GetCursorPos: 150,150",
            "  GetAsyncKeyState(VK_LBUTTON): 0x00008000",
            "WM_LBUTTONUP wp=0x00000000 lp=0x002f002e",
            "2: WM_MOUSEACTIVATE wp=0x00000001 lp=0x00a10002",
            "WM_ACTIVATE wp=0x00000000 lp=0x00000000",
            "2: WM_ACTIVATE wp=0x00000001 lp=0x00000000",
            "2: WM_NCLBUTTONDOWN wp=0x00000002 lp=0x012c01c2",
            // HTCAPTION: DefWindowProc starts moving it (the button comes up where it went
            // down, so it stays).
            "2: WM_SYSCOMMAND wp=0x0000f010 lp=0x00000000",
        ],
        "{out}"
    );
}

#[test]
fn the_capture_window_gets_the_mouse_wherever_it_is() {
    // The right button down sets the capture: the move to (10, 10), outside the window, is
    // a client WM_MOUSEMOVE at (-94, -93) with MK_RBUTTON; the button up there too (the
    // "move" to where the mouse already is makes no message); then ReleaseCapture sends
    // WM_CAPTURECHANGED (lParam: no new window).
    let script = ntemu::user32::input::parse_input_script(
        b"\\m{rdown 150,150}\\m{move 10,10}\\m{rup 10,10}\\k{A-F4}",
    )
    .expect("script");
    let run = run_captured(
        &guest("x86/ntwin.exe"),
        RunOptions {
            display: DisplayChoice::None,
            clock_start_ms: clock(),
            input_script: script,
            ..RunOptions::default()
        },
    );
    assert_eq!(run.report.exit_code, 42, "{}", run.stderr);
    let log = messages(&run.stdout);
    assert_eq!(
        log[..10],
        [
            "WM_MOUSEMOVE wp=0x00000000 lp=0x002f002e",
            "WM_RBUTTONDOWN wp=0x00000002 lp=0x002f002e",
            "  SetCapture: 0x00000001",
            "  GetCapture: 0x00000001",
            "WM_MOUSEMOVE wp=0x00000002 lp=0xffa3ffa2",
            "WM_RBUTTONUP wp=0x00000000 lp=0xffa3ffa2",
            "WM_CAPTURECHANGED wp=0x00000000 lp=0x00000000",
            "  ReleaseCapture: 0x00000001",
            "  GetCapture: 0x00000001",
            "WM_SYSKEYDOWN wp=0x00000012 lp=0x20380001",
        ],
        "{}",
        run.stdout
    );
}

#[test]
fn a_click_a_program_posts_itself_is_not_hit_tested() {
    // WM_LBUTTONDOWN posted by the program (to an active window) arrives as posted: no
    // WM_NCHITTEST turns it into a non-client message, no WM_MOUSEACTIVATE comes first.
    let mut emulator = Emulator::builder()
        .options(RunOptions {
            display: DisplayChoice::None,
            clock_start_ms: clock(),
            ..RunOptions::default()
        })
        .capture_output()
        .build();
    emulator
        .load(&guest("x86/ntwin.exe"), &["post".to_string()])
        .expect("load");
    emulator
        .run_for(std::time::Duration::from_millis(200))
        .expect("run");
    let out = String::from_utf8_lossy(&emulator.stdout()).into_owned();
    assert_eq!(
        messages(&out)[..2],
        [
            "WM_LBUTTONDOWN wp=0x00000001 lp=0x00060005",
            "  GetCursorPos: 0,0"
        ],
        "{out}"
    );
}

#[test]
fn dragging_the_caption_moves_the_window() {
    // The left button down on the caption (HTCAPTION): DefWindowProc's WM_NCLBUTTONDOWN
    // sends WM_SYSCOMMAND SC_MOVE + HTCAPTION, whose loop moves the whole window with the
    // mouse until the button comes up: 50 right and 50 down, to (150, 130).
    let script = ntemu::user32::input::parse_input_script(
        b"\\m{down 200,90}\\m{move 230,110}\\m{move 250,140}\\m{up 250,140}",
    )
    .expect("script");
    let mut emulator = Emulator::builder()
        .options(RunOptions {
            display: DisplayChoice::None,
            clock_start_ms: clock(),
            input_script: script,
            ..RunOptions::default()
        })
        .capture_output()
        .build();
    emulator.load(&guest("x86/ntwin.exe"), &[]).expect("load");
    emulator
        .run_for(std::time::Duration::from_secs(1))
        .expect("run");
    let out = String::from_utf8_lossy(&emulator.stdout()).into_owned();
    assert_eq!(
        messages(&out),
        [
            "WM_NCLBUTTONDOWN wp=0x00000002 lp=0x005a00c8",
            "WM_SYSCOMMAND wp=0x0000f010 lp=0x00000000",
        ],
        "{out}"
    );
    let (w, _) = emulator.framebuffer_size();
    let pixels = emulator.framebuffer();
    let at = |x: u32, y: u32| pixels[(y * w + x) as usize];
    assert_eq!(at(300, 140), NAVY, "the caption where the window went");
    assert_eq!(at(150, 200), FACE, "the frame's outer left edge");
    assert_eq!(at(151, 200), WHITE, "the frame's inner left edge");
    assert_eq!(at(120, 90), TEAL, "the desktop where the caption was");
    assert_eq!(at(101, 200), TEAL, "the desktop where the left edge was");
}

#[test]
fn dragging_the_bottom_right_corner_sizes_the_window() {
    // HTBOTTOMRIGHT (17): SC_SIZE + WMSZ_BOTTOMRIGHT (8); the window grows by (60, 40),
    // and can not shrink below SM_CXMINTRACK x SM_CYMINTRACK (112 x 27).
    let script = ntemu::user32::input::parse_input_script(
        b"\\m{down 418,318}\\m{up 478,358}\\m{down 478,358}\\m{up 0,0}",
    )
    .expect("script");
    let mut emulator = Emulator::builder()
        .options(RunOptions {
            display: DisplayChoice::None,
            clock_start_ms: clock(),
            input_script: script,
            ..RunOptions::default()
        })
        .capture_output()
        .build();
    emulator.load(&guest("x86/ntwin.exe"), &[]).expect("load");
    let second = std::time::Duration::from_secs(1);
    emulator.run_for(second).expect("run");
    let out = String::from_utf8_lossy(&emulator.stdout()).into_owned();
    assert_eq!(
        messages(&out),
        [
            "WM_NCLBUTTONDOWN wp=0x00000011 lp=0x013e01a2",
            "WM_SYSCOMMAND wp=0x0000f000 lp=0x00000000",
            "WM_NCLBUTTONDOWN wp=0x00000011 lp=0x016601de",
            "WM_SYSCOMMAND wp=0x0000f000 lp=0x00000000",
        ],
        "{out}"
    );
    let (w, _) = emulator.framebuffer_size();
    let pixels = emulator.framebuffer();
    let at = |x: u32, y: u32| pixels[(y * w + x) as usize];
    // The smallest window: 112 x 27 at (100, 80): its bottom edge at y 106.
    assert_eq!(
        at(150, 106),
        BLACK,
        "the outer bottom edge of the smallest window"
    );
    assert_eq!(
        at(211, 90),
        BLACK,
        "the outer right edge of the smallest window"
    );
    assert_eq!(at(300, 200), TEAL, "the desktop where the window was");
}

#[test]
fn a_wait_in_the_script_is_guest_time() {
    // The click comes 2 s of guest time after the key: the program sees the clock move.
    let script = ntemu::user32::input::parse_input_script(b"a\\w{2s}\\k{A-F4}").expect("script");
    let options = RunOptions {
        display: DisplayChoice::None,
        clock_start_ms: clock(),
        input_script: script,
        ..RunOptions::default()
    };
    let mut emulator = Emulator::builder()
        .options(options)
        .capture_output()
        .build();
    emulator.load(&guest("x86/ntwin.exe"), &[]).expect("load");
    let start = emulator.clock_ms();
    assert_eq!(emulator.run().expect("run"), RunOutcome::AllExited);
    let elapsed = emulator.clock_ms() - start;
    assert!(
        (2000..2100).contains(&elapsed),
        "the run took {elapsed} ms of guest time"
    );
}

#[test]
fn the_desktop_size_is_the_machines() {
    let s = Scratch::new("gui-desktop");
    let run = run_captured(
        &guest("x86/ntwin.exe"),
        RunOptions {
            display: DisplayChoice::None,
            desktop: Some((1024, 768)),
            clock_start_ms: clock(),
            screenshot: Some(s.path().join("big.png")),
            run_for: Some(std::time::Duration::from_millis(100)),
            ..RunOptions::default()
        },
    );
    assert!(
        run.stdout.contains(
            "desktop: 1024x768\nwork area: 1024x740\nSM_CXSCREEN: 1024\nSM_CYSCREEN: 768\n"
        ),
        "{}",
        run.stdout
    );
    let (w, h, _) = ntemu::display::read_png(&s.path().join("big.png")).expect("png");
    assert_eq!((w, h), (1024, 768));
    assert!(ntemu::parse_desktop("800x600").is_ok());
    assert!(ntemu::parse_desktop("8x6").is_err());
    assert!(ntemu::parse_desktop("wide").is_err());
}

#[test]
fn screenshots_every_period_are_named_by_guest_time() {
    let s = Scratch::new("gui-every");
    let run = run_captured(
        &guest("x86/ntwin.exe"),
        RunOptions {
            display: DisplayChoice::None,
            clock_start_ms: clock(),
            screenshot_every: Some((
                std::time::Duration::from_millis(500),
                s.path().to_path_buf(),
            )),
            run_for: Some(std::time::Duration::from_millis(1200)),
            ..RunOptions::default()
        },
    );
    assert_eq!(run.report.outcome, RunOutcome::TimeReached);
    let mut names: Vec<String> = std::fs::read_dir(s.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["000000.png", "000500.png", "001000.png"]);
}

/// tests/guests/src/xprocmsg.c: a window's messages sent from another process of the
/// machine. The child finds the parent's window, its SendMessage runs the parent's window
/// procedure on the parent's thread (InSendMessage there) and returns its answer, its
/// WM_SETTEXT and WM_GETTEXT texts are copied between the two address spaces, and its
/// posted message ends the parent's loop; identical to Wine's recorded output.
#[test]
fn messages_reach_a_window_of_another_process() {
    let run = run_captured(&guest("x86/xprocmsg.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        common::expected("expected/xprocmsg.wine"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}
