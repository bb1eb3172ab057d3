//! The Edit control: single-line and ES_MULTILINE text with a selection and caret, typing
//! (WM_CHAR) with ES_UPPERCASE/LOWERCASE/NUMBER/READONLY/PASSWORD, the editing keys with
//! Shift extending the selection, the mouse, the clipboard (WM_CUT/COPY/PASTE/CLEAR), one
//! level of undo that NT's EM_UNDO redoes when sent again, the EM_* messages, EN_UPDATE and
//! EN_CHANGE after changes (WM_SETTEXT notifies only for a single-line edit outside a combo
//! box, as NT's does), EN_SETFOCUS/EN_KILLFOCUS/EN_MAXTEXT, and drawing as NT 4.0 does:
//! COLOR_WINDOW (3DFACE when read-only or disabled), the selection in COLOR_HIGHLIGHT while
//! it has the focus, the caret a one-pixel bar.

use std::collections::BTreeMap;

use win32::{ApiCall, ApiReturn, export};
use win32k::font::Font;
use win32k::geometry::Rect;

use crate::control::*;
use crate::guest::{Step, run};
use crate::wm::{Act, WM_CHAR, WM_GETTEXT, WM_GETTEXTLENGTH, WM_KEYDOWN, WM_SETTEXT, wm};

/// ES_CENTER.
pub const ES_CENTER: u32 = 0x1;
/// ES_RIGHT.
pub const ES_RIGHT: u32 = 0x2;
/// ES_MULTILINE.
pub const ES_MULTILINE: u32 = 0x4;
/// ES_UPPERCASE.
pub const ES_UPPERCASE: u32 = 0x8;
/// ES_LOWERCASE.
pub const ES_LOWERCASE: u32 = 0x10;
/// ES_PASSWORD.
pub const ES_PASSWORD: u32 = 0x20;
/// ES_AUTOVSCROLL.
pub const ES_AUTOVSCROLL: u32 = 0x40;
/// ES_AUTOHSCROLL.
pub const ES_AUTOHSCROLL: u32 = 0x80;
/// ES_NOHIDESEL.
pub const ES_NOHIDESEL: u32 = 0x100;
/// ES_READONLY.
pub const ES_READONLY: u32 = 0x800;
/// ES_WANTRETURN.
pub const ES_WANTRETURN: u32 = 0x1000;
/// ES_NUMBER.
pub const ES_NUMBER: u32 = 0x2000;

/// EN_SETFOCUS.
pub const EN_SETFOCUS: u32 = 0x100;
/// EN_KILLFOCUS.
pub const EN_KILLFOCUS: u32 = 0x200;
/// EN_CHANGE.
pub const EN_CHANGE: u32 = 0x300;
/// EN_UPDATE.
pub const EN_UPDATE: u32 = 0x400;
/// EN_MAXTEXT.
pub const EN_MAXTEXT: u32 = 0x501;
/// EN_HSCROLL.
pub const EN_HSCROLL: u32 = 0x601;
/// EN_VSCROLL.
pub const EN_VSCROLL: u32 = 0x602;

/// EM_GETSEL.
pub const EM_GETSEL: u32 = 0xB0;
/// EM_SETSEL.
pub const EM_SETSEL: u32 = 0xB1;
/// EM_GETRECT.
pub const EM_GETRECT: u32 = 0xB2;
/// EM_SETRECT.
pub const EM_SETRECT: u32 = 0xB3;
/// EM_SETRECTNP.
pub const EM_SETRECTNP: u32 = 0xB4;
/// EM_SCROLL.
pub const EM_SCROLL: u32 = 0xB5;
/// EM_LINESCROLL.
pub const EM_LINESCROLL: u32 = 0xB6;
/// EM_SCROLLCARET.
pub const EM_SCROLLCARET: u32 = 0xB7;
/// EM_GETMODIFY.
pub const EM_GETMODIFY: u32 = 0xB8;
/// EM_SETMODIFY.
pub const EM_SETMODIFY: u32 = 0xB9;
/// EM_GETLINECOUNT.
pub const EM_GETLINECOUNT: u32 = 0xBA;
/// EM_LINEINDEX.
pub const EM_LINEINDEX: u32 = 0xBB;
/// EM_SETHANDLE.
pub const EM_SETHANDLE: u32 = 0xBC;
/// EM_GETHANDLE.
pub const EM_GETHANDLE: u32 = 0xBD;
/// EM_GETTHUMB.
pub const EM_GETTHUMB: u32 = 0xBE;
/// EM_LINELENGTH.
pub const EM_LINELENGTH: u32 = 0xC1;
/// EM_REPLACESEL.
pub const EM_REPLACESEL: u32 = 0xC2;
/// EM_GETLINE.
pub const EM_GETLINE: u32 = 0xC4;
/// EM_LIMITTEXT (EM_SETLIMITTEXT).
pub const EM_LIMITTEXT: u32 = 0xC5;
/// EM_CANUNDO.
pub const EM_CANUNDO: u32 = 0xC6;
/// EM_UNDO.
pub const EM_UNDO: u32 = 0xC7;
/// EM_FMTLINES.
pub const EM_FMTLINES: u32 = 0xC8;
/// EM_LINEFROMCHAR.
pub const EM_LINEFROMCHAR: u32 = 0xC9;
/// EM_SETTABSTOPS.
pub const EM_SETTABSTOPS: u32 = 0xCB;
/// EM_SETPASSWORDCHAR.
pub const EM_SETPASSWORDCHAR: u32 = 0xCC;
/// EM_EMPTYUNDOBUFFER.
pub const EM_EMPTYUNDOBUFFER: u32 = 0xCD;
/// EM_GETFIRSTVISIBLELINE.
pub const EM_GETFIRSTVISIBLELINE: u32 = 0xCE;
/// EM_SETREADONLY.
pub const EM_SETREADONLY: u32 = 0xCF;
/// EM_SETWORDBREAKPROC.
pub const EM_SETWORDBREAKPROC: u32 = 0xD0;
/// EM_GETWORDBREAKPROC.
pub const EM_GETWORDBREAKPROC: u32 = 0xD1;
/// EM_GETPASSWORDCHAR.
pub const EM_GETPASSWORDCHAR: u32 = 0xD2;
/// EM_SETMARGINS.
pub const EM_SETMARGINS: u32 = 0xD3;
/// EM_GETMARGINS.
pub const EM_GETMARGINS: u32 = 0xD4;
/// EM_GETLIMITTEXT.
pub const EM_GETLIMITTEXT: u32 = 0xD5;
/// EM_POSFROMCHAR.
pub const EM_POSFROMCHAR: u32 = 0xD6;
/// EM_CHARFROMPOS.
pub const EM_CHARFROMPOS: u32 = 0xD7;

