//! Waits and user APCs: WaitForSingleObject(Ex), WaitForMultipleObjects(Ex), Sleep(Ex),
//! SignalObjectAndWait and QueueUserAPC, over NTDLL's native services (the scheduler parks
//! the guest thread; nothing blocks the host or polls).
//!
//! - An alertable wait (`bAlertable`) ends with WAIT_IO_COMPLETION when a user APC is queued
//!   to the thread and its objects do not satisfy it first; the APCs run before the call
//!   returns. SleepEx returns 0 when the time has passed.
//! - A handle with the console's tag bits (a value ending in binary 11) is a console handle
//!   only if the process has that console handle; otherwise it goes to the handle table,
//!   which ignores the tag bits, as NT 4.0's VerifyConsoleIoHandle check lets it through.
//! - WaitForSingleObject takes the pseudo-handles (the process and thread objects);
//!   WaitForMultipleObjects does not (ERROR_INVALID_HANDLE), as NtWaitForMultipleObjects
//!   looks its handles up in the handle table only.

use std::sync::Arc;
use std::time::Duration;

use nt_kernel::{UserApc, WaitRequest};
use nt_object::{AccessMask, Handle, Object, WaitType};
use nt_status::NtStatus;
use ntdll::sync as native;
use win32::{ApiCall, ApiReturn, Ptr, export, is_console_handle};

use crate::{INFINITE, WAIT_FAILED};

/// The timeout a Win32 wait's milliseconds give (None for INFINITE).
pub(crate) fn timeout(ms: u32) -> Option<Duration> {
    (ms != INFINITE).then(|| Duration::from_millis(u64::from(ms)))
}

/// The object a Win32 wait waits on for `handle`: a console handle of the process, else
/// the handle table's object (pseudo-handles only for single-object waits). The console
/// input is waited on through the console's input event, signalled while input records wait
/// to be read, as NT's console input handle is.
pub(crate) fn wait_object(
    call: &mut ApiCall<'_>,
    handle: Handle,
    single: bool,
) -> Result<Arc<Object>, NtStatus> {
    if is_console_handle(handle)
        && let Ok(object) = call.reference(handle, AccessMask::SYNCHRONIZE, None)
    {
        if !object.is_waitable() {
            return Err(NtStatus::OBJECT_TYPE_MISMATCH);
        }
        return Ok(crate::console_api::console_wait_object(call, object));
    }
    let object = native::reference_waitable(call, handle, single)?;
    Ok(crate::console_api::console_wait_object(call, object))
}

/// Fails a wait: the last error for `status`, WAIT_FAILED.
fn failed(call: &mut ApiCall<'_>, status: NtStatus) -> ApiReturn {
    call.fail_with(status, WAIT_FAILED)
}

/// WaitForSingleObjectEx's work.
pub(crate) fn wait_single(
    call: &mut ApiCall<'_>,
    handle: Handle,
    ms: u32,
    alertable: bool,
) -> ApiReturn {
    match wait_object(call, handle, true) {
        Ok(object) => ApiReturn::WaitFor(WaitRequest {
            objects: vec![object],
            wait_type: WaitType::Any,
            timeout: timeout(ms),
            alertable,
            alerts: false,
        }),
        Err(status) => failed(call, status),
    }
}

/// The objects a wait on the `count` handles at `handles` waits for, with
/// WaitForMultipleObjects's checks (USER32's MsgWaitForMultipleObjects waits on them and its
/// queue).
pub fn wait_objects(
    call: &mut ApiCall<'_>,
    count: u32,
    handles: Ptr,
) -> Result<Vec<Arc<Object>>, NtStatus> {
    native::wait_objects(call, count, handles, WaitType::Any, |c, h| {
        wait_object(c, h, false)
    })
}

/// WaitForMultipleObjectsEx's work.
pub(crate) fn wait_multiple(
    call: &mut ApiCall<'_>,
    count: u32,
    handles: Ptr,
    wait_all: bool,
    ms: u32,
    alertable: bool,
) -> ApiReturn {
    let wait_type = if wait_all {
        WaitType::All
    } else {
        WaitType::Any
    };
    match native::wait_objects(call, count, handles, wait_type, |c, h| {
        wait_object(c, h, false)
    }) {
        Ok(objects) => ApiReturn::WaitFor(WaitRequest {
            objects,
            wait_type,
            timeout: timeout(ms),
            alertable,
            alerts: false,
        }),
        Err(status) => failed(call, status),
    }
}

/// DWORD WaitForSingleObjectEx(HANDLE hHandle, DWORD dwMilliseconds, BOOL bAlertable):
/// WAIT_OBJECT_0, WAIT_ABANDONED, WAIT_TIMEOUT, WAIT_IO_COMPLETION (an APC ran), or
/// WAIT_FAILED with the last error.
#[export]
fn WaitForSingleObjectEx(
    call: &mut ApiCall<'_>,
    hHandle: Handle,
    dwMilliseconds: u32,
    bAlertable: bool,
) -> ApiReturn {
    wait_single(call, hHandle, dwMilliseconds, bAlertable)
}

