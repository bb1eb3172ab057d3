//! The desktop and the non-client areas of windows, drawn into the screen as NT 4.0 draws
//! them with the Windows Standard scheme: the teal desktop, 3-D frames (sizing frame,
//! dialog frame, thin border, client and static edges), the caption bar (dark blue when
//! active, grey when not; NT 4.0 has no gradient), the system menu box and the
//! minimize/maximize/close buttons as 3-D buttons with their glyphs; and the default hit
//! test (WM_NCHITTEST) over the same geometry.
//!
//! Every drawing is clipped to the part of the window no other window covers, at rectangle
//! granularity: windows above it in the Z order, its parents' client areas, its siblings
//! above it ([`WindowManager::visible_region`]).

use crate::geometry::{self, Rect};
use crate::surface::{DESKTOP_COLOUR, Surface, intersect};
use crate::{DESKTOP, WS_CHILD, WS_VISIBLE, WindowManager};

/// COLOR_3DFACE (COLOR_BTNFACE, COLOR_MENU, COLOR_ACTIVEBORDER and COLOR_INACTIVEBORDER
/// too): light grey.
pub const FACE: u32 = 0x00C0_C0C0;
/// COLOR_3DHILIGHT: white.
pub const HILIGHT: u32 = 0x00FF_FFFF;
/// COLOR_3DSHADOW: dark grey.
pub const SHADOW: u32 = 0x0080_8080;
/// COLOR_3DDKSHADOW (and COLOR_WINDOWFRAME): black.
pub const DKSHADOW: u32 = 0x0000_0000;
/// COLOR_3DLIGHT: the same light grey as the face in the Windows Standard scheme.
pub const LIGHT: u32 = 0x00C0_C0C0;
/// COLOR_ACTIVECAPTION: dark blue.
pub const ACTIVE_CAPTION: u32 = 0x0000_0080;
/// COLOR_INACTIVECAPTION: dark grey.
pub const INACTIVE_CAPTION: u32 = 0x0080_8080;
/// COLOR_CAPTIONTEXT: white.
pub const CAPTION_TEXT: u32 = 0x00FF_FFFF;
/// COLOR_INACTIVECAPTIONTEXT: light grey.
pub const INACTIVE_CAPTION_TEXT: u32 = 0x00C0_C0C0;
/// COLOR_BTNTEXT: the glyphs of the caption buttons.
pub const BUTTON_TEXT: u32 = 0x0000_0000;

/// SM_CXSIZE / SM_CYSIZE: a caption button's cell.
pub const CAPTION_BUTTON: i32 = 18;

const WS_BORDER: u32 = 0x0080_0000;
const WS_DLGFRAME: u32 = 0x0040_0000;
const WS_CAPTION: u32 = 0x00C0_0000;
const WS_SYSMENU: u32 = 0x0008_0000;
const WS_THICKFRAME: u32 = 0x0004_0000;
const WS_MINIMIZEBOX: u32 = 0x0002_0000;
const WS_MAXIMIZEBOX: u32 = 0x0001_0000;
const WS_EX_DLGMODALFRAME: u32 = 0x0001;
const WS_EX_TOOLWINDOW: u32 = 0x0080;
const WS_EX_CLIENTEDGE: u32 = 0x0200;
const WS_EX_STATICEDGE: u32 = 0x0002_0000;

/// HTNOWHERE.
pub const HTNOWHERE: u32 = 0;
/// HTCLIENT.
pub const HTCLIENT: u32 = 1;
/// HTCAPTION.
pub const HTCAPTION: u32 = 2;
/// HTSYSMENU.
pub const HTSYSMENU: u32 = 3;
/// HTMENU.
pub const HTMENU: u32 = 5;
/// HTMINBUTTON.
pub const HTMINBUTTON: u32 = 8;
/// HTMAXBUTTON.
pub const HTMAXBUTTON: u32 = 9;
/// HTLEFT; HTRIGHT, HTTOP, HTTOPLEFT, HTTOPRIGHT, HTBOTTOM, HTBOTTOMLEFT and HTBOTTOMRIGHT
/// follow it.
pub const HTLEFT: u32 = 10;
/// HTBORDER.
pub const HTBORDER: u32 = 18;
/// HTCLOSE.
pub const HTCLOSE: u32 = 20;

