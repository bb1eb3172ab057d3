//! What every open of one file shares, as NT's file control block does: whether the file is
//! to be deleted when its last handle closes (delete pending), its byte-range locks, and how
//! many sections (file mappings) map it.
//!
//! Each [`super::file::DiskFile`] holds its file's [`FileNode`]; the machine's file system
//! finds the node of a file by its identity (host device and inode). When the last holder
//! lets go, a delete-pending file goes from its directory, if the name there still is
//! that file.

use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use nt_object::Object;
use parking_lot::Mutex;

use crate::volume;

/// A byte-range lock (LockFile, LockFileEx).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ByteLock {
    /// The file object (open) that holds it.
    pub(crate) owner: u64,
    /// The first byte.
    pub(crate) offset: u64,
    /// How many bytes (0: a lock of no bytes, at `offset`).
    pub(crate) length: u64,
    /// Exclusive (else shared).
    pub(crate) exclusive: bool,
}

impl ByteLock {
    /// True when the two ranges share a byte; a lock of no bytes at X meets a range that
    /// holds X (not one that ends at X), and two empty locks never meet.
    fn overlaps(&self, offset: u64, length: u64) -> bool {
        let (a0, a1) = (
            u128::from(self.offset),
            u128::from(self.offset) + u128::from(self.length),
        );
        let (b0, b1) = (u128::from(offset), u128::from(offset) + u128::from(length));
        match (self.length, length) {
            (0, 0) => false,
            (0, _) => b0 <= a0 && a0 < b1,
            (_, 0) => a0 <= b0 && b0 < a1,
            _ => a0 < b1 && b0 < a1,
        }
    }
}

/// The state one file's opens share.
#[derive(Default)]
struct NodeState {
    /// Delete the file when the last open goes (DeleteFile on an open file, or an open made
    /// with FILE_FLAG_DELETE_ON_CLOSE that has closed).
    delete_pending: bool,
    /// The directory holding the file (O_PATH) and its name there, once known to be needed.
    place: Option<(OwnedFd, String)>,
    /// Byte-range locks, in the order they were taken.
    locks: Vec<ByteLock>,
    /// Data sections (file mappings) open on the file.
    data_sections: u32,
    /// Image sections (SEC_IMAGE mappings) open on the file.
    image_sections: u32,
    /// Signalled when a lock goes, for LockFileEx calls that wait.
    unlocked: Option<Arc<Object>>,
}

/// One file's shared state.
pub(crate) struct FileNode {
    /// The host device and inode.
    pub(crate) id: (u64, u64),
    state: Mutex<NodeState>,
}

impl std::fmt::Debug for FileNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FileNode({:?})", self.id)
    }
}

impl Drop for FileNode {
    fn drop(&mut self) {
        let state = self.state.get_mut();
        if state.delete_pending
            && let Some((parent, name)) = &state.place
        {
            volume::remove_if_same(parent, name, self.id);
        }
    }
}

/// A new identity for a file object, to tell lock holders apart.
pub(crate) fn new_owner() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Why a byte-range lock or unlock failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LockError {
    /// Another lock holds part of the range (ERROR_LOCK_VIOLATION).
    Conflict,
    /// No lock of exactly that range is held by that file object (ERROR_NOT_LOCKED).
    NotLocked,
}

impl FileNode {
    /// Marks the file delete pending, to go from directory `parent` under `name` when its
    /// last open closes.
    pub(crate) fn set_delete_pending(&self, parent: OwnedFd, name: String) {
        let mut state = self.state.lock();
        state.delete_pending = true;
        state.place = Some((parent, name));
    }

    /// True once the file is to be deleted (opening it again is STATUS_DELETE_PENDING).
    pub(crate) fn delete_pending(&self) -> bool {
        self.state.lock().delete_pending
    }

    /// After a rename: the file's new place, when it is kept.
    pub(crate) fn moved(&self, parent: Option<OwnedFd>, name: &str) {
        let mut state = self.state.lock();
        if state.place.is_some() {
            state.place = parent.map(|p| (p, name.to_string()));
        }
    }

