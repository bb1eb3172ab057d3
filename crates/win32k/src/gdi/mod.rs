//! GDI, NT 4.0's graphics engine, without guest memory: the table of GDI objects (device
//! contexts, bitmaps, brushes, pens, fonts, regions, palettes) with NT's handles and stock
//! objects, the state of a device context (colours, modes, mapping, world transform, clip
//! region, selected objects, saved states), and drawing with it on the screen
//! ([`crate::WindowManager::screen`]) or a bitmap.
//!
//! Handles are NT's: the low word indexes the table, bits 16-22 the object's type
//! (`T_*`), bit 23 marks a stock object, the high byte counts the slot's reuse.
//!
//! Coordinates: a DC maps logical coordinates through its world transform (GM_ADVANCED) and
//! its window/viewport mapping to device coordinates; a display DC's device (0, 0) is its
//! `origin` on the screen, and it draws only inside `vis` (screen coordinates, set by USER)
//! and its clip region. A memory DC draws on its selected bitmap.
//!
//! Text is drawn by the font module; what it needs from a DC is [`Gdi::text_state`] and
//! [`Gdi::draw_on`].

pub mod dib;
pub mod raster;

use crate::geometry::Rect;
use crate::region::{self, Region};
use crate::surface::{Surface, colorref_from_pixel, intersect, pixel_from_colorref};
use dib::DibFormat;
use raster::{Canvas, Ink, R2_COPYPEN};

/// Handle type: a DC.
pub const T_DC: u32 = 0x01;
/// Handle type: a region.
pub const T_REGION: u32 = 0x04;
/// Handle type: a bitmap (and a DIB section).
pub const T_BITMAP: u32 = 0x05;
/// Handle type: a palette.
pub const T_PALETTE: u32 = 0x08;
/// Handle type: a font.
pub const T_FONT: u32 = 0x0A;
/// Handle type: a brush.
pub const T_BRUSH: u32 = 0x10;
/// Handle type: a pen.
pub const T_PEN: u32 = 0x30;
/// The stock bit of a handle.
pub const STOCK: u32 = 0x0080_0000;

/// OBJ_PEN (GetObjectType).
pub const OBJ_PEN: u32 = 1;
/// OBJ_BRUSH.
pub const OBJ_BRUSH: u32 = 2;
/// OBJ_DC.
pub const OBJ_DC: u32 = 3;
/// OBJ_PAL.
pub const OBJ_PAL: u32 = 5;
/// OBJ_FONT.
pub const OBJ_FONT: u32 = 6;
/// OBJ_BITMAP.
pub const OBJ_BITMAP: u32 = 7;
/// OBJ_REGION.
pub const OBJ_REGION: u32 = 8;
/// OBJ_MEMDC.
pub const OBJ_MEMDC: u32 = 10;

/// PS_SOLID .. PS_INSIDEFRAME: pen styles.
pub const PS_SOLID: u32 = 0;
/// PS_NULL.
pub const PS_NULL: u32 = 5;
/// PS_INSIDEFRAME.
pub const PS_INSIDEFRAME: u32 = 6;
/// BS_SOLID.
pub const BS_SOLID: u32 = 0;
/// BS_NULL (BS_HOLLOW).
pub const BS_NULL: u32 = 1;
/// BS_HATCHED.
pub const BS_HATCHED: u32 = 2;
/// BS_PATTERN.
pub const BS_PATTERN: u32 = 3;
/// BS_DIBPATTERN.
pub const BS_DIBPATTERN: u32 = 5;
/// TRANSPARENT background mode.
pub const TRANSPARENT: u32 = 1;
/// OPAQUE background mode.
pub const OPAQUE: u32 = 2;
/// ALTERNATE polygon fill mode.
pub const ALTERNATE: u32 = 1;
/// WINDING polygon fill mode.
pub const WINDING: u32 = 2;
/// MM_TEXT.
pub const MM_TEXT: u32 = 1;
/// MM_ISOTROPIC.
pub const MM_ISOTROPIC: u32 = 7;
/// MM_ANISOTROPIC.
pub const MM_ANISOTROPIC: u32 = 8;
/// GM_COMPATIBLE.
pub const GM_COMPATIBLE: u32 = 1;
/// GM_ADVANCED.
pub const GM_ADVANCED: u32 = 2;
/// CLR_INVALID.
pub const CLR_INVALID: u32 = 0xFFFF_FFFF;
/// HORZSIZE of the display in millimetres (NT 4.0's display drivers give 320 x 240).
pub const HORZSIZE_MM: i32 = 320;
/// VERTSIZE of the display in millimetres.
pub const VERTSIZE_MM: i32 = 240;
/// Bits per pixel of the screen: the screen surface holds 0x00RRGGBB words.
pub const SCREEN_BPP: u16 = 32;

/// A pen.
#[derive(Clone, Debug)]
pub struct Pen {
    /// PS_* style (with the PS_TYPE and end-cap bits of an extended pen).
    pub style: u32,
    /// Width in logical units (0: one pixel).
    pub width: i32,
    /// COLORREF.
    pub colour: u32,
}

/// A brush.
#[derive(Clone, Debug)]
pub struct Brush {
    /// BS_* style.
    pub style: u32,
    /// COLORREF (solid and hatched brushes).
    pub colour: u32,
    /// HS_* hatch, or the handle of a pattern brush's bitmap as given.
    pub hatch: u32,
    /// A pattern brush's pixels (a copy of its bitmap), and whether they are monochrome
    /// (drawn in the DC's text and background colours).
    pub pattern: Option<(Surface, bool)>,
}

/// The guest memory behind a DIB section.
#[derive(Clone, Debug)]
pub struct DibSection {
    /// The layout of its bits.
    pub format: DibFormat,
    /// Where its bits are in the process.
    pub address: u32,
    /// The file mapping given to CreateDIBSection (0 for none).
    pub section: u32,
    /// The offset given with it.
    pub offset: u32,
}

/// A bitmap: device-dependent (the screen's depth, or monochrome) or a DIB section.
#[derive(Clone, Debug)]
pub struct Bitmap {
    /// Its pixels.
    pub surface: Surface,
    /// Bits per pixel it reports.
    pub bpp: u16,
    /// A 1-bit device bitmap: pixels are 0 (black) or 0xFFFFFF (white), drawn to colour in
    /// the destination's text and background colours.
    pub mono: bool,
    /// The DIB section's memory, for a DIB section.
    pub dib: Option<DibSection>,
    /// The DC it is selected into (0: none).
    pub selected_in: u32,
    /// SetBitmapDimensionEx's size.
    pub dimension: (i32, i32),
}

/// A LOGFONT, in its Unicode form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogFont {
    /// lfHeight.
    pub height: i32,
    /// lfWidth.
    pub width: i32,
    /// lfEscapement.
    pub escapement: i32,
    /// lfOrientation.
    pub orientation: i32,
    /// lfWeight.
    pub weight: i32,
    /// lfItalic.
    pub italic: u8,
    /// lfUnderline.
    pub underline: u8,
    /// lfStrikeOut.
    pub strike_out: u8,
    /// lfCharSet.
    pub charset: u8,
    /// lfOutPrecision.
    pub out_precision: u8,
    /// lfClipPrecision.
    pub clip_precision: u8,
    /// lfQuality.
    pub quality: u8,
    /// lfPitchAndFamily.
    pub pitch_and_family: u8,
    /// lfFaceName (without its NUL; at most 31 characters).
    pub face: Vec<u16>,
}

impl LogFont {
    /// A LOGFONT of these numbers and face.
    #[allow(clippy::too_many_arguments)]
    pub fn new(height: i32, width: i32, weight: i32, charset: u8, pitch: u8, face: &str) -> Self {
        LogFont {
            height,
            width,
            weight,
            charset,
            pitch_and_family: pitch,
            face: face.encode_utf16().collect(),
            ..LogFont::default()
        }
    }
}

/// A palette: PALETTEENTRYs as (red, green, blue, flags).
#[derive(Clone, Debug)]
pub struct Palette {
    /// The entries.
    pub entries: Vec<[u8; 4]>,
}

/// What a DC draws on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DcKind {
    /// A memory DC: its selected bitmap.
    Memory,
    /// A display DC of a window (0: the whole screen, CreateDC("DISPLAY")).
    Display {
        /// The window (WindowFromDC).
        window: u32,
    },
}

/// The part of a DC that SaveDC saves.
#[derive(Clone, Debug)]
pub struct DcState {
    /// The selected pen.
    pub pen: u32,
    /// The selected brush.
    pub brush: u32,
    /// The selected font.
    pub font: u32,
    /// The selected palette.
    pub palette: u32,
    /// The selected bitmap (memory DCs).
    pub bitmap: u32,
    /// Text colour (COLORREF).
    pub text_colour: u32,
    /// Background colour (COLORREF).
    pub bk_colour: u32,
    /// TRANSPARENT or OPAQUE.
    pub bk_mode: u32,
    /// TA_* text alignment.
    pub text_align: u32,
    /// The ROP2 of lines and fills.
    pub rop2: u32,
    /// ALTERNATE or WINDING.
    pub fill_mode: u32,
    /// The StretchBlt mode.
    pub stretch_mode: u32,
    /// MM_* mapping mode.
    pub map_mode: u32,
    /// GM_COMPATIBLE or GM_ADVANCED.
    pub graphics_mode: u32,
    /// Window origin.
    pub window_org: (i32, i32),
    /// Window extent.
    pub window_ext: (i32, i32),
    /// Viewport origin.
    pub viewport_org: (i32, i32),
    /// Viewport extent.
    pub viewport_ext: (i32, i32),
    /// The world transform (eM11, eM12, eM21, eM22, eDx, eDy).
    pub world: [f32; 6],
    /// The current position (logical).
    pub pos: (i32, i32),
    /// The clip region, in device coordinates (None: no clipping beyond the DC's own).
    pub clip: Option<Region>,
    /// The brush origin.
    pub brush_org: (i32, i32),
    /// SetTextCharacterExtra's value.
    pub char_extra: i32,
    /// AD_COUNTERCLOCKWISE (1) or AD_CLOCKWISE (2).
    pub arc_direction: u32,
    /// SetMapperFlags' value.
    pub mapper_flags: u32,
}

/// A device context.
#[derive(Clone, Debug)]
pub struct Dc {
    /// What it draws on.
    pub kind: DcKind,
    /// Where its device (0, 0) is on the surface.
    pub origin: (i32, i32),
    /// Where on the surface it may draw (display DCs; memory DCs draw on all their bitmap).
    pub vis: Rect,
    /// The part of `vis` not covered by other windows (screen coordinates; None: all of it).
    pub vis_region: Option<Region>,
    /// The current state.
    pub state: DcState,
    /// States SaveDC saved, the last the newest.
    pub saved: Vec<DcState>,
    /// The process that made it.
    pub process: u32,
}

