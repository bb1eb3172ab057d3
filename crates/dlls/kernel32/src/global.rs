//! GlobalAlloc and LocalAlloc and their kin, as NT 4.0 builds them on the process heap.
//!
//! Fixed memory is a process-heap block: the handle is the pointer. Moveable memory has a
//! handle of its own: an entry of the process's handle table (NT's BaseHeapHandleTable, an
//! RTL_HANDLE_TABLE in guest memory: a header, then 8-byte entries reserved for 0x10000
//! handles and committed a page at a time), whose first word holds the flags (allocated,
//! moveable, discardable, discarded, DDE-shared) and the lock count in its high half, and
//! whose second word points at the heap block. The handle is the address of that second
//! word, so it is 4 modulo 8 and never a heap pointer. The block keeps the handle as its
//! heap user value and is marked with the moveable user flag, so GlobalHandle finds it.
//! A moveable object of 0 bytes has no block: it is discarded. The Global and Local families
//! share the table; their flags differ (GMEM_DISCARDABLE is 0x100, LMEM_DISCARDABLE 0xF00).

use nt_memory::{AllocationType, GuestMemory, PageProtection};
use nt_status::{NtStatus, Win32Error};
use ntdll::heap::{self, HEAP_SETTABLE_USER_VALUE, HEAP_ZERO_MEMORY, HeapFailure};
use win32::{ApiCall, ApiReturn, PerProcess, export};

use super::heap::{BASE_HEAP_FLAG_DDESHARE, BASE_HEAP_FLAG_MOVEABLE, process_heap};

/// GMEM_MOVEABLE / LMEM_MOVEABLE.
const MOVEABLE: u32 = 0x0002;
/// GMEM_ZEROINIT / LMEM_ZEROINIT.
const ZEROINIT: u32 = 0x0040;
/// GMEM_MODIFY / LMEM_MODIFY.
const MODIFY: u32 = 0x0080;
/// GMEM_DISCARDABLE.
const GMEM_DISCARDABLE: u32 = 0x0100;
/// GMEM_DDESHARE.
const GMEM_DDESHARE: u32 = 0x2000;
/// LMEM_DISCARDABLE.
const LMEM_DISCARDABLE: u32 = 0x0F00;
/// GMEM_DISCARDED / LMEM_DISCARDED.
const DISCARDED_FLAG: u32 = 0x4000;
/// GMEM_INVALID_HANDLE / LMEM_INVALID_HANDLE.
const INVALID_HANDLE_FLAG: u32 = 0x8000;
/// The flags GlobalAlloc accepts (GMEM_VALID_FLAGS) and LocalAlloc's (LMEM_VALID_FLAGS).
const GMEM_VALID_FLAGS: u32 = 0x7F72;
const LMEM_VALID_FLAGS: u32 = 0x0F72;
/// The most locks an object counts (GMEM_LOCKCOUNT).
const LOCK_COUNT_MAX: u32 = 0xFF;

/// Handle-table entry flags (BASE_HANDLE_TABLE_ENTRY.Flags).
const ENTRY_ALLOCATED: u32 = 0x0001;
const ENTRY_MOVEABLE: u32 = 0x0002;
const ENTRY_DISCARDABLE: u32 = 0x0004;
const ENTRY_DISCARDED: u32 = 0x0008;
const ENTRY_SHARED: u32 = 0x8000;

/// The handle table's size: 0x10000 entries of 8 bytes after a 32-byte header.
const TABLE_ENTRIES: u32 = 0x1_0000;
const TABLE_HEADER: u32 = 0x20;
/// RTL_HANDLE_TABLE fields.
const FREE_HANDLES: u32 = 0x10;
const COMMITTED_HANDLES: u32 = 0x14;
const UNCOMMITTED_HANDLES: u32 = 0x18;
const MAX_RESERVED_HANDLES: u32 = 0x1C;

/// ERROR_NOT_LOCKED and ERROR_DISCARDED.
const ERROR_NOT_LOCKED: Win32Error = Win32Error(158);
const ERROR_DISCARDED: Win32Error = Win32Error(157);

