//! Device-independent bitmaps: the BITMAPINFOHEADER a caller gives, and turning DIB bits of
//! 1, 4, 8, 16, 24 and 32 bits per pixel (bottom-up or top-down) into pixels and back.

use crate::surface::Surface;

/// BI_RGB.
pub const BI_RGB: u32 = 0;
/// BI_BITFIELDS.
pub const BI_BITFIELDS: u32 = 3;

/// The layout of a DIB's bits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DibFormat {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Rows from the top (biHeight < 0) instead of from the bottom.
    pub top_down: bool,
    /// Bits per pixel: 1, 4, 8, 16, 24 or 32.
    pub bpp: u16,
    /// The colour table as pixels (0x00RRGGBB), for 1, 4 and 8 bits.
    pub colours: Vec<u32>,
    /// Red, green and blue masks of 16- and 32-bit pixels.
    pub masks: [u32; 3],
}

impl DibFormat {
    /// Bytes of a row (DWORD aligned).
    pub fn stride(&self) -> usize {
        (self.width as usize * self.bpp as usize).div_ceil(32) * 4
    }

    /// Bytes of the whole image.
    pub fn size(&self) -> usize {
        self.stride() * self.height as usize
    }

    /// The memory row of picture row `y` (0 the top).
    pub fn memory_row(&self, y: u32) -> usize {
        if self.top_down {
            y as usize
        } else {
            (self.height - 1 - y) as usize
        }
    }

    /// Reads a BITMAPINFO: the header's 40 bytes, then `extra` (the bytes after the header
    /// the caller gave: masks and colour table). `palette_indices` (DIB_PAL_COLORS) is not
    /// taken: colour tables are RGBQUADs. None for a header GDI refuses.
    pub fn parse(header: &[u8], extra: &[u8]) -> Option<DibFormat> {
        let u32_at = |b: &[u8], o: usize| -> Option<u32> {
            Some(u32::from_le_bytes(b.get(o..o + 4)?.try_into().ok()?))
        };
        let size = u32_at(header, 0)?;
        if size < 40 {
            // A BITMAPCOREHEADER (12 bytes): WORD sizes, RGBTRIPLE colours.
            if size != 12 {
                return None;
            }
            let w = u16::from_le_bytes(header.get(4..6)?.try_into().ok()?);
            let h = u16::from_le_bytes(header.get(6..8)?.try_into().ok()?);
            let bpp = u16::from_le_bytes(header.get(10..12)?.try_into().ok()?);
            let n = if bpp <= 8 { 1usize << bpp } else { 0 };
            let colours = (0..n)
                .map(|i| {
                    let c = extra.get(3 * i..3 * i + 3).unwrap_or(&[0, 0, 0]);
                    u32::from(c[2]) << 16 | u32::from(c[1]) << 8 | u32::from(c[0])
                })
                .collect();
            return DibFormat::new(w.into(), h.into(), bpp, BI_RGB, colours, [0; 3]);
        }
        let width = u32_at(header, 4)? as i32;
        let height = u32_at(header, 8)? as i32;
        let bpp = u16::from_le_bytes(header.get(14..16)?.try_into().ok()?);
        let compression = u32_at(header, 16)?;
        let used = u32_at(header, 32)?;
        if width <= 0 || height == 0 {
            return None;
        }
        let mut masks = [0; 3];
        let mut table = extra;
        if compression == BI_BITFIELDS {
            // With a BITMAPINFOHEADER the masks follow it; a V4/V5 header holds them.
            let from: &[u8] = if size >= 52 { &header[40..] } else { extra };
            for (i, m) in masks.iter_mut().enumerate() {
                *m = u32_at(from, 4 * i).unwrap_or(0);
            }
            if size < 52 {
                table = extra.get(12..).unwrap_or(&[]);
            }
        }
        let n = if bpp <= 8 {
            if used == 0 || used > 1 << bpp {
                1usize << bpp
            } else {
                used as usize
            }
        } else {
            0
        };
        let colours = (0..n)
            .map(|i| u32_at(table, 4 * i).map_or(0, |c| c & 0x00FF_FFFF))
            .collect();
        let mut f = DibFormat::new(
            width as u32,
            height.unsigned_abs(),
            bpp,
            compression,
            colours,
            masks,
        )?;
        f.top_down = height < 0;
        Some(f)
    }

