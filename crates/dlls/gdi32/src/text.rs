//! Text: TextOut, ExtTextOut, GetTextExtentPoint(32), GetTextExtentExPoint, GetTextMetrics,
//! GetCharWidth(32), GetTextFace, over crates/win32k's font engine ([`win32k::font`]) with
//! the DC's font, text and background colours, background mode, alignment and character
//! extra; and [`draw_text`], the work of USER32's DrawText.
//!
//! Text goes where the DC's transform puts its reference point; glyphs are not scaled or
//! rotated by the mapping mode or the world transform (NT 4.0's raster fonts are not).

use nt_status::Win32Error;
use win32::{ApiCall, ApiReturn, Ptr, export};
use win32k::Rect;
use win32k::font::drawtext;
use win32k::font::{self, Font, TextDraw};
use win32k::gdi::{Gdi, TextState};
use win32k::surface::{intersect, pixel_from_colorref};

use crate::{bad_handle, draw_with, gdi, read_rect, write_pair};

/// OPAQUE (SetBkMode).
const OPAQUE: u32 = 2;
/// TA_UPDATECP.
const TA_UPDATECP: u32 = 1;
/// ETO_OPAQUE.
const ETO_OPAQUE: u32 = 2;
/// ETO_CLIPPED.
const ETO_CLIPPED: u32 = 4;

/// The font selected into `hdc`, realized, with the DC's text state; None for a bad DC.
pub fn dc_font(call: &mut ApiCall<'_>, hdc: u32) -> Option<(Font, TextState)> {
    let state = gdi(call).text_state(hdc)?;
    Some((Font::realize(&state.font.to_font()), state))
}

/// Reads `count` characters of an A (ANSI bytes) or W string as UTF-16 units; a count of
/// -1 reads to the NUL (DrawText's convention).
pub fn read_units(call: &ApiCall<'_>, at: u32, count: i32, wide: bool) -> Option<Vec<u16>> {
    if count == 0 {
        return Some(Vec::new());
    }
    if count < 0 {
        let text = call.read_text(at, 0x10000, wide).ok()?;
        return Some(text.encode_utf16().collect());
    }
    let n = count as usize;
    if wide {
        let bytes = call.read_bytes(at, n.checked_mul(2)?).ok()?;
        Some(
            bytes
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect(),
        )
    } else {
        Some(font::ansi_to_unicode(&call.read_bytes(at, n).ok()?))
    }
}

/// The advance of each character with the DC's character extra added, or None when the
/// extra is 0 (the font's own advances).
fn advances(f: &Font, text: &[u16], extra: i32, given: Option<Vec<i32>>) -> Option<Vec<i32>> {
    match given {
        Some(d) => Some(d),
        None if extra != 0 => Some(
            text.iter()
                .map(|&u| f.char_width_w(u).saturating_add(extra))
                .collect(),
        ),
        None => None,
    }
}

