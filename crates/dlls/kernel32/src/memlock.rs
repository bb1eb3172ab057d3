//! VirtualLock and VirtualUnlock: NT 4.0's KERNEL32 calls NtLockVirtualMemory and
//! NtUnlockVirtualMemory (MAP_PROCESS) on the caller's pages.

use nt_status::NtStatus;
use win32::{ApiCall, ApiReturn, Ptr, export};

fn lock_unlock(call: &mut ApiCall<'_>, addr: u32, size: u32, lock: bool) -> ApiReturn {
    let r = call
        .process_mut()
        .ok_or(NtStatus::PROCESS_IS_TERMINATING)
        .and_then(|p| {
            let space = p.address_space_mut();
            if lock {
                space.lock(addr, size)
            } else {
                space.unlock(addr, size)
            }
            .map_err(|e| e.status())
        });
    match r {
        Ok(_) => ApiReturn::Value(1),
        Err(s) => call.fail(s),
    }
}

/// VirtualLock(lpAddress, dwSize): the pages stay in memory; each is touched (a guard
/// page fails the call with STATUS_GUARD_PAGE_VIOLATION as its error, losing its guard).
#[export]
fn VirtualLock(call: &mut ApiCall<'_>, lpAddress: Ptr, dwSize: u32) -> ApiReturn {
    lock_unlock(call, lpAddress.0, dwSize, true)
}

/// VirtualUnlock(lpAddress, dwSize): pages VirtualLock locked (ERROR_NOT_LOCKED otherwise).
#[export]
fn VirtualUnlock(call: &mut ApiCall<'_>, lpAddress: Ptr, dwSize: u32) -> ApiReturn {
    lock_unlock(call, lpAddress.0, dwSize, false)
}
