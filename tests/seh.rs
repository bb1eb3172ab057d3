//! Structured exception handling end to end: guest programs of both architectures catch an
//! access violation and an integer divide by zero and continue, unwind with RtlUnwind, and
//! end with the exception code as exit status when nothing handles the last exception. The
//! expected files say where their expectations come from.

mod common;

use common::{corpus, expected, guest, run_captured};
use ntemu::image::ImportSymbol;
use ntemu::kernel::RunOutcome;
use ntemu::memory::GuestMemory;
use ntemu::{Emulator, RunOptions};

/// Runs `image` with `args` for at most `limit` guest instructions: (outcome, exit code,
/// stdout, stderr).
fn run_limited(image: &str, args: &[&str], limit: u64) -> (RunOutcome, u32, String, String) {
    let run = run_captured(
        &guest(image),
        RunOptions {
            args: args.iter().map(|a| a.to_string()).collect(),
            instruction_limit: Some(limit),
            ..RunOptions::default()
        },
    );
    (
        run.report.outcome,
        run.report.exit_code,
        run.stdout,
        run.stderr,
    )
}

/// Runs `image` with `args` to its end: (exit code, stdout, stderr).
fn run(image: &str, args: &[&str]) -> (u32, String, String) {
    let (outcome, code, out, err) = run_limited(image, args, 50_000_000);
    assert_eq!(outcome, RunOutcome::AllExited, "{image} did not finish");
    (code, out, err)
}

#[test]
fn a_handler_that_never_fixes_its_fault_is_a_guest_loop_not_a_host_hang() {
    let (outcome, _, out, err) = run_limited("x86/seh.exe", &["forever"], 40_000);
    assert_eq!(outcome, RunOutcome::LimitReached);
    assert_eq!(out, "");
    assert!(!err.contains("unhandled exception"), "{err}");
}

#[test]
fn x86_handlers_catch_faults_nest_unwind_and_the_last_fault_ends_the_process() {
    let (code, out, err) = run("x86/seh.exe", &[]);
    assert_eq!(out, expected("expected/seh.expected"));
    assert_eq!(code, 0xC000_0005);
    assert!(
        err.contains("unhandled exception 0xc0000005 (access violation: Write at 0x00000000)"),
        "{err}"
    );
    assert!(err.contains("(mov)"), "{err}");
}

#[test]
fn x86_top_level_filter_executing_the_handler_ends_with_the_code_silently() {
    let (code, out, err) = run("x86/seh.exe", &["filter"]);
    assert_eq!(out, "previous-filter: 0\nfilter: code=0xc0000094\n");
    assert_eq!(code, 0xC000_0094);
    assert!(!err.contains("unhandled exception"), "{err}");
}

#[test]
fn x86_top_level_filter_can_continue_execution_with_a_changed_context() {
    let (code, out, _) = run("x86/seh.exe", &["resume"]);
    assert_eq!(out, "filter: code=0xc0000094\nresumed-eax: 77\n");
    assert_eq!(code, 0);
}

#[test]
fn alpha_pdata_handlers_catch_faults_and_the_last_one_ends_the_process() {
    let (code, out, err) = run("alpha/seh.exe", &[]);
    assert_eq!(out, expected("expected/alpha-seh.expected"));
    assert_eq!(code, 0xC000_0005);
    assert!(err.contains("unhandled exception 0xc0000005"), "{err}");
    // The line names the faulting instruction (it was "instruction unreadable" for Alpha).
    assert!(err.contains("(ldl t2,0(zero))"), "{err}");
}

#[test]
fn alpha_rtl_unwind_calls_unwind_handlers_and_resumes_in_the_target_frame() {
    let (code, out, err) = run("alpha/sehunwind.exe", &[]);
    assert_eq!(out, expected("expected/alpha-sehunwind.expected"));
    assert_eq!(code, 0x8000_0003);
    assert!(
        err.contains("unhandled exception 0x80000003 (BREAKPOINT)"),
        "{err}"
    );
    // The instruction named is the breakpoint itself, not the one after it.
    assert!(err.contains(" bpt"), "{err}");
}

#[test]
fn unhandled_faults_keep_their_status_and_line() {
    let (code, out, err) = run("x86/av.exe", &[]);
    assert_eq!((code, out.as_str()), (0xC000_0005, "before\n"));
    assert!(err.contains("unhandled exception 0xc0000005"), "{err}");
    let (code, out, err) = run("x86/divzero.exe", &[]);
    assert_eq!((code, out.as_str()), (0xC000_0094, "before\n"));
    assert!(
        err.contains("unhandled exception 0xc0000094 (INTEGER_DIVIDE_BY_ZERO)"),
        "{err}"
    );
}

