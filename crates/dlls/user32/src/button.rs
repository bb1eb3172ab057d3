//! The Button control (ButtonWndProcW, the "Button" class's procedure) in all its styles,
//! drawn as NT 4.0 draws it: push and default push buttons with their 3-D edges (the
//! default one inside a black frame, the pushed look while the mouse or the space bar holds
//! it), 13 x 13 check boxes and 12 x 12 radio buttons sunk in the window colour, three-state
//! boxes, group boxes with an etched frame, BS_LEFTTEXT, owner-drawn buttons (WM_DRAWITEM),
//! the focus rectangle; BM_GETCHECK/SETCHECK/GETSTATE/SETSTATE/SETSTYLE/CLICK, BN_CLICKED in
//! WM_COMMAND to the parent, WM_CTLCOLORBTN (push buttons) and WM_CTLCOLORSTATIC (check
//! boxes, radio buttons, group boxes) for the colours.
//!
//! The drawing helpers here ([`paint_control`], [`fill_sys`], [`edge`], [`draw_label`])
//! serve the Static control too.

use std::collections::{BTreeMap, VecDeque};

use win32::{ApiCall, ApiReturn, export};
use win32k::gdi;
use win32k::geometry::Rect;

use crate::dialog::*;
use crate::guest::{Step, run, scratch};
use crate::paint::{SYS_COLOUR_TABLE, sys_colour_brush};
use crate::wm::*;

/// BM_GETCHECK.
pub const BM_GETCHECK: u32 = 0x00F0;
/// BM_SETCHECK.
pub const BM_SETCHECK: u32 = 0x00F1;
/// BM_GETSTATE.
pub const BM_GETSTATE: u32 = 0x00F2;
/// BM_SETSTATE.
pub const BM_SETSTATE: u32 = 0x00F3;
/// BM_SETSTYLE.
pub const BM_SETSTYLE: u32 = 0x00F4;
/// BM_CLICK.
pub const BM_CLICK: u32 = 0x00F5;
/// WM_DRAWITEM.
const WM_DRAWITEM: u32 = 0x002B;
/// WM_LBUTTONDOWN, WM_LBUTTONUP, WM_LBUTTONDBLCLK, WM_MOUSEMOVE.
const WM_LBUTTONDOWN: u32 = 0x0201;
const WM_LBUTTONUP: u32 = 0x0202;
const WM_LBUTTONDBLCLK: u32 = 0x0203;
const WM_MOUSEMOVE: u32 = 0x0200;
/// VK_SPACE.
const VK_SPACE: u32 = 0x20;

/// The button types (BS_TYPEMASK's values).
const BS_PUSHBUTTON: u32 = 0;
const BS_DEFPUSHBUTTON: u32 = 1;
const BS_CHECKBOX: u32 = 2;
const BS_AUTOCHECKBOX: u32 = 3;
const BS_RADIOBUTTON: u32 = 4;
const BS_3STATE: u32 = 5;
const BS_AUTO3STATE: u32 = 6;
const BS_GROUPBOX: u32 = 7;
const BS_AUTORADIOBUTTON: u32 = 9;
const BS_OWNERDRAW: u32 = 0xB;
/// BS_LEFTTEXT.
const BS_LEFTTEXT: u32 = 0x20;
/// BS_NOTIFY.
const BS_NOTIFY: u32 = 0x4000;

/// BST_* state bits: the check (0-2), highlighted (pushed), focused.
const BST_CHECKMASK: u32 = 3;
const BST_PUSHED: u32 = 4;
const BST_FOCUS: u32 = 8;

/// System colour indices.
pub const COLOR_WINDOW: usize = 5;
/// COLOR_WINDOWFRAME.
pub const COLOR_WINDOWFRAME: usize = 6;
/// COLOR_WINDOWTEXT.
pub const COLOR_WINDOWTEXT: usize = 8;
/// COLOR_BTNFACE.
pub const COLOR_BTNFACE: usize = 15;
/// COLOR_BTNSHADOW.
pub const COLOR_BTNSHADOW: usize = 16;
/// COLOR_GRAYTEXT.
pub const COLOR_GRAYTEXT: usize = 17;
/// COLOR_BTNTEXT.
pub const COLOR_BTNTEXT: usize = 18;
/// COLOR_BTNHIGHLIGHT.
pub const COLOR_BTNHIGHLIGHT: usize = 20;
/// COLOR_3DDKSHADOW.
pub const COLOR_3DDKSHADOW: usize = 21;
/// COLOR_3DLIGHT.
pub const COLOR_3DLIGHT: usize = 22;

