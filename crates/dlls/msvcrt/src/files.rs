//! The C runtime's file-system calls, each over the KERNEL32 call msvcrt makes for it (so
//! names go through KERNEL32's own path code: the ANSI code page, MAX_PATH, its errors),
//! with msvcrt's errno and `_doserrno` (its `_dosmaperr`):
//!
//! - `_stat`, `_wstat` (FindFirstFile; a drive's root, which FindFirstFile does not find, is
//!   made up as msvcrt makes it up) and `_fstat` (GetFileType, GetFileInformationByHandle),
//!   filling msvcrt's `struct _stat` (36 bytes) or CRTDLL's (32 bytes, 16-bit `_dev_t`);
//! - `_access`, `_chmod`, `_unlink`/`remove`, `rename`, `_mkdir`, `_rmdir`, `_chdir` (which
//!   also sets the `=X:` variable of the drive, as msvcrt does), their `_w` forms;
//! - `_getcwd`, `_getdcwd`, `_getdrive`, `_chdrive`, `_fullpath`, `_splitpath`, `_makepath`;
//! - `_utime` and `_futime` (SetFileTime), `_findfirst`/`_findnext`/`_findclose`;
//! - temporary names: `tmpnam` (`\s<pid in base 32>.` then `.1`, `.2`... in base 32, the first
//!   name that does not exist), `_tempnam` (TMP, else the directory given, else the root,
//!   then the prefix and a decimal number).
//!
//! Times are msvcrt's `time_t` of the local time of a FILETIME; ntemu's local time is UTC.

use nt_object::Handle;

use super::stdio::{self, FILE_TYPE_CHAR, FILE_TYPE_DISK, FILE_TYPE_PIPE};
use super::text::{self, UNIT_LIMIT, Width};
use super::{CRT_DATA, CrtState, at, dosmaperr, errno, fail_errno, set_errno, with_state};
use win32::{AnsiStr, ApiCall, Ptr, WideStr, export};

/// FILETIME of 1970-01-01 00:00 UTC.
const FILETIME_1970: u64 = 116_444_736_000_000_000;
/// FILETIME ticks per second.
const TICKS: u64 = 10_000_000;
/// `time_t` of 1980-01-01 00:00 local time: what `_stat` gives a drive's root.
const ROOT_TIME: i32 = 315_532_800;
/// FILE_ATTRIBUTE_READONLY, _DIRECTORY and _NORMAL.
const READONLY: u32 = 0x1;
const DIRECTORY: u32 = 0x10;
const NORMAL: u32 = 0x80;
/// st_mode bits.
const S_IFDIR: u16 = 0x4000;
const S_IFCHR: u16 = 0x2000;
const S_IFIFO: u16 = 0x1000;
const S_IFREG: u16 = 0x8000;
const S_IREAD: u16 = 0x100;
const S_IWRITE: u16 = 0x80;
const S_IEXEC: u16 = 0x40;
/// ERROR_FILE_NOT_FOUND, what msvcrt puts in `_doserrno` for a name it refuses itself.
const E_NOFILE: u32 = 2;
/// ERROR_INVALID_DRIVE.
const ERROR_INVALID_DRIVE: u32 = 15;
/// MAX_PATH, the size `_fullpath` allocates.
const MAX_PATH: usize = 260;
/// TMP_MAX: the most names tmpnam and _tempnam try.
const TMP_MAX: u32 = 32_767;
/// FILENAME_MAX.
const FILENAME_MAX: usize = 260;

/// A FILETIME (UTC) as msvcrt's `time_t` of its local time: -1 outside 1970-2038.
pub(crate) fn time_t_of(filetime: u64) -> i32 {
    match filetime.checked_sub(FILETIME_1970) {
        Some(ticks) => i32::try_from(ticks / TICKS).unwrap_or(-1),
        None => -1,
    }
}

/// A `time_t` as a FILETIME.
fn filetime_of(t: i32) -> u64 {
    FILETIME_1970 + u64::from(t.unsigned_abs()) * TICKS
}

/// The fields of a `struct _stat`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Stat {
    dev: u32,
    mode: u16,
    size: u32,
    atime: i32,
    mtime: i32,
    ctime: i32,
}

impl Stat {
    /// msvcrt's `struct _stat`: `_dev_t` (32 bits) st_dev, `_ino_t` st_ino, st_mode,
    /// st_nlink, st_uid, st_gid, st_rdev, st_size and the three times: 36 bytes.
    fn msvcrt_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(36);
        b.extend_from_slice(&self.dev.to_le_bytes());
        b.extend_from_slice(&0u16.to_le_bytes());
        b.extend_from_slice(&self.mode.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&[0; 4]);
        b.extend_from_slice(&[0; 2]);
        b.extend_from_slice(&self.dev.to_le_bytes());
        self.tail(&mut b);
        b
    }

    /// CRTDLL's `struct _stat`, whose `_dev_t` is 16 bits: 32 bytes.
    fn crtdll_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(32);
        b.extend_from_slice(&(self.dev as u16).to_le_bytes());
        b.extend_from_slice(&0u16.to_le_bytes());
        b.extend_from_slice(&self.mode.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&[0; 4]);
        b.extend_from_slice(&(self.dev as u16).to_le_bytes());
        b.extend_from_slice(&[0; 2]);
        self.tail(&mut b);
        b
    }

    fn tail(&self, b: &mut Vec<u8>) {
        b.extend_from_slice(&self.size.to_le_bytes());
        for t in [self.atime, self.mtime, self.ctime] {
            b.extend_from_slice(&t.to_le_bytes());
        }
    }
}

