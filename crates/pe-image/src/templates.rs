//! Typed readers of what resources hold, for the Win32 functions that use them and for the
//! GUI work that draws them: string tables ([`string_table_block`]), message tables
//! ([`MessageTable`]), version information ([`VersionNode`]), icon and cursor groups and
//! images ([`IconGroup`], [`CursorImage`]), bitmaps ([`BitmapInfo`], [`bitmap_file`]), menus
//! ([`Menu`]), dialogs ([`DialogTemplate`]) and accelerator tables ([`accelerators`]).
//!
//! Each reader takes the resource's bytes (LoadResource's view) and returns the structure
//! the SDK's resource formats describe, 32-bit (Win32) formats only. Truncated or
//! inconsistent data is an [`ImageError`], never a panic.

use crate::resources::ResourceId;
use crate::{ImageError, Malformation};

fn bad(what: &'static str) -> ImageError {
    ImageError::Malformed(Malformation::Resource(what))
}

/// A little-endian reader over a resource's bytes that fails with `what` when data runs out.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn new(data: &'a [u8], what: &'static str) -> Self {
        Reader { data, pos: 0, what }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], ImageError> {
        let end = self.pos.checked_add(n).ok_or_else(|| bad(self.what))?;
        let s = self.data.get(self.pos..end).ok_or_else(|| bad(self.what))?;
        self.pos = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, ImageError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, ImageError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn i16(&mut self) -> Result<i16, ImageError> {
        Ok(self.u16()? as i16)
    }

    fn u32(&mut self) -> Result<u32, ImageError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn i32(&mut self) -> Result<i32, ImageError> {
        Ok(self.u32()? as i32)
    }

    /// A NUL-terminated UTF-16 string.
    fn sz(&mut self) -> Result<String, ImageError> {
        let mut units = Vec::new();
        loop {
            match self.u16()? {
                0 => break,
                u => units.push(u),
            }
        }
        Ok(String::from_utf16_lossy(&units))
    }

    /// A name-or-ordinal field: 0 (none), 0xFFFF then an ordinal, or a string.
    fn sz_or_ord(&mut self) -> Result<Option<ResourceId>, ImageError> {
        let save = self.pos;
        match self.u16()? {
            0 => Ok(None),
            0xFFFF => Ok(Some(ResourceId::Id(self.u16()?))),
            _ => {
                self.pos = save;
                Ok(Some(ResourceId::Name(self.sz()?)))
            }
        }
    }

    fn align4(&mut self) {
        self.pos = (self.pos + 3) & !3;
    }

    fn at_end(&self) -> bool {
        self.pos >= self.data.len()
    }
}

// ---- strings ------------------------------------------------------------------------------

/// The RT_STRING resource holding string `id` (its name is the block number) and the
/// string's index in that block: strings are kept sixteen to a block, block `id / 16 + 1`.
pub fn string_block_of(id: u32) -> (u16, usize) {
    ((((id & 0xFFFF) >> 4) + 1) as u16, (id & 0xF) as usize)
}

/// The sixteen strings of an RT_STRING block, as UTF-16 units (an absent string is
/// empty). Each is a length in characters and that many characters, without a NUL.
pub fn string_table_block(data: &[u8]) -> Result<Vec<Vec<u16>>, ImageError> {
    let mut r = Reader::new(data, "string table truncated");
    let mut out = Vec::with_capacity(16);
    for _ in 0..16 {
        if r.at_end() {
            out.push(Vec::new());
            continue;
        }
        let len = r.u16()? as usize;
        let bytes = r.take(2 * len)?;
        out.push(
            bytes
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect(),
        );
    }
    Ok(out)
}

/// Where string `index` of a block lies in the block's data: the offset of its first
/// character and its length in characters (LoadStringW with a zero-length buffer returns
/// a pointer to it).
pub fn string_in_block(data: &[u8], index: usize) -> Result<(usize, usize), ImageError> {
    let mut r = Reader::new(data, "string table truncated");
    for i in 0..16 {
        if r.at_end() {
            return Ok((r.pos, 0));
        }
        let len = r.u16()? as usize;
        if i == index {
            r.take(2 * len)?;
            return Ok((r.pos - 2 * len, len));
        }
        r.take(2 * len)?;
    }
    Err(bad("string index beyond its block"))
}

// ---- message tables ---------------------------------------------------------------------

/// MESSAGE_RESOURCE_ENTRY's flag for UTF-16 text.
pub const MESSAGE_RESOURCE_UNICODE: u16 = 0x0001;

/// The text of one message of a message table.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum MessageText {
    /// Text in the ANSI code page (NUL padding removed).
    Ansi(Vec<u8>),
    /// UTF-16 text (NUL padding removed).
    Unicode(Vec<u16>),
}

/// An RT_MESSAGETABLE resource: blocks of consecutive message ids.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MessageTable {
    /// (LowId, HighId, OffsetToEntries) of each MESSAGE_RESOURCE_BLOCK.
    pub blocks: Vec<(u32, u32, u32)>,
    data: Vec<u8>,
}

