//! Unit tests of the NT rules the address space implements.

use super::*;
use proptest::prelude::*;

const RW: PageProtection = PageProtection::READWRITE;
const RO: PageProtection = PageProtection::READONLY;
const NA: PageProtection = PageProtection::NOACCESS;
const RESERVE: AllocationType = AllocationType::RESERVE;
const COMMIT: AllocationType = AllocationType::COMMIT;

fn space() -> AddressSpace {
    AddressSpace::new(PageSize::X86).expect("host mapping")
}

fn status<T: fmt::Debug>(r: Result<T, MemoryError>) -> NtStatus {
    r.expect_err("expected a failure").status()
}

#[test]
fn types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<AddressSpace>();
    assert_send_sync::<Fault>();
    assert_send_sync::<MemoryError>();
}

#[test]
fn reserve_rounds_size_to_pages_and_base_to_64k() {
    let mut s = space();
    let (base, size) = s.allocate(0, 0xFFFC, RESERVE, NA).unwrap();
    assert_eq!(base % ALLOCATION_GRANULARITY, 0);
    assert!(base >= LOWEST_USER_ADDRESS);
    assert_eq!(size, 0x10000);
    let (b2, s2) = s.allocate(0x0050_1234, 0x1000, RESERVE, RW).unwrap();
    assert_eq!(b2, 0x0050_0000);
    assert_eq!(
        s2, 0x3000,
        "from the 64K base to the end of the page holding base+size"
    );
    assert_eq!(s.reserved_bytes(), 0x13000);
    assert_eq!(s.committed_bytes(), 0);
}

#[test]
fn alpha_pages_are_8k() {
    let mut s = AddressSpace::new(PageSize::Alpha).unwrap();
    let (_, size) = s
        .allocate(0x0040_0000, 0x2001, RESERVE | COMMIT, RW)
        .unwrap();
    assert_eq!(size, 0x4000);
    let (b, sz) = s.allocate(0x0040_2001, 1, COMMIT, RO).unwrap();
    assert_eq!((b, sz), (0x0040_2000, 0x2000));
    assert_eq!(s.query(0x0040_0000).unwrap().region_size, 0x2000);
}

#[test]
fn zero_size_and_bad_types_are_invalid_parameter() {
    let mut s = space();
    assert_eq!(
        status(s.allocate(0, 0, RESERVE, NA)),
        NtStatus::INVALID_PARAMETER
    );
    assert_eq!(
        status(s.allocate(0, 0x1000, AllocationType(0), RW)),
        NtStatus::INVALID_PARAMETER
    );
    assert_eq!(
        status(s.allocate(0, 0x1000, AllocationType(0x4000), RW)),
        NtStatus::INVALID_PARAMETER
    );
    assert_eq!(
        status(s.allocate(0, 0x1000, AllocationType::RESET | COMMIT, RW)),
        NtStatus::INVALID_PARAMETER
    );
}

#[test]
fn invalid_protections_are_rejected() {
    let mut s = space();
    for bad in [
        PageProtection(0),
        RO | PageProtection::EXECUTE,
        NA | PageProtection::GUARD,
        RW | PageProtection::GUARD | PageProtection::NOCACHE,
        PageProtection::WRITECOPY,
        PageProtection::EXECUTE_WRITECOPY,
        PageProtection(0x400 | 0x04),
    ] {
        assert_eq!(
            status(s.allocate(0, 0x1000, RESERVE | COMMIT, bad)),
            NtStatus::INVALID_PAGE_PROTECTION,
            "{bad:?}"
        );
    }
    let (b, _) = s.allocate(0, 0x1000, RESERVE | COMMIT, RW).unwrap();
    assert_eq!(
        status(s.protect(b, 0x1000, PageProtection(0))),
        NtStatus::INVALID_PAGE_PROTECTION
    );
    assert_eq!(
        status(s.protect(b, 0x1000, PageProtection::WRITECOPY)),
        NtStatus::INVALID_PAGE_PROTECTION,
        "private memory cannot be copy-on-write"
    );
    assert_eq!(NtStatus::INVALID_PAGE_PROTECTION.to_win32_error().0, 87);
}

#[test]
fn reserve_outside_user_range_is_invalid_parameter() {
    let mut s = space();
    assert_eq!(
        status(s.allocate(0x8000, 0x1000, RESERVE, RW)),
        NtStatus::INVALID_PARAMETER
    );
    assert_eq!(
        status(s.allocate(0x7FFE_0000, 0x20000, RESERVE, RW)),
        NtStatus::INVALID_PARAMETER
    );
    assert_eq!(
        status(s.allocate(0x8000_0000, 0x1000, RESERVE, RW)),
        NtStatus::INVALID_PARAMETER
    );
    assert!(
        s.allocate(0x7FFE_0000, 0x10000, RESERVE, RW).is_ok(),
        "last 64K of user space"
    );
}

#[test]
fn overlapping_reservation_conflicts() {
    let mut s = space();
    s.allocate(0x0100_0000, 0x2000, RESERVE, RW).unwrap();
    // Rounds down to the same 64K base.
    assert_eq!(
        status(s.allocate(0x0100_1000, 0x1000, RESERVE | COMMIT, RW)),
        NtStatus::CONFLICTING_ADDRESSES
    );
    // Covers the existing allocation from below.
    assert_eq!(
        status(s.allocate(0x00FF_0000, 0x20000, RESERVE, RW)),
        NtStatus::CONFLICTING_ADDRESSES
    );
    // The rest of the 64K block is unusable too, but the next block is free.
    assert!(s.allocate(0x0101_0000, 0x1000, RESERVE, RW).is_ok());
}

