//! DrawText's layout as NT 4.0's USER32 does it, as a pure function: where each line (and
//! each tab-separated run of it) goes, which characters a '&' prefix underlines, what
//! DrawText returns and what DT_CALCRECT makes of the rectangle.
//!
//! USER32's DrawText(Ex)A/W: turn the text into UTF-16 ([`super::ansi_to_unicode`] for A),
//! return 0 without touching anything when the count is 0 (NT returns 0 for a zero-length
//! count, and leaves the rectangle as it was); otherwise call [`layout`], and then either
//! write [`Layout::rect`] back (DT_CALCRECT) or [`draw`] it (each [`Run`] with
//! [`super::Font::draw`] and each [`Underline`] with [`super::Font::draw_underline`], clipped
//! to [`Layout::clip`] within the DC's clip); return [`Layout::height`].
//!
//! The rules (NT 4.0's, as the DrawText documentation and Wine's user32 tests text.c
//! describe them):
//! - Lines end at CR LF, CR or LF unless DT_SINGLELINE. Each line is `tmHeight` high (plus
//!   `tmExternalLeading` with DT_EXTERNALLEADING).
//! - DT_WORDBREAK (not with DT_SINGLELINE) breaks a line between words where the next word
//!   would pass the rectangle's right edge; the spaces at a break are not drawn; a word wider
//!   than the rectangle stays whole on its own line, unless DT_EDITCONTROL, which breaks it
//!   after its last character that fits (Wine's text.c: "line1 line2" in a 1-pixel wide
//!   rectangle is two lines, six or more with DT_EDITCONTROL, on Windows).
//! - DT_LEFT / DT_CENTER / DT_RIGHT place each line in the rectangle's width; DT_TOP /
//!   DT_VCENTER / DT_BOTTOM only matter with DT_SINGLELINE.
//! - DT_EXPANDTABS expands tabs to every 8 average character widths, or to every N with
//!   DT_TABSTOP (N in bits 8-15 of the format, which then carry no other flag).
//! - Unless DT_NOPREFIX, '&' is not drawn and underlines the character after it ("&&" draws
//!   one '&'); of several in a line, the last one is underlined.
//! - DT_END_ELLIPSIS (and DT_WORD_ELLIPSIS, which truncates the word that does not fit the
//!   same way) replaces the end of a line that does not fit with "..."; DT_PATH_ELLIPSIS
//!   puts the "..." before the last '\\' so the file name stays whole. The string itself is
//!   not changed (DT_MODIFYSTRING is the caller's: the runs hold the text drawn).
//! - The return value is the text's height; with DT_SINGLELINE and DT_VCENTER or DT_BOTTOM,
//!   the offset from the rectangle's top to the bottom of the drawn text.
//! - DT_CALCRECT: the rectangle's right becomes left + the widest line, its bottom top + the
//!   height; nothing is drawn. An empty text (not DT_SINGLELINE) gives an empty rectangle at
//!   its top-left but still returns one line's height (Wine's text.c checks both on Windows).
//! - Unless DT_NOCLIP the drawing is clipped to the rectangle.

use super::{Font, TextDraw};
use crate::geometry::Rect;
use crate::surface::{Surface, intersect};

/// DT_TOP / DT_LEFT (0).
pub const DT_TOP: u32 = 0x0;
/// DT_CENTER.
pub const DT_CENTER: u32 = 0x1;
/// DT_RIGHT.
pub const DT_RIGHT: u32 = 0x2;
/// DT_VCENTER.
pub const DT_VCENTER: u32 = 0x4;
/// DT_BOTTOM.
pub const DT_BOTTOM: u32 = 0x8;
/// DT_WORDBREAK.
pub const DT_WORDBREAK: u32 = 0x10;
/// DT_SINGLELINE.
pub const DT_SINGLELINE: u32 = 0x20;
/// DT_EXPANDTABS.
pub const DT_EXPANDTABS: u32 = 0x40;
/// DT_TABSTOP.
pub const DT_TABSTOP: u32 = 0x80;
/// DT_NOCLIP.
pub const DT_NOCLIP: u32 = 0x100;
/// DT_EXTERNALLEADING.
pub const DT_EXTERNALLEADING: u32 = 0x200;
/// DT_CALCRECT.
pub const DT_CALCRECT: u32 = 0x400;
/// DT_NOPREFIX.
pub const DT_NOPREFIX: u32 = 0x800;
/// DT_EDITCONTROL.
pub const DT_EDITCONTROL: u32 = 0x2000;
/// DT_PATH_ELLIPSIS.
pub const DT_PATH_ELLIPSIS: u32 = 0x4000;
/// DT_END_ELLIPSIS.
pub const DT_END_ELLIPSIS: u32 = 0x8000;
/// DT_WORD_ELLIPSIS.
pub const DT_WORD_ELLIPSIS: u32 = 0x40000;

