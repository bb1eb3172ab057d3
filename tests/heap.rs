//! tests/guests/src/heapapi.c (x86): NT 4.0's heap through KERNEL32 and NTDLL (HeapCreate,
//! HeapAlloc, HeapReAlloc in place and moved, large blocks, HeapValidate, HeapWalk,
//! GetProcessHeaps), moveable memory (GlobalAlloc/LocalAlloc handles, locks, discarding),
//! NtQueryInformationProcess/Thread and NtQuerySystemInformation with their exact lengths,
//! GlobalMemoryStatus, the activation-context functions a static import gets, a call's own
//! tail checking (no room taken) and HeapSetInformation's low-fragmentation request.

mod common;

use common::{expected, guest, run_captured};
use ntemu::RunOptions;

#[test]
fn x86_heap_moveable_memory_and_information_classes_behave_as_on_nt4() {
    let run = run_captured(&guest("x86/heapapi.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/heapapi.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}
