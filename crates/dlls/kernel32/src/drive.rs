//! Drive queries: GetLogicalDrives, GetLogicalDriveStrings, GetDriveType,
//! GetVolumeInformation and GetDiskFreeSpace(Ex), answered for the machine's mounted drives
//! (see [`crate::volume`]).

use std::sync::Arc;

use nt_status::Win32Error;
use win32::{AnsiStr, ApiCall, ApiReturn, OutBuf, Ptr, WideStr, codepage::CodePage, export};

use crate::K32;
use crate::volume::Volume;

/// DRIVE_NO_ROOT_DIR: the name is not the root of a drive there is.
const DRIVE_NO_ROOT_DIR: u32 = 1;
/// DRIVE_FIXED: a read-write drive.
const DRIVE_FIXED: u32 = 3;
/// DRIVE_REMOTE: a read-only drive shows as a read-only network share does.
const DRIVE_REMOTE: u32 = 4;
/// FS_CASE_IS_PRESERVED | FS_UNICODE_STORED_ON_DISK.
const FILE_SYSTEM_FLAGS: u32 = 0x2 | 0x4;
/// The longest file name component a drive takes (NTFS's).
const MAX_COMPONENT: u32 = 255;
/// The file system every drive reports.
const FILE_SYSTEM_NAME: &str = "NTFS";
/// Bytes per sector and sectors per cluster GetDiskFreeSpace reports.
const BYTES_PER_SECTOR: u32 = 512;
const SECTORS_PER_CLUSTER: u32 = 8;

fn volumes(call: &mut ApiCall<'_>) -> Vec<Arc<Volume>> {
    call.state.k32().files.volumes().to_vec()
}

/// The drive a root name names: `X:\` or `X:` (NULL or `\`: the current directory's drive).
/// None for anything else.
fn root_drive(call: &ApiCall<'_>, root: Option<&str>, need_backslash: bool) -> Option<char> {
    let Some(root) = root else {
        return Some(crate::file::current_directory(call).drive);
    };
    let root = root.replace('/', "\\");
    if root == "\\" {
        // The root of the current directory's drive.
        return Some(crate::file::current_directory(call).drive);
    }
    let b = root.as_bytes();
    let drive_letter = b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':';
    let rest = root.get(2..).unwrap_or_default();
    let shape = match rest {
        "\\" => true,
        "" => !need_backslash,
        _ => false,
    };
    (drive_letter && shape).then(|| char::from(b[0].to_ascii_uppercase()))
}

fn volume(
    call: &mut ApiCall<'_>,
    root: Option<&str>,
    need_backslash: bool,
) -> Result<Arc<Volume>, Win32Error> {
    if root == Some("") {
        return Err(Win32Error::PATH_NOT_FOUND);
    }
    let drive = root_drive(call, root, need_backslash).ok_or(Win32Error::INVALID_NAME)?;
    call.state
        .k32()
        .files
        .volume(drive)
        .ok_or(Win32Error::PATH_NOT_FOUND)
}

/// GetLogicalDrives(): a bit for each drive letter (bit 0 for A:).
#[export]
fn GetLogicalDrives(call: &mut ApiCall<'_>) -> u32 {
    volumes(call).iter().fold(0, |mask, v| {
        mask | 1 << (u32::from(v.letter) - u32::from('A'))
    })
}

/// The drive roots GetLogicalDriveStrings lists: `C:\` and so on.
fn drive_strings(call: &mut ApiCall<'_>) -> Vec<String> {
    volumes(call)
        .iter()
        .map(|v| format!("{}:\\", v.letter))
        .collect()
}

/// GetLogicalDriveStringsA(nBufferLength, lpBuffer): the roots, each ending in NUL, and a
/// final NUL; the length without that final NUL, or the size needed when it does not fit.
#[export]
fn GetLogicalDriveStringsA(
    call: &mut ApiCall<'_>,
    nBufferLength: u32,
    #[size(nBufferLength)] lpBuffer: OutBuf<u8>,
) -> ApiReturn {
    let mut bytes = Vec::new();
    for root in drive_strings(call) {
        bytes.extend_from_slice(root.as_bytes());
        bytes.push(0);
    }
    let length = bytes.len() as u32;
    if lpBuffer.capacity < length + 1 {
        return ApiReturn::Value(length + 1);
    }
    bytes.push(0);
    match call.write_bytes(lpBuffer.ptr, &bytes) {
        Ok(()) => ApiReturn::Value(length),
        Err(_) => call.fail_win32(Win32Error::NOACCESS, 0),
    }
}

