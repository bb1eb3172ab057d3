//! Directory change notifications: FindFirstChangeNotification, FindNextChangeNotification
//! and FindCloseChangeNotification. The handle is waitable and becomes signalled when
//! something the filter names changes in the directory (or below it, for a subtree watch);
//! FindNextChangeNotification asks for the next change, and one that came in between
//! signals it again at once, as NT's notify queue does.
//!
//! ntemu sees the drive's host directory, which other host programs may change too, so it
//! looks for changes itself: each watch keeps what the directory held (names, kinds, sizes,
//! attributes, times) and compares it, at most every [`SCAN_INTERVAL`], between scheduler
//! rounds and while every guest thread waits.

use std::collections::BTreeMap;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use nt_kernel::{Machine, Pause};
use nt_object::{AccessMask, EventType, Handle, HandleAttributes, Object};
use nt_status::Win32Error;
use win32::{AnsiStr, ApiCall, ApiReturn, HostIo, WideStr, Win32State, export};

use crate::volume::{Located, Node, Volume};

/// How often a watched directory is looked at.
const SCAN_INTERVAL: Duration = Duration::from_millis(10);
/// The most entries a subtree watch looks at.
const MAX_ENTRIES: usize = 20_000;

/// FILE_NOTIFY_CHANGE_* bits.
const FILE_NAME: u32 = 0x001;
const DIR_NAME: u32 = 0x002;
const ATTRIBUTES: u32 = 0x004;
const SIZE: u32 = 0x008;
const LAST_WRITE: u32 = 0x010;
const LAST_ACCESS: u32 = 0x020;
const CREATION: u32 = 0x040;
const SECURITY: u32 = 0x100;
const VALID_FILTER: u32 =
    FILE_NAME | DIR_NAME | ATTRIBUTES | SIZE | LAST_WRITE | LAST_ACCESS | CREATION | SECURITY;

/// What a watch remembers of an entry.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Seen {
    dir: bool,
    size: u64,
    read_only: bool,
    written: i128,
    accessed: i128,
}

impl Seen {
    fn of(node: &Node) -> Seen {
        Seen {
            dir: node.is_dir(),
            size: node.size,
            read_only: node.read_only,
            written: node.written,
            accessed: node.accessed,
        }
    }
}

/// The entries of a directory (and its subdirectories' for a subtree), by relative path.
type Snapshot = BTreeMap<String, Seen>;

/// One change notification.
struct Watch {
    volume: Arc<Volume>,
    dir: Located,
    subtree: bool,
    filter: u32,
    /// What the directory held when last looked at; None once it is gone.
    seen: Option<Snapshot>,
    /// The handle's event.
    event: Weak<Object>,
    /// A change came while the event was signalled already.
    more: bool,
}

/// The watches of the machine.
#[derive(Default)]
struct Watches {
    list: Vec<Watch>,
    last_scan: Option<Instant>,
}

