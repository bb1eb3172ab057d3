//! Menus: the menu objects' exports (CreateMenu, AppendMenu, InsertMenuItem, GetMenuState,
//! CheckMenuItem...), LoadMenu and LoadMenuIndirect from RT_MENU templates (standard and
//! MENUEX), a top-level window's menu bar (SetMenu, GetMenu, DrawMenuBar, the class's
//! lpszMenuName), the system menu, and the tracking of menus ([`track`]): NT 4.0's modal
//! menu loop run on the calling thread, for the menu bar (a click on it, Alt, F10, Alt and
//! a mnemonic) and for TrackPopupMenu(Ex).
//!
//! The objects live in win32k's [`win32k::menu::Menus`]; their handles are NT's form (an
//! index in the low word, a uniqueness count in the high word). A bad handle is
//! ERROR_INVALID_MENU_HANDLE. MF_BYCOMMAND finds an item by its command id through the
//! submenus, depth first; MF_BYPOSITION by its position in the menu itself. Structures
//! (MENUITEMINFO, TPMPARAMS) are the same 32-bit layout on x86 and Alpha.

use std::collections::{BTreeMap, VecDeque};

use nt_status::{NtStatus, Win32Error};
use pe_image::resources::{ResourceId, rt};
use pe_image::templates;
use win32::{ApiCall, ApiReturn, Ptr, export};
use win32k::Class;
use win32k::geometry::Rect;
use win32k::menu::{
    Item, MF_DISABLED, MF_GRAYED, MF_POPUP, MFS_CHECKED, MFS_DEFAULT, MFS_GRAYED, MFS_HILITE,
    MFT_BITMAP, MFT_OWNERDRAW, MFT_RADIOCHECK, MFT_SEPARATOR, Menu, Menus, upper,
};

use crate::guest::{Step, run, scratch};
use crate::wm::*;

/// MF_BYPOSITION.
const MF_BYPOSITION: u32 = 0x0400;
/// MF_HILITE.
const MF_HILITE: u32 = 0x0080;
/// MF_SYSMENU: WM_MENUSELECT's flag for the system menu.
const MF_SYSMENU: u32 = 0x2000;
/// MF_MOUSESELECT: WM_MENUSELECT's flag for a selection with the mouse.
const MF_MOUSESELECT: u32 = 0x8000;
/// The MF_ flags that are an item's type.
const TYPE_FLAGS: u32 = 0x0004 | 0x0020 | 0x0040 | 0x0100 | 0x0200 | 0x0800 | 0x2000 | 0x4000;
/// The MF_ flags that are an item's state.
const STATE_FLAGS: u32 = MF_GRAYED | MF_DISABLED | MFS_CHECKED | MFS_HILITE | MFS_DEFAULT;

/// WM_INITMENU.
const WM_INITMENU: u32 = 0x0116;
/// WM_INITMENUPOPUP.
const WM_INITMENUPOPUP: u32 = 0x0117;
/// WM_MENUSELECT.
const WM_MENUSELECT: u32 = 0x011F;
/// WM_ENTERMENULOOP.
const WM_ENTERMENULOOP: u32 = 0x0211;
/// WM_EXITMENULOOP.
const WM_EXITMENULOOP: u32 = 0x0212;
/// WM_COMMAND.
pub const WM_COMMAND: u32 = 0x0111;

/// SC_MOUSEMENU.
pub const SC_MOUSEMENU: u32 = 0xF090;
/// SC_KEYMENU.
pub const SC_KEYMENU: u32 = 0xF100;

/// TPM_CENTERALIGN.
const TPM_CENTERALIGN: u32 = 0x0004;
/// TPM_RIGHTALIGN.
const TPM_RIGHTALIGN: u32 = 0x0008;
/// TPM_VCENTERALIGN.
const TPM_VCENTERALIGN: u32 = 0x0010;
/// TPM_BOTTOMALIGN.
const TPM_BOTTOMALIGN: u32 = 0x0020;
/// TPM_NONOTIFY.
const TPM_NONOTIFY: u32 = 0x0080;
/// TPM_RETURNCMD.
const TPM_RETURNCMD: u32 = 0x0100;

/// sizeof(MENUITEMINFO) on NT 4.0 (no hbmpItem: that is Windows 98's and 2000's).
const MENUITEMINFO_SIZE: u32 = 44;
const MIIM_STATE: u32 = 0x01;
const MIIM_ID: u32 = 0x02;
const MIIM_SUBMENU: u32 = 0x04;
const MIIM_CHECKMARKS: u32 = 0x08;
const MIIM_TYPE: u32 = 0x10;
const MIIM_DATA: u32 = 0x20;

/// The machine's menus.
fn menus<'a>(call: &'a mut ApiCall<'_>) -> &'a mut Menus {
    &mut wm(call).menus
}

/// The full handle of a menu, or ERROR_INVALID_MENU_HANDLE.
fn valid(call: &mut ApiCall<'_>, menu: u32) -> Result<u32, ()> {
    match menus(call).get(menu).map(|m| m.handle) {
        Some(h) => Ok(h),
        None => {
            call.set_last_error(Win32Error::INVALID_MENU_HANDLE.0);
            Err(())
        }
    }
}

/// A new menu of the calling process.
fn new_menu(call: &mut ApiCall<'_>, popup: bool) -> u32 {
    let process = call.thread.process;
    menus(call).insert(Menu {
        process,
        popup,
        ..Menu::default()
    })
}

/// HMENU CreateMenu(void).
#[export]
pub fn CreateMenu(call: &mut ApiCall<'_>) -> u32 {
    new_menu(call, false)
}

/// HMENU CreatePopupMenu(void).
#[export]
pub fn CreatePopupMenu(call: &mut ApiCall<'_>) -> u32 {
    new_menu(call, true)
}

/// BOOL DestroyMenu(HMENU hMenu): the menu and its submenus.
#[export]
pub fn DestroyMenu(call: &mut ApiCall<'_>, hMenu: u32) -> bool {
    if valid(call, hMenu).is_err() {
        return false;
    }
    menus(call).destroy(hMenu)
}

/// BOOL IsMenu(HMENU hMenu).
#[export]
pub fn IsMenu(call: &mut ApiCall<'_>, hMenu: u32) -> bool {
    menus(call).get(hMenu).is_some()
}

/// The item the old calls' flags, id and data describe (`lp` a string, a bitmap or the
/// owner-draw data). Err when the string cannot be read or the submenu is not a menu.
fn item_from_flags(
    call: &mut ApiCall<'_>,
    flags: u32,
    id: u32,
    lp: u32,
    wide: bool,
) -> Result<Item, Win32Error> {
    let mut item = Item {
        item_type: flags & TYPE_FLAGS,
        state: flags & STATE_FLAGS,
        id,
        ..Item::default()
    };
    if flags & MF_POPUP != 0 {
        item.submenu = menus(call)
            .get(id)
            .map(|m| m.handle)
            .ok_or(Win32Error::INVALID_MENU_HANDLE)?;
        if let Some(m) = menus(call).get_mut(id) {
            m.popup = true;
        }
    }
    if item.item_type & MFT_SEPARATOR != 0 {
        // A separator of the old calls is grayed: never chosen.
        item.state |= MFS_GRAYED;
    } else if item.item_type & (MFT_BITMAP | MFT_OWNERDRAW) == 0 {
        if lp == 0 {
            item.item_type |= MFT_SEPARATOR;
        } else {
            item.text = read_text(call, lp, wide).ok_or(Win32Error::NOACCESS)?;
        }
    } else if item.item_type & MFT_OWNERDRAW != 0 {
        item.data = lp;
        item.type_data = lp;
    } else if item.item_type & MFT_BITMAP != 0 {
        item.type_data = lp;
    }
    Ok(item)
}

/// Puts `item` into `menu` at `position` (the end when past it).
fn insert_at(call: &mut ApiCall<'_>, menu: u32, position: usize, item: Item) -> bool {
    match menus(call).get_mut(menu) {
        Some(m) => {
            let at = position.min(m.items.len());
            m.items.insert(at, item);
            true
        }
        None => false,
    }
}

/// InsertMenu's and AppendMenu's work.
fn insert_menu(
    call: &mut ApiCall<'_>,
    menu: u32,
    position: u32,
    flags: u32,
    id: u32,
    lp: u32,
    wide: bool,
) -> bool {
    let Ok(menu) = valid(call, menu) else {
        return false;
    };
    let item = match item_from_flags(call, flags, id, lp, wide) {
        Ok(i) => i,
        Err(e) => {
            call.set_last_error(e.0);
            return false;
        }
    };
    let (target, at) = if flags & MF_BYPOSITION != 0 || position == u32::MAX {
        (menu, position as usize)
    } else {
        match menus(call).find(menu, position, false) {
            Some(found) => found,
            None => {
                call.set_last_error(Win32Error::MENU_ITEM_NOT_FOUND.0);
                return false;
            }
        }
    };
    insert_at(call, target, at, item)
}

/// BOOL AppendMenuA(HMENU hMenu, UINT uFlags, UINT_PTR uIDNewItem, LPCSTR lpNewItem).
#[export]
pub fn AppendMenuA(
    call: &mut ApiCall<'_>,
    hMenu: u32,
    uFlags: u32,
    uIDNewItem: u32,
    lpNewItem: u32,
) -> bool {
    insert_menu(
        call,
        hMenu,
        u32::MAX,
        uFlags | MF_BYPOSITION,
        uIDNewItem,
        lpNewItem,
        false,
    )
}

/// BOOL AppendMenuW(HMENU hMenu, UINT uFlags, UINT_PTR uIDNewItem, LPCWSTR lpNewItem).
#[export]
pub fn AppendMenuW(
    call: &mut ApiCall<'_>,
    hMenu: u32,
    uFlags: u32,
    uIDNewItem: u32,
    lpNewItem: u32,
) -> bool {
    insert_menu(
        call,
        hMenu,
        u32::MAX,
        uFlags | MF_BYPOSITION,
        uIDNewItem,
        lpNewItem,
        true,
    )
}

