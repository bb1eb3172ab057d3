//! Sections (file mappings): NtCreateSection, NtOpenSection, NtMapViewOfSection,
//! NtUnmapViewOfSection, NtQuerySection and NtFlushVirtualMemory, and the section core that
//! KERNEL32's CreateFileMapping, OpenFileMapping, MapViewOfFile(Ex), UnmapViewOfFile and
//! FlushViewOfFile use.
//!
//! A section's data is a host descriptor: a memfd for a section backed by the paging file,
//! the file itself for a file section (see nt-memory's view module). Every view of a
//! section, in any process of the machine, maps that descriptor, so views share their
//! pages with one another and with the file's reads and writes, as NT's views share the
//! section's physical pages and the cache. A view keeps its section alive (and so the
//! file counted as mapped, which cannot shrink) after the last handle closes.
//!
//! NT 4.0's rules: a section's protection is PAGE_READONLY, PAGE_READWRITE or
//! PAGE_WRITECOPY (NT 4.0 does not map files executable); a file section needs a handle with
//! read access, and write access for PAGE_READWRITE; size 0 means the file's size (an empty
//! file cannot be mapped); a larger read-write section grows its file. A view's offset is
//! a multiple of 64 KiB, its size 0 means the rest of the section.

use std::any::Any;
use std::os::fd::OwnedFd;
use std::sync::Arc;

use nt_memory::{PageProtection, ViewBacking};
use nt_object::{AccessMask, Handle, HandleAttributes, Object, ObjectError, ObjectType};
use nt_status::NtStatus;
use win32::{ApiCall, ApiReturn, Ptr, export};

use crate::sync::{OBJ_OPENIF, hand_out, handle_attributes, open_object, read_object_attributes};

/// SEC_FILE: NtQuerySection's attribute of a file section.
pub const SEC_FILE: u32 = 0x80_0000;
/// SEC_IMAGE: map an executable image.
pub const SEC_IMAGE: u32 = 0x100_0000;
/// SEC_RESERVE: views are reserved; MEM_COMMIT commits their pages.
pub const SEC_RESERVE: u32 = 0x400_0000;
/// SEC_COMMIT: views are committed (the default).
pub const SEC_COMMIT: u32 = 0x800_0000;
/// SEC_NOCACHE: accepted and dropped, as NT 4.0 does.
pub const SEC_NOCACHE: u32 = 0x1000_0000;
/// SEC_BASED.
const SEC_BASED: u32 = 0x20_0000;

/// SECTION_QUERY.
pub const SECTION_QUERY: u32 = 0x1;
/// SECTION_MAP_WRITE.
pub const SECTION_MAP_WRITE: u32 = 0x2;
/// SECTION_MAP_READ.
pub const SECTION_MAP_READ: u32 = 0x4;
/// SECTION_MAP_EXECUTE.
pub const SECTION_MAP_EXECUTE: u32 = 0x8;

/// FILE_READ_DATA.
const FILE_READ_DATA: u32 = 0x1;
/// FILE_WRITE_DATA.
const FILE_WRITE_DATA: u32 = 0x2;
/// STATUS_SECTION_NOT_IMAGE.
const SECTION_NOT_IMAGE: NtStatus = NtStatus(0xC000_0049);
/// The largest section ntemu makes (a 32-bit space could never map more).
const MAX_SECTION: u64 = 0xFFFF_FFFF;

/// A file a section is made on, as the file system hands it over.
pub struct SectionFile {
    /// The file's host descriptor.
    pub fd: Arc<OwnedFd>,
    /// The file rights the handle grants (FILE_READ_DATA, FILE_WRITE_DATA, ...).
    pub access: u32,
    /// The file's size now.
    pub size: u64,
    /// Held as long as the section lives: counts the section on the file (so the file
    /// cannot shrink), uncounting it when dropped.
    pub hold: Box<dyn Any + Send + Sync>,
}

