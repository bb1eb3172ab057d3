//! What the standard controls (Edit, ListBox, ComboBox, ScrollBar) share: notifying the
//! parent with WM_COMMAND, the font a control draws with, strings in the window's
//! character set, giving a control the focus, and drawing into a control's client area on
//! the screen (clipped to what shows of it).
//!
//! A control's window procedure is a USER32 export (named in class.rs's SYSTEM_CLASSES)
//! that works on the window's character set: a control takes the one of the CreateWindowEx
//! call that made it, as NT's controls (which have ANSI and Unicode procedures) do.

use std::collections::VecDeque;

use win32::ApiCall;
use win32k::font::{Font, TextDraw};
use win32k::geometry::Rect;
use win32k::nonclient::subtract;
use win32k::surface::intersect;
use win32k::{WindowManager, gdi};

use crate::guest::Step;
use crate::wm::{Act, copy_text, plan, read_text, returning, wm};

/// WM_COMMAND.
pub const WM_COMMAND: u32 = 0x0111;
/// WM_SETFONT.
pub const WM_SETFONT: u32 = 0x0030;
/// WM_GETFONT.
pub const WM_GETFONT: u32 = 0x0031;
/// WM_KILLFOCUS.
pub const WM_KILLFOCUS: u32 = 0x0008;
/// WM_GETDLGCODE.
pub const WM_GETDLGCODE: u32 = 0x0087;
/// WM_MOUSEMOVE.
pub const WM_MOUSEMOVE: u32 = 0x0200;
/// WM_LBUTTONDOWN.
pub const WM_LBUTTONDOWN: u32 = 0x0201;
/// WM_LBUTTONUP.
pub const WM_LBUTTONUP: u32 = 0x0202;
/// WM_LBUTTONDBLCLK.
pub const WM_LBUTTONDBLCLK: u32 = 0x0203;
/// WM_HSCROLL.
pub const WM_HSCROLL: u32 = 0x0114;
/// WM_VSCROLL.
pub const WM_VSCROLL: u32 = 0x0115;

/// COLOR_WINDOW's pixel.
pub const WINDOW: u32 = 0x00FF_FFFF;
/// COLOR_WINDOWTEXT's pixel.
pub const WINDOW_TEXT: u32 = 0x0000_0000;
/// COLOR_HIGHLIGHT's pixel.
pub const HIGHLIGHT: u32 = 0x0000_0080;
/// COLOR_HIGHLIGHTTEXT's pixel.
pub const HIGHLIGHT_TEXT: u32 = 0x00FF_FFFF;
/// COLOR_GRAYTEXT's pixel.
pub const GRAY_TEXT: u32 = 0x0080_8080;
/// COLOR_3DFACE's pixel.
pub const FACE: u32 = 0x00C0_C0C0;

/// The low and high words of a message parameter, signed.
pub fn words(v: u32) -> (i32, i32) {
    (i32::from(v as i16), i32::from((v >> 16) as i16))
}

/// MAKELONG.
pub fn make_long(lo: u32, hi: u32) -> u32 {
    (lo & 0xFFFF) | (hi << 16)
}

/// The window's style, parent, id and character set (unicode).
pub fn basics(call: &mut ApiCall<'_>, hwnd: u32) -> Option<(u32, u32, u32, bool)> {
    let w = wm(call).window(hwnd)?;
    Some((w.style, w.parent, w.id, w.unicode))
}

/// A WM_COMMAND notification `code` from control `hwnd` to `to` (0: its parent), sent when
/// its turn in a plan comes.
pub fn notify(hwnd: u32, to: u32, code: u32) -> Act {
    Act::send_with(move |call| {
        let w = wm(call).window(hwnd)?;
        let target = if to != 0 { to } else { w.parent };
        Some((target, WM_COMMAND, make_long(w.id, code), hwnd))
    })
}

/// Carries out `acts`, then returns `value`.
pub fn finish(call: &mut ApiCall<'_>, acts: Vec<Act>, value: u32) -> Step {
    plan(
        call,
        acts.into_iter().collect::<VecDeque<_>>(),
        0,
        returning(value),
    )
}

