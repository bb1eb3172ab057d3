//! Volumes: the host directories a machine's drive letters show, and every host file-system
//! operation on them.
//!
//! A volume is an open directory descriptor of its root. Every path is resolved by the
//! kernel beneath that descriptor (`openat2` with `RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS`),
//! so nothing above the root is reachable, whatever the guest spells and whatever another
//! host process swaps in while the guest works: there is no gap between a check and a use.
//! Operations on a name act through the descriptor of its parent directory (`unlinkat`,
//! `mkdirat`, `renameat2`), open files through their own descriptors.
//!
//! The policy for what is not a plain file or directory:
//! - a symbolic link whose target stays inside the volume (a relative link that does not
//!   climb above the root) works as its target; one that leads outside (absolute, or by `..`
//!   past the root), and a name being swapped while it is resolved, look like an absent
//!   name: the same error, and listings leave it out;
//! - devices, FIFOs and sockets are never opened for reading or writing: they are refused
//!   with ERROR_ACCESS_DENIED after an `O_PATH` look that has no side effect, and opens use
//!   `O_NONBLOCK` and check the type again before any read, so nothing can block;
//! - a regular file with more than one hard link is refused for writing
//!   (ERROR_ACCESS_DENIED): its other names may lie outside the volume;
//! - a read-only volume refuses every change with ERROR_ACCESS_DENIED.
//!
//! Guest names are case-insensitive: each component picks the host entry of the same name
//! (an exact match first, else the first in byte order that matches without case).

use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use nt_status::Win32Error;
use rustix::fs::{AtFlags, FileType, Mode, OFlags, RenameFlags, ResolveFlags};
use rustix::io::Errno;

use crate::path::same_name;

/// ERROR_DIR_NOT_EMPTY.
pub(crate) const ERROR_DIR_NOT_EMPTY: Win32Error = Win32Error(145);
/// ERROR_FILE_EXISTS.
pub(crate) const ERROR_FILE_EXISTS: Win32Error = Win32Error(80);
/// ERROR_DISK_FULL.
const ERROR_DISK_FULL: Win32Error = Win32Error(112);

/// How many times a resolution the kernel reports as raced (EAGAIN) is tried again.
const RACE_RETRIES: usize = 8;

/// What a directory entry is, as the guest may see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NodeKind {
    /// A regular file.
    File,
    /// A directory.
    Directory,
}

/// What the guest may know of a file or directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Node {
    /// File or directory.
    pub(crate) kind: NodeKind,
    /// Its size in bytes (0 for a directory).
    pub(crate) size: u64,
    /// Nobody may write it (no write bit for its owner).
    pub(crate) read_only: bool,
    /// Hard links to it.
    pub(crate) links: u64,
    /// The host device and inode: its identity.
    pub(crate) id: (u64, u64),
    /// Last access, last write and status change, in nanoseconds since 1970.
    pub(crate) accessed: i128,
    /// Last write.
    pub(crate) written: i128,
    /// Last status change (NT's creation time is taken as the earlier of this and the write).
    pub(crate) changed: i128,
}

fn nanos(seconds: i64, nanoseconds: u64) -> i128 {
    i128::from(seconds) * 1_000_000_000 + i128::from(nanoseconds)
}

impl Node {
    /// A host stat's node; None for what is neither a regular file nor a directory.
    // The stat fields' types differ between host architectures.
    #[allow(clippy::unnecessary_cast)]
    fn of(stat: &rustix::fs::Stat) -> Option<Node> {
        let kind = match FileType::from_raw_mode(stat.st_mode as _) {
            FileType::RegularFile => NodeKind::File,
            FileType::Directory => NodeKind::Directory,
            _ => return None,
        };
        Some(Node {
            kind,
            size: if kind == NodeKind::File {
                stat.st_size as u64
            } else {
                0
            },
            read_only: stat.st_mode & 0o200 == 0,
            links: stat.st_nlink as u64,
            id: (stat.st_dev as u64, stat.st_ino as u64),
            accessed: nanos(stat.st_atime as i64, stat.st_atime_nsec as u64),
            written: nanos(stat.st_mtime as i64, stat.st_mtime_nsec as u64),
            changed: nanos(stat.st_ctime as i64, stat.st_ctime_nsec as u64),
        })
    }

