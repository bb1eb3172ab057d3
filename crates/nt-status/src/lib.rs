//! NTSTATUS values and the single table that maps them to Win32 error codes.
//!
//! Every guest-visible failure in ntemu is an [`NtStatus`]; the Win32 layer turns it into the
//! value `GetLastError` returns with [`NtStatus::to_win32_error`], exactly as NT's
//! `RtlNtStatusToDosError` does for the codes listed in [`STATUS_TO_WIN32`].

use std::fmt;

/// An NT status code (`NTSTATUS`), as the executive returns it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NtStatus(pub u32);

/// A Win32 error code, as `GetLastError` returns it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Win32Error(pub u32);

macro_rules! statuses {
    ($($(#[$doc:meta])* $name:ident = $value:expr;)*) => {
        impl NtStatus {
            $($(#[$doc])* pub const $name: NtStatus = NtStatus($value);)*
        }
        /// The symbolic name of a status this crate knows, for diagnostics.
        fn status_name(status: NtStatus) -> Option<&'static str> {
            match status.0 {
                $($value => Some(stringify!($name)),)*
                _ => None,
            }
        }
    };
}

statuses! {
    /// The operation succeeded (also STATUS_WAIT_0).
    SUCCESS = 0x0000_0000;
    /// A wait was satisfied by an abandoned mutex at index 0 (add the index).
    ABANDONED_WAIT_0 = 0x0000_0080;
    /// A wait ended because a user APC was queued.
    USER_APC = 0x0000_00C0;
    /// A wait was alerted.
    ALERTED = 0x0000_0101;
    /// A wait timed out.
    TIMEOUT = 0x0000_0102;
    /// The operation is still in progress.
    PENDING = 0x0000_0103;
    /// A directory's notify request ended because its handle was closed (the cleanup of
    /// its file object).
    NOTIFY_CLEANUP = 0x0000_010B;
    /// A directory's changes did not fit in the notify request's buffer: the caller must
    /// enumerate the directory itself.
    NOTIFY_ENUM_DIR = 0x0000_010C;
    /// A named object was opened rather than created because the name already existed.
    OBJECT_NAME_EXISTS = 0x4000_0000;
    /// A guard page was touched.
    GUARD_PAGE_VIOLATION = 0x8000_0001;
    /// A misaligned data access.
    DATATYPE_MISALIGNMENT = 0x8000_0002;
    /// A breakpoint was reached.
    BREAKPOINT = 0x8000_0003;
    /// A single step trap.
    SINGLE_STEP = 0x8000_0004;
    /// Only part of a ReadProcessMemory/WriteProcessMemory request was done.
    PARTIAL_COPY = 0x8000_000D;
    /// A generic failure.
    UNSUCCESSFUL = 0xC000_0001;
    /// The service is not implemented.
    NOT_IMPLEMENTED = 0xC000_0002;
    /// An information class is not valid.
    INVALID_INFO_CLASS = 0xC000_0003;
    /// An information buffer has the wrong length.
    INFO_LENGTH_MISMATCH = 0xC000_0004;
    /// A memory access violated page protection.
    ACCESS_VIOLATION = 0xC000_0005;
    /// A handle is not valid.
    INVALID_HANDLE = 0xC000_0008;
    /// The device does not support the request (a pipe operation on a disk file).
    INVALID_DEVICE_REQUEST = 0xC000_0010;
    /// A client id (process or thread id) is not valid.
    INVALID_CID = 0xC000_000B;
    /// A parameter is not valid.
    INVALID_PARAMETER = 0xC000_000D;
    /// Not enough virtual memory or paging file quota.
    NO_MEMORY = 0xC000_0017;
    /// The requested range conflicts with an existing allocation.
    CONFLICTING_ADDRESSES = 0xC000_0018;
    /// The address is not a mapped view.
    NOT_MAPPED_VIEW = 0xC000_0019;
    /// The range cannot be freed.
    UNABLE_TO_FREE_VM = 0xC000_001A;
    /// An illegal instruction was executed.
    ILLEGAL_INSTRUCTION = 0xC000_001D;
    /// The pages are already committed.
    ALREADY_COMMITTED = 0xC000_0021;
    /// Access to an object or a page was denied.
    ACCESS_DENIED = 0xC000_0022;
    /// A caller's buffer is too small.
    BUFFER_TOO_SMALL = 0xC000_0023;
    /// A handle refers to an object of another type than the service needs.
    OBJECT_TYPE_MISMATCH = 0xC000_0024;
    /// The exception cannot be continued.
    NONCONTINUABLE_EXCEPTION = 0xC000_0025;
    /// The pages are not committed.
    NOT_COMMITTED = 0xC000_002D;
    /// A combination of parameters is not valid.
    INVALID_PARAMETER_MIX = 0xC000_0030;
    /// An object name is not valid.
    OBJECT_NAME_INVALID = 0xC000_0033;
    /// No object of that name exists.
    OBJECT_NAME_NOT_FOUND = 0xC000_0034;
    /// An object of that name already exists.
    OBJECT_NAME_COLLISION = 0xC000_0035;
    /// A path component does not exist.
    OBJECT_PATH_NOT_FOUND = 0xC000_003A;
    /// The file is open with an incompatible share mode.
    SHARING_VIOLATION = 0xC000_0043;
    /// The page protection is not valid.
    INVALID_PAGE_PROTECTION = 0xC000_0045;
    /// An unlock named pages that are not locked (NtUnlockVirtualMemory).
    NOT_LOCKED = 0xC000_002A;
    /// A SEC_IMAGE section of a file that does not start with "MZ".
    INVALID_IMAGE_NOT_MZ = 0xC000_012F;
    /// The caller does not own the mutex it releases.
    MUTANT_NOT_OWNED = 0xC000_0046;
    /// Releasing would raise a semaphore past its maximum.
    SEMAPHORE_LIMIT_EXCEEDED = 0xC000_0047;
    /// The suspend count would exceed its maximum.
    SUSPEND_COUNT_EXCEEDED = 0xC000_004A;
    /// The thread is terminating.
    THREAD_IS_TERMINATING = 0xC000_004B;
    /// The image is not a valid executable for this system.
    INVALID_IMAGE_FORMAT = 0xC000_007B;
    /// Integer division by zero.
    INTEGER_DIVIDE_BY_ZERO = 0xC000_0094;
    /// Integer overflow.
    INTEGER_OVERFLOW = 0xC000_0095;
    /// A privileged instruction was executed.
    PRIVILEGED_INSTRUCTION = 0xC000_0096;
    /// A system resource (such as a handle table slot) is exhausted.
    INSUFFICIENT_RESOURCES = 0xC000_009A;
    /// The machine's commit limit (NT: the paging file) is reached.
    COMMITMENT_LIMIT = 0xC000_012D;
    /// A release with size 0 named an address that is not the base of its allocation.
    FREE_VM_NOT_AT_BASE = 0xC000_009F;
    /// The address range was never allocated.
    MEMORY_NOT_ALLOCATED = 0xC000_00A0;
    /// The pipe's other end is closing: a write with no reader left.
    PIPE_CLOSING = 0xC000_00B1;
    /// The request is not supported.
    NOT_SUPPORTED = 0xC000_00BB;
    /// A non-blocking read found the pipe empty.
    PIPE_EMPTY = 0xC000_00D9;
    /// The stack overflowed.
    STACK_OVERFLOW = 0xC000_00FD;
    /// The process is terminating.
    PROCESS_IS_TERMINATING = 0xC000_010A;
    /// The thread has no local descriptor table (a selector of the LDT was named).
    NO_LDT = 0xC000_0117;
    /// A DLL the image imports was not found.
    DLL_NOT_FOUND = 0xC000_0135;
    /// An imported ordinal was not found.
    ORDINAL_NOT_FOUND = 0xC000_0138;
    /// An imported entry point was not found.
    ENTRYPOINT_NOT_FOUND = 0xC000_0139;
    /// The process ended on Ctrl+C (the default console control handler).
    CONTROL_C_EXIT = 0xC000_013A;
    /// The pipe's other end has closed: a read of an empty pipe with no writer left.
    PIPE_BROKEN = 0xC000_014B;
    /// A timer was set to resume the machine, which it cannot: the timer is set anyway.
    TIMER_RESUME_IGNORED = 0x4000_0025;
    /// A read began at or past the end of the file.
    END_OF_FILE = 0xC000_0011;
    /// Every instance of the named pipe is in use, or the pipe's instance limit is reached.
    INSTANCE_NOT_AVAILABLE = 0xC000_00AB;
    /// No instance of the named pipe is listening for a client.
    PIPE_NOT_AVAILABLE = 0xC000_00AC;
    /// The named pipe is not in a state that allows the request.
    INVALID_PIPE_STATE = 0xC000_00AD;
    /// Every instance of the named pipe is busy.
    PIPE_BUSY = 0xC000_00AE;
    /// The request does not apply to this end or kind of pipe.
    ILLEGAL_FUNCTION = 0xC000_00AF;
    /// The named pipe instance has no client (disconnected).
    PIPE_DISCONNECTED = 0xC000_00B0;
    /// A client is already connected to the named pipe instance.
    PIPE_CONNECTED = 0xC000_00B2;
    /// The named pipe instance is waiting for a client to connect.
    PIPE_LISTENING = 0xC000_00B3;
    /// The pipe's read mode does not allow the request (a transaction on a byte-mode pipe).
    INVALID_READ_MODE = 0xC000_00B4;
    /// A timed request (WaitNamedPipe) timed out.
    IO_TIMEOUT = 0xC000_00B5;
    /// The I/O request was cancelled (CancelIo, or its thread ended).
    CANCELLED = 0xC000_0120;
    /// The handle is protected from close.
    HANDLE_NOT_CLOSABLE = 0xC000_0235;
    // The I/O manager and the file systems.
    /// A directory search found no more entries.
    NO_MORE_FILES = 0x8000_0006;
    /// A directory search found no entry matching the name.
    NO_SUCH_FILE = 0xC000_000F;
    /// A path name's syntax is not valid (an empty NT path).
    OBJECT_PATH_INVALID = 0xC000_0039;
    /// The range is locked by another file object.
    FILE_LOCK_CONFLICT = 0xC000_0054;
    /// A byte-range lock was not granted.
    LOCK_NOT_GRANTED = 0xC000_0055;
    /// The file is to be deleted when its last handle closes: it cannot be opened again.
    DELETE_PENDING = 0xC000_0056;
    /// An unlock named a range that is not locked.
    RANGE_NOT_LOCKED = 0xC000_007E;
    /// The disk is full.
    DISK_FULL = 0xC000_007F;
    /// The volume is write protected.
    MEDIA_WRITE_PROTECTED = 0xC000_00A2;
    /// A file (not a directory) was asked for and a directory was found.
    FILE_IS_A_DIRECTORY = 0xC000_00BA;
    /// A network path was not found (ntemu's machine has no network drives).
    BAD_NETWORK_PATH = 0xC000_00BE;
    /// A rename or a link across two volumes.
    NOT_SAME_DEVICE = 0xC000_00D4;
    /// A caller's buffer cannot be read for the I/O asked for.
    INVALID_USER_BUFFER = 0xC000_00E8;
    /// A directory that is not empty cannot be removed.
    DIRECTORY_NOT_EMPTY = 0xC000_0101;
    /// A directory was asked for and a file was found.
    NOT_A_DIRECTORY = 0xC000_0103;
    /// The file or key cannot be deleted (a read-only file, a directory in use; a key with
    /// subkeys, or a hive's root).
    CANNOT_DELETE = 0xC000_0121;
    /// A file with a user-mapped section cannot be cut or overwritten.
    USER_MAPPED_FILE = 0xC000_0243;
    /// A view's size is larger than the section (or the offset lies past its end).
    INVALID_VIEW_SIZE = 0xC000_001F;
    /// The file cannot back a section of this kind.
    INVALID_FILE_FOR_SECTION = 0xC000_0020;
    /// A section is larger than its file and the file cannot grow.
    SECTION_TOO_BIG = 0xC000_0040;
    /// The protection asked for a view or page is not compatible with the section's.
    SECTION_PROTECTION = 0xC000_004E;
    /// The file is not valid for the operation.
    FILE_INVALID = 0xC000_0098;
    /// A section of size 0 on an empty file.
    MAPPED_FILE_SIZE_ZERO = 0xC000_011E;
    /// A view's base or offset is not a multiple of the allocation granularity.
    MAPPED_ALIGNMENT = 0xC000_0220;
    /// The image has no resource section.
    RESOURCE_DATA_NOT_FOUND = 0xC000_0089;
    /// The image has no resource of that type.
    RESOURCE_TYPE_NOT_FOUND = 0xC000_008A;
    /// The image has no resource of that type and name.
    RESOURCE_NAME_NOT_FOUND = 0xC000_008B;
    /// A DLL's initialization routine (DllMain) returned FALSE.
    DLL_INIT_FAILED = 0xC000_0142;
    /// The image has no resource of that type and name in that language.
    RESOURCE_LANG_NOT_FOUND = 0xC000_0204;
    /// An activation context cannot be made (a manifest that is not well formed, or an
    /// assembly it names that is not found).
    SXS_CANT_GEN_ACTCTX = 0xC015_0002;
    /// DeactivateActCtx of an activation that is not the thread's innermost.
    SXS_EARLY_DEACTIVATION = 0xC015_000F;
    /// DeactivateActCtx of a cookie that names none of the thread's activations.
    SXS_INVALID_DEACTIVATION = 0xC015_0010;
    // The configuration manager (registry) and the security reference monitor.
    /// The data did not fit; the part that fits was returned (ERROR_MORE_DATA; a pipe
    /// message cut short).
    BUFFER_OVERFLOW = 0x8000_0005;
    /// An enumeration has no entry at that index.
    NO_MORE_ENTRIES = 0x8000_001A;
    /// AdjustTokenPrivileges: some privileges asked for are not the token's.
    NOT_ALL_ASSIGNED = 0x0000_0106;
    /// An object path begins with a separator where it may not (a key path relative to a
    /// key that starts with a backslash).
    OBJECT_PATH_SYNTAX_BAD = 0xC000_003B;
    /// A security descriptor, ACL or SID revision is not one NT knows.
    UNKNOWN_REVISION = 0xC000_0058;
    /// The privilege named does not exist.
    NO_SUCH_PRIVILEGE = 0xC000_0060;
    /// The caller does not hold (or has not enabled) the privilege the call needs.
    PRIVILEGE_NOT_HELD = 0xC000_0061;
    /// No account name maps to the SID, or no SID to the name.
    NONE_MAPPED = 0xC000_0073;
    /// An access control list is malformed.
    INVALID_ACL = 0xC000_0077;
    /// A security identifier is malformed.
    INVALID_SID = 0xC000_0078;
    /// A security descriptor is malformed.
    INVALID_SECURITY_DESCR = 0xC000_0079;
    /// The thread is not impersonating: it has no token of its own.
    NO_TOKEN = 0xC000_007C;
    /// A buffer the caller gave is too small for what is to be stored in it (an ACL).
    ALLOTTED_SPACE_EXCEEDED = 0xC000_0099;
    /// The impersonation level asked for is not valid.
    BAD_IMPERSONATION_LEVEL = 0xC000_00A5;
    /// A token of the other type was given (a primary token where an impersonation token
    /// is needed, or the reverse).
    BAD_TOKEN_TYPE = 0xC000_00A8;
    /// A name is longer than the object manager allows.
    NAME_TOO_LONG = 0xC000_0106;
    /// A pipe server cannot impersonate its client: none is connected.
    CANNOT_IMPERSONATE = 0xC000_010D;
    /// A registry hive is corrupt.
    REGISTRY_CORRUPT = 0xC000_014C;
    /// Reading or writing a registry hive's file failed.
    REGISTRY_IO_FAILED = 0xC000_014D;
    /// The file is not a registry hive.
    NOT_REGISTRY_FILE = 0xC000_015C;
    /// The key has been deleted: only closing its handle is possible.
    KEY_DELETED = 0xC000_017C;
    /// The operation needs a key without subkeys.
    KEY_HAS_CHILDREN = 0xC000_0180;
    /// A non-volatile key cannot be created under a volatile one.
    CHILD_MUST_BE_VOLATILE = 0xC000_0181;
}

impl Win32Error {
    /// ERROR_SUCCESS.
    pub const SUCCESS: Win32Error = Win32Error(0);
    /// ERROR_INVALID_FUNCTION.
    pub const INVALID_FUNCTION: Win32Error = Win32Error(1);
    /// ERROR_FILE_NOT_FOUND.
    pub const FILE_NOT_FOUND: Win32Error = Win32Error(2);
    /// ERROR_PATH_NOT_FOUND.
    pub const PATH_NOT_FOUND: Win32Error = Win32Error(3);
    /// ERROR_ACCESS_DENIED.
    pub const ACCESS_DENIED: Win32Error = Win32Error(5);
    /// ERROR_INVALID_HANDLE.
    pub const INVALID_HANDLE: Win32Error = Win32Error(6);
    /// ERROR_NOT_ENOUGH_MEMORY.
    pub const NOT_ENOUGH_MEMORY: Win32Error = Win32Error(8);
    /// ERROR_BAD_LENGTH.
    pub const BAD_LENGTH: Win32Error = Win32Error(24);
    /// ERROR_GEN_FAILURE.
    pub const GEN_FAILURE: Win32Error = Win32Error(31);
    /// ERROR_SHARING_VIOLATION.
    pub const SHARING_VIOLATION: Win32Error = Win32Error(32);
    /// ERROR_NOT_SUPPORTED.
    pub const NOT_SUPPORTED: Win32Error = Win32Error(50);
    /// ERROR_INVALID_PARAMETER.
    pub const INVALID_PARAMETER: Win32Error = Win32Error(87);
    /// ERROR_INSUFFICIENT_BUFFER.
    pub const INSUFFICIENT_BUFFER: Win32Error = Win32Error(122);
    /// ERROR_INVALID_NAME.
    pub const INVALID_NAME: Win32Error = Win32Error(123);
    /// ERROR_MOD_NOT_FOUND.
    pub const MOD_NOT_FOUND: Win32Error = Win32Error(126);
    /// ERROR_PROC_NOT_FOUND.
    pub const PROC_NOT_FOUND: Win32Error = Win32Error(127);
    /// ERROR_SIGNAL_REFUSED.
    pub const SIGNAL_REFUSED: Win32Error = Win32Error(156);
    /// ERROR_INVALID_ORDINAL.
    pub const INVALID_ORDINAL: Win32Error = Win32Error(182);
    /// ERROR_ALREADY_EXISTS.
    pub const ALREADY_EXISTS: Win32Error = Win32Error(183);
    /// ERROR_BAD_EXE_FORMAT.
    pub const BAD_EXE_FORMAT: Win32Error = Win32Error(193);
    /// ERROR_ENVVAR_NOT_FOUND: no environment variable of that name.
    pub const ENVVAR_NOT_FOUND: Win32Error = Win32Error(203);
    /// ERROR_FILENAME_EXCED_RANGE: a name longer than MAX_PATH.
    pub const FILENAME_EXCED_RANGE: Win32Error = Win32Error(206);
    /// ERROR_NOT_OWNER.
    pub const NOT_OWNER: Win32Error = Win32Error(288);
    /// ERROR_TOO_MANY_POSTS.
    pub const TOO_MANY_POSTS: Win32Error = Win32Error(298);
    /// ERROR_PARTIAL_COPY.
    pub const PARTIAL_COPY: Win32Error = Win32Error(299);
    /// ERROR_MR_MID_NOT_FOUND: what NT returns for a status it has no mapping for.
    pub const MR_MID_NOT_FOUND: Win32Error = Win32Error(317);
    /// ERROR_INVALID_ADDRESS.
    pub const INVALID_ADDRESS: Win32Error = Win32Error(487);
    /// ERROR_NOACCESS.
    pub const NOACCESS: Win32Error = Win32Error(998);
    /// ERROR_STACK_OVERFLOW.
    pub const STACK_OVERFLOW: Win32Error = Win32Error(1001);
    /// ERROR_NO_SYSTEM_RESOURCES.
    pub const NO_SYSTEM_RESOURCES: Win32Error = Win32Error(1450);
    /// ERROR_INVALID_THREAD_ID.
    pub const INVALID_THREAD_ID: Win32Error = Win32Error(1444);
    /// ERROR_COMMITMENT_LIMIT: the paging file is too small for this operation.
    pub const COMMITMENT_LIMIT: Win32Error = Win32Error(1455);
}

/// Win32 error codes of kernel32's start-up and utility functions (atoms, messages, time,
/// the computer name).
impl Win32Error {
    /// ERROR_BAD_FORMAT: what WinExec returns for an image it cannot run.
    pub const BAD_FORMAT: Win32Error = Win32Error(11);
    /// ERROR_BUFFER_OVERFLOW: GetComputerName's buffer is too small.
    pub const BUFFER_OVERFLOW: Win32Error = Win32Error(111);
    /// ERROR_MORE_DATA: a global atom's name did not fit.
    pub const MORE_DATA: Win32Error = Win32Error(234);
    /// ERROR_BROKEN_PIPE: the pipe's other end has closed.
    pub const BROKEN_PIPE: Win32Error = Win32Error(109);
    /// ERROR_NO_DATA: the pipe is being closed (no reader), or a non-blocking read found it
    /// empty.
    pub const NO_DATA: Win32Error = Win32Error(232);
    /// ERROR_INVALID_FLAGS.
    pub const INVALID_FLAGS: Win32Error = Win32Error(1004);
    /// ERROR_PRIVILEGE_NOT_HELD: the caller lacks a privilege the call needs.
    pub const PRIVILEGE_NOT_HELD: Win32Error = Win32Error(1314);
    /// ERROR_RESOURCE_TYPE_NOT_FOUND: the image has no resource of that type (no message
    /// table, say).
    pub const RESOURCE_TYPE_NOT_FOUND: Win32Error = Win32Error(1813);
    /// ERROR_RESOURCE_LANG_NOT_FOUND: no resource in that language.
    pub const RESOURCE_LANG_NOT_FOUND: Win32Error = Win32Error(1815);
    /// ERROR_SXS_CANT_GEN_ACTCTX: no activation context can be made from the manifest.
    pub const SXS_CANT_GEN_ACTCTX: Win32Error = Win32Error(14001);
    /// ERROR_SXS_EARLY_DEACTIVATION.
    pub const SXS_EARLY_DEACTIVATION: Win32Error = Win32Error(14084);
    /// ERROR_SXS_INVALID_DEACTIVATION.
    pub const SXS_INVALID_DEACTIVATION: Win32Error = Win32Error(14085);
}

/// Win32 error codes of the loader and the resource functions.
impl Win32Error {
    /// ERROR_DLL_INIT_FAILED: a DLL's initialization routine failed.
    pub const DLL_INIT_FAILED: Win32Error = Win32Error(1114);
    /// ERROR_RESOURCE_DATA_NOT_FOUND: the image has no resource section.
    pub const RESOURCE_DATA_NOT_FOUND: Win32Error = Win32Error(1812);
    /// ERROR_RESOURCE_NAME_NOT_FOUND: no resource of that type and name.
    pub const RESOURCE_NAME_NOT_FOUND: Win32Error = Win32Error(1814);
    /// ERROR_OBJECT_NAME_EXISTS: UpdateProcThreadAttribute of an attribute the list has.
    pub const OBJECT_NAME_EXISTS: Win32Error = Win32Error(698);
}

/// Win32 error codes of the registry and of security (ADVAPI32).
impl Win32Error {
    /// ERROR_BAD_PATHNAME: a key path relative to a key begins with a backslash.
    pub const BAD_PATHNAME: Win32Error = Win32Error(161);
    /// ERROR_NO_MORE_ITEMS: an enumeration index past the last entry.
    pub const NO_MORE_ITEMS: Win32Error = Win32Error(259);
    /// ERROR_NO_TOKEN: the thread has no token of its own.
    pub const NO_TOKEN: Win32Error = Win32Error(1008);
    /// ERROR_BADDB: a registry hive is corrupt.
    pub const BADDB: Win32Error = Win32Error(1009);
    /// ERROR_BADKEY: the key handle is not valid (what Windows 95 returned).
    pub const BADKEY: Win32Error = Win32Error(1010);
    /// ERROR_REGISTRY_IO_FAILED: a hive's file could not be read or written.
    pub const REGISTRY_IO_FAILED: Win32Error = Win32Error(1016);
    /// ERROR_NOT_REGISTRY_FILE: the file is not a hive.
    pub const NOT_REGISTRY_FILE: Win32Error = Win32Error(1017);
    /// ERROR_KEY_DELETED: the key was deleted while its handle stayed open.
    pub const KEY_DELETED: Win32Error = Win32Error(1018);
    /// ERROR_KEY_HAS_CHILDREN: the key has subkeys.
    pub const KEY_HAS_CHILDREN: Win32Error = Win32Error(1020);
    /// ERROR_CHILD_MUST_BE_VOLATILE: a non-volatile key under a volatile one.
    pub const CHILD_MUST_BE_VOLATILE: Win32Error = Win32Error(1021);
    /// ERROR_NOT_ALL_ASSIGNED: AdjustTokenPrivileges named privileges the token lacks.
    pub const NOT_ALL_ASSIGNED: Win32Error = Win32Error(1300);
    /// ERROR_UNKNOWN_REVISION.
    pub const UNKNOWN_REVISION: Win32Error = Win32Error(1305);
    /// ERROR_NO_SUCH_PRIVILEGE: no privilege has that name or LUID.
    pub const NO_SUCH_PRIVILEGE: Win32Error = Win32Error(1313);
    /// ERROR_NONE_MAPPED: no account name maps to the SID (or SID to the name).
    pub const NONE_MAPPED: Win32Error = Win32Error(1332);
    /// ERROR_INVALID_ACL.
    pub const INVALID_ACL: Win32Error = Win32Error(1336);
    /// ERROR_INVALID_SID.
    pub const INVALID_SID: Win32Error = Win32Error(1337);
    /// ERROR_INVALID_SECURITY_DESCR.
    pub const INVALID_SECURITY_DESCR: Win32Error = Win32Error(1338);
    /// ERROR_ALLOTTED_SPACE_EXCEEDED: an ACL has no room for another entry.
    pub const ALLOTTED_SPACE_EXCEEDED: Win32Error = Win32Error(1344);
    /// ERROR_BAD_IMPERSONATION_LEVEL.
    pub const BAD_IMPERSONATION_LEVEL: Win32Error = Win32Error(1346);
    /// ERROR_BAD_TOKEN_TYPE: a token of the other type (primary or impersonation).
    pub const BAD_TOKEN_TYPE: Win32Error = Win32Error(1349);
    /// ERROR_CANNOT_IMPERSONATE: a pipe server has no client to impersonate.
    pub const CANNOT_IMPERSONATE: Win32Error = Win32Error(1368);
}

/// Win32 error codes of waits, pipes and overlapped I/O.
impl Win32Error {
    /// ERROR_HANDLE_EOF: an overlapped read reached the end of the file.
    pub const HANDLE_EOF: Win32Error = Win32Error(38);
    /// ERROR_SEM_TIMEOUT: WaitNamedPipe timed out.
    pub const SEM_TIMEOUT: Win32Error = Win32Error(121);
    /// ERROR_BAD_PIPE: the pipe is in a state (or read mode) that does not allow the call.
    pub const BAD_PIPE: Win32Error = Win32Error(230);
    /// ERROR_PIPE_BUSY: every instance of the named pipe is busy.
    pub const PIPE_BUSY: Win32Error = Win32Error(231);
    /// ERROR_PIPE_NOT_CONNECTED: the named pipe instance has no client.
    pub const PIPE_NOT_CONNECTED: Win32Error = Win32Error(233);
    /// WAIT_TIMEOUT as a last error (GetQueuedCompletionStatus timed out).
    pub const WAIT_TIMEOUT: Win32Error = Win32Error(258);
    /// ERROR_PIPE_CONNECTED: a client connected before ConnectNamedPipe was called.
    pub const PIPE_CONNECTED: Win32Error = Win32Error(535);
    /// ERROR_PIPE_LISTENING: the named pipe instance waits for a client.
    pub const PIPE_LISTENING: Win32Error = Win32Error(536);
    /// ERROR_OPERATION_ABORTED: the I/O was cancelled.
    pub const OPERATION_ABORTED: Win32Error = Win32Error(995);
    /// ERROR_IO_INCOMPLETE: the overlapped operation has not completed.
    pub const IO_INCOMPLETE: Win32Error = Win32Error(996);
    /// ERROR_IO_PENDING: the overlapped operation is in progress.
    pub const IO_PENDING: Win32Error = Win32Error(997);
    /// ERROR_NOTIFY_ENUM_DIR: a directory's changes did not fit; enumerate it.
    pub const NOTIFY_ENUM_DIR: Win32Error = Win32Error(1022);
    /// ERROR_INVALID_WINDOW_HANDLE: no such window.
    pub const INVALID_WINDOW_HANDLE: Win32Error = Win32Error(1400);
}

/// Win32 error codes of USER32.
impl Win32Error {
    /// ERROR_CLIPBOARD_NOT_OPEN: the thread does not have the clipboard open.
    pub const CLIPBOARD_NOT_OPEN: Win32Error = Win32Error(1418);
    /// ERROR_INVALID_MSGBOX_STYLE: a message box style NT does not have.
    pub const INVALID_MSGBOX_STYLE: Win32Error = Win32Error(1158);
    /// ERROR_MESSAGE_SYNC_ONLY: the message can only be used with synchronous operations.
    pub const MESSAGE_SYNC_ONLY: Win32Error = Win32Error(1159);
    /// ERROR_INVALID_MENU_HANDLE: no such menu.
    pub const INVALID_MENU_HANDLE: Win32Error = Win32Error(1401);
    /// ERROR_TLW_WITH_WSCHILD: a top-level window cannot be a child window.
    pub const TLW_WITH_WSCHILD: Win32Error = Win32Error(1406);
    /// ERROR_CANNOT_FIND_WND_CLASS: no window class of that name.
    pub const CANNOT_FIND_WND_CLASS: Win32Error = Win32Error(1407);
    /// ERROR_WINDOW_OF_OTHER_THREAD: the window belongs to another thread.
    pub const WINDOW_OF_OTHER_THREAD: Win32Error = Win32Error(1408);
    /// ERROR_CLASS_ALREADY_EXISTS: a class of that name is already registered.
    pub const CLASS_ALREADY_EXISTS: Win32Error = Win32Error(1410);
    /// ERROR_CLASS_DOES_NOT_EXIST: no registered class of that name.
    pub const CLASS_DOES_NOT_EXIST: Win32Error = Win32Error(1411);
    /// ERROR_CLASS_HAS_WINDOWS: the class still has windows.
    pub const CLASS_HAS_WINDOWS: Win32Error = Win32Error(1412);
    /// ERROR_INVALID_INDEX: a Get/SetWindowLong or class index out of range.
    pub const INVALID_INDEX: Win32Error = Win32Error(1413);
}

/// The Windows Sockets error codes (winsock.h's WSABASEERR + n), which WSAGetLastError
/// reports: Win32 error codes that only WSOCK32 sets.
impl Win32Error {
    /// WSAEINTR: a blocking call was interrupted (its socket closed under it).
    pub const WSAEINTR: Win32Error = Win32Error(10004);
    /// WSAEACCES: broadcast to an address without SO_BROADCAST, or a port not allowed.
    pub const WSAEACCES: Win32Error = Win32Error(10013);
    /// WSAEFAULT: a pointer or length argument is bad.
    pub const WSAEFAULT: Win32Error = Win32Error(10014);
    /// WSAEINVAL: an argument is invalid, or the socket is in the wrong state.
    pub const WSAEINVAL: Win32Error = Win32Error(10022);
    /// WSAEMFILE: no more sockets.
    pub const WSAEMFILE: Win32Error = Win32Error(10024);
    /// WSAEWOULDBLOCK: a non-blocking socket's call cannot complete now.
    pub const WSAEWOULDBLOCK: Win32Error = Win32Error(10035);
    /// WSAEINPROGRESS: a blocking call is in progress.
    pub const WSAEINPROGRESS: Win32Error = Win32Error(10036);
    /// WSAEALREADY: a non-blocking connect is already in progress.
    pub const WSAEALREADY: Win32Error = Win32Error(10037);
    /// WSAENOTSOCK: the handle is not a socket.
    pub const WSAENOTSOCK: Win32Error = Win32Error(10038);
    /// WSAEDESTADDRREQ: a destination address is needed.
    pub const WSAEDESTADDRREQ: Win32Error = Win32Error(10039);
    /// WSAEMSGSIZE: the datagram was larger than the buffer (and was cut).
    pub const WSAEMSGSIZE: Win32Error = Win32Error(10040);
    /// WSAEPROTOTYPE: the protocol does not fit the socket type.
    pub const WSAEPROTOTYPE: Win32Error = Win32Error(10041);
    /// WSAENOPROTOOPT: an unknown or unsupported option.
    pub const WSAENOPROTOOPT: Win32Error = Win32Error(10042);
    /// WSAEPROTONOSUPPORT: the protocol is not supported.
    pub const WSAEPROTONOSUPPORT: Win32Error = Win32Error(10043);
    /// WSAESOCKTNOSUPPORT: the socket type is not supported.
    pub const WSAESOCKTNOSUPPORT: Win32Error = Win32Error(10044);
    /// WSAEOPNOTSUPP: the operation does not apply to this kind of socket.
    pub const WSAEOPNOTSUPP: Win32Error = Win32Error(10045);
    /// WSAEAFNOSUPPORT: the address family is not supported.
    pub const WSAEAFNOSUPPORT: Win32Error = Win32Error(10047);
    /// WSAEADDRINUSE: the address is in use.
    pub const WSAEADDRINUSE: Win32Error = Win32Error(10048);
    /// WSAEADDRNOTAVAIL: the address is not valid here.
    pub const WSAEADDRNOTAVAIL: Win32Error = Win32Error(10049);
    /// WSAENETDOWN: the network subsystem failed.
    pub const WSAENETDOWN: Win32Error = Win32Error(10050);
    /// WSAENETUNREACH: the network cannot be reached.
    pub const WSAENETUNREACH: Win32Error = Win32Error(10051);
    /// WSAENETRESET: the connection broke while an operation was in progress.
    pub const WSAENETRESET: Win32Error = Win32Error(10052);
    /// WSAECONNABORTED: the connection was aborted on this side.
    pub const WSAECONNABORTED: Win32Error = Win32Error(10053);
    /// WSAECONNRESET: the peer reset the connection.
    pub const WSAECONNRESET: Win32Error = Win32Error(10054);
    /// WSAENOBUFS: no buffer space.
    pub const WSAENOBUFS: Win32Error = Win32Error(10055);
    /// WSAEISCONN: the socket is already connected.
    pub const WSAEISCONN: Win32Error = Win32Error(10056);
    /// WSAENOTCONN: the socket is not connected.
    pub const WSAENOTCONN: Win32Error = Win32Error(10057);
    /// WSAESHUTDOWN: that direction has been shut down.
    pub const WSAESHUTDOWN: Win32Error = Win32Error(10058);
    /// WSAETIMEDOUT: the connection attempt or a timed call timed out.
    pub const WSAETIMEDOUT: Win32Error = Win32Error(10060);
    /// WSAECONNREFUSED: nothing listens at the address.
    pub const WSAECONNREFUSED: Win32Error = Win32Error(10061);
    /// WSAEHOSTDOWN: the host is down.
    pub const WSAEHOSTDOWN: Win32Error = Win32Error(10064);
    /// WSAEHOSTUNREACH: the host cannot be reached.
    pub const WSAEHOSTUNREACH: Win32Error = Win32Error(10065);
    /// WSAVERNOTSUPPORTED: WSAStartup was asked for a version it does not support.
    pub const WSAVERNOTSUPPORTED: Win32Error = Win32Error(10092);
    /// WSANOTINITIALISED: WSAStartup has not been called (or WSACleanup undid it).
    pub const WSANOTINITIALISED: Win32Error = Win32Error(10093);
    /// WSAHOST_NOT_FOUND: the name is not known.
    pub const WSAHOST_NOT_FOUND: Win32Error = Win32Error(11001);
    /// WSATRY_AGAIN: the name server did not answer; try again later.
    pub const WSATRY_AGAIN: Win32Error = Win32Error(11002);
    /// WSANO_RECOVERY: a non-recoverable name-server failure.
    pub const WSANO_RECOVERY: Win32Error = Win32Error(11003);
    /// WSANO_DATA: the name is valid but has no data of the kind asked for (an unknown
    /// service or protocol).
    pub const WSANO_DATA: Win32Error = Win32Error(11004);
    // The I/O manager and the file systems.
    /// ERROR_NOT_SAME_DEVICE: a rename or a link across two drives.
    pub const NOT_SAME_DEVICE: Win32Error = Win32Error(17);
    /// ERROR_NO_MORE_FILES: a search has given every entry.
    pub const NO_MORE_FILES: Win32Error = Win32Error(18);
    /// ERROR_WRITE_PROTECT: the volume is write protected.
    pub const WRITE_PROTECT: Win32Error = Win32Error(19);
    /// ERROR_LOCK_VIOLATION: another open holds a lock on part of the range.
    pub const LOCK_VIOLATION: Win32Error = Win32Error(33);
    /// ERROR_BAD_NETPATH: a network path was not found.
    pub const BAD_NETPATH: Win32Error = Win32Error(53);
    /// ERROR_FILE_EXISTS: CreateFile's CREATE_NEW (and friends) found the file.
    pub const FILE_EXISTS: Win32Error = Win32Error(80);
    /// ERROR_DISK_FULL.
    pub const DISK_FULL: Win32Error = Win32Error(112);
    /// ERROR_NEGATIVE_SEEK: a file pointer would move before the start.
    pub const NEGATIVE_SEEK: Win32Error = Win32Error(131);
    /// ERROR_DIR_NOT_EMPTY.
    pub const DIR_NOT_EMPTY: Win32Error = Win32Error(145);
    /// ERROR_NOT_LOCKED: an unlock named a range that is not locked.
    pub const NOT_LOCKED: Win32Error = Win32Error(158);
    /// ERROR_DIRECTORY: the name is not a directory's.
    pub const DIRECTORY: Win32Error = Win32Error(267);
    /// ERROR_USER_MAPPED_FILE: a file with a user-mapped section cannot be cut.
    pub const USER_MAPPED_FILE: Win32Error = Win32Error(1224);
    /// ERROR_FILE_INVALID: the file cannot be mapped (an empty file with size 0).
    pub const FILE_INVALID: Win32Error = Win32Error(1006);
    /// ERROR_MAPPED_ALIGNMENT: a view's base or offset is not 64 KiB aligned.
    pub const MAPPED_ALIGNMENT: Win32Error = Win32Error(1132);
    /// ERROR_REQUEST_ABORTED: a CopyFileEx progress routine cancelled the copy.
    pub const REQUEST_ABORTED: Win32Error = Win32Error(1235);
    /// ERROR_INVALID_USER_BUFFER: a buffer cannot be read for the I/O asked for.
    pub const INVALID_USER_BUFFER: Win32Error = Win32Error(1784);
}

/// The one NTSTATUS -> Win32 error table. Statuses that are not here map to
/// ERROR_MR_MID_NOT_FOUND, as `RtlNtStatusToDosError` does for codes it does not know;
/// success and informational codes that are not here map to themselves.
pub const STATUS_TO_WIN32: &[(NtStatus, Win32Error)] = &[
    (NtStatus::SUCCESS, Win32Error::SUCCESS),
    (NtStatus::OBJECT_NAME_EXISTS, Win32Error::ALREADY_EXISTS),
    (NtStatus::GUARD_PAGE_VIOLATION, Win32Error(0x8000_0001)),
    (NtStatus::DATATYPE_MISALIGNMENT, Win32Error::NOACCESS),
    (NtStatus::BREAKPOINT, Win32Error(0x8000_0003)),
    (NtStatus::PARTIAL_COPY, Win32Error::PARTIAL_COPY),
    (NtStatus::UNSUCCESSFUL, Win32Error::GEN_FAILURE),
    (NtStatus::NOT_IMPLEMENTED, Win32Error::INVALID_FUNCTION),
    (NtStatus::INVALID_INFO_CLASS, Win32Error::INVALID_PARAMETER),
    (NtStatus::INFO_LENGTH_MISMATCH, Win32Error::BAD_LENGTH),
    (NtStatus::ACCESS_VIOLATION, Win32Error::NOACCESS),
    (NtStatus::INVALID_HANDLE, Win32Error::INVALID_HANDLE),
    (
        NtStatus::INVALID_DEVICE_REQUEST,
        Win32Error::INVALID_FUNCTION,
    ),
    (NtStatus::INVALID_CID, Win32Error::INVALID_PARAMETER),
    (NtStatus::INVALID_PARAMETER, Win32Error::INVALID_PARAMETER),
    (NtStatus::NO_MEMORY, Win32Error::NOT_ENOUGH_MEMORY),
    (NtStatus::CONFLICTING_ADDRESSES, Win32Error::INVALID_ADDRESS),
    (NtStatus::NOT_MAPPED_VIEW, Win32Error::INVALID_ADDRESS),
    (NtStatus::INVALID_VIEW_SIZE, Win32Error::ACCESS_DENIED),
    (
        NtStatus::INVALID_FILE_FOR_SECTION,
        Win32Error::BAD_EXE_FORMAT,
    ),
    (NtStatus::INVALID_IMAGE_NOT_MZ, Win32Error::BAD_EXE_FORMAT),
    (NtStatus::NOT_LOCKED, Win32Error::NOT_LOCKED),
    (NtStatus::SECTION_TOO_BIG, Win32Error::NOT_ENOUGH_MEMORY),
    (NtStatus::SECTION_PROTECTION, Win32Error::INVALID_PARAMETER),
    (NtStatus::FILE_INVALID, Win32Error::FILE_INVALID),
    (NtStatus::MAPPED_FILE_SIZE_ZERO, Win32Error::FILE_INVALID),
    (NtStatus::MAPPED_ALIGNMENT, Win32Error::MAPPED_ALIGNMENT),
    (NtStatus::UNABLE_TO_FREE_VM, Win32Error::INVALID_PARAMETER),
    (NtStatus::ALREADY_COMMITTED, Win32Error::ACCESS_DENIED),
    (NtStatus::ACCESS_DENIED, Win32Error::ACCESS_DENIED),
    (NtStatus::BUFFER_TOO_SMALL, Win32Error::INSUFFICIENT_BUFFER),
    (NtStatus::OBJECT_TYPE_MISMATCH, Win32Error::INVALID_HANDLE),
    (NtStatus::NOT_COMMITTED, Win32Error::INVALID_ADDRESS),
    (
        NtStatus::INVALID_PARAMETER_MIX,
        Win32Error::INVALID_PARAMETER,
    ),
    (NtStatus::OBJECT_NAME_INVALID, Win32Error::INVALID_NAME),
    (NtStatus::OBJECT_NAME_NOT_FOUND, Win32Error::FILE_NOT_FOUND),
    (NtStatus::OBJECT_NAME_COLLISION, Win32Error::ALREADY_EXISTS),
    (NtStatus::OBJECT_PATH_NOT_FOUND, Win32Error::PATH_NOT_FOUND),
    (NtStatus::SHARING_VIOLATION, Win32Error::SHARING_VIOLATION),
    (
        NtStatus::INVALID_PAGE_PROTECTION,
        Win32Error::INVALID_PARAMETER,
    ),
    (NtStatus::MUTANT_NOT_OWNED, Win32Error::NOT_OWNER),
    (
        NtStatus::SEMAPHORE_LIMIT_EXCEEDED,
        Win32Error::TOO_MANY_POSTS,
    ),
    (NtStatus::SUSPEND_COUNT_EXCEEDED, Win32Error::SIGNAL_REFUSED),
    (NtStatus::THREAD_IS_TERMINATING, Win32Error::ACCESS_DENIED),
    (NtStatus::INVALID_IMAGE_FORMAT, Win32Error::BAD_EXE_FORMAT),
    (
        NtStatus::INSUFFICIENT_RESOURCES,
        Win32Error::NO_SYSTEM_RESOURCES,
    ),
    (NtStatus::COMMITMENT_LIMIT, Win32Error::COMMITMENT_LIMIT),
    (NtStatus::FREE_VM_NOT_AT_BASE, Win32Error::INVALID_ADDRESS),
    (NtStatus::MEMORY_NOT_ALLOCATED, Win32Error::INVALID_ADDRESS),
    (NtStatus::PIPE_CLOSING, Win32Error::NO_DATA),
    (NtStatus::NOT_SUPPORTED, Win32Error::NOT_SUPPORTED),
    (NtStatus::PIPE_EMPTY, Win32Error::NO_DATA),
    (NtStatus::PIPE_BROKEN, Win32Error::BROKEN_PIPE),
    (NtStatus::STACK_OVERFLOW, Win32Error::STACK_OVERFLOW),
    (NtStatus::PROCESS_IS_TERMINATING, Win32Error::ACCESS_DENIED),
    (NtStatus::NO_LDT, Win32Error::INVALID_THREAD_ID),
    (NtStatus::DLL_NOT_FOUND, Win32Error::MOD_NOT_FOUND),
    (NtStatus::ORDINAL_NOT_FOUND, Win32Error::INVALID_ORDINAL),
    (NtStatus::ENTRYPOINT_NOT_FOUND, Win32Error::PROC_NOT_FOUND),
    (NtStatus::HANDLE_NOT_CLOSABLE, Win32Error::INVALID_HANDLE),
    // The I/O manager and the file systems.
    (NtStatus::NO_MORE_FILES, Win32Error::NO_MORE_FILES),
    (NtStatus::NO_SUCH_FILE, Win32Error::FILE_NOT_FOUND),
    (NtStatus::END_OF_FILE, Win32Error::HANDLE_EOF),
    (NtStatus::OBJECT_PATH_INVALID, Win32Error(161)),
    (NtStatus::FILE_LOCK_CONFLICT, Win32Error::LOCK_VIOLATION),
    (NtStatus::LOCK_NOT_GRANTED, Win32Error::LOCK_VIOLATION),
    (NtStatus::DELETE_PENDING, Win32Error::ACCESS_DENIED),
    (NtStatus::RANGE_NOT_LOCKED, Win32Error::NOT_LOCKED),
    (NtStatus::DISK_FULL, Win32Error::DISK_FULL),
    (NtStatus::MEDIA_WRITE_PROTECTED, Win32Error::WRITE_PROTECT),
    (NtStatus::FILE_IS_A_DIRECTORY, Win32Error::ACCESS_DENIED),
    (NtStatus::BAD_NETWORK_PATH, Win32Error::BAD_NETPATH),
    (NtStatus::NOT_SAME_DEVICE, Win32Error::NOT_SAME_DEVICE),
    (
        NtStatus::INVALID_USER_BUFFER,
        Win32Error::INVALID_USER_BUFFER,
    ),
    (NtStatus::DIRECTORY_NOT_EMPTY, Win32Error::DIR_NOT_EMPTY),
    (NtStatus::NOT_A_DIRECTORY, Win32Error::DIRECTORY),
    (NtStatus::CANCELLED, Win32Error::OPERATION_ABORTED),
    (NtStatus::CANNOT_DELETE, Win32Error::ACCESS_DENIED),
    (NtStatus::USER_MAPPED_FILE, Win32Error::USER_MAPPED_FILE),
    (
        NtStatus::RESOURCE_DATA_NOT_FOUND,
        Win32Error::RESOURCE_DATA_NOT_FOUND,
    ),
    (
        NtStatus::RESOURCE_TYPE_NOT_FOUND,
        Win32Error::RESOURCE_TYPE_NOT_FOUND,
    ),
    (
        NtStatus::RESOURCE_NAME_NOT_FOUND,
        Win32Error::RESOURCE_NAME_NOT_FOUND,
    ),
    (NtStatus::DLL_INIT_FAILED, Win32Error::DLL_INIT_FAILED),
    (
        NtStatus::RESOURCE_LANG_NOT_FOUND,
        Win32Error::RESOURCE_LANG_NOT_FOUND,
    ),
    (
        NtStatus::SXS_CANT_GEN_ACTCTX,
        Win32Error::SXS_CANT_GEN_ACTCTX,
    ),
    (
        NtStatus::SXS_EARLY_DEACTIVATION,
        Win32Error::SXS_EARLY_DEACTIVATION,
    ),
    (
        NtStatus::SXS_INVALID_DEACTIVATION,
        Win32Error::SXS_INVALID_DEACTIVATION,
    ),
    // The configuration manager (registry) and the security reference monitor.
    (NtStatus::BUFFER_OVERFLOW, Win32Error::MORE_DATA),
    (NtStatus::NO_MORE_ENTRIES, Win32Error::NO_MORE_ITEMS),
    (NtStatus::NOT_ALL_ASSIGNED, Win32Error::NOT_ALL_ASSIGNED),
    (NtStatus::OBJECT_PATH_SYNTAX_BAD, Win32Error::BAD_PATHNAME),
    (NtStatus::UNKNOWN_REVISION, Win32Error::UNKNOWN_REVISION),
    (NtStatus::NO_SUCH_PRIVILEGE, Win32Error::NO_SUCH_PRIVILEGE),
    (NtStatus::PRIVILEGE_NOT_HELD, Win32Error::PRIVILEGE_NOT_HELD),
    (NtStatus::NONE_MAPPED, Win32Error::NONE_MAPPED),
    (NtStatus::INVALID_ACL, Win32Error::INVALID_ACL),
    (NtStatus::INVALID_SID, Win32Error::INVALID_SID),
    (
        NtStatus::INVALID_SECURITY_DESCR,
        Win32Error::INVALID_SECURITY_DESCR,
    ),
    (NtStatus::NO_TOKEN, Win32Error::NO_TOKEN),
    (
        NtStatus::ALLOTTED_SPACE_EXCEEDED,
        Win32Error::ALLOTTED_SPACE_EXCEEDED,
    ),
    (
        NtStatus::BAD_IMPERSONATION_LEVEL,
        Win32Error::BAD_IMPERSONATION_LEVEL,
    ),
    (NtStatus::BAD_TOKEN_TYPE, Win32Error::BAD_TOKEN_TYPE),
    (NtStatus::CANNOT_IMPERSONATE, Win32Error::CANNOT_IMPERSONATE),
    (NtStatus::NAME_TOO_LONG, Win32Error::FILENAME_EXCED_RANGE),
    (NtStatus::REGISTRY_CORRUPT, Win32Error::BADDB),
    (NtStatus::REGISTRY_IO_FAILED, Win32Error::REGISTRY_IO_FAILED),
    (NtStatus::NOT_REGISTRY_FILE, Win32Error::NOT_REGISTRY_FILE),
    (NtStatus::KEY_DELETED, Win32Error::KEY_DELETED),
    (NtStatus::KEY_HAS_CHILDREN, Win32Error::KEY_HAS_CHILDREN),
    (
        NtStatus::CHILD_MUST_BE_VOLATILE,
        Win32Error::CHILD_MUST_BE_VOLATILE,
    ),
    (NtStatus::PENDING, Win32Error::IO_PENDING),
    (NtStatus::NOTIFY_ENUM_DIR, Win32Error::NOTIFY_ENUM_DIR),
    (NtStatus::NOTIFY_CLEANUP, Win32Error::OPERATION_ABORTED),
    (NtStatus::TIMER_RESUME_IGNORED, Win32Error::NOT_SUPPORTED),
    (NtStatus::INSTANCE_NOT_AVAILABLE, Win32Error::PIPE_BUSY),
    (NtStatus::PIPE_NOT_AVAILABLE, Win32Error::PIPE_BUSY),
    (NtStatus::INVALID_PIPE_STATE, Win32Error::BAD_PIPE),
    (NtStatus::PIPE_BUSY, Win32Error::PIPE_BUSY),
    (NtStatus::ILLEGAL_FUNCTION, Win32Error::INVALID_FUNCTION),
    (NtStatus::PIPE_DISCONNECTED, Win32Error::PIPE_NOT_CONNECTED),
    (NtStatus::PIPE_CONNECTED, Win32Error::PIPE_CONNECTED),
    (NtStatus::PIPE_LISTENING, Win32Error::PIPE_LISTENING),
    (NtStatus::INVALID_READ_MODE, Win32Error::BAD_PIPE),
    (NtStatus::IO_TIMEOUT, Win32Error::SEM_TIMEOUT),
];

impl NtStatus {
    /// The Win32 error code `GetLastError` reports for this status (`RtlNtStatusToDosError`).
    pub fn to_win32_error(self) -> Win32Error {
        match STATUS_TO_WIN32.iter().find(|(s, _)| *s == self) {
            Some(&(_, e)) => e,
            None if self.is_error() || self.is_warning() => Win32Error::MR_MID_NOT_FOUND,
            None => Win32Error(self.0),
        }
    }

    /// True for error statuses (severity 3, the top two bits set).
    pub fn is_error(self) -> bool {
        self.0 >> 30 == 3
    }

    /// True for warning statuses (severity 2).
    pub fn is_warning(self) -> bool {
        self.0 >> 30 == 2
    }

    /// True where `NT_SUCCESS` holds: success and informational statuses.
    pub fn is_success(self) -> bool {
        (self.0 as i32) >= 0
    }

    /// The symbolic name (without the `STATUS_` prefix) of a known status.
    pub fn name(self) -> Option<&'static str> {
        status_name(self)
    }
}

impl fmt::Debug for NtStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => write!(f, "STATUS_{n}({:#010x})", self.0),
            None => write!(f, "NTSTATUS({:#010x})", self.0),
        }
    }
}

