//! Guest address spaces with NT semantics.
//!
//! An [`AddressSpace`] is one process's 4 GiB guest address space: a single anonymous host
//! mapping of the full 32-bit range, so a guest address is an offset into it and can never
//! reach host memory outside it. On top of that mapping this crate keeps NT's bookkeeping:
//! allocations (reserved with 64 KiB granularity, committed page by page), page protections,
//! and the answers `NtQueryVirtualMemory` gives.
//!
//! Views of sections (file mappings) are the one exception to "one anonymous mapping": their
//! pages are a section's host descriptor mapped over the space's mapping at the view's
//! address, so views and files share data (see the `view` module).
//!
//! Every guest access is checked in software against a flat table of one byte per guest page,
//! so the fast paths of [`GuestMemory`] are an index, a mask and a copy. A violation is a value,
//! [`Fault`], never a panic or a host fault.

// `unsafe` is denied workspace-wide. This crate needs a few unsafe calls, each with its own
// SAFETY argument: returning the host pages of decommitted guest memory with
// madvise(MADV_DONTNEED), which memmap2 exposes only as an unsafe function, and, for views of
// sections (view.rs), mapping a section's descriptor over part of the space's own host mapping
// (mmap MAP_FIXED), putting anonymous pages back, and msync.
#![allow(unsafe_code)]

use std::collections::BTreeMap;
use std::fmt;
use std::ops::BitOr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

use memmap2::{MmapMut, MmapOptions, UncheckedAdvice};
use nt_status::NtStatus;

/// Lowest address a user-mode allocation may occupy (`MM_LOWEST_USER_ADDRESS`).
pub const LOWEST_USER_ADDRESS: u32 = 0x0001_0000;
/// Highest user-mode address (`MM_HIGHEST_USER_ADDRESS`).
pub const HIGHEST_USER_ADDRESS: u32 = 0x7FFE_FFFF;
/// First address past the user range.
pub const USER_END: u32 = HIGHEST_USER_ADDRESS + 1;
/// The allocation granularity: reservations start on multiples of 64 KiB.
pub const ALLOCATION_GRANULARITY: u32 = 0x1_0000;
/// Size of the guest address space: the whole 32-bit range.
const SPACE_SIZE: usize = 1 << 32;

// Bits of the per-page access byte.
const ACC_READ: u8 = 0x01;
const ACC_WRITE: u8 = 0x02;
const ACC_EXECUTE: u8 = 0x04;
const ACC_GUARD: u8 = 0x08;
const ACC_COPY_ON_WRITE: u8 = 0x10;
const ACC_COMMITTED: u8 = 0x20;
/// Instructions were fetched from the page since its protection was last set: a write to it
/// must invalidate the CPUs' decoded blocks.
const ACC_CODE: u8 = 0x40;

/// The page size of a process: 4 KiB on x86, 8 KiB on Alpha AXP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PageSize {
    /// 4 KiB pages (Intel x86 processes).
    X86,
    /// 8 KiB pages (DEC Alpha AXP processes).
    Alpha,
}

impl PageSize {
    /// The page size in bytes.
    pub const fn bytes(self) -> u32 {
        1 << self.shift()
    }

    /// log2 of the page size.
    pub const fn shift(self) -> u32 {
        match self {
            PageSize::X86 => 12,
            PageSize::Alpha => 13,
        }
    }
}

/// An NT page protection value (`PAGE_*`), possibly with the `PAGE_GUARD` / `PAGE_NOCACHE`
/// modifiers.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PageProtection(pub u32);

impl PageProtection {
    /// PAGE_NOACCESS.
    pub const NOACCESS: PageProtection = PageProtection(0x01);
    /// PAGE_READONLY.
    pub const READONLY: PageProtection = PageProtection(0x02);
    /// PAGE_READWRITE.
    pub const READWRITE: PageProtection = PageProtection(0x04);
    /// PAGE_WRITECOPY.
    pub const WRITECOPY: PageProtection = PageProtection(0x08);
    /// PAGE_EXECUTE.
    pub const EXECUTE: PageProtection = PageProtection(0x10);
    /// PAGE_EXECUTE_READ.
    pub const EXECUTE_READ: PageProtection = PageProtection(0x20);
    /// PAGE_EXECUTE_READWRITE.
    pub const EXECUTE_READWRITE: PageProtection = PageProtection(0x40);
    /// PAGE_EXECUTE_WRITECOPY.
    pub const EXECUTE_WRITECOPY: PageProtection = PageProtection(0x80);
    /// PAGE_GUARD modifier: the first access raises STATUS_GUARD_PAGE_VIOLATION.
    pub const GUARD: PageProtection = PageProtection(0x100);
    /// PAGE_NOCACHE modifier (accepted, no effect here).
    pub const NOCACHE: PageProtection = PageProtection(0x200);

    /// The base protection without modifiers.
    pub const fn base(self) -> PageProtection {
        PageProtection(self.0 & 0xFF)
    }

    /// True when the `PAGE_GUARD` modifier is set.
    pub const fn is_guard(self) -> bool {
        self.0 & Self::GUARD.0 != 0
    }

    /// True when this is a valid protection: exactly one base value, plus at most one of
    /// `PAGE_GUARD` / `PAGE_NOCACHE`, and no modifier on `PAGE_NOACCESS`.
    pub const fn is_valid(self) -> bool {
        let base = self.0 & 0xFF;
        let modifiers = self.0 & !0xFF;
        if base == 0 || base & (base - 1) != 0 {
            return false;
        }
        match modifiers {
            0 => true,
            0x100 | 0x200 => base != Self::NOACCESS.0,
            _ => false,
        }
    }

    /// True for the two copy-on-write protections.
    pub const fn is_copy_on_write(self) -> bool {
        matches!(self.0 & 0xFF, 0x08 | 0x80)
    }

    /// The access byte this protection gives a committed page.
    ///
    /// NT 4.0 enforces no execute protection (that is XP SP2's DEP, on processors with a
    /// no-execute page bit): a page that can be read can be executed, and an execute-only
    /// page can be read. The protection itself is kept as given; only the access differs.
    const fn access_bits(self) -> u8 {
        let bits = match self.0 & 0xFF {
            0x02 => ACC_READ | ACC_EXECUTE,
            0x04 => ACC_READ | ACC_WRITE | ACC_EXECUTE,
            0x08 => ACC_READ | ACC_WRITE | ACC_COPY_ON_WRITE | ACC_EXECUTE,
            0x10 => ACC_READ | ACC_EXECUTE,
            0x20 => ACC_READ | ACC_EXECUTE,
            0x40 => ACC_READ | ACC_WRITE | ACC_EXECUTE,
            0x80 => ACC_READ | ACC_WRITE | ACC_EXECUTE | ACC_COPY_ON_WRITE,
            _ => 0,
        };
        let guard = if self.is_guard() { ACC_GUARD } else { 0 };
        bits | guard | ACC_COMMITTED
    }

    /// This protection with write access made copy-on-write access (READWRITE becomes
    /// WRITECOPY, EXECUTE_READWRITE becomes EXECUTE_WRITECOPY); others are unchanged.
    const fn with_copy_on_write(self) -> PageProtection {
        match self.0 & 0xFF {
            0x04 => PageProtection((self.0 & !0xFF) | 0x08),
            0x40 => PageProtection((self.0 & !0xFF) | 0x80),
            _ => self,
        }
    }

    /// The protection a copy-on-write page has after its first write.
    const fn after_copy_on_write(self) -> PageProtection {
        match self.0 & 0xFF {
            0x08 => PageProtection((self.0 & !0xFF) | 0x04),
            0x80 => PageProtection((self.0 & !0xFF) | 0x40),
            _ => self,
        }
    }
}

