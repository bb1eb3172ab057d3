//! The ComboBox control: CBS_SIMPLE (an edit over a list that always shows), CBS_DROPDOWN
//! (an edit and a button that drops the list) and CBS_DROPDOWNLIST (the chosen item drawn
//! in place of an edit). The list is a ComboLBox window (a popup below the combo box while
//! dropped, a child for CBS_SIMPLE) and the edit an Edit child (id 1001; the list is 1000),
//! as NT 4.0 makes them. CB_* messages go to the list and edit as their LB_* and EM_*
//! counterparts; the list's and edit's notifications come back as CBN_SELCHANGE,
//! CBN_EDITCHANGE, CBN_EDITUPDATE, CBN_SETFOCUS and CBN_KILLFOCUS; dropping and closing the
//! list send CBN_DROPDOWN and CBN_CLOSEUP. NT 4.0's look: a sunken edge, the field, and the
//! drop button (a raised 3-D button with a black triangle) at the right.

use std::collections::{BTreeMap, VecDeque};

use win32::{ApiCall, ApiReturn, export};
use win32k::geometry::Rect;
use win32k::nonclient::{DKSHADOW, HILIGHT, LIGHT, SHADOW};

use crate::control::*;
use crate::edit;
use crate::guest::{Step, run};
use crate::listbox::{self, LB_ERR};
use crate::wm::{Act, WM_GETTEXT, WM_GETTEXTLENGTH, WM_SETTEXT, plan, wm};

/// CBS_SIMPLE.
pub const CBS_SIMPLE: u32 = 0x1;
/// CBS_DROPDOWN.
pub const CBS_DROPDOWN: u32 = 0x2;
/// CBS_DROPDOWNLIST.
pub const CBS_DROPDOWNLIST: u32 = 0x3;
/// CBS_OWNERDRAWFIXED.
pub const CBS_OWNERDRAWFIXED: u32 = 0x10;
/// CBS_AUTOHSCROLL.
pub const CBS_AUTOHSCROLL: u32 = 0x40;
/// CBS_SORT.
pub const CBS_SORT: u32 = 0x100;
/// CBS_HASSTRINGS.
pub const CBS_HASSTRINGS: u32 = 0x200;
/// CBS_NOINTEGRALHEIGHT.
pub const CBS_NOINTEGRALHEIGHT: u32 = 0x400;
/// CBS_DISABLENOSCROLL.
pub const CBS_DISABLENOSCROLL: u32 = 0x800;
/// CBS_UPPERCASE.
pub const CBS_UPPERCASE: u32 = 0x2000;
/// CBS_LOWERCASE.
pub const CBS_LOWERCASE: u32 = 0x4000;

/// CBN_SELCHANGE.
pub const CBN_SELCHANGE: u32 = 1;
/// CBN_DBLCLK.
pub const CBN_DBLCLK: u32 = 2;
/// CBN_SETFOCUS.
pub const CBN_SETFOCUS: u32 = 3;
/// CBN_KILLFOCUS.
pub const CBN_KILLFOCUS: u32 = 4;
/// CBN_EDITCHANGE.
pub const CBN_EDITCHANGE: u32 = 5;
/// CBN_EDITUPDATE.
pub const CBN_EDITUPDATE: u32 = 6;
/// CBN_DROPDOWN.
pub const CBN_DROPDOWN: u32 = 7;
/// CBN_CLOSEUP.
pub const CBN_CLOSEUP: u32 = 8;
/// CBN_SELENDOK.
pub const CBN_SELENDOK: u32 = 9;
/// CBN_SELENDCANCEL.
pub const CBN_SELENDCANCEL: u32 = 10;

