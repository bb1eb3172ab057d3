//! Rasterization: the binary (ROP2) and ternary (ROP3) raster operations, and drawing spans,
//! lines, polygons and ellipses on a [`Surface`] inside a clip list, with NT's rules (a line
//! leaves out its last pixel, a filled shape its right and bottom edges).

use crate::geometry::Rect;
use crate::surface::Surface;

/// R2_COPYPEN.
pub const R2_COPYPEN: u32 = 13;

/// The result of ROP2 `rop2` (R2_BLACK = 1 .. R2_WHITE = 16) on pen `p` and destination `d`,
/// on all 32 bits (a 32-bit DIB keeps its fourth byte; other targets mask it off).
pub fn rop2(rop2: u32, p: u32, d: u32) -> u32 {
    let t = rop2.wrapping_sub(1) & 0xF;
    let mut r = 0;
    if t & 1 != 0 {
        r |= !p & !d;
    }
    if t & 2 != 0 {
        r |= !p & d;
    }
    if t & 4 != 0 {
        r |= p & !d;
    }
    if t & 8 != 0 {
        r |= p & d;
    }
    r
}

/// The result of a ternary raster operation whose truth table is `code` (bits 16-23 of a
/// ROP3: bit P*4 + S*2 + D) on pattern `p`, source `s` and destination `d`.
pub fn rop3(code: u8, p: u32, s: u32, d: u32) -> u32 {
    let mut r = 0;
    for i in 0..8 {
        if code & (1 << i) != 0 {
            let pp = if i & 4 != 0 { p } else { !p };
            let ss = if i & 2 != 0 { s } else { !s };
            let dd = if i & 1 != 0 { d } else { !d };
            r |= pp & ss & dd;
        }
    }
    r
}

/// Whether a ROP3 truth table reads the pattern, the source, the destination.
pub fn rop3_uses(code: u8) -> (bool, bool, bool) {
    let p = (code >> 4) & 0xF != code & 0xF;
    let s = ((code >> 2) & 0x33) != (code & 0x33);
    let d = ((code >> 1) & 0x55) != (code & 0x55);
    (p, s, d)
}

/// What a span is painted with.
#[derive(Clone, Debug)]
pub enum Ink {
    /// One colour, through a ROP2.
    Solid {
        /// The pixel.
        pixel: u32,
        /// The ROP2.
        rop2: u32,
    },
    /// A repeating pattern (a hatch or pattern brush), through a ROP2.
    Pattern {
        /// The pattern's pixels, row by row.
        pixels: Vec<u32>,
        /// Which pixels are drawn (a hatch's background is left alone in TRANSPARENT mode).
        mask: Vec<bool>,
        /// Width.
        width: u32,
        /// Height.
        height: u32,
        /// The brush origin on the surface.
        origin: (i32, i32),
        /// The ROP2.
        rop2: u32,
    },
}

impl Ink {
    /// The pattern's pixel at (x, y) of the surface and whether it is drawn.
    pub fn at(&self, x: i32, y: i32) -> (u32, bool) {
        match self {
            Ink::Solid { pixel, .. } => (*pixel, true),
            Ink::Pattern {
                pixels,
                mask,
                width,
                height,
                origin,
                ..
            } => {
                let px = (x.wrapping_sub(origin.0)).rem_euclid(*width as i32) as usize;
                let py = (y.wrapping_sub(origin.1)).rem_euclid(*height as i32) as usize;
                let i = py * *width as usize + px;
                (pixels[i], mask[i])
            }
        }
    }

    fn rop(&self) -> u32 {
        match self {
            Ink::Solid { rop2, .. } | Ink::Pattern { rop2, .. } => *rop2,
        }
    }
}

/// A surface with the rectangles drawing may touch (surface coordinates).
pub struct Canvas<'a> {
    /// The pixels.
    pub surface: &'a mut Surface,
    /// Where drawing may go: rectangles that do not overlap, inside the surface.
    pub clip: &'a [Rect],
    /// The bits of a pixel the target keeps: 0xFFFFFFFF for a 32-bit DIB, else 0xFFFFFF.
    pub mask: u32,
}