    /// Takes a lock for `owner`, unless it would conflict: an exclusive lock conflicts with
    /// every lock it overlaps, a shared lock with the exclusive locks of other file objects.
    pub(crate) fn lock(&self, lock: ByteLock) -> Result<(), LockError> {
        let mut state = self.state.lock();
        // A lock of no bytes is always granted (it still holds its offset against later
        // locks).
        let conflict = lock.length != 0
            && state.locks.iter().any(|l| {
                l.overlaps(lock.offset, lock.length)
                    && (lock.exclusive || (l.exclusive && l.owner != lock.owner))
            });
        if conflict {
            return Err(LockError::Conflict);
        }
        state.locks.push(lock);
        Ok(())
    }

    /// Removes `owner`'s lock of exactly `offset` and `length` (an exclusive one first).
    pub(crate) fn unlock(&self, owner: u64, offset: u64, length: u64) -> Result<(), LockError> {
        let mut state = self.state.lock();
        let same = |l: &ByteLock| l.owner == owner && l.offset == offset && l.length == length;
        let index = state
            .locks
            .iter()
            .position(|l| same(l) && l.exclusive)
            .or_else(|| state.locks.iter().position(same))
            .ok_or(LockError::NotLocked)?;
        state.locks.remove(index);
        if let Some(event) = &state.unlocked {
            let _ = event.set_event();
        }
        Ok(())
    }

    /// Drops every lock `owner` holds (its file object closed).
    pub(crate) fn release_owner(&self, owner: u64) {
        let mut state = self.state.lock();
        let before = state.locks.len();
        state.locks.retain(|l| l.owner != owner);
        if state.locks.len() != before
            && let Some(event) = &state.unlocked
        {
            let _ = event.set_event();
        }
    }

    /// Whether `owner` may read (`write` false) or write the range: not when another file
    /// object holds an exclusive lock on part of it, or (to write) a shared lock.
    pub(crate) fn io_allowed(&self, owner: u64, offset: u64, length: u64, write: bool) -> bool {
        let state = self.state.lock();
        !state.locks.iter().any(|l| {
            l.length != 0
                && l.overlaps(offset, length.max(1))
                && ((l.exclusive && l.owner != owner) || (write && !l.exclusive))
        })
    }

    /// The event a lock's waiter parks on (manual reset, made on first use by `make`).
    pub(crate) fn unlock_event(
        &self,
        make: impl FnOnce() -> Option<Arc<Object>>,
    ) -> Option<Arc<Object>> {
        let mut state = self.state.lock();
        if state.unlocked.is_none() {
            state.unlocked = make();
        }
        state.unlocked.clone()
    }

    /// Counts a section (file mapping) made on the file; `image` for SEC_IMAGE.
    pub(crate) fn add_section(&self, image: bool) {
        let mut state = self.state.lock();
        if image {
            state.image_sections += 1;
        } else {
            state.data_sections += 1;
        }
    }

    /// Uncounts a section made by [`FileNode::add_section`].
    pub(crate) fn remove_section(&self, image: bool) {
        let mut state = self.state.lock();
        let count = if image {
            &mut state.image_sections
        } else {
            &mut state.data_sections
        };
        *count = count.saturating_sub(1);
    }

    /// Data and image sections open on the file.
    pub(crate) fn sections(&self) -> (u32, u32) {
        let state = self.state.lock();
        (state.data_sections, state.image_sections)
    }
}

/// The machine's file nodes, by file identity.
#[derive(Default)]
pub(crate) struct FileNodes {
    nodes: HashMap<(u64, u64), Weak<FileNode>>,
    /// The table's size at which nodes nobody holds are forgotten next.
    prune_at: usize,
}

impl FileNodes {
    /// The node of file `id`, made when no open holds one.
    pub(crate) fn node(&mut self, id: (u64, u64)) -> Arc<FileNode> {
        if let Some(node) = self.nodes.get(&id).and_then(Weak::upgrade) {
            return node;
        }
        // Forget nodes nobody holds, now and then, so the table does not grow for ever.
        if self.nodes.len() >= self.prune_at {
            self.nodes.retain(|_, w| w.strong_count() > 0);
            self.prune_at = (2 * self.nodes.len()).max(64);
        }
        let node = Arc::new(FileNode {
            id,
            state: Mutex::new(NodeState::default()),
        });
        self.nodes.insert(id, Arc::downgrade(&node));
        node
    }

