//! Scroll bars: the window scroll bars of WS_HSCROLL and WS_VSCROLL (drawn in the
//! non-client area by win32k::scrollbar) and the ScrollBar control (SB_CTL), with
//! SetScrollInfo/GetScrollInfo, Set/GetScrollPos, Set/GetScrollRange, ShowScrollBar,
//! EnableScrollBar, the SBM_* messages, and tracking the mouse on a bar: the arrows send
//! SB_LINEUP/SB_LINEDOWN, the track SB_PAGEUP/SB_PAGEDOWN, the thumb SB_THUMBTRACK while it
//! is dragged and SB_THUMBPOSITION where it is let go, each followed by SB_ENDSCROLL when the
//! button goes up (WM_HSCROLL/WM_VSCROLL to the window, or to a control's parent with the
//! control's handle). ScrollWindow, ScrollWindowEx and ScrollDC move pixels of the screen.

use std::collections::VecDeque;

use nt_status::Win32Error;
use win32::{ApiCall, ApiReturn, Ptr, export};
use win32k::geometry::Rect;
use win32k::nonclient::Painter;
use win32k::queue::Filter;
use win32k::region::Region;
use win32k::scrollbar::{self, BarLayout, Part, SB_BOTH, SB_CTL, SB_HORZ, SB_VERT, ScrollInfo};
use win32k::{WS_HSCROLL, WS_VSCROLL};

use crate::control::{Canvas, WM_HSCROLL, WM_LBUTTONDOWN, WM_VSCROLL, finish, make_long};
use crate::guest::{Step, run, scratch};
use crate::wm::{Act, plan, returning, wm};

/// SIF_RANGE.
const SIF_RANGE: u32 = 0x1;
/// SIF_PAGE.
const SIF_PAGE: u32 = 0x2;
/// SIF_POS.
const SIF_POS: u32 = 0x4;
/// SIF_DISABLENOSCROLL.
const SIF_DISABLENOSCROLL: u32 = 0x8;
/// SIF_TRACKPOS.
const SIF_TRACKPOS: u32 = 0x10;
/// SBS_VERT.
const SBS_VERT: u32 = 0x1;
/// ERROR_NO_SCROLLBARS.
const ERROR_NO_SCROLLBARS: u32 = 1447;

/// SBM_SETPOS.
const SBM_SETPOS: u32 = 0xE0;
/// SBM_GETPOS.
const SBM_GETPOS: u32 = 0xE1;
/// SBM_SETRANGE.
const SBM_SETRANGE: u32 = 0xE2;
/// SBM_GETRANGE.
const SBM_GETRANGE: u32 = 0xE3;
/// SBM_ENABLE_ARROWS.
const SBM_ENABLE_ARROWS: u32 = 0xE4;
/// SBM_SETRANGEREDRAW.
const SBM_SETRANGEREDRAW: u32 = 0xE6;
/// SBM_SETSCROLLINFO.
const SBM_SETSCROLLINFO: u32 = 0xE9;
/// SBM_GETSCROLLINFO.
const SBM_GETSCROLLINFO: u32 = 0xEA;

/// SB_LINEUP.
pub const SB_LINEUP: u32 = 0;
/// SB_LINEDOWN.
pub const SB_LINEDOWN: u32 = 1;
/// SB_PAGEUP.
pub const SB_PAGEUP: u32 = 2;
/// SB_PAGEDOWN.
pub const SB_PAGEDOWN: u32 = 3;
/// SB_THUMBPOSITION.
pub const SB_THUMBPOSITION: u32 = 4;
/// SB_THUMBTRACK.
pub const SB_THUMBTRACK: u32 = 5;
/// SB_TOP.
pub const SB_TOP: u32 = 6;
/// SB_BOTTOM.
pub const SB_BOTTOM: u32 = 7;
/// SB_ENDSCROLL.
pub const SB_ENDSCROLL: u32 = 8;

/// Whether `hwnd` is a ScrollBar control, and vertical.
fn control_kind(call: &mut ApiCall<'_>, hwnd: u32) -> Option<bool> {
    let m = wm(call);
    let w = m.window(hwnd)?;
    let class = m.class(w.class)?;
    (class.system && class.name.eq_ignore_ascii_case("ScrollBar"))
        .then_some(w.style & SBS_VERT != 0)
}

