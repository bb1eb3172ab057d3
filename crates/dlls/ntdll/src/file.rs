//! NTDLL's native file services: NtCreateFile, NtOpenFile, NtReadFile, NtWriteFile,
//! NtQueryInformationFile, NtSetInformationFile, NtQueryVolumeInformationFile and
//! RtlDosPathNameToNtPathName_U, with NTSTATUS results.
//!
//! NTDLL reads and writes the guest's structures (OBJECT_ATTRIBUTES, UNICODE_STRING,
//! IO_STATUS_BLOCK, the information buffers); the work is the file system's, which lives
//! with KERNEL32's files and serves NTDLL through the [`FileServices`] table the embedder
//! installs once ([`install_file_services`]) — the same code CreateFile and its kin use.

use std::sync::OnceLock;

use nt_object::Handle;
use nt_status::NtStatus;
use win32::{ApiCall, ApiReturn, Ptr, export};

use crate::rtlstr::{read_unicode_string, write_wide_string};

/// OBJ_INHERIT: the handle is inherited by child processes.
const OBJ_INHERIT: u32 = 0x2;

/// An open NtCreateFile asks the file system for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateRequest {
    /// The root directory the name is relative to (NULL: the name is absolute).
    pub root: Handle,
    /// The object name (`\??\C:\dir\file`, or relative to `root`).
    pub name: String,
    /// The desired access.
    pub access: u32,
    /// The handle is inherited (OBJ_INHERIT).
    pub inherit: bool,
    /// The attributes of a file created.
    pub file_attributes: u32,
    /// FILE_SHARE_* bits.
    pub share: u32,
    /// FILE_SUPERSEDE .. FILE_OVERWRITE_IF.
    pub disposition: u32,
    /// FILE_DIRECTORY_FILE, FILE_NON_DIRECTORY_FILE, FILE_DELETE_ON_CLOSE, ...
    pub options: u32,
}

