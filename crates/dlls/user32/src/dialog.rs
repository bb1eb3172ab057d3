//! The dialog manager: dialogs from DLGTEMPLATE and DLGTEMPLATEEX templates
//! (DialogBoxParamA/W, DialogBoxIndirectParamA/W, CreateDialogParamA/W,
//! CreateDialogIndirectParamA/W), the modal loop, IsDialogMessage's keyboard interface,
//! DefDlgProcA/W, EndDialog, dialog base units and the Get/Set/SendDlgItem helpers.
//!
//! A dialog is made as NT's CreateDialogIndirectParam makes it: the template's font
//! (DS_SETFONT) is created and gives the dialog's base units; the dialog window is created
//! with the client size the template gives in dialog units (the frame added as
//! AdjustWindowRectEx adds it), placed relative to its owner's client area (DS_ABSALIGN: the
//! screen; DS_CENTER: centred on the screen); DWL_DLGPROC is set, WM_SETFONT goes to the
//! dialog, each control is created (WS_CHILD added, class ordinals 0x80-0x85 naming the
//! system classes, the creation data as lpCreateParams) and gets WM_SETFONT; then
//! WM_INITDIALOG with the first WS_TABSTOP control, which gets the focus when the dialog
//! procedure returns TRUE; a WS_VISIBLE dialog is shown.
//!
//! The modal loop runs inside DialogBoxParam on the guest thread: the function takes one
//! message at a time (as GetMessage does, waiting on the thread's queue without holding the
//! scheduler), gives it to IsDialogMessage's handling and dispatches it, and runs again until
//! EndDialog was called; the owner is disabled meanwhile. Menus in templates are not loaded.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use nt_status::Win32Error;
use pe_image::resources::ResourceId;
use win32::{ApiCall, ApiReturn, Ptr, export};
use win32k::geometry::{self, Rect};
use win32k::queue::Message;

use crate::guest::{Step, Then, entry_stack, run, scratch};
use crate::wm::*;

/// WM_GETDLGCODE.
pub const WM_GETDLGCODE: u32 = 0x0087;
/// WM_SETFONT.
pub const WM_SETFONT: u32 = 0x0030;
/// WM_GETFONT.
pub const WM_GETFONT: u32 = 0x0031;
/// WM_INITDIALOG.
pub const WM_INITDIALOG: u32 = 0x0110;
/// WM_COMMAND.
pub const WM_COMMAND: u32 = 0x0111;
/// WM_NEXTDLGCTL.
pub const WM_NEXTDLGCTL: u32 = 0x0028;
/// WM_KILLFOCUS.
pub const WM_KILLFOCUS: u32 = 0x0008;
/// WM_CTLCOLORMSGBOX, the first WM_CTLCOLOR* message.
pub const WM_CTLCOLORMSGBOX: u32 = 0x0132;
/// WM_CTLCOLOREDIT.
pub const WM_CTLCOLOREDIT: u32 = 0x0133;
/// WM_CTLCOLORLISTBOX.
pub const WM_CTLCOLORLISTBOX: u32 = 0x0134;
/// WM_CTLCOLORBTN.
pub const WM_CTLCOLORBTN: u32 = 0x0135;
/// WM_CTLCOLORDLG.
pub const WM_CTLCOLORDLG: u32 = 0x0136;
/// WM_CTLCOLORSCROLLBAR.
pub const WM_CTLCOLORSCROLLBAR: u32 = 0x0137;
/// WM_CTLCOLORSTATIC.
pub const WM_CTLCOLORSTATIC: u32 = 0x0138;
/// DM_GETDEFID.
pub const DM_GETDEFID: u32 = 0x0400;
/// DM_SETDEFID.
pub const DM_SETDEFID: u32 = 0x0401;
/// DC_HASDEFID, DM_GETDEFID's high word.
pub const DC_HASDEFID: u32 = 0x534B;

/// DLGC_WANTARROWS.
pub const DLGC_WANTARROWS: u32 = 0x0001;
/// DLGC_WANTTAB.
pub const DLGC_WANTTAB: u32 = 0x0002;
/// DLGC_WANTALLKEYS.
pub const DLGC_WANTALLKEYS: u32 = 0x0004;
/// DLGC_WANTMESSAGE.
pub const DLGC_WANTMESSAGE: u32 = 0x0004;
/// DLGC_HASSETSEL.
pub const DLGC_HASSETSEL: u32 = 0x0008;
/// DLGC_DEFPUSHBUTTON.
pub const DLGC_DEFPUSHBUTTON: u32 = 0x0010;
/// DLGC_UNDEFPUSHBUTTON.
pub const DLGC_UNDEFPUSHBUTTON: u32 = 0x0020;
/// DLGC_RADIOBUTTON.
pub const DLGC_RADIOBUTTON: u32 = 0x0040;
/// DLGC_WANTCHARS.
pub const DLGC_WANTCHARS: u32 = 0x0080;
/// DLGC_STATIC.
pub const DLGC_STATIC: u32 = 0x0100;
/// DLGC_BUTTON.
pub const DLGC_BUTTON: u32 = 0x2000;

/// BM_CLICK.
const BM_CLICK: u32 = 0x00F5;
/// BM_GETCHECK.
const BM_GETCHECK: u32 = 0x00F0;
/// BM_SETCHECK.
const BM_SETCHECK: u32 = 0x00F1;
/// BM_SETSTYLE.
const BM_SETSTYLE: u32 = 0x00F4;
/// EM_SETSEL.
const EM_SETSEL: u32 = 0x00B1;

/// WS_TABSTOP.
const WS_TABSTOP: u32 = 0x0001_0000;
/// WS_GROUP.
const WS_GROUP: u32 = 0x0002_0000;
/// WS_VISIBLE.
const WS_VISIBLE: u32 = win32k::WS_VISIBLE;
/// WS_DISABLED.
const WS_DISABLED: u32 = win32k::WS_DISABLED;
/// WS_CHILD.
const WS_CHILD: u32 = win32k::WS_CHILD;
/// DS_ABSALIGN.
const DS_ABSALIGN: u32 = 0x01;
/// DS_SETFONT.
const DS_SETFONT: u32 = 0x40;
/// DS_MODALFRAME.
const DS_MODALFRAME: u32 = 0x80;
/// DS_NOFAILCREATE.
const DS_NOFAILCREATE: u32 = 0x10;
/// DS_CONTROL.
const DS_CONTROL: u32 = 0x400;
/// DS_CENTER.
const DS_CENTER: u32 = 0x800;
/// WS_EX_DLGMODALFRAME.
const WS_EX_DLGMODALFRAME: u32 = 0x0001;
/// WS_EX_NOPARENTNOTIFY.
const WS_EX_NOPARENTNOTIFY: u32 = 0x0004;
/// WS_EX_CONTROLPARENT.
const WS_EX_CONTROLPARENT: u32 = 0x0001_0000;

/// IDOK.
const IDOK: u32 = 1;
/// IDCANCEL.
const IDCANCEL: u32 = 2;

/// VK_TAB, VK_RETURN, VK_ESCAPE, VK_LEFT..VK_DOWN, VK_SHIFT, VK_EXECUTE.
const VK_TAB: u32 = 0x09;
const VK_RETURN: u32 = 0x0D;
const VK_SHIFT: u32 = 0x10;
const VK_ESCAPE: u32 = 0x1B;
const VK_LEFT: u32 = 0x25;
const VK_UP: u32 = 0x26;
const VK_RIGHT: u32 = 0x27;
const VK_DOWN: u32 = 0x28;
const VK_EXECUTE: u32 = 0x2B;

/// RT_DIALOG.
const RT_DIALOG: u16 = 5;

/// DWL_MSGRESULT, DWL_DLGPROC and DWL_USER: offsets in a dialog's extra bytes.
const DWL_MSGRESULT: usize = 0;
const DWL_DLGPROC: usize = 4;

/// The most bytes of a template read.
const MAX_TEMPLATE: usize = 0x1_0000;

// ---- templates -------------------------------------------------------------------------

/// A name or ordinal field of a template (sz_Or_Ord).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameOrId {
    /// 0x0000: none.
    None,
    /// 0xFFFF and a number.
    Id(u16),
    /// A string, with the guest address of its first character.
    Name(String, u32),
}

/// A control of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// Its style (WS_CHILD is added at creation).
    pub style: u32,
    /// Its extended style.
    pub ex_style: u32,
    /// Its rectangle in dialog units: x, y, cx, cy.
    pub rect: [i16; 4],
    /// Its control id.
    pub id: u32,
    /// Its class.
    pub class: NameOrId,
    /// Its text.
    pub title: NameOrId,
    /// The guest address of its creation data (its size word), 0 for none.
    pub data: u32,
}

/// A dialog template, DLGTEMPLATE or DLGTEMPLATEEX.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    /// The dialog's style.
    pub style: u32,
    /// Its extended style.
    pub ex_style: u32,
    /// Its rectangle in dialog units.
    pub rect: [i16; 4],
    /// Its menu.
    pub menu: NameOrId,
    /// Its class (None: the dialog class).
    pub class: NameOrId,
    /// Its caption.
    pub title: NameOrId,
    /// DS_SETFONT's font: point size, weight, italic, charset, face.
    pub font: Option<(u16, u16, bool, u8, String)>,
    /// The controls.
    pub items: Vec<Item>,
}

/// Reads template bytes at `address`, `base` the guest address of `bytes[0]`.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    base: u32,
}