/// `rects` less `cut`: each rectangle split into at most four that do not overlap it.
pub fn subtract(rects: Vec<Rect>, cut: Rect) -> Vec<Rect> {
    let mut out = Vec::with_capacity(rects.len() + 3);
    for r in rects {
        let i = intersect(r, cut);
        if i.left >= i.right || i.top >= i.bottom {
            out.push(r);
            continue;
        }
        let mut push = |x: Rect| {
            if x.left < x.right && x.top < x.bottom {
                out.push(x);
            }
        };
        push(Rect::new(r.left, r.top, r.right, i.top));
        push(Rect::new(r.left, i.bottom, r.right, r.bottom));
        push(Rect::new(r.left, i.top, i.left, i.bottom));
        push(Rect::new(i.right, i.top, r.right, i.bottom));
    }
    out
}

/// Draws into a surface through a clip region (rectangles that do not overlap).
pub struct Painter<'a> {
    /// The surface.
    pub surface: &'a mut Surface,
    /// Where drawing may go.
    pub clip: &'a [Rect],
}

impl Painter<'_> {
    /// Fills `rect` where the clip allows.
    pub fn fill(&mut self, rect: Rect, pixel: u32) {
        for c in self.clip {
            self.surface.fill(intersect(rect, *c), pixel);
        }
    }

    /// One pixel.
    pub fn dot(&mut self, x: i32, y: i32, pixel: u32) {
        self.fill(Rect::new(x, y, x + 1, y + 1), pixel);
    }

    /// A one-pixel edge: top and left lines in `tl`, bottom and right lines in `br`.
    pub fn edge(&mut self, r: Rect, tl: u32, br: u32) {
        if r.width() <= 0 || r.height() <= 0 {
            return;
        }
        self.fill(Rect::new(r.left, r.top, r.right - 1, r.top + 1), tl);
        self.fill(Rect::new(r.left, r.top, r.left + 1, r.bottom - 1), tl);
        self.fill(Rect::new(r.left, r.bottom - 1, r.right, r.bottom), br);
        self.fill(Rect::new(r.right - 1, r.top, r.right, r.bottom), br);
    }

    /// EDGE_RAISED (DrawEdge): 3DLIGHT / 3DDKSHADOW outside, 3DHILIGHT / 3DSHADOW inside;
    /// returns the rectangle inside it.
    pub fn raised_edge(&mut self, r: Rect) -> Rect {
        self.edge(r, LIGHT, DKSHADOW);
        let r = inset(r, 1);
        self.edge(r, HILIGHT, SHADOW);
        inset(r, 1)
    }

    /// EDGE_SUNKEN: 3DSHADOW / 3DHILIGHT outside, 3DDKSHADOW / 3DLIGHT inside.
    pub fn sunken_edge(&mut self, r: Rect) -> Rect {
        self.edge(r, SHADOW, HILIGHT);
        let r = inset(r, 1);
        self.edge(r, DKSHADOW, LIGHT);
        inset(r, 1)
    }

    /// A push button's face and edge (DrawFrameControl): 3DHILIGHT / 3DDKSHADOW outside,
    /// 3DLIGHT / 3DSHADOW inside, 3DFACE within.
    pub fn button(&mut self, r: Rect) {
        self.fill(r, FACE);
        self.edge(r, HILIGHT, DKSHADOW);
        self.edge(inset(r, 1), LIGHT, SHADOW);
    }
}

/// `r` with `n` pixels taken off each side.
pub fn inset(r: Rect, n: i32) -> Rect {
    Rect::new(r.left + n, r.top + n, r.right - n, r.bottom - n)
}

/// Where a window's parts are, in screen coordinates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The window rectangle.
    pub window: Rect,
    /// The client rectangle.
    pub client: Rect,
    /// The width of the frame on each side.
    pub border: i32,
    /// The caption bar (without the line under it), if the window has one.
    pub caption: Option<Rect>,
    /// The system menu's box.
    pub sysmenu: Option<Rect>,
    /// The close button.
    pub close: Option<Rect>,
    /// The maximize button.
    pub maximize: Option<Rect>,
    /// The minimize button.
    pub minimize: Option<Rect>,
    /// The menu bar.
    pub menu: Option<Rect>,
}