/// Each process's handle table (its header's address).
#[derive(Default)]
struct HandleTables(PerProcess<u32>);

/// Which family a call is of.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    Global,
    Local,
}

impl Family {
    fn discardable(self, flags: u32) -> bool {
        match self {
            Family::Global => flags & GMEM_DISCARDABLE != 0,
            Family::Local => flags & LMEM_DISCARDABLE != 0,
        }
    }

    fn valid(self) -> u32 {
        match self {
            Family::Global => GMEM_VALID_FLAGS,
            Family::Local => LMEM_VALID_FLAGS,
        }
    }
}

/// The calling process's handle table, made on first use.
fn table(call: &mut ApiCall<'_>) -> Option<u32> {
    let pid = call.thread.process;
    let object = call.process_object()?;
    if let Some(&t) = call.state.get::<HandleTables>().0.get(pid, &object)
        && t != 0
    {
        return Some(t);
    }
    let size = TABLE_HEADER + TABLE_ENTRIES * 8;
    let space = call.process_mut()?.address_space_mut();
    let (base, _) = space
        .allocate(0, size, AllocationType::RESERVE, PageProtection::READWRITE)
        .ok()?;
    let page = space.page_size().bytes();
    space
        .allocate(
            base,
            page,
            AllocationType::COMMIT,
            PageProtection::READWRITE,
        )
        .ok()?;
    let entries = base + TABLE_HEADER;
    let fields = [
        (0, TABLE_ENTRIES),
        (4, 8),
        (FREE_HANDLES, 0),
        (COMMITTED_HANDLES, entries),
        (UNCOMMITTED_HANDLES, entries),
        (MAX_RESERVED_HANDLES, entries + TABLE_ENTRIES * 8),
    ];
    for (off, v) in fields {
        space.write_u32(base + off, v).ok()?;
    }
    call.state
        .get::<HandleTables>()
        .0
        .insert(pid, &object, base);
    Some(base)
}

/// A new handle-table entry (its address): the first free one, or the next of the reserve,
/// committed a page at a time. None when all 0x10000 are in use.
fn allocate_entry(call: &mut ApiCall<'_>) -> Option<u32> {
    let t = table(call)?;
    let space = call.process_mut()?.address_space_mut();
    let free = space.read_u32(t + FREE_HANDLES).ok()?;
    if free != 0 {
        let next = space.read_u32(free).ok()?;
        space.write_u32(t + FREE_HANDLES, next).ok()?;
        return Some(free);
    }
    let next = space.read_u32(t + UNCOMMITTED_HANDLES).ok()?;
    let max = space.read_u32(t + MAX_RESERVED_HANDLES).ok()?;
    if next >= max {
        return None;
    }
    let page = space.page_size().bytes();
    // Make sure the entry's page is committed.
    if space.read_u32(next).is_err() {
        let at = next & !(page - 1);
        space
            .allocate(at, page, AllocationType::COMMIT, PageProtection::READWRITE)
            .ok()?;
    }
    space.write_u32(t + UNCOMMITTED_HANDLES, next + 8).ok()?;
    Some(next)
}

fn free_entry(call: &mut ApiCall<'_>, entry: u32) {
    let Some(t) = table(call) else { return };
    let Some(space) = call.process_mut().map(|p| p.address_space_mut()) else {
        return;
    };
    let head = space.read_u32(t + FREE_HANDLES).unwrap_or(0);
    let _ = space.write_u64(entry, u64::from(head));
    let _ = space.write_u32(t + FREE_HANDLES, entry);
}

/// True when `h` has the form of a moveable handle (4 modulo 8).
fn is_handle_form(h: u32) -> bool {
    h & 7 == 4
}

/// A moveable object: its entry's address, flags and lock count, and its block.
#[derive(Clone, Copy)]
struct Moveable {
    entry: u32,
    flags: u32,
    locks: u32,
    block: u32,
}

