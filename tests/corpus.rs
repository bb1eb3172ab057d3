//! The real NT programs in ../shared/corpus/ (skipped with a message when it is absent).

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Scratch, corpus, run_captured};
use ntemu::kernel::RunOutcome;
use ntemu::kernel32::console::{Key, parse_key_script};
use ntemu::{RunOptions, parse_clock};

/// aclock with a virtual clock started at 23:59:50 and 3 s of guest time: the screen shows
/// the digital time 23:59:52 or 23:59:53, the face's twelve hour marks and the title.
fn aclock_draws_the_clock_of_a_virtual_time(rel: &str, title: &str) {
    let Some(path) = corpus(rel) else {
        return;
    };
    let report = run_captured(
        &path,
        RunOptions {
            clock_start_ms: Some(parse_clock("1999-12-31T23:59:50").unwrap()),
            run_for: Some(Duration::from_secs(3)),
            ..RunOptions::default()
        },
    )
    .report;
    assert_eq!(report.outcome, RunOutcome::TimeReached);
    assert!(
        report.screen.contains("[23:59:52]") || report.screen.contains("[23:59:53]"),
        "{}",
        report.screen
    );
    assert!(report.screen.contains(":ACLOCK:"), "{}", report.screen);
    // The clock face: twelve hour marks drawn as 'o'.
    assert_eq!(report.screen.matches('o').count(), 12, "{}", report.screen);
    // The two builds are different releases of aclock (2.2 of 2010 for x86, 1.9 of 2004
    // for Alpha: the title says so), which draw their faces one column apart and the
    // digital time two rows apart; each is checked against the time it shows.
    assert_eq!(report.console_title, title);
    // The hands: at 23:59:52-53 the hour and minute hands point (nearly) straight up and
    // the second hand to the 52nd-53rd minute mark, 222-228 degrees clockwise from 3 o'clock.
    // The minute hand, drawn after it, covers most of the hour hand.
    assert_hand_points_at(&report.screen, 'h', &[264.0, 270.0], 1);
    assert_hand_points_at(&report.screen, 'm', &[264.0], 4);
    assert_hand_points_at(&report.screen, '.', &[222.0, 228.0], 4);
}

/// Checks that every cell of hand `hand` (inside the face, away from the text rows) lies in
/// one of the `directions` (degrees clockwise from 3 o'clock, the screen's y growing down;
/// a cell is two columns wide per row, as aclock draws) within the rounding a character
/// grid allows, and that at least `at_least` of them show.
fn assert_hand_points_at(screen: &str, hand: char, directions: &[f64], at_least: usize) {
    let rows: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let marks: Vec<(f64, f64)> = rows
        .iter()
        .enumerate()
        .flat_map(|(y, r)| {
            r.iter()
                .enumerate()
                .filter(|(_, c)| **c == 'o')
                .map(move |(x, _)| (x as f64, y as f64))
        })
        .collect();
    let extent = |f: fn(&(f64, f64)) -> f64| {
        let v: Vec<f64> = marks.iter().map(f).collect();
        (
            v.iter().cloned().fold(f64::MAX, f64::min),
            v.iter().cloned().fold(f64::MIN, f64::max),
        )
    };
    let ((x0, x1), (y0, y1)) = (extent(|p| p.0), extent(|p| p.1));
    let (cx, cy, radius) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0, (y1 - y0) / 2.0);
    let mut seen = 0;
    for (y, row) in rows.iter().enumerate() {
        let line: String = row.iter().collect();
        if line.contains("ACLOCK") || line.contains('[') {
            continue;
        }
        for (x, &c) in row.iter().enumerate() {
            let (dx, dy) = ((x as f64 - cx) / 2.0, y as f64 - cy);
            let distance = dx.hypot(dy);
            if c != hand || distance < 2.0 || distance > 0.8 * radius {
                continue;
            }
            let angle = dy.atan2(dx).to_degrees().rem_euclid(360.0);
            let off = directions
                .iter()
                .map(|d| {
                    let e = (angle - d).rem_euclid(360.0);
                    e.min(360.0 - e)
                })
                .fold(f64::MAX, f64::min);
            assert!(
                off <= 16.0,
                "{hand:?} at ({x},{y}) points {angle:.0} degrees, not {directions:?}\n{screen}"
            );
            seen += 1;
        }
    }
    assert!(
        seen >= at_least,
        "hand {hand:?}: {seen} cells, not {at_least}\n{screen}"
    );
}

