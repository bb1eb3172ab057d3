//! The x86 JIT tier against the interpreter on whole guest programs: each program runs under
//! both tiers (the JIT translating every block at its first run) with the virtual clock, and
//! the exit code, the output and the count of guest instructions retired must be the same.
//! The programs cover integer loops (compute), SEH and access violations (seh, av, crtseh),
//! divide errors, heaps and the C runtime.

mod common;

use ntemu::{CpuTier, RunOptions};

fn run(name: &str, tier: CpuTier) -> (u32, String, u64) {
    let run = common::run_captured(
        &common::guest(name),
        RunOptions {
            virtual_time: true,
            cpu_tier: Some(tier),
            ..RunOptions::default()
        },
    );
    (
        run.report.exit_code,
        run.stdout,
        run.report.stats.instructions,
    )
}

#[test]
fn guest_programs_agree_under_both_tiers() {
    if !cfg!(target_arch = "x86_64") {
        return;
    }
    ntemu::kernel::set_default_jit_threshold(1);
    for name in [
        "x86/compute.exe",
        "x86/seh.exe",
        "x86/av.exe",
        "x86/crtseh.exe",
        "x86/divzero.exe",
        "x86/heapapi.exe",
        "x86/crtlib.exe",
        "x86/hello.exe",
    ] {
        let interp = run(name, CpuTier::Interp);
        let jit = run(name, CpuTier::Jit);
        assert_eq!(interp, jit, "{name}");
    }
    ntemu::kernel::set_default_x86_tier(CpuTier::Interp);
}