impl Reader<'_> {
    fn u8(&mut self) -> Option<u8> {
        let v = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(v)
    }
    fn u16(&mut self) -> Option<u16> {
        let b = self.bytes.get(self.at..self.at + 2)?;
        self.at += 2;
        Some(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Option<u32> {
        let lo = self.u16()?;
        let hi = self.u16()?;
        Some(u32::from(lo) | (u32::from(hi) << 16))
    }
    fn rect(&mut self) -> Option<[i16; 4]> {
        Some([
            self.u16()? as i16,
            self.u16()? as i16,
            self.u16()? as i16,
            self.u16()? as i16,
        ])
    }
    fn string(&mut self) -> Option<(String, u32)> {
        let address = self.base.wrapping_add(self.at as u32);
        let mut units = Vec::new();
        loop {
            match self.u16()? {
                0 => break,
                u => units.push(u),
            }
        }
        Some((String::from_utf16_lossy(&units), address))
    }
    fn name_or_id(&mut self) -> Option<NameOrId> {
        let first = self.bytes.get(self.at..self.at + 2)?;
        match u16::from_le_bytes([first[0], first[1]]) {
            0 => {
                self.at += 2;
                Some(NameOrId::None)
            }
            0xFFFF => {
                self.at += 2;
                Some(NameOrId::Id(self.u16()?))
            }
            _ => {
                let (s, a) = self.string()?;
                Some(NameOrId::Name(s, a))
            }
        }
    }
    fn align(&mut self, n: usize) {
        let address = self.base as usize + self.at;
        self.at += (n - address % n) % n;
    }
}

/// Parses a DLGTEMPLATE or DLGTEMPLATEEX (`bytes` at guest address `base`). None when it
/// is cut short.
pub fn parse_template(bytes: &[u8], base: u32) -> Option<Template> {
    let mut r = Reader { bytes, at: 0, base };
    let ex = bytes.get(0..4) == Some(&[1, 0, 0xFF, 0xFF]);
    let (style, ex_style, count, rect);
    if ex {
        r.at = 8; // dlgVer, signature, helpID
        ex_style = r.u32()?;
        style = r.u32()?;
        count = r.u16()?;
        rect = r.rect()?;
    } else {
        style = r.u32()?;
        ex_style = r.u32()?;
        count = r.u16()?;
        rect = r.rect()?;
    }
    let menu = r.name_or_id()?;
    let class = r.name_or_id()?;
    let title = r.name_or_id()?;
    let font = if style & DS_SETFONT != 0 {
        let size = r.u16()?;
        let (weight, italic, charset) = if ex {
            (r.u16()?, r.u8()? != 0, r.u8()?)
        } else {
            (400, false, 1)
        };
        Some((size, weight, italic, charset, r.string()?.0))
    } else {
        None
    };
    let mut items = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        r.align(4);
        let (style, ex_style, rect, id);
        if ex {
            let _help = r.u32()?;
            ex_style = r.u32()?;
            style = r.u32()?;
            rect = r.rect()?;
            id = r.u32()?;
        } else {
            style = r.u32()?;
            ex_style = r.u32()?;
            rect = r.rect()?;
            id = u32::from(r.u16()?);
        }
        let class = r.name_or_id()?;
        let title = r.name_or_id()?;
        let data_at = r.base.wrapping_add(r.at as u32);
        let extra = r.u16()?;
        let data = if extra == 0 { 0 } else { data_at };
        r.at += usize::from(extra);
        if r.at > bytes.len() {
            return None;
        }
        items.push(Item {
            style,
            ex_style,
            rect,
            id,
            class,
            title,
            data,
        });
    }
    Some(Template {
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

/// Reads up to [`MAX_TEMPLATE`] bytes at `address` (fewer where the memory ends).
fn read_template_bytes(call: &ApiCall<'_>, address: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut at = address;
    while out.len() < MAX_TEMPLATE {
        let chunk = (0x1000 - (at & 0xFFF)) as usize;
        match call.read_bytes(at, chunk) {
            Ok(b) => out.extend(b),
            Err(_) => break,
        }
        at = at.wrapping_add(chunk as u32);
    }
    out
}

// ---- base units --------------------------------------------------------------------------

/// The base units of a font: the average width of the alphabet's letters (rounded as
/// NT's GdiGetCharDimensions does) and the font's height.
pub fn font_base_units(font: &win32k::font::Font) -> (i32, i32) {
    let alphabet: Vec<u16> = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        .encode_utf16()
        .collect();
    let (w, _) = font.text_extent(&alphabet);
    ((w / 26 + 1) / 2, font.metrics().height)
}

/// The base units of the System font (GetDialogBaseUnits).
pub fn system_base_units() -> (i32, i32) {
    let font = win32k::font::Font::realize(&win32k::font::StockFont::System.logfont());
    font_base_units(&font)
}

/// Dialog units to pixels (MulDiv: x * cx / 4, y * cy / 8, rounded).
pub fn map_units(r: [i32; 4], units: (i32, i32)) -> [i32; 4] {
    let md = |v: i32, m: i32, d: i32| -> i32 {
        let p = i64::from(v) * i64::from(m);
        let d = i64::from(d);
        (if p >= 0 {
            (p + d / 2) / d
        } else {
            (p - d / 2) / d
        }) as i32
    };
    [
        md(r[0], units.0, 4),
        md(r[1], units.1, 8),
        md(r[2], units.0, 4),
        md(r[3], units.1, 8),
    ]
}

// ---- dialog state ----------------------------------------------------------------------

/// What the dialog manager keeps of one dialog.
#[derive(Clone, Debug, Default)]
pub struct DialogInfo {
    /// The font the template gave (0: the system font).
    pub font: u32,
    /// Whether the dialog created the font (and deletes it).
    pub own_font: bool,
    /// Its base units.
    pub units: (i32, i32),
    /// EndDialog's result.
    pub result: u32,
    /// EndDialog was called.
    pub ended: bool,
    /// The id of the default button (0: none).
    pub def_id: u32,
    /// The control that had the focus last.
    pub focus: u32,
    /// A message box: its buttons end it.
    pub message_box: bool,
}

/// The dialogs of the machine and the modal loops running.
#[derive(Default)]
struct Dialogs {
    by_hwnd: BTreeMap<u32, DialogInfo>,
    /// Modal loops by (process, thread, entry stack): the dialog (0 while it is made) and
    /// its owner.
    loops: BTreeMap<(u32, u32, u32), (u32, u32)>,
}

fn dialogs<'a>(call: &'a mut ApiCall<'_>) -> &'a mut Dialogs {
    call.state.get::<Dialogs>()
}

/// The dialog manager's record of dialog `hwnd`.
pub fn info(call: &mut ApiCall<'_>, hwnd: u32) -> Option<DialogInfo> {
    let h = wm(call).full_handle(hwnd)?;
    dialogs(call).by_hwnd.get(&h).cloned()
}

/// Marks dialog `hwnd` as a message box (its buttons end it with their ids).
pub fn set_message_box(call: &mut ApiCall<'_>, hwnd: u32) {
    if let Some(d) = dialogs(call).by_hwnd.get_mut(&hwnd) {
        d.message_box = true;
    }
}

// ---- steps -----------------------------------------------------------------------------

/// Runs `step`, then `then` with the value it returns (a step that runs its function
/// again, [`Step::Again`] or [`Step::Wait`], is kept as it is).
pub fn chain(call: &mut ApiCall<'_>, step: Step, then: Then) -> Step {
    match step {
        Step::Return(v) => then(call, v),
        Step::Call {
            function,
            args,
            then: inner,
        } => Step::Call {
            function,
            args,
            then: Box::new(move |call, r| {
                let next = inner(call, r);
                chain(call, next, then)
            }),
        },
        other => other,
    }
}

/// Sends a message to a window of the calling thread (wide text), then `then`.
pub fn send(call: &mut ApiCall<'_>, hwnd: u32, msg: u32, wp: u32, lp: u32, then: Then) -> Step {
    let base = scratch(call);
    crate::message::send_message(call, base, true, hwnd, msg, wp, lp, then)
}

/// What moving the focus to `new` sends: WM_KILLFOCUS to the window that had it,
/// WM_SETFOCUS to `new`; a dialog remembers its control that has it.
pub fn focus_acts(call: &mut ApiCall<'_>, new: u32) -> VecDeque<Act> {
    let new = wm(call).full_handle(new).unwrap_or(0);
    let old = wm(call).focus;
    let mut acts = VecDeque::new();
    if old == new {
        return acts;
    }
    if old != 0 && wm(call).window(old).is_some() {
        acts.push_back(Act::Send(old, WM_KILLFOCUS, new, 0));
    }
    acts.push_back(Act::run(move |call| {
        wm(call).focus = new;
        if let Some(parent) = wm(call).window(new).map(|w| w.parent)
            && let Some(d) = dialogs(call).by_hwnd.get_mut(&parent)
        {
            d.focus = new;
        }
    }));
    if new != 0 {
        acts.push_back(Act::Send(new, WM_SETFOCUS, old, 0));
    }
    acts
}

/// The focus moving to a dialog's control as the dialog manager moves it: an edit control
/// gets its text selected.
fn dialog_focus_acts(call: &mut ApiCall<'_>, new: u32) -> VecDeque<Act> {
    let mut acts = focus_acts(call, new);
    acts.push_back(Act::send_with(move |call| {
        let code_wants_sel = is_class(call, new, "Edit");
        code_wants_sel.then_some((new, EM_SETSEL, 0, u32::MAX))
    }));
    acts
}

/// Whether `hwnd` is of the system class `name`.
pub fn is_class(call: &mut ApiCall<'_>, hwnd: u32, name: &str) -> bool {
    let Some(ci) = wm(call).window(hwnd).map(|w| w.class) else {
        return false;
    };
    wm(call)
        .class(ci)
        .is_some_and(|c| c.name.eq_ignore_ascii_case(name))
}

/// The atom of system class `name`.
fn class_atom(call: &mut ApiCall<'_>, name: &str) -> u32 {
    crate::class::ensure_system_classes(call);
    let process = call.thread.process;
    let m = wm(call);
    m.find_class(process, 0, &win32k::ClassName::Name(name.into()))
        .and_then(|i| m.class(i))
        .map_or(0, |c| u32::from(c.atom))
}

// ---- creation --------------------------------------------------------------------------

/// A font of a template: (point size, weight, italic, charset, face) as a GDI font, and its
/// base units.
fn template_font(call: &mut ApiCall<'_>, f: &(u16, u16, bool, u8, String)) -> (u32, (i32, i32)) {
    let (size, weight, italic, charset, face) = f;
    let height = -((i32::from(*size) * 96 + 36) / 72);
    let weight = if *weight == 0 {
        400
    } else {
        i32::from(*weight)
    };
    let mut lf = win32k::gdi::LogFont::new(height, 0, weight, *charset, 0, face);
    lf.italic = u8::from(*italic);
    let realized = win32k::font::Font::realize(&lf.to_font());
    let units = font_base_units(&realized);
    let handle = wm(call).gdi.insert(win32k::gdi::Object::Font(lf));
    (handle, units)
}

/// Makes a dialog from the template at `address` (see the module documentation); the step
/// ends with the dialog's handle, 0 when it could not be made.
#[allow(clippy::too_many_arguments)]
pub fn create_dialog(
    call: &mut ApiCall<'_>,
    instance: u32,
    address: u32,
    owner: u32,
    dlgproc: u32,
    param: u32,
    wide: bool,
    visible_now: bool,
) -> Step {
    let bytes = read_template_bytes(call, address);
    let Some(t) = parse_template(&bytes, address) else {
        call.set_last_error(Win32Error::INVALID_PARAMETER.0);
        return Step::Return(0);
    };
    let instance = crate::class::instance_of(call, instance);
    let (font, units) = match &t.font {
        Some(f) => template_font(call, f),
        None => (0, system_base_units()),
    };
    let [x, y, cx, cy] = map_units(t.rect.map(i32::from), units);
    let mut style = t.style;
    let mut ex_style = t.ex_style;
    if style & DS_MODALFRAME != 0 {
        ex_style |= WS_EX_DLGMODALFRAME;
    }
    if style & DS_CONTROL != 0 {
        style &= !(0x00C0_0000 | 0x0008_0000); // no caption, no system menu
        ex_style |= WS_EX_CONTROLPARENT;
    }
    let menu = !matches!(t.menu, NameOrId::None);
    let (l, tp, r, b) = geometry::frame(style, ex_style, menu && style & WS_CHILD == 0);
    let (w, h) = (cx + l + r, cy + tp + b);
    let (mut px, mut py) = (x - l, y - tp);
    if style & WS_CHILD == 0 {
        if style & DS_CENTER != 0 {
            let screen = wm(call).screen_size();
            px = (screen.0 - w) / 2;
            py = (screen.1 - h) / 2;
        } else if style & DS_ABSALIGN == 0 && owner != 0 {
            let (ox, oy) = wm(call).client_origin(owner);
            px += ox;
            py += oy;
        }
        // The dialog is kept on the screen.
        let screen = wm(call).screen_size();
        px = px.min(screen.0 - w).max(0);
        py = py.min(screen.1 - h).max(0);
    }
    let class_arg = match &t.class {
        NameOrId::None => 32770,
        NameOrId::Id(n) => u32::from(*n),
        NameOrId::Name(_, a) => *a,
    };
    let title_arg = match &t.title {
        NameOrId::Name(_, a) => *a,
        _ => 0,
    };
    let dialog_class = matches!(t.class, NameOrId::None);
    let step = crate::window::create(
        call,
        ex_style,
        class_arg,
        title_arg,
        style & !WS_VISIBLE,
        [px as u32, py as u32, w as u32, h as u32],
        owner,
        0,
        instance,
        param,
        true,
    );
    let items = t.items.clone();
    chain(
        call,
        step,
        Box::new(move |call, hwnd| {
            if hwnd == 0 {
                if font != 0 {
                    wm(call).gdi.delete_object(font);
                }
                return Step::Return(0);
            }
            if dialog_class && !wide {
                let a = call.builtins.implemented("USER32.dll", "DefDlgProcA");
                if let Some(win) = wm(call).window_mut(hwnd) {
                    win.unicode = false;
                    if let Some(a) = a {
                        win.wndproc = a;
                    }
                }
            }
            if let Some(win) = wm(call).window_mut(hwnd)
                && win.extra.len() >= 12
            {
                win.extra[DWL_DLGPROC..DWL_DLGPROC + 4].copy_from_slice(&dlgproc.to_le_bytes());
            }
            dialogs(call).by_hwnd.insert(
                hwnd,
                DialogInfo {
                    font,
                    own_font: font != 0,
                    units,
                    ..DialogInfo::default()
                },
            );
            let mut acts = VecDeque::new();
            if font != 0 {
                acts.push_back(Act::Send(hwnd, WM_SETFONT, font, 0));
            }
            let fail_all = style & DS_NOFAILCREATE == 0;
            let step = plan(call, acts, 0, returning(0));
            chain(
                call,
                step,
                Box::new(move |call, _| {
                    create_items(
                        call,
                        hwnd,
                        instance,
                        items,
                        0,
                        fail_all,
                        param,
                        style,
                        visible_now,
                    )
                }),
            )
        }),
    )
}

/// Creates the template's controls from `index` on, then sends WM_INITDIALOG.
#[allow(clippy::too_many_arguments)]
fn create_items(
    call: &mut ApiCall<'_>,
    hwnd: u32,
    instance: u32,
    items: Vec<Item>,
    index: usize,
    fail_all: bool,
    param: u32,
    style: u32,
    visible_now: bool,
) -> Step {
    let Some(item) = items.get(index).cloned() else {
        return init_dialog(call, hwnd, param, style, visible_now);
    };
    let Some(d) = dialogs(call).by_hwnd.get(&hwnd).cloned() else {
        return Step::Return(0);
    };
    let [x, y, cx, cy] = map_units(item.rect.map(i32::from), d.units);
    const NAMES: [&str; 6] = [
        "Button",
        "Edit",
        "Static",
        "ListBox",
        "ScrollBar",
        "ComboBox",
    ];
    let class_arg = match &item.class {
        NameOrId::Id(n) if (0x80..=0x85).contains(n) => {
            class_atom(call, NAMES[usize::from(*n - 0x80)])
        }
        NameOrId::Id(n) => u32::from(*n),
        NameOrId::Name(_, a) => *a,
        NameOrId::None => 0,
    };
    let title_arg = match &item.title {
        NameOrId::Name(_, a) => *a,
        _ => 0,
    };
    let icon_id = match &item.title {
        NameOrId::Id(n) => Some(u32::from(*n)),
        _ => None,
    };
    let step = crate::window::create(
        call,
        item.ex_style | WS_EX_NOPARENTNOTIFY,
        class_arg,
        title_arg,
        item.style | WS_CHILD,
        [x as u32, y as u32, cx as u32, cy as u32],
        hwnd,
        item.id,
        instance,
        item.data,
        true,
    );
    chain(
        call,
        step,
        Box::new(move |call, child| {
            if child == 0 {
                if fail_all {
                    let base = scratch(call);
                    return crate::window::destroy(call, hwnd, base);
                }
                return create_items(
                    call,
                    hwnd,
                    instance,
                    items,
                    index + 1,
                    fail_all,
                    param,
                    style,
                    visible_now,
                );
            }
            if item.style & 0xF == 1
                && is_class(call, child, "Button")
                && let Some(d) = dialogs(call).by_hwnd.get_mut(&hwnd)
                && d.def_id == 0
            {
                d.def_id = item.id;
            }
            let mut acts = VecDeque::new();
            if d.font != 0 {
                acts.push_back(Act::Send(child, WM_SETFONT, d.font, 0));
            }
            if let Some(id) = icon_id
                && is_class(call, child, "Static")
                && let ApiReturn::Value(icon) = crate::cursor::load(call, instance, id, true, true)
            {
                acts.push_back(Act::Send(child, crate::static_ctl::STM_SETICON, icon, 0));
            }
            let step = plan(call, acts, 0, returning(0));
            chain(
                call,
                step,
                Box::new(move |call, _| {
                    create_items(
                        call,
                        hwnd,
                        instance,
                        items,
                        index + 1,
                        fail_all,
                        param,
                        style,
                        visible_now,
                    )
                }),
            )
        }),
    )
}

/// WM_INITDIALOG and the focus, then the dialog shown when it is WS_VISIBLE (or
/// `visible_now`); the step ends with the dialog.
fn init_dialog(
    call: &mut ApiCall<'_>,
    hwnd: u32,
    param: u32,
    style: u32,
    visible_now: bool,
) -> Step {
    let first = next_tab_item(call, hwnd, 0, false);
    let acts: VecDeque<Act> = [
        Act::Send(hwnd, WM_INITDIALOG, first, param),
        Act::check(move |call, r| {
            if wm(call).window(hwnd).is_none() {
                return Some(Step::Return(0));
            }
            let mut acts = VecDeque::new();
            if r != 0 && first != 0 {
                acts.extend(dialog_focus_acts(call, first));
            }
            if style & WS_VISIBLE != 0 || visible_now {
                let base = scratch(call);
                acts.extend(crate::window::show_acts(call, hwnd, true, base));
                if style & WS_CHILD == 0 {
                    acts.extend(crate::window::activate_acts(call, hwnd));
                }
            }
            Some(plan(call, acts, 0, returning(hwnd)))
        }),
    ]
    .into();
    plan(call, acts, 0, returning(hwnd))
}

// ---- navigation ----------------------------------------------------------------------

/// Whether a control can take the focus: visible and enabled.
fn usable(call: &mut ApiCall<'_>, hwnd: u32) -> bool {
    wm(call)
        .window(hwnd)
        .is_some_and(|w| w.style & WS_VISIBLE != 0 && w.style & WS_DISABLED == 0)
}

/// GetNextDlgTabItem's work: the next (or previous) visible, enabled WS_TABSTOP control
/// after `from` (0: from the start), wrapping; `from` when there is none.
pub fn next_tab_item(call: &mut ApiCall<'_>, dlg: u32, from: u32, previous: bool) -> u32 {
    let kids = wm(call).children(dlg);
    if kids.is_empty() {
        return 0;
    }
    let n = kids.len();
    let start = kids.iter().position(|&k| k == from);
    for step in 1..=n {
        let i = match (start, previous) {
            (Some(s), false) => (s + step) % n,
            (Some(s), true) => (s + n - step) % n,
            (None, false) => step - 1,
            (None, true) => n - step,
        };
        let k = kids[i];
        let tab = wm(call)
            .window(k)
            .is_some_and(|w| w.style & WS_TABSTOP != 0);
        if tab && usable(call, k) {
            return k;
        }
    }
    from
}

/// GetNextDlgGroupItem's work: the next (or previous) visible, enabled control in `from`'s
/// group (the controls from a WS_GROUP one to the one before the next WS_GROUP), wrapping
/// within the group.
pub fn next_group_item(call: &mut ApiCall<'_>, dlg: u32, from: u32, previous: bool) -> u32 {
    let kids = wm(call).children(dlg);
    let Some(pos) = kids.iter().position(|&k| k == from) else {
        return kids.iter().copied().find(|&k| usable(call, k)).unwrap_or(0);
    };
    let group = |call: &mut ApiCall<'_>, k: u32| {
        wm(call).window(k).is_some_and(|w| w.style & WS_GROUP != 0)
    };
    let mut start = pos;
    while start > 0 && !group(call, kids[start]) {
        start -= 1;
    }
    let mut end = pos + 1;
    while end < kids.len() && !group(call, kids[end]) {
        end += 1;
    }
    let members: Vec<u32> = kids[start..end].to_vec();
    let n = members.len();
    let at = pos - start;
    for step in 1..=n {
        let i = if previous {
            (at + n - step) % n
        } else {
            (at + step) % n
        };
        if usable(call, members[i]) {
            return members[i];
        }
    }
    from
}

/// The dialog control with id `id`.
pub fn dlg_item(call: &mut ApiCall<'_>, dlg: u32, id: u32) -> Option<u32> {
    let kids = wm(call).children(dlg);
    kids.into_iter()
        .find(|&k| wm(call).window(k).is_some_and(|w| w.id == id))
}

// ---- IsDialogMessage -------------------------------------------------------------------

/// The character after the `&` of a control's text, lower case.
fn mnemonic(text: &[u16]) -> Option<u16> {
    let mut i = 0;
    while i + 1 < text.len() {
        if text[i] == u16::from(b'&') {
            if text[i + 1] == u16::from(b'&') {
                i += 2;
                continue;
            }
            return Some(lower(text[i + 1]));
        }
        i += 1;
    }
    None
}

fn lower(u: u16) -> u16 {
    char::from_u32(u32::from(u))
        .and_then(|c| c.to_lowercase().next())
        .and_then(|c| u16::try_from(u32::from(c)).ok())
        .unwrap_or(u)
}

/// WM_COMMAND for a button id as a click (the control's handle in lParam).
fn command_acts(call: &mut ApiCall<'_>, dlg: u32, id: u32) -> VecDeque<Act> {
    let ctl = dlg_item(call, dlg, id).unwrap_or(0);
    if ctl != 0
        && wm(call)
            .window(ctl)
            .is_some_and(|w| w.style & WS_DISABLED != 0)
    {
        return VecDeque::new();
    }
    [Act::Send(dlg, WM_COMMAND, id & 0xFFFF, ctl)].into()
}

/// Handles message `m` for dialog `dlg` as IsDialogMessage does: None when the message is
/// not for the dialog or its controls; else the step that handles it (the dialog's keys, or
/// the message translated and dispatched) and ends with `done`.
pub fn dialog_message(call: &mut ApiCall<'_>, dlg: u32, m: Message, done: Done) -> Option<Step> {
    let dlg = wm(call).full_handle(dlg)?;
    let target = wm(call).full_handle(m.hwnd)?;
    if target != dlg && !wm(call).is_child(dlg, target) {
        return None;
    }
    let keyboard = matches!(m.message, WM_KEYDOWN | WM_CHAR | WM_SYSCHAR);
    if !keyboard {
        return Some(dispatch_then(call, m, done));
    }
    let acts: VecDeque<Act> = [
        Act::Send(target, WM_GETDLGCODE, m.wparam, 0),
        Act::check(move |call, code| Some(dialog_key(call, dlg, target, m, code, done))),
    ]
    .into();
    Some(plan(call, acts, 0, returning(1)))
}

/// The dialog's handling of a key message whose control answered WM_GETDLGCODE `code`.
fn dialog_key(
    call: &mut ApiCall<'_>,
    dlg: u32,
    target: u32,
    m: Message,
    code: u32,
    done: Done,
) -> Step {
    let focus = wm(call).focus;
    let mut acts: Option<VecDeque<Act>> = None;
    if code & DLGC_WANTMESSAGE == 0 {
        match (m.message, m.wparam) {
            (WM_KEYDOWN, VK_TAB) if code & DLGC_WANTTAB == 0 => {
                let shift = wm(call).display.keys[VK_SHIFT as usize] & 0x80 != 0;
                let next = next_tab_item(call, dlg, focus, shift);
                acts = Some(if next != 0 {
                    dialog_focus_acts(call, next)
                } else {
                    VecDeque::new()
                });
            }
            (WM_KEYDOWN, VK_LEFT | VK_UP | VK_RIGHT | VK_DOWN) if code & DLGC_WANTARROWS == 0 => {
                let previous = matches!(m.wparam, VK_LEFT | VK_UP);
                let next = next_group_item(call, dlg, focus, previous);
                let mut a = VecDeque::new();
                if next != 0 && next != focus {
                    a.extend(dialog_focus_acts(call, next));
                    let auto_radio = is_class(call, next, "Button")
                        && wm(call).window(next).is_some_and(|w| w.style & 0xF == 9);
                    if auto_radio {
                        a.push_back(Act::Send(next, BM_CLICK, 0, 0));
                    }
                }
                acts = Some(a);
            }
            (WM_KEYDOWN, VK_RETURN | VK_EXECUTE) => {
                let push = code & (DLGC_DEFPUSHBUTTON | DLGC_UNDEFPUSHBUTTON) != 0;
                let id = if push && focus == target {
                    wm(call).window(target).map_or(IDOK, |w| w.id)
                } else {
                    let d = dialogs(call).by_hwnd.get(&dlg).map_or(0, |d| d.def_id);
                    if d != 0 { d } else { IDOK }
                };
                acts = Some(command_acts(call, dlg, id));
            }
            (WM_KEYDOWN, VK_ESCAPE) => {
                acts = Some(command_acts(call, dlg, IDCANCEL));
            }
            (WM_CHAR, _) if code & DLGC_WANTCHARS != 0 => {}
            (WM_CHAR | WM_SYSCHAR, ch) => {
                if let Some(a) = mnemonic_acts(call, dlg, focus, ch as u16) {
                    acts = Some(a);
                }
            }
            _ => {}
        }
    }
    match acts {
        Some(a) => plan(call, a, 0, done),
        None => dispatch_then(call, m, done),
    }
}

/// The control whose mnemonic is `ch` after `focus` (wrapping), and what choosing it does:
/// a button is focused and clicked, a static label gives the focus to the next control.
fn mnemonic_acts(call: &mut ApiCall<'_>, dlg: u32, focus: u32, ch: u16) -> Option<VecDeque<Act>> {
    let kids = wm(call).children(dlg);
    let n = kids.len();
    let start = kids.iter().position(|&k| k == focus).map_or(0, |p| p + 1);
    let want = lower(ch);
    for step in 0..n {
        let k = kids[(start + step) % n];
        if !usable(call, k) {
            continue;
        }
        let text = wm(call)
            .window(k)
            .map(|w| w.text.clone())
            .unwrap_or_default();
        if mnemonic(&text) != Some(want) {
            continue;
        }
        let style = wm(call).window(k).map_or(0, |w| w.style);
        if is_class(call, k, "Static") && style & 0x80 == 0 {
            let next = next_tab_item(call, dlg, k, false);
            return Some(dialog_focus_acts(call, next));
        }
        if is_class(call, k, "Button") {
            let mut a = dialog_focus_acts(call, k);
            if style & 0xF != 7 {
                a.push_back(Act::Send(k, BM_CLICK, 0, 0));
            }
            return Some(a);
        }
        return Some(dialog_focus_acts(call, k));
    }
    None
}

/// TranslateMessage and DispatchMessage of `m`, then `done`.
pub fn dispatch_then(call: &mut ApiCall<'_>, m: Message, done: Done) -> Step {
    if matches!(m.message, WM_KEYDOWN | WM_SYSKEYDOWN) {
        let ch = crate::input::typed_char(wm(call), m.wparam);
        if ch != 0 {
            let char_msg = if m.message == WM_KEYDOWN {
                WM_CHAR
            } else {
                WM_SYSCHAR
            };
            let (p, t) = (call.thread.process, call.thread.thread);
            if let Some(q) = wm(call).queue_of(p, t) {
                q.post(Message {
                    message: char_msg,
                    wparam: u32::from(ch),
                    ..m
                });
            }
        }
    }
    if m.message == WM_TIMER && m.lparam != 0 {
        let tick = call.machine.clock().now_ms() as u32;
        return Step::call(
            m.lparam,
            vec![m.hwnd, m.message, m.wparam, tick],
            move |c, r| done(c, r),
        );
    }
    let Some(w) = wm(call).window(m.hwnd).cloned() else {
        return done(call, 0);
    };
    if w.thread != call.thread.thread || w.wndproc == 0 {
        return done(call, 0);
    }
    let handle = w.handle;
    Step::call(
        w.wndproc,
        vec![handle, m.message, m.wparam, m.lparam],
        move |call, r| {
            if m.message == crate::paint::WM_PAINT {
                crate::paint::after_paint_dispatch(call, handle);
            }
            done(call, r)
        },
    )
}

/// Reads a MSG.
fn read_msg(call: &ApiCall<'_>, address: u32) -> Option<Message> {
    let b = call.read_bytes(address, 28).ok()?;
    let w = |i: usize| u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]]);
    Some(Message {
        hwnd: w(0),
        message: w(1),
        wparam: w(2),
        lparam: w(3),
        time: w(4),
        pt: (w(5) as i32, w(6) as i32),
    })
}