/// The moveable object a handle names, if it is an allocated entry of the table.
fn moveable(call: &mut ApiCall<'_>, h: u32) -> Option<Moveable> {
    if !is_handle_form(h) {
        return None;
    }
    let t = table(call)?;
    let space = call.process()?.address_space();
    let first = space.read_u32(t + COMMITTED_HANDLES).ok()?;
    let end = space.read_u32(t + UNCOMMITTED_HANDLES).ok()?;
    let entry = h - 4;
    if entry < first || entry >= end || !(entry - first).is_multiple_of(8) {
        return None;
    }
    let word = space.read_u32(entry).ok()?;
    if word & ENTRY_ALLOCATED == 0 {
        return None;
    }
    Some(Moveable {
        entry,
        flags: word & 0xFFFF,
        locks: word >> 16,
        block: space.read_u32(entry + 4).ok()?,
    })
}

fn write_moveable(call: &mut ApiCall<'_>, m: &Moveable) -> bool {
    let word = (m.flags & 0xFFFF) | (m.locks.min(LOCK_COUNT_MAX) << 16);
    call.process_mut().is_some_and(|p| {
        p.address_space_mut()
            .write_u64(m.entry, u64::from(word) | u64::from(m.block) << 32)
            .is_ok()
    })
}

/// A process-heap call with the heap lock honoured (Global* calls wait for it).
fn heap_call<T>(
    call: &mut ApiCall<'_>,
    f: impl FnOnce(&mut heap::HeapCall<'_>, u32) -> Result<T, HeapFailure>,
) -> Result<T, HeapFailure> {
    let heap = process_heap(call).ok_or(HeapFailure::NoMemory)?;
    heap::with_heap_call(call, |c| f(c, heap))
}

/// A moveable block for `size` bytes keeping `handle` as its user value.
fn moveable_block(
    call: &mut ApiCall<'_>,
    size: u32,
    zero: bool,
    shared: bool,
    handle: u32,
) -> Option<u32> {
    let mut flags = HEAP_SETTABLE_USER_VALUE | BASE_HEAP_FLAG_MOVEABLE;
    if zero {
        flags |= HEAP_ZERO_MEMORY;
    }
    if shared {
        flags |= BASE_HEAP_FLAG_DDESHARE;
    }
    let block = heap_call(call, |c, h| c.allocate(h, flags, size)).ok()?;
    let heap = process_heap(call)?;
    let space = call.process_mut()?.address_space_mut();
    heap::set_user_value_of(space, heap, block, handle).ok()?;
    Some(block)
}

fn alloc(call: &mut ApiCall<'_>, family: Family, flags: u32, size: u32) -> ApiReturn {
    if flags & !family.valid() != 0 {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    let zero = flags & ZEROINIT != 0;
    if flags & MOVEABLE == 0 {
        let heap_flags = if zero { HEAP_ZERO_MEMORY } else { 0 };
        // GlobalAlloc makes a fixed block of 0 bytes one of 1 byte; LocalAlloc does not.
        let size = match family {
            Family::Global => size.max(1),
            Family::Local => size,
        };
        return match heap_call(call, |c, h| c.allocate(h, heap_flags, size)) {
            Ok(p) => ApiReturn::Value(p),
            Err(_) => call.fail(NtStatus::NO_MEMORY),
        };
    }
    let Some(entry) = allocate_entry(call) else {
        return call.fail(NtStatus::NO_MEMORY);
    };
    let handle = entry + 4;
    let shared = family == Family::Global && flags & GMEM_DDESHARE != 0;
    let mut m = Moveable {
        entry,
        flags: ENTRY_ALLOCATED | ENTRY_MOVEABLE,
        locks: 0,
        block: 0,
    };
    if family.discardable(flags) {
        m.flags |= ENTRY_DISCARDABLE;
    }
    if shared {
        m.flags |= ENTRY_SHARED;
    }
    if size == 0 {
        m.flags |= ENTRY_DISCARDED;
    } else {
        match moveable_block(call, size, zero, shared, handle) {
            Some(b) => m.block = b,
            None => {
                free_entry(call, entry);
                return call.fail(NtStatus::NO_MEMORY);
            }
        }
    }
    if !write_moveable(call, &m) {
        return call.fail(NtStatus::NO_MEMORY);
    }
    ApiReturn::Value(handle)
}

/// GlobalAlloc(uFlags, dwBytes).
#[export]
pub(crate) fn GlobalAlloc(call: &mut ApiCall<'_>, uFlags: u32, dwBytes: u32) -> ApiReturn {
    alloc(call, Family::Global, uFlags, dwBytes)
}

/// LocalAlloc(uFlags, uBytes).
#[export]
pub(crate) fn LocalAlloc(call: &mut ApiCall<'_>, uFlags: u32, uBytes: u32) -> ApiReturn {
    alloc(call, Family::Local, uFlags, uBytes)
}

/// Whether `p` can be read at all (a fixed pointer that cannot is ERROR_NOACCESS).
fn readable(call: &ApiCall<'_>, p: u32) -> bool {
    call.read_u32(p.wrapping_sub(8)).is_ok()
}

fn free(call: &mut ApiCall<'_>, h: u32) -> ApiReturn {
    if h == 0 {
        return ApiReturn::Value(0);
    }
    if is_handle_form(h) {
        let Some(m) = moveable(call, h) else {
            return call.fail_with(NtStatus::INVALID_HANDLE, h);
        };
        if m.block != 0 {
            let block = m.block;
            let _ = heap_call(call, |c, heap| c.free(heap, 0, block));
        }
        free_entry(call, m.entry);
        return ApiReturn::Value(0);
    }
    if !readable(call, h) {
        return call.fail_with(NtStatus::ACCESS_VIOLATION, h);
    }
    match heap_call(call, |c, heap| c.free(heap, 0, h)) {
        Ok(()) => ApiReturn::Value(0),
        Err(_) => call.fail_with(NtStatus::INVALID_HANDLE, h),
    }
}

/// GlobalFree(hMem): NULL on success, the handle back on failure.
#[export]
pub(crate) fn GlobalFree(call: &mut ApiCall<'_>, hMem: u32) -> ApiReturn {
    free(call, hMem)
}

/// LocalFree(hMem).
#[export]
pub(crate) fn LocalFree(call: &mut ApiCall<'_>, hMem: u32) -> ApiReturn {
    free(call, hMem)
}

fn size(call: &mut ApiCall<'_>, h: u32) -> ApiReturn {
    if is_handle_form(h) {
        let Some(m) = moveable(call, h) else {
            return call.fail(NtStatus::INVALID_HANDLE);
        };
        if m.block == 0 {
            return ApiReturn::Value(0);
        }
        let block = m.block;
        return match heap_call(call, |c, heap| c.size(heap, 0, block)) {
            Ok(n) => ApiReturn::Value(n),
            Err(_) => call.fail(NtStatus::INVALID_HANDLE),
        };
    }
    match heap_call(call, |c, heap| c.size(heap, 0, h)) {
        Ok(n) => ApiReturn::Value(n),
        Err(_) => call.fail(NtStatus::INVALID_HANDLE),
    }
}

/// GlobalSize(hMem): 0 for a bad handle (ERROR_INVALID_HANDLE) or discarded memory.
#[export]
pub(crate) fn GlobalSize(call: &mut ApiCall<'_>, hMem: u32) -> ApiReturn {
    size(call, hMem)
}

/// LocalSize(hMem).
#[export]
pub(crate) fn LocalSize(call: &mut ApiCall<'_>, hMem: u32) -> ApiReturn {
    size(call, hMem)
}

fn lock(call: &mut ApiCall<'_>, family: Family, h: u32) -> ApiReturn {
    if is_handle_form(h) {
        let Some(mut m) = moveable(call, h) else {
            return call.fail(NtStatus::INVALID_HANDLE);
        };
        if m.block == 0 || m.flags & ENTRY_DISCARDED != 0 {
            return call.fail_win32(ERROR_DISCARDED, 0);
        }
        if m.locks < LOCK_COUNT_MAX {
            m.locks += 1;
        }
        write_moveable(call, &m);
        return ApiReturn::Value(m.block);
    }
    // Fixed memory: the pointer, when it is a block of the process heap. LocalLock fails
    // without an error code; GlobalLock says ERROR_INVALID_HANDLE.
    match heap_call(call, |c, heap| c.size(heap, 0, h)) {
        Ok(_) => ApiReturn::Value(h),
        Err(_) if family == Family::Local => ApiReturn::Value(0),
        Err(_) => call.fail(NtStatus::INVALID_HANDLE),
    }
}

/// GlobalLock(hMem): the object's address; each lock counts (up to 255).
#[export]
pub(crate) fn GlobalLock(call: &mut ApiCall<'_>, hMem: u32) -> ApiReturn {
    lock(call, Family::Global, hMem)
}

/// LocalLock(hMem).
#[export]
pub(crate) fn LocalLock(call: &mut ApiCall<'_>, hMem: u32) -> ApiReturn {
    lock(call, Family::Local, hMem)
}

fn unlock(call: &mut ApiCall<'_>, family: Family, h: u32) -> ApiReturn {
    if !is_handle_form(h) {
        // Fixed memory has no lock count: GlobalUnlock answers TRUE, LocalUnlock FALSE with
        // ERROR_NOT_LOCKED.
        return match family {
            Family::Global => ApiReturn::Value(1),
            Family::Local => call.fail_win32(ERROR_NOT_LOCKED, 0),
        };
    }
    let Some(mut m) = moveable(call, h) else {
        // GlobalUnlock reports a bad handle but returns TRUE; LocalUnlock returns FALSE.
        let value = u32::from(family == Family::Global);
        return call.fail_with(NtStatus::INVALID_HANDLE, value);
    };
    if m.locks == 0 {
        return call.fail_win32(ERROR_NOT_LOCKED, 0);
    }
    m.locks -= 1;
    write_moveable(call, &m);
    if m.locks == 0 {
        call.set_last_error(0);
        return ApiReturn::Value(0);
    }
    ApiReturn::Value(1)
}

/// GlobalUnlock(hMem): TRUE while locks remain; FALSE with NO_ERROR at the last.
#[export]
pub(crate) fn GlobalUnlock(call: &mut ApiCall<'_>, hMem: u32) -> ApiReturn {
    unlock(call, Family::Global, hMem)
}

/// LocalUnlock(hMem).
#[export]
pub(crate) fn LocalUnlock(call: &mut ApiCall<'_>, hMem: u32) -> ApiReturn {
    unlock(call, Family::Local, hMem)
}

fn flags_of(call: &mut ApiCall<'_>, family: Family, h: u32) -> ApiReturn {
    if is_handle_form(h) {
        let Some(m) = moveable(call, h) else {
            return call.fail_with(NtStatus::INVALID_HANDLE, INVALID_HANDLE_FLAG);
        };
        let mut f = m.locks;
        if m.flags & ENTRY_DISCARDABLE != 0 {
            f |= match family {
                Family::Global => GMEM_DISCARDABLE,
                Family::Local => LMEM_DISCARDABLE,
            };
        }
        if m.flags & ENTRY_DISCARDED != 0 {
            f |= DISCARDED_FLAG;
        }
        if family == Family::Global && m.flags & ENTRY_SHARED != 0 {
            f |= GMEM_DDESHARE;
        }
        return ApiReturn::Value(f);
    }
    if family == Family::Local && !readable(call, h) {
        return call.fail_with(NtStatus::ACCESS_VIOLATION, INVALID_HANDLE_FLAG);
    }
    match heap_call(call, |c, heap| c.size(heap, 0, h)) {
        Ok(_) => ApiReturn::Value(0),
        Err(_) => call.fail_with(NtStatus::INVALID_HANDLE, INVALID_HANDLE_FLAG),
    }
}

/// GlobalFlags(hMem): the lock count with GMEM_DISCARDABLE, GMEM_DISCARDED and GMEM_DDESHARE;
/// GMEM_INVALID_HANDLE for a bad handle.
#[export]
pub(crate) fn GlobalFlags(call: &mut ApiCall<'_>, hMem: u32) -> ApiReturn {
    flags_of(call, Family::Global, hMem)
}

/// LocalFlags(hMem).
#[export]
pub(crate) fn LocalFlags(call: &mut ApiCall<'_>, hMem: u32) -> ApiReturn {
    flags_of(call, Family::Local, hMem)
}

fn handle_of(call: &mut ApiCall<'_>, family: Family, p: u32) -> ApiReturn {
    if is_handle_form(p) {
        return match moveable(call, p) {
            Some(_) => ApiReturn::Value(p),
            None => call.fail(NtStatus::INVALID_HANDLE),
        };
    }
    let Some(heap) = process_heap(call) else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    let info = call
        .process()
        .map(|pr| heap::get_user_info(pr.address_space(), heap, p));
    match info {
        Some(Ok((Some(handle), flags))) if flags & BASE_HEAP_FLAG_MOVEABLE != 0 => {
            ApiReturn::Value(handle)
        }
        Some(Ok(_)) => ApiReturn::Value(p),
        _ if family == Family::Local && !readable(call, p) => call.fail(NtStatus::ACCESS_VIOLATION),
        _ => call.fail(NtStatus::INVALID_HANDLE),
    }
}

/// GlobalHandle(pMem): the handle of the moveable object `pMem` points into (the pointer
/// itself for fixed memory); NULL with ERROR_INVALID_HANDLE for what is neither.
#[export]
pub(crate) fn GlobalHandle(call: &mut ApiCall<'_>, pMem: u32) -> ApiReturn {
    handle_of(call, Family::Global, pMem)
}

/// LocalHandle(pMem).
#[export]
pub(crate) fn LocalHandle(call: &mut ApiCall<'_>, pMem: u32) -> ApiReturn {
    handle_of(call, Family::Local, pMem)
}

fn realloc(call: &mut ApiCall<'_>, family: Family, h: u32, bytes: u32, flags: u32) -> ApiReturn {
    if flags & !(family.valid() | MODIFY) != 0 {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    let zero = flags & ZEROINIT != 0;
    let moveable_flag = flags & MOVEABLE != 0;
    if is_handle_form(h) {
        let Some(mut m) = moveable(call, h) else {
            return call.fail(NtStatus::INVALID_HANDLE);
        };
        if flags & MODIFY != 0 {
            if family.discardable(flags) {
                m.flags |= ENTRY_DISCARDABLE;
            } else {
                m.flags &= !ENTRY_DISCARDABLE;
            }
            write_moveable(call, &m);
            return ApiReturn::Value(h);
        }
        if family.discardable(flags) {
            return call.fail(NtStatus::INVALID_PARAMETER);
        }
        if bytes == 0 {
            // Discarding: only unlocked objects, and only when the caller lets them move.
            if m.locks != 0 || !moveable_flag {
                return call.fail(NtStatus::NO_MEMORY);
            }
            if m.block != 0 {
                let block = m.block;
                let _ = heap_call(call, |c, heap| c.free(heap, 0, block));
            }
            m.block = 0;
            m.flags |= ENTRY_DISCARDED;
            write_moveable(call, &m);
            return ApiReturn::Value(h);
        }
        let shared = m.flags & ENTRY_SHARED != 0;
        if m.block == 0 {
            let Some(block) = moveable_block(call, bytes, zero, shared, h) else {
                return call.fail(NtStatus::NO_MEMORY);
            };
            m.block = block;
            m.flags &= !ENTRY_DISCARDED;
            write_moveable(call, &m);
            return ApiReturn::Value(h);
        }
        let mut heap_flags = if zero { HEAP_ZERO_MEMORY } else { 0 };
        if !moveable_flag {
            heap_flags |= heap::HEAP_REALLOC_IN_PLACE_ONLY;
        }
        let block = m.block;
        return match heap_call(call, |c, heap| c.reallocate(heap, heap_flags, block, bytes)) {
            Ok(new) => {
                m.block = new;
                write_moveable(call, &m);
                ApiReturn::Value(h)
            }
            Err(_) => call.fail(NtStatus::NO_MEMORY),
        };
    }
    // Fixed memory. GMEM_MODIFY | GMEM_MOVEABLE makes it moveable; LocalReAlloc's
    // LMEM_MODIFY never does.
    if flags & MODIFY != 0 {
        if !moveable_flag || family == Family::Local {
            return ApiReturn::Value(h);
        }
        // Made moveable: the block moves to one that keeps the handle.
        let Some(old) = heap_call(call, |c, heap| c.size(heap, 0, h)).ok() else {
            return call.fail(NtStatus::INVALID_HANDLE);
        };
        let Some(entry) = allocate_entry(call) else {
            return call.fail(NtStatus::NO_MEMORY);
        };
        let handle = entry + 4;
        let Some(block) = moveable_block(call, old, false, false, handle) else {
            free_entry(call, entry);
            return call.fail(NtStatus::NO_MEMORY);
        };
        if let Ok(data) = call.read_bytes(h, old as usize) {
            let _ = call.write_bytes(block, &data);
        }
        let _ = heap_call(call, |c, heap| c.free(heap, 0, h));
        let mut m = Moveable {
            entry,
            flags: ENTRY_ALLOCATED | ENTRY_MOVEABLE,
            locks: 0,
            block,
        };
        if family.discardable(flags) {
            m.flags |= ENTRY_DISCARDABLE;
        }
        write_moveable(call, &m);
        return ApiReturn::Value(handle);
    }
    if family.discardable(flags) {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    if !readable(call, h) {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    let mut heap_flags = if zero { HEAP_ZERO_MEMORY } else { 0 };
    if !moveable_flag {
        heap_flags |= heap::HEAP_REALLOC_IN_PLACE_ONLY;
    }
    match heap_call(call, |c, heap| {
        c.reallocate(heap, heap_flags, h, bytes.max(1))
    }) {
        Ok(p) => ApiReturn::Value(p),
        Err(HeapFailure::InvalidParameter) => call.fail(NtStatus::INVALID_HANDLE),
        Err(_) => call.fail(NtStatus::NO_MEMORY),
    }
}

/// GlobalReAlloc(hMem, dwBytes, uFlags): GMEM_MODIFY changes the flags only (and makes fixed
/// memory moveable with GMEM_MOVEABLE); size 0 discards an unlocked moveable object; fixed
/// memory and locked objects may move only with GMEM_MOVEABLE.
#[export]
pub(crate) fn GlobalReAlloc(
    call: &mut ApiCall<'_>,
    hMem: u32,
    dwBytes: u32,
    uFlags: u32,
) -> ApiReturn {
    realloc(call, Family::Global, hMem, dwBytes, uFlags)
}

/// LocalReAlloc(hMem, uBytes, uFlags).
#[export]
pub(crate) fn LocalReAlloc(
    call: &mut ApiCall<'_>,
    hMem: u32,
    uBytes: u32,
    uFlags: u32,
) -> ApiReturn {
    realloc(call, Family::Local, hMem, uBytes, uFlags)
}

/// GlobalDiscard(hMem): GlobalReAlloc(hMem, 0, GMEM_MOVEABLE).
#[export]
pub(crate) fn GlobalDiscard(call: &mut ApiCall<'_>, hMem: u32) -> ApiReturn {
    realloc(call, Family::Global, hMem, 0, MOVEABLE)
}

/// GlobalCompact(dwMinFree) / LocalCompact(uMinFree): the largest free block of the process
/// heap.
#[export]
pub(crate) fn GlobalCompact(call: &mut ApiCall<'_>, dwMinFree: u32) -> ApiReturn {
    let _ = dwMinFree;
    let Some(heap) = process_heap(call) else {
        return ApiReturn::Value(0);
    };
    let largest = call
        .process()
        .and_then(|p| heap::largest_free(p.address_space(), heap).ok())
        .unwrap_or(0);
    ApiReturn::Value(largest)
}

/// GlobalFix(hMem) / GlobalWire: GlobalLock, as NT 4.0 has them.
#[export]
pub(crate) fn GlobalFix(call: &mut ApiCall<'_>, hMem: u32) -> ApiReturn {
    match lock(call, Family::Global, hMem) {
        ApiReturn::Value(_) => ApiReturn::Value(0),
        other => other,
    }
}

/// GlobalUnfix(hMem): GlobalUnlock.
#[export]
pub(crate) fn GlobalUnfix(call: &mut ApiCall<'_>, hMem: u32) -> ApiReturn {
    match unlock(call, Family::Global, hMem) {
        ApiReturn::Value(_) => ApiReturn::Value(0),
        other => other,
    }
}

/// GlobalWire(hMem): GlobalLock.
#[export]
pub(crate) fn GlobalWire(call: &mut ApiCall<'_>, hMem: u32) -> ApiReturn {
    lock(call, Family::Global, hMem)
}

/// GlobalUnWire(hMem): GlobalUnlock.
#[export]
pub(crate) fn GlobalUnWire(call: &mut ApiCall<'_>, hMem: u32) -> ApiReturn {
    unlock(call, Family::Global, hMem)
}

/// LocalShrink(hMem, cbNewSize): the local heap's committed size (the process heap keeps
/// its pages).
#[export]
pub(crate) fn LocalShrink(call: &mut ApiCall<'_>, hMem: u32, cbNewSize: u32) -> ApiReturn {
    let _ = (hMem, cbNewSize);
    let Some(heap) = process_heap(call) else {
        return ApiReturn::Value(0);
    };
    let committed = call
        .process()
        .and_then(|p| heap::walk(p.address_space(), heap, None).ok().flatten())
        .map_or(0, |e| e.committed);
    ApiReturn::Value(committed)
}

/// Where a global memory object's bytes are and how many there are, without locking it: a
/// fixed block (its pointer) or a moveable one (its handle), as USER32's clipboard reads the
/// blocks SetClipboardData is given. None for what is no global memory object of the calling
/// process; a discarded moveable object has no bytes (address 0, size 0).
pub fn global_bytes(call: &mut ApiCall<'_>, h: u32) -> Option<(u32, u32)> {
    if h == 0 {
        return None;
    }
    let at = if is_handle_form(h) {
        let m = moveable(call, h)?;
        if m.block == 0 {
            return Some((0, 0));
        }
        m.block
    } else {
        if !readable(call, h) {
            return None;
        }
        h
    };
    let size = heap_call(call, |c, heap| c.size(heap, 0, at)).ok()?;
    Some((at, size))
}

/// A moveable, DDE-shared global memory object holding `bytes` (GMEM_MOVEABLE |
/// GMEM_DDESHARE, as NT's USER32 makes the blocks GetClipboardData hands out): its handle.
pub fn global_alloc_shared(call: &mut ApiCall<'_>, bytes: &[u8]) -> Option<u32> {
    let size = u32::try_from(bytes.len()).ok()?.max(1);
    let handle = match alloc(
        call,
        Family::Global,
        MOVEABLE | GMEM_DDESHARE | ZEROINIT,
        size,
    ) {
        ApiReturn::Value(h) if h != 0 => h,
        _ => return None,
    };
    let (at, _) = global_bytes(call, handle)?;
    if call.write_bytes(at, bytes).is_err() {
        free(call, handle);
        return None;
    }
    Some(handle)
}

/// Frees a global memory object (GlobalFree without its last error): true when it was one.
pub fn global_free(call: &mut ApiCall<'_>, h: u32) -> bool {
    if global_bytes(call, h).is_none() {
        return false;
    }
    matches!(free(call, h), ApiReturn::Value(0))
}