impl Canvas<'_> {
    /// Paints pixels x0..x1 (x1 exclusive) of row y.
    pub fn span(&mut self, y: i32, x0: i32, x1: i32, ink: &Ink) {
        let width = self.surface.width() as usize;
        for c in self.clip {
            if y < c.top || y >= c.bottom {
                continue;
            }
            let (a, b) = (x0.max(c.left), x1.min(c.right));
            if a >= b {
                continue;
            }
            let row = y as usize * width;
            let px = &mut self.surface.pixels_mut()[row + a as usize..row + b as usize];
            match ink {
                Ink::Solid { pixel, rop2: r } if *r == R2_COPYPEN => px.fill(*pixel),
                Ink::Solid { pixel, rop2: r } => {
                    for d in px.iter_mut() {
                        *d = rop2(*r, *pixel, *d) & self.mask;
                    }
                }
                Ink::Pattern { .. } => {
                    let r = ink.rop();
                    for (i, d) in px.iter_mut().enumerate() {
                        let (p, on) = ink.at(a + i as i32, y);
                        if on {
                            *d = rop2(r, p, *d) & self.mask;
                        }
                    }
                }
            }
        }
    }

    /// Paints one pixel.
    pub fn pixel(&mut self, x: i32, y: i32, ink: &Ink) {
        self.span(y, x, x.wrapping_add(1), ink);
    }

    /// Fills a rectangle (right and bottom exclusive).
    pub fn rect(&mut self, r: Rect, ink: &Ink) {
        for c in self.clip {
            let top = r.top.max(c.top);
            let bottom = r.bottom.min(c.bottom);
            for y in top..bottom {
                self.span_one(c, y, r.left, r.right, ink);
            }
        }
    }

    fn span_one(&mut self, c: &Rect, y: i32, x0: i32, x1: i32, ink: &Ink) {
        let clip = [*c];
        let mut one = Canvas {
            surface: self.surface,
            clip: &clip,
            mask: self.mask,
        };
        one.span(y, x0, x1, ink);
    }
}

/// The pixels of a line from `a` to `b` (Bresenham), the last one left out as NT does.
pub fn line_pixels(a: (i32, i32), b: (i32, i32)) -> Vec<(i32, i32)> {
    let (mut x, mut y) = (a.0 as i64, a.1 as i64);
    let (x1, y1) = (b.0 as i64, b.1 as i64);
    let dx = (x1 - x).abs();
    let dy = -(y1 - y).abs();
    let sx = if x < x1 { 1 } else { -1 };
    let sy = if y < y1 { 1 } else { -1 };
    let mut err = dx + dy;
    let mut out = Vec::with_capacity((dx.max(-dy) as usize).min(1 << 16));
    // Lines longer than the largest surface are cut (their pixels beyond it are off any
    // surface anyway).
    let mut left = 1i64 << 16;
    while (x != x1 || y != y1) && left > 0 {
        out.push((x as i32, y as i32));
        let e2 = 2 * err;
        if e2 >= dy {
            err += dy;
            x += sx;
        }
        if e2 <= dx {
            err += dx;
            y += sy;
        }
        left -= 1;
    }
    out
}

/// The spans (y, x0, x1 exclusive) of a polygon's inside: a pixel is in when the point at its
/// top-left corner is, by the even-odd rule (`winding` false) or the non-zero winding rule.
pub fn polygon_spans(points: &[(f64, f64)], winding: bool) -> Vec<(i32, i32, i32)> {
    let mut out = Vec::new();
    if points.len() < 2 {
        return out;
    }
    let top = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let bottom = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let (top, bottom) = (
        top.ceil().max(-65536.0) as i32,
        bottom.ceil().min(65536.0) as i32,
    );
    let n = points.len();
    for y in top..bottom {
        let fy = y as f64;
        let mut xs: Vec<(f64, i32)> = Vec::new();
        for i in 0..n {
            let (p, q) = (points[i], points[(i + 1) % n]);
            if p.1 == q.1 {
                continue;
            }
            let (lo, hi, dir) = if p.1 < q.1 { (p, q, 1) } else { (q, p, -1) };
            if fy >= lo.1 && fy < hi.1 {
                let x = lo.0 + (fy - lo.1) * (hi.0 - lo.0) / (hi.1 - lo.1);
                xs.push((x, dir));
            }
        }
        xs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut count = 0;
        for i in 0..xs.len().saturating_sub(1) {
            count += xs[i].1;
            let inside = if winding { count != 0 } else { i % 2 == 0 };
            if inside {
                let x0 = xs[i].0.ceil().max(-65536.0) as i32;
                let x1 = xs[i + 1].0.ceil().min(65536.0) as i32;
                if x0 < x1 {
                    out.push((y, x0, x1));
                }
            }
        }
    }
    out
}

