//! The NT object manager of ntemu: kernel objects, per-process handle tables, the
//! \BaseNamedObjects directory, and waits.
//!
//! - [`ObjectManager`] creates objects, owns the namespace and the dispatcher, and counts live
//!   objects per type.
//! - [`HandleTable`] is a process's handle table with NT's handle values and reuse order.
//! - [`wait_for_objects`] and [`begin_wait`] wait on events, mutants, semaphores, processes
//!   and threads with NT's results.
//!
//! Every failure is an [`ObjectError`]; [`ObjectError::status`] gives the NTSTATUS, whose
//! `to_win32_error` gives what `GetLastError` reports.

mod access;
mod handle_table;
mod object;
mod wait;

pub use access::{AccessMask, GenericMapping};
pub use handle_table::{
    CurrentObjects, DuplicateOptions, Handle, HandleAttributes, HandleEntry, HandleTable,
    MAX_HANDLES,
};
pub use nt_status::{NtStatus, Win32Error};
pub use object::{
    BASE_NAMED_OBJECTS, NamedCreate, NamedObjectSpec, Object, ObjectManager, ObjectType,
};
pub use wait::{
    EventType, MAXIMUM_WAIT_OBJECTS, MutantState, OwnerThread, PendingWait, WaitStart, WaitStatus,
    WaitType, begin_wait, wait_for_objects,
};

/// A failure of an object-manager operation. Every variant is guest-visible and has an
/// NTSTATUS ([`ObjectError::status`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum ObjectError {
    /// The handle names no live entry.
    #[error("invalid handle")]
    InvalidHandle,
    /// The object is not of the type the operation needs, or cannot be waited on.
    #[error("object type mismatch")]
    ObjectTypeMismatch,
    /// The handle does not grant the access the operation needs.
    #[error("access denied")]
    AccessDenied,
    /// The handle is protected from close.
    #[error("handle is protected from close")]
    HandleNotClosable,
    /// The handle table is full (its quota or 2^24 entries).
    #[error("handle table is full")]
    InsufficientResources,
    /// A parameter is out of range.
    #[error("invalid parameter")]
    InvalidParameter,
    /// Parameters contradict each other (the same object twice in a WaitAll).
    #[error("invalid parameter combination")]
    InvalidParameterMix,
    /// The calling thread does not own the mutant.
    #[error("mutant not owned by the caller")]
    MutantNotOwned,
    /// The release would raise the semaphore above its maximum.
    #[error("semaphore limit exceeded")]
    SemaphoreLimitExceeded,
    /// No object has that name.
    #[error("object name not found")]
    NameNotFound,
    /// The name is not valid (empty).
    #[error("object name invalid")]
    NameInvalid,
    /// The name has a path component that does not exist.
    #[error("object path not found")]
    PathNotFound,
    /// The access asked for needs a privilege the caller does not hold
    /// (ACCESS_SYSTEM_SECURITY).
    #[error("privilege not held")]
    PrivilegeNotHeld,
}

impl ObjectError {
    /// The NTSTATUS the native call returns for this failure.
    pub fn status(self) -> NtStatus {
        match self {
            ObjectError::InvalidHandle => NtStatus::INVALID_HANDLE,
            ObjectError::ObjectTypeMismatch => NtStatus::OBJECT_TYPE_MISMATCH,
            ObjectError::AccessDenied => NtStatus::ACCESS_DENIED,
            ObjectError::HandleNotClosable => NtStatus::HANDLE_NOT_CLOSABLE,
            ObjectError::InsufficientResources => NtStatus::INSUFFICIENT_RESOURCES,
            ObjectError::InvalidParameter => NtStatus::INVALID_PARAMETER,
            ObjectError::InvalidParameterMix => NtStatus::INVALID_PARAMETER_MIX,
            ObjectError::MutantNotOwned => NtStatus::MUTANT_NOT_OWNED,
            ObjectError::SemaphoreLimitExceeded => NtStatus::SEMAPHORE_LIMIT_EXCEEDED,
            ObjectError::NameNotFound => NtStatus::OBJECT_NAME_NOT_FOUND,
            ObjectError::NameInvalid => NtStatus::OBJECT_NAME_INVALID,
            ObjectError::PathNotFound => NtStatus::OBJECT_PATH_NOT_FOUND,
            ObjectError::PrivilegeNotHeld => NtStatus::PRIVILEGE_NOT_HELD,
        }
    }

    /// The Win32 error code `GetLastError` reports for this failure.
    pub fn win32_error(self) -> Win32Error {
        self.status().to_win32_error()
    }
}
