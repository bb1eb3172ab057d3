//! How ntemu is interrupted, and how the terminal always comes back.
//!
//! Signals are read by a thread of signal-hook's iterator (its safe API: the crate's own
//! handler writes to a pipe, nothing else runs in signal context) and turned into requests
//! the machine serves between quanta, through its [`HostSignal`]:
//!
//! - SIGINT is a Ctrl+C for the console's processes (as Wine delivers it): their
//!   HandlerRoutines, or their end with STATUS_CONTROL_C_EXIT;
//! - a second Ctrl+C (typed or SIGINT) within a second of the last, or Ctrl+\ typed, ends
//!   ntemu itself as a program killed by SIGINT ends (status 130 in a shell);
//! - SIGTERM, SIGHUP and SIGQUIT end ntemu as those signals do, after the run stops;
//! - SIGWINCH and SIGCONT tell the terminal to take its new size or modes and redraw.
//!
//! Before ntemu dies of a signal, the terminal is restored (alternate screen left, modes,
//! cursor) and every held trace line written out. If the machine does not stop within
//! [`WATCHDOG`] of the request (a write to a stalled terminal, say), the signal thread
//! restores the terminal itself and ends ntemu.

use std::collections::VecDeque;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ntemu::HostSignal;
use ntemu::kernel32::console::CtrlEvent;
use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGWINCH};

/// How long a stop request waits for the machine before the terminal is restored from
/// another thread and ntemu ends anyway.
pub const WATCHDOG: Duration = Duration::from_secs(3);

/// Two Ctrl+Cs closer than this end ntemu itself.
pub const DOUBLE_CTRL_C: Duration = Duration::from_secs(1);

/// What the signal thread, the terminal's key reader and the machine's thread share.
pub struct Interrupts {
    doorbell: Arc<HostSignal>,
    sigints: AtomicU32,
    resized: AtomicBool,
    continued: AtomicBool,
    stop: AtomicI32,
    watching: AtomicBool,
    finishing: AtomicBool,
    last_ctrl_c: Mutex<Option<Instant>>,
}

impl Interrupts {
    /// Starts reading signals (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGCONT) on a
    /// thread of their own; requests ring `doorbell`. Should the handlers not install, the
    /// signals keep their default actions and only the keys (Ctrl+C, Ctrl+\) interrupt.
    pub fn install(doorbell: Arc<HostSignal>) -> Arc<Interrupts> {
        let interrupts = Arc::new(Interrupts {
            doorbell,
            sigints: AtomicU32::new(0),
            resized: AtomicBool::new(false),
            continued: AtomicBool::new(false),
            stop: AtomicI32::new(0),
            watching: AtomicBool::new(false),
            finishing: AtomicBool::new(false),
            last_ctrl_c: Mutex::new(None),
        });
        let Ok(mut signals) = signal_hook::iterator::Signals::new([
            SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGCONT,
        ]) else {
            return interrupts;
        };
        let shared = interrupts.clone();
        let _ = std::thread::Builder::new()
            .name("ntemu-signals".into())
            .spawn(move || {
                for signal in signals.forever() {
                    match signal {
                        SIGINT => {
                            shared.sigints.fetch_add(1, Ordering::AcqRel);
                            shared.doorbell.ring();
                        }
                        SIGWINCH => {
                            shared.resized.store(true, Ordering::Release);
                            shared.doorbell.ring();
                        }
                        SIGCONT => {
                            shared.continued.store(true, Ordering::Release);
                            shared.resized.store(true, Ordering::Release);
                            shared.doorbell.ring();
                        }
                        other => shared.request_stop(other),
                    }
                }
            });
        interrupts
    }

    /// The machine's doorbell.
    pub fn doorbell(&self) -> &Arc<HostSignal> {
        &self.doorbell
    }

