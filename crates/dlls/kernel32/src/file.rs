//! Files under the sandboxed drive C: (the host directory given as `--root`): CreateFileA,
//! ReadFile, WriteFile on disk files and devices, SetFilePointer, SetEndOfFile,
//! FlushFileBuffers, GetFileSize, GetFileAttributesA, DeleteFileA, MoveFileA, the current
//! directory, FindFirstFileA/FindNextFileA/FindClose, GetFullPathNameA, CreateDirectoryA,
//! RemoveDirectoryA and SetStdHandle, with NT's results and last-error codes.
//!
//! A disk file is a File object whose payload is a [`DiskFile`]; the host file closes when
//! the object goes, that is when its last handle closes. Share modes are checked against
//! every open file object of the machine. Path names go through [`super::path`], which keeps
//! every host path under the root.

use std::collections::VecDeque;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::fd::OwnedFd;
use std::path::Path;
use std::sync::{Arc, Weak};

use nt_object::{AccessMask, Handle, Object, ObjectError, ObjectType};
use nt_status::{NtStatus, Win32Error};
use parking_lot::Mutex;

use super::path::{self, CurrentDirectory, DosDevice, FullPath};
use super::pipe::PipeEnd;
use super::{HostFile, INVALID_HANDLE_VALUE, MAX_PATH, bad_pointer, insert};
use crate::K32;
use crate::filenode::{FileNode, FileNodes, new_owner};
use crate::volume::{self, Located, Node, OpenHow, Volume, io_error};
use win32::codepage::CodePage;
use win32::{AnsiStr, ApiCall, ApiReturn, OutBuf, Ptr, WideStr, export};

/// ERROR_HANDLE_EOF is not used by synchronous ReadFile; these are the others NT gives here.
const ERROR_FILE_EXISTS: Win32Error = Win32Error(80);
const ERROR_NO_MORE_FILES: Win32Error = Win32Error(18);
const ERROR_NEGATIVE_SEEK: Win32Error = Win32Error(131);
const ERROR_DIRECTORY: Win32Error = Win32Error(267);
const ERROR_FILENAME_EXCED_RANGE: Win32Error = Win32Error(206);

/// CREATE_NEW.
pub const CREATE_NEW: u32 = 1;
/// CREATE_ALWAYS.
pub const CREATE_ALWAYS: u32 = 2;
/// OPEN_EXISTING.
pub const OPEN_EXISTING: u32 = 3;
/// OPEN_ALWAYS.
pub const OPEN_ALWAYS: u32 = 4;
/// TRUNCATE_EXISTING.
pub const TRUNCATE_EXISTING: u32 = 5;
/// FILE_SHARE_READ.
pub const FILE_SHARE_READ: u32 = 1;
/// FILE_SHARE_WRITE.
pub const FILE_SHARE_WRITE: u32 = 2;
/// FILE_SHARE_DELETE.
pub const FILE_SHARE_DELETE: u32 = 4;
/// FILE_ATTRIBUTE_READONLY.
pub const FILE_ATTRIBUTE_READONLY: u32 = 0x01;
/// FILE_ATTRIBUTE_DIRECTORY.
pub const FILE_ATTRIBUTE_DIRECTORY: u32 = 0x10;
/// FILE_ATTRIBUTE_ARCHIVE.
pub const FILE_ATTRIBUTE_ARCHIVE: u32 = 0x20;
/// FILE_FLAG_BACKUP_SEMANTICS: lets CreateFile open a directory.
pub const FILE_FLAG_BACKUP_SEMANTICS: u32 = 0x0200_0000;
/// FILE_FLAG_DELETE_ON_CLOSE.
pub const FILE_FLAG_DELETE_ON_CLOSE: u32 = 0x0400_0000;
/// INVALID_SET_FILE_POINTER (and INVALID_FILE_SIZE, INVALID_FILE_ATTRIBUTES).
pub const INVALID_SET_FILE_POINTER: u32 = 0xFFFF_FFFF;

/// FILE_READ_DATA | FILE_EXECUTE: the rights share modes call reading.
const READ_RIGHTS: u32 = 0x1 | 0x20;
/// FILE_WRITE_DATA | FILE_APPEND_DATA: the rights share modes call writing.
const WRITE_RIGHTS: u32 = 0x2 | 0x4;
/// DELETE.
const DELETE_RIGHT: u32 = 0x1_0000;
/// FILE_WRITE_DATA.
const FILE_WRITE_DATA: u32 = 0x2;
/// FILE_TYPE_DISK.
const FILE_TYPE_DISK: u32 = 1;
/// FILE_TYPE_CHAR.
const FILE_TYPE_CHAR: u32 = 2;
/// FILETIME of 1970-01-01.
const FILETIME_UNIX_EPOCH: u64 = 116_444_736_000_000_000;
/// sizeof(WIN32_FIND_DATAA).
const FIND_DATA_SIZE: usize = 320;
/// sizeof(WIN32_FIND_DATAW).
const FIND_DATA_W_SIZE: usize = 592;

/// The machine's drives, each process's current directory, and every disk file object
/// open in the machine (for share modes).
pub(crate) struct FileSystem {
    /// The mounted volumes, by drive letter.
    volumes: Vec<Arc<Volume>>,
    /// The directory a process starts in when no parent gave it one: the host's current
    /// directory when a drive holds it, else the root of C:.
    cwd: CurrentDirectory,
    /// Each process's current directory, once it has one of its own (NT keeps one per
    /// process: SetCurrentDirectory in one does not move another).
    process_cwd: win32::PerProcess<CurrentDirectory>,
    /// Disk file objects, to check share modes against.
    open: Vec<Weak<Object>>,
    /// What the opens of each file share.
    pub(crate) nodes: FileNodes,
}

impl Default for FileSystem {
    fn default() -> Self {
        FileSystem {
            volumes: Vec::new(),
            cwd: CurrentDirectory::root('C'),
            process_cwd: win32::PerProcess::default(),
            open: Vec::new(),
            nodes: FileNodes::default(),
        }
    }
}

impl FileSystem {
    /// Mounts host directory `host` (it must exist) as drive `letter`, replacing what was
    /// there.
    pub(crate) fn mount(
        &mut self,
        letter: char,
        host: &Path,
        read_only: bool,
    ) -> std::io::Result<()> {
        let letter = letter.to_ascii_uppercase();
        if !letter.is_ascii_uppercase() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "a drive letter is A to Z",
            ));
        }
        let volume = Volume::open_root(letter, host, read_only)?;
        self.volumes.retain(|v| v.letter != letter);
        self.volumes.push(Arc::new(volume));
        self.volumes.sort_by_key(|v| v.letter);
        Ok(())
    }

    /// The volume of drive `letter`.
    pub(crate) fn volume(&self, letter: char) -> Option<Arc<Volume>> {
        let letter = letter.to_ascii_uppercase();
        self.volumes.iter().find(|v| v.letter == letter).cloned()
    }

    /// The mounted volumes, by letter.
    pub(crate) fn volumes(&self) -> &[Arc<Volume>] {
        &self.volumes
    }

    /// The guest path of host path `host`, when a mounted drive holds it (textually: the
    /// drive's canonical directory is a prefix of the canonical `host`).
    pub(crate) fn guest_path_of(&self, host: &Path) -> Option<(char, Vec<String>)> {
        let host = host.canonicalize().ok()?;
        self.volumes
            .iter()
            .filter_map(|v| {
                let rest = host.strip_prefix(&v.host).ok()?;
                let components = rest
                    .components()
                    .map(|c| c.as_os_str().to_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()?;
                Some((v.host.components().count(), v.letter, components))
            })
            // The deepest mount holding it wins.
            .max_by_key(|(depth, letter, _)| (*depth, std::cmp::Reverse(*letter)))
            .map(|(_, letter, components)| (letter, components))
    }

    /// Makes host directory `host` the guest's starting current directory, when a drive
    /// holds it; returns whether one does.
    pub(crate) fn set_start_directory(&mut self, host: &Path) -> bool {
        match self.guest_path_of(host) {
            Some((drive, components)) => {
                self.cwd = CurrentDirectory { drive, components };
                true
            }
            None => false,
        }
    }

    /// The live disk file objects, pruned of closed ones.
    fn live(&mut self) -> impl Iterator<Item = Arc<Object>> + '_ {
        self.open
            .retain(|w| w.upgrade().is_some_and(|o| o.handle_count() > 0));
        self.open.iter().filter_map(Weak::upgrade)
    }

    /// ERROR_SHARING_VIOLATION when opening the file `id` for `access` (mapped file rights)
    /// sharing `share` conflicts with a file object already open on it.
    fn check_share(&mut self, id: (u64, u64), access: u32, share: u32) -> Result<(), Win32Error> {
        self.check_share_except(id, access, share, None)
    }

    /// [`FileSystem::check_share`], leaving out the open `except` (an open acting on its
    /// own file).
    fn check_share_except(
        &mut self,
        id: (u64, u64),
        access: u32,
        share: u32,
        except: Option<u64>,
    ) -> Result<(), Win32Error> {
        // An open that neither reads, writes nor deletes is not counted: it conflicts with
        // nobody, and its share mode binds nobody.
        let counted = READ_RIGHTS | WRITE_RIGHTS | DELETE_RIGHT;
        if access & counted == 0 {
            return Ok(());
        }
        for object in self.live() {
            let Some(disk) = object.payload::<DiskFile>() else {
                continue;
            };
            let other = disk.inner.lock();
            if other.node.id != id || Some(other.owner) == except || other.access & counted == 0 {
                continue;
            }
            let conflict =
                |a: u32, s: u32, bit: u32, share_bit: u32| a & bit != 0 && s & share_bit == 0;
            let clash = conflict(access, other.share, READ_RIGHTS, FILE_SHARE_READ)
                || conflict(access, other.share, WRITE_RIGHTS, FILE_SHARE_WRITE)
                || conflict(access, other.share, DELETE_RIGHT, FILE_SHARE_DELETE)
                || conflict(other.access, share, READ_RIGHTS, FILE_SHARE_READ)
                || conflict(other.access, share, WRITE_RIGHTS, FILE_SHARE_WRITE)
                || conflict(other.access, share, DELETE_RIGHT, FILE_SHARE_DELETE);
            if clash {
                return Err(Win32Error::SHARING_VIOLATION);
            }
        }
        Ok(())
    }

    /// After a rename of the file `id` to `to` on `volume`: open file objects on it now have
    /// that name (for delete-on-close).
    fn renamed(&mut self, volume: &Volume, id: (u64, u64), to: &Located) {
        for object in self.live() {
            if let Some(disk) = object.payload::<DiskFile>() {
                let mut inner = disk.inner.lock();
                if inner.node.id == id {
                    inner.name = to.name.clone();
                }
            }
        }
        if let Some(node) = self.nodes.existing(id) {
            node.moved(volume.parent_of(to).ok(), &to.name);
        }
    }

    /// True when a file object is open on file `id` (with or without access).
    pub(crate) fn is_open(&mut self, id: (u64, u64)) -> bool {
        self.live().any(|o| {
            o.payload::<DiskFile>()
                .is_some_and(|d| d.inner.lock().node.id == id)
        })
    }
}

/// The payload of a File object open on a file or directory of a drive.
pub struct DiskFile {
    inner: Mutex<DiskInner>,
}

struct DiskInner {
    /// None for a directory.
    file: Option<std::fs::File>,
    /// A directory opened for its information; None for a file.
    directory: Option<std::fs::File>,
    /// The serial number of its drive.
    volume_serial: u32,
    /// What was opened.
    node: Node,
    position: u64,
    /// The file rights the object was opened for.
    access: u32,
    share: u32,
    /// Opened with FILE_FLAG_DELETE_ON_CLOSE: the file is delete pending once this closes.
    delete_on_close: bool,
    /// The directory that holds it (O_PATH), for delete-on-close.
    parent: Option<OwnedFd>,
    /// Its name in that directory.
    name: String,
    /// What the file's opens share: delete pending, locks, sections.
    shared: Arc<FileNode>,
    /// This open's identity, as a lock holder.
    owner: u64,
    /// The drive it was opened on.
    drive: char,
    /// Its components below the drive's root, in their host spelling when found.
    path: Vec<String>,
    /// Opened for synchronous I/O (not FILE_FLAG_OVERLAPPED): the file position moves.
    synchronous: bool,
    /// FILE_FLAG_NO_BUFFERING: transfers of whole sectors at sector offsets only.
    no_buffering: bool,
}

impl std::fmt::Debug for DiskFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DiskFile({})", self.inner.lock().name)
    }
}

impl Drop for DiskFile {
    fn drop(&mut self) {
        let inner = self.inner.get_mut();
        inner.shared.release_owner(inner.owner);
        if inner.delete_on_close
            && let Some(parent) = inner.parent.take()
        {
            // The file goes when the last open of it closes.
            inner.shared.set_delete_pending(parent, inner.name.clone());
        }
    }
}

impl DiskFile {
    /// The state the opens of this file share.
    pub(crate) fn node(&self) -> Arc<FileNode> {
        Arc::clone(&self.inner.lock().shared)
    }

    /// This open's identity as a lock holder.
    pub(crate) fn owner(&self) -> u64 {
        self.inner.lock().owner
    }

    /// A second descriptor of an open directory (None for a file): what a notify queue
    /// watches.
    pub(crate) fn directory_fd(&self) -> Option<OwnedFd> {
        let inner = self.inner.lock();
        let dir = inner.directory.as_ref()?;
        dir.try_clone().ok().map(OwnedFd::from)
    }

    /// True for an open directory.
    pub(crate) fn is_directory(&self) -> bool {
        self.inner.lock().file.is_none()
    }

    /// What the open is now: a fresh look at the file through its descriptor.
    pub(crate) fn state(&self) -> Result<OpenState, Win32Error> {
        let inner = self.inner.lock();
        let open = inner
            .file
            .as_ref()
            .or(inner.directory.as_ref())
            .ok_or(Win32Error::INVALID_HANDLE)?;
        let node = volume::node_of_file(open).ok_or(Win32Error::ACCESS_DENIED)?;
        let mut mode = 0;
        if inner.synchronous {
            mode |= options::SYNCHRONOUS_IO_NONALERT;
        }
        if inner.no_buffering {
            mode |= options::NO_INTERMEDIATE_BUFFERING;
        }
        if inner.delete_on_close {
            mode |= options::DELETE_ON_CLOSE;
        }
        Ok(OpenState {
            node,
            volume_serial: inner.volume_serial,
            drive: inner.drive,
            path: inner.path.clone(),
            position: inner.position,
            access: inner.access,
            mode,
            delete_pending: inner.delete_on_close || inner.shared.delete_pending(),
        })
    }

    /// What a section made on this open needs: a duplicate of the host descriptor, the
    /// file's size and the state its opens share. A directory cannot be mapped.
    pub(crate) fn section_source(&self) -> Result<(OwnedFd, u64, Arc<FileNode>), Win32Error> {
        let inner = self.inner.lock();
        let file = inner.file.as_ref().ok_or(Win32Error::ACCESS_DENIED)?;
        let size = file.metadata().map_err(|e| io_error(&e))?.len();
        let fd = file.try_clone().map_err(|e| io_error(&e))?;
        Ok((OwnedFd::from(fd), size, Arc::clone(&inner.shared)))
    }

    /// Moves the file position (FilePositionInformation).
    pub(crate) fn set_position(&self, position: u64) {
        self.inner.lock().position = position;
    }

    /// Cuts or extends the file to `length` bytes; a file a section maps cannot shrink
    /// (ERROR_USER_MAPPED_FILE).
    pub(crate) fn set_length(&self, length: u64) -> Result<(), Win32Error> {
        let inner = self.inner.lock();
        let file = inner.file.as_ref().ok_or(Win32Error::INVALID_FUNCTION)?;
        let current = file.metadata().map_err(|e| io_error(&e))?.len();
        let (data, image) = inner.shared.sections();
        if length < current && data + image > 0 {
            return Err(Win32Error::USER_MAPPED_FILE);
        }
        file.set_len(length).map_err(|e| io_error(&e))
    }

    /// Sets or clears delete-on-close (FileDispositionInformation): the file is delete
    /// pending once this open closes.
    pub(crate) fn set_delete_on_close(
        &self,
        delete: bool,
        parent: Option<OwnedFd>,
    ) -> Result<(), Win32Error> {
        let mut inner = self.inner.lock();
        inner.delete_on_close = delete;
        if delete && inner.parent.is_none() {
            inner.parent = parent;
        }
        Ok(())
    }

    /// Sets the last access and write times (nanoseconds since 1970; None leaves one).
    pub(crate) fn set_times(
        &self,
        accessed: Option<i128>,
        written: Option<i128>,
    ) -> Result<(), Win32Error> {
        let inner = self.inner.lock();
        let open = inner
            .file
            .as_ref()
            .or(inner.directory.as_ref())
            .ok_or(Win32Error::INVALID_HANDLE)?;
        volume::set_times(open, accessed, written)
    }
}

