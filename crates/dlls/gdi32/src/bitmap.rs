//! Bitmaps: device-dependent bitmaps (monochrome or of the screen's depth), DIB sections
//! (their bits in the process's memory), and moving DIB bits in and out (SetDIBits,
//! GetDIBits, SetDIBitsToDevice, StretchDIBits).

use nt_memory::{AllocationType, PageProtection};
use nt_status::Win32Error;
use win32::{ApiCall, ApiReturn, Ptr, export};
use win32k::gdi::dib::{BI_RGB, DibFormat};
use win32k::gdi::{self, BltSource, DibSection, Format, Object};
use win32k::{Rect, Surface};

use crate::{bad_handle, draw_with, gdi, pull_bitmap, push_bitmap, write_pair};

/// DIB_PAL_COLORS: the colour table holds indexes into the DC's palette.
const DIB_PAL_COLORS: u32 = 1;

/// The 16 colours of a 4-bit table (the VGA's).
const VGA: [u32; 16] = [
    0x000000, 0x800000, 0x008000, 0x808000, 0x000080, 0x800080, 0x008080, 0xC0C0C0, 0x808080,
    0xFF0000, 0x00FF00, 0xFFFF00, 0x0000FF, 0xFF00FF, 0x00FFFF, 0xFFFFFF,
];

/// The colour table GetDIBits gives a DIB of `bpp` bits from a device bitmap: black and
/// white, the VGA's 16, or the default palette's 20 static colours at both ends of 256
/// with a colour cube between.
fn default_table(bpp: u16) -> Vec<u32> {
    match bpp {
        1 => vec![0, 0xFF_FFFF],
        4 => VGA.to_vec(),
        _ => {
            let mut t = vec![0u32; 256];
            for (i, c) in gdi::DEFAULT_PALETTE_COLOURS.iter().enumerate() {
                let px = u32::from(c[0]) << 16 | u32::from(c[1]) << 8 | u32::from(c[2]);
                let at = if i < 10 { i } else { 236 + i };
                t[at] = px;
            }
            let mut i = 10;
            for r in 0..6u32 {
                for g in 0..6u32 {
                    for b in 0..6u32 {
                        t[i] = (r * 51) << 16 | (g * 51) << 8 | (b * 51);
                        i += 1;
                    }
                }
            }
            t
        }
    }
}

/// Reads a BITMAPINFO; with DIB_PAL_COLORS the table's WORD indexes go through the DC's
/// palette. Also gives the header's size and the bytes the colour table takes.
pub fn read_info(
    call: &mut ApiCall<'_>,
    address: u32,
    usage: u32,
    hdc: u32,
) -> Option<(DibFormat, u32, u32)> {
    let size = call.read_u32(address).ok()?;
    if !(12..=124).contains(&size) {
        return None;
    }
    let header = call.read_bytes(address, size as usize).ok()?;
    let extra = call
        .read_bytes(address.wrapping_add(size), 256 * 4 + 12)
        .or_else(|_| call.read_bytes(address.wrapping_add(size), 12))
        .unwrap_or_default();
    let mut f = DibFormat::parse(&header, &extra)?;
    let compression = if size >= 40 {
        u32::from_le_bytes(header[16..20].try_into().ok()?)
    } else {
        BI_RGB
    };
    let masks_len = if compression == 3 && size < 52 { 12 } else { 0 };
    let table_len = if usage == DIB_PAL_COLORS {
        let n = f.colours.len();
        let pal = gdi(call)
            .dc(hdc)
            .map(|d| d.state.palette)
            .and_then(|p| match gdi(call).get(p) {
                Some(Object::Palette(p)) => Some(p.entries.clone()),
                _ => None,
            })
            .unwrap_or_default();
        for i in 0..n {
            let idx = extra
                .get(masks_len + 2 * i..masks_len + 2 * i + 2)
                .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]) as usize);
            let c = pal.get(idx).copied().unwrap_or([0; 4]);
            f.colours[i] = u32::from(c[0]) << 16 | u32::from(c[1]) << 8 | u32::from(c[2]);
        }
        2 * n
    } else if size < 40 {
        3 * f.colours.len()
    } else {
        4 * f.colours.len()
    };
    Some((f, size, (masks_len + table_len) as u32))
}

