//! Window classes: RegisterClass(Ex)A/W, UnregisterClassA/W, GetClassInfo(Ex)A/W,
//! Get/SetClassLongA/W, Get/SetClassWord and GetClassNameA/W, over win32k's class table.
//!
//! A class's atom comes from the table RegisterWindowMessage and the clipboard formats
//! share (NT's user atom table). A NULL hInstance stands for the program's own module, as it
//! does on NT. The system classes (Button, Edit, Static, ListBox, ScrollBar, ComboBox,
//! ComboLBox, MDIClient and the dialog class #32770) are registered on first use, each with
//! the builtin its row of `SYSTEM_CLASSES` names as its procedure (a USER32 export, found
//! by name; NT's procedures of these classes are not exported, so theirs are thunks of
//! static imports only, never found by GetProcAddress); a class whose procedure is not
//! implemented gets DefWindowProcW and behaves as a plain window.

use nt_status::Win32Error;
use win32::{ApiCall, ApiReturn, Ptr, export};
use win32k::{Class, ClassName};

use crate::clipboard::Clipboard;
use crate::wm::{copy_text, read_class_name, wm};

/// The system classes registered for every process: name, CS_* styles, the name of the
/// USER32 builtin that is their window procedure (DefWindowProcW when USER32 does not
/// implement it), their window extra bytes, and whether a window of the class takes the
/// character set of the CreateWindowEx call that made it (NT's controls have ANSI and
/// Unicode procedures; ntemu's Button, Static, MDIClient and dialog procedures answer in
/// Unicode only, USER32 converting for ANSI callers). A control's procedure is an ordinary
/// `#[export]` of USER32 listed in its export table (taking the window procedure's four
/// arguments); its row here names it.
const SYSTEM_CLASSES: &[(&str, u32, &str, u32, bool)] = &[
    ("Button", 0x4083, "ButtonWndProcW", 0, false),
    ("Edit", 0x4088, "EditWndProc", 0, true),
    ("Static", 0x4080, "StaticWndProcW", 0, false),
    ("ListBox", 0x4088, "ListBoxWndProc", 0, true),
    ("ScrollBar", 0x408B, "ScrollBarWndProc", 0, true),
    ("ComboBox", 0x404B, "ComboBoxWndProc", 0, true),
    ("ComboLBox", 0x4889, "ComboLBoxWndProc", 0, true),
    ("MDIClient", 0x4000, "MDIClientWndProcW", 0, false),
    ("#32770", 0x4808, "DefDlgProcW", 30, false),
];

/// Whether windows of the system class `name` take their creator's character set.
pub fn takes_caller_charset(name: &str) -> bool {
    SYSTEM_CLASSES
        .iter()
        .any(|&(n, _, _, _, caller)| caller && n.eq_ignore_ascii_case(name))
}

/// The program's module handle (what a NULL hInstance stands for).
pub fn program_module(call: &ApiCall<'_>) -> u32 {
    kernel32::resource::module_base(call, 0).unwrap_or(0)
}

/// An hInstance argument: NULL is the program's module.
pub fn instance_of(call: &ApiCall<'_>, instance: u32) -> u32 {
    if instance == 0 {
        program_module(call)
    } else {
        instance
    }
}

/// Registers the system classes once.
pub fn ensure_system_classes(call: &mut ApiCall<'_>) {
    if wm(call).has_system_class("Button") {
        return;
    }
    let default_proc = call
        .builtins
        .implemented("USER32.dll", "DefWindowProcW")
        .unwrap_or(0);
    for &(name, style, proc_name, window_extra, _) in SYSTEM_CLASSES {
        let proc_ = call
            .builtins
            .implemented("USER32.dll", proc_name)
            .unwrap_or(default_proc);
        let atom = match name.strip_prefix('#').and_then(|n| n.parse::<u16>().ok()) {
            Some(n) => n,
            None => call.state.get::<Clipboard>().register(name).unwrap_or(0) as u16,
        };
        let class = Class {
            atom,
            name: name.into(),
            style,
            wndproc: proc_,
            unicode: true,
            window_extra,
            cursor: crate::cursor::IDC_ARROW_HANDLE,
            system: true,
            ..Class::default()
        };
        wm(call).register_class(class);
    }
}

/// The class a process finds under `name` for `instance`.
pub fn find(call: &mut ApiCall<'_>, instance: u32, name: &ClassName) -> Option<usize> {
    ensure_system_classes(call);
    let process = call.thread.process;
    let instance = instance_of(call, instance);
    wm(call).find_class(process, instance, name)
}

/// Reads the words of a WNDCLASS(EX) structure.
fn read_words(call: &ApiCall<'_>, address: u32, count: usize) -> Option<Vec<u32>> {
    let bytes = call.read_bytes(address, 4 * count).ok()?;
    Some(
        bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    )
}