/// DT_* flags.
pub const DT_CENTER: u32 = 0x1;
/// DT_RIGHT.
pub const DT_RIGHT: u32 = 0x2;
/// DT_VCENTER.
pub const DT_VCENTER: u32 = 0x4;
/// DT_WORDBREAK.
pub const DT_WORDBREAK: u32 = 0x10;
/// DT_SINGLELINE.
pub const DT_SINGLELINE: u32 = 0x20;
/// DT_EXPANDTABS.
pub const DT_EXPANDTABS: u32 = 0x40;
/// DT_CALCRECT.
pub const DT_CALCRECT: u32 = 0x400;
/// DT_NOPREFIX.
pub const DT_NOPREFIX: u32 = 0x800;

/// PATCOPY, PATINVERT.
const PATCOPY: u32 = 0x00F0_0021;
const PATINVERT: u32 = 0x005A_0049;

/// One button's state.
#[derive(Clone, Copy, Default)]
struct ButtonState {
    state: u32,
    font: u32,
}

#[derive(Default)]
struct Buttons {
    by_hwnd: BTreeMap<u32, ButtonState>,
    /// The checkerboard brush of focus rectangles.
    focus_brush: u32,
}

fn buttons<'a>(call: &'a mut ApiCall<'_>) -> &'a mut Buttons {
    call.state.get::<Buttons>()
}

// ---- drawing helpers -------------------------------------------------------------------

/// Fills a rectangle of `hdc` (logical coordinates) with a brush.
pub fn fill(call: &mut ApiCall<'_>, hdc: u32, r: Rect, brush: u32) {
    if r.right <= r.left || r.bottom <= r.top {
        return;
    }
    gdi32::draw_with(call, hdc, &[], |g, s| {
        g.pat_blt(s, hdc, r, PATCOPY, Some(brush));
    });
}

/// Fills a rectangle with system colour `index`.
pub fn fill_sys(call: &mut ApiCall<'_>, hdc: u32, r: Rect, index: usize) {
    let b = sys_colour_brush(call, index);
    fill(call, hdc, r, b);
}

/// A one-pixel edge around `r`: its top and left sides in colour `top_left`, its bottom and
/// right sides in `bottom_right` (the corners as NT's DrawEdge gives them).
pub fn edge(call: &mut ApiCall<'_>, hdc: u32, r: Rect, top_left: usize, bottom_right: usize) {
    fill_sys(
        call,
        hdc,
        Rect::new(r.left, r.top, r.right - 1, r.top + 1),
        top_left,
    );
    fill_sys(
        call,
        hdc,
        Rect::new(r.left, r.top, r.left + 1, r.bottom - 1),
        top_left,
    );
    fill_sys(
        call,
        hdc,
        Rect::new(r.left, r.bottom - 1, r.right, r.bottom),
        bottom_right,
    );
    fill_sys(
        call,
        hdc,
        Rect::new(r.right - 1, r.top, r.right, r.bottom),
        bottom_right,
    );
}

/// A one-pixel frame of one colour.
pub fn frame_sys(call: &mut ApiCall<'_>, hdc: u32, r: Rect, index: usize) {
    edge(call, hdc, r, index, index);
}

/// Rect shrunk by `n` on each side.
pub fn inset(r: Rect, n: i32) -> Rect {
    Rect::new(r.left + n, r.top + n, r.right - n, r.bottom - n)
}

/// Draws `text` in `r` by DrawText `format`, in COLORREF `colour` on a transparent
/// background; the rectangle DT_CALCRECT gives.
pub fn draw_label(
    call: &mut ApiCall<'_>,
    hdc: u32,
    text: &[u16],
    r: Rect,
    format: u32,
    colour: u32,
) -> Rect {
    if let Some(d) = wm(call).gdi.dc_mut(hdc) {
        d.state.text_colour = colour;
        d.state.bk_mode = 1;
    }
    if text.is_empty() {
        return Rect::new(r.left, r.top, r.left, r.top);
    }
    let calc =
        gdi32::text::draw_text(call, hdc, text, r, format | DT_CALCRECT).map_or(r, |(_, c)| c);
    if format & DT_CALCRECT == 0 {
        let _ = gdi32::text::draw_text(call, hdc, text, r, format);
    }
    calc
}

