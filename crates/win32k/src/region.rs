//! Regions as NT keeps them: a set of pixels made of rectangles that do not overlap, sorted in
//! bands from the top (y) and from the left within a band (x). GDI's clipping and region
//! objects and USER's update regions are these.

use crate::geometry::Rect;

/// RGN_AND.
pub const RGN_AND: u32 = 1;
/// RGN_OR.
pub const RGN_OR: u32 = 2;
/// RGN_XOR.
pub const RGN_XOR: u32 = 3;
/// RGN_DIFF.
pub const RGN_DIFF: u32 = 4;
/// RGN_COPY.
pub const RGN_COPY: u32 = 5;

/// NULLREGION: what a region function returns for an empty result.
pub const NULLREGION: u32 = 1;
/// SIMPLEREGION: one rectangle.
pub const SIMPLEREGION: u32 = 2;
/// COMPLEXREGION: more than one rectangle.
pub const COMPLEXREGION: u32 = 3;

/// A region: rectangles that do not overlap, in y-x band order, none empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Region {
    rects: Vec<Rect>,
}

fn empty(r: &Rect) -> bool {
    r.left >= r.right || r.top >= r.bottom
}

impl Region {
    /// The empty region.
    pub fn new() -> Region {
        Region::default()
    }

    /// The region of one rectangle (empty when the rectangle is; the corners may come in
    /// any order as CreateRectRgn takes them).
    pub fn rect(r: Rect) -> Region {
        let r = Rect::new(
            r.left.min(r.right),
            r.top.min(r.bottom),
            r.left.max(r.right),
            r.top.max(r.bottom),
        );
        if empty(&r) {
            Region::new()
        } else {
            Region { rects: vec![r] }
        }
    }

    /// The rectangles, in band order.
    pub fn rects(&self) -> &[Rect] {
        &self.rects
    }

    /// Whether it holds no pixel.
    pub fn is_empty(&self) -> bool {
        self.rects.is_empty()
    }

    /// NULLREGION, SIMPLEREGION or COMPLEXREGION.
    pub fn complexity(&self) -> u32 {
        match self.rects.len() {
            0 => NULLREGION,
            1 => SIMPLEREGION,
            _ => COMPLEXREGION,
        }
    }

    /// The smallest rectangle holding it (all zero when empty).
    pub fn bounds(&self) -> Rect {
        let mut it = self.rects.iter();
        let Some(first) = it.next() else {
            return Rect::default();
        };
        it.fold(*first, |a, r| {
            Rect::new(
                a.left.min(r.left),
                a.top.min(r.top),
                a.right.max(r.right),
                a.bottom.max(r.bottom),
            )
        })
    }

    /// Whether the pixel (x, y) is in it.
    pub fn contains(&self, x: i32, y: i32) -> bool {
        self.rects
            .iter()
            .any(|r| x >= r.left && x < r.right && y >= r.top && y < r.bottom)
    }

    /// Moved by (dx, dy).
    pub fn offset(&self, dx: i32, dy: i32) -> Region {
        Region {
            rects: self.rects.iter().map(|r| r.offset(dx, dy)).collect(),
        }
    }

    /// The region of `self` `op` `other` (RGN_AND, RGN_OR, RGN_XOR, RGN_DIFF; RGN_COPY and
    /// anything else give a copy of `self`).
    pub fn combine(&self, other: &Region, op: u32) -> Region {
        let keep = |a: bool, b: bool| match op {
            RGN_AND => a && b,
            RGN_OR => a || b,
            RGN_XOR => a != b,
            RGN_DIFF => a && !b,
            _ => a,
        };
        let mut ys: Vec<i32> = self
            .rects
            .iter()
            .chain(&other.rects)
            .flat_map(|r| [r.top, r.bottom])
            .collect();
        ys.sort_unstable();
        ys.dedup();
        let mut out: Vec<Rect> = Vec::new();
        // The rectangles of the last band, to merge a band into when its spans are the same.
        let mut last_band: Vec<usize> = Vec::new();
        for w in ys.windows(2) {
            let (y0, y1) = (w[0], w[1]);
            let spans = |reg: &Region| -> Vec<(i32, i32)> {
                reg.rects
                    .iter()
                    .filter(|r| r.top <= y0 && r.bottom >= y1)
                    .map(|r| (r.left, r.right))
                    .collect()
            };
            let (a, b) = (spans(self), spans(other));
            let mut xs: Vec<i32> = a.iter().chain(&b).flat_map(|&(l, r)| [l, r]).collect();
            xs.sort_unstable();
            xs.dedup();
            let inside = |s: &[(i32, i32)], x: i32| s.iter().any(|&(l, r)| x >= l && x < r);
            let mut band: Vec<(i32, i32)> = Vec::new();
            for xw in xs.windows(2) {
                if keep(inside(&a, xw[0]), inside(&b, xw[0])) {
                    match band.last_mut() {
                        Some(last) if last.1 == xw[0] => last.1 = xw[1],
                        _ => band.push((xw[0], xw[1])),
                    }
                }
            }
            let same = last_band.len() == band.len()
                && last_band.iter().zip(&band).all(|(&i, &(l, r))| {
                    out[i].bottom == y0 && out[i].left == l && out[i].right == r
                });
            if same {
                for &i in &last_band {
                    out[i].bottom = y1;
                }
            } else {
                last_band.clear();
                for (l, r) in band {
                    last_band.push(out.len());
                    out.push(Rect::new(l, y0, r, y1));
                }
            }
        }
        Region { rects: out }
    }

