//! Text: NT 4.0's stock raster fonts, the font mapper, text metrics and extents, drawing
//! glyphs into a [`Surface`], and DrawText's layout ([`drawtext`]).
//!
//! Nothing here knows about handles, DCs or guest memory: GDI32 keeps a [`LogFont`] per
//! HFONT, realizes it with [`Font::realize`] when the font is selected (or used), and calls
//! the realized [`Font`] for its exports:
//!
//! | export | call |
//! | --- | --- |
//! | CreateFont(Indirect)A/W | [`LogFont::from_bytes_a`] / [`LogFont::from_bytes_w`] (or fields) |
//! | GetStockObject(*_FONT) | [`StockFont::from_index`], [`StockFont::logfont`] |
//! | GetObject(hfont) | [`LogFont::to_bytes_a`] / [`LogFont::to_bytes_w`] |
//! | GetTextMetricsA/W | [`Font::metrics`], [`TextMetric::to_bytes_a`] / [`TextMetric::to_bytes_w`] |
//! | GetTextFaceA/W | [`Font::face_name`] |
//! | GetCharWidth(32)A/W | [`Font::char_width`] (W: [`Font::char_width_w`]) |
//! | GetCharABCWidths | [`Font::abc_widths`] (NT fails it for raster fonts: see there) |
//! | GetTextExtentPoint(32)A/W | [`Font::text_extent`] |
//! | GetTextExtentExPointA/W | [`Font::fit`] |
//! | GetTextCharset | [`Font::metrics`]`.char_set` |
//! | EnumFonts / EnumFontFamilies(Ex) | [`enumerate`] (FontType [`RASTER_FONTTYPE`]) |
//! | TabbedTextOut / GetTabbedTextExtent | [`drawtext::tabbed`] then [`Font::draw`] per run |
//! | TextOut / ExtTextOut | [`align`] then [`Font::draw`] with a [`TextDraw`] |
//! | DrawText(Ex)A/W | [`drawtext::layout`] then [`drawtext::draw`] |
//!
//! Text is UTF-16 everywhere ([`ansi_to_unicode`] turns an A function's bytes of code page
//! 1252 into it): each face has the 256 codes of its character set (Windows-1252 for the ANSI
//! faces, code page 437 for Terminal, whose charset is OEM_CHARSET) and a character the face
//! lacks is drawn as its default char, as NT's raster fonts do.
//!
//! # The faces
//!
//! NT 4.0's stock fonts are raster fonts: vgasys.fon ("System", bold, 16 px), sserife.fon
//! ("MS Sans Serif", 13/16/20/24/29/37 px: 8/10/12/14/18/24 pt at 96 dpi), coure.fon
//! ("Courier", 13/16/20 px), vgafix.fon ("Fixedsys", 8x15) and vgaoem.fon ("Terminal", 8x12,
//! OEM). This module has one strike for each of those sizes, with NT's metrics ([`FACES`])
//! and NT's per-character advance widths (MS Sans Serif 24/29/37: the glyph source's own,
//! held to NT's maximum), and glyph shapes from free bitmap fonts: X11 misc-fixed (public
//! domain) for Fixedsys and Terminal, Adobe's Helvetica and Courier for X11 (75 and 100 dpi,
//! under Adobe's permissive licence) for System, MS Sans Serif and Courier, placed in NT's cells by
//! `tools/fontgen/gen.py` into `strikes.bin` (System's and MS Sans Serif 8 pt's capitals are
//! made a row taller, to NT's heights, by doubling the row above the x-height). The licences
//! are in `FONT-LICENCES.txt` beside this file. No font is rasterized at run time.
//!
//! ## Where the numbers come from
//!
//! - TEXTMETRIC heights, ascents, descents, leadings, average and maximum widths, weights and
//!   first/last/default/break chars of System 16, MS Sans Serif 13/16/20, Courier 13/16/20 and
//!   Fixedsys 15 at 96 dpi: the table of Windows' raster font metrics in Wine 8.0's
//!   dlls/gdi32/tests/font.c (`test_bitmap_font_metrics`, values measured on Windows; the
//!   FS_LATIN1 rows), which NT 4.0's fonts of the same files share.
//! - Terminal 8x12: vgaoem.fon at 96 dpi, tmHeight 12, tmAscent 10, tmDescent 2, no leading,
//!   8 wide, OEM_CHARSET, FIXED_PITCH | FF_MODERN (the stock OEM_FIXED_FONT's LOGFONT in
//!   `test_stock_fonts`/`test_oemcharset` asks exactly that; KB Q105299 names it as the
//!   console's OEM fixed-pitch face). Wine's table has no Terminal row ("FIXME: add
//!   Terminal"), so its first char (0x00: code page 437's pictures 0x01-0x1F are drawn) and
//!   default char ('?') are this module's estimates.
//! - tmPitchAndFamily: FF_SWISS | TMPF_FIXED_PITCH (which, despite its name, marks a
//!   *variable* pitch font) = 0x21 for System and MS Sans Serif (Wine's system.sfd and
//!   ms_sans_serif.sfd carry 33 = 0x21 as their Windows family byte), FF_MODERN = 0x30 for the
//!   fixed faces (the LOGFONTs of the stock fixed fonts ask FIXED_PITCH | FF_MODERN).
//! - Per-character advance widths of System and MS Sans Serif: the bitmap strikes of Wine 8.0's
//!   fonts/system.sfd and fonts/ms_sans_serif.sfd, fonts made to have Windows' metrics (their
//!   average and maximum widths are the ones the test table above checks against Windows),
//!   copied as numbers into tools/fontgen/widths.txt.
//! - MS Sans Serif 24/29/37 px: the same table's 96 dpi FS_LATIN1 rows.
//! - The mapper's penalty weights: Ron Gery, "Windows Font Mapping" (MSDN, 1992), see
//!   [`Font::realize`].
//! - The stock fonts' LOGFONTs (GetObject on GetStockObject's fonts): Wine 8.0's
//!   dlls/gdi32/tests/font.c `test_stock_fonts` (heights, weights, faces measured on Windows)
//!   with NT 4.0's faces: DEFAULT_GUI_FONT is "MS Sans Serif" -11 on NT 4.0 ("MS Shell Dlg"
//!   came with Windows 2000), SYSTEM_FIXED_FONT is "Fixedsys", OEM_FIXED_FONT "Terminal".
//!
//! # Simulations
//!
//! As NT does with raster faces, a height a face lacks may be made by scaling a size by an
//! integer (up to [`MAX_SCALE`]) when the mapper finds that nearer: every face pixel becomes
//! a square and every metric and advance is multiplied ([`Font::scale`]).
//!
//! Like NT's raster fonts, a face is emboldened when the LOGFONT asks FW_SEMIBOLD or more of a
//! face lighter than that: each glyph is drawn twice, one pixel apart, each advance grows by
//! one and tmOverhang is 1 (so NT 4.0's bold captions in MS Sans Serif 8 pt are the 13 px
//! face emboldened: their advances in the sokoban screenshot are the face's plus one). The
//! extent of a bold run is the sum of those advances, which is where KB Q74298's
//! "GetTextExtent returns the extent of the text plus 1 for bold text" (tmOverhang) goes.
//! Italic shears the glyph rows (tmOverhang (height - 1) / 2); underline and strikeout draw a
//! line of the run's width.

