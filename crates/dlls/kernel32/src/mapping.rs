//! File mappings: CreateFileMappingA/W, OpenFileMappingA/W, MapViewOfFile,
//! MapViewOfFileEx, UnmapViewOfFile and FlushViewOfFile, over NTDLL's section core
//! ([`ntdll::section`]), as NT 4.0's KERNEL32 is built on NtCreateSection and
//! NtMapViewOfSection.
//!
//! CreateFileMapping asks for the section rights its protection allows (query and map-read,
//! map-write for PAGE_READWRITE), so a view of more than the section allows is refused on
//! the handle (ERROR_ACCESS_DENIED). MapViewOfFile turns FILE_MAP_* into a view protection
//! the way NT 4.0 does: exactly FILE_MAP_COPY is PAGE_WRITECOPY, else FILE_MAP_WRITE
//! PAGE_READWRITE, else FILE_MAP_READ PAGE_READONLY, else PAGE_NOACCESS.

use std::os::fd::OwnedFd;
use std::sync::Arc;

use nt_memory::PageProtection;
use nt_object::{AccessMask, Handle, ObjectError, ObjectType};
use nt_status::{NtStatus, Win32Error};
use ntdll::section::{
    self, SEC_COMMIT, SEC_IMAGE, SECTION_MAP_EXECUTE, SECTION_MAP_READ, SECTION_MAP_WRITE,
    SECTION_QUERY, SectionFile, SectionRequest, ViewRequest,
};
use win32::{AnsiStr, ApiCall, ApiReturn, Ptr, WideStr, export};

use super::file::DiskFile;
use super::filenode::FileNode;
use super::{INVALID_HANDLE_VALUE, attributes, inherit_from_security_attributes, optional_name};

/// FILE_MAP_COPY.
const FILE_MAP_COPY: u32 = 0x1;
/// FILE_MAP_WRITE.
const FILE_MAP_WRITE: u32 = 0x2;
/// FILE_MAP_READ.
const FILE_MAP_READ: u32 = 0x4;
/// FILE_MAP_EXECUTE (of later Windows; SECTION_EXTEND_SIZE's bit).
const FILE_MAP_EXECUTE: u32 = 0x20;
/// STANDARD_RIGHTS_REQUIRED.
const STANDARD_RIGHTS_REQUIRED: u32 = 0xF_0000;

/// Counts a section on its file for as long as the section lives.
struct SectionHold {
    node: Arc<FileNode>,
    image: bool,
}

impl Drop for SectionHold {
    fn drop(&mut self) {
        self.node.remove_section(self.image);
    }
}

/// The file of a handle, for a section to map (NtCreateSection's and CreateFileMapping's):
/// a disk file open for something; anything else cannot back a section. `image`: the
/// section is a SEC_IMAGE one (counted on the file as an image section).
pub(crate) fn section_file(
    call: &mut ApiCall<'_>,
    handle: Handle,
    image: bool,
) -> Result<SectionFile, NtStatus> {
    let object = call
        .reference(handle, AccessMask(0), Some(ObjectType::File))
        .map_err(ObjectError::status)?;
    let granted = call.granted_access(handle).map_err(ObjectError::status)?.0;
    let disk = object
        .payload::<DiskFile>()
        .ok_or(NtStatus::INVALID_FILE_FOR_SECTION)?;
    let (fd, size, node): (OwnedFd, u64, Arc<FileNode>) = disk
        .section_source()
        .map_err(|_| NtStatus::INVALID_FILE_FOR_SECTION)?;
    node.add_section(image);
    Ok(SectionFile {
        fd: Arc::new(fd),
        access: granted,
        size,
        hold: Box::new(SectionHold { node, image }),
    })
}