/// One row of a rectangle with rounded corners (or an ellipse): its outline pixels are
/// `x0..inner_left` and `inner_right..x1`, its inside `inner_left..inner_right` (all right
/// exclusive; a row that is all outline has `inner_left == inner_right`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShapeRow {
    /// The row.
    pub y: i32,
    /// The leftmost pixel.
    pub x0: i32,
    /// The first pixel inside the outline.
    pub inner_left: i32,
    /// The first outline pixel of the right side.
    pub inner_right: i32,
    /// One past the rightmost pixel.
    pub x1: i32,
}

/// The rows of a rectangle with rounded corners inside `r` (right and bottom exclusive), the
/// corners quarters of an ellipse `ew` x `eh` (an ellipse is the rectangle with ew and eh its
/// width and height), with a one-pixel outline: the curve's pixels are those it passes
/// nearest, column by column and row by row, as NT's ellipses are. Symmetric left to right
/// and top to bottom.
pub fn round_rect_rows(r: Rect, ew: i32, eh: i32) -> Vec<ShapeRow> {
    let (w, h) = (r.width(), r.height());
    let mut out = Vec::new();
    if w <= 0 || h <= 0 || w > 0x10000 || h > 0x10000 {
        return out;
    }
    let ew = ew.clamp(1, w);
    let eh = eh.clamp(1, h);
    let a = (ew - 1) as f64 / 2.0;
    let b = (eh - 1) as f64 / 2.0;
    let cx = r.left as f64 + a;
    let cy = r.top as f64 + b;
    let cy_row = cy.floor() as i32;
    // The curve's pixels in the top-left quarter, by row: (leftmost, contiguous run end).
    let rows = (cy_row - r.top + 1).max(0) as usize;
    let mut pix: Vec<Vec<i32>> = vec![Vec::new(); rows];
    let mut add = |x: i32, y: i32| {
        if y >= r.top && y <= cy_row {
            pix[(y - r.top) as usize].push(x);
        }
    };
    let near = |v: f64| (v + 0.5).floor() as i32;
    for x in r.left..=(cx.floor() as i32) {
        let t = if a > 0.0 {
            ((cx - x as f64) / a).min(1.0)
        } else {
            0.0
        };
        add(x, near(cy - b * (1.0 - t * t).max(0.0).sqrt()));
    }
    for y in r.top..=cy_row {
        let t = if b > 0.0 {
            ((cy - y as f64) / b).min(1.0)
        } else {
            0.0
        };
        add(near(cx - a * (1.0 - t * t).max(0.0).sqrt()), y);
    }
    let sum_x = r.left as i64 + r.right as i64 - 1; // x + mirror(x)
    let mirror = |x: i32| (sum_x - x as i64) as i32;
    let half = (h + 1) / 2;
    let mut top = Vec::with_capacity(half as usize);
    for i in 0..half {
        let y = r.top + i;
        let (x0, run_end) = match pix.get(i as usize).filter(|p| !p.is_empty()) {
            Some(p) => {
                let x0 = *p.iter().min().unwrap_or(&r.left);
                let mut end = x0;
                while p.contains(&(end + 1)) {
                    end += 1;
                }
                (x0, end)
            }
            None => (r.left, r.left),
        };
        let x0 = x0.max(r.left);
        let (mut il, mut ir) = (run_end + 1, mirror(run_end));
        if y == r.top || il >= ir {
            // The top row, or one the outline fills.
            il = mirror(x0) + 1;
            ir = il;
        }
        top.push(ShapeRow {
            y,
            x0,
            inner_left: il,
            inner_right: ir,
            x1: mirror(x0) + 1,
        });
    }
    let bottom_y = |y: i32| r.top + r.bottom - 1 - y;
    out.extend(top.iter().copied());
    for row in top.iter().rev() {
        let y = bottom_y(row.y);
        if y > row.y && !out.iter().any(|o| o.y == y) {
            out.push(ShapeRow { y, ..*row });
        }
    }
    out.sort_by_key(|r| r.y);
    out
}

