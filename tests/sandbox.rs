//! The sandbox (issue 13): no path race, link, device or FIFO reaches outside a drive, and the
//! machine's limits hold. Each test makes a drive (a temporary root) beside files outside it
//! whose content, size, mode and modification time are compared before and after, and whose
//! folder's listing must not change: whatever the guest does, nothing outside may be read,
//! created, changed or removed.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{Scratch, guest, run_captured};
use ntemu::RunOptions;
use ntemu::kernel::RunOutcome;

/// What the guest must never see: the outside files hold it.
const SECRET: &[u8] = b"OUTSIDE-SECRET\n";

/// A snapshot of a folder's entries: name -> (content or None for a directory, size, mode,
/// modification time).
type Snapshot = BTreeMap<String, (Option<Vec<u8>>, u64, u32, std::time::SystemTime)>;

fn snapshot(dir: &Path) -> Snapshot {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("read outside dir") {
        let entry = entry.expect("entry");
        let meta = std::fs::symlink_metadata(entry.path()).expect("metadata");
        let content = meta
            .is_file()
            .then(|| std::fs::read(entry.path()).expect("read"));
        out.insert(
            entry.file_name().to_string_lossy().into_owned(),
            (
                content,
                meta.len(),
                meta.permissions().mode(),
                meta.modified().expect("mtime"),
            ),
        );
    }
    out
}

/// A drive (`root`) beside a folder `outside` holding secret files, and the scratch folder
/// that holds both.
struct Drive {
    scratch: Scratch,
    root: PathBuf,
    outside: PathBuf,
    before_outside: Snapshot,
    before_scratch: Vec<String>,
}

impl Drive {
    fn new(tag: &str) -> Drive {
        let scratch = Scratch::new(tag);
        let root = scratch.path().join("root");
        let outside = scratch.path().join("outside");
        std::fs::create_dir(&root).expect("root");
        std::fs::create_dir(&outside).expect("outside");
        for name in ["x.txt", "y.txt", "doomed.txt", "marker", "f.txt"] {
            std::fs::write(outside.join(name), SECRET).expect("secret");
        }
        // An old modification time, so that any write would show.
        let old = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
        for entry in std::fs::read_dir(&outside).expect("outside") {
            let path = entry.expect("entry").path();
            std::fs::File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_modified(old))
                .expect("mtime");
        }
        let before_outside = snapshot(&outside);
        let before_scratch = listing(scratch.path());
        Drive {
            scratch,
            root,
            outside,
            before_outside,
            before_scratch,
        }
    }

    /// Runs a guest on this drive (as C:), returning its stdout.
    fn run(&self, image: &str, args: &[&str]) -> String {
        let run = run_captured(
            &guest(image),
            RunOptions {
                root: Some(self.root.clone()),
                args: args.iter().map(|a| a.to_string()).collect(),
                ..RunOptions::default()
            },
        );
        assert_eq!(run.report.outcome, RunOutcome::AllExited, "{}", run.stderr);
        assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
        run.stdout
    }

    /// Nothing outside the drive changed.
    fn check_outside(&self) {
        assert_eq!(
            snapshot(&self.outside),
            self.before_outside,
            "the folder outside the drive changed"
        );
        assert_eq!(
            listing(self.scratch.path()),
            self.before_scratch,
            "a new entry beside the drive"
        );
    }
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

/// The delete-on-close attack: a file created through C:\b\s with FILE_FLAG_DELETE_ON_CLOSE,
/// its folder moved away and a folder holding a link to the outside moved in its place
/// before the handle closes. NT deletes the file it opened, wherever it is now; a close that
/// deleted by the path recorded at open would delete the outside doomed.txt.
fn delete_on_close_never_reaches_outside(image: &str) {
    let drive = Drive::new("doc");
    std::fs::create_dir(drive.root.join("c")).expect("c");
    symlink(&drive.outside, &drive.root.join("c").join("s"));
    let out = drive.run(image, &[]);
    for line in [
        "link-looks-absent: 1",
        "link-looks-absent-error: 2",
        "create-delete-on-close: 1",
        "move-b-away: 1",
        "move-c-to-b: 1",
        "through-link-looks-absent: 1",
        "moved-file-there: 1",
        "close: 1",
        "moved-file-deleted-on-close: 1",
        "deleted-error: 2",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "{image}: no {line:?} in\n{out}"
        );
    }
    assert!(!drive.root.join("b2/s/doomed.txt").exists());
    drive.check_outside();
}

#[test]
fn x86_delete_on_close_never_reaches_outside() {
    delete_on_close_never_reaches_outside("x86/doc.exe");
}