/// The section proper, shared by the object and every view.
struct SectionCore {
    fd: Arc<OwnedFd>,
    /// Bytes: a paging-file section's size rounded up to a page, a file section's as asked.
    size: u64,
    protect: PageProtection,
    /// SEC_COMMIT or SEC_RESERVE, with SEC_FILE for a file section.
    attributes: u32,
    /// The executable image of a SEC_IMAGE section.
    image: Option<Arc<pe_image::PeImage>>,
    /// The commit state a SEC_RESERVE section's views share.
    commit: Option<Arc<nt_memory::SharedCommit>>,
    _hold: Option<Box<dyn Any + Send + Sync>>,
}

/// The payload of a Section object.
pub struct Section {
    core: Arc<SectionCore>,
}

impl Section {
    /// The section's size in bytes.
    pub fn size(&self) -> u64 {
        self.core.size
    }

    /// The section's page protection.
    pub fn protect(&self) -> PageProtection {
        self.core.protect
    }

    /// The section's attributes as NtQuerySection gives them.
    pub fn attributes(&self) -> u32 {
        self.core.attributes
    }
}

/// What a section is made of.
pub struct SectionRequest {
    /// The access the new handle asks for.
    pub access: AccessMask,
    /// The name within \BaseNamedObjects.
    pub name: Option<String>,
    /// Handle attributes (inherit).
    pub inherit: HandleAttributes,
    /// An existing section of the name is opened (OBJ_OPENIF) rather than refused.
    pub open_if: bool,
    /// MaximumSize (None or 0: the file's size).
    pub size: Option<u64>,
    /// SectionPageProtection.
    pub protect: u32,
    /// AllocationAttributes (SEC_*).
    pub attributes: u32,
}

/// The section's protection if NT 4.0 makes sections with it.
fn section_protection(protect: u32) -> Result<PageProtection, NtStatus> {
    match protect {
        0x02 | 0x04 | 0x08 => Ok(PageProtection(protect)),
        _ => Err(NtStatus::INVALID_PAGE_PROTECTION),
    }
}

/// The checks of a section request that come before its file is looked at: the
/// attributes, the protection, the kind (image sections are the loader's: a data file is no
/// image), and a size for a section of the paging file.
pub fn check_request(req: &SectionRequest, has_file: bool) -> Result<(), NtStatus> {
    let known = SEC_COMMIT | SEC_RESERVE | SEC_IMAGE | SEC_NOCACHE | SEC_BASED;
    let kind = req.attributes & (SEC_COMMIT | SEC_RESERVE | SEC_IMAGE);
    if req.attributes & !known != 0 || !matches!(kind, SEC_COMMIT | SEC_RESERVE | SEC_IMAGE) {
        return Err(NtStatus::INVALID_PARAMETER);
    }
    section_protection(req.protect)?;
    if kind == SEC_IMAGE && !has_file {
        return Err(NtStatus::INVALID_FILE_FOR_SECTION);
    }
    if !has_file && req.size.unwrap_or(0) == 0 {
        return Err(NtStatus::INVALID_PARAMETER);
    }
    Ok(())
}