/// GetLogicalDriveStringsW(nBufferLength, lpBuffer), in characters.
#[export]
fn GetLogicalDriveStringsW(
    call: &mut ApiCall<'_>,
    nBufferLength: u32,
    #[size(nBufferLength)] lpBuffer: OutBuf<u16>,
) -> ApiReturn {
    let mut units: Vec<u16> = Vec::new();
    for root in drive_strings(call) {
        units.extend(root.encode_utf16());
        units.push(0);
    }
    let length = units.len() as u32;
    if lpBuffer.capacity < length + 1 {
        return ApiReturn::Value(length + 1);
    }
    units.push(0);
    let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
    match call.write_bytes(lpBuffer.ptr, &bytes) {
        Ok(()) => ApiReturn::Value(length),
        Err(_) => call.fail_win32(Win32Error::NOACCESS, 0),
    }
}

fn drive_type(call: &mut ApiCall<'_>, root: Option<&str>) -> u32 {
    match volume(call, root, false) {
        Ok(v) if v.read_only => DRIVE_REMOTE,
        Ok(_) => DRIVE_FIXED,
        Err(_) => DRIVE_NO_ROOT_DIR,
    }
}

/// GetDriveTypeA(lpRootPathName): DRIVE_FIXED for a read-write drive, DRIVE_REMOTE for a
/// read-only one, DRIVE_NO_ROOT_DIR for what is not a drive's root.
#[export]
fn GetDriveTypeA(call: &mut ApiCall<'_>, lpRootPathName: Option<AnsiStr>) -> u32 {
    drive_type(call, lpRootPathName.as_deref())
}

/// GetDriveTypeW(lpRootPathName).
#[export]
fn GetDriveTypeW(call: &mut ApiCall<'_>, lpRootPathName: Option<WideStr>) -> u32 {
    drive_type(call, lpRootPathName.as_deref())
}

/// What GetVolumeInformation reports of a drive.
struct VolumeInformation {
    label: String,
    serial: u32,
}

fn volume_information(
    call: &mut ApiCall<'_>,
    root: Option<&str>,
) -> Result<VolumeInformation, Win32Error> {
    let v = volume(call, root, true)?;
    Ok(VolumeInformation {
        label: String::new(),
        serial: v.serial,
    })
}

/// Writes the fields GetVolumeInformation gives through plain pointers.
fn write_volume_numbers(
    call: &mut ApiCall<'_>,
    info: &VolumeInformation,
    serial: Ptr,
    max_component: Ptr,
    flags: Ptr,
) -> Result<(), Win32Error> {
    for (ptr, value) in [
        (serial, info.serial),
        (max_component, MAX_COMPONENT),
        (flags, FILE_SYSTEM_FLAGS),
    ] {
        call.write_out_u32(ptr.0, value)
            .map_err(|_| Win32Error::NOACCESS)?;
    }
    Ok(())
}

/// Copies a NUL-terminated string into an optional buffer of `capacity` units of `unit`
/// bytes; ERROR_BAD_LENGTH when it does not fit.
fn write_name(
    call: &mut ApiCall<'_>,
    out: u32,
    capacity: u32,
    mut data: Vec<u8>,
    unit: usize,
) -> Result<(), Win32Error> {
    if out == 0 {
        return Ok(());
    }
    data.extend(std::iter::repeat_n(0, unit));
    if (data.len() / unit) as u32 > capacity {
        return Err(Win32Error::BAD_LENGTH);
    }
    call.write_bytes(out, &data)
        .map_err(|_| Win32Error::NOACCESS)
}

