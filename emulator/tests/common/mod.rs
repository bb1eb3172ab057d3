//! What the command-line program's integration tests share: the guest programs and a run
//! of `ntemu`.
//! (Each test file uses a part of it.)
#![allow(dead_code)]

use std::path::{Path, PathBuf};
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

/// A scratch directory (canonical), removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A new empty directory named after `tag`, the process and the time.
    pub fn new(tag: &str) -> Scratch {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir =
            std::env::temp_dir().join(format!("ntemu-cli-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch");
        Scratch(dir.canonicalize().expect("canonical"))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `ntemu` in `cwd` with HOME and XDG_DATA_HOME inside `scratch` (so the per-user
/// drive C: is the scratch's and the real home is never touched).
pub fn ntemu_in(scratch: &Scratch, cwd: &Path, args: &[&str]) -> Output {
    let home = scratch.0.join("home");
    std::fs::create_dir_all(&home).expect("home");
    Command::new(env!("CARGO_BIN_EXE_ntemu"))
        .args(args)
        .current_dir(cwd)
        .env("HOME", &home)
        .env("XDG_DATA_HOME", scratch.0.join("data"))
        .env_remove("WINEDEBUG")
        .env_remove("NTEMU_DEBUG")
        .output()
        .expect("ntemu runs")
}
