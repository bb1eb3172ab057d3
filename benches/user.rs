//! USER32's message queue through the whole stack: tests/guests/x86/msgbench.exe makes
//! 20,000 round trips of a message on one thread (PostMessageA to its own queue, GetMessageA
//! of it back: two USER32 calls from the x86 interpreter each), process start included;
//! `user/post_get_message` is reported per round trip. The in-run baseline is the same
//! round trips through a host channel on one thread (`std::sync::mpsc` send and recv of the
//! same three words).

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::mpsc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ntemu::win32::HostIo;
use ntemu::{RunOptions, run_image};

const ROUND_TRIPS: u64 = 20_000;

fn user(c: &mut Criterion) {
    let image = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guests/x86/msgbench.exe");
    let mut group = c.benchmark_group("user");
    group.sample_size(20);
    group.throughput(Throughput::Elements(ROUND_TRIPS));
    group.bench_function("post_get_message", |b| {
        b.iter(|| {
            let (io, _, _) = HostIo::buffers();
            let report = run_image(
                &image,
                RunOptions {
                    io: Some(io),
                    ..RunOptions::default()
                },
            )
            .expect("run");
            assert_eq!(report.exit_code, 0, "a message did not come back as posted");
            black_box(report.stats.instructions)
        })
    });
    group.bench_function("baseline_channel_send_recv", |b| {
        let (tx, rx) = mpsc::channel::<(u32, u32, u32)>();
        b.iter(|| {
            let mut ok = 0u64;
            for i in 0..ROUND_TRIPS as u32 {
                tx.send(black_box((0x8000, i, !i))).expect("send");
                let m = rx.recv().expect("recv");
                ok += u64::from(m == (0x8000, i, !i));
            }
            assert_eq!(ok, ROUND_TRIPS);
            black_box(ok)
        })
    });
    group.finish();
}

criterion_group!(benches, user);
criterion_main!(benches);
