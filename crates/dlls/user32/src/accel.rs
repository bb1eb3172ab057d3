//! Accelerator tables: LoadAcceleratorsA/W (RT_ACCELERATOR), CreateAcceleratorTableA/W,
//! CopyAcceleratorTableA/W, DestroyAcceleratorTable and TranslateAcceleratorA/W, which
//! turns a key message matching an entry into WM_COMMAND (HIWORD 1) sent to the window, or
//! WM_SYSCOMMAND for a command of its system menu, as NT 4.0's does: WM_INITMENU first when
//! the window has a menu, nothing sent for a command whose menu item is grayed.
//!
//! An ACCEL is 6 bytes on x86 and Alpha alike (fVirt, a pad byte, key, cmd).

use std::collections::VecDeque;

use nt_status::{NtStatus, Win32Error};
use pe_image::resources::{ResourceId, rt};
use win32::{ApiCall, ApiReturn, Ptr, export};
use win32k::input::{VK_CONTROL, VK_MENU, VK_SHIFT};

use crate::guest::{Step, run};
use crate::wm::*;

/// FVIRTKEY.
const FVIRTKEY: u16 = 0x01;
/// FSHIFT.
const FSHIFT: u16 = 0x04;
/// FCONTROL.
const FCONTROL: u16 = 0x08;
/// FALT.
const FALT: u16 = 0x10;
/// The flags an entry keeps.
const FLAGS: u16 = 0x1F;
/// The first handle index of accelerator tables.
const FIRST_INDEX: u32 = 0xC000;

/// One entry: (fVirt, key, cmd).
type Accel = (u16, u16, u16);

/// The accelerator tables of the machine: slots of (uniqueness, entries).
#[derive(Default)]
struct Tables(Vec<(u16, Option<Vec<Accel>>)>);

impl Tables {
    fn insert(&mut self, entries: Vec<Accel>) -> u32 {
        let index = match self.0.iter().position(|s| s.1.is_none()) {
            Some(i) => i,
            None => {
                if self.0.len() >= 0x3FFF {
                    return 0;
                }
                self.0.push((0, None));
                self.0.len() - 1
            }
        };
        let slot = &mut self.0[index];
        slot.0 = match slot.0.wrapping_add(1) {
            0 | 0xFFFF => 1,
            u => u,
        };
        slot.1 = Some(entries);
        (u32::from(slot.0) << 16) | (index as u32 + FIRST_INDEX)
    }

    fn index_of(&self, handle: u32) -> Option<usize> {
        let index = (handle & 0xFFFF).checked_sub(FIRST_INDEX)? as usize;
        let slot = self.0.get(index)?;
        slot.1.as_ref()?;
        let uniq = (handle >> 16) as u16;
        (uniq == 0 || uniq == 0xFFFF || uniq == slot.0).then_some(index)
    }

    fn get(&self, handle: u32) -> Option<&Vec<Accel>> {
        self.0[self.index_of(handle)?].1.as_ref()
    }
}

/// The entries of table `handle`, or ERROR_INVALID_ACCEL_HANDLE.
fn entries(call: &mut ApiCall<'_>, handle: u32) -> Option<Vec<Accel>> {
    let e = call.state.get::<Tables>().get(handle).cloned();
    if e.is_none() {
        call.set_last_error(Win32Error::INVALID_ACCEL_HANDLE.0);
    }
    e
}

/// LoadAcceleratorsA/W's work.
fn load(call: &mut ApiCall<'_>, instance: u32, name: u32, wide: bool) -> ApiReturn {
    let module = crate::class::instance_of(call, instance);
    let id = if name < 0x1_0000 {
        ResourceId::Id(name as u16)
    } else {
        let Some(units) = read_text(call, name, wide) else {
            return call.fail(NtStatus::ACCESS_VIOLATION);
        };
        let s = String::from_utf16_lossy(&units);
        match s.strip_prefix('#').and_then(|n| n.parse::<u16>().ok()) {
            Some(n) => ResourceId::Id(n),
            None => ResourceId::Name(s.to_uppercase()),
        }
    };
    let (address, entry) =
        match kernel32::resource::find(call, module, &ResourceId::Id(rt::ACCELERATOR), &id, 0) {
            Ok(f) => f,
            Err(m) => return call.fail(m.status()),
        };
    let Ok(data) = call.read_bytes(address, entry.size as usize) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let Ok(table) = pe_image::templates::accelerators(&data) else {
        return call.fail(NtStatus::RESOURCE_DATA_NOT_FOUND);
    };
    let e = table
        .iter()
        .map(|a| (a.flags & FLAGS, a.key, a.command))
        .collect();
    ApiReturn::Value(call.state.get::<Tables>().insert(e))
}