/// CB_GETEDITSEL.
pub const CB_GETEDITSEL: u32 = 0x140;
/// CB_LIMITTEXT.
pub const CB_LIMITTEXT: u32 = 0x141;
/// CB_SETEDITSEL.
pub const CB_SETEDITSEL: u32 = 0x142;
/// CB_ADDSTRING.
pub const CB_ADDSTRING: u32 = 0x143;
/// CB_DELETESTRING.
pub const CB_DELETESTRING: u32 = 0x144;
/// CB_DIR.
pub const CB_DIR: u32 = 0x145;
/// CB_GETCOUNT.
pub const CB_GETCOUNT: u32 = 0x146;
/// CB_GETCURSEL.
pub const CB_GETCURSEL: u32 = 0x147;
/// CB_GETLBTEXT.
pub const CB_GETLBTEXT: u32 = 0x148;
/// CB_GETLBTEXTLEN.
pub const CB_GETLBTEXTLEN: u32 = 0x149;
/// CB_INSERTSTRING.
pub const CB_INSERTSTRING: u32 = 0x14A;
/// CB_RESETCONTENT.
pub const CB_RESETCONTENT: u32 = 0x14B;
/// CB_FINDSTRING.
pub const CB_FINDSTRING: u32 = 0x14C;
/// CB_SELECTSTRING.
pub const CB_SELECTSTRING: u32 = 0x14D;
/// CB_SETCURSEL.
pub const CB_SETCURSEL: u32 = 0x14E;
/// CB_SHOWDROPDOWN.
pub const CB_SHOWDROPDOWN: u32 = 0x14F;
/// CB_GETITEMDATA.
pub const CB_GETITEMDATA: u32 = 0x150;
/// CB_SETITEMDATA.
pub const CB_SETITEMDATA: u32 = 0x151;
/// CB_GETDROPPEDCONTROLRECT.
pub const CB_GETDROPPEDCONTROLRECT: u32 = 0x152;
/// CB_SETITEMHEIGHT.
pub const CB_SETITEMHEIGHT: u32 = 0x153;
/// CB_GETITEMHEIGHT.
pub const CB_GETITEMHEIGHT: u32 = 0x154;
/// CB_SETEXTENDEDUI.
pub const CB_SETEXTENDEDUI: u32 = 0x155;
/// CB_GETEXTENDEDUI.
pub const CB_GETEXTENDEDUI: u32 = 0x156;
/// CB_GETDROPPEDSTATE.
pub const CB_GETDROPPEDSTATE: u32 = 0x157;
/// CB_FINDSTRINGEXACT.
pub const CB_FINDSTRINGEXACT: u32 = 0x158;
/// CB_GETTOPINDEX.
pub const CB_GETTOPINDEX: u32 = 0x15B;
/// CB_SETTOPINDEX.
pub const CB_SETTOPINDEX: u32 = 0x15C;

/// The edit's and list's ids.
const EDIT_ID: u32 = 1001;
const LIST_ID: u32 = 1000;
/// WS_ styles the parts use.
const WS_CHILD: u32 = 0x4000_0000;
const WS_VISIBLE: u32 = 0x1000_0000;
const WS_POPUP: u32 = 0x8000_0000;
const WS_BORDER: u32 = 0x0080_0000;
const WS_VSCROLL: u32 = 0x0020_0000;
const WS_EX_TOOLWINDOW: u32 = 0x80;
/// The drop button's width (SM_CXVSCROLL).
const BUTTON: i32 = 16;
const VK_F4: u32 = 0x73;
const VK_UP: u32 = 0x26;
const VK_DOWN: u32 = 0x28;
const VK_RETURN: u32 = 0x0D;
const VK_ESCAPE: u32 = 0x1B;

/// A combo box's state.
#[derive(Clone, Debug, Default)]
pub struct Combo {
    /// Its edit (0 for CBS_DROPDOWNLIST).
    pub edit: u32,
    /// Its list.
    pub list: u32,
    /// Whether the list is dropped.
    pub dropped: bool,
    /// The height of the selection field (the window's height unless CBS_SIMPLE).
    pub field: i32,
    /// The height the list drops to.
    pub list_height: i32,
    /// WM_SETFONT's font.
    pub font: u32,
    /// Whether it (or its edit) has the focus.
    pub focused: bool,
    /// CB_SETEXTENDEDUI's flag.
    pub extended_ui: bool,
}

/// The machine's combo boxes, by window.
#[derive(Default)]
pub struct Combos(pub BTreeMap<u32, Combo>);

fn state<'a>(call: &'a mut ApiCall<'_>, hwnd: u32) -> Option<&'a mut Combo> {
    call.state.get::<Combos>().0.get_mut(&hwnd)
}

/// The class atom of a system class.
fn class_atom(call: &mut ApiCall<'_>, name: &str) -> u32 {
    crate::class::ensure_system_classes(call);
    let m = wm(call);
    m.classes
        .iter()
        .flatten()
        .find(|c| c.system && c.name.eq_ignore_ascii_case(name))
        .map_or(0, |c| u32::from(c.atom))
}

