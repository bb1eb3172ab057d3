//! The thread pool's registered waits: RtlRegisterWait, RtlDeregisterWait and
//! RtlDeregisterWaitEx, on which KERNEL32's RegisterWaitForSingleObject(Ex) and
//! UnregisterWait(Ex) are built.
//!
//! These are Windows 2000's, not NT 4.0's: NT 4.0's NTDLL and KERNEL32 export none of them,
//! so GetProcAddress does not find them; ntemu binds them for programs that import them
//! statically, which NT 4.0 would refuse to load. They behave as Windows 2000 and XP's:
//!
//! - Registered waits share wait threads (guest threads of the process), up to 63 on one,
//!   as Windows' do: a wait thread waits on all its waits' objects at once, each wait with
//!   its own timeout. When a wait's object is signalled its callback runs as
//!   `Callback(Context, FALSE)`; when its timeout passes first, `Callback(Context, TRUE)`.
//!   The callback runs on a worker thread of its own, or with WT_EXECUTEINWAITTHREAD on the
//!   wait thread itself, so that such callbacks of the waits of one thread run one after the
//!   other and the thread's other waits wait until the callback has returned.
//! - With WT_EXECUTEONLYONCE the wait ends after its first callback; otherwise the thread
//!   waits again (an object that stays signalled calls the callback again and again, as
//!   Windows' does). Either way the registration lasts until it is deregistered.
//! - Deregistering stops further callbacks at once. A callback running on another thread
//!   makes the call STATUS_PENDING (KERNEL32: FALSE with ERROR_IO_PENDING) unless the
//!   completion argument is INVALID_HANDLE_VALUE, which waits for the callbacks and
//!   succeeds; an event given as completion is signalled when the callbacks are done (at
//!   once when none runs). A callback deregistering its own wait does not wait for itself.
//!   A handle deregistered already, or never registered, is STATUS_INVALID_HANDLE.
//! - Handles are blocks of the process heap, as Windows' are heap pointers.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use nt_kernel::{
    ALPHA_A0, ALPHA_PV, ALPHA_RA, ALPHA_V0, ClientId, CpuContext, ServiceOutcome, THUNK_BASE,
    X86_EAX, X86_ESP, sign_extend,
};
use nt_memory::GuestMemory;
use nt_object::{AccessMask, EventType, Handle, Object, ObjectType, WaitType};
use nt_status::NtStatus;
use win32::{ApiCall, ApiReturn, PerProcess, Ptr, export};

use crate::heap::{self, HEAP_NO_SERIALIZE, HEAP_ZERO_MEMORY};

/// Where a wait thread starts, and comes back after each wait.
pub const WAIT_THREAD_THUNK: u32 = THUNK_BASE + 0x60;
/// Where a worker thread running one callback starts.
pub const WAIT_WORKER_THUNK: u32 = THUNK_BASE + 0x64;
/// Where a callback run on a worker thread returns to.
pub const WAIT_WORKER_RETURN_THUNK: u32 = THUNK_BASE + 0x68;
/// Where a callback run on the wait thread (WT_EXECUTEINWAITTHREAD) returns to.
pub const WAIT_INLINE_RETURN_THUNK: u32 = THUNK_BASE + 0x6C;

/// WT_EXECUTEINWAITTHREAD: the callback runs on the wait thread.
pub const WT_EXECUTEINWAITTHREAD: u32 = 0x4;
/// WT_EXECUTEONLYONCE: one callback, then the wait ends.
pub const WT_EXECUTEONLYONCE: u32 = 0x8;
/// INVALID_HANDLE_VALUE as a completion event: wait for the callbacks.
const WAIT_FOR_CALLBACKS: u32 = 0xFFFF_FFFF;
/// INFINITE.
const INFINITE: u32 = 0xFFFF_FFFF;
/// Bytes of the process heap a handle takes.
const HANDLE_BLOCK: u32 = 16;
/// STATUS_ABANDONED_WAIT_0.
const WAIT_ABANDONED_0: u32 = 0x80;
/// How many waits share a wait thread: MAXIMUM_WAIT_OBJECTS less the thread's wake event.
const WAITS_PER_THREAD: usize = 63;