/// BOOL InsertMenuA(HMENU hMenu, UINT uPosition, UINT uFlags, UINT_PTR uIDNewItem, LPCSTR
/// lpNewItem): before the item uPosition names (-1: at the end).
#[export]
pub fn InsertMenuA(
    call: &mut ApiCall<'_>,
    hMenu: u32,
    uPosition: u32,
    uFlags: u32,
    uIDNewItem: u32,
    lpNewItem: u32,
) -> bool {
    insert_menu(call, hMenu, uPosition, uFlags, uIDNewItem, lpNewItem, false)
}

/// BOOL InsertMenuW(HMENU hMenu, UINT uPosition, UINT uFlags, UINT_PTR uIDNewItem, LPCWSTR
/// lpNewItem).
#[export]
pub fn InsertMenuW(
    call: &mut ApiCall<'_>,
    hMenu: u32,
    uPosition: u32,
    uFlags: u32,
    uIDNewItem: u32,
    lpNewItem: u32,
) -> bool {
    insert_menu(call, hMenu, uPosition, uFlags, uIDNewItem, lpNewItem, true)
}

/// ModifyMenuA/W's work: the item takes the new flags, id and text; a submenu it no
/// longer opens is destroyed.
fn modify_menu(
    call: &mut ApiCall<'_>,
    menu: u32,
    position: u32,
    flags: u32,
    id: u32,
    lp: u32,
    wide: bool,
) -> bool {
    let Ok(menu) = valid(call, menu) else {
        return false;
    };
    let by_position = flags & MF_BYPOSITION != 0;
    let Some((m, i)) = menus(call).find(menu, position, by_position) else {
        call.set_last_error(Win32Error::MENU_ITEM_NOT_FOUND.0);
        return false;
    };
    let item = match item_from_flags(call, flags, id, lp, wide) {
        Ok(i) => i,
        Err(e) => {
            call.set_last_error(e.0);
            return false;
        }
    };
    let old = menus(call)
        .get_mut(m)
        .and_then(|m| m.items.get_mut(i))
        .map(|slot| std::mem::replace(slot, item.clone()));
    if let Some(old) = old
        && old.submenu != 0
        && old.submenu != item.submenu
    {
        menus(call).destroy(old.submenu);
    }
    true
}

/// BOOL ModifyMenuA(HMENU hMnu, UINT uPosition, UINT uFlags, UINT_PTR uIDNewItem, LPCSTR
/// lpNewItem).
#[export]
pub fn ModifyMenuA(
    call: &mut ApiCall<'_>,
    hMnu: u32,
    uPosition: u32,
    uFlags: u32,
    uIDNewItem: u32,
    lpNewItem: u32,
) -> bool {
    modify_menu(call, hMnu, uPosition, uFlags, uIDNewItem, lpNewItem, false)
}

/// BOOL ModifyMenuW(HMENU hMnu, UINT uPosition, UINT uFlags, UINT_PTR uIDNewItem, LPCWSTR
/// lpNewItem).
#[export]
pub fn ModifyMenuW(
    call: &mut ApiCall<'_>,
    hMnu: u32,
    uPosition: u32,
    uFlags: u32,
    uIDNewItem: u32,
    lpNewItem: u32,
) -> bool {
    modify_menu(call, hMnu, uPosition, uFlags, uIDNewItem, lpNewItem, true)
}

/// RemoveMenu's and DeleteMenu's work (`destroy`: the submenu goes too).
fn remove_menu(
    call: &mut ApiCall<'_>,
    menu: u32,
    position: u32,
    flags: u32,
    destroy: bool,
) -> bool {
    let Ok(menu) = valid(call, menu) else {
        return false;
    };
    let Some((m, i)) = menus(call).find(menu, position, flags & MF_BYPOSITION != 0) else {
        call.set_last_error(Win32Error::MENU_ITEM_NOT_FOUND.0);
        return false;
    };
    let Some(item) = menus(call).get_mut(m).map(|m| m.items.remove(i)) else {
        return false;
    };
    if destroy && item.submenu != 0 {
        menus(call).destroy(item.submenu);
    }
    true
}

/// BOOL RemoveMenu(HMENU hMenu, UINT uPosition, UINT uFlags): the submenu stays.
#[export]
pub fn RemoveMenu(call: &mut ApiCall<'_>, hMenu: u32, uPosition: u32, uFlags: u32) -> bool {
    remove_menu(call, hMenu, uPosition, uFlags, false)
}

/// BOOL DeleteMenu(HMENU hMenu, UINT uPosition, UINT uFlags): the submenu is destroyed.
#[export]
pub fn DeleteMenu(call: &mut ApiCall<'_>, hMenu: u32, uPosition: u32, uFlags: u32) -> bool {
    remove_menu(call, hMenu, uPosition, uFlags, true)
}

/// HMENU GetSubMenu(HMENU hMenu, int nPos): the submenu at the position, 0 for none.
#[export]
pub fn GetSubMenu(call: &mut ApiCall<'_>, hMenu: u32, nPos: u32) -> u32 {
    if valid(call, hMenu).is_err() {
        return 0;
    }
    menus(call).item(hMenu, nPos, true).map_or(0, |i| i.submenu)
}

/// int GetMenuItemCount(HMENU hMenu): -1 for a bad handle.
#[export]
pub fn GetMenuItemCount(call: &mut ApiCall<'_>, hMenu: u32) -> u32 {
    if valid(call, hMenu).is_err() {
        return u32::MAX;
    }
    menus(call)
        .get(hMenu)
        .map_or(u32::MAX, |m| m.items.len() as u32)
}

/// UINT GetMenuItemID(HMENU hMenu, int nPos): -1 for a popup item or none.
#[export]
pub fn GetMenuItemID(call: &mut ApiCall<'_>, hMenu: u32, nPos: u32) -> u32 {
    if valid(call, hMenu).is_err() {
        return u32::MAX;
    }
    match menus(call).item(hMenu, nPos, true) {
        Some(i) if !i.is_popup() => i.id,
        _ => u32::MAX,
    }
}

/// UINT GetMenuState(HMENU hMenu, UINT uId, UINT uFlags): the item's MF_ flags; for a
/// popup item its submenu's item count in the high byte of the low word and its flags
/// (with MF_POPUP) in the low byte; -1 when there is no such item.
#[export]
pub fn GetMenuState(call: &mut ApiCall<'_>, hMenu: u32, uId: u32, uFlags: u32) -> u32 {
    if valid(call, hMenu).is_err() {
        return u32::MAX;
    }
    let m = menus(call);
    let Some(item) = m.item(hMenu, uId, uFlags & MF_BYPOSITION != 0) else {
        return u32::MAX;
    };
    if item.is_popup() {
        let count = m.get(item.submenu).map_or(0, |s| s.items.len() as u32);
        (count << 8) | (item.flags() & 0xFF)
    } else {
        item.flags()
    }
}

/// GetMenuStringA/W's work.
fn get_menu_string(
    call: &mut ApiCall<'_>,
    menu: u32,
    id: u32,
    buffer: u32,
    max: u32,
    flags: u32,
    wide: bool,
) -> u32 {
    if valid(call, menu).is_err() {
        return 0;
    }
    let Some(item) = menus(call)
        .item(menu, id, flags & MF_BYPOSITION != 0)
        .cloned()
    else {
        return 0;
    };
    let text = if item.item_type & (MFT_BITMAP | MFT_OWNERDRAW | MFT_SEPARATOR) == 0 {
        item.text
    } else {
        Vec::new()
    };
    if buffer == 0 || max == 0 {
        return text_len(&text, wide);
    }
    copy_text(call, buffer, max, &text, wide).unwrap_or(0)
}

/// int GetMenuStringA(HMENU hMenu, UINT uIDItem, LPSTR lpString, int cchMax, UINT flags):
/// the characters copied (without a buffer, the text's length).
#[export]
pub fn GetMenuStringA(
    call: &mut ApiCall<'_>,
    hMenu: u32,
    uIDItem: u32,
    lpString: u32,
    cchMax: u32,
    flags: u32,
) -> u32 {
    get_menu_string(call, hMenu, uIDItem, lpString, cchMax, flags, false)
}

/// int GetMenuStringW(HMENU hMenu, UINT uIDItem, LPWSTR lpString, int cchMax, UINT flags).
#[export]
pub fn GetMenuStringW(
    call: &mut ApiCall<'_>,
    hMenu: u32,
    uIDItem: u32,
    lpString: u32,
    cchMax: u32,
    flags: u32,
) -> u32 {
    get_menu_string(call, hMenu, uIDItem, lpString, cchMax, flags, true)
}

/// A MENUITEMINFO's eleven words, or ERROR_INVALID_PARAMETER (a size NT 4.0 does not
/// take) / ERROR_NOACCESS.
fn read_info(call: &mut ApiCall<'_>, address: u32) -> Result<[u32; 11], Win32Error> {
    let b = call
        .read_bytes(address, MENUITEMINFO_SIZE as usize)
        .map_err(|_| Win32Error::NOACCESS)?;
    let mut w = [0u32; 11];
    for (i, v) in w.iter_mut().enumerate() {
        *v = u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]]);
    }
    if w[0] != MENUITEMINFO_SIZE {
        return Err(Win32Error::INVALID_PARAMETER);
    }
    Ok(w)
}

