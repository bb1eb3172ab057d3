//! Thread-local storage slots, critical sections and the Interlocked functions.
//!
//! ntemu runs a machine's guest threads one at a time, so a builtin function is atomic by
//! construction; a critical section someone else owns makes the caller wait on an event
//! of the section's (made on first contention) and try again when the owner leaves.

use std::collections::BTreeMap;
use std::sync::Arc;

use nt_kernel::teb;
use nt_object::{EventType, Object};
use nt_status::{NtStatus, Win32Error};

use crate::K32;
use win32::{ApiCall, ApiReturn, Ptr, export};

/// TLS_MINIMUM_AVAILABLE: the TEB's slots.
pub const TLS_SLOTS: u32 = 64;
/// TlsAlloc's failure value (TLS_OUT_OF_INDEXES).
const TLS_OUT_OF_INDEXES: u32 = 0xFFFF_FFFF;

/// What a process keeps for its synchronization functions.
#[derive(Default)]
pub(crate) struct ProcessSync {
    /// Bit n set: TLS slot n is allocated.
    tls_in_use: u64,
    /// Events of contended critical sections, by the section's address.
    section_events: BTreeMap<u32, Arc<Object>>,
}

fn with_sync<T>(call: &mut ApiCall<'_>, f: impl FnOnce(&mut ProcessSync) -> T) -> Option<T> {
    let pid = call.thread.process;
    let object = call.process_object()?;
    Some(f(call.state.k32().sync.get_or_default(pid, &object)))
}

/// TlsAlloc(): the lowest free slot, zeroed in every thread of the process.
#[export]
fn TlsAlloc(call: &mut ApiCall<'_>) -> ApiReturn {
    let slot = with_sync(call, |s| {
        let free = (!s.tls_in_use).trailing_zeros();
        (free < TLS_SLOTS).then(|| {
            s.tls_in_use |= 1 << free;
            free
        })
    })
    .flatten();
    match slot {
        Some(slot) => {
            set_slot_in_every_thread(call, slot, 0);
            ApiReturn::Value(slot)
        }
        None => call.fail_win32(Win32Error(259), TLS_OUT_OF_INDEXES),
    }
}

fn set_slot_in_every_thread(call: &mut ApiCall<'_>, slot: u32, value: u32) {
    if let Some(p) = call.process_mut() {
        let tebs: Vec<u32> = p.threads().iter().map(|t| t.teb()).collect();
        for t in tebs {
            let at = t + teb::offsets::TLS_SLOTS + 4 * slot;
            let _ = p.address_space_mut().kernel_write(at, &value.to_le_bytes());
        }
    }
}