#[test]
fn commit_only_inside_a_reservation() {
    let mut s = space();
    assert_eq!(
        status(s.allocate(0x0200_0000, 0x1000, COMMIT, RW)),
        NtStatus::CONFLICTING_ADDRESSES,
        "commit of free memory"
    );
    s.allocate(0x0200_0000, 0x4000, RESERVE, RW).unwrap();
    assert_eq!(
        status(s.allocate(0x0200_3000, 0x2000, COMMIT, RW)),
        NtStatus::CONFLICTING_ADDRESSES,
        "commit past the end of the reservation"
    );
    let (b, sz) = s.allocate(0x0200_1800, 0x1000, COMMIT, RW).unwrap();
    assert_eq!((b, sz), (0x0200_1000, 0x2000));
    assert_eq!(s.committed_bytes(), 0x2000);
    // Committing again succeeds, changes the protection and does not count twice.
    s.allocate(0x0200_1000, 0x1000, COMMIT, RO).unwrap();
    assert_eq!(s.committed_bytes(), 0x2000);
    assert_eq!(s.query(0x0200_1000).unwrap().protect, RO);
}

#[test]
fn commit_with_null_base_reserves_too() {
    let mut s = space();
    let (b, sz) = s.allocate(0, 0x2000, COMMIT, RW).unwrap();
    assert_eq!(b % ALLOCATION_GRANULARITY, 0);
    assert_eq!(sz, 0x2000);
    assert_eq!(s.query(b).unwrap().state, MemoryState::Commit);
    assert_eq!(s.reserved_bytes(), 0x2000);
    assert_eq!(s.committed_bytes(), 0x2000);
}

#[test]
fn allocations_are_found_bottom_up_and_top_down() {
    let mut s = space();
    let (a, _) = s.allocate(0, 0x1000, RESERVE, RW).unwrap();
    let (b, _) = s.allocate(0, 0x1000, RESERVE, RW).unwrap();
    assert_eq!(a, LOWEST_USER_ADDRESS);
    assert_eq!(b, a + ALLOCATION_GRANULARITY);
    let (t, _) = s
        .allocate(0, 0x1000, RESERVE | AllocationType::TOP_DOWN, RW)
        .unwrap();
    assert_eq!(t, USER_END - ALLOCATION_GRANULARITY);
    assert_eq!(
        status(s.allocate(0, 0x7FFF_0000, RESERVE, RW)),
        NtStatus::NO_MEMORY
    );
}

#[test]
fn query_free_memory() {
    let mut s = space();
    let q = s.query(0x0012_3456).unwrap();
    assert_eq!(q.base_address, 0x0012_3000);
    assert_eq!(q.allocation_base, 0);
    assert_eq!(q.allocation_protect, PageProtection(0));
    assert_eq!(
        q.region_size,
        USER_END - 0x0012_3000,
        "free up to the end of user space"
    );
    assert_eq!(q.state, MemoryState::Free);
    assert_eq!(q.protect, NA);
    assert_eq!(q.memory_type, MemoryType::None);
    assert_eq!(q.memory_type as u32, 0);
    s.allocate(0x0030_0000, 0x1000, RESERVE, RW).unwrap();
    let q = s.query(0x0012_3456).unwrap();
    assert_eq!(
        q.region_size,
        0x0030_0000 - 0x0012_3000,
        "free up to the next allocation"
    );
    // Past the allocation's last page, inside its 64K block: free again.
    let q = s.query(0x0030_1000).unwrap();
    assert_eq!(q.state, MemoryState::Free);
    assert_eq!(status(s.query(USER_END)), NtStatus::INVALID_PARAMETER);
}

#[test]
fn query_reserved_and_committed_memory() {
    let mut s = space();
    let (b, _) = s.allocate(0, 0xFFFC, RESERVE, NA).unwrap();
    let q = s.query(b).unwrap();
    assert_eq!(
        q,
        MemoryBasicInformation {
            base_address: b,
            allocation_base: b,
            allocation_protect: NA,
            region_size: 0x10000,
            state: MemoryState::Reserve,
            protect: PageProtection(0),
            memory_type: MemoryType::Private,
        }
    );
    assert_eq!(MemoryType::Private as u32, 0x20000);
    assert_eq!(MemoryState::Reserve as u32, 0x2000);
    s.allocate(b, 0x1000, COMMIT, NA).unwrap();
    let q = s.query(b).unwrap();
    assert_eq!(q.state, MemoryState::Commit);
    assert_eq!(q.protect, NA);
    assert_eq!(q.region_size, 0x1000);
    let q = s.query(b + 0x1234).unwrap();
    assert_eq!(q.base_address, b + 0x1000);
    assert_eq!(q.allocation_base, b);
    assert_eq!(q.region_size, 0xF000);
    assert_eq!(q.state, MemoryState::Reserve);
    // Same state but different protection splits regions.
    s.allocate(b + 0x2000, 0x2000, COMMIT, RW).unwrap();
    s.protect(b + 0x3000, 0x1000, RO).unwrap();
    assert_eq!(s.query(b + 0x2000).unwrap().region_size, 0x1000);
    assert_eq!(s.query(b + 0x3000).unwrap().protect, RO);
}

#[test]
fn protect_returns_old_protection_and_needs_committed_pages() {
    let mut s = space();
    let (b, _) = s.allocate(0, 0xFFFC, RESERVE, NA).unwrap();
    assert_eq!(status(s.protect(b, 0xFFFC, RO)), NtStatus::NOT_COMMITTED);
    s.allocate(b, 0x1000, COMMIT, NA).unwrap();
    assert_eq!(
        status(s.protect(b, 0xFFFC, RO)),
        NtStatus::NOT_COMMITTED,
        "only part committed"
    );
    assert_eq!(s.protect(b, 0x1000, RO).unwrap(), NA);
    assert_eq!(s.protect(b, 0x1000, RW).unwrap(), RO);
    assert_eq!(s.query(b).unwrap().protect, RW);
    assert_eq!(
        status(s.protect(0x0700_0000, 0x1000, RW)),
        NtStatus::CONFLICTING_ADDRESSES
    );
    assert_eq!(
        status(s.protect(b, 0x20000, RW)),
        NtStatus::CONFLICTING_ADDRESSES
    );
    assert_eq!(NtStatus::NOT_COMMITTED.to_win32_error().0, 487);
}

