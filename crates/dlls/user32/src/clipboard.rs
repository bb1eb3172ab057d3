//! The clipboard: one per machine (NT's window station), shared by every process.
//!
//! A thread opens it (OpenClipboard, with or without a window), EmptyClipboard makes the
//! opener its owner and frees what it held, SetClipboardData hands it a global memory block
//! whose bytes it keeps, and GetClipboardData gives the caller a block in its own process.
//! As NT does, closing the clipboard after text was put on it adds CF_LOCALE and the text
//! formats NT converts on demand (CF_TEXT, CF_OEMTEXT and CF_UNICODETEXT from whichever
//! was set). Registered formats (RegisterClipboardFormat, and window messages, which share
//! the table) are numbered from 0xC000, their names compared case-insensitively.
//!
//! Blocks given to GetClipboardData's callers are freed by the next EmptyClipboard when the
//! caller is the process that empties it; a block in another process stays in that
//! process's heap until it exits.

use std::sync::{Arc, Weak};

use nt_object::Object;
use nt_status::Win32Error;
use win32::codepage::CodePage;
use win32::{AnsiStr, ApiCall, WideStr, export};

use kernel32::global::{global_alloc_shared, global_bytes, global_free};

/// CF_TEXT: ANSI text.
pub const CF_TEXT: u32 = 1;
/// CF_OEMTEXT: text in the OEM code page.
pub const CF_OEMTEXT: u32 = 7;
/// CF_UNICODETEXT: UTF-16 text.
pub const CF_UNICODETEXT: u32 = 13;
/// CF_LOCALE: the LCID of the text on the clipboard.
pub const CF_LOCALE: u32 = 16;
/// The first registered format (and registered window message).
pub const FIRST_REGISTERED_FORMAT: u32 = 0xC000;

/// LCID of U.S. English, the locale ntemu's threads have.
const LOCALE_EN_US: u32 = 0x0409;
/// The most bytes of a format name (NT's atom names stop at 255 characters).
const MAX_FORMAT_NAME: usize = 255;

/// A thread that has the clipboard open.
struct Opener {
    process: u32,
    thread: u32,
    /// The thread's object, so a later thread with a reused id is not taken for it.
    thread_object: Weak<Object>,
    window: u32,
}

/// A block the clipboard gave (or was given) in one process.
struct Block {
    process: u32,
    process_object: Weak<Object>,
    handle: u32,
}

/// One format on the clipboard.
struct Entry {
    format: u32,
    /// The bytes; None for a format rendered on request (delayed rendering, or a text
    /// format NT converts from another).
    data: Option<Vec<u8>>,
    /// Blocks holding this format's data in processes (the one SetClipboardData was given
    /// and those GetClipboardData made).
    blocks: Vec<Block>,
}

/// The machine's clipboard (a state value of the layer).
#[derive(Default)]
pub struct Clipboard {
    opener: Option<Opener>,
    /// The window that owns the contents (the opener's, at EmptyClipboard).
    owner: u32,
    /// Formats in the order they were put there.
    entries: Vec<Entry>,
    /// Set by EmptyClipboard or SetClipboardData while open: CloseClipboard then adds the
    /// converted formats.
    changed: bool,
    /// Registered format names, format FIRST_REGISTERED_FORMAT + index.
    registered: Vec<String>,
}

impl Clipboard {
    /// The opener, if its thread still runs.
    fn live_opener(&self, machine: &nt_kernel::Machine) -> Option<&Opener> {
        let opener = self.opener.as_ref()?;
        let object = opener.thread_object.upgrade()?;
        let running = machine
            .process(opener.process)
            .and_then(|p| p.thread(opener.thread))
            .is_some_and(|t| Arc::ptr_eq(t.object(), &object));
        running.then_some(opener)
    }

    fn entry(&self, format: u32) -> Option<&Entry> {
        self.entries.iter().find(|e| e.format == format)
    }