/// Draws one run of text at logical (x, y) on `hdc` as ExtTextOut does: `options` ETO_*,
/// `rect` its logical rectangle, `dx` its advances. False for a bad DC.
#[allow(clippy::too_many_arguments)]
pub fn text_out(
    call: &mut ApiCall<'_>,
    hdc: u32,
    x: i32,
    y: i32,
    options: u32,
    rect: Option<Rect>,
    text: &[u16],
    dx: Option<Vec<i32>>,
) -> bool {
    let Some((f, ts)) = dc_font(call, hdc) else {
        return false;
    };
    let g = gdi(call);
    let (Some(dc), Some(format)) = (g.dc(hdc), g.dc_format(hdc)) else {
        return false;
    };
    let state = dc.state.clone();
    let update_cp = ts.text_align & TA_UPDATECP != 0;
    let (lx, ly) = if update_cp { ts.pos } else { (x, y) };
    let (dx0, dy0) = Gdi::to_device(&state, lx, ly);
    let dev_rect = rect.map(|r| {
        let (l, t) = Gdi::to_device(&state, r.left, r.top);
        let (rr, b) = Gdi::to_device(&state, r.right, r.bottom);
        Rect::new(l.min(rr), t.min(b), l.max(rr), t.max(b))
    });
    let advances = advances(&f, text, ts.char_extra, dx);
    let width = match &advances {
        Some(a) => a.iter().fold(0i32, |s, &w| s.saturating_add(w)),
        None => f.text_extent(text).0,
    };
    let metrics = f.metrics();
    let (cx, cy) = font::align(ts.text_align, dx0, dy0, width, &metrics);
    let colour = format.map(pixel_from_colorref(ts.text_colour));
    let bk = format.map(pixel_from_colorref(ts.bk_colour));
    let opaque_box = dev_rect.filter(|_| options & ETO_OPAQUE != 0);
    let background = (ts.bk_mode == OPAQUE || opaque_box.is_some()).then_some(bk);
    let clip_box = dev_rect.filter(|_| options & ETO_CLIPPED != 0);
    let drawn = draw_with(call, hdc, &[], |g, screen| {
        g.draw_on(screen, hdc, |surface, clip, origin| {
            let at = |r: Rect| r.offset(origin.0, origin.1);
            let clips: Vec<Rect> = clip
                .iter()
                .map(|c| clip_box.map_or(*c, |b| intersect(*c, at(b))))
                .filter(|c| c.width() > 0 && c.height() > 0)
                .collect();
            let how = TextDraw {
                colour,
                background,
                opaque_rect: opaque_box.map(at),
                clip: &clips,
                dx: advances.as_deref(),
            };
            if text.is_empty() {
                if let (Some(r), Some(b)) = (opaque_box, background) {
                    for c in &clips {
                        surface.fill(intersect(*c, at(r)), b);
                    }
                }
                return;
            }
            f.draw(surface, origin.0 + cx, origin.1 + cy, text, &how);
        })
    });
    if drawn.is_none() {
        return false;
    }
    if update_cp && let Some(d) = gdi(call).dc_mut(hdc) {
        d.state.pos.0 = d.state.pos.0.saturating_add(width);
    }
    true
}

/// BOOL TextOutA(HDC hdc, int x, int y, LPCSTR lpString, int c).
#[export]
fn TextOutA(call: &mut ApiCall<'_>, hdc: u32, x: i32, y: i32, lpString: Ptr, c: i32) -> ApiReturn {
    text_out_export(call, hdc, x, y, lpString, c, false)
}

/// BOOL TextOutW(HDC hdc, int x, int y, LPCWSTR lpString, int c).
#[export]
fn TextOutW(call: &mut ApiCall<'_>, hdc: u32, x: i32, y: i32, lpString: Ptr, c: i32) -> ApiReturn {
    text_out_export(call, hdc, x, y, lpString, c, true)
}

fn text_out_export(
    call: &mut ApiCall<'_>,
    hdc: u32,
    x: i32,
    y: i32,
    string: Ptr,
    c: i32,
    wide: bool,
) -> ApiReturn {
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, 0);
    }
    if c < 0 {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    let Some(text) = read_units(call, string.0, c, wide) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    ApiReturn::Value(u32::from(text_out(call, hdc, x, y, 0, None, &text, None)))
}

/// BOOL ExtTextOutA(HDC hdc, int x, int y, UINT options, const RECT *lprect, LPCSTR
/// lpString, UINT c, const INT *lpDx).
#[export]
fn ExtTextOutA(
    call: &mut ApiCall<'_>,
    hdc: u32,
    x: i32,
    y: i32,
    options: u32,
    lprect: Ptr,
    lpString: Ptr,
    c: u32,
    lpDx: Ptr,
) -> ApiReturn {
    ext_text_out(call, hdc, x, y, options, lprect, lpString, c, lpDx, false)
}