impl MessageTable {
    /// Reads the block list (entries are read when looked up).
    pub fn parse(data: &[u8]) -> Result<MessageTable, ImageError> {
        let mut r = Reader::new(data, "message table truncated");
        let count = r.u32()? as usize;
        if count > data.len() / 12 {
            return Err(bad("message table block count"));
        }
        let mut blocks = Vec::with_capacity(count);
        for _ in 0..count {
            let (low, high, offset) = (r.u32()?, r.u32()?, r.u32()?);
            if high < low {
                return Err(bad("message table block ids reversed"));
            }
            blocks.push((low, high, offset));
        }
        Ok(MessageTable {
            blocks,
            data: data.to_vec(),
        })
    }

    /// The text of message `id`, if the table has it.
    pub fn find(&self, id: u32) -> Result<Option<MessageText>, ImageError> {
        let Some(&(low, _, offset)) = self.blocks.iter().find(|b| b.0 <= id && id <= b.1) else {
            return Ok(None);
        };
        let mut r = Reader::new(&self.data, "message table entry outside");
        r.pos = offset as usize;
        for _ in low..id {
            let len = r.u16()? as usize;
            if len < 4 {
                return Err(bad("message table entry length"));
            }
            r.take(len - 2)?;
        }
        let len = r.u16()? as usize;
        let flags = r.u16()?;
        if len < 4 {
            return Err(bad("message table entry length"));
        }
        let text = r.take(len - 4)?;
        Ok(Some(if flags & MESSAGE_RESOURCE_UNICODE != 0 {
            let mut units: Vec<u16> = text
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            while units.last() == Some(&0) {
                units.pop();
            }
            MessageText::Unicode(units)
        } else {
            let mut bytes = text.to_vec();
            while bytes.last() == Some(&0) {
                bytes.pop();
            }
            MessageText::Ansi(bytes)
        }))
    }
}

// ---- version information ------------------------------------------------------------------

/// One node of a VS_VERSIONINFO tree (VS_VERSIONINFO itself, StringFileInfo, a
/// StringTable, a String, VarFileInfo, a Var).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct VersionNode {
    /// szKey.
    pub key: String,
    /// wType: 1 for text, 0 for binary data.
    pub value_type: u16,
    /// Offset of the value from the start of the resource.
    pub value_offset: usize,
    /// The value's length in bytes (a text value without its NUL).
    pub value_len: usize,
    /// The node's children, in order.
    pub children: Vec<VersionNode>,
}

/// VS_FIXEDFILEINFO's signature.
pub const VS_FFI_SIGNATURE: u32 = 0xFEEF_04BD;

/// VS_FIXEDFILEINFO: the root value of version information.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct FixedFileInfo {
    /// dwStrucVersion.
    pub struc_version: u32,
    /// dwFileVersionMS, dwFileVersionLS.
    pub file_version: (u32, u32),
    /// dwProductVersionMS, dwProductVersionLS.
    pub product_version: (u32, u32),
    /// dwFileFlagsMask.
    pub file_flags_mask: u32,
    /// dwFileFlags.
    pub file_flags: u32,
    /// dwFileOS.
    pub file_os: u32,
    /// dwFileType.
    pub file_type: u32,
    /// dwFileSubtype.
    pub file_subtype: u32,
    /// dwFileDateMS, dwFileDateLS.
    pub file_date: (u32, u32),
}

impl VersionNode {
    /// Reads a 32-bit VS_VERSIONINFO resource.
    pub fn parse(data: &[u8]) -> Result<VersionNode, ImageError> {
        Self::node(data, 0, 0)
    }

    fn node(data: &[u8], at: usize, depth: usize) -> Result<VersionNode, ImageError> {
        if depth > 8 {
            return Err(bad("version information nested too deep"));
        }
        let mut r = Reader::new(data, "version information truncated");
        r.pos = at;
        let length = r.u16()? as usize;
        let value_length = r.u16()? as usize;
        let value_type = r.u16()?;
        let end = at.checked_add(length).ok_or_else(|| bad(r.what))?;
        if length < 6 || end > data.len() {
            return Err(bad("version information node length"));
        }
        let key = r.sz()?;
        r.align4();
        let value_offset = r.pos.min(end);
        // Text lengths count characters (with the NUL); binary lengths count bytes.
        let value_bytes = if value_type == 1 {
            2 * value_length
        } else {
            value_length
        };
        let value_end = value_offset.saturating_add(value_bytes).min(end);
        let mut value_len = value_end - value_offset;
        if value_type == 1 {
            // Up to the NUL.
            let units = &data[value_offset..value_end];
            value_len = units
                .chunks_exact(2)
                .position(|c| c == [0, 0])
                .map_or(value_len & !1, |i| 2 * i);
        }
        let mut children = Vec::new();
        let mut child = (value_end + 3) & !3;
        while child + 6 <= end {
            let node = Self::node(&data[..end], child, depth + 1)?;
            let len = u16::from_le_bytes([data[child], data[child + 1]]) as usize;
            children.push(node);
            child = (child + len.max(6) + 3) & !3;
        }
        Ok(VersionNode {
            key,
            value_type,
            value_offset,
            value_len,
            children,
        })
    }