/// Makes a section (NtCreateSection, CreateFileMapping): returns the handle and whether the
/// name already named a section (then that one is opened and nothing new is made).
pub fn create_section(
    call: &mut ApiCall<'_>,
    req: SectionRequest,
    file: Option<SectionFile>,
) -> Result<(Handle, bool), NtStatus> {
    check_request(&req, file.is_some())?;
    let kind = req.attributes & (SEC_COMMIT | SEC_RESERVE | SEC_IMAGE);
    let protect = section_protection(req.protect)?;
    let asked = req.size.unwrap_or(0);
    let core = match file {
        Some(f) if kind == SEC_IMAGE => image_section(f, protect)?,
        None => {
            if asked == 0 {
                return Err(NtStatus::INVALID_PARAMETER);
            }
            let page = u64::from(
                call.process()
                    .map_or(0x1000, |p| p.address_space().page_size().bytes()),
            );
            let size = asked.div_ceil(page) * page;
            if size > MAX_SECTION {
                return Err(NtStatus::SECTION_TOO_BIG);
            }
            let fd = nt_memory::anonymous_backing(size).map_err(|e| e.status())?;
            SectionCore {
                fd: Arc::new(fd),
                size,
                protect,
                attributes: kind,
                image: None,
                commit: (kind == SEC_RESERVE).then(|| nt_memory::SharedCommit::new(size)),
                _hold: None,
            }
        }
        Some(f) => {
            let needed = if protect == PageProtection::READWRITE {
                FILE_READ_DATA | FILE_WRITE_DATA
            } else {
                FILE_READ_DATA
            };
            if f.access & needed != needed {
                return Err(NtStatus::ACCESS_DENIED);
            }
            let size = if asked == 0 { f.size } else { asked };
            if size == 0 {
                return Err(NtStatus::MAPPED_FILE_SIZE_ZERO);
            }
            if size > MAX_SECTION {
                return Err(NtStatus::SECTION_TOO_BIG);
            }
            if size > f.size {
                if protect != PageProtection::READWRITE {
                    return Err(NtStatus::SECTION_TOO_BIG);
                }
                nt_memory::set_backing_len(&f.fd, size).map_err(|_| NtStatus::DISK_FULL)?;
            }
            SectionCore {
                fd: f.fd,
                size,
                protect,
                attributes: SEC_FILE,
                image: None,
                commit: None,
                _hold: Some(f.hold),
            }
        }
    };
    let objects = call.machine.objects().clone();
    let payload = || -> Box<dyn Any + Send + Sync> {
        Box::new(Section {
            core: Arc::new(core),
        })
    };
    match &req.name {
        Some(name) => {
            if objects.lookup_name(name).is_some() && !req.open_if {
                return Err(NtStatus::OBJECT_NAME_COLLISION);
            }
            let p = call.process_mut().ok_or(NtStatus::INVALID_HANDLE)?;
            objects
                .create_named_executive(
                    p.handle_table_mut(),
                    name,
                    ObjectType::Section,
                    payload,
                    req.access,
                    req.inherit,
                )
                .map(|c| (c.handle, c.existed))
                .map_err(ObjectError::status)
        }
        None => {
            let object = objects
                .create_executive_object(ObjectType::Section, payload())
                .map_err(ObjectError::status)?;
            let p = call.process_mut().ok_or(NtStatus::INVALID_HANDLE)?;
            p.handle_table_mut()
                .insert(
                    &object,
                    ObjectType::Section.map_access(req.access),
                    req.inherit,
                )
                .map(|h| (h, false))
                .map_err(ObjectError::status)
        }
    }
}

/// The largest image file a SEC_IMAGE section reads.
const MAX_IMAGE_FILE: u64 = 64 << 20;