/// The combo box's kind: CBS_SIMPLE, CBS_DROPDOWN or CBS_DROPDOWNLIST.
fn kind(style: u32) -> u32 {
    match style & 3 {
        0 => CBS_SIMPLE,
        k => k,
    }
}

/// Where the list drops to (screen): below the combo box, its width.
fn drop_rect(call: &mut ApiCall<'_>, hwnd: u32, c: &Combo) -> Rect {
    let r = wm(call).screen_rects(hwnd).map_or(Rect::default(), |r| r.0);
    Rect::new(
        r.left,
        r.top + c.field,
        r.right,
        r.top + c.field + c.list_height,
    )
}

/// Draws the combo box (not its edit or a CBS_SIMPLE list, which draw themselves).
pub fn draw(call: &mut ApiCall<'_>, hwnd: u32) {
    let Some(c) = state(call, hwnd).cloned() else {
        return;
    };
    let style = wm(call).window(hwnd).map_or(0, |w| w.style);
    let k = kind(style);
    // A CBS_DROPDOWNLIST shows the chosen item's text.
    let chosen = if k == CBS_DROPDOWNLIST {
        listbox::state(call, c.list).and_then(|lb| {
            usize::try_from(lb.selected)
                .ok()
                .and_then(|i| lb.items.get(i).map(|it| it.text.clone()))
        })
    } else {
        None
    };
    let font = font(call, c.font);
    let m = wm(call);
    let Some(cv) = Canvas::of(m, hwnd) else {
        return;
    };
    let (w, _) = cv.size;
    if k == CBS_SIMPLE {
        cv.fill(m, Rect::new(0, 0, w, cv.size.1), FACE);
        return;
    }
    let h = c.field;
    let outer = Rect::new(0, 0, w, h);
    cv.edge(m, outer, SHADOW, HILIGHT);
    let inner = Rect::new(1, 1, w - 1, h - 1);
    cv.edge(m, inner, DKSHADOW, LIGHT);
    let field = Rect::new(2, 2, w - 2, h - 2);
    cv.fill(m, field, WINDOW);
    let button = Rect::new(field.right - BUTTON, field.top, field.right, field.bottom);
    if c.dropped {
        cv.fill(m, button, FACE);
        cv.edge(m, button, SHADOW, SHADOW);
        let b = button.offset(1, 1);
        arrow_glyph(m, &cv, b, 1, WINDOW_TEXT);
    } else {
        button_face(m, &cv, button, false);
        arrow_glyph(m, &cv, button, 1, WINDOW_TEXT);
    }
    if k == CBS_DROPDOWNLIST {
        let text_area = Rect::new(
            field.left + 1,
            field.top + 1,
            button.left - 1,
            field.bottom - 1,
        );
        let colour = if c.focused && !c.dropped {
            cv.fill(m, text_area, HIGHLIGHT);
            HIGHLIGHT_TEXT
        } else {
            WINDOW_TEXT
        };
        if let Some(text) = chosen {
            let y = text_area.top + (text_area.height() - font.metrics().height) / 2;
            cv.text(m, &font, text_area.left + 1, y, &text, colour, text_area);
        }
        if c.focused && !c.dropped {
            cv.focus_rect(m, text_area);
        }
    }
}

/// The acts that drop the list (CBN_DROPDOWN first) or close it (CBN_CLOSEUP after).
fn drop_acts(call: &mut ApiCall<'_>, hwnd: u32, open: bool) -> Vec<Act> {
    let Some(c) = state(call, hwnd).cloned() else {
        return Vec::new();
    };
    let style = wm(call).window(hwnd).map_or(0, |w| w.style);
    if kind(style) == CBS_SIMPLE || c.dropped == open {
        return Vec::new();
    }
    let mut acts = Vec::new();
    let base = crate::guest::scratch(call);
    use crate::window::{SWP_HIDEWINDOW, SWP_NOACTIVATE, SWP_SHOWWINDOW, pos_acts};
    if open {
        acts.push(notify(hwnd, 0, CBN_DROPDOWN));
        let r = drop_rect(call, hwnd, &c);
        if let Some(s) = state(call, hwnd) {
            s.dropped = true;
        }
        acts.extend(pos_acts(
            call,
            c.list,
            0,
            r.left,
            r.top,
            r.width(),
            r.height(),
            SWP_SHOWWINDOW | SWP_NOACTIVATE,
            base,
        ));
        // The list shows the chosen item.
        let sel = listbox::state(call, c.list).map_or(-1, |lb| lb.selected);
        acts.push(Act::Send(c.list, listbox::LB_SETCARETINDEX, sel as u32, 0));
        acts.push(Act::run(move |call| {
            wm(call).display.capture = 0;
            draw(call, hwnd);
            listbox::draw(call, c.list);
        }));
    } else {
        if let Some(s) = state(call, hwnd) {
            s.dropped = false;
        }
        acts.extend(pos_acts(
            call,
            c.list,
            0,
            0,
            0,
            0,
            0,
            SWP_HIDEWINDOW | SWP_NOACTIVATE | 0x3 | 0x4,
            base,
        ));
        acts.push(Act::run(move |call| draw(call, hwnd)));
        acts.push(notify(hwnd, 0, CBN_CLOSEUP));
    }
    acts
}

