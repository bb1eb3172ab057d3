//! Modules: LoadLibrary, GetModuleHandle, GetProcAddress, GetModuleFileName, FreeLibrary.
//!
//! A builtin DLL's module handle is an address in the thunk range below the function thunks,
//! never guest memory, one per DLL. As on NT, a module is loaded in a process when the
//! process's image imports from it, or once LoadLibrary loaded it (until as many FreeLibrary
//! calls undo it); NTDLL and KERNEL32 are loaded in every process. GetModuleHandle finds
//! loaded modules only; LoadLibrary loads any builtin. A name finds a builtin with or without
//! `.dll`, in any case, or as a path ending in it. GetProcAddress finds only what NT 4.0's
//! DLL of that name exports (a function ntemu lacks gets a thunk that stops the process
//! naming it when called); anything else is NULL with ERROR_PROC_NOT_FOUND.

use nt_object::Handle;
use nt_status::{NtStatus, Win32Error};
use pe_image::ImportSymbol;
use win32::{AnsiStr, ApiCall, ApiReturn, OutBuf, Ptr, WideStr, export};

use crate::K32;

/// How many times each process loaded each builtin DLL with LoadLibrary (by DLL index).
#[derive(Default)]
struct LoadCounts(win32::PerProcess<std::collections::BTreeMap<usize, u32>>);

/// True when builtin DLL `index` is loaded in the calling process.
pub(crate) fn is_loaded(call: &mut ApiCall<'_>, index: usize) -> bool {
    let Some(dll) = call.builtins.dlls().nth(index) else {
        return false;
    };
    if win32::dll_matches(dll.name, "ntdll") || win32::dll_matches(dll.name, "kernel32") {
        return true;
    }
    let imported = call.process().and_then(|p| p.image()).is_some_and(|image| {
        image
            .imported_dlls
            .iter()
            .any(|i| win32::dll_matches(dll.name, i))
    });
    imported || load_count(call, index) > 0
}

fn counts<'c>(call: &'c mut ApiCall<'_>) -> Option<&'c mut std::collections::BTreeMap<usize, u32>> {
    let object = call.process_object()?;
    let pid = call.thread.process;
    Some(
        call.state
            .get::<LoadCounts>()
            .0
            .get_or_default(pid, &object),
    )
}

fn load_count(call: &mut ApiCall<'_>, index: usize) -> u32 {
    counts(call)
        .and_then(|c| c.get(&index).copied())
        .unwrap_or(0)
}

/// The module handle of a loaded module `name` names in the calling process: a builtin
/// DLL, or the program's own image by its file name.
fn loaded_module(call: &mut ApiCall<'_>, name: &str) -> Option<u32> {
    // A DLL from disk first: one loaded under a builtin's name (an override) is that name's.
    if let Some(base) = crate::dllload::find_module(call, name) {
        return Some(base);
    }
    if let Some(index) = call.builtins.dll_index(name) {
        return is_loaded(call, index).then(|| call.builtins.module_handle(index));
    }
    own_image(call, name)
}

/// The program's own image, if `name` is its file name.
fn own_image(call: &mut ApiCall<'_>, name: &str) -> Option<u32> {
    let base = call.process()?.image().map(|i| i.base)?;
    let file = name.rsplit(['\\', '/']).next().unwrap_or(name);
    let own = image_file_name(call)?;
    let own = own.rsplit(['\\', '/']).next().unwrap_or(&own).to_string();
    let same = own.eq_ignore_ascii_case(file)
        || (!file.contains('.') && own.eq_ignore_ascii_case(&format!("{file}.dll")));
    same.then_some(base)
}

/// The program's full guest path: where its image lies on a drive, else the file name its
/// command line starts with, in `C:\\`.
fn image_file_name(call: &mut ApiCall<'_>) -> Option<String> {
    if let Some(path) = crate::own_image_path(call) {
        return Some(path);
    }
    let object = call.process_object()?;
    let pid = call.thread.process;
    let line = call
        .state
        .k32()
        .process_parameters
        .get(pid, &object)
        .map(|p| p.command_line.clone())?;
    let first = first_token(&line)?;
    let file = first
        .rsplit(['\\', '/'])
        .next()
        .unwrap_or(&first)
        .to_string();
    Some(format!("C:\\{file}"))
}