/// A SEC_IMAGE section of file `f`: the file must be an executable image (an empty file is
/// STATUS_INVALID_FILE_FOR_SECTION, one without "MZ" STATUS_INVALID_IMAGE_NOT_MZ, a
/// malformed one STATUS_INVALID_IMAGE_FORMAT); its views are laid out as the loader lays
/// out images, sized SizeOfImage.
fn image_section(f: SectionFile, protect: PageProtection) -> Result<SectionCore, NtStatus> {
    if f.size == 0 {
        return Err(NtStatus::INVALID_FILE_FOR_SECTION);
    }
    if f.access & FILE_READ_DATA == 0 {
        return Err(NtStatus::ACCESS_DENIED);
    }
    let mut data = vec![0u8; f.size.min(MAX_IMAGE_FILE) as usize];
    let mut read = 0;
    while read < data.len() {
        match nt_memory::read_backing(&f.fd, read as u64, &mut data[read..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => read += n,
        }
    }
    data.truncate(read);
    if !data.starts_with(b"MZ") {
        return Err(NtStatus::INVALID_IMAGE_NOT_MZ);
    }
    let image = pe_image::PeImage::parse(&data).map_err(|_| NtStatus::INVALID_IMAGE_FORMAT)?;
    // An image's pages are shared read-only or copy-on-write, never written back.
    if protect == PageProtection::READWRITE {
        return Err(NtStatus::INVALID_PAGE_PROTECTION);
    }
    Ok(SectionCore {
        fd: f.fd,
        size: u64::from(image.size_of_image),
        protect,
        attributes: SEC_FILE | SEC_IMAGE,
        image: Some(Arc::new(image)),
        commit: None,
        _hold: Some(f.hold),
    })
}

/// Maps a view of an image section: at `base` when given, else at the image's preferred
/// base or (it being taken) anywhere; the headers and sections copied in and their pages
/// protected as the loader does (the view is MEM_IMAGE, allocated PAGE_EXECUTE_WRITECOPY).
/// The image is not relocated: that is the loader's work.
fn map_image_view(
    call: &mut ApiCall<'_>,
    core: &SectionCore,
    image: &pe_image::PeImage,
    req: ViewRequest,
) -> Result<(u32, u32), NtStatus> {
    if req.offset != 0 {
        return Err(NtStatus::INVALID_VIEW_SIZE);
    }
    let space = call
        .machine
        .process_mut(req.process)
        .ok_or(NtStatus::PROCESS_IS_TERMINATING)?
        .address_space_mut();
    let wanted = (req.base != 0).then_some(req.base);
    let base = image.reserve_view(space, wanted).map_err(|e| match e {
        pe_image::ImageError::RelocationsStripped(_) => NtStatus::CONFLICTING_ADDRESSES,
        e => e.status(),
    })?;
    let laid_out = image
        .copy_into_view(space, base)
        .and_then(|()| image.protect_view(space, base));
    if let Err(e) = laid_out {
        let _ = space.unmap_view(base);
        return Err(e.status());
    }
    let page = u64::from(space.page_size().bytes());
    Ok((base, (core.size.div_ceil(page) * page) as u32))
}

/// The section rights a view of protection `protect` needs on the handle.
pub fn view_rights(protect: PageProtection) -> u32 {
    match protect.0 & 0xFF {
        0x04 => SECTION_MAP_WRITE,
        0x40 => SECTION_MAP_WRITE | SECTION_MAP_EXECUTE,
        0x10 | 0x20 | 0x80 => SECTION_MAP_READ | SECTION_MAP_EXECUTE,
        _ => SECTION_MAP_READ,
    }
}

/// A view to map: where, how much, from where, how.
#[derive(Clone, Copy, Debug)]
pub struct ViewRequest {
    /// The process (its id).
    pub process: u32,
    /// The requested base (0: anywhere).
    pub base: u32,
    /// Bytes (0: the rest of the section from `offset`).
    pub size: u32,
    /// Offset in the section.
    pub offset: u64,
    /// The view's page protection.
    pub protect: PageProtection,
}

/// Maps a view of section `object` (NtMapViewOfSection, MapViewOfFileEx); the handle's
/// rights were checked by the caller. Returns the view's base and size.
pub fn map_view(
    call: &mut ApiCall<'_>,
    object: &Arc<Object>,
    req: ViewRequest,
) -> Result<(u32, u32), NtStatus> {
    let section = object
        .payload::<Section>()
        .ok_or(NtStatus::OBJECT_TYPE_MISMATCH)?;
    let core = Arc::clone(&section.core);
    let p = req.protect;
    if !p.is_valid() || p.0 & !0xFF != 0 {
        return Err(NtStatus::INVALID_PAGE_PROTECTION);
    }
    if let Some(image) = &core.image {
        return map_image_view(call, &core, image, req);
    }
    // The view may not grant what the section does not.
    let writes = matches!(p.0, 0x04 | 0x40);
    let executes = matches!(p.0, 0x10 | 0x20 | 0x40 | 0x80);
    if (writes && core.protect != PageProtection::READWRITE) || executes {
        return Err(NtStatus::SECTION_PROTECTION);
    }
    if !req.base.is_multiple_of(nt_memory::ALLOCATION_GRANULARITY)
        || !req
            .offset
            .is_multiple_of(u64::from(nt_memory::ALLOCATION_GRANULARITY))
    {
        return Err(NtStatus::MAPPED_ALIGNMENT);
    }
    if req.offset >= core.size {
        return Err(NtStatus::INVALID_VIEW_SIZE);
    }
    let rest = core.size - req.offset;
    let size = if req.size == 0 {
        rest
    } else if u64::from(req.size) > rest {
        return Err(NtStatus::INVALID_VIEW_SIZE);
    } else {
        u64::from(req.size)
    };
    if size > u64::from(nt_memory::USER_END) {
        return Err(NtStatus::NO_MEMORY);
    }
    let file = core.attributes & SEC_FILE != 0;
    // Never past the descriptor's end: pages there would fault in the host.
    let available = nt_memory::backing_len(&core.fd)
        .unwrap_or(0)
        .saturating_sub(req.offset)
        .min(size);
    let backing = ViewBacking {
        fd: Arc::clone(&core.fd),
        offset: req.offset,
        length: available,
        private: p.is_copy_on_write(),
        page_file: !file,
        keep_alive: Some(core.clone() as Arc<dyn Any + Send + Sync>),
        shared_commit: core.commit.clone(),
    };
    let reserve_only = core.attributes & SEC_RESERVE != 0;
    let space = call
        .machine
        .process_mut(req.process)
        .ok_or(NtStatus::PROCESS_IS_TERMINATING)?
        .address_space_mut();
    let base = space
        .map_section_view(req.base, size as u32, p, reserve_only, backing)
        .map_err(|e| e.status())?;
    let page = u64::from(space.page_size().bytes());
    Ok((base, (size.div_ceil(page) * page) as u32))
}

/// Unmaps the view holding `addr` in process `process` (NtUnmapViewOfSection,
/// UnmapViewOfFile).
pub fn unmap_view(call: &mut ApiCall<'_>, process: u32, addr: u32) -> Result<(), NtStatus> {
    let space = call
        .machine
        .process_mut(process)
        .ok_or(NtStatus::PROCESS_IS_TERMINATING)?
        .address_space_mut();
    match space.query(addr) {
        Ok(info)
            if matches!(
                info.memory_type,
                nt_memory::MemoryType::Mapped | nt_memory::MemoryType::Image
            ) => {}
        Ok(_) | Err(_) => return Err(NtStatus::NOT_MAPPED_VIEW),
    }
    space.unmap_view(addr).map_err(|e| e.status())
}

fn status(s: NtStatus) -> ApiReturn {
    ApiReturn::Value(s.0)
}

/// The process a handle names for a memory service, with PROCESS_VM_OPERATION.
fn target(call: &ApiCall<'_>, process: Handle) -> Result<u32, NtStatus> {
    call.machine
        .reference_process(
            call.thread.process,
            process,
            AccessMask::PROCESS_VM_OPERATION,
        )
        .map_err(|e| e.status())
}

/// NTSTATUS NtCreateSection(PHANDLE SectionHandle, ACCESS_MASK DesiredAccess,
/// POBJECT_ATTRIBUTES ObjectAttributes, PLARGE_INTEGER MaximumSize, ULONG
/// SectionPageProtection, ULONG AllocationAttributes, HANDLE FileHandle): a section backed
/// by the paging file (no file handle) or by a file.
#[export]
pub fn NtCreateSection(
    call: &mut ApiCall<'_>,
    SectionHandle: Ptr,
    DesiredAccess: AccessMask,
    ObjectAttributes: Ptr,
    MaximumSize: Ptr,
    SectionPageProtection: u32,
    AllocationAttributes: u32,
    FileHandle: Handle,
) -> ApiReturn {
    let r = (|| {
        call.probe_write(SectionHandle.0, 4)
            .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
        let attrs = read_object_attributes(call, ObjectAttributes)?;
        let size = if MaximumSize.is_null() {
            None
        } else {
            let lo = call
                .read_u32(MaximumSize.0)
                .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
            let hi = call
                .read_u32(MaximumSize.0.wrapping_add(4))
                .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
            Some(u64::from(lo) | (u64::from(hi) << 32))
        };
        let req = SectionRequest {
            access: DesiredAccess,
            name: attrs.name,
            inherit: handle_attributes(attrs.attributes),
            open_if: attrs.attributes & OBJ_OPENIF != 0,
            size,
            protect: SectionPageProtection,
            attributes: AllocationAttributes,
        };
        check_request(&req, FileHandle.0 != 0)?;
        let file = if FileHandle.0 == 0 {
            None
        } else {
            let services = crate::file::services().ok_or(NtStatus::INVALID_HANDLE)?;
            let image = AllocationAttributes & SEC_IMAGE != 0;
            Some((services.section_file)(call, FileHandle, image)?)
        };
        create_section(call, req, file)
    })();
    match r {
        Ok((handle, existed)) => {
            let success = if existed {
                NtStatus::OBJECT_NAME_EXISTS
            } else {
                NtStatus::SUCCESS
            };
            hand_out(call, SectionHandle, handle, success)
        }
        Err(s) => status(s),
    }
}

/// NTSTATUS NtOpenSection(PHANDLE SectionHandle, ACCESS_MASK DesiredAccess,
/// POBJECT_ATTRIBUTES ObjectAttributes): a section of that name in \BaseNamedObjects.
#[export]
pub fn NtOpenSection(
    call: &mut ApiCall<'_>,
    SectionHandle: Ptr,
    DesiredAccess: AccessMask,
    ObjectAttributes: Ptr,
) -> ApiReturn {
    open_object(
        call,
        SectionHandle,
        DesiredAccess,
        ObjectAttributes,
        ObjectType::Section,
    )
}

/// NTSTATUS NtMapViewOfSection(HANDLE SectionHandle, HANDLE ProcessHandle, PVOID
/// *BaseAddress, ULONG ZeroBits, ULONG CommitSize, PLARGE_INTEGER SectionOffset, PULONG
/// ViewSize, SECTION_INHERIT InheritDisposition, ULONG AllocationType, ULONG Protect):
/// *BaseAddress and *ViewSize get the view as mapped.
#[export]
#[allow(clippy::too_many_arguments)]
pub fn NtMapViewOfSection(
    call: &mut ApiCall<'_>,
    SectionHandle: Handle,
    ProcessHandle: Handle,
    BaseAddress: Ptr,
    ZeroBits: u32,
    CommitSize: u32,
    SectionOffset: Ptr,
    ViewSize: Ptr,
    InheritDisposition: u32,
    AllocationType: u32,
    Protect: u32,
) -> ApiReturn {
    let _ = (ZeroBits, CommitSize, AllocationType);
    let r = (|| {
        let fault = |_| NtStatus::ACCESS_VIOLATION;
        let base = call.read_u32(BaseAddress.0).map_err(fault)?;
        let size = call.read_u32(ViewSize.0).map_err(fault)?;
        let offset = if SectionOffset.is_null() {
            0
        } else {
            u64::from(call.read_u32(SectionOffset.0).map_err(fault)?)
                | (u64::from(
                    call.read_u32(SectionOffset.0.wrapping_add(4))
                        .map_err(fault)?,
                ) << 32)
        };
        if !matches!(InheritDisposition, 1 | 2) {
            return Err(NtStatus::INVALID_PARAMETER);
        }
        let protect = PageProtection(Protect);
        if !protect.is_valid() {
            return Err(NtStatus::INVALID_PAGE_PROTECTION);
        }
        let object = call
            .reference(
                SectionHandle,
                AccessMask(view_rights(protect)),
                Some(ObjectType::Section),
            )
            .map_err(ObjectError::status)?;
        let process = target(call, ProcessHandle)?;
        let (b, s) = map_view(
            call,
            &object,
            ViewRequest {
                process,
                base,
                size,
                offset,
                protect,
            },
        )?;
        call.write_u32(BaseAddress.0, b).map_err(fault)?;
        call.write_u32(ViewSize.0, s).map_err(fault)?;
        Ok(())
    })();
    status(r.err().unwrap_or(NtStatus::SUCCESS))
}

/// NTSTATUS NtUnmapViewOfSection(HANDLE ProcessHandle, PVOID BaseAddress).
#[export]
pub fn NtUnmapViewOfSection(
    call: &mut ApiCall<'_>,
    ProcessHandle: Handle,
    BaseAddress: u32,
) -> ApiReturn {
    let r = target(call, ProcessHandle).and_then(|pid| unmap_view(call, pid, BaseAddress));
    status(r.err().unwrap_or(NtStatus::SUCCESS))
}

/// NTSTATUS NtQuerySection(HANDLE SectionHandle, SECTION_INFORMATION_CLASS Class, PVOID
/// Information, ULONG Length, PULONG ResultLength): SectionBasicInformation (0): base
/// address (0), attributes, size. Needs SECTION_QUERY.
#[export]
pub fn NtQuerySection(
    call: &mut ApiCall<'_>,
    SectionHandle: Handle,
    InformationClass: u32,
    Information: Ptr,
    Length: u32,
    ResultLength: Ptr,
) -> ApiReturn {
    let r = (|| {
        let object = call
            .reference(
                SectionHandle,
                AccessMask(SECTION_QUERY),
                Some(ObjectType::Section),
            )
            .map_err(ObjectError::status)?;
        let section = object
            .payload::<Section>()
            .ok_or(NtStatus::OBJECT_TYPE_MISMATCH)?;
        match InformationClass {
            0 if Length < 16 => return Err(NtStatus::INFO_LENGTH_MISMATCH),
            0 => {}
            // SECTION_IMAGE_INFORMATION: 48 bytes.
            1 if Length < 48 => return Err(NtStatus::INFO_LENGTH_MISMATCH),
            1 => return Err(SECTION_NOT_IMAGE),
            _ => return Err(NtStatus::INVALID_INFO_CLASS),
        }
        let mut out = Vec::with_capacity(16);
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&section.attributes().to_le_bytes());
        out.extend_from_slice(&section.size().to_le_bytes());
        let fault = |_| NtStatus::ACCESS_VIOLATION;
        call.write_bytes(Information.0, &out).map_err(fault)?;
        call.write_out_u32(ResultLength.0, 16).map_err(fault)
    })();
    status(r.err().unwrap_or(NtStatus::SUCCESS))
}