/// What [`DiskFile::state`] reports of an open file or directory.
#[derive(Clone, Debug)]
pub(crate) struct OpenState {
    /// The file now.
    pub(crate) node: Node,
    /// Its drive's serial number.
    pub(crate) volume_serial: u32,
    /// Its drive.
    pub(crate) drive: char,
    /// Its components below the drive's root.
    pub(crate) path: Vec<String>,
    /// The file position.
    pub(crate) position: u64,
    /// The file rights the open has.
    pub(crate) access: u32,
    /// FILE_SYNCHRONOUS_IO_NONALERT, FILE_NO_INTERMEDIATE_BUFFERING, FILE_DELETE_ON_CLOSE.
    pub(crate) mode: u32,
    /// The file goes when its last open closes.
    pub(crate) delete_pending: bool,
}

/// The payload of a File object open on NUL (or a port ntemu's machine has nothing behind).
#[derive(Debug)]
pub struct NullDevice;

/// The payload of a FindFirstFile search handle: the entries still to give.
struct FindSearch {
    entries: Mutex<VecDeque<FoundEntry>>,
}

/// An entry a search found: its name, its 8.3 alias (empty when the name is one), and what
/// it is (None for a DOS device).
#[derive(Clone, Debug)]
pub(crate) struct FoundEntry {
    /// The long name.
    pub(crate) name: String,
    /// The short name, when the long name is not a legal 8.3 name.
    pub(crate) short: String,
    /// The file or directory; None for a device.
    pub(crate) node: Option<Node>,
}

impl FoundEntry {
    /// Its attributes (FILE_ATTRIBUTE_ARCHIVE for a device, as NT reports one).
    fn attributes(&self) -> u32 {
        self.node
            .as_ref()
            .map_or(FILE_ATTRIBUTE_ARCHIVE, attributes_of)
    }

    /// Its three times (0 for a device).
    fn times(&self) -> [u64; 3] {
        self.node.as_ref().map_or([0; 3], times_of)
    }

    /// Its size (0 for a device or a directory).
    fn size(&self) -> u64 {
        self.node.as_ref().map_or(0, |n| n.size)
    }
}

/// A string as guest ANSI bytes, if every character has one.
pub(crate) fn encode_ansi(s: &str) -> Option<Vec<u8>> {
    s.chars()
        .map(|c| {
            u16::try_from(u32::from(c))
                .ok()
                .and_then(|u| CodePage::Ansi.encode(u))
        })
        .collect()
}

fn fail(call: &mut ApiCall<'_>, e: Win32Error, value: u32) -> ApiReturn {
    call.fail_win32(e, value)
}

fn done(call: &mut ApiCall<'_>, r: Result<u32, Win32Error>, failed: u32) -> ApiReturn {
    match r {
        Ok(v) => ApiReturn::Value(v),
        Err(e) => fail(call, e, failed),
    }
}

/// Checks a path name argument, decoded from the ANSI code page or UTF-16: NULL is the
/// empty name (as RtlInitAnsiString makes it), and a name longer than MAX_PATH characters
/// is ERROR_FILENAME_EXCED_RANGE (last error set; the caller returns its failure value).
fn path_argument<'s>(call: &mut ApiCall<'_>, name: Option<&'s str>) -> Result<&'s str, Win32Error> {
    let name = name.unwrap_or("");
    // Bytes are at least as many as characters: count only when it may matter.
    if name.len() > MAX_PATH && name.chars().count() > MAX_PATH {
        call.set_last_error(ERROR_FILENAME_EXCED_RANGE.0);
        return Err(ERROR_FILENAME_EXCED_RANGE);
    }
    Ok(name)
}

pub(crate) fn full(call: &ApiCall<'_>, name: &str) -> Result<FullPath, Win32Error> {
    let object = call.process_object();
    let Some(k32) = call.state.k32_peek() else {
        return path::full_path(&CurrentDirectory::root('C'), name);
    };
    let files = &k32.files;
    let pid = call.thread.process;
    let cwd = match object.as_ref().and_then(|o| files.process_cwd.get(pid, o)) {
        Some(cwd) => cwd,
        None => &files.cwd,
    };
    // "X:name" on another drive is relative to that drive's current directory, which NT
    // keeps in the environment variable "=X:" (set by cmd.exe and the C runtime's _chdir);
    // without one, to X:'s root.
    if let Some(drive) = drive_relative(name).filter(|&d| d != cwd.drive) {
        let remembered = object
            .as_ref()
            .and_then(|o| k32.environments.get(pid, o))
            .and_then(|e| e.get(&format!("={drive}:")))
            .and_then(
                |v| match path::full_path(&CurrentDirectory::root(drive), v) {
                    Ok(FullPath::Drive {
                        drive: d,
                        components,
                        ..
                    }) if d == drive => Some(CurrentDirectory { drive, components }),
                    _ => None,
                },
            );
        if let Some(there) = remembered {
            return path::full_path(&there, name);
        }
    }
    path::full_path(cwd, name)
}

/// The drive of a drive-relative name ("X:" not followed by a separator), upper case.
fn drive_relative(name: &str) -> Option<char> {
    let b = name.as_bytes();
    (b.len() >= 2
        && b[0].is_ascii_alphabetic()
        && b[1] == b':'
        && !matches!(b.get(2), Some(b'\\' | b'/')))
    .then(|| char::from(b[0].to_ascii_uppercase()))
}

/// The calling process's current directory.
pub(crate) fn current_directory(call: &ApiCall<'_>) -> CurrentDirectory {
    let object = call.process_object();
    let pid = call.thread.process;
    let Some(files) = call.state.k32_peek().map(|k| &k.files) else {
        return CurrentDirectory::root('C');
    };
    object
        .and_then(|o| files.process_cwd.get(pid, &o).cloned())
        .unwrap_or_else(|| files.cwd.clone())
}

/// CreateProcess's lpCurrentDirectory: the directory a new process starts in, checked
/// before the process is made. NULL: the caller's own. A name that is not an existing
/// directory is ERROR_DIRECTORY (267), as NT reports it.
pub(crate) fn child_current_directory(
    call: &mut ApiCall<'_>,
    name: Option<&str>,
) -> Result<CurrentDirectory, ApiReturn> {
    if name.is_none() {
        return Ok(current_directory(call));
    }
    let name = path_argument(call, name).map_err(|e| fail(call, e, 0))?;
    let r = (|| match full(call, name)? {
        FullPath::Drive {
            drive, components, ..
        } => {
            // Whatever is wrong with it (a missing folder on the way included), NT's
            // CreateProcess says ERROR_DIRECTORY.
            let (_, at) = locate(call, drive, &components).map_err(|_| ERROR_DIRECTORY)?;
            match at.node {
                Some(n) if n.is_dir() => Ok(CurrentDirectory { drive, components }),
                _ => Err(ERROR_DIRECTORY),
            }
        }
        _ => Err(ERROR_DIRECTORY),
    })();
    r.map_err(|e| fail(call, e, 0))
}

/// Gives process `pid` (object `process`) its current directory.
pub(crate) fn set_process_current_directory(
    call: &mut ApiCall<'_>,
    pid: u32,
    process: &Arc<Object>,
    directory: CurrentDirectory,
) {
    call.state
        .k32()
        .files
        .process_cwd
        .insert(pid, process, directory);
}

/// The volume of `drive`: ERROR_PATH_NOT_FOUND when no such drive is mounted.
pub(crate) fn volume_of(call: &ApiCall<'_>, drive: char) -> Result<Arc<Volume>, Win32Error> {
    call.state
        .k32_peek()
        .and_then(|k| k.files.volume(drive))
        .ok_or(Win32Error::PATH_NOT_FOUND)
}

/// Finds `components` on drive `drive`.
pub(crate) fn locate(
    call: &ApiCall<'_>,
    drive: char,
    components: &[String],
) -> Result<(Arc<Volume>, Located), Win32Error> {
    let volume = volume_of(call, drive)?;
    let at = volume.locate(components)?;
    Ok((volume, at))
}

/// Finds what a full path names on its drive: a UNC name is ERROR_BAD_NETPATH (there is no
/// network), a device ERROR_ACCESS_DENIED, wildcards ERROR_INVALID_NAME.
pub(crate) fn resolve(
    call: &ApiCall<'_>,
    full: &FullPath,
) -> Result<(Arc<Volume>, Located), Win32Error> {
    match full {
        FullPath::Drive {
            drive, components, ..
        } => {
            if full.has_wildcards() {
                return Err(Win32Error::INVALID_NAME);
            }
            locate(call, *drive, components)
        }
        FullPath::Unc(_) => Err(path::ERROR_BAD_NETPATH),
        FullPath::Device { .. } => Err(Win32Error::ACCESS_DENIED),
    }
}

/// What an existing name names: ERROR_FILE_NOT_FOUND when only its last component is
/// missing.
pub(crate) fn existing(
    call: &ApiCall<'_>,
    name: &str,
) -> Result<(Arc<Volume>, Located, Node), Win32Error> {
    let f = full(call, name)?;
    let (volume, at) = resolve(call, &f)?;
    match at.node {
        Some(node) => Ok((volume, at, node)),
        None => Err(Win32Error::FILE_NOT_FOUND),
    }
}

pub(crate) fn create_object(
    call: &mut ApiCall<'_>,
    payload: Box<dyn std::any::Any + Send + Sync>,
    access: AccessMask,
    inherit: bool,
) -> Result<(Handle, Arc<Object>), Win32Error> {
    let objects = call.machine.objects().clone();
    let object = objects
        .create_executive_object(ObjectType::File, payload)
        .map_err(|e| e.win32_error())?;
    let handle = insert(call, &object, access, inherit).map_err(|e| e.win32_error())?;
    Ok((handle, object))
}

/// NtCreateFile's dispositions.
pub(crate) mod disposition {
    /// FILE_SUPERSEDE: replace the file, or create it.
    pub(crate) const SUPERSEDE: u32 = 0;
    /// FILE_OPEN: open an existing file.
    pub(crate) const OPEN: u32 = 1;
    /// FILE_CREATE: create a new file.
    pub(crate) const CREATE: u32 = 2;
    /// FILE_OPEN_IF: open, or create.
    pub(crate) const OPEN_IF: u32 = 3;
    /// FILE_OVERWRITE: open an existing file and cut it to 0 bytes.
    pub(crate) const OVERWRITE: u32 = 4;
    /// FILE_OVERWRITE_IF: overwrite, or create.
    pub(crate) const OVERWRITE_IF: u32 = 5;
}

/// NtCreateFile's create options.
pub(crate) mod options {
    /// FILE_DIRECTORY_FILE: the name must be a directory.
    pub(crate) const DIRECTORY_FILE: u32 = 0x1;
    /// FILE_WRITE_THROUGH.
    pub(crate) const WRITE_THROUGH: u32 = 0x2;
    /// FILE_SEQUENTIAL_ONLY.
    pub(crate) const SEQUENTIAL_ONLY: u32 = 0x4;
    /// FILE_NO_INTERMEDIATE_BUFFERING: transfers in whole sectors only.
    pub(crate) const NO_INTERMEDIATE_BUFFERING: u32 = 0x8;
    /// FILE_SYNCHRONOUS_IO_ALERT.
    pub(crate) const SYNCHRONOUS_IO_ALERT: u32 = 0x10;
    /// FILE_SYNCHRONOUS_IO_NONALERT.
    pub(crate) const SYNCHRONOUS_IO_NONALERT: u32 = 0x20;
    /// FILE_NON_DIRECTORY_FILE: the name must not be a directory.
    pub(crate) const NON_DIRECTORY_FILE: u32 = 0x40;
    /// FILE_RANDOM_ACCESS.
    pub(crate) const RANDOM_ACCESS: u32 = 0x800;
    /// FILE_DELETE_ON_CLOSE.
    pub(crate) const DELETE_ON_CLOSE: u32 = 0x1000;
    /// FILE_OPEN_FOR_BACKUP_INTENT.
    pub(crate) const OPEN_FOR_BACKUP_INTENT: u32 = 0x4000;
}

/// What NtCreateFile reports in IO_STATUS_BLOCK.Information.
pub(crate) mod created {
    /// FILE_SUPERSEDED.
    pub(crate) const SUPERSEDED: u32 = 0;
    /// FILE_OPENED.
    pub(crate) const OPENED: u32 = 1;
    /// FILE_CREATED.
    pub(crate) const CREATED: u32 = 2;
    /// FILE_OVERWRITTEN.
    pub(crate) const OVERWRITTEN: u32 = 3;
}

/// GENERIC_WRITE.
const GENERIC_WRITE: u32 = 0x4000_0000;
/// SYNCHRONIZE.
const SYNCHRONIZE: u32 = 0x0010_0000;
/// FILE_READ_ATTRIBUTES.
const FILE_READ_ATTRIBUTES: u32 = 0x80;
/// FILE_FLAG_WRITE_THROUGH.
const FILE_FLAG_WRITE_THROUGH: u32 = 0x8000_0000;
/// FILE_FLAG_OVERLAPPED.
pub const FILE_FLAG_OVERLAPPED: u32 = 0x4000_0000;
/// FILE_FLAG_NO_BUFFERING.
pub const FILE_FLAG_NO_BUFFERING: u32 = 0x2000_0000;
/// FILE_FLAG_RANDOM_ACCESS.
const FILE_FLAG_RANDOM_ACCESS: u32 = 0x1000_0000;
/// FILE_FLAG_SEQUENTIAL_SCAN.
const FILE_FLAG_SEQUENTIAL_SCAN: u32 = 0x0800_0000;
/// The attribute bits CreateFile passes on to a new file.
const CREATE_ATTRIBUTES: u32 = 0x1 | 0x2 | 0x4 | 0x20 | 0x80 | 0x100 | 0x1000;

/// An open NtCreateFile (and CreateFile through it) asks for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct OpenRequest {
    /// The desired access as asked (generic rights allowed).
    pub(crate) access: u32,
    /// FILE_SHARE_* bits.
    pub(crate) share: u32,
    /// One of [`disposition`].
    pub(crate) disposition: u32,
    /// [`options`] bits.
    pub(crate) options: u32,
    /// The attributes of a file it creates.
    pub(crate) attributes: u32,
    /// The handle is inherited by child processes.
    pub(crate) inherit: bool,
}

/// The NT status of a failure the volume layer reports as a Win32 error.
pub(crate) fn nt_status_of(e: Win32Error) -> NtStatus {
    match e {
        Win32Error::FILE_NOT_FOUND => NtStatus::OBJECT_NAME_NOT_FOUND,
        Win32Error::PATH_NOT_FOUND => NtStatus::OBJECT_PATH_NOT_FOUND,
        Win32Error::ALREADY_EXISTS | Win32Error::FILE_EXISTS => NtStatus::OBJECT_NAME_COLLISION,
        Win32Error::INVALID_NAME => NtStatus::OBJECT_NAME_INVALID,
        Win32Error::SHARING_VIOLATION => NtStatus::SHARING_VIOLATION,
        Win32Error::DIR_NOT_EMPTY => NtStatus::DIRECTORY_NOT_EMPTY,
        Win32Error::DISK_FULL => NtStatus::DISK_FULL,
        Win32Error::FILENAME_EXCED_RANGE => NtStatus::OBJECT_NAME_INVALID,
        Win32Error::DIRECTORY => NtStatus::NOT_A_DIRECTORY,
        Win32Error::BAD_NETPATH => NtStatus::BAD_NETWORK_PATH,
        Win32Error::INVALID_PARAMETER => NtStatus::INVALID_PARAMETER,
        Win32Error::NOACCESS => NtStatus::ACCESS_VIOLATION,
        Win32Error::INVALID_HANDLE => NtStatus::INVALID_HANDLE,
        Win32Error::NOT_SAME_DEVICE => NtStatus::NOT_SAME_DEVICE,
        _ => NtStatus::ACCESS_DENIED,
    }
}

/// The Win32 error of a failed NT file operation (RtlNtStatusToDosError).
pub(crate) fn win32_of(status: NtStatus) -> Win32Error {
    status.to_win32_error()
}

/// What an existing file or directory allows an open to do, checked before anything
/// changes: the NT status of the first refusal.
fn check_existing(
    node: &Node,
    shared: Option<&FileNode>,
    req: &OpenRequest,
    granted: u32,
    trailing_separator: bool,
) -> Result<(), NtStatus> {
    let overwrite = matches!(
        req.disposition,
        disposition::SUPERSEDE | disposition::OVERWRITE | disposition::OVERWRITE_IF
    );
    if node.is_dir() {
        if req.options & options::NON_DIRECTORY_FILE != 0 {
            return Err(if trailing_separator {
                NtStatus::OBJECT_PATH_NOT_FOUND
            } else {
                NtStatus::FILE_IS_A_DIRECTORY
            });
        }
        if req.disposition == disposition::CREATE {
            return Err(NtStatus::OBJECT_NAME_COLLISION);
        }
        if overwrite {
            return Err(NtStatus::ACCESS_DENIED);
        }
        return Ok(());
    }
    if trailing_separator {
        return Err(NtStatus::OBJECT_NAME_INVALID);
    }
    if req.options & options::DIRECTORY_FILE != 0 {
        return Err(NtStatus::NOT_A_DIRECTORY);
    }
    if req.disposition == disposition::CREATE {
        return Err(NtStatus::OBJECT_NAME_COLLISION);
    }
    if shared.is_some_and(FileNode::delete_pending) {
        return Err(NtStatus::DELETE_PENDING);
    }
    if (node.read_only || node.links > 1) && (granted & WRITE_RIGHTS != 0 || overwrite) {
        return Err(NtStatus::ACCESS_DENIED);
    }
    if node.read_only && req.options & options::DELETE_ON_CLOSE != 0 {
        return Err(NtStatus::CANNOT_DELETE);
    }
    Ok(())
}