#[test]
fn free_type_must_be_decommit_or_release() {
    let mut s = space();
    let (b, _) = s.allocate(0, 0x10000, RESERVE, NA).unwrap();
    for t in [0, 0x1_0000, 0x4000 | 0x8000] {
        assert_eq!(
            status(s.free(b, 0x10000, FreeType(t))),
            NtStatus::INVALID_PARAMETER
        );
    }
}

#[test]
fn release_rules() {
    let mut s = space();
    let (b, _) = s.allocate(0, 0x10000, RESERVE, NA).unwrap();
    s.allocate(b, 0x3000, COMMIT, RW).unwrap();
    assert_eq!(
        status(s.free(b, 1, FreeType::RELEASE)),
        NtStatus::UNABLE_TO_FREE_VM
    );
    assert_eq!(NtStatus::UNABLE_TO_FREE_VM.to_win32_error().0, 87);
    assert_eq!(
        status(s.free(b + 0x1000, 0, FreeType::RELEASE)),
        NtStatus::FREE_VM_NOT_AT_BASE
    );
    assert_eq!(
        status(s.free(0x0700_0000, 0, FreeType::RELEASE)),
        NtStatus::MEMORY_NOT_ALLOCATED
    );
    assert_eq!(
        s.free(b + 0xFFF, 0, FreeType::RELEASE).unwrap(),
        (b, 0x10000),
        "page of base"
    );
    assert_eq!(s.query(b).unwrap().state, MemoryState::Free);
    assert_eq!(s.reserved_bytes(), 0);
    assert_eq!(s.committed_bytes(), 0);
    assert_eq!(
        status(s.free(b, 0, FreeType::RELEASE)),
        NtStatus::MEMORY_NOT_ALLOCATED
    );
    // Size equal to the whole allocation is accepted.
    let (b, _) = s.allocate(0, 0x8000, RESERVE, NA).unwrap();
    assert_eq!(s.free(b, 0x8000, FreeType::RELEASE).unwrap(), (b, 0x8000));
}

#[test]
fn decommit_rules() {
    let mut s = space();
    let (b, _) = s.allocate(0, 0x10000, RESERVE | COMMIT, RW).unwrap();
    assert_eq!(s.committed_bytes(), 0x10000);
    assert_eq!(
        s.free(b + 0x1800, 0x1000, FreeType::DECOMMIT).unwrap(),
        (b + 0x1000, 0x2000)
    );
    assert_eq!(s.committed_bytes(), 0xE000);
    assert_eq!(s.query(b + 0x1000).unwrap().state, MemoryState::Reserve);
    assert_eq!(s.query(b + 0x1000).unwrap().region_size, 0x2000);
    assert_eq!(s.query(b).unwrap().region_size, 0x1000);
    // Decommitting reserved pages again is allowed.
    s.free(b + 0x1000, 0x2000, FreeType::DECOMMIT).unwrap();
    assert_eq!(
        status(s.free(b + 0xF000, 0x2000, FreeType::DECOMMIT)),
        NtStatus::UNABLE_TO_FREE_VM,
        "range past the allocation"
    );
    // Size 0 decommits to the end of the allocation.
    assert_eq!(
        s.free(b + 0x8000, 0, FreeType::DECOMMIT).unwrap(),
        (b + 0x8000, 0x8000)
    );
    assert_eq!(s.committed_bytes(), 0x6000);
    assert_eq!(s.reserved_bytes(), 0x10000);
    assert_eq!(
        status(s.free(0x0700_0000, 0x1000, FreeType::DECOMMIT)),
        NtStatus::MEMORY_NOT_ALLOCATED
    );
}

#[test]
fn recommitted_pages_read_zero() {
    let mut s = space();
    let (b, _) = s.allocate(0, 0x10000, RESERVE | COMMIT, RW).unwrap();
    s.write_u32(b + 0x1000, 0xDEAD_BEEF).unwrap();
    s.write_u32(b + 0x2FFC, 0x1234_5678).unwrap();
    s.free(b + 0x1000, 0x2000, FreeType::DECOMMIT).unwrap();
    s.allocate(b + 0x1000, 0x2000, COMMIT, RW).unwrap();
    assert_eq!(s.read_u32(b + 0x1000).unwrap(), 0);
    assert_eq!(s.read_u32(b + 0x2FFC).unwrap(), 0);
    s.write_u8(b, 7).unwrap();
    s.free(b, 0, FreeType::RELEASE).unwrap();
    s.allocate(b, 0x1000, RESERVE | COMMIT, RW).unwrap();
    assert_eq!(
        s.read_u8(b).unwrap(),
        0,
        "released then reallocated memory is zero"
    );
}

#[test]
fn reset_is_accepted_inside_an_allocation() {
    let mut s = space();
    let (b, _) = s.allocate(0, 0x10000, RESERVE, NA).unwrap();
    s.allocate(b, 0x1000, COMMIT, RW).unwrap();
    assert!(s.allocate(b, 0x1000, AllocationType::RESET, NA).is_ok());
    assert!(
        s.allocate(b + 0x1000, 0x1000, AllocationType::RESET, NA)
            .is_ok()
    );
    assert_eq!(
        status(s.allocate(b + 0xF000, 0x2000, AllocationType::RESET, NA)),
        NtStatus::CONFLICTING_ADDRESSES
    );
}

