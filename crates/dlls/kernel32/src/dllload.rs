//! DLLs from disk: the Win32 half of NT's loader, driving nt-kernel's [`LoadTransaction`].
//!
//! LoadLibrary of a name no builtin DLL serves searches NT 4.0's path (the program's folder,
//! the current directory, `C:\WINNT\SYSTEM32`, `C:\WINNT`, then the guest's PATH), maps the
//! image (a Section handle while it is mapped), relocates it when its base is taken, puts it
//! in the process's module list, binds its imports (builtins, and DLLs from disk loaded the
//! same way, recursively) and then calls the entry points (DllMain) of the modules the load
//! added, dependencies first, with DLL_PROCESS_ATTACH. Every step is a step of the
//! transaction with its fault point (`--fault LoadLibrary:STEP`); a failure before the
//! entry points rolls everything back; a DllMain returning FALSE gets DLL_PROCESS_DETACH (and
//! so do the modules this load already initialized), then the load rolls back and
//! LoadLibrary returns NULL with ERROR_DLL_INIT_FAILED.
//!
//! FreeLibrary drops a reference; a module whose count reaches 0 gets DLL_PROCESS_DETACH,
//! leaves the list and is unmapped, and its dependencies lose the reference it held. The
//! entry points run as guest calls returning to [`LOADER_RETURN_THUNK`] (`loader_thunk`).

use std::collections::VecDeque;
use std::sync::Arc;

use nt_kernel::{Architecture, FaultPoint, LoadTransaction, Module, ModuleFlags, ServiceOutcome};
use nt_status::NtStatus;
use pe_image::{ExportTarget, ImportSymbol, PeImage};
use win32::ApiCall;

use crate::callback::{call_guest, caller_of, result_of, return_to_caller};

/// Where a DLL entry point called by the loader returns to.
pub const LOADER_RETURN_THUNK: u32 = nt_kernel::THUNK_BASE + 0x2C;

/// LoadLibraryEx: map the DLL without binding its imports or calling its entry point.
pub const DONT_RESOLVE_DLL_REFERENCES: u32 = 0x1;

/// LoadLibraryEx: map the file as it is, read-only, for its resources (any CPU's image).
pub const LOAD_LIBRARY_AS_DATAFILE: u32 = 0x2;

/// Where threads of a process with DLLs from disk start (NT's LdrInitializeThunk): their
/// DLLs get DLL_THREAD_ATTACH, then the thread goes to its start routine.
pub const THREAD_START_THUNK: u32 = nt_kernel::THUNK_BASE + 0x30;

/// Where such a thread's start routine returns to: its DLLs get DLL_THREAD_DETACH, then the
/// thread ends with the routine's result.
pub const THREAD_END_THUNK: u32 = nt_kernel::THUNK_BASE + 0x34;

/// DllMain's reasons.
const DLL_PROCESS_DETACH: u32 = 0;
const DLL_PROCESS_ATTACH: u32 = 1;
const DLL_THREAD_ATTACH: u32 = 2;
const DLL_THREAD_DETACH: u32 = 3;

/// The most TLS callbacks called of one module (its array ends at a NULL before that).
const MAX_TLS_CALLBACKS: usize = 64;

/// One initialization call of a module: one of its TLS callbacks or its entry point. As
/// NT's loader does, a module with static TLS has its TLS callbacks called (lpReserved
/// NULL, return value ignored) before its DllMain, for every reason.
#[derive(Clone, Copy, Debug)]
struct Init {
    /// The module.
    base: u32,
    /// The TLS callback to call, or None for the entry point.
    callback: Option<u32>,
}

/// The initialization calls of `bases`, in that order: each module's TLS callbacks (read
/// from its callback array in memory, up to the NULL that ends it), then its entry point.
/// Only modules with a static TLS slot have their callbacks called: NT 4.0 gives a DLL
/// loaded after start-up neither TLS nor TLS callbacks.
fn init_calls(call: &ApiCall<'_>, bases: impl IntoIterator<Item = u32>) -> VecDeque<Init> {
    let mut out = VecDeque::new();
    for base in bases {
        let array = call.process().and_then(|p| {
            let m = p.modules().get(base)?;
            m.tls_index?;
            let tls = m.image.tls.as_ref()?;
            (tls.address_of_callbacks != 0).then(|| {
                tls.address_of_callbacks
                    .wrapping_add(base.wrapping_sub(m.image.image_base))
            })
        });
        if let Some(array) = array {
            for i in 0..MAX_TLS_CALLBACKS as u32 {
                match call.read_u32(array.wrapping_add(4 * i)) {
                    Ok(0) | Err(_) => break,
                    Ok(callback) => out.push_back(Init {
                        base,
                        callback: Some(callback),
                    }),
                }
            }
        }
        out.push_back(Init {
            base,
            callback: None,
        });
    }
    out
}

/// Makes initialization call `init` for `reason` (`reserved` is DllMain's lpReserved); false
/// when there is nothing to call (no entry point) or the call cannot be made.
fn call_init(call: &mut ApiCall<'_>, caller: u32, init: Init, reason: u32, reserved: u32) -> bool {
    let (target, reserved) = match init.callback {
        Some(callback) => (callback, 0),
        None => (entry_of(call, init.base), reserved),
    };
    target != 0
        && call_guest(
            call,
            caller,
            target,
            &[init.base, reason, reserved],
            LOADER_RETURN_THUNK,
        )
}

/// Where a DLL of a name comes from, in Wine's terms.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DllChoice {
    /// The DLL file on the search path (`n`, `native`).
    Native,
    /// ntemu's builtin DLL (`b`, `builtin`).
    Builtin,
}

/// DLL overrides: for a DLL name, which kinds to try in which order (none: the DLL is
/// disabled). Without an override a builtin serves its name and any other name is loaded
/// from disk. Set per machine with `--dll NAME=native|builtin` and `WINEDLLOVERRIDES`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DllOverrides(Vec<(String, Vec<DllChoice>)>);

