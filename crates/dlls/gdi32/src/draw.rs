//! Drawing: lines, polygons, rectangles, ellipses, pixels, PatBlt, BitBlt and StretchBlt.

use nt_status::Win32Error;
use win32::{ApiCall, ApiReturn, export};
use win32k::Rect;
use win32k::gdi::CLR_INVALID;

use crate::{bad_handle, draw_with, gdi, read_points, read_with, write_pair};

/// Fails a drawing call on a bad DC.
fn check_dc(call: &mut ApiCall<'_>, hdc: u32) -> Option<ApiReturn> {
    gdi(call).dc(hdc).is_none().then(|| bad_handle(call, 0))
}

/// BOOL MoveToEx(HDC hdc, int x, int y, LPPOINT lppt).
#[export]
fn MoveToEx(call: &mut ApiCall<'_>, hdc: u32, x: i32, y: i32, lppt: u32) -> ApiReturn {
    let Some(old) = gdi(call).move_to(hdc, x, y) else {
        return bad_handle(call, 0);
    };
    ApiReturn::Value(u32::from(write_pair(call, lppt, old)))
}

/// BOOL LineTo(HDC hdc, int x, int y): from the current position to (x, y), (x, y) left
/// out.
#[export]
fn LineTo(call: &mut ApiCall<'_>, hdc: u32, x: i32, y: i32) -> ApiReturn {
    if let Some(r) = check_dc(call, hdc) {
        return r;
    }
    let ok = draw_with(call, hdc, &[], |g, s| g.line_to(s, hdc, x, y));
    ApiReturn::Value(u32::from(ok))
}

fn points(
    call: &mut ApiCall<'_>,
    hdc: u32,
    apt: u32,
    n: i32,
) -> Result<Vec<(i32, i32)>, ApiReturn> {
    if let Some(r) = check_dc(call, hdc) {
        return Err(r);
    }
    if n < 0 {
        return Err(call.fail_win32(Win32Error::INVALID_PARAMETER, 0));
    }
    read_points(call, apt, n as u32)
        .ok_or_else(|| call.fail_win32(Win32Error::INVALID_PARAMETER, 0))
}

/// BOOL Polyline(HDC hdc, const POINT *apt, int cpt): FALSE for fewer than two points.
#[export]
fn Polyline(call: &mut ApiCall<'_>, hdc: u32, apt: u32, cpt: i32) -> ApiReturn {
    let pts = match points(call, hdc, apt, cpt) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if pts.len() < 2 {
        return ApiReturn::Value(0);
    }
    let ok = draw_with(call, hdc, &[], |g, s| g.polyline(s, hdc, &pts));
    ApiReturn::Value(u32::from(ok))
}

/// BOOL PolylineTo(HDC hdc, const POINT *apt, DWORD cpt).
#[export]
fn PolylineTo(call: &mut ApiCall<'_>, hdc: u32, apt: u32, cpt: i32) -> ApiReturn {
    let pts = match points(call, hdc, apt, cpt) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let ok = draw_with(call, hdc, &[], |g, s| g.polyline_to(s, hdc, &pts));
    ApiReturn::Value(u32::from(ok))
}

/// BOOL Polygon(HDC hdc, const POINT *apt, int cpt): filled by the fill mode, outlined.
#[export]
fn Polygon(call: &mut ApiCall<'_>, hdc: u32, apt: u32, cpt: i32) -> ApiReturn {
    let pts = match points(call, hdc, apt, cpt) {
        Ok(p) => p,
        Err(r) => return r,
    };
    if pts.len() < 2 {
        return ApiReturn::Value(0);
    }
    let ok = draw_with(call, hdc, &[], |g, s| g.polygon(s, hdc, &pts));
    ApiReturn::Value(u32::from(ok))
}

fn counts(call: &ApiCall<'_>, address: u32, n: i32) -> Option<Vec<u32>> {
    if !(0..=0x10000).contains(&n) {
        return None;
    }
    let b = call.read_bytes(address, 4 * n as usize).ok()?;
    Some(
        b.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    )
}

