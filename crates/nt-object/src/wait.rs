//! The dispatcher: signal states of events, mutants, semaphores, processes and threads, and
//! waits on one or many of them (NtWaitForSingleObject / NtWaitForMultipleObjects).
//!
//! Like NT's dispatcher database, one lock per object manager guards every signal state and
//! wait list. A signaller satisfies waiters itself, in the order they began waiting, so an
//! auto-reset event wakes exactly one waiter and PulseEvent releases exactly the threads that
//! were waiting at that moment. Waits can block a host thread ([`wait_for_objects`]) or be
//! polled by a scheduler that parks guest threads ([`begin_wait`] and [`PendingWait`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::ObjectError;
use crate::object::{NOT_WAITABLE, Object, ObjectType};

/// MAXIMUM_WAIT_OBJECTS: the most objects one wait may name.
pub const MAXIMUM_WAIT_OBJECTS: usize = 64;

/// The thread on whose behalf a wait or a mutant operation runs: the thread's client id.
/// Mutant ownership and recursion are tracked per `OwnerThread`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct OwnerThread(pub u32);

/// The two kinds of event.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum EventType {
    /// Manual-reset: stays signalled, releasing every waiter, until reset.
    Notification,
    /// Auto-reset: releases one waiter and resets itself.
    Synchronization,
}

/// Wait for any one of the objects or for all of them at once.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum WaitType {
    /// WaitAny: the first signalled object (lowest index) satisfies the wait.
    Any,
    /// WaitAll: all objects at once, acquired together or not at all.
    All,
}

/// How a wait ended. A failed wait (WAIT_FAILED) is an `Err(ObjectError)` instead.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum WaitStatus {
    /// The object at this index satisfied the wait (WAIT_OBJECT_0 + n); for WaitAll, index 0.
    Object(u32),
    /// The object at this index was a mutant abandoned by its owner (WAIT_ABANDONED_0 + n);
    /// for WaitAll, index 0.
    Abandoned(u32),
    /// The timeout elapsed (WAIT_TIMEOUT).
    Timeout,
}

impl WaitStatus {
    /// The value WaitForSingleObject / WaitForMultipleObjects return (and the NTSTATUS the
    /// native calls return, which has the same numeric value).
    pub fn to_win32(self) -> u32 {
        match self {
            WaitStatus::Object(n) => n,
            WaitStatus::Abandoned(n) => 0x80 + n,
            WaitStatus::Timeout => 0x102,
        }
    }
}

/// A waitable object's signal state.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Signal {
    Event {
        event_type: EventType,
        signaled: bool,
    },
    Mutant {
        owner: Option<OwnerThread>,
        recursion: u32,
        abandoned: bool,
    },
    Semaphore {
        count: u32,
        maximum: u32,
    },
    /// Processes and threads (signalled once, for good) and files (set and reset by the I/O
    /// done on them).
    Notification {
        signaled: bool,
    },
}

impl Signal {
    pub(crate) fn event(event_type: EventType, signaled: bool) -> Signal {
        Signal::Event {
            event_type,
            signaled,
        }
    }

    pub(crate) fn mutant(owner: Option<OwnerThread>) -> Signal {
        Signal::Mutant {
            owner,
            recursion: u32::from(owner.is_some()),
            abandoned: false,
        }
    }

    pub(crate) fn semaphore(initial: i32, maximum: i32) -> Result<Signal, ObjectError> {
        if maximum <= 0 || initial < 0 || initial > maximum {
            return Err(ObjectError::InvalidParameter);
        }
        Ok(Signal::Semaphore {
            count: initial as u32,
            maximum: maximum as u32,
        })
    }

    pub(crate) fn notification(signaled: bool) -> Signal {
        Signal::Notification { signaled }
    }

    fn is_signaled_for(&self, thread: OwnerThread) -> bool {
        match *self {
            Signal::Event { signaled, .. } | Signal::Notification { signaled } => signaled,
            Signal::Mutant { owner, .. } => owner.is_none() || owner == Some(thread),
            Signal::Semaphore { count, .. } => count > 0,
        }
    }

    fn is_signaled(&self) -> bool {
        match *self {
            Signal::Event { signaled, .. } | Signal::Notification { signaled } => signaled,
            Signal::Mutant { owner, .. } => owner.is_none(),
            Signal::Semaphore { count, .. } => count > 0,
        }
    }

