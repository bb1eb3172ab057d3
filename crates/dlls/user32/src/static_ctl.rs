//! The Static control (StaticWndProcW, the "Static" class's procedure): text (SS_LEFT,
//! SS_CENTER, SS_RIGHT, SS_SIMPLE, SS_LEFTNOWORDWRAP, SS_NOPREFIX) drawn with DrawText in
//! the colours WM_CTLCOLORSTATIC gives, icons (SS_ICON, STM_SETICON/GETICON, the stock
//! icons drawn as NT 4.0's), bitmaps (SS_BITMAP, STM_SETIMAGE/GETIMAGE), the black, gray and
//! white rectangles and frames, the etched lines and frame (SS_ETCHED*), SS_SUNKEN; a new
//! text (WM_SETTEXT) repaints it.

use std::collections::{BTreeMap, VecDeque};

use win32::{ApiCall, ApiReturn, export};
use win32k::gdi;
use win32k::geometry::Rect;

use crate::button::*;
use crate::dialog::*;
use crate::guest::{Step, run};
use crate::wm::*;

/// STM_SETICON.
pub const STM_SETICON: u32 = 0x0170;
/// STM_GETICON.
pub const STM_GETICON: u32 = 0x0171;
/// STM_SETIMAGE.
pub const STM_SETIMAGE: u32 = 0x0172;
/// STM_GETIMAGE.
pub const STM_GETIMAGE: u32 = 0x0173;

/// The static types (SS_TYPEMASK's values).
const SS_LEFT: u32 = 0;
const SS_CENTER: u32 = 1;
const SS_RIGHT: u32 = 2;
const SS_ICON: u32 = 3;
const SS_BLACKRECT: u32 = 4;
const SS_GRAYRECT: u32 = 5;
const SS_WHITERECT: u32 = 6;
const SS_BLACKFRAME: u32 = 7;
const SS_GRAYFRAME: u32 = 8;
const SS_WHITEFRAME: u32 = 9;
const SS_SIMPLE: u32 = 0xB;
const SS_LEFTNOWORDWRAP: u32 = 0xC;
const SS_OWNERDRAW: u32 = 0xD;
const SS_BITMAP: u32 = 0xE;
const SS_ETCHEDHORZ: u32 = 0x10;
const SS_ETCHEDVERT: u32 = 0x11;
const SS_ETCHEDFRAME: u32 = 0x12;
/// SS_NOPREFIX.
const SS_NOPREFIX: u32 = 0x80;
/// SS_NOTIFY.
const SS_NOTIFY: u32 = 0x100;
/// SS_CENTERIMAGE.
const SS_SUNKEN: u32 = 0x1000;
/// IMAGE_BITMAP, IMAGE_ICON.
const IMAGE_BITMAP: u32 = 0;
const IMAGE_ICON: u32 = 1;
/// WM_NCCREATE's CREATESTRUCT: hInstance at 4, lpszName at 36.
const CS_INSTANCE: u32 = 4;

#[derive(Clone, Copy, Default)]
struct StaticState {
    image: u32,
    font: u32,
}

#[derive(Default)]
struct Statics(BTreeMap<u32, StaticState>);

fn statics<'a>(call: &'a mut ApiCall<'_>) -> &'a mut BTreeMap<u32, StaticState> {
    &mut call.state.get::<Statics>().0
}

