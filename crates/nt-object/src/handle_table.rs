//! The per-process handle table.
//!
//! Handle values are NT's: multiples of 4 starting at 4, the low two bits ignored on lookup,
//! the most recently freed slot reused first, at most 2^24 per table. Each entry holds a
//! reference to the object, the granted ACCESS_MASK and the inherit / protect-from-close
//! attributes.
//!
//! The table is plain data: lookups take `&self` and hand out borrows, insert and close take
//! `&mut self`. A machine's process owns its table on the machine's one host thread, so the
//! hot paths pay for no lock; a caller that shares a table between host threads wraps it in a
//! lock of its own. Free slots form an intrusive LIFO list threaded through the entries, so
//! allocation and close are O(1) and allocate nothing once the table has grown.

use std::sync::Arc;

use crate::object::{Object, ObjectType};
use crate::{AccessMask, ObjectError};

/// A handle value as the guest sees it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Handle(pub u32);

impl Handle {
    /// NULL.
    pub const NULL: Handle = Handle(0);
    /// NtCurrentProcess(): the pseudo-handle -1, resolved by the caller to its own process.
    pub const CURRENT_PROCESS: Handle = Handle(0xFFFF_FFFF);
    /// NtCurrentThread(): the pseudo-handle -2, resolved by the caller to its own thread.
    pub const CURRENT_THREAD: Handle = Handle(0xFFFF_FFFE);

    /// True for the two pseudo-handles.
    pub fn is_pseudo(self) -> bool {
        self == Self::CURRENT_PROCESS || self == Self::CURRENT_THREAD
    }

    /// The table slot this value names; the low two bits (tag bits) are ignored.
    #[inline]
    fn slot_index(self) -> usize {
        ((self.0 >> 2) as usize).wrapping_sub(1)
    }

    #[inline]
    fn from_slot_index(index: usize) -> Handle {
        Handle(((index as u32) + 1) << 2)
    }
}

/// The attributes of a handle-table entry (HANDLE_FLAG_*).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct HandleAttributes(pub u32);

impl HandleAttributes {
    /// No attributes.
    pub const NONE: HandleAttributes = HandleAttributes(0);
    /// HANDLE_FLAG_INHERIT: child processes inherit the handle.
    pub const INHERIT: HandleAttributes = HandleAttributes(0x1);
    /// HANDLE_FLAG_PROTECT_FROM_CLOSE: CloseHandle fails with STATUS_HANDLE_NOT_CLOSABLE.
    pub const PROTECT_FROM_CLOSE: HandleAttributes = HandleAttributes(0x2);
    /// Every defined attribute bit.
    pub const VALID: HandleAttributes = HandleAttributes(0x3);

    /// True when the inherit flag is set.
    pub fn inherit(self) -> bool {
        self.0 & Self::INHERIT.0 != 0
    }

    /// True when the protect-from-close flag is set.
    pub fn protect_from_close(self) -> bool {
        self.0 & Self::PROTECT_FROM_CLOSE.0 != 0
    }
}

impl std::ops::BitOr for HandleAttributes {
    type Output = HandleAttributes;
    fn bitor(self, rhs: HandleAttributes) -> HandleAttributes {
        HandleAttributes(self.0 | rhs.0)
    }
}

/// DuplicateHandle options (DUPLICATE_*).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct DuplicateOptions(pub u32);

impl DuplicateOptions {
    /// No options: the new handle gets the requested access and attributes.
    pub const NONE: DuplicateOptions = DuplicateOptions(0);
    /// DUPLICATE_CLOSE_SOURCE: close the source handle, whatever the outcome.
    pub const CLOSE_SOURCE: DuplicateOptions = DuplicateOptions(0x1);
    /// DUPLICATE_SAME_ACCESS: the new handle gets the source handle's access.
    pub const SAME_ACCESS: DuplicateOptions = DuplicateOptions(0x2);
    /// DUPLICATE_SAME_ATTRIBUTES: the new handle gets the source handle's attributes.
    pub const SAME_ATTRIBUTES: DuplicateOptions = DuplicateOptions(0x4);

    fn has(self, o: DuplicateOptions) -> bool {
        self.0 & o.0 != 0
    }
}

