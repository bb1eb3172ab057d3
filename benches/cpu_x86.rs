//! The x86 interpreter on real compiled guest code: tests/guests/x86/compute.exe (an integer
//! checksum, an insertion sort and a floating-point series, built by mingw-w64) reported as
//! guest instructions per second, beside the same work compiled natively for the host in the
//! same run; and the builtin-call round trip (tests/guests/x86/calls.exe: 100,000 calls of
//! GetCurrentProcessId) reported as calls per second.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ntemu::win32::HostIo;
use ntemu::{RunOptions, run_image};

fn guest(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/guests/x86")
        .join(name)
}

fn run_quietly(name: &str) -> u64 {
    let (io, _, _) = HostIo::buffers();
    let report = run_image(
        &guest(name),
        RunOptions {
            io: Some(io),
            ..RunOptions::default()
        },
    )
    .expect("run");
    assert_eq!(report.exit_code, 0, "{name} failed");
    report.stats.instructions
}

/// compute.exe's work, natively: the baseline that shows the interpreter's cost.
fn native_compute() -> (u32, u32, f64) {
    const N: usize = 2048;
    let mut data = [0u32; N];
    let mut seed: u32 = 12345;
    for d in data.iter_mut() {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        *d = seed >> 8;
    }
    let (mut a, mut b) = (1u32, 0u32);
    for d in data.iter() {
        for byte in d.to_le_bytes() {
            a = (a + u32::from(byte)) % 65521;
            b = (b + a) % 65521;
        }
    }
    for i in 1..N {
        let x = data[i];
        let mut j = i;
        while j > 0 && data[j - 1] > x {
            data[j] = data[j - 1];
            j -= 1;
        }
        data[j] = x;
    }
    let (mut s, mut x) = (0.0f64, 1.0f64);
    for i in 1..=200_000 {
        let d = f64::from(i);
        s += x / (d * d);
        x = -x;
    }
    ((b << 16) | a, data[0], s)
}

fn cpu_x86(c: &mut Criterion) {
    let instructions = run_quietly("compute.exe");
    let mut group = c.benchmark_group("cpu_x86");
    group.sample_size(20);
    group.throughput(Throughput::Elements(instructions));
    group.bench_function("compute_guest", |b| {
        b.iter(|| black_box(run_quietly("compute.exe")))
    });
    group.bench_function("native_same_work", |b| {
        b.iter(|| black_box(native_compute()))
    });
    group.throughput(Throughput::Elements(100_000));
    group.bench_function("builtin_call_round_trip", |b| {
        b.iter(|| black_box(run_quietly("calls.exe")))
    });
    group.finish();
}

criterion_group!(benches, cpu_x86);
criterion_main!(benches);
