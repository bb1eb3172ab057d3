//! GDI32.dll: NT 4.0's graphics engine's exports over crates/win32k's [`win32k::gdi`]: device
//! contexts and their state ([`dc`]), objects ([`objects`]), drawing ([`draw`]), bitmaps and
//! DIBs ([`bitmap`]), regions and clipping ([`region`]) and text ([`text`]: TextOut,
//! ExtTextOut, extents and metrics over the font engine). Every catalogued function not here binds to a thunk
//! that stops the process naming it when called.
//!
//! A DIB section's pixels live in the process's memory, where the program reads and writes
//! them; GDI draws on a copy: [`draw`] brings the copy up to date from memory before an
//! operation and writes the destination back after it (what GdiFlush makes visible on NT).

pub mod bitmap;
pub mod dc;
pub mod draw;
pub mod objects;
pub mod region;
pub mod text;

use nt_status::Win32Error;
use win32::{ApiCall, ApiReturn, BuiltinDll, DllHooks, exports};
use win32k::{Gdi, Rect, Surface, WindowManager};

/// GDI32.dll.
pub static DLL: BuiltinDll = BuiltinDll {
    name: "GDI32.dll",
    exports: exports![
        text::TextOutA,
        text::TextOutW,
        text::ExtTextOutA,
        text::ExtTextOutW,
        text::GetTextExtentPoint32A,
        text::GetTextExtentPoint32W,
        text::GetTextExtentPointA,
        text::GetTextExtentPointW,
        text::GetTextMetricsA,
        text::GetTextMetricsW,
        text::GetCharWidthA,
        text::GetCharWidthW,
        text::GetCharWidth32A,
        text::GetCharWidth32W,
        text::GetTextFaceA,
        text::GetTextFaceW,
        dc::CreateCompatibleDC,
        dc::CreateDCA,
        dc::CreateDCW,
        dc::CreateICA,
        dc::CreateICW,
        dc::DeleteDC,
        dc::SaveDC,
        dc::RestoreDC,
        dc::GetDeviceCaps,
        dc::SetTextColor,
        dc::GetTextColor,
        dc::SetBkColor,
        dc::GetBkColor,
        dc::SetBkMode,
        dc::GetBkMode,
        dc::SetTextAlign,
        dc::GetTextAlign,
        dc::SetROP2,
        dc::GetROP2,
        dc::SetPolyFillMode,
        dc::GetPolyFillMode,
        dc::SetStretchBltMode,
        dc::GetStretchBltMode,
        dc::SetTextCharacterExtra,
        dc::GetTextCharacterExtra,
        dc::SetMapperFlags,
        dc::SetArcDirection,
        dc::GetArcDirection,
        dc::SetMapMode,
        dc::GetMapMode,
        dc::SetGraphicsMode,
        dc::GetGraphicsMode,
        dc::SetWindowOrgEx,
        dc::GetWindowOrgEx,
        dc::SetWindowExtEx,
        dc::GetWindowExtEx,
        dc::SetViewportOrgEx,
        dc::GetViewportOrgEx,
        dc::SetViewportExtEx,
        dc::GetViewportExtEx,
        dc::OffsetWindowOrgEx,
        dc::OffsetViewportOrgEx,
        dc::ScaleWindowExtEx,
        dc::ScaleViewportExtEx,
        dc::SetWorldTransform,
        dc::GetWorldTransform,
        dc::ModifyWorldTransform,
        dc::CombineTransform,
        dc::LPtoDP,
        dc::DPtoLP,
        dc::GetCurrentPositionEx,
        dc::SetBrushOrgEx,
        dc::GetBrushOrgEx,
        dc::GetDCOrgEx,
        dc::GetCurrentObject,
        dc::GdiFlush,
        dc::GdiSetBatchLimit,
        dc::GdiGetBatchLimit,
        objects::GetStockObject,
        objects::SelectObject,
        objects::DeleteObject,
        objects::GetObjectType,
        objects::GetObjectA,
        objects::GetObjectW,
        objects::CreatePen,
        objects::CreatePenIndirect,
        objects::ExtCreatePen,
        objects::CreateSolidBrush,
        objects::CreateHatchBrush,
        objects::CreateBrushIndirect,
        objects::CreatePatternBrush,
        objects::CreateDIBPatternBrushPt,
        objects::CreateFontA,
        objects::CreateFontW,
        objects::CreateFontIndirectA,
        objects::CreateFontIndirectW,
        objects::CreatePalette,
        objects::SelectPalette,
        objects::RealizePalette,
        objects::GetPaletteEntries,
        objects::SetPaletteEntries,
        objects::GetSystemPaletteEntries,
        objects::GetNearestColor,
        objects::GetNearestPaletteIndex,
        objects::UnrealizeObject,
        draw::MoveToEx,
        draw::LineTo,
        draw::Polyline,
        draw::PolylineTo,
        draw::Polygon,
        draw::PolyPolygon,
        draw::PolyPolyline,
        draw::Rectangle,
        draw::Ellipse,
        draw::RoundRect,
        draw::SetPixel,
        draw::SetPixelV,
        draw::GetPixel,
        draw::PatBlt,
        draw::BitBlt,
        draw::StretchBlt,
        draw::MaskBlt,
        draw::Arc,
        draw::Pie,
        draw::Chord,
        bitmap::CreateBitmap,
        bitmap::CreateBitmapIndirect,
        bitmap::CreateCompatibleBitmap,
        bitmap::CreateDiscardableBitmap,
        bitmap::CreateDIBSection,
        bitmap::CreateDIBitmap,
        bitmap::SetDIBits,
        bitmap::GetDIBits,
        bitmap::StretchDIBits,
        bitmap::SetDIBitsToDevice,
        bitmap::GetBitmapBits,
        bitmap::SetBitmapBits,
        bitmap::GetBitmapDimensionEx,
        bitmap::SetBitmapDimensionEx,
        bitmap::SetDIBColorTable,
        bitmap::GetDIBColorTable,
        region::CreateRectRgn,
        region::CreateRectRgnIndirect,
        region::SetRectRgn,
        region::CombineRgn,
        region::OffsetRgn,
        region::GetRgnBox,
        region::PtInRegion,
        region::RectInRegion,
        region::EqualRgn,
        region::FillRgn,
        region::PaintRgn,
        region::InvertRgn,
        region::FrameRgn,
        region::SelectClipRgn,
        region::ExtSelectClipRgn,
        region::IntersectClipRect,
        region::ExcludeClipRect,
        region::OffsetClipRgn,
        region::GetClipBox,
        region::GetClipRgn,
        region::PtVisible,
        region::RectVisible,
        region::CreateEllipticRgn,
        region::CreateEllipticRgnIndirect,
        region::CreateRoundRectRgn,
        region::CreatePolygonRgn,
        region::GetRegionData,
    ],
    catalogue: include_str!("../nt4-exports.txt"),
    later_catalogue: "",
    hooks: DllHooks {
        data_export: None,
        internal_thunk: None,
        process_attach: None,
        process_start: None,
    },
};

