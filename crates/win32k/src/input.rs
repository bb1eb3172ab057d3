//! The machine's display and input devices as the window manager sees them: the
//! [`display::Display`] the screen is shown on, the keyboard's key states, the cursor and
//! the mouse capture; and NT input turned into the messages of the window that gets it
//! (NT's raw input thread's work: WM_KEYDOWN / WM_SYSKEYDOWN with NT's lParam to the focus
//! window, mouse messages to the capture window or the window under the cursor, client
//! or non-client by the hit test).

use std::collections::BTreeSet;

use crate::nonclient::HTCLIENT;
use crate::queue::Message;
use crate::{DESKTOP, WindowManager};

/// VK_LBUTTON.
pub const VK_LBUTTON: u8 = 0x01;
/// VK_RBUTTON.
pub const VK_RBUTTON: u8 = 0x02;
/// VK_MBUTTON.
pub const VK_MBUTTON: u8 = 0x04;
/// VK_SHIFT.
pub const VK_SHIFT: u8 = 0x10;
/// VK_CONTROL.
pub const VK_CONTROL: u8 = 0x11;
/// VK_MENU (Alt).
pub const VK_MENU: u8 = 0x12;
/// VK_F10.
pub const VK_F10: u8 = 0x79;

/// WM_KEYDOWN.
pub const WM_KEYDOWN: u32 = 0x0100;
/// WM_KEYUP.
pub const WM_KEYUP: u32 = 0x0101;
/// WM_SYSKEYDOWN.
pub const WM_SYSKEYDOWN: u32 = 0x0104;
/// WM_SYSKEYUP.
pub const WM_SYSKEYUP: u32 = 0x0105;
/// WM_MOUSEMOVE.
pub const WM_MOUSEMOVE: u32 = 0x0200;
/// WM_NCMOUSEMOVE.
pub const WM_NCMOUSEMOVE: u32 = 0x00A0;

/// MK_LBUTTON.
pub const MK_LBUTTON: u32 = 0x0001;
/// MK_RBUTTON.
pub const MK_RBUTTON: u32 = 0x0002;
/// MK_SHIFT.
pub const MK_SHIFT: u32 = 0x0004;
/// MK_CONTROL.
pub const MK_CONTROL: u32 = 0x0008;
/// MK_MBUTTON.
pub const MK_MBUTTON: u32 = 0x0010;

pub use display::{Button, Input};

/// What a mouse did.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MouseAction {
    /// Moved.
    Move,
    /// A button went down.
    Down(Button),
    /// A button went up.
    Up(Button),
}

/// The display and the input devices of the machine.
pub struct DisplayState {
    /// Where the screen is shown (None: nowhere; the screen is still drawn).
    pub backend: Option<Box<dyn display::Display>>,
    /// The screen changed since it was last presented.
    pub dirty: bool,
    /// Windows whose caption is drawn active (their last WM_NCACTIVATE was TRUE).
    pub frame_active: BTreeSet<u32>,
    /// Each virtual key's state, as GetKeyboardState gives it: 0x80 down, 0x01 toggled.
    pub keys: [u8; 256],
    /// The cursor's position on the screen.
    pub cursor: (i32, i32),
    /// The window that has the mouse capture (0: none).
    pub capture: u32,
    /// The last button that went down: (button's down message, window, time, point), for
    /// double-clicks.
    pub last_down: Option<(u32, u32, u32, (i32, i32))>,
    /// The last mouse messages input made (as posted): these, unlike messages a program
    /// posts itself, are hit-tested and may activate their window when they are taken.
    pub mouse_posted: std::collections::VecDeque<Message>,
}

impl Default for DisplayState {
    fn default() -> Self {
        DisplayState {
            backend: None,
            dirty: true,
            frame_active: BTreeSet::new(),
            keys: [0; 256],
            cursor: (0, 0),
            capture: 0,
            last_down: None,
            mouse_posted: std::collections::VecDeque::new(),
        }
    }
}

impl std::fmt::Debug for DisplayState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DisplayState")
            .field("dirty", &self.dirty)
            .field("cursor", &self.cursor)
            .field("capture", &self.capture)
            .finish_non_exhaustive()
    }
}

impl DisplayState {
    /// Whether virtual key `vk` is down.
    pub fn is_down(&self, vk: u8) -> bool {
        self.keys[vk as usize] & 0x80 != 0
    }

    /// Sets a key down or up (a key going down flips its toggle).
    fn set_key(&mut self, vk: u8, down: bool) {
        let k = &mut self.keys[vk as usize];
        if down {
            if *k & 0x80 == 0 {
                *k ^= 0x01;
            }
            *k |= 0x80;
        } else {
            *k &= !0x80;
        }
    }

