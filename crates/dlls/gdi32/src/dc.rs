//! Device contexts: making and deleting them, SaveDC/RestoreDC, their colours and modes,
//! mapping modes, window and viewport, the world transform, GetDeviceCaps.

use nt_status::Win32Error;
use win32::{ApiCall, ApiReturn, Ptr, export};
use win32k::Gdi;
use win32k::gdi::{self, DcState, GM_ADVANCED, GM_COMPATIBLE, MM_ANISOTROPIC, MM_ISOTROPIC};

use crate::{bad_handle, gdi, read_points, wm, write_pair, write_points};

/// The state of DC `hdc`, to change; None for a bad handle.
fn state<'a>(call: &'a mut ApiCall<'_>, hdc: u32) -> Option<&'a mut DcState> {
    gdi(call).dc_mut(hdc).map(|d| &mut d.state)
}

/// Sets one field of a DC's state, answering with the old value (`bad` for a bad DC).
fn set_field(
    call: &mut ApiCall<'_>,
    hdc: u32,
    bad: u32,
    f: impl FnOnce(&mut DcState) -> u32,
) -> ApiReturn {
    match state(call, hdc) {
        Some(s) => ApiReturn::Value(f(s)),
        None => bad_handle(call, bad),
    }
}

/// HDC CreateCompatibleDC(HDC hdc): a memory DC (hdc NULL: compatible with the screen) with
/// the stock 1x1 monochrome bitmap selected.
#[export]
fn CreateCompatibleDC(call: &mut ApiCall<'_>, hdc: u32) -> ApiReturn {
    if hdc != 0 && gdi(call).dc(hdc).is_none() {
        return bad_handle(call, 0);
    }
    let process = call.thread.process;
    ApiReturn::Value(gdi(call).create_memory_dc(process))
}

/// A DC of the whole screen (CreateDC / CreateIC of "DISPLAY").
fn display_dc(call: &mut ApiCall<'_>, driver: u32, device: u32, wide: bool) -> ApiReturn {
    let name = |call: &ApiCall<'_>, a: u32| -> String {
        if a == 0 {
            String::new()
        } else {
            call.read_text(a, 260, wide).unwrap_or_default()
        }
    };
    let (drv, dev) = (name(call, driver), name(call, device));
    let display =
        |s: &str| s.eq_ignore_ascii_case("DISPLAY") || s.eq_ignore_ascii_case("\\\\.\\DISPLAY1");
    if !display(&drv) && !display(&dev) {
        // Printers and other drivers are not there.
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    let process = call.thread.process;
    let w = wm(call);
    let bounds = w.screen.bounds();
    ApiReturn::Value(w.gdi.create_display_dc(process, 0, (0, 0), bounds))
}

/// HDC CreateDCA(LPCSTR lpszDriver, LPCSTR lpszDevice, LPCSTR lpszOutput, const DEVMODEA *):
/// the display's DC for "DISPLAY".
#[export]
fn CreateDCA(
    call: &mut ApiCall<'_>,
    lpszDriver: u32,
    lpszDevice: u32,
    lpszOutput: u32,
    lpInitData: u32,
) -> ApiReturn {
    let _ = (lpszOutput, lpInitData);
    display_dc(call, lpszDriver, lpszDevice, false)
}

/// HDC CreateDCW(LPCWSTR lpszDriver, LPCWSTR lpszDevice, LPCWSTR lpszOutput, const DEVMODEW *).
#[export]
fn CreateDCW(
    call: &mut ApiCall<'_>,
    lpszDriver: u32,
    lpszDevice: u32,
    lpszOutput: u32,
    lpInitData: u32,
) -> ApiReturn {
    let _ = (lpszOutput, lpInitData);
    display_dc(call, lpszDriver, lpszDevice, true)
}

/// HDC CreateICA(...): an information context of the display (a DC here).
#[export]
fn CreateICA(
    call: &mut ApiCall<'_>,
    lpszDriver: u32,
    lpszDevice: u32,
    lpszOutput: u32,
    lpInitData: u32,
) -> ApiReturn {
    let _ = (lpszOutput, lpInitData);
    display_dc(call, lpszDriver, lpszDevice, false)
}

/// HDC CreateICW(...).
#[export]
fn CreateICW(
    call: &mut ApiCall<'_>,
    lpszDriver: u32,
    lpszDevice: u32,
    lpszOutput: u32,
    lpInitData: u32,
) -> ApiReturn {
    let _ = (lpszOutput, lpInitData);
    display_dc(call, lpszDriver, lpszDevice, true)
}