/// The key a DLL name is compared by: its file name without `.dll`, in lower case.
fn override_key(name: &str) -> String {
    let file = name
        .rsplit(['\\', '/'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase();
    file.strip_suffix(".dll").unwrap_or(&file).to_string()
}

impl DllOverrides {
    /// Parses Wine's WINEDLLOVERRIDES syntax: `;`-separated entries `NAME[,NAME...]=MODE`,
    /// MODE `n`, `b`, `n,b`, `b,n`, `native`, `builtin` or empty (disabled). Later entries
    /// win over earlier ones for the same name.
    pub fn parse(spec: &str) -> Result<DllOverrides, String> {
        let mut out = DllOverrides::default();
        for entry in spec.split(';').map(str::trim).filter(|e| !e.is_empty()) {
            let (names, mode) = entry
                .split_once('=')
                .ok_or_else(|| format!("{entry:?}: not NAME=MODE"))?;
            let mut choices = Vec::new();
            for m in mode.split(',').map(str::trim).filter(|m| !m.is_empty()) {
                choices.push(match m.to_ascii_lowercase().as_str() {
                    "n" | "native" => DllChoice::Native,
                    "b" | "builtin" => DllChoice::Builtin,
                    _ => return Err(format!("{entry:?}: {m:?} is not n, b, native or builtin")),
                });
            }
            for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                out.set(name, choices.clone());
            }
        }
        Ok(out)
    }

    /// Sets the choices for `name`.
    pub fn set(&mut self, name: &str, choices: Vec<DllChoice>) {
        let key = override_key(name);
        self.0.retain(|(k, _)| *k != key);
        self.0.push((key, choices));
    }

    /// Adds `other`'s entries, which win.
    pub fn merge(&mut self, other: &DllOverrides) {
        for (k, c) in &other.0 {
            self.set(k, c.clone());
        }
    }

    /// The choices for `name`, if it has an override.
    pub fn choices(&self, name: &str) -> Option<&[DllChoice]> {
        let key = override_key(name);
        self.0
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, c)| c.as_slice())
    }

    /// True when there is no override.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The machine's DLL overrides (set by the host before the program runs).
pub fn set_overrides(state: &mut win32::Win32State, overrides: DllOverrides) {
    *state.get::<DllOverrides>() = overrides;
}

/// The override for `name` in the calling machine.
pub(crate) fn override_of(call: &mut ApiCall<'_>, name: &str) -> Option<Vec<DllChoice>> {
    call.state
        .get::<DllOverrides>()
        .choices(name)
        .map(<[DllChoice]>::to_vec)
}

/// How deep a chain of imports may go before the load gives up (a cycle is found in the
/// module list long before).
const MAX_DEPTH: u32 = 64;

/// The guest paths LoadLibrary tries for `name`, in NT 4.0's order: a name with a path is
/// tried as it is; a bare name in the program's folder, the current directory, the system
/// directory, the Windows directory, then each PATH entry.
fn candidates(call: &mut ApiCall<'_>, name: &str) -> Vec<String> {
    let name = nt_kernel::loader::with_dll_extension(name);
    if name.contains(['\\', '/', ':']) {
        return vec![name];
    }
    let mut out = Vec::new();
    if let Some(image) = crate::own_image_path(call)
        && let Some((dir, _)) = image.rsplit_once('\\')
    {
        out.push(format!("{dir}\\{name}"));
    }
    out.push(name.clone());
    out.push(format!("C:\\WINNT\\system32\\{name}"));
    out.push(format!("C:\\WINNT\\{name}"));
    if let Some(path) = crate::environment::variable(call, "PATH") {
        for dir in path.split(';').filter(|d| !d.is_empty()) {
            out.push(format!("{}\\{name}", dir.trim_end_matches('\\')));
        }
    }
    out
}

/// Finds and reads the DLL `name`: its full guest path and its bytes.
fn search(call: &mut ApiCall<'_>, name: &str) -> Option<(String, Vec<u8>)> {
    for candidate in candidates(call, name) {
        let Ok(file) = crate::guestfile::guest_file(call, &candidate) else {
            continue;
        };
        if !file.exists() {
            continue;
        }
        if let Ok(Some(bytes)) = file.read() {
            return Some((file.path().to_string(), bytes));
        }
    }
    None
}

/// The file LoadLibraryEx with LOAD_LIBRARY_AS_DATAFILE reads for `name` (found in NT 4.0's
/// DLL search order, `.DLL` added to a name without an extension): its full guest path and
/// its bytes; None when there is no such file.
pub fn find_data_file(call: &mut ApiCall<'_>, name: &str) -> Option<(String, Vec<u8>)> {
    search(call, name)
}

fn kernel(e: nt_kernel::KernelError) -> NtStatus {
    e.status()
}

/// The address export `symbol` of disk module `base` stands for, following forwarders
/// (to builtins, and to disk DLLs, loaded in `txn` when they are not yet).
fn resolve_export(
    call: &mut ApiCall<'_>,
    txn: &mut LoadTransaction,
    base: u32,
    symbol: &ImportSymbol,
    depth: u32,
) -> Result<u32, NtStatus> {
    let missing = match symbol {
        ImportSymbol::Name { .. } => NtStatus::ENTRYPOINT_NOT_FOUND,
        ImportSymbol::Ordinal(_) => NtStatus::ORDINAL_NOT_FOUND,
    };
    let image = module_image(call, base).ok_or(NtStatus::DLL_NOT_FOUND)?;
    let export = image.find_export(symbol).ok_or(missing)?;
    match &export.target {
        ExportTarget::Rva(rva) => Ok(base.wrapping_add(*rva)),
        ExportTarget::Forward(target) => {
            if depth > MAX_DEPTH {
                return Err(missing);
            }
            let (dll, function) = target.split_once('.').ok_or(missing)?;
            let symbol = match function.strip_prefix('#').map(str::parse::<u16>) {
                Some(Ok(n)) => ImportSymbol::Ordinal(n),
                _ => ImportSymbol::Name {
                    hint: 0,
                    name: function.to_string(),
                },
            };
            if let Some(index) = call.builtins.dll_index(dll) {
                return call.builtins.proc_address(index, &symbol).ok_or(missing);
            }
            let target_base = load_module(call, txn, dll, false, depth + 1)?;
            if let Some(m) = call
                .process_mut()
                .and_then(|p| p.modules_mut().get_mut(base))
                && !m.dependencies.contains(&target_base)
            {
                m.dependencies.push(target_base);
            }
            resolve_export(call, txn, target_base, &symbol, depth + 1)
        }
    }
}