/// CreateFileMapping's work for both spellings.
fn create_file_mapping(
    call: &mut ApiCall<'_>,
    file: Handle,
    sa: Ptr,
    protect: u32,
    size_high: u32,
    size_low: u32,
    name: Option<&str>,
) -> ApiReturn {
    let Ok(inherit) = inherit_from_security_attributes(call, sa.0) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let name = match optional_name(call, name) {
        Ok(n) => n.map(str::to_string),
        Err(failed) => return failed,
    };
    let page_protect = protect & 0xFFFF;
    let mut sec = protect & !0xFFFF;
    if sec == 0 {
        sec = SEC_COMMIT;
    }
    let mut access = STANDARD_RIGHTS_REQUIRED | SECTION_QUERY | SECTION_MAP_READ;
    if page_protect == PageProtection::READWRITE.0 {
        access |= SECTION_MAP_WRITE;
    }
    let size = (u64::from(size_high) << 32) | u64::from(size_low);
    let req = SectionRequest {
        access: AccessMask(access),
        name,
        inherit: attributes(inherit),
        open_if: true,
        size: (size != 0).then_some(size),
        protect: page_protect,
        attributes: sec,
    };
    let r = section::check_request(&req, file.0 != INVALID_HANDLE_VALUE)
        .and_then(|()| {
            if file.0 == INVALID_HANDLE_VALUE {
                Ok(None)
            } else {
                section_file(call, file, sec & SEC_IMAGE != 0).map(Some)
            }
        })
        .and_then(|f| section::create_section(call, req, f));
    match r {
        Ok((handle, existed)) => {
            call.set_last_error(if existed {
                Win32Error::ALREADY_EXISTS.0
            } else {
                0
            });
            ApiReturn::Value(handle.0)
        }
        Err(s) => call.fail(s),
    }
}

/// CreateFileMappingA(hFile, lpAttributes, flProtect, dwMaximumSizeHigh,
/// dwMaximumSizeLow, lpName): a section of the file (INVALID_HANDLE_VALUE: of the paging
/// file), or the existing one of that name (ERROR_ALREADY_EXISTS).
#[export]
fn CreateFileMappingA(
    call: &mut ApiCall<'_>,
    hFile: Handle,
    lpAttributes: Ptr,
    flProtect: u32,
    dwMaximumSizeHigh: u32,
    dwMaximumSizeLow: u32,
    lpName: Option<AnsiStr>,
) -> ApiReturn {
    create_file_mapping(
        call,
        hFile,
        lpAttributes,
        flProtect,
        dwMaximumSizeHigh,
        dwMaximumSizeLow,
        lpName.as_deref(),
    )
}

/// CreateFileMappingW(hFile, lpAttributes, flProtect, dwMaximumSizeHigh,
/// dwMaximumSizeLow, lpName).
#[export]
fn CreateFileMappingW(
    call: &mut ApiCall<'_>,
    hFile: Handle,
    lpAttributes: Ptr,
    flProtect: u32,
    dwMaximumSizeHigh: u32,
    dwMaximumSizeLow: u32,
    lpName: Option<WideStr>,
) -> ApiReturn {
    create_file_mapping(
        call,
        hFile,
        lpAttributes,
        flProtect,
        dwMaximumSizeHigh,
        dwMaximumSizeLow,
        lpName.as_deref(),
    )
}

/// OpenFileMapping's work: FILE_MAP_COPY alone asks for FILE_MAP_READ.
fn open_file_mapping(
    call: &mut ApiCall<'_>,
    access: u32,
    inherit: bool,
    name: Option<&str>,
) -> ApiReturn {
    let access = if access == FILE_MAP_COPY {
        FILE_MAP_READ
    } else {
        access
    };
    super::open_named(call, ObjectType::Section, AccessMask(access), inherit, name)
}

/// OpenFileMappingA(dwDesiredAccess, bInheritHandle, lpName).
#[export]
fn OpenFileMappingA(
    call: &mut ApiCall<'_>,
    dwDesiredAccess: u32,
    bInheritHandle: bool,
    lpName: Option<AnsiStr>,
) -> ApiReturn {
    open_file_mapping(call, dwDesiredAccess, bInheritHandle, lpName.as_deref())
}

/// OpenFileMappingW(dwDesiredAccess, bInheritHandle, lpName).
#[export]
fn OpenFileMappingW(
    call: &mut ApiCall<'_>,
    dwDesiredAccess: u32,
    bInheritHandle: bool,
    lpName: Option<WideStr>,
) -> ApiReturn {
    open_file_mapping(call, dwDesiredAccess, bInheritHandle, lpName.as_deref())
}

/// The view protection NT 4.0's MapViewOfFile asks for.
fn view_protection(access: u32) -> PageProtection {
    if access == FILE_MAP_COPY {
        PageProtection::WRITECOPY
    } else if access & FILE_MAP_WRITE != 0 {
        PageProtection::READWRITE
    } else if access & FILE_MAP_READ != 0 {
        PageProtection::READONLY
    } else {
        PageProtection::NOACCESS
    }
}

