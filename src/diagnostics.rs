//! Diagnostics a Wine user expects: trace channels (loader, exceptions, scheduler; the `api`
//! channel lives in the win32 layer) and a record of which API call created each handle, for
//! the handle-leak report (`--leaks`, like WinDbg's `!htrace`).
//!
//! They work by wrapping the machine's [`SystemServices`] (the builtin-DLL layer) in
//! [`Services`], which watches each call go by; runs without diagnostics use the win32 layer
//! directly and pay nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Weak};

use kernel32::Kernel32Host;
use nt_kernel::{Architecture, ClientId, Machine, ServiceOutcome, SystemServices};
use nt_object::{AccessMask, Handle, Object, ObjectType};
use nt_status::NtStatus;
use pe_image::{ImportResolver, ImportSymbol};
use win32::{Builtins, HostIo, ThunkTarget, Win32};

/// Which diagnostics are on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiagnosticOptions {
    /// `--trace loader`: each image mapped and each import bound (or left to a stub).
    pub trace_loader: bool,
    /// `--trace exceptions`: each fault, processor exception and trap, and what became of it.
    pub trace_exceptions: bool,
    /// `--trace scheduler`: processes and threads starting and ending, waits, exits.
    pub trace_scheduler: bool,
    /// `--trace debugstr`: the text guests pass to OutputDebugString, on stderr (the relay
    /// trace shows it too).
    pub trace_debug_strings: bool,
    /// `--leaks`: remember which API call created each handle.
    pub track_handles: bool,
}

impl DiagnosticOptions {
    /// True when any diagnostic needs to watch the calls.
    pub fn watches_calls(&self) -> bool {
        self.trace_exceptions || self.trace_scheduler || self.track_handles
    }
}

/// A handle a guest API call created, as `--leaks` reports it (WinDbg: `!htrace`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HandleTrace {
    /// The handle value.
    pub handle: Handle,
    /// The object's type.
    pub object_type: ObjectType,
    /// The object's name, if it is named.
    pub name: Option<String>,
    /// The access granted.
    pub granted_access: AccessMask,
    /// The builtin that created it, `DLL.Function` (e.g. `KERNEL32.CreateEventA`).
    pub creator: String,
    /// The guest return address of that call.
    pub caller: u32,
    /// The calling thread's id.
    pub thread: u32,
    /// The id of the process that made the call (the handle may be in another process's
    /// table, e.g. after DuplicateHandle into it).
    pub calling_process: u32,
}

/// The handles one process holds that a guest API call created.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProcessHandleTraces {
    /// The process id.
    pub process: u32,
    /// Its architecture.
    pub architecture: Architecture,
    /// True when the process has ended: its handles were closed by the exit, and these are
    /// the ones the program never closed itself.
    pub exited: bool,
    /// Its open handles created by guest API calls, in handle order. Handles that were in
    /// its table before its first call (inherited ones) and its standard console handles
    /// (which NT's console opens, not the program) are not listed.
    pub handles: Vec<HandleTrace>,
}

struct TrackedHandle {
    object: Weak<Object>,
    /// None for a handle that was there before the process's first call, or a console
    /// standard handle: not the program's.
    trace: Option<HandleTrace>,
}

struct TrackedProcess {
    pid: u32,
    object: Weak<Object>,
    architecture: Architecture,
    handles: BTreeMap<u32, TrackedHandle>,
}

impl TrackedProcess {
    fn is(&self, object: &Arc<Object>) -> bool {
        self.object
            .upgrade()
            .is_some_and(|o| Arc::ptr_eq(&o, object))
    }
}

/// The diagnostics' state of one machine.
pub(crate) struct Diagnostics {
    pub(crate) options: DiagnosticOptions,
    out: HostIo,
    tracked: Vec<TrackedProcess>,
    threads: BTreeSet<(u32, u32)>,
    exited_seen: usize,
}

impl Diagnostics {
    pub(crate) fn new(options: DiagnosticOptions, out: HostIo) -> Self {
        Diagnostics {
            options,
            out,
            tracked: Vec::new(),
            threads: BTreeSet::new(),
            exited_seen: 0,
        }
    }

    fn line(&self, channel: &str, text: std::fmt::Arguments<'_>) {
        let _ = writeln!(self.out.trace.lock(), "trace:{channel}: {text}");
    }