/// A stock icon's picture (IDI_HAND 32513, IDI_QUESTION 32514, IDI_EXCLAMATION 32515,
/// IDI_ASTERISK 32516, IDI_APPLICATION 32512 and IDI_WINLOGO 32517), 32 x 32, as colours
/// (None: transparent): NT 4.0's red disc with a white cross, white speech balloon with a
/// blue question mark, yellow triangle with a black exclamation mark, white balloon with a
/// blue "i", and a window for the application icon.
pub fn stock_icon_pixel(id: u32, x: i32, y: i32) -> Option<u32> {
    let (fx, fy) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
    let disc = |cx: f64, cy: f64, r: f64| (fx - cx).powi(2) + (fy - cy).powi(2) <= r * r;
    const RED: u32 = 0xFF_0000;
    const WHITE: u32 = 0xFF_FFFF;
    const BLACK: u32 = 0;
    const BLUE: u32 = 0x00_00FF;
    const YELLOW: u32 = 0xFF_FF00;
    const GRAY: u32 = 0x80_8080;
    match id {
        32513 => {
            if !disc(15.5, 15.5, 14.5) {
                return None;
            }
            if !disc(15.5, 15.5, 13.5) {
                return Some(BLACK);
            }
            let (dx, dy) = (fx - 15.5, fy - 15.5);
            let on_cross = ((dx - dy).abs() <= 2.2 || (dx + dy).abs() <= 2.2)
                && dx.abs() <= 7.0
                && dy.abs() <= 7.0;
            Some(if on_cross { WHITE } else { RED })
        }
        32514 | 32516 => {
            // A balloon: an ellipse with a tail at its bottom left.
            let (ex, ey) = ((fx - 16.0) / 14.0, (fy - 13.0) / 11.0);
            let inside = ex * ex + ey * ey <= 1.0;
            let tail = (22..=29).contains(&y) && x <= 6 + (29 - y) && x >= 6 + (y - 22) / 2;
            let edge = {
                let (ex, ey) = ((fx - 16.0) / 15.0, (fy - 13.0) / 12.0);
                ex * ex + ey * ey <= 1.0
            };
            if !(edge || tail) {
                return None;
            }
            if !(inside || tail) {
                return Some(BLACK);
            }
            let mark = if id == 32514 {
                // "?": an arc, a stem and a dot.
                let arc = disc(16.0, 9.5, 5.0) && !disc(16.0, 9.5, 2.6) && !(fy > 9.5 && fx < 16.0);
                let stem = (15..=17).contains(&x) && (12..=16).contains(&y);
                let dot = (15..=17).contains(&x) && (18..=20).contains(&y);
                arc || stem || dot
            } else {
                // "i": a dot and a stem.
                let dot = (15..=17).contains(&x) && (4..=6).contains(&y);
                let stem = (15..=17).contains(&x) && (9..=20).contains(&y);
                let foot = (13..=19).contains(&x) && y == 20;
                dot || stem || foot
            };
            Some(if mark { BLUE } else { WHITE })
        }
        32515 => {
            // A triangle with its apex at the top middle.
            let half = (fy - 1.0) * 15.0 / 29.0;
            if !(1.0..=30.0).contains(&fy) || (fx - 16.0).abs() > half + 0.5 {
                return None;
            }
            if (fx - 16.0).abs() > half - 1.0 || fy > 29.0 {
                return Some(BLACK);
            }
            let bar = (15..=16).contains(&x) && (9..=21).contains(&y);
            let dot = (15..=16).contains(&x) && (24..=26).contains(&y);
            Some(if bar || dot { BLACK } else { YELLOW })
        }
        _ => {
            // The application icon: a window with a blue caption.
            if !(2..30).contains(&x) || !(4..28).contains(&y) {
                return None;
            }
            if x == 2 || x == 29 || y == 4 || y == 27 {
                return Some(BLACK);
            }
            Some(if y < 9 {
                BLUE
            } else if y == 9 {
                GRAY
            } else {
                WHITE
            })
        }
    }
}

/// Whether `icon` is a stock icon handle, with its IDI_ number.
pub fn stock_icon_id(icon: u32) -> Option<u32> {
    const STOCK_ICON_BASE: u32 = 0x0001_F100;
    let i = icon.checked_sub(STOCK_ICON_BASE)?;
    (i < 6).then_some(32512 + i)
}

