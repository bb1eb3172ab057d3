//! What USER32's window functions share: the machine's [`WindowManager`], reading class
//! names and text in either character set, and plans of messages sent one after another to
//! window procedures of the calling thread ([`plan`]), as creation, destruction and moving
//! windows send them.

use std::collections::VecDeque;

use win32::ApiCall;
use win32::codepage::CodePage;
use win32k::{ClassName, WindowManager};

use crate::guest::Step;

/// WM_CREATE.
pub const WM_CREATE: u32 = 0x0001;
/// WM_DESTROY.
pub const WM_DESTROY: u32 = 0x0002;
/// WM_MOVE.
pub const WM_MOVE: u32 = 0x0003;
/// WM_SIZE.
pub const WM_SIZE: u32 = 0x0005;
/// WM_ACTIVATE.
pub const WM_ACTIVATE: u32 = 0x0006;
/// WM_SETFOCUS.
pub const WM_SETFOCUS: u32 = 0x0007;
/// WM_ENABLE.
pub const WM_ENABLE: u32 = 0x000A;
/// WM_SETTEXT.
pub const WM_SETTEXT: u32 = 0x000C;
/// WM_GETTEXT.
pub const WM_GETTEXT: u32 = 0x000D;
/// WM_GETTEXTLENGTH.
pub const WM_GETTEXTLENGTH: u32 = 0x000E;
/// WM_CLOSE.
pub const WM_CLOSE: u32 = 0x0010;
/// WM_QUERYENDSESSION.
pub const WM_QUERYENDSESSION: u32 = 0x0011;
/// WM_QUERYOPEN.
pub const WM_QUERYOPEN: u32 = 0x0013;
/// WM_SHOWWINDOW.
pub const WM_SHOWWINDOW: u32 = 0x0018;
/// WM_MOUSEACTIVATE.
pub const WM_MOUSEACTIVATE: u32 = 0x0021;
/// WM_GETMINMAXINFO.
pub const WM_GETMINMAXINFO: u32 = 0x0024;
/// WM_WINDOWPOSCHANGING.
pub const WM_WINDOWPOSCHANGING: u32 = 0x0046;
/// WM_WINDOWPOSCHANGED.
pub const WM_WINDOWPOSCHANGED: u32 = 0x0047;
/// WM_STYLECHANGING.
pub const WM_STYLECHANGING: u32 = 0x007C;
/// WM_STYLECHANGED.
pub const WM_STYLECHANGED: u32 = 0x007D;
/// WM_NCCREATE.
pub const WM_NCCREATE: u32 = 0x0081;
/// WM_NCDESTROY.
pub const WM_NCDESTROY: u32 = 0x0082;
/// WM_NCCALCSIZE.
pub const WM_NCCALCSIZE: u32 = 0x0083;
/// WM_NCHITTEST.
pub const WM_NCHITTEST: u32 = 0x0084;
/// WM_NCACTIVATE.
pub const WM_NCACTIVATE: u32 = 0x0086;
/// WM_NCPAINT.
pub const WM_NCPAINT: u32 = 0x0085;
/// WM_NCLBUTTONDOWN.
pub const WM_NCLBUTTONDOWN: u32 = 0x00A1;
/// WM_CHAR.
pub const WM_CHAR: u32 = 0x0102;
/// WM_SYSCHAR.
pub const WM_SYSCHAR: u32 = 0x0106;
/// WM_KEYDOWN.
pub const WM_KEYDOWN: u32 = 0x0100;
/// WM_KEYUP.
pub const WM_KEYUP: u32 = 0x0101;
/// WM_SYSKEYDOWN.
pub const WM_SYSKEYDOWN: u32 = 0x0104;
/// WM_SYSKEYUP.
pub const WM_SYSKEYUP: u32 = 0x0105;
/// WM_SYSCOMMAND.
pub const WM_SYSCOMMAND: u32 = 0x0112;
/// WM_TIMER.
pub const WM_TIMER: u32 = 0x0113;
/// WM_PARENTNOTIFY.
pub const WM_PARENTNOTIFY: u32 = 0x0210;

/// The most characters of a class name or window text read from the caller.
pub const MAX_TEXT: usize = 0x8000;

/// The machine's window manager.
pub fn wm<'a>(call: &'a mut ApiCall<'_>) -> &'a mut WindowManager {
    call.state.get::<WindowManager>()
}

/// A NUL-terminated string of the caller in its character set, as UTF-16 (None: unreadable).
pub fn read_text(call: &ApiCall<'_>, address: u32, wide: bool) -> Option<Vec<u16>> {
    if wide {
        call.read_wide_units(address, MAX_TEXT).ok()
    } else {
        let bytes = call.read_c_bytes(address, MAX_TEXT).ok()?;
        Some(CodePage::Ansi.decode_str(&bytes).encode_utf16().collect())
    }
}

/// UTF-16 text in a character set, NUL-terminated.
pub fn encode_text(text: &[u16], wide: bool) -> Vec<u8> {
    if wide {
        text.iter()
            .chain(&[0])
            .flat_map(|u| u.to_le_bytes())
            .collect()
    } else {
        let mut b = CodePage::Ansi.encode_str(&String::from_utf16_lossy(text));
        b.push(0);
        b
    }
}

