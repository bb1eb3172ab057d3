//! The DOS device names of the object namespace's `\??` directory: QueryDosDevice lists
//! them or tells a name's targets, and DefineDosDevice adds and removes definitions. The
//! machine's drives and NT's standard devices are there from the start; definitions a
//! program adds stack on a name, the newest first, as NT keeps them. Also Windows 2000's
//! GetVolumeNameForVolumeMountPoint, for the drives' roots.

use std::collections::BTreeMap;

use nt_status::Win32Error;
use win32::codepage::CodePage;
use win32::{ApiCall, ApiReturn, Ptr, export};

use crate::K32;

/// NT's standard DOS devices (besides the drives) and their targets.
const STANDARD: &[(&str, &str)] = &[
    ("AUX", "\\DosDevices\\COM1"),
    ("COM1", "\\Device\\Serial0"),
    ("LPT1", "\\Device\\Parallel0"),
    ("MAILSLOT", "\\Device\\MailSlot"),
    ("NUL", "\\Device\\Null"),
    ("PIPE", "\\Device\\NamedPipe"),
    ("PRN", "\\DosDevices\\LPT1"),
    ("UNC", "\\Device\\Mup"),
];

/// DDD_RAW_TARGET_PATH.
const DDD_RAW_TARGET_PATH: u32 = 1;
/// DDD_REMOVE_DEFINITION.
const DDD_REMOVE_DEFINITION: u32 = 2;
/// DDD_EXACT_MATCH_ON_REMOVE.
const DDD_EXACT_MATCH_ON_REMOVE: u32 = 4;

/// The definitions programs changed: by upper-case name, the targets (newest first); an
/// empty list hides a standard name or drive whose definitions were all removed.
#[derive(Default)]
struct DosDevices(BTreeMap<String, Vec<String>>);

/// The targets a drive letter starts with: the drive's partition.
fn drive_target(letter: char) -> String {
    let disk = u32::from(letter) - u32::from('A');
    format!("\\Device\\Harddisk{}\\Partition1", disk.saturating_sub(2))
}

/// Every name and its targets (newest first), sorted by name.
fn table(call: &mut ApiCall<'_>) -> BTreeMap<String, Vec<String>> {
    let mut names: BTreeMap<String, Vec<String>> = STANDARD
        .iter()
        .map(|(n, t)| (n.to_string(), vec![t.to_string()]))
        .collect();
    for v in call.state.k32().files.volumes().to_vec() {
        names.insert(format!("{}:", v.letter), vec![drive_target(v.letter)]);
    }
    for (name, targets) in &call.state.get::<DosDevices>().0 {
        names.insert(name.clone(), targets.clone());
    }
    names.retain(|_, t| !t.is_empty());
    names
}

/// QueryDosDevice's answer: the strings, each with its NUL, and a final NUL.
fn query(call: &mut ApiCall<'_>, name: Option<&str>) -> Result<Vec<String>, Win32Error> {
    let table = table(call);
    match name {
        None => Ok(table.into_keys().collect()),
        Some(name) => table
            .get(&name.to_uppercase())
            .cloned()
            .ok_or(Win32Error::FILE_NOT_FOUND),
    }
}

/// Writes a QueryDosDevice answer of `unit`-byte characters: the count of characters
/// stored (both NULs included), or 0 and ERROR_INSUFFICIENT_BUFFER when it does not fit.
fn answer(call: &mut ApiCall<'_>, strings: &[String], out: Ptr, max: u32, wide: bool) -> ApiReturn {
    let mut units: Vec<u16> = Vec::new();
    let mut bytes: Vec<u8> = Vec::new();
    for s in strings {
        units.extend(s.encode_utf16());
        units.push(0);
        bytes.extend(CodePage::Ansi.encode_str(s));
        bytes.push(0);
    }
    units.push(0);
    bytes.push(0);
    let (data, count): (Vec<u8>, u32) = if wide {
        let n = units.len() as u32;
        (units.iter().flat_map(|u| u.to_le_bytes()).collect(), n)
    } else {
        let n = bytes.len() as u32;
        (bytes, n)
    };
    if count > max || out.is_null() {
        return call.fail_win32(Win32Error::INSUFFICIENT_BUFFER, 0);
    }
    match call.write_bytes(out.0, &data) {
        Ok(()) => ApiReturn::Value(count),
        Err(_) => call.fail_win32(Win32Error::NOACCESS, 0),
    }
}

