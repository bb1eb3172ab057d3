//! A thread's message queue: posted messages in order, messages other threads sent and wait
//! for, the quit request PostQuitMessage left, and the thread's timers.
//!
//! As NT's xxxRealInternalGetMessage does, a thread looking for a message takes the sent
//! messages first (it calls their window procedures itself), then posted messages that pass
//! the filter, then (nothing else being there) the quit request, then timers that are due.

use std::collections::VecDeque;
use std::sync::Arc;

use nt_object::Object;

/// WM_QUIT.
pub const WM_QUIT: u32 = 0x0012;
/// WM_TIMER.
pub const WM_TIMER: u32 = 0x0113;

/// A posted message (a MSG).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Message {
    /// hwnd.
    pub hwnd: u32,
    /// message.
    pub message: u32,
    /// wParam.
    pub wparam: u32,
    /// lParam.
    pub lparam: u32,
    /// time (GetTickCount's).
    pub time: u32,
    /// pt: the cursor position when it was posted.
    pub pt: (i32, i32),
}

/// A message another thread sent and waits for the answer to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Sent {
    /// The send's number (its reply is filed under it).
    pub id: u64,
    /// The sender (process, thread).
    pub sender: (u32, u32),
    /// hwnd.
    pub hwnd: u32,
    /// message.
    pub message: u32,
    /// wParam.
    pub wparam: u32,
    /// lParam.
    pub lparam: u32,
}

/// A timer (SetTimer).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Timer {
    /// The window (0 for a thread timer).
    pub hwnd: u32,
    /// The timer id.
    pub id: u32,
    /// The period in milliseconds.
    pub period: u32,
    /// The TIMERPROC (0: WM_TIMER goes to the window procedure).
    pub proc_: u32,
    /// When it is next due (the machine clock's milliseconds).
    pub due: u64,
}

/// A message filter: a window (0: any of the thread's, and thread messages) and a range of
/// message numbers (0, 0: all).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Filter {
    /// The window in full form; 0 for any, 0xFFFFFFFF for thread messages only.
    pub hwnd: u32,
    /// The first message number.
    pub min: u32,
    /// The last message number (inclusive).
    pub max: u32,
}

impl Filter {
    /// Whether `m` passes. A window filter of -1 (0xFFFFFFFF) takes thread messages only.
    pub fn passes(&self, hwnd: u32, message: u32) -> bool {
        let window_ok = match self.hwnd {
            0 => true,
            0xFFFF_FFFF => hwnd == 0,
            h => hwnd == h,
        };
        let range_ok = (self.min == 0 && self.max == 0)
            || (self.min <= self.max && (self.min..=self.max).contains(&message))
            || (self.min > self.max && (message >= self.min || message <= self.max));
        window_ok && range_ok
    }
}

/// A thread's queue.
pub struct Queue {
    /// Posted messages, oldest first.
    pub posted: VecDeque<Message>,
    /// Messages sent from other threads, oldest first.
    pub sent: VecDeque<Sent>,
    /// PostQuitMessage's exit code, once asked.
    pub quit: Option<u32>,
    /// The thread's timers.
    pub timers: Vec<Timer>,
    /// The time of the last message taken (GetMessageTime).
    pub last_time: u32,
    /// Where the cursor was at the last message taken (GetMessagePos).
    pub last_pos: (i32, i32),
    /// Signalled when something arrives (the thread's waits in GetMessage, WaitMessage and
    /// SendMessage end on it).
    pub event: Arc<Object>,
}

impl Queue {
    /// An empty queue whose arrivals signal `event`.
    pub fn new(event: Arc<Object>) -> Queue {
        Queue {
            posted: VecDeque::new(),
            sent: VecDeque::new(),
            quit: None,
            timers: Vec::new(),
            last_time: 0,
            last_pos: (0, 0),
            event,
        }
    }

    /// Wakes a thread waiting on the queue.
    pub fn wake(&self) {
        let _ = self.event.set_event();
    }

    /// Adds a posted message.
    pub fn post(&mut self, message: Message) {
        self.posted.push_back(message);
        self.wake();
    }

    /// Adds a sent message.
    pub fn send(&mut self, sent: Sent) {
        self.sent.push_back(sent);
        self.wake();
    }

    /// The first posted message passing `filter`, taken out when `remove`.
    pub fn take_posted(&mut self, filter: &Filter, remove: bool) -> Option<Message> {
        let i = self
            .posted
            .iter()
            .position(|m| filter.passes(m.hwnd, m.message))?;
        if remove {
            self.posted.remove(i)
        } else {
            self.posted.get(i).copied()
        }
    }

    /// The WM_QUIT message when PostQuitMessage was called and `filter` lets it through
    /// (cleared when `remove`).
    pub fn take_quit(&mut self, filter: &Filter, time: u32, remove: bool) -> Option<Message> {
        let code = self.quit?;
        if !filter.passes(0, WM_QUIT) {
            return None;
        }
        if remove {
            self.quit = None;
        }
        Some(Message {
            hwnd: 0,
            message: WM_QUIT,
            wparam: code,
            lparam: 0,
            time,
            pt: (0, 0),
        })
    }

    /// A WM_TIMER for the first timer due at `now` that `filter` lets through; when `remove`,
    /// the timer's next due time moves a period on.
    pub fn take_timer(&mut self, filter: &Filter, now: u64, remove: bool) -> Option<Message> {
        let t = self
            .timers
            .iter_mut()
            .filter(|t| t.due <= now && filter.passes(t.hwnd, WM_TIMER))
            .min_by_key(|t| t.due)?;
        if remove {
            t.due = now + u64::from(t.period.max(1));
        }
        Some(Message {
            hwnd: t.hwnd,
            message: WM_TIMER,
            wparam: t.id,
            lparam: t.proc_,
            time: now as u32,
            pt: (0, 0),
        })
    }

    /// Milliseconds from `now` until the next timer is due (None: no timers).
    pub fn next_timer(&self, now: u64) -> Option<u64> {
        self.timers.iter().map(|t| t.due.saturating_sub(now)).min()
    }

    /// Whether anything waits to be taken at `now`: sent or posted messages, a quit request,
    /// a due timer.
    pub fn has_input(&self, now: u64) -> bool {
        !self.sent.is_empty()
            || !self.posted.is_empty()
            || self.quit.is_some()
            || self.timers.iter().any(|t| t.due <= now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_take_windows_and_wrapping_ranges() {
        let any = Filter::default();
        assert!(any.passes(5, 0x400));
        let thread_only = Filter {
            hwnd: 0xFFFF_FFFF,
            ..Filter::default()
        };
        assert!(thread_only.passes(0, 1));
        assert!(!thread_only.passes(5, 1));
        let range = Filter {
            hwnd: 0,
            min: 0x100,
            max: 0x1FF,
        };
        assert!(range.passes(1, 0x100) && range.passes(1, 0x1FF) && !range.passes(1, 0x200));
        let wrap = Filter {
            hwnd: 0,
            min: 0x200,
            max: 0x100,
        };
        assert!(wrap.passes(1, 0x50) && wrap.passes(1, 0x300) && !wrap.passes(1, 0x150));
    }
}