impl fmt::Debug for PageProtection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self.0 & 0xFF {
            0 => "0",
            0x01 => "PAGE_NOACCESS",
            0x02 => "PAGE_READONLY",
            0x04 => "PAGE_READWRITE",
            0x08 => "PAGE_WRITECOPY",
            0x10 => "PAGE_EXECUTE",
            0x20 => "PAGE_EXECUTE_READ",
            0x40 => "PAGE_EXECUTE_READWRITE",
            0x80 => "PAGE_EXECUTE_WRITECOPY",
            _ => return write!(f, "PageProtection({:#x})", self.0),
        };
        f.write_str(name)?;
        if self.is_guard() {
            f.write_str("|PAGE_GUARD")?;
        }
        if self.0 & Self::NOCACHE.0 != 0 {
            f.write_str("|PAGE_NOCACHE")?;
        }
        if self.0 & !0x3FF != 0 {
            write!(f, "|{:#x}", self.0 & !0x3FF)?;
        }
        Ok(())
    }
}

impl BitOr for PageProtection {
    type Output = PageProtection;
    fn bitor(self, rhs: PageProtection) -> PageProtection {
        PageProtection(self.0 | rhs.0)
    }
}

/// The `AllocationType` argument of `NtAllocateVirtualMemory` (`MEM_*` flags).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct AllocationType(pub u32);

impl AllocationType {
    /// MEM_COMMIT.
    pub const COMMIT: AllocationType = AllocationType(0x1000);
    /// MEM_RESERVE.
    pub const RESERVE: AllocationType = AllocationType(0x2000);
    /// MEM_RESET: the contents of the pages may be discarded (a no-op here).
    pub const RESET: AllocationType = AllocationType(0x8_0000);
    /// MEM_TOP_DOWN: search for a free range from the top of the user range.
    pub const TOP_DOWN: AllocationType = AllocationType(0x10_0000);

    /// True when every flag of `other` is set in `self`.
    pub const fn contains(self, other: AllocationType) -> bool {
        self.0 & other.0 == other.0
    }
}

impl BitOr for AllocationType {
    type Output = AllocationType;
    fn bitor(self, rhs: AllocationType) -> AllocationType {
        AllocationType(self.0 | rhs.0)
    }
}

/// The `FreeType` argument of `NtFreeVirtualMemory`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct FreeType(pub u32);

impl FreeType {
    /// MEM_DECOMMIT.
    pub const DECOMMIT: FreeType = FreeType(0x4000);
    /// MEM_RELEASE.
    pub const RELEASE: FreeType = FreeType(0x8000);
}

/// The `State` field of MEMORY_BASIC_INFORMATION.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(u32)]
pub enum MemoryState {
    /// MEM_COMMIT.
    Commit = 0x1000,
    /// MEM_RESERVE.
    Reserve = 0x2000,
    /// MEM_FREE.
    Free = 0x1_0000,
}

/// The `Type` field of MEMORY_BASIC_INFORMATION.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(u32)]
pub enum MemoryType {
    /// Free ranges have type 0.
    None = 0,
    /// MEM_PRIVATE: memory from NtAllocateVirtualMemory.
    Private = 0x2_0000,
    /// MEM_MAPPED: a view of a data section.
    Mapped = 0x4_0000,
    /// MEM_IMAGE: a view of an image section.
    Image = 0x100_0000,
}

/// MEMORY_BASIC_INFORMATION, as `NtQueryVirtualMemory` / `VirtualQuery` fill it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct MemoryBasicInformation {
    /// The queried address rounded down to a page.
    pub base_address: u32,
    /// Base of the allocation the page belongs to; 0 for free memory.
    pub allocation_base: u32,
    /// Protection given when the allocation was made; 0 for free memory.
    pub allocation_protect: PageProtection,
    /// Bytes from `base_address` whose pages all have the same state and protection.
    pub region_size: u32,
    /// Committed, reserved or free.
    pub state: MemoryState,
    /// Current protection: 0 for reserved pages, PAGE_NOACCESS for free ones.
    pub protect: PageProtection,
    /// Private, mapped or image; [`MemoryType::None`] for free memory.
    pub memory_type: MemoryType,
}

/// The kind of access that faulted.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Access {
    /// A data read.
    Read,
    /// A data write.
    Write,
    /// An instruction fetch.
    Execute,
}

impl Access {
    /// The value NT puts in ExceptionInformation\[0\] of an access violation.
    pub const fn exception_code(self) -> u32 {
        match self {
            Access::Read => 0,
            Access::Write => 1,
            Access::Execute => 8,
        }
    }

    const fn bit(self) -> u8 {
        match self {
            Access::Read => ACC_READ,
            Access::Write => ACC_WRITE,
            Access::Execute => ACC_EXECUTE,
        }
    }
}

/// Why a guest access faulted.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum FaultKind {
    /// The page is not committed or its protection forbids the access.
    AccessViolation,
    /// The page was a guard page; its guard bit is now cleared.
    GuardPage,
}

/// A guest memory access that the page protections refused.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Fault {
    /// The first guest address the access could not touch.
    pub addr: u32,
    /// What the access was.
    pub access: Access,
    /// Access violation or guard page.
    pub kind: FaultKind,
}

impl Fault {
    /// The exception status this fault raises in the guest.
    pub fn status(&self) -> NtStatus {
        match self.kind {
            FaultKind::AccessViolation => NtStatus::ACCESS_VIOLATION,
            FaultKind::GuardPage => NtStatus::GUARD_PAGE_VIOLATION,
        }
    }

    const fn violation(addr: u32, access: Access) -> Fault {
        Fault {
            addr,
            access,
            kind: FaultKind::AccessViolation,
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            FaultKind::AccessViolation => "access violation",
            FaultKind::GuardPage => "guard page violation",
        };
        write!(f, "{what}: {:?} at {:#010x}", self.access, self.addr)
    }
}

impl std::error::Error for Fault {}

/// Failures of the address-space services.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum MemoryError {
    /// A parameter is out of range or a combination is not allowed.
    #[error("invalid parameter: {0}")]
    InvalidParameter(&'static str),
    /// The page protection is not a valid `PAGE_*` value for this request.
    #[error("invalid page protection {0:?}")]
    InvalidPageProtection(PageProtection),
    /// The range overlaps an existing allocation, or does not lie in one allocation.
    #[error("range {base:#010x}..{end:#x} conflicts with the address space layout")]
    ConflictingAddresses {
        /// Start of the requested range.
        base: u32,
        /// End of the requested range (exclusive).
        end: u64,
    },
    /// Part of the range is not committed.
    #[error("page at {0:#010x} is not committed")]
    NotCommitted(u32),
    /// The address is not part of any allocation.
    #[error("address {0:#010x} is not allocated")]
    MemoryNotAllocated(u32),
    /// MEM_RELEASE with size 0 at an address other than the allocation base.
    #[error("address {0:#010x} is not the base of its allocation")]
    FreeVmNotAtBase(u32),
    /// The range cannot be freed this way.
    #[error("range {base:#010x}+{size:#x} cannot be freed")]
    UnableToFreeVm {
        /// Address of the request.
        base: u32,
        /// Size of the request.
        size: u32,
    },
    /// No free range of the requested size.
    #[error("no free range of {0:#x} bytes")]
    NoMemory(u32),
    /// Committing would pass the machine's commit limit (of this many bytes).
    #[error("the commit limit of {0} bytes is reached")]
    CommitmentLimit(u64),
    /// The host refused the 4 GiB mapping.
    #[error("host mapping failed: {0}")]
    Host(String),
    /// The address is not inside a mapped view.
    #[error("address {0:#010x} is not in a mapped view")]
    NotMappedView(u32),
    /// The protection asked for is not compatible with the view's section.
    #[error("protection {0:?} is not compatible with the section")]
    SectionProtection(PageProtection),
    /// Locking touched a page that faulted (a guard page, or one it cannot read).
    #[error("locking touched {0}")]
    Touch(Fault),
    /// Unlocking pages that are not locked.
    #[error("page at {0:#010x} is not locked")]
    NotLocked(u32),
    /// Committing pages of a view of a mapped file (they are always committed).
    #[error("the view's pages are already committed")]
    AlreadyCommitted,
}

