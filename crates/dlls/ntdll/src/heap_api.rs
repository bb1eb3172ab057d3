//! NTDLL's heap exports (RtlCreateHeap, RtlAllocateHeap, ...) over [`crate::heap`], with NT's
//! results: a failure sets the thread's last status and error (NT's heap does, through
//! SET_LAST_STATUS), HEAP_GENERATE_EXCEPTIONS turns an allocation failure into a
//! STATUS_NO_MEMORY exception, and a call on a heap another thread has locked waits for it.

use nt_memory::{AddressSpace, GuestMemory};
use nt_object::Handle;
use nt_status::NtStatus;
use win32::{ApiCall, ApiReturn, InlineCall, Ptr, export};

use crate::heap::{
    self, HEAP_GENERATE_EXCEPTIONS, HeapFailure, MAXIMUM_SEGMENTS, WalkEntry, WalkKind,
    with_heap_call,
};

/// STATUS_NO_MORE_ENTRIES: the end of a heap walk.
const STATUS_NO_MORE_ENTRIES: u32 = 0x8000_001A;

/// RTL_HEAP_WALK_ENTRY.Flags.
pub mod rtl_walk_flags {
    /// RTL_HEAP_BUSY.
    pub const BUSY: u16 = 0x0001;
    /// RTL_HEAP_SEGMENT.
    pub const SEGMENT: u16 = 0x0002;
    /// RTL_HEAP_SETTABLE_VALUE: the block keeps a user value.
    pub const SETTABLE_VALUE: u16 = 0x0010;
    /// RTL_HEAP_SETTABLE_FLAGS (the user flags >> 4).
    pub const SETTABLE_FLAGS: u16 = 0x00E0;
    /// RTL_HEAP_UNCOMMITTED_RANGE.
    pub const UNCOMMITTED_RANGE: u16 = 0x0100;
}

/// What a heap call does when it failed: wait for the heap's lock, raise, or set the last
/// error and return `value`.
pub fn failure(
    call: &mut ApiCall<'_>,
    heap: u32,
    failed: HeapFailure,
    value: u32,
    raise: Option<(u32, u32)>,
) -> ApiReturn {
    if failed == HeapFailure::Locked {
        return match heap::wake_event(call, heap) {
            Some(event) => ApiReturn::Retry {
                objects: vec![event],
                timeout: None,
            },
            None => call.fail_with(NtStatus::INVALID_HANDLE, value),
        };
    }
    if let Some((size, arguments)) = raise
        && failed == HeapFailure::NoMemory
    {
        return crate::seh::raise_from_call(call, NtStatus::NO_MEMORY, &[size], arguments, value);
    }
    set_last_status(call, failed.status());
    ApiReturn::Value(value)
}

/// TEB LastStatusValue (+0xBF4) and LastErrorValue, as SET_LAST_STATUS sets them.
pub fn set_last_status(call: &mut ApiCall<'_>, status: NtStatus) {
    let teb = call.teb();
    let _ = call.write_u32(teb + 0xBF4, status.0);
    call.set_last_error(status.to_win32_error().0);
}

/// Whether a failure of a call with `flags` on `heap` raises.
/// The size NT's heap computes for a request (at least a byte, plus the block header, in
/// whole granules: HEAP.AlignRound and AlignMask), which the STATUS_NO_MEMORY exception
/// of HEAP_GENERATE_EXCEPTIONS carries as its parameter.
fn allocation_size(size: u32) -> u32 {
    size.max(1)
        .saturating_add(heap::GRANULE - 1 + heap::ENTRY_SIZE)
        & !(heap::GRANULE - 1)
}

fn raises(call: &ApiCall<'_>, heap: u32, flags: u32) -> bool {
    let forced = call
        .process()
        .and_then(|p| heap::heap_flags(p.address_space(), heap))
        .unwrap_or(0);
    (flags | forced) & HEAP_GENERATE_EXCEPTIONS != 0
}

/// RtlCreateHeap(Flags, HeapBase, ReserveSize, CommitSize, Lock, Parameters): a heap at an
/// address of ntemu's choosing (a caller-supplied base is not supported: NULL).
#[export]
pub fn RtlCreateHeap(
    call: &mut ApiCall<'_>,
    Flags: u32,
    HeapBase: Ptr,
    ReserveSize: u32,
    CommitSize: u32,
    Lock: Ptr,
    Parameters: Ptr,
) -> ApiReturn {
    let _ = (Lock, Parameters);
    if !HeapBase.is_null() {
        set_last_status(call, NtStatus::INVALID_PARAMETER);
        return ApiReturn::Value(0);
    }
    match create_heap(call, Flags, ReserveSize, CommitSize) {
        Ok(h) => ApiReturn::Value(h),
        Err(f) => failure(call, 0, f, 0, None),
    }
}

