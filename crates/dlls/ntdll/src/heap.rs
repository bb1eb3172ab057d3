//! NT 4.0's heap (RtlCreateHeap, RtlAllocateHeap and the rest), laid out in guest memory as
//! NT lays it out, with no bookkeeping of its own on the host.
//!
//! A heap's handle is the base of its first reservation (64 KiB aligned). There sits the
//! HEAP structure: its signature (0xEEFFEEFF), flags and forced flags, thresholds, the list
//! of its large blocks (VirtualAllocdBlocks), its segments (`Segments[64]`), the bitmap of
//! non-empty free lists and the 128 free lists themselves (`FreeLists[n]` holds free blocks
//! of n 8-byte granules, `FreeLists[0]` the larger ones sorted by size), then its lock (an
//! RTL_CRITICAL_SECTION) and segment 0's HEAP_SEGMENT. Every block starts with an 8-byte
//! HEAP_ENTRY (Size and PreviousSize in granules, SegmentIndex, Flags, UnusedBytes,
//! SmallTagIndex, in NT 4.0's order); a free block keeps its LIST_ENTRY after it; a busy one
//! allocated with HEAP_SETTABLE_USER_VALUE ends with a HEAP_ENTRY_EXTRA holding the user
//! value. Blocks are 8-byte aligned, the smallest is two granules; a segment is committed
//! from its start and the last block before its uncommitted part is marked LAST_ENTRY.
//! Blocks above VirtualMemoryThreshold (0x7F000 bytes) of a growable heap get a reservation
//! of their own behind a 32-byte HEAP_VIRTUAL_ALLOC_ENTRY.
//!
//! A growable heap (HeapCreate with no maximum) reserves 64 pages and commits one, then
//! commits as it needs and adds segments (of at least SegmentReserve, 1 MiB) when its
//! reservations are full; a heap of a fixed size has one segment and fails beyond it.
//! HEAP_TAIL_CHECKING_ENABLED fills 8 bytes after each block's data with 0xAB and
//! HEAP_FREE_CHECKING_ENABLED fills freed blocks with 0xFEEEFEEE; RtlValidateHeap checks both.
//!
//! The guest can scribble over all of it, as on NT, and corrupt its own heap but never the
//! host: every access is checked guest memory, every walk of a list or a segment is
//! bounded, and a header that does not make sense fails the call. Serialization is NT's: a
//! heap without HEAP_NO_SERIALIZE has a lock that RtlLockHeap takes; while another thread
//! holds it, calls on the heap wait (the callers of this module turn
//! [`HeapFailure::Locked`] into a wait on the heap's wake event).

use std::collections::BTreeMap;
use std::sync::Arc;

use nt_memory::{AddressSpace, AllocationType, Fault, FreeType, GuestMemory, PageProtection};
use nt_object::{EventType, Object};
use nt_status::NtStatus;
use win32::{ApiCall, PerProcess};

/// HEAP_NO_SERIALIZE.
pub const HEAP_NO_SERIALIZE: u32 = 0x0000_0001;
/// HEAP_GROWABLE.
pub const HEAP_GROWABLE: u32 = 0x0000_0002;
/// HEAP_GENERATE_EXCEPTIONS.
pub const HEAP_GENERATE_EXCEPTIONS: u32 = 0x0000_0004;
/// HEAP_ZERO_MEMORY.
pub const HEAP_ZERO_MEMORY: u32 = 0x0000_0008;
/// HEAP_REALLOC_IN_PLACE_ONLY.
pub const HEAP_REALLOC_IN_PLACE_ONLY: u32 = 0x0000_0010;
/// HEAP_TAIL_CHECKING_ENABLED.
pub const HEAP_TAIL_CHECKING_ENABLED: u32 = 0x0000_0020;
/// HEAP_FREE_CHECKING_ENABLED.
pub const HEAP_FREE_CHECKING_ENABLED: u32 = 0x0000_0040;
/// HEAP_DISABLE_COALESCE_ON_FREE.
pub const HEAP_DISABLE_COALESCE_ON_FREE: u32 = 0x0000_0080;
/// HEAP_SETTABLE_USER_VALUE: the block keeps a user value (a HEAP_ENTRY_EXTRA).
pub const HEAP_SETTABLE_USER_VALUE: u32 = 0x0000_0100;
/// HEAP_SETTABLE_USER_FLAG1..3: flags kept in the block's header.
pub const HEAP_SETTABLE_USER_FLAGS: u32 = 0x0000_0E00;
/// HEAP_CLASS_1: a private heap (HeapCreate's).
pub const HEAP_CLASS_1: u32 = 0x0000_1000;
/// HEAP_VALIDATE_PARAMETERS_ENABLED.
pub const HEAP_VALIDATE_PARAMETERS_ENABLED: u32 = 0x4000_0000;
/// HEAP_VALIDATE_ALL_ENABLED.
pub const HEAP_VALIDATE_ALL_ENABLED: u32 = 0x2000_0000;
/// HEAP_CREATE_ALIGN_16.
pub const HEAP_CREATE_ALIGN_16: u32 = 0x0001_0000;

/// The flags every call on a heap gets from the heap's own (HEAP.ForceFlags).
const FORCE_FLAGS_MASK: u32 = HEAP_NO_SERIALIZE
    | HEAP_GENERATE_EXCEPTIONS
    | HEAP_ZERO_MEMORY
    | HEAP_REALLOC_IN_PLACE_ONLY
    | HEAP_VALIDATE_PARAMETERS_ENABLED
    | HEAP_VALIDATE_ALL_ENABLED
    | HEAP_TAIL_CHECKING_ENABLED
    | HEAP_CREATE_ALIGN_16
    | HEAP_FREE_CHECKING_ENABLED;

/// HEAP.Signature.
pub const HEAP_SIGNATURE: u32 = 0xEEFF_EEFF;
/// HEAP_SEGMENT.Signature.
pub const SEGMENT_SIGNATURE: u32 = 0xFFEE_FFEE;
/// A granule: the unit of block sizes.
pub const GRANULE: u32 = 8;
/// sizeof(HEAP_ENTRY).
pub const ENTRY_SIZE: u32 = 8;
/// HEAP_MAXIMUM_SEGMENTS.
pub const MAXIMUM_SEGMENTS: u32 = 64;
/// The number of free lists (HEAP_MAXIMUM_FREELISTS).
const FREE_LISTS: u32 = 128;
/// VirtualMemoryThreshold in granules: larger blocks of a growable heap get their own
/// reservation (0x7F000 bytes).
const VIRTUAL_THRESHOLD: u32 = 0xFE00;
/// sizeof(HEAP_VIRTUAL_ALLOC_ENTRY): the large-block header.
pub const VIRTUAL_HEADER: u32 = 0x20;
/// A growable heap's default reservation: 64 pages.
const DEFAULT_RESERVE_PAGES: u32 = 64;
/// HEAP.SegmentReserve: the least a new segment reserves.
const SEGMENT_RESERVE: u32 = 0x10_0000;
/// HEAP.SegmentCommit.
const SEGMENT_COMMIT: u32 = 0x2000;
/// The largest request (HEAP.MaximumAllocationSize: the user space below 2 GiB).
const MAXIMUM_ALLOCATION: u32 = 0x7FFD_EFFF;
/// CHECK_HEAP_TAIL_FILL and its length.
const TAIL_FILL: u8 = 0xAB;
const TAIL_SIZE: u32 = 8;
/// FREE_HEAP_FILL.
const FREE_FILL: u32 = 0xFEEE_FEEE;
/// The steps a walk of a list or a segment may take before the heap counts as corrupt.
const WALK_LIMIT: u32 = 0x40_0000;

/// HEAP_ENTRY.Flags.
pub mod entry_flags {
    /// HEAP_ENTRY_BUSY.
    pub const BUSY: u8 = 0x01;
    /// HEAP_ENTRY_EXTRA_PRESENT: a HEAP_ENTRY_EXTRA ends the block.
    pub const EXTRA_PRESENT: u8 = 0x02;
    /// HEAP_ENTRY_FILL_PATTERN: a free block filled with FREE_HEAP_FILL, or a busy one
    /// followed by the tail fill.
    pub const FILL_PATTERN: u8 = 0x04;
    /// HEAP_ENTRY_VIRTUAL_ALLOC: a large block.
    pub const VIRTUAL_ALLOC: u8 = 0x08;
    /// HEAP_ENTRY_LAST_ENTRY: the last block before the segment's uncommitted part.
    pub const LAST_ENTRY: u8 = 0x10;
    /// HEAP_ENTRY_SETTABLE_FLAG1..3: the user flags (HEAP_SETTABLE_USER_FLAGS >> 4).
    pub const SETTABLE_FLAGS: u8 = 0xE0;
}
use entry_flags as ef;

/// HEAP field offsets (NT 4.0, 32-bit).
mod heap_off {
    pub const ENTRY: u32 = 0x000;
    pub const SIGNATURE: u32 = 0x008;
    pub const FLAGS: u32 = 0x00C;
    pub const FORCE_FLAGS: u32 = 0x010;
    pub const VIRTUAL_MEMORY_THRESHOLD: u32 = 0x014;
    pub const SEGMENT_RESERVE: u32 = 0x018;
    pub const SEGMENT_COMMIT: u32 = 0x01C;
    pub const DECOMMIT_FREE_BLOCK_THRESHOLD: u32 = 0x020;
    pub const DECOMMIT_TOTAL_FREE_THRESHOLD: u32 = 0x024;
    pub const TOTAL_FREE_SIZE: u32 = 0x028;
    pub const MAXIMUM_ALLOCATION_SIZE: u32 = 0x02C;
    pub const PROCESS_HEAPS_LIST_INDEX: u32 = 0x030;
    pub const ALIGN_ROUND: u32 = 0x048;
    pub const ALIGN_MASK: u32 = 0x04C;
    pub const VIRTUAL_ALLOCD_BLOCKS: u32 = 0x050;
    pub const SEGMENTS: u32 = 0x058;
    pub const FREE_LISTS_IN_USE: u32 = 0x158;
    pub const FREE_LISTS: u32 = 0x178;
    pub const LOCK_VARIABLE: u32 = 0x578;
    /// sizeof(HEAP).
    pub const SIZE: u32 = 0x580;
    /// The heap's lock (HEAP_LOCK: an RTL_CRITICAL_SECTION) follows the structure.
    pub const LOCK: u32 = SIZE;
    /// sizeof(RTL_CRITICAL_SECTION).
    pub const LOCK_SIZE: u32 = 0x18;
}

/// HEAP_SEGMENT field offsets.
mod seg_off {
    pub const ENTRY: u32 = 0x00;
    pub const SIGNATURE: u32 = 0x08;
    pub const FLAGS: u32 = 0x0C;
    pub const HEAP: u32 = 0x10;
    pub const LARGEST_UNCOMMITTED_RANGE: u32 = 0x14;
    pub const BASE_ADDRESS: u32 = 0x18;
    pub const NUMBER_OF_PAGES: u32 = 0x1C;
    pub const FIRST_ENTRY: u32 = 0x20;
    pub const LAST_VALID_ENTRY: u32 = 0x24;
    pub const NUMBER_OF_UNCOMMITTED_PAGES: u32 = 0x28;
    pub const NUMBER_OF_UNCOMMITTED_RANGES: u32 = 0x2C;
    pub const LAST_ENTRY_IN_SEGMENT: u32 = 0x38;
    /// sizeof(HEAP_SEGMENT), rounded to granules.
    pub const SIZE: u32 = 0x40;
}

/// RTL_CRITICAL_SECTION field offsets (the heap lock).
mod lock_off {
    pub const LOCK_COUNT: u32 = 4;
    pub const RECURSION_COUNT: u32 = 8;
    pub const OWNING_THREAD: u32 = 12;
}

/// PEB fields of the process's heap list (NT 4.0).
mod peb_off {
    pub const NUMBER_OF_HEAPS: u32 = 0x88;
    pub const MAXIMUM_NUMBER_OF_HEAPS: u32 = 0x8C;
    pub const PROCESS_HEAPS: u32 = 0x90;
    /// Where ntemu keeps the array: in the PEB's page, after the PEB (0x1E8 bytes).
    pub const HEAPS_ARRAY: u32 = 0x200;
}

/// Where segment 0 begins and its first block.
const SEGMENT0: u32 = heap_off::LOCK + heap_off::LOCK_SIZE;
const FIRST_ENTRY0: u32 = SEGMENT0 + seg_off::SIZE;

/// Why a heap call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeapFailure {
    /// No block could be found or committed (STATUS_NO_MEMORY).
    NoMemory,
    /// The pointer is no busy block of the heap, or a parameter is out of range
    /// (STATUS_INVALID_PARAMETER).
    InvalidParameter,
    /// The heap handle or a header could not be read (STATUS_ACCESS_VIOLATION).
    AccessViolation,
    /// Another thread holds the heap's lock: wait on the heap's wake event and try again.
    Locked,
}