fn fault<T: fmt::Debug>(r: Result<T, Fault>) -> Fault {
    r.expect_err("expected a fault")
}

#[test]
fn access_faults_for_each_kind() {
    let mut s = space();
    let (b, _) = s.allocate(0, 0x10000, RESERVE, NA).unwrap();
    s.allocate(b, 0x1000, COMMIT, RO).unwrap();
    s.allocate(b + 0x1000, 0x1000, COMMIT, RW).unwrap();
    s.allocate(b + 0x2000, 0x1000, COMMIT, PageProtection::EXECUTE)
        .unwrap();
    s.allocate(b + 0x3000, 0x1000, COMMIT, PageProtection::EXECUTE_READ)
        .unwrap();
    s.allocate(b + 0x4000, 0x1000, COMMIT, NA).unwrap();

    // Read-only: reads and fetches ok (NT 4.0 has no no-execute pages), writes fault.
    assert_eq!(s.read_u32(b).unwrap(), 0);
    let f = fault(s.write_u32(b + 8, 1));
    assert_eq!(
        (f.addr, f.access, f.kind),
        (b + 8, Access::Write, FaultKind::AccessViolation)
    );
    assert_eq!(f.status(), NtStatus::ACCESS_VIOLATION);
    assert!(s.fetch_u32(b).is_ok());
    // Read-write: code runs from data pages too.
    s.write_u64(b + 0x1000, 0x0102_0304_0506_0708).unwrap();
    assert_eq!(s.read_u64(b + 0x1000).unwrap(), 0x0102_0304_0506_0708);
    assert_eq!(s.fetch_u32(b + 0x1000).unwrap(), 0x0506_0708);
    // Execute only: fetches and reads ok, writes fault.
    assert!(s.fetch_u32(b + 0x2000).is_ok());
    assert!(s.read_u8(b + 0x2000).is_ok());
    assert_eq!(fault(s.write_u8(b + 0x2000, 1)).access, Access::Write);
    // Execute-read.
    assert!(s.fetch_u32(b + 0x3000).is_ok());
    assert!(s.read_u16(b + 0x3000).is_ok());
    assert_eq!(fault(s.write_u16(b + 0x3000, 1)).access, Access::Write);
    // No access, reserved and free memory: everything faults.
    for addr in [b + 0x4000, b + 0x5000, 0x0700_0000, 0, 0xFFFF_FFF0] {
        assert_eq!(fault(s.read_u8(addr)).addr, addr);
        assert_eq!(fault(s.write_u8(addr, 0)).addr, addr);
        assert_eq!(fault(s.fetch_u32(addr)).addr, addr);
    }
    assert_eq!(Access::Write.exception_code(), 1);
    assert_eq!(Access::Execute.exception_code(), 8);
}

#[test]
fn accesses_straddling_a_page_boundary() {
    let mut s = space();
    let (b, _) = s.allocate(0, 0x10000, RESERVE, NA).unwrap();
    s.allocate(b, 0x2000, COMMIT, RW).unwrap();
    s.write_u64(b + 0xFFC, 0x1122_3344_5566_7788).unwrap();
    assert_eq!(s.read_u64(b + 0xFFC).unwrap(), 0x1122_3344_5566_7788);
    assert_eq!(s.read_u32(b + 0x1000).unwrap(), 0x1122_3344);
    assert_eq!(s.read_u16(b + 0xFFF).unwrap(), 0x4455);
    // Second page not writable: the fault names its first byte and nothing is written.
    s.protect(b + 0x1000, 0x1000, RO).unwrap();
    let f = fault(s.write_u32(b + 0xFFE, 0xFFFF_FFFF));
    assert_eq!((f.addr, f.access), (b + 0x1000, Access::Write));
    assert_eq!(
        s.read_u16(b + 0xFFE).unwrap(),
        0x5566,
        "failed write changed nothing"
    );
    let f = fault(s.write_bytes(b + 0xFF0, &[0xAA; 0x20]));
    assert_eq!(f.addr, b + 0x1000);
    assert_eq!(s.read_u8(b + 0xFF0).unwrap(), 0);
    // Read straddling into a reserved page.
    let f = fault(s.read_u32(b + 0x1FFE));
    assert_eq!(f.addr, b + 0x2000);
    // Top of the 4 GiB space wraps to a fault, not a panic.
    let mut buf = [0u8; 16];
    assert!(s.read_bytes(0xFFFF_FFF8, &mut buf).is_err());
    assert!(s.write_bytes(0xFFFF_FFF8, &buf).is_err());
    assert!(s.read_u64(0xFFFF_FFFC).is_err());
}

#[test]
fn byte_ranges_and_strings() {
    let mut s = space();
    let (b, _) = s.allocate(0, 0x3000, RESERVE | COMMIT, RW).unwrap();
    let data: Vec<u8> = (0..0x2100u32).map(|i| i as u8).collect();
    s.write_bytes(b + 0x100, &data).unwrap();
    let mut back = vec![0; data.len()];
    s.read_bytes(b + 0x100, &mut back).unwrap();
    assert_eq!(back, data);
    s.write_bytes(b, b"hello\0world").unwrap();
    assert_eq!(s.read_c_string(b, 100).unwrap(), b"hello");
    assert_eq!(s.read_c_string(b, 3).unwrap(), b"hel", "length limit");
    s.write_bytes(b + 0x2FFE, b"ab").unwrap();
    let f = fault(s.read_c_string(b + 0x2FFE, 100));
    assert_eq!(
        f.addr,
        b + 0x3000,
        "unterminated string running into free memory faults"
    );
    s.write_bytes(b + 0x40, &[b'h', 0, b'i', 0, 0, 0]).unwrap();
    assert_eq!(
        s.read_wide_c_string(b + 0x40, 10).unwrap(),
        vec![0x68, 0x69]
    );
}