/// WM_CUT.
pub const WM_CUT: u32 = 0x300;
/// WM_COPY.
pub const WM_COPY: u32 = 0x301;
/// WM_PASTE.
pub const WM_PASTE: u32 = 0x302;
/// WM_CLEAR.
pub const WM_CLEAR: u32 = 0x303;
/// WM_UNDO.
pub const WM_UNDO: u32 = 0x304;
/// The text limit an edit starts with (NT's edit controls take 30000 characters until
/// EM_LIMITTEXT changes it).
pub const DEFAULT_LIMIT: u32 = 30000;

const VK_BACK: u32 = 0x08;
const VK_SHIFT: u8 = 0x10;
const VK_CONTROL: u8 = 0x11;
const VK_END: u32 = 0x23;
const VK_HOME: u32 = 0x24;
const VK_LEFT: u32 = 0x25;
const VK_UP: u32 = 0x26;
const VK_RIGHT: u32 = 0x27;
const VK_DOWN: u32 = 0x28;
const VK_INSERT: u32 = 0x2D;
const VK_DELETE: u32 = 0x2E;
const VK_PRIOR: u32 = 0x21;
const VK_NEXT: u32 = 0x22;

/// The text and selection before the last change (EM_UNDO's buffer).
#[derive(Clone, Debug, Default)]
struct Undo {
    text: Vec<u16>,
    start: usize,
    end: usize,
}

/// An edit control's state.
#[derive(Clone, Debug, Default)]
pub struct Edit {
    /// The text (multiline lines end in CR LF).
    pub text: Vec<u16>,
    /// The selection's anchor.
    pub anchor: usize,
    /// The caret (the selection's other end).
    pub caret: usize,
    /// The most characters.
    pub limit: u32,
    /// EM_GETMODIFY's flag.
    pub modified: bool,
    undo: Option<Undo>,
    /// The password character (0: none).
    pub password: u16,
    /// The first visible line (multiline).
    pub first_line: usize,
    /// Pixels scrolled to the left (single-line).
    pub x_offset: i32,
    /// WM_SETFONT's font.
    pub font: u32,
    /// Left and right margins.
    pub margins: (i32, i32),
    /// EM_SETRECT's formatting rectangle.
    pub rect: Option<Rect>,
    /// Whether it has the focus.
    pub focused: bool,
    /// The mouse is selecting.
    pub dragging: bool,
}

impl Edit {
    /// The selection, low end first.
    pub fn selection(&self) -> (usize, usize) {
        (self.anchor.min(self.caret), self.anchor.max(self.caret))
    }
}

/// The machine's edit controls, by window.
#[derive(Default)]
pub struct Edits(pub BTreeMap<u32, Edit>);

fn state<'a>(call: &'a mut ApiCall<'_>, hwnd: u32) -> Option<&'a mut Edit> {
    call.state.get::<Edits>().0.get_mut(&hwnd)
}

/// Where each line starts and ends (its end before any CR LF): lines break at CR LF and,
/// in a multiline edit without ES_AUTOHSCROLL, wrap at words to `width` pixels.
pub fn lines(text: &[u16], style: u32, font: &Font, width: i32) -> Vec<(usize, usize)> {
    if style & ES_MULTILINE == 0 {
        return vec![(0, text.len())];
    }
    let wrap = style & ES_AUTOHSCROLL == 0 && width > 0;
    let mut out = Vec::new();
    let mut start = 0;
    loop {
        let mut end = start;
        while end < text.len() && !(text[end] == 13 && text.get(end + 1) == Some(&10)) {
            end += 1;
        }
        // The paragraph start..end, wrapped.
        let mut s = start;
        loop {
            if !wrap || s >= end || font.text_extent(&text[s..end]).0 <= width {
                out.push((s, end));
                break;
            }
            let mut fit = s;
            while fit < end && font.text_extent(&text[s..fit + 1]).0 <= width {
                fit += 1;
            }
            let next = if fit < end && text[fit] == 32 {
                fit + 1
            } else {
                let mut b = fit;
                while b > s && text[b - 1] != 32 {
                    b -= 1;
                }
                if b > s { b } else { fit.max(s + 1) }
            };
            out.push((s, next));
            s = next;
            if s >= end {
                break;
            }
        }
        if end >= text.len() {
            break;
        }
        start = end + 2;
    }
    if out.is_empty() {
        out.push((0, 0));
    }
    out
}

/// What the control needs to lay its text out.
struct View {
    style: u32,
    font: Font,
    /// The formatting rectangle (client coordinates).
    rect: Rect,
    lines: Vec<(usize, usize)>,
    line_height: i32,
}

fn view(call: &mut ApiCall<'_>, hwnd: u32, e: &Edit) -> View {
    let (style, client) = wm(call).window(hwnd).map_or((0, Rect::default()), |w| {
        (
            w.style,
            Rect::new(0, 0, w.client.width(), w.client.height()),
        )
    });
    let font = font(call, e.font);
    let line_height = font.metrics().height;
    let rect = e.rect.unwrap_or_else(|| {
        let mut r = Rect::new(
            client.left + e.margins.0,
            client.top,
            client.right - e.margins.1,
            client.bottom,
        );
        if style & ES_MULTILINE == 0 {
            r.bottom = r.top + line_height;
        }
        r
    });
    let shown = shown_text(e, style);
    let lines = lines(&shown, style, &font, rect.width());
    View {
        style,
        font,
        rect,
        lines,
        line_height,
    }
}