/// GetMenuItemInfoA/W's work.
fn get_item_info(
    call: &mut ApiCall<'_>,
    menu: u32,
    what: u32,
    by_position: bool,
    info: u32,
    wide: bool,
) -> bool {
    if valid(call, menu).is_err() {
        return false;
    }
    let mut w = match read_info(call, info) {
        Ok(w) => w,
        Err(e) => {
            call.set_last_error(e.0);
            return false;
        }
    };
    let Some(item) = menus(call).item(menu, what, by_position).cloned() else {
        call.set_last_error(Win32Error::MENU_ITEM_NOT_FOUND.0);
        return false;
    };
    let mask = w[1];
    if mask & MIIM_STATE != 0 {
        w[3] = item.state & STATE_FLAGS;
    }
    if mask & MIIM_ID != 0 {
        w[4] = item.id;
    }
    if mask & MIIM_SUBMENU != 0 {
        w[5] = item.submenu;
    }
    if mask & MIIM_CHECKMARKS != 0 {
        w[6] = item.checked_bitmap;
        w[7] = item.unchecked_bitmap;
    }
    if mask & MIIM_DATA != 0 {
        w[8] = item.data;
    }
    if mask & MIIM_TYPE != 0 {
        w[2] = item.item_type;
        if item.item_type & (MFT_BITMAP | MFT_OWNERDRAW | MFT_SEPARATOR) == 0 {
            let len = text_len(&item.text, wide);
            if w[9] != 0 && w[10] != 0 {
                match copy_text(call, w[9], w[10], &item.text, wide) {
                    Some(n) => w[10] = n,
                    None => {
                        call.set_last_error(Win32Error::NOACCESS.0);
                        return false;
                    }
                }
            } else {
                w[10] = len;
            }
        } else {
            w[9] = item.type_data;
            w[10] = 0;
        }
    }
    let bytes: Vec<u8> = w.iter().flat_map(|v| v.to_le_bytes()).collect();
    call.write_bytes(info, &bytes).is_ok()
}

/// BOOL GetMenuItemInfoA(HMENU hMenu, UINT uItem, BOOL fByPosition, LPMENUITEMINFOA lpmii).
#[export]
pub fn GetMenuItemInfoA(
    call: &mut ApiCall<'_>,
    hMenu: u32,
    uItem: u32,
    fByPosition: bool,
    lpmii: u32,
) -> bool {
    get_item_info(call, hMenu, uItem, fByPosition, lpmii, false)
}

/// BOOL GetMenuItemInfoW(HMENU hMenu, UINT uItem, BOOL fByPosition, LPMENUITEMINFOW lpmii).
#[export]
pub fn GetMenuItemInfoW(
    call: &mut ApiCall<'_>,
    hMenu: u32,
    uItem: u32,
    fByPosition: bool,
    lpmii: u32,
) -> bool {
    get_item_info(call, hMenu, uItem, fByPosition, lpmii, true)
}

/// Changes `item` as a MENUITEMINFO's words say.
fn apply_info(
    call: &mut ApiCall<'_>,
    item: &mut Item,
    w: &[u32; 11],
    wide: bool,
) -> Result<(), Win32Error> {
    let mask = w[1];
    if mask & MIIM_TYPE != 0 {
        item.item_type = w[2];
        item.text.clear();
        item.type_data = 0;
        if w[2] & (MFT_BITMAP | MFT_OWNERDRAW | MFT_SEPARATOR) == 0 {
            if w[9] != 0 {
                item.text = read_text(call, w[9], wide).ok_or(Win32Error::NOACCESS)?;
            }
        } else {
            item.type_data = w[9];
        }
    }
    if mask & MIIM_STATE != 0 {
        item.state = w[3] & STATE_FLAGS;
    }
    if mask & MIIM_ID != 0 {
        item.id = w[4];
    }
    if mask & MIIM_SUBMENU != 0 {
        if w[5] != 0 {
            item.submenu = menus(call)
                .get(w[5])
                .map(|m| m.handle)
                .ok_or(Win32Error::INVALID_PARAMETER)?;
        } else {
            item.submenu = 0;
        }
    }
    if mask & MIIM_CHECKMARKS != 0 {
        item.checked_bitmap = w[6];
        item.unchecked_bitmap = w[7];
    }
    if mask & MIIM_DATA != 0 {
        item.data = w[8];
    }
    Ok(())
}

/// SetMenuItemInfoA/W's and InsertMenuItemA/W's work.
fn set_item_info(
    call: &mut ApiCall<'_>,
    menu: u32,
    what: u32,
    by_position: bool,
    info: u32,
    wide: bool,
    insert: bool,
) -> bool {
    let Ok(menu) = valid(call, menu) else {
        return false;
    };
    let w = match read_info(call, info) {
        Ok(w) => w,
        Err(e) => {
            call.set_last_error(e.0);
            return false;
        }
    };
    let found = if insert && (by_position || what == u32::MAX) {
        let len = menus(call).get(menu).map_or(0, |m| m.items.len());
        Some((menu, (what as usize).min(len)))
    } else {
        menus(call).find(menu, what, by_position)
    };
    let Some((m, i)) = found else {
        call.set_last_error(Win32Error::MENU_ITEM_NOT_FOUND.0);
        return false;
    };
    let mut item = if insert {
        Item::default()
    } else {
        match menus(call).get(m).and_then(|m| m.items.get(i)) {
            Some(item) => item.clone(),
            None => return false,
        }
    };
    if let Err(e) = apply_info(call, &mut item, &w, wide) {
        call.set_last_error(e.0);
        return false;
    }
    if insert {
        insert_at(call, m, i, item)
    } else {
        match menus(call).get_mut(m).and_then(|m| m.items.get_mut(i)) {
            Some(slot) => {
                *slot = item;
                true
            }
            None => false,
        }
    }
}

/// BOOL SetMenuItemInfoA(HMENU hMenu, UINT uItem, BOOL fByPosition, LPCMENUITEMINFOA lpmii).
#[export]
pub fn SetMenuItemInfoA(
    call: &mut ApiCall<'_>,
    hMenu: u32,
    uItem: u32,
    fByPosition: bool,
    lpmii: u32,
) -> bool {
    set_item_info(call, hMenu, uItem, fByPosition, lpmii, false, false)
}

/// BOOL SetMenuItemInfoW(HMENU hMenu, UINT uItem, BOOL fByPosition, LPCMENUITEMINFOW lpmii).
#[export]
pub fn SetMenuItemInfoW(
    call: &mut ApiCall<'_>,
    hMenu: u32,
    uItem: u32,
    fByPosition: bool,
    lpmii: u32,
) -> bool {
    set_item_info(call, hMenu, uItem, fByPosition, lpmii, true, false)
}

/// BOOL InsertMenuItemA(HMENU hMenu, UINT uItem, BOOL fByPosition, LPCMENUITEMINFOA lpmii).
#[export]
pub fn InsertMenuItemA(
    call: &mut ApiCall<'_>,
    hMenu: u32,
    uItem: u32,
    fByPosition: bool,
    lpmii: u32,
) -> bool {
    set_item_info(call, hMenu, uItem, fByPosition, lpmii, false, true)
}

/// BOOL InsertMenuItemW(HMENU hMenu, UINT uItem, BOOL fByPosition, LPCMENUITEMINFOW lpmii).
#[export]
pub fn InsertMenuItemW(
    call: &mut ApiCall<'_>,
    hMenu: u32,
    uItem: u32,
    fByPosition: bool,
    lpmii: u32,
) -> bool {
    set_item_info(call, hMenu, uItem, fByPosition, lpmii, true, true)
}

/// DWORD CheckMenuItem(HMENU hMenu, UINT uIDCheckItem, UINT uCheck): the previous check
/// state (MF_CHECKED or MF_UNCHECKED), -1 when there is no such item.
#[export]
pub fn CheckMenuItem(call: &mut ApiCall<'_>, hMenu: u32, uIDCheckItem: u32, uCheck: u32) -> u32 {
    if valid(call, hMenu).is_err() {
        return u32::MAX;
    }
    match menus(call).item_mut(hMenu, uIDCheckItem, uCheck & MF_BYPOSITION != 0) {
        Some(item) => {
            let old = item.state & MFS_CHECKED;
            item.state = (item.state & !MFS_CHECKED) | (uCheck & MFS_CHECKED);
            old
        }
        None => u32::MAX,
    }
}

/// BOOL EnableMenuItem(HMENU hMenu, UINT uIDEnableItem, UINT uEnable): the previous state
/// (MF_ENABLED, MF_GRAYED, MF_DISABLED), -1 when there is no such item.
#[export]
pub fn EnableMenuItem(call: &mut ApiCall<'_>, hMenu: u32, uIDEnableItem: u32, uEnable: u32) -> u32 {
    if valid(call, hMenu).is_err() {
        return u32::MAX;
    }
    match menus(call).item_mut(hMenu, uIDEnableItem, uEnable & MF_BYPOSITION != 0) {
        Some(item) => {
            let old = item.state & (MF_GRAYED | MF_DISABLED);
            item.state =
                (item.state & !(MF_GRAYED | MF_DISABLED)) | (uEnable & (MF_GRAYED | MF_DISABLED));
            old
        }
        None => u32::MAX,
    }
}

/// BOOL CheckMenuRadioItem(HMENU hmenu, UINT idFirst, UINT idLast, UINT idCheck, UINT
/// uFlags): of the items from idFirst to idLast (of the menu holding idCheck), idCheck
/// gets a radio check (MFT_RADIOCHECK, MFS_CHECKED) and the others lose their check.
#[export]
pub fn CheckMenuRadioItem(
    call: &mut ApiCall<'_>,
    hmenu: u32,
    idFirst: u32,
    idLast: u32,
    idCheck: u32,
    uFlags: u32,
) -> bool {
    if valid(call, hmenu).is_err() {
        return false;
    }
    let by_position = uFlags & MF_BYPOSITION != 0;
    let Some((m, _)) = menus(call).find(hmenu, idCheck, by_position) else {
        return false;
    };
    let Some(menu) = menus(call).get_mut(m) else {
        return false;
    };
    let mut found = false;
    for (pos, item) in menu.items.iter_mut().enumerate() {
        let key = if by_position { pos as u32 } else { item.id };
        if key < idFirst || key > idLast || (!by_position && item.is_popup()) {
            continue;
        }
        if key == idCheck {
            item.item_type |= MFT_RADIOCHECK;
            item.state |= MFS_CHECKED;
            found = true;
        } else {
            item.state &= !MFS_CHECKED;
        }
    }
    found
}

