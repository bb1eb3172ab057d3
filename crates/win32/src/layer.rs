//! The builtin-DLL layer of a machine ([`Win32`], its [`SystemServices`]): a guest jump into
//! the thunk range runs the builtin bound there, exceptions go to the dispatcher NTDLL
//! registers, and a call of a catalogued function ntemu lacks stops the process naming it.

use std::io::Write;
use std::sync::Arc;

use nt_kernel::{ClientId, HostAction, InlineCalls, Machine, ServiceOutcome, SystemServices};
use nt_memory::Fault;
use nt_object::WaitType;
use nt_status::NtStatus;
use parking_lot::Mutex;

use crate::abi::{self, ResultValue};
use crate::api::{ApiCall, ApiReturn, Win32State};
use crate::exports::{BuiltinDll, Builtins, FIRST_FUNCTION_THUNK, UNIMPLEMENTED_STATUS};
use crate::inline::InlineTable;
use crate::relay::{Relay, RelayChannels};

/// An in-memory sink for guest output.
pub type SharedBuffer = Arc<Mutex<Vec<u8>>>;

/// A sink for guest output or trace lines.
pub type Sink = Arc<Mutex<dyn Write + Send>>;

/// Where the guest's standard output and error go, and the trace lines.
#[derive(Clone)]
pub struct HostIo {
    /// The guest's stdout.
    pub stdout: Sink,
    /// The guest's stderr, and ntemu's messages about the guest (an unimplemented call).
    pub stderr: Sink,
    /// Trace lines (the relay trace, `trace:CHANNEL:` lines): stderr unless the host
    /// sends them elsewhere ([`HostIo::with_trace`]).
    pub trace: Sink,
}

impl HostIo {
    /// The host process's own stdout and stderr; traces go to stderr.
    pub fn host() -> Self {
        let stderr: Sink = Arc::new(Mutex::new(std::io::stderr()));
        HostIo {
            stdout: Arc::new(Mutex::new(std::io::stdout())),
            trace: stderr.clone(),
            stderr,
        }
    }

    /// In-memory buffers, for tests and embedders; returns them too. Traces go to the
    /// stderr buffer.
    pub fn buffers() -> (Self, SharedBuffer, SharedBuffer) {
        let out = Arc::new(Mutex::new(Vec::new()));
        let err = Arc::new(Mutex::new(Vec::new()));
        (
            HostIo {
                stdout: out.clone(),
                stderr: err.clone(),
                trace: err.clone(),
            },
            out,
            err,
        )
    }

    /// The same, with trace lines going to `trace` instead.
    pub fn with_trace(mut self, trace: Sink) -> Self {
        self.trace = trace;
        self
    }
}

/// A sink writing to `writer`, for a [`HostIo`] field.
pub fn sink<W: Write + Send + 'static>(writer: W) -> Sink {
    Arc::new(Mutex::new(writer))
}

/// What a host's ring of the machine's [`nt_kernel::HostSignal`] runs: the DLLs serve
/// their host (a terminal showing the console) between quanta.
pub type HostEventHandler = fn(&mut Win32, &mut Machine) -> HostAction;

/// An unimplemented function a guest called.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct UnimplementedCall {
    /// `DLL!name`.
    pub function: String,
    /// The caller's return address.
    pub caller: u32,
}