/// Paints a static control.
fn paint_static(call: &mut ApiCall<'_>, hwnd: u32) -> Step {
    let Some(w) = wm(call).window(hwnd).cloned() else {
        return Step::Return(0);
    };
    let st = statics(call).get(&hwnd).copied().unwrap_or_default();
    let t = w.style & 0x1F;
    let disabled = w.style & win32k::WS_DISABLED != 0;
    let text = w.text.clone();
    let style = w.style;
    if t == SS_OWNERDRAW {
        return Step::Return(0);
    }
    let ctl = if matches!(
        t,
        SS_BLACKRECT | SS_GRAYRECT | SS_WHITERECT | SS_BLACKFRAME | SS_GRAYFRAME | SS_WHITEFRAME
    ) {
        0
    } else {
        WM_CTLCOLORSTATIC
    };
    paint_control(
        call,
        hwnd,
        ctl,
        st.font,
        Box::new(move |call, hdc, brush, client| {
            let mut r = client;
            if style & SS_SUNKEN != 0 {
                edge(call, hdc, r, COLOR_BTNSHADOW, COLOR_BTNHIGHLIGHT);
                r = inset(r, 1);
            }
            match t {
                SS_LEFT | SS_CENTER | SS_RIGHT | SS_SIMPLE | SS_LEFTNOWORDWRAP => {
                    if t != SS_SIMPLE || brush != 0 {
                        fill(call, hdc, r, brush);
                    }
                    let mut format = DT_EXPANDTABS
                        | match t {
                            SS_CENTER => DT_CENTER | DT_WORDBREAK,
                            SS_RIGHT => DT_RIGHT | DT_WORDBREAK,
                            SS_LEFT => DT_WORDBREAK,
                            _ => DT_SINGLELINE,
                        };
                    if style & SS_NOPREFIX != 0 {
                        format |= DT_NOPREFIX;
                    }
                    if disabled {
                        let gray = crate::paint::SYS_COLOUR_TABLE[COLOR_GRAYTEXT];
                        draw_label(call, hdc, &text, r, format, gray);
                    } else {
                        let c = wm(call).gdi.dc(hdc).map_or(0, |d| d.state.text_colour);
                        draw_label(call, hdc, &text, r, format, c);
                    }
                }
                SS_ICON => {
                    fill(call, hdc, r, brush);
                    if st.image != 0 {
                        let _ = crate::icon::draw(call, hdc, r.left, r.top, st.image, 0, 0, 3);
                    }
                }
                SS_BITMAP => {
                    fill(call, hdc, r, brush);
                    if st.image != 0 {
                        draw_bitmap(call, hdc, r.left, r.top, st.image);
                    }
                }
                SS_BLACKRECT => fill_sys(call, hdc, r, COLOR_3DDKSHADOW),
                SS_GRAYRECT => fill_sys(call, hdc, r, COLOR_BTNSHADOW),
                SS_WHITERECT => fill_sys(call, hdc, r, COLOR_BTNHIGHLIGHT),
                SS_BLACKFRAME => frame_sys(call, hdc, r, COLOR_3DDKSHADOW),
                SS_GRAYFRAME => frame_sys(call, hdc, r, COLOR_BTNSHADOW),
                SS_WHITEFRAME => frame_sys(call, hdc, r, COLOR_BTNHIGHLIGHT),
                SS_ETCHEDHORZ => {
                    fill_sys(
                        call,
                        hdc,
                        Rect::new(r.left, r.top, r.right, r.top + 1),
                        COLOR_BTNSHADOW,
                    );
                    fill_sys(
                        call,
                        hdc,
                        Rect::new(r.left, r.top + 1, r.right, r.top + 2),
                        COLOR_BTNHIGHLIGHT,
                    );
                }
                SS_ETCHEDVERT => {
                    fill_sys(
                        call,
                        hdc,
                        Rect::new(r.left, r.top, r.left + 1, r.bottom),
                        COLOR_BTNSHADOW,
                    );
                    fill_sys(
                        call,
                        hdc,
                        Rect::new(r.left + 1, r.top, r.left + 2, r.bottom),
                        COLOR_BTNHIGHLIGHT,
                    );
                }
                SS_ETCHEDFRAME => {
                    edge(call, hdc, r, COLOR_BTNSHADOW, COLOR_BTNHIGHLIGHT);
                    edge(call, hdc, inset(r, 1), COLOR_BTNHIGHLIGHT, COLOR_BTNSHADOW);
                }
                _ => fill(call, hdc, r, brush),
            }
            Step::Return(0)
        }),
    )
}