/// Creates a heap in the calling process and adds it to the PEB's list.
pub fn create_heap(
    call: &mut ApiCall<'_>,
    flags: u32,
    reserve: u32,
    commit: u32,
) -> Result<u32, HeapFailure> {
    let space = call
        .process_mut()
        .map(|p| p.address_space_mut())
        .ok_or(HeapFailure::InvalidParameter)?;
    let h = heap::create(space, flags, reserve, commit)?;
    if let Err(e) = heap::add_to_process_list(call, h) {
        if let Some(p) = call.process_mut() {
            let _ = heap::destroy(p.address_space_mut(), h);
        }
        return Err(e);
    }
    Ok(h)
}

/// Destroys a heap of the calling process (not its process heap).
pub fn destroy_heap(call: &mut ApiCall<'_>, handle: u32) -> Result<(), HeapFailure> {
    // The process heap (PEB.ProcessHeap) is never destroyed.
    let process_heap = call.process().and_then(|p| {
        p.address_space()
            .read_u32(p.peb() + nt_kernel::teb::peb_offsets::PROCESS_HEAP)
            .ok()
    });
    if process_heap == Some(handle) {
        return Err(HeapFailure::InvalidParameter);
    }
    if !heap::process_heaps(call).contains(&handle) {
        return Err(HeapFailure::InvalidParameter);
    }
    heap::remove_from_process_list(call, handle)?;
    let space = call
        .process_mut()
        .map(|p| p.address_space_mut())
        .ok_or(HeapFailure::InvalidParameter)?;
    heap::destroy(space, handle)
}

/// RtlDestroyHeap(HeapHandle): NULL on success, the handle back on failure.
#[export]
pub fn RtlDestroyHeap(call: &mut ApiCall<'_>, HeapHandle: Handle) -> ApiReturn {
    match destroy_heap(call, HeapHandle.0) {
        Ok(()) => ApiReturn::Value(0),
        Err(f) => failure(call, HeapHandle.0, f, HeapHandle.0, None),
    }
}

/// RtlAllocateHeap(HeapHandle, Flags, Size).
#[export]
pub fn RtlAllocateHeap(
    call: &mut ApiCall<'_>,
    HeapHandle: Handle,
    Flags: u32,
    Size: u32,
) -> ApiReturn {
    let heap = HeapHandle.0;
    match with_heap_call(call, |c| c.allocate(heap, Flags, Size)) {
        Ok(p) => ApiReturn::Value(p),
        Err(f) => {
            let raise = raises(call, heap, Flags).then_some((allocation_size(Size), 3));
            failure(call, heap, f, 0, raise)
        }
    }
}

/// A heap call made inside the CPU ([`win32::inline`]) on a heap that needs no wait; None
/// (nothing done) when the heap may be locked by another thread, its header is bad, or,
/// with `raising`, a failure of the call would raise.
fn inline_heap_call<T>(
    call: &mut InlineCall<'_>,
    raising: bool,
    f: impl FnOnce(&heap::FreeHeap, &mut AddressSpace) -> Result<T, HeapFailure>,
) -> Option<Result<T, HeapFailure>> {
    let heap = heap::free_for(call.memory, call.arg(0), call.thread)?;
    if raising && (heap.flags() | call.arg(1)) & HEAP_GENERATE_EXCEPTIONS != 0 {
        return None;
    }
    Some(f(&heap, call.memory))
}

/// [`set_last_status`] of an inline call.
fn inline_last_status(call: &mut InlineCall<'_>, status: NtStatus) {
    let _ = call.memory.write_u32(call.teb + 0xBF4, status.0);
    call.set_last_error(status.to_win32_error().0);
}

/// RtlAllocateHeap (and KERNEL32's HeapAlloc) inside the CPU.
pub fn inline_allocate(call: &mut InlineCall<'_>) -> Option<u32> {
    let (flags, size) = (call.arg(1), call.arg(2));
    match inline_heap_call(call, true, |h, m| h.allocate(m, flags, size))? {
        Ok(p) => Some(p),
        Err(f) => {
            inline_last_status(call, f.status());
            Some(0)
        }
    }
}

