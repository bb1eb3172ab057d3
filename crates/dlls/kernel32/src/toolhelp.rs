//! The Tool Help snapshot functions of Windows 2000 (and Windows 95): CreateToolhelp32Snapshot
//! and Process32First/Next, Thread32First/Next, Module32First/Next in their A and W forms.
//!
//! NT 4.0's KERNEL32 has none of them (NT 4.0 programs used PSAPI and the performance
//! registry). ntemu exports them beyond NT 4.0's catalogue, GetProcAddress included
//! (`later-exports.txt`), because programs built for later Windows look them up and call
//! them without checking the pointer (Wine's process tests among them), and a program that
//! probes for them and finds them gets a working implementation.
//!
//! A snapshot is a kernel object, as Windows 2000 makes it (a section): its handle closes
//! with CloseHandle, and the position of each list's walk is kept in the snapshot, shared by
//! every handle to it. Processes are listed in id order with their image's file name, their
//! parent's id and their class's base priority; threads with their owner, base priority and
//! priority increment; the modules of a process are its image and the builtin DLLs it has
//! loaded.

use std::sync::atomic::{AtomicUsize, Ordering};

use nt_kernel::{ProcessBody, ThreadBody};
use nt_object::{AccessMask, HandleAttributes, ObjectType};
use nt_status::{NtStatus, Win32Error};
use win32::codepage::CodePage;
use win32::{ApiCall, ApiReturn, Ptr, export};

use crate::K32;

/// TH32CS_SNAPHEAPLIST.
const SNAPHEAPLIST: u32 = 0x1;
/// TH32CS_SNAPPROCESS.
const SNAPPROCESS: u32 = 0x2;
/// TH32CS_SNAPTHREAD.
const SNAPTHREAD: u32 = 0x4;
/// TH32CS_SNAPMODULE.
const SNAPMODULE: u32 = 0x8;
/// TH32CS_INHERIT: the snapshot's handle is inheritable.
const INHERIT: u32 = 0x8000_0000;
/// sizeof(PROCESSENTRY32) and sizeof(PROCESSENTRY32W).
const PROCESSENTRY32_SIZE: u32 = 36 + 260;
const PROCESSENTRY32W_SIZE: u32 = 36 + 520;
/// sizeof(THREADENTRY32).
const THREADENTRY32_SIZE: u32 = 28;
/// sizeof(MODULEENTRY32) and sizeof(MODULEENTRY32W).
const MODULEENTRY32_SIZE: u32 = 32 + 256 + 260;
const MODULEENTRY32W_SIZE: u32 = 32 + 512 + 520;

/// One process of a snapshot.
struct ProcessEntry {
    id: u32,
    threads: u32,
    parent: u32,
    base_priority: i32,
    exe: String,
}

/// One thread of a snapshot.
struct ThreadEntry {
    id: u32,
    owner: u32,
    base_priority: i32,
    delta: i32,
}

/// One module of a snapshot.
struct ModuleEntry {
    process: u32,
    base: u32,
    size: u32,
    name: String,
    path: String,
}

/// A snapshot: what the system had when it was taken, and where each walk is.
struct Snapshot {
    processes: Vec<ProcessEntry>,
    threads: Vec<ThreadEntry>,
    modules: Vec<ModuleEntry>,
    next_process: AtomicUsize,
    next_thread: AtomicUsize,
    next_module: AtomicUsize,
}

/// The file name of a guest path.
fn file_name(path: &str) -> &str {
    path.rsplit(['\\', '/']).next().unwrap_or(path)
}

