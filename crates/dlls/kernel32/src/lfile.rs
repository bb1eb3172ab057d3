//! The file functions Windows 3.x programs called, kept by NT's KERNEL32 for them: _lcreat,
//! _lopen, _lread and _hread, _lwrite and _hwrite, _llseek, _lclose, and OpenFile with its
//! OFSTRUCT. Each is CreateFile, ReadFile, WriteFile, SetFilePointer or CloseHandle with the
//! old interface: an HFILE is the handle's value, and HFILE_ERROR (-1) the failure.

use nt_object::Handle;
use nt_status::Win32Error;
use win32::{AnsiStr, ApiCall, ApiReturn, Ptr, export};

use super::file::{self, CREATE_ALWAYS, FILE_SHARE_READ, FILE_SHARE_WRITE, OPEN_EXISTING};

/// HFILE_ERROR.
const HFILE_ERROR: u32 = 0xFFFF_FFFF;
/// GENERIC_READ.
const GENERIC_READ: u32 = 0x8000_0000;
/// GENERIC_WRITE.
const GENERIC_WRITE: u32 = 0x4000_0000;
/// The attributes _lcreat passes on: read-only, hidden and system.
const LCREAT_ATTRIBUTES: u32 = 0x1 | 0x2 | 0x4;

/// OF_WRITE.
const OF_WRITE: u32 = 0x1;
/// OF_READWRITE.
const OF_READWRITE: u32 = 0x2;
/// OF_SHARE_EXCLUSIVE.
const OF_SHARE_EXCLUSIVE: u32 = 0x10;
/// OF_SHARE_DENY_WRITE.
const OF_SHARE_DENY_WRITE: u32 = 0x20;
/// OF_SHARE_DENY_READ.
const OF_SHARE_DENY_READ: u32 = 0x30;
/// OF_PARSE: only fill the OFSTRUCT.
const OF_PARSE: u32 = 0x100;
/// OF_DELETE: delete the file.
const OF_DELETE: u32 = 0x200;
/// OF_CREATE: create the file (or cut it to 0 bytes).
const OF_CREATE: u32 = 0x1000;
/// OF_EXIST: open and close, to see that it is there.
const OF_EXIST: u32 = 0x4000;
/// OF_REOPEN: the name is the OFSTRUCT's.
const OF_REOPEN: u32 = 0x8000;
/// sizeof(OFSTRUCT).
const OFSTRUCT_SIZE: u8 = 136;
/// OFS_MAXPATHNAME: szPathName's size.
const OFS_MAXPATHNAME: usize = 128;
/// Where szPathName starts in an OFSTRUCT.
const OFS_PATH: u32 = 8;

/// The access and share mode an OF_* / _lopen mode asks for.
fn open_mode(mode: u32) -> (u32, u32) {
    let access = match mode & 0x3 {
        OF_WRITE => GENERIC_WRITE,
        OF_READWRITE => GENERIC_READ | GENERIC_WRITE,
        _ => GENERIC_READ,
    };
    let share = match mode & 0x70 {
        OF_SHARE_EXCLUSIVE => 0,
        OF_SHARE_DENY_WRITE => FILE_SHARE_READ,
        OF_SHARE_DENY_READ => FILE_SHARE_WRITE,
        // OF_SHARE_COMPAT and OF_SHARE_DENY_NONE.
        _ => FILE_SHARE_READ | FILE_SHARE_WRITE,
    };
    (access, share)
}

/// A handle's value as an HFILE, or HFILE_ERROR with the last error set.
fn hfile(call: &mut ApiCall<'_>, r: Result<Handle, Win32Error>) -> ApiReturn {
    match r {
        Ok(h) => ApiReturn::Value(h.0),
        Err(e) => call.fail_win32(e, HFILE_ERROR),
    }
}

/// _lcreat(lpPathName, iAttribute): CreateFile with CREATE_ALWAYS for reading and writing,
/// shared for both; of the attributes only read-only, hidden and system count (a read-only
/// file is still written through this handle).
#[export]
fn _lcreat(call: &mut ApiCall<'_>, lpPathName: Option<AnsiStr>, iAttribute: u32) -> ApiReturn {
    let r = file::open_file(
        call,
        lpPathName.as_deref().unwrap_or(""),
        GENERIC_READ | GENERIC_WRITE,
        FILE_SHARE_READ | FILE_SHARE_WRITE,
        CREATE_ALWAYS,
        iAttribute & LCREAT_ATTRIBUTES,
    );
    hfile(call, r)
}

/// _lopen(lpPathName, iReadWrite): opens an existing file for OF_READ, OF_WRITE or
/// OF_READWRITE with an OF_SHARE_* mode.
#[export]
fn _lopen(call: &mut ApiCall<'_>, lpPathName: Option<AnsiStr>, iReadWrite: u32) -> ApiReturn {
    let (access, share) = open_mode(iReadWrite);
    let r = file::open_file(
        call,
        lpPathName.as_deref().unwrap_or(""),
        access,
        share,
        OPEN_EXISTING,
        0,
    );
    hfile(call, r)
}

