//! Resources of mapped images: FindResource(Ex)A/W, LoadResource, LockResource,
//! SizeofResource, FreeResource and EnumResourceTypes/Names/Languages A/W, and the lookup
//! USER32's LoadString uses ([`find`]).
//!
//! As NT's LdrFindResource does, the lookup reads the image where it is mapped: the module
//! handle is the image's base, its headers give the resource directory, and the directory is
//! parsed by [`pe_image::Resources`]. An HRSRC is the address of the resource's
//! IMAGE_RESOURCE_DATA_ENTRY in the mapped image; LoadResource and SizeofResource read that
//! entry, and LoadResource's handle is the data's address, which LockResource returns. A
//! handle that is not a mapped image (a builtin DLL's handle, garbage) has no resource
//! data: ERROR_RESOURCE_DATA_NOT_FOUND, as RtlImageNtHeader failing gives on NT.
//!
//! The enumerations call the guest's callback once per item, returning from each to
//! [`ENUM_RETURN_THUNK`] (`enum_thunk` serves it); a callback returning FALSE ends the
//! enumeration, and the function returns TRUE either way (NT 4.0 has no
//! ERROR_RESOURCE_ENUM_USER_STOP: that came with Vista).

use nt_kernel::ServiceOutcome;
use nt_memory::{AllocationType, FreeType, PageProtection};
use nt_status::NtStatus;
use pe_image::resources::{ResourceEntry, ResourceId, ResourceMissing, Resources};
use win32::{ApiCall, ApiReturn, Ptr, export};

use crate::callback::{call_guest, caller_of, result_of, return_to_caller};

/// Where an enumeration callback returns to.
pub const ENUM_RETURN_THUNK: u32 = nt_kernel::THUNK_BASE + 0x28;

/// The longest resource type or name string read from the caller.
const MAX_NAME: usize = 1024;

/// The most resource-directory bytes read from a mapped image.
const MAX_DIRECTORY: u32 = 0x100_0000;