fn new_bitmap(call: &mut ApiCall<'_>, b: gdi::Bitmap) -> ApiReturn {
    match gdi(call).insert(Object::Bitmap(Box::new(b))) {
        0 => call.fail_win32(Win32Error::NOT_ENOUGH_MEMORY, 0),
        h => ApiReturn::Value(h),
    }
}

/// The format of a device bitmap's bits (GetBitmapBits): rows from the top, WORD aligned.
fn ddb_format(width: u32, height: u32, bpp: u16) -> Option<DibFormat> {
    let colours = match bpp {
        1 => vec![0, 0xFF_FFFF],
        4 => VGA.to_vec(),
        8 => default_table(8),
        _ => Vec::new(),
    };
    let mut f = DibFormat::new(width, height, bpp, BI_RGB, colours, [0; 3])?;
    f.top_down = true;
    Some(f)
}

fn ddb_stride(width: u32, bpp: u16) -> usize {
    (width as usize * bpp as usize).div_ceil(16) * 2
}

/// Puts device-bitmap bits (WORD-aligned rows from the top) into pixels.
fn decode_ddb(s: &mut Surface, bpp: u16, bits: &[u8]) -> usize {
    let Some(f) = ddb_format(s.width(), s.height(), bpp) else {
        return 0;
    };
    let stride = ddb_stride(s.width(), bpp);
    let w = s.width() as usize;
    let mut used = 0;
    for y in 0..s.height() as usize {
        let Some(row) = bits.get(y * stride..(y + 1) * stride) else {
            break;
        };
        let mut padded = row.to_vec();
        padded.resize(f.stride().max(stride), 0);
        f.decode_row(&padded, &mut s.pixels_mut()[y * w..(y + 1) * w]);
        used += stride;
    }
    used
}

fn encode_ddb(s: &Surface, bpp: u16) -> Vec<u8> {
    let Some(f) = ddb_format(s.width(), s.height(), bpp) else {
        return Vec::new();
    };
    let stride = ddb_stride(s.width(), bpp);
    let w = s.width() as usize;
    let mut out = Vec::with_capacity(stride * s.height() as usize);
    let mut nearest = gdi::dib::Nearest::new(&f.colours);
    let mut row = vec![0u8; f.stride()];
    for y in 0..s.height() as usize {
        row.fill(0);
        f.encode_row(&s.pixels()[y * w..(y + 1) * w], &mut row, &mut nearest);
        out.extend_from_slice(&row[..stride]);
    }
    out
}

fn create_bitmap(
    call: &mut ApiCall<'_>,
    width: i32,
    height: i32,
    planes: u32,
    bpp: u32,
    bits: u32,
) -> ApiReturn {
    if width < 0 || height < 0 || planes != 1 || bpp > 32 || width > 0x8000 || height > 0x8000 {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    if width == 0 || height == 0 {
        return ApiReturn::Value(gdi(call).stock_bitmap());
    }
    let bpp: u16 = match bpp {
        1 => 1,
        2..=4 => 4,
        5..=8 => 8,
        9..=16 => 16,
        17..=24 => 24,
        _ => 32,
    };
    let mut surface = Surface::new(width as u32, height as u32, 0);
    if bits != 0 {
        let len = ddb_stride(width as u32, bpp) * height as usize;
        let Ok(b) = call.read_bytes(bits, len) else {
            return call.fail_win32(Win32Error::NOACCESS, 0);
        };
        decode_ddb(&mut surface, bpp, &b);
    }
    new_bitmap(
        call,
        gdi::Bitmap {
            surface,
            bpp,
            mono: bpp == 1,
            dib: None,
            selected_in: 0,
            dimension: (0, 0),
        },
    )
}

/// HBITMAP CreateBitmap(int nWidth, int nHeight, UINT nPlanes, UINT nBitCount, const VOID
/// *lpBits): a 0 size gives the stock 1x1 monochrome bitmap.
#[export]
fn CreateBitmap(
    call: &mut ApiCall<'_>,
    nWidth: i32,
    nHeight: i32,
    nPlanes: u32,
    nBitCount: u32,
    lpBits: u32,
) -> ApiReturn {
    create_bitmap(call, nWidth, nHeight, nPlanes, nBitCount, lpBits)
}

/// HBITMAP CreateBitmapIndirect(const BITMAP *pbm).
#[export]
fn CreateBitmapIndirect(call: &mut ApiCall<'_>, pbm: Ptr) -> ApiReturn {
    let Ok(b) = call.read_bytes(pbm.0, 24) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let w = |o: usize| i32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
    let h16 = |o: usize| u32::from(u16::from_le_bytes([b[o], b[o + 1]]));
    create_bitmap(call, w(4), w(8), h16(16), h16(18), w(20) as u32)
}

/// HBITMAP CreateCompatibleBitmap(HDC hdc, int cx, int cy): monochrome for a memory DC with
/// a monochrome bitmap selected, else of the screen's depth.
#[export]
fn CreateCompatibleBitmap(call: &mut ApiCall<'_>, hdc: u32, cx: i32, cy: i32) -> ApiReturn {
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, 0);
    }
    let mono = gdi(call).dc_is_mono(hdc);
    let bpp = if mono { 1 } else { u32::from(gdi::SCREEN_BPP) };
    create_bitmap(call, cx, cy, 1, bpp, 0)
}

