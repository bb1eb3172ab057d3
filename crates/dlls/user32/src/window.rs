//! Windows: CreateWindowExA/W with NT's creation messages, DestroyWindow, the window tree
//! (GetParent, GetWindow, IsChild, EnumWindows, FindWindow...), Get/SetWindowLong, window
//! text, rectangles, and SetWindowPos / ShowWindow / MoveWindow.
//!
//! CreateWindowEx sends, in NT's order: WM_GETMINMAXINFO (overlapped and sizing windows),
//! WM_NCCREATE, WM_NCCALCSIZE, WM_CREATE, WM_SIZE, WM_MOVE, WM_PARENTNOTIFY to the parent of
//! a child, and, for WS_VISIBLE, what ShowWindow sends (WM_SHOWWINDOW, WM_WINDOWPOSCHANGING,
//! WM_WINDOWPOSCHANGED). DestroyWindow destroys owned windows first, notifies a child's
//! parent, hides a visible window, then sends WM_DESTROY to the window and its descendants
//! (parents first) and WM_NCDESTROY (children first), each window going as its WM_NCDESTROY
//! returns.
//!
//! The console window (KERNEL32's GetConsoleWindow) is not one of these: IsWindow and
//! GetClientRect know it besides.

use std::collections::VecDeque;

use nt_status::Win32Error;
use win32::{ApiCall, ApiReturn, Ptr, export};
use win32k::geometry::{self, Rect};
use win32k::{ClassName, DESKTOP, Life, WS_CHILD, WS_DISABLED, WS_POPUP, WS_VISIBLE, Window};

use crate::class;
use crate::guest::{Step, run, scratch};
use crate::message::{ensure_queue, reap, send_message};
use crate::wm::*;

/// CW_USEDEFAULT.
const CW_USEDEFAULT: u32 = 0x8000_0000;
/// WS_CAPTION.
const WS_CAPTION: u32 = 0x00C0_0000;
/// WS_THICKFRAME.
const WS_THICKFRAME: u32 = 0x0004_0000;
/// WS_CLIPSIBLINGS.
const WS_CLIPSIBLINGS: u32 = 0x0400_0000;
/// WS_EX_DLGMODALFRAME.
const WS_EX_DLGMODALFRAME: u32 = 0x0001;
/// WS_EX_NOPARENTNOTIFY.
const WS_EX_NOPARENTNOTIFY: u32 = 0x0004;
/// WS_EX_WINDOWEDGE.
const WS_EX_WINDOWEDGE: u32 = 0x0100;

/// SWP_NOREDRAW.
pub const SWP_NOREDRAW: u32 = 0x0008;
/// SWP_NOSIZE.
pub const SWP_NOSIZE: u32 = 0x0001;
/// SWP_NOMOVE.
pub const SWP_NOMOVE: u32 = 0x0002;
/// SWP_NOZORDER.
pub const SWP_NOZORDER: u32 = 0x0004;
/// SWP_NOACTIVATE.
pub const SWP_NOACTIVATE: u32 = 0x0010;
/// SWP_FRAMECHANGED.
pub const SWP_FRAMECHANGED: u32 = 0x0020;
/// SWP_SHOWWINDOW.
pub const SWP_SHOWWINDOW: u32 = 0x0040;
/// SWP_HIDEWINDOW.
pub const SWP_HIDEWINDOW: u32 = 0x0080;
/// SWP_NOSENDCHANGING.
pub const SWP_NOSENDCHANGING: u32 = 0x0400;
/// SWP_NOCLIENTSIZE (NT's internal flag, seen in WM_WINDOWPOSCHANGED).
pub const SWP_NOCLIENTSIZE: u32 = 0x0800;
/// SWP_NOCLIENTMOVE (likewise).
pub const SWP_NOCLIENTMOVE: u32 = 0x1000;

/// Offsets in an activation's scratch area.
const CS_OFF: u32 = 0;
const MMI_OFF: u32 = 48;
const CALC_OFF: u32 = 88;
const WP_OFF: u32 = 140;
const STYLE_OFF: u32 = 168;
/// Converted text for the procedure (up to [`OLD_OFF`]).
pub const TEXT_OFF: u32 = 176;
/// SetWindowPos's old window and client rectangles (to the end of the scratch area).
pub const OLD_OFF: u32 = 480;