fn take_snapshot(call: &mut ApiCall<'_>, flags: u32, module_process: u32) -> Snapshot {
    let mut processes = Vec::new();
    let mut threads = Vec::new();
    let mut modules = Vec::new();
    // NT's own system processes first, as the kernel lists them (Tool Help names the Idle
    // process "[System Process]").
    for p in nt_kernel::system_processes::SYSTEM_PROCESSES {
        if flags & SNAPTHREAD != 0 {
            threads.push(ThreadEntry {
                id: p.thread,
                owner: p.id,
                base_priority: p.base_priority,
                delta: 0,
            });
        }
        if flags & SNAPPROCESS != 0 {
            processes.push(ProcessEntry {
                id: p.id,
                threads: 1,
                parent: p.parent,
                base_priority: p.base_priority,
                exe: if p.id == 0 {
                    "[System Process]".to_string()
                } else {
                    p.image.to_string()
                },
            });
        }
    }
    for pid in call.machine.process_ids() {
        let Some(p) = call.machine.process(pid) else {
            continue;
        };
        let object = std::sync::Arc::clone(p.object());
        let details = object.payload::<ProcessBody>().map(|b| *b.details());
        let class = details.map_or(nt_kernel::PriorityClass::Normal, |d| d.priority_class);
        if flags & SNAPTHREAD != 0 {
            for t in p.threads() {
                let increment = t
                    .object()
                    .payload::<ThreadBody>()
                    .map_or(0, |b| b.details().increment);
                threads.push(ThreadEntry {
                    id: t.id(),
                    owner: pid,
                    base_priority: class.base_priority(),
                    delta: increment.clamp(-2, 2),
                });
            }
        }
        let thread_count = p.thread_count() as u32;
        let image = p.image().map(|i| (i.base, i.size));
        let path = call
            .state
            .k32()
            .process_parameters
            .get(pid, &object)
            .and_then(|pp| pp.image_path.clone());
        let exe = path
            .as_deref()
            .map_or(String::new(), |p| file_name(p).to_string());
        if flags & SNAPMODULE != 0 && pid == module_process {
            if let (Some((base, size)), Some(path)) = (image, &path) {
                modules.push(ModuleEntry {
                    process: pid,
                    base,
                    size,
                    name: exe.clone(),
                    path: path.clone(),
                });
            }
            for (name, handle) in crate::module::loaded_builtins(call, pid) {
                modules.push(ModuleEntry {
                    process: pid,
                    base: handle,
                    size: 0,
                    path: format!("{}\\{name}", crate::SYSTEM_DIRECTORY),
                    name,
                });
            }
        }
        if flags & SNAPPROCESS != 0 {
            processes.push(ProcessEntry {
                id: pid,
                threads: thread_count,
                parent: details.map_or(0, |d| d.parent),
                base_priority: class.base_priority(),
                exe,
            });
        }
    }
    Snapshot {
        processes,
        threads,
        modules,
        next_process: AtomicUsize::new(0),
        next_thread: AtomicUsize::new(0),
        next_module: AtomicUsize::new(0),
    }
}

/// CreateToolhelp32Snapshot(dwFlags, th32ProcessID): a snapshot of the lists dwFlags names
/// (the module and heap lists of process th32ProcessID, 0 for the caller); INVALID_HANDLE_VALUE
/// on failure. A heap list is not kept: Heap32ListFirst is not exported.
#[export]
fn CreateToolhelp32Snapshot(call: &mut ApiCall<'_>, dwFlags: u32, th32ProcessID: u32) -> ApiReturn {
    let module_process = if th32ProcessID == 0 {
        call.thread.process
    } else {
        th32ProcessID
    };
    if dwFlags & (SNAPMODULE | SNAPHEAPLIST) != 0 && call.machine.process(module_process).is_none()
    {
        return call.fail_with(NtStatus::INVALID_PARAMETER, u32::MAX);
    }
    let snapshot = take_snapshot(call, dwFlags, module_process);
    let object = match call
        .machine
        .objects()
        .create_executive_object(ObjectType::Section, Box::new(snapshot))
    {
        Ok(o) => o,
        Err(e) => return call.fail_with(e.status(), u32::MAX),
    };
    let attributes = if dwFlags & INHERIT != 0 {
        HandleAttributes::INHERIT
    } else {
        HandleAttributes::NONE
    };
    let inserted = call.process_mut().map(|p| {
        p.handle_table_mut().insert(
            &object,
            ObjectType::Section.map_access(AccessMask::GENERIC_ALL),
            attributes,
        )
    });
    match inserted {
        Some(Ok(h)) => ApiReturn::Value(h.0),
        Some(Err(e)) => call.fail_with(e.status(), u32::MAX),
        None => call.fail_with(NtStatus::PROCESS_IS_TERMINATING, u32::MAX),
    }
}