    /// The node a VerQueryValue sub-block path names below this one (`\\StringFileInfo\\
    /// 040904B0\\FileVersion`; keys compared without regard to case; empty parts ignored).
    pub fn query(&self, path: &str) -> Option<&VersionNode> {
        let mut node = self;
        for part in path.split('\\').filter(|p| !p.is_empty()) {
            node = node
                .children
                .iter()
                .find(|c| c.key.eq_ignore_ascii_case(part))?;
        }
        Some(node)
    }

    /// The VS_FIXEDFILEINFO of a VS_VERSIONINFO root, when its value is one.
    pub fn fixed_file_info(&self, data: &[u8]) -> Option<FixedFileInfo> {
        let v = data.get(self.value_offset..self.value_offset + self.value_len)?;
        if v.len() < 52 {
            return None;
        }
        let w = |i: usize| u32::from_le_bytes([v[4 * i], v[4 * i + 1], v[4 * i + 2], v[4 * i + 3]]);
        if w(0) != VS_FFI_SIGNATURE {
            return None;
        }
        Some(FixedFileInfo {
            struc_version: w(1),
            file_version: (w(2), w(3)),
            product_version: (w(4), w(5)),
            file_flags_mask: w(6),
            file_flags: w(7),
            file_os: w(8),
            file_type: w(9),
            file_subtype: w(10),
            file_date: (w(11), w(12)),
        })
    }

    /// A text value, decoded.
    pub fn text(&self, data: &[u8]) -> Option<String> {
        let v = data.get(self.value_offset..self.value_offset + self.value_len)?;
        let units: Vec<u16> = v
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        Some(String::from_utf16_lossy(&units))
    }
}

// ---- icons and cursors ------------------------------------------------------------------

/// One image listed by an RT_GROUP_ICON or RT_GROUP_CURSOR resource.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct IconDirEntry {
    /// Width in pixels (0 in an icon group means 256).
    pub width: u16,
    /// Height in pixels (a cursor group gives twice the height: the XOR and AND masks).
    pub height: u16,
    /// Colours in the palette (icons; 0 for 256 or more).
    pub color_count: u8,
    /// Colour planes.
    pub planes: u16,
    /// Bits per pixel.
    pub bit_count: u16,
    /// Size of the RT_ICON / RT_CURSOR resource.
    pub bytes_in_res: u32,
    /// The name (number) of the RT_ICON / RT_CURSOR resource holding the image.
    pub id: u16,
}

/// An RT_GROUP_ICON or RT_GROUP_CURSOR resource: the images one icon or cursor comes in.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct IconGroup {
    /// 1 for an icon, 2 for a cursor.
    pub kind: u16,
    /// The images.
    pub entries: Vec<IconDirEntry>,
}

impl IconGroup {
    /// Reads a group directory (NEWHEADER and its 14-byte RESDIR entries).
    pub fn parse(data: &[u8]) -> Result<IconGroup, ImageError> {
        let mut r = Reader::new(data, "icon group truncated");
        let _reserved = r.u16()?;
        let kind = r.u16()?;
        if kind != 1 && kind != 2 {
            return Err(bad("icon group type"));
        }
        let count = r.u16()? as usize;
        let mut entries = Vec::with_capacity(count.min(data.len() / 14));
        for _ in 0..count {
            let (width, height, color_count) = if kind == 1 {
                let (w, h, c) = (r.u8()?, r.u8()?, r.u8()?);
                let _reserved = r.u8()?;
                (
                    if w == 0 { 256 } else { u16::from(w) },
                    if h == 0 { 256 } else { u16::from(h) },
                    c,
                )
            } else {
                (r.u16()?, r.u16()?, 0)
            };
            entries.push(IconDirEntry {
                width,
                height,
                color_count,
                planes: r.u16()?,
                bit_count: r.u16()?,
                bytes_in_res: r.u32()?,
                id: r.u16()?,
            });
        }
        Ok(IconGroup { kind, entries })
    }
}

/// An RT_CURSOR resource: the hot spot, then the image as an icon's (a DIB).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct CursorImage {
    /// The hot spot (x, y).
    pub hotspot: (u16, u16),
    /// The image's header (its height counts the XOR and AND masks).
    pub bitmap: BitmapInfo,
}

impl CursorImage {
    /// Reads a cursor image's hot spot and DIB header.
    pub fn parse(data: &[u8]) -> Result<CursorImage, ImageError> {
        let mut r = Reader::new(data, "cursor truncated");
        let hotspot = (r.u16()?, r.u16()?);
        let bitmap = BitmapInfo::parse(data.get(4..).unwrap_or_default())?;
        Ok(CursorImage { hotspot, bitmap })
    }
}