#[test]
fn guard_page_faults_once_then_clears() {
    let mut s = space();
    let (b, _) = s
        .allocate(0, 0x2000, RESERVE | COMMIT, RW | PageProtection::GUARD)
        .unwrap();
    assert_eq!(s.query(b).unwrap().protect, RW | PageProtection::GUARD);
    let f = fault(s.read_u32(b + 4));
    assert_eq!((f.addr, f.kind), (b + 4, FaultKind::GuardPage));
    assert_eq!(f.status(), NtStatus::GUARD_PAGE_VIOLATION);
    assert_eq!(s.read_u32(b + 4).unwrap(), 0, "second touch succeeds");
    assert_eq!(s.query(b).unwrap().protect, RW, "guard bit cleared");
    assert_eq!(s.query(b).unwrap().region_size, 0x1000);
    // The second page still has its guard; a write straddling into it faults there.
    let f = fault(s.write_u32(b + 0xFFE, 1));
    assert_eq!((f.addr, f.kind), (b + 0x1000, FaultKind::GuardPage));
    assert_eq!(s.read_u16(b + 0xFFE).unwrap(), 0);
    s.write_u32(b + 0xFFE, 1).unwrap();
    // VirtualProtect reports the cleared guard as the old protection.
    assert_eq!(s.protect(b, 0x1000, RO).unwrap(), RW);
}

#[test]
fn image_views_copy_on_write_and_unmap() {
    let mut s = space();
    let b = s
        .map_view(
            0x0040_0000,
            0x3000,
            MemoryType::Image,
            PageProtection::EXECUTE_WRITECOPY,
        )
        .unwrap();
    assert_eq!(b, 0x0040_0000);
    s.protect(b + 0x1000, 0x1000, PageProtection::WRITECOPY)
        .unwrap();
    let q = s.query(b).unwrap();
    assert_eq!(q.memory_type, MemoryType::Image);
    assert_eq!(q.allocation_protect, PageProtection::EXECUTE_WRITECOPY);
    assert_eq!(
        s.query(b + 0x1000).unwrap().protect,
        PageProtection::WRITECOPY
    );
    s.write_u32(b + 0x1000, 5).unwrap();
    assert_eq!(
        s.query(b + 0x1000).unwrap().protect,
        RW,
        "written copy-on-write page"
    );
    s.write_u8(b + 0x2000, 1).unwrap();
    assert_eq!(
        s.query(b + 0x2000).unwrap().protect,
        PageProtection::EXECUTE_READWRITE
    );
    // Write access to an image page is copy-on-write access until the page is written;
    // a written (private) page takes copy-on-write requests as write access.
    assert_eq!(
        s.protect(b, 0x1000, RW).unwrap(),
        PageProtection::EXECUTE_WRITECOPY
    );
    assert_eq!(s.query(b).unwrap().protect, PageProtection::WRITECOPY);
    assert_eq!(
        s.protect(b, 0x1000, PageProtection::EXECUTE_READWRITE)
            .unwrap(),
        PageProtection::WRITECOPY
    );
    assert_eq!(
        s.query(b).unwrap().protect,
        PageProtection::EXECUTE_WRITECOPY
    );
    s.protect(b + 0x1000, 0x1000, PageProtection::WRITECOPY)
        .unwrap();
    assert_eq!(s.query(b + 0x1000).unwrap().protect, RW);
    s.protect(b + 0x1000, 0x1000, RW).unwrap();
    assert_eq!(s.query(b + 0x1000).unwrap().protect, RW);
    // An image view is committed from the start.
    assert_eq!(
        status(s.allocate(b, 0x1000, COMMIT, RW)),
        NtStatus::ALREADY_COMMITTED
    );
    assert_eq!(
        status(s.free(b, 0, FreeType::RELEASE)),
        NtStatus::UNABLE_TO_FREE_VM
    );
    assert_eq!(
        status(s.map_view(0x0040_0000, 0x1000, MemoryType::Image, RO)),
        NtStatus::CONFLICTING_ADDRESSES
    );
    s.unmap_view(b + 0x1234).unwrap();
    assert_eq!(s.query(b).unwrap().state, MemoryState::Free);
    assert_eq!(s.committed_bytes(), 0);
}

#[test]
fn kernel_access_ignores_protection_but_needs_commit() {
    let mut s = space();
    let (b, _) = s.allocate(0, 0x2000, RESERVE, NA).unwrap();
    s.allocate(b, 0x1000, COMMIT, NA).unwrap();
    s.kernel_write(b, &[1, 2, 3]).unwrap();
    let mut buf = [0; 3];
    s.kernel_read(b, &mut buf).unwrap();
    assert_eq!(buf, [1, 2, 3]);
    assert_eq!(s.query(b).unwrap().protect, NA);
    assert_eq!(fault(s.kernel_write(b + 0xFFF, &[1, 2])).addr, b + 0x1000);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random operation sequences keep the counters equal to what queries report, and
    /// never panic.
    #[test]
    fn counters_match_queries(ops in proptest::collection::vec((0u8..4, 0u32..0x40, 0u32..0x40, 0u32..3), 1..40)) {
        let mut s = space();
        let base = 0x1000_0000u32;
        for (op, a, n, p) in ops {
            let addr = base + a * 0x1000;
            let size = n * 0x1000;
            let prot = [RW, RO, PageProtection::EXECUTE_READ][p as usize];
            let _ = match op {
                0 => s.allocate(addr, size, RESERVE, prot).map(|_| ()),
                1 => s.allocate(addr, size, COMMIT, prot).map(|_| ()),
                2 => s.free(addr, size, FreeType::DECOMMIT).map(|_| ()),
                _ => s.free(addr, 0, FreeType::RELEASE).map(|_| ()),
            };
        }
        let (mut committed, mut reserved) = (0u64, 0u64);
        let mut addr = LOWEST_USER_ADDRESS;
        while addr < USER_END {
            let q = s.query(addr).unwrap();
            prop_assert!(q.region_size > 0);
            match q.state {
                MemoryState::Commit => { committed += u64::from(q.region_size); reserved += u64::from(q.region_size) }
                MemoryState::Reserve => reserved += u64::from(q.region_size),
                MemoryState::Free => {}
            }
            addr += q.region_size;
        }
        prop_assert_eq!(committed, s.committed_bytes());
        prop_assert_eq!(reserved, s.reserved_bytes());
    }
}

