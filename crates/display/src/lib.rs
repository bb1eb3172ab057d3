//! Where ntemu's desktop is shown.
//!
//! The window manager (crates/win32k) draws the desktop into one framebuffer per machine; it
//! knows the place the framebuffer is shown only through the [`Display`] trait, which it
//! calls between quanta: [`Display::present`] with the screen when it changed,
//! [`Display::take_input`] for what the host's user did. Backends:
//!
//! - [`Headless`]: nothing is shown; PNG screenshots are written every so much guest time
//!   (`--screenshot-every SECONDS DIR`), and at the end of the run (`--screenshot FILE.png`).
//! - [`window::WindowDisplay`] (feature `window`): a host window (winit + softbuffer, X11 or
//!   Wayland) showing the desktop pixel for pixel and turning the host's keyboard and mouse
//!   into NT input. Its event loop runs on a thread of its own, so the machine's scheduler
//!   never waits on the window.
//!
//! A pixel is a `u32` 0x00RRGGBB, the layout of the window manager's surfaces and of host
//! framebuffers.

use std::path::{Path, PathBuf};
use std::time::Duration;

#[cfg(feature = "window")]
pub mod window;

/// What a host window shows before the machine's first frame: NT 4.0's teal desktop.
pub const DESKTOP_FILL: u32 = 0x0000_8080;

/// A screen's pixels, row by row from the top, each 0x00RRGGBB.
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `width * height` pixels.
    pub pixels: &'a [u32],
}

/// A mouse button.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Button {
    /// The left button.
    Left,
    /// The right button.
    Right,
    /// The middle button.
    Middle,
}

/// What the host's user did, in NT's terms.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Input {
    /// A key went down or up.
    Key {
        /// The virtual-key code (VK_*), as NT's US keyboard layout gives it.
        vk: u8,
        /// The scan code (set 1).
        scan: u8,
        /// An extended key (E0 prefix: the grey keys, right Ctrl and Alt).
        extended: bool,
        /// Down (true) or up.
        down: bool,
    },
    /// The mouse moved to (x, y) on the screen.
    MouseMove {
        /// x.
        x: i32,
        /// y.
        y: i32,
    },
    /// A mouse button went down or up at (x, y) on the screen.
    MouseButton {
        /// Which button.
        button: Button,
        /// Down (true) or up.
        down: bool,
        /// x.
        x: i32,
        /// y.
        y: i32,
    },
    /// The host window was closed: the user wants out.
    Close,
}

/// A place the desktop is shown.
pub trait Display: Send {
    /// Shows `frame` (the screen changed). `guest_ms` is the machine's clock.
    fn present(&mut self, frame: Frame<'_>, guest_ms: u64);

    /// Called between quanta with the machine's clock, whether or not the screen changed:
    /// a backend taking screenshots on a schedule takes them here. By default nothing.
    fn tick(&mut self, frame: Frame<'_>, guest_ms: u64) {
        let _ = (frame, guest_ms);
    }

    /// The machine-clock time (ms) at which the display wants [`tick`](Self::tick) called
    /// next (a scheduled screenshot), if any: the machine's clock stops there even when
    /// every guest thread waits. By default none.
    fn next_tick(&self) -> Option<u64> {
        None
    }

    /// The input that arrived since the last call, oldest first.
    fn take_input(&mut self) -> Vec<Input> {
        Vec::new()
    }

    /// Whether a user may give input: when every guest thread waits for a message, the
    /// machine waits on [`wait_input`](Self::wait_input) instead of ending the run.
    fn interactive(&self) -> bool {
        false
    }

    /// Waits for input for at most `timeout` (None: without limit); true when some came.
    fn wait_input(&mut self, timeout: Option<Duration>) -> bool {
        let _ = timeout;
        false
    }

    /// The run ended with the screen `frame`. By default nothing.
    fn finish(&mut self, frame: Frame<'_>, guest_ms: u64) {
        let _ = (frame, guest_ms);
    }

    /// What went wrong since the last call (a screenshot that could not be written), one
    /// message each. By default nothing.
    fn take_errors(&mut self) -> Vec<String> {
        Vec::new()
    }
}

/// Writes `frame` to `path` as an 8-bit RGB PNG.
pub fn write_png(path: &Path, frame: Frame<'_>) -> std::io::Result<()> {
    let file = std::fs::File::create(path)?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), frame.width, frame.height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
    let mut data = Vec::with_capacity(frame.pixels.len() * 3);
    for p in frame.pixels {
        data.extend_from_slice(&[(p >> 16) as u8, (p >> 8) as u8, *p as u8]);
    }
    writer
        .write_image_data(&data)
        .map_err(std::io::Error::other)?;
    writer.finish().map_err(std::io::Error::other)
}