/// A place for a count ReadFile or WriteFile writes back: below the caller's stack pointer,
/// where NT's _lread keeps it in its own frame.
fn scratch(call: &ApiCall<'_>) -> Option<u32> {
    let sp = call
        .machine
        .process(call.thread.process)?
        .thread(call.thread.thread)?
        .context()
        .stack_pointer();
    Some(sp.wrapping_sub(64) & !3)
}

/// ReadFile or WriteFile (`write`) of `count` bytes at `buffer` with the count kept in the
/// scratch word: the count, or HFILE_ERROR. A call that must wait is passed on as it is.
fn transfer(
    call: &mut ApiCall<'_>,
    handle: Handle,
    buffer: Ptr,
    count: u32,
    write: bool,
) -> ApiReturn {
    let Some(at) = scratch(call) else {
        return call.fail_win32(Win32Error::INVALID_HANDLE, HFILE_ERROR);
    };
    let r = if write {
        file::WriteFile(call, handle, buffer, count, Ptr(at), Ptr(0))
    } else {
        file::ReadFile(call, handle, buffer, count, Ptr(at), Ptr(0))
    };
    match r {
        ApiReturn::Value(0) => ApiReturn::Value(HFILE_ERROR),
        ApiReturn::Value(_) => match call.read_u32(at) {
            Ok(n) => ApiReturn::Value(n),
            Err(_) => call.fail_win32(Win32Error::NOACCESS, HFILE_ERROR),
        },
        other => other,
    }
}

/// _lread(hFile, lpBuffer, uBytes): ReadFile; the bytes read (0 at the end of the file), or
/// HFILE_ERROR.
#[export]
fn _lread(call: &mut ApiCall<'_>, hFile: Handle, lpBuffer: Ptr, uBytes: u32) -> ApiReturn {
    transfer(call, hFile, lpBuffer, uBytes, false)
}

/// _hread(hFile, lpBuffer, lBytes): the same as _lread.
#[export]
fn _hread(call: &mut ApiCall<'_>, hFile: Handle, lpBuffer: Ptr, lBytes: u32) -> ApiReturn {
    transfer(call, hFile, lpBuffer, lBytes, false)
}

/// _hwrite's work: WriteFile, or with a count of 0 SetEndOfFile at the file position (the
/// MS-DOS way of cutting a file).
fn write(call: &mut ApiCall<'_>, handle: Handle, buffer: Ptr, count: u32) -> ApiReturn {
    if count == 0 {
        return match file::set_end_of_file_at(call, handle) {
            Ok(()) => ApiReturn::Value(0),
            Err(_) => ApiReturn::Value(HFILE_ERROR),
        };
    }
    transfer(call, handle, buffer, count, true)
}

/// _lwrite(hFile, lpBuffer, uBytes): the bytes written, or HFILE_ERROR; 0 bytes cut the
/// file at its position.
#[export]
fn _lwrite(call: &mut ApiCall<'_>, hFile: Handle, lpBuffer: Ptr, uBytes: u32) -> ApiReturn {
    write(call, hFile, lpBuffer, uBytes)
}

/// _hwrite(hFile, lpBuffer, lBytes): the same as _lwrite.
#[export]
fn _hwrite(call: &mut ApiCall<'_>, hFile: Handle, lpBuffer: Ptr, lBytes: u32) -> ApiReturn {
    write(call, hFile, lpBuffer, lBytes)
}

/// _llseek(hFile, lOffset, iOrigin): SetFilePointer without a high part; the new position
/// or HFILE_ERROR.
#[export]
fn _llseek(call: &mut ApiCall<'_>, hFile: Handle, lOffset: i32, iOrigin: u32) -> ApiReturn {
    file::SetFilePointer(call, hFile, lOffset, Ptr(0), iOrigin)
}

/// _lclose(hFile): CloseHandle; 0, or HFILE_ERROR.
#[export]
fn _lclose(call: &mut ApiCall<'_>, hFile: Handle) -> ApiReturn {
    match super::CloseHandle(call, hFile) {
        ApiReturn::Value(0) => ApiReturn::Value(HFILE_ERROR),
        ApiReturn::Value(_) => ApiReturn::Value(0),
        other => other,
    }
}

/// Writes the OFSTRUCT's fields: cBytes and fFixedDisk (when `done`), nErrCode, and the
/// path (when given).
fn fill(call: &mut ApiCall<'_>, ofs: u32, done: bool, error: u32, path: Option<&[u8]>) -> bool {
    let mut ok = true;
    if done {
        ok &= call.write_bytes(ofs, &[OFSTRUCT_SIZE, 1]).is_ok();
    }
    ok &= call
        .write_bytes(ofs.wrapping_add(2), &(error as u16).to_le_bytes())
        .is_ok();
    if let Some(path) = path {
        let mut bytes = path.to_vec();
        bytes.push(0);
        ok &= call.write_bytes(ofs.wrapping_add(OFS_PATH), &bytes).is_ok();
    }
    ok
}