#[test]
fn protection_values_validate_and_print_as_nt_names() {
    assert!(RW.is_valid());
    assert!((RW | PageProtection::GUARD).is_valid());
    assert!((PageProtection::EXECUTE_READ | PageProtection::NOCACHE).is_valid());
    assert!(!PageProtection(0x06).is_valid(), "two base values");
    assert!(!PageProtection(0).is_valid());
    assert_eq!(
        format!("{:?}", RW | PageProtection::GUARD),
        "PAGE_READWRITE|PAGE_GUARD"
    );
    assert_eq!(
        format!("{:?}", PageProtection::EXECUTE_WRITECOPY),
        "PAGE_EXECUTE_WRITECOPY"
    );
    assert_eq!(PageSize::X86.bytes(), 0x1000);
    assert_eq!(PageSize::Alpha.bytes(), 0x2000);
}

#[test]
fn errors_map_to_the_nt_statuses_and_win32_codes() {
    let cases = [
        (
            MemoryError::InvalidParameter("x"),
            NtStatus::INVALID_PARAMETER,
            87,
        ),
        (
            MemoryError::ConflictingAddresses { base: 0, end: 0 },
            NtStatus::CONFLICTING_ADDRESSES,
            487,
        ),
        (MemoryError::NotCommitted(0), NtStatus::NOT_COMMITTED, 487),
        (
            MemoryError::MemoryNotAllocated(0),
            NtStatus::MEMORY_NOT_ALLOCATED,
            487,
        ),
        (
            MemoryError::FreeVmNotAtBase(0),
            NtStatus::FREE_VM_NOT_AT_BASE,
            487,
        ),
        (
            MemoryError::UnableToFreeVm { base: 0, size: 1 },
            NtStatus::UNABLE_TO_FREE_VM,
            87,
        ),
        (MemoryError::NoMemory(1), NtStatus::NO_MEMORY, 8),
    ];
    for (e, status, win32) in cases {
        assert_eq!(e.status(), status, "{e}");
        assert_eq!(e.status().to_win32_error().0, win32, "{e}");
    }
    let f = Fault {
        addr: 0x1234,
        access: Access::Write,
        kind: FaultKind::AccessViolation,
    };
    assert_eq!(f.to_string(), "access violation: Write at 0x00001234");
}

#[test]
fn code_generation_changes_when_code_may_change() {
    let mut s = space();
    let (b, _) = s.allocate(0, 0x3000, RESERVE | COMMIT, RW).unwrap();
    s.allocate(
        b + 0x1000,
        0x1000,
        COMMIT,
        PageProtection::EXECUTE_READWRITE,
    )
    .unwrap();
    s.fetch_u32(b + 0x1000).unwrap();
    let g0 = s.code_generation();
    s.write_u32(b, 1).unwrap();
    s.write_bytes(b + 0x10, &[1, 2, 3]).unwrap();
    assert_eq!(
        s.code_generation(),
        g0,
        "data writes leave code caches valid"
    );
    s.write_u32(b + 0x1000, 0x90).unwrap();
    let g1 = s.code_generation();
    assert!(g1 > g0, "write to a page code was fetched from");
    s.write_u16(b + 0xFFF, 0).unwrap();
    let g2 = s.code_generation();
    assert!(g2 > g1, "write straddling into a code page");
    assert!(s.write_u8(b + 0x2000 + 0x1000, 0).is_err());
    assert_eq!(s.code_generation(), g2, "a faulting write changes nothing");
    s.protect(b + 0x1000, 0x1000, PageProtection::EXECUTE_READ)
        .unwrap();
    let g3 = s.code_generation();
    assert!(g3 > g2, "protection change");
    s.free(b + 0x1000, 0x1000, FreeType::DECOMMIT).unwrap();
    assert!(s.code_generation() > g3, "decommit");
}

// ---- views of sections -------------------------------------------------------------

fn backing(fd: &Arc<std::os::fd::OwnedFd>, len: u64, private: bool) -> ViewBacking {
    ViewBacking {
        fd: Arc::clone(fd),
        offset: 0,
        length: len,
        private,
        page_file: true,
        keep_alive: None,
        shared_commit: None,
    }
}