    /// The number of a registered name, adding it if new; None when the table is full.
    pub fn register(&mut self, name: &str) -> Option<u32> {
        if let Some(i) = self
            .registered
            .iter()
            .position(|n| n.to_lowercase() == name.to_lowercase())
        {
            return Some(FIRST_REGISTERED_FORMAT + i as u32);
        }
        let format = FIRST_REGISTERED_FORMAT + self.registered.len() as u32;
        if format > 0xFFFF {
            return None;
        }
        self.registered.push(name.to_string());
        Some(format)
    }
}

/// True when the calling thread has the clipboard open.
fn opened_by_caller(call: &mut ApiCall<'_>) -> bool {
    let caller = call.thread;
    call.state
        .get::<Clipboard>()
        .live_opener(call.machine)
        .is_some_and(|o| o.process == caller.process && o.thread == caller.thread)
}

fn not_open(call: &mut ApiCall<'_>) -> u32 {
    call.set_last_error(Win32Error::CLIPBOARD_NOT_OPEN.0);
    0
}

/// BOOL OpenClipboard(HWND hWndNewOwner): opens the clipboard for the calling thread (again
/// succeeds for the thread that has it open); ERROR_ACCESS_DENIED while another thread has
/// it open.
#[export]
fn OpenClipboard(call: &mut ApiCall<'_>, hWndNewOwner: u32) -> bool {
    let caller = call.thread;
    let held_by_other = call
        .state
        .get::<Clipboard>()
        .live_opener(call.machine)
        .is_some_and(|o| !(o.process == caller.process && o.thread == caller.thread));
    if held_by_other {
        call.set_last_error(Win32Error::ACCESS_DENIED.0);
        return false;
    }
    let thread_object = call
        .machine
        .process(caller.process)
        .and_then(|p| p.thread(caller.thread))
        .map(|t| Arc::downgrade(t.object()))
        .unwrap_or_default();
    call.state.get::<Clipboard>().opener = Some(Opener {
        process: caller.process,
        thread: caller.thread,
        thread_object,
        window: hWndNewOwner,
    });
    true
}

/// BOOL CloseClipboard(void): closes the clipboard the calling thread opened; after a
/// change, adds CF_LOCALE and the text formats NT converts. ERROR_CLIPBOARD_NOT_OPEN when
/// the thread does not have it open.
#[export]
fn CloseClipboard(call: &mut ApiCall<'_>) -> u32 {
    if !opened_by_caller(call) {
        return not_open(call);
    }
    let clipboard = call.state.get::<Clipboard>();
    clipboard.opener = None;
    if std::mem::take(&mut clipboard.changed) {
        add_converted_formats(clipboard);
    }
    1
}

/// After text was put on the clipboard: CF_LOCALE (the thread's locale) when it has none,
/// then the text formats it lacks, converted from the one it has, in increasing order.
fn add_converted_formats(clipboard: &mut Clipboard) {
    let text = [CF_TEXT, CF_OEMTEXT, CF_UNICODETEXT];
    if !text.iter().any(|&f| clipboard.entry(f).is_some()) {
        return;
    }
    if clipboard.entry(CF_LOCALE).is_none() {
        clipboard.entries.push(Entry {
            format: CF_LOCALE,
            data: Some(LOCALE_EN_US.to_le_bytes().to_vec()),
            blocks: Vec::new(),
        });
    }
    for format in text {
        if clipboard.entry(format).is_none() {
            clipboard.entries.push(Entry {
                format,
                data: None,
                blocks: Vec::new(),
            });
        }
    }
}

/// BOOL EmptyClipboard(void): frees what the clipboard holds and makes the opener's window
/// its owner. ERROR_CLIPBOARD_NOT_OPEN when the thread does not have it open.
#[export]
fn EmptyClipboard(call: &mut ApiCall<'_>) -> u32 {
    if !opened_by_caller(call) {
        return not_open(call);
    }
    let pid = call.thread.process;
    let clipboard = call.state.get::<Clipboard>();
    let entries = std::mem::take(&mut clipboard.entries);
    clipboard.owner = clipboard.opener.as_ref().map_or(0, |o| o.window);
    clipboard.changed = true;
    for block in entries.into_iter().flat_map(|e| e.blocks) {
        if block.process == pid && block.process_object.upgrade().is_some() {
            global_free(call, block.handle);
        }
    }
    1
}