/// Text drawn disabled as NT 4.0 draws it: embossed, in the highlight colour one pixel down
/// and right, then in the shadow colour.
pub fn draw_disabled_label(call: &mut ApiCall<'_>, hdc: u32, text: &[u16], r: Rect, format: u32) {
    let hl = SYS_COLOUR_TABLE[COLOR_BTNHIGHLIGHT];
    let sh = SYS_COLOUR_TABLE[COLOR_BTNSHADOW];
    draw_label(call, hdc, text, r.offset(1, 1), format, hl);
    draw_label(call, hdc, text, r, format, sh);
}

/// DrawFocusRect: the rectangle's border inverted through a checkerboard.
pub fn focus_rect(call: &mut ApiCall<'_>, hdc: u32, r: Rect) {
    let mut brush = buttons(call).focus_brush;
    if brush == 0 {
        let mut s = win32k::Surface::new(8, 8, 0);
        for y in 0..8 {
            for x in 0..8 {
                if (x + y) % 2 == 1 {
                    s.set(x, y, 0xFF_FFFF);
                }
            }
        }
        brush = wm(call).gdi.insert_stock(gdi::Object::Brush(gdi::Brush {
            style: gdi::BS_PATTERN,
            colour: 0,
            hatch: 0,
            pattern: Some((s, false)),
        }));
        buttons(call).focus_brush = brush;
    }
    if r.right <= r.left || r.bottom <= r.top {
        return;
    }
    let sides = [
        Rect::new(r.left, r.top, r.right, r.top + 1),
        Rect::new(r.left, r.bottom - 1, r.right, r.bottom),
        Rect::new(r.left, r.top + 1, r.left + 1, r.bottom - 1),
        Rect::new(r.right - 1, r.top + 1, r.right, r.bottom - 1),
    ];
    gdi32::draw_with(call, hdc, &[], |g, s| {
        for e in sides {
            g.pat_blt(s, hdc, e, PATINVERT, Some(brush));
        }
    });
}

/// What a control's painting gets: the DC, the brush WM_CTLCOLOR* gave, the client
/// rectangle; it may go on with guest calls (the step).
pub type Painter = Box<dyn FnOnce(&mut ApiCall<'_>, u32, u32, Rect) -> Step + Send>;

/// Paints control `hwnd` now (when it shows): a DC of its client area with `font` (0: the
/// system font) selected, WM_CTLCOLOR`ctl_msg` to its parent for the colours (0: none),
/// then `draw`; the DC is released after.
pub fn paint_control(
    call: &mut ApiCall<'_>,
    hwnd: u32,
    ctl_msg: u32,
    font: u32,
    draw: Painter,
) -> Step {
    if !crate::paint::is_visible(wm(call), hwnd) {
        return Step::Return(0);
    }
    let Some(w) = wm(call).window(hwnd).cloned() else {
        return Step::Return(0);
    };
    let client = Rect::new(0, 0, w.client.width(), w.client.height());
    let hdc = crate::paint::window_dc(call, hwnd, false);
    if font != 0 && matches!(wm(call).gdi.get(font), Some(gdi::Object::Font(_))) {
        wm(call).gdi.select_object(hdc, font);
    }
    let parent = w.parent;
    let finish = move |call: &mut ApiCall<'_>, brush: u32| -> Step {
        let step = draw(call, hdc, brush, client);
        chain(
            call,
            step,
            Box::new(move |call, _| {
                wm(call).gdi.delete_dc(hdc);
                Step::Return(0)
            }),
        )
    };
    if ctl_msg == 0 {
        return finish(call, 0);
    }
    let acts: VecDeque<Act> = [
        Act::Send(parent, ctl_msg, hdc, hwnd),
        Act::check(move |call, r| {
            let brush = if r != 0 && matches!(wm(call).gdi.get(r), Some(gdi::Object::Brush(_))) {
                r
            } else {
                default_ctl_colour(call, ctl_msg, hdc)
            };
            Some(finish(call, brush))
        }),
    ]
    .into();
    plan(call, acts, 0, returning(0))
}

// ---- the button ----------------------------------------------------------------------------

/// A button's type.
fn kind(style: u32) -> u32 {
    style & 0xF
}