/// Characters of `text` in a character set (ANSI bytes or UTF-16 units).
pub fn text_len(text: &[u16], wide: bool) -> u32 {
    if wide {
        text.len() as u32
    } else {
        CodePage::Ansi
            .encode_str(&String::from_utf16_lossy(text))
            .len() as u32
    }
}

/// Copies `text` into a caller's buffer of `capacity` characters (truncated, NUL-terminated)
/// and returns the characters copied; None when the buffer cannot be written.
pub fn copy_text(
    call: &mut ApiCall<'_>,
    buffer: u32,
    capacity: u32,
    text: &[u16],
    wide: bool,
) -> Option<u32> {
    if capacity == 0 {
        return Some(0);
    }
    let mut bytes = encode_text(text, wide);
    let unit = if wide { 2 } else { 1 };
    bytes.truncate(bytes.len() - unit);
    let n = (bytes.len() / unit).min(capacity as usize - 1);
    bytes.truncate(n * unit);
    bytes.extend(std::iter::repeat_n(0, unit));
    call.write_bytes(buffer, &bytes).ok()?;
    Some(n as u32)
}

/// A class name argument: an atom (MAKEINTATOM, below 0x10000) or a string.
pub fn read_class_name(call: &ApiCall<'_>, address: u32, wide: bool) -> Option<ClassName> {
    if address == 0 {
        return None;
    }
    if address < 0x1_0000 {
        return Some(ClassName::Atom(address as u16));
    }
    let units = read_text(call, address, wide)?;
    Some(ClassName::Name(String::from_utf16_lossy(&units)))
}

/// A message (hwnd, message, wParam, lParam).
pub type Msg = (u32, u32, u32, u32);
/// Makes a message when it is due (None: nothing to send).
pub type MakeMsg = Box<dyn FnOnce(&mut ApiCall<'_>) -> Option<Msg> + Send>;
/// Looks at a result; Some(step) ends a plan.
pub type CheckFn = Box<dyn FnOnce(&mut ApiCall<'_>, u32) -> Option<Step> + Send>;

/// One thing a [`plan`] does.
pub enum Act {
    /// Sends a message to a window of the calling thread (skipped when it is gone or
    /// belongs to another thread: its result is then 0).
    Send(u32, u32, u32, u32),
    /// Sends a message made at the time it is sent (None: nothing is sent).
    SendWith(MakeMsg),
    /// Changes state.
    Do(Box<dyn FnOnce(&mut ApiCall<'_>) + Send>),
    /// Looks at the last result: Some(step) ends the plan with that step.
    Check(CheckFn),
}

impl Act {
    /// [`Act::Do`].
    pub fn run(f: impl FnOnce(&mut ApiCall<'_>) + Send + 'static) -> Act {
        Act::Do(Box::new(f))
    }

    /// [`Act::SendWith`].
    pub fn send_with(
        f: impl FnOnce(&mut ApiCall<'_>) -> Option<(u32, u32, u32, u32)> + Send + 'static,
    ) -> Act {
        Act::SendWith(Box::new(f))
    }

    /// [`Act::Check`].
    pub fn check(f: impl FnOnce(&mut ApiCall<'_>, u32) -> Option<Step> + Send + 'static) -> Act {
        Act::Check(Box::new(f))
    }
}

/// What a plan ends with, given the last result.
pub type Done = Box<dyn FnOnce(&mut ApiCall<'_>, u32) -> Step + Send>;

/// The window procedure of `hwnd` when the calling thread may call it directly.
pub fn direct_proc(call: &mut ApiCall<'_>, hwnd: u32) -> Option<(u32, u32)> {
    let thread = call.thread.thread;
    let w = wm(call).window(hwnd)?;
    (w.thread == thread && w.wndproc != 0).then_some((w.handle, w.wndproc))
}

/// Carries out `acts` in order, then `done` with the last result.
pub fn plan(call: &mut ApiCall<'_>, mut acts: VecDeque<Act>, mut last: u32, done: Done) -> Step {
    while let Some(act) = acts.pop_front() {
        let message = match act {
            Act::Send(h, m, w, l) => Some((h, m, w, l)),
            Act::SendWith(f) => f(call),
            Act::Do(f) => {
                f(call);
                None
            }
            Act::Check(f) => {
                if let Some(step) = f(call, last) {
                    return step;
                }
                None
            }
        };
        if let Some((hwnd, msg, wp, lp)) = message {
            match direct_proc(call, hwnd) {
                Some((handle, proc_)) => {
                    return Step::call(proc_, vec![handle, msg, wp, lp], move |call, r| {
                        plan(call, acts, r, done)
                    });
                }
                None => last = 0,
            }
        }
    }
    done(call, last)
}

/// A plan that ends by returning `value`.
pub fn returning(value: u32) -> Done {
    Box::new(move |_, _| Step::Return(value))
}
