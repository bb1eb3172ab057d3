//! USER32's painting path: update regions (kept per window in [`win32k::WindowManager::
//! updates`], client coordinates), InvalidateRect/Rgn, ValidateRect/Rgn, GetUpdateRect/Rgn,
//! RedrawWindow, UpdateWindow, the WM_PAINT GetMessage makes when nothing else waits,
//! BeginPaint (WM_ERASEBKGND) and EndPaint, GetDC/GetDCEx/GetWindowDC/ReleaseDC and
//! WindowFromDC (display DCs of GDI, see [`win32k::gdi`]), DefWindowProc's WM_PAINT and
//! WM_ERASEBKGND, what showing, hiding, moving and sizing a window exposes, FillRect,
//! FrameRect, InvertRect, DrawFocusRect, and LoadBitmap.
//!
//! NT 4.0 keeps no pixels of a window: every DC of a window draws straight on the screen
//! (`WindowManager::screen`) inside the window's visible part.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use nt_status::{NtStatus, Win32Error};
use pe_image::resources::ResourceId;
use win32::{ApiCall, ApiReturn, Ptr, export};
use win32k::gdi::dib::DibFormat;
use win32k::gdi::{self, Object};
use win32k::region::{self, Region};
use win32k::surface::DESKTOP_COLOUR;
use win32k::{DESKTOP, Message, Rect, Surface, Update, WS_CHILD, WS_VISIBLE, WindowManager};

use crate::guest::{Step, run};
use crate::wm::{Act, plan, read_text, wm};

/// WM_PAINT.
pub const WM_PAINT: u32 = 0x000F;
/// WM_ERASEBKGND.
pub const WM_ERASEBKGND: u32 = 0x0014;
/// WS_CLIPCHILDREN.
const WS_CLIPCHILDREN: u32 = 0x0200_0000;
/// CS_OWNDC.
const CS_OWNDC: u32 = 0x0020;
/// CS_CLASSDC.
const CS_CLASSDC: u32 = 0x0040;
/// COLOR_MAX + 1 of NT 4.0 (COLOR_INFOBK is 24): brushes below are system colours.
const SYS_COLOURS: usize = 25;

/// NT 4.0's system colours of the Windows Standard scheme (COLORREFs), by COLOR_* index.
pub const SYS_COLOUR_TABLE: [u32; SYS_COLOURS] = [
    0xC0C0C0, // COLOR_SCROLLBAR
    0x808000, // COLOR_BACKGROUND (teal)
    0x800000, // COLOR_ACTIVECAPTION (navy)
    0x808080, // COLOR_INACTIVECAPTION
    0xC0C0C0, // COLOR_MENU
    0xFFFFFF, // COLOR_WINDOW
    0x000000, // COLOR_WINDOWFRAME
    0x000000, // COLOR_MENUTEXT
    0x000000, // COLOR_WINDOWTEXT
    0xFFFFFF, // COLOR_CAPTIONTEXT
    0xC0C0C0, // COLOR_ACTIVEBORDER
    0xC0C0C0, // COLOR_INACTIVEBORDER
    0x808080, // COLOR_APPWORKSPACE
    0x800000, // COLOR_HIGHLIGHT
    0xFFFFFF, // COLOR_HIGHLIGHTTEXT
    0xC0C0C0, // COLOR_BTNFACE
    0x808080, // COLOR_BTNSHADOW
    0x808080, // COLOR_GRAYTEXT
    0x000000, // COLOR_BTNTEXT
    0xC0C0C0, // COLOR_INACTIVECAPTIONTEXT
    0xFFFFFF, // COLOR_BTNHIGHLIGHT
    0x000000, // COLOR_3DDKSHADOW
    0xC0C0C0, // COLOR_3DLIGHT
    0x000000, // COLOR_INFOTEXT
    0xE1FFFF, // COLOR_INFOBK
];

/// USER's own GDI objects and per-window DCs.
#[derive(Default)]
struct PaintState {
    /// The system colour brushes (made on first use; never deleted).
    sys_brushes: [u32; SYS_COLOURS],
    /// The halftone brush DrawFocusRect inverts with.
    focus_brush: u32,
    /// The DC of each CS_OWNDC window (and of each CS_CLASSDC class, by class index + 1
    /// with the high bit set).
    own_dcs: BTreeMap<u32, u32>,
    /// The DCs GetDC, GetDCEx and GetWindowDC gave and ReleaseDC has not taken back (own
    /// DCs included): (window, whole window). Their visible parts follow their windows as
    /// windows move, show, hide and change places ([`refresh_dcs`]), as NT recomputes a
    /// DC's visible region when the windows change.
    gotten: BTreeMap<u32, (u32, bool)>,
}

fn state<'a>(call: &'a mut ApiCall<'_>) -> &'a mut PaintState {
    call.state.get::<PaintState>()
}

/// The brush a FillRect-style brush argument names: a handle, or (HBRUSH)(COLOR_x + 1),
/// a system colour's brush.
pub fn brush_of(call: &mut ApiCall<'_>, value: u32) -> u32 {
    if value == 0 || value as usize > SYS_COLOURS {
        return value;
    }
    sys_colour_brush(call, value as usize - 1)
}

/// The brush of system colour `index` (made once; a stock object, never deleted).
pub fn sys_colour_brush(call: &mut ApiCall<'_>, index: usize) -> u32 {
    let Some(&have) = state(call).sys_brushes.get(index) else {
        return 0;
    };
    if have != 0 {
        return have;
    }
    let colour = SYS_COLOUR_TABLE[index];
    let h = wm(call).gdi.insert_stock(Object::Brush(gdi::Brush {
        style: gdi::BS_SOLID,
        colour,
        hatch: 0,
        pattern: None,
    }));
    state(call).sys_brushes[index] = h;
    h
}

// ---- geometry ------------------------------------------------------------------------

/// Whether `hwnd` and the windows above it up to the desktop are visible.
pub fn is_visible(wm: &WindowManager, hwnd: u32) -> bool {
    let mut h = hwnd;
    for _ in 0..0x1_0000 {
        let Some(w) = wm.window(h) else {
            return false;
        };
        if w.handle == DESKTOP {
            return true;
        }
        if w.style & WS_VISIBLE == 0 {
            return false;
        }
        h = w.parent;
    }
    false
}