    /// Traces one image mapped into a process (`--trace loader`).
    pub(crate) fn trace_mapped(
        &self,
        path: &std::path::Path,
        machine: &Machine,
        started: &nt_kernel::ImageProcess,
    ) {
        if !self.options.trace_loader {
            return;
        }
        let architecture = machine
            .process(started.process)
            .map_or("?", |p| p.architecture().name());
        let image = &started.image;
        self.line(
            "loader",
            format_args!(
                "mapped {} ({architecture}) in process {:#x} at {:#010x}, size {:#x}, entry {:#010x}; {} imports bound, {} left to stubs",
                path.display(),
                started.process,
                image.base,
                image.size,
                image.entry_point,
                image.imports_resolved,
                image.imports_stubbed
            ),
        );
    }

    /// Notes processes and threads that started or ended since the last look
    /// (`--trace scheduler`).
    pub(crate) fn scan_threads(&mut self, machine: &Machine) {
        if !self.options.trace_scheduler {
            return;
        }
        let now: BTreeSet<(u32, u32)> = machine
            .process_ids()
            .into_iter()
            .filter_map(|pid| machine.process(pid))
            .flat_map(|p| p.threads().iter().map(move |t| (p.id(), t.id())))
            .collect();
        for &(pid, tid) in now.difference(&self.threads) {
            let arch = machine
                .process(pid)
                .map_or("?", |p| p.architecture().name());
            self.line(
                "scheduler",
                format_args!("thread {tid:#x} of process {pid:#x} ({arch}) started"),
            );
        }
        for &(pid, tid) in self.threads.difference(&now) {
            self.line(
                "scheduler",
                format_args!("thread {tid:#x} of process {pid:#x} ended"),
            );
        }
        self.threads = now;
        let exited = machine.exited_processes();
        // The record keeps the last few hundred; count from where we were.
        let start = self.exited_seen.min(exited.len());
        for p in &exited[start..] {
            self.line(
                "scheduler",
                format_args!(
                    "process {:#x} ({}) ended with exit code {:#x}, {} handles open, {} instructions",
                    p.process,
                    p.architecture.name(),
                    p.exit_code,
                    p.handle_count,
                    p.instructions
                ),
            );
        }
        self.exited_seen = exited.len();
    }

    fn trace_outcome(&self, thread: ClientId, call: &str, outcome: &ServiceOutcome) {
        if !self.options.trace_scheduler {
            return;
        }
        let who = format!(
            "thread {:#x} of process {:#x}",
            thread.thread, thread.process
        );
        match outcome {
            ServiceOutcome::Continue => {}
            ServiceOutcome::Wait {
                objects,
                wait_type,
                timeout,
            } => {
                let timeout = timeout.map_or("forever".to_string(), |t| format!("{t:?}"));
                let kinds: Vec<&str> = objects.iter().map(|o| o.object_type().name()).collect();
                self.line(
                    "scheduler",
                    format_args!(
                        "{who} waits ({call}) for {wait_type:?} of [{}], {timeout}",
                        kinds.join(", ")
                    ),
                );
            }
            ServiceOutcome::WaitFor(request) => {
                let timeout = request
                    .timeout
                    .map_or("forever".to_string(), |t| format!("{t:?}"));
                let kinds: Vec<&str> = request
                    .objects
                    .iter()
                    .map(|o| o.object_type().name())
                    .collect();
                let alertable = if request.alertable { ", alertable" } else { "" };
                self.line(
                    "scheduler",
                    format_args!(
                        "{who} waits ({call}) for {:?} of [{}], {timeout}{alertable}",
                        request.wait_type,
                        kinds.join(", ")
                    ),
                );
            }
            ServiceOutcome::ExitThread(code) => self.line(
                "scheduler",
                format_args!("{who} exits ({call}) with {code:#x}"),
            ),
            ServiceOutcome::ExitProcess(code) => self.line(
                "scheduler",
                format_args!("{who} ends its process ({call}) with {code:#x}"),
            ),
        }
    }

    fn trace_exception(&self, thread: ClientId, what: std::fmt::Arguments<'_>) {
        if self.options.trace_exceptions {
            self.line(
                "exceptions",
                format_args!(
                    "thread {:#x} of process {:#x}: {what}",
                    thread.thread, thread.process
                ),
            );
        }
    }

    fn trace_exception_outcome(&self, thread: ClientId, outcome: &ServiceOutcome) {
        if !self.options.trace_exceptions {
            return;
        }
        let what = match outcome {
            ServiceOutcome::Continue => {
                "dispatched: the thread continues (in a handler, or resumed)".to_string()
            }
            ServiceOutcome::Wait { .. } | ServiceOutcome::WaitFor(_) => {
                "the thread waits".to_string()
            }
            ServiceOutcome::ExitThread(code) => {
                format!("unhandled: the thread ends with {code:#x}")
            }
            ServiceOutcome::ExitProcess(code) => {
                format!("unhandled: the process ends with {code:#x}")
            }
        };
        self.trace_exception(thread, format_args!("{what}"));
    }