/// BOOL DeleteDC(HDC hdc).
#[export]
fn DeleteDC(call: &mut ApiCall<'_>, hdc: u32) -> ApiReturn {
    if gdi(call).delete_dc(hdc) {
        ApiReturn::Value(1)
    } else {
        bad_handle(call, 0)
    }
}

/// int SaveDC(HDC hdc): the new save level, 0 for a bad DC.
#[export]
fn SaveDC(call: &mut ApiCall<'_>, hdc: u32) -> ApiReturn {
    match gdi(call).save_dc(hdc) {
        Some(n) => ApiReturn::Value(n),
        None => bad_handle(call, 0),
    }
}

/// BOOL RestoreDC(HDC hdc, int nSavedDC).
#[export]
fn RestoreDC(call: &mut ApiCall<'_>, hdc: u32, nSavedDC: i32) -> ApiReturn {
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, 0);
    }
    ApiReturn::Value(u32::from(gdi(call).restore_dc(hdc, nSavedDC)))
}

/// The screen's GetDeviceCaps answer for `index` (what NT 4.0's display driver reports
/// for a true-colour display of the screen surface's size at 96 dpi).
pub fn device_caps(width: i32, height: i32, index: i32) -> i32 {
    match index {
        0 => 0x400,                       // DRIVERVERSION
        2 => 1,                           // TECHNOLOGY: DT_RASDISPLAY
        4 => gdi::HORZSIZE_MM,            // HORZSIZE
        6 => gdi::VERTSIZE_MM,            // VERTSIZE
        8 => width,                       // HORZRES
        10 => height,                     // VERTRES
        12 => i32::from(gdi::SCREEN_BPP), // BITSPIXEL
        14 => 1,                          // PLANES
        16 | 18 | 24 => -1,               // NUMBRUSHES, NUMPENS, NUMCOLORS (more than 256)
        20 | 22 => 0,                     // NUMMARKERS, NUMFONTS
        26 => 0,                          // PDEVICESIZE
        28 => 0x1FF,                      // CURVECAPS
        30 => 0xFE,                       // LINECAPS
        32 => 0xFF,                       // POLYGONALCAPS
        34 => 0x79F7,                     // TEXTCAPS
        36 => 1,                          // CLIPCAPS: CP_RECTANGLE
        38 => 0x3E99,                     // RASTERCAPS (no RC_PALETTE: not a palette device)
        40 | 42 => 36,                    // ASPECTX, ASPECTY
        44 => 51,                         // ASPECTXY
        88 | 90 => 96,                    // LOGPIXELSX, LOGPIXELSY
        104 | 106 => 0,                   // SIZEPALETTE, NUMRESERVED
        108 => 24,                        // COLORRES
        116 => 1,                         // VREFRESH: the hardware's default
        117 => height,                    // DESKTOPVERTRES
        118 => width,                     // DESKTOPHORZRES
        _ => 0,
    }
}

/// int GetDeviceCaps(HDC hdc, int nIndex): the display's capabilities (every DC here is
/// of the display or compatible with it).
#[export]
fn GetDeviceCaps(call: &mut ApiCall<'_>, hdc: u32, nIndex: i32) -> ApiReturn {
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, 0);
    }
    let w = wm(call);
    let (width, height) = (w.screen.width() as i32, w.screen.height() as i32);
    ApiReturn::Value(device_caps(width, height, nIndex) as u32)
}

/// COLORREF SetTextColor(HDC hdc, COLORREF crColor): the old colour, CLR_INVALID for a bad DC.
#[export]
fn SetTextColor(call: &mut ApiCall<'_>, hdc: u32, crColor: u32) -> ApiReturn {
    set_field(call, hdc, gdi::CLR_INVALID, |s| {
        std::mem::replace(&mut s.text_colour, crColor)
    })
}

/// COLORREF GetTextColor(HDC hdc).
#[export]
fn GetTextColor(call: &mut ApiCall<'_>, hdc: u32) -> ApiReturn {
    set_field(call, hdc, gdi::CLR_INVALID, |s| s.text_colour)
}

/// COLORREF SetBkColor(HDC hdc, COLORREF crColor).
#[export]
fn SetBkColor(call: &mut ApiCall<'_>, hdc: u32, crColor: u32) -> ApiReturn {
    set_field(call, hdc, gdi::CLR_INVALID, |s| {
        std::mem::replace(&mut s.bk_colour, crColor)
    })
}