/// A window's client rectangle on the screen.
pub fn client_on_screen(wm: &WindowManager, hwnd: u32) -> Rect {
    let Some(w) = wm.window(hwnd) else {
        return Rect::default();
    };
    let (x, y) = wm.client_origin(hwnd);
    Rect::new(
        x,
        y,
        x.wrapping_add(w.client.width()),
        y.wrapping_add(w.client.height()),
    )
}

/// A window's rectangle on the screen.
pub fn window_on_screen(wm: &WindowManager, hwnd: u32) -> Rect {
    let Some(w) = wm.window(hwnd) else {
        return Rect::default();
    };
    let (x, y) = wm.parent_origin(hwnd);
    w.rect.offset(x, y)
}

/// The part of `r` (screen) its window's ancestors let show: inside each parent's client
/// area and the screen; empty when the window or a parent is hidden.
fn clip_to_ancestors(wm: &WindowManager, hwnd: u32, r: Rect) -> Rect {
    if !is_visible(wm, hwnd) {
        return Rect::default();
    }
    let mut r = win32k::surface::intersect(r, wm.screen.bounds());
    let mut h = hwnd;
    while let Some(w) = wm.window(h) {
        if w.handle == DESKTOP || w.style & WS_CHILD == 0 {
            break;
        }
        r = win32k::surface::intersect(r, client_on_screen(wm, w.parent));
        h = w.parent;
    }
    if r.left >= r.right || r.top >= r.bottom {
        Rect::default()
    } else {
        r
    }
}

/// The visible part of a window's client area (or whole window) on the screen.
pub fn visible_rect(wm: &WindowManager, hwnd: u32, whole: bool) -> Rect {
    if hwnd == 0 || hwnd == DESKTOP {
        return wm.screen.bounds();
    }
    let r = if whole {
        window_on_screen(wm, hwnd)
    } else {
        client_on_screen(wm, hwnd)
    };
    clip_to_ancestors(wm, hwnd, r)
}

// ---- update regions ------------------------------------------------------------------

/// Adds `area` (client coordinates; None: the whole client area) to a window's update
/// region, and to its visible children's when it does not clip them. A hidden window gets
/// nothing, as NT's RedrawWindow does nothing for one. The owner's queue is woken.
pub fn invalidate(wm: &mut WindowManager, hwnd: u32, area: Option<&Region>, erase: bool) {
    let Some(w) = wm.window(hwnd).cloned() else {
        return;
    };
    if !is_visible(wm, w.handle) {
        return;
    }
    let client = Rect::new(0, 0, w.client.width(), w.client.height());
    let add = match area {
        Some(r) => r.intersect_rect(client),
        None => Region::rect(client),
    };
    if add.is_empty() {
        return;
    }
    let u = wm.updates.entry(w.handle).or_default();
    u.region = u.region.combine(&add, region::RGN_OR);
    u.erase |= erase;
    if let Some(q) = wm.queues.get(&(w.process, w.thread)) {
        q.wake();
    }
    if w.style & WS_CLIPCHILDREN == 0 {
        for c in w.children.clone() {
            let Some(cw) = wm.window(c) else { continue };
            if cw.style & WS_VISIBLE == 0 {
                continue;
            }
            // The child's client area in this window's client coordinates.
            let (ox, oy) = (cw.client.left, cw.client.top);
            let part = add.offset(-ox, -oy);
            invalidate(wm, c, Some(&part), erase);
        }
    }
}

/// Takes `area` (None: all) out of a window's update region.
pub fn validate(wm: &mut WindowManager, hwnd: u32, area: Option<&Region>) {
    let Some(h) = wm.full_handle(hwnd) else {
        return;
    };
    let empty = match (wm.updates.get_mut(&h), area) {
        (Some(u), Some(a)) => {
            u.region = u.region.combine(a, region::RGN_DIFF);
            u.region.is_empty()
        }
        (Some(_), None) => true,
        (None, _) => false,
    };
    if empty {
        wm.updates.remove(&h);
    }
}

/// The window of thread (process, thread) that WM_PAINT goes to next (windows in Z order,
/// parents before children) passing the GetMessage filter (`filter` 0: any window, else
/// that window and its descendants).
pub fn paint_target(wm: &WindowManager, process: u32, thread: u32, filter: u32) -> Option<u32> {
    if wm.updates.is_empty() {
        return None;
    }
    let ours = |h: u32| {
        wm.window(h)
            .is_some_and(|w| w.process == process && w.thread == thread)
            && wm.updates.get(&h).is_some_and(|u| !u.region.is_empty())
    };
    let candidates: Vec<u32> = match filter {
        0 | 0xFFFF_FFFF => wm.descendants(DESKTOP),
        f => std::iter::once(f).chain(wm.descendants(f)).collect(),
    };
    candidates.into_iter().find(|&h| ours(h))
}

/// The WM_PAINT GetMessage/PeekMessage return when nothing else waits, or None.
pub fn paint_message(
    call: &mut ApiCall<'_>,
    filter: u32,
    min: u32,
    max: u32,
    time: u32,
) -> Option<Message> {
    let in_range = (min == 0 && max == 0) || (min <= WM_PAINT && WM_PAINT <= max);
    if !in_range || filter == 0xFFFF_FFFF {
        return None;
    }
    let (p, t) = (call.thread.process, call.thread.thread);
    let h = paint_target(wm(call), p, t, filter)?;
    Some(Message {
        hwnd: h,
        message: WM_PAINT,
        wparam: 0,
        lparam: 0,
        time,
        pt: (0, 0),
    })
}

/// After DispatchMessage gave WM_PAINT to a window: a window that still needs painting (its
/// procedure did not call BeginPaint) is validated, as NT does, so WM_PAINT does not come
/// again for it.
pub fn after_paint_dispatch(call: &mut ApiCall<'_>, hwnd: u32) {
    validate(wm(call), hwnd, None);
}

fn read_region_arg(call: &mut ApiCall<'_>, rect: u32) -> Result<Option<Region>, ()> {
    if rect == 0 {
        return Ok(None);
    }
    let b = call.read_bytes(rect, 16).map_err(|_| ())?;
    Ok(Some(Region::rect(Rect::from_bytes(&b).ok_or(())?)))
}

/// All visible top-level windows (what a NULL window means to InvalidateRect).
fn all_top_levels(wm: &WindowManager) -> Vec<u32> {
    wm.children(DESKTOP)
}

