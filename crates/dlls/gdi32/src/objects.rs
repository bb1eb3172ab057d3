//! GDI objects: stock objects, SelectObject, DeleteObject, GetObject, pens, brushes, fonts
//! (the LOGFONT only; glyphs come with the font work) and palettes.

use nt_memory::FreeType;
use nt_status::Win32Error;
use win32::{ApiCall, ApiReturn, Ptr, export};
use win32k::gdi::{self, Brush, LogFont, Object, Palette, Pen, dib::DibFormat};
use win32k::surface::pixel_from_colorref;

use crate::{bad_handle, gdi};

/// HGDIOBJ GetStockObject(int i): the stock object, 0 for an index with none.
#[export]
fn GetStockObject(call: &mut ApiCall<'_>, i: u32) -> u32 {
    gdi(call).stock_object(i)
}

/// HGDIOBJ SelectObject(HDC hdc, HGDIOBJ h): the object of its kind selected before (for a
/// region, the clip region's complexity); 0 with ERROR_INVALID_HANDLE for a bad DC or
/// object, 0 for a bitmap that cannot be selected there.
#[export]
fn SelectObject(call: &mut ApiCall<'_>, hdc: u32, h: u32) -> ApiReturn {
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, 0);
    }
    if h == 0 {
        // A NULL object: 0, and the last error is left alone.
        return ApiReturn::Value(0);
    }
    if gdi(call).get(h).is_none() {
        return bad_handle(call, 0);
    }
    ApiReturn::Value(gdi(call).select_object(hdc, h).unwrap_or(0))
}

/// BOOL DeleteObject(HGDIOBJ ho): see [`win32k::Gdi::delete_object`]; a DIB section's
/// memory is released with it.
#[export]
fn DeleteObject(call: &mut ApiCall<'_>, ho: u32) -> ApiReturn {
    if ho == 0 {
        // NULL: FALSE, the last error left alone.
        return ApiReturn::Value(0);
    }
    let g = gdi(call);
    let dib = match g.get(ho) {
        None => return bad_handle(call, 0),
        Some(Object::Dc(_)) => return ApiReturn::Value(u32::from(g.delete_dc(ho))),
        Some(Object::Bitmap(b)) => b.dib.as_ref().filter(|d| d.section == 0).map(|d| d.address),
        Some(_) => None,
    };
    let ok = g.delete_object(ho);
    if ok
        && g.get(ho).is_none()
        && let Some(address) = dib
        && let Some(p) = call.process_mut()
    {
        let _ = p.address_space_mut().free(address, 0, FreeType::RELEASE);
    }
    ApiReturn::Value(u32::from(ok))
}

/// DWORD GetObjectType(HGDIOBJ h): OBJ_*, 0 with ERROR_INVALID_HANDLE for a bad handle.
#[export]
fn GetObjectType(call: &mut ApiCall<'_>, h: u32) -> ApiReturn {
    match gdi(call).object_type(h) {
        0 => bad_handle(call, 0),
        t => ApiReturn::Value(t),
    }
}

