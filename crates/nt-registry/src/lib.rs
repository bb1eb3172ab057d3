//! The NT configuration manager of ntemu: the registry of one machine.
//!
//! - [`Registry`] holds every key of every hive, found by path from \REGISTRY\MACHINE and
//!   \REGISTRY\USER (or a [`RootKey`]), with NT's rules: names compared without case, subkeys
//!   enumerated in upper-cased order, values in the order set, volatile keys, deleted keys
//!   that open handles see as deleted, and change notifications.
//! - Each hive is kept in a REGEDIT4 file ([`regfile`]) on the system drive, where NT keeps
//!   its hives (`C:\WINNT\system32\config\software.reg`, `system.reg`, `default.reg`,
//!   `sam.reg`, `security.reg`, and the user's `C:\WINNT\Profiles\USER\ntuser.reg`), written
//!   crash-safely ([`persist`]: a temporary file, fsync, rename, fsync of the directory),
//!   at most [`FLUSH_DELAY`] after a change, on [`Registry::flush`], and at exit.
//! - Several machines may share a drive (threads of one process or separate processes):
//!   a writer takes the hive file's `flock(2)` lock, and when the file changed since it last
//!   read it, replays its own changes onto the other writer's file before writing, so no
//!   machine's writes are lost (the later write of the same value wins). Machines that have
//!   not changed a hive take in others' writes within [`REFRESH_INTERVAL`].
//! - A hive file that does not parse is reported (see [`Registry::take_messages`]) and set
//!   aside as `NAME.corrupt`, never overwritten.
//!
//! Every failure a guest can see is a [`RegistryError`] with its NTSTATUS.

mod defaults;
pub mod persist;
pub mod regfile;
mod store;
pub mod tree;
pub mod value;

use std::os::fd::OwnedFd;
use std::path::Path;
use std::sync::Arc;

pub use defaults::Processor;
pub use nt_status::NtStatus;
pub use store::{
    CreateOptions, Disposition, FLUSH_DELAY, ImportError, KeyId, KeyInfo, NOTIFY_CHANGE_ATTRIBUTES,
    NOTIFY_CHANGE_LAST_SET, NOTIFY_CHANGE_NAME, NOTIFY_CHANGE_SECURITY, REFRESH_INTERVAL, Registry,
    RootKey, SubkeyInfo, now_filetime, split_path,
};
pub use value::Value;

/// The SID of the one user ntemu logs on (a local account of the machine NTEMU: the
/// machine's domain SID and RID 1000, the first user an NT 4.0 Workstation made).
pub const USER_SID: &str = "S-1-5-21-1180699209-877415012-3182924384-1000";

/// Who is logged on to the machine, and its name: what the default contents and the user's
/// hive are made for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The user name (GetUserName, USERNAME), also the profile folder's name.
    pub user: String,
    /// The user's SID in its string form (HKEY_USERS\SID).
    pub user_sid: String,
    /// The computer name.
    pub computer: String,
}

impl Identity {
    /// The identity of user `user` on the computer NTEMU, with [`USER_SID`].
    pub fn new(user: &str) -> Identity {
        Identity {
            user: user.to_string(),
            user_sid: USER_SID.to_string(),
            computer: "NTEMU".to_string(),
        }
    }
}

/// The system drive C: the registry keeps its hive files on: its host directory, opened
/// once (nothing outside it is reached), and whether it may be written.
#[derive(Clone, Debug)]
pub struct SystemDrive {
    root: Arc<OwnedFd>,
    read_only: bool,
}

impl SystemDrive {
    /// Opens host directory `path` as the system drive.
    pub fn open(path: &Path, read_only: bool) -> std::io::Result<SystemDrive> {
        Ok(SystemDrive {
            root: persist::HiveDirectory::open_root(path)?,
            read_only,
        })
    }

    /// The directory `rel` (separated by `/`) beneath the drive, for hive files of its own
    /// (RegLoadKey, RegSaveKey).
    pub fn directory(&self, rel: &str) -> persist::HiveDirectory {
        persist::HiveDirectory::new(self.root.clone(), rel)
    }
}

/// A registry operation's failure; [`RegistryError::status`] gives its NTSTATUS.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// No key or value of that name.
    #[error("not found")]
    NotFound,
    /// An absolute path leads outside the registry.
    #[error("path not found")]
    PathNotFound,
    /// The key was deleted.
    #[error("the key was deleted")]
    KeyDeleted,
    /// A non-volatile key under a volatile one.
    #[error("a child of a volatile key must be volatile")]
    ChildMustBeVolatile,
    /// The key has subkeys, or is a hive's root.
    #[error("the key cannot be deleted")]
    CannotDelete,
    /// Keys are not made directly under \REGISTRY, MACHINE or USER.
    #[error("access denied")]
    AccessDenied,
    /// A relative path begins with a backslash.
    #[error("a relative key path begins with a backslash")]
    PathSyntaxBad,
    /// An empty component in a path.
    #[error("invalid key name")]
    NameInvalid,
    /// A name too long, a control character in a key name, data too large, a hive
    /// operation on the wrong key.
    #[error("invalid parameter")]
    InvalidParameter,
    /// An enumeration index past the end.
    #[error("no more entries")]
    NoMoreEntries,
    /// A hive is already mounted there.
    #[error("already exists")]
    AlreadyExists,
    /// Reading or writing a hive's file failed.
    #[error("{0}")]
    Io(String),
    /// A hive's file does not parse.
    #[error("{0}")]
    Corrupt(String),
}

impl RegistryError {
    /// The NTSTATUS the native API returns for this failure.
    pub fn status(&self) -> NtStatus {
        match self {
            RegistryError::NotFound => NtStatus::OBJECT_NAME_NOT_FOUND,
            RegistryError::PathNotFound => NtStatus::OBJECT_PATH_NOT_FOUND,
            RegistryError::KeyDeleted => NtStatus::KEY_DELETED,
            RegistryError::ChildMustBeVolatile => NtStatus::CHILD_MUST_BE_VOLATILE,
            RegistryError::CannotDelete => NtStatus::CANNOT_DELETE,
            RegistryError::AccessDenied => NtStatus::ACCESS_DENIED,
            RegistryError::PathSyntaxBad => NtStatus::OBJECT_PATH_SYNTAX_BAD,
            RegistryError::NameInvalid => NtStatus::OBJECT_NAME_INVALID,
            RegistryError::InvalidParameter => NtStatus::INVALID_PARAMETER,
            RegistryError::NoMoreEntries => NtStatus::NO_MORE_ENTRIES,
            RegistryError::AlreadyExists => NtStatus::OBJECT_NAME_COLLISION,
            RegistryError::Io(_) => NtStatus::REGISTRY_IO_FAILED,
            RegistryError::Corrupt(_) => NtStatus::NOT_REGISTRY_FILE,
        }
    }
}

#[cfg(test)]
mod tests;