    /// The region of the pixels of `spans` (y, x0, x1 exclusive), in any order.
    pub fn from_spans(spans: &[(i32, i32, i32)]) -> Region {
        let mut sorted: Vec<(i32, i32, i32)> =
            spans.iter().copied().filter(|s| s.1 < s.2).collect();
        sorted.sort_unstable();
        let mut rects: Vec<Rect> = Vec::new();
        let mut prev_row: Vec<usize> = Vec::new();
        let mut i = 0;
        while i < sorted.len() {
            let y = sorted[i].0;
            // This row's spans, overlapping ones merged.
            let mut row: Vec<(i32, i32)> = Vec::new();
            while i < sorted.len() && sorted[i].0 == y {
                let (a, b) = (sorted[i].1, sorted[i].2);
                match row.last_mut() {
                    Some(last) if a <= last.1 => last.1 = last.1.max(b),
                    _ => row.push((a, b)),
                }
                i += 1;
            }
            let same = prev_row.len() == row.len()
                && prev_row.iter().zip(&row).all(|(&k, &(a, b))| {
                    rects[k].bottom == y && rects[k].left == a && rects[k].right == b
                });
            if same {
                for &k in &prev_row {
                    rects[k].bottom = y + 1;
                }
            } else {
                prev_row.clear();
                for (a, b) in row {
                    prev_row.push(rects.len());
                    rects.push(Rect::new(a, y, b, y + 1));
                }
            }
        }
        Region { rects }
    }

    /// The region and a rectangle.
    pub fn intersect_rect(&self, r: Rect) -> Region {
        self.combine(&Region::rect(r), RGN_AND)
    }

    /// The region with a rectangle added.
    pub fn union_rect(&self, r: Rect) -> Region {
        self.combine(&Region::rect(r), RGN_OR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_make_bands_merged_down_the_rows() {
        let r = Region::from_spans(&[(0, 0, 4), (1, 0, 4), (1, 2, 6), (2, 1, 2)]);
        assert_eq!(
            r.rects(),
            &[
                Rect::new(0, 0, 4, 1),
                Rect::new(0, 1, 6, 2),
                Rect::new(1, 2, 2, 3)
            ]
        );
        let square = Region::from_spans(&[(5, 1, 3), (6, 1, 3)]);
        assert_eq!(square.rects(), &[Rect::new(1, 5, 3, 7)]);
    }

    #[test]
    fn combining_rectangles_gives_bands_that_do_not_overlap() {
        let a = Region::rect(Rect::new(0, 0, 10, 10));
        let b = Region::rect(Rect::new(5, 5, 15, 15));
        let or = a.combine(&b, RGN_OR);
        assert_eq!(
            or.rects(),
            &[
                Rect::new(0, 0, 10, 5),
                Rect::new(0, 5, 15, 10),
                Rect::new(5, 10, 15, 15)
            ]
        );
        assert_eq!(a.combine(&b, RGN_AND).rects(), &[Rect::new(5, 5, 10, 10)]);
        let diff = a.combine(&b, RGN_DIFF);
        assert_eq!(
            diff.rects(),
            &[Rect::new(0, 0, 10, 5), Rect::new(0, 5, 5, 10)]
        );
        assert_eq!(a.combine(&b, RGN_XOR).rects().len(), 4);
        assert!(a.combine(&a, RGN_DIFF).is_empty());
        assert_eq!(or.bounds(), Rect::new(0, 0, 15, 15));
        assert_eq!(or.complexity(), COMPLEXREGION);
        // Two rectangles that make one are merged.
        let two = Region::rect(Rect::new(0, 0, 4, 2)).union_rect(Rect::new(0, 2, 4, 5));
        assert_eq!(two.rects(), &[Rect::new(0, 0, 4, 5)]);
    }
}