/// msvcrt's `_dtoxmode`: the st_mode of a name and its attributes. A directory (or a drive's
/// root, or the name of a drive) is `_S_IFDIR|_S_IEXEC`, anything else `_S_IFREG`; read and
/// write unless read-only; `.exe`, `.com`, `.bat` and `.cmd` names executable; the owner's
/// bits copied to group and others.
fn mode_of(attributes: u32, name: &str) -> u16 {
    let chars: Vec<char> = name.chars().collect();
    let rest: &[char] = if chars.get(1) == Some(&':') {
        &chars[2..]
    } else {
        &chars
    };
    let root = rest.len() == 1 && matches!(rest[0], '\\' | '/');
    let mut mode = if root || attributes & DIRECTORY != 0 || rest.is_empty() {
        S_IFDIR | S_IEXEC
    } else {
        S_IFREG
    };
    mode |= if attributes & READONLY != 0 {
        S_IREAD
    } else {
        S_IREAD | S_IWRITE
    };
    if let Some(dot) = name.rfind('.') {
        let ext = &name[dot..];
        if [".exe", ".cmd", ".bat", ".com"]
            .iter()
            .any(|e| ext.eq_ignore_ascii_case(e))
        {
            mode |= S_IEXEC;
        }
    }
    let owner = mode & 0o700;
    mode | (owner >> 3) | (owner >> 6)
}

/// `_getdrive`: the current drive (1 for A:), 0 when the current directory is on none.
fn current_drive(call: &ApiCall<'_>) -> u32 {
    let cwd = kernel32::current_directory_name(call);
    let b = cwd.as_bytes();
    if b.len() >= 2 && b[1] == b':' {
        u32::from(b[0].to_ascii_uppercase()).wrapping_sub(u32::from(b'A')) + 1
    } else {
        0
    }
}

/// A UNC share's root (`\\server\share\`).
fn is_root_unc(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("\\\\") else {
        return false;
    };
    let parts: Vec<&str> = rest.split('\\').collect();
    parts.len() == 3 && !parts[0].is_empty() && !parts[1].is_empty() && parts[2].is_empty()
}

/// `_stat`'s work on `name` (FindFirstFileW for `_wstat`): None with errno set.
fn stat_name(call: &mut ApiCall<'_>, name: &str, width: Width) -> Option<Stat> {
    if name.contains(['?', '*']) {
        fail_errno(call, errno::ENOENT, E_NOFILE);
        return None;
    }
    let chars: Vec<char> = name.chars().collect();
    let drive = if chars.get(1) == Some(&':') {
        if chars.len() == 2 {
            fail_errno(call, errno::ENOENT, E_NOFILE);
            return None;
        }
        (chars[0].to_ascii_lowercase() as u32).wrapping_sub(u32::from(b'a')) + 1
    } else {
        current_drive(call)
    };
    let (attributes, size, [mtime, atime, ctime]) =
        match kernel32::find_first_entry(call, name, width == Width::Wide) {
            Ok((handle, data)) => {
                let _ = kernel32::find_close_handle(call, handle);
                let [created, accessed, written] = data.times;
                let mtime = time_t_of(written);
                let or_mtime = |t: u64| if t == 0 { mtime } else { time_t_of(t) };
                (
                    data.attributes,
                    data.size as u32,
                    [mtime, or_mtime(accessed), or_mtime(created)],
                )
            }
            Err(_) => {
                // A drive's root is not found by FindFirstFile: msvcrt makes its entry up.
                let root = name.contains(['.', '/', '\\'])
                    && kernel32::full_path_name_of(call, name).is_ok_and(|full| {
                        (full.chars().count() == 3 || is_root_unc(&full))
                            && kernel32::drive_type_of(call, &full) > 1
                    });
                if !root {
                    fail_errno(call, errno::ENOENT, E_NOFILE);
                    return None;
                }
                (DIRECTORY, 0, [ROOT_TIME; 3])
            }
        };
    Some(Stat {
        dev: drive.wrapping_sub(1),
        mode: mode_of(attributes, name),
        size,
        atime,
        mtime,
        ctime,
    })
}

/// `_fstat`'s work: None with errno set.
fn stat_fd(call: &mut ApiCall<'_>, fd: u32) -> Option<Stat> {
    with_state(call, |call, state| {
        let Some(d) = state.fds.get(&fd).copied() else {
            set_errno(call, errno::EBADF);
            return None;
        };
        match kernel32::file_type_of(call, d.handle) {
            Ok(FILE_TYPE_DISK) => match kernel32::file_information(call, d.handle) {
                Ok(info) => {
                    let rw = if info.attributes & READONLY != 0 {
                        S_IREAD
                    } else {
                        S_IREAD | S_IWRITE
                    };
                    let [created, accessed, written] = info.times;
                    let mtime = time_t_of(written);
                    let or_mtime = |t: u64| if t == 0 { mtime } else { time_t_of(t) };
                    Some(Stat {
                        dev: 0,
                        mode: S_IFREG | rw | (rw >> 3) | (rw >> 6),
                        size: info.size as u32,
                        atime: or_mtime(accessed),
                        mtime,
                        ctime: or_mtime(created),
                    })
                }
                Err(e) => {
                    dosmaperr(call, e.0);
                    None
                }
            },
            Ok(kind @ (FILE_TYPE_CHAR | FILE_TYPE_PIPE)) => Some(Stat {
                dev: fd,
                mode: if kind == FILE_TYPE_CHAR {
                    S_IFCHR
                } else {
                    S_IFIFO
                },
                ..Stat::default()
            }),
            _ => {
                set_errno(call, errno::EBADF);
                None
            }
        }
    })
}

/// Writes a stat result: 0, or -1 (errno set before, or EINVAL for a buffer that cannot be
/// written).
fn store_stat(call: &mut ApiCall<'_>, stat: Option<Stat>, buffer: Ptr, crtdll: bool) -> i32 {
    let Some(stat) = stat else {
        return -1;
    };
    let bytes = if crtdll {
        stat.crtdll_bytes()
    } else {
        stat.msvcrt_bytes()
    };
    if call.write_bytes(buffer.0, &bytes).is_err() {
        set_errno(call, errno::EINVAL);
        return -1;
    }
    0
}

