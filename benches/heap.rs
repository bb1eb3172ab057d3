//! HeapAlloc + HeapFree of a small block (24 bytes) from the process heap, three ways in the
//! same run:
//! - `alloc_free_small`: a guest program's calls end to end (tests/guests/x86/heapbench.exe:
//!   the x86 interpreter, the call into NTDLL's RtlAllocateHeap/RtlFreeHeap and NT 4.0's heap
//!   laid out in guest memory), the start-up of the run measured apart and taken off;
//! - `alloc_free_small_heap_only`: NTDLL's heap on its own, called from the host on a heap in
//!   an address space (what the guest's calls cost beyond the interpreter and the call layer);
//! - `baseline_host_malloc_free`: the host's malloc and free of the same size.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use ntemu::memory::{AddressSpace, PageSize};
use ntemu::ntdll::heap::{self, HEAP_GROWABLE, HeapCall};
use ntemu::win32::HostIo;
use ntemu::{RunOptions, run_image};

/// The block size heapbench.exe asks for.
const SMALL: u32 = 24;

/// Runs heapbench.exe for `pairs` HeapAlloc/HeapFree pairs; how long the run took.
fn guest_run(image: &Path, pairs: u64) -> Duration {
    let (io, _, _) = HostIo::buffers();
    let started = Instant::now();
    let report = run_image(
        image,
        RunOptions {
            io: Some(io),
            args: vec![pairs.to_string()],
            ..RunOptions::default()
        },
    )
    .expect("run");
    let took = started.elapsed();
    assert_eq!(report.exit_code, 0, "heapbench failed");
    took
}

fn heap(c: &mut Criterion) {
    let image = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guests/x86/heapbench.exe");
    let mut group = c.benchmark_group("heap");
    group.bench_function("alloc_free_small", |b| {
        b.iter_custom(|iters| {
            // The same run with no pairs: machine, image load, start-up and exit.
            let overhead = guest_run(&image, 0);
            guest_run(&image, iters).saturating_sub(overhead)
        })
    });

    let mut space = AddressSpace::new(PageSize::X86).expect("address space");
    let h = heap::create(&mut space, HEAP_GROWABLE, 0x10_0000, 0x1000).expect("heap");
    let mut call = HeapCall {
        space: &mut space,
        thread: 1,
        live: &[1],
    };
    group.bench_function("alloc_free_small_heap_only", |b| {
        b.iter(|| {
            let p = call.allocate(h, 0, black_box(SMALL)).expect("allocate");
            call.free(h, 0, black_box(p)).expect("free");
        })
    });

    group.bench_function("baseline_host_malloc_free", |b| {
        b.iter(|| {
            // A Vec's buffer comes from the global allocator: the host C library's malloc,
            // and free when it is dropped.
            let block: Vec<u8> = Vec::with_capacity(black_box(SMALL as usize));
            drop(black_box(block));
        })
    });
    group.finish();
}

criterion_group!(benches, heap);
criterion_main!(benches);