/// Closing the list: CBN_SELENDOK (a pick) or CBN_SELENDCANCEL first, then as
/// [`drop_acts`].
fn close_acts(call: &mut ApiCall<'_>, hwnd: u32, picked: bool) -> Vec<Act> {
    let dropped = state(call, hwnd).is_some_and(|c| c.dropped);
    if !dropped {
        return Vec::new();
    }
    let mut acts = vec![notify(
        hwnd,
        0,
        if picked {
            CBN_SELENDOK
        } else {
            CBN_SELENDCANCEL
        },
    )];
    acts.extend(drop_acts(call, hwnd, false));
    acts
}

/// The list's chosen item's text to the edit (CBS_DROPDOWN, CBS_SIMPLE), all selected.
fn sync_edit(call: &mut ApiCall<'_>, hwnd: u32) -> Vec<Act> {
    let edit = state(call, hwnd).map_or(0, |c| c.edit);
    let mut acts = sync_edit_later(hwnd);
    if edit != 0 {
        acts.push(Act::Send(edit, edit::EM_SETSEL, 0, u32::MAX));
    }
    acts
}

/// Forwards a message to the list and returns its answer.
fn to_list(call: &mut ApiCall<'_>, list: u32, msg: u32, wp: u32, lp: u32, after: Vec<Act>) -> Step {
    let acts: VecDeque<Act> = [Act::Send(list, msg, wp, lp)].into();
    plan(
        call,
        acts,
        0,
        Box::new(move |call, r| {
            if after.is_empty() {
                return Step::Return(r);
            }
            plan(
                call,
                after.into_iter().collect(),
                0,
                Box::new(move |_, _| Step::Return(r)),
            )
        }),
    )
}

