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

/// The console functions' W forms and NT 4.0's other console exports
/// (tests/guests/src/conapi.c): input records of every kind written and read back, cooked
/// lines through ReadConsoleW, the W output functions, fonts, control events, the input
/// exe name, OpenConsoleW and VerifyConsoleIoHandle, with NT 4.0's results.
#[test]
fn console_w_functions_behave_as_on_nt() {
    let (code, out, err) = run_to_end(
        "x86/conapi.exe",
        RunOptions {
            virtual_time: true,
            ..RunOptions::default()
        },
    );
    assert_eq!(code, 0, "{err}");
    let want = expected("expected/conapi.expected");
    for (i, (got, want)) in out.lines().zip(want.lines()).enumerate() {
        assert_eq!(got, want, "conapi line {}", i + 1);
    }
    assert_eq!(out, want);
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

/// A console host for tests: the keys and control events it is given, shared with the test
/// (which rings the machine's host signal after adding some), and a size to report.
#[derive(Clone, Default)]
struct TestHost {
    keys: std::sync::Arc<parking_lot::Mutex<Vec<ntemu::kernel32::console::Key>>>,
    signals: std::sync::Arc<parking_lot::Mutex<Vec<CtrlEvent>>>,
    size: std::sync::Arc<parking_lot::Mutex<Option<(u16, u16)>>>,
    delivered: std::sync::Arc<parking_lot::Mutex<Vec<CtrlEvent>>>,
}

impl ConsoleHost for TestHost {
    fn present(&mut self, _console: &Console) {}
    fn poll_keys(&mut self) -> Vec<ntemu::kernel32::console::Key> {
        std::mem::take(&mut *self.keys.lock())
    }
    fn poll_ctrl_events(&mut self) -> Vec<CtrlEvent> {
        std::mem::take(&mut *self.signals.lock())
    }
    fn poll_resize(&mut self) -> Option<(u16, u16)> {
        self.size.lock().take()
    }
    fn ctrl_delivered(&mut self, event: CtrlEvent) {
        self.delivered.lock().push(event);
    }
}

use ntemu::kernel32::console::{Console, ConsoleHost, CtrlEvent};

/// A short stretch of guest time for a program that waits.
const SHORT: std::time::Duration = std::time::Duration::from_millis(200);

/// ctrlc.exe with `args`, on a small quantum, run until it printed "ready": (emulator,
/// process id, stdout, host).
fn ctrlc_ready(
    args: &[&str],
    quantum: u64,
) -> (ntemu::Emulator, u32, ntemu::win32::SharedBuffer, TestHost) {
    let (io, out, _) = HostIo::buffers();
    let options = RunOptions {
        io: Some(io),
        quantum: Some(quantum),
        ..RunOptions::default()
    };
    let mut emulator = ntemu::Emulator::new(&options);
    let host = TestHost::default();
    emulator
        .win32_mut()
        .set_console_host(Box::new(host.clone()));
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let pid = emulator.load(&guest("x86/ctrlc.exe"), &args).expect("load");
    for _ in 0..1000 {
        if String::from_utf8_lossy(&out.lock()).contains("ready") {
            break;
        }
        // A budget of instructions or of time: a sleeping program retires none.
        emulator
            .run_with(Some(quantum), Some(std::time::Duration::from_millis(20)))
            .expect("run");
    }
    assert!(String::from_utf8_lossy(&out.lock()).contains("ready"));
    (emulator, pid, out, host)
}

/// A Ctrl+C typed while the program computes without calling anything ends it (no
/// handler: STATUS_CONTROL_C_EXIT) within one quantum of the host's ring: the key is taken
/// between quanta, not at the program's next console call.
#[test]
fn ctrl_c_ends_a_spinning_program_within_a_quantum() {
    let quantum = 10_000;
    let (mut emulator, pid, _, host) = ctrlc_ready(&["spin"], quantum);
    // It spins for ever: without a key, a budget runs out.
    assert_eq!(
        emulator.run_instructions(20 * quantum).expect("run"),
        RunOutcome::LimitReached
    );
    host.keys.lock().extend(parse_key_script(b"\\x03").unwrap());
    emulator.host_signal().ring();
    let before = emulator.stats().instructions;
    assert_eq!(
        emulator.run_instructions(100 * quantum).expect("run"),
        RunOutcome::AllExited
    );
    let spent = emulator.stats().instructions - before;
    assert!(spent <= 2 * quantum, "{spent} instructions after the ring");
    assert_eq!(emulator.exit_code(pid), Some(0xC000_013A));
    assert_eq!(*host.delivered.lock(), vec![CtrlEvent::C]);
}

/// A program asleep (Sleep of 10 s) or waiting (10 s timeouts) gets the Ctrl+C at once:
/// the ring wakes the sleeping machine.
#[test]
fn ctrl_c_ends_a_sleeping_or_waiting_program_at_once() {
    for what in ["sleep", "wait"] {
        let (mut emulator, pid, _, host) = ctrlc_ready(&[what], 100_000);
        let signal = emulator.host_signal();
        let keys = host.keys.clone();
        let typist = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            keys.lock().extend(parse_key_script(b"\\x03").unwrap());
            signal.ring();
        });
        assert_eq!(
            emulator.run().expect("run"),
            RunOutcome::AllExited,
            "{what}"
        );
        assert_eq!(emulator.exit_code(pid), Some(0xC000_013A), "{what}");
        typist.join().unwrap();
    }
}

