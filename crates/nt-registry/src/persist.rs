//! Hive files on the host: where they are (beneath a drive's directory, reached only with
//! `openat2(RESOLVE_BENEATH)`), reading them, writing them so that a crash leaves either the
//! old or the new file (a temporary file written and fsynced, renamed over the hive, the
//! directory fsynced), the lock that makes writers take turns, and setting a corrupt file
//! aside.

use std::io::Write as _;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::sync::Arc;

use rustix::fs::{AtFlags, FileType, FlockOperation, Mode, OFlags, ResolveFlags};
use rustix::io::Errno;

/// What identifies one version of a hive file: every write makes a new file (a new inode),
/// so a change of any of these means another writer has been there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileStamp {
    /// Device and inode.
    pub id: (u64, u64),
    /// Size in bytes.
    pub size: u64,
    /// Modification time in nanoseconds since 1970.
    pub modified: i128,
}

// The stat fields' types differ between host architectures.
#[allow(clippy::unnecessary_cast)]
fn stamp_of(stat: &rustix::fs::Stat) -> FileStamp {
    FileStamp {
        id: (stat.st_dev as u64, stat.st_ino as u64),
        size: stat.st_size as u64,
        modified: i128::from(stat.st_mtime as i64) * 1_000_000_000
            + i128::from(stat.st_mtime_nsec as i64),
    }
}

/// A directory that holds hive files: a drive's root (opened `O_PATH`) and where beneath it.
#[derive(Clone, Debug)]
pub struct HiveDirectory {
    root: Arc<OwnedFd>,
    rel: String,
}

/// A hive's file (or any file written whole, such as an .ini file): a name in a
/// [`HiveDirectory`].
#[derive(Clone, Debug)]
pub struct HiveFile {
    directory: HiveDirectory,
    name: String,
}

/// The exclusive lock of a hive file, held while it is merged and written; released when
/// dropped (the lock is `flock(2)`'s: it holds between processes and between two opens in
/// one process alike, and dies with its holder).
#[derive(Debug)]
pub struct HiveLock {
    _file: OwnedFd,
}

fn io(e: Errno) -> std::io::Error {
    std::io::Error::from(e)
}

impl HiveDirectory {
    /// The directory `rel` (components separated by `/`, made when written to) beneath the
    /// directory `root`.
    pub fn new(root: Arc<OwnedFd>, rel: &str) -> HiveDirectory {
        HiveDirectory {
            root,
            rel: rel.trim_matches('/').to_string(),
        }
    }

    /// Opens host directory `path` as the root of hive directories (`O_PATH`: nothing is
    /// read through it but what lies beneath).
    pub fn open_root(path: &Path) -> std::io::Result<Arc<OwnedFd>> {
        let fd = rustix::fs::open(
            path,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(Arc::new(fd))
    }

    /// The file `name` in this directory.
    pub fn file(&self, name: &str) -> HiveFile {
        HiveFile {
            directory: self.clone(),
            name: name.to_string(),
        }
    }

    /// Makes the directory (and its parents) if it does not exist.
    pub fn make(&self) -> std::io::Result<()> {
        self.open(true).map(|_| ())
    }

    /// Puts file `name` holding `bytes` in the directory (made when missing) unless it
    /// already holds an entry of that name in any case (NT's names are case-insensitive):
    /// what is there is never replaced. The file appears whole or not at all (a temporary
    /// file renamed to the name without replacing). Returns whether the file was put there.
    pub fn place_new(&self, name: &str, bytes: &[u8]) -> std::io::Result<bool> {
        let dir = self.open(true)?.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such directory")
        })?;
        let listing = rustix::fs::openat(
            &dir,
            ".",
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(io)?;
        let entries = rustix::fs::Dir::read_from(&listing).map_err(io)?;
        for entry in entries {
            let entry = entry.map_err(io)?;
            if entry
                .file_name()
                .to_string_lossy()
                .eq_ignore_ascii_case(name)
            {
                return Ok(false);
            }
        }
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let temporary = format!(".{name}.tmp{}-{n}", std::process::id());
        let fd = rustix::fs::openat(
            &dir,
            temporary.as_str(),
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o644),
        )
        .map_err(io)?;
        let mut file = std::fs::File::from(fd);
        let placed = file.write_all(bytes).and_then(|()| {
            rustix::fs::renameat_with(
                &dir,
                temporary.as_str(),
                &dir,
                name,
                rustix::fs::RenameFlags::NOREPLACE,
            )
            .map_err(io)
        });
        match placed {
            Ok(()) => Ok(true),
            Err(e) => {
                let _ = rustix::fs::unlinkat(&dir, temporary.as_str(), AtFlags::empty());
                if e.raw_os_error() == Some(Errno::EXIST.raw_os_error()) {
                    Ok(false)
                } else {
                    Err(e)
                }
            }
        }
    }

    /// The directory's path relative to its root, for messages.
    pub fn rel(&self) -> &str {
        &self.rel
    }

    fn beneath(&self, rel: &str, flags: OFlags, mode: Mode) -> Result<OwnedFd, Errno> {
        let path = if rel.is_empty() { "." } else { rel };
        let mut last = Errno::AGAIN;
        for _ in 0..8 {
            match rustix::fs::openat2(
                &*self.root,
                path,
                flags | OFlags::CLOEXEC,
                mode,
                ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS,
            ) {
                Err(Errno::AGAIN) => last = Errno::AGAIN,
                other => return other,
            }
        }
        Err(last)
    }

    /// Opens the directory for reading (and fsync), making it and its parents when `create`.
    fn open(&self, create: bool) -> std::io::Result<Option<OwnedFd>> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY;
        match self.beneath(&self.rel, flags, Mode::empty()) {
            Ok(fd) => return Ok(Some(fd)),
            Err(Errno::NOENT) if create => {}
            Err(Errno::NOENT) => return Ok(None),
            Err(e) => return Err(io(e)),
        }
        let mut made = String::new();
        for component in self.rel.split('/').filter(|c| !c.is_empty()) {
            let parent = self.beneath(&made, flags, Mode::empty()).map_err(io)?;
            match rustix::fs::mkdirat(&parent, component, Mode::from_raw_mode(0o755)) {
                Ok(()) | Err(Errno::EXIST) => {}
                Err(e) => return Err(io(e)),
            }
            if !made.is_empty() {
                made.push('/');
            }
            made.push_str(component);
        }
        self.beneath(&self.rel, flags, Mode::empty())
            .map(Some)
            .map_err(io)
    }
}