/// NtCreateFile's service: the handle and the IO_STATUS_BLOCK's Information.
pub type CreateService = fn(&mut ApiCall<'_>, &CreateRequest) -> Result<(Handle, u32), NtStatus>;

/// NtFsControlFile's service: (handle, control code, output length) → the output bytes and
/// the status they come with.
pub type FsControlService =
    fn(&mut ApiCall<'_>, Handle, u32, u32) -> Result<(Vec<u8>, NtStatus), NtStatus>;

/// NtReadFile's and NtWriteFile's service: handle, guest buffer address and length, offset
/// (None: the file position); the bytes moved.
pub type TransferService =
    fn(&mut ApiCall<'_>, Handle, u32, u32, Option<u64>) -> Result<u32, NtStatus>;

/// What the file system does for NTDLL's file services. Each returns the NTSTATUS of a
/// failure; the handles are the caller's process's.
pub struct FileServices {
    /// NtCreateFile: the handle and the IO_STATUS_BLOCK's Information (FILE_OPENED, ...).
    pub create: CreateService,
    /// NtQueryInformationFile: the whole information of a class (the caller cuts it to
    /// the buffer).
    pub query_information: fn(&mut ApiCall<'_>, Handle, u32) -> Result<Vec<u8>, NtStatus>,
    /// NtSetInformationFile: sets a class from the caller's buffer.
    pub set_information: fn(&mut ApiCall<'_>, Handle, u32, &[u8]) -> Result<(), NtStatus>,
    /// NtQueryVolumeInformationFile: the whole information of a file system class.
    pub query_volume_information: fn(&mut ApiCall<'_>, Handle, u32) -> Result<Vec<u8>, NtStatus>,
    /// NtReadFile on a synchronous handle: reads into the guest buffer (address, length)
    /// at the offset (None: the file position); the bytes read.
    pub read: TransferService,
    /// NtWriteFile on a synchronous handle: writes the guest buffer at the offset; the
    /// bytes written.
    pub write: TransferService,
    /// RtlDosPathNameToNtPathName_U: a DOS name made full, in the NT namespace
    /// (`\??\C:\dir\file`), against the caller's current directory.
    pub dos_path_to_nt: fn(&mut ApiCall<'_>, &str) -> Result<String, NtStatus>,
    /// RtlAllocateHeap on the process heap: the block's address.
    pub heap_alloc: fn(&mut ApiCall<'_>, u32) -> Option<u32>,
    /// RtlFreeHeap on the process heap.
    pub heap_free: fn(&mut ApiCall<'_>, u32) -> bool,
    /// NtCreateSection on a file: the file of a handle, for a section (an image section
    /// when the flag is set) to map.
    pub section_file:
        fn(&mut ApiCall<'_>, Handle, bool) -> Result<crate::section::SectionFile, NtStatus>,
    /// NtFsControlFile on a synchronous handle: the control code's output (at most the
    /// output length) and its status (STATUS_BUFFER_OVERFLOW when cut).
    pub fs_control: FsControlService,
}

static SERVICES: OnceLock<&'static FileServices> = OnceLock::new();

/// Installs the file system that serves NTDLL's file services (once per host process; the
/// same table serves every machine).
pub fn install_file_services(services: &'static FileServices) {
    let _ = SERVICES.set(services);
}

/// The installed file services.
pub(crate) fn services() -> Option<&'static FileServices> {
    SERVICES.get().copied()
}

fn status(s: NtStatus) -> ApiReturn {
    ApiReturn::Value(s.0)
}

/// Writes an IO_STATUS_BLOCK (Status, Information).
fn write_iosb(call: &mut ApiCall<'_>, iosb: u32, s: NtStatus, information: u32) -> bool {
    call.write_u32(iosb, s.0).is_ok() && call.write_u32(iosb.wrapping_add(4), information).is_ok()
}

/// The work of NtCreateFile and NtOpenFile.
#[allow(clippy::too_many_arguments)]
fn create(
    call: &mut ApiCall<'_>,
    handle_out: u32,
    access: u32,
    attributes: u32,
    iosb: u32,
    file_attributes: u32,
    share: u32,
    disposition: u32,
    options: u32,
) -> ApiReturn {
    let Some(services) = services() else {
        return status(NtStatus::NOT_IMPLEMENTED);
    };
    // OBJECT_ATTRIBUTES: Length, RootDirectory, ObjectName, Attributes, ...
    let read = |call: &ApiCall<'_>, at: u32| call.read_u32(attributes.wrapping_add(at));
    let (Ok(root), Ok(name_ptr), Ok(obj_attributes)) =
        (read(call, 4), read(call, 8), read(call, 12))
    else {
        return status(NtStatus::ACCESS_VIOLATION);
    };
    if call.probe_write(handle_out, 4).is_err() || call.probe_write(iosb, 8).is_err() {
        return status(NtStatus::ACCESS_VIOLATION);
    }
    let name = if name_ptr == 0 {
        String::new()
    } else {
        match read_unicode_string(call, name_ptr) {
            Ok(n) => n,
            Err(s) => return status(s),
        }
    };
    let request = CreateRequest {
        root: Handle(root),
        name,
        access,
        inherit: obj_attributes & OBJ_INHERIT != 0,
        file_attributes,
        share,
        disposition,
        options,
    };
    match (services.create)(call, &request) {
        Ok((handle, information)) => {
            if call.write_u32(handle_out, handle.0).is_err()
                || !write_iosb(call, iosb, NtStatus::SUCCESS, information)
            {
                return status(NtStatus::ACCESS_VIOLATION);
            }
            status(NtStatus::SUCCESS)
        }
        Err(s) => status(s),
    }
}

/// NtCreateFile(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, AllocationSize,
/// FileAttributes, ShareAccess, CreateDisposition, CreateOptions, EaBuffer, EaLength).
#[export]
pub fn NtCreateFile(
    call: &mut ApiCall<'_>,
    FileHandle: Ptr,
    DesiredAccess: u32,
    ObjectAttributes: Ptr,
    IoStatusBlock: Ptr,
    AllocationSize: Ptr,
    FileAttributes: u32,
    ShareAccess: u32,
    CreateDisposition: u32,
    CreateOptions: u32,
    EaBuffer: Ptr,
    EaLength: u32,
) -> ApiReturn {
    let _ = (AllocationSize, EaBuffer, EaLength);
    create(
        call,
        FileHandle.0,
        DesiredAccess,
        ObjectAttributes.0,
        IoStatusBlock.0,
        FileAttributes,
        ShareAccess,
        CreateDisposition,
        CreateOptions,
    )
}

/// NtOpenFile(FileHandle, DesiredAccess, ObjectAttributes, IoStatusBlock, ShareAccess,
/// OpenOptions): NtCreateFile with FILE_OPEN.
#[export]
pub fn NtOpenFile(
    call: &mut ApiCall<'_>,
    FileHandle: Ptr,
    DesiredAccess: u32,
    ObjectAttributes: Ptr,
    IoStatusBlock: Ptr,
    ShareAccess: u32,
    OpenOptions: u32,
) -> ApiReturn {
    create(
        call,
        FileHandle.0,
        DesiredAccess,
        ObjectAttributes.0,
        IoStatusBlock.0,
        0,
        ShareAccess,
        1,
        OpenOptions,
    )
}

/// The smallest buffer each information class takes (the fixed part of its structure);
/// None for a class NT 4.0 does not answer.
fn minimum_length(class: u32, volume: bool) -> Option<u32> {
    if volume {
        return match class {
            // FileFsVolumeInformation, FileFsSizeInformation, FileFsDeviceInformation,
            // FileFsAttributeInformation.
            1 => Some(18),
            3 => Some(24),
            4 => Some(8),
            5 => Some(12),
            _ => None,
        };
    }
    match class {
        // FileBasicInformation .. FileNetworkOpenInformation.
        4 => Some(40),
        5 => Some(24),
        6 => Some(8),
        7 => Some(4),
        8 => Some(4),
        9 => Some(4),
        14 => Some(8),
        16 => Some(4),
        17 => Some(4),
        18 => Some(100),
        34 => Some(56),
        _ => None,
    }
}

/// Copies a class's information into the caller's buffer: all of it, or (a name too long
/// for the buffer) what fits with STATUS_BUFFER_OVERFLOW.
fn answer(call: &mut ApiCall<'_>, iosb: u32, buffer: u32, length: u32, data: &[u8]) -> ApiReturn {
    let n = data.len().min(length as usize);
    if call.write_bytes(buffer, &data[..n]).is_err() {
        return status(NtStatus::ACCESS_VIOLATION);
    }
    let s = if n < data.len() {
        NtStatus(0x8000_0005) // STATUS_BUFFER_OVERFLOW
    } else {
        NtStatus::SUCCESS
    };
    if !write_iosb(call, iosb, s, n as u32) {
        return status(NtStatus::ACCESS_VIOLATION);
    }
    status(s)
}

/// NtQueryInformationFile(FileHandle, IoStatusBlock, FileInformation, Length,
/// FileInformationClass): the classes NT 4.0 answers for files (basic, standard, internal,
/// EA, access, name, position, mode, alignment, all, network open).
#[export]
pub fn NtQueryInformationFile(
    call: &mut ApiCall<'_>,
    FileHandle: Handle,
    IoStatusBlock: Ptr,
    FileInformation: Ptr,
    Length: u32,
    FileInformationClass: u32,
) -> ApiReturn {
    let Some(services) = services() else {
        return status(NtStatus::NOT_IMPLEMENTED);
    };
    let Some(minimum) = minimum_length(FileInformationClass, false) else {
        return status(NtStatus::INVALID_INFO_CLASS);
    };
    if Length < minimum {
        return status(NtStatus::INFO_LENGTH_MISMATCH);
    }
    match (services.query_information)(call, FileHandle, FileInformationClass) {
        Ok(data) => answer(call, IoStatusBlock.0, FileInformation.0, Length, &data),
        Err(s) => status(s),
    }
}

/// NtQueryVolumeInformationFile(FileHandle, IoStatusBlock, FsInformation, Length,
/// FsInformationClass): volume, size, device and attribute information.
#[export]
pub fn NtQueryVolumeInformationFile(
    call: &mut ApiCall<'_>,
    FileHandle: Handle,
    IoStatusBlock: Ptr,
    FsInformation: Ptr,
    Length: u32,
    FsInformationClass: u32,
) -> ApiReturn {
    let Some(services) = services() else {
        return status(NtStatus::NOT_IMPLEMENTED);
    };
    let Some(minimum) = minimum_length(FsInformationClass, true) else {
        return status(NtStatus::INVALID_INFO_CLASS);
    };
    if Length < minimum {
        return status(NtStatus::INFO_LENGTH_MISMATCH);
    }
    match (services.query_volume_information)(call, FileHandle, FsInformationClass) {
        Ok(data) => answer(call, IoStatusBlock.0, FsInformation.0, Length, &data),
        Err(s) => status(s),
    }
}

/// NtSetInformationFile(FileHandle, IoStatusBlock, FileInformation, Length,
/// FileInformationClass): basic (times and attributes), rename, disposition (delete on
/// close), position, allocation and end-of-file information.
#[export]
pub fn NtSetInformationFile(
    call: &mut ApiCall<'_>,
    FileHandle: Handle,
    IoStatusBlock: Ptr,
    FileInformation: Ptr,
    Length: u32,
    FileInformationClass: u32,
) -> ApiReturn {
    let Some(services) = services() else {
        return status(NtStatus::NOT_IMPLEMENTED);
    };
    let minimum = match FileInformationClass {
        4 => 40,
        10 => 12,
        13 => 1,
        14 | 19 | 20 => 8,
        _ => return status(NtStatus::INVALID_INFO_CLASS),
    };
    if Length < minimum {
        return status(NtStatus::INFO_LENGTH_MISMATCH);
    }
    let Ok(data) = call.read_bytes(FileInformation.0, Length.min(0x1_0000) as usize) else {
        return status(NtStatus::ACCESS_VIOLATION);
    };
    match (services.set_information)(call, FileHandle, FileInformationClass, &data) {
        Ok(()) => {
            if !write_iosb(call, IoStatusBlock.0, NtStatus::SUCCESS, 0) {
                return status(NtStatus::ACCESS_VIOLATION);
            }
            status(NtStatus::SUCCESS)
        }
        Err(s) => status(s),
    }
}

/// The byte offset an NtReadFile or NtWriteFile names (None: the file position).
fn byte_offset(call: &ApiCall<'_>, at: u32) -> Result<Option<u64>, NtStatus> {
    if at == 0 {
        return Ok(None);
    }
    let low = call.read_u32(at).map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    let high = call
        .read_u32(at.wrapping_add(4))
        .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    // FILE_USE_FILE_POINTER_POSITION (-2): the position.
    if (high, low) == (0xFFFF_FFFF, 0xFFFF_FFFE) {
        return Ok(None);
    }
    Ok(Some(u64::from(high) << 32 | u64::from(low)))
}

/// NtReadFile(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, Buffer, Length,
/// ByteOffset, Key): a synchronous read (STATUS_END_OF_FILE at the end).
#[export]
pub fn NtReadFile(
    call: &mut ApiCall<'_>,
    FileHandle: Handle,
    Event: Handle,
    ApcRoutine: Ptr,
    ApcContext: Ptr,
    IoStatusBlock: Ptr,
    Buffer: Ptr,
    Length: u32,
    ByteOffset: Ptr,
    Key: Ptr,
) -> ApiReturn {
    let _ = (Event, ApcRoutine, ApcContext, Key);
    let Some(services) = services() else {
        return status(NtStatus::NOT_IMPLEMENTED);
    };
    let offset = match byte_offset(call, ByteOffset.0) {
        Ok(o) => o,
        Err(s) => return status(s),
    };
    match (services.read)(call, FileHandle, Buffer.0, Length, offset) {
        Ok(0) if Length > 0 => status(NtStatus::END_OF_FILE),
        Ok(n) => {
            if !write_iosb(call, IoStatusBlock.0, NtStatus::SUCCESS, n) {
                return status(NtStatus::ACCESS_VIOLATION);
            }
            status(NtStatus::SUCCESS)
        }
        Err(s) => status(s),
    }
}

/// NtFsControlFile(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, FsControlCode,
/// InputBuffer, InputBufferLength, OutputBuffer, OutputBufferLength): a file system control
/// request, answered at once (the named-pipe file system's FSCTL_PIPE_PEEK); the output
/// bytes go to OutputBuffer and their count to the IO_STATUS_BLOCK's Information.
#[export]
pub fn NtFsControlFile(
    call: &mut ApiCall<'_>,
    FileHandle: Handle,
    Event: Handle,
    ApcRoutine: Ptr,
    ApcContext: Ptr,
    IoStatusBlock: Ptr,
    FsControlCode: u32,
    InputBuffer: Ptr,
    InputBufferLength: u32,
    OutputBuffer: Ptr,
    OutputBufferLength: u32,
) -> ApiReturn {
    let _ = (
        Event,
        ApcRoutine,
        ApcContext,
        InputBuffer,
        InputBufferLength,
    );
    let Some(services) = services() else {
        return status(NtStatus::NOT_IMPLEMENTED);
    };
    match (services.fs_control)(call, FileHandle, FsControlCode, OutputBufferLength) {
        Ok((bytes, s)) => {
            if call.write_bytes(OutputBuffer.0, &bytes).is_err()
                || !write_iosb(call, IoStatusBlock.0, s, bytes.len() as u32)
            {
                return status(NtStatus::ACCESS_VIOLATION);
            }
            status(s)
        }
        Err(s) => status(s),
    }
}

/// NtWriteFile(FileHandle, Event, ApcRoutine, ApcContext, IoStatusBlock, Buffer, Length,
/// ByteOffset, Key): a synchronous write.
#[export]
pub fn NtWriteFile(
    call: &mut ApiCall<'_>,
    FileHandle: Handle,
    Event: Handle,
    ApcRoutine: Ptr,
    ApcContext: Ptr,
    IoStatusBlock: Ptr,
    Buffer: Ptr,
    Length: u32,
    ByteOffset: Ptr,
    Key: Ptr,
) -> ApiReturn {
    let _ = (Event, ApcRoutine, ApcContext, Key);
    let Some(services) = services() else {
        return status(NtStatus::NOT_IMPLEMENTED);
    };
    let offset = match byte_offset(call, ByteOffset.0) {
        Ok(o) => o,
        Err(s) => return status(s),
    };
    match (services.write)(call, FileHandle, Buffer.0, Length, offset) {
        Ok(n) => {
            if !write_iosb(call, IoStatusBlock.0, NtStatus::SUCCESS, n) {
                return status(NtStatus::ACCESS_VIOLATION);
            }
            status(NtStatus::SUCCESS)
        }
        Err(s) => status(s),
    }
}

/// RtlDosPathNameToNtPathName_U(DosName, NtName, FilePart, RelativeName): the full NT name
/// of a DOS name in a UNICODE_STRING allocated from the process heap (free it with
/// RtlFreeUnicodeString); FilePart, when asked for, points at its last component (NULL
/// when the name ends in a separator); RelativeName is cleared. FALSE for a name that
/// cannot be made full.
#[export]
pub fn RtlDosPathNameToNtPathName_U(
    call: &mut ApiCall<'_>,
    DosName: Option<win32::WideStr>,
    NtName: Ptr,
    FilePart: Ptr,
    RelativeName: Ptr,
) -> ApiReturn {
    let Some(services) = services() else {
        return ApiReturn::Value(0);
    };
    let Some(dos) = DosName.as_deref() else {
        return ApiReturn::Value(0);
    };
    let Ok(nt) = (services.dos_path_to_nt)(call, dos) else {
        return ApiReturn::Value(0);
    };
    let units: Vec<u16> = nt.encode_utf16().collect();
    let Some(buffer) = write_wide_string(call, NtName.0, &units, services) else {
        return ApiReturn::Value(0);
    };
    if !FilePart.is_null() {
        let part = match units.iter().rposition(|&u| u == u16::from(b'\\')) {
            Some(i) if i + 1 < units.len() => buffer.wrapping_add(2 * (i as u32 + 1)),
            _ => 0,
        };
        if call.write_u32(FilePart.0, part).is_err() {
            return ApiReturn::Value(0);
        }
    }
    if !RelativeName.is_null() && call.write_bytes(RelativeName.0, &[0; 12]).is_err() {
        return ApiReturn::Value(0);
    }
    ApiReturn::Value(1)
}
