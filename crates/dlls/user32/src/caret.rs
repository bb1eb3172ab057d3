//! The caret: CreateCaret, DestroyCaret, ShowCaret, HideCaret, SetCaretPos, GetCaretPos and
//! the blink time. One caret per thread's queue, as NT keeps it; it shows as an inverted
//! rectangle in its window's client area while its hide count is 0 (it does not blink: a
//! headless screen keeps it drawn).

use std::collections::BTreeMap;

use nt_status::Win32Error;
use win32::{ApiCall, ApiReturn, Ptr, export};
use win32k::geometry::Rect;

use crate::control::Canvas;
use crate::wm::wm;

/// A thread's caret.
#[derive(Clone, Copy, Debug, Default)]
struct Caret {
    hwnd: u32,
    width: i32,
    height: i32,
    x: i32,
    y: i32,
    /// HideCaret calls not yet matched by ShowCaret (a new caret starts hidden: 1).
    hidden: u32,
    /// Whether it is inverted on the screen now.
    drawn: bool,
}

/// The carets, by (process, thread).
#[derive(Default)]
struct Carets(BTreeMap<(u32, u32), Caret>);

/// The blink time (GetCaretBlinkTime): NT's default 530 ms.
#[derive(Debug)]
struct BlinkTime(u32);

impl Default for BlinkTime {
    fn default() -> Self {
        BlinkTime(530)
    }
}

fn key(call: &ApiCall<'_>) -> (u32, u32) {
    (call.thread.process, call.thread.thread)
}

/// Inverts the caret's rectangle (drawing or undrawing it).
fn toggle(call: &mut ApiCall<'_>, c: &mut Caret) {
    let m = wm(call);
    if let Some(cv) = Canvas::of(m, c.hwnd) {
        cv.invert(m, Rect::new(c.x, c.y, c.x + c.width, c.y + c.height));
    }
    c.drawn = !c.drawn;
}

fn with_caret(
    call: &mut ApiCall<'_>,
    f: impl FnOnce(&mut ApiCall<'_>, &mut Caret) -> bool,
) -> bool {
    let k = key(call);
    let Some(mut c) = call.state.get::<Carets>().0.get(&k).copied() else {
        return false;
    };
    let r = f(call, &mut c);
    call.state.get::<Carets>().0.insert(k, c);
    r
}

/// BOOL CreateCaret(HWND hWnd, HBITMAP hBitmap, int nWidth, int nHeight): a new caret for
/// the thread (the old one destroyed), hidden, at (0, 0); a width or height of 0 is the
/// border's (1 pixel).
#[export]
fn CreateCaret(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    hBitmap: u32,
    nWidth: i32,
    nHeight: i32,
) -> ApiReturn {
    let _ = hBitmap;
    let Some(h) = wm(call).full_handle(hWnd) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    DestroyCaret(call);
    let c = Caret {
        hwnd: h,
        width: if nWidth <= 0 { 1 } else { nWidth },
        height: if nHeight <= 0 { 1 } else { nHeight },
        hidden: 1,
        ..Caret::default()
    };
    let k = key(call);
    call.state.get::<Carets>().0.insert(k, c);
    ApiReturn::Value(1)
}

/// BOOL DestroyCaret(void): TRUE, with a caret or without.
#[export]
fn DestroyCaret(call: &mut ApiCall<'_>) -> bool {
    let k = key(call);
    let Some(mut c) = call.state.get::<Carets>().0.remove(&k) else {
        return true;
    };
    if c.drawn {
        toggle(call, &mut c);
    }
    true
}

/// BOOL ShowCaret(HWND hWnd): one HideCaret undone; FALSE for another window's caret.
#[export]
fn ShowCaret(call: &mut ApiCall<'_>, hWnd: u32) -> bool {
    let h = wm(call).full_handle(hWnd).unwrap_or(0);
    with_caret(call, |call, c| {
        if hWnd != 0 && c.hwnd != h {
            return false;
        }
        c.hidden = c.hidden.saturating_sub(1);
        if c.hidden == 0 && !c.drawn {
            toggle(call, c);
        }
        true
    })
}

/// BOOL HideCaret(HWND hWnd): hides the caret (cumulative).
#[export]
fn HideCaret(call: &mut ApiCall<'_>, hWnd: u32) -> bool {
    let h = wm(call).full_handle(hWnd).unwrap_or(0);
    with_caret(call, |call, c| {
        if hWnd != 0 && c.hwnd != h {
            return false;
        }
        c.hidden += 1;
        if c.drawn {
            toggle(call, c);
        }
        true
    })
}

/// BOOL SetCaretPos(int X, int Y): moves the caret (client coordinates).
#[export]
fn SetCaretPos(call: &mut ApiCall<'_>, X: i32, Y: i32) -> bool {
    with_caret(call, |call, c| {
        let shown = c.drawn;
        if shown {
            toggle(call, c);
        }
        c.x = X;
        c.y = Y;
        if shown {
            toggle(call, c);
        }
        true
    })
}

/// BOOL GetCaretPos(LPPOINT lpPoint): the caret's position; (0, 0) without one.
#[export]
fn GetCaretPos(call: &mut ApiCall<'_>, lpPoint: Ptr) -> ApiReturn {
    let k = key(call);
    let c = call
        .state
        .get::<Carets>()
        .0
        .get(&k)
        .copied()
        .unwrap_or_default();
    let bytes: Vec<u8> = [c.x, c.y].iter().flat_map(|v| v.to_le_bytes()).collect();
    match call.write_bytes(lpPoint.0, &bytes) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail_win32(Win32Error::NOACCESS, 0),
    }
}

/// UINT GetCaretBlinkTime(void).
#[export]
fn GetCaretBlinkTime(call: &mut ApiCall<'_>) -> u32 {
    call.state.get::<BlinkTime>().0
}

/// BOOL SetCaretBlinkTime(UINT uMSeconds).
#[export]
fn SetCaretBlinkTime(call: &mut ApiCall<'_>, uMSeconds: u32) -> bool {
    call.state.get::<BlinkTime>().0 = uMSeconds;
    true
}