    /// Performs the side effect of satisfying a wait; true when an abandoned mutant was taken.
    fn acquire(&mut self, thread: OwnerThread) -> bool {
        match self {
            Signal::Event {
                event_type: EventType::Synchronization,
                signaled,
            } => {
                *signaled = false;
                false
            }
            Signal::Event { .. } | Signal::Notification { .. } => false,
            Signal::Semaphore { count, .. } => {
                *count -= 1;
                false
            }
            Signal::Mutant {
                owner,
                recursion,
                abandoned,
            } => {
                *owner = Some(thread);
                *recursion = recursion.saturating_add(1);
                std::mem::take(abandoned)
            }
        }
    }
}

struct DispatchState {
    signal: Signal,
    waiters: Vec<Arc<WaitBlock>>,
}

/// The signal states and wait lists of one object manager's waitable objects.
#[derive(Default)]
pub(crate) struct Dispatcher {
    slots: Vec<Option<DispatchState>>,
    free: Vec<u32>,
}

struct WaitBlock {
    slots: Box<[u32]>,
    wait_type: WaitType,
    thread: OwnerThread,
    completion: Mutex<Option<WaitStatus>>,
    wakeup: Condvar,
}

impl Dispatcher {
    pub(crate) fn alloc(&mut self, signal: Signal) -> u32 {
        let state = Some(DispatchState {
            signal,
            waiters: Vec::new(),
        });
        match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = state;
                i
            }
            None => {
                self.slots.push(state);
                (self.slots.len() - 1) as u32
            }
        }
    }

    pub(crate) fn free(&mut self, slot: u32) {
        if let Some(s) = self.slots.get_mut(slot as usize)
            && s.take().is_some()
        {
            self.free.push(slot);
        }
    }

    fn state(&mut self, slot: u32) -> Result<&mut DispatchState, ObjectError> {
        self.slots
            .get_mut(slot as usize)
            .and_then(Option::as_mut)
            .ok_or(ObjectError::ObjectTypeMismatch)
    }

    fn signal(&mut self, slot: u32) -> Result<&mut Signal, ObjectError> {
        Ok(&mut self.state(slot)?.signal)
    }

    /// Checks whether the wait described by `slots` can be satisfied now, and if so performs
    /// the acquisition(s) and returns the status.
    fn try_satisfy(
        &mut self,
        slots: &[u32],
        wait_type: WaitType,
        thread: OwnerThread,
    ) -> Option<WaitStatus> {
        match wait_type {
            WaitType::Any => {
                for (i, &slot) in slots.iter().enumerate() {
                    let signal = &mut self.slots.get_mut(slot as usize)?.as_mut()?.signal;
                    if signal.is_signaled_for(thread) {
                        return Some(if signal.acquire(thread) {
                            WaitStatus::Abandoned(i as u32)
                        } else {
                            WaitStatus::Object(i as u32)
                        });
                    }
                }
                None
            }
            WaitType::All => {
                for &slot in slots {
                    let state = self.slots.get(slot as usize)?.as_ref()?;
                    if !state.signal.is_signaled_for(thread) {
                        return None;
                    }
                }
                let mut abandoned = false;
                for &slot in slots {
                    if let Some(Some(state)) = self.slots.get_mut(slot as usize) {
                        abandoned |= state.signal.acquire(thread);
                    }
                }
                Some(if abandoned {
                    WaitStatus::Abandoned(0)
                } else {
                    WaitStatus::Object(0)
                })
            }
        }
    }

    fn unlink(&mut self, block: &Arc<WaitBlock>) {
        for &slot in block.slots.iter() {
            if let Some(Some(state)) = self.slots.get_mut(slot as usize) {
                state.waiters.retain(|w| !Arc::ptr_eq(w, block));
            }
        }
    }

    /// Satisfies, in FIFO order, the waiters of `slot` that can now be satisfied.
    fn satisfy_waiters(&mut self, slot: u32) {
        let mut i = 0;
        loop {
            let Some(Some(state)) = self.slots.get(slot as usize) else {
                return;
            };
            if !state.signal.is_signaled() {
                return;
            }
            let Some(block) = state.waiters.get(i).cloned() else {
                return;
            };
            match self.try_satisfy(&block.slots, block.wait_type, block.thread) {
                Some(status) => {
                    self.unlink(&block);
                    *block.completion.lock() = Some(status);
                    block.wakeup.notify_all();
                }
                None => i += 1,
            }
        }
    }

    pub(crate) fn abandon_mutants(&mut self, thread: OwnerThread) -> usize {
        let mut abandoned = Vec::new();
        for (i, state) in self.slots.iter_mut().enumerate() {
            if let Some(DispatchState {
                signal:
                    Signal::Mutant {
                        owner,
                        recursion,
                        abandoned: flag,
                    },
                ..
            }) = state
                && *owner == Some(thread)
            {
                *owner = None;
                *recursion = 0;
                *flag = true;
                abandoned.push(i as u32);
            }
        }
        for &slot in &abandoned {
            self.satisfy_waiters(slot);
        }
        abandoned.len()
    }
}

