//! What the command-line program's integration tests share: the guest programs and a run
//! of `ntemu`.

use std::path::PathBuf;
use std::process::{Command, Output};

/// The committed guest programs (`tests/guests`).
pub fn guests() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/guests")
}

/// Runs `ntemu` with `args` and waits for it.
pub fn ntemu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ntemu"))
        .args(args)
        .output()
        .expect("ntemu runs")
}

/// Runs `ntemu` with `args` in the host directory `dir` (the guest's current directory is
/// then that folder) and waits for it.
#[allow(dead_code)]
pub fn ntemu_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ntemu"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("ntemu runs")
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
