//! Runs a guest program through the embedding API: `cargo run --example run_guest -- IMAGE`.
//! Without an argument it runs the bundled KB Q246691 program with the subsystem step of
//! CreateRemoteThread failing on every call, and checks that no handle leaked.

use std::path::PathBuf;

use ntemu::{FaultPoint, FaultTrigger, RunOptions};

fn main() {
    let (path, options) = match std::env::args_os().nth(1) {
        Some(arg) => (PathBuf::from(arg), RunOptions::default()),
        None => (
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guests/x86/kb246691.exe"),
            RunOptions {
                faults: vec![(FaultPoint::RemoteThreadSubsystem, FaultTrigger::Always)],
                ..RunOptions::default()
            },
        ),
    };
    match ntemu::run_image(&path, options) {
        Ok(report) => {
            eprintln!(
                "exit code {:#x} ({:?}), {} guest instructions",
                report.exit_code, report.outcome, report.stats.instructions
            );
            std::process::exit(report.exit_code as i32);
        }
        Err(e) => {
            eprintln!("ntemu: {e}");
            std::process::exit(2);
        }
    }
}
