//! Scroll bars as NT 4.0 draws them: a bar's range, page and position ([`ScrollInfo`]),
//! where its arrows, track and thumb are ([`BarLayout`]), what a point on it hits, and
//! drawing it (raised 3-D arrow buttons with black triangles, a track of 3DHILIGHT and
//! SCROLLBAR dots, a raised thumb). Window scroll bars (WS_HSCROLL, WS_VSCROLL) sit in the
//! non-client area just outside the client rectangle, below and right of it, with the
//! size box (3DFACE) in the corner when both show.

use crate::geometry::{self, Rect};
use crate::nonclient::{DKSHADOW, FACE, HILIGHT, LIGHT, Painter, SHADOW};

/// The smallest thumb NT 4.0 draws (SM_CYVTHUMB is the arrow's size; a thumb for a page
/// shrinks no smaller than this).
pub const MIN_THUMB: i32 = 8;

/// SB_HORZ.
pub const SB_HORZ: u32 = 0;
/// SB_VERT.
pub const SB_VERT: u32 = 1;
/// SB_CTL.
pub const SB_CTL: u32 = 2;
/// SB_BOTH.
pub const SB_BOTH: u32 = 3;

/// One scroll bar's state (SCROLLINFO).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScrollInfo {
    /// nMin.
    pub min: i32,
    /// nMax.
    pub max: i32,
    /// nPage.
    pub page: u32,
    /// nPos.
    pub pos: i32,
    /// nTrackPos (while the thumb is dragged).
    pub track_pos: i32,
    /// EnableScrollBar's ESB_* arrows disabled (1: left/up, 2: right/down).
    pub disabled: u32,
}

impl Default for ScrollInfo {
    fn default() -> Self {
        ScrollInfo {
            min: 0,
            max: 100,
            page: 0,
            pos: 0,
            track_pos: 0,
            disabled: 0,
        }
    }
}

impl ScrollInfo {
    /// The highest position: nMax - max(nPage - 1, 0).
    pub fn max_pos(&self) -> i32 {
        let page = self.page.min(i32::MAX as u32) as i32;
        self.max.saturating_sub((page - 1).max(0)).max(self.min)
    }

    /// Keeps the page within the range and the position within [min, max_pos], as
    /// SetScrollInfo does.
    pub fn clamp(&mut self) {
        let span = (i64::from(self.max) - i64::from(self.min) + 1).max(0);
        if i64::from(self.page) > span {
            self.page = span as u32;
        }
        self.pos = self.pos.clamp(self.min, self.max_pos());
    }

    /// Whether the bar has nothing to scroll (and so is hidden or disabled).
    pub fn is_idle(&self) -> bool {
        self.min >= self.max
            || (self.page != 0 && i64::from(self.page) > i64::from(self.max) - i64::from(self.min))
    }
}

/// A window's two scroll bars.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WindowBars {
    /// SB_HORZ's.
    pub horz: ScrollInfo,
    /// SB_VERT's.
    pub vert: ScrollInfo,
}

/// Where a bar's parts are along its length (pixels from its start).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BarLayout {
    /// The arrow buttons' length (each).
    pub arrow: i32,
    /// The thumb's start.
    pub thumb_start: i32,
    /// The thumb's length (0: no thumb).
    pub thumb: i32,
    /// The bar's length.
    pub length: i32,
}

/// A part of a scroll bar a point hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// The up or left arrow.
    ArrowBefore,
    /// The track before the thumb.
    PageBefore,
    /// The thumb.
    Thumb,
    /// The track after the thumb.
    PageAfter,
    /// The down or right arrow.
    ArrowAfter,
}

/// The parts of a bar `length` long and `breadth` across, for `info`.
pub fn bar_layout(length: i32, breadth: i32, info: &ScrollInfo) -> BarLayout {
    let mut arrow = breadth.min(length / 2).max(0);
    let track = length - 2 * arrow;
    if track < 0 {
        arrow = length / 2;
    }
    let track = (length - 2 * arrow).max(0);
    let span = i64::from(info.max) - i64::from(info.min) + 1;
    let mut thumb = if info.page == 0 {
        breadth
    } else if span > 0 {
        ((i64::from(track) * i64::from(info.page)) / span).max(i64::from(MIN_THUMB)) as i32
    } else {
        0
    };
    if thumb > track || info.is_idle() {
        thumb = 0;
    }
    let range = i64::from(info.max_pos()) - i64::from(info.min);
    let free = i64::from(track - thumb);
    let offset = if range > 0 {
        (free * (i64::from(info.pos) - i64::from(info.min)) / range).clamp(0, free) as i32
    } else {
        0
    };
    BarLayout {
        arrow,
        thumb_start: arrow + offset,
        thumb,
        length,
    }
}

