//! The Win32 debugging API as NT 4.0 has it: CreateProcess with DEBUG_PROCESS or
//! DEBUG_ONLY_THIS_PROCESS, DebugActiveProcess, WaitForDebugEvent, ContinueDebugEvent,
//! IsDebuggerPresent and DebugBreak.
//!
//! The kernel queues the events (nt-kernel's debug module) and keeps the debuggee stopped
//! while one waits; this module turns a reported event into the DEBUG_EVENT the debugger
//! reads, opening the handles it carries in the debugger's process (the image file of a
//! new process, its process and thread handles, a new thread's handle). The process and
//! thread handles are the system's: ContinueDebugEvent of the EXIT_THREAD_DEBUG_EVENT or
//! EXIT_PROCESS_DEBUG_EVENT closes them. The file handles are the debugger's to close.
//!
//! The order of a debugged process's start is NT's: CREATE_PROCESS_DEBUG_EVENT, a
//! LOAD_DLL_DEBUG_EVENT for each DLL mapped with it (ntemu's builtin DLLs first, which have no
//! file: hFile NULL, their module handle as base), then the loader's breakpoint
//! (EXCEPTION_DEBUG_EVENT, STATUS_BREAKPOINT at DbgBreakPoint) before any DLL initializes or
//! the program runs.

use std::collections::BTreeMap;

use nt_kernel::{ClientId, DebugEvent, DebugEventKind};
use nt_object::{AccessMask, Handle};
use nt_status::{NtStatus, Win32Error};
use win32::{ApiCall, ApiReturn, Ptr, export};

use crate::K32;

/// DEBUG_PROCESS: the creator debugs the new process and the processes it creates.
pub const DEBUG_PROCESS: u32 = 0x0000_0001;
/// DEBUG_ONLY_THIS_PROCESS: the creator debugs the new process only.
pub const DEBUG_ONLY_THIS_PROCESS: u32 = 0x0000_0002;

/// ContinueDebugEvent's DBG_CONTINUE.
pub const DBG_CONTINUE: u32 = 0x0001_0002;
/// ContinueDebugEvent's DBG_EXCEPTION_NOT_HANDLED.
pub const DBG_EXCEPTION_NOT_HANDLED: u32 = 0x8001_0001;

/// The dwDebugEventCode values.
const EXCEPTION_DEBUG_EVENT: u32 = 1;
const CREATE_THREAD_DEBUG_EVENT: u32 = 2;
const CREATE_PROCESS_DEBUG_EVENT: u32 = 3;
const EXIT_THREAD_DEBUG_EVENT: u32 = 4;
const EXIT_PROCESS_DEBUG_EVENT: u32 = 5;
const LOAD_DLL_DEBUG_EVENT: u32 = 6;
const UNLOAD_DLL_DEBUG_EVENT: u32 = 7;
const OUTPUT_DEBUG_STRING_EVENT: u32 = 8;

/// sizeof(DEBUG_EVENT): three words and the largest union member (EXCEPTION_DEBUG_INFO).
const DEBUG_EVENT_SIZE: usize = 96;

/// GENERIC_READ.
const GENERIC_READ: u32 = 0x8000_0000;
/// FILE_SHARE_READ | FILE_SHARE_WRITE.
const SHARE_READ_WRITE: u32 = 3;
/// OPEN_EXISTING.
const OPEN_EXISTING: u32 = 3;

/// The debuggers' state kept by KERNEL32.
#[derive(Default)]
struct DebugApi {
    /// The system's handles of the debug events reported, in the debugger's process:
    /// (debugger process, debuggee process, debuggee thread) -> handles closed when that
    /// thread's (or process's) exit event is continued.
    handles: BTreeMap<(u32, u32, u32), Vec<Handle>>,
    /// WaitForDebugEvent calls waiting: debugger thread -> (the DEBUG_EVENT pointer, the
    /// timeout's clock deadline in ms, None: no timeout).
    waits: BTreeMap<u32, (u32, Option<u64>)>,
}