fn le(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// A LOGFONT's bytes (A: the face in the ANSI code page, 32 bytes; W: 32 UTF-16 units).
pub fn logfont_bytes(f: &LogFont, wide: bool) -> Vec<u8> {
    let mut b = le(&[
        f.height as u32,
        f.width as u32,
        f.escapement as u32,
        f.orientation as u32,
        f.weight as u32,
    ]);
    b.extend_from_slice(&[
        f.italic,
        f.underline,
        f.strike_out,
        f.charset,
        f.out_precision,
        f.clip_precision,
        f.quality,
        f.pitch_and_family,
    ]);
    if wide {
        let mut face: Vec<u16> = f.face.iter().copied().take(31).collect();
        face.resize(32, 0);
        b.extend(face.iter().flat_map(|u| u.to_le_bytes()));
    } else {
        let text = String::from_utf16_lossy(&f.face);
        let mut face = win32::codepage::CodePage::Ansi.encode_str(&text);
        face.truncate(31);
        face.resize(32, 0);
        b.extend_from_slice(&face);
    }
    b
}

/// Reads a LOGFONTA or LOGFONTW.
pub fn read_logfont(call: &ApiCall<'_>, address: u32, wide: bool) -> Option<LogFont> {
    let b = call.read_bytes(address, if wide { 92 } else { 60 }).ok()?;
    let i = |o: usize| i32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
    let face = if wide {
        b[28..92]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .take_while(|&u| u != 0)
            .collect()
    } else {
        let end = b[28..60].iter().position(|&c| c == 0).unwrap_or(32);
        win32::codepage::CodePage::Ansi
            .decode_str(&b[28..28 + end])
            .encode_utf16()
            .collect()
    };
    Some(LogFont {
        height: i(0),
        width: i(4),
        escapement: i(8),
        orientation: i(12),
        weight: i(16),
        italic: b[20],
        underline: b[21],
        strike_out: b[22],
        charset: b[23],
        out_precision: b[24],
        clip_precision: b[25],
        quality: b[26],
        pitch_and_family: b[27],
        face,
    })
}

/// The bytes GetObject gives for an object, given the buffer's size (`count`); None when
/// the buffer is too small for the structure.
fn object_bytes(o: &Object, count: u32, wide: bool) -> Option<Vec<u8>> {
    let fits = |b: Vec<u8>| (count as usize >= b.len()).then_some(b);
    match o {
        Object::Pen(p) => fits(le(&[p.style, p.width as u32, 0, p.colour])),
        Object::Brush(b) => fits(le(&[b.style, b.colour, b.hatch])),
        Object::Palette(p) => Some((p.entries.len() as u16).to_le_bytes().to_vec()),
        Object::Font(f) => {
            let mut b = logfont_bytes(f, wide);
            b.truncate(count as usize);
            Some(b)
        }
        Object::Bitmap(bm) => {
            let (w, h) = (bm.surface.width(), bm.surface.height());
            let mut b = Vec::with_capacity(84);
            match &bm.dib {
                Some(d) => {
                    b.extend(le(&[0, w, h, d.format.stride() as u32]));
                    b.extend(1u16.to_le_bytes());
                    b.extend(d.format.bpp.to_le_bytes());
                    b.extend(d.address.to_le_bytes());
                    if count >= 84 {
                        let compression = if matches!(d.format.bpp, 16 | 32)
                            && d.format.masks != default_masks(d.format.bpp)
                        {
                            3
                        } else {
                            0
                        };
                        // The height without the top-down sign, as NT reports it.
                        b.extend(le(&[40, w, h]));
                        b.extend(1u16.to_le_bytes());
                        b.extend(d.format.bpp.to_le_bytes());
                        let used = if d.format.bpp <= 8 {
                            d.format.colours.len() as u32
                        } else {
                            0
                        };
                        b.extend(le(&[compression, d.format.size() as u32, 0, 0, used, 0]));
                        let masks = if matches!(d.format.bpp, 16 | 32) {
                            d.format.masks
                        } else {
                            [0; 3]
                        };
                        b.extend(le(&masks));
                        b.extend(le(&[d.section, d.offset]));
                    }
                }
                None => {
                    let stride = (w * u32::from(bm.bpp)).div_ceil(16) * 2;
                    b.extend(le(&[0, w, h, stride]));
                    b.extend(1u16.to_le_bytes());
                    b.extend(bm.bpp.to_le_bytes());
                    b.extend(0u32.to_le_bytes());
                }
            }
            fits(b)
        }
        Object::Region(_) | Object::Dc(_) => None,
    }
}

fn default_masks(bpp: u16) -> [u32; 3] {
    if bpp == 16 {
        [0x7C00, 0x03E0, 0x001F]
    } else {
        [0xFF_0000, 0xFF00, 0xFF]
    }
}

/// GetObjectA/W's work: with no buffer, the structure's size; otherwise the bytes written
/// (0 for a bad handle or a buffer too small).
fn get_object(call: &mut ApiCall<'_>, h: u32, count: i32, buffer: u32, wide: bool) -> ApiReturn {
    if h == 0 {
        return ApiReturn::Value(0);
    }
    let Some(o) = gdi(call).get(h).cloned() else {
        return bad_handle(call, 0);
    };
    if buffer == 0 {
        let size = match &o {
            Object::Bitmap(b) if b.dib.is_some() => 84,
            _ => object_bytes(&o, u32::MAX, wide).map_or(0, |b| b.len()),
        };
        return ApiReturn::Value(size as u32);
    }
    let Some(bytes) = object_bytes(&o, count.max(0) as u32, wide) else {
        return ApiReturn::Value(0);
    };
    if call.write_bytes(buffer, &bytes).is_err() {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    ApiReturn::Value(bytes.len() as u32)
}

/// int GetObjectA(HANDLE h, int c, LPVOID pv).
#[export]
fn GetObjectA(call: &mut ApiCall<'_>, h: u32, c: i32, pv: u32) -> ApiReturn {
    get_object(call, h, c, pv, false)
}

/// int GetObjectW(HANDLE h, int c, LPVOID pv).
#[export]
fn GetObjectW(call: &mut ApiCall<'_>, h: u32, c: i32, pv: u32) -> ApiReturn {
    get_object(call, h, c, pv, true)
}

fn new_object(call: &mut ApiCall<'_>, o: Object) -> ApiReturn {
    match gdi(call).insert(o) {
        0 => call.fail_win32(Win32Error::NOT_ENOUGH_MEMORY, 0),
        h => ApiReturn::Value(h),
    }
}

/// HPEN CreatePen(int style, int width, COLORREF color): styles past PS_INSIDEFRAME make a
/// solid pen.
#[export]
fn CreatePen(call: &mut ApiCall<'_>, style: u32, width: i32, color: u32) -> ApiReturn {
    let style = if style > gdi::PS_INSIDEFRAME {
        gdi::PS_SOLID
    } else {
        style
    };
    new_object(
        call,
        Object::Pen(Pen {
            style,
            width: width.max(0),
            colour: color,
        }),
    )
}

/// HPEN CreatePenIndirect(const LOGPEN *plpen).
#[export]
fn CreatePenIndirect(call: &mut ApiCall<'_>, plpen: Ptr) -> ApiReturn {
    let Ok(b) = call.read_bytes(plpen.0, 16) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let w = |i: usize| u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]]);
    CreatePen(call, w(0), w(1) as i32, w(3))
}