impl std::ops::BitOr for DuplicateOptions {
    type Output = DuplicateOptions;
    fn bitor(self, rhs: DuplicateOptions) -> DuplicateOptions {
        DuplicateOptions(self.0 | rhs.0)
    }
}

/// One handle-table entry as [`HandleTable::entries`] reports it.
#[derive(Clone, Copy, Debug)]
pub struct HandleEntry<'a> {
    /// The handle value.
    pub handle: Handle,
    /// The object it refers to.
    pub object: &'a Arc<Object>,
    /// The access granted when the handle was created.
    pub granted_access: AccessMask,
    /// The entry's attributes.
    pub attributes: HandleAttributes,
}

/// The most handles one table can hold: 2^24, as on NT.
pub const MAX_HANDLES: u32 = 1 << 24;

/// One handle slot, 8 bytes like NT's HANDLE_TABLE_ENTRY: a live entry (`word` != 0) or a
/// free one (`word` == 0), whose `access` field holds the index + 1 of the next free slot (0
/// ends the list).
///
/// A live entry's `word` packs the index + 1 of its object record (bits 0..25: a table holds
/// at most 2^24 handles, so at most 2^24 records), its HANDLE_FLAG_* attributes (bits 25..27)
/// and its object's type (bits 27..31), so a lookup checks the type without touching the
/// object.
#[derive(Clone, Copy)]
struct Slot {
    word: u32,
    /// Granted access of a live entry; next-free link of a free one.
    access: AccessMask,
}

const RECORD_MASK: u32 = (1 << 25) - 1;
const ATTRIBUTE_SHIFT: u32 = 25;
const TYPE_SHIFT: u32 = 27;

impl Slot {
    #[inline]
    fn live(
        record: u32,
        access: AccessMask,
        attributes: HandleAttributes,
        object_type: ObjectType,
    ) -> Slot {
        debug_assert!(record != 0 && record <= RECORD_MASK);
        Slot {
            word: record
                | ((attributes.0 & HandleAttributes::VALID.0) << ATTRIBUTE_SHIFT)
                | ((object_type as u32) << TYPE_SHIFT),
            access,
        }
    }

    #[inline]
    fn free(link: u32) -> Slot {
        Slot {
            word: 0,
            access: AccessMask(link),
        }
    }

    /// Index + 1 of the entry's object record; 0 for a free slot.
    #[inline]
    fn record(self) -> u32 {
        self.word & RECORD_MASK
    }

    #[inline]
    fn attributes(self) -> HandleAttributes {
        HandleAttributes((self.word >> ATTRIBUTE_SHIFT) & HandleAttributes::VALID.0)
    }

    #[inline]
    fn set_attributes(&mut self, attributes: HandleAttributes) {
        self.word = (self.word & !(HandleAttributes::VALID.0 << ATTRIBUTE_SHIFT))
            | ((attributes.0 & HandleAttributes::VALID.0) << ATTRIBUTE_SHIFT);
    }

    #[inline]
    fn type_tag(self) -> u32 {
        self.word >> TYPE_SHIFT
    }

    /// The next-free link of a free slot.
    #[inline]
    fn link(self) -> u32 {
        self.access.0
    }
}

/// The table's reference to one object, shared by all the table's handles to it: the table
/// takes one pointer reference (one `Arc`) per object it refers to, not one per handle, so a
/// handle opened or closed on an object the table already refers to touches no shared
/// counter. `handles` counts the table's handles that use this record.
struct ObjectRecord {
    object: Option<Arc<Object>>,
    handles: u32,
    /// Next-free link (index + 1) while the record is unused.
    link: u32,
}

/// Direct-mapped cache from an object's address to the record that refers to it. A miss only
/// costs a new record; two records for one object are harmless.
const RECORD_CACHE: usize = 16;

/// What a pseudo-handle stands for in the calling thread: its process and itself.
#[derive(Clone, Copy, Debug)]
pub struct CurrentObjects<'a> {
    /// The calling process's object: what -1 means.
    pub process: &'a Arc<Object>,
    /// The calling thread's object: what -2 means.
    pub thread: &'a Arc<Object>,
}

