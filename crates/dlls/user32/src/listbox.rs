//! The ListBox control (and ComboLBox, a combo box's list): items with text and data,
//! LBS_SORT, single, LBS_MULTIPLESEL and LBS_EXTENDEDSEL selection, the LB_* messages with
//! NT's LB_ERR answers, LBN_SELCHANGE and LBN_DBLCLK (with LBS_NOTIFY) to the parent,
//! keyboard and mouse selection, the vertical scroll bar (shown when the items do not fit),
//! integral height, owner-drawn items without strings (their data stands for their text),
//! and drawing as NT 4.0 does: COLOR_WINDOW, selected items in COLOR_HIGHLIGHT, the focus
//! item with a dotted rectangle.

use std::collections::BTreeMap;

use win32::{ApiCall, ApiReturn, export};
use win32k::geometry::Rect;
use win32k::scrollbar::{SB_VERT, ScrollInfo};

use crate::control::*;
use crate::guest::{Step, run};
use crate::wm::{Act, wm};

/// LB_ERR.
pub const LB_ERR: u32 = 0xFFFF_FFFF;

/// LBS_NOTIFY.
pub const LBS_NOTIFY: u32 = 0x1;
/// LBS_SORT.
pub const LBS_SORT: u32 = 0x2;
/// LBS_MULTIPLESEL.
pub const LBS_MULTIPLESEL: u32 = 0x8;
/// LBS_OWNERDRAWFIXED.
pub const LBS_OWNERDRAWFIXED: u32 = 0x10;
/// LBS_OWNERDRAWVARIABLE.
pub const LBS_OWNERDRAWVARIABLE: u32 = 0x20;
/// LBS_HASSTRINGS.
pub const LBS_HASSTRINGS: u32 = 0x40;
/// LBS_USETABSTOPS.
pub const LBS_USETABSTOPS: u32 = 0x80;
/// LBS_NOINTEGRALHEIGHT.
pub const LBS_NOINTEGRALHEIGHT: u32 = 0x100;
/// LBS_EXTENDEDSEL.
pub const LBS_EXTENDEDSEL: u32 = 0x800;
/// LBS_DISABLENOSCROLL.
pub const LBS_DISABLENOSCROLL: u32 = 0x1000;
/// LBS_NOSEL.
pub const LBS_NOSEL: u32 = 0x4000;

/// LBN_SELCHANGE.
pub const LBN_SELCHANGE: u32 = 1;
/// LBN_DBLCLK.
pub const LBN_DBLCLK: u32 = 2;
/// LBN_SETFOCUS.
pub const LBN_SETFOCUS: u32 = 4;
/// LBN_KILLFOCUS.
pub const LBN_KILLFOCUS: u32 = 5;

/// LB_ADDSTRING.
pub const LB_ADDSTRING: u32 = 0x180;
/// LB_INSERTSTRING.
pub const LB_INSERTSTRING: u32 = 0x181;
/// LB_DELETESTRING.
pub const LB_DELETESTRING: u32 = 0x182;
/// LB_RESETCONTENT.
pub const LB_RESETCONTENT: u32 = 0x184;
/// LB_SETSEL.
pub const LB_SETSEL: u32 = 0x185;
/// LB_SETCURSEL.
pub const LB_SETCURSEL: u32 = 0x186;
/// LB_GETSEL.
pub const LB_GETSEL: u32 = 0x187;
/// LB_GETCURSEL.
pub const LB_GETCURSEL: u32 = 0x188;
/// LB_GETTEXT.
pub const LB_GETTEXT: u32 = 0x189;
/// LB_GETTEXTLEN.
pub const LB_GETTEXTLEN: u32 = 0x18A;
/// LB_GETCOUNT.
pub const LB_GETCOUNT: u32 = 0x18B;
/// LB_SELECTSTRING.
pub const LB_SELECTSTRING: u32 = 0x18C;
/// LB_DIR.
pub const LB_DIR: u32 = 0x18D;
/// LB_GETTOPINDEX.
pub const LB_GETTOPINDEX: u32 = 0x18E;
/// LB_FINDSTRING.
pub const LB_FINDSTRING: u32 = 0x18F;
/// LB_GETSELCOUNT.
pub const LB_GETSELCOUNT: u32 = 0x190;
/// LB_GETSELITEMS.
pub const LB_GETSELITEMS: u32 = 0x191;
/// LB_SETTABSTOPS.
pub const LB_SETTABSTOPS: u32 = 0x192;
/// LB_SETTOPINDEX.
pub const LB_SETTOPINDEX: u32 = 0x197;
/// LB_GETITEMRECT.
pub const LB_GETITEMRECT: u32 = 0x198;
/// LB_GETITEMDATA.
pub const LB_GETITEMDATA: u32 = 0x199;
/// LB_SETITEMDATA.
pub const LB_SETITEMDATA: u32 = 0x19A;
/// LB_SELITEMRANGE.
pub const LB_SELITEMRANGE: u32 = 0x19B;
/// LB_SETANCHORINDEX.
pub const LB_SETANCHORINDEX: u32 = 0x19C;
/// LB_GETANCHORINDEX.
pub const LB_GETANCHORINDEX: u32 = 0x19D;
/// LB_SETCARETINDEX.
pub const LB_SETCARETINDEX: u32 = 0x19E;
/// LB_GETCARETINDEX.
pub const LB_GETCARETINDEX: u32 = 0x19F;
/// LB_SETITEMHEIGHT.
pub const LB_SETITEMHEIGHT: u32 = 0x1A0;
/// LB_GETITEMHEIGHT.
pub const LB_GETITEMHEIGHT: u32 = 0x1A1;
/// LB_FINDSTRINGEXACT.
pub const LB_FINDSTRINGEXACT: u32 = 0x1A2;
/// LB_ITEMFROMPOINT.
pub const LB_ITEMFROMPOINT: u32 = 0x1A9;