    /// The MK_* flags of the buttons and Shift and Ctrl keys now.
    pub fn mk_flags(&self) -> u32 {
        let mut f = 0;
        for (vk, mk) in [
            (VK_LBUTTON, MK_LBUTTON),
            (VK_RBUTTON, MK_RBUTTON),
            (VK_SHIFT, MK_SHIFT),
            (VK_CONTROL, MK_CONTROL),
            (VK_MBUTTON, MK_MBUTTON),
        ] {
            if self.is_down(vk) {
                f |= mk;
            }
        }
        f
    }
}

/// The left- or right-hand virtual key (VK_LSHIFT...) of a Shift, Ctrl or Alt key.
fn sided(vk: u8, scan: u8, extended: bool) -> Option<u8> {
    match vk {
        VK_SHIFT => Some(if scan == 0x36 { 0xA1 } else { 0xA0 }),
        VK_CONTROL => Some(if extended { 0xA3 } else { 0xA2 }),
        VK_MENU => Some(if extended { 0xA5 } else { 0xA4 }),
        _ => None,
    }
}

/// GetDoubleClickTime: at most this long between the two clicks of a double-click.
pub const DOUBLE_CLICK_MS: u32 = 500;
/// SM_CXDOUBLECLK, SM_CYDOUBLECLK: the rectangle the second click must be in, centred on
/// the first.
pub const DOUBLE_CLICK_SIZE: (i32, i32) = (4, 4);
/// CS_DBLCLKS: the class's windows get double-clicks.
pub const CS_DBLCLKS: u32 = 0x0008;

/// How many of input's last mouse messages are remembered.
const MOUSE_POSTED_KEPT: usize = 64;

/// Packs screen or client coordinates into an lParam.
pub fn points(x: i32, y: i32) -> u32 {
    (x as u32 & 0xFFFF) | ((y as u32 & 0xFFFF) << 16)
}

impl WindowManager {
    /// Posts `m` to the queue of the thread owning `m.hwnd`; false when it has none.
    fn post_input(&mut self, m: Message) -> bool {
        let Some(w) = self.window(m.hwnd) else {
            return false;
        };
        let key = (w.process, w.thread);
        match self.queues.get_mut(&key) {
            Some(q) => {
                q.post(m);
                true
            }
            None => false,
        }
    }

    /// A key went down or up: its state changes, and the focus window (the active window
    /// when none has the focus) gets WM_KEYDOWN / WM_KEYUP, or WM_SYSKEYDOWN / WM_SYSKEYUP
    /// when Alt is held without Ctrl, for F10, for Alt itself, or when no window has the
    /// focus. lParam as NT builds it: repeat count 1, the scan code in bits 16-23, the
    /// extended bit 24, the context bit 29 (Alt down), the previous state bit 30, the
    /// transition bit 31. Returns whether a window got it.
    pub fn key_input(&mut self, vk: u8, scan: u8, extended: bool, down: bool, time: u32) -> bool {
        let d = &mut self.display;
        let was_down = d.is_down(vk);
        d.set_key(vk, down);
        if let Some(side) = sided(vk, scan, extended) {
            d.set_key(side, down);
        }
        let alt = d.is_down(VK_MENU);
        let ctrl = d.is_down(VK_CONTROL);
        let pt = d.cursor;
        let focus = self.full_handle(self.focus).unwrap_or(0);
        let target = if focus != 0 {
            focus
        } else {
            self.full_handle(self.active).unwrap_or(0)
        };
        if target == 0 {
            return false;
        }
        let sys = !ctrl && (alt || vk == VK_MENU || vk == VK_F10) || focus == 0;
        let message = match (sys, down) {
            (false, true) => WM_KEYDOWN,
            (false, false) => WM_KEYUP,
            (true, true) => WM_SYSKEYDOWN,
            (true, false) => WM_SYSKEYUP,
        };
        let lparam = 1
            | (u32::from(scan) << 16)
            | (u32::from(extended) << 24)
            | (u32::from(alt && !ctrl && sys) << 29)
            | (u32::from(was_down) << 30)
            | (u32::from(!down) << 31);
        self.post_input(Message {
            hwnd: target,
            message,
            wparam: u32::from(vk),
            lparam,
            time,
            pt,
        })
    }