/// The text as drawn (password characters in place of the text).
fn shown_text(e: &Edit, style: u32) -> Vec<u16> {
    if e.password != 0 && style & ES_MULTILINE == 0 {
        vec![e.password; e.text.len()]
    } else {
        e.text.clone()
    }
}

impl View {
    /// The line holding character `ch` (its last line for one past the end).
    fn line_of(&self, ch: usize) -> usize {
        self.lines.iter().rposition(|&(s, _)| s <= ch).unwrap_or(0)
    }

    /// Where line `line` starts horizontally (alignment) in client x.
    fn line_x(&self, text: &[u16], line: usize, x_offset: i32) -> i32 {
        let (s, e) = self.lines[line];
        let w = self.font.text_extent(&text[s..e]).0;
        let slack = self.rect.width() - w;
        let shift = if self.style & ES_MULTILINE != 0 && self.style & ES_CENTER != 0 {
            slack / 2
        } else if self.style & ES_MULTILINE != 0 && self.style & ES_RIGHT != 0 {
            slack
        } else {
            0
        };
        self.rect.left + shift.max(0) - x_offset
    }

    /// The client position of character `ch`'s left edge.
    fn pos_of(&self, e: &Edit, text: &[u16], ch: usize) -> (i32, i32) {
        let line = self.line_of(ch);
        let (s, _) = self.lines[line];
        let x = self.line_x(text, line, e.x_offset)
            + self.font.text_extent(&text[s..ch.min(text.len()).max(s)]).0;
        let y = self.rect.top + (line as i32 - e.first_line as i32) * self.line_height;
        (x, y)
    }

    /// The character nearest client point (x, y).
    fn char_at(&self, e: &Edit, text: &[u16], x: i32, y: i32) -> usize {
        let row = ((y - self.rect.top).max(0) / self.line_height.max(1)) as usize + e.first_line;
        let line = row.min(self.lines.len() - 1);
        let (s, end) = self.lines[line];
        let left = self.line_x(text, line, e.x_offset);
        let mut best = s;
        for c in s..=end {
            let cx = left + self.font.text_extent(&text[s..c]).0;
            let prev = left + self.font.text_extent(&text[s..best]).0;
            if (cx - x).abs() < (prev - x).abs() {
                best = c;
            }
        }
        best
    }
}

/// Scrolls so the caret shows (first line; pixels for a single-line edit).
fn scroll_to_caret(call: &mut ApiCall<'_>, hwnd: u32) {
    let Some(e) = state(call, hwnd).cloned() else {
        return;
    };
    let v = view(call, hwnd, &e);
    let text = shown_text(&e, v.style);
    let line = v.line_of(e.caret);
    let mut first = e.first_line;
    let mut x_off = e.x_offset;
    if v.style & ES_MULTILINE != 0 {
        let rows = (v.rect.height() / v.line_height.max(1)).max(1) as usize;
        if line < first {
            first = line;
        } else if line >= first + rows {
            first = line + 1 - rows;
        }
    } else if v.style & ES_AUTOHSCROLL != 0 {
        let cx = v.font.text_extent(&text[..e.caret.min(text.len())]).0;
        let w = v.rect.width();
        if cx < x_off {
            x_off = (cx - w / 3).max(0);
        } else if cx > x_off + w - 1 {
            x_off = cx - w + w / 3;
        }
        x_off = x_off.max(0);
    }
    if let Some(e) = state(call, hwnd) {
        e.first_line = first;
        e.x_offset = x_off;
    }
}

/// Draws the edit's client area.
pub fn draw(call: &mut ApiCall<'_>, hwnd: u32) {
    let Some(e) = state(call, hwnd).cloned() else {
        return;
    };
    let v = view(call, hwnd, &e);
    let disabled = wm(call)
        .window(hwnd)
        .is_some_and(|w| w.style & win32k::WS_DISABLED != 0);
    let Some(cv) = Canvas::of(wm(call), hwnd) else {
        return;
    };
    let grey = v.style & ES_READONLY != 0 || disabled;
    let (text_colour, background) = colours(
        call,
        hwnd,
        if disabled { GRAY_TEXT } else { WINDOW_TEXT },
        if grey { FACE } else { WINDOW },
    );
    let m = wm(call);
    cv.fill(m, Rect::new(0, 0, cv.size.0, cv.size.1), background);
    let text = shown_text(&e, v.style);
    let (s0, s1) = e.selection();
    let show_sel = (e.focused || v.style & ES_NOHIDESEL != 0) && s0 != s1;
    for (row, &(ls, le)) in v.lines.iter().enumerate().skip(e.first_line) {
        let y = v.rect.top + (row - e.first_line) as i32 * v.line_height;
        if y >= cv.size.1 || y >= v.rect.bottom.max(v.rect.top + v.line_height) {
            break;
        }
        let x = v.line_x(&text, row, e.x_offset);
        let clip = Rect::new(v.rect.left, y, v.rect.right, y + v.line_height);
        cv.text(m, &v.font, x, y, &text[ls..le], text_colour, clip);
        if show_sel {
            let a = s0.clamp(ls, le);
            let b = s1.clamp(ls, le);
            if a < b {
                let xa = x + v.font.text_extent(&text[ls..a]).0;
                let xb = x + v.font.text_extent(&text[ls..b]).0;
                let r = Rect::new(xa, y, xb, y + v.line_height);
                let r = win32k::surface::intersect(r, clip);
                cv.fill(m, r, HIGHLIGHT);
                cv.text(m, &v.font, xa, y, &text[a..b], HIGHLIGHT_TEXT, r);
            }
        }
    }
    if e.focused {
        let (x, y) = v.pos_of(&e, &text, e.caret);
        if y >= v.rect.top && x >= v.rect.left - 1 && x <= v.rect.right {
            cv.fill(m, Rect::new(x, y, x + 1, y + v.line_height), text_colour);
        }
    }
}