impl MemoryError {
    /// The NTSTATUS the corresponding NT service returns.
    pub fn status(&self) -> NtStatus {
        match self {
            MemoryError::InvalidParameter(_) => NtStatus::INVALID_PARAMETER,
            MemoryError::InvalidPageProtection(_) => NtStatus::INVALID_PAGE_PROTECTION,
            MemoryError::ConflictingAddresses { .. } => NtStatus::CONFLICTING_ADDRESSES,
            MemoryError::NotCommitted(_) => NtStatus::NOT_COMMITTED,
            MemoryError::MemoryNotAllocated(_) => NtStatus::MEMORY_NOT_ALLOCATED,
            MemoryError::FreeVmNotAtBase(_) => NtStatus::FREE_VM_NOT_AT_BASE,
            MemoryError::UnableToFreeVm { .. } => NtStatus::UNABLE_TO_FREE_VM,
            MemoryError::NoMemory(_) | MemoryError::Host(_) => NtStatus::NO_MEMORY,
            MemoryError::CommitmentLimit(_) => NtStatus::COMMITMENT_LIMIT,
            MemoryError::NotMappedView(_) => NtStatus::NOT_MAPPED_VIEW,
            MemoryError::SectionProtection(_) => NtStatus::SECTION_PROTECTION,
            MemoryError::AlreadyCommitted => NtStatus::ALREADY_COMMITTED,
            MemoryError::Touch(f) => f.status(),
            MemoryError::NotLocked(_) => NtStatus::NOT_LOCKED,
        }
    }
}

/// Guest memory as the CPU interpreters and API code see it: checked little-endian access.
///
/// Reads take `&self` (a guard page touched by a read still loses its guard bit, as on NT);
/// writes take `&mut self`. Every method checks the page protection of every byte it
/// touches, including accesses that straddle a page boundary, and fails with a [`Fault`]
/// naming the first inaccessible address. A failed write changes nothing.
pub trait GuestMemory {
    /// Reads a byte.
    fn read_u8(&self, addr: u32) -> Result<u8, Fault>;
    /// Reads a little-endian u16.
    fn read_u16(&self, addr: u32) -> Result<u16, Fault>;
    /// Reads a little-endian u32.
    fn read_u32(&self, addr: u32) -> Result<u32, Fault>;
    /// Reads a little-endian u64.
    fn read_u64(&self, addr: u32) -> Result<u64, Fault>;
    /// Writes a byte.
    fn write_u8(&mut self, addr: u32, value: u8) -> Result<(), Fault>;
    /// Writes a little-endian u16.
    fn write_u16(&mut self, addr: u32, value: u16) -> Result<(), Fault>;
    /// Writes a little-endian u32.
    fn write_u32(&mut self, addr: u32, value: u32) -> Result<(), Fault>;
    /// Writes a little-endian u64.
    fn write_u64(&mut self, addr: u32, value: u64) -> Result<(), Fault>;
    /// Fills `buf` from guest memory at `addr`.
    fn read_bytes(&self, addr: u32, buf: &mut [u8]) -> Result<(), Fault>;
    /// Copies `data` to guest memory at `addr`; all or nothing.
    fn write_bytes(&mut self, addr: u32, data: &[u8]) -> Result<(), Fault>;
    /// Instruction fetch: fills `buf` from pages that allow execution.
    fn fetch_bytes(&self, addr: u32, buf: &mut [u8]) -> Result<(), Fault>;
    /// Instruction fetch of one little-endian u32 (an Alpha instruction word).
    fn fetch_u32(&self, addr: u32) -> Result<u32, Fault> {
        let mut b = [0u8; 4];
        self.fetch_bytes(addr, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    /// A counter that changes whenever code may have changed: a write to a page
    /// instructions were fetched from, a protection change, a decommit, release or unmap, or
    /// an executive write. Caches of decoded guest instructions compare it to stay valid.
    fn code_generation(&self) -> u64;
}

/// Ranges up to this size are zeroed in place on decommit; larger ones are handed back to
/// the host.
const SMALL_ZERO_RANGE: usize = 0x1_0000;

/// One allocation (NT: a VAD): a reserved range with per-page commit state.
#[derive(Clone, Debug)]
struct Allocation {
    base: u32,
    /// Size in bytes, a multiple of the page size.
    size: u32,
    protect: PageProtection,
    memory_type: MemoryType,
    /// Per page: 0 when only reserved, else the committed page's protection.
    pages: Vec<u32>,
    /// For a view of a section: the host memory it shows.
    backing: Option<Box<view::Backing>>,
    /// For an image view without host backing: per page, true once a copy-on-write page
    /// was written (now private). Empty until the first such write.
    copied: Vec<bool>,
}

impl Allocation {
    fn end(&self) -> u64 {
        u64::from(self.base) + u64::from(self.size)
    }
}

/// A machine's commit limit: the most bytes of guest memory all its address spaces together
/// may have committed (NT's commit limit, set by the paging file). Spaces charge it when they
/// commit pages and give the charge back when they decommit, free or are dropped.
#[derive(Debug)]
pub struct CommitLimit {
    used: AtomicU64,
    limit: u64,
}

impl CommitLimit {
    /// A limit of `limit` bytes, none of it used.
    pub fn new(limit: u64) -> Arc<CommitLimit> {
        Arc::new(CommitLimit {
            used: AtomicU64::new(0),
            limit,
        })
    }

    /// The limit in bytes.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Bytes committed now, over all the spaces charging this limit.
    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    /// Charges `bytes`, or fails when that would pass the limit (charging nothing).
    fn charge(&self, bytes: u64) -> Result<(), MemoryError> {
        self.used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                used.checked_add(bytes).filter(|&n| n <= self.limit)
            })
            .map(|_| ())
            .map_err(|_| MemoryError::CommitmentLimit(self.limit))
    }

    /// Gives back `bytes` charged earlier.
    fn release(&self, bytes: u64) {
        let _ = self
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                Some(used.saturating_sub(bytes))
            });
    }
}

/// One guest process's address space.
pub struct AddressSpace {
    mem: MmapMut,
    page: PageSize,
    /// One access byte per guest page, indexed by page number.
    access: Box<[AtomicU8]>,
    /// Allocations by base address.
    allocations: BTreeMap<u32, Allocation>,
    committed_bytes: u64,
    code_generation: u64,
    reserved_bytes: u64,
    /// Pages locked by NtLockVirtualMemory (page numbers).
    locked: std::collections::BTreeSet<u32>,
    /// The machine-wide limit this space's commits are charged to, if any.
    commit_limit: Option<Arc<CommitLimit>>,
}

impl Drop for AddressSpace {
    fn drop(&mut self) {
        if let Some(limit) = &self.commit_limit {
            limit.release(self.committed_bytes);
        }
    }
}

impl fmt::Debug for AddressSpace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AddressSpace")
            .field("page_size", &self.page.bytes())
            .field("allocations", &self.allocations.len())
            .field("committed_bytes", &self.committed_bytes)
            .field("reserved_bytes", &self.reserved_bytes)
            .finish()
    }
}

impl AddressSpace {
    /// Creates an empty address space: one lazily backed 4 GiB host mapping, all free.
    pub fn new(page: PageSize) -> Result<AddressSpace, MemoryError> {
        let mem = MmapOptions::new()
            .len(SPACE_SIZE)
            .no_reserve_swap()
            .map_anon()
            .map_err(|e| MemoryError::Host(e.to_string()))?;
        let pages = SPACE_SIZE >> page.shift();
        let access = (0..pages).map(|_| AtomicU8::new(0)).collect();
        Ok(AddressSpace {
            mem,
            page,
            access,
            allocations: BTreeMap::new(),
            committed_bytes: 0,
            code_generation: 0,
            reserved_bytes: 0,
            locked: std::collections::BTreeSet::new(),
            commit_limit: None,
        })
    }

