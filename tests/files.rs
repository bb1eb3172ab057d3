//! Files under the sandboxed drive C: (`RunOptions.root`): tests/guests/x86/files.exe
//! creates, reads, writes, seeks, truncates, renames, finds and deletes files, and tries
//! every way out of the root (`..` past the root, an absolute host path, another drive, UNC
//! and `\\?\` names, symbolic links inside the root pointing out). Its output must match
//! tests/guests/expected/files.expected (hand-checked against NT's documented results, see
//! the file's header), the files it leaves must be in the root, and nothing outside the
//! root may be read, created or changed: a marker file beside the root keeps its content
//! and modification time, and no new entry appears beside the root.

mod common;

use std::path::{Path, PathBuf};

use common::{Scratch, expected, guest, run_captured};
use ntemu::kernel::RunOutcome;
use ntemu::{RunOptions, run_image};

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A root beside a marker file, with the symbolic links the guests try: `link_out` to the
/// directory holding the root, `link_marker` to the marker.
struct Sandbox {
    scratch: Scratch,
    root: PathBuf,
    marker: PathBuf,
    marker_time: std::time::SystemTime,
    before: Vec<String>,
}

const MARKER_TEXT: &[u8] = b"outside the root\n";

impl Sandbox {
    fn new(tag: &str) -> Sandbox {
        let scratch = Scratch::new(tag);
        let outside = scratch.0.clone();
        let root = outside.join("root");
        std::fs::create_dir(&root).expect("root");
        let marker = outside.join("marker");
        std::fs::write(&marker, MARKER_TEXT).expect("marker");
        // An old modification time, so a write during the run would show.
        let marker_time =
            std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
        std::fs::File::options()
            .write(true)
            .open(&marker)
            .and_then(|f| f.set_modified(marker_time))
            .expect("marker mtime");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&outside, root.join("link_out")).expect("symlink");
            std::os::unix::fs::symlink(&marker, root.join("link_marker")).expect("symlink");
        }
        let before = listing(&outside);
        Sandbox {
            scratch,
            root,
            marker,
            marker_time,
            before,
        }
    }

    /// Runs `image` with the root as drive C: and the marker's host path as its argument;
    /// checks its output against `expected_file`.
    fn run(&self, image: &str, expected_file: &str) {
        let run = run_captured(
            &guest(image),
            RunOptions {
                root: Some(self.root.clone()),
                args: vec![self.marker.to_string_lossy().into_owned()],
                ..RunOptions::default()
            },
        );
        let (report, out, err) = (run.report, run.stdout, run.stderr);
        assert_eq!(report.outcome, RunOutcome::AllExited, "stderr: {err}");
        assert_eq!(report.exit_code, 0, "stderr: {err}");
        let want = expected(expected_file);
        for (i, (got, want)) in out.lines().zip(want.lines()).enumerate() {
            assert_eq!(got, want, "{image} line {}", i + 1);
        }
        assert_eq!(out, want, "{image}");
    }

    /// Nothing outside the root was read, created or changed.
    fn check_outside(&self) {
        assert_eq!(listing(&self.scratch.0), self.before);
        assert_eq!(std::fs::read(&self.marker).expect("marker"), MARKER_TEXT);
        assert_eq!(
            std::fs::metadata(&self.marker)
                .and_then(|m| m.modified())
                .expect("mtime"),
            self.marker_time
        );
        // What `..\..\..\marker` created is the root's own marker.
        assert_eq!(
            std::fs::read_to_string(self.root.join("marker")).expect("clamped marker"),
            "inside\n"
        );
    }
}

#[test]
fn files_guest_stays_inside_its_root() {
    let sandbox = Sandbox::new("files");
    sandbox.run("x86/files.exe", "expected/files.expected");
    sandbox.check_outside();
    // What the guest made is in the root, with the names it gave.
    let work = sandbox.root.join("work");
    assert_eq!(listing(&work), ["C.TXT", "d.txt"]);
    assert_eq!(
        std::fs::read_to_string(work.join("C.TXT")).expect("C.TXT"),
        ""
    );
}