// ---- bitmaps ------------------------------------------------------------------------------

/// The header of a device-independent bitmap (RT_BITMAP, or an icon or cursor image).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct BitmapInfo {
    /// biSize: 40 for BITMAPINFOHEADER (or larger versions), 12 for BITMAPCOREHEADER.
    pub header_size: u32,
    /// Width in pixels.
    pub width: i32,
    /// Height in pixels (negative: top-down).
    pub height: i32,
    /// Planes (1).
    pub planes: u16,
    /// Bits per pixel.
    pub bit_count: u16,
    /// biCompression (BI_RGB 0, BI_RLE8 1, BI_RLE4 2, BI_BITFIELDS 3).
    pub compression: u32,
    /// biSizeImage (0 for uncompressed bitmaps is allowed).
    pub size_image: u32,
    /// Palette entries that follow the header.
    pub palette_entries: u32,
    /// Bytes of one palette entry (4, or 3 after a core header).
    pub palette_entry_size: u32,
    /// Offset of the pixel bits from the start of the DIB.
    pub bits_offset: u32,
}

impl BitmapInfo {
    /// Reads a DIB's header and works out where its palette and bits lie.
    pub fn parse(dib: &[u8]) -> Result<BitmapInfo, ImageError> {
        let mut r = Reader::new(dib, "bitmap header truncated");
        let header_size = r.u32()?;
        let (width, height, planes, bit_count, compression, size_image, used, entry) =
            if header_size == 12 {
                let w = i32::from(r.u16()?);
                let h = i32::from(r.u16()?);
                (w, h, r.u16()?, r.u16()?, 0, 0, 0, 3)
            } else if header_size >= 40 {
                let (w, h, p, b, c, s) =
                    (r.i32()?, r.i32()?, r.u16()?, r.u16()?, r.u32()?, r.u32()?);
                let _ppm = (r.i32()?, r.i32()?);
                let used = r.u32()?;
                (w, h, p, b, c, s, used, 4)
            } else {
                return Err(bad("bitmap header size"));
            };
        if !matches!(bit_count, 1 | 4 | 8 | 16 | 24 | 32) {
            return Err(bad("bitmap bits per pixel"));
        }
        let palette_entries = if used != 0 {
            used
        } else if bit_count <= 8 {
            1 << bit_count
        } else {
            0
        };
        if palette_entries > 256 && bit_count <= 8 {
            return Err(bad("bitmap palette size"));
        }
        let masks = if compression == 3 && header_size == 40 {
            12
        } else {
            0
        };
        let bits_offset = header_size
            .checked_add(masks)
            .and_then(|o| o.checked_add(palette_entries.checked_mul(entry)?))
            .ok_or_else(|| bad("bitmap palette size"))?;
        Ok(BitmapInfo {
            header_size,
            width,
            height,
            planes,
            bit_count,
            compression,
            size_image,
            palette_entries,
            palette_entry_size: entry,
            bits_offset,
        })
    }

    /// Bytes of one row of pixels (rows are padded to 32 bits); u32::MAX for a width no
    /// row of that many bytes can hold (a header that claims one is bad input, not a
    /// reason to overflow).
    pub fn stride(&self) -> u32 {
        let bits = u64::from(self.width.unsigned_abs()) * u64::from(self.bit_count);
        u32::try_from(bits.div_ceil(32) * 4).unwrap_or(u32::MAX)
    }
}

/// An RT_BITMAP resource as a `.bmp` file: the DIB with the BITMAPFILEHEADER the resource
/// compiler took off.
pub fn bitmap_file(dib: &[u8]) -> Result<Vec<u8>, ImageError> {
    let info = BitmapInfo::parse(dib)?;
    let size = u32::try_from(dib.len() + 14).map_err(|_| bad("bitmap too large"))?;
    let mut out = Vec::with_capacity(dib.len() + 14);
    out.extend_from_slice(b"BM");
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&[0u8; 4]);
    out.extend_from_slice(&(14 + info.bits_offset).to_le_bytes());
    out.extend_from_slice(dib);
    Ok(out)
}

// ---- menus --------------------------------------------------------------------------------

/// MF_POPUP: the item opens a submenu.
pub const MF_POPUP: u16 = 0x0010;
/// MF_END: the last item of its (sub)menu.
pub const MF_END: u16 = 0x0080;

/// One item of a menu template.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MenuItem {
    /// The item's flags (MF_* in a standard template; wFlags in an extended one).
    pub flags: u16,
    /// MFT_* type (extended templates; 0 otherwise).
    pub item_type: u32,
    /// MFS_* state (extended templates; 0 otherwise).
    pub state: u32,
    /// The command id (0 for a popup in a standard template).
    pub id: u32,
    /// The text (empty for a separator).
    pub text: String,
    /// A popup's items.
    pub children: Vec<MenuItem>,
}