/// IsDialogMessageA/W's work.
fn is_dialog_message(call: &mut ApiCall<'_>, dlg: u32, msg: u32, params: u32) -> ApiReturn {
    let Some(m) = read_msg(call, msg) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    match dialog_message(call, dlg, m, returning(1)) {
        Some(step) => run(call, params, step),
        None => ApiReturn::Value(0),
    }
}

/// BOOL IsDialogMessageA(HWND hDlg, LPMSG lpMsg): the dialog's keyboard interface (Tab and
/// Shift+Tab over WS_TABSTOP controls, arrows within a WS_GROUP, Enter for the default
/// button, Esc for IDCANCEL, mnemonics); any other message for the dialog or its controls
/// is translated and dispatched. FALSE for a message of another window.
#[export]
fn IsDialogMessageA(call: &mut ApiCall<'_>, hDlg: u32, lpMsg: Ptr) -> ApiReturn {
    is_dialog_message(call, hDlg, lpMsg.0, 2)
}

/// BOOL IsDialogMessageW(HWND hDlg, LPMSG lpMsg).
#[export]
fn IsDialogMessageW(call: &mut ApiCall<'_>, hDlg: u32, lpMsg: Ptr) -> ApiReturn {
    is_dialog_message(call, hDlg, lpMsg.0, 2)
}