/// Updates a multiline edit's vertical window scroll bar.
fn scroll_bar_acts(call: &mut ApiCall<'_>, hwnd: u32) -> Vec<Act> {
    let Some(e) = state(call, hwnd).cloned() else {
        return Vec::new();
    };
    let style = wm(call).window(hwnd).map_or(0, |w| w.style);
    if style & ES_MULTILINE == 0 || style & win32k::WS_VSCROLL == 0 {
        return Vec::new();
    }
    let v = view(call, hwnd, &e);
    let info = win32k::scrollbar::ScrollInfo {
        min: 0,
        max: (v.lines.len() as i32 - 1).max(0),
        pos: e.first_line as i32,
        ..Default::default()
    };
    // SIF_RANGE | SIF_POS | SIF_DISABLENOSCROLL: the bar stays.
    crate::scrollbar::set_info(call, hwnd, win32k::scrollbar::SB_VERT, 0xD, info, true)
        .map_or(Vec::new(), |r| r.1)
}

/// Redraws after a change of view or selection.
fn refresh(call: &mut ApiCall<'_>, hwnd: u32) -> Vec<Act> {
    scroll_to_caret(call, hwnd);
    let acts = scroll_bar_acts(call, hwnd);
    draw(call, hwnd);
    acts
}

/// Applies ES_UPPERCASE / ES_LOWERCASE.
fn cased(style: u32, text: &[u16]) -> Vec<u16> {
    let s = String::from_utf16_lossy(text);
    let s = if style & ES_UPPERCASE != 0 {
        s.to_uppercase()
    } else if style & ES_LOWERCASE != 0 {
        s.to_lowercase()
    } else {
        s
    };
    s.encode_utf16().collect()
}

/// Replaces the selection with `insert` (as much as the limit lets in): whether all went
/// in, whether anything changed. `undoable` keeps what was there for EM_UNDO.
fn replace(call: &mut ApiCall<'_>, hwnd: u32, insert: &[u16], undoable: bool) -> (bool, bool) {
    let style = wm(call).window(hwnd).map_or(0, |w| w.style);
    let Some(e) = state(call, hwnd) else {
        return (false, false);
    };
    let (a, b) = e.selection();
    let mut insert = cased(style, insert);
    if style & ES_MULTILINE == 0 {
        // A single-line edit keeps text up to a line break.
        if let Some(p) = insert.iter().position(|&c| c == 13 || c == 10) {
            insert.truncate(p);
        }
    }
    let room = (e.limit as usize).saturating_sub(e.text.len() - (b - a));
    let all = insert.len() <= room;
    insert.truncate(room);
    if a == b && insert.is_empty() {
        return (all, false);
    }
    if undoable {
        e.undo = Some(Undo {
            text: e.text.clone(),
            start: a,
            end: b,
        });
    }
    e.text.splice(a..b, insert.iter().copied());
    e.caret = a + insert.len();
    e.anchor = e.caret;
    e.modified = true;
    (all, true)
}

/// The notifications after the text changed (and EN_MAXTEXT when it did not all fit).
fn change_acts(call: &mut ApiCall<'_>, hwnd: u32, changed: bool, all: bool) -> Vec<Act> {
    let mut acts = refresh(call, hwnd);
    if !all {
        acts.push(notify(hwnd, 0, EN_MAXTEXT));
    }
    if changed || !all {
        acts.push(notify(hwnd, 0, EN_UPDATE));
        acts.push(notify(hwnd, 0, EN_CHANGE));
    }
    acts
}

/// A single-line edit without ES_AUTOHSCROLL takes no more than fits its width.
fn fits(call: &mut ApiCall<'_>, hwnd: u32, insert: &[u16]) -> bool {
    let Some(e) = state(call, hwnd).cloned() else {
        return false;
    };
    let v = view(call, hwnd, &e);
    if v.style & (ES_MULTILINE | ES_AUTOHSCROLL) != 0 {
        return true;
    }
    let (a, b) = e.selection();
    let mut t = shown_text(&e, v.style);
    let ins: Vec<u16> = if e.password != 0 {
        vec![e.password; insert.len()]
    } else {
        insert.to_vec()
    };
    t.splice(a..b, ins);
    v.font.text_extent(&t).0 <= v.rect.width()
}

/// Puts `text` on the clipboard as CF_UNICODETEXT.
fn to_clipboard(call: &mut ApiCall<'_>, hwnd: u32, text: &[u16]) -> bool {
    crate::clipboard::put_text(call, hwnd, text)
}

/// Typing or pasting `insert`: the acts that follow.
fn type_text(call: &mut ApiCall<'_>, hwnd: u32, insert: &[u16]) -> Vec<Act> {
    if !fits(call, hwnd, insert) {
        return vec![notify(hwnd, 0, EN_MAXTEXT)];
    }
    let (all, changed) = replace(call, hwnd, insert, true);
    change_acts(call, hwnd, changed, all)
}

/// Moves the caret to `to`, extending the selection when `extend`.
fn move_caret(call: &mut ApiCall<'_>, hwnd: u32, to: usize, extend: bool) -> Vec<Act> {
    if let Some(e) = state(call, hwnd) {
        e.caret = to.min(e.text.len());
        if !extend {
            e.anchor = e.caret;
        }
    }
    refresh(call, hwnd)
}

