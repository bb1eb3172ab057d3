//! The machine-wide commit limit: every space charging one limit shares it, a commit that
//! would pass it fails with STATUS_COMMITMENT_LIMIT and changes nothing, and decommitting,
//! freeing or dropping a space gives its charge back.

use nt_memory::{AddressSpace, AllocationType, CommitLimit, FreeType, PageProtection, PageSize};
use nt_status::NtStatus;

const RW: PageProtection = PageProtection::READWRITE;

fn commit() -> AllocationType {
    AllocationType::RESERVE | AllocationType::COMMIT
}

#[test]
fn spaces_share_one_limit_and_give_it_back() {
    let limit = CommitLimit::new(64 * 1024);
    let mut a = AddressSpace::new(PageSize::X86).expect("space");
    let mut b = AddressSpace::new(PageSize::X86).expect("space");
    a.set_commit_limit(limit.clone());
    b.set_commit_limit(limit.clone());
    let (base_a, _) = a.allocate(0, 48 * 1024, commit(), RW).expect("48 KiB fit");
    assert_eq!(limit.used(), 48 * 1024);
    // 32 KiB more in the other space would pass 64 KiB: refused, nothing reserved.
    let before = b.reserved_bytes();
    let err = b
        .allocate(0, 32 * 1024, commit(), RW)
        .expect_err("over the limit");
    assert_eq!(err.status(), NtStatus::COMMITMENT_LIMIT);
    assert_eq!(b.reserved_bytes(), before);
    assert_eq!(b.committed_bytes(), 0);
    assert_eq!(limit.used(), 48 * 1024);
    // Reserving alone charges nothing; committing part of it does.
    let (base_b, _) = b
        .allocate(0, 1 << 20, AllocationType::RESERVE, RW)
        .expect("reserve");
    b.allocate(base_b, 16 * 1024, AllocationType::COMMIT, RW)
        .expect("16 KiB fit exactly");
    assert_eq!(limit.used(), 64 * 1024);
    assert_eq!(
        b.allocate(base_b + 16 * 1024, 4096, AllocationType::COMMIT, RW)
            .expect_err("full")
            .status(),
        NtStatus::COMMITMENT_LIMIT
    );
    // Committing pages already committed charges nothing.
    b.allocate(base_b, 16 * 1024, AllocationType::COMMIT, RW)
        .expect("recommit");
    assert_eq!(limit.used(), 64 * 1024);
    a.free(base_a, 16 * 1024, FreeType::DECOMMIT)
        .expect("decommit");
    assert_eq!(limit.used(), 48 * 1024);
    a.free(base_a, 0, FreeType::RELEASE).expect("release");
    assert_eq!(limit.used(), 16 * 1024);
    drop(b);
    assert_eq!(limit.used(), 0);
}
