//! The host-window backend: a winit window (X11 or Wayland) the size of the desktop, drawn
//! with softbuffer, whose keyboard and mouse become NT input.
//!
//! The event loop runs on a thread of its own (winit allows that on X11 and Wayland), so
//! the machine's scheduler, on the caller's thread, only copies a frame into shared memory
//! and wakes the loop: it never waits on the window. Input goes the other way through a
//! queue; the loop calls the waker (the machine's doorbell) for each event, so a machine
//! asleep in GetMessage wakes at once.

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use winit::application::ApplicationHandler;
use winit::dpi::{PhysicalPosition, PhysicalSize};
use winit::event::{ElementState, MouseButton, WindowEvent};
use winit::event_loop::{ActiveEventLoop, EventLoop, EventLoopProxy};
use winit::keyboard::{KeyCode, PhysicalKey};
use winit::window::{Window, WindowId};

use crate::{Button, Display, Frame, Headless, Input};

/// Wakes the machine (rings its doorbell).
pub type Waker = Box<dyn Fn() + Send + Sync>;

struct Shared {
    frame: Mutex<(u32, u32, Vec<u32>)>,
    input: Mutex<VecDeque<Input>>,
    arrived: Condvar,
    waker: Waker,
}

impl Shared {
    fn push(&self, input: Input) {
        if let Ok(mut q) = self.input.lock() {
            q.push_back(input);
        }
        self.arrived.notify_all();
        (self.waker)();
    }
}

/// The host-window display.
pub struct WindowDisplay {
    shared: Arc<Shared>,
    proxy: EventLoopProxy<()>,
    /// Screenshots taken as the headless display takes them (`--screenshot`,
    /// `--screenshot-every`).
    pub screenshots: Headless,
}

impl std::fmt::Debug for WindowDisplay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WindowDisplay").finish_non_exhaustive()
    }
}

impl WindowDisplay {
    /// Opens a window of `width` x `height` pixels titled `title` on the host's display
    /// (DISPLAY or WAYLAND_DISPLAY); `waker` is called from the window's thread whenever
    /// input arrives. Err when no host display can be opened.
    pub fn open(width: u32, height: u32, title: &str, waker: Waker) -> Result<Self, String> {
        let shared = Arc::new(Shared {
            frame: Mutex::new((
                width,
                height,
                vec![crate::DESKTOP_FILL; (width * height) as usize],
            )),
            input: Mutex::new(VecDeque::new()),
            arrived: Condvar::new(),
            waker,
        });
        let (tx, rx) = std::sync::mpsc::channel();
        let thread_shared = Arc::clone(&shared);
        let title = title.to_string();
        std::thread::Builder::new()
            .name("ntemu-window".into())
            .spawn(move || {
                let mut builder = EventLoop::<()>::with_user_event();
                winit::platform::x11::EventLoopBuilderExtX11::with_any_thread(&mut builder, true);
                winit::platform::wayland::EventLoopBuilderExtWayland::with_any_thread(
                    &mut builder,
                    true,
                );
                let event_loop = match builder.build() {
                    Ok(l) => l,
                    Err(e) => {
                        let _ = tx.send(Err(format!("cannot open a host window: {e}")));
                        return;
                    }
                };
                let _ = tx.send(Ok(event_loop.create_proxy()));
                let mut app = App {
                    shared: thread_shared,
                    title,
                    size: (width, height),
                    window: None,
                    focused: false,
                };
                let _ = event_loop.run_app(&mut app);
            })
            .map_err(|e| format!("cannot start the window's thread: {e}"))?;
        let proxy = rx
            .recv()
            .map_err(|_| "the window's thread ended".to_string())??;
        Ok(WindowDisplay {
            shared,
            proxy,
            screenshots: Headless::default(),
        })
    }
}

impl Display for WindowDisplay {
    fn present(&mut self, frame: Frame<'_>, guest_ms: u64) {
        if let Ok(mut f) = self.shared.frame.lock() {
            f.0 = frame.width;
            f.1 = frame.height;
            f.2.clear();
            f.2.extend_from_slice(frame.pixels);
        }
        let _ = self.proxy.send_event(());
        self.screenshots.tick(frame, guest_ms);
    }

    fn tick(&mut self, frame: Frame<'_>, guest_ms: u64) {
        self.screenshots.tick(frame, guest_ms);
    }

    fn next_tick(&self) -> Option<u64> {
        self.screenshots.next_tick()
    }

    fn take_input(&mut self) -> Vec<Input> {
        self.shared
            .input
            .lock()
            .map(|mut q| q.drain(..).collect())
            .unwrap_or_default()
    }

    fn interactive(&self) -> bool {
        true
    }

    fn wait_input(&mut self, timeout: Option<Duration>) -> bool {
        let Ok(q) = self.shared.input.lock() else {
            return false;
        };
        // Waits in slices, so a very long timeout needs no special case.
        let limit = timeout.unwrap_or(Duration::MAX);
        let slice = limit.min(Duration::from_millis(250));
        let (q, _) = self
            .shared
            .arrived
            .wait_timeout_while(q, slice, |q| q.is_empty())
            .unwrap_or_else(|e| e.into_inner());
        !q.is_empty()
    }