impl BarLayout {
    /// The part at `at` pixels along the bar.
    pub fn part(&self, at: i32) -> Option<Part> {
        if at < 0 || at >= self.length {
            return None;
        }
        Some(if at < self.arrow {
            Part::ArrowBefore
        } else if at >= self.length - self.arrow {
            Part::ArrowAfter
        } else if self.thumb == 0 {
            if at < self.length / 2 {
                Part::PageBefore
            } else {
                Part::PageAfter
            }
        } else if at < self.thumb_start {
            Part::PageBefore
        } else if at < self.thumb_start + self.thumb {
            Part::Thumb
        } else {
            Part::PageAfter
        })
    }

    /// The position the thumb's start at `start` pixels along the bar stands for.
    pub fn pos_at(&self, start: i32, info: &ScrollInfo) -> i32 {
        let free = self.length - 2 * self.arrow - self.thumb;
        if free <= 0 {
            return info.min;
        }
        let off = i64::from((start - self.arrow).clamp(0, free));
        let range = i64::from(info.max_pos()) - i64::from(info.min);
        (i64::from(info.min) + (off * range + i64::from(free) / 2) / i64::from(free)) as i32
    }
}

/// Draws a scroll bar into `r` (screen), vertical or not, for `info`; `enabled` false
/// draws it disabled (grey arrows, no thumb).
pub fn draw_bar(p: &mut Painter<'_>, r: Rect, vertical: bool, info: &ScrollInfo, enabled: bool) {
    let (length, breadth) = if vertical {
        (r.height(), r.width())
    } else {
        (r.width(), r.height())
    };
    if length <= 0 || breadth <= 0 {
        return;
    }
    let l = bar_layout(length, breadth, info);
    let span = |a: i32, b: i32| {
        if vertical {
            Rect::new(r.left, r.top + a, r.right, r.top + b)
        } else {
            Rect::new(r.left + a, r.top, r.left + b, r.bottom)
        }
    };
    // The track: a checkerboard of 3DHILIGHT and SCROLLBAR (3DFACE in the scheme).
    let track = span(l.arrow, length - l.arrow);
    for c in p.clip.iter().copied() {
        let i = crate::surface::intersect(track, c);
        for y in i.top..i.bottom {
            for x in i.left..i.right {
                let pixel = if (x + y) % 2 == 0 { HILIGHT } else { FACE };
                p.surface.set(x, y, pixel);
            }
        }
    }
    let idle = !enabled || info.is_idle();
    let before = span(0, l.arrow);
    let after = span(length - l.arrow, length);
    for (button, dir, off) in [(before, 0u8, 1u32), (after, 1, 2)] {
        draw_button(p, button);
        let colour = if idle || info.disabled & off != 0 {
            SHADOW
        } else {
            DKSHADOW
        };
        let dir = if vertical { dir } else { dir + 2 };
        draw_arrow(p, button, dir, colour, idle || info.disabled & off != 0);
    }
    if !idle && l.thumb > 0 {
        draw_button(p, span(l.thumb_start, l.thumb_start + l.thumb));
    }
}

/// A raised button (the arrows' and the thumb's look): 3DLIGHT / 3DDKSHADOW outside,
/// 3DHILIGHT / 3DSHADOW inside, 3DFACE within.
pub fn draw_button(p: &mut Painter<'_>, r: Rect) {
    p.fill(r, FACE);
    p.edge(r, LIGHT, DKSHADOW);
    p.edge(crate::nonclient::inset(r, 1), HILIGHT, SHADOW);
}

/// A triangle pointing `dir` (0 up, 1 down, 2 left, 3 right) centred in `r`; a disabled
/// one is 3DSHADOW with a 3DHILIGHT copy one pixel right and down.
pub fn draw_arrow(p: &mut Painter<'_>, r: Rect, dir: u8, colour: u32, disabled: bool) {
    if disabled {
        arrow(p, r.offset(1, 1), dir, HILIGHT);
    }
    arrow(p, r, dir, colour);
}

