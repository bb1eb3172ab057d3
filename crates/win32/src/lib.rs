//! ntemu's builtin DLLs. Each DLL is a table of exports (name, ordinal, argument count,
//! calling convention, Rust function); the loader binds a guest image's imports to thunk
//! addresses in the kernel's thunk range, and when a guest thread jumps to one, [`Win32`]
//! (the machine's [`SystemServices`]) reads the arguments through the ABI adapter of the
//! thread's architecture, runs the function and returns to the caller. One Rust function
//! serves x86 and Alpha guests alike.
//!
//! A call to an import no builtin DLL implements stops the process with
//! `unimplemented: DLL!Name called from 0x...` on stderr and exit status
//! STATUS_ENTRYPOINT_NOT_FOUND, as Wine does for unimplemented functions.

pub mod abi;
mod api;
mod codepage;
pub mod console;
pub mod kernel32;
pub mod msvcrt;
pub mod ntdll;
mod seh;
pub mod user32;

use std::io::Write;
use std::sync::Arc;

use nt_kernel::{ClientId, Machine, ServiceOutcome, SystemServices, THUNK_BASE};
use nt_memory::Fault;
use parking_lot::Mutex;
use pe_image::{ImportResolver, ImportSymbol};

pub use abi::CallingConvention;
pub use api::{ApiCall, ApiReturn};

/// A builtin function.
pub type ApiFunction = fn(&mut ApiCall<'_>) -> ApiReturn;

/// One export of a builtin DLL.
#[derive(Clone, Copy)]
pub struct Export {
    /// The exported name.
    pub name: &'static str,
    /// The export ordinal.
    pub ordinal: u16,
    /// How many 32-bit arguments the function takes.
    pub arguments: u8,
    /// Who pops the arguments on x86.
    pub convention: CallingConvention,
    /// The implementation.
    pub function: ApiFunction,
}

impl std::fmt::Debug for Export {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.name, self.arguments)
    }
}

/// A builtin DLL: its name and its exports.
#[derive(Clone, Copy, Debug)]
pub struct BuiltinDll {
    /// The DLL's file name.
    pub name: &'static str,
    /// Its exports.
    pub exports: &'static [Export],
}

/// Every builtin DLL ntemu has.
pub fn builtin_dlls() -> [BuiltinDll; 5] {
    [
        kernel32::DLL,
        ntdll::DLL,
        user32::DLL,
        msvcrt::DLL,
        msvcrt::CRTDLL,
    ]
}

/// The first thunk address given to builtin functions (the exit-thread thunk sits below).
pub const FIRST_FUNCTION_THUNK: u32 = THUNK_BASE + 0x100;
/// Bytes between two function thunks.
pub const THUNK_SPACING: u32 = 4;

/// Where a thunk address leads.
#[derive(Clone, Copy, Debug)]
pub struct BoundExport {
    /// The DLL.
    pub dll: &'static str,
    /// The export.
    pub export: Export,
}

/// The table of builtin exports, by thunk address.
#[derive(Clone, Debug)]
pub struct Builtins {
    exports: Vec<BoundExport>,
}

impl Default for Builtins {
    fn default() -> Self {
        Self::new()
    }
}

pub(crate) fn dll_matches(builtin: &str, requested: &str) -> bool {
    fn stem(name: &str) -> &str {
        match name.len().checked_sub(4) {
            Some(at) if name.is_char_boundary(at) && name[at..].eq_ignore_ascii_case(".dll") => {
                &name[..at]
            }
            _ => name,
        }
    }
    stem(builtin).eq_ignore_ascii_case(stem(requested))
}

impl Builtins {
    /// Every builtin DLL's exports.
    pub fn new() -> Self {
        let exports = builtin_dlls()
            .iter()
            .flat_map(|dll| {
                dll.exports.iter().map(move |&export| BoundExport {
                    dll: dll.name,
                    export,
                })
            })
            .collect();
        Builtins { exports }
    }

    /// The export a thunk address leads to.
    pub fn at(&self, address: u32) -> Option<&BoundExport> {
        let offset = address.checked_sub(FIRST_FUNCTION_THUNK)?;
        if offset % THUNK_SPACING != 0 {
            return None;
        }
        self.exports.get((offset / THUNK_SPACING) as usize)
    }

