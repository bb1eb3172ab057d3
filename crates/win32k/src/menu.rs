//! Menus as NT 4.0's win32k keeps and draws them: menu objects (items with their MFT_ type,
//! MFS_ state, command id, submenu, check-mark bitmaps, item data and text) in a handle
//! table of their own, the menu bar of a top-level window drawn in its non-client area, and
//! the popup menus a tracking shows, drawn straight to the screen with the pixels under
//! them kept and put back when they close (as NT's popup menu class, CS_SAVEBITS, does).
//!
//! The look is the Windows Standard scheme's: MS Sans Serif 8 point (the menu font of
//! SPI_GETNONCLIENTMETRICS), COLOR_MENU and COLOR_MENUTEXT, a grayed item's text embossed
//! (3DHILIGHT one pixel down and right, 3DSHADOW over it), the ampersand's character
//! underlined; a bar item being tracked drawn pushed in (a thin sunken edge) while its popup
//! is open, raised while only selected from the keyboard; a popup with a raised 3-D edge,
//! its selected item in COLOR_HIGHLIGHT with COLOR_HIGHLIGHTTEXT, check marks and radio
//! dots in the column on the left, the text after a tab (the accelerator) right-aligned,
//! separators as an etched line and a submenu's arrow on the right.

use crate::font::drawtext::{self, DT_CENTER, DT_SINGLELINE, DT_VCENTER};
use crate::font::{Font, LogFont, TextDraw};
use crate::geometry::{self, Rect};
#[cfg(test)]
use crate::nonclient::DKSHADOW;
use crate::nonclient::{FACE, HILIGHT, Painter, SHADOW};
use crate::surface::{Surface, intersect};
use crate::{WS_CHILD, Window, WindowManager};

/// MFT_BITMAP (MF_BITMAP).
pub const MFT_BITMAP: u32 = 0x0004;
/// MF_POPUP (a flag of the old calls: the item has a submenu).
pub const MF_POPUP: u32 = 0x0010;
/// MFT_MENUBARBREAK.
pub const MFT_MENUBARBREAK: u32 = 0x0020;
/// MFT_MENUBREAK.
pub const MFT_MENUBREAK: u32 = 0x0040;
/// MFS_HILITE (MF_HILITE).
pub const MFS_HILITE: u32 = 0x0080;
/// MFT_OWNERDRAW.
pub const MFT_OWNERDRAW: u32 = 0x0100;
/// MFT_RADIOCHECK.
pub const MFT_RADIOCHECK: u32 = 0x0200;
/// MFT_SEPARATOR (MF_SEPARATOR).
pub const MFT_SEPARATOR: u32 = 0x0800;
/// MFT_RIGHTJUSTIFY (MF_HELP).
pub const MFT_RIGHTJUSTIFY: u32 = 0x4000;
/// MFS_GRAYED (MF_GRAYED | MF_DISABLED).
pub const MFS_GRAYED: u32 = 0x0003;
/// MF_GRAYED.
pub const MF_GRAYED: u32 = 0x0001;
/// MF_DISABLED.
pub const MF_DISABLED: u32 = 0x0002;
/// MFS_CHECKED (MF_CHECKED).
pub const MFS_CHECKED: u32 = 0x0008;
/// MFS_DEFAULT (MF_DEFAULT).
pub const MFS_DEFAULT: u32 = 0x1000;

/// COLOR_HIGHLIGHT.
pub const HIGHLIGHT: u32 = 0x0000_0080;
/// COLOR_HIGHLIGHTTEXT.
pub const HIGHLIGHT_TEXT: u32 = 0x00FF_FFFF;
/// COLOR_MENUTEXT.
pub const MENU_TEXT: u32 = 0x0000_0000;

/// The first handle index of menus (windows' indexes are far below it).
const FIRST_INDEX: u32 = 0x8000;