/// One registered wait.
struct Wait {
    handle: u32,
    object: Arc<Object>,
    callback: u32,
    context: u32,
    /// The timeout (ms), None for INFINITE.
    timeout: Option<u64>,
    /// Clock time (ms) the wait times out at, while it waits with a timeout.
    deadline: Option<u64>,
    flags: u32,
    /// The wait thread it is on.
    thread: u32,
    /// True once a WT_EXECUTEONLYONCE wait has had its callback.
    finished: bool,
    /// True once deregistered.
    deleted: bool,
    /// The threads running a callback of this wait now.
    runners: Vec<u32>,
    /// The event to signal when the deregistered wait's callbacks are done.
    completion: Option<Arc<Object>>,
    /// Signalled when the deregistered wait's callbacks are done (for a waiting deregisterer).
    done: Arc<Object>,
    /// True while a deregisterer waits for it (it then removes the wait itself).
    awaited: bool,
}

/// A wait thread: it waits on the objects of up to [`WAITS_PER_THREAD`] waits at once (and
/// its wake event), and runs their WT_EXECUTEINWAITTHREAD callbacks one after the other.
struct WaitThread {
    thread: u32,
    /// Wakes the thread when its waits change.
    wake: Arc<Object>,
    /// While the thread is parked: the waits whose objects follow the wake event in its wait.
    waiting_on: Option<Vec<u32>>,
    /// Callbacks due to run on the thread itself: (wait, TimerOrWaitFired).
    pending: VecDeque<(u32, bool)>,
}

/// A process's registered waits.
#[derive(Default)]
struct Waits {
    waits: Vec<Wait>,
    threads: Vec<WaitThread>,
    /// Worker threads: thread id -> (the wait, TimerOrWaitFired).
    workers: BTreeMap<u32, (u32, bool)>,
}

/// Every process's registered waits (one value in the layer's state).
#[derive(Default)]
struct RegisteredWaits {
    processes: PerProcess<Waits>,
}

fn with_waits<R>(call: &mut ApiCall<'_>, f: impl FnOnce(&mut Waits) -> R) -> Option<R> {
    let pid = call.thread.process;
    let object = call.process_object()?;
    Some(f(call
        .state
        .get::<RegisteredWaits>()
        .processes
        .get_or_default(pid, &object)))
}

/// A zeroed block of the process heap (PEB.ProcessHeap).
fn heap_block(call: &mut ApiCall<'_>) -> Option<u32> {
    let peb = call.process()?.peb();
    let heap = call
        .read_u32(peb + nt_kernel::teb::peb_offsets::PROCESS_HEAP)
        .ok()
        .filter(|&h| h != 0)?;
    heap::with_heap_call(call, |c| {
        c.allocate(heap, HEAP_NO_SERIALIZE | HEAP_ZERO_MEMORY, HANDLE_BLOCK)
    })
    .ok()
}

fn free_block(call: &mut ApiCall<'_>, at: u32) {
    let Some(peb) = call.process().map(|p| p.peb()) else {
        return;
    };
    if let Ok(heap) = call.read_u32(peb + nt_kernel::teb::peb_offsets::PROCESS_HEAP) {
        let _ = heap::with_heap_call(call, |c| c.free(heap, HEAP_NO_SERIALIZE, at));
    }
}

