//! The window manager of ntemu, as NT 4.0's win32k.sys keeps it: window classes, windows (one
//! tree under the desktop window, with owners beside it), one message queue per thread with
//! its posted and sent messages, and the thread's timers.
//!
//! This crate holds the state and its rules (handles, lookups, the class search order, the
//! window tree, the order messages leave a queue, the non-client geometry); USER32 (crates/
//! dlls/user32) calls the window procedures in guest code and turns these into its exports.
//! Nothing here touches guest memory.
//!
//! Window handles are NT's: the low word an index in the handle table, the high word a
//! uniqueness count bumped each time the slot is reused. The desktop window is the first
//! entry ([`DESKTOP`]). A handle whose high word is 0 or 0xFFFF matches any uniqueness, as
//! NT's handle validation accepts the 16-bit form.

pub mod font;
pub mod gdi;
pub mod geometry;
pub mod input;
pub mod menu;
pub mod nonclient;
pub mod queue;
pub mod region;
pub mod scrollbar;
pub mod surface;

use std::collections::BTreeMap;

pub use gdi::Gdi;
pub use geometry::Rect;
pub use input::DisplayState;
pub use queue::{Message, Queue, Sent, Timer};
pub use region::Region;
pub use surface::Surface;

/// The first index of the handle table: the desktop window's.
const FIRST_INDEX: u32 = 0x10;
/// The handle index of the console's window (the console server's, which KERNEL32's
/// GetConsoleWindow gives as 0x0001002C): never given to a window here.
pub const CONSOLE_INDEX: u32 = 0x2C;
/// The desktop window's handle.
pub const DESKTOP: u32 = 0x0001_0000 | FIRST_INDEX;

/// CS_GLOBALCLASS: an application global class, found for any instance of the process.
pub const CS_GLOBALCLASS: u32 = 0x4000;

/// WS_CHILD.
pub const WS_CHILD: u32 = 0x4000_0000;
/// WS_POPUP.
pub const WS_POPUP: u32 = 0x8000_0000;
/// WS_VISIBLE.
pub const WS_VISIBLE: u32 = 0x1000_0000;
/// WS_DISABLED.
pub const WS_DISABLED: u32 = 0x0800_0000;
/// WS_VSCROLL.
pub const WS_VSCROLL: u32 = 0x0020_0000;
/// WS_HSCROLL.
pub const WS_HSCROLL: u32 = 0x0010_0000;

/// A window class.
#[derive(Clone, Debug, Default)]
pub struct Class {
    /// The class atom (what RegisterClass returns).
    pub atom: u16,
    /// The name as registered.
    pub name: String,
    /// The process that registered it (0 for a system class).
    pub process: u32,
    /// The module instance it was registered with.
    pub instance: u32,
    /// CS_* styles.
    pub style: u32,
    /// The window procedure.
    pub wndproc: u32,
    /// The procedure expects UTF-16 text (registered by RegisterClassW / ExW).
    pub unicode: bool,
    /// The class extra bytes (cbClsExtra).
    pub extra: Vec<u8>,
    /// Extra bytes of each window (cbWndExtra).
    pub window_extra: u32,
    /// hIcon.
    pub icon: u32,
    /// hIconSm.
    pub icon_small: u32,
    /// hCursor.
    pub cursor: u32,
    /// hbrBackground.
    pub background: u32,
    /// lpszMenuName as given (a pointer or a resource number).
    pub menu_name: u32,
    /// A system class (registered by USER itself).
    pub system: bool,
    /// Windows of the class that exist.
    pub windows: u32,
}

/// Where a window is in its life.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Life {
    /// Being created: CreateWindowEx has not returned.
    Creating,
    /// Created.
    Alive,
    /// DestroyWindow has begun (WM_DESTROY sent or being sent).
    Destroying,
}

