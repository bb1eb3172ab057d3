//! More of KERNEL32's file functions: GetFileAttributesEx (NT 4.0), and, for programs
//! built for later Windows that import them (KERNEL32 binds them to static imports only;
//! GetProcAddress finds them not, as on NT 4.0): GetFileSizeEx, ReplaceFile,
//! CreateHardLink and GetLongPathName.

use nt_object::Handle;
use nt_status::Win32Error;
use win32::{AnsiStr, ApiCall, ApiReturn, OutBuf, Ptr, WideStr, export};

use super::file;
use super::path::FullPath;

/// GetFileExInfoStandard.
const GET_FILE_EX_INFO_STANDARD: u32 = 0;
/// MOVEFILE_REPLACE_EXISTING.
const MOVEFILE_REPLACE_EXISTING: u32 = 0x1;

/// GetFileAttributesEx's work: WIN32_FILE_ATTRIBUTE_DATA (attributes, creation, last
/// access and last write times, size) of an existing file or directory.
fn attributes_ex(call: &mut ApiCall<'_>, name: Option<&str>, level: u32, out: Ptr) -> ApiReturn {
    if level != GET_FILE_EX_INFO_STANDARD {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    let r = (|| {
        let name = name.unwrap_or("");
        if name.is_empty() {
            return Err(Win32Error::PATH_NOT_FOUND);
        }
        let (_, _, node) = file::existing(call, name)?;
        let mut b = Vec::with_capacity(36);
        b.extend_from_slice(&file::attributes_of(&node).to_le_bytes());
        for t in file::times_of(&node) {
            b.extend_from_slice(&t.to_le_bytes());
        }
        b.extend_from_slice(&((node.size >> 32) as u32).to_le_bytes());
        b.extend_from_slice(&(node.size as u32).to_le_bytes());
        call.write_bytes(out.0, &b)
            .map_err(|_| Win32Error::NOACCESS)?;
        Ok(())
    })();
    match r {
        Ok(()) => ApiReturn::Value(1),
        Err(e) => call.fail_win32(e, 0),
    }
}

/// GetFileAttributesExA(lpFileName, fInfoLevelId, lpFileInformation).
#[export]
fn GetFileAttributesExA(
    call: &mut ApiCall<'_>,
    lpFileName: Option<AnsiStr>,
    fInfoLevelId: u32,
    lpFileInformation: Ptr,
) -> ApiReturn {
    attributes_ex(call, lpFileName.as_deref(), fInfoLevelId, lpFileInformation)
}

/// GetFileAttributesExW(lpFileName, fInfoLevelId, lpFileInformation).
#[export]
fn GetFileAttributesExW(
    call: &mut ApiCall<'_>,
    lpFileName: Option<WideStr>,
    fInfoLevelId: u32,
    lpFileInformation: Ptr,
) -> ApiReturn {
    attributes_ex(call, lpFileName.as_deref(), fInfoLevelId, lpFileInformation)
}

/// GetFileSizeEx(hFile, lpFileSize) (Windows 2000): the size as a LARGE_INTEGER; a handle
/// that is no disk file is ERROR_INVALID_FUNCTION (a console) or ERROR_INVALID_HANDLE.
#[export]
fn GetFileSizeEx(call: &mut ApiCall<'_>, hFile: Handle, lpFileSize: Ptr) -> ApiReturn {
    let r = (|| {
        let (object, _) = file::file_object(call, hFile, 0)?;
        let size = if let Some(disk) = object.payload::<file::DiskFile>() {
            disk.state()?.node.size
        } else if object.payload::<file::NullDevice>().is_some()
            || object.payload::<super::HostFile>().is_some()
        {
            return Err(Win32Error::INVALID_FUNCTION);
        } else {
            return Err(Win32Error::INVALID_HANDLE);
        };
        call.write_bytes(lpFileSize.0, &size.to_le_bytes())
            .map_err(|_| Win32Error::NOACCESS)
    })();
    match r {
        Ok(()) => ApiReturn::Value(1),
        Err(e) => call.fail_win32(e, 0),
    }
}

/// ReplaceFile's work: the replaced file moves to the backup name (replacing a backup that
/// exists) or away, and the replacement takes its name. A read-only replaced or replacement
/// file is ERROR_ACCESS_DENIED; a replacement another open uses is ERROR_SHARING_VIOLATION.
fn replace_file(
    call: &mut ApiCall<'_>,
    replaced: Option<&str>,
    replacement: Option<&str>,
    backup: Option<&str>,
    exclude: Ptr,
    reserved: Ptr,
) -> Result<(), Win32Error> {
    if !exclude.is_null() || !reserved.is_null() {
        return Err(Win32Error::INVALID_PARAMETER);
    }
    let (Some(replaced), Some(replacement)) = (replaced, replacement) else {
        return Err(Win32Error::INVALID_PARAMETER);
    };
    let (_, _, old) = file::existing(call, replaced)?;
    let (_, _, new) = file::existing(call, replacement)?;
    if old.is_dir() || new.is_dir() || old.read_only || new.read_only {
        return Err(Win32Error::ACCESS_DENIED);
    }
    // The replacement is opened to be written: nobody else may use it.
    file::check_share_of(call, new.id, 0x2 | 0x1_0000, 0)?;
    let aside = match backup {
        Some(b) => b.to_string(),
        None => {
            // Out of the way under a name of its own, deleted at the end (when its last
            // open closes, if it has any).
            let full = file::full_path_name_of(call, replaced)?;
            (0u32..)
                .map(|n| format!("{full}.~rp{n}"))
                .take(1000)
                .find(|n| matches!(file::existing(call, n), Err(Win32Error::FILE_NOT_FOUND)))
                .ok_or(Win32Error::ACCESS_DENIED)?
        }
    };
    file::move_named(call, replaced, &aside, MOVEFILE_REPLACE_EXISTING)?;
    if let Err(e) = file::move_named(call, replacement, replaced, MOVEFILE_REPLACE_EXISTING) {
        // The replaced file goes back.
        let _ = file::move_named(call, &aside, replaced, 0);
        return Err(e);
    }
    if backup.is_none() {
        let _ = file::delete_file_named(call, &aside);
    }
    Ok(())
}

/// ReplaceFileA(lpReplacedFileName, lpReplacementFileName, lpBackupFileName,
/// dwReplaceFlags, lpExclude, lpReserved) (Windows 2000).
#[export]
fn ReplaceFileA(
    call: &mut ApiCall<'_>,
    lpReplacedFileName: Option<AnsiStr>,
    lpReplacementFileName: Option<AnsiStr>,
    lpBackupFileName: Option<AnsiStr>,
    dwReplaceFlags: u32,
    lpExclude: Ptr,
    lpReserved: Ptr,
) -> ApiReturn {
    let _ = dwReplaceFlags;
    match replace_file(
        call,
        lpReplacedFileName.as_deref(),
        lpReplacementFileName.as_deref(),
        lpBackupFileName.as_deref(),
        lpExclude,
        lpReserved,
    ) {
        Ok(()) => ApiReturn::Value(1),
        Err(e) => call.fail_win32(e, 0),
    }
}

/// ReplaceFileW(lpReplacedFileName, lpReplacementFileName, lpBackupFileName,
/// dwReplaceFlags, lpExclude, lpReserved) (Windows 2000).
#[export]
fn ReplaceFileW(
    call: &mut ApiCall<'_>,
    lpReplacedFileName: Option<WideStr>,
    lpReplacementFileName: Option<WideStr>,
    lpBackupFileName: Option<WideStr>,
    dwReplaceFlags: u32,
    lpExclude: Ptr,
    lpReserved: Ptr,
) -> ApiReturn {
    let _ = dwReplaceFlags;
    match replace_file(
        call,
        lpReplacedFileName.as_deref(),
        lpReplacementFileName.as_deref(),
        lpBackupFileName.as_deref(),
        lpExclude,
        lpReserved,
    ) {
        Ok(()) => ApiReturn::Value(1),
        Err(e) => call.fail_win32(e, 0),
    }
}

/// CreateHardLink's work: `name` a second name of the existing file `existing` on the same
/// drive. A name that exists (in any case) is ERROR_ALREADY_EXISTS, a directory
/// ERROR_ACCESS_DENIED. (A file with two names is read-only to the guest: ntemu's drives
/// write no file that may have a name outside them.)
fn create_hard_link(
    call: &mut ApiCall<'_>,
    name: Option<&str>,
    existing: Option<&str>,
) -> Result<(), Win32Error> {
    let (Some(name), Some(existing)) = (name, existing) else {
        return Err(Win32Error::PATH_NOT_FOUND);
    };
    let (volume, from, node) = file::existing(call, existing)?;
    if node.is_dir() {
        return Err(Win32Error::ACCESS_DENIED);
    }
    let to_full = file::full(call, name)?;
    if matches!(to_full, FullPath::Device { .. }) {
        return Err(Win32Error::ACCESS_DENIED);
    }
    let (target_volume, to) = file::resolve(call, &to_full)?;
    if !std::sync::Arc::ptr_eq(&volume, &target_volume) {
        return Err(Win32Error::NOT_SAME_DEVICE);
    }
    if to.node.is_some() {
        return Err(Win32Error::ALREADY_EXISTS);
    }
    volume.link(&from, &to)
}

/// CreateHardLinkA(lpFileName, lpExistingFileName, lpSecurityAttributes) (Windows 2000).
#[export]
fn CreateHardLinkA(
    call: &mut ApiCall<'_>,
    lpFileName: Option<AnsiStr>,
    lpExistingFileName: Option<AnsiStr>,
    lpSecurityAttributes: Ptr,
) -> ApiReturn {
    let _ = lpSecurityAttributes;
    match create_hard_link(call, lpFileName.as_deref(), lpExistingFileName.as_deref()) {
        Ok(()) => ApiReturn::Value(1),
        Err(e) => call.fail_win32(e, 0),
    }
}

/// CreateHardLinkW(lpFileName, lpExistingFileName, lpSecurityAttributes) (Windows 2000).
#[export]
fn CreateHardLinkW(
    call: &mut ApiCall<'_>,
    lpFileName: Option<WideStr>,
    lpExistingFileName: Option<WideStr>,
    lpSecurityAttributes: Ptr,
) -> ApiReturn {
    let _ = lpSecurityAttributes;
    match create_hard_link(call, lpFileName.as_deref(), lpExistingFileName.as_deref()) {
        Ok(()) => ApiReturn::Value(1),
        Err(e) => call.fail_win32(e, 0),
    }
}

/// GetLongPathName's work: the name with each component spelled as the directory holds it
/// (an 8.3 alias made its long name); the name keeps its form.
fn long_path(call: &mut ApiCall<'_>, name: Option<&str>) -> Result<String, Win32Error> {
    let name = name.unwrap_or("");
    if name.is_empty() {
        return Err(Win32Error::PATH_NOT_FOUND);
    }
    file::existing(call, name)?;
    let mut out = String::with_capacity(name.len());
    let mut consumed = String::with_capacity(name.len());
    let mut rest = name;
    while !rest.is_empty() {
        let end = rest.find(['\\', '/']).unwrap_or(rest.len());
        let (component, tail) = rest.split_at(end);
        consumed.push_str(component);
        let is_drive = component.len() == 2 && component.ends_with(':') && out.is_empty();
        if component.is_empty() || component == "." || component == ".." || is_drive {
            out.push_str(component);
        } else {
            match file::existing(call, &consumed) {
                Ok((_, at, _)) if !at.name.is_empty() => out.push_str(&at.name),
                Ok(_) => out.push_str(component),
                Err(e) => return Err(e),
            }
        }
        match tail.chars().next() {
            Some(sep) => {
                out.push(sep);
                consumed.push(sep);
                rest = &tail[sep.len_utf8()..];
            }
            None => rest = tail,
        }
    }
    Ok(out)
}

/// GetLongPathNameA(lpszShortPath, lpszLongPath, cchBuffer) (Windows 2000): the length, or
/// the size needed with the NUL.
#[export]
fn GetLongPathNameA(
    call: &mut ApiCall<'_>,
    lpszShortPath: Option<AnsiStr>,
    #[size(cchBuffer)] lpszLongPath: OutBuf<u8>,
    cchBuffer: u32,
) -> ApiReturn {
    match long_path(call, lpszShortPath.as_deref()) {
        Ok(name) => {
            let bytes = file::encode_ansi(&name).unwrap_or_default();
            file::copy_string_out(call, lpszLongPath.ptr, lpszLongPath.capacity, &bytes)
        }
        Err(e) => call.fail_win32(e, 0),
    }
}

/// GetLongPathNameW(lpszShortPath, lpszLongPath, cchBuffer) (Windows 2000).
#[export]
fn GetLongPathNameW(
    call: &mut ApiCall<'_>,
    lpszShortPath: Option<WideStr>,
    #[size(cchBuffer)] lpszLongPath: OutBuf<u16>,
    cchBuffer: u32,
) -> ApiReturn {
    match long_path(call, lpszShortPath.as_deref()) {
        Ok(name) => {
            let units: Vec<u16> = name.encode_utf16().collect();
            file::copy_wide_string_out(call, lpszLongPath, &units)
        }
        Err(e) => call.fail_win32(e, 0),
    }
}
