//! Views of sections (file mappings) whose pages are shared host memory.
//!
//! A section's data lives in a host descriptor: a memfd for a section backed by the paging
//! file, the host file itself for a file section. A view is an allocation of type
//! [`MemoryType::Mapped`] whose host pages are that descriptor, mapped over the address
//! space's 4 GiB host mapping at the view's guest address (`MAP_FIXED`). So every view of
//! one section, in any process of the machine, and the file's own reads and writes, see the
//! same bytes with no copying, and the guest access fast paths stay an index into one
//! mapping. Page protections stay the software table's business: the host mapping always
//! allows reading and writing.
//!
//! A view made with FILE_MAP_COPY is a private host mapping (`MAP_PRIVATE`): the host copies
//! a page on its first write, so the section never sees it. A page of a shared view that
//! the guest makes copy-on-write (VirtualProtect to PAGE_WRITECOPY) is mapped privately on
//! its first write, just before the write. Unmapping puts fresh anonymous pages back.
//!
//! memmap2 keeps the 4 GiB reservation; it cannot place a mapping at a chosen address, so
//! the overlays use rustix's `mmap` (a workspace dependency already) directly.

use std::any::Any;
use std::fmt;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;

use rustix::fs::OFlags;
use rustix::mm::{MapFlags, MsyncFlags, ProtFlags};

use crate::{AddressSpace, AllocationType, MemoryError, MemoryType, PageProtection, SPACE_SIZE};

/// The host page size ntemu's views need: guest pages (4 or 8 KiB) are whole host pages.
const HOST_PAGE: u64 = 0x1000;

/// The commit state the views of a SEC_RESERVE section share: one flag per 4 KiB of the
/// section. MEM_COMMIT on one view commits the section's pages, so every other view (in any
/// process) finds them committed too: its queries say so, and its first touch of such a page
/// commits it in its own space ([`AddressSpace::sync_shared_commit`]).
#[derive(Debug, Default)]
pub struct SharedCommit {
    units: std::sync::Mutex<Vec<bool>>,
}

impl SharedCommit {
    /// Nothing committed, for a section of `size` bytes.
    pub fn new(size: u64) -> Arc<SharedCommit> {
        Arc::new(SharedCommit {
            units: std::sync::Mutex::new(vec![false; size.div_ceil(HOST_PAGE) as usize]),
        })
    }

    fn units(&self) -> std::sync::MutexGuard<'_, Vec<bool>> {
        self.units.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Marks `offset..offset+len` of the section committed.
    fn commit(&self, offset: u64, len: u64) {
        let mut u = self.units();
        let first = (offset / HOST_PAGE) as usize;
        let last = (offset + len).div_ceil(HOST_PAGE) as usize;
        for b in u.iter_mut().take(last).skip(first) {
            *b = true;
        }
    }

    /// True when the 4 KiB at section offset `offset` are committed.
    fn is_committed(&self, offset: u64) -> bool {
        self.units()
            .get((offset / HOST_PAGE) as usize)
            .copied()
            .unwrap_or(false)
    }
}

/// What a view shows: a range of a host descriptor.
#[derive(Clone)]
pub struct ViewBacking {
    /// The section's host descriptor (a memfd, or the mapped file).
    pub fd: Arc<OwnedFd>,
    /// Offset in the descriptor of the view's first byte (a multiple of 64 KiB).
    pub offset: u64,
    /// Bytes of the descriptor from `offset` that back the view; pages past them read as
    /// zero and are never written to the descriptor. Must not pass the descriptor's end.
    pub length: u64,
    /// A copy-on-write view (FILE_MAP_COPY): the section never sees its writes.
    pub private: bool,
    /// The section is backed by the paging file (MEM_COMMIT on the view commits pages),
    /// not by a file (whose views are committed from the start).
    pub page_file: bool,
    /// Kept alive as long as the view is mapped (the section object, so its file stays
    /// counted as mapped even after its last handle closes).
    pub keep_alive: Option<Arc<dyn Any + Send + Sync>>,
    /// The commit state of a SEC_RESERVE section, which its views share.
    pub shared_commit: Option<Arc<SharedCommit>>,
}

impl fmt::Debug for ViewBacking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ViewBacking")
            .field("offset", &self.offset)
            .field("length", &self.length)
            .field("private", &self.private)
            .field("page_file", &self.page_file)
            .finish_non_exhaustive()
    }
}