    /// The thunk address of `dll!symbol`, if a builtin DLL exports it.
    pub fn address_of(&self, dll: &str, symbol: &ImportSymbol) -> Option<u32> {
        // The C runtime's data exports are addresses in its data block, not thunks.
        if let ImportSymbol::Name { name, .. } = symbol
            && let Some(data) = msvcrt::data_export(dll, name)
        {
            return Some(data);
        }
        let index = self.exports.iter().position(|b| {
            dll_matches(b.dll, dll)
                && match symbol {
                    ImportSymbol::Name { name, .. } => b.export.name == name,
                    ImportSymbol::Ordinal(o) => b.export.ordinal == *o,
                }
        })?;
        Some(FIRST_FUNCTION_THUNK + THUNK_SPACING * index as u32)
    }

    /// True when `dll` names a builtin DLL.
    pub fn has_dll(&self, dll: &str) -> bool {
        builtin_dlls().iter().any(|d| dll_matches(d.name, dll))
    }

    /// How many exports there are.
    pub fn len(&self) -> usize {
        self.exports.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.exports.is_empty()
    }
}

impl ImportResolver for Builtins {
    fn resolve(&mut self, dll: &str, symbol: &ImportSymbol) -> Option<u32> {
        self.address_of(dll, symbol)
    }
}

/// An in-memory sink for guest output.
pub type SharedBuffer = Arc<Mutex<Vec<u8>>>;

/// Where the guest's standard output and error go.
#[derive(Clone)]
pub struct HostIo {
    /// The guest's stdout.
    pub stdout: Arc<Mutex<dyn Write + Send>>,
    /// The guest's stderr.
    pub stderr: Arc<Mutex<dyn Write + Send>>,
}

impl HostIo {
    /// The host process's own stdout and stderr.
    pub fn host() -> Self {
        HostIo {
            stdout: Arc::new(Mutex::new(std::io::stdout())),
            stderr: Arc::new(Mutex::new(std::io::stderr())),
        }
    }

    /// In-memory buffers, for tests and embedders; returns them too.
    pub fn buffers() -> (Self, SharedBuffer, SharedBuffer) {
        let out = Arc::new(Mutex::new(Vec::new()));
        let err = Arc::new(Mutex::new(Vec::new()));
        (
            HostIo {
                stdout: out.clone(),
                stderr: err.clone(),
            },
            out,
            err,
        )
    }
}

/// An unimplemented import a guest called.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct UnimplementedCall {
    /// `DLL!name`.
    pub function: String,
    /// The caller's return address.
    pub caller: u32,
}

/// The builtin-DLL layer of a machine: its [`SystemServices`].
pub struct Win32 {
    builtins: Builtins,
    io: HostIo,
    trace: bool,
    state: api::Win32State,
    unimplemented: Vec<UnimplementedCall>,
}

impl Win32 {
    /// The builtin DLLs writing guest output to `io`.
    pub fn new(io: HostIo) -> Self {
        Win32 {
            builtins: Builtins::new(),
            io,
            trace: false,
            state: api::Win32State {
                wall_clock_base_ms: std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as u64),
                ..api::Win32State::default()
            },
            unimplemented: Vec::new(),
        }
    }

    /// Turns on `--trace api`: every builtin call with its arguments and result on stderr.
    pub fn set_trace(&mut self, on: bool) {
        self.trace = on;
    }

    /// The export table, which is also the import resolver for loading images.
    pub fn builtins(&self) -> &Builtins {
        &self.builtins
    }

    /// Unimplemented imports the guests called, in order.
    pub fn unimplemented_calls(&self) -> &[UnimplementedCall] {
        &self.unimplemented
    }

    /// Sets the wall-clock time (milliseconds since 1970, UTC) the machine's clock counts
    /// from: what GetSystemTime and GetLocalTime report at clock 0.
    pub fn set_wall_clock(&mut self, ms_since_1970: u64) {
        self.state.wall_clock_base_ms = ms_since_1970;
    }

    /// The console: its screen buffers and title.
    pub fn console(&self) -> &console::Console {
        &self.state.console
    }

    /// Queues keys on the console input (each a key-down and a key-up event), waking a
    /// thread that waits in ReadConsoleInputA.
    pub fn push_keys(&mut self, keys: &[console::Key]) {
        self.state.console.push_keys(keys);
        if let Some(event) = &self.state.console_input_event
            && !self.state.console.input.is_empty()
        {
            let _ = event.set_event();
        }
    }

    /// Ends the console input: once the queued keys are read, console reads return
    /// nothing (end of file) instead of waiting, as a redirected stdin at its end.
    pub fn close_input(&mut self) {
        self.state.console.input_closed = true;
        if let Some(event) = &self.state.console_input_event {
            let _ = event.set_event();
        }
    }

    /// Sets the size of the console's first screen buffer and its window (a terminal's
    /// size, say), before the guest runs; sizes of 0 or above [`console::MAX_DIMENSION`]
    /// are ignored.
    pub fn set_console_size(&mut self, columns: u16, rows: u16) {
        if columns == 0
            || rows == 0
            || columns > console::MAX_DIMENSION
            || rows > console::MAX_DIMENSION
        {
            return;
        }
        if let Some(buffer) = self.state.console.buffers.first_mut() {
            *buffer = console::ScreenBuffer::new(columns, rows);
        }
    }

    /// Shows the console on `host` (a terminal) and takes its keys from there.
    pub fn set_console_host(&mut self, host: Box<dyn console::ConsoleHost>) {
        self.state.console_host = Some(host);
    }

    /// Draws the console on its host one last time (when a run ends) and gives the host
    /// back.
    pub fn take_console_host(&mut self) -> Option<Box<dyn console::ConsoleHost>> {
        let mut host = self.state.console_host.take()?;
        host.present(&self.state.console);
        Some(host)
    }

    /// Sets the command line GetCommandLineA reports to process `process`.
    pub fn set_command_line(&mut self, machine: &Machine, process: u32, command_line: &str) {
        if let Some(p) = machine.process(process) {
            self.state.process_parameters.insert(
                process,
                p.object(),
                api::ProcessParameters {
                    command_line: command_line.to_string(),
                    block: None,
                },
            );
        }
    }

    /// Makes host directory `root` the guest's drive `C:\` (it must exist). The host's current
    /// directory becomes the guest's when it lies inside the root; else the guest starts in
    /// `C:\`. No guest path name reaches outside the root. Without a root there is no drive.
    pub fn set_root(&mut self, root: std::path::PathBuf) -> std::io::Result<()> {
        self.state.files.set_root(&root)
    }

    /// Sets the directory CreateProcessA resolves relative image names in.
    pub fn set_image_directory(&mut self, dir: std::path::PathBuf) {
        self.state.image_directory = Some(dir);
    }
}