/// Registers a class from WNDCLASS words (style, proc, cls extra, wnd extra, instance, icon,
/// cursor, background, menu, class name) and hIconSm.
fn register(call: &mut ApiCall<'_>, w: &[u32], icon_small: u32, wide: bool) -> ApiReturn {
    ensure_system_classes(call);
    let Some(name) = read_class_name(call, w[9], wide) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let name = match name {
        ClassName::Name(n) if !n.is_empty() && n.chars().count() <= 255 => n,
        // An atom names a class only if something registered it; NT 4.0 then takes its name.
        _ => return call.fail_win32(Win32Error::INVALID_PARAMETER, 0),
    };
    let (class_extra, window_extra) = (w[2] as i32, w[3] as i32);
    if !(0..=0x1_0000).contains(&class_extra) || !(0..=0x1_0000).contains(&window_extra) {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    let Some(atom) = call.state.get::<Clipboard>().register(&name) else {
        return call.fail_win32(Win32Error::NOT_ENOUGH_MEMORY, 0);
    };
    let class = Class {
        atom: atom as u16,
        name,
        process: call.thread.process,
        instance: instance_of(call, w[4]),
        style: w[0],
        wndproc: w[1],
        unicode: wide,
        extra: vec![0; class_extra as usize],
        window_extra: window_extra as u32,
        icon: w[5],
        icon_small,
        cursor: w[6],
        background: w[7],
        menu_name: w[8],
        system: false,
        windows: 0,
    };
    if wm(call).register_class(class) {
        ApiReturn::Value(atom)
    } else {
        call.fail_win32(Win32Error::CLASS_ALREADY_EXISTS, 0)
    }
}

/// ATOM RegisterClassA(const WNDCLASSA *lpWndClass).
#[export]
fn RegisterClassA(call: &mut ApiCall<'_>, lpWndClass: Ptr) -> ApiReturn {
    match read_words(call, lpWndClass.0, 10) {
        Some(w) => register(call, &w, 0, false),
        None => call.fail_win32(Win32Error::NOACCESS, 0),
    }
}

/// ATOM RegisterClassW(const WNDCLASSW *lpWndClass).
#[export]
fn RegisterClassW(call: &mut ApiCall<'_>, lpWndClass: Ptr) -> ApiReturn {
    match read_words(call, lpWndClass.0, 10) {
        Some(w) => register(call, &w, 0, true),
        None => call.fail_win32(Win32Error::NOACCESS, 0),
    }
}

/// RegisterClassExA/W's work: cbSize must be sizeof(WNDCLASSEX), 48.
fn register_ex(call: &mut ApiCall<'_>, address: u32, wide: bool) -> ApiReturn {
    let Some(w) = read_words(call, address, 12) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    if w[0] != 48 {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    register(call, &w[1..11], w[11], wide)
}

/// ATOM RegisterClassExA(const WNDCLASSEXA *lpwcx).
#[export]
fn RegisterClassExA(call: &mut ApiCall<'_>, lpwcx: Ptr) -> ApiReturn {
    register_ex(call, lpwcx.0, false)
}

/// ATOM RegisterClassExW(const WNDCLASSEXW *lpwcx).
#[export]
fn RegisterClassExW(call: &mut ApiCall<'_>, lpwcx: Ptr) -> ApiReturn {
    register_ex(call, lpwcx.0, true)
}

/// UnregisterClassA/W's work.
fn unregister(call: &mut ApiCall<'_>, name: u32, instance: u32, wide: bool) -> ApiReturn {
    let Some(name) = read_class_name(call, name, wide) else {
        return call.fail_win32(Win32Error::CLASS_DOES_NOT_EXIST, 0);
    };
    let process = call.thread.process;
    let instance = instance_of(call, instance);
    match wm(call).unregister_class(process, instance, &name) {
        Ok(()) => ApiReturn::Value(1),
        Err(true) => call.fail_win32(Win32Error::CLASS_HAS_WINDOWS, 0),
        Err(false) => call.fail_win32(Win32Error::CLASS_DOES_NOT_EXIST, 0),
    }
}

/// BOOL UnregisterClassA(LPCSTR lpClassName, HINSTANCE hInstance): FALSE with
/// ERROR_CLASS_HAS_WINDOWS while windows of it exist, ERROR_CLASS_DOES_NOT_EXIST for none.
#[export]
fn UnregisterClassA(call: &mut ApiCall<'_>, lpClassName: u32, hInstance: u32) -> ApiReturn {
    unregister(call, lpClassName, hInstance, false)
}

/// BOOL UnregisterClassW(LPCWSTR lpClassName, HINSTANCE hInstance).
#[export]
fn UnregisterClassW(call: &mut ApiCall<'_>, lpClassName: u32, hInstance: u32) -> ApiReturn {
    unregister(call, lpClassName, hInstance, true)
}

/// GetClassInfo(Ex)A/W's work: writes the class into a WNDCLASS (`ex`: WNDCLASSEX, whose
/// cbSize is left as the caller set it) and returns its atom.
fn class_info(
    call: &mut ApiCall<'_>,
    instance: u32,
    name_arg: u32,
    out: u32,
    wide: bool,
    ex: bool,
) -> ApiReturn {
    let Some(name) = read_class_name(call, name_arg, wide) else {
        return call.fail_win32(Win32Error::CLASS_DOES_NOT_EXIST, 0);
    };
    let Some(index) = find(call, instance, &name) else {
        return call.fail_win32(Win32Error::CLASS_DOES_NOT_EXIST, 0);
    };
    let Some(c) = wm(call).class(index).cloned() else {
        return call.fail_win32(Win32Error::CLASS_DOES_NOT_EXIST, 0);
    };
    let mut words = vec![
        c.style,
        c.wndproc,
        c.extra.len() as u32,
        c.window_extra,
        c.instance,
        c.icon,
        c.cursor,
        c.background,
        c.menu_name,
        name_arg,
    ];
    let mut address = out;
    if ex {
        words.push(c.icon_small);
        address = address.wrapping_add(4);
    }
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    match call.write_bytes(address, &bytes) {
        Ok(()) => ApiReturn::Value(u32::from(c.atom)),
        Err(_) => call.fail_win32(Win32Error::NOACCESS, 0),
    }
}

/// BOOL GetClassInfoA(HINSTANCE hInstance, LPCSTR lpClassName, LPWNDCLASSA lpWndClass).
#[export]
fn GetClassInfoA(
    call: &mut ApiCall<'_>,
    hInstance: u32,
    lpClassName: u32,
    lpWndClass: Ptr,
) -> ApiReturn {
    class_info(call, hInstance, lpClassName, lpWndClass.0, false, false)
}

/// BOOL GetClassInfoW(HINSTANCE hInstance, LPCWSTR lpClassName, LPWNDCLASSW lpWndClass).
#[export]
fn GetClassInfoW(
    call: &mut ApiCall<'_>,
    hInstance: u32,
    lpClassName: u32,
    lpWndClass: Ptr,
) -> ApiReturn {
    class_info(call, hInstance, lpClassName, lpWndClass.0, true, false)
}

/// BOOL GetClassInfoExA(HINSTANCE hInstance, LPCSTR lpszClass, LPWNDCLASSEXA lpwcx).
#[export]
fn GetClassInfoExA(
    call: &mut ApiCall<'_>,
    hInstance: u32,
    lpszClass: u32,
    lpwcx: Ptr,
) -> ApiReturn {
    class_info(call, hInstance, lpszClass, lpwcx.0, false, true)
}

/// BOOL GetClassInfoExW(HINSTANCE hInstance, LPCWSTR lpszClass, LPWNDCLASSEXW lpwcx).
#[export]
fn GetClassInfoExW(
    call: &mut ApiCall<'_>,
    hInstance: u32,
    lpszClass: u32,
    lpwcx: Ptr,
) -> ApiReturn {
    class_info(call, hInstance, lpszClass, lpwcx.0, true, true)
}

/// The class of window `hwnd`.
fn class_of_window(call: &mut ApiCall<'_>, hwnd: u32) -> Option<usize> {
    wm(call).window(hwnd).map(|w| w.class)
}

/// GetClassLong's value at `index` (GCL_* or an offset into the class extra bytes).
fn class_long(c: &Class, index: i32) -> Option<u32> {
    Some(match index {
        -8 => c.menu_name,
        -10 => c.background,
        -12 => c.cursor,
        -14 => c.icon,
        -16 => c.instance,
        -18 => c.window_extra,
        -20 => c.extra.len() as u32,
        -24 => c.wndproc,
        -26 => c.style,
        -32 => u32::from(c.atom),
        -34 => c.icon_small,
        i if i >= 0 => {
            let i = i as usize;
            let b = c.extra.get(i..i + 4)?;
            u32::from_le_bytes([b[0], b[1], b[2], b[3]])
        }
        _ => return None,
    })
}

/// GetClassLongA/W's work.
fn get_class_long(call: &mut ApiCall<'_>, hwnd: u32, index: i32) -> ApiReturn {
    let Some(ci) = class_of_window(call, hwnd) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    match wm(call).class(ci).and_then(|c| class_long(c, index)) {
        Some(v) => ApiReturn::Value(v),
        None => call.fail_win32(Win32Error::INVALID_INDEX, 0),
    }
}

/// DWORD GetClassLongA(HWND hWnd, int nIndex).
#[export]
fn GetClassLongA(call: &mut ApiCall<'_>, hWnd: u32, nIndex: i32) -> ApiReturn {
    get_class_long(call, hWnd, nIndex)
}

/// DWORD GetClassLongW(HWND hWnd, int nIndex).
#[export]
fn GetClassLongW(call: &mut ApiCall<'_>, hWnd: u32, nIndex: i32) -> ApiReturn {
    get_class_long(call, hWnd, nIndex)
}

/// SetClassLongA/W's work: returns the old value.
fn set_class_long(
    call: &mut ApiCall<'_>,
    hwnd: u32,
    index: i32,
    value: u32,
    wide: bool,
) -> ApiReturn {
    let Some(ci) = class_of_window(call, hwnd) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    let process = call.thread.process;
    let Some(c) = wm(call).class_mut(ci) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    if c.system || c.process != process {
        return call.fail_win32(Win32Error::ACCESS_DENIED, 0);
    }
    let Some(old) = class_long(c, index) else {
        return call.fail_win32(Win32Error::INVALID_INDEX, 0);
    };
    match index {
        -8 => c.menu_name = value,
        -10 => c.background = value,
        -12 => c.cursor = value,
        -14 => c.icon = value,
        -16 => c.instance = value,
        -18 if value > 0x1_0000 => return call.fail_win32(Win32Error::INVALID_PARAMETER, 0),
        -18 => c.window_extra = value,
        -24 => {
            c.wndproc = value;
            c.unicode = wide;
        }
        -26 => c.style = value,
        -34 => c.icon_small = value,
        i if i >= 0 => {
            let i = i as usize;
            c.extra[i..i + 4].copy_from_slice(&value.to_le_bytes());
        }
        _ => return call.fail_win32(Win32Error::INVALID_INDEX, 0),
    }
    ApiReturn::Value(old)
}

/// DWORD SetClassLongA(HWND hWnd, int nIndex, LONG dwNewLong).
#[export]
fn SetClassLongA(call: &mut ApiCall<'_>, hWnd: u32, nIndex: i32, dwNewLong: u32) -> ApiReturn {
    set_class_long(call, hWnd, nIndex, dwNewLong, false)
}

/// DWORD SetClassLongW(HWND hWnd, int nIndex, LONG dwNewLong).
#[export]
fn SetClassLongW(call: &mut ApiCall<'_>, hWnd: u32, nIndex: i32, dwNewLong: u32) -> ApiReturn {
    set_class_long(call, hWnd, nIndex, dwNewLong, true)
}

/// WORD GetClassWord(HWND hWnd, int nIndex): a word of the class extra bytes, or GCW_ATOM.
#[export]
fn GetClassWord(call: &mut ApiCall<'_>, hWnd: u32, nIndex: i32) -> ApiReturn {
    let Some(ci) = class_of_window(call, hWnd) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    let Some(c) = wm(call).class(ci) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    let value = match nIndex {
        -32 => Some(u32::from(c.atom)),
        i if i >= 0 => c
            .extra
            .get(i as usize..i as usize + 2)
            .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]]))),
        _ => None,
    };
    match value {
        Some(v) => ApiReturn::Value(v),
        None => call.fail_win32(Win32Error::INVALID_INDEX, 0),
    }
}

