//! The file system's side of NTDLL's native file services ([`ntdll::file::FileServices`]):
//! NT object names (`\??\C:\dir\file`, `\DosDevices\...`, names relative to a directory
//! handle) resolved on the drives, NtCreateFile through the same open as CreateFile, and
//! the information classes of NtQueryInformationFile, NtSetInformationFile and
//! NtQueryVolumeInformationFile for disk files.
//!
//! NT's object namespace on ntemu's machine: `\??\X:` is drive X (opening the volume itself
//! is STATUS_ACCESS_DENIED, as for a user who is not an administrator), `\??\NUL` and
//! `\Device\Null` the null device, `\??\UNC\...` a network name (STATUS_BAD_NETWORK_PATH);
//! any other name is not found. Names are matched without case, as with
//! OBJ_CASE_INSENSITIVE.

use nt_object::{AccessMask, Handle, ObjectType};
use nt_status::{NtStatus, Win32Error};
use ntdll::file::{CreateRequest, FileServices};
use win32::ApiCall;

use super::file::{self, DiskFile, NullDevice, OpenRequest, OpenState, nt_create, nt_status_of};
use super::path::{DosDevice, FullPath};

/// The file system that serves NTDLL's file services (installed by the embedder with
/// [`ntdll::file::install_file_services`]).
pub static NTDLL_FILE_SERVICES: FileServices = FileServices {
    create,
    query_information,
    set_information,
    query_volume_information,
    read,
    write,
    dos_path_to_nt,
    heap_alloc,
    heap_free,
    section_file: super::mapping::section_file,
    fs_control: super::pipe::fs_control,
};

/// STATUS_OBJECT_PATH_SYNTAX_BAD: a relative name without a root directory.
const OBJECT_PATH_SYNTAX_BAD: NtStatus = NtStatus(0xC000_003B);
/// FILE_WRITE_ATTRIBUTES.
const FILE_WRITE_ATTRIBUTES: u32 = 0x100;
/// FILE_WRITE_DATA.
const FILE_WRITE_DATA: u32 = 0x2;
/// DELETE.
const DELETE: u32 = 0x1_0000;
/// The cluster size allocation sizes are rounded to.
const CLUSTER: u64 = 4096;

/// Splits the components of an NT name's tail (`dir\file`): STATUS_OBJECT_NAME_INVALID for
/// an empty component inside it, `.` or `..`, or a character NTFS refuses; a final `\`
/// says the name ends in a separator.
fn components(tail: &str, out: &mut Vec<String>) -> Result<bool, NtStatus> {
    if tail.is_empty() {
        return Ok(false);
    }
    let trailing = tail.ends_with('\\');
    let tail = tail.strip_suffix('\\').unwrap_or(tail);
    for c in tail.split('\\') {
        if c.is_empty()
            || c == "."
            || c == ".."
            || c.chars().any(|ch| {
                matches!(ch, '<' | '>' | ':' | '"' | '|' | '*' | '?' | '/') || (ch as u32) < 0x20
            })
        {
            return Err(NtStatus::OBJECT_NAME_INVALID);
        }
        out.push(c.to_string());
    }
    Ok(trailing)
}

/// Strips `prefix` from the start of `name` without regard to case.
fn strip_prefix_ci<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    let head = name.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &name[prefix.len()..])
}