impl HeapFailure {
    /// The NTSTATUS of the failure.
    pub fn status(self) -> NtStatus {
        match self {
            HeapFailure::NoMemory => NtStatus::NO_MEMORY,
            HeapFailure::InvalidParameter | HeapFailure::Locked => NtStatus::INVALID_PARAMETER,
            HeapFailure::AccessViolation => NtStatus::ACCESS_VIOLATION,
        }
    }
}

impl From<Fault> for HeapFailure {
    fn from(_: Fault) -> Self {
        HeapFailure::AccessViolation
    }
}

type R<T> = Result<T, HeapFailure>;

/// A HEAP_ENTRY.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Size in granules, header included.
    pub size: u16,
    /// The previous block's size in granules (0 for a segment's first block).
    pub prev: u16,
    /// The segment's index in HEAP.Segments.
    pub segment: u8,
    /// HEAP_ENTRY_* flags.
    pub flags: u8,
    /// Bytes of the block not given to the caller (header, extra, tail fill and slack).
    pub unused: u8,
    /// SmallTagIndex (tags are not kept: 0).
    pub tag: u8,
}

impl Entry {
    fn from_u64(v: u64) -> Entry {
        Entry {
            size: v as u16,
            prev: (v >> 16) as u16,
            segment: (v >> 32) as u8,
            flags: (v >> 40) as u8,
            unused: (v >> 48) as u8,
            tag: (v >> 56) as u8,
        }
    }

    fn to_u64(self) -> u64 {
        u64::from(self.size)
            | u64::from(self.prev) << 16
            | u64::from(self.segment) << 32
            | u64::from(self.flags) << 40
            | u64::from(self.unused) << 48
            | u64::from(self.tag) << 56
    }

    fn busy(self) -> bool {
        self.flags & ef::BUSY != 0
    }

    fn bytes(self) -> u32 {
        u32::from(self.size) * GRANULE
    }
}

#[inline]
fn read_entry(m: &AddressSpace, at: u32) -> R<Entry> {
    Ok(Entry::from_u64(m.read_u64(at)?))
}

#[inline]
fn write_entry(m: &mut AddressSpace, at: u32, e: Entry) -> R<()> {
    Ok(m.write_u64(at, e.to_u64())?)
}

fn round_up(value: u32, to: u32) -> Option<u32> {
    value.checked_add(to - 1).map(|v| v & !(to - 1))
}

fn fill(m: &mut AddressSpace, at: u32, len: u32, pattern: u32) -> R<()> {
    let mut chunk = [0u8; 1024];
    for (i, b) in chunk.iter_mut().enumerate() {
        *b = pattern.to_le_bytes()[i % 4];
    }
    let mut done = 0;
    while done < len {
        let n = (len - done).min(chunk.len() as u32);
        m.write_bytes(at.wrapping_add(done), &chunk[..n as usize])?;
        done += n;
    }
    Ok(())
}

/// Writes `len` zero bytes at `at`.
pub fn zero(m: &mut AddressSpace, at: u32, len: u32) -> R<()> {
    fill(m, at, len, 0)
}

fn bytes_match(m: &AddressSpace, at: u32, len: u32, pattern: u32) -> R<bool> {
    let mut buf = [0u8; 1024];
    let mut done = 0;
    while done < len {
        let n = (len - done).min(buf.len() as u32);
        m.read_bytes(at.wrapping_add(done), &mut buf[..n as usize])?;
        for (i, b) in buf[..n as usize].iter().enumerate() {
            if *b != pattern.to_le_bytes()[(done as usize + i) % 4] {
                return Ok(false);
            }
        }
        done += n;
    }
    Ok(true)
}

/// The part of a heap's header every call reads: its flags and forced flags.
#[derive(Clone, Copy, Debug)]
struct Header {
    flags: u32,
    force: u32,
}

/// Reads and checks a heap's header: its signature must be there.
#[inline]
fn header(m: &AddressSpace, heap: u32) -> R<Header> {
    if heap == 0 || heap & 0xFFFF != 0 {
        return Err(HeapFailure::InvalidParameter);
    }
    // Two reads (each a page check and a load, inline): every call starts here. The
    // signature and the flags are neighbours.
    let signature_flags = m.read_u64(heap + heap_off::SIGNATURE)?;
    if signature_flags as u32 != HEAP_SIGNATURE {
        return Err(HeapFailure::InvalidParameter);
    }
    Ok(Header {
        flags: (signature_flags >> 32) as u32,
        force: m.read_u32(heap + heap_off::FORCE_FLAGS)?,
    })
}

/// A segment as its HEAP_SEGMENT describes it.
#[derive(Clone, Copy, Debug)]
struct Segment {
    at: u32,
    index: u32,
    base: u32,
    first: u32,
    /// The end of the reservation (LastValidEntry).
    end: u32,
    /// Pages reserved and pages of them not committed.
    pages: u32,
    uncommitted_pages: u32,
    page: u32,
}

impl Segment {
    /// The end of the committed part (committing goes from the base up).
    fn committed_end(&self) -> u32 {
        self.base + (self.pages - self.uncommitted_pages) * self.page
    }
}

#[inline]
fn segment_at(m: &AddressSpace, heap: u32, index: u32) -> R<Option<Segment>> {
    if index >= MAXIMUM_SEGMENTS {
        return Ok(None);
    }
    let at = m.read_u32(heap + heap_off::SEGMENTS + 4 * index)?;
    if at == 0 {
        return Ok(None);
    }
    // The fields up to NumberOfUncommittedPages in one read (one range check): every free
    // and size call finds its block's segment here.
    let mut fields = [0u8; (seg_off::NUMBER_OF_UNCOMMITTED_PAGES + 4) as usize];
    m.read_bytes(at, &mut fields)?;
    let word = |i: u32| -> R<u32> {
        let i = i as usize;
        Ok(u32::from_le_bytes([
            fields[i],
            fields[i + 1],
            fields[i + 2],
            fields[i + 3],
        ]))
    };
    let signature = word(seg_off::SIGNATURE)?;
    let page = m.page_size().bytes();
    let s = Segment {
        at,
        index,
        base: word(seg_off::BASE_ADDRESS)?,
        first: word(seg_off::FIRST_ENTRY)?,
        end: word(seg_off::LAST_VALID_ENTRY)?,
        pages: word(seg_off::NUMBER_OF_PAGES)?,
        uncommitted_pages: word(seg_off::NUMBER_OF_UNCOMMITTED_PAGES)?,
        page,
    };
    let sane = signature == SEGMENT_SIGNATURE
        && s.uncommitted_pages <= s.pages
        && u64::from(s.base) + u64::from(s.pages) * u64::from(page) == u64::from(s.end)
        && s.first >= s.base
        && s.first <= s.committed_end();
    if sane {
        Ok(Some(s))
    } else {
        Err(HeapFailure::InvalidParameter)
    }
}

fn write_segment_commit(m: &mut AddressSpace, s: &Segment) -> R<()> {
    m.write_u32(
        s.at + seg_off::NUMBER_OF_UNCOMMITTED_PAGES,
        s.uncommitted_pages,
    )?;
    let ranges = u32::from(s.uncommitted_pages != 0);
    m.write_u32(s.at + seg_off::NUMBER_OF_UNCOMMITTED_RANGES, ranges)?;
    m.write_u32(
        s.at + seg_off::LARGEST_UNCOMMITTED_RANGE,
        s.uncommitted_pages * s.page,
    )?;
    Ok(())
}

/// The LIST_ENTRY of free list `n`.
#[inline]
fn list_head(heap: u32, n: u32) -> u32 {
    heap + heap_off::FREE_LISTS + 8 * n
}

#[inline]
fn list_of(granules: u32) -> u32 {
    if granules < FREE_LISTS { granules } else { 0 }
}

#[inline]
fn set_in_use(m: &mut AddressSpace, heap: u32, n: u32, on: bool) -> R<()> {
    if n == 0 {
        return Ok(());
    }
    let at = heap + heap_off::FREE_LISTS_IN_USE + 4 * (n / 32);
    let word = m.read_u32(at)?;
    let bit = 1u32 << (n % 32);
    let new = if on { word | bit } else { word & !bit };
    if new != word {
        m.write_u32(at, new)?;
    }
    Ok(())
}

#[inline]
fn add_total_free(m: &mut AddressSpace, heap: u32, delta: i64) -> R<()> {
    let at = heap + heap_off::TOTAL_FREE_SIZE;
    let v = i64::from(m.read_u32(at)?) + delta;
    m.write_u32(at, v.clamp(0, i64::from(u32::MAX)) as u32)?;
    Ok(())
}

/// Takes the free block whose header is at `h` off its list.
#[inline]
fn unlink(m: &mut AddressSpace, heap: u32, h: u32, granules: u32) -> R<()> {
    let mut b = [0u8; 8];
    m.read_bytes(h + 8, &mut b)?;
    let flink = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let blink = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
    if flink == 0 || blink == 0 {
        return Err(HeapFailure::InvalidParameter);
    }
    // The neighbours must point back at this entry: a forged link is refused.
    if m.read_u32(blink)? != h + 8 || m.read_u32(flink + 4)? != h + 8 {
        return Err(HeapFailure::InvalidParameter);
    }
    m.write_u32(blink, flink)?;
    m.write_u32(flink + 4, blink)?;
    let n = list_of(granules);
    if n != 0 && flink == blink && flink == list_head(heap, n) {
        set_in_use(m, heap, n, false)?;
    }
    add_total_free(m, heap, -i64::from(granules))
}

/// Puts the free block at `h` (header written) on its list: at the tail of a dedicated
/// list, in size order on list 0, as NT does.
#[inline]
fn link(m: &mut AddressSpace, heap: u32, h: u32, granules: u32) -> R<()> {
    let n = list_of(granules);
    let head = list_head(heap, n);
    // Insert before `next` (the tail of a dedicated list is before its head).
    let mut next = head;
    if n == 0 {
        let mut at = m.read_u32(head)?;
        let mut steps = 0;
        while at != head {
            let e = read_entry(m, at.wrapping_sub(8))?;
            if u32::from(e.size) >= granules {
                break;
            }
            at = m.read_u32(at)?;
            steps += 1;
            if steps > WALK_LIMIT {
                return Err(HeapFailure::InvalidParameter);
            }
        }
        next = at;
    }
    let prev = m.read_u32(next + 4)?;
    let links = u64::from(next) | u64::from(prev) << 32;
    m.write_u64(h + 8, links)?;
    m.write_u32(prev, h + 8)?;
    m.write_u32(next + 4, h + 8)?;
    set_in_use(m, heap, n, true)?;
    add_total_free(m, heap, i64::from(granules))
}

/// Sets the PreviousSize of the block after `h` (of `granules`) when there is one.
#[inline]
fn set_next_prev(m: &mut AddressSpace, h: u32, granules: u32, last: bool) -> R<()> {
    if last {
        return Ok(());
    }
    let next = h + granules * GRANULE;
    let mut e = read_entry(m, next)?;
    e.prev = granules as u16;
    write_entry(m, next, e)
}

/// The granules a request of `size` bytes takes with `extra` bytes of overhead beside the
/// header (a HEAP_ENTRY_EXTRA, the tail fill).
#[inline]
fn granules_for(size: u32, extra: u32) -> Option<u32> {
    let bytes = round_up(size.max(1).checked_add(ENTRY_SIZE + extra)?, GRANULE)?;
    Some(bytes / GRANULE)
}

/// The overhead a busy block gets beside its header for the call's flags.
#[inline]
fn overhead(flags: u32) -> u32 {
    let mut extra = 0;
    if flags & HEAP_SETTABLE_USER_VALUE != 0 {
        extra += 8;
    }
    if flags & HEAP_TAIL_CHECKING_ENABLED != 0 {
        extra += TAIL_SIZE;
    }
    extra
}

/// The flags a block's size is computed with: the tail a call asks for takes room only when
/// the heap itself was made with HEAP_TAIL_CHECKING_ENABLED (NT adds the tail to the heap's
/// AlignRound when it creates it); a call's own tail flag fills the tail only where the
/// block has room for it.
fn sizing_flags(m: &AddressSpace, heap: u32, flags: u32) -> R<u32> {
    let heap_flags = m.read_u32(heap + heap_off::FLAGS)?;
    Ok(sizing_flags_of(heap_flags, flags))
}

/// [`sizing_flags`] with the heap's flags already read.
#[inline]
fn sizing_flags_of(heap_flags: u32, flags: u32) -> u32 {
    (flags & !HEAP_TAIL_CHECKING_ENABLED) | (heap_flags & HEAP_TAIL_CHECKING_ENABLED)
}