/// Registers a wait on `object` (already referenced for SYNCHRONIZE): it joins a wait
/// thread with room (one is started when none has), and the new wait's handle is returned.
pub fn register(
    call: &mut ApiCall<'_>,
    object: Arc<Object>,
    callback: u32,
    context: u32,
    milliseconds: u32,
    flags: u32,
) -> Result<u32, NtStatus> {
    let handle = heap_block(call).ok_or(NtStatus::NO_MEMORY)?;
    let room = with_waits(call, |w| {
        w.threads
            .iter()
            .find(|t| {
                w.waits
                    .iter()
                    .filter(|x| x.thread == t.thread && !x.deleted)
                    .count()
                    < WAITS_PER_THREAD
            })
            .map(|t| t.thread)
    })
    .flatten();
    let thread = match room {
        Some(t) => t,
        None => {
            let pid = call.thread.process;
            let tid = match call.machine.spawn_thread(pid, WAIT_THREAD_THUNK, 0, 0, 0) {
                Ok(t) => t,
                Err(e) => {
                    free_block(call, handle);
                    return Err(e.status());
                }
            };
            let wake = call
                .machine
                .objects()
                .create_event(EventType::Synchronization, false);
            with_waits(call, |w| {
                w.threads.push(WaitThread {
                    thread: tid,
                    wake,
                    waiting_on: None,
                    pending: VecDeque::new(),
                })
            });
            tid
        }
    };
    let timeout = (milliseconds != INFINITE).then_some(u64::from(milliseconds));
    let now = call.machine.clock().now_ms();
    let done = call
        .machine
        .objects()
        .create_event(EventType::Notification, false);
    let wait = Wait {
        handle,
        object,
        callback,
        context,
        timeout,
        deadline: timeout.map(|t| now + t),
        flags,
        thread,
        finished: false,
        deleted: false,
        runners: Vec::new(),
        completion: None,
        done,
        awaited: false,
    };
    with_waits(call, |w| {
        w.waits.push(wait);
        wake_thread(w, thread);
    });
    Ok(handle)
}

/// Wakes wait thread `thread` to look at its waits again.
fn wake_thread(w: &Waits, thread: u32) {
    if let Some(t) = w.threads.iter().find(|t| t.thread == thread) {
        let _ = t.wake.set_event();
    }
}

/// The completion argument of a deregistration.
enum Completion {
    None,
    Wait,
    Event(Arc<Object>),
}

/// What a deregistration comes to.
pub enum Deregistered {
    /// Done: STATUS_SUCCESS.
    Now,
    /// Callbacks are running and the caller waits for them: the call is made again once
    /// this event is signalled.
    Wait(Arc<Object>),
    /// Callbacks are running: STATUS_PENDING.
    Pending,
}

/// Deregisters the wait `handle`, `completion` being NULL, INVALID_HANDLE_VALUE or an event.
pub fn deregister(
    call: &mut ApiCall<'_>,
    handle: Handle,
    completion: Handle,
) -> Result<Deregistered, NtStatus> {
    let completion = match completion.0 {
        0 => Completion::None,
        WAIT_FOR_CALLBACKS => Completion::Wait,
        _ => call
            .reference(
                completion,
                AccessMask::EVENT_MODIFY_STATE,
                Some(ObjectType::Event),
            )
            .map(Completion::Event)
            .map_err(|e| e.status())?,
    };
    let me = call.thread.thread;
    let outcome = with_waits(call, |w| {
        let i = w.waits.iter().position(|x| x.handle == handle.0)?;
        let wait = &mut w.waits[i];
        if wait.deleted && !(wait.awaited && matches!(completion, Completion::Wait)) {
            return None;
        }
        wait.deleted = true;
        let thread = wait.thread;
        let others = wait.runners.iter().filter(|&&t| t != me).count();
        wake_thread(w, thread);
        let wait = &mut w.waits[i];
        if others == 0 {
            w.waits.remove(i);
            if let Completion::Event(e) = &completion {
                let _ = e.set_event();
            }
            return Some(Deregistered::Now);
        }
        Some(match completion {
            Completion::Wait => {
                wait.awaited = true;
                Deregistered::Wait(Arc::clone(&wait.done))
            }
            Completion::Event(e) => {
                wait.completion = Some(e);
                Deregistered::Pending
            }
            Completion::None => Deregistered::Pending,
        })
    })
    .flatten()
    .ok_or(NtStatus::INVALID_HANDLE)?;
    if matches!(outcome, Deregistered::Now) {
        free_block(call, handle.0);
    }
    Ok(outcome)
}