/// What an NT object name names: a path on a drive, or the null device.
fn nt_name_to_full(call: &ApiCall<'_>, root: Handle, name: &str) -> Result<FullPath, NtStatus> {
    if root != Handle::NULL {
        let object = call
            .reference(root, AccessMask(0), Some(ObjectType::File))
            .map_err(|e| e.status())?;
        let disk = object
            .payload::<DiskFile>()
            .ok_or(NtStatus::INVALID_PARAMETER)?;
        if !disk.is_directory() {
            return Err(NtStatus::INVALID_PARAMETER);
        }
        let state = disk.state().map_err(nt_status_of)?;
        if name.starts_with('\\') {
            return Err(NtStatus::OBJECT_NAME_INVALID);
        }
        let mut parts = state.path;
        let trailing_separator = components(name, &mut parts)?;
        return Ok(FullPath::Drive {
            drive: state.drive,
            components: parts,
            trailing_separator,
        });
    }
    if !name.starts_with('\\') {
        return Err(OBJECT_PATH_SYNTAX_BAD);
    }
    if let Some(device) = strip_prefix_ci(name, "\\Device\\") {
        if device.eq_ignore_ascii_case("Null") {
            return Ok(FullPath::Device {
                device: DosDevice::Null,
                name: "\\\\.\\NUL".to_string(),
            });
        }
        return Err(if device.contains('\\') {
            NtStatus::OBJECT_PATH_NOT_FOUND
        } else {
            NtStatus::OBJECT_NAME_NOT_FOUND
        });
    }
    let Some(rest) =
        strip_prefix_ci(name, "\\??\\").or_else(|| strip_prefix_ci(name, "\\DosDevices\\"))
    else {
        return Err(if name[1..].contains('\\') {
            NtStatus::OBJECT_PATH_NOT_FOUND
        } else {
            NtStatus::OBJECT_NAME_NOT_FOUND
        });
    };
    let b = rest.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        let drive = char::from(b[0].to_ascii_uppercase());
        let tail = &rest[2..];
        if tail.is_empty() {
            // The volume itself: only an administrator opens it.
            return Err(NtStatus::ACCESS_DENIED);
        }
        let Some(tail) = tail.strip_prefix('\\') else {
            return Err(NtStatus::OBJECT_NAME_INVALID);
        };
        let mut parts = Vec::new();
        let trailing_separator = components(tail, &mut parts)?;
        return Ok(FullPath::Drive {
            drive,
            components: parts,
            trailing_separator,
        });
    }
    if strip_prefix_ci(rest, "UNC\\").is_some() {
        return Err(NtStatus::BAD_NETWORK_PATH);
    }
    if rest.eq_ignore_ascii_case("NUL") {
        return Ok(FullPath::Device {
            device: DosDevice::Null,
            name: "\\\\.\\NUL".to_string(),
        });
    }
    if rest.is_empty() {
        return Err(NtStatus::OBJECT_NAME_INVALID);
    }
    Err(if rest.contains('\\') {
        NtStatus::OBJECT_PATH_NOT_FOUND
    } else {
        NtStatus::OBJECT_NAME_NOT_FOUND
    })
}

/// NtCreateFile: the name resolved, then the open CreateFile makes.
fn create(call: &mut ApiCall<'_>, req: &CreateRequest) -> Result<(Handle, u32), NtStatus> {
    let full = nt_name_to_full(call, req.root, &req.name)?;
    let open = OpenRequest {
        access: req.access,
        share: req.share,
        disposition: req.disposition,
        options: req.options,
        attributes: req.file_attributes,
        inherit: req.inherit,
    };
    nt_create(call, &full, &open)
}

/// The disk file a handle names, with the rights the handle has.
fn disk(
    call: &ApiCall<'_>,
    handle: Handle,
) -> Result<(std::sync::Arc<nt_object::Object>, u32), NtStatus> {
    let object = call
        .reference(handle, AccessMask(0), Some(ObjectType::File))
        .map_err(|e| e.status())?;
    let granted = call.granted_access(handle).map_err(|e| e.status())?.0;
    Ok((object, granted))
}

fn push_u32(b: &mut Vec<u8>, v: u32) {
    b.extend_from_slice(&v.to_le_bytes());
}

fn push_u64(b: &mut Vec<u8>, v: u64) {
    b.extend_from_slice(&v.to_le_bytes());
}

/// The four times of FileBasicInformation: creation, last access, last write, change.
fn times(state: &OpenState) -> [u64; 4] {
    let [created, accessed, written] = file::times_of(&state.node);
    [
        created,
        accessed,
        written,
        file::filetime(state.node.changed).max(written),
    ]
}