/// What the sections mapping an existing file forbid an open, checked after its share
/// access (a share conflict is reported first): overwriting a file an image or data section
/// maps, or deleting on close a mapped image.
fn check_sections(shared: Option<&FileNode>, req: &OpenRequest) -> Result<(), NtStatus> {
    let overwrite = matches!(
        req.disposition,
        disposition::SUPERSEDE | disposition::OVERWRITE | disposition::OVERWRITE_IF
    );
    if let Some(shared) = shared {
        let (data, image) = shared.sections();
        if overwrite && image > 0 {
            return Err(NtStatus::SHARING_VIOLATION);
        }
        if overwrite && data > 0 {
            return Err(NtStatus::USER_MAPPED_FILE);
        }
        if image > 0 && req.options & options::DELETE_ON_CLOSE != 0 {
            return Err(NtStatus::ACCESS_DENIED);
        }
    }
    Ok(())
}

/// NtCreateFile's work, for NtCreateFile, NtOpenFile and CreateFile: opens or creates what
/// full path `f` names. Returns the handle and what was done ([`created`]).
pub(crate) fn nt_create(
    call: &mut ApiCall<'_>,
    f: &FullPath,
    req: &OpenRequest,
) -> Result<(Handle, u32), NtStatus> {
    use disposition as d;
    use options as o;
    if req.share & !0x7 != 0
        || req.disposition > d::OVERWRITE_IF
        || req.options & (o::DIRECTORY_FILE | o::NON_DIRECTORY_FILE)
            == (o::DIRECTORY_FILE | o::NON_DIRECTORY_FILE)
        || (req.options & o::DIRECTORY_FILE != 0
            && !matches!(req.disposition, d::CREATE | d::OPEN | d::OPEN_IF))
    {
        return Err(NtStatus::INVALID_PARAMETER);
    }
    let granted = ObjectType::File.map_access(AccessMask(req.access)).0;
    if req.options & o::DELETE_ON_CLOSE != 0 && granted & DELETE_RIGHT == 0 {
        return Err(NtStatus::INVALID_PARAMETER);
    }
    let (drive, components, trailing_separator) = match f {
        FullPath::Device { device, .. } => {
            let payload: Box<dyn std::any::Any + Send + Sync> = match device {
                DosDevice::Null => Box::new(NullDevice),
                DosDevice::ConsoleInput => Box::new(HostFile::Input),
                DosDevice::ConsoleOutput => Box::new(HostFile::Output),
                DosDevice::Console => {
                    match (granted & READ_RIGHTS != 0, granted & WRITE_RIGHTS != 0) {
                        (true, false) => Box::new(HostFile::Input),
                        (false, true) => Box::new(HostFile::Output),
                        _ => return Err(NtStatus::OBJECT_NAME_NOT_FOUND),
                    }
                }
            };
            // A process without a console has no console to open.
            if (*payload).is::<HostFile>() && !crate::console_api::has_console(call) {
                return Err(NtStatus::INVALID_HANDLE);
            }
            let (handle, _) = create_object(call, payload, AccessMask(req.access), req.inherit)
                .map_err(nt_status_of)?;
            return Ok((handle, created::OPENED));
        }
        FullPath::Unc(_) => return Err(NtStatus::BAD_NETWORK_PATH),
        FullPath::Drive {
            drive,
            components,
            trailing_separator,
        } => (*drive, components, *trailing_separator),
    };
    if f.has_wildcards() {
        return Err(NtStatus::OBJECT_NAME_INVALID);
    }
    let overwrite = matches!(
        req.disposition,
        d::SUPERSEDE | d::OVERWRITE | d::OVERWRITE_IF
    );
    let wants_write = granted & WRITE_RIGHTS != 0;
    let directory_ok = req.options & o::NON_DIRECTORY_FILE == 0;
    let read = granted & READ_RIGHTS != 0 || !wants_write;
    // The usual case first: an existing file named as the host spells it, opened in one
    // resolution by the kernel.
    let fast = if req.disposition != d::CREATE && !trailing_separator {
        volume_of(call, drive).ok().and_then(|volume| {
            let (file, node, at) = volume.open_exact(components, read, wants_write || overwrite)?;
            Some((volume, file, node, at))
        })
    } else {
        None
    };
    let (volume, at, file, node, info) = match fast {
        Some((volume, file, node, at)) => {
            let shared = call.state.k32().files.nodes.existing(node.id);
            check_existing(&node, shared.as_deref(), req, granted, false)?;
            call.state
                .k32()
                .files
                .check_share(node.id, granted, req.share)
                .map_err(nt_status_of)?;
            check_sections(shared.as_deref(), req)?;
            let info = if overwrite && node.kind == volume::NodeKind::File {
                file.set_len(0).map_err(|e| nt_status_of(io_error(&e)))?;
                if req.disposition == d::SUPERSEDE {
                    created::SUPERSEDED
                } else {
                    created::OVERWRITTEN
                }
            } else {
                created::OPENED
            };
            (volume, at, file, node, info)
        }
        None => {
            let volume = volume_of(call, drive).map_err(nt_status_of)?;
            let at = volume.locate(components).map_err(nt_status_of)?;
            match at.node {
                Some(node) => {
                    let shared = call.state.k32().files.nodes.existing(node.id);
                    check_existing(&node, shared.as_deref(), req, granted, trailing_separator)?;
                    call.state
                        .k32()
                        .files
                        .check_share(node.id, granted, req.share)
                        .map_err(nt_status_of)?;
                    check_sections(shared.as_deref(), req)?;
                }
                None => {
                    if matches!(req.disposition, d::OPEN | d::OVERWRITE) {
                        return Err(NtStatus::OBJECT_NAME_NOT_FOUND);
                    }
                    if trailing_separator && req.options & o::DIRECTORY_FILE == 0 {
                        return Err(NtStatus::OBJECT_NAME_INVALID);
                    }
                    if at.is_root() {
                        return Err(NtStatus::ACCESS_DENIED);
                    }
                }
            }
            let existed = at.node.is_some();
            if !existed && req.options & o::DIRECTORY_FILE != 0 {
                volume.make_directory(&at).map_err(nt_status_of)?;
            }
            let is_dir =
                at.node.is_some_and(|n| n.is_dir()) || req.options & o::DIRECTORY_FILE != 0;
            let opened = volume
                .open(
                    &at,
                    OpenHow {
                        read,
                        write: !is_dir && (wants_write || (existed && overwrite)),
                        create: !existed && !is_dir,
                        exclusive: !existed,
                        truncate: existed && overwrite,
                        directory: directory_ok,
                    },
                )
                .map_err(nt_status_of)?;
            let info = if !existed {
                created::CREATED
            } else if overwrite && req.disposition == d::SUPERSEDE {
                created::SUPERSEDED
            } else if overwrite {
                created::OVERWRITTEN
            } else {
                created::OPENED
            };
            let at = Located {
                name: opened.name.clone(),
                ..at
            };
            (volume, at, opened.file, opened.node, info)
        }
    };
    if info == created::CREATED && req.attributes & FILE_ATTRIBUTE_READONLY != 0 && !node.is_dir() {
        let _ = file.metadata().map(|m| {
            let mut perms = m.permissions();
            perms.set_readonly(true);
            file.set_permissions(perms)
        });
    }
    let delete_on_close = req.options & o::DELETE_ON_CLOSE != 0;
    let parent = if delete_on_close {
        Some(volume.parent_of(&at).map_err(nt_status_of)?)
    } else {
        None
    };
    let (file, directory) = if node.is_dir() {
        (None, Some(file))
    } else {
        (Some(file), None)
    };
    let shared = call.state.k32().files.nodes.node(node.id);
    let mut path = components.clone();
    if let Some(last) = path.last_mut() {
        last.clone_from(&at.name);
    }
    let disk = DiskFile {
        inner: Mutex::new(DiskInner {
            file,
            directory,
            volume_serial: volume.serial,
            node,
            position: 0,
            access: granted,
            share: req.share,
            delete_on_close,
            parent,
            name: at.name,
            shared,
            owner: new_owner(),
            drive,
            path,
            synchronous: req.options & (o::SYNCHRONOUS_IO_ALERT | o::SYNCHRONOUS_IO_NONALERT) != 0,
            no_buffering: req.options & o::NO_INTERMEDIATE_BUFFERING != 0,
        }),
    };
    let (handle, object) = create_object(call, Box::new(disk), AccessMask(req.access), req.inherit)
        .map_err(nt_status_of)?;
    call.state.k32().files.open.push(Arc::downgrade(&object));
    Ok((handle, info))
}

/// CreateFile's work: opens or creates `name` for `access` sharing `share` with
/// `disposition`, `flags` being dwFlagsAndAttributes, through [`nt_create`] as NT's
/// CreateFileW goes through NtCreateFile. On success the last error is
/// ERROR_ALREADY_EXISTS when CREATE_ALWAYS or OPEN_ALWAYS found the file, else 0.
fn create_file(
    call: &mut ApiCall<'_>,
    name: &str,
    access: u32,
    share: u32,
    creation: u32,
    flags: u32,
    inherit: bool,
) -> Result<Handle, Win32Error> {
    let nt_disposition = match creation {
        CREATE_NEW => disposition::CREATE,
        CREATE_ALWAYS => disposition::OVERWRITE_IF,
        OPEN_EXISTING => disposition::OPEN,
        OPEN_ALWAYS => disposition::OPEN_IF,
        TRUNCATE_EXISTING => disposition::OVERWRITE,
        _ => return Err(Win32Error::INVALID_PARAMETER),
    };
    if creation == TRUNCATE_EXISTING && access & GENERIC_WRITE == 0 {
        return Err(Win32Error::INVALID_PARAMETER);
    }
    let f = full(call, name)?;
    let mut options = if flags & FILE_FLAG_BACKUP_SEMANTICS != 0 {
        options::OPEN_FOR_BACKUP_INTENT
    } else {
        options::NON_DIRECTORY_FILE
    };
    if flags & FILE_FLAG_OVERLAPPED == 0 {
        options |= options::SYNCHRONOUS_IO_NONALERT;
    }
    for (flag, option) in [
        (FILE_FLAG_NO_BUFFERING, options::NO_INTERMEDIATE_BUFFERING),
        (FILE_FLAG_WRITE_THROUGH, options::WRITE_THROUGH),
        (FILE_FLAG_RANDOM_ACCESS, options::RANDOM_ACCESS),
        (FILE_FLAG_SEQUENTIAL_SCAN, options::SEQUENTIAL_ONLY),
        (FILE_FLAG_DELETE_ON_CLOSE, options::DELETE_ON_CLOSE),
    ] {
        if flags & flag != 0 {
            options |= option;
        }
    }
    let mut access = access | SYNCHRONIZE | FILE_READ_ATTRIBUTES;
    if flags & FILE_FLAG_DELETE_ON_CLOSE != 0 {
        access |= DELETE_RIGHT;
    }
    let req = OpenRequest {
        access,
        share,
        disposition: nt_disposition,
        options,
        attributes: flags & CREATE_ATTRIBUTES,
        inherit,
    };
    match nt_create(call, &f, &req) {
        Ok((handle, info)) => {
            let found = matches!(creation, CREATE_ALWAYS | OPEN_ALWAYS)
                && matches!(info, created::OPENED | created::OVERWRITTEN);
            call.set_last_error(if found {
                Win32Error::ALREADY_EXISTS.0
            } else {
                0
            });
            Ok(handle)
        }
        Err(NtStatus::OBJECT_NAME_COLLISION) if creation == CREATE_NEW => Err(ERROR_FILE_EXISTS),
        Err(status) => Err(win32_of(status)),
    }
}

/// CreateFileA for Rust callers (the C runtime's fopen and _open): a handle that is not
/// inherited, for a name decoded as CreateFileA and CreateFileW decode theirs, with the same
/// checks (a name longer than MAX_PATH is ERROR_FILENAME_EXCED_RANGE). `attributes` is
/// dwFlagsAndAttributes. Sets the last error as CreateFileA does.
pub fn open_file(
    call: &mut ApiCall<'_>,
    path: &str,
    access: u32,
    share: u32,
    disposition: u32,
    attributes: u32,
) -> Result<Handle, Win32Error> {
    let path = path_argument(call, Some(path))?;
    create_file(call, path, access, share, disposition, attributes, false)
}

/// [`open_file`] with the handle inheritable when `inherit` (CreateFile's
/// SECURITY_ATTRIBUTES.bInheritHandle: the C runtime's `_open` without `_O_NOINHERIT`).
pub fn open_file_inheritable(
    call: &mut ApiCall<'_>,
    path: &str,
    access: u32,
    share: u32,
    disposition: u32,
    attributes: u32,
    inherit: bool,
) -> Result<Handle, Win32Error> {
    let path = path_argument(call, Some(path))?;
    create_file(call, path, access, share, disposition, attributes, inherit)
}

/// CreateFileA and CreateFileW: `name` decoded.
fn create_file_api(
    call: &mut ApiCall<'_>,
    name: Option<&str>,
    access: u32,
    share: u32,
    sa: Ptr,
    disposition: u32,
    flags: u32,
) -> ApiReturn {
    let name = match path_argument(call, name) {
        Ok(n) => n,
        Err(e) => return fail(call, e, INVALID_HANDLE_VALUE),
    };
    let Ok(inherit) = super::inherit_from_security_attributes(call, sa.0) else {
        return fail(call, Win32Error::NOACCESS, INVALID_HANDLE_VALUE);
    };
    if let Some(pipe) = super::namedpipe::pipe_name(name) {
        return super::namedpipe::open_client(call, pipe, access, flags, inherit);
    }
    if let Some(slot) = super::mailslot::mailslot_name(name) {
        return super::mailslot::open_client(call, slot, access, inherit);
    }
    let r = create_file(call, name, access, share, disposition, flags, inherit).map(|h| h.0);
    super::change::touched(call);
    match r {
        Ok(h) => {
            super::overlapped::note_open_handle(call, Handle(h), flags);
            ApiReturn::Value(h)
        }
        Err(e) => fail(call, e, INVALID_HANDLE_VALUE),
    }
}

/// CreateFileA(lpFileName, dwDesiredAccess, dwShareMode, lpSecurityAttributes,
/// dwCreationDisposition, dwFlagsAndAttributes, hTemplateFile).
#[export(failure = INVALID_HANDLE_VALUE)]
fn CreateFileA(
    call: &mut ApiCall<'_>,
    lpFileName: Option<AnsiStr>,
    dwDesiredAccess: u32,
    dwShareMode: u32,
    lpSecurityAttributes: Ptr,
    dwCreationDisposition: u32,
    dwFlagsAndAttributes: u32,
    hTemplateFile: Handle,
) -> ApiReturn {
    let _ = hTemplateFile;
    create_file_api(
        call,
        lpFileName.as_deref(),
        dwDesiredAccess,
        dwShareMode,
        lpSecurityAttributes,
        dwCreationDisposition,
        dwFlagsAndAttributes,
    )
}

/// CreateFileW(lpFileName, dwDesiredAccess, dwShareMode, lpSecurityAttributes,
/// dwCreationDisposition, dwFlagsAndAttributes, hTemplateFile).
#[export(failure = INVALID_HANDLE_VALUE)]
fn CreateFileW(
    call: &mut ApiCall<'_>,
    lpFileName: Option<WideStr>,
    dwDesiredAccess: u32,
    dwShareMode: u32,
    lpSecurityAttributes: Ptr,
    dwCreationDisposition: u32,
    dwFlagsAndAttributes: u32,
    hTemplateFile: Handle,
) -> ApiReturn {
    let _ = hTemplateFile;
    create_file_api(
        call,
        lpFileName.as_deref(),
        dwDesiredAccess,
        dwShareMode,
        lpSecurityAttributes,
        dwCreationDisposition,
        dwFlagsAndAttributes,
    )
}

/// The file object a handle names and the rights the handle grants, when the handle grants
/// one of `need` (or `need` is 0): else ERROR_ACCESS_DENIED.
pub(crate) fn file_object(
    call: &ApiCall<'_>,
    handle: Handle,
    need: u32,
) -> Result<(Arc<Object>, u32), Win32Error> {
    let object = call
        .reference(handle, AccessMask(0), Some(ObjectType::File))
        .map_err(|e| e.win32_error())?;
    let granted = call.granted_access(handle).map_err(|e| e.win32_error())?.0;
    if need != 0 && granted & need == 0 {
        return Err(Win32Error::ACCESS_DENIED);
    }
    Ok((object, granted))
}

/// Reads from a disk file at `offset` (or its position), moving the position past what was
/// read. 0 bytes at the end of the file.
pub(crate) fn disk_read(
    disk: &DiskFile,
    buf: &mut [u8],
    offset: Option<u64>,
) -> Result<usize, Win32Error> {
    let mut inner = disk.inner.lock();
    let at = offset.unwrap_or(inner.position);
    if !buf.is_empty()
        && !inner
            .shared
            .io_allowed(inner.owner, at, buf.len() as u64, false)
    {
        return Err(Win32Error::LOCK_VIOLATION);
    }
    let Some(file) = inner.file.as_mut() else {
        return Err(Win32Error::INVALID_FUNCTION);
    };
    file.seek(SeekFrom::Start(at)).map_err(|e| io_error(&e))?;
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_error(&e)),
        }
    }
    inner.position = at + got as u64;
    Ok(got)
}