    /// A bottom-up format; None for a depth or compression GDI does not take here.
    pub fn new(
        width: u32,
        height: u32,
        bpp: u16,
        compression: u32,
        colours: Vec<u32>,
        masks: [u32; 3],
    ) -> Option<DibFormat> {
        if !matches!(bpp, 1 | 4 | 8 | 16 | 24 | 32) || width == 0 || height == 0 {
            return None;
        }
        let masks = match (compression, bpp) {
            (BI_RGB, 16) => [0x7C00, 0x03E0, 0x001F],
            (BI_RGB, 32) | (BI_RGB, 24) => [0xFF_0000, 0xFF00, 0xFF],
            (BI_BITFIELDS, 16 | 32) if masks.iter().all(|&m| m != 0) => masks,
            (BI_RGB, _) => [0; 3],
            _ => return None,
        };
        if width > 0x8000 || height > 0x8000 {
            return None;
        }
        Some(DibFormat {
            width,
            height,
            top_down: false,
            bpp,
            colours,
            masks,
        })
    }

    /// The pixels of `bits` (rows missing from a short buffer are black).
    pub fn decode(&self, bits: &[u8]) -> Surface {
        let mut s = Surface::new(self.width, self.height, 0);
        let stride = self.stride();
        let w = self.width as usize;
        for y in 0..self.height {
            let start = self.memory_row(y) * stride;
            let Some(row) = bits.get(start..start + stride) else {
                continue;
            };
            let out = &mut s.pixels_mut()[y as usize * w..(y as usize + 1) * w];
            self.decode_row(row, out);
        }
        s
    }

    /// Decodes one row of bits into pixels.
    pub fn decode_row(&self, row: &[u8], out: &mut [u32]) {
        let colour = |i: usize| self.colours.get(i).copied().unwrap_or(0);
        match self.bpp {
            32 if self.masks == [0xFF_0000, 0xFF00, 0xFF] => {
                // The fourth byte is kept: GDI's raster operations work on all of it.
                for (o, c) in out.iter_mut().zip(row.chunks_exact(4)) {
                    *o = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                }
            }
            24 => {
                for (o, c) in out.iter_mut().zip(row.chunks_exact(3)) {
                    *o = u32::from_le_bytes([c[0], c[1], c[2], 0]);
                }
            }
            16 | 32 => {
                let step = self.bpp as usize / 8;
                for (o, c) in out.iter_mut().zip(row.chunks_exact(step)) {
                    let v = if step == 2 {
                        u32::from(u16::from_le_bytes([c[0], c[1]]))
                    } else {
                        u32::from_le_bytes([c[0], c[1], c[2], c[3]])
                    };
                    *o = (expand(v, self.masks[0]) << 16)
                        | (expand(v, self.masks[1]) << 8)
                        | expand(v, self.masks[2]);
                }
            }
            8 => {
                for (o, &b) in out.iter_mut().zip(row) {
                    *o = colour(b as usize);
                }
            }
            4 => {
                for (x, o) in out.iter_mut().enumerate() {
                    let b = row.get(x / 2).copied().unwrap_or(0);
                    let i = if x % 2 == 0 { b >> 4 } else { b & 0xF };
                    *o = colour(i as usize);
                }
            }
            _ => {
                for (x, o) in out.iter_mut().enumerate() {
                    let b = row.get(x / 8).copied().unwrap_or(0);
                    *o = colour(((b >> (7 - x % 8)) & 1) as usize);
                }
            }
        }
    }