fn basic(state: &OpenState) -> Vec<u8> {
    let mut b = Vec::with_capacity(40);
    for t in times(state) {
        push_u64(&mut b, t);
    }
    push_u32(&mut b, file::attributes_of(&state.node));
    push_u32(&mut b, 0);
    b
}

fn standard(state: &OpenState) -> Vec<u8> {
    let size = state.node.size;
    let mut b = Vec::with_capacity(24);
    push_u64(&mut b, size.div_ceil(CLUSTER) * CLUSTER);
    push_u64(&mut b, size);
    push_u32(&mut b, state.node.links.min(u64::from(u32::MAX)) as u32);
    b.push(u8::from(state.delete_pending));
    b.push(u8::from(state.node.is_dir()));
    b.extend_from_slice(&[0, 0]);
    b
}

/// FILE_NAME_INFORMATION: the path below the drive's root (`\dir\file`).
fn name(state: &OpenState) -> Vec<u8> {
    let mut path = String::new();
    for c in &state.path {
        path.push('\\');
        path.push_str(c);
    }
    if path.is_empty() {
        path.push('\\');
    }
    let units: Vec<u8> = path.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut b = Vec::with_capacity(4 + units.len());
    push_u32(&mut b, units.len() as u32);
    b.extend_from_slice(&units);
    b
}

/// NtQueryInformationFile's classes for disk files; STATUS_INVALID_DEVICE_REQUEST for the
/// null device, STATUS_INVALID_HANDLE for what is not an NT file handle.
fn query_information(
    call: &mut ApiCall<'_>,
    handle: Handle,
    class: u32,
) -> Result<Vec<u8>, NtStatus> {
    let (object, granted) = disk(call, handle)?;
    if class == 8 {
        // FileAccessInformation: the access the handle was granted, for a file object of any
        // kind (a disk file, a device, either end of a pipe), as NT's I/O manager answers it.
        return Ok(granted.to_le_bytes().to_vec());
    }
    if object.payload::<NullDevice>().is_some() {
        return Err(NtStatus::INVALID_DEVICE_REQUEST);
    }
    let Some(disk) = object.payload::<DiskFile>() else {
        return Err(NtStatus::INVALID_HANDLE);
    };
    let state = disk.state().map_err(nt_status_of)?;
    let mut b = Vec::new();
    match class {
        4 => b = basic(&state),
        5 => b = standard(&state),
        6 => push_u64(&mut b, state.node.id.1),
        7 => push_u32(&mut b, 0),
        8 => push_u32(&mut b, state.access),
        9 => b = name(&state),
        14 => push_u64(&mut b, state.position),
        16 => push_u32(&mut b, state.mode),
        17 => push_u32(&mut b, 0),
        18 => {
            b = basic(&state);
            b.extend(standard(&state));
            push_u64(&mut b, state.node.id.1);
            push_u32(&mut b, 0);
            push_u32(&mut b, state.access);
            push_u64(&mut b, state.position);
            push_u32(&mut b, state.mode);
            push_u32(&mut b, 0);
            b.extend(name(&state));
        }
        34 => {
            for t in times(&state) {
                push_u64(&mut b, t);
            }
            let size = state.node.size;
            push_u64(&mut b, size.div_ceil(CLUSTER) * CLUSTER);
            push_u64(&mut b, size);
            push_u32(&mut b, file::attributes_of(&state.node));
            push_u32(&mut b, 0);
        }
        _ => return Err(NtStatus::INVALID_INFO_CLASS),
    }
    Ok(b)
}

fn u64_at(data: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    if let Some(s) = data.get(at..at + 8) {
        b.copy_from_slice(s);
    }
    u64::from_le_bytes(b)
}

fn u32_at(data: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    if let Some(s) = data.get(at..at + 4) {
        b.copy_from_slice(s);
    }
    u32::from_le_bytes(b)
}

/// A FILETIME from FileBasicInformation as nanoseconds since 1970: None for 0 and -1,
/// which leave the time as it is.
fn basic_time(t: u64) -> Option<i128> {
    (t != 0 && t != u64::MAX).then(|| file::unix_nanos(t))
}

