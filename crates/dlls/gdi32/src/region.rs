//! Regions (rectangle lists, see [`win32k::Region`]) and clipping: CreateRectRgn,
//! CombineRgn and friends, filling and framing regions, SelectClipRgn, IntersectClipRect,
//! GetClipBox.

use nt_status::Win32Error;
use win32::{ApiCall, ApiReturn, Ptr, export};
use win32k::gdi::{Gdi, Object};
use win32k::region::{self, Region};
use win32k::{Rect, Surface};

use crate::{bad_handle, draw_with, gdi, read_rect};

/// ERROR, what region functions return for a bad handle or argument.
const ERROR: u32 = 0;

fn region_of(call: &mut ApiCall<'_>, h: u32) -> Option<Region> {
    gdi(call).region(h).cloned()
}

fn new_region(call: &mut ApiCall<'_>, r: Region) -> ApiReturn {
    match gdi(call).insert(Object::Region(r)) {
        0 => call.fail_win32(Win32Error::NOT_ENOUGH_MEMORY, 0),
        h => ApiReturn::Value(h),
    }
}

/// HRGN CreateRectRgn(int x1, int y1, int x2, int y2).
#[export]
fn CreateRectRgn(call: &mut ApiCall<'_>, x1: i32, y1: i32, x2: i32, y2: i32) -> ApiReturn {
    new_region(call, Region::rect(Rect::new(x1, y1, x2, y2)))
}

/// HRGN CreateRectRgnIndirect(const RECT *lprect).
#[export]
fn CreateRectRgnIndirect(call: &mut ApiCall<'_>, lprect: Ptr) -> ApiReturn {
    match read_rect(call, lprect.0) {
        Some(r) => new_region(call, Region::rect(r)),
        None => call.fail_win32(Win32Error::INVALID_PARAMETER, 0),
    }
}

/// BOOL SetRectRgn(HRGN hrgn, int left, int top, int right, int bottom).
#[export]
fn SetRectRgn(
    call: &mut ApiCall<'_>,
    hrgn: u32,
    left: i32,
    top: i32,
    right: i32,
    bottom: i32,
) -> ApiReturn {
    match gdi(call).region_mut(hrgn) {
        Some(r) => {
            *r = Region::rect(Rect::new(left, top, right, bottom));
            ApiReturn::Value(1)
        }
        None => bad_handle(call, 0),
    }
}

/// int CombineRgn(HRGN hrgnDst, HRGN hrgnSrc1, HRGN hrgnSrc2, int iMode): the result's
/// complexity, ERROR for a bad region or mode.
#[export]
fn CombineRgn(
    call: &mut ApiCall<'_>,
    hrgnDst: u32,
    hrgnSrc1: u32,
    hrgnSrc2: u32,
    iMode: u32,
) -> ApiReturn {
    if !(1..=5).contains(&iMode) || gdi(call).region(hrgnDst).is_none() {
        return bad_handle(call, ERROR);
    }
    let Some(a) = region_of(call, hrgnSrc1) else {
        return bad_handle(call, ERROR);
    };
    let r = if iMode == region::RGN_COPY {
        a
    } else {
        let Some(b) = region_of(call, hrgnSrc2) else {
            return bad_handle(call, ERROR);
        };
        a.combine(&b, iMode)
    };
    let c = r.complexity();
    if let Some(d) = gdi(call).region_mut(hrgnDst) {
        *d = r;
    }
    ApiReturn::Value(c)
}

/// int OffsetRgn(HRGN hrgn, int x, int y).
#[export]
fn OffsetRgn(call: &mut ApiCall<'_>, hrgn: u32, x: i32, y: i32) -> ApiReturn {
    match gdi(call).region_mut(hrgn) {
        Some(r) => {
            *r = r.offset(x, y);
            ApiReturn::Value(r.complexity())
        }
        None => bad_handle(call, ERROR),
    }
}

/// int GetRgnBox(HRGN hrgn, LPRECT lprc).
#[export]
fn GetRgnBox(call: &mut ApiCall<'_>, hrgn: u32, lprc: Ptr) -> ApiReturn {
    let Some(r) = region_of(call, hrgn) else {
        return bad_handle(call, ERROR);
    };
    if call.write_bytes(lprc.0, &r.bounds().to_bytes()).is_err() {
        return call.fail_win32(Win32Error::NOACCESS, ERROR);
    }
    ApiReturn::Value(r.complexity())
}

