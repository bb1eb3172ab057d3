//! Image load time of each corpus program (../shared/corpus/{x86,alpha}/*.exe): parse the
//! PE file, create a process of its architecture, map its sections, apply relocations and
//! bind its imports to ntemu's builtin DLLs, ready to run its entry point; a fresh machine
//! each time. Skipped with a message when ../shared/corpus/ is absent.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use ntemu::image::PeImage;
use ntemu::{MachineConfig, machine};

fn image_load(c: &mut Criterion) {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!(
            "image_load: {} is absent; skipping the corpus load benchmarks",
            corpus.display()
        );
        return;
    }
    let mut group = c.benchmark_group("image_load");
    for arch in ["x86", "alpha"] {
        for name in ["aclock.exe", "ntvi.exe", "2048.exe", "snake.exe"] {
            let path = corpus.join(arch).join(name);
            let Ok(bytes) = std::fs::read(&path) else {
                eprintln!("image_load: {} is absent; skipping it", path.display());
                continue;
            };
            let builtins = ntemu::builtins();
            group.bench_function(format!("{arch}/{name}"), |b| {
                b.iter(|| {
                    let image = PeImage::parse(black_box(&bytes)).expect("corpus image parses");
                    let mut m = machine(MachineConfig::default());
                    let mut resolver = &*builtins;
                    let started = m
                        .create_process_from_image(&image, &mut resolver, None, false, 0)
                        .expect("corpus image loads");
                    black_box(started.image.entry_point)
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, image_load);
criterion_main!(benches);