/// Makes the caller the debugger of the new process `child` when the creation flags ask for
/// it (or when the caller itself is debugged with DEBUG_PROCESS, its debugger), and queues
/// its creation event and the events of the builtin DLLs it starts with. `image_path` is
/// the image file's guest path. True when the process is debugged.
pub(crate) fn debug_new_process(
    call: &mut ApiCall<'_>,
    child: ClientId,
    image_path: &str,
    flags: u32,
) -> bool {
    let caller = call.thread;
    let (debugger, children) = if flags & (DEBUG_PROCESS | DEBUG_ONLY_THIS_PROCESS) != 0 {
        (caller, flags & DEBUG_PROCESS != 0)
    } else {
        match call.machine.debugger_for_children(caller.process) {
            Some(d) => (d, true),
            None => return false,
        }
    };
    if call
        .machine
        .attach_debugger(child.process, debugger, children)
        .is_err()
    {
        return false;
    }
    post_attach_events(call, child.process, Some(child.thread), Some(image_path));
    true
}

/// The events a debugger gets when it starts debugging process `pid`: the creation of the
/// process (from its first thread), of each other thread, and a load of each DLL it has.
fn post_attach_events(call: &mut ApiCall<'_>, pid: u32, first: Option<u32>, image: Option<&str>) {
    let Some(process) = call.machine.process(pid) else {
        return;
    };
    let image_base = process.image().map_or(0, |i| i.base);
    let threads: Vec<(u32, u32, u32)> = process
        .threads()
        .iter()
        .map(|t| (t.id(), t.start_address(), t.teb()))
        .collect();
    let modules: Vec<(u32, String)> = process
        .modules()
        .iter()
        .map(|m| (m.base, m.path.clone()))
        .collect();
    let first = first.or_else(|| threads.first().map(|t| t.0)).unwrap_or(0);
    let Some(&(_, start, teb)) = threads.iter().find(|t| t.0 == first) else {
        return;
    };
    call.machine.post_debug_event(DebugEvent {
        process: pid,
        thread: first,
        kind: DebugEventKind::CreateProcess {
            image_base,
            start_address: start,
            teb,
            image_path: image.map(str::to_string),
        },
    });
    for &(thread, start_address, teb) in threads.iter().filter(|t| t.0 != first) {
        call.machine.post_debug_event(DebugEvent {
            process: pid,
            thread,
            kind: DebugEventKind::CreateThread { start_address, teb },
        });
    }
    // The builtin DLLs the process has (they have no file).
    let child = ClientId {
        process: pid,
        thread: first,
    };
    let count = call.builtins.dlls().count();
    let mut builtin = Vec::new();
    {
        let mut on_child = call.on_thread(child);
        for index in 0..count {
            if crate::module::is_loaded(&mut on_child, index) {
                builtin.push(on_child.builtins.module_handle(index));
            }
        }
    }
    for base in builtin {
        call.machine.post_debug_event(DebugEvent {
            process: pid,
            thread: first,
            kind: DebugEventKind::LoadDll { base, path: None },
        });
    }
    for (base, path) in modules {
        call.machine.post_debug_event(DebugEvent {
            process: pid,
            thread: first,
            kind: DebugEventKind::LoadDll {
                base,
                path: Some(path),
            },
        });
    }
}

/// The loader's breakpoint in a debugged process's first thread, once its DLLs are mapped
/// and before any of them initializes: EXCEPTION_DEBUG_EVENT with STATUS_BREAKPOINT at
/// NTDLL's DbgBreakPoint.
pub(crate) fn initial_breakpoint(call: &mut ApiCall<'_>, child: ClientId) {
    let address = call
        .builtins
        .implemented("ntdll.dll", "DbgBreakPoint")
        .unwrap_or(0);
    ntdll::seh::initial_breakpoint(&mut call.on_thread(child), address);
}

/// The process a handle of the caller names, with `access`.
fn process_of(call: &mut ApiCall<'_>, handle: Handle) -> Result<u32, ApiReturn> {
    let caller = call.thread.process;
    call.machine
        .reference_process(caller, handle, AccessMask::PROCESS_ALL_ACCESS)
        .map_err(|e| call.fail(e.status()))
}

