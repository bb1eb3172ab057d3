//! The host-window display under Xvfb: `ntemu --display window` shows the desktop in an X
//! window the size of the screen, and a grab of the X display (`xwd -root`) has the same
//! pixels as the headless framebuffer of the same program (`--screenshot`); the X
//! keyboard (`xdotool key alt+F4`) reaches the program as NT's Alt+F4 and ends it.
//! The same for the corpus's sokoban, x86 and Alpha builds.
//! Skipped, with a message, where Xvfb, xwd or xdotool is absent (.ci/run installs them).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Scratch, guests, text};

/// A program on the PATH.
fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
}

/// Kills and reaps a child when dropped.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An XWD file's image as (width, height, pixels 0x00RRGGBB): a 24- or 32-bit ZPixmap
/// with 8-bit red, green and blue masks.
fn parse_xwd(b: &[u8]) -> Option<(u32, u32, Vec<u32>)> {
    let word = |i: usize| -> Option<u32> {
        Some(u32::from_be_bytes(
            b.get(4 * i..4 * i + 4)?.try_into().ok()?,
        ))
    };
    let header_size = word(0)? as usize;
    let (format, width, height) = (word(2)?, word(4)?, word(5)?);
    let (byte_order, bits_per_pixel, bytes_per_line) = (word(7)?, word(11)?, word(12)?);
    let (red, green, blue) = (word(14)?, word(15)?, word(16)?);
    let ncolors = word(19)? as usize;
    if format != 2 || bits_per_pixel != 32 || (red, green, blue) != (0xFF0000, 0xFF00, 0xFF) {
        return None;
    }
    let data = b.get(header_size + 12 * ncolors..)?;
    let mut pixels = Vec::with_capacity((width * height) as usize);
    for y in 0..height as usize {
        for x in 0..width as usize {
            let at = y * bytes_per_line as usize + 4 * x;
            let p: [u8; 4] = data.get(at..at + 4)?.try_into().ok()?;
            let v = if byte_order == 0 {
                u32::from_le_bytes(p)
            } else {
                u32::from_be_bytes(p)
            };
            pixels.push(v & 0xFF_FFFF);
        }
    }
    Some((width, height, pixels))
}

/// Xvfb, xwd and xdotool, or None after a message saying the test is skipped.
fn x_tools() -> Option<(PathBuf, PathBuf, PathBuf)> {
    let (Some(xvfb), Some(xwd), Some(xdotool)) = (which("Xvfb"), which("xwd"), which("xdotool"))
    else {
        eprintln!(
            "skipped: Xvfb, xwd or xdotool is not installed (apt-get install xvfb x11-apps xdotool)"
        );
        return None;
    };
    Some((xvfb, xwd, xdotool))
}

/// An X server of the 800 x 600 screen's size on a display number of its own (`offset`
/// keeps two tests of one process apart); killed when dropped.
struct XServer {
    display: String,
    _server: Reaped,
}

impl XServer {
    fn start(xvfb: &Path, offset: u32) -> XServer {
        let number = 60 + (std::process::id() % 200) * 4 + offset;
        let display = format!(":{number}");
        let server = Command::new(xvfb)
            .args([&display, "-screen", "0", "800x600x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts");
        let server = Reaped(server);
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{number}"));
        let start = Instant::now();
        while !socket.exists() && start.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(socket.exists(), "Xvfb did not start on {display}");
        XServer {
            display,
            _server: server,
        }
    }
}

/// Grabs the X display until it shows `expected` (the headless framebuffer, `w` x `h`);
/// panics with the number of differing pixels if it never does within a minute, or if
/// `window` (the ntemu run) ends first.
fn wait_for_pixels(
    xwd: &Path,
    display: &str,
    window: &mut Reaped,
    (w, h, expected): (u32, u32, &[u32]),
) {
    let mut last = None;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(300));
        if let Ok(Some(status)) = window.0.try_wait() {
            panic!("ntemu ended early: {status}");
        }
        let grab = Command::new(xwd)
            .args(["-root", "-silent", "-display", display])
            .output()
            .expect("xwd runs");
        let Some((gw, gh, pixels)) = parse_xwd(&grab.stdout) else {
            continue;
        };
        if (gw, gh) == (w, h) && pixels == expected {
            return;
        }
        last = Some(pixels);
    }
    let differ = last.map_or(0, |last| {
        last.iter().zip(expected).filter(|(a, b)| a != b).count()
    });
    panic!("the X display never showed the headless framebuffer ({differ} pixels differ)");
}

/// Types `keys` (xdotool's names) into the window named `name` after giving it the
/// keyboard focus (there is no window manager under Xvfb to do it).
fn type_into(xdotool: &Path, display: &str, name: &str, keys: &str) {
    let focused = Command::new(xdotool)
        .args(["search", "--name", name, "windowfocus", "--sync"])
        .env("DISPLAY", display)
        .status()
        .expect("xdotool runs");
    assert!(focused.success());
    let typed = Command::new(xdotool)
        .args(["key", keys])
        .env("DISPLAY", display)
        .status()
        .expect("xdotool runs");
    assert!(typed.success());
}