/// BOOL PtInRegion(HRGN hrgn, int x, int y).
#[export]
fn PtInRegion(call: &mut ApiCall<'_>, hrgn: u32, x: i32, y: i32) -> ApiReturn {
    match region_of(call, hrgn) {
        Some(r) => ApiReturn::Value(u32::from(r.contains(x, y))),
        None => bad_handle(call, 0),
    }
}

/// BOOL RectInRegion(HRGN hrgn, const RECT *lprect): whether any of the rectangle is in it.
#[export]
fn RectInRegion(call: &mut ApiCall<'_>, hrgn: u32, lprect: Ptr) -> ApiReturn {
    let Some(r) = region_of(call, hrgn) else {
        return bad_handle(call, 0);
    };
    let Some(rect) = read_rect(call, lprect.0) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    ApiReturn::Value(u32::from(!r.intersect_rect(rect).is_empty()))
}

/// BOOL EqualRgn(HRGN hrgn1, HRGN hrgn2): ERROR for a bad region.
#[export]
fn EqualRgn(call: &mut ApiCall<'_>, hrgn1: u32, hrgn2: u32) -> ApiReturn {
    match (region_of(call, hrgn1), region_of(call, hrgn2)) {
        (Some(a), Some(b)) => ApiReturn::Value(u32::from(a == b)),
        _ => bad_handle(call, ERROR),
    }
}

/// Fills a region's rectangles (logical) with a ROP3 of a brush (None: the DC's).
fn fill_region(
    call: &mut ApiCall<'_>,
    hdc: u32,
    r: &Region,
    brush: Option<u32>,
    rop: u32,
) -> ApiReturn {
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, 0);
    }
    let rects = r.rects().to_vec();
    let ok = draw_with(call, hdc, &[], |g: &mut Gdi, s: &mut Surface| {
        rects.iter().all(|&rc| g.pat_blt(s, hdc, rc, rop, brush))
    });
    ApiReturn::Value(u32::from(ok))
}

/// BOOL FillRgn(HDC hdc, HRGN hrgn, HBRUSH hbr).
#[export]
fn FillRgn(call: &mut ApiCall<'_>, hdc: u32, hrgn: u32, hbr: u32) -> ApiReturn {
    let Some(r) = region_of(call, hrgn) else {
        return bad_handle(call, 0);
    };
    if !matches!(gdi(call).get(hbr), Some(Object::Brush(_))) {
        return bad_handle(call, 0);
    }
    fill_region(call, hdc, &r, Some(hbr), 0x00F0_0021)
}

/// BOOL PaintRgn(HDC hdc, HRGN hrgn): filled with the DC's brush.
#[export]
fn PaintRgn(call: &mut ApiCall<'_>, hdc: u32, hrgn: u32) -> ApiReturn {
    let Some(r) = region_of(call, hrgn) else {
        return bad_handle(call, 0);
    };
    fill_region(call, hdc, &r, None, 0x00F0_0021)
}

/// BOOL InvertRgn(HDC hdc, HRGN hrgn).
#[export]
fn InvertRgn(call: &mut ApiCall<'_>, hdc: u32, hrgn: u32) -> ApiReturn {
    let Some(r) = region_of(call, hrgn) else {
        return bad_handle(call, 0);
    };
    fill_region(call, hdc, &r, None, 0x0055_0009)
}

/// BOOL FrameRgn(HDC hdc, HRGN hrgn, HBRUSH hbr, int w, int h): a border `w` wide and `h`
/// high inside the region's edges.
#[export]
fn FrameRgn(call: &mut ApiCall<'_>, hdc: u32, hrgn: u32, hbr: u32, w: i32, h: i32) -> ApiReturn {
    let Some(r) = region_of(call, hrgn) else {
        return bad_handle(call, 0);
    };
    if !matches!(gdi(call).get(hbr), Some(Object::Brush(_))) {
        return bad_handle(call, 0);
    }
    let (w, h) = (w.abs(), h.abs());
    let inner = [(w, 0), (-w, 0), (0, h), (0, -h)]
        .iter()
        .fold(r.clone(), |acc, &(dx, dy)| {
            acc.combine(&r.offset(dx, dy), region::RGN_AND)
        });
    let frame = r.combine(&inner, region::RGN_DIFF);
    fill_region(call, hdc, &frame, Some(hbr), 0x00F0_0021)
}

