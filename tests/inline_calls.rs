//! Builtin calls served inside the CPU's run loop (`win32::inline`) against the same calls
//! made the full way (`RunOptions::full_calls`): the same output, exit code and guest
//! instruction count on both CPUs, for guests that make the inline-capable calls (the heap,
//! the thread ids and last error, the C runtime's memory and string functions) and fail
//! some of them.

mod common;

use common::{guest, run_captured};
use ntemu::RunOptions;

/// Runs `name` both ways; asserts the runs agree.
fn both_ways(name: &str, args: &[&str]) {
    let run = |full_calls: bool| {
        run_captured(
            &guest(name),
            RunOptions {
                args: args.iter().map(|a| a.to_string()).collect(),
                full_calls,
                virtual_time: true,
                ..RunOptions::default()
            },
        )
    };
    let (inline, full) = (run(false), run(true));
    assert_eq!(inline.stdout, full.stdout, "{name}: {}", inline.stderr);
    assert_eq!(inline.stderr, full.stderr, "{name}");
    assert_eq!(inline.report.exit_code, full.report.exit_code, "{name}");
    assert_eq!(
        inline.report.stats.instructions, full.report.stats.instructions,
        "{name}: guest instructions retired"
    );
    assert!(!inline.stdout.is_empty(), "{name} printed nothing");
}

#[test]
fn x86_heap_calls_agree_served_inside_the_cpu_or_not() {
    both_ways("x86/heapapi.exe", &[]);
    both_ways("x86/heapbench.exe", &["1000"]);
}

#[test]
fn x86_thread_ids_and_last_errors_agree_served_inside_the_cpu_or_not() {
    both_ways("x86/k32more.exe", &[]);
    both_ways("x86/calls.exe", &["1000"]);
}

#[test]
fn x86_c_runtime_memory_and_strings_agree_served_inside_the_cpu_or_not() {
    both_ways("x86/crtlib.exe", &[]);
}

#[test]
fn alpha_calls_agree_served_inside_the_cpu_or_not() {
    both_ways("alpha/k32more.exe", &[]);
    both_ways("alpha/crt.exe", &[]);
    both_ways("alpha/threads.exe", &[]);
}