/// The image base a module handle names: NULL is the program's own image.
pub fn module_base(call: &ApiCall<'_>, module: u32) -> Option<u32> {
    if module != 0 {
        return Some(module & !1);
    }
    call.process().and_then(|p| p.image().map(|i| i.base))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// A module as the resource functions read it: a mapped image (RVAs are offsets from its
/// base) or a DLL mapped as a data file (LOAD_LIBRARY_AS_DATAFILE: the file as it is, its
/// handle the view's base plus one, RVAs found through its section table).
pub struct ModuleView {
    /// Where the view starts.
    pub base: u32,
    /// The bytes readable from `base`: SizeOfImage, or the file's size.
    pub size: u32,
    /// For a data file, each section's (VirtualAddress, size, PointerToRawData).
    sections: Option<Vec<(u32, u32, u32)>>,
    /// The resource directory's RVA and size (0 when there is none).
    directory: (u32, u32),
}

impl ModuleView {
    /// The address of `len` bytes at `rva` in the view, if they lie in it.
    pub fn address(&self, rva: u32, len: u32) -> Option<u32> {
        let offset = match &self.sections {
            None => rva,
            Some(sections) => match sections
                .iter()
                .find(|&&(va, size, _)| rva >= va && rva - va < size)
            {
                Some(&(va, size, raw))
                    if u64::from(rva - va) + u64::from(len) <= u64::from(size) =>
                {
                    raw.checked_add(rva - va)?
                }
                Some(_) => return None,
                // Before the first section: the headers, where the file and image agree.
                None if sections.iter().all(|&(va, _, _)| rva < va) => rva,
                None => return None,
            },
        };
        (u64::from(offset) + u64::from(len) <= u64::from(self.size))
            .then(|| self.base.wrapping_add(offset))
    }
}

/// The view of module `module` (NULL: the program; a handle with its low bit set: a data
/// file), its headers read from the caller's memory.
pub fn module_view(call: &ApiCall<'_>, module: u32) -> Result<ModuleView, ResourceMissing> {
    let data_file = module & 1 == 1;
    let (base, limit) = if data_file {
        let d = call
            .process()
            .and_then(|p| p.modules().data_file(module).map(|d| (d.base, d.size)))
            .ok_or(ResourceMissing::Data)?;
        (d.0, Some(d.1))
    } else {
        (
            module_base(call, module).ok_or(ResourceMissing::Data)?,
            None,
        )
    };
    let dos = call
        .read_bytes(base, 0x40)
        .map_err(|_| ResourceMissing::Data)?;
    if dos.get(..2) != Some(b"MZ") {
        return Err(ResourceMissing::Data);
    }
    let lfanew = le32(&dos, 0x3C).ok_or(ResourceMissing::Data)?;
    if lfanew > 0x1000 {
        return Err(ResourceMissing::Data);
    }
    let nt = call
        .read_bytes(base.wrapping_add(lfanew), 24 + 96 + 8 * 3)
        .map_err(|_| ResourceMissing::Data)?;
    if nt.get(..4) != Some(b"PE\0\0") {
        return Err(ResourceMissing::Data);
    }
    let size_of_image = le32(&nt, 24 + 56).ok_or(ResourceMissing::Data)?;
    let directories = le32(&nt, 24 + 92).ok_or(ResourceMissing::Data)?;
    let directory = if directories < 3 {
        (0, 0)
    } else {
        (
            le32(&nt, 24 + 96 + 16).ok_or(ResourceMissing::Data)?,
            le32(&nt, 24 + 96 + 20).ok_or(ResourceMissing::Data)?,
        )
    };
    let sections = if data_file {
        let count = u16::from_le_bytes([nt[6], nt[7]]).min(96) as u32;
        let optional = u32::from(u16::from_le_bytes([nt[20], nt[21]]));
        let table = call
            .read_bytes(
                base.wrapping_add(lfanew).wrapping_add(24 + optional),
                40 * count as usize,
            )
            .map_err(|_| ResourceMissing::Data)?;
        let list = table
            .chunks_exact(40)
            .filter_map(|h| {
                // In the file a section is its raw data only.
                let (va, raw_size, raw) = (le32(h, 12)?, le32(h, 16)?, le32(h, 20)?);
                Some((va, raw_size, raw))
            })
            .collect();
        Some(list)
    } else {
        None
    };
    Ok(ModuleView {
        base,
        size: limit.unwrap_or(size_of_image),
        sections,
        directory,
    })
}

/// The resource directory of the module `view` shows, read from the caller's memory.
pub fn resources_in(call: &ApiCall<'_>, view: &ModuleView) -> Result<Resources, ResourceMissing> {
    let (rva, size) = view.directory;
    if rva == 0 {
        return Err(ResourceMissing::Data);
    }
    let at = view.address(rva, 16).ok_or(ResourceMissing::Data)?;
    // The directory's size field is not trusted: the tree may point past it. Read to the
    // end of the view, or only what the field says if that cannot be read.
    let to_end = (view.size - (at - view.base)).min(MAX_DIRECTORY);
    let bytes = call
        .read_bytes(at, to_end as usize)
        .or_else(|_| call.read_bytes(at, size.min(to_end) as usize))
        .map_err(|_| ResourceMissing::Data)?;
    Resources::parse(&bytes, rva).map_err(|_| ResourceMissing::Data)
}

/// Finds resource `resource_type`/`name` in `language` (0: any, with NT's fallbacks) in
/// module `module` (NULL: the program; a data file's handle): the address of its data and
/// the entry.
pub fn find(
    call: &ApiCall<'_>,
    module: u32,
    resource_type: &ResourceId,
    name: &ResourceId,
    language: u16,
) -> Result<(u32, ResourceEntry), ResourceMissing> {
    let view = module_view(call, module)?;
    let resources = resources_in(call, &view)?;
    let entry = resources.lookup(resource_type, name, language)?.clone();
    let data = view
        .address(entry.data_rva, entry.size)
        .ok_or(ResourceMissing::Data)?;
    Ok((data, entry))
}

/// The HRSRC of an entry: its data entry's address in the view.
fn handle_of(view: &ModuleView, entry: &ResourceEntry) -> Option<u32> {
    view.address(view.directory.0, 0)
        .map(|at| at.wrapping_add(entry.entry_offset))
}

/// A resource type or name as a caller passes it: MAKEINTRESOURCE (high word 0), else an
/// ANSI or UTF-16 string (`#123` is the number 123).
pub fn read_id(call: &ApiCall<'_>, value: u32, wide: bool) -> Result<ResourceId, NtStatus> {
    if value >> 16 == 0 {
        return Ok(ResourceId::Id(value as u16));
    }
    call.read_text(value, MAX_NAME, wide)
        .map(|t| ResourceId::from_name(&t))
        .map_err(|_| NtStatus::ACCESS_VIOLATION)
}

fn find_resource(
    call: &mut ApiCall<'_>,
    module: u32,
    resource_type: u32,
    name: u32,
    language: u16,
    wide: bool,
) -> ApiReturn {
    let ids = read_id(call, resource_type, wide).and_then(|t| Ok((t, read_id(call, name, wide)?)));
    let (resource_type, name) = match ids {
        Ok(ids) => ids,
        Err(status) => return call.fail(status),
    };
    let view = match module_view(call, module) {
        Ok(v) => v,
        Err(missing) => return call.fail(missing.status()),
    };
    let resources = match resources_in(call, &view) {
        Ok(r) => r,
        Err(missing) => return call.fail(missing.status()),
    };
    match resources.lookup(&resource_type, &name, language) {
        Ok(entry) => match handle_of(&view, entry) {
            Some(h) => ApiReturn::Value(h),
            None => call.fail(ResourceMissing::Data.status()),
        },
        Err(missing) => call.fail(missing.status()),
    }
}

/// FindResourceA(hModule, lpName, lpType): the resource in any language (U.S. English
/// first, then the first the resource has). NULL with ERROR_RESOURCE_DATA_NOT_FOUND,
/// ERROR_RESOURCE_TYPE_NOT_FOUND or ERROR_RESOURCE_NAME_NOT_FOUND when it is not there.
#[export]
fn FindResourceA(call: &mut ApiCall<'_>, hModule: u32, lpName: Ptr, lpType: Ptr) -> ApiReturn {
    find_resource(call, hModule, lpType.0, lpName.0, 0, false)
}

/// FindResourceW(hModule, lpName, lpType).
#[export]
fn FindResourceW(call: &mut ApiCall<'_>, hModule: u32, lpName: Ptr, lpType: Ptr) -> ApiReturn {
    find_resource(call, hModule, lpType.0, lpName.0, 0, true)
}

/// FindResourceExA(hModule, lpType, lpName, wLanguage): the resource in that language,
/// else in its primary language with SUBLANG_NEUTRAL (ERROR_RESOURCE_LANG_NOT_FOUND when
/// neither is there); LANG_NEUTRAL means any, as for FindResourceA.
#[export]
fn FindResourceExA(
    call: &mut ApiCall<'_>,
    hModule: u32,
    lpType: Ptr,
    lpName: Ptr,
    wLanguage: u32,
) -> ApiReturn {
    find_resource(call, hModule, lpType.0, lpName.0, wLanguage as u16, false)
}

/// FindResourceExW(hModule, lpType, lpName, wLanguage).
#[export]
fn FindResourceExW(
    call: &mut ApiCall<'_>,
    hModule: u32,
    lpType: Ptr,
    lpName: Ptr,
    wLanguage: u32,
) -> ApiReturn {
    find_resource(call, hModule, lpType.0, lpName.0, wLanguage as u16, true)
}

/// The (OffsetToData, Size) of the IMAGE_RESOURCE_DATA_ENTRY an HRSRC points at.
fn data_entry(call: &ApiCall<'_>, resource: u32) -> Option<(u32, u32)> {
    if resource == 0 {
        return None;
    }
    let b = call.read_bytes(resource, 8).ok()?;
    Some((le32(&b, 0)?, le32(&b, 4)?))
}

/// LoadResource(hModule, hResInfo): the address of the resource's data (an HRSRC from
/// FindResource of that module). NULL with ERROR_NOACCESS for a handle that cannot be read.
#[export]
fn LoadResource(call: &mut ApiCall<'_>, hModule: u32, hResInfo: u32) -> ApiReturn {
    let Some((rva, size)) = data_entry(call, hResInfo) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let view = match module_view(call, hModule) {
        Ok(v) => v,
        Err(missing) => return call.fail(missing.status()),
    };
    match view.address(rva, size) {
        Some(address) => ApiReturn::Value(address),
        None => call.fail(ResourceMissing::Data.status()),
    }
}

/// LockResource(hResData): the data's address, which is what LoadResource returned.
#[export]
fn LockResource(call: &mut ApiCall<'_>, hResData: u32) -> ApiReturn {
    let _ = call;
    ApiReturn::Value(hResData)
}

/// SizeofResource(hModule, hResInfo): the resource's size in bytes; 0 with ERROR_NOACCESS
/// for a handle that cannot be read.
#[export]
fn SizeofResource(call: &mut ApiCall<'_>, hModule: u32, hResInfo: u32) -> ApiReturn {
    let _ = hModule;
    match data_entry(call, hResInfo) {
        Some((_, size)) => ApiReturn::Value(size),
        None => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// FreeResource(hResData): resources live as long as their image; FALSE, as NT 4.0 returns.
#[export]
fn FreeResource(call: &mut ApiCall<'_>, hResData: u32) -> ApiReturn {
    let _ = (call, hResData);
    ApiReturn::Value(0)
}

// ---- enumerations --------------------------------------------------------------------

/// One enumeration in progress on a thread.
struct Enumeration {
    /// x86: the caller's esp (at its return address); Alpha: its ra.
    caller: u32,
    /// The enumeration function's argument count (popped on return, x86).
    params: u32,
    /// The callback.
    function: u32,
    /// The arguments of each call, in order.
    calls: Vec<Vec<u32>>,
    /// The next call.
    next: usize,
    /// The memory holding the names passed to the callback (0: none).
    names: u32,
}

/// The enumerations in progress, innermost last, per (process, thread).
#[derive(Default)]
struct Enumerations(std::collections::BTreeMap<(u32, u32), Vec<Enumeration>>);

/// Copies named ids into one block of the caller's memory, as ANSI or UTF-16 strings; numbers
/// stay MAKEINTRESOURCE values. Returns the values and the block (0 when none was needed).
fn place_ids(
    call: &mut ApiCall<'_>,
    ids: &[ResourceId],
    wide: bool,
) -> Result<(Vec<u32>, u32), NtStatus> {
    let mut blob = Vec::new();
    let mut offsets = Vec::with_capacity(ids.len());
    for id in ids {
        match id {
            ResourceId::Id(_) => offsets.push(None),
            ResourceId::Name(s) => {
                offsets.push(Some(blob.len() as u32));
                if wide {
                    for u in s.encode_utf16().chain([0]) {
                        blob.extend_from_slice(&u.to_le_bytes());
                    }
                } else {
                    blob.extend(win32::codepage::CodePage::Ansi.encode_str(s));
                    blob.push(0);
                }
                while !blob.len().is_multiple_of(4) {
                    blob.push(0);
                }
            }
        }
    }
    let mut block = 0;
    if !blob.is_empty() {
        let len = u32::try_from(blob.len()).map_err(|_| NtStatus::NO_MEMORY)?;
        let process = call.process_mut().ok_or(NtStatus::NO_MEMORY)?;
        let space = process.address_space_mut();
        let (b, _) = space
            .allocate(
                0,
                len,
                AllocationType::RESERVE | AllocationType::COMMIT,
                PageProtection::READWRITE,
            )
            .map_err(|_| NtStatus::NO_MEMORY)?;
        if space.kernel_write(b, &blob).is_err() {
            let _ = space.free(b, 0, FreeType::RELEASE);
            return Err(NtStatus::NO_MEMORY);
        }
        block = b;
    }
    let values = ids
        .iter()
        .zip(offsets)
        .map(|(id, off)| match (id, off) {
            (ResourceId::Id(n), _) => u32::from(*n),
            (_, Some(o)) => block + o,
            (_, None) => 0,
        })
        .collect();
    Ok((values, block))
}

/// Sends the thread to the enumeration's next callback, returning to [`ENUM_RETURN_THUNK`].
fn call_next(call: &mut ApiCall<'_>, e: &Enumeration) -> bool {
    match e.calls.get(e.next) {
        Some(args) => call_guest(call, e.caller, e.function, args, ENUM_RETURN_THUNK),
        None => false,
    }
}

/// Returns from the enumeration function to its caller with `value`, freeing its names.
fn finish(call: &mut ApiCall<'_>, e: &Enumeration, value: u32) -> bool {
    if e.names != 0
        && let Some(process) = call.process_mut()
    {
        let _ = process
            .address_space_mut()
            .free(e.names, 0, FreeType::RELEASE);
    }
    return_to_caller(call, e.caller, e.params, value)
}

/// Starts an enumeration: no items returns TRUE at once; otherwise the first callback runs.
fn enumerate(
    call: &mut ApiCall<'_>,
    params: u32,
    function: u32,
    calls: Vec<Vec<u32>>,
    names: u32,
) -> ApiReturn {
    let Some(caller) = caller_of(call) else {
        return ApiReturn::Value(0);
    };
    let e = Enumeration {
        caller,
        params,
        function,
        calls,
        next: 0,
        names,
    };
    if e.calls.is_empty() || function == 0 {
        if names != 0
            && let Some(p) = call.process_mut()
        {
            let _ = p.address_space_mut().free(names, 0, FreeType::RELEASE);
        }
        return ApiReturn::Value(1);
    }
    if !call_next(call, &e) {
        finish(call, &e, 0);
        return ApiReturn::Resumed;
    }
    let key = (call.thread.process, call.thread.thread);
    call.state
        .get::<Enumerations>()
        .0
        .entry(key)
        .or_default()
        .push(e);
    ApiReturn::Resumed
}

/// A callback of an enumeration returned to [`ENUM_RETURN_THUNK`]: the next one runs, or
/// (after the last, or a FALSE) the enumeration function returns TRUE. None for any other
/// address.
pub(crate) fn enum_thunk(call: &mut ApiCall<'_>, address: u32) -> Option<ServiceOutcome> {
    if address != ENUM_RETURN_THUNK {
        return None;
    }
    let key = (call.thread.process, call.thread.thread);
    let result = result_of(call)?;
    let all = &mut call.state.get::<Enumerations>().0;
    let stack = all.get_mut(&key)?;
    let mut e = stack.pop()?;
    if stack.is_empty() {
        all.remove(&key);
    }
    e.next += 1;
    if result != 0 && e.next < e.calls.len() && call_next(call, &e) {
        call.state
            .get::<Enumerations>()
            .0
            .entry(key)
            .or_default()
            .push(e);
        return Some(ServiceOutcome::Continue);
    }
    if finish(call, &e, 1) {
        Some(ServiceOutcome::Continue)
    } else {
        Some(ServiceOutcome::ExitProcess(NtStatus::ACCESS_VIOLATION.0))
    }
}

/// The module handle the enumeration callbacks get (NULL becomes the program's base) and
/// the module's resources.
fn module_resources(call: &mut ApiCall<'_>, module: u32) -> Result<(u32, Resources), NtStatus> {
    let view = module_view(call, module).map_err(ResourceMissing::status)?;
    let r = resources_in(call, &view).map_err(ResourceMissing::status)?;
    Ok((if module == 0 { view.base } else { module }, r))
}

fn enum_types(
    call: &mut ApiCall<'_>,
    module: u32,
    function: u32,
    param: u32,
    wide: bool,
) -> ApiReturn {
    let (base, resources) = match module_resources(call, module) {
        Ok(r) => r,
        Err(status) => return call.fail(status),
    };
    let ids: Vec<ResourceId> = resources.types().into_iter().cloned().collect();
    let (values, names) = match place_ids(call, &ids, wide) {
        Ok(v) => v,
        Err(status) => return call.fail(status),
    };
    let calls = values.into_iter().map(|t| vec![base, t, param]).collect();
    enumerate(call, 3, function, calls, names)
}

/// EnumResourceTypesA(hModule, lpEnumFunc, lParam): calls EnumResTypeProc(hModule, lpType,
/// lParam) for each type, named types as ANSI strings; FALSE with
/// ERROR_RESOURCE_DATA_NOT_FOUND when the image has no resources.
#[export]
fn EnumResourceTypesA(
    call: &mut ApiCall<'_>,
    hModule: u32,
    lpEnumFunc: Ptr,
    lParam: u32,
) -> ApiReturn {
    enum_types(call, hModule, lpEnumFunc.0, lParam, false)
}

/// EnumResourceTypesW(hModule, lpEnumFunc, lParam): named types as UTF-16 strings.
#[export]
fn EnumResourceTypesW(
    call: &mut ApiCall<'_>,
    hModule: u32,
    lpEnumFunc: Ptr,
    lParam: u32,
) -> ApiReturn {
    enum_types(call, hModule, lpEnumFunc.0, lParam, true)
}

fn enum_names(
    call: &mut ApiCall<'_>,
    module: u32,
    resource_type: u32,
    function: u32,
    param: u32,
    wide: bool,
) -> ApiReturn {
    let wanted = match read_id(call, resource_type, wide) {
        Ok(t) => t,
        Err(status) => return call.fail(status),
    };
    let (base, resources) = match module_resources(call, module) {
        Ok(r) => r,
        Err(status) => return call.fail(status),
    };
    let ids: Vec<ResourceId> = resources.names(&wanted).into_iter().cloned().collect();
    if ids.is_empty() {
        return call.fail(ResourceMissing::Type.status());
    }
    let (values, names) = match place_ids(call, &ids, wide) {
        Ok(v) => v,
        Err(status) => return call.fail(status),
    };
    let calls = values
        .into_iter()
        .map(|n| vec![base, resource_type, n, param])
        .collect();
    enumerate(call, 4, function, calls, names)
}

/// EnumResourceNamesA(hModule, lpType, lpEnumFunc, lParam): calls EnumResNameProc(hModule,
/// lpType, lpName, lParam) for each name of the type; FALSE with
/// ERROR_RESOURCE_TYPE_NOT_FOUND when the image has none of it.
#[export]
fn EnumResourceNamesA(
    call: &mut ApiCall<'_>,
    hModule: u32,
    lpType: Ptr,
    lpEnumFunc: Ptr,
    lParam: u32,
) -> ApiReturn {
    enum_names(call, hModule, lpType.0, lpEnumFunc.0, lParam, false)
}

/// EnumResourceNamesW(hModule, lpType, lpEnumFunc, lParam).
#[export]
fn EnumResourceNamesW(
    call: &mut ApiCall<'_>,
    hModule: u32,
    lpType: Ptr,
    lpEnumFunc: Ptr,
    lParam: u32,
) -> ApiReturn {
    enum_names(call, hModule, lpType.0, lpEnumFunc.0, lParam, true)
}

fn enum_languages(
    call: &mut ApiCall<'_>,
    module: u32,
    ids: (u32, u32),
    function: u32,
    param: u32,
    wide: bool,
) -> ApiReturn {
    let wanted = read_id(call, ids.0, wide).and_then(|t| Ok((t, read_id(call, ids.1, wide)?)));
    let (wanted_type, wanted_name) = match wanted {
        Ok(w) => w,
        Err(status) => return call.fail(status),
    };
    let (base, resources) = match module_resources(call, module) {
        Ok(r) => r,
        Err(status) => return call.fail(status),
    };
    if resources.names(&wanted_type).is_empty() {
        return call.fail(ResourceMissing::Type.status());
    }
    let languages = resources.languages(&wanted_type, &wanted_name);
    if languages.is_empty() {
        return call.fail(ResourceMissing::Name.status());
    }
    let calls = languages
        .into_iter()
        .map(|l| vec![base, ids.0, ids.1, u32::from(l), param])
        .collect();
    enumerate(call, 5, function, calls, 0)
}

/// EnumResourceLanguagesA(hModule, lpType, lpName, lpEnumFunc, lParam): calls
/// EnumResLangProc(hModule, lpType, lpName, wLanguage, lParam) for each language of the
/// resource.
#[export]
fn EnumResourceLanguagesA(
    call: &mut ApiCall<'_>,
    hModule: u32,
    lpType: Ptr,
    lpName: Ptr,
    lpEnumFunc: Ptr,
    lParam: u32,
) -> ApiReturn {
    enum_languages(
        call,
        hModule,
        (lpType.0, lpName.0),
        lpEnumFunc.0,
        lParam,
        false,
    )
}

/// EnumResourceLanguagesW(hModule, lpType, lpName, lpEnumFunc, lParam).
#[export]
fn EnumResourceLanguagesW(
    call: &mut ApiCall<'_>,
    hModule: u32,
    lpType: Ptr,
    lpName: Ptr,
    lpEnumFunc: Ptr,
    lParam: u32,
) -> ApiReturn {
    enum_languages(
        call,
        hModule,
        (lpType.0, lpName.0),
        lpEnumFunc.0,
        lParam,
        true,
    )
}
