//! Runs a guest program through the embedding API: `cargo run --release --example run_guest
//! [-- IMAGE [ARGS...]]`. Without an argument it runs the bundled KB Q246691 program, built
//! for x86 and for Alpha, with the subsystem step of CreateRemoteThread failing on every call,
//! and checks that neither leaked a handle (`handle-count-delta=0`).

use std::path::PathBuf;

use ntemu::{FaultPoint, FaultTrigger, RunOptions};

fn main() {
    let mut args = std::env::args_os().skip(1);
    if let Some(image) = args.next() {
        let options = RunOptions {
            args: args.map(|a| a.to_string_lossy().into_owned()).collect(),
            ..RunOptions::default()
        };
        std::process::exit(run(&PathBuf::from(image), options).unwrap_or(2) as i32);
    }
    let guests = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guests");
    let mut failed = false;
    for arch in ["x86", "alpha"] {
        println!("{arch}/kb246691.exe, CreateRemoteThread failing at its subsystem step:");
        let (io, out, _) = ntemu::win32::HostIo::buffers();
        let options = RunOptions {
            faults: vec![(FaultPoint::RemoteThreadSubsystem, FaultTrigger::Always)],
            io: Some(io),
            ..RunOptions::default()
        };
        let code = run(&guests.join(arch).join("kb246691.exe"), options);
        let output = String::from_utf8_lossy(&out.lock()).into_owned();
        print!("{output}");
        failed |= code != Some(0) || !output.contains("handle-count-delta=0 failures=1000");
    }
    if failed {
        eprintln!("run_guest: a handle leaked or a run failed");
        std::process::exit(1);
    }
}

/// Runs one program; its exit code, or None when it could not run.
fn run(path: &std::path::Path, options: RunOptions) -> Option<u32> {
    match ntemu::run_image(path, options) {
        Ok(report) => {
            eprintln!(
                "exit code {:#x} ({:?}), {} guest instructions",
                report.exit_code, report.outcome, report.stats.instructions
            );
            Some(report.exit_code)
        }
        Err(e) => {
            eprintln!("ntemu: {e}");
            None
        }
    }
}