fn invalidate_call(
    call: &mut ApiCall<'_>,
    hwnd: u32,
    area: Option<Region>,
    erase: bool,
) -> ApiReturn {
    if hwnd == 0 {
        let w = wm(call);
        for h in all_top_levels(w) {
            invalidate(w, h, None, erase);
        }
        return ApiReturn::Value(1);
    }
    let Some(h) = wm(call).full_handle(hwnd) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    invalidate(wm(call), h, area.as_ref(), erase);
    ApiReturn::Value(1)
}

/// BOOL InvalidateRect(HWND hWnd, const RECT *lpRect, BOOL bErase): adds the rectangle
/// (client coordinates; NULL: all the client area) to the update region; a NULL window
/// invalidates every top-level window.
#[export]
fn InvalidateRect(call: &mut ApiCall<'_>, hWnd: u32, lpRect: u32, bErase: bool) -> ApiReturn {
    match read_region_arg(call, lpRect) {
        Ok(r) => invalidate_call(call, hWnd, r, bErase),
        Err(()) => call.fail_win32(Win32Error::NOACCESS, 0),
    }
}

/// BOOL InvalidateRgn(HWND hWnd, HRGN hRgn, BOOL bErase).
#[export]
fn InvalidateRgn(call: &mut ApiCall<'_>, hWnd: u32, hRgn: u32, bErase: bool) -> ApiReturn {
    let r = if hRgn == 0 {
        None
    } else {
        match wm(call).gdi.region(hRgn) {
            Some(r) => Some(r.clone()),
            None => return call.fail_win32(Win32Error::INVALID_HANDLE, 0),
        }
    };
    invalidate_call(call, hWnd, r, bErase)
}

fn validate_call(call: &mut ApiCall<'_>, hwnd: u32, area: Option<Region>) -> ApiReturn {
    if hwnd == 0 {
        return ApiReturn::Value(1);
    }
    let Some(h) = wm(call).full_handle(hwnd) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    validate(wm(call), h, area.as_ref());
    ApiReturn::Value(1)
}

/// BOOL ValidateRect(HWND hWnd, const RECT *lpRect).
#[export]
fn ValidateRect(call: &mut ApiCall<'_>, hWnd: u32, lpRect: u32) -> ApiReturn {
    match read_region_arg(call, lpRect) {
        Ok(r) => validate_call(call, hWnd, r),
        Err(()) => call.fail_win32(Win32Error::NOACCESS, 0),
    }
}

/// BOOL ValidateRgn(HWND hWnd, HRGN hRgn).
#[export]
fn ValidateRgn(call: &mut ApiCall<'_>, hWnd: u32, hRgn: u32) -> ApiReturn {
    let r = if hRgn == 0 {
        None
    } else {
        match wm(call).gdi.region(hRgn) {
            Some(r) => Some(r.clone()),
            None => return call.fail_win32(Win32Error::INVALID_HANDLE, 0),
        }
    };
    validate_call(call, hWnd, r)
}

fn update_of(call: &mut ApiCall<'_>, hwnd: u32) -> Result<Update, ApiReturn> {
    let Some(h) = wm(call).full_handle(hwnd) else {
        return Err(call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0));
    };
    Ok(wm(call).updates.get(&h).cloned().unwrap_or_default())
}