/// The bar `bar` (SB_HORZ, SB_VERT, SB_CTL) of `hwnd`: its info (the default for one never
/// set), or None when the window has no such bar.
pub fn info(call: &mut ApiCall<'_>, hwnd: u32, bar: u32) -> Option<ScrollInfo> {
    let vertical = match bar {
        SB_CTL => control_kind(call, hwnd)?,
        SB_HORZ => false,
        SB_VERT => true,
        _ => return None,
    };
    let m = wm(call);
    let w = m.window(hwnd)?;
    let bars = m.scroll_bars.get(&w.handle).copied();
    if bar != SB_CTL && bars.is_none() {
        let has = w.style & if vertical { WS_VSCROLL } else { WS_HSCROLL } != 0;
        if !has {
            return None;
        }
    }
    let bars = bars.unwrap_or_default();
    Some(if vertical { bars.vert } else { bars.horz })
}

/// Stores a bar's info.
fn store(call: &mut ApiCall<'_>, hwnd: u32, bar: u32, info: ScrollInfo) {
    let vertical = match bar {
        SB_CTL => control_kind(call, hwnd).unwrap_or(false),
        b => b == SB_VERT,
    };
    let m = wm(call);
    let Some(h) = m.full_handle(hwnd) else {
        return;
    };
    let bars = m.scroll_bars.entry(h).or_default();
    if vertical {
        bars.vert = info;
    } else {
        bars.horz = info;
    }
}

/// Redraws a bar: a control's client area, or the window's frame.
pub fn redraw(call: &mut ApiCall<'_>, hwnd: u32, bar: u32) {
    if bar == SB_CTL {
        draw_control(call, hwnd);
    } else {
        wm(call).draw_frame(hwnd);
    }
}

/// Shows or hides a window scroll bar (the style bit, the client area shrinking or
/// growing as SetWindowPos with SWP_FRAMECHANGED makes it): the acts that do it.
pub fn show_acts(call: &mut ApiCall<'_>, hwnd: u32, bar: u32, show: bool) -> Vec<Act> {
    let bits = match bar {
        SB_HORZ => WS_HSCROLL,
        SB_VERT => WS_VSCROLL,
        SB_BOTH => WS_HSCROLL | WS_VSCROLL,
        _ => return Vec::new(),
    };
    let Some(w) = wm(call).window_mut(hwnd) else {
        return Vec::new();
    };
    let old = w.style;
    if show {
        w.style |= bits;
    } else {
        w.style &= !bits;
    }
    if w.style == old {
        return Vec::new();
    }
    let handle = w.handle;
    let base = scratch(call);
    use crate::window::*;
    let flags = SWP_NOMOVE | SWP_NOSIZE | SWP_NOZORDER | SWP_NOACTIVATE | SWP_FRAMECHANGED;
    let mut acts = pos_acts(call, handle, 0, 0, 0, 0, 0, flags, base);
    acts.push(Act::run(move |call| {
        wm(call).draw_frame(handle);
        crate::paint::invalidate(wm(call), handle, None, true);
    }));
    acts
}

/// SetScrollInfo's work for any bar: the new position, and the acts that show or hide a
/// window bar the change made needed or not.
pub fn set_info(
    call: &mut ApiCall<'_>,
    hwnd: u32,
    bar: u32,
    mask: u32,
    new: ScrollInfo,
    redraw_it: bool,
) -> Option<(i32, Vec<Act>)> {
    let had = info(call, hwnd, bar);
    if bar == SB_CTL && had.is_none() {
        return None;
    }
    let mut i = had.unwrap_or_default();
    if had.is_none() {
        // A window that had no bar starts from an empty range.
        i.max = 0;
    }
    if mask & SIF_PAGE != 0 {
        i.page = new.page;
    }
    if mask & SIF_RANGE != 0 {
        // NT takes a range whose maximum is below its minimum as min..min.
        i.min = new.min;
        i.max = new.max.max(new.min);
    }
    if mask & SIF_POS != 0 {
        i.pos = new.pos;
    }
    i.clamp();
    store(call, hwnd, bar, i);
    let mut acts = Vec::new();
    if bar != SB_CTL && mask & (SIF_RANGE | SIF_PAGE) != 0 {
        let needed = !i.is_idle() || mask & SIF_DISABLENOSCROLL != 0;
        acts = show_acts(call, hwnd, bar, needed);
    }
    if redraw_it && acts.is_empty() {
        redraw(call, hwnd, bar);
    }
    Some((i.pos, acts))
}

/// Reads a SCROLLINFO's words (cbSize must be 28 or 24, as NT takes both).
fn read_scroll_info(call: &ApiCall<'_>, at: u32) -> Option<[u32; 7]> {
    let b = call.read_bytes(at, 24).ok()?;
    let w = |i: usize| u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]]);
    if w(0) != 28 && w(0) != 24 {
        return None;
    }
    let track = if w(0) == 28 {
        call.read_u32(at + 24).ok()?
    } else {
        0
    };
    Some([w(0), w(1), w(2), w(3), w(4), w(5), track])
}

