//! A real program at work: elvis's fmt.exe (x86, from ../shared/corpus/ntutils/elvis; the
//! bench skips with a message when the corpus is absent) refills a 1 MiB text read from a
//! file, its standard output redirected to a file that keeps nothing (the C runtime then
//! buffers it, as on NT). The in-run baseline is the host's own `fmt` doing the same work on
//! the same file, output to /dev/null, process start included in both.

use std::hint::black_box;
use std::process::{Command, Stdio};
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ntemu::kernel32::{FILE_TYPE_CHAR, FILE_TYPE_DISK, StdFileTypes};
use ntemu::win32::HostIo;
use ntemu::{RunOptions, run_image};
use parking_lot::Mutex;

/// A deterministic text of about 1 MiB: paragraphs of words of uneven lines.
fn text() -> String {
    let words = [
        "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
        "lambda", "mu", "nu", "xi", "omicron", "pi",
    ];
    let mut seed: u32 = 1;
    let mut next = |n: u32| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        (seed >> 16) % n
    };
    let mut out = String::new();
    let mut line = 0;
    while out.len() < 1 << 20 {
        let count = 5 + next(35);
        let line_words: Vec<&str> = (0..count).map(|_| words[next(16) as usize]).collect();
        out.push_str(&line_words.join(" "));
        out.push('\n');
        line += 1;
        if line % 5 == 0 {
            out.push('\n');
        }
    }
    out
}

fn fmt(c: &mut Criterion) {
    let Some(fmt_exe) = pe_image::corpus::file("ntutils/elvis/fmt.exe") else {
        return;
    };
    let root = std::env::temp_dir().join(format!("ntemu-bench-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&root).expect("root");
    let input = root.join("in.txt");
    let text = text();
    std::fs::write(&input, &text).expect("input");
    let mut group = c.benchmark_group("fmt");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("fmt_1mib", |b| {
        b.iter(|| {
            let io = HostIo {
                stdout: Arc::new(Mutex::new(std::io::sink())),
                stderr: Arc::new(Mutex::new(std::io::sink())),
                trace: Arc::new(Mutex::new(std::io::sink())),
            };
            let report = run_image(
                &fmt_exe,
                RunOptions {
                    io: Some(io),
                    root: Some(root.clone()),
                    args: vec!["in.txt".into()],
                    // Standard output redirected to a file that keeps nothing: the C
                    // runtime buffers it, as it does for a file on NT.
                    std_file_types: Some(StdFileTypes([
                        FILE_TYPE_CHAR,
                        FILE_TYPE_DISK,
                        FILE_TYPE_DISK,
                    ])),
                    ..RunOptions::default()
                },
            )
            .expect("run");
            assert_eq!(report.exit_code, 0);
            black_box(report.stats.instructions)
        })
    });
    group.bench_function("baseline_host_fmt_1mib", |b| {
        b.iter(|| {
            let status = Command::new("fmt")
                .arg(&input)
                .stdout(Stdio::null())
                .status()
                .expect("host fmt");
            assert!(status.success());
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&root);
}

criterion_group!(benches, fmt);
criterion_main!(benches);