fn is_check(t: u32) -> bool {
    matches!(
        t,
        BS_CHECKBOX
            | BS_AUTOCHECKBOX
            | BS_3STATE
            | BS_AUTO3STATE
            | BS_RADIOBUTTON
            | BS_AUTORADIOBUTTON
    )
}

fn is_radio(t: u32) -> bool {
    matches!(t, BS_RADIOBUTTON | BS_AUTORADIOBUTTON)
}

/// The 12 x 12 radio button's pixel at (x, y): 0 none, 1 outer ring top-left, 2 outer
/// bottom-right, 3 inner top-left, 4 inner bottom-right, 5 inside.
fn radio_pixel(x: i32, y: i32) -> u8 {
    let (dx, dy) = (f64::from(x) - 5.5, f64::from(y) - 5.5);
    let r = (dx * dx + dy * dy).sqrt();
    let top_left = dx + dy < 0.0;
    if r >= 6.0 {
        0
    } else if r >= 5.0 {
        if top_left { 1 } else { 2 }
    } else if r >= 4.0 {
        if top_left { 3 } else { 4 }
    } else {
        5
    }
}

/// Paints a button.
fn paint_button(call: &mut ApiCall<'_>, hwnd: u32) -> Step {
    let Some(w) = wm(call).window(hwnd).cloned() else {
        return Step::Return(0);
    };
    let st = buttons(call)
        .by_hwnd
        .get(&hwnd)
        .copied()
        .unwrap_or_default();
    let t = kind(w.style);
    let disabled = w.style & win32k::WS_DISABLED != 0;
    let text = w.text.clone();
    if t == BS_OWNERDRAW {
        let id = w.id;
        let parent = w.parent;
        return paint_control(
            call,
            hwnd,
            0,
            st.font,
            Box::new(move |call, hdc, _, client| {
                let base = scratch(call) + 0x100;
                let mut item_state = 0;
                if st.state & BST_PUSHED != 0 {
                    item_state |= 1;
                }
                if disabled {
                    item_state |= 4;
                }
                if st.state & BST_FOCUS != 0 {
                    item_state |= 0x10;
                }
                let mut b = Vec::with_capacity(48);
                for v in [4, id, 0, 1, item_state, hwnd, hdc] {
                    b.extend(u32::to_le_bytes(v));
                }
                b.extend(client.to_bytes());
                b.extend(0u32.to_le_bytes());
                let _ = call.write_bytes(base, &b);
                let acts: VecDeque<Act> = [Act::Send(parent, WM_DRAWITEM, id, base)].into();
                plan(call, acts, 0, returning(0))
            }),
        );
    }
    let ctl = if matches!(t, BS_PUSHBUTTON | BS_DEFPUSHBUTTON) {
        WM_CTLCOLORBTN
    } else {
        WM_CTLCOLORSTATIC
    };
    paint_control(
        call,
        hwnd,
        ctl,
        st.font,
        Box::new(move |call, hdc, brush, client| {
            let text_colour = wm(call).gdi.dc(hdc).map_or(0, |d| d.state.text_colour);
            match t {
                BS_GROUPBOX => draw_group(call, hdc, brush, client, &text, disabled, w.style),
                t if is_check(t) => draw_check(
                    call,
                    hdc,
                    brush,
                    client,
                    &text,
                    st.state,
                    t,
                    w.style,
                    disabled,
                    text_colour,
                ),
                _ => draw_push(call, hdc, client, &text, st.state, t, w.style, disabled),
            }
            Step::Return(0)
        }),
    )
}

