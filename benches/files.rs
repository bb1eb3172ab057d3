//! Opening files through a drive: tests/guests/x86/openbench.exe opens and closes
//! C:\a\b\c\file.txt (an existing file three folders down) 20,000 times, each open resolved
//! beneath the drive's directory descriptor (`openat2` with RESOLVE_BENEATH) and checked
//! (file type, share modes). The in-run baseline is the host's own cheapest equivalent: an
//! `openat` of the same relative path from a directory descriptor, and a `close`.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ntemu::win32::HostIo;
use ntemu::{RunOptions, run_image};
use rustix::fs::{Mode, OFlags, openat};

const OPENS: u64 = 20_000;

fn files(c: &mut Criterion) {
    let root = std::env::temp_dir().join(format!("ntemu-bench-files-{}", std::process::id()));
    let nested = root.join("a/b/c");
    std::fs::create_dir_all(&nested).expect("folders");
    std::fs::write(nested.join("file.txt"), b"hello\n").expect("file");
    let image = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guests/x86/openbench.exe");
    let mut group = c.benchmark_group("files");
    group.sample_size(20);
    group.throughput(Throughput::Elements(OPENS));
    group.bench_function("open_close", |b| {
        b.iter(|| {
            let (io, _, _) = HostIo::buffers();
            let report = run_image(
                &image,
                RunOptions {
                    io: Some(io),
                    root: Some(root.clone()),
                    args: vec![OPENS.to_string()],
                    ..RunOptions::default()
                },
            )
            .expect("run");
            assert_eq!(report.exit_code, 0);
            black_box(report.stats.instructions)
        })
    });
    let dir =
        rustix::fs::open(&root, OFlags::PATH | OFlags::DIRECTORY, Mode::empty()).expect("root");
    group.bench_function("baseline_host_openat_close", |b| {
        b.iter(|| {
            for _ in 0..OPENS {
                let fd =
                    openat(&dir, "a/b/c/file.txt", OFlags::RDONLY, Mode::empty()).expect("openat");
                drop(black_box(fd));
            }
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&root);
}

criterion_group!(benches, files);
criterion_main!(benches);
