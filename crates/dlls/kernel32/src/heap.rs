//! KERNEL32's heap functions: HeapCreate, HeapDestroy, HeapAlloc, HeapReAlloc, HeapFree,
//! HeapSize (NT 4.0 forwards these four to NTDLL), HeapValidate, HeapCompact, HeapLock,
//! HeapUnlock, HeapWalk, GetProcessHeap and GetProcessHeaps, over NTDLL's heap
//! ([`ntdll::heap`]), which keeps every heap in guest memory as NT lays it out.
//!
//! HeapCreate passes on only HEAP_NO_SERIALIZE and HEAP_GENERATE_EXCEPTIONS, marks the heap a
//! private one (HEAP_CLASS_1), and makes it growable when it has no maximum, as NT 4.0's
//! does. The process heap is made when the process starts (PEB.ProcessHeap), of the size
//! the image's headers ask for. HeapQueryInformation and HeapSetInformation are Windows XP's,
//! exported beyond NT 4.0 (`later-exports.txt`) because programs built for later Windows call
//! them unchecked. A heap's compatibility information is 0 (a standard heap) until the program
//! asks for the low-fragmentation heap (2), which is then recorded for good (as on Windows,
//! it cannot be undone) and answered by HeapQueryInformation; no heap turns to it by itself,
//! as NT 4.0's never do, and blocks are still NT 4.0's (no front end sits before them).

use std::collections::BTreeSet;

use nt_memory::GuestMemory;
use nt_object::Handle;
use nt_status::{NtStatus, Win32Error};
use ntdll::heap::{self, HEAP_CLASS_1, HEAP_GENERATE_EXCEPTIONS, HEAP_NO_SERIALIZE, WalkKind};
use ntdll::heap_api;
use win32::{ApiCall, ApiReturn, PerProcess, Ptr, export};

/// The heaps of each process its program asked the low-fragmentation heap for.
#[derive(Default)]
struct LfhRequests(PerProcess<BTreeSet<u32>>);

/// Whether the program asked the low-fragmentation heap for `heap`.
fn lfh_requested(call: &mut ApiCall<'_>, heap: u32) -> bool {
    let pid = call.thread.process;
    let Some(object) = call.process_object() else {
        return false;
    };
    call.state
        .get::<LfhRequests>()
        .0
        .get(pid, &object)
        .is_some_and(|s| s.contains(&heap))
}

/// Records (or, for a heap made or destroyed at that address, forgets) the request.
fn set_lfh_requested(call: &mut ApiCall<'_>, heap: u32, on: bool) {
    let pid = call.thread.process;
    let Some(object) = call.process_object() else {
        return;
    };
    let set = call
        .state
        .get::<LfhRequests>()
        .0
        .get_or_default(pid, &object);
    if on {
        set.insert(heap);
    } else {
        set.remove(&heap);
    }
}

/// PROCESS_HEAP_ENTRY.wFlags.
mod entry_flags {
    pub const REGION: u16 = 0x0001;
    pub const UNCOMMITTED_RANGE: u16 = 0x0002;
    pub const BUSY: u16 = 0x0004;
    pub const MOVEABLE: u16 = 0x0010;
    pub const DDESHARE: u16 = 0x0020;
}

/// The user flag GlobalAlloc and LocalAlloc mark moveable memory's blocks with
/// (BASE_HEAP_FLAG_MOVEABLE: HEAP_SETTABLE_USER_FLAG1).
pub(crate) const BASE_HEAP_FLAG_MOVEABLE: u32 = 0x200;
/// The user flag of DDE-shared moveable memory (BASE_HEAP_FLAG_DDESHARE).
pub(crate) const BASE_HEAP_FLAG_DDESHARE: u32 = 0x400;

/// The process heap's handle (PEB.ProcessHeap), made with the image's heap sizes if the
/// process has none yet.
pub(crate) fn process_heap(call: &mut ApiCall<'_>) -> Option<u32> {
    let peb = call.process()?.peb();
    let at = peb + nt_kernel::teb::peb_offsets::PROCESS_HEAP;
    let current = call.read_u32(at).ok()?;
    if current != 0 {
        return Some(current);
    }
    // SizeOfHeapReserve and SizeOfHeapCommit of the image's optional header.
    let (reserve, commit) = call
        .process()
        .and_then(|p| {
            let base = p.image()?.base;
            let m = p.address_space();
            let optional = base
                .checked_add(m.read_u32(base + 0x3C).ok()?)?
                .checked_add(0x18)?;
            Some((
                m.read_u32(optional + 0x48).ok()?,
                m.read_u32(optional + 0x4C).ok()?,
            ))
        })
        .unwrap_or((0x10_0000, 0x1000));
    let reserve = reserve.max(0x1_0000);
    let h = heap_api::create_heap(call, heap::HEAP_GROWABLE, reserve, commit).ok()?;
    call.process_mut()?
        .address_space_mut()
        .kernel_write(at, &h.to_le_bytes())
        .ok()?;
    Some(h)
}