/// int SetScrollInfo(HWND hwnd, int fnBar, LPCSCROLLINFO lpsi, BOOL fRedraw): the new
/// position; 0 with ERROR_INVALID_PARAMETER for a bad SCROLLINFO.
#[export]
fn SetScrollInfo(
    call: &mut ApiCall<'_>,
    hwnd: u32,
    fnBar: u32,
    lpsi: Ptr,
    fRedraw: bool,
) -> ApiReturn {
    let Some(s) = read_scroll_info(call, lpsi.0) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    if wm(call).window(hwnd).is_none() {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    }
    let new = ScrollInfo {
        min: s[2] as i32,
        max: s[3] as i32,
        page: s[4],
        pos: s[5] as i32,
        ..ScrollInfo::default()
    };
    match set_info(call, hwnd, fnBar, s[1], new, fRedraw) {
        Some((pos, acts)) => {
            let step = finish(call, acts, pos as u32);
            run(call, 4, step)
        }
        None => call.fail_win32(Win32Error(ERROR_NO_SCROLLBARS), 0),
    }
}

/// Writes the asked parts of a bar's info into a SCROLLINFO.
fn put_scroll_info(call: &mut ApiCall<'_>, at: u32, s: &[u32; 7], i: &ScrollInfo) -> bool {
    let mask = s[1];
    let mut words = [s[0], s[1], s[2], s[3], s[4], s[5], s[6]];
    if mask & SIF_RANGE != 0 {
        words[2] = i.min as u32;
        words[3] = i.max as u32;
    }
    if mask & SIF_PAGE != 0 {
        words[4] = i.page;
    }
    if mask & SIF_POS != 0 {
        words[5] = i.pos as u32;
    }
    if mask & SIF_TRACKPOS != 0 {
        words[6] = i.track_pos as u32;
    }
    let n = if s[0] == 28 { 7 } else { 6 };
    let bytes: Vec<u8> = words[..n].iter().flat_map(|w| w.to_le_bytes()).collect();
    call.write_bytes(at, &bytes).is_ok()
}