    /// The node of file `id`, when an open holds one.
    pub(crate) fn existing(&self, id: (u64, u64)) -> Option<Arc<FileNode>> {
        self.nodes.get(&id).and_then(Weak::upgrade)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node() -> Arc<FileNode> {
        FileNodes::default().node((1, 2))
    }

    fn lock(owner: u64, offset: u64, length: u64, exclusive: bool) -> ByteLock {
        ByteLock {
            owner,
            offset,
            length,
            exclusive,
        }
    }

    #[test]
    fn exclusive_locks_conflict_with_every_overlap() {
        let n = node();
        assert_eq!(n.lock(lock(1, 10, 20, true)), Ok(()));
        assert_eq!(n.lock(lock(1, 12, 10, true)), Err(LockError::Conflict));
        assert_eq!(n.lock(lock(1, 5, 6, true)), Err(LockError::Conflict));
        assert_eq!(n.lock(lock(1, 5, 5, true)), Ok(()));
        assert_eq!(n.unlock(1, 10, 10), Err(LockError::NotLocked));
        assert_eq!(n.unlock(1, 10, 20), Ok(()));
        assert_eq!(n.unlock(1, 10, 20), Err(LockError::NotLocked));
        assert_eq!(n.unlock(1, 5, 5), Ok(()));
    }

    #[test]
    fn shared_locks_overlap_and_own_exclusive_locks_allow_shared_ones() {
        let n = node();
        assert_eq!(n.lock(lock(1, 100, 100, false)), Ok(()));
        assert_eq!(n.lock(lock(1, 150, 100, false)), Ok(()));
        assert_eq!(n.lock(lock(1, 150, 50, true)), Err(LockError::Conflict));
        assert_eq!(n.lock(lock(1, 300, 100, true)), Ok(()));
        assert_eq!(n.lock(lock(2, 300, 100, false)), Err(LockError::Conflict));
        assert_eq!(n.lock(lock(1, 300, 100, false)), Ok(()));
        // The exclusive one goes first.
        assert_eq!(n.unlock(1, 300, 100), Ok(()));
        assert_eq!(n.lock(lock(2, 300, 100, false)), Ok(()));
        n.release_owner(2);
        assert_eq!(n.unlock(2, 300, 100), Err(LockError::NotLocked));
    }

    #[test]
    fn empty_locks_meet_ranges_that_hold_their_offset() {
        let n = node();
        assert_eq!(n.lock(lock(1, 100, 0, true)), Ok(()));
        assert_eq!(n.lock(lock(1, 98, 4, true)), Err(LockError::Conflict));
        assert_eq!(n.lock(lock(1, 90, 10, true)), Ok(()));
        assert_eq!(n.lock(lock(1, 100, 10, true)), Err(LockError::Conflict));
        assert_eq!(n.lock(lock(1, 100, 0, true)), Ok(()));
        // A lock of no bytes is granted even inside another's range.
        assert_eq!(n.lock(lock(2, 95, 0, true)), Ok(()));
        // A range ending at 2^64 is a range.
        assert_eq!(
            n.lock(lock(1, 1 << 60, u64::MAX - (1 << 60) + 1, true)),
            Ok(())
        );
        assert_eq!(n.lock(lock(1, u64::MAX, 1, true)), Err(LockError::Conflict));
    }

    #[test]
    fn io_respects_other_owners_locks() {
        let n = node();
        assert_eq!(n.lock(lock(1, 0, 10, true)), Ok(()));
        assert!(n.io_allowed(1, 0, 10, true));
        assert!(!n.io_allowed(2, 5, 10, false));
        assert!(n.io_allowed(2, 10, 10, true));
        assert_eq!(n.lock(lock(2, 20, 10, false)), Ok(()));
        assert!(n.io_allowed(1, 20, 5, false));
        assert!(!n.io_allowed(2, 20, 5, true));
    }
}