/// Writes to a disk file at `offset` (or its position; the end for a handle that may only
/// append), moving the position past what was written.
pub(crate) fn disk_write(
    disk: &DiskFile,
    granted: u32,
    data: &[u8],
    offset: Option<u64>,
) -> Result<usize, Win32Error> {
    let mut inner = disk.inner.lock();
    let position = inner.position;
    let (owner, shared) = (inner.owner, Arc::clone(&inner.shared));
    let Some(file) = inner.file.as_mut() else {
        return Err(Win32Error::INVALID_FUNCTION);
    };
    if data.is_empty() {
        return Ok(0);
    }
    let start = match offset {
        Some(u64::MAX) => None,
        Some(o) => Some(o),
        None if granted & FILE_WRITE_DATA == 0 => None,
        None => Some(position),
    };
    let start = match start {
        Some(s) => s,
        None => file.metadata().map_err(|e| io_error(&e))?.len(),
    };
    if !shared.io_allowed(owner, start, data.len() as u64, true) {
        return Err(Win32Error::LOCK_VIOLATION);
    }
    let at = match offset {
        Some(u64::MAX) => file.seek(SeekFrom::End(0)),
        Some(o) => file.seek(SeekFrom::Start(o)),
        None if granted & FILE_WRITE_DATA == 0 => file.seek(SeekFrom::End(0)),
        None => file.seek(SeekFrom::Start(position)),
    }
    .map_err(|e| io_error(&e))?;
    file.write_all(data).map_err(|e| io_error(&e))?;
    inner.position = at + data.len() as u64;
    Ok(data.len())
}

/// ReadFile for Rust callers: fills `buf` from a disk file, NUL (nothing), a pipe (what is
/// queued; an empty pipe with a writer is ERROR_NO_DATA, never a wait: see
/// [`read_wait`](crate::read_wait)) or the console input (not yet: nothing), returning how
/// many bytes came.
pub fn read_handle(
    call: &mut ApiCall<'_>,
    handle: Handle,
    buf: &mut [u8],
) -> Result<usize, Win32Error> {
    let (object, _) = file_object(call, handle, READ_RIGHTS)?;
    read_object(&object, buf, None)
}

pub(crate) fn read_object(
    object: &Object,
    buf: &mut [u8],
    offset: Option<u64>,
) -> Result<usize, Win32Error> {
    if let Some(disk) = object.payload::<DiskFile>() {
        return disk_read(disk, buf, offset);
    }
    if object.payload::<PipeEnd>().is_some() {
        return super::pipe::read_now(object, buf);
    }
    if object.payload::<NullDevice>().is_some() {
        return Ok(0);
    }
    match object.payload::<HostFile>() {
        // Console input through ReadFile is the console's to serve; until it does, the
        // console reads as at its end.
        Some(HostFile::Input) => Ok(0),
        Some(_) => Err(Win32Error::ACCESS_DENIED),
        None => Err(Win32Error::INVALID_HANDLE),
    }
}

/// WriteFile for Rust callers: writes `data` to a disk file, NUL, a pipe (all of it queued at
/// once, never a wait) or a console handle (as WriteFile writes to one), returning how many
/// bytes went.
pub fn write_handle(
    call: &mut ApiCall<'_>,
    handle: Handle,
    data: &[u8],
) -> Result<usize, Win32Error> {
    let (object, granted) = file_object(call, handle, WRITE_RIGHTS)?;
    if let Some(disk) = object.payload::<DiskFile>() {
        return disk_write(disk, granted, data, None);
    }
    if object.payload::<NullDevice>().is_some() {
        return Ok(data.len());
    }
    if object.payload::<PipeEnd>().is_some() {
        return super::pipe::write_now(&object, data);
    }
    match object.payload::<HostFile>().copied() {
        Some(target) => {
            let redirected = super::redirected_output(call, &object);
            super::write_console_bytes(call, target, data, true, redirected)
                .map(|()| data.len())
                .map_err(|s| s.to_win32_error())
        }
        None => Err(Win32Error::INVALID_HANDLE),
    }
}

/// The byte offset an OVERLAPPED structure gives (Offset, OffsetHigh), if there is one.
pub(crate) fn overlapped_offset(call: &ApiCall<'_>, ovl: u32) -> Result<Option<u64>, Win32Error> {
    if ovl == 0 {
        return Ok(None);
    }
    let lo = call
        .read_u32(ovl.wrapping_add(8))
        .map_err(|_| Win32Error::NOACCESS)?;
    let hi = call
        .read_u32(ovl.wrapping_add(12))
        .map_err(|_| Win32Error::NOACCESS)?;
    Ok(Some((u64::from(hi) << 32) | u64::from(lo)))
}

/// ReadFile(hFile, lpBuffer, nNumberOfBytesToRead, lpNumberOfBytesRead, lpOverlapped):
/// TRUE with 0 bytes at the end of a file.
#[export]
pub(crate) fn ReadFile(
    call: &mut ApiCall<'_>,
    hFile: Handle,
    lpBuffer: Ptr,
    nNumberOfBytesToRead: u32,
    lpNumberOfBytesRead: Ptr,
    lpOverlapped: Ptr,
) -> ApiReturn {
    let (handle, buffer, length, read_ptr, ovl) = (
        hFile,
        lpBuffer.0,
        nNumberOfBytesToRead,
        lpNumberOfBytesRead.0,
        lpOverlapped.0,
    );
    // ReadFile zeroes *lpNumberOfBytesRead before anything else.
    if call.write_out_u32(read_ptr, 0).is_err() {
        return bad_pointer(call);
    }
    if let Ok(object) = call.reference(handle, AccessMask(0), Some(ObjectType::File)) {
        // The console input is read cooked, and a read waits for a line.
        if object.payload::<HostFile>() == Some(&HostFile::Input) {
            return super::console_api::read_file_from_console(
                call, handle, buffer, length, read_ptr,
            );
        }
        // A console screen buffer cannot be read as a file.
        if matches!(
            object.payload::<HostFile>(),
            Some(HostFile::Output | HostFile::Error | HostFile::ScreenBuffer(_))
        ) {
            return call.fail_win32(Win32Error::INVALID_HANDLE, 0);
        }
        // A mailslot's read waits for a message.
        if super::mailslot::is_mailslot(&object) {
            return super::mailslot::read_file(call, &object, buffer, length, read_ptr);
        }
        // A pipe's read waits for the writer.
        if object.payload::<PipeEnd>().is_some() {
            super::overlapped::mark_pending(call, ovl);
            return super::pipe::read_file(call, handle, &object, buffer, length, read_ptr, ovl);
        }
    }
    super::overlapped::mark_pending(call, ovl);
    let r = (|| {
        let (object, _) = file_object(call, handle, READ_RIGHTS)?;
        let mode = transfer_mode(&object, ovl, buffer, length, call, false)?;
        let offset = overlapped_offset(call, ovl)?;
        if mode.overlapped_handle && offset.is_none() {
            return Err(Win32Error::INVALID_PARAMETER);
        }
        for at in (0..length).step_by(super::COPY_CHUNK) {
            let len = (length - at).min(super::COPY_CHUNK as u32) as usize;
            call.probe_write(buffer.wrapping_add(at), len)
                .map_err(|_| Win32Error::NOACCESS)?;
        }
        let total = read_chunks(call, &object, buffer, length, offset)?;
        if ovl != 0 && total == 0 && length > 0 && object.payload::<DiskFile>().is_some() {
            // A read at or past the end through an OVERLAPPED: STATUS_END_OF_FILE, and the
            // OVERLAPPED keeps its pending mark.
            return Err(Win32Error::HANDLE_EOF);
        }
        super::overlapped::complete_now(call, &object, ovl, None, NtStatus::SUCCESS, total);
        Ok((total, mode.overlapped_handle))
    })();
    match r {
        Ok((_, true)) => call.fail_win32(Win32Error(ERROR_IO_PENDING), 0),
        Ok((total, false)) => match call.write_out_u32(read_ptr, total) {
            Ok(()) => ApiReturn::Value(1),
            Err(_) => bad_pointer(call),
        },
        Err(e) => fail(call, e, 0),
    }
}

/// Reads up to `length` bytes from a file object into the guest's buffer at `offset` (or
/// the position), in chunks: the bytes read.
fn read_chunks(
    call: &mut ApiCall<'_>,
    object: &Object,
    buffer: u32,
    length: u32,
    mut offset: Option<u64>,
) -> Result<u32, Win32Error> {
    let mut total = 0u32;
    while total < length {
        let len = (length - total).min(super::COPY_CHUNK as u32) as usize;
        let mut chunk = vec![0u8; len];
        let got = read_object(object, &mut chunk, offset)?;
        call.write_bytes(buffer.wrapping_add(total), &chunk[..got])
            .map_err(|_| Win32Error::NOACCESS)?;
        total += got as u32;
        offset = offset.map(|o| o + got as u64);
        if got < len {
            break;
        }
    }
    Ok(total)
}

/// A synchronous read (NtReadFile's) from a disk file or NUL into the guest's buffer at
/// `offset` (None: the position): the bytes read, 0 at the end.
pub(crate) fn read_into_guest(
    call: &mut ApiCall<'_>,
    handle: Handle,
    buffer: u32,
    length: u32,
    offset: Option<u64>,
) -> Result<u32, Win32Error> {
    let (object, _) = file_object(call, handle, READ_RIGHTS)?;
    if object.payload::<DiskFile>().is_none() && object.payload::<NullDevice>().is_none() {
        return Err(Win32Error::INVALID_HANDLE);
    }
    transfer_mode(&object, 0, buffer, length, call, false)?;
    for at in (0..length).step_by(super::COPY_CHUNK) {
        let len = (length - at).min(super::COPY_CHUNK as u32) as usize;
        call.probe_write(buffer.wrapping_add(at), len)
            .map_err(|_| Win32Error::NOACCESS)?;
    }
    read_chunks(call, &object, buffer, length, offset)
}

/// A synchronous write (NtWriteFile's) of the guest's buffer to a disk file or NUL at
/// `offset` (None: the position): the bytes written.
pub(crate) fn write_from_guest(
    call: &mut ApiCall<'_>,
    handle: Handle,
    buffer: u32,
    length: u32,
    offset: Option<u64>,
) -> Result<u32, Win32Error> {
    let (object, granted) = file_object(call, handle, WRITE_RIGHTS)?;
    transfer_mode(&object, 0, buffer, length, call, true)?;
    let data = call
        .read_bytes(buffer, length as usize)
        .map_err(|_| Win32Error::INVALID_USER_BUFFER)?;
    if let Some(disk) = object.payload::<DiskFile>() {
        disk_write(disk, granted, &data, offset).map(|n| n as u32)
    } else if object.payload::<NullDevice>().is_some() {
        Ok(length)
    } else {
        Err(Win32Error::INVALID_HANDLE)
    }
}

/// ERROR_IO_PENDING: an overlapped transfer goes on after the call returns.
const ERROR_IO_PENDING: u32 = 997;
/// The sector size of ntemu's drives: FILE_FLAG_NO_BUFFERING transfers whole sectors.
pub(crate) const SECTOR_SIZE: u32 = 512;

/// How a disk transfer goes.
struct TransferMode {
    /// The handle was opened with FILE_FLAG_OVERLAPPED: the transfer reports
    /// ERROR_IO_PENDING and its end through the OVERLAPPED.
    overlapped_handle: bool,
}

/// Checks a transfer's buffer, length and offset against the open's mode: with
/// FILE_FLAG_NO_BUFFERING each must be a multiple of the sector size (else
/// ERROR_INVALID_PARAMETER).
fn transfer_mode(
    object: &Object,
    ovl: u32,
    buffer: u32,
    length: u32,
    call: &ApiCall<'_>,
    _write: bool,
) -> Result<TransferMode, Win32Error> {
    let Some(disk) = object.payload::<DiskFile>() else {
        return Ok(TransferMode {
            overlapped_handle: false,
        });
    };
    let (synchronous, no_buffering) = {
        let inner = disk.inner.lock();
        (inner.synchronous, inner.no_buffering)
    };
    if no_buffering {
        let offset = overlapped_offset(call, ovl)?.unwrap_or_else(|| disk.inner.lock().position);
        if !buffer.is_multiple_of(SECTOR_SIZE)
            || !length.is_multiple_of(SECTOR_SIZE)
            || offset % u64::from(SECTOR_SIZE) != 0
        {
            return Err(Win32Error::INVALID_PARAMETER);
        }
    }
    Ok(TransferMode {
        overlapped_handle: !synchronous,
    })
}

/// WriteFile(hFile, lpBuffer, nNumberOfBytesToWrite, lpNumberOfBytesWritten, lpOverlapped):
/// console handles as before; disk files and NUL here.
#[export]
pub(crate) fn WriteFile(
    call: &mut ApiCall<'_>,
    hFile: Handle,
    lpBuffer: Ptr,
    nNumberOfBytesToWrite: u32,
    lpNumberOfBytesWritten: Ptr,
    lpOverlapped: Ptr,
) -> ApiReturn {
    let (handle, buffer, length, written_ptr, ovl) = (
        hFile,
        lpBuffer.0,
        nNumberOfBytesToWrite,
        lpNumberOfBytesWritten.0,
        lpOverlapped.0,
    );
    let object = call
        .reference(handle, AccessMask(0), Some(ObjectType::File))
        .ok();
    if object
        .as_ref()
        .is_some_and(|o| o.payload::<HostFile>().is_some())
    {
        return super::write_to_handle(call, handle, buffer, length, written_ptr, true);
    }
    if call.write_out_u32(written_ptr, 0).is_err() {
        return bad_pointer(call);
    }
    super::overlapped::mark_pending(call, ovl);
    // A pipe's write waits for the reader when the pipe is full.
    if let Some(object) = object.filter(|o| o.payload::<PipeEnd>().is_some()) {
        return super::pipe::write_file(call, handle, &object, buffer, length, written_ptr, ovl);
    }
    let r = (|| {
        let (object, granted) = file_object(call, handle, WRITE_RIGHTS)?;
        let mode = transfer_mode(&object, ovl, buffer, length, call, true)?;
        let mut offset = overlapped_offset(call, ovl)?;
        if mode.overlapped_handle && offset.is_none() {
            return Err(Win32Error::INVALID_PARAMETER);
        }
        if offset == Some(u64::from(u32::MAX) << 32 | u64::from(u32::MAX)) {
            offset = Some(u64::MAX);
        }
        // The whole buffer must be readable before a byte is written.
        let mut data = Vec::new();
        for at in (0..length).step_by(super::COPY_CHUNK) {
            let len = (length - at).min(super::COPY_CHUNK as u32) as usize;
            data.extend(
                call.read_bytes(buffer.wrapping_add(at), len)
                    .map_err(|_| Win32Error::INVALID_USER_BUFFER)?,
            );
        }
        let n = if let Some(disk) = object.payload::<DiskFile>() {
            disk_write(disk, granted, &data, offset)?
        } else if object.payload::<NullDevice>().is_some() {
            data.len()
        } else if super::mailslot::is_mailslot(&object) {
            super::mailslot::write(&object, &data)?
        } else {
            return Err(Win32Error::INVALID_HANDLE);
        };
        super::overlapped::complete_now(call, &object, ovl, None, NtStatus::SUCCESS, n as u32);
        Ok((n as u32, mode.overlapped_handle))
    })();
    match r {
        Ok((_, true)) => call.fail_win32(Win32Error(ERROR_IO_PENDING), 0),
        Ok((n, false)) => match call.write_out_u32(written_ptr, n) {
            Ok(()) => ApiReturn::Value(1),
            Err(_) => bad_pointer(call),
        },
        Err(e) => fail(call, e, 0),
    }
}

/// SetFilePointer for Rust callers: moves the position of a disk file by `distance` from
/// the start (0), the position (1) or the end (2); returns the new position. NUL stays at 0.
pub fn set_file_pointer(
    call: &mut ApiCall<'_>,
    handle: Handle,
    distance: i64,
    method: u32,
) -> Result<u64, Win32Error> {
    let (object, _) = file_object(call, handle, 0)?;
    if object.payload::<NullDevice>().is_some() {
        return Ok(0);
    }
    let Some(disk) = object.payload::<DiskFile>() else {
        return Err(Win32Error::INVALID_HANDLE);
    };
    let mut inner = disk.inner.lock();
    let base = match method {
        0 => 0,
        1 => inner.position as i128,
        2 => match &inner.file {
            Some(f) => f.metadata().map_err(|e| io_error(&e))?.len() as i128,
            None => 0,
        },
        _ => return Err(Win32Error::INVALID_PARAMETER),
    };
    let new = base + i128::from(distance);
    if new < 0 {
        return Err(ERROR_NEGATIVE_SEEK);
    }
    let new = u64::try_from(new).map_err(|_| Win32Error::INVALID_PARAMETER)?;
    inner.position = new;
    Ok(new)
}