pub mod drawtext;

use std::sync::OnceLock;

use crate::geometry::Rect;
use crate::surface::{Surface, intersect};

/// FW_NORMAL.
pub const FW_NORMAL: i32 = 400;
/// FW_SEMIBOLD: the weight from which a lighter face is emboldened.
pub const FW_SEMIBOLD: i32 = 600;
/// FW_BOLD.
pub const FW_BOLD: i32 = 700;
/// ANSI_CHARSET.
pub const ANSI_CHARSET: u8 = 0;
/// DEFAULT_CHARSET.
pub const DEFAULT_CHARSET: u8 = 1;
/// SYMBOL_CHARSET.
pub const SYMBOL_CHARSET: u8 = 2;
/// OEM_CHARSET.
pub const OEM_CHARSET: u8 = 255;
/// DEFAULT_PITCH.
pub const DEFAULT_PITCH: u8 = 0;
/// FIXED_PITCH.
pub const FIXED_PITCH: u8 = 1;
/// VARIABLE_PITCH.
pub const VARIABLE_PITCH: u8 = 2;
/// FF_DONTCARE.
pub const FF_DONTCARE: u8 = 0x00;
/// FF_ROMAN.
pub const FF_ROMAN: u8 = 0x10;
/// FF_SWISS.
pub const FF_SWISS: u8 = 0x20;
/// FF_MODERN.
pub const FF_MODERN: u8 = 0x30;
/// FF_SCRIPT.
pub const FF_SCRIPT: u8 = 0x40;
/// FF_DECORATIVE.
pub const FF_DECORATIVE: u8 = 0x50;
/// TMPF_FIXED_PITCH: set in tmPitchAndFamily for a *variable* pitch font.
pub const TMPF_FIXED_PITCH: u8 = 0x01;

/// TA_LEFT (0), TA_RIGHT and TA_CENTER: the horizontal alignment bits.
pub const TA_RIGHT: u32 = 2;
/// TA_CENTER.
pub const TA_CENTER: u32 = 6;
/// TA_BOTTOM (TA_TOP is 0).
pub const TA_BOTTOM: u32 = 8;
/// TA_BASELINE.
pub const TA_BASELINE: u32 = 24;
/// TA_UPDATECP.
pub const TA_UPDATECP: u32 = 1;

/// A LOGFONT: what CreateFont asks for.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct LogFont {
    /// lfHeight: > 0 the cell height, < 0 the character height (cell less internal leading),
    /// 0 the default size.
    pub height: i32,
    /// lfWidth (0: the face's own).
    pub width: i32,
    /// lfEscapement, in tenths of a degree.
    pub escapement: i32,
    /// lfOrientation.
    pub orientation: i32,
    /// lfWeight (0: FW_DONTCARE, taken as FW_NORMAL).
    pub weight: i32,
    /// lfItalic.
    pub italic: bool,
    /// lfUnderline.
    pub underline: bool,
    /// lfStrikeOut.
    pub strike_out: bool,
    /// lfCharSet.
    pub char_set: u8,
    /// lfOutPrecision.
    pub out_precision: u8,
    /// lfClipPrecision.
    pub clip_precision: u8,
    /// lfQuality.
    pub quality: u8,
    /// lfPitchAndFamily: pitch in the low 2 bits, family in bits 4-7.
    pub pitch_and_family: u8,
    /// lfFaceName, without the NUL (at most 31 characters as NT keeps it).
    pub face_name: String,
}

/// Size of a LOGFONTA.
pub const LOGFONTA_SIZE: usize = 60;
/// Size of a LOGFONTW.
pub const LOGFONTW_SIZE: usize = 92;