/// NtSetInformationFile's classes for disk files.
fn set_information(
    call: &mut ApiCall<'_>,
    handle: Handle,
    class: u32,
    data: &[u8],
) -> Result<(), NtStatus> {
    let (object, granted) = disk(call, handle)?;
    let Some(disk) = object.payload::<DiskFile>() else {
        return Err(if object.payload::<NullDevice>().is_some() {
            NtStatus::INVALID_DEVICE_REQUEST
        } else {
            NtStatus::INVALID_HANDLE
        });
    };
    let need = |right: u32| {
        if granted & right == 0 {
            Err(NtStatus::ACCESS_DENIED)
        } else {
            Ok(())
        }
    };
    match class {
        // FileBasicInformation: the times (0 and -1 leave one) and the attributes (0
        // leaves them).
        4 => {
            need(FILE_WRITE_ATTRIBUTES)?;
            disk.set_times(basic_time(u64_at(data, 8)), basic_time(u64_at(data, 16)))
                .map_err(nt_status_of)?;
            let attributes = u32_at(data, 32);
            if attributes != 0 {
                let state = disk.state().map_err(nt_status_of)?;
                let full = FullPath::Drive {
                    drive: state.drive,
                    components: state.path,
                    trailing_separator: false,
                };
                file::set_file_attributes_of(call, &full.display(), attributes)
                    .map_err(nt_status_of)?;
            }
            Ok(())
        }
        // FileRenameInformation: ReplaceIfExists, RootDirectory, FileNameLength, FileName.
        10 => {
            need(DELETE)?;
            let replace = data.first().is_some_and(|&b| b != 0);
            let root = Handle(u32_at(data, 4));
            let length = u32_at(data, 8) as usize;
            let units: Vec<u16> = data
                .get(12..12 + (length & !1))
                .ok_or(NtStatus::INFO_LENGTH_MISMATCH)?
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            let target = String::from_utf16_lossy(&units);
            let to = if root == Handle::NULL && !target.starts_with('\\') {
                // A bare name: renamed within its directory.
                let state = disk.state().map_err(nt_status_of)?;
                let mut parts = state.path;
                parts.pop();
                parts.push(target);
                FullPath::Drive {
                    drive: state.drive,
                    components: parts,
                    trailing_separator: false,
                }
            } else {
                nt_name_to_full(call, root, &target)?
            };
            let state = disk.state().map_err(nt_status_of)?;
            let from = FullPath::Drive {
                drive: state.drive,
                components: state.path,
                trailing_separator: false,
            };
            file::rename_open_file(call, disk, &from, &to, replace).map_err(nt_status_of)
        }
        // FileDispositionInformation: DeleteFile.
        13 => {
            need(DELETE)?;
            let delete = data.first().is_some_and(|&b| b != 0);
            let state = disk.state().map_err(nt_status_of)?;
            if delete && state.node.read_only {
                return Err(NtStatus::CANNOT_DELETE);
            }
            let parent = if delete {
                let full = FullPath::Drive {
                    drive: state.drive,
                    components: state.path,
                    trailing_separator: false,
                };
                let (volume, at) = file::resolve(call, &full).map_err(nt_status_of)?;
                if at.is_root() {
                    return Err(NtStatus::CANNOT_DELETE);
                }
                if state.node.is_dir() && !volume.list(&at).map_err(nt_status_of)?.is_empty() {
                    return Err(NtStatus::DIRECTORY_NOT_EMPTY);
                }
                Some(volume.parent_of(&at).map_err(nt_status_of)?)
            } else {
                None
            };
            disk.set_delete_on_close(delete, parent)
                .map_err(nt_status_of)
        }
        // FilePositionInformation.
        14 => {
            let position = u64_at(data, 0);
            let state = disk.state().map_err(nt_status_of)?;
            if state.mode & file::options::NO_INTERMEDIATE_BUFFERING != 0
                && !position.is_multiple_of(u64::from(file::SECTOR_SIZE))
            {
                return Err(NtStatus::INVALID_PARAMETER);
            }
            disk.set_position(position);
            Ok(())
        }
        // FileAllocationInformation and FileEndOfFileInformation.
        19 | 20 => {
            need(FILE_WRITE_DATA)?;
            let length = u64_at(data, 0);
            if class == 19 {
                let state = disk.state().map_err(nt_status_of)?;
                if length >= state.node.size {
                    return Ok(());
                }
            }
            disk.set_length(length).map_err(nt_status_of)
        }
        _ => Err(NtStatus::INVALID_INFO_CLASS),
    }
}

