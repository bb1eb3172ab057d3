//! Code in data pages and the protections of an image's pages, through
//! tests/guests/src/codepages.c. NT 4.0 has no non-executable pages (DEP came with XP SP2):
//! code runs from read-write, read-only and heap memory, an execute-only page reads, code
//! rewritten in place runs as rewritten, and a guard page on a code page raises one
//! STATUS_GUARD_PAGE_VIOLATION before the code runs (the DEP-off cases of Wine's
//! kernel32/tests/virtual.c test_atl_thunk_emulation). Write access to an image page is
//! copy-on-write access until the page is written, and MEM_COMMIT on an image view fails
//! with ERROR_ACCESS_DENIED (STATUS_ALREADY_COMMITTED), as virtual.c's test_mapping checks
//! for SEC_IMAGE views. Wine 8.0 is no oracle for the first part: it runs programs with
//! DEP, and this one stops at its first call into a read-write page.

mod common;

use common::{expected, run_to_end};
use ntemu::RunOptions;

#[test]
fn x86_code_pages_behave_as_on_nt4() {
    let (code, stdout, stderr) = run_to_end("x86/codepages.exe", RunOptions::default());
    assert_eq!(stdout, expected("expected/codepages.expected"), "{stderr}");
    assert_eq!(code, 0, "{stderr}");
}