/// The machine's window manager (which holds GDI's objects and the screen).
pub fn wm<'a>(call: &'a mut ApiCall<'_>) -> &'a mut WindowManager {
    call.state.get::<WindowManager>()
}

/// The machine's GDI.
pub fn gdi<'a>(call: &'a mut ApiCall<'_>) -> &'a mut Gdi {
    &mut wm(call).gdi
}

/// Fails a call on a bad handle: ERROR_INVALID_HANDLE and `value`.
pub fn bad_handle(call: &mut ApiCall<'_>, value: u32) -> ApiReturn {
    call.fail_win32(Win32Error::INVALID_HANDLE, value)
}

/// Brings the DIB section a DC draws on (if any) up to date from the process's memory.
pub fn pull_dib(call: &mut ApiCall<'_>, hdc: u32) {
    if let Some((bmp, _)) = gdi(call).dib_of(hdc) {
        pull_bitmap(call, bmp);
    }
}

/// Brings a DIB section's pixels up to date from the process's memory (other bitmaps: nothing).
pub fn pull_bitmap(call: &mut ApiCall<'_>, bmp: u32) {
    let Some(dib) = gdi(call).bitmap(bmp).and_then(|b| b.dib.clone()) else {
        return;
    };
    if let Ok(bytes) = call.read_bytes(dib.address, dib.format.size()) {
        let surface = dib.format.decode_section(&bytes);
        if let Some(b) = gdi(call).bitmap_mut(bmp) {
            b.surface = surface;
        }
    }
}