    /// True for a directory.
    pub(crate) fn is_dir(&self) -> bool {
        self.kind == NodeKind::Directory
    }
}

/// The Win32 error for a host error of a resolution or an operation.
pub(crate) fn host_error(e: Errno) -> Win32Error {
    match e {
        // Absent, or leading outside the volume (EXDEV), or a loop or magic link (ELOOP):
        // all look like a missing name.
        Errno::NOENT | Errno::XDEV | Errno::LOOP | Errno::AGAIN => Win32Error::FILE_NOT_FOUND,
        Errno::NOTDIR => Win32Error::PATH_NOT_FOUND,
        Errno::EXIST => Win32Error::ALREADY_EXISTS,
        Errno::NOTEMPTY => ERROR_DIR_NOT_EMPTY,
        Errno::NOSPC | Errno::DQUOT => ERROR_DISK_FULL,
        Errno::NAMETOOLONG => Win32Error::FILENAME_EXCED_RANGE,
        Errno::ROFS => Win32Error::ACCESS_DENIED,
        _ => Win32Error::ACCESS_DENIED,
    }
}

/// A guest name found on a volume: its host path relative to the root (components in their
/// host spelling, joined with `/`; empty for the root), and what is there.
#[derive(Clone, Debug)]
pub(crate) struct Located {
    /// The relative host path.
    pub(crate) rel: String,
    /// The last component's host name (the guest's spelling when nothing is there).
    pub(crate) name: String,
    /// What is there; None when the last component does not exist.
    pub(crate) node: Option<Node>,
}

impl Located {
    /// The relative host path of its parent directory.
    pub(crate) fn parent_rel(&self) -> &str {
        match self.rel.rfind('/') {
            Some(i) => &self.rel[..i],
            None => "",
        }
    }

    /// True for the volume's root.
    pub(crate) fn is_root(&self) -> bool {
        self.rel.is_empty()
    }
}

/// How [`Volume::open`] opens a file.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OpenHow {
    /// Read the data.
    pub(crate) read: bool,
    /// Write the data.
    pub(crate) write: bool,
    /// Create it when absent.
    pub(crate) create: bool,
    /// Fail when it exists (with `create`).
    pub(crate) exclusive: bool,
    /// Cut it to 0 bytes.
    pub(crate) truncate: bool,
    /// Open a directory (FILE_FLAG_BACKUP_SEMANTICS) rather than refuse it.
    pub(crate) directory: bool,
}

/// A file or directory opened on a volume.
#[derive(Debug)]
pub(crate) struct Opened {
    /// The open file (a directory is opened for reading its entries).
    pub(crate) file: std::fs::File,
    /// What it is.
    pub(crate) node: Node,
    /// Its name in the parent.
    pub(crate) name: String,
}

/// One volume: a host directory that is a drive of the machine.
#[derive(Debug)]
pub(crate) struct Volume {
    /// The drive letter (upper case).
    pub(crate) letter: char,
    /// The root directory, opened O_PATH.
    root: OwnedFd,
    /// The host directory, for messages and the embedder; never used to reach files.
    pub(crate) host: PathBuf,
    /// Every change is refused.
    pub(crate) read_only: bool,
    /// The serial number GetVolumeInformation reports.
    pub(crate) serial: u32,
}