/// HPEN ExtCreatePen(DWORD style, DWORD width, const LOGBRUSH *plbrush, DWORD cStyle, const
/// DWORD *pstyle): the pen's colour from the brush; a geometric pen keeps its width.
#[export]
fn ExtCreatePen(
    call: &mut ApiCall<'_>,
    style: u32,
    width: u32,
    plbrush: Ptr,
    cStyle: u32,
    pstyle: u32,
) -> ApiReturn {
    let _ = (cStyle, pstyle);
    let Ok(colour) = call.read_u32(plbrush.0.wrapping_add(4)) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let geometric = style & 0x000F_0000 == 0x0001_0000;
    if !geometric && width != 1 {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    new_object(
        call,
        Object::Pen(Pen {
            style: style & 0x000F_000F,
            width: width as i32,
            colour,
        }),
    )
}

fn brush(style: u32, colour: u32, hatch: u32) -> Object {
    Object::Brush(Brush {
        style,
        colour,
        hatch,
        pattern: None,
    })
}

/// HBRUSH CreateSolidBrush(COLORREF color).
#[export]
fn CreateSolidBrush(call: &mut ApiCall<'_>, color: u32) -> ApiReturn {
    new_object(call, brush(gdi::BS_SOLID, color, 0))
}

/// HBRUSH CreateHatchBrush(int iHatch, COLORREF color): HS_HORIZONTAL..HS_DIAGCROSS.
#[export]
fn CreateHatchBrush(call: &mut ApiCall<'_>, iHatch: u32, color: u32) -> ApiReturn {
    if iHatch > 5 {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    new_object(call, brush(gdi::BS_HATCHED, color, iHatch))
}

/// A pattern brush of a bitmap's pixels (copied, as NT copies them).
fn pattern_brush(call: &mut ApiCall<'_>, hbm: u32) -> ApiReturn {
    let Some(b) = gdi(call).bitmap(hbm) else {
        return bad_handle(call, 0);
    };
    let mono = b.mono;
    let pattern = gdi(call).bitmap_colours(hbm).map(|s| (s, mono));
    new_object(
        call,
        Object::Brush(Brush {
            style: gdi::BS_PATTERN,
            colour: 0,
            hatch: hbm,
            pattern,
        }),
    )
}

/// HBRUSH CreatePatternBrush(HBITMAP hbm).
#[export]
fn CreatePatternBrush(call: &mut ApiCall<'_>, hbm: u32) -> ApiReturn {
    pattern_brush(call, hbm)
}

/// Reads a packed DIB (BITMAPINFO, colour table, bits): its format and pixels.
pub fn read_packed_dib(call: &ApiCall<'_>, address: u32) -> Option<(DibFormat, win32k::Surface)> {
    let header = call
        .read_bytes(address, 40)
        .ok()
        .or_else(|| call.read_bytes(address, 12).ok())?;
    let size = u32::from_le_bytes(header.get(0..4)?.try_into().ok()?);
    let header = call
        .read_bytes(address, size.clamp(12, 124) as usize)
        .ok()?;
    let extra_len = 256 * 4 + 12;
    let extra = call
        .read_bytes(address.wrapping_add(size), extra_len)
        .or_else(|_| call.read_bytes(address.wrapping_add(size), 12))
        .unwrap_or_default();
    let f = DibFormat::parse(&header, &extra)?;
    let compression = if size >= 40 {
        u32::from_le_bytes(header[16..20].try_into().ok()?)
    } else {
        0
    };
    let table = if size < 40 {
        f.colours.len() * 3
    } else {
        f.colours.len() * 4 + if compression == 3 && size < 52 { 12 } else { 0 }
    };
    let bits = call
        .read_bytes(
            address.wrapping_add(size).wrapping_add(table as u32),
            f.size(),
        )
        .ok()?;
    let s = f.decode(&bits);
    Some((f, s))
}

/// HBRUSH CreateDIBPatternBrushPt(const VOID *lpPackedDIB, UINT iUsage).
#[export]
fn CreateDIBPatternBrushPt(call: &mut ApiCall<'_>, lpPackedDIB: Ptr, iUsage: u32) -> ApiReturn {
    let _ = iUsage;
    let Some((_, s)) = read_packed_dib(call, lpPackedDIB.0) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    new_object(
        call,
        Object::Brush(Brush {
            style: gdi::BS_DIBPATTERN,
            colour: iUsage,
            hatch: lpPackedDIB.0,
            pattern: Some((s, false)),
        }),
    )
}

/// HBRUSH CreateBrushIndirect(const LOGBRUSH *plbrush).
#[export]
fn CreateBrushIndirect(call: &mut ApiCall<'_>, plbrush: Ptr) -> ApiReturn {
    let Ok(b) = call.read_bytes(plbrush.0, 12) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let w = |i: usize| u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]]);
    match w(0) {
        gdi::BS_SOLID => CreateSolidBrush(call, w(1)),
        gdi::BS_NULL => ApiReturn::Value(gdi(call).stock_object(gdi::NULL_BRUSH)),
        gdi::BS_HATCHED => CreateHatchBrush(call, w(2), w(1)),
        gdi::BS_PATTERN => pattern_brush(call, w(2)),
        gdi::BS_DIBPATTERN | 6 => CreateDIBPatternBrushPt(call, Ptr(w(2)), w(1)),
        _ => call.fail_win32(Win32Error::INVALID_PARAMETER, 0),
    }
}