/// Reads an 8-bit RGB or RGBA PNG: (width, height, pixels 0x00RRGGBB).
pub fn read_png(path: &Path) -> std::io::Result<(u32, u32, Vec<u32>)> {
    let file = std::fs::File::open(path)?;
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let mut reader = decoder.read_info().map_err(std::io::Error::other)?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| std::io::Error::other("PNG too large"))?;
    let mut buf = vec![0; size];
    let info = reader.next_frame(&mut buf).map_err(std::io::Error::other)?;
    let step = match (info.color_type, info.bit_depth) {
        (png::ColorType::Rgb, png::BitDepth::Eight) => 3,
        (png::ColorType::Rgba, png::BitDepth::Eight) => 4,
        other => {
            return Err(std::io::Error::other(format!(
                "not an 8-bit RGB PNG: {other:?}"
            )));
        }
    };
    let pixels = buf[..info.buffer_size()]
        .chunks_exact(step)
        .map(|c| (u32::from(c[0]) << 16) | (u32::from(c[1]) << 8) | u32::from(c[2]))
        .collect();
    Ok((info.width, info.height, pixels))
}

/// The headless display: nothing is shown; screenshots are written as PNG files.
#[derive(Debug, Default)]
pub struct Headless {
    /// Written when the run ends (`--screenshot FILE.png`).
    pub at_exit: Option<PathBuf>,
    /// Every so much guest time, into this folder (`--screenshot-every SECONDS DIR`): the
    /// files are `NNNNNN.png`, the guest time in milliseconds, zero-padded.
    pub every: Option<(Duration, PathBuf)>,
    next_ms: u64,
    /// What went wrong writing a screenshot (reported once, by whoever owns the display).
    pub errors: Vec<String>,
}

impl Headless {
    /// A headless display writing `at_exit` at the end and, with `every`, a screenshot
    /// every period of guest time into the folder.
    pub fn new(at_exit: Option<PathBuf>, every: Option<(Duration, PathBuf)>) -> Headless {
        Headless {
            at_exit,
            every,
            next_ms: 0,
            errors: Vec::new(),
        }
    }

    fn shot(&mut self, path: &Path, frame: Frame<'_>) {
        if let Err(e) = write_png(path, frame) {
            self.errors.push(format!("{}: {e}", path.display()));
        }
    }
}

impl Display for Headless {
    fn present(&mut self, frame: Frame<'_>, guest_ms: u64) {
        self.tick(frame, guest_ms);
    }

    fn next_tick(&self) -> Option<u64> {
        self.every.as_ref().map(|_| self.next_ms)
    }

    fn tick(&mut self, frame: Frame<'_>, guest_ms: u64) {
        let Some((period, dir)) = self.every.clone() else {
            return;
        };
        let period = (period.as_millis() as u64).max(1);
        if guest_ms < self.next_ms {
            return;
        }
        // The shot is named by the scheduled time it stands for.
        let due = guest_ms - guest_ms % period;
        let path = dir.join(format!("{due:06}.png"));
        self.shot(&path, frame);
        self.next_ms = due + period;
    }

    fn finish(&mut self, frame: Frame<'_>, guest_ms: u64) {
        self.tick(frame, guest_ms);
        if let Some(path) = self.at_exit.clone() {
            self.shot(&path, frame);
        }
    }

    fn take_errors(&mut self) -> Vec<String> {
        std::mem::take(&mut self.errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_png_reads_back_as_the_pixels_written() {
        let dir = std::env::temp_dir().join(format!("ntemu-display-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.png");
        let pixels = [0x008080, 0xFFFFFF, 0x000080, 0x123456, 0, 0xC0C0C0];
        write_png(
            &path,
            Frame {
                width: 3,
                height: 2,
                pixels: &pixels,
            },
        )
        .unwrap();
        let (w, h, back) = read_png(&path).unwrap();
        assert_eq!((w, h), (3, 2));
        assert_eq!(back, pixels);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn screenshots_come_every_period_of_guest_time() {
        let dir = std::env::temp_dir().join(format!("ntemu-display-e-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut h = Headless::new(None, Some((Duration::from_millis(500), dir.clone())));
        let pixels = [1u32; 4];
        let f = Frame {
            width: 2,
            height: 2,
            pixels: &pixels,
        };
        for ms in [0, 10, 499, 500, 1200, 1300] {
            h.tick(f, ms);
        }
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["000000.png", "000500.png", "001000.png"]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
