//! The x86 CPU on real compiled guest code: tests/guests/x86/compute.exe (an integer
//! checksum, an insertion sort and a floating-point series, built by mingw-w64) reported as
//! guest instructions per second under the interpreter (`compute_guest_interp`) and the JIT
//! tier (`compute_guest_jit`), beside the same work compiled natively for the host in the
//! same run; and the builtin-call round trip (tests/guests/x86/calls.exe: 100,000 calls of
//! GetCurrentProcessId) reported as calls per second, beside the same calls made the full way
//! (`builtin_call_round_trip_full_path`: the CPU stops at the thunk and the scheduler hands the
//! call to KERNEL32, as before calls were served inside the CPU) and the program making no call
//! (`builtin_call_startup_no_calls`: its start-up and exit, which the round trip includes,
//! measured beside it rather than subtracted).

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

mod common;
use common::{native_compute, run_quietly_on};
use ntemu::CpuTier;
use ntemu::win32::HostIo;
use ntemu::{RunOptions, run_image};

/// Runs calls.exe making `calls` calls, its output discarded; with `full`, every call goes
/// the full way (none served inside the CPU).
fn calls_run(calls: u32, full: bool) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guests/x86/calls.exe");
    let (io, _, _) = HostIo::buffers();
    let report = run_image(
        &path,
        RunOptions {
            io: Some(io),
            args: vec![calls.to_string()],
            full_calls: full,
            cpu_tier: Some(CpuTier::Interp),
            ..RunOptions::default()
        },
    )
    .expect("run");
    assert_eq!(report.exit_code, 0, "calls.exe failed");
}

fn cpu_x86(c: &mut Criterion) {
    let interp = Some(CpuTier::Interp);
    let jit = Some(CpuTier::Jit);
    let instructions = run_quietly_on("x86", "compute.exe", interp);
    // The JIT tier retires exactly the instructions the interpreter does.
    assert_eq!(run_quietly_on("x86", "compute.exe", jit), instructions);
    let mut group = c.benchmark_group("cpu_x86");
    group.sample_size(20);
    group.throughput(Throughput::Elements(instructions));
    group.bench_function("compute_guest_interp", |b| {
        b.iter(|| black_box(run_quietly_on("x86", "compute.exe", interp)))
    });
    group.bench_function("compute_guest_jit", |b| {
        b.iter(|| black_box(run_quietly_on("x86", "compute.exe", jit)))
    });
    group.bench_function("native_same_work", |b| {
        b.iter(|| black_box(native_compute()))
    });
    group.throughput(Throughput::Elements(100_000));
    group.bench_function("builtin_call_round_trip", |b| {
        b.iter(|| calls_run(black_box(100_000), false))
    });
    group.bench_function("builtin_call_round_trip_full_path", |b| {
        b.iter(|| calls_run(black_box(100_000), true))
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("builtin_call_startup_no_calls", |b| {
        b.iter(|| calls_run(black_box(0), false))
    });
    group.finish();
}

criterion_group!(benches, cpu_x86);
criterion_main!(benches);
