//! ReadDirectoryChangesW, through tests/guests/src/rdchanges.c: its errors (a bad filter, a
//! file's handle, a directory handle without FILE_LIST_DIRECTORY), a synchronous call waiting
//! for a file another thread makes, overlapped calls completing through an event (a new
//! directory's record; a buffer too small: TRUE with 0 bytes and STATUS_NOTIFY_ENUM_DIR), a
//! completion routine, and CancelIo and CloseHandle ending a waiting call. The program works
//! in a scratch drive C:. Expected output is NT 4.0's, checked against Wine's recorded output
//! line by line but for the listed differences.

mod common;

use common::{Scratch, agrees_with_wine, expected, run_to_end};
use ntemu::RunOptions;

#[test]
fn x86_directory_changes_are_read_as_on_nt4() {
    let root = Scratch::new("rdchanges");
    let options = RunOptions {
        root: Some(root.path().to_path_buf()),
        ..RunOptions::default()
    };
    let (code, stdout, stderr) = run_to_end("x86/rdchanges.exe", options);
    assert_eq!(stdout, expected("expected/rdchanges.expected"), "{stderr}");
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !root.path().join("rdcdir").exists(),
        "the program cleans up"
    );
}

#[test]
fn rdchanges_expectations_agree_with_wine() {
    agrees_with_wine("expected/rdchanges.expected", "expected/rdchanges.wine");
}