/// A window.
#[derive(Clone, Debug)]
pub struct Window {
    /// Its handle.
    pub handle: u32,
    /// The process and thread that created it (own its messages).
    pub process: u32,
    /// The owning thread.
    pub thread: u32,
    /// Index of its class in [`WindowManager::classes`].
    pub class: usize,
    /// WS_* styles.
    pub style: u32,
    /// WS_EX_* styles.
    pub ex_style: u32,
    /// The child id (GWL_ID), or the menu of a top-level window.
    pub id: u32,
    /// GWL_USERDATA.
    pub user_data: u32,
    /// The window procedure.
    pub wndproc: u32,
    /// The procedure expects UTF-16 text.
    pub unicode: bool,
    /// hInstance (GWL_HINSTANCE).
    pub instance: u32,
    /// The parent (the desktop for a top-level window; 0 for the desktop itself).
    pub parent: u32,
    /// The owner (top-level windows only; 0 for none).
    pub owner: u32,
    /// The title (window text).
    pub text: Vec<u16>,
    /// The window rectangle, in its parent's client coordinates.
    pub rect: Rect,
    /// The client rectangle, in its parent's client coordinates.
    pub client: Rect,
    /// The window extra bytes (cbWndExtra of the class).
    pub extra: Vec<u8>,
    /// Children, top of the Z order first.
    pub children: Vec<u32>,
    /// Where it is in its life.
    pub life: Life,
    /// WM_SIZE and WM_MOVE are still owed: an overlapped window created hidden gets them
    /// when first shown (NT's WFSENDSIZEMOVE).
    pub size_move_owed: bool,
}

/// One slot of the handle table.
#[derive(Default)]
struct Slot {
    uniq: u16,
    window: Option<Window>,
}

/// The window manager of one machine (one window station and desktop).
pub struct WindowManager {
    /// Registered classes; None where one was unregistered (indexes stay).
    pub classes: Vec<Option<Class>>,
    slots: Vec<Slot>,
    /// Message queues, by (process id, thread id).
    pub queues: BTreeMap<(u32, u32), Queue>,
    /// The next default position's step (CW_USEDEFAULT cascades).
    pub cascade: u32,
    /// The next id SetTimer gives a timer without a window.
    pub next_timer_id: u32,
    /// The active (foreground) window.
    pub active: u32,
    /// The window with the keyboard focus.
    pub focus: u32,
    /// The screen: the desktop and every visible window are drawn here, as NT 4.0 draws
    /// them straight to the display (no window has pixels of its own).
    pub screen: Surface,
    /// Where the screen is shown, and the keyboard and mouse.
    pub display: DisplayState,
    /// GDI's objects (device contexts, bitmaps, brushes, ...): see [`gdi`].
    pub gdi: Gdi,
    /// The update regions of windows (client coordinates) and whether each needs erasing.
    pub updates: BTreeMap<u32, Update>,
    /// The menus, and the popups shown while one is tracked: see [`menu`].
    pub menus: menu::Menus,
    /// The scroll bars of windows that have had any set (WS_HSCROLL, WS_VSCROLL).
    pub scroll_bars: BTreeMap<u32, scrollbar::WindowBars>,
}

/// What of a window needs painting: the region WM_PAINT is for.
#[derive(Clone, Debug, Default)]
pub struct Update {
    /// The invalid part, in the window's client coordinates.
    pub region: Region,
    /// BeginPaint sends WM_ERASEBKGND first.
    pub erase: bool,
}

impl Default for WindowManager {
    fn default() -> Self {
        let desktop_class = Class {
            name: "#32769".into(),
            atom: 32769,
            system: true,
            windows: 1,
            ..Class::default()
        };
        let screen = Rect::new(0, 0, geometry::DEFAULT_SCREEN.0, geometry::DEFAULT_SCREEN.1);
        let desktop = Window {
            handle: DESKTOP,
            process: 0,
            thread: 0,
            class: 0,
            style: WS_POPUP | WS_VISIBLE | 0x0600_0000, // WS_CLIPSIBLINGS | WS_CLIPCHILDREN
            ex_style: 0,
            id: 0,
            user_data: 0,
            wndproc: 0,
            unicode: true,
            instance: 0,
            parent: 0,
            owner: 0,
            text: Vec::new(),
            rect: screen,
            client: screen,
            extra: Vec::new(),
            children: Vec::new(),
            life: Life::Alive,
            size_move_owed: false,
        };
        WindowManager {
            classes: vec![Some(desktop_class)],
            slots: vec![Slot {
                uniq: 1,
                window: Some(desktop),
            }],
            queues: BTreeMap::new(),
            cascade: 0,
            next_timer_id: 1,
            active: 0,
            focus: 0,
            screen: Surface::new(
                geometry::DEFAULT_SCREEN.0 as u32,
                geometry::DEFAULT_SCREEN.1 as u32,
                surface::DESKTOP_COLOUR,
            ),
            display: DisplayState::default(),
            gdi: Gdi::default(),
            updates: BTreeMap::new(),
            menus: menu::Menus::default(),
            scroll_bars: BTreeMap::new(),
        }
    }
}