/// A view's host backing and per-page state, kept in its allocation.
#[derive(Clone, Debug)]
pub(crate) struct Backing {
    pub(crate) view: ViewBacking,
    /// Bytes of the view, from its base, that are the descriptor's host pages.
    host_len: u64,
    /// Per guest page: a copy-on-write page already written (now private).
    written: Vec<bool>,
}

/// Makes the host memory of a section backed by the paging file: a memfd of `size` bytes,
/// all zero.
pub fn anonymous_backing(size: u64) -> Result<OwnedFd, MemoryError> {
    let fd = rustix::fs::memfd_create("ntemu-section", rustix::fs::MemfdFlags::CLOEXEC)
        .map_err(|e| MemoryError::Host(e.to_string()))?;
    rustix::fs::ftruncate(&fd, size).map_err(|e| MemoryError::Host(e.to_string()))?;
    Ok(fd)
}

/// Access a protection grants, as NT compares a view's protections with its section's:
/// bit 0 read, bit 1 write, bit 2 execute (copy-on-write counts as read).
const fn view_access(p: PageProtection) -> u8 {
    match p.0 & 0xFF {
        0x02 | 0x08 => 1,
        0x04 => 3,
        0x10 | 0x20 | 0x80 => 5,
        0x40 => 7,
        _ => 0,
    }
}

/// True when pages of a view made with `view` may be given protection `new`: the new one
/// grants no access the view's did not.
pub(crate) const fn compatible(view: PageProtection, new: PageProtection) -> bool {
    let v = view_access(view);
    let n = view_access(new);
    v & n == n
}

impl AddressSpace {
    /// Host address of guest address `addr`.
    fn host_ptr(&mut self, addr: u32) -> *mut std::ffi::c_void {
        // In bounds: callers pass guest addresses below 4 GiB, the mapping's length.
        self.mem[addr as usize..].as_mut_ptr().cast()
    }

    /// Maps `len` bytes of `fd` from `offset` at guest `addr`, over what was there.
    fn overlay(
        &mut self,
        addr: u32,
        len: u64,
        fd: &OwnedFd,
        offset: u64,
        shared: bool,
    ) -> Result<(), MemoryError> {
        if len == 0 {
            return Ok(());
        }
        if u64::from(addr) + len > SPACE_SIZE as u64 {
            return Err(MemoryError::InvalidParameter("view past the address space"));
        }
        let ptr = self.host_ptr(addr);
        // A descriptor open only for reading (a read-only section of a read-only file) is
        // mapped privately: its pages still show the file until written, and only the
        // executive could write them (the guest's protections forbid it).
        let writable =
            rustix::fs::fcntl_getfl(fd).is_ok_and(|f| f & OFlags::RWMODE == OFlags::RDWR);
        let share = if shared && writable {
            MapFlags::SHARED
        } else {
            MapFlags::PRIVATE
        };
        // SAFETY: `ptr..ptr+len` lies inside the 4 GiB host mapping this space owns (checked
        // above; `addr` and `len` are page multiples). MAP_FIXED replaces those pages of our
        // own mapping with the descriptor's, so the range stays mapped, readable and
        // writable, and `mem` still covers exactly what it did; no Rust reference into it
        // is alive because we hold `&mut self`. Other views of the same descriptor (in this
        // machine's other spaces, which run on this thread) see the same bytes by design.
        unsafe {
            rustix::mm::mmap(
                ptr,
                len as usize,
                ProtFlags::READ | ProtFlags::WRITE,
                share | MapFlags::FIXED,
                fd.as_fd(),
                offset,
            )
        }
        .map(|_| ())
        .map_err(|e| MemoryError::Host(e.to_string()))
    }