/// A bar item's height (SM_CYMENU less the line under the bar) and a popup text item's.
pub const ITEM_HEIGHT: i32 = geometry::MENU - 1;
/// A separator's height in a popup (SM_CYMENUSIZE / 2).
pub const SEPARATOR_HEIGHT: i32 = 9;
/// A popup's frame: a raised edge and one pixel of COLOR_MENU.
pub const POPUP_BORDER: i32 = 3;
/// The check-mark column (SM_CXMENUCHECK, and the space around it).
const CHECK_COLUMN: i32 = 17;
/// The room on the right of a popup item, for the submenu arrow.
const ARROW_COLUMN: i32 = 17;
/// The gap between an item's text and its accelerator text.
const TAB_GAP: i32 = 12;
/// A bar item's margin left and right of its text (twice the menu font's average width).
const BAR_MARGIN: i32 = 6;

/// One menu item.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Item {
    /// MFT_* (MFT_STRING 0, MFT_BITMAP, MFT_SEPARATOR, MFT_RADIOCHECK, breaks...).
    pub item_type: u32,
    /// MFS_* (MFS_GRAYED, MFS_CHECKED, MFS_HILITE, MFS_DEFAULT).
    pub state: u32,
    /// The command id.
    pub id: u32,
    /// The submenu (0: none).
    pub submenu: u32,
    /// hbmpChecked.
    pub checked_bitmap: u32,
    /// hbmpUnchecked.
    pub unchecked_bitmap: u32,
    /// dwItemData.
    pub data: u32,
    /// The text (MFT_STRING), or for MFT_BITMAP and MFT_OWNERDRAW the handle or data in
    /// `data_value`.
    pub text: Vec<u16>,
    /// dwTypeData of an MFT_BITMAP (the bitmap) or MFT_OWNERDRAW item.
    pub type_data: u32,
}

impl Item {
    /// Whether it opens a submenu.
    pub fn is_popup(&self) -> bool {
        self.submenu != 0
    }

    /// Whether it is a separator.
    pub fn is_separator(&self) -> bool {
        self.item_type & MFT_SEPARATOR != 0
    }

    /// The old MF_* flags of the item (GetMenuState's low byte and more).
    pub fn flags(&self) -> u32 {
        self.item_type | self.state | if self.is_popup() { MF_POPUP } else { 0 }
    }

    /// The character after its single '&', upper-cased (its mnemonic).
    pub fn mnemonic(&self) -> Option<u16> {
        let t = &self.text;
        let mut i = 0;
        while i < t.len() {
            if t[i] == u16::from(b'&') {
                let c = *t.get(i + 1)?;
                if c != u16::from(b'&') {
                    return Some(upper(c));
                }
                i += 1;
            }
            i += 1;
        }
        None
    }
}

/// The upper case of a UTF-16 unit (one unit when it stays one).
pub fn upper(c: u16) -> u16 {
    char::from_u32(u32::from(c))
        .and_then(|ch| {
            let mut u = ch.to_uppercase();
            match (u.next(), u.next()) {
                (Some(x), None) => u16::try_from(u32::from(x)).ok(),
                _ => None,
            }
        })
        .unwrap_or(c)
}

/// A menu.
#[derive(Clone, Debug, Default)]
pub struct Menu {
    /// Its handle.
    pub handle: u32,
    /// The process that made it.
    pub process: u32,
    /// Made by CreatePopupMenu (or as a template's submenu).
    pub popup: bool,
    /// A window's system menu.
    pub system: bool,
    /// The items.
    pub items: Vec<Item>,
}

/// A popup menu on the screen while a menu is tracked.
#[derive(Clone, Debug)]
pub struct Shown {
    /// The menu.
    pub menu: u32,
    /// Where it is on the screen.
    pub rect: Rect,
    /// Its items' rectangles on the screen.
    pub items: Vec<Rect>,
    /// The screen's pixels under it.
    saved: Surface,
}

/// The menus of the machine.
#[derive(Default)]
pub struct Menus {
    slots: Vec<(u16, Option<Menu>)>,
    /// The popups on the screen, the first opened first.
    pub shown: Vec<Shown>,
    /// The window whose bar is being tracked, and whether its selected item is pushed in
    /// (its popup open) rather than raised.
    pub bar_tracked: Option<(u32, bool)>,
    /// The system menus of windows (GetSystemMenu's copies).
    pub system_menus: std::collections::BTreeMap<u32, u32>,
}

