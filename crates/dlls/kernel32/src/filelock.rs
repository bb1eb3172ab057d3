//! Byte-range locks: LockFile, LockFileEx, UnlockFile and UnlockFileEx, as NT's file
//! systems keep them (FsRtl's rules): an exclusive lock may overlap no other lock, a shared
//! lock no exclusive lock of another open, a lock of 0 bytes meets the ranges holding its
//! offset; unlocking names exactly a range its open locked. Locks belong to the open (file
//! object) that took them and go when it closes; reads and writes through other opens
//! respect them (ERROR_LOCK_VIOLATION).

use std::sync::Arc;

use nt_object::{AccessMask, EventType, Handle, Object, ObjectType};
use nt_status::{NtStatus, Win32Error};
use win32::{ApiCall, ApiReturn, Ptr, export};

use super::file::{self, DiskFile};
use crate::filenode::{ByteLock, FileNode, LockError};

/// LOCKFILE_FAIL_IMMEDIATELY.
const LOCKFILE_FAIL_IMMEDIATELY: u32 = 0x1;
/// LOCKFILE_EXCLUSIVE_LOCK.
const LOCKFILE_EXCLUSIVE_LOCK: u32 = 0x2;
/// FILE_READ_DATA | FILE_WRITE_DATA: a lock needs one of them.
const LOCK_RIGHTS: u32 = 0x1 | 0x2;
/// EVENT_MODIFY_STATE.
const EVENT_MODIFY_STATE: u32 = 0x2;

/// The Win32 error of a lock failure.
fn lock_error(e: LockError) -> Win32Error {
    match e {
        LockError::Conflict => Win32Error::LOCK_VIOLATION,
        LockError::NotLocked => Win32Error::NOT_LOCKED,
    }
}

/// The shared state of the disk file a handle names and the open's lock identity.
fn locked_file(call: &ApiCall<'_>, handle: Handle) -> Result<(Arc<FileNode>, u64), Win32Error> {
    let (object, _) = file::file_object(call, handle, LOCK_RIGHTS)?;
    let disk = object
        .payload::<DiskFile>()
        .ok_or(Win32Error::INVALID_FUNCTION)?;
    if disk.is_directory() {
        return Err(Win32Error::INVALID_FUNCTION);
    }
    Ok((disk.node(), disk.owner()))
}

/// A 64-bit value from two 32-bit halves.
fn quad(low: u32, high: u32) -> u64 {
    u64::from(high) << 32 | u64::from(low)
}

/// The outcome of one lock request.
enum Outcome {
    /// Locked (or, for a range past 2^64, accepted and ignored, as NT 4.0 does).
    Done,
    /// A conflicting lock is held and the caller waits on this event for its release.
    Wait(Arc<Object>),
}

/// Takes a lock: exclusive or shared, failing at once or waiting for conflicting locks.
fn take(
    call: &mut ApiCall<'_>,
    handle: Handle,
    offset: u64,
    length: u64,
    exclusive: bool,
    wait: bool,
) -> Result<Outcome, Win32Error> {
    let (node, owner) = locked_file(call, handle)?;
    if offset.checked_add(length).is_none() && offset.wrapping_add(length) != 0 {
        // A range wrapping past 2^64: NT 4.0 reports success and locks nothing.
        return Ok(Outcome::Done);
    }
    let request = ByteLock {
        owner,
        offset,
        length,
        exclusive,
    };
    match node.lock(request) {
        Ok(()) => Ok(Outcome::Done),
        Err(LockError::Conflict) if wait => {
            let objects = call.machine.objects().clone();
            let event = node
                .unlock_event(|| Some(objects.create_event(EventType::Notification, false)))
                .ok_or(Win32Error::NOT_ENOUGH_MEMORY)?;
            let _ = event.reset_event();
            Ok(Outcome::Wait(event))
        }
        Err(e) => Err(lock_error(e)),
    }
}

/// Reports a lock request's end in its OVERLAPPED: the I/O status (STATUS_SUCCESS, no
/// bytes), and the event, when it names one, signalled.
fn complete_overlapped(call: &mut ApiCall<'_>, ovl: u32) {
    let _ = call.write_u32(ovl, NtStatus::SUCCESS.0);
    let _ = call.write_u32(ovl.wrapping_add(4), 0);
    if let Ok(event) = call.read_u32(ovl.wrapping_add(16))
        && event != 0
        && let Ok(object) = call.reference(
            Handle(event),
            AccessMask(EVENT_MODIFY_STATE),
            Some(ObjectType::Event),
        )
    {
        let _ = object.set_event();
    }
}