    fn finish(&mut self, frame: Frame<'_>, guest_ms: u64) {
        self.screenshots.finish(frame, guest_ms);
    }

    fn take_errors(&mut self) -> Vec<String> {
        self.screenshots.take_errors()
    }
}

/// The host window and the softbuffer surface drawn into it.
type Shown = (Rc<Window>, softbuffer::Surface<Rc<Window>, Rc<Window>>);

struct App {
    shared: Arc<Shared>,
    title: String,
    size: (u32, u32),
    window: Option<Shown>,
    /// The window asked for the keyboard focus (once it is on the screen).
    focused: bool,
}

impl App {
    fn draw(&mut self) {
        let Some((_, surface)) = self.window.as_mut() else {
            return;
        };
        let Ok(frame) = self.shared.frame.lock() else {
            return;
        };
        let (Some(w), Some(h)) = (NonZeroU32::new(frame.0), NonZeroU32::new(frame.1)) else {
            return;
        };
        if surface.resize(w, h).is_err() {
            return;
        }
        if let Ok(mut buffer) = surface.buffer_mut() {
            let n = buffer.len().min(frame.2.len());
            buffer[..n].copy_from_slice(&frame.2[..n]);
            let _ = buffer.present();
        }
    }
}

impl ApplicationHandler<()> for App {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.window.is_some() {
            return;
        }
        let attributes = Window::default_attributes()
            .with_title(self.title.clone())
            .with_inner_size(PhysicalSize::new(self.size.0, self.size.1))
            .with_position(PhysicalPosition::new(0, 0))
            .with_resizable(false);
        let Ok(window) = event_loop.create_window(attributes) else {
            self.shared.push(Input::Close);
            event_loop.exit();
            return;
        };
        let window = Rc::new(window);
        let Ok(context) = softbuffer::Context::new(Rc::clone(&window)) else {
            event_loop.exit();
            return;
        };
        let Ok(surface) = softbuffer::Surface::new(&context, Rc::clone(&window)) else {
            event_loop.exit();
            return;
        };
        self.window = Some((window, surface));
        self.draw();
    }

    fn user_event(&mut self, _event_loop: &ActiveEventLoop, _event: ()) {
        if let Some((w, _)) = &self.window {
            w.request_redraw();
        }
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _id: WindowId, event: WindowEvent) {
        match event {
            WindowEvent::RedrawRequested => {
                if !self.focused
                    && let Some((w, _)) = &self.window
                {
                    // The keyboard comes to the window (with no window manager, as under
                    // Xvfb, nobody else would give it).
                    w.focus_window();
                    self.focused = true;
                }
                self.draw();
            }
            WindowEvent::CloseRequested => {
                self.shared.push(Input::Close);
            }
            WindowEvent::Destroyed => event_loop.exit(),
            WindowEvent::KeyboardInput { event, .. } => {
                if let PhysicalKey::Code(code) = event.physical_key
                    && let Some((vk, scan, extended)) = nt_key(code)
                {
                    self.shared.push(Input::Key {
                        vk,
                        scan,
                        extended,
                        down: event.state == ElementState::Pressed,
                    });
                }
            }
            WindowEvent::CursorMoved { position, .. } => {
                let (x, y) = (position.x as i32, position.y as i32);
                self.shared.push(Input::MouseMove { x, y });
            }
            WindowEvent::MouseInput { state, button, .. } => {
                let button = match button {
                    MouseButton::Left => Button::Left,
                    MouseButton::Right => Button::Right,
                    MouseButton::Middle => Button::Middle,
                    _ => return,
                };
                // Where the cursor last was: NT's button messages carry the position.
                let (x, y) = self
                    .shared
                    .input
                    .lock()
                    .ok()
                    .and_then(|q| {
                        q.iter().rev().find_map(|i| match *i {
                            Input::MouseMove { x, y } | Input::MouseButton { x, y, .. } => {
                                Some((x, y))
                            }
                            _ => None,
                        })
                    })
                    .unwrap_or((i32::MIN, i32::MIN));
                self.shared.push(Input::MouseButton {
                    button,
                    down: state == ElementState::Pressed,
                    x,
                    y,
                });
            }
            _ => {}
        }
    }
}