/// The state of a mutant, as NtQueryMutant reports it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MutantState {
    /// The owning thread, if any.
    pub owner: Option<OwnerThread>,
    /// How many times the owner has acquired it without releasing.
    pub recursion: u32,
    /// True when its last owner exited without releasing it.
    pub abandoned: bool,
}

impl Object {
    fn with_signal<R>(
        &self,
        expected: ObjectType,
        f: impl FnOnce(&mut Signal) -> Result<R, ObjectError>,
    ) -> Result<R, ObjectError> {
        if self.object_type() != expected {
            return Err(ObjectError::ObjectTypeMismatch);
        }
        let slot = self.dispatch_slot();
        let mut d = self.manager.dispatcher.lock();
        let mut signal = *d.signal(slot)?;
        let result = f(&mut signal);
        *d.signal(slot)? = signal;
        if result.is_ok() && signal.is_signaled() {
            d.satisfy_waiters(slot);
        }
        result
    }

    /// Sets (`true`) or resets (`false`) the signal state of a waitable timer, an I/O
    /// completion port or a File object, whose owners (the machine's timers, the port's
    /// queue, the I/O done on the file: NT's FILE_OBJECT.Event) decide it; returns the
    /// previous state. Setting releases waiters as an event of the object's type does: all of
    /// them for a notification timer, a port or a file, one for a synchronization timer.
    pub fn set_signal_state(&self, signaled: bool) -> Result<bool, ObjectError> {
        let expected = match self.object_type() {
            t @ (ObjectType::Timer | ObjectType::IoCompletion | ObjectType::File) => t,
            _ => return Err(ObjectError::ObjectTypeMismatch),
        };
        self.with_signal(expected, |s| match s {
            Signal::Event {
                signaled: state, ..
            }
            | Signal::Notification { signaled: state } => Ok(std::mem::replace(state, signaled)),
            _ => Err(ObjectError::ObjectTypeMismatch),
        })
    }

    /// Signals an event (NtSetEvent); returns the previous state. Waiters are released: all of
    /// them for a notification event, one for a synchronization event.
    pub fn set_event(&self) -> Result<bool, ObjectError> {
        self.with_signal(ObjectType::Event, |s| match s {
            Signal::Event { signaled, .. } => Ok(std::mem::replace(signaled, true)),
            _ => Err(ObjectError::ObjectTypeMismatch),
        })
    }

    /// Resets an event to non-signalled (NtResetEvent); returns the previous state.
    pub fn reset_event(&self) -> Result<bool, ObjectError> {
        self.with_signal(ObjectType::Event, |s| match s {
            Signal::Event { signaled, .. } => Ok(std::mem::replace(signaled, false)),
            _ => Err(ObjectError::ObjectTypeMismatch),
        })
    }

    /// PulseEvent: releases the threads waiting right now (all for a notification event, one
    /// for a synchronization event) and leaves the event non-signalled; returns the previous
    /// state.
    pub fn pulse_event(&self) -> Result<bool, ObjectError> {
        if self.object_type() != ObjectType::Event {
            return Err(ObjectError::ObjectTypeMismatch);
        }
        let slot = self.dispatch_slot();
        let mut d = self.manager.dispatcher.lock();
        let previous = match d.signal(slot)? {
            Signal::Event { signaled, .. } => std::mem::replace(signaled, true),
            _ => return Err(ObjectError::ObjectTypeMismatch),
        };
        d.satisfy_waiters(slot);
        if let Signal::Event { signaled, .. } = d.signal(slot)? {
            *signaled = false;
        }
        Ok(previous)
    }

    /// Whether an event or a timer is of the notification (manual-reset) or the
    /// synchronization (auto-reset) kind (NtQueryEvent's EventType).
    pub fn event_kind(&self) -> Result<EventType, ObjectError> {
        let expected = match self.object_type() {
            t @ (ObjectType::Event | ObjectType::Timer) => t,
            _ => return Err(ObjectError::ObjectTypeMismatch),
        };
        self.with_signal(expected, |s| match *s {
            Signal::Event { event_type, .. } => Ok(event_type),
            _ => Err(ObjectError::ObjectTypeMismatch),
        })
    }

    /// The current state of an event.
    pub fn event_state(&self) -> Result<bool, ObjectError> {
        self.with_signal(ObjectType::Event, |s| match s {
            Signal::Event { signaled, .. } => Ok(*signaled),
            _ => Err(ObjectError::ObjectTypeMismatch),
        })
    }