/// BOOL HiliteMenuItem(HWND hwnd, HMENU hmenu, UINT uItemHilite, UINT uHilite): sets or
/// clears an item's highlight, redrawing the window's menu bar.
#[export]
pub fn HiliteMenuItem(
    call: &mut ApiCall<'_>,
    hwnd: u32,
    hmenu: u32,
    uItemHilite: u32,
    uHilite: u32,
) -> bool {
    if valid(call, hmenu).is_err() {
        return false;
    }
    let Some(item) = menus(call).item_mut(hmenu, uItemHilite, uHilite & MF_BYPOSITION != 0) else {
        return false;
    };
    item.state = (item.state & !MFS_HILITE) | (uHilite & MF_HILITE);
    wm(call).draw_menu_bar(hwnd);
    true
}

/// UINT GetMenuDefaultItem(HMENU hMenu, UINT fByPos, UINT gmdiFlags): the default item's
/// id (or position), -1 when there is none (or it is disabled and GMDI_USEDISABLED is not
/// given).
#[export]
pub fn GetMenuDefaultItem(call: &mut ApiCall<'_>, hMenu: u32, fByPos: u32, gmdiFlags: u32) -> u32 {
    if valid(call, hMenu).is_err() {
        return u32::MAX;
    }
    let Some(m) = menus(call).get(hMenu) else {
        return u32::MAX;
    };
    match m.items.iter().position(|i| i.state & MFS_DEFAULT != 0) {
        Some(p) if gmdiFlags & 1 != 0 || m.items[p].state & MF_GRAYED == 0 => {
            if fByPos != 0 {
                p as u32
            } else {
                m.items[p].id
            }
        }
        _ => u32::MAX,
    }
}

/// BOOL SetMenuDefaultItem(HMENU hMenu, UINT uItem, UINT fByPos): the item becomes the
/// menu's one default item (-1: none is).
#[export]
pub fn SetMenuDefaultItem(call: &mut ApiCall<'_>, hMenu: u32, uItem: u32, fByPos: u32) -> bool {
    if valid(call, hMenu).is_err() {
        return false;
    }
    let index = if uItem == u32::MAX {
        None
    } else {
        let m = menus(call).get(hMenu);
        let found = m.and_then(|m| {
            if fByPos != 0 {
                ((uItem as usize) < m.items.len()).then_some(uItem as usize)
            } else {
                m.items.iter().position(|i| i.id == uItem)
            }
        });
        match found {
            Some(i) => Some(i),
            None => return false,
        }
    };
    if let Some(m) = menus(call).get_mut(hMenu) {
        for (i, item) in m.items.iter_mut().enumerate() {
            if Some(i) == index {
                item.state |= MFS_DEFAULT;
            } else {
                item.state &= !MFS_DEFAULT;
            }
        }
    }
    true
}

/// DWORD GetMenuCheckMarkDimensions(void): SM_CXMENUCHECK and SM_CYMENUCHECK (13 x 13).
#[export]
pub fn GetMenuCheckMarkDimensions(_call: &mut ApiCall<'_>) -> u32 {
    (13 << 16) | 13
}

/// BOOL SetMenuItemBitmaps(HMENU hMenu, UINT uPosition, UINT uFlags, HBITMAP
/// hBitmapUnchecked, HBITMAP hBitmapChecked).
#[export]
pub fn SetMenuItemBitmaps(
    call: &mut ApiCall<'_>,
    hMenu: u32,
    uPosition: u32,
    uFlags: u32,
    hBitmapUnchecked: u32,
    hBitmapChecked: u32,
) -> bool {
    if valid(call, hMenu).is_err() {
        return false;
    }
    match menus(call).item_mut(hMenu, uPosition, uFlags & MF_BYPOSITION != 0) {
        Some(item) => {
            item.checked_bitmap = hBitmapChecked;
            item.unchecked_bitmap = hBitmapUnchecked;
            true
        }
        None => false,
    }
}

// ---- windows' menus ------------------------------------------------------------------------

/// A top-level window's menu at creation: `given`, else its class's lpszMenuName loaded
/// from the instance; ERROR_INVALID_MENU_HANDLE for a `given` that is not a menu.
pub fn window_menu(
    call: &mut ApiCall<'_>,
    given: u32,
    class: &Class,
    instance: u32,
) -> Result<u32, Win32Error> {
    if given != 0 {
        return menus(call)
            .get(given)
            .map(|m| m.handle)
            .ok_or(Win32Error::INVALID_MENU_HANDLE);
    }
    if class.menu_name == 0 {
        return Ok(0);
    }
    let module = crate::class::instance_of(
        call,
        if instance != 0 {
            instance
        } else {
            class.instance
        },
    );
    Ok(load_menu(call, module, class.menu_name, class.unicode).unwrap_or(0))
}

/// HMENU GetMenu(HWND hWnd): the window's menu.
#[export]
pub fn GetMenu(call: &mut ApiCall<'_>, hWnd: u32) -> u32 {
    match wm(call).window(hWnd) {
        Some(w) if w.style & win32k::WS_CHILD == 0 => w.id,
        Some(_) => 0,
        None => {
            call.set_last_error(Win32Error::INVALID_WINDOW_HANDLE.0);
            0
        }
    }
}

/// The frame of `hwnd` changed (a menu bar came or went): SetWindowPos with
/// SWP_FRAMECHANGED, then `value`.
fn frame_changed(call: &mut ApiCall<'_>, hwnd: u32, value: u32) -> Step {
    use crate::window::*;
    let base = scratch(call);
    let acts = pos_acts(
        call,
        hwnd,
        0,
        0,
        0,
        0,
        0,
        SWP_NOMOVE | SWP_NOSIZE | SWP_NOZORDER | SWP_NOACTIVATE | SWP_FRAMECHANGED,
        base,
    );
    plan(call, acts.into(), 0, returning(value))
}

/// BOOL SetMenu(HWND hWnd, HMENU hMenu): the window's menu bar becomes the menu (0: none);
/// its frame changes (WM_NCCALCSIZE) and is drawn again.
#[export]
pub fn SetMenu(call: &mut ApiCall<'_>, hWnd: u32, hMenu: u32) -> ApiReturn {
    let Some(w) = wm(call).window(hWnd).cloned() else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    if w.style & win32k::WS_CHILD != 0 {
        return call.fail_win32(Win32Error::CHILD_WINDOW_MENU, 0);
    }
    let menu = if hMenu == 0 {
        0
    } else {
        match valid(call, hMenu) {
            Ok(h) => h,
            Err(()) => return ApiReturn::Value(0),
        }
    };
    if let Some(w) = wm(call).window_mut(hWnd) {
        w.id = menu;
    }
    let step = frame_changed(call, w.handle, 1);
    run(call, 2, step)
}

/// BOOL DrawMenuBar(HWND hWnd): draws the window's menu bar again.
#[export]
pub fn DrawMenuBar(call: &mut ApiCall<'_>, hWnd: u32) -> bool {
    if wm(call).window(hWnd).is_none() {
        call.set_last_error(Win32Error::INVALID_WINDOW_HANDLE.0);
        return false;
    }
    wm(call).draw_menu_bar(hWnd);
    true
}

/// BOOL GetMenuItemRect(HWND hWnd, HMENU hMenu, UINT uItem, LPRECT lprcItem): the item's
/// rectangle on the screen, for an item of the window's menu bar or of a popup shown.
#[export]
pub fn GetMenuItemRect(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    hMenu: u32,
    uItem: u32,
    lprcItem: Ptr,
) -> bool {
    let Ok(menu) = valid(call, hMenu) else {
        return false;
    };
    let m = wm(call);
    let rect = if m.menu_bar(hWnd).is_some_and(|(bar, _)| bar == menu) {
        m.menu_bar_items(hWnd).get(uItem as usize).copied()
    } else {
        m.menus
            .shown
            .iter()
            .find(|s| s.menu == menu)
            .and_then(|s| s.items.get(uItem as usize).copied())
    };
    match rect {
        Some(r) => call.write_bytes(lprcItem.0, &r.to_bytes()).is_ok(),
        None => false,
    }
}

/// The system menu's items: (text, command).
const SYSTEM_ITEMS: [(&str, u32); 7] = [
    ("&Restore", 0xF120),
    ("&Move", 0xF010),
    ("&Size", 0xF000),
    ("Mi&nimize", 0xF020),
    ("Ma&ximize", 0xF030),
    ("", 0),
    ("&Close\tAlt+F4", 0xF060),
];

/// The system menu of `hwnd`, made when first asked for, its items enabled as the
/// window's styles allow.
fn system_menu(call: &mut ApiCall<'_>, hwnd: u32) -> u32 {
    let Some(w) = wm(call).window(hwnd).cloned() else {
        return 0;
    };
    if let Some(&h) = menus(call).system_menus.get(&w.handle)
        && menus(call).get(h).is_some()
    {
        return h;
    }
    let items = SYSTEM_ITEMS
        .iter()
        .map(|&(text, id)| {
            let grayed = match id {
                0xF120 => true,
                0xF000 => w.style & 0x0004_0000 == 0,
                0xF020 => w.style & 0x0002_0000 == 0,
                0xF030 => w.style & 0x0001_0000 == 0,
                _ => false,
            };
            Item {
                item_type: if id == 0 { MFT_SEPARATOR } else { 0 },
                state: if grayed { MF_GRAYED } else { 0 }
                    | if id == 0xF060 { MFS_DEFAULT } else { 0 },
                id,
                text: text.encode_utf16().collect(),
                ..Item::default()
            }
        })
        .collect();
    let process = call.thread.process;
    let h = menus(call).insert(Menu {
        process,
        popup: true,
        system: true,
        items,
        ..Menu::default()
    });
    menus(call).system_menus.insert(w.handle, h);
    h
}