/// _stat(path, buffer): msvcrt's `struct _stat` of a file or directory; 0, or -1 with errno
/// ENOENT (a missing name, wildcards, a bare drive name).
#[export(cdecl, failure = -1i32)]
fn _stat(call: &mut ApiCall<'_>, path: AnsiStr, buffer: Ptr) -> i32 {
    let stat = with_state(call, |call, _| stat_name(call, &path, Width::Narrow));
    store_stat(call, stat, buffer, false)
}

/// _wstat(path, buffer): _stat with a wide name (FindFirstFileW).
#[export(cdecl, failure = -1i32)]
fn _wstat(call: &mut ApiCall<'_>, path: WideStr, buffer: Ptr) -> i32 {
    let stat = with_state(call, |call, _| stat_name(call, &path, Width::Wide));
    store_stat(call, stat, buffer, false)
}

/// CRTDLL's _stat(path, buffer): CRTDLL's `struct _stat`.
#[export(cdecl, name = "_stat", failure = -1i32)]
fn crtdll_stat(call: &mut ApiCall<'_>, path: AnsiStr, buffer: Ptr) -> i32 {
    let stat = with_state(call, |call, _| stat_name(call, &path, Width::Narrow));
    store_stat(call, stat, buffer, true)
}

/// _fstat(fd, buffer): a disk file's `struct _stat` from its handle (st_dev 0); a character
/// device or pipe is `_S_IFCHR` or `_S_IFIFO` with st_dev the descriptor; -1 with EBADF for
/// a descriptor that is not open.
#[export(cdecl)]
fn _fstat(call: &mut ApiCall<'_>, fd: u32, buffer: Ptr) -> i32 {
    let stat = stat_fd(call, fd);
    store_stat(call, stat, buffer, false)
}

/// CRTDLL's _fstat(fd, buffer): CRTDLL's `struct _stat`.
#[export(cdecl, name = "_fstat")]
fn crtdll_fstat(call: &mut ApiCall<'_>, fd: u32, buffer: Ptr) -> i32 {
    let stat = stat_fd(call, fd);
    store_stat(call, stat, buffer, true)
}

// ---- names: access, chmod, unlink, rename, mkdir, rmdir, chdir ---------------------------

/// Runs a KERNEL32 call: 0, or -1 with `_dosmaperr` of its error.
fn dos(call: &mut ApiCall<'_>, r: Result<(), nt_status::Win32Error>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(e) => {
            with_state(call, |call, _| dosmaperr(call, e.0));
            -1
        }
    }
}

/// `_access`'s work.
fn access(call: &mut ApiCall<'_>, path: &str, mode: u32) -> i32 {
    with_state(call, |call, _| {
        match kernel32::get_file_attributes_of(call, path) {
            Err(e) => {
                dosmaperr(call, e.0);
                -1
            }
            Ok(a) if a & READONLY != 0 && mode & 2 != 0 => {
                fail_errno(call, errno::EACCES, 5);
                -1
            }
            Ok(_) => 0,
        }
    })
}

/// _access(path, mode): 0 when the file or directory exists and (mode 2 or 6) may be
/// written; -1 with errno ENOENT or EACCES.
#[export(cdecl, failure = -1i32)]
fn _access(call: &mut ApiCall<'_>, path: AnsiStr, mode: u32) -> i32 {
    access(call, &path, mode)
}

/// _waccess(path, mode).
#[export(cdecl, failure = -1i32)]
fn _waccess(call: &mut ApiCall<'_>, path: WideStr, mode: u32) -> i32 {
    access(call, &path, mode)
}

/// `_chmod`'s work: read-only unless `mode` has `_S_IWRITE`.
fn chmod(call: &mut ApiCall<'_>, path: &str, mode: u32) -> i32 {
    let r = kernel32::get_file_attributes_of(call, path).and_then(|a| {
        let a = if mode & u32::from(S_IWRITE) != 0 {
            a & !READONLY
        } else {
            a | READONLY
        };
        kernel32::set_file_attributes_of(call, path, a)
    });
    dos(call, r)
}

/// _chmod(path, mode): `_S_IWRITE` in `mode` makes the file writable, its absence
/// read-only; 0, or -1 with errno.
#[export(cdecl, failure = -1i32)]
fn _chmod(call: &mut ApiCall<'_>, path: AnsiStr, mode: u32) -> i32 {
    chmod(call, &path, mode)
}

/// _wchmod(path, mode).
#[export(cdecl, failure = -1i32)]
fn _wchmod(call: &mut ApiCall<'_>, path: WideStr, mode: u32) -> i32 {
    chmod(call, &path, mode)
}

/// _unlink(filename) and remove: DeleteFile; 0, or -1 with errno (ENOENT; EACCES for a
/// directory, a read-only file or one open elsewhere without delete sharing).
#[export(cdecl, failure = -1i32)]
fn _unlink(call: &mut ApiCall<'_>, filename: AnsiStr) -> i32 {
    let r = kernel32::delete_file_named(call, &filename);
    dos(call, r)
}

/// _wunlink(filename) and _wremove.
#[export(cdecl, failure = -1i32)]
fn _wunlink(call: &mut ApiCall<'_>, filename: WideStr) -> i32 {
    let r = kernel32::delete_file_named(call, &filename);
    dos(call, r)
}

/// rename(oldname, newname): MoveFile; 0, or -1 with errno (EEXIST when the new name
/// exists, ENOENT, EACCES, EXDEV across drives).
#[export(cdecl, failure = -1i32)]
fn rename(call: &mut ApiCall<'_>, oldname: AnsiStr, newname: AnsiStr) -> i32 {
    let r = kernel32::move_file_named(call, &oldname, &newname);
    dos(call, r)
}

/// _wrename(oldname, newname).
#[export(cdecl, failure = -1i32)]
fn _wrename(call: &mut ApiCall<'_>, oldname: WideStr, newname: WideStr) -> i32 {
    let r = kernel32::move_file_named(call, &oldname, &newname);
    dos(call, r)
}