fn split(
    call: &mut ApiCall<'_>,
    hdc: u32,
    apt: u32,
    asz: u32,
    n: i32,
) -> Result<Vec<Vec<(i32, i32)>>, ApiReturn> {
    if let Some(r) = check_dc(call, hdc) {
        return Err(r);
    }
    let Some(c) = counts(call, asz, n) else {
        return Err(call.fail_win32(Win32Error::INVALID_PARAMETER, 0));
    };
    let total: u64 = c.iter().map(|&v| u64::from(v)).sum();
    if total > 0x10_0000 {
        return Err(call.fail_win32(Win32Error::INVALID_PARAMETER, 0));
    }
    let Some(all) = read_points(call, apt, total as u32) else {
        return Err(call.fail_win32(Win32Error::INVALID_PARAMETER, 0));
    };
    let mut out = Vec::new();
    let mut at = 0usize;
    for v in c {
        out.push(all[at..at + v as usize].to_vec());
        at += v as usize;
    }
    Ok(out)
}

/// BOOL PolyPolygon(HDC hdc, const POINT *apt, const INT *asz, int csz).
#[export]
fn PolyPolygon(call: &mut ApiCall<'_>, hdc: u32, apt: u32, asz: u32, csz: i32) -> ApiReturn {
    let polys = match split(call, hdc, apt, asz, csz) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let ok = draw_with(call, hdc, &[], |g, s| g.poly_polygon(s, hdc, &polys));
    ApiReturn::Value(u32::from(ok))
}

/// BOOL PolyPolyline(HDC hdc, const POINT *apt, const DWORD *asz, DWORD csz).
#[export]
fn PolyPolyline(call: &mut ApiCall<'_>, hdc: u32, apt: u32, asz: u32, csz: i32) -> ApiReturn {
    let lines = match split(call, hdc, apt, asz, csz) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let ok = draw_with(call, hdc, &[], |g, s| {
        lines.iter().all(|l| g.polyline(s, hdc, l))
    });
    ApiReturn::Value(u32::from(ok))
}

fn shape(call: &mut ApiCall<'_>, hdc: u32, r: Rect, corner: Option<(i32, i32)>) -> ApiReturn {
    if let Some(r) = check_dc(call, hdc) {
        return r;
    }
    let ok = draw_with(call, hdc, &[], |g, s| g.shape(s, hdc, r, corner));
    ApiReturn::Value(u32::from(ok))
}

/// BOOL Rectangle(HDC hdc, int left, int top, int right, int bottom).
#[export]
fn Rectangle(
    call: &mut ApiCall<'_>,
    hdc: u32,
    left: i32,
    top: i32,
    right: i32,
    bottom: i32,
) -> ApiReturn {
    shape(call, hdc, ordered(left, top, right, bottom), None)
}

/// BOOL Ellipse(HDC hdc, int left, int top, int right, int bottom).
#[export]
fn Ellipse(
    call: &mut ApiCall<'_>,
    hdc: u32,
    left: i32,
    top: i32,
    right: i32,
    bottom: i32,
) -> ApiReturn {
    let r = ordered(left, top, right, bottom);
    shape(call, hdc, r, Some((r.width(), r.height())))
}

/// BOOL RoundRect(HDC hdc, int left, int top, int right, int bottom, int width, int height).
#[export]
fn RoundRect(
    call: &mut ApiCall<'_>,
    hdc: u32,
    left: i32,
    top: i32,
    right: i32,
    bottom: i32,
    width: i32,
    height: i32,
) -> ApiReturn {
    shape(
        call,
        hdc,
        ordered(left, top, right, bottom),
        Some((width.abs(), height.abs())),
    )
}

fn ordered(l: i32, t: i32, r: i32, b: i32) -> Rect {
    Rect::new(l.min(r), t.min(b), l.max(r), t.max(b))
}

/// COLORREF SetPixel(HDC hdc, int x, int y, COLORREF color): the colour set; -1 outside the
/// DC or for a bad DC.
#[export]
fn SetPixel(call: &mut ApiCall<'_>, hdc: u32, x: i32, y: i32, color: u32) -> ApiReturn {
    if let Some(r) = check_dc(call, hdc) {
        return match r {
            ApiReturn::Value(_) => ApiReturn::Value(CLR_INVALID),
            other => other,
        };
    }
    let r = draw_with(call, hdc, &[], |g, s| g.set_pixel(s, hdc, x, y, color));
    ApiReturn::Value(r.unwrap_or(CLR_INVALID))
}

/// BOOL SetPixelV(HDC hdc, int x, int y, COLORREF color).
#[export]
fn SetPixelV(call: &mut ApiCall<'_>, hdc: u32, x: i32, y: i32, color: u32) -> ApiReturn {
    if let Some(r) = check_dc(call, hdc) {
        return r;
    }
    let r = draw_with(call, hdc, &[], |g, s| g.set_pixel(s, hdc, x, y, color));
    ApiReturn::Value(u32::from(r.is_some()))
}