/// SetFilePointer(hFile, lDistanceToMove, lpDistanceToMoveHigh, dwMoveMethod): without a
/// high part the distance is a signed 32-bit value and the result must fit in 32 bits;
/// INVALID_SET_FILE_POINTER with the last error on failure, and with last error 0 when it
/// is a real position's low part.
#[export(failure = INVALID_SET_FILE_POINTER)]
pub(crate) fn SetFilePointer(
    call: &mut ApiCall<'_>,
    hFile: Handle,
    lDistanceToMove: i32,
    lpDistanceToMoveHigh: Ptr,
    dwMoveMethod: u32,
) -> ApiReturn {
    let (handle, low, high_ptr, method) = (
        hFile,
        lDistanceToMove as u32,
        lpDistanceToMoveHigh.0,
        dwMoveMethod,
    );
    let distance = if high_ptr == 0 {
        i64::from(low as i32)
    } else {
        match call.read_u32(high_ptr) {
            Ok(h) => ((u64::from(h) << 32) | u64::from(low)) as i64,
            Err(_) => return fail(call, Win32Error::NOACCESS, INVALID_SET_FILE_POINTER),
        }
    };
    if high_ptr == 0 && method <= 2 {
        // The new position must fit in 32 bits: check before moving.
        let probe = file_object(call, handle, 0).and_then(|(o, _)| {
            let Some(disk) = o.payload::<DiskFile>() else {
                return Ok(());
            };
            let inner = disk.inner.lock();
            let base = match method {
                0 => 0,
                1 => i128::from(inner.position),
                _ => inner
                    .file
                    .as_ref()
                    .and_then(|f| f.metadata().ok())
                    .map_or(0, |m| i128::from(m.len())),
            };
            let new = base + i128::from(distance);
            if new >= 1 << 32 {
                Err(Win32Error::INVALID_PARAMETER)
            } else {
                Ok(())
            }
        });
        if let Err(e) = probe {
            return fail(call, e, INVALID_SET_FILE_POINTER);
        }
    }
    match set_file_pointer(call, handle, distance, method) {
        Ok(new) => {
            if high_ptr != 0 && call.write_u32(high_ptr, (new >> 32) as u32).is_err() {
                return fail(call, Win32Error::NOACCESS, INVALID_SET_FILE_POINTER);
            }
            if new as u32 == INVALID_SET_FILE_POINTER {
                call.set_last_error(0);
            }
            ApiReturn::Value(new as u32)
        }
        Err(e) => fail(call, e, INVALID_SET_FILE_POINTER),
    }
}

/// SetEndOfFile(hFile): the file ends at its position; needs write access.
#[export]
fn SetEndOfFile(call: &mut ApiCall<'_>, hFile: Handle) -> ApiReturn {
    let r = file_object(call, hFile, FILE_WRITE_DATA).and_then(|(o, _)| {
        if o.payload::<NullDevice>().is_some() {
            return Ok(1);
        }
        let disk = o.payload::<DiskFile>().ok_or(Win32Error::INVALID_HANDLE)?;
        // A file a section maps cannot shrink (ERROR_USER_MAPPED_FILE).
        let position = disk.inner.lock().position;
        disk.set_length(position)?;
        Ok(1)
    });
    done(call, r, 0)
}

/// FlushFileBuffers(hFile): disk data to the host's disk; needs write access. Console
/// handles have nothing to flush; a pipe's write end waits until the reader has read all
/// that was written.
#[export]
fn FlushFileBuffers(call: &mut ApiCall<'_>, hFile: Handle) -> ApiReturn {
    if let Some(object) = super::pipe::pipe_end_object(call, hFile) {
        return super::pipe::flush(call, hFile, &object);
    }
    // The console: its input is flushed as FlushConsoleInputBuffer does; a screen buffer
    // has nothing to flush (ERROR_INVALID_HANDLE). A standard handle the host redirected
    // to a file or pipe is flushed as one.
    if let Ok(object) = call.reference(hFile, AccessMask(0), Some(ObjectType::File))
        && let Some(&host) = object.payload::<HostFile>()
        && super::startup::file_type_of(call, hFile) == Ok(super::startup::FILE_TYPE_CHAR)
    {
        return match host {
            HostFile::Input => super::console_api::flush_console_input(call, hFile),
            _ => call.fail_win32(Win32Error::INVALID_HANDLE, 0),
        };
    }
    let r = file_object(call, hFile, WRITE_RIGHTS).and_then(|(o, _)| {
        if let Some(disk) = o.payload::<DiskFile>() {
            let inner = disk.inner.lock();
            if let Some(f) = &inner.file {
                f.sync_data().map_err(|e| io_error(&e))?;
            }
        } else if o.payload::<NullDevice>().is_none() && o.payload::<HostFile>().is_none() {
            return Err(Win32Error::INVALID_HANDLE);
        }
        Ok(1)
    });
    done(call, r, 0)
}

/// GetFileSize(hFile, lpFileSizeHigh): the low part, the high part through the pointer;
/// INVALID_FILE_SIZE with last error 0 when that is a real size's low part.
#[export(failure = INVALID_SET_FILE_POINTER)]
fn GetFileSize(call: &mut ApiCall<'_>, hFile: Handle, lpFileSizeHigh: Ptr) -> ApiReturn {
    let high_ptr = lpFileSizeHigh.0;
    let r = file_object(call, hFile, 0).and_then(|(o, _)| {
        if o.payload::<NullDevice>().is_some() {
            return Ok(0);
        }
        let disk = o.payload::<DiskFile>().ok_or(Win32Error::INVALID_HANDLE)?;
        let inner = disk.inner.lock();
        match &inner.file {
            Some(f) => f.metadata().map(|m| m.len()).map_err(|e| io_error(&e)),
            None => Ok(0),
        }
    });
    match r {
        Ok(size) => {
            if call.write_out_u32(high_ptr, (size >> 32) as u32).is_err() {
                return fail(call, Win32Error::NOACCESS, INVALID_SET_FILE_POINTER);
            }
            if size as u32 == INVALID_SET_FILE_POINTER {
                call.set_last_error(0);
            }
            ApiReturn::Value(size as u32)
        }
        Err(e) => fail(call, e, INVALID_SET_FILE_POINTER),
    }
}

/// GetFileType for the handles this module and pipes make: FILE_TYPE_DISK for disk files,
/// FILE_TYPE_CHAR for devices, FILE_TYPE_PIPE for pipe ends, None for other objects.
pub(crate) fn file_type(object: &Object) -> Option<u32> {
    if object.payload::<DiskFile>().is_some() {
        Some(FILE_TYPE_DISK)
    } else if object.payload::<NullDevice>().is_some() {
        Some(FILE_TYPE_CHAR)
    } else if object.payload::<PipeEnd>().is_some() {
        Some(crate::FILE_TYPE_PIPE)
    } else {
        None
    }
}

pub(crate) fn attributes_of(node: &Node) -> u32 {
    let mut a = if node.is_dir() {
        FILE_ATTRIBUTE_DIRECTORY
    } else {
        FILE_ATTRIBUTE_ARCHIVE
    };
    if node.read_only {
        a |= FILE_ATTRIBUTE_READONLY;
    }
    a
}

fn get_file_attributes(call: &mut ApiCall<'_>, name: Option<&str>) -> ApiReturn {
    let r = path_argument(call, name)
        .and_then(|name| existing(call, name).map(|(_, _, node)| attributes_of(&node)));
    done(call, r, INVALID_SET_FILE_POINTER)
}

/// GetFileAttributesA(lpFileName): the attributes, or INVALID_FILE_ATTRIBUTES with
/// ERROR_FILE_NOT_FOUND / ERROR_PATH_NOT_FOUND.
#[export(failure = INVALID_SET_FILE_POINTER)]
fn GetFileAttributesA(call: &mut ApiCall<'_>, lpFileName: Option<AnsiStr>) -> ApiReturn {
    get_file_attributes(call, lpFileName.as_deref())
}

/// GetFileAttributesW(lpFileName).
#[export(failure = INVALID_SET_FILE_POINTER)]
fn GetFileAttributesW(call: &mut ApiCall<'_>, lpFileName: Option<WideStr>) -> ApiReturn {
    get_file_attributes(call, lpFileName.as_deref())
}

/// The attributes SetFileAttributes accepts (READONLY, HIDDEN, SYSTEM, ARCHIVE, NORMAL,
/// TEMPORARY, OFFLINE); ntemu keeps READONLY, the only one a host file carries.
const SETTABLE_ATTRIBUTES: u32 = 0x1 | 0x2 | 0x4 | 0x20 | 0x80 | 0x100 | 0x1000;

fn set_file_attributes(call: &mut ApiCall<'_>, name: Option<&str>, attributes: u32) -> ApiReturn {
    let r = path_argument(call, name).and_then(|name| {
        if attributes & !(SETTABLE_ATTRIBUTES | FILE_ATTRIBUTE_DIRECTORY) != 0 {
            return Err(Win32Error::INVALID_PARAMETER);
        }
        let (volume, at, _) = existing(call, name)?;
        volume.set_read_only(&at, attributes & FILE_ATTRIBUTE_READONLY != 0)?;
        Ok(1)
    });
    super::change::touched(call);
    done(call, r, 0)
}

/// SetFileAttributesA(lpFileName, dwFileAttributes): FILE_ATTRIBUTE_READONLY is kept (as
/// the host file's write permission); the other attributes are accepted and not kept.
#[export]
fn SetFileAttributesA(
    call: &mut ApiCall<'_>,
    lpFileName: Option<AnsiStr>,
    dwFileAttributes: u32,
) -> ApiReturn {
    set_file_attributes(call, lpFileName.as_deref(), dwFileAttributes)
}

/// SetFileAttributesW(lpFileName, dwFileAttributes).
#[export]
fn SetFileAttributesW(
    call: &mut ApiCall<'_>,
    lpFileName: Option<WideStr>,
    dwFileAttributes: u32,
) -> ApiReturn {
    set_file_attributes(call, lpFileName.as_deref(), dwFileAttributes)
}

/// DeleteFileA(lpFileName): a directory or a read-only file is ERROR_ACCESS_DENIED, a file
/// open without FILE_SHARE_DELETE ERROR_SHARING_VIOLATION.
#[export]
fn DeleteFileA(call: &mut ApiCall<'_>, lpFileName: Option<AnsiStr>) -> ApiReturn {
    delete_file(call, lpFileName.as_deref())
}

/// DeleteFileW(lpFileName).
#[export]
fn DeleteFileW(call: &mut ApiCall<'_>, lpFileName: Option<WideStr>) -> ApiReturn {
    delete_file(call, lpFileName.as_deref())
}

fn delete_file(call: &mut ApiCall<'_>, name: Option<&str>) -> ApiReturn {
    let r = path_argument(call, name).and_then(|name| {
        let (volume, at, node) = existing(call, name)?;
        if node.is_dir() || node.read_only {
            return Err(Win32Error::ACCESS_DENIED);
        }
        call.state.k32().files.check_share(
            node.id,
            DELETE_RIGHT,
            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
        )?;
        match call.state.k32().files.nodes.existing(node.id) {
            // An open file goes when its last open closes; until then its name stays, and
            // opening it is STATUS_DELETE_PENDING.
            Some(shared) => {
                if shared.delete_pending() || shared.sections().1 > 0 {
                    return Err(Win32Error::ACCESS_DENIED);
                }
                shared.set_delete_pending(volume.parent_of(&at)?, at.name.clone());
            }
            None => volume.remove_file(&at)?,
        }
        Ok(1)
    });
    super::change::touched(call);
    done(call, r, 0)
}

/// MoveFileA(lpExistingFileName, lpNewFileName): files and directories, on one drive; an
/// existing target is ERROR_ALREADY_EXISTS (a change of case only is allowed).
#[export]
fn MoveFileA(
    call: &mut ApiCall<'_>,
    lpExistingFileName: Option<AnsiStr>,
    lpNewFileName: Option<AnsiStr>,
) -> ApiReturn {
    move_file(
        call,
        lpExistingFileName.as_deref(),
        lpNewFileName.as_deref(),
        0,
    )
}

/// MoveFileW(lpExistingFileName, lpNewFileName).
#[export]
fn MoveFileW(
    call: &mut ApiCall<'_>,
    lpExistingFileName: Option<WideStr>,
    lpNewFileName: Option<WideStr>,
) -> ApiReturn {
    move_file(
        call,
        lpExistingFileName.as_deref(),
        lpNewFileName.as_deref(),
        0,
    )
}

/// MOVEFILE_REPLACE_EXISTING.
const MOVEFILE_REPLACE_EXISTING: u32 = 0x1;
/// MOVEFILE_COPY_ALLOWED.
const MOVEFILE_COPY_ALLOWED: u32 = 0x2;
/// MOVEFILE_DELAY_UNTIL_REBOOT.
const MOVEFILE_DELAY_UNTIL_REBOOT: u32 = 0x4;
/// MOVEFILE_WRITE_THROUGH.
const MOVEFILE_WRITE_THROUGH: u32 = 0x8;
/// ERROR_NOT_SAME_DEVICE.
const ERROR_NOT_SAME_DEVICE: Win32Error = Win32Error(17);

/// MoveFileExA(lpExistingFileName, lpNewFileName, dwFlags): REPLACE_EXISTING replaces a
/// file (never a directory); a move to another drive is ERROR_NOT_SAME_DEVICE unless
/// COPY_ALLOWED; DELAY_UNTIL_REBOOT is refused (ntemu's machine does not reboot).
#[export]
fn MoveFileExA(
    call: &mut ApiCall<'_>,
    lpExistingFileName: Option<AnsiStr>,
    lpNewFileName: Option<AnsiStr>,
    dwFlags: u32,
) -> ApiReturn {
    move_file(
        call,
        lpExistingFileName.as_deref(),
        lpNewFileName.as_deref(),
        dwFlags,
    )
}

/// MoveFileExW(lpExistingFileName, lpNewFileName, dwFlags).
#[export]
fn MoveFileExW(
    call: &mut ApiCall<'_>,
    lpExistingFileName: Option<WideStr>,
    lpNewFileName: Option<WideStr>,
    dwFlags: u32,
) -> ApiReturn {
    move_file(
        call,
        lpExistingFileName.as_deref(),
        lpNewFileName.as_deref(),
        dwFlags,
    )
}

pub(crate) fn move_file(
    call: &mut ApiCall<'_>,
    from: Option<&str>,
    to: Option<&str>,
    flags: u32,
) -> ApiReturn {
    let r = (|| {
        let from = path_argument(call, from)?;
        let to = path_argument(call, to)?;
        move_core(call, from, to, flags, None)
    })();
    super::change::touched(call);
    done(call, r, 0)
}

/// MoveFileEx for Rust callers: the same checks and errors.
pub(crate) fn move_named(
    call: &mut ApiCall<'_>,
    from: &str,
    to: &str,
    flags: u32,
) -> Result<u32, Win32Error> {
    let from = path_argument(call, Some(from))?;
    let to = path_argument(call, Some(to))?;
    move_core(call, from, to, flags, None)
}

/// ERROR_SHARING_VIOLATION when an open of file `id` for `access` sharing `share` would
/// conflict with the opens already on it.
pub(crate) fn check_share_of(
    call: &mut ApiCall<'_>,
    id: (u64, u64),
    access: u32,
    share: u32,
) -> Result<(), Win32Error> {
    call.state.k32().files.check_share(id, access, share)
}

/// Renames the file an open names (NtSetInformationFile's FileRenameInformation): its own
/// open does not count against the share check.
pub(crate) fn rename_open_file(
    call: &mut ApiCall<'_>,
    disk: &DiskFile,
    from: &FullPath,
    to: &FullPath,
    replace: bool,
) -> Result<(), Win32Error> {
    let flags = if replace {
        MOVEFILE_REPLACE_EXISTING
    } else {
        0
    };
    move_core(
        call,
        &from.display(),
        &to.display(),
        flags,
        Some(disk.owner()),
    )
    .map(drop)
}

