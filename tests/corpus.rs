//! The real NT programs in ../shared/corpus/ (skipped with a message when it is absent).

use std::path::PathBuf;
use std::time::Duration;

use ntemu::kernel::RunOutcome;
use ntemu::win32::HostIo;
use ntemu::{RunOptions, parse_clock, run_image};

fn corpus(rel: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(rel);
    if path.is_file() {
        Some(path)
    } else {
        eprintln!("skipping: {} is absent", path.display());
        None
    }
}

/// aclock with a virtual clock started at 23:59:50 and 3 s of guest time: the screen shows
/// the digital time 23:59:52 or 23:59:53, the face's twelve hour marks and the title.
fn aclock_draws_the_clock_of_a_virtual_time(rel: &str) {
    let Some(path) = corpus(rel) else {
        return;
    };
    let (io, _, _) = HostIo::buffers();
    let options = RunOptions {
        io: Some(io),
        clock_start_ms: Some(parse_clock("1999-12-31T23:59:50").unwrap()),
        run_for: Some(Duration::from_secs(3)),
        ..RunOptions::default()
    };
    let report = run_image(&path, options).expect("run");
    assert_eq!(report.outcome, RunOutcome::TimeReached);
    assert!(
        report.screen.contains("[23:59:52]") || report.screen.contains("[23:59:53]"),
        "{}",
        report.screen
    );
    assert!(report.screen.contains(":ACLOCK:"), "{}", report.screen);
    // The clock face: twelve hour marks drawn as 'o'.
    assert_eq!(report.screen.matches('o').count(), 12, "{}", report.screen);
    assert!(!report.console_title.is_empty());
}

#[test]
fn x86_aclock_draws_the_clock_of_a_virtual_time() {
    aclock_draws_the_clock_of_a_virtual_time("x86/aclock.exe");
}

#[test]
fn alpha_aclock_draws_the_clock_of_a_virtual_time() {
    aclock_draws_the_clock_of_a_virtual_time("alpha/aclock.exe");
}
