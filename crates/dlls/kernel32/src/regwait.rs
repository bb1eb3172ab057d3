//! The thread pool's registered waits: RegisterWaitForSingleObject,
//! RegisterWaitForSingleObjectEx, UnregisterWait and UnregisterWaitEx, over NTDLL's
//! RtlRegisterWait and RtlDeregisterWaitEx ([`ntdll::regwait`], which describes how the waits
//! and their callbacks behave).
//!
//! These are Windows 2000's, not NT 4.0's: NT 4.0's KERNEL32 exports none of them, so
//! GetProcAddress does not find them; ntemu binds them for programs that import them
//! statically, which NT 4.0 would refuse to load. As Windows' KERNEL32 does, they take a
//! console input handle (waiting for input to read) besides kernel objects, and turn NTDLL's
//! statuses into the last error: STATUS_PENDING (a callback still running) becomes FALSE
//! with ERROR_IO_PENDING.

use nt_object::Handle;
use nt_status::NtStatus;
use ntdll::regwait::{self, Deregistered};
use win32::{ApiCall, ApiReturn, Ptr, export};

/// Registers the wait: its handle, or the failure's status.
fn register(
    call: &mut ApiCall<'_>,
    object: Handle,
    callback: Ptr,
    context: u32,
    milliseconds: u32,
    flags: u32,
) -> Result<u32, NtStatus> {
    let object = crate::waits::wait_object(call, object, true)?;
    regwait::register(call, object, callback.0, context, milliseconds, flags)
}

/// BOOL RegisterWaitForSingleObject(PHANDLE phNewWaitObject, HANDLE hObject,
/// WAITORTIMERCALLBACK Callback, PVOID Context, ULONG dwMilliseconds, ULONG dwFlags): a
/// wait on hObject whose callback runs on a pool thread when it is signalled (or with
/// TimerOrWaitFired TRUE when dwMilliseconds pass first).
#[export]
fn RegisterWaitForSingleObject(
    call: &mut ApiCall<'_>,
    phNewWaitObject: Ptr,
    hObject: Handle,
    Callback: Ptr,
    Context: u32,
    dwMilliseconds: u32,
    dwFlags: u32,
) -> ApiReturn {
    if call.probe_write(phNewWaitObject.0, 4).is_err() {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    match register(call, hObject, Callback, Context, dwMilliseconds, dwFlags) {
        Ok(handle) => match call.write_u32(phNewWaitObject.0, handle) {
            Ok(()) => ApiReturn::Value(1),
            Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
        },
        Err(status) => call.fail(status),
    }
}

/// HANDLE RegisterWaitForSingleObjectEx(HANDLE hObject, WAITORTIMERCALLBACK Callback, PVOID
/// Context, ULONG dwMilliseconds, ULONG dwFlags): RegisterWaitForSingleObject returning the
/// new wait's handle (NULL on failure).
#[export]
fn RegisterWaitForSingleObjectEx(
    call: &mut ApiCall<'_>,
    hObject: Handle,
    Callback: Ptr,
    Context: u32,
    dwMilliseconds: u32,
    dwFlags: u32,
) -> ApiReturn {
    match register(call, hObject, Callback, Context, dwMilliseconds, dwFlags) {
        Ok(handle) => ApiReturn::Value(handle),
        Err(status) => call.fail(status),
    }
}

fn unregister(call: &mut ApiCall<'_>, wait: Handle, completion: Handle) -> ApiReturn {
    match regwait::deregister(call, wait, completion) {
        Ok(Deregistered::Now) => ApiReturn::Value(1),
        Ok(Deregistered::Pending) => call.fail(NtStatus::PENDING),
        Ok(Deregistered::Wait(done)) => ApiReturn::Retry {
            objects: vec![done],
            timeout: None,
        },
        Err(status) => call.fail(status),
    }
}

/// BOOL UnregisterWait(HANDLE WaitHandle): the wait's callback runs no more. FALSE with
/// ERROR_IO_PENDING while a callback of it runs on another thread.
#[export]
fn UnregisterWait(call: &mut ApiCall<'_>, WaitHandle: Handle) -> ApiReturn {
    unregister(call, WaitHandle, Handle::NULL)
}

/// BOOL UnregisterWaitEx(HANDLE WaitHandle, HANDLE CompletionEvent): as UnregisterWait;
/// INVALID_HANDLE_VALUE waits for running callbacks and returns TRUE, an event is signalled
/// once they are done.
#[export]
fn UnregisterWaitEx(
    call: &mut ApiCall<'_>,
    WaitHandle: Handle,
    CompletionEvent: Handle,
) -> ApiReturn {
    unregister(call, WaitHandle, CompletionEvent)
}