    /// Charges this space's commits to `limit` from now on (what it has committed already is
    /// charged at once, even past the limit). A space charges at most one limit.
    pub fn set_commit_limit(&mut self, limit: Arc<CommitLimit>) {
        if let Some(old) = self.commit_limit.take() {
            old.release(self.committed_bytes);
        }
        limit
            .used
            .fetch_add(self.committed_bytes, Ordering::Relaxed);
        self.commit_limit = Some(limit);
    }

    /// The page size of this space.
    pub fn page_size(&self) -> PageSize {
        self.page
    }

    /// Bytes of committed pages.
    pub fn committed_bytes(&self) -> u64 {
        self.committed_bytes
    }

    /// Bytes of address space held by allocations (reserved, whether committed or not).
    pub fn reserved_bytes(&self) -> u64 {
        self.reserved_bytes
    }

    fn page_mask(&self) -> u32 {
        self.page.bytes() - 1
    }

    fn round_down_page(&self, addr: u32) -> u32 {
        addr & !self.page_mask()
    }

    fn round_up_page(&self, end: u64) -> u64 {
        let m = u64::from(self.page_mask());
        (end + m) & !m
    }

    /// The allocation containing `addr`, if any.
    fn allocation_at(&self, addr: u32) -> Option<&Allocation> {
        self.allocations
            .range(..=addr)
            .next_back()
            .map(|(_, a)| a)
            .filter(|a| u64::from(addr) < a.end())
    }

    fn allocation_base_at(&self, addr: u32) -> Option<u32> {
        self.allocation_at(addr).map(|a| a.base)
    }

    /// True when `start..end` overlaps no allocation.
    fn range_is_free(&self, start: u32, end: u64) -> bool {
        if self.allocation_at(start).is_some() {
            return false;
        }
        match self.allocations.range(start..).next() {
            Some((&b, _)) => u64::from(b) >= end,
            None => true,
        }
    }

    /// Finds a free, granularity-aligned range of `size` bytes.
    fn find_free(&self, size: u32, top_down: bool) -> Option<u32> {
        let g = u64::from(ALLOCATION_GRANULARITY);
        let size = u64::from(size);
        // Gaps between allocations, lowest first.
        let mut gaps = Vec::new();
        let mut cursor = u64::from(LOWEST_USER_ADDRESS);
        for a in self.allocations.values() {
            if u64::from(a.base) > cursor {
                gaps.push((cursor, u64::from(a.base)));
            }
            cursor = cursor.max(a.end());
        }
        if cursor < u64::from(USER_END) {
            gaps.push((cursor, u64::from(USER_END)));
        }
        let fit = |&(lo, hi): &(u64, u64)| -> Option<u32> {
            if top_down {
                let start = hi.checked_sub(size)? & !(g - 1);
                (start >= lo).then_some(start as u32)
            } else {
                let start = (lo + g - 1) & !(g - 1);
                (start + size <= hi).then_some(start as u32)
            }
        };
        if top_down {
            gaps.iter().rev().find_map(fit)
        } else {
            gaps.iter().find_map(fit)
        }
    }

    /// Writes the access bytes of `count` pages starting at page number `first`.
    fn set_access(&mut self, first: usize, count: usize, bits: u8) {
        for a in &mut self.access[first..first + count] {
            *a.get_mut() = bits;
        }
    }

    /// Returns the host pages of `start..start+len` to the host, so they read as zero.
    fn zero_range(&mut self, start: u32, len: u64) {
        let (start, len) = (start as usize, len as usize);
        if len == 0 {
            return;
        }
        if len <= SMALL_ZERO_RANGE {
            // A few pages (a thread's stack top and TEB, say): clearing them in place is far
            // cheaper than a system call, a TLB shootdown and fresh page faults on reuse.
            self.mem[start..start + len].fill(0);
            return;
        }
        // SAFETY: the range lies inside the mapping (callers pass page-aligned guest ranges
        // below 4 GiB). MADV_DONTNEED on a private anonymous mapping makes later reads see
        // zero-filled pages; no Rust reference into the mapping is alive here because we hold
        // `&mut self`, which every access to `mem` borrows from.
        let advised = unsafe {
            self.mem
                .unchecked_advise_range(UncheckedAdvice::DontNeed, start, len)
        };
        if advised.is_err() {
            // Misaligned for the host page size: zero by hand.
            self.mem[start..start + len].fill(0);
        }
    }

    /// `NtAllocateVirtualMemory`: reserves and/or commits pages.
    ///
    /// `base` 0 lets the space choose (64 KiB aligned); otherwise a reservation starts at
    /// `base` rounded down to 64 KiB and a commit at `base` rounded down to a page. Returns
    /// the base and size actually reserved or committed, as NT writes them back.
    pub fn allocate(
        &mut self,
        base: u32,
        size: u32,
        allocation_type: AllocationType,
        protect: PageProtection,
    ) -> Result<(u32, u32), MemoryError> {
        let known = AllocationType::COMMIT.0
            | AllocationType::RESERVE.0
            | AllocationType::RESET.0
            | AllocationType::TOP_DOWN.0;
        let t = allocation_type;
        if t.0 & !known != 0 {
            return Err(MemoryError::InvalidParameter(
                "unknown allocation type flags",
            ));
        }
        if size == 0 {
            return Err(MemoryError::InvalidParameter("size is zero"));
        }
        if t.contains(AllocationType::RESET) {
            if t.0 & !AllocationType::RESET.0 != 0 {
                return Err(MemoryError::InvalidParameter("MEM_RESET with other flags"));
            }
            return self.reset(base, size);
        }
        let reserve = t.contains(AllocationType::RESERVE);
        let commit = t.contains(AllocationType::COMMIT);
        if !reserve && !commit {
            return Err(MemoryError::InvalidParameter(
                "neither MEM_COMMIT nor MEM_RESERVE",
            ));
        }
        if !protect.is_valid() || (protect.is_copy_on_write() && (reserve || base == 0)) {
            return Err(MemoryError::InvalidPageProtection(protect));
        }
        if reserve || base == 0 {
            let (start, size) = self.reserve(base, size, t, protect, MemoryType::Private)?;
            if commit
                && let Err(e) =
                    self.commit_pages(start, u64::from(start) + u64::from(size), protect)
            {
                self.unreserve(start, size);
                return Err(e);
            }
            Ok((start, size))
        } else {
            let start = self.round_down_page(base);
            let end = self.round_up_page(u64::from(base) + u64::from(size));
            let conflict = MemoryError::ConflictingAddresses { base: start, end };
            let a = self.allocation_at(start).ok_or(conflict.clone())?;
            if end > a.end() {
                return Err(conflict);
            }
            let protect = match (a.memory_type, self.view_of(start)) {
                (MemoryType::Private, _) if !protect.is_copy_on_write() => protect,
                // A view of a file or an image is committed from the start.
                (MemoryType::Mapped, Some((_, false))) | (MemoryType::Image, _) => {
                    return Err(MemoryError::AlreadyCommitted);
                }
                // Pages of a paging-file section: NT 4.0 takes any protection, copy-on-write
                // in place of write access when the view has none.
                (MemoryType::Mapped, Some((view, true))) => {
                    if view::compatible(view, protect) {
                        protect
                    } else {
                        protect.with_copy_on_write()
                    }
                }
                (MemoryType::Private, _) => {
                    return Err(MemoryError::InvalidPageProtection(protect));
                }
                _ => return Err(conflict),
            };
            let a_base = a.base;
            self.commit_pages(start, end, protect)?;
            self.share_commit(a_base, start, end);
            Ok((start, (end - u64::from(start)) as u32))
        }
    }