/// NTSTATUS RtlRegisterWait(PHANDLE NewWaitObject, HANDLE Object, WAITORTIMERCALLBACKFUNC
/// Callback, PVOID Context, ULONG Milliseconds, ULONG Flags).
#[export]
pub fn RtlRegisterWait(
    call: &mut ApiCall<'_>,
    NewWaitObject: Ptr,
    Object: Handle,
    Callback: Ptr,
    Context: u32,
    Milliseconds: u32,
    Flags: u32,
) -> ApiReturn {
    if call.probe_write(NewWaitObject.0, 4).is_err() {
        return ApiReturn::Value(NtStatus::ACCESS_VIOLATION.0);
    }
    let object = match crate::sync::reference_waitable(call, Object, true) {
        Ok(o) => o,
        Err(status) => return ApiReturn::Value(status.0),
    };
    match register(call, object, Callback.0, Context, Milliseconds, Flags) {
        Ok(handle) => match call.write_u32(NewWaitObject.0, handle) {
            Ok(()) => ApiReturn::Value(NtStatus::SUCCESS.0),
            Err(_) => ApiReturn::Value(NtStatus::ACCESS_VIOLATION.0),
        },
        Err(status) => ApiReturn::Value(status.0),
    }
}

/// The NTSTATUS of a deregistration.
fn deregister_status(call: &mut ApiCall<'_>, handle: Handle, completion: Handle) -> ApiReturn {
    match deregister(call, handle, completion) {
        Ok(Deregistered::Now) => ApiReturn::Value(NtStatus::SUCCESS.0),
        Ok(Deregistered::Pending) => ApiReturn::Value(NtStatus::PENDING.0),
        Ok(Deregistered::Wait(done)) => ApiReturn::Retry {
            objects: vec![done],
            timeout: None,
        },
        Err(status) => ApiReturn::Value(status.0),
    }
}

/// NTSTATUS RtlDeregisterWait(HANDLE WaitHandle): RtlDeregisterWaitEx(WaitHandle, NULL).
#[export]
pub fn RtlDeregisterWait(call: &mut ApiCall<'_>, WaitHandle: Handle) -> ApiReturn {
    deregister_status(call, WaitHandle, Handle::NULL)
}

/// NTSTATUS RtlDeregisterWaitEx(HANDLE WaitHandle, HANDLE CompletionEvent):
/// STATUS_SUCCESS, or STATUS_PENDING while a callback runs on another thread (unless
/// CompletionEvent is INVALID_HANDLE_VALUE, which waits for it).
#[export]
pub fn RtlDeregisterWaitEx(
    call: &mut ApiCall<'_>,
    WaitHandle: Handle,
    CompletionEvent: Handle,
) -> ApiReturn {
    deregister_status(call, WaitHandle, CompletionEvent)
}

/// A thread reached one of the registered waits' thunks: None for any other address.
pub(crate) fn thunk(call: &mut ApiCall<'_>, address: u32) -> Option<ServiceOutcome> {
    match address {
        WAIT_THREAD_THUNK => Some(wait_thread(call)),
        WAIT_WORKER_THUNK => Some(worker_thread(call)),
        WAIT_WORKER_RETURN_THUNK => {
            let me = call.thread.thread;
            forget_runner(call, me);
            Some(ServiceOutcome::ExitThread(0))
        }
        WAIT_INLINE_RETURN_THUNK => Some(inline_returned(call)),
        _ => None,
    }
}

/// The calling thread's return register (the result of the wait it was parked on).
fn return_register(call: &ApiCall<'_>) -> Option<u32> {
    let p = call.process()?;
    let t = p.thread(call.thread.thread)?;
    Some(match t.context() {
        CpuContext::X86(c) => c.gpr[X86_EAX],
        CpuContext::Alpha(c) => c.r[ALPHA_V0] as u32,
    })
}

/// What a wait thread's turn comes to.
enum Turn {
    /// The thread has no waits left: it ends.
    End,
    /// Wait (again) on these objects.
    Wait(Vec<Arc<Object>>, Option<Duration>),
    /// Run this callback on the thread itself: (callback, context, TimerOrWaitFired).
    Inline(u32, u32, bool),
}

/// Marks `wait` as fired (its callback due): a one-shot wait is finished, another waits on
/// with its timeout started again. Returns (wait, fired, runs on the wait thread).
fn fire(wait: &mut Wait, fired: bool, now: u64) -> (u32, bool, bool) {
    if wait.flags & WT_EXECUTEONLYONCE != 0 {
        wait.finished = true;
        wait.deadline = None;
    } else {
        wait.deadline = wait.timeout.map(|t| now + t);
    }
    (wait.handle, fired, wait.flags & WT_EXECUTEINWAITTHREAD != 0)
}