/// A piece of a line drawn at one place: the whole line, or the text between tabs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// Left of its first cell.
    pub x: i32,
    /// Top of its cells.
    pub y: i32,
    /// The characters to draw (prefix '&'s removed).
    pub text: Vec<u16>,
}

/// The underline of a '&' prefixed character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Underline {
    /// Left of the character's cell.
    pub x: i32,
    /// Top of the character's cell (the line is drawn at the font's underline row).
    pub y: i32,
    /// The character's advance.
    pub width: i32,
}

/// What DrawText draws and returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The runs to draw, line by line.
    pub runs: Vec<Run>,
    /// The prefix underlines.
    pub underlines: Vec<Underline>,
    /// The lines' widths, top line first.
    pub line_widths: Vec<i32>,
    /// DrawText's return value.
    pub height: i32,
    /// The rectangle DT_CALCRECT gives back (the one passed in without DT_CALCRECT).
    pub rect: Rect,
    /// The drawing is clipped to this (None with DT_NOCLIP).
    pub clip: Option<Rect>,
}

/// One logical line with its prefix resolved.
struct Visible {
    chars: Vec<u16>,
    prefix: Option<usize>,
}

fn strip_prefixes(line: &[u16]) -> Visible {
    let mut chars = Vec::with_capacity(line.len());
    let mut prefix = None;
    let mut i = 0;
    while i < line.len() {
        if line[i] == u16::from(b'&') {
            i += 1;
            match line.get(i) {
                Some(&c) if c == u16::from(b'&') => chars.push(c),
                Some(&c) => {
                    prefix = Some(chars.len());
                    chars.push(c);
                }
                None => {}
            }
        } else {
            chars.push(line[i]);
        }
        i += 1;
    }
    Visible { chars, prefix }
}

const TAB: u16 = 9;
const SPACE: u16 = 32;

struct Measure<'a> {
    font: &'a Font,
    tab: i32,
}

impl Measure<'_> {
    /// Where the pen is after `c` when it was at `x`.
    fn advance(&self, x: i32, c: u16) -> i32 {
        if c == TAB && self.tab > 0 {
            (x / self.tab).saturating_add(1).saturating_mul(self.tab)
        } else {
            x.saturating_add(self.font.char_width_w(c))
        }
    }

    /// The x where each char of `chars` starts and the end, tabs expanded.
    fn positions(&self, chars: &[u16]) -> Vec<i32> {
        let mut out = Vec::with_capacity(chars.len() + 1);
        let mut x = 0;
        out.push(0);
        for &c in chars {
            x = self.advance(x, c);
            out.push(x);
        }
        out
    }

    fn width(&self, chars: &[u16]) -> i32 {
        *self.positions(chars).last().unwrap_or(&0)
    }
}

/// Breaks `chars` into lines of at most `avail` pixels between words: (start, end) pairs.
/// A word wider than a line stays whole on its own line, or with `split_words`
/// (DT_EDITCONTROL) is broken after its last character that fits (at least one a line).
fn word_break(m: &Measure, chars: &[u16], avail: i32, split_words: bool) -> Vec<(usize, usize)> {
    let blank = |c: u16| c == SPACE || c == TAB;
    let mut lines = Vec::new();
    let mut start = 0;
    loop {
        // walk the line, remembering the last word end that fits
        let mut x = 0;
        let mut fit_end = None;
        let mut last_fitting_char = start;
        let mut k = start;
        let mut over = false;
        while k < chars.len() {
            x = m.advance(x, chars[k]);
            k += 1;
            if x <= avail {
                last_fitting_char = k;
            }
            let word_end = k == chars.len() || (blank(chars[k]) && !blank(chars[k - 1]));
            if word_end {
                if x <= avail {
                    fit_end = Some(k);
                } else {
                    over = true;
                    break;
                }
            }
        }
        let e = match fit_end {
            Some(e) => e,
            None if over && split_words => last_fitting_char.max(start + 1),
            // the first word is wider than the line: it stays whole
            None => k,
        };
        lines.push((start, e));
        let mut next = e;
        while next < chars.len() && blank(chars[next]) {
            next += 1;
        }
        if next >= chars.len() {
            break;
        }
        start = next;
    }
    lines
}