/// Copies bitmap `bitmap` to (x, y) of `hdc`.
fn draw_bitmap(call: &mut ApiCall<'_>, hdc: u32, x: i32, y: i32, bitmap: u32) {
    let Some(surface) = wm(call).gdi.bitmap_colours(bitmap) else {
        return;
    };
    let (w, h) = (surface.width() as i32, surface.height() as i32);
    gdi32::draw_with(call, hdc, &[], |g, s| {
        let src = gdi::BltSource {
            surface: &surface,
            mono: false,
            bk: 0,
            palette: None,
        };
        g.blt_from(
            s,
            hdc,
            Rect::new(x, y, x + w, y + h),
            src,
            Rect::new(0, 0, w, h),
            0x00CC_0020,
        );
    });
}

/// The size of an icon or bitmap: 32 x 32 for icons.
fn image_size(call: &mut ApiCall<'_>, image: u32, icon: bool) -> Option<(i32, i32)> {
    if icon {
        return Some((32, 32));
    }
    let s = wm(call).gdi.bitmap_colours(image)?;
    Some((s.width() as i32, s.height() as i32))
}

/// Sets a static's image and sizes the control to it (as SS_ICON and SS_BITMAP do); the
/// old image.
fn set_image(call: &mut ApiCall<'_>, hwnd: u32, image: u32, icon: bool) -> (u32, VecDeque<Act>) {
    let old = statics(call).get(&hwnd).map_or(0, |s| s.image);
    statics(call).entry(hwnd).or_default().image = image;
    let mut acts = VecDeque::new();
    if image != 0
        && let Some((w, h)) = image_size(call, image, icon)
    {
        let base = crate::guest::scratch(call);
        let flags =
            crate::window::SWP_NOMOVE | crate::window::SWP_NOZORDER | crate::window::SWP_NOACTIVATE;
        acts.extend(crate::window::pos_acts(
            call, hwnd, 0, 0, 0, w, h, flags, base,
        ));
    }
    acts.push_back(Act::run(move |call| {
        crate::paint::invalidate(wm(call), hwnd, None, true);
    }));
    (old, acts)
}

