//! The Alpha interpreter on the same work as benches/cpu_x86.rs, written in Alpha assembly:
//! tests/guests/alpha/compute.exe, reported as guest instructions per second; beside it in
//! the same run, the work compiled natively for the host and, where qemu-alpha is installed,
//! qemu-alpha running the same code as a static Linux ELF (tests/guests/alpha/
//! compute-linux.elf; its time includes starting the qemu process).

use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

mod common;
use common::{native_compute, run_quietly};

fn cpu_alpha(c: &mut Criterion) {
    let instructions = run_quietly("alpha", "compute.exe");
    let mut group = c.benchmark_group("cpu_alpha");
    group.sample_size(20);
    group.throughput(Throughput::Elements(instructions));
    group.bench_function("compute_guest", |b| {
        b.iter(|| black_box(run_quietly("alpha", "compute.exe")))
    });
    group.bench_function("native_same_work", |b| {
        b.iter(|| black_box(native_compute()))
    });
    let elf =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guests/alpha/compute-linux.elf");
    let qemu_runs = Command::new("qemu-alpha")
        .arg(&elf)
        .status()
        .is_ok_and(|s| s.code() == Some(218));
    if qemu_runs {
        group.bench_function("qemu_alpha_same_work", |b| {
            b.iter(|| {
                Command::new("qemu-alpha")
                    .arg(&elf)
                    .status()
                    .expect("qemu-alpha")
            })
        });
    } else {
        eprintln!("cpu_alpha: qemu-alpha is not installed; skipping qemu_alpha_same_work");
    }
    group.finish();
}

criterion_group!(benches, cpu_alpha);
criterion_main!(benches);