fn read_name(call: &ApiCall<'_>, at: Ptr, wide: bool) -> Result<Option<String>, Win32Error> {
    if at.is_null() {
        return Ok(None);
    }
    call.read_text(at.0, 0x8000, wide)
        .map(Some)
        .map_err(|_| Win32Error::NOACCESS)
}

fn query_dos_device(
    call: &mut ApiCall<'_>,
    name: Ptr,
    out: Ptr,
    max: u32,
    wide: bool,
) -> ApiReturn {
    let result = read_name(call, name, wide).and_then(|n| query(call, n.as_deref()));
    match result {
        Ok(strings) => answer(call, &strings, out, max, wide),
        Err(e) => call.fail_win32(e, 0),
    }
}

/// DWORD QueryDosDeviceA(LPCSTR lpDeviceName, LPSTR lpTargetPath, DWORD ucchMax): a
/// name's targets, or with a NULL name every name; each string ends in NUL and a further
/// NUL ends the list. Returns the characters stored; 0 with ERROR_FILE_NOT_FOUND for an
/// unknown name or ERROR_INSUFFICIENT_BUFFER when the list does not fit.
#[export]
fn QueryDosDeviceA(
    call: &mut ApiCall<'_>,
    lpDeviceName: Ptr,
    lpTargetPath: Ptr,
    ucchMax: u32,
) -> ApiReturn {
    query_dos_device(call, lpDeviceName, lpTargetPath, ucchMax, false)
}

/// DWORD QueryDosDeviceW(LPCWSTR lpDeviceName, LPWSTR lpTargetPath, DWORD ucchMax).
#[export]
fn QueryDosDeviceW(
    call: &mut ApiCall<'_>,
    lpDeviceName: Ptr,
    lpTargetPath: Ptr,
    ucchMax: u32,
) -> ApiReturn {
    query_dos_device(call, lpDeviceName, lpTargetPath, ucchMax, true)
}

fn define_dos_device(
    call: &mut ApiCall<'_>,
    flags: u32,
    name: Ptr,
    target: Ptr,
    wide: bool,
) -> ApiReturn {
    let name = match read_name(call, name, wide) {
        Ok(Some(n)) if !n.is_empty() => n.to_uppercase(),
        Ok(_) => return call.fail_win32(Win32Error::INVALID_PARAMETER, 0),
        Err(e) => return call.fail_win32(e, 0),
    };
    let target = match read_name(call, target, wide) {
        Ok(t) => t,
        Err(e) => return call.fail_win32(e, 0),
    };
    let target = match target {
        Some(t) if flags & DDD_RAW_TARGET_PATH == 0 && !t.is_empty() => {
            match crate::file::full_path_name_of(call, &t) {
                Ok(full) => Some(format!("\\??\\{full}")),
                Err(e) => return call.fail_win32(e, 0),
            }
        }
        other => other.filter(|t| !t.is_empty()),
    };
    let mut current = table(call).remove(&name).unwrap_or_default();
    if flags & DDD_REMOVE_DEFINITION != 0 {
        let at = match &target {
            None => (!current.is_empty()).then_some(0),
            Some(t) if flags & DDD_EXACT_MATCH_ON_REMOVE != 0 => {
                current.iter().position(|c| c.eq_ignore_ascii_case(t))
            }
            Some(t) => current
                .iter()
                .position(|c| c.len() >= t.len() && c[..t.len()].eq_ignore_ascii_case(t)),
        };
        let Some(at) = at else {
            return call.fail_win32(Win32Error::FILE_NOT_FOUND, 0);
        };
        current.remove(at);
    } else {
        let Some(target) = target else {
            return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
        };
        current.insert(0, target);
    }
    call.state.get::<DosDevices>().0.insert(name, current);
    ApiReturn::Value(1)
}

/// BOOL DefineDosDeviceA(DWORD dwFlags, LPCSTR lpDeviceName, LPCSTR lpTargetPath): adds a
/// definition of a DOS device name (the target a DOS path made full and prefixed `\??\`,
/// or with DDD_RAW_TARGET_PATH as given), or with DDD_REMOVE_DEFINITION removes the newest
/// (or the one matching the target, exactly with DDD_EXACT_MATCH_ON_REMOVE, else as a
/// prefix); ERROR_FILE_NOT_FOUND when there is none to remove.
#[export]
fn DefineDosDeviceA(
    call: &mut ApiCall<'_>,
    dwFlags: u32,
    lpDeviceName: Ptr,
    lpTargetPath: Ptr,
) -> ApiReturn {
    define_dos_device(call, dwFlags, lpDeviceName, lpTargetPath, false)
}