    /// Removes an allocation `reserve` just made, nothing of it committed.
    fn unreserve(&mut self, start: u32, len: u32) {
        if self.allocations.remove(&start).is_some() {
            self.reserved_bytes -= u64::from(len);
        }
    }

    /// Creates an allocation without committing anything.
    fn reserve(
        &mut self,
        base: u32,
        size: u32,
        t: AllocationType,
        protect: PageProtection,
        memory_type: MemoryType,
    ) -> Result<(u32, u32), MemoryError> {
        let (start, end) = if base == 0 {
            let len = self.round_up_page(u64::from(size));
            if len > u64::from(USER_END - LOWEST_USER_ADDRESS) {
                return Err(MemoryError::NoMemory(size));
            }
            let start = self
                .find_free(len as u32, t.contains(AllocationType::TOP_DOWN))
                .ok_or(MemoryError::NoMemory(size))?;
            (start, u64::from(start) + len)
        } else {
            let start = base & !(ALLOCATION_GRANULARITY - 1);
            let end = self.round_up_page(u64::from(base) + u64::from(size));
            if start < LOWEST_USER_ADDRESS || end > u64::from(USER_END) {
                return Err(MemoryError::InvalidParameter(
                    "range outside the user address range",
                ));
            }
            if !self.range_is_free(start, end) {
                return Err(MemoryError::ConflictingAddresses { base: start, end });
            }
            (start, end)
        };
        let len = (end - u64::from(start)) as u32;
        let pages = (len >> self.page.shift()) as usize;
        self.allocations.insert(
            start,
            Allocation {
                base: start,
                size: len,
                protect,
                memory_type,
                pages: vec![0; pages],
                backing: None,
                copied: Vec::new(),
            },
        );
        self.reserved_bytes += u64::from(len);
        Ok((start, len))
    }

    /// Commits the pages of `start..end`, which lie inside one allocation, with `protect`;
    /// fails, changing nothing, when the newly committed pages would pass the commit limit.
    fn commit_pages(
        &mut self,
        start: u32,
        end: u64,
        protect: PageProtection,
    ) -> Result<(), MemoryError> {
        let shift = self.page.shift();
        let page_bytes = u64::from(self.page.bytes());
        let Some(base) = self.allocation_base_at(start) else {
            return Ok(());
        };
        let Some(a) = self.allocations.get_mut(&base) else {
            return Ok(());
        };
        let first = ((start - a.base) >> shift) as usize;
        let count = ((end - u64::from(start)) >> shift) as usize;
        let pages = &mut a.pages[first..first + count];
        let newly = pages.iter().filter(|&&p| p == 0).count() as u64 * page_bytes;
        if let Some(limit) = &self.commit_limit {
            limit.charge(newly)?;
        }
        for p in pages {
            *p = protect.0;
        }
        self.code_generation += 1;
        self.committed_bytes += newly;
        self.set_access((start >> shift) as usize, count, protect.access_bits());
        Ok(())
    }

    fn reset(&mut self, base: u32, size: u32) -> Result<(u32, u32), MemoryError> {
        let start = self.round_down_page(base);
        let end = self.round_up_page(u64::from(base) + u64::from(size));
        match self.allocation_at(start) {
            Some(a) if end <= a.end() => Ok((start, (end - u64::from(start)) as u32)),
            _ => Err(MemoryError::ConflictingAddresses { base: start, end }),
        }
    }

    /// `NtFreeVirtualMemory`: decommits pages or releases a whole allocation.
    ///
    /// MEM_RELEASE takes the allocation base and size 0 (or exactly the allocation's extent);
    /// MEM_DECOMMIT takes any page range inside one allocation, size 0 meaning "to the end of
    /// the allocation". Returns the base and size freed.
    pub fn free(
        &mut self,
        addr: u32,
        size: u32,
        free_type: FreeType,
    ) -> Result<(u32, u32), MemoryError> {
        if free_type != FreeType::DECOMMIT && free_type != FreeType::RELEASE {
            return Err(MemoryError::InvalidParameter(
                "free type must be MEM_DECOMMIT or MEM_RELEASE",
            ));
        }
        let start = self.round_down_page(addr);
        let a = self
            .allocation_at(start)
            .ok_or(MemoryError::MemoryNotAllocated(addr))?;
        if a.memory_type != MemoryType::Private {
            return Err(MemoryError::UnableToFreeVm { base: addr, size });
        }
        let (a_base, a_end) = (a.base, a.end());
        if free_type == FreeType::RELEASE {
            if size == 0 {
                if start != a_base {
                    return Err(MemoryError::FreeVmNotAtBase(addr));
                }
            } else {
                let end = self.round_up_page(u64::from(addr) + u64::from(size));
                if start != a_base || end != a_end {
                    return Err(MemoryError::UnableToFreeVm { base: addr, size });
                }
            }
            let len = self.release_allocation(a_base);
            return Ok((a_base, len));
        }
        let end = if size == 0 {
            a_end
        } else {
            self.round_up_page(u64::from(addr) + u64::from(size))
        };
        if end > a_end {
            return Err(MemoryError::UnableToFreeVm { base: addr, size });
        }
        self.decommit_pages(a_base, start, end, true);
        Ok((start, (end - u64::from(start)) as u32))
    }

    /// Decommits `start..end` of the allocation at `a_base`.
    /// `give_back`: give the pages back zeroed (not for a view, whose host pages are not ours).
    fn decommit_pages(&mut self, a_base: u32, start: u32, end: u64, give_back: bool) {
        self.code_generation += 1;
        let shift = self.page.shift();
        let page_bytes = self.page.bytes();
        let Some(a) = self.allocations.get_mut(&a_base) else {
            return;
        };
        let first = ((start - a.base) >> shift) as usize;
        let count = ((end - u64::from(start)) >> shift) as usize;
        let mut zero = Vec::new();
        for (i, p) in a.pages[first..first + count].iter_mut().enumerate() {
            if *p != 0 {
                *p = 0;
                zero.push(start + (i as u32) * page_bytes);
            }
        }
        let released = zero.len() as u64 * u64::from(page_bytes);
        self.committed_bytes -= released;
        if let Some(limit) = &self.commit_limit {
            limit.release(released);
        }
        self.set_access((start >> shift) as usize, count, 0);
        if !give_back {
            return;
        }
        // Coalesce runs of committed pages into single madvise calls.
        let mut i = 0;
        while i < zero.len() {
            let run_start = zero[i];
            let mut j = i + 1;
            while j < zero.len() && zero[j] == zero[j - 1] + page_bytes {
                j += 1;
            }
            self.zero_range(run_start, (j - i) as u64 * u64::from(page_bytes));
            i = j;
        }
    }

    /// Removes the allocation at `base`; returns its size.
    fn release_allocation(&mut self, base: u32) -> u32 {
        let Some(a) = self.allocations.get(&base) else {
            return 0;
        };
        let (size, end) = (a.size, a.end());
        let view = self.drop_backing(base);
        self.decommit_pages(base, base, end, !view);
        self.allocations.remove(&base);
        let shift = self.page.shift();
        let (first, last) = (
            base >> shift,
            ((u64::from(base) + u64::from(size)) >> shift) as u32,
        );
        self.locked.retain(|&p| p < first || p >= last);
        self.reserved_bytes -= u64::from(size);
        size
    }