fn font(call: &mut ApiCall<'_>, f: LogFont) -> ApiReturn {
    new_object(call, Object::Font(f))
}

/// HFONT CreateFontIndirectA(const LOGFONTA *lplf).
#[export]
fn CreateFontIndirectA(call: &mut ApiCall<'_>, lplf: u32) -> ApiReturn {
    match read_logfont(call, lplf, false) {
        Some(f) => font(call, f),
        None => call.fail_win32(Win32Error::INVALID_PARAMETER, 0),
    }
}

/// HFONT CreateFontIndirectW(const LOGFONTW *lplf).
#[export]
fn CreateFontIndirectW(call: &mut ApiCall<'_>, lplf: u32) -> ApiReturn {
    match read_logfont(call, lplf, true) {
        Some(f) => font(call, f),
        None => call.fail_win32(Win32Error::INVALID_PARAMETER, 0),
    }
}

#[allow(clippy::too_many_arguments)]
fn create_font(call: &mut ApiCall<'_>, v: [u32; 13], face: u32, wide: bool) -> ApiReturn {
    let face = if face == 0 {
        Vec::new()
    } else {
        let mut t: Vec<u16> = call
            .read_text(face, 64, wide)
            .unwrap_or_default()
            .encode_utf16()
            .collect();
        t.truncate(31);
        t
    };
    font(
        call,
        LogFont {
            height: v[0] as i32,
            width: v[1] as i32,
            escapement: v[2] as i32,
            orientation: v[3] as i32,
            weight: v[4] as i32,
            italic: v[5] as u8,
            underline: v[6] as u8,
            strike_out: v[7] as u8,
            charset: v[8] as u8,
            out_precision: v[9] as u8,
            clip_precision: v[10] as u8,
            quality: v[11] as u8,
            pitch_and_family: v[12] as u8,
            face,
        },
    )
}