fn arrow(p: &mut Painter<'_>, r: Rect, dir: u8, colour: u32) {
    let size = ((r.width().min(r.height()) - 4) / 3).clamp(1, 4);
    let (cx, cy) = (r.left + r.width() / 2, r.top + r.height() / 2);
    for i in 0..size {
        match dir {
            0 | 1 => {
                let y = if dir == 0 {
                    cy - size / 2 + i
                } else {
                    cy + (size - 1) / 2 - i
                };
                p.fill(Rect::new(cx - i - 1, y, cx + i, y + 1), colour);
            }
            _ => {
                let x = if dir == 2 {
                    cx - size / 2 + i
                } else {
                    cx + (size - 1) / 2 - i
                };
                p.fill(Rect::new(x, cy - i - 1, x + 1, cy + i), colour);
            }
        }
    }
}

/// Where a window's bars are (screen), given its style and client rectangle on the screen:
/// (horizontal, vertical, size box).
pub fn window_bar_rects(style: u32, client: Rect) -> (Option<Rect>, Option<Rect>, Option<Rect>) {
    let s = geometry::SCROLL;
    let v = style & crate::WS_VSCROLL != 0;
    let h = style & crate::WS_HSCROLL != 0;
    let vert = v.then(|| Rect::new(client.right, client.top, client.right + s, client.bottom));
    let horz = h.then(|| Rect::new(client.left, client.bottom, client.right, client.bottom + s));
    let corner = (v && h).then(|| {
        Rect::new(
            client.right,
            client.bottom,
            client.right + s,
            client.bottom + s,
        )
    });
    (horz, vert, corner)
}

/// Draws a window's scroll bars in its non-client area.
pub fn draw_window_bars(p: &mut Painter<'_>, style: u32, client: Rect, bars: &WindowBars) {
    let (horz, vert, corner) = window_bar_rects(style, client);
    if let Some(r) = horz {
        draw_bar(p, r, false, &bars.horz, true);
    }
    if let Some(r) = vert {
        draw_bar(p, r, true, &bars.vert, true);
    }
    if let Some(r) = corner {
        p.fill(r, FACE);
    }
}

/// HTHSCROLL.
pub const HTHSCROLL: u32 = 6;
/// HTVSCROLL.
pub const HTVSCROLL: u32 = 7;
/// HTSIZE (HTGROWBOX).
pub const HTSIZE: u32 = 4;

/// What a screen point hits among a window's bars (HTHSCROLL, HTVSCROLL, or None).
pub fn hit_window_bars(style: u32, client: Rect, x: i32, y: i32) -> Option<u32> {
    let inside = |r: Rect| x >= r.left && x < r.right && y >= r.top && y < r.bottom;
    let (horz, vert, corner) = window_bar_rects(style, client);
    if vert.is_some_and(inside) {
        return Some(HTVSCROLL);
    }
    if horz.is_some_and(inside) {
        return Some(HTHSCROLL);
    }
    if corner.is_some_and(inside) {
        return Some(crate::nonclient::HTBORDER);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thumb_goes_from_the_first_arrow_to_the_last() {
        let info = ScrollInfo {
            min: 0,
            max: 100,
            ..ScrollInfo::default()
        };
        let l = bar_layout(100, 16, &info);
        assert_eq!((l.arrow, l.thumb_start, l.thumb), (16, 16, 16));
        let end = ScrollInfo { pos: 100, ..info };
        let l = bar_layout(100, 16, &end);
        assert_eq!(l.thumb_start, 100 - 16 - 16);
        assert_eq!(l.pos_at(l.thumb_start, &end), 100);
        assert_eq!(l.part(5), Some(Part::ArrowBefore));
        assert_eq!(l.part(95), Some(Part::ArrowAfter));
        assert_eq!(l.part(20), Some(Part::PageBefore));
    }

    #[test]
    fn a_page_sizes_the_thumb_and_limits_the_position() {
        let mut info = ScrollInfo {
            min: 0,
            max: 99,
            page: 50,
            pos: 80,
            ..ScrollInfo::default()
        };
        info.clamp();
        assert_eq!(info.pos, 50);
        let l = bar_layout(116, 16, &info);
        assert_eq!(l.thumb, 42);
        let idle = ScrollInfo {
            min: 0,
            max: 0,
            ..ScrollInfo::default()
        };
        assert!(idle.is_idle());
    }
}