/// The exception dispatcher (NTDLL's), which the layer hands processor exceptions, traps
/// and faults to.
#[derive(Clone, Copy)]
pub struct ExceptionDispatch {
    /// A processor exception (divide error, breakpoint...) at `address`.
    pub exception: fn(&mut ApiCall<'_>, NtStatus, u32) -> ServiceOutcome,
    /// A trap instruction (int n, call_pal) with its number.
    pub trap: fn(&mut ApiCall<'_>, u32) -> ServiceOutcome,
    /// A memory fault.
    pub fault: fn(&mut ApiCall<'_>, Fault) -> ServiceOutcome,
}

/// The builtin-DLL layer of a machine: its [`SystemServices`].
pub struct Win32 {
    builtins: Arc<Builtins>,
    io: HostIo,
    relay: Relay,
    /// The inline versions of the builtins that are not traced.
    inline: InlineTable,
    /// Every call goes the full way ([`Win32::set_inline_calls`]).
    inline_off: bool,
    /// Some builtin is served inside the CPU: `inline` has an entry and `inline_off` is
    /// false (kept apart so that the scheduler's question costs nothing).
    inline_on: bool,
    state: Win32State,
    unimplemented: Vec<UnimplementedCall>,
    exceptions: Option<ExceptionDispatch>,
    host_event: Option<HostEventHandler>,
}

impl Win32 {
    /// The layer serving `builtins` (see [`Builtins::new`]), writing guest output to `io`,
    /// handing exceptions to `exceptions` (without one, an exception ends the process with
    /// its status).
    pub fn new(io: HostIo, builtins: Arc<Builtins>, exceptions: Option<ExceptionDispatch>) -> Self {
        let inline = InlineTable {
            entries: builtins.inline_entries().to_vec(),
        };
        Win32 {
            relay: Relay::off(builtins.len()),
            inline_on: !inline.is_empty(),
            inline,
            inline_off: false,
            builtins,
            io,
            state: Win32State::default(),
            unimplemented: Vec::new(),
            exceptions,
            host_event: None,
        }
    }

    /// Sets what serves the host when it rings the machine's
    /// [`HostSignal`](nt_kernel::HostSignal) (kernel32's console, for a terminal).
    pub fn set_host_event_handler(&mut self, handler: HostEventHandler) {
        self.host_event = Some(handler);
    }

    /// The layer of the DLLs `dlls` (a table of its own).
    pub fn with_dlls(
        io: HostIo,
        dlls: &[&'static BuiltinDll],
        exceptions: Option<ExceptionDispatch>,
    ) -> Self {
        Self::new(io, Arc::new(Builtins::new(dlls)), exceptions)
    }

    /// Turns the relay trace on for the functions `channels` selects (Wine's `+relay`):
    /// a Call line and a Ret line on stderr for each builtin call.
    pub fn set_relay(&mut self, channels: &RelayChannels) {
        self.relay = Relay::new(&self.builtins, channels);
        // A traced call goes the full way, where its lines are written.
        let relay = &self.relay;
        self.inline = InlineTable {
            entries: (self.builtins.inline_entries().iter().enumerate())
                .map(|(index, entry)| entry.filter(|_| !relay.is_on(index)))
                .collect(),
        };
        self.inline_on = !self.inline_off && !self.inline.is_empty();
    }

    /// Lets the CPUs serve the builtins that have an inline version inside their run loop
    /// (the default), or not: with `false` every call goes the full way, through
    /// [`SystemServices::thunk`] (see [`crate::inline`]). Calls the relay traces always do.
    pub fn set_inline_calls(&mut self, on: bool) {
        self.inline_off = !on;
        self.inline_on = on && !self.inline.is_empty();
    }

    /// The export table, which is also the import resolver for loading images.
    pub fn builtins(&self) -> &Arc<Builtins> {
        &self.builtins
    }

    /// Where guest output goes.
    pub fn io(&self) -> &HostIo {
        &self.io
    }

    /// Unimplemented functions the guests called, in order.
    pub fn unimplemented_calls(&self) -> &[UnimplementedCall] {
        &self.unimplemented
    }

    /// The layer's per-machine state (each DLL's state is found in it by type).
    pub fn state(&self) -> &Win32State {
        &self.state
    }

    /// The layer's per-machine state, to change.
    pub fn state_mut(&mut self) -> &mut Win32State {
        &mut self.state
    }

    /// Sets the wall-clock time (milliseconds since 1970, UTC) the machine's clock counts
    /// from: what GetSystemTime and GetLocalTime report at clock 0.
    pub fn set_wall_clock(&mut self, ms_since_1970: u64) {
        self.state.wall_clock_base_ms = ms_since_1970;
    }

    /// A call frame for `thread`, for code that acts on a machine outside a guest call
    /// (a host asking a DLL to do something for a process).
    pub fn call<'a>(&'a mut self, machine: &'a mut Machine, thread: ClientId) -> ApiCall<'a> {
        ApiCall {
            machine,
            thread,
            io: &self.io,
            state: &mut self.state,
            builtins: &self.builtins,
        }
    }

    /// Sets up, in the process just created from `image` (its first thread `thread`), each
    /// builtin DLL the image imports (their `process_attach` hooks, see
    /// [`attach_process`](crate::attach_process)).
    pub fn attach_process(
        &mut self,
        machine: &mut Machine,
        thread: ClientId,
        image: &pe_image::PeImage,
    ) {
        crate::attach_process(&mut self.call(machine, thread), image);
    }

    fn stop_unimplemented(
        &mut self,
        machine: &Machine,
        thread: ClientId,
        function: String,
    ) -> ServiceOutcome {
        let caller = machine
            .process(thread.process)
            .and_then(|p| {
                let t = p.thread(thread.thread)?;
                abi::return_address(t.context(), p.address_space()).ok()
            })
            .unwrap_or(0);
        let _ = writeln!(
            self.io.stderr.lock(),
            "unimplemented: {function} called from {caller:#010x}"
        );
        self.unimplemented
            .push(UnimplementedCall { function, caller });
        ServiceOutcome::ExitProcess(UNIMPLEMENTED_STATUS.0)
    }

    fn dispatch(
        &mut self,
        machine: &mut Machine,
        thread: ClientId,
        index: usize,
    ) -> ServiceOutcome {
        let target = &self.builtins.thunks()[index];
        let Some(export) = target.export else {
            let function = format!("{}!{}", target.dll_name, target.name);
            return self.stop_unimplemented(machine, thread, function);
        };
        let relayed = self.relay.is_on(index);
        let mut call = ApiCall {
            machine,
            thread,
            io: &self.io,
            state: &mut self.state,
            builtins: &self.builtins,
        };
        let caller = if relayed {
            self.relay.call_line(&call, target, export)
        } else {
            0
        };
        let result = (export.function)(&mut call);
        let (value, outcome) = match result {
            ApiReturn::Value(v) => (ResultValue::Word(v), ServiceOutcome::Continue),
            ApiReturn::Value64(v) => (ResultValue::Quad(v), ServiceOutcome::Continue),
            ApiReturn::Wait {
                objects,
                wait_type,
                timeout,
            } => (
                ResultValue::Word(0),
                ServiceOutcome::Wait {
                    objects,
                    wait_type,
                    timeout,
                },
            ),
            ApiReturn::WaitFor(request) => (ResultValue::Word(0), ServiceOutcome::WaitFor(request)),
            ApiReturn::Retry { objects, timeout } => {
                // The thread stays at the thunk with its arguments in place.
                if relayed {
                    self.relay
                        .note_line(&self.io, thread, target, "blocked", caller);
                }
                return ServiceOutcome::Wait {
                    objects,
                    wait_type: WaitType::Any,
                    timeout,
                };
            }
            ApiReturn::Resumed => {
                if relayed {
                    self.relay
                        .note_line(&self.io, thread, target, "resumed", caller);
                }
                return ServiceOutcome::Continue;
            }
            ApiReturn::ExitThread(code) => {
                if relayed {
                    self.relay
                        .note_line(&self.io, thread, target, "exits the thread", caller);
                }
                return ServiceOutcome::ExitThread(code);
            }
            ApiReturn::ExitProcess(code) => {
                if relayed {
                    self.relay
                        .note_line(&self.io, thread, target, "exits the process", caller);
                }
                return ServiceOutcome::ExitProcess(code);
            }
        };
        let Some(process) = call.machine.process_mut(thread.process) else {
            return ServiceOutcome::Continue;
        };
        let (space, threads) = process.space_and_thread(thread.thread);
        let Some(t) = threads else {
            return ServiceOutcome::Continue;
        };
        if let Err(fault) = abi::return_from_call(
            t.context_mut(),
            space,
            value,
            export.convention,
            export.arguments as usize,
        ) {
            return ServiceOutcome::ExitProcess(fault.status().0);
        }
        if relayed {
            self.relay
                .ret_line(&self.io, thread, target, export, value, caller);
        }
        outcome
    }
}

impl SystemServices for Win32 {
    fn thunk(&mut self, machine: &mut Machine, thread: ClientId, address: u32) -> ServiceOutcome {
        if let Some(index) = self.builtins.thunk_index(address) {
            return self.dispatch(machine, thread, index);
        }
        // Below the function thunks: the DLLs' own (exception dispatch, Ctrl+C, callbacks).
        if address < FIRST_FUNCTION_THUNK {
            let builtins = Arc::clone(&self.builtins);
            let mut call = self.call(machine, thread);
            for hook in builtins.dlls().filter_map(|d| d.hooks.internal_thunk) {
                if let Some(outcome) = hook(&mut call, address) {
                    return outcome;
                }
            }
        }
        ServiceOutcome::ExitProcess(NtStatus::ILLEGAL_INSTRUCTION.0)
    }

    fn process_start(&mut self, machine: &mut Machine, thread: ClientId) {
        let builtins = Arc::clone(&self.builtins);
        let mut call = self.call(machine, thread);
        for hook in builtins.dlls().filter_map(|d| d.hooks.process_start) {
            hook(&mut call);
        }
    }

    fn exception(
        &mut self,
        machine: &mut Machine,
        thread: ClientId,
        status: NtStatus,
        address: u32,
    ) -> ServiceOutcome {
        match self.exceptions {
            Some(d) => (d.exception)(&mut self.call(machine, thread), status, address),
            None => ServiceOutcome::ExitProcess(status.0),
        }
    }

    fn trap(&mut self, machine: &mut Machine, thread: ClientId, number: u32) -> ServiceOutcome {
        match self.exceptions {
            Some(d) => (d.trap)(&mut self.call(machine, thread), number),
            None => ServiceOutcome::ExitProcess(NtStatus::ILLEGAL_INSTRUCTION.0),
        }
    }

    fn unimplemented_instruction(
        &mut self,
        _machine: &mut Machine,
        _thread: ClientId,
        address: u32,
        instruction: &str,
    ) -> ServiceOutcome {
        let _ = writeln!(
            self.io.stderr.lock(),
            "unimplemented instruction: {instruction} at {address:#010x}"
        );
        ServiceOutcome::ExitProcess(NtStatus::ILLEGAL_INSTRUCTION.0)
    }

    fn inline_calls(&mut self) -> Option<&mut dyn InlineCalls> {
        if !self.inline_on {
            None
        } else {
            Some(&mut self.inline)
        }
    }

    fn housekeeping(&mut self, machine: &mut Machine, pause: nt_kernel::Pause) {
        self.state.run_housekeeping(&self.io, machine, pause);
    }

    fn host_event(&mut self, machine: &mut Machine) -> HostAction {
        match self.host_event {
            Some(handler) => handler(self, machine),
            None => HostAction::Continue,
        }
    }

    fn idle(&mut self, machine: &mut Machine, timeout: Option<std::time::Duration>) -> bool {
        if self.state.has_idle_hooks() {
            // The hooks may wait on the host that long (without limit: None): what falls due
            // meanwhile, such as writing a changed hive, is done before.
            let wait = timeout.unwrap_or(std::time::Duration::MAX);
            self.state
                .run_housekeeping(&self.io, machine, nt_kernel::Pause::Sleeping(wait));
        }
        self.state.run_idle_hooks(machine, timeout)
    }

    fn fault(&mut self, machine: &mut Machine, thread: ClientId, fault: Fault) -> ServiceOutcome {
        let Some(process) = machine.process(thread.process) else {
            return ServiceOutcome::ExitProcess(fault.status().0);
        };
        if let Some(stub) = process.import_stub(fault.addr) {
            let function = stub.to_string();
            return self.stop_unimplemented(machine, thread, function);
        }
        match self.exceptions {
            Some(d) => (d.fault)(&mut self.call(machine, thread), fault),
            None => ServiceOutcome::ExitProcess(fault.status().0),
        }
    }
}