/// COLORREF GetBkColor(HDC hdc).
#[export]
fn GetBkColor(call: &mut ApiCall<'_>, hdc: u32) -> ApiReturn {
    set_field(call, hdc, gdi::CLR_INVALID, |s| s.bk_colour)
}

/// Sets a mode field that takes `valid` values: 0 with ERROR_INVALID_PARAMETER otherwise.
fn set_mode(
    call: &mut ApiCall<'_>,
    hdc: u32,
    value: u32,
    valid: std::ops::RangeInclusive<u32>,
    field: fn(&mut DcState) -> &mut u32,
) -> ApiReturn {
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, 0);
    }
    if !valid.contains(&value) {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    set_field(call, hdc, 0, |s| std::mem::replace(field(s), value))
}

/// int SetBkMode(HDC hdc, int mode): TRANSPARENT or OPAQUE; the old mode.
#[export]
fn SetBkMode(call: &mut ApiCall<'_>, hdc: u32, mode: u32) -> ApiReturn {
    set_mode(call, hdc, mode, 1..=2, |s| &mut s.bk_mode)
}

/// int GetBkMode(HDC hdc).
#[export]
fn GetBkMode(call: &mut ApiCall<'_>, hdc: u32) -> ApiReturn {
    set_field(call, hdc, 0, |s| s.bk_mode)
}

/// UINT SetTextAlign(HDC hdc, UINT align): the old alignment, GDI_ERROR for a bad DC.
#[export]
fn SetTextAlign(call: &mut ApiCall<'_>, hdc: u32, align: u32) -> ApiReturn {
    set_field(call, hdc, u32::MAX, |s| {
        std::mem::replace(&mut s.text_align, align)
    })
}

/// UINT GetTextAlign(HDC hdc).
#[export]
fn GetTextAlign(call: &mut ApiCall<'_>, hdc: u32) -> ApiReturn {
    set_field(call, hdc, u32::MAX, |s| s.text_align)
}

/// int SetROP2(HDC hdc, int rop2): R2_BLACK..R2_WHITE; the old one.
#[export]
fn SetROP2(call: &mut ApiCall<'_>, hdc: u32, rop2: u32) -> ApiReturn {
    set_mode(call, hdc, rop2, 1..=16, |s| &mut s.rop2)
}

/// int GetROP2(HDC hdc).
#[export]
fn GetROP2(call: &mut ApiCall<'_>, hdc: u32) -> ApiReturn {
    set_field(call, hdc, 0, |s| s.rop2)
}

/// int SetPolyFillMode(HDC hdc, int mode): ALTERNATE or WINDING.
#[export]
fn SetPolyFillMode(call: &mut ApiCall<'_>, hdc: u32, mode: u32) -> ApiReturn {
    set_mode(call, hdc, mode, 1..=2, |s| &mut s.fill_mode)
}

/// int GetPolyFillMode(HDC hdc).
#[export]
fn GetPolyFillMode(call: &mut ApiCall<'_>, hdc: u32) -> ApiReturn {
    set_field(call, hdc, 0, |s| s.fill_mode)
}

/// int SetStretchBltMode(HDC hdc, int mode): BLACKONWHITE..HALFTONE.
#[export]
fn SetStretchBltMode(call: &mut ApiCall<'_>, hdc: u32, mode: u32) -> ApiReturn {
    set_mode(call, hdc, mode, 1..=4, |s| &mut s.stretch_mode)
}

/// int GetStretchBltMode(HDC hdc).
#[export]
fn GetStretchBltMode(call: &mut ApiCall<'_>, hdc: u32) -> ApiReturn {
    set_field(call, hdc, 0, |s| s.stretch_mode)
}

/// int SetTextCharacterExtra(HDC hdc, int extra): the old value (0x80000000 for a bad DC).
#[export]
fn SetTextCharacterExtra(call: &mut ApiCall<'_>, hdc: u32, extra: i32) -> ApiReturn {
    set_field(call, hdc, 0x8000_0000, |s| {
        std::mem::replace(&mut s.char_extra, extra) as u32
    })
}

/// int GetTextCharacterExtra(HDC hdc).
#[export]
fn GetTextCharacterExtra(call: &mut ApiCall<'_>, hdc: u32) -> ApiReturn {
    set_field(call, hdc, 0x8000_0000, |s| s.char_extra as u32)
}