/// OpenFile's work: the HFILE (1 for OF_EXIST and OF_DELETE, 0 for OF_PARSE), or the
/// error, which goes to nErrCode. `path` gets the full path once it is known.
fn open(
    call: &mut ApiCall<'_>,
    name: &str,
    style: u32,
    path: &mut Option<Vec<u8>>,
) -> Result<u32, Win32Error> {
    if name.len() >= OFS_MAXPATHNAME {
        return Err(Win32Error::FILENAME_EXCED_RANGE);
    }
    let bare = !name.contains(['\\', '/', ':']);
    let found = if style & (OF_CREATE | OF_PARSE) == 0 && bare {
        file::search_path(call, None, Some(name), None)
    } else {
        file::full_path_name_of(call, name)
    };
    let full = match found {
        Ok(f) => f,
        Err(e) => {
            // Not found: the name it would have is reported.
            if let Ok(f) = file::full_path_name_of(call, name)
                && let Some(ansi) = file::encode_ansi(&f).filter(|a| a.len() < OFS_MAXPATHNAME)
            {
                *path = Some(ansi);
            }
            return Err(e);
        }
    };
    let ansi = file::encode_ansi(&full).ok_or(Win32Error::INVALID_NAME)?;
    if ansi.len() >= OFS_MAXPATHNAME {
        return Err(Win32Error::FILENAME_EXCED_RANGE);
    }
    *path = Some(ansi);
    if style & OF_PARSE != 0 {
        return Ok(0);
    }
    if style & OF_DELETE != 0 {
        file::delete_file_named(call, &full)?;
        return Ok(1);
    }
    if style & OF_EXIST != 0 && style & OF_CREATE == 0 {
        let attributes = file::get_file_attributes_of(call, &full)?;
        if attributes & file::FILE_ATTRIBUTE_DIRECTORY != 0 {
            return Err(Win32Error::ACCESS_DENIED);
        }
        return Ok(1);
    }
    let (access, share) = open_mode(style);
    let disposition = if style & OF_CREATE != 0 {
        CREATE_ALWAYS
    } else {
        OPEN_EXISTING
    };
    let handle = file::open_file(call, &full, access, share, disposition, 0)?;
    if style & OF_EXIST != 0 {
        let _ = super::CloseHandle(call, handle);
        return Ok(1);
    }
    Ok(handle.0)
}

/// OpenFile(lpFileName, lpReOpenBuff, uStyle): opens, creates, deletes, or checks for a
/// file, looking for a bare name as SearchPath does, and reports in the OFSTRUCT: cBytes
/// and the full path on success, nErrCode always. A name of OFS_MAXPATHNAME characters or
/// more is ERROR_FILENAME_EXCED_RANGE with the path left alone. A success leaves the last
/// error as it was.
#[export]
fn OpenFile(
    call: &mut ApiCall<'_>,
    lpFileName: Option<AnsiStr>,
    lpReOpenBuff: Ptr,
    uStyle: u32,
) -> ApiReturn {
    let ofs = lpReOpenBuff.0;
    if ofs == 0 {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, HFILE_ERROR);
    }
    let name = if uStyle & OF_REOPEN != 0 {
        match call.read_c_string(ofs.wrapping_add(OFS_PATH), OFS_MAXPATHNAME) {
            Ok(n) => Some(n),
            Err(_) => return call.fail_win32(Win32Error::NOACCESS, HFILE_ERROR),
        }
    } else {
        lpFileName.as_deref().map(str::to_string)
    };
    let Some(name) = name else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, HFILE_ERROR);
    };
    let before = call.last_error();
    let mut path = None;
    let r = open(call, &name, uStyle, &mut path);
    let wrote = match r {
        Ok(_) => fill(call, ofs, true, 0, path.as_deref()),
        Err(e) => fill(call, ofs, false, e.0, path.as_deref()),
    };
    if !wrote {
        return call.fail_win32(Win32Error::NOACCESS, HFILE_ERROR);
    }
    match r {
        Ok(h) => {
            call.set_last_error(before);
            ApiReturn::Value(h)
        }
        Err(e) => call.fail_win32(e, HFILE_ERROR),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_modes_give_nt_access_and_sharing() {
        assert_eq!(open_mode(0), (GENERIC_READ, 3));
        assert_eq!(open_mode(OF_WRITE), (GENERIC_WRITE, 3));
        assert_eq!(
            open_mode(OF_READWRITE | 0x10),
            (GENERIC_READ | GENERIC_WRITE, 0)
        );
        assert_eq!(open_mode(0x20), (GENERIC_READ, FILE_SHARE_READ));
        assert_eq!(open_mode(0x30), (GENERIC_READ, FILE_SHARE_WRITE));
        assert_eq!(open_mode(0x40), (GENERIC_READ, 3));
    }
}
