//! Blocking calls without blocking the host. A blocking Winsock call that cannot complete
//! parks its guest thread with [`ApiReturn::Retry`] on a fresh event, and registers an
//! *interest* (a host socket and the readiness it waits for). When every guest thread of
//! the machine is blocked, the scheduler calls [`idle`], which sleeps in the host's poll(2)
//! on all interests until one is ready or the next guest deadline comes, and signals the
//! events of the ready ones; the thread then runs the call again and completes it. While
//! other guest threads run, a parked call is retried every [`RETRY_INTERVAL`] anyway.
//!
//! A call that is run again finds what it had done in its [`Pending`] record (the deadline
//! of select's timeout or SO_RCVTIMEO, the bytes send has already sent), matched by thread,
//! function and arguments.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use nt_kernel::{ClientId, Machine};
use nt_object::{EventType, Object};
use rustix::event::{PollFd, PollFlags, Timespec};
use win32::{ApiCall, ApiReturn, Win32State};

use crate::SockState;
use crate::resolve::Lookup;
use crate::socket::Socket;

/// How often a parked call is run again while other guest threads keep the machine busy
/// (when all are blocked, [`idle`] wakes it as soon as its socket is ready).
pub const RETRY_INTERVAL: Duration = Duration::from_millis(50);

/// How long [`idle`] sleeps at most while a host name lookup runs on its helper thread.
const LOOKUP_TICK: Duration = Duration::from_millis(10);

/// What a parked call had done, to be taken up when it runs again.
#[derive(Clone)]
pub struct Pending {
    thread: Weak<Object>,
    function: &'static str,
    args: [u32; 6],
    /// When the call gives up (machine clock, ms), if ever.
    pub deadline: Option<u64>,
    /// Bytes already sent (send, sendto).
    pub progress: u32,
    /// The host name lookup running for it (gethostbyname).
    pub lookup: Option<Arc<Lookup>>,
}

/// A host socket a parked thread waits on, and the event that wakes it.
pub struct Interest {
    socket: Weak<Object>,
    events: PollFlags,
    event: Arc<Object>,
}

/// The calling thread's object.
fn thread_object(call: &ApiCall<'_>) -> Option<Arc<Object>> {
    call.process()
        .and_then(|p| p.thread(call.thread.thread))
        .map(|t| Arc::clone(t.object()))
}

/// The record of the call `function` this thread is running again, if it is one (same
/// thread object, function and arguments); it is taken out.
pub fn resume(call: &mut ApiCall<'_>, function: &'static str) -> Option<Pending> {
    let args = call.args::<6>();
    let thread = thread_object(call)?;
    let pending = &mut call.state.get::<SockState>().pending;
    let record = pending.remove(&call.thread)?;
    let same_thread = record
        .thread
        .upgrade()
        .is_some_and(|t| Arc::ptr_eq(&t, &thread));
    (same_thread && record.function == function && record.args == args).then_some(record)
}

/// What a parked call waits for.
pub struct Park {
    /// The function, for its [`Pending`] record.
    pub function: &'static str,
    /// When it gives up (machine clock, ms).
    pub deadline: Option<u64>,
    /// Bytes already sent.
    pub progress: u32,
    /// Host sockets and the readiness each waits for.
    pub sockets: Vec<(Arc<Object>, PollFlags)>,
    /// A host name lookup in progress.
    pub lookup: Option<Arc<Lookup>>,
}

