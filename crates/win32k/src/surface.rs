//! Pixel surfaces: the screen the desktop is drawn on, and the bitmaps GDI draws into.
//!
//! A pixel is a `u32` 0x00RRGGBB, the layout of a 32-bit DIB row in memory (blue, green, red,
//! unused) read as a little-endian word, and the layout host framebuffers take. COLORREFs
//! (0x00BBGGRR) are turned into pixels with [`pixel_from_colorref`].

use crate::geometry::Rect;

/// NT 4.0's default desktop colour (COLOR_BACKGROUND in the Windows Standard scheme: teal).
pub const DESKTOP_COLOUR: u32 = 0x0000_8080;

/// A COLORREF (0x00BBGGRR) as a pixel (0x00RRGGBB).
pub fn pixel_from_colorref(colorref: u32) -> u32 {
    ((colorref & 0xFF) << 16) | (colorref & 0xFF00) | ((colorref >> 16) & 0xFF)
}

/// A pixel (0x00RRGGBB) as a COLORREF (0x00BBGGRR).
pub fn colorref_from_pixel(pixel: u32) -> u32 {
    pixel_from_colorref(pixel)
}

/// A rectangle of pixels, row by row from the top.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Surface {
    width: u32,
    height: u32,
    pixels: Vec<u32>,
}

impl Surface {
    /// A surface of `width` x `height` pixels, all `fill`.
    pub fn new(width: u32, height: u32, fill: u32) -> Surface {
        Surface {
            width,
            height,
            pixels: vec![fill; width as usize * height as usize],
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The whole surface as a rectangle at (0, 0).
    pub fn bounds(&self) -> Rect {
        Rect::new(0, 0, self.width as i32, self.height as i32)
    }

    /// Every pixel, row by row from the top.
    pub fn pixels(&self) -> &[u32] {
        &self.pixels
    }

    /// Every pixel, writable.
    pub fn pixels_mut(&mut self) -> &mut [u32] {
        &mut self.pixels
    }

    /// The pixel at (x, y), or None outside the surface.
    pub fn get(&self, x: i32, y: i32) -> Option<u32> {
        self.index(x, y).map(|i| self.pixels[i])
    }

    /// Sets the pixel at (x, y); outside the surface nothing happens.
    pub fn set(&mut self, x: i32, y: i32, pixel: u32) {
        if let Some(i) = self.index(x, y) {
            self.pixels[i] = pixel;
        }
    }

    /// Fills `rect` (right and bottom exclusive, as NT's rectangles) clipped to the surface.
    pub fn fill(&mut self, rect: Rect, pixel: u32) {
        let r = intersect(rect, self.bounds());
        if r.left >= r.right || r.top >= r.bottom {
            return;
        }
        for y in r.top..r.bottom {
            let start = y as usize * self.width as usize;
            self.pixels[start + r.left as usize..start + r.right as usize].fill(pixel);
        }
    }

    /// The pixels of `rect` clipped to the surface, as a new surface.
    pub fn crop(&self, rect: Rect) -> Surface {
        let r = intersect(rect, self.bounds());
        let (w, h) = (r.width().max(0) as u32, r.height().max(0) as u32);
        let mut out = Surface::new(w, h, 0);
        for y in 0..h as i32 {
            let src = (r.top + y) as usize * self.width as usize + r.left as usize;
            let dst = y as usize * w as usize;
            out.pixels[dst..dst + w as usize].copy_from_slice(&self.pixels[src..src + w as usize]);
        }
        out
    }

    fn index(&self, x: i32, y: i32) -> Option<usize> {
        (x >= 0 && y >= 0 && (x as u32) < self.width && (y as u32) < self.height)
            .then(|| y as usize * self.width as usize + x as usize)
    }
}

/// The overlap of two rectangles (empty, with right <= left or bottom <= top, when none).
pub fn intersect(a: Rect, b: Rect) -> Rect {
    Rect::new(
        a.left.max(b.left),
        a.top.max(b.top),
        a.right.min(b.right),
        a.bottom.min(b.bottom),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_is_clipped_and_right_bottom_exclusive() {
        let mut s = Surface::new(4, 3, 0);
        s.fill(Rect::new(-2, 1, 2, 9), 7);
        assert_eq!(s.pixels(), &[0, 0, 0, 0, 7, 7, 0, 0, 7, 7, 0, 0]);
        assert_eq!(s.get(4, 0), None);
        assert_eq!(s.crop(Rect::new(1, 1, 3, 3)).pixels(), &[7, 0, 7, 0]);
    }

    #[test]
    fn colorref_and_pixel_swap_red_and_blue() {
        assert_eq!(pixel_from_colorref(0x00112233), 0x00332211);
        assert_eq!(colorref_from_pixel(0x00332211), 0x00112233);
    }
}