/// The combo box procedure's work.
fn proc_(call: &mut ApiCall<'_>, hwnd: u32, msg: u32, wp: u32, lp: u32) -> Step {
    let Some((style, _parent, _id, wide)) = basics(call, hwnd) else {
        return Step::Return(0);
    };
    let hwnd = wm(call).full_handle(hwnd).unwrap_or(hwnd);
    if msg == crate::wm::WM_NCCREATE {
        call.state.get::<Combos>().0.insert(hwnd, Combo::default());
        return crate::message::default_proc(call, hwnd, msg, wp, lp, wide);
    }
    if msg == crate::wm::WM_NCDESTROY {
        call.state.get::<Combos>().0.remove(&hwnd);
        return crate::message::default_proc(call, hwnd, msg, wp, lp, wide);
    }
    let Some(c) = state(call, hwnd).cloned() else {
        return crate::message::default_proc(call, hwnd, msg, wp, lp, wide);
    };
    let k = kind(style);
    match msg {
        crate::wm::WM_CREATE => create(call, hwnd, style, wide),
        crate::wm::WM_DESTROY => {
            if c.list != 0 && k != CBS_SIMPLE {
                let base = crate::guest::scratch(call);
                return crate::window::destroy(call, c.list, base);
            }
            Step::Return(0)
        }
        crate::paint::WM_PAINT => {
            validate_all(call, hwnd);
            draw(call, hwnd);
            Step::Return(0)
        }
        crate::paint::WM_ERASEBKGND => Step::Return(1),
        WM_SETFONT => {
            if let Some(s) = state(call, hwnd) {
                s.font = wp;
            }
            let mut acts = Vec::new();
            if c.edit != 0 {
                acts.push(Act::Send(c.edit, WM_SETFONT, wp, lp));
            }
            acts.push(Act::Send(c.list, WM_SETFONT, wp, lp));
            acts.push(Act::run(move |call| draw(call, hwnd)));
            finish(call, acts, 0)
        }
        WM_GETFONT => Step::Return(c.font),
        crate::wm::WM_SETFOCUS => {
            if let Some(s) = state(call, hwnd) {
                s.focused = true;
            }
            if c.edit != 0 {
                let acts = take_focus(call, c.edit);
                return finish(call, acts, 0);
            }
            draw(call, hwnd);
            finish(call, vec![notify(hwnd, 0, CBN_SETFOCUS)], 0)
        }
        WM_KILLFOCUS => {
            if let Some(s) = state(call, hwnd) {
                s.focused = false;
            }
            let mut acts = drop_acts(call, hwnd, false);
            draw(call, hwnd);
            if c.edit == 0 {
                acts.push(notify(hwnd, 0, CBN_KILLFOCUS));
            }
            finish(call, acts, 0)
        }
        WM_COMMAND if lp == c.edit && c.edit != 0 => {
            let code = match wp >> 16 {
                edit::EN_CHANGE => CBN_EDITCHANGE,
                edit::EN_UPDATE => CBN_EDITUPDATE,
                edit::EN_SETFOCUS => {
                    if let Some(s) = state(call, hwnd) {
                        s.focused = true;
                    }
                    CBN_SETFOCUS
                }
                edit::EN_KILLFOCUS => {
                    if let Some(s) = state(call, hwnd) {
                        s.focused = false;
                    }
                    let mut acts = drop_acts(call, hwnd, false);
                    acts.push(notify(hwnd, 0, CBN_KILLFOCUS));
                    return finish(call, acts, 0);
                }
                _ => return Step::Return(0),
            };
            finish(call, vec![notify(hwnd, 0, code)], 0)
        }
        WM_COMMAND if lp == c.list => {
            if wp >> 16 == listbox::LBN_SELCHANGE {
                let mut acts = sync_edit(call, hwnd);
                acts.push(Act::run(move |call| draw(call, hwnd)));
                acts.push(notify(hwnd, 0, CBN_SELCHANGE));
                return finish(call, acts, 0);
            }
            Step::Return(0)
        }
        WM_LBUTTONDOWN | WM_LBUTTONDBLCLK => {
            let (x, _) = words(lp);
            let w = wm(call).window(hwnd).map_or(0, |w| w.client.width());
            let on_button = x >= w - 2 - BUTTON;
            let mut acts = Vec::new();
            if k == CBS_DROPDOWNLIST {
                acts.extend(take_focus(call, hwnd));
            }
            if k == CBS_DROPDOWNLIST || on_button {
                acts.extend(drop_acts(call, hwnd, !c.dropped));
            }
            finish(call, acts, 0)
        }
        crate::wm::WM_KEYDOWN => {
            match wp {
                VK_F4 => {
                    let acts = drop_acts(call, hwnd, !c.dropped);
                    return finish(call, acts, 0);
                }
                VK_RETURN | VK_ESCAPE if c.dropped => {
                    let acts = drop_acts(call, hwnd, false);
                    return finish(call, acts, 0);
                }
                VK_UP | VK_DOWN => {}
                _ => return Step::Return(0),
            }
            let (sel, count) = listbox::state(call, c.list)
                .map_or((-1, 0), |lb| (lb.selected, lb.items.len() as i32));
            if count == 0 {
                return Step::Return(0);
            }
            let to = if wp == VK_UP { sel - 1 } else { sel + 1 }.clamp(0, count - 1);
            if to == sel {
                return Step::Return(0);
            }
            let mut acts = vec![Act::Send(c.list, listbox::LB_SETCURSEL, to as u32, 0)];
            if !c.dropped {
                // A closed list's choice ends at once.
                acts.push(notify(hwnd, 0, CBN_SELENDOK));
            }
            acts.extend(sync_edit(call, hwnd));
            acts.push(Act::run(move |call| draw(call, hwnd)));
            acts.push(notify(hwnd, 0, CBN_SELCHANGE));
            finish(call, acts, 0)
        }
        CB_ADDSTRING => to_list(call, c.list, listbox::LB_ADDSTRING, wp, lp, Vec::new()),
        CB_INSERTSTRING => to_list(call, c.list, listbox::LB_INSERTSTRING, wp, lp, Vec::new()),
        CB_DELETESTRING => to_list(call, c.list, listbox::LB_DELETESTRING, wp, lp, Vec::new()),
        CB_GETCOUNT => to_list(call, c.list, listbox::LB_GETCOUNT, wp, lp, Vec::new()),
        CB_GETCURSEL => to_list(call, c.list, listbox::LB_GETCURSEL, wp, lp, Vec::new()),
        CB_GETLBTEXT => to_list(call, c.list, listbox::LB_GETTEXT, wp, lp, Vec::new()),
        CB_GETLBTEXTLEN => to_list(call, c.list, listbox::LB_GETTEXTLEN, wp, lp, Vec::new()),
        CB_FINDSTRING => to_list(call, c.list, listbox::LB_FINDSTRING, wp, lp, Vec::new()),
        CB_FINDSTRINGEXACT => to_list(
            call,
            c.list,
            listbox::LB_FINDSTRINGEXACT,
            wp,
            lp,
            Vec::new(),
        ),
        CB_GETITEMDATA => to_list(call, c.list, listbox::LB_GETITEMDATA, wp, lp, Vec::new()),
        CB_SETITEMDATA => to_list(call, c.list, listbox::LB_SETITEMDATA, wp, lp, Vec::new()),
        CB_GETTOPINDEX => to_list(call, c.list, listbox::LB_GETTOPINDEX, wp, lp, Vec::new()),
        CB_SETTOPINDEX => to_list(call, c.list, listbox::LB_SETTOPINDEX, wp, lp, Vec::new()),
        CB_RESETCONTENT => {
            let mut acts = vec![Act::Send(c.list, listbox::LB_RESETCONTENT, 0, 0)];
            if c.edit != 0 {
                acts.push(Act::Send(c.edit, WM_SETTEXT, 0, 0));
            }
            acts.push(Act::run(move |call| draw(call, hwnd)));
            finish(call, acts, 1)
        }
        CB_SETCURSEL | CB_SELECTSTRING => {
            let lb_msg = if msg == CB_SETCURSEL {
                listbox::LB_SETCURSEL
            } else {
                listbox::LB_SELECTSTRING
            };
            let mut after = sync_edit_later(hwnd);
            if msg == CB_SETCURSEL && wp as i32 == -1 && c.edit != 0 {
                after.push(Act::Send(c.edit, WM_SETTEXT, 0, 0));
            }
            after.push(Act::run(move |call| draw(call, hwnd)));
            to_list(call, c.list, lb_msg, wp, lp, after)
        }
        CB_SHOWDROPDOWN => {
            // The list's click closes it with lParam 1: a pick.
            let acts = if wp != 0 {
                drop_acts(call, hwnd, true)
            } else {
                close_acts(call, hwnd, lp == 1)
            };
            finish(call, acts, 1)
        }
        CB_GETDROPPEDSTATE => Step::Return(u32::from(c.dropped)),
        CB_GETDROPPEDCONTROLRECT => {
            let r = drop_rect(call, hwnd, &c);
            Step::Return(u32::from(call.write_bytes(lp, &r.to_bytes()).is_ok()))
        }
        CB_GETITEMHEIGHT => {
            if wp as i32 == -1 {
                return Step::Return((c.field - 6) as u32);
            }
            to_list(call, c.list, listbox::LB_GETITEMHEIGHT, wp, lp, Vec::new())
        }
        CB_SETITEMHEIGHT => {
            if wp as i32 == -1 {
                let h = (lp & 0xFFFF) as i32;
                if h == 0 || h > 255 {
                    return Step::Return(LB_ERR);
                }
                if let Some(s) = state(call, hwnd) {
                    s.field = h + 6;
                }
                if k != CBS_SIMPLE
                    && let Some(w) = wm(call).window_mut(hwnd)
                {
                    w.rect.bottom = w.rect.top + h + 6;
                    w.client.bottom = w.client.top + h + 6;
                }
                draw(call, hwnd);
                return Step::Return(0);
            }
            to_list(call, c.list, listbox::LB_SETITEMHEIGHT, wp, lp, Vec::new())
        }
        CB_SETEXTENDEDUI => {
            if let Some(s) = state(call, hwnd) {
                s.extended_ui = wp != 0;
            }
            Step::Return(0)
        }
        CB_GETEXTENDEDUI => Step::Return(u32::from(c.extended_ui)),
        CB_GETEDITSEL => {
            if c.edit == 0 {
                return Step::Return(LB_ERR);
            }
            let acts: VecDeque<Act> = [Act::Send(c.edit, edit::EM_GETSEL, wp, lp)].into();
            plan(call, acts, 0, Box::new(|_, r| Step::Return(r)))
        }
        CB_SETEDITSEL => {
            if c.edit == 0 {
                return Step::Return(LB_ERR);
            }
            let (a, b) = words(lp);
            let acts = vec![Act::Send(c.edit, edit::EM_SETSEL, a as u32, b as u32)];
            finish(call, acts, 1)
        }
        CB_LIMITTEXT => {
            // The edit's answer (EM_LIMITTEXT's 0); TRUE without an edit.
            if c.edit == 0 {
                return Step::Return(1);
            }
            let acts: VecDeque<Act> = [Act::Send(c.edit, edit::EM_LIMITTEXT, wp, 0)].into();
            plan(call, acts, 0, Box::new(|_, r| Step::Return(r)))
        }
        CB_DIR => Step::Return(LB_ERR),
        WM_GETTEXT | WM_GETTEXTLENGTH | WM_SETTEXT if c.edit != 0 => {
            let acts: VecDeque<Act> = [Act::Send(c.edit, msg, wp, lp)].into();
            plan(call, acts, 0, Box::new(|_, r| Step::Return(r)))
        }
        WM_GETTEXT | WM_GETTEXTLENGTH => {
            let text = listbox::state(call, c.list)
                .and_then(|lb| {
                    usize::try_from(lb.selected)
                        .ok()
                        .and_then(|i| lb.items.get(i).map(|it| it.text.clone()))
                })
                .unwrap_or_default();
            if msg == WM_GETTEXTLENGTH {
                return Step::Return(len_in(&text, wide));
            }
            if wp == 0 {
                return Step::Return(0);
            }
            Step::Return(crate::wm::copy_text(call, lp, wp, &text, wide).unwrap_or(0))
        }
        WM_SETTEXT => {
            // A drop-down list selects the item with that text.
            let text = read_str(call, lp, wide).unwrap_or_default();
            let found = listbox::state(call, c.list).and_then(|lb| {
                lb.items
                    .iter()
                    .position(|it| compare_nocase(&it.text, &text) == std::cmp::Ordering::Equal)
            });
            match found {
                Some(i) => {
                    let acts = vec![
                        Act::Send(c.list, listbox::LB_SETCURSEL, i as u32, 0),
                        Act::run(move |call| draw(call, hwnd)),
                    ];
                    finish(call, acts, 1)
                }
                None => Step::Return(LB_ERR),
            }
        }
        WM_GETDLGCODE => Step::Return(0x1 | 0x80),
        _ => crate::message::default_proc(call, hwnd, msg, wp, lp, wide),
    }
}

