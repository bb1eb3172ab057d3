//! Interlocked singly linked lists (SLIST_HEADER): the header's layout, shared with
//! KERNEL32's InterlockedPushEntrySList family, and RtlInterlockedPushListSList.
//!
//! The 8-byte header is XP's x86 layout: the first entry's address, then the depth (a
//! 16-bit count of entries) and a 16-bit sequence number bumped by every change. A builtin
//! runs alone on the machine, so each operation is atomic as XP's cmpxchg8b makes it.
//!
//! RtlInterlockedPushListSList is Windows Server 2003's, not NT 4.0's: NT 4.0's NTDLL does
//! not export it. It is listed in `later-exports.txt` because programs built for later
//! Windows look it up with GetProcAddress and call the result without checking it (on NT 4.0
//! they jump to address 0).

use nt_status::NtStatus;
use win32::{ApiCall, ApiReturn, Ptr, export};

/// The header's three fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SListHeader {
    /// The first entry (0 for an empty list).
    pub first: u32,
    /// How many entries the list holds, as its pushes and pops have counted them.
    pub depth: u16,
    /// Bumped by every push and pop.
    pub sequence: u16,
}

/// Reads the header at `at` (None if it cannot be read).
pub fn read_header(call: &ApiCall<'_>, at: u32) -> Option<SListHeader> {
    let first = call.read_u32(at).ok()?;
    let word = call.read_u32(at.wrapping_add(4)).ok()?;
    Some(SListHeader {
        first,
        depth: word as u16,
        sequence: (word >> 16) as u16,
    })
}

/// Writes the header at `at` (None if it cannot be written).
pub fn write_header(call: &mut ApiCall<'_>, at: u32, h: &SListHeader) -> Option<()> {
    call.write_u32(at, h.first).ok()?;
    call.write_u32(
        at.wrapping_add(4),
        u32::from(h.depth) | (u32::from(h.sequence) << 16),
    )
    .ok()
}

/// PSLIST_ENTRY __fastcall RtlInterlockedPushListSList(PSLIST_HEADER ListHead, PSLIST_ENTRY
/// List, PSLIST_ENTRY ListEnd, ULONG Count): puts the chain `List`..`ListEnd` (already
/// linked by the caller) first, adding `Count` to the depth; returns the entry that was
/// first (NULL for an empty list). An unreadable header or entry is an access violation.
#[export(fastcall)]
pub fn RtlInterlockedPushListSList(
    call: &mut ApiCall<'_>,
    ListHead: Ptr,
    List: Ptr,
    ListEnd: Ptr,
    Count: u32,
) -> ApiReturn {
    let Some(h) = read_header(call, ListHead.0) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    if call.write_u32(ListEnd.0, h.first).is_err() {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    let new = SListHeader {
        first: List.0,
        depth: h.depth.wrapping_add(Count as u16),
        sequence: h.sequence.wrapping_add(1),
    };
    match write_header(call, ListHead.0, &new) {
        Some(()) => ApiReturn::Value(h.first),
        None => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}