/// int ExtSelectClipRgn(HDC hdc, HRGN hrgn, int mode): the clip region's complexity after.
#[export]
fn ExtSelectClipRgn(call: &mut ApiCall<'_>, hdc: u32, hrgn: u32, mode: u32) -> ApiReturn {
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, ERROR);
    }
    if !(1..=5).contains(&mode) {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, ERROR);
    }
    let r = if hrgn == 0 {
        None
    } else {
        match region_of(call, hrgn) {
            Some(r) => Some(r),
            None => return bad_handle(call, ERROR),
        }
    };
    if r.is_none() && mode != region::RGN_COPY {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, ERROR);
    }
    ApiReturn::Value(gdi(call).select_clip(hdc, r.as_ref(), mode))
}

/// int SelectClipRgn(HDC hdc, HRGN hrgn): a copy of the region (device coordinates)
/// becomes the clip region; NULL removes it.
#[export]
fn SelectClipRgn(call: &mut ApiCall<'_>, hdc: u32, hrgn: u32) -> ApiReturn {
    ExtSelectClipRgn(call, hdc, hrgn, region::RGN_COPY)
}

/// int IntersectClipRect(HDC hdc, int left, int top, int right, int bottom).
#[export]
fn IntersectClipRect(
    call: &mut ApiCall<'_>,
    hdc: u32,
    left: i32,
    top: i32,
    right: i32,
    bottom: i32,
) -> ApiReturn {
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, ERROR);
    }
    ApiReturn::Value(gdi(call).clip_rect(hdc, Rect::new(left, top, right, bottom), false))
}

/// int ExcludeClipRect(HDC hdc, int left, int top, int right, int bottom).
#[export]
fn ExcludeClipRect(
    call: &mut ApiCall<'_>,
    hdc: u32,
    left: i32,
    top: i32,
    right: i32,
    bottom: i32,
) -> ApiReturn {
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, ERROR);
    }
    ApiReturn::Value(gdi(call).clip_rect(hdc, Rect::new(left, top, right, bottom), true))
}

/// int OffsetClipRgn(HDC hdc, int x, int y).
#[export]
fn OffsetClipRgn(call: &mut ApiCall<'_>, hdc: u32, x: i32, y: i32) -> ApiReturn {
    let Some(d) = gdi(call).dc(hdc).cloned() else {
        return bad_handle(call, ERROR);
    };
    let (dx0, dy0) = Gdi::to_device(&d.state, 0, 0);
    let (dx1, dy1) = Gdi::to_device(&d.state, x, y);
    let vis = gdi(call).device_bounds(hdc);
    let Some(dm) = gdi(call).dc_mut(hdc) else {
        return bad_handle(call, ERROR);
    };
    let c = match &mut dm.state.clip {
        Some(r) => {
            *r = r.offset(dx1 - dx0, dy1 - dy0);
            r.intersect_rect(vis).complexity()
        }
        None => Region::rect(vis).complexity(),
    };
    ApiReturn::Value(c)
}

/// int GetClipBox(HDC hdc, LPRECT lprect): the logical bounds of where the DC draws.
#[export]
fn GetClipBox(call: &mut ApiCall<'_>, hdc: u32, lprect: Ptr) -> ApiReturn {
    let Some((r, c)) = gdi(call).clip_box(hdc) else {
        return bad_handle(call, ERROR);
    };
    if call.write_bytes(lprect.0, &r.to_bytes()).is_err() {
        return call.fail_win32(Win32Error::NOACCESS, ERROR);
    }
    ApiReturn::Value(c)
}

/// int GetClipRgn(HDC hdc, HRGN hrgn): 1 with the clip region copied into hrgn, 0 when the
/// DC has none, -1 for a bad handle.
#[export]
fn GetClipRgn(call: &mut ApiCall<'_>, hdc: u32, hrgn: u32) -> ApiReturn {
    let Some(clip) = gdi(call).dc(hdc).map(|d| d.state.clip.clone()) else {
        return bad_handle(call, u32::MAX);
    };
    let Some(r) = gdi(call).region_mut(hrgn) else {
        return bad_handle(call, u32::MAX);
    };
    match clip {
        Some(c) => {
            *r = c;
            ApiReturn::Value(1)
        }
        None => ApiReturn::Value(0),
    }
}

fn visible(call: &mut ApiCall<'_>, hdc: u32, r: Rect) -> ApiReturn {
    let Some(d) = gdi(call).dc(hdc).cloned() else {
        return bad_handle(call, 0);
    };
    let (l, t) = Gdi::to_device(&d.state, r.left, r.top);
    let (rr, b) = Gdi::to_device(&d.state, r.right, r.bottom);
    let dev = Rect::new(l.min(rr), t.min(b), l.max(rr), t.max(b));
    let vis = gdi(call).device_bounds(hdc);
    let area = match &d.state.clip {
        Some(c) => c.intersect_rect(vis),
        None => Region::rect(vis),
    };
    ApiReturn::Value(u32::from(!area.intersect_rect(dev).is_empty()))
}