/// Acts that give `hwnd` the focus as SetFocus does for a control clicked with the mouse:
/// WM_KILLFOCUS to the window that had it, WM_SETFOCUS to `hwnd`. None when it has it.
pub fn take_focus(call: &mut ApiCall<'_>, hwnd: u32) -> Vec<Act> {
    let m = wm(call);
    let old = m.focus;
    if old == hwnd {
        return Vec::new();
    }
    m.focus = hwnd;
    let mut acts = Vec::new();
    if old != 0 && m.window(old).is_some() {
        acts.push(Act::Send(old, WM_KILLFOCUS, hwnd, 0));
    }
    acts.push(Act::Send(hwnd, crate::wm::WM_SETFOCUS, old, 0));
    acts
}

/// The font a control draws with: `hfont` (WM_SETFONT's), or the System font.
pub fn font(call: &mut ApiCall<'_>, hfont: u32) -> Font {
    let lf = match wm(call).gdi.get(hfont) {
        Some(gdi::Object::Font(lf)) if hfont != 0 => lf.clone(),
        _ => gdi::stock_font(gdi::SYSTEM_FONT).unwrap_or_default(),
    };
    Font::realize(&lf.to_font())
}

/// A string argument in the window's character set (None: unreadable or NULL).
pub fn read_str(call: &ApiCall<'_>, address: u32, wide: bool) -> Option<Vec<u16>> {
    if address == 0 {
        return None;
    }
    read_text(call, address, wide)
}

/// Copies `text` NUL-terminated to `buffer` (no size limit, as LB_GETTEXT does); the
/// characters copied in the window's character set, or None when it cannot be written.
pub fn put_str(call: &mut ApiCall<'_>, buffer: u32, text: &[u16], wide: bool) -> Option<u32> {
    copy_text(call, buffer, u32::MAX, text, wide)
}

/// Characters of `text` in the character set.
pub fn len_in(text: &[u16], wide: bool) -> u32 {
    crate::wm::text_len(text, wide)
}

/// Case-insensitive comparison (lstrcmpi's order for the text the tests use).
pub fn compare_nocase(a: &[u16], b: &[u16]) -> std::cmp::Ordering {
    let low = |t: &[u16]| -> Vec<u32> {
        String::from_utf16_lossy(t)
            .chars()
            .flat_map(char::to_lowercase)
            .map(u32::from)
            .collect()
    };
    low(a).cmp(&low(b))
}

/// Whether `text` starts with `prefix`, ignoring case.
pub fn starts_nocase(text: &[u16], prefix: &[u16]) -> bool {
    text.len() >= prefix.len()
        && compare_nocase(&text[..prefix.len()], prefix) == std::cmp::Ordering::Equal
}

/// Drawing into a window's client area on the screen.
pub struct Canvas {
    /// The client area's top-left on the screen.
    pub origin: (i32, i32),
    /// The client area's size.
    pub size: (i32, i32),
    /// What shows of it (screen rectangles), less the visible children.
    pub clip: Vec<Rect>,
}

impl Canvas {
    /// The canvas of `hwnd`'s client area; None when nothing of it shows.
    pub fn of(m: &WindowManager, hwnd: u32) -> Option<Canvas> {
        let (_, client) = m.screen_rects(hwnd)?;
        let mut clip: Vec<Rect> = m
            .visible_region(hwnd)
            .into_iter()
            .map(|r| intersect(r, client))
            .filter(|r| r.left < r.right && r.top < r.bottom)
            .collect();
        for c in m.children(hwnd) {
            if m.window(c)
                .is_some_and(|w| w.style & win32k::WS_VISIBLE != 0)
                && let Some((r, _)) = m.screen_rects(c)
            {
                clip = subtract(clip, r);
            }
        }
        if clip.is_empty() {
            return None;
        }
        Some(Canvas {
            origin: (client.left, client.top),
            size: (client.width(), client.height()),
            clip,
        })
    }