/// A GDI object.
#[derive(Clone, Debug)]
pub enum Object {
    /// A device context.
    Dc(Box<Dc>),
    /// A bitmap.
    Bitmap(Box<Bitmap>),
    /// A brush.
    Brush(Brush),
    /// A pen.
    Pen(Pen),
    /// A font.
    Font(LogFont),
    /// A region.
    Region(Region),
    /// A palette.
    Palette(Palette),
}

impl Object {
    fn type_code(&self) -> u32 {
        match self {
            Object::Dc(_) => T_DC,
            Object::Bitmap(_) => T_BITMAP,
            Object::Brush(_) => T_BRUSH,
            Object::Pen(_) => T_PEN,
            Object::Font(_) => T_FONT,
            Object::Region(_) => T_REGION,
            Object::Palette(_) => T_PALETTE,
        }
    }
}

struct Entry {
    uniq: u8,
    stock: bool,
    delete_pending: bool,
    object: Option<Object>,
}

/// GetStockObject's indexes and the handle of each (0 where there is none).
const STOCK_COUNT: usize = 18;
/// WHITE_BRUSH..
pub const WHITE_BRUSH: u32 = 0;
/// BLACK_BRUSH.
pub const BLACK_BRUSH: u32 = 4;
/// NULL_BRUSH.
pub const NULL_BRUSH: u32 = 5;
/// WHITE_PEN.
pub const WHITE_PEN: u32 = 6;
/// BLACK_PEN.
pub const BLACK_PEN: u32 = 7;
/// NULL_PEN.
pub const NULL_PEN: u32 = 8;
/// SYSTEM_FONT.
pub const SYSTEM_FONT: u32 = 13;
/// DEFAULT_PALETTE.
pub const DEFAULT_PALETTE: u32 = 15;

/// The 20 static colours of NT's default palette (PALETTEENTRY red, green, blue).
pub const DEFAULT_PALETTE_COLOURS: [[u8; 3]; 20] = [
    [0x00, 0x00, 0x00],
    [0x80, 0x00, 0x00],
    [0x00, 0x80, 0x00],
    [0x80, 0x80, 0x00],
    [0x00, 0x00, 0x80],
    [0x80, 0x00, 0x80],
    [0x00, 0x80, 0x80],
    [0xC0, 0xC0, 0xC0],
    [0xC0, 0xDC, 0xC0],
    [0xA6, 0xCA, 0xF0],
    [0xFF, 0xFB, 0xF0],
    [0xA0, 0xA0, 0xA4],
    [0x80, 0x80, 0x80],
    [0xFF, 0x00, 0x00],
    [0x00, 0xFF, 0x00],
    [0xFF, 0xFF, 0x00],
    [0x00, 0x00, 0xFF],
    [0xFF, 0x00, 0xFF],
    [0x00, 0xFF, 0xFF],
    [0xFF, 0xFF, 0xFF],
];

/// The stock fonts' LOGFONTs, by stock index (10 OEM_FIXED_FONT .. 17 DEFAULT_GUI_FONT).
pub fn stock_font(index: u32) -> Option<LogFont> {
    crate::font::StockFont::from_index(index).map(|f| LogFont::from_font(&f.logfont()))
}

impl LogFont {
    /// The font engine's LOGFONT as GDI keeps one.
    pub fn from_font(f: &crate::font::LogFont) -> LogFont {
        LogFont {
            height: f.height,
            width: f.width,
            escapement: f.escapement,
            orientation: f.orientation,
            weight: f.weight,
            italic: u8::from(f.italic),
            underline: u8::from(f.underline),
            strike_out: u8::from(f.strike_out),
            charset: f.char_set,
            out_precision: f.out_precision,
            clip_precision: f.clip_precision,
            quality: f.quality,
            pitch_and_family: f.pitch_and_family,
            face: f.face_name.encode_utf16().collect(),
        }
    }

    /// This LOGFONT as the font engine takes it, to realize a font from.
    pub fn to_font(&self) -> crate::font::LogFont {
        crate::font::LogFont {
            height: self.height,
            width: self.width,
            escapement: self.escapement,
            orientation: self.orientation,
            weight: self.weight,
            italic: self.italic != 0,
            underline: self.underline != 0,
            strike_out: self.strike_out != 0,
            char_set: self.charset,
            out_precision: self.out_precision,
            clip_precision: self.clip_precision,
            quality: self.quality,
            pitch_and_family: self.pitch_and_family,
            face_name: String::from_utf16_lossy(&self.face),
        }
    }
}

/// What a region or clip function found.
pub type Complexity = u32;

/// The 8x8 hatch patterns, by HS_* (a set bit is the hatch line; bit 7 the left pixel).
const HATCHES: [[u8; 8]; 6] = [
    [0x00, 0x00, 0x00, 0xFF, 0x00, 0x00, 0x00, 0x00], // HS_HORIZONTAL
    [0x08, 0x08, 0x08, 0x08, 0x08, 0x08, 0x08, 0x08], // HS_VERTICAL
    [0x80, 0x40, 0x20, 0x10, 0x08, 0x04, 0x02, 0x01], // HS_FDIAGONAL
    [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80], // HS_BDIAGONAL
    [0x08, 0x08, 0x08, 0xFF, 0x08, 0x08, 0x08, 0x08], // HS_CROSS
    [0x81, 0x42, 0x24, 0x18, 0x18, 0x24, 0x42, 0x81], // HS_DIAGCROSS
];

/// The pixel format of a drawing target: colours are brought to what it can hold.
#[derive(Clone, Debug)]
pub enum Format {
    /// 0x00RRGGBB, every colour.
    True,
    /// Black and white.
    Mono,
    /// A DIB section's format (colour table or 16-bit masks).
    Dib(Box<DibFormat>),
}

impl Format {
    /// The pixel a colour becomes.
    pub fn map(&self, pixel: u32) -> u32 {
        match self {
            Format::True => pixel & 0xFF_FFFF,
            Format::Mono => {
                let (r, g, b) = (pixel >> 16 & 0xFF, pixel >> 8 & 0xFF, pixel & 0xFF);
                let to_black = r * r + g * g + b * b;
                let to_white = (255 - r).pow(2) + (255 - g).pow(2) + (255 - b).pow(2);
                if to_white < to_black { 0xFF_FFFF } else { 0 }
            }
            Format::Dib(f) if f.bpp == 24 || f.bpp == 32 => pixel & 0xFF_FFFF,
            Format::Dib(f) if f.indexed() => {
                u32::from(dib::Nearest::new(&f.colours).index(pixel & 0xFF_FFFF))
            }
            Format::Dib(f) => f.quantize(pixel),
        }
    }

    /// The colour (0x00RRGGBB) of a pixel of this format (an index's table entry).
    pub fn colour(&self, px: u32) -> u32 {
        match self {
            Format::Dib(f) if f.indexed() => f.colours.get(px as usize).copied().unwrap_or(0),
            _ => px & 0xFF_FFFF,
        }
    }

    /// Whether pixels are colour table indexes.
    pub fn indexed(&self) -> bool {
        matches!(self, Format::Dib(f) if f.indexed())
    }

    /// Whether raster operations' results are stored as they come (masked): true colour
    /// and colour table indexes; other formats bring them to their nearest colour.
    fn raw(&self) -> bool {
        self.is_true() || self.indexed()
    }

    /// The bits of a pixel the target keeps (a 32-bit DIB keeps its fourth byte).
    pub fn mask(&self) -> u32 {
        match self {
            Format::Dib(f) if f.bpp == 32 && f.masks == [0xFF_0000, 0xFF00, 0xFF] => u32::MAX,
            Format::Dib(f) if f.indexed() => (1 << f.bpp) - 1,
            _ => 0x00FF_FFFF,
        }
    }

    fn is_true(&self) -> bool {
        match self {
            Format::True => true,
            Format::Dib(f) => f.bpp >= 24,
            Format::Mono => false,
        }
    }
}

/// Where a DC's pixels are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Screen,
    Bitmap(u32),
}

/// What a DC draws with, taken out of its state for one operation.
struct Paint {
    target: Target,
    clip: Vec<Rect>,
    origin: (i32, i32),
    format: Format,
}

/// The blit of a source onto a DC.
#[derive(Clone, Copy, Debug)]
pub struct BltSource<'a> {
    /// The source pixels.
    pub surface: &'a Surface,
    /// Monochrome (0 black, 0xFFFFFF white): drawn in the destination's text and
    /// background colours on a colour target.
    pub mono: bool,
    /// The source DC's background colour (pixel), for colour to monochrome.
    pub bk: u32,
    /// The colour table of a paletted source (its pixels are indexes), or None.
    pub palette: Option<&'a [u32]>,
}

/// The mask of a MaskBlt: a monochrome bitmap's pixels, the point of it that lies under the
/// destination's top left, and the ROP3 code of its black pixels.
#[derive(Clone, Debug)]
pub struct BltMask {
    /// The mask's pixels (0 black; anything else white).
    pub surface: Surface,
    /// The mask's point for the destination's top left.
    pub origin: (i32, i32),
    /// The ROP3 code where the mask is black (MAKEROP4's background).
    pub background: u8,
}

impl BltMask {
    /// Whether the mask is white at (`x`, `y`) from its origin; outside it counts as white,
    /// as it does for NT's engine when the mask is smaller than the blit.
    fn white_at(&self, x: i32, y: i32) -> bool {
        let (mx, my) = (self.origin.0.wrapping_add(x), self.origin.1.wrapping_add(y));
        let (w, h) = (self.surface.width() as i32, self.surface.height() as i32);
        if mx < 0 || my < 0 || mx >= w || my >= h {
            return true;
        }
        self.surface.pixels()[my as usize * w as usize + mx as usize] != 0
    }
}

/// The text state of a DC, for the font module.
#[derive(Clone, Debug)]
pub struct TextState {
    /// Text colour (COLORREF).
    pub text_colour: u32,
    /// Background colour (COLORREF).
    pub bk_colour: u32,
    /// TRANSPARENT or OPAQUE.
    pub bk_mode: u32,
    /// TA_* alignment.
    pub text_align: u32,
    /// SetTextCharacterExtra's value.
    pub char_extra: i32,
    /// The selected font's LOGFONT.
    pub font: LogFont,
    /// The current position (logical), for TA_UPDATECP.
    pub pos: (i32, i32),
}

/// The GDI object table of the machine.
pub struct Gdi {
    entries: Vec<Entry>,
    stock: [u32; STOCK_COUNT],
    stock_bitmap: u32,
}