/// Parks the calling thread until one of `park`'s sockets is ready, its lookup is done,
/// its deadline passes or [`RETRY_INTERVAL`] has gone by; then it runs the call again.
pub fn park(call: &mut ApiCall<'_>, park: Park) -> ApiReturn {
    let args = call.args::<6>();
    let now = call.machine.clock().now_ms();
    let timeout = match park.deadline {
        Some(d) => RETRY_INTERVAL.min(Duration::from_millis(d.saturating_sub(now))),
        None => RETRY_INTERVAL,
    };
    let event = match &park.lookup {
        Some(lookup) => Arc::clone(&lookup.event),
        None => call
            .machine
            .objects()
            .create_event(EventType::Notification, false),
    };
    let thread = thread_object(call).map_or_else(Weak::new, |t| Arc::downgrade(&t));
    call.state.add_idle_hook(idle);
    let state = call.state.get::<SockState>();
    // Forget what no thread waits for any more.
    state
        .interests
        .retain(|i| Arc::strong_count(&i.event) > 1 && i.socket.strong_count() > 0);
    state.pending.retain(|_, p| p.thread.strong_count() > 0);
    for (object, events) in &park.sockets {
        // A socket that is "ready" already but does not let the call finish (a stream
        // socket not yet connected shows POLLHUP) would wake the machine for ever: it is
        // looked at again after RETRY_INTERVAL instead.
        let Some(socket) = object.payload::<Socket>() else {
            continue;
        };
        if socket.ready(*events).is_empty() {
            state.interests.push(Interest {
                socket: Arc::downgrade(object),
                events: *events,
                event: Arc::clone(&event),
            });
        }
    }
    state.pending.insert(
        call.thread,
        Pending {
            thread,
            function: park.function,
            args,
            deadline: park.deadline,
            progress: park.progress,
            lookup: park.lookup,
        },
    );
    ApiReturn::Retry {
        objects: vec![event],
        timeout: Some(timeout),
    }
}

/// The machine's idle hook: waits in poll(2) on the interests of parked calls for at most
/// `timeout`, and signals the events of those that are ready. True when one was.
pub fn idle(state: &mut Win32State, _machine: &mut Machine, timeout: Option<Duration>) -> bool {
    let sock = state.get::<SockState>();
    sock.interests
        .retain(|i| Arc::strong_count(&i.event) > 1 && i.socket.strong_count() > 0);
    let lookups = sock
        .pending
        .values()
        .filter_map(|p| p.lookup.clone())
        .collect::<Vec<_>>();
    if sock.interests.is_empty() && lookups.is_empty() {
        return false;
    }
    let objects: Vec<(Arc<Object>, PollFlags, Arc<Object>)> = sock
        .interests
        .iter()
        .filter_map(|i| Some((i.socket.upgrade()?, i.events, Arc::clone(&i.event))))
        .collect();
    let watched: Vec<(&Socket, PollFlags, &Arc<Object>)> = objects
        .iter()
        .filter_map(|(o, events, event)| Some((o.payload::<Socket>()?, *events, event)))
        .collect();
    let mut fds: Vec<PollFd<'_>> = watched
        .iter()
        .map(|(socket, events, _)| PollFd::new(socket, *events))
        .collect();
    if fds.is_empty() && lookups.is_empty() {
        return false;
    }
    let limit = if lookups.is_empty() {
        timeout
    } else {
        Some(timeout.map_or(LOOKUP_TICK, |t| t.min(LOOKUP_TICK)))
    };
    let woke_sockets = match limit {
        Some(t) if fds.is_empty() => {
            std::thread::sleep(t);
            false
        }
        limit => {
            let spec = limit.map(|t| Timespec {
                tv_sec: t.as_secs() as i64,
                tv_nsec: i64::from(t.subsec_nanos()),
            });
            matches!(rustix::event::poll(&mut fds, spec.as_ref()), Ok(n) if n > 0)
        }
    };
    let mut signalled: Vec<Arc<Object>> = Vec::new();
    if woke_sockets {
        for (fd, (_, _, event)) in fds.iter().zip(&watched) {
            if !fd.revents().is_empty() {
                let _ = event.set_event();
                signalled.push(Arc::clone(event));
            }
        }
    }
    drop(fds);
    // The interests of signalled events are done with; the rest stay.
    state
        .get::<SockState>()
        .interests
        .retain(|i| !signalled.iter().any(|e| Arc::ptr_eq(e, &i.event)));
    !signalled.is_empty() || lookups.iter().any(|l| l.is_done())
}

/// The records of parked calls, by thread.
pub type PendingMap = HashMap<ClientId, Pending>;