/// [`sync_edit`] made when its turn comes (after the list changed).
fn sync_edit_later(hwnd: u32) -> Vec<Act> {
    vec![Act::SendWith(Box::new(move |call| {
        // The edit shows the list's chosen item (sent as WM_SETTEXT).
        let c = state(call, hwnd)?.clone();
        if c.edit == 0 {
            return None;
        }
        let lb = listbox::state(call, c.list)?.clone();
        let text = usize::try_from(lb.selected)
            .ok()
            .and_then(|i| lb.items.get(i).map(|it| it.text.clone()))?;
        let wide = wm(call).window(c.edit).is_some_and(|w| w.unicode);
        let at = crate::guest::scratch(call) + crate::window::TEXT_OFF;
        call.write_bytes(at, &crate::wm::encode_text(&text, wide))
            .ok()?;
        Some((c.edit, WM_SETTEXT, 0, at))
    }))]
}

/// WM_CREATE: sizes the field and makes the list and edit.
fn create(call: &mut ApiCall<'_>, hwnd: u32, style: u32, wide: bool) -> Step {
    let k = kind(style);
    let item_h = font(call, 0).metrics().height;
    let field = item_h + 8;
    let Some(w) = wm(call).window(hwnd).cloned() else {
        return Step::Return(u32::MAX);
    };
    let (width, height) = (w.client.width(), w.client.height());
    if let Some(s) = state(call, hwnd) {
        s.field = field;
        s.list_height = (height - field).max(item_h + 2);
    }
    if k != CBS_SIMPLE
        && let Some(w) = wm(call).window_mut(hwnd)
    {
        w.rect.bottom = w.rect.top + field;
        w.client.bottom = w.client.top + field;
    }
    let mut list_style = listbox::LBS_NOTIFY | WS_BORDER | WS_VSCROLL;
    if style & CBS_SORT != 0 {
        list_style |= listbox::LBS_SORT;
    }
    if style & CBS_HASSTRINGS != 0 {
        list_style |= listbox::LBS_HASSTRINGS;
    }
    if style & CBS_OWNERDRAWFIXED != 0 {
        list_style |= listbox::LBS_OWNERDRAWFIXED;
    }
    if style & CBS_NOINTEGRALHEIGHT != 0 {
        list_style |= listbox::LBS_NOINTEGRALHEIGHT;
    }
    if style & CBS_DISABLENOSCROLL != 0 {
        list_style |= listbox::LBS_DISABLENOSCROLL;
    }
    let (list_xywh, list_parent, ex) = if k == CBS_SIMPLE {
        list_style |= WS_CHILD | WS_VISIBLE;
        (
            [
                0,
                field as u32,
                width as u32,
                (height - field).max(0) as u32,
            ],
            hwnd,
            0,
        )
    } else {
        list_style |= WS_POPUP;
        let r = wm(call).screen_rects(hwnd).map_or(Rect::default(), |r| r.0);
        (
            [
                r.left as u32,
                (r.top + field) as u32,
                width as u32,
                (height - field).max(item_h + 2) as u32,
            ],
            hwnd,
            WS_EX_TOOLWINDOW,
        )
    };
    let lbox_atom = class_atom(call, "ComboLBox");
    let edit_atom = class_atom(call, "Edit");
    let instance = w.instance;
    // lpCreateParams tells the list its combo box: a word in the scratch area.
    let param_at = crate::guest::scratch(call) + crate::window::TEXT_OFF;
    let _ = call.write_u32(param_at, hwnd);
    let list_menu = if k == CBS_SIMPLE { LIST_ID } else { 0 };
    let make_edit = k != CBS_DROPDOWNLIST;
    let mut edit_style = WS_CHILD | WS_VISIBLE;
    if style & CBS_AUTOHSCROLL != 0 {
        edit_style |= edit::ES_AUTOHSCROLL;
    }
    if style & CBS_UPPERCASE != 0 {
        edit_style |= edit::ES_UPPERCASE;
    }
    if style & CBS_LOWERCASE != 0 {
        edit_style |= edit::ES_LOWERCASE;
    }
    let edit_xywh = if k == CBS_SIMPLE {
        [3, 3, (width - 6).max(0) as u32, (field - 6) as u32]
    } else {
        [
            4,
            3,
            (width - 4 - 3 - BUTTON).max(0) as u32,
            (field - 6) as u32,
        ]
    };
    crate::window::create_then(
        call,
        ex,
        lbox_atom,
        0,
        list_style,
        list_xywh,
        list_parent,
        list_menu,
        instance,
        param_at,
        wide,
        Some(Box::new(move |call, list| {
            if let Some(s) = state(call, hwnd) {
                s.list = list;
            }
            if let Some(lb) = listbox::state(call, list) {
                lb.combo = hwnd;
            }
            if !make_edit {
                return Step::Return(0);
            }
            crate::window::create_then(
                call,
                0,
                edit_atom,
                0,
                edit_style,
                edit_xywh,
                hwnd,
                EDIT_ID,
                instance,
                0,
                wide,
                Some(Box::new(move |call, edit| {
                    if let Some(s) = state(call, hwnd) {
                        s.edit = edit;
                    }
                    Step::Return(0)
                })),
            )
        })),
    )
}

/// LRESULT ComboBoxWndProc(HWND, UINT, WPARAM, LPARAM): the ComboBox class's procedure
/// (NT keeps it inside USER32; ntemu exports it under this name for the class table).
#[export]
fn ComboBoxWndProc(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    uMsg: u32,
    wParam: u32,
    lParam: u32,
) -> ApiReturn {
    let step = proc_(call, hWnd, uMsg, wParam, lParam);
    run(call, 4, step)
}
