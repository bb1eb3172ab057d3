//! Icons and cursors made from bitmaps: CreateIconIndirect keeps copies of the AND mask and
//! the colour bitmap (a monochrome icon's mask is twice its height: AND above, XOR below);
//! DrawIcon and DrawIconEx draw one as NT does, the mask ANDed onto the destination and the
//! image XORed over it. The system's stock icons and cursors (cursor.rs) have no pixels
//! here: drawing one does nothing.

use std::collections::BTreeMap;

use nt_status::Win32Error;
use win32::{ApiCall, ApiReturn, Ptr, export};
use win32k::gdi::BltSource;
use win32k::{Rect, Surface};

use crate::wm::wm;

/// The first handle of an icon made by CreateIconIndirect (past cursor.rs's ranges).
const ICON_BASE: u32 = 0x0002_0000;

/// An icon's pixels.
#[derive(Clone, Debug)]
struct Icon {
    /// An icon (TRUE) or a cursor.
    icon: bool,
    /// The hot spot.
    hotspot: (u32, u32),
    /// The AND mask (0 black: the image shows; 1 white: the destination shows).
    mask: Surface,
    /// The image (XORed onto the destination).
    image: Surface,
}

/// The icons of the machine.
#[derive(Default)]
struct Icons {
    icons: BTreeMap<u32, Icon>,
    next: u32,
}

/// HICON CreateIconIndirect(PICONINFO piconinfo): an icon or cursor of copies of the
/// bitmaps; 0 with ERROR_INVALID_PARAMETER without a mask.
#[export]
fn CreateIconIndirect(call: &mut ApiCall<'_>, piconinfo: Ptr) -> ApiReturn {
    let Ok(b) = call.read_bytes(piconinfo.0, 20) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    let w = |i: usize| u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]]);
    let (icon, hx, hy, hmask, hcolour) = (w(0) != 0, w(1), w(2), w(3), w(4));
    gdi32::pull_bitmap(call, hmask);
    gdi32::pull_bitmap(call, hcolour);
    let g = &wm(call).gdi;
    let Some(mask) = g.bitmap_colours(hmask) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let (mask, image) = match g.bitmap_colours(hcolour) {
        Some(c) => (mask, c),
        None => {
            // A monochrome icon: the AND mask above, the XOR mask below.
            let h = mask.height() / 2;
            let and = mask.crop(Rect::new(0, 0, mask.width() as i32, h as i32));
            let xor = mask.crop(Rect::new(0, h as i32, mask.width() as i32, 2 * h as i32));
            (and, xor)
        }
    };
    let (hx, hy) = if icon {
        (mask.width() / 2, mask.height() / 2)
    } else {
        (hx, hy)
    };
    let icons = call.state.get::<Icons>();
    let handle = ICON_BASE + 4 * icons.next;
    icons.next += 1;
    icons.icons.insert(
        handle,
        Icon {
            icon,
            hotspot: (hx, hy),
            mask,
            image,
        },
    );
    ApiReturn::Value(handle)
}

/// DI_MASK.
const DI_MASK: u32 = 0x0001;
/// DI_IMAGE.
const DI_IMAGE: u32 = 0x0002;
/// SRCAND.
const SRCAND: u32 = 0x0088_00C6;
/// SRCINVERT.
const SRCINVERT: u32 = 0x0066_0046;
/// SRCCOPY.
const SRCCOPY: u32 = 0x00CC_0020;
/// DI_DEFAULTSIZE: a size of 0 means the system's icon size.
const DI_DEFAULTSIZE: u32 = 0x0008;
/// SM_CXICON / SM_CYICON.
const ICON_SIZE: i32 = 32;