/// HFONT CreateFontA(int cHeight, int cWidth, int cEscapement, int cOrientation, int
/// cWeight, DWORD bItalic, DWORD bUnderline, DWORD bStrikeOut, DWORD iCharSet, DWORD
/// iOutPrecision, DWORD iClipPrecision, DWORD iQuality, DWORD iPitchAndFamily, LPCSTR
/// pszFaceName).
#[export]
#[allow(clippy::too_many_arguments)]
fn CreateFontA(
    call: &mut ApiCall<'_>,
    cHeight: u32,
    cWidth: u32,
    cEscapement: u32,
    cOrientation: u32,
    cWeight: u32,
    bItalic: u32,
    bUnderline: u32,
    bStrikeOut: u32,
    iCharSet: u32,
    iOutPrecision: u32,
    iClipPrecision: u32,
    iQuality: u32,
    iPitchAndFamily: u32,
    pszFaceName: u32,
) -> ApiReturn {
    let v = [
        cHeight,
        cWidth,
        cEscapement,
        cOrientation,
        cWeight,
        bItalic,
        bUnderline,
        bStrikeOut,
        iCharSet,
        iOutPrecision,
        iClipPrecision,
        iQuality,
        iPitchAndFamily,
    ];
    create_font(call, v, pszFaceName, false)
}

/// HFONT CreateFontW(...): CreateFontA's parameters with a UTF-16 face name.
#[export]
#[allow(clippy::too_many_arguments)]
fn CreateFontW(
    call: &mut ApiCall<'_>,
    cHeight: u32,
    cWidth: u32,
    cEscapement: u32,
    cOrientation: u32,
    cWeight: u32,
    bItalic: u32,
    bUnderline: u32,
    bStrikeOut: u32,
    iCharSet: u32,
    iOutPrecision: u32,
    iClipPrecision: u32,
    iQuality: u32,
    iPitchAndFamily: u32,
    pszFaceName: u32,
) -> ApiReturn {
    let v = [
        cHeight,
        cWidth,
        cEscapement,
        cOrientation,
        cWeight,
        bItalic,
        bUnderline,
        bStrikeOut,
        iCharSet,
        iOutPrecision,
        iClipPrecision,
        iQuality,
        iPitchAndFamily,
    ];
    create_font(call, v, pszFaceName, true)
}

/// HPALETTE CreatePalette(const LOGPALETTE *plpal): palVersion 0x300, palNumEntries, the
/// entries.
#[export]
fn CreatePalette(call: &mut ApiCall<'_>, plpal: Ptr) -> ApiReturn {
    let Ok(head) = call.read_bytes(plpal.0, 4) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let version = u16::from_le_bytes([head[0], head[1]]);
    let n = u16::from_le_bytes([head[2], head[3]]) as usize;
    if version != 0x300 || n == 0 {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    let Ok(b) = call.read_bytes(plpal.0.wrapping_add(4), 4 * n) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let entries = b
        .chunks_exact(4)
        .map(|c| [c[0], c[1], c[2], c[3]])
        .collect();
    new_object(call, Object::Palette(Palette { entries }))
}

/// HPALETTE SelectPalette(HDC hdc, HPALETTE hPal, BOOL bForceBkgd): the old palette.
#[export]
fn SelectPalette(call: &mut ApiCall<'_>, hdc: u32, hPal: u32, bForceBkgd: bool) -> ApiReturn {
    let _ = bForceBkgd;
    let g = gdi(call);
    if !matches!(g.get(hPal), Some(Object::Palette(_))) {
        return bad_handle(call, 0);
    }
    let Some(full) = g.full_handle(hPal) else {
        return bad_handle(call, 0);
    };
    match g.dc_mut(hdc) {
        Some(d) => ApiReturn::Value(std::mem::replace(&mut d.state.palette, full)),
        None => bad_handle(call, 0),
    }
}

/// UINT RealizePalette(HDC hdc): the display is not a palette device: nothing is mapped, 0;
/// GDI_ERROR for a bad DC.
#[export]
fn RealizePalette(call: &mut ApiCall<'_>, hdc: u32) -> ApiReturn {
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, u32::MAX);
    }
    ApiReturn::Value(0)
}

fn palette_entries(call: &mut ApiCall<'_>, hpal: u32) -> Option<Vec<[u8; 4]>> {
    match gdi(call).get(hpal) {
        Some(Object::Palette(p)) => Some(p.entries.clone()),
        _ => None,
    }
}