/// BOOL IsDialogMessage(HWND hDlg, LPMSG lpMsg): NT 4.0's name for IsDialogMessageA.
#[export]
fn IsDialogMessage(call: &mut ApiCall<'_>, hDlg: u32, lpMsg: Ptr) -> ApiReturn {
    is_dialog_message(call, hDlg, lpMsg.0, 2)
}

// ---- the modal loop --------------------------------------------------------------------

/// DialogBox*'s work: the first run makes the dialog (`make`) with its owner disabled;
/// later runs take and handle one message each until EndDialog, then destroy the dialog,
/// enable the owner and return EndDialog's result (-1 when the dialog could not be made).
fn dialog_box(
    call: &mut ApiCall<'_>,
    params: u32,
    owner: u32,
    make: impl FnOnce(&mut ApiCall<'_>) -> Step + Send + 'static,
) -> ApiReturn {
    crate::message::ensure_queue(call);
    let key = (call.thread.process, call.thread.thread, entry_stack(call));
    let owner = if owner == 0 {
        0
    } else {
        wm(call).full_handle(owner).unwrap_or(0)
    };
    let running = dialogs(call).loops.get(&key).copied();
    let step = match running {
        None => {
            dialogs(call).loops.insert(key, (0, owner));
            let mut acts = VecDeque::new();
            if owner != 0
                && wm(call)
                    .window(owner)
                    .is_some_and(|w| w.style & WS_DISABLED == 0)
            {
                acts.extend(enable_acts(call, owner, false));
            }
            let step = plan(call, acts, 0, returning(0));
            let step = chain(call, step, Box::new(move |call, _| make(call)));
            chain(
                call,
                step,
                Box::new(move |call, hwnd| {
                    if hwnd == 0 {
                        dialogs(call).loops.remove(&key);
                        let acts = enable_acts(call, owner, true);
                        return plan(call, acts, 0, returning(u32::MAX));
                    }
                    dialogs(call).loops.insert(key, (hwnd, owner));
                    Step::Again
                }),
            )
        }
        Some((0, _)) => Step::Return(u32::MAX),
        Some((hwnd, owner)) => modal_step(call, key, hwnd, owner),
    };
    run(call, params, step)
}

/// What EnableWindow does: the style bit and WM_ENABLE.
fn enable_acts(call: &mut ApiCall<'_>, hwnd: u32, enable: bool) -> VecDeque<Act> {
    let Some(w) = wm(call).window_mut(hwnd) else {
        return VecDeque::new();
    };
    let disabled = w.style & WS_DISABLED != 0;
    if disabled != enable {
        return VecDeque::new();
    }
    w.style ^= WS_DISABLED;
    [Act::Send(hwnd, WM_ENABLE, u32::from(enable), 0)].into()
}

/// One turn of the modal loop of dialog `hwnd`.
fn modal_step(call: &mut ApiCall<'_>, key: (u32, u32, u32), hwnd: u32, owner: u32) -> Step {
    let ended = match dialogs(call).by_hwnd.get(&hwnd) {
        Some(d) => d.ended.then_some(d.result),
        None => Some(0),
    };
    let gone = wm(call).window(hwnd).is_none();
    if let Some(result) = ended.or(gone.then_some(0)) {
        dialogs(call).loops.remove(&key);
        let mut acts = enable_acts(call, owner, true);
        if wm(call).window(hwnd).is_some() {
            let base = scratch(call);
            acts.extend(crate::window::destroy_acts(call, hwnd, base));
        }
        if owner != 0 && wm(call).window(owner).is_some() {
            acts.extend(crate::window::activate_acts(call, owner));
        }
        acts.push_back(Act::run(move |call| {
            dialogs(call).by_hwnd.remove(&hwnd);
        }));
        return plan(call, acts, 0, returning(result));
    }
    match crate::message::look(call, 0, 0, 0, true) {
        Err(step) => step,
        Ok(Some(m)) => {
            if m.message == win32k::queue::WM_QUIT {
                // The quit request ends the dialog and stays for the program's own loop.
                let (p, t) = (call.thread.process, call.thread.thread);
                if let Some(q) = wm(call).queue_of(p, t) {
                    q.post(m);
                }
                if let Some(d) = dialogs(call).by_hwnd.get_mut(&hwnd) {
                    d.ended = true;
                }
                return Step::Again;
            }
            let again: Done = Box::new(|_, _| Step::Again);
            match dialog_message(call, hwnd, m, again) {
                Some(step) => step,
                None => dispatch_then(call, m, Box::new(|_, _| Step::Again)),
            }
        }
        Ok(None) => {
            let (p, t) = (call.thread.process, call.thread.thread);
            let now = call.machine.clock().now_ms();
            let Some(q) = wm(call).queue_of(p, t) else {
                return Step::Return(0);
            };
            let timeout = q.next_timer(now);
            let _ = q.event.reset_event();
            Step::Wait {
                objects: vec![q.event.clone()],
                timeout: timeout.map(Duration::from_millis),
            }
        }
    }
}

/// The template of resource `name` (RT_DIALOG) of module `instance`.
fn template_resource(call: &mut ApiCall<'_>, instance: u32, name: u32, wide: bool) -> Option<u32> {
    let id = if name < 0x1_0000 {
        ResourceId::Id(name as u16)
    } else {
        ResourceId::Name(String::from_utf16_lossy(&read_text(call, name, wide)?).to_uppercase())
    };
    let module = crate::class::instance_of(call, instance);
    kernel32::resource::find(call, module, &ResourceId::Id(RT_DIALOG), &id, 0)
        .ok()
        .map(|(at, _)| at)
}

/// DialogBoxParamA/W's work.
fn dialog_box_param(
    call: &mut ApiCall<'_>,
    instance: u32,
    name: u32,
    owner: u32,
    proc_: u32,
    param: u32,
    wide: bool,
) -> ApiReturn {
    let Some(template) = template_resource(call, instance, name, wide) else {
        return call.fail_win32(Win32Error::RESOURCE_NAME_NOT_FOUND, u32::MAX);
    };
    dialog_box(call, 5, owner, move |call| {
        create_dialog(call, instance, template, owner, proc_, param, wide, true)
    })
}

/// INT_PTR DialogBoxParamA(HINSTANCE hInstance, LPCSTR lpTemplateName, HWND hWndParent,
/// DLGPROC lpDialogFunc, LPARAM dwInitParam): a modal dialog from a resource template;
/// EndDialog's result, -1 when it could not be made.
#[export]
fn DialogBoxParamA(
    call: &mut ApiCall<'_>,
    hInstance: u32,
    lpTemplateName: u32,
    hWndParent: u32,
    lpDialogFunc: u32,
    dwInitParam: u32,
) -> ApiReturn {
    dialog_box_param(
        call,
        hInstance,
        lpTemplateName,
        hWndParent,
        lpDialogFunc,
        dwInitParam,
        false,
    )
}

/// INT_PTR DialogBoxParamW(HINSTANCE hInstance, LPCWSTR lpTemplateName, HWND hWndParent,
/// DLGPROC lpDialogFunc, LPARAM dwInitParam).
#[export]
fn DialogBoxParamW(
    call: &mut ApiCall<'_>,
    hInstance: u32,
    lpTemplateName: u32,
    hWndParent: u32,
    lpDialogFunc: u32,
    dwInitParam: u32,
) -> ApiReturn {
    dialog_box_param(
        call,
        hInstance,
        lpTemplateName,
        hWndParent,
        lpDialogFunc,
        dwInitParam,
        true,
    )
}

/// INT_PTR DialogBoxIndirectParamA(HINSTANCE hInstance, LPCDLGTEMPLATEA hDialogTemplate,
/// HWND hWndParent, DLGPROC lpDialogFunc, LPARAM dwInitParam).
#[export]
fn DialogBoxIndirectParamA(
    call: &mut ApiCall<'_>,
    hInstance: u32,
    hDialogTemplate: u32,
    hWndParent: u32,
    lpDialogFunc: u32,
    dwInitParam: u32,
) -> ApiReturn {
    dialog_box(call, 5, hWndParent, move |call| {
        create_dialog(
            call,
            hInstance,
            hDialogTemplate,
            hWndParent,
            lpDialogFunc,
            dwInitParam,
            false,
            true,
        )
    })
}

/// INT_PTR DialogBoxIndirectParamW(HINSTANCE hInstance, LPCDLGTEMPLATEW hDialogTemplate,
/// HWND hWndParent, DLGPROC lpDialogFunc, LPARAM dwInitParam).
#[export]
fn DialogBoxIndirectParamW(
    call: &mut ApiCall<'_>,
    hInstance: u32,
    hDialogTemplate: u32,
    hWndParent: u32,
    lpDialogFunc: u32,
    dwInitParam: u32,
) -> ApiReturn {
    dialog_box(call, 5, hWndParent, move |call| {
        create_dialog(
            call,
            hInstance,
            hDialogTemplate,
            hWndParent,
            lpDialogFunc,
            dwInitParam,
            true,
            true,
        )
    })
}

/// Whether a modal loop (DialogBox or MessageBox) runs in the calling function: it is
/// being run again.
pub fn modal_running(call: &mut ApiCall<'_>) -> bool {
    let key = (call.thread.process, call.thread.thread, entry_stack(call));
    dialogs(call).loops.contains_key(&key)
}

/// Runs a message box's dialog from the template at `template` (in the process heap, freed
/// once the box is made): the modal loop of DialogBoxIndirectParam, the box marked as a
/// message box (its buttons end it), `icon` in its icon control, the focus on its default
/// button. Later runs of the calling function go on with its loop (the other arguments are
/// then unused).
pub fn message_box_dialog(
    call: &mut ApiCall<'_>,
    params: u32,
    owner: u32,
    template: u32,
    icon: u32,
) -> ApiReturn {
    dialog_box(call, params, owner, move |call| {
        let step = create_dialog(call, 0, template, owner, 0, 0, true, true);
        chain(
            call,
            step,
            Box::new(move |call, hwnd| {
                kernel32::heap::process_heap_free(call, template);
                if hwnd == 0 {
                    return Step::Return(0);
                }
                set_message_box(call, hwnd);
                let mut acts = VecDeque::new();
                if icon != 0
                    && let Some(i) = dlg_item(call, hwnd, 0x14)
                {
                    acts.push_back(Act::Send(i, crate::static_ctl::STM_SETICON, icon, 0));
                }
                let def = info(call, hwnd).map_or(0, |d| d.def_id);
                if let Some(b) = dlg_item(call, hwnd, def) {
                    acts.extend(dialog_focus_acts(call, b));
                }
                plan(call, acts, 0, returning(hwnd))
            }),
        )
    })
}

/// CreateDialog*'s work: a modeless dialog.
#[allow(clippy::too_many_arguments)]
fn create_dialog_call(
    call: &mut ApiCall<'_>,
    instance: u32,
    template: u32,
    owner: u32,
    proc_: u32,
    param: u32,
    wide: bool,
) -> ApiReturn {
    let step = create_dialog(call, instance, template, owner, proc_, param, wide, false);
    run(call, 5, step)
}

/// HWND CreateDialogParamA(HINSTANCE hInstance, LPCSTR lpTemplateName, HWND hWndParent,
/// DLGPROC lpDialogFunc, LPARAM dwInitParam): a modeless dialog from a resource template.
#[export]
fn CreateDialogParamA(
    call: &mut ApiCall<'_>,
    hInstance: u32,
    lpTemplateName: u32,
    hWndParent: u32,
    lpDialogFunc: u32,
    dwInitParam: u32,
) -> ApiReturn {
    let Some(t) = template_resource(call, hInstance, lpTemplateName, false) else {
        return call.fail_win32(Win32Error::RESOURCE_NAME_NOT_FOUND, 0);
    };
    create_dialog_call(
        call,
        hInstance,
        t,
        hWndParent,
        lpDialogFunc,
        dwInitParam,
        false,
    )
}

/// HWND CreateDialogParamW(HINSTANCE hInstance, LPCWSTR lpTemplateName, HWND hWndParent,
/// DLGPROC lpDialogFunc, LPARAM dwInitParam).
#[export]
fn CreateDialogParamW(
    call: &mut ApiCall<'_>,
    hInstance: u32,
    lpTemplateName: u32,
    hWndParent: u32,
    lpDialogFunc: u32,
    dwInitParam: u32,
) -> ApiReturn {
    let Some(t) = template_resource(call, hInstance, lpTemplateName, true) else {
        return call.fail_win32(Win32Error::RESOURCE_NAME_NOT_FOUND, 0);
    };
    create_dialog_call(
        call,
        hInstance,
        t,
        hWndParent,
        lpDialogFunc,
        dwInitParam,
        true,
    )
}

/// HWND CreateDialogIndirectParamA(HINSTANCE hInstance, LPCDLGTEMPLATEA lpTemplate, HWND
/// hWndParent, DLGPROC lpDialogFunc, LPARAM lParamInit).
#[export]
fn CreateDialogIndirectParamA(
    call: &mut ApiCall<'_>,
    hInstance: u32,
    lpTemplate: u32,
    hWndParent: u32,
    lpDialogFunc: u32,
    lParamInit: u32,
) -> ApiReturn {
    create_dialog_call(
        call,
        hInstance,
        lpTemplate,
        hWndParent,
        lpDialogFunc,
        lParamInit,
        false,
    )
}

/// HWND CreateDialogIndirectParamW(HINSTANCE hInstance, LPCDLGTEMPLATEW lpTemplate, HWND
/// hWndParent, DLGPROC lpDialogFunc, LPARAM lParamInit).
#[export]
fn CreateDialogIndirectParamW(
    call: &mut ApiCall<'_>,
    hInstance: u32,
    lpTemplate: u32,
    hWndParent: u32,
    lpDialogFunc: u32,
    lParamInit: u32,
) -> ApiReturn {
    create_dialog_call(
        call,
        hInstance,
        lpTemplate,
        hWndParent,
        lpDialogFunc,
        lParamInit,
        true,
    )
}

/// BOOL EndDialog(HWND hDlg, INT_PTR nResult): the dialog's modal loop ends with the
/// result once the message being handled is done. FALSE for a window that is no dialog.
#[export]
fn EndDialog(call: &mut ApiCall<'_>, hDlg: u32, nResult: u32) -> ApiReturn {
    let Some(h) = wm(call).full_handle(hDlg) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    match dialogs(call).by_hwnd.get_mut(&h) {
        Some(d) => {
            d.ended = true;
            d.result = nResult;
            ApiReturn::Value(1)
        }
        None => ApiReturn::Value(0),
    }
}

// ---- DefDlgProc ------------------------------------------------------------------------

/// The default colours of WM_CTLCOLOR* (`msg`) on `hdc`: window text on the 3-D face for
/// dialogs, buttons, statics and message boxes; on the window colour for edits and list
/// boxes. The brush.
pub fn default_ctl_colour(call: &mut ApiCall<'_>, msg: u32, hdc: u32) -> u32 {
    let (bk, brush) = match msg {
        WM_CTLCOLOREDIT | WM_CTLCOLORLISTBOX => (5, 5),
        WM_CTLCOLORSCROLLBAR => (15, 0),
        _ => (15, 15),
    };
    let table = crate::paint::SYS_COLOUR_TABLE;
    if let Some(d) = wm(call).gdi.dc_mut(hdc) {
        d.state.text_colour = table[8];
        d.state.bk_colour = table[bk];
    }
    crate::paint::sys_colour_brush(call, brush)
}

/// Messages whose dialog-procedure result is returned as it is (not DWL_MSGRESULT).
fn direct_result(msg: u32) -> bool {
    matches!(
        msg,
        WM_CTLCOLORMSGBOX..=WM_CTLCOLORSTATIC | 0x0039 | 0x002E | 0x002F | 0x0037 | WM_INITDIALOG
    )
}

/// DefDlgProcA/W's work: the dialog procedure first; what it leaves (returning FALSE) gets
/// the dialog's default handling.
fn def_dlg_proc(call: &mut ApiCall<'_>, hwnd: u32, msg: u32, wp: u32, lp: u32, wide: bool) -> Step {
    let Some(w) = wm(call).window(hwnd).cloned() else {
        return Step::Return(0);
    };
    let hwnd = w.handle;
    let dlgproc = w
        .extra
        .get(DWL_DLGPROC..DWL_DLGPROC + 4)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    if dlgproc == 0 {
        return dialog_default(call, hwnd, msg, wp, lp, wide);
    }
    if let Some(win) = wm(call).window_mut(hwnd)
        && win.extra.len() >= 4
    {
        win.extra[DWL_MSGRESULT..DWL_MSGRESULT + 4].copy_from_slice(&[0; 4]);
    }
    Step::call(dlgproc, vec![hwnd, msg, wp, lp], move |call, r| {
        if r != 0 {
            if direct_result(msg) {
                return Step::Return(r);
            }
            let result = wm(call)
                .window(hwnd)
                .and_then(|w| w.extra.get(0..4).map(|b| [b[0], b[1], b[2], b[3]]))
                .map_or(0, u32::from_le_bytes);
            return Step::Return(result);
        }
        dialog_default(call, hwnd, msg, wp, lp, wide)
    })
}

/// The dialog's default handling of a message.
fn dialog_default(
    call: &mut ApiCall<'_>,
    hwnd: u32,
    msg: u32,
    wp: u32,
    lp: u32,
    wide: bool,
) -> Step {
    match msg {
        crate::paint::WM_ERASEBKGND => {
            let acts: VecDeque<Act> = [
                Act::Send(hwnd, WM_CTLCOLORDLG, wp, hwnd),
                Act::check(move |call, brush| {
                    let brush =
                        if matches!(wm(call).gdi.get(brush), Some(win32k::gdi::Object::Brush(_))) {
                            brush
                        } else {
                            default_ctl_colour(call, WM_CTLCOLORDLG, wp)
                        };
                    if let Some((area, _)) = wm(call).gdi.clip_box(wp) {
                        gdi32::draw_with(call, wp, &[], |g, s| {
                            g.pat_blt(s, wp, area, 0x00F0_0021, Some(brush));
                        });
                    }
                    Some(Step::Return(1))
                }),
            ]
            .into();
            plan(call, acts, 0, returning(1))
        }
        WM_CTLCOLORMSGBOX..=WM_CTLCOLORSTATIC => Step::Return(default_ctl_colour(call, msg, wp)),
        WM_GETFONT => Step::Return(info(call, hwnd).map_or(0, |d| d.font)),
        DM_GETDEFID => {
            let id = info(call, hwnd).map_or(0, |d| d.def_id);
            Step::Return(if id == 0 { 0 } else { id | (DC_HASDEFID << 16) })
        }
        DM_SETDEFID => {
            let old = info(call, hwnd).map_or(0, |d| d.def_id);
            if let Some(d) = dialogs(call).by_hwnd.get_mut(&hwnd) {
                d.def_id = wp;
            }
            let mut acts = VecDeque::new();
            if let Some(o) = dlg_item(call, hwnd, old).filter(|_| old != wp)
                && is_class(call, o, "Button")
                && wm(call).window(o).is_some_and(|w| w.style & 0xF == 1)
            {
                acts.push_back(Act::Send(o, BM_SETSTYLE, 0, 1));
            }
            if let Some(n) = dlg_item(call, hwnd, wp)
                && is_class(call, n, "Button")
                && wm(call).window(n).is_some_and(|w| w.style & 0xF == 0)
            {
                acts.push_back(Act::Send(n, BM_SETSTYLE, 1, 1));
            }
            plan(call, acts, 0, returning(1))
        }
        WM_NEXTDLGCTL => {
            let focus = wm(call).focus;
            let target = if lp & 0xFFFF != 0 {
                wp
            } else {
                next_tab_item(call, hwnd, focus, wp != 0)
            };
            let acts = dialog_focus_acts(call, target);
            plan(call, acts, 0, returning(0))
        }
        WM_SETFOCUS | WM_ACTIVATE if msg == WM_SETFOCUS || wp & 0xFFFF != 0 => {
            let saved = info(call, hwnd).map_or(0, |d| d.focus);
            let target = if saved != 0 && wm(call).window(saved).is_some() {
                saved
            } else {
                next_tab_item(call, hwnd, 0, false)
            };
            let mut acts = VecDeque::new();
            if target != 0 && wm(call).focus != target {
                acts = dialog_focus_acts(call, target);
            }
            let step = if msg == WM_ACTIVATE {
                crate::message::default_proc(call, hwnd, msg, wp, lp, wide)
            } else {
                Step::Return(0)
            };
            let rest = plan(call, acts, 0, returning(0));
            chain(call, rest, Box::new(move |_, _| step))
        }
        WM_CLOSE => {
            let cancel = dlg_item(call, hwnd, IDCANCEL);
            let disabled = cancel
                .and_then(|c| wm(call).window(c).map(|w| w.style & WS_DISABLED != 0))
                .unwrap_or(false);
            let msgbox = info(call, hwnd).is_some_and(|d| d.message_box);
            if !disabled && (!msgbox || cancel.is_some()) {
                let m = Message {
                    hwnd,
                    message: WM_COMMAND,
                    wparam: IDCANCEL,
                    lparam: cancel.unwrap_or(0),
                    time: call.machine.clock().now_ms() as u32,
                    pt: (0, 0),
                };
                let (p, t) = (call.thread.process, call.thread.thread);
                if let Some(q) = wm(call).queue_of(p, t) {
                    q.post(m);
                }
            }
            Step::Return(0)
        }
        WM_COMMAND
            if info(call, hwnd).is_some_and(|d| d.message_box)
                && wp >> 16 == 0
                && dlg_item(call, hwnd, wp & 0xFFFF).is_some() =>
        {
            if let Some(d) = dialogs(call).by_hwnd.get_mut(&hwnd) {
                d.ended = true;
                d.result = wp & 0xFFFF;
            }
            Step::Return(0)
        }
        WM_NCDESTROY => {
            if let Some(d) = dialogs(call).by_hwnd.get(&hwnd).cloned() {
                if d.own_font && d.font != 0 {
                    wm(call).gdi.delete_object(d.font);
                }
                // A modal loop still looks at the record (EndDialog's result) and drops it.
                let held = dialogs(call).loops.values().any(|&(h, _)| h == hwnd);
                if !held {
                    dialogs(call).by_hwnd.remove(&hwnd);
                }
            }
            crate::message::default_proc(call, hwnd, msg, wp, lp, wide)
        }
        _ => crate::message::default_proc(call, hwnd, msg, wp, lp, wide),
    }
}

/// LRESULT DefDlgProcA(HWND hDlg, UINT Msg, WPARAM wParam, LPARAM lParam): the dialog
/// class's procedure.
#[export]
fn DefDlgProcA(call: &mut ApiCall<'_>, hDlg: u32, Msg: u32, wParam: u32, lParam: u32) -> ApiReturn {
    let step = def_dlg_proc(call, hDlg, Msg, wParam, lParam, false);
    run(call, 4, step)
}

/// LRESULT DefDlgProcW(HWND hDlg, UINT Msg, WPARAM wParam, LPARAM lParam).
#[export]
fn DefDlgProcW(call: &mut ApiCall<'_>, hDlg: u32, Msg: u32, wParam: u32, lParam: u32) -> ApiReturn {
    let step = def_dlg_proc(call, hDlg, Msg, wParam, lParam, true);
    run(call, 4, step)
}

// ---- items -------------------------------------------------------------------------------

/// HWND GetDlgItem(HWND hDlg, int nIDDlgItem): the child with that id.
#[export]
fn GetDlgItem(call: &mut ApiCall<'_>, hDlg: u32, nIDDlgItem: u32) -> ApiReturn {
    let Some(h) = wm(call).full_handle(hDlg) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    // NT 4.0 leaves the last error alone when there is no such control.
    ApiReturn::Value(dlg_item(call, h, nIDDlgItem).unwrap_or(0))
}

/// int GetDlgCtrlID(HWND hWnd): a child window's id (0 for a top-level window).
#[export]
fn GetDlgCtrlID(call: &mut ApiCall<'_>, hWnd: u32) -> ApiReturn {
    match wm(call).window(hWnd).map(|w| (w.style, w.id)) {
        Some((style, id)) if style & WS_CHILD != 0 => ApiReturn::Value(id),
        Some(_) => ApiReturn::Value(0),
        None => call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0),
    }
}