    /// The mouse moved to, or a button went down or up at, screen point (x, y): the
    /// capture window, else the window under the point, gets the client message
    /// (WM_MOUSEMOVE, WM_LBUTTONDOWN...: MK_* flags, client coordinates) when the point is
    /// in its client area (or it has the capture), else the non-client one
    /// (WM_NCMOUSEMOVE, WM_NCLBUTTONDOWN...: the hit-test code, screen coordinates).
    /// The point is kept on the screen. Returns whether a window got it.
    pub fn mouse_input(&mut self, action: MouseAction, x: i32, y: i32, time: u32) -> bool {
        let (w, h) = self.screen_size();
        let (x, y) = (x.clamp(0, w - 1), y.clamp(0, h - 1));
        let d = &mut self.display;
        if action == MouseAction::Move && d.cursor == (x, y) {
            // The mouse did not go anywhere: NT makes no WM_MOUSEMOVE of it.
            return false;
        }
        d.cursor = (x, y);
        let vk_of = |b: Button| match b {
            Button::Left => VK_LBUTTON,
            Button::Right => VK_RBUTTON,
            Button::Middle => VK_MBUTTON,
        };
        // WM_LBUTTONDOWN 0x201, WM_RBUTTONDOWN 0x204, WM_MBUTTONDOWN 0x207; up is one more.
        let offset = match action {
            MouseAction::Move => 0,
            MouseAction::Down(b) => {
                d.set_key(vk_of(b), true);
                match b {
                    Button::Left => 1,
                    Button::Right => 4,
                    Button::Middle => 7,
                }
            }
            MouseAction::Up(b) => {
                d.set_key(vk_of(b), false);
                match b {
                    Button::Left => 2,
                    Button::Right => 5,
                    Button::Middle => 8,
                }
            }
        };
        let capture = self.full_handle(self.display.capture).unwrap_or(0);
        let target = if capture != 0 {
            capture
        } else {
            self.window_from_point(x, y)
        };
        if target == 0 || target == DESKTOP {
            return false;
        }
        let hit = if capture != 0 {
            HTCLIENT
        } else {
            self.hit_test(target, x, y)
        };
        // A second down of the same button on the same window within the double-click time
        // and rectangle is a double-click: WM_xBUTTONDBLCLK (two more than the down) for a
        // class with CS_DBLCLKS, WM_NCxBUTTONDBLCLK always outside the client area.
        let mut offset = offset;
        if matches!(offset, 1 | 4 | 7) {
            let double = self.display.last_down.is_some_and(|(o, h, t, p)| {
                o == offset
                    && h == target
                    && time.wrapping_sub(t) <= DOUBLE_CLICK_MS
                    && (x - p.0).abs() <= DOUBLE_CLICK_SIZE.0 / 2
                    && (y - p.1).abs() <= DOUBLE_CLICK_SIZE.1 / 2
            });
            let dblclks = self
                .window(target)
                .and_then(|w| self.class(w.class))
                .is_some_and(|c| c.style & CS_DBLCLKS != 0);
            if double && (hit != HTCLIENT || dblclks) {
                offset += 2;
                self.display.last_down = None;
            } else {
                self.display.last_down = Some((offset, target, time, (x, y)));
            }
        }
        let (message, wparam, lparam) = if hit == HTCLIENT {
            let (ox, oy) = self.client_origin(target);
            (
                WM_MOUSEMOVE + offset,
                self.display.mk_flags(),
                points(x - ox, y - oy),
            )
        } else {
            (WM_NCMOUSEMOVE + offset, hit, points(x, y))
        };
        let m = Message {
            hwnd: target,
            message,
            wparam,
            lparam,
            time,
            pt: (x, y),
        };
        let posted = self.post_input(m);
        if posted {
            let recent = &mut self.display.mouse_posted;
            if recent.len() >= MOUSE_POSTED_KEPT {
                recent.pop_front();
            }
            recent.push_back(m);
        }
        posted
    }

    /// Whether `m` is a mouse message input made (not one a program posted).
    pub fn is_mouse_input(&self, m: &Message) -> bool {
        self.display.mouse_posted.contains(m)
    }

    /// Input's mouse message `old` became `new` (its hit test said client or non-client).
    pub fn mouse_input_changed(&mut self, old: &Message, new: Message) {
        if let Some(slot) = self.display.mouse_posted.iter_mut().find(|m| *m == old) {
            *slot = new;
        }
    }