/// HMENU GetSystemMenu(HWND hWnd, BOOL bRevert): the window's system menu (its own copy);
/// bRevert throws the copy away and returns 0.
#[export]
pub fn GetSystemMenu(call: &mut ApiCall<'_>, hWnd: u32, bRevert: bool) -> u32 {
    let Some(h) = wm(call).full_handle(hWnd) else {
        call.set_last_error(Win32Error::INVALID_WINDOW_HANDLE.0);
        return 0;
    };
    if bRevert {
        if let Some(m) = menus(call).system_menus.remove(&h) {
            menus(call).destroy(m);
        }
        return 0;
    }
    system_menu(call, h)
}

// ---- templates -----------------------------------------------------------------------------

/// Makes the menu of template items (a popup for a submenu).
fn build(
    call: &mut ApiCall<'_>,
    items: &[templates::MenuItem],
    extended: bool,
    popup: bool,
) -> u32 {
    let process = call.thread.process;
    let mut out = Vec::with_capacity(items.len());
    for t in items {
        let is_popup = if extended {
            t.flags & 0x01 != 0
        } else {
            u32::from(t.flags) & MF_POPUP != 0
        };
        let submenu = if is_popup {
            build(call, &t.children, extended, true)
        } else {
            0
        };
        let text: Vec<u16> = t.text.encode_utf16().collect();
        let (mut item_type, state) = if extended {
            (t.item_type, t.state)
        } else {
            let f = u32::from(t.flags) & !(MF_POPUP | 0x80);
            (f & TYPE_FLAGS, f & STATE_FLAGS)
        };
        let mut state = state;
        if !extended && text.is_empty() && t.id == 0 && !is_popup {
            item_type |= MFT_SEPARATOR;
            state |= MFS_GRAYED;
        }
        out.push(Item {
            item_type,
            state,
            id: if extended || !is_popup { t.id } else { submenu },
            submenu,
            text,
            ..Item::default()
        });
    }
    menus(call).insert(Menu {
        process,
        popup,
        items: out,
        ..Menu::default()
    })
}

/// A menu from a template's bytes.
fn from_template(call: &mut ApiCall<'_>, data: &[u8]) -> Option<u32> {
    let t = templates::Menu::parse(data).ok()?;
    Some(build(call, &t.items, t.extended, false))
}

/// LoadMenuA/W's work: module's RT_MENU `name` (a number or a string).
fn load_menu(call: &mut ApiCall<'_>, module: u32, name: u32, wide: bool) -> Result<u32, NtStatus> {
    let id = if name < 0x1_0000 {
        ResourceId::Id(name as u16)
    } else {
        let units = read_text(call, name, wide).ok_or(NtStatus::ACCESS_VIOLATION)?;
        let s = String::from_utf16_lossy(&units);
        match s.strip_prefix('#').and_then(|n| n.parse::<u16>().ok()) {
            Some(n) => ResourceId::Id(n),
            None => ResourceId::Name(s.to_uppercase()),
        }
    };
    let (address, entry) =
        kernel32::resource::find(call, module, &ResourceId::Id(rt::MENU), &id, 0)
            .map_err(|m| m.status())?;
    let data = call
        .read_bytes(address, entry.size as usize)
        .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    from_template(call, &data).ok_or(NtStatus::RESOURCE_DATA_NOT_FOUND)
}

/// HMENU LoadMenuA(HINSTANCE hInstance, LPCSTR lpMenuName).
#[export]
pub fn LoadMenuA(call: &mut ApiCall<'_>, hInstance: u32, lpMenuName: u32) -> ApiReturn {
    let module = crate::class::instance_of(call, hInstance);
    match load_menu(call, module, lpMenuName, false) {
        Ok(h) => ApiReturn::Value(h),
        Err(s) => call.fail(s),
    }
}

/// HMENU LoadMenuW(HINSTANCE hInstance, LPCWSTR lpMenuName).
#[export]
pub fn LoadMenuW(call: &mut ApiCall<'_>, hInstance: u32, lpMenuName: u32) -> ApiReturn {
    let module = crate::class::instance_of(call, hInstance);
    match load_menu(call, module, lpMenuName, true) {
        Ok(h) => ApiReturn::Value(h),
        Err(s) => call.fail(s),
    }
}

/// A template in the caller's memory: as many bytes as can be read, up to 64 KB.
fn template_bytes(call: &mut ApiCall<'_>, address: u32) -> Option<Vec<u8>> {
    let mut len = 0x1_0000usize;
    while len >= 0x100 {
        if let Ok(b) = call.read_bytes(address, len) {
            return Some(b);
        }
        len /= 2;
    }
    call.read_bytes(address, 4).ok()
}

/// LoadMenuIndirectA/W's work.
fn load_indirect(call: &mut ApiCall<'_>, template: u32) -> ApiReturn {
    let Some(data) = template_bytes(call, template) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    match from_template(call, &data) {
        Some(h) => ApiReturn::Value(h),
        None => call.fail_win32(Win32Error::INVALID_PARAMETER, 0),
    }
}

/// HMENU LoadMenuIndirectA(const MENUTEMPLATE *lpMenuTemplate).
#[export]
pub fn LoadMenuIndirectA(call: &mut ApiCall<'_>, lpMenuTemplate: u32) -> ApiReturn {
    load_indirect(call, lpMenuTemplate)
}

/// HMENU LoadMenuIndirectW(const MENUTEMPLATE *lpMenuTemplate).
#[export]
pub fn LoadMenuIndirectW(call: &mut ApiCall<'_>, lpMenuTemplate: u32) -> ApiReturn {
    load_indirect(call, lpMenuTemplate)
}

// ---- tracking ------------------------------------------------------------------------------

/// A menu being tracked by a thread.
struct Track {
    /// The window that gets the messages.
    owner: u32,
    /// The menu bar tracked (0: a popup of TrackPopupMenu or the system menu alone).
    bar: u32,
    /// The bar's selected item.
    bar_sel: Option<usize>,
    /// TPM_* flags.
    flags: u32,
    /// Started by TrackPopupMenu.
    popup: bool,
    /// The system menu is tracked.
    system: bool,
    /// The chosen command (Some(0): none), once the loop ends.
    result: Option<u32>,
    /// Where the mouse was when the tracking began (WM_SYSCOMMAND's lParam for the system
    /// menu's commands).
    point: u32,
}

/// The tracking of each thread.
#[derive(Default)]
struct Tracking(BTreeMap<(u32, u32), Track>);

/// How a tracking starts.
#[derive(Clone, Copy)]
pub enum Start {
    /// A click at a screen point on the menu bar.
    Mouse(i32, i32),
    /// From the keyboard: Alt or F10 (0), or Alt and a mnemonic.
    Key(u16),
    /// TrackPopupMenu(Ex): the menu, where, the flags.
    Popup(u32, i32, i32, u32),
    /// The system menu, from the keyboard (Alt+Space: its first item selected) or not (a
    /// click on the system menu box).
    System(bool),
}

fn tracking<'a>(call: &'a mut ApiCall<'_>) -> Option<&'a mut Track> {
    let key = (call.thread.process, call.thread.thread);
    call.state.get::<Tracking>().0.get_mut(&key)
}

/// Whether notifications go to the owner.
fn notify(call: &mut ApiCall<'_>) -> bool {
    tracking(call).is_some_and(|t| t.flags & TPM_NONOTIFY == 0)
}

/// WM_MENUSELECT for item `index` of `menu` (from the mouse or not).
fn menu_select(call: &mut ApiCall<'_>, menu: u32, index: usize, mouse: bool) -> Option<Msg> {
    if !notify(call) {
        return None;
    }
    let t = tracking(call)?;
    let (owner, system) = (t.owner, t.system);
    let item = menus(call).get(menu)?.items.get(index)?.clone();
    let lo = if item.is_popup() {
        index as u32
    } else {
        item.id
    };
    let mut flags = (item.flags() | MF_HILITE) & 0xFFFF;
    if mouse {
        flags |= MF_MOUSESELECT;
    }
    if system {
        flags |= MF_SYSMENU;
    }
    Some((owner, WM_MENUSELECT, (lo & 0xFFFF) | (flags << 16), menu))
}

/// Clears the highlight of every item of `menu`.
fn unhilite(call: &mut ApiCall<'_>, menu: u32) {
    if let Some(m) = menus(call).get_mut(menu) {
        for i in &mut m.items {
            i.state &= !MFS_HILITE;
        }
    }
}

/// Closes the popups above level `keep` (keeps `keep` of them). The pixels under each come
/// back, and the windows there are asked to paint that part again (they may have drawn
/// under the popup while it was up).
fn close_popups(call: &mut ApiCall<'_>, keep: usize) {
    while wm(call).menus.shown.len() > keep {
        let Some(rect) = wm(call).menus.shown.last().map(|s| s.rect) else {
            break;
        };
        if let Some(m) = wm(call).hide_popup() {
            unhilite(call, m);
        }
        let w = wm(call);
        for h in w.expose(rect) {
            let (ox, oy) = w.client_origin(h);
            let area = win32k::Region::rect(rect.offset(-ox, -oy));
            crate::paint::invalidate(w, h, Some(&area), true);
        }
        w.redraw_popups();
    }
}