/// BOOL GetUpdateRect(HWND hWnd, LPRECT lpRect, BOOL bErase): whether the window has an
/// update region; its bounds (client coordinates) to lpRect.
#[export]
fn GetUpdateRect(call: &mut ApiCall<'_>, hWnd: u32, lpRect: u32, bErase: bool) -> ApiReturn {
    let _ = bErase;
    let u = match update_of(call, hWnd) {
        Ok(u) => u,
        Err(r) => return r,
    };
    if lpRect != 0
        && call
            .write_bytes(lpRect, &u.region.bounds().to_bytes())
            .is_err()
    {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    ApiReturn::Value(u32::from(!u.region.is_empty()))
}

/// int GetUpdateRgn(HWND hWnd, HRGN hRgn, BOOL bErase): the update region copied into
/// hRgn; its complexity (ERROR for a bad window or region).
#[export]
fn GetUpdateRgn(call: &mut ApiCall<'_>, hWnd: u32, hRgn: u32, bErase: bool) -> ApiReturn {
    let _ = bErase;
    let u = match update_of(call, hWnd) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let c = u.region.complexity();
    match wm(call).gdi.region_mut(hRgn) {
        Some(r) => {
            *r = u.region;
            ApiReturn::Value(c)
        }
        None => call.fail_win32(Win32Error::INVALID_HANDLE, 0),
    }
}

/// The WM_PAINTs UpdateWindow sends: to the window, then its children that need painting.
fn update_acts(call: &mut ApiCall<'_>, hwnd: u32) -> VecDeque<Act> {
    let thread = call.thread.thread;
    let w = wm(call);
    std::iter::once(hwnd)
        .chain(w.descendants(hwnd))
        .filter(|h| {
            w.updates.get(h).is_some_and(|u| !u.region.is_empty())
                && w.window(*h).is_some_and(|win| win.thread == thread)
        })
        .map(|h| {
            Act::send_with(move |call| {
                // Sent only if it still needs painting when its turn comes.
                let needs = wm(call)
                    .updates
                    .get(&h)
                    .is_some_and(|u| !u.region.is_empty());
                needs.then_some((h, WM_PAINT, 0, 0))
            })
        })
        .chain(std::iter::once(Act::run(move |call| {
            // What the procedures left unpainted is validated, as after a dispatched WM_PAINT.
            let w = wm(call);
            for h in std::iter::once(hwnd).chain(w.descendants(hwnd)) {
                validate(w, h, None);
            }
        })))
        .collect()
}

/// BOOL UpdateWindow(HWND hWnd): sends WM_PAINT at once to the window (and its children)
/// if it has an update region.
#[export]
pub fn UpdateWindow(call: &mut ApiCall<'_>, hWnd: u32) -> ApiReturn {
    let Some(h) = wm(call).full_handle(hWnd) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    let acts = update_acts(call, h);
    let step = plan(call, acts, 0, Box::new(|_, _| Step::Return(1)));
    run(call, 1, step)
}

/// RDW_INVALIDATE.
const RDW_INVALIDATE: u32 = 0x0001;
/// RDW_ERASE.
const RDW_ERASE: u32 = 0x0004;
/// RDW_VALIDATE.
const RDW_VALIDATE: u32 = 0x0008;
/// RDW_UPDATENOW.
const RDW_UPDATENOW: u32 = 0x0100;

/// BOOL RedrawWindow(HWND hWnd, const RECT *lprcUpdate, HRGN hrgnUpdate, UINT flags):
/// invalidates or validates the rectangle or region (or all the client area), then with
/// RDW_UPDATENOW paints at once.
#[export]
fn RedrawWindow(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    lprcUpdate: u32,
    hrgnUpdate: u32,
    flags: u32,
) -> ApiReturn {
    let hwnd = if hWnd == 0 { DESKTOP } else { hWnd };
    let Some(h) = wm(call).full_handle(hwnd) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    let area = if hrgnUpdate != 0 {
        wm(call).gdi.region(hrgnUpdate).cloned()
    } else {
        match read_region_arg(call, lprcUpdate) {
            Ok(r) => r,
            Err(()) => return call.fail_win32(Win32Error::NOACCESS, 0),
        }
    };
    let targets = if h == DESKTOP {
        all_top_levels(wm(call))
    } else {
        vec![h]
    };
    for t in &targets {
        if flags & RDW_INVALIDATE != 0 {
            invalidate(wm(call), *t, area.as_ref(), flags & RDW_ERASE != 0);
        } else if flags & RDW_VALIDATE != 0 {
            validate(wm(call), *t, area.as_ref());
        }
    }
    if flags & RDW_UPDATENOW != 0 {
        let mut acts = VecDeque::new();
        for t in targets {
            acts.extend(update_acts(call, t));
        }
        let step = plan(call, acts, 0, Box::new(|_, _| Step::Return(1)));
        return run(call, 4, step);
    }
    ApiReturn::Value(1)
}

// ---- DCs -----------------------------------------------------------------------------

/// A display DC of a window's client area (or whole window), clipped to its visible part.
pub fn window_dc(call: &mut ApiCall<'_>, hwnd: u32, whole: bool) -> u32 {
    let process = call.thread.process;
    let w = wm(call);
    let (origin, vis) = dc_geometry(w, hwnd, whole);
    let window = if hwnd == 0 { DESKTOP } else { hwnd };
    let hdc = w.gdi.create_display_dc(process, window, origin, vis);
    place_dc(w, hdc, hwnd, whole);
    hdc
}

/// Brings display DC `dc` of `hwnd`'s client area (or whole window) to where the window is
/// now and to what other windows leave of it.
fn place_dc(w: &mut WindowManager, dc: u32, hwnd: u32, whole: bool) {
    let (origin, vis) = dc_geometry(w, hwnd, whole);
    w.gdi.set_dc_geometry(dc, origin, vis);
    let covered = covered_by_others(w, hwnd, whole);
    let region =
        (!covered.is_empty()).then(|| Region::rect(vis).combine(&covered, region::RGN_DIFF));
    w.gdi.set_dc_vis_region(dc, region);
}

/// WS_CLIPSIBLINGS.
const WS_CLIPSIBLINGS: u32 = 0x0400_0000;

/// What of the screen other windows cover over `hwnd` (screen coordinates): the top-level
/// windows above its top-level window, the siblings above it and its parents that clip
/// their siblings, and (for its client area) its children when it clips them.
pub fn covered_by_others(w: &WindowManager, hwnd: u32, whole: bool) -> Region {
    let mut covered = Region::new();
    if hwnd == 0 || hwnd == DESKTOP {
        return covered;
    }
    let mut h = hwnd;
    for _ in 0..0x1_0000 {
        let Some(win) = w.window(h) else { break };
        if win.handle == DESKTOP {
            break;
        }
        let top_level = win.style & WS_CHILD == 0;
        if top_level || win.style & WS_CLIPSIBLINGS != 0 {
            for s in w.children(win.parent) {
                if s == win.handle {
                    break;
                }
                if is_visible(w, s) {
                    covered = covered.union_rect(window_on_screen(w, s));
                }
            }
        }
        if top_level {
            break;
        }
        h = win.parent;
    }
    if !whole
        && let Some(win) = w.window(hwnd)
        && win.style & WS_CLIPCHILDREN != 0
    {
        for c in w.children(hwnd) {
            if is_visible(w, c) {
                covered = covered.union_rect(window_on_screen(w, c));
            }
        }
    }
    covered
}

fn dc_geometry(w: &WindowManager, hwnd: u32, whole: bool) -> ((i32, i32), Rect) {
    let vis = visible_rect(w, hwnd, whole);
    let origin = if hwnd == 0 || hwnd == DESKTOP {
        (0, 0)
    } else if whole {
        let r = window_on_screen(w, hwnd);
        (r.left, r.top)
    } else {
        w.client_origin(hwnd)
    };
    (origin, vis)
}

/// The DC GetDC gives: the window's own for CS_OWNDC (and its class's for CS_CLASSDC),
/// brought to where the window is now, else a new one.
fn get_dc(call: &mut ApiCall<'_>, hwnd: u32, whole: bool) -> ApiReturn {
    let h = if hwnd == 0 {
        0
    } else {
        match wm(call).full_handle(hwnd) {
            Some(h) => h,
            None => return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0),
        }
    };
    let class = wm(call).window(h).map(|w| w.class);
    let class_style = class
        .and_then(|c| wm(call).class(c).map(|c| c.style))
        .unwrap_or(0);
    let key = match (whole, class_style & (CS_OWNDC | CS_CLASSDC)) {
        (false, CS_OWNDC) => Some(h),
        (false, CS_CLASSDC) => wm(call)
            .window(h)
            .map(|w| 0x8000_0000 | (w.class as u32 + 1)),
        _ => None,
    };
    if let Some(key) = key {
        let have = state(call).own_dcs.get(&key).copied();
        if let Some(dc) = have.filter(|&dc| wm(call).gdi.dc(dc).is_some()) {
            let w = wm(call);
            place_dc(w, dc, h, false);
            if let Some(d) = w.gdi.dc_mut(dc) {
                d.kind = gdi::DcKind::Display { window: h };
            }
            return ApiReturn::Value(dc);
        }
        let dc = window_dc(call, h, false);
        let st = state(call);
        st.own_dcs.insert(key, dc);
        st.gotten.insert(dc, (h, false));
        return ApiReturn::Value(dc);
    }
    let dc = window_dc(call, h, whole);
    state(call).gotten.insert(dc, (h, whole));
    ApiReturn::Value(dc)
}