/// Draws an icon at (x, y) of a DC, `cx` x `cy` (0: its own size, or the system's with
/// DI_DEFAULTSIZE).
#[allow(clippy::too_many_arguments)]
pub fn draw(
    call: &mut ApiCall<'_>,
    hdc: u32,
    x: i32,
    y: i32,
    handle: u32,
    cx: i32,
    cy: i32,
    flags: u32,
) -> ApiReturn {
    if wm(call).gdi.dc(hdc).is_none() {
        return call.fail_win32(Win32Error::INVALID_HANDLE, 0);
    }
    let icon = match call.state.get::<Icons>().icons.get(&handle).cloned() {
        Some(icon) => icon,
        None => match crate::static_ctl::stock_icon_id(handle) {
            Some(id) => stock_icon(id),
            // A stock cursor: no pixels to draw.
            None => return ApiReturn::Value(1),
        },
    };
    let (w, h) = (icon.mask.width() as i32, icon.mask.height() as i32);
    let default = |own: i32| {
        if flags & DI_DEFAULTSIZE != 0 {
            ICON_SIZE
        } else {
            own
        }
    };
    let cx = if cx == 0 { default(w) } else { cx };
    let cy = if cy == 0 { default(h) } else { cy };
    let dst = Rect::new(x, y, x.wrapping_add(cx), y.wrapping_add(cy));
    let src = Rect::new(0, 0, w, h);
    let ok = gdi32::draw_with(call, hdc, &[], |g, s| {
        // The mask is black and white: drawn as colours (not through the DC's text and
        // background colours), so its black clears and its white keeps.
        let mut ok = true;
        let both = flags & (DI_MASK | DI_IMAGE) == DI_MASK | DI_IMAGE;
        if flags & DI_MASK != 0 {
            // Alone, the mask is copied; with the image, ANDed.
            let m = BltSource {
                surface: &icon.mask,
                mono: false,
                bk: 0,
                palette: None,
            };
            ok &= g.blt_from(s, hdc, dst, m, src, if both { SRCAND } else { SRCCOPY });
        }
        if flags & DI_IMAGE != 0 {
            let i = BltSource {
                surface: &icon.image,
                mono: false,
                bk: 0,
                palette: None,
            };
            ok &= g.blt_from(s, hdc, dst, i, src, if both { SRCINVERT } else { SRCCOPY });
        }
        ok
    });
    ApiReturn::Value(u32::from(ok))
}

/// A stock icon (IDI_ number `id`) as an icon's mask and image: its picture where it has
/// one, the destination elsewhere.
fn stock_icon(id: u32) -> Icon {
    let size = ICON_SIZE as u32;
    let mut mask = Surface::new(size, size, 0xFF_FFFF);
    let mut image = Surface::new(size, size, 0);
    for y in 0..ICON_SIZE {
        for x in 0..ICON_SIZE {
            if let Some(colour) = crate::static_ctl::stock_icon_pixel(id, x, y) {
                mask.set(x, y, 0);
                image.set(x, y, colour);
            }
        }
    }
    Icon {
        icon: true,
        hotspot: (size / 2, size / 2),
        mask,
        image,
    }
}

/// BOOL DrawIcon(HDC hDC, int X, int Y, HICON hIcon): at the system's icon size.
#[export]
fn DrawIcon(call: &mut ApiCall<'_>, hDC: u32, X: i32, Y: i32, hIcon: u32) -> ApiReturn {
    draw(
        call,
        hDC,
        X,
        Y,
        hIcon,
        0,
        0,
        DI_MASK | DI_IMAGE | DI_DEFAULTSIZE,
    )
}

/// BOOL DrawIconEx(HDC hdc, int xLeft, int yTop, HICON hIcon, int cxWidth, int cyWidth, UINT
/// istepIfAniCur, HBRUSH hbrFlickerFreeDraw, UINT diFlags).
#[export]
#[allow(clippy::too_many_arguments)]
fn DrawIconEx(
    call: &mut ApiCall<'_>,
    hdc: u32,
    xLeft: i32,
    yTop: i32,
    hIcon: u32,
    cxWidth: i32,
    cyWidth: i32,
    istepIfAniCur: u32,
    hbrFlickerFreeDraw: u32,
    diFlags: u32,
) -> ApiReturn {
    let _ = (istepIfAniCur, hbrFlickerFreeDraw);
    draw(call, hdc, xLeft, yTop, hIcon, cxWidth, cyWidth, diFlags)
}

/// BOOL GetIconInfo(HICON hIcon, PICONINFO piconinfo): for an icon of CreateIconIndirect,
/// new bitmaps of its mask and image (the caller deletes them).
#[export]
fn GetIconInfo(call: &mut ApiCall<'_>, hIcon: u32, piconinfo: Ptr) -> ApiReturn {
    let Some(icon) = call.state.get::<Icons>().icons.get(&hIcon).cloned() else {
        // ERROR_INVALID_CURSOR_HANDLE.
        return call.fail_win32(Win32Error(1402), 0);
    };
    let g = &mut wm(call).gdi;
    let (w, h) = (icon.mask.width(), icon.mask.height());
    let mask = g.create_bitmap(w, h, true);
    let image = g.create_bitmap(w, h, false);
    if let Some(b) = g.bitmap_mut(mask) {
        b.surface = icon.mask.clone();
    }
    if let Some(b) = g.bitmap_mut(image) {
        b.surface = icon.image.clone();
    }
    let words = [
        u32::from(icon.icon),
        icon.hotspot.0,
        icon.hotspot.1,
        mask,
        image,
    ];
    let bytes: Vec<u8> = words.iter().flat_map(|v| v.to_le_bytes()).collect();
    if call.write_bytes(piconinfo.0, &bytes).is_err() {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    ApiReturn::Value(1)
}