/// NtQueryVolumeInformationFile's classes: an NTFS volume without a label.
fn query_volume_information(
    call: &mut ApiCall<'_>,
    handle: Handle,
    class: u32,
) -> Result<Vec<u8>, NtStatus> {
    let (object, _) = disk(call, handle)?;
    let mut b = Vec::new();
    if object.payload::<NullDevice>().is_some() {
        // FILE_DEVICE_NULL.
        return match class {
            4 => {
                push_u32(&mut b, 0x15);
                push_u32(&mut b, 0);
                Ok(b)
            }
            _ => Err(NtStatus::INVALID_DEVICE_REQUEST),
        };
    }
    let Some(disk) = object.payload::<DiskFile>() else {
        return Err(NtStatus::INVALID_HANDLE);
    };
    let state = disk.state().map_err(nt_status_of)?;
    match class {
        // FileFsVolumeInformation: creation time, serial, label length, objects, label.
        1 => {
            push_u64(&mut b, 0);
            push_u32(&mut b, state.volume_serial);
            push_u32(&mut b, 0);
            b.extend_from_slice(&[0, 0]);
        }
        // FileFsSizeInformation: total and free clusters, sectors per cluster, sector size.
        3 => {
            let volume = file::volume_of(call, state.drive).map_err(nt_status_of)?;
            let (free, total) = volume.space().map_err(nt_status_of)?;
            push_u64(&mut b, total / CLUSTER);
            push_u64(&mut b, free / CLUSTER);
            push_u32(&mut b, (CLUSTER / u64::from(file::SECTOR_SIZE)) as u32);
            push_u32(&mut b, file::SECTOR_SIZE);
        }
        // FileFsDeviceInformation: FILE_DEVICE_DISK.
        4 => {
            push_u32(&mut b, 7);
            push_u32(&mut b, 0);
        }
        // FileFsAttributeInformation: case preserved, Unicode on disk; 255; "NTFS".
        5 => {
            push_u32(&mut b, 0x2 | 0x4);
            push_u32(&mut b, 255);
            let fs: Vec<u8> = "NTFS".encode_utf16().flat_map(u16::to_le_bytes).collect();
            push_u32(&mut b, fs.len() as u32);
            b.extend_from_slice(&fs);
        }
        _ => return Err(NtStatus::INVALID_INFO_CLASS),
    }
    Ok(b)
}

/// NtReadFile on a synchronous handle.
fn read(
    call: &mut ApiCall<'_>,
    handle: Handle,
    buffer: u32,
    length: u32,
    offset: Option<u64>,
) -> Result<u32, NtStatus> {
    file::read_into_guest(call, handle, buffer, length, offset).map_err(nt_status_of)
}

/// NtWriteFile on a synchronous handle.
fn write(
    call: &mut ApiCall<'_>,
    handle: Handle,
    buffer: u32,
    length: u32,
    offset: Option<u64>,
) -> Result<u32, NtStatus> {
    file::write_from_guest(call, handle, buffer, length, offset).map_err(|e| match e {
        Win32Error::INVALID_USER_BUFFER => NtStatus::INVALID_USER_BUFFER,
        e => nt_status_of(e),
    })
}