impl Default for Gdi {
    fn default() -> Self {
        let mut g = Gdi {
            entries: Vec::new(),
            stock: [0; STOCK_COUNT],
            stock_bitmap: 0,
        };
        let brush = |colour: u32, style: u32| {
            Object::Brush(Brush {
                style,
                colour,
                hatch: 0,
                pattern: None,
            })
        };
        let pen = |colour: u32, style: u32| {
            Object::Pen(Pen {
                style,
                width: 0,
                colour,
            })
        };
        let objects: [(u32, Object); 9] = [
            (WHITE_BRUSH, brush(0xFF_FFFF, BS_SOLID)),
            (1, brush(0xC0_C0C0, BS_SOLID)),
            (2, brush(0x80_8080, BS_SOLID)),
            (3, brush(0x40_4040, BS_SOLID)),
            (BLACK_BRUSH, brush(0, BS_SOLID)),
            (NULL_BRUSH, brush(0, BS_NULL)),
            (WHITE_PEN, pen(0xFF_FFFF, PS_SOLID)),
            (BLACK_PEN, pen(0, PS_SOLID)),
            (NULL_PEN, pen(0, PS_NULL)),
        ];
        for (i, o) in objects {
            g.stock[i as usize] = g.insert_stock(o);
        }
        for i in 10..=17 {
            if let Some(f) = stock_font(i) {
                g.stock[i as usize] = g.insert_stock(Object::Font(f));
            }
        }
        let entries = DEFAULT_PALETTE_COLOURS
            .iter()
            .map(|c| [c[0], c[1], c[2], 0])
            .collect();
        g.stock[DEFAULT_PALETTE as usize] = g.insert_stock(Object::Palette(Palette { entries }));
        g.stock_bitmap = g.insert_stock(Object::Bitmap(Box::new(Bitmap {
            surface: Surface::new(1, 1, 0),
            bpp: 1,
            mono: true,
            dib: None,
            selected_in: 0,
            dimension: (0, 0),
        })));
        g
    }
}

/// The first index of the table (low indexes are never handed out).
const FIRST: usize = 0x10;

impl Gdi {
    // ---- the table ---------------------------------------------------------------------

    /// Adds an object that DeleteObject leaves alone (a stock object, or one of USER's own
    /// such as the system colour brushes).
    pub fn insert_stock(&mut self, object: Object) -> u32 {
        let h = self.insert(object);
        let i = (h & 0xFFFF) as usize - FIRST;
        self.entries[i].stock = true;
        h | STOCK
    }

    /// Adds an object; its handle (0 when the table is full).
    pub fn insert(&mut self, object: Object) -> u32 {
        let index = match self.entries.iter().position(|e| e.object.is_none()) {
            Some(i) => i,
            None => {
                if self.entries.len() + FIRST >= 0xFFFF {
                    return 0;
                }
                self.entries.push(Entry {
                    uniq: 0,
                    stock: false,
                    delete_pending: false,
                    object: None,
                });
                self.entries.len() - 1
            }
        };
        let type_code = object.type_code();
        let e = &mut self.entries[index];
        e.uniq = e.uniq.wrapping_add(1).max(1);
        e.stock = false;
        e.delete_pending = false;
        e.object = Some(object);
        (u32::from(e.uniq) << 24) | (type_code << 16) | (index + FIRST) as u32
    }

    fn index(&self, handle: u32) -> Option<usize> {
        let i = ((handle & 0xFFFF) as usize).checked_sub(FIRST)?;
        let e = self.entries.get(i)?;
        let o = e.object.as_ref()?;
        let uniq = (handle >> 24) as u8;
        let ty = (handle >> 16) & 0x7F;
        // A handle without its high word (the 16-bit form) names the slot whatever it holds.
        (handle >> 16 == 0 || (uniq == e.uniq && ty == o.type_code())).then_some(i)
    }

    /// The object `handle` names.
    pub fn get(&self, handle: u32) -> Option<&Object> {
        let i = self.index(handle)?;
        self.entries[i].object.as_ref()
    }

    /// The object `handle` names, to change.
    pub fn get_mut(&mut self, handle: u32) -> Option<&mut Object> {
        let i = self.index(handle)?;
        self.entries[i].object.as_mut()
    }

    /// The full handle of the object `handle` names (with its type, stock and reuse bits).
    pub fn full_handle(&self, handle: u32) -> Option<u32> {
        let i = self.index(handle)?;
        let e = &self.entries[i];
        let ty = e.object.as_ref()?.type_code();
        Some(
            (u32::from(e.uniq) << 24)
                | (ty << 16)
                | if e.stock { STOCK } else { 0 }
                | (i + FIRST) as u32,
        )
    }

    /// Whether `handle` is a stock object.
    pub fn is_stock(&self, handle: u32) -> bool {
        self.index(handle).is_some_and(|i| self.entries[i].stock)
    }

    /// GetStockObject: the stock object of an index, 0 for none.
    pub fn stock_object(&self, index: u32) -> u32 {
        self.stock.get(index as usize).copied().unwrap_or(0)
    }

    /// The DC `hdc` names.
    pub fn dc(&self, hdc: u32) -> Option<&Dc> {
        match self.get(hdc)? {
            Object::Dc(d) => Some(d),
            _ => None,
        }
    }

    /// The DC `hdc` names, to change.
    pub fn dc_mut(&mut self, hdc: u32) -> Option<&mut Dc> {
        match self.get_mut(hdc)? {
            Object::Dc(d) => Some(d),
            _ => None,
        }
    }

    /// The bitmap `handle` names.
    pub fn bitmap(&self, handle: u32) -> Option<&Bitmap> {
        match self.get(handle)? {
            Object::Bitmap(b) => Some(b),
            _ => None,
        }
    }

    /// The bitmap `handle` names, to change.
    pub fn bitmap_mut(&mut self, handle: u32) -> Option<&mut Bitmap> {
        match self.get_mut(handle)? {
            Object::Bitmap(b) => Some(b),
            _ => None,
        }
    }

    /// The region `handle` names.
    pub fn region(&self, handle: u32) -> Option<&Region> {
        match self.get(handle)? {
            Object::Region(r) => Some(r),
            _ => None,
        }
    }

    /// The region `handle` names, to change.
    pub fn region_mut(&mut self, handle: u32) -> Option<&mut Region> {
        match self.get_mut(handle)? {
            Object::Region(r) => Some(r),
            _ => None,
        }
    }

    /// GetObjectType's answer (0 for a bad handle).
    pub fn object_type(&self, handle: u32) -> u32 {
        match self.get(handle) {
            Some(Object::Dc(d)) if d.kind == DcKind::Memory => OBJ_MEMDC,
            Some(Object::Dc(_)) => OBJ_DC,
            Some(Object::Bitmap(_)) => OBJ_BITMAP,
            Some(Object::Brush(_)) => OBJ_BRUSH,
            Some(Object::Pen(_)) => OBJ_PEN,
            Some(Object::Font(_)) => OBJ_FONT,
            Some(Object::Region(_)) => OBJ_REGION,
            Some(Object::Palette(_)) => OBJ_PAL,
            None => 0,
        }
    }

    fn selected_anywhere(&self, handle: u32) -> bool {
        let Some(full) = self.full_handle(handle) else {
            return false;
        };
        self.entries.iter().any(|e| match &e.object {
            Some(Object::Dc(d)) => std::iter::once(&d.state)
                .chain(&d.saved)
                .any(|s| [s.pen, s.brush, s.font, s.palette, s.bitmap].contains(&full)),
            _ => false,
        })
    }

    fn free(&mut self, handle: u32) {
        if let Some(i) = self.index(handle) {
            self.entries[i].object = None;
        }
    }

    /// DeleteObject: false for a bad handle or a bitmap selected into a DC; a stock object
    /// stays; a pen, brush, font or palette still selected into a DC goes when it is no
    /// longer selected (NT's deferred delete). A DC is not deleted this way.
    pub fn delete_object(&mut self, handle: u32) -> bool {
        let Some(i) = self.index(handle) else {
            return false;
        };
        if self.entries[i].stock {
            return true;
        }
        match self.entries[i].object.as_ref() {
            Some(Object::Dc(_)) => return false,
            Some(Object::Bitmap(b)) if b.selected_in != 0 && self.dc(b.selected_in).is_some() => {
                return false;
            }
            _ => {}
        }
        if self.selected_anywhere(handle) {
            self.entries[i].delete_pending = true;
            return true;
        }
        self.free(handle);
        true
    }

    /// Frees objects whose delete waited for them to be deselected.
    fn reap(&mut self, handle: u32) {
        if let Some(i) = self.index(handle)
            && self.entries[i].delete_pending
            && !self.selected_anywhere(handle)
        {
            self.entries[i].object = None;
        }
    }

    /// Forgets the objects of a process that ended (its DCs; other objects are shared).
    pub fn forget_process(&mut self, process: u32) {
        for e in &mut self.entries {
            if let Some(Object::Dc(d)) = &e.object
                && d.process == process
            {
                e.object = None;
            }
        }
    }

    // ---- DCs ---------------------------------------------------------------------------

    fn default_state(&self) -> DcState {
        DcState {
            pen: self.stock[BLACK_PEN as usize],
            brush: self.stock[WHITE_BRUSH as usize],
            font: self.stock[SYSTEM_FONT as usize],
            palette: self.stock[DEFAULT_PALETTE as usize],
            bitmap: 0,
            text_colour: 0,
            bk_colour: 0xFF_FFFF,
            bk_mode: OPAQUE,
            text_align: 0,
            rop2: R2_COPYPEN,
            fill_mode: ALTERNATE,
            stretch_mode: 1,
            map_mode: MM_TEXT,
            graphics_mode: GM_COMPATIBLE,
            window_org: (0, 0),
            window_ext: (1, 1),
            viewport_org: (0, 0),
            viewport_ext: (1, 1),
            world: [1.0, 0.0, 0.0, 1.0, 0.0, 0.0],
            pos: (0, 0),
            clip: None,
            brush_org: (0, 0),
            char_extra: 0,
            arc_direction: 1,
            mapper_flags: 0,
        }
    }

    /// A display DC for `window` (0 for the whole screen) with its device origin at
    /// `origin` on the screen, drawing only inside `vis` (screen coordinates).
    pub fn create_display_dc(
        &mut self,
        process: u32,
        window: u32,
        origin: (i32, i32),
        vis: Rect,
    ) -> u32 {
        let dc = Dc {
            kind: DcKind::Display { window },
            origin,
            vis,
            vis_region: None,
            state: self.default_state(),
            saved: Vec::new(),
            process,
        };
        self.insert(Object::Dc(Box::new(dc)))
    }

    /// Limits a display DC to a region of the screen (what other windows leave of its
    /// window); None lifts the limit.
    pub fn set_dc_vis_region(&mut self, hdc: u32, region: Option<Region>) {
        if let Some(d) = self.dc_mut(hdc) {
            d.vis_region = region;
        }
    }

