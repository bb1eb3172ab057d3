//! Heaps: HeapCreate / HeapAlloc / HeapReAlloc / HeapFree / HeapSize / HeapDestroy and
//! GetProcessHeap, laid out in guest memory as NT lays them out.
//!
//! A heap is guest memory reserved in segments and committed as it grows. Every block is
//! preceded by an 8-byte HEAP_ENTRY (Size and PreviousSize in 8-byte granules, SegmentIndex,
//! Flags, UnusedBytes, SmallTagIndex), and a free block keeps its free-list links (Flink,
//! Blink) in its first 8 bytes, so blocks are 8-byte aligned and the smallest takes 16 bytes,
//! as on NT. The host keeps, per heap, only its segments and the heads of its 128 free lists
//! (list n holds free blocks of n granules; list 0 the larger ones): bookkeeping costs no
//! host memory per block. Blocks larger than NT's VirtualMemoryThreshold (508 KiB) get their
//! own reservation, as on NT.
//!
//! A guest that scribbles over a header can corrupt its own heap, as on NT, never the host:
//! every access goes through the checked guest memory, every walk of a list or a segment is
//! bounded, and a header that does not make sense fails the call
//! (ERROR_INVALID_PARAMETER for HeapFree, NULL for HeapAlloc). A heap's handle is its first
//! segment's base address, as on NT.

use nt_memory::{AddressSpace, AllocationType, FreeType, GuestMemory, PageProtection};
use nt_object::Handle;
use nt_status::NtStatus;
use win32::{ApiCall, ApiReturn, Ptr, export};

use crate::K32;

/// HEAP_NO_SERIALIZE.
const HEAP_NO_SERIALIZE: u32 = 0x1;
/// HEAP_GENERATE_EXCEPTIONS.
const HEAP_GENERATE_EXCEPTIONS: u32 = 0x4;
/// HEAP_ZERO_MEMORY.
const HEAP_ZERO_MEMORY: u32 = 0x8;
/// HEAP_REALLOC_IN_PLACE_ONLY.
const HEAP_REALLOC_IN_PLACE_ONLY: u32 = 0x10;
/// Blocks are 8-byte granules, as NT's heap gives them.
const GRANULE: u32 = 8;
/// The size of a HEAP_ENTRY.
const HEADER: u32 = 8;
/// The smallest block, header included: a header and the two free-list links.
const MIN_BLOCK_GRANULES: u32 = 2;
/// HEAP_ENTRY.Flags: the block is allocated.
const FLAG_BUSY: u8 = 0x01;
/// HEAP_ENTRY.Flags: the block is a separate reservation (a large block).
const FLAG_VIRTUAL: u8 = 0x08;
/// Free lists by size in granules; list 0 holds blocks of [`FREE_LISTS`] granules or more.
const FREE_LISTS: usize = 128;
/// Blocks larger than this many bytes get a reservation of their own (NT's
/// VirtualMemoryThreshold, 0xFE00 granules).
const VIRTUAL_THRESHOLD: u32 = 0xFE00 * GRANULE - HEADER;
/// The reservation of a growable heap's segments.
const SEGMENT_RESERVE: u32 = 0x10_0000;
/// The largest single allocation (NT's limit for a growable heap is near 2 GiB; ntemu's is
/// smaller and fails cleanly).
const MAX_BLOCK: u32 = 0x4000_0000;

/// One reserved range of a heap, carved into blocks from its base up to `frontier`.
struct Segment {
    base: u32,
    reserved: u32,
    /// Bytes from `base` committed.
    committed: u32,
    /// Bytes from `base` carved into blocks; what lies beyond has never been handed out.
    frontier: u32,
    /// The size in granules of the last block below the frontier (its PreviousSize for the
    /// next block carved).
    last_size: u16,
}

/// One heap of a process.
pub(crate) struct Heap {
    handle: u32,
    growable: bool,
    segments: Vec<Segment>,
    /// Free-list heads: the first free block's address (its data, after the header), 0 for
    /// an empty list.
    free: [u32; FREE_LISTS],
    /// Large blocks with reservations of their own: (data address, requested size).
    large: Vec<(u32, u32)>,
}

/// A HEAP_ENTRY.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    /// The block's size in granules, header included.
    size: u16,
    /// The previous block's size in granules (0 for a segment's first block).
    prev: u16,
    segment: u8,
    flags: u8,
    /// Bytes of the block's capacity beyond what was asked for.
    unused: u8,
}