/// Allocates `size` bytes (zeroed when `zeroed`) from the process heap: what the C
/// runtimes' malloc and FormatMessage's buffers build on. It does not wait for a lock a guest
/// thread holds on the process heap.
pub fn process_heap_alloc(call: &mut ApiCall<'_>, size: u32, zeroed: bool) -> Option<u32> {
    let heap = process_heap(call)?;
    let flags = HEAP_NO_SERIALIZE | if zeroed { heap::HEAP_ZERO_MEMORY } else { 0 };
    heap::with_heap_call(call, |c| c.allocate(heap, flags, size)).ok()
}

/// Frees a process-heap block; false when `at` is not one.
pub fn process_heap_free(call: &mut ApiCall<'_>, at: u32) -> bool {
    let Some(heap) = process_heap(call) else {
        return false;
    };
    heap::with_heap_call(call, |c| c.free(heap, HEAP_NO_SERIALIZE, at)).is_ok()
}

/// The requested size of a process-heap block.
pub fn process_heap_size(call: &mut ApiCall<'_>, at: u32) -> Option<u32> {
    let heap = process_heap(call)?;
    heap::with_heap_call(call, |c| c.size(heap, HEAP_NO_SERIALIZE, at)).ok()
}

/// GetProcessHeap(): PEB.ProcessHeap.
#[export]
fn GetProcessHeap(call: &mut ApiCall<'_>) -> ApiReturn {
    match process_heap(call) {
        Some(h) => ApiReturn::Value(h),
        None => call.fail(NtStatus::NO_MEMORY),
    }
}

/// GetProcessHeaps(NumberOfHeaps, ProcessHeaps): how many heaps the process has; the array is
/// filled when it holds them all.
#[export]
fn GetProcessHeaps(call: &mut ApiCall<'_>, NumberOfHeaps: u32, ProcessHeaps: Ptr) -> ApiReturn {
    heap_api::get_process_heaps(call, NumberOfHeaps, ProcessHeaps)
}

/// HeapCreate(flOptions, dwInitialSize, dwMaximumSize): a private heap; growable when
/// dwMaximumSize is 0, else of that size (at least a page, and at least dwInitialSize).
#[export]
fn HeapCreate(
    call: &mut ApiCall<'_>,
    flOptions: u32,
    dwInitialSize: u32,
    dwMaximumSize: u32,
) -> ApiReturn {
    let flags = (flOptions & (HEAP_GENERATE_EXCEPTIONS | HEAP_NO_SERIALIZE)) | HEAP_CLASS_1;
    let page = call
        .process()
        .map_or(0x1000, |p| p.architecture().page_size().bytes());
    let mut maximum = dwMaximumSize;
    if maximum != 0 {
        maximum = maximum.max(page).max(dwInitialSize);
    }
    match heap_api::create_heap(call, flags, maximum, dwInitialSize) {
        Ok(h) => {
            set_lfh_requested(call, h, false);
            ApiReturn::Value(h)
        }
        Err(f) => call.fail(f.status()),
    }
}

/// HeapDestroy(hHeap): not the process heap; ERROR_INVALID_HANDLE for what is no heap of the
/// process.
#[export]
fn HeapDestroy(call: &mut ApiCall<'_>, hHeap: Handle) -> ApiReturn {
    match heap_api::destroy_heap(call, hHeap.0) {
        Ok(()) => {
            set_lfh_requested(call, hHeap.0, false);
            ApiReturn::Value(1)
        }
        Err(_) => call.fail(NtStatus::INVALID_HANDLE),
    }
}

/// HeapValidate(hHeap, dwFlags, lpMem).
#[export]
fn HeapValidate(call: &mut ApiCall<'_>, hHeap: Handle, dwFlags: u32, lpMem: Ptr) -> ApiReturn {
    heap_api::RtlValidateHeap(call, hHeap, dwFlags, lpMem)
}

/// HeapCompact(hHeap, dwFlags): the largest committed free block, in bytes.
#[export]
fn HeapCompact(call: &mut ApiCall<'_>, hHeap: Handle, dwFlags: u32) -> ApiReturn {
    heap_api::RtlCompactHeap(call, hHeap, dwFlags)
}

/// HeapLock(hHeap): waits while another thread holds the heap's lock.
#[export]
fn HeapLock(call: &mut ApiCall<'_>, hHeap: Handle) -> ApiReturn {
    heap_api::lock_heap(call, hHeap.0)
}

/// HeapUnlock(hHeap).
#[export]
fn HeapUnlock(call: &mut ApiCall<'_>, hHeap: Handle) -> ApiReturn {
    heap_api::RtlUnlockHeap(call, hHeap)
}