fn module_image(call: &ApiCall<'_>, base: u32) -> Option<Arc<PeImage>> {
    call.process()?
        .modules()
        .get(base)
        .map(|m| Arc::clone(&m.image))
}

/// Loads disk DLL `name` (or takes a reference on it when it is loaded) as part of `txn`:
/// every step up to (not including) its entry point. Returns its base.
fn load_module(
    call: &mut ApiCall<'_>,
    txn: &mut LoadTransaction,
    name: &str,
    dont_resolve: bool,
    depth: u32,
) -> Result<u32, NtStatus> {
    load_module_as(call, txn, name, dont_resolve, false, depth)
}

/// [`load_module`], for a load at process start-up (`static_load`: the module gets a
/// static TLS slot) or later.
fn load_module_as(
    call: &mut ApiCall<'_>,
    txn: &mut LoadTransaction,
    name: &str,
    dont_resolve: bool,
    static_load: bool,
    depth: u32,
) -> Result<u32, NtStatus> {
    if depth > MAX_DEPTH {
        return Err(NtStatus::DLL_NOT_FOUND);
    }
    let loaded = call
        .process()
        .and_then(|p| p.modules().find(name).map(|m| m.base));
    if let Some(base) = loaded {
        txn.add_reference(call.machine, base).map_err(kernel)?;
        return Ok(base);
    }
    txn.reach(call.machine, FaultPoint::LoadSearch)
        .map_err(kernel)?;
    let (path, bytes) = search(call, name).ok_or(NtStatus::DLL_NOT_FOUND)?;
    // The same file under another name (a path, or a name without .DLL) is the same module.
    let same_file = call.process().and_then(|p| {
        p.modules()
            .iter()
            .find(|m| m.path.eq_ignore_ascii_case(&path))
            .map(|m| m.base)
    });
    if let Some(base) = same_file {
        txn.add_reference(call.machine, base).map_err(kernel)?;
        return Ok(base);
    }
    let image = Arc::new(PeImage::parse(&bytes).map_err(|_| NtStatus::INVALID_IMAGE_FORMAT)?);
    let architecture = call
        .process()
        .map(|p| p.architecture())
        .ok_or(NtStatus::PROCESS_IS_TERMINATING)?;
    let ours = match architecture {
        Architecture::X86 => pe_image::Machine::I386,
        Architecture::Alpha => pe_image::Machine::Alpha,
    };
    if image.machine != ours {
        return Err(NtStatus::INVALID_IMAGE_FORMAT);
    }
    let section = txn
        .create_section(call.machine, &image, &path)
        .map_err(kernel)?;
    let base = txn.map(call.machine, &image).map_err(kernel)?;
    txn.close_handle(call.machine, section);
    txn.relocate(call.machine, &image, base).map_err(kernel)?;
    let file = path.rsplit('\\').next().unwrap_or(&path).to_string();
    let entry_point = if image.entry_point_rva == 0 || dont_resolve {
        0
    } else {
        base.wrapping_add(image.entry_point_rva)
    };
    txn.insert_module(
        call.machine,
        Module {
            base,
            size: image.size_of_image,
            name: file,
            path,
            image: Arc::clone(&image),
            entry_point,
            load_count: 1,
            flags: ModuleFlags {
                dont_resolve,
                ..ModuleFlags::default()
            },
            tls_index: None,
            dependencies: Vec::new(),
        },
    )
    .map_err(kernel)?;
    if dont_resolve {
        return Ok(base);
    }
    let mut bindings = Vec::new();
    let mut dependencies = Vec::new();
    for dll in &image.imports {
        if let Some(index) = call.builtins.dll_index(&dll.dll) {
            for import in &dll.imports {
                let address = call.builtins.proc_address(index, &import.symbol).ok_or(
                    match import.symbol {
                        ImportSymbol::Name { .. } => NtStatus::ENTRYPOINT_NOT_FOUND,
                        ImportSymbol::Ordinal(_) => NtStatus::ORDINAL_NOT_FOUND,
                    },
                )?;
                bindings.push((import.iat_rva, address));
            }
            continue;
        }
        let dependency = load_module_as(call, txn, &dll.dll, false, static_load, depth + 1)?;
        if !dependencies.contains(&dependency) {
            dependencies.push(dependency);
        }
        for import in &dll.imports {
            let address = resolve_export(call, txn, dependency, &import.symbol, depth + 1)?;
            bindings.push((import.iat_rva, address));
        }
    }
    txn.bind(call.machine, base, &bindings, &dependencies)
        .map_err(kernel)?;
    txn.set_up_tls(call.machine, base, static_load)
        .map_err(kernel)?;
    Ok(base)
}