/// Words as little-endian bytes.
fn words(w: &[u32]) -> Vec<u8> {
    w.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Words read from the guest.
fn read_words(call: &ApiCall<'_>, address: u32, n: usize) -> Option<Vec<u32>> {
    let b = call.read_bytes(address, 4 * n).ok()?;
    Some(
        b.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    )
}

/// MAKELONG of two 16-bit halves.
fn make_long(lo: i32, hi: i32) -> u32 {
    (lo as u32 & 0xFFFF) | ((hi as u32 & 0xFFFF) << 16)
}

// ---- creation --------------------------------------------------------------------------

/// CreateWindowExA/W's work.
#[allow(clippy::too_many_arguments)]
pub fn create(
    call: &mut ApiCall<'_>,
    ex_style: u32,
    class_arg: u32,
    name_arg: u32,
    style: u32,
    xywh: [u32; 4],
    parent: u32,
    menu: u32,
    instance: u32,
    param: u32,
    wide: bool,
) -> Step {
    create_then(
        call, ex_style, class_arg, name_arg, style, xywh, parent, menu, instance, param, wide, None,
    )
}

/// CreateWindowExA/W's work, ending with `done` given the new window (or 0) when one is
/// given (a control making its parts); an early failure returns 0 without it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn create_then(
    call: &mut ApiCall<'_>,
    ex_style: u32,
    class_arg: u32,
    name_arg: u32,
    style: u32,
    xywh: [u32; 4],
    parent: u32,
    menu: u32,
    instance: u32,
    param: u32,
    wide: bool,
    done: Option<crate::wm::Done>,
) -> Step {
    ensure_queue(call);
    let fail = |call: &mut ApiCall<'_>, e: Win32Error| {
        call.set_last_error(e.0);
        Step::Return(0)
    };
    let Some(class_name) = read_class_name(call, class_arg, wide) else {
        return fail(call, Win32Error::CANNOT_FIND_WND_CLASS);
    };
    let Some(ci) = class::find(call, instance, &class_name) else {
        return fail(call, Win32Error::CANNOT_FIND_WND_CLASS);
    };
    let child = style & WS_CHILD != 0;
    let (parent, owner) = if child {
        if parent == 0 {
            return fail(call, Win32Error::TLW_WITH_WSCHILD);
        }
        match wm(call).full_handle(parent) {
            Some(p) => (p, 0),
            None => return fail(call, Win32Error::INVALID_WINDOW_HANDLE),
        }
    } else if parent != 0 {
        let Some(mut o) = wm(call).full_handle(parent) else {
            return fail(call, Win32Error::INVALID_WINDOW_HANDLE);
        };
        // The owner is the top-level window the given one is in.
        while let Some(w) = wm(call).window(o).filter(|w| w.style & WS_CHILD != 0) {
            o = w.parent;
        }
        (DESKTOP, if o == DESKTOP { 0 } else { o })
    } else {
        (DESKTOP, 0)
    };
    let Some(mut c) = wm(call).class(ci).cloned() else {
        return fail(call, Win32Error::CANNOT_FIND_WND_CLASS);
    };
    // A top-level window's menu: the one given, else the class's (lpszMenuName).
    let menu = if child {
        menu
    } else {
        match crate::menu::window_menu(call, menu, &c, instance) {
            Ok(m) => m,
            Err(e) => return fail(call, e),
        }
    };
    if c.system && crate::class::takes_caller_charset(&c.name) {
        // NT's controls have ANSI and Unicode procedures: the window gets the caller's.
        c.unicode = wide;
    }
    let [x, y, cx, cy] = xywh;
    let overlapped = style & (WS_CHILD | WS_POPUP) == 0;
    let (mut x, mut y) = (x as i32, y as i32);
    let (mut cx, mut cy) = (cx as i32, cy as i32);
    if xywh[0] == CW_USEDEFAULT {
        if overlapped {
            let step = wm(call).cascade % 8;
            wm(call).cascade += 1;
            x = step as i32 * (geometry::CAPTION + geometry::FRAME);
            y = x;
        } else {
            x = 0;
            y = 0;
        }
    }
    let screen = wm(call).screen_size();
    if xywh[2] == CW_USEDEFAULT {
        if overlapped {
            cx = screen.0 * 3 / 4 - x;
            cy = screen.1 * 3 / 4 - y;
        } else {
            cx = 0;
            cy = 0;
        }
    }
    let (cx, cy) = (cx.max(0), cy.max(0));
    let wants_visible = style & WS_VISIBLE != 0;
    let cs_parent = if child { parent } else { owner };
    let mut style = style & !WS_VISIBLE;
    if overlapped {
        style |= WS_CLIPSIBLINGS | WS_CAPTION;
    }
    let mut ex_style = ex_style;
    if style & WS_THICKFRAME != 0
        || style & WS_CAPTION == 0x0040_0000
        || ex_style & WS_EX_DLGMODALFRAME != 0
        || style & WS_CAPTION == WS_CAPTION
    {
        ex_style |= WS_EX_WINDOWEDGE;
    }
    let rect = Rect::new(x, y, x.wrapping_add(cx), y.wrapping_add(cy));
    let window = Window {
        handle: 0,
        process: call.thread.process,
        thread: call.thread.thread,
        class: ci,
        style,
        ex_style,
        id: menu,
        user_data: 0,
        wndproc: c.wndproc,
        unicode: c.unicode,
        instance,
        parent,
        owner,
        text: Vec::new(),
        rect,
        client: rect,
        extra: vec![0; c.window_extra as usize],
        children: Vec::new(),
        life: Life::Creating,
        size_move_owed: false,
    };
    let hwnd = wm(call).insert(window);
    if hwnd == 0 {
        return fail(call, Win32Error::NOT_ENOUGH_MEMORY);
    }
    let base = scratch(call);
    // CREATESTRUCT: names in the procedure's character set.
    let mut text_at = base + TEXT_OFF;
    let mut convert = |call: &mut ApiCall<'_>, arg: u32| -> u32 {
        if arg < 0x1_0000 || c.unicode == wide {
            return arg;
        }
        let Some(units) = read_text(call, arg, wide) else {
            return arg;
        };
        let mut bytes = encode_text(&units, c.unicode);
        let room = (base + OLD_OFF).saturating_sub(text_at) as usize;
        if bytes.len() > room {
            return arg;
        }
        bytes.resize(bytes.len().next_multiple_of(4), 0);
        let at = text_at;
        if call.write_bytes(at, &bytes).is_err() {
            return arg;
        }
        text_at += bytes.len() as u32;
        at
    };
    let name_ptr = if name_arg == 0 {
        0
    } else {
        convert(call, name_arg)
    };
    let class_ptr = convert(call, class_arg);
    let cs = [
        param, instance, menu, cs_parent, cy as u32, cx as u32, y as u32, x as u32, style,
        name_ptr, class_ptr, ex_style,
    ];
    let cs_addr = base + CS_OFF;
    if call.write_bytes(cs_addr, &words(&cs)).is_err() {
        wm(call).remove(hwnd);
        return fail(call, Win32Error::NOACCESS);
    }
    let mut acts: VecDeque<Act> = VecDeque::new();
    if style & WS_THICKFRAME != 0 || overlapped {
        let (border, ..) = geometry::frame(style, ex_style, false);
        let mmi_addr = base + MMI_OFF;
        let max = (screen.0 + 2 * border, screen.1 + 2 * border);
        let mmi = [
            0,
            0,
            max.0 as u32,
            max.1 as u32,
            (-border) as u32,
            (-border) as u32,
            112,
            27,
            (screen.0 + 12) as u32,
            (screen.1 + 12) as u32,
        ];
        acts.push_back(Act::run(move |call| {
            let _ = call.write_bytes(mmi_addr, &words(&mmi));
        }));
        acts.push_back(Act::Send(hwnd, WM_GETMINMAXINFO, 0, mmi_addr));
        acts.push_back(Act::run(move |call| {
            let Some(m) = read_words(call, mmi_addr, 10) else {
                return;
            };
            let (min_x, min_y, max_x, max_y) = (m[6] as i32, m[7] as i32, m[8] as i32, m[9] as i32);
            let ncx = cx.min(max_x).max(min_x);
            let ncy = cy.min(max_y).max(min_y);
            if let Some(w) = wm(call).window_mut(hwnd) {
                w.rect.right = w.rect.left.wrapping_add(ncx);
                w.rect.bottom = w.rect.top.wrapping_add(ncy);
                w.client = w.rect;
            }
            let _ = call.write_bytes(cs_addr + 16, &words(&[ncy as u32, ncx as u32]));
        }));
    }
    acts.push_back(Act::Send(hwnd, WM_NCCREATE, 0, cs_addr));
    acts.push_back(Act::check(move |call, r| {
        if r != 0 {
            return None;
        }
        let undo: VecDeque<Act> = [
            Act::Send(hwnd, WM_NCDESTROY, 0, 0),
            Act::run(move |call| {
                wm(call).remove(hwnd);
            }),
        ]
        .into();
        Some(plan(call, undo, 0, returning(0)))
    }));
    let calc_addr = base + CALC_OFF;
    acts.push_back(Act::send_with(move |call| {
        let rect = wm(call).window(hwnd)?.rect;
        call.write_bytes(calc_addr, &rect.to_bytes()).ok()?;
        Some((hwnd, WM_NCCALCSIZE, 0, calc_addr))
    }));
    acts.push_back(Act::run(move |call| {
        let Some(r) = call
            .read_bytes(calc_addr, 16)
            .ok()
            .and_then(|b| Rect::from_bytes(&b))
        else {
            return;
        };
        if let Some(w) = wm(call).window_mut(hwnd) {
            w.client = r;
        }
    }));
    acts.push_back(Act::Send(hwnd, WM_CREATE, 0, cs_addr));
    acts.push_back(Act::check(move |call, r| {
        if r as i32 != -1 {
            return None;
        }
        let undo: VecDeque<Act> = [
            Act::Send(hwnd, WM_NCDESTROY, 0, 0),
            Act::run(move |call| {
                wm(call).remove(hwnd);
            }),
        ]
        .into();
        Some(plan(call, undo, 0, returning(0)))
    }));
    acts.push_back(Act::run(move |call| {
        if let Some(w) = wm(call).window_mut(hwnd) {
            w.life = Life::Alive;
        }
    }));
    if overlapped {
        acts.push_back(Act::run(move |call| {
            if let Some(w) = wm(call).window_mut(hwnd) {
                w.size_move_owed = true;
            }
        }));
    } else {
        acts.extend(size_move_acts(hwnd));
    }
    if child && ex_style & WS_EX_NOPARENTNOTIFY == 0 {
        acts.push_back(Act::Send(
            parent,
            WM_PARENTNOTIFY,
            make_long(WM_CREATE as i32, menu as i32),
            hwnd,
        ));
    }
    acts.push_back(Act::check(move |call, _| {
        if wm(call).window(hwnd).is_none() {
            return Some(Step::Return(0));
        }
        None
    }));
    if wants_visible {
        acts.extend(show_acts(call, hwnd, true, base));
    }
    plan(
        call,
        acts,
        0,
        Box::new(move |call, _| {
            let made = if wm(call).window(hwnd).is_some() {
                hwnd
            } else {
                0
            };
            match done {
                Some(done) => done(call, made),
                None => Step::Return(made),
            }
        }),
    )
}

/// HWND CreateWindowExA(DWORD dwExStyle, LPCSTR lpClassName, LPCSTR lpWindowName, DWORD
/// dwStyle, int X, int Y, int nWidth, int nHeight, HWND hWndParent, HMENU hMenu, HINSTANCE
/// hInstance, LPVOID lpParam).
#[export]
#[allow(clippy::too_many_arguments)]
fn CreateWindowExA(
    call: &mut ApiCall<'_>,
    dwExStyle: u32,
    lpClassName: u32,
    lpWindowName: u32,
    dwStyle: u32,
    X: u32,
    Y: u32,
    nWidth: u32,
    nHeight: u32,
    hWndParent: u32,
    hMenu: u32,
    hInstance: u32,
    lpParam: u32,
) -> ApiReturn {
    let step = create(
        call,
        dwExStyle,
        lpClassName,
        lpWindowName,
        dwStyle,
        [X, Y, nWidth, nHeight],
        hWndParent,
        hMenu,
        hInstance,
        lpParam,
        false,
    );
    run(call, 12, step)
}