    /// `NtProtectVirtualMemory`: changes the protection of committed pages inside one
    /// allocation; returns the old protection of the first page.
    pub fn protect(
        &mut self,
        addr: u32,
        size: u32,
        protect: PageProtection,
    ) -> Result<PageProtection, MemoryError> {
        if size == 0 {
            return Err(MemoryError::InvalidParameter("size is zero"));
        }
        if !protect.is_valid() {
            return Err(MemoryError::InvalidPageProtection(protect));
        }
        let shift = self.page.shift();
        let start = self.round_down_page(addr);
        let end = self.round_up_page(u64::from(addr) + u64::from(size));
        let conflict = MemoryError::ConflictingAddresses { base: start, end };
        let a = self.allocation_at(start).ok_or(conflict.clone())?;
        if end > a.end() {
            return Err(conflict);
        }
        if protect.is_copy_on_write() && a.memory_type == MemoryType::Private {
            return Err(MemoryError::InvalidPageProtection(protect));
        }
        // An image's pages are shared copy-on-write: write access to them is copy-on-write
        // access (NT's MiProtectVirtualMemory for an image view).
        let protect = if a.memory_type == MemoryType::Image {
            protect.with_copy_on_write()
        } else {
            protect
        };
        let is_view = a.memory_type != MemoryType::Private;
        if is_view && !view::compatible(a.protect, protect) {
            return Err(MemoryError::SectionProtection(protect));
        }
        let first = ((start - a.base) >> shift) as usize;
        let count = ((end - u64::from(start)) >> shift) as usize;
        if let Some(i) = a.pages[first..first + count].iter().position(|&p| p == 0) {
            return Err(MemoryError::NotCommitted(start + ((i as u32) << shift)));
        }
        let old = self.effective_protect(start, a.pages[first]);
        let base = a.base;
        // A copy-on-write page already written is private: it stays writable.
        let per_page: Vec<PageProtection> = (0..count)
            .map(|i| {
                let at = start + ((i as u32) << shift);
                if is_view && protect.is_copy_on_write() && self.page_written(at) {
                    protect.after_copy_on_write()
                } else {
                    protect
                }
            })
            .collect();
        if let Some(a) = self.allocations.get_mut(&base) {
            for (p, new) in a.pages[first..first + count].iter_mut().zip(&per_page) {
                *p = new.0;
            }
        }
        self.code_generation += 1;
        for (i, p) in per_page.iter().enumerate() {
            self.set_access((start >> shift) as usize + i, 1, p.access_bits());
        }
        Ok(old)
    }

    /// The current protection of a committed page whose stored protection is `stored`:
    /// a guard bit that a touch has cleared is no longer reported.
    fn effective_protect(&self, page_addr: u32, stored: u32) -> PageProtection {
        let p = PageProtection(stored);
        let bits = self.access[(page_addr >> self.page.shift()) as usize].load(Ordering::Relaxed);
        if p.is_guard() && bits & ACC_GUARD == 0 {
            PageProtection(stored & !PageProtection::GUARD.0)
        } else {
            p
        }
    }

    /// `NtQueryVirtualMemory(MemoryBasicInformation)`.
    pub fn query(&self, addr: u32) -> Result<MemoryBasicInformation, MemoryError> {
        if addr >= USER_END {
            return Err(MemoryError::InvalidParameter(
                "address above the user range",
            ));
        }
        let shift = self.page.shift();
        let page = self.round_down_page(addr);
        let Some(a) = self.allocation_at(page) else {
            let next = self
                .allocations
                .range(page..)
                .next()
                .map_or(USER_END, |(&b, _)| b.min(USER_END));
            return Ok(MemoryBasicInformation {
                base_address: page,
                allocation_base: 0,
                allocation_protect: PageProtection(0),
                region_size: next - page,
                state: MemoryState::Free,
                protect: PageProtection::NOACCESS,
                memory_type: MemoryType::None,
            });
        };
        let first = ((page - a.base) >> shift) as usize;
        let key = |i: usize| -> u32 {
            let stored = a.pages[i];
            let at = a.base + ((i as u32) << shift);
            if stored == 0 && Self::shared_committed(a, at) {
                a.protect.0
            } else if stored == 0 {
                0
            } else {
                self.effective_protect(a.base + ((i as u32) << shift), stored)
                    .0
            }
        };
        let k = key(first);
        let run = (first..a.pages.len()).take_while(|&i| key(i) == k).count();
        Ok(MemoryBasicInformation {
            base_address: page,
            allocation_base: a.base,
            allocation_protect: a.protect,
            region_size: (run as u32) << shift,
            state: if k == 0 {
                MemoryState::Reserve
            } else {
                MemoryState::Commit
            },
            protect: PageProtection(k),
            memory_type: a.memory_type,
        })
    }

    /// Maps a view (of an image or data section): reserves `size` bytes at `base` (0: any
    /// 64 KiB-aligned free range; otherwise `base` must be 64 KiB aligned) and commits every
    /// page with `protect`. Returns the view base. Image and mapped views are removed with
    /// [`AddressSpace::unmap_view`], not [`AddressSpace::free`].
    pub fn map_view(
        &mut self,
        base: u32,
        size: u32,
        memory_type: MemoryType,
        protect: PageProtection,
    ) -> Result<u32, MemoryError> {
        if memory_type != MemoryType::Image && memory_type != MemoryType::Mapped {
            return Err(MemoryError::InvalidParameter(
                "a view is of an image or a mapping",
            ));
        }
        if size == 0 {
            return Err(MemoryError::InvalidParameter("size is zero"));
        }
        if !base.is_multiple_of(ALLOCATION_GRANULARITY) {
            return Err(MemoryError::InvalidParameter(
                "view base not 64 KiB aligned",
            ));
        }
        if !protect.is_valid() {
            return Err(MemoryError::InvalidPageProtection(protect));
        }
        let (start, len) =
            self.reserve(base, size, AllocationType::RESERVE, protect, memory_type)?;
        if let Err(e) = self.commit_pages(start, u64::from(start) + u64::from(len), protect) {
            self.unreserve(start, len);
            return Err(e);
        }
        Ok(start)
    }

    /// `NtUnmapViewOfSection`: removes the view whose allocation contains `addr`.
    pub fn unmap_view(&mut self, addr: u32) -> Result<(), MemoryError> {
        let a = self
            .allocation_at(addr)
            .ok_or(MemoryError::MemoryNotAllocated(addr))?;
        if a.memory_type == MemoryType::Private {
            return Err(MemoryError::NotMappedView(addr));
        }
        let base = a.base;
        self.release_allocation(base);
        Ok(())
    }

    /// `NtLockVirtualMemory`: locks the pages of `addr..addr+size` in memory, touching each
    /// as a read (a guard page's guard goes and STATUS_GUARD_PAGE_VIOLATION fails the call,
    /// nothing locked). Returns the pages' range.
    pub fn lock(&mut self, addr: u32, size: u32) -> Result<(u32, u32), MemoryError> {
        let (start, end) = self.page_range(addr, size)?;
        let shift = self.page.shift();
        for page in (start >> shift)..((end >> shift) as u32) {
            self.read_u8(page << shift).map_err(MemoryError::Touch)?;
        }
        for page in (start >> shift)..((end >> shift) as u32) {
            self.locked.insert(page);
        }
        Ok((start, (end - u64::from(start)) as u32))
    }

    /// `NtUnlockVirtualMemory`: unlocks pages [`AddressSpace::lock`] locked; every page of
    /// the range must be locked (else STATUS_NOT_LOCKED, nothing unlocked).
    pub fn unlock(&mut self, addr: u32, size: u32) -> Result<(u32, u32), MemoryError> {
        let (start, end) = self.page_range(addr, size)?;
        let shift = self.page.shift();
        let pages = (start >> shift)..((end >> shift) as u32);
        if let Some(p) = pages.clone().find(|p| !self.locked.contains(p)) {
            return Err(MemoryError::NotLocked(p << shift));
        }
        for page in pages {
            self.locked.remove(&page);
        }
        Ok((start, (end - u64::from(start)) as u32))
    }

