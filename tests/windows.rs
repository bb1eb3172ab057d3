//! The window manager (crates/win32k under USER32): classes, NT's creation and destruction
//! message order, window longs and text, the window tree, posted and sent messages (also
//! between threads, with the sender handling a message sent back while it waits), timers.
//! tests/guests/src/wndmsg.c logs what its window procedures get; the log is checked line by
//! line against Wine's (recorded under Xvfb by tests/guests/run-wine.sh).

mod common;

use common::{agrees_with_wine, expected, guest, run_captured};
use ntemu::RunOptions;

#[test]
fn windows_get_their_messages_in_nt_order_and_queues_deliver_them() {
    let run = run_captured(&guest("x86/wndmsg.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/wndmsg.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn the_window_log_agrees_with_wine_but_for_nt_4_error_codes() {
    agrees_with_wine("expected/wndmsg.expected", "expected/wndmsg.wine");
}

/// The same machinery with an Alpha window procedure (tests/guests/src/alpha/wndalpha.s):
/// creation messages, SendMessageA's answer, a posted message and a timer dispatched,
/// DefWindowProcA keeping the title, destruction.
#[test]
fn an_alpha_window_procedure_gets_its_messages() {
    let run = run_captured(&guest("alpha/wndalpha.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/wndalpha.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}