/// VK_ codes the list box uses.
const VK_SHIFT: u8 = 0x10;
const VK_CONTROL: u8 = 0x11;
const VK_PRIOR: u32 = 0x21;
const VK_NEXT: u32 = 0x22;
const VK_END: u32 = 0x23;
const VK_HOME: u32 = 0x24;
const VK_UP: u32 = 0x26;
const VK_DOWN: u32 = 0x28;
const VK_SPACE: u32 = 0x20;

/// One item.
#[derive(Clone, Debug, Default)]
pub struct Item {
    /// Its text (empty for an owner-drawn item without strings).
    pub text: Vec<u16>,
    /// LB_SETITEMDATA's value (the item itself without strings).
    pub data: u32,
    /// Selected (multiple-selection boxes).
    pub selected: bool,
}

/// A list box's state.
#[derive(Clone, Debug, Default)]
pub struct ListBox {
    /// The items.
    pub items: Vec<Item>,
    /// The selected item of a single-selection box (-1: none).
    pub selected: i32,
    /// The focus (caret) item.
    pub caret: i32,
    /// The anchor of an extended selection.
    pub anchor: i32,
    /// The first item shown.
    pub top: i32,
    /// Each item's height.
    pub item_height: i32,
    /// WM_SETFONT's font.
    pub font: u32,
    /// The combo box this is the list of (0: none); notifications go there.
    pub combo: u32,
    /// Whether it has the focus.
    pub focused: bool,
    /// LB_SETTABSTOPS's stops (dialog units / 4 as pixels are not kept: pixels).
    pub tabs: Vec<i32>,
}

/// The machine's list boxes, by window.
#[derive(Default)]
pub struct ListBoxes(pub BTreeMap<u32, ListBox>);

/// A list box's state (None: not a list box, or not created yet).
pub fn state<'a>(call: &'a mut ApiCall<'_>, hwnd: u32) -> Option<&'a mut ListBox> {
    call.state.get::<ListBoxes>().0.get_mut(&hwnd)
}

fn multi(style: u32) -> bool {
    style & (LBS_MULTIPLESEL | LBS_EXTENDEDSEL) != 0
}

fn has_strings(style: u32) -> bool {
    style & (LBS_OWNERDRAWFIXED | LBS_OWNERDRAWVARIABLE) == 0 || style & LBS_HASSTRINGS != 0
}

/// How many items fit in the client area (at least 1).
fn page(call: &mut ApiCall<'_>, hwnd: u32, lb: &ListBox) -> i32 {
    let h = wm(call).window(hwnd).map_or(0, |w| w.client.height());
    (h / lb.item_height.max(1)).max(1)
}