/// What the loader is waiting for a guest entry point to finish.
enum Work {
    /// PROCESS_ATTACH of the modules a LoadLibrary added; `module` is its result.
    Attach {
        txn: LoadTransaction,
        module: u32,
        queue: VecDeque<u32>,
        current: u32,
        attached: Vec<u32>,
    },
    /// A DllMain failed: PROCESS_DETACH of it and of those this load initialized, then the
    /// load rolls back.
    Unwind {
        txn: LoadTransaction,
        queue: VecDeque<u32>,
    },
    /// Process start-up: PROCESS_ATTACH of the DLLs the program imports from disk, then
    /// the thread goes on from `context` (its start at the program's entry point).
    Startup {
        queue: VecDeque<Init>,
        current: u32,
        context: Box<nt_kernel::CpuContext>,
    },
    /// A new thread: THREAD_ATTACH of each module, then the thread goes on from `context`
    /// (its start routine, returning to [`THREAD_END_THUNK`]).
    ThreadAttach {
        queue: VecDeque<Init>,
        context: Box<nt_kernel::CpuContext>,
    },
    /// A thread ending (ExitThread, or its start routine returned): THREAD_DETACH of each
    /// module, then it ends with `code`.
    ThreadDetach { queue: VecDeque<Init>, code: u32 },
    /// ExitProcess: PROCESS_DETACH (lpReserved non-NULL) of each module, newest first, then
    /// the process ends with `code`.
    ProcessDetach { queue: VecDeque<Init>, code: u32 },
    /// FreeLibrary: PROCESS_DETACH of each module (then unloaded) in turn.
    Detach { queue: VecDeque<u32>, current: u32 },
}

/// A loader call waiting on the guest.
struct Pending {
    caller: u32,
    params: u32,
    work: Work,
}

/// The loader calls waiting on the guest, innermost last, per (process, thread).
#[derive(Default)]
struct PendingLoads(std::collections::BTreeMap<(u32, u32), Vec<Pending>>);

/// The loader lock of each process (NT's LdrpLoaderLock), as an event per process that is
/// signalled while the lock is free. A thread holds the lock while a DllMain the loader
/// called for it runs (its [`PendingLoads`] stack is not empty); another thread of the
/// process that reaches the loader then (LoadLibrary, FreeLibrary, or a new thread's
/// THREAD_ATTACH calls) waits until the holder's calls are done, as on NT: a thread a DllMain
/// creates starts running only after that DllMain and the rest of its load have finished.
#[derive(Default)]
struct LoaderLocks(std::collections::BTreeMap<u32, Arc<nt_object::Object>>);

/// The calling process's loader-lock event (made free on first use).
fn loader_lock_event(call: &mut ApiCall<'_>) -> Arc<nt_object::Object> {
    let pid = call.thread.process;
    if let Some(event) = call.state.get::<LoaderLocks>().0.get(&pid) {
        return Arc::clone(event);
    }
    let event = call
        .machine
        .objects()
        .create_event(nt_object::EventType::Notification, true);
    call.state
        .get::<LoaderLocks>()
        .0
        .insert(pid, Arc::clone(&event));
    event
}

/// When another thread of the calling process holds the loader lock: the event to wait on
/// (reset, so that the holder's release wakes the waiter). None when the caller may go on.
fn loader_lock_wait(call: &mut ApiCall<'_>) -> Option<Arc<nt_object::Object>> {
    let (pid, tid) = (call.thread.process, call.thread.thread);
    let held = call
        .state
        .get::<PendingLoads>()
        .0
        .range((pid, 0)..=(pid, u32::MAX))
        .any(|(&(_, t), stack)| t != tid && !stack.is_empty());
    if !held {
        return None;
    }
    let event = loader_lock_event(call);
    let _ = event.reset_event();
    Some(event)
}

/// For a loader function (LoadLibrary, FreeLibrary): when another thread holds the loader
/// lock, the call waits for it and then runs again.
pub(crate) fn wait_for_loader_lock(call: &mut ApiCall<'_>) -> Option<win32::ApiReturn> {
    loader_lock_wait(call).map(|event| win32::ApiReturn::Retry {
        objects: vec![event],
        timeout: None,
    })
}

/// The calling thread's loader calls are done: if it held the loader lock, it is free again
/// and the threads waiting for it wake.
fn loader_lock_release(call: &mut ApiCall<'_>) {
    let key = (call.thread.process, call.thread.thread);
    let idle = call
        .state
        .get::<PendingLoads>()
        .0
        .get(&key)
        .is_none_or(Vec::is_empty);
    if idle && let Some(event) = call.state.get::<LoaderLocks>().0.get(&key.0) {
        let _ = event.set_event();
    }
}

fn push(call: &mut ApiCall<'_>, pending: Pending) {
    let key = (call.thread.process, call.thread.thread);
    call.state
        .get::<PendingLoads>()
        .0
        .entry(key)
        .or_default()
        .push(pending);
}

fn entry_of(call: &ApiCall<'_>, base: u32) -> u32 {
    call.process()
        .and_then(|p| p.modules().get(base).map(|m| m.entry_point))
        .unwrap_or(0)
}

/// Calls module `base`'s entry point for `reason`; false when it has none (or the call
/// cannot be made).
fn call_entry(call: &mut ApiCall<'_>, caller: u32, base: u32, reason: u32) -> bool {
    let entry = entry_of(call, base);
    entry != 0 && call_guest(call, caller, entry, &[base, reason, 0], LOADER_RETURN_THUNK)
}