/// A new block in the caller's process holding `bytes`.
fn new_block(call: &mut ApiCall<'_>, bytes: &[u8]) -> Option<Block> {
    let process_object = Arc::downgrade(&call.process_object()?);
    let handle = global_alloc_shared(call, bytes)?;
    Some(Block {
        process: call.thread.process,
        process_object,
        handle,
    })
}

/// HANDLE SetClipboardData(UINT uFormat, HANDLE hMem): puts a global memory block's bytes on
/// the clipboard as `uFormat`, replacing that format's data, and returns hMem (which the
/// clipboard now owns). hMem NULL promises the data later (delayed rendering): the format
/// is listed, and GetClipboardData answers NULL for it while no owner window renders it.
/// ERROR_CLIPBOARD_NOT_OPEN when the thread does not have it open; ERROR_INVALID_HANDLE
/// for a block that is not one.
#[export]
fn SetClipboardData(call: &mut ApiCall<'_>, uFormat: u32, hMem: u32) -> u32 {
    if !opened_by_caller(call) {
        return not_open(call);
    }
    if uFormat == 0 {
        call.set_last_error(Win32Error::INVALID_PARAMETER.0);
        return 0;
    }
    let (data, blocks) = if hMem == 0 {
        (None, Vec::new())
    } else {
        let Some((at, size)) = global_bytes(call, hMem) else {
            call.set_last_error(Win32Error::INVALID_HANDLE.0);
            return 0;
        };
        let Ok(bytes) = call.read_bytes(at, size as usize) else {
            call.set_last_error(Win32Error::NOACCESS.0);
            return 0;
        };
        let Some(process_object) = call.process_object() else {
            return not_open(call);
        };
        let block = Block {
            process: call.thread.process,
            process_object: Arc::downgrade(&process_object),
            handle: hMem,
        };
        (Some(bytes), vec![block])
    };
    let clipboard = call.state.get::<Clipboard>();
    clipboard.changed = true;
    // A format set again replaces the old data (and the converted formats are made anew).
    let old: Vec<Entry> = {
        let (same, rest): (Vec<Entry>, Vec<Entry>) = std::mem::take(&mut clipboard.entries)
            .into_iter()
            .partition(|e| e.format == uFormat || (e.data.is_none() && is_text(e.format)));
        clipboard.entries = rest;
        same
    };
    clipboard.entries.push(Entry {
        format: uFormat,
        data,
        blocks,
    });
    let pid = call.thread.process;
    for block in old.into_iter().flat_map(|e| e.blocks) {
        if block.process == pid && block.handle != hMem {
            global_free(call, block.handle);
        }
    }
    if hMem == 0 { 0 } else { hMem }
}

/// Puts `text` on the clipboard as CF_UNICODETEXT (the other text formats converted from
/// it), owned by `owner`, as an edit control's WM_COPY does (it opens, empties, sets and
/// closes the clipboard). False while another thread has the clipboard open.
pub fn put_text(call: &mut ApiCall<'_>, owner: u32, text: &[u16]) -> bool {
    let caller = call.thread;
    let clipboard = call.state.get::<Clipboard>();
    if clipboard
        .live_opener(call.machine)
        .is_some_and(|o| o.process != caller.process || o.thread != caller.thread)
    {
        return false;
    }
    let entries = std::mem::take(&mut clipboard.entries);
    clipboard.owner = owner;
    clipboard.entries.push(Entry {
        format: CF_UNICODETEXT,
        data: Some(text_bytes(CF_UNICODETEXT, text)),
        blocks: Vec::new(),
    });
    add_converted_formats(clipboard);
    for block in entries.into_iter().flat_map(|e| e.blocks) {
        if block.process == caller.process && block.process_object.upgrade().is_some() {
            global_free(call, block.handle);
        }
    }
    true
}