/// The filter bits a difference between two snapshots matches.
fn differences(old: &Snapshot, new: &Snapshot) -> u32 {
    let mut bits = 0;
    for (name, before) in old {
        match new.get(name) {
            None => bits |= if before.dir { DIR_NAME } else { FILE_NAME },
            Some(after) => {
                if after.dir != before.dir {
                    bits |= FILE_NAME | DIR_NAME;
                }
                if after.read_only != before.read_only {
                    bits |= ATTRIBUTES;
                }
                if !after.dir && after.size != before.size {
                    bits |= SIZE;
                }
                if after.written != before.written {
                    bits |= LAST_WRITE;
                }
                if after.accessed != before.accessed {
                    bits |= LAST_ACCESS;
                }
            }
        }
    }
    for (name, after) in new {
        if !old.contains_key(name) {
            bits |= if after.dir { DIR_NAME } else { FILE_NAME };
        }
    }
    bits
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// What the directory holds now; None when it cannot be listed (it is gone).
fn snapshot(volume: &Volume, dir: &Located, subtree: bool) -> Option<Snapshot> {
    let mut out = Snapshot::new();
    let mut pending = vec![(dir.clone(), String::new())];
    let mut first = true;
    while let Some((at, prefix)) = pending.pop() {
        let entries = match volume.list(&at) {
            Ok(e) => e,
            Err(_) if first => return None,
            Err(_) => continue,
        };
        first = false;
        for (name, node) in entries {
            if out.len() >= MAX_ENTRIES {
                return Some(out);
            }
            let key = join(&prefix, &name);
            if subtree && node.is_dir() {
                pending.push((
                    Located {
                        rel: join(&at.rel, &name),
                        name: name.clone(),
                        node: Some(node),
                    },
                    key.clone(),
                ));
            }
            out.insert(key, Seen::of(&node));
        }
    }
    Some(out)
}

/// Looks at every watch: signals the event of each whose directory changed as its filter
/// asks (or is gone). Forgets watches whose handles are all closed.
fn scan(state: &mut Win32State, force: bool) {
    let watches = state.get::<Watches>();
    let now = Instant::now();
    if !force && watches.last_scan.is_some_and(|t| now.duration_since(t) < SCAN_INTERVAL) {
        return;
    }
    watches.last_scan = Some(now);
    watches.list.retain(|w| w.event.strong_count() > 0);
    for w in &mut watches.list {
        let Some(old) = &w.seen else {
            continue;
        };
        let new = snapshot(&w.volume, &w.dir, w.subtree);
        let fired = match &new {
            // The directory itself is gone: its watch completes.
            None => true,
            Some(new) => differences(old, new) & w.filter != 0,
        };
        w.seen = new;
        if fired && let Some(event) = w.event.upgrade() {
            if event.event_state().unwrap_or(false) {
                w.more = true;
            } else {
                let _ = event.set_event();
            }
        }
    }
}

/// Between rounds: a look at the watches, at most every [`SCAN_INTERVAL`].
fn housekeeping(state: &mut Win32State, _io: &HostIo, _machine: &mut Machine, _pause: Pause) {
    scan(state, false);
}

/// While every thread waits: waits [`SCAN_INTERVAL`] (or less, up to `timeout`) and looks.
fn idle(state: &mut Win32State, _machine: &mut Machine, timeout: Option<Duration>) -> bool {
    let watches = state.get::<Watches>();
    watches.list.retain(|w| w.event.strong_count() > 0);
    if watches.list.is_empty() {
        return false;
    }
    let nap = timeout.map_or(SCAN_INTERVAL, |t| t.min(SCAN_INTERVAL));
    std::thread::sleep(nap);
    scan(state, true);
    true
}

fn find_first(call: &mut ApiCall<'_>, path: Option<&str>, subtree: bool, filter: u32) -> ApiReturn {
    const INVALID: u32 = u32::MAX;
    if filter == 0 || filter & !VALID_FILTER != 0 {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, INVALID);
    }
    let Some(path) = path else {
        return call.fail_win32(Win32Error::PATH_NOT_FOUND, INVALID);
    };
    let (volume, dir, node) = match crate::file::existing(call, path) {
        Ok(found) => found,
        Err(e) => return call.fail_win32(e, INVALID),
    };
    if !node.is_dir() {
        return call.fail_win32(Win32Error::DIRECTORY, INVALID);
    }
    let seen = snapshot(&volume, &dir, subtree);
    let event = call.machine.objects().create_event(EventType::Notification, false);
    let handle = call.process_mut().map(|p| {
        p.handle_table_mut().insert(
            &event,
            AccessMask(0x001F_0003),
            HandleAttributes::NONE,
        )
    });
    let handle = match handle {
        Some(Ok(h)) => h,
        Some(Err(e)) => return call.fail_win32(e.win32_error(), INVALID),
        None => return call.fail_win32(Win32Error::INVALID_HANDLE, INVALID),
    };
    call.state.add_housekeeping_hook(housekeeping);
    call.state.add_idle_hook(idle);
    call.state.get::<Watches>().list.push(Watch {
        volume,
        dir,
        subtree,
        filter,
        seen,
        event: Arc::downgrade(&event),
        more: false,
    });
    ApiReturn::Value(handle.0)
}