/// BOOL DebugActiveProcess(DWORD dwProcessId): the calling thread becomes the debugger of the
/// running process: it gets the events of the process's creation, of its threads and of its
/// DLLs, then (as NT 4.0's break-in thread at DbgBreakPoint makes it) a new thread's creation,
/// its breakpoint and its end. An id naming no process fails with ERROR_INVALID_PARAMETER, a
/// process that already has a debugger (or the caller's own) with ERROR_ACCESS_DENIED.
#[export]
fn DebugActiveProcess(call: &mut ApiCall<'_>, dwProcessId: u32) -> ApiReturn {
    let caller = call.thread;
    let handle = match call.machine.open_process(
        caller.process,
        dwProcessId,
        AccessMask::PROCESS_ALL_ACCESS,
        false,
    ) {
        Ok(h) => h,
        Err(e) => return call.fail(e.status()),
    };
    let pid = match process_of(call, handle) {
        Ok(p) => p,
        Err(failed) => {
            let _ = call.machine.close_handle(caller.process, handle);
            return failed;
        }
    };
    if let Err(e) = call.machine.attach_debugger(pid, caller, false) {
        let _ = call.machine.close_handle(caller.process, handle);
        return call.fail(e.status());
    }
    let image = call
        .machine
        .process(pid)
        .map(|p| std::sync::Arc::clone(p.object()));
    let path = image.and_then(|object| {
        call.state
            .k32()
            .process_parameters
            .get(pid, &object)
            .and_then(|p| p.image_path.clone())
    });
    post_attach_events(call, pid, None, path.as_deref());
    let start = call
        .builtins
        .implemented("ntdll.dll", "DbgBreakPoint")
        .unwrap_or(0);
    let created = call
        .machine
        .create_remote_thread(caller, handle, false, 0, start, 0, 0);
    let _ = call.machine.close_handle(caller.process, handle);
    match created {
        Ok((thread, _)) => {
            let _ = call.machine.close_handle(caller.process, thread);
            ApiReturn::Value(1)
        }
        Err(e) => call.fail(e.status()),
    }
}

/// Opens the image file at `path` for the debugger (0 when it cannot be opened).
fn open_image(call: &mut ApiCall<'_>, path: Option<&str>) -> u32 {
    let Some(path) = path else {
        return 0;
    };
    crate::open_file(call, path, GENERIC_READ, SHARE_READ_WRITE, OPEN_EXISTING, 0)
        .map_or(0, |h| h.0)
}

