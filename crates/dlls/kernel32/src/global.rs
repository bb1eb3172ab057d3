//! GlobalAlloc and LocalAlloc: on Win32 both are the process heap. ntemu gives moveable
//! memory a handle equal to its address (Win32 programs reach it through GlobalLock /
//! LocalLock, which return that address), so the two families share one implementation.

use nt_status::NtStatus;

use super::heap::{process_heap_alloc, process_heap_free, process_heap_size};
use win32::{ApiCall, ApiReturn, export};

/// GMEM_ZEROINIT / LMEM_ZEROINIT.
const ZEROINIT: u32 = 0x40;
/// The flags GlobalAlloc accepts (GMEM_MOVEABLE, NOCOMPACT, NODISCARD, ZEROINIT, MODIFY,
/// DISCARDABLE, NOT_BANKED, SHARE, DDESHARE, NOTIFY, LOWER, INVALID_HANDLE aside).
const VALID_FLAGS: u32 = 0x7F72;

/// GlobalAlloc / LocalAlloc(uFlags, dwBytes).
#[export]
pub(crate) fn GlobalAlloc(call: &mut ApiCall<'_>, uFlags: u32, dwBytes: u32) -> ApiReturn {
    let (flags, size) = (uFlags, dwBytes);
    if flags & !VALID_FLAGS != 0 {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    match process_heap_alloc(call, size, flags & ZEROINIT != 0) {
        Some(at) => ApiReturn::Value(at),
        None => call.fail(NtStatus::NO_MEMORY),
    }
}

/// GlobalFree / LocalFree(hMem): NULL on success, the handle back on failure.
#[export]
pub(crate) fn GlobalFree(call: &mut ApiCall<'_>, hMem: u32) -> ApiReturn {
    let handle = hMem;
    if handle == 0 || process_heap_free(call, handle) {
        ApiReturn::Value(0)
    } else {
        call.fail_with(NtStatus::INVALID_HANDLE, handle)
    }
}

/// GlobalSize / LocalSize(hMem): 0 for a bad handle.
#[export]
pub(crate) fn GlobalSize(call: &mut ApiCall<'_>, hMem: u32) -> ApiReturn {
    let handle = hMem;
    match process_heap_size(call, handle) {
        Some(n) => ApiReturn::Value(n),
        None => call.fail(NtStatus::INVALID_HANDLE),
    }
}

/// GlobalLock / LocalLock(hMem): the block's address.
#[export]
pub(crate) fn GlobalLock(call: &mut ApiCall<'_>, hMem: u32) -> ApiReturn {
    let handle = hMem;
    match process_heap_size(call, handle) {
        Some(_) => ApiReturn::Value(handle),
        None => call.fail(NtStatus::INVALID_HANDLE),
    }
}

/// GlobalUnlock / LocalUnlock(hMem): fixed memory has no lock count, so FALSE with
/// NO_ERROR, as NT returns for it.
#[export]
pub(crate) fn GlobalUnlock(call: &mut ApiCall<'_>, hMem: u32) -> ApiReturn {
    let handle = hMem;
    match process_heap_size(call, handle) {
        Some(_) => {
            call.set_last_error(0);
            ApiReturn::Value(0)
        }
        None => call.fail(NtStatus::INVALID_HANDLE),
    }
}
