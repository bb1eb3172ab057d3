//! Timer queues: CreateTimerQueue, CreateTimerQueueTimer, ChangeTimerQueueTimer,
//! DeleteTimerQueueTimer, DeleteTimerQueueEx and DeleteTimerQueue.
//!
//! These are Windows 2000's, not NT 4.0's: NT 4.0's KERNEL32 exports none of them, so
//! GetProcAddress does not find them; ntemu binds them for programs that import them
//! statically, which NT 4.0 would refuse to load. They behave as Windows 2000 and XP's:
//!
//! - Each queue has a timer thread (a guest thread of the process, parked on the queue's
//!   wake event until its next timer is due); the NULL queue is the process's default one,
//!   made on first use and never deleted. A due timer's callback `Callback(Parameter, TRUE)`
//!   runs on a thread of its own, so a slow callback holds up no other timer.
//! - A one-shot timer (period 0) runs once; ChangeTimerQueueTimer sets it again only before
//!   it has run (afterwards the call succeeds and changes nothing). A periodic timer runs
//!   every period from its last run.
//! - Deleting a timer or a queue stops further runs at once. With INVALID_HANDLE_VALUE the
//!   call waits for callbacks still running and returns TRUE; with NULL or an event, a
//!   timer whose callback is running (and a queue, always) gives FALSE with ERROR_IO_PENDING,
//!   the event being signalled when the callbacks are done. A timer not running is deleted
//!   at once (TRUE). Deleting the default queue is ERROR_INVALID_HANDLE.
//! - Handles are blocks of the process heap, as Windows' are heap pointers.

use std::collections::BTreeMap;
use std::sync::Arc;

use nt_kernel::{ALPHA_A0, ClientId, CpuContext, ServiceOutcome, THUNK_BASE, X86_ESP};
use nt_memory::GuestMemory;
use nt_object::{AccessMask, EventType, Handle, Object, ObjectType, WaitType};
use nt_status::{NtStatus, Win32Error};
use win32::{ApiCall, ApiReturn, PerProcess, Ptr, export};

/// Where a timer queue's thread starts, and comes back after each wait.
pub const TIMER_QUEUE_THREAD_THUNK: u32 = THUNK_BASE + 0x40;
/// Where a callback thread starts.
pub const TIMER_CALLBACK_THUNK: u32 = THUNK_BASE + 0x44;
/// Where a timer callback returns to.
pub const TIMER_CALLBACK_RETURN_THUNK: u32 = THUNK_BASE + 0x48;

/// WT_EXECUTEONLYONCE: the period is ignored.
const WT_EXECUTEONLYONCE: u32 = 0x8;
/// INVALID_HANDLE_VALUE as a completion event: wait for the callbacks.
const WAIT_FOR_CALLBACKS: u32 = 0xFFFF_FFFF;
/// Bytes of the process heap a handle takes.
const HANDLE_BLOCK: u32 = 16;

/// One timer queue of a process.
struct Queue {
    handle: u32,
    /// The queue's timer thread.
    thread: u32,
    /// Wakes the timer thread when the queue's timers change.
    wake: Arc<Object>,
    /// Set once DeleteTimerQueueEx was called.
    deleting: bool,
    /// The event to signal when the deleted queue's callbacks are done.
    completion: Option<Arc<Object>>,
    /// Signalled when the deleted queue's callbacks are done (for a waiting deleter).
    done: Arc<Object>,
    /// True while a deleter waits for it (it then removes the queue itself).
    awaited: bool,
}

/// One timer.
struct Timer {
    handle: u32,
    queue: u32,
    callback: u32,
    parameter: u32,
    /// Clock time (ms) of the next run, while `armed`.
    due: u64,
    period: u64,
    /// False once a one-shot timer has run (or the timer is deleted).
    armed: bool,
    deleted: bool,
    /// Callbacks of this timer running now.
    running: u32,
    /// The event to signal when the deleted timer's callbacks are done.
    completion: Option<Arc<Object>>,
    /// Signalled when the deleted timer's callbacks are done (for a waiting deleter).
    done: Arc<Object>,
    /// True while a deleter waits for it (it then removes the timer itself).
    awaited: bool,
}

/// A process's timer queues.
#[derive(Default)]
struct Queues {
    queues: Vec<Queue>,
    timers: Vec<Timer>,
    default_queue: Option<u32>,
    /// Callback threads: thread id -> the timer whose callback it runs.
    callbacks: BTreeMap<u32, u32>,
}

/// Every process's timer queues (one value in the layer's state).
#[derive(Default)]
struct TimerQueues {
    processes: PerProcess<Queues>,
}