#[test]
fn views_of_one_section_share_pages_across_spaces() {
    let fd = Arc::new(anonymous_backing(0x2000).unwrap());
    let mut a = space();
    let mut b = AddressSpace::new(PageSize::Alpha).unwrap();
    let va = a
        .map_section_view(
            0,
            0x2000,
            PageProtection::READWRITE,
            false,
            backing(&fd, 0x2000, false),
        )
        .unwrap();
    let vb = b
        .map_section_view(
            0,
            0x2000,
            PageProtection::READONLY,
            false,
            backing(&fd, 0x2000, false),
        )
        .unwrap();
    a.write_u32(va + 0x1ffc, 0xfeed_f00d).unwrap();
    assert_eq!(b.read_u32(vb + 0x1ffc).unwrap(), 0xfeed_f00d);
    let info = b.query(vb).unwrap();
    assert_eq!(info.memory_type, MemoryType::Mapped);
    assert_eq!(info.allocation_base, vb);
    // The read-only view refuses writes, and protections beyond the view's are refused.
    assert!(b.write_u32(vb, 1).is_err());
    assert_eq!(
        status(b.protect(vb, 0x2000, PageProtection::READWRITE)),
        NtStatus::SECTION_PROTECTION
    );
    // A view is not freed as private memory, nor private memory unmapped as a view.
    assert_eq!(
        status(a.free(va, 0, FreeType::RELEASE)),
        NtStatus::UNABLE_TO_FREE_VM
    );
    let private = a
        .allocate(0, 0x1000, AllocationType::COMMIT, PageProtection::READWRITE)
        .unwrap()
        .0;
    assert_eq!(status(a.unmap_view(private)), NtStatus::NOT_MAPPED_VIEW);
    // Unmapping puts zero pages back: the section keeps its data.
    a.unmap_view(va + 0x10).unwrap();
    assert_eq!(a.query(va).unwrap().state, MemoryState::Free);
    let again = a
        .allocate(
            va,
            0x2000,
            AllocationType::RESERVE | AllocationType::COMMIT,
            PageProtection::READWRITE,
        )
        .unwrap()
        .0;
    assert_eq!(again, va);
    assert_eq!(a.read_u32(va + 0x1ffc).unwrap(), 0);
    assert_eq!(b.read_u32(vb + 0x1ffc).unwrap(), 0xfeed_f00d);
}

#[test]
fn copy_on_write_views_and_pages_keep_their_writes() {
    let fd = Arc::new(anonymous_backing(0x2000).unwrap());
    let mut s = space();
    let shared = s
        .map_section_view(
            0,
            0x2000,
            PageProtection::READWRITE,
            false,
            backing(&fd, 0x2000, false),
        )
        .unwrap();
    let copy = s
        .map_section_view(
            0,
            0x2000,
            PageProtection::WRITECOPY,
            false,
            backing(&fd, 0x2000, true),
        )
        .unwrap();
    s.write_u32(shared, 1).unwrap();
    assert_eq!(s.read_u32(copy).unwrap(), 1);
    s.write_u32(copy, 2).unwrap();
    assert_eq!(s.read_u32(shared).unwrap(), 1);
    assert_eq!(s.query(copy).unwrap().protect, PageProtection::READWRITE);
    assert_eq!(
        s.query(copy + 0x1000).unwrap().protect,
        PageProtection::WRITECOPY
    );
    // A page of the shared view made copy-on-write goes private at its first write, and
    // stays read-write when asked for copy-on-write again.
    s.protect(shared + 0x1000, 0x1000, PageProtection::WRITECOPY)
        .unwrap();
    s.write_u32(shared + 0x1000, 7).unwrap();
    assert_eq!(s.read_u32(copy + 0x1000).unwrap(), 0);
    s.protect(shared + 0x1000, 0x1000, PageProtection::WRITECOPY)
        .unwrap();
    assert_eq!(
        s.query(shared + 0x1000).unwrap().protect,
        PageProtection::READWRITE
    );
}

#[test]
fn reserved_views_commit_pages_and_file_views_are_committed() {
    let fd = Arc::new(anonymous_backing(0x4000).unwrap());
    let mut s = space();
    let v = s
        .map_section_view(
            0,
            0x4000,
            PageProtection::READWRITE,
            true,
            backing(&fd, 0x4000, false),
        )
        .unwrap();
    assert_eq!(s.query(v).unwrap().state, MemoryState::Reserve);
    assert!(s.read_u8(v).is_err());
    s.allocate(v, 0x1000, AllocationType::COMMIT, PageProtection::READONLY)
        .unwrap();
    assert_eq!(s.query(v).unwrap().protect, PageProtection::READONLY);
    let mut file = backing(&fd, 0x4000, false);
    file.page_file = false;
    let w = s
        .map_section_view(0, 0x4000, PageProtection::READWRITE, false, file)
        .unwrap();
    assert_eq!(
        status(s.allocate(w, 0x1000, AllocationType::COMMIT, PageProtection::READWRITE)),
        NtStatus::ALREADY_COMMITTED
    );
}

#[test]
fn locking_touches_guard_pages_and_unlock_needs_a_lock() {
    let mut s = space();
    let (b, _) = s
        .allocate(
            0,
            0x2000,
            AllocationType::RESERVE | AllocationType::COMMIT,
            PageProtection::READWRITE | PageProtection::GUARD,
        )
        .unwrap();
    assert_eq!(status(s.lock(b, 0x2000)), NtStatus::GUARD_PAGE_VIOLATION);
    assert_eq!(status(s.unlock(b, 0x1000)), NtStatus::NOT_LOCKED);
    // The first touch took the first page's guard; the second page's goes next.
    assert_eq!(status(s.lock(b, 0x2000)), NtStatus::GUARD_PAGE_VIOLATION);
    assert_eq!(s.lock(b + 4, 0x2000 - 4).unwrap(), (b, 0x2000));
    s.unlock(b, 0x2000).unwrap();
    assert_eq!(status(s.unlock(b, 0x1000)), NtStatus::NOT_LOCKED);
}

