//! Activation contexts (CreateActCtxA/W, ActivateActCtx, DeactivateActCtx, GetCurrentActCtx,
//! AddRefActCtx, ReleaseActCtx): Windows XP's side-by-side assemblies, which NT 4.0 does not
//! have.
//!
//! NT 4.0's KERNEL32 exports none of these, so GetProcAddress does not find them; ntemu
//! implements them only for programs built for later Windows that import them, so such a
//! program loads and runs instead of failing on a missing import. They behave as a system
//! without side-by-side support: no context can be made (ERROR_CALL_NOT_IMPLEMENTED), none is
//! ever active (GetCurrentActCtx gives NULL, the process default), and activating or
//! deactivating one fails the same way.

use nt_status::{NtStatus, Win32Error};
use win32::{ApiCall, ApiReturn, Ptr, export};

/// ERROR_CALL_NOT_IMPLEMENTED.
const ERROR_CALL_NOT_IMPLEMENTED: Win32Error = Win32Error(120);
/// INVALID_HANDLE_VALUE.
const INVALID_HANDLE_VALUE: u32 = u32::MAX;

/// CreateActCtxA(pActCtx): no context can be made; INVALID_HANDLE_VALUE with
/// ERROR_CALL_NOT_IMPLEMENTED (ERROR_INVALID_PARAMETER for a NULL pActCtx).
#[export]
fn CreateActCtxA(call: &mut ApiCall<'_>, pActCtx: Ptr) -> ApiReturn {
    create(call, pActCtx)
}

/// CreateActCtxW(pActCtx): as CreateActCtxA.
#[export]
fn CreateActCtxW(call: &mut ApiCall<'_>, pActCtx: Ptr) -> ApiReturn {
    create(call, pActCtx)
}

fn create(call: &mut ApiCall<'_>, at: Ptr) -> ApiReturn {
    if at.is_null() {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, INVALID_HANDLE_VALUE);
    }
    call.fail_win32(ERROR_CALL_NOT_IMPLEMENTED, INVALID_HANDLE_VALUE)
}

/// GetCurrentActCtx(lphActCtx): NULL (no context is active), TRUE; ERROR_INVALID_PARAMETER
/// for a NULL pointer.
#[export]
fn GetCurrentActCtx(call: &mut ApiCall<'_>, lphActCtx: Ptr) -> ApiReturn {
    if lphActCtx.is_null() {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    match call.write_u32(lphActCtx.0, 0) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// ActivateActCtx(hActCtx, lpCookie): FALSE with ERROR_CALL_NOT_IMPLEMENTED.
#[export]
fn ActivateActCtx(call: &mut ApiCall<'_>, hActCtx: u32, lpCookie: Ptr) -> ApiReturn {
    let _ = (hActCtx, lpCookie);
    call.fail_win32(ERROR_CALL_NOT_IMPLEMENTED, 0)
}

/// DeactivateActCtx(dwFlags, ulCookie): FALSE with ERROR_CALL_NOT_IMPLEMENTED (no activation
/// ever succeeded).
#[export]
fn DeactivateActCtx(call: &mut ApiCall<'_>, dwFlags: u32, ulCookie: u32) -> ApiReturn {
    let _ = (dwFlags, ulCookie);
    call.fail_win32(ERROR_CALL_NOT_IMPLEMENTED, 0)
}

/// AddRefActCtx(hActCtx): nothing to count.
#[export]
fn AddRefActCtx(call: &mut ApiCall<'_>, hActCtx: u32) {
    let _ = (call, hActCtx);
}

/// ReleaseActCtx(hActCtx): nothing to release.
#[export]
fn ReleaseActCtx(call: &mut ApiCall<'_>, hActCtx: u32) {
    let _ = (call, hActCtx);
}
