//! The low-level descriptor calls beyond `_open`/`_read`/`_write`/`_lseek`/`_close`: `_dup`
//! and `_dup2` (DuplicateHandle), `_commit` (FlushFileBuffers), `_chsize` (zeros written, or
//! SetEndOfFile), `_filelength`, `_eof`, `_tell`, `_isatty` (GetFileType's FILE_TYPE_CHAR, as
//! the descriptor was marked when it was opened), `_get_osfhandle` and `_open_osfhandle`,
//! with msvcrt's errno and `_doserrno` for each failure.

use nt_object::Handle;

use super::stdio::{self, Fd};
use super::{CrtState, dosmaperr, errno, fail_errno, with_state};
use win32::{ApiCall, export};

/// -1.
const FAILED: u32 = u32::MAX;
/// `_O_APPEND`, `_O_TEXT` and `_O_NOINHERIT` of `_open_osfhandle`'s flags.
const O_APPEND: u32 = 0x8;
const O_TEXT: u32 = 0x4000;
const O_NOINHERIT: u32 = 0x80;
/// `__set_app_type`'s _CONSOLE_APP.
const CONSOLE_APP: u32 = 1;

/// The open descriptor `fd`, or None with errno EBADF and `_doserrno` 0.
fn open_fd(call: &mut ApiCall<'_>, state: &CrtState, fd: u32) -> Option<Fd> {
    let d = state.fds.get(&fd).copied();
    if d.is_none() {
        fail_errno(call, errno::EBADF, 0);
    }
    d
}

/// msvcrt's `_set_osfhnd`: a console program's descriptors 0, 1 and 2 are its standard
/// handles, so giving one a handle makes it the standard handle too (SetStdHandle).
fn set_osfhnd(call: &mut ApiCall<'_>, state: &mut CrtState, fd: u32, d: Fd) {
    if fd <= 2 && state.app_type == CONSOLE_APP {
        let _ = kernel32::set_std_handle_to(call, fd as usize, d.handle);
    }
    state.fds.insert(fd, d);
}

/// `_dup` and `_dup2`'s DuplicateHandle: a descriptor like `d` on an inheritable duplicate of
/// its handle (FNOINHERIT cleared), or None with errno from the error.
fn duplicate(call: &mut ApiCall<'_>, d: Fd) -> Option<Fd> {
    match kernel32::duplicate_handle_same_access(call, d.handle, true) {
        Ok(handle) => Some(Fd {
            handle,
            no_inherit: false,
            owned: true,
            ..d
        }),
        Err(e) => {
            dosmaperr(call, e.0);
            None
        }
    }
}

/// _dup(fd): a new descriptor (the lowest free one) on a duplicate of `fd`'s handle, or -1
/// (EBADF for a descriptor that is not open, EMFILE when none is free).
#[export(cdecl)]
fn _dup(call: &mut ApiCall<'_>, fd: u32) -> u32 {
    with_state(call, |call, state| {
        let Some(d) = open_fd(call, state, fd) else {
            return FAILED;
        };
        let Some(new_fd) = stdio::free_fd(call, state) else {
            return FAILED;
        };
        match duplicate(call, d) {
            Some(new) => {
                set_osfhnd(call, state, new_fd, new);
                new_fd
            }
            None => FAILED,
        }
    })
}

/// _dup2(fd1, fd2): `fd2` becomes a descriptor on a duplicate of `fd1`'s handle (closed first
/// if it is open); 0, or -1 with EBADF when `fd1` is not open or `fd2` is out of range.
#[export(cdecl)]
fn _dup2(call: &mut ApiCall<'_>, fd1: u32, fd2: u32) -> i32 {
    with_state(call, |call, state| {
        let Some(d) = open_fd(call, state, fd1) else {
            return -1;
        };
        if fd2 >= stdio::MAX_FDS {
            fail_errno(call, errno::EBADF, 0);
            return -1;
        }
        if fd1 == fd2 {
            return 0;
        }
        if state.fds.contains_key(&fd2) {
            state.streams.retain(|_, s| s.fd != fd2);
            stdio::close_fd(call, state, fd2);
        }
        match duplicate(call, d) {
            Some(new) => {
                set_osfhnd(call, state, fd2, new);
                0
            }
            None => -1,
        }
    })
}

/// _commit(fd): FlushFileBuffers; 0, or -1 with errno EBADF (and `_doserrno` the error).
#[export(cdecl)]
fn _commit(call: &mut ApiCall<'_>, fd: u32) -> i32 {
    with_state(call, |call, state| {
        let Some(d) = open_fd(call, state, fd) else {
            return -1;
        };
        match kernel32::flush_file(call, d.handle) {
            Ok(()) => 0,
            Err(e) => {
                fail_errno(call, errno::EBADF, e.0);
                -1
            }
        }
    })
}