/// Lays out `text` in `rect` with DrawText's `format` flags (see the module doc). `text` is
/// what DrawText was given (count already applied; its count must not be 0).
pub fn layout(font: &Font, text: &[u16], rect: Rect, format: u32) -> Layout {
    let tm = font.metrics();
    let (flags, tab_chars) = if format & DT_TABSTOP != 0 {
        (format & !0xFF00, ((format >> 8) & 0xFF) as i32)
    } else {
        (format, 8)
    };
    let tab = if flags & DT_EXPANDTABS != 0 {
        tab_chars * tm.ave_char_width
    } else {
        0
    };
    let m = Measure { font, tab };
    let line_height = tm.height
        + if flags & DT_EXTERNALLEADING != 0 {
            tm.external_leading
        } else {
            0
        };
    let single = flags & DT_SINGLELINE != 0;

    // logical lines
    let mut logical: Vec<&[u16]> = Vec::new();
    if single {
        logical.push(text);
    } else {
        let mut start = 0;
        let mut i = 0;
        while i < text.len() {
            if text[i] == 13 || text[i] == 10 {
                logical.push(&text[start..i]);
                if text[i] == 13 && text.get(i + 1) == Some(&10) {
                    i += 1;
                }
                start = i + 1;
            }
            i += 1;
        }
        if start < text.len() || logical.is_empty() {
            logical.push(&text[start..]);
        }
    }

    // physical lines: (chars, prefix index within them)
    let avail = rect.width();
    let mut lines: Vec<(Vec<u16>, Option<usize>)> = Vec::new();
    for l in logical {
        let v = if flags & DT_NOPREFIX != 0 {
            Visible {
                chars: l.to_vec(),
                prefix: None,
            }
        } else {
            strip_prefixes(l)
        };
        if flags & DT_WORDBREAK != 0 && !single && !v.chars.is_empty() {
            for (s, e) in word_break(&m, &v.chars, avail, flags & DT_EDITCONTROL != 0) {
                let prefix = v.prefix.filter(|&p| p >= s && p < e).map(|p| p - s);
                lines.push((v.chars[s..e].to_vec(), prefix));
            }
        } else {
            lines.push((v.chars, v.prefix));
        }
    }
    if flags & (DT_END_ELLIPSIS | DT_WORD_ELLIPSIS | DT_PATH_ELLIPSIS) != 0 {
        let dots = [u16::from(b'.'); 3];
        let dots_width = m.width(&dots);
        for (chars, prefix) in lines.iter_mut() {
            let pos = m.positions(chars);
            if pos.last().is_none_or(|&w| w <= avail) {
                continue;
            }
            // DT_PATH_ELLIPSIS keeps the part from the last backslash (the file name) whole
            let tail_start = if flags & DT_PATH_ELLIPSIS != 0 {
                chars
                    .iter()
                    .rposition(|&c| c == u16::from(b'\\') || c == u16::from(b'/'))
                    .unwrap_or(chars.len())
            } else {
                chars.len()
            };
            let tail = chars.split_off(tail_start);
            let tail_width = m.width(&tail);
            // the longest start that leaves room for the dots and the tail
            let room = avail.saturating_sub(dots_width).saturating_sub(tail_width);
            let keep = (0..=chars.len())
                .rev()
                .find(|&n| pos[n] <= room)
                .unwrap_or(0);
            chars.truncate(keep);
            if prefix.is_some_and(|p| p >= keep && p < tail_start) {
                *prefix = None;
            }
            if let Some(p) = prefix.as_mut()
                && *p >= tail_start
            {
                *p = *p - tail_start + keep + dots.len();
            }
            chars.extend_from_slice(&dots);
            chars.extend_from_slice(&tail);
        }
    }

    let total = line_height.saturating_mul(lines.len().min(i32::MAX as usize) as i32);
    let first_y = if single && flags & DT_VCENTER != 0 {
        rect.top
            .saturating_add((rect.height().saturating_sub(line_height)) / 2)
    } else if single && flags & DT_BOTTOM != 0 {
        rect.bottom.saturating_sub(line_height)
    } else {
        rect.top
    };
    let mut runs = Vec::new();
    let mut underlines = Vec::new();
    let mut widths = Vec::new();
    for (n, (chars, prefix)) in lines.iter().enumerate() {
        let pos = m.positions(chars);
        let w = *pos.last().unwrap_or(&0);
        widths.push(w);
        let x = if flags & DT_CENTER != 0 && flags & DT_RIGHT == 0 {
            rect.left.saturating_add(rect.width().saturating_sub(w) / 2)
        } else if flags & DT_RIGHT != 0 {
            rect.right.saturating_sub(w)
        } else {
            rect.left
        };
        let y = first_y.saturating_add((n as i32).saturating_mul(line_height));
        // runs split at tabs when they are expanded
        let mut s = 0;
        for i in 0..=chars.len() {
            let cut = i == chars.len() || (tab > 0 && chars[i] == TAB);
            if cut {
                if i > s {
                    runs.push(Run {
                        x: x.saturating_add(pos[s]),
                        y,
                        text: chars[s..i].to_vec(),
                    });
                }
                s = i + 1;
            }
        }
        if let Some(p) = prefix {
            underlines.push(Underline {
                x: x.saturating_add(pos[*p]),
                y,
                width: pos[p + 1] - pos[*p],
            });
        }
    }
    let height = if single && flags & (DT_VCENTER | DT_BOTTOM) != 0 {
        first_y.saturating_add(line_height).saturating_sub(rect.top)
    } else {
        total
    };
    let max_width = widths.iter().copied().max().unwrap_or(0);
    let out_rect = if flags & DT_CALCRECT != 0 {
        if text.is_empty() && !single {
            Rect::new(rect.left, rect.top, rect.left, rect.top)
        } else {
            Rect::new(
                rect.left,
                rect.top,
                rect.left.saturating_add(max_width),
                rect.top.saturating_add(total),
            )
        }
    } else {
        rect
    };
    Layout {
        runs: if flags & DT_CALCRECT != 0 {
            Vec::new()
        } else {
            runs
        },
        underlines: if flags & DT_CALCRECT != 0 {
            Vec::new()
        } else {
            underlines
        },
        line_widths: widths,
        height,
        rect: out_rect,
        clip: (flags & DT_NOCLIP == 0).then_some(rect),
    }
}