/// SendDlgItemMessage's work (and the Get/SetDlgItem* helpers'): the message to the
/// control, in `wide`'s character set; 0 when there is no such control.
#[allow(clippy::too_many_arguments)]
fn send_item(
    call: &mut ApiCall<'_>,
    params: u32,
    dlg: u32,
    id: u32,
    msg: u32,
    wp: u32,
    lp: u32,
    wide: bool,
    then: Then,
) -> ApiReturn {
    let Some(h) = wm(call).full_handle(dlg) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    let Some(c) = dlg_item(call, h, id) else {
        return ApiReturn::Value(0);
    };
    let base = scratch(call);
    let step = crate::message::send_message(call, base, wide, c, msg, wp, lp, then);
    run(call, params, step)
}

/// LRESULT SendDlgItemMessageA(HWND hDlg, int nIDDlgItem, UINT Msg, WPARAM wParam, LPARAM
/// lParam).
#[export]
fn SendDlgItemMessageA(
    call: &mut ApiCall<'_>,
    hDlg: u32,
    nIDDlgItem: u32,
    Msg: u32,
    wParam: u32,
    lParam: u32,
) -> ApiReturn {
    send_item(
        call,
        5,
        hDlg,
        nIDDlgItem,
        Msg,
        wParam,
        lParam,
        false,
        Box::new(|_, r| Step::Return(r)),
    )
}

