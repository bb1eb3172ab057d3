//! What the integration tests share: where the guest programs, their expected outputs and
//! the corpus are, scratch directories, and running a guest with its output captured.
//! (Each test file uses a part of it.)
#![allow(dead_code)]

use std::path::PathBuf;

use ntemu::kernel::RunOutcome;
use ntemu::win32::HostIo;
use ntemu::{RunOptions, RunReport, run_image};

/// A file under tests/guests/.
pub fn guest(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/guests")
        .join(name)
}

/// An expected-output file under tests/guests/ without its `#` header lines (which say
/// where the expectations come from), each line ending in "\n".
pub fn expected(name: &str) -> String {
    let text = std::fs::read_to_string(guest(name)).expect("expected file");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// A real NT program in ../shared/corpus/, or None (with a message) when it is absent.
pub fn corpus(rel: &str) -> Option<PathBuf> {
    ntemu::image::corpus::file(rel)
}

/// A fresh scratch directory (canonical path), removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A new empty directory named after `tag`, the process and the time.
    pub fn new(tag: &str) -> Scratch {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!("ntemu-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir.canonicalize().expect("canonical scratch dir"))
    }

    /// Its path.
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A finished run: the report and what the guest wrote to stdout and stderr.
pub struct GuestRun {
    /// How the run ended.
    pub report: RunReport,
    /// The guest's stdout.
    pub stdout: String,
    /// The guest's stderr (and ntemu's messages).
    pub stderr: String,
}

/// Runs the program at `path` with `options`, its output captured.
pub fn run_captured(path: &std::path::Path, options: RunOptions) -> GuestRun {
    let (io, out, err) = HostIo::buffers();
    let report = run_image(
        path,
        RunOptions {
            io: Some(io),
            ..options
        },
    )
    .expect("run");
    let stdout = String::from_utf8_lossy(&out.lock()).into_owned();
    let stderr = String::from_utf8_lossy(&err.lock()).into_owned();
    GuestRun {
        report,
        stdout,
        stderr,
    }
}

/// Runs a guest program (a path under tests/guests/) to its end and
/// checks that every process ended: (exit code, stdout, stderr).
pub fn run_to_end(name: &str, options: RunOptions) -> (u32, String, String) {
    let run = run_captured(&guest(name), options);
    assert_eq!(
        run.report.outcome,
        RunOutcome::AllExited,
        "{name} did not finish: {}",
        run.stderr
    );
    (run.report.exit_code, run.stdout, run.stderr)
}

/// Lines of an expected file's `# differs-from-wine:` header: the output lines Wine prints
/// differently, each for a reason the header gives.
pub fn differs_from_wine(name: &str) -> std::collections::BTreeSet<String> {
    let text = std::fs::read_to_string(guest(name)).expect("expected file");
    text.lines()
        .filter_map(|l| l.strip_prefix("# differs-from-wine: "))
        .map(str::to_string)
        .collect()
}

/// The expected output agrees with Wine's recorded output (`tests/guests/run-wine.sh`) on
/// every line but the listed ones (a Wine line in place of a listed one has the same name:
/// the text before its first colon).
pub fn agrees_with_wine(expected_name: &str, wine_name: &str) {
    let ours: Vec<String> = expected(expected_name)
        .lines()
        .map(str::to_string)
        .collect();
    let wine: Vec<String> = expected(wine_name).lines().map(str::to_string).collect();
    let allowed = differs_from_wine(expected_name);
    let ours_kept: Vec<&String> = ours.iter().filter(|l| !allowed.contains(*l)).collect();
    let wine_kept: Vec<&String> = wine
        .iter()
        .filter(|l| {
            // A line Wine prints in place of one of ours that differs: same name, other value.
            let name = l.split(':').next().unwrap_or("");
            !allowed.iter().any(|a| a.split(':').next() == Some(name))
        })
        .collect();
    assert_eq!(ours_kept, wine_kept, "{expected_name} against {wine_name}");
}