/// The clipboard's text (CF_UNICODETEXT, or converted from the text format it has), as an
/// edit control's WM_PASTE takes it; None when it holds no text or another thread has it
/// open.
pub fn get_text(call: &mut ApiCall<'_>) -> Option<Vec<u16>> {
    let caller = call.thread;
    let clipboard = call.state.get::<Clipboard>();
    if clipboard
        .live_opener(call.machine)
        .is_some_and(|o| o.process != caller.process || o.thread != caller.thread)
    {
        return None;
    }
    let bytes = rendered(clipboard, CF_UNICODETEXT)?;
    Some(text_units(CF_UNICODETEXT, &bytes))
}

fn is_text(format: u32) -> bool {
    matches!(format, CF_TEXT | CF_OEMTEXT | CF_UNICODETEXT)
}

/// Text of `format` as UTF-16 units up to its NUL.
fn text_units(format: u32, bytes: &[u8]) -> Vec<u16> {
    match format {
        CF_UNICODETEXT => bytes
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .take_while(|&u| u != 0)
            .collect(),
        CF_OEMTEXT => bytes
            .iter()
            .take_while(|&&b| b != 0)
            .map(|&b| CodePage::Oem.decode(b))
            .collect(),
        _ => bytes
            .iter()
            .take_while(|&&b| b != 0)
            .map(|&b| CodePage::Ansi.decode(b))
            .collect(),
    }
}

/// UTF-16 units as `format`'s bytes with the NUL.
fn text_bytes(format: u32, units: &[u16]) -> Vec<u8> {
    let mut out: Vec<u8> = match format {
        CF_UNICODETEXT => units.iter().flat_map(|u| u.to_le_bytes()).collect(),
        CF_OEMTEXT => units
            .iter()
            .map(|&u| CodePage::Oem.encode(u).unwrap_or(b'?'))
            .collect(),
        _ => units
            .iter()
            .map(|&u| CodePage::Ansi.encode(u).unwrap_or(b'?'))
            .collect(),
    };
    out.extend_from_slice(if format == CF_UNICODETEXT {
        &[0, 0]
    } else {
        &[0]
    });
    out
}

/// The bytes of `format`: its own, or text converted from the format that was set.
fn rendered(clipboard: &Clipboard, format: u32) -> Option<Vec<u8>> {
    let entry = clipboard.entry(format)?;
    if let Some(data) = &entry.data {
        return Some(data.clone());
    }
    if !is_text(format) {
        return None;
    }
    let source = clipboard
        .entries
        .iter()
        .find(|e| is_text(e.format) && e.data.is_some())?;
    let units = text_units(source.format, source.data.as_deref()?);
    Some(text_bytes(format, &units))
}

/// HANDLE GetClipboardData(UINT uFormat): a global block in the caller's process holding
/// the format's data (the same block each time it is asked; the one SetClipboardData was
/// given, in that process), converting text as NT does. NULL when the format is absent or
/// not rendered; ERROR_CLIPBOARD_NOT_OPEN when the thread does not have it open.
#[export]
fn GetClipboardData(call: &mut ApiCall<'_>, uFormat: u32) -> u32 {
    if !opened_by_caller(call) {
        return not_open(call);
    }
    let pid = call.thread.process;
    let clipboard = call.state.get::<Clipboard>();
    let Some(entry) = clipboard.entry(uFormat) else {
        return 0;
    };
    if let Some(block) = entry
        .blocks
        .iter()
        .find(|b| b.process == pid && b.process_object.upgrade().is_some())
    {
        return block.handle;
    }
    let Some(bytes) = rendered(clipboard, uFormat) else {
        return 0;
    };
    let Some(block) = new_block(call, &bytes) else {
        call.set_last_error(Win32Error::NOT_ENOUGH_MEMORY.0);
        return 0;
    };
    let handle = block.handle;
    let clipboard = call.state.get::<Clipboard>();
    if let Some(entry) = clipboard.entries.iter_mut().find(|e| e.format == uFormat) {
        entry.blocks.push(block);
    }
    handle
}