/// The frame's width for a style (what [`geometry::frame`] adds without edges).
fn border_of(style: u32, ex_style: u32) -> i32 {
    if style & WS_THICKFRAME != 0 {
        geometry::FRAME
    } else if style & WS_CAPTION == WS_DLGFRAME
        || style & WS_CAPTION == WS_CAPTION
        || ex_style & WS_EX_DLGMODALFRAME != 0
    {
        geometry::DLG_FRAME
    } else if style & WS_BORDER != 0 {
        1
    } else {
        0
    }
}

/// The parts of a window with these styles whose window and client rectangles are `window`
/// and `client` on the screen.
pub fn layout(window: Rect, client: Rect, style: u32, ex_style: u32, menu: bool) -> Layout {
    let border = border_of(style, ex_style);
    let mut l = Layout {
        window,
        client,
        border,
        caption: None,
        sysmenu: None,
        close: None,
        maximize: None,
        minimize: None,
        menu: None,
    };
    let mut top = window.top + border;
    if style & WS_CAPTION == WS_CAPTION {
        let tool = ex_style & WS_EX_TOOLWINDOW != 0;
        let height = if tool {
            geometry::SMALL_CAPTION
        } else {
            geometry::CAPTION
        };
        let cap = Rect::new(
            window.left + border,
            top,
            window.right - border,
            top + height - 1,
        );
        l.caption = Some(cap);
        if style & WS_SYSMENU != 0 {
            // The buttons: SM_CXSIZE - 2 by SM_CYSIZE - 4, 2 pixels in from the right and
            // the top; the maximize button 2 pixels left of the close button, minimize
            // touching it.
            let (bw, bh) = if tool {
                (height - 4, height - 5)
            } else {
                (CAPTION_BUTTON - 2, CAPTION_BUTTON - 4)
            };
            let close = Rect::new(
                cap.right - 2 - bw,
                cap.top + 2,
                cap.right - 2,
                cap.top + 2 + bh,
            );
            l.close = Some(close);
            if !tool && style & (WS_MINIMIZEBOX | WS_MAXIMIZEBOX) != 0 {
                let max = close.offset(-(bw + 2), 0);
                l.maximize = Some(max);
                l.minimize = Some(max.offset(-bw, 0));
            }
            if !tool {
                l.sysmenu = Some(Rect::new(
                    cap.left + 1,
                    cap.top + 1,
                    cap.left + 17,
                    cap.top + 17,
                ));
            }
        }
        top += height;
    }
    if menu && style & WS_CHILD == 0 {
        l.menu = Some(Rect::new(
            window.left + border,
            top,
            window.right - border,
            top + geometry::MENU,
        ));
    }
    l
}

/// Draws a caption's title as NT 4.0 does: MS Sans Serif 8 point bold (the scheme's caption
/// font, SPI_GETNONCLIENTMETRICS' lfCaptionFont) in `colour`, left-aligned at `rect.left`,
/// vertically centred in `rect`, clipped to `rect` and the painter's clip, ending in an
/// ellipsis when it does not fit.
pub fn draw_caption_text(painter: &mut Painter<'_>, rect: Rect, text: &[u16], colour: u32) {
    use crate::font::drawtext::{self, DT_END_ELLIPSIS, DT_NOPREFIX, DT_SINGLELINE, DT_VCENTER};
    use crate::font::{FW_BOLD, Font, LogFont, TextDraw};
    if text.is_empty() || rect.width() <= 0 || rect.height() <= 0 {
        return;
    }
    let font = Font::realize(&LogFont {
        height: -11,
        weight: FW_BOLD,
        face_name: "MS Sans Serif".into(),
        ..LogFont::default()
    });
    let layout = drawtext::layout(
        &font,
        text,
        rect,
        DT_SINGLELINE | DT_VCENTER | DT_NOPREFIX | DT_END_ELLIPSIS,
    );
    let clip: Vec<Rect> = painter
        .clip
        .iter()
        .map(|c| intersect(*c, rect))
        .filter(|c| c.width() > 0 && c.height() > 0)
        .collect();
    let how = TextDraw {
        colour,
        background: None,
        opaque_rect: None,
        clip: &clip,
        dx: None,
    };
    drawtext::draw(&font, painter.surface, &layout, &how);
}