/// An RT_MENU resource: a standard (MENUITEMTEMPLATE) or extended (MENUEX) template.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Menu {
    /// True for an extended template.
    pub extended: bool,
    /// The top-level items.
    pub items: Vec<MenuItem>,
}

impl Menu {
    /// Reads a menu template.
    pub fn parse(data: &[u8]) -> Result<Menu, ImageError> {
        let mut r = Reader::new(data, "menu template truncated");
        let version = r.u16()?;
        let offset = r.u16()?;
        match version {
            0 => {
                r.take(offset as usize)?;
                let items = Self::standard(&mut r, 0)?;
                Ok(Menu {
                    extended: false,
                    items,
                })
            }
            1 => {
                r.pos = 4 + offset as usize;
                let items = Self::extended(&mut r, 0)?;
                Ok(Menu {
                    extended: true,
                    items,
                })
            }
            _ => Err(bad("menu template version")),
        }
    }

    fn standard(r: &mut Reader<'_>, depth: usize) -> Result<Vec<MenuItem>, ImageError> {
        if depth > 16 {
            return Err(bad("menu nested too deep"));
        }
        let mut items = Vec::new();
        loop {
            let flags = r.u16()?;
            let id = if flags & MF_POPUP == 0 {
                u32::from(r.u16()?)
            } else {
                0
            };
            let text = r.sz()?;
            let children = if flags & MF_POPUP != 0 {
                Self::standard(r, depth + 1)?
            } else {
                Vec::new()
            };
            items.push(MenuItem {
                flags,
                item_type: 0,
                state: 0,
                id,
                text,
                children,
            });
            if flags & MF_END != 0 || r.at_end() {
                return Ok(items);
            }
        }
    }

    fn extended(r: &mut Reader<'_>, depth: usize) -> Result<Vec<MenuItem>, ImageError> {
        if depth > 16 {
            return Err(bad("menu nested too deep"));
        }
        let mut items = Vec::new();
        loop {
            r.align4();
            let item_type = r.u32()?;
            let state = r.u32()?;
            let id = r.u32()?;
            let flags = r.u16()?;
            let text = r.sz()?;
            let children = if flags & 0x01 != 0 {
                r.align4();
                let _help_id = r.u32()?;
                Self::extended(r, depth + 1)?
            } else {
                Vec::new()
            };
            items.push(MenuItem {
                flags,
                item_type,
                state,
                id,
                text,
                children,
            });
            if flags & MF_END != 0 || r.at_end() {
                return Ok(items);
            }
        }
    }
}

// ---- dialogs ------------------------------------------------------------------------------

/// DS_SETFONT: the template names a font.
pub const DS_SETFONT: u32 = 0x40;

/// A dialog's font.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DialogFont {
    /// Point size.
    pub point_size: u16,
    /// Weight (extended templates; 0 otherwise).
    pub weight: u16,
    /// Italic (extended templates).
    pub italic: bool,
    /// Character set (extended templates).
    pub charset: u8,
    /// Typeface name.
    pub face: String,
}

/// One control of a dialog template.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DialogItem {
    /// Help context id (extended templates).
    pub help_id: u32,
    /// Window style.
    pub style: u32,
    /// Extended window style.
    pub ex_style: u32,
    /// Position and size, in dialog units.
    pub rect: (i16, i16, i16, i16),
    /// Control id.
    pub id: u32,
    /// Window class: a predefined class by atom (0x80 Button, 0x81 Edit, 0x82 Static,
    /// 0x83 ListBox, 0x84 ScrollBar, 0x85 ComboBox) or a class name.
    pub class: ResourceId,
    /// Text, or a resource id (an icon for a static control).
    pub title: Option<ResourceId>,
    /// Creation data passed in WM_CREATE.
    pub creation_data: Vec<u8>,
}

/// An RT_DIALOG resource: DLGTEMPLATE or DLGTEMPLATEEX and its items.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DialogTemplate {
    /// True for DLGTEMPLATEEX.
    pub extended: bool,
    /// Help context id (extended templates).
    pub help_id: u32,
    /// Window style (DS_*, WS_*).
    pub style: u32,
    /// Extended window style.
    pub ex_style: u32,
    /// Position and size, in dialog units.
    pub rect: (i16, i16, i16, i16),
    /// The menu, if any.
    pub menu: Option<ResourceId>,
    /// The window class, if not the dialog class.
    pub class: Option<ResourceId>,
    /// The caption.
    pub title: String,
    /// The font, with DS_SETFONT.
    pub font: Option<DialogFont>,
    /// The controls.
    pub items: Vec<DialogItem>,
}