/// _chsize(fd, size): extends the file with zeros (written in binary mode) or cuts it at
/// `size` (SetEndOfFile); the position stays. 0, or -1: EBADF for a descriptor that is not
/// open, EACCES when the file cannot be written.
#[export(cdecl)]
fn _chsize(call: &mut ApiCall<'_>, fd: u32, size: i32) -> i32 {
    with_state(call, |call, state| {
        let Some(d) = open_fd(call, state, fd) else {
            return -1;
        };
        let Some(place) = stdio::lseek_fd(call, state, fd, 0, 1) else {
            return -1;
        };
        let Some(end) = stdio::lseek_fd(call, state, fd, 0, 2) else {
            return -1;
        };
        let extend = i64::from(size) - i64::from(end);
        let mut result = 0;
        if extend > 0 {
            let binary = Fd { text: false, ..d };
            state.fds.insert(fd, binary);
            let mut left = extend as u64;
            while left > 0 {
                let chunk = left.min(0x1000) as usize;
                if !stdio::write_fd(call, state, fd, &vec![0; chunk]) {
                    if super::doserrno(call) == 5 {
                        super::set_errno(call, errno::EACCES);
                    }
                    result = -1;
                    break;
                }
                left -= chunk as u64;
            }
            state.fds.insert(fd, d);
        } else if extend < 0 {
            let _ = stdio::lseek_fd(call, state, fd, size, 0);
            if let Err(e) = kernel32::set_end_of_file_at(call, d.handle) {
                fail_errno(call, errno::EACCES, e.0);
                result = -1;
            }
        }
        let _ = stdio::lseek_fd(call, state, fd, place as i32, 0);
        result
    })
}

/// _filelength(fd): the file's length (the position is kept), or -1 with errno (EBADF and
/// `_doserrno` 0 for a descriptor that is not open; a console cannot seek: EBADF).
#[export(cdecl)]
fn _filelength(call: &mut ApiCall<'_>, fd: u32) -> u32 {
    with_state(call, |call, state| {
        if open_fd(call, state, fd).is_none() {
            return FAILED;
        }
        let Some(here) = stdio::lseek_fd(call, state, fd, 0, 1) else {
            return FAILED;
        };
        let Some(end) = stdio::lseek_fd(call, state, fd, 0, 2) else {
            return FAILED;
        };
        if here != end {
            let _ = stdio::lseek_fd(call, state, fd, here as i32, 0);
        }
        end
    })
}

/// _eof(fd): 1 at the end of the file, 0 before it, -1 with errno (EBADF for a descriptor
/// that is not open or cannot seek).
#[export(cdecl)]
fn _eof(call: &mut ApiCall<'_>, fd: u32) -> i32 {
    with_state(call, |call, state| {
        if open_fd(call, state, fd).is_none() {
            return -1;
        }
        let Some(here) = stdio::lseek_fd(call, state, fd, 0, 1) else {
            return -1;
        };
        let Some(end) = stdio::lseek_fd(call, state, fd, 0, 2) else {
            return -1;
        };
        if here == end {
            1
        } else {
            let _ = stdio::lseek_fd(call, state, fd, here as i32, 0);
            0
        }
    })
}

/// _tell(fd): the position (`_lseek(fd, 0, SEEK_CUR)`), or -1 with errno.
#[export(cdecl)]
fn _tell(call: &mut ApiCall<'_>, fd: u32) -> u32 {
    with_state(call, |call, state| {
        stdio::lseek_fd(call, state, fd, 0, 1).unwrap_or(FAILED)
    })
}

/// _isatty(fd): 0x40 (FDEV) for a character device, as GetFileType reported the handle
/// when the descriptor was made (the console; NUL too, as on NT), else 0 (a disk file, a
/// pipe, a redirected standard handle, a descriptor that is not open).
#[export(cdecl)]
fn _isatty(call: &mut ApiCall<'_>, fd: u32) -> u32 {
    with_state(call, |_, state| {
        if state.fds.get(&fd).is_some_and(|d| d.device) {
            0x40
        } else {
            0
        }
    })
}

/// _get_osfhandle(fd): the descriptor's handle, or -1 with EBADF (`_doserrno` 0).
#[export(cdecl)]
fn _get_osfhandle(call: &mut ApiCall<'_>, fd: u32) -> u32 {
    with_state(call, |call, state| match open_fd(call, state, fd) {
        Some(d) => d.handle.0,
        None => FAILED,
    })
}

/// _open_osfhandle(osfhandle, flags): a new descriptor on a handle the program has (binary
/// unless `_O_TEXT`; `_O_APPEND` and `_O_NOINHERIT` kept); -1 with errno from GetFileType's
/// error for a handle that is not a file (EBADF), EMFILE when no descriptor is free.
#[export(cdecl)]
fn _open_osfhandle(call: &mut ApiCall<'_>, osfhandle: u32, flags: u32) -> u32 {
    with_state(call, |call, state| {
        let handle = Handle(osfhandle);
        let Some(mut d) = Fd::on(call, handle, flags & O_TEXT != 0, true) else {
            let error = call.last_error();
            dosmaperr(call, error);
            return FAILED;
        };
        d.append = flags & O_APPEND != 0;
        d.no_inherit = flags & O_NOINHERIT != 0;
        let Some(fd) = stdio::free_fd(call, state) else {
            return FAILED;
        };
        set_osfhnd(call, state, fd, d);
        fd
    })
}