    /// Moves a display DC (its window moved or its visible part changed).
    pub fn set_dc_geometry(&mut self, hdc: u32, origin: (i32, i32), vis: Rect) {
        if let Some(d) = self.dc_mut(hdc) {
            d.origin = origin;
            d.vis = vis;
        }
    }

    /// CreateCompatibleDC: a memory DC with the stock 1x1 monochrome bitmap selected.
    pub fn create_memory_dc(&mut self, process: u32) -> u32 {
        let mut state = self.default_state();
        state.bitmap = self.stock_bitmap;
        let dc = Dc {
            kind: DcKind::Memory,
            origin: (0, 0),
            vis: Rect::default(),
            vis_region: None,
            state,
            saved: Vec::new(),
            process,
        };
        self.insert(Object::Dc(Box::new(dc)))
    }

    /// DeleteDC: frees the DC, deselecting its objects (and freeing those whose delete
    /// waited). False for a bad handle.
    pub fn delete_dc(&mut self, hdc: u32) -> bool {
        let Some(d) = self.dc(hdc).cloned() else {
            return false;
        };
        let full = self.full_handle(hdc).unwrap_or(hdc);
        self.free(hdc);
        for s in std::iter::once(&d.state).chain(&d.saved) {
            if let Some(b) = self.bitmap_mut(s.bitmap)
                && b.selected_in == full
            {
                b.selected_in = 0;
            }
            for h in [s.pen, s.brush, s.font, s.palette, s.bitmap] {
                self.reap(h);
            }
        }
        true
    }

    /// SelectObject for a pen, brush, font or bitmap: the object selected before, or None
    /// when the object or DC is bad or the bitmap cannot be selected (into a display DC,
    /// or selected into another DC already). A region selects the clip region (see
    /// [`Gdi::select_clip`]) and answers with its complexity.
    pub fn select_object(&mut self, hdc: u32, handle: u32) -> Option<u32> {
        let full = self.full_handle(handle)?;
        let hdc_full = self.full_handle(hdc)?;
        let kind = self.dc(hdc)?.kind;
        let old = match self.get(handle)? {
            Object::Pen(_) => std::mem::replace(&mut self.dc_mut(hdc)?.state.pen, full),
            Object::Brush(_) => std::mem::replace(&mut self.dc_mut(hdc)?.state.brush, full),
            Object::Font(_) => std::mem::replace(&mut self.dc_mut(hdc)?.state.font, full),
            Object::Region(r) => {
                let r = r.clone();
                return Some(self.select_clip(hdc, Some(&r), region::RGN_COPY));
            }
            Object::Bitmap(b) => {
                // Only a memory DC takes a bitmap, and only a monochrome one, a DIB section
                // or one of the screen's depth.
                if kind != DcKind::Memory || (!b.mono && b.dib.is_none() && b.bpp != SCREEN_BPP) {
                    return None;
                }
                if b.selected_in != 0
                    && b.selected_in != hdc_full
                    && self.dc(b.selected_in).is_some()
                {
                    return None;
                }
                let old = std::mem::replace(&mut self.dc_mut(hdc)?.state.bitmap, full);
                if old != full
                    && let Some(ob) = self.bitmap_mut(old)
                    && ob.selected_in == hdc_full
                {
                    ob.selected_in = 0;
                }
                if !self.is_stock(full)
                    && let Some(b) = self.bitmap_mut(full)
                {
                    b.selected_in = hdc_full;
                }
                // A memory DC's clip region is reset when its bitmap changes.
                if let Some(d) = self.dc_mut(hdc) {
                    d.state.clip = None;
                }
                old
            }
            _ => return None,
        };
        if old != full {
            self.reap(old);
        }
        Some(old)
    }

    /// SaveDC: the new save level (1 for the first), None for a bad DC.
    pub fn save_dc(&mut self, hdc: u32) -> Option<u32> {
        let d = self.dc_mut(hdc)?;
        d.saved.push(d.state.clone());
        Some(d.saved.len() as u32)
    }

    /// RestoreDC: `level` positive restores that level, negative counts back from the
    /// newest. False for a bad DC or level.
    pub fn restore_dc(&mut self, hdc: u32, level: i32) -> bool {
        let hdc_full = self.full_handle(hdc).unwrap_or(hdc);
        let Some(d) = self.dc_mut(hdc) else {
            return false;
        };
        let n = d.saved.len() as i32;
        let keep = if level < 0 { n + level } else { level - 1 };
        if keep < 0 || keep >= n || level == 0 {
            return false;
        }
        let state = d.saved[keep as usize].clone();
        d.saved.truncate(keep as usize);
        let old = std::mem::replace(&mut d.state, state);
        let new_bitmap = d.state.bitmap;
        if old.bitmap != new_bitmap {
            if let Some(b) = self.bitmap_mut(old.bitmap)
                && b.selected_in == hdc_full
            {
                b.selected_in = 0;
            }
            if !self.is_stock(new_bitmap)
                && let Some(b) = self.bitmap_mut(new_bitmap)
            {
                b.selected_in = hdc_full;
            }
        }
        for h in [old.pen, old.brush, old.font, old.palette, old.bitmap] {
            self.reap(h);
        }
        true
    }

    // ---- coordinates -------------------------------------------------------------------

    /// Sets the mapping mode, setting the extents of the fixed modes as NT does.
    pub fn set_map_mode(&mut self, hdc: u32, mode: u32, screen: (i32, i32)) -> Option<u32> {
        if !(1..=8).contains(&mode) {
            return None;
        }
        let s = &mut self.dc_mut(hdc)?.state;
        let old = s.map_mode;
        s.map_mode = mode;
        // Device units per millimetre come from the display's size (HORZSIZE x VERTSIZE).
        let (hmm, vmm) = (HORZSIZE_MM, VERTSIZE_MM);
        let fixed = |per_mm: i32, per_mm_div: i32| {
            (
                (hmm * per_mm / per_mm_div, vmm * per_mm / per_mm_div),
                (screen.0, -screen.1),
            )
        };
        let ext = match mode {
            2 => Some(fixed(10, 1)),      // MM_LOMETRIC: 0.1 mm
            3 => Some(fixed(100, 1)),     // MM_HIMETRIC: 0.01 mm
            4 => Some(fixed(1000, 254)),  // MM_LOENGLISH: 0.01 inch
            5 => Some(fixed(10000, 254)), // MM_HIENGLISH: 0.001 inch
            6 => Some(fixed(14400, 254)), // MM_TWIPS: 1/1440 inch
            MM_ISOTROPIC => Some(((10 * hmm, 10 * vmm), (screen.0, -screen.1))),
            MM_TEXT => Some(((1, 1), (1, 1))),
            _ => None,
        };
        if let Some((w, v)) = ext {
            s.window_ext = w;
            s.viewport_ext = v;
        }
        Some(old)
    }

    /// MM_ISOTROPIC's adjustment: the viewport extent shrunk so both axes scale alike.
    pub fn fix_isotropic(&mut self, hdc: u32) {
        let Some(d) = self.dc_mut(hdc) else { return };
        let s = &mut d.state;
        if s.map_mode != MM_ISOTROPIC || s.window_ext.0 == 0 || s.window_ext.1 == 0 {
            return;
        }
        let xs = (s.viewport_ext.0 as f64 / s.window_ext.0 as f64).abs();
        let ys = (s.viewport_ext.1 as f64 / s.window_ext.1 as f64).abs();
        if xs < ys {
            let v = (s.window_ext.1 as f64 * xs).round() as i32;
            s.viewport_ext.1 = if s.viewport_ext.1 < 0 {
                -v.abs()
            } else {
                v.abs()
            };
        } else if ys < xs {
            let v = (s.window_ext.0 as f64 * ys).round() as i32;
            s.viewport_ext.0 = if s.viewport_ext.0 < 0 {
                -v.abs()
            } else {
                v.abs()
            };
        }
    }

    /// The logical to device transform of a state, as (m11, m12, m21, m22, dx, dy).
    pub fn transform(s: &DcState) -> [f64; 6] {
        let w = if s.graphics_mode == GM_ADVANCED {
            s.world.map(f64::from)
        } else {
            [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
        };
        let sx = if s.window_ext.0 == 0 {
            1.0
        } else {
            s.viewport_ext.0 as f64 / s.window_ext.0 as f64
        };
        let sy = if s.window_ext.1 == 0 {
            1.0
        } else {
            s.viewport_ext.1 as f64 / s.window_ext.1 as f64
        };
        let ox = s.viewport_org.0 as f64 - s.window_org.0 as f64 * sx;
        let oy = s.viewport_org.1 as f64 - s.window_org.1 as f64 * sy;
        [
            w[0] * sx,
            w[1] * sy,
            w[2] * sx,
            w[3] * sy,
            w[4] * sx + ox,
            w[5] * sy + oy,
        ]
    }

    /// A logical point in device coordinates (not rounded).
    pub fn to_device_f(s: &DcState, x: i32, y: i32) -> (f64, f64) {
        let m = Self::transform(s);
        let (x, y) = (x as f64, y as f64);
        (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])
    }

    /// A logical point in device coordinates (LPtoDP).
    pub fn to_device(s: &DcState, x: i32, y: i32) -> (i32, i32) {
        let (x, y) = Self::to_device_f(s, x, y);
        (round(x), round(y))
    }

    /// A device point in logical coordinates (DPtoLP); None when the transform has no
    /// inverse.
    pub fn to_logical(s: &DcState, x: i32, y: i32) -> Option<(i32, i32)> {
        let m = Self::transform(s);
        let det = m[0] * m[3] - m[1] * m[2];
        if det.abs() < 1e-12 {
            return None;
        }
        let (x, y) = (x as f64 - m[4], y as f64 - m[5]);
        Some((
            round((x * m[3] - y * m[2]) / det),
            round((y * m[0] - x * m[1]) / det),
        ))
    }

    fn axis_aligned(s: &DcState) -> bool {
        let m = Self::transform(s);
        m[1] == 0.0 && m[2] == 0.0
    }

    /// A logical rectangle in device coordinates, ordered (axis-aligned transforms).
    fn rect_to_device(s: &DcState, r: Rect) -> Rect {
        let (l, t) = Self::to_device(s, r.left, r.top);
        let (rr, b) = Self::to_device(s, r.right, r.bottom);
        Rect::new(l.min(rr), t.min(b), l.max(rr), t.max(b))
    }

    // ---- drawing targets -----------------------------------------------------------------

