//! Mailslots and GetOverlappedResult, through tests/guests/src/mailslot.c: CreateMailslot and
//! its errors, clients by CreateFile, whole messages written and read (a buffer too small, the
//! read timeout), GetMailslotInfo and SetMailslotInfo, GetFileType of a mailslot; and
//! GetOverlappedResult of an OVERLAPPED still pending whose event is set. Expected output is
//! NT 4.0's, checked against Wine's recorded output line by line but for the listed
//! differences.

mod common;

use common::{agrees_with_wine, expected, run_to_end};
use ntemu::RunOptions;

#[test]
fn x86_mailslots_behave_as_on_nt4() {
    let (code, stdout, stderr) = run_to_end("x86/mailslot.exe", RunOptions::default());
    assert_eq!(stdout, expected("expected/mailslot.expected"), "{stderr}");
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn mailslot_expectations_agree_with_wine() {
    agrees_with_wine("expected/mailslot.expected", "expected/mailslot.wine");
}