/// Hands a message that is not input to its window while the menu is up, as NT's menu loop
/// does (timers and painting go on); then the loop goes on.
fn dispatch_other(call: &mut ApiCall<'_>, m: win32k::Message) -> Step {
    if m.message == WM_TIMER && m.lparam != 0 {
        let tick = call.machine.clock().now_ms() as u32;
        return Step::call(
            m.lparam,
            vec![m.hwnd, m.message, m.wparam, tick],
            |call, _| {
                wm(call).redraw_popups();
                Step::Again
            },
        );
    }
    let Some((handle, proc_)) = direct_proc(call, m.hwnd) else {
        return Step::Again;
    };
    let message = m.message;
    Step::call(
        proc_,
        vec![handle, m.message, m.wparam, m.lparam],
        move |call, _| {
            if message == crate::paint::WM_PAINT {
                crate::paint::after_paint_dispatch(call, handle);
            }
            // The popups stay above what the window drew.
            wm(call).redraw_popups();
            Step::Again
        },
    )
}

/// Selects item `index` of the popup at `level`, closing the popups above it.
fn select_popup_acts(level: usize, index: usize, mouse: bool) -> Vec<Act> {
    vec![
        Act::run(move |call| {
            close_popups(call, level + 1);
            let Some(menu) = wm(call).menus.shown.get(level).map(|s| s.menu) else {
                return;
            };
            unhilite(call, menu);
            if let Some(i) = menus(call)
                .get_mut(menu)
                .and_then(|m| m.items.get_mut(index))
            {
                i.state |= MFS_HILITE;
            }
            wm(call).redraw_popup(level);
        }),
        Act::send_with(move |call| {
            let menu = wm(call).menus.shown.get(level)?.menu;
            menu_select(call, menu, index, mouse)
        }),
    ]
}

/// Opens `sub` (item `pos` of its parent) at (x, y), its first item selected when
/// `select_first`.
fn open_popup_acts(sub: u32, pos: usize, x: i32, y: i32, select_first: bool) -> Vec<Act> {
    let mut acts = vec![
        Act::send_with(move |call| {
            if !notify(call) {
                return None;
            }
            let t = tracking(call)?;
            let (owner, system) = (t.owner, t.system);
            Some((
                owner,
                WM_INITMENUPOPUP,
                sub,
                pos as u32 | (u32::from(system) << 16),
            ))
        }),
        Act::run(move |call| {
            unhilite(call, sub);
            wm(call).show_popup(sub, x, y);
        }),
    ];
    if select_first {
        acts.push(Act::send_with(move |call| {
            // The first item that is not a separator.
            let level = wm(call).menus.shown.len().checked_sub(1)?;
            let first = menus(call)
                .get(sub)?
                .items
                .iter()
                .position(|i| !i.is_separator())?;
            if let Some(i) = menus(call)
                .get_mut(sub)
                .and_then(|m| m.items.get_mut(first))
            {
                i.state |= MFS_HILITE;
            }
            wm(call).redraw_popup(level);
            menu_select(call, sub, first, false)
        }));
    }
    acts
}

/// Selects bar item `index`, opening its popup when `open`.
fn select_bar_acts(call: &mut ApiCall<'_>, index: usize, open: bool, mouse: bool) -> Vec<Act> {
    let Some(t) = tracking(call) else {
        return Vec::new();
    };
    let (owner, bar) = (t.owner, t.bar);
    t.bar_sel = Some(index);
    close_popups(call, 0);
    unhilite(call, bar);
    let Some(item) = menus(call)
        .get(bar)
        .and_then(|m| m.items.get(index))
        .cloned()
    else {
        return Vec::new();
    };
    if let Some(i) = menus(call)
        .get_mut(bar)
        .and_then(|m| m.items.get_mut(index))
    {
        i.state |= MFS_HILITE;
    }
    let pushed = open && item.is_popup();
    let handle = wm(call).full_handle(owner).unwrap_or(owner);
    wm(call).menus.bar_tracked = Some((handle, pushed));
    wm(call).draw_menu_bar(owner);
    let mut acts = vec![Act::send_with(move |call| {
        menu_select(call, bar, index, mouse)
    })];
    if pushed {
        let r = wm(call).menu_bar_items(owner).get(index).copied();
        if let Some(r) = r {
            acts.extend(open_popup_acts(
                item.submenu,
                index,
                r.left,
                r.top + win32k::geometry::MENU,
                !mouse,
            ));
        }
    }
    acts
}

/// Ends the tracking with `command` (0: none chosen).
fn end(call: &mut ApiCall<'_>, command: u32) {
    if let Some(t) = tracking(call)
        && t.result.is_none()
    {
        t.result = Some(command);
    }
}

/// Chooses item `index` of the popup at `level`: a submenu opens, a grayed item does
/// nothing, any other ends the tracking with its command.
fn choose_acts(call: &mut ApiCall<'_>, level: usize, index: usize, mouse: bool) -> Vec<Act> {
    let Some(s) = wm(call).menus.shown.get(level) else {
        return Vec::new();
    };
    let (menu, rect, item_rect) = (s.menu, s.rect, s.items.get(index).copied());
    let Some(item) = menus(call)
        .get(menu)
        .and_then(|m| m.items.get(index))
        .cloned()
    else {
        return Vec::new();
    };
    if item.is_separator() {
        return Vec::new();
    }
    if item.is_popup() {
        if item.state & MF_GRAYED != 0 {
            return Vec::new();
        }
        let y = item_rect.map_or(rect.top, |r| r.top) - 3;
        let mut acts = if item.state & MFS_HILITE != 0 {
            // Already selected: only the popups above it close.
            vec![Act::run(move |call| close_popups(call, level + 1))]
        } else {
            select_popup_acts(level, index, mouse)
        };
        acts.extend(open_popup_acts(
            item.submenu,
            index,
            rect.right - 3,
            y,
            !mouse,
        ));
        return acts;
    }
    if item.state & MF_GRAYED != 0 {
        return Vec::new();
    }
    end(call, item.id);
    Vec::new()
}

/// Where screen point (x, y) is: Ok((level, item)) on a shown popup's item (item None on
/// its frame or a separator), Err(Some(i)) on bar item i, Err(None) elsewhere.
fn hit(call: &mut ApiCall<'_>, x: i32, y: i32) -> Result<(usize, Option<usize>), Option<usize>> {
    let inside = |r: Rect| x >= r.left && x < r.right && y >= r.top && y < r.bottom;
    let m = wm(call);
    for (level, s) in m.menus.shown.iter().enumerate().rev() {
        if inside(s.rect) {
            return Ok((level, s.items.iter().position(|&r| inside(r))));
        }
    }
    let Some(t) = tracking(call).map(|t| (t.owner, t.bar)) else {
        return Err(None);
    };
    if t.1 == 0 {
        return Err(None);
    }
    Err(wm(call).menu_bar_items(t.0).iter().position(|&r| inside(r)))
}