/// Runs `work` until it must wait for the guest (pushed) or is finished (the loader
/// function returned to its caller, or the thread went on). Some(outcome) when the thread
/// or the process must end instead (the last THREAD_DETACH or PROCESS_DETACH returned, or
/// a DllMain failed at start-up).
fn advance(
    call: &mut ApiCall<'_>,
    caller: u32,
    params: u32,
    mut work: Work,
    result: Option<u32>,
) -> Option<ServiceOutcome> {
    loop {
        match work {
            Work::ThreadAttach { mut queue, context } => {
                while let Some(next) = queue.pop_front() {
                    if call_init(call, caller, next, DLL_THREAD_ATTACH, 0) {
                        let work = Work::ThreadAttach { queue, context };
                        push(
                            call,
                            Pending {
                                caller,
                                params,
                                work,
                            },
                        );
                        return None;
                    }
                }
                let tid = call.thread.thread;
                if let Some(t) = call.process_mut().and_then(|p| p.thread_mut(tid)) {
                    *t.context_mut() = *context;
                }
                return None;
            }
            Work::ThreadDetach { mut queue, code } => {
                while let Some(next) = queue.pop_front() {
                    if call_init(call, caller, next, DLL_THREAD_DETACH, 0) {
                        let work = Work::ThreadDetach { queue, code };
                        push(
                            call,
                            Pending {
                                caller,
                                params,
                                work,
                            },
                        );
                        return None;
                    }
                }
                return Some(ServiceOutcome::ExitThread(code));
            }
            Work::ProcessDetach { mut queue, code } => {
                while let Some(next) = queue.pop_front() {
                    if let Some(p) = call.process_mut() {
                        p.modules_mut().mark_detached(next.base);
                    }
                    if call_init(call, caller, next, DLL_PROCESS_DETACH, 1) {
                        let work = Work::ProcessDetach { queue, code };
                        push(
                            call,
                            Pending {
                                caller,
                                params,
                                work,
                            },
                        );
                        return None;
                    }
                }
                return Some(ServiceOutcome::ExitProcess(code));
            }
            Work::Attach {
                txn,
                module,
                mut queue,
                current,
                mut attached,
            } => {
                if let Some(r) = result.filter(|_| current != 0) {
                    if r == 0 {
                        // The documented order: the failed DLL detaches, then those this
                        // load had initialized, newest first.
                        let mut unwind: VecDeque<u32> = VecDeque::from([current]);
                        unwind.extend(attached.iter().rev());
                        if let Some(p) = call.process_mut() {
                            for &b in &attached {
                                p.modules_mut().mark_detached(b);
                            }
                        }
                        work = Work::Unwind { txn, queue: unwind };
                        advance_unwind(call, caller, params, work);
                        return None;
                    }
                    if let Some(p) = call.process_mut() {
                        p.modules_mut().mark_initialized(current);
                    }
                    attached.push(current);
                }
                // Threads a DllMain creates start through the loader (and wait for its lock).
                route_new_threads(call);
                while let Some(next) = queue.pop_front() {
                    if call_entry(call, caller, next, DLL_PROCESS_ATTACH) {
                        push(
                            call,
                            Pending {
                                caller,
                                params,
                                work: Work::Attach {
                                    txn,
                                    module,
                                    queue,
                                    current: next,
                                    attached,
                                },
                            },
                        );
                        return None;
                    }
                }
                txn.commit();
                route_new_threads(call);
                finish(call, caller, params, module);
                return None;
            }
            Work::Unwind { .. } => {
                advance_unwind(call, caller, params, work);
                return None;
            }
            Work::Startup {
                mut queue,
                current,
                context,
            } => {
                if current != 0 {
                    if result == Some(0) {
                        let name = module_name(call, current);
                        let _ = writeln!(
                            call.io.stderr.lock(),
                            "ntemu: {name}: its initialization routine (DllMain) failed: the process ends with STATUS_DLL_INIT_FAILED"
                        );
                        return Some(ServiceOutcome::ExitProcess(NtStatus::DLL_INIT_FAILED.0));
                    }
                    if let Some(p) = call.process_mut() {
                        p.modules_mut().mark_initialized(current);
                    }
                }
                route_new_threads(call);
                while let Some(next) = queue.pop_front() {
                    if call_init(call, caller, next, DLL_PROCESS_ATTACH, 1) {
                        // Only DllMain's result counts.
                        let current = if next.callback.is_none() {
                            next.base
                        } else {
                            0
                        };
                        push(
                            call,
                            Pending {
                                caller,
                                params,
                                work: Work::Startup {
                                    queue,
                                    current,
                                    context,
                                },
                            },
                        );
                        return None;
                    }
                }
                route_new_threads(call);
                let tid = call.thread.thread;
                if let Some(t) = call.process_mut().and_then(|p| p.thread_mut(tid)) {
                    *t.context_mut() = *context;
                }
                return None;
            }
            Work::Detach { mut queue, current } => {
                if current != 0 {
                    if let Some(p) = call.process_mut() {
                        p.modules_mut().mark_detached(current);
                    }
                    let pid = call.thread.process;
                    let _ = call.machine.unload_module(pid, current);
                }
                match queue.pop_front() {
                    Some(next) => {
                        let attached = call
                            .process()
                            .and_then(|p| p.modules().get(next))
                            .is_some_and(|m| m.flags.process_attached);
                        if attached && call_entry(call, caller, next, DLL_PROCESS_DETACH) {
                            push(
                                call,
                                Pending {
                                    caller,
                                    params,
                                    work: Work::Detach {
                                        queue,
                                        current: next,
                                    },
                                },
                            );
                            return None;
                        }
                        work = Work::Detach {
                            queue,
                            current: next,
                        };
                        continue;
                    }
                    None => {
                        finish(call, caller, params, 1);
                        return None;
                    }
                }
            }
        }
    }
}

/// The unwinding of a failed load: the next PROCESS_DETACH, or the roll-back and
/// LoadLibrary's NULL with ERROR_DLL_INIT_FAILED.
fn advance_unwind(call: &mut ApiCall<'_>, caller: u32, params: u32, work: Work) {
    let Work::Unwind { txn, mut queue } = work else {
        return;
    };
    if let Some(next) = queue.pop_front() {
        if call_entry(call, caller, next, DLL_PROCESS_DETACH) {
            push(
                call,
                Pending {
                    caller,
                    params,
                    work: Work::Unwind { txn, queue },
                },
            );
            return;
        }
        return advance_unwind(call, caller, params, Work::Unwind { txn, queue });
    }
    txn.roll_back(call.machine);
    call.set_last_error(nt_status::Win32Error::DLL_INIT_FAILED.0);
    finish(call, caller, params, 0);
}