    /// Takes the handle tables of processes not seen before as they are: what is in them
    /// was not created by a call we watched.
    fn baseline(&mut self, machine: &Machine) {
        for pid in machine.process_ids() {
            let Some(p) = machine.process(pid) else {
                continue;
            };
            if self
                .tracked
                .iter()
                .any(|t| t.pid == pid && t.is(p.object()))
            {
                continue;
            }
            let handles = p
                .handle_table()
                .entries()
                .map(|e| {
                    (
                        e.handle.0,
                        TrackedHandle {
                            object: Arc::downgrade(e.object),
                            trace: None,
                        },
                    )
                })
                .collect();
            self.tracked.push(TrackedProcess {
                pid,
                object: Arc::downgrade(p.object()),
                architecture: p.architecture(),
                handles,
            });
        }
    }

    /// After a call: handles that appeared in any live process's table are the call's,
    /// handles that went away were closed.
    fn attribute(
        &mut self,
        machine: &Machine,
        win32: &Win32,
        thread: ClientId,
        creator: &str,
        caller: u32,
    ) {
        for tracked in &mut self.tracked {
            let Some(p) = machine.process(tracked.pid) else {
                continue;
            };
            if !tracked.is(p.object()) {
                continue;
            }
            let std = win32
                .std_handles(machine, tracked.pid)
                .unwrap_or([Handle(0); 3]);
            let table = p.handle_table();
            tracked.handles.retain(|&h, t| {
                table
                    .reference(Handle(h), AccessMask(0), None)
                    .is_ok_and(|o| t.object.upgrade().is_some_and(|x| Arc::ptr_eq(&x, o)))
            });
            for e in table.entries() {
                if tracked.handles.contains_key(&e.handle.0) {
                    continue;
                }
                let ours = !std.contains(&e.handle);
                tracked.handles.insert(
                    e.handle.0,
                    TrackedHandle {
                        object: Arc::downgrade(e.object),
                        trace: ours.then(|| HandleTrace {
                            handle: e.handle,
                            object_type: e.object.object_type(),
                            name: e.object.name().map(str::to_string),
                            granted_access: e.granted_access,
                            creator: creator.to_string(),
                            caller,
                            thread: thread.thread,
                            calling_process: thread.process,
                        }),
                    },
                );
            }
        }
    }

    /// Every watched process's handles that guest calls created and that are still open
    /// (or were open when it ended).
    pub(crate) fn handle_traces(&self, machine: &Machine) -> Vec<ProcessHandleTraces> {
        self.tracked
            .iter()
            .map(|t| ProcessHandleTraces {
                process: t.pid,
                architecture: t.architecture,
                exited: !machine.process(t.pid).is_some_and(|p| t.is(p.object())),
                handles: t.handles.values().filter_map(|h| h.trace.clone()).collect(),
            })
            .collect()
    }
}

/// The machine's services with diagnostics watching: each call is passed to the win32 layer
/// unchanged.
pub(crate) struct Services<'a> {
    pub(crate) win32: &'a mut Win32,
    pub(crate) diagnostics: &'a mut Diagnostics,
}

fn call_name(target: Option<ThunkTarget>) -> String {
    target.map_or_else(
        || "a system thunk".to_string(),
        |t| {
            format!(
                "{}.{}",
                t.dll_name.trim_end_matches(".dll").trim_end_matches(".DLL"),
                t.name
            )
        },
    )
}

/// The faulting thread's stack pointer and the words at it (x86: esp, [esp], [esp+4], ebp;
/// Alpha: sp, ra), for `--trace exceptions`: after a jump to a bad address they say where
/// the jump came from (a `call` leaves its return address at [esp], a `ret` took the bad one
/// from [esp-4]).
fn stack_summary(machine: &Machine, thread: ClientId) -> String {
    use nt_memory::GuestMemory;
    let Some(process) = machine.process(thread.process) else {
        return String::new();
    };
    let Some(t) = process.thread(thread.thread) else {
        return String::new();
    };
    let memory = process.address_space();
    let word = |at: u32| {
        memory
            .read_u32(at)
            .map_or_else(|_| "????????".to_string(), |v| format!("{v:08x}"))
    };
    match t.context() {
        nt_kernel::CpuContext::X86(c) => {
            let esp = c.gpr[nt_kernel::X86_ESP];
            format!(
                "; esp={esp:08x} [esp-4]={} [esp]={} [esp+4]={} ebp={:08x}",
                word(esp.wrapping_sub(4)),
                word(esp),
                word(esp.wrapping_add(4)),
                c.gpr[nt_kernel::X86_EBP]
            )
        }
        nt_kernel::CpuContext::Alpha(c) => {
            format!(
                "; sp={:08x} ra={:08x}",
                c.r[nt_kernel::ALPHA_SP] as u32,
                c.r[nt_kernel::ALPHA_RA] as u32
            )
        }
    }
}