/// DWORD WaitForMultipleObjectsEx(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll,
/// DWORD dwMilliseconds, BOOL bAlertable): WAIT_OBJECT_0 + n for the lowest-numbered object
/// that satisfied a WaitAny (WAIT_OBJECT_0 for a WaitAll), WAIT_ABANDONED_0 + n,
/// WAIT_TIMEOUT, WAIT_IO_COMPLETION, or WAIT_FAILED (0 or more than 64 handles, an object
/// twice in a WaitAll: ERROR_INVALID_PARAMETER; a pseudo-handle: ERROR_INVALID_HANDLE).
#[export]
fn WaitForMultipleObjectsEx(
    call: &mut ApiCall<'_>,
    nCount: u32,
    lpHandles: Ptr,
    bWaitAll: bool,
    dwMilliseconds: u32,
    bAlertable: bool,
) -> ApiReturn {
    wait_multiple(
        call,
        nCount,
        lpHandles,
        bWaitAll,
        dwMilliseconds,
        bAlertable,
    )
}

/// SleepEx's work (Sleep is the non-alertable case): a delay of `ms` (0 returns at once
/// unless an APC is queued to an alertable caller).
pub(crate) fn sleep(call: &mut ApiCall<'_>, ms: u32, alertable: bool) -> ApiReturn {
    // A sleeping program has drawn what it wants seen.
    crate::console::sync_console(call);
    ApiReturn::WaitFor(WaitRequest::delay(timeout(ms), alertable))
}

/// DWORD SleepEx(DWORD dwMilliseconds, BOOL bAlertable): 0 when the time has passed,
/// WAIT_IO_COMPLETION when an APC ended an alertable sleep (the APCs have run).
#[export]
fn SleepEx(call: &mut ApiCall<'_>, dwMilliseconds: u32, bAlertable: bool) -> ApiReturn {
    sleep(call, dwMilliseconds, bAlertable)
}

/// BOOL SwitchToThread(void): gives the rest of the thread's turn to another thread ready
/// to run; nonzero once that thread has run, 0 (at once) when no other thread was ready.
#[export]
fn SwitchToThread(call: &mut ApiCall<'_>) -> ApiReturn {
    match ntdll::sync::yield_execution(call) {
        ntdll::sync::Yield::Done => ApiReturn::Value(1),
        ntdll::sync::Yield::NoneReady => ApiReturn::Value(0),
        ntdll::sync::Yield::Wait(wait) => wait,
    }
}

/// DWORD SignalObjectAndWait(HANDLE hObjectToSignal, HANDLE hObjectToWaitOn, DWORD
/// dwMilliseconds, BOOL bAlertable): signals an event, a mutex or a semaphore (by one) and
/// waits on the other object as one step; both handles are checked before anything is
/// signalled. A semaphore at its maximum fails with ERROR_TOO_MANY_POSTS and no wait; an
/// object that cannot be signalled (a file) is ERROR_INVALID_HANDLE.
#[export]
fn SignalObjectAndWait(
    call: &mut ApiCall<'_>,
    hObjectToSignal: Handle,
    hObjectToWaitOn: Handle,
    dwMilliseconds: u32,
    bAlertable: bool,
) -> ApiReturn {
    let signal = hObjectToSignal;
    let to_signal = match call.reference(signal, AccessMask(0), None) {
        Ok(o) => o,
        Err(e) => return failed(call, e.status()),
    };
    let to_wait = match wait_object(call, hObjectToWaitOn, true) {
        Ok(o) => o,
        Err(status) => return failed(call, status),
    };
    if let Err(status) = native::signal_for_wait(call, &to_signal, signal) {
        return failed(call, status);
    }
    ApiReturn::WaitFor(WaitRequest {
        objects: vec![to_wait],
        wait_type: WaitType::Any,
        timeout: timeout(dwMilliseconds),
        alertable: bAlertable,
        alerts: false,
    })
}

/// DWORD QueueUserAPC(PAPCFUNC pfnAPC, HANDLE hThread, ULONG_PTR dwData): queues
/// `pfnAPC(dwData)` to the thread (its handle needs THREAD_SET_CONTEXT), which runs it at
/// its next alertable wait. Nonzero on success; a thread that has ended is
/// ERROR_GEN_FAILURE.
#[export]
fn QueueUserAPC(call: &mut ApiCall<'_>, pfnAPC: Ptr, hThread: Handle, dwData: u32) -> ApiReturn {
    // NT 4.0's QueueUserAPC hands the routine to NtQueueApcThread as the APC's routine.
    let apc = UserApc {
        routine: pfnAPC.0,
        context: dwData,
        argument1: 0,
        argument2: 0,
    };
    match native::queue_apc(call, hThread, apc) {
        NtStatus::SUCCESS => ApiReturn::Value(1),
        status => call.fail(status),
    }
}
