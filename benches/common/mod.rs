//! What the CPU benchmarks share: running a bundled guest quietly, and the compute work
//! done natively as the in-run baseline.

use std::path::PathBuf;

use ntemu::win32::HostIo;
use ntemu::{RunOptions, run_image};

/// Runs tests/guests/`dir`/`name` with its output discarded; returns the guest instructions
/// it retired.
#[allow(dead_code)] // each bench uses one of the two
pub fn run_quietly(dir: &str, name: &str) -> u64 {
    run_quietly_on(dir, name, None)
}

/// [`run_quietly`] with the x86 CPU tier set first (None: left as it is).
#[allow(dead_code)] // each bench uses one of the two
pub fn run_quietly_on(dir: &str, name: &str, tier: Option<ntemu::CpuTier>) -> u64 {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/guests")
        .join(dir)
        .join(name);
    let (io, _, _) = HostIo::buffers();
    let report = run_image(
        &path,
        RunOptions {
            io: Some(io),
            cpu_tier: tier,
            ..RunOptions::default()
        },
    )
    .expect("run");
    assert_eq!(report.exit_code, 0, "{name} failed");
    report.stats.instructions
}

/// compute.exe's work, natively: the baseline that shows the interpreter's cost.
pub fn native_compute() -> (u32, u32, f64) {
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