/// HWND CreateWindowExW: CreateWindowExA with UTF-16 names.
#[export]
#[allow(clippy::too_many_arguments)]
fn CreateWindowExW(
    call: &mut ApiCall<'_>,
    dwExStyle: u32,
    lpClassName: u32,
    lpWindowName: u32,
    dwStyle: u32,
    X: u32,
    Y: u32,
    nWidth: u32,
    nHeight: u32,
    hWndParent: u32,
    hMenu: u32,
    hInstance: u32,
    lpParam: u32,
) -> ApiReturn {
    let step = create(
        call,
        dwExStyle,
        lpClassName,
        lpWindowName,
        dwStyle,
        [X, Y, nWidth, nHeight],
        hWndParent,
        hMenu,
        hInstance,
        lpParam,
        true,
    );
    run(call, 12, step)
}

// ---- position and visibility ---------------------------------------------------------

/// What SetWindowPos sends and does for `hwnd`: WM_WINDOWPOSCHANGING (the procedure may
/// change the WINDOWPOS), WM_NCCALCSIZE when the size or frame changes, the change itself,
/// then WM_WINDOWPOSCHANGED (whose default sends WM_MOVE and WM_SIZE).
#[allow(clippy::too_many_arguments)]
pub fn pos_acts(
    call: &mut ApiCall<'_>,
    hwnd: u32,
    after: u32,
    x: i32,
    y: i32,
    cx: i32,
    cy: i32,
    flags: u32,
    base: u32,
) -> Vec<Act> {
    let Some(w) = wm(call).window(hwnd).cloned() else {
        return Vec::new();
    };
    let wp_addr = base + WP_OFF;
    let calc_addr = base + CALC_OFF;
    let old_addr = base + OLD_OFF;
    // The WINDOWPOS and the old rectangles are taken when the change starts (a window being
    // created has its client area only after WM_NCCALCSIZE).
    let (expose_before, expose_after) = crate::paint::exposure_acts(hwnd);
    let mut acts = vec![
        expose_before,
        Act::run(move |call| {
            let Some(w) = wm(call).window(hwnd).cloned() else {
                return;
            };
            let (nx, ny) = if flags & SWP_NOMOVE != 0 {
                (w.rect.left, w.rect.top)
            } else {
                (x, y)
            };
            let (ncx, ncy) = if flags & SWP_NOSIZE != 0 {
                (w.rect.width(), w.rect.height())
            } else {
                (cx.max(0), cy.max(0))
            };
            let wp = [
                hwnd, after, nx as u32, ny as u32, ncx as u32, ncy as u32, flags,
            ];
            let _ = call.write_bytes(wp_addr, &words(&wp));
            let mut old = w.rect.to_bytes().to_vec();
            old.extend_from_slice(&w.client.to_bytes());
            let _ = call.write_bytes(old_addr, &old);
        }),
    ];
    if flags & SWP_NOSENDCHANGING == 0 {
        acts.push(Act::Send(hwnd, WM_WINDOWPOSCHANGING, 0, wp_addr));
    }
    let top_level = w.style & WS_CHILD == 0;
    if top_level && flags & SWP_SHOWWINDOW != 0 && flags & SWP_NOACTIVATE == 0 {
        acts.extend(activate_acts(call, hwnd));
    }
    let old_of = move |call: &ApiCall<'_>| -> Option<(Rect, Rect)> {
        let b = call.read_bytes(old_addr, 32).ok()?;
        Some((Rect::from_bytes(&b[..16])?, Rect::from_bytes(&b[16..])?))
    };
    acts.push(Act::send_with(move |call| {
        let (old_rect, old_client) = old_of(call)?;
        let wp = read_words(call, wp_addr, 7)?;
        let (x, y, cx, cy, flags) = (
            wp[2] as i32,
            wp[3] as i32,
            wp[4] as i32,
            wp[5] as i32,
            wp[6],
        );
        let new = Rect::new(x, y, x.wrapping_add(cx.max(0)), y.wrapping_add(cy.max(0)));
        let w = wm(call).window_mut(hwnd)?;
        w.rect = new;
        let sized = new.width() != old_rect.width() || new.height() != old_rect.height();
        if !sized && flags & SWP_FRAMECHANGED == 0 {
            w.client = old_client.offset(new.left - old_rect.left, new.top - old_rect.top);
            return None;
        }
        let (style, ex_style) = (w.style, w.ex_style);
        let menu = {
            let m = wm(call);
            m.window(hwnd).is_some_and(|w| m.has_menu_bar(w))
        };
        let w = wm(call).window_mut(hwnd)?;
        w.client = geometry::client_from_window(new, style, ex_style, menu);
        let mut params = Vec::new();
        params.extend_from_slice(&new.to_bytes());
        params.extend_from_slice(&old_rect.to_bytes());
        params.extend_from_slice(&old_client.to_bytes());
        params.extend_from_slice(&wp_addr.to_le_bytes());
        call.write_bytes(calc_addr, &params).ok()?;
        Some((hwnd, WM_NCCALCSIZE, 1, calc_addr))
    }));
    acts.push(Act::run(move |call| {
        let Some((old_rect, old_client)) = old_of(call) else {
            return;
        };
        let Some(wp) = read_words(call, wp_addr, 7) else {
            return;
        };
        let mut flags = wp[6];
        let after = wp[1];
        let sized = call
            .read_bytes(calc_addr, 16)
            .ok()
            .and_then(|b| Rect::from_bytes(&b));
        let Some(w) = wm(call).window_mut(hwnd) else {
            return;
        };
        let resized = w.rect.width() != old_rect.width()
            || w.rect.height() != old_rect.height()
            || flags & SWP_FRAMECHANGED != 0;
        if resized && let Some(r) = sized {
            w.client = r;
        }
        if w.client.width() == old_client.width() && w.client.height() == old_client.height() {
            flags |= SWP_NOCLIENTSIZE;
        }
        if w.client.left == old_client.left && w.client.top == old_client.top {
            flags |= SWP_NOCLIENTMOVE;
        }
        if flags & SWP_SHOWWINDOW != 0 {
            w.style |= WS_VISIBLE;
        }
        if flags & SWP_HIDEWINDOW != 0 {
            w.style &= !WS_VISIBLE;
        }
        let zorder = flags & SWP_NOZORDER == 0 && after == 0;
        if zorder {
            wm(call).bring_to_top(hwnd);
        }
        let _ = call.write_u32(wp_addr + 24, flags);
    }));
    acts.push(expose_after);
    // The screen: what the window left uncovered is repainted (the desktop, the frames
    // of the windows below), and the window's frame is drawn where it now is.
    acts.push(Act::send_with(move |call| {
        let (old_rect, _) = old_of(call)?;
        let wp = read_words(call, wp_addr, 7)?;
        let flags = wp[6];
        let m = wm(call);
        let w = m.window(hwnd)?;
        let (ox, oy) = m.parent_origin(hwnd);
        let moved = w.rect != old_rect;
        if moved || flags & SWP_HIDEWINDOW != 0 {
            m.expose(old_rect.offset(ox, oy));
        }
        let repaint = moved || flags & (SWP_SHOWWINDOW | SWP_FRAMECHANGED) != 0;
        (repaint && flags & SWP_NOREDRAW == 0 && m.is_shown(hwnd)).then_some((
            hwnd,
            crate::wm::WM_NCPAINT,
            1,
            0,
        ))
    }));
    acts.extend(crate::paint::erase_now_acts(hwnd));
    acts.push(Act::Send(hwnd, WM_WINDOWPOSCHANGED, 0, wp_addr));
    if flags & SWP_HIDEWINDOW != 0 {
        acts.extend(deactivate_acts(call, hwnd));
    }
    acts
}

/// WM_ACTIVATE's WA_INACTIVE and WA_ACTIVE.
const WA_INACTIVE: u32 = 0;
const WA_ACTIVE: u32 = 1;
/// WM_ACTIVATEAPP.
const WM_ACTIVATEAPP: u32 = 0x001C;
/// WM_KILLFOCUS.
const WM_KILLFOCUS: u32 = 0x0008;