/// Keeps the top index valid and `index` in view.
fn show_item(call: &mut ApiCall<'_>, hwnd: u32, index: i32) {
    let Some(lb) = state(call, hwnd).cloned() else {
        return;
    };
    let page = page(call, hwnd, &lb);
    let mut top = lb.top;
    if index >= 0 {
        if index < top {
            top = index;
        } else if index >= top + page {
            top = index - page + 1;
        }
    }
    let count = lb.items.len() as i32;
    top = top.min((count - page).max(0)).max(0);
    if let Some(lb) = state(call, hwnd) {
        lb.top = top;
    }
}

/// Updates the vertical scroll bar: range 0..count-1, a page of the items that fit; hidden
/// when they all fit (unless LBS_DISABLENOSCROLL). The acts that show or hide it.
fn scroll_acts(call: &mut ApiCall<'_>, hwnd: u32) -> Vec<Act> {
    let Some(lb) = state(call, hwnd).cloned() else {
        return Vec::new();
    };
    let style = wm(call).window(hwnd).map_or(0, |w| w.style);
    if style & win32k::WS_VSCROLL == 0 && !wm(call).scroll_bars.contains_key(&hwnd) {
        return Vec::new();
    }
    let page = page(call, hwnd, &lb);
    let count = lb.items.len() as i32;
    let info = ScrollInfo {
        min: 0,
        max: (count - 1).max(0),
        page: page as u32,
        pos: lb.top,
        ..ScrollInfo::default()
    };
    let mut mask = 0x7;
    if style & LBS_DISABLENOSCROLL != 0 {
        mask |= 0x8;
    }
    crate::scrollbar::set_info(call, hwnd, SB_VERT, mask, info, true).map_or(Vec::new(), |r| r.1)
}

/// Draws the list box's client area.
pub fn draw(call: &mut ApiCall<'_>, hwnd: u32) {
    let Some(lb) = state(call, hwnd).cloned() else {
        return;
    };
    let style = wm(call).window(hwnd).map_or(0, |w| w.style);
    let font = font(call, lb.font);
    let (text_colour, background) = colours(call, hwnd, WINDOW_TEXT, WINDOW);
    let m = wm(call);
    let Some(cv) = Canvas::of(m, hwnd) else {
        return;
    };
    let (w, h) = cv.size;
    cv.fill(m, Rect::new(0, 0, w, h), background);
    let strings = has_strings(style);
    let ih = lb.item_height.max(1);
    for (row, i) in (lb.top.max(0)..lb.items.len() as i32).enumerate() {
        let y = row as i32 * ih;
        if y >= h {
            break;
        }
        let item = &lb.items[i as usize];
        let selected = if multi(style) {
            item.selected
        } else {
            i == lb.selected
        };
        let r = Rect::new(0, y, w, y + ih);
        let colour = if selected {
            cv.fill(m, r, HIGHLIGHT);
            HIGHLIGHT_TEXT
        } else {
            text_colour
        };
        if strings {
            let text: Vec<u16> = item
                .text
                .iter()
                .map(|&c| if c == 9 { 32 } else { c })
                .collect();
            cv.text(m, &font, 2, y, &text, colour, r);
        }
        if lb.focused && i == lb.caret {
            cv.focus_rect(m, r);
        }
    }
}

/// Redraws the list box and updates its scroll bar: the acts that show or hide the bar.
fn changed(call: &mut ApiCall<'_>, hwnd: u32) -> Vec<Act> {
    let acts = scroll_acts(call, hwnd);
    draw(call, hwnd);
    acts
}