/// Waits (a minute at most) for the ntemu run to end, with its exit status.
fn wait_for_end(window: &mut Reaped, what: &str) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = window.0.try_wait() {
            return status;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_host_window_under_xvfb_shows_the_headless_framebuffer() {
    let Some((xvfb, xwd, xdotool)) = x_tools() else {
        return;
    };
    let s = Scratch::new("xvfb");
    let program = guests().join("x86/ntwin.exe");
    let program = program.to_str().expect("path");
    let clock = "2000-01-01T00:00:00";

    // The headless framebuffer.
    let reference = s.0.join("headless.png");
    let o = common::ntemu(&[
        "--display",
        "none",
        "--clock",
        clock,
        "--run-for",
        "1",
        "--screenshot",
        reference.to_str().expect("path"),
        program,
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let (w, h, expected) = ntemu::display::read_png(&reference).expect("headless screenshot");
    assert_eq!((w, h), (800, 600));

    let x = XServer::start(&xvfb, 0);
    let display = x.display.as_str();
    let window = Command::new(env!("CARGO_BIN_EXE_ntemu"))
        .args(["--display", "window", "--clock", clock, program])
        .env("DISPLAY", display)
        .env_remove("WAYLAND_DISPLAY")
        .env("HOME", &s.0)
        .env("XDG_DATA_HOME", s.0.join("data"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("ntemu starts");
    let mut window = Reaped(window);

    // The window shows the machine's frames as they come: grab the display until it shows
    // the same pixels (or the program ends, or a minute passes).
    wait_for_pixels(&xwd, display, &mut window, (w, h, &expected));

    // Alt+F4 on the X keyboard: WM_SYSKEYDOWN VK_MENU, VK_F4, DefWindowProc's SC_CLOSE,
    // WM_CLOSE, DestroyWindow; the program's exit code is 42.
    type_into(&xdotool, display, "ntwin", "alt+F4");
    let status = wait_for_end(&mut window, "Alt+F4 did not end the program");
    let mut out = String::new();
    if let Some(mut stdout) = window.0.stdout.take() {
        let _ = std::io::Read::read_to_string(&mut stdout, &mut out);
    }
    assert_eq!(status.code(), Some(42), "{out}");
    assert!(
        out.contains("WM_SYSKEYDOWN wp=0x00000073 lp=0x203e0001\n"),
        "{out}"
    );
}

/// Sokoban of ../shared/corpus/ntgames (skipped with a message when the corpus is absent),
/// x86 and Alpha builds: the X display shows the same pixels as the headless framebuffer
/// after the same start (its level is still, so the screen settles), and Alt+F4 on the
/// X keyboard ends it.
#[test]
fn sokoban_under_xvfb_shows_the_headless_framebuffer_on_both_cpus() {
    let Some((xvfb, xwd, xdotool)) = x_tools() else {
        return;
    };
    let Some(exe) = pe_image::corpus::file("ntgames/sokoban/sokoban-x86.exe") else {
        return;
    };
    let s = Scratch::new("xvfb-sokoban");
    let dir = s.0.join("sokoban");
    copy_dir(exe.parent().expect("folder"), &dir);
    let clock = "2000-01-01T00:00:00";
    let x = XServer::start(&xvfb, 1);
    let display = x.display.as_str();
    for cpu in ["x86", "axp"] {
        let program = dir.join(format!("sokoban-{cpu}.exe"));
        let run = |display: &[&str]| {
            let mut c = Command::new(env!("CARGO_BIN_EXE_ntemu"));
            c.args(["run", "--root"])
                .arg(&dir)
                .args(["--clock", clock, "--env", "TZ=GMT0"])
                .args(display)
                .current_dir(&dir)
                .env_remove("WAYLAND_DISPLAY")
                .env("HOME", s.0.join("home"))
                .env("XDG_DATA_HOME", s.0.join("data"));
            c
        };
        let reference = s.0.join(format!("{cpu}.png"));
        let o = run(&["--display", "none", "--run-for", "2", "--screenshot"])
            .arg(&reference)
            .arg(&program)
            .output()
            .expect("ntemu runs");
        assert!(o.status.success(), "{}", text(&o.stderr));
        let (w, h, expected) = ntemu::display::read_png(&reference).expect("headless screenshot");

        let window = run(&["--display", "window"])
            .arg(&program)
            .env("DISPLAY", display)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ntemu starts");
        let mut window = Reaped(window);
        wait_for_pixels(&xwd, display, &mut window, (w, h, &expected));
        type_into(&xdotool, display, "sokoban", "alt+F4");
        let status = wait_for_end(&mut window, "Alt+F4 did not end sokoban");
        assert!(status.success(), "sokoban-{cpu}: {status}");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}