/// _mkdir(dirname): CreateDirectory; 0, or -1 with errno (EEXIST, ENOENT).
#[export(cdecl, failure = -1i32)]
fn _mkdir(call: &mut ApiCall<'_>, dirname: AnsiStr) -> i32 {
    let r = kernel32::create_directory_named(call, &dirname);
    dos(call, r)
}

/// _wmkdir(dirname).
#[export(cdecl, failure = -1i32)]
fn _wmkdir(call: &mut ApiCall<'_>, dirname: WideStr) -> i32 {
    let r = kernel32::create_directory_named(call, &dirname);
    dos(call, r)
}

/// _rmdir(dirname): RemoveDirectory; 0, or -1 with errno (ENOTEMPTY, ENOENT, EACCES for
/// the current directory).
#[export(cdecl, failure = -1i32)]
fn _rmdir(call: &mut ApiCall<'_>, dirname: AnsiStr) -> i32 {
    let r = kernel32::remove_directory_named(call, &dirname);
    dos(call, r)
}

/// _wrmdir(dirname).
#[export(cdecl, failure = -1i32)]
fn _wrmdir(call: &mut ApiCall<'_>, dirname: WideStr) -> i32 {
    let r = kernel32::remove_directory_named(call, &dirname);
    dos(call, r)
}

/// `_chdir`'s work: SetCurrentDirectory, then the `=X:` variable of the new current drive
/// (what other drive-relative names and spawned programs read) set to the new directory.
fn chdir(call: &mut ApiCall<'_>, dirname: &str) -> i32 {
    if let Err(e) = kernel32::set_current_directory_named(call, dirname) {
        return dos(call, Err(e));
    }
    let cwd = kernel32::current_directory_name(call);
    if !cwd.starts_with("\\\\")
        && let Some(drive) = cwd.chars().next()
    {
        let name = format!("={}:", drive.to_ascii_uppercase());
        kernel32::set_environment_variable(call, &name, Some(&cwd));
    }
    0
}

/// _chdir(dirname): 0, or -1 with errno: ENOENT for a missing directory, EINVAL for a file
/// (NT's ERROR_DIRECTORY, which msvcrt's table does not list).
#[export(cdecl, failure = -1i32)]
fn _chdir(call: &mut ApiCall<'_>, dirname: AnsiStr) -> i32 {
    chdir(call, &dirname)
}

/// _wchdir(dirname).
#[export(cdecl, failure = -1i32)]
fn _wchdir(call: &mut ApiCall<'_>, dirname: WideStr) -> i32 {
    chdir(call, &dirname)
}

// ---- the current directory and full paths ------------------------------------------------

/// `_getdcwd`'s work: the current directory of `drive` (0: the current drive) into
/// `buffer` of `maxlen` characters, or a malloc'd buffer when `buffer` is NULL.
fn getdcwd(call: &mut ApiCall<'_>, drive: i32, buffer: Ptr, maxlen: i32, width: Width) -> Ptr {
    with_state(call, |call, _| {
        let dir = if drive != 0 {
            let valid = (1..=26).contains(&drive) && {
                let root = format!("{}:\\", char::from(b'A' + (drive - 1) as u8));
                kernel32::drive_type_of(call, &root) > 1
            };
            if !valid {
                fail_errno(call, errno::EACCES, ERROR_INVALID_DRIVE);
                return Ptr::NULL;
            }
            let spec = format!("{}:.", char::from(b'A' + (drive - 1) as u8));
            match kernel32::full_path_name_of(call, &spec) {
                Ok(d) => d,
                Err(_) => return Ptr::NULL,
            }
        } else {
            kernel32::current_directory_name(call)
        };
        let units = width.units(&dir);
        let len = units.len() + 1;
        if buffer.is_null() {
            let capacity = len.max(maxlen.max(0) as usize);
            return match text::allocate_units(call, width, &units, capacity) {
                Some(at) => Ptr(at),
                None => {
                    set_errno(call, errno::ENOMEM);
                    Ptr::NULL
                }
            };
        }
        if len as i64 > i64::from(maxlen) {
            set_errno(call, errno::ERANGE);
            return Ptr::NULL;
        }
        if text::write_units(call, buffer.0, width, &units) {
            buffer
        } else {
            Ptr::NULL
        }
    })
}

/// _getcwd(buffer, maxlen): the current directory; NULL with ERANGE when it needs more than
/// `maxlen` characters with its NUL. A NULL buffer is malloc'd (at least `maxlen`).
#[export(cdecl)]
fn _getcwd(call: &mut ApiCall<'_>, buffer: Ptr, maxlen: i32) -> Ptr {
    getdcwd(call, 0, buffer, maxlen, Width::Narrow)
}

/// _wgetcwd(buffer, maxlen).
#[export(cdecl)]
fn _wgetcwd(call: &mut ApiCall<'_>, buffer: Ptr, maxlen: i32) -> Ptr {
    getdcwd(call, 0, buffer, maxlen, Width::Wide)
}

/// _getdcwd(drive, buffer, maxlen): the current directory of drive `drive` (1 for A:, 0
/// the current drive); NULL with EACCES (`_doserrno` ERROR_INVALID_DRIVE) for a drive that
/// is not there.
#[export(cdecl)]
fn _getdcwd(call: &mut ApiCall<'_>, drive: i32, buffer: Ptr, maxlen: i32) -> Ptr {
    getdcwd(call, drive, buffer, maxlen, Width::Narrow)
}

/// _wgetdcwd(drive, buffer, maxlen).
#[export(cdecl)]
fn _wgetdcwd(call: &mut ApiCall<'_>, drive: i32, buffer: Ptr, maxlen: i32) -> Ptr {
    getdcwd(call, drive, buffer, maxlen, Width::Wide)
}