    /// A client rectangle on the screen.
    pub fn screen(&self, r: Rect) -> Rect {
        r.offset(self.origin.0, self.origin.1)
    }

    /// Fills client rectangle `r`.
    pub fn fill(&self, m: &mut WindowManager, r: Rect, pixel: u32) {
        let r = self.screen(r);
        for c in &self.clip {
            m.screen.fill(intersect(r, *c), pixel);
        }
        m.display.dirty = true;
    }

    /// A one-pixel edge around client rectangle `r`: top and left `tl`, bottom and right
    /// `br`.
    pub fn edge(&self, m: &mut WindowManager, r: Rect, tl: u32, br: u32) {
        if r.width() <= 0 || r.height() <= 0 {
            return;
        }
        self.fill(m, Rect::new(r.left, r.top, r.right - 1, r.top + 1), tl);
        self.fill(m, Rect::new(r.left, r.top, r.left + 1, r.bottom - 1), tl);
        self.fill(m, Rect::new(r.left, r.bottom - 1, r.right, r.bottom), br);
        self.fill(m, Rect::new(r.right - 1, r.top, r.right, r.bottom), br);
    }

    /// Draws `text` with its cell's top-left at client (x, y), clipped to client rectangle
    /// `within`.
    #[allow(clippy::too_many_arguments)]
    pub fn text(
        &self,
        m: &mut WindowManager,
        font: &Font,
        x: i32,
        y: i32,
        text: &[u16],
        colour: u32,
        within: Rect,
    ) {
        let within = self.screen(within);
        let clip: Vec<Rect> = self
            .clip
            .iter()
            .map(|c| intersect(*c, within))
            .filter(|c| c.left < c.right && c.top < c.bottom)
            .collect();
        if clip.is_empty() || text.is_empty() {
            return;
        }
        let how = TextDraw {
            colour,
            background: None,
            opaque_rect: None,
            clip: &clip,
            dx: None,
        };
        font.draw(
            &mut m.screen,
            self.origin.0 + x,
            self.origin.1 + y,
            text,
            &how,
        );
        m.display.dirty = true;
    }

    /// Inverts the pixels of client rectangle `r` (a caret, a focus mark).
    pub fn invert(&self, m: &mut WindowManager, r: Rect) {
        let r = self.screen(r);
        for c in &self.clip {
            let i = intersect(r, *c);
            for y in i.top..i.bottom {
                for x in i.left..i.right {
                    if let Some(p) = m.screen.get(x, y) {
                        m.screen.set(x, y, p ^ 0x00FF_FFFF);
                    }
                }
            }
        }
        m.display.dirty = true;
    }

    /// A dotted focus rectangle (DrawFocusRect: every other pixel inverted) around `r`.
    pub fn focus_rect(&self, m: &mut WindowManager, r: Rect) {
        if r.width() <= 0 || r.height() <= 0 {
            return;
        }
        let mut dots = Vec::new();
        for x in r.left..r.right {
            dots.push((x, r.top));
            dots.push((x, r.bottom - 1));
        }
        for y in r.top + 1..r.bottom - 1 {
            dots.push((r.left, y));
            dots.push((r.right - 1, y));
        }
        for (x, y) in dots {
            if (x + y) % 2 == 0 {
                self.invert(m, Rect::new(x, y, x + 1, y + 1));
            }
        }
    }
}

/// Validates a control's update region (its WM_PAINT draws all of it).
pub fn validate_all(call: &mut ApiCall<'_>, hwnd: u32) {
    crate::paint::validate(wm(call), hwnd, None);
}

/// A raised 3-D button face (DrawFrameControl's push button) at client rectangle `r`.
pub fn button_face(m: &mut WindowManager, cv: &Canvas, r: Rect, pushed: bool) {
    use win32k::nonclient::{DKSHADOW, HILIGHT, LIGHT, SHADOW};
    cv.fill(m, r, FACE);
    if pushed {
        cv.edge(m, r, SHADOW, SHADOW);
    } else {
        cv.edge(m, r, LIGHT, DKSHADOW);
        let i = Rect::new(r.left + 1, r.top + 1, r.right - 1, r.bottom - 1);
        cv.edge(m, i, HILIGHT, SHADOW);
    }
}