    /// The bits of `surface` (of this format's size) in this format: colours not in a colour
    /// table become the nearest entry.
    pub fn encode(&self, surface: &Surface) -> Vec<u8> {
        let stride = self.stride();
        let mut bits = vec![0u8; self.size()];
        let w = self.width as usize;
        let mut nearest = Nearest::new(&self.colours);
        for y in 0..self.height.min(surface.height()) {
            let start = self.memory_row(y) * stride;
            let src = &surface.pixels()[y as usize * surface.width() as usize..][..w];
            self.encode_row(src, &mut bits[start..start + stride], &mut nearest);
        }
        bits
    }

    /// Encodes one row of pixels into bits.
    pub fn encode_row(&self, src: &[u32], row: &mut [u8], nearest: &mut Nearest) {
        match self.bpp {
            32 if self.masks == [0xFF_0000, 0xFF00, 0xFF] => {
                for (c, &p) in row.chunks_exact_mut(4).zip(src) {
                    c.copy_from_slice(&p.to_le_bytes());
                }
            }
            24 => {
                for (c, &p) in row.chunks_exact_mut(3).zip(src) {
                    c.copy_from_slice(&p.to_le_bytes()[..3]);
                }
            }
            16 | 32 => {
                let step = self.bpp as usize / 8;
                for (c, &p) in row.chunks_exact_mut(step).zip(src) {
                    let v = shrink(p >> 16 & 0xFF, self.masks[0])
                        | shrink(p >> 8 & 0xFF, self.masks[1])
                        | shrink(p & 0xFF, self.masks[2]);
                    c.copy_from_slice(&v.to_le_bytes()[..step]);
                }
            }
            8 => {
                for (b, &p) in row.iter_mut().zip(src) {
                    *b = nearest.index(p);
                }
            }
            4 => {
                for (x, &p) in src.iter().enumerate() {
                    let i = nearest.index(p) & 0xF;
                    if let Some(b) = row.get_mut(x / 2) {
                        *b |= if x % 2 == 0 { i << 4 } else { i };
                    }
                }
            }
            _ => {
                for (x, &p) in src.iter().enumerate() {
                    if nearest.index(p) & 1 != 0
                        && let Some(b) = row.get_mut(x / 8)
                    {
                        *b |= 0x80 >> (x % 8);
                    }
                }
            }
        }
    }

    /// Whether pixels are indexes into the colour table (1, 4 and 8 bits).
    pub fn indexed(&self) -> bool {
        self.bpp <= 8
    }

    /// The pixels a DIB section keeps of `bits`: colour table indexes for 1, 4 and 8 bits
    /// (GDI's raster operations work on the indexes), colours otherwise.
    pub fn decode_section(&self, bits: &[u8]) -> Surface {
        if !self.indexed() {
            return self.decode(bits);
        }
        let mut f = self.clone();
        f.colours = (0..1u32 << self.bpp).collect();
        f.decode(bits)
    }

    /// The bits of a DIB section's pixels ([`DibFormat::decode_section`]'s inverse).
    pub fn encode_section(&self, surface: &Surface) -> Vec<u8> {
        if !self.indexed() {
            return self.encode(surface);
        }
        let mut f = self.clone();
        f.colours = (0..1u32 << self.bpp).collect();
        f.encode(surface)
    }

    /// The pixel a colour becomes in this format (through the colour table or the masks).
    pub fn quantize(&self, pixel: u32) -> u32 {
        match self.bpp {
            1 | 4 | 8 => {
                let i = Nearest::new(&self.colours).index(pixel);
                self.colours.get(i as usize).copied().unwrap_or(0)
            }
            16 => {
                let v = shrink(pixel >> 16 & 0xFF, self.masks[0])
                    | shrink(pixel >> 8 & 0xFF, self.masks[1])
                    | shrink(pixel & 0xFF, self.masks[2]);
                (expand(v, self.masks[0]) << 16)
                    | (expand(v, self.masks[1]) << 8)
                    | expand(v, self.masks[2])
            }
            _ => pixel & 0xFF_FFFF,
        }
    }
}