/// Where a class lookup looks for classes of the process: NT 4.0's order is the process's
/// local classes of the instance, then its global classes, then the system classes.
fn class_matches(class: &Class, name: &str, atom: Option<u16>) -> bool {
    match atom {
        Some(a) => class.atom == a,
        None => class.name.eq_ignore_ascii_case(name),
    }
}

/// A class name as the caller gave it: a string or an atom (MAKEINTATOM).
#[derive(Clone, Debug)]
pub enum ClassName {
    /// A string.
    Name(String),
    /// An atom.
    Atom(u16),
}

impl ClassName {
    fn parts(&self) -> (&str, Option<u16>) {
        match self {
            ClassName::Name(s) => (s.as_str(), None),
            ClassName::Atom(a) => ("", Some(*a)),
        }
    }
}

impl WindowManager {
    // ---- classes ---------------------------------------------------------------------

    /// The class `name` as process `process` with module `instance` finds it (local classes
    /// of that instance, then the process's global classes, then system classes).
    pub fn find_class(&self, process: u32, instance: u32, name: &ClassName) -> Option<usize> {
        let (name, atom) = name.parts();
        let live = || {
            self.classes
                .iter()
                .enumerate()
                .filter_map(|(i, c)| c.as_ref().map(|c| (i, c)))
        };
        live()
            .find(|(_, c)| {
                !c.system
                    && c.process == process
                    && c.style & CS_GLOBALCLASS == 0
                    && c.instance == instance
                    && class_matches(c, name, atom)
            })
            .or_else(|| {
                live().find(|(_, c)| {
                    !c.system
                        && c.process == process
                        && c.style & CS_GLOBALCLASS != 0
                        && class_matches(c, name, atom)
                })
            })
            .or_else(|| live().find(|(_, c)| c.system && class_matches(c, name, atom)))
            .map(|(i, _)| i)
    }

    /// The class of the process registered under `name` with `instance` (local), or global.
    fn registered_class(&self, process: u32, instance: u32, name: &ClassName) -> Option<usize> {
        let (name, atom) = name.parts();
        self.classes.iter().position(|c| {
            c.as_ref().is_some_and(|c| {
                !c.system
                    && c.process == process
                    && (c.instance == instance || c.style & CS_GLOBALCLASS != 0)
                    && class_matches(c, name, atom)
            })
        })
    }

    /// Adds a class; false when the process already has one of that name for the instance
    /// (or a global one of that name).
    pub fn register_class(&mut self, class: Class) -> bool {
        let name = ClassName::Name(class.name.clone());
        if !class.system
            && self
                .registered_class(class.process, class.instance, &name)
                .is_some()
        {
            return false;
        }
        if class.system
            && self
                .classes
                .iter()
                .flatten()
                .any(|c| c.system && c.name.eq_ignore_ascii_case(&class.name))
        {
            return false;
        }
        match self.classes.iter().position(Option::is_none) {
            Some(i) => self.classes[i] = Some(class),
            None => self.classes.push(Some(class)),
        }
        true
    }

    /// Removes a class of the process: Err(true) when it still has windows, Err(false) when
    /// there is no such class.
    pub fn unregister_class(
        &mut self,
        process: u32,
        instance: u32,
        name: &ClassName,
    ) -> Result<(), bool> {
        let index = self
            .registered_class(process, instance, name)
            .ok_or(false)?;
        if self.classes[index].as_ref().is_some_and(|c| c.windows > 0) {
            return Err(true);
        }
        self.classes[index] = None;
        Ok(())
    }