/// BOOL ExtTextOutW(HDC hdc, int x, int y, UINT options, const RECT *lprect, LPCWSTR
/// lpString, UINT c, const INT *lpDx).
#[export]
fn ExtTextOutW(
    call: &mut ApiCall<'_>,
    hdc: u32,
    x: i32,
    y: i32,
    options: u32,
    lprect: Ptr,
    lpString: Ptr,
    c: u32,
    lpDx: Ptr,
) -> ApiReturn {
    ext_text_out(call, hdc, x, y, options, lprect, lpString, c, lpDx, true)
}

#[allow(clippy::too_many_arguments)]
fn ext_text_out(
    call: &mut ApiCall<'_>,
    hdc: u32,
    x: i32,
    y: i32,
    options: u32,
    lprect: Ptr,
    string: Ptr,
    c: u32,
    dx: Ptr,
    wide: bool,
) -> ApiReturn {
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, 0);
    }
    let Ok(count) = i32::try_from(c) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let rect = if lprect.is_null() {
        None
    } else {
        match read_rect(call, lprect.0) {
            Some(r) => Some(r),
            None => return call.fail_win32(Win32Error::NOACCESS, 0),
        }
    };
    let Some(text) = read_units(call, string.0, count, wide) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    let advances = if dx.is_null() || text.is_empty() {
        None
    } else {
        match call.read_bytes(dx.0, (c as usize).saturating_mul(4)) {
            Ok(b) => Some(
                b.chunks_exact(4)
                    .map(|w| i32::from_le_bytes([w[0], w[1], w[2], w[3]]))
                    .collect(),
            ),
            Err(_) => return call.fail_win32(Win32Error::NOACCESS, 0),
        }
    };
    ApiReturn::Value(u32::from(text_out(
        call, hdc, x, y, options, rect, &text, advances,
    )))
}

/// The extent of `text` on `hdc` with the DC's character extra, in logical units (NT 4.0's
/// raster fonts are not scaled by the mapping mode).
fn extent(call: &mut ApiCall<'_>, hdc: u32, text: &[u16]) -> Option<(i32, i32)> {
    let (f, ts) = dc_font(call, hdc)?;
    let (w, h) = f.text_extent(text);
    let extra = ts.char_extra.saturating_mul(text.len() as i32);
    Some((w.saturating_add(extra), h))
}

fn text_extent_export(
    call: &mut ApiCall<'_>,
    hdc: u32,
    string: Ptr,
    c: i32,
    size: Ptr,
    wide: bool,
) -> ApiReturn {
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, 0);
    }
    if c < 0 || size.is_null() {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    let Some(text) = read_units(call, string.0, c, wide) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    let Some(e) = extent(call, hdc, &text) else {
        return bad_handle(call, 0);
    };
    ApiReturn::Value(u32::from(write_pair(call, size.0, e)))
}

/// BOOL GetTextExtentPoint32A(HDC hdc, LPCSTR lpString, int c, LPSIZE psizl).
#[export]
fn GetTextExtentPoint32A(
    call: &mut ApiCall<'_>,
    hdc: u32,
    lpString: Ptr,
    c: i32,
    psizl: Ptr,
) -> ApiReturn {
    text_extent_export(call, hdc, lpString, c, psizl, false)
}

/// BOOL GetTextExtentPoint32W(HDC hdc, LPCWSTR lpString, int c, LPSIZE psizl).
#[export]
fn GetTextExtentPoint32W(
    call: &mut ApiCall<'_>,
    hdc: u32,
    lpString: Ptr,
    c: i32,
    psizl: Ptr,
) -> ApiReturn {
    text_extent_export(call, hdc, lpString, c, psizl, true)
}

/// BOOL GetTextExtentPointA(HDC hdc, LPCSTR lpString, int c, LPSIZE lpsz): the Windows 3.1
/// form, the same measure on NT 4.0's raster fonts.
#[export]
fn GetTextExtentPointA(
    call: &mut ApiCall<'_>,
    hdc: u32,
    lpString: Ptr,
    c: i32,
    lpsz: Ptr,
) -> ApiReturn {
    text_extent_export(call, hdc, lpString, c, lpsz, false)
}

