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
use nt_object::{AccessMask, EventType, Handle, HandleAttributes, Object, ObjectType};
use nt_status::{NtStatus, Win32Error};
use win32::{AnsiStr, ApiCall, ApiReturn, HostIo, Ptr, WideStr, Win32State, export};

use crate::overlapped::{self, Op};

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
    /// The host's inode number: what tells a rename from a removal and an addition.
    ino: u64,
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
            ino: stat.st_ino as u64,
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
    /// The notify queues of directory handles (ReadDirectoryChangesW).
    queues: Vec<Queue>,
    last_scan: Option<Instant>,
}

/// The filter bits a change of one entry (same name, same kind) matches.
fn modified_bits(before: &Seen, after: &Seen) -> u32 {
    let mut bits = 0;
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
    // A directory's access time moves when a watch lists it: only files' count.
    if !after.dir && after.accessed != before.accessed {
        bits |= LAST_ACCESS;
    }
    bits
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
                bits |= modified_bits(before, after);
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
fn scan(state: &mut Win32State, machine: &mut Machine, force: bool) {
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
    for q in &mut watches.queues {
        q.look();
    }
    deliver(state, machine);
}

/// Between rounds: a look at the watches, at most every [`SCAN_INTERVAL`].
fn housekeeping(state: &mut Win32State, _io: &HostIo, machine: &mut Machine, _pause: Pause) {
    scan(state, machine, false);
}

/// While every thread waits: waits [`SCAN_INTERVAL`] (or less, up to `timeout`) and looks.
fn idle(state: &mut Win32State, machine: &mut Machine, timeout: Option<Duration>) -> bool {
    let watches = state.get::<Watches>();
    watches.list.retain(|w| w.event.strong_count() > 0);
    if watches.list.is_empty() && watches.queues.is_empty() {
        return false;
    }
    let nap = timeout.map_or(SCAN_INTERVAL, |t| t.min(SCAN_INTERVAL));
    std::thread::sleep(nap);
    scan(state, machine, true);
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

/// FILE_LIST_DIRECTORY: the right ReadDirectoryChangesW needs on the directory.
const FILE_LIST_DIRECTORY: u32 = 0x0001;

/// FILE_ACTION_* codes of FILE_NOTIFY_INFORMATION.
const ACTION_ADDED: u32 = 1;
const ACTION_REMOVED: u32 = 2;
const ACTION_MODIFIED: u32 = 3;
const ACTION_RENAMED_OLD_NAME: u32 = 4;
const ACTION_RENAMED_NEW_NAME: u32 = 5;

/// FILE_NOTIFY_INFORMATION's fixed part: NextEntryOffset, Action, FileNameLength.
const RECORD_HEADER: usize = 12;

/// The name filter bit an entry's kind falls under.
fn name_bit(dir: bool) -> u32 {
    if dir { DIR_NAME } else { FILE_NAME }
}

/// True when `path` lies below one of `dirs` (relative paths, '/' separated).
fn below_any(path: &str, dirs: &[&str]) -> bool {
    dirs.iter()
        .any(|d| path.len() > d.len() && path.starts_with(d) && path.as_bytes()[d.len()] == b'/')
}

/// The changes (FILE_ACTION_*, relative path) between two snapshots that `filter` asks for:
/// modifications of entries that stayed first (a directory's, made by what happened in
/// it, comes before that, as NT reports it), renames (an entry gone and one come with the same inode and kind; what lies below
/// a renamed directory moved with it and is not reported), then removals (deepest first),
/// then additions.
fn records(old: &Snapshot, new: &Snapshot, filter: u32) -> Vec<(u32, String)> {
    let removed: Vec<(&str, &Seen)> = old
        .iter()
        .filter(|(n, b)| new.get(*n).is_none_or(|a| a.dir != b.dir))
        .map(|(n, b)| (n.as_str(), b))
        .collect();
    let added: Vec<(&str, &Seen)> = new
        .iter()
        .filter(|(n, a)| old.get(*n).is_none_or(|b| b.dir != a.dir))
        .map(|(n, a)| (n.as_str(), a))
        .collect();
    let mut renamed: Vec<(&str, &str, bool)> = Vec::new();
    let mut taken = vec![false; added.len()];
    for (name, before) in &removed {
        let found = added
            .iter()
            .enumerate()
            .position(|(i, (_, a))| !taken[i] && a.ino == before.ino && a.dir == before.dir);
        if let Some(i) = found {
            taken[i] = true;
            renamed.push((name, added[i].0, before.dir));
        }
    }
    let moved_from: Vec<&str> = renamed.iter().filter(|r| r.2).map(|r| r.0).collect();
    let moved_to: Vec<&str> = renamed.iter().filter(|r| r.2).map(|r| r.1).collect();
    let mut out = Vec::new();
    for (name, after) in new {
        if let Some(before) = old.get(name)
            && before.dir == after.dir
            && modified_bits(before, after) & filter != 0
        {
            out.push((ACTION_MODIFIED, name.clone()));
        }
    }
    for (from, to, dir) in &renamed {
        if filter & name_bit(*dir) != 0 && !below_any(from, &moved_from) {
            out.push((ACTION_RENAMED_OLD_NAME, from.to_string()));
            out.push((ACTION_RENAMED_NEW_NAME, to.to_string()));
        }
    }
    for (name, before) in removed.iter().rev() {
        if filter & name_bit(before.dir) != 0
            && !renamed.iter().any(|r| r.0 == *name)
            && !below_any(name, &moved_from)
        {
            out.push((ACTION_REMOVED, name.to_string()));
        }
    }
    for (i, (name, after)) in added.iter().enumerate() {
        if filter & name_bit(after.dir) != 0 && !taken[i] && !below_any(name, &moved_to) {
            out.push((ACTION_ADDED, name.to_string()));
        }
    }
    out
}

/// The bytes one record takes, its name in UTF-16, before alignment.
fn record_len(name: &str) -> usize {
    RECORD_HEADER + name.encode_utf16().count() * 2
}

/// FILE_NOTIFY_INFORMATION records: each DWORD-aligned, NextEntryOffset 0 in the last
/// (whose length is not rounded up), names with backslashes, no terminator.
fn encode(records: &[(u32, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (action, name)) in records.iter().enumerate() {
        let units: Vec<u16> = name
            .encode_utf16()
            .map(|u| {
                if u == u16::from(b'/') {
                    u16::from(b'\\')
                } else {
                    u
                }
            })
            .collect();
        let len = RECORD_HEADER + units.len() * 2;
        let last = i + 1 == records.len();
        let next = if last { 0 } else { len.next_multiple_of(4) };
        out.extend_from_slice(&(next as u32).to_le_bytes());
        out.extend_from_slice(&action.to_le_bytes());
        out.extend_from_slice(&((units.len() * 2) as u32).to_le_bytes());
        for u in units {
            out.extend_from_slice(&u.to_le_bytes());
        }
        if !last {
            out.resize(out.len() + (next - len), 0);
        }
    }
    out
}

/// An overlapped ReadDirectoryChangesW waiting for changes.
struct Waiting {
    /// Its request (overlapped.rs).
    id: u64,
    /// The length of its buffer.
    length: u32,
}

/// A directory handle's notify queue: started by the first ReadDirectoryChangesW on it,
/// with that call's filter, subtree flag and buffer length (the room for changes kept
/// between calls), as NT keeps one per file object.
struct Queue {
    /// The directory's File object.
    file: Weak<Object>,
    /// The directory, held open.
    dir: OwnedFd,
    subtree: bool,
    filter: u32,
    /// The most bytes of records kept; more is an overflow.
    capacity: usize,
    /// What the directory held when last looked at; None once it is gone.
    seen: Option<Snapshot>,
    /// The changes not returned yet.
    records: Vec<(u32, String)>,
    /// Their size.
    bytes: usize,
    /// More changes came than fit: the next call gets STATUS_NOTIFY_ENUM_DIR.
    overflow: bool,
    /// Signalled while changes are queued: what a synchronous call waits for.
    ready: Arc<Object>,
    /// Overlapped calls waiting, oldest first.
    waiting: std::collections::VecDeque<Waiting>,
}

impl Queue {
    /// Looks at the directory and queues what changed since the last look.
    fn look(&mut self) {
        let Some(old) = &self.seen else {
            return;
        };
        let new = snapshot(&self.dir, self.subtree);
        if let Some(new) = &new {
            for (action, name) in records(old, new, self.filter) {
                self.push(action, name);
            }
        }
        self.seen = new;
    }

    fn push(&mut self, action: u32, name: String) {
        if self.overflow {
            return;
        }
        self.bytes += record_len(&name).next_multiple_of(4);
        if self.bytes > self.capacity {
            self.overflow = true;
            self.records.clear();
            self.bytes = 0;
        } else {
            self.records.push((action, name));
        }
    }

    fn has_changes(&self) -> bool {
        self.overflow || !self.records.is_empty()
    }

    /// Takes the queued changes for a buffer of `length` bytes: the status and the records'
    /// bytes (none, with STATUS_NOTIFY_ENUM_DIR, when they did not all fit).
    fn take(&mut self, length: u32) -> (NtStatus, Vec<u8>) {
        let bytes = encode(&self.records);
        let overflow = std::mem::take(&mut self.overflow);
        self.records.clear();
        self.bytes = 0;
        let _ = self.ready.reset_event();
        if overflow || bytes.len() > length as usize {
            (NtStatus::NOTIFY_ENUM_DIR, Vec::new())
        } else {
            (NtStatus::SUCCESS, bytes)
        }
    }
}

/// Completes what can be completed: the waiting calls of queues with changes, those of
/// closed directory handles (STATUS_NOTIFY_CLEANUP), those of ended threads
/// (STATUS_CANCELLED); forgets what CancelIo completed and the queues of closed handles.
fn deliver(state: &mut Win32State, machine: &mut Machine) {
    let mut queues = std::mem::take(&mut state.get::<Watches>().queues);
    queues.retain_mut(|q| {
        let open = q.file.strong_count() > 0;
        while let Some(w) = q.waiting.front() {
            let id = w.id;
            let pending = state
                .peek::<overlapped::IoState>()
                .is_some_and(|s| s.is_pending(id));
            if !pending {
                q.waiting.pop_front();
            } else if !open {
                q.waiting.pop_front();
                overlapped::complete(machine, state, id, NtStatus::NOTIFY_CLEANUP, 0, None);
            } else if overlapped::issuer_gone(machine, state, id) {
                q.waiting.pop_front();
                overlapped::complete(machine, state, id, NtStatus::CANCELLED, 0, None);
            } else if q.has_changes() {
                let length = w.length;
                q.waiting.pop_front();
                let (status, bytes) = q.take(length);
                let count = bytes.len() as u32;
                overlapped::complete(machine, state, id, status, count, Some(&bytes));
            } else {
                break;
            }
        }
        if q.has_changes() {
            let _ = q.ready.set_event();
        }
        open
    });
    let watches = state.get::<Watches>();
    queues.append(&mut watches.queues);
    watches.queues = queues;
}

/// After CloseHandle: completes the waiting calls of directory handles that closed.
pub(crate) fn after_close(call: &mut ApiCall<'_>) {
    if call
        .state
        .peek::<Watches>()
        .is_some_and(|w| w.queues.iter().any(|q| q.file.strong_count() == 0))
    {
        deliver(call.state, call.machine);
    }
}

/// After a call that may have changed a drive's files: the notify queues look at their
/// directories at once, as NT's file systems report a change when it is made.
pub(crate) fn touched(call: &mut ApiCall<'_>) {
    if call
        .state
        .peek::<Watches>()
        .is_some_and(|w| !w.queues.is_empty())
    {
        for q in &mut call.state.get::<Watches>().queues {
            q.look();
        }
        deliver(call.state, call.machine);
    }
}

/// BOOL ReadDirectoryChangesW(HANDLE hDirectory, LPVOID lpBuffer, DWORD nBufferLength, BOOL
/// bWatchSubtree, DWORD dwNotifyFilter, LPDWORD lpBytesReturned, LPOVERLAPPED lpOverlapped,
/// LPOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine): the changes made in the directory
/// since the last call, as FILE_NOTIFY_INFORMATION records. The first call on a handle
/// starts its notify queue with its filter, subtree flag and buffer length (later calls'
/// are not looked at); changes that do not fit give TRUE with 0 bytes
/// (STATUS_NOTIFY_ENUM_DIR). With nothing queued a synchronous call waits; an overlapped
/// one returns TRUE at once and completes later (event, completion routine or port).
/// ERROR_INVALID_PARAMETER for a bad filter or a handle that is not a directory's,
/// ERROR_ACCESS_DENIED without FILE_LIST_DIRECTORY. Closing the handle completes a waiting
/// call with STATUS_NOTIFY_CLEANUP and 0 bytes; CancelIo with ERROR_OPERATION_ABORTED.
#[export]
#[allow(clippy::too_many_arguments)]
fn ReadDirectoryChangesW(
    call: &mut ApiCall<'_>,
    hDirectory: Handle,
    lpBuffer: Ptr,
    nBufferLength: u32,
    bWatchSubtree: u32,
    dwNotifyFilter: u32,
    lpBytesReturned: Ptr,
    lpOverlapped: Ptr,
    lpCompletionRoutine: Ptr,
) -> ApiReturn {
    let filter = dwNotifyFilter;
    if filter == 0 || filter & !VALID_FILTER != 0 {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    let file = match call.reference(
        hDirectory,
        AccessMask(FILE_LIST_DIRECTORY),
        Some(ObjectType::File),
    ) {
        Ok(f) => f,
        Err(e) => return call.fail_win32(e.win32_error(), 0),
    };
    let Some(disk) = file
        .payload::<crate::file::DiskFile>()
        .filter(|d| d.is_directory())
    else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let ovl = lpOverlapped.0;
    let routine = (lpCompletionRoutine.0 != 0).then_some(lpCompletionRoutine.0);
    let found = call.state.peek::<Watches>().and_then(|w| {
        w.queues
            .iter()
            .position(|q| std::ptr::eq(q.file.as_ptr(), Arc::as_ptr(&file)))
    });
    let index = match found {
        Some(i) => i,
        None => {
            let Some(dir) = disk.directory_fd() else {
                return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
            };
            let subtree = bWatchSubtree != 0;
            let seen = snapshot(&dir, subtree);
            let ready = call
                .machine
                .objects()
                .create_event(EventType::Notification, false);
            call.state.add_housekeeping_hook(housekeeping);
            call.state.add_idle_hook(idle);
            let queues = &mut call.state.get::<Watches>().queues;
            queues.push(Queue {
                file: Arc::downgrade(&file),
                dir,
                subtree,
                filter,
                capacity: nBufferLength as usize,
                seen,
                records: Vec::new(),
                bytes: 0,
                overflow: false,
                ready,
                waiting: Default::default(),
            });
            queues.len() - 1
        }
    };
    let asynchronous =
        ovl != 0 && (routine.is_some() || overlapped::is_overlapped(call.state, &file));
    let queue = &mut call.state.get::<Watches>().queues[index];
    queue.look();
    if queue.has_changes() && queue.waiting.is_empty() {
        let (status, bytes) = queue.take(nBufferLength);
        let count = bytes.len() as u32;
        if call.write_bytes(lpBuffer.0, &bytes).is_err() {
            return call.fail(NtStatus::ACCESS_VIOLATION);
        }
        overlapped::complete_now(call, &file, ovl, routine, status, count);
        if !asynchronous && call.write_out_u32(lpBytesReturned.0, count).is_err() {
            return call.fail(NtStatus::ACCESS_VIOLATION);
        }
        return ApiReturn::Value(1);
    }
    if asynchronous {
        let op = Op::Read {
            buffer: lpBuffer.0,
            length: nBufferLength,
        };
        return match overlapped::start(call, &file, ovl, routine, op) {
            Ok(id) => {
                call.state.get::<Watches>().queues[index]
                    .waiting
                    .push_back(Waiting {
                        id,
                        length: nBufferLength,
                    });
                ApiReturn::Value(1)
            }
            Err(status) => call.fail(status),
        };
    }
    ApiReturn::Retry {
        objects: vec![Arc::clone(&queue.ready)],
        timeout: None,
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
            ino: written as u64,
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

    #[test]
    fn records_tell_renames_removals_additions_and_modifications() {
        let mut old = Snapshot::new();
        old.insert("d".into(), seen(true, 0, 1));
        old.insert("d/x".into(), seen(false, 0, 2));
        old.insert("gone".into(), seen(false, 0, 3));
        old.insert("kept".into(), seen(false, 1, 4));
        let mut new = Snapshot::new();
        // "d" renamed to "e" (same inode): its contents moved with it, unreported.
        new.insert("e".into(), seen(true, 0, 1));
        new.insert("e/x".into(), seen(false, 0, 2));
        new.insert(
            "kept".into(),
            Seen {
                size: 9,
                ..seen(false, 1, 4)
            },
        );
        new.insert("made".into(), seen(false, 0, 5));
        let all = FILE_NAME | DIR_NAME | SIZE;
        assert_eq!(
            records(&old, &new, all),
            vec![
                (ACTION_MODIFIED, "kept".to_string()),
                (ACTION_RENAMED_OLD_NAME, "d".to_string()),
                (ACTION_RENAMED_NEW_NAME, "e".to_string()),
                (ACTION_REMOVED, "gone".to_string()),
                (ACTION_ADDED, "made".to_string()),
            ]
        );
        // Files only: the directory's rename is not asked for.
        assert_eq!(
            records(&old, &new, FILE_NAME),
            vec![
                (ACTION_REMOVED, "gone".to_string()),
                (ACTION_ADDED, "made".to_string()),
            ]
        );
    }

    #[test]
    fn encoded_records_are_aligned_and_the_last_is_not_padded() {
        let bytes = encode(&[(ACTION_ADDED, "ab".into()), (ACTION_REMOVED, "d/e".into())]);
        let u32_at =
            |o: usize| u32::from_le_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]);
        assert_eq!(u32_at(0), 16, "12 + 4 bytes, aligned");
        assert_eq!(u32_at(4), ACTION_ADDED);
        assert_eq!(u32_at(8), 4);
        assert_eq!(u32_at(16), 0, "the last record");
        assert_eq!(u32_at(20), ACTION_REMOVED);
        assert_eq!(u32_at(24), 6);
        assert_eq!(&bytes[28..34], &[b'd', 0, b'\\', 0, b'e', 0]);
        assert_eq!(bytes.len(), 34);
    }
}
