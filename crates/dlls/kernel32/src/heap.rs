//! Heaps: HeapCreate / HeapAlloc / HeapReAlloc / HeapFree / HeapSize / HeapDestroy and
//! GetProcessHeap. A heap is guest memory reserved in segments and committed as it grows;
//! its bookkeeping (allocated blocks and free ranges, first fit with coalescing) is kept on
//! the host, so a guest that overruns a block cannot corrupt the allocator. A heap's handle
//! is its first segment's base address, as on NT.

use std::collections::BTreeMap;

use nt_memory::{AllocationType, FreeType, PageProtection};
use nt_status::NtStatus;

use crate::K32;
use nt_object::Handle;
use win32::{ApiCall, ApiReturn, Ptr, export};

/// HEAP_NO_SERIALIZE.
const HEAP_NO_SERIALIZE: u32 = 0x1;
/// HEAP_GENERATE_EXCEPTIONS.
const HEAP_GENERATE_EXCEPTIONS: u32 = 0x4;
/// HEAP_ZERO_MEMORY.
const HEAP_ZERO_MEMORY: u32 = 0x8;
/// HEAP_REALLOC_IN_PLACE_ONLY.
const HEAP_REALLOC_IN_PLACE_ONLY: u32 = 0x10;
/// Blocks are 8-byte aligned, as NT's heap gives them.
const GRANULE: u32 = 8;
/// The reservation of a growable heap's segments.
const SEGMENT_RESERVE: u32 = 0x10_0000;
/// The largest single allocation (NT's limit for a growable heap is near 2 GiB; ntemu's is
/// smaller and fails cleanly).
const MAX_BLOCK: u32 = 0x4000_0000;

struct Segment {
    base: u32,
    reserved: u32,
    /// Bytes from `base` handed out or freed at least once (the bump frontier).
    used: u32,
    /// Bytes from `base` committed.
    committed: u32,
}

/// One heap of a process.
pub(crate) struct Heap {
    handle: u32,
    growable: bool,
    segments: Vec<Segment>,
    /// Allocated blocks: address -> (requested size, capacity).
    blocks: BTreeMap<u32, (u32, u32)>,
    /// Free ranges: address -> length.
    free: BTreeMap<u32, u32>,
}

fn round_up(value: u32, to: u32) -> Option<u32> {
    value.checked_add(to - 1).map(|v| v & !(to - 1))
}

impl Heap {
    fn create(call: &mut ApiCall<'_>, initial: u32, maximum: u32) -> Result<Heap, NtStatus> {
        let growable = maximum == 0;
        let reserve = if growable {
            SEGMENT_RESERVE.max(round_up(initial, 0x1_0000).ok_or(NtStatus::NO_MEMORY)?)
        } else {
            round_up(maximum.max(initial), 0x1_0000).ok_or(NtStatus::NO_MEMORY)?
        };
        let space = call
            .process_mut()
            .ok_or(NtStatus::INVALID_HANDLE)?
            .address_space_mut();
        let (base, reserved) = space
            .allocate(
                0,
                reserve,
                AllocationType::RESERVE,
                PageProtection::READWRITE,
            )
            .map_err(|e| e.status())?;
        Ok(Heap {
            handle: base,
            growable,
            segments: vec![Segment {
                base,
                reserved,
                used: 0,
                committed: 0,
            }],
            blocks: BTreeMap::new(),
            free: BTreeMap::new(),
        })
    }

    fn allocate(&mut self, call: &mut ApiCall<'_>, size: u32) -> Option<u32> {
        if size > MAX_BLOCK {
            return None;
        }
        let capacity = round_up(size.max(1), GRANULE)?;
        // First fit among freed ranges.
        if let Some((&at, &len)) = self.free.iter().find(|(_, len)| **len >= capacity) {
            self.free.remove(&at);
            if len > capacity {
                self.free.insert(at + capacity, len - capacity);
            }
            self.blocks.insert(at, (size, capacity));
            return Some(at);
        }
        // Then the frontier of a segment with room, committing pages as needed.
        let page = call.process()?.address_space().page_size().bytes();
        for index in 0..=self.segments.len() {
            if index == self.segments.len() {
                if !self.growable {
                    return None;
                }
                let reserve = SEGMENT_RESERVE.max(round_up(capacity, 0x1_0000)?);
                let space = call.process_mut()?.address_space_mut();
                let (base, reserved) = space
                    .allocate(
                        0,
                        reserve,
                        AllocationType::RESERVE,
                        PageProtection::READWRITE,
                    )
                    .ok()?;
                self.segments.push(Segment {
                    base,
                    reserved,
                    used: 0,
                    committed: 0,
                });
            }
            let segment = &mut self.segments[index];
            if segment.reserved - segment.used < capacity {
                continue;
            }
            let at = segment.base + segment.used;
            let end = segment.used + capacity;
            if end > segment.committed {
                let commit_to = round_up(end, page)?.min(segment.reserved);
                let space = call.process_mut()?.address_space_mut();
                space
                    .allocate(
                        segment.base + segment.committed,
                        commit_to - segment.committed,
                        AllocationType::COMMIT,
                        PageProtection::READWRITE,
                    )
                    .ok()?;
                segment.committed = commit_to;
            }
            segment.used = end;
            self.blocks.insert(at, (size, capacity));
            return Some(at);
        }
        None
    }