fn le_i32(b: &[u8], at: usize) -> i32 {
    i32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl LogFont {
    /// A LOGFONTA from its bytes (None when fewer than [`LOGFONTA_SIZE`]); the face name is
    /// read as code page 1252 up to its NUL or 32 bytes.
    pub fn from_bytes_a(b: &[u8]) -> Option<LogFont> {
        if b.len() < LOGFONTA_SIZE {
            return None;
        }
        let name = &b[28..60];
        let end = name.iter().position(|&c| c == 0).unwrap_or(31).min(31);
        let mut lf = LogFont::from_head(b);
        lf.face_name = String::from_utf16_lossy(&ansi_to_unicode(&name[..end]));
        Some(lf)
    }

    /// A LOGFONTW from its bytes (None when fewer than [`LOGFONTW_SIZE`]).
    pub fn from_bytes_w(b: &[u8]) -> Option<LogFont> {
        if b.len() < LOGFONTW_SIZE {
            return None;
        }
        let units: Vec<u16> = b[28..92]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .take_while(|&u| u != 0)
            .take(31)
            .collect();
        let mut lf = LogFont::from_head(b);
        lf.face_name = String::from_utf16_lossy(&units);
        Some(lf)
    }

    fn from_head(b: &[u8]) -> LogFont {
        LogFont {
            height: le_i32(b, 0),
            width: le_i32(b, 4),
            escapement: le_i32(b, 8),
            orientation: le_i32(b, 12),
            weight: le_i32(b, 16),
            italic: b[20] != 0,
            underline: b[21] != 0,
            strike_out: b[22] != 0,
            char_set: b[23],
            out_precision: b[24],
            clip_precision: b[25],
            quality: b[26],
            pitch_and_family: b[27],
            face_name: String::new(),
        }
    }

    fn head(&self) -> [u8; 28] {
        let mut h = [0u8; 28];
        for (i, v) in [
            self.height,
            self.width,
            self.escapement,
            self.orientation,
            self.weight,
        ]
        .iter()
        .enumerate()
        {
            h[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
        }
        h[20] = self.italic as u8;
        h[21] = self.underline as u8;
        h[22] = self.strike_out as u8;
        h[23] = self.char_set;
        h[24] = self.out_precision;
        h[25] = self.clip_precision;
        h[26] = self.quality;
        h[27] = self.pitch_and_family;
        h
    }

    /// The LOGFONTA bytes (GetObjectA): the face name in code page 1252, '?' for what it lacks.
    pub fn to_bytes_a(&self) -> [u8; LOGFONTA_SIZE] {
        let mut b = [0u8; LOGFONTA_SIZE];
        b[..28].copy_from_slice(&self.head());
        let units: Vec<u16> = self.face_name.encode_utf16().take(31).collect();
        for (i, u) in units.iter().enumerate() {
            b[28 + i] = unicode_to_byte(*u, false).unwrap_or(b'?');
        }
        b
    }

    /// The LOGFONTW bytes (GetObjectW).
    pub fn to_bytes_w(&self) -> [u8; LOGFONTW_SIZE] {
        let mut b = [0u8; LOGFONTW_SIZE];
        b[..28].copy_from_slice(&self.head());
        for (i, u) in self.face_name.encode_utf16().take(31).enumerate() {
            b[28 + i * 2..30 + i * 2].copy_from_slice(&u.to_le_bytes());
        }
        b
    }
}

/// The stock fonts of GetStockObject.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StockFont {
    /// OEM_FIXED_FONT (10): Terminal.
    OemFixed,
    /// ANSI_FIXED_FONT (11): Courier.
    AnsiFixed,
    /// ANSI_VAR_FONT (12): MS Sans Serif.
    AnsiVar,
    /// SYSTEM_FONT (13): System.
    System,
    /// DEVICE_DEFAULT_FONT (14): System.
    DeviceDefault,
    /// SYSTEM_FIXED_FONT (16): Fixedsys.
    SystemFixed,
    /// DEFAULT_GUI_FONT (17): MS Sans Serif 8 pt.
    DefaultGui,
}

impl StockFont {
    /// The stock font of GetStockObject's index `i` (10-14, 16, 17), if it is one.
    pub fn from_index(i: u32) -> Option<StockFont> {
        Some(match i {
            10 => StockFont::OemFixed,
            11 => StockFont::AnsiFixed,
            12 => StockFont::AnsiVar,
            13 => StockFont::System,
            14 => StockFont::DeviceDefault,
            16 => StockFont::SystemFixed,
            17 => StockFont::DefaultGui,
            _ => return None,
        })
    }

    /// The LOGFONT GetObject gives for it (see the module doc for the sources).
    pub fn logfont(self) -> LogFont {
        let (height, width, weight, char_set, pf, face) = match self {
            StockFont::OemFixed => (
                12,
                8,
                FW_NORMAL,
                OEM_CHARSET,
                FIXED_PITCH | FF_MODERN,
                "Terminal",
            ),
            StockFont::AnsiFixed => (
                12,
                9,
                FW_NORMAL,
                ANSI_CHARSET,
                FIXED_PITCH | FF_MODERN,
                "Courier",
            ),
            StockFont::AnsiVar => (
                12,
                9,
                FW_NORMAL,
                ANSI_CHARSET,
                VARIABLE_PITCH | FF_SWISS,
                "MS Sans Serif",
            ),
            StockFont::System => (
                16,
                7,
                FW_BOLD,
                ANSI_CHARSET,
                VARIABLE_PITCH | FF_SWISS,
                "System",
            ),
            StockFont::DeviceDefault => (
                16,
                0,
                FW_BOLD,
                ANSI_CHARSET,
                VARIABLE_PITCH | FF_SWISS,
                "System",
            ),
            StockFont::SystemFixed => (
                16,
                8,
                FW_NORMAL,
                ANSI_CHARSET,
                FIXED_PITCH | FF_MODERN,
                "Fixedsys",
            ),
            StockFont::DefaultGui => (
                -11,
                0,
                FW_NORMAL,
                ANSI_CHARSET,
                VARIABLE_PITCH | FF_SWISS,
                "MS Sans Serif",
            ),
        };
        LogFont {
            height,
            width,
            weight,
            char_set,
            pitch_and_family: pf,
            face_name: face.into(),
            ..LogFont::default()
        }
    }

    /// The realized font.
    pub fn font(self) -> Font {
        Font::realize(&self.logfont())
    }
}

/// A TEXTMETRIC (the A form's byte chars; [`TextMetric::to_bytes_w`] widens them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TextMetric {
    /// tmHeight: the cell height.
    pub height: i32,
    /// tmAscent.
    pub ascent: i32,
    /// tmDescent.
    pub descent: i32,
    /// tmInternalLeading.
    pub internal_leading: i32,
    /// tmExternalLeading.
    pub external_leading: i32,
    /// tmAveCharWidth.
    pub ave_char_width: i32,
    /// tmMaxCharWidth.
    pub max_char_width: i32,
    /// tmWeight.
    pub weight: i32,
    /// tmOverhang.
    pub overhang: i32,
    /// tmDigitizedAspectX.
    pub digitized_aspect_x: i32,
    /// tmDigitizedAspectY.
    pub digitized_aspect_y: i32,
    /// tmFirstChar.
    pub first_char: u8,
    /// tmLastChar.
    pub last_char: u8,
    /// tmDefaultChar.
    pub default_char: u8,
    /// tmBreakChar.
    pub break_char: u8,
    /// tmItalic.
    pub italic: bool,
    /// tmUnderlined.
    pub underlined: bool,
    /// tmStruckOut.
    pub struck_out: bool,
    /// tmPitchAndFamily.
    pub pitch_and_family: u8,
    /// tmCharSet.
    pub char_set: u8,
}

/// Size of a TEXTMETRICA.
pub const TEXTMETRICA_SIZE: usize = 56;
/// Size of a TEXTMETRICW.
pub const TEXTMETRICW_SIZE: usize = 60;