/// MapViewOfFileEx's work: the view's base, or an NTSTATUS.
fn map_view_of_file(
    call: &mut ApiCall<'_>,
    mapping: Handle,
    access: u32,
    offset: u64,
    size: u32,
    base: u32,
) -> Result<u32, NtStatus> {
    let protect = view_protection(access);
    // FILE_MAP_EXECUTE asks the handle for SECTION_MAP_EXECUTE, which no section of NT 4.0's
    // CreateFileMapping grants; the view itself is never executable.
    let mut rights = section::view_rights(protect);
    if access & FILE_MAP_EXECUTE != 0 {
        rights |= SECTION_MAP_EXECUTE;
    }
    let object = call
        .reference(mapping, AccessMask(rights), Some(ObjectType::Section))
        .map_err(ObjectError::status)?;
    let process = call.thread.process;
    section::map_view(
        call,
        &object,
        ViewRequest {
            process,
            base,
            size,
            offset,
            protect,
        },
    )
    .map(|(b, _)| b)
}

/// MapViewOfFile(hFileMappingObject, dwDesiredAccess, dwFileOffsetHigh, dwFileOffsetLow,
/// dwNumberOfBytesToMap): the view's address, or NULL.
#[export]
fn MapViewOfFile(
    call: &mut ApiCall<'_>,
    hFileMappingObject: Handle,
    dwDesiredAccess: u32,
    dwFileOffsetHigh: u32,
    dwFileOffsetLow: u32,
    dwNumberOfBytesToMap: u32,
) -> ApiReturn {
    let offset = (u64::from(dwFileOffsetHigh) << 32) | u64::from(dwFileOffsetLow);
    match map_view_of_file(
        call,
        hFileMappingObject,
        dwDesiredAccess,
        offset,
        dwNumberOfBytesToMap,
        0,
    ) {
        Ok(base) => ApiReturn::Value(base),
        Err(s) => call.fail(s),
    }
}

/// MapViewOfFileEx(hFileMappingObject, dwDesiredAccess, dwFileOffsetHigh, dwFileOffsetLow,
/// dwNumberOfBytesToMap, lpBaseAddress): at the suggested address (a multiple of 64 KiB),
/// or NULL.
#[export]
fn MapViewOfFileEx(
    call: &mut ApiCall<'_>,
    hFileMappingObject: Handle,
    dwDesiredAccess: u32,
    dwFileOffsetHigh: u32,
    dwFileOffsetLow: u32,
    dwNumberOfBytesToMap: u32,
    lpBaseAddress: Ptr,
) -> ApiReturn {
    let offset = (u64::from(dwFileOffsetHigh) << 32) | u64::from(dwFileOffsetLow);
    match map_view_of_file(
        call,
        hFileMappingObject,
        dwDesiredAccess,
        offset,
        dwNumberOfBytesToMap,
        lpBaseAddress.0,
    ) {
        Ok(base) => ApiReturn::Value(base),
        Err(s) => call.fail(s),
    }
}

/// UnmapViewOfFile(lpBaseAddress): any address inside the view.
#[export]
fn UnmapViewOfFile(call: &mut ApiCall<'_>, lpBaseAddress: Ptr) -> ApiReturn {
    let process = call.thread.process;
    match section::unmap_view(call, process, lpBaseAddress.0) {
        Ok(()) => ApiReturn::Value(1),
        Err(s) => call.fail(s),
    }
}

/// FlushViewOfFile(lpBaseAddress, dwNumberOfBytesToFlush): writes the view's pages to its
/// file (0 bytes: to the end of the view).
#[export]
fn FlushViewOfFile(
    call: &mut ApiCall<'_>,
    lpBaseAddress: Ptr,
    dwNumberOfBytesToFlush: u32,
) -> ApiReturn {
    let r = call
        .process_mut()
        .ok_or(NtStatus::INVALID_HANDLE)
        .and_then(|p| {
            p.address_space_mut()
                .flush_view(lpBaseAddress.0, dwNumberOfBytesToFlush)
                .map_err(|e| e.status())
        });
    match r {
        Ok(_) => ApiReturn::Value(1),
        Err(s) => call.fail(s),
    }
}