/// DWORD SetMapperFlags(HDC hdc, DWORD flags): the old flags, GDI_ERROR for a bad DC.
#[export]
fn SetMapperFlags(call: &mut ApiCall<'_>, hdc: u32, flags: u32) -> ApiReturn {
    set_field(call, hdc, u32::MAX, |s| {
        std::mem::replace(&mut s.mapper_flags, flags)
    })
}

/// int SetArcDirection(HDC hdc, int dir): AD_COUNTERCLOCKWISE or AD_CLOCKWISE.
#[export]
fn SetArcDirection(call: &mut ApiCall<'_>, hdc: u32, dir: u32) -> ApiReturn {
    set_mode(call, hdc, dir, 1..=2, |s| &mut s.arc_direction)
}

/// int GetArcDirection(HDC hdc).
#[export]
fn GetArcDirection(call: &mut ApiCall<'_>, hdc: u32) -> ApiReturn {
    set_field(call, hdc, 0, |s| s.arc_direction)
}

/// int SetMapMode(HDC hdc, int mode): the old mode; the fixed modes set their extents.
#[export]
fn SetMapMode(call: &mut ApiCall<'_>, hdc: u32, mode: u32) -> ApiReturn {
    if gdi(call).dc(hdc).is_none() {
        return bad_handle(call, 0);
    }
    let w = wm(call);
    let screen = (w.screen.width() as i32, w.screen.height() as i32);
    match w.gdi.set_map_mode(hdc, mode, screen) {
        Some(old) => ApiReturn::Value(old),
        None => call.fail_win32(Win32Error::INVALID_PARAMETER, 0),
    }
}

/// int GetMapMode(HDC hdc).
#[export]
fn GetMapMode(call: &mut ApiCall<'_>, hdc: u32) -> ApiReturn {
    set_field(call, hdc, 0, |s| s.map_mode)
}

/// int SetGraphicsMode(HDC hdc, int mode): GM_COMPATIBLE or GM_ADVANCED; the old mode.
#[export]
fn SetGraphicsMode(call: &mut ApiCall<'_>, hdc: u32, mode: u32) -> ApiReturn {
    set_mode(call, hdc, mode, GM_COMPATIBLE..=GM_ADVANCED, |s| {
        &mut s.graphics_mode
    })
}

/// int GetGraphicsMode(HDC hdc).
#[export]
fn GetGraphicsMode(call: &mut ApiCall<'_>, hdc: u32) -> ApiReturn {
    set_field(call, hdc, 0, |s| s.graphics_mode)
}