/// BOOL DefineDosDeviceW(DWORD dwFlags, LPCWSTR lpDeviceName, LPCWSTR lpTargetPath).
#[export]
fn DefineDosDeviceW(
    call: &mut ApiCall<'_>,
    dwFlags: u32,
    lpDeviceName: Ptr,
    lpTargetPath: Ptr,
) -> ApiReturn {
    define_dos_device(call, dwFlags, lpDeviceName, lpTargetPath, true)
}

/// The volume name (`\\?\Volume{GUID}\`) Windows 2000's mount manager would give drive
/// `letter`: a GUID made from the letter, the same in every run.
fn volume_name(letter: char) -> String {
    format!(
        "\\\\?\\Volume{{6e7450a4-4e54-11d0-8000-{:012x}}}\\",
        0x4e_54_45_4d_55_00u64 | u64::from(letter)
    )
}

fn volume_name_for_mount_point(
    call: &mut ApiCall<'_>,
    mount_point: Ptr,
    out: Ptr,
    length: u32,
    wide: bool,
) -> ApiReturn {
    let point = match read_name(call, mount_point, wide) {
        Ok(Some(p)) => p,
        Ok(None) => return call.fail_win32(Win32Error::INVALID_PARAMETER, 0),
        Err(e) => return call.fail_win32(e, 0),
    };
    let b = point.as_bytes();
    // Only a drive's root, `X:\`, is a mount point here (there are no mounted folders).
    if b.len() != 3 || !b[0].is_ascii_alphabetic() || b[1] != b':' || b[2] != b'\\' {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    let letter = char::from(b[0].to_ascii_uppercase());
    if call.state.k32().files.volume(letter).is_none() {
        return call.fail_win32(Win32Error::FILE_NOT_FOUND, 0);
    }
    let name = volume_name(letter);
    let data: Vec<u8> = if wide {
        name.encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect()
    } else {
        name.bytes().chain([0]).collect()
    };
    if (name.len() as u32) + 1 > length {
        return call.fail_win32(Win32Error::FILENAME_EXCED_RANGE, 0);
    }
    match call.write_bytes(out.0, &data) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail_win32(Win32Error::NOACCESS, 0),
    }
}

/// BOOL GetVolumeNameForVolumeMountPointA(LPCSTR lpszVolumeMountPoint, LPSTR
/// lpszVolumeName, DWORD cchBufferLength): Windows 2000's, for programs that import it: the
/// `\\?\Volume{GUID}\` name of a drive's root `X:\`. ERROR_INVALID_PARAMETER for anything
/// but a drive's root, ERROR_FILE_NOT_FOUND for a drive there is not,
/// ERROR_FILENAME_EXCED_RANGE for a buffer too small.
#[export]
fn GetVolumeNameForVolumeMountPointA(
    call: &mut ApiCall<'_>,
    lpszVolumeMountPoint: Ptr,
    lpszVolumeName: Ptr,
    cchBufferLength: u32,
) -> ApiReturn {
    volume_name_for_mount_point(
        call,
        lpszVolumeMountPoint,
        lpszVolumeName,
        cchBufferLength,
        false,
    )
}

/// BOOL GetVolumeNameForVolumeMountPointW(LPCWSTR, LPWSTR, DWORD).
#[export]
fn GetVolumeNameForVolumeMountPointW(
    call: &mut ApiCall<'_>,
    lpszVolumeMountPoint: Ptr,
    lpszVolumeName: Ptr,
    cchBufferLength: u32,
) -> ApiReturn {
    volume_name_for_mount_point(
        call,
        lpszVolumeMountPoint,
        lpszVolumeName,
        cchBufferLength,
        true,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_names_have_the_guid_shape() {
        let name = volume_name('C');
        assert_eq!(name.len(), 49);
        assert!(name.starts_with("\\\\?\\Volume{") && name.ends_with("}\\"));
        assert_ne!(name, volume_name('D'));
        assert_eq!(drive_target('C'), "\\Device\\Harddisk0\\Partition1");
    }
}