/// Brings every DC a program holds from GetDC (and the own DCs) to where its window is now
/// and to what other windows leave of it: called after windows move, show, hide or change
/// places.
pub fn refresh_dcs(call: &mut ApiCall<'_>) {
    let gotten: Vec<(u32, (u32, bool))> =
        state(call).gotten.iter().map(|(&d, &g)| (d, g)).collect();
    let w = wm(call);
    let mut gone = Vec::new();
    for (dc, (hwnd, whole)) in gotten {
        if w.gdi.dc(dc).is_none() || (hwnd != 0 && w.window(hwnd).is_none()) {
            gone.push(dc);
            continue;
        }
        place_dc(w, dc, hwnd, whole);
    }
    let st = state(call);
    for dc in gone {
        st.gotten.remove(&dc);
    }
}

/// HDC GetDC(HWND hWnd): a DC of the client area (NULL: the screen).
#[export]
fn GetDC(call: &mut ApiCall<'_>, hWnd: u32) -> ApiReturn {
    get_dc(call, hWnd, false)
}

/// DCX_WINDOW.
const DCX_WINDOW: u32 = 0x0001;

/// HDC GetDCEx(HWND hWnd, HRGN hrgnClip, DWORD flags): DCX_WINDOW gives the whole window's;
/// the other flags change nothing here.
#[export]
fn GetDCEx(call: &mut ApiCall<'_>, hWnd: u32, hrgnClip: u32, flags: u32) -> ApiReturn {
    let _ = hrgnClip;
    get_dc(call, hWnd, flags & DCX_WINDOW != 0)
}

/// HDC GetWindowDC(HWND hWnd): a DC of the whole window, frame included.
#[export]
fn GetWindowDC(call: &mut ApiCall<'_>, hWnd: u32) -> ApiReturn {
    get_dc(call, hWnd, true)
}

/// int ReleaseDC(HWND hWnd, HDC hDC): 1 when the DC was one GetDC gave (an own DC stays).
#[export]
fn ReleaseDC(call: &mut ApiCall<'_>, hWnd: u32, hDC: u32) -> ApiReturn {
    let _ = hWnd;
    let own = state(call).own_dcs.values().any(|&d| d == hDC);
    if !own {
        state(call).gotten.remove(&hDC);
    }
    let g = &mut wm(call).gdi;
    match g.dc(hDC).map(|d| d.kind) {
        Some(gdi::DcKind::Display { .. }) => {
            if !own {
                g.delete_dc(hDC);
            }
            ApiReturn::Value(1)
        }
        _ => ApiReturn::Value(0),
    }
}

/// HWND WindowFromDC(HDC hDC): the window a display DC belongs to.
#[export]
fn WindowFromDC(call: &mut ApiCall<'_>, hDC: u32) -> u32 {
    match wm(call).gdi.dc(hDC).map(|d| d.kind) {
        Some(gdi::DcKind::Display { window }) => window,
        _ => 0,
    }
}

/// HDC BeginPaint(HWND hWnd, LPPAINTSTRUCT lpPaint): takes the update region (validating
/// it), makes a DC drawing only there, sends WM_ERASEBKGND when an erase is pending
/// (fErase tells whether the procedure still has to erase), fills the PAINTSTRUCT.
#[export]
fn BeginPaint(call: &mut ApiCall<'_>, hWnd: u32, lpPaint: Ptr) -> ApiReturn {
    let Some(h) = wm(call).full_handle(hWnd) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    let step = begin_paint(call, h, lpPaint.0, Box::new(|_, hdc| Step::Return(hdc)));
    run(call, 2, step)
}

/// BeginPaint's work; `then` gets the DC.
fn begin_paint(call: &mut ApiCall<'_>, hwnd: u32, ps: u32, then: crate::wm::Done) -> Step {
    let update = wm(call).updates.remove(&hwnd).unwrap_or_default();
    let hdc = window_dc(call, hwnd, false);
    // The DC draws only in the update region's bounds.
    let bounds = update.region.bounds();
    {
        let w = wm(call);
        if let Some(d) = w.gdi.dc(hdc).cloned() {
            let area = bounds.offset(d.origin.0, d.origin.1);
            w.gdi
                .set_dc_geometry(hdc, d.origin, win32k::surface::intersect(d.vis, area));
        }
    }
    let write = move |call: &mut ApiCall<'_>, erase_left: bool| {
        let mut b = Vec::with_capacity(64);
        b.extend(hdc.to_le_bytes());
        b.extend(u32::from(erase_left).to_le_bytes());
        b.extend(bounds.to_bytes());
        b.extend([0u8; 40]);
        call.write_bytes(ps, &b).is_ok()
    };
    if update.erase {
        let acts: VecDeque<Act> = [
            Act::Send(hwnd, WM_ERASEBKGND, hdc, 0),
            Act::check(move |call, r| {
                if !write(call, r == 0) {
                    call.set_last_error(Win32Error::NOACCESS.0);
                }
                Some(then(call, hdc))
            }),
        ]
        .into();
        return plan(call, acts, 0, Box::new(move |_, _| Step::Return(hdc)));
    }
    if !write(call, false) {
        call.set_last_error(Win32Error::NOACCESS.0);
    }
    then(call, hdc)
}

/// BOOL EndPaint(HWND hWnd, const PAINTSTRUCT *lpPaint): releases BeginPaint's DC.
#[export]
fn EndPaint(call: &mut ApiCall<'_>, hWnd: u32, lpPaint: Ptr) -> ApiReturn {
    let _ = hWnd;
    if let Ok(hdc) = call.read_u32(lpPaint.0) {
        let g = &mut wm(call).gdi;
        if matches!(g.dc(hdc).map(|d| d.kind), Some(gdi::DcKind::Display { .. })) {
            g.delete_dc(hdc);
        }
    }
    ApiReturn::Value(1)
}

/// DefWindowProc's WM_PAINT: BeginPaint and EndPaint (which erase if needed).
pub fn default_paint(call: &mut ApiCall<'_>, hwnd: u32) -> Step {
    // A PAINTSTRUCT is not given: the DC goes as soon as the erase is done.
    begin_paint_no_struct(call, hwnd)
}

