//! MapViewOfFile + UnmapViewOfFile of a 64 KiB section of the paging file, through the
//! kernel API KERNEL32's calls end in (nt-memory's `map_section_view` and `unmap_view` over
//! the section's memfd, as NTDLL's section core calls them), with the host baseline in the
//! same run:
//! - `map_unmap_64k`: a view of the whole section mapped anywhere and unmapped again;
//! - `baseline_host_mmap_munmap_64k`: the host's mmap and munmap of 64 KiB of anonymous
//!   memory.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use ntemu::memory::{AddressSpace, PageProtection, PageSize, ViewBacking, anonymous_backing};

/// The view size.
const SIZE: u32 = 0x1_0000;

fn mapping(c: &mut Criterion) {
    let mut group = c.benchmark_group("mapping");
    let mut space = AddressSpace::new(PageSize::X86).expect("address space");
    let fd = Arc::new(anonymous_backing(u64::from(SIZE)).expect("section memory"));
    group.bench_function("map_unmap_64k", |b| {
        b.iter(|| {
            let backing = ViewBacking {
                fd: Arc::clone(&fd),
                offset: 0,
                length: u64::from(SIZE),
                private: false,
                page_file: true,
                keep_alive: None,
                shared_commit: None,
            };
            let base = space
                .map_section_view(
                    0,
                    black_box(SIZE),
                    PageProtection::READWRITE,
                    false,
                    backing,
                )
                .expect("map");
            space.unmap_view(black_box(base)).expect("unmap");
        })
    });

    group.bench_function("baseline_host_mmap_munmap_64k", |b| {
        b.iter(|| {
            let map = memmap2::MmapOptions::new()
                .len(black_box(SIZE as usize))
                .map_anon()
                .expect("mmap");
            drop(black_box(map));
        })
    });
    group.finish();
}

criterion_group!(benches, mapping);
criterion_main!(benches);
