//! Cursors and icons as handles: LoadCursorA/W and LoadIconA/W give the system's stock
//! cursors and icons (hInstance NULL, an IDC_* / IDI_* number) and a module's own
//! RT_GROUP_CURSOR / RT_GROUP_ICON resources, each one handle per resource for the life of
//! the machine; SetCursor, GetCursor, ShowCursor, DestroyCursor and DestroyIcon keep the
//! bookkeeping. There is no display yet, so nothing is drawn.

use std::collections::BTreeMap;

use pe_image::resources::ResourceId;
use win32::{ApiCall, ApiReturn, export};

use crate::wm::read_text;

/// The first handle of the stock cursors and icons (user handles far from window ones).
const STOCK_BASE: u32 = 0x0001_F000;
/// The handle of the arrow cursor (IDC_ARROW), the system classes' cursor.
pub const IDC_ARROW_HANDLE: u32 = STOCK_BASE;
/// The handles of a module's cursors and icons start here.
const MODULE_BASE: u32 = 0x0001_F800;

/// The stock cursors, IDC_ARROW (32512) first.
const STOCK_CURSORS: &[u32] = &[
    32512, 32513, 32514, 32515, 32516, 32640, 32641, 32642, 32643, 32644, 32645, 32646, 32648,
    32650, 32651,
];
/// The stock icons, IDI_APPLICATION (32512) first.
const STOCK_ICONS: &[u32] = &[32512, 32513, 32514, 32515, 32516, 32517];

/// RT_GROUP_CURSOR.
const RT_GROUP_CURSOR: u16 = 12;
/// RT_GROUP_ICON.
const RT_GROUP_ICON: u16 = 14;

/// The cursor state of the machine.
#[derive(Default)]
struct Cursors {
    /// Handles given for a module's resources, by (module, type, name).
    loaded: BTreeMap<(u32, u16, String), u32>,
    /// The cursor SetCursor last set.
    current: u32,
    /// ShowCursor's display count.
    shown: i32,
}

/// LoadCursor/LoadIcon's work.
pub fn load(call: &mut ApiCall<'_>, module: u32, name: u32, wide: bool, icon: bool) -> ApiReturn {
    if module == 0 {
        let table = if icon { STOCK_ICONS } else { STOCK_CURSORS };
        let base = if icon { STOCK_BASE + 0x100 } else { STOCK_BASE };
        return match table.iter().position(|&id| id == name) {
            Some(i) => ApiReturn::Value(base + i as u32),
            None => call.fail(nt_status::NtStatus::RESOURCE_NAME_NOT_FOUND),
        };
    }
    let id = if name < 0x1_0000 {
        ResourceId::Id(name as u16)
    } else {
        match read_text(call, name, wide) {
            Some(u) => ResourceId::Name(String::from_utf16_lossy(&u).to_uppercase()),
            None => return call.fail(nt_status::NtStatus::ACCESS_VIOLATION),
        }
    };
    let kind = if icon { RT_GROUP_ICON } else { RT_GROUP_CURSOR };
    if let Err(missing) = kernel32::resource::find(call, module, &ResourceId::Id(kind), &id, 0) {
        return call.fail(missing.status());
    }
    let key = (
        module,
        kind,
        match &id {
            ResourceId::Id(n) => format!("#{n}"),
            ResourceId::Name(s) => s.clone(),
        },
    );
    let cursors = call.state.get::<Cursors>();
    let next = MODULE_BASE + cursors.loaded.len() as u32;
    ApiReturn::Value(*cursors.loaded.entry(key).or_insert(next))
}

/// HCURSOR LoadCursorA(HINSTANCE hInstance, LPCSTR lpCursorName).
#[export]
fn LoadCursorA(call: &mut ApiCall<'_>, hInstance: u32, lpCursorName: u32) -> ApiReturn {
    load(call, hInstance, lpCursorName, false, false)
}

/// HCURSOR LoadCursorW(HINSTANCE hInstance, LPCWSTR lpCursorName).
#[export]
fn LoadCursorW(call: &mut ApiCall<'_>, hInstance: u32, lpCursorName: u32) -> ApiReturn {
    load(call, hInstance, lpCursorName, true, false)
}

/// HICON LoadIconA(HINSTANCE hInstance, LPCSTR lpIconName).
#[export]
fn LoadIconA(call: &mut ApiCall<'_>, hInstance: u32, lpIconName: u32) -> ApiReturn {
    load(call, hInstance, lpIconName, false, true)
}

/// HICON LoadIconW(HINSTANCE hInstance, LPCWSTR lpIconName).
#[export]
fn LoadIconW(call: &mut ApiCall<'_>, hInstance: u32, lpIconName: u32) -> ApiReturn {
    load(call, hInstance, lpIconName, true, true)
}

/// HCURSOR SetCursor(HCURSOR hCursor): the previous cursor.
#[export]
fn SetCursor(call: &mut ApiCall<'_>, hCursor: u32) -> u32 {
    std::mem::replace(&mut call.state.get::<Cursors>().current, hCursor)
}

/// HCURSOR GetCursor(void).
#[export]
fn GetCursor(call: &mut ApiCall<'_>) -> u32 {
    call.state.get::<Cursors>().current
}

/// int ShowCursor(BOOL bShow): the new display count (starting at 0, a mouse being there).
#[export]
fn ShowCursor(call: &mut ApiCall<'_>, bShow: bool) -> u32 {
    let c = call.state.get::<Cursors>();
    c.shown += if bShow { 1 } else { -1 };
    c.shown as u32
}

/// BOOL DestroyCursor(HCURSOR hCursor): TRUE (shared cursors stay).
#[export]
fn DestroyCursor(call: &mut ApiCall<'_>, hCursor: u32) -> bool {
    let _ = (call, hCursor);
    true
}

/// BOOL DestroyIcon(HICON hIcon): TRUE (shared icons stay).
#[export]
fn DestroyIcon(call: &mut ApiCall<'_>, hIcon: u32) -> bool {
    let _ = (call, hIcon);
    true
}