impl DialogTemplate {
    /// Reads a dialog template.
    pub fn parse(data: &[u8]) -> Result<DialogTemplate, ImageError> {
        let mut r = Reader::new(data, "dialog template truncated");
        let extended = data.get(0..4) == Some(&[1, 0, 0xFF, 0xFF]);
        let (help_id, ex_style, style) = if extended {
            r.take(4)?;
            let help = r.u32()?;
            let ex = r.u32()?;
            (help, ex, r.u32()?)
        } else {
            let style = r.u32()?;
            (0, r.u32()?, style)
        };
        let count = r.u16()? as usize;
        let rect = (r.i16()?, r.i16()?, r.i16()?, r.i16()?);
        let menu = r.sz_or_ord()?;
        let class = r.sz_or_ord()?;
        let title = r.sz()?;
        let font = if style & DS_SETFONT != 0 {
            let point_size = r.u16()?;
            let (weight, italic, charset) = if extended {
                (r.u16()?, r.u8()? != 0, r.u8()?)
            } else {
                (0, false, 0)
            };
            Some(DialogFont {
                point_size,
                weight,
                italic,
                charset,
                face: r.sz()?,
            })
        } else {
            None
        };
        if count > data.len() / 18 {
            return Err(bad("dialog item count"));
        }
        let mut items = Vec::with_capacity(count);
        for _ in 0..count {
            r.align4();
            let (help_id, ex_style, style) = if extended {
                let help = r.u32()?;
                let ex = r.u32()?;
                (help, ex, r.u32()?)
            } else {
                let style = r.u32()?;
                (0, r.u32()?, style)
            };
            let rect = (r.i16()?, r.i16()?, r.i16()?, r.i16()?);
            let id = if extended {
                r.u32()?
            } else {
                u32::from(r.u16()?)
            };
            let class = r
                .sz_or_ord()?
                .ok_or_else(|| bad("dialog item without a class"))?;
            let title = r.sz_or_ord()?;
            let extra = r.u16()? as usize;
            let creation_data = r.take(extra)?.to_vec();
            items.push(DialogItem {
                help_id,
                style,
                ex_style,
                rect,
                id,
                class,
                title,
                creation_data,
            });
        }
        Ok(DialogTemplate {
            extended,
            help_id,
            style,
            ex_style,
            rect,
            menu,
            class,
            title,
            font,
            items,
        })
    }
}

// ---- accelerators -------------------------------------------------------------------------

/// One entry of an accelerator table.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Accelerator {
    /// fFlags (FVIRTKEY 0x01, FNOINVERT 0x02, FSHIFT 0x04, FCONTROL 0x08, FALT 0x10; 0x80
    /// marks the last entry).
    pub flags: u16,
    /// The key: a character code, or a virtual-key code with FVIRTKEY.
    pub key: u16,
    /// The command id sent in WM_COMMAND.
    pub command: u16,
}