/// The default application icon in the system menu box (NT draws the class's small icon;
/// without icons from resources ntemu draws IDI_APPLICATION's picture: a little window).
fn draw_app_icon(p: &mut Painter<'_>, r: Rect) {
    let w = Rect::new(r.left + 1, r.top + 2, r.right - 1, r.bottom - 2);
    p.fill(w, DKSHADOW);
    p.fill(inset(w, 1), HILIGHT);
    p.fill(
        Rect::new(w.left + 1, w.top + 1, w.right - 1, w.top + 4),
        ACTIVE_CAPTION,
    );
}

/// The close button's X: two diagonals two pixels thick, 8 wide and 7 high.
fn draw_close_glyph(p: &mut Painter<'_>, b: Rect) {
    let x0 = b.left + (b.width() - 8) / 2;
    let y0 = b.top + (b.height() - 7) / 2;
    for i in 0..7 {
        p.dot(x0 + i, y0 + i, BUTTON_TEXT);
        p.dot(x0 + i + 1, y0 + i, BUTTON_TEXT);
        p.dot(x0 + 6 - i, y0 + i, BUTTON_TEXT);
        p.dot(x0 + 7 - i, y0 + i, BUTTON_TEXT);
    }
}

/// The minimize button's bar: 6 by 2 at the bottom.
fn draw_min_glyph(p: &mut Painter<'_>, b: Rect) {
    let x0 = b.left + 4;
    let y0 = b.bottom - 5;
    p.fill(Rect::new(x0, y0, x0 + 6, y0 + 2), BUTTON_TEXT);
}

/// The maximize button's box: 9 by 8 with a 2-pixel top.
fn draw_max_glyph(p: &mut Painter<'_>, b: Rect) {
    let x0 = b.left + 3;
    let y0 = b.top + 2;
    let r = Rect::new(x0, y0, x0 + 9, y0 + 9);
    p.fill(Rect::new(r.left, r.top, r.right, r.top + 2), BUTTON_TEXT);
    p.fill(Rect::new(r.left, r.top, r.left + 1, r.bottom), BUTTON_TEXT);
    p.fill(
        Rect::new(r.right - 1, r.top, r.right, r.bottom),
        BUTTON_TEXT,
    );
    p.fill(
        Rect::new(r.left, r.bottom - 1, r.right, r.bottom),
        BUTTON_TEXT,
    );
}

/// Draws a window's non-client area with `p` (whose clip keeps it off the client area and
/// other windows).
#[allow(clippy::too_many_arguments)]
pub fn draw_nonclient(
    p: &mut Painter<'_>,
    l: &Layout,
    style: u32,
    ex_style: u32,
    active: bool,
    text: &[u16],
) {
    let mut r = l.window;
    if style & WS_THICKFRAME != 0 {
        // The sizing frame: a raised edge, then the border colour.
        let inner = p.raised_edge(r);
        p.fill(inner, FACE);
        r = inset(r, l.border);
    } else if l.border == geometry::DLG_FRAME {
        let inner = p.raised_edge(r);
        p.fill(inner, FACE);
        r = inset(r, l.border);
    } else if l.border == 1 {
        p.edge(r, DKSHADOW, DKSHADOW);
        r = inset(r, 1);
    }
    let _ = r;
    if let Some(cap) = l.caption {
        p.fill(
            cap,
            if active {
                ACTIVE_CAPTION
            } else {
                INACTIVE_CAPTION
            },
        );
        // The line under the caption.
        p.fill(
            Rect::new(cap.left, cap.bottom, cap.right, cap.bottom + 1),
            FACE,
        );
        let mut text_left = cap.left + 2;
        if let Some(s) = l.sysmenu {
            draw_app_icon(p, s);
            text_left = s.right + 2;
        }
        let mut text_right = cap.right;
        if let Some(c) = l.close {
            p.button(c);
            draw_close_glyph(p, c);
            text_right = c.left;
        }
        if let (Some(max), Some(min)) = (l.maximize, l.minimize) {
            p.button(max);
            draw_max_glyph(p, max);
            p.button(min);
            draw_min_glyph(p, min);
            text_right = min.left;
        }
        let colour = if active {
            CAPTION_TEXT
        } else {
            INACTIVE_CAPTION_TEXT
        };
        draw_caption_text(
            p,
            Rect::new(text_left, cap.top, text_right, cap.bottom),
            text,
            colour,
        );
    }
    if let Some(m) = l.menu {
        p.fill(m, FACE);
    }
    // The client edges sit just outside the client area.
    let c = l.client;
    if ex_style & WS_EX_CLIENTEDGE != 0 {
        let outer = Rect::new(c.left - 2, c.top - 2, c.right + 2, c.bottom + 2);
        if ex_style & WS_EX_STATICEDGE != 0 {
            p.edge(
                Rect::new(
                    outer.left - 1,
                    outer.top - 1,
                    outer.right + 1,
                    outer.bottom + 1,
                ),
                SHADOW,
                HILIGHT,
            );
        }
        p.sunken_edge(outer);
    } else if ex_style & WS_EX_STATICEDGE != 0 {
        p.edge(
            Rect::new(c.left - 1, c.top - 1, c.right + 1, c.bottom + 1),
            SHADOW,
            HILIGHT,
        );
    }
}