impl Menus {
    /// Adds a menu; returns its handle (0 when the table is full).
    pub fn insert(&mut self, mut menu: Menu) -> u32 {
        let index = match self.slots.iter().position(|s| s.1.is_none()) {
            Some(i) => i,
            None => {
                if self.slots.len() >= 0x7FFF {
                    return 0;
                }
                self.slots.push((0, None));
                self.slots.len() - 1
            }
        };
        let slot = &mut self.slots[index];
        slot.0 = match slot.0.wrapping_add(1) {
            0 | 0xFFFF => 1,
            u => u,
        };
        let handle = (u32::from(slot.0) << 16) | (index as u32 + FIRST_INDEX);
        menu.handle = handle;
        slot.1 = Some(menu);
        handle
    }

    fn index_of(&self, handle: u32) -> Option<usize> {
        let index = (handle & 0xFFFF).checked_sub(FIRST_INDEX)? as usize;
        let slot = self.slots.get(index)?;
        slot.1.as_ref()?;
        let uniq = (handle >> 16) as u16;
        (uniq == 0 || uniq == 0xFFFF || uniq == slot.0).then_some(index)
    }

    /// The menu `handle` names.
    pub fn get(&self, handle: u32) -> Option<&Menu> {
        self.slots[self.index_of(handle)?].1.as_ref()
    }

    /// The menu `handle` names, to change.
    pub fn get_mut(&mut self, handle: u32) -> Option<&mut Menu> {
        let i = self.index_of(handle)?;
        self.slots[i].1.as_mut()
    }

    /// Destroys a menu and, as NT does, the submenus of its items.
    pub fn destroy(&mut self, handle: u32) -> bool {
        let Some(i) = self.index_of(handle) else {
            return false;
        };
        let Some(menu) = self.slots[i].1.take() else {
            return false;
        };
        for item in menu.items {
            if item.submenu != 0 && item.submenu != handle {
                self.destroy(item.submenu);
            }
        }
        true
    }

    /// The item of `menu` that `what` names: the position with `by_position`, else the
    /// command id, searched depth first through the submenus (a popup item whose id
    /// matches is taken when no item inside has it). Gives the menu holding it and its
    /// position.
    pub fn find(&self, menu: u32, what: u32, by_position: bool) -> Option<(u32, usize)> {
        self.find_depth(menu, what, by_position, 0)
    }

    fn find_depth(
        &self,
        menu: u32,
        what: u32,
        by_position: bool,
        depth: u32,
    ) -> Option<(u32, usize)> {
        let m = self.get(menu)?;
        if by_position {
            return ((what as usize) < m.items.len()).then_some((m.handle, what as usize));
        }
        if depth > 16 {
            return None;
        }
        let mut fallback = None;
        for (i, item) in m.items.iter().enumerate() {
            if item.submenu != 0 {
                if let Some(found) = self.find_depth(item.submenu, what, false, depth + 1) {
                    return Some(found);
                }
                if item.id == what && fallback.is_none() {
                    fallback = Some((m.handle, i));
                }
            } else if item.id == what {
                return Some((m.handle, i));
            }
        }
        fallback
    }

    /// The item `what` names (see [`Menus::find`]).
    pub fn item(&self, menu: u32, what: u32, by_position: bool) -> Option<&Item> {
        let (m, i) = self.find(menu, what, by_position)?;
        self.get(m)?.items.get(i)
    }

    /// The item `what` names, to change.
    pub fn item_mut(&mut self, menu: u32, what: u32, by_position: bool) -> Option<&mut Item> {
        let (m, i) = self.find(menu, what, by_position)?;
        self.get_mut(m)?.items.get_mut(i)
    }

    /// Forgets the menus of a process that ended.
    pub fn forget_process(&mut self, process: u32) {
        for slot in &mut self.slots {
            if slot.1.as_ref().is_some_and(|m| m.process == process) {
                slot.1 = None;
            }
        }
    }
}

/// The menu font: MS Sans Serif 8 point, normal weight.
pub fn menu_font() -> Font {
    Font::realize(&LogFont {
        height: -11,
        face_name: "MS Sans Serif".into(),
        ..LogFont::default()
    })
}