/// RtlFreeHeap (and KERNEL32's HeapFree) inside the CPU.
pub fn inline_free(call: &mut InlineCall<'_>) -> Option<u32> {
    let (flags, at) = (call.arg(1), call.arg(2));
    match inline_heap_call(call, false, |h, m| h.free(m, flags, at))? {
        Ok(()) => Some(1),
        Err(f) => {
            inline_last_status(call, f.status());
            Some(0)
        }
    }
}

/// RtlFreeHeap(HeapHandle, Flags, BaseAddress).
#[export]
pub fn RtlFreeHeap(
    call: &mut ApiCall<'_>,
    HeapHandle: Handle,
    Flags: u32,
    BaseAddress: Ptr,
) -> ApiReturn {
    let heap = HeapHandle.0;
    match with_heap_call(call, |c| c.free(heap, Flags, BaseAddress.0)) {
        Ok(()) => ApiReturn::Value(1),
        Err(f) => failure(call, heap, f, 0, None),
    }
}

/// RtlReAllocateHeap(HeapHandle, Flags, BaseAddress, Size).
#[export]
pub fn RtlReAllocateHeap(
    call: &mut ApiCall<'_>,
    HeapHandle: Handle,
    Flags: u32,
    BaseAddress: Ptr,
    Size: u32,
) -> ApiReturn {
    let heap = HeapHandle.0;
    if BaseAddress.is_null() {
        // Nothing to reallocate: NULL, and no error, as Windows reports it.
        call.set_last_error(0);
        return ApiReturn::Value(0);
    }
    match with_heap_call(call, |c| c.reallocate(heap, Flags, BaseAddress.0, Size)) {
        Ok(p) => ApiReturn::Value(p),
        Err(f) => {
            let raise = raises(call, heap, Flags).then_some((allocation_size(Size), 4));
            failure(call, heap, f, 0, raise)
        }
    }
}

/// RtlSizeHeap(HeapHandle, Flags, BaseAddress): -1 for what is no busy block.
#[export]
pub fn RtlSizeHeap(
    call: &mut ApiCall<'_>,
    HeapHandle: Handle,
    Flags: u32,
    BaseAddress: Ptr,
) -> ApiReturn {
    let heap = HeapHandle.0;
    match with_heap_call(call, |c| c.size(heap, Flags, BaseAddress.0)) {
        Ok(n) => ApiReturn::Value(n),
        Err(f) => failure(call, heap, f, u32::MAX, None),
    }
}

/// RtlValidateHeap(HeapHandle, Flags, BaseAddress): TRUE when the block (or with NULL the
/// whole heap) is sound.
#[export]
pub fn RtlValidateHeap(
    call: &mut ApiCall<'_>,
    HeapHandle: Handle,
    Flags: u32,
    BaseAddress: Ptr,
) -> ApiReturn {
    let heap = HeapHandle.0;
    match with_heap_call(call, |c| c.validate(heap, Flags, BaseAddress.0)) {
        Ok(ok) => ApiReturn::Value(u32::from(ok)),
        Err(HeapFailure::Locked) => failure(call, heap, HeapFailure::Locked, 0, None),
        Err(HeapFailure::AccessViolation) => {
            failure(call, heap, HeapFailure::AccessViolation, 0, None)
        }
        Err(_) => ApiReturn::Value(0),
    }
}

/// RtlLockHeap(HeapHandle).
#[export]
pub fn RtlLockHeap(call: &mut ApiCall<'_>, HeapHandle: Handle) -> ApiReturn {
    lock_heap(call, HeapHandle.0)
}

/// HeapLock / RtlLockHeap: TRUE once the caller holds the lock.
pub fn lock_heap(call: &mut ApiCall<'_>, heap: u32) -> ApiReturn {
    match heap::lock(call, heap) {
        Ok(true) => ApiReturn::Value(1),
        Ok(false) => failure(call, heap, HeapFailure::Locked, 0, None),
        Err(f) => failure(call, heap, f, 0, None),
    }
}

/// RtlUnlockHeap(HeapHandle).
#[export]
pub fn RtlUnlockHeap(call: &mut ApiCall<'_>, HeapHandle: Handle) -> ApiReturn {
    match heap::unlock(call, HeapHandle.0) {
        Ok(()) => ApiReturn::Value(1),
        Err(f) => failure(call, HeapHandle.0, f, 0, None),
    }
}