/// LRESULT SendDlgItemMessageW(HWND hDlg, int nIDDlgItem, UINT Msg, WPARAM wParam, LPARAM
/// lParam).
#[export]
fn SendDlgItemMessageW(
    call: &mut ApiCall<'_>,
    hDlg: u32,
    nIDDlgItem: u32,
    Msg: u32,
    wParam: u32,
    lParam: u32,
) -> ApiReturn {
    send_item(
        call,
        5,
        hDlg,
        nIDDlgItem,
        Msg,
        wParam,
        lParam,
        true,
        Box::new(|_, r| Step::Return(r)),
    )
}

/// BOOL SetDlgItemTextA(HWND hDlg, int nIDDlgItem, LPCSTR lpString): WM_SETTEXT.
#[export]
fn SetDlgItemTextA(call: &mut ApiCall<'_>, hDlg: u32, nIDDlgItem: u32, lpString: u32) -> ApiReturn {
    send_item(
        call,
        3,
        hDlg,
        nIDDlgItem,
        WM_SETTEXT,
        0,
        lpString,
        false,
        Box::new(|_, r| Step::Return(r)),
    )
}

/// BOOL SetDlgItemTextW(HWND hDlg, int nIDDlgItem, LPCWSTR lpString).
#[export]
fn SetDlgItemTextW(call: &mut ApiCall<'_>, hDlg: u32, nIDDlgItem: u32, lpString: u32) -> ApiReturn {
    send_item(
        call,
        3,
        hDlg,
        nIDDlgItem,
        WM_SETTEXT,
        0,
        lpString,
        true,
        Box::new(|_, r| Step::Return(r)),
    )
}