/// The wait thread's turn: reads how its wait ended, starts the callbacks that are due
/// (worker threads, or one at a time on this thread for WT_EXECUTEINWAITTHREAD), and waits
/// again on its waits' objects (coming back here), or ends when it has none.
fn wait_thread(call: &mut ApiCall<'_>) -> ServiceOutcome {
    let me = call.thread.thread;
    let now = call.machine.clock().now_ms();
    let result = return_register(call).unwrap_or(0);
    let mut workers: Vec<(u32, bool)> = Vec::new();
    let turn = with_waits(call, |w| {
        let Some(ti) = w.threads.iter().position(|t| t.thread == me) else {
            return Turn::End;
        };
        let mut fired_now: Vec<(u32, bool, bool)> = Vec::new();
        // How the last wait ended: an object (by its place after the wake event), the wake
        // event, or the timeout (found by the deadlines below).
        if let Some(order) = w.threads[ti].waiting_on.take() {
            let index = match result {
                1..=64 => Some(result as usize - 1),
                r if r > WAIT_ABANDONED_0 && r <= WAIT_ABANDONED_0 + 64 => {
                    Some((r - WAIT_ABANDONED_0) as usize - 1)
                }
                _ => None,
            };
            if let Some(handle) = index.and_then(|i| order.get(i).copied())
                && let Some(wait) = w
                    .waits
                    .iter_mut()
                    .find(|x| x.handle == handle && !x.deleted && !x.finished)
            {
                fired_now.push(fire(wait, false, now));
            }
        }
        let signalled: Vec<u32> = fired_now.iter().map(|f| f.0).collect();
        for wait in w.waits.iter_mut().filter(|x| {
            x.thread == me
                && !x.deleted
                && !x.finished
                && x.deadline.is_some_and(|d| d <= now)
                && !signalled.contains(&x.handle)
        }) {
            fired_now.push(fire(wait, true, now));
        }
        for (handle, fired, inline) in fired_now {
            if inline {
                w.threads[ti].pending.push_back((handle, fired));
            } else {
                workers.push((handle, fired));
            }
        }
        // The next callback to run here, if any.
        while let Some((handle, fired)) = w.threads[ti].pending.pop_front() {
            if let Some(wait) = w
                .waits
                .iter_mut()
                .find(|x| x.handle == handle && !x.deleted)
            {
                wait.runners.push(me);
                return Turn::Inline(wait.callback, wait.context, fired);
            }
        }
        let active: Vec<&Wait> = w
            .waits
            .iter()
            .filter(|x| x.thread == me && !x.deleted && !x.finished)
            .collect();
        if active.is_empty() && !w.waits.iter().any(|x| x.thread == me && !x.deleted) {
            w.threads.remove(ti);
            return Turn::End;
        }
        let mut objects = vec![Arc::clone(&w.threads[ti].wake)];
        objects.extend(active.iter().map(|x| Arc::clone(&x.object)));
        let order: Vec<u32> = active.iter().map(|x| x.handle).collect();
        let next = active.iter().filter_map(|x| x.deadline).min();
        w.threads[ti].waiting_on = Some(order);
        Turn::Wait(
            objects,
            next.map(|d| Duration::from_millis(d.saturating_sub(now))),
        )
    })
    .unwrap_or(Turn::End);
    let pid = call.thread.process;
    for (handle, fired) in workers {
        if let Ok(tid) = call
            .machine
            .spawn_thread(pid, WAIT_WORKER_THUNK, handle, 0, 0)
        {
            with_waits(call, |w| w.workers.insert(tid, (handle, fired)));
            add_runner(call, handle, tid);
        }
    }
    match turn {
        Turn::End => ServiceOutcome::ExitThread(0),
        Turn::Wait(objects, timeout) => ServiceOutcome::Wait {
            objects,
            wait_type: WaitType::Any,
            timeout,
        },
        Turn::Inline(callback, context, fired) => {
            let thread = call.thread;
            if call_callback(
                call,
                thread,
                callback,
                context,
                fired,
                WAIT_INLINE_RETURN_THUNK,
            )
            .is_none()
            {
                forget_runner(call, me);
                return ServiceOutcome::ExitThread(0);
            }
            ServiceOutcome::Continue
        }
    }
}