/// A push button.
#[allow(clippy::too_many_arguments)]
fn draw_push(
    call: &mut ApiCall<'_>,
    hdc: u32,
    client: Rect,
    text: &[u16],
    state: u32,
    t: u32,
    style: u32,
    disabled: bool,
) {
    let mut r = client;
    let default = t == BS_DEFPUSHBUTTON;
    let pushed = state & BST_PUSHED != 0;
    if default || pushed {
        frame_sys(call, hdc, r, COLOR_WINDOWFRAME);
        r = inset(r, 1);
    }
    if pushed {
        frame_sys(call, hdc, r, COLOR_BTNSHADOW);
        fill_sys(call, hdc, inset(r, 1), COLOR_BTNFACE);
    } else {
        edge(call, hdc, r, COLOR_BTNHIGHLIGHT, COLOR_3DDKSHADOW);
        edge(call, hdc, inset(r, 1), COLOR_3DLIGHT, COLOR_BTNSHADOW);
        fill_sys(call, hdc, inset(r, 2), COLOR_BTNFACE);
    }
    let mut format = DT_CENTER | DT_VCENTER | DT_SINGLELINE;
    if style & 0x2000 != 0 {
        format = DT_CENTER | DT_WORDBREAK;
    }
    let mut tr = inset(r, 2);
    if pushed {
        tr = tr.offset(1, 1);
    }
    if disabled {
        draw_disabled_label(call, hdc, text, tr, format);
    } else {
        draw_label(call, hdc, text, tr, format, SYS_COLOUR_TABLE[COLOR_BTNTEXT]);
    }
    if state & BST_FOCUS != 0 {
        focus_rect(
            call,
            hdc,
            inset(client, if default || pushed { 4 } else { 3 }),
        );
    }
}

/// A check box or radio button.
#[allow(clippy::too_many_arguments)]
fn draw_check(
    call: &mut ApiCall<'_>,
    hdc: u32,
    brush: u32,
    client: Rect,
    text: &[u16],
    state: u32,
    t: u32,
    style: u32,
    disabled: bool,
    text_colour: u32,
) {
    fill(call, hdc, client, brush);
    let size = if is_radio(t) { 12 } else { 13 };
    let left_text = style & BS_LEFTTEXT != 0;
    let top = client.top + (client.height() - size) / 2;
    let bx = if left_text {
        client.right - size
    } else {
        client.left
    };
    let bxr = Rect::new(bx, top, bx + size, top + size);
    let check = state & BST_CHECKMASK;
    let pushed = state & BST_PUSHED != 0;
    let inside = if pushed || disabled || check == 2 {
        COLOR_BTNFACE
    } else {
        COLOR_WINDOW
    };
    if is_radio(t) {
        let colours = [
            0,
            COLOR_BTNSHADOW,
            COLOR_BTNHIGHLIGHT,
            COLOR_3DDKSHADOW,
            COLOR_3DLIGHT,
            inside,
        ];
        for y in 0..12 {
            for x in 0..12 {
                let p = radio_pixel(x, y);
                if p != 0 {
                    fill_sys(
                        call,
                        hdc,
                        Rect::new(bx + x, top + y, bx + x + 1, top + y + 1),
                        colours[p as usize],
                    );
                }
            }
        }
        if check != 0 {
            let dot = if disabled {
                COLOR_BTNSHADOW
            } else {
                COLOR_WINDOWTEXT
            };
            fill_sys(call, hdc, Rect::new(bx + 4, top + 5, bx + 8, top + 7), dot);
            fill_sys(call, hdc, Rect::new(bx + 5, top + 4, bx + 7, top + 8), dot);
        }
    } else {
        edge(call, hdc, bxr, COLOR_BTNSHADOW, COLOR_BTNHIGHLIGHT);
        edge(call, hdc, inset(bxr, 1), COLOR_3DDKSHADOW, COLOR_3DLIGHT);
        fill_sys(call, hdc, inset(bxr, 2), inside);
        if check != 0 {
            let mark = if check == 2 || disabled {
                COLOR_BTNSHADOW
            } else {
                COLOR_WINDOWTEXT
            };
            // NT's check mark: seven columns, three pixels tall, down then up.
            let rise = [2, 3, 4, 3, 2, 1, 0];
            for (i, dy) in rise.iter().enumerate() {
                let x = bx + 3 + i as i32;
                let y = top + 3 + dy;
                fill_sys(call, hdc, Rect::new(x, y, x + 1, y + 3), mark);
            }
        }
    }
    let tr = if left_text {
        Rect::new(client.left, client.top, bx - 4, client.bottom)
    } else {
        Rect::new(bx + size + 4, client.top, client.right, client.bottom)
    };
    let format = DT_VCENTER | DT_SINGLELINE | if left_text { DT_RIGHT } else { 0 };
    let calc = if disabled {
        draw_disabled_label(call, hdc, text, tr, format);
        Rect::default()
    } else {
        draw_label(call, hdc, text, tr, format, text_colour)
    };
    if state & BST_FOCUS != 0 && !text.is_empty() {
        let h = calc.height();
        let y = tr.top + (tr.height() - h) / 2;
        let w = calc.width();
        let x = if left_text { tr.right - w } else { tr.left };
        let fr = Rect::new(x - 1, y - 1, x + w + 1, y + h + 1);
        focus_rect(call, hdc, intersect(fr, client));
    }
}