/// Sets an origin or extent pair, writing the old one to `old` (when not NULL).
fn set_pair(
    call: &mut ApiCall<'_>,
    hdc: u32,
    old: u32,
    f: impl FnOnce(&mut DcState) -> Option<(i32, i32)>,
) -> ApiReturn {
    let Some(s) = state(call, hdc) else {
        return bad_handle(call, 0);
    };
    let Some(prev) = f(s) else {
        return ApiReturn::Value(0);
    };
    gdi(call).fix_isotropic(hdc);
    if !write_pair(call, old, prev) {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    ApiReturn::Value(1)
}

fn scalable(s: &DcState) -> bool {
    s.map_mode == MM_ISOTROPIC || s.map_mode == MM_ANISOTROPIC
}

/// BOOL SetWindowOrgEx(HDC hdc, int x, int y, LPPOINT lppt).
#[export]
fn SetWindowOrgEx(call: &mut ApiCall<'_>, hdc: u32, x: i32, y: i32, lppt: u32) -> ApiReturn {
    set_pair(call, hdc, lppt, |s| {
        Some(std::mem::replace(&mut s.window_org, (x, y)))
    })
}

/// BOOL GetWindowOrgEx(HDC hdc, LPPOINT lppt).
#[export]
fn GetWindowOrgEx(call: &mut ApiCall<'_>, hdc: u32, lppt: u32) -> ApiReturn {
    set_pair(call, hdc, lppt, |s| Some(s.window_org))
}

/// BOOL SetViewportOrgEx(HDC hdc, int x, int y, LPPOINT lppt).
#[export]
fn SetViewportOrgEx(call: &mut ApiCall<'_>, hdc: u32, x: i32, y: i32, lppt: u32) -> ApiReturn {
    set_pair(call, hdc, lppt, |s| {
        Some(std::mem::replace(&mut s.viewport_org, (x, y)))
    })
}

/// BOOL GetViewportOrgEx(HDC hdc, LPPOINT lppt).
#[export]
fn GetViewportOrgEx(call: &mut ApiCall<'_>, hdc: u32, lppt: u32) -> ApiReturn {
    set_pair(call, hdc, lppt, |s| Some(s.viewport_org))
}

/// BOOL OffsetWindowOrgEx(HDC hdc, int dx, int dy, LPPOINT lppt).
#[export]
fn OffsetWindowOrgEx(call: &mut ApiCall<'_>, hdc: u32, dx: i32, dy: i32, lppt: u32) -> ApiReturn {
    set_pair(call, hdc, lppt, |s| {
        let o = s.window_org;
        s.window_org = (o.0.wrapping_add(dx), o.1.wrapping_add(dy));
        Some(o)
    })
}

/// BOOL OffsetViewportOrgEx(HDC hdc, int dx, int dy, LPPOINT lppt).
#[export]
fn OffsetViewportOrgEx(call: &mut ApiCall<'_>, hdc: u32, dx: i32, dy: i32, lppt: u32) -> ApiReturn {
    set_pair(call, hdc, lppt, |s| {
        let o = s.viewport_org;
        s.viewport_org = (o.0.wrapping_add(dx), o.1.wrapping_add(dy));
        Some(o)
    })
}

/// BOOL SetWindowExtEx(HDC hdc, int x, int y, LPSIZE lpsz): only MM_ISOTROPIC and
/// MM_ANISOTROPIC change; a zero extent fails.
#[export]
fn SetWindowExtEx(call: &mut ApiCall<'_>, hdc: u32, x: i32, y: i32, lpsz: u32) -> ApiReturn {
    set_pair(call, hdc, lpsz, |s| {
        let old = s.window_ext;
        if scalable(s) {
            if x == 0 || y == 0 {
                return None;
            }
            s.window_ext = (x, y);
        }
        Some(old)
    })
}

/// BOOL GetWindowExtEx(HDC hdc, LPSIZE lpsz).
#[export]
fn GetWindowExtEx(call: &mut ApiCall<'_>, hdc: u32, lpsz: u32) -> ApiReturn {
    set_pair(call, hdc, lpsz, |s| Some(s.window_ext))
}

/// BOOL SetViewportExtEx(HDC hdc, int x, int y, LPSIZE lpsz).
#[export]
fn SetViewportExtEx(call: &mut ApiCall<'_>, hdc: u32, x: i32, y: i32, lpsz: u32) -> ApiReturn {
    set_pair(call, hdc, lpsz, |s| {
        let old = s.viewport_ext;
        if scalable(s) {
            if x == 0 || y == 0 {
                return None;
            }
            s.viewport_ext = (x, y);
        }
        Some(old)
    })
}

/// BOOL GetViewportExtEx(HDC hdc, LPSIZE lpsz).
#[export]
fn GetViewportExtEx(call: &mut ApiCall<'_>, hdc: u32, lpsz: u32) -> ApiReturn {
    set_pair(call, hdc, lpsz, |s| Some(s.viewport_ext))
}

fn scale(v: (i32, i32), xn: i32, xd: i32, yn: i32, yd: i32) -> Option<(i32, i32)> {
    if xd == 0 || yd == 0 {
        return None;
    }
    let x = (i64::from(v.0) * i64::from(xn) / i64::from(xd)) as i32;
    let y = (i64::from(v.1) * i64::from(yn) / i64::from(yd)) as i32;
    (x != 0 && y != 0).then_some((x, y))
}

/// BOOL ScaleWindowExtEx(HDC hdc, int xn, int xd, int yn, int yd, LPSIZE lpsz).
#[export]
fn ScaleWindowExtEx(
    call: &mut ApiCall<'_>,
    hdc: u32,
    xn: i32,
    xd: i32,
    yn: i32,
    yd: i32,
    lpsz: u32,
) -> ApiReturn {
    set_pair(call, hdc, lpsz, |s| {
        let old = s.window_ext;
        if scalable(s) {
            s.window_ext = scale(old, xn, xd, yn, yd)?;
        }
        Some(old)
    })
}

/// BOOL ScaleViewportExtEx(HDC hdc, int xn, int xd, int yn, int yd, LPSIZE lpsz).
#[export]
fn ScaleViewportExtEx(
    call: &mut ApiCall<'_>,
    hdc: u32,
    xn: i32,
    xd: i32,
    yn: i32,
    yd: i32,
    lpsz: u32,
) -> ApiReturn {
    set_pair(call, hdc, lpsz, |s| {
        let old = s.viewport_ext;
        if scalable(s) {
            s.viewport_ext = scale(old, xn, xd, yn, yd)?;
        }
        Some(old)
    })
}

fn read_xform(call: &ApiCall<'_>, address: u32) -> Option<[f32; 6]> {
    let b = call.read_bytes(address, 24).ok()?;
    let mut x = [0f32; 6];
    for (i, v) in x.iter_mut().enumerate() {
        *v = f32::from_le_bytes(b[4 * i..4 * i + 4].try_into().ok()?);
    }
    Some(x)
}

fn write_xform(call: &mut ApiCall<'_>, address: u32, x: &[f32; 6]) -> bool {
    let b: Vec<u8> = x.iter().flat_map(|v| v.to_le_bytes()).collect();
    call.write_bytes(address, &b).is_ok()
}

/// `a` then `b`.
fn combine(a: &[f32; 6], b: &[f32; 6]) -> [f32; 6] {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn invertible(x: &[f32; 6]) -> bool {
    (x[0] * x[3] - x[1] * x[2]) != 0.0
}

/// BOOL SetWorldTransform(HDC hdc, const XFORM *lpxf): GM_ADVANCED only; a transform with
/// no inverse fails.
#[export]
fn SetWorldTransform(call: &mut ApiCall<'_>, hdc: u32, lpxf: Ptr) -> ApiReturn {
    let Some(mode) = gdi(call).dc(hdc).map(|d| d.state.graphics_mode) else {
        return bad_handle(call, 0);
    };
    let Some(x) = read_xform(call, lpxf.0) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    if mode != GM_ADVANCED || !invertible(&x) {
        return ApiReturn::Value(0);
    }
    set_field(call, hdc, 0, |s| {
        s.world = x;
        1
    })
}

/// BOOL GetWorldTransform(HDC hdc, LPXFORM lpxf).
#[export]
fn GetWorldTransform(call: &mut ApiCall<'_>, hdc: u32, lpxf: Ptr) -> ApiReturn {
    let Some(x) = gdi(call).dc(hdc).map(|d| d.state.world) else {
        return bad_handle(call, 0);
    };
    if !write_xform(call, lpxf.0, &x) {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    ApiReturn::Value(1)
}

/// BOOL ModifyWorldTransform(HDC hdc, const XFORM *lpxf, DWORD mode): MWT_IDENTITY,
/// MWT_LEFTMULTIPLY (lpxf first) or MWT_RIGHTMULTIPLY (lpxf last); GM_ADVANCED only.
#[export]
fn ModifyWorldTransform(call: &mut ApiCall<'_>, hdc: u32, lpxf: u32, mode: u32) -> ApiReturn {
    let Some((gm, cur)) = gdi(call)
        .dc(hdc)
        .map(|d| (d.state.graphics_mode, d.state.world))
    else {
        return bad_handle(call, 0);
    };
    if gm != GM_ADVANCED {
        return ApiReturn::Value(0);
    }
    let new = match mode {
        1 => [1.0, 0.0, 0.0, 1.0, 0.0, 0.0],
        2 | 3 => {
            let Some(x) = read_xform(call, lpxf) else {
                return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
            };
            if mode == 2 {
                combine(&x, &cur)
            } else {
                combine(&cur, &x)
            }
        }
        _ => return call.fail_win32(Win32Error::INVALID_PARAMETER, 0),
    };
    if !invertible(&new) {
        return ApiReturn::Value(0);
    }
    set_field(call, hdc, 0, |s| {
        s.world = new;
        1
    })
}

/// BOOL CombineTransform(LPXFORM out, const XFORM *a, const XFORM *b): a then b.
#[export]
fn CombineTransform(call: &mut ApiCall<'_>, out: Ptr, a: Ptr, b: Ptr) -> ApiReturn {
    let (Some(x), Some(y)) = (read_xform(call, a.0), read_xform(call, b.0)) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    if !write_xform(call, out.0, &combine(&x, &y)) {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    ApiReturn::Value(1)
}

fn map_points(
    call: &mut ApiCall<'_>,
    hdc: u32,
    pts: u32,
    count: i32,
    to_device: bool,
) -> ApiReturn {
    let Some(s) = gdi(call).dc(hdc).map(|d| d.state.clone()) else {
        return bad_handle(call, 0);
    };
    if count < 0 {
        return ApiReturn::Value(0);
    }
    let Some(points) = read_points(call, pts, count as u32) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let mut out = Vec::with_capacity(points.len());
    for (x, y) in points {
        if to_device {
            out.push(Gdi::to_device(&s, x, y));
        } else {
            match Gdi::to_logical(&s, x, y) {
                Some(p) => out.push(p),
                None => return ApiReturn::Value(0),
            }
        }
    }
    if !write_points(call, pts, &out) {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    ApiReturn::Value(1)
}

/// BOOL LPtoDP(HDC hdc, LPPOINT lppt, int c).
#[export]
fn LPtoDP(call: &mut ApiCall<'_>, hdc: u32, lppt: u32, c: i32) -> ApiReturn {
    map_points(call, hdc, lppt, c, true)
}

/// BOOL DPtoLP(HDC hdc, LPPOINT lppt, int c).
#[export]
fn DPtoLP(call: &mut ApiCall<'_>, hdc: u32, lppt: u32, c: i32) -> ApiReturn {
    map_points(call, hdc, lppt, c, false)
}

/// BOOL GetCurrentPositionEx(HDC hdc, LPPOINT lppt).
#[export]
fn GetCurrentPositionEx(call: &mut ApiCall<'_>, hdc: u32, lppt: u32) -> ApiReturn {
    set_pair(call, hdc, lppt, |s| Some(s.pos))
}

/// BOOL SetBrushOrgEx(HDC hdc, int x, int y, LPPOINT lppt).
#[export]
fn SetBrushOrgEx(call: &mut ApiCall<'_>, hdc: u32, x: i32, y: i32, lppt: u32) -> ApiReturn {
    set_pair(call, hdc, lppt, |s| {
        Some(std::mem::replace(&mut s.brush_org, (x, y)))
    })
}

/// BOOL GetBrushOrgEx(HDC hdc, LPPOINT lppt).
#[export]
fn GetBrushOrgEx(call: &mut ApiCall<'_>, hdc: u32, lppt: u32) -> ApiReturn {
    set_pair(call, hdc, lppt, |s| Some(s.brush_org))
}

/// BOOL GetDCOrgEx(HDC hdc, LPPOINT lppt): where the DC's device (0, 0) is on the screen.
#[export]
fn GetDCOrgEx(call: &mut ApiCall<'_>, hdc: u32, lppt: u32) -> ApiReturn {
    let Some(o) = gdi(call).dc(hdc).map(|d| d.origin) else {
        return bad_handle(call, 0);
    };
    if !write_pair(call, lppt, o) || lppt == 0 {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    ApiReturn::Value(1)
}

/// HGDIOBJ GetCurrentObject(HDC hdc, UINT type): the selected pen, brush, palette, font or
/// bitmap.
#[export]
fn GetCurrentObject(call: &mut ApiCall<'_>, hdc: u32, r#type: u32) -> ApiReturn {
    let Some(s) = gdi(call).dc(hdc).map(|d| d.state.clone()) else {
        // No last error, as NT.
        return ApiReturn::Value(0);
    };
    ApiReturn::Value(match r#type {
        gdi::OBJ_PEN => s.pen,
        gdi::OBJ_BRUSH => s.brush,
        gdi::OBJ_PAL => s.palette,
        gdi::OBJ_FONT => s.font,
        gdi::OBJ_BITMAP => s.bitmap,
        _ => 0,
    })
}

/// BOOL GdiFlush(void): GDI here draws at once (and writes DIB sections back after each
/// call), so there is nothing batched.
#[export]
fn GdiFlush(call: &mut ApiCall<'_>) -> bool {
    let _ = call;
    true
}

/// DWORD GdiSetBatchLimit(DWORD limit): the old limit (GDI here does not batch: 1... as
/// NT's default of 20 is reported).
#[export]
fn GdiSetBatchLimit(call: &mut ApiCall<'_>, limit: u32) -> u32 {
    let _ = (call, limit);
    20
}

/// DWORD GdiGetBatchLimit(void).
#[export]
fn GdiGetBatchLimit(call: &mut ApiCall<'_>) -> u32 {
    let _ = call;
    20
}