fn begin_paint_no_struct(call: &mut ApiCall<'_>, hwnd: u32) -> Step {
    let update = wm(call).updates.remove(&hwnd).unwrap_or_default();
    if !update.erase {
        return Step::Return(0);
    }
    let hdc = window_dc(call, hwnd, false);
    let bounds = update.region.bounds();
    {
        let w = wm(call);
        if let Some(d) = w.gdi.dc(hdc).cloned() {
            let area = bounds.offset(d.origin.0, d.origin.1);
            w.gdi
                .set_dc_geometry(hdc, d.origin, win32k::surface::intersect(d.vis, area));
        }
    }
    let acts: VecDeque<Act> = [
        Act::Send(hwnd, WM_ERASEBKGND, hdc, 0),
        Act::run(move |call| {
            wm(call).gdi.delete_dc(hdc);
        }),
    ]
    .into();
    plan(call, acts, 0, Box::new(|_, _| Step::Return(0)))
}

/// DefWindowProc's WM_ERASEBKGND: fills the DC's area with the class's background brush;
/// 1 when it did, 0 for a class with none.
pub fn default_erase(call: &mut ApiCall<'_>, hwnd: u32, hdc: u32) -> u32 {
    let Some(class) = wm(call).window(hwnd).map(|w| w.class) else {
        return 0;
    };
    let background = wm(call).class(class).map_or(0, |c| c.background);
    if background == 0 {
        return 0;
    }
    let brush = brush_of(call, background);
    let Some((area, _)) = wm(call).gdi.clip_box(hdc) else {
        return 0;
    };
    gdi32::draw_with(call, hdc, &[], |g, s| {
        g.pat_blt(s, hdc, area, PATCOPY, Some(brush));
    });
    1
}

// ---- what moving, showing and hiding expose --------------------------------------------

/// Two acts around a SetWindowPos change of `hwnd`: the first notes where the window was
/// and whether it showed, the second (after the change) invalidates what the change
/// exposed: the window's whole client area (and its children's) when it shows now and
/// moved, changed size or appeared; the windows under what it uncovered; the desktop
/// repainted where it uncovered the desktop itself.
pub fn exposure_acts(hwnd: u32) -> (Act, Act) {
    let before: Arc<Mutex<Option<(Rect, bool)>>> = Arc::new(Mutex::new(None));
    let b2 = before.clone();
    let first = Act::run(move |call| {
        let w = wm(call);
        let r = window_on_screen(w, hwnd);
        let shown = is_visible(w, hwnd);
        if let Ok(mut g) = before.lock() {
            *g = Some((r, shown));
        }
    });
    let second = Act::run(move |call| {
        let Some((old, was)) = b2.lock().ok().and_then(|g| *g) else {
            return;
        };
        exposed(wm(call), hwnd, old, was);
        refresh_dcs(call);
    });
    (first, second)
}

/// What SetWindowPos sends after showing or moving `hwnd`: WM_ERASEBKGND at once when its
/// update region waits to be erased (as NT erases a window it exposes before the call
/// returns); the erase stays pending when the procedure answers 0.
pub fn erase_now_acts(hwnd: u32) -> Vec<Act> {
    let dc: Arc<Mutex<u32>> = Arc::new(Mutex::new(0));
    let (d1, d2) = (dc.clone(), dc);
    vec![
        Act::send_with(move |call| {
            let u = wm(call)
                .updates
                .get(&hwnd)
                .filter(|u| u.erase && !u.region.is_empty())?;
            let bounds = u.region.bounds();
            let hdc = window_dc(call, hwnd, false);
            let w = wm(call);
            if let Some(d) = w.gdi.dc(hdc).cloned() {
                let area = bounds.offset(d.origin.0, d.origin.1);
                w.gdi
                    .set_dc_geometry(hdc, d.origin, win32k::surface::intersect(d.vis, area));
            }
            if let Some(u) = w.updates.get_mut(&hwnd) {
                u.erase = false;
            }
            if let Ok(mut g) = d1.lock() {
                *g = hdc;
            }
            Some((hwnd, WM_ERASEBKGND, hdc, 0))
        }),
        Act::check(move |call, r| {
            let hdc = d2.lock().map(|g| *g).unwrap_or(0);
            if hdc != 0 {
                wm(call).gdi.delete_dc(hdc);
                if r == 0
                    && let Some(u) = wm(call).updates.get_mut(&hwnd)
                {
                    u.erase = true;
                }
            }
            None
        }),
    ]
}

/// See [`exposure_acts`].
pub fn exposed(w: &mut WindowManager, hwnd: u32, old: Rect, was: bool) {
    let now = is_visible(w, hwnd);
    let new = window_on_screen(w, hwnd);
    if !now {
        // A hidden window has nothing to paint: its update region (and its children's) goes.
        for h in std::iter::once(hwnd).chain(w.descendants(hwnd)) {
            validate(w, h, None);
        }
    }
    if now && (!was || new != old) {
        invalidate(w, hwnd, None, true);
        for c in w.descendants(hwnd) {
            invalidate(w, c, None, true);
        }
    }
    if !was || (now && new == old) {
        return;
    }
    let mut uncovered = Region::rect(old);
    if now {
        uncovered = uncovered.combine(&Region::rect(new), region::RGN_DIFF);
    }
    if uncovered.is_empty() {
        return;
    }
    let Some(win) = w.window(hwnd).cloned() else {
        return;
    };
    let (parent, top_level) = (win.parent, win.style & WS_CHILD == 0);
    // The siblings (and their children) under the uncovered part.
    let siblings: Vec<u32> = w
        .children(parent)
        .into_iter()
        .filter(|&s| s != hwnd)
        .collect();
    for s in siblings {
        if !is_visible(w, s) {
            continue;
        }
        for t in std::iter::once(s).chain(w.descendants(s)) {
            let c = client_on_screen(w, t);
            let part = uncovered.intersect_rect(c).offset(-c.left, -c.top);
            if !part.is_empty() {
                invalidate(w, t, Some(&part), true);
            }
        }
    }
    if top_level {
        // The desktop itself shows where no other top-level window is.
        let mut desk = uncovered.clone();
        for s in w.children(DESKTOP) {
            if s != hwnd && is_visible(w, s) {
                desk = desk.combine(&Region::rect(window_on_screen(w, s)), region::RGN_DIFF);
            }
        }
        for r in desk.rects() {
            w.screen.fill(*r, DESKTOP_COLOUR);
        }
    } else if parent != DESKTOP {
        let c = client_on_screen(w, parent);
        let part = uncovered.intersect_rect(c).offset(-c.left, -c.top);
        invalidate(w, parent, Some(&part), true);
    }
}