/// LockFile(hFile, dwFileOffsetLow, dwFileOffsetHigh, nNumberOfBytesToLockLow,
/// nNumberOfBytesToLockHigh): an exclusive lock, failing at once with ERROR_LOCK_VIOLATION
/// when another lock holds part of the range.
#[export]
fn LockFile(
    call: &mut ApiCall<'_>,
    hFile: Handle,
    dwFileOffsetLow: u32,
    dwFileOffsetHigh: u32,
    nNumberOfBytesToLockLow: u32,
    nNumberOfBytesToLockHigh: u32,
) -> ApiReturn {
    let offset = quad(dwFileOffsetLow, dwFileOffsetHigh);
    let length = quad(nNumberOfBytesToLockLow, nNumberOfBytesToLockHigh);
    match take(call, hFile, offset, length, true, false) {
        Ok(_) => ApiReturn::Value(1),
        Err(e) => call.fail_win32(e, 0),
    }
}

/// UnlockFile(hFile, dwFileOffsetLow, dwFileOffsetHigh, nNumberOfBytesToUnlockLow,
/// nNumberOfBytesToUnlockHigh): ERROR_NOT_LOCKED unless this open holds a lock of exactly
/// that range.
#[export]
fn UnlockFile(
    call: &mut ApiCall<'_>,
    hFile: Handle,
    dwFileOffsetLow: u32,
    dwFileOffsetHigh: u32,
    nNumberOfBytesToUnlockLow: u32,
    nNumberOfBytesToUnlockHigh: u32,
) -> ApiReturn {
    let offset = quad(dwFileOffsetLow, dwFileOffsetHigh);
    let length = quad(nNumberOfBytesToUnlockLow, nNumberOfBytesToUnlockHigh);
    let r = locked_file(call, hFile)
        .and_then(|(node, owner)| node.unlock(owner, offset, length).map_err(lock_error));
    match r {
        Ok(()) => ApiReturn::Value(1),
        Err(e) => call.fail_win32(e, 0),
    }
}

/// LockFileEx(hFile, dwFlags, dwReserved, nNumberOfBytesToLockLow, nNumberOfBytesToLockHigh,
/// lpOverlapped): a shared or (LOCKFILE_EXCLUSIVE_LOCK) exclusive lock at the OVERLAPPED's
/// offset; without LOCKFILE_FAIL_IMMEDIATELY the call waits until conflicting locks go.
/// A reserved word other than 0 is ERROR_INVALID_PARAMETER.
#[export]
fn LockFileEx(
    call: &mut ApiCall<'_>,
    hFile: Handle,
    dwFlags: u32,
    dwReserved: u32,
    nNumberOfBytesToLockLow: u32,
    nNumberOfBytesToLockHigh: u32,
    lpOverlapped: Ptr,
) -> ApiReturn {
    if dwReserved != 0 {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    let ovl = lpOverlapped.0;
    let offset = match (
        call.read_u32(ovl.wrapping_add(8)),
        call.read_u32(ovl.wrapping_add(12)),
    ) {
        (Ok(low), Ok(high)) => quad(low, high),
        _ => return call.fail(NtStatus::ACCESS_VIOLATION),
    };
    let length = quad(nNumberOfBytesToLockLow, nNumberOfBytesToLockHigh);
    let exclusive = dwFlags & LOCKFILE_EXCLUSIVE_LOCK != 0;
    let wait = dwFlags & LOCKFILE_FAIL_IMMEDIATELY == 0;
    match take(call, hFile, offset, length, exclusive, wait) {
        Ok(Outcome::Done) => {
            complete_overlapped(call, ovl);
            ApiReturn::Value(1)
        }
        Ok(Outcome::Wait(event)) => ApiReturn::Retry {
            objects: vec![event],
            timeout: None,
        },
        Err(e) => call.fail_win32(e, 0),
    }
}

/// UnlockFileEx(hFile, dwReserved, nNumberOfBytesToUnlockLow, nNumberOfBytesToUnlockHigh,
/// lpOverlapped): UnlockFile at the OVERLAPPED's offset.
#[export]
fn UnlockFileEx(
    call: &mut ApiCall<'_>,
    hFile: Handle,
    dwReserved: u32,
    nNumberOfBytesToUnlockLow: u32,
    nNumberOfBytesToUnlockHigh: u32,
    lpOverlapped: Ptr,
) -> ApiReturn {
    if dwReserved != 0 {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    let ovl = lpOverlapped.0;
    let offset = match (
        call.read_u32(ovl.wrapping_add(8)),
        call.read_u32(ovl.wrapping_add(12)),
    ) {
        (Ok(low), Ok(high)) => quad(low, high),
        _ => return call.fail(NtStatus::ACCESS_VIOLATION),
    };
    let length = quad(nNumberOfBytesToUnlockLow, nNumberOfBytesToUnlockHigh);
    let r = locked_file(call, hFile)
        .and_then(|(node, owner)| node.unlock(owner, offset, length).map_err(lock_error));
    match r {
        Ok(()) => {
            complete_overlapped(call, ovl);
            ApiReturn::Value(1)
        }
        Err(e) => call.fail_win32(e, 0),
    }
}