/// BOOL IsClipboardFormatAvailable(UINT format): whether the clipboard has the format (set
/// or converted); needs no open clipboard.
#[export]
fn IsClipboardFormatAvailable(call: &mut ApiCall<'_>, format: u32) -> bool {
    call.set_last_error(0);
    call.state.get::<Clipboard>().entry(format).is_some()
}

/// int CountClipboardFormats(void): how many formats the clipboard has.
#[export]
fn CountClipboardFormats(call: &mut ApiCall<'_>) -> u32 {
    call.set_last_error(0);
    call.state.get::<Clipboard>().entries.len() as u32
}

/// UINT EnumClipboardFormats(UINT format): the format after `format` (the first for 0), or 0
/// at the end (last error 0). ERROR_CLIPBOARD_NOT_OPEN when the thread does not have it
/// open.
#[export]
fn EnumClipboardFormats(call: &mut ApiCall<'_>, format: u32) -> u32 {
    if !opened_by_caller(call) {
        return not_open(call);
    }
    call.set_last_error(0);
    let entries = &call.state.get::<Clipboard>().entries;
    let next = if format == 0 {
        entries.first()
    } else {
        entries
            .iter()
            .position(|e| e.format == format)
            .and_then(|i| entries.get(i + 1))
    };
    next.map_or(0, |e| e.format)
}

/// HWND GetClipboardOwner(void): the window that emptied the clipboard last (NULL if none).
#[export]
fn GetClipboardOwner(call: &mut ApiCall<'_>) -> u32 {
    call.state.get::<Clipboard>().owner
}

/// HWND GetOpenClipboardWindow(void): the window the clipboard was opened with.
#[export]
fn GetOpenClipboardWindow(call: &mut ApiCall<'_>) -> u32 {
    call.state
        .get::<Clipboard>()
        .live_opener(call.machine)
        .map_or(0, |o| o.window)
}

/// Registers `name` (format or message): its number, or 0 with ERROR_INVALID_PARAMETER for
/// an empty or too long name and ERROR_NOT_ENOUGH_MEMORY when the table is full.
fn register(call: &mut ApiCall<'_>, name: Option<String>) -> u32 {
    let Some(name) = name.filter(|n| !n.is_empty() && n.chars().count() <= MAX_FORMAT_NAME) else {
        call.set_last_error(Win32Error::INVALID_PARAMETER.0);
        return 0;
    };
    match call.state.get::<Clipboard>().register(&name) {
        Some(format) => format,
        None => {
            call.set_last_error(Win32Error::NOT_ENOUGH_MEMORY.0);
            0
        }
    }
}

/// UINT RegisterClipboardFormatA(LPCSTR lpszFormat): the format's number (from 0xC000), the
/// same for the same name in any case.
#[export]
fn RegisterClipboardFormatA(call: &mut ApiCall<'_>, lpszFormat: Option<AnsiStr>) -> u32 {
    register(call, lpszFormat.map(|s| s.to_string()))
}

/// UINT RegisterClipboardFormatW(LPCWSTR lpszFormat): RegisterClipboardFormatA for UTF-16.
#[export]
fn RegisterClipboardFormatW(call: &mut ApiCall<'_>, lpszFormat: Option<WideStr>) -> u32 {
    register(call, lpszFormat.map(|s| s.to_string()))
}

/// UINT RegisterWindowMessageA(LPCSTR lpString): a message number from the table the
/// clipboard formats share (0xC000-0xFFFF).
#[export]
fn RegisterWindowMessageA(call: &mut ApiCall<'_>, lpString: Option<AnsiStr>) -> u32 {
    register(call, lpString.map(|s| s.to_string()))
}