    /// The class at `index`.
    pub fn class(&self, index: usize) -> Option<&Class> {
        self.classes.get(index).and_then(Option::as_ref)
    }

    /// The class at `index`, to change.
    pub fn class_mut(&mut self, index: usize) -> Option<&mut Class> {
        self.classes.get_mut(index).and_then(Option::as_mut)
    }

    /// Whether a system class named `name` is registered.
    pub fn has_system_class(&self, name: &str) -> bool {
        self.classes
            .iter()
            .flatten()
            .any(|c| c.system && c.name.eq_ignore_ascii_case(name))
    }

    /// Forgets the classes a process registered (it has ended).
    pub fn forget_process(&mut self, process: u32) {
        for slot in &mut self.slots {
            if slot.window.as_ref().is_some_and(|w| w.process == process) {
                slot.window = None;
            }
        }
        let live: Vec<u32> = self.all_windows();
        for slot in self.slots.iter_mut() {
            if let Some(w) = slot.window.as_mut() {
                w.children.retain(|c| live.contains(c));
            }
        }
        for c in self.classes.iter_mut() {
            if c.as_ref()
                .is_some_and(|c| !c.system && c.process == process)
            {
                *c = None;
            }
        }
        self.queues.retain(|(p, _), _| *p != process);
        self.gdi.forget_process(process);
        self.menus.forget_process(process);
    }

    // ---- windows ---------------------------------------------------------------------

    fn index_of(&self, handle: u32) -> Option<usize> {
        let index = (handle & 0xFFFF).checked_sub(FIRST_INDEX)? as usize;
        let slot = self.slots.get(index)?;
        let uniq = (handle >> 16) as u16;
        let w = slot.window.as_ref()?;
        (uniq == 0 || uniq == 0xFFFF || uniq == slot.uniq).then_some(())?;
        let _ = w;
        Some(index)
    }

    /// The window `handle` names, in its full (32-bit) form.
    pub fn full_handle(&self, handle: u32) -> Option<u32> {
        self.window(handle).map(|w| w.handle)
    }

    /// The window `handle` names.
    pub fn window(&self, handle: u32) -> Option<&Window> {
        let i = self.index_of(handle)?;
        self.slots[i].window.as_ref()
    }

    /// The window `handle` names, to change.
    pub fn window_mut(&mut self, handle: u32) -> Option<&mut Window> {
        let i = self.index_of(handle)?;
        self.slots[i].window.as_mut()
    }

    /// Every window's handle, in handle-table order.
    pub fn all_windows(&self) -> Vec<u32> {
        self.slots
            .iter()
            .filter_map(|s| s.window.as_ref().map(|w| w.handle))
            .collect()
    }

    /// Adds a window (its `handle` is assigned here) to its parent's children, and counts it
    /// in its class: a top-level window goes on top of the Z order, a child window below its
    /// siblings (so a dialog's controls stay in the order they were made). Returns the handle,
    /// 0 when the handle table is full.
    pub fn insert(&mut self, mut window: Window) -> u32 {
        let reserved = |i: usize| i as u32 + FIRST_INDEX == CONSOLE_INDEX;
        let free = self
            .slots
            .iter()
            .enumerate()
            .position(|(i, s)| s.window.is_none() && !reserved(i));
        let index = match free {
            Some(i) => i,
            None => {
                self.slots.push(Slot::default());
                if reserved(self.slots.len() - 1) {
                    self.slots.push(Slot::default());
                }
                self.slots.len() - 1
            }
        };
        if index as u32 + FIRST_INDEX > 0xFFFF {
            // The handle table is full: 16 bits of index.
            return 0;
        }
        let slot = &mut self.slots[index];
        slot.uniq = match slot.uniq.wrapping_add(1) {
            0 | 0xFFFF => 1,
            u => u,
        };
        let handle = (u32::from(slot.uniq) << 16) | (index as u32 + FIRST_INDEX);
        window.handle = handle;
        let (parent, class, child) = (window.parent, window.class, window.style & WS_CHILD != 0);
        slot.window = Some(window);
        if let Some(p) = self.window_mut(parent) {
            if child {
                p.children.push(handle);
            } else {
                p.children.insert(0, handle);
            }
        }
        if let Some(c) = self.class_mut(class) {
            c.windows += 1;
        }
        handle
    }

