//! Waitable timers (NT 4.0): CreateWaitableTimer, OpenWaitableTimer, SetWaitableTimer and
//! CancelWaitableTimer, over the machine's timers (nt-kernel) and NTDLL's NtSetTimer.
//!
//! A timer is named in \BaseNamedObjects like an event (a name of another type is
//! ERROR_INVALID_HANDLE, an existing one of this type ERROR_ALREADY_EXISTS); it is set to a
//! due time (negative: relative, in 100 ns units; positive: an absolute FILETIME) and an
//! optional period in milliseconds. Setting resets its signal state; at expiry a manual-reset
//! timer is signalled until set again, an auto-reset timer releases one waiter. A completion
//! routine runs as a user APC on the thread that set the timer, at its next alertable wait,
//! with the expiry time as a FILETIME.

use nt_object::{AccessMask, EventType, Handle, NamedObjectSpec, ObjectType};
use nt_status::{NtStatus, Win32Error};
use ntdll::sync as native;
use win32::{AnsiStr, ApiCall, ApiReturn, Ptr, WideStr, export};

use crate::{create_dispatcher_object, open_named};

fn spec(manual_reset: bool) -> NamedObjectSpec {
    NamedObjectSpec::Timer {
        timer_type: if manual_reset {
            EventType::Notification
        } else {
            EventType::Synchronization
        },
    }
}

/// HANDLE CreateWaitableTimerA(LPSECURITY_ATTRIBUTES lpTimerAttributes, BOOL bManualReset,
/// LPCSTR lpTimerName): a new timer, not set, or the existing one of that name
/// (ERROR_ALREADY_EXISTS).
#[export]
fn CreateWaitableTimerA(
    call: &mut ApiCall<'_>,
    lpTimerAttributes: Ptr,
    bManualReset: bool,
    lpTimerName: Option<AnsiStr>,
) -> ApiReturn {
    create_dispatcher_object(
        call,
        lpTimerAttributes,
        lpTimerName.as_deref(),
        spec(bManualReset),
        AccessMask::TIMER_ALL_ACCESS,
    )
}

/// HANDLE CreateWaitableTimerW(LPSECURITY_ATTRIBUTES lpTimerAttributes, BOOL bManualReset,
/// LPCWSTR lpTimerName).
#[export]
fn CreateWaitableTimerW(
    call: &mut ApiCall<'_>,
    lpTimerAttributes: Ptr,
    bManualReset: bool,
    lpTimerName: Option<WideStr>,
) -> ApiReturn {
    create_dispatcher_object(
        call,
        lpTimerAttributes,
        lpTimerName.as_deref(),
        spec(bManualReset),
        AccessMask::TIMER_ALL_ACCESS,
    )
}

/// HANDLE OpenWaitableTimerA(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCSTR
/// lpTimerName): NULL with ERROR_FILE_NOT_FOUND for a name nobody has, ERROR_INVALID_PARAMETER
/// for no name.
#[export]
fn OpenWaitableTimerA(
    call: &mut ApiCall<'_>,
    dwDesiredAccess: AccessMask,
    bInheritHandle: bool,
    lpTimerName: Option<AnsiStr>,
) -> ApiReturn {
    open_named(
        call,
        ObjectType::Timer,
        dwDesiredAccess,
        bInheritHandle,
        lpTimerName.as_deref(),
    )
}

/// HANDLE OpenWaitableTimerW(DWORD dwDesiredAccess, BOOL bInheritHandle, LPCWSTR
/// lpTimerName).
#[export]
fn OpenWaitableTimerW(
    call: &mut ApiCall<'_>,
    dwDesiredAccess: AccessMask,
    bInheritHandle: bool,
    lpTimerName: Option<WideStr>,
) -> ApiReturn {
    open_named(
        call,
        ObjectType::Timer,
        dwDesiredAccess,
        bInheritHandle,
        lpTimerName.as_deref(),
    )
}

/// BOOL SetWaitableTimer(HANDLE hTimer, const LARGE_INTEGER *pDueTime, LONG lPeriod,
/// PTIMERAPCROUTINE pfnCompletionRoutine, LPVOID lpArgToCompletionRoutine, BOOL fResume):
/// sets the timer (the handle needs TIMER_MODIFY_STATE); a negative period is
/// ERROR_INVALID_PARAMETER. fResume cannot wake the machine: the timer is set, TRUE, and the
/// last error ERROR_NOT_SUPPORTED, as NT says when the hardware cannot.
#[export]
fn SetWaitableTimer(
    call: &mut ApiCall<'_>,
    hTimer: Handle,
    pDueTime: Ptr,
    lPeriod: i32,
    pfnCompletionRoutine: Ptr,
    lpArgToCompletionRoutine: u32,
    fResume: bool,
) -> ApiReturn {
    if lPeriod < 0 {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    let timer = match call.reference(
        hTimer,
        AccessMask::TIMER_MODIFY_STATE,
        Some(ObjectType::Timer),
    ) {
        Ok(t) => t,
        Err(e) => return call.fail(e.status()),
    };
    let due = match native::read_i64(call, pDueTime.0) {
        Ok(d) => d,
        Err(status) => return call.fail(status),
    };
    match native::set_timer(
        call,
        &timer,
        due,
        lPeriod as u32,
        pfnCompletionRoutine.0,
        lpArgToCompletionRoutine,
    ) {
        Ok(_) => {
            if fResume {
                call.set_last_error(Win32Error::NOT_SUPPORTED.0);
            }
            ApiReturn::Value(1)
        }
        Err(status) => call.fail(status),
    }
}

/// BOOL CancelWaitableTimer(HANDLE hTimer): the timer stops (a waiting thread goes on
/// waiting; the signal state is left as it is).
#[export]
fn CancelWaitableTimer(call: &mut ApiCall<'_>, hTimer: Handle) -> ApiReturn {
    let r = call
        .reference(
            hTimer,
            AccessMask::TIMER_MODIFY_STATE,
            Some(ObjectType::Timer),
        )
        .map_err(|e| e.status())
        .and_then(|t| call.machine.cancel_timer(&t).map_err(|e| e.status()));
    match r {
        Ok(_) => ApiReturn::Value(1),
        Err(status) => call.fail(status),
    }
}