/// The default hit test (DefWindowProc's WM_NCHITTEST) of a window laid out as `l` at
/// screen point (x, y).
pub fn hit_test(l: &Layout, style: u32, x: i32, y: i32) -> u32 {
    let inside = |r: Rect| x >= r.left && x < r.right && y >= r.top && y < r.bottom;
    if !inside(l.window) {
        return HTNOWHERE;
    }
    if inside(l.client) {
        return HTCLIENT;
    }
    for (part, code) in [
        (l.close, HTCLOSE),
        (l.maximize, HTMAXBUTTON),
        (l.minimize, HTMINBUTTON),
        (l.sysmenu, HTSYSMENU),
        (l.caption, HTCAPTION),
        (l.menu, HTMENU),
    ] {
        if part.is_some_and(inside) {
            return code;
        }
    }
    if style & WS_THICKFRAME != 0 {
        let w = l.window;
        // The corners reach a caption button's size along each edge.
        let corner = CAPTION_BUTTON + l.border;
        let left = x < w.left + l.border;
        let right = x >= w.right - l.border;
        let top = y < w.top + l.border;
        let bottom = y >= w.bottom - l.border;
        let near_left = x < w.left + corner;
        let near_right = x >= w.right - corner;
        let near_top = y < w.top + corner;
        let near_bottom = y >= w.bottom - corner;
        // HTLEFT 10, HTRIGHT 11, HTTOP 12, HTTOPLEFT 13, HTTOPRIGHT 14, HTBOTTOM 15,
        // HTBOTTOMLEFT 16, HTBOTTOMRIGHT 17.
        if (top && near_left) || (left && near_top) {
            return HTLEFT + 3;
        }
        if (top && near_right) || (right && near_top) {
            return HTLEFT + 4;
        }
        if (bottom && near_left) || (left && near_bottom) {
            return HTLEFT + 6;
        }
        if (bottom && near_right) || (right && near_bottom) {
            return HTLEFT + 7;
        }
        if left {
            return HTLEFT;
        }
        if right {
            return HTLEFT + 1;
        }
        if top {
            return HTLEFT + 2;
        }
        if bottom {
            return HTLEFT + 5;
        }
    }
    HTBORDER
}

impl WindowManager {
    /// The screen's width and height.
    pub fn screen_size(&self) -> (i32, i32) {
        (self.screen.width() as i32, self.screen.height() as i32)
    }

    /// Makes the screen `width` x `height` (the desktop window follows), all desktop.
    pub fn set_screen_size(&mut self, width: u32, height: u32) {
        // A screen of that size already (the default's): kept, not made again.
        if (self.screen.width(), self.screen.height()) != (width, height) {
            self.screen = Surface::new(width, height, DESKTOP_COLOUR);
        }
        let r = Rect::new(0, 0, width as i32, height as i32);
        if let Some(d) = self.window_mut(DESKTOP) {
            d.rect = r;
            d.client = r;
        }
        self.display.dirty = true;
    }

