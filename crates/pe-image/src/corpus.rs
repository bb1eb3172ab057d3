//! Where the real NT programs that ntemu's tests and benchmarks read are: `../shared/corpus/`
//! beside the workspace (never copied into the project). A test that needs one asks
//! [`file`] or [`dir`]; when the corpus is absent the test is skipped with a message written
//! straight to stderr (so `cargo test` shows it), or fails when `NTEMU_REQUIRE_CORPUS` is set,
//! as CI sets it.

use std::io::Write;
use std::path::PathBuf;

/// The corpus folder (it may be absent).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

/// Reports that `what` is absent: a skip message, or a panic under `NTEMU_REQUIRE_CORPUS`.
pub fn absent(what: &std::path::Path) {
    if std::env::var_os("NTEMU_REQUIRE_CORPUS").is_some_and(|v| !v.is_empty() && v != "0") {
        panic!(
            "{} is absent and NTEMU_REQUIRE_CORPUS is set: the corpus tests cannot run",
            what.display()
        );
    }
    // Straight to the stderr handle: the test harness captures print! and eprint!, not this.
    let _ = writeln!(
        std::io::stderr(),
        "skipping: {} is absent (set NTEMU_REQUIRE_CORPUS=1 to make this a failure)",
        what.display()
    );
}

/// The corpus file `rel` (e.g. `x86/aclock.exe`), or None after [`absent`].
pub fn file(rel: &str) -> Option<PathBuf> {
    let path = root().join(rel);
    if path.is_file() {
        Some(path)
    } else {
        absent(&path);
        None
    }
}

/// The corpus folder, or None after [`absent`].
pub fn dir() -> Option<PathBuf> {
    let path = root();
    if path.is_dir() {
        Some(path)
    } else {
        absent(&path);
        None
    }
}