/// HBITMAP CreateDiscardableBitmap(HDC hdc, int cx, int cy): a compatible bitmap.
#[export]
fn CreateDiscardableBitmap(call: &mut ApiCall<'_>, hdc: u32, cx: i32, cy: i32) -> ApiReturn {
    CreateCompatibleBitmap(call, hdc, cx, cy)
}

/// HBITMAP CreateDIBSection(HDC hdc, const BITMAPINFO *pbmi, UINT usage, VOID **ppvBits,
/// HANDLE hSection, DWORD offset): its bits are committed memory of the process (a given
/// section is not mapped: the bits get memory of their own).
#[export]
fn CreateDIBSection(
    call: &mut ApiCall<'_>,
    hdc: u32,
    pbmi: Ptr,
    usage: u32,
    ppvBits: u32,
    hSection: u32,
    offset: u32,
) -> ApiReturn {
    if usage > 1 {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    let Some((format, _, _)) = read_info(call, pbmi.0, usage, hdc) else {
        if ppvBits != 0 {
            let _ = call.write_u32(ppvBits, 0);
        }
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    // A DIB section's colour table has all 2^bpp entries (those not given are black), as its
    // DIBSECTION's biClrUsed and SetDIBColorTable show.
    let mut format = format;
    if format.bpp <= 8 {
        format.colours.resize(1 << format.bpp, 0);
    }
    let size = format.size() as u32;
    let Some(p) = call.process_mut() else {
        return call.fail_win32(Win32Error::NOT_ENOUGH_MEMORY, 0);
    };
    let Ok((address, _)) = p.address_space_mut().allocate(
        0,
        size,
        AllocationType(AllocationType::COMMIT.0 | AllocationType::RESERVE.0),
        PageProtection::READWRITE,
    ) else {
        return call.fail_win32(Win32Error::NOT_ENOUGH_MEMORY, 0);
    };
    let surface = format.decode(&[]);
    let bpp = format.bpp;
    let r = new_bitmap(
        call,
        gdi::Bitmap {
            surface,
            bpp,
            mono: false,
            dib: Some(DibSection {
                format,
                address,
                section: hSection,
                offset,
            }),
            selected_in: 0,
            dimension: (0, 0),
        },
    );
    if let (ApiReturn::Value(h), true) = (&r, ppvBits != 0)
        && *h != 0
    {
        let _ = call.write_u32(ppvBits, address);
    }
    r
}

/// Writes DIB scan lines `start..start + lines` from `bits` into bitmap `hbm`'s pixels;
/// the lines written.
fn set_bits(
    call: &mut ApiCall<'_>,
    hbm: u32,
    f: &DibFormat,
    start: u32,
    lines: u32,
    bits: u32,
) -> Option<u32> {
    let height = f.height;
    let start = start.min(height);
    let lines = lines.min(height - start);
    let stride = f.stride();
    let data = call.read_bytes(bits, stride * lines as usize).ok()?;
    pull_bitmap(call, hbm);
    let b = gdi(call).bitmap_mut(hbm)?;
    let format = match (&b.dib, b.mono) {
        (Some(d), _) => Format::Dib(Box::new(d.format.clone())),
        (None, true) => Format::Mono,
        _ => Format::True,
    };
    let w = b.surface.width() as usize;
    let mut row = vec![0u32; f.width as usize];
    for m in 0..lines as usize {
        let scan = start as usize + m;
        let y = if f.top_down {
            scan
        } else {
            height as usize - 1 - scan
        };
        f.decode_row(&data[m * stride..(m + 1) * stride], &mut row);
        if y >= b.surface.height() as usize {
            continue;
        }
        let n = w.min(row.len());
        for (d, &s) in b.surface.pixels_mut()[y * w..y * w + n]
            .iter_mut()
            .zip(&row)
        {
            *d = format.map(s);
        }
    }
    push_bitmap(call, hbm);
    Some(lines)
}

/// int SetDIBits(HDC hdc, HBITMAP hbm, UINT start, UINT cLines, const VOID *lpBits, const
/// BITMAPINFO *lpbmi, UINT ColorUse): the scan lines set.
#[export]
#[allow(clippy::too_many_arguments)]
fn SetDIBits(
    call: &mut ApiCall<'_>,
    hdc: u32,
    hbm: u32,
    start: u32,
    cLines: u32,
    lpBits: u32,
    lpbmi: u32,
    ColorUse: u32,
) -> ApiReturn {
    if gdi(call).bitmap(hbm).is_none() {
        return bad_handle(call, 0);
    }
    let Some((f, _, _)) = read_info(call, lpbmi, ColorUse, hdc) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    match set_bits(call, hbm, &f, start, cLines, lpBits) {
        Some(n) => ApiReturn::Value(n),
        None => call.fail_win32(Win32Error::NOACCESS, 0),
    }
}

/// HBITMAP CreateDIBitmap(HDC hdc, const BITMAPINFOHEADER *pbmih, DWORD flInit, const VOID
/// *pjBits, const BITMAPINFO *pbmi, UINT iUsage): a device bitmap of the header's size
/// (monochrome for a 1-bit header on no DC), set from the bits with CBM_INIT.
#[export]
#[allow(clippy::too_many_arguments)]
fn CreateDIBitmap(
    call: &mut ApiCall<'_>,
    hdc: u32,
    pbmih: Ptr,
    flInit: u32,
    pjBits: u32,
    pbmi: u32,
    iUsage: u32,
) -> ApiReturn {
    let Ok(head) = call.read_bytes(pbmih.0, 16) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let size = u32::from_le_bytes(head[0..4].try_into().unwrap_or_default());
    let (w, h, bpp) = if size == 12 {
        (
            i32::from(u16::from_le_bytes([head[4], head[5]])),
            i32::from(u16::from_le_bytes([head[6], head[7]])),
            u16::from_le_bytes([head[10], head[11]]),
        )
    } else {
        (
            i32::from_le_bytes(head[4..8].try_into().unwrap_or_default()),
            i32::from_le_bytes(head[8..12].try_into().unwrap_or_default()),
            u16::from_le_bytes([head[14], head[15]]),
        )
    };
    let mono = if hdc == 0 {
        bpp == 1
    } else {
        gdi(call).dc_is_mono(hdc)
    };
    let r = create_bitmap(
        call,
        w,
        h.abs(),
        1,
        if mono { 1 } else { u32::from(gdi::SCREEN_BPP) },
        0,
    );
    let ApiReturn::Value(hbm) = r else {
        return r;
    };
    if hbm != 0
        && flInit & 4 != 0
        && pjBits != 0
        && pbmi != 0
        && let Some((f, _, _)) = read_info(call, pbmi, iUsage, hdc)
    {
        let _ = set_bits(call, hbm, &f, 0, f.height, pjBits);
    }
    ApiReturn::Value(hbm)
}

/// int GetDIBits(HDC hdc, HBITMAP hbm, UINT start, UINT cLines, LPVOID lpvBits, LPBITMAPINFO
/// lpbmi, UINT usage): with biBitCount 0 the header is filled in from the bitmap; with no
/// bits the header's size and colour table; else scan lines in the header's format (its
/// colour table written too). The scan lines copied.
#[export]
#[allow(clippy::too_many_arguments)]
fn GetDIBits(
    call: &mut ApiCall<'_>,
    hdc: u32,
    hbm: u32,
    start: u32,
    cLines: u32,
    lpvBits: u32,
    lpbmi: u32,
    usage: u32,
) -> ApiReturn {
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, 0);
    }
    pull_bitmap(call, hbm);
    let Some(mut b) = gdi(call).bitmap(hbm).cloned() else {
        return bad_handle(call, 0);
    };
    // A paletted DIB section's indexes, as colours.
    if let Some(colours) = gdi(call).bitmap_colours(hbm) {
        b.surface = colours;
    }
    let Ok(head) = call.read_bytes(lpbmi, 40) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let size = u32::from_le_bytes(head[0..4].try_into().unwrap_or_default());
    let bitcount = u16::from_le_bytes([head[14], head[15]]);
    let (bw, bh) = (b.surface.width(), b.surface.height());
    if bitcount == 0 {
        // Fill in the header from the bitmap.
        let bpp = b.dib.as_ref().map_or(b.bpp, |d| d.format.bpp);
        let stride = (bw as usize * bpp as usize).div_ceil(32) * 4;
        let mut out = Vec::new();
        for v in [size, bw, bh] {
            out.extend(v.to_le_bytes());
        }
        out.extend(1u16.to_le_bytes());
        out.extend(bpp.to_le_bytes());
        for v in [BI_RGB, (stride * bh as usize) as u32, 0, 0, 0, 0] {
            out.extend(v.to_le_bytes());
        }
        if call.write_bytes(lpbmi, &out).is_err() {
            return call.fail_win32(Win32Error::NOACCESS, 0);
        }
        return ApiReturn::Value(1);
    }
    let Some((mut f, hsize, _)) = read_info(call, lpbmi, 0, hdc) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    if f.bpp <= 8 {
        f.colours = match &b.dib {
            Some(d) if d.format.bpp == f.bpp => d.format.colours.clone(),
            _ => default_table(f.bpp),
        };
        f.colours.resize(1 << f.bpp, 0);
        if usage == 0 {
            let table: Vec<u8> = f.colours.iter().flat_map(|c| c.to_le_bytes()).collect();
            let _ = call.write_bytes(lpbmi.wrapping_add(hsize), &table);
        }
    }
    // biSizeImage.
    let _ = call.write_u32(lpbmi.wrapping_add(20), f.size() as u32);
    if lpvBits == 0 {
        return ApiReturn::Value(bh);
    }
    let height = f.height;
    let start = start.min(height);
    let lines = cLines.min(height - start);
    let stride = f.stride();
    let mut out = vec![0u8; stride * lines as usize];
    let mut nearest = gdi::dib::Nearest::new(&f.colours);
    let mut row = vec![0u32; f.width as usize];
    for m in 0..lines as usize {
        let scan = start as usize + m;
        let y = if f.top_down {
            scan
        } else {
            height as usize - 1 - scan
        };
        row.fill(0);
        if y < bh as usize {
            let n = (bw as usize).min(row.len());
            row[..n].copy_from_slice(&b.surface.pixels()[y * bw as usize..y * bw as usize + n]);
        }
        f.encode_row(&row, &mut out[m * stride..(m + 1) * stride], &mut nearest);
    }
    if call.write_bytes(lpvBits, &out).is_err() {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    ApiReturn::Value(lines)
}

/// The pixels of a DIB in guest memory given scan lines `start..start + lines` of it.
fn dib_picture(
    call: &mut ApiCall<'_>,
    f: &DibFormat,
    bits: u32,
    start: u32,
    lines: u32,
) -> Option<Surface> {
    let stride = f.stride();
    let start = start.min(f.height);
    let lines = lines.min(f.height - start);
    let mut full = vec![0u8; f.size()];
    let data = call.read_bytes(bits, stride * lines as usize).ok()?;
    full[start as usize * stride..(start + lines) as usize * stride].copy_from_slice(&data);
    Some(f.decode(&full))
}

/// The source rectangle of a DIB blit in picture rows from the top: a bottom-up DIB's y
/// counts from its bottom.
fn dib_source(f: &DibFormat, x: i32, y: i32, w: i32, h: i32) -> Rect {
    if f.top_down {
        Rect::new(x, y, x.wrapping_add(w), y.wrapping_add(h))
    } else {
        let top = f.height as i32 - y.wrapping_add(h);
        Rect::new(x, top, x.wrapping_add(w), top.wrapping_add(h))
    }
}

/// int StretchDIBits(HDC hdc, int xDest, int yDest, int DestWidth, int DestHeight, int xSrc,
/// int ySrc, int SrcWidth, int SrcHeight, const VOID *lpBits, const BITMAPINFO *lpbmi, UINT
/// iUsage, DWORD rop): the scan lines drawn.
#[export]
#[allow(clippy::too_many_arguments)]
fn StretchDIBits(
    call: &mut ApiCall<'_>,
    hdc: u32,
    xDest: i32,
    yDest: i32,
    DestWidth: i32,
    DestHeight: i32,
    xSrc: i32,
    ySrc: i32,
    SrcWidth: i32,
    SrcHeight: i32,
    lpBits: u32,
    lpbmi: u32,
    iUsage: u32,
    rop: u32,
) -> ApiReturn {
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, 0);
    }
    let Some((f, _, _)) = read_info(call, lpbmi, iUsage, hdc) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let Some(pic) = dib_picture(call, &f, lpBits, 0, f.height) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    let src = dib_source(&f, xSrc, ySrc, SrcWidth, SrcHeight);
    let dst = Rect::new(
        xDest,
        yDest,
        xDest.wrapping_add(DestWidth),
        yDest.wrapping_add(DestHeight),
    );
    let ok = draw_with(call, hdc, &[], |g, s| {
        g.blt_from(
            s,
            hdc,
            dst,
            BltSource {
                surface: &pic,
                mono: false,
                bk: 0,
                palette: None,
            },
            src,
            rop,
        )
    });
    ApiReturn::Value(if ok { f.height } else { 0 })
}