/// The character positions a key moves the caret to.
fn key_target(call: &mut ApiCall<'_>, hwnd: u32, e: &Edit, vk: u32, ctrl: bool) -> Option<usize> {
    let v = view(call, hwnd, e);
    let text = &e.text;
    let line = v.line_of(e.caret);
    let (ls, le) = v.lines[line];
    let rows = (v.rect.height() / v.line_height.max(1)).max(1) as usize;
    let vertical = |call: &mut ApiCall<'_>, to_line: usize| {
        let _ = call;
        let shown = shown_text(e, v.style);
        let (x, _) = v.pos_of(e, &shown, e.caret);
        let to_line = to_line.min(v.lines.len() - 1);
        let y = v.rect.top + (to_line as i32 - e.first_line as i32) * v.line_height;
        v.char_at(e, &shown, x, y)
    };
    Some(match vk {
        VK_LEFT if ctrl => word_start(text, e.caret),
        VK_RIGHT if ctrl => word_end(text, e.caret),
        VK_LEFT => {
            if e.caret >= 2 && text[e.caret - 2] == 13 && text[e.caret - 1] == 10 {
                e.caret - 2
            } else {
                e.caret.saturating_sub(1)
            }
        }
        VK_RIGHT => {
            if text.get(e.caret) == Some(&13) && text.get(e.caret + 1) == Some(&10) {
                e.caret + 2
            } else {
                (e.caret + 1).min(text.len())
            }
        }
        VK_HOME if ctrl => 0,
        VK_END if ctrl => text.len(),
        VK_HOME => ls,
        VK_END => le,
        VK_UP if v.style & ES_MULTILINE != 0 => {
            if line == 0 {
                e.caret
            } else {
                vertical(call, line - 1)
            }
        }
        VK_DOWN if v.style & ES_MULTILINE != 0 => vertical(call, line + 1),
        VK_PRIOR if v.style & ES_MULTILINE != 0 => vertical(call, line.saturating_sub(rows)),
        VK_NEXT if v.style & ES_MULTILINE != 0 => vertical(call, line + rows),
        // A single-line edit takes up and down as left and right.
        VK_UP => e.caret.saturating_sub(1),
        VK_DOWN => (e.caret + 1).min(text.len()),
        _ => return None,
    })
}

fn is_space(c: u16) -> bool {
    c == 32 || c == 9 || c == 13 || c == 10
}

fn word_start(text: &[u16], from: usize) -> usize {
    let mut i = from;
    while i > 0 && is_space(text[i - 1]) {
        i -= 1;
    }
    while i > 0 && !is_space(text[i - 1]) {
        i -= 1;
    }
    i
}

fn word_end(text: &[u16], from: usize) -> usize {
    let mut i = from;
    while i < text.len() && !is_space(text[i]) {
        i += 1;
    }
    while i < text.len() && is_space(text[i]) {
        i += 1;
    }
    i
}