/// MoveFileEx's work, the open `except` (if any) left out of the share check.
fn move_core(
    call: &mut ApiCall<'_>,
    from: &str,
    to: &str,
    flags: u32,
    except: Option<u64>,
) -> Result<u32, Win32Error> {
    {
        let known = MOVEFILE_REPLACE_EXISTING
            | MOVEFILE_COPY_ALLOWED
            | MOVEFILE_DELAY_UNTIL_REBOOT
            | MOVEFILE_WRITE_THROUGH;
        if flags & !known != 0 || flags & MOVEFILE_DELAY_UNTIL_REBOOT != 0 {
            return Err(Win32Error::INVALID_PARAMETER);
        }
        let (volume, src, node) = existing(call, from)?;
        if src.is_root() {
            return Err(Win32Error::ACCESS_DENIED);
        }
        if call
            .state
            .k32()
            .files
            .nodes
            .existing(node.id)
            .is_some_and(|n| n.delete_pending())
        {
            return Err(Win32Error::ACCESS_DENIED);
        }
        let to_full = full(call, to)?;
        if to_full.has_wildcards() {
            return Err(Win32Error::INVALID_NAME);
        }
        if matches!(to_full, FullPath::Device { .. }) {
            return Err(Win32Error::ACCESS_DENIED);
        }
        let (target_volume, dst) = resolve(call, &to_full)?;
        if !Arc::ptr_eq(&volume, &target_volume) {
            // NT copies and deletes with COPY_ALLOWED; ntemu's drives are separate host
            // directories, so the copy is left to CopyFile.
            return Err(ERROR_NOT_SAME_DEVICE);
        }
        let mut replace = false;
        if let Some(existing) = dst.node {
            if existing.id == node.id {
                // The same entry under another case: renamed to the guest's spelling below.
            } else if flags & MOVEFILE_REPLACE_EXISTING == 0 {
                return Err(Win32Error::ALREADY_EXISTS);
            } else if existing.is_dir()
                || existing.read_only
                || call.state.k32().files.is_open(existing.id)
            {
                // NT replaces neither a directory nor a read-only or open file.
                return Err(Win32Error::ACCESS_DENIED);
            } else {
                replace = true;
            }
        }
        let dst = match (&to_full, dst.node) {
            (FullPath::Drive { components, .. }, Some(n)) if n.id == node.id => {
                // Keep the guest's new spelling of the last component.
                let last = components.last().ok_or(Win32Error::ACCESS_DENIED)?;
                Located {
                    rel: format!(
                        "{}{}{}",
                        dst.parent_rel(),
                        if dst.parent_rel().is_empty() { "" } else { "/" },
                        last
                    ),
                    name: last.clone(),
                    node: None,
                }
            }
            _ => dst,
        };
        if dst.rel == src.rel {
            return Ok(1);
        }
        call.state.k32().files.check_share_except(
            node.id,
            DELETE_RIGHT,
            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
            except,
        )?;
        if dst.rel.starts_with(&format!("{}/", src.rel)) {
            return Err(Win32Error::SHARING_VIOLATION);
        }
        volume.rename(&src, &dst, replace)?;
        // A replaced file spelled otherwise: the name takes the guest's spelling.
        let spelled = match &to_full {
            FullPath::Drive { components, .. } => components.last().cloned(),
            _ => None,
        };
        let dst = match spelled {
            Some(last) if replace && last != dst.name => {
                let respelled = Located {
                    rel: format!(
                        "{}{}{}",
                        dst.parent_rel(),
                        if dst.parent_rel().is_empty() { "" } else { "/" },
                        last
                    ),
                    name: last,
                    node: None,
                };
                match volume.rename(&dst, &respelled, false) {
                    Ok(()) => respelled,
                    Err(_) => dst,
                }
            }
            _ => dst,
        };
        call.state.k32().files.renamed(&volume, node.id, &dst);
        Ok(1)
    }
}

/// The calling process's current directory as GetCurrentDirectory reports it.
fn cwd_display(call: &ApiCall<'_>) -> String {
    let cwd = current_directory(call);
    FullPath::Drive {
        drive: cwd.drive,
        components: cwd.components,
        trailing_separator: false,
    }
    .display()
}

/// Copies `text` and a NUL into a caller's buffer of wide characters: the length without
/// the NUL, or (buffer too small) the size needed with it, in characters.
pub(crate) fn copy_wide_string_out(
    call: &mut ApiCall<'_>,
    out: OutBuf<u16>,
    text: &[u16],
) -> ApiReturn {
    let needed = text.len() as u32 + 1;
    if out.capacity < needed {
        return ApiReturn::Value(needed);
    }
    let mut bytes: Vec<u8> = text.iter().flat_map(|u| u.to_le_bytes()).collect();
    bytes.extend_from_slice(&[0, 0]);
    match call.write_bytes(out.ptr, &bytes) {
        Ok(()) => ApiReturn::Value(text.len() as u32),
        Err(_) => bad_pointer(call),
    }
}

/// Copies `text` and a NUL into a caller's buffer of `capacity` bytes: the length without
/// the NUL, or (buffer too small) the size needed with it.
pub(crate) fn copy_string_out(
    call: &mut ApiCall<'_>,
    out: u32,
    capacity: u32,
    text: &[u8],
) -> ApiReturn {
    let needed = text.len() as u32 + 1;
    if capacity < needed {
        return ApiReturn::Value(needed);
    }
    let mut bytes = text.to_vec();
    bytes.push(0);
    match call.write_bytes(out, &bytes) {
        Ok(()) => ApiReturn::Value(text.len() as u32),
        Err(_) => bad_pointer(call),
    }
}

/// GetCurrentDirectoryA(nBufferLength, lpBuffer).
#[export]
fn GetCurrentDirectoryA(
    call: &mut ApiCall<'_>,
    nBufferLength: u32,
    #[size(nBufferLength)] lpBuffer: OutBuf<u8>,
) -> ApiReturn {
    let text = encode_ansi(&cwd_display(call)).unwrap_or_default();
    copy_string_out(call, lpBuffer.ptr, lpBuffer.capacity, &text)
}

/// GetCurrentDirectoryW(nBufferLength, lpBuffer), in characters.
#[export]
fn GetCurrentDirectoryW(
    call: &mut ApiCall<'_>,
    nBufferLength: u32,
    #[size(nBufferLength)] lpBuffer: OutBuf<u16>,
) -> ApiReturn {
    let text: Vec<u16> = cwd_display(call).encode_utf16().collect();
    copy_wide_string_out(call, lpBuffer, &text)
}

/// SetCurrentDirectoryA(lpPathName): an existing directory of drive C:.
#[export]
fn SetCurrentDirectoryA(call: &mut ApiCall<'_>, lpPathName: Option<AnsiStr>) -> ApiReturn {
    set_current_directory(call, lpPathName.as_deref())
}

/// SetCurrentDirectoryW(lpPathName).
#[export]
fn SetCurrentDirectoryW(call: &mut ApiCall<'_>, lpPathName: Option<WideStr>) -> ApiReturn {
    set_current_directory(call, lpPathName.as_deref())
}

fn set_current_directory(call: &mut ApiCall<'_>, name: Option<&str>) -> ApiReturn {
    let r = path_argument(call, name).and_then(|name| {
        let FullPath::Drive {
            drive, components, ..
        } = full(call, name)?
        else {
            return Err(Win32Error::INVALID_NAME);
        };
        let (_, at) = locate(call, drive, &components)?;
        match at.node {
            Some(n) if n.is_dir() => {}
            Some(_) => return Err(ERROR_DIRECTORY),
            None => return Err(Win32Error::FILE_NOT_FOUND),
        }
        let pid = call.thread.process;
        let process = call.process_object().ok_or(Win32Error::INVALID_HANDLE)?;
        set_process_current_directory(call, pid, &process, CurrentDirectory { drive, components });
        Ok(1)
    });
    done(call, r, 0)
}

/// GetFullPathName's work: the full path of `name`, and where its last component starts
/// (in characters); ERROR_INVALID_NAME for what cannot be made full.
fn full_path_name(
    call: &mut ApiCall<'_>,
    name: Option<&str>,
) -> Result<(String, Option<usize>), Win32Error> {
    let name = path_argument(call, name)?;
    let f = full(call, name).map_err(|e| {
        if e == Win32Error::PATH_NOT_FOUND {
            Win32Error::INVALID_NAME
        } else {
            e
        }
    })?;
    let text = f.display();
    let part = match text.rfind('\\') {
        Some(i) if i + 1 < text.len() => Some(text[..=i].chars().count()),
        _ => None,
    };
    Ok((text, part))
}

/// GetFullPathNameA(lpFileName, nBufferLength, lpBuffer, lpFilePart).
#[export]
fn GetFullPathNameA(
    call: &mut ApiCall<'_>,
    lpFileName: Option<AnsiStr>,
    nBufferLength: u32,
    #[size(nBufferLength)] lpBuffer: OutBuf<u8>,
    lpFilePart: Ptr,
) -> ApiReturn {
    let (text, part) = match full_path_name(call, lpFileName.as_deref()) {
        Ok(t) => t,
        Err(e) => return fail(call, e, 0),
    };
    let Some(bytes) = encode_ansi(&text) else {
        return fail(call, Win32Error::INVALID_NAME, 0);
    };
    let r = copy_string_out(call, lpBuffer.ptr, lpBuffer.capacity, &bytes);
    if let ApiReturn::Value(n) = r
        && n == bytes.len() as u32
        && !lpFilePart.is_null()
    {
        // Characters of code page 1252 are one byte each.
        let at = part.map_or(0, |p| lpBuffer.ptr.wrapping_add(p as u32));
        if call.write_u32(lpFilePart.0, at).is_err() {
            return bad_pointer(call);
        }
    }
    r
}

/// GetFullPathNameW(lpFileName, nBufferLength, lpBuffer, lpFilePart), in characters.
#[export]
fn GetFullPathNameW(
    call: &mut ApiCall<'_>,
    lpFileName: Option<WideStr>,
    nBufferLength: u32,
    #[size(nBufferLength)] lpBuffer: OutBuf<u16>,
    lpFilePart: Ptr,
) -> ApiReturn {
    let (text, part) = match full_path_name(call, lpFileName.as_deref()) {
        Ok(t) => t,
        Err(e) => return fail(call, e, 0),
    };
    let units: Vec<u16> = text.encode_utf16().collect();
    let r = copy_wide_string_out(call, lpBuffer, &units);
    if let ApiReturn::Value(n) = r
        && n == units.len() as u32
        && !lpFilePart.is_null()
    {
        let at = part.map_or(0, |p| {
            let before = text.chars().take(p).map(char::len_utf16).sum::<usize>();
            lpBuffer.ptr.wrapping_add(2 * before as u32)
        });
        if call.write_u32(lpFilePart.0, at).is_err() {
            return bad_pointer(call);
        }
    }
    r
}

/// CreateDirectoryA(lpPathName, lpSecurityAttributes).
#[export]
fn CreateDirectoryA(
    call: &mut ApiCall<'_>,
    lpPathName: Option<AnsiStr>,
    lpSecurityAttributes: Ptr,
) -> ApiReturn {
    let _ = lpSecurityAttributes;
    create_directory(call, lpPathName.as_deref())
}

/// CreateDirectoryW(lpPathName, lpSecurityAttributes).
#[export]
fn CreateDirectoryW(
    call: &mut ApiCall<'_>,
    lpPathName: Option<WideStr>,
    lpSecurityAttributes: Ptr,
) -> ApiReturn {
    let _ = lpSecurityAttributes;
    create_directory(call, lpPathName.as_deref())
}

fn create_directory(call: &mut ApiCall<'_>, name: Option<&str>) -> ApiReturn {
    let r = path_argument(call, name).and_then(|name| {
        let f = full(call, name)?;
        if matches!(f, FullPath::Device { .. }) {
            return Err(Win32Error::ACCESS_DENIED);
        }
        let (volume, at) = resolve(call, &f)?;
        if at.node.is_some() {
            return Err(Win32Error::ALREADY_EXISTS);
        }
        if at.is_root() {
            return Err(Win32Error::ACCESS_DENIED);
        }
        volume.make_directory(&at)?;
        Ok(1)
    });
    super::change::touched(call);
    done(call, r, 0)
}

/// RemoveDirectoryA(lpPathName): an empty directory that is not a process's current one.
#[export]
fn RemoveDirectoryA(call: &mut ApiCall<'_>, lpPathName: Option<AnsiStr>) -> ApiReturn {
    remove_directory(call, lpPathName.as_deref())
}

/// RemoveDirectoryW(lpPathName).
#[export]
fn RemoveDirectoryW(call: &mut ApiCall<'_>, lpPathName: Option<WideStr>) -> ApiReturn {
    remove_directory(call, lpPathName.as_deref())
}

fn remove_directory(call: &mut ApiCall<'_>, name: Option<&str>) -> ApiReturn {
    let r = path_argument(call, name).and_then(|name| {
        let (volume, at, node) = existing(call, name)?;
        if !node.is_dir() {
            return Err(ERROR_DIRECTORY);
        }
        if at.is_root() {
            return Err(Win32Error::ACCESS_DENIED);
        }
        // The process holds its current directory open without FILE_SHARE_DELETE.
        let cwd = current_directory(call);
        if cwd.drive == volume.letter
            && let Ok(c) = volume.locate(&cwd.components)
            && c.node.is_some_and(|n| n.id == node.id)
        {
            return Err(Win32Error::SHARING_VIOLATION);
        }
        call.state.k32().files.check_share(
            node.id,
            DELETE_RIGHT,
            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
        )?;
        volume.remove_directory(&at)?;
        Ok(1)
    });
    super::change::touched(call);
    done(call, r, 0)
}

/// A time in nanoseconds since 1970 as a FILETIME.
pub(crate) fn filetime(nanos: i128) -> u64 {
    let ticks = i128::from(FILETIME_UNIX_EPOCH) + nanos.div_euclid(100);
    ticks.clamp(0, i128::from(i64::MAX)) as u64
}

/// The three FILETIMEs of a node: creation (the earlier of change and write), last access,
/// last write.
pub(crate) fn times_of(node: &Node) -> [u64; 3] {
    let written = filetime(node.written);
    [
        filetime(node.changed).min(written),
        filetime(node.accessed),
        written,
    ]
}

/// The fields WIN32_FIND_DATAA and WIN32_FIND_DATAW share: attributes, three times, size,
/// two reserved words.
fn find_header(entry: &FoundEntry) -> Vec<u8> {
    let mut r = Vec::with_capacity(FIND_DATA_W_SIZE);
    r.extend_from_slice(&entry.attributes().to_le_bytes());
    for t in entry.times() {
        r.extend_from_slice(&t.to_le_bytes());
    }
    let size = entry.size();
    r.extend_from_slice(&((size >> 32) as u32).to_le_bytes());
    r.extend_from_slice(&(size as u32).to_le_bytes());
    r.extend_from_slice(&[0; 8]);
    r
}

/// A WIN32_FIND_DATAA record (cFileName, then the 14 characters of cAlternateFileName);
/// None for a name code page 1252 cannot spell.
fn find_record_a(entry: &FoundEntry) -> Option<Vec<u8>> {
    let ansi = encode_ansi(&entry.name)?;
    if ansi.len() >= MAX_PATH {
        return None;
    }
    let mut r = find_header(entry);
    let mut file_name = [0u8; MAX_PATH];
    file_name[..ansi.len()].copy_from_slice(&ansi);
    r.extend_from_slice(&file_name);
    let short = entry.short.as_bytes();
    let mut alternate = [0u8; 14];
    alternate[..short.len().min(13)].copy_from_slice(&short[..short.len().min(13)]);
    r.extend_from_slice(&alternate);
    r.resize(FIND_DATA_SIZE, 0);
    Some(r)
}

/// A WIN32_FIND_DATAW record; None for a name longer than MAX_PATH - 1 characters.
fn find_record_w(entry: &FoundEntry) -> Option<Vec<u8>> {
    let units: Vec<u16> = entry.name.encode_utf16().collect();
    if units.len() >= MAX_PATH {
        return None;
    }
    let mut r = find_header(entry);
    let mut file_name = [0u8; 2 * MAX_PATH];
    for (i, u) in units.iter().enumerate() {
        file_name[2 * i..2 * i + 2].copy_from_slice(&u.to_le_bytes());
    }
    r.extend_from_slice(&file_name);
    let mut alternate = [0u8; 28];
    for (i, u) in entry.short.encode_utf16().take(13).enumerate() {
        alternate[2 * i..2 * i + 2].copy_from_slice(&u.to_le_bytes());
    }
    r.extend_from_slice(&alternate);
    r.resize(FIND_DATA_W_SIZE, 0);
    Some(r)
}

/// The entries a search pattern finds ([`crate::findfile::search`]).
fn search(call: &ApiCall<'_>, pattern: &str) -> Result<VecDeque<FoundEntry>, Win32Error> {
    crate::findfile::search(call, pattern, false)
}

/// Writes the next entry of a search the record kind can spell (skipping others); false
/// when there is none.
fn next_record(
    call: &mut ApiCall<'_>,
    entries: &mut VecDeque<FoundEntry>,
    out: u32,
    wide: bool,
) -> Result<bool, Win32Error> {
    while let Some(entry) = entries.pop_front() {
        let record = if wide {
            find_record_w(&entry)
        } else {
            find_record_a(&entry)
        };
        if let Some(record) = record {
            call.write_bytes(out, &record)
                .map_err(|_| Win32Error::NOACCESS)?;
            return Ok(true);
        }
    }
    Ok(false)
}

pub(crate) fn find_first_file(
    call: &mut ApiCall<'_>,
    name: Option<&str>,
    out: Ptr,
    wide: bool,
) -> ApiReturn {
    let r = path_argument(call, name).and_then(|name| {
        let size = if wide {
            FIND_DATA_W_SIZE
        } else {
            FIND_DATA_SIZE
        };
        call.probe_write(out.0, size)
            .map_err(|_| Win32Error::NOACCESS)?;
        let mut entries = search(call, name)?;
        if !next_record(call, &mut entries, out.0, wide)? {
            return Err(Win32Error::FILE_NOT_FOUND);
        }
        let payload = FindSearch {
            entries: Mutex::new(entries),
        };
        create_object(call, Box::new(payload), AccessMask(0), false).map(|(h, _)| h.0)
    });
    done(call, r, INVALID_HANDLE_VALUE)
}

/// FindFirstFileA(lpFileName, lpFindFileData): a search handle and the first match.
#[export(failure = INVALID_HANDLE_VALUE)]
fn FindFirstFileA(
    call: &mut ApiCall<'_>,
    lpFileName: Option<AnsiStr>,
    lpFindFileData: Ptr,
) -> ApiReturn {
    find_first_file(call, lpFileName.as_deref(), lpFindFileData, false)
}

/// FindFirstFileW(lpFileName, lpFindFileData).
#[export(failure = INVALID_HANDLE_VALUE)]
fn FindFirstFileW(
    call: &mut ApiCall<'_>,
    lpFileName: Option<WideStr>,
    lpFindFileData: Ptr,
) -> ApiReturn {
    find_first_file(call, lpFileName.as_deref(), lpFindFileData, true)
}