/// The bytes of a busy block of `granules` past `size` bytes of data and its extra.
#[inline]
fn tail_room(granules: u32, size: u32, extra: bool) -> u32 {
    (granules * GRANULE)
        .saturating_sub(ENTRY_SIZE + if extra { 8 } else { 0 })
        .saturating_sub(size)
}

fn max_blocks_in(segment_bytes: u32) -> u32 {
    segment_bytes / (2 * GRANULE)
}

/// Creates a heap in `m`: RtlCreateHeap with no base address. `reserve` 0 is a growable
/// heap of 64 pages; `commit` 0 commits one page. Returns the heap's handle.
pub fn create(m: &mut AddressSpace, flags: u32, reserve: u32, commit: u32) -> R<u32> {
    let page = m.page_size().bytes();
    let mut flags = flags;
    let commit = round_up(commit.max(1), page).ok_or(HeapFailure::NoMemory)?;
    let reserve = if reserve == 0 {
        flags |= HEAP_GROWABLE;
        (DEFAULT_RESERVE_PAGES * page).max(round_up(commit, 0x1_0000).ok_or(HeapFailure::NoMemory)?)
    } else {
        round_up(reserve, page)
            .ok_or(HeapFailure::NoMemory)?
            .max(commit)
    };
    // The header, lock and segment 0 must fit in what is committed.
    let commit =
        commit.max(round_up(FIRST_ENTRY0 + 2 * GRANULE, page).ok_or(HeapFailure::NoMemory)?);
    let reserve = reserve.max(commit);
    let (base, _) = m
        .allocate(
            0,
            reserve,
            AllocationType::RESERVE,
            PageProtection::READWRITE,
        )
        .map_err(|_| HeapFailure::NoMemory)?;
    if m.allocate(
        base,
        commit,
        AllocationType::COMMIT,
        PageProtection::READWRITE,
    )
    .is_err()
    {
        let _ = m.free(base, 0, FreeType::RELEASE);
        return Err(HeapFailure::NoMemory);
    }
    let force = flags & FORCE_FLAGS_MASK;
    let header_granules = (SEGMENT0 / GRANULE) as u16;
    let fields: [(u32, u32); 13] = [
        (heap_off::SIGNATURE, HEAP_SIGNATURE),
        (heap_off::FLAGS, flags),
        (heap_off::FORCE_FLAGS, force),
        (heap_off::VIRTUAL_MEMORY_THRESHOLD, VIRTUAL_THRESHOLD),
        (heap_off::SEGMENT_RESERVE, SEGMENT_RESERVE),
        (heap_off::SEGMENT_COMMIT, SEGMENT_COMMIT),
        (heap_off::DECOMMIT_FREE_BLOCK_THRESHOLD, page / GRANULE),
        (heap_off::DECOMMIT_TOTAL_FREE_THRESHOLD, 0x1_0000 / GRANULE),
        (heap_off::MAXIMUM_ALLOCATION_SIZE, MAXIMUM_ALLOCATION),
        (
            heap_off::ALIGN_ROUND,
            GRANULE - 1
                + ENTRY_SIZE
                + if flags & HEAP_TAIL_CHECKING_ENABLED != 0 {
                    TAIL_SIZE
                } else {
                    0
                },
        ),
        (heap_off::ALIGN_MASK, !(GRANULE - 1)),
        (heap_off::LOCK_VARIABLE, base + heap_off::LOCK),
        (heap_off::SEGMENTS, base + SEGMENT0),
    ];
    for (off, v) in fields {
        m.write_u32(base + off, v)?;
    }
    write_entry(
        m,
        base + heap_off::ENTRY,
        Entry {
            size: header_granules,
            prev: 0,
            segment: 0,
            flags: ef::BUSY,
            unused: 0,
            tag: 0,
        },
    )?;
    let vlist = base + heap_off::VIRTUAL_ALLOCD_BLOCKS;
    m.write_u64(vlist, u64::from(vlist) | u64::from(vlist) << 32)?;
    for n in 0..FREE_LISTS {
        let head = list_head(base, n);
        m.write_u64(head, u64::from(head) | u64::from(head) << 32)?;
    }
    // The lock: a free critical section (LockCount -1).
    m.write_u32(base + heap_off::LOCK + lock_off::LOCK_COUNT, u32::MAX)?;
    init_segment(
        m,
        base,
        0,
        base,
        base + SEGMENT0,
        reserve,
        commit,
        header_granules,
    )?;
    Ok(base)
}

/// Writes a HEAP_SEGMENT at `at` for the reservation `base..base+reserve` of which
/// `commit` bytes are committed, and its first (free) block.
#[allow(clippy::too_many_arguments)]
fn init_segment(
    m: &mut AddressSpace,
    heap: u32,
    index: u32,
    base: u32,
    at: u32,
    reserve: u32,
    commit: u32,
    prev_granules: u16,
) -> R<()> {
    let page = m.page_size().bytes();
    let first = at + seg_off::SIZE;
    let fields: [(u32, u32); 8] = [
        (seg_off::SIGNATURE, SEGMENT_SIGNATURE),
        (seg_off::FLAGS, 0),
        (seg_off::HEAP, heap),
        (seg_off::BASE_ADDRESS, base),
        (seg_off::NUMBER_OF_PAGES, reserve / page),
        (seg_off::FIRST_ENTRY, first),
        (seg_off::LAST_VALID_ENTRY, base + reserve),
        (seg_off::LAST_ENTRY_IN_SEGMENT, first),
    ];
    for (off, v) in fields {
        m.write_u32(at + off, v)?;
    }
    write_entry(
        m,
        at + seg_off::ENTRY,
        Entry {
            size: (seg_off::SIZE / GRANULE) as u16,
            prev: prev_granules,
            segment: index as u8,
            flags: ef::BUSY,
            unused: 0,
            tag: 0,
        },
    )?;
    let s = Segment {
        at,
        index,
        base,
        first,
        end: base + reserve,
        pages: reserve / page,
        uncommitted_pages: (reserve - commit) / page,
        page,
    };
    write_segment_commit(m, &s)?;
    m.write_u32(heap + heap_off::SEGMENTS + 4 * index, at)?;
    let free = (base + commit - first) / GRANULE;
    if free >= 2 {
        write_free_block(
            m,
            heap,
            first,
            free,
            (seg_off::SIZE / GRANULE) as u16,
            index,
            true,
        )?;
    }
    Ok(())
}

/// Writes a free block of `granules` at `h` (fill pattern when the heap checks frees) and
/// links it.
#[inline]
fn write_free_block(
    m: &mut AddressSpace,
    heap: u32,
    h: u32,
    granules: u32,
    prev: u16,
    segment: u32,
    last: bool,
) -> R<()> {
    write_free_header(m, heap, h, granules, prev, segment, last)?;
    link(m, heap, h, granules)
}

/// Writes the header (and the free fill) of a free block at `h`, not yet on a list.
#[inline]
fn write_free_header(
    m: &mut AddressSpace,
    heap: u32,
    h: u32,
    granules: u32,
    prev: u16,
    segment: u32,
    last: bool,
) -> R<()> {
    let flags = m.read_u32(heap + heap_off::FLAGS)?;
    let mut f = if last { ef::LAST_ENTRY } else { 0 };
    if flags & HEAP_FREE_CHECKING_ENABLED != 0 && granules > 2 {
        fill(m, h + 16, granules * GRANULE - 16, FREE_FILL)?;
        f |= ef::FILL_PATTERN;
    }
    write_entry(
        m,
        h,
        Entry {
            size: granules as u16,
            prev,
            segment: segment as u8,
            flags: f,
            unused: 0,
            tag: 0,
        },
    )
}

/// Puts a free block of `new_granules` whose header is (or will be) at `new_h` in the list
/// place of the free block at `old_h` (of `old_granules`, on list 0), when the new size keeps
/// list 0 in order there: one relinking instead of taking the old block off and walking the
/// list for the new one. False (nothing changed) when the place does not fit.
#[inline]
fn replace_on_list(
    m: &mut AddressSpace,
    heap: u32,
    old_h: u32,
    old_granules: u32,
    new_h: u32,
    new_granules: u32,
) -> R<bool> {
    if list_of(old_granules) != 0 || list_of(new_granules) != 0 {
        return Ok(false);
    }
    let head = list_head(heap, 0);
    let links = m.read_u64(old_h + 8)?;
    let (flink, blink) = (links as u32, (links >> 32) as u32);
    if flink == 0 || blink == 0 {
        return Err(HeapFailure::InvalidParameter);
    }
    if m.read_u32(blink)? != old_h + 8 || m.read_u32(flink + 4)? != old_h + 8 {
        return Err(HeapFailure::InvalidParameter);
    }
    let size_at = |m: &AddressSpace, link: u32| -> R<u32> {
        Ok(u32::from(read_entry(m, link.wrapping_sub(8))?.size))
    };
    let fits = (blink == head || size_at(m, blink)? <= new_granules)
        && (flink == head || size_at(m, flink)? >= new_granules);
    if !fits {
        return Ok(false);
    }
    m.write_u64(new_h + 8, links)?;
    m.write_u32(blink, new_h + 8)?;
    m.write_u32(flink + 4, new_h + 8)?;
    add_total_free(m, heap, i64::from(new_granules) - i64::from(old_granules))?;
    Ok(true)
}

/// Destroys a heap: its segments and large blocks are released.
pub fn destroy(m: &mut AddressSpace, heap: u32) -> R<()> {
    header(m, heap)?;
    let vlist = heap + heap_off::VIRTUAL_ALLOCD_BLOCKS;
    let mut at = m.read_u32(vlist)?;
    let mut blocks = Vec::new();
    while at != vlist && blocks.len() < WALK_LIMIT as usize {
        blocks.push(at);
        at = m.read_u32(at)?;
    }
    let mut segments = Vec::new();
    for i in 1..MAXIMUM_SEGMENTS {
        if let Ok(Some(s)) = segment_at(m, heap, i) {
            segments.push(s.base);
        }
    }
    for b in blocks {
        let _ = m.free(b, 0, FreeType::RELEASE);
    }
    for b in segments {
        let _ = m.free(b, 0, FreeType::RELEASE);
    }
    let _ = m.free(heap, 0, FreeType::RELEASE);
    Ok(())
}

/// A free block of at least `want` granules: its header, its entry, and whether it is still
/// on its list (a block of list 0 is left there for [`claim`]).
#[inline]
fn take_free(m: &mut AddressSpace, heap: u32, want: u32) -> R<Option<(u32, Entry, bool)>> {
    if want < FREE_LISTS {
        // The FreeListsInUse words (128 bits), read at once.
        let mut bits = [0u8; 16];
        m.read_bytes(heap + heap_off::FREE_LISTS_IN_USE, &mut bits)?;
        let words: [u32; 4] = std::array::from_fn(|i| {
            u32::from_le_bytes([
                bits[4 * i],
                bits[4 * i + 1],
                bits[4 * i + 2],
                bits[4 * i + 3],
            ])
        });
        let mut n = want;
        while n < FREE_LISTS {
            let index = (n / 32) as usize;
            let word = words[index] >> (n % 32);
            if word == 0 {
                n = (n / 32 + 1) * 32;
                continue;
            }
            n += word.trailing_zeros();
            let head = list_head(heap, n);
            let first = m.read_u32(head)?;
            if first != head {
                let h = first.wrapping_sub(8);
                let e = read_entry(m, h)?;
                if e.busy() || u32::from(e.size) != n {
                    return Err(HeapFailure::InvalidParameter);
                }
                unlink(m, heap, h, n)?;
                return Ok(Some((h, e, false)));
            }
            // A stale bit: the list is empty.
            set_in_use(m, heap, n, false)?;
            n += 1;
        }
    }
    let head = list_head(heap, 0);
    let mut at = m.read_u32(head)?;
    let mut steps = 0;
    while at != head {
        let h = at.wrapping_sub(8);
        let e = read_entry(m, h)?;
        if e.busy() {
            return Err(HeapFailure::InvalidParameter);
        }
        if u32::from(e.size) >= want {
            // Left on list 0: claim moves what it leaves of it into its place.
            return Ok(Some((h, e, true)));
        }
        at = m.read_u32(at)?;
        steps += 1;
        if steps > WALK_LIMIT {
            return Err(HeapFailure::InvalidParameter);
        }
    }
    Ok(None)
}