#[test]
fn alpha_delete_on_close_never_reaches_outside() {
    delete_on_close_never_reaches_outside("alpha/doc.exe");
}

/// A host thread swaps a folder and a file inside the drive for links to the outside folder
/// and file (RENAME_EXCHANGE, atomically, over and over) while the guest reads, writes,
/// appends, creates, moves, deletes, makes and removes folders and deletes on close through
/// those names: no outside content is ever read and nothing outside changes. Bounded by
/// counts: the guest's iterations and the swapper's turns.
#[test]
fn swapped_names_never_lead_outside() {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    let drive = Drive::new("race");
    let d = drive.root.join("d");
    std::fs::create_dir(&d).expect("d");
    std::fs::write(d.join("x.txt"), b"inside\n").expect("x");
    std::fs::write(d.join("y.txt"), b"inside\n").expect("y");
    std::fs::write(drive.root.join("f.txt"), b"inside\n").expect("f");
    symlink(&drive.outside, &drive.root.join("d-link"));
    symlink(&drive.outside.join("f.txt"), &drive.root.join("f-link"));
    let done = Arc::new(AtomicBool::new(false));
    let swapper = {
        let done = Arc::clone(&done);
        let root = drive.root.clone();
        std::thread::spawn(move || {
            let mut swaps = 0u64;
            while !done.load(Ordering::Relaxed) && swaps < 20_000_000 {
                for (a, b) in [("d", "d-link"), ("f.txt", "f-link")] {
                    renameat_with(CWD, root.join(a), CWD, root.join(b), RenameFlags::EXCHANGE)
                        .expect("exchange");
                }
                swaps += 1;
            }
            swaps
        })
    };
    let out = drive.run("x86/race.exe", &["3000"]);
    done.store(true, Ordering::Relaxed);
    let swaps = swapper.join().expect("swapper");
    assert!(swaps > 100, "the swapper ran {swaps} times");
    assert!(
        out.contains("iterations: 3000\n"),
        "the guest finished its loop: {out}"
    );
    assert!(
        out.contains("outside-content-read: 0\n"),
        "the guest read outside content: {out}"
    );
    // The names were there often enough for the loop to mean something.
    let count = |name: &str| -> u64 {
        out.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    for op in [
        "reads",
        "writes",
        "creates",
        "moves",
        "deletes",
        "dirs",
        "delete-on-close",
    ] {
        assert!(count(op) > 0, "no {op} succeeded: {out}");
    }
    drive.check_outside();
}

/// Runs fsprobe.exe over `names` (one spelling per line) and returns its lines by name.
fn probe(drive: &Drive, names: &[String]) -> Vec<(String, String)> {
    std::fs::write(drive.root.join("names.txt"), names.join("\n")).expect("names");
    let out = drive.run("x86/fsprobe.exe", &[]);
    let results: Vec<(String, String)> = out
        .lines()
        .map(|l| {
            let (n, rest) = l.split_once(':').expect("n: results");
            let n: usize = n.parse().expect("line number");
            (names[n].clone(), rest.trim().to_string())
        })
        .collect();
    assert_eq!(results.len(), names.len(), "one result per name:\n{out}");
    results
}

fn field<'a>(results: &'a str, name: &str) -> &'a str {
    results
        .split(' ')
        .find_map(|f| f.strip_prefix(&format!("{name}=")))
        .unwrap_or("?")
}

/// A hard link inside the drive to a file outside: readable, never writable (its other
/// names may lie outside the drive).
#[test]
fn hard_linked_files_are_read_only() {
    let drive = Drive::new("hardlink");
    // The outside twin: a file of its own (not one of the secret files).
    let twin = drive.scratch.path().join("twin.txt");
    std::fs::write(&twin, b"inside and out\n").expect("twin");
    std::fs::hard_link(&twin, drive.root.join("hard.txt")).expect("hard link");
    let drive = Drive {
        before_scratch: listing(drive.scratch.path()),
        ..drive
    };
    let results = probe(&drive, &["C:\\hard.txt".to_string()]);
    let r = &results[0].1;
    assert_eq!(field(r, "read"), "0", "readable: {r}");
    assert_eq!(field(r, "attr"), "0", "{r}");
    assert_eq!(field(r, "write"), "5", "writing refused: {r}");
    assert_eq!(std::fs::read(&twin).expect("twin"), b"inside and out\n");
    drive.check_outside();
}