/// The first token of a command line (quotes removed).
fn first_token(line: &str) -> Option<String> {
    let line = line.trim_start();
    if let Some(rest) = line.strip_prefix('"') {
        return Some(rest.split('"').next().unwrap_or(rest).to_string());
    }
    line.split_whitespace().next().map(str::to_string)
}

/// The builtin DLLs loaded in process `pid`: each one's file name and module handle.
pub(crate) fn loaded_builtins(call: &mut ApiCall<'_>, pid: u32) -> Vec<(String, u32)> {
    let Some(thread) = call
        .machine
        .process(pid)
        .and_then(|p| p.threads().first().map(|t| t.id()))
    else {
        return Vec::new();
    };
    let mut on = call.on_thread(nt_kernel::ClientId {
        process: pid,
        thread,
    });
    let builtins = on.builtins;
    let count = builtins.dlls().count();
    let loaded: Vec<usize> = (0..count).filter(|&i| is_loaded(&mut on, i)).collect();
    loaded
        .into_iter()
        .filter_map(|i| {
            let dll = builtins.dlls().nth(i)?;
            Some((dll.name.to_string(), builtins.module_handle(i)))
        })
        .collect()
}

fn load_library(call: &mut ApiCall<'_>, name: Option<&str>, flags: u32, params: u32) -> ApiReturn {
    if let Some(wait) = crate::dllload::wait_for_loader_lock(call) {
        return wait;
    }
    let Some(name) = name else {
        return call.fail(NtStatus::INVALID_PARAMETER);
    };
    if name.len() > crate::MAX_PATH {
        return call.fail_win32(Win32Error(206), 0);
    }
    let choices = crate::dllload::override_of(call, name);
    match choices.as_deref() {
        // Disabled: neither kind loads.
        Some([]) => return call.fail(NtStatus::DLL_NOT_FOUND),
        Some([crate::dllload::DllChoice::Native, rest @ ..]) => {
            match crate::dllload::load_library(call, name, flags, params) {
                Err(NtStatus::DLL_NOT_FOUND)
                    if rest.contains(&crate::dllload::DllChoice::Builtin) => {}
                Ok(Some(module)) => return ApiReturn::Value(module),
                Ok(None) => return ApiReturn::Resumed,
                Err(status) => return call.fail(status),
            }
        }
        _ => {}
    }
    let builtin_allowed = choices
        .as_deref()
        .is_none_or(|c| c.contains(&crate::dllload::DllChoice::Builtin));
    if let Some(index) = call.builtins.dll_index(name).filter(|_| builtin_allowed) {
        if let Some(count) = counts(call) {
            let n = count.entry(index).or_insert(0);
            *n = n.saturating_add(1);
        }
        return ApiReturn::Value(call.builtins.module_handle(index));
    }
    if let Some(module) = own_image(call, name) {
        return ApiReturn::Value(module);
    }
    match crate::dllload::load_library(call, name, flags, params) {
        Ok(Some(module)) => ApiReturn::Value(module),
        Ok(None) => ApiReturn::Resumed,
        Err(status) => call.fail(status),
    }
}

/// LoadLibraryA(lpLibFileName): a builtin DLL's module handle, the program's own image, or
/// a DLL from disk (see [`crate::dllload`]): ERROR_MOD_NOT_FOUND when it is not on the path,
/// ERROR_BAD_EXE_FORMAT for an image of the other CPU, ERROR_DLL_INIT_FAILED when its
/// DllMain refuses.
#[export]
fn LoadLibraryA(call: &mut ApiCall<'_>, lpLibFileName: Option<AnsiStr>) -> ApiReturn {
    load_library(call, lpLibFileName.as_deref(), 0, 1)
}

/// LoadLibraryW(lpLibFileName).
#[export]
fn LoadLibraryW(call: &mut ApiCall<'_>, lpLibFileName: Option<WideStr>) -> ApiReturn {
    load_library(call, lpLibFileName.as_deref(), 0, 1)
}