fn read_entry(m: &AddressSpace, header: u32) -> Option<Entry> {
    let lo = m.read_u32(header).ok()?;
    let hi = m.read_u32(header.wrapping_add(4)).ok()?;
    Some(Entry {
        size: lo as u16,
        prev: (lo >> 16) as u16,
        segment: hi as u8,
        flags: (hi >> 8) as u8,
        unused: (hi >> 16) as u8,
    })
}

fn write_entry(m: &mut AddressSpace, header: u32, e: Entry) -> Option<()> {
    let lo = u32::from(e.size) | u32::from(e.prev) << 16;
    let hi = u32::from(e.segment) | u32::from(e.flags) << 8 | u32::from(e.unused) << 16;
    m.write_u64(header, u64::from(lo) | u64::from(hi) << 32)
        .ok()
}

fn round_up(value: u32, to: u32) -> Option<u32> {
    value.checked_add(to - 1).map(|v| v & !(to - 1))
}

/// The granules a block for `size` bytes takes, header included.
fn granules_for(size: u32) -> Option<u32> {
    let bytes = round_up(size.checked_add(HEADER)?, GRANULE)?;
    Some((bytes / GRANULE).max(MIN_BLOCK_GRANULES))
}

fn list_of(granules: u32) -> usize {
    if (granules as usize) < FREE_LISTS {
        granules as usize
    } else {
        0
    }
}

/// Writes `len` zero bytes at `at`.
fn zero(m: &mut AddressSpace, at: u32, len: u32) -> Option<()> {
    const ZEROS: [u8; 4096] = [0; 4096];
    let mut done = 0;
    while done < len {
        let n = (len - done).min(ZEROS.len() as u32);
        m.write_bytes(at.wrapping_add(done), &ZEROS[..n as usize])
            .ok()?;
        done += n;
    }
    Some(())
}