/// Where a new string goes in a sorted box.
fn sorted_index(lb: &ListBox, text: &[u16]) -> usize {
    // A binary search, as NT's: after the items that do not sort after it.
    let (mut lo, mut hi) = (0, lb.items.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        if compare_nocase(&lb.items[mid].text, text) == std::cmp::Ordering::Greater {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// Finds an item from `start` + 1 on (wrapping), by prefix or exactly, ignoring case.
fn find(lb: &ListBox, start: i32, text: &[u16], exact: bool, strings: bool, key: u32) -> u32 {
    let n = lb.items.len() as i32;
    if n == 0 {
        return LB_ERR;
    }
    let from = if start < 0 || start >= n {
        0
    } else {
        start + 1
    };
    for k in 0..n {
        let i = (from + k) % n;
        let item = &lb.items[i as usize];
        let hit = if !strings {
            item.data == key
        } else if exact {
            compare_nocase(&item.text, text) == std::cmp::Ordering::Equal
        } else {
            starts_nocase(&item.text, text)
        };
        if hit {
            return i as u32;
        }
    }
    LB_ERR
}

/// The notification acts for a selection change made by the user.
fn sel_change(call: &mut ApiCall<'_>, hwnd: u32, style: u32) -> Vec<Act> {
    let combo = state(call, hwnd).map_or(0, |lb| lb.combo);
    if combo != 0 {
        return vec![notify(hwnd, combo, LBN_SELCHANGE)];
    }
    if style & LBS_NOTIFY != 0 {
        vec![notify(hwnd, 0, LBN_SELCHANGE)]
    } else {
        Vec::new()
    }
}

/// Sets the single selection (and caret) to `index`.
fn select(call: &mut ApiCall<'_>, hwnd: u32, index: i32) {
    if let Some(lb) = state(call, hwnd) {
        lb.selected = index;
        if index >= 0 {
            lb.caret = index;
        }
    }
    show_item(call, hwnd, index);
}

/// The user moved to item `index` (keyboard or mouse) with Shift and Ctrl as given.
fn user_pick(
    call: &mut ApiCall<'_>,
    hwnd: u32,
    style: u32,
    index: i32,
    shift: bool,
    ctrl: bool,
    toggle: bool,
) -> Vec<Act> {
    let Some(lb) = state(call, hwnd) else {
        return Vec::new();
    };
    let n = lb.items.len() as i32;
    if n == 0 || style & LBS_NOSEL != 0 {
        return Vec::new();
    }
    let index = index.clamp(0, n - 1);
    let before: Vec<bool> = lb.items.iter().map(|i| i.selected).collect();
    let old_sel = lb.selected;
    if style & LBS_MULTIPLESEL != 0 {
        lb.caret = index;
        if toggle {
            let item = &mut lb.items[index as usize];
            item.selected = !item.selected;
        }
    } else if style & LBS_EXTENDEDSEL != 0 {
        lb.caret = index;
        if shift {
            let (a, b) = (lb.anchor.min(index).max(0), lb.anchor.max(index));
            if !ctrl {
                for it in lb.items.iter_mut() {
                    it.selected = false;
                }
            }
            for i in a..=b.min(n - 1) {
                lb.items[i as usize].selected = true;
            }
        } else if ctrl {
            if toggle {
                let item = &mut lb.items[index as usize];
                item.selected = !item.selected;
                lb.anchor = index;
            }
        } else {
            for it in lb.items.iter_mut() {
                it.selected = false;
            }
            lb.items[index as usize].selected = true;
            lb.anchor = index;
        }
    } else {
        lb.selected = index;
        lb.caret = index;
    }
    let after: Vec<bool> = lb.items.iter().map(|i| i.selected).collect();
    let changed_sel = before != after || old_sel != lb.selected;
    show_item(call, hwnd, index);
    let mut acts = changed(call, hwnd);
    if changed_sel {
        acts.extend(sel_change(call, hwnd, style));
    }
    acts
}

/// The list box procedure's work.
fn proc_(call: &mut ApiCall<'_>, hwnd: u32, msg: u32, wp: u32, lp: u32) -> Step {
    let Some((style, _parent, _id, wide)) = basics(call, hwnd) else {
        return Step::Return(0);
    };
    let hwnd = wm(call).full_handle(hwnd).unwrap_or(hwnd);
    if msg == crate::wm::WM_NCCREATE {
        let f = font(call, 0);
        let lb = ListBox {
            selected: -1,
            caret: 0,
            item_height: f.metrics().height,
            ..ListBox::default()
        };
        call.state.get::<ListBoxes>().0.insert(hwnd, lb);
        return crate::message::default_proc(call, hwnd, msg, wp, lp, wide);
    }
    if msg == crate::wm::WM_NCDESTROY {
        call.state.get::<ChosenColours>().0.remove(&hwnd);
        call.state.get::<ListBoxes>().0.remove(&hwnd);
        return crate::message::default_proc(call, hwnd, msg, wp, lp, wide);
    }
    let Some(lb) = state(call, hwnd).cloned() else {
        return crate::message::default_proc(call, hwnd, msg, wp, lp, wide);
    };
    let count = lb.items.len() as i32;
    let strings = has_strings(style);
    let valid = |i: u32| (i as i32) >= 0 && (i as i32) < count;
    match msg {
        crate::wm::WM_CREATE => {
            // The combo box that owns a ComboLBox passes itself in lpCreateParams.
            let class_is_combo = {
                let m = wm(call);
                m.window(hwnd)
                    .and_then(|w| m.class(w.class))
                    .is_some_and(|c| c.name.eq_ignore_ascii_case("ComboLBox"))
            };
            if class_is_combo {
                let combo = call.read_u32(lp).unwrap_or(0);
                if let Some(lb) = state(call, hwnd) {
                    lb.combo = combo;
                }
            }
            integral_height(call, hwnd, style);
            let acts = scroll_acts(call, hwnd);
            finish(call, acts, 0)
        }
        crate::paint::WM_PAINT => paint_with_colours(call, hwnd, WM_CTLCOLORLISTBOX, draw),
        crate::paint::WM_ERASEBKGND => Step::Return(1),
        // A combo box's dropped list never takes the activation (MA_NOACTIVATE).
        crate::wm::WM_MOUSEACTIVATE if lb.combo != 0 => Step::Return(3),
        crate::wm::WM_SIZE => {
            show_item(call, hwnd, -1);
            let acts = changed(call, hwnd);
            finish(call, acts, 0)
        }
        WM_SETFONT => {
            let f = font(call, wp);
            if let Some(lb) = state(call, hwnd) {
                lb.font = wp;
                lb.item_height = f.metrics().height;
            }
            let acts = if lp & 0xFFFF != 0 {
                changed(call, hwnd)
            } else {
                Vec::new()
            };
            finish(call, acts, 0)
        }
        WM_GETFONT => Step::Return(lb.font),
        crate::wm::WM_SETFOCUS | WM_KILLFOCUS => {
            let focus = msg == crate::wm::WM_SETFOCUS;
            if let Some(lb) = state(call, hwnd) {
                lb.focused = focus;
            }
            draw(call, hwnd);
            // LBN_SETFOCUS and LBN_KILLFOCUS come without LBS_NOTIFY too.
            let acts = if lb.combo == 0 {
                vec![notify(
                    hwnd,
                    0,
                    if focus { LBN_SETFOCUS } else { LBN_KILLFOCUS },
                )]
            } else {
                Vec::new()
            };
            finish(call, acts, 0)
        }
        // DLGC_WANTARROWS | DLGC_WANTCHARS.
        WM_GETDLGCODE => Step::Return(0x1 | 0x80),
        LB_ADDSTRING | LB_INSERTSTRING => {
            let text = if strings {
                read_str(call, lp, wide).unwrap_or_default()
            } else {
                Vec::new()
            };
            let index = if msg == LB_ADDSTRING {
                if style & LBS_SORT != 0 && strings {
                    sorted_index(&lb, &text)
                } else {
                    lb.items.len()
                }
            } else {
                let i = wp as i32;
                if i == -1 {
                    lb.items.len()
                } else if i < 0 || i > count {
                    return Step::Return(LB_ERR);
                } else {
                    i as usize
                }
            };
            let data = if strings { 0 } else { lp };
            if let Some(lb) = state(call, hwnd) {
                lb.items.insert(
                    index,
                    Item {
                        text,
                        data,
                        selected: false,
                    },
                );
                if lb.selected >= index as i32 {
                    lb.selected += 1;
                }
                if lb.caret >= index as i32 && lb.items.len() > 1 {
                    lb.caret += 1;
                }
            }
            let acts = changed(call, hwnd);
            finish(call, acts, index as u32)
        }
        LB_DELETESTRING => {
            if !valid(wp) {
                return Step::Return(LB_ERR);
            }
            let i = wp as i32;
            let left = if let Some(lb) = state(call, hwnd) {
                lb.items.remove(i as usize);
                if lb.selected == i {
                    lb.selected = -1;
                } else if lb.selected > i {
                    lb.selected -= 1;
                }
                if lb.caret > i || lb.caret >= lb.items.len() as i32 {
                    lb.caret = (lb.caret - 1).max(0);
                }
                lb.items.len() as u32
            } else {
                0
            };
            show_item(call, hwnd, -1);
            let acts = changed(call, hwnd);
            finish(call, acts, left)
        }
        LB_RESETCONTENT => {
            if let Some(lb) = state(call, hwnd) {
                lb.items.clear();
                lb.selected = -1;
                lb.caret = 0;
                lb.anchor = 0;
                lb.top = 0;
            }
            let acts = changed(call, hwnd);
            finish(call, acts, 0)
        }
        LB_GETCOUNT => Step::Return(count as u32),
        LB_GETTEXT => {
            if !valid(wp) {
                return Step::Return(LB_ERR);
            }
            let item = &lb.items[wp as usize];
            if !strings {
                let _ = call.write_u32(lp, item.data);
                return Step::Return(4);
            }
            Step::Return(put_str(call, lp, &item.text, wide).unwrap_or(LB_ERR))
        }
        LB_GETTEXTLEN => {
            if !valid(wp) {
                return Step::Return(LB_ERR);
            }
            if !strings {
                return Step::Return(4);
            }
            Step::Return(len_in(&lb.items[wp as usize].text, wide))
        }
        LB_GETITEMDATA => {
            if !valid(wp) {
                return Step::Return(LB_ERR);
            }
            Step::Return(lb.items[wp as usize].data)
        }
        LB_SETITEMDATA => {
            if !valid(wp) {
                return Step::Return(LB_ERR);
            }
            if let Some(lb) = state(call, hwnd) {
                lb.items[wp as usize].data = lp;
            }
            Step::Return(1)
        }
        LB_FINDSTRING | LB_FINDSTRINGEXACT | LB_SELECTSTRING => {
            let text = if strings {
                read_str(call, lp, wide).unwrap_or_default()
            } else {
                Vec::new()
            };
            let exact = msg == LB_FINDSTRINGEXACT;
            let i = find(&lb, wp as i32, &text, exact, strings, lp);
            if msg == LB_SELECTSTRING && i != LB_ERR {
                if multi(style) {
                    return Step::Return(LB_ERR);
                }
                select(call, hwnd, i as i32);
                let acts = changed(call, hwnd);
                return finish(call, acts, i);
            }
            Step::Return(i)
        }
        LB_GETCURSEL => {
            if multi(style) {
                Step::Return(if count == 0 { LB_ERR } else { lb.caret as u32 })
            } else {
                Step::Return(lb.selected as u32)
            }
        }
        LB_SETCURSEL => {
            if multi(style) {
                return Step::Return(LB_ERR);
            }
            // -1 takes the selection away; another index outside the list changes nothing.
            let i = wp as i32;
            if i != -1 && !(0..count).contains(&i) {
                return Step::Return(LB_ERR);
            }
            select(call, hwnd, i);
            let acts = changed(call, hwnd);
            finish(call, acts, if i == -1 { LB_ERR } else { i as u32 })
        }
        LB_GETSEL => {
            if !valid(wp) {
                return Step::Return(LB_ERR);
            }
            let on = if multi(style) {
                lb.items[wp as usize].selected
            } else {
                lb.selected == wp as i32
            };
            Step::Return(u32::from(on))
        }
        LB_SETSEL => {
            let i = lp as i32;
            if !multi(style) {
                // A single-selection box takes it as LB_SETCURSEL (FALSE: none).
                if i != -1 && !valid(lp) {
                    return Step::Return(LB_ERR);
                }
                let to = if wp != 0 { i } else { -1 };
                if wp != 0 || i == -1 || lb.selected == i {
                    select(call, hwnd, to);
                }
                let acts = changed(call, hwnd);
                return finish(call, acts, 0);
            }
            if i != -1 && !valid(lp) {
                return Step::Return(LB_ERR);
            }
            if let Some(lb) = state(call, hwnd) {
                if i == -1 {
                    for it in lb.items.iter_mut() {
                        it.selected = wp != 0;
                    }
                } else {
                    lb.items[i as usize].selected = wp != 0;
                    lb.caret = i;
                    lb.anchor = i;
                }
            }
            let acts = changed(call, hwnd);
            finish(call, acts, 0)
        }
        LB_SELITEMRANGE => {
            if !multi(style) {
                return Step::Return(LB_ERR);
            }
            let (a, b) = (lp & 0xFFFF, lp >> 16);
            if let Some(lb) = state(call, hwnd) {
                for i in a.min(b)..=a.max(b) {
                    if let Some(it) = lb.items.get_mut(i as usize) {
                        it.selected = wp != 0;
                    }
                }
            }
            let acts = changed(call, hwnd);
            finish(call, acts, 0)
        }
        LB_GETSELCOUNT => {
            if !multi(style) {
                return Step::Return(LB_ERR);
            }
            Step::Return(lb.items.iter().filter(|i| i.selected).count() as u32)
        }
        LB_GETSELITEMS => {
            if !multi(style) {
                return Step::Return(LB_ERR);
            }
            let sel: Vec<u32> = lb
                .items
                .iter()
                .enumerate()
                .filter(|(_, i)| i.selected)
                .map(|(n, _)| n as u32)
                .take(wp as usize)
                .collect();
            let bytes: Vec<u8> = sel.iter().flat_map(|v| v.to_le_bytes()).collect();
            if call.write_bytes(lp, &bytes).is_err() {
                return Step::Return(LB_ERR);
            }
            Step::Return(sel.len() as u32)
        }
        LB_GETTOPINDEX => Step::Return(lb.top as u32),
        LB_SETTOPINDEX => {
            if wp as i32 >= count.max(1) || (wp as i32) < 0 {
                return Step::Return(LB_ERR);
            }
            let page = page(call, hwnd, &lb);
            let top = (wp as i32).min((count - page).max(0));
            if let Some(lb) = state(call, hwnd) {
                lb.top = top;
            }
            let acts = changed(call, hwnd);
            finish(call, acts, 0)
        }
        LB_GETITEMHEIGHT => Step::Return(lb.item_height as u32),
        LB_SETITEMHEIGHT => {
            let h = lp & 0xFFFF;
            if h == 0 || h > 255 {
                return Step::Return(LB_ERR);
            }
            if let Some(lb) = state(call, hwnd) {
                lb.item_height = h as i32;
            }
            let acts = changed(call, hwnd);
            finish(call, acts, 0)
        }
        LB_GETITEMRECT => {
            let i = wp as i32;
            if i < 0 || (i >= count && !(i == 0 && count == 0)) {
                return Step::Return(LB_ERR);
            }
            let width = wm(call).window(hwnd).map_or(0, |w| w.client.width());
            let y = (i - lb.top) * lb.item_height;
            let r = Rect::new(0, y, width, y + lb.item_height);
            Step::Return(u32::from(call.write_bytes(lp, &r.to_bytes()).is_ok()))
        }
        LB_ITEMFROMPOINT => {
            let (_, y) = words(lp);
            let i = lb.top + y.max(0) / lb.item_height.max(1);
            let outside = u32::from(i >= count);
            Step::Return(make_long(i.min(count - 1).max(0) as u32, outside))
        }
        LB_GETCARETINDEX => Step::Return(lb.caret as u32),
        LB_SETCARETINDEX => {
            if !valid(wp) {
                return Step::Return(LB_ERR);
            }
            if let Some(lb) = state(call, hwnd) {
                lb.caret = wp as i32;
            }
            show_item(call, hwnd, wp as i32);
            let acts = changed(call, hwnd);
            finish(call, acts, 0)
        }
        LB_GETANCHORINDEX => Step::Return(lb.anchor as u32),
        LB_SETANCHORINDEX => {
            if !valid(wp) {
                return Step::Return(LB_ERR);
            }
            if let Some(lb) = state(call, hwnd) {
                lb.anchor = wp as i32;
            }
            Step::Return(0)
        }
        LB_SETTABSTOPS => {
            let stops: Vec<i32> = (0..wp)
                .map(|i| call.read_u32(lp + 4 * i).unwrap_or(0) as i32)
                .collect();
            if let Some(lb) = state(call, hwnd) {
                lb.tabs = stops;
            }
            Step::Return(u32::from(style & LBS_USETABSTOPS != 0))
        }
        LB_DIR => Step::Return(LB_ERR),
        WM_LBUTTONDOWN | WM_LBUTTONDBLCLK => {
            let (_, y) = words(lp);
            let i = lb.top + y.max(0) / lb.item_height.max(1);
            let mut acts = if lb.combo == 0 {
                take_focus(call, hwnd)
            } else {
                Vec::new()
            };
            if i < count {
                let (shift, ctrl) = (wp & 0x4 != 0, wp & 0x8 != 0);
                acts.extend(user_pick(call, hwnd, style, i, shift, ctrl, true));
                if msg == WM_LBUTTONDBLCLK && style & LBS_NOTIFY != 0 && lb.combo == 0 {
                    acts.push(notify(hwnd, 0, LBN_DBLCLK));
                }
            }
            if lb.combo != 0 {
                // A click in a combo box's list picks the item and closes the list.
                acts.push(Act::Send(lb.combo, crate::combobox::CB_SHOWDROPDOWN, 0, 1));
            }
            finish(call, acts, 0)
        }
        crate::wm::WM_KEYDOWN => {
            let page_n = page(call, hwnd, &lb);
            let c = lb.caret.max(0);
            let target = match wp {
                VK_UP => c - 1,
                VK_DOWN => c + 1,
                VK_HOME => 0,
                VK_END => count - 1,
                VK_PRIOR => c - (page_n - 1).max(1),
                VK_NEXT => c + (page_n - 1).max(1),
                VK_SPACE if style & LBS_MULTIPLESEL != 0 => {
                    let acts = user_pick(call, hwnd, style, c, false, false, true);
                    return finish(call, acts, 0);
                }
                _ => return Step::Return(0),
            };
            let d = &wm(call).display;
            let (shift, ctrl) = (d.is_down(VK_SHIFT), d.is_down(VK_CONTROL));
            if count == 0 {
                return Step::Return(0);
            }
            let acts = user_pick(call, hwnd, style, target, shift, ctrl, false);
            finish(call, acts, 0)
        }
        crate::wm::WM_CHAR => {
            if !strings || count == 0 {
                return Step::Return(0);
            }
            let i = find(&lb, lb.caret, &[wp as u16], false, true, 0);
            if i == LB_ERR {
                return Step::Return(0);
            }
            let acts = user_pick(call, hwnd, style, i as i32, false, false, false);
            finish(call, acts, 0)
        }
        WM_VSCROLL => {
            let page_n = page(call, hwnd, &lb);
            let top = match wp & 0xFFFF {
                crate::scrollbar::SB_LINEUP => lb.top - 1,
                crate::scrollbar::SB_LINEDOWN => lb.top + 1,
                crate::scrollbar::SB_PAGEUP => lb.top - page_n,
                crate::scrollbar::SB_PAGEDOWN => lb.top + page_n,
                crate::scrollbar::SB_THUMBTRACK | crate::scrollbar::SB_THUMBPOSITION => {
                    (wp >> 16) as i32
                }
                crate::scrollbar::SB_TOP => 0,
                crate::scrollbar::SB_BOTTOM => count,
                _ => return Step::Return(0),
            };
            let top = top.min((count - page_n).max(0)).max(0);
            if let Some(lb) = state(call, hwnd) {
                lb.top = top;
            }
            let acts = changed(call, hwnd);
            finish(call, acts, 0)
        }
        _ => crate::message::default_proc(call, hwnd, msg, wp, lp, wide),
    }
}

/// Without LBS_NOINTEGRALHEIGHT the box's height shrinks to whole items, as NT's list box
/// sizes itself when it is made.
fn integral_height(call: &mut ApiCall<'_>, hwnd: u32, style: u32) {
    if style & LBS_NOINTEGRALHEIGHT != 0 || style & LBS_OWNERDRAWVARIABLE != 0 {
        return;
    }
    let Some(h) = state(call, hwnd).map(|lb| lb.item_height.max(1)) else {
        return;
    };
    let Some(w) = wm(call).window_mut(hwnd) else {
        return;
    };
    let extra = w.client.height() % h;
    if extra != 0 && w.client.height() > h {
        w.rect.bottom -= extra;
        w.client.bottom -= extra;
    }
}

/// LRESULT ListBoxWndProc(HWND, UINT, WPARAM, LPARAM): the ListBox class's procedure
/// (NT keeps it inside USER32; ntemu exports it under this name for the class table).
#[export]
fn ListBoxWndProc(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    uMsg: u32,
    wParam: u32,
    lParam: u32,
) -> ApiReturn {
    let step = proc_(call, hWnd, uMsg, wParam, lParam);
    run(call, 4, step)
}

/// LRESULT ComboLBoxWndProc(HWND, UINT, WPARAM, LPARAM): the ComboLBox class's procedure,
/// the list box's.
#[export]
fn ComboLBoxWndProc(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    uMsg: u32,
    wParam: u32,
    lParam: u32,
) -> ApiReturn {
    let step = proc_(call, hWnd, uMsg, wParam, lParam);
    run(call, 4, step)
}