/// Draws a [`layout`] (not a DT_CALCRECT one: it has no runs) as DrawText does: each run
/// with [`Font::draw`] (so a DC in OPAQUE mode fills each run's cells with `how.background`)
/// and each prefix underline, within `how.clip` and, unless DT_NOCLIP, the layout's
/// rectangle.
pub fn draw(font: &Font, surface: &mut Surface, layout: &Layout, how: &TextDraw) {
    let clipped: Vec<Rect>;
    let clip = match layout.clip {
        Some(r) => {
            clipped = how.clip.iter().map(|c| intersect(*c, r)).collect();
            &clipped[..]
        }
        None => how.clip,
    };
    let how = TextDraw { clip, ..*how };
    for run in &layout.runs {
        font.draw(surface, run.x, run.y, &run.text, &how);
    }
    for u in &layout.underlines {
        font.draw_underline(surface, u.x, u.y, u.width, &how);
    }
}

/// TabbedTextOut's and GetTabbedTextExtent's layout of `text`: the runs between tabs with
/// their x offsets from where the text begins, and the whole width (GetTabbedTextExtent's
/// cx; the cy is the font's tmHeight).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tabbed {
    /// (x offset from the text's start, characters) of each run between tabs.
    pub runs: Vec<(i32, Vec<u16>)>,
    /// The width: where the pen ends.
    pub width: i32,
}

/// Lays out `text` at tab stops as TabbedTextOut does: `tab_stops` as the caller gave them
/// (none: every 8 average character widths; one: every that many pixels; more: those
/// positions, ascending, past the last of which tabs go on every 8 average widths), measured
/// from the tab origin, which is `origin` pixels right of where the text begins (nTabOrigin
/// less X). A tab moves the pen to the first stop strictly right of it (Wine's text.c
/// `test_TabbedText` checks that on Windows: a tab at a stop goes on to the next). Negative
/// stops (right-aligned tabs, a later Windows' addition) are taken as their absolute value.
pub fn tabbed(font: &Font, text: &[u16], tab_stops: &[i32], origin: i32) -> Tabbed {
    let default = (8 * font.metrics().ave_char_width).max(1);
    let periodic = match tab_stops {
        [] => Some(default),
        [one] => Some(match one.unsigned_abs().min(i32::MAX as u32) as i32 {
            0 => default,
            d => d,
        }),
        _ => None,
    };
    let next_stop = |x: i32| -> i32 {
        let rel = x.saturating_sub(origin);
        let every = |d: i32| {
            (rel.div_euclid(d) + 1)
                .saturating_mul(d)
                .saturating_add(origin)
        };
        match periodic {
            Some(d) => every(d),
            None => tab_stops
                .iter()
                .map(|s| s.unsigned_abs().min(i32::MAX as u32) as i32)
                .find(|&s| s > rel)
                .map(|s| s.saturating_add(origin))
                .unwrap_or_else(|| every(default)),
        }
    };
    let mut runs = Vec::new();
    let mut x = 0i32;
    let mut run_start = 0;
    let mut run_x = 0;
    for (i, &c) in text.iter().enumerate() {
        if c == TAB {
            if i > run_start {
                runs.push((run_x, text[run_start..i].to_vec()));
            }
            x = next_stop(x);
            run_start = i + 1;
            run_x = x;
        } else {
            x = x.saturating_add(font.char_width_w(c));
        }
    }
    if run_start < text.len() {
        runs.push((run_x, text[run_start..].to_vec()));
    }
    Tabbed { runs, width: x }
}