    /// Puts fresh anonymous (zero) pages back at `addr..addr+len`.
    fn restore_anonymous(&mut self, addr: u32, len: u64) {
        if len == 0 || u64::from(addr) + len > SPACE_SIZE as u64 {
            return;
        }
        let ptr = self.host_ptr(addr);
        // SAFETY: as in `overlay`: the range is inside our own mapping and no reference
        // into it is alive; MAP_FIXED anonymous private pages replace the descriptor's, as
        // the space's own pages were at creation.
        let r = unsafe {
            rustix::mm::mmap_anonymous(
                ptr,
                len as usize,
                ProtFlags::READ | ProtFlags::WRITE,
                MapFlags::PRIVATE | MapFlags::FIXED | MapFlags::NORESERVE,
            )
        };
        if r.is_err() {
            // Out of host mappings: keep the descriptor's pages but never write them again
            // through this space; the range is free in the bookkeeping and reads stale data
            // only until reused, which zero-fills it by hand.
            self.mem[addr as usize..addr as usize + len as usize].fill(0);
        }
    }

    /// `NtMapViewOfSection` for a data section: reserves `size` bytes at `base` (0: any
    /// 64 KiB-aligned free range; else `base`, which must be 64 KiB aligned) as a
    /// [`MemoryType::Mapped`] view showing `backing`, commits every page with `protect`
    /// unless `reserve_only` (SEC_RESERVE), and returns the view base.
    pub fn map_section_view(
        &mut self,
        base: u32,
        size: u32,
        protect: PageProtection,
        reserve_only: bool,
        backing: ViewBacking,
    ) -> Result<u32, MemoryError> {
        if size == 0 {
            return Err(MemoryError::InvalidParameter("size is zero"));
        }
        if !protect.is_valid() {
            return Err(MemoryError::InvalidPageProtection(protect));
        }
        if rustix::param::page_size() as u64 != HOST_PAGE {
            return Err(MemoryError::Host("host page size is not 4 KiB".into()));
        }
        let (start, len) = self.reserve(
            base,
            size,
            AllocationType::RESERVE,
            protect,
            MemoryType::Mapped,
        )?;
        let host_len = u64::from(len).min(backing.length.div_ceil(HOST_PAGE) * HOST_PAGE);
        let shared = !backing.private;
        if let Err(e) = self.overlay(start, host_len, &backing.fd, backing.offset, shared) {
            self.unreserve(start, len);
            return Err(e);
        }
        let pages = (len >> self.page.shift()) as usize;
        if let Some(a) = self.allocations.get_mut(&start) {
            a.backing = Some(Box::new(Backing {
                view: backing,
                host_len,
                written: vec![false; pages],
            }));
        }
        if !reserve_only
            && let Err(e) = self.commit_pages(start, u64::from(start) + u64::from(len), protect)
        {
            self.release_allocation(start);
            return Err(e);
        }
        self.code_generation += 1;
        Ok(start)
    }

    /// Host work of unmapping the view at `base`: anonymous pages go back under it.
    pub(crate) fn drop_backing(&mut self, base: u32) -> bool {
        let Some(b) = self
            .allocations
            .get_mut(&base)
            .and_then(|a| a.backing.take())
        else {
            return false;
        };
        self.restore_anonymous(base, b.host_len);
        true
    }

    /// Before the first write to copy-on-write guest page `addr` of a view: a page of a
    /// shared view becomes a private copy. Records the page as written.
    pub(crate) fn privatize_page(&mut self, addr: u32) {
        let shift = self.page.shift();
        let page_bytes = u64::from(self.page.bytes());
        let Some(base) = self.allocation_base_at(addr) else {
            return;
        };
        let Some(b) = self
            .allocations
            .get_mut(&base)
            .and_then(|a| a.backing.as_mut())
        else {
            return;
        };
        let i = ((addr - base) >> shift) as usize;
        if b.written.get(i).copied().unwrap_or(true) {
            return;
        }
        b.written[i] = true;
        if b.view.private {
            return;
        }
        let from = u64::from(addr - base);
        let len = page_bytes.min(b.host_len.saturating_sub(from));
        if len == 0 {
            return;
        }
        let fd = Arc::clone(&b.view.fd);
        let offset = b.view.offset + from;
        // A failure leaves the page shared: the write then reaches the section.
        let _ = self.overlay(addr, len, &fd, offset, false);
    }

    /// True when guest page `addr` of a view was already made private by a write.
    pub(crate) fn page_written(&self, addr: u32) -> bool {
        let Some(a) = self.allocation_at(addr) else {
            return false;
        };
        let i = ((addr - a.base) >> self.page.shift()) as usize;
        match a.backing.as_ref() {
            Some(b) => b.written.get(i).copied().unwrap_or(false),
            None => a.copied.get(i).copied().unwrap_or(false),
        }
    }