/// GetVolumeInformationA(lpRootPathName, lpVolumeNameBuffer, nVolumeNameSize,
/// lpVolumeSerialNumber, lpMaximumComponentLength, lpFileSystemFlags,
/// lpFileSystemNameBuffer, nFileSystemNameSize): an NTFS volume without a label, its serial
/// number derived from the drive's host directory. The root needs its backslash.
#[export]
fn GetVolumeInformationA(
    call: &mut ApiCall<'_>,
    lpRootPathName: Option<AnsiStr>,
    lpVolumeNameBuffer: Ptr,
    nVolumeNameSize: u32,
    lpVolumeSerialNumber: Ptr,
    lpMaximumComponentLength: Ptr,
    lpFileSystemFlags: Ptr,
    lpFileSystemNameBuffer: Ptr,
    nFileSystemNameSize: u32,
) -> ApiReturn {
    let r = volume_information(call, lpRootPathName.as_deref()).and_then(|info| {
        let label = CodePage::Ansi.encode_str(&info.label);
        write_name(call, lpVolumeNameBuffer.0, nVolumeNameSize, label, 1)?;
        write_volume_numbers(
            call,
            &info,
            lpVolumeSerialNumber,
            lpMaximumComponentLength,
            lpFileSystemFlags,
        )?;
        let name = FILE_SYSTEM_NAME.as_bytes().to_vec();
        write_name(call, lpFileSystemNameBuffer.0, nFileSystemNameSize, name, 1)
    });
    match r {
        Ok(()) => ApiReturn::Value(1),
        Err(e) => call.fail_win32(e, 0),
    }
}

/// GetVolumeInformationW(...): as GetVolumeInformationA, names in UTF-16.
#[export]
fn GetVolumeInformationW(
    call: &mut ApiCall<'_>,
    lpRootPathName: Option<WideStr>,
    lpVolumeNameBuffer: Ptr,
    nVolumeNameSize: u32,
    lpVolumeSerialNumber: Ptr,
    lpMaximumComponentLength: Ptr,
    lpFileSystemFlags: Ptr,
    lpFileSystemNameBuffer: Ptr,
    nFileSystemNameSize: u32,
) -> ApiReturn {
    let wide = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let r = volume_information(call, lpRootPathName.as_deref()).and_then(|info| {
        write_name(
            call,
            lpVolumeNameBuffer.0,
            nVolumeNameSize,
            wide(&info.label),
            2,
        )?;
        write_volume_numbers(
            call,
            &info,
            lpVolumeSerialNumber,
            lpMaximumComponentLength,
            lpFileSystemFlags,
        )?;
        write_name(
            call,
            lpFileSystemNameBuffer.0,
            nFileSystemNameSize,
            wide(FILE_SYSTEM_NAME),
            2,
        )
    });
    match r {
        Ok(()) => ApiReturn::Value(1),
        Err(e) => call.fail_win32(e, 0),
    }
}

/// Free bytes for the caller, total bytes and free bytes of a drive.
fn space(
    call: &mut ApiCall<'_>,
    root: Option<&str>,
    need_backslash: bool,
) -> Result<(u64, u64, u64), Win32Error> {
    let v = volume(call, root, need_backslash)?;
    let (free, total) = v.space()?;
    Ok((free, total, free))
}

fn disk_free_space(
    call: &mut ApiCall<'_>,
    root: Option<&str>,
    sectors: Ptr,
    bytes: Ptr,
    free_clusters: Ptr,
    clusters: Ptr,
) -> ApiReturn {
    let r = space(call, root, true).and_then(|(free, total, _)| {
        let cluster = u64::from(BYTES_PER_SECTOR * SECTORS_PER_CLUSTER);
        let count = |b: u64| (b / cluster).min(u64::from(u32::MAX)) as u32;
        for (ptr, value) in [
            (sectors, SECTORS_PER_CLUSTER),
            (bytes, BYTES_PER_SECTOR),
            (free_clusters, count(free)),
            (clusters, count(total)),
        ] {
            call.write_out_u32(ptr.0, value)
                .map_err(|_| Win32Error::NOACCESS)?;
        }
        Ok(())
    });
    match r {
        Ok(()) => ApiReturn::Value(1),
        Err(e) => call.fail_win32(e, 0),
    }
}