    fn paint(&self, hdc: u32, screen: &Surface) -> Option<Paint> {
        let d = self.dc(hdc)?;
        let (target, bounds, format) = match d.kind {
            DcKind::Display { .. } => (
                Target::Screen,
                intersect(d.vis, screen.bounds()),
                Format::True,
            ),
            DcKind::Memory => {
                let b = self.bitmap(d.state.bitmap)?;
                let format = match (&b.dib, b.mono) {
                    (Some(dib), _) => Format::Dib(Box::new(dib.format.clone())),
                    (None, true) => Format::Mono,
                    (None, false) => Format::True,
                };
                (Target::Bitmap(d.state.bitmap), b.surface.bounds(), format)
            }
        };
        let base = match &d.vis_region {
            Some(v) if d.kind != DcKind::Memory => v.intersect_rect(bounds),
            _ => Region::rect(bounds),
        };
        let clip = match &d.state.clip {
            None => base,
            Some(c) => c
                .offset(d.origin.0, d.origin.1)
                .combine(&base, region::RGN_AND),
        };
        Some(Paint {
            target,
            clip: clip.rects().to_vec(),
            origin: d.origin,
            format,
        })
    }

    /// Runs `f` on the pixels a DC draws on, with the rectangles it may draw in (surface
    /// coordinates) and its device origin on that surface: how the font module draws text.
    /// None for a bad DC.
    pub fn draw_on<R>(
        &mut self,
        screen: &mut Surface,
        hdc: u32,
        f: impl FnOnce(&mut Surface, &[Rect], (i32, i32)) -> R,
    ) -> Option<R> {
        let p = self.paint(hdc, screen)?;
        match p.target {
            Target::Screen => Some(f(screen, &p.clip, p.origin)),
            Target::Bitmap(h) => {
                let b = self.bitmap_mut(h)?;
                Some(f(&mut b.surface, &p.clip, p.origin))
            }
        }
    }

    /// The pixel format a DC draws in ([`Format::map`] brings a colour to it: a monochrome
    /// bitmap takes black or white, a paletted DIB section its nearest colour).
    pub fn dc_format(&self, hdc: u32) -> Option<Format> {
        let d = self.dc(hdc)?;
        Some(match d.kind {
            DcKind::Display { .. } => Format::True,
            DcKind::Memory => {
                let b = self.bitmap(d.state.bitmap)?;
                match (&b.dib, b.mono) {
                    (Some(dib), _) => Format::Dib(Box::new(dib.format.clone())),
                    (None, true) => Format::Mono,
                    (None, false) => Format::True,
                }
            }
        })
    }

    /// The text state of a DC (colours, modes, alignment, the selected font's LOGFONT).
    pub fn text_state(&self, hdc: u32) -> Option<TextState> {
        let s = &self.dc(hdc)?.state;
        let font = match self.get(s.font) {
            Some(Object::Font(f)) => f.clone(),
            _ => stock_font(SYSTEM_FONT).unwrap_or_default(),
        };
        Some(TextState {
            text_colour: s.text_colour,
            bk_colour: s.bk_colour,
            bk_mode: s.bk_mode,
            text_align: s.text_align,
            char_extra: s.char_extra,
            font,
            pos: s.pos,
        })
    }