// ---- USER's drawing ----------------------------------------------------------------------

/// PATCOPY.
const PATCOPY: u32 = 0x00F0_0021;
/// PATINVERT.
const PATINVERT: u32 = 0x005A_0049;
/// DSTINVERT.
const DSTINVERT: u32 = 0x0055_0009;

fn read_rect(call: &ApiCall<'_>, address: u32) -> Option<Rect> {
    Rect::from_bytes(&call.read_bytes(address, 16).ok()?)
}

/// int FillRect(HDC hDC, const RECT *lprc, HBRUSH hbr): the rectangle (right and bottom
/// left out) in the brush, PATCOPY (the DC's ROP2 does not count); hbr may be
/// (HBRUSH)(COLOR_x + 1).
#[export]
fn FillRect(call: &mut ApiCall<'_>, hDC: u32, lprc: Ptr, hbr: u32) -> ApiReturn {
    let Some(r) = read_rect(call, lprc.0) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    let brush = brush_of(call, hbr);
    if !matches!(wm(call).gdi.get(brush), Some(Object::Brush(_))) || wm(call).gdi.dc(hDC).is_none()
    {
        return call.fail_win32(Win32Error::INVALID_HANDLE, 0);
    }
    let ok = gdi32::draw_with(call, hDC, &[], |g, s| {
        g.pat_blt(s, hDC, r, PATCOPY, Some(brush))
    });
    ApiReturn::Value(u32::from(ok))
}

/// The four one-pixel edges of a rectangle (nothing for an empty one).
fn edges(r: Rect, w: i32, h: i32) -> Vec<Rect> {
    if r.right <= r.left || r.bottom <= r.top {
        return Vec::new();
    }
    vec![
        Rect::new(r.left, r.top, r.right, r.top + h),
        Rect::new(r.left, r.bottom - h, r.right, r.bottom),
        Rect::new(r.left, r.top + h, r.left + w, r.bottom - h),
        Rect::new(r.right - w, r.top + h, r.right, r.bottom - h),
    ]
}

/// int FrameRect(HDC hDC, const RECT *lprc, HBRUSH hbr): a one-pixel border in the brush.
#[export]
fn FrameRect(call: &mut ApiCall<'_>, hDC: u32, lprc: Ptr, hbr: u32) -> ApiReturn {
    let Some(r) = read_rect(call, lprc.0) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    let brush = brush_of(call, hbr);
    if !matches!(wm(call).gdi.get(brush), Some(Object::Brush(_))) || wm(call).gdi.dc(hDC).is_none()
    {
        return call.fail_win32(Win32Error::INVALID_HANDLE, 0);
    }
    let ok = gdi32::draw_with(call, hDC, &[], |g, s| {
        edges(r, 1, 1)
            .into_iter()
            .all(|e| g.pat_blt(s, hDC, e, PATCOPY, Some(brush)))
    });
    ApiReturn::Value(u32::from(ok))
}

/// BOOL InvertRect(HDC hDC, const RECT *lprc).
#[export]
fn InvertRect(call: &mut ApiCall<'_>, hDC: u32, lprc: Ptr) -> ApiReturn {
    let Some(r) = read_rect(call, lprc.0) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    if wm(call).gdi.dc(hDC).is_none() {
        return call.fail_win32(Win32Error::INVALID_HANDLE, 0);
    }
    let ok = gdi32::draw_with(call, hDC, &[], |g, s| g.pat_blt(s, hDC, r, DSTINVERT, None));
    ApiReturn::Value(u32::from(ok))
}

/// BOOL DrawFocusRect(HDC hDC, const RECT *lprc): the one-pixel border inverted through a
/// checkerboard (every other pixel), so drawing it twice takes it away.
#[export]
fn DrawFocusRect(call: &mut ApiCall<'_>, hDC: u32, lprc: Ptr) -> ApiReturn {
    let Some(r) = read_rect(call, lprc.0) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    if wm(call).gdi.dc(hDC).is_none() {
        return call.fail_win32(Win32Error::INVALID_HANDLE, 0);
    }
    let mut brush = state(call).focus_brush;
    if brush == 0 {
        let mut s = Surface::new(8, 8, 0);
        for y in 0..8 {
            for x in 0..8 {
                if (x + y) % 2 == 1 {
                    s.set(x, y, 0xFF_FFFF);
                }
            }
        }
        brush = wm(call).gdi.insert_stock(Object::Brush(gdi::Brush {
            style: gdi::BS_PATTERN,
            colour: 0,
            hatch: 0,
            pattern: Some((s, false)),
        }));
        state(call).focus_brush = brush;
    }
    let ok = gdi32::draw_with(call, hDC, &[], |g, s| {
        edges(r, 1, 1)
            .into_iter()
            .all(|e| g.pat_blt(s, hDC, e, PATINVERT, Some(brush)))
    });
    ApiReturn::Value(u32::from(ok))
}

/// RT_BITMAP.
const RT_BITMAP: u16 = 2;

/// LoadBitmapA/W's work: the module's RT_BITMAP resource (a DIB) as a device bitmap
/// (monochrome for a 1-bit black and white one).
fn load_bitmap(call: &mut ApiCall<'_>, module: u32, name: u32, wide: bool) -> ApiReturn {
    if module == 0 {
        // The OBM_ system bitmaps are not there.
        return call.fail(NtStatus::RESOURCE_NAME_NOT_FOUND);
    }
    let id = if name < 0x1_0000 {
        ResourceId::Id(name as u16)
    } else {
        match read_text(call, name, wide) {
            Some(u) => ResourceId::Name(String::from_utf16_lossy(&u).to_uppercase()),
            None => return call.fail(NtStatus::ACCESS_VIOLATION),
        }
    };
    let (address, entry) =
        match kernel32::resource::find(call, module, &ResourceId::Id(RT_BITMAP), &id, 0) {
            Ok(f) => f,
            Err(m) => return call.fail(m.status()),
        };
    let Ok(data) = call.read_bytes(address, entry.size as usize) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let Some((surface, mono)) = decode_packed_dib(&data) else {
        return call.fail(NtStatus::RESOURCE_DATA_NOT_FOUND);
    };
    let h = wm(call).gdi.insert(Object::Bitmap(Box::new(gdi::Bitmap {
        surface,
        bpp: if mono { 1 } else { gdi::SCREEN_BPP },
        mono,
        dib: None,
        selected_in: 0,
        dimension: (0, 0),
    })));
    ApiReturn::Value(h)
}