/// The static's procedure.
fn static_proc(call: &mut ApiCall<'_>, hwnd: u32, msg: u32, wp: u32, lp: u32) -> Step {
    let Some(w) = wm(call).window(hwnd).cloned() else {
        return Step::Return(0);
    };
    let hwnd = w.handle;
    let t = w.style & 0x1F;
    match msg {
        WM_NCCREATE if t == SS_ICON || t == SS_BITMAP => {
            // The text names the icon or bitmap in the module.
            let name = call.read_u32(lp.wrapping_add(36)).unwrap_or(0);
            let instance = call.read_u32(lp.wrapping_add(CS_INSTANCE)).unwrap_or(0);
            let step = crate::message::default_proc(call, hwnd, msg, wp, lp, true);
            if name != 0 {
                let image = if t == SS_ICON {
                    match crate::cursor::load(call, instance, name, true, true) {
                        ApiReturn::Value(v) => v,
                        _ => 0,
                    }
                } else {
                    0
                };
                if image != 0 {
                    statics(call).entry(hwnd).or_default().image = image;
                }
            }
            step
        }
        WM_CREATE if t == SS_ICON || t == SS_BITMAP => {
            let image = statics(call).get(&hwnd).map_or(0, |s| s.image);
            if image == 0 {
                return Step::Return(0);
            }
            let (_, acts) = set_image(call, hwnd, image, t == SS_ICON);
            plan(call, acts, 0, returning(0))
        }
        WM_NCHITTEST if w.style & SS_NOTIFY == 0 => Step::Return(u32::MAX), // HTTRANSPARENT
        WM_GETDLGCODE => Step::Return(DLGC_STATIC),
        crate::paint::WM_ERASEBKGND => Step::Return(1),
        crate::paint::WM_PAINT => {
            wm(call).updates.remove(&hwnd);
            paint_static(call, hwnd)
        }
        WM_ENABLE => paint_static(call, hwnd),
        WM_SETTEXT => {
            if t == SS_ICON {
                return Step::Return(1);
            }
            let step = crate::message::default_proc(call, hwnd, msg, wp, lp, true);
            chain(
                call,
                step,
                Box::new(move |call, r| {
                    crate::paint::invalidate(wm(call), hwnd, None, true);
                    Step::Return(r)
                }),
            )
        }
        WM_SETFONT => {
            statics(call).entry(hwnd).or_default().font = wp;
            if lp & 0xFFFF != 0 {
                crate::paint::invalidate(wm(call), hwnd, None, true);
            }
            Step::Return(0)
        }
        WM_GETFONT => Step::Return(statics(call).get(&hwnd).map_or(0, |s| s.font)),
        STM_SETICON => {
            if t != SS_ICON {
                return Step::Return(0);
            }
            let (old, acts) = set_image(call, hwnd, wp, true);
            plan(call, acts, 0, returning(old))
        }
        STM_GETICON => Step::Return(if t == SS_ICON {
            statics(call).get(&hwnd).map_or(0, |s| s.image)
        } else {
            0
        }),
        STM_SETIMAGE => {
            let fits = (wp == IMAGE_ICON && t == SS_ICON) || (wp == IMAGE_BITMAP && t == SS_BITMAP);
            if !fits {
                return Step::Return(0);
            }
            let (old, acts) = set_image(call, hwnd, lp, t == SS_ICON);
            plan(call, acts, 0, returning(old))
        }
        STM_GETIMAGE => {
            let fits = (wp == IMAGE_ICON && t == SS_ICON) || (wp == IMAGE_BITMAP && t == SS_BITMAP);
            Step::Return(if fits {
                statics(call).get(&hwnd).map_or(0, |s| s.image)
            } else {
                0
            })
        }
        WM_NCDESTROY => {
            statics(call).remove(&hwnd);
            crate::message::default_proc(call, hwnd, msg, wp, lp, true)
        }
        _ => crate::message::default_proc(call, hwnd, msg, wp, lp, true),
    }
}

/// LRESULT StaticWndProcW(HWND, UINT, WPARAM, LPARAM): the Static class's procedure (NT's
/// is not exported; this one is found by the class table only).
#[export]
fn StaticWndProcW(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    Msg: u32,
    wParam: u32,
    lParam: u32,
) -> ApiReturn {
    let step = static_proc(call, hWnd, Msg, wParam, lParam);
    run(call, 4, step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stock_icons_have_nt_s_colours() {
        assert_eq!(
            stock_icon_pixel(32513, 16, 16),
            Some(0xFF_FFFF),
            "hand: white cross"
        );
        assert_eq!(
            stock_icon_pixel(32513, 8, 16),
            Some(0xFF_0000),
            "hand: red disc"
        );
        assert_eq!(
            stock_icon_pixel(32513, 0, 0),
            None,
            "hand: corner transparent"
        );
        assert_eq!(
            stock_icon_pixel(32515, 16, 15),
            Some(0),
            "exclamation: black bar"
        );
        assert_eq!(
            stock_icon_pixel(32515, 12, 25),
            Some(0xFF_FF00),
            "exclamation: yellow"
        );
        assert_eq!(
            stock_icon_pixel(32516, 16, 15),
            Some(0x00_00FF),
            "asterisk: blue i"
        );
        assert_eq!(stock_icon_id(0x0001_F101), Some(32513));
        assert_eq!(stock_icon_id(0x0001_F000), None);
    }
}