/// UINT GetDlgItemTextA(HWND hDlg, int nIDDlgItem, LPSTR lpString, int cchMax): WM_GETTEXT.
#[export]
fn GetDlgItemTextA(
    call: &mut ApiCall<'_>,
    hDlg: u32,
    nIDDlgItem: u32,
    lpString: u32,
    cchMax: u32,
) -> ApiReturn {
    send_item(
        call,
        4,
        hDlg,
        nIDDlgItem,
        WM_GETTEXT,
        cchMax,
        lpString,
        false,
        Box::new(|_, r| Step::Return(r)),
    )
}

/// UINT GetDlgItemTextW(HWND hDlg, int nIDDlgItem, LPWSTR lpString, int cchMax).
#[export]
fn GetDlgItemTextW(
    call: &mut ApiCall<'_>,
    hDlg: u32,
    nIDDlgItem: u32,
    lpString: u32,
    cchMax: u32,
) -> ApiReturn {
    send_item(
        call,
        4,
        hDlg,
        nIDDlgItem,
        WM_GETTEXT,
        cchMax,
        lpString,
        true,
        Box::new(|_, r| Step::Return(r)),
    )
}

/// Characters GetDlgItemInt reads.
const INT_TEXT: u32 = 24;

/// GetDlgItemInt's reading of a number: spaces, a sign, then the digits up to the first
/// character that is none (what follows is ignored); None without digits or for a number
/// out of range (a minus sign of an unsigned reading wraps, as strtoul's does).
pub fn parse_int(text: &[u16], signed: bool) -> Option<u32> {
    let s = String::from_utf16_lossy(text);
    let s = s.trim_start_matches([' ', '\t']);
    let (negative, rest) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let v: u64 = digits.parse().ok()?;
    if signed {
        if negative {
            (v <= 0x8000_0000).then(|| (v as i64).wrapping_neg() as u32)
        } else {
            (v <= 0x7FFF_FFFF).then_some(v as u32)
        }
    } else {
        let v = u32::try_from(v).ok()?;
        Some(if negative { v.wrapping_neg() } else { v })
    }
}