/// _getdrive(): the current drive, 1 for A:.
#[export(cdecl)]
fn _getdrive(call: &mut ApiCall<'_>) -> u32 {
    with_state(call, |call, _| current_drive(call))
}

/// _chdrive(drive): makes drive `drive` (1 for A:) current (SetCurrentDirectory of `X:`);
/// 0, or -1: EACCES for a number outside 1-31, errno of the error for a drive that is not
/// there.
#[export(cdecl)]
fn _chdrive(call: &mut ApiCall<'_>, drive: i32) -> i32 {
    if !(1..=31).contains(&drive) {
        with_state(call, |call, _| {
            fail_errno(call, errno::EACCES, ERROR_INVALID_DRIVE)
        });
        return -1;
    }
    let name = format!("{}:", char::from(b'A' + (drive - 1) as u8));
    let r = kernel32::set_current_directory_named(call, &name);
    dos(call, r)
}

/// `_fullpath`'s work.
fn fullpath(
    call: &mut ApiCall<'_>,
    buffer: Ptr,
    path: Option<&str>,
    maxlen: u32,
    width: Width,
) -> Ptr {
    let path = path.unwrap_or("");
    if path.is_empty() {
        return getdcwd(call, 0, buffer, maxlen as i32, width);
    }
    with_state(call, |call, _| {
        let full = match kernel32::full_path_name_of(call, path) {
            Ok(f) => f,
            Err(e) => {
                dosmaperr(call, e.0);
                return Ptr::NULL;
            }
        };
        let units = width.units(&full);
        let maxlen = if buffer.is_null() {
            MAX_PATH
        } else {
            maxlen as usize
        };
        if units.len() >= maxlen {
            set_errno(call, errno::ERANGE);
            return Ptr::NULL;
        }
        if buffer.is_null() {
            return match text::allocate_units(call, width, &units, MAX_PATH) {
                Some(at) => Ptr(at),
                None => {
                    set_errno(call, errno::ENOMEM);
                    Ptr::NULL
                }
            };
        }
        if text::write_units(call, buffer.0, width, &units) {
            buffer
        } else {
            Ptr::NULL
        }
    })
}

/// _fullpath(absPath, relPath, maxLength): GetFullPathName into `absPath` (malloc'd,
/// MAX_PATH characters, when NULL); NULL with ERANGE when it does not fit. An empty or NULL
/// `relPath` gives the current directory.
#[export(cdecl)]
fn _fullpath(
    call: &mut ApiCall<'_>,
    absPath: Ptr,
    relPath: Option<AnsiStr>,
    maxLength: u32,
) -> Ptr {
    fullpath(call, absPath, relPath.as_deref(), maxLength, Width::Narrow)
}

/// _wfullpath(absPath, relPath, maxLength).
#[export(cdecl)]
fn _wfullpath(
    call: &mut ApiCall<'_>,
    absPath: Ptr,
    relPath: Option<WideStr>,
    maxLength: u32,
) -> Ptr {
    fullpath(call, absPath, relPath.as_deref(), maxLength, Width::Wide)
}

// ---- _splitpath and _makepath --------------------------------------------------------------

/// _MAX_DRIVE, _MAX_DIR, _MAX_FNAME, _MAX_EXT.
const MAX_DRIVE: usize = 3;
const MAX_DIR: usize = 256;
const MAX_FNAME: usize = 256;
const MAX_EXT: usize = 256;

fn is_slash(u: u16) -> bool {
    u == u16::from(b'\\') || u == u16::from(b'/')
}

/// msvcrt's `_splitpath` of `path`'s units: drive (`X:` when the second character is a
/// colon), directory (through the last slash), file name and extension (from the last dot
/// after the directory), each cut to its `_MAX_` size less the NUL.
fn split_path(path: &[u16]) -> [Vec<u16>; 4] {
    let (drive, rest) = if path.len() >= MAX_DRIVE - 2 && path.get(1) == Some(&u16::from(b':')) {
        (path[..2].to_vec(), &path[2..])
    } else {
        (Vec::new(), path)
    };
    let last_slash = rest.iter().rposition(|&u| is_slash(u)).map(|i| i + 1);
    let (dir, name) = match last_slash {
        Some(i) => (rest[..i.min(MAX_DIR - 1)].to_vec(), &rest[i..]),
        None => (Vec::new(), rest),
    };
    let (fname, ext) = match name.iter().rposition(|&u| u == u16::from(b'.')) {
        Some(dot) => (
            name[..dot.min(MAX_FNAME - 1)].to_vec(),
            name[dot..][..(name.len() - dot).min(MAX_EXT - 1)].to_vec(),
        ),
        None => (name[..name.len().min(MAX_FNAME - 1)].to_vec(), Vec::new()),
    };
    [drive, dir, fname, ext]
}

/// `_splitpath`'s work: each part into its buffer when that is not NULL.
fn splitpath(call: &mut ApiCall<'_>, path: Ptr, parts: [Ptr; 4], width: Width) {
    let Some(units) = text::read_units(call, path.0, width, UNIT_LIMIT) else {
        return;
    };
    for (part, out) in split_path(&units).iter().zip(parts) {
        if !out.is_null() {
            text::write_units(call, out.0, width, part);
        }
    }
}

/// _splitpath(path, drive, dir, fname, ext).
#[export(cdecl)]
fn _splitpath(call: &mut ApiCall<'_>, path: Ptr, drive: Ptr, dir: Ptr, fname: Ptr, ext: Ptr) {
    splitpath(call, path, [drive, dir, fname, ext], Width::Narrow);
}

/// _wsplitpath(path, drive, dir, fname, ext).
#[export(cdecl)]
fn _wsplitpath(call: &mut ApiCall<'_>, path: Ptr, drive: Ptr, dir: Ptr, fname: Ptr, ext: Ptr) {
    splitpath(call, path, [drive, dir, fname, ext], Width::Wide);
}