impl SystemServices for Services<'_> {
    fn idle(&mut self, machine: &mut Machine, timeout: Option<std::time::Duration>) -> bool {
        self.win32.idle(machine, timeout)
    }

    fn thunk(&mut self, machine: &mut Machine, thread: ClientId, address: u32) -> ServiceOutcome {
        let bound = self.win32.builtins().at(address).copied();
        let name = call_name(bound);
        let track = self.diagnostics.options.track_handles;
        let caller = if track {
            self.diagnostics.baseline(machine);
            machine
                .process(thread.process)
                .and_then(|p| {
                    p.thread(thread.thread).and_then(|t| {
                        win32::abi::return_address(t.context(), p.address_space()).ok()
                    })
                })
                .unwrap_or(0)
        } else {
            0
        };
        let outcome = self.win32.thunk(machine, thread, address);
        if track {
            self.diagnostics
                .attribute(machine, self.win32, thread, &name, caller);
            self.diagnostics.baseline(machine);
        }
        self.diagnostics.trace_outcome(thread, &name, &outcome);
        self.diagnostics.scan_threads(machine);
        outcome
    }

    fn fault(
        &mut self,
        machine: &mut Machine,
        thread: ClientId,
        fault: nt_memory::Fault,
    ) -> ServiceOutcome {
        if self.diagnostics.options.trace_exceptions {
            let stack = stack_summary(machine, thread);
            self.diagnostics.trace_exception(
                thread,
                format_args!("fault {:#010x} ({fault}){stack}", fault.status().0),
            );
        }
        let outcome = self.win32.fault(machine, thread, fault);
        self.diagnostics.trace_exception_outcome(thread, &outcome);
        outcome
    }

    fn exception(
        &mut self,
        machine: &mut Machine,
        thread: ClientId,
        status: NtStatus,
        address: u32,
    ) -> ServiceOutcome {
        self.diagnostics.trace_exception(
            thread,
            format_args!(
                "exception {:#010x} ({}) at {address:#010x}",
                status.0,
                status.name().unwrap_or("exception")
            ),
        );
        let outcome = self.win32.exception(machine, thread, status, address);
        self.diagnostics.trace_exception_outcome(thread, &outcome);
        outcome
    }

    fn unimplemented_instruction(
        &mut self,
        machine: &mut Machine,
        thread: ClientId,
        address: u32,
        instruction: &str,
    ) -> ServiceOutcome {
        self.diagnostics.trace_exception(
            thread,
            format_args!("unimplemented instruction {instruction} at {address:#010x}"),
        );
        let outcome = self
            .win32
            .unimplemented_instruction(machine, thread, address, instruction);
        self.diagnostics.trace_exception_outcome(thread, &outcome);
        outcome
    }

    fn trap(&mut self, machine: &mut Machine, thread: ClientId, number: u32) -> ServiceOutcome {
        self.diagnostics
            .trace_exception(thread, format_args!("trap {number:#x}"));
        let outcome = self.win32.trap(machine, thread, number);
        self.diagnostics.trace_exception_outcome(thread, &outcome);
        outcome
    }

    fn process_start(&mut self, machine: &mut Machine, thread: ClientId) {
        self.win32.process_start(machine, thread);
    }

    fn housekeeping(&mut self, machine: &mut Machine, pause: nt_kernel::Pause) {
        self.win32.housekeeping(machine, pause);
    }

    fn host_event(&mut self, machine: &mut Machine) -> nt_kernel::HostAction {
        self.win32.host_event(machine)
    }
}

/// The builtin export table as an import resolver that traces each binding
/// (`--trace loader`).
pub(crate) struct TracingResolver<'a> {
    pub(crate) builtins: Arc<Builtins>,
    pub(crate) diagnostics: &'a Diagnostics,
}

impl ImportResolver for TracingResolver<'_> {
    fn resolve(&mut self, dll: &str, symbol: &ImportSymbol) -> Option<u32> {
        let address = self.builtins.address_of(dll, symbol);
        let symbol = match symbol {
            ImportSymbol::Name { name, .. } => name.to_string(),
            ImportSymbol::Ordinal(o) => format!("#{o}"),
        };
        match address {
            Some(a) => self
                .diagnostics
                .line("loader", format_args!("bound {dll}!{symbol} to {a:#010x}")),
            None => self.diagnostics.line(
                "loader",
                format_args!("{dll}!{symbol} is not implemented: bound to a stub"),
            ),
        }
        address
    }
}