    /// Asks the run to stop so that ntemu ends as if killed by `signal`, and watches that it
    /// does.
    pub fn request_stop(self: &Arc<Self>, signal: i32) {
        let _ = self
            .stop
            .compare_exchange(0, signal, Ordering::AcqRel, Ordering::Acquire);
        self.doorbell.ring();
        if self.watching.swap(true, Ordering::AcqRel) {
            return;
        }
        let watched = self.clone();
        let _ = std::thread::Builder::new()
            .name("ntemu-watchdog".into())
            .spawn(move || {
                let start = Instant::now();
                while start.elapsed() < WATCHDOG {
                    if watched.finishing.load(Ordering::Acquire) {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                // The machine did not stop: give the terminal back from here and end.
                emergency_restore();
                die_of(watched.stop_signal().unwrap_or(SIGINT));
            });
    }

    /// The signal ntemu is to end by, once a stop was requested.
    pub fn stop_signal(&self) -> Option<i32> {
        match self.stop.load(Ordering::Acquire) {
            0 => None,
            signal => Some(signal),
        }
    }

    /// The main thread is ending ntemu (after a stop, or normally): the watchdog stands
    /// down.
    pub fn finishing(&self) {
        self.finishing.store(true, Ordering::Release);
    }

    /// Ctrl+Cs that came as SIGINT since the last call.
    pub fn take_ctrl_events(&self) -> Vec<CtrlEvent> {
        let n = self.sigints.swap(0, Ordering::AcqRel);
        vec![CtrlEvent::C; n as usize]
    }

    /// A control event went to the console's processes: a Ctrl+C within a second of the
    /// last one ends ntemu itself.
    pub fn ctrl_delivered(self: &Arc<Self>, event: CtrlEvent) {
        if event != CtrlEvent::C {
            return;
        }
        let now = Instant::now();
        let again = self
            .last_ctrl_c
            .lock()
            .map(|mut last| {
                let again = last.is_some_and(|t| now.duration_since(t) < DOUBLE_CTRL_C);
                *last = Some(now);
                again
            })
            .unwrap_or(false);
        if again {
            self.request_stop(SIGINT);
        }
    }

    /// True once (per SIGWINCH or SIGCONT) when the terminal may have a new size.
    pub fn take_resized(&self) -> bool {
        self.resized.swap(false, Ordering::AcqRel)
    }

    /// True once per SIGCONT: ntemu was stopped and resumed, and the terminal's modes may
    /// have been changed meanwhile.
    pub fn take_continued(&self) -> bool {
        self.continued.swap(false, Ordering::AcqRel)
    }
}

/// Ends ntemu as a process killed by `signal` ends (the shell sees 128 + the signal's
/// number), or with that status if the signal cannot be raised.
pub fn die_of(signal: i32) -> ! {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    let _ = signal_hook::low_level::emulate_default_handler(signal);
    std::process::exit(128 + signal)
}

/// The name of a signal ntemu ends by, for its last message.
pub fn signal_name(signal: i32) -> &'static str {
    signal_hook::low_level::signal_name(signal).unwrap_or("a signal")
}

/// Trace lines and guest stderr bound for the terminal ntemu draws on: written at once
/// while the program's output streams on the normal screen, held while the console is
/// drawn full-screen (and written when the terminal is back). At most [`MAX_HELD`] bytes
/// are held: beyond, the oldest go (`--trace-file` keeps everything).
#[derive(Default)]
pub struct HeldOutput {
    drawing: AtomicBool,
    held: Mutex<(VecDeque<u8>, u64)>,
}

/// The most bytes [`HeldOutput`] holds.
pub const MAX_HELD: usize = 16 << 20;

impl HeldOutput {
    /// The console is (or no longer is) drawn full-screen.
    pub fn set_drawing(&self, drawing: bool) {
        self.drawing.store(drawing, Ordering::Release);
    }

    /// Writes what was held to stderr, with a line saying how much had to go.
    pub fn flush_to_stderr(&self) {
        let Ok(mut held) = self.held.lock() else {
            return;
        };
        let (bytes, dropped) = &mut *held;
        let mut err = std::io::stderr().lock();
        if *dropped > 0 {
            let _ = writeln!(
                err,
                "ntemu: {dropped} bytes of earlier trace and error output were dropped while the console was drawn (--trace-file keeps them)"
            );
        }
        let (a, b) = bytes.as_slices();
        let _ = err.write_all(a);
        let _ = err.write_all(b);
        let _ = err.flush();
        bytes.clear();
        *dropped = 0;
    }
}

/// The sink for trace lines and guest stderr while ntemu draws on the terminal that is its
/// stderr: see [`HeldOutput`].
pub struct TerminalStderr(pub Arc<HeldOutput>);

impl Write for TerminalStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !self.0.drawing.load(Ordering::Acquire) {
            std::io::stderr().write_all(buf)?;
            return Ok(buf.len());
        }
        if let Ok(mut held) = self.0.held.lock() {
            let (bytes, dropped) = &mut *held;
            bytes.extend(buf);
            if bytes.len() > MAX_HELD {
                let over = bytes.len() - MAX_HELD;
                bytes.drain(..over);
                *dropped += over as u64;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.0.drawing.load(Ordering::Acquire) {
            std::io::stderr().flush()?;
        }
        Ok(())
    }
}

/// What gives the terminal back when ntemu cannot do it the normal way (a panic, a run
/// that does not stop): the modes to restore, whether the alternate screen is on, and the
/// held output.
pub struct Restore {
    /// The terminal's modes before ntemu changed them.
    pub saved: rustix::termios::Termios,
    /// True while ntemu draws on the alternate screen.
    pub alternate_screen: bool,
    /// True when ntemu pushed the window title (xterm's title stack).
    pub title_pushed: bool,
    /// Output held while drawing.
    pub held: Arc<HeldOutput>,
}

/// The terminal to give back, while ntemu has it.
pub static RESTORE: Mutex<Option<Restore>> = Mutex::new(None);

/// Gives the terminal back from wherever ntemu is (the panic hook, the watchdog): leaves
/// the alternate screen, shows the cursor, resets colours, restores the modes and writes
/// the held output. Does nothing once done.
pub fn emergency_restore() {
    let taken = RESTORE
        .lock()
        .map(|mut r| r.take())
        .unwrap_or_else(|e| e.into_inner().take());
    if let Some(restore) = taken {
        restore_terminal(&restore, "");
        restore.held.set_drawing(false);
        restore.held.flush_to_stderr();
    }
}

/// Leaves the alternate screen (if on it), writes `last_screen` on the normal screen, shows
/// the cursor, pops the title and gives the terminal its modes back.
pub fn restore_terminal(restore: &Restore, last_screen: &str) {
    let mut out = String::from("\x1b[0m");
    if restore.alternate_screen {
        out.push_str("\x1b[?1049l");
    }
    out.push_str(last_screen);
    out.push_str("\x1b[0m\x1b[?25h");
    if restore.title_pushed {
        out.push_str("\x1b[23;0t");
    }
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
    let _ = rustix::termios::tcsetattr(
        std::io::stdin(),
        rustix::termios::OptionalActions::Now,
        &restore.saved,
    );
}

/// Sets a panic hook that gives the terminal back before the panic's message is printed
/// (which would otherwise vanish with the alternate screen).
pub fn restore_terminal_on_panic() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        emergency_restore();
        previous(info);
    }));
}