/// HeapWalk(hHeap, lpEntry): the entry after *lpEntry (the first when its lpData is NULL):
/// a region (a segment's start, with its committed and uncommitted sizes), a busy or free
/// block, a segment's uncommitted range, or a large block; FALSE with ERROR_NO_MORE_ITEMS
/// after the last.
#[export]
fn HeapWalk(call: &mut ApiCall<'_>, hHeap: Handle, lpEntry: Ptr) -> ApiReturn {
    let Ok(raw) = call.read_bytes(lpEntry.0, 12) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let data = u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]);
    let flags = u16::from_le_bytes([raw[10], raw[11]]);
    let kind = if flags & entry_flags::REGION != 0 {
        WalkKind::Region
    } else if flags & entry_flags::UNCOMMITTED_RANGE != 0 {
        WalkKind::Uncommitted
    } else if flags & entry_flags::BUSY != 0 {
        WalkKind::Busy
    } else {
        WalkKind::Free
    };
    let previous = heap_api::walk_position(data, raw[9], kind);
    let next = call
        .process()
        .map(|p| heap::walk(p.address_space(), hHeap.0, previous));
    match next {
        Some(Ok(Some(e))) => {
            let mut flags = match e.kind {
                WalkKind::Region => entry_flags::REGION,
                WalkKind::Uncommitted => entry_flags::UNCOMMITTED_RANGE,
                WalkKind::Busy => entry_flags::BUSY,
                WalkKind::Free => 0,
            };
            let mut entry = e;
            if e.kind == WalkKind::Busy {
                if e.user_flags & BASE_HEAP_FLAG_MOVEABLE != 0 {
                    // Block.hMem: the handle GlobalAlloc or LocalAlloc gave out.
                    flags |= entry_flags::MOVEABLE;
                } else {
                    entry.user_value = 0;
                }
                if e.user_flags & BASE_HEAP_FLAG_DDESHARE != 0 {
                    flags |= entry_flags::DDESHARE;
                }
            }
            let bytes = heap_api::walk_entry_bytes(&entry, flags);
            match call.write_bytes(lpEntry.0, &bytes) {
                Ok(()) => ApiReturn::Value(1),
                Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
            }
        }
        Some(Ok(None)) => call.fail_win32(Win32Error(259), 0),
        Some(Err(f)) => call.fail(f.status()),
        None => call.fail(NtStatus::INVALID_HANDLE),
    }
}

/// HeapCompatibilityInformation.
const HEAP_COMPATIBILITY_INFORMATION: u32 = 0;

/// HeapQueryInformation(HeapHandle, HeapInformationClass, HeapInformation,
/// HeapInformationLength, ReturnLength) (Windows XP): the compatibility information, 0 (a
/// standard heap) or 2 once the program asked for the low-fragmentation heap.
#[export]
fn HeapQueryInformation(
    call: &mut ApiCall<'_>,
    HeapHandle: Handle,
    HeapInformationClass: u32,
    HeapInformation: Ptr,
    HeapInformationLength: u32,
    ReturnLength: Ptr,
) -> ApiReturn {
    if HeapInformationClass != HEAP_COMPATIBILITY_INFORMATION {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    // The heap's header is read first: a bad handle is an access violation.
    let valid = call
        .process()
        .map(|p| p.address_space().read_u32(HeapHandle.0.wrapping_add(8)));
    match valid {
        Some(Ok(heap::HEAP_SIGNATURE)) => {}
        Some(Ok(_)) => return call.fail(NtStatus::INVALID_PARAMETER),
        _ => return call.fail(NtStatus::ACCESS_VIOLATION),
    }
    if !ReturnLength.is_null() && call.write_u32(ReturnLength.0, 4).is_err() {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    if HeapInformationLength < 4 {
        return call.fail(NtStatus::BUFFER_TOO_SMALL);
    }
    let info = if lfh_requested(call, HeapHandle.0) {
        2
    } else {
        0
    };
    match call.write_u32(HeapInformation.0, info) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// HeapSetInformation(HeapHandle, HeapInformationClass, HeapInformation,
/// HeapInformationLength) (Windows XP): compatibility 2 asks for the low-fragmentation heap,
/// for good: 0 (a standard heap) succeeds only before it, and the look-aside lists (1)
/// never (ERROR_GEN_FAILURE, as Windows answers when it cannot change the heap).
#[export]
fn HeapSetInformation(
    call: &mut ApiCall<'_>,
    HeapHandle: Handle,
    HeapInformationClass: u32,
    HeapInformation: Ptr,
    HeapInformationLength: u32,
) -> ApiReturn {
    if HeapInformationClass != HEAP_COMPATIBILITY_INFORMATION {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    if HeapInformationLength < 4 {
        return call.fail(NtStatus::BUFFER_TOO_SMALL);
    }
    let Ok(value) = call.read_u32(HeapInformation.0) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let is_heap = call
        .process()
        .and_then(|p| heap::heap_flags(p.address_space(), HeapHandle.0))
        .is_some();
    if !is_heap {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    match value {
        0 if !lfh_requested(call, HeapHandle.0) => ApiReturn::Value(1),
        0 | 1 => call.fail(NtStatus::UNSUCCESSFUL),
        2 => {
            set_lfh_requested(call, HeapHandle.0, true);
            ApiReturn::Value(1)
        }
        _ => call.fail(NtStatus::INVALID_PARAMETER),
    }
}
