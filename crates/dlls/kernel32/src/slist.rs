//! Interlocked singly linked lists (SLIST_HEADER): InitializeSListHead,
//! InterlockedPushEntrySList, InterlockedPopEntrySList, InterlockedFlushSList and
//! QueryDepthSList.
//!
//! These are Windows XP's, not NT 4.0's: NT 4.0's KERNEL32 exports none of them, so
//! GetProcAddress does not find them (it finds only NT 4.0's exports); ntemu binds them for
//! programs that import them statically, which NT 4.0 would refuse to load.
//!
//! The 8-byte header is XP's x86 layout (ntdll::slist, which also has NTDLL's
//! RtlInterlockedPushListSList). Flushing an empty list leaves its depth as it is, as XP does (Windows 8 zeroes it).

use nt_status::NtStatus;
use win32::{ApiCall, ApiReturn, Ptr, export};

use ntdll::slist::{SListHeader as Header, read_header, write_header};

/// An unreadable header or entry: the access violation NT's code would take, reported as
/// ERROR_NOACCESS and a NULL result.
fn fault(call: &mut ApiCall<'_>) -> ApiReturn {
    call.fail(NtStatus::ACCESS_VIOLATION)
}

/// VOID InitializeSListHead(PSLIST_HEADER ListHead): an empty list of depth 0.
#[export]
fn InitializeSListHead(call: &mut ApiCall<'_>, ListHead: Ptr) -> ApiReturn {
    let empty = Header {
        first: 0,
        depth: 0,
        sequence: 0,
    };
    match write_header(call, ListHead.0, &empty) {
        Some(()) => ApiReturn::Value(0),
        None => fault(call),
    }
}

/// PSLIST_ENTRY InterlockedPushEntrySList(PSLIST_HEADER ListHead, PSLIST_ENTRY ListEntry):
/// puts the entry first; returns the entry that was first (NULL for an empty list).
#[export]
fn InterlockedPushEntrySList(call: &mut ApiCall<'_>, ListHead: Ptr, ListEntry: Ptr) -> ApiReturn {
    let Some(h) = read_header(call, ListHead.0) else {
        return fault(call);
    };
    if call.write_u32(ListEntry.0, h.first).is_err() {
        return fault(call);
    }
    let new = Header {
        first: ListEntry.0,
        depth: h.depth.wrapping_add(1),
        sequence: h.sequence.wrapping_add(1),
    };
    match write_header(call, ListHead.0, &new) {
        Some(()) => ApiReturn::Value(h.first),
        None => fault(call),
    }
}

/// PSLIST_ENTRY InterlockedPopEntrySList(PSLIST_HEADER ListHead): takes the first entry
/// off and returns it (NULL for an empty list, which is left as it is).
#[export]
fn InterlockedPopEntrySList(call: &mut ApiCall<'_>, ListHead: Ptr) -> ApiReturn {
    let Some(h) = read_header(call, ListHead.0) else {
        return fault(call);
    };
    if h.first == 0 {
        return ApiReturn::Value(0);
    }
    let Ok(next) = call.read_u32(h.first) else {
        return fault(call);
    };
    let new = Header {
        first: next,
        depth: h.depth.wrapping_sub(1),
        sequence: h.sequence.wrapping_add(1),
    };
    match write_header(call, ListHead.0, &new) {
        Some(()) => ApiReturn::Value(h.first),
        None => fault(call),
    }
}

/// PSLIST_ENTRY InterlockedFlushSList(PSLIST_HEADER ListHead): takes every entry off and
/// returns the first (the entries stay chained); an empty list is left as it is.
#[export]
fn InterlockedFlushSList(call: &mut ApiCall<'_>, ListHead: Ptr) -> ApiReturn {
    let Some(h) = read_header(call, ListHead.0) else {
        return fault(call);
    };
    if h.first == 0 {
        return ApiReturn::Value(0);
    }
    let new = Header {
        first: 0,
        depth: 0,
        sequence: h.sequence,
    };
    match write_header(call, ListHead.0, &new) {
        Some(()) => ApiReturn::Value(h.first),
        None => fault(call),
    }
}

/// USHORT QueryDepthSList(PSLIST_HEADER ListHead): the depth.
#[export]
fn QueryDepthSList(call: &mut ApiCall<'_>, ListHead: Ptr) -> ApiReturn {
    match read_header(call, ListHead.0) {
        Some(h) => ApiReturn::Value(u32::from(h.depth)),
        None => fault(call),
    }
}