/// A process's handle table.
pub struct HandleTable {
    slots: Vec<Slot>,
    /// Index + 1 of the most recently freed slot; 0 when no slot is free.
    free_head: u32,
    records: Vec<ObjectRecord>,
    free_record: u32,
    record_cache: [u32; RECORD_CACHE],
    count: u32,
    quota: u32,
}

impl Default for HandleTable {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for HandleTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandleTable")
            .field("handle_count", &self.count)
            .field("quota", &self.quota)
            .finish_non_exhaustive()
    }
}

#[inline]
fn cache_index(object: &Arc<Object>) -> usize {
    (Arc::as_ptr(object) as usize >> 6) % RECORD_CACHE
}

impl HandleTable {
    /// An empty table that may hold up to [`MAX_HANDLES`] handles.
    pub fn new() -> Self {
        Self::with_quota(MAX_HANDLES)
    }

    /// An empty table that holds at most `quota` handles (clamped to [`MAX_HANDLES`]); one
    /// more insert fails with STATUS_INSUFFICIENT_RESOURCES.
    pub fn with_quota(quota: u32) -> Self {
        HandleTable {
            slots: Vec::new(),
            free_head: 0,
            records: Vec::new(),
            free_record: 0,
            record_cache: [0; RECORD_CACHE],
            count: 0,
            quota: quota.min(MAX_HANDLES),
        }
    }

    /// The table's quota.
    pub fn quota(&self) -> u32 {
        self.quota
    }

    /// Changes the quota; existing handles stay even above it.
    pub fn set_quota(&mut self, quota: u32) {
        self.quota = quota.min(MAX_HANDLES);
    }

    /// Live handles in the table: the process's Handle Count.
    #[inline]
    pub fn handle_count(&self) -> u32 {
        self.count
    }

    /// Live handles in the table that refer to objects of one type.
    /// Counted on demand (a walk of the table), so the insert and close paths keep no
    /// per-type counters.
    pub fn handle_count_by_type(&self, object_type: ObjectType) -> u32 {
        self.entries()
            .filter(|e| e.object.object_type() == object_type)
            .count() as u32
    }

    /// How many distinct object references the table holds (at least one per object it has
    /// handles to).
    pub fn object_reference_count(&self) -> usize {
        self.records.iter().filter(|r| r.object.is_some()).count()
    }

    /// Reserves room for `additional` more slots, so later inserts do not reallocate.
    pub fn reserve(&mut self, additional: usize) {
        self.slots.reserve(additional);
    }

    /// The record for `object`, with one more handle counted on it.
    #[inline(always)]
    fn acquire_record(&mut self, object: &Arc<Object>) -> u32 {
        let key = cache_index(object);
        let cached = self.record_cache[key];
        if let Some(record) = self.records.get_mut((cached as usize).wrapping_sub(1))
            && record
                .object
                .as_ref()
                .is_some_and(|o| Arc::ptr_eq(o, object))
        {
            record.handles += 1;
            return cached;
        }
        self.new_record(object, key)
    }

    /// A new record for the table's first handle to `object` (or the first since its cache
    /// line was taken by another object): the table's one pointer reference to it.
    #[inline(never)]
    fn new_record(&mut self, object: &Arc<Object>, key: usize) -> u32 {
        let object = Arc::clone(object);
        let free = (self.free_record as usize).wrapping_sub(1);
        let index = match self.records.get_mut(free) {
            Some(record) => {
                // Written field by field: a free record's `object` is already None.
                self.free_record = record.link;
                record.object = Some(object);
                record.handles = 1;
                free
            }
            None => {
                self.records.push(ObjectRecord {
                    object: Some(object),
                    handles: 1,
                    link: 0,
                });
                self.records.len() - 1
            }
        };
        self.record_cache[key] = index as u32 + 1;
        index as u32 + 1
    }

    /// Counts one handle less, on the record and on its object (a named object leaves its
    /// directory with its last handle); frees the record, and returns its object reference
    /// for the caller to drop, when it was the table's last handle to it.
    #[inline(always)]
    fn release_record(&mut self, record: u32) -> Option<Arc<Object>> {
        let entry = self.records.get_mut((record as usize).wrapping_sub(1))?;
        entry.object.as_ref()?.remove_handle();
        entry.handles -= 1;
        if entry.handles != 0 {
            return None;
        }
        self.free_record_entry(record)
    }