fn with_queues<R>(call: &mut ApiCall<'_>, f: impl FnOnce(&mut Queues) -> R) -> Option<R> {
    let pid = call.thread.process;
    let object = call.process_object()?;
    Some(f(call
        .state
        .get::<TimerQueues>()
        .processes
        .get_or_default(pid, &object)))
}

fn new_event(call: &ApiCall<'_>, event_type: EventType) -> Arc<Object> {
    call.machine.objects().create_event(event_type, false)
}

/// A new queue with its timer thread.
fn make_queue(call: &mut ApiCall<'_>) -> Result<u32, NtStatus> {
    let handle =
        crate::heap::process_heap_alloc(call, HANDLE_BLOCK, true).ok_or(NtStatus::NO_MEMORY)?;
    let pid = call.thread.process;
    let thread = match call
        .machine
        .spawn_thread(pid, TIMER_QUEUE_THREAD_THUNK, handle, 0, 0)
    {
        Ok(t) => t,
        Err(e) => {
            crate::heap::process_heap_free(call, handle);
            return Err(e.status());
        }
    };
    let queue = Queue {
        handle,
        thread,
        wake: new_event(call, EventType::Synchronization),
        deleting: false,
        completion: None,
        done: new_event(call, EventType::Notification),
        awaited: false,
    };
    with_queues(call, |q| q.queues.push(queue));
    Ok(handle)
}

/// The queue a handle names (NULL: the default queue, made if need be).
fn queue_of(call: &mut ApiCall<'_>, handle: u32) -> Result<u32, NtStatus> {
    if handle == 0 {
        if let Some(Some(q)) = with_queues(call, |q| q.default_queue) {
            return Ok(q);
        }
        let q = make_queue(call)?;
        with_queues(call, |s| s.default_queue = Some(q));
        return Ok(q);
    }
    match with_queues(call, |q| {
        q.queues.iter().any(|x| x.handle == handle && !x.deleting)
    }) {
        Some(true) => Ok(handle),
        _ => Err(NtStatus::INVALID_HANDLE),
    }
}

fn wake_queue(q: &Queues, queue: u32) {
    if let Some(queue) = q.queues.iter().find(|x| x.handle == queue) {
        let _ = queue.wake.set_event();
    }
}

/// HANDLE CreateTimerQueue(void): a new queue (and its timer thread); NULL with the last
/// error when the process cannot have another thread.
#[export]
fn CreateTimerQueue(call: &mut ApiCall<'_>) -> ApiReturn {
    match make_queue(call) {
        Ok(h) => ApiReturn::Value(h),
        Err(status) => call.fail(status),
    }
}