/// Writes the DIB section a DC draws on (if any) back to the process's memory.
pub fn push_dib(call: &mut ApiCall<'_>, hdc: u32) {
    if let Some((bmp, _)) = gdi(call).dib_of(hdc) {
        push_bitmap(call, bmp);
    }
}

/// Writes a DIB section's pixels back to the process's memory (other bitmaps: nothing).
pub fn push_bitmap(call: &mut ApiCall<'_>, bmp: u32) {
    let Some(dib) = gdi(call).bitmap(bmp).and_then(|b| b.dib.clone()) else {
        return;
    };
    let Some(bytes) = gdi(call)
        .bitmap(bmp)
        .map(|b| dib.format.encode_section(&b.surface))
    else {
        return;
    };
    let _ = call.write_bytes(dib.address, &bytes);
}

/// Runs a drawing operation on DC `hdc` reading the DCs `sources` too: their DIB sections
/// are brought in first and `hdc`'s written back after.
pub fn draw_with<R>(
    call: &mut ApiCall<'_>,
    hdc: u32,
    sources: &[u32],
    f: impl FnOnce(&mut Gdi, &mut Surface) -> R,
) -> R {
    pull_dib(call, hdc);
    for &s in sources {
        if s != hdc {
            pull_dib(call, s);
        }
    }
    let w = wm(call);
    let r = f(&mut w.gdi, &mut w.screen);
    push_dib(call, hdc);
    r
}

/// Runs an operation that only reads DC `hdc`'s pixels.
pub fn read_with<R>(
    call: &mut ApiCall<'_>,
    hdc: u32,
    f: impl FnOnce(&mut Gdi, &mut Surface) -> R,
) -> R {
    pull_dib(call, hdc);
    let w = wm(call);
    f(&mut w.gdi, &mut w.screen)
}

/// Reads `count` POINTs.
pub fn read_points(call: &ApiCall<'_>, address: u32, count: u32) -> Option<Vec<(i32, i32)>> {
    if count > 0x10_0000 {
        return None;
    }
    let b = call.read_bytes(address, count as usize * 8).ok()?;
    Some(
        b.chunks_exact(8)
            .map(|c| {
                (
                    i32::from_le_bytes([c[0], c[1], c[2], c[3]]),
                    i32::from_le_bytes([c[4], c[5], c[6], c[7]]),
                )
            })
            .collect(),
    )
}

/// Writes POINTs.
pub fn write_points(call: &mut ApiCall<'_>, address: u32, points: &[(i32, i32)]) -> bool {
    let b: Vec<u8> = points
        .iter()
        .flat_map(|&(x, y)| x.to_le_bytes().into_iter().chain(y.to_le_bytes()))
        .collect();
    call.write_bytes(address, &b).is_ok()
}

/// Writes a POINT or SIZE where the pointer is not NULL; false when it cannot be written.
pub fn write_pair(call: &mut ApiCall<'_>, address: u32, v: (i32, i32)) -> bool {
    address == 0 || write_points(call, address, &[v])
}

/// Reads a RECT.
pub fn read_rect(call: &ApiCall<'_>, address: u32) -> Option<Rect> {
    Rect::from_bytes(&call.read_bytes(address, 16).ok()?)
}