impl Heap {
    fn create(m: &mut AddressSpace, initial: u32, maximum: u32) -> Result<Heap, NtStatus> {
        let growable = maximum == 0;
        let reserve = if growable {
            SEGMENT_RESERVE.max(round_up(initial, 0x1_0000).ok_or(NtStatus::NO_MEMORY)?)
        } else {
            round_up(maximum.max(initial).max(1), 0x1_0000).ok_or(NtStatus::NO_MEMORY)?
        };
        let (base, reserved) = m
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
                committed: 0,
                frontier: 0,
                last_size: 0,
            }],
            free: [0; FREE_LISTS],
            large: Vec::new(),
        })
    }

    /// The segment holding the block whose data is at `at`, and the block's header, when
    /// the header makes sense there.
    fn block(&self, m: &AddressSpace, at: u32) -> Option<(usize, Entry)> {
        if !at.is_multiple_of(GRANULE) || at < HEADER {
            return None;
        }
        let header = at - HEADER;
        let index = self
            .segments
            .iter()
            .position(|s| header >= s.base && header < s.base + s.frontier)?;
        let s = &self.segments[index];
        let e = read_entry(m, header)?;
        let end = u64::from(header) + u64::from(e.size) * u64::from(GRANULE);
        let sane = u32::from(e.size) >= MIN_BLOCK_GRANULES
            && end <= u64::from(s.base) + u64::from(s.frontier)
            && usize::from(e.segment) == index;
        sane.then_some((index, e))
    }

    /// Takes the free block at `at` (data address) off its list.
    fn unlink(&mut self, m: &mut AddressSpace, at: u32, granules: u32) -> Option<()> {
        let next = m.read_u32(at).ok()?;
        let prev = m.read_u32(at + 4).ok()?;
        let list = list_of(granules);
        if prev == 0 {
            if self.free[list] != at {
                return None;
            }
            self.free[list] = next;
        } else {
            m.write_u32(prev, next).ok()?;
        }
        if next != 0 {
            m.write_u32(next + 4, prev).ok()?;
        }
        Some(())
    }

    /// Puts the free block at `at` (data address, header already written) on its list.
    fn link(&mut self, m: &mut AddressSpace, at: u32, granules: u32) -> Option<()> {
        let list = list_of(granules);
        let head = self.free[list];
        m.write_u32(at, head).ok()?;
        m.write_u32(at + 4, 0).ok()?;
        if head != 0 {
            m.write_u32(head + 4, at).ok()?;
        }
        self.free[list] = at;
        Some(())
    }

    /// Sets the PreviousSize of the block after the one whose header is at `header`.
    fn set_next_prev(&mut self, m: &mut AddressSpace, segment: usize, header: u32, granules: u32) {
        let s = &mut self.segments[segment];
        let next = header + granules * GRANULE;
        if next >= s.base + s.frontier {
            s.last_size = granules as u16;
            return;
        }
        if let Some(mut e) = read_entry(m, next) {
            e.prev = granules as u16;
            let _ = write_entry(m, next, e);
        }
    }

    /// Makes the block whose header is at `header` (of `have` granules, in `segment`) a
    /// busy block of `want` granules for `size` bytes, freeing what is left over when it
    /// can stand as a block of its own.
    #[allow(clippy::too_many_arguments)]
    fn claim(
        &mut self,
        m: &mut AddressSpace,
        segment: usize,
        header: u32,
        prev: u16,
        have: u32,
        want: u32,
        size: u32,
    ) -> Option<u32> {
        let (used, rest) = if have - want >= MIN_BLOCK_GRANULES {
            (want, have - want)
        } else {
            (have, 0)
        };
        let unused = used * GRANULE - HEADER - size;
        write_entry(
            m,
            header,
            Entry {
                size: used as u16,
                prev,
                segment: segment as u8,
                flags: FLAG_BUSY,
                unused: unused.min(255) as u8,
            },
        )?;
        if rest > 0 {
            let free_header = header + used * GRANULE;
            write_entry(
                m,
                free_header,
                Entry {
                    size: rest as u16,
                    prev: used as u16,
                    segment: segment as u8,
                    flags: 0,
                    unused: 0,
                },
            )?;
            self.link(m, free_header + HEADER, rest)?;
            self.set_next_prev(m, segment, free_header, rest);
        } else {
            self.set_next_prev(m, segment, header, used);
        }
        Some(header + HEADER)
    }

    /// A free block of at least `want` granules from the lists, taken off its list: its
    /// data address and its size in granules.
    fn take_free(&mut self, m: &mut AddressSpace, want: u32) -> Option<(u32, u32)> {
        // The exact list and the larger small lists first.
        for list in (want as usize).min(FREE_LISTS)..FREE_LISTS {
            let at = self.free[list];
            if at != 0 {
                self.unlink(m, at, list as u32)?;
                return Some((at, list as u32));
            }
        }
        // Then the first fit among the large free blocks (a bounded walk).
        let mut at = self.free[0];
        let mut steps = 0u32;
        while at != 0 && steps < 0x10_0000 {
            let e = read_entry(m, at - HEADER)?;
            if u32::from(e.size) >= want && e.flags & FLAG_BUSY == 0 {
                self.unlink(m, at, u32::from(e.size))?;
                return Some((at, u32::from(e.size)));
            }
            at = m.read_u32(at).ok()?;
            steps += 1;
        }
        None
    }

    fn allocate(&mut self, m: &mut AddressSpace, size: u32) -> Option<u32> {
        if size > MAX_BLOCK {
            return None;
        }
        if size > VIRTUAL_THRESHOLD {
            return self.allocate_large(m, size);
        }
        let want = granules_for(size)?;
        if let Some((at, have)) = self.take_free(m, want) {
            let header = at - HEADER;
            let e = read_entry(m, header)?;
            let segment = usize::from(e.segment).min(self.segments.len().saturating_sub(1));
            return self.claim(m, segment, header, e.prev, have, want, size);
        }
        self.carve(m, want, size)
    }

    /// A new block from the frontier of a segment with room, committing pages as needed
    /// (and reserving a new segment for a growable heap).
    fn carve(&mut self, m: &mut AddressSpace, want: u32, size: u32) -> Option<u32> {
        let page = m.page_size().bytes();
        let bytes = want * GRANULE;
        let index = match self
            .segments
            .iter()
            .position(|s| s.reserved - s.frontier >= bytes)
        {
            Some(i) => i,
            None => {
                if !self.growable || self.segments.len() >= 255 {
                    return None;
                }
                let reserve = SEGMENT_RESERVE.max(round_up(bytes, 0x1_0000)?);
                let (base, reserved) = m
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
                    committed: 0,
                    frontier: 0,
                    last_size: 0,
                });
                self.segments.len() - 1
            }
        };
        let s = &mut self.segments[index];
        let end = s.frontier + bytes;
        if end > s.committed {
            let commit_to = round_up(end, page)?.min(s.reserved);
            m.allocate(
                s.base + s.committed,
                commit_to - s.committed,
                AllocationType::COMMIT,
                PageProtection::READWRITE,
            )
            .ok()?;
            s.committed = commit_to;
        }
        let header = s.base + s.frontier;
        let prev = s.last_size;
        s.frontier = end;
        s.last_size = want as u16;
        write_entry(
            m,
            header,
            Entry {
                size: want as u16,
                prev,
                segment: index as u8,
                flags: FLAG_BUSY,
                unused: (bytes - HEADER - size).min(255) as u8,
            },
        )?;
        Some(header + HEADER)
    }

    /// A block with a reservation of its own; its header says FLAG_VIRTUAL.
    fn allocate_large(&mut self, m: &mut AddressSpace, size: u32) -> Option<u32> {
        let total = round_up(size.checked_add(HEADER)?, 0x1000)?;
        let (base, _) = m
            .allocate(
                0,
                total,
                AllocationType::RESERVE | AllocationType::COMMIT,
                PageProtection::READWRITE,
            )
            .ok()?;
        write_entry(
            m,
            base,
            Entry {
                size: 0,
                prev: 0,
                segment: 0,
                flags: FLAG_BUSY | FLAG_VIRTUAL,
                unused: 0,
            },
        )?;
        self.large.push((base + HEADER, size));
        Some(base + HEADER)
    }

    /// The requested size of the block at `at`.
    fn size_of(&self, m: &AddressSpace, at: u32) -> Option<u32> {
        if let Some(&(_, size)) = self.large.iter().find(|(a, _)| *a == at) {
            return Some(size);
        }
        let (_, e) = self.block(m, at)?;
        if e.flags & FLAG_BUSY == 0 {
            return None;
        }
        (u32::from(e.size) * GRANULE - HEADER).checked_sub(u32::from(e.unused))
    }

    fn release(&mut self, m: &mut AddressSpace, at: u32) -> bool {
        self.release_block(m, at).is_some()
    }

    fn release_block(&mut self, m: &mut AddressSpace, at: u32) -> Option<()> {
        if let Some(i) = self.large.iter().position(|(a, _)| *a == at) {
            self.large.swap_remove(i);
            m.free(at - HEADER, 0, FreeType::RELEASE).ok()?;
            return Some(());
        }
        let (segment, e) = self.block(m, at)?;
        if e.flags & FLAG_BUSY == 0 {
            return None;
        }
        let mut header = at - HEADER;
        let mut granules = u32::from(e.size);
        let mut prev = e.prev;
        let (base, frontier) = (self.segments[segment].base, self.segments[segment].frontier);
        // Merge with the following block when it is free.
        let next = header + granules * GRANULE;
        if next < base + frontier
            && let Some(n) = read_entry(m, next)
            && n.flags & FLAG_BUSY == 0
            && u32::from(n.size) >= MIN_BLOCK_GRANULES
            && granules + u32::from(n.size) <= u32::from(u16::MAX)
        {
            self.unlink(m, next + HEADER, u32::from(n.size))?;
            // The absorbed header is no block any more.
            m.write_u64(next, 0).ok()?;
            granules += u32::from(n.size);
        }
        // And with the one before.
        if prev != 0 {
            let before = header.checked_sub(u32::from(prev) * GRANULE)?;
            if before >= base
                && let Some(p) = read_entry(m, before)
                && p.flags & FLAG_BUSY == 0
                && p.size == prev
                && granules + u32::from(p.size) <= u32::from(u16::MAX)
            {
                self.unlink(m, before + HEADER, u32::from(p.size))?;
                m.write_u64(header, 0).ok()?;
                header = before;
                granules += u32::from(p.size);
                prev = p.prev;
            }
        }
        write_entry(
            m,
            header,
            Entry {
                size: granules as u16,
                prev,
                segment: segment as u8,
                flags: 0,
                unused: 0,
            },
        )?;
        self.link(m, header + HEADER, granules)?;
        self.set_next_prev(m, segment, header, granules);
        Some(())
    }

    /// Grows or shrinks the block at `at` to `size` bytes where it is, using the free block
    /// after it: Some(old requested size) when it could.
    fn resize_in_place(&mut self, m: &mut AddressSpace, at: u32, size: u32) -> Option<u32> {
        if self.large.iter().any(|(a, _)| *a == at) || size > VIRTUAL_THRESHOLD {
            return None;
        }
        let (segment, e) = self.block(m, at)?;
        if e.flags & FLAG_BUSY == 0 {
            return None;
        }
        let old = (u32::from(e.size) * GRANULE - HEADER).checked_sub(u32::from(e.unused))?;
        let want = granules_for(size)?;
        let header = at - HEADER;
        let mut have = u32::from(e.size);
        if want > have {
            let (base, frontier) = (self.segments[segment].base, self.segments[segment].frontier);
            let next = header + have * GRANULE;
            let n = (next < base + frontier)
                .then(|| read_entry(m, next))
                .flatten()
                .filter(|n| n.flags & FLAG_BUSY == 0 && u32::from(n.size) >= MIN_BLOCK_GRANULES)?;
            if have + u32::from(n.size) < want {
                return None;
            }
            self.unlink(m, next + HEADER, u32::from(n.size))?;
            m.write_u64(next, 0).ok()?;
            have += u32::from(n.size);
        }
        self.claim(m, segment, header, e.prev, have, want, size)?;
        Some(old)
    }
}