fn find_next_file(call: &mut ApiCall<'_>, handle: Handle, out: Ptr, wide: bool) -> ApiReturn {
    let r = (|| {
        let object = call
            .reference(handle, AccessMask(0), Some(ObjectType::File))
            .map_err(|_| Win32Error::INVALID_HANDLE)?;
        let search = object
            .payload::<FindSearch>()
            .ok_or(Win32Error::INVALID_HANDLE)?;
        let size = if wide {
            FIND_DATA_W_SIZE
        } else {
            FIND_DATA_SIZE
        };
        call.probe_write(out.0, size)
            .map_err(|_| Win32Error::NOACCESS)?;
        let mut entries = std::mem::take(&mut *search.entries.lock());
        let found = next_record(call, &mut entries, out.0, wide);
        *search.entries.lock() = entries;
        if found? {
            Ok(1)
        } else {
            Err(ERROR_NO_MORE_FILES)
        }
    })();
    done(call, r, 0)
}

/// FindNextFileA(hFindFile, lpFindFileData): ERROR_NO_MORE_FILES at the end.
#[export]
fn FindNextFileA(call: &mut ApiCall<'_>, hFindFile: Handle, lpFindFileData: Ptr) -> ApiReturn {
    find_next_file(call, hFindFile, lpFindFileData, false)
}

/// FindNextFileW(hFindFile, lpFindFileData).
#[export]
fn FindNextFileW(call: &mut ApiCall<'_>, hFindFile: Handle, lpFindFileData: Ptr) -> ApiReturn {
    find_next_file(call, hFindFile, lpFindFileData, true)
}

/// FindClose(hFindFile).
#[export]
fn FindClose(call: &mut ApiCall<'_>, hFindFile: Handle) -> ApiReturn {
    let handle = hFindFile;
    let r = (|| {
        let object = call
            .reference(handle, AccessMask(0), Some(ObjectType::File))
            .map_err(|_| Win32Error::INVALID_HANDLE)?;
        if object.payload::<FindSearch>().is_none() {
            return Err(Win32Error::INVALID_HANDLE);
        }
        call.close_handle(handle)
            .map_err(|e: ObjectError| e.win32_error())?;
        Ok(1)
    })();
    done(call, r, 0)
}

/// SetStdHandle(nStdHandle, hHandle): what GetStdHandle gives from now on.
#[export]
fn SetStdHandle(call: &mut ApiCall<'_>, nStdHandle: u32, hHandle: Handle) -> ApiReturn {
    let handle = hHandle;
    let index = match nStdHandle {
        super::STD_INPUT_HANDLE => 0,
        super::STD_OUTPUT_HANDLE => 1,
        super::STD_ERROR_HANDLE => 2,
        _ => return fail(call, Win32Error::INVALID_HANDLE, 0),
    };
    if let Err(e) = super::std_handle(call, index) {
        return fail(call, e.win32_error(), 0);
    }
    let pid = call.thread.process;
    let Some(process) = call.process_object() else {
        return fail(call, Win32Error::INVALID_HANDLE, 0);
    };
    let Some(mut handles) = call.state.k32().std_handles.get(pid, &process).copied() else {
        return fail(call, Win32Error::INVALID_HANDLE, 0);
    };
    handles[index] = handle;
    call.state.k32().std_handles.insert(pid, &process, handles);
    ApiReturn::Value(1)
}

/// The most bytes an image file may have: 1 GiB.
pub const MAX_IMAGE_SIZE: u64 = 1 << 30;

/// Reads the image file guest path `name` names (relative to the calling process's current
/// directory): its full guest path and its bytes. ERROR_BAD_EXE_FORMAT for one larger than
/// [`MAX_IMAGE_SIZE`].
pub(crate) fn read_image(call: &ApiCall<'_>, name: &str) -> Result<(String, Vec<u8>), Win32Error> {
    let f = full(call, name)?;
    let (volume, at) = resolve(call, &f)?;
    match at.node {
        Some(node) if node.is_dir() => return Err(Win32Error::ACCESS_DENIED),
        Some(node) if node.size > MAX_IMAGE_SIZE => return Err(Win32Error::BAD_EXE_FORMAT),
        Some(_) => {}
        None => return Err(Win32Error::FILE_NOT_FOUND),
    }
    let opened = volume.open(
        &at,
        OpenHow {
            read: true,
            write: false,
            create: false,
            exclusive: false,
            truncate: false,
            directory: false,
        },
    )?;
    let mut bytes = Vec::new();
    (&opened.file)
        .take(MAX_IMAGE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(&e))?;
    if bytes.len() as u64 > MAX_IMAGE_SIZE {
        return Err(Win32Error::BAD_EXE_FORMAT);
    }
    Ok((f.display(), bytes))
}

/// Finds the program CreateProcess starts. `search`: the name comes from the command line,
/// so `.exe` is added when the file name has no extension and a bare name is looked for, in
/// NT's order, in the folder of the caller's image, the caller's current directory,
/// `C:\WINNT\system32`, `C:\WINNT` and the directories of the caller's PATH. Otherwise
/// (lpApplicationName) the name is taken as given, relative to the current directory.
pub(crate) fn find_image(
    call: &ApiCall<'_>,
    name: &str,
    search: bool,
    image_folder: Option<&str>,
    path_variable: Option<&str>,
) -> Result<(String, Vec<u8>), Win32Error> {
    if !search {
        return read_image(call, name);
    }
    let file_part = name.rsplit(['\\', '/']).next().unwrap_or(name);
    let name = if file_part.contains('.') {
        name.to_string()
    } else {
        format!("{name}.exe")
    };
    let bare = !name.contains(['\\', '/', ':']);
    if !bare {
        return read_image(call, &name);
    }
    let mut folders: Vec<String> = Vec::new();
    folders.extend(image_folder.map(str::to_string));
    folders.push(String::new()); // the current directory
    folders.push("C:\\WINNT\\system32".to_string());
    folders.push("C:\\WINNT".to_string());
    folders.extend(
        path_variable
            .unwrap_or_default()
            .split(';')
            .filter(|p| !p.trim().is_empty())
            .map(|p| p.trim().to_string()),
    );
    let mut first_error = Win32Error::FILE_NOT_FOUND;
    for folder in folders {
        let candidate = if folder.is_empty() {
            name.clone()
        } else {
            format!("{}\\{name}", folder.trim_end_matches('\\'))
        };
        match read_image(call, &candidate) {
            Ok(found) => return Ok(found),
            Err(Win32Error::FILE_NOT_FOUND | Win32Error::PATH_NOT_FOUND) => {}
            Err(e) => {
                if first_error == Win32Error::FILE_NOT_FOUND {
                    first_error = e;
                }
            }
        }
    }
    Err(first_error)
}

/// GetTempFileName's work: the name `path\PREFUUUU.TMP` (three characters of the prefix,
/// the number in upper-case hex). With `unique` 0 the numbers from one drawn from the
/// clock are tried until CREATE_NEW makes a new empty file of that name; otherwise the
/// name is only formed. Returns the name and the number.
fn temp_file_name(
    call: &mut ApiCall<'_>,
    path: Option<&str>,
    prefix: Option<&str>,
    unique: u32,
) -> Result<(String, u32), Win32Error> {
    let path = path_argument(call, path)?;
    let prefix: String = prefix.unwrap_or("").chars().take(3).collect();
    let dir = path.trim_end_matches(['\\', '/']);
    let name_of = |n: u32| format!("{dir}\\{prefix}{n:X}.TMP");
    let unique = unique & 0xFFFF;
    if unique != 0 {
        return Ok((name_of(unique), unique));
    }
    // The directory must exist.
    match full(call, path)? {
        FullPath::Drive {
            drive, components, ..
        } => match locate(call, drive, &components)?.1.node {
            Some(n) if n.is_dir() => {}
            _ => return Err(ERROR_DIRECTORY),
        },
        _ => return Err(ERROR_DIRECTORY),
    }
    let start = ((call.machine.clock().now_ms() as u32) & 0xFFFF).max(1);
    let mut n = start;
    loop {
        let name = name_of(n);
        if name.chars().count() > MAX_PATH {
            return Err(ERROR_FILENAME_EXCED_RANGE);
        }
        match create_file(call, &name, 0x4000_0000, 0, CREATE_NEW, 0x80, false) {
            Ok(handle) => {
                if let Some(p) = call.process_mut() {
                    let _ = p.handle_table_mut().close(handle);
                }
                return Ok((name, n));
            }
            Err(ERROR_FILE_EXISTS) | Err(Win32Error::ALREADY_EXISTS) => {}
            Err(e) => return Err(e),
        }
        n = if n == 0xFFFF { 1 } else { n + 1 };
        if n == start {
            return Err(ERROR_FILE_EXISTS);
        }
    }
}

/// GetTempFileNameA(lpPathName, lpPrefixString, uUnique, lpTempFileName): the number in the
/// name, which is written to lpTempFileName (MAX_PATH characters); 0 with the last error
/// on failure.
#[export]
fn GetTempFileNameA(
    call: &mut ApiCall<'_>,
    lpPathName: Option<AnsiStr>,
    lpPrefixString: Option<AnsiStr>,
    uUnique: u32,
    lpTempFileName: Ptr,
) -> ApiReturn {
    match temp_file_name(
        call,
        lpPathName.as_deref(),
        lpPrefixString.as_deref(),
        uUnique,
    ) {
        Ok((name, n)) => {
            let mut bytes = encode_ansi(&name).unwrap_or_default();
            bytes.push(0);
            match call.write_bytes(lpTempFileName.0, &bytes) {
                Ok(()) => ApiReturn::Value(n),
                Err(_) => bad_pointer(call),
            }
        }
        Err(e) => fail(call, e, 0),
    }
}

/// GetTempFileNameW(lpPathName, lpPrefixString, uUnique, lpTempFileName).
#[export]
fn GetTempFileNameW(
    call: &mut ApiCall<'_>,
    lpPathName: Option<WideStr>,
    lpPrefixString: Option<WideStr>,
    uUnique: u32,
    lpTempFileName: Ptr,
) -> ApiReturn {
    match temp_file_name(
        call,
        lpPathName.as_deref(),
        lpPrefixString.as_deref(),
        uUnique,
    ) {
        Ok((name, n)) => {
            let mut bytes: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
            bytes.extend_from_slice(&[0, 0]);
            match call.write_bytes(lpTempFileName.0, &bytes) {
                Ok(()) => ApiReturn::Value(n),
                Err(_) => bad_pointer(call),
            }
        }
        Err(e) => fail(call, e, 0),
    }
}

/// FILE_WRITE_ATTRIBUTES: what SetFileTime needs.
const FILE_WRITE_ATTRIBUTES: u32 = 0x100;

/// What a disk file handle's file is now (a fresh look at the open file), with its drive's
/// serial number.
fn disk_node(call: &ApiCall<'_>, handle: Handle, need: u32) -> Result<(Node, u32), Win32Error> {
    let (object, _) = file_object(call, handle, need)?;
    let disk = object
        .payload::<DiskFile>()
        .ok_or(Win32Error::INVALID_HANDLE)?;
    let inner = disk.inner.lock();
    let open = inner
        .file
        .as_ref()
        .or(inner.directory.as_ref())
        .ok_or(Win32Error::INVALID_HANDLE)?;
    let node = volume::node_of_file(open).ok_or(Win32Error::ACCESS_DENIED)?;
    Ok((node, inner.volume_serial))
}

/// GetFileInformationByHandle(hFile, lpFileInformation): BY_HANDLE_FILE_INFORMATION
/// (attributes, the three times, the drive's serial number, size, links, and the file
/// index, which is the host inode number: unique on its drive, as NT's is).
#[export]
fn GetFileInformationByHandle(
    call: &mut ApiCall<'_>,
    hFile: Handle,
    lpFileInformation: Ptr,
) -> ApiReturn {
    let r = disk_node(call, hFile, 0).and_then(|(node, serial)| {
        let mut b = Vec::with_capacity(52);
        b.extend_from_slice(&attributes_of(&node).to_le_bytes());
        for t in times_of(&node) {
            b.extend_from_slice(&t.to_le_bytes());
        }
        b.extend_from_slice(&serial.to_le_bytes());
        b.extend_from_slice(&((node.size >> 32) as u32).to_le_bytes());
        b.extend_from_slice(&(node.size as u32).to_le_bytes());
        b.extend_from_slice(&(node.links.min(u64::from(u32::MAX)) as u32).to_le_bytes());
        b.extend_from_slice(&((node.id.1 >> 32) as u32).to_le_bytes());
        b.extend_from_slice(&(node.id.1 as u32).to_le_bytes());
        call.write_bytes(lpFileInformation.0, &b)
            .map_err(|_| Win32Error::NOACCESS)?;
        Ok(1)
    });
    done(call, r, 0)
}

/// GetFileTime(hFile, lpCreationTime, lpLastAccessTime, lpLastWriteTime): each FILETIME
/// through its pointer when that is not NULL.
#[export]
fn GetFileTime(
    call: &mut ApiCall<'_>,
    hFile: Handle,
    lpCreationTime: Ptr,
    lpLastAccessTime: Ptr,
    lpLastWriteTime: Ptr,
) -> ApiReturn {
    let r = disk_node(call, hFile, 0).and_then(|(node, _)| {
        for (ptr, t) in [lpCreationTime, lpLastAccessTime, lpLastWriteTime]
            .into_iter()
            .zip(times_of(&node))
        {
            if !ptr.is_null() {
                call.write_bytes(ptr.0, &t.to_le_bytes())
                    .map_err(|_| Win32Error::NOACCESS)?;
            }
        }
        Ok(1)
    });
    done(call, r, 0)
}

/// A FILETIME argument: None for NULL, or for all zero (as NT takes it: left as it is) and
/// all ones (no time a file can hold: left as it is, as NtSetInformationFile's
/// FileBasicInformation takes it).
fn read_filetime(call: &ApiCall<'_>, ptr: Ptr) -> Result<Option<u64>, Win32Error> {
    if ptr.is_null() {
        return Ok(None);
    }
    let lo = call.read_u32(ptr.0).map_err(|_| Win32Error::NOACCESS)?;
    let hi = call
        .read_u32(ptr.0.wrapping_add(4))
        .map_err(|_| Win32Error::NOACCESS)?;
    let t = u64::from(hi) << 32 | u64::from(lo);
    Ok((t != 0 && t != u64::MAX).then_some(t))
}

/// SetFileTime(hFile, lpCreationTime, lpLastAccessTime, lpLastWriteTime): the last access
/// and last write times of a file or directory opened with FILE_WRITE_ATTRIBUTES; a host
/// file keeps no creation time, so that one is accepted and not kept.
#[export]
fn SetFileTime(
    call: &mut ApiCall<'_>,
    hFile: Handle,
    lpCreationTime: Ptr,
    lpLastAccessTime: Ptr,
    lpLastWriteTime: Ptr,
) -> ApiReturn {
    let r = (|| {
        let _ = read_filetime(call, lpCreationTime)?;
        let accessed = read_filetime(call, lpLastAccessTime)?;
        let written = read_filetime(call, lpLastWriteTime)?;
        let (object, _) = file_object(call, hFile, FILE_WRITE_ATTRIBUTES)?;
        let disk = object
            .payload::<DiskFile>()
            .ok_or(Win32Error::INVALID_HANDLE)?;
        let inner = disk.inner.lock();
        let open = inner
            .file
            .as_ref()
            .or(inner.directory.as_ref())
            .ok_or(Win32Error::INVALID_HANDLE)?;
        volume::set_times(open, accessed.map(unix_nanos), written.map(unix_nanos))?;
        Ok(1)
    })();
    done(call, r, 0)
}

/// A FILETIME as nanoseconds since 1970.
pub(crate) fn unix_nanos(filetime: u64) -> i128 {
    (i128::from(filetime) - i128::from(FILETIME_UNIX_EPOCH)) * 100
}

/// Marks a disk file handle's file for deletion when the handle closes (the handle needs
/// DELETE).
pub(crate) fn delete_on_close_handle(
    call: &mut ApiCall<'_>,
    handle: Handle,
) -> Result<(), Win32Error> {
    let (object, _) = file_object(call, handle, DELETE_RIGHT)?;
    let disk = object
        .payload::<DiskFile>()
        .ok_or(Win32Error::INVALID_HANDLE)?;
    let state = disk.state()?;
    let full = FullPath::Drive {
        drive: state.drive,
        components: state.path,
        trailing_separator: false,
    };
    let (volume, at) = resolve(call, &full)?;
    disk.set_delete_on_close(true, Some(volume.parent_of(&at)?))
}