    /// Removes a window (not its children) from the table and its parent's list.
    pub fn remove(&mut self, handle: u32) -> Option<Window> {
        let index = self.index_of(handle)?;
        let window = self.slots[index].window.take()?;
        self.updates.remove(&window.handle);
        self.scroll_bars.remove(&window.handle);
        if let Some(p) = self.window_mut(window.parent) {
            p.children.retain(|&c| c != window.handle);
        }
        if let Some(c) = self.class_mut(window.class) {
            c.windows = c.windows.saturating_sub(1);
        }
        for slot in self.slots.iter_mut() {
            if let Some(w) = slot.window.as_mut()
                && w.owner == window.handle
            {
                w.owner = 0;
            }
        }
        if self.active == window.handle {
            self.active = 0;
        }
        if self.focus == window.handle {
            self.focus = 0;
        }
        if self.display.capture == window.handle {
            self.display.capture = 0;
        }
        self.display.frame_active.remove(&window.handle);
        // A top-level window's menu and its system menu go with it, as on NT.
        if window.style & WS_CHILD == 0 && window.id != 0 {
            self.menus.destroy(window.id);
        }
        if let Some(m) = self.menus.system_menus.remove(&window.handle) {
            self.menus.destroy(m);
        }
        for q in self.queues.values_mut() {
            q.timers.retain(|t| t.hwnd != window.handle);
        }
        Some(window)
    }

    /// The children of `handle`, top of the Z order first.
    pub fn children(&self, handle: u32) -> Vec<u32> {
        self.window(handle)
            .map(|w| w.children.clone())
            .unwrap_or_default()
    }

    /// All descendants of `handle`, each before its own children (depth first, Z order).
    pub fn descendants(&self, handle: u32) -> Vec<u32> {
        let mut out = Vec::new();
        for c in self.children(handle) {
            out.push(c);
            out.extend(self.descendants(c));
        }
        out
    }

    /// The top-level windows owned by `handle`.
    pub fn owned(&self, handle: u32) -> Vec<u32> {
        self.children(DESKTOP)
            .into_iter()
            .filter(|&w| self.window(w).is_some_and(|w| w.owner == handle))
            .collect()
    }

    /// Whether `child` is a descendant of `parent` through WS_CHILD links.
    pub fn is_child(&self, parent: u32, child: u32) -> bool {
        let Some(parent) = self.full_handle(parent) else {
            return false;
        };
        let mut w = child;
        while let Some(win) = self.window(w) {
            if win.style & WS_CHILD == 0 {
                return false;
            }
            if win.parent == parent {
                return true;
            }
            w = win.parent;
        }
        false
    }

    /// Whether `ancestor` is `handle` or one of its parents (any link, WS_CHILD or not).
    pub fn is_ancestor(&self, ancestor: u32, handle: u32) -> bool {
        let mut h = handle;
        for _ in 0..=self.slots.len() {
            let Some(w) = self.window(h) else {
                return false;
            };
            if w.handle == ancestor {
                return true;
            }
            h = w.parent;
        }
        false
    }

    /// Moves `handle` to the top of its parent's Z order.
    pub fn bring_to_top(&mut self, handle: u32) {
        let Some(parent) = self.window(handle).map(|w| w.parent) else {
            return;
        };
        if let Some(p) = self.window_mut(parent) {
            p.children.retain(|&c| c != handle);
            p.children.insert(0, handle);
        }
    }

    /// The origin of `handle`'s client area on the screen.
    pub fn client_origin(&self, handle: u32) -> (i32, i32) {
        let mut x = 0;
        let mut y = 0;
        let mut w = handle;
        while let Some(win) = self.window(w) {
            if win.handle == DESKTOP {
                break;
            }
            x = win.client.left.wrapping_add(x);
            y = win.client.top.wrapping_add(y);
            w = win.parent;
        }
        (x, y)
    }

    /// The origin of `handle`'s parent's client area on the screen.
    pub fn parent_origin(&self, handle: u32) -> (i32, i32) {
        match self.window(handle) {
            Some(w) if w.handle != DESKTOP => self.client_origin(w.parent),
            _ => (0, 0),
        }
    }