impl fmt::Display for NtStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handle_errors_map_to_error_invalid_handle() {
        assert_eq!(NtStatus::INVALID_HANDLE.to_win32_error(), Win32Error(6));
        assert_eq!(
            NtStatus::OBJECT_TYPE_MISMATCH.to_win32_error(),
            Win32Error(6)
        );
        assert_eq!(
            NtStatus::HANDLE_NOT_CLOSABLE.to_win32_error(),
            Win32Error(6)
        );
    }

    #[test]
    fn file_system_errors_map_as_nt_does() {
        for (status, error) in [
            (NtStatus::OBJECT_NAME_NOT_FOUND, 2),
            (NtStatus::OBJECT_PATH_NOT_FOUND, 3),
            (NtStatus::FILE_IS_A_DIRECTORY, 5),
            (NtStatus::CANNOT_DELETE, 5),
            (NtStatus::DELETE_PENDING, 5),
            (NtStatus::NO_MORE_FILES, 18),
            (NtStatus::LOCK_NOT_GRANTED, 33),
            (NtStatus::FILE_LOCK_CONFLICT, 33),
            (NtStatus::END_OF_FILE, 38),
            (NtStatus::DIRECTORY_NOT_EMPTY, 145),
            (NtStatus::RANGE_NOT_LOCKED, 158),
            (NtStatus::OBJECT_NAME_COLLISION, 183),
            (NtStatus::NOT_A_DIRECTORY, 267),
            (NtStatus::USER_MAPPED_FILE, 1224),
            (NtStatus::INVALID_USER_BUFFER, 1784),
        ] {
            assert_eq!(status.to_win32_error(), Win32Error(error), "{status:?}");
        }
    }

    #[test]
    fn object_errors_map_as_nt_does() {
        assert_eq!(NtStatus::ACCESS_DENIED.to_win32_error(), Win32Error(5));
        assert_eq!(
            NtStatus::SEMAPHORE_LIMIT_EXCEEDED.to_win32_error(),
            Win32Error(298)
        );
        assert_eq!(NtStatus::MUTANT_NOT_OWNED.to_win32_error(), Win32Error(288));
        assert_eq!(
            NtStatus::OBJECT_NAME_EXISTS.to_win32_error(),
            Win32Error(183)
        );
        assert_eq!(
            NtStatus::INSUFFICIENT_RESOURCES.to_win32_error(),
            Win32Error(1450)
        );
        assert_eq!(
            NtStatus::INVALID_PAGE_PROTECTION.to_win32_error(),
            Win32Error(87)
        );
    }

    #[test]
    fn pipe_errors_map_as_nt_does() {
        assert_eq!(NtStatus::PIPE_BROKEN.to_win32_error(), Win32Error(109));
        assert_eq!(NtStatus::PIPE_CLOSING.to_win32_error(), Win32Error(232));
        assert_eq!(NtStatus::PIPE_EMPTY.to_win32_error(), Win32Error(232));
        assert_eq!(
            NtStatus::INVALID_DEVICE_REQUEST.to_win32_error(),
            Win32Error(1)
        );
    }

    #[test]
    fn wait_and_named_pipe_statuses_map_as_nt_does() {
        assert_eq!(NtStatus::PENDING.to_win32_error(), Win32Error(997));
        assert_eq!(NtStatus::USER_APC.to_win32_error(), Win32Error(0xC0));
        assert_eq!(
            NtStatus::PRIVILEGE_NOT_HELD.to_win32_error(),
            Win32Error(1314)
        );
        assert_eq!(NtStatus::PIPE_BUSY.to_win32_error(), Win32Error(231));
        assert_eq!(
            NtStatus::PIPE_NOT_AVAILABLE.to_win32_error(),
            Win32Error(231)
        );
        assert_eq!(
            NtStatus::INSTANCE_NOT_AVAILABLE.to_win32_error(),
            Win32Error(231)
        );
        assert_eq!(
            NtStatus::PIPE_DISCONNECTED.to_win32_error(),
            Win32Error(233)
        );
        assert_eq!(NtStatus::PIPE_CONNECTED.to_win32_error(), Win32Error(535));
        assert_eq!(NtStatus::PIPE_LISTENING.to_win32_error(), Win32Error(536));
        assert_eq!(
            NtStatus::INVALID_PIPE_STATE.to_win32_error(),
            Win32Error(230)
        );
        assert_eq!(
            NtStatus::INVALID_READ_MODE.to_win32_error(),
            Win32Error(230)
        );
        assert_eq!(NtStatus::BUFFER_OVERFLOW.to_win32_error(), Win32Error(234));
        assert_eq!(NtStatus::IO_TIMEOUT.to_win32_error(), Win32Error(121));
        assert_eq!(NtStatus::CANCELLED.to_win32_error(), Win32Error(995));
        assert_eq!(NtStatus::END_OF_FILE.to_win32_error(), Win32Error(38));
    }

    #[test]
    fn loader_and_resource_errors_map_as_nt_does() {
        assert_eq!(NtStatus::DLL_INIT_FAILED.to_win32_error(), Win32Error(1114));
        assert_eq!(NtStatus::DLL_NOT_FOUND.to_win32_error(), Win32Error(126));
        assert_eq!(
            NtStatus::ENTRYPOINT_NOT_FOUND.to_win32_error(),
            Win32Error(127)
        );
        assert_eq!(
            NtStatus::INVALID_IMAGE_FORMAT.to_win32_error(),
            Win32Error(193)
        );
        assert_eq!(
            NtStatus::RESOURCE_DATA_NOT_FOUND.to_win32_error(),
            Win32Error(1812)
        );
        assert_eq!(
            NtStatus::RESOURCE_TYPE_NOT_FOUND.to_win32_error(),
            Win32Error(1813)
        );
        assert_eq!(
            NtStatus::RESOURCE_NAME_NOT_FOUND.to_win32_error(),
            Win32Error(1814)
        );
        assert_eq!(
            NtStatus::RESOURCE_LANG_NOT_FOUND.to_win32_error(),
            Win32Error(1815)
        );
    }

    #[test]
    fn unknown_error_status_maps_to_mr_mid_not_found() {
        assert_eq!(NtStatus(0xC0FF_0001).to_win32_error(), Win32Error(317));
        assert_eq!(NtStatus::TIMEOUT.to_win32_error(), Win32Error(0x102));
    }

    #[test]
    fn table_has_no_duplicate_statuses() {
        for (i, (a, _)) in STATUS_TO_WIN32.iter().enumerate() {
            for (b, _) in &STATUS_TO_WIN32[i + 1..] {
                assert_ne!(a, b, "{a:?} is in the table twice");
            }
        }
    }

    #[test]
    fn debug_names_known_statuses() {
        assert_eq!(
            format!("{:?}", NtStatus::ACCESS_VIOLATION),
            "STATUS_ACCESS_VIOLATION(0xc0000005)"
        );
        assert_eq!(
            format!("{:?}", NtStatus(0xC0FF_0001)),
            "NTSTATUS(0xc0ff0001)"
        );
    }
}