/// A FIFO, a socket and (where the host lets the test make one) a character device inside
/// the drive: never opened and no hang. To a reader they look like absent names
/// (ERROR_FILE_NOT_FOUND) and listings leave them out; creating over one is
/// ERROR_ACCESS_DENIED.
#[test]
fn devices_fifos_and_sockets_are_never_opened() {
    use rustix::fs::{CWD, FileType, Mode, mknodat};
    let drive = Drive::new("special");
    let fifo = drive.root.join("fifo");
    mknodat(CWD, &fifo, FileType::Fifo, Mode::from_raw_mode(0o666), 0).expect("mkfifo");
    let _socket =
        std::os::unix::net::UnixListener::bind(drive.root.join("socket")).expect("socket");
    let mut names = vec!["C:\\fifo".to_string(), "C:\\socket".to_string()];
    // A character device (like /dev/null: 1, 3) needs the right to make one.
    let device = drive.root.join("device");
    match mknodat(
        CWD,
        &device,
        FileType::CharacterDevice,
        Mode::from_raw_mode(0o666),
        rustix::fs::makedev(1, 3),
    ) {
        Ok(()) => names.push("C:\\device".to_string()),
        Err(e) => eprintln!("skipping the character device: the host refuses mknod ({e})"),
    }
    let started = std::time::Instant::now();
    for (name, r) in probe(&drive, &names) {
        for f in ["read", "attr", "find", "delete"] {
            assert_eq!(field(&r, f), "2", "{name} {f}: {r}");
        }
        assert_eq!(field(&r, "write"), "5", "{name}: {r}");
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    // Listings leave them out: only names.txt is listed.
    let listed = probe(&drive, &["C:\\f*".to_string(), "C:\\s*".to_string()]);
    for (name, r) in &listed {
        assert_eq!(field(r, "find"), "2", "{name}: {r}");
    }
    assert!(fifo.exists() && drive.root.join("socket").exists());
    drive.check_outside();
}

/// A link that stays inside the drive works as its target; one that leads outside answers
/// exactly as a missing name does.
#[test]
fn links_inside_work_and_links_outside_look_absent() {
    let drive = Drive::new("links");
    std::fs::create_dir(drive.root.join("sub")).expect("sub");
    // Two files, as fsprobe deletes what it can.
    std::fs::write(drive.root.join("sub/in.txt"), b"inside\n").expect("in");
    std::fs::write(drive.root.join("sub/in2.txt"), b"inside\n").expect("in2");
    symlink(Path::new("sub"), &drive.root.join("in-dir"));
    symlink(Path::new("sub/in2.txt"), &drive.root.join("in-file"));
    symlink(&drive.outside, &drive.root.join("out-dir"));
    symlink(&drive.outside.join("marker"), &drive.root.join("out-file"));
    symlink(
        Path::new("../outside/marker"),
        &drive.root.join("out-relative"),
    );
    let names: Vec<String> = [
        "C:\\in-dir\\in.txt",
        "C:\\in-file",
        "C:\\out-dir\\marker",
        "C:\\missing-dir\\marker",
        "C:\\out-file",
        "C:\\out-relative",
        "C:\\missing-file",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let results: BTreeMap<String, String> = probe(&drive, &names).into_iter().collect();
    let inside = &results["C:\\in-dir\\in.txt"];
    assert_eq!(field(inside, "read"), "0", "{inside}");
    assert_eq!(field(&results["C:\\in-file"], "read"), "0");
    // Outside through a link: the same answers as the missing names (read, attributes,
    // find); writes are refused rather than made through the link.
    for (link, missing) in [
        ("C:\\out-dir\\marker", "C:\\missing-dir\\marker"),
        ("C:\\out-file", "C:\\missing-file"),
        ("C:\\out-relative", "C:\\missing-file"),
    ] {
        for f in ["read", "attr", "find"] {
            assert_eq!(
                field(&results[link], f),
                field(&results[missing], f),
                "{link} {f}: {} vs {}",
                results[link],
                results[missing]
            );
        }
        assert!(!results[link].contains("OUTSIDE-CONTENT"));
    }
    drive.check_outside();
}

/// Spellings of paths that lead outside: `..` chains, `\\?\` and `\\.\` prefixes, UNC
/// names, other drives, trailing dots and spaces, streams, device names, long names and the
/// host's absolute paths, each tried with seven operations. Each is refused or kept inside
/// the drive: nothing outside is read, created, changed or removed.
#[test]
fn fifteen_hundred_spellings_of_outside_paths_stay_inside() {
    let drive = Drive::new("spellings");
    let outside = drive.outside.to_string_lossy().into_owned();
    let dos_outside = outside.replace('/', "\\");
    let mut names: Vec<String> = Vec::new();
    let targets = ["marker", "x.txt", "doomed.txt", "newfile", "newdir"];
    let climbs = [
        "..\\",
        "../",
        "..\\..\\",
        "../../",
        "..\\..\\..\\..\\..\\",
        "..\\.\\..\\",
        ".\\..\\",
        "...\\",
        "....\\",
        ".. \\",
        "..  \\",
        "..\\ ",
        "\\..\\",
        "/../",
        "C:..\\",
        "C:\\..\\",
        "C:/../",
        "c:\\..\\..\\",
        "\\\\?\\C:\\..\\",
        "\\\\.\\C:\\..\\",
        "\\??\\C:\\..\\",
        "\\\\?\\UNC\\localhost\\C$\\..\\",
        "\\\\localhost\\C$\\..\\",
        "//localhost/c$/../",
        "\\\\127.0.0.1\\share\\",
        "\\\\?\\GLOBALROOT\\",
        "\\\\.\\GLOBALROOT\\",
        "D:\\..\\",
        "E:\\",
        "Z:\\",
        "Z:",
        "A:\\..\\",
        "\\\\.\\PhysicalDrive0\\",
        "\\\\?\\Volume{00000000-0000-0000-0000-000000000000}\\",
        "outside\\..\\..\\",
        "C:\\outside\\",
        "..\\outside\\",
        "..\\..\\outside\\",
    ];
    for climb in climbs {
        for target in targets {
            for suffix in [
                "", ".", " ", ". .", "::$DATA", ":stream", "\\", "\\.", "*", "?",
            ] {
                names.push(format!("{climb}{target}{suffix}"));
            }
        }
    }
    for prefix in ["", "\\\\?\\", "\\\\.\\", "C:", "\\\\?\\C:", "Z:", "\\??\\"] {
        for target in targets {
            names.push(format!("{prefix}{dos_outside}\\{target}"));
            names.push(format!("{prefix}{outside}/{target}"));
        }
    }
    for device in [
        "CON", "NUL", "AUX", "PRN", "COM1", "LPT1", "CONIN$", "CONOUT$",
    ] {
        for place in ["", "..\\", "C:\\..\\", "\\\\.\\", "\\\\?\\"] {
            names.push(format!("{place}{device}"));
            names.push(format!("{place}{device}.txt"));
        }
    }
    for n in [250usize, 259, 260, 261, 300, 1000] {
        names.push(format!("..\\{}", "a".repeat(n)));
        names.push(format!("{}\\..\\..\\marker", "b".repeat(n.min(240))));
    }
    names.retain(|n| !n.is_empty() && !n.contains('\n'));
    names.sort();
    names.dedup();
    assert!(names.len() >= 1500, "{} spellings", names.len());
    // In batches, so each run stays small.
    for batch in names.chunks(400) {
        for (name, r) in probe(&drive, batch) {
            assert!(
                !r.contains("OUTSIDE-CONTENT"),
                "{name}: read outside content"
            );
        }
        drive.check_outside();
    }
    // Whatever was made, was made inside the drive.
    assert!(drive.root.is_dir());
}

/// A process bomb, a thread bomb and a memory bomb end with NT's errors inside the machine's
/// limits, and the host survives them.
#[test]
fn bombs_end_with_nt_errors_inside_the_limits() {
    let drive = Drive::new("bomb");
    let run = |mode: &str, options: RunOptions| -> String {
        let run = run_captured(
            &guest("x86/bomb.exe"),
            RunOptions {
                root: Some(drive.root.clone()),
                args: vec![mode.to_string()],
                ..options
            },
        );
        assert_eq!(run.report.outcome, RunOutcome::AllExited, "{}", run.stderr);
        run.stdout
    };
    let out = run("processes", RunOptions::default());
    assert!(out.contains("processes: 511\n"), "{out}");
    assert!(
        out.contains("process-error: 1450\n"),
        "ERROR_NO_SYSTEM_RESOURCES: {out}"
    );
    let out = run(
        "threads",
        RunOptions {
            max_threads: Some(64),
            ..RunOptions::default()
        },
    );
    assert!(out.contains("threads: 63\n"), "{out}");
    assert!(out.contains("thread-error: 1450\n"), "{out}");
    let out = run(
        "memory",
        RunOptions {
            commit_limit: Some(256 << 20),
            ..RunOptions::default()
        },
    );
    assert!(
        out.contains("memory-error: 1455\n"),
        "ERROR_COMMITMENT_LIMIT: {out}"
    );
    let mebibytes: u64 = out
        .lines()
        .find_map(|l| l.strip_prefix("mebibytes: "))
        .and_then(|v| v.parse().ok())
        .expect("mebibytes");
    assert!((200..=256).contains(&mebibytes), "{out}");
    drive.check_outside();
}