    /// Whether any thread's queue holds keyboard or mouse messages not yet taken.
    pub fn input_pending(&self) -> bool {
        self.queues.values().any(|q| {
            q.posted.iter().any(|m| {
                (0x0100..=0x0109).contains(&m.message)
                    || (0x0200..=0x020D).contains(&m.message)
                    || (0x00A0..=0x00AD).contains(&m.message)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Life, Queue, Rect, Window};

    fn with_window() -> (WindowManager, u32) {
        let mut wm = WindowManager::default();
        let style = 0x00CF_0000 | crate::WS_VISIBLE;
        let rect = Rect::new(10, 10, 110, 110);
        let h = wm.insert(Window {
            handle: 0,
            process: 1,
            thread: 2,
            class: 0,
            style,
            ex_style: 0,
            id: 0,
            user_data: 0,
            wndproc: 0,
            unicode: false,
            instance: 0,
            parent: DESKTOP,
            owner: 0,
            text: Vec::new(),
            rect,
            client: crate::geometry::client_from_window(rect, style, 0, false),
            extra: Vec::new(),
            children: Vec::new(),
            life: Life::Alive,
            size_move_owed: false,
        });
        let objects = nt_object::ObjectManager::new();
        let event = objects.create_event(nt_object::EventType::Notification, false);
        wm.queues.insert((1, 2), Queue::new(event));
        (wm, h)
    }

    fn taken(wm: &mut WindowManager) -> Vec<(u32, u32, u32)> {
        let q = wm.queues.get_mut(&(1, 2)).unwrap();
        q.posted
            .drain(..)
            .map(|m| (m.message, m.wparam, m.lparam))
            .collect()
    }

    #[test]
    fn keys_go_to_the_focus_with_nt_lparams_and_without_focus_as_system_keys() {
        let (mut wm, h) = with_window();
        assert!(
            !wm.key_input(b'A', 0x1E, false, true, 0),
            "no window is active"
        );
        wm.active = h;
        // Active but no focus: WM_SYSKEYDOWN without the context bit.
        assert!(wm.key_input(b'A', 0x1E, false, false, 0));
        wm.focus = h;
        wm.key_input(VK_MENU, 0x38, false, true, 0);
        wm.key_input(b'X', 0x2D, false, true, 0);
        wm.key_input(b'X', 0x2D, false, true, 0);
        wm.key_input(b'X', 0x2D, false, false, 0);
        wm.key_input(VK_MENU, 0x38, false, false, 0);
        wm.key_input(0x26, 0x48, true, true, 0);
        assert_eq!(
            taken(&mut wm),
            [
                (WM_SYSKEYUP, 0x41, 0xC01E_0001),
                (WM_SYSKEYDOWN, 0x12, 0x2038_0001),
                (WM_SYSKEYDOWN, 0x58, 0x202D_0001),
                (WM_SYSKEYDOWN, 0x58, 0x602D_0001), // a repeat: the previous state bit
                (WM_SYSKEYUP, 0x58, 0xE02D_0001),
                (WM_SYSKEYUP, 0x12, 0xC038_0001),
                (WM_KEYDOWN, 0x26, 0x0148_0001), // the extended bit
            ]
        );
        assert!(wm.display.is_down(0x26));
        assert!(!wm.display.is_down(VK_MENU));
        assert_eq!(wm.display.keys[0xA4] & 0x80, 0, "VK_LMENU is up again");
    }

    #[test]
    fn a_second_click_soon_and_near_is_a_double_click_for_a_cs_dblclks_class() {
        let (mut wm, h) = with_window();
        let class = wm.window(h).unwrap().class;
        let down = |wm: &mut WindowManager, x, y, t| {
            wm.mouse_input(MouseAction::Down(Button::Left), x, y, t);
            wm.mouse_input(MouseAction::Up(Button::Left), x, y, t);
        };
        // Without CS_DBLCLKS: two downs; in the caption: WM_NCLBUTTONDBLCLK.
        down(&mut wm, 20, 40, 1000);
        down(&mut wm, 21, 41, 1100);
        down(&mut wm, 50, 15, 2000);
        down(&mut wm, 50, 15, 2100);
        wm.class_mut(class).unwrap().style |= CS_DBLCLKS;
        down(&mut wm, 20, 40, 3000);
        down(&mut wm, 20, 40, 3400); // double
        down(&mut wm, 20, 40, 3500); // a third click starts again
        down(&mut wm, 20, 40, 4100); // too late
        down(&mut wm, 30, 40, 4200); // too far
        let downs: Vec<u32> = taken(&mut wm)
            .into_iter()
            .map(|m| m.0)
            .filter(|&m| m != 0x0202 && m != 0x00A2)
            .collect();
        assert_eq!(
            downs,
            [0x201, 0x201, 0xA1, 0xA3, 0x201, 0x203, 0x201, 0x201, 0x201]
        );
    }

    #[test]
    fn the_mouse_goes_to_the_window_under_it_or_the_capture() {
        let (mut wm, h) = with_window();
        // Client area from (14, 33): a click at (20, 40) is client (6, 7).
        wm.mouse_input(MouseAction::Down(Button::Left), 20, 40, 0);
        wm.mouse_input(MouseAction::Move, 50, 15, 0); // the caption
        wm.mouse_input(MouseAction::Move, 500, 500, 0); // the desktop: nobody
        wm.display.capture = h;
        wm.mouse_input(MouseAction::Up(Button::Left), 500, 500, 0);
        assert_eq!(
            taken(&mut wm),
            [
                (0x0201, MK_LBUTTON, 0x0007_0006),
                (WM_NCMOUSEMOVE, crate::nonclient::HTCAPTION, 0x000F_0032),
                (0x0202, 0, ((500 - 33) << 16) | (500 - 14)),
            ]
        );
    }
}