/// What the mouse message `kind` (0 move, 1/4 a button down, 2/5 a button up) at (x, y)
/// does.
fn mouse_acts(call: &mut ApiCall<'_>, kind: u32, x: i32, y: i32) -> Vec<Act> {
    let shown = wm(call).menus.shown.len();
    let bar_sel = tracking(call).and_then(|t| t.bar_sel);
    match (hit(call, x, y), kind) {
        (Ok((level, Some(index))), 0 | 1 | 4) => {
            let m = wm(call);
            let already = m
                .menus
                .shown
                .get(level)
                .and_then(|s| m.menus.get(s.menu))
                .and_then(|m| m.items.get(index))
                .is_some_and(|i| i.state & MFS_HILITE != 0);
            if already && shown == level + 1 {
                let menu = wm(call).menus.shown[level].menu;
                let popup = menus(call)
                    .get(menu)
                    .and_then(|m| m.items.get(index))
                    .is_some_and(|i| i.is_popup());
                return if popup {
                    choose_acts(call, level, index, true)
                } else {
                    Vec::new()
                };
            }
            if already {
                return Vec::new();
            }
            let menu = wm(call).menus.shown[level].menu;
            let item = menus(call)
                .get(menu)
                .and_then(|m| m.items.get(index))
                .cloned();
            match item {
                Some(i) if i.is_separator() => Vec::new(),
                Some(i) if i.is_popup() => choose_acts(call, level, index, true),
                Some(_) => select_popup_acts(level, index, true),
                None => Vec::new(),
            }
        }
        (Ok((level, Some(index))), 2 | 5) => {
            let menu = wm(call).menus.shown[level].menu;
            let popup = menus(call)
                .get(menu)
                .and_then(|m| m.items.get(index))
                .is_some_and(|i| i.is_popup());
            if popup {
                return Vec::new();
            }
            choose_acts(call, level, index, true)
        }
        (Ok(_), _) => Vec::new(),
        (Err(Some(i)), 0) => {
            if shown > 0 && bar_sel != Some(i) {
                select_bar_acts(call, i, true, true)
            } else {
                Vec::new()
            }
        }
        (Err(Some(i)), 1 | 4) => {
            if bar_sel == Some(i) && shown > 0 {
                end(call, 0);
                Vec::new()
            } else {
                select_bar_acts(call, i, true, true)
            }
        }
        (Err(None), 1 | 4) => {
            end(call, 0);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

const VK_RETURN: u32 = 0x0D;
const VK_ESCAPE: u32 = 0x1B;
const VK_MENU: u32 = 0x12;
const VK_F10: u32 = 0x79;
const VK_LEFT: u32 = 0x25;
const VK_UP: u32 = 0x26;
const VK_RIGHT: u32 = 0x27;
const VK_DOWN: u32 = 0x28;

/// The next item of `menu` from `from` in direction `step` that is not a separator.
fn next_item(call: &mut ApiCall<'_>, menu: u32, from: Option<usize>, step: isize) -> Option<usize> {
    let m = menus(call).get(menu)?;
    let n = m.items.len() as isize;
    if n == 0 {
        return None;
    }
    let mut i = from.map_or(if step > 0 { -1 } else { n }, |f| f as isize);
    for _ in 0..n {
        i = (i + step).rem_euclid(n);
        if !m.items[i as usize].is_separator() {
            return Some(i as usize);
        }
    }
    None
}

/// What key `vk` going down does.
fn key_acts(call: &mut ApiCall<'_>, vk: u32) -> Vec<Act> {
    let shown = wm(call).menus.shown.len();
    let Some(t) = tracking(call) else {
        return Vec::new();
    };
    let (bar, bar_sel) = (t.bar, t.bar_sel);
    let top = wm(call).menus.shown.last().map(|s| s.menu);
    let top_sel = top.and_then(|m| {
        menus(call)
            .get(m)
            .and_then(|m| m.items.iter().position(|i| i.state & MFS_HILITE != 0))
    });
    match vk {
        VK_ESCAPE => {
            if shown > 1 || (shown == 1 && bar != 0) {
                close_popups(call, shown - 1);
                if shown == 1 {
                    let owner = tracking(call).map_or(0, |t| t.owner);
                    if let Some(b) = wm(call).menus.bar_tracked.as_mut() {
                        b.1 = false;
                    }
                    wm(call).draw_menu_bar(owner);
                }
            } else {
                end(call, 0);
            }
            Vec::new()
        }
        VK_MENU | VK_F10 => {
            end(call, 0);
            Vec::new()
        }
        VK_LEFT | VK_RIGHT => {
            if vk == VK_RIGHT
                && let (Some(m), Some(sel)) = (top, top_sel)
                && menus(call)
                    .get(m)
                    .and_then(|m| m.items.get(sel))
                    .is_some_and(|i| i.is_popup())
            {
                return choose_acts(call, shown - 1, sel, false);
            }
            if vk == VK_LEFT && shown > 1 {
                close_popups(call, shown - 1);
                return Vec::new();
            }
            if bar != 0 {
                let step = if vk == VK_LEFT { -1 } else { 1 };
                if let Some(i) = next_item(call, bar, bar_sel, step) {
                    return select_bar_acts(call, i, shown > 0, false);
                }
            }
            Vec::new()
        }
        VK_UP | VK_DOWN => {
            let step = if vk == VK_UP { -1 } else { 1 };
            match top {
                Some(m) => match next_item(call, m, top_sel, step) {
                    Some(i) => select_popup_acts(shown - 1, i, false),
                    None => Vec::new(),
                },
                None => match bar_sel {
                    Some(i) => select_bar_acts(call, i, true, false),
                    None => Vec::new(),
                },
            }
        }
        VK_RETURN => match (top, top_sel) {
            (Some(_), Some(sel)) => {
                let acts = choose_acts(call, shown - 1, sel, false);
                let grayed = top
                    .and_then(|m| menus(call).get(m))
                    .and_then(|m| m.items.get(sel))
                    .is_some_and(|i| i.state & MF_GRAYED != 0 && !i.is_popup());
                if grayed {
                    end(call, 0);
                }
                acts
            }
            (None, _) => match bar_sel {
                Some(i) => select_bar_acts(call, i, true, false),
                None => Vec::new(),
            },
            _ => Vec::new(),
        },
        _ => {
            let ch = crate::input::typed_char(wm(call), vk);
            if ch == 0 {
                return Vec::new();
            }
            let ch = upper(u16::from(ch));
            let menu = top.unwrap_or(bar);
            let found = menus(call)
                .get(menu)
                .and_then(|m| m.items.iter().position(|i| i.mnemonic() == Some(ch)));
            match (found, top) {
                (Some(i), Some(_)) => {
                    let mut acts = select_popup_acts(shown - 1, i, false);
                    acts.extend(choose_acts(call, shown - 1, i, false));
                    acts
                }
                (Some(i), None) => select_bar_acts(call, i, true, false),
                (None, _) => Vec::new(),
            }
        }
    }
}

/// The first menu input message in the thread's queue, taken out.
fn take_input(call: &mut ApiCall<'_>) -> Option<win32k::Message> {
    let (p, t) = (call.thread.process, call.thread.thread);
    let q = wm(call).queue_of(p, t)?;
    let i = q.posted.iter().position(|m| {
        (0x0100..=0x0109).contains(&m.message)
            || (0x0200..=0x020D).contains(&m.message)
            || (0x00A0..=0x00A9).contains(&m.message)
    })?;
    q.posted.remove(i)
}

/// Where the tracking begins.
fn start_acts(call: &mut ApiCall<'_>, start: Start) -> Vec<Act> {
    match start {
        Start::Mouse(x, y) => match hit(call, x, y) {
            Err(Some(i)) => select_bar_acts(call, i, true, true),
            _ => {
                end(call, 0);
                Vec::new()
            }
        },
        Start::Key(0) => {
            let bar = tracking(call).map_or(0, |t| t.bar);
            match next_item(call, bar, None, 1) {
                Some(i) => select_bar_acts(call, i, false, false),
                None => {
                    end(call, 0);
                    Vec::new()
                }
            }
        }
        Start::Key(ch) => {
            let bar = tracking(call).map_or(0, |t| t.bar);
            let ch = upper(ch);
            let found = menus(call)
                .get(bar)
                .and_then(|m| m.items.iter().position(|i| i.mnemonic() == Some(ch)));
            match found {
                Some(i) => select_bar_acts(call, i, true, false),
                None => {
                    end(call, 0);
                    Vec::new()
                }
            }
        }
        Start::System(keyboard) => {
            let owner = tracking(call).map_or(0, |t| t.owner);
            let sys = system_menu(call, owner);
            let Some(l) = wm(call).layout(owner) else {
                end(call, 0);
                return Vec::new();
            };
            let x = l.window.left + l.border;
            let y = l.caption.map_or(l.client.top, |c| c.bottom + 1);
            open_popup_acts(sys, 0, x, y, keyboard)
        }
        Start::Popup(menu, x, y, flags) => {
            let mut acts = open_popup_acts(menu, 0, x, y, false);
            // Placed as the alignment flags say once its size is known (after
            // WM_INITMENUPOPUP, which may change it).
            acts.insert(
                1,
                Act::run(move |call| {
                    let Some(m) = menus(call).get(menu).cloned() else {
                        return;
                    };
                    let (w, h, _) = win32k::menu::popup_layout(&m);
                    let x = if flags & TPM_RIGHTALIGN != 0 {
                        x.saturating_sub(w)
                    } else if flags & TPM_CENTERALIGN != 0 {
                        x.saturating_sub(w / 2)
                    } else {
                        x
                    };
                    let y = if flags & TPM_BOTTOMALIGN != 0 {
                        y.saturating_sub(h)
                    } else if flags & TPM_VCENTERALIGN != 0 {
                        y.saturating_sub(h / 2)
                    } else {
                        y
                    };
                    call.state.get::<PopupAt>().0 = Some((x, y));
                }),
            );
            // open_popup_acts' show uses the position given; place it here instead.
            acts.remove(2);
            acts.insert(
                2,
                Act::run(move |call| {
                    let (x, y) = call.state.get::<PopupAt>().0.take().unwrap_or((x, y));
                    unhilite(call, menu);
                    wm(call).show_popup(menu, x, y);
                }),
            );
            acts
        }
    }
}

/// Where TrackPopupMenu's popup goes, once aligned.
#[derive(Default)]
struct PopupAt(Option<(i32, i32)>);

/// The menu loop: one step of it, run again (Step::Again) after each message and after
/// each wait for input; it ends with `done(command)`.
pub fn track(call: &mut ApiCall<'_>, owner: u32, start: Start, system: bool) -> Step {
    let key = (call.thread.process, call.thread.thread);
    let full = wm(call).full_handle(owner);
    if tracking(call).is_some_and(|t| Some(t.owner) != full) {
        // A tracking whose function never came back (its window went away under it).
        call.state.get::<Tracking>().0.remove(&key);
        close_popups(call, 0);
        wm(call).menus.bar_tracked = None;
    }
    if tracking(call).is_none() {
        let Some(w) = wm(call).window(owner).cloned() else {
            return Step::Return(0);
        };
        let (bar, flags, popup, root) = match start {
            Start::Popup(menu, _, _, flags) => (0, flags, true, menu),
            Start::System(_) => {
                let root = if wm(call).has_menu_bar(&w) {
                    w.id
                } else {
                    system_menu(call, w.handle)
                };
                (0, 0, false, root)
            }
            _ => {
                if !wm(call).has_menu_bar(&w) {
                    return Step::Return(0);
                }
                (w.id, 0, false, w.id)
            }
        };
        let point = {
            let c = wm(call).display.cursor;
            win32k::input::points(c.0, c.1)
        };
        call.state.get::<Tracking>().0.insert(
            key,
            Track {
                owner: w.handle,
                bar,
                bar_sel: None,
                flags,
                popup,
                system,
                result: None,
                point,
            },
        );
        let mut acts: VecDeque<Act> = VecDeque::new();
        if flags & TPM_NONOTIFY == 0 {
            acts.push_back(Act::Send(w.handle, WM_ENTERMENULOOP, u32::from(popup), 0));
            acts.push_back(Act::Send(w.handle, WM_INITMENU, root, 0));
        }
        acts.push_back(Act::run(move |call| {
            let more = start_acts(call, start);
            call.state.get::<PendingActs>().0.extend(more);
        }));
        return plan(call, acts, 0, Box::new(|call, _| pending(call)));
    }
    if let Some(result) = tracking(call).and_then(|t| t.result) {
        return finish(call, result);
    }
    // The owner went away: the menu ends.
    let owner_alive = tracking(call).is_some_and(|t| t.owner != 0);
    if !owner_alive || wm(call).window(owner).is_none() {
        end(call, 0);
        return Step::Again;
    }
    let Some(m) = take_input(call) else {
        // Other messages are dispatched; WM_QUIT ends the menu and stays in the queue.
        match crate::message::look(call, 0, 0, 0, false) {
            Err(step) => return step,
            Ok(Some(m)) if m.message == win32k::queue::WM_QUIT => {
                end(call, 0);
                return Step::Again;
            }
            Ok(Some(_)) => {
                return match crate::message::look(call, 0, 0, 0, true) {
                    Err(step) => step,
                    Ok(Some(m)) => dispatch_other(call, m),
                    Ok(None) => Step::Again,
                };
            }
            Ok(None) => {}
        }
        let (p, t) = (call.thread.process, call.thread.thread);
        let now = call.machine.clock().now_ms();
        let Some(q) = wm(call).queue_of(p, t) else {
            end(call, 0);
            return Step::Again;
        };
        let timeout = q.next_timer(now).map(std::time::Duration::from_millis);
        let _ = q.event.reset_event();
        return Step::Wait {
            objects: vec![q.event.clone()],
            timeout,
        };
    };
    let acts: Vec<Act> = match m.message {
        0x0100 | 0x0104 => key_acts(call, m.wparam),
        0x0200..=0x020D => mouse_acts(call, m.message - 0x0200, m.pt.0, m.pt.1),
        0x00A0..=0x00A9 => mouse_acts(call, m.message - 0x00A0, m.pt.0, m.pt.1),
        _ => Vec::new(),
    };
    plan(call, acts.into(), 0, Box::new(|_, _| Step::Again))
}

/// Acts a step decided on while a plan ran (they run next).
#[derive(Default)]
struct PendingActs(Vec<Act>);

/// Runs the pending acts, then the loop goes on.
fn pending(call: &mut ApiCall<'_>) -> Step {
    let acts: VecDeque<Act> = std::mem::take(&mut call.state.get::<PendingActs>().0).into();
    plan(call, acts, 0, Box::new(|_, _| Step::Again))
}

/// The end of the loop: the popups close, the bar is drawn plain, WM_MENUSELECT (0xFFFF,
/// 0) and WM_EXITMENULOOP go to the owner, then the chosen command is posted (WM_COMMAND,
/// or WM_SYSCOMMAND for the system menu) or, with TPM_RETURNCMD, returned.
fn finish(call: &mut ApiCall<'_>, command: u32) -> Step {
    let key = (call.thread.process, call.thread.thread);
    let Some(t) = call.state.get::<Tracking>().0.remove(&key) else {
        return Step::Return(0);
    };
    close_popups(call, 0);
    if t.bar != 0 {
        unhilite(call, t.bar);
    }
    wm(call).menus.bar_tracked = None;
    wm(call).draw_menu_bar(t.owner);
    let mut acts: VecDeque<Act> = VecDeque::new();
    if t.flags & TPM_NONOTIFY == 0 {
        acts.push_back(Act::Send(t.owner, WM_MENUSELECT, 0xFFFF_0000, 0));
        acts.push_back(Act::Send(t.owner, WM_EXITMENULOOP, u32::from(t.popup), 0));
    }
    let returns = t.popup && t.flags & TPM_RETURNCMD != 0;
    if command != 0 && !returns {
        let (owner, system, point) = (t.owner, t.system, t.point);
        acts.push_back(Act::run(move |call| {
            let time = call.machine.clock().now_ms() as u32;
            let m = wm(call);
            let pt = m.display.cursor;
            let Some(w) = m.window(owner) else {
                return;
            };
            let key = (w.process, w.thread);
            let (message, lparam) = if system {
                (WM_SYSCOMMAND, point)
            } else {
                (WM_COMMAND, 0)
            };
            if let Some(q) = m.queues.get_mut(&key) {
                q.post(win32k::Message {
                    hwnd: owner,
                    message,
                    wparam: command,
                    lparam,
                    time,
                    pt,
                });
            }
        }));
    }
    let value = if returns { command } else { u32::from(t.popup) };
    plan(call, acts, 0, returning(value))
}

/// Whether the thread is tracking a menu (its DefWindowProc's WM_SYSCOMMAND goes back to
/// the loop).
pub fn is_tracking(call: &mut ApiCall<'_>) -> bool {
    tracking(call).is_some()
}

/// TrackPopupMenu(Ex)'s work.
fn track_popup(
    call: &mut ApiCall<'_>,
    params: u32,
    menu: u32,
    flags: u32,
    x: i32,
    y: i32,
    hwnd: u32,
) -> ApiReturn {
    if let Some(t) = tracking(call)
        && t.popup
    {
        // The loop goes on (the menu may have been destroyed meanwhile).
        let owner = t.owner;
        let step = track(call, owner, Start::Popup(menu, x, y, flags), false);
        return run(call, params, step);
    }
    let menu = match valid(call, menu) {
        Ok(h) => h,
        Err(()) => return ApiReturn::Value(0),
    };
    let Some(owner) = wm(call).full_handle(hwnd) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    crate::message::ensure_queue(call);
    if let Some(t) = tracking(call)
        && !t.popup
    {
        // A menu of another kind is being tracked by this thread already.
        return ApiReturn::Value(0);
    }
    let step = track(call, owner, Start::Popup(menu, x, y, flags), false);
    run(call, params, step)
}

/// BOOL TrackPopupMenu(HMENU hMenu, UINT uFlags, int x, int y, int nReserved, HWND hWnd,
/// const RECT *prcRect): shows the popup at (x, y) and tracks it until an item is chosen
/// or the menu is dismissed; the command is posted to hWnd as WM_COMMAND, or returned with
/// TPM_RETURNCMD (0: none).
#[export]
pub fn TrackPopupMenu(
    call: &mut ApiCall<'_>,
    hMenu: u32,
    uFlags: u32,
    x: i32,
    y: i32,
    nReserved: u32,
    hWnd: u32,
    prcRect: u32,
) -> ApiReturn {
    let _ = (nReserved, prcRect);
    track_popup(call, 7, hMenu, uFlags, x, y, hWnd)
}

/// BOOL TrackPopupMenuEx(HMENU hMenu, UINT uFlags, int x, int y, HWND hwnd, LPTPMPARAMS
/// lptpm): TrackPopupMenu (the rectangle to stay off is not used).
#[export]
pub fn TrackPopupMenuEx(
    call: &mut ApiCall<'_>,
    hMenu: u32,
    uFlags: u32,
    x: i32,
    y: i32,
    hwnd: u32,
    lptpm: u32,
) -> ApiReturn {
    let _ = lptpm;
    track_popup(call, 6, hMenu, uFlags, x, y, hwnd)
}

/// Whether Alt went down and up with no other key between (its release opens the bar).
#[derive(Default)]
struct AltAlone(BTreeMap<(u32, u32), bool>);

/// DefWindowProc's part in menus, before its other answers: a click on the menu bar
/// (WM_NCLBUTTONDOWN HTMENU) becomes WM_SYSCOMMAND SC_MOUSEMENU; Alt pressed and released
/// alone, or F10, SC_KEYMENU 0; Alt and a character (WM_SYSCHAR) SC_KEYMENU with it, sent
/// to the top-level window; SC_MOUSEMENU and SC_KEYMENU run the menu loop. None for the
/// messages it leaves to the rest of DefWindowProc.
pub fn default_proc(
    call: &mut ApiCall<'_>,
    w: &win32k::Window,
    msg: u32,
    wp: u32,
    lp: u32,
) -> Option<Step> {
    let key = (call.thread.process, call.thread.thread);
    let hwnd = w.handle;
    let top = {
        let m = wm(call);
        let mut h = hwnd;
        while let Some(x) = m
            .window(h)
            .filter(|x| x.style & win32k::WS_CHILD != 0 && x.parent != win32k::DESKTOP)
        {
            h = x.parent;
        }
        h
    };
    match msg {
        WM_NCLBUTTONDOWN
            if wp == win32k::nonclient::HTMENU || wp == win32k::nonclient::HTSYSMENU =>
        {
            let acts: VecDeque<Act> =
                [Act::Send(hwnd, WM_SYSCOMMAND, SC_MOUSEMENU | wp, lp)].into();
            Some(plan(call, acts, 0, returning(0)))
        }
        WM_SYSKEYDOWN | WM_KEYDOWN => {
            let alone = msg == WM_SYSKEYDOWN && wp == VK_MENU && lp & (1 << 30) == 0;
            let a = call.state.get::<AltAlone>();
            if alone {
                a.0.insert(key, true);
            } else if !(msg == WM_SYSKEYDOWN && wp == VK_MENU) {
                a.0.insert(key, false);
            }
            if wp == VK_F10 {
                a.0.insert(key, true);
            }
            None
        }
        WM_SYSKEYUP if wp == VK_MENU || wp == VK_F10 => {
            let alone = call.state.get::<AltAlone>().0.remove(&key).unwrap_or(false);
            if !alone {
                return None;
            }
            let acts: VecDeque<Act> = [Act::Send(top, WM_SYSCOMMAND, SC_KEYMENU, 0)].into();
            Some(plan(call, acts, 0, returning(0)))
        }
        WM_SYSCHAR if lp & (1 << 29) != 0 && wp != VK_RETURN => {
            call.state.get::<AltAlone>().0.insert(key, false);
            let acts: VecDeque<Act> =
                [Act::Send(top, WM_SYSCOMMAND, SC_KEYMENU, wp & 0xFFFF)].into();
            Some(plan(call, acts, 0, returning(0)))
        }
        WM_SYSCOMMAND if matches!(wp & 0xFFF0, SC_MOUSEMENU | SC_KEYMENU) => {
            if w.thread != call.thread.thread {
                return Some(Step::Return(0));
            }
            let start = if wp & 0xFFF0 == SC_MOUSEMENU {
                if wp & 0xF == win32k::nonclient::HTSYSMENU {
                    Start::System(false)
                } else {
                    Start::Mouse(i32::from(lp as i16), i32::from((lp >> 16) as i16))
                }
            } else if lp as u16 == u16::from(b' ') {
                Start::System(true)
            } else {
                Start::Key(lp as u16)
            };
            let system = matches!(start, Start::System(_));
            if system && w.style & 0x0008_0000 == 0 {
                // No WS_SYSMENU: no system menu.
                return Some(Step::Return(0));
            }
            Some(track(call, hwnd, start, system))
        }
        _ => None,
    }
}