/// UINT RegisterWindowMessageW(LPCWSTR lpString): RegisterWindowMessageA for UTF-16.
#[export]
fn RegisterWindowMessageW(call: &mut ApiCall<'_>, lpString: Option<WideStr>) -> u32 {
    register(call, lpString.map(|s| s.to_string()))
}

/// The name of a registered format, or None (a predefined or unknown format).
fn format_name(call: &mut ApiCall<'_>, format: u32) -> Option<String> {
    let index = format.checked_sub(FIRST_REGISTERED_FORMAT)? as usize;
    call.state.get::<Clipboard>().registered.get(index).cloned()
}

/// int GetClipboardFormatNameA(UINT format, LPSTR lpszFormatName, int cchMaxCount): copies a
/// registered format's name (truncated to cchMaxCount - 1 characters and a NUL) and returns
/// its length; 0 with ERROR_INVALID_PARAMETER for a predefined or unknown format.
#[export]
fn GetClipboardFormatNameA(
    call: &mut ApiCall<'_>,
    format: u32,
    lpszFormatName: win32::Ptr,
    cchMaxCount: i32,
) -> u32 {
    let Some(name) = format_name(call, format) else {
        call.set_last_error(Win32Error::INVALID_PARAMETER.0);
        return 0;
    };
    let Ok(room) = usize::try_from(cchMaxCount) else {
        return 0;
    };
    if room == 0 {
        return 0;
    }
    let mut bytes: Vec<u8> = name
        .encode_utf16()
        .map(|u| CodePage::Ansi.encode(u).unwrap_or(b'?'))
        .take(room - 1)
        .collect();
    let length = bytes.len() as u32;
    bytes.push(0);
    match call.write_bytes(lpszFormatName.0, &bytes) {
        Ok(()) => length,
        Err(_) => {
            call.set_last_error(Win32Error::NOACCESS.0);
            0
        }
    }
}

/// int GetClipboardFormatNameW(UINT format, LPWSTR lpszFormatName, int cchMaxCount):
/// GetClipboardFormatNameA for UTF-16.
#[export]
fn GetClipboardFormatNameW(
    call: &mut ApiCall<'_>,
    format: u32,
    lpszFormatName: win32::Ptr,
    cchMaxCount: i32,
) -> u32 {
    let Some(name) = format_name(call, format) else {
        call.set_last_error(Win32Error::INVALID_PARAMETER.0);
        return 0;
    };
    let Ok(room) = usize::try_from(cchMaxCount) else {
        return 0;
    };
    if room == 0 {
        return 0;
    }
    let units: Vec<u16> = name.encode_utf16().take(room - 1).collect();
    let length = units.len() as u32;
    let mut bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
    bytes.extend_from_slice(&[0, 0]);
    match call.write_bytes(lpszFormatName.0, &bytes) {
        Ok(()) => length,
        Err(_) => {
            call.set_last_error(Win32Error::NOACCESS.0);
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_converts_between_the_three_text_formats() {
        let ansi = [b'c', 0xE9, b'!', 0];
        let units = text_units(CF_TEXT, &ansi);
        assert_eq!(units, vec![u16::from(b'c'), 0xE9, u16::from(b'!')]);
        assert_eq!(text_bytes(CF_OEMTEXT, &units), vec![b'c', 0x82, b'!', 0]);
        assert_eq!(
            text_bytes(CF_UNICODETEXT, &units),
            vec![b'c', 0, 0xE9, 0, b'!', 0, 0, 0]
        );
        assert_eq!(text_units(CF_UNICODETEXT, &[b'a', 0, 0, 0, b'b', 0]), [97]);
    }

    #[test]
    fn registered_names_are_numbered_from_c000_case_insensitively() {
        let mut c = Clipboard::default();
        assert_eq!(c.register("Rich Text Format"), Some(0xC000));
        assert_eq!(c.register("Link"), Some(0xC001));
        assert_eq!(c.register("rich text format"), Some(0xC000));
    }
}