    /// Whether `hwnd` and each of its parents have WS_VISIBLE.
    pub fn is_shown(&self, hwnd: u32) -> bool {
        let mut h = hwnd;
        for _ in 0..64 {
            let Some(w) = self.window(h) else {
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

    /// A window's rectangle and client rectangle on the screen.
    pub fn screen_rects(&self, hwnd: u32) -> Option<(Rect, Rect)> {
        let w = self.window(hwnd)?;
        let (ox, oy) = self.parent_origin(hwnd);
        Some((w.rect.offset(ox, oy), w.client.offset(ox, oy)))
    }

    /// Where a window's parts are on the screen.
    pub fn layout(&self, hwnd: u32) -> Option<Layout> {
        let w = self.window(hwnd)?;
        let (rect, client) = self.screen_rects(hwnd)?;
        let menu = self.has_menu_bar(w);
        Some(layout(rect, client, w.style, w.ex_style, menu))
    }

    /// The part of `hwnd`'s window rectangle that shows on the screen: inside each parent's
    /// client area, less the visible windows above it and above each parent.
    pub fn visible_region(&self, hwnd: u32) -> Vec<Rect> {
        let Some((rect, _)) = self.screen_rects(hwnd) else {
            return Vec::new();
        };
        if !self.is_shown(hwnd) {
            return Vec::new();
        }
        let mut region = vec![intersect(rect, self.screen.bounds())];
        region.retain(|r| r.left < r.right && r.top < r.bottom);
        let mut h = hwnd;
        for _ in 0..64 {
            let Some(w) = self.window(h) else {
                break;
            };
            if w.handle == DESKTOP {
                break;
            }
            let parent = w.parent;
            if parent != DESKTOP
                && let Some((_, pc)) = self.screen_rects(parent)
            {
                region = region
                    .into_iter()
                    .map(|r| intersect(r, pc))
                    .filter(|r| r.left < r.right && r.top < r.bottom)
                    .collect();
            }
            for &s in self.children(parent).iter().take_while(|&&s| s != h) {
                if self.window(s).is_some_and(|w| w.style & WS_VISIBLE != 0)
                    && let Some((sr, _)) = self.screen_rects(s)
                {
                    region = subtract(region, sr);
                }
            }
            h = parent;
        }
        region
    }

    /// Draws `hwnd`'s non-client area (WM_NCPAINT's default), active or not as its last
    /// WM_NCACTIVATE said; nothing when it is hidden.
    pub fn draw_frame(&mut self, hwnd: u32) {
        let Some(w) = self.window(hwnd) else {
            return;
        };
        if w.handle == DESKTOP {
            return;
        }
        let (style, ex_style, text) = (w.style, w.ex_style, w.text.clone());
        let handle = w.handle;
        let active = self.display.frame_active.contains(&w.handle);
        let Some(l) = self.layout(hwnd) else {
            return;
        };
        let clip = subtract(self.visible_region(hwnd), l.client);
        if clip.is_empty() {
            return;
        }
        let mut p = Painter {
            surface: &mut self.screen,
            clip: &clip,
        };
        draw_nonclient(&mut p, &l, style, ex_style, active, &text);
        if style & (crate::WS_HSCROLL | crate::WS_VSCROLL) != 0 {
            let bars = self.scroll_bars.get(&handle).copied().unwrap_or_default();
            let mut p = Painter {
                surface: &mut self.screen,
                clip: &clip,
            };
            crate::scrollbar::draw_window_bars(&mut p, style, l.client, &bars);
        }
        self.display.dirty = true;
        self.draw_menu_bar(hwnd);
    }

    /// Records a window's WM_NCACTIVATE state (its caption drawn active or not).
    pub fn set_frame_active(&mut self, hwnd: u32, active: bool) {
        let Some(h) = self.full_handle(hwnd) else {
            return;
        };
        if active {
            self.display.frame_active.insert(h);
        } else {
            self.display.frame_active.remove(&h);
        }
    }

    /// Repaints the desktop where `area` shows it (not covered by a visible top-level
    /// window).
    pub fn paint_desktop(&mut self, area: Rect) {
        let mut region = vec![intersect(area, self.screen.bounds())];
        for h in self.children(DESKTOP) {
            if self.window(h).is_some_and(|w| w.style & WS_VISIBLE != 0)
                && let Some((r, _)) = self.screen_rects(h)
            {
                region = subtract(region, r);
            }
        }
        for r in region {
            self.screen.fill(r, DESKTOP_COLOUR);
        }
        self.display.dirty = true;
    }

    /// What is under `area` of the screen was uncovered (a window there moved, hid or was
    /// destroyed): repaints the desktop and the frames of the windows there. Returns the
    /// visible windows whose client areas meet `area`, top of the Z order first: their
    /// clients need painting (the caller invalidates them).
    pub fn expose(&mut self, area: Rect) -> Vec<u32> {
        self.paint_desktop(area);
        let mut touched = Vec::new();
        let mut windows = Vec::new();
        for h in self.children(DESKTOP) {
            windows.push(h);
            windows.extend(self.descendants(h));
        }
        for h in windows {
            if !self.is_shown(h) {
                continue;
            }
            let Some((r, c)) = self.screen_rects(h) else {
                continue;
            };
            let meets = |x: Rect| {
                let i = intersect(x, area);
                i.left < i.right && i.top < i.bottom
            };
            if meets(r) {
                self.draw_frame(h);
            }
            if meets(c) {
                touched.push(h);
            }
        }
        touched
    }

    /// The window at screen point (x, y): the topmost visible, enabled top-level window
    /// whose rectangle holds it, then its deepest visible child holding it (0: the desktop).
    pub fn window_from_point(&self, x: i32, y: i32) -> u32 {
        let inside = |r: Rect| x >= r.left && x < r.right && y >= r.top && y < r.bottom;
        let mut found = 0;
        let mut parent = DESKTOP;
        loop {
            let next = self.children(parent).into_iter().find(|&h| {
                self.window(h).is_some_and(|w| w.style & WS_VISIBLE != 0)
                    && self.screen_rects(h).is_some_and(|(r, _)| inside(r))
            });
            let Some(h) = next else {
                break;
            };
            found = h;
            // Into the children only through the client area.
            match self.screen_rects(h) {
                Some((_, c)) if inside(c) => parent = h,
                _ => break,
            }
        }
        found
    }

    /// The default hit test of `hwnd` at screen point (x, y).
    pub fn hit_test(&self, hwnd: u32, x: i32, y: i32) -> u32 {
        match (self.window(hwnd), self.layout(hwnd)) {
            (Some(w), Some(l)) => crate::scrollbar::hit_window_bars(w.style, l.client, x, y)
                .unwrap_or_else(|| hit_test(&l, w.style, x, y)),
            _ => HTNOWHERE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtracting_leaves_the_parts_outside() {
        let r = subtract(vec![Rect::new(0, 0, 10, 10)], Rect::new(2, 2, 5, 5));
        let area: i32 = r.iter().map(|r| r.width() * r.height()).sum();
        assert_eq!(area, 100 - 9);
        for a in &r {
            assert!(
                intersect(*a, Rect::new(2, 2, 5, 5)).width() <= 0 || {
                    let i = intersect(*a, Rect::new(2, 2, 5, 5));
                    i.height() <= 0
                }
            );
        }
        assert_eq!(
            subtract(vec![Rect::new(0, 0, 4, 4)], Rect::new(10, 10, 12, 12)),
            vec![Rect::new(0, 0, 4, 4)]
        );
        assert!(subtract(vec![Rect::new(0, 0, 4, 4)], Rect::new(-1, -1, 5, 5)).is_empty());
    }

    #[test]
    fn an_overlapped_window_has_its_caption_and_buttons_where_nt_puts_them() {
        let style = 0x00CF_0000; // WS_OVERLAPPEDWINDOW
        let window = Rect::new(100, 50, 400, 250);
        let client = geometry::client_from_window(window, style, 0, false);
        let l = layout(window, client, style, 0, false);
        assert_eq!(l.caption, Some(Rect::new(104, 54, 396, 72)));
        assert_eq!(l.close, Some(Rect::new(378, 56, 394, 70)));
        assert_eq!(l.maximize, Some(Rect::new(360, 56, 376, 70)));
        assert_eq!(l.minimize, Some(Rect::new(344, 56, 360, 70)));
        assert_eq!(hit_test(&l, style, 385, 60), HTCLOSE);
        assert_eq!(hit_test(&l, style, 200, 60), HTCAPTION);
        assert_eq!(hit_test(&l, style, 200, 100), HTCLIENT);
        assert_eq!(hit_test(&l, style, 101, 150), HTLEFT);
        assert_eq!(hit_test(&l, style, 101, 51), HTLEFT + 3);
        assert_eq!(hit_test(&l, style, 99, 150), HTNOWHERE);
    }

    fn top_level(wm: &mut WindowManager, rect: Rect) -> u32 {
        let style = 0x00CF_0000 | WS_VISIBLE;
        wm.insert(crate::Window {
            handle: 0,
            process: 1,
            thread: 2,
            class: 0,
            style,
            ex_style: 0,
            id: 0,
            user_data: 0,
            wndproc: 0,
            unicode: false,
            instance: 0,
            parent: DESKTOP,
            owner: 0,
            text: Vec::new(),
            rect,
            client: geometry::client_from_window(rect, style, 0, false),
            extra: Vec::new(),
            children: Vec::new(),
            life: crate::Life::Alive,
            size_move_owed: false,
        })
    }

    #[test]
    fn a_frame_below_another_window_is_clipped_by_it_and_the_point_finds_the_top_one() {
        let mut wm = WindowManager::default();
        let below = top_level(&mut wm, Rect::new(10, 10, 210, 160));
        let above = top_level(&mut wm, Rect::new(100, 5, 300, 200));
        assert_eq!(
            wm.children(DESKTOP),
            vec![above, below],
            "the newer one on top"
        );
        wm.set_frame_active(above, true);
        wm.draw_frame(above);
        wm.draw_frame(below);
        // The lower window's caption shows left of the upper window only.
        assert_eq!(wm.screen.get(50, 20), Some(INACTIVE_CAPTION));
        assert_eq!(wm.screen.get(150, 20), Some(ACTIVE_CAPTION));
        assert_eq!(wm.window_from_point(150, 20), above);
        assert_eq!(wm.window_from_point(50, 20), below);
        assert_eq!(wm.window_from_point(5, 5), 0);
        assert_eq!(wm.hit_test(above, 150, 20), HTCAPTION);
        // Hiding the upper window uncovers the desktop and the lower window's frame.
        if let Some(w) = wm.window_mut(above) {
            w.style &= !WS_VISIBLE;
        }
        let touched = wm.expose(Rect::new(100, 5, 300, 200));
        assert_eq!(
            touched,
            vec![below],
            "the lower window's client needs painting"
        );
        assert_eq!(wm.screen.get(150, 20), Some(INACTIVE_CAPTION));
        assert_eq!(wm.screen.get(250, 20), Some(DESKTOP_COLOUR));
    }

    #[test]
    fn a_frame_is_drawn_with_nt_colours() {
        let mut s = Surface::new(300, 200, DESKTOP_COLOUR);
        let style = 0x00CF_0000;
        let window = Rect::new(10, 10, 210, 160);
        let client = geometry::client_from_window(window, style, 0, false);
        let l = layout(window, client, style, 0, false);
        let clip = subtract(vec![s.bounds()], client);
        let mut p = Painter {
            surface: &mut s,
            clip: &clip,
        };
        draw_nonclient(&mut p, &l, style, 0, true, &[]);
        assert_eq!(s.get(10, 50), Some(LIGHT), "outer left edge");
        assert_eq!(s.get(11, 50), Some(HILIGHT), "inner left edge");
        assert_eq!(s.get(209, 50), Some(DKSHADOW), "outer right edge");
        assert_eq!(s.get(208, 50), Some(SHADOW), "inner right edge");
        assert_eq!(s.get(12, 50), Some(FACE), "sizing border");
        assert_eq!(s.get(100, 20), Some(ACTIVE_CAPTION), "caption");
        assert_eq!(s.get(100, 32), Some(FACE), "line under the caption");
        assert_eq!(s.get(100, 100), Some(DESKTOP_COLOUR), "client untouched");
        assert_eq!(s.get(5, 5), Some(DESKTOP_COLOUR), "outside untouched");
    }
}