fn add_runner(call: &mut ApiCall<'_>, handle: u32, tid: u32) {
    with_waits(call, |w| {
        if let Some(wait) = w.waits.iter_mut().find(|x| x.handle == handle) {
            wait.runners.push(tid);
        }
    });
}

/// A worker thread starts: it calls `Callback(Context, TimerOrWaitFired)`, returning to
/// [`WAIT_WORKER_RETURN_THUNK`].
fn worker_thread(call: &mut ApiCall<'_>) -> ServiceOutcome {
    let me = call.thread.thread;
    let target = with_waits(call, |w| {
        let (handle, fired) = w.workers.remove(&me)?;
        w.waits
            .iter()
            .find(|x| x.handle == handle)
            .map(|x| (x.callback, x.context, fired))
    })
    .flatten();
    let Some((callback, context, fired)) = target else {
        forget_runner(call, me);
        return ServiceOutcome::ExitThread(0);
    };
    let thread = call.thread;
    if call_callback(
        call,
        thread,
        callback,
        context,
        fired,
        WAIT_WORKER_RETURN_THUNK,
    )
    .is_none()
    {
        forget_runner(call, me);
        return ServiceOutcome::ExitThread(0);
    }
    ServiceOutcome::Continue
}

/// A callback run on the wait thread returned: the thread goes back to its wait.
fn inline_returned(call: &mut ApiCall<'_>) -> ServiceOutcome {
    let me = call.thread.thread;
    forget_runner(call, me);
    if let Some(p) = call.machine.process_mut(call.thread.process)
        && let Some(t) = p.thread_mut(me)
    {
        match t.context_mut() {
            CpuContext::X86(c) => {
                c.gpr[X86_EAX] = 0;
                c.eip = WAIT_THREAD_THUNK;
            }
            CpuContext::Alpha(c) => {
                c.r[ALPHA_V0] = 0;
                c.pc = sign_extend(WAIT_THREAD_THUNK);
            }
        }
    }
    wait_thread(call)
}

/// Points thread `thread` at `callback(context, fired)`, returning to `return_thunk`: a
/// WAITORTIMERCALLBACK's call (stdcall on x86).
pub fn call_callback(
    call: &mut ApiCall<'_>,
    thread: ClientId,
    callback: u32,
    context: u32,
    fired: bool,
    return_thunk: u32,
) -> Option<()> {
    let p = call.machine.process_mut(thread.process)?;
    let (space, t) = p.space_and_thread_mut(thread.thread);
    let t = t?;
    match t.context_mut() {
        CpuContext::X86(c) => {
            let sp = c.gpr[X86_ESP].wrapping_sub(12);
            let frame: Vec<u8> = [return_thunk, context, u32::from(fired)]
                .iter()
                .flat_map(|w| w.to_le_bytes())
                .collect();
            space.write_bytes(sp, &frame).ok()?;
            c.gpr[X86_ESP] = sp;
            c.eip = callback;
        }
        CpuContext::Alpha(c) => {
            c.r[ALPHA_A0] = sign_extend(context);
            c.r[ALPHA_A0 + 1] = u64::from(fired);
            c.r[ALPHA_RA] = sign_extend(return_thunk);
            c.r[ALPHA_PV] = sign_extend(callback);
            c.pc = sign_extend(callback);
        }
    }
    Some(())
}

/// Counts the callback thread `tid` ran as ended: signals and removes what waited for it.
fn forget_runner(call: &mut ApiCall<'_>, tid: u32) {
    let freed = with_waits(call, |w| {
        let i = w.waits.iter().position(|x| x.runners.contains(&tid))?;
        let wait = &mut w.waits[i];
        if let Some(r) = wait.runners.iter().position(|&t| t == tid) {
            wait.runners.remove(r);
        }
        if !wait.deleted || !wait.runners.is_empty() {
            return None;
        }
        let _ = wait.done.set_event();
        if let Some(e) = wait.completion.take() {
            let _ = e.set_event();
        }
        if wait.awaited {
            return None;
        }
        Some(w.waits.remove(i).handle)
    })
    .flatten();
    if let Some(handle) = freed {
        free_block(call, handle);
    }
}