impl TextMetric {
    fn longs(&self) -> [u8; 44] {
        let mut b = [0u8; 44];
        for (i, v) in [
            self.height,
            self.ascent,
            self.descent,
            self.internal_leading,
            self.external_leading,
            self.ave_char_width,
            self.max_char_width,
            self.weight,
            self.overhang,
            self.digitized_aspect_x,
            self.digitized_aspect_y,
        ]
        .iter()
        .enumerate()
        {
            b[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
        }
        b
    }

    fn tail(&self) -> [u8; 5] {
        [
            self.italic as u8,
            self.underlined as u8,
            self.struck_out as u8,
            self.pitch_and_family,
            self.char_set,
        ]
    }

    /// The TEXTMETRICA bytes.
    pub fn to_bytes_a(&self) -> [u8; TEXTMETRICA_SIZE] {
        let mut b = [0u8; TEXTMETRICA_SIZE];
        b[..44].copy_from_slice(&self.longs());
        b[44..48].copy_from_slice(&[
            self.first_char,
            self.last_char,
            self.default_char,
            self.break_char,
        ]);
        b[48..53].copy_from_slice(&self.tail());
        b
    }

    /// The TEXTMETRICW bytes: the four chars as the UTF-16 of the face's character set
    /// (an OEM face's chars through code page 437).
    pub fn to_bytes_w(&self) -> [u8; TEXTMETRICW_SIZE] {
        let mut b = [0u8; TEXTMETRICW_SIZE];
        b[..44].copy_from_slice(&self.longs());
        let oem = self.char_set == OEM_CHARSET;
        for (i, c) in [
            self.first_char,
            self.last_char,
            self.default_char,
            self.break_char,
        ]
        .iter()
        .enumerate()
        {
            let u = byte_to_unicode(*c, oem);
            b[44 + i * 2..46 + i * 2].copy_from_slice(&u.to_le_bytes());
        }
        b[52..57].copy_from_slice(&self.tail());
        b
    }
}

/// One of the faces and sizes this module has, with NT 4.0's metrics for it.
#[derive(Clone, Copy, Debug)]
pub struct FaceSize {
    /// The face name (GetTextFace).
    pub face: &'static str,
    /// Its TEXTMETRIC as NT 4.0 gives it at 96 dpi (no simulation).
    pub metrics: TextMetric,
}

const fn tm(
    (height, ascent, internal_leading): (i32, i32, i32),
    (ave, max): (i32, i32),
    weight: i32,
    (first, last, default): (u8, u8, u8),
    pitch_and_family: u8,
    char_set: u8,
) -> TextMetric {
    TextMetric {
        height,
        ascent,
        descent: height - ascent,
        internal_leading,
        external_leading: 0,
        ave_char_width: ave,
        max_char_width: max,
        weight,
        overhang: 0,
        digitized_aspect_x: 96,
        digitized_aspect_y: 96,
        first_char: first,
        last_char: last,
        default_char: default,
        break_char: 0x20,
        italic: false,
        underlined: false,
        struck_out: false,
        pitch_and_family,
        char_set,
    }
}

const SWISS_VAR: u8 = FF_SWISS | TMPF_FIXED_PITCH;

/// The faces and sizes, in the order of the strikes in strikes.bin (tools/fontgen/gen.py's
/// STRIKES). The numbers: Wine 8.0 dlls/gdi32/tests/font.c `test_bitmap_font_metrics`, the
/// 96 dpi FS_LATIN1 rows ({face, weight, height, ascent, descent, int_leading, ext_leading,
/// ave, max, dpi, first, last, default, break}) as measured on Windows; Terminal: see the
/// module doc.
pub const FACES: [FaceSize; 12] = [
    // { "System", FW_BOLD, 16, 13, 3, 3, 0, 7, 14, 96, 0x20, 0xff, 0x80, 0x20, FS_LATIN1 }
    FaceSize {
        face: "System",
        metrics: tm(
            (16, 13, 3),
            (7, 14),
            FW_BOLD,
            (0x20, 0xFF, 0x80),
            SWISS_VAR,
            ANSI_CHARSET,
        ),
    },
    // { "MS Sans Serif", FW_NORMAL, 13, 11, 2, 2, 0, 5, 11, 96, 0x20, 0xff, 0x81, 0x20 }
    FaceSize {
        face: "MS Sans Serif",
        metrics: tm(
            (13, 11, 2),
            (5, 11),
            FW_NORMAL,
            (0x20, 0xFF, 0x81),
            SWISS_VAR,
            ANSI_CHARSET,
        ),
    },
    // { "MS Sans Serif", FW_NORMAL, 16, 13, 3, 3, 0, 7, 14, 96, 0x20, 0xff, 0x81, 0x20 }
    FaceSize {
        face: "MS Sans Serif",
        metrics: tm(
            (16, 13, 3),
            (7, 14),
            FW_NORMAL,
            (0x20, 0xFF, 0x81),
            SWISS_VAR,
            ANSI_CHARSET,
        ),
    },
    // { "MS Sans Serif", FW_NORMAL, 20, 16, 4, 4, 0, 8, 16, 96, 0x20, 0xff, 0x81, 0x20 }
    FaceSize {
        face: "MS Sans Serif",
        metrics: tm(
            (20, 16, 4),
            (8, 16),
            FW_NORMAL,
            (0x20, 0xFF, 0x81),
            SWISS_VAR,
            ANSI_CHARSET,
        ),
    },
    // { "MS Sans Serif", FW_NORMAL, 24, 19, 5, 6, 0, 9, 19, 96, 0x20, 0xff, 0x81, 0x20 }
    FaceSize {
        face: "MS Sans Serif",
        metrics: tm(
            (24, 19, 6),
            (9, 19),
            FW_NORMAL,
            (0x20, 0xFF, 0x81),
            SWISS_VAR,
            ANSI_CHARSET,
        ),
    },
    // { "MS Sans Serif", FW_NORMAL, 29, 23, 6, 5, 0, 12, 24, 96, 0x20, 0xff, 0x81, 0x20 }
    FaceSize {
        face: "MS Sans Serif",
        metrics: tm(
            (29, 23, 5),
            (12, 24),
            FW_NORMAL,
            (0x20, 0xFF, 0x81),
            SWISS_VAR,
            ANSI_CHARSET,
        ),
    },
    // { "MS Sans Serif", FW_NORMAL, 37, 29, 8, 5, 0, 16, 32, 96, 0x20, 0xff, 0x81, 0x20 }
    FaceSize {
        face: "MS Sans Serif",
        metrics: tm(
            (37, 29, 5),
            (16, 32),
            FW_NORMAL,
            (0x20, 0xFF, 0x81),
            SWISS_VAR,
            ANSI_CHARSET,
        ),
    },
    // { "Courier", FW_NORMAL, 13, 11, 2, 0, 0, 8, 8, 96, 0x20, 0xff, 0x80, 0x20 }
    FaceSize {
        face: "Courier",
        metrics: tm(
            (13, 11, 0),
            (8, 8),
            FW_NORMAL,
            (0x20, 0xFF, 0x80),
            FF_MODERN,
            ANSI_CHARSET,
        ),
    },
    // { "Courier", FW_NORMAL, 16, 13, 3, 0, 0, 9, 9, 96, 0x20, 0xff, 0x80, 0x20 }
    FaceSize {
        face: "Courier",
        metrics: tm(
            (16, 13, 0),
            (9, 9),
            FW_NORMAL,
            (0x20, 0xFF, 0x80),
            FF_MODERN,
            ANSI_CHARSET,
        ),
    },
    // { "Courier", FW_NORMAL, 20, 16, 4, 0, 0, 12, 12, 96, 0x20, 0xff, 0x80, 0x20 }
    FaceSize {
        face: "Courier",
        metrics: tm(
            (20, 16, 0),
            (12, 12),
            FW_NORMAL,
            (0x20, 0xFF, 0x80),
            FF_MODERN,
            ANSI_CHARSET,
        ),
    },
    // { "Fixedsys", FW_NORMAL, 15, 12, 3, 3, 0, 8, 8, 96, 0x20, 0xff, 0x80, 0x20 }
    FaceSize {
        face: "Fixedsys",
        metrics: tm(
            (15, 12, 3),
            (8, 8),
            FW_NORMAL,
            (0x20, 0xFF, 0x80),
            FF_MODERN,
            ANSI_CHARSET,
        ),
    },
    // Terminal 8x12 (vgaoem.fon): estimated, see the module doc.
    FaceSize {
        face: "Terminal",
        metrics: tm(
            (12, 10, 0),
            (8, 8),
            FW_NORMAL,
            (0x00, 0xFF, 0x3F),
            FF_MODERN,
            OEM_CHARSET,
        ),
    },
];

const SYSTEM16: usize = 0;
const SSERIF13: usize = 1;
const COURIER13: usize = 7;
const FIXEDSYS15: usize = 10;
const TERMINAL12: usize = 11;
/// The largest integer factor a raster face is scaled by.
pub const MAX_SCALE: i32 = 8;

/// The glyphs of one strike: advance and 1-bit rows of each code first..=last.
#[derive(Debug)]
struct Strike {
    height: usize,
    first: u8,
    last: u8,
    advances: Vec<u8>,
    /// Offset of each glyph's rows in `bits`.
    offsets: Vec<usize>,
    bits: Vec<u8>,
}

impl Strike {
    fn glyph(&self, code: u8) -> Option<(i32, &[u8], usize)> {
        if code < self.first || code > self.last {
            return None;
        }
        let i = (code - self.first) as usize;
        let adv = self.advances[i] as usize;
        let stride = adv.div_ceil(8);
        let at = self.offsets[i];
        Some((
            adv as i32,
            &self.bits[at..at + stride * self.height],
            stride,
        ))
    }
}

static STRIKES_BIN: &[u8] = include_bytes!("strikes.bin");

/// The strikes, parsed once from strikes.bin.
fn strikes() -> &'static [Strike] {
    static S: OnceLock<Vec<Strike>> = OnceLock::new();
    S.get_or_init(|| {
        let b = STRIKES_BIN;
        let mut at = 0;
        let mut out = Vec::new();
        while at + 3 <= b.len() {
            let (height, first, last) = (b[at] as usize, b[at + 1], b[at + 2]);
            at += 3;
            let mut s = Strike {
                height,
                first,
                last,
                advances: Vec::new(),
                offsets: Vec::new(),
                bits: Vec::new(),
            };
            for _ in first..=last {
                let adv = b[at] as usize;
                at += 1;
                let n = adv.div_ceil(8) * height;
                s.advances.push(adv as u8);
                s.offsets.push(s.bits.len());
                s.bits.extend_from_slice(&b[at..at + n]);
                at += n;
            }
            out.push(s);
        }
        out
    })
}

