//! LoadLibrary + FreeLibrary of a small DLL from disk (the file already in the host's page
//! cache): tests/guests/x86/ldrbench.exe loads and frees tests/guests/x86/ldrqb.dll 2,000
//! times, each load the whole transaction (search, section, map, relocate, bind, DllMain's
//! PROCESS_ATTACH through the guest) and each free its PROCESS_DETACH and unmapping. The
//! in-run baseline is the host's own floor for the same file: reading it and parsing it as
//! a PE image.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ntemu::win32::HostIo;
use ntemu::{RunOptions, run_image};

const LOADS: u64 = 2_000;

fn loader(c: &mut Criterion) {
    let guests = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guests/x86");
    let image = guests.join("ldrbench.exe");
    let dll = guests.join("ldrqb.dll");
    let mut group = c.benchmark_group("loader");
    group.sample_size(20);
    group.throughput(Throughput::Elements(LOADS));
    group.bench_function("load_free_dll", |b| {
        b.iter(|| {
            let (io, _, _) = HostIo::buffers();
            let report = run_image(
                &image,
                RunOptions {
                    io: Some(io),
                    args: vec![LOADS.to_string()],
                    ..RunOptions::default()
                },
            )
            .expect("run");
            assert_eq!(report.exit_code, 0);
            black_box(report.stats.instructions)
        })
    });
    group.bench_function("baseline_host_read_parse", |b| {
        b.iter(|| {
            for _ in 0..LOADS {
                let bytes = std::fs::read(&dll).expect("read");
                black_box(ntemu::image::PeImage::parse(&bytes).expect("parse"));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, loader);
criterion_main!(benches);