/// The calling thread's top-level windows, top of the Z order first.
fn thread_top_levels(call: &mut ApiCall<'_>) -> Vec<u32> {
    let thread = call.thread.thread;
    let m = wm(call);
    m.children(DESKTOP)
        .into_iter()
        .filter(|&h| m.window(h).is_some_and(|w| w.thread == thread))
        .collect()
}

/// What activating top-level window `hwnd` sends, as NT's xxxActivateWindow: the active
/// window's WM_NCACTIVATE(FALSE) and WM_ACTIVATE(WA_INACTIVE), or, when the thread had no
/// active window, WM_ACTIVATEAPP(TRUE) to each of its top-level windows; then the window's
/// WM_NCACTIVATE(TRUE), WM_ACTIVATE(WA_ACTIVE) and the focus (WM_KILLFOCUS to the old focus,
/// WM_SETFOCUS to it).
pub fn activate_acts(call: &mut ApiCall<'_>, hwnd: u32) -> Vec<Act> {
    let thread = call.thread.thread;
    let m = wm(call);
    let prev = m.active;
    if prev == hwnd {
        return Vec::new();
    }
    let prev_ours = m.window(prev).is_some_and(|w| w.thread == thread);
    let old_focus = m.focus;
    let mut acts = Vec::new();
    if prev_ours {
        acts.push(Act::Send(prev, WM_NCACTIVATE, 0, 0));
        acts.push(Act::Send(prev, WM_ACTIVATE, WA_INACTIVE, hwnd));
    } else {
        for h in thread_top_levels(call) {
            acts.push(Act::Send(h, WM_ACTIVATEAPP, 1, 0));
        }
    }
    acts.push(Act::run(move |call| wm(call).active = hwnd));
    acts.push(Act::Send(hwnd, WM_NCACTIVATE, 1, 0));
    acts.push(Act::Send(
        hwnd,
        WM_ACTIVATE,
        WA_ACTIVE,
        if prev_ours { prev } else { 0 },
    ));
    if old_focus != 0 && old_focus != hwnd {
        acts.push(Act::Send(old_focus, WM_KILLFOCUS, hwnd, 0));
    }
    acts.push(Act::run(move |call| wm(call).focus = hwnd));
    acts.push(Act::Send(hwnd, WM_SETFOCUS, old_focus, 0));
    acts
}

/// What hiding (or destroying) the active window `hwnd` sends: another visible top-level
/// window of the thread is activated; with none, the window gets WM_NCACTIVATE(FALSE) and
/// WM_ACTIVATE(WA_INACTIVE), each top-level window of the thread WM_ACTIVATEAPP(FALSE), and
/// the focus window WM_KILLFOCUS.
fn deactivate_acts(call: &mut ApiCall<'_>, hwnd: u32) -> Vec<Act> {
    if wm(call).active != hwnd {
        return Vec::new();
    }
    let next = thread_top_levels(call).into_iter().find(|&h| {
        h != hwnd
            && wm(call)
                .window(h)
                .is_some_and(|w| w.style & (WS_VISIBLE | WS_DISABLED) == WS_VISIBLE)
    });
    if let Some(next) = next {
        return activate_acts(call, next);
    }
    let focus = wm(call).focus;
    let mut acts = vec![
        Act::Send(hwnd, WM_NCACTIVATE, 0, 0),
        Act::Send(hwnd, WM_ACTIVATE, WA_INACTIVE, 0),
        Act::run(|call| wm(call).active = 0),
    ];
    for h in thread_top_levels(call) {
        acts.push(Act::Send(h, WM_ACTIVATEAPP, 0, 0));
    }
    if focus != 0 {
        acts.push(Act::run(|call| wm(call).focus = 0));
        acts.push(Act::Send(focus, WM_KILLFOCUS, 0, 0));
    }
    acts
}

/// WM_SIZE (SIZE_RESTORED and the client size) and WM_MOVE (the client origin).
fn size_move_acts(hwnd: u32) -> [Act; 2] {
    [
        Act::send_with(move |call| {
            let c = wm(call).window(hwnd)?.client;
            Some((hwnd, WM_SIZE, 0, make_long(c.width(), c.height())))
        }),
        Act::send_with(move |call| {
            let c = wm(call).window(hwnd)?.client;
            Some((hwnd, WM_MOVE, 0, make_long(c.left, c.top)))
        }),
    ]
}

/// What ShowWindow sends to show or hide `hwnd`: WM_SHOWWINDOW, then SetWindowPos's
/// messages with SWP_SHOWWINDOW or SWP_HIDEWINDOW, then the WM_SIZE and WM_MOVE a hidden
/// overlapped window still owed. A child of a hidden parent only gets WM_SHOWWINDOW and its
/// WS_VISIBLE bit changed, as on NT.
pub fn show_acts(call: &mut ApiCall<'_>, hwnd: u32, show: bool, base: u32) -> Vec<Act> {
    let Some(w) = wm(call).window(hwnd).cloned() else {
        return Vec::new();
    };
    let child = w.style & WS_CHILD != 0;
    let mut acts = vec![Act::Send(hwnd, WM_SHOWWINDOW, u32::from(show), 0)];
    if child && !parent_visible(call, w.parent) {
        acts.push(Act::run(move |call| {
            if let Some(w) = wm(call).window_mut(hwnd) {
                if show {
                    w.style |= WS_VISIBLE;
                } else {
                    w.style &= !WS_VISIBLE;
                }
            }
        }));
        return acts;
    }
    let mut flags = SWP_NOSIZE | SWP_NOMOVE;
    flags |= if show { SWP_SHOWWINDOW } else { SWP_HIDEWINDOW };
    if child || !show {
        flags |= SWP_NOZORDER | SWP_NOACTIVATE;
    }
    acts.extend(pos_acts(call, hwnd, 0, 0, 0, 0, 0, flags, base));
    if show {
        // Sent when the window still owes them at that point (it may have been created
        // hidden just before).
        acts.push(Act::send_with(move |call| {
            let w = wm(call).window(hwnd).filter(|w| w.size_move_owed)?;
            let c = w.client;
            Some((hwnd, WM_SIZE, 0, make_long(c.width(), c.height())))
        }));
        acts.push(Act::send_with(move |call| {
            let w = wm(call).window_mut(hwnd).filter(|w| w.size_move_owed)?;
            w.size_move_owed = false;
            let c = w.client;
            Some((hwnd, WM_MOVE, 0, make_long(c.left, c.top)))
        }));
    }
    acts
}

/// Whether `hwnd` and its parents all have WS_VISIBLE.
fn parent_visible(call: &mut ApiCall<'_>, hwnd: u32) -> bool {
    let mut h = hwnd;
    loop {
        let Some(w) = wm(call).window(h) else {
            return false;
        };
        if w.style & WS_VISIBLE == 0 {
            return false;
        }
        if w.handle == DESKTOP || w.style & WS_CHILD == 0 {
            return true;
        }
        h = w.parent;
    }
}

/// BOOL SetWindowPos(HWND hWnd, HWND hWndInsertAfter, int X, int Y, int cx, int cy, UINT
/// uFlags).
#[export]
#[allow(clippy::too_many_arguments)]
fn SetWindowPos(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    hWndInsertAfter: u32,
    X: i32,
    Y: i32,
    cx: i32,
    cy: i32,
    uFlags: u32,
) -> ApiReturn {
    let Some(hwnd) = wm(call).full_handle(hWnd).filter(|&h| h != DESKTOP) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    let base = scratch(call);
    let acts = pos_acts(call, hwnd, hWndInsertAfter, X, Y, cx, cy, uFlags, base);
    let step = plan(call, acts.into(), 0, returning(1));
    run(call, 7, step)
}

/// BOOL MoveWindow(HWND hWnd, int X, int Y, int nWidth, int nHeight, BOOL bRepaint).
#[export]
fn MoveWindow(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    X: i32,
    Y: i32,
    nWidth: i32,
    nHeight: i32,
    bRepaint: bool,
) -> ApiReturn {
    let Some(hwnd) = wm(call).full_handle(hWnd).filter(|&h| h != DESKTOP) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    let base = scratch(call);
    let flags = SWP_NOZORDER | SWP_NOACTIVATE | if bRepaint { 0 } else { 0x0008 };
    let acts = pos_acts(call, hwnd, 0, X, Y, nWidth, nHeight, flags, base);
    let step = plan(call, acts.into(), 0, returning(1));
    run(call, 6, step)
}