#[test]
fn reserve_sections_share_their_commits_between_views() {
    let fd = Arc::new(anonymous_backing(0x4000).unwrap());
    let commit = SharedCommit::new(0x4000);
    let view = |s: &mut AddressSpace| {
        let mut b = backing(&fd, 0x4000, false);
        b.shared_commit = Some(Arc::clone(&commit));
        s.map_section_view(0, 0x4000, PageProtection::READWRITE, true, b)
            .unwrap()
    };
    let mut a = space();
    let mut other = space();
    let va = view(&mut a);
    let vb = view(&mut other);
    a.allocate(va, 0x1000, AllocationType::COMMIT, PageProtection::READONLY)
        .unwrap();
    // The other view finds the page committed, with its own view's protection.
    let info = other.query(vb).unwrap();
    assert_eq!(info.state, MemoryState::Commit);
    assert_eq!(info.protect, PageProtection::READWRITE);
    assert_eq!(info.region_size, 0x1000);
    assert_eq!(
        other.query(vb + 0x1000).unwrap().state,
        MemoryState::Reserve
    );
    // Its first touch faults; syncing commits the page there, and the data is shared.
    assert!(other.write_u32(vb, 5).is_err());
    assert!(other.sync_shared_commit(vb));
    other.write_u32(vb, 5).unwrap();
    assert_eq!(a.read_u32(va).unwrap(), 5);
    assert!(!other.sync_shared_commit(vb + 0x1000));
}

#[test]
fn writes_to_pages_code_was_fetched_from_change_the_code_generation() {
    let mut s = space();
    let (b, _) = s.allocate(0, 0x2000, RESERVE | COMMIT, RW).unwrap();
    let g0 = s.code_generation();
    // Plain data writes leave decoded code alone.
    s.write_u32(b, 0x90).unwrap();
    s.write_u32(b + 0x1000, 0x90).unwrap();
    assert_eq!(s.code_generation(), g0);
    // Once instructions were fetched from the first page, a write there invalidates them;
    // the other page stays data.
    s.fetch_u32(b).unwrap();
    s.write_u32(b + 0x1000, 0x91).unwrap();
    assert_eq!(s.code_generation(), g0);
    s.write_u32(b + 8, 0x91).unwrap();
    assert!(s.code_generation() > g0);
}

#[test]
fn a_fetch_from_a_guard_page_raises_the_guard_page_violation_once() {
    let mut s = space();
    let (b, _) = s
        .allocate(0, 0x1000, RESERVE | COMMIT, RW | PageProtection::GUARD)
        .unwrap();
    let f = fault(s.fetch_u32(b));
    assert_eq!((f.access, f.kind), (Access::Execute, FaultKind::GuardPage));
    assert!(s.fetch_u32(b).is_ok());
}

#[test]
fn guest_to_guest_copy_overlaps_as_memmove_and_checks_both_ranges() {
    let mut s = space();
    let (b, _) = s.allocate(0, 0x3000, RESERVE | COMMIT, RW).unwrap();
    let data: Vec<u8> = (0..0x1800u32).map(|i| (i * 7) as u8).collect();
    s.write_bytes(b + 0x10, &data).unwrap();
    // Forward copy across a page boundary.
    s.copy_within_space(b + 0x2000, b + 0x10, 0x400).unwrap();
    let mut back = vec![0; 0x400];
    s.read_bytes(b + 0x2000, &mut back).unwrap();
    assert_eq!(back, data[..0x400]);
    // Overlapping, destination above the source: memmove's result, not a forward smear.
    s.copy_within_space(b + 0x14, b + 0x10, 0x100).unwrap();
    let mut back = vec![0; 0x100];
    s.read_bytes(b + 0x14, &mut back).unwrap();
    assert_eq!(back, data[..0x100]);
    // A source running into free memory: nothing copied, the source's fault.
    s.fill_bytes(b + 0x2000, 0x10, 0xEE).unwrap();
    let f = fault(s.copy_within_space(b + 0x2000, b + 0x2FF8, 0x10));
    assert_eq!((f.addr, f.access), (b + 0x3000, Access::Read));
    assert_eq!(s.read_u8(b + 0x2000).unwrap(), 0xEE, "nothing copied");
    // A read-only destination: the write's fault, nothing copied.
    s.protect(b + 0x1000, 0x1000, RO).unwrap();
    let f = fault(s.copy_within_space(b + 0xFF0, b + 0x2000, 0x20));
    assert_eq!((f.addr, f.access), (b + 0x1000, Access::Write));
    assert_eq!(s.read_u8(b + 0xFF0).unwrap(), data[0xFE0]);
    // Past the end of the space.
    assert!(s.copy_within_space(0xFFFF_FFF0, b, 0x20).is_err());
    assert!(s.copy_within_space(b, 0xFFFF_FFF0, 0x20).is_err());
}

#[test]
fn fill_compare_and_string_length_in_place() {
    let mut s = space();
    let (b, _) = s.allocate(0, 0x2000, RESERVE | COMMIT, RW).unwrap();
    s.fill_bytes(b + 0xFF0, 0x20, 0x41).unwrap();
    assert_eq!(s.read_u8(b + 0x100F).unwrap(), 0x41);
    assert_eq!(s.read_u8(b + 0x1010).unwrap(), 0);
    assert_eq!(s.c_string_len(b + 0xFF0, 0x100).unwrap(), 0x20);
    assert_eq!(s.c_string_len(b + 0xFF0, 5).unwrap(), 5, "length limit");
    assert!(s.fill_bytes(b + 0x1FF0, 0x20, 1).is_err());
    assert_eq!(s.read_u8(b + 0x1FF0).unwrap(), 0, "nothing filled");
    s.write_bytes(b, b"abcd").unwrap();
    s.write_bytes(b + 8, b"abce").unwrap();
    use std::cmp::Ordering;
    assert_eq!(s.compare_bytes(b, b + 8, 3).unwrap(), Ordering::Equal);
    assert_eq!(s.compare_bytes(b, b + 8, 4).unwrap(), Ordering::Less);
    s.write_u8(b + 8, 0x80).unwrap();
    assert_eq!(
        s.compare_bytes(b + 8, b, 4).unwrap(),
        Ordering::Greater,
        "bytes compare unsigned"
    );
    let f = fault(s.compare_bytes(b, b + 0x1FFE, 4));
    assert_eq!(f.addr, b + 0x2000);
}