    /// `NtFlushVirtualMemory` / FlushViewOfFile: writes the view's changed pages of
    /// `addr..addr+size` (size 0: to the end of the view) to its file. Returns the range.
    pub fn flush_view(&mut self, addr: u32, size: u32) -> Result<(u32, u32), MemoryError> {
        let a = self
            .allocation_at(addr)
            .ok_or(MemoryError::NotMappedView(addr))?;
        let Some(b) = a.backing.as_ref() else {
            return Err(MemoryError::NotMappedView(addr));
        };
        let start = self.round_down_page(addr);
        let end = if size == 0 {
            a.end()
        } else {
            self.round_up_page(u64::from(addr) + u64::from(size))
        };
        if end > a.end() {
            return Err(MemoryError::NotMappedView(addr));
        }
        let host_end = (u64::from(a.base) + b.host_len).min(end);
        if host_end > u64::from(start) {
            let ptr = self.mem[start as usize..].as_ptr().cast_mut().cast();
            // SAFETY: the range lies inside our mapping (a view's pages); msync only writes
            // dirty pages back and changes no memory.
            let _ = unsafe {
                rustix::mm::msync(
                    ptr,
                    (host_end - u64::from(start)) as usize,
                    MsyncFlags::SYNC,
                )
            };
        }
        Ok((start, (end - u64::from(start)) as u32))
    }

    /// True when page `page_addr` of allocation `a` is reserved here but committed in its
    /// section by another view.
    pub(crate) fn shared_committed(a: &crate::Allocation, page_addr: u32) -> bool {
        a.backing.as_ref().is_some_and(|b| {
            b.view
                .shared_commit
                .as_ref()
                .is_some_and(|c| c.is_committed(b.view.offset + u64::from(page_addr - a.base)))
        })
    }

    /// Records a commit of `start..end` of the view at `a_base` in its section.
    pub(crate) fn share_commit(&self, a_base: u32, start: u32, end: u64) {
        if let Some(a) = self.allocations.get(&a_base)
            && let Some(b) = &a.backing
            && let Some(c) = &b.view.shared_commit
        {
            c.commit(
                b.view.offset + u64::from(start - a_base),
                end - u64::from(start),
            );
        }
    }

    /// A fault at `addr` in a page another view committed in its SEC_RESERVE section:
    /// commits it here with the view's protection and returns true (the access is made
    /// again); false for any other fault.
    pub fn sync_shared_commit(&mut self, addr: u32) -> bool {
        let page = self.round_down_page(addr);
        let Some(a) = self.allocation_at(page) else {
            return false;
        };
        let i = ((page - a.base) >> self.page.shift()) as usize;
        if a.pages.get(i).copied() != Some(0) || !Self::shared_committed(a, page) {
            return false;
        }
        let protect = a.protect;
        let end = u64::from(page) + u64::from(self.page.bytes());
        self.commit_pages(page, end, protect).is_ok()
    }

    /// The view protection and kind of the view holding `addr`: (protection the view was
    /// mapped with, backed by the paging file), or None outside a section view.
    pub(crate) fn view_of(&self, addr: u32) -> Option<(PageProtection, bool)> {
        let a = self.allocation_at(addr)?;
        let b = a.backing.as_ref()?;
        Some((a.protect, b.view.page_file))
    }
}

/// The size in bytes of a section's host descriptor now.
pub fn backing_len(fd: &OwnedFd) -> Result<u64, MemoryError> {
    rustix::fs::fstat(fd)
        .map(|s| s.st_size.max(0) as u64)
        .map_err(|e| MemoryError::Host(e.to_string()))
}

/// Grows (or cuts) a section's host descriptor to `len` bytes: a file section larger than
/// its file grows the file.
pub fn set_backing_len(fd: &OwnedFd, len: u64) -> Result<(), MemoryError> {
    rustix::fs::ftruncate(fd, len).map_err(|e| MemoryError::Host(e.to_string()))
}

/// Reads bytes of a section's host descriptor at `offset` (the start of a file, to tell an
/// image).
pub fn read_backing(fd: &OwnedFd, offset: u64, buf: &mut [u8]) -> Result<usize, MemoryError> {
    rustix::io::pread(fd, buf, offset).map_err(|e| MemoryError::Host(e.to_string()))
}
