//! Anonymous pipes between two guest threads: tests/guests/x86/pipebench.exe makes 20,000
//! round trips of 64 bytes (its main thread writes 64 bytes into one pipe, an echo thread
//! reads them and writes them back through a second pipe, the main thread reads them), each
//! write and read a KERNEL32 call and each hand-over a scheduler wait and wake-up; process
//! start is included. The in-run baseline is the same round trips between two host threads
//! over two host pipes (`std::io::pipe`).

use std::hint::black_box;
use std::io::{Read, Write};
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ntemu::win32::HostIo;
use ntemu::{RunOptions, run_image};

const ROUND_TRIPS: u64 = 20_000;

fn host_round_trips(n: u64) -> u64 {
    let (mut to_echo_r, mut to_echo_w) = std::io::pipe().expect("pipe");
    let (mut back_r, mut back_w) = std::io::pipe().expect("pipe");
    let echo = std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        for _ in 0..n {
            to_echo_r.read_exact(&mut buf).expect("echo read");
            back_w.write_all(&buf).expect("echo write");
        }
    });
    let mut ok = 0;
    let mut out = [0u8; 64];
    let mut back = [0u8; 64];
    for i in 0..n {
        for (j, b) in out.iter_mut().enumerate() {
            *b = (i as usize + j) as u8;
        }
        to_echo_w.write_all(&out).expect("write");
        back_r.read_exact(&mut back).expect("read");
        ok += u64::from(back == out);
    }
    echo.join().expect("echo thread");
    ok
}

fn pipes(c: &mut Criterion) {
    let image = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guests/x86/pipebench.exe");
    let mut group = c.benchmark_group("pipe");
    group.sample_size(20);
    group.throughput(Throughput::Elements(ROUND_TRIPS));
    group.bench_function("round_trip", |b| {
        b.iter(|| {
            let (io, _, _) = HostIo::buffers();
            let report = run_image(
                &image,
                RunOptions {
                    io: Some(io),
                    args: vec![ROUND_TRIPS.to_string()],
                    ..RunOptions::default()
                },
            )
            .expect("run");
            assert_eq!(report.exit_code, 0);
            black_box(report.stats.instructions)
        })
    });
    group.bench_function("baseline_host_pipe_round_trip", |b| {
        b.iter(|| {
            let ok = host_round_trips(ROUND_TRIPS);
            assert_eq!(ok, ROUND_TRIPS);
            black_box(ok)
        })
    });
    group.finish();
}

criterion_group!(benches, pipes);
criterion_main!(benches);