/// Makes the free block `e` at `h` busy for `size` bytes in `want` granules, splitting off
/// what is left when it can stand as a block of its own. A block still `linked` on list 0
/// hands its place on the list to what is left of it when the order allows, else leaves it.
#[allow(clippy::too_many_arguments)]
#[inline]
fn claim(
    m: &mut AddressSpace,
    heap: u32,
    h: u32,
    e: Entry,
    linked: bool,
    want: u32,
    size: u32,
    flags: u32,
) -> R<u32> {
    let have = u32::from(e.size);
    let last = e.flags & ef::LAST_ENTRY != 0;
    let (used, rest) = if have - want >= 2 {
        (want, have - want)
    } else {
        (have, 0)
    };
    let rest_placed =
        linked && rest > 0 && replace_on_list(m, heap, h, have, h + used * GRANULE, rest)?;
    if linked && !rest_placed {
        unlink(m, heap, h, have)?;
    }
    let extra = flags & HEAP_SETTABLE_USER_VALUE != 0;
    let flags = if tail_room(used, size, extra) < TAIL_SIZE {
        flags & !HEAP_TAIL_CHECKING_ENABLED
    } else {
        flags
    };
    let mut f = ef::BUSY | (((flags & HEAP_SETTABLE_USER_FLAGS) >> 4) as u8);
    if flags & HEAP_SETTABLE_USER_VALUE != 0 {
        f |= ef::EXTRA_PRESENT;
    }
    if flags & HEAP_TAIL_CHECKING_ENABLED != 0 {
        f |= ef::FILL_PATTERN;
    }
    if last && rest == 0 {
        f |= ef::LAST_ENTRY;
    }
    let unused = used * GRANULE - size;
    write_entry(
        m,
        h,
        Entry {
            size: used as u16,
            prev: e.prev,
            segment: e.segment,
            flags: f,
            unused: unused.min(255) as u8,
            tag: 0,
        },
    )?;
    if rest > 0 {
        let free = h + used * GRANULE;
        if rest_placed {
            write_free_header(m, heap, free, rest, used as u16, u32::from(e.segment), last)?;
        } else {
            write_free_block(m, heap, free, rest, used as u16, u32::from(e.segment), last)?;
        }
        set_next_prev(m, free, rest, last)?;
    } else {
        set_next_prev(m, h, used, last)?;
    }
    finish_busy(m, h + ENTRY_SIZE, used, size, flags)?;
    Ok(h + ENTRY_SIZE)
}

/// The tail fill and extra of a new busy block; its data zeroed when asked.
#[inline]
fn finish_busy(m: &mut AddressSpace, at: u32, granules: u32, size: u32, flags: u32) -> R<()> {
    let end = at - ENTRY_SIZE + granules * GRANULE;
    if flags & HEAP_SETTABLE_USER_VALUE != 0 {
        m.write_u64(end - 8, 0)?;
    }
    if flags & HEAP_ZERO_MEMORY != 0 {
        zero(m, at, size)?;
    } else if flags & HEAP_FREE_CHECKING_ENABLED != 0 {
        // A block that was filled as free: clear the fill's first words (the links).
        m.write_u64(at, 0)?;
    }
    // The tail fill last: a block smaller than the cleared words keeps it.
    if flags & HEAP_TAIL_CHECKING_ENABLED != 0 {
        m.write_bytes(at + size, &[TAIL_FILL; TAIL_SIZE as usize])?;
    }
    Ok(())
}

/// Commits more of a segment (or adds a segment) so that a free block of `want` granules
/// exists; returns it taken off its list.
fn extend(m: &mut AddressSpace, heap: u32, want: u32, growable: bool) -> R<Option<(u32, Entry)>> {
    let page = m.page_size().bytes();
    let need = want * GRANULE;
    for i in 0..MAXIMUM_SEGMENTS {
        let Some(mut s) = segment_at(m, heap, i)? else {
            continue;
        };
        if s.uncommitted_pages == 0 {
            continue;
        }
        let end = s.committed_end();
        // The segment's last block: free ones grow, else a new block starts at the end.
        let last = find_last_entry(m, &s)?;
        let (start, prev, reuse) = match last {
            Some((h, e)) if !e.busy() => (h, e.prev, Some(e)),
            Some((_, e)) => (end, e.size, None),
            None => (s.first, (seg_off::SIZE / GRANULE) as u16, None),
        };
        let available = s.end - start;
        if available < need {
            continue;
        }
        let commit_to = round_up(start + need, page)
            .ok_or(HeapFailure::NoMemory)?
            .min(s.end);
        if commit_to > end {
            m.allocate(
                end,
                commit_to - end,
                AllocationType::COMMIT,
                PageProtection::READWRITE,
            )
            .map_err(|_| HeapFailure::NoMemory)?;
            s.uncommitted_pages -= (commit_to - end) / page;
            write_segment_commit(m, &s)?;
        }
        let granules = (commit_to - start) / GRANULE;
        if let Some(e) = reuse {
            unlink(m, heap, start, u32::from(e.size))?;
        } else if let Some((h, mut e)) = last {
            e.flags &= !ef::LAST_ENTRY;
            write_entry(m, h, e)?;
        }
        // The new last block of the committed part, handed out off any list.
        let e = Entry {
            size: granules as u16,
            prev,
            segment: i as u8,
            flags: ef::LAST_ENTRY,
            unused: 0,
            tag: 0,
        };
        write_entry(m, start, e)?;
        return Ok(Some((start, e)));
    }
    if !growable {
        return Ok(None);
    }
    // A new segment, at least SegmentReserve, committing what the block needs.
    let Some(index) = (1..MAXIMUM_SEGMENTS).find(|&i| {
        m.read_u32(heap + heap_off::SEGMENTS + 4 * i)
            .is_ok_and(|v| v == 0)
    }) else {
        return Ok(None);
    };
    let bytes = need
        .checked_add(seg_off::SIZE)
        .ok_or(HeapFailure::NoMemory)?;
    let reserve = round_up(bytes, 0x1_0000)
        .ok_or(HeapFailure::NoMemory)?
        .max(SEGMENT_RESERVE);
    let commit = round_up(bytes, page).ok_or(HeapFailure::NoMemory)?;
    let (base, _) = m
        .allocate(
            0,
            reserve,
            AllocationType::RESERVE,
            PageProtection::READWRITE,
        )
        .map_err(|_| HeapFailure::NoMemory)?;
    if m.allocate(
        base,
        commit,
        AllocationType::COMMIT,
        PageProtection::READWRITE,
    )
    .is_err()
    {
        let _ = m.free(base, 0, FreeType::RELEASE);
        return Err(HeapFailure::NoMemory);
    }
    init_segment(m, heap, index, base, base, reserve, commit, 0)?;
    let first = base + seg_off::SIZE;
    let e = read_entry(m, first)?;
    unlink(m, heap, first, u32::from(e.size))?;
    Ok(Some((first, e)))
}

/// The last block of a segment's committed part.
fn find_last_entry(m: &AddressSpace, s: &Segment) -> R<Option<(u32, Entry)>> {
    let end = s.committed_end();
    let mut h = s.first;
    let mut last = None;
    let mut steps = 0;
    while h < end {
        let e = read_entry(m, h)?;
        if e.size < 2 || h + e.bytes() > end {
            return Err(HeapFailure::InvalidParameter);
        }
        last = Some((h, e));
        if e.flags & ef::LAST_ENTRY != 0 {
            break;
        }
        h += e.bytes();
        steps += 1;
        if steps > max_blocks_in(end - s.first) + 1 {
            return Err(HeapFailure::InvalidParameter);
        }
    }
    Ok(last)
}

/// RtlAllocateHeap's work once the flags are known: a block for `size` bytes.
fn allocate_block(m: &mut AddressSpace, heap: u32, flags: u32, size: u32) -> R<u32> {
    let heap_flags = m.read_u32(heap + heap_off::FLAGS)?;
    allocate_with(m, heap, heap_flags, flags, size)
}

/// [`allocate_block`] with the heap's flags already read.
fn allocate_with(
    m: &mut AddressSpace,
    heap: u32,
    heap_flags: u32,
    flags: u32,
    size: u32,
) -> R<u32> {
    if size > MAXIMUM_ALLOCATION {
        return Err(HeapFailure::NoMemory);
    }
    let want = granules_for(size, overhead(sizing_flags_of(heap_flags, flags)))
        .ok_or(HeapFailure::NoMemory)?;
    let growable = flags & HEAP_GROWABLE != 0;
    if want > VIRTUAL_THRESHOLD {
        if !growable {
            return Err(HeapFailure::NoMemory);
        }
        return allocate_virtual(m, heap, flags, size);
    }
    let found = match take_free(m, heap, want)? {
        Some(f) => Some(f),
        None => extend(m, heap, want, growable)?.map(|(h, e)| (h, e, false)),
    };
    let Some((h, e, linked)) = found else {
        return Err(HeapFailure::NoMemory);
    };
    claim(m, heap, h, e, linked, want, size, flags)
}

/// A large block with a reservation of its own, behind a HEAP_VIRTUAL_ALLOC_ENTRY.
fn allocate_virtual(m: &mut AddressSpace, heap: u32, flags: u32, size: u32) -> R<u32> {
    let page = m.page_size().bytes();
    let commit = round_up(
        size.checked_add(VIRTUAL_HEADER)
            .ok_or(HeapFailure::NoMemory)?,
        page,
    )
    .ok_or(HeapFailure::NoMemory)?;
    let (base, _) = m
        .allocate(
            0,
            commit,
            AllocationType::RESERVE | AllocationType::COMMIT,
            PageProtection::READWRITE,
        )
        .map_err(|_| HeapFailure::NoMemory)?;
    // Entry (LIST_ENTRY), ExtraStuff (HEAP_ENTRY_EXTRA), CommitSize, ReserveSize, BusyBlock.
    let vlist = heap + heap_off::VIRTUAL_ALLOCD_BLOCKS;
    let tail = m.read_u32(vlist + 4)?;
    m.write_u64(base, u64::from(vlist) | u64::from(tail) << 32)?;
    m.write_u32(tail, base)?;
    m.write_u32(vlist + 4, base)?;
    m.write_u64(base + 8, 0)?;
    m.write_u32(base + 0x10, commit)?;
    m.write_u32(base + 0x14, commit)?;
    let f = ef::BUSY
        | ef::VIRTUAL_ALLOC
        | ef::EXTRA_PRESENT
        | (((flags & HEAP_SETTABLE_USER_FLAGS) >> 4) as u8);
    write_entry(
        m,
        base + 0x18,
        Entry {
            // The bytes of the commit past the caller's data.
            size: (commit - VIRTUAL_HEADER - size) as u16,
            prev: 0,
            segment: 0,
            flags: f,
            unused: 0,
            tag: 0,
        },
    )?;
    Ok(base + VIRTUAL_HEADER)
}

/// The large block whose data is at `at`, if it is one of the heap's: its base.
fn virtual_block(m: &AddressSpace, heap: u32, at: u32) -> R<Option<u32>> {
    let Some(base) = at.checked_sub(VIRTUAL_HEADER) else {
        return Ok(None);
    };
    let vlist = heap + heap_off::VIRTUAL_ALLOCD_BLOCKS;
    let mut b = m.read_u32(vlist)?;
    let mut steps = 0;
    while b != vlist {
        if b == base {
            return Ok(Some(base));
        }
        b = m.read_u32(b)?;
        steps += 1;
        if steps > WALK_LIMIT {
            return Err(HeapFailure::InvalidParameter);
        }
    }
    Ok(None)
}

/// What a pointer given to the heap is.
enum Block {
    /// A block of a segment: its header and the segment.
    Small(u32, Entry, Segment),
    /// A large block: its HEAP_VIRTUAL_ALLOC_ENTRY.
    Large(u32),
}

/// The busy block whose data is at `at`.
#[inline]
fn busy_block(m: &AddressSpace, heap: u32, at: u32) -> R<Block> {
    if at & (GRANULE - 1) != 0 || at < ENTRY_SIZE {
        return Err(HeapFailure::InvalidParameter);
    }
    let h = at - ENTRY_SIZE;
    let e = read_entry(m, h)?;
    if !e.busy() {
        return Err(HeapFailure::InvalidParameter);
    }
    if e.flags & ef::VIRTUAL_ALLOC != 0 {
        return match virtual_block(m, heap, at)? {
            Some(base) => Ok(Block::Large(base)),
            None => Err(HeapFailure::InvalidParameter),
        };
    }
    let s = segment_at(m, heap, u32::from(e.segment))?.ok_or(HeapFailure::InvalidParameter)?;
    let end = s.committed_end();
    if h < s.first || e.size < 2 || u64::from(h) + u64::from(e.bytes()) > u64::from(end) {
        return Err(HeapFailure::InvalidParameter);
    }
    Ok(Block::Small(h, e, s))
}