impl Volume {
    /// Opens host directory `host` as drive `letter`.
    pub(crate) fn open_root(letter: char, host: &Path, read_only: bool) -> std::io::Result<Self> {
        let root = rustix::fs::open(
            host,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        // The serial: a hash of the canonical path (FNV-1a), stable from run to run.
        let canonical = host.canonicalize().unwrap_or_else(|_| host.to_path_buf());
        let serial = canonical
            .as_os_str()
            .as_bytes()
            .iter()
            .fold(0x811C_9DC5u32, |h, &b| {
                (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
            });
        Ok(Volume {
            letter: letter.to_ascii_uppercase(),
            root,
            host: canonical,
            read_only,
            serial,
        })
    }

    /// Resolves `rel` beneath the root and opens it with `flags`.
    fn beneath(&self, rel: &str, flags: OFlags) -> Result<OwnedFd, Errno> {
        let path = if rel.is_empty() { "." } else { rel };
        // openat2 refuses a mode without O_CREAT.
        let mode = if flags.contains(OFlags::CREATE) {
            Mode::from_raw_mode(0o666)
        } else {
            Mode::empty()
        };
        // openat2 refuses other flags beside O_PATH.
        let extra = if flags.contains(OFlags::PATH) {
            OFlags::CLOEXEC
        } else {
            OFlags::CLOEXEC | OFlags::NOCTTY
        };
        let mut last = Errno::AGAIN;
        for _ in 0..RACE_RETRIES {
            match rustix::fs::openat2(
                &self.root,
                path,
                flags | extra,
                mode,
                ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS,
            ) {
                Err(Errno::AGAIN) => last = Errno::AGAIN,
                other => return other,
            }
        }
        Err(last)
    }

    /// What `rel` is (following links that stay beneath the root); None when absent or not
    /// a file or directory.
    fn node_at(&self, rel: &str) -> Result<Option<Node>, Win32Error> {
        match self.beneath(rel, OFlags::PATH) {
            Ok(fd) => Ok(rustix::fs::fstat(&fd).ok().and_then(|s| Node::of(&s))),
            Err(Errno::NOENT | Errno::XDEV | Errno::LOOP | Errno::AGAIN) => Ok(None),
            Err(Errno::NOTDIR) => Err(Win32Error::PATH_NOT_FOUND),
            Err(e) => Err(host_error(e)),
        }
    }

    /// The directory `rel`, opened for listing.
    fn open_dir(&self, rel: &str) -> Result<rustix::fs::Dir, Win32Error> {
        let fd = self
            .beneath(rel, OFlags::RDONLY | OFlags::DIRECTORY)
            .map_err(|e| match e {
                Errno::NOENT | Errno::XDEV | Errno::LOOP | Errno::AGAIN | Errno::NOTDIR => {
                    Win32Error::PATH_NOT_FOUND
                }
                e => host_error(e),
            })?;
        rustix::fs::Dir::new(fd).map_err(host_error)
    }

    /// The host name in directory `dir_rel` that guest name `name` names: an exact match, else
    /// the first in byte order that matches without case. None when there is none.
    fn find(&self, dir_rel: &str, name: &str) -> Result<Option<String>, Win32Error> {
        let dir = self.beneath(dir_rel, OFlags::PATH | OFlags::DIRECTORY);
        let dir = match dir {
            Ok(d) => d,
            Err(Errno::NOENT | Errno::XDEV | Errno::LOOP | Errno::AGAIN | Errno::NOTDIR) => {
                return Err(Win32Error::PATH_NOT_FOUND);
            }
            Err(e) => return Err(host_error(e)),
        };
        if rustix::fs::statat(&dir, name, AtFlags::SYMLINK_NOFOLLOW).is_ok() {
            return Ok(Some(name.to_string()));
        }
        let mut found: Option<String> = None;
        for entry in self.open_dir(dir_rel)?.flatten() {
            let Ok(real) = std::str::from_utf8(entry.file_name().to_bytes()) else {
                continue;
            };
            if real != "."
                && real != ".."
                && same_name(real, name)
                && found.as_deref().is_none_or(|f| real < f)
            {
                found = Some(real.to_string());
            }
        }
        if found.is_none() {
            // An 8.3 alias ntemu gives a long name ([`crate::findfile`]).
            let dir = Located {
                rel: dir_rel.to_string(),
                name: String::new(),
                node: None,
            };
            found = crate::findfile::alias_target(self, &dir, name);
        }
        Ok(found)
    }

    /// Finds the guest path `components` (below the root, without `.` or `..`): every
    /// directory on the way must exist (else ERROR_PATH_NOT_FOUND); the last component may be
    /// absent.
    pub(crate) fn locate(&self, components: &[String]) -> Result<Located, Win32Error> {
        // The guest's own spelling first: when it names something as it is (the usual case),
        // one resolution by the kernel finds it, without a walk.
        if let Some(rel) = exact_path(components)
            && let Ok(Some(node)) = self.node_at(&rel)
        {
            let name = components.last().cloned().unwrap_or_default();
            return Ok(Located {
                rel,
                name,
                node: Some(node),
            });
        }
        let mut rel = String::new();
        for (i, component) in components.iter().enumerate() {
            if component.is_empty()
                || component == "."
                || component == ".."
                || component.contains(['/', '\0', '\\'])
            {
                return Err(Win32Error::INVALID_NAME);
            }
            let last = i + 1 == components.len();
            match self.find(&rel, component)? {
                Some(real) => {
                    let next = join(&rel, &real);
                    if last {
                        let node = self.node_at(&next)?;
                        return Ok(Located {
                            rel: next,
                            name: real,
                            node,
                        });
                    }
                    match self.node_at(&next)? {
                        Some(n) if n.is_dir() => rel = next,
                        _ => return Err(Win32Error::PATH_NOT_FOUND),
                    }
                }
                None if last => {
                    return Ok(Located {
                        rel: join(&rel, component),
                        name: component.clone(),
                        node: None,
                    });
                }
                None => return Err(Win32Error::PATH_NOT_FOUND),
            }
        }
        let node = self.node_at("")?;
        Ok(Located {
            rel,
            name: String::new(),
            node,
        })
    }

    fn writable(&self) -> Result<(), Win32Error> {
        if self.read_only {
            Err(Win32Error::ACCESS_DENIED)
        } else {
            Ok(())
        }
    }

    /// The parent directory of `at`, opened O_PATH.
    pub(crate) fn parent_of(&self, at: &Located) -> Result<OwnedFd, Win32Error> {
        self.beneath(at.parent_rel(), OFlags::PATH | OFlags::DIRECTORY)
            .map_err(|e| match e {
                Errno::NOENT | Errno::XDEV | Errno::LOOP | Errno::AGAIN | Errno::NOTDIR => {
                    Win32Error::PATH_NOT_FOUND
                }
                e => host_error(e),
            })
    }

    /// Opens an existing file or directory by the guest's own spelling of its path (no
    /// walk, no case folding): what it is, and the open file. None when that spelling does
    /// not name a file or directory the guest may see (absent, a link leading outside, a
    /// device), so that the caller takes the careful way. The open uses O_NONBLOCK and the
    /// type is checked before anything reads, so nothing blocks; a directory is opened for
    /// reading only.
    pub(crate) fn open_exact(
        &self,
        components: &[String],
        read: bool,
        write: bool,
    ) -> Option<(std::fs::File, Node, Located)> {
        let rel = exact_path(components)?;
        if write && self.read_only {
            return None;
        }
        let flags = match (read, write) {
            (_, false) => OFlags::RDONLY,
            (false, true) => OFlags::WRONLY,
            (true, true) => OFlags::RDWR,
        };
        let fd = self.beneath(&rel, flags | OFlags::NONBLOCK).ok()?;
        let stat = rustix::fs::fstat(&fd).ok()?;
        let node = Node::of(&stat)?;
        let name = components.last().cloned().unwrap_or_default();
        let at = Located {
            rel,
            name,
            node: Some(node),
        };
        Some((std::fs::File::from(fd), node, at))
    }

    /// Opens (or creates) the file or directory `at` names.
    pub(crate) fn open(&self, at: &Located, how: OpenHow) -> Result<Opened, Win32Error> {
        if (how.write || how.create || how.truncate) && self.read_only {
            return Err(Win32Error::ACCESS_DENIED);
        }
        // A look that has no side effect first: devices, FIFOs and sockets are refused
        // before anything opens them.
        let before = match self.beneath(&at.rel, OFlags::PATH) {
            Ok(fd) => {
                let stat = rustix::fs::fstat(&fd).map_err(host_error)?;
                Some(Node::of(&stat).ok_or(Win32Error::ACCESS_DENIED)?)
            }
            Err(Errno::NOENT) => None,
            Err(Errno::XDEV | Errno::LOOP | Errno::AGAIN) => {
                // A link leading outside, or a name being swapped: absent to a reader, and
                // never created through or replaced.
                return Err(if how.create {
                    Win32Error::ACCESS_DENIED
                } else {
                    Win32Error::FILE_NOT_FOUND
                });
            }
            Err(Errno::NOTDIR) => return Err(Win32Error::PATH_NOT_FOUND),
            Err(e) => return Err(host_error(e)),
        };
        let created = before.is_none();
        if created && !how.create {
            return Err(Win32Error::FILE_NOT_FOUND);
        }
        if before.is_some() && how.create && how.exclusive {
            return Err(ERROR_FILE_EXISTS);
        }
        let is_dir = before.is_some_and(|n| n.is_dir());
        if is_dir && !how.directory {
            return Err(Win32Error::ACCESS_DENIED);
        }
        if is_dir && (how.write || how.truncate) {
            return Err(Win32Error::ACCESS_DENIED);
        }
        if before.is_some_and(|n| n.kind == NodeKind::File && n.links > 1)
            && (how.write || how.truncate)
        {
            return Err(Win32Error::ACCESS_DENIED);
        }
        let mut flags = OFlags::NONBLOCK;
        flags |= match (how.read || is_dir, how.write && !is_dir) {
            (_, false) => OFlags::RDONLY,
            (false, true) => OFlags::WRONLY,
            (true, true) => OFlags::RDWR,
        };
        if is_dir {
            flags |= OFlags::DIRECTORY;
        }
        if created {
            // Never through a name that appeared since: O_EXCL does not follow links.
            flags |= OFlags::CREATE | OFlags::EXCL;
        }
        let fd = self.beneath(&at.rel, flags).map_err(|e| match e {
            Errno::EXIST if created => ERROR_FILE_EXISTS,
            Errno::XDEV | Errno::LOOP | Errno::AGAIN => Win32Error::FILE_NOT_FOUND,
            e => host_error(e),
        })?;
        // The type again, on what was really opened, before any read.
        let stat = rustix::fs::fstat(&fd).map_err(host_error)?;
        let node = Node::of(&stat).ok_or(Win32Error::ACCESS_DENIED)?;
        if node.is_dir() != is_dir && !created {
            return Err(Win32Error::ACCESS_DENIED);
        }
        if node.kind == NodeKind::File && node.links > 1 && (how.write || how.truncate) {
            return Err(Win32Error::ACCESS_DENIED);
        }
        if let Some(b) = before
            && b.id != node.id
        {
            // Swapped between the look and the open.
            return Err(Win32Error::FILE_NOT_FOUND);
        }
        // O_NONBLOCK stays: it changes nothing for a regular file or a directory.
        let file = std::fs::File::from(fd);
        if how.truncate && node.kind == NodeKind::File {
            file.set_len(0).map_err(|e| io_error(&e))?;
        }
        Ok(Opened {
            file,
            node,
            name: at.name.clone(),
        })
    }

    /// Removes the file `at` names (not a directory).
    pub(crate) fn remove_file(&self, at: &Located) -> Result<(), Win32Error> {
        self.writable()?;
        let parent = self.parent_of(at)?;
        // Only a name that looks present may go: a link leading outside is absent.
        if at.node.is_none() {
            return Err(Win32Error::FILE_NOT_FOUND);
        }
        let stat = rustix::fs::statat(&parent, at.name.as_str(), AtFlags::SYMLINK_NOFOLLOW)
            .map_err(host_error)?;
        match FileType::from_raw_mode(stat.st_mode as _) {
            FileType::RegularFile | FileType::Symlink => {}
            FileType::Directory => return Err(Win32Error::ACCESS_DENIED),
            _ => return Err(Win32Error::ACCESS_DENIED),
        }
        rustix::fs::unlinkat(&parent, at.name.as_str(), AtFlags::empty()).map_err(host_error)
    }

    /// Makes `to` a second name (hard link) of the file `from` names; an existing `to` is
    /// ERROR_ALREADY_EXISTS.
    pub(crate) fn link(&self, from: &Located, to: &Located) -> Result<(), Win32Error> {
        self.writable()?;
        let source = self.parent_of(from)?;
        let target = self.parent_of(to)?;
        // Only a regular file, not a symbolic link, is linked.
        let stat = rustix::fs::statat(&source, from.name.as_str(), AtFlags::SYMLINK_NOFOLLOW)
            .map_err(host_error)?;
        if FileType::from_raw_mode(stat.st_mode as _) != FileType::RegularFile {
            return Err(Win32Error::ACCESS_DENIED);
        }
        rustix::fs::linkat(
            &source,
            from.name.as_str(),
            &target,
            to.name.as_str(),
            AtFlags::empty(),
        )
        .map_err(|e| match e {
            Errno::EXIST => Win32Error::ALREADY_EXISTS,
            e => host_error(e),
        })
    }

    /// Makes the directory `at` names.
    pub(crate) fn make_directory(&self, at: &Located) -> Result<(), Win32Error> {
        self.writable()?;
        let parent = self.parent_of(at)?;
        rustix::fs::mkdirat(&parent, at.name.as_str(), Mode::from_raw_mode(0o777)).map_err(|e| {
            match e {
                Errno::EXIST => Win32Error::ALREADY_EXISTS,
                e => host_error(e),
            }
        })
    }

    /// Removes the empty directory `at` names.
    pub(crate) fn remove_directory(&self, at: &Located) -> Result<(), Win32Error> {
        self.writable()?;
        if at.is_root() {
            return Err(Win32Error::ACCESS_DENIED);
        }
        let parent = self.parent_of(at)?;
        let stat = rustix::fs::statat(&parent, at.name.as_str(), AtFlags::SYMLINK_NOFOLLOW)
            .map_err(host_error)?;
        if FileType::from_raw_mode(stat.st_mode as _) != FileType::Directory {
            return Err(Win32Error(267)); // ERROR_DIRECTORY
        }
        rustix::fs::unlinkat(&parent, at.name.as_str(), AtFlags::REMOVEDIR).map_err(host_error)
    }

    /// Renames `from` to `to` (both on this volume): with `replace`, an existing file `to`
    /// is replaced; otherwise an existing `to` is ERROR_ALREADY_EXISTS.
    pub(crate) fn rename(
        &self,
        from: &Located,
        to: &Located,
        replace: bool,
    ) -> Result<(), Win32Error> {
        self.writable()?;
        if from.is_root() || to.is_root() {
            return Err(Win32Error::ACCESS_DENIED);
        }
        let source = self.parent_of(from)?;
        let target = self.parent_of(to)?;
        let flags = if replace {
            RenameFlags::empty()
        } else {
            RenameFlags::NOREPLACE
        };
        let moved = rustix::fs::renameat_with(
            &source,
            from.name.as_str(),
            &target,
            to.name.as_str(),
            flags,
        );
        let moved = match moved {
            // A directory replacing a file (NT allows it, POSIX rename does not): the two
            // swap places in one step, and the file, now under the directory's old name,
            // goes.
            Err(Errno::NOTDIR) if replace => rustix::fs::renameat_with(
                &source,
                from.name.as_str(),
                &target,
                to.name.as_str(),
                RenameFlags::EXCHANGE,
            )
            .and_then(|()| {
                let stat =
                    rustix::fs::statat(&source, from.name.as_str(), AtFlags::SYMLINK_NOFOLLOW)?;
                if FileType::from_raw_mode(stat.st_mode as _) == FileType::Directory {
                    return Err(Errno::ISDIR);
                }
                rustix::fs::unlinkat(&source, from.name.as_str(), AtFlags::empty())
            }),
            other => other,
        };
        moved.map_err(|e| match e {
            Errno::EXIST | Errno::NOTEMPTY => Win32Error::ALREADY_EXISTS,
            Errno::INVAL => Win32Error::SHARING_VIOLATION,
            e => host_error(e),
        })
    }

    /// The entries of directory `at` (not `.` and `..`): names the guest can spell (valid
    /// UTF-8) of files and directories, links that stay inside followed, everything else
    /// left out.
    pub(crate) fn list(&self, at: &Located) -> Result<Vec<(String, Node)>, Win32Error> {
        let dir = self.open_dir(&at.rel)?;
        let mut out = Vec::new();
        for entry in dir.flatten() {
            let Ok(name) = std::str::from_utf8(entry.file_name().to_bytes()) else {
                continue;
            };
            if name == "." || name == ".." {
                continue;
            }
            if let Ok(Some(node)) = self.node_at(&join(&at.rel, name)) {
                out.push((name.to_string(), node));
            }
        }
        Ok(out)
    }

    /// Sets the read-only attribute of `at` (the owner's write bit).
    #[allow(clippy::unnecessary_cast)]
    pub(crate) fn set_read_only(&self, at: &Located, read_only: bool) -> Result<(), Win32Error> {
        self.writable()?;
        let node = at.node.ok_or(Win32Error::FILE_NOT_FOUND)?;
        let flags = if node.is_dir() {
            OFlags::RDONLY | OFlags::DIRECTORY
        } else {
            OFlags::RDONLY | OFlags::NONBLOCK
        };
        let fd = self.beneath(&at.rel, flags).map_err(host_error)?;
        let stat = rustix::fs::fstat(&fd).map_err(host_error)?;
        if Node::of(&stat).is_none_or(|n| n.id != node.id) {
            return Err(Win32Error::FILE_NOT_FOUND);
        }
        let mode = stat.st_mode as u32 & 0o7777;
        let mode = if read_only {
            mode & !0o222
        } else {
            mode | 0o200
        };
        rustix::fs::fchmod(&fd, Mode::from_raw_mode(mode as _)).map_err(host_error)
    }

    /// Free and total bytes of the host file system under the root.
    pub(crate) fn space(&self) -> Result<(u64, u64), Win32Error> {
        let s = rustix::fs::fstatvfs(&self.root).map_err(host_error)?;
        let unit = s.f_frsize.max(1);
        Ok((
            s.f_bavail.saturating_mul(unit),
            s.f_blocks.saturating_mul(unit),
        ))
    }
}

/// What an open file or directory is now.
pub(crate) fn node_of_file(file: &std::fs::File) -> Option<Node> {
    rustix::fs::fstat(file).ok().and_then(|s| Node::of(&s))
}

/// Sets the last access and last write times (nanoseconds since 1970) of an open file or
/// directory; None leaves one as it is.
pub(crate) fn set_times(
    file: &std::fs::File,
    accessed: Option<i128>,
    written: Option<i128>,
) -> Result<(), Win32Error> {
    let spec = |t: Option<i128>| match t {
        Some(n) => rustix::fs::Timespec {
            tv_sec: n.div_euclid(1_000_000_000) as i64,
            tv_nsec: n.rem_euclid(1_000_000_000) as _,
        },
        None => rustix::fs::Timespec {
            tv_sec: 0,
            tv_nsec: rustix::fs::UTIME_OMIT as _,
        },
    };
    let times = rustix::fs::Timestamps {
        last_access: spec(accessed),
        last_modification: spec(written),
    };
    rustix::fs::futimens(file, &times).map_err(host_error)
}

/// Removes the file named `name` in directory `parent` if it is still the file `id`
/// (delete-on-close: the name may have been taken by another file since).
#[allow(clippy::unnecessary_cast)]
pub(crate) fn remove_if_same(parent: &OwnedFd, name: &str, id: (u64, u64)) {
    if let Ok(stat) = rustix::fs::statat(parent.as_fd(), name, AtFlags::SYMLINK_NOFOLLOW)
        && (stat.st_dev as u64, stat.st_ino as u64) == id
    {
        let _ = rustix::fs::unlinkat(parent.as_fd(), name, AtFlags::empty());
    }
}

/// The Win32 error for a host I/O error on an open file.
pub(crate) fn io_error(e: &std::io::Error) -> Win32Error {
    match e.raw_os_error().map(Errno::from_raw_os_error) {
        Some(errno) => host_error(errno),
        None => Win32Error::ACCESS_DENIED,
    }
}

/// The guest's components as a relative host path, when each is a plain name.
fn exact_path(components: &[String]) -> Option<String> {
    let plain =
        |c: &String| !c.is_empty() && c != "." && c != ".." && !c.contains(['/', '\0', '\\']);
    (!components.is_empty() && components.iter().all(plain)).then(|| components.join("/"))
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}