/// msvcrt's `_makepath`: the drive's first character and a colon, the directory with a
/// backslash added unless it ends in a slash, the file name, and the extension with a dot
/// added unless it has one.
fn make_path(parts: [Option<Vec<u16>>; 4]) -> Vec<u16> {
    let [drive, dir, fname, ext] = parts;
    let mut out = Vec::new();
    if let Some(&d) = drive.as_ref().and_then(|d| d.first()) {
        out.push(d);
        out.push(u16::from(b':'));
    }
    if let Some(dir) = dir.filter(|d| !d.is_empty()) {
        let ends_in_slash = dir.last().is_some_and(|&u| is_slash(u));
        out.extend(dir);
        if !ends_in_slash {
            out.push(u16::from(b'\\'));
        }
    }
    if let Some(fname) = fname {
        out.extend(fname);
    }
    if let Some(ext) = ext {
        if ext.first().is_some_and(|&u| u != u16::from(b'.')) {
            out.push(u16::from(b'.'));
        }
        out.extend(ext);
    }
    out
}

/// `_makepath`'s work.
fn makepath(call: &mut ApiCall<'_>, path: Ptr, parts: [Ptr; 4], width: Width) {
    let read = |p: Ptr| {
        if p.is_null() {
            None
        } else {
            text::read_units(call, p.0, width, UNIT_LIMIT)
        }
    };
    let units = make_path(parts.map(read));
    text::write_units(call, path.0, width, &units);
}

/// _makepath(path, drive, dir, fname, ext).
#[export(cdecl)]
fn _makepath(call: &mut ApiCall<'_>, path: Ptr, drive: Ptr, dir: Ptr, fname: Ptr, ext: Ptr) {
    makepath(call, path, [drive, dir, fname, ext], Width::Narrow);
}

/// _wmakepath(path, drive, dir, fname, ext).
#[export(cdecl)]
fn _wmakepath(call: &mut ApiCall<'_>, path: Ptr, drive: Ptr, dir: Ptr, fname: Ptr, ext: Ptr) {
    makepath(call, path, [drive, dir, fname, ext], Width::Wide);
}

// ---- file times ----------------------------------------------------------------------------

/// `_futime`'s work: the times of `struct _utimbuf` {actime, modtime} at `times` (now when
/// NULL) through SetFileTime; EINVAL for a time before 1970 or one SetFileTime refuses.
fn futime(call: &mut ApiCall<'_>, state: &mut CrtState, fd: u32, times: Ptr) -> i32 {
    let Some(d) = state.fds.get(&fd).copied() else {
        set_errno(call, errno::EBADF);
        return -1;
    };
    let (actime, modtime) = if times.is_null() {
        let now = super::string::now(call) as i32;
        (now, now)
    } else {
        match (
            call.read_u32(times.0),
            call.read_u32(times.0.wrapping_add(4)),
        ) {
            (Ok(a), Ok(m)) => (a as i32, m as i32),
            _ => {
                set_errno(call, errno::EINVAL);
                return -1;
            }
        }
    };
    if actime < 0 || modtime < 0 {
        set_errno(call, errno::EINVAL);
        return -1;
    }
    match kernel32::set_file_times(
        call,
        d.handle,
        Some(filetime_of(actime)),
        Some(filetime_of(modtime)),
    ) {
        Ok(()) => 0,
        Err(_) => {
            set_errno(call, errno::EINVAL);
            -1
        }
    }
}

/// _futime(fd, filetime): sets the last access and write times; 0, or -1 with errno (EBADF,
/// EINVAL).
#[export(cdecl)]
fn _futime(call: &mut ApiCall<'_>, fd: u32, filetime: Ptr) -> i32 {
    with_state(call, |call, state| futime(call, state, fd, filetime))
}

/// `_utime`'s work: `_open(name, _O_RDWR | _O_BINARY)`, `_futime`, `_close`.
fn utime(call: &mut ApiCall<'_>, filename: &str, times: Ptr) -> i32 {
    with_state(call, |call, state| {
        let Some(fd) = stdio::open_fd(call, state, filename, 0x2 | 0x8000, 0) else {
            return -1;
        };
        let r = futime(call, state, fd, times);
        stdio::close_fd(call, state, fd);
        r
    })
}

/// _utime(filename, times): sets a file's times (it must be writable: it is opened for
/// reading and writing); 0, or -1 with errno (ENOENT, EACCES, EINVAL).
#[export(cdecl, failure = -1i32)]
fn _utime(call: &mut ApiCall<'_>, filename: AnsiStr, times: Ptr) -> i32 {
    utime(call, &filename, times)
}

/// _wutime(filename, times).
#[export(cdecl, failure = -1i32)]
fn _wutime(call: &mut ApiCall<'_>, filename: WideStr, times: Ptr) -> i32 {
    utime(call, &filename, times)
}

// ---- _findfirst, _findnext, _findclose -----------------------------------------------------

/// The errno `_findfirst` and `_findnext` give a FindFirstFile/FindNextFile error (they set
/// no `_doserrno`).
fn find_errno(error: u32) -> u32 {
    match error {
        2 | 3 | 18 => errno::ENOENT,
        8 => errno::ENOMEM,
        _ => errno::EINVAL,
    }
}

/// A FILETIME as `_findfirst`'s `time_t`: -1 for a time the file system does not keep (0).
fn find_time(filetime: u64) -> i32 {
    if filetime == 0 {
        -1
    } else {
        time_t_of(filetime)
    }
}