    #[inline(never)]
    fn free_record_entry(&mut self, record: u32) -> Option<Arc<Object>> {
        let entry = self.records.get_mut((record as usize).wrapping_sub(1))?;
        let object = entry.object.take()?;
        entry.link = self.free_record;
        self.free_record = record;
        let key = cache_index(&object);
        if self.record_cache[key] == record {
            self.record_cache[key] = 0;
        }
        Some(object)
    }

    #[inline]
    fn record_object(&self, record: u32) -> Option<&Arc<Object>> {
        self.records
            .get((record as usize).wrapping_sub(1))?
            .object
            .as_ref()
    }

    /// Inserts a handle to `object` with `granted_access` (already mapped to specific
    /// rights) and `attributes`; returns its value (ObInsertObject / ObOpenObjectByPointer).
    /// STATUS_INSUFFICIENT_RESOURCES when the table is at its quota.
    #[inline]
    pub fn insert(
        &mut self,
        object: &Arc<Object>,
        granted_access: AccessMask,
        attributes: HandleAttributes,
    ) -> Result<Handle, ObjectError> {
        self.insert_with(
            object,
            granted_access,
            attributes,
            Object::add_handle_from_existing,
        )
    }

    /// [`insert`](Self::insert) for the object manager's named create and open, which hold
    /// the directory lock already.
    pub(crate) fn insert_named_locked(
        &mut self,
        object: &Arc<Object>,
        granted_access: AccessMask,
        attributes: HandleAttributes,
    ) -> Result<Handle, ObjectError> {
        self.insert_with(object, granted_access, attributes, Object::add_handle)
    }

    #[inline(always)]
    fn insert_with(
        &mut self,
        object: &Arc<Object>,
        granted_access: AccessMask,
        attributes: HandleAttributes,
        count_handle: fn(&Object),
    ) -> Result<Handle, ObjectError> {
        if self.count >= self.quota {
            return Err(ObjectError::InsufficientResources);
        }
        let record = self.acquire_record(object);
        count_handle(object);
        Ok(self.fill_slot(Slot::live(
            record,
            granted_access,
            attributes,
            object.object_type(),
        )))
    }

    /// Puts a live `slot` in a free slot (the most recently freed first).
    #[inline(always)]
    fn fill_slot(&mut self, slot: Slot) -> Handle {
        let free = (self.free_head as usize).wrapping_sub(1);
        let index = match self.slots.get_mut(free) {
            Some(entry) => {
                self.free_head = entry.link();
                *entry = slot;
                free
            }
            None => {
                self.slots.push(slot);
                self.slots.len() - 1
            }
        };
        self.count += 1;
        Handle::from_slot_index(index)
    }

    #[inline(always)]
    fn live_slot(&self, handle: Handle) -> Result<(&Arc<Object>, Slot), ObjectError> {
        let slot = *self
            .slots
            .get(handle.slot_index())
            .ok_or(ObjectError::InvalidHandle)?;
        let object = self
            .record_object(slot.record())
            .ok_or(ObjectError::InvalidHandle)?;
        Ok((object, slot))
    }

    /// References the object behind `handle` (ObReferenceObjectByHandle): checks the type
    /// when `object_type` is given (STATUS_OBJECT_TYPE_MISMATCH) and that the entry grants
    /// every right in `desired_access` (STATUS_ACCESS_DENIED). The reference is a borrow of
    /// the table's; clone the `Arc` to keep the object past the next table change.
    #[inline]
    pub fn reference(
        &self,
        handle: Handle,
        desired_access: AccessMask,
        object_type: Option<ObjectType>,
    ) -> Result<&Arc<Object>, ObjectError> {
        let (object, slot) = self.live_slot(handle)?;
        if let Some(t) = object_type
            && slot.type_tag() != t as u32
        {
            return Err(ObjectError::ObjectTypeMismatch);
        }
        let desired = if desired_access.needs_mapping() {
            object.object_type().map_access(desired_access)
        } else {
            desired_access
        };
        if !slot.access.contains(desired) {
            return Err(ObjectError::AccessDenied);
        }
        Ok(object)
    }

