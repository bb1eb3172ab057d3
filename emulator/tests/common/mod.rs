//! What the command-line program's integration tests share: the guest programs and a run
//! of `ntemu`.
//! (Each test file uses a part of it.)
#![allow(dead_code)]

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

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