/// Windows-1252's 0x80-0x9F (0: not defined).
const CP1252_HIGH: [u16; 32] = [
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
    0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
];

/// Code page 437's 0x80-0xFF.
const CP437_HIGH: [u16; 128] = [
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8, 0x00EF,
    0x00EE, 0x00EC, 0x00C4, 0x00C5, 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
    0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192, 0x00E1, 0x00ED, 0x00F3, 0x00FA,
    0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557,
    0x255D, 0x255C, 0x255B, 0x2510, 0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559,
    0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
    0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4, 0x03A6, 0x0398, 0x03A9, 0x03B4,
    0x221E, 0x03C6, 0x03B5, 0x2229, 0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248,
    0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
];

/// The UTF-16 of code `b` of code page 1252 (`oem` false) or 437 (`oem` true). Codes 1252
/// leaves undefined map to themselves, as MultiByteToWideChar does.
pub fn byte_to_unicode(b: u8, oem: bool) -> u16 {
    match (oem, b) {
        (false, 0x80..=0x9F) => match CP1252_HIGH[(b - 0x80) as usize] {
            0 => u16::from(b),
            u => u,
        },
        (true, 0x80..=0xFF) => CP437_HIGH[(b - 0x80) as usize],
        _ => u16::from(b),
    }
}

/// The code of `u` in code page 1252 (`oem` false) or 437 (`oem` true), if it has one.
pub fn unicode_to_byte(u: u16, oem: bool) -> Option<u8> {
    if u < 0x80 {
        return Some(u as u8);
    }
    if oem {
        return CP437_HIGH
            .iter()
            .position(|&c| c == u)
            .map(|i| 0x80 + i as u8);
    }
    if (0xA0..=0xFF).contains(&u) {
        return Some(u as u8);
    }
    if let Some(i) = CP1252_HIGH.iter().position(|&c| c == u && c != 0) {
        return Some(0x80 + i as u8);
    }
    // the codes 1252 leaves undefined round-trip
    matches!(u, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D).then_some(u as u8)
}

/// An A function's text (code page 1252, the ANSI code page of an English NT 4.0) as UTF-16.
pub fn ansi_to_unicode(bytes: &[u8]) -> Vec<u16> {
    bytes.iter().map(|&b| byte_to_unicode(b, false)).collect()
}

/// A realized font: a face and size with the simulations the LOGFONT asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Font {
    /// Index in [`FACES`].
    face_index: usize,
    /// The integer factor the face is scaled by (1 to [`MAX_SCALE`]).
    scale: i32,
    /// Drawn emboldened (each glyph twice, one face pixel apart).
    pub bold: bool,
    /// Drawn sheared.
    pub italic: bool,
    /// Underlined.
    pub underline: bool,
    /// Struck out.
    pub strike_out: bool,
}