    // ---- queues ----------------------------------------------------------------------

    /// The queue of a thread, made with `event` (the object its waits use) on first use.
    pub fn queue(
        &mut self,
        process: u32,
        thread: u32,
        event: impl FnOnce() -> std::sync::Arc<nt_object::Object>,
    ) -> &mut Queue {
        self.queues
            .entry((process, thread))
            .or_insert_with(|| Queue::new(event()))
    }

    /// The queue of a thread, if it has one.
    pub fn queue_of(&mut self, process: u32, thread: u32) -> Option<&mut Queue> {
        self.queues.get_mut(&(process, thread))
    }

    /// The queue of thread `thread` (of any process) if it has one, with its key.
    pub fn queue_of_thread(&mut self, thread: u32) -> Option<((u32, u32), &mut Queue)> {
        self.queues
            .iter_mut()
            .find(|((_, t), _)| *t == thread)
            .map(|(k, q)| (*k, q))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(parent: u32, class: usize) -> Window {
        Window {
            handle: 0,
            process: 1,
            thread: 2,
            class,
            style: 0,
            ex_style: 0,
            id: 0,
            user_data: 0,
            wndproc: 0,
            unicode: false,
            instance: 0,
            parent,
            owner: 0,
            text: Vec::new(),
            rect: Rect::default(),
            client: Rect::default(),
            extra: Vec::new(),
            children: Vec::new(),
            life: Life::Alive,
            size_move_owed: false,
        }
    }

    #[test]
    fn handles_carry_a_uniqueness_that_changes_when_a_slot_is_reused() {
        let mut wm = WindowManager::default();
        assert!(wm.window(DESKTOP).is_some());
        let a = wm.insert(window(DESKTOP, 0));
        assert_eq!(a & 0xFFFF, FIRST_INDEX + 1);
        assert!(wm.window(a & 0xFFFF).is_some(), "the 16-bit form names it");
        wm.remove(a);
        assert!(wm.window(a).is_none());
        let b = wm.insert(window(DESKTOP, 0));
        assert_eq!(a & 0xFFFF, b & 0xFFFF);
        assert_ne!(a, b);
        assert!(wm.window(a).is_none(), "the old handle is stale");
    }

    #[test]
    fn class_lookup_prefers_local_then_global_then_system_classes() {
        let mut wm = WindowManager::default();
        let mk = |name: &str, instance, style, system| Class {
            name: name.into(),
            process: if system { 0 } else { 7 },
            instance,
            style,
            system,
            ..Class::default()
        };
        assert!(wm.register_class(mk("Button", 0, 0, true)));
        assert!(wm.register_class(mk("BUTTON", 0x10000000, 0, false)));
        assert!(wm.register_class(mk("button", 0x400000, CS_GLOBALCLASS, false)));
        assert!(!wm.register_class(mk("Button", 0x10000000, 0, false)));
        assert!(
            !wm.register_class(mk("Button", 0x20000000, 0, false)),
            "a global one has it"
        );
        let name = ClassName::Name("Button".into());
        let local = wm.find_class(7, 0x10000000, &name).unwrap();
        assert_eq!(wm.class(local).unwrap().instance, 0x10000000);
        let global = wm.find_class(7, 0x20000000, &name).unwrap();
        assert_eq!(wm.class(global).unwrap().instance, 0x400000);
        let system = wm.find_class(8, 0, &name).unwrap();
        assert!(wm.class(system).unwrap().system);
    }

    #[test]
    fn descendants_come_depth_first_in_z_order() {
        let mut wm = WindowManager::default();
        let top = wm.insert(window(DESKTOP, 0));
        let mut c1 = window(top, 0);
        c1.style = WS_CHILD;
        let c1 = wm.insert(c1);
        let mut c2 = window(top, 0);
        c2.style = WS_CHILD;
        let c2 = wm.insert(c2);
        let mut g = window(c1, 0);
        g.style = WS_CHILD;
        let g = wm.insert(g);
        assert_eq!(wm.descendants(top), vec![c1, g, c2]);
        assert!(wm.is_child(top, g));
        assert!(!wm.is_child(c2, g));
    }
}