/// RtlCompactHeap(HeapHandle, Flags): the largest free block in bytes.
#[export]
pub fn RtlCompactHeap(call: &mut ApiCall<'_>, HeapHandle: Handle, Flags: u32) -> ApiReturn {
    let _ = Flags;
    let result = call
        .process()
        .map(|p| heap::largest_free(p.address_space(), HeapHandle.0));
    match result {
        Some(Ok(n)) => ApiReturn::Value(n),
        Some(Err(f)) => failure(call, HeapHandle.0, f, 0, None),
        None => ApiReturn::Value(0),
    }
}

/// RtlGetProcessHeaps(NumberOfHeaps, ProcessHeaps): the number of heaps; the array is filled
/// when it holds them all.
#[export]
pub fn RtlGetProcessHeaps(
    call: &mut ApiCall<'_>,
    NumberOfHeaps: u32,
    ProcessHeaps: Ptr,
) -> ApiReturn {
    get_process_heaps(call, NumberOfHeaps, ProcessHeaps)
}

/// GetProcessHeaps / RtlGetProcessHeaps.
pub fn get_process_heaps(call: &mut ApiCall<'_>, capacity: u32, array: Ptr) -> ApiReturn {
    let heaps = heap::process_heaps(call);
    if heaps.len() as u32 <= capacity {
        let bytes: Vec<u8> = heaps.iter().flat_map(|h| h.to_le_bytes()).collect();
        if call.write_bytes(array.0, &bytes).is_err() {
            return call.fail(NtStatus::ACCESS_VIOLATION);
        }
    }
    ApiReturn::Value(heaps.len() as u32)
}