/// The size the caller asked for of a busy block.
fn block_size(m: &AddressSpace, block: &Block) -> R<u32> {
    match *block {
        Block::Small(_, e, _) => e
            .bytes()
            .checked_sub(u32::from(e.unused))
            .ok_or(HeapFailure::InvalidParameter),
        Block::Large(base) => {
            let commit = m.read_u32(base + 0x10)?;
            let e = read_entry(m, base + 0x18)?;
            commit
                .checked_sub(VIRTUAL_HEADER + u32::from(e.size))
                .ok_or(HeapFailure::InvalidParameter)
        }
    }
}

/// Frees a busy block, coalescing it with free neighbours unless the heap says not to.
#[inline]
fn free_block(m: &mut AddressSpace, heap: u32, flags: u32, block: Block) -> R<()> {
    let (h, e, s) = match block {
        Block::Large(base) => {
            let flink = m.read_u32(base)?;
            let blink = m.read_u32(base + 4)?;
            m.write_u32(blink, flink)?;
            m.write_u32(flink + 4, blink)?;
            m.free(base, 0, FreeType::RELEASE)
                .map_err(|_| HeapFailure::InvalidParameter)?;
            return Ok(());
        }
        Block::Small(h, e, s) => (h, e, s),
    };
    let mut start = h;
    let mut granules = u32::from(e.size);
    let mut prev = e.prev;
    let mut last = e.flags & ef::LAST_ENTRY != 0;
    // The free block after, still on its list until the merged block's place is known.
    let mut after: Option<(u32, u32)> = None;
    if flags & HEAP_DISABLE_COALESCE_ON_FREE == 0 {
        // The block after, when free.
        if !last {
            let next = h + granules * GRANULE;
            let n = read_entry(m, next)?;
            if !n.busy() && n.size >= 2 && granules + u32::from(n.size) <= 0xFFFF {
                after = Some((next, u32::from(n.size)));
                granules += u32::from(n.size);
                last = n.flags & ef::LAST_ENTRY != 0;
            }
        }
        // The block before, when free.
        if prev != 0 && h > s.first {
            let before = h.saturating_sub(u32::from(prev) * GRANULE);
            if before >= s.first {
                let p = read_entry(m, before)?;
                if !p.busy() && p.size == prev && granules + u32::from(p.size) <= 0xFFFF {
                    unlink(m, heap, before, u32::from(p.size))?;
                    m.write_u64(h, 0)?;
                    start = before;
                    granules += u32::from(p.size);
                    prev = p.prev;
                }
            }
        }
    }
    // The merged block takes the place of the one after it on list 0 when the order allows.
    let placed = match after {
        Some((next, n)) => {
            let placed = replace_on_list(m, heap, next, n, start, granules)?;
            if !placed {
                unlink(m, heap, next, n)?;
            }
            m.write_u64(next, 0)?;
            placed
        }
        None => false,
    };
    if placed {
        write_free_header(m, heap, start, granules, prev, s.index, last)?;
    } else {
        write_free_block(m, heap, start, granules, prev, s.index, last)?;
    }
    set_next_prev(m, start, granules, last)
}

/// Grows or shrinks a large block where it is: within its committed pages only. Shrinking
/// decommits the whole pages the block no longer uses, as NT's heap does, so a block shrunk
/// cannot grow back in place beyond its last page. The header's Size keeps the bytes of the
/// commit past the caller's data, which this keeps below a page.
fn resize_large(m: &mut AddressSpace, base: u32, size: u32) -> R<Option<u32>> {
    let commit = m.read_u32(base + 0x10)?;
    let Some(needed) = size.checked_add(VIRTUAL_HEADER).filter(|&n| n <= commit) else {
        return Ok(None);
    };
    let page = m.page_size().bytes();
    let kept = round_up(needed, page).ok_or(HeapFailure::NoMemory)?;
    let commit = if kept < commit {
        m.free(base + kept, commit - kept, FreeType::DECOMMIT)
            .map_err(|_| HeapFailure::InvalidParameter)?;
        m.write_u32(base + 0x10, kept)?;
        kept
    } else {
        commit
    };
    let mut e = read_entry(m, base + 0x18)?;
    e.size = u16::try_from(commit - needed).map_err(|_| HeapFailure::InvalidParameter)?;
    write_entry(m, base + 0x18, e)?;
    Ok(Some(base + VIRTUAL_HEADER))
}

/// Grows or shrinks a block of a segment where it is (with the free block after it).
fn resize_small(
    m: &mut AddressSpace,
    heap: u32,
    h: u32,
    e: Entry,
    size: u32,
    flags: u32,
) -> R<Option<u32>> {
    let want =
        granules_for(size, overhead(sizing_flags(m, heap, flags)?)).ok_or(HeapFailure::NoMemory)?;
    if want > VIRTUAL_THRESHOLD {
        return Ok(None);
    }
    let have = u32::from(e.size);
    let last = e.flags & ef::LAST_ENTRY != 0;
    if want <= have {
        let rest = have - want;
        if rest >= 2 {
            let free = h + want * GRANULE;
            // Merge the freed tail with a free block after it.
            let mut granules = rest;
            let mut free_last = last;
            if !last {
                let next = h + have * GRANULE;
                let n = read_entry(m, next)?;
                if !n.busy() && n.size >= 2 && granules + u32::from(n.size) <= 0xFFFF {
                    unlink(m, heap, next, u32::from(n.size))?;
                    m.write_u64(next, 0)?;
                    granules += u32::from(n.size);
                    free_last = n.flags & ef::LAST_ENTRY != 0;
                }
            }
            write_busy_header(m, h, e, want, size, false)?;
            write_free_block(
                m,
                heap,
                free,
                granules,
                want as u16,
                u32::from(e.segment),
                free_last,
            )?;
            set_next_prev(m, free, granules, free_last)?;
        } else {
            write_busy_header(m, h, e, have, size, last)?;
        }
        return Ok(Some(h + ENTRY_SIZE));
    }
    if last {
        return Ok(None);
    }
    let next = h + have * GRANULE;
    let n = read_entry(m, next)?;
    if n.busy() || have + u32::from(n.size) < want || have + u32::from(n.size) > 0xFFFF {
        return Ok(None);
    }
    // The user value at the block's end, before the merge moves the end.
    let value = if e.flags & ef::EXTRA_PRESENT != 0 {
        Some(m.read_u64(h + e.bytes() - 8)?)
    } else {
        None
    };
    unlink(m, heap, next, u32::from(n.size))?;
    m.write_u64(next, 0)?;
    let merged = Entry {
        size: (have + u32::from(n.size)) as u16,
        flags: (e.flags & !ef::LAST_ENTRY) | (n.flags & ef::LAST_ENTRY),
        ..e
    };
    let merged_last = merged.flags & ef::LAST_ENTRY != 0;
    let total = u32::from(merged.size);
    let granules = if total - want >= 2 {
        write_busy_header(m, h, merged, want, size, false)?;
        let free = h + want * GRANULE;
        write_free_block(
            m,
            heap,
            free,
            total - want,
            want as u16,
            u32::from(e.segment),
            merged_last,
        )?;
        set_next_prev(m, free, total - want, merged_last)?;
        want
    } else {
        write_busy_header(m, h, merged, total, size, merged_last)?;
        set_next_prev(m, h, total, merged_last)?;
        total
    };
    if let Some(v) = value {
        m.write_u64(h + granules * GRANULE - 8, v)?;
    }
    Ok(Some(h + ENTRY_SIZE))
}

fn write_busy_header(
    m: &mut AddressSpace,
    h: u32,
    e: Entry,
    granules: u32,
    size: u32,
    last: bool,
) -> R<()> {
    let mut flags = e.flags & !ef::LAST_ENTRY;
    if last {
        flags |= ef::LAST_ENTRY;
    }
    let extra = e.flags & ef::EXTRA_PRESENT != 0;
    if tail_room(granules, size, extra) < TAIL_SIZE {
        flags &= !ef::FILL_PATTERN;
    }
    // Keep the user value: it moves to the block's new end.
    let value = if extra {
        Some(m.read_u64(h + e.bytes() - 8)?)
    } else {
        None
    };
    write_entry(
        m,
        h,
        Entry {
            size: granules as u16,
            flags,
            unused: (granules * GRANULE - size).min(255) as u8,
            ..e
        },
    )?;
    if let Some(v) = value {
        m.write_u64(h + granules * GRANULE - 8, v)?;
    }
    if flags & ef::FILL_PATTERN != 0 {
        m.write_bytes(h + ENTRY_SIZE + size, &[TAIL_FILL; TAIL_SIZE as usize])?;
    }
    Ok(())
}

/// RtlFreeHeap of the busy block at `at` (not NULL) with the call's effective `flags`, the
/// heap's lock free or the caller's.
#[inline]
fn free_with(m: &mut AddressSpace, heap: u32, flags: u32, at: u32) -> R<()> {
    let block = busy_block(m, heap, at)?;
    if let Block::Small(h, e, _) = &block
        && e.flags & ef::FILL_PATTERN != 0
        && !tail_intact(m, *h, *e)?
    {
        return Err(HeapFailure::InvalidParameter);
    }
    free_block(m, heap, flags, block)
}

/// The effective flags of a call: the caller's and the heap's forced ones, with
/// HEAP_GROWABLE from the heap.
#[inline]
fn effective(h: Header, flags: u32) -> u32 {
    (flags | h.force) | (h.flags & HEAP_GROWABLE)
}

/// The calls' serialization: Err(Locked) when another (live) thread holds the heap's lock.
#[inline]
fn check_lock(
    m: &AddressSpace,
    heap: u32,
    flags: u32,
    me: u32,
    alive: &dyn Fn(u32) -> bool,
) -> R<()> {
    if flags & HEAP_NO_SERIALIZE != 0 {
        return Ok(());
    }
    let owner = m.read_u32(heap + heap_off::LOCK + lock_off::OWNING_THREAD)?;
    if owner != 0 && owner != me && alive(owner) {
        return Err(HeapFailure::Locked);
    }
    Ok(())
}

/// A heap call's view of the calling thread: its process's memory and whether a thread id
/// is alive (for the heap lock).
pub struct HeapCall<'a> {
    /// The process's address space.
    pub space: &'a mut AddressSpace,
    /// The calling thread's id.
    pub thread: u32,
    /// The ids of the process's live threads.
    pub live: &'a [u32],
}

