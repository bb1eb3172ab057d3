//! HeapAlloc + HeapFree of a small block (24 bytes) from the process heap, in one run:
//! - `alloc_free_small`: a guest program's calls end to end (tests/guests/x86/heapbench.exe
//!   making [`PAIRS`] pairs: the x86 interpreter, the calls into NTDLL's RtlAllocateHeap /
//!   RtlFreeHeap and NT 4.0's heap laid out in guest memory), reported per pair (the
//!   throughput); the run's start-up is in it, spread over the pairs;
//! - `alloc_free_small_full_path`: the same with every call going the full way (the CPU
//!   stops at the thunk, the scheduler hands the call to NTDLL), as before calls were served
//!   inside the CPU;
//! - `startup_no_pairs`: the same program making no pair, beside it: how much of the above
//!   is the machine's start, the image load and the exit (measured, never subtracted);
//! - `alloc_free_small_heap_only`: NTDLL's heap on its own, called from the host on a heap in
//!   an address space (what the guest's calls cost beyond the interpreter and the call layer);
//! - `baseline_host_malloc_free`: the host's malloc and free of the same size.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ntemu::memory::{AddressSpace, PageSize};
use ntemu::ntdll::heap::{self, HEAP_GROWABLE, HeapCall};
use ntemu::win32::HostIo;
use ntemu::{RunOptions, run_image};

/// The block size heapbench.exe asks for.
const SMALL: u32 = 24;

/// The pairs one run of `alloc_free_small` makes.
const PAIRS: u64 = 100_000;

/// Runs heapbench.exe for `pairs` HeapAlloc/HeapFree pairs; with `full`, every call goes the
/// full way (none served inside the CPU).
fn guest_run(image: &Path, pairs: u64, full: bool) {
    let (io, _, _) = HostIo::buffers();
    let report = run_image(
        image,
        RunOptions {
            io: Some(io),
            args: vec![pairs.to_string()],
            full_calls: full,
            ..RunOptions::default()
        },
    )
    .expect("run");
    assert_eq!(report.exit_code, 0, "heapbench failed");
}

fn heap(c: &mut Criterion) {
    let image = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guests/x86/heapbench.exe");
    let mut group = c.benchmark_group("heap");
    group.sample_size(20);
    group.throughput(Throughput::Elements(PAIRS));
    group.bench_function("alloc_free_small", |b| {
        b.iter(|| guest_run(&image, black_box(PAIRS), false))
    });
    group.bench_function("alloc_free_small_full_path", |b| {
        b.iter(|| guest_run(&image, black_box(PAIRS), true))
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("startup_no_pairs", |b| {
        b.iter(|| guest_run(&image, black_box(0), false))
    });
    group.sample_size(100);

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
