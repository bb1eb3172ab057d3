//! Runs a guest program given on the command line: `cargo run --example run_guest -- IMAGE`.

use std::path::PathBuf;

fn main() {
    let Some(path) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: run_guest IMAGE");
        std::process::exit(2);
    };
    match ntemu::run_image(&path, ntemu::RunOptions::default()) {
        Ok(report) => {
            eprintln!(
                "exit code {:#x} ({:?}), {} instructions",
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