/// A packed DIB's pixels, and whether it is a black and white 1-bit picture.
pub fn decode_packed_dib(data: &[u8]) -> Option<(Surface, bool)> {
    let size = u32::from_le_bytes(data.get(0..4)?.try_into().ok()?) as usize;
    let header = data.get(..size)?;
    let rest = data.get(size..)?;
    let f = DibFormat::parse(header, rest)?;
    let compression = if size >= 40 {
        u32::from_le_bytes(header[16..20].try_into().ok()?)
    } else {
        0
    };
    let table = if size < 40 {
        f.colours.len() * 3
    } else {
        f.colours.len() * 4 + if compression == 3 && size < 52 { 12 } else { 0 }
    };
    let bits = rest.get(table..).unwrap_or_default();
    let mono = f.bpp == 1 && f.colours == [0, 0xFF_FFFF];
    Some((f.decode(bits), mono))
}

/// HBITMAP LoadBitmapA(HINSTANCE hInstance, LPCSTR lpBitmapName).
#[export]
fn LoadBitmapA(call: &mut ApiCall<'_>, hInstance: u32, lpBitmapName: u32) -> ApiReturn {
    load_bitmap(call, hInstance, lpBitmapName, false)
}

/// HBITMAP LoadBitmapW(HINSTANCE hInstance, LPCWSTR lpBitmapName).
#[export]
fn LoadBitmapW(call: &mut ApiCall<'_>, hInstance: u32, lpBitmapName: u32) -> ApiReturn {
    load_bitmap(call, hInstance, lpBitmapName, true)
}

/// DrawText's work for the A and W forms: reads the text (`count` -1: to its NUL) and the
/// rectangle, lays the text out with the DC's font by `format`, draws it unless
/// DT_CALCRECT, and writes back the rectangle DT_CALCRECT computes. The text's height; 0
/// for an empty text, a bad DC or rectangle.
fn draw_text_export(
    call: &mut ApiCall<'_>,
    hdc: u32,
    text: Ptr,
    count: i32,
    rect: Ptr,
    format: u32,
    wide: bool,
) -> ApiReturn {
    const DT_CALCRECT: u32 = 0x400;
    if count == 0 {
        return ApiReturn::Value(0);
    }
    let Some(r) = gdi32::read_rect(call, rect.0) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let Some(units) = gdi32::text::read_units(call, text.0, count, wide) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    let Some((height, calc)) = gdi32::text::draw_text(call, hdc, &units, r, format) else {
        return call.fail_win32(Win32Error::INVALID_HANDLE, 0);
    };
    if format & DT_CALCRECT != 0 && call.write_bytes(rect.0, &calc.to_bytes()).is_err() {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    ApiReturn::Value(height as u32)
}

/// int DrawTextA(HDC hdc, LPCSTR lpchText, int cchText, LPRECT lprc, UINT format).
#[export]
fn DrawTextA(
    call: &mut ApiCall<'_>,
    hdc: u32,
    lpchText: Ptr,
    cchText: i32,
    lprc: Ptr,
    format: u32,
) -> ApiReturn {
    draw_text_export(call, hdc, lpchText, cchText, lprc, format, false)
}

/// int DrawTextW(HDC hdc, LPCWSTR lpchText, int cchText, LPRECT lprc, UINT format).
#[export]
fn DrawTextW(
    call: &mut ApiCall<'_>,
    hdc: u32,
    lpchText: Ptr,
    cchText: i32,
    lprc: Ptr,
    format: u32,
) -> ApiReturn {
    draw_text_export(call, hdc, lpchText, cchText, lprc, format, true)
}

/// int DrawTextExA(HDC hdc, LPSTR lpchText, int cchText, LPRECT lprc, UINT format,
/// LPDRAWTEXTPARAMS lpdtp): DrawText (the tab length, margins and drawn length of
/// DRAWTEXTPARAMS are not applied).
#[export]
fn DrawTextExA(
    call: &mut ApiCall<'_>,
    hdc: u32,
    lpchText: Ptr,
    cchText: i32,
    lprc: Ptr,
    format: u32,
    lpdtp: Ptr,
) -> ApiReturn {
    let _ = lpdtp;
    draw_text_export(call, hdc, lpchText, cchText, lprc, format, false)
}

/// int DrawTextExW(HDC hdc, LPWSTR lpchText, int cchText, LPRECT lprc, UINT format,
/// LPDRAWTEXTPARAMS lpdtp).
#[export]
fn DrawTextExW(
    call: &mut ApiCall<'_>,
    hdc: u32,
    lpchText: Ptr,
    cchText: i32,
    lprc: Ptr,
    format: u32,
    lpdtp: Ptr,
) -> ApiReturn {
    let _ = lpdtp;
    draw_text_export(call, hdc, lpchText, cchText, lprc, format, true)
}

/// DWORD GetSysColor(int nIndex): the system colour COLOR_`nIndex` of NT 4.0's Windows
/// Standard scheme (a COLORREF); 0 for an index NT 4.0 does not define.
#[export]
fn GetSysColor(call: &mut ApiCall<'_>, nIndex: u32) -> u32 {
    let _ = call;
    SYS_COLOUR_TABLE.get(nIndex as usize).copied().unwrap_or(0)
}

/// HBRUSH GetSysColorBrush(int nIndex): the solid brush of system colour `nIndex`, a
/// stock object DeleteObject leaves alone; NULL for an index NT 4.0 does not define.
#[export]
fn GetSysColorBrush(call: &mut ApiCall<'_>, nIndex: u32) -> u32 {
    if nIndex as usize >= SYS_COLOURS {
        return 0;
    }
    sys_colour_brush(call, nIndex as usize)
}