/// BOOL ShowWindow(HWND hWnd, int nCmdShow): whether it was visible before. SW_HIDE hides;
/// the other commands show (ntemu has no minimized or maximized state yet).
#[export]
fn ShowWindow(call: &mut ApiCall<'_>, hWnd: u32, nCmdShow: u32) -> ApiReturn {
    let Some(w) = wm(call).window(hWnd).filter(|w| w.handle != DESKTOP) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    let (hwnd, was) = (w.handle, w.style & WS_VISIBLE != 0);
    let show = nCmdShow != 0;
    if show == was {
        return ApiReturn::Value(u32::from(was));
    }
    let base = scratch(call);
    let acts = show_acts(call, hwnd, show, base);
    let step = plan(call, acts.into(), 0, returning(u32::from(was)));
    run(call, 2, step)
}

// ---- destruction ---------------------------------------------------------------------

/// What DestroyWindow sends and does for `hwnd` (see the module's notes).
pub fn destroy_acts(call: &mut ApiCall<'_>, hwnd: u32, base: u32) -> VecDeque<Act> {
    let mut acts = VecDeque::new();
    let thread = call.thread.thread;
    for owned in wm(call).owned(hwnd) {
        if wm(call).window(owned).is_some_and(|w| w.thread == thread) {
            acts.extend(destroy_acts(call, owned, base));
        }
    }
    let Some(w) = wm(call).window(hwnd).cloned() else {
        return acts;
    };
    if w.style & WS_CHILD != 0 && w.ex_style & WS_EX_NOPARENTNOTIFY == 0 {
        acts.push_back(Act::Send(
            w.parent,
            WM_PARENTNOTIFY,
            make_long(WM_DESTROY as i32, w.id as i32),
            hwnd,
        ));
    }
    if w.style & WS_VISIBLE != 0 {
        let flags = SWP_HIDEWINDOW | SWP_NOSIZE | SWP_NOMOVE | SWP_NOZORDER | SWP_NOACTIVATE;
        acts.extend(pos_acts(call, hwnd, 0, 0, 0, 0, 0, flags, base));
    }
    let descendants = wm(call).descendants(hwnd);
    let marked = descendants.clone();
    acts.push_back(Act::run(move |call| {
        for h in std::iter::once(hwnd).chain(marked) {
            if let Some(w) = wm(call).window_mut(h) {
                w.life = Life::Destroying;
            }
        }
    }));
    acts.push_back(Act::Send(hwnd, WM_DESTROY, 0, 0));
    for &d in &descendants {
        acts.push_back(Act::Send(d, WM_DESTROY, 0, 0));
    }
    for &d in descendants.iter().rev().chain(std::iter::once(&hwnd)) {
        acts.push_back(Act::Send(d, WM_NCDESTROY, 0, 0));
        acts.push_back(Act::run(move |call| {
            wm(call).remove(d);
        }));
    }
    acts
}

/// DestroyWindow's work as a step.
pub fn destroy(call: &mut ApiCall<'_>, hwnd: u32, base: u32) -> Step {
    let thread = call.thread.thread;
    let Some(w) = wm(call).window(hwnd).filter(|w| w.handle != DESKTOP) else {
        call.set_last_error(Win32Error::INVALID_WINDOW_HANDLE.0);
        return Step::Return(0);
    };
    if w.thread != thread {
        call.set_last_error(Win32Error::ACCESS_DENIED.0);
        return Step::Return(0);
    }
    if w.life == Life::Destroying {
        return Step::Return(1);
    }
    let hwnd = w.handle;
    let acts = destroy_acts(call, hwnd, base);
    plan(call, acts, 0, returning(1))
}

/// BOOL DestroyWindow(HWND hWnd): FALSE with ERROR_ACCESS_DENIED for another thread's
/// window, ERROR_INVALID_WINDOW_HANDLE for no window.
#[export]
fn DestroyWindow(call: &mut ApiCall<'_>, hWnd: u32) -> ApiReturn {
    let base = scratch(call);
    let step = destroy(call, hWnd, base);
    run(call, 1, step)
}

// ---- the tree ------------------------------------------------------------------------

/// BOOL IsWindow(HWND hWnd): TRUE for a window (or the process's console window).
#[export]
fn IsWindow(call: &mut ApiCall<'_>, hWnd: u32) -> bool {
    reap(call);
    wm(call).window(hWnd).is_some() || kernel32::console_window_client_size(call, hWnd).is_some()
}

/// HWND GetDesktopWindow(void).
#[export]
fn GetDesktopWindow(call: &mut ApiCall<'_>) -> u32 {
    let _ = call;
    DESKTOP
}

/// A window argument in full form, or the failure ERROR_INVALID_WINDOW_HANDLE.
fn valid(call: &mut ApiCall<'_>, hwnd: u32) -> Result<Window, ApiReturn> {
    match wm(call).window(hwnd).cloned() {
        Some(w) => Ok(w),
        None => Err(call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0)),
    }
}

/// HWND GetParent(HWND hWnd): a child's parent, a popup's owner, else NULL.
#[export]
fn GetParent(call: &mut ApiCall<'_>, hWnd: u32) -> ApiReturn {
    let w = match valid(call, hWnd) {
        Ok(w) => w,
        Err(r) => return r,
    };
    ApiReturn::Value(if w.style & WS_CHILD != 0 {
        w.parent
    } else if w.style & WS_POPUP != 0 {
        w.owner
    } else {
        0
    })
}