/// The DEBUG_EVENT for `event`, with the handles it carries opened in the caller's process.
fn debug_event_bytes(call: &mut ApiCall<'_>, event: &DebugEvent) -> Vec<u8> {
    let caller = call.thread;
    let mut words: Vec<u32> = vec![0, event.process, event.thread];
    let mut system_handles = Vec::new();
    let mut tail: Vec<u8> = Vec::new();
    match &event.kind {
        DebugEventKind::Exception {
            code,
            flags,
            address,
            parameters,
            first_chance,
        } => {
            words[0] = EXCEPTION_DEBUG_EVENT;
            let count = parameters.len().min(15);
            words.extend([*code, *flags, 0, *address, count as u32]);
            let mut p = parameters[..count].to_vec();
            p.resize(15, 0);
            words.extend(p);
            words.push(u32::from(*first_chance));
        }
        DebugEventKind::CreateThread { start_address, teb } => {
            words[0] = CREATE_THREAD_DEBUG_EVENT;
            let h = call
                .machine
                .open_thread(
                    caller.process,
                    event.thread,
                    AccessMask::THREAD_ALL_ACCESS,
                    false,
                )
                .map_or(0, |h| h.0);
            if h != 0 {
                system_handles.push(Handle(h));
            }
            words.extend([h, *teb, *start_address]);
        }
        DebugEventKind::CreateProcess {
            image_base,
            start_address,
            teb,
            image_path,
        } => {
            words[0] = CREATE_PROCESS_DEBUG_EVENT;
            let file = open_image(call, image_path.as_deref());
            let hp = call
                .machine
                .open_process(
                    caller.process,
                    event.process,
                    AccessMask::PROCESS_ALL_ACCESS,
                    false,
                )
                .map_or(0, |h| h.0);
            let ht = call
                .machine
                .open_thread(
                    caller.process,
                    event.thread,
                    AccessMask::THREAD_ALL_ACCESS,
                    false,
                )
                .map_or(0, |h| h.0);
            system_handles.extend([hp, ht].into_iter().filter(|&h| h != 0).map(Handle));
            // hFile, hProcess, hThread, lpBaseOfImage, dwDebugInfoFileOffset,
            // nDebugInfoSize, lpThreadLocalBase, lpStartAddress, lpImageName, fUnicode.
            words.extend([file, hp, ht, *image_base, 0, 0, *teb, *start_address, 0, 0]);
        }
        DebugEventKind::ExitThread { exit_code } => {
            words[0] = EXIT_THREAD_DEBUG_EVENT;
            words.push(*exit_code);
        }
        DebugEventKind::ExitProcess { exit_code } => {
            words[0] = EXIT_PROCESS_DEBUG_EVENT;
            words.push(*exit_code);
        }
        DebugEventKind::LoadDll { base, path } => {
            words[0] = LOAD_DLL_DEBUG_EVENT;
            let file = open_image(call, path.as_deref());
            // hFile, lpBaseOfDll, dwDebugInfoFileOffset, nDebugInfoSize, lpImageName,
            // fUnicode.
            words.extend([file, *base, 0, 0, 0, 0]);
        }
        DebugEventKind::UnloadDll { base } => {
            words[0] = UNLOAD_DLL_DEBUG_EVENT;
            words.push(*base);
        }
        DebugEventKind::OutputDebugString {
            address,
            length,
            unicode,
        } => {
            words[0] = OUTPUT_DEBUG_STRING_EVENT;
            words.push(*address);
            tail.extend(u16::from(*unicode).to_le_bytes());
            tail.extend(length.to_le_bytes());
        }
    }
    if !system_handles.is_empty() {
        call.state
            .get::<DebugApi>()
            .handles
            .entry((caller.process, event.process, event.thread))
            .or_default()
            .extend(system_handles);
    }
    let mut bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    bytes.extend(tail);
    bytes.resize(DEBUG_EVENT_SIZE, 0);
    bytes
}