impl HeapCall<'_> {
    fn prologue(&mut self, heap: u32, flags: u32) -> R<u32> {
        Ok(self.prologue_header(heap, flags)?.0)
    }

    /// The call's effective flags, and the heap's header.
    fn prologue_header(&mut self, heap: u32, flags: u32) -> R<(u32, Header)> {
        let h = header(self.space, heap)?;
        let flags = effective(h, flags);
        let live = self.live;
        check_lock(self.space, heap, flags, self.thread, &|id| {
            live.contains(&id)
        })?;
        Ok((flags, h))
    }

    /// RtlAllocateHeap.
    pub fn allocate(&mut self, heap: u32, flags: u32, size: u32) -> R<u32> {
        let (flags, h) = self.prologue_header(heap, flags)?;
        allocate_with(self.space, heap, h.flags, flags, size)
    }

    /// RtlFreeHeap: a NULL pointer frees nothing.
    pub fn free(&mut self, heap: u32, flags: u32, at: u32) -> R<()> {
        if at == 0 {
            return Ok(());
        }
        let flags = self.prologue(heap, flags)?;
        free_with(self.space, heap, flags, at)
    }

    /// RtlSizeHeap: the size the block was asked for.
    pub fn size(&mut self, heap: u32, flags: u32, at: u32) -> R<u32> {
        let h = header(self.space, heap)?;
        let flags = effective(h, flags);
        let live = self.live;
        check_lock(self.space, heap, flags, self.thread, &|id| {
            live.contains(&id)
        })?;
        let block = busy_block(self.space, heap, at)?;
        if flags & HEAP_VALIDATE_PARAMETERS_ENABLED != 0
            && let Block::Small(h, e, _) = &block
            && e.flags & ef::FILL_PATTERN != 0
            && !tail_intact(self.space, *h, *e)?
        {
            return Err(HeapFailure::InvalidParameter);
        }
        block_size(self.space, &block)
    }

    /// RtlReAllocateHeap: in place when the block (and a free block after it) holds the
    /// new size, else moved unless HEAP_REALLOC_IN_PLACE_ONLY. The block is unchanged on
    /// failure.
    pub fn reallocate(&mut self, heap: u32, flags: u32, at: u32, size: u32) -> R<u32> {
        let flags = self.prologue(heap, flags)?;
        if size > MAXIMUM_ALLOCATION {
            return Err(HeapFailure::NoMemory);
        }
        let block = busy_block(self.space, heap, at)?;
        let old = block_size(self.space, &block)?;
        let in_place = match &block {
            Block::Small(h, e, _) => {
                // Keep the block's own extras (user value, user flags).
                let keep = flags
                    | if e.flags & ef::EXTRA_PRESENT != 0 {
                        HEAP_SETTABLE_USER_VALUE
                    } else {
                        0
                    };
                resize_small(self.space, heap, *h, *e, size, keep)?
            }
            Block::Large(base) => resize_large(self.space, *base, size)?,
        };
        if let Some(p) = in_place {
            if flags & HEAP_ZERO_MEMORY != 0 && size > old {
                zero(self.space, p + old, size - old)?;
            }
            return Ok(p);
        }
        if flags & HEAP_REALLOC_IN_PLACE_ONLY != 0 {
            return Err(HeapFailure::NoMemory);
        }
        let (user_flags, value) = user_info(self.space, &block)?;
        let mut new_flags = (flags & !HEAP_SETTABLE_USER_FLAGS) | user_flags;
        if value.is_some() {
            new_flags |= HEAP_SETTABLE_USER_VALUE;
        }
        let new = allocate_block(self.space, heap, new_flags & !HEAP_ZERO_MEMORY, size)?;
        copy(self.space, at, new, old.min(size))?;
        if flags & HEAP_ZERO_MEMORY != 0 && size > old {
            zero(self.space, new + old, size - old)?;
        }
        if let Some(v) = value {
            let moved = busy_block(self.space, heap, new)?;
            set_user_value(self.space, &moved, v)?;
        }
        // The allocation may have split the block's neighbour: its header is read again.
        let block = busy_block(self.space, heap, at)?;
        free_block(self.space, heap, flags, block)?;
        Ok(new)
    }

    /// RtlValidateHeap: one block (`at`) or the whole heap (`at` 0). Err(AccessViolation)
    /// when `at` cannot be read.
    pub fn validate(&mut self, heap: u32, flags: u32, at: u32) -> R<bool> {
        let h = header(self.space, heap)?;
        let live = self.live;
        check_lock(self.space, heap, effective(h, flags), self.thread, &|id| {
            live.contains(&id)
        })?;
        if at != 0 {
            if at & (GRANULE - 1) != 0 {
                return Ok(false);
            }
            // A pointer that is no guest memory is an access violation, as NT's probe of
            // the header is.
            self.space.read_u64(at.wrapping_sub(ENTRY_SIZE))?;
            return match busy_block(self.space, heap, at) {
                Ok(Block::Small(h, e, _)) if e.flags & ef::FILL_PATTERN != 0 => {
                    tail_intact(self.space, h, e)
                }
                Ok(_) => Ok(true),
                Err(_) => Ok(false),
            };
        }
        validate_all(self.space, heap)
    }
}

fn copy(m: &mut AddressSpace, from: u32, to: u32, len: u32) -> R<()> {
    let mut buf = [0u8; 4096];
    let mut done = 0;
    while done < len {
        let n = (len - done).min(buf.len() as u32) as usize;
        m.read_bytes(from + done, &mut buf[..n])?;
        m.write_bytes(to + done, &buf[..n])?;
        done += n as u32;
    }
    Ok(())
}

/// True when a block's tail fill is intact.
fn tail_intact(m: &AddressSpace, h: u32, e: Entry) -> R<bool> {
    let size = e
        .bytes()
        .checked_sub(u32::from(e.unused))
        .ok_or(HeapFailure::InvalidParameter)?;
    let mut tail = [0u8; TAIL_SIZE as usize];
    m.read_bytes(h + ENTRY_SIZE + size, &mut tail)?;
    Ok(tail == [TAIL_FILL; TAIL_SIZE as usize])
}

/// Checks every segment's chain of blocks, the free lists and the fill patterns.
fn validate_all(m: &AddressSpace, heap: u32) -> R<bool> {
    let mut free_granules = 0u64;
    for i in 0..MAXIMUM_SEGMENTS {
        let s = match segment_at(m, heap, i) {
            Ok(Some(s)) => s,
            Ok(None) => continue,
            Err(_) => return Ok(false),
        };
        let end = s.committed_end();
        let mut h = s.first;
        let mut prev = 0;
        let mut first = true;
        while h < end {
            let Ok(e) = read_entry(m, h) else {
                return Ok(false);
            };
            if e.size < 2 || h + e.bytes() > end || u32::from(e.segment) != i {
                return Ok(false);
            }
            if !first && e.prev != prev {
                return Ok(false);
            }
            if e.busy() {
                if e.flags & ef::FILL_PATTERN != 0 && !tail_intact(m, h, e)? {
                    return Ok(false);
                }
            } else {
                free_granules += u64::from(e.size);
                if e.flags & ef::FILL_PATTERN != 0
                    && !bytes_match(m, h + 16, e.bytes() - 16, FREE_FILL)?
                {
                    return Ok(false);
                }
            }
            first = false;
            prev = e.size;
            let last = e.flags & ef::LAST_ENTRY != 0;
            h += e.bytes();
            if last {
                break;
            }
        }
    }
    let total = m.read_u32(heap + heap_off::TOTAL_FREE_SIZE)?;
    Ok(u64::from(total) == free_granules)
}

/// The user flags (HEAP_SETTABLE_USER_FLAGS) and user value (when the block keeps one) of a
/// busy block.
fn user_info(m: &AddressSpace, block: &Block) -> R<(u32, Option<u32>)> {
    match *block {
        Block::Small(h, e, _) => {
            let flags = u32::from(e.flags & ef::SETTABLE_FLAGS) << 4;
            let value = if e.flags & ef::EXTRA_PRESENT != 0 {
                Some(m.read_u32(h + e.bytes() - 4)?)
            } else {
                None
            };
            Ok((flags, value))
        }
        Block::Large(base) => {
            let e = read_entry(m, base + 0x18)?;
            Ok((
                u32::from(e.flags & ef::SETTABLE_FLAGS) << 4,
                Some(m.read_u32(base + 0x0C)?),
            ))
        }
    }
}

fn set_user_value(m: &mut AddressSpace, block: &Block, value: u32) -> R<bool> {
    match *block {
        Block::Small(h, e, _) => {
            if e.flags & ef::EXTRA_PRESENT == 0 {
                return Ok(false);
            }
            m.write_u32(h + e.bytes() - 4, value)?;
            Ok(true)
        }
        Block::Large(base) => {
            m.write_u32(base + 0x0C, value)?;
            Ok(true)
        }
    }
}

/// RtlGetUserInfoHeap: the block's user value (None when it keeps none) and user flags.
pub fn get_user_info(m: &AddressSpace, heap: u32, at: u32) -> R<(Option<u32>, u32)> {
    header(m, heap)?;
    let block = busy_block(m, heap, at)?;
    let (flags, value) = user_info(m, &block)?;
    Ok((value, flags))
}

/// RtlSetUserValueHeap: false when the block keeps no user value.
pub fn set_user_value_of(m: &mut AddressSpace, heap: u32, at: u32, value: u32) -> R<bool> {
    header(m, heap)?;
    let block = busy_block(m, heap, at)?;
    set_user_value(m, &block, value)
}

/// RtlSetUserFlagsHeap: clears `reset` and sets `set` among HEAP_SETTABLE_USER_FLAGS.
pub fn set_user_flags(m: &mut AddressSpace, heap: u32, at: u32, reset: u32, set: u32) -> R<()> {
    if (reset | set) & !HEAP_SETTABLE_USER_FLAGS != 0 {
        return Err(HeapFailure::InvalidParameter);
    }
    header(m, heap)?;
    let (h, mut e) = match busy_block(m, heap, at)? {
        Block::Small(h, e, _) => (h, e),
        Block::Large(base) => (base + 0x18, read_entry(m, base + 0x18)?),
    };
    e.flags = (e.flags & !((reset >> 4) as u8)) | ((set >> 4) as u8);
    write_entry(m, h, e)
}

/// The busy block `at` of the heap: its size, when it is one (for GlobalHandle-like
/// lookups that must not fail loudly).
pub fn busy_size(m: &AddressSpace, heap: u32, at: u32) -> Option<u32> {
    let block = busy_block(m, heap, at).ok()?;
    block_size(m, &block).ok()
}

/// RtlCompactHeap: the largest free block, in bytes (the heap coalesces on free already).
pub fn largest_free(m: &AddressSpace, heap: u32) -> R<u32> {
    header(m, heap)?;
    let mut largest = 0u32;
    for n in (1..FREE_LISTS).rev() {
        let head = list_head(heap, n);
        if m.read_u32(head)? != head {
            largest = n;
            break;
        }
    }
    let head = list_head(heap, 0);
    let mut at = m.read_u32(head)?;
    let mut steps = 0;
    while at != head {
        let e = read_entry(m, at.wrapping_sub(8))?;
        largest = largest.max(u32::from(e.size));
        at = m.read_u32(at)?;
        steps += 1;
        if steps > WALK_LIMIT {
            return Err(HeapFailure::InvalidParameter);
        }
    }
    Ok(largest.saturating_mul(GRANULE).saturating_sub(ENTRY_SIZE))
}

/// An entry of a heap walk (RTL_HEAP_WALK_ENTRY / PROCESS_HEAP_ENTRY before the flags are
/// translated).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct WalkEntry {
    /// lpData.
    pub data: u32,
    /// cbData.
    pub size: u32,
    /// cbOverhead.
    pub overhead: u8,
    /// iRegionIndex: the segment, or [`MAXIMUM_SEGMENTS`] for a large block.
    pub region: u8,
    /// What the entry is.
    pub kind: WalkKind,
    /// For a busy block: its user flags (HEAP_SETTABLE_USER_FLAGS) and user value.
    pub user_flags: u32,
    /// The block's user value (0 when it keeps none).
    pub user_value: u32,
    /// For a region: committed and uncommitted bytes, first block and end.
    pub committed: u32,
    /// Uncommitted bytes of a region.
    pub uncommitted: u32,
    /// The region's first block.
    pub first_block: u32,
    /// The region's end.
    pub last_block: u32,
}

/// What a walk entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum WalkKind {
    /// The start of a segment (PROCESS_HEAP_REGION).
    #[default]
    Region,
    /// A busy block.
    Busy,
    /// A free block.
    Free,
    /// A segment's uncommitted part (PROCESS_HEAP_UNCOMMITTED_RANGE).
    Uncommitted,
}

fn region_entry(s: &Segment) -> WalkEntry {
    let committed = s.committed_end() - s.base;
    WalkEntry {
        data: s.base,
        size: s.first - s.base - ENTRY_SIZE,
        overhead: 0,
        region: s.index as u8,
        kind: WalkKind::Region,
        committed,
        uncommitted: s.uncommitted_pages * s.page,
        first_block: s.first,
        last_block: s.end,
        ..WalkEntry::default()
    }
}

fn block_entry(m: &AddressSpace, h: u32, e: Entry, index: u32) -> R<WalkEntry> {
    if e.busy() {
        let flags = u32::from(e.flags & ef::SETTABLE_FLAGS) << 4;
        let value = if e.flags & ef::EXTRA_PRESENT != 0 {
            m.read_u32(h + e.bytes() - 4)?
        } else {
            0
        };
        Ok(WalkEntry {
            data: h + ENTRY_SIZE,
            size: e.bytes().saturating_sub(u32::from(e.unused)),
            overhead: e.unused,
            region: index as u8,
            kind: WalkKind::Busy,
            user_flags: flags,
            user_value: value,
            ..WalkEntry::default()
        })
    } else {
        Ok(WalkEntry {
            data: h + 16,
            size: e.bytes().saturating_sub(16),
            overhead: 16,
            region: index as u8,
            kind: WalkKind::Free,
            ..WalkEntry::default()
        })
    }
}

/// The first entry of segment `index` or later, or the first large block.
fn region_from(m: &AddressSpace, heap: u32, index: u32) -> R<Option<WalkEntry>> {
    for i in index..MAXIMUM_SEGMENTS {
        if let Some(s) = segment_at(m, heap, i)? {
            return Ok(Some(region_entry(&s)));
        }
    }
    large_from(m, heap, heap + heap_off::VIRTUAL_ALLOCD_BLOCKS)
}

/// The large block after the list entry `after`.
fn large_from(m: &AddressSpace, heap: u32, after: u32) -> R<Option<WalkEntry>> {
    let vlist = heap + heap_off::VIRTUAL_ALLOCD_BLOCKS;
    let next = m.read_u32(after)?;
    if next == vlist {
        return Ok(None);
    }
    let commit = m.read_u32(next + 0x10)?;
    let e = read_entry(m, next + 0x18)?;
    Ok(Some(WalkEntry {
        data: next + VIRTUAL_HEADER,
        size: commit.saturating_sub(VIRTUAL_HEADER + u32::from(e.size)),
        overhead: VIRTUAL_HEADER as u8,
        region: MAXIMUM_SEGMENTS as u8,
        kind: WalkKind::Busy,
        user_flags: u32::from(e.flags & ef::SETTABLE_FLAGS) << 4,
        user_value: m.read_u32(next + 0x0C)?,
        ..WalkEntry::default()
    }))
}