fn intersect(a: Rect, b: Rect) -> Rect {
    Rect::new(
        a.left.max(b.left),
        a.top.max(b.top),
        a.right.min(b.right),
        a.bottom.min(b.bottom),
    )
}

/// A group box: the etched frame from half the text's height down, the text over it.
fn draw_group(
    call: &mut ApiCall<'_>,
    hdc: u32,
    brush: u32,
    client: Rect,
    text: &[u16],
    disabled: bool,
    style: u32,
) {
    let probe = [u16::from(b'X')];
    let h = gdi32::text::draw_text(call, hdc, &probe, client, DT_CALCRECT | DT_SINGLELINE)
        .map_or(13, |(h, _)| h);
    let top = client.top + h / 2;
    let fr = Rect::new(client.left, top, client.right, client.bottom);
    frame_sys(
        call,
        hdc,
        Rect::new(fr.left, fr.top, fr.right - 1, fr.bottom - 1),
        COLOR_BTNSHADOW,
    );
    let hl = Rect::new(fr.left + 1, fr.top + 1, fr.right, fr.bottom);
    fill_sys(
        call,
        hdc,
        Rect::new(hl.left, hl.top, hl.right - 1, hl.top + 1),
        COLOR_BTNHIGHLIGHT,
    );
    fill_sys(
        call,
        hdc,
        Rect::new(hl.left, hl.top, hl.left + 1, hl.bottom - 1),
        COLOR_BTNHIGHLIGHT,
    );
    fill_sys(
        call,
        hdc,
        Rect::new(hl.left, hl.bottom - 1, hl.right, hl.bottom),
        COLOR_BTNHIGHLIGHT,
    );
    fill_sys(
        call,
        hdc,
        Rect::new(hl.right - 1, hl.top, hl.right, hl.bottom),
        COLOR_BTNHIGHLIGHT,
    );
    if text.is_empty() {
        return;
    }
    let tr = Rect::new(
        client.left + 9,
        client.top,
        client.right - 9,
        client.top + h,
    );
    let format = DT_SINGLELINE | if style & 0x300 == 0x200 { DT_RIGHT } else { 0 };
    let calc = draw_label(call, hdc, text, tr, format | DT_CALCRECT, 0);
    let back = Rect::new(calc.left - 2, calc.top, calc.right + 2, calc.bottom);
    fill(call, hdc, back, brush);
    if disabled {
        draw_disabled_label(call, hdc, text, tr, format);
    } else {
        let c = wm(call).gdi.dc(hdc).map_or(0, |d| d.state.text_colour);
        draw_label(call, hdc, text, tr, format, c);
    }
}

/// What a click does: the automatic styles change their check (an automatic radio button
/// unchecks the automatic radio buttons of its group), then BN_CLICKED goes to the parent.
fn click_acts(call: &mut ApiCall<'_>, hwnd: u32) -> VecDeque<Act> {
    let Some(w) = wm(call).window(hwnd).cloned() else {
        return VecDeque::new();
    };
    let t = kind(w.style);
    let check = buttons(call)
        .by_hwnd
        .get(&hwnd)
        .map_or(0, |s| s.state & BST_CHECKMASK);
    let mut acts = VecDeque::new();
    match t {
        BS_AUTOCHECKBOX => acts.push_back(Act::Send(hwnd, BM_SETCHECK, u32::from(check == 0), 0)),
        BS_AUTO3STATE => acts.push_back(Act::Send(hwnd, BM_SETCHECK, (check + 1) % 3, 0)),
        BS_AUTORADIOBUTTON => {
            acts.push_back(Act::Send(hwnd, BM_SETCHECK, 1, 0));
            let parent = w.parent;
            let mut k = next_group_item(call, parent, hwnd, false);
            let mut seen = 0;
            while k != hwnd && k != 0 && seen < 1000 {
                let auto_radio = is_class(call, k, "Button")
                    && wm(call)
                        .window(k)
                        .is_some_and(|x| kind(x.style) == BS_AUTORADIOBUTTON);
                if auto_radio {
                    acts.push_back(Act::Send(k, BM_SETCHECK, 0, 0));
                }
                k = next_group_item(call, parent, k, false);
                seen += 1;
            }
        }
        _ => {}
    }
    if w.style & WS_CHILD_STYLE != 0 {
        acts.push_back(Act::Send(w.parent, WM_COMMAND, w.id & 0xFFFF, hwnd));
    }
    acts
}