/// A HandlerRoutine gets CTRL_C_EVENT (0) and CTRL_BREAK_EVENT (1) on a thread of its own
/// and, returning TRUE, keeps the program going; SetConsoleCtrlHandler(NULL, TRUE) ignores
/// Ctrl+C but not Ctrl+Break, which ends a program without a handler. Ctrl+Break comes
/// from the keyboard (\k{Break}) or from the host as an event (a SIGINT is a Ctrl+C).
#[test]
fn handlers_get_ctrl_c_and_ctrl_break_and_null_ignores_only_ctrl_c() {
    let (mut emulator, pid, out, host) = ctrlc_ready(&["spin", "handler"], 10_000);
    host.keys
        .lock()
        .extend(parse_key_script(b"\\x03\\k{Break}").unwrap());
    emulator.host_signal().ring();
    emulator.run_instructions(200_000).expect("run");
    host.signals.lock().push(CtrlEvent::C);
    emulator.host_signal().ring();
    assert_eq!(
        emulator.run_instructions(200_000).expect("run"),
        RunOutcome::LimitReached
    );
    assert_eq!(
        String::from_utf8_lossy(&out.lock()),
        "ready\nctrl: 0\nctrl: 1\nctrl: 0\n"
    );
    assert_eq!(emulator.exit_code(pid), Some(ntemu::STILL_ACTIVE));

    let (mut emulator, pid, _, host) = ctrlc_ready(&["sleep", "ignore"], 10_000);
    host.keys.lock().extend(parse_key_script(b"\\x03").unwrap());
    emulator.host_signal().ring();
    assert_eq!(
        emulator.run_for(SHORT).expect("run"),
        RunOutcome::TimeReached
    );
    assert_eq!(emulator.exit_code(pid), Some(ntemu::STILL_ACTIVE));
    host.keys
        .lock()
        .extend(parse_key_script(b"\\k{Break}").unwrap());
    emulator.host_signal().ring();
    assert_eq!(emulator.run().expect("run"), RunOutcome::AllExited);
    assert_eq!(emulator.exit_code(pid), Some(0xC000_013A));
}

/// With processed input off, Ctrl+C is a key like any other (character 3); a program that
/// asked for window input gets a WINDOW_BUFFER_SIZE_EVENT with the new size when the host's
/// window changes size, and its buffer follows.
#[test]
fn raw_input_gets_ctrl_c_as_a_key_and_window_size_events() {
    let (mut emulator, pid, out, host) = ctrlc_ready(&["raw"], 10_000);
    emulator.run_for(SHORT).expect("run");
    host.keys
        .lock()
        .extend(parse_key_script(b"a\\x03").unwrap());
    *host.size.lock() = Some((100, 30));
    emulator.host_signal().ring();
    emulator.run_for(SHORT).expect("run");
    host.keys.lock().extend(parse_key_script(b"q").unwrap());
    emulator.host_signal().ring();
    assert_eq!(emulator.run().expect("run"), RunOutcome::AllExited);
    assert_eq!(emulator.exit_code(pid), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.lock()),
        "ready\nsize 100x30\nkey 97\nkey 3\n"
    );
    assert!(host.delivered.lock().is_empty());
    let console = emulator.win32().console().expect("console");
    assert_eq!(
        (console.buffers[0].width, console.buffers[0].height),
        (100, 30)
    );
}

/// A program that did not ask for window input keeps its buffer's size when the host's
/// window changes (as NT 4.0 did): only the window onto it follows, as far as it can.
#[test]
fn without_window_input_only_the_window_follows_the_host() {
    let (mut emulator, _, _, host) = ctrlc_ready(&["sleep"], 10_000);
    *host.size.lock() = Some((60, 20));
    emulator.host_signal().ring();
    emulator.run_for(SHORT).expect("run");
    let b = &emulator.win32().console().expect("console").buffers[0];
    assert_eq!((b.width, b.height), (80, 25));
    assert_eq!((b.window.width(), b.window.height()), (60, 20));
    *host.size.lock() = Some((120, 50));
    emulator.host_signal().ring();
    emulator.run_for(SHORT).expect("run");
    let b = &emulator.win32().console().expect("console").buffers[0];
    assert_eq!((b.width, b.height), (80, 25));
    assert_eq!(b.window, b.bounds());
}