/// The edit procedure's work.
fn proc_(call: &mut ApiCall<'_>, hwnd: u32, msg: u32, wp: u32, lp: u32) -> Step {
    let Some((style, _parent, _id, wide)) = basics(call, hwnd) else {
        return Step::Return(0);
    };
    let hwnd = wm(call).full_handle(hwnd).unwrap_or(hwnd);
    if msg == crate::wm::WM_NCCREATE {
        let e = Edit {
            limit: DEFAULT_LIMIT,
            password: if style & ES_PASSWORD != 0 {
                u16::from(b'*')
            } else {
                0
            },
            ..Edit::default()
        };
        call.state.get::<Edits>().0.insert(hwnd, e);
        return crate::message::default_proc(call, hwnd, msg, wp, lp, wide);
    }
    if msg == crate::wm::WM_NCDESTROY {
        call.state.get::<ChosenColours>().0.remove(&hwnd);
        call.state.get::<Edits>().0.remove(&hwnd);
        return crate::message::default_proc(call, hwnd, msg, wp, lp, wide);
    }
    let Some(e) = state(call, hwnd).cloned() else {
        return crate::message::default_proc(call, hwnd, msg, wp, lp, wide);
    };
    let multiline = style & ES_MULTILINE != 0;
    let readonly = style & ES_READONLY != 0;
    match msg {
        crate::wm::WM_CREATE => {
            // The window's text (from CreateWindowEx) becomes the edit's.
            let text = wm(call)
                .window(hwnd)
                .map(|w| w.text.clone())
                .unwrap_or_default();
            let text = cased(style, &text);
            if let Some(e) = state(call, hwnd) {
                // NT puts the text in as a replacement of the (empty) selection: the
                // control starts modified when it has any.
                e.modified = !text.is_empty();
                e.text = text;
            }
            let acts = scroll_bar_acts(call, hwnd);
            finish(call, acts, 0)
        }
        crate::paint::WM_PAINT => {
            // A read-only or disabled edit asks as a static control does.
            let disabled = style & win32k::WS_DISABLED != 0;
            let ask = if readonly || disabled {
                WM_CTLCOLORSTATIC
            } else {
                WM_CTLCOLOREDIT
            };
            paint_with_colours(call, hwnd, ask, draw)
        }
        crate::paint::WM_ERASEBKGND => Step::Return(1),
        crate::wm::WM_SIZE => {
            let acts = refresh(call, hwnd);
            finish(call, acts, 0)
        }
        WM_GETTEXT => {
            if wp == 0 {
                return Step::Return(0);
            }
            Step::Return(crate::wm::copy_text(call, lp, wp, &e.text, wide).unwrap_or(0))
        }
        WM_GETTEXTLENGTH => Step::Return(len_in(&e.text, wide)),
        WM_SETTEXT => {
            let text = read_str(call, lp, wide).unwrap_or_default();
            let text = cased(style, &text);
            if let Some(e) = state(call, hwnd) {
                e.text = text;
                e.anchor = 0;
                e.caret = 0;
                e.modified = false;
                e.undo = None;
                e.first_line = 0;
                e.x_offset = 0;
            }
            let mut acts = refresh(call, hwnd);
            let in_combo = {
                let m = wm(call);
                let parent = m.window(hwnd).map_or(0, |w| w.parent);
                m.window(parent)
                    .and_then(|p| m.class(p.class))
                    .is_some_and(|c| c.system && c.name.eq_ignore_ascii_case("ComboBox"))
            };
            if !multiline && !in_combo {
                acts.push(notify(hwnd, 0, EN_UPDATE));
                acts.push(notify(hwnd, 0, EN_CHANGE));
            }
            finish(call, acts, 1)
        }
        WM_SETFONT => {
            if let Some(e) = state(call, hwnd) {
                e.font = wp;
            }
            let acts = refresh(call, hwnd);
            finish(call, acts, 0)
        }
        WM_GETFONT => Step::Return(e.font),
        crate::wm::WM_SETFOCUS => {
            if let Some(e) = state(call, hwnd) {
                e.focused = true;
            }
            draw(call, hwnd);
            finish(call, vec![notify(hwnd, 0, EN_SETFOCUS)], 0)
        }
        WM_KILLFOCUS => {
            if let Some(e) = state(call, hwnd) {
                e.focused = false;
                e.dragging = false;
            }
            draw(call, hwnd);
            finish(call, vec![notify(hwnd, 0, EN_KILLFOCUS)], 0)
        }
        WM_GETDLGCODE => {
            // DLGC_WANTCHARS | DLGC_HASSETSEL | DLGC_WANTARROWS, and all keys for a
            // multiline edit (ES_WANTRETURN lets a dialog's Enter through).
            let mut code = 0x80 | 0x8 | 0x1;
            if multiline {
                code |= 0x4;
            }
            Step::Return(code)
        }
        WM_CHAR => {
            let c = wp as u16;
            let ctrl = wm(call).display.is_down(VK_CONTROL);
            match c {
                3 => return proc_(call, hwnd, WM_COPY, 0, 0),
                22 => return proc_(call, hwnd, WM_PASTE, 0, 0),
                24 => return proc_(call, hwnd, WM_CUT, 0, 0),
                26 => return proc_(call, hwnd, WM_UNDO, 0, 0),
                _ => {}
            }
            if readonly {
                return Step::Return(0);
            }
            let insert: Vec<u16> = match c {
                8 => {
                    // Backspace: the selection, or the character (a CR LF pair) before.
                    if let Some(e) = state(call, hwnd)
                        && e.anchor == e.caret
                    {
                        let back = if e.caret >= 2
                            && e.text[e.caret - 2] == 13
                            && e.text[e.caret - 1] == 10
                        {
                            2
                        } else {
                            usize::from(e.caret > 0)
                        };
                        e.anchor = e.caret - back;
                    }
                    Vec::new()
                }
                13 if multiline => vec![13, 10],
                13 | 10 => return Step::Return(0),
                9 if multiline => vec![9],
                c if c < 32 || ctrl && c < 0x80 && !(c as u8).is_ascii_alphanumeric() => {
                    return Step::Return(0);
                }
                c => {
                    if style & ES_NUMBER != 0 && !(u16::from(b'0')..=u16::from(b'9')).contains(&c) {
                        return Step::Return(0);
                    }
                    vec![c]
                }
            };
            if let Some(e) = state(call, hwnd)
                && e.anchor == e.caret
                && insert.is_empty()
            {
                return Step::Return(0);
            }
            let acts = type_text(call, hwnd, &insert);
            finish(call, acts, 0)
        }
        WM_KEYDOWN => {
            let d = &wm(call).display;
            let (shift, ctrl) = (d.is_down(VK_SHIFT), d.is_down(VK_CONTROL));
            match wp {
                VK_DELETE => {
                    if readonly {
                        return Step::Return(0);
                    }
                    if shift {
                        return proc_(call, hwnd, WM_CUT, 0, 0);
                    }
                    if let Some(e) = state(call, hwnd)
                        && e.anchor == e.caret
                    {
                        let fwd = if e.text.get(e.caret) == Some(&13)
                            && e.text.get(e.caret + 1) == Some(&10)
                        {
                            2
                        } else {
                            usize::from(e.caret < e.text.len())
                        };
                        e.anchor = e.caret + fwd;
                    }
                    let (all, changed) = replace(call, hwnd, &[], true);
                    let acts = change_acts(call, hwnd, changed, all);
                    finish(call, acts, 0)
                }
                VK_INSERT if ctrl => proc_(call, hwnd, WM_COPY, 0, 0),
                VK_INSERT if shift => proc_(call, hwnd, WM_PASTE, 0, 0),
                VK_BACK => Step::Return(0),
                vk => match key_target(call, hwnd, &e, vk, ctrl) {
                    Some(to) => {
                        let acts = move_caret(call, hwnd, to, shift);
                        finish(call, acts, 0)
                    }
                    None => Step::Return(0),
                },
            }
        }
        WM_LBUTTONDOWN | WM_LBUTTONDBLCLK => {
            let mut acts = take_focus(call, hwnd);
            let (x, y) = words(lp);
            let v = view(call, hwnd, &e);
            let text = shown_text(&e, v.style);
            let at = v.char_at(&e, &text, x, y);
            let extend = wp & 0x4 != 0;
            if let Some(e) = state(call, hwnd) {
                e.dragging = true;
                e.focused = true;
                if msg == WM_LBUTTONDBLCLK {
                    e.anchor = word_start(&e.text, at);
                    e.caret = word_end(&e.text, at);
                    e.dragging = false;
                } else {
                    e.caret = at;
                    if !extend {
                        e.anchor = at;
                    }
                }
            }
            acts.extend(refresh(call, hwnd));
            finish(call, acts, 0)
        }
        WM_MOUSEMOVE if e.dragging && wp & 0x1 != 0 => {
            let (x, y) = words(lp);
            let v = view(call, hwnd, &e);
            let text = shown_text(&e, v.style);
            let at = v.char_at(&e, &text, x, y);
            let acts = move_caret(call, hwnd, at, true);
            finish(call, acts, 0)
        }
        WM_LBUTTONUP => {
            if let Some(e) = state(call, hwnd) {
                e.dragging = false;
            }
            Step::Return(0)
        }
        WM_COPY => {
            let (a, b) = e.selection();
            if a != b && e.password == 0 {
                to_clipboard(call, hwnd, &e.text[a..b]);
            }
            Step::Return(0)
        }
        WM_CUT | WM_CLEAR => {
            let (a, b) = e.selection();
            if a == b || readonly {
                return Step::Return(0);
            }
            if msg == WM_CUT && e.password == 0 {
                to_clipboard(call, hwnd, &e.text[a..b]);
            }
            let (all, changed) = replace(call, hwnd, &[], true);
            let acts = change_acts(call, hwnd, changed, all);
            finish(call, acts, 0)
        }
        WM_PASTE => {
            if readonly {
                return Step::Return(0);
            }
            let Some(text) = crate::clipboard::get_text(call) else {
                return Step::Return(0);
            };
            let acts = type_text(call, hwnd, &text);
            finish(call, acts, 0)
        }
        WM_UNDO | EM_UNDO => {
            let Some(u) = e.undo.clone() else {
                return Step::Return(0);
            };
            // The undo buffer gets what is there now (a second EM_UNDO redoes).
            let (a, _) = (u.start, u.end);
            let inserted_end = a + e
                .text
                .len()
                .saturating_sub(u.text.len() - (u.end - u.start));
            if let Some(ed) = state(call, hwnd) {
                ed.undo = Some(Undo {
                    text: ed.text.clone(),
                    start: a,
                    end: inserted_end,
                });
                ed.text = u.text.clone();
                ed.anchor = u.start;
                ed.caret = u.end;
                ed.modified = true;
            }
            // EN_CHANGE comes once more after the replacement's EN_UPDATE and EN_CHANGE.
            let mut acts = change_acts(call, hwnd, true, true);
            acts.push(notify(hwnd, 0, EN_CHANGE));
            finish(call, acts, 1)
        }
        EM_CANUNDO => Step::Return(u32::from(e.undo.is_some())),
        EM_EMPTYUNDOBUFFER => {
            if let Some(e) = state(call, hwnd) {
                e.undo = None;
            }
            Step::Return(0)
        }
        EM_GETSEL => {
            let (a, b) = e.selection();
            if wp != 0 {
                let _ = call.write_u32(wp, a as u32);
            }
            if lp != 0 {
                let _ = call.write_u32(lp, b as u32);
            }
            Step::Return(if b > 0xFFFF {
                u32::MAX
            } else {
                make_long(a as u32, b as u32)
            })
        }
        EM_SETSEL => {
            let len = e.text.len();
            let (start, end) = (wp as i32, lp as i32);
            if let Some(e) = state(call, hwnd) {
                if start == -1 {
                    e.anchor = e.caret;
                } else {
                    let clampi = |v: i32| if v < 0 { len } else { (v as usize).min(len) };
                    let (s, t) = (clampi(start), clampi(end));
                    // NT orders the ends: the caret goes to the higher one.
                    e.anchor = s.min(t);
                    e.caret = s.max(t);
                }
            }
            let acts = refresh(call, hwnd);
            finish(call, acts, 1)
        }
        EM_REPLACESEL => {
            let text = read_str(call, lp, wide).unwrap_or_default();
            let (all, changed) = replace(call, hwnd, &text, wp != 0);
            if wp == 0
                && let Some(e) = state(call, hwnd)
            {
                e.undo = None;
            }
            let acts = change_acts(call, hwnd, changed, all);
            finish(call, acts, 0)
        }
        EM_GETMODIFY => Step::Return(u32::from(e.modified)),
        EM_SETMODIFY => {
            if let Some(e) = state(call, hwnd) {
                e.modified = wp != 0;
            }
            Step::Return(0)
        }
        EM_GETLINECOUNT => {
            let v = view(call, hwnd, &e);
            Step::Return(if multiline { v.lines.len() as u32 } else { 1 })
        }
        EM_LINEINDEX => {
            let v = view(call, hwnd, &e);
            if !multiline {
                return Step::Return(0);
            }
            let line = if wp as i32 == -1 {
                v.line_of(e.caret)
            } else {
                wp as usize
            };
            match v.lines.get(line) {
                Some(&(s, _)) => Step::Return(s as u32),
                None => Step::Return(u32::MAX),
            }
        }
        EM_LINELENGTH => {
            let v = view(call, hwnd, &e);
            if wp as i32 == -1 {
                let (a, b) = e.selection();
                let (la, lb) = (v.line_of(a), v.line_of(b));
                let before = a - v.lines[la].0;
                let after = v.lines[lb].1.saturating_sub(b);
                return Step::Return((before + after) as u32);
            }
            let line = v.line_of((wp as usize).min(e.text.len()));
            let (s, t) = v.lines[line];
            Step::Return((t - s) as u32)
        }
        EM_LINEFROMCHAR => {
            let v = view(call, hwnd, &e);
            let ch = if wp as i32 == -1 {
                e.selection().0
            } else {
                (wp as usize).min(e.text.len())
            };
            Step::Return(if multiline { v.line_of(ch) as u32 } else { 0 })
        }
        EM_GETLINE => {
            let v = view(call, hwnd, &e);
            let line = if multiline { wp as usize } else { 0 };
            let Some(&(s, t)) = v.lines.get(line) else {
                return Step::Return(0);
            };
            let Ok(size) = call.read_bytes(lp, 2) else {
                return Step::Return(0);
            };
            let size = usize::from(u16::from_le_bytes([size[0], size[1]]));
            let mut bytes = crate::wm::encode_text(&e.text[s..t], wide);
            let unit = if wide { 2 } else { 1 };
            bytes.truncate(bytes.len() - unit);
            let n = (bytes.len() / unit).min(size);
            bytes.truncate(n * unit);
            if call.write_bytes(lp, &bytes).is_err() {
                return Step::Return(0);
            }
            // A line shorter than the buffer gets a NUL after it when there is room.
            if n < size {
                let _ = call.write_bytes(lp + (n * unit) as u32, &vec![0; unit]);
            }
            Step::Return(n as u32)
        }
        EM_LIMITTEXT => {
            let limit = if wp == 0 {
                if multiline { u32::MAX } else { 0x7FFF_FFFE }
            } else {
                wp
            };
            if let Some(e) = state(call, hwnd) {
                e.limit = limit;
            }
            Step::Return(0)
        }
        EM_GETLIMITTEXT => Step::Return(e.limit),
        EM_SETREADONLY => {
            if let Some(w) = wm(call).window_mut(hwnd) {
                if wp != 0 {
                    w.style |= ES_READONLY;
                } else {
                    w.style &= !ES_READONLY;
                }
            }
            draw(call, hwnd);
            Step::Return(1)
        }
        EM_SETPASSWORDCHAR => {
            if multiline {
                return Step::Return(0);
            }
            if let Some(e) = state(call, hwnd) {
                e.password = wp as u16;
            }
            if let Some(w) = wm(call).window_mut(hwnd) {
                if wp != 0 {
                    w.style |= ES_PASSWORD;
                } else {
                    w.style &= !ES_PASSWORD;
                }
            }
            draw(call, hwnd);
            Step::Return(1)
        }
        EM_GETPASSWORDCHAR => Step::Return(u32::from(e.password)),
        EM_GETFIRSTVISIBLELINE => {
            if multiline {
                return Step::Return(e.first_line as u32);
            }
            let v = view(call, hwnd, &e);
            let text = shown_text(&e, v.style);
            let mut i = 0;
            while i < text.len() && v.font.text_extent(&text[..i]).0 < e.x_offset {
                i += 1;
            }
            Step::Return(i as u32)
        }
        EM_SCROLL | EM_LINESCROLL | WM_VSCROLL => {
            if !multiline {
                return Step::Return(0);
            }
            let v = view(call, hwnd, &e);
            let rows = (v.rect.height() / v.line_height.max(1)).max(1);
            // The last page stays full: the first line goes no further than that.
            let last = (v.lines.len() as i32 - rows).max(0);
            let first = e.first_line as i32;
            let to = match (msg, wp & 0xFFFF) {
                (EM_LINESCROLL, _) => first + lp as i32,
                (_, 0) => first - 1,
                (_, 1) => first + 1,
                (_, 2) => first - rows,
                (_, 3) => first + rows,
                (WM_VSCROLL, 4) | (WM_VSCROLL, 5) => (wp >> 16) as i32,
                (WM_VSCROLL, 6) => 0,
                (WM_VSCROLL, 7) => last,
                _ if msg == EM_SCROLL => return Step::Return(0),
                _ => first,
            };
            let to = to.clamp(0, last);
            if let Some(e) = state(call, hwnd) {
                e.first_line = to as usize;
            }
            let acts = scroll_bar_acts(call, hwnd);
            draw(call, hwnd);
            let value = match msg {
                EM_SCROLL => make_long((to - first) as u32, 1),
                EM_LINESCROLL => 1,
                _ => 0,
            };
            finish(call, acts, value)
        }
        EM_SCROLLCARET => {
            let acts = refresh(call, hwnd);
            finish(call, acts, 1)
        }
        EM_GETRECT => {
            let v = view(call, hwnd, &e);
            Step::Return(u32::from(call.write_bytes(lp, &v.rect.to_bytes()).is_ok()))
        }
        EM_SETRECT | EM_SETRECTNP => {
            let r = call
                .read_bytes(lp, 16)
                .ok()
                .and_then(|b| Rect::from_bytes(&b));
            if let Some(e) = state(call, hwnd) {
                e.rect = r;
            }
            let acts = refresh(call, hwnd);
            finish(call, acts, 0)
        }
        EM_SETMARGINS => {
            let (l, r) = (lp & 0xFFFF, lp >> 16);
            if let Some(e) = state(call, hwnd) {
                if wp == 0xFFFF {
                    // EC_USEFONTINFO: NT 4.0 uses no margins with a raster font.
                    e.margins = (0, 0);
                } else {
                    if wp & 1 != 0 {
                        e.margins.0 = l as i32;
                    }
                    if wp & 2 != 0 {
                        e.margins.1 = r as i32;
                    }
                }
            }
            let acts = refresh(call, hwnd);
            finish(call, acts, 0)
        }
        EM_GETMARGINS => Step::Return(make_long(e.margins.0 as u32, e.margins.1 as u32)),
        EM_POSFROMCHAR => {
            if wp as usize > e.text.len() {
                return Step::Return(u32::MAX);
            }
            let v = view(call, hwnd, &e);
            let text = shown_text(&e, v.style);
            let (x, y) = v.pos_of(&e, &text, wp as usize);
            Step::Return(make_long(x as u32, y as u32))
        }
        EM_CHARFROMPOS => {
            let (x, y) = words(lp);
            let v = view(call, hwnd, &e);
            let text = shown_text(&e, v.style);
            let ch = v.char_at(&e, &text, x, y);
            Step::Return(make_long(ch as u32, v.line_of(ch) as u32))
        }
        EM_FMTLINES => Step::Return(wp),
        EM_SETTABSTOPS => Step::Return(u32::from(multiline)),
        EM_GETHANDLE | EM_SETHANDLE | EM_GETTHUMB => Step::Return(0),
        EM_SETWORDBREAKPROC | EM_GETWORDBREAKPROC => Step::Return(0),
        crate::wm::WM_ENABLE => {
            draw(call, hwnd);
            Step::Return(0)
        }
        _ => crate::message::default_proc(call, hwnd, msg, wp, lp, wide),
    }
}

