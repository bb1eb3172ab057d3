//! Resources of a program's own image through KERNEL32 and USER32: tests/guests/src/res.c
//! (resources in res.rc) loads strings, finds its bitmap and checks its header and size,
//! finds named, numbered and per-language resources with NT 4.0's error codes, and
//! enumerates types, names and languages through guest callbacks (nested as well).

mod common;

use common::{expected, guest, run_captured};
use ntemu::RunOptions;

#[test]
fn x86_program_reads_its_own_resources_as_on_nt4() {
    let run = run_captured(&guest("x86/res.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/res.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn the_bitmap_the_program_found_is_the_one_it_was_built_with() {
    // res.bmp less its 14-byte file header is the resource: res.exe reports that size and
    // the header's fields.
    let bmp = std::fs::read(guest("src/res.bmp")).expect("res.bmp");
    let out = expected("expected/res.expected");
    assert!(
        out.contains(&format!("bitmap_size: {}\n", bmp.len() - 14)),
        "{out}"
    );
    let width = u32::from_le_bytes([bmp[18], bmp[19], bmp[20], bmp[21]]);
    assert!(out.contains(&format!("bitmap_width: {width}\n")), "{out}");
}