/// How a face name asks for the faces here: Some((face index, exact)). Besides the faces'
/// own names: NT 4.0's FontSubstitutes (Helv and MS Shell Dlg are MS Sans Serif), and for
/// the TrueType faces NT 4.0 has and this module lacks, the raster face nearest in look
/// (Arial and the other sans serif faces: MS Sans Serif; Courier New: Courier). The
/// substitutes cost FaceNameSubst's 500 in the mapper.
fn face_by_name(name: &str) -> Option<(usize, bool)> {
    let n = name.trim().to_ascii_lowercase();
    Some(match n.as_str() {
        "system" => (SYSTEM16, true),
        "ms sans serif" => (SSERIF13, true),
        "courier" => (COURIER13, true),
        "fixedsys" => (FIXEDSYS15, true),
        "terminal" => (TERMINAL12, true),
        "ms shell dlg" | "helv" | "helvetica" | "arial" | "tahoma" | "verdana" | "ms serif"
        | "tms rmn" | "times" | "times new roman" | "small fonts" | "ms sans serif bold" => {
            (SSERIF13, false)
        }
        "courier new" | "lucida console" => (COURIER13, false),
        _ => return None,
    })
}

/// The family (FF_*) of a face.
fn family_of(face: usize) -> u8 {
    FACES[face].metrics.pitch_and_family & 0xF0
}

fn variable(face: usize) -> bool {
    FACES[face].metrics.pitch_and_family & TMPF_FIXED_PITCH != 0
}

// The penalties of Windows' font mapper (Ron Gery, "Windows Font Mapping", MSDN 1992: the
// Windows 3.1 mapper, whose weights NT's GDI mapper took over) that can differ between the
// faces here.
const PENALTY_CHARSET: i64 = 65000;
const PENALTY_FIXED_PITCH: i64 = 15000;
const PENALTY_FACE_NAME: i64 = 10000;
const PENALTY_FAMILY: i64 = 9000;
const PENALTY_HEIGHT_BIGGER: i64 = 600;
const PENALTY_FACE_NAME_SUBST: i64 = 500;
const PENALTY_PITCH_VARIABLE: i64 = 350;
/// Per pixel the candidate is smaller than asked.
const PENALTY_HEIGHT_SMALLER: i64 = 150;
/// Per pixel the candidate is bigger than asked (on top of PENALTY_HEIGHT_BIGGER).
const PENALTY_HEIGHT_BIGGER_DIFFERENCE: i64 = 150;
/// A scaled (synthesized) size.
const PENALTY_SIZE_SYNTH: i64 = 50;
/// Per integer multiple of a scaled size.
const PENALTY_INT_SIZE_SYNTH: i64 = 20;

impl Font {
    /// NT's font mapper over the faces here, by the penalties of Windows' mapper (the
    /// PENALTY_* weights above): each face and size, scaled by 1 to [`MAX_SCALE`], is charged
    /// for a charset it lacks (not when the face is named exactly: this module has each face
    /// in one charset only), a variable pitch where fixed was asked (and a little for fixed
    /// where variable was), a face name other than asked (less for a substitute name, see
    /// `face_by_name`), another family, and its height's distance from the one asked (a
    /// bigger one much more than a smaller one; lfHeight > 0 compares the cell height, < 0
    /// the character height, the cell less its internal leading; 0 asks no height and takes
    /// the face's first size unscaled); the least charged wins, the first in [`FACES`] order
    /// on a tie (so an empty LOGFONT is the System font). A face name no face here answers to
    /// leaves MS Sans Serif ahead of System on a tie. Weights of FW_SEMIBOLD and more
    /// embolden a lighter face; italic, underline and strikeout are simulated.
    pub fn realize(lf: &LogFont) -> Font {
        let pitch = lf.pitch_and_family & 3;
        let family = lf.pitch_and_family & 0xF0;
        let named = face_by_name(&lf.face_name);
        let want = i64::from(lf.height).abs();
        let mut best: Option<(i64, usize, i32)> = None;
        for (i, face) in FACES.iter().enumerate() {
            let m = &face.metrics;
            let mut base = 0i64;
            let exact = named.is_some_and(|(f, e)| e && FACES[f].face == face.face);
            if lf.char_set != DEFAULT_CHARSET && lf.char_set != m.char_set && !exact {
                base += PENALTY_CHARSET;
            }
            if pitch == FIXED_PITCH && variable(i) {
                base += PENALTY_FIXED_PITCH;
            }
            if pitch == VARIABLE_PITCH && !variable(i) {
                base += PENALTY_PITCH_VARIABLE;
            }
            match named {
                Some((f, e)) if FACES[f].face == face.face => {
                    if !e {
                        base += PENALTY_FACE_NAME_SUBST;
                    }
                }
                None if lf.face_name.trim().is_empty() => {}
                None if i == SYSTEM16 => base += PENALTY_FACE_NAME + 1,
                _ => base += PENALTY_FACE_NAME,
            }
            if family != FF_DONTCARE && family != family_of(i) {
                base += PENALTY_FAMILY;
            }
            let unit = i64::from(if lf.height < 0 {
                m.height - m.internal_leading
            } else {
                m.height
            });
            let scales = if lf.height == 0 { 1 } else { MAX_SCALE };
            for k in 1..=scales {
                let h = unit * i64::from(k);
                let mut p = base;
                if lf.height != 0 {
                    p += if h > want {
                        PENALTY_HEIGHT_BIGGER + PENALTY_HEIGHT_BIGGER_DIFFERENCE * (h - want)
                    } else {
                        PENALTY_HEIGHT_SMALLER * (want - h)
                    };
                }
                if k > 1 {
                    p += PENALTY_SIZE_SYNTH + PENALTY_INT_SIZE_SYNTH * i64::from(k);
                }
                if best.is_none_or(|(b, _, _)| p < b) {
                    best = Some((p, i, k));
                }
            }
        }
        let (_, face_index, scale) = best.unwrap_or((0, SYSTEM16, 1));
        Font {
            face_index,
            scale,
            bold: lf.weight >= FW_SEMIBOLD && FACES[face_index].metrics.weight < FW_SEMIBOLD,
            italic: lf.italic,
            underline: lf.underline,
            strike_out: lf.strike_out,
        }
    }

    /// Its face and size: an index in [`FACES`].
    pub fn face_index(&self) -> usize {
        self.face_index
    }

    /// The integer factor its face is scaled by (1 to [`MAX_SCALE`]), as NT scales raster
    /// faces for heights they lack: each face pixel is drawn as `scale` x `scale` pixels.
    pub fn scale(&self) -> i32 {
        self.scale
    }