/// LRESULT EditWndProc(HWND, UINT, WPARAM, LPARAM): the Edit class's procedure (an NT 4.0
/// USER32 export).
#[export]
fn EditWndProc(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    uMsg: u32,
    wParam: u32,
    lParam: u32,
) -> ApiReturn {
    let step = proc_(call, hWnd, uMsg, wParam, lParam);
    run(call, 4, step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_break_at_cr_lf() {
        let font = Font::realize(&win32k::gdi::stock_font(13).unwrap_or_default().to_font());
        let text: Vec<u16> = "ab\r\ncd\r\n".encode_utf16().collect();
        let l = lines(&text, ES_MULTILINE | ES_AUTOHSCROLL, &font, 100);
        assert_eq!(l, vec![(0, 2), (4, 6), (8, 8)]);
        assert_eq!(lines(&text, 0, &font, 100), vec![(0, 8)]);
    }

    #[test]
    fn words_wrap_in_a_multiline_edit_without_autohscroll() {
        let font = Font::realize(&win32k::gdi::stock_font(13).unwrap_or_default().to_font());
        let text: Vec<u16> = "aaaa bbbb cccc".encode_utf16().collect();
        let w = font.text_extent(&text[..9]).0;
        let l = lines(&text, ES_MULTILINE, &font, w);
        assert_eq!(l, vec![(0, 10), (10, 14)]);
    }
}