#[test]
fn x86_aclock_draws_the_clock_of_a_virtual_time() {
    aclock_draws_the_clock_of_a_virtual_time("x86/aclock.exe", "aclock 2.2 (Win32)");
}

#[test]
fn alpha_aclock_draws_the_clock_of_a_virtual_time() {
    aclock_draws_the_clock_of_a_virtual_time("alpha/aclock.exe", "aclock 1.9 (Win32)");
}

/// Runs ntvi (`path`) on `file` holding `text` in a fresh drive C:, typing `keys`; checks
/// that the editor ends on its own with status 0 and returns what the file holds then.
fn ntvi_edit(path: &Path, text: &str, keys: Vec<Key>) -> Vec<u8> {
    let root = Scratch::new("ntvi");
    // The folder the environment's TEMP and TMP name, as on an NT drive C: (Open Watcom vi
    // keeps its lock and work files there).
    std::fs::create_dir(root.path().join("TEMP")).unwrap();
    std::fs::write(root.path().join("file.txt"), text).unwrap();
    let run = run_captured(
        path,
        RunOptions {
            root: Some(root.path().to_path_buf()),
            args: vec!["file.txt".into()],
            keys,
            virtual_time: true,
            instruction_limit: Some(4_000_000_000),
            ..RunOptions::default()
        },
    );
    let name = path.display();
    assert_eq!(
        run.report.outcome,
        RunOutcome::AllExited,
        "{name}: {}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{name}: {}", run.stderr);
    std::fs::read(root.path().join("file.txt")).unwrap()
}

/// ntvi edits a file under the sandboxed drive from typed keys: `O` opens a line above the
/// first, the text goes in, Esc, `:wq` and Enter write the file and end the editor.
fn ntvi_inserts_a_line_and_writes_the_file(rel: &str) {
    let Some(path) = corpus(rel) else {
        return;
    };
    let keys = parse_key_script(b"Oinserted by ntemu\\e:wq\\r").unwrap();
    let text = ntvi_edit(&path, "hello\r\n", keys);
    assert_eq!(
        String::from_utf8_lossy(&text),
        "inserted by ntemu\r\nhello\r\n"
    );
}

#[test]
fn x86_ntvi_inserts_a_line_and_writes_the_file() {
    ntvi_inserts_a_line_and_writes_the_file("x86/ntvi.exe");
}

#[test]
fn alpha_ntvi_inserts_a_line_and_writes_the_file() {
    ntvi_inserts_a_line_and_writes_the_file("alpha/ntvi.exe");
}

/// Open Watcom vi edits a file the same way: the Alpha build once faulted in its heap walk
/// (its .bss, which has no file data, was filled from the file's first bytes).
fn owvi_inserts_a_line_and_writes_the_file(rel: &str) {
    let Some(path) = corpus(rel) else {
        return;
    };
    let keys = parse_key_script(b"Oinserted by ntemu\\e:wq\\r").unwrap();
    let text = ntvi_edit(&path, "hello\r\nworld\r\n", keys);
    assert_eq!(
        String::from_utf8_lossy(&text),
        "inserted by ntemu\r\nhello\r\nworld\r\n"
    );
}

#[test]
fn x86_owvi_inserts_a_line_and_writes_the_file() {
    owvi_inserts_a_line_and_writes_the_file("ntutils/owvi/vi-x86.exe");
}

#[test]
fn alpha_owvi_inserts_a_line_and_writes_the_file() {
    owvi_inserts_a_line_and_writes_the_file("ntutils/owvi/vi-axp.exe");
}