fn finish(call: &mut ApiCall<'_>, caller: u32, params: u32, value: u32) {
    if !return_to_caller(call, caller, params, value) {
        // Nothing sensible to return to: leave the thread where it is; the CPU faults.
    }
}

/// The modules whose DllMain gets THREAD_ATTACH/DETACH calls, in initialization order:
/// initialized, with an entry point, and not DisableThreadLibraryCalls'.
fn thread_call_modules(call: &ApiCall<'_>) -> Vec<u32> {
    let Some(p) = call.process() else {
        return Vec::new();
    };
    let modules = p.modules();
    modules
        .init_order()
        .iter()
        .copied()
        .filter(|&b| {
            modules.get(b).is_some_and(|m| {
                m.entry_point != 0 && m.flags.process_attached && !m.flags.thread_calls_disabled
            })
        })
        .collect()
}

/// A new thread reached [`THREAD_START_THUNK`]: its static TLS, then THREAD_ATTACH of each
/// module, then its start routine (returning to [`THREAD_END_THUNK`]).
fn thread_start(call: &mut ApiCall<'_>) -> Option<ServiceOutcome> {
    if let Some(event) = loader_lock_wait(call) {
        // The thread stays at the thunk and starts again once the lock is free.
        return Some(ServiceOutcome::Wait {
            objects: vec![event],
            wait_type: nt_object::WaitType::Any,
            timeout: None,
        });
    }
    let (pid, tid) = (call.thread.process, call.thread.thread);
    let _ = call.machine.allocate_thread_tls(pid, tid);
    let thread = call.process()?.thread(tid)?;
    let start = thread.start_address();
    let mut context = thread.context().clone();
    let caller = caller_of(call)?;
    match &mut context {
        nt_kernel::CpuContext::X86(c) => {
            c.eip = start;
            // The start routine returns to the thread-end thunk.
            call.write_u32(caller, THREAD_END_THUNK).ok()?;
        }
        nt_kernel::CpuContext::Alpha(c) => {
            c.pc = nt_kernel::sign_extend(start);
            c.r[nt_kernel::ALPHA_PV] = nt_kernel::sign_extend(start);
            c.r[nt_kernel::ALPHA_RA] = nt_kernel::sign_extend(THREAD_END_THUNK);
        }
    }
    let queue = init_calls(call, thread_call_modules(call));
    let work = Work::ThreadAttach {
        queue,
        context: Box::new(context),
    };
    Some(advance(call, caller, 0, work, None).unwrap_or(ServiceOutcome::Continue))
}

/// ExitThread, or a start routine returning to [`THREAD_END_THUNK`]: THREAD_DETACH of each
/// module, newest first, then the thread ends with `code`. Some(outcome) when it ends at
/// once, None when the DllMains run first (the last one's return ends it).
pub(crate) fn exit_thread(call: &mut ApiCall<'_>, code: u32) -> Option<ServiceOutcome> {
    let queue = init_calls(call, thread_call_modules(call).into_iter().rev());
    if queue.is_empty() {
        return Some(ServiceOutcome::ExitThread(code));
    }
    let caller = caller_of(call)?;
    advance(call, caller, 0, Work::ThreadDetach { queue, code }, None)
}

/// ExitProcess: PROCESS_DETACH of every initialized module, newest first (lpReserved
/// non-NULL: the process is ending), then the process ends with `code`. Some(outcome) when
/// it ends at once, None when the DllMains run first.
pub(crate) fn exit_process(call: &mut ApiCall<'_>, code: u32) -> Option<ServiceOutcome> {
    let order: Vec<u32> = call
        .process()
        .map(|p| p.modules().init_order().iter().rev().copied().collect())
        .unwrap_or_default();
    if order.is_empty() {
        return Some(ServiceOutcome::ExitProcess(code));
    }
    let queue = init_calls(call, order);
    let caller = caller_of(call)?;
    advance(call, caller, 0, Work::ProcessDetach { queue, code }, None)
}

/// Lets new threads of the calling process start at [`THREAD_START_THUNK`] (once a DLL
/// from disk has been initialized there).
fn route_new_threads(call: &mut ApiCall<'_>) {
    let pid = call.thread.process;
    call.machine
        .set_thread_start_thunk(pid, Some(THREAD_START_THUNK));
}

/// DisableThreadLibraryCalls for a DLL from disk: no more THREAD_ATTACH/DETACH calls. False
/// when `module` is none.
pub(crate) fn disable_thread_calls(call: &mut ApiCall<'_>, module: u32) -> bool {
    match call
        .process_mut()
        .and_then(|p| p.modules_mut().get_mut(module))
    {
        Some(m) => {
            m.flags.thread_calls_disabled = true;
            true
        }
        None => false,
    }
}

/// An entry point the loader called returned to [`LOADER_RETURN_THUNK`] (the loader goes
/// on), or a thread reached [`THREAD_START_THUNK`] or [`THREAD_END_THUNK`]. None for any
/// other address.
pub(crate) fn loader_thunk(call: &mut ApiCall<'_>, address: u32) -> Option<ServiceOutcome> {
    if address == THREAD_START_THUNK {
        return thread_start(call);
    }
    if address == THREAD_END_THUNK {
        let code = result_of(call)?;
        return Some(exit_thread(call, code).unwrap_or(ServiceOutcome::Continue));
    }
    if address != LOADER_RETURN_THUNK {
        return None;
    }
    let key = (call.thread.process, call.thread.thread);
    let result = result_of(call)?;
    let all = &mut call.state.get::<PendingLoads>().0;
    let stack = all.get_mut(&key)?;
    let pending = stack.pop()?;
    if stack.is_empty() {
        all.remove(&key);
    }
    let outcome = advance(
        call,
        pending.caller,
        pending.params,
        pending.work,
        Some(result),
    );
    loader_lock_release(call);
    Some(outcome.unwrap_or(ServiceOutcome::Continue))
}

