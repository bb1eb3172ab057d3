//! The guest's drives: host directories mounted as drive letters ([`Mount`]), and the checks a
//! directory must pass to become one ([`check_drive_directory`]).
//!
//! Each drive is an open directory descriptor of its host directory; every guest path is
//! resolved by the kernel beneath it (`openat2` with `RESOLVE_BENEATH`), so nothing outside a
//! drive is reachable, even while another process swaps names inside it. Symbolic links that
//! stay inside the drive work; links that lead outside look like absent names; devices,
//! FIFOs and sockets are never opened; a file with more than one hard link is read-only to
//! the guest; a read-only drive refuses every change.

use std::path::{Path, PathBuf};

use crate::RunError;

/// A host directory mounted as a guest drive.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Mount {
    /// The drive letter (upper case).
    pub letter: char,
    /// The host directory.
    pub host: PathBuf,
    /// The guest may not change anything on it.
    pub read_only: bool,
}

impl Mount {
    /// Host directory `host` as drive `letter`.
    pub fn new(letter: char, host: impl Into<PathBuf>, read_only: bool) -> Mount {
        Mount {
            letter: letter.to_ascii_uppercase(),
            host: host.into(),
            read_only,
        }
    }

    /// Parses `--drive`'s `L:=DIR` or `L:=DIR:ro`.
    pub fn parse(spec: &str) -> Result<Mount, RunError> {
        let bad = || RunError::BadDrive(spec.to_string());
        let (letter, dir) = spec.split_once('=').ok_or_else(bad)?;
        let mut chars = letter.chars();
        let (Some(l), Some(':'), None) = (chars.next(), chars.next(), chars.next()) else {
            return Err(bad());
        };
        if !l.is_ascii_alphabetic() {
            return Err(bad());
        }
        let (dir, read_only) = match dir.strip_suffix(":ro") {
            Some(d) => (d, true),
            None => (dir.strip_suffix(":rw").unwrap_or(dir), false),
        };
        if dir.is_empty() {
            return Err(bad());
        }
        Ok(Mount::new(l, dir, read_only))
    }
}

/// Refuses a drive directory that is the host's root or holds the user's home directory
/// (`--allow-root-dir` lets one through): such a drive would give a guest the whole of the
/// user's files.
pub fn check_drive_directory(host: &Path) -> Result<(), RunError> {
    let canonical = host.canonicalize().map_err(|source| RunError::Read {
        path: host.to_path_buf(),
        source,
    })?;
    if canonical.parent().is_none() {
        return Err(RunError::UnsafeDrive(host.to_path_buf()));
    }
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty())
        && let Ok(home) = Path::new(&home).canonicalize()
        && home.starts_with(&canonical)
    {
        return Err(RunError::UnsafeDrive(host.to_path_buf()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drive_specs_parse() {
        assert_eq!(
            Mount::parse("d:=/tmp/x").ok(),
            Some(Mount::new('D', "/tmp/x", false))
        );
        assert_eq!(
            Mount::parse("E:=/srv/data:ro").ok(),
            Some(Mount::new('E', "/srv/data", true))
        );
        for bad in ["", "D", "D=/x", "DD:=/x", "1:=/x", "D:=", "D:=:ro"] {
            assert!(Mount::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_host_root_is_refused() {
        assert!(matches!(
            check_drive_directory(Path::new("/")),
            Err(RunError::UnsafeDrive(_))
        ));
    }
}