/// Writes `struct _finddata_t` (attrib, time_create, time_access, time_write, size,
/// name[260]: 280 bytes) or `struct _wfinddata_t` (540 bytes).
fn store_find_data(
    call: &mut ApiCall<'_>,
    out: Ptr,
    data: &kernel32::FindData,
    width: Width,
) -> bool {
    let mut b = Vec::with_capacity(540);
    let attrib = if data.attributes == NORMAL {
        0
    } else {
        data.attributes
    };
    b.extend_from_slice(&attrib.to_le_bytes());
    let [created, accessed, written] = data.times;
    for t in [created, accessed, written] {
        b.extend_from_slice(&find_time(t).to_le_bytes());
    }
    b.extend_from_slice(&(data.size as u32).to_le_bytes());
    let mut units = width.units(&data.name);
    units.truncate(MAX_PATH - 1);
    units.resize(MAX_PATH, 0);
    b.extend(width.bytes(&units));
    call.write_bytes(out.0, &b).is_ok()
}

/// `_findfirst`'s work.
fn findfirst(call: &mut ApiCall<'_>, filespec: &str, fileinfo: Ptr, width: Width) -> u32 {
    with_state(call, |call, _| {
        match kernel32::find_first_entry(call, filespec, width == Width::Wide) {
            Ok((handle, data)) => {
                if !store_find_data(call, fileinfo, &data, width) {
                    let _ = kernel32::find_close_handle(call, handle);
                    set_errno(call, errno::EINVAL);
                    return u32::MAX;
                }
                handle.0
            }
            Err(e) => {
                set_errno(call, find_errno(e.0));
                u32::MAX
            }
        }
    })
}

/// _findfirst(filespec, fileinfo): a search handle and the first match in `*fileinfo`; -1
/// with ENOENT when nothing matches.
#[export(cdecl, failure = u32::MAX)]
fn _findfirst(call: &mut ApiCall<'_>, filespec: AnsiStr, fileinfo: Ptr) -> u32 {
    findfirst(call, &filespec, fileinfo, Width::Narrow)
}

/// _wfindfirst(filespec, fileinfo).
#[export(cdecl, failure = u32::MAX)]
fn _wfindfirst(call: &mut ApiCall<'_>, filespec: WideStr, fileinfo: Ptr) -> u32 {
    findfirst(call, &filespec, fileinfo, Width::Wide)
}

/// `_findnext`'s work.
fn findnext(call: &mut ApiCall<'_>, handle: u32, fileinfo: Ptr, width: Width) -> i32 {
    with_state(call, |call, _| {
        match kernel32::find_next_entry(call, Handle(handle), width == Width::Wide) {
            Ok(data) => {
                if store_find_data(call, fileinfo, &data, width) {
                    0
                } else {
                    set_errno(call, errno::EINVAL);
                    -1
                }
            }
            Err(e) => {
                set_errno(call, find_errno(e.0));
                -1
            }
        }
    })
}

/// _findnext(handle, fileinfo): the next match; -1 with ENOENT after the last, EINVAL for a
/// handle that is not a search.
#[export(cdecl)]
fn _findnext(call: &mut ApiCall<'_>, handle: u32, fileinfo: Ptr) -> i32 {
    findnext(call, handle, fileinfo, Width::Narrow)
}

/// _wfindnext(handle, fileinfo).
#[export(cdecl)]
fn _wfindnext(call: &mut ApiCall<'_>, handle: u32, fileinfo: Ptr) -> i32 {
    findnext(call, handle, fileinfo, Width::Wide)
}

/// _findclose(handle): FindClose; 0, or -1 with EINVAL.
#[export(cdecl)]
fn _findclose(call: &mut ApiCall<'_>, handle: u32) -> i32 {
    with_state(call, |call, _| {
        match kernel32::find_close_handle(call, Handle(handle)) {
            Ok(()) => 0,
            Err(_) => {
                set_errno(call, errno::EINVAL);
                -1
            }
        }
    })
}

// ---- temporary names -----------------------------------------------------------------------

/// `_access(name, 0) == 0`, errno set as `_access` sets it.
pub(crate) fn exists(call: &mut ApiCall<'_>, name: &str) -> bool {
    match kernel32::get_file_attributes_of(call, name) {
        Ok(_) => true,
        Err(e) => {
            dosmaperr(call, e.0);
            false
        }
    }
}

