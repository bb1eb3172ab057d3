//! Waitable timers, as NT's KTIMER: a Timer object is set to expire at a time on the
//! machine's clock, once or periodically, optionally with a completion routine queued as a
//! user APC to the thread that set it.
//!
//! - The machine keeps the set timers; the scheduler expires the due ones between quanta and
//!   counts the earliest due time as a deadline, so a machine whose threads all wait on a
//!   timer sleeps until it expires (or jumps to it on a virtual clock).
//! - Expiry signals the object (a notification timer stays signalled until it is set again;
//!   a synchronization timer releases one waiter) and queues the completion routine
//!   `routine(context, low, high)` with the expiry time as a FILETIME, as NtSetTimer's
//!   TimerApcRoutine is called.
//! - Setting a timer resets its signal state; cancelling leaves it. A timer whose APC thread
//!   has ended is cancelled without being signalled, as NT's ExTimerRundown cancels them at
//!   the thread's exit. A timer object whose last reference is gone leaves the list.

use std::sync::{Arc, Weak};

use nt_object::{Object, ObjectType};

use crate::KernelError;
use crate::apc::UserApc;
use crate::machine::{ClientId, Machine};

/// The completion routine of a set timer (SetWaitableTimer's pfnCompletionRoutine).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TimerApc {
    /// The thread the routine runs on (the one that set the timer).
    pub thread: ClientId,
    /// The routine's guest address.
    pub routine: u32,
    /// Its first argument (lpArgToCompletionRoutine).
    pub context: u32,
    /// The FILETIME (100 ns since 1601, UTC) of the machine's clock at 0: the expiry time
    /// the routine is given is this plus the clock's time.
    pub filetime_at_zero: u64,
}

/// One set timer.
struct Armed {
    timer: Weak<Object>,
    /// Clock time (ms) of the next expiry.
    due: u64,
    /// Milliseconds between expiries; 0 for a one-shot timer.
    period: u64,
    apc: Option<TimerApc>,
}

/// The machine's set timers.
#[derive(Default)]
pub(crate) struct Timers {
    armed: Vec<Armed>,
}

impl Timers {
    /// The earliest due time, if a timer is set.
    pub(crate) fn next_due(&self) -> Option<u64> {
        self.armed.iter().map(|a| a.due).min()
    }

    fn position(&self, timer: &Arc<Object>) -> Option<usize> {
        self.armed
            .iter()
            .position(|a| std::ptr::eq(a.timer.as_ptr(), Arc::as_ptr(timer)))
    }
}

fn check_timer(timer: &Object) -> Result<(), KernelError> {
    if timer.object_type() == ObjectType::Timer {
        Ok(())
    } else {
        Err(KernelError::Object(
            nt_object::ObjectError::ObjectTypeMismatch,
        ))
    }
}

impl Machine {
    /// NtSetTimer: sets `timer` to expire at clock time `due_ms` (a time already past expires
    /// at once), then every `period_ms` when that is not 0, queuing `apc` at each expiry.
    /// The timer's signal state is reset; returns the state it had.
    pub fn set_timer(
        &mut self,
        timer: &Arc<Object>,
        due_ms: u64,
        period_ms: u64,
        apc: Option<TimerApc>,
    ) -> Result<bool, KernelError> {
        check_timer(timer)?;
        let previous = timer.set_signal_state(false)?;
        if let Some(i) = self.timers.position(timer) {
            self.timers.armed.remove(i);
        }
        self.timers.armed.push(Armed {
            timer: Arc::downgrade(timer),
            due: due_ms,
            period: period_ms,
            apc,
        });
        Ok(previous)
    }

    /// NtCancelTimer: the timer expires no more (its signal state is left as it is); returns
    /// its signal state.
    pub fn cancel_timer(&mut self, timer: &Arc<Object>) -> Result<bool, KernelError> {
        check_timer(timer)?;
        if let Some(i) = self.timers.position(timer) {
            self.timers.armed.remove(i);
        }
        Ok(timer.is_signaled()?)
    }

    /// Milliseconds until `timer` next expires, or None when it is not set (NtQueryTimer's
    /// TimerEnabled and RemainingTime).
    pub fn timer_remaining(&self, timer: &Arc<Object>) -> Option<u64> {
        let i = self.timers.position(timer)?;
        Some(
            self.timers.armed[i]
                .due
                .saturating_sub(self.clock().now_ms()),
        )
    }

    /// Expires every timer due by now: signals it, queues its completion routine, and sets
    /// a periodic timer again.
    pub(crate) fn expire_timers(&mut self) {
        if self.timers.armed.is_empty() {
            return;
        }
        let now = self.clock().now_ms();
        if self.timers.next_due().is_none_or(|d| d > now) {
            return;
        }
        let mut i = 0;
        while i < self.timers.armed.len() {
            let armed = &self.timers.armed[i];
            let Some(timer) = armed.timer.upgrade() else {
                self.timers.armed.remove(i);
                continue;
            };
            if armed.due > now {
                i += 1;
                continue;
            }
            let (period, apc) = (armed.period, armed.apc);
            if let Some(apc) = apc {
                let routine = UserApc {
                    routine: apc.routine,
                    context: apc.context,
                    argument1: 0,
                    argument2: 0,
                };
                let filetime = apc
                    .filetime_at_zero
                    .saturating_add(now.saturating_mul(10_000));
                let routine = UserApc {
                    argument1: filetime as u32,
                    argument2: (filetime >> 32) as u32,
                    ..routine
                };
                if self.queue_user_apc(apc.thread, routine).is_err() {
                    // The thread that set it has ended: the timer went with it.
                    self.timers.armed.remove(i);
                    continue;
                }
            }
            let _ = timer.set_signal_state(true);
            if period == 0 {
                self.timers.armed.remove(i);
            } else {
                self.timers.armed[i].due = now.saturating_add(period);
                i += 1;
            }
        }
    }
}