/// HACCEL LoadAcceleratorsA(HINSTANCE hInstance, LPCSTR lpTableName).
#[export]
pub fn LoadAcceleratorsA(call: &mut ApiCall<'_>, hInstance: u32, lpTableName: u32) -> ApiReturn {
    load(call, hInstance, lpTableName, false)
}

/// HACCEL LoadAcceleratorsW(HINSTANCE hInstance, LPCWSTR lpTableName).
#[export]
pub fn LoadAcceleratorsW(call: &mut ApiCall<'_>, hInstance: u32, lpTableName: u32) -> ApiReturn {
    load(call, hInstance, lpTableName, true)
}

/// CreateAcceleratorTableA/W's work: `count` ACCELs at `address`.
fn create(call: &mut ApiCall<'_>, address: u32, count: i32) -> ApiReturn {
    if count <= 0 {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    if count > 0x10_0000 {
        // More than the address space could hold in any table a program built.
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    let Ok(b) = call.read_bytes(address, 6 * count as usize) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    let e = b
        .chunks_exact(6)
        .map(|c| {
            (
                u16::from(c[0]) & FLAGS,
                u16::from_le_bytes([c[2], c[3]]),
                u16::from_le_bytes([c[4], c[5]]),
            )
        })
        .collect();
    ApiReturn::Value(call.state.get::<Tables>().insert(e))
}

/// HACCEL CreateAcceleratorTableA(LPACCEL paccel, int cAccel).
#[export]
pub fn CreateAcceleratorTableA(call: &mut ApiCall<'_>, paccel: Ptr, cAccel: i32) -> ApiReturn {
    create(call, paccel.0, cAccel)
}

/// HACCEL CreateAcceleratorTableW(LPACCEL paccel, int cAccel).
#[export]
pub fn CreateAcceleratorTableW(call: &mut ApiCall<'_>, paccel: Ptr, cAccel: i32) -> ApiReturn {
    create(call, paccel.0, cAccel)
}

/// BOOL DestroyAcceleratorTable(HACCEL hAccel).
#[export]
pub fn DestroyAcceleratorTable(call: &mut ApiCall<'_>, hAccel: u32) -> bool {
    let t = call.state.get::<Tables>();
    match t.index_of(hAccel) {
        Some(i) => {
            t.0[i].1 = None;
            true
        }
        None => {
            call.set_last_error(Win32Error::INVALID_ACCEL_HANDLE.0);
            false
        }
    }
}

/// CopyAcceleratorTableA/W's work: without a buffer, the number of entries; else the
/// entries copied (at most `count`).
fn copy(call: &mut ApiCall<'_>, handle: u32, dst: u32, count: i32) -> u32 {
    let Some(e) = entries(call, handle) else {
        return 0;
    };
    if dst == 0 {
        return e.len() as u32;
    }
    let n = e.len().min(count.max(0) as usize);
    let mut bytes = Vec::with_capacity(6 * n);
    for &(f, k, c) in &e[..n] {
        bytes.push(f as u8);
        bytes.push(0);
        bytes.extend_from_slice(&k.to_le_bytes());
        bytes.extend_from_slice(&c.to_le_bytes());
    }
    match call.write_bytes(dst, &bytes) {
        Ok(()) => n as u32,
        Err(_) => 0,
    }
}

/// int CopyAcceleratorTableA(HACCEL hAccelSrc, LPACCEL lpAccelDst, int cAccelEntries).
#[export]
pub fn CopyAcceleratorTableA(
    call: &mut ApiCall<'_>,
    hAccelSrc: u32,
    lpAccelDst: u32,
    cAccelEntries: i32,
) -> u32 {
    copy(call, hAccelSrc, lpAccelDst, cAccelEntries)
}

/// int CopyAcceleratorTableW(HACCEL hAccelSrc, LPACCEL lpAccelDst, int cAccelEntries).
#[export]
pub fn CopyAcceleratorTableW(
    call: &mut ApiCall<'_>,
    hAccelSrc: u32,
    lpAccelDst: u32,
    cAccelEntries: i32,
) -> u32 {
    copy(call, hAccelSrc, lpAccelDst, cAccelEntries)
}

/// The entry of `table` a key message matches: a virtual key (WM_KEYDOWN, WM_SYSKEYDOWN)
/// with exactly the Shift, Ctrl and Alt keys down that it names, or a character
/// (WM_CHAR, WM_SYSCHAR; FALT for the latter).
fn matching(
    table: &[Accel],
    msg: u32,
    key: u32,
    shift: bool,
    ctrl: bool,
    alt: bool,
) -> Option<Accel> {
    table.iter().copied().find(|&(f, k, _)| {
        if u32::from(k) != key {
            return false;
        }
        match msg {
            WM_KEYDOWN | WM_SYSKEYDOWN => {
                f & FVIRTKEY != 0
                    && (f & FSHIFT != 0) == shift
                    && (f & FCONTROL != 0) == ctrl
                    && (f & FALT != 0) == alt
            }
            WM_CHAR | WM_SYSCHAR => f & FVIRTKEY == 0 && (f & FALT != 0) == (msg == WM_SYSCHAR),
            _ => false,
        }
    })
}

/// TranslateAcceleratorA/W's work.
fn translate(call: &mut ApiCall<'_>, hwnd: u32, haccel: u32, msg: u32) -> ApiReturn {
    let Ok(b) = call.read_bytes(msg, 16) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    let w = |i: usize| u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]]);
    let (message, wp) = (w(1), w(2));
    if !matches!(message, WM_KEYDOWN | WM_SYSKEYDOWN | WM_CHAR | WM_SYSCHAR) {
        return ApiReturn::Value(0);
    }
    let Some(table) = entries(call, haccel) else {
        return ApiReturn::Value(0);
    };
    let Some(win) = wm(call).window(hwnd).cloned() else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    let d = &wm(call).display;
    let (shift, ctrl, alt) = (
        d.is_down(VK_SHIFT),
        d.is_down(VK_CONTROL),
        d.is_down(VK_MENU),
    );
    let Some((_, _, command)) = matching(&table, message, wp, shift, ctrl, alt) else {
        return ApiReturn::Value(0);
    };
    let command = u32::from(command);
    let hwnd = win.handle;
    let system = wm(call)
        .menus
        .system_menus
        .get(&hwnd)
        .copied()
        .filter(|&m| wm(call).menus.item(m, command, false).is_some());
    let menu = (wm(call).has_menu_bar(&win)).then_some(win.id);
    let mut acts: VecDeque<Act> = VecDeque::new();
    if let Some(m) = menu.or(system) {
        acts.push_back(Act::Send(hwnd, 0x0116, m, 0)); // WM_INITMENU
    }
    acts.push_back(Act::check(move |call, _| {
        let menus = &wm(call).menus;
        let grayed = |m: Option<u32>| {
            m.and_then(|m| menus.item(m, command, false))
                .is_some_and(|i| i.state & win32k::menu::MF_GRAYED != 0)
        };
        (grayed(system) || grayed(menu)).then_some(Step::Return(1))
    }));
    if system.is_some() {
        acts.push_back(Act::Send(hwnd, WM_SYSCOMMAND, command, 0));
    } else {
        acts.push_back(Act::Send(
            hwnd,
            crate::menu::WM_COMMAND,
            command | 0x1_0000,
            0,
        ));
    }
    let step = plan(call, acts, 0, returning(1));
    run(call, 3, step)
}