/// BOOL GetTextExtentPointW(HDC hdc, LPCWSTR lpString, int c, LPSIZE lpsz).
#[export]
fn GetTextExtentPointW(
    call: &mut ApiCall<'_>,
    hdc: u32,
    lpString: Ptr,
    c: i32,
    lpsz: Ptr,
) -> ApiReturn {
    text_extent_export(call, hdc, lpString, c, lpsz, true)
}

fn text_metrics_export(call: &mut ApiCall<'_>, hdc: u32, out: Ptr, wide: bool) -> ApiReturn {
    let Some((f, _)) = dc_font(call, hdc) else {
        return bad_handle(call, 0);
    };
    let m = f.metrics();
    let bytes: Vec<u8> = if wide {
        m.to_bytes_w().to_vec()
    } else {
        m.to_bytes_a().to_vec()
    };
    if call.write_bytes(out.0, &bytes).is_err() {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    ApiReturn::Value(1)
}

/// BOOL GetTextMetricsA(HDC hdc, LPTEXTMETRICA lptm).
#[export]
fn GetTextMetricsA(call: &mut ApiCall<'_>, hdc: u32, lptm: Ptr) -> ApiReturn {
    text_metrics_export(call, hdc, lptm, false)
}

/// BOOL GetTextMetricsW(HDC hdc, LPTEXTMETRICW lptm).
#[export]
fn GetTextMetricsW(call: &mut ApiCall<'_>, hdc: u32, lptm: Ptr) -> ApiReturn {
    text_metrics_export(call, hdc, lptm, true)
}

fn char_width_export(
    call: &mut ApiCall<'_>,
    hdc: u32,
    first: u32,
    last: u32,
    out: Ptr,
    wide: bool,
) -> ApiReturn {
    let Some((f, _)) = dc_font(call, hdc) else {
        return bad_handle(call, 0);
    };
    if first > last || (!wide && last > 0xFF) || out.is_null() {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    let mut bytes = Vec::new();
    for c in first..=last {
        let w = if wide {
            f.char_width_w(c as u16)
        } else {
            f.char_width(c as u8)
        };
        bytes.extend_from_slice(&w.to_le_bytes());
    }
    if call.write_bytes(out.0, &bytes).is_err() {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    ApiReturn::Value(1)
}

/// BOOL GetCharWidthA(HDC hdc, UINT iFirst, UINT iLast, LPINT lpBuffer).
#[export]
fn GetCharWidthA(
    call: &mut ApiCall<'_>,
    hdc: u32,
    iFirst: u32,
    iLast: u32,
    lpBuffer: Ptr,
) -> ApiReturn {
    char_width_export(call, hdc, iFirst, iLast, lpBuffer, false)
}

/// BOOL GetCharWidthW(HDC hdc, UINT iFirst, UINT iLast, LPINT lpBuffer).
#[export]
fn GetCharWidthW(
    call: &mut ApiCall<'_>,
    hdc: u32,
    iFirst: u32,
    iLast: u32,
    lpBuffer: Ptr,
) -> ApiReturn {
    char_width_export(call, hdc, iFirst, iLast, lpBuffer, true)
}

/// BOOL GetCharWidth32A(HDC hdc, UINT iFirst, UINT iLast, LPINT lpBuffer).
#[export]
fn GetCharWidth32A(
    call: &mut ApiCall<'_>,
    hdc: u32,
    iFirst: u32,
    iLast: u32,
    lpBuffer: Ptr,
) -> ApiReturn {
    char_width_export(call, hdc, iFirst, iLast, lpBuffer, false)
}

/// BOOL GetCharWidth32W(HDC hdc, UINT iFirst, UINT iLast, LPINT lpBuffer).
#[export]
fn GetCharWidth32W(
    call: &mut ApiCall<'_>,
    hdc: u32,
    iFirst: u32,
    iLast: u32,
    lpBuffer: Ptr,
) -> ApiReturn {
    char_width_export(call, hdc, iFirst, iLast, lpBuffer, true)
}

fn text_face_export(call: &mut ApiCall<'_>, hdc: u32, c: i32, out: Ptr, wide: bool) -> ApiReturn {
    let Some((f, _)) = dc_font(call, hdc) else {
        return bad_handle(call, 0);
    };
    let name = f.face_name();
    let units: Vec<u16> = name.encode_utf16().collect();
    if out.is_null() {
        return ApiReturn::Value(units.len() as u32 + 1);
    }
    if c <= 0 {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    let keep = units.len().min(c as usize - 1);
    let bytes: Vec<u8> = if wide {
        units[..keep]
            .iter()
            .chain(std::iter::once(&0))
            .flat_map(|u| u.to_le_bytes())
            .collect()
    } else {
        name.bytes().take(keep).chain(std::iter::once(0)).collect()
    };
    if call.write_bytes(out.0, &bytes).is_err() {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    ApiReturn::Value(keep as u32 + 1)
}

/// int GetTextFaceA(HDC hdc, int c, LPSTR lpName): the selected font's face name; with no
/// buffer, the size it needs.
#[export]
fn GetTextFaceA(call: &mut ApiCall<'_>, hdc: u32, c: i32, lpName: Ptr) -> ApiReturn {
    text_face_export(call, hdc, c, lpName, false)
}

/// int GetTextFaceW(HDC hdc, int c, LPWSTR lpName).
#[export]
fn GetTextFaceW(call: &mut ApiCall<'_>, hdc: u32, c: i32, lpName: Ptr) -> ApiReturn {
    text_face_export(call, hdc, c, lpName, true)
}

/// DrawText's work on `hdc`: lays out `text` in the logical rectangle `rect` by `format`
/// (DT_*), draws it unless DT_CALCRECT, and gives the text's height and the rectangle
/// DT_CALCRECT computes (logical). None for a bad DC.
pub fn draw_text(
    call: &mut ApiCall<'_>,
    hdc: u32,
    text: &[u16],
    rect: Rect,
    format: u32,
) -> Option<(i32, Rect)> {
    let (f, ts) = dc_font(call, hdc)?;
    let g = gdi(call);
    let state = g.dc(hdc)?.state.clone();
    let format_px = g.dc_format(hdc)?;
    let (l, t) = Gdi::to_device(&state, rect.left, rect.top);
    // The layout is made where it is drawn (device coordinates on the DC's surface, whose
    // origin the drawing gives) and its rectangle brought back to logical coordinates.
    let (shift_x, shift_y) = (l - rect.left, t - rect.top);
    let laid = |dx: i32, dy: i32| {
        let layout = drawtext::layout(&f, text, rect.offset(shift_x + dx, shift_y + dy), format);
        let calc = layout.rect.offset(-shift_x - dx, -shift_y - dy);
        (layout, calc)
    };
    if format & drawtext::DT_CALCRECT != 0 {
        let (layout, calc) = laid(0, 0);
        return Some((layout.height, calc));
    }
    let colour = format_px.map(pixel_from_colorref(ts.text_colour));
    let background =
        (ts.bk_mode == OPAQUE).then(|| format_px.map(pixel_from_colorref(ts.bk_colour)));
    draw_with(call, hdc, &[], |g, screen| {
        g.draw_on(screen, hdc, |surface, clip, origin| {
            let (layout, calc) = laid(origin.0, origin.1);
            let how = TextDraw {
                colour,
                background,
                opaque_rect: None,
                clip,
                dx: None,
            };
            drawtext::draw(&f, surface, &layout, &how);
            (layout.height, calc)
        })
    })
}
