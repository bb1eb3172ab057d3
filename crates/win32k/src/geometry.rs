//! Rectangles and the non-client geometry of NT 4.0's windows: how much of a window its
//! border, caption and menu take (AdjustWindowRectEx, WM_NCCALCSIZE's default), with the
//! metrics of the Windows Standard scheme.

/// The screen, in pixels, unless the machine is given another size (`--desktop WxH`).
pub const DEFAULT_SCREEN: (i32, i32) = (800, 600);
/// SM_CYCAPTION.
pub const CAPTION: i32 = 19;
/// SM_CYSMCAPTION (a tool window's caption).
pub const SMALL_CAPTION: i32 = 15;
/// SM_CYMENU.
pub const MENU: i32 = 19;
/// SM_CXFRAME / SM_CYFRAME: a sizing border.
pub const FRAME: i32 = 4;
/// SM_CXDLGFRAME / SM_CYDLGFRAME: a dialog frame.
pub const DLG_FRAME: i32 = 3;
/// SM_CXVSCROLL / SM_CYHSCROLL.
pub const SCROLL: i32 = 16;

const WS_BORDER: u32 = 0x0080_0000;
const WS_DLGFRAME: u32 = 0x0040_0000;
const WS_CAPTION: u32 = 0x00C0_0000;
const WS_THICKFRAME: u32 = 0x0004_0000;
const WS_VSCROLL: u32 = 0x0020_0000;
const WS_HSCROLL: u32 = 0x0010_0000;
const WS_CHILD: u32 = 0x4000_0000;
const WS_EX_DLGMODALFRAME: u32 = 0x0001;
const WS_EX_TOOLWINDOW: u32 = 0x0080;
const WS_EX_CLIENTEDGE: u32 = 0x0200;
const WS_EX_STATICEDGE: u32 = 0x0002_0000;

/// A RECT.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Rect {
    /// left.
    pub left: i32,
    /// top.
    pub top: i32,
    /// right.
    pub right: i32,
    /// bottom.
    pub bottom: i32,
}

impl Rect {
    /// The rectangle from (left, top) to (right, bottom).
    pub fn new(left: i32, top: i32, right: i32, bottom: i32) -> Rect {
        Rect {
            left,
            top,
            right,
            bottom,
        }
    }

    /// Width.
    pub fn width(&self) -> i32 {
        self.right.wrapping_sub(self.left)
    }

    /// Height.
    pub fn height(&self) -> i32 {
        self.bottom.wrapping_sub(self.top)
    }

    /// Moved by (dx, dy).
    pub fn offset(&self, dx: i32, dy: i32) -> Rect {
        Rect::new(
            self.left.wrapping_add(dx),
            self.top.wrapping_add(dy),
            self.right.wrapping_add(dx),
            self.bottom.wrapping_add(dy),
        )
    }

    /// The 16 bytes of a RECT.
    pub fn to_bytes(&self) -> [u8; 16] {
        let mut b = [0; 16];
        for (i, v) in [self.left, self.top, self.right, self.bottom]
            .iter()
            .enumerate()
        {
            b[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
        }
        b
    }

    /// A RECT's 16 bytes; None when fewer.
    pub fn from_bytes(b: &[u8]) -> Option<Rect> {
        let v = |i: usize| -> Option<i32> {
            Some(i32::from_le_bytes(
                b.get(4 * i..4 * i + 4)?.try_into().ok()?,
            ))
        };
        Some(Rect::new(v(0)?, v(1)?, v(2)?, v(3)?))
    }
}

/// The border, caption and menu a window of these styles has around its client area, as
/// (left, top, right, bottom) widths: what AdjustWindowRectEx adds.
pub fn frame(style: u32, ex_style: u32, menu: bool) -> (i32, i32, i32, i32) {
    let mut border = 0;
    if style & WS_THICKFRAME != 0 {
        border = FRAME;
    } else if style & WS_CAPTION == WS_DLGFRAME
        || style & WS_CAPTION == WS_CAPTION
        || ex_style & WS_EX_DLGMODALFRAME != 0
    {
        border = DLG_FRAME;
    } else if style & WS_BORDER != 0 {
        border = 1;
    }
    if ex_style & WS_EX_CLIENTEDGE != 0 {
        border += 2;
    }
    if ex_style & WS_EX_STATICEDGE != 0 {
        border += 1;
    }
    let mut top = border;
    if style & WS_CAPTION == WS_CAPTION {
        top += if ex_style & WS_EX_TOOLWINDOW != 0 {
            SMALL_CAPTION
        } else {
            CAPTION
        };
    }
    if menu && style & WS_CHILD == 0 {
        top += MENU;
    }
    (border, top, border, border)
}

/// The client rectangle of a window whose rectangle is `window` (WM_NCCALCSIZE's default
/// answer): the frame taken off, and the scroll bars.
pub fn client_from_window(window: Rect, style: u32, ex_style: u32, menu: bool) -> Rect {
    let (l, t, r, b) = frame(style, ex_style, menu);
    let mut c = Rect::new(
        window.left.wrapping_add(l),
        window.top.wrapping_add(t),
        window.right.wrapping_sub(r),
        window.bottom.wrapping_sub(b),
    );
    if style & WS_VSCROLL != 0 {
        c.right = c.right.wrapping_sub(SCROLL);
    }
    if style & WS_HSCROLL != 0 {
        c.bottom = c.bottom.wrapping_sub(SCROLL);
    }
    c.right = c.right.max(c.left);
    c.bottom = c.bottom.max(c.top);
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overlapped_window_has_a_sizing_frame_and_a_caption() {
        // WS_OVERLAPPEDWINDOW: NT 4.0's AdjustWindowRect gives {-4, -23, 4, 4}.
        assert_eq!(frame(0x00CF_0000, 0, false), (4, 23, 4, 4));
        // With a menu, 19 more on top.
        assert_eq!(frame(0x00CF_0000, 0, true), (4, 42, 4, 4));
        // A child with a border only.
        assert_eq!(frame(WS_CHILD | WS_BORDER, 0, true), (1, 1, 1, 1));
        // A popup with a caption but no sizing frame: a dialog frame.
        assert_eq!(frame(0x80C0_0000, 0, false), (3, 22, 3, 3));
    }

    #[test]
    fn rectangles_at_the_ends_of_the_range_do_not_overflow() {
        let r = Rect::new(i32::MAX - 1, i32::MIN, i32::MAX, i32::MAX);
        let _ = client_from_window(
            r,
            0x00CF_0000 | WS_VSCROLL | WS_HSCROLL,
            WS_EX_CLIENTEDGE,
            true,
        );
        let _ = r.offset(i32::MAX, i32::MIN);
        assert_eq!(Rect::new(i32::MIN, 0, i32::MAX, 0).width(), -1);
    }

    #[test]
    fn the_client_area_loses_the_frame_and_scroll_bars() {
        let c = client_from_window(
            Rect::new(0, 0, 640, 480),
            0x00CF_0000 | WS_VSCROLL,
            0,
            false,
        );
        assert_eq!(c, Rect::new(4, 23, 620, 476));
    }
}