    /// Releases a mutant held by `thread` once (NtReleaseMutant); returns the recursion count
    /// before the release. A thread that does not own it gets STATUS_MUTANT_NOT_OWNED
    /// (ERROR_NOT_OWNER).
    pub fn release_mutant(&self, thread: OwnerThread) -> Result<u32, ObjectError> {
        self.with_signal(ObjectType::Mutant, |s| match s {
            Signal::Mutant {
                owner, recursion, ..
            } => {
                if *owner != Some(thread) {
                    return Err(ObjectError::MutantNotOwned);
                }
                let previous = *recursion;
                *recursion -= 1;
                if *recursion == 0 {
                    *owner = None;
                }
                Ok(previous)
            }
            _ => Err(ObjectError::ObjectTypeMismatch),
        })
    }

    /// The state of a mutant (NtQueryMutant).
    pub fn mutant_state(&self) -> Result<MutantState, ObjectError> {
        self.with_signal(ObjectType::Mutant, |s| match *s {
            Signal::Mutant {
                owner,
                recursion,
                abandoned,
            } => Ok(MutantState {
                owner,
                recursion,
                abandoned,
            }),
            _ => Err(ObjectError::ObjectTypeMismatch),
        })
    }

    /// Adds `release_count` to a semaphore (NtReleaseSemaphore); returns the previous count.
    /// A count below 1 is STATUS_INVALID_PARAMETER; passing the maximum is
    /// STATUS_SEMAPHORE_LIMIT_EXCEEDED (ERROR_TOO_MANY_POSTS) and changes nothing.
    pub fn release_semaphore(&self, release_count: i32) -> Result<u32, ObjectError> {
        self.with_signal(ObjectType::Semaphore, |s| match s {
            Signal::Semaphore { count, maximum } => {
                if release_count <= 0 {
                    return Err(ObjectError::InvalidParameter);
                }
                let previous = *count;
                match previous.checked_add(release_count as u32) {
                    Some(n) if n <= *maximum => {
                        *count = n;
                        Ok(previous)
                    }
                    _ => Err(ObjectError::SemaphoreLimitExceeded),
                }
            }
            _ => Err(ObjectError::ObjectTypeMismatch),
        })
    }

    /// The current count and maximum of a semaphore (NtQuerySemaphore).
    pub fn semaphore_state(&self) -> Result<(u32, u32), ObjectError> {
        self.with_signal(ObjectType::Semaphore, |s| match *s {
            Signal::Semaphore { count, maximum } => Ok((count, maximum)),
            _ => Err(ObjectError::ObjectTypeMismatch),
        })
    }

    /// Signals a process or thread object for good, when it exits; every waiter is released.
    pub fn signal_exit(&self) -> Result<(), ObjectError> {
        if !matches!(self.object_type(), ObjectType::Process | ObjectType::Thread) {
            return Err(ObjectError::ObjectTypeMismatch);
        }
        let slot = self.dispatch_slot();
        let mut d = self.manager.dispatcher.lock();
        *d.signal(slot)? = Signal::Notification { signaled: true };
        d.satisfy_waiters(slot);
        Ok(())
    }

    /// True when the object is signalled now (for a mutant: unowned).
    pub fn is_signaled(&self) -> Result<bool, ObjectError> {
        if !self.is_waitable() {
            return Err(ObjectError::ObjectTypeMismatch);
        }
        let mut d = self.manager.dispatcher.lock();
        Ok(d.signal(self.dispatch_slot())?.is_signaled())
    }

    /// Waits on this one object (NtWaitForSingleObject); see [`wait_for_objects`].
    pub fn wait(
        self: &Arc<Self>,
        thread: OwnerThread,
        timeout: Option<Duration>,
    ) -> Result<WaitStatus, ObjectError> {
        wait_for_objects(std::slice::from_ref(self), WaitType::Any, thread, timeout)
    }
}

/// A wait that could not be satisfied at once and is registered with the dispatcher. A
/// scheduler polls it; a host thread blocks on it. Dropping it cancels the wait.
pub struct PendingWait {
    block: Arc<WaitBlock>,
    objects: Vec<Arc<Object>>,
}

/// The outcome of [`begin_wait`].
pub enum WaitStart {
    /// The wait was satisfied at once.
    Satisfied(WaitStatus),
    /// The wait is registered; the objects are not signalled yet.
    Pending(PendingWait),
}

