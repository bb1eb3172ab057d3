//! The machine's doorbell: how a host outside the scheduler's thread (a terminal's key
//! reader, a signal handler thread) gets the machine's attention between quanta.
//!
//! The scheduler takes the signal after every thread's turn (one atomic load when nothing
//! happened) and then calls [`SystemServices::host_event`](crate::SystemServices::host_event);
//! while every thread waits on a timeout, the scheduler sleeps on the signal, so a ring
//! wakes it at once. The CPU interpreters never look at it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use parking_lot::{Condvar, Mutex};

/// A doorbell a host rings to be served between quanta ([`crate::Machine::host_signal`]).
#[derive(Debug, Default)]
pub struct HostSignal {
    rung: AtomicBool,
    lock: Mutex<()>,
    wake: Condvar,
}

/// What the host asks of the scheduler after being served.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HostAction {
    /// Go on running the machine.
    Continue,
    /// Stop the run now: [`crate::Machine::run_until`] returns
    /// [`RunOutcome::Interrupted`](crate::RunOutcome::Interrupted).
    Stop,
}

impl HostSignal {
    /// A signal that has not been rung.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rings: the machine serves its host after the current quantum, or at once if it is
    /// sleeping. Callable from any thread, any number of times.
    pub fn ring(&self) {
        if !self.rung.swap(true, Ordering::AcqRel) {
            let _guard = self.lock.lock();
            self.wake.notify_all();
        }
    }

    /// True when it has been rung since the last call (which un-rings it).
    pub fn take(&self) -> bool {
        self.rung.load(Ordering::Acquire) && self.rung.swap(false, Ordering::AcqRel)
    }

    /// True when it has been rung and not yet taken.
    pub fn is_rung(&self) -> bool {
        self.rung.load(Ordering::Acquire)
    }

    /// Sleeps for at most `timeout`, waking early when rung; true when it was rung.
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        let mut guard = self.lock.lock();
        if !self.rung.load(Ordering::Acquire) {
            let _ = self.wake.wait_for(&mut guard, timeout);
        }
        self.rung.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_ring_is_taken_once() {
        let s = HostSignal::new();
        assert!(!s.take());
        s.ring();
        s.ring();
        assert!(s.is_rung());
        assert!(s.take());
        assert!(!s.take());
    }

    #[test]
    fn a_ring_from_another_thread_ends_a_wait_early() {
        let s = Arc::new(HostSignal::new());
        let ringer = s.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            ringer.ring();
        });
        // True only when rung: the 30 s timeout did not end it.
        assert!(s.wait_timeout(Duration::from_secs(30)));
        t.join().unwrap();
        // Without a ring the wait lasts its timeout.
        assert!(s.take());
        assert!(!s.wait_timeout(Duration::from_millis(5)));
    }
}