/// RtlWalkHeap: the entry after `previous` (None: the first), or None at the end.
pub fn walk(m: &AddressSpace, heap: u32, previous: Option<WalkEntry>) -> R<Option<WalkEntry>> {
    header(m, heap)?;
    let Some(p) = previous else {
        return region_from(m, heap, 0);
    };
    if u32::from(p.region) >= MAXIMUM_SEGMENTS {
        let base = p.data.wrapping_sub(VIRTUAL_HEADER);
        return large_from(m, heap, base);
    }
    let index = u32::from(p.region);
    let s = segment_at(m, heap, index)?.ok_or(HeapFailure::InvalidParameter)?;
    let after_blocks = |m: &AddressSpace| -> R<Option<WalkEntry>> {
        if s.uncommitted_pages != 0 {
            let start = s.committed_end();
            return Ok(Some(WalkEntry {
                data: start,
                size: s.end - start,
                overhead: 0,
                region: index as u8,
                kind: WalkKind::Uncommitted,
                ..WalkEntry::default()
            }));
        }
        region_from(m, heap, index + 1)
    };
    let next_header = match p.kind {
        WalkKind::Region => s.first,
        WalkKind::Uncommitted => return region_from(m, heap, index + 1),
        WalkKind::Busy | WalkKind::Free => {
            let h = p.data
                - if p.kind == WalkKind::Busy {
                    ENTRY_SIZE
                } else {
                    16
                };
            let e = read_entry(m, h)?;
            if e.flags & ef::LAST_ENTRY != 0 {
                return after_blocks(m);
            }
            h + e.bytes()
        }
    };
    if next_header >= s.committed_end() {
        return after_blocks(m);
    }
    let e = read_entry(m, next_header)?;
    if e.size < 2 {
        return Err(HeapFailure::InvalidParameter);
    }
    Ok(Some(block_entry(m, next_header, e, index)?))
}

/// Each process's heaps' wake events, made when a call first waits on a heap's lock.
#[derive(Default)]
struct HeapWaits(PerProcess<BTreeMap<u32, Arc<Object>>>);

/// The event a call waiting for `heap`'s lock waits on.
pub fn wake_event(call: &mut ApiCall<'_>, heap: u32) -> Option<Arc<Object>> {
    let pid = call.thread.process;
    let object = call.process_object()?;
    let objects = call.machine.objects().clone();
    Some(Arc::clone(
        call.state
            .get::<HeapWaits>()
            .0
            .get_or_default(pid, &object)
            .entry(heap)
            .or_insert_with(|| objects.create_event(EventType::Notification, false)),
    ))
}

fn wake_event_if_made(call: &mut ApiCall<'_>, heap: u32) -> Option<Arc<Object>> {
    let pid = call.thread.process;
    let object = call.process_object()?;
    call.state
        .get::<HeapWaits>()
        .0
        .get(pid, &object)?
        .get(&heap)
        .cloned()
}

/// RtlLockHeap: takes the heap's lock for the calling thread (again, if it holds it). Ok(false)
/// when another thread holds it (wait on [`wake_event`] and try again); a heap with
/// HEAP_NO_SERIALIZE has no lock (Ok(true) at once).
pub fn lock(call: &mut ApiCall<'_>, heap: u32) -> R<bool> {
    let me = call.thread.thread;
    let live = live_threads(call);
    let space = call
        .process_mut()
        .map(|p| p.address_space_mut())
        .ok_or(HeapFailure::InvalidParameter)?;
    let h = header(space, heap)?;
    if h.flags & HEAP_NO_SERIALIZE != 0 {
        return Ok(true);
    }
    let lock = heap + heap_off::LOCK;
    let owner = space.read_u32(lock + lock_off::OWNING_THREAD)?;
    let recursion = space.read_u32(lock + lock_off::RECURSION_COUNT)?;
    if owner != 0 && owner != me && live.contains(&owner) && recursion != 0 {
        return Ok(false);
    }
    let recursion = if owner == me { recursion + 1 } else { 1 };
    space.write_u32(lock + lock_off::OWNING_THREAD, me)?;
    space.write_u32(lock + lock_off::RECURSION_COUNT, recursion)?;
    space.write_u32(lock + lock_off::LOCK_COUNT, recursion - 1)?;
    if let Some(e) = wake_event_if_made(call, heap) {
        let _ = e.reset_event();
    }
    Ok(true)
}

/// RtlUnlockHeap: leaves the heap's lock; the last leave wakes the waiting callers.
pub fn unlock(call: &mut ApiCall<'_>, heap: u32) -> R<()> {
    let me = call.thread.thread;
    let space = call
        .process_mut()
        .map(|p| p.address_space_mut())
        .ok_or(HeapFailure::InvalidParameter)?;
    let h = header(space, heap)?;
    if h.flags & HEAP_NO_SERIALIZE != 0 {
        return Ok(());
    }
    let lock = heap + heap_off::LOCK;
    let owner = space.read_u32(lock + lock_off::OWNING_THREAD)?;
    let recursion = space.read_u32(lock + lock_off::RECURSION_COUNT)?;
    if owner != me || recursion == 0 {
        return Ok(());
    }
    let recursion = recursion - 1;
    if recursion == 0 {
        space.write_u32(lock + lock_off::OWNING_THREAD, 0)?;
        space.write_u32(lock + lock_off::LOCK_COUNT, u32::MAX)?;
    } else {
        space.write_u32(lock + lock_off::LOCK_COUNT, recursion - 1)?;
    }
    space.write_u32(lock + lock_off::RECURSION_COUNT, recursion)?;
    if recursion == 0
        && let Some(e) = wake_event_if_made(call, heap)
    {
        let _ = e.set_event();
    }
    Ok(())
}

/// The ids of the calling process's live threads.
pub fn live_threads(call: &ApiCall<'_>) -> Vec<u32> {
    call.process()
        .map(|p| p.threads().iter().map(|t| t.id()).collect())
        .unwrap_or_default()
}

