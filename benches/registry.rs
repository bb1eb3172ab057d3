//! The registry (issue 17): tests/guests/x86/regbench.exe calls RegQueryValueExA on an open
//! key 20,000 times for a DWORD (`registry/query_value`), or RegSetValueExA 20,000 times and
//! ends, the registry writing its hive file (temporary file, fsync, rename) when the run
//! ends (`registry/set_value`). Each includes the guest's loop and the thunk into the builtin.
//! The in-run baseline is a `HashMap` lookup (and insert) of the same value by its
//! upper-cased name, what a registry without NT's semantics would cost;
//! `registry/overhead_no_calls` is what every run costs besides the calls (the machine, the
//! program's start, opening and reading the registry's hives). A query run writes nothing;
//! a set run writes the user's hive once, at its end (fsync included).

use std::collections::HashMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ntemu::win32::HostIo;
use ntemu::{RunOptions, run_image};

const CALLS: u64 = 20_000;

fn run(image: &Path, root: &Path, what: &str, calls: u64) -> u64 {
    let (io, _, _) = HostIo::buffers();
    let report = run_image(
        image,
        RunOptions {
            io: Some(io),
            root: Some(root.to_path_buf()),
            args: vec![what.to_string(), calls.to_string()],
            ..RunOptions::default()
        },
    )
    .expect("run");
    assert_eq!(report.exit_code, 0);
    report.stats.instructions
}

fn registry(c: &mut Criterion) {
    let root = std::env::temp_dir().join(format!("ntemu-bench-registry-{}", std::process::id()));
    std::fs::create_dir_all(&root).expect("drive");
    let image = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guests/x86/regbench.exe");
    let mut group = c.benchmark_group("registry");
    group.sample_size(20);
    group.throughput(Throughput::Elements(CALLS));
    group.bench_function("query_value", |b| {
        b.iter(|| black_box(run(&image, &root, "query", CALLS)))
    });
    group.bench_function("set_value", |b| {
        b.iter(|| black_box(run(&image, &root, "set", CALLS)))
    });
    // What both include once: the machine, the program's start, the registry's opening.
    group.bench_function("overhead_no_calls", |b| {
        b.iter(|| black_box(run(&image, &root, "query", 0)))
    });
    let mut map: HashMap<String, Vec<u8>> = HashMap::new();
    map.insert("VALUE".to_string(), 7u32.to_le_bytes().to_vec());
    group.bench_function("baseline_hashmap_lookup", |b| {
        b.iter(|| {
            let mut out = [0u8; 4];
            for _ in 0..CALLS {
                let key = black_box("Value").to_ascii_uppercase();
                if let Some(v) = map.get(&key) {
                    out.copy_from_slice(v);
                }
                black_box(&out);
            }
        })
    });
    group.bench_function("baseline_hashmap_insert", |b| {
        b.iter(|| {
            for i in 0..CALLS as u32 {
                let key = black_box("Value").to_ascii_uppercase();
                map.insert(key, i.to_le_bytes().to_vec());
            }
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&root);
}

criterion_group!(benches, registry);
criterion_main!(benches);