/// RtlGetUserInfoHeap(HeapHandle, Flags, BaseAddress, UserValue, UserFlags): the block's user
/// value (left alone when it keeps none) and user flags.
#[export]
pub fn RtlGetUserInfoHeap(
    call: &mut ApiCall<'_>,
    HeapHandle: Handle,
    Flags: u32,
    BaseAddress: Ptr,
    UserValue: Ptr,
    UserFlags: Ptr,
) -> ApiReturn {
    let _ = Flags;
    let info = call
        .process()
        .map(|p| heap::get_user_info(p.address_space(), HeapHandle.0, BaseAddress.0));
    let (value, flags) = match info {
        Some(Ok(i)) => i,
        Some(Err(_)) | None => {
            return failure(call, HeapHandle.0, HeapFailure::InvalidParameter, 0, None);
        }
    };
    if let Some(v) = value
        && !UserValue.is_null()
        && call.write_u32(UserValue.0, v).is_err()
    {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    if !UserFlags.is_null() && call.write_u32(UserFlags.0, flags).is_err() {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    ApiReturn::Value(1)
}

/// RtlSetUserValueHeap(HeapHandle, Flags, BaseAddress, UserValue): FALSE for a block without
/// a user value.
#[export]
pub fn RtlSetUserValueHeap(
    call: &mut ApiCall<'_>,
    HeapHandle: Handle,
    Flags: u32,
    BaseAddress: Ptr,
    UserValue: u32,
) -> ApiReturn {
    let _ = Flags;
    let done = call.process_mut().map(|p| {
        heap::set_user_value_of(
            p.address_space_mut(),
            HeapHandle.0,
            BaseAddress.0,
            UserValue,
        )
    });
    match done {
        Some(Ok(ok)) => ApiReturn::Value(u32::from(ok)),
        _ => failure(call, HeapHandle.0, HeapFailure::InvalidParameter, 0, None),
    }
}

/// RtlSetUserFlagsHeap(HeapHandle, Flags, BaseAddress, UserFlagsReset, UserFlagsSet).
#[export]
pub fn RtlSetUserFlagsHeap(
    call: &mut ApiCall<'_>,
    HeapHandle: Handle,
    Flags: u32,
    BaseAddress: Ptr,
    UserFlagsReset: u32,
    UserFlagsSet: u32,
) -> ApiReturn {
    let _ = Flags;
    let done = call.process_mut().map(|p| {
        heap::set_user_flags(
            p.address_space_mut(),
            HeapHandle.0,
            BaseAddress.0,
            UserFlagsReset,
            UserFlagsSet,
        )
    });
    match done {
        Some(Ok(())) => ApiReturn::Value(1),
        _ => failure(call, HeapHandle.0, HeapFailure::InvalidParameter, 0, None),
    }
}

/// Reads the walk position a guest entry (RTL_HEAP_WALK_ENTRY or PROCESS_HEAP_ENTRY) names:
/// None for a first call (lpData NULL).
pub fn walk_position(data: u32, region: u8, kind: WalkKind) -> Option<WalkEntry> {
    (data != 0).then_some(WalkEntry {
        data,
        region,
        kind,
        ..WalkEntry::default()
    })
}

/// The 28 bytes of an RTL_HEAP_WALK_ENTRY (PROCESS_HEAP_ENTRY has the same layout with
/// other flag values: `flags` says which).
pub fn walk_entry_bytes(e: &WalkEntry, flags: u16) -> [u8; 28] {
    let mut b = [0u8; 28];
    b[0..4].copy_from_slice(&e.data.to_le_bytes());
    b[4..8].copy_from_slice(&e.size.to_le_bytes());
    b[8] = e.overhead;
    b[9] = e.region;
    b[10..12].copy_from_slice(&flags.to_le_bytes());
    let words: [u32; 4] = match e.kind {
        WalkKind::Region => [e.committed, e.uncommitted, e.first_block, e.last_block],
        WalkKind::Busy => [e.user_value, 0, 0, 0],
        WalkKind::Free | WalkKind::Uncommitted => [0; 4],
    };
    for (i, w) in words.iter().enumerate() {
        b[12 + 4 * i..16 + 4 * i].copy_from_slice(&w.to_le_bytes());
    }
    b
}

/// The RTL_HEAP_* flags of a walk entry.
pub fn rtl_flags(e: &WalkEntry) -> u16 {
    match e.kind {
        WalkKind::Region => rtl_walk_flags::SEGMENT,
        WalkKind::Uncommitted => rtl_walk_flags::UNCOMMITTED_RANGE,
        WalkKind::Free => 0,
        WalkKind::Busy => {
            let value = if e.region as u32 >= MAXIMUM_SEGMENTS || e.user_value != 0 {
                rtl_walk_flags::SETTABLE_VALUE
            } else {
                0
            };
            rtl_walk_flags::BUSY
                | value
                | ((e.user_flags >> 4) as u16 & rtl_walk_flags::SETTABLE_FLAGS)
        }
    }
}

/// RtlWalkHeap(HeapHandle, Entry): STATUS_SUCCESS with the next entry, STATUS_NO_MORE_ENTRIES
/// after the last.
#[export]
pub fn RtlWalkHeap(call: &mut ApiCall<'_>, HeapHandle: Handle, Entry: Ptr) -> ApiReturn {
    let Ok(raw) = call.read_bytes(Entry.0, 12) else {
        return ApiReturn::Value(NtStatus::ACCESS_VIOLATION.0);
    };
    let data = u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]);
    let flags = u16::from_le_bytes([raw[10], raw[11]]);
    let kind = if flags & rtl_walk_flags::SEGMENT != 0 {
        WalkKind::Region
    } else if flags & rtl_walk_flags::UNCOMMITTED_RANGE != 0 {
        WalkKind::Uncommitted
    } else if flags & rtl_walk_flags::BUSY != 0 {
        WalkKind::Busy
    } else {
        WalkKind::Free
    };
    let previous = walk_position(data, raw[9], kind);
    let next = call
        .process()
        .map(|p| heap::walk(p.address_space(), HeapHandle.0, previous));
    match next {
        Some(Ok(Some(e))) => {
            let bytes = walk_entry_bytes(&e, rtl_flags(&e));
            match call.write_bytes(Entry.0, &bytes) {
                Ok(()) => ApiReturn::Value(0),
                Err(_) => ApiReturn::Value(NtStatus::ACCESS_VIOLATION.0),
            }
        }
        Some(Ok(None)) => ApiReturn::Value(STATUS_NO_MORE_ENTRIES),
        Some(Err(f)) => ApiReturn::Value(f.status().0),
        None => ApiReturn::Value(NtStatus::INVALID_PARAMETER.0),
    }
}

/// RtlGetNtGlobalFlags(): the PEB's NtGlobalFlag (+0x68).
#[export]
pub fn RtlGetNtGlobalFlags(call: &mut ApiCall<'_>) -> ApiReturn {
    let peb = call.process().map_or(0, |p| p.peb());
    ApiReturn::Value(call.read_u32(peb + 0x68).unwrap_or(0))
}

/// The busy block's size for callers outside the heap (kernel32's Global functions).
pub fn block_size(call: &ApiCall<'_>, heap: u32, at: u32) -> Option<u32> {
    let p = call.process()?;
    heap::busy_size(p.address_space(), heap, at)
}

/// Reads a u32 of the caller's memory, 0 when it cannot.
pub fn peek(call: &ApiCall<'_>, at: u32) -> u32 {
    call.process()
        .and_then(|p| p.address_space().read_u32(at).ok())
        .unwrap_or(0)
}