/// The menu font in bold: a popup's default item (MFS_DEFAULT).
pub fn menu_font_bold() -> Font {
    Font::realize(&LogFont {
        height: -11,
        weight: crate::font::FW_BOLD,
        face_name: "MS Sans Serif".into(),
        ..LogFont::default()
    })
}

/// `text` without its '&' prefixes ("&&" is one '&').
fn visible(text: &[u16]) -> Vec<u16> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == u16::from(b'&') {
            i += 1;
            if let Some(&c) = text.get(i) {
                out.push(c);
            }
        } else {
            out.push(text[i]);
        }
        i += 1;
    }
    out
}

/// The text before the first tab and the text after it.
fn split_tab(text: &[u16]) -> (&[u16], &[u16]) {
    match text.iter().position(|&c| c == 9 || c == 8) {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text, &[]),
    }
}

/// Where the items of a menu bar go in `bar` (screen coordinates): left to right, each its
/// text's width and a margin each side, MFT_RIGHTJUSTIFY items and those after them at
/// the right; an item that does not fit starts another line.
pub fn bar_items(menu: &Menu, bar: Rect) -> Vec<Rect> {
    let font = menu_font();
    let mut out = Vec::with_capacity(menu.items.len());
    let (mut x, mut y) = (bar.left, bar.top);
    for item in &menu.items {
        let w = if item.is_separator() {
            BAR_MARGIN
        } else {
            font.text_extent(&visible(split_tab(&item.text).0)).0 + 2 * BAR_MARGIN
        };
        if x + w > bar.right && x > bar.left {
            x = bar.left;
            y += ITEM_HEIGHT;
        }
        out.push(Rect::new(x, y, x + w, y + ITEM_HEIGHT));
        x += w;
    }
    if let Some(first) = menu
        .items
        .iter()
        .position(|i| i.item_type & MFT_RIGHTJUSTIFY != 0)
    {
        let line = out[first].top;
        let end = out.iter().rposition(|r| r.top == line).unwrap_or(first);
        let shift = bar.right - out[end].right;
        if shift > 0 {
            for r in &mut out[first..=end] {
                *r = r.offset(shift, 0);
            }
        }
    }
    out
}

/// Draws text of a menu item in `rect` with `format` (prefixes underlined).
fn item_text(p: &mut Painter<'_>, font: &Font, text: &[u16], rect: Rect, format: u32, colour: u32) {
    if text.is_empty() {
        return;
    }
    let layout = drawtext::layout(font, text, rect, format);
    let clip: Vec<Rect> = p
        .clip
        .iter()
        .map(|c| intersect(*c, rect))
        .filter(|c| c.width() > 0 && c.height() > 0)
        .collect();
    let how = TextDraw {
        colour,
        background: None,
        opaque_rect: None,
        clip: &clip,
        dx: None,
    };
    drawtext::draw(font, p.surface, &layout, &how);
}

/// Draws text as a grayed item's (embossed) or in `colour`.
#[allow(clippy::too_many_arguments)]
fn item_text_state(
    p: &mut Painter<'_>,
    font: &Font,
    text: &[u16],
    rect: Rect,
    format: u32,
    grayed: bool,
    highlighted: bool,
    colour: u32,
) {
    if grayed && !highlighted {
        item_text(p, font, text, rect.offset(1, 1), format, HILIGHT);
        item_text(p, font, text, rect, format, SHADOW);
    } else if grayed {
        item_text(p, font, text, rect, format, SHADOW);
    } else {
        item_text(p, font, text, rect, format, colour);
    }
}

/// Draws a menu bar: COLOR_MENU under the items, each item's text centred in its
/// rectangle; the tracked item (`pushed`: its popup open) with a thin edge.
pub fn draw_bar(p: &mut Painter<'_>, menu: &Menu, bar: Rect, pushed: bool) {
    p.fill(bar, FACE);
    let font = menu_font();
    for (item, r) in menu.items.iter().zip(bar_items(menu, bar)) {
        if item.is_separator() || item.item_type & (MFT_BITMAP | MFT_OWNERDRAW) != 0 {
            continue;
        }
        if item.state & MFS_HILITE != 0 {
            if pushed {
                p.edge(r, SHADOW, HILIGHT);
            } else {
                p.edge(r, HILIGHT, SHADOW);
            }
        }
        let shift = i32::from(item.state & MFS_HILITE != 0 && pushed);
        item_text_state(
            p,
            &font,
            split_tab(&item.text).0,
            r.offset(shift, shift),
            DT_SINGLELINE | DT_CENTER | DT_VCENTER,
            item.state & MF_GRAYED != 0,
            false,
            MENU_TEXT,
        );
    }
}