/// int SetDIBitsToDevice(HDC hdc, int xDest, int yDest, DWORD w, DWORD h, int xSrc, int
/// ySrc, UINT StartScan, UINT cLines, const VOID *lpvBits, const BITMAPINFO *lpbmi, UINT
/// ColorUse): the scan lines given, drawn unscaled; the number of them.
#[export]
#[allow(clippy::too_many_arguments)]
fn SetDIBitsToDevice(
    call: &mut ApiCall<'_>,
    hdc: u32,
    xDest: i32,
    yDest: i32,
    w: i32,
    h: i32,
    xSrc: i32,
    ySrc: i32,
    StartScan: u32,
    cLines: u32,
    lpvBits: u32,
    lpbmi: u32,
    ColorUse: u32,
) -> ApiReturn {
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, 0);
    }
    let Some((f, _, _)) = read_info(call, lpbmi, ColorUse, hdc) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let Some(pic) = dib_picture(call, &f, lpvBits, StartScan, cLines) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    let src = dib_source(&f, xSrc, ySrc, w, h);
    let dst = Rect::new(xDest, yDest, xDest.wrapping_add(w), yDest.wrapping_add(h));
    // No mapping of the size: device units, as NT's SetDIBitsToDevice draws.
    let ok = draw_with(call, hdc, &[], |g, s| {
        g.blt_from(
            s,
            hdc,
            dst,
            BltSource {
                surface: &pic,
                mono: false,
                bk: 0,
                palette: None,
            },
            src,
            0x00CC_0020,
        )
    });
    let lines = cLines.min(f.height.saturating_sub(StartScan));
    ApiReturn::Value(if ok { lines } else { 0 })
}

