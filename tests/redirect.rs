//! tests/guests/src/redirect.c (x86): a standard output the host redirected to a file is that
//! file's, as NT writes a redirected handle's bytes: WriteFile's lines leave the console's
//! screen buffer (and its cursor) alone; on the console they move its cursor.

mod common;

use common::{guest, run_captured};
use ntemu::RunOptions;
use ntemu::kernel32::{FILE_TYPE_CHAR, FILE_TYPE_DISK, StdFileTypes};

fn report(types: Option<StdFileTypes>) -> Vec<String> {
    let run = run_captured(
        &guest("x86/redirect.exe"),
        RunOptions {
            std_file_types: types,
            ..RunOptions::default()
        },
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    run.stdout
        .lines()
        .filter(|l| l.contains(':'))
        .map(str::to_string)
        .collect()
}

#[test]
fn console_output_moves_the_console_cursor() {
    assert_eq!(
        report(None),
        [
            "standard output type: 2",
            "buffer rows: 25",
            "cursor column: 0",
            "cursor row: 24"
        ]
    );
}

#[test]
fn redirected_output_leaves_the_console_alone() {
    let types = StdFileTypes([FILE_TYPE_CHAR, FILE_TYPE_DISK, FILE_TYPE_DISK]);
    assert_eq!(
        report(Some(types)),
        [
            "standard output type: 1",
            "buffer rows: 25",
            "cursor column: 0",
            "cursor row: 0"
        ]
    );
}