/// LoadLibrary(Ex) of a DLL from disk: the module handle, 0 after a failure (the last
/// error set). `params` is the calling function's argument count. Returns None when the
/// function returned through the guest (entry points ran), Some(value) to return now.
pub(crate) fn load_library(
    call: &mut ApiCall<'_>,
    name: &str,
    flags: u32,
    params: u32,
) -> Result<Option<u32>, NtStatus> {
    let pid = call.thread.process;
    let mut txn = call.machine.begin_load(pid);
    if flags & LOAD_LIBRARY_AS_DATAFILE != 0 {
        return match load_data_file(call, &mut txn, name) {
            Ok(handle) => {
                txn.commit();
                Ok(Some(handle))
            }
            Err(status) => {
                txn.roll_back(call.machine);
                Err(status)
            }
        };
    }
    let dont_resolve = flags & DONT_RESOLVE_DLL_REFERENCES != 0;
    let base = match load_module(call, &mut txn, name, dont_resolve, 0) {
        Ok(base) => base,
        Err(status) => {
            txn.roll_back(call.machine);
            return Err(status);
        }
    };
    if let Err(e) = txn.before_init(call.machine) {
        txn.roll_back(call.machine);
        return Err(e.status());
    }
    let queue: VecDeque<u32> = txn.added_modules().iter().rev().copied().collect();
    if queue.iter().all(|&b| entry_of(call, b) == 0) {
        txn.commit();
        return Ok(Some(base));
    }
    let Some(caller) = caller_of(call) else {
        txn.roll_back(call.machine);
        return Err(NtStatus::PROCESS_IS_TERMINATING);
    };
    advance(
        call,
        caller,
        params,
        Work::Attach {
            txn,
            module: base,
            queue,
            current: 0,
            attached: Vec::new(),
        },
        None,
    );
    Ok(None)
}

/// LOAD_LIBRARY_AS_DATAFILE: a module already loaded is referenced and its handle
/// returned, as NT does; otherwise the file is mapped as it is (another reference when it
/// already is) and the handle is the view's base plus one.
fn load_data_file(
    call: &mut ApiCall<'_>,
    txn: &mut LoadTransaction,
    name: &str,
) -> Result<u32, NtStatus> {
    if let Some(base) = find_module(call, name) {
        txn.add_reference(call.machine, base).map_err(kernel)?;
        return Ok(base);
    }
    txn.reach(call.machine, FaultPoint::LoadSearch)
        .map_err(kernel)?;
    let (path, bytes) = search(call, name).ok_or(NtStatus::DLL_NOT_FOUND)?;
    let mapped = call
        .process()
        .and_then(|p| p.modules().data_file_of(&path).map(|d| d.handle()));
    if let Some(handle) = mapped {
        txn.add_data_file_reference(call.machine, handle)
            .map_err(kernel)?;
        return Ok(handle);
    }
    txn.map_data_file(call.machine, &bytes, &path)
        .map_err(kernel)
}

/// FreeLibrary of a data file's handle: Some(TRUE) when it was one (unmapped at its last
/// reference), None when `module` is no data file of the calling process.
pub(crate) fn free_data_file(call: &mut ApiCall<'_>, module: u32) -> Option<u32> {
    if module & 1 == 0 {
        return None;
    }
    call.process()?.modules().data_file(module)?;
    let pid = call.thread.process;
    call.machine.release_data_file(pid, module).ok().map(|_| 1)
}

/// Drops one reference on disk module `base` and, recursively, on what it held when its
/// count reaches 0. Returns the modules to detach and unload, in order (the freed module
/// first, then its dependencies).
fn release(call: &mut ApiCall<'_>, base: u32, out: &mut Vec<u32>, depth: u32) {
    if depth > MAX_DEPTH || out.contains(&base) {
        return;
    }
    let Some(process) = call.process_mut() else {
        return;
    };
    let Some(m) = process.modules_mut().get_mut(base) else {
        return;
    };
    if m.flags.pinned {
        return;
    }
    m.load_count = m.load_count.saturating_sub(1);
    if m.load_count > 0 {
        return;
    }
    let dependencies = m.dependencies.clone();
    out.push(base);
    for d in dependencies {
        release(call, d, out, depth + 1);
    }
}

/// True when `module` is a DLL loaded from disk into the calling process.
pub(crate) fn is_disk_module(call: &ApiCall<'_>, module: u32) -> bool {
    call.process()
        .is_some_and(|p| p.modules().get(module).is_some())
}

/// FreeLibrary of disk module `module` (see [`is_disk_module`]): Some(value) to return now,
/// None when the function returned through the guest (entry points ran).
pub(crate) fn free_library(call: &mut ApiCall<'_>, module: u32, params: u32) -> Option<u32> {
    let mut unload = Vec::new();
    release(call, module, &mut unload, 0);
    if unload.is_empty() {
        return Some(1);
    }
    let Some(caller) = caller_of(call) else {
        return Some(0);
    };
    advance(
        call,
        caller,
        params,
        Work::Detach {
            queue: unload.into(),
            current: 0,
        },
        None,
    );
    None
}

/// GetProcAddress on disk module `module`: the export's address (forwarders followed to
/// builtins and loaded modules).
pub(crate) fn proc_address(
    call: &mut ApiCall<'_>,
    module: u32,
    symbol: &ImportSymbol,
) -> Result<u32, NtStatus> {
    let pid = call.thread.process;
    let mut txn = call.machine.begin_load(pid);
    let r = resolve_export(call, &mut txn, module, symbol, 0);
    // GetProcAddress loads nothing: a forwarder to a DLL not loaded yet is not found.
    if txn.is_empty() {
        txn.commit();
    } else {
        txn.roll_back(call.machine);
        return Err(NtStatus::ENTRYPOINT_NOT_FOUND);
    }
    r
}