/// GetShortPathName's work: the name of an existing file or directory with each component
/// that is not a legal 8.3 name replaced by its alias ([`crate::findfile`]); the name keeps
/// its form (relative stays relative), and `.`, `..` and the drive stay as written.
fn short_path(call: &mut ApiCall<'_>, name: Option<&str>) -> Result<String, Win32Error> {
    let name = path_argument(call, name)?;
    existing(call, name)?;
    let mut out = String::with_capacity(name.len());
    let mut consumed = String::with_capacity(name.len());
    let mut rest = name;
    while !rest.is_empty() {
        let end = rest.find(['\\', '/']).unwrap_or(rest.len());
        let (component, tail) = rest.split_at(end);
        let separator = tail.chars().next();
        consumed.push_str(component);
        let is_drive = component.len() == 2 && component.ends_with(':') && out.is_empty();
        if component.is_empty() || component == "." || component == ".." || is_drive {
            out.push_str(component);
        } else {
            let f = full(call, &consumed)?;
            let FullPath::Drive {
                drive,
                mut components,
                ..
            } = f
            else {
                return Ok(name.to_string());
            };
            let last = components.pop().unwrap_or_default();
            let (volume, dir) = locate(call, drive, &components)?;
            let at = volume.locate(&[components.clone(), vec![last]].concat())?;
            if at.node.is_none() {
                return Err(Win32Error::FILE_NOT_FOUND);
            }
            out.push_str(&crate::findfile::short_name_of(&volume, &dir, &at.name));
        }
        if let Some(sep) = separator {
            out.push(sep);
            consumed.push(sep);
            rest = &tail[sep.len_utf8()..];
        } else {
            rest = tail;
        }
    }
    Ok(out)
}

/// GetShortPathNameA(lpszLongPath, lpszShortPath, cchBuffer).
#[export]
fn GetShortPathNameA(
    call: &mut ApiCall<'_>,
    lpszLongPath: Option<AnsiStr>,
    #[size(cchBuffer)] lpszShortPath: OutBuf<u8>,
    cchBuffer: u32,
) -> ApiReturn {
    match short_path(call, lpszLongPath.as_deref()) {
        Ok(name) => {
            let bytes = encode_ansi(&name).unwrap_or_default();
            copy_string_out(call, lpszShortPath.ptr, lpszShortPath.capacity, &bytes)
        }
        Err(e) => fail(call, e, 0),
    }
}

/// GetShortPathNameW(lpszLongPath, lpszShortPath, cchBuffer).
#[export]
fn GetShortPathNameW(
    call: &mut ApiCall<'_>,
    lpszLongPath: Option<WideStr>,
    #[size(cchBuffer)] lpszShortPath: OutBuf<u16>,
    cchBuffer: u32,
) -> ApiReturn {
    match short_path(call, lpszLongPath.as_deref()) {
        Ok(name) => {
            let units: Vec<u16> = name.encode_utf16().collect();
            copy_wide_string_out(call, lpszShortPath, &units)
        }
        Err(e) => fail(call, e, 0),
    }
}

/// SearchPath's work: the full path of the first existing file `name` (with `extension`
/// added when its file name has none) in `path` (directories separated by `;`), or in NT's
/// order without one: the folder of the caller's image, the current directory,
/// `C:\WINNT\system32`, `C:\WINNT` and the PATH. A name with a folder in it is looked
/// for as it is.
pub(crate) fn search_path(
    call: &mut ApiCall<'_>,
    path: Option<&str>,
    name: Option<&str>,
    extension: Option<&str>,
) -> Result<String, Win32Error> {
    let name = path_argument(call, name)?;
    if name.is_empty() {
        return Err(Win32Error::INVALID_PARAMETER);
    }
    let file_part = name.rsplit(['\\', '/']).next().unwrap_or(name);
    let name = match extension {
        Some(ext) if !file_part.contains('.') => format!("{name}{ext}"),
        _ => name.to_string(),
    };
    let candidates: Vec<String> = if name.contains(['\\', '/', ':']) {
        vec![name.clone()]
    } else {
        let folders: Vec<String> = match path {
            Some(p) => p.split(';').map(str::to_string).collect(),
            None => {
                let mut f: Vec<String> = Vec::new();
                f.extend(
                    crate::own_image_path(call)
                        .and_then(|p| p.rsplit_once('\\').map(|(d, _)| d.to_string())),
                );
                f.push(String::new());
                f.push("C:\\WINNT\\system32".to_string());
                f.push("C:\\WINNT".to_string());
                if let Some(p) = super::environment::variable(call, "PATH") {
                    f.extend(p.split(';').map(str::to_string));
                }
                f
            }
        };
        folders
            .iter()
            .map(|d| d.trim())
            .map(|d| {
                if d.is_empty() {
                    name.clone()
                } else {
                    format!("{}\\{name}", d.trim_end_matches('\\'))
                }
            })
            .collect()
    };
    for candidate in candidates {
        let Ok(f) = full(call, &candidate) else {
            continue;
        };
        if let Ok((_, at)) = resolve(call, &f)
            && at.node.is_some_and(|n| !n.is_dir())
        {
            return Ok(f.display());
        }
    }
    Err(Win32Error::FILE_NOT_FOUND)
}

/// SearchPathA(lpPath, lpFileName, lpExtension, nBufferLength, lpBuffer, lpFilePart): the
/// length of the full path found (or the size needed with its NUL); 0 with
/// ERROR_FILE_NOT_FOUND when none is.
#[export]
fn SearchPathA(
    call: &mut ApiCall<'_>,
    lpPath: Option<AnsiStr>,
    lpFileName: Option<AnsiStr>,
    lpExtension: Option<AnsiStr>,
    nBufferLength: u32,
    #[size(nBufferLength)] lpBuffer: OutBuf<u8>,
    lpFilePart: Ptr,
) -> ApiReturn {
    let found = search_path(
        call,
        lpPath.as_deref(),
        lpFileName.as_deref(),
        lpExtension.as_deref(),
    );
    match found {
        Ok(text) => {
            let bytes = encode_ansi(&text).unwrap_or_default();
            let r = copy_string_out(call, lpBuffer.ptr, lpBuffer.capacity, &bytes);
            if let ApiReturn::Value(n) = r
                && n == bytes.len() as u32
                && !lpFilePart.is_null()
            {
                let at = bytes
                    .iter()
                    .rposition(|&b| b == b'\\')
                    .map_or(lpBuffer.ptr, |i| lpBuffer.ptr.wrapping_add(i as u32 + 1));
                if call.write_u32(lpFilePart.0, at).is_err() {
                    return bad_pointer(call);
                }
            }
            r
        }
        Err(e) => fail(call, e, 0),
    }
}

/// SearchPathW(lpPath, lpFileName, lpExtension, nBufferLength, lpBuffer, lpFilePart).
#[export]
fn SearchPathW(
    call: &mut ApiCall<'_>,
    lpPath: Option<WideStr>,
    lpFileName: Option<WideStr>,
    lpExtension: Option<WideStr>,
    nBufferLength: u32,
    #[size(nBufferLength)] lpBuffer: OutBuf<u16>,
    lpFilePart: Ptr,
) -> ApiReturn {
    let found = search_path(
        call,
        lpPath.as_deref(),
        lpFileName.as_deref(),
        lpExtension.as_deref(),
    );
    match found {
        Ok(text) => {
            let units: Vec<u16> = text.encode_utf16().collect();
            let r = copy_wide_string_out(call, lpBuffer, &units);
            if let ApiReturn::Value(n) = r
                && n == units.len() as u32
                && !lpFilePart.is_null()
            {
                let at = units
                    .iter()
                    .rposition(|&u| u == u16::from(b'\\'))
                    .map_or(lpBuffer.ptr, |i| {
                        lpBuffer.ptr.wrapping_add(2 * (i as u32 + 1))
                    });
                if call.write_u32(lpFilePart.0, at).is_err() {
                    return bad_pointer(call);
                }
            }
            r
        }
        Err(e) => fail(call, e, 0),
    }
}

// ---- KERNEL32's file calls for Rust callers (the C runtime's _stat, _unlink, _findfirst...),
// each the same code as the API it names, with the same checks and the same last error. ----

/// Ok with a successful call's value, or the error it failed with (its last error).
fn outcome(call: &ApiCall<'_>, r: ApiReturn, failed: u32) -> Result<u32, Win32Error> {
    match r {
        ApiReturn::Value(v) if v == failed => Err(Win32Error(call.last_error())),
        ApiReturn::Value(v) => Ok(v),
        _ => Err(Win32Error(call.last_error())),
    }
}

/// GetFileAttributesA for Rust callers: the attributes of `name`, or the error (also the
/// last error).
pub fn get_file_attributes_of(call: &mut ApiCall<'_>, name: &str) -> Result<u32, Win32Error> {
    let r = get_file_attributes(call, Some(name));
    outcome(call, r, INVALID_SET_FILE_POINTER)
}

/// SetFileAttributesA for Rust callers.
pub fn set_file_attributes_of(
    call: &mut ApiCall<'_>,
    name: &str,
    attributes: u32,
) -> Result<(), Win32Error> {
    let r = set_file_attributes(call, Some(name), attributes);
    outcome(call, r, 0).map(drop)
}

/// DeleteFileA for Rust callers.
pub fn delete_file_named(call: &mut ApiCall<'_>, name: &str) -> Result<(), Win32Error> {
    let r = delete_file(call, Some(name));
    outcome(call, r, 0).map(drop)
}

/// MoveFileA for Rust callers (an existing target is ERROR_ALREADY_EXISTS).
pub fn move_file_named(call: &mut ApiCall<'_>, from: &str, to: &str) -> Result<(), Win32Error> {
    let r = move_file(call, Some(from), Some(to), 0);
    outcome(call, r, 0).map(drop)
}

/// CreateDirectoryA (no security attributes) for Rust callers.
pub fn create_directory_named(call: &mut ApiCall<'_>, name: &str) -> Result<(), Win32Error> {
    let r = create_directory(call, Some(name));
    outcome(call, r, 0).map(drop)
}

/// RemoveDirectoryA for Rust callers.
pub fn remove_directory_named(call: &mut ApiCall<'_>, name: &str) -> Result<(), Win32Error> {
    let r = remove_directory(call, Some(name));
    outcome(call, r, 0).map(drop)
}

/// SetCurrentDirectoryA for Rust callers.
pub fn set_current_directory_named(call: &mut ApiCall<'_>, name: &str) -> Result<(), Win32Error> {
    let r = set_current_directory(call, Some(name));
    outcome(call, r, 0).map(drop)
}

/// GetCurrentDirectory for Rust callers: the calling process's current directory.
pub fn current_directory_name(call: &ApiCall<'_>) -> String {
    cwd_display(call)
}

/// GetFullPathNameA for Rust callers: the full path of `name` (ERROR_INVALID_NAME for what
/// cannot be made full).
pub fn full_path_name_of(call: &mut ApiCall<'_>, name: &str) -> Result<String, Win32Error> {
    match full_path_name(call, Some(name)) {
        Ok((text, _)) => Ok(text),
        Err(e) => {
            call.set_last_error(e.0);
            Err(e)
        }
    }
}

/// One entry FindFirstFile or FindNextFile found: the fields of WIN32_FIND_DATA.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindData {
    /// dwFileAttributes.
    pub attributes: u32,
    /// ftCreationTime, ftLastAccessTime and ftLastWriteTime (FILETIMEs, UTC).
    pub times: [u64; 3],
    /// nFileSizeHigh and nFileSizeLow.
    pub size: u64,
    /// cFileName.
    pub name: String,
}

/// The next entry of a search that the A (`wide` false: names code page 1252 spells, shorter
/// than MAX_PATH) or W record can hold; None at the end.
fn next_find_data(entries: &mut VecDeque<FoundEntry>, wide: bool) -> Option<FindData> {
    while let Some(entry) = entries.pop_front() {
        let fits = if wide {
            entry.name.encode_utf16().count() < MAX_PATH
        } else {
            encode_ansi(&entry.name).is_some_and(|a| a.len() < MAX_PATH)
        };
        if fits {
            return Some(FindData {
                attributes: entry.attributes(),
                times: entry.times(),
                size: entry.size(),
                name: entry.name,
            });
        }
    }
    None
}

/// FindFirstFileA (`wide` false) or FindFirstFileW for Rust callers: a search handle and
/// the first entry.
pub fn find_first_entry(
    call: &mut ApiCall<'_>,
    pattern: &str,
    wide: bool,
) -> Result<(Handle, FindData), Win32Error> {
    let r = (|| -> Result<(Handle, FindData), Win32Error> {
        let pattern = path_argument(call, Some(pattern))?;
        let mut entries = search(call, pattern)?;
        let first = next_find_data(&mut entries, wide).ok_or(Win32Error::FILE_NOT_FOUND)?;
        let payload = FindSearch {
            entries: Mutex::new(entries),
        };
        let (handle, _) = create_object(call, Box::new(payload), AccessMask(0), false)?;
        Ok((handle, first))
    })();
    if let Err(e) = &r {
        call.set_last_error(e.0);
    }
    r
}

/// FindNextFileA or FindNextFileW for Rust callers: ERROR_NO_MORE_FILES at the end,
/// ERROR_INVALID_HANDLE for a handle that is not a search.
pub fn find_next_entry(
    call: &mut ApiCall<'_>,
    handle: Handle,
    wide: bool,
) -> Result<FindData, Win32Error> {
    let r = (|| {
        let object = call
            .reference(handle, AccessMask(0), Some(ObjectType::File))
            .map_err(|_| Win32Error::INVALID_HANDLE)?;
        let search = object
            .payload::<FindSearch>()
            .ok_or(Win32Error::INVALID_HANDLE)?;
        let mut entries = search.entries.lock();
        next_find_data(&mut entries, wide).ok_or(ERROR_NO_MORE_FILES)
    })();
    if let Err(e) = &r {
        call.set_last_error(e.0);
    }
    r
}

/// FindClose for Rust callers.
pub fn find_close_handle(call: &mut ApiCall<'_>, handle: Handle) -> Result<(), Win32Error> {
    let r = (|| {
        let object = call
            .reference(handle, AccessMask(0), Some(ObjectType::File))
            .map_err(|_| Win32Error::INVALID_HANDLE)?;
        if object.payload::<FindSearch>().is_none() {
            return Err(Win32Error::INVALID_HANDLE);
        }
        call.process_mut()
            .ok_or(Win32Error::INVALID_HANDLE)?
            .handle_table_mut()
            .close(handle)
            .map_err(|e: ObjectError| e.win32_error())
    })();
    if let Err(e) = &r {
        call.set_last_error(e.0);
    }
    r
}

/// What GetFileInformationByHandle reports of a disk file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileInformation {
    /// dwFileAttributes.
    pub attributes: u32,
    /// ftCreationTime, ftLastAccessTime and ftLastWriteTime (FILETIMEs, UTC).
    pub times: [u64; 3],
    /// dwVolumeSerialNumber.
    pub volume_serial: u32,
    /// nFileSizeHigh and nFileSizeLow.
    pub size: u64,
    /// nNumberOfLinks.
    pub links: u32,
}

/// GetFileInformationByHandle for Rust callers (ERROR_INVALID_HANDLE for what is not a disk
/// file or directory).
pub fn file_information(
    call: &mut ApiCall<'_>,
    handle: Handle,
) -> Result<FileInformation, Win32Error> {
    match disk_node(call, handle, 0) {
        Ok((node, serial)) => Ok(FileInformation {
            attributes: attributes_of(&node),
            times: times_of(&node),
            volume_serial: serial,
            size: node.size,
            links: node.links.min(u64::from(u32::MAX)) as u32,
        }),
        Err(e) => {
            call.set_last_error(e.0);
            Err(e)
        }
    }
}

/// SetEndOfFile for Rust callers.
pub fn set_end_of_file_at(call: &mut ApiCall<'_>, handle: Handle) -> Result<(), Win32Error> {
    let r = SetEndOfFile(call, handle);
    outcome(call, r, 0).map(drop)
}

/// FlushFileBuffers for Rust callers.
pub fn flush_file(call: &mut ApiCall<'_>, handle: Handle) -> Result<(), Win32Error> {
    // A pipe's flush would wait for the reader: a Rust caller cannot, so it only checks.
    if let Some(object) = super::pipe::pipe_end_object(call, handle) {
        return super::pipe::flush_now(call, handle, &object);
    }
    let r = FlushFileBuffers(call, handle);
    outcome(call, r, 0).map(drop)
}

/// SetFileTime for Rust callers: the last access and last write FILETIMEs (None leaves one
/// as it is); the handle needs FILE_WRITE_ATTRIBUTES.
pub fn set_file_times(
    call: &mut ApiCall<'_>,
    handle: Handle,
    accessed: Option<u64>,
    written: Option<u64>,
) -> Result<(), Win32Error> {
    let r = (|| {
        let (object, _) = file_object(call, handle, FILE_WRITE_ATTRIBUTES)?;
        let disk = object
            .payload::<DiskFile>()
            .ok_or(Win32Error::INVALID_HANDLE)?;
        let inner = disk.inner.lock();
        let open = inner
            .file
            .as_ref()
            .or(inner.directory.as_ref())
            .ok_or(Win32Error::INVALID_HANDLE)?;
        volume::set_times(open, accessed.map(unix_nanos), written.map(unix_nanos))
    })();
    if let Err(e) = &r {
        call.set_last_error(e.0);
    }
    r
}

/// SetStdHandle for Rust callers: standard handle `which` (0 input, 1 output, 2 error) is
/// `handle` from now on.
pub fn set_std_handle_to(
    call: &mut ApiCall<'_>,
    which: usize,
    handle: Handle,
) -> Result<(), Win32Error> {
    let n = match which {
        0 => super::STD_INPUT_HANDLE,
        1 => super::STD_OUTPUT_HANDLE,
        2 => super::STD_ERROR_HANDLE,
        _ => return Err(Win32Error::INVALID_HANDLE),
    };
    let r = SetStdHandle(call, n, handle);
    outcome(call, r, 0).map(drop)
}