    /// The face name (GetTextFace).
    pub fn face_name(&self) -> &'static str {
        FACES[self.face_index].face
    }

    fn strike(&self) -> &'static Strike {
        &strikes()[self.face_index]
    }

    fn k(&self) -> i32 {
        self.scale.clamp(1, MAX_SCALE)
    }

    fn oem(&self) -> bool {
        FACES[self.face_index].metrics.char_set == OEM_CHARSET
    }

    /// The italic shear's overhang.
    fn italic_overhang(&self) -> i32 {
        if self.italic {
            (FACES[self.face_index].metrics.height - 1) / 2 * self.k()
        } else {
            0
        }
    }

    /// Its TEXTMETRIC (GetTextMetrics): the face's, scaled; an emboldened face's weight is
    /// FW_BOLD, its average and maximum widths are one face pixel more and tmOverhang is 1
    /// (Wine's gdi32 tests `test_fake_bold_font` measured that on Windows, scaled or not); an
    /// italic's overhang is its shear.
    pub fn metrics(&self) -> TextMetric {
        let k = self.k();
        let mut m = FACES[self.face_index].metrics;
        let b = i32::from(self.bold);
        m.height *= k;
        m.ascent *= k;
        m.descent *= k;
        m.internal_leading *= k;
        m.external_leading *= k;
        m.ave_char_width = (m.ave_char_width + b) * k;
        m.max_char_width = (m.max_char_width + b) * k;
        if self.bold {
            m.weight = FW_BOLD;
            m.overhang = 1;
        }
        m.overhang += self.italic_overhang();
        m.italic = self.italic;
        m.underlined = self.underline;
        m.struck_out = self.strike_out;
        m
    }

    /// The code in the face's character set that draws `u`: its own, or the default char.
    pub fn code_of(&self, u: u16) -> u8 {
        let m = &FACES[self.face_index].metrics;
        match unicode_to_byte(u, self.oem()) {
            Some(c) if c >= m.first_char && c <= m.last_char => c,
            _ => m.default_char,
        }
    }

    /// The advance of code `code` of the face's character set (GetCharWidthA), the
    /// default char's for a code outside it; one face pixel more when emboldened.
    pub fn char_width(&self, code: u8) -> i32 {
        let m = &FACES[self.face_index].metrics;
        let c = if code < m.first_char || code > m.last_char {
            m.default_char
        } else {
            code
        };
        let w = self
            .strike()
            .glyph(c)
            .map(|g| g.0)
            .unwrap_or(m.ave_char_width);
        (w + i32::from(self.bold)) * self.k()
    }

    /// The advance of the UTF-16 character `u` (GetCharWidthW).
    pub fn char_width_w(&self, u: u16) -> i32 {
        self.char_width(self.code_of(u))
    }

    /// ABC widths of a character as (A, B, C) with A = C = 0 and B the advance. NT 4.0's
    /// GetCharABCWidths fails for raster fonts (it is for TrueType); GDI32 should return
    /// FALSE for these faces and may use this where a caller only needs advances.
    pub fn abc_widths(&self, u: u16) -> (i32, u32, i32) {
        (0, self.char_width_w(u).max(0) as u32, 0)
    }

    /// GetTextExtentPoint32's size of `text`: the sum of the advances (each emboldened one
    /// already one wider, which is where NT's bold overhang goes) by the cell height; an
    /// italic run adds its overhang once.
    pub fn text_extent(&self, text: &[u16]) -> (i32, i32) {
        let w: i32 = text.iter().map(|&u| self.char_width_w(u)).sum();
        let extra = if text.is_empty() {
            0
        } else {
            self.italic_overhang()
        };
        (w + extra, FACES[self.face_index].metrics.height * self.k())
    }

    /// The x offsets where each character of `text` begins, and the run's end (what
    /// GetTextExtentExPoint's partial extents give, and where DrawText puts a prefix line).
    pub fn positions(&self, text: &[u16]) -> Vec<i32> {
        let mut out = Vec::with_capacity(text.len() + 1);
        let mut x = 0;
        out.push(0);
        for &u in text {
            x += self.char_width_w(u);
            out.push(x);
        }
        out
    }

    /// GetTextExtentExPoint's answer: how many characters of `text` fit in `max_extent`
    /// pixels (the count whose advances sum to no more than it) and each character's
    /// cumulative extent.
    pub fn fit(&self, text: &[u16], max_extent: i32) -> (usize, Vec<i32>) {
        let ends: Vec<i32> = self.positions(text).into_iter().skip(1).collect();
        let fit = ends.iter().take_while(|&&e| e <= max_extent).count();
        (fit, ends)
    }

    /// Draws `text` with its cell's top-left at (x, y) (use [`align`] for the DC's text
    /// alignment), as [`TextDraw`] says; returns the run's advance (where the next run
    /// begins, for TA_UPDATECP).
    pub fn draw(&self, surface: &mut Surface, x: i32, y: i32, text: &[u16], how: &TextDraw) -> i32 {
        let m = self.metrics();
        let k = self.k();
        let clips: Vec<Rect> = how
            .clip
            .iter()
            .map(|c| intersect(*c, surface.bounds()))
            .filter(|c| c.left < c.right && c.top < c.bottom)
            .collect();
        let fill = |surface: &mut Surface, r: Rect, pixel: u32| {
            for c in &clips {
                surface.fill(intersect(r, *c), pixel);
            }
        };
        if let (Some(r), Some(bk)) = (how.opaque_rect, how.background) {
            fill(surface, r, bk);
        }
        // advances: the caller's (ExtTextOut lpDx) or the font's
        let advances: Vec<i32> = text
            .iter()
            .enumerate()
            .map(|(i, &u)| {
                how.dx
                    .and_then(|d| d.get(i).copied())
                    .unwrap_or_else(|| self.char_width_w(u))
            })
            .collect();
        let total = advances.iter().fold(0i32, |a, &b| a.saturating_add(b));
        if let (Some(bk), None) = (how.background, how.opaque_rect) {
            let right = x
                .saturating_add(total)
                .saturating_add(self.italic_overhang());
            fill(
                surface,
                Rect::new(x, y, right, y.saturating_add(m.height)),
                bk,
            );
        }
        let strike = self.strike();
        let height = strike.height as i32;
        let bit = |row: &[u8], gx: i32| row[(gx / 8) as usize] & (0x80 >> (gx % 8)) != 0;
        let mut pen = x;
        for (i, &u) in text.iter().enumerate() {
            let code = self.code_of(u);
            let visible = pen.unsigned_abs() < FAR && y.unsigned_abs() < FAR;
            if let Some((adv, rows, stride)) = strike.glyph(code).filter(|_| visible) {
                // the glyph's box, with the bold and italic pixels it may reach
                let reach = adv + i32::from(self.bold) + self.italic_overhang() / k;
                let cell = Rect::new(pen, y, pen.saturating_add(reach * k), y + height * k);
                if k == 1 && clips.iter().any(|c| contains(c, &cell)) {
                    // wholly visible: set the pixels straight
                    let width = surface.width() as usize;
                    let pixels = surface.pixels_mut();
                    for gy in 0..height {
                        let shear = if self.italic {
                            (height - 1 - gy) / 2
                        } else {
                            0
                        };
                        let row = &rows[gy as usize * stride..(gy as usize + 1) * stride];
                        let line = (y + gy) as usize * width;
                        for gx in 0..adv {
                            if bit(row, gx) {
                                let px = (pen + gx + shear) as usize;
                                pixels[line + px] = how.colour;
                                if self.bold {
                                    pixels[line + px + 1] = how.colour;
                                }
                            }
                        }
                    }
                } else {
                    for gy in 0..height {
                        let shear = if self.italic {
                            (height - 1 - gy) / 2
                        } else {
                            0
                        };
                        let row = &rows[gy as usize * stride..(gy as usize + 1) * stride];
                        let mut gx = 0;
                        while gx < adv {
                            if !bit(row, gx) {
                                gx += 1;
                                continue;
                            }
                            // a run of set bits, drawn as one rectangle per clip
                            let start = gx;
                            while gx < adv && bit(row, gx) {
                                gx += 1;
                            }
                            let end = gx + i32::from(self.bold);
                            let top = y + gy * k;
                            let r = Rect::new(
                                pen + (start + shear) * k,
                                top,
                                pen + (end + shear) * k,
                                top + k,
                            );
                            fill(surface, r, how.colour);
                        }
                    }
                }
            }
            pen = pen.saturating_add(advances[i]);
        }
        let face = &FACES[self.face_index].metrics;
        let line = |surface: &mut Surface, row: i32| {
            let top = y.saturating_add(row);
            let r = Rect::new(x, top, x.saturating_add(total), top.saturating_add(k));
            fill(surface, r, how.colour);
        };
        if self.underline {
            line(surface, (face.ascent + 1).min(height - 1) * k);
        }
        if self.strike_out {
            line(
                surface,
                (face.ascent - 1 - (face.ascent - face.internal_leading) / 3) * k,
            );
        }
        total
    }

    /// Draws one underline of `width` pixels under the character cell at (x, y): the line
    /// DrawText puts under a '&' prefixed character (the row an underlined font uses).
    pub fn draw_underline(
        &self,
        surface: &mut Surface,
        x: i32,
        y: i32,
        width: i32,
        how: &TextDraw,
    ) {
        let k = self.k();
        let f = &FACES[self.face_index].metrics;
        let row = y.saturating_add((f.ascent + 1).min(f.height - 1) * k);
        let r = Rect::new(x, row, x.saturating_add(width), row.saturating_add(k));
        for c in how.clip {
            let c = intersect(*c, surface.bounds());
            surface.fill(intersect(r, c), how.colour);
        }
    }
}

