//! Directory change notifications: FindFirstChangeNotification, FindNextChangeNotification
//! and FindCloseChangeNotification. The handle is waitable and becomes signalled when
//! something the filter names changes in the directory (or below it, for a subtree watch);
//! FindNextChangeNotification asks for the next change, and one that came in between
//! signals it again at once, as NT's notify queue does.
//!
//! ntemu sees the drive's host directory, which other host programs may change too, so it
//! looks for changes itself: each watch holds the directory open (so it follows a rename and
//! sees a deletion, as NT's handle does), keeps what it held (names, kinds, sizes,
//! attributes, times) and compares it, at most every [`SCAN_INTERVAL`], between scheduler
//! rounds and while every guest thread waits. A deleted directory completes its watch.

use std::collections::BTreeMap;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use nt_kernel::{Machine, Pause};
use nt_object::{AccessMask, EventType, Handle, HandleAttributes, Object};
use nt_status::Win32Error;
use win32::{AnsiStr, ApiCall, ApiReturn, HostIo, WideStr, Win32State, export};

use std::os::fd::OwnedFd;

use rustix::fs::{AtFlags, Dir, FileType, Mode, OFlags};

use crate::volume::OpenHow;

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
    /// The host's inode change time: metadata set (even to what it was) changes it.
    changed: i128,
}

impl Seen {
    /// What a host stat shows; None for what is neither a file nor a directory.
    // The stat fields' types differ between host architectures.
    #[allow(clippy::unnecessary_cast)]
    fn of(stat: &rustix::fs::Stat) -> Option<Seen> {
        let dir = match FileType::from_raw_mode(stat.st_mode as _) {
            FileType::Directory => true,
            FileType::RegularFile => false,
            _ => return None,
        };
        let time = |s: i64, ns: u64| i128::from(s) * 1_000_000_000 + i128::from(ns);
        Some(Seen {
            dir,
            size: if dir { 0 } else { stat.st_size as u64 },
            read_only: stat.st_mode & 0o200 == 0,
            written: time(stat.st_mtime as i64, stat.st_mtime_nsec as u64),
            accessed: time(stat.st_atime as i64, stat.st_atime_nsec as u64),
            changed: time(stat.st_ctime as i64, stat.st_ctime_nsec as u64),
        })
    }
}

/// The entries of a directory (and its subdirectories' for a subtree), by relative path.
type Snapshot = BTreeMap<String, Seen>;

/// One change notification.
struct Watch {
    /// The directory, held open: a watch follows it when it is renamed, as NT's handle does.
    dir: OwnedFd,
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
                // Attributes set without the data changing (NT reports setting them, as
                // SetFileAttributes does, even to their old values).
                let metadata_only = after.changed != before.changed
                    && after.written == before.written
                    && after.size == before.size;
                if after.read_only != before.read_only || metadata_only {
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

/// What the open directory holds now; None when it is gone (deleted: no links left).
/// Entries whose names are not UTF-8 are left out; links are not followed.
fn snapshot(dir: &OwnedFd, subtree: bool) -> Option<Snapshot> {
    let stat = rustix::fs::fstat(dir).ok()?;
    if stat.st_nlink == 0 {
        return None;
    }
    let mut out = Snapshot::new();
    let mut pending: Vec<(OwnedFd, String)> = Vec::new();
    let mut current = rustix::fs::openat(
        dir,
        ".",
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .ok()?;
    let mut prefix = String::new();
    loop {
        if let Ok(entries) = Dir::read_from(&current) {
            for entry in entries.flatten() {
                let Ok(name) = std::str::from_utf8(entry.file_name().to_bytes()) else {
                    continue;
                };
                if name == "." || name == ".." || out.len() >= MAX_ENTRIES {
                    continue;
                }
                let Ok(stat) = rustix::fs::statat(&current, name, AtFlags::SYMLINK_NOFOLLOW) else {
                    continue;
                };
                let Some(seen) = Seen::of(&stat) else {
                    continue;
                };
                let key = join(&prefix, name);
                if subtree
                    && seen.dir
                    && let Ok(fd) = rustix::fs::openat(
                        &current,
                        name,
                        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                        Mode::empty(),
                    )
                {
                    pending.push((fd, key.clone()));
                }
                out.insert(key, seen);
            }
        }
        match pending.pop() {
            Some((fd, p)) => {
                current = fd;
                prefix = p;
            }
            None => break,
        }
    }
    Some(out)
}

/// Looks at every watch: signals the event of each whose directory changed as its filter
/// asks (or is gone). Forgets watches whose handles are all closed.
fn scan(state: &mut Win32State, force: bool) {
    let watches = state.get::<Watches>();
    let now = Instant::now();
    if !force
        && watches
            .last_scan
            .is_some_and(|t| now.duration_since(t) < SCAN_INTERVAL)
    {
        return;
    }
    watches.last_scan = Some(now);
    watches.list.retain(|w| w.event.strong_count() > 0);
    for w in &mut watches.list {
        let Some(old) = &w.seen else {
            continue;
        };
        let new = snapshot(&w.dir, w.subtree);
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
    let (volume, at, node) = match crate::file::existing(call, path) {
        Ok(found) => found,
        Err(e) => return call.fail_win32(e, INVALID),
    };
    if !node.is_dir() {
        return call.fail_win32(Win32Error::DIRECTORY, INVALID);
    }
    let how = OpenHow {
        read: true,
        write: false,
        create: false,
        exclusive: false,
        truncate: false,
        directory: true,
    };
    let dir = match volume.open(&at, how) {
        Ok(opened) => OwnedFd::from(opened.file),
        Err(e) => return call.fail_win32(e, INVALID),
    };
    let seen = snapshot(&dir, subtree);
    let event = call
        .machine
        .objects()
        .create_event(EventType::Notification, false);
    let handle = call.process_mut().map(|p| {
        p.handle_table_mut()
            .insert(&event, AccessMask(0x001F_0003), HandleAttributes::NONE)
    });
    let handle = match handle {
        Some(Ok(h)) => h,
        Some(Err(e)) => return call.fail_win32(e.win32_error(), INVALID),
        None => return call.fail_win32(Win32Error::INVALID_HANDLE, INVALID),
    };
    call.state.add_housekeeping_hook(housekeeping);
    call.state.add_idle_hook(idle);
    call.state.get::<Watches>().list.push(Watch {
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
    find_first(
        call,
        lpPathName.as_deref(),
        bWatchSubtree != 0,
        dwNotifyFilter,
    )
}

/// HANDLE FindFirstChangeNotificationW(LPCWSTR, BOOL, DWORD).
#[export]
fn FindFirstChangeNotificationW(
    call: &mut ApiCall<'_>,
    lpPathName: Option<WideStr>,
    bWatchSubtree: u32,
    dwNotifyFilter: u32,
) -> ApiReturn {
    find_first(
        call,
        lpPathName.as_deref(),
        bWatchSubtree != 0,
        dwNotifyFilter,
    )
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
            changed: written,
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
        let mut touched = old.clone();
        if let Some(a) = touched.get_mut("a") {
            a.changed += 1;
        }
        assert_eq!(differences(&old, &touched), ATTRIBUTES);
    }
}