/// `x` in base 32, as `_ultoa(x, buf, 32)` writes it.
fn base32(x: u32) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuv";
    let mut out = Vec::new();
    let mut n = x;
    loop {
        out.push(digits[(n % 32) as usize]);
        n /= 32;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

/// msvcrt's `genfname`: the name with its extension (base 32) one more; None at TMP_MAX.
fn next_generation(name: &str) -> Option<String> {
    let dot = name.rfind('.')?;
    let ext = &name[dot + 1..];
    let n = if ext.is_empty() {
        0
    } else {
        u32::from_str_radix(ext, 32).ok()?
    };
    let next = n + 1;
    (next < TMP_MAX).then(|| format!("{}{}", &name[..=dot], base32(next)))
}

/// The next temporary name of the series `prefix` (`s` for tmpnam, `t` for tmpfile) of a
/// width: the first is `\<prefix><pid in base 32>.`, then the extension counts up; names that
/// exist are passed over when `skip_existing`. None when the series is used up.
pub(crate) fn temp_name(
    call: &mut ApiCall<'_>,
    state: &mut CrtState,
    prefix: char,
    width: Width,
    skip_existing: bool,
) -> Option<String> {
    let key = (width == Width::Wide, prefix);
    let mut name = match state.temp_names.get(&key) {
        None => format!("\\{prefix}{}.", base32(call.thread.process)),
        Some(last) => next_generation(last)?,
    };
    state.temp_names.insert(key, name.clone());
    if skip_existing {
        while exists(call, &name) {
            name = next_generation(&name)?;
            state.temp_names.insert(key, name.clone());
        }
    }
    Some(name)
}

/// `tmpnam`'s work: the name into `buffer`, or into the static buffer when NULL.
fn temp_name_into(call: &mut ApiCall<'_>, buffer: Ptr, width: Width) -> Ptr {
    with_state(call, |call, state| {
        let Some(name) = temp_name(call, state, 's', width, true) else {
            return Ptr::NULL;
        };
        let out = if buffer.is_null() {
            match width {
                Width::Narrow => CRT_DATA + at::TMPNAM,
                Width::Wide => CRT_DATA + at::WTMPNAM,
            }
        } else {
            buffer.0
        };
        if text::write_units(call, out, width, &width.units(&name)) {
            Ptr(out)
        } else {
            Ptr::NULL
        }
    })
}

/// tmpnam(string): a name no file has, in the root of the current drive (`\s26c.`, then
/// `\s26c.1`...), written to `string` (L_tmpnam characters) or a static buffer.
#[export(cdecl)]
fn tmpnam(call: &mut ApiCall<'_>, string: Ptr) -> Ptr {
    temp_name_into(call, string, Width::Narrow)
}

/// _wtmpnam(string).
#[export(cdecl)]
fn _wtmpnam(call: &mut ApiCall<'_>, string: Ptr) -> Ptr {
    temp_name_into(call, string, Width::Wide)
}

/// `_tempnam`'s work.
fn tempnam(call: &mut ApiCall<'_>, dir: Option<&str>, prefix: Option<&str>, width: Width) -> Ptr {
    with_state(call, |call, state| {
        let tmp = kernel32::environment_variables(call)
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("TMP"))
            .map(|(_, v)| v);
        let dir = match tmp {
            Some(t) if exists(call, &t) => t,
            _ => match dir {
                Some(d) if exists(call, d) => d.to_string(),
                _ if exists(call, "\\") => "\\".to_string(),
                _ => ".".to_string(),
            },
        };
        let prefix = prefix.unwrap_or("");
        let pfxlen = prefix.chars().count();
        if dir.chars().count() + pfxlen + 12 > FILENAME_MAX {
            return Ptr::NULL;
        }
        let mut base = dir.clone();
        if !base.ends_with(['\\', '/']) {
            base.push('\\');
        }
        base.push_str(prefix);
        if state.old_pfxlen < pfxlen {
            state.tempoff = 1;
        }
        state.old_pfxlen = pfxlen;
        let first = state.tempoff;
        let name = loop {
            state.tempoff = state.tempoff.wrapping_add(1);
            if state.tempoff.wrapping_sub(first) > TMP_MAX {
                return Ptr::NULL;
            }
            let name = format!("{base}{}", state.tempoff);
            let taken = exists(call, &name)
                || call.read_u32(CRT_DATA + at::ERRNO).unwrap_or(0) == errno::EACCES;
            if !taken {
                break name;
            }
        };
        match text::allocate_units(call, width, &width.units(&name), 0) {
            Some(at) => Ptr(at),
            None => Ptr::NULL,
        }
    })
}

/// _tempnam(dir, prefix): a malloc'd name no file has: in the directory TMP names if it
/// exists, else `dir` if it exists, else the root; the prefix, then a decimal number.
#[export(cdecl)]
fn _tempnam(call: &mut ApiCall<'_>, dir: Option<AnsiStr>, prefix: Option<AnsiStr>) -> Ptr {
    tempnam(call, dir.as_deref(), prefix.as_deref(), Width::Narrow)
}

/// _wtempnam(dir, prefix).
#[export(cdecl)]
fn _wtempnam(call: &mut ApiCall<'_>, dir: Option<WideStr>, prefix: Option<WideStr>) -> Ptr {
    tempnam(call, dir.as_deref(), prefix.as_deref(), Width::Wide)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    fn split(s: &str) -> [String; 4] {
        split_path(&units(s)).map(|p| String::from_utf16_lossy(&p))
    }

    #[test]
    fn splitpath_parts_as_msvcrt() {
        assert_eq!(
            split("C:\\dir\\sub\\file.tar.gz"),
            ["C:", "\\dir\\sub\\", "file.tar", ".gz"]
        );
        assert_eq!(split("file"), ["", "", "file", ""]);
        assert_eq!(split("a.dir/b"), ["", "a.dir/", "b", ""]);
        assert_eq!(split("C:"), ["C:", "", "", ""]);
        assert_eq!(
            split("\\\\server\\share\\x."),
            ["", "\\\\server\\share\\", "x", "."]
        );
        assert_eq!(split(".profile"), ["", "", "", ".profile"]);
    }

    #[test]
    fn makepath_adds_separators() {
        let mk = |d: Option<&str>, p: Option<&str>, f: Option<&str>, e: Option<&str>| {
            String::from_utf16_lossy(&make_path([d, p, f, e].map(|x| x.map(units))))
        };
        assert_eq!(
            mk(Some("c"), Some("\\dir"), Some("f"), Some("txt")),
            "c:\\dir\\f.txt"
        );
        assert_eq!(mk(Some("C:"), Some("d/"), Some("f"), Some(".c")), "C:d/f.c");
        assert_eq!(mk(None, None, Some("f"), None), "f");
        assert_eq!(mk(Some(""), Some(""), Some("f"), Some("")), "f");
    }

    #[test]
    fn modes_from_attributes_and_extension() {
        assert_eq!(mode_of(0x20, "C:\\x.txt"), 0x81B6);
        assert_eq!(mode_of(0x21, "x.EXE"), 0x816D);
        assert_eq!(mode_of(0x10, "dir"), 0x41FF);
        assert_eq!(mode_of(0x10, "C:\\"), 0x41FF);
        assert_eq!(mode_of(0x20, "a.bat"), 0x81FF);
    }

    #[test]
    fn temporary_name_generations_count_in_base_32() {
        assert_eq!(base32(0x26c), "jc");
        assert_eq!(next_generation("\\s4."), Some("\\s4.1".to_string()));
        assert_eq!(next_generation("\\s4.v"), Some("\\s4.10".to_string()));
        assert_eq!(next_generation("\\s4.vvu"), None);
        assert_eq!(time_t_of(FILETIME_1970), 0);
        assert_eq!(time_t_of(0), -1);
        assert_eq!(filetime_of(1), FILETIME_1970 + TICKS);
    }
}