impl Win32 {
    /// The exception dispatcher's view of the machine for `thread`.
    fn seh_env<'a>(&'a mut self, machine: &'a mut Machine, thread: ClientId) -> seh::Env<'a> {
        seh::Env {
            machine,
            seh: &mut self.state.seh,
            io: &self.io,
            thread,
        }
    }
}

impl SystemServices for Win32 {
    fn thunk(&mut self, machine: &mut Machine, thread: ClientId, address: u32) -> ServiceOutcome {
        // Below the function thunks: the layer's own (exception dispatch, Ctrl+C).
        if address < FIRST_FUNCTION_THUNK {
            if let Some(outcome) = seh::thunk(&mut self.seh_env(machine, thread), address) {
                return outcome;
            }
            if let Some(outcome) =
                kernel32::console::ctrl_thunk(&mut self.state, machine, thread, address)
            {
                return outcome;
            }
        }
        let Some(&bound) = self.builtins.at(address) else {
            return ServiceOutcome::ExitProcess(nt_status::NtStatus::ILLEGAL_INSTRUCTION.0);
        };
        api::dispatch(self, machine, thread, bound)
    }

    fn exception(
        &mut self,
        machine: &mut Machine,
        thread: ClientId,
        status: nt_status::NtStatus,
        address: u32,
    ) -> ServiceOutcome {
        seh::exception(&mut self.seh_env(machine, thread), status, address)
    }

    fn trap(&mut self, machine: &mut Machine, thread: ClientId, number: u32) -> ServiceOutcome {
        seh::trap(&mut self.seh_env(machine, thread), number)
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
        ServiceOutcome::ExitProcess(nt_status::NtStatus::ILLEGAL_INSTRUCTION.0)
    }

    fn fault(&mut self, machine: &mut Machine, thread: ClientId, fault: Fault) -> ServiceOutcome {
        let Some(process) = machine.process(thread.process) else {
            return ServiceOutcome::ExitProcess(fault.status().0);
        };
        if let Some(stub) = process.import_stub(fault.addr) {
            let caller = process
                .thread(thread.thread)
                .and_then(|t| abi::return_address(t.context(), process.address_space()).ok())
                .unwrap_or(0);
            let function = stub.to_string();
            let _ = writeln!(
                self.io.stderr.lock(),
                "unimplemented: {function} called from {caller:#010x}"
            );
            self.unimplemented
                .push(UnimplementedCall { function, caller });
            return ServiceOutcome::ExitProcess(nt_status::NtStatus::ENTRYPOINT_NOT_FOUND.0);
        }
        seh::fault(&mut self.seh_env(machine, thread), fault)
    }
}