/// The 8-bit value of the bits `mask` selects of `v` (scaled to 0..=255).
fn expand(v: u32, mask: u32) -> u32 {
    if mask == 0 {
        return 0;
    }
    let shift = mask.trailing_zeros();
    let bits = (mask >> shift).count_ones();
    let x = (v & mask) >> shift;
    if bits >= 8 {
        x >> (bits - 8)
    } else {
        // Repeat the high bits into the low ones, so full scale is 255.
        let mut out = x << (8 - bits);
        let mut have = bits;
        while have < 8 {
            out |= out >> have;
            have *= 2;
        }
        out & 0xFF
    }
}

/// An 8-bit value placed in the bits of `mask`.
fn shrink(v: u32, mask: u32) -> u32 {
    if mask == 0 {
        return 0;
    }
    let shift = mask.trailing_zeros();
    let bits = (mask >> shift).count_ones();
    let x = if bits >= 8 {
        v << (bits - 8)
    } else {
        v >> (8 - bits)
    };
    (x << shift) & mask
}

/// Finds the nearest colour table entry of a pixel, remembering answers.
pub struct Nearest<'a> {
    colours: &'a [u32],
    last: Option<(u32, u8)>,
    memo: std::collections::HashMap<u32, u8>,
}

impl<'a> Nearest<'a> {
    /// A search of `colours`.
    pub fn new(colours: &'a [u32]) -> Nearest<'a> {
        Nearest {
            colours,
            last: None,
            memo: std::collections::HashMap::new(),
        }
    }

    /// The index of the entry nearest to `pixel` (the first of equals).
    pub fn index(&mut self, pixel: u32) -> u8 {
        if let Some((p, i)) = self.last
            && p == pixel
        {
            return i;
        }
        let i = *self.memo.entry(pixel).or_insert_with(|| {
            let d = |c: u32| {
                let dr = (c >> 16 & 0xFF) as i32 - (pixel >> 16 & 0xFF) as i32;
                let dg = (c >> 8 & 0xFF) as i32 - (pixel >> 8 & 0xFF) as i32;
                let db = (c & 0xFF) as i32 - (pixel & 0xFF) as i32;
                dr * dr + dg * dg + db * db
            };
            self.colours
                .iter()
                .enumerate()
                .min_by_key(|(i, c)| (d(**c), *i))
                .map_or(0, |(i, _)| i as u8)
        });
        self.last = Some((pixel, i));
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bottom_up_and_top_down_rows_and_depths_round_trip() {
        let colours = vec![0x000000, 0xFF0000, 0x00FF00, 0x0000FF];
        for bpp in [1u16, 4, 8, 16, 24, 32] {
            for top_down in [false, true] {
                let mut f = DibFormat::new(5, 3, bpp, BI_RGB, colours.clone(), [0; 3]).unwrap();
                f.top_down = top_down;
                let mut s = Surface::new(5, 3, 0);
                s.set(1, 0, 0xFF0000);
                s.set(4, 2, if bpp == 1 { 0xFF0000 } else { 0x0000FF });
                let bits = f.encode(&s);
                assert_eq!(bits.len(), f.size());
                assert_eq!(f.decode(&bits), s, "{bpp} bpp, top-down {top_down}");
            }
        }
        // Bottom-up: the first row in memory is the picture's last.
        let f = DibFormat::new(1, 2, 32, BI_RGB, vec![], [0; 3]).unwrap();
        let s = f.decode(&[1, 2, 3, 0, 9, 9, 9, 0]);
        assert_eq!(s.get(0, 1), Some(0x030201));
        assert_eq!(f.quantize(0x123456), 0x123456);
        let f16 = DibFormat::new(1, 1, 16, BI_RGB, vec![], [0; 3]).unwrap();
        assert_eq!(f16.quantize(0xFFFFFF), 0xFFFFFF);
        assert_eq!(f16.quantize(0x0F0F0F), 0x080808);
    }
}
