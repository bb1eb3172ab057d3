//! tests/guests/src/tlsmain.c and tlsdll.c (x86): static TLS of the program (index 0) and
//! of a DLL it imports (index 1), each thread its own copy of both templates, written by
//! two threads; the DLL's TLS callback called before its DllMain for PROCESS_ATTACH,
//! THREAD_ATTACH, THREAD_DETACH and PROCESS_DETACH, and NT 4.0's rule that a DLL loaded by LoadLibrary gets no TLS and no
//! TLS callbacks. The expected output is checked against Wine's.

mod common;

use common::{agrees_with_wine, expected, guest, run_captured};
use ntemu::RunOptions;

#[test]
fn x86_program_and_dll_static_tls_and_tls_callbacks_in_nt_order() {
    let run = run_captured(&guest("x86/tlsmain.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/tlsmain.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn dll_tls_expected_output_agrees_with_wine_but_for_nt4s_dynamic_loads() {
    agrees_with_wine("expected/tlsmain.expected", "expected/tlsmain.wine");
}