fn validate(objects: &[Arc<Object>], wait_type: WaitType) -> Result<Vec<u32>, ObjectError> {
    if objects.is_empty() || objects.len() > MAXIMUM_WAIT_OBJECTS {
        return Err(ObjectError::InvalidParameter);
    }
    let first = &objects[0];
    let mut slots = Vec::with_capacity(objects.len());
    for object in objects {
        if !object.same_manager(first) {
            return Err(ObjectError::InvalidParameter);
        }
        let slot = object.dispatch_slot();
        if slot == NOT_WAITABLE {
            return Err(ObjectError::ObjectTypeMismatch);
        }
        if wait_type == WaitType::All && slots.contains(&slot) {
            return Err(ObjectError::InvalidParameterMix);
        }
        slots.push(slot);
    }
    Ok(slots)
}

/// Starts a wait on `objects` for `thread`: satisfied at once if possible, otherwise
/// registered as a [`PendingWait`]. Errors: no objects or more than 64
/// (STATUS_INVALID_PARAMETER), an object that cannot be waited on
/// (STATUS_OBJECT_TYPE_MISMATCH), the same object twice in a WaitAll
/// (STATUS_INVALID_PARAMETER_MIX).
pub fn begin_wait(
    objects: &[Arc<Object>],
    wait_type: WaitType,
    thread: OwnerThread,
) -> Result<WaitStart, ObjectError> {
    let slots = validate(objects, wait_type)?;
    let manager = &objects[0].manager;
    let mut d = manager.dispatcher.lock();
    if let Some(status) = d.try_satisfy(&slots, wait_type, thread) {
        return Ok(WaitStart::Satisfied(status));
    }
    let block = Arc::new(WaitBlock {
        slots: slots.into_boxed_slice(),
        wait_type,
        thread,
        completion: Mutex::new(None),
        wakeup: Condvar::new(),
    });
    for &slot in block.slots.iter() {
        d.state(slot)?.waiters.push(Arc::clone(&block));
    }
    drop(d);
    Ok(WaitStart::Pending(PendingWait {
        block,
        objects: objects.to_vec(),
    }))
}

impl PendingWait {
    /// The result, once a signaller has satisfied the wait.
    pub fn poll(&self) -> Option<WaitStatus> {
        *self.block.completion.lock()
    }

    /// Blocks the host thread until the wait is satisfied or `timeout` elapses (None waits
    /// forever); a timed-out wait is cancelled and returns [`WaitStatus::Timeout`].
    pub fn wait(self, timeout: Option<Duration>) -> WaitStatus {
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        {
            let mut done = self.block.completion.lock();
            loop {
                if let Some(status) = *done {
                    return status;
                }
                match deadline {
                    None => self.block.wakeup.wait(&mut done),
                    Some(d) => {
                        if self.block.wakeup.wait_until(&mut done, d).timed_out() {
                            break;
                        }
                    }
                }
            }
        }
        self.cancel().unwrap_or(WaitStatus::Timeout)
    }

    /// Cancels the wait (a timeout, an alert, the thread's termination). If a signaller
    /// satisfied it meanwhile, the acquisition stands and its status is returned.
    pub fn cancel(self) -> Option<WaitStatus> {
        self.cancel_in_place()
    }

    fn cancel_in_place(&self) -> Option<WaitStatus> {
        let first = self.objects.first()?;
        let mut d = first.manager.dispatcher.lock();
        let mut done = self.block.completion.lock();
        if let Some(status) = *done {
            return Some(status);
        }
        *done = Some(WaitStatus::Timeout);
        drop(done);
        d.unlink(&self.block);
        None
    }
}

impl Drop for PendingWait {
    fn drop(&mut self) {
        if self.block.completion.lock().is_none() {
            self.cancel_in_place();
        }
    }
}

/// Waits on one or more objects from a host thread (NtWaitForMultipleObjects): returns
/// WAIT_OBJECT_0 + n, WAIT_ABANDONED_0 + n or WAIT_TIMEOUT as a [`WaitStatus`], or the
/// error that makes the Win32 call return WAIT_FAILED. `timeout` None is INFINITE.
pub fn wait_for_objects(
    objects: &[Arc<Object>],
    wait_type: WaitType,
    thread: OwnerThread,
    timeout: Option<Duration>,
) -> Result<WaitStatus, ObjectError> {
    match begin_wait(objects, wait_type, thread)? {
        WaitStart::Satisfied(status) => Ok(status),
        WaitStart::Pending(pending) if timeout == Some(Duration::ZERO) => {
            Ok(pending.cancel().unwrap_or(WaitStatus::Timeout))
        }
        WaitStart::Pending(pending) => Ok(pending.wait(timeout)),
    }
}