/// BOOL CreateTimerQueueTimer(PHANDLE phNewTimer, HANDLE TimerQueue, WAITORTIMERCALLBACK
/// Callback, PVOID Parameter, DWORD DueTime, DWORD Period, ULONG Flags): a timer due in
/// DueTime ms, then every Period ms (0: once; WT_EXECUTEONLYONCE ignores the period).
#[export]
fn CreateTimerQueueTimer(
    call: &mut ApiCall<'_>,
    phNewTimer: Ptr,
    TimerQueue: Handle,
    Callback: Ptr,
    Parameter: u32,
    DueTime: u32,
    Period: u32,
    Flags: u32,
) -> ApiReturn {
    if call.probe_write(phNewTimer.0, 4).is_err() {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    if Callback.is_null() {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    let queue = match queue_of(call, TimerQueue.0) {
        Ok(q) => q,
        Err(status) => return call.fail(status),
    };
    let Some(handle) = crate::heap::process_heap_alloc(call, HANDLE_BLOCK, true) else {
        return call.fail(NtStatus::NO_MEMORY);
    };
    if call.write_u32(phNewTimer.0, handle).is_err() {
        crate::heap::process_heap_free(call, handle);
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    let period = if Flags & WT_EXECUTEONLYONCE != 0 {
        0
    } else {
        u64::from(Period)
    };
    let timer = Timer {
        handle,
        queue,
        callback: Callback.0,
        parameter: Parameter,
        due: call.machine.clock().now_ms() + u64::from(DueTime),
        period,
        armed: true,
        deleted: false,
        running: 0,
        completion: None,
        done: new_event(call, EventType::Notification),
        awaited: false,
    };
    with_queues(call, |q| {
        q.timers.push(timer);
        wake_queue(q, queue);
    });
    ApiReturn::Value(1)
}

/// BOOL ChangeTimerQueueTimer(HANDLE TimerQueue, HANDLE Timer, ULONG DueTime, ULONG Period):
/// the timer runs next in DueTime ms, then every Period ms. A one-shot timer that has run is
/// left as it is (TRUE). The queue argument is not needed to find the timer.
#[export]
fn ChangeTimerQueueTimer(
    call: &mut ApiCall<'_>,
    TimerQueue: Handle,
    Timer: Handle,
    DueTime: u32,
    Period: u32,
) -> ApiReturn {
    let _ = TimerQueue;
    let now = call.machine.clock().now_ms();
    let changed = with_queues(call, |q| {
        let timer = q
            .timers
            .iter_mut()
            .find(|t| t.handle == Timer.0 && !t.deleted)?;
        if timer.armed {
            timer.due = now + u64::from(DueTime);
            timer.period = u64::from(Period);
        }
        let queue = timer.queue;
        wake_queue(q, queue);
        Some(())
    })
    .flatten();
    match changed {
        Some(()) => ApiReturn::Value(1),
        None => call.fail(NtStatus::INVALID_PARAMETER),
    }
}

/// The completion event argument of the delete calls: NULL, wait (INVALID_HANDLE_VALUE), or
/// an event of the caller's.
enum Completion {
    None,
    Wait,
    Event(Arc<Object>),
}

fn completion_of(call: &ApiCall<'_>, handle: Handle) -> Result<Completion, NtStatus> {
    match handle.0 {
        0 => Ok(Completion::None),
        WAIT_FOR_CALLBACKS => Ok(Completion::Wait),
        _ => call
            .reference(
                handle,
                AccessMask::EVENT_MODIFY_STATE,
                Some(ObjectType::Event),
            )
            .map(Completion::Event)
            .map_err(|e| e.status()),
    }
}

/// What a delete call found.
enum Deleted {
    /// Done: TRUE.
    Now,
    /// Callbacks are running and the caller waits for them on this event.
    Wait(Arc<Object>),
    /// Callbacks are running (or the queue's thread must end): FALSE, ERROR_IO_PENDING.
    Pending,
    /// No such timer or queue.
    Unknown,
}

fn finish_delete(
    call: &mut ApiCall<'_>,
    deleted: Deleted,
    handle: u32,
    unknown: NtStatus,
) -> ApiReturn {
    match deleted {
        Deleted::Now => {
            crate::heap::process_heap_free(call, handle);
            ApiReturn::Value(1)
        }
        Deleted::Wait(done) => ApiReturn::Retry {
            objects: vec![done],
            timeout: None,
        },
        Deleted::Pending => call.fail_win32(Win32Error::IO_PENDING, 0),
        Deleted::Unknown => call.fail(unknown),
    }
}

/// BOOL DeleteTimerQueueTimer(HANDLE TimerQueue, HANDLE Timer, HANDLE CompletionEvent):
/// the timer runs no more. TRUE when none of its callbacks runs (or, with
/// INVALID_HANDLE_VALUE, once they have ended); FALSE with ERROR_IO_PENDING while one runs,
/// CompletionEvent being signalled when it ends.
#[export]
fn DeleteTimerQueueTimer(
    call: &mut ApiCall<'_>,
    TimerQueue: Handle,
    Timer: Handle,
    CompletionEvent: Handle,
) -> ApiReturn {
    let _ = TimerQueue;
    let completion = match completion_of(call, CompletionEvent) {
        Ok(c) => c,
        Err(status) => return call.fail(status),
    };
    let deleted = with_queues(call, |q| {
        let Some(i) = q.timers.iter().position(|t| t.handle == Timer.0) else {
            return Deleted::Unknown;
        };
        let timer = &mut q.timers[i];
        let again = timer.deleted;
        if again && !(timer.awaited && matches!(completion, Completion::Wait)) {
            return Deleted::Unknown;
        }
        timer.deleted = true;
        timer.armed = false;
        if timer.running == 0 {
            let timer = q.timers.remove(i);
            if let Completion::Event(e) = &completion {
                let _ = e.set_event();
            }
            wake_queue(q, timer.queue);
            return Deleted::Now;
        }
        match completion {
            Completion::Wait => {
                timer.awaited = true;
                Deleted::Wait(Arc::clone(&timer.done))
            }
            Completion::Event(e) => {
                timer.completion = Some(e);
                Deleted::Pending
            }
            Completion::None => Deleted::Pending,
        }
    })
    .unwrap_or(Deleted::Unknown);
    finish_delete(call, deleted, Timer.0, NtStatus::INVALID_PARAMETER)
}

/// BOOL DeleteTimerQueueEx(HANDLE TimerQueue, HANDLE CompletionEvent): the queue's timers
/// run no more and its thread ends. With INVALID_HANDLE_VALUE the call waits for running
/// callbacks and returns TRUE; otherwise FALSE with ERROR_IO_PENDING, CompletionEvent being
/// signalled once the callbacks are done. The default queue (NULL) is ERROR_INVALID_HANDLE.
#[export]
fn DeleteTimerQueueEx(
    call: &mut ApiCall<'_>,
    TimerQueue: Handle,
    CompletionEvent: Handle,
) -> ApiReturn {
    delete_queue(call, TimerQueue.0, CompletionEvent)
}

/// BOOL DeleteTimerQueue(HANDLE TimerQueue): DeleteTimerQueueEx(TimerQueue, NULL).
#[export]
fn DeleteTimerQueue(call: &mut ApiCall<'_>, TimerQueue: Handle) -> ApiReturn {
    delete_queue(call, TimerQueue.0, Handle::NULL)
}

fn delete_queue(call: &mut ApiCall<'_>, queue: u32, completion: Handle) -> ApiReturn {
    if queue == 0 {
        return call.fail(NtStatus::INVALID_HANDLE);
    }
    let completion = match completion_of(call, completion) {
        Ok(c) => c,
        Err(status) => return call.fail(status),
    };
    let freed: std::cell::RefCell<Vec<u32>> = Default::default();
    let deleted = with_queues(call, |q| {
        if q.default_queue == Some(queue) {
            return Deleted::Unknown;
        }
        let Some(qi) = q.queues.iter().position(|x| x.handle == queue) else {
            return Deleted::Unknown;
        };
        let again = q.queues[qi].deleting;
        if again && !matches!(completion, Completion::Wait) {
            return Deleted::Unknown;
        }
        q.queues[qi].deleting = true;
        let _ = q.queues[qi].wake.set_event();
        // Timers not running go now; running ones when their callbacks end.
        q.timers.retain_mut(|t| {
            if t.queue != queue {
                return true;
            }
            t.deleted = true;
            t.armed = false;
            if t.running == 0 {
                freed.borrow_mut().push(t.handle);
                false
            } else {
                true
            }
        });
        let running = q.timers.iter().any(|t| t.queue == queue);
        if !running {
            let done = q.queues.remove(qi);
            if let Completion::Event(e) = &completion {
                let _ = e.set_event();
            }
            return match completion {
                Completion::Wait => Deleted::Now,
                _ => {
                    freed.borrow_mut().push(done.handle);
                    Deleted::Pending
                }
            };
        }
        match completion {
            Completion::Wait => {
                q.queues[qi].awaited = true;
                Deleted::Wait(Arc::clone(&q.queues[qi].done))
            }
            Completion::Event(e) => {
                q.queues[qi].completion = Some(e);
                Deleted::Pending
            }
            Completion::None => Deleted::Pending,
        }
    })
    .unwrap_or(Deleted::Unknown);
    for handle in freed.into_inner() {
        crate::heap::process_heap_free(call, handle);
    }
    finish_delete(call, deleted, queue, NtStatus::INVALID_HANDLE)
}

/// The thread's start parameter: [esp+4] on x86, a0 on Alpha.
fn start_parameter(call: &ApiCall<'_>) -> Option<u32> {
    let p = call.process()?;
    let t = p.thread(call.thread.thread)?;
    match t.context() {
        CpuContext::X86(c) => p
            .address_space()
            .read_u32(c.gpr[X86_ESP].wrapping_add(4))
            .ok(),
        CpuContext::Alpha(c) => Some(c.r[ALPHA_A0] as u32),
    }
}

/// A thread reached one of the timer queues' thunks: None for any other address.
pub(crate) fn thunk(call: &mut ApiCall<'_>, address: u32) -> Option<ServiceOutcome> {
    match address {
        TIMER_QUEUE_THREAD_THUNK => Some(queue_thread(call)),
        TIMER_CALLBACK_THUNK => Some(callback_thread(call)),
        TIMER_CALLBACK_RETURN_THUNK => Some(callback_returned(call)),
        _ => None,
    }
}

/// The queue thread's turn: starts the callbacks of the due timers, then waits until the
/// next is due or the queue changes (coming back here), or ends with its deleted queue.
fn queue_thread(call: &mut ApiCall<'_>) -> ServiceOutcome {
    let me = call.thread.thread;
    let pid = call.thread.process;
    let now = call.machine.clock().now_ms();
    let Some(Some((queue, wake))) = with_queues(call, |q| {
        q.queues
            .iter()
            .find(|x| x.thread == me && !x.deleting)
            .map(|x| (x.handle, Arc::clone(&x.wake)))
    }) else {
        return ServiceOutcome::ExitThread(0);
    };
    let due: Vec<u32> = with_queues(call, |q| {
        q.timers
            .iter_mut()
            .filter(|t| t.queue == queue && t.armed && t.due <= now)
            .map(|t| {
                if t.period == 0 {
                    t.armed = false;
                } else {
                    t.due = now + t.period;
                }
                t.handle
            })
            .collect()
    })
    .unwrap_or_default();
    for timer in due {
        if let Ok(tid) = call
            .machine
            .spawn_thread(pid, TIMER_CALLBACK_THUNK, timer, 0, 0)
        {
            with_queues(call, |q| {
                q.callbacks.insert(tid, timer);
                if let Some(t) = q.timers.iter_mut().find(|t| t.handle == timer) {
                    t.running += 1;
                }
            });
        }
    }
    let next = with_queues(call, |q| {
        q.timers
            .iter()
            .filter(|t| t.queue == queue && t.armed)
            .map(|t| t.due)
            .min()
    })
    .flatten();
    ServiceOutcome::Wait {
        objects: vec![wake],
        wait_type: WaitType::Any,
        timeout: next.map(|d| std::time::Duration::from_millis(d.saturating_sub(now))),
    }
}

/// A callback thread starts: it calls `Callback(Parameter, TRUE)`, returning to
/// [`TIMER_CALLBACK_RETURN_THUNK`].
fn callback_thread(call: &mut ApiCall<'_>) -> ServiceOutcome {
    let me = call.thread.thread;
    let timer = start_parameter(call);
    let target = with_queues(call, |q| {
        let timer = timer?;
        q.timers
            .iter()
            .find(|t| t.handle == timer)
            .map(|t| (t.callback, t.parameter))
    })
    .flatten();
    let Some((callback, parameter)) = target else {
        forget_callback(call, me);
        return ServiceOutcome::ExitThread(0);
    };
    let thread = call.thread;
    if set_up_call(call, thread, callback, parameter).is_none() {
        forget_callback(call, me);
        return ServiceOutcome::ExitThread(0);
    }
    ServiceOutcome::Continue
}

/// Points the calling thread at `callback(parameter, TRUE)`.
fn set_up_call(
    call: &mut ApiCall<'_>,
    thread: ClientId,
    callback: u32,
    parameter: u32,
) -> Option<()> {
    ntdll::regwait::call_callback(
        call,
        thread,
        callback,
        parameter,
        true,
        TIMER_CALLBACK_RETURN_THUNK,
    )
}

/// A callback returned: its timer (and queue) may now be done with; the thread ends.
fn callback_returned(call: &mut ApiCall<'_>) -> ServiceOutcome {
    let me = call.thread.thread;
    forget_callback(call, me);
    ServiceOutcome::ExitThread(0)
}

/// Counts the callback of thread `tid` as ended: signals and removes what waited for it.
fn forget_callback(call: &mut ApiCall<'_>, tid: u32) {
    let freed = with_queues(call, |q| {
        let mut freed = Vec::new();
        let Some(timer) = q.callbacks.remove(&tid) else {
            return freed;
        };
        let Some(i) = q.timers.iter().position(|t| t.handle == timer) else {
            return freed;
        };
        let t = &mut q.timers[i];
        t.running = t.running.saturating_sub(1);
        if t.running > 0 || !t.deleted {
            return freed;
        }
        let _ = t.done.set_event();
        if let Some(e) = t.completion.take() {
            let _ = e.set_event();
        }
        let queue = t.queue;
        if !t.awaited {
            q.timers.remove(i);
            freed.push(timer);
        }
        // A deleted queue is done when none of its timers runs any more.
        let busy = q.timers.iter().any(|t| t.queue == queue && t.running > 0);
        if let Some(qi) = q
            .queues
            .iter()
            .position(|x| x.handle == queue && x.deleting)
            && !busy
        {
            let _ = q.queues[qi].done.set_event();
            if let Some(e) = q.queues[qi].completion.take() {
                let _ = e.set_event();
            }
            if !q.queues[qi].awaited {
                let gone = q.queues.remove(qi);
                freed.push(gone.handle);
                q.timers.retain(|t| {
                    let keep = t.queue != queue;
                    if !keep {
                        freed.push(t.handle);
                    }
                    keep
                });
            }
        }
        freed
    })
    .unwrap_or_default();
    for handle in freed {
        crate::heap::process_heap_free(call, handle);
    }
}
