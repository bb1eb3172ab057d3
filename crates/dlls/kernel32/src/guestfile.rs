//! Files a builtin reads and writes whole on a guest's behalf (the hives RegSaveKey writes
//! and RegLoadKey reads, .ini files): found by guest path on the machine's drives like any
//! file, read at once, and replaced crash-safely (a temporary file beside it, fsync, rename,
//! fsync of the directory), so a crash leaves the old file or the new one, never a torn one.

use std::sync::Arc;

use nt_registry::persist::{HiveDirectory, HiveFile};
use nt_status::Win32Error;
use win32::ApiCall;

use crate::file;
use crate::volume::{Located, host_error};

/// A file on a guest drive, to read or replace whole.
#[derive(Clone, Debug)]
pub struct GuestFile {
    path: String,
    file: HiveFile,
    exists: bool,
    read_only: bool,
}

fn io_error(e: &std::io::Error) -> Win32Error {
    match e.raw_os_error() {
        Some(n) => host_error(rustix::io::Errno::from_raw_os_error(n)),
        None => Win32Error::ACCESS_DENIED,
    }
}

/// Finds `name` (a guest path, relative to the caller's current directory) on the drives:
/// ERROR_PATH_NOT_FOUND when its folder does not exist, ERROR_ACCESS_DENIED for a
/// directory or a device.
pub fn guest_file(call: &ApiCall<'_>, name: &str) -> Result<GuestFile, Win32Error> {
    let full = file::full(call, name)?;
    let (volume, at): (_, Located) = file::resolve(call, &full)?;
    if at.node.is_some_and(|n| n.is_dir()) || at.is_root() {
        return Err(Win32Error::ACCESS_DENIED);
    }
    let parent = volume.parent_of(&at)?;
    Ok(GuestFile {
        path: full.display(),
        file: HiveDirectory::new(Arc::new(parent), "").file(&at.name),
        exists: at.node.is_some(),
        read_only: volume.read_only,
    })
}

impl GuestFile {
    /// Its full guest path (`C:\\DIR\\NAME`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// True when the file existed when it was found.
    pub fn exists(&self) -> bool {
        self.exists
    }

    /// True when its drive is read-only.
    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// Its content; None when there is no such file.
    pub fn read(&self) -> Result<Option<Vec<u8>>, Win32Error> {
        self.file
            .read()
            .map(|r| r.map(|(bytes, _)| bytes))
            .map_err(|e| io_error(&e))
    }

    /// Replaces (or creates) the file with `bytes`, crash-safely.
    pub fn replace(&self, bytes: &[u8]) -> Result<(), Win32Error> {
        if self.read_only {
            return Err(Win32Error::ACCESS_DENIED);
        }
        self.file
            .write_atomically(bytes)
            .map(|_| ())
            .map_err(|e| io_error(&e))
    }

    /// The file as the registry keeps a hive in it (RegLoadKey).
    pub fn hive_file(&self) -> HiveFile {
        self.file.clone()
    }
}