    /// [`reference`](Self::reference), with the pseudo-handles -1 and -2 resolved to the
    /// caller's process and thread, which they name with full access.
    pub fn reference_or_current<'a>(
        &'a self,
        handle: Handle,
        desired_access: AccessMask,
        object_type: Option<ObjectType>,
        current: CurrentObjects<'a>,
    ) -> Result<&'a Arc<Object>, ObjectError> {
        let pseudo = match handle {
            Handle::CURRENT_PROCESS => current.process,
            Handle::CURRENT_THREAD => current.thread,
            _ => return self.reference(handle, desired_access, object_type),
        };
        match object_type {
            Some(t) if pseudo.object_type() != t => Err(ObjectError::ObjectTypeMismatch),
            _ => Ok(pseudo),
        }
    }

    /// The granted access and attributes of a live entry.
    pub fn entry(&self, handle: Handle) -> Result<(AccessMask, HandleAttributes), ObjectError> {
        let (_, slot) = self.live_slot(handle)?;
        Ok((slot.access, slot.attributes()))
    }

    /// Closes a handle (NtClose): STATUS_INVALID_HANDLE for a value that names no live entry,
    /// STATUS_HANDLE_NOT_CLOSABLE for a protected one. The slot becomes the next one reused.
    #[inline(always)]
    pub fn close(&mut self, handle: Handle) -> Result<(), ObjectError> {
        let last_reference = self.remove(handle, true)?;
        drop(last_reference);
        Ok(())
    }

    /// Frees a live slot; returns the table's reference to the object if that was the
    /// table's last handle to it.
    #[inline(always)]
    fn remove(
        &mut self,
        handle: Handle,
        honour_protect: bool,
    ) -> Result<Option<Arc<Object>>, ObjectError> {
        let index = handle.slot_index();
        let Some(slot) = self.slots.get_mut(index) else {
            return Err(ObjectError::InvalidHandle);
        };
        let record = slot.record();
        if record == 0 {
            return Err(ObjectError::InvalidHandle);
        }
        if honour_protect && slot.attributes().protect_from_close() {
            return Err(ObjectError::HandleNotClosable);
        }
        *slot = Slot::free(self.free_head);
        self.free_head = index as u32 + 1;
        self.count -= 1;
        Ok(self.release_record(record))
    }

    /// GetHandleInformation: the entry's HANDLE_FLAG_* bits.
    pub fn information(&self, handle: Handle) -> Result<HandleAttributes, ObjectError> {
        Ok(self.entry(handle)?.1)
    }

    /// SetHandleInformation: sets the bits of `mask` to their values in `flags`.
    pub fn set_information(
        &mut self,
        handle: Handle,
        mask: HandleAttributes,
        flags: HandleAttributes,
    ) -> Result<(), ObjectError> {
        match self.slots.get_mut(handle.slot_index()) {
            Some(slot) if slot.record() != 0 => {
                let mask = mask.0 & HandleAttributes::VALID.0;
                let old = slot.attributes().0;
                slot.set_attributes(HandleAttributes((old & !mask) | (flags.0 & mask)));
                Ok(())
            }
            _ => Err(ObjectError::InvalidHandle),
        }
    }

    /// The record, access and attributes a duplicate of `source` gets.
    fn duplicate_entry(
        &self,
        source: Handle,
        desired_access: AccessMask,
        attributes: HandleAttributes,
        options: DuplicateOptions,
    ) -> Result<(u32, AccessMask, HandleAttributes), ObjectError> {
        let (object, slot) = self.live_slot(source)?;
        let access = if options.has(DuplicateOptions::SAME_ACCESS) {
            slot.access
        } else {
            // ntemu's objects carry no security descriptor, so, as NT grants for objects with
            // the default one, any right the type defines may be requested; except of a File
            // object: its opens were checked against the file's share modes for the rights
            // they were granted, and a handle to it gets no right its source lacks.
            let access = object.object_type().map_access(desired_access);
            if object.object_type() == ObjectType::File && access.0 & !slot.access.0 != 0 {
                return Err(ObjectError::AccessDenied);
            }
            access
        };
        let attributes = if options.has(DuplicateOptions::SAME_ATTRIBUTES) {
            slot.attributes()
        } else {
            HandleAttributes(attributes.0 & HandleAttributes::INHERIT.0)
        };
        Ok((slot.record(), access, attributes))
    }

    /// DuplicateHandle within this table. With DUPLICATE_CLOSE_SOURCE the source handle is
    /// closed whatever the outcome (unless it is protected from close), as NT documents.
    pub fn duplicate(
        &mut self,
        source: Handle,
        desired_access: AccessMask,
        attributes: HandleAttributes,
        options: DuplicateOptions,
    ) -> Result<Handle, ObjectError> {
        if options.has(DuplicateOptions::CLOSE_SOURCE) {
            // NT closes the source before it makes the new handle (ObDuplicateObject), so
            // the duplicate takes the slot the source freed: the same value.
            let entry = self.duplicate_entry(source, desired_access, attributes, options);
            let object = entry
                .as_ref()
                .ok()
                .and_then(|(record, _, _)| self.record_object(*record).cloned());
            let _ = self.close(source);
            let (_, access, attrs) = entry?;
            let object = object.ok_or(ObjectError::InvalidHandle)?;
            return self.insert(&object, access, attrs);
        }
        let result = self
            .duplicate_entry(source, desired_access, attributes, options)
            .and_then(|(record, access, attrs)| {
                if self.count >= self.quota {
                    return Err(ObjectError::InsufficientResources);
                }
                let object = self
                    .record_object(record)
                    .ok_or(ObjectError::InvalidHandle)?;
                object.add_handle_from_existing();
                let slot = Slot::live(record, access, attrs, object.object_type());
                if let Some(r) = self.records.get_mut((record - 1) as usize) {
                    r.handles += 1;
                }
                Ok(self.fill_slot(slot))
            });
        if options.has(DuplicateOptions::CLOSE_SOURCE) {
            let _ = self.close(source);
        }
        result
    }

    /// DuplicateHandle from this table into another process's `target` table; see
    /// [`duplicate`](Self::duplicate).
    pub fn duplicate_into(
        &mut self,
        source: Handle,
        target: &mut HandleTable,
        desired_access: AccessMask,
        attributes: HandleAttributes,
        options: DuplicateOptions,
    ) -> Result<Handle, ObjectError> {
        let result = self
            .duplicate_entry(source, desired_access, attributes, options)
            .and_then(|(record, access, attrs)| {
                let object = self
                    .record_object(record)
                    .ok_or(ObjectError::InvalidHandle)?;
                target.insert(object, access, attrs)
            });
        if options.has(DuplicateOptions::CLOSE_SOURCE) {
            let _ = self.close(source);
        }
        result
    }

    /// The table a child process starts with when the parent lets it inherit handles: every
    /// inheritable entry of `self` at the same value with the same access and attributes; the
    /// other slots are free and are reused lowest first. The child's quota is `self`'s.
    pub fn inherit(&self) -> HandleTable {
        self.inherit_only(|_| true)
    }

    /// [`inherit`](Self::inherit) of only the inheritable entries whose handle `keep`
    /// accepts (PROC_THREAD_ATTRIBUTE_HANDLE_LIST).
    pub fn inherit_only(&self, keep: impl Fn(Handle) -> bool) -> HandleTable {
        let mut child = HandleTable::with_quota(self.quota);
        let inherited = |index: usize, s: &Slot| {
            s.record() != 0 && s.attributes().inherit() && keep(Handle::from_slot_index(index))
        };
        let Some(last) = self
            .slots
            .iter()
            .enumerate()
            .rposition(|(i, s)| inherited(i, s))
        else {
            return child;
        };
        child.slots.reserve_exact(last + 1);
        // Parent record -> child record, built as inherited entries are met.
        let mut record_map = vec![0u32; self.records.len()];
        for (index, slot) in self.slots[..=last].iter().enumerate() {
            let inherited = inherited(index, slot);
            let object = if inherited {
                self.record_object(slot.record())
            } else {
                None
            };
            let Some(object) = object else {
                child.slots.push(Slot::free(0));
                continue;
            };
            let mapped = &mut record_map[(slot.record() - 1) as usize];
            if *mapped == 0 {
                child.records.push(ObjectRecord {
                    object: Some(Arc::clone(object)),
                    handles: 0,
                    link: 0,
                });
                *mapped = child.records.len() as u32;
            }
            child.records[(*mapped - 1) as usize].handles += 1;
            object.add_handle_from_existing();
            child.count += 1;
            child.slots.push(Slot {
                word: (slot.word & !RECORD_MASK) | *mapped,
                access: slot.access,
            });
        }
        // Thread the free list so the lowest free slot comes out first.
        for index in (0..=last).rev() {
            if child.slots[index].record() == 0 {
                child.slots[index] = Slot::free(child.free_head);
                child.free_head = index as u32 + 1;
            }
        }
        child
    }

    /// Every live entry, in handle order.
    pub fn entries(&self) -> impl Iterator<Item = HandleEntry<'_>> {
        self.slots.iter().enumerate().filter_map(|(i, slot)| {
            self.record_object(slot.record()).map(|object| HandleEntry {
                handle: Handle::from_slot_index(i),
                object,
                granted_access: slot.access,
                attributes: slot.attributes(),
            })
        })
    }

    /// Closes every handle, protected or not, as process exit does. Returns how many.
    pub fn close_all(&mut self) -> u32 {
        let mut closed = 0;
        for index in 0..self.slots.len() {
            if let Ok(last_reference) = self.remove(Handle::from_slot_index(index), false) {
                drop(last_reference);
                closed += 1;
            }
        }
        closed
    }
}