    fn with_target<R>(
        &mut self,
        screen: &mut Surface,
        p: &Paint,
        f: impl FnOnce(&mut Canvas<'_>) -> R,
    ) -> Option<R> {
        match p.target {
            Target::Screen => Some(f(&mut Canvas {
                surface: screen,
                clip: &p.clip,
                mask: p.format.mask(),
            })),
            Target::Bitmap(h) => {
                let b = self.bitmap_mut(h)?;
                Some(f(&mut Canvas {
                    surface: &mut b.surface,
                    clip: &p.clip,
                    mask: p.format.mask(),
                }))
            }
        }
    }

    fn pen_ink(&self, s: &DcState, format: &Format) -> Option<(Ink, i32, u32)> {
        let pen = match self.get(s.pen) {
            Some(Object::Pen(p)) => p.clone(),
            _ => return None,
        };
        let style = pen.style & 0xF;
        if style == PS_NULL {
            return None;
        }
        let m = Self::transform(s);
        let scale = (m[0] * m[0] + m[1] * m[1]).sqrt();
        let geometric = pen.style & 0x0001_0000 != 0 || pen.width > 1;
        let width = if geometric {
            ((pen.width as f64 * scale).round() as i32).max(1)
        } else {
            1
        };
        Some((
            Ink::Solid {
                pixel: format.map(pixel_from_colorref(pen.colour)),
                rop2: s.rop2,
            },
            width,
            style,
        ))
    }

    fn brush_ink(&self, brush: u32, s: &DcState, p: &Paint, rop2: u32) -> Option<Ink> {
        let b = match self.get(brush) {
            Some(Object::Brush(b)) => b,
            _ => return None,
        };
        let origin = (p.origin.0 + s.brush_org.0, p.origin.1 + s.brush_org.1);
        match b.style {
            BS_SOLID => Some(Ink::Solid {
                pixel: p.format.map(pixel_from_colorref(b.colour)),
                rop2,
            }),
            BS_HATCHED => {
                let pat = HATCHES.get(b.hatch as usize)?;
                let fg = p.format.map(pixel_from_colorref(b.colour));
                let bg = p.format.map(pixel_from_colorref(s.bk_colour));
                let mut pixels = Vec::with_capacity(64);
                let mut mask = Vec::with_capacity(64);
                for row in pat {
                    for x in 0..8 {
                        let on = row & (0x80 >> x) != 0;
                        pixels.push(if on { fg } else { bg });
                        mask.push(on || s.bk_mode != TRANSPARENT);
                    }
                }
                Some(Ink::Pattern {
                    pixels,
                    mask,
                    width: 8,
                    height: 8,
                    origin,
                    rop2,
                })
            }
            BS_PATTERN | BS_DIBPATTERN => {
                let (surface, mono) = b.pattern.as_ref()?;
                if surface.width() == 0 || surface.height() == 0 {
                    return None;
                }
                let fg = p.format.map(pixel_from_colorref(s.text_colour));
                let bg = p.format.map(pixel_from_colorref(s.bk_colour));
                let pixels = surface
                    .pixels()
                    .iter()
                    .map(|&px| match *mono {
                        true if px == 0 => fg,
                        true => bg,
                        false => p.format.map(px),
                    })
                    .collect();
                Some(Ink::Pattern {
                    pixels,
                    mask: vec![true; surface.pixels().len()],
                    width: surface.width(),
                    height: surface.height(),
                    origin,
                    rop2,
                })
            }
            _ => None,
        }
    }

    // ---- lines and shapes ----------------------------------------------------------------

    #[allow(clippy::too_many_arguments)]
    fn draw_line_device(
        canvas: &mut Canvas<'_>,
        a: (i32, i32),
        b: (i32, i32),
        ink: &Ink,
        width: i32,
        style: u32,
        gap: Option<&Ink>,
        phase: &mut u32,
    ) {
        let dashes: &[u32] = match style {
            1 => &[18, 6],
            2 => &[3, 3],
            3 => &[9, 6, 3, 6],
            4 => &[9, 3, 3, 3, 3, 3],
            _ => &[],
        };
        let total: u32 = dashes.iter().sum();
        let mut points = raster::line_pixels(a, b);
        if width > 1 {
            // A wide (geometric) pen's line has round ends: its last point is drawn too.
            points.push(b);
        }
        for (x, y) in points {
            let on = if total == 0 || width > 1 {
                true
            } else {
                let mut t = *phase % total;
                let mut on = true;
                for (i, &d) in dashes.iter().enumerate() {
                    if t < d {
                        on = i % 2 == 0;
                        break;
                    }
                    t -= d;
                }
                on
            };
            *phase = phase.wrapping_add(1);
            let ink = if on {
                ink
            } else {
                match gap {
                    Some(g) => g,
                    None => continue,
                }
            };
            if width <= 1 {
                canvas.pixel(x, y, ink);
            } else {
                for (dy, dx0, dx1) in pen_shape(width) {
                    canvas.span(y + dy, x + dx0, x + dx1, ink);
                }
            }
        }
    }

    /// Draws lines through logical points with the DC's pen (each leaving out its last
    /// pixel). `close` joins the last point to the first.
    fn stroke(
        &mut self,
        screen: &mut Surface,
        hdc: u32,
        points: &[(i32, i32)],
        close: bool,
    ) -> bool {
        let Some(p) = self.paint(hdc, screen) else {
            return false;
        };
        let Some(s) = self.dc(hdc).map(|d| d.state.clone()) else {
            return false;
        };
        let Some((ink, width, style)) = self.pen_ink(&s, &p.format) else {
            return true;
        };
        let gap = (s.bk_mode == OPAQUE).then(|| Ink::Solid {
            pixel: p.format.map(pixel_from_colorref(s.bk_colour)),
            rop2: s.rop2,
        });
        let o = p.origin;
        let dev: Vec<(i32, i32)> = points
            .iter()
            .map(|&(x, y)| {
                let (x, y) = Self::to_device(&s, x, y);
                (x.wrapping_add(o.0), y.wrapping_add(o.1))
            })
            .collect();
        self.with_target(screen, &p, |c| {
            let mut phase = 0;
            for w in dev.windows(2) {
                Self::draw_line_device(c, w[0], w[1], &ink, width, style, gap.as_ref(), &mut phase);
            }
            if close && dev.len() > 2 {
                let (a, b) = (dev[dev.len() - 1], dev[0]);
                Self::draw_line_device(c, a, b, &ink, width, style, gap.as_ref(), &mut phase);
            }
        });
        true
    }

    /// MoveToEx: the old position, None for a bad DC.
    pub fn move_to(&mut self, hdc: u32, x: i32, y: i32) -> Option<(i32, i32)> {
        let s = &mut self.dc_mut(hdc)?.state;
        Some(std::mem::replace(&mut s.pos, (x, y)))
    }

    /// LineTo: a line from the current position to (x, y), without (x, y); the position
    /// moves there.
    pub fn line_to(&mut self, screen: &mut Surface, hdc: u32, x: i32, y: i32) -> bool {
        let Some(from) = self.dc(hdc).map(|d| d.state.pos) else {
            return false;
        };
        let ok = self.stroke(screen, hdc, &[from, (x, y)], false);
        if let Some(d) = self.dc_mut(hdc) {
            d.state.pos = (x, y);
        }
        ok
    }

    /// Polyline (the current position is neither used nor moved).
    pub fn polyline(&mut self, screen: &mut Surface, hdc: u32, points: &[(i32, i32)]) -> bool {
        if points.len() < 2 {
            return false;
        }
        self.stroke(screen, hdc, points, false)
    }

    /// PolylineTo: lines from the current position through the points; it ends at the last.
    pub fn polyline_to(&mut self, screen: &mut Surface, hdc: u32, points: &[(i32, i32)]) -> bool {
        let Some(from) = self.dc(hdc).map(|d| d.state.pos) else {
            return false;
        };
        let mut all = vec![from];
        all.extend_from_slice(points);
        let ok = self.stroke(screen, hdc, &all, false);
        if let (Some(d), Some(&last)) = (self.dc_mut(hdc), points.last()) {
            d.state.pos = last;
        }
        ok
    }

    /// Fills device spans with the DC's brush (through its ROP2) and draws an outline.
    fn fill_spans(&mut self, screen: &mut Surface, hdc: u32, spans: &[(i32, i32, i32)]) -> bool {
        let Some(p) = self.paint(hdc, screen) else {
            return false;
        };
        let Some(s) = self.dc(hdc).map(|d| d.state.clone()) else {
            return false;
        };
        let Some(ink) = self.brush_ink(s.brush, &s, &p, s.rop2) else {
            return true;
        };
        let o = p.origin;
        self.with_target(screen, &p, |c| {
            for &(y, x0, x1) in spans {
                c.span(
                    y.wrapping_add(o.1),
                    x0.wrapping_add(o.0),
                    x1.wrapping_add(o.0),
                    &ink,
                );
            }
        });
        true
    }

    /// Polygon: filled by the DC's fill mode with its brush, outlined with its pen.
    pub fn polygon(&mut self, screen: &mut Surface, hdc: u32, points: &[(i32, i32)]) -> bool {
        self.poly_polygon(screen, hdc, &[points.to_vec()])
    }

    /// PolyPolygon: the polygons filled together (the fill rule across all), then outlined.
    pub fn poly_polygon(
        &mut self,
        screen: &mut Surface,
        hdc: u32,
        polys: &[Vec<(i32, i32)>],
    ) -> bool {
        let Some(s) = self.dc(hdc).map(|d| d.state.clone()) else {
            return false;
        };
        if polys.iter().any(|p| p.len() < 2) {
            return false;
        }
        // One edge list across the polygons: each closed by itself.
        let mut spans = Vec::new();
        let winding = s.fill_mode == WINDING;
        if polys.len() == 1 {
            let dev: Vec<(f64, f64)> = polys[0]
                .iter()
                .map(|&(x, y)| {
                    let (x, y) = Self::to_device(&s, x, y);
                    (x as f64, y as f64)
                })
                .collect();
            spans = raster::polygon_spans(&dev, winding);
        } else {
            // Join the polygons through a point far outside so edges cancel: fill each
            // by rule via a combined edge list.
            let mut all = Vec::new();
            for poly in polys {
                let dev: Vec<(f64, f64)> = poly
                    .iter()
                    .map(|&(x, y)| {
                        let (x, y) = Self::to_device(&s, x, y);
                        (x as f64, y as f64)
                    })
                    .collect();
                all.push(dev);
            }
            spans.extend(multi_polygon_spans(&all, winding));
        }
        let mut ok = self.fill_spans(screen, hdc, &spans);
        for poly in polys {
            ok &= self.stroke(screen, hdc, poly, true);
        }
        ok
    }

    /// Rectangle, Ellipse and RoundRect: the shape inside (l, t, r, b) with right and bottom
    /// left out, its outline the pen's width, the inside the brush. With a null pen the
    /// shape is a pixel smaller to the right and bottom, as NT draws it.
    pub fn shape(
        &mut self,
        screen: &mut Surface,
        hdc: u32,
        r: Rect,
        corner: Option<(i32, i32)>,
    ) -> bool {
        let Some(p) = self.paint(hdc, screen) else {
            return false;
        };
        let Some(s) = self.dc(hdc).map(|d| d.state.clone()) else {
            return false;
        };
        if !Self::axis_aligned(&s) {
            // Rotated or sheared: as a polygon of the corners (ellipses as many-sided ones).
            let pts = shape_outline(r, corner);
            return self.polygon(screen, hdc, &pts);
        }
        let mut d = Self::rect_to_device(&s, r);
        let pen = self.pen_ink(&s, &p.format);
        if pen.is_none() {
            d.right -= 1;
            d.bottom -= 1;
        }
        let (ew, eh) = match corner {
            None => (0, 0),
            Some((w, h)) => {
                let m = Self::transform(&s);
                (
                    (w as f64 * m[0]).abs().round() as i32,
                    (h as f64 * m[3]).abs().round() as i32,
                )
            }
        };
        // The outline of a one-pixel shape is a line of no length: nothing.
        let width = match &pen {
            Some(_) if d.width() <= 1 && d.height() <= 1 => return true,
            Some(p) => p.1,
            None => 0,
        };
        let rows = raster::round_rect_rows(d, ew, eh);
        let (outline, inside) = match width {
            0 => (Vec::new(), rows.iter().map(|r| (r.y, r.x0, r.x1)).collect()),
            1 => {
                let mut outline = Vec::new();
                let mut inside = Vec::new();
                for r in &rows {
                    if r.inner_left >= r.inner_right {
                        outline.push((r.y, r.x0, r.x1));
                    } else {
                        outline.push((r.y, r.x0, r.inner_left));
                        outline.push((r.y, r.inner_right, r.x1));
                        inside.push((r.y, r.inner_left, r.inner_right));
                    }
                }
                (outline, inside)
            }
            w => {
                let spans: Vec<_> = rows.iter().map(|r| (r.y, r.x0, r.x1)).collect();
                raster::outline_and_inside(&spans, w)
            }
        };
        let brush = self.brush_ink(s.brush, &s, &p, s.rop2);
        let o = p.origin;
        self.with_target(screen, &p, |c| {
            if let Some(b) = &brush {
                for &(y, x0, x1) in &inside {
                    c.span(y + o.1, x0 + o.0, x1 + o.0, b);
                }
            }
            if let Some((ink, _, _)) = &pen {
                for &(y, x0, x1) in &outline {
                    c.span(y + o.1, x0 + o.0, x1 + o.0, ink);
                }
            }
        });
        true
    }

    /// The points (logical) of the part of the ellipse in `r` from where the ray from its
    /// centre through `start` meets it to where the ray through `end` does, in the DC's arc
    /// direction (counterclockwise on the screen by default); a whole ellipse when the rays
    /// are the same.
    pub fn arc_points(
        &self,
        hdc: u32,
        r: Rect,
        start: (i32, i32),
        end: (i32, i32),
    ) -> Option<Vec<(i32, i32)>> {
        let dir = self.dc(hdc)?.state.arc_direction;
        let (cx, cy) = (
            (r.left as f64 + r.right as f64) / 2.0,
            (r.top as f64 + r.bottom as f64) / 2.0,
        );
        let (a, b) = (
            (r.width() as f64 / 2.0).abs(),
            (r.height() as f64 / 2.0).abs(),
        );
        let angle = |p: (i32, i32)| (a * -(p.1 as f64 - cy)).atan2(b * (p.0 as f64 - cx));
        let (t1, mut t2) = (angle(start), angle(end));
        let tau = std::f64::consts::TAU;
        if dir == 2 {
            // Clockwise on the screen: the angle falls.
            while t2 >= t1 {
                t2 -= tau;
            }
        } else {
            while t2 <= t1 {
                t2 += tau;
            }
        }
        let steps = ((a + b) * (t2 - t1).abs() / 2.0).clamp(8.0, 4096.0) as usize;
        Some(
            (0..=steps)
                .map(|i| {
                    let t = t1 + (t2 - t1) * i as f64 / steps as f64;
                    (round(cx + a * t.cos()), round(cy - b * t.sin()))
                })
                .collect(),
        )
    }

    /// SetPixel: the colour set (what the target holds), None outside the clip or for a bad
    /// DC.
    pub fn set_pixel(
        &mut self,
        screen: &mut Surface,
        hdc: u32,
        x: i32,
        y: i32,
        colour: u32,
    ) -> Option<u32> {
        let p = self.paint(hdc, screen)?;
        let s = self.dc(hdc)?.state.clone();
        let (dx, dy) = Self::to_device(&s, x, y);
        let (sx, sy) = (dx.wrapping_add(p.origin.0), dy.wrapping_add(p.origin.1));
        let pixel = p.format.map(pixel_from_colorref(colour & 0xFF_FFFF));
        let answer = colorref_from_pixel(p.format.colour(pixel));
        if !p
            .clip
            .iter()
            .any(|r| sx >= r.left && sx < r.right && sy >= r.top && sy < r.bottom)
        {
            // Outside the DC nothing is set, but the colour is still the answer.
            return Some(answer);
        }
        self.with_target(screen, &p, |c| c.surface.set(sx, sy, pixel))?;
        Some(answer)
    }

    /// GetPixel: the COLORREF at a logical point, None outside the DC's clip.
    pub fn get_pixel(&mut self, screen: &mut Surface, hdc: u32, x: i32, y: i32) -> Option<u32> {
        let p = self.paint(hdc, screen)?;
        let s = self.dc(hdc)?.state.clone();
        let (dx, dy) = Self::to_device(&s, x, y);
        let (sx, sy) = (dx.wrapping_add(p.origin.0), dy.wrapping_add(p.origin.1));
        if !p
            .clip
            .iter()
            .any(|r| sx >= r.left && sx < r.right && sy >= r.top && sy < r.bottom)
        {
            return None;
        }
        self.with_target(screen, &p, |c| c.surface.get(sx, sy))?
            .map(|px| colorref_from_pixel(p.format.colour(px)))
    }

    // ---- blits ---------------------------------------------------------------------------

    /// PatBlt / FillRect's work: a logical rectangle (width and height may be negative)
    /// with the ROP3 `rop` of the brush `brush` (None: the DC's) and the destination.
    pub fn pat_blt(
        &mut self,
        screen: &mut Surface,
        hdc: u32,
        r: Rect,
        rop: u32,
        brush: Option<u32>,
    ) -> bool {
        let Some(p) = self.paint(hdc, screen) else {
            return false;
        };
        let Some(s) = self.dc(hdc).map(|d| d.state.clone()) else {
            return false;
        };
        let code = (rop >> 16) as u8;
        let (_, uses_s, _) = raster::rop3_uses(code);
        if uses_s {
            return false;
        }
        let d = Self::rect_to_device(&s, r).offset(p.origin.0, p.origin.1);
        let brush = brush.unwrap_or(s.brush);
        let ink = self.brush_ink(brush, &s, &p, R2_COPYPEN);
        self.with_target(screen, &p, |c| match (code, &ink) {
            (0xF0, Some(ink)) => c.rect(d, ink),
            (0xF0, None) => {}
            (0x00, _) => c.rect(
                d,
                &Ink::Solid {
                    pixel: 0,
                    rop2: R2_COPYPEN,
                },
            ),
            (0xFF, _) => {
                let white = if p.format.raw() {
                    c.mask
                } else {
                    p.format.map(0xFF_FFFF)
                };
                c.rect(
                    d,
                    &Ink::Solid {
                        pixel: white,
                        rop2: R2_COPYPEN,
                    },
                )
            }
            _ => {
                let mask = c.mask;
                for clip in c.clip {
                    let r = intersect(d, *clip);
                    for y in r.top..r.bottom {
                        for x in r.left..r.right {
                            let (pp, _) = ink.as_ref().map_or((0, true), |i| i.at(x, y));
                            let dst = c.surface.get(x, y).unwrap_or(0);
                            let v = raster::rop3(code, pp, 0, dst);
                            let v = if p.format.raw() {
                                v & mask
                            } else {
                                p.format.map(v)
                            };
                            c.surface.set(x, y, v);
                        }
                    }
                }
            }
        });
        true
    }

    /// The pixels, monochrome flag and background colour a source DC gives a blit, and
    /// its device origin; what [`Gdi::blt`] takes. The source stays in the table: this clones
    /// only the DC's small state.
    #[allow(clippy::type_complexity)]
    fn source_info(
        &self,
        hdc: u32,
    ) -> Option<(Target, bool, u32, (i32, i32), DcState, Option<Vec<u32>>)> {
        let d = self.dc(hdc)?;
        let (target, mono, palette) = match d.kind {
            DcKind::Display { .. } => (Target::Screen, false, None),
            DcKind::Memory => {
                let b = self.bitmap(d.state.bitmap)?;
                let palette = b
                    .dib
                    .as_ref()
                    .filter(|s| s.format.indexed())
                    .map(|s| s.format.colours.clone());
                (Target::Bitmap(d.state.bitmap), b.mono, palette)
            }
        };
        Some((
            target,
            mono,
            pixel_from_colorref(d.state.bk_colour),
            d.origin,
            d.state.clone(),
            palette,
        ))
    }

    /// A bitmap's pixels as colours (a paletted DIB section's indexes through its table).
    pub fn bitmap_colours(&self, handle: u32) -> Option<Surface> {
        let b = self.bitmap(handle)?;
        let mut s = b.surface.clone();
        if let Some(d) = b.dib.as_ref().filter(|d| d.format.indexed()) {
            for p in s.pixels_mut() {
                *p = d.format.colours.get(*p as usize).copied().unwrap_or(0);
            }
        }
        Some(s)
    }

    /// BitBlt / StretchBlt: the logical rectangle `dst` of `hdc` from the logical rectangle
    /// `src` of `src_dc` (None with a ROP that reads no source), through ROP3 `rop`.
    pub fn blt(
        &mut self,
        screen: &mut Surface,
        hdc: u32,
        dst: Rect,
        src_dc: Option<(u32, Rect)>,
        rop: u32,
    ) -> bool {
        self.blt_masked(screen, hdc, dst, src_dc, rop, None)
    }

    /// MaskBlt: [`Gdi::blt`] with the ROP3 chosen per pixel by `mask` (its foreground code
    /// in `rop`'s bits 16-23 where the mask is white, its background code where black).
    /// With no mask it is BitBlt with the foreground code.
    pub fn mask_blt(
        &mut self,
        screen: &mut Surface,
        hdc: u32,
        dst: Rect,
        src_dc: Option<(u32, Rect)>,
        rop: u32,
        mask: Option<BltMask>,
    ) -> bool {
        let fore = rop & 0x00FF_FFFF;
        let Some(mask) = mask else {
            return self.blt(screen, hdc, dst, src_dc, fore);
        };
        // The ROPs may not read the source: the destination stands in for it.
        let src_dc = src_dc.or(Some((hdc, dst)));
        self.blt_masked(screen, hdc, dst, src_dc, fore, Some(&mask))
    }

    /// [`Gdi::blt`], through `mask` when given.
    fn blt_masked(
        &mut self,
        screen: &mut Surface,
        hdc: u32,
        dst: Rect,
        src_dc: Option<(u32, Rect)>,
        rop: u32,
        mask: Option<&BltMask>,
    ) -> bool {
        let code = (rop >> 16) as u8;
        let (_, uses_s, _) = raster::rop3_uses(code);
        let uses_s = uses_s || mask.is_some();
        let Some((src_hdc, src_r)) = src_dc.filter(|_| uses_s) else {
            return self.pat_blt(screen, hdc, dst, rop, None);
        };
        let Some((starget, mono, bk, sorigin, sstate, palette)) = self.source_info(src_hdc) else {
            return false;
        };
        let (sl, st) = Self::to_device(&sstate, src_r.left, src_r.top);
        let (sr, sb) = Self::to_device(&sstate, src_r.right, src_r.bottom);
        let src_dev = Rect::new(
            sl + sorigin.0,
            st + sorigin.1,
            sr + sorigin.0,
            sb + sorigin.1,
        );
        let Some(dtarget) = self.paint(hdc, screen).map(|p| p.target) else {
            return false;
        };
        if dtarget == starget {
            // The same pixels: read the source first.
            let norm = Rect::new(
                src_dev.left.min(src_dev.right),
                src_dev.top.min(src_dev.bottom),
                src_dev.left.max(src_dev.right),
                src_dev.top.max(src_dev.bottom),
            );
            let copy = match starget {
                Target::Screen => screen.crop(norm),
                Target::Bitmap(h) => match self.bitmap(h) {
                    Some(b) => b.surface.crop(norm),
                    None => return false,
                },
            };
            // The crop is clipped to the surface: its origin is the clipped corner.
            let cl = norm.left.max(0);
            let ct = norm.top.max(0);
            let moved = src_dev.offset(-cl, -ct);
            let src = BltSource {
                surface: &copy,
                mono,
                bk,
                palette: palette.as_deref(),
            };
            return self.blt_from_masked(screen, hdc, dst, src, moved, rop, mask);
        }
        match starget {
            Target::Screen => {
                // Take the screen's pixels aside while the destination (a bitmap) is drawn.
                let copy = std::mem::replace(screen, Surface::new(0, 0, 0));
                let src = BltSource {
                    surface: &copy,
                    mono,
                    bk,
                    palette: palette.as_deref(),
                };
                let mut scratch = Surface::new(0, 0, 0);
                let ok = self.blt_from_masked(&mut scratch, hdc, dst, src, src_dev, rop, mask);
                *screen = copy;
                ok
            }
            Target::Bitmap(h) => {
                // Take the source bitmap's pixels out of the table for the blit.
                let Some(b) = self.bitmap_mut(h) else {
                    return false;
                };
                let pixels = std::mem::replace(&mut b.surface, Surface::new(0, 0, 0));
                let src = BltSource {
                    surface: &pixels,
                    mono,
                    bk,
                    palette: palette.as_deref(),
                };
                let ok = self.blt_from_masked(screen, hdc, dst, src, src_dev, rop, mask);
                if let Some(b) = self.bitmap_mut(h) {
                    b.surface = pixels;
                }
                ok
            }
        }
    }

    /// Blits from pixels outside the table: `src` is in the source's surface coordinates
    /// (its width or height negative to mirror), `dst` logical coordinates of `hdc`. How
    /// StretchDIBits and SetDIBitsToDevice draw, and the rest of [`Gdi::blt`].
    pub fn blt_from(
        &mut self,
        screen: &mut Surface,
        hdc: u32,
        dst: Rect,
        source: BltSource<'_>,
        src: Rect,
        rop: u32,
    ) -> bool {
        self.blt_from_masked(screen, hdc, dst, source, src, rop, None)
    }

    /// [`Gdi::blt_from`], through `mask` when given.
    #[allow(clippy::too_many_arguments)]
    fn blt_from_masked(
        &mut self,
        screen: &mut Surface,
        hdc: u32,
        dst: Rect,
        source: BltSource<'_>,
        src: Rect,
        rop: u32,
        pick: Option<&BltMask>,
    ) -> bool {
        let Some(p) = self.paint(hdc, screen) else {
            return false;
        };
        let Some(s) = self.dc(hdc).map(|d| d.state.clone()) else {
            return false;
        };
        let code = (rop >> 16) as u8;
        let (uses_p, _, _) = raster::rop3_uses(code);
        let uses_p = uses_p || pick.is_some_and(|m| raster::rop3_uses(m.background).0);
        let (l, t) = Self::to_device(&s, dst.left, dst.top);
        let (r, b) = Self::to_device(&s, dst.right, dst.bottom);
        let (dw, dh) = (r - l, b - t);
        let (sw, sh) = (src.width(), src.height());
        if dw == 0 || dh == 0 || sw == 0 || sh == 0 {
            return true;
        }
        let flip_x = (dw < 0) != (sw < 0);
        let flip_y = (dh < 0) != (sh < 0);
        // A negative extent runs from the given point back, the point itself included: the
        // pixels x + w + 1 ..= x.
        let span = |a: i32, b: i32| if b < a { (b + 1, a + 1) } else { (a, b) };
        let (dl, dr) = span(l, r);
        let (dt, db) = span(t, b);
        let d = Rect::new(dl, dt, dr, db).offset(p.origin.0, p.origin.1);
        let (sl, sr) = span(src.left, src.right);
        let (st, sb) = span(src.top, src.bottom);
        let sn = Rect::new(sl, st, sr, sb);
        let (dwa, dha, swa, sha) = (
            d.width() as i64,
            d.height() as i64,
            sn.width() as i64,
            sn.height() as i64,
        );
        let stretch = dwa != swa || dha != sha || flip_x || flip_y;
        let pattern = if uses_p {
            self.brush_ink(s.brush, &s, &p, R2_COPYPEN)
        } else {
            None
        };
        let fg = p.format.map(pixel_from_colorref(s.text_colour));
        let bg = p.format.map(pixel_from_colorref(s.bk_colour));
        let dst_mono = matches!(p.format, Format::Mono);
        let indexed = p.format.indexed();
        let convert = |px: u32| -> u32 {
            if source.mono && !dst_mono {
                return if px == 0 { fg } else { bg };
            }
            let colour = match source.palette {
                Some(pal) => pal.get(px as usize).copied().unwrap_or(0),
                None => px,
            };
            if dst_mono && !source.mono {
                if colour & 0xFF_FFFF == source.bk {
                    0xFF_FFFF
                } else {
                    0
                }
            } else if indexed && !source.mono {
                p.format.map(colour)
            } else {
                colour
            }
        };
        let mask = p.format.mask();
        let identity = source.mono == dst_mono && p.format.is_true() && source.palette.is_none();
        let sfc = source.surface;
        let (sw_s, sh_s) = (sfc.width() as i32, sfc.height() as i32);
        self.with_target(screen, &p, |c| {
            let width = c.surface.width() as usize;
            for clip in c.clip {
                let r = intersect(d, *clip);
                if r.left >= r.right || r.top >= r.bottom {
                    continue;
                }
                for y in r.top..r.bottom {
                    let ry = (y - d.top) as i64;
                    let ry = if flip_y { dha - 1 - ry } else { ry };
                    let sy = sn.top + (ry * sha / dha) as i32;
                    if sy < 0 || sy >= sh_s {
                        continue;
                    }
                    let srow = &sfc.pixels()
                        [sy as usize * sw_s as usize..(sy as usize + 1) * sw_s as usize];
                    let drow_start = y as usize * width;
                    if !stretch && code == 0xCC && identity && pick.is_none() {
                        // SRCCOPY of the same format: a slice copy of what the source has.
                        let sx0 = sn.left + (r.left - d.left);
                        let a = sx0.max(0);
                        let bnd = (sx0 + r.width()).min(sw_s);
                        if a >= bnd {
                            continue;
                        }
                        let dx0 = r.left + (a - sx0);
                        let n = (bnd - a) as usize;
                        let drow = &mut c.surface.pixels_mut()
                            [drow_start + dx0 as usize..drow_start + dx0 as usize + n];
                        let srow = &srow[a as usize..a as usize + n];
                        if mask == u32::MAX {
                            drow.copy_from_slice(srow);
                        } else {
                            for (d, s) in drow.iter_mut().zip(srow) {
                                *d = s & mask;
                            }
                        }
                        continue;
                    }
                    for x in r.left..r.right {
                        let rx = (x - d.left) as i64;
                        let rx = if flip_x { dwa - 1 - rx } else { rx };
                        let sx = sn.left + (rx * swa / dwa) as i32;
                        if sx < 0 || sx >= sw_s {
                            continue;
                        }
                        let sp = convert(srow[sx as usize]);
                        let di = drow_start + x as usize;
                        let dp = c.surface.pixels()[di];
                        let pp = pattern.as_ref().map_or(0, |i| i.at(x, y).0);
                        // The mask picks the code: white its foreground, black background.
                        let code = match pick {
                            Some(m) if !m.white_at(rx as i32, ry as i32) => m.background,
                            _ => code,
                        };
                        let v = if code == 0xCC {
                            sp
                        } else {
                            raster::rop3(code, pp, sp, dp)
                        };
                        c.surface.pixels_mut()[di] = if p.format.raw() {
                            v & mask
                        } else {
                            p.format.map(v)
                        };
                    }
                }
            }
        });
        true
    }

    // ---- clipping ------------------------------------------------------------------------

    /// ExtSelectClipRgn: combines the DC's clip region with `region` (device coordinates;
    /// None with RGN_COPY removes clipping). The result's complexity (0: a bad DC).
    pub fn select_clip(&mut self, hdc: u32, region: Option<&Region>, mode: u32) -> Complexity {
        let vis = self.device_bounds(hdc);
        let Some(d) = self.dc_mut(hdc) else {
            return 0;
        };
        let current = d.state.clip.clone();
        let new = match (mode, region) {
            (region::RGN_COPY, None) => None,
            (region::RGN_COPY, Some(r)) => Some(r.clone()),
            (_, None) => return 0,
            (m, Some(r)) => {
                let base = current.unwrap_or_else(|| Region::rect(vis));
                Some(base.combine(r, m))
            }
        };
        d.state.clip = new;
        Self::clip_complexity(d, vis)
    }

    fn clip_complexity(d: &Dc, vis: Rect) -> Complexity {
        match &d.state.clip {
            None => Region::rect(vis).complexity(),
            Some(c) => c.intersect_rect(vis).complexity(),
        }
    }

    /// The device rectangle a DC may draw in without a clip region.
    pub fn device_bounds(&self, hdc: u32) -> Rect {
        match self.dc(hdc) {
            Some(d) => match d.kind {
                DcKind::Display { .. } => d.vis.offset(-d.origin.0, -d.origin.1),
                DcKind::Memory => self
                    .bitmap(d.state.bitmap)
                    .map_or(Rect::default(), |b| b.surface.bounds()),
            },
            None => Rect::default(),
        }
    }

    /// IntersectClipRect / ExcludeClipRect on a logical rectangle.
    pub fn clip_rect(&mut self, hdc: u32, r: Rect, exclude: bool) -> Complexity {
        let Some(s) = self.dc(hdc).map(|d| d.state.clone()) else {
            return 0;
        };
        let d = Self::rect_to_device(&s, r);
        let mode = if exclude {
            region::RGN_DIFF
        } else {
            region::RGN_AND
        };
        self.select_clip(hdc, Some(&Region::rect(d)), mode)
    }

    /// GetClipBox: the logical bounds of where the DC draws, and its complexity.
    pub fn clip_box(&self, hdc: u32) -> Option<(Rect, Complexity)> {
        let d = self.dc(hdc)?;
        let vis = self.device_bounds(hdc);
        let reg = match &d.state.clip {
            None => Region::rect(vis),
            Some(c) => c.intersect_rect(vis),
        };
        let b = reg.bounds();
        let (l, t) = Self::to_logical(&d.state, b.left, b.top)?;
        let (r, bb) = Self::to_logical(&d.state, b.right, b.bottom)?;
        Some((
            Rect::new(l.min(r), t.min(bb), l.max(r), t.max(bb)),
            reg.complexity(),
        ))
    }

    // ---- bitmaps -------------------------------------------------------------------------

    /// A device bitmap: 1 bit (monochrome) or the screen's depth.
    pub fn create_bitmap(&mut self, width: u32, height: u32, mono: bool) -> u32 {
        self.insert(Object::Bitmap(Box::new(Bitmap {
            surface: Surface::new(width, height, 0),
            bpp: if mono { 1 } else { SCREEN_BPP },
            mono,
            dib: None,
            selected_in: 0,
            dimension: (0, 0),
        })))
    }

    /// The stock 1x1 monochrome bitmap (what a new memory DC has selected).
    pub fn stock_bitmap(&self) -> u32 {
        self.stock_bitmap
    }

    /// Whether a DC draws in monochrome (a memory DC with a 1-bit device bitmap).
    pub fn dc_is_mono(&self, hdc: u32) -> bool {
        self.dc(hdc)
            .filter(|d| d.kind == DcKind::Memory)
            .and_then(|d| self.bitmap(d.state.bitmap))
            .is_some_and(|b| b.mono)
    }

    /// The DIB sections a DC draws on (its selected bitmap if it is one), with their
    /// handles: what GDI32 brings in from and writes back to guest memory around drawing.
    pub fn dib_of(&self, hdc: u32) -> Option<(u32, DibSection)> {
        let d = self.dc(hdc)?;
        if d.kind != DcKind::Memory {
            return None;
        }
        let b = self.bitmap(d.state.bitmap)?;
        Some((d.state.bitmap, b.dib.clone()?))
    }
}

/// The pixels a wide pen covers around a point, as rows (dy, dx0, dx1 exclusive): a round
/// dot for odd widths of 3 and more, a square otherwise.
fn pen_shape(width: i32) -> Vec<(i32, i32, i32)> {
    let width = width.min(0x400);
    let lo = -(width / 2);
    let hi = lo + width;
    if width % 2 == 0 {
        return (lo..hi).map(|dy| (dy, lo, hi)).collect();
    }
    let r = f64::from(width - 1) / 2.0;
    let limit = r * r + r / 2.0;
    (lo..hi)
        .filter_map(|dy| {
            let xs: Vec<i32> = (lo..hi)
                .filter(|&dx| f64::from(dx * dx + dy * dy) <= limit)
                .collect();
            Some((dy, *xs.first()?, *xs.last()? + 1))
        })
        .collect()
}

/// The nearest integer, halves away from zero as NT rounds logical to device points.
fn round(v: f64) -> i32 {
    v.round().clamp(i32::MIN as f64, i32::MAX as f64) as i32
}

/// The spans of several polygons filled together by one rule.
fn multi_polygon_spans(polys: &[Vec<(f64, f64)>], winding: bool) -> Vec<(i32, i32, i32)> {
    // Each polygon's edges go into one list; the scan is polygon_spans' over them.
    let mut edges: Vec<((f64, f64), (f64, f64))> = Vec::new();
    for p in polys {
        for i in 0..p.len() {
            edges.push((p[i], p[(i + 1) % p.len()]));
        }
    }
    let top = edges
        .iter()
        .map(|e| e.0.1.min(e.1.1))
        .fold(f64::INFINITY, f64::min);
    let bottom = edges
        .iter()
        .map(|e| e.0.1.max(e.1.1))
        .fold(f64::NEG_INFINITY, f64::max);
    let mut out = Vec::new();
    if !top.is_finite() || !bottom.is_finite() {
        return out;
    }
    for y in (top.ceil().max(-65536.0) as i32)..(bottom.ceil().min(65536.0) as i32) {
        let fy = y as f64;
        let mut xs: Vec<(f64, i32)> = Vec::new();
        for &(p, q) in &edges {
            if p.1 == q.1 {
                continue;
            }
            let (lo, hi, dir) = if p.1 < q.1 { (p, q, 1) } else { (q, p, -1) };
            if fy >= lo.1 && fy < hi.1 {
                xs.push((lo.0 + (fy - lo.1) * (hi.0 - lo.0) / (hi.1 - lo.1), dir));
            }
        }
        xs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut count = 0;
        for i in 0..xs.len().saturating_sub(1) {
            count += xs[i].1;
            if (winding && count != 0) || (!winding && i % 2 == 0) {
                let (a, b) = (xs[i].0.ceil() as i32, xs[i + 1].0.ceil() as i32);
                if a < b {
                    out.push((y, a, b));
                }
            }
        }
    }
    out
}

/// A rectangle or (rounded) ellipse as a polygon, for drawing under a rotation.
fn shape_outline(r: Rect, corner: Option<(i32, i32)>) -> Vec<(i32, i32)> {
    match corner {
        None => vec![
            (r.left, r.top),
            (r.right, r.top),
            (r.right, r.bottom),
            (r.left, r.bottom),
        ],
        Some((ew, eh)) => {
            let (cx, cy) = (
                (r.left + r.right) as f64 / 2.0,
                (r.top + r.bottom) as f64 / 2.0,
            );
            let (a, b) = (r.width() as f64 / 2.0, r.height() as f64 / 2.0);
            let (ea, eb) = ((ew as f64 / 2.0).min(a), (eh as f64 / 2.0).min(b));
            let mut pts = Vec::new();
            for q in 0..4 {
                let (sx, sy) = [(1.0, -1.0), (-1.0, -1.0), (-1.0, 1.0), (1.0, 1.0)][q];
                let (ccx, ccy) = (cx + sx * (a - ea), cy + sy * (b - eb));
                for i in 0..=8 {
                    let t = (q as f64 * 90.0 + i as f64 * 90.0 / 8.0).to_radians();
                    pts.push((
                        (ccx + ea * t.cos()).round() as i32,
                        (ccy - eb * t.sin()).round() as i32,
                    ));
                }
            }
            pts
        }
    }
}

#[cfg(test)]
mod tests;