#[test]
fn alpha_files_guest_stays_inside_its_root() {
    let sandbox = Sandbox::new("files-alpha");
    sandbox.run("alpha/files.exe", "expected/files-alpha.expected");
    sandbox.check_outside();
    assert_eq!(listing(&sandbox.root.join("work")), Vec::<String>::new());
}

#[test]
fn without_a_root_there_is_no_drive_c() {
    let run = run_captured(
        &guest("x86/files.exe"),
        RunOptions {
            args: vec!["/nonexistent".into()],
            no_program_folder_drive: true,
            ..RunOptions::default()
        },
    );
    assert_eq!(run.report.outcome, RunOutcome::AllExited);
    let out = run.stdout;
    assert!(out.contains("create-directory: 0 3\n"), "{out}");
    assert!(out.contains("create-new: 0 3\n"), "{out}");
    // Devices still work.
    assert!(out.contains("nul: 1 0\n"), "{out}");
}

#[test]
fn a_missing_root_is_an_error() {
    let scratch = Scratch::new("files-missing");
    let result = run_image(
        &guest("x86/files.exe"),
        RunOptions {
            root: Some(scratch.0.join("no-such-dir")),
            ..RunOptions::default()
        },
    );
    assert!(result.is_err());
}

/// Current directories belong to processes: a child starts in its parent's or in
/// CreateProcessA's lpCurrentDirectory, and moving it does not move the parent.
#[test]
fn each_process_has_its_own_current_directory() {
    let root = Scratch::new("cwd");
    let run = run_captured(
        &guest("x86/cwd.exe"),
        RunOptions {
            root: Some(root.path().to_path_buf()),
            ..RunOptions::default()
        },
    );
    assert_eq!(run.report.outcome, RunOutcome::AllExited, "{}", run.stderr);
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, expected("expected/cwd.expected"));
}

/// KERNEL32's and NTDLL's further file functions (tests/guests/src/fileapi.c): the Windows
/// 3.x functions, CopyFile(Ex), GetFileAttributesEx, byte-range locks, FindFirstFile's 8.3
/// aliases, scatter/gather and NtCreateFile, with NT 4.0's results and error codes.
#[test]
fn file_functions_give_nt_results() {
    let root = Scratch::new("fileapi");
    let run = run_captured(
        &guest("x86/fileapi.exe"),
        RunOptions {
            root: Some(root.path().to_path_buf()),
            ..RunOptions::default()
        },
    );
    assert_eq!(run.report.outcome, RunOutcome::AllExited, "{}", run.stderr);
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    let want = expected("expected/fileapi.expected");
    for (i, (got, want)) in run.stdout.lines().zip(want.lines()).enumerate() {
        assert_eq!(got, want, "fileapi line {}", i + 1);
    }
    assert_eq!(run.stdout, want);
    // What the calls left on the host: the copies' bytes, the cut file, the gathered pages
    // and the long name under its own spelling (the alias exists only in the guest's view).
    let fa = root.path().join("fa");
    assert_eq!(std::fs::read(fa.join("dst.txt")).expect("dst"), b"copy me");
    assert_eq!(std::fs::read(fa.join("l.txt")).expect("l"), b"hello!!");
    assert!(!fa.join("ex2.txt").exists(), "a cancelled copy is deleted");
    let sg = std::fs::read(fa.join("sg.bin")).expect("sg");
    assert_eq!(sg.len(), 8192);
    assert!(sg.iter().enumerate().all(|(i, &b)| b == (i * 7) as u8));
    assert_eq!(
        listing(&fa.join("dir")),
        ["UP.TXT", "a long file name.text", "short.txt"]
    );
    assert!(fa.join("ntdir").is_dir());
}