/// UINT GetDlgItemInt(HWND hDlg, int nIDDlgItem, BOOL *lpTranslated, BOOL bSigned): the
/// control's text as a number; 0 and *lpTranslated FALSE when it is none.
#[export]
fn GetDlgItemInt(
    call: &mut ApiCall<'_>,
    hDlg: u32,
    nIDDlgItem: u32,
    lpTranslated: u32,
    bSigned: bool,
) -> ApiReturn {
    let base = scratch(call);
    let at = base;
    if lpTranslated != 0 {
        let _ = call.write_u32(lpTranslated, 0);
    }
    send_item(
        call,
        4,
        hDlg,
        nIDDlgItem,
        WM_GETTEXT,
        INT_TEXT,
        at,
        true,
        Box::new(move |call, n| {
            let units = call
                .read_bytes(at, 2 * n.min(INT_TEXT) as usize)
                .map(|b| {
                    b.chunks_exact(2)
                        .map(|c| u16::from_le_bytes([c[0], c[1]]))
                        .collect::<Vec<u16>>()
                })
                .unwrap_or_default();
            match parse_int(&units, bSigned) {
                Some(v) => {
                    if lpTranslated != 0 {
                        let _ = call.write_u32(lpTranslated, 1);
                    }
                    Step::Return(v)
                }
                None => Step::Return(0),
            }
        }),
    )
}

/// BOOL SetDlgItemInt(HWND hDlg, int nIDDlgItem, UINT uValue, BOOL bSigned): the number as
/// the control's text.
#[export]
fn SetDlgItemInt(
    call: &mut ApiCall<'_>,
    hDlg: u32,
    nIDDlgItem: u32,
    uValue: u32,
    bSigned: bool,
) -> ApiReturn {
    let text = if bSigned {
        (uValue as i32).to_string()
    } else {
        uValue.to_string()
    };
    let base = scratch(call);
    let bytes: Vec<u8> = text
        .encode_utf16()
        .chain([0])
        .flat_map(|u| u.to_le_bytes())
        .collect();
    if call.write_bytes(base, &bytes).is_err() {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    send_item(
        call,
        4,
        hDlg,
        nIDDlgItem,
        WM_SETTEXT,
        0,
        base,
        true,
        Box::new(|_, r| Step::Return(r)),
    )
}

/// BOOL CheckDlgButton(HWND hDlg, int nIDButton, UINT uCheck): BM_SETCHECK.
#[export]
fn CheckDlgButton(call: &mut ApiCall<'_>, hDlg: u32, nIDButton: u32, uCheck: u32) -> ApiReturn {
    send_item(
        call,
        3,
        hDlg,
        nIDButton,
        BM_SETCHECK,
        uCheck,
        0,
        true,
        Box::new(|_, _| Step::Return(1)),
    )
}

/// UINT IsDlgButtonChecked(HWND hDlg, int nIDButton): BM_GETCHECK.
#[export]
fn IsDlgButtonChecked(call: &mut ApiCall<'_>, hDlg: u32, nIDButton: u32) -> ApiReturn {
    send_item(
        call,
        2,
        hDlg,
        nIDButton,
        BM_GETCHECK,
        0,
        0,
        true,
        Box::new(|_, r| Step::Return(r)),
    )
}

/// BOOL CheckRadioButton(HWND hDlg, int nIDFirstButton, int nIDLastButton, int
/// nIDCheckButton): checks one button of the id range and unchecks the others.
#[export]
fn CheckRadioButton(
    call: &mut ApiCall<'_>,
    hDlg: u32,
    nIDFirstButton: u32,
    nIDLastButton: u32,
    nIDCheckButton: u32,
) -> ApiReturn {
    let Some(h) = wm(call).full_handle(hDlg) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    let (lo, hi) = (nIDFirstButton as i32, nIDLastButton as i32);
    let kids = wm(call).children(h);
    let mut acts = VecDeque::new();
    for k in kids {
        let Some(id) = wm(call).window(k).map(|w| w.id as i32) else {
            continue;
        };
        if id >= lo && id <= hi {
            acts.push_back(Act::Send(
                k,
                BM_SETCHECK,
                u32::from(id as u32 == nIDCheckButton),
                0,
            ));
        }
    }
    let step = plan(call, acts, 0, returning(1));
    run(call, 4, step)
}

/// HWND GetNextDlgTabItem(HWND hDlg, HWND hCtl, BOOL bPrevious).
#[export]
fn GetNextDlgTabItem(call: &mut ApiCall<'_>, hDlg: u32, hCtl: u32, bPrevious: bool) -> ApiReturn {
    let Some(h) = wm(call).full_handle(hDlg) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    let from = wm(call).full_handle(hCtl).unwrap_or(0);
    ApiReturn::Value(next_tab_item(call, h, from, bPrevious))
}

/// HWND GetNextDlgGroupItem(HWND hDlg, HWND hCtl, BOOL bPrevious).
#[export]
fn GetNextDlgGroupItem(call: &mut ApiCall<'_>, hDlg: u32, hCtl: u32, bPrevious: bool) -> ApiReturn {
    let Some(h) = wm(call).full_handle(hDlg) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    let from = wm(call).full_handle(hCtl).unwrap_or(0);
    ApiReturn::Value(next_group_item(call, h, from, bPrevious))
}

/// LONG GetDialogBaseUnits(void): the System font's base units (width low, height high).
#[export]
fn GetDialogBaseUnits(call: &mut ApiCall<'_>) -> u32 {
    let _ = call;
    let (x, y) = system_base_units();
    (x as u32 & 0xFFFF) | ((y as u32) << 16)
}

/// BOOL MapDialogRect(HWND hDlg, LPRECT lpRect): dialog units of the dialog's font to
/// pixels.
#[export]
fn MapDialogRect(call: &mut ApiCall<'_>, hDlg: u32, lpRect: Ptr) -> ApiReturn {
    let Some(d) = info(call, hDlg) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    let Some(r) = call
        .read_bytes(lpRect.0, 16)
        .ok()
        .and_then(|b| Rect::from_bytes(&b))
    else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    let m = map_units([r.left, r.top, r.right, r.bottom], d.units);
    let out = Rect::new(m[0], m[1], m[2], m[3]);
    match call.write_bytes(lpRect.0, &out.to_bytes()) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail_win32(Win32Error::NOACCESS, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<u8> {
        s.encode_utf16()
            .chain([0])
            .flat_map(|u| u.to_le_bytes())
            .collect()
    }

    #[test]
    fn a_dlgtemplate_with_a_font_and_two_controls_parses() {
        let mut t = Vec::new();
        t.extend(0x80C8_0040u32.to_le_bytes()); // popup, caption, DS_SETFONT
        t.extend(0u32.to_le_bytes());
        t.extend(2u16.to_le_bytes());
        for v in [10i16, 20, 100, 50] {
            t.extend(v.to_le_bytes());
        }
        t.extend([0, 0]); // menu
        t.extend([0, 0]); // class
        t.extend(w("Hi"));
        t.extend(8u16.to_le_bytes());
        t.extend(w("MS Sans Serif"));
        while t.len() % 4 != 0 {
            t.push(0);
        }
        t.extend(0x5001_0001u32.to_le_bytes());
        t.extend(0u32.to_le_bytes());
        for v in [5i16, 6, 50, 14] {
            t.extend(v.to_le_bytes());
        }
        t.extend(1u16.to_le_bytes());
        t.extend([0xFF, 0xFF, 0x80, 0]);
        t.extend(w("OK"));
        t.extend(0u16.to_le_bytes());
        while t.len() % 4 != 0 {
            t.push(0);
        }
        t.extend(0x5000_0000u32.to_le_bytes());
        t.extend(0u32.to_le_bytes());
        for v in [5i16, 30, 50, 8] {
            t.extend(v.to_le_bytes());
        }
        t.extend(0xFFFFu16.to_le_bytes());
        t.extend(w("MyClass"));
        t.extend([0xFF, 0xFF, 7, 0]);
        t.extend(2u16.to_le_bytes());
        t.extend([9, 9]);
        let p = parse_template(&t, 0x1000).expect("parses");
        assert_eq!(p.rect, [10, 20, 100, 50]);
        assert_eq!(p.font.as_ref().map(|f| f.4.as_str()), Some("MS Sans Serif"));
        assert_eq!(p.items.len(), 2);
        assert_eq!(p.items[0].class, NameOrId::Id(0x80));
        assert!(matches!(&p.items[0].title, NameOrId::Name(s, _) if s == "OK"));
        assert_eq!(p.items[1].id, 0xFFFF);
        assert!(matches!(&p.items[1].class, NameOrId::Name(s, _) if s == "MyClass"));
        assert_eq!(p.items[1].title, NameOrId::Id(7));
        assert_ne!(p.items[1].data, 0);
        assert!(parse_template(&t[..t.len() - 3], 0x1000).is_none());
    }

    #[test]
    fn dialog_units_map_with_rounding_and_numbers_parse_as_nt_reads_them() {
        assert_eq!(map_units([4, 8, 50, 14], (6, 13)), [6, 13, 75, 23]);
        let u = |s: &str| s.encode_utf16().collect::<Vec<u16>>();
        assert_eq!(parse_int(&u(" 42"), false), Some(42));
        assert_eq!(parse_int(&u("-7"), true), Some((-7i32) as u32));
        assert_eq!(parse_int(&u("-7"), false), Some((-7i32) as u32));
        assert_eq!(parse_int(&u("12x"), false), Some(12));
        assert_eq!(parse_int(&u("x12"), false), None);
        assert_eq!(parse_int(&u(""), false), None);
        assert_eq!(mnemonic(&u("&Yes")), Some(u16::from(b'y')));
        assert_eq!(mnemonic(&u("a&&b")), None);
    }
}