/// Runs `f` on the calling process's heaps (the first is the process heap, made on first
/// use) and its address space.
fn with_heaps<R>(
    call: &mut ApiCall<'_>,
    f: impl FnOnce(&mut Vec<Heap>, &mut AddressSpace) -> Option<R>,
) -> Option<R> {
    let pid = call.thread.process;
    let object = call.process_object()?;
    let mut list = std::mem::take(call.state.k32().heaps.get_or_default(pid, &object));
    let result = match call.process_mut() {
        Some(p) => {
            let space = p.address_space_mut();
            if list.is_empty() {
                match Heap::create(space, 0, 0) {
                    Ok(h) => list.push(h),
                    Err(_) => return None,
                }
            }
            f(&mut list, space)
        }
        None => None,
    };
    *call.state.k32().heaps.get_or_default(pid, &object) = list;
    result
}

fn find(list: &mut [Heap], handle: u32) -> Option<&mut Heap> {
    list.iter_mut().find(|h| h.handle == handle)
}

/// GetProcessHeap(): the process heap, made on first use.
#[export]
fn GetProcessHeap(call: &mut ApiCall<'_>) -> ApiReturn {
    match with_heaps(call, |list, _| list.first().map(|h| h.handle)) {
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
    let made = with_heaps(call, |list, space| {
        Some(
            Heap::create(space, dwInitialSize, dwMaximumSize).map(|heap| {
                let handle = heap.handle;
                list.push(heap);
                handle
            }),
        )
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
    let destroyed = with_heaps(call, |list, space| {
        // The process heap (the first) cannot be destroyed.
        let index = list
            .iter()
            .position(|h| h.handle == hHeap.0)
            .filter(|&i| i > 0)?;
        let heap = list.remove(index);
        for s in &heap.segments {
            let _ = space.free(s.base, 0, FreeType::RELEASE);
        }
        for &(at, _) in &heap.large {
            let _ = space.free(at - HEADER, 0, FreeType::RELEASE);
        }
        Some(())
    });
    match destroyed {
        Some(()) => ApiReturn::Value(1),
        None => call.fail(NtStatus::INVALID_HANDLE),
    }
}

/// HeapAlloc(hHeap, dwFlags, dwBytes). It does not set the last error (RtlAllocateHeap);
/// with HEAP_GENERATE_EXCEPTIONS NT would raise STATUS_NO_MEMORY, which ntemu reports as a
/// NULL result too.
#[export]
fn HeapAlloc(call: &mut ApiCall<'_>, hHeap: Handle, dwFlags: u32, dwBytes: u32) -> ApiReturn {
    let _ = (HEAP_NO_SERIALIZE, HEAP_GENERATE_EXCEPTIONS);
    let at = with_heaps(call, |list, space| {
        let at = find(list, hHeap.0)?.allocate(space, dwBytes)?;
        if dwFlags & HEAP_ZERO_MEMORY != 0 {
            zero(space, at, dwBytes)?;
        }
        Some(at)
    });
    ApiReturn::Value(at.unwrap_or(0))
}

/// HeapFree(hHeap, dwFlags, lpMem): NULL frees nothing and succeeds; what is not a busy
/// block of the heap is ERROR_INVALID_PARAMETER.
#[export]
fn HeapFree(call: &mut ApiCall<'_>, hHeap: Handle, dwFlags: u32, lpMem: Ptr) -> ApiReturn {
    let _ = dwFlags;
    if lpMem.is_null() {
        return ApiReturn::Value(1);
    }
    let freed = with_heaps(call, |list, space| {
        Some(find(list, hHeap.0)?.release(space, lpMem.0))
    })
    .unwrap_or(false);
    if freed {
        ApiReturn::Value(1)
    } else {
        call.fail(NtStatus::INVALID_PARAMETER)
    }
}

/// HeapSize(hHeap, dwFlags, lpMem): the block's requested size, or -1.
#[export]
fn HeapSize(call: &mut ApiCall<'_>, hHeap: Handle, dwFlags: u32, lpMem: Ptr) -> ApiReturn {
    let _ = dwFlags;
    let size = with_heaps(call, |list, space| {
        find(list, hHeap.0)?.size_of(space, lpMem.0)
    });
    ApiReturn::Value(size.unwrap_or(u32::MAX))
}

/// HeapReAlloc(hHeap, dwFlags, lpMem, dwBytes): in place when the block (and a free block
/// after it) holds the new size, else moved (unless HEAP_REALLOC_IN_PLACE_ONLY); NULL on
/// failure with the block unchanged.
#[export]
fn HeapReAlloc(
    call: &mut ApiCall<'_>,
    hHeap: Handle,
    dwFlags: u32,
    lpMem: Ptr,
    dwBytes: u32,
) -> ApiReturn {
    let at = lpMem.0;
    let moved = with_heaps(call, |list, space| {
        let heap = find(list, hHeap.0)?;
        let old = heap.size_of(space, at)?;
        if let Some(old) = heap.resize_in_place(space, at, dwBytes) {
            if dwFlags & HEAP_ZERO_MEMORY != 0 && dwBytes > old {
                zero(space, at + old, dwBytes - old)?;
            }
            return Some(at);
        }
        if dwFlags & HEAP_REALLOC_IN_PLACE_ONLY != 0 {
            return None;
        }
        let new = heap.allocate(space, dwBytes)?;
        let keep = old.min(dwBytes);
        let mut buf = [0u8; 4096];
        let mut done = 0;
        while done < keep {
            let n = (keep - done).min(buf.len() as u32) as usize;
            space.read_bytes(at + done, &mut buf[..n]).ok()?;
            space.write_bytes(new + done, &buf[..n]).ok()?;
            done += n as u32;
        }
        if dwFlags & HEAP_ZERO_MEMORY != 0 && dwBytes > old {
            zero(space, new + old, dwBytes - old)?;
        }
        heap.release(space, at);
        Some(new)
    });
    ApiReturn::Value(moved.unwrap_or(0))
}

/// The process heap's handle, made if need be.
pub(crate) fn process_heap(call: &mut ApiCall<'_>) -> Option<u32> {
    with_heaps(call, |list, _| list.first().map(|h| h.handle))
}

/// Allocates `size` bytes (zeroed when `zeroed`) from the process heap, making it first if
/// need be: what GlobalAlloc, LocalAlloc and the C runtimes' malloc build on.
pub fn process_heap_alloc(call: &mut ApiCall<'_>, size: u32, zeroed: bool) -> Option<u32> {
    with_heaps(call, |list, space| {
        let at = list.first_mut()?.allocate(space, size)?;
        if zeroed {
            zero(space, at, size)?;
        }
        Some(at)
    })
}

/// Frees a process-heap block; false when `at` is not one.
pub fn process_heap_free(call: &mut ApiCall<'_>, at: u32) -> bool {
    with_heaps(call, |list, space| {
        Some(list.first_mut()?.release(space, at))
    })
    .unwrap_or(false)
}

/// The requested size of a process-heap block.
pub fn process_heap_size(call: &mut ApiCall<'_>, at: u32) -> Option<u32> {
    with_heaps(call, |list, space| list.first()?.size_of(space, at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use nt_memory::PageSize;

    fn space() -> AddressSpace {
        AddressSpace::new(PageSize::X86).expect("space")
    }

    #[test]
    fn blocks_carry_nt_headers_and_are_reused_after_free() {
        let mut m = space();
        let mut h = Heap::create(&mut m, 0, 0).expect("heap");
        let a = h.allocate(&mut m, 10).expect("a");
        let b = h.allocate(&mut m, 100).expect("b");
        assert_eq!(a % 8, 0);
        assert_eq!(
            b,
            a + 24,
            "a 10-byte block and its header take three granules"
        );
        let e = read_entry(&m, a - HEADER).expect("header");
        assert_eq!((e.size, e.prev, e.flags, e.unused), (3, 0, FLAG_BUSY, 6));
        assert_eq!(read_entry(&m, b - HEADER).map(|e| e.prev), Some(3));
        assert_eq!(h.size_of(&m, a), Some(10));
        assert_eq!(h.size_of(&m, b), Some(100));
        assert!(h.release(&mut m, a));
        assert!(!h.release(&mut m, a), "a second free of the same block");
        assert_eq!(h.size_of(&m, a), None);
        assert_eq!(h.allocate(&mut m, 12), Some(a), "the freed block is reused");
    }

    #[test]
    fn neighbours_coalesce_and_big_blocks_get_their_own_reservation() {
        let mut m = space();
        let mut h = Heap::create(&mut m, 0, 0).expect("heap");
        let blocks: Vec<u32> = (0..4)
            .map(|_| h.allocate(&mut m, 24).expect("block"))
            .collect();
        assert!(h.release(&mut m, blocks[1]));
        assert!(h.release(&mut m, blocks[2]));
        // Blocks 1 and 2 (four granules each) are one free block of eight now: 56 bytes
        // and a header fit there.
        assert_eq!(h.allocate(&mut m, 56), Some(blocks[1]));
        let big = h.allocate(&mut m, 1 << 20).expect("big");
        assert_eq!(h.size_of(&m, big), Some(1 << 20));
        assert!(h.release(&mut m, big));
        assert!(
            m.query(big)
                .is_ok_and(|q| q.state == nt_memory::MemoryState::Free)
        );
    }

    #[test]
    fn resizing_in_place_uses_the_free_block_after() {
        let mut m = space();
        let mut h = Heap::create(&mut m, 0, 0).expect("heap");
        let a = h.allocate(&mut m, 16).expect("a");
        let b = h.allocate(&mut m, 64).expect("b");
        let _c = h.allocate(&mut m, 8).expect("c");
        assert!(h.release(&mut m, b));
        assert_eq!(h.resize_in_place(&mut m, a, 60), Some(16));
        assert_eq!(h.size_of(&m, a), Some(60));
        assert_eq!(h.resize_in_place(&mut m, a, 1000), None);
    }

    #[test]
    fn host_bookkeeping_does_not_grow_with_blocks() {
        let mut m = space();
        let mut h = Heap::create(&mut m, 0, 0).expect("heap");
        let blocks: Vec<u32> = (0..100_000)
            .map(|_| h.allocate(&mut m, 16).expect("block"))
            .collect();
        // 100,000 blocks of 16 bytes (and their 8-byte headers) fill 3 MiB of segments; the
        // host holds only the segments and the list heads.
        assert_eq!(h.segments.len(), 3);
        assert!(h.large.is_empty());
        for &b in blocks.iter().step_by(2) {
            assert!(h.release(&mut m, b));
        }
        assert_eq!(h.segments.len(), 3);
    }

    #[test]
    fn forged_headers_fail_without_harm() {
        let mut m = space();
        let mut h = Heap::create(&mut m, 0, 0).expect("heap");
        let a = h.allocate(&mut m, 32).expect("a");
        // Pointers that are not blocks.
        for bad in [0, 4, a + 4, a + 8, 0x7FFF_0000] {
            assert!(!h.release(&mut m, bad), "{bad:#x}");
        }
        // A header overwritten with nonsense.
        m.write_u64(a - HEADER, u64::MAX).expect("scribble");
        assert!(!h.release(&mut m, a));
        assert_eq!(h.size_of(&m, a), None);
        // A free list made into a cycle: allocation still ends.
        let b = h.allocate(&mut m, 2000).expect("b");
        let c = h.allocate(&mut m, 2000).expect("c");
        let _d = h.allocate(&mut m, 8).expect("d");
        assert!(h.release(&mut m, b));
        assert!(h.release(&mut m, c));
        // Blocks b and c merged into one free block on list 0; make its link point at itself.
        m.write_u32(b, b).expect("scribble");
        let _ = h.allocate(&mut m, 100_000);
    }
}