/// HANDLE FindFirstChangeNotificationA(LPCSTR lpPathName, BOOL bWatchSubtree, DWORD
/// dwNotifyFilter): a waitable handle signalled when the directory changes as the
/// FILE_NOTIFY_CHANGE_* filter asks. INVALID_HANDLE_VALUE with ERROR_FILE_NOT_FOUND /
/// ERROR_PATH_NOT_FOUND for a missing directory (a NULL name is the latter),
/// ERROR_DIRECTORY for a file, ERROR_INVALID_PARAMETER for a bad filter.
#[export]
fn FindFirstChangeNotificationA(
    call: &mut ApiCall<'_>,
    lpPathName: Option<AnsiStr>,
    bWatchSubtree: u32,
    dwNotifyFilter: u32,
) -> ApiReturn {
    find_first(call, lpPathName.as_deref(), bWatchSubtree != 0, dwNotifyFilter)
}

/// HANDLE FindFirstChangeNotificationW(LPCWSTR, BOOL, DWORD).
#[export]
fn FindFirstChangeNotificationW(
    call: &mut ApiCall<'_>,
    lpPathName: Option<WideStr>,
    bWatchSubtree: u32,
    dwNotifyFilter: u32,
) -> ApiReturn {
    find_first(call, lpPathName.as_deref(), bWatchSubtree != 0, dwNotifyFilter)
}

/// The watch a handle names.
fn watch_of(call: &ApiCall<'_>, handle: Handle) -> Option<(Arc<Object>, usize)> {
    let object = call.reference(handle, AccessMask(0), None).ok()?;
    let index = call
        .state
        .peek::<Watches>()?
        .list
        .iter()
        .position(|w| w.event.upgrade().is_some_and(|e| Arc::ptr_eq(&e, &object)))?;
    Some((object, index))
}

/// BOOL FindNextChangeNotification(HANDLE hChangeHandle): waits for the next change: the
/// handle is reset, or stays signalled when a change came since it was signalled.
/// ERROR_INVALID_HANDLE for a handle that is not a change notification's.
#[export]
fn FindNextChangeNotification(call: &mut ApiCall<'_>, hChangeHandle: Handle) -> ApiReturn {
    let Some((event, index)) = watch_of(call, hChangeHandle) else {
        return call.fail_win32(Win32Error::INVALID_HANDLE, 0);
    };
    let watch = &mut call.state.get::<Watches>().list[index];
    if std::mem::take(&mut watch.more) {
        let _ = event.set_event();
    } else {
        let _ = event.reset_event();
    }
    ApiReturn::Value(1)
}

/// BOOL FindCloseChangeNotification(HANDLE hChangeHandle): closes the handle and ends the
/// watch. ERROR_INVALID_HANDLE for a handle that is not a change notification's.
#[export]
fn FindCloseChangeNotification(call: &mut ApiCall<'_>, hChangeHandle: Handle) -> ApiReturn {
    let Some((_, index)) = watch_of(call, hChangeHandle) else {
        return call.fail_win32(Win32Error::INVALID_HANDLE, 0);
    };
    call.state.get::<Watches>().list.remove(index);
    match call.close_handle(hChangeHandle) {
        Ok(()) => ApiReturn::Value(1),
        Err(e) => call.fail_win32(e.win32_error(), 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(dir: bool, size: u64, written: i128) -> Seen {
        Seen {
            dir,
            size,
            read_only: false,
            written,
            accessed: 0,
        }
    }

    #[test]
    fn differences_name_what_changed() {
        let mut old = Snapshot::new();
        old.insert("a".into(), seen(false, 1, 1));
        old.insert("d".into(), seen(true, 0, 1));
        let mut new = old.clone();
        assert_eq!(differences(&old, &new), 0);
        new.insert("b".into(), seen(false, 0, 1));
        assert_eq!(differences(&old, &new), FILE_NAME);
        new.remove("d");
        assert_eq!(differences(&old, &new), FILE_NAME | DIR_NAME);
        let mut grown = old.clone();
        grown.insert("a".into(), seen(false, 5, 2));
        assert_eq!(differences(&old, &grown), SIZE | LAST_WRITE);
    }
}