/// A popup's size and its items' rectangles relative to its top-left corner.
pub fn popup_layout(menu: &Menu) -> (i32, i32, Vec<Rect>) {
    let (normal, bold) = (menu_font(), menu_font_bold());
    let (mut text_w, mut accel_w) = (0, 0);
    for item in &menu.items {
        if item.is_separator() {
            continue;
        }
        let font = if item.state & MFS_DEFAULT != 0 {
            &bold
        } else {
            &normal
        };
        let (a, b) = split_tab(&item.text);
        text_w = text_w.max(font.text_extent(&visible(a)).0);
        if !b.is_empty() {
            accel_w = accel_w.max(font.text_extent(&visible(b)).0);
        }
    }
    let mut inner = CHECK_COLUMN + text_w + ARROW_COLUMN;
    if accel_w > 0 {
        inner += TAB_GAP + accel_w;
    }
    let mut rects = Vec::with_capacity(menu.items.len());
    let mut y = POPUP_BORDER;
    for item in &menu.items {
        let h = if item.is_separator() {
            SEPARATOR_HEIGHT
        } else {
            ITEM_HEIGHT - 1
        };
        rects.push(Rect::new(POPUP_BORDER, y, POPUP_BORDER + inner, y + h));
        y += h;
    }
    (inner + 2 * POPUP_BORDER, y + POPUP_BORDER, rects)
}

/// NT's check mark (OBM_CHECK): 7 by 7.
const CHECK: [u8; 7] = [
    0b000_0001, 0b000_0011, 0b100_0111, 0b110_1110, 0b111_1100, 0b011_1000, 0b001_0000,
];

/// Draws one popup item in `r`.
fn draw_popup_item(p: &mut Painter<'_>, font: &Font, item: &Item, r: Rect, accel_right: i32) {
    if item.is_separator() {
        let y = r.top + SEPARATOR_HEIGHT / 2;
        p.fill(Rect::new(r.left + 1, y - 1, r.right - 1, y), SHADOW);
        p.fill(Rect::new(r.left + 1, y, r.right - 1, y + 1), HILIGHT);
        return;
    }
    let hilite = item.state & MFS_HILITE != 0;
    let grayed = item.state & MF_GRAYED != 0;
    p.fill(r, if hilite { HIGHLIGHT } else { FACE });
    let ink = if hilite { HIGHLIGHT_TEXT } else { MENU_TEXT };
    if item.state & MFS_CHECKED != 0 {
        let (cx, cy) = (r.left + 5, r.top + (r.height() - 7) / 2);
        let ink = if grayed { SHADOW } else { ink };
        if item.item_type & MFT_RADIOCHECK != 0 {
            for (dy, row) in [
                (0, 0b01110),
                (1, 0b11111),
                (2, 0b11111),
                (3, 0b11111),
                (4, 0b01110),
            ] {
                for dx in 0..5 {
                    if row & (0b10000 >> dx) != 0 {
                        p.dot(cx + 1 + dx, cy + 1 + dy, ink);
                    }
                }
            }
        } else {
            for (dy, row) in CHECK.iter().enumerate() {
                for dx in 0..7 {
                    if row & (0b100_0000 >> dx) != 0 {
                        p.dot(cx + dx, cy + dy as i32, ink);
                    }
                }
            }
        }
    }
    let (text, accel) = split_tab(&item.text);
    let text_rect = Rect::new(r.left + CHECK_COLUMN, r.top, r.right, r.bottom);
    let format = DT_SINGLELINE | DT_VCENTER;
    item_text_state(p, font, text, text_rect, format, grayed, hilite, ink);
    if !accel.is_empty() {
        let w = font.text_extent(&visible(accel)).0;
        let ar = Rect::new(accel_right - w, r.top, accel_right, r.bottom);
        item_text_state(p, font, accel, ar, format, grayed, hilite, ink);
    }
    if item.is_popup() {
        // The submenu arrow: a black triangle 4 wide and 7 high.
        let ink = if grayed { SHADOW } else { ink };
        let (ax, ay) = (r.right - 12, r.top + (r.height() - 7) / 2);
        for i in 0..4 {
            p.fill(Rect::new(ax + i, ay + i, ax + i + 1, ay + 7 - i), ink);
        }
    }
}