fn module_name(call: &ApiCall<'_>, base: u32) -> String {
    call.process()
        .and_then(|p| p.modules().get(base).map(|m| m.name.clone()))
        .unwrap_or_else(|| format!("{base:#x}"))
}

/// Why a program's static imports could not be loaded: the status the process ends with
/// and the one line that says what is missing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaticImportError {
    /// STATUS_DLL_NOT_FOUND, STATUS_ENTRYPOINT_NOT_FOUND, STATUS_ORDINAL_NOT_FOUND,
    /// STATUS_INVALID_IMAGE_FORMAT or an injected fault's status.
    pub status: NtStatus,
    /// What is missing and who needs it.
    pub message: String,
}

/// Gives the program `image` (just mapped in the calling process, on its first thread,
/// before it runs) its static TLS if it has TLS (index 0, each thread its copy; its own
/// TLS callbacks are not called), then loads the DLLs from disk that it imports, binds its
/// imports of them, and makes the thread run their entry points (PROCESS_ATTACH, dependencies first) before the program's
/// entry point. Builtin DLLs are not touched. On failure nothing is left loaded; the caller
/// ends the process with the error's status.
pub fn load_static_imports(
    call: &mut ApiCall<'_>,
    image: &PeImage,
    program: &str,
) -> Result<(), StaticImportError> {
    // The program's own static TLS: index 0, before its DLLs'; every thread gets its copy
    // (new threads start through the loader's thread start, which makes it).
    let pid = call.thread.process;
    if let Ok(Some(_)) = call.machine.set_up_image_tls(pid, image) {
        let tid = call.thread.thread;
        let _ = call.machine.allocate_thread_tls(pid, tid);
        route_new_threads(call);
    }
    let mut disk: Vec<&pe_image::ImportedDll> = Vec::new();
    for d in &image.imports {
        match override_of(call, &d.dll) {
            Some(c) if c.is_empty() => {
                return Err(StaticImportError {
                    status: NtStatus::DLL_NOT_FOUND,
                    message: format!("{} (imported by {program}) is disabled", d.dll),
                });
            }
            Some(c) if c[0] == DllChoice::Native => {
                // A builtin behind it serves the imports when the file is nowhere.
                let fallback =
                    c.contains(&DllChoice::Builtin) && call.builtins.dll_index(&d.dll).is_some();
                if !fallback || search(call, &d.dll).is_some() {
                    disk.push(d);
                }
            }
            _ if call.builtins.dll_index(&d.dll).is_none() => disk.push(d),
            _ => {}
        }
    }
    if disk.is_empty() {
        return Ok(());
    }
    let Some(image_base) = call.process().and_then(|p| p.image().map(|i| i.base)) else {
        return Ok(());
    };
    let mut txn = call.machine.begin_load(pid);
    let mut bindings = Vec::new();
    let mut failure = None;
    'dlls: for dll in &disk {
        let base = match load_module_as(call, &mut txn, &dll.dll, false, true, 0) {
            Ok(b) => b,
            Err(status) => {
                let what = if status == NtStatus::DLL_NOT_FOUND {
                    format!("{} (imported by {program}) was not found", dll.dll)
                } else {
                    format!(
                        "{} (imported by {program}) could not be loaded: {status}",
                        dll.dll
                    )
                };
                failure = Some(StaticImportError {
                    status,
                    message: what,
                });
                break 'dlls;
            }
        };
        for import in &dll.imports {
            match resolve_export(call, &mut txn, base, &import.symbol, 0) {
                Ok(address) => bindings.push((import.iat_rva, address)),
                Err(status) => {
                    failure = Some(StaticImportError {
                        status,
                        message: format!(
                            "{}!{} (imported by {program}) was not found",
                            dll.dll, import.symbol
                        ),
                    });
                    break 'dlls;
                }
            }
        }
    }
    if failure.is_none()
        && let Err(e) = txn.before_init(call.machine)
    {
        failure = Some(StaticImportError {
            status: e.status(),
            message: format!("the DLLs {program} imports could not be initialized: {e}"),
        });
    }
    if let Some(f) = failure {
        txn.roll_back(call.machine);
        return Err(f);
    }
    let added: Vec<u32> = txn.added_modules().to_vec();
    txn.commit();
    let tid = call.thread.thread;
    let Some(process) = call.process_mut() else {
        return Ok(());
    };
    for (rva, address) in bindings {
        let _ = process
            .address_space_mut()
            .kernel_write(image_base.wrapping_add(rva), &address.to_le_bytes());
    }
    for &b in &added {
        if let Some(m) = process.modules_mut().get_mut(b) {
            m.flags.pinned = true;
        }
    }
    let _ = call.machine.allocate_thread_tls(pid, tid);
    let queue = init_calls(call, added.iter().rev().copied());
    let Some(context) = call
        .process()
        .and_then(|p| p.thread(tid))
        .map(|t| Box::new(t.context().clone()))
    else {
        return Ok(());
    };
    let caller = caller_of(call).unwrap_or(0);
    advance(
        call,
        caller,
        0,
        Work::Startup {
            queue,
            current: 0,
            context,
        },
        None,
    );
    Ok(())
}

/// The disk module `name` names in the calling process.
pub(crate) fn find_module(call: &ApiCall<'_>, name: &str) -> Option<u32> {
    call.process()?.modules().find(name).map(|m| m.base)
}

/// The full guest path of disk module `module`.
pub(crate) fn module_path(call: &ApiCall<'_>, module: u32) -> Option<String> {
    call.process()?
        .modules()
        .get(module)
        .map(|m| m.path.clone())
}