/// Runs elvis on `file.txt` holding `text` in a fresh drive C: that also holds the guest
/// programs `programs` (from tests/guests/x86/), typing `keys`; checks that the editor ends on
/// its own with status 0 and returns what the file holds then, line ends as LF.
fn elvis_edit(path: &Path, programs: &[&str], text: &str, keys: &[u8]) -> String {
    let root = Scratch::new("elvis");
    std::fs::create_dir(root.path().join("TEMP")).unwrap();
    std::fs::write(root.path().join("file.txt"), text).unwrap();
    for program in programs {
        std::fs::copy(
            common::guest(&format!("x86/{program}")),
            root.path().join(program),
        )
        .unwrap();
    }
    let run = run_captured(
        path,
        RunOptions {
            root: Some(root.path().to_path_buf()),
            args: vec!["file.txt".into()],
            keys: parse_key_script(keys).unwrap(),
            virtual_time: true,
            instruction_limit: Some(4_000_000_000),
            ..RunOptions::default()
        },
    );
    assert_eq!(run.report.outcome, RunOutcome::AllExited, "{}", run.stderr);
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    // elvis's filter input went through a delete-on-close file in TEMP: gone.
    assert_eq!(
        std::fs::read_dir(root.path().join("TEMP")).unwrap().count(),
        0
    );
    std::fs::read_to_string(root.path().join("file.txt"))
        .unwrap()
        .replace("\r\n", "\n")
}

/// elvis's `:r !cmd` reads a program's output into the file: CreatePipe, then CreateProcessA
/// with STARTF_USESTDHANDLES and the pipe's write end as the child's standard output, then
/// ReadFile of the pipe until ERROR_BROKEN_PIPE once the child has ended.
#[test]
fn elvis_reads_a_program_s_output_through_a_pipe() {
    let Some(path) = corpus("ntutils/elvis/elvis.exe") else {
        return;
    };
    let text = elvis_edit(&path, &["hello.exe"], "line one\n", b":r !hello\\r:wq\\r");
    assert_eq!(text, "line one\nHello from an NT program\n");
}

/// elvis's `:%!cmd` filters the text through a program: the lines go to the child's standard
/// input in an inheritable temporary file, its standard output comes back through a pipe.
#[test]
fn elvis_filters_the_text_through_a_program() {
    let Some(path) = corpus("ntutils/elvis/elvis.exe") else {
        return;
    };
    let text = elvis_edit(
        &path,
        &["readline.exe"],
        "alpha\nbeta\n",
        b":%!readline\\r:wq\\r",
    );
    assert_eq!(text, "read 11: a l p h a LF b e t a LF\nreads: 1\n");
}

/// The x86 and Alpha builds of ntvi are the same program: fed the same long run of
/// pseudo-random editing keys (motions, deletions, insertions, joins, case changes, undo,
/// put), they must leave byte-identical files. A difference points at a CPU, ABI or
/// console difference between the two sides of ntemu.
#[test]
fn ntvi_random_edits_agree_across_architectures() {
    let (Some(x86), Some(alpha)) = (corpus("x86/ntvi.exe"), corpus("alpha/ntvi.exe")) else {
        return;
    };
    // A fixed linear congruential sequence (the keys are data, not an oracle).
    let mut seed: u32 = 0x2468_ace1;
    let mut next = || {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        (seed >> 16) as usize
    };
    let commands = b"hjklxdwbiaoOAGgpPuyr0$^.J~";
    let text = b"abc XYZ";
    let mut script = Vec::new();
    for _ in 0..1500 {
        if next() % 10 < 7 {
            script.push(commands[next() % commands.len()]);
        } else {
            script.push(text[next() % text.len()]);
        }
    }
    script.extend_from_slice(b"\\e:wq\\r");
    let keys = parse_key_script(&script).unwrap();
    let original: String = (1..=60).map(|n| format!("line {n}\r\n")).collect();
    let results = [
        ntvi_edit(&x86, &original, keys.clone()),
        ntvi_edit(&alpha, &original, keys),
    ];
    assert_ne!(results[0], original.as_bytes(), "the keys edited nothing");
    assert_eq!(
        String::from_utf8_lossy(&results[0]),
        String::from_utf8_lossy(&results[1])
    );
}