/// HWND SetParent(HWND hWndChild, HWND hWndNewParent): moves a window under another (NULL:
/// the desktop); returns the old parent.
#[export]
fn SetParent(call: &mut ApiCall<'_>, hWndChild: u32, hWndNewParent: u32) -> ApiReturn {
    let w = match valid(call, hWndChild) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let new_parent = if hWndNewParent == 0 {
        DESKTOP
    } else {
        match valid(call, hWndNewParent) {
            Ok(p) => p.handle,
            Err(r) => return r,
        }
    };
    if w.handle == DESKTOP || wm(call).is_ancestor(w.handle, new_parent) {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    let m = wm(call);
    if let Some(p) = m.window_mut(w.parent) {
        p.children.retain(|&c| c != w.handle);
    }
    if let Some(p) = m.window_mut(new_parent) {
        p.children.insert(0, w.handle);
    }
    if let Some(c) = m.window_mut(w.handle) {
        c.parent = new_parent;
    }
    ApiReturn::Value(w.parent)
}

/// HWND GetWindow(HWND hWnd, UINT uCmd): GW_HWNDFIRST, GW_HWNDLAST, GW_HWNDNEXT,
/// GW_HWNDPREV among siblings, GW_OWNER, GW_CHILD (the top child).
#[export]
fn GetWindow(call: &mut ApiCall<'_>, hWnd: u32, uCmd: u32) -> ApiReturn {
    let w = match valid(call, hWnd) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let siblings = wm(call).children(w.parent);
    let at = siblings.iter().position(|&s| s == w.handle);
    let result = match uCmd {
        0 => siblings.first().copied(),
        1 => siblings.last().copied(),
        2 => at.and_then(|i| siblings.get(i + 1).copied()),
        3 => at.and_then(|i| i.checked_sub(1)).map(|i| siblings[i]),
        4 => Some(w.owner),
        5 => w.children.first().copied(),
        _ => return call.fail_win32(Win32Error::INVALID_PARAMETER, 0),
    };
    ApiReturn::Value(result.unwrap_or(0))
}

/// HWND GetTopWindow(HWND hWnd): the top child (of the desktop for NULL).
#[export]
fn GetTopWindow(call: &mut ApiCall<'_>, hWnd: u32) -> ApiReturn {
    let parent = if hWnd == 0 { DESKTOP } else { hWnd };
    match valid(call, parent) {
        Ok(w) => ApiReturn::Value(w.children.first().copied().unwrap_or(0)),
        Err(r) => r,
    }
}

/// BOOL IsChild(HWND hWndParent, HWND hWnd).
#[export]
fn IsChild(call: &mut ApiCall<'_>, hWndParent: u32, hWnd: u32) -> bool {
    wm(call).is_child(hWndParent, hWnd)
}

/// BOOL IsWindowVisible(HWND hWnd): it and every parent have WS_VISIBLE.
#[export]
fn IsWindowVisible(call: &mut ApiCall<'_>, hWnd: u32) -> bool {
    let mut h = hWnd;
    loop {
        let Some(w) = wm(call).window(h) else {
            return false;
        };
        if w.style & WS_VISIBLE == 0 {
            return false;
        }
        if w.handle == DESKTOP || w.style & WS_CHILD == 0 {
            return true;
        }
        h = w.parent;
    }
}

/// BOOL IsWindowEnabled(HWND hWnd).
#[export]
fn IsWindowEnabled(call: &mut ApiCall<'_>, hWnd: u32) -> bool {
    wm(call)
        .window(hWnd)
        .is_some_and(|w| w.style & WS_DISABLED == 0)
}

/// BOOL IsWindowUnicode(HWND hWnd): whether its procedure takes UTF-16 text.
#[export]
fn IsWindowUnicode(call: &mut ApiCall<'_>, hWnd: u32) -> bool {
    wm(call).window(hWnd).is_some_and(|w| w.unicode)
}

/// BOOL EnableWindow(HWND hWnd, BOOL bEnable): sends WM_ENABLE when the state changes;
/// returns whether it was disabled.
#[export]
fn EnableWindow(call: &mut ApiCall<'_>, hWnd: u32, bEnable: bool) -> ApiReturn {
    let w = match valid(call, hWnd) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let was_disabled = w.style & WS_DISABLED != 0;
    if was_disabled != bEnable {
        return ApiReturn::Value(u32::from(was_disabled));
    }
    let hwnd = w.handle;
    if let Some(w) = wm(call).window_mut(hwnd) {
        w.style ^= WS_DISABLED;
    }
    let acts: VecDeque<Act> = [Act::Send(hwnd, WM_ENABLE, u32::from(bEnable), 0)].into();
    let step = plan(call, acts, 0, returning(u32::from(was_disabled)));
    run(call, 2, step)
}

/// DWORD GetWindowThreadProcessId(HWND hWnd, LPDWORD lpdwProcessId): the creating thread.
#[export]
fn GetWindowThreadProcessId(call: &mut ApiCall<'_>, hWnd: u32, lpdwProcessId: Ptr) -> ApiReturn {
    let w = match valid(call, hWnd) {
        Ok(w) => w,
        Err(r) => return r,
    };
    if lpdwProcessId.0 != 0 && call.write_u32(lpdwProcessId.0, w.process).is_err() {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    ApiReturn::Value(w.thread)
}

/// Calls `proc_(hwnd, lparam)` for each window of `list` still there until one returns
/// FALSE; the last result, or `empty` for no windows.
fn enumerate(
    call: &mut ApiCall<'_>,
    mut list: VecDeque<u32>,
    proc_: u32,
    lparam: u32,
    last: u32,
) -> Step {
    while let Some(h) = list.pop_front() {
        if wm(call).window(h).is_some() {
            return Step::call(proc_, vec![h, lparam], move |call, r| {
                if r == 0 {
                    Step::Return(0)
                } else {
                    enumerate(call, list, proc_, lparam, r)
                }
            });
        }
    }
    Step::Return(last)
}

/// BOOL EnumWindows(WNDENUMPROC lpEnumFunc, LPARAM lParam): the top-level windows, top of
/// the Z order first.
#[export]
fn EnumWindows(call: &mut ApiCall<'_>, lpEnumFunc: u32, lParam: u32) -> ApiReturn {
    reap(call);
    let list: VecDeque<u32> = wm(call).children(DESKTOP).into();
    let step = enumerate(call, list, lpEnumFunc, lParam, 1);
    run(call, 2, step)
}

/// BOOL EnumChildWindows(HWND hWndParent, WNDENUMPROC lpEnumFunc, LPARAM lParam): every
/// descendant, each before its own children; FALSE when there are none.
#[export]
fn EnumChildWindows(
    call: &mut ApiCall<'_>,
    hWndParent: u32,
    lpEnumFunc: u32,
    lParam: u32,
) -> ApiReturn {
    let parent = if hWndParent == 0 { DESKTOP } else { hWndParent };
    let list: VecDeque<u32> = wm(call).descendants(parent).into();
    if list.is_empty() {
        return ApiReturn::Value(0);
    }
    let step = enumerate(call, list, lpEnumFunc, lParam, 1);
    run(call, 3, step)
}

/// BOOL EnumThreadWindows(DWORD dwThreadId, WNDENUMPROC lpfn, LPARAM lParam): the thread's
/// top-level windows.
#[export]
fn EnumThreadWindows(call: &mut ApiCall<'_>, dwThreadId: u32, lpfn: u32, lParam: u32) -> ApiReturn {
    let m = wm(call);
    let list: VecDeque<u32> = m
        .children(DESKTOP)
        .into_iter()
        .filter(|&h| m.window(h).is_some_and(|w| w.thread == dwThreadId))
        .collect();
    if list.is_empty() {
        return ApiReturn::Value(0);
    }
    let step = enumerate(call, list, lpfn, lParam, 1);
    run(call, 3, step)
}

/// FindWindowExA/W's work: the first child of `parent` after `after` whose class and text
/// match (either may be NULL: any).
fn find_window(
    call: &mut ApiCall<'_>,
    parent: u32,
    after: u32,
    class_arg: u32,
    title: u32,
    wide: bool,
) -> ApiReturn {
    reap(call);
    let parent = if parent == 0 { DESKTOP } else { parent };
    if wm(call).window(parent).is_none() {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    }
    let class = read_class_name(call, class_arg, wide);
    let title = if title == 0 {
        None
    } else {
        read_text(call, title, wide)
    };
    let children = wm(call).children(parent);
    let start = match after {
        0 => 0,
        a => match children
            .iter()
            .position(|&c| Some(c) == wm(call).full_handle(a))
        {
            Some(i) => i + 1,
            None => return ApiReturn::Value(0),
        },
    };
    for &h in &children[start..] {
        let m = wm(call);
        let Some(w) = m.window(h) else { continue };
        let class_ok = match (&class, m.class(w.class)) {
            (None, _) => true,
            (Some(ClassName::Atom(a)), Some(c)) => c.atom == *a,
            (Some(ClassName::Name(n)), Some(c)) => c.name.eq_ignore_ascii_case(n),
            _ => false,
        };
        let title_ok = match &title {
            None => true,
            Some(t) => {
                String::from_utf16_lossy(t).to_lowercase()
                    == String::from_utf16_lossy(&w.text).to_lowercase()
            }
        };
        if class_ok && title_ok {
            return ApiReturn::Value(h);
        }
    }
    ApiReturn::Value(0)
}

/// HWND FindWindowA(LPCSTR lpClassName, LPCSTR lpWindowName): a top-level window.
#[export]
fn FindWindowA(call: &mut ApiCall<'_>, lpClassName: u32, lpWindowName: u32) -> ApiReturn {
    find_window(call, 0, 0, lpClassName, lpWindowName, false)
}

/// HWND FindWindowW(LPCWSTR lpClassName, LPCWSTR lpWindowName).
#[export]
fn FindWindowW(call: &mut ApiCall<'_>, lpClassName: u32, lpWindowName: u32) -> ApiReturn {
    find_window(call, 0, 0, lpClassName, lpWindowName, true)
}

/// HWND FindWindowExA(HWND hWndParent, HWND hWndChildAfter, LPCSTR lpszClass, LPCSTR
/// lpszWindow).
#[export]
fn FindWindowExA(
    call: &mut ApiCall<'_>,
    hWndParent: u32,
    hWndChildAfter: u32,
    lpszClass: u32,
    lpszWindow: u32,
) -> ApiReturn {
    find_window(
        call,
        hWndParent,
        hWndChildAfter,
        lpszClass,
        lpszWindow,
        false,
    )
}

/// HWND FindWindowExW(HWND hWndParent, HWND hWndChildAfter, LPCWSTR lpszClass, LPCWSTR
/// lpszWindow).
#[export]
fn FindWindowExW(
    call: &mut ApiCall<'_>,
    hWndParent: u32,
    hWndChildAfter: u32,
    lpszClass: u32,
    lpszWindow: u32,
) -> ApiReturn {
    find_window(
        call,
        hWndParent,
        hWndChildAfter,
        lpszClass,
        lpszWindow,
        true,
    )
}

/// HWND GetActiveWindow(void): the active window when the calling thread owns it.
#[export]
fn GetActiveWindow(call: &mut ApiCall<'_>) -> u32 {
    let thread = call.thread.thread;
    let m = wm(call);
    let a = m.active;
    if m.window(a).is_some_and(|w| w.thread == thread) {
        a
    } else {
        0
    }
}

/// HWND GetForegroundWindow(void).
#[export]
fn GetForegroundWindow(call: &mut ApiCall<'_>) -> u32 {
    wm(call).active
}

/// HWND GetFocus(void): the focus window when the calling thread owns it.
#[export]
fn GetFocus(call: &mut ApiCall<'_>) -> u32 {
    let thread = call.thread.thread;
    let m = wm(call);
    let f = m.focus;
    if m.window(f).is_some_and(|w| w.thread == thread) {
        f
    } else {
        0
    }
}

/// HWND SetFocus(HWND hWnd): gives it the focus (no messages yet); the previous focus.
#[export]
fn SetFocus(call: &mut ApiCall<'_>, hWnd: u32) -> ApiReturn {
    if hWnd != 0 && wm(call).window(hWnd).is_none() {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    }
    let m = wm(call);
    let old = m.focus;
    m.focus = m.full_handle(hWnd).unwrap_or(0);
    ApiReturn::Value(old)
}

/// HWND SetActiveWindow(HWND hWnd): makes it active (no messages yet); the previous one.
#[export]
fn SetActiveWindow(call: &mut ApiCall<'_>, hWnd: u32) -> ApiReturn {
    let w = match valid(call, hWnd) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let m = wm(call);
    ApiReturn::Value(std::mem::replace(&mut m.active, w.handle))
}

/// BOOL SetForegroundWindow(HWND hWnd).
#[export]
fn SetForegroundWindow(call: &mut ApiCall<'_>, hWnd: u32) -> ApiReturn {
    let w = match valid(call, hWnd) {
        Ok(w) => w,
        Err(r) => return r,
    };
    wm(call).active = w.handle;
    ApiReturn::Value(1)
}

// ---- window longs --------------------------------------------------------------------

/// GetWindowLong's value at `index` (GWL_* or an offset into the extra bytes).
fn window_long(w: &Window, index: i32) -> Option<u32> {
    Some(match index {
        -4 => w.wndproc,
        -6 => w.instance,
        -8 => {
            if w.style & WS_CHILD != 0 {
                w.parent
            } else {
                w.owner
            }
        }
        -12 => w.id,
        -16 => w.style,
        -20 => w.ex_style,
        -21 => w.user_data,
        i if i >= 0 => {
            let b = w.extra.get(i as usize..i as usize + 4)?;
            u32::from_le_bytes([b[0], b[1], b[2], b[3]])
        }
        _ => return None,
    })
}

/// GetWindowLongA/W's work.
fn get_window_long(call: &mut ApiCall<'_>, hwnd: u32, index: i32) -> ApiReturn {
    let w = match valid(call, hwnd) {
        Ok(w) => w,
        Err(r) => return r,
    };
    match window_long(&w, index) {
        Some(v) => ApiReturn::Value(v),
        None => call.fail_win32(Win32Error::INVALID_INDEX, 0),
    }
}

/// LONG GetWindowLongA(HWND hWnd, int nIndex).
#[export]
fn GetWindowLongA(call: &mut ApiCall<'_>, hWnd: u32, nIndex: i32) -> ApiReturn {
    get_window_long(call, hWnd, nIndex)
}

/// LONG GetWindowLongW(HWND hWnd, int nIndex).
#[export]
fn GetWindowLongW(call: &mut ApiCall<'_>, hWnd: u32, nIndex: i32) -> ApiReturn {
    get_window_long(call, hWnd, nIndex)
}

/// SetWindowLongA/W's work: returns the old value. GWL_STYLE and GWL_EXSTYLE send
/// WM_STYLECHANGING (the procedure may change the new style) and WM_STYLECHANGED.
fn set_window_long(
    call: &mut ApiCall<'_>,
    hwnd: u32,
    index: i32,
    value: u32,
    wide: bool,
    params: u32,
) -> ApiReturn {
    let w = match valid(call, hwnd) {
        Ok(w) => w,
        Err(r) => return r,
    };
    if w.process != call.thread.process || w.handle == DESKTOP {
        return call.fail_win32(Win32Error::ACCESS_DENIED, 0);
    }
    let Some(old) = window_long(&w, index) else {
        return call.fail_win32(Win32Error::INVALID_INDEX, 0);
    };
    let hwnd = w.handle;
    if index == -16 || index == -20 {
        let ss = scratch(call) + STYLE_OFF;
        if call.write_bytes(ss, &words(&[old, value])).is_err() {
            return call.fail_win32(Win32Error::NOACCESS, 0);
        }
        let which = index as u32;
        let acts: VecDeque<Act> = [
            Act::Send(hwnd, WM_STYLECHANGING, which, ss),
            Act::run(move |call| {
                let new = call.read_u32(ss + 4).unwrap_or(value);
                if let Some(w) = wm(call).window_mut(hwnd) {
                    if index == -16 {
                        w.style = new;
                    } else {
                        w.ex_style = new;
                    }
                }
            }),
            Act::Send(hwnd, WM_STYLECHANGED, which, ss),
        ]
        .into();
        let step = plan(call, acts, 0, returning(old));
        return run(call, params, step);
    }
    let Some(w) = wm(call).window_mut(hwnd) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    match index {
        -4 => {
            w.wndproc = value;
            w.unicode = wide;
        }
        -6 => w.instance = value,
        -8 => {
            if w.style & WS_CHILD == 0 {
                w.owner = value;
            }
        }
        -12 => w.id = value,
        -21 => w.user_data = value,
        i => {
            let i = i as usize;
            w.extra[i..i + 4].copy_from_slice(&value.to_le_bytes());
        }
    }
    ApiReturn::Value(old)
}

/// LONG SetWindowLongA(HWND hWnd, int nIndex, LONG dwNewLong).
#[export]
fn SetWindowLongA(call: &mut ApiCall<'_>, hWnd: u32, nIndex: i32, dwNewLong: u32) -> ApiReturn {
    set_window_long(call, hWnd, nIndex, dwNewLong, false, 3)
}

/// LONG SetWindowLongW(HWND hWnd, int nIndex, LONG dwNewLong).
#[export]
fn SetWindowLongW(call: &mut ApiCall<'_>, hWnd: u32, nIndex: i32, dwNewLong: u32) -> ApiReturn {
    set_window_long(call, hWnd, nIndex, dwNewLong, true, 3)
}

/// WORD GetWindowWord(HWND hWnd, int nIndex): a word of the extra bytes.
#[export]
fn GetWindowWord(call: &mut ApiCall<'_>, hWnd: u32, nIndex: i32) -> ApiReturn {
    let w = match valid(call, hWnd) {
        Ok(w) => w,
        Err(r) => return r,
    };
    match usize::try_from(nIndex)
        .ok()
        .and_then(|i| w.extra.get(i..i + 2))
    {
        Some(b) => ApiReturn::Value(u32::from(u16::from_le_bytes([b[0], b[1]]))),
        None => call.fail_win32(Win32Error::INVALID_INDEX, 0),
    }
}

/// WORD SetWindowWord(HWND hWnd, int nIndex, WORD wNewWord): the old word.
#[export]
fn SetWindowWord(call: &mut ApiCall<'_>, hWnd: u32, nIndex: i32, wNewWord: u16) -> ApiReturn {
    let w = match valid(call, hWnd) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let Some(i) = usize::try_from(nIndex)
        .ok()
        .filter(|&i| i + 2 <= w.extra.len())
    else {
        return call.fail_win32(Win32Error::INVALID_INDEX, 0);
    };
    let Some(w) = wm(call).window_mut(hWnd) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    let old = u16::from_le_bytes([w.extra[i], w.extra[i + 1]]);
    w.extra[i..i + 2].copy_from_slice(&wNewWord.to_le_bytes());
    ApiReturn::Value(u32::from(old))
}

// ---- text ----------------------------------------------------------------------------

/// GetWindowTextA/W's work: WM_GETTEXT for a window of the process, the stored text for
/// another's.
fn get_text(call: &mut ApiCall<'_>, hwnd: u32, buffer: u32, max: u32, wide: bool) -> ApiReturn {
    let w = match valid(call, hwnd) {
        Ok(w) => w,
        Err(r) => return r,
    };
    if w.thread != call.thread.thread {
        return match copy_text(call, buffer, max, &w.text, wide) {
            Some(n) => ApiReturn::Value(n),
            None => call.fail_win32(Win32Error::NOACCESS, 0),
        };
    }
    let base = scratch(call);
    let step = send_message(
        call,
        base,
        wide,
        w.handle,
        WM_GETTEXT,
        max,
        buffer,
        Box::new(|_, r| Step::Return(r)),
    );
    run(call, 3, step)
}

/// int GetWindowTextA(HWND hWnd, LPSTR lpString, int nMaxCount).
#[export]
fn GetWindowTextA(call: &mut ApiCall<'_>, hWnd: u32, lpString: Ptr, nMaxCount: u32) -> ApiReturn {
    get_text(call, hWnd, lpString.0, nMaxCount, false)
}

/// int GetWindowTextW(HWND hWnd, LPWSTR lpString, int nMaxCount).
#[export]
fn GetWindowTextW(call: &mut ApiCall<'_>, hWnd: u32, lpString: Ptr, nMaxCount: u32) -> ApiReturn {
    get_text(call, hWnd, lpString.0, nMaxCount, true)
}

/// GetWindowTextLengthA/W's work: the stored text's length in the caller's character set.
fn text_length(call: &mut ApiCall<'_>, hwnd: u32, wide: bool) -> ApiReturn {
    match valid(call, hwnd) {
        Ok(w) => ApiReturn::Value(text_len(&w.text, wide)),
        Err(r) => r,
    }
}

/// int GetWindowTextLengthA(HWND hWnd).
#[export]
fn GetWindowTextLengthA(call: &mut ApiCall<'_>, hWnd: u32) -> ApiReturn {
    text_length(call, hWnd, false)
}

/// int GetWindowTextLengthW(HWND hWnd).
#[export]
fn GetWindowTextLengthW(call: &mut ApiCall<'_>, hWnd: u32) -> ApiReturn {
    text_length(call, hWnd, true)
}

/// SetWindowTextA/W's work: WM_SETTEXT.
fn set_text(call: &mut ApiCall<'_>, hwnd: u32, text: u32, wide: bool) -> ApiReturn {
    let w = match valid(call, hwnd) {
        Ok(w) => w,
        Err(r) => return r,
    };
    if w.thread != call.thread.thread {
        let units = if text == 0 {
            Some(Vec::new())
        } else {
            read_text(call, text, wide)
        };
        if let Some(u) = units
            && let Some(w) = wm(call).window_mut(hwnd)
        {
            w.text = u;
        }
        return ApiReturn::Value(1);
    }
    let base = scratch(call);
    let step = send_message(
        call,
        base,
        wide,
        w.handle,
        WM_SETTEXT,
        0,
        text,
        Box::new(|_, r| Step::Return(r)),
    );
    run(call, 2, step)
}

/// BOOL SetWindowTextA(HWND hWnd, LPCSTR lpString).
#[export]
fn SetWindowTextA(call: &mut ApiCall<'_>, hWnd: u32, lpString: u32) -> ApiReturn {
    set_text(call, hWnd, lpString, false)
}

/// BOOL SetWindowTextW(HWND hWnd, LPCWSTR lpString).
#[export]
fn SetWindowTextW(call: &mut ApiCall<'_>, hWnd: u32, lpString: u32) -> ApiReturn {
    set_text(call, hWnd, lpString, true)
}

// ---- rectangles ----------------------------------------------------------------------

/// Writes a RECT.
fn put_rect(call: &mut ApiCall<'_>, address: u32, r: Rect) -> ApiReturn {
    match call.write_bytes(address, &r.to_bytes()) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail_win32(Win32Error::NOACCESS, 0),
    }
}

/// BOOL GetClientRect(HWND hWnd, LPRECT lpRect): {0, 0, width, height} of the client area
/// (the console window's is its screen buffer's window in font cells).
#[export]
fn GetClientRect(call: &mut ApiCall<'_>, hWnd: u32, lpRect: Ptr) -> ApiReturn {
    if let Some(w) = wm(call).window(hWnd) {
        let c = w.client;
        return put_rect(call, lpRect.0, Rect::new(0, 0, c.width(), c.height()));
    }
    let Some((width, height)) = kernel32::console_window_client_size(call, hWnd) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    put_rect(call, lpRect.0, Rect::new(0, 0, width as i32, height as i32))
}

/// BOOL GetWindowRect(HWND hWnd, LPRECT lpRect): the window's rectangle on the screen.
#[export]
fn GetWindowRect(call: &mut ApiCall<'_>, hWnd: u32, lpRect: Ptr) -> ApiReturn {
    let w = match valid(call, hWnd) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let (dx, dy) = wm(call).parent_origin(w.handle);
    put_rect(call, lpRect.0, w.rect.offset(dx, dy))
}

/// ClientToScreen / ScreenToClient's work: adds (sign 1) or subtracts the client origin.
fn map_point(call: &mut ApiCall<'_>, hwnd: u32, point: u32, sign: i32) -> ApiReturn {
    let w = match valid(call, hwnd) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let (ox, oy) = wm(call).client_origin(w.handle);
    let Some(p) = read_words(call, point, 2) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    let x = (p[0] as i32).wrapping_add(sign.wrapping_mul(ox));
    let y = (p[1] as i32).wrapping_add(sign.wrapping_mul(oy));
    match call.write_bytes(point, &words(&[x as u32, y as u32])) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail_win32(Win32Error::NOACCESS, 0),
    }
}