/// The spans (y, x0, x1 exclusive) of a rectangle with rounded corners (see
/// [`round_rect_rows`]), outline and inside together.
pub fn round_rect_spans(r: Rect, ew: i32, eh: i32) -> Vec<(i32, i32, i32)> {
    round_rect_rows(r, ew, eh)
        .into_iter()
        .map(|row| (row.y, row.x0, row.x1))
        .collect()
}

/// Spans of rows: (y, x0, x1 exclusive).
pub type Spans = Vec<(i32, i32, i32)>;

/// Splits a shape's spans into its outline (`width` pixels thick) and its inside: the
/// outline is what is less than `width` pixels from the shape's edge, row or column.
pub fn outline_and_inside(spans: &[(i32, i32, i32)], width: i32) -> (Spans, Spans) {
    let width = width.max(1);
    let mut outline = Vec::new();
    let mut inside = Vec::new();
    let find = |y: i32| spans.iter().find(|s| s.0 == y).map(|s| (s.1, s.2));
    for &(y, x0, x1) in spans {
        let mut ix0 = x0 + width;
        let mut ix1 = x1 - width;
        for d in 1..=width {
            match (find(y - d), find(y + d)) {
                (Some(a), Some(b)) => {
                    ix0 = ix0.max(a.0 + width - d).max(b.0 + width - d);
                    ix1 = ix1.min(a.1 - width + d).min(b.1 - width + d);
                }
                _ => {
                    ix0 = x1;
                    ix1 = x1;
                }
            }
        }
        if ix0 < ix1 {
            inside.push((y, ix0, ix1));
            if x0 < ix0 {
                outline.push((y, x0, ix0));
            }
            if ix1 < x1 {
                outline.push((y, ix1, x1));
            }
        } else {
            outline.push((y, x0, x1));
        }
    }
    (outline, inside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rop3_codes_give_their_truth_tables() {
        let (p, s, d) = (0x00F0_F0F0, 0x00CC_CCCC, 0x00AA_AAAA);
        assert_eq!(rop3(0xCC, p, s, d), s, "SRCCOPY");
        assert_eq!(rop3(0xF0, p, s, d), p, "PATCOPY");
        assert_eq!(rop3(0x00, p, s, d), 0, "BLACKNESS");
        assert_eq!(rop3(0xFF, p, s, d), 0xFFFF_FFFF, "WHITENESS");
        assert_eq!(rop3(0x66, p, s, d), s ^ d, "SRCINVERT");
        assert_eq!(rop3(0x88, p, s, d), s & d, "SRCAND");
        assert_eq!(rop3(0xEE, p, s, d), s | d, "SRCPAINT");
        assert_eq!(rop3(0x55, p, s, d), !d, "DSTINVERT");
        assert_eq!(rop3(0x5A, p, s, d), p ^ d, "PATINVERT");
        assert_eq!(rop3(0xB8, p, s, d), p & !s | d & s, "PSDPxax");
        assert_eq!(rop3_uses(0xCC), (false, true, false));
        assert_eq!(rop3_uses(0x5A), (true, false, true));
    }

    #[test]
    fn rop2_codes() {
        assert_eq!(rop2(13, 0x123456, 0xABCDEF), 0x123456);
        assert_eq!(rop2(7, 0x0000FF, 0x0000F0), 0x00000F);
        assert_eq!(rop2(6, 0, 0x00FF00) & 0xFFFFFF, 0xFF00FF);
        assert_eq!(rop2(1, 5, 5), 0);
        assert_eq!(rop2(16, 5, 5), 0xFFFF_FFFF);
    }

    #[test]
    fn a_line_leaves_out_its_last_pixel() {
        assert_eq!(line_pixels((0, 0), (3, 0)), vec![(0, 0), (1, 0), (2, 0)]);
        assert_eq!(line_pixels((2, 2), (2, 2)), vec![]);
        let d = line_pixels((0, 0), (4, 4));
        assert_eq!(d, vec![(0, 0), (1, 1), (2, 2), (3, 3)]);
        let back = line_pixels((5, 1), (0, 1));
        assert_eq!(back.first(), Some(&(5, 1)));
        assert_eq!(back.last(), Some(&(1, 1)));
    }

    #[test]
    fn polygons_fill_by_their_rule_without_right_and_bottom_edges() {
        let square = [(0.0, 0.0), (4.0, 0.0), (4.0, 3.0), (0.0, 3.0)];
        assert_eq!(
            polygon_spans(&square, false),
            vec![(0, 0, 4), (1, 0, 4), (2, 0, 4)]
        );
        // A pentagram: its middle is outside by the even-odd rule, inside by winding.
        let star = [
            (10.0, 0.0),
            (16.0, 20.0),
            (0.0, 7.0),
            (20.0, 7.0),
            (4.0, 20.0),
        ];
        let covers = |spans: &[(i32, i32, i32)], x: i32, y: i32| {
            spans.iter().any(|&(sy, a, b)| sy == y && x >= a && x < b)
        };
        assert!(!covers(&polygon_spans(&star, false), 10, 10));
        assert!(covers(&polygon_spans(&star, true), 10, 10));
        assert!(covers(&polygon_spans(&star, false), 10, 3));
    }

    #[test]
    fn ellipses_are_symmetric_and_inside_their_box() {
        for (w, h) in [(7, 5), (8, 6), (20, 11), (3, 3), (1, 9)] {
            let r = Rect::new(10, 20, 10 + w, 20 + h);
            let spans = round_rect_spans(r, w, h);
            assert_eq!(spans.len() as i32, h);
            for &(y, x0, x1) in &spans {
                assert!(x0 >= r.left && x1 <= r.right, "{w}x{h} row {y}");
                assert_eq!(x0 - r.left, r.right - x1, "left-right symmetric");
                let mirror = spans
                    .iter()
                    .find(|s| s.0 == r.top + r.bottom - 1 - y)
                    .unwrap();
                assert_eq!((mirror.1, mirror.2), (x0, x1), "top-bottom symmetric");
            }
            // The widest rows reach both sides.
            assert!(spans.iter().any(|s| s.1 == r.left && s.2 == r.right));
        }
        // A rectangle with no rounding is the rectangle.
        let plain = round_rect_spans(Rect::new(0, 0, 4, 2), 0, 0);
        assert_eq!(plain, vec![(0, 0, 4), (1, 0, 4)]);
    }

    #[test]
    fn an_ellipse_outline_takes_the_pixels_the_curve_passes_nearest() {
        // Ellipse(1,1,12,10) as NT draws it: # the outline, r the inside.
        let want = [
            "....#####...",
            "...#rrrrr#..",
            "..#rrrrrrr#.",
            ".#rrrrrrrrr#",
            ".#rrrrrrrrr#",
            ".#rrrrrrrrr#",
            "..#rrrrrrr#.",
            "...#rrrrr#..",
            "....#####...",
        ];
        let rows = round_rect_rows(Rect::new(1, 1, 12, 10), 11, 9);
        let got: Vec<String> = rows
            .iter()
            .map(|r| {
                (0..12)
                    .map(|x| {
                        if x >= r.inner_left && x < r.inner_right {
                            'r'
                        } else if x >= r.x0 && x < r.x1 {
                            '#'
                        } else {
                            '.'
                        }
                    })
                    .collect()
            })
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn an_outline_one_pixel_wide_rings_a_rectangle() {
        let spans = round_rect_spans(Rect::new(0, 0, 5, 4), 0, 0);
        let (outline, inside) = outline_and_inside(&spans, 1);
        assert_eq!(inside, vec![(1, 1, 4), (2, 1, 4)]);
        let count: i32 = outline.iter().map(|s| s.2 - s.1).sum();
        assert_eq!(count, 5 + 5 + 2 + 2);
    }
}