/// Runs `f` on a [`HeapCall`] of the calling thread.
pub fn with_heap_call<T>(
    call: &mut ApiCall<'_>,
    f: impl FnOnce(&mut HeapCall<'_>) -> R<T>,
) -> R<T> {
    let me = call.thread.thread;
    let Some(process) = call.process_mut() else {
        return Err(HeapFailure::InvalidParameter);
    };
    // One thread: nobody else can hold a lock (the common case needs no list).
    let mut live_buf = [0u32; 1];
    let many: Vec<u32>;
    let live: &[u32] = if process.thread_count() == 1 {
        live_buf[0] = process.threads().first().map_or(0, |t| t.id());
        &live_buf
    } else {
        many = process.threads().iter().map(|t| t.id()).collect();
        &many
    };
    let mut hc = HeapCall {
        space: process.address_space_mut(),
        thread: me,
        live,
    };
    f(&mut hc)
}

/// The process's heaps, as the PEB lists them (the process heap first).
pub fn process_heaps(call: &ApiCall<'_>) -> Vec<u32> {
    let Some(p) = call.process() else {
        return Vec::new();
    };
    let m = p.address_space();
    let peb = p.peb();
    let count = m.read_u32(peb + peb_off::NUMBER_OF_HEAPS).unwrap_or(0);
    let array = m.read_u32(peb + peb_off::PROCESS_HEAPS).unwrap_or(0);
    let max = m
        .read_u32(peb + peb_off::MAXIMUM_NUMBER_OF_HEAPS)
        .unwrap_or(0);
    (0..count.min(max))
        .filter_map(|i| m.read_u32(array + 4 * i).ok())
        .collect()
}

/// Adds a heap to the PEB's list (RtlpAddHeapToProcessList).
pub fn add_to_process_list(call: &mut ApiCall<'_>, heap: u32) -> R<()> {
    let Some(p) = call.process_mut() else {
        return Err(HeapFailure::InvalidParameter);
    };
    let peb = p.peb();
    let page = p.architecture().page_size().bytes();
    let m = p.address_space_mut();
    let mut array = m.read_u32(peb + peb_off::PROCESS_HEAPS)?;
    let mut max = m.read_u32(peb + peb_off::MAXIMUM_NUMBER_OF_HEAPS)?;
    if array == 0 {
        array = peb + peb_off::HEAPS_ARRAY;
        max = (page - peb_off::HEAPS_ARRAY) / 4;
        m.write_u32(peb + peb_off::PROCESS_HEAPS, array)?;
        m.write_u32(peb + peb_off::MAXIMUM_NUMBER_OF_HEAPS, max)?;
    }
    let count = m.read_u32(peb + peb_off::NUMBER_OF_HEAPS)?;
    if count >= max {
        return Err(HeapFailure::NoMemory);
    }
    m.write_u32(array + 4 * count, heap)?;
    m.write_u32(peb + peb_off::NUMBER_OF_HEAPS, count + 1)?;
    m.write_u16(
        heap + heap_off::PROCESS_HEAPS_LIST_INDEX,
        (count + 1) as u16,
    )?;
    Ok(())
}

/// Takes a heap off the PEB's list, moving the later ones down.
pub fn remove_from_process_list(call: &mut ApiCall<'_>, heap: u32) -> R<()> {
    let Some(p) = call.process_mut() else {
        return Err(HeapFailure::InvalidParameter);
    };
    let peb = p.peb();
    let m = p.address_space_mut();
    let array = m.read_u32(peb + peb_off::PROCESS_HEAPS)?;
    let count = m
        .read_u32(peb + peb_off::NUMBER_OF_HEAPS)?
        .min(m.read_u32(peb + peb_off::MAXIMUM_NUMBER_OF_HEAPS)?);
    let mut heaps: Vec<u32> = (0..count)
        .map(|i| m.read_u32(array + 4 * i))
        .collect::<Result<_, _>>()?;
    let Some(i) = heaps.iter().position(|&h| h == heap) else {
        return Err(HeapFailure::InvalidParameter);
    };
    heaps.remove(i);
    for (j, &h) in heaps.iter().enumerate() {
        m.write_u32(array + 4 * j as u32, h)?;
        let _ = m.write_u16(h + heap_off::PROCESS_HEAPS_LIST_INDEX, (j + 1) as u16);
    }
    m.write_u32(array + 4 * heaps.len() as u32, 0)?;
    m.write_u32(peb + peb_off::NUMBER_OF_HEAPS, heaps.len() as u32)?;
    Ok(())
}

/// The flags a heap was created with (HEAP.Flags), if `heap` is one.
pub fn heap_flags(m: &AddressSpace, heap: u32) -> Option<u32> {
    header(m, heap).ok().map(|h| h.flags)
}

/// A heap that thread `me` may call on without waiting ([`free_for`]): its header read once,
/// its lock free or held by `me`.
#[derive(Clone, Copy, Debug)]
pub struct FreeHeap {
    heap: u32,
    header: Header,
}

impl FreeHeap {
    /// The heap's flags and forced flags, or-ed.
    pub fn flags(&self) -> u32 {
        self.header.flags | self.header.force
    }

    /// RtlAllocateHeap on the heap.
    #[inline]
    pub fn allocate(&self, m: &mut AddressSpace, flags: u32, size: u32) -> R<u32> {
        let flags = effective(self.header, flags);
        allocate_with(m, self.heap, self.header.flags, flags, size)
    }

    /// RtlFreeHeap on the heap: a NULL pointer frees nothing.
    #[inline]
    pub fn free(&self, m: &mut AddressSpace, flags: u32, at: u32) -> R<()> {
        if at == 0 {
            return Ok(());
        }
        free_with(m, self.heap, effective(self.header, flags), at)
    }
}

/// Whether thread `me` may call on `heap` without waiting: the heap, when its header is
/// sound and its lock is free or held by `me`; None when the call may have to wait (or fail
/// on the header), which an inline call leaves to the full one.
pub fn free_for(m: &AddressSpace, heap: u32, me: u32) -> Option<FreeHeap> {
    let header = header(m, heap).ok()?;
    let owner = m
        .read_u32(heap + heap_off::LOCK + lock_off::OWNING_THREAD)
        .ok()?;
    (owner == 0 || owner == me).then_some(FreeHeap { heap, header })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nt_memory::PageSize;

    fn space() -> AddressSpace {
        AddressSpace::new(PageSize::X86).expect("space")
    }

    fn call(m: &mut AddressSpace) -> HeapCall<'_> {
        HeapCall {
            space: m,
            thread: 1,
            live: &[1],
        }
    }

    #[test]
    fn a_new_heap_has_nt_s_header_and_one_free_block() {
        let mut m = space();
        let heap = create(&mut m, HEAP_CLASS_1, 0, 0).expect("heap");
        assert_eq!(heap & 0xFFFF, 0);
        assert_eq!(m.read_u32(heap + heap_off::SIGNATURE), Ok(HEAP_SIGNATURE));
        assert_eq!(
            m.read_u32(heap + heap_off::FLAGS),
            Ok(HEAP_GROWABLE | HEAP_CLASS_1)
        );
        let region = walk(&m, heap, None).expect("walk").expect("region");
        assert_eq!(region.kind, WalkKind::Region);
        assert_eq!(
            (region.data, region.committed, region.uncommitted),
            (heap, 0x1000, 0x3F000)
        );
        let free = walk(&m, heap, Some(region)).expect("walk").expect("free");
        assert_eq!(free.kind, WalkKind::Free);
        let ucr = walk(&m, heap, Some(free))
            .expect("walk")
            .expect("uncommitted");
        assert_eq!(ucr.kind, WalkKind::Uncommitted);
        assert_eq!(ucr.data, heap + 0x1000);
        assert_eq!(walk(&m, heap, Some(ucr)), Ok(None));
        assert_eq!(validate_all(&m, heap), Ok(true));
    }

    #[test]
    fn blocks_are_granules_with_nt_headers_and_coalesce() {
        let mut m = space();
        let heap = create(&mut m, 0, 0, 0).expect("heap");
        let mut c = call(&mut m);
        let a = c.allocate(heap, 0, 10).expect("a");
        let b = c.allocate(heap, 0, 100).expect("b");
        let z = c.allocate(heap, 0, 0).expect("zero");
        assert_eq!(a % 8, 0);
        assert_eq!(b, a + 24, "10 bytes and a header: three granules");
        assert_eq!(c.size(heap, 0, a), Ok(10));
        assert_eq!(c.size(heap, 0, z), Ok(0));
        let e = read_entry(c.space, a - 8).expect("entry");
        assert_eq!((e.size, e.flags, e.unused), (3, ef::BUSY, 14));
        c.free(heap, 0, b).expect("free b");
        c.free(heap, 0, a).expect("free a");
        assert_eq!(
            c.free(heap, 0, a),
            Err(HeapFailure::InvalidParameter),
            "double free"
        );
        assert_eq!(c.allocate(heap, 0, 120), Ok(a), "a and b merged");
        assert_eq!(validate_all(c.space, heap), Ok(true));
    }

    /// List 0's blocks in list order, their sizes in granules.
    fn list0_sizes(m: &AddressSpace, heap: u32) -> Vec<u32> {
        let head = list_head(heap, 0);
        let mut sizes = Vec::new();
        let mut at = m.read_u32(head).expect("flink");
        while at != head {
            sizes.push(u32::from(read_entry(m, at - 8).expect("entry").size));
            at = m.read_u32(at).expect("flink");
            assert!(sizes.len() < 10_000, "list 0 loops");
        }
        sizes
    }

    #[test]
    fn list_zero_stays_in_order_when_blocks_take_their_neighbours_place() {
        let mut m = space();
        let heap = create(&mut m, 0, 0, 0).expect("heap");
        let mut c = call(&mut m);
        let mut live = Vec::new();
        // Sizes of list 0 (1 KiB and more) and of the dedicated lists, freed out of order.
        let mut seed = 12345u32;
        for step in 0..600 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let r = seed >> 16;
            if live.is_empty() || !r.is_multiple_of(3) {
                let size = if r.is_multiple_of(2) {
                    1024 + r % 3000
                } else {
                    8 + r % 200
                };
                live.push(c.allocate(heap, 0, size).expect("allocate"));
            } else {
                let p = live.swap_remove(r as usize % live.len());
                c.free(heap, 0, p).expect("free");
            }
            let sizes = list0_sizes(c.space, heap);
            assert!(
                sizes.windows(2).all(|w| w[0] <= w[1]),
                "step {step}: {sizes:?}"
            );
            // TotalFreeSize counts every free block's granules.
            let mut total = 0;
            let mut e = walk(c.space, heap, None).expect("walk");
            while let Some(x) = e {
                if x.kind == WalkKind::Free {
                    total += (x.size + 16) / GRANULE;
                }
                e = walk(c.space, heap, Some(x)).expect("walk");
            }
            assert_eq!(
                c.space.read_u32(heap + heap_off::TOTAL_FREE_SIZE),
                Ok(total),
                "step {step}"
            );
            assert_eq!(validate_all(c.space, heap), Ok(true), "step {step}");
        }
    }

    #[test]
    fn a_call_s_own_tail_checking_takes_no_room() {
        let mut m = space();
        let heap = create(&mut m, 0, 0, 0).expect("heap");
        let mut c = call(&mut m);
        let a = c.allocate(heap, HEAP_TAIL_CHECKING_ENABLED, 24).expect("a");
        let b = c.allocate(heap, HEAP_TAIL_CHECKING_ENABLED, 24).expect("b");
        assert_eq!(b - a, 32, "24 bytes and a header, no tail");
        let d = c.allocate(heap, HEAP_TAIL_CHECKING_ENABLED, 12).expect("d");
        assert_eq!(d - b, 32);
        // No room for a fill: none is written (the next header is intact) nor checked.
        assert_eq!(c.free(heap, 0, b), Ok(()));
        assert_eq!(validate_all(c.space, heap), Ok(true));
        let tailed = create(&mut m, HEAP_TAIL_CHECKING_ENABLED, 0, 0).expect("heap");
        let mut c = call(&mut m);
        let a = c.allocate(tailed, 0, 24).expect("a");
        let b = c.allocate(tailed, 0, 24).expect("b");
        assert_eq!(b - a, 40, "the heap's own tail checking adds the tail");
        assert_eq!(validate_all(c.space, tailed), Ok(true));
    }

    #[test]
    fn large_blocks_get_their_own_reservation_and_fixed_heaps_refuse_them() {
        let mut m = space();
        let heap = create(&mut m, 0, 0, 0).expect("heap");
        let mut c = call(&mut m);
        let big = c.allocate(heap, 0, 0x10_0000).expect("big");
        assert_eq!(big % 0x1_0000, VIRTUAL_HEADER);
        assert_eq!(c.size(heap, 0, big), Ok(0x10_0000));
        c.free(heap, 0, big).expect("free");
        let fixed = create(c.space, 0, 0x10_0000, 0x10_0000).expect("fixed");
        assert_eq!(c.allocate(fixed, 0, 0x8_0000), Err(HeapFailure::NoMemory));
        assert!(c.allocate(fixed, 0, 0x2_0000).is_ok());
    }

    #[test]
    fn growable_heaps_add_segments_and_reuse_freed_blocks() {
        let mut m = space();
        let heap = create(&mut m, 0, 0, 0).expect("heap");
        let mut c = call(&mut m);
        let blocks: Vec<u32> = (0..64)
            .map(|_| c.allocate(heap, 0, 0x2_0000).expect("block"))
            .collect();
        assert!(segment_at(c.space, heap, 1).expect("read").is_some());
        for b in &blocks {
            c.free(heap, 0, *b).expect("free");
        }
        assert_eq!(validate_all(c.space, heap), Ok(true));
    }

    #[test]
    fn reallocation_in_place_uses_the_free_block_after() {
        let mut m = space();
        let heap = create(&mut m, 0, 0, 0).expect("heap");
        let mut c = call(&mut m);
        let a = c.allocate(heap, 0, 16).expect("a");
        let b = c.allocate(heap, 0, 64).expect("b");
        let _d = c.allocate(heap, 0, 8).expect("d");
        c.free(heap, 0, b).expect("free");
        assert_eq!(c.reallocate(heap, HEAP_REALLOC_IN_PLACE_ONLY, a, 60), Ok(a));
        assert_eq!(c.size(heap, 0, a), Ok(60));
        assert_eq!(
            c.reallocate(heap, HEAP_REALLOC_IN_PLACE_ONLY, a, 1000),
            Err(HeapFailure::NoMemory)
        );
        let moved = c
            .reallocate(heap, HEAP_ZERO_MEMORY, a, 1000)
            .expect("moved");
        assert_ne!(moved, a);
        assert_eq!(c.size(heap, 0, moved), Ok(1000));
        assert_eq!(validate_all(c.space, heap), Ok(true));
    }

    #[test]
    fn user_values_and_flags_live_in_the_block() {
        let mut m = space();
        let heap = create(&mut m, 0, 0, 0).expect("heap");
        let mut c = call(&mut m);
        let a = c
            .allocate(heap, HEAP_SETTABLE_USER_VALUE | 0x200, 0x1000)
            .expect("a");
        assert_eq!(get_user_info(c.space, heap, a), Ok((Some(0), 0x200)));
        assert_eq!(set_user_value_of(c.space, heap, a, 0xDEAD_BEEF), Ok(true));
        assert_eq!(c.space.read_u32(a + 0x1004), Ok(0xDEAD_BEEF));
        assert_eq!(
            set_user_flags(c.space, heap, a, 0, 0x1000),
            Err(HeapFailure::InvalidParameter)
        );
        set_user_flags(c.space, heap, a, 0x200, 0x400).expect("flags");
        assert_eq!(
            get_user_info(c.space, heap, a),
            Ok((Some(0xDEAD_BEEF), 0x400))
        );
        let plain = c.allocate(heap, 0, 16).expect("plain");
        assert_eq!(get_user_info(c.space, heap, plain), Ok((None, 0)));
    }

    #[test]
    fn tail_and_free_checking_fill_and_detect() {
        let mut m = space();
        let heap = create(
            &mut m,
            HEAP_TAIL_CHECKING_ENABLED | HEAP_FREE_CHECKING_ENABLED,
            0,
            0,
        )
        .expect("heap");
        let mut c = call(&mut m);
        let p = c.allocate(heap, 0, 17).expect("p");
        let mut tail = [0u8; 8];
        c.space.read_bytes(p + 17, &mut tail).expect("tail");
        assert_eq!(tail, [0xAB; 8]);
        assert_eq!(c.validate(heap, 0, p), Ok(true));
        c.space.write_u8(p + 17, 0xCC).expect("scribble");
        assert_eq!(c.validate(heap, 0, p), Ok(false));
        c.space.write_u8(p + 17, 0xAB).expect("restore");
        let q = c.allocate(heap, 0, 37).expect("q");
        c.free(heap, 0, q).expect("free");
        assert_eq!(c.space.read_u32(q + 8), Ok(FREE_FILL));
        assert_eq!(c.validate(heap, 0, 0), Ok(true));
        c.space.write_u8(q + 8, 0xCC).expect("scribble");
        assert_eq!(c.validate(heap, 0, 0), Ok(false));
    }

    #[test]
    fn forged_headers_and_cyclic_lists_fail_without_harm() {
        let mut m = space();
        let heap = create(&mut m, 0, 0, 0).expect("heap");
        let mut c = call(&mut m);
        let a = c.allocate(heap, 0, 32).expect("a");
        for bad in [0, 4, a + 4, a + 8, 0x7FFF_0000] {
            assert!(c.free(heap, 0, bad).is_err() || bad == 0, "{bad:#x}");
        }
        c.space.write_u64(a - 8, u64::MAX).expect("scribble");
        assert!(c.free(heap, 0, a).is_err());
        assert!(c.size(heap, 0, a).is_err());
        // A list head pointing at itself through a forged block: allocation still ends.
        let head = list_head(heap, 0);
        let first = c.space.read_u32(head).expect("head");
        c.space.write_u32(first, first).expect("scribble");
        let _ = c.allocate(heap, 0, 100_000);
        assert_eq!(
            header(c.space, heap + 0x10000).map(|_| ()),
            Err(HeapFailure::AccessViolation)
        );
    }

    #[test]
    fn a_lock_held_by_another_live_thread_blocks_serialized_calls() {
        let mut m = space();
        let heap = create(&mut m, 0, 0, 0).expect("heap");
        m.write_u32(heap + heap_off::LOCK + lock_off::OWNING_THREAD, 7)
            .expect("owner");
        m.write_u32(heap + heap_off::LOCK + lock_off::RECURSION_COUNT, 1)
            .expect("count");
        let mut c = HeapCall {
            space: &mut m,
            thread: 1,
            live: &[1, 7],
        };
        assert_eq!(c.allocate(heap, 0, 8), Err(HeapFailure::Locked));
        assert!(c.allocate(heap, HEAP_NO_SERIALIZE, 8).is_ok());
        c.live = &[1];
        assert!(c.allocate(heap, 0, 8).is_ok(), "a dead owner holds nothing");
    }
}