impl HiveFile {
    /// The file's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file's path relative to its drive, with `/` separators, for messages.
    pub fn display(&self) -> String {
        if self.directory.rel.is_empty() {
            self.name.clone()
        } else {
            format!("{}/{}", self.directory.rel, self.name)
        }
    }

    /// The stamp of the file as it is now; None when there is no file.
    pub fn stamp(&self) -> std::io::Result<Option<FileStamp>> {
        let Some(dir) = self.directory.open(false)? else {
            return Ok(None);
        };
        match rustix::fs::statat(&dir, self.name.as_str(), AtFlags::empty()) {
            Ok(stat) => Ok(Some(stamp_of(&stat))),
            Err(Errno::NOENT) => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    /// Reads the file: its bytes and the stamp of what was read; None when there is none.
    /// What is not a regular file, or is larger than a .reg file may be, is an error.
    pub fn read(&self) -> std::io::Result<Option<(Vec<u8>, FileStamp)>> {
        let Some(dir) = self.directory.open(false)? else {
            return Ok(None);
        };
        let fd = match rustix::fs::openat2(
            &dir,
            self.name.as_str(),
            OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY,
            Mode::empty(),
            ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS,
        ) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Ok(None),
            Err(e) => return Err(io(e)),
        };
        let stat = rustix::fs::fstat(&fd).map_err(io)?;
        if FileType::from_raw_mode(stat.st_mode as _) != FileType::RegularFile {
            return Err(std::io::Error::other("not a regular file"));
        }
        let stamp = stamp_of(&stat);
        if stamp.size > crate::regfile::MAX_FILE as u64 {
            return Err(std::io::Error::other("larger than a hive may be"));
        }
        let mut bytes = Vec::with_capacity(stamp.size as usize);
        std::io::Read::read_to_end(&mut std::fs::File::from(fd), &mut bytes)?;
        Ok(Some((bytes, stamp)))
    }

    /// Takes the hive's lock (`NAME.lock` beside it), waiting for another holder.
    pub fn lock(&self) -> std::io::Result<HiveLock> {
        let dir = self.directory.open(true)?.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::NotFound, "no hive directory")
        })?;
        let fd = rustix::fs::openat(
            &dir,
            format!("{}.lock", self.name).as_str(),
            OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK,
            Mode::from_raw_mode(0o644),
        )
        .map_err(io)?;
        rustix::fs::flock(&fd, FlockOperation::LockExclusive).map_err(io)?;
        Ok(HiveLock { _file: fd })
    }

    fn temporary_prefix(&self) -> String {
        format!(".{}.tmp", self.name)
    }

    /// Replaces the file by `bytes` so that a crash at any moment leaves the old file or
    /// the new one, whole: a new temporary file (named after this process and a counter, so
    /// writers never share one) is written and fsynced, renamed over the name, and the
    /// directory fsynced. Returns the new file's stamp.
    pub fn write_atomically(&self, bytes: &[u8]) -> std::io::Result<FileStamp> {
        static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let dir = self.directory.open(true)?.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::NotFound, "no hive directory")
        })?;
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let temporary = format!("{}{}-{n}", self.temporary_prefix(), std::process::id());
        let fd = rustix::fs::openat(
            &dir,
            temporary.as_str(),
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o644),
        )
        .map_err(io)?;
        let mut file = std::fs::File::from(fd);
        let written = file
            .write_all(bytes)
            .and_then(|()| file.sync_all())
            .and_then(|()| rustix::fs::fstat(&file).map_err(io));
        let stat = match written {
            Ok(stat) => stat,
            Err(e) => {
                let _ = rustix::fs::unlinkat(&dir, temporary.as_str(), AtFlags::empty());
                return Err(e);
            }
        };
        if let Err(e) = rustix::fs::renameat(&dir, temporary.as_str(), &dir, self.name.as_str()) {
            let _ = rustix::fs::unlinkat(&dir, temporary.as_str(), AtFlags::empty());
            return Err(io(e));
        }
        rustix::fs::fsync(&dir).map_err(io)?;
        Ok(stamp_of(&stat))
    }

    /// Removes the temporary files of writers that died before their rename. Call it with
    /// the lock held: registry writers write only while holding it, so every one found then
    /// is a leftover.
    pub fn remove_temporaries(&self) {
        let Ok(Some(dir)) = self.directory.open(false) else {
            return;
        };
        let prefix = self.temporary_prefix();
        let Ok(listing) = rustix::fs::openat(
            &dir,
            ".",
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        ) else {
            return;
        };
        let Ok(mut entries) = rustix::fs::Dir::read_from(&listing) else {
            return;
        };
        let mut stale = Vec::new();
        while let Some(Ok(entry)) = entries.next() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(&prefix) {
                stale.push(name);
            }
        }
        for name in stale {
            let _ = rustix::fs::unlinkat(&dir, name.as_str(), AtFlags::empty());
        }
    }

    /// Renames the file aside (`NAME.corrupt`, or `NAME.corrupt-2` and on when taken), never
    /// over anything; returns the new name.
    pub fn keep_aside(&self) -> std::io::Result<String> {
        let dir = self.directory.open(false)?.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::NotFound, "no hive directory")
        })?;
        for n in 1..1000 {
            let aside = if n == 1 {
                format!("{}.corrupt", self.name)
            } else {
                format!("{}.corrupt-{n}", self.name)
            };
            match rustix::fs::renameat_with(
                &dir,
                self.name.as_str(),
                &dir,
                aside.as_str(),
                rustix::fs::RenameFlags::NOREPLACE,
            ) {
                Ok(()) => return Ok(aside),
                Err(Errno::EXIST) => continue,
                Err(e) => return Err(io(e)),
            }
        }
        Err(std::io::Error::other("too many corrupt copies already"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> std::path::PathBuf {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir = std::env::temp_dir().join(format!(
            "ntemu-persist-{tag}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("scratch");
        dir
    }

    #[test]
    fn place_new_puts_a_missing_file_and_never_replaces_one_in_any_case() {
        let root = scratch("place");
        let dir = HiveDirectory::new(HiveDirectory::open_root(&root).expect("root"), "A/b");
        assert!(dir.place_new("new.exe", b"ours").expect("place"));
        assert_eq!(
            std::fs::read(root.join("A/b/new.exe")).expect("read"),
            b"ours"
        );
        std::fs::write(root.join("A/b/USER.EXE"), b"theirs").expect("write");
        assert!(!dir.place_new("user.exe", b"ours").expect("place"));
        assert!(!dir.place_new("new.exe", b"again").expect("place"));
        assert_eq!(
            std::fs::read(root.join("A/b/USER.EXE")).expect("read"),
            b"theirs"
        );
        assert_eq!(
            std::fs::read(root.join("A/b/new.exe")).expect("read"),
            b"ours"
        );
        assert!(!root.join("A/b/user.exe").exists());
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn writes_replace_the_file_and_change_its_stamp() {
        let dir = scratch("write");
        let root = HiveDirectory::open_root(&dir).expect("root");
        let file = HiveDirectory::new(root, "WINNT/system32/config").file("x.reg");
        assert!(file.read().expect("read").is_none());
        let _lock = file.lock().expect("lock");
        let a = file.write_atomically(b"one").expect("write");
        let b = file.write_atomically(b"two!").expect("write");
        assert_ne!(a, b);
        let (bytes, stamp) = file.read().expect("read").expect("file");
        assert_eq!(bytes, b"two!");
        assert_eq!(stamp, b);
        assert_eq!(file.stamp().expect("stamp"), Some(b));
        // A leftover temporary file goes at the next write.
        let config = dir.join("WINNT/system32/config");
        std::fs::write(config.join(".x.reg.tmp99999"), b"torn").expect("leftover");
        file.remove_temporaries();
        file.write_atomically(b"three").expect("write");
        assert!(!config.join(".x.reg.tmp99999").exists());
        assert_eq!(file.keep_aside().expect("aside"), "x.reg.corrupt");
        file.write_atomically(b"four").expect("write");
        assert_eq!(file.keep_aside().expect("aside"), "x.reg.corrupt-2");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn nothing_outside_the_root_is_reached() {
        let dir = scratch("beneath");
        let root = HiveDirectory::open_root(&dir).expect("root");
        let file = HiveDirectory::new(root, "../..").file("etc");
        assert!(file.read().is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