impl Drop for HandleTable {
    fn drop(&mut self) {
        self.close_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::ObjectManager;
    use crate::wait::EventType;
    use std::mem::size_of;

    /// Host bytes the table spends on its live handles, the objects themselves not counted:
    /// (bytes in use, bytes allocated) — the slots and object records in use, and the
    /// vectors' whole capacity (their growth slack included), plus the table's header.
    fn host_bytes(table: &HandleTable) -> (usize, usize) {
        let header = size_of::<HandleTable>();
        let used = header
            + table.slots.len() * size_of::<Slot>()
            + table.records.len() * size_of::<ObjectRecord>();
        let allocated = header
            + table.slots.capacity() * size_of::<Slot>()
            + table.records.capacity() * size_of::<ObjectRecord>();
        (used, allocated)
    }

    #[test]
    fn an_entry_is_eight_bytes_like_nts() {
        assert_eq!(size_of::<Slot>(), 8);
        assert_eq!(size_of::<ObjectRecord>(), 16);
    }

    /// Memory per live handle, grown by inserts alone (no reserve): NT's HANDLE_TABLE_ENTRY
    /// is 8 bytes. Many handles to one object share its record; handles to distinct objects
    /// each add a 16-byte record (the table's one pointer reference to the object).
    #[test]
    fn host_memory_per_live_handle() {
        let manager = ObjectManager::new();
        let event = manager.create_event(EventType::Notification, false);
        let access = AccessMask::EVENT_ALL_ACCESS;

        let n = 1_000_000;
        let mut shared = HandleTable::new();
        for _ in 0..n {
            shared
                .insert(&event, access, HandleAttributes::NONE)
                .expect("insert");
        }
        let (used, allocated) = host_bytes(&shared);
        let (used, allocated) = (used as f64 / n as f64, allocated as f64 / n as f64);
        println!(
            "1M handles to one object: {used:.2} bytes/handle in use, \
             {allocated:.2} allocated (NT: 8)"
        );
        assert!(used < 8.01, "{used}");
        assert!(allocated <= 16.0, "{allocated}");
        drop(shared);

        let n = 100_000;
        let objects: Vec<_> = (0..n)
            .map(|_| manager.create_event(EventType::Notification, false))
            .collect();
        let mut distinct = HandleTable::new();
        for object in &objects {
            distinct
                .insert(object, access, HandleAttributes::NONE)
                .expect("insert");
        }
        let (used, allocated) = host_bytes(&distinct);
        let (used, allocated) = (used as f64 / n as f64, allocated as f64 / n as f64);
        println!(
            "100k handles to distinct objects: {used:.2} bytes/handle in use, \
             {allocated:.2} allocated (NT: 8)"
        );
        assert!(used < 24.01, "{used}");
        assert!(allocated <= 48.0, "{allocated}");
    }
}