/// GetDiskFreeSpaceA(lpRootPathName, lpSectorsPerCluster, lpBytesPerSector,
/// lpNumberOfFreeClusters, lpTotalNumberOfClusters): 4 KiB clusters of 512-byte sectors,
/// counts capped at 0xFFFFFFFF.
#[export]
fn GetDiskFreeSpaceA(
    call: &mut ApiCall<'_>,
    lpRootPathName: Option<AnsiStr>,
    lpSectorsPerCluster: Ptr,
    lpBytesPerSector: Ptr,
    lpNumberOfFreeClusters: Ptr,
    lpTotalNumberOfClusters: Ptr,
) -> ApiReturn {
    disk_free_space(
        call,
        lpRootPathName.as_deref(),
        lpSectorsPerCluster,
        lpBytesPerSector,
        lpNumberOfFreeClusters,
        lpTotalNumberOfClusters,
    )
}

/// GetDiskFreeSpaceW(...).
#[export]
fn GetDiskFreeSpaceW(
    call: &mut ApiCall<'_>,
    lpRootPathName: Option<WideStr>,
    lpSectorsPerCluster: Ptr,
    lpBytesPerSector: Ptr,
    lpNumberOfFreeClusters: Ptr,
    lpTotalNumberOfClusters: Ptr,
) -> ApiReturn {
    disk_free_space(
        call,
        lpRootPathName.as_deref(),
        lpSectorsPerCluster,
        lpBytesPerSector,
        lpNumberOfFreeClusters,
        lpTotalNumberOfClusters,
    )
}

fn disk_free_space_ex(
    call: &mut ApiCall<'_>,
    directory: Option<&str>,
    free_to_caller: Ptr,
    total: Ptr,
    free: Ptr,
) -> ApiReturn {
    // Any directory of the drive will do: take its drive.
    let root = match directory {
        None => None,
        Some(d) => match crate::path::full_path(&crate::file::current_directory(call), d) {
            Ok(crate::path::FullPath::Drive { drive, .. }) => Some(format!("{drive}:")),
            _ => return call.fail_win32(Win32Error::INVALID_NAME, 0),
        },
    };
    let r = space(call, root.as_deref(), false).and_then(|(caller, all, free_bytes)| {
        for (ptr, value) in [(free_to_caller, caller), (total, all), (free, free_bytes)] {
            if !ptr.is_null() {
                call.write_bytes(ptr.0, &value.to_le_bytes())
                    .map_err(|_| Win32Error::NOACCESS)?;
            }
        }
        Ok(())
    });
    match r {
        Ok(()) => ApiReturn::Value(1),
        Err(e) => call.fail_win32(e, 0),
    }
}

/// GetDiskFreeSpaceExA(lpDirectoryName, lpFreeBytesAvailableToCaller,
/// lpTotalNumberOfBytes, lpTotalNumberOfFreeBytes): 64-bit byte counts.
#[export]
fn GetDiskFreeSpaceExA(
    call: &mut ApiCall<'_>,
    lpDirectoryName: Option<AnsiStr>,
    lpFreeBytesAvailableToCaller: Ptr,
    lpTotalNumberOfBytes: Ptr,
    lpTotalNumberOfFreeBytes: Ptr,
) -> ApiReturn {
    disk_free_space_ex(
        call,
        lpDirectoryName.as_deref(),
        lpFreeBytesAvailableToCaller,
        lpTotalNumberOfBytes,
        lpTotalNumberOfFreeBytes,
    )
}

/// GetDiskFreeSpaceExW(...).
#[export]
fn GetDiskFreeSpaceExW(
    call: &mut ApiCall<'_>,
    lpDirectoryName: Option<WideStr>,
    lpFreeBytesAvailableToCaller: Ptr,
    lpTotalNumberOfBytes: Ptr,
    lpTotalNumberOfFreeBytes: Ptr,
) -> ApiReturn {
    disk_free_space_ex(
        call,
        lpDirectoryName.as_deref(),
        lpFreeBytesAvailableToCaller,
        lpTotalNumberOfBytes,
        lpTotalNumberOfFreeBytes,
    )
}

/// GetDriveTypeA for Rust callers (the C runtime's drive checks): DRIVE_FIXED,
/// DRIVE_REMOTE or DRIVE_NO_ROOT_DIR, as GetDriveTypeA answers for `root`.
pub fn drive_type_of(call: &mut ApiCall<'_>, root: &str) -> u32 {
    drive_type(call, Some(root))
}