/// LONG GetBitmapBits(HBITMAP hbit, LONG cb, LPVOID lpvBits): the bitmap's bits in its own
/// format (WORD-aligned rows from the top); with no buffer, their size.
#[export]
fn GetBitmapBits(call: &mut ApiCall<'_>, hbit: u32, cb: i32, lpvBits: u32) -> ApiReturn {
    pull_bitmap(call, hbit);
    let Some(bpp) = gdi(call).bitmap(hbit).map(|b| b.bpp) else {
        return bad_handle(call, 0);
    };
    let Some(colours) = gdi(call).bitmap_colours(hbit) else {
        return bad_handle(call, 0);
    };
    let bytes = encode_ddb(&colours, bpp);
    if lpvBits == 0 {
        return ApiReturn::Value(bytes.len() as u32);
    }
    let n = bytes.len().min(cb.max(0) as usize);
    if call.write_bytes(lpvBits, &bytes[..n]).is_err() {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    ApiReturn::Value(n as u32)
}

/// LONG SetBitmapBits(HBITMAP hbm, DWORD cb, const VOID *pvBits): the bytes taken.
#[export]
fn SetBitmapBits(call: &mut ApiCall<'_>, hbm: u32, cb: u32, pvBits: u32) -> ApiReturn {
    pull_bitmap(call, hbm);
    let Some(b) = gdi(call).bitmap(hbm) else {
        return bad_handle(call, 0);
    };
    let total = ddb_stride(b.surface.width(), b.bpp) * b.surface.height() as usize;
    let n = total.min(cb as usize);
    let Ok(mut data) = call.read_bytes(pvBits, n) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    let Some(b) = gdi(call).bitmap_mut(hbm) else {
        return bad_handle(call, 0);
    };
    let bpp = b.bpp;
    // Rows not given keep their pixels.
    let old = encode_ddb(&b.surface, bpp);
    data.extend_from_slice(&old[n.min(old.len())..]);
    decode_ddb(&mut b.surface, bpp, &data);
    push_bitmap(call, hbm);
    ApiReturn::Value(n as u32)
}

/// BOOL GetBitmapDimensionEx(HBITMAP hbit, LPSIZE lpsize).
#[export]
fn GetBitmapDimensionEx(call: &mut ApiCall<'_>, hbit: u32, lpsize: u32) -> ApiReturn {
    let Some(d) = gdi(call).bitmap(hbit).map(|b| b.dimension) else {
        return bad_handle(call, 0);
    };
    ApiReturn::Value(u32::from(write_pair(call, lpsize, d)))
}

/// BOOL SetBitmapDimensionEx(HBITMAP hbm, int w, int h, LPSIZE lpsz).
#[export]
fn SetBitmapDimensionEx(call: &mut ApiCall<'_>, hbm: u32, w: i32, h: i32, lpsz: u32) -> ApiReturn {
    let Some(b) = gdi(call).bitmap_mut(hbm) else {
        return bad_handle(call, 0);
    };
    let old = std::mem::replace(&mut b.dimension, (w, h));
    ApiReturn::Value(u32::from(write_pair(call, lpsz, old)))
}

/// UINT SetDIBColorTable(HDC hdc, UINT iStart, UINT cEntries, const RGBQUAD *prgbq): changes
/// entries of the colour table of the DIB section selected into the DC (its pixels take the
/// new colours); the entries changed, 0 when the DC has no paletted DIB section.
#[export]
fn SetDIBColorTable(
    call: &mut ApiCall<'_>,
    hdc: u32,
    iStart: u32,
    cEntries: u32,
    prgbq: u32,
) -> ApiReturn {
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, 0);
    }
    let Some((bmp, dib)) = gdi(call).dib_of(hdc) else {
        return ApiReturn::Value(0);
    };
    let len = dib.format.colours.len();
    let from = (iStart as usize).min(len);
    let n = (cEntries as usize).min(len - from);
    let Ok(b) = call.read_bytes(prgbq, 4 * n) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    if let Some(d) = gdi(call).bitmap_mut(bmp).and_then(|b| b.dib.as_mut()) {
        for (i, c) in b.chunks_exact(4).enumerate() {
            d.format.colours[from + i] = u32::from_le_bytes([c[0], c[1], c[2], 0]);
        }
    }
    // The pixels are the bits through the new table.
    pull_bitmap(call, bmp);
    ApiReturn::Value(n as u32)
}

/// UINT GetDIBColorTable(HDC hdc, UINT iStart, UINT cEntries, RGBQUAD *prgbq).
#[export]
fn GetDIBColorTable(
    call: &mut ApiCall<'_>,
    hdc: u32,
    iStart: u32,
    cEntries: u32,
    prgbq: u32,
) -> ApiReturn {
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, 0);
    }
    let Some((_, dib)) = gdi(call).dib_of(hdc) else {
        return ApiReturn::Value(0);
    };
    let c = &dib.format.colours;
    let from = (iStart as usize).min(c.len());
    let n = (cEntries as usize).min(c.len() - from);
    let bytes: Vec<u8> = c[from..from + n]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    if call.write_bytes(prgbq, &bytes).is_err() {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    ApiReturn::Value(n as u32)
}