/// GetClassNameA/W's work.
fn class_name(call: &mut ApiCall<'_>, hwnd: u32, buffer: u32, max: u32, wide: bool) -> ApiReturn {
    let Some(ci) = class_of_window(call, hwnd) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    let name: Vec<u16> = wm(call)
        .class(ci)
        .map(|c| c.name.encode_utf16().collect())
        .unwrap_or_default();
    match copy_text(call, buffer, max, &name, wide) {
        Some(n) => ApiReturn::Value(n),
        None => call.fail_win32(Win32Error::NOACCESS, 0),
    }
}

/// int GetClassNameA(HWND hWnd, LPSTR lpClassName, int nMaxCount).
#[export]
fn GetClassNameA(call: &mut ApiCall<'_>, hWnd: u32, lpClassName: Ptr, nMaxCount: u32) -> ApiReturn {
    class_name(call, hWnd, lpClassName.0, nMaxCount, false)
}

/// int GetClassNameW(HWND hWnd, LPWSTR lpClassName, int nMaxCount).
#[export]
fn GetClassNameW(call: &mut ApiCall<'_>, hWnd: u32, lpClassName: Ptr, nMaxCount: u32) -> ApiReturn {
    class_name(call, hWnd, lpClassName.0, nMaxCount, true)
}