    /// The pages of `addr..addr+size` (size 0: one page): (start, end), all in one
    /// allocation's committed pages.
    fn page_range(&self, addr: u32, size: u32) -> Result<(u32, u64), MemoryError> {
        let start = self.round_down_page(addr);
        let end = self.round_up_page(u64::from(addr) + u64::from(size.max(1)));
        let a = self
            .allocation_at(start)
            .ok_or(MemoryError::NotCommitted(start))?;
        if end > a.end() {
            return Err(MemoryError::NotCommitted(a.end() as u32));
        }
        let shift = self.page.shift();
        let first = ((start - a.base) >> shift) as usize;
        let count = ((end - u64::from(start)) >> shift) as usize;
        if let Some(i) = a.pages[first..first + count].iter().position(|&p| p == 0) {
            return Err(MemoryError::NotCommitted(start + ((i as u32) << shift)));
        }
        Ok((start, end))
    }

    // ---- checked access -------------------------------------------------------------

    /// Slow path of an access check: handles guard pages and reports violations.
    #[cold]
    fn check_slow(&self, addr: u32, len: usize, access: Access) -> Result<(), Fault> {
        let shift = self.page.shift();
        let start = addr as usize;
        let last = start + len.max(1) - 1;
        for page in (start >> shift)..=(last >> shift) {
            let fault_addr = if page == start >> shift {
                addr
            } else {
                (page << shift) as u32
            };
            let Some(cell) = self.access.get(page) else {
                return Err(Fault::violation(fault_addr, access));
            };
            let bits = cell.load(Ordering::Relaxed);
            if bits & ACC_GUARD != 0 {
                cell.fetch_and(!ACC_GUARD, Ordering::Relaxed);
                return Err(Fault {
                    addr: fault_addr,
                    access,
                    kind: FaultKind::GuardPage,
                });
            }
            if bits & access.bit() == 0 {
                return Err(Fault::violation(fault_addr, access));
            }
        }
        Ok(())
    }

    /// Checks that `len` (>= 1) bytes at `addr` allow `access`; copy-on-write pages pass.
    #[inline]
    fn check(&self, addr: u32, len: usize, access: Access) -> Result<(), Fault> {
        let shift = self.page.shift();
        let start = addr as usize;
        let last = start + len - 1;
        let need = access.bit();
        let p0 = start >> shift;
        let p1 = last >> shift;
        let ok = |p: usize| {
            self.access
                .get(p)
                .is_some_and(|c| c.load(Ordering::Relaxed) & (need | ACC_GUARD) == need)
        };
        if ok(p0) && (p1 == p0 || (p1..=p1).chain(p0 + 1..p1).all(ok)) {
            Ok(())
        } else {
            self.check_slow(addr, len, access)
        }
    }

    /// Checks a write and performs copy-on-write on the pages it touches.
    #[inline]
    fn check_write(&mut self, addr: u32, len: usize) -> Result<(), Fault> {
        let shift = self.page.shift();
        let start = addr as usize;
        let p0 = start >> shift;
        let p1 = (start + len - 1) >> shift;
        let plain = |p: usize| {
            self.access.get(p).is_some_and(|c| {
                c.load(Ordering::Relaxed) & (ACC_WRITE | ACC_GUARD | ACC_COPY_ON_WRITE | ACC_CODE)
                    == ACC_WRITE
            })
        };
        if plain(p0) && (p1 == p0 || (p0 + 1..=p1).all(plain)) {
            return Ok(());
        }
        self.check_write_slow(addr, len, p0, p1)
    }

    /// Writes touching guard, copy-on-write, code or inaccessible pages.
    #[cold]
    fn check_write_slow(
        &mut self,
        addr: u32,
        len: usize,
        p0: usize,
        p1: usize,
    ) -> Result<(), Fault> {
        self.check(addr, len, Access::Write)?;
        if self.access[p0..=p1]
            .iter()
            .any(|c| c.load(Ordering::Relaxed) & ACC_CODE != 0)
        {
            self.code_generation += 1;
        }
        self.copy_on_write(p0, p1);
        Ok(())
    }

    /// A first write to copy-on-write pages makes them private read-write pages.
    #[cold]
    fn copy_on_write(&mut self, p0: usize, p1: usize) {
        let shift = self.page.shift();
        for page in p0..=p1 {
            let bits = *self.access[page].get_mut();
            if bits & ACC_COPY_ON_WRITE == 0 {
                continue;
            }
            let addr = (page << shift) as u32;
            self.privatize_page(addr);
            *self.access[page].get_mut() = bits & !ACC_COPY_ON_WRITE;
            let Some(base) = self.allocation_base_at(addr) else {
                continue;
            };
            if let Some(a) = self.allocations.get_mut(&base) {
                let i = ((addr - a.base) >> shift) as usize;
                if let Some(p) = a.pages.get_mut(i) {
                    *p = PageProtection(*p).after_copy_on_write().0;
                }
                if a.backing.is_none() && a.memory_type == MemoryType::Image {
                    a.copied.resize(a.pages.len(), false);
                    if let Some(c) = a.copied.get_mut(i) {
                        *c = true;
                    }
                }
            }
        }
    }

    /// Records that instructions were fetched from the pages of `len` (>= 1) bytes at
    /// `addr`, already checked: a later write to them bumps the code generation.
    #[inline]
    fn mark_code(&self, addr: u32, len: usize) {
        let shift = self.page.shift();
        let p0 = addr as usize >> shift;
        let p1 = (addr as usize + len.max(1) - 1) >> shift;
        for cell in self.access.get(p0..=p1).into_iter().flatten() {
            if cell.load(Ordering::Relaxed) & ACC_CODE == 0 {
                cell.fetch_or(ACC_CODE, Ordering::Relaxed);
            }
        }
    }

    #[inline]
    fn read_array<const N: usize>(&self, addr: u32, access: Access) -> Result<[u8; N], Fault> {
        self.check(addr, N, access)?;
        let a = addr as usize;
        let mut out = [0u8; N];
        out.copy_from_slice(&self.mem[a..a + N]);
        Ok(out)
    }

    #[inline]
    fn write_array<const N: usize>(&mut self, addr: u32, bytes: [u8; N]) -> Result<(), Fault> {
        self.check_write(addr, N)?;
        let a = addr as usize;
        self.mem[a..a + N].copy_from_slice(&bytes);
        Ok(())
    }

    /// Reads `N` bytes at `addr` as one checked read: a fixed size is checked and copied
    /// inline, where [`GuestMemory::read_bytes`] takes a length it learns at run time.
    #[inline]
    pub fn read_fixed<const N: usize>(&self, addr: u32) -> Result<[u8; N], Fault> {
        self.read_array(addr, Access::Read)
    }

    /// Checks `buf.len()` bytes at `addr` for `access` and copies them out.
    fn read_checked(&self, addr: u32, buf: &mut [u8], access: Access) -> Result<(), Fault> {
        if buf.is_empty() {
            return Ok(());
        }
        self.check_range(addr, buf.len(), access)?;
        let a = addr as usize;
        buf.copy_from_slice(&self.mem[a..a + buf.len()]);
        Ok(())
    }

    /// Reads a NUL-terminated byte string of at most `max_len` bytes (the NUL excluded).
    /// Stops at the NUL or at `max_len`, whichever comes first.
    pub fn read_c_string(&self, addr: u32, max_len: usize) -> Result<Vec<u8>, Fault> {
        let len = self.c_string_len(addr, max_len)?;
        let a = addr as usize;
        Ok(self.mem[a..a + len].to_vec())
    }

