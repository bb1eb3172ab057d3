//! The x86 interpreter on real compiled guest code: tests/guests/x86/compute.exe (an integer
//! checksum, an insertion sort and a floating-point series, built by mingw-w64) reported as
//! guest instructions per second, beside the same work compiled natively for the host in the
//! same run; and the builtin-call round trip (tests/guests/x86/calls.exe: 100,000 calls of
//! GetCurrentProcessId) reported as calls per second.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

mod common;
use common::{native_compute, run_quietly};

fn cpu_x86(c: &mut Criterion) {
    let instructions = run_quietly("x86", "compute.exe");
    let mut group = c.benchmark_group("cpu_x86");
    group.sample_size(20);
    group.throughput(Throughput::Elements(instructions));
    group.bench_function("compute_guest", |b| {
        b.iter(|| black_box(run_quietly("x86", "compute.exe")))
    });
    group.bench_function("native_same_work", |b| {
        b.iter(|| black_box(native_compute()))
    });
    group.throughput(Throughput::Elements(100_000));
    group.bench_function("builtin_call_round_trip", |b| {
        b.iter(|| black_box(run_quietly("x86", "calls.exe")))
    });
    group.finish();
}

criterion_group!(benches, cpu_x86);
criterion_main!(benches);