/// The snapshot a handle names, and the entry structure's dwSize (checked against `size`:
/// smaller is ERROR_INSUFFICIENT_BUFFER).
fn snapshot_and_size(
    call: &mut ApiCall<'_>,
    handle: nt_object::Handle,
    entry: Ptr,
    size: u32,
) -> Result<std::sync::Arc<nt_object::Object>, ApiReturn> {
    let object = match call.reference(handle, AccessMask(0), Some(ObjectType::Section)) {
        Ok(o) if o.payload::<Snapshot>().is_some() => o,
        Ok(_) => return Err(call.fail(NtStatus::INVALID_HANDLE)),
        Err(e) => return Err(call.fail(e.status())),
    };
    match call.read_u32(entry.0) {
        Ok(n) if n >= size => Ok(object),
        Ok(_) => Err(call.fail(NtStatus::BUFFER_TOO_SMALL)),
        Err(_) => Err(call.fail(NtStatus::ACCESS_VIOLATION)),
    }
}

/// The text of a name field: ANSI bytes or UTF-16 units, NUL-terminated, truncated to
/// `chars` characters.
fn name_field(text: &str, wide: bool, chars: usize) -> Vec<u8> {
    if wide {
        let mut units: Vec<u16> = text.encode_utf16().take(chars - 1).collect();
        units.push(0);
        units.iter().flat_map(|u| u.to_le_bytes()).collect()
    } else {
        let mut bytes = CodePage::Ansi.encode_str(text);
        bytes.truncate(chars - 1);
        bytes.push(0);
        bytes
    }
}

fn next_entry(counter: &AtomicUsize, first: bool, len: usize) -> Option<usize> {
    if first {
        counter.store(0, Ordering::Relaxed);
    }
    let i = counter.load(Ordering::Relaxed);
    if i >= len {
        return None;
    }
    counter.store(i + 1, Ordering::Relaxed);
    Some(i)
}

fn no_more_files(call: &mut ApiCall<'_>) -> ApiReturn {
    call.fail_win32(Win32Error(18), 0)
}