    /// The length of the NUL-terminated byte string at `addr` (the NUL excluded), at most
    /// `max_len`: the bytes are checked for reading page by page as they are scanned, so a
    /// string ending just before an inaccessible page is read and one running into it
    /// faults at the page's first byte, as a byte-by-byte read would.
    pub fn c_string_len(&self, addr: u32, max_len: usize) -> Result<usize, Fault> {
        let page = self.page.bytes() as usize;
        let mut len = 0usize;
        while len < max_len {
            let at = addr as usize + len;
            if at >= SPACE_SIZE {
                return Err(Fault::violation(at as u32, Access::Read));
            }
            self.check(at as u32, 1, Access::Read)?;
            let page_end = (at & !(page - 1)) + page;
            let n = (page_end - at).min(max_len - len);
            if let Some(i) = self.mem[at..at + n].iter().position(|&b| b == 0) {
                return Ok(len + i);
            }
            len += n;
        }
        Ok(max_len)
    }

    /// Copies `len` bytes from `src` to `dst` in this space, as memmove does (the ranges may
    /// overlap), with no host buffer between: the whole source must be readable and the
    /// whole destination writable (guard pages, copy-on-write and executable pages are
    /// handled as any guest write handles them), else nothing is copied and the first
    /// fault is returned (the source's before the destination's).
    pub fn copy_within_space(&mut self, dst: u32, src: u32, len: u32) -> Result<(), Fault> {
        if len == 0 {
            return Ok(());
        }
        let n = len as usize;
        self.check_range(src, n, Access::Read)?;
        self.check_write_range(dst, n)?;
        let (s, d) = (src as usize, dst as usize);
        self.mem.copy_within(s..s + n, d);
        Ok(())
    }

    /// Sets `len` bytes at `dst` to `value` (memset), checked as one write of the whole
    /// range: nothing is written when any of it is not writable.
    pub fn fill_bytes(&mut self, dst: u32, len: u32, value: u8) -> Result<(), Fault> {
        if len == 0 {
            return Ok(());
        }
        let n = len as usize;
        self.check_write_range(dst, n)?;
        let d = dst as usize;
        self.mem[d..d + n].fill(value);
        Ok(())
    }

    /// Compares `len` bytes at `a` with `len` bytes at `b` as memcmp does (unsigned bytes),
    /// reading both in place: both ranges must be readable.
    pub fn compare_bytes(&self, a: u32, b: u32, len: u32) -> Result<std::cmp::Ordering, Fault> {
        if len == 0 {
            return Ok(std::cmp::Ordering::Equal);
        }
        let n = len as usize;
        self.check_range(a, n, Access::Read)?;
        self.check_range(b, n, Access::Read)?;
        let (a, b) = (a as usize, b as usize);
        Ok(self.mem[a..a + n].cmp(&self.mem[b..b + n]))
    }

    /// Checks `len` (>= 1) bytes at `addr` for `access`, a range past the end of the space
    /// included (it faults).
    fn check_range(&self, addr: u32, len: usize, access: Access) -> Result<(), Fault> {
        if addr as usize + len > SPACE_SIZE {
            return self
                .check_slow(addr, len, access)
                .and(Err(Fault::violation(0, access)));
        }
        self.check(addr, len, access)
    }

    /// Checks a write of `len` (>= 1) bytes at `addr` (a range past the end of the space
    /// faults) and makes its copy-on-write pages private.
    fn check_write_range(&mut self, addr: u32, len: usize) -> Result<(), Fault> {
        if addr as usize + len > SPACE_SIZE {
            return self
                .check_slow(addr, len, Access::Write)
                .and(Err(Fault::violation(0, Access::Write)));
        }
        self.check_write(addr, len)
    }

    /// Reads a NUL-terminated UTF-16 string of at most `max_len` code units.
    pub fn read_wide_c_string(&self, addr: u32, max_len: usize) -> Result<Vec<u16>, Fault> {
        let mut out = Vec::new();
        let mut a = addr;
        while out.len() < max_len {
            let w = self.read_u16(a)?;
            if w == 0 {
                break;
            }
            out.push(w);
            a = a.wrapping_add(2);
        }
        Ok(out)
    }

    /// Executive access: reads committed pages whatever their protection (no guard effect).
    pub fn kernel_read(&self, addr: u32, buf: &mut [u8]) -> Result<(), Fault> {
        self.check_committed(addr, buf.len(), Access::Read)?;
        let a = addr as usize;
        buf.copy_from_slice(&self.mem[a..a + buf.len()]);
        Ok(())
    }

    /// Executive access: writes committed pages whatever their protection, as the loader
    /// does when it copies sections and applies relocations. Protections are unchanged.
    pub fn kernel_write(&mut self, addr: u32, data: &[u8]) -> Result<(), Fault> {
        self.check_committed(addr, data.len(), Access::Write)?;
        self.code_generation += 1;
        let a = addr as usize;
        self.mem[a..a + data.len()].copy_from_slice(data);
        Ok(())
    }

    fn check_committed(&self, addr: u32, len: usize, access: Access) -> Result<(), Fault> {
        if len == 0 {
            return Ok(());
        }
        let shift = self.page.shift();
        let start = addr as usize;
        let last = start + len - 1;
        for page in (start >> shift)..=(last >> shift) {
            let committed = self
                .access
                .get(page)
                .is_some_and(|c| c.load(Ordering::Relaxed) & ACC_COMMITTED != 0);
            if !committed {
                let fault_addr = if page == start >> shift {
                    addr
                } else {
                    (page << shift) as u32
                };
                return Err(Fault::violation(fault_addr, access));
            }
        }
        Ok(())
    }
}

impl GuestMemory for AddressSpace {
    #[inline]
    fn read_u8(&self, addr: u32) -> Result<u8, Fault> {
        Ok(self.read_array::<1>(addr, Access::Read)?[0])
    }

    #[inline]
    fn read_u16(&self, addr: u32) -> Result<u16, Fault> {
        self.read_array(addr, Access::Read).map(u16::from_le_bytes)
    }

    #[inline]
    fn read_u32(&self, addr: u32) -> Result<u32, Fault> {
        self.read_array(addr, Access::Read).map(u32::from_le_bytes)
    }

    #[inline]
    fn read_u64(&self, addr: u32) -> Result<u64, Fault> {
        self.read_array(addr, Access::Read).map(u64::from_le_bytes)
    }

    #[inline]
    fn write_u8(&mut self, addr: u32, value: u8) -> Result<(), Fault> {
        self.write_array(addr, [value])
    }

    #[inline]
    fn write_u16(&mut self, addr: u32, value: u16) -> Result<(), Fault> {
        self.write_array(addr, value.to_le_bytes())
    }

    #[inline]
    fn write_u32(&mut self, addr: u32, value: u32) -> Result<(), Fault> {
        self.write_array(addr, value.to_le_bytes())
    }

    #[inline]
    fn write_u64(&mut self, addr: u32, value: u64) -> Result<(), Fault> {
        self.write_array(addr, value.to_le_bytes())
    }

    fn read_bytes(&self, addr: u32, buf: &mut [u8]) -> Result<(), Fault> {
        self.read_checked(addr, buf, Access::Read)
    }

    fn write_bytes(&mut self, addr: u32, data: &[u8]) -> Result<(), Fault> {
        if data.is_empty() {
            return Ok(());
        }
        self.check_write_range(addr, data.len())?;
        let a = addr as usize;
        self.mem[a..a + data.len()].copy_from_slice(data);
        Ok(())
    }

    fn fetch_bytes(&self, addr: u32, buf: &mut [u8]) -> Result<(), Fault> {
        self.read_checked(addr, buf, Access::Execute)?;
        self.mark_code(addr, buf.len());
        Ok(())
    }

    #[inline]
    fn fetch_u32(&self, addr: u32) -> Result<u32, Fault> {
        let word = self.read_array(addr, Access::Execute)?;
        self.mark_code(addr, 4);
        Ok(u32::from_le_bytes(word))
    }

    #[inline]
    fn code_generation(&self) -> u64 {
        self.code_generation
    }
}

mod view;
pub use view::{
    SharedCommit, ViewBacking, anonymous_backing, backing_len, read_backing, set_backing_len,
};

#[cfg(test)]
mod tests;