/// RtlDosPathNameToNtPathName_U: `\??\` and the full DOS name (`\??\UNC\` for a UNC name).
fn dos_path_to_nt(call: &mut ApiCall<'_>, dos: &str) -> Result<String, NtStatus> {
    match file::full(call, dos).map_err(nt_status_of)? {
        full @ (FullPath::Drive { .. } | FullPath::Device { .. }) => {
            let display = full.display();
            let tail = display.strip_prefix("\\\\.\\").unwrap_or(&display);
            Ok(format!("\\??\\{tail}"))
        }
        FullPath::Unc(name) => {
            let tail = name
                .strip_prefix("\\\\?\\UNC\\")
                .or_else(|| name.strip_prefix("\\\\"))
                .unwrap_or(&name);
            Ok(format!("\\??\\UNC\\{tail}"))
        }
    }
}

fn heap_alloc(call: &mut ApiCall<'_>, size: u32) -> Option<u32> {
    super::heap::process_heap_alloc(call, size, false)
}

fn heap_free(call: &mut ApiCall<'_>, at: u32) -> bool {
    super::heap::process_heap_free(call, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nt_name_components_refuse_what_ntfs_refuses() {
        let mut out = Vec::new();
        assert_eq!(components("a\\b\\", &mut out), Ok(true));
        assert_eq!(out, ["a", "b"]);
        for bad in ["a\\\\b", "a\\..\\b", ".", "a*", "x:y"] {
            assert_eq!(
                components(bad, &mut Vec::new()),
                Err(NtStatus::OBJECT_NAME_INVALID),
                "{bad}"
            );
        }
    }

    #[test]
    fn prefixes_match_without_case() {
        assert_eq!(
            strip_prefix_ci("\\DOSDEVICES\\c:", "\\DosDevices\\"),
            Some("c:")
        );
        assert_eq!(strip_prefix_ci("\\??", "\\??\\"), None);
    }
}

/// FileNameInfo, GetFileInformationByHandleEx's class of FILE_NAME_INFO.
const FILE_NAME_INFO_CLASS: u32 = 2;

/// The FILE_NAME_INFORMATION text of the file object `handle` names: a disk file's path below
/// its drive's root, a pipe end's name in the named-pipe file system.
fn file_name_of(call: &ApiCall<'_>, handle: Handle) -> Result<String, NtStatus> {
    let (object, _) = disk(call, handle)?;
    if let Some(end) = object.payload::<crate::PipeEnd>() {
        return Ok(end.file_name());
    }
    let Some(disk) = object.payload::<DiskFile>() else {
        return Err(NtStatus::INVALID_PARAMETER);
    };
    let state = disk.state().map_err(nt_status_of)?;
    let bytes = name(&state);
    let units: Vec<u16> = bytes[4..]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    Ok(String::from_utf16_lossy(&units))
}

/// GetFileInformationByHandleEx(hFile, FileInformationClass, lpFileInformation,
/// dwBufferSize) (Windows Vista; for programs that import it: NT 4.0's KERNEL32 has no such
/// export and GetProcAddress does not find it): FileNameInfo, the FILE_NAME_INFO of a disk
/// file or a pipe end (ERROR_MORE_DATA, with the length and what fits, when the buffer is too
/// small for the name). The other classes are ERROR_INVALID_PARAMETER.
#[win32::export]
fn GetFileInformationByHandleEx(
    call: &mut ApiCall<'_>,
    hFile: Handle,
    FileInformationClass: u32,
    lpFileInformation: win32::Ptr,
    dwBufferSize: u32,
) -> win32::ApiReturn {
    if FileInformationClass != FILE_NAME_INFO_CLASS {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    if dwBufferSize < 4 {
        return call.fail_win32(Win32Error::BAD_LENGTH, 0);
    }
    let name = match file_name_of(call, hFile) {
        Ok(n) => n,
        Err(status) => return call.fail(status),
    };
    let units: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut bytes = Vec::with_capacity(4 + units.len());
    push_u32(&mut bytes, units.len() as u32);
    bytes.extend_from_slice(&units);
    let fits = bytes.len() <= dwBufferSize as usize;
    bytes.truncate(dwBufferSize as usize);
    if call.write_bytes(lpFileInformation.0, &bytes).is_err() {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    }
    if fits {
        win32::ApiReturn::Value(1)
    } else {
        call.fail_win32(Win32Error::MORE_DATA, 0)
    }
}