/// LoadLibraryExA(lpLibFileName, hFile, dwFlags): hFile must be NULL;
/// DONT_RESOLVE_DLL_REFERENCES maps a disk DLL without binding its imports or calling its
/// entry point; LOAD_LIBRARY_AS_DATAFILE maps the file as it is, for its resources (the
/// handle is the view's base plus one).
#[export]
fn LoadLibraryExA(
    call: &mut ApiCall<'_>,
    lpLibFileName: Option<AnsiStr>,
    hFile: Handle,
    dwFlags: u32,
) -> ApiReturn {
    if hFile.0 != 0 {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    load_library(call, lpLibFileName.as_deref(), dwFlags, 3)
}

/// LoadLibraryExW(lpLibFileName, hFile, dwFlags).
#[export]
fn LoadLibraryExW(
    call: &mut ApiCall<'_>,
    lpLibFileName: Option<WideStr>,
    hFile: Handle,
    dwFlags: u32,
) -> ApiReturn {
    if hFile.0 != 0 {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    load_library(call, lpLibFileName.as_deref(), dwFlags, 3)
}

fn get_module_handle(call: &mut ApiCall<'_>, name: Option<&str>) -> ApiReturn {
    let Some(name) = name else {
        let base = call.process().and_then(|p| p.image().map(|i| i.base));
        return match base {
            Some(b) => ApiReturn::Value(b),
            None => call.fail_win32(Win32Error::MOD_NOT_FOUND, 0),
        };
    };
    match loaded_module(call, name) {
        Some(module) => ApiReturn::Value(module),
        None => call.fail_win32(Win32Error::MOD_NOT_FOUND, 0),
    }
}

/// GetModuleHandleA(lpModuleName): NULL is the program's image.
#[export]
fn GetModuleHandleA(call: &mut ApiCall<'_>, lpModuleName: Option<AnsiStr>) -> ApiReturn {
    get_module_handle(call, lpModuleName.as_deref())
}

/// GetModuleHandleW(lpModuleName).
#[export]
fn GetModuleHandleW(call: &mut ApiCall<'_>, lpModuleName: Option<WideStr>) -> ApiReturn {
    get_module_handle(call, lpModuleName.as_deref())
}

/// GetProcAddress(hModule, lpProcName): lpProcName is a name, or an ordinal in its low word
/// when its high word is 0. Only NT 4.0's exports are found.
#[export]
fn GetProcAddress(call: &mut ApiCall<'_>, hModule: u32, lpProcName: Ptr) -> ApiReturn {
    if crate::dllload::is_disk_module(call, hModule) {
        let symbol = if lpProcName.0 >> 16 == 0 {
            ImportSymbol::Ordinal(lpProcName.0 as u16)
        } else {
            match AnsiStr::read(call, lpProcName.0) {
                Ok(name) => ImportSymbol::Name {
                    hint: 0,
                    name: name.into_string(),
                },
                Err(_) => return call.fail(NtStatus::ACCESS_VIOLATION),
            }
        };
        return match crate::dllload::proc_address(call, hModule, &symbol) {
            Ok(address) => ApiReturn::Value(address),
            Err(_) => call.fail_win32(Win32Error::PROC_NOT_FOUND, 0),
        };
    }
    let dll = call
        .builtins
        .dll_of_module(hModule)
        .filter(|&i| is_loaded(call, i));
    let Some(dll) = dll else {
        let own = call.process().and_then(|p| p.image().map(|i| i.base));
        if own.is_some_and(|b| b == hModule) {
            return call.fail_win32(Win32Error::PROC_NOT_FOUND, 0);
        }
        return call.fail_win32(Win32Error::MOD_NOT_FOUND, 0);
    };
    let symbol = if lpProcName.0 >> 16 == 0 {
        ImportSymbol::Ordinal(lpProcName.0 as u16)
    } else {
        match AnsiStr::read(call, lpProcName.0) {
            Ok(name) => ImportSymbol::Name {
                hint: 0,
                name: name.into_string(),
            },
            Err(_) => return call.fail(NtStatus::ACCESS_VIOLATION),
        }
    };
    match call.builtins.proc_address(dll, &symbol) {
        Some(address) => ApiReturn::Value(address),
        None => call.fail_win32(Win32Error::PROC_NOT_FOUND, 0),
    }
}

/// The full name of module `module`: the program's, or a builtin DLL's in
/// `C:\WINNT\system32`.
pub(crate) fn module_file_name(call: &mut ApiCall<'_>, module: u32) -> Option<String> {
    let image_base = call.process().and_then(|p| p.image().map(|i| i.base));
    if module == 0 || Some(module) == image_base {
        return Some(image_file_name(call).unwrap_or_else(|| "C:\\PROGRAM.EXE".to_string()));
    }
    if let Some(path) = crate::dllload::module_path(call, module) {
        return Some(path);
    }
    let dll = call.builtins.dll_of_module(module)?;
    if !is_loaded(call, dll) {
        return None;
    }
    let name = call.builtins.dlls().nth(dll)?.name;
    Some(format!("C:\\WINNT\\system32\\{name}"))
}

/// GetModuleFileNameA(hModule, lpFilename, nSize): a short buffer gets the truncated name
/// without a NUL and the return value nSize, as NT 4.0 does.
#[export]
fn GetModuleFileNameA(
    call: &mut ApiCall<'_>,
    hModule: u32,
    #[size(nSize)] lpFilename: OutBuf<u8>,
    nSize: u32,
) -> ApiReturn {
    let Some(name) = module_file_name(call, hModule) else {
        return call.fail_win32(Win32Error::MOD_NOT_FOUND, 0);
    };
    let mut bytes = win32::codepage::CodePage::Ansi.encode_str(&name);
    let length = bytes.len() as u32;
    bytes.push(0);
    let written = bytes.len().min(lpFilename.capacity as usize);
    match call.write_bytes(lpFilename.ptr, &bytes[..written]) {
        Ok(()) => ApiReturn::Value(length.min(nSize)),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// GetModuleFileNameW(hModule, lpFilename, nSize), in characters.
#[export]
fn GetModuleFileNameW(
    call: &mut ApiCall<'_>,
    hModule: u32,
    #[size(nSize)] lpFilename: OutBuf<u16>,
    nSize: u32,
) -> ApiReturn {
    let Some(name) = module_file_name(call, hModule) else {
        return call.fail_win32(Win32Error::MOD_NOT_FOUND, 0);
    };
    let mut units: Vec<u16> = name.encode_utf16().collect();
    let length = units.len() as u32;
    units.push(0);
    let written = units.len().min(lpFilename.capacity as usize);
    let bytes: Vec<u8> = units[..written]
        .iter()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    match call.write_bytes(lpFilename.ptr, &bytes) {
        Ok(()) => ApiReturn::Value(length.min(nSize)),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// FreeLibrary(hLibModule): undoes one LoadLibrary of a builtin DLL (a module the image
/// imports, and the image itself, stay loaded) or of a DLL from disk (unloaded, after its
/// DllMain's PROCESS_DETACH, when its count reaches 0); a handle that names no loaded
/// module is ERROR_MOD_NOT_FOUND (LdrUnloadDll's STATUS_DLL_NOT_FOUND).
#[export]
fn FreeLibrary(call: &mut ApiCall<'_>, hLibModule: u32) -> ApiReturn {
    if let Some(wait) = crate::dllload::wait_for_loader_lock(call) {
        return wait;
    }
    if let Some(value) = crate::dllload::free_data_file(call, hLibModule) {
        return ApiReturn::Value(value);
    }
    if crate::dllload::is_disk_module(call, hLibModule) {
        return match crate::dllload::free_library(call, hLibModule, 1) {
            Some(value) => ApiReturn::Value(value),
            None => ApiReturn::Resumed,
        };
    }
    if let Some(index) = call.builtins.dll_of_module(hLibModule)
        && is_loaded(call, index)
    {
        if let Some(n) = counts(call).and_then(|c| c.get_mut(&index)) {
            *n = n.saturating_sub(1);
        }
        return ApiReturn::Value(1);
    }
    let own = call
        .process()
        .and_then(|p| p.image().map(|i| i.base))
        .is_some_and(|base| base == hLibModule);
    if own {
        ApiReturn::Value(1)
    } else {
        call.fail(NtStatus::DLL_NOT_FOUND)
    }
}

/// DisableThreadLibraryCalls(hLibModule): a DLL from disk gets no more DLL_THREAD_ATTACH
/// and DLL_THREAD_DETACH calls; TRUE for any loaded module (builtins get none anyway);
/// ERROR_MOD_NOT_FOUND for a handle that names none.
#[export]
fn DisableThreadLibraryCalls(call: &mut ApiCall<'_>, hLibModule: u32) -> ApiReturn {
    if crate::dllload::disable_thread_calls(call, hLibModule) {
        return ApiReturn::Value(1);
    }
    let builtin = call
        .builtins
        .dll_of_module(hLibModule)
        .is_some_and(|i| is_loaded(call, i));
    let own = call
        .process()
        .and_then(|p| p.image().map(|i| i.base))
        .is_some_and(|base| base == hLibModule);
    if builtin || own {
        ApiReturn::Value(1)
    } else {
        call.fail(NtStatus::DLL_NOT_FOUND)
    }
}

/// GET_MODULE_HANDLE_EX_FLAG_PIN.
const MODULE_FLAG_PIN: u32 = 1;
/// GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT.
const MODULE_FLAG_UNCHANGED_REFCOUNT: u32 = 2;
/// GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS.
const MODULE_FLAG_FROM_ADDRESS: u32 = 4;

/// The module an address lies in: a builtin DLL's handle or function thunk, or an image
/// view (its allocation base).
fn module_at(call: &mut ApiCall<'_>, address: u32) -> Option<u32> {
    if call.builtins.dll_of_module(address).is_some() {
        return Some(address);
    }
    if let Some(target) = call.builtins.at(address) {
        return Some(call.builtins.module_handle(usize::from(target.dll)));
    }
    let info = call.process()?.address_space().query(address).ok()?;
    (info.memory_type == nt_memory::MemoryType::Image).then_some(info.allocation_base)
}

/// GetModuleHandleExA/W's common part: the module by name (NULL: the program) or, with
/// GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS, by an address inside it; a reference is added
/// unless GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT (PIN and UNCHANGED_REFCOUNT together
/// are invalid). The handle goes to `out`, NULL on failure.
fn get_module_handle_ex(
    call: &mut ApiCall<'_>,
    flags: u32,
    module_name: Ptr,
    out: Ptr,
    wide: bool,
) -> ApiReturn {
    // The module's name (an ANSI or UTF-16 string, or none), or with
    // GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS an address inside it.
    let name = if flags & MODULE_FLAG_FROM_ADDRESS != 0 {
        Err(module_name.0)
    } else if module_name.is_null() {
        Ok(None)
    } else {
        match call.read_text(module_name.0, 0x8000, wide) {
            Ok(text) => Ok(Some(text)),
            Err(_) => return call.fail(NtStatus::ACCESS_VIOLATION),
        }
    };
    let valid = MODULE_FLAG_PIN | MODULE_FLAG_UNCHANGED_REFCOUNT | MODULE_FLAG_FROM_ADDRESS;
    if out.is_null() {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    let _ = call.write_out_u32(out.0, 0);
    if flags & !valid != 0
        || flags & (MODULE_FLAG_PIN | MODULE_FLAG_UNCHANGED_REFCOUNT)
            == MODULE_FLAG_PIN | MODULE_FLAG_UNCHANGED_REFCOUNT
    {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    let module = if flags & MODULE_FLAG_FROM_ADDRESS != 0 {
        let address = match name {
            Err(address) => address,
            Ok(_) => return call.fail(NtStatus::INVALID_PARAMETER),
        };
        match module_at(call, address) {
            Some(m) => m,
            None => return call.fail_win32(Win32Error::MOD_NOT_FOUND, 0),
        }
    } else {
        let name = match name {
            Ok(n) => n,
            Err(_) => return call.fail(NtStatus::INVALID_PARAMETER),
        };
        match get_module_handle(call, name.as_deref()) {
            ApiReturn::Value(m) if m != 0 => m,
            other => return other,
        }
    };
    if flags & MODULE_FLAG_UNCHANGED_REFCOUNT == 0
        && let Some(index) = call.builtins.dll_of_module(module)
        && let Some(n) = counts(call).and_then(|c| c.get_mut(&index))
    {
        *n = n.saturating_add(1);
    }
    match call.write_out_u32(out.0, module) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// BOOL GetModuleHandleExA(DWORD dwFlags, LPCSTR lpModuleName, HMODULE *phModule):
/// Windows XP's, for programs that import it.
#[export]
fn GetModuleHandleExA(
    call: &mut ApiCall<'_>,
    dwFlags: u32,
    lpModuleName: Ptr,
    phModule: Ptr,
) -> ApiReturn {
    get_module_handle_ex(call, dwFlags, lpModuleName, phModule, false)
}

/// BOOL GetModuleHandleExW(DWORD dwFlags, LPCWSTR lpModuleName, HMODULE *phModule).
#[export]
fn GetModuleHandleExW(
    call: &mut ApiCall<'_>,
    dwFlags: u32,
    lpModuleName: Ptr,
    phModule: Ptr,
) -> ApiReturn {
    get_module_handle_ex(call, dwFlags, lpModuleName, phModule, true)
}