/// BOOL ClientToScreen(HWND hWnd, LPPOINT lpPoint).
#[export]
fn ClientToScreen(call: &mut ApiCall<'_>, hWnd: u32, lpPoint: Ptr) -> ApiReturn {
    map_point(call, hWnd, lpPoint.0, 1)
}

/// BOOL ScreenToClient(HWND hWnd, LPPOINT lpPoint).
#[export]
fn ScreenToClient(call: &mut ApiCall<'_>, hWnd: u32, lpPoint: Ptr) -> ApiReturn {
    map_point(call, hWnd, lpPoint.0, -1)
}

/// AdjustWindowRect(Ex)'s work: grows the client rectangle by the frame, caption and menu.
fn adjust(call: &mut ApiCall<'_>, rect: u32, style: u32, menu: bool, ex_style: u32) -> ApiReturn {
    let Some(r) = call
        .read_bytes(rect, 16)
        .ok()
        .and_then(|b| Rect::from_bytes(&b))
    else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    let (l, t, rr, b) = geometry::frame(style, ex_style, menu);
    put_rect(
        call,
        rect,
        Rect::new(r.left - l, r.top - t, r.right + rr, r.bottom + b),
    )
}

/// BOOL AdjustWindowRect(LPRECT lpRect, DWORD dwStyle, BOOL bMenu).
#[export]
fn AdjustWindowRect(call: &mut ApiCall<'_>, lpRect: Ptr, dwStyle: u32, bMenu: bool) -> ApiReturn {
    adjust(call, lpRect.0, dwStyle, bMenu, 0)
}

/// BOOL AdjustWindowRectEx(LPRECT lpRect, DWORD dwStyle, BOOL bMenu, DWORD dwExStyle).
#[export]
fn AdjustWindowRectEx(
    call: &mut ApiCall<'_>,
    lpRect: Ptr,
    dwStyle: u32,
    bMenu: bool,
    dwExStyle: u32,
) -> ApiReturn {
    adjust(call, lpRect.0, dwStyle, bMenu, dwExStyle)
}