/// A solid triangle arrow glyph (the scroll bar's and combo box's) centred in client
/// rectangle `r`, pointing `dir` (0 up, 1 down, 2 left, 3 right), `colour`.
pub fn arrow_glyph(m: &mut WindowManager, cv: &Canvas, r: Rect, dir: u8, colour: u32) {
    // NT 4.0's arrows in a 16-pixel button are 4 rows tall, 7 pixels at the base.
    let size = ((r.width().min(r.height()) - 4) / 3).clamp(1, 4);
    let (cx, cy) = (r.left + r.width() / 2, r.top + r.height() / 2);
    for i in 0..size {
        match dir {
            0 | 1 => {
                let y = if dir == 0 {
                    cy - size / 2 + i
                } else {
                    cy + size / 2 - i - 1 + (size & 1)
                };
                let half = i;
                cv.fill(m, Rect::new(cx - half - 1, y, cx + half, y + 1), colour);
            }
            _ => {
                let x = if dir == 2 {
                    cx - size / 2 + i
                } else {
                    cx + size / 2 - i - 1 + (size & 1)
                };
                let half = i;
                cv.fill(m, Rect::new(x, cy - half - 1, x + 1, cy + half), colour);
            }
        }
    }
}

/// WM_CTLCOLORLISTBOX.
pub const WM_CTLCOLORLISTBOX: u32 = 0x134;
/// WM_CTLCOLOREDIT.
pub const WM_CTLCOLOREDIT: u32 = 0x133;
/// WM_CTLCOLORSCROLLBAR.
pub const WM_CTLCOLORSCROLLBAR: u32 = 0x137;
/// WM_CTLCOLORSTATIC.
pub const WM_CTLCOLORSTATIC: u32 = 0x138;

/// The text and background pixels a control's parent chose with WM_CTLCOLOR*.
#[derive(Default)]
pub struct ChosenColours(pub std::collections::BTreeMap<u32, (u32, u32)>);

/// The colours `hwnd` draws with: the parent's WM_CTLCOLOR* answer of its last paint, or
/// (text, background) as given.
pub fn colours(call: &mut ApiCall<'_>, hwnd: u32, text: u32, background: u32) -> (u32, u32) {
    call.state
        .get::<ChosenColours>()
        .0
        .get(&hwnd)
        .copied()
        .unwrap_or((text, background))
}

/// A control's WM_PAINT as NT's controls do it: a DC of its client area goes to the parent
/// in `ctlcolor` (WM_CTLCOLOREDIT, ...), which may set its text colour and answer a brush;
/// with a brush the control draws in the DC's text colour on the brush's colour, else in its
/// own colours. Then `draw` paints it.
pub fn paint_with_colours(
    call: &mut ApiCall<'_>,
    hwnd: u32,
    ctlcolor: u32,
    draw: fn(&mut ApiCall<'_>, u32),
) -> Step {
    validate_all(call, hwnd);
    let parent = wm(call).window(hwnd).map_or(0, |w| w.parent);
    let hdc = crate::paint::window_dc(call, hwnd, false);
    let acts = vec![
        Act::Send(parent, ctlcolor, hdc, hwnd),
        Act::check(move |call, brush| {
            let m = wm(call);
            let chosen = match (m.gdi.get(brush), m.gdi.dc(hdc)) {
                (Some(gdi::Object::Brush(b)), Some(d)) if brush != 0 => Some((
                    win32k::surface::pixel_from_colorref(d.state.text_colour),
                    win32k::surface::pixel_from_colorref(b.colour),
                )),
                _ => None,
            };
            let table = &mut call.state.get::<ChosenColours>().0;
            match chosen {
                Some(c) => {
                    table.insert(hwnd, c);
                }
                None => {
                    table.remove(&hwnd);
                }
            }
            None
        }),
        Act::run(move |call| {
            wm(call).gdi.delete_dc(hdc);
            draw(call, hwnd);
        }),
    ];
    finish(call, acts, 0)
}
