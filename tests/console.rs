//! The console: input records from typed keys, screen-buffer cells, rectangles, scrolling,
//! sizes, modes and control handlers, through a guest program (tests/guests/src/console.c)
//! and the embedding API.

mod common;

use common::{expected, guest, run_captured, run_to_end};
use ntemu::RunOptions;
use ntemu::kernel::RunOutcome;
use ntemu::kernel32::Kernel32Host;
use ntemu::kernel32::console::parse_key_script;
use ntemu::win32::HostIo;

#[test]
fn console_functions_behave_as_on_nt() {
    let (code, out, err) = run_to_end(
        "x86/console.exe",
        RunOptions {
            keys: parse_key_script(b"ab").unwrap(),
            virtual_time: true,
            ..RunOptions::default()
        },
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, expected("expected/console.expected"));
}

/// With no key queued, ReadConsoleInputA blocks: the run ends with every thread blocked,
/// not with a spin or a made-up key.
#[test]
fn reading_an_empty_input_queue_blocks() {
    let run = run_captured(
        &guest("x86/console.exe"),
        RunOptions {
            virtual_time: true,
            instruction_limit: Some(50_000_000),
            ..RunOptions::default()
        },
    );
    // The guest peeks 0 events, then its ReadConsoleInputA of two waits for ever.
    assert_eq!(run.report.outcome, RunOutcome::Blocked);
}

/// A machine with a virtual clock running the guest `image` (typed `keys` queued), its
/// output in memory: (machine, process id, stdout).
fn started(image: &str, keys: &[u8]) -> (ntemu::Emulator, u32, ntemu::win32::SharedBuffer) {
    let (io, out, _) = HostIo::buffers();
    let options = RunOptions {
        io: Some(io),
        virtual_time: true,
        keys: parse_key_script(keys).unwrap(),
        ..RunOptions::default()
    };
    let mut emulator = ntemu::Emulator::new(&options);
    let pid = emulator.load(&guest(image), &[]).expect("load");
    (emulator, pid, out)
}

/// A thread blocked in ReadConsoleInputA runs the call again when an embedder types keys:
/// it then gets them, and the program goes on to its end.
#[test]
fn keys_typed_later_wake_a_blocked_read() {
    let (mut emulator, _, out) = started("x86/console.exe", b"");
    assert_eq!(emulator.run().expect("run"), RunOutcome::Blocked);
    assert!(!String::from_utf8_lossy(&out.lock()).contains("read: "));
    emulator
        .win32_mut()
        .push_keys(&parse_key_script(b"xy").unwrap());
    assert_eq!(emulator.run().expect("run"), RunOutcome::AllExited);
    let text = String::from_utf8_lossy(&out.lock()).into_owned();
    assert!(text.contains("ReadConsoleInputA: ok\nread: 2\n"), "{text}");
    assert!(text.contains("events after read: 2\n"), "{text}");
}

/// With processed input (the default mode) Ctrl+C is not a key: a program with no control
/// handler ends with STATUS_CONTROL_C_EXIT.
#[test]
fn ctrl_c_without_a_handler_ends_the_process() {
    let (mut emulator, pid, _) = started("x86/console.exe", b"");
    assert_eq!(emulator.run().expect("run"), RunOutcome::Blocked);
    emulator
        .win32_mut()
        .push_keys(&parse_key_script(b"\\x03").unwrap());
    assert_eq!(emulator.run().expect("run"), RunOutcome::AllExited);
    assert_eq!(emulator.exit_code(pid), Some(0xC000_013A));
}

/// ReadFile on the console input is cooked: one line per read, ending in CR LF,
/// Backspace edits it, the typed text is echoed on the screen, and the end of the input
/// is a read of 0 bytes.
#[test]
fn console_reads_are_cooked_lines() {
    let (mut emulator, _, out) = started("x86/readline.exe", b"ab\\x08c\\rsecond\\rrest");
    // Everything typed so far is read; the unfinished "rest" waits for Enter or the end.
    assert_eq!(emulator.run().expect("run"), RunOutcome::Blocked);
    assert_eq!(
        String::from_utf8_lossy(&out.lock()),
        "read 4: a c CR LF\nread 8: s e c o n d CR LF\n"
    );
    emulator.win32_mut().close_input();
    assert_eq!(emulator.run().expect("run"), RunOutcome::AllExited);
    assert!(
        String::from_utf8_lossy(&out.lock()).ends_with("read 4: r e s t\nreads: 3\n"),
        "{}",
        String::from_utf8_lossy(&out.lock())
    );
    // The echo: the edited line as typed, then the next (the program's own output, to
    // the same console, follows the unfinished last line).
    let screen = emulator.screen();
    assert!(
        screen.starts_with("ac\nsecond\nrestread 4: a c"),
        "{screen}"
    );
}

/// Ctrl+C with control handlers: a thread of the process calls them newest first until one
/// returns TRUE (the program goes on); when every one returns FALSE the process ends with
/// STATUS_CONTROL_C_EXIT. `key` is how the program shows a typed x and y.
fn ctrl_c_calls_the_handlers_newest_first(image: &str, key: [&str; 2]) {
    let (mut emulator, pid, out) = started(image, b"");
    emulator
        .win32_mut()
        .push_keys(&parse_key_script(b"x\\x03").unwrap());
    assert_eq!(emulator.run().expect("run"), RunOutcome::Blocked);
    // The newest handler took the first Ctrl+C; the program reads keys again.
    let first = format!("{}\nb: 0\n", key[0]);
    assert_eq!(String::from_utf8_lossy(&out.lock()), first);
    emulator
        .win32_mut()
        .push_keys(&parse_key_script(b"y\\x03").unwrap());
    assert_eq!(emulator.run().expect("run"), RunOutcome::AllExited);
    assert_eq!(
        String::from_utf8_lossy(&out.lock()),
        format!("{first}{}\nb: 0\na: 0\n", key[1])
    );
    assert_eq!(emulator.exit_code(pid), Some(0xC000_013A));
}

#[test]
fn x86_ctrl_c_calls_the_handlers_newest_first() {
    ctrl_c_calls_the_handlers_newest_first("x86/ctrl.exe", ["key x", "key y"]);
}

#[test]
fn alpha_ctrl_c_calls_the_handlers_newest_first() {
    ctrl_c_calls_the_handlers_newest_first("alpha/ctrl.exe", ["key: 120", "key: 121"]);
}

/// The key script's named keys reach a guest as NT's key records: function keys, the
/// enhanced grey keys, Shift, Ctrl and Alt with their own key events, characters typed
/// with modifiers; a cooked ReadFile afterwards gets only the keys that type characters.
#[test]
fn named_keys_arrive_as_nt_key_records() {
    let script = br"\k{F1}\k{F12}\k{S-F5}\k{C-Home}\k{Up}\k{C-S-Left}\k{A-x}\k{Del}\k{PgDn}\k{C-a}\k{Esc}\k{S-Tab}q".to_vec();
    let cooked = br"a\k{F8}b\k{Left}\k{A-c}\k{S-d}\k{Ins}\k{C-A-e}\r";
    let (code, out, err) = run_to_end(
        "x86/keys.exe",
        RunOptions {
            keys: parse_key_script(&[script, cooked.to_vec()].concat()).unwrap(),
            virtual_time: true,
            ..RunOptions::default()
        },
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, expected("expected/keys.expected"));
}