/// BOOL WaitForDebugEvent(LPDEBUG_EVENT lpDebugEvent, DWORD dwMilliseconds): the next event
/// of the processes the calling thread debugs, waiting for one at most dwMilliseconds
/// (INFINITE: without limit). Fails with ERROR_SEM_TIMEOUT when none came in time, with
/// ERROR_INVALID_HANDLE when the thread debugs nothing (it has no connection to the debug
/// subsystem), with ERROR_NOACCESS for an unwritable DEBUG_EVENT.
#[export]
fn WaitForDebugEvent(call: &mut ApiCall<'_>, lpDebugEvent: Ptr, dwMilliseconds: u32) -> ApiReturn {
    let me = call.thread.thread;
    let Some(ready) = call.machine.debug_ready_object(me) else {
        call.state.get::<DebugApi>().waits.remove(&me);
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    if call.probe_write(lpDebugEvent.0, DEBUG_EVENT_SIZE).is_err() {
        call.state.get::<DebugApi>().waits.remove(&me);
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    if let Some(event) = call.machine.take_debug_event(me) {
        call.state.get::<DebugApi>().waits.remove(&me);
        let bytes = debug_event_bytes(call, &event);
        return match call.write_bytes(lpDebugEvent.0, &bytes) {
            Ok(()) => ApiReturn::Value(1),
            Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
        };
    }
    let now = call.machine.clock().now_ms();
    let deadline = match call.state.get::<DebugApi>().waits.get(&me) {
        // The same call, run again when its wait ended.
        Some(&(at, deadline)) if at == lpDebugEvent.0 => deadline,
        _ => (dwMilliseconds != u32::MAX).then(|| now + u64::from(dwMilliseconds)),
    };
    if deadline.is_some_and(|d| now >= d) {
        call.state.get::<DebugApi>().waits.remove(&me);
        return call.fail_win32(Win32Error::SEM_TIMEOUT, 0);
    }
    call.state
        .get::<DebugApi>()
        .waits
        .insert(me, (lpDebugEvent.0, deadline));
    ApiReturn::Retry {
        objects: vec![ready],
        timeout: deadline.map(|d| std::time::Duration::from_millis(d - now)),
    }
}

/// BOOL ContinueDebugEvent(DWORD dwProcessId, DWORD dwThreadId, DWORD dwContinueStatus):
/// lets the debuggee go on after the event WaitForDebugEvent reported for that thread.
/// DBG_CONTINUE: an exception counts as handled (the thread goes on from its registers);
/// DBG_EXCEPTION_NOT_HANDLED: a first chance goes to the thread's handlers, a last chance ends
/// the process. Continuing a thread's or process's exit closes the handles its creation event
/// gave. Another status, or ids naming no reported event, fail with ERROR_INVALID_PARAMETER.
#[export]
fn ContinueDebugEvent(
    call: &mut ApiCall<'_>,
    dwProcessId: u32,
    dwThreadId: u32,
    dwContinueStatus: u32,
) -> ApiReturn {
    if dwContinueStatus != DBG_CONTINUE && dwContinueStatus != DBG_EXCEPTION_NOT_HANDLED {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    let caller = call.thread;
    let event = match call
        .machine
        .continue_debug_event(caller.thread, dwProcessId, dwThreadId)
    {
        Ok(e) => e,
        Err(e) => return call.fail(e.status()),
    };
    let closing: Vec<Handle> = {
        let api = call.state.get::<DebugApi>();
        match event.kind {
            DebugEventKind::ExitThread { .. } => api
                .handles
                .remove(&(caller.process, dwProcessId, dwThreadId))
                .unwrap_or_default(),
            DebugEventKind::ExitProcess { .. } => {
                let keys: Vec<_> = api
                    .handles
                    .range(
                        (caller.process, dwProcessId, 0)..=(caller.process, dwProcessId, u32::MAX),
                    )
                    .map(|(k, _)| *k)
                    .collect();
                keys.iter()
                    .flat_map(|k| api.handles.remove(k).unwrap_or_default())
                    .collect()
            }
            _ => Vec::new(),
        }
    };
    for h in closing {
        let _ = call.machine.close_handle(caller.process, h);
    }
    if matches!(event.kind, DebugEventKind::Exception { .. }) {
        let debuggee = ClientId {
            process: dwProcessId,
            thread: dwThreadId,
        };
        let handled = dwContinueStatus == DBG_CONTINUE;
        let outcome = ntdll::seh::debugger_continued(&mut call.on_thread(debuggee), handled);
        match outcome {
            nt_kernel::ServiceOutcome::ExitProcess(code) => {
                call.machine.exit_process(dwProcessId, code)
            }
            nt_kernel::ServiceOutcome::ExitThread(code) => call.machine.exit_thread(debuggee, code),
            _ => {}
        }
    }
    ApiReturn::Value(1)
}

/// BOOL IsDebuggerPresent(void): the calling process's PEB BeingDebugged flag.
#[export]
fn IsDebuggerPresent(call: &mut ApiCall<'_>) -> u32 {
    let Some(peb) = call.process().map(|p| p.peb()) else {
        return 0;
    };
    let mut b = [0u8; 1];
    match call.process().map(|p| {
        p.address_space()
            .kernel_read(peb + nt_kernel::teb::peb_offsets::BEING_DEBUGGED, &mut b)
    }) {
        Some(Ok(())) => u32::from(b[0] != 0),
        _ => 0,
    }
}

/// VOID DebugBreak(void): a breakpoint in the caller (DbgBreakPoint): the debugger's, or
/// without one the thread's handlers'.
#[export]
fn DebugBreak(call: &mut ApiCall<'_>) -> ApiReturn {
    ntdll::seh::breakpoint(call, 0)
}

/// OutputDebugString of a debugged process: the debugger gets OUTPUT_DEBUG_STRING_EVENT for
/// the ANSI string at `address` of `length` characters with its null (the thread stops until
/// it continues). False when the process is not debugged.
pub(crate) fn post_debug_string(call: &mut ApiCall<'_>, address: u32, length: u32) -> bool {
    let me = call.thread;
    call.machine.debugger_of(me.process).is_some()
        && call.machine.post_debug_event(DebugEvent {
            process: me.process,
            thread: me.thread,
            kind: DebugEventKind::OutputDebugString {
                address,
                length: length.min(0xFFFF) as u16,
                unicode: false,
            },
        })
}