/// UINT GetPaletteEntries(HPALETTE hpal, UINT iStart, UINT cEntries, LPPALETTEENTRY pPalEntries):
/// with no buffer, the palette's size; otherwise the entries copied.
#[export]
fn GetPaletteEntries(
    call: &mut ApiCall<'_>,
    hpal: u32,
    iStart: u32,
    cEntries: u32,
    pPalEntries: u32,
) -> ApiReturn {
    let Some(e) = palette_entries(call, hpal) else {
        return bad_handle(call, 0);
    };
    if pPalEntries == 0 {
        return ApiReturn::Value(e.len() as u32);
    }
    let from = (iStart as usize).min(e.len());
    let to = from.saturating_add(cEntries as usize).min(e.len());
    let bytes: Vec<u8> = e[from..to].iter().flatten().copied().collect();
    if call.write_bytes(pPalEntries, &bytes).is_err() {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    ApiReturn::Value((to - from) as u32)
}

/// UINT SetPaletteEntries(HPALETTE hpal, UINT iStart, UINT cEntries, const PALETTEENTRY *pPalEntries).
#[export]
fn SetPaletteEntries(
    call: &mut ApiCall<'_>,
    hpal: u32,
    iStart: u32,
    cEntries: u32,
    pPalEntries: u32,
) -> ApiReturn {
    let Some(e) = palette_entries(call, hpal) else {
        return bad_handle(call, 0);
    };
    if gdi(call).is_stock(hpal) {
        return ApiReturn::Value(0);
    }
    let from = (iStart as usize).min(e.len());
    let n = (cEntries as usize).min(e.len() - from);
    let Ok(b) = call.read_bytes(pPalEntries, 4 * n) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    if let Some(Object::Palette(p)) = gdi(call).get_mut(hpal) {
        for (i, c) in b.chunks_exact(4).enumerate() {
            p.entries[from + i] = [c[0], c[1], c[2], c[3]];
        }
    }
    ApiReturn::Value(n as u32)
}

/// UINT GetSystemPaletteEntries(HDC hdc, UINT iStart, UINT cEntries, LPPALETTEENTRY pPalEntries):
/// the display has no palette: 0.
#[export]
fn GetSystemPaletteEntries(
    call: &mut ApiCall<'_>,
    hdc: u32,
    iStart: u32,
    cEntries: u32,
    pPalEntries: u32,
) -> ApiReturn {
    let _ = (iStart, cEntries, pPalEntries);
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, 0);
    }
    ApiReturn::Value(0)
}

/// COLORREF GetNearestColor(HDC hdc, COLORREF color): the colour the DC's surface holds.
#[export]
fn GetNearestColor(call: &mut ApiCall<'_>, hdc: u32, color: u32) -> ApiReturn {
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, gdi::CLR_INVALID);
    }
    let mono = gdi(call).dc_is_mono(hdc);
    let dib = gdi(call).dib_of(hdc).map(|(_, d)| d.format);
    let pixel = pixel_from_colorref(color & 0xFF_FFFF);
    let mapped = match (mono, dib) {
        (true, _) => gdi::Format::Mono.map(pixel),
        (_, Some(f)) => f.quantize(pixel),
        _ => pixel,
    };
    ApiReturn::Value(win32k::surface::colorref_from_pixel(mapped))
}

/// UINT GetNearestPaletteIndex(HPALETTE h, COLORREF color): the nearest entry's index.
#[export]
fn GetNearestPaletteIndex(call: &mut ApiCall<'_>, h: u32, color: u32) -> ApiReturn {
    let Some(e) = palette_entries(call, h) else {
        return bad_handle(call, u32::MAX);
    };
    let colours: Vec<u32> = e
        .iter()
        .map(|c| u32::from(c[0]) << 16 | u32::from(c[1]) << 8 | u32::from(c[2]))
        .collect();
    let i = gdi::dib::Nearest::new(&colours).index(pixel_from_colorref(color & 0xFF_FFFF));
    ApiReturn::Value(u32::from(i))
}

/// BOOL UnrealizeObject(HGDIOBJ h): TRUE for a brush or palette (nothing is realized here).
#[export]
fn UnrealizeObject(call: &mut ApiCall<'_>, h: u32) -> ApiReturn {
    if h == 0 {
        return ApiReturn::Value(0);
    }
    match gdi(call).get(h) {
        Some(Object::Brush(_) | Object::Palette(_)) => ApiReturn::Value(1),
        Some(_) => ApiReturn::Value(0),
        None => bad_handle(call, 0),
    }
}