/// An RT_ACCELERATOR resource: its entries up to the one marked last (8 bytes each).
pub fn accelerators(data: &[u8]) -> Result<Vec<Accelerator>, ImageError> {
    let mut r = Reader::new(data, "accelerator table truncated");
    let mut out = Vec::new();
    while !r.at_end() {
        let flags = r.u16()?;
        let key = r.u16()?;
        let command = r.u16()?;
        let _pad = r.u16()?;
        out.push(Accelerator {
            flags: flags & 0x7F,
            key,
            command,
        });
        if flags & 0x80 != 0 {
            break;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16z(s: &str) -> Vec<u8> {
        s.encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect()
    }

    #[test]
    fn string_blocks_hold_sixteen_counted_strings() {
        assert_eq!(string_block_of(0), (1, 0));
        assert_eq!(string_block_of(17), (2, 1));
        let mut block = Vec::new();
        block.extend_from_slice(&0u16.to_le_bytes());
        block.extend_from_slice(&2u16.to_le_bytes());
        block.extend(utf16z("Hi").into_iter().take(4));
        let strings = string_table_block(&block).expect("block");
        assert_eq!(strings.len(), 16);
        assert!(strings[0].is_empty());
        assert_eq!(String::from_utf16_lossy(&strings[1]), "Hi");
        assert_eq!(string_in_block(&block, 1).ok(), Some((4, 2)));
        assert!(string_table_block(&[5, 0, b'a']).is_err());
    }

    #[test]
    fn message_tables_find_ansi_and_unicode_entries() {
        let mut t = Vec::new();
        t.extend_from_slice(&1u32.to_le_bytes());
        t.extend_from_slice(&100u32.to_le_bytes());
        t.extend_from_slice(&101u32.to_le_bytes());
        t.extend_from_slice(&16u32.to_le_bytes());
        // 100: ANSI "Disk full\r\n" padded.
        let text = b"Disk full\r\n\0\0";
        t.extend_from_slice(&((4 + text.len()) as u16).to_le_bytes());
        t.extend_from_slice(&0u16.to_le_bytes());
        t.extend_from_slice(text);
        // 101: Unicode "Ok".
        let text = utf16z("Ok");
        t.extend_from_slice(&((4 + text.len()) as u16).to_le_bytes());
        t.extend_from_slice(&1u16.to_le_bytes());
        t.extend_from_slice(&text);
        let table = MessageTable::parse(&t).expect("table");
        assert_eq!(
            table.find(100).expect("ok"),
            Some(MessageText::Ansi(b"Disk full\r\n".to_vec()))
        );
        assert_eq!(
            table.find(101).expect("ok"),
            Some(MessageText::Unicode("Ok".encode_utf16().collect()))
        );
        assert_eq!(table.find(5).expect("ok"), None);
        assert!(MessageTable::parse(&[0xFF, 0xFF, 0xFF, 0x0F]).is_err());
    }

    /// A version node: key, type, value bytes, children (already built).
    pub(crate) fn version_node(key: &str, ty: u16, value: &[u8], children: &[Vec<u8>]) -> Vec<u8> {
        let mut out = vec![0u8; 6];
        out.extend(utf16z(key));
        while !out.len().is_multiple_of(4) {
            out.push(0);
        }
        out.extend_from_slice(value);
        while !out.len().is_multiple_of(4) {
            out.push(0);
        }
        for c in children {
            out.extend_from_slice(c);
            while !out.len().is_multiple_of(4) {
                out.push(0);
            }
        }
        let len = out.len() as u16;
        let value_len = if ty == 1 {
            (value.len() / 2) as u16
        } else {
            value.len() as u16
        };
        out[0..2].copy_from_slice(&len.to_le_bytes());
        out[2..4].copy_from_slice(&value_len.to_le_bytes());
        out[4..6].copy_from_slice(&ty.to_le_bytes());
        out
    }

    #[test]
    fn version_information_is_a_tree_of_keyed_values() {
        let mut ffi = Vec::new();
        for w in [
            VS_FFI_SIGNATURE,
            0x10000,
            0x0001_0002,
            0x0003_0004,
            1,
            2,
            0x3F,
            0,
            4,
            1,
            0,
            0,
            0,
        ] {
            ffi.extend_from_slice(&w.to_le_bytes());
        }
        let s = version_node("FileVersion", 1, &utf16z("1.2.3.4"), &[]);
        let table = version_node("040904B0", 1, &[], &[s]);
        let sfi = version_node("StringFileInfo", 1, &[], &[table]);
        let var = version_node("Translation", 0, &[0x09, 0x04, 0xB0, 0x04], &[]);
        let vfi = version_node("VarFileInfo", 1, &[], &[var]);
        let root = version_node("VS_VERSION_INFO", 0, &ffi, &[sfi, vfi]);
        let tree = VersionNode::parse(&root).expect("tree");
        let fixed = tree.fixed_file_info(&root).expect("fixed");
        assert_eq!(fixed.file_version, (0x0001_0002, 0x0003_0004));
        let v = tree
            .query("\\StringFileInfo\\040904b0\\FileVersion")
            .expect("string");
        assert_eq!(v.text(&root).as_deref(), Some("1.2.3.4"));
        let t = tree.query("\\VarFileInfo\\Translation").expect("var");
        assert_eq!(
            &root[t.value_offset..t.value_offset + t.value_len],
            &[0x09, 0x04, 0xB0, 0x04]
        );
        assert!(tree.query("\\Nope").is_none());
        assert!(VersionNode::parse(&root[..10]).is_err());
    }

    #[test]
    fn icon_groups_list_their_images() {
        let mut g = vec![0, 0, 1, 0, 2, 0];
        g.extend_from_slice(&[32, 32, 16, 0, 1, 0, 4, 0, 0xE8, 2, 0, 0, 1, 0]);
        g.extend_from_slice(&[0, 0, 0, 0, 1, 0, 32, 0, 0, 0, 1, 0, 2, 0]);
        let group = IconGroup::parse(&g).expect("group");
        assert_eq!(group.kind, 1);
        assert_eq!(group.entries.len(), 2);
        assert_eq!(group.entries[0].width, 32);
        assert_eq!(group.entries[0].bytes_in_res, 0x2E8);
        assert_eq!(group.entries[1].width, 256);
        assert_eq!(group.entries[1].id, 2);
        assert!(IconGroup::parse(&[0, 0, 3, 0, 0, 0]).is_err());
    }

    fn dib(width: i32, height: i32, bits: u16) -> Vec<u8> {
        let mut d = Vec::new();
        d.extend_from_slice(&40u32.to_le_bytes());
        d.extend_from_slice(&width.to_le_bytes());
        d.extend_from_slice(&height.to_le_bytes());
        d.extend_from_slice(&1u16.to_le_bytes());
        d.extend_from_slice(&bits.to_le_bytes());
        d.extend_from_slice(&[0u8; 24]);
        d
    }

    #[test]
    fn a_width_too_wide_for_any_row_gives_the_largest_stride_not_an_overflow() {
        for width in [i32::MAX, i32::MIN, 0x4000_0000] {
            let info = BitmapInfo::parse(&dib(width, 1, 32)).expect("dib");
            assert_eq!(info.stride(), u32::MAX, "width {width}");
        }
    }

    #[test]
    fn bitmaps_know_their_palette_and_bits() {
        let mut d = dib(16, 16, 4);
        d.extend(std::iter::repeat_n(0u8, 64 + 8 * 16));
        let info = BitmapInfo::parse(&d).expect("dib");
        assert_eq!((info.width, info.height, info.bit_count), (16, 16, 4));
        assert_eq!(info.palette_entries, 16);
        assert_eq!(info.bits_offset, 40 + 64);
        assert_eq!(info.stride(), 8);
        let file = bitmap_file(&d).expect("file");
        assert_eq!(&file[..2], b"BM");
        assert_eq!(
            u32::from_le_bytes([file[10], file[11], file[12], file[13]]),
            14 + 104
        );
        let mut cursor = vec![3, 0, 5, 0];
        cursor.extend(dib(32, 64, 1));
        let c = CursorImage::parse(&cursor).expect("cursor");
        assert_eq!(c.hotspot, (3, 5));
        assert_eq!(c.bitmap.height, 64);
        assert!(BitmapInfo::parse(&dib(1, 1, 7)).is_err());
        assert!(BitmapInfo::parse(&[1, 2, 3]).is_err());
    }

    #[test]
    fn menus_nest_popups() {
        let mut m = vec![0, 0, 0, 0];
        m.extend_from_slice(&MF_POPUP.to_le_bytes());
        m.extend(utf16z("&File"));
        m.extend_from_slice(&0u16.to_le_bytes());
        m.extend_from_slice(&100u16.to_le_bytes());
        m.extend(utf16z("&New"));
        m.extend_from_slice(&MF_END.to_le_bytes());
        m.extend_from_slice(&101u16.to_le_bytes());
        m.extend(utf16z("E&xit"));
        m.extend_from_slice(&MF_END.to_le_bytes());
        m.extend_from_slice(&200u16.to_le_bytes());
        m.extend(utf16z("&Help"));
        let menu = Menu::parse(&m).expect("menu");
        assert!(!menu.extended);
        assert_eq!(menu.items.len(), 2);
        assert_eq!(menu.items[0].text, "&File");
        assert_eq!(menu.items[0].children.len(), 2);
        assert_eq!(menu.items[0].children[1].id, 101);
        assert_eq!(menu.items[1].id, 200);
        assert!(Menu::parse(&[0, 0, 0, 0, 0x10]).is_err());
    }

    #[test]
    fn dialogs_read_their_controls() {
        let mut d = Vec::new();
        d.extend_from_slice(&(0x80C8_0000u32 | DS_SETFONT).to_le_bytes());
        d.extend_from_slice(&0u32.to_le_bytes());
        d.extend_from_slice(&1u16.to_le_bytes());
        for v in [10i16, 20, 180, 60] {
            d.extend_from_slice(&v.to_le_bytes());
        }
        d.extend_from_slice(&0u16.to_le_bytes()); // no menu
        d.extend_from_slice(&0u16.to_le_bytes()); // dialog class
        d.extend(utf16z("About"));
        d.extend_from_slice(&8u16.to_le_bytes());
        d.extend(utf16z("MS Sans Serif"));
        while d.len() % 4 != 0 {
            d.push(0);
        }
        d.extend_from_slice(&0x5001_0000u32.to_le_bytes());
        d.extend_from_slice(&0u32.to_le_bytes());
        for v in [60i16, 40, 50, 14] {
            d.extend_from_slice(&v.to_le_bytes());
        }
        d.extend_from_slice(&1u16.to_le_bytes()); // IDOK
        d.extend_from_slice(&[0xFF, 0xFF, 0x80, 0x00]); // Button
        d.extend(utf16z("OK"));
        d.extend_from_slice(&0u16.to_le_bytes());
        let dlg = DialogTemplate::parse(&d).expect("dialog");
        assert_eq!(dlg.title, "About");
        assert_eq!(dlg.font.as_ref().map(|f| f.point_size), Some(8));
        assert_eq!(dlg.items.len(), 1);
        assert_eq!(dlg.items[0].class, ResourceId::Id(0x80));
        assert_eq!(dlg.items[0].title, Some(ResourceId::Name("OK".into())));
        assert_eq!(dlg.items[0].id, 1);
        assert!(DialogTemplate::parse(&d[..d.len() - 6]).is_err());
    }

    #[test]
    fn accelerator_tables_end_at_the_marked_entry() {
        let mut a = Vec::new();
        for (flags, key, cmd) in [(0x09u16, 0x4Eu16, 100u16), (0x81, 0x70, 200), (0x01, 1, 1)] {
            a.extend_from_slice(&flags.to_le_bytes());
            a.extend_from_slice(&key.to_le_bytes());
            a.extend_from_slice(&cmd.to_le_bytes());
            a.extend_from_slice(&0u16.to_le_bytes());
        }
        let table = accelerators(&a).expect("table");
        assert_eq!(table.len(), 2);
        assert_eq!(table[1].flags, 0x01);
        assert_eq!(table[1].command, 200);
    }
}