/// int TranslateAcceleratorA(HWND hWnd, HACCEL hAccTable, LPMSG lpMsg): nonzero when the
/// message was an accelerator (its command sent).
#[export]
pub fn TranslateAcceleratorA(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    hAccTable: u32,
    lpMsg: Ptr,
) -> ApiReturn {
    translate(call, hWnd, hAccTable, lpMsg.0)
}

/// int TranslateAcceleratorW(HWND hWnd, HACCEL hAccTable, LPMSG lpMsg).
#[export]
pub fn TranslateAcceleratorW(
    call: &mut ApiCall<'_>,
    hWnd: u32,
    hAccTable: u32,
    lpMsg: Ptr,
) -> ApiReturn {
    translate(call, hWnd, hAccTable, lpMsg.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_matches_its_key_with_exactly_its_modifiers() {
        let table = [
            (FVIRTKEY | FCONTROL, 0x4F, 101), // Ctrl+O
            (0, u16::from(b'x'), 102),        // the character x
            (FALT, u16::from(b'q'), 103),     // Alt+q as a character
        ];
        assert_eq!(
            matching(&table, WM_KEYDOWN, 0x4F, false, true, false).map(|a| a.2),
            Some(101)
        );
        assert_eq!(
            matching(&table, WM_KEYDOWN, 0x4F, true, true, false),
            None,
            "Shift too"
        );
        assert_eq!(
            matching(&table, WM_KEYDOWN, 0x4F, false, false, false),
            None
        );
        assert_eq!(
            matching(&table, WM_CHAR, u32::from(b'x'), false, false, false).map(|a| a.2),
            Some(102)
        );
        assert_eq!(
            matching(&table, WM_KEYDOWN, u32::from(b'x'), false, false, false),
            None
        );
        assert_eq!(
            matching(&table, WM_SYSCHAR, u32::from(b'q'), false, false, true).map(|a| a.2),
            Some(103)
        );
        assert_eq!(
            matching(&table, WM_CHAR, u32::from(b'q'), false, false, false),
            None
        );
    }
}