#[test]
fn unhandled_exception_filter_prints_the_line_and_executes_the_handler() {
    let (code, out, err) = run("x86/seh.exe", &["crt"]);
    assert_eq!(out, "verdict: 1\n");
    assert_eq!(code, 0xC000_0005);
    assert!(
        err.contains("unhandled exception 0xc0000005 (access violation: Write at 0x00000000)"),
        "{err}"
    );
}

#[test]
fn unhandled_exception_filter_asks_the_top_level_filter_first() {
    let (code, out, err) = run("x86/seh.exe", &["crt-filter"]);
    assert_eq!(out, "filter: code=0xc0000005\nverdict: 1\n");
    assert_eq!(code, 0xC000_0005);
    assert!(!err.contains("unhandled exception"), "{err}");
}

/// A real MSVC-built program whose C runtime start-up faults inside its
/// `__try { ... main() } __except(_XcptFilter(...)) { _exit(code) }`: its IAT slot of
/// GetCommandLineA (called inside the __try) is pointed at unmapped address 0x10, so the call
/// faults. The CRT's own handler (x86 _except_handler3, Alpha __C_specific_handler) calls the
/// filter, which calls UnhandledExceptionFilter (the line on stderr, EXCEPTION_EXECUTE_HANDLER),
/// then unwinds with RtlUnwind and runs the __except block, which ends the process with the
/// exception code.
fn crt_except_block_ends_the_process_with_the_code(rel: &str) {
    let Some(path) = corpus(rel) else {
        return;
    };
    let mut emulator = Emulator::builder()
        .options(RunOptions {
            relay: Some(ntemu::win32::relay::RelayChannels::all()),
            instruction_limit: Some(50_000_000),
            ..RunOptions::default()
        })
        .capture_output()
        .build();
    let pid = emulator.load(&path, &[]).expect("load");
    let symbol = ImportSymbol::Name {
        hint: 0,
        name: "GetCommandLineA".to_string(),
    };
    let thunk = emulator
        .win32()
        .builtins()
        .address_of("KERNEL32.dll", &symbol)
        .expect("GetCommandLineA is a builtin");
    let process = emulator.machine_mut().process_mut(pid).expect("process");
    let image = process.image().expect("image").clone();
    let space = process.address_space_mut();
    let slots: Vec<u32> = (image.base..image.base + image.size)
        .step_by(4)
        .filter(|&a| space.read_u32(a) == Ok(thunk))
        .collect();
    assert_eq!(slots.len(), 1, "{rel}: one IAT slot of GetCommandLineA");
    space
        .kernel_write(slots[0], &0x10u32.to_le_bytes())
        .expect("the IAT slot is committed");
    emulator.run().expect("run");
    assert_eq!(emulator.exit_code(pid), Some(0xC000_0005), "{rel}");
    let err = String::from_utf8_lossy(&emulator.stderr()).into_owned();
    assert_eq!(
        err.matches("unhandled exception 0xc0000005").count(),
        1,
        "{rel}: {err}"
    );
    assert!(
        err.contains("Call KERNEL32.UnhandledExceptionFilter(")
            && err.contains("Ret  KERNEL32.UnhandledExceptionFilter() retval=00000001"),
        "{rel}: {err}"
    );
    assert!(err.contains("Call KERNEL32.RtlUnwind("), "{rel}: {err}");
    assert!(
        err.contains("Call KERNEL32.ExitProcess(c0000005) ret="),
        "{rel}: {err}"
    );
}

#[test]
fn x86_msvc_crt_except_block_handles_a_fault_in_start_up() {
    crt_except_block_ends_the_process_with_the_code("x86/ntvi.exe");
}

#[test]
fn alpha_msvc_crt_except_block_handles_a_fault_in_start_up() {
    crt_except_block_ends_the_process_with_the_code("alpha/ntvi.exe");
}

#[test]
fn continuing_a_noncontinuable_exception_raises_status_noncontinuable_exception() {
    let (code, out, _) = run("x86/seh.exe", &["noncontinuable"]);
    assert_eq!(out, "nested: code=0xc0000025 flags=1 chained=0xe0000002\n");
    assert_eq!(code, 0x25);
}

/// RtlUnwindRfp names its target by the real frame pointer: the frame whose virtual frame
/// pointer has that value (the callee's) is passed, not stopped at; RtlLookupFunctionEntry
/// answers the .pdata entry of a pc.
#[test]
fn alpha_rtl_unwind_rfp_targets_the_real_frame_and_function_entries_are_found() {
    let (code, out, err) = run("alpha/unwindrfp.exe", &[]);
    assert_eq!(out, expected("expected/alpha-unwindrfp.expected"), "{err}");
    assert_eq!(code, 0);
}