/// BOOL GetScrollInfo(HWND hwnd, int fnBar, LPSCROLLINFO lpsi): the parts fMask asks for;
/// FALSE for a window without the bar or a SCROLLINFO asking for nothing.
#[export]
fn GetScrollInfo(call: &mut ApiCall<'_>, hwnd: u32, fnBar: u32, lpsi: Ptr) -> ApiReturn {
    let Some(s) = read_scroll_info(call, lpsi.0) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    if wm(call).window(hwnd).is_none() {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    }
    let Some(i) = info(call, hwnd, fnBar) else {
        return call.fail_win32(Win32Error(ERROR_NO_SCROLLBARS), 0);
    };
    if s[1] & (SIF_RANGE | SIF_PAGE | SIF_POS | SIF_TRACKPOS) == 0 {
        return ApiReturn::Value(0);
    }
    if !put_scroll_info(call, lpsi.0, &s, &i) {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    ApiReturn::Value(1)
}

/// int SetScrollPos(HWND hWnd, int nBar, int nPos, BOOL bRedraw): the previous position.
#[export]
fn SetScrollPos(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    nBar: u32,
    nPos: i32,
    bRedraw: bool,
) -> ApiReturn {
    if wm(call).window(hWnd).is_none() {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    }
    let Some(old) = info(call, hWnd, nBar) else {
        return call.fail_win32(Win32Error(ERROR_NO_SCROLLBARS), 0);
    };
    let new = ScrollInfo { pos: nPos, ..old };
    let _ = set_info(call, hWnd, nBar, SIF_POS, new, bRedraw);
    ApiReturn::Value(old.pos as u32)
}

/// int GetScrollPos(HWND hWnd, int nBar): 0 with ERROR_NO_SCROLLBARS without the bar.
#[export]
fn GetScrollPos(call: &mut ApiCall<'_>, hWnd: u32, nBar: u32) -> ApiReturn {
    if wm(call).window(hWnd).is_none() {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    }
    match info(call, hWnd, nBar) {
        Some(i) => ApiReturn::Value(i.pos as u32),
        None => call.fail_win32(Win32Error(ERROR_NO_SCROLLBARS), 0),
    }
}

/// BOOL SetScrollRange(HWND hWnd, int nBar, int nMinPos, int nMaxPos, BOOL bRedraw).
#[export]
fn SetScrollRange(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    nBar: u32,
    nMinPos: i32,
    nMaxPos: i32,
    bRedraw: bool,
) -> ApiReturn {
    if wm(call).window(hWnd).is_none() {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    }
    if i64::from(nMaxPos) - i64::from(nMinPos) > 0x7FFF_FFFF {
        return call.fail_win32(Win32Error(1448), 0); // ERROR_INVALID_SCROLLBAR_RANGE
    }
    let new = ScrollInfo {
        min: nMinPos,
        max: nMaxPos,
        ..ScrollInfo::default()
    };
    match set_info(call, hWnd, nBar, SIF_RANGE, new, bRedraw) {
        Some((_, acts)) => {
            let step = finish(call, acts, 1);
            run(call, 5, step)
        }
        None => call.fail_win32(Win32Error(ERROR_NO_SCROLLBARS), 0),
    }
}

/// BOOL GetScrollRange(HWND hWnd, int nBar, LPINT lpMinPos, LPINT lpMaxPos): a window
/// without the bar gives 0, 0.
#[export]
fn GetScrollRange(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    nBar: u32,
    lpMinPos: Ptr,
    lpMaxPos: Ptr,
) -> ApiReturn {
    if wm(call).window(hWnd).is_none() {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    }
    let i = info(call, hWnd, nBar);
    let (min, max) = i.map_or((0, 0), |i| (i.min, i.max));
    if call.write_u32(lpMinPos.0, min as u32).is_err()
        || call.write_u32(lpMaxPos.0, max as u32).is_err()
    {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    ApiReturn::Value(1)
}

/// BOOL ShowScrollBar(HWND hWnd, int wBar, BOOL bShow).
#[export]
fn ShowScrollBar(call: &mut ApiCall<'_>, hWnd: u32, wBar: u32, bShow: bool) -> ApiReturn {
    if wm(call).window(hWnd).is_none() {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    }
    if wBar == SB_CTL {
        let base = scratch(call);
        let acts = crate::window::show_acts(call, hWnd, bShow, base);
        let step = finish(call, acts, 1);
        return run(call, 3, step);
    }
    let acts = show_acts(call, hWnd, wBar, bShow);
    let step = finish(call, acts, 1);
    run(call, 3, step)
}

/// BOOL EnableScrollBar(HWND hWnd, UINT wSBflags, UINT wArrows): ESB_DISABLE_LTUP (1),
/// ESB_DISABLE_RTDN (2), both (3) or ESB_ENABLE_BOTH (0); FALSE when nothing changed.
#[export]
fn EnableScrollBar(call: &mut ApiCall<'_>, hWnd: u32, wSBflags: u32, wArrows: u32) -> ApiReturn {
    if wm(call).window(hWnd).is_none() {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    }
    let bars: &[u32] = match wSBflags {
        SB_BOTH => &[SB_HORZ, SB_VERT],
        b => &[b][..],
    };
    let bars = bars.to_vec();
    let mut changed = false;
    for bar in bars {
        let Some(mut i) = info(call, hWnd, bar) else {
            continue;
        };
        if i.disabled != wArrows & 3 {
            i.disabled = wArrows & 3;
            changed = true;
            store(call, hWnd, bar, i);
            redraw(call, hWnd, bar);
        }
    }
    ApiReturn::Value(u32::from(changed))
}

// ---- the ScrollBar control --------------------------------------------------------------

/// Draws a ScrollBar control's client area.
pub fn draw_control(call: &mut ApiCall<'_>, hwnd: u32) {
    let Some(vertical) = control_kind(call, hwnd) else {
        return;
    };
    let i = info(call, hwnd, SB_CTL).unwrap_or_default();
    let shown = tracking_pos(call, hwnd, SB_CTL).map_or(i, |p| ScrollInfo { pos: p, ..i });
    let m = wm(call);
    let Some(cv) = Canvas::of(m, hwnd) else {
        return;
    };
    let enabled = m
        .window(hwnd)
        .is_some_and(|w| w.style & win32k::WS_DISABLED == 0);
    let r = cv.screen(Rect::new(0, 0, cv.size.0, cv.size.1));
    let mut p = Painter {
        surface: &mut m.screen,
        clip: &cv.clip,
    };
    scrollbar::draw_bar(&mut p, r, vertical, &shown, enabled);
    m.display.dirty = true;
}

/// A bar being tracked with the mouse.
#[derive(Clone, Copy)]
struct Track {
    hwnd: u32,
    bar: u32,
    part: Part,
    /// The thumb's start along the bar when the button went down, and the mouse's offset
    /// into the thumb.
    grab: i32,
    /// The position shown while the thumb is dragged.
    pos: i32,
}

/// The bar the mouse is tracking (one per machine: the mouse is one).
#[derive(Default)]
struct Tracking(Option<Track>);

fn tracking_pos(call: &mut ApiCall<'_>, hwnd: u32, bar: u32) -> Option<i32> {
    let t = call.state.get::<Tracking>().0?;
    (t.hwnd == hwnd && t.bar == bar && t.part == Part::Thumb).then_some(t.pos)
}

/// A bar's rectangle on the screen and whether it is vertical.
fn bar_rect(call: &mut ApiCall<'_>, hwnd: u32, bar: u32) -> Option<(Rect, bool)> {
    let m = wm(call);
    let w = m.window(hwnd)?;
    let style = w.style;
    let (window, client) = m.screen_rects(hwnd)?;
    let _ = window;
    if bar == SB_CTL {
        return Some((client, style & SBS_VERT != 0));
    }
    let (h, v, _) = scrollbar::window_bar_rects(style, client);
    if bar == SB_VERT {
        v.map(|r| (r, true))
    } else {
        h.map(|r| (r, false))
    }
}

/// The message and target a bar's scroll codes go to.
fn scroll_target(call: &mut ApiCall<'_>, hwnd: u32, bar: u32, vertical: bool) -> (u32, u32, u32) {
    let msg = if vertical { WM_VSCROLL } else { WM_HSCROLL };
    if bar == SB_CTL {
        let parent = wm(call).window(hwnd).map_or(0, |w| w.parent);
        (parent, msg, hwnd)
    } else {
        (hwnd, msg, 0)
    }
}

/// Tracks the mouse on bar `bar` of `hwnd` from a button press at screen point `pt`, as NT's
/// xxxSBTrackInit and its loop do: the export runs again after each wait for the window's
/// mouse messages, until the button goes up.
pub fn track(call: &mut ApiCall<'_>, hwnd: u32, bar: u32, pt: (i32, i32)) -> Step {
    let Some((rect, vertical)) = bar_rect(call, hwnd, bar) else {
        return Step::Return(0);
    };
    let info = info(call, hwnd, bar).unwrap_or_default();
    let (length, breadth) = if vertical {
        (rect.height(), rect.width())
    } else {
        (rect.width(), rect.height())
    };
    let along = move |r: Rect, p: (i32, i32)| {
        if vertical { p.1 - r.top } else { p.0 - r.left }
    };
    let layout: BarLayout = scrollbar::bar_layout(length, breadth, &info);
    let (target, msg, lp) = scroll_target(call, hwnd, bar, vertical);
    let held = call.state.get::<Tracking>().0;
    let mut t = match held {
        Some(t) if t.hwnd == hwnd && t.bar == bar => t,
        _ => {
            if info.is_idle() {
                return Step::Return(0);
            }
            let Some(part) = layout.part(along(rect, pt)) else {
                return Step::Return(0);
            };
            let t = Track {
                hwnd,
                bar,
                part,
                grab: along(rect, pt) - layout.thumb_start,
                pos: info.pos,
            };
            call.state.get::<Tracking>().0 = Some(t);
            wm(call).display.capture = hwnd;
            let code = match part {
                Part::ArrowBefore => Some(SB_LINEUP),
                Part::ArrowAfter => Some(SB_LINEDOWN),
                Part::PageBefore => Some(SB_PAGEUP),
                Part::PageAfter => Some(SB_PAGEDOWN),
                Part::Thumb => None,
            };
            let mut acts = VecDeque::new();
            if let Some(code) = code {
                acts.push_back(Act::Send(target, msg, code, lp));
            } else {
                // Taking the thumb sends SB_THUMBTRACK at its position.
                redraw(call, hwnd, bar);
                acts.push_back(Act::Send(
                    target,
                    msg,
                    make_long(SB_THUMBTRACK, info.pos as u32),
                    lp,
                ));
            }
            return plan(call, acts, 0, Box::new(|_, _| Step::Again));
        }
    };
    // Waiting for the mouse.
    let (p, th) = (call.thread.process, call.thread.thread);
    let filter = Filter {
        hwnd: 0,
        min: 0x0200,
        max: 0x020D,
    };
    let Some(q) = wm(call).queue_of(p, th) else {
        call.state.get::<Tracking>().0 = None;
        return Step::Return(0);
    };
    let Some(m) = q.take_posted(&filter, true) else {
        let _ = q.event.reset_event();
        return Step::Wait {
            objects: vec![q.event.clone()],
            timeout: None,
        };
    };
    let up = m.message == 0x0202;
    let mut acts = VecDeque::new();
    if t.part == Part::Thumb {
        let start = along(rect, m.pt) - t.grab;
        let pos = layout.pos_at(start, &info);
        if up {
            acts.push_back(Act::Send(
                target,
                msg,
                make_long(SB_THUMBPOSITION, pos as u32),
                lp,
            ));
        } else if pos != t.pos {
            t.pos = pos;
            let mut i = info;
            i.track_pos = pos;
            store(call, hwnd, bar, i);
            call.state.get::<Tracking>().0 = Some(t);
            redraw(call, hwnd, bar);
            acts.push_back(Act::Send(
                target,
                msg,
                make_long(SB_THUMBTRACK, pos as u32),
                lp,
            ));
        }
    }
    if up {
        call.state.get::<Tracking>().0 = None;
        wm(call).display.capture = 0;
        acts.push_back(Act::Send(target, msg, SB_ENDSCROLL, lp));
        acts.push_back(Act::run(move |call| redraw(call, hwnd, bar)));
        return plan(call, acts, 0, returning(0));
    }
    plan(call, acts, 0, Box::new(|_, _| Step::Again))
}

/// Whether a bar is being tracked for `hwnd` (its procedure is being run again).
pub fn is_tracking(call: &mut ApiCall<'_>, hwnd: u32) -> Option<u32> {
    let t = call.state.get::<Tracking>().0?;
    (t.hwnd == hwnd).then_some(t.bar)
}

/// The ScrollBar control's procedure (ANSI and Unicode alike: it has no text).
fn control_proc(call: &mut ApiCall<'_>, hwnd: u32, msg: u32, wp: u32, lp: u32) -> Step {
    let Some(w) = wm(call).window(hwnd).cloned() else {
        return Step::Return(0);
    };
    let hwnd = w.handle;
    // CS_DBLCLKS: a quick second click comes as WM_LBUTTONDBLCLK and acts as a click.
    let msg = if msg == crate::control::WM_LBUTTONDBLCLK {
        WM_LBUTTONDOWN
    } else {
        msg
    };
    if let Some(bar) = is_tracking(call, hwnd)
        && msg == WM_LBUTTONDOWN
    {
        return track(call, hwnd, bar, (0, 0));
    }
    match msg {
        crate::wm::WM_CREATE => {
            // A ScrollBar control starts with an empty range (window bars with 0..100).
            let empty = ScrollInfo {
                max: 0,
                ..ScrollInfo::default()
            };
            wm(call).scroll_bars.insert(
                hwnd,
                win32k::scrollbar::WindowBars {
                    horz: empty,
                    vert: empty,
                },
            );
            // SBS_SIZEBOX and the arrow sizes come from the rectangle NT gives it.
            Step::Return(0)
        }
        crate::paint::WM_PAINT => {
            crate::control::validate_all(call, hwnd);
            draw_control(call, hwnd);
            Step::Return(0)
        }
        crate::paint::WM_ERASEBKGND => Step::Return(1),
        WM_LBUTTONDOWN => {
            let (x, y) = crate::control::words(lp);
            let (ox, oy) = wm(call).client_origin(hwnd);
            track(call, hwnd, SB_CTL, (ox + x, oy + y))
        }
        crate::control::WM_GETDLGCODE => Step::Return(0),
        SBM_SETPOS => {
            let old = info(call, hwnd, SB_CTL).unwrap_or_default();
            let new = ScrollInfo {
                pos: wp as i32,
                ..old
            };
            let _ = set_info(call, hwnd, SB_CTL, SIF_POS, new, lp != 0);
            Step::Return(old.pos as u32)
        }
        SBM_GETPOS => Step::Return(info(call, hwnd, SB_CTL).unwrap_or_default().pos as u32),
        SBM_SETRANGE | SBM_SETRANGEREDRAW => {
            let old = info(call, hwnd, SB_CTL).unwrap_or_default();
            let new = ScrollInfo {
                min: wp as i32,
                max: lp as i32,
                ..old
            };
            let _ = set_info(
                call,
                hwnd,
                SB_CTL,
                SIF_RANGE,
                new,
                msg == SBM_SETRANGEREDRAW,
            );
            Step::Return(old.pos as u32)
        }
        SBM_GETRANGE => {
            let i = info(call, hwnd, SB_CTL).unwrap_or_default();
            if wp != 0 {
                let _ = call.write_u32(wp, i.min as u32);
            }
            if lp != 0 {
                let _ = call.write_u32(lp, i.max as u32);
            }
            Step::Return(0)
        }
        SBM_ENABLE_ARROWS => {
            let mut i = info(call, hwnd, SB_CTL).unwrap_or_default();
            let changed = i.disabled != wp & 3;
            i.disabled = wp & 3;
            store(call, hwnd, SB_CTL, i);
            draw_control(call, hwnd);
            Step::Return(u32::from(changed))
        }
        SBM_SETSCROLLINFO => {
            let Some(s) = read_scroll_info(call, lp) else {
                return Step::Return(0);
            };
            let new = ScrollInfo {
                min: s[2] as i32,
                max: s[3] as i32,
                page: s[4],
                pos: s[5] as i32,
                ..ScrollInfo::default()
            };
            let pos = set_info(call, hwnd, SB_CTL, s[1], new, wp != 0).map_or(0, |r| r.0);
            Step::Return(pos as u32)
        }
        SBM_GETSCROLLINFO => {
            let (Some(s), Some(i)) = (read_scroll_info(call, lp), info(call, hwnd, SB_CTL)) else {
                return Step::Return(0);
            };
            Step::Return(u32::from(put_scroll_info(call, lp, &s, &i)))
        }
        crate::wm::WM_ENABLE => {
            draw_control(call, hwnd);
            Step::Return(0)
        }
        _ => crate::message::default_proc(call, hwnd, msg, wp, lp, w.unicode),
    }
}

/// LRESULT ScrollBarWndProc(HWND, UINT, WPARAM, LPARAM): the ScrollBar class's procedure
/// (NT keeps it inside USER32; ntemu exports it under this name for the class table).
#[export]
fn ScrollBarWndProc(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    uMsg: u32,
    wParam: u32,
    lParam: u32,
) -> ApiReturn {
    let step = control_proc(call, hWnd, uMsg, wParam, lParam);
    run(call, 4, step)
}

/// DefWindowProc's WM_NCLBUTTONDOWN on a window scroll bar (HTHSCROLL, HTVSCROLL): tracks
/// it. None for another hit.
pub fn nc_button(call: &mut ApiCall<'_>, hwnd: u32, hit: u32, lp: u32) -> Option<Step> {
    let bar = match hit {
        scrollbar::HTHSCROLL => SB_HORZ,
        scrollbar::HTVSCROLL => SB_VERT,
        _ => return None,
    };
    let (x, y) = crate::control::words(lp);
    Some(track(call, hwnd, bar, (x, y)))
}

// ---- scrolling pixels -------------------------------------------------------------------

/// SW_SCROLLCHILDREN.
const SW_SCROLLCHILDREN: u32 = 0x1;
/// SW_INVALIDATE.
const SW_INVALIDATE: u32 = 0x2;
/// SW_ERASE.
const SW_ERASE: u32 = 0x4;

/// Moves the pixels of screen rectangle `area` (within `clip`) by (dx, dy).
fn move_pixels(m: &mut win32k::WindowManager, area: Rect, clip: &[Rect], dx: i32, dy: i32) {
    let snapshot = m.screen.crop(area);
    let inside = |x: i32, y: i32| {
        clip.iter()
            .any(|c| x >= c.left && x < c.right && y >= c.top && y < c.bottom)
    };
    for y in area.top..area.bottom {
        for x in area.left..area.right {
            let (tx, ty) = (x + dx, y + dy);
            if tx < area.left || tx >= area.right || ty < area.top || ty >= area.bottom {
                continue;
            }
            if !inside(x, y) || !inside(tx, ty) {
                continue;
            }
            if let Some(p) = snapshot.get(x - area.left, y - area.top) {
                m.screen.set(tx, ty, p);
            }
        }
    }
    m.display.dirty = true;
}

/// ScrollWindowEx's work: the region type (NULLREGION 1, SIMPLEREGION 2, COMPLEXREGION 3)
/// of what it uncovered, and that region in client coordinates.
fn scroll_window(
    call: &mut ApiCall<'_>,
    hwnd: u32,
    dx: i32,
    dy: i32,
    scroll: Option<Rect>,
    clip: Option<Rect>,
    flags: u32,
) -> Option<Region> {
    let m = wm(call);
    let w = m.window(hwnd)?.clone();
    let size = Rect::new(0, 0, w.client.width(), w.client.height());
    let mut area = scroll.unwrap_or(size);
    area = win32k::surface::intersect(area, size);
    if let Some(c) = clip {
        area = win32k::surface::intersect(area, c);
    }
    if area.width() <= 0 || area.height() <= 0 {
        return Some(Region::default());
    }
    if let Some(cv) = Canvas::of(m, hwnd) {
        move_pixels(m, cv.screen(area), &cv.clip, dx, dy);
    }
    let moved = area.offset(dx, dy);
    let uncovered = Region::rect(area).combine(
        &Region::rect(win32k::surface::intersect(moved, area)),
        win32k::region::RGN_DIFF,
    );
    if flags & SW_SCROLLCHILDREN != 0 || scroll.is_none() {
        for c in w.children.clone() {
            if let Some(cw) = wm(call).window_mut(c) {
                cw.rect = cw.rect.offset(dx, dy);
                cw.client = cw.client.offset(dx, dy);
            }
        }
    }
    if flags & SW_INVALIDATE != 0 {
        crate::paint::invalidate(wm(call), hwnd, Some(&uncovered), flags & SW_ERASE != 0);
    }
    Some(uncovered)
}

fn read_rect_opt(call: &ApiCall<'_>, at: u32) -> Option<Rect> {
    if at == 0 {
        return None;
    }
    call.read_bytes(at, 16)
        .ok()
        .and_then(|b| Rect::from_bytes(&b))
}

/// BOOL ScrollWindow(HWND hWnd, int XAmount, int YAmount, const RECT *lpRect, const RECT
/// *lpClipRect): scrolls the client area's pixels, invalidating (and erasing) what is
/// uncovered; without lpRect the children move too.
#[export]
fn ScrollWindow(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    XAmount: i32,
    YAmount: i32,
    lpRect: u32,
    lpClipRect: u32,
) -> ApiReturn {
    let (scroll, clip) = (read_rect_opt(call, lpRect), read_rect_opt(call, lpClipRect));
    match scroll_window(
        call,
        hWnd,
        XAmount,
        YAmount,
        scroll,
        clip,
        SW_INVALIDATE | SW_ERASE,
    ) {
        Some(_) => ApiReturn::Value(1),
        None => call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0),
    }
}

/// int ScrollWindowEx(HWND hWnd, int dx, int dy, const RECT *prcScroll, const RECT
/// *prcClip, HRGN hrgnUpdate, LPRECT prcUpdate, UINT flags): the uncovered region's type;
/// it goes into hrgnUpdate and its bounds into prcUpdate.
#[export]
#[allow(clippy::too_many_arguments)]
fn ScrollWindowEx(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    dx: i32,
    dy: i32,
    prcScroll: u32,
    prcClip: u32,
    hrgnUpdate: u32,
    prcUpdate: u32,
    flags: u32,
) -> ApiReturn {
    let (scroll, clip) = (read_rect_opt(call, prcScroll), read_rect_opt(call, prcClip));
    let Some(region) = scroll_window(call, hWnd, dx, dy, scroll, clip, flags) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    if hrgnUpdate != 0
        && let Some(r) = wm(call).gdi.region_mut(hrgnUpdate)
    {
        *r = region.clone();
    }
    if prcUpdate != 0 {
        let _ = call.write_bytes(prcUpdate, &region.bounds().to_bytes());
    }
    ApiReturn::Value(match region.rects().len() {
        0 => 1,
        1 => 2,
        _ => 3,
    })
}

/// BOOL ScrollDC(HDC hDC, int dx, int dy, const RECT *lprcScroll, const RECT *lprcClip,
/// HRGN hrgnUpdate, LPRECT lprcUpdate): moves the pixels of a display DC's area (device
/// coordinates of the DC's window) and reports what was uncovered.
#[export]
#[allow(clippy::too_many_arguments)]
fn ScrollDC(
    call: &mut ApiCall<'_>,
    hDC: u32,
    dx: i32,
    dy: i32,
    lprcScroll: u32,
    lprcClip: u32,
    hrgnUpdate: u32,
    lprcUpdate: u32,
) -> ApiReturn {
    let Some(d) = wm(call).gdi.dc(hDC).cloned() else {
        return call.fail_win32(Win32Error::INVALID_HANDLE, 0);
    };
    let (scroll, clip) = (
        read_rect_opt(call, lprcScroll),
        read_rect_opt(call, lprcClip),
    );
    let vis = d.vis.offset(-d.origin.0, -d.origin.1);
    let mut area = scroll.unwrap_or(vis);
    area = win32k::surface::intersect(area, vis);
    if let Some(c) = clip {
        area = win32k::surface::intersect(area, c);
    }
    let on_screen = area.offset(d.origin.0, d.origin.1);
    if area.width() > 0 && area.height() > 0 {
        move_pixels(wm(call), on_screen, &[d.vis], dx, dy);
    }
    let moved = area.offset(dx, dy);
    let uncovered = Region::rect(area).combine(
        &Region::rect(win32k::surface::intersect(moved, area)),
        win32k::region::RGN_DIFF,
    );
    if hrgnUpdate != 0
        && let Some(r) = wm(call).gdi.region_mut(hrgnUpdate)
    {
        *r = uncovered.clone();
    }
    if lprcUpdate != 0 {
        let _ = call.write_bytes(lprcUpdate, &uncovered.bounds().to_bytes());
    }
    ApiReturn::Value(1)
}