/// COLORREF GetPixel(HDC hdc, int x, int y): CLR_INVALID outside the DC.
#[export]
fn GetPixel(call: &mut ApiCall<'_>, hdc: u32, x: i32, y: i32) -> ApiReturn {
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, CLR_INVALID);
    }
    let r = read_with(call, hdc, |g, s| g.get_pixel(s, hdc, x, y));
    ApiReturn::Value(r.unwrap_or(CLR_INVALID))
}

/// BOOL PatBlt(HDC hdc, int x, int y, int w, int h, DWORD rop): a ROP3 of the brush and the
/// destination (one that reads a source fails).
#[export]
fn PatBlt(call: &mut ApiCall<'_>, hdc: u32, x: i32, y: i32, w: i32, h: i32, rop: u32) -> ApiReturn {
    if let Some(r) = check_dc(call, hdc) {
        return r;
    }
    let r = Rect::new(x, y, x.wrapping_add(w), y.wrapping_add(h));
    let ok = draw_with(call, hdc, &[], |g, s| g.pat_blt(s, hdc, r, rop, None));
    ApiReturn::Value(u32::from(ok))
}

/// BOOL BitBlt(HDC hdc, int x, int y, int cx, int cy, HDC hdcSrc, int x1, int y1, DWORD rop).
#[export]
#[allow(clippy::too_many_arguments)]
fn BitBlt(
    call: &mut ApiCall<'_>,
    hdc: u32,
    x: i32,
    y: i32,
    cx: i32,
    cy: i32,
    hdcSrc: u32,
    x1: i32,
    y1: i32,
    rop: u32,
) -> ApiReturn {
    StretchBlt(call, hdc, x, y, cx, cy, hdcSrc, x1, y1, cx, cy, rop)
}

/// BOOL StretchBlt(HDC hdcDest, int xDest, int yDest, int wDest, int hDest, HDC hdcSrc, int
/// xSrc, int ySrc, int wSrc, int hSrc, DWORD rop): a negative width or height mirrors.
#[export]
#[allow(clippy::too_many_arguments)]
fn StretchBlt(
    call: &mut ApiCall<'_>,
    hdcDest: u32,
    xDest: i32,
    yDest: i32,
    wDest: i32,
    hDest: i32,
    hdcSrc: u32,
    xSrc: i32,
    ySrc: i32,
    wSrc: i32,
    hSrc: i32,
    rop: u32,
) -> ApiReturn {
    if let Some(r) = check_dc(call, hdcDest) {
        return r;
    }
    let uses_source = win32k::gdi::raster::rop3_uses((rop >> 16) as u8).1;
    if uses_source && gdi(call).dc(hdcSrc).is_none() {
        return bad_handle(call, 0);
    }
    let dst = Rect::new(
        xDest,
        yDest,
        xDest.wrapping_add(wDest),
        yDest.wrapping_add(hDest),
    );
    let src = Rect::new(xSrc, ySrc, xSrc.wrapping_add(wSrc), ySrc.wrapping_add(hSrc));
    let ok = draw_with(call, hdcDest, &[hdcSrc], |g, s| {
        g.blt(s, hdcDest, dst, uses_source.then_some((hdcSrc, src)), rop)
    });
    ApiReturn::Value(u32::from(ok))
}