/// Draws a popup menu whose rectangle on the screen is `rect`.
pub fn draw_popup(p: &mut Painter<'_>, menu: &Menu, rect: Rect) {
    let inner = p.raised_edge(rect);
    p.fill(inner, FACE);
    let (_, _, items) = popup_layout(menu);
    let (normal, bold) = (menu_font(), menu_font_bold());
    let accel_right = rect.right - POPUP_BORDER - ARROW_COLUMN;
    for (item, r) in menu.items.iter().zip(items) {
        let font = if item.state & MFS_DEFAULT != 0 {
            &bold
        } else {
            &normal
        };
        draw_popup_item(p, font, item, r.offset(rect.left, rect.top), accel_right);
    }
}

impl WindowManager {
    /// Whether `w` shows a menu bar: a top-level window whose menu is a menu.
    pub fn has_menu_bar(&self, w: &Window) -> bool {
        w.style & WS_CHILD == 0 && w.id != 0 && self.menus.get(w.id).is_some()
    }

    /// The menu bar of `hwnd` on the screen, with its menu.
    pub fn menu_bar(&self, hwnd: u32) -> Option<(u32, Rect)> {
        let w = self.window(hwnd)?;
        let menu = w.id;
        let bar = self.layout(hwnd)?.menu?;
        self.menus.get(menu).map(|_| (menu, bar))
    }

    /// Its menu bar's items on the screen.
    pub fn menu_bar_items(&self, hwnd: u32) -> Vec<Rect> {
        match self.menu_bar(hwnd) {
            Some((menu, bar)) => self
                .menus
                .get(menu)
                .map_or(Vec::new(), |m| bar_items(m, bar)),
            None => Vec::new(),
        }
    }

    /// Draws `hwnd`'s menu bar (part of its frame) where it shows.
    pub fn draw_menu_bar(&mut self, hwnd: u32) {
        let Some((menu, bar)) = self.menu_bar(hwnd) else {
            return;
        };
        let Some(l) = self.layout(hwnd) else {
            return;
        };
        let clip: Vec<Rect> = crate::nonclient::subtract(self.visible_region(hwnd), l.client)
            .into_iter()
            .map(|c| intersect(c, bar))
            .filter(|c| c.width() > 0 && c.height() > 0)
            .collect();
        let pushed = self
            .menus
            .bar_tracked
            .is_some_and(|(h, pushed)| Some(h) == self.full_handle(hwnd) && pushed);
        let Some(m) = self.menus.get(menu).cloned() else {
            return;
        };
        if clip.is_empty() {
            return;
        }
        let mut p = Painter {
            surface: &mut self.screen,
            clip: &clip,
        };
        draw_bar(&mut p, &m, bar, pushed);
        // Popups stay above the bar.
        self.redraw_popups();
        self.display.dirty = true;
    }

    /// Shows `menu` as a popup at screen point (x, y) (moved to stay on the screen), above
    /// the ones shown; returns its rectangle.
    pub fn show_popup(&mut self, menu: u32, x: i32, y: i32) -> Option<Rect> {
        let m = self.menus.get(menu)?.clone();
        let (w, h, items) = popup_layout(&m);
        let (sw, sh) = self.screen_size();
        let x = x.min(sw - w).max(0);
        let y = if y.saturating_add(h) > sh {
            y.saturating_sub(h).clamp(0, (sh - h).max(0))
        } else {
            y.max(0)
        };
        let rect = Rect::new(x, y, x + w, y + h);
        let saved = self.screen.crop(rect);
        self.menus.shown.push(Shown {
            menu,
            rect,
            items: items.iter().map(|r| r.offset(x, y)).collect(),
            saved,
        });
        self.redraw_popup(self.menus.shown.len() - 1);
        Some(rect)
    }

