//! Directory change notifications, through tests/guests/src/dirwatch.c:
//! FindFirstChangeNotification's errors, watches signalled by new and deleted files, by a
//! file made in a subdirectory (subtree watches), by attribute (even unchanged ones), size
//! and directory changes, reset by FindNextChangeNotification, and a watched directory's
//! removal completing its watch; GetDiskFreeSpace of the current drive's root and
//! GetVolumeNameForVolumeMountPoint. The program works in a scratch drive C:. Expected output is
//! NT 4.0's, checked against Wine's recorded output line by line but for the listed
//! differences.

mod common;

use common::{Scratch, agrees_with_wine, expected, run_to_end};
use ntemu::RunOptions;

#[test]
fn x86_change_notifications_behave_as_on_nt4() {
    let root = Scratch::new("dirwatch");
    let options = RunOptions {
        root: Some(root.path().to_path_buf()),
        ..RunOptions::default()
    };
    let (code, stdout, stderr) = run_to_end("x86/dirwatch.exe", options);
    assert_eq!(stdout, expected("expected/dirwatch.expected"), "{stderr}");
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !root.path().join("watchdir").exists(),
        "the program cleans up"
    );
}

#[test]
fn dirwatch_expectations_agree_with_wine() {
    agrees_with_wine("expected/dirwatch.expected", "expected/dirwatch.wine");
}