/// TlsFree(dwTlsIndex): the slot is free again and zero in every thread.
#[export]
fn TlsFree(call: &mut ApiCall<'_>, dwTlsIndex: u32) -> ApiReturn {
    let slot = dwTlsIndex;
    let freed = slot < TLS_SLOTS
        && with_sync(call, |s| {
            let was = s.tls_in_use & (1 << slot) != 0;
            s.tls_in_use &= !(1 << slot);
            was
        })
        .unwrap_or(false);
    if !freed {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    set_slot_in_every_thread(call, slot, 0);
    ApiReturn::Value(1)
}

/// TlsGetValue(dwTlsIndex): the calling thread's value; the last error is NO_ERROR on
/// success, so a stored 0 can be told from a failure.
#[export]
fn TlsGetValue(call: &mut ApiCall<'_>, dwTlsIndex: u32) -> ApiReturn {
    let slot = dwTlsIndex;
    if slot >= TLS_SLOTS {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    let at = call.teb() + teb::offsets::TLS_SLOTS + 4 * slot;
    let mut bytes = [0u8; 4];
    let read = call
        .process()
        .is_some_and(|p| p.address_space().kernel_read(at, &mut bytes).is_ok());
    if !read {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    call.set_last_error(0);
    ApiReturn::Value(u32::from_le_bytes(bytes))
}

/// TlsSetValue(dwTlsIndex, lpTlsValue).
#[export]
fn TlsSetValue(call: &mut ApiCall<'_>, dwTlsIndex: u32, lpTlsValue: Ptr) -> ApiReturn {
    let (slot, value) = (dwTlsIndex, lpTlsValue.0);
    if slot >= TLS_SLOTS {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    let at = call.teb() + teb::offsets::TLS_SLOTS + 4 * slot;
    let written = call.process_mut().is_some_and(|p| {
        p.address_space_mut()
            .kernel_write(at, &value.to_le_bytes())
            .is_ok()
    });
    if written {
        ApiReturn::Value(1)
    } else {
        call.fail(NtStatus::INVALID_PARAMETER)
    }
}

/// RTL_CRITICAL_SECTION fields (all 32-bit on x86 and on 32-bit Alpha NT).
mod section {
    pub const DEBUG_INFO: u32 = 0;
    pub const LOCK_COUNT: u32 = 4;
    pub const RECURSION_COUNT: u32 = 8;
    pub const OWNING_THREAD: u32 = 12;
    pub const LOCK_SEMAPHORE: u32 = 16;
    pub const SPIN_COUNT: u32 = 20;
    pub const SIZE: usize = 24;
}

fn read_section(call: &ApiCall<'_>, at: u32) -> Option<[u32; 6]> {
    let bytes = call.read_bytes(at, section::SIZE).ok()?;
    let mut words = [0u32; 6];
    for (w, b) in words.iter_mut().zip(bytes.chunks_exact(4)) {
        *w = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    }
    Some(words)
}

fn write_fields(call: &mut ApiCall<'_>, at: u32, fields: &[(u32, u32)]) -> bool {
    fields
        .iter()
        .all(|&(offset, value)| call.write_u32(at.wrapping_add(offset), value).is_ok())
}

/// RTL_CRITICAL_SECTION_DEBUG fields: Type and CreatorBackTraceIndex (two WORDs),
/// CriticalSection, ProcessLocksList (a LIST_ENTRY), EntryCount, ContentionCount, Spare[2].
mod debug_info {
    pub const CRITICAL_SECTION: u32 = 4;
    pub const PROCESS_LOCKS_LIST: u32 = 8;
    pub const ENTRY_COUNT: u32 = 16;
    pub const CONTENTION_COUNT: u32 = 20;
    pub const SIZE: u32 = 32;
}

/// Allocates a section's RTL_CRITICAL_SECTION_DEBUG from the process heap, as NT's
/// RtlInitializeCriticalSection does (its list entry points at itself: ntemu keeps no list
/// of the process's sections). 0 when the heap has no room.
fn new_debug_info(call: &mut ApiCall<'_>, section: u32) -> u32 {
    let Some(info) = crate::heap::process_heap_alloc(call, debug_info::SIZE, true) else {
        return 0;
    };
    let list = info.wrapping_add(debug_info::PROCESS_LOCKS_LIST);
    let fields = [
        (debug_info::CRITICAL_SECTION, section),
        (debug_info::PROCESS_LOCKS_LIST, list),
        (debug_info::PROCESS_LOCKS_LIST + 4, list),
    ];
    if write_fields(call, info, &fields) {
        info
    } else {
        crate::heap::process_heap_free(call, info);
        0
    }
}

/// Adds one to a counter of a section's debug information, if it has any.
fn count_contention(call: &mut ApiCall<'_>, section: u32) {
    let Ok(info) = call.read_u32(section.wrapping_add(section::DEBUG_INFO)) else {
        return;
    };
    if info == 0 || info == u32::MAX {
        return;
    }
    for offset in [debug_info::ENTRY_COUNT, debug_info::CONTENTION_COUNT] {
        let at = info.wrapping_add(offset);
        if let Ok(n) = call.read_u32(at) {
            let _ = call.write_u32(at, n.wrapping_add(1));
        }
    }
}

/// InitializeCriticalSection(lpCriticalSection): free, no owner, with its debug
/// information (RTL_CRITICAL_SECTION_DEBUG) allocated from the process heap as NT 4.0 does.
#[export]
fn InitializeCriticalSection(call: &mut ApiCall<'_>, lpCriticalSection: Ptr) -> ApiReturn {
    let at = lpCriticalSection.0;
    if call.probe_write(at, section::SIZE).is_err() {
        // NT raises the access violation in the caller.
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    let debug = new_debug_info(call, at);
    let fields = [
        (section::DEBUG_INFO, debug),
        (section::LOCK_COUNT, u32::MAX),
        (section::RECURSION_COUNT, 0),
        (section::OWNING_THREAD, 0),
        (section::LOCK_SEMAPHORE, 0),
        (section::SPIN_COUNT, 0),
    ];
    if !write_fields(call, at, &fields) {
        // NT raises the access violation in the caller.
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    with_sync(call, |s| s.section_events.remove(&at));
    ApiReturn::Value(0)
}

/// DeleteCriticalSection(lpCriticalSection): its event and debug information are freed
/// and the section is zeroed (DebugInfo NULL), as NT's RtlDeleteCriticalSection leaves it.
#[export]
fn DeleteCriticalSection(call: &mut ApiCall<'_>, lpCriticalSection: Ptr) -> ApiReturn {
    let at = lpCriticalSection.0;
    with_sync(call, |s| s.section_events.remove(&at));
    if let Some(words) = read_section(call, at) {
        let debug = words[(section::DEBUG_INFO / 4) as usize];
        if debug != 0 && debug != u32::MAX {
            crate::heap::process_heap_free(call, debug);
        }
    }
    let zero = [
        (section::DEBUG_INFO, 0),
        (section::LOCK_COUNT, 0),
        (section::RECURSION_COUNT, 0),
        (section::OWNING_THREAD, 0),
        (section::LOCK_SEMAPHORE, 0),
        (section::SPIN_COUNT, 0),
    ];
    let _ = write_fields(call, at, &zero);
    ApiReturn::Value(0)
}

/// EnterCriticalSection(lpCriticalSection): takes the section, again if the caller owns it
/// already, or waits for its owner to leave.
#[export]
fn EnterCriticalSection(call: &mut ApiCall<'_>, lpCriticalSection: Ptr) -> ApiReturn {
    enter_critical_section(call, lpCriticalSection.0)
}

fn enter_critical_section(call: &mut ApiCall<'_>, at: u32) -> ApiReturn {
    let me = call.thread.thread;
    let Some(words) = read_section(call, at) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let (recursion, owner) = (
        words[(section::RECURSION_COUNT / 4) as usize],
        words[(section::OWNING_THREAD / 4) as usize],
    );
    let owner_alive = owner != 0 && call.process().is_some_and(|p| p.thread(owner).is_some());
    if owner == me || recursion == 0 || !owner_alive {
        let recursion = if owner == me { recursion + 1 } else { 1 };
        let fields = [
            (section::OWNING_THREAD, me),
            (section::RECURSION_COUNT, recursion),
            (section::LOCK_COUNT, recursion - 1),
        ];
        return if write_fields(call, at, &fields) {
            ApiReturn::Value(0)
        } else {
            call.fail(NtStatus::ACCESS_VIOLATION)
        };
    }
    count_contention(call, at);
    let objects = call.machine.objects().clone();
    let event = with_sync(call, |s| {
        s.section_events
            .entry(at)
            .or_insert_with(|| objects.create_event(EventType::Synchronization, false))
            .clone()
    });
    match event {
        Some(event) => ApiReturn::Retry {
            objects: vec![event],
            timeout: None,
        },
        None => call.fail(NtStatus::INVALID_HANDLE),
    }
}

/// TryEnterCriticalSection(lpCriticalSection): TRUE when the section was taken.
#[export]
fn TryEnterCriticalSection(call: &mut ApiCall<'_>, lpCriticalSection: Ptr) -> ApiReturn {
    let at = lpCriticalSection.0;
    let me = call.thread.thread;
    match read_section(call, at) {
        Some(w) if w[2] != 0 && w[3] != me => ApiReturn::Value(0),
        Some(_) => match enter_critical_section(call, at) {
            ApiReturn::Value(0) => ApiReturn::Value(1),
            other => other,
        },
        None => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// LeaveCriticalSection(lpCriticalSection): the last leave frees the section and wakes
/// one waiter.
#[export]
fn LeaveCriticalSection(call: &mut ApiCall<'_>, lpCriticalSection: Ptr) -> ApiReturn {
    let at = lpCriticalSection.0;
    let Some(words) = read_section(call, at) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let recursion = words[(section::RECURSION_COUNT / 4) as usize];
    if recursion == 0 {
        // Leaving a free section: NT's behaviour is undefined; ntemu leaves it free.
        return ApiReturn::Value(0);
    }
    let recursion = recursion - 1;
    let fields: &[(u32, u32)] = if recursion == 0 {
        &[
            (section::RECURSION_COUNT, 0),
            (section::OWNING_THREAD, 0),
            (section::LOCK_COUNT, u32::MAX),
        ]
    } else {
        &[
            (section::RECURSION_COUNT, recursion),
            (section::LOCK_COUNT, recursion - 1),
        ]
    };
    if !write_fields(call, at, fields) {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    if recursion == 0
        && let Some(Some(event)) = with_sync(call, |s| s.section_events.get(&at).cloned())
    {
        let _ = event.set_event();
    }
    ApiReturn::Value(0)
}

fn interlocked(call: &mut ApiCall<'_>, at: Ptr, f: impl FnOnce(u32) -> (u32, u32)) -> ApiReturn {
    let at = at.0;
    let Ok(old) = call.read_u32(at) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let (new, result) = f(old);
    match call.write_u32(at, new) {
        Ok(()) => ApiReturn::Value(result),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// InterlockedIncrement(lpAddend): the new value.
#[export]
fn InterlockedIncrement(call: &mut ApiCall<'_>, lpAddend: Ptr) -> ApiReturn {
    interlocked(call, lpAddend, |v| (v.wrapping_add(1), v.wrapping_add(1)))
}

/// InterlockedDecrement(lpAddend): the new value.
#[export]
fn InterlockedDecrement(call: &mut ApiCall<'_>, lpAddend: Ptr) -> ApiReturn {
    interlocked(call, lpAddend, |v| (v.wrapping_sub(1), v.wrapping_sub(1)))
}

/// InterlockedExchange(Target, Value): the old value.
#[export]
fn InterlockedExchange(call: &mut ApiCall<'_>, Target: Ptr, Value: u32) -> ApiReturn {
    interlocked(call, Target, |v| (Value, v))
}

/// InterlockedExchangeAdd(Addend, Value): the old value.
#[export]
fn InterlockedExchangeAdd(call: &mut ApiCall<'_>, Addend: Ptr, Value: u32) -> ApiReturn {
    interlocked(call, Addend, |v| (v.wrapping_add(Value), v))
}

/// InterlockedCompareExchange(Destination, Exchange, Comperand): the old value; the
/// exchange happens when it equalled the comperand.
#[export]
fn InterlockedCompareExchange(
    call: &mut ApiCall<'_>,
    Destination: Ptr,
    Exchange: u32,
    Comperand: u32,
) -> ApiReturn {
    interlocked(call, Destination, |v| {
        (if v == Comperand { Exchange } else { v }, v)
    })
}

/// The processors ntemu's machine reports (GetSystemInfo): spinning is pointless on one.
const PROCESSORS: u32 = 1;
/// The spin count bits of dwSpinCount (the high bit asks for the event up front).
const SPIN_COUNT_MASK: u32 = 0x00FF_FFFF;

/// The spin count a section keeps: 0 on a machine with one processor, as NT sets it.
fn kept_spin_count(requested: u32) -> u32 {
    if PROCESSORS > 1 {
        requested & SPIN_COUNT_MASK
    } else {
        0
    }
}

/// BOOL InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION lpCriticalSection, DWORD
/// dwSpinCount) (NT 4.0 SP3): InitializeCriticalSection with a spin count, which a machine of
/// one processor ignores (the section's SpinCount is 0); the high bit (allocate the event
/// now) needs nothing here, as ntemu makes a section's event on first contention. TRUE, or
/// FALSE with ERROR_NOACCESS for a section that cannot be written.
#[export]
fn InitializeCriticalSectionAndSpinCount(
    call: &mut ApiCall<'_>,
    lpCriticalSection: Ptr,
    dwSpinCount: u32,
) -> ApiReturn {
    let at = lpCriticalSection.0;
    if call.probe_write(at, section::SIZE).is_err() {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    InitializeCriticalSection(call, lpCriticalSection);
    if !write_fields(
        call,
        at,
        &[(section::SPIN_COUNT, kept_spin_count(dwSpinCount))],
    ) {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    ApiReturn::Value(1)
}

/// DWORD SetCriticalSectionSpinCount(LPCRITICAL_SECTION lpCriticalSection, DWORD
/// dwSpinCount) (NT 4.0 SP3, NTDLL's RtlSetCriticalSectionSpinCount): sets the section's spin
/// count (0 on a machine of one processor) and returns the previous one.
#[export]
fn SetCriticalSectionSpinCount(
    call: &mut ApiCall<'_>,
    lpCriticalSection: Ptr,
    dwSpinCount: u32,
) -> ApiReturn {
    let at = lpCriticalSection.0;
    let Some(words) = read_section(call, at) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let previous = words[(section::SPIN_COUNT / 4) as usize];
    if !write_fields(
        call,
        at,
        &[(section::SPIN_COUNT, kept_spin_count(dwSpinCount))],
    ) {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    ApiReturn::Value(previous)
}