/// BOOL PtVisible(HDC hdc, int x, int y).
#[export]
fn PtVisible(call: &mut ApiCall<'_>, hdc: u32, x: i32, y: i32) -> ApiReturn {
    visible(
        call,
        hdc,
        Rect::new(x, y, x.wrapping_add(1), y.wrapping_add(1)),
    )
}

/// BOOL RectVisible(HDC hdc, const RECT *lprect).
#[export]
fn RectVisible(call: &mut ApiCall<'_>, hdc: u32, lprect: Ptr) -> ApiReturn {
    let Some(r) = read_rect(call, lprect.0) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    visible(call, hdc, r)
}

/// HRGN CreateEllipticRgn(int x1, int y1, int x2, int y2): the pixels Ellipse fills in that
/// box with a null pen (a pixel less to the right and bottom than with an outline).
#[export]
fn CreateEllipticRgn(call: &mut ApiCall<'_>, x1: i32, y1: i32, x2: i32, y2: i32) -> ApiReturn {
    let r = Rect::new(x1.min(x2), y1.min(y2), x1.max(x2) - 1, y1.max(y2) - 1);
    let spans = win32k::gdi::raster::round_rect_spans(r, r.width(), r.height());
    new_region(call, Region::from_spans(&spans))
}

/// HRGN CreateEllipticRgnIndirect(const RECT *lprect).
#[export]
fn CreateEllipticRgnIndirect(call: &mut ApiCall<'_>, lprect: Ptr) -> ApiReturn {
    match read_rect(call, lprect.0) {
        Some(r) => CreateEllipticRgn(call, r.left, r.top, r.right, r.bottom),
        None => call.fail_win32(Win32Error::INVALID_PARAMETER, 0),
    }
}

/// HRGN CreateRoundRectRgn(int x1, int y1, int x2, int y2, int w, int h): as
/// CreateEllipticRgn, a pixel less to the right and bottom than RoundRect's outline.
#[export]
fn CreateRoundRectRgn(
    call: &mut ApiCall<'_>,
    x1: i32,
    y1: i32,
    x2: i32,
    y2: i32,
    w: i32,
    h: i32,
) -> ApiReturn {
    let r = Rect::new(x1.min(x2), y1.min(y2), x1.max(x2) - 1, y1.max(y2) - 1);
    let spans = win32k::gdi::raster::round_rect_spans(r, w.abs(), h.abs());
    new_region(call, Region::from_spans(&spans))
}

/// HRGN CreatePolygonRgn(const POINT *pptl, int cPoint, int iMode): the polygon's inside by
/// ALTERNATE or WINDING, right and bottom edges left out as Polygon fills.
#[export]
fn CreatePolygonRgn(call: &mut ApiCall<'_>, pptl: u32, cPoint: i32, iMode: u32) -> ApiReturn {
    if !(1..=2).contains(&iMode) || cPoint < 0 {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    let Some(pts) = crate::read_points(call, pptl, cPoint as u32) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let pts: Vec<(f64, f64)> = pts.iter().map(|&(x, y)| (x as f64, y as f64)).collect();
    let spans = win32k::gdi::raster::polygon_spans(&pts, iMode == 2);
    new_region(call, Region::from_spans(&spans))
}

/// DWORD GetRegionData(HRGN hrgn, DWORD nCount, LPRGNDATA lpRgnData): an RGNDATAHEADER
/// (dwSize 32, iType RDH_RECTANGLES, nCount, nRgnSize, rcBound) and the rectangles; with no
/// buffer or one too small, the size needed.
#[export]
fn GetRegionData(call: &mut ApiCall<'_>, hrgn: u32, nCount: u32, lpRgnData: u32) -> ApiReturn {
    let Some(r) = region_of(call, hrgn) else {
        return bad_handle(call, 0);
    };
    let size = 32 + 16 * r.rects().len() as u32;
    if lpRgnData == 0 || nCount < size {
        return ApiReturn::Value(size);
    }
    let mut b = Vec::with_capacity(size as usize);
    for v in [
        32u32,
        1,
        r.rects().len() as u32,
        16 * r.rects().len() as u32,
    ] {
        b.extend(v.to_le_bytes());
    }
    b.extend(r.bounds().to_bytes());
    for rc in r.rects() {
        b.extend(rc.to_bytes());
    }
    if call.write_bytes(lpRgnData, &b).is_err() {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    ApiReturn::Value(size)
}