/// BOOL MaskBlt(HDC hdcDest, int xDest, int yDest, int width, int height, HDC hdcSrc, int
/// xSrc, int ySrc, HBITMAP hbmMask, int xMask, int yMask, DWORD dwRop): BitBlt with two
/// ROP3 codes (MAKEROP4): the foreground one (bits 16-23) where the monochrome mask is
/// white, the background one (bits 24-31) where it is black. Without a mask it is BitBlt
/// with the foreground code; a mask that is not a monochrome bitmap is
/// ERROR_INVALID_PARAMETER.
#[export]
#[allow(clippy::too_many_arguments)]
fn MaskBlt(
    call: &mut ApiCall<'_>,
    hdcDest: u32,
    xDest: i32,
    yDest: i32,
    width: i32,
    height: i32,
    hdcSrc: u32,
    xSrc: i32,
    ySrc: i32,
    hbmMask: u32,
    xMask: i32,
    yMask: i32,
    dwRop: u32,
) -> ApiReturn {
    if let Some(r) = check_dc(call, hdcDest) {
        return r;
    }
    let fore = (dwRop >> 16) as u8;
    let back = (dwRop >> 24) as u8;
    let uses = |code: u8| win32k::gdi::raster::rop3_uses(code).1;
    let uses_source = uses(fore) || (hbmMask != 0 && uses(back));
    if uses_source && gdi(call).dc(hdcSrc).is_none() {
        return bad_handle(call, 0);
    }
    let mask = match hbmMask {
        0 => None,
        h => match gdi(call).bitmap(h) {
            Some(b) if b.mono => Some(win32k::gdi::BltMask {
                surface: b.surface.clone(),
                origin: (xMask, yMask),
                background: back,
            }),
            _ => return call.fail_win32(Win32Error::INVALID_PARAMETER, 0),
        },
    };
    let dst = Rect::new(
        xDest,
        yDest,
        xDest.wrapping_add(width),
        yDest.wrapping_add(height),
    );
    let src = Rect::new(
        xSrc,
        ySrc,
        xSrc.wrapping_add(width),
        ySrc.wrapping_add(height),
    );
    let ok = draw_with(call, hdcDest, &[hdcSrc], |g, s| {
        g.mask_blt(
            s,
            hdcDest,
            dst,
            uses_source.then_some((hdcSrc, src)),
            dwRop,
            mask,
        )
    });
    ApiReturn::Value(u32::from(ok))
}

/// Arc, Pie and Chord's work: the arc's points; `kind` 0 an arc (the pen only), 1 a pie (to
/// the centre), 2 a chord (its ends joined), the last two filled with the brush.
#[allow(clippy::too_many_arguments)]
fn arc_shape(
    call: &mut ApiCall<'_>,
    hdc: u32,
    r: [i32; 4],
    s: (i32, i32),
    e: (i32, i32),
    kind: u8,
) -> ApiReturn {
    let rect = ordered(r[0], r[1], r[2], r[3]);
    let Some(mut pts) = gdi(call).arc_points(hdc, rect, s, e) else {
        return bad_handle(call, 0);
    };
    if kind == 1 {
        pts.insert(
            0,
            ((rect.left + rect.right) / 2, (rect.top + rect.bottom) / 2),
        );
    }
    let ok = draw_with(call, hdc, &[], |g, sf| {
        if kind == 0 {
            g.polyline(sf, hdc, &pts)
        } else {
            g.polygon(sf, hdc, &pts)
        }
    });
    ApiReturn::Value(u32::from(ok))
}

/// BOOL Arc(HDC hdc, int x1, int y1, int x2, int y2, int x3, int y3, int x4, int y4): the
/// part of the ellipse in (x1, y1, x2, y2) from its meeting with the ray to (x3, y3) to its
/// meeting with the ray to (x4, y4), in the arc direction.
#[export]
#[allow(clippy::too_many_arguments)]
fn Arc(
    call: &mut ApiCall<'_>,
    hdc: u32,
    x1: i32,
    y1: i32,
    x2: i32,
    y2: i32,
    x3: i32,
    y3: i32,
    x4: i32,
    y4: i32,
) -> ApiReturn {
    arc_shape(call, hdc, [x1, y1, x2, y2], (x3, y3), (x4, y4), 0)
}

/// BOOL Pie(HDC hdc, ...): Arc's arc joined to the centre, filled.
#[export]
#[allow(clippy::too_many_arguments)]
fn Pie(
    call: &mut ApiCall<'_>,
    hdc: u32,
    x1: i32,
    y1: i32,
    x2: i32,
    y2: i32,
    x3: i32,
    y3: i32,
    x4: i32,
    y4: i32,
) -> ApiReturn {
    arc_shape(call, hdc, [x1, y1, x2, y2], (x3, y3), (x4, y4), 1)
}

/// BOOL Chord(HDC hdc, ...): Arc's arc with its ends joined, filled.
#[export]
#[allow(clippy::too_many_arguments)]
fn Chord(
    call: &mut ApiCall<'_>,
    hdc: u32,
    x1: i32,
    y1: i32,
    x2: i32,
    y2: i32,
    x3: i32,
    y3: i32,
    x4: i32,
    y4: i32,
) -> ApiReturn {
    arc_shape(call, hdc, [x1, y1, x2, y2], (x3, y3), (x4, y4), 2)
}