    /// Draws the shown popup at `index` again (its items' states changed).
    pub fn redraw_popup(&mut self, index: usize) {
        let Some(s) = self.menus.shown.get(index) else {
            return;
        };
        let (menu, rect) = (s.menu, s.rect);
        let Some(m) = self.menus.get(menu).cloned() else {
            return;
        };
        let mut clip = vec![intersect(rect, self.screen.bounds())];
        for above in &self.menus.shown[index + 1..] {
            clip = crate::nonclient::subtract(clip, above.rect);
        }
        let mut p = Painter {
            surface: &mut self.screen,
            clip: &clip,
        };
        draw_popup(&mut p, &m, rect);
        self.display.dirty = true;
    }

    /// Draws every shown popup again.
    pub fn redraw_popups(&mut self) {
        for i in 0..self.menus.shown.len() {
            self.redraw_popup(i);
        }
    }

    /// Takes the topmost popup off the screen, putting back what was under it.
    pub fn hide_popup(&mut self) -> Option<u32> {
        let s = self.menus.shown.pop()?;
        let clip = intersect(s.rect, self.screen.bounds());
        for y in 0..clip.height() {
            for x in 0..clip.width() {
                if let Some(px) = s.saved.get(x, y) {
                    self.screen.set(clip.left + x, clip.top + y, px);
                }
            }
        }
        self.display.dirty = true;
        Some(s.menu)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    fn item(s: &str, id: u32) -> Item {
        Item {
            id,
            text: text(s),
            ..Item::default()
        }
    }

    #[test]
    fn items_are_found_by_command_through_submenus_and_by_position() {
        let mut menus = Menus::default();
        let sub = menus.insert(Menu {
            popup: true,
            items: vec![item("&Open", 101), item("E&xit", 102)],
            ..Menu::default()
        });
        let mut popup = item("&File", 102);
        popup.submenu = sub;
        let bar = menus.insert(Menu {
            items: vec![popup, item("&Help", 200)],
            ..Menu::default()
        });
        assert_eq!(menus.find(bar, 101, false), Some((sub, 0)));
        // The item inside the submenu wins over the popup item with the same id.
        assert_eq!(menus.find(bar, 102, false), Some((sub, 1)));
        assert_eq!(menus.find(bar, 1, true), Some((bar, 1)));
        assert_eq!(menus.find(bar, 2, true), None);
        assert_eq!(
            menus.item(bar, 200, false).and_then(Item::mnemonic),
            Some(u16::from(b'H'))
        );
        assert!(menus.destroy(bar));
        assert!(menus.get(sub).is_none(), "its submenu went with it");
        assert!(menus.get(bar).is_none());
        let again = menus.insert(Menu::default());
        assert_ne!(again, bar, "a reused slot gets a new uniqueness");
    }

    #[test]
    fn a_bar_lays_its_items_out_left_to_right_and_a_popup_draws_a_raised_edge() {
        let menu = Menu {
            items: vec![item("&File", 1), item("&Edit", 2)],
            ..Menu::default()
        };
        let bar = Rect::new(10, 40, 300, 59);
        let items = bar_items(&menu, bar);
        assert_eq!(items[0].left, 10);
        assert_eq!(items[0].right, items[1].left);
        assert_eq!(items[0].height(), ITEM_HEIGHT);
        let mut s = Surface::new(200, 200, 0x123456);
        let (w, h, rects) = popup_layout(&menu);
        assert_eq!(rects[1].top, POPUP_BORDER + ITEM_HEIGHT - 1);
        let rect = Rect::new(0, 0, w, h);
        let clip = [s.bounds()];
        let mut p = Painter {
            surface: &mut s,
            clip: &clip,
        };
        draw_popup(&mut p, &menu, rect);
        assert_eq!(s.get(0, 5), Some(crate::nonclient::LIGHT));
        assert_eq!(s.get(1, 5), Some(HILIGHT));
        assert_eq!(s.get(w - 1, 5), Some(DKSHADOW));
        assert_eq!(s.get(w - 2, 5), Some(SHADOW));
        assert_eq!(s.get(w + 1, 5), Some(0x123456), "nothing outside");
    }
}