/// RASTER_FONTTYPE: the FontType EnumFonts and EnumFontFamilies give these faces.
pub const RASTER_FONTTYPE: u32 = 1;

/// The faces EnumFontFamilies (and EnumFonts) lists, in its order: with no name, one entry
/// per face (its first size); with a name, every size of the face of that name (none for a
/// name no face here has). Each is the LOGFONT that realizes it (lfHeight its tmHeight,
/// lfWidth its tmAveCharWidth, and the precisions and quality raster faces enumerate with:
/// OUT_STRING_PRECIS, CLIP_STROKE_PRECIS, DRAFT_QUALITY) with its TEXTMETRIC; the FontType
/// is [`RASTER_FONTTYPE`].
pub fn enumerate(face: Option<&str>) -> Vec<(LogFont, TextMetric)> {
    let mut out: Vec<(LogFont, TextMetric)> = Vec::new();
    for f in FACES.iter() {
        let wanted = match face {
            Some(name) => f.face.eq_ignore_ascii_case(name.trim()),
            None => !out.iter().any(|(l, _)| l.face_name == f.face),
        };
        if !wanted {
            continue;
        }
        let m = f.metrics;
        let pitch = if m.pitch_and_family & TMPF_FIXED_PITCH != 0 {
            VARIABLE_PITCH
        } else {
            FIXED_PITCH
        };
        let lf = LogFont {
            height: m.height,
            width: m.ave_char_width,
            weight: m.weight,
            char_set: m.char_set,
            out_precision: 1,
            clip_precision: 2,
            quality: 1,
            pitch_and_family: pitch | (m.pitch_and_family & 0xF0),
            face_name: f.face.into(),
            ..LogFont::default()
        };
        out.push((lf, m));
    }
    out
}

/// Glyphs whose pen is this far from the origin are not drawn (no surface is that large, and
/// the arithmetic of their pixels stays far from overflowing).
const FAR: u32 = 1 << 28;

/// Whether `outer` holds all of `inner`.
fn contains(outer: &Rect, inner: &Rect) -> bool {
    inner.left >= outer.left
        && inner.top >= outer.top
        && inner.right <= outer.right
        && inner.bottom <= outer.bottom
}

/// How [`Font::draw`] draws a run.
#[derive(Clone, Copy, Debug)]
pub struct TextDraw<'a> {
    /// The text colour, a pixel (0x00RRGGBB).
    pub colour: u32,
    /// The background colour when the DC's mode is OPAQUE (or ExtTextOut has ETO_OPAQUE):
    /// the run's cells (or `opaque_rect`) are filled with it first.
    pub background: Option<u32>,
    /// ExtTextOut's ETO_OPAQUE rectangle, filled with `background` instead of the cells.
    pub opaque_rect: Option<Rect>,
    /// Nothing is drawn outside these rectangles (the DC's clip region as rectangles, and
    /// ETO_CLIPPED's rectangle intersected into them); empty draws nothing.
    pub clip: &'a [Rect],
    /// ExtTextOut's lpDx: the advance after each character, in place of the font's.
    pub dx: Option<&'a [i32]>,
}

/// Where a run's cell begins for the DC's text alignment: (x, y) is the reference point,
/// `width` the run's extent ([`Font::text_extent`]); TA_LEFT/TA_RIGHT/TA_CENTER and
/// TA_TOP/TA_BOTTOM/TA_BASELINE (TA_UPDATECP is for the caller: it moves the current position
/// by the run's advance).
pub fn align(ta: u32, x: i32, y: i32, width: i32, metrics: &TextMetric) -> (i32, i32) {
    let left = match ta & TA_CENTER {
        TA_CENTER => x.saturating_sub(width / 2),
        TA_RIGHT => x.saturating_sub(width),
        _ => x,
    };
    let top = match ta & TA_BASELINE {
        TA_BASELINE => y.saturating_sub(metrics.ascent),
        TA_BOTTOM => y.saturating_sub(metrics.height),
        _ => y,
    };
    (left, top)
}

#[cfg(test)]
mod tests;