/// NT's virtual-key code, scan code (set 1) and extended bit of a host key, as NT's US
/// layout (KBDUS) gives them; None for a key NT's 101-key keyboard does not have.
pub fn nt_key(code: KeyCode) -> Option<(u8, u8, bool)> {
    use KeyCode::*;
    let letters = b"QWERTYUIOPASDFGHJKLZXCVBNM";
    let letter_scans = [
        0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1E, 0x1F, 0x20, 0x21, 0x22,
        0x23, 0x24, 0x25, 0x26, 0x2C, 0x2D, 0x2E, 0x2F, 0x30, 0x31, 0x32,
    ];
    let letter = |c: u8| {
        let i = letters.iter().position(|&l| l == c)?;
        Some((c, letter_scans[i], false))
    };
    Some(match code {
        KeyA => letter(b'A')?,
        KeyB => letter(b'B')?,
        KeyC => letter(b'C')?,
        KeyD => letter(b'D')?,
        KeyE => letter(b'E')?,
        KeyF => letter(b'F')?,
        KeyG => letter(b'G')?,
        KeyH => letter(b'H')?,
        KeyI => letter(b'I')?,
        KeyJ => letter(b'J')?,
        KeyK => letter(b'K')?,
        KeyL => letter(b'L')?,
        KeyM => letter(b'M')?,
        KeyN => letter(b'N')?,
        KeyO => letter(b'O')?,
        KeyP => letter(b'P')?,
        KeyQ => letter(b'Q')?,
        KeyR => letter(b'R')?,
        KeyS => letter(b'S')?,
        KeyT => letter(b'T')?,
        KeyU => letter(b'U')?,
        KeyV => letter(b'V')?,
        KeyW => letter(b'W')?,
        KeyX => letter(b'X')?,
        KeyY => letter(b'Y')?,
        KeyZ => letter(b'Z')?,
        Digit1 => (b'1', 0x02, false),
        Digit2 => (b'2', 0x03, false),
        Digit3 => (b'3', 0x04, false),
        Digit4 => (b'4', 0x05, false),
        Digit5 => (b'5', 0x06, false),
        Digit6 => (b'6', 0x07, false),
        Digit7 => (b'7', 0x08, false),
        Digit8 => (b'8', 0x09, false),
        Digit9 => (b'9', 0x0A, false),
        Digit0 => (b'0', 0x0B, false),
        Minus => (0xBD, 0x0C, false),
        Equal => (0xBB, 0x0D, false),
        Backspace => (0x08, 0x0E, false),
        Tab => (0x09, 0x0F, false),
        BracketLeft => (0xDB, 0x1A, false),
        BracketRight => (0xDD, 0x1B, false),
        Enter => (0x0D, 0x1C, false),
        NumpadEnter => (0x0D, 0x1C, true),
        ControlLeft => (0x11, 0x1D, false),
        ControlRight => (0x11, 0x1D, true),
        Semicolon => (0xBA, 0x27, false),
        Quote => (0xDE, 0x28, false),
        Backquote => (0xC0, 0x29, false),
        ShiftLeft => (0x10, 0x2A, false),
        Backslash => (0xDC, 0x2B, false),
        Comma => (0xBC, 0x33, false),
        Period => (0xBE, 0x34, false),
        Slash => (0xBF, 0x35, false),
        ShiftRight => (0x10, 0x36, false),
        AltLeft => (0x12, 0x38, false),
        AltRight => (0x12, 0x38, true),
        Space => (0x20, 0x39, false),
        CapsLock => (0x14, 0x3A, false),
        Escape => (0x1B, 0x01, false),
        F1 => (0x70, 0x3B, false),
        F2 => (0x71, 0x3C, false),
        F3 => (0x72, 0x3D, false),
        F4 => (0x73, 0x3E, false),
        F5 => (0x74, 0x3F, false),
        F6 => (0x75, 0x40, false),
        F7 => (0x76, 0x41, false),
        F8 => (0x77, 0x42, false),
        F9 => (0x78, 0x43, false),
        F10 => (0x79, 0x44, false),
        F11 => (0x7A, 0x57, false),
        F12 => (0x7B, 0x58, false),
        Home => (0x24, 0x47, true),
        ArrowUp => (0x26, 0x48, true),
        PageUp => (0x21, 0x49, true),
        ArrowLeft => (0x25, 0x4B, true),
        ArrowRight => (0x27, 0x4D, true),
        End => (0x23, 0x4F, true),
        ArrowDown => (0x28, 0x50, true),
        PageDown => (0x22, 0x51, true),
        Insert => (0x2D, 0x52, true),
        Delete => (0x2E, 0x53, true),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_keys_become_nt_virtual_keys_and_scan_codes() {
        assert_eq!(nt_key(KeyCode::KeyA), Some((b'A', 0x1E, false)));
        assert_eq!(nt_key(KeyCode::KeyM), Some((b'M', 0x32, false)));
        assert_eq!(nt_key(KeyCode::Digit0), Some((b'0', 0x0B, false)));
        assert_eq!(nt_key(KeyCode::F4), Some((0x73, 0x3E, false)));
        assert_eq!(nt_key(KeyCode::AltLeft), Some((0x12, 0x38, false)));
        assert_eq!(nt_key(KeyCode::AltRight), Some((0x12, 0x38, true)));
        assert_eq!(nt_key(KeyCode::ArrowUp), Some((0x26, 0x48, true)));
        assert_eq!(nt_key(KeyCode::ShiftRight), Some((0x10, 0x36, false)));
        assert_eq!(nt_key(KeyCode::Fn), None);
    }
}