    fn release(&mut self, at: u32) -> bool {
        let Some((_, capacity)) = self.blocks.remove(&at) else {
            return false;
        };
        let (mut start, mut len) = (at, capacity);
        if let Some((&prev, &prev_len)) = self.free.range(..start).next_back()
            && prev + prev_len == start
        {
            self.free.remove(&prev);
            start = prev;
            len += prev_len;
        }
        if let Some(&next_len) = self.free.get(&(start + len)) {
            self.free.remove(&(start + len));
            len += next_len;
        }
        self.free.insert(start, len);
        true
    }
}

fn with_heaps<R>(
    call: &mut ApiCall<'_>,
    f: impl FnOnce(&mut ApiCall<'_>, &mut Vec<Heap>) -> R,
) -> Option<R> {
    // The process's heaps (the first is the process heap) are taken out while `f` runs,
    // since `f` needs the call (and its state) too.
    let pid = call.thread.process;
    let object = call.process_object()?;
    let mut list = std::mem::take(call.state.k32().heaps.get_or_default(pid, &object));
    let result = f(call, &mut list);
    *call.state.k32().heaps.get_or_default(pid, &object) = list;
    Some(result)
}

/// GetProcessHeap(): the process heap, made on first use.
#[export]
fn GetProcessHeap(call: &mut ApiCall<'_>) -> ApiReturn {
    let handle = with_heaps(call, |call, list| {
        if list.is_empty() {
            list.push(Heap::create(call, 0, 0).ok()?);
        }
        list.first().map(|h| h.handle)
    })
    .flatten();
    match handle {
        Some(h) => ApiReturn::Value(h),
        None => call.fail(NtStatus::NO_MEMORY),
    }
}

/// HeapCreate(flOptions, dwInitialSize, dwMaximumSize).
#[export]
fn HeapCreate(
    call: &mut ApiCall<'_>,
    flOptions: u32,
    dwInitialSize: u32,
    dwMaximumSize: u32,
) -> ApiReturn {
    let _ = flOptions;
    let (initial, maximum) = (dwInitialSize, dwMaximumSize);
    let made = with_heaps(call, |call, list| {
        if list.is_empty() {
            // The process heap exists before any other.
            list.push(Heap::create(call, 0, 0)?);
        }
        let heap = Heap::create(call, initial, maximum)?;
        let handle = heap.handle;
        list.push(heap);
        Ok(handle)
    });
    match made {
        Some(Ok(h)) => ApiReturn::Value(h),
        Some(Err(status)) => call.fail(status),
        None => call.fail(NtStatus::NO_MEMORY),
    }
}

/// HeapDestroy(hHeap): not the process heap.
#[export]
fn HeapDestroy(call: &mut ApiCall<'_>, hHeap: Handle) -> ApiReturn {
    let handle = hHeap.0;
    let destroyed = with_heaps(call, |call, list| {
        // The process heap (the first) cannot be destroyed.
        let index = list
            .iter()
            .position(|h| h.handle == handle)
            .filter(|&i| i > 0)?;
        let heap = list.remove(index);
        if let Some(p) = call.process_mut() {
            for s in &heap.segments {
                let _ = p.address_space_mut().free(s.base, 0, FreeType::RELEASE);
            }
        }
        Some(())
    })
    .flatten();
    match destroyed {
        Some(()) => ApiReturn::Value(1),
        None => call.fail(NtStatus::INVALID_HANDLE),
    }
}

fn zero(call: &mut ApiCall<'_>, at: u32, len: u32) -> bool {
    let mut done = 0;
    while done < len {
        let n = (len - done).min(0x1_0000);
        if call.write_bytes(at + done, &vec![0u8; n as usize]).is_err() {
            return false;
        }
        done += n;
    }
    true
}

/// HeapAlloc(hHeap, dwFlags, dwBytes). It does not set the last error (RtlAllocateHeap);
/// with HEAP_GENERATE_EXCEPTIONS NT would raise STATUS_NO_MEMORY, which ntemu reports as a
/// NULL result too.
#[export]
fn HeapAlloc(call: &mut ApiCall<'_>, hHeap: Handle, dwFlags: u32, dwBytes: u32) -> ApiReturn {
    let (handle, flags, size) = (hHeap.0, dwFlags, dwBytes);
    let _ = (HEAP_NO_SERIALIZE, HEAP_GENERATE_EXCEPTIONS);
    let at = with_heaps(call, |call, list| {
        let heap = list.iter_mut().find(|h| h.handle == handle)?;
        heap.allocate(call, size)
    })
    .flatten();
    match at {
        Some(at) if flags & HEAP_ZERO_MEMORY != 0 && !zero(call, at, size) => ApiReturn::Value(0),
        Some(at) => ApiReturn::Value(at),
        None => ApiReturn::Value(0),
    }
}

/// HeapFree(hHeap, dwFlags, lpMem): NULL frees nothing and succeeds.
#[export]
fn HeapFree(call: &mut ApiCall<'_>, hHeap: Handle, dwFlags: u32, lpMem: Ptr) -> ApiReturn {
    let _ = dwFlags;
    let (handle, at) = (hHeap.0, lpMem.0);
    if at == 0 {
        return ApiReturn::Value(1);
    }
    let freed = with_heaps(call, |_, list| {
        list.iter_mut()
            .find(|h| h.handle == handle)
            .is_some_and(|h| h.release(at))
    })
    .unwrap_or(false);
    if freed {
        ApiReturn::Value(1)
    } else {
        call.fail(NtStatus::INVALID_PARAMETER)
    }
}

/// HeapSize(hHeap, dwFlags, lpMem): the block's size, or -1.
#[export]
fn HeapSize(call: &mut ApiCall<'_>, hHeap: Handle, dwFlags: u32, lpMem: Ptr) -> ApiReturn {
    let _ = dwFlags;
    let (handle, at) = (hHeap.0, lpMem.0);
    let size = with_heaps(call, |_, list| {
        list.iter()
            .find(|h| h.handle == handle)
            .and_then(|h| h.blocks.get(&at).map(|b| b.0))
    })
    .flatten();
    ApiReturn::Value(size.unwrap_or(u32::MAX))
}

/// HeapReAlloc(hHeap, dwFlags, lpMem, dwBytes).
#[export]
fn HeapReAlloc(
    call: &mut ApiCall<'_>,
    hHeap: Handle,
    dwFlags: u32,
    lpMem: Ptr,
    dwBytes: u32,
) -> ApiReturn {
    let (handle, flags, at, size) = (hHeap.0, dwFlags, lpMem.0, dwBytes);
    enum Step {
        InPlace { old: u32 },
        Moved { new: u32, old: u32 },
        Failed,
    }
    let step = with_heaps(call, |call, list| {
        let Some(heap) = list.iter_mut().find(|h| h.handle == handle) else {
            return Step::Failed;
        };
        let Some(&(old, capacity)) = heap.blocks.get(&at) else {
            return Step::Failed;
        };
        if size <= capacity {
            heap.blocks.insert(at, (size, capacity));
            return Step::InPlace { old };
        }
        if flags & HEAP_REALLOC_IN_PLACE_ONLY != 0 {
            return Step::Failed;
        }
        match heap.allocate(call, size) {
            Some(new) => Step::Moved { new, old },
            None => Step::Failed,
        }
    })
    .unwrap_or(Step::Failed);
    match step {
        Step::InPlace { old } => {
            if flags & HEAP_ZERO_MEMORY != 0 && size > old && !zero(call, at + old, size - old) {
                return ApiReturn::Value(0);
            }
            ApiReturn::Value(at)
        }
        Step::Moved { new, old } => {
            let copied = call
                .read_bytes(at, old as usize)
                .and_then(|b| call.write_bytes(new, &b));
            if copied.is_err() {
                return ApiReturn::Value(0);
            }
            if flags & HEAP_ZERO_MEMORY != 0 && !zero(call, new + old, size - old) {
                return ApiReturn::Value(0);
            }
            with_heaps(call, |_, list| {
                if let Some(h) = list.iter_mut().find(|h| h.handle == handle) {
                    h.release(at);
                }
            });
            ApiReturn::Value(new)
        }
        Step::Failed => ApiReturn::Value(0),
    }
}

/// Allocates `size` bytes (zeroed when `zeroed`) from the process heap, making it first if
/// need be: what GlobalAlloc, LocalAlloc and the C runtimes' malloc build on.
pub fn process_heap_alloc(call: &mut ApiCall<'_>, size: u32, zeroed: bool) -> Option<u32> {
    let at = with_heaps(call, |call, list| {
        if list.is_empty() {
            list.push(Heap::create(call, 0, 0).ok()?);
        }
        list.first_mut()?.allocate(call, size)
    })
    .flatten()?;
    (!zeroed || zero(call, at, size)).then_some(at)
}

/// Frees a process-heap block; false when `at` is not one.
pub fn process_heap_free(call: &mut ApiCall<'_>, at: u32) -> bool {
    with_heaps(call, |_, list| {
        list.first_mut().is_some_and(|h| h.release(at))
    })
    .unwrap_or(false)
}

/// The requested size of a process-heap block.
pub fn process_heap_size(call: &mut ApiCall<'_>, at: u32) -> Option<u32> {
    with_heaps(call, |_, list| {
        list.first().and_then(|h| h.blocks.get(&at).map(|b| b.0))
    })
    .flatten()
}