fn write_entry(call: &mut ApiCall<'_>, at: u32, bytes: &[u8]) -> ApiReturn {
    match call.write_bytes(at, bytes) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

fn process_walk(
    call: &mut ApiCall<'_>,
    handle: nt_object::Handle,
    entry: Ptr,
    first: bool,
    wide: bool,
) -> ApiReturn {
    let size = if wide {
        PROCESSENTRY32W_SIZE
    } else {
        PROCESSENTRY32_SIZE
    };
    let object = match snapshot_and_size(call, handle, entry, size) {
        Ok(o) => o,
        Err(failed) => return failed,
    };
    let Some(s) = object.payload::<Snapshot>() else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    let Some(i) = next_entry(&s.next_process, first, s.processes.len()) else {
        return no_more_files(call);
    };
    let p = &s.processes[i];
    let mut bytes = Vec::with_capacity(size as usize);
    for v in [
        size,
        0,
        p.id,
        0,
        0,
        p.threads,
        p.parent,
        p.base_priority as u32,
        0,
    ] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    bytes.extend(name_field(&p.exe, wide, 260));
    write_entry(call, entry.0 + 4, &bytes[4..])
}

/// Process32First(hSnapshot, lppe).
#[export]
fn Process32First(call: &mut ApiCall<'_>, hSnapshot: nt_object::Handle, lppe: Ptr) -> ApiReturn {
    process_walk(call, hSnapshot, lppe, true, false)
}

/// Process32Next(hSnapshot, lppe).
#[export]
fn Process32Next(call: &mut ApiCall<'_>, hSnapshot: nt_object::Handle, lppe: Ptr) -> ApiReturn {
    process_walk(call, hSnapshot, lppe, false, false)
}

/// Process32FirstW(hSnapshot, lppe).
#[export]
fn Process32FirstW(call: &mut ApiCall<'_>, hSnapshot: nt_object::Handle, lppe: Ptr) -> ApiReturn {
    process_walk(call, hSnapshot, lppe, true, true)
}

/// Process32NextW(hSnapshot, lppe).
#[export]
fn Process32NextW(call: &mut ApiCall<'_>, hSnapshot: nt_object::Handle, lppe: Ptr) -> ApiReturn {
    process_walk(call, hSnapshot, lppe, false, true)
}

fn thread_walk(
    call: &mut ApiCall<'_>,
    handle: nt_object::Handle,
    entry: Ptr,
    first: bool,
) -> ApiReturn {
    let object = match snapshot_and_size(call, handle, entry, THREADENTRY32_SIZE) {
        Ok(o) => o,
        Err(failed) => return failed,
    };
    let Some(s) = object.payload::<Snapshot>() else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    let Some(i) = next_entry(&s.next_thread, first, s.threads.len()) else {
        return no_more_files(call);
    };
    let t = &s.threads[i];
    let mut bytes = Vec::with_capacity(24);
    for v in [0, t.id, t.owner, t.base_priority as u32, t.delta as u32, 0] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    write_entry(call, entry.0 + 4, &bytes)
}

/// Thread32First(hSnapshot, lpte).
#[export]
fn Thread32First(call: &mut ApiCall<'_>, hSnapshot: nt_object::Handle, lpte: Ptr) -> ApiReturn {
    thread_walk(call, hSnapshot, lpte, true)
}

/// Thread32Next(hSnapshot, lpte).
#[export]
fn Thread32Next(call: &mut ApiCall<'_>, hSnapshot: nt_object::Handle, lpte: Ptr) -> ApiReturn {
    thread_walk(call, hSnapshot, lpte, false)
}

fn module_walk(
    call: &mut ApiCall<'_>,
    handle: nt_object::Handle,
    entry: Ptr,
    first: bool,
    wide: bool,
) -> ApiReturn {
    let size = if wide {
        MODULEENTRY32W_SIZE
    } else {
        MODULEENTRY32_SIZE
    };
    let object = match snapshot_and_size(call, handle, entry, size) {
        Ok(o) => o,
        Err(failed) => return failed,
    };
    let Some(s) = object.payload::<Snapshot>() else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    let Some(i) = next_entry(&s.next_module, first, s.modules.len()) else {
        return no_more_files(call);
    };
    let m = &s.modules[i];
    let mut bytes = Vec::with_capacity(size as usize);
    // th32ModuleID is always 1; the usage counts are 0xFFFF, as Windows 2000 reports them.
    for v in [1, m.process, 0xFFFF, 0xFFFF, m.base, m.size, m.base] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    bytes.extend(name_field(&m.name, wide, 256));
    bytes.extend(name_field(&m.path, wide, 260));
    write_entry(call, entry.0 + 4, &bytes)
}

/// Module32First(hSnapshot, lpme).
#[export]
fn Module32First(call: &mut ApiCall<'_>, hSnapshot: nt_object::Handle, lpme: Ptr) -> ApiReturn {
    module_walk(call, hSnapshot, lpme, true, false)
}

/// Module32Next(hSnapshot, lpme).
#[export]
fn Module32Next(call: &mut ApiCall<'_>, hSnapshot: nt_object::Handle, lpme: Ptr) -> ApiReturn {
    module_walk(call, hSnapshot, lpme, false, false)
}

/// Module32FirstW(hSnapshot, lpme).
#[export]
fn Module32FirstW(call: &mut ApiCall<'_>, hSnapshot: nt_object::Handle, lpme: Ptr) -> ApiReturn {
    module_walk(call, hSnapshot, lpme, true, true)
}

/// Module32NextW(hSnapshot, lpme).
#[export]
fn Module32NextW(call: &mut ApiCall<'_>, hSnapshot: nt_object::Handle, lpme: Ptr) -> ApiReturn {
    module_walk(call, hSnapshot, lpme, false, true)
}