/// WS_CHILD.
const WS_CHILD_STYLE: u32 = win32k::WS_CHILD;

/// Changes a button's state bits and repaints it when they changed.
fn set_state(call: &mut ApiCall<'_>, hwnd: u32, f: impl FnOnce(u32) -> u32) -> Step {
    let s = buttons(call).by_hwnd.entry(hwnd).or_default();
    let new = f(s.state);
    if new == s.state {
        return Step::Return(0);
    }
    s.state = new;
    paint_button(call, hwnd)
}

/// The button's procedure.
fn button_proc(call: &mut ApiCall<'_>, hwnd: u32, msg: u32, wp: u32, lp: u32) -> Step {
    let Some(w) = wm(call).window(hwnd).cloned() else {
        return Step::Return(0);
    };
    let hwnd = w.handle;
    let t = kind(w.style);
    match msg {
        WM_GETDLGCODE => Step::Return(match t {
            BS_PUSHBUTTON => DLGC_BUTTON | DLGC_UNDEFPUSHBUTTON,
            BS_DEFPUSHBUTTON => DLGC_BUTTON | DLGC_DEFPUSHBUTTON,
            BS_RADIOBUTTON | BS_AUTORADIOBUTTON => DLGC_BUTTON | DLGC_RADIOBUTTON,
            BS_GROUPBOX => DLGC_STATIC,
            _ => DLGC_BUTTON,
        }),
        crate::paint::WM_ERASEBKGND => Step::Return(1),
        crate::paint::WM_PAINT => {
            wm(call).updates.remove(&hwnd);
            paint_button(call, hwnd)
        }
        WM_ENABLE => paint_button(call, hwnd),
        WM_SETTEXT => {
            let step = crate::message::default_proc(call, hwnd, msg, wp, lp, true);
            chain(
                call,
                step,
                Box::new(move |call, r| chain_value(paint_button(call, hwnd), r, call)),
            )
        }
        WM_SETFONT => {
            buttons(call).by_hwnd.entry(hwnd).or_default().font = wp;
            if lp & 0xFFFF != 0 {
                return paint_button(call, hwnd);
            }
            Step::Return(0)
        }
        WM_GETFONT => Step::Return(buttons(call).by_hwnd.get(&hwnd).map_or(0, |s| s.font)),
        WM_LBUTTONDOWN | WM_LBUTTONDBLCLK if t != BS_GROUPBOX => {
            wm(call).display.capture = hwnd;
            let mut acts = focus_acts(call, hwnd);
            acts.push_back(Act::Send(hwnd, BM_SETSTATE, 1, 0));
            plan(call, acts, 0, returning(0))
        }
        WM_MOUSEMOVE if wm(call).display.capture == hwnd => {
            let (x, y) = (i32::from(lp as i16), i32::from((lp >> 16) as i16));
            let inside = x >= 0 && y >= 0 && x < w.client.width() && y < w.client.height();
            set_state(call, hwnd, |s| {
                if inside {
                    s | BST_PUSHED
                } else {
                    s & !BST_PUSHED
                }
            })
        }
        WM_LBUTTONUP if wm(call).display.capture == hwnd => {
            wm(call).display.capture = 0;
            let (x, y) = (i32::from(lp as i16), i32::from((lp >> 16) as i16));
            let inside = x >= 0 && y >= 0 && x < w.client.width() && y < w.client.height();
            let pushed = buttons(call)
                .by_hwnd
                .get(&hwnd)
                .is_some_and(|s| s.state & BST_PUSHED != 0);
            let step = set_state(call, hwnd, |s| s & !BST_PUSHED);
            if !(inside && pushed) {
                return step;
            }
            chain(
                call,
                step,
                Box::new(move |call, _| {
                    let acts = click_acts(call, hwnd);
                    plan(call, acts, 0, returning(0))
                }),
            )
        }
        WM_KEYDOWN if wp == VK_SPACE && t != BS_GROUPBOX => {
            set_state(call, hwnd, |s| s | BST_PUSHED)
        }
        WM_KEYUP if wp == VK_SPACE => {
            let pushed = buttons(call)
                .by_hwnd
                .get(&hwnd)
                .is_some_and(|s| s.state & BST_PUSHED != 0);
            let step = set_state(call, hwnd, |s| s & !BST_PUSHED);
            if !pushed {
                return step;
            }
            chain(
                call,
                step,
                Box::new(move |call, _| {
                    let acts = click_acts(call, hwnd);
                    plan(call, acts, 0, returning(0))
                }),
            )
        }
        WM_SETFOCUS => {
            let step = set_state(call, hwnd, |s| s | BST_FOCUS);
            if w.style & BS_NOTIFY == 0 {
                return step;
            }
            chain(
                call,
                step,
                Box::new(move |call, _| {
                    let acts: VecDeque<Act> = [Act::Send(
                        w.parent,
                        WM_COMMAND,
                        (w.id & 0xFFFF) | (6 << 16),
                        hwnd,
                    )]
                    .into();
                    plan(call, acts, 0, returning(0))
                }),
            )
        }
        WM_KILLFOCUS => {
            if wm(call).display.capture == hwnd {
                wm(call).display.capture = 0;
            }
            set_state(call, hwnd, |s| s & !(BST_FOCUS | BST_PUSHED))
        }
        BM_GETCHECK => Step::Return(if is_check(t) {
            buttons(call)
                .by_hwnd
                .get(&hwnd)
                .map_or(0, |s| s.state & BST_CHECKMASK)
        } else {
            0
        }),
        BM_SETCHECK => {
            if !is_check(t) {
                return Step::Return(0);
            }
            let max = if matches!(t, BS_3STATE | BS_AUTO3STATE) {
                2
            } else {
                1
            };
            let v = wp.min(max);
            let step = set_state(call, hwnd, |s| (s & !BST_CHECKMASK) | v);
            chain(call, step, Box::new(|_, _| Step::Return(0)))
        }
        BM_GETSTATE => Step::Return(buttons(call).by_hwnd.get(&hwnd).map_or(0, |s| s.state)),
        BM_SETSTATE => {
            let step = set_state(call, hwnd, |s| {
                if wp != 0 {
                    s | BST_PUSHED
                } else {
                    s & !BST_PUSHED
                }
            });
            chain(call, step, Box::new(|_, _| Step::Return(0)))
        }
        BM_SETSTYLE => {
            if let Some(win) = wm(call).window_mut(hwnd) {
                win.style = (win.style & !0xF) | (wp & 0xF);
            }
            if lp != 0 {
                return chain_value(paint_button(call, hwnd), 0, call);
            }
            Step::Return(0)
        }
        BM_CLICK => {
            let acts: VecDeque<Act> = [
                Act::Send(hwnd, WM_LBUTTONDOWN, 0, 0),
                Act::Send(hwnd, WM_LBUTTONUP, 0, 0),
            ]
            .into();
            plan(call, acts, 0, returning(0))
        }
        WM_NCDESTROY => {
            buttons(call).by_hwnd.remove(&hwnd);
            crate::message::default_proc(call, hwnd, msg, wp, lp, true)
        }
        _ => crate::message::default_proc(call, hwnd, msg, wp, lp, true),
    }
}

/// `step`, then `value` returned.
pub fn chain_value(step: Step, value: u32, call: &mut ApiCall<'_>) -> Step {
    chain(call, step, Box::new(move |_, _| Step::Return(value)))
}

/// LRESULT ButtonWndProcW(HWND, UINT, WPARAM, LPARAM): the Button class's procedure (NT's
/// is not exported; this one is found by the class table only).
#[export]
fn ButtonWndProcW(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    Msg: u32,
    wParam: u32,
    lParam: u32,
) -> ApiReturn {
    let step = button_proc(call, hWnd, Msg, wParam, lParam);
    run(call, 4, step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_radio_button_is_round_and_twelve_pixels_wide() {
        assert_eq!(radio_pixel(0, 0), 0, "corner outside");
        assert_eq!(radio_pixel(5, 0), 1, "top edge: outer shadow");
        assert_eq!(radio_pixel(11, 6), 2, "right edge: outer highlight");
        assert_eq!(radio_pixel(6, 6), 5, "centre: inside");
        assert!(is_check(BS_AUTO3STATE) && !is_check(BS_GROUPBOX));
    }
}