/// NTSTATUS NtFlushVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PULONG
/// RegionSize, PIO_STATUS_BLOCK IoStatus): writes a view's pages to its file.
#[export]
pub fn NtFlushVirtualMemory(
    call: &mut ApiCall<'_>,
    ProcessHandle: Handle,
    BaseAddress: Ptr,
    RegionSize: Ptr,
    IoStatus: Ptr,
) -> ApiReturn {
    let r = (|| {
        let fault = |_| NtStatus::ACCESS_VIOLATION;
        let base = call.read_u32(BaseAddress.0).map_err(fault)?;
        let size = call.read_u32(RegionSize.0).map_err(fault)?;
        let pid = target(call, ProcessHandle)?;
        let (b, s) = call
            .machine
            .process_mut(pid)
            .ok_or(NtStatus::PROCESS_IS_TERMINATING)?
            .address_space_mut()
            .flush_view(base, size)
            .map_err(|e| e.status())?;
        call.write_u32(BaseAddress.0, b).map_err(fault)?;
        call.write_u32(RegionSize.0, s).map_err(fault)?;
        if !IoStatus.is_null() {
            call.write_u32(IoStatus.0, 0).map_err(fault)?;
            call.write_u32(IoStatus.0.wrapping_add(4), 0)
                .map_err(fault)?;
        }
        Ok(())
    })();
    status(r.err().unwrap_or(NtStatus::SUCCESS))
}
