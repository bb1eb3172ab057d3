//! KERNEL32.dll: the functions ntemu implements, with NT's results and last-error codes.

use std::sync::Arc;
use std::time::Duration;

use nt_kernel::{ClientId, KernelError};
use nt_memory::{AllocationType, FreeType, GuestMemory, PageProtection};
use nt_object::{
    AccessMask, DuplicateOptions, EventType, Handle, HandleAttributes, NamedObjectSpec, Object,
    ObjectError, ObjectType, OwnerThread, WaitType,
};
use nt_status::{NtStatus, Win32Error};

mod actctx;
mod atom;
mod callback;
mod change;
pub mod console;
mod console_api;
mod copyfile;
mod debugapi;
mod debugstr;
pub mod dllload;
mod dosdev;
mod drive;
pub(crate) mod environment;
mod errormode;
mod exec;
mod fiber;
mod file;
mod fileinfo;
mod filelock;
mod filenode;
mod findfile;
pub mod global;
pub mod guestfile;
pub mod heap;
mod lfile;
mod locale;
mod lstring;
mod mailslot;
mod mapping;
mod memcheck;
mod memlock;
mod memstatus;
mod message;
mod module;
pub mod namedpipe;
mod nls;
mod ntfile;
mod overlapped;
mod path;
mod pipe;
mod procattr;
mod processor;
mod procstart;
mod procthread;
mod profile;
mod regwait;
pub mod resource;
mod scatter;
mod slist;
mod startup;
pub(crate) mod sync;
mod sysinfo;
pub mod sysroot;
mod time;
mod timeconv;
mod timerqueue;
mod timers;
mod toolhelp;
mod verify;
mod volume;
mod waits;

pub use console_api::{CONSOLE_WINDOW, console_window_client_size};
pub use debugstr::{debug_strings_shown, set_debug_string_trace};
pub use drive::drive_type_of;
pub use file::{DiskFile, NullDevice};
pub use file::{
    FileInformation, FindData, create_directory_named, current_directory_name, delete_file_named,
    file_information, find_close_handle, find_first_entry, find_next_entry, flush_file,
    full_path_name_of, get_file_attributes_of, move_file_named, remove_directory_named,
    set_current_directory_named, set_end_of_file_at, set_file_attributes_of, set_file_times,
    set_std_handle_to,
};
pub use file::{open_file, open_file_inheritable, read_handle, set_file_pointer, write_handle};
pub use message::system_message;
pub use ntfile::NTDLL_FILE_SERVICES;
pub use pipe::{DEFAULT_PIPE_SIZE, PipeEnd, PipeEndKind, create_pipe, read_wait};
pub use startup::{file_type_of, startup_reserved2};
pub use sysinfo::{COMPUTER_NAME, SYSTEM_DIRECTORY, WINDOWS_DIRECTORY};
pub use waits::wait_objects;

use win32::{
    AnsiStr, ApiCall, ApiReturn, BuiltinDll, DllHooks, PerProcess, Ptr, WideStr, Win32, Win32State,
    export, exports,
};

/// Kernel32's state in a machine (one value in the layer's [`Win32State`]).
#[derive(Default)]
pub struct Kernel32State {
    /// What GetFileType says of the standard input, output and error handles: the console
    /// (FILE_TYPE_CHAR, also when unset), or the file or pipe the host redirected them to.
    pub(crate) std_file_types: StdFileTypes,
    /// Each process's standard handles (input, output, error), created on first use.
    pub(crate) std_handles: PerProcess<[Handle; 3]>,
    /// The standard output objects the host redirected to a file or pipe: WriteFile's bytes
    /// go there and not to the console's screen buffer, as NT writes a redirected handle's.
    pub(crate) redirected_outputs: Vec<std::sync::Weak<Object>>,
    /// Each process's command line, and where GetCommandLineA and the environment block
    /// were put in its memory once asked for.
    pub(crate) process_parameters: PerProcess<ProcessParameters>,
    /// Each process's TLS slots and contended critical sections.
    pub(crate) sync: PerProcess<sync::ProcessSync>,
    /// Each process's environment variables.
    pub(crate) environments: PerProcess<environment::Environment>,
    /// The console the machine's processes share.
    pub(crate) console: console::Console,
    /// The sandboxed drive C:, its current directory and open disk files.
    pub(crate) files: file::FileSystem,
    /// CopyFileEx calls waiting for their progress routines.
    pub(crate) copies: copyfile::PendingCopies,
    /// Threads serving a Ctrl+C, by (process, thread) id: the HandlerRoutines still to call,
    /// next first.
    pub(crate) ctrl_threads: std::collections::BTreeMap<(u32, u32), console_api::CtrlDispatch>,
    /// SetConsoleInputExeName's name (None: the program's file name).
    pub(crate) console_input_exe: Option<String>,
    /// The event signalled while the console input queue holds events (made on first use).
    pub(crate) console_input_event: Option<Arc<Object>>,
    /// The terminal that shows the console and types into it, if any.
    pub(crate) console_host: Option<Box<dyn console::ConsoleHost>>,
    /// The size of the host terminal the console is shown on, when known (columns, rows):
    /// the largest console window there is.
    pub(crate) console_host_size: Option<(u16, u16)>,
    /// The largest console window the machine's screen holds (see
    /// [`console::set_screen_pixels`]); None: [`console::LARGEST_WINDOW`].
    pub(crate) console_screen_largest: Option<(u16, u16)>,
}

/// What kernel32 keeps of a process's start-up parameters (NT: RTL_USER_PROCESS_PARAMETERS).
#[derive(Default)]
pub(crate) struct ProcessParameters {
    /// The command line.
    pub(crate) command_line: String,
    /// The image's full guest path (GetModuleFileName), when it lies on a drive.
    pub(crate) image_path: Option<String>,
    /// Where the parameter block is in guest memory, once made.
    pub(crate) block: Option<startup::ParameterBlock>,
    /// What the creator's STARTUPINFO said (GetStartupInfo gives it back).
    pub(crate) startup: startup::StartupInfo,
    /// The process's copies of the STARTUPINFO strings, once GetStartupInfo made them.
    pub(crate) startup_strings: startup::StartupStrings,
}

/// GetFileType of the standard input, output and error handles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StdFileTypes(pub [u32; 3]);

impl Default for StdFileTypes {
    fn default() -> Self {
        StdFileTypes([startup::FILE_TYPE_CHAR; 3])
    }
}

impl std::ops::Index<usize> for StdFileTypes {
    type Output = u32;
    fn index(&self, i: usize) -> &u32 {
        &self.0[i]
    }
}

/// FILE_TYPE_DISK.
pub const FILE_TYPE_DISK: u32 = 1;
/// FILE_TYPE_CHAR.
pub const FILE_TYPE_CHAR: u32 = 2;
/// FILE_TYPE_PIPE.
pub const FILE_TYPE_PIPE: u32 = 3;

/// Kernel32's state in the layer's state.
pub(crate) trait K32 {
    /// Kernel32's state.
    fn k32(&mut self) -> &mut Kernel32State;
    /// Kernel32's state, if it has been made.
    fn k32_peek(&self) -> Option<&Kernel32State>;
}

impl K32 for Win32State {
    fn k32(&mut self) -> &mut Kernel32State {
        self.get::<Kernel32State>()
    }

    fn k32_peek(&self) -> Option<&Kernel32State> {
        self.peek::<Kernel32State>()
    }
}

/// The console the machine's processes share (for the C runtime's conio functions).
pub fn console_mut(state: &mut Win32State) -> &mut console::Console {
    &mut state.k32().console
}

/// The full guest path of the calling process's image, when it lies on a drive.
pub(crate) fn own_image_path(call: &mut ApiCall<'_>) -> Option<String> {
    let pid = call.thread.process;
    let object = call.process_object()?;
    call.state
        .k32()
        .process_parameters
        .get(pid, &object)
        .and_then(|p| p.image_path.clone())
}

/// The calling process's command line, as the host or CreateProcess gave it.
pub fn process_command_line(call: &mut ApiCall<'_>) -> Option<String> {
    let pid = call.thread.process;
    let object = call.process_object()?;
    call.state
        .k32()
        .process_parameters
        .get(pid, &object)
        .map(|p| p.command_line.clone())
}

/// The calling process's environment variables, in their order.
pub fn environment_variables(call: &mut ApiCall<'_>) -> Vec<(String, String)> {
    let pid = call.thread.process;
    call.process_object()
        .and_then(|o| {
            call.state
                .k32()
                .environments
                .get(pid, &o)
                .map(|e| e.variables.clone())
        })
        .unwrap_or_default()
}

/// Sets (or with None removes) an environment variable of the calling process.
pub fn set_environment_variable(call: &mut ApiCall<'_>, name: &str, value: Option<&str>) {
    let pid = call.thread.process;
    if let Some(o) = call.process_object() {
        call.state
            .k32()
            .environments
            .get_or_default(pid, &o)
            .set(name, value);
    }
}

/// What a host (the embedding library, the command line) asks of kernel32 in a machine.
pub trait Kernel32Host {
    /// The console: its screen buffers and title.
    fn console(&self) -> Option<&console::Console>;
    /// Queues keys on the console input (each a key-down and a key-up event), waking a
    /// thread that waits in ReadConsoleInputA.
    fn push_keys(&mut self, keys: &[console::Key]);
    /// Ends the console input: once the queued keys are read, console reads return
    /// nothing (end of file) instead of waiting, as a redirected stdin at its end.
    fn close_input(&mut self);
    /// Sets the size of the console's first screen buffer and its window (a terminal's
    /// size, say), before the guest runs; sizes of 0 or above [`console::MAX_DIMENSION`]
    /// are ignored.
    fn set_console_size(&mut self, columns: u16, rows: u16);
    /// Shows the console on `host` (a terminal) and takes its keys from there.
    fn set_console_host(&mut self, host: Box<dyn console::ConsoleHost>);
    /// Draws the console on its host one last time (when a run ends) and gives the host
    /// back.
    fn take_console_host(&mut self) -> Option<Box<dyn console::ConsoleHost>>;
    /// Sets the command line GetCommandLineA reports to process `process`.
    fn set_command_line(&mut self, machine: &nt_kernel::Machine, process: u32, command_line: &str);
    /// Mounts host directory `host` (it must exist) as drive `letter`, read-only or not,
    /// replacing what that letter showed. No guest path name reaches outside a drive's
    /// directory (see the `volume` module for the policy).
    fn mount(
        &mut self,
        letter: char,
        host: &std::path::Path,
        read_only: bool,
    ) -> std::io::Result<()>;
    /// The mounted drives: letter, host directory, read-only.
    fn drives(&self) -> Vec<(char, std::path::PathBuf, bool)>;
    /// The guest path (`E:\\dir\\file`) of a host path a drive holds.
    fn guest_path_of(&self, host: &std::path::Path) -> Option<String>;
    /// Makes host directory `host` the guest's starting current directory when a drive
    /// holds it; returns whether one does.
    fn set_start_directory(&mut self, host: &std::path::Path) -> bool;
    /// Starts process `thread.process` (whose first thread is `thread`) as NT's
    /// CreateProcess leaves a process before its first instruction: its environment
    /// variables (with the PROCESSOR_* variables of its CPU added when absent), the process
    /// heap in PEB.ProcessHeap, the standard handles, and RTL_USER_PROCESS_PARAMETERS in
    /// PEB.ProcessParameters. Call it after the command line and image path are set.
    fn start_process(
        &mut self,
        machine: &mut nt_kernel::Machine,
        thread: ClientId,
        environment: Vec<(String, String)>,
    ) -> Result<(), NtStatus>;
    /// Sets what GetFileType reports for the standard input, output and error handles
    /// (FILE_TYPE_CHAR for the console, FILE_TYPE_DISK or FILE_TYPE_PIPE for what the host
    /// redirected them to).
    fn set_std_file_types(&mut self, types: StdFileTypes);
    /// Sets the full guest path GetModuleFileName reports for process `process`'s image.
    fn set_image_path(&mut self, machine: &nt_kernel::Machine, process: u32, guest_path: &str);
    /// The standard handles (input, output, error) kernel32 opened for process `pid`, if
    /// it has asked for them: the console handles NT gives every console process, which
    /// diagnostics such as `--leaks` do not count as the program's own.
    fn std_handles(&self, machine: &nt_kernel::Machine, pid: u32) -> Option<[Handle; 3]>;
}

impl Kernel32Host for Win32 {
    fn console(&self) -> Option<&console::Console> {
        self.state().peek::<Kernel32State>().map(|k| &k.console)
    }

    fn push_keys(&mut self, keys: &[console::Key]) {
        let k = self.state_mut().k32();
        k.console.push_keys(keys);
        if let Some(event) = &k.console_input_event
            && !k.console.input.is_empty()
        {
            let _ = event.set_event();
        }
    }

    fn close_input(&mut self) {
        let k = self.state_mut().k32();
        k.console.input_closed = true;
        if let Some(event) = &k.console_input_event {
            let _ = event.set_event();
        }
    }

    fn set_console_size(&mut self, columns: u16, rows: u16) {
        if columns == 0
            || rows == 0
            || columns > console::MAX_DIMENSION
            || rows > console::MAX_DIMENSION
        {
            return;
        }
        let k = self.state_mut().k32();
        k.console_host_size = Some((columns, rows));
        if let Some(buffer) = k.console.buffers.first_mut() {
            let streaming = buffer.is_streaming();
            *buffer = console::ScreenBuffer::new(columns, rows);
            buffer.record_stream(streaming);
        }
    }

    fn set_console_host(&mut self, host: Box<dyn console::ConsoleHost>) {
        let k = self.state_mut().k32();
        if host.wants_stream()
            && !k.console.full_screen
            && let Some(first) = k.console.buffers.first_mut()
        {
            first.record_stream(true);
        }
        k.console_host = Some(host);
    }

    fn take_console_host(&mut self) -> Option<Box<dyn console::ConsoleHost>> {
        let k = self.state_mut().k32();
        let mut host = k.console_host.take()?;
        host.present(&k.console);
        Some(host)
    }

    fn set_command_line(&mut self, machine: &nt_kernel::Machine, process: u32, command_line: &str) {
        if let Some(p) = machine.process(process) {
            let parameters = self
                .state_mut()
                .k32()
                .process_parameters
                .get_or_default(process, p.object());
            parameters.command_line = command_line.to_string();
            parameters.block = None;
        }
    }

    fn mount(
        &mut self,
        letter: char,
        host: &std::path::Path,
        read_only: bool,
    ) -> std::io::Result<()> {
        self.state_mut().k32().files.mount(letter, host, read_only)
    }

    fn drives(&self) -> Vec<(char, std::path::PathBuf, bool)> {
        self.state()
            .peek::<Kernel32State>()
            .map(|k| {
                k.files
                    .volumes()
                    .iter()
                    .map(|v| (v.letter, v.host.clone(), v.read_only))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn guest_path_of(&self, host: &std::path::Path) -> Option<String> {
        let (drive, components) = self
            .state()
            .peek::<Kernel32State>()?
            .files
            .guest_path_of(host)?;
        Some(
            path::FullPath::Drive {
                drive,
                components,
                trailing_separator: false,
            }
            .display(),
        )
    }

    fn set_start_directory(&mut self, host: &std::path::Path) -> bool {
        self.state_mut().k32().files.set_start_directory(host)
    }

    fn start_process(
        &mut self,
        machine: &mut nt_kernel::Machine,
        thread: ClientId,
        environment: Vec<(String, String)>,
    ) -> Result<(), NtStatus> {
        let mut call = self.call(machine, thread);
        environment::set_all(&mut call, environment);
        startup::initialize_process(&mut call)
    }

    fn set_std_file_types(&mut self, types: StdFileTypes) {
        self.state_mut().k32().std_file_types = types;
    }

    fn set_image_path(&mut self, machine: &nt_kernel::Machine, process: u32, guest_path: &str) {
        if let Some(p) = machine.process(process) {
            let parameters = self
                .state_mut()
                .k32()
                .process_parameters
                .get_or_default(process, p.object());
            parameters.image_path = Some(guest_path.to_string());
            self.state_mut()
                .get::<ntdll::procinfo::ImageFileNames>()
                .insert(process, p.object(), nt_device_path(guest_path));
        }
    }

    fn std_handles(&self, machine: &nt_kernel::Machine, pid: u32) -> Option<[Handle; 3]> {
        let process = machine.process(pid)?.object();
        self.state()
            .peek::<Kernel32State>()?
            .std_handles
            .get(pid, process)
            .copied()
    }
}

/// INFINITE.
pub const INFINITE: u32 = 0xFFFF_FFFF;
/// WAIT_FAILED.
pub const WAIT_FAILED: u32 = 0xFFFF_FFFF;
/// INVALID_HANDLE_VALUE.
pub const INVALID_HANDLE_VALUE: u32 = 0xFFFF_FFFF;
/// STD_INPUT_HANDLE.
pub const STD_INPUT_HANDLE: u32 = (-10i32) as u32;
/// STD_OUTPUT_HANDLE.
pub const STD_OUTPUT_HANDLE: u32 = (-11i32) as u32;
/// STD_ERROR_HANDLE.
pub const STD_ERROR_HANDLE: u32 = (-12i32) as u32;
/// MAX_PATH.
pub const MAX_PATH: usize = 260;
/// The most bytes a builtin copies between guest and host at a time.
const COPY_CHUNK: usize = 0x1_0000;

/// The payload of a File object ntemu's console handles refer to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HostFile {
    /// The console input (the host's stdin).
    Input,
    /// The console output (the host's stdout).
    Output,
    /// The console error output (the host's stderr).
    Error,
    /// A screen buffer made by CreateConsoleScreenBuffer (its index in the console).
    ScreenBuffer(u32),
}

/// KERNEL32's own thunks: the Ctrl+C routine's, the timer queues', and the returns of the
/// resource enumerations' callbacks and of DLL entry points.
fn internal_thunk(
    call: &mut win32::ApiCall<'_>,
    address: u32,
) -> Option<nt_kernel::ServiceOutcome> {
    console_api::ctrl_thunk(call, address)
        .or_else(|| resource::enum_thunk(call, address))
        .or_else(|| dllload::loader_thunk(call, address))
        .or_else(|| timerqueue::thunk(call, address))
}

/// KERNEL32's builtins with an inline version ([`win32::Builtins::add_inline`]): those
/// that read or set only the calling thread's ids and TEB, and the heap calls NTDLL serves.
pub const INLINE: &[win32::InlineExport] = &[
    win32::InlineExport {
        name: "GetCurrentProcessId",
        function: |call| Some(call.process),
    },
    win32::InlineExport {
        name: "GetCurrentThreadId",
        function: |call| Some(call.thread),
    },
    win32::InlineExport {
        name: "GetLastError",
        function: |call| Some(call.last_error()),
    },
    win32::InlineExport {
        name: "SetLastError",
        function: |call| {
            let code = call.arg(0);
            call.set_last_error(code);
            Some(0)
        },
    },
    win32::InlineExport {
        name: "HeapAlloc",
        function: ntdll::heap_api::inline_allocate,
    },
    win32::InlineExport {
        name: "HeapFree",
        function: ntdll::heap_api::inline_free,
    },
];

/// KERNEL32.dll.
pub static DLL: BuiltinDll = BuiltinDll {
    name: "KERNEL32.dll",
    catalogue: include_str!("../nt4-exports.txt"),
    later_catalogue: include_str!("../later-exports.txt"),
    hooks: DllHooks {
        data_export: None,
        internal_thunk: Some(internal_thunk),
        process_attach: None,
        process_start: Some(procstart::process_start),
    },
    exports: exports![
        // lib.rs: objects, handles, waits, threads, processes, virtual memory
        CloseHandle,
        CreateEventA,
        CreateEventW,
        CreateMutexA,
        CreateMutexW,
        CreateProcessA,
        CreateProcessW,
        CreateRemoteThread,
        CreateSemaphoreA,
        CreateSemaphoreW,
        CreateThread,
        DuplicateHandle,
        ExitProcess,
        ExitThread,
        GetCurrentProcess,
        GetCurrentProcessId,
        GetCurrentThread,
        GetCurrentThreadId,
        GetExitCodeProcess,
        GetExitCodeThread,
        GetHandleInformation,
        GetLastError,
        GetProcessHandleCount,
        GetStdHandle,
        GetTickCount,
        OpenEventA,
        OpenEventW,
        OpenMutexA,
        OpenMutexW,
        OpenProcess,
        OpenSemaphoreA,
        OpenSemaphoreW,
        PulseEvent,
        ReadProcessMemory,
        ReleaseMutex,
        ReleaseSemaphore,
        ResetEvent,
        ResumeThread,
        SetEvent,
        SetHandleInformation,
        SetLastError,
        Sleep,
        SuspendThread,
        TerminateProcess,
        TerminateThread,
        VirtualAlloc,
        VirtualAllocEx,
        VirtualFree,
        VirtualFreeEx,
        VirtualProtect,
        VirtualProtectEx,
        VirtualQuery,
        VirtualQueryEx,
        WaitForMultipleObjects,
        WaitForSingleObject,
        WriteConsoleA,
        WriteProcessMemory,
        // startup.rs
        startup::GetVersion,
        startup::GetVersionExA,
        startup::GetCommandLineA,
        startup::GetStartupInfoA,
        startup::SetHandleCount,
        startup::GetFileType,
        startup::GetACP,
        startup::GetOEMCP,
        startup::GetCPInfo,
        startup::MultiByteToWideChar,
        startup::WideCharToMultiByte,
        startup::RtlFillMemory,
        startup::RtlZeroMemory,
        startup::RtlMoveMemory,
        // heap.rs: HeapAlloc, HeapFree, HeapReAlloc and HeapSize are NTDLL's, as NT 4.0
        // forwards them
        heap::GetProcessHeap,
        heap::GetProcessHeaps,
        heap::HeapCreate,
        heap::HeapDestroy,
        "HeapAlloc" => ntdll::heap_api::RtlAllocateHeap,
        "HeapFree" => ntdll::heap_api::RtlFreeHeap,
        "HeapReAlloc" => ntdll::heap_api::RtlReAllocateHeap,
        "HeapSize" => ntdll::heap_api::RtlSizeHeap,
        heap::HeapValidate,
        heap::HeapCompact,
        heap::HeapLock,
        heap::HeapUnlock,
        heap::HeapWalk,
        heap::HeapQueryInformation,
        heap::HeapSetInformation,
        // locale.rs
        locale::GetStringTypeW,
        locale::GetStringTypeA,
        locale::LCMapStringW,
        locale::LCMapStringA,
        locale::GetLocaleInfoA,
        locale::GetLocaleInfoW,
        locale::CompareStringA,
        locale::CompareStringW,
        // time.rs
        time::GetSystemTimeAsFileTime,
        time::GetSystemTime,
        time::GetLocalTime,
        time::GetTimeZoneInformation,
        time::QueryPerformanceCounter,
        time::QueryPerformanceFrequency,
        time::GetSystemInfo,
        // console_api.rs
        console_api::SetConsoleTitleA,
        console_api::SetConsoleTitleW,
        console_api::GetConsoleTitleA,
        console_api::GetConsoleScreenBufferInfo,
        console_api::SetConsoleCursorPosition,
        console_api::SetConsoleCursorInfo,
        console_api::GetConsoleCursorInfo,
        console_api::SetConsoleTextAttribute,
        console_api::FillConsoleOutputCharacterA,
        console_api::FillConsoleOutputCharacterW,
        console_api::FillConsoleOutputAttribute,
        console_api::CreateConsoleScreenBuffer,
        console_api::SetConsoleActiveScreenBuffer,
        console_api::GetConsoleMode,
        console_api::SetConsoleMode,
        console_api::ReadConsoleInputA,
        console_api::PeekConsoleInputA,
        console_api::GetNumberOfConsoleInputEvents,
        console_api::FlushConsoleInputBuffer,
        console_api::ReadConsoleOutputAttribute,
        console_api::ReadConsoleOutputCharacterA,
        console_api::WriteConsoleOutputAttribute,
        console_api::WriteConsoleOutputCharacterA,
        console_api::ReadConsoleOutputA,
        console_api::WriteConsoleOutputA,
        console_api::ScrollConsoleScreenBufferA,
        console_api::SetConsoleScreenBufferSize,
        console_api::SetConsoleWindowInfo,
        console_api::SetConsoleCtrlHandler,
        console_api::Beep,
        console_api::WriteConsoleW,
        console_api::ReadConsoleA,
        console_api::ReadConsoleW,
        console_api::ReadConsoleInputW,
        console_api::PeekConsoleInputW,
        console_api::WriteConsoleInputA,
        console_api::WriteConsoleInputW,
        console_api::GenerateConsoleCtrlEvent,
        console_api::OpenConsoleW,
        console_api::VerifyConsoleIoHandle,
        console_api::ReadConsoleOutputCharacterW,
        console_api::WriteConsoleOutputCharacterW,
        console_api::ReadConsoleOutputW,
        console_api::WriteConsoleOutputW,
        console_api::ScrollConsoleScreenBufferW,
        console_api::GetCurrentConsoleFont,
        console_api::GetConsoleFontSize,
        console_api::GetNumberOfConsoleMouseButtons,
        console_api::GetNumberOfConsoleFonts,
        console_api::SetConsoleFont,
        console_api::GetConsoleFontInfo,
        // Windows Vista's, which programs built for later Windows import
        console_api::GetCurrentConsoleFontEx,
        console_api::SetCurrentConsoleFontEx,
        console_api::GetConsoleScreenBufferInfoEx,
        console_api::SetConsoleScreenBufferInfoEx,
        console_api::GetConsoleInputExeNameA,
        console_api::GetConsoleInputExeNameW,
        console_api::SetConsoleInputExeNameA,
        console_api::SetConsoleInputExeNameW,
        startup::IsValidCodePage,
        console_api::GetLargestConsoleWindowSize,
        // file.rs
        file::CreateFileA,
        file::CreateFileW,
        file::ReadFile,
        file::SetFilePointer,
        file::SetEndOfFile,
        file::FlushFileBuffers,
        file::GetFileSize,
        file::GetFileAttributesA,
        file::GetFileAttributesW,
        file::DeleteFileA,
        file::DeleteFileW,
        file::MoveFileA,
        file::MoveFileW,
        file::GetCurrentDirectoryA,
        file::GetCurrentDirectoryW,
        file::SetCurrentDirectoryA,
        file::SetCurrentDirectoryW,
        file::FindFirstFileA,
        file::FindNextFileA,
        file::FindClose,
        file::GetFullPathNameA,
        file::CreateDirectoryA,
        file::CreateDirectoryW,
        file::RemoveDirectoryA,
        file::RemoveDirectoryW,
        file::SetStdHandle,
        file::WriteFile,
        file::SetFileAttributesA,
        file::SetFileAttributesW,
        file::MoveFileExA,
        file::MoveFileExW,
        file::GetFullPathNameW,
        file::FindFirstFileW,
        file::FindNextFileW,
        file::GetTempFileNameA,
        file::GetTempFileNameW,
        file::GetFileInformationByHandle,
        file::GetFileTime,
        file::SetFileTime,
        copyfile::CopyFileA,
        copyfile::CopyFileW,
        copyfile::CopyFileExA,
        copyfile::CopyFileExW,
        copyfile::__ntemu_k32_copy_resume,
        file::GetShortPathNameA,
        file::GetShortPathNameW,
        file::SearchPathA,
        file::SearchPathW,
        // lfile.rs: the Windows 3.x file functions
        lfile::_lcreat,
        lfile::_lopen,
        lfile::_lread,
        lfile::_hread,
        lfile::_lwrite,
        lfile::_hwrite,
        lfile::_llseek,
        lfile::_lclose,
        lfile::OpenFile,
        // fileinfo.rs (GetFileAttributesEx is NT 4.0's; the others Windows 2000's)
        fileinfo::GetFileAttributesExA,
        fileinfo::GetFileAttributesExW,
        fileinfo::GetFileSizeEx,
        fileinfo::ReplaceFileA,
        fileinfo::ReplaceFileW,
        fileinfo::CreateHardLinkA,
        fileinfo::CreateHardLinkW,
        fileinfo::GetLongPathNameA,
        fileinfo::GetLongPathNameW,
        // scatter.rs (NT 4.0 SP2)
        scatter::ReadFileScatter,
        scatter::WriteFileGather,
        // findfile.rs
        findfile::FindFirstFileExA,
        findfile::FindFirstFileExW,
        // filelock.rs
        filelock::LockFile,
        filelock::LockFileEx,
        filelock::UnlockFile,
        filelock::UnlockFileEx,
        // pipe.rs
        pipe::CreatePipe,
        pipe::PeekNamedPipe,
        // drive.rs
        drive::GetLogicalDrives,
        drive::GetLogicalDriveStringsA,
        drive::GetLogicalDriveStringsW,
        drive::GetDriveTypeA,
        drive::GetDriveTypeW,
        drive::GetVolumeInformationA,
        drive::GetVolumeInformationW,
        drive::GetDiskFreeSpaceA,
        drive::GetDiskFreeSpaceW,
        drive::GetDiskFreeSpaceExA,
        drive::GetDiskFreeSpaceExW,
        // environment.rs
        environment::GetEnvironmentStrings,
        environment::GetEnvironmentStringsA,
        environment::GetEnvironmentStringsW,
        environment::FreeEnvironmentStringsA,
        environment::FreeEnvironmentStringsW,
        environment::GetEnvironmentVariableA,
        environment::GetEnvironmentVariableW,
        environment::SetEnvironmentVariableA,
        environment::SetEnvironmentVariableW,
        environment::ExpandEnvironmentStringsA,
        environment::ExpandEnvironmentStringsW,
        // verify.rs (and Windows 2000's VerSetConditionMask, NTDLL's, which KERNEL32 exports too)
        "VerSetConditionMask" => ntdll::object::VerSetConditionMask,
        verify::VerifyVersionInfoA,
        verify::VerifyVersionInfoW,
        // change.rs
        change::FindFirstChangeNotificationA,
        change::FindFirstChangeNotificationW,
        change::FindNextChangeNotification,
        change::FindCloseChangeNotification,
        change::ReadDirectoryChangesW,
        // fiber.rs
        fiber::CreateFiber,
        fiber::ConvertThreadToFiber,
        fiber::SwitchToFiber,
        fiber::DeleteFiber,
        // nls.rs: locale identifiers, power status
        nls::GetThreadLocale,
        nls::SetThreadLocale,
        nls::GetUserDefaultLCID,
        nls::GetSystemDefaultLCID,
        nls::GetUserDefaultLangID,
        nls::GetSystemDefaultLangID,
        nls::GetUserDefaultUILanguage,
        nls::GetSystemDefaultUILanguage,
        nls::IsValidLocale,
        nls::ConvertDefaultLocale,
        nls::GetSystemPowerStatus,
        nls::GetCPInfoExA,
        nls::GetCPInfoExW,
        nls::IsDBCSLeadByteEx,
        // dosdev.rs: DOS device names
        dosdev::QueryDosDeviceA,
        dosdev::QueryDosDeviceW,
        dosdev::DefineDosDeviceA,
        dosdev::DefineDosDeviceW,
        dosdev::GetVolumeNameForVolumeMountPointA,
        dosdev::GetVolumeNameForVolumeMountPointW,
        // module.rs: Windows XP's GetModuleHandleEx (static imports only)
        module::GetModuleHandleExA,
        module::GetModuleHandleExW,
        // sync.rs
        sync::TlsAlloc,
        sync::TlsFree,
        sync::TlsGetValue,
        sync::TlsSetValue,
        sync::InitializeCriticalSection,
        sync::DeleteCriticalSection,
        sync::EnterCriticalSection,
        sync::LeaveCriticalSection,
        sync::TryEnterCriticalSection,
        sync::InterlockedIncrement,
        sync::InterlockedDecrement,
        sync::InterlockedExchange,
        sync::InterlockedExchangeAdd,
        sync::InterlockedCompareExchange,
        // global.rs: moveable memory and its handle table
        global::GlobalAlloc,
        global::GlobalFree,
        global::GlobalSize,
        global::GlobalLock,
        global::GlobalUnlock,
        global::GlobalFlags,
        global::GlobalHandle,
        global::GlobalReAlloc,
        global::GlobalDiscard,
        global::GlobalCompact,
        global::GlobalFix,
        global::GlobalUnfix,
        global::GlobalWire,
        global::GlobalUnWire,
        global::LocalAlloc,
        global::LocalFree,
        global::LocalSize,
        global::LocalLock,
        global::LocalUnlock,
        global::LocalFlags,
        global::LocalHandle,
        global::LocalReAlloc,
        global::LocalShrink,
        "LocalCompact" => global::GlobalCompact,
        // module.rs
        module::LoadLibraryA,
        module::LoadLibraryW,
        module::LoadLibraryExA,
        module::LoadLibraryExW,
        module::GetModuleHandleA,
        module::GetModuleHandleW,
        module::GetProcAddress,
        module::GetModuleFileNameA,
        module::GetModuleFileNameW,
        module::FreeLibrary,
        module::DisableThreadLibraryCalls,
        // resource.rs: resources of mapped images
        resource::FindResourceA,
        resource::FindResourceW,
        resource::FindResourceExA,
        resource::FindResourceExW,
        resource::LoadResource,
        resource::LockResource,
        resource::SizeofResource,
        resource::FreeResource,
        resource::EnumResourceTypesA,
        resource::EnumResourceTypesW,
        resource::EnumResourceNamesA,
        resource::EnumResourceNamesW,
        resource::EnumResourceLanguagesA,
        resource::EnumResourceLanguagesW,
        // debugapi.rs: the Win32 debugging API
        debugapi::DebugActiveProcess,
        debugapi::WaitForDebugEvent,
        debugapi::ContinueDebugEvent,
        debugapi::IsDebuggerPresent,
        debugapi::DebugBreak,
        // NTDLL's exception dispatch, exported by KERNEL32 as on NT
        ntdll::seh::RaiseException,
        ntdll::seh::RtlUnwind,
        ntdll::seh::RtlUnwindRfp,
        ntdll::seh::RtlLookupFunctionEntry,
        ntdll::seh::UnhandledExceptionFilter,
        ntdll::seh::SetUnhandledExceptionFilter,
        // processor.rs
        processor::IsProcessorFeaturePresent,
        // startup.rs: the Unicode start-up functions
        startup::GetCommandLineW,
        startup::GetStartupInfoW,
        startup::GetVersionExW,
        // timeconv.rs
        timeconv::FileTimeToLocalFileTime,
        timeconv::LocalFileTimeToFileTime,
        timeconv::FileTimeToSystemTime,
        timeconv::SystemTimeToFileTime,
        timeconv::SystemTimeToTzSpecificLocalTime,
        timeconv::FileTimeToDosDateTime,
        timeconv::DosDateTimeToFileTime,
        timeconv::CompareFileTime,
        timeconv::SetSystemTime,
        timeconv::SetLocalTime,
        // errormode.rs
        errormode::SetErrorMode,
        errormode::SetFileApisToOEM,
        errormode::SetFileApisToANSI,
        errormode::AreFileApisANSI,
        // console_api.rs: console allocation and code pages
        console_api::AllocConsole,
        console_api::FreeConsole,
        console_api::GetConsoleCP,
        console_api::SetConsoleCP,
        console_api::GetConsoleOutputCP,
        console_api::SetConsoleOutputCP,
        console_api::GetConsoleWindow,
        console_api::AttachConsole,
        console_api::GetConsoleOriginalTitleA,
        console_api::GetConsoleOriginalTitleW,
        console_api::GetConsoleTitleW,
        // atom.rs
        atom::AddAtomA,
        atom::AddAtomW,
        atom::FindAtomA,
        atom::FindAtomW,
        atom::DeleteAtom,
        atom::GetAtomNameA,
        atom::GetAtomNameW,
        atom::InitAtomTable,
        atom::GlobalAddAtomA,
        atom::GlobalAddAtomW,
        atom::GlobalFindAtomA,
        atom::GlobalFindAtomW,
        atom::GlobalDeleteAtom,
        atom::GlobalGetAtomNameA,
        atom::GlobalGetAtomNameW,
        // sysinfo.rs
        sysinfo::GetWindowsDirectoryA,
        sysinfo::GetWindowsDirectoryW,
        sysinfo::GetSystemDirectoryA,
        sysinfo::GetSystemDirectoryW,
        sysinfo::GetTempPathA,
        sysinfo::GetTempPathW,
        sysinfo::GetComputerNameA,
        sysinfo::GetComputerNameW,
        sysinfo::GlobalMemoryStatus,
        // lstring.rs: the undecorated names are NT 4.0's aliases of the A forms
        lstring::lstrlenA,
        lstring::lstrlenW,
        "lstrlen" => lstring::lstrlenA,
        lstring::lstrcpyA,
        lstring::lstrcpyW,
        "lstrcpy" => lstring::lstrcpyA,
        lstring::lstrcpynA,
        lstring::lstrcpynW,
        "lstrcpyn" => lstring::lstrcpynA,
        lstring::lstrcatA,
        lstring::lstrcatW,
        "lstrcat" => lstring::lstrcatA,
        lstring::lstrcmpA,
        lstring::lstrcmpW,
        "lstrcmp" => lstring::lstrcmpA,
        lstring::lstrcmpiA,
        lstring::lstrcmpiW,
        "lstrcmpi" => lstring::lstrcmpiA,
        // message.rs
        message::FormatMessageA,
        message::FormatMessageW,
        // memcheck.rs
        memcheck::IsBadReadPtr,
        memcheck::IsBadHugeReadPtr,
        memcheck::IsBadWritePtr,
        memcheck::IsBadHugeWritePtr,
        memcheck::IsBadCodePtr,
        memcheck::IsBadStringPtrA,
        memcheck::IsBadStringPtrW,
        // debugstr.rs
        debugstr::OutputDebugStringA,
        debugstr::OutputDebugStringW,
        // sync.rs: spin counts (NT 4.0 SP3)
        sync::InitializeCriticalSectionAndSpinCount,
        sync::SetCriticalSectionSpinCount,
        // exec.rs: GetBinaryType is NT 4.0's alias of GetBinaryTypeA
        exec::WinExec,
        exec::GetBinaryTypeA,
        exec::GetBinaryTypeW,
        "GetBinaryType" => exec::GetBinaryTypeA,
        // profile.rs: .ini files
        profile::GetPrivateProfileIntA,
        profile::GetPrivateProfileIntW,
        profile::GetPrivateProfileSectionA,
        profile::GetPrivateProfileSectionNamesA,
        profile::GetPrivateProfileSectionNamesW,
        profile::GetPrivateProfileSectionW,
        profile::GetPrivateProfileStringA,
        profile::GetPrivateProfileStringW,
        profile::GetProfileIntA,
        profile::GetProfileIntW,
        profile::GetProfileSectionA,
        profile::GetProfileSectionW,
        profile::GetProfileStringA,
        profile::GetProfileStringW,
        profile::WritePrivateProfileSectionA,
        profile::WritePrivateProfileSectionW,
        profile::WritePrivateProfileStringA,
        profile::WritePrivateProfileStringW,
        profile::WriteProfileSectionA,
        profile::WriteProfileSectionW,
        profile::WriteProfileStringA,
        profile::WriteProfileStringW,
        // procthread.rs: priorities, affinity, times, contexts (OpenThread and GetProcessId
        // are Windows 2000 and XP, for static imports only)
        procthread::GetThreadPriority,
        procthread::SetThreadPriority,
        procthread::GetThreadPriorityBoost,
        procthread::SetThreadPriorityBoost,
        procthread::GetPriorityClass,
        procthread::SetPriorityClass,
        procthread::GetProcessPriorityBoost,
        procthread::SetProcessPriorityBoost,
        procthread::GetProcessAffinityMask,
        procthread::SetProcessAffinityMask,
        procthread::SetThreadAffinityMask,
        procthread::SetThreadIdealProcessor,
        procthread::GetProcessTimes,
        procthread::GetThreadTimes,
        procthread::GetThreadContext,
        procthread::SetThreadContext,
        procthread::GetThreadSelectorEntry,
        procthread::GetProcessVersion,
        procthread::GetProcessWorkingSetSize,
        procthread::SetProcessWorkingSetSize,
        procthread::OpenThread,
        procthread::GetProcessId,
        procthread::ProcessIdToSessionId,
        procthread::WTSGetActiveConsoleSessionId,
        // ntfile.rs (Windows Vista, static imports only)
        ntfile::GetFileInformationByHandleEx,
        // procattr.rs: Windows Vista's process-thread attribute lists (later-exports.txt)
        procattr::InitializeProcThreadAttributeList,
        procattr::UpdateProcThreadAttribute,
        procattr::DeleteProcThreadAttributeList,
        // toolhelp.rs: Windows 2000's Tool Help snapshots (later-exports.txt)
        toolhelp::CreateToolhelp32Snapshot,
        toolhelp::Process32First,
        toolhelp::Process32Next,
        toolhelp::Process32FirstW,
        toolhelp::Process32NextW,
        toolhelp::Thread32First,
        toolhelp::Thread32Next,
        toolhelp::Module32First,
        toolhelp::Module32Next,
        toolhelp::Module32FirstW,
        toolhelp::Module32NextW,
        // memstatus.rs (Windows 2000, static imports only)
        memstatus::GlobalMemoryStatusEx,
        // actctx.rs (Windows XP, static imports only: no context can be made)
        actctx::CreateActCtxA,
        actctx::CreateActCtxW,
        actctx::GetCurrentActCtx,
        actctx::ActivateActCtx,
        actctx::DeactivateActCtx,
        actctx::AddRefActCtx,
        actctx::ReleaseActCtx,
        // waits.rs: alertable waits and user APCs
        waits::WaitForSingleObjectEx,
        waits::WaitForMultipleObjectsEx,
        waits::SleepEx,
        waits::SignalObjectAndWait,
        waits::QueueUserAPC,
        waits::SwitchToThread,
        // timers.rs: waitable timers
        timers::CreateWaitableTimerA,
        timers::CreateWaitableTimerW,
        timers::OpenWaitableTimerA,
        timers::OpenWaitableTimerW,
        timers::SetWaitableTimer,
        timers::CancelWaitableTimer,
        // slist.rs: Windows XP's interlocked lists, for static imports only
        slist::InitializeSListHead,
        slist::InterlockedPushEntrySList,
        slist::InterlockedPopEntrySList,
        slist::InterlockedFlushSList,
        slist::QueryDepthSList,
        // timerqueue.rs: Windows 2000's timer queues, for static imports only
        timerqueue::CreateTimerQueue,
        timerqueue::CreateTimerQueueTimer,
        timerqueue::ChangeTimerQueueTimer,
        timerqueue::DeleteTimerQueueTimer,
        timerqueue::DeleteTimerQueueEx,
        timerqueue::DeleteTimerQueue,
        // regwait.rs: Windows 2000's registered waits (static imports only)
        regwait::RegisterWaitForSingleObject,
        regwait::RegisterWaitForSingleObjectEx,
        regwait::UnregisterWait,
        regwait::UnregisterWaitEx,
        // namedpipe.rs
        // mailslot.rs: mailslots
        mailslot::CreateMailslotA,
        mailslot::CreateMailslotW,
        mailslot::GetMailslotInfo,
        mailslot::SetMailslotInfo,
        // mapping.rs: file mappings
        mapping::CreateFileMappingA,
        mapping::CreateFileMappingW,
        mapping::OpenFileMappingA,
        mapping::OpenFileMappingW,
        mapping::MapViewOfFile,
        mapping::MapViewOfFileEx,
        mapping::UnmapViewOfFile,
        mapping::FlushViewOfFile,
        memlock::VirtualLock,
        memlock::VirtualUnlock,
        namedpipe::CreateNamedPipeA,
        namedpipe::CreateNamedPipeW,
        namedpipe::ConnectNamedPipe,
        namedpipe::DisconnectNamedPipe,
        namedpipe::WaitNamedPipeA,
        namedpipe::WaitNamedPipeW,
        namedpipe::TransactNamedPipe,
        namedpipe::CallNamedPipeA,
        namedpipe::CallNamedPipeW,
        namedpipe::GetNamedPipeInfo,
        namedpipe::GetNamedPipeHandleStateA,
        namedpipe::GetNamedPipeHandleStateW,
        namedpipe::SetNamedPipeHandleState,
        // overlapped.rs: overlapped I/O and completion ports
        overlapped::CancelIo,
        overlapped::GetOverlappedResult,
        overlapped::CreateIoCompletionPort,
        overlapped::GetQueuedCompletionStatus,
        overlapped::PostQueuedCompletionStatus,
        overlapped::ReadFileEx,
        overlapped::WriteFileEx,
    ],
};

fn ok(value: u32) -> ApiReturn {
    ApiReturn::Value(value)
}

fn boolean(b: bool) -> ApiReturn {
    ApiReturn::Value(u32::from(b))
}

/// Fails on a guest pointer the call could not read or write: ERROR_NOACCESS.
fn bad_pointer(call: &mut ApiCall<'_>) -> ApiReturn {
    call.fail(NtStatus::ACCESS_VIOLATION)
}

fn object_failure(call: &mut ApiCall<'_>, e: ObjectError) -> ApiReturn {
    call.fail(e.status())
}

fn kernel_failure(call: &mut ApiCall<'_>, e: KernelError) -> ApiReturn {
    call.fail(e.status())
}

/// SECURITY_ATTRIBUTES.bInheritHandle, or false for NULL.
fn inherit_from_security_attributes(call: &ApiCall<'_>, sa: u32) -> Result<bool, nt_memory::Fault> {
    if sa == 0 {
        return Ok(false);
    }
    Ok(call.read_u32(sa.wrapping_add(8))? != 0)
}

fn attributes(inherit: bool) -> HandleAttributes {
    if inherit {
        HandleAttributes::INHERIT
    } else {
        HandleAttributes::NONE
    }
}

fn owner(call: &ApiCall<'_>) -> OwnerThread {
    OwnerThread(call.thread.thread)
}

/// Checks an optional object or file name: None for NULL or "". A name longer than MAX_PATH
/// characters is ERROR_FILENAME_EXCED_RANGE, as kernel32's conversion through the TEB's
/// static buffer makes it, never silently cut.
fn optional_name<'s>(
    call: &mut ApiCall<'_>,
    name: Option<&'s str>,
) -> Result<Option<&'s str>, ApiReturn> {
    let Some(name) = name else {
        return Ok(None);
    };
    if name.chars().count() > MAX_PATH {
        return Err(call.fail_win32(Win32Error::FILENAME_EXCED_RANGE, 0));
    }
    Ok(if name.is_empty() { None } else { Some(name) })
}

fn insert(
    call: &mut ApiCall<'_>,
    object: &Arc<Object>,
    access: AccessMask,
    inherit: bool,
) -> Result<Handle, ObjectError> {
    let table = call
        .process_mut()
        .ok_or(ObjectError::InvalidHandle)?
        .handle_table_mut();
    table.insert(
        object,
        object.object_type().map_access(access),
        attributes(inherit),
    )
}

/// The create-or-open shared by CreateEvent, CreateMutex, CreateSemaphore and
/// CreateWaitableTimer (A and W).
pub(crate) fn create_dispatcher_object(
    call: &mut ApiCall<'_>,
    sa: Ptr,
    name: Option<&str>,
    spec: NamedObjectSpec,
    access: AccessMask,
) -> ApiReturn {
    let Ok(inherit) = inherit_from_security_attributes(call, sa.0) else {
        return bad_pointer(call);
    };
    let name = match optional_name(call, name) {
        Ok(n) => n,
        Err(failed) => return failed,
    };
    let objects = call.machine.objects().clone();
    let result = match name {
        Some(name) => match call.process_mut() {
            Some(p) => objects
                .create_named(
                    p.handle_table_mut(),
                    name,
                    spec,
                    access,
                    attributes(inherit),
                )
                .map(|c| (c.handle, c.existed)),
            None => Err(ObjectError::InvalidHandle),
        },
        None => {
            let object = match spec {
                NamedObjectSpec::Event {
                    event_type,
                    initial_state,
                } => Ok(objects.create_event(event_type, initial_state)),
                NamedObjectSpec::Mutant { initial_owner } => {
                    Ok(objects.create_mutant(initial_owner))
                }
                NamedObjectSpec::Semaphore {
                    initial_count,
                    maximum_count,
                } => objects.create_semaphore(initial_count, maximum_count),
                NamedObjectSpec::Timer { timer_type } => Ok(objects.create_timer(timer_type)),
            };
            object
                .and_then(|o| insert(call, &o, access, inherit))
                .map(|h| (h, false))
        }
    };
    match result {
        Ok((handle, existed)) => {
            call.set_last_error(if existed {
                Win32Error::ALREADY_EXISTS.0
            } else {
                0
            });
            ok(handle.0)
        }
        Err(e) => object_failure(call, e),
    }
}

fn event_spec(manual_reset: bool, initial_state: bool) -> NamedObjectSpec {
    NamedObjectSpec::Event {
        event_type: if manual_reset {
            EventType::Notification
        } else {
            EventType::Synchronization
        },
        initial_state,
    }
}

/// CreateEventA(lpEventAttributes, bManualReset, bInitialState, lpName): a new event, or
/// the existing one of that name (ERROR_ALREADY_EXISTS).
#[export]
fn CreateEventA(
    call: &mut ApiCall<'_>,
    lpEventAttributes: Ptr,
    bManualReset: bool,
    bInitialState: bool,
    lpName: Option<AnsiStr>,
) -> ApiReturn {
    let spec = event_spec(bManualReset, bInitialState);
    create_dispatcher_object(
        call,
        lpEventAttributes,
        lpName.as_deref(),
        spec,
        AccessMask::EVENT_ALL_ACCESS,
    )
}

/// CreateEventW(lpEventAttributes, bManualReset, bInitialState, lpName).
#[export]
fn CreateEventW(
    call: &mut ApiCall<'_>,
    lpEventAttributes: Ptr,
    bManualReset: bool,
    bInitialState: bool,
    lpName: Option<WideStr>,
) -> ApiReturn {
    let spec = event_spec(bManualReset, bInitialState);
    create_dispatcher_object(
        call,
        lpEventAttributes,
        lpName.as_deref(),
        spec,
        AccessMask::EVENT_ALL_ACCESS,
    )
}

/// CreateMutexA(lpMutexAttributes, bInitialOwner, lpName).
#[export]
fn CreateMutexA(
    call: &mut ApiCall<'_>,
    lpMutexAttributes: Ptr,
    bInitialOwner: bool,
    lpName: Option<AnsiStr>,
) -> ApiReturn {
    let spec = NamedObjectSpec::Mutant {
        initial_owner: bInitialOwner.then(|| owner(call)),
    };
    create_dispatcher_object(
        call,
        lpMutexAttributes,
        lpName.as_deref(),
        spec,
        AccessMask::MUTANT_ALL_ACCESS,
    )
}

/// CreateMutexW(lpMutexAttributes, bInitialOwner, lpName).
#[export]
fn CreateMutexW(
    call: &mut ApiCall<'_>,
    lpMutexAttributes: Ptr,
    bInitialOwner: bool,
    lpName: Option<WideStr>,
) -> ApiReturn {
    let spec = NamedObjectSpec::Mutant {
        initial_owner: bInitialOwner.then(|| owner(call)),
    };
    create_dispatcher_object(
        call,
        lpMutexAttributes,
        lpName.as_deref(),
        spec,
        AccessMask::MUTANT_ALL_ACCESS,
    )
}

/// CreateSemaphoreA(lpSemaphoreAttributes, lInitialCount, lMaximumCount, lpName).
#[export]
fn CreateSemaphoreA(
    call: &mut ApiCall<'_>,
    lpSemaphoreAttributes: Ptr,
    lInitialCount: i32,
    lMaximumCount: i32,
    lpName: Option<AnsiStr>,
) -> ApiReturn {
    let spec = NamedObjectSpec::Semaphore {
        initial_count: lInitialCount,
        maximum_count: lMaximumCount,
    };
    create_dispatcher_object(
        call,
        lpSemaphoreAttributes,
        lpName.as_deref(),
        spec,
        AccessMask::SEMAPHORE_ALL_ACCESS,
    )
}

/// CreateSemaphoreW(lpSemaphoreAttributes, lInitialCount, lMaximumCount, lpName).
#[export]
fn CreateSemaphoreW(
    call: &mut ApiCall<'_>,
    lpSemaphoreAttributes: Ptr,
    lInitialCount: i32,
    lMaximumCount: i32,
    lpName: Option<WideStr>,
) -> ApiReturn {
    let spec = NamedObjectSpec::Semaphore {
        initial_count: lInitialCount,
        maximum_count: lMaximumCount,
    };
    create_dispatcher_object(
        call,
        lpSemaphoreAttributes,
        lpName.as_deref(),
        spec,
        AccessMask::SEMAPHORE_ALL_ACCESS,
    )
}

/// The open shared by OpenEvent, OpenMutex, OpenSemaphore and OpenWaitableTimer (A and W).
pub(crate) fn open_named(
    call: &mut ApiCall<'_>,
    object_type: ObjectType,
    access: AccessMask,
    inherit: bool,
    name: Option<&str>,
) -> ApiReturn {
    let name = match optional_name(call, name) {
        Ok(Some(n)) => n,
        Ok(None) => return call.fail(NtStatus::INVALID_PARAMETER),
        Err(failed) => return failed,
    };
    let objects = call.machine.objects().clone();
    let result = match call.process_mut() {
        Some(p) => objects.open_named(
            p.handle_table_mut(),
            name,
            object_type,
            access,
            attributes(inherit),
        ),
        None => Err(ObjectError::InvalidHandle),
    };
    match result {
        Ok(h) => ok(h.0),
        Err(e) => object_failure(call, e),
    }
}

/// OpenEventA(dwDesiredAccess, bInheritHandle, lpName).
#[export]
fn OpenEventA(
    call: &mut ApiCall<'_>,
    dwDesiredAccess: AccessMask,
    bInheritHandle: bool,
    lpName: Option<AnsiStr>,
) -> ApiReturn {
    open_named(
        call,
        ObjectType::Event,
        dwDesiredAccess,
        bInheritHandle,
        lpName.as_deref(),
    )
}

/// OpenEventW(dwDesiredAccess, bInheritHandle, lpName).
#[export]
fn OpenEventW(
    call: &mut ApiCall<'_>,
    dwDesiredAccess: AccessMask,
    bInheritHandle: bool,
    lpName: Option<WideStr>,
) -> ApiReturn {
    open_named(
        call,
        ObjectType::Event,
        dwDesiredAccess,
        bInheritHandle,
        lpName.as_deref(),
    )
}

/// OpenMutexA(dwDesiredAccess, bInheritHandle, lpName).
#[export]
fn OpenMutexA(
    call: &mut ApiCall<'_>,
    dwDesiredAccess: AccessMask,
    bInheritHandle: bool,
    lpName: Option<AnsiStr>,
) -> ApiReturn {
    open_named(
        call,
        ObjectType::Mutant,
        dwDesiredAccess,
        bInheritHandle,
        lpName.as_deref(),
    )
}

/// OpenMutexW(dwDesiredAccess, bInheritHandle, lpName).
#[export]
fn OpenMutexW(
    call: &mut ApiCall<'_>,
    dwDesiredAccess: AccessMask,
    bInheritHandle: bool,
    lpName: Option<WideStr>,
) -> ApiReturn {
    open_named(
        call,
        ObjectType::Mutant,
        dwDesiredAccess,
        bInheritHandle,
        lpName.as_deref(),
    )
}

/// OpenSemaphoreA(dwDesiredAccess, bInheritHandle, lpName).
#[export]
fn OpenSemaphoreA(
    call: &mut ApiCall<'_>,
    dwDesiredAccess: AccessMask,
    bInheritHandle: bool,
    lpName: Option<AnsiStr>,
) -> ApiReturn {
    open_named(
        call,
        ObjectType::Semaphore,
        dwDesiredAccess,
        bInheritHandle,
        lpName.as_deref(),
    )
}

/// OpenSemaphoreW(dwDesiredAccess, bInheritHandle, lpName).
#[export]
fn OpenSemaphoreW(
    call: &mut ApiCall<'_>,
    dwDesiredAccess: AccessMask,
    bInheritHandle: bool,
    lpName: Option<WideStr>,
) -> ApiReturn {
    open_named(
        call,
        ObjectType::Semaphore,
        dwDesiredAccess,
        bInheritHandle,
        lpName.as_deref(),
    )
}

fn with_object(
    call: &mut ApiCall<'_>,
    handle: Handle,
    access: AccessMask,
    object_type: ObjectType,
    f: impl FnOnce(&Object) -> Result<u32, ObjectError>,
) -> ApiReturn {
    match call
        .reference(handle, access, Some(object_type))
        .and_then(|o| f(&o))
    {
        Ok(v) => ok(v),
        Err(e) => object_failure(call, e),
    }
}

/// SetEvent(hEvent).
#[export]
fn SetEvent(call: &mut ApiCall<'_>, hEvent: Handle) -> ApiReturn {
    with_object(
        call,
        hEvent,
        AccessMask::EVENT_MODIFY_STATE,
        ObjectType::Event,
        |o| o.set_event().map(|_| 1),
    )
}

/// ResetEvent(hEvent).
#[export]
fn ResetEvent(call: &mut ApiCall<'_>, hEvent: Handle) -> ApiReturn {
    with_object(
        call,
        hEvent,
        AccessMask::EVENT_MODIFY_STATE,
        ObjectType::Event,
        |o| o.reset_event().map(|_| 1),
    )
}

/// PulseEvent(hEvent).
#[export]
fn PulseEvent(call: &mut ApiCall<'_>, hEvent: Handle) -> ApiReturn {
    with_object(
        call,
        hEvent,
        AccessMask::EVENT_MODIFY_STATE,
        ObjectType::Event,
        |o| o.pulse_event().map(|_| 1),
    )
}

/// ReleaseMutex(hMutex): only the owner may release.
#[export]
fn ReleaseMutex(call: &mut ApiCall<'_>, hMutex: Handle) -> ApiReturn {
    let me = owner(call);
    with_object(call, hMutex, AccessMask(0), ObjectType::Mutant, |o| {
        o.release_mutant(me).map(|_| 1)
    })
}

/// ReleaseSemaphore(hSemaphore, lReleaseCount, lpPreviousCount).
#[export]
fn ReleaseSemaphore(
    call: &mut ApiCall<'_>,
    hSemaphore: Handle,
    lReleaseCount: i32,
    lpPreviousCount: Ptr,
) -> ApiReturn {
    if call.probe_optional(lpPreviousCount.0, 4).is_err() {
        return bad_pointer(call);
    }
    let result = call
        .reference(
            hSemaphore,
            AccessMask::SEMAPHORE_MODIFY_STATE,
            Some(ObjectType::Semaphore),
        )
        .and_then(|o| o.release_semaphore(lReleaseCount));
    match result {
        Ok(previous) => match call.write_out_u32(lpPreviousCount.0, previous) {
            Ok(()) => ok(1),
            Err(_) => bad_pointer(call),
        },
        Err(e) => object_failure(call, e),
    }
}

/// CloseHandle(hObject): pseudo-handles close successfully and stay; console handles close
/// in the console.
#[export]
fn CloseHandle(call: &mut ApiCall<'_>, hObject: Handle) -> ApiReturn {
    if hObject.is_pseudo() {
        return ok(1);
    }
    match call.close_handle(hObject) {
        Ok(()) => {
            // A pipe end that went completes what waited on it.
            namedpipe::flush_deferred(call);
            // A directory handle's waiting ReadDirectoryChangesW completes; a file closed
            // (written, deleted on close) is a change.
            change::after_close(call);
            change::touched(call);
            ok(1)
        }
        Err(e) => object_failure(call, e),
    }
}

/// DuplicateHandle(hSourceProcessHandle, hSourceHandle, hTargetProcessHandle,
/// lpTargetHandle, dwDesiredAccess, bInheritHandle, dwOptions).
#[export]
fn DuplicateHandle(
    call: &mut ApiCall<'_>,
    hSourceProcessHandle: Handle,
    hSourceHandle: Handle,
    hTargetProcessHandle: Handle,
    lpTargetHandle: Ptr,
    dwDesiredAccess: AccessMask,
    bInheritHandle: bool,
    dwOptions: DuplicateOptions,
) -> ApiReturn {
    let (src_proc, src, dst_proc, out) = (
        hSourceProcessHandle,
        hSourceHandle,
        hTargetProcessHandle,
        lpTargetHandle.0,
    );
    let (access, inherit, options) = (dwDesiredAccess, bInheritHandle, dwOptions);
    let caller = call.thread;
    if call.probe_optional(out, 4).is_err() {
        return bad_pointer(call);
    }
    let resolve = |call: &ApiCall<'_>, h: Handle| {
        call.machine
            .reference_process(caller.process, h, AccessMask::PROCESS_DUP_HANDLE)
    };
    let source_pid = match resolve(call, src_proc) {
        Ok(p) => p,
        Err(e) => return kernel_failure(call, e),
    };
    let target_pid = match resolve(call, dst_proc) {
        Ok(p) => p,
        Err(e) => {
            // DUPLICATE_CLOSE_SOURCE closes the source whatever else fails.
            if options.0 & DuplicateOptions::CLOSE_SOURCE.0 != 0
                && !src.is_pseudo()
                && let Some(p) = call.machine.process_mut(source_pid)
            {
                let _ = p.handle_table_mut().close(src);
            }
            return kernel_failure(call, e);
        }
    };
    match call.machine.duplicate_handle(
        caller,
        source_pid,
        src,
        target_pid,
        access,
        attributes(inherit),
        options,
    ) {
        Ok(h) => match call.write_out_u32(out, h.0) {
            Ok(()) => ok(1),
            Err(_) => bad_pointer(call),
        },
        Err(e) => kernel_failure(call, e),
    }
}

/// GetHandleInformation(hObject, lpdwFlags).
#[export]
fn GetHandleInformation(call: &mut ApiCall<'_>, hObject: Handle, lpdwFlags: Ptr) -> ApiReturn {
    let result = match call.process() {
        Some(p) => p.handle_table().information(hObject),
        None => Err(ObjectError::InvalidHandle),
    };
    match result {
        Ok(flags) => match call.write_u32(lpdwFlags.0, flags.0) {
            Ok(()) => ok(1),
            Err(_) => bad_pointer(call),
        },
        Err(e) => object_failure(call, e),
    }
}

/// SetHandleInformation(hObject, dwMask, dwFlags).
#[export]
fn SetHandleInformation(
    call: &mut ApiCall<'_>,
    hObject: Handle,
    dwMask: HandleAttributes,
    dwFlags: HandleAttributes,
) -> ApiReturn {
    let result = match call.process_mut() {
        Some(p) => p
            .handle_table_mut()
            .set_information(hObject, dwMask, dwFlags),
        None => Err(ObjectError::InvalidHandle),
    };
    match result {
        Ok(()) => ok(1),
        Err(e) => object_failure(call, e),
    }
}

/// GetLastError(): the calling thread's last error.
#[export]
fn GetLastError(call: &mut ApiCall<'_>) -> u32 {
    call.last_error()
}

/// SetLastError(dwErrCode).
#[export]
fn SetLastError(call: &mut ApiCall<'_>, dwErrCode: u32) {
    call.set_last_error(dwErrCode);
}

/// The process's standard handle `which` (0 input, 1 output, 2 error), made on first use
/// (also for the C runtime's descriptors 0, 1 and 2).
pub fn std_handle(call: &mut ApiCall<'_>, which: usize) -> Result<Handle, ObjectError> {
    let pid = call.thread.process;
    let process_object = call.process_object().ok_or(ObjectError::InvalidHandle)?;
    if let Some(handles) = call.state.k32().std_handles.get(pid, &process_object) {
        return Ok(handles[which]);
    }
    let handles = open_console_handles(call)?;
    call.state
        .k32()
        .std_handles
        .insert(pid, &process_object, handles);
    // The host's stdout redirected to a file or pipe: this standard output is that file's.
    if call.state.k32().std_file_types[1] != startup::FILE_TYPE_CHAR
        && let Ok(object) = call.reference(handles[1], AccessMask(0), Some(ObjectType::File))
    {
        let redirected = &mut call.state.k32().redirected_outputs;
        redirected.retain(|w| w.strong_count() > 0);
        redirected.push(Arc::downgrade(&object));
    }
    Ok(handles[which])
}

/// Three new console handles of the calling process: the console input, output and error.
pub(crate) fn open_console_handles(call: &mut ApiCall<'_>) -> Result<[Handle; 3], ObjectError> {
    let objects = call.machine.objects().clone();
    let mut handles = [Handle::NULL; 3];
    for (i, file) in [HostFile::Input, HostFile::Output, HostFile::Error]
        .into_iter()
        .enumerate()
    {
        // Console handles, as NT's console gives them: 3, 7 and 0xB, outside the
        // process's handle table.
        let inserted = objects
            .create_executive_object(ObjectType::File, Box::new(file))
            .and_then(|object| {
                call.insert_console_handle(
                    &object,
                    AccessMask::GENERIC_READ | AccessMask::GENERIC_WRITE,
                )
            });
        match inserted {
            Ok(h) => handles[i] = h,
            Err(e) => {
                // All three or none.
                for h in &handles[..i] {
                    let _ = call.close_handle(*h);
                }
                return Err(e);
            }
        }
    }
    Ok(handles)
}

/// GetStdHandle(nStdHandle): the console handles, made on first use.
#[export]
fn GetStdHandle(call: &mut ApiCall<'_>, nStdHandle: u32) -> ApiReturn {
    let which = match nStdHandle {
        STD_INPUT_HANDLE => 0,
        STD_OUTPUT_HANDLE => 1,
        STD_ERROR_HANDLE => 2,
        _ => return call.fail_win32(Win32Error::INVALID_HANDLE, INVALID_HANDLE_VALUE),
    };
    match std_handle(call, which) {
        Ok(h) => ok(h.0),
        Err(e) => {
            call.set_last_error(e.win32_error().0);
            ok(INVALID_HANDLE_VALUE)
        }
    }
}

/// WriteFile (`stream`: the bytes also go to the host's stdout or stderr, as a redirected
/// handle's would) or WriteConsoleA (the console's screen buffer only) on a console handle.
fn write_to_handle(
    call: &mut ApiCall<'_>,
    handle: Handle,
    buffer: u32,
    length: u32,
    written_ptr: u32,
    stream: bool,
) -> ApiReturn {
    let file = match call.reference(handle, AccessMask(0x2), Some(ObjectType::File)) {
        Ok(o) => o,
        Err(e) => return object_failure(call, e),
    };
    let Some(&target) = file.payload::<HostFile>() else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    if target == HostFile::Input {
        return call.fail(NtStatus::ACCESS_DENIED);
    }
    // The whole buffer must be readable before a byte is written (NT probes it first); the
    // copy then goes in bounded chunks, whatever length the guest claims.
    let chunks = || {
        (0..length)
            .step_by(COPY_CHUNK)
            .map(move |at| (at, (length - at).min(COPY_CHUNK as u32)))
    };
    for (at, len) in chunks() {
        if call
            .read_bytes(buffer.wrapping_add(at), len as usize)
            .is_err()
        {
            return bad_pointer(call);
        }
    }
    if call.probe_optional(written_ptr, 4).is_err() {
        return bad_pointer(call);
    }
    let redirected = stream && redirected_output(call, &file);
    for (at, len) in chunks() {
        let Ok(bytes) = call.read_bytes(buffer.wrapping_add(at), len as usize) else {
            return bad_pointer(call);
        };
        if let Err(status) = write_console_bytes(call, target, &bytes, stream, redirected) {
            return call.fail(status);
        }
    }
    match call.write_out_u32(written_ptr, length) {
        Ok(()) => ok(1),
        Err(_) => bad_pointer(call),
    }
}

/// True when `file` is a standard output the host redirected to a file or pipe.
pub(crate) fn redirected_output(call: &mut ApiCall<'_>, file: &Arc<Object>) -> bool {
    file.payload::<HostFile>() == Some(&HostFile::Output)
        && call
            .state
            .k32()
            .redirected_outputs
            .iter()
            .any(|w| std::ptr::eq(w.as_ptr(), Arc::as_ptr(file)))
}

/// Writes `data` to a console handle's target: the screen buffer it names and, with
/// `stream` (WriteFile), the host's stdout or stderr too, as a redirected handle's bytes;
/// without it (WriteConsoleA/W) the screen buffer only. A standard output the host
/// redirected (`redirected`) is the file's only: the console's screen is left as it was.
fn write_console_bytes(
    call: &mut ApiCall<'_>,
    target: HostFile,
    data: &[u8],
    stream: bool,
    redirected: bool,
) -> Result<(), NtStatus> {
    let (sink, screen) = match (target, stream) {
        (HostFile::Output, true) if redirected => (Some(call.io().stdout.clone()), None),
        (HostFile::Output, true) => (Some(call.io().stdout.clone()), Some(0)),
        (HostFile::Error, true) => (Some(call.io().stderr.clone()), None),
        (HostFile::Output | HostFile::Error, false) => (None, Some(0)),
        (HostFile::ScreenBuffer(i), _) => (None, Some(i as usize)),
        (HostFile::Input, _) => return Err(NtStatus::ACCESS_DENIED),
    };
    if let Some(b) = screen.and_then(|i| call.state.k32().console.buffers.get_mut(i)) {
        b.write(data);
        console_api::output_written(call);
    }
    if let Some(sink) = &sink {
        let mut s = sink.lock();
        if s.write_all(data).is_err() || s.flush().is_err() {
            return Err(NtStatus::UNSUCCESSFUL);
        }
    }
    Ok(())
}

/// WriteConsoleA(hConsoleOutput, lpBuffer, nNumberOfCharsToWrite, lpNumberOfCharsWritten,
/// lpReserved): to the screen buffer only.
#[export]
fn WriteConsoleA(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    lpBuffer: Ptr,
    nNumberOfCharsToWrite: u32,
    lpNumberOfCharsWritten: Ptr,
    lpReserved: Ptr,
) -> ApiReturn {
    let _ = lpReserved;
    write_to_handle(
        call,
        hConsoleOutput,
        lpBuffer.0,
        nNumberOfCharsToWrite,
        lpNumberOfCharsWritten.0,
        false,
    )
}

/// How a loader outcome that ends the thread or the process is returned from a builtin.
pub(crate) fn ending(outcome: Option<nt_kernel::ServiceOutcome>) -> ApiReturn {
    match outcome {
        Some(nt_kernel::ServiceOutcome::ExitProcess(code)) => ApiReturn::ExitProcess(code),
        Some(nt_kernel::ServiceOutcome::ExitThread(code)) => ApiReturn::ExitThread(code),
        // The DLLs' entry points run first; the last one's return ends it.
        _ => ApiReturn::Resumed,
    }
}

/// ExitProcess(uExitCode): the DLLs from disk get DLL_PROCESS_DETACH first (newest first,
/// lpReserved non-NULL).
#[export]
fn ExitProcess(call: &mut ApiCall<'_>, uExitCode: u32) -> ApiReturn {
    ending(dllload::exit_process(call, uExitCode))
}

/// ExitThread(dwExitCode): the DLLs from disk get DLL_THREAD_DETACH first (those that did
/// not DisableThreadLibraryCalls).
#[export]
fn ExitThread(call: &mut ApiCall<'_>, dwExitCode: u32) -> ApiReturn {
    ending(dllload::exit_thread(call, dwExitCode))
}

/// GetCurrentProcess(): the pseudo-handle -1.
#[export]
fn GetCurrentProcess(_call: &mut ApiCall<'_>) -> Handle {
    Handle::CURRENT_PROCESS
}

/// GetCurrentThread(): the pseudo-handle -2.
#[export]
fn GetCurrentThread(_call: &mut ApiCall<'_>) -> Handle {
    Handle::CURRENT_THREAD
}

/// GetCurrentProcessId().
#[export]
fn GetCurrentProcessId(call: &mut ApiCall<'_>) -> u32 {
    call.thread.process
}

/// GetCurrentThreadId().
#[export]
fn GetCurrentThreadId(call: &mut ApiCall<'_>) -> u32 {
    call.thread.thread
}

/// GetTickCount(): milliseconds of the machine's clock.
#[export]
fn GetTickCount(call: &mut ApiCall<'_>) -> u32 {
    call.machine.clock().now_ms() as u32
}

/// Sleep(dwMilliseconds): SleepEx without the alert.
#[export]
fn Sleep(call: &mut ApiCall<'_>, dwMilliseconds: u32) -> ApiReturn {
    waits::sleep(call, dwMilliseconds, false)
}

/// NtDelayExecution: the caller waits `time` (None: for ever) on an event nobody signals.
fn delay(call: &mut ApiCall<'_>, time: Option<Duration>) -> ApiReturn {
    let never = call
        .machine
        .objects()
        .create_event(EventType::Notification, false);
    ApiReturn::Wait {
        objects: vec![never],
        wait_type: WaitType::Any,
        timeout: time,
    }
}

/// WaitForSingleObject(hHandle, dwMilliseconds): WaitForSingleObjectEx without the alert.
#[export]
fn WaitForSingleObject(call: &mut ApiCall<'_>, hHandle: Handle, dwMilliseconds: u32) -> ApiReturn {
    waits::wait_single(call, hHandle, dwMilliseconds, false)
}

/// WaitForMultipleObjects(nCount, lpHandles, bWaitAll, dwMilliseconds):
/// WaitForMultipleObjectsEx without the alert.
#[export]
fn WaitForMultipleObjects(
    call: &mut ApiCall<'_>,
    nCount: u32,
    lpHandles: Ptr,
    bWaitAll: bool,
    dwMilliseconds: u32,
) -> ApiReturn {
    waits::wait_multiple(call, nCount, lpHandles, bWaitAll, dwMilliseconds, false)
}

fn finish_thread_creation(
    call: &mut ApiCall<'_>,
    result: Result<(Handle, u32), KernelError>,
    tid_ptr: u32,
) -> ApiReturn {
    match result {
        Ok((handle, tid)) => match call.write_out_u32(tid_ptr, tid) {
            Ok(()) => ok(handle.0),
            Err(_) => bad_pointer(call),
        },
        Err(e) => kernel_failure(call, e),
    }
}

/// CreateThread(lpThreadAttributes, dwStackSize, lpStartAddress, lpParameter,
/// dwCreationFlags, lpThreadId).
#[export]
fn CreateThread(
    call: &mut ApiCall<'_>,
    lpThreadAttributes: Ptr,
    dwStackSize: u32,
    lpStartAddress: Ptr,
    lpParameter: Ptr,
    dwCreationFlags: u32,
    lpThreadId: Ptr,
) -> ApiReturn {
    let (sa, stack, start, param, flags, tid_ptr) = (
        lpThreadAttributes.0,
        dwStackSize,
        lpStartAddress.0,
        lpParameter.0,
        dwCreationFlags,
        lpThreadId.0,
    );
    let Ok(inherit) = inherit_from_security_attributes(call, sa) else {
        return bad_pointer(call);
    };
    if call.probe_optional(tid_ptr, 4).is_err() {
        return bad_pointer(call);
    }
    let caller = call.thread;
    let result = call.machine.create_remote_thread(
        caller,
        Handle::CURRENT_PROCESS,
        inherit,
        stack,
        start,
        param,
        flags,
    );
    if let Ok((_, tid)) = result {
        actctx::thread_created(call, tid);
    }
    finish_thread_creation(call, result, tid_ptr)
}

/// CreateRemoteThread(hProcess, lpThreadAttributes, dwStackSize, lpStartAddress,
/// lpParameter, dwCreationFlags, lpThreadId): a transaction that leaves nothing behind
/// when it fails (KB Q246691).
#[export]
fn CreateRemoteThread(
    call: &mut ApiCall<'_>,
    hProcess: Handle,
    lpThreadAttributes: Ptr,
    dwStackSize: u32,
    lpStartAddress: Ptr,
    lpParameter: Ptr,
    dwCreationFlags: u32,
    lpThreadId: Ptr,
) -> ApiReturn {
    let (process, sa, stack, start, param, flags, tid_ptr) = (
        hProcess,
        lpThreadAttributes.0,
        dwStackSize,
        lpStartAddress.0,
        lpParameter.0,
        dwCreationFlags,
        lpThreadId.0,
    );
    let Ok(inherit) = inherit_from_security_attributes(call, sa) else {
        return bad_pointer(call);
    };
    if call.probe_optional(tid_ptr, 4).is_err() {
        return bad_pointer(call);
    }
    let caller = call.thread;
    let result = call
        .machine
        .create_remote_thread(caller, process, inherit, stack, start, param, flags);
    if let Ok((_, tid)) = result {
        let same = process == Handle::CURRENT_PROCESS
            || call
                .machine
                .process_information(caller.process, process, AccessMask(0))
                .is_ok_and(|info| info.id == caller.process);
        if same {
            actctx::thread_created(call, tid);
        }
    }
    finish_thread_creation(call, result, tid_ptr)
}

/// GetExitCodeThread(hThread, lpExitCode).
#[export]
fn GetExitCodeThread(call: &mut ApiCall<'_>, hThread: Handle, lpExitCode: Ptr) -> ApiReturn {
    match call.machine.thread_exit_code(call.thread, hThread) {
        Ok(code) => match call.write_u32(lpExitCode.0, code) {
            Ok(()) => ok(1),
            Err(_) => bad_pointer(call),
        },
        Err(e) => kernel_failure(call, e),
    }
}

/// GetExitCodeProcess(hProcess, lpExitCode).
#[export]
fn GetExitCodeProcess(call: &mut ApiCall<'_>, hProcess: Handle, lpExitCode: Ptr) -> ApiReturn {
    match call
        .machine
        .process_exit_code(call.thread.process, hProcess)
    {
        Ok(code) => match call.write_u32(lpExitCode.0, code) {
            Ok(()) => ok(1),
            Err(_) => bad_pointer(call),
        },
        Err(e) => kernel_failure(call, e),
    }
}

/// SuspendThread(hThread): the previous suspend count, or -1.
#[export]
fn SuspendThread(call: &mut ApiCall<'_>, hThread: Handle) -> ApiReturn {
    match call.machine.suspend_thread(call.thread, hThread) {
        Ok(previous) => ok(previous),
        Err(e) => call.fail_with(e.status(), 0xFFFF_FFFF),
    }
}

/// ResumeThread(hThread): the previous suspend count, or -1.
#[export]
fn ResumeThread(call: &mut ApiCall<'_>, hThread: Handle) -> ApiReturn {
    match call.machine.resume_thread(call.thread, hThread) {
        Ok(previous) => ok(previous),
        Err(e) => call.fail_with(e.status(), 0xFFFF_FFFF),
    }
}

/// TerminateThread(hThread, dwExitCode).
#[export]
fn TerminateThread(call: &mut ApiCall<'_>, hThread: Handle, dwExitCode: u32) -> ApiReturn {
    let caller = call.thread;
    match call.machine.terminate_thread(caller, hThread, dwExitCode) {
        Ok(()) => boolean(true),
        Err(e) => kernel_failure(call, e),
    }
}

/// TerminateProcess(hProcess, uExitCode).
#[export]
fn TerminateProcess(call: &mut ApiCall<'_>, hProcess: Handle, uExitCode: u32) -> ApiReturn {
    match call
        .machine
        .terminate_process(call.thread.process, hProcess, uExitCode)
    {
        Ok(()) => boolean(true),
        Err(e) => kernel_failure(call, e),
    }
}

/// OpenProcess(dwDesiredAccess, bInheritHandle, dwProcessId).
#[export]
fn OpenProcess(
    call: &mut ApiCall<'_>,
    dwDesiredAccess: AccessMask,
    bInheritHandle: bool,
    dwProcessId: u32,
) -> ApiReturn {
    match call.machine.open_process(
        call.thread.process,
        dwProcessId,
        dwDesiredAccess,
        bInheritHandle,
    ) {
        Ok(h) => ok(h.0),
        Err(e) => kernel_failure(call, e),
    }
}

/// GetProcessHandleCount(hProcess, pdwHandleCount): first documented for Windows XP SP1;
/// ntemu exports it on its NT 4.0 as an extension, since it is what KB Q246691's
/// Performance Monitor check reads.
#[export]
fn GetProcessHandleCount(
    call: &mut ApiCall<'_>,
    hProcess: Handle,
    pdwHandleCount: Ptr,
) -> ApiReturn {
    match call
        .machine
        .process_handle_count(call.thread.process, hProcess)
    {
        Ok(count) => match call.write_u32(pdwHandleCount.0, count) {
            Ok(()) => ok(1),
            Err(_) => bad_pointer(call),
        },
        Err(e) => kernel_failure(call, e),
    }
}

/// The process a handle names, for the *Ex memory functions.
fn target_process(
    call: &mut ApiCall<'_>,
    handle: Handle,
    access: AccessMask,
) -> Result<u32, ApiReturn> {
    let caller = call.thread.process;
    call.machine
        .reference_process(caller, handle, access)
        .map_err(|e| kernel_failure(call, e))
}

fn alloc_in(
    call: &mut ApiCall<'_>,
    pid: u32,
    addr: Ptr,
    size: u32,
    kind: AllocationType,
    protect: PageProtection,
) -> ApiReturn {
    let result = match call.machine.process_mut(pid) {
        Some(p) => p
            .address_space_mut()
            .allocate(addr.0, size, kind, protect)
            .map_err(|e| e.status()),
        None => Err(NtStatus::PROCESS_IS_TERMINATING),
    };
    match result {
        Ok((base, _)) => ok(base),
        Err(status) => call.fail(status),
    }
}

/// VirtualAlloc(lpAddress, dwSize, flAllocationType, flProtect).
#[export]
fn VirtualAlloc(
    call: &mut ApiCall<'_>,
    lpAddress: Ptr,
    dwSize: u32,
    flAllocationType: AllocationType,
    flProtect: PageProtection,
) -> ApiReturn {
    let pid = call.thread.process;
    alloc_in(call, pid, lpAddress, dwSize, flAllocationType, flProtect)
}

/// VirtualAllocEx(hProcess, lpAddress, dwSize, flAllocationType, flProtect).
#[export]
fn VirtualAllocEx(
    call: &mut ApiCall<'_>,
    hProcess: Handle,
    lpAddress: Ptr,
    dwSize: u32,
    flAllocationType: AllocationType,
    flProtect: PageProtection,
) -> ApiReturn {
    match target_process(call, hProcess, AccessMask::PROCESS_VM_OPERATION) {
        Ok(pid) => alloc_in(call, pid, lpAddress, dwSize, flAllocationType, flProtect),
        Err(r) => r,
    }
}

fn free_in(call: &mut ApiCall<'_>, pid: u32, addr: Ptr, size: u32, kind: FreeType) -> ApiReturn {
    let result = match call.machine.process_mut(pid) {
        Some(p) => p
            .address_space_mut()
            .free(addr.0, size, kind)
            .map_err(|e| e.status()),
        None => Err(NtStatus::PROCESS_IS_TERMINATING),
    };
    match result {
        Ok(_) => ok(1),
        Err(status) => call.fail(status),
    }
}

/// VirtualFree(lpAddress, dwSize, dwFreeType).
#[export]
fn VirtualFree(
    call: &mut ApiCall<'_>,
    lpAddress: Ptr,
    dwSize: u32,
    dwFreeType: FreeType,
) -> ApiReturn {
    let pid = call.thread.process;
    free_in(call, pid, lpAddress, dwSize, dwFreeType)
}

/// VirtualFreeEx(hProcess, lpAddress, dwSize, dwFreeType).
#[export]
fn VirtualFreeEx(
    call: &mut ApiCall<'_>,
    hProcess: Handle,
    lpAddress: Ptr,
    dwSize: u32,
    dwFreeType: FreeType,
) -> ApiReturn {
    match target_process(call, hProcess, AccessMask::PROCESS_VM_OPERATION) {
        Ok(pid) => free_in(call, pid, lpAddress, dwSize, dwFreeType),
        Err(r) => r,
    }
}

fn protect_in(
    call: &mut ApiCall<'_>,
    pid: u32,
    addr: Ptr,
    size: u32,
    protect: PageProtection,
    old_ptr: Ptr,
) -> ApiReturn {
    let old_ptr = old_ptr.0;
    // lpflOldProtect is required: NULL or unwritable fails before anything changes.
    if call.probe_write(old_ptr, 4).is_err() {
        return bad_pointer(call);
    }
    let result = match call.machine.process_mut(pid) {
        Some(p) => p
            .address_space_mut()
            .protect(addr.0, size, protect)
            .map_err(|e| e.status()),
        None => Err(NtStatus::PROCESS_IS_TERMINATING),
    };
    match result {
        Ok(old) => match call.write_u32(old_ptr, old.0) {
            Ok(()) => ok(1),
            Err(_) => bad_pointer(call),
        },
        Err(status) => call.fail(status),
    }
}

/// VirtualProtect(lpAddress, dwSize, flNewProtect, lpflOldProtect).
#[export]
fn VirtualProtect(
    call: &mut ApiCall<'_>,
    lpAddress: Ptr,
    dwSize: u32,
    flNewProtect: PageProtection,
    lpflOldProtect: Ptr,
) -> ApiReturn {
    let pid = call.thread.process;
    protect_in(call, pid, lpAddress, dwSize, flNewProtect, lpflOldProtect)
}

/// VirtualProtectEx(hProcess, lpAddress, dwSize, flNewProtect, lpflOldProtect).
#[export]
fn VirtualProtectEx(
    call: &mut ApiCall<'_>,
    hProcess: Handle,
    lpAddress: Ptr,
    dwSize: u32,
    flNewProtect: PageProtection,
    lpflOldProtect: Ptr,
) -> ApiReturn {
    match target_process(call, hProcess, AccessMask::PROCESS_VM_OPERATION) {
        Ok(pid) => protect_in(call, pid, lpAddress, dwSize, flNewProtect, lpflOldProtect),
        Err(r) => r,
    }
}

/// sizeof(MEMORY_BASIC_INFORMATION) on a 32-bit NT.
const MBI_SIZE: u32 = 28;

fn query_in(call: &mut ApiCall<'_>, pid: u32, addr: Ptr, out: Ptr, len: u32) -> ApiReturn {
    let (addr, out) = (addr.0, out.0);
    if len < MBI_SIZE {
        return call.fail(NtStatus::INFO_LENGTH_MISMATCH);
    }
    let result = match call.machine.process(pid) {
        Some(p) => p.address_space().query(addr).map_err(|e| e.status()),
        None => Err(NtStatus::PROCESS_IS_TERMINATING),
    };
    match result {
        Ok(mbi) => {
            let fields = [
                mbi.base_address,
                mbi.allocation_base,
                mbi.allocation_protect.0,
                mbi.region_size,
                mbi.state as u32,
                mbi.protect.0,
                mbi.memory_type as u32,
            ];
            let mut bytes = Vec::with_capacity(28);
            for f in fields {
                bytes.extend_from_slice(&f.to_le_bytes());
            }
            match call.write_bytes(out, &bytes) {
                Ok(()) => ok(MBI_SIZE),
                Err(_) => bad_pointer(call),
            }
        }
        Err(status) => call.fail(status),
    }
}

/// VirtualQuery(lpAddress, lpBuffer, dwLength): sizeof(MEMORY_BASIC_INFORMATION), or 0.
#[export]
fn VirtualQuery(call: &mut ApiCall<'_>, lpAddress: Ptr, lpBuffer: Ptr, dwLength: u32) -> ApiReturn {
    let pid = call.thread.process;
    query_in(call, pid, lpAddress, lpBuffer, dwLength)
}

/// VirtualQueryEx(hProcess, lpAddress, lpBuffer, dwLength).
#[export]
fn VirtualQueryEx(
    call: &mut ApiCall<'_>,
    hProcess: Handle,
    lpAddress: Ptr,
    lpBuffer: Ptr,
    dwLength: u32,
) -> ApiReturn {
    match target_process(call, hProcess, AccessMask::PROCESS_QUERY_INFORMATION) {
        Ok(pid) => query_in(call, pid, lpAddress, lpBuffer, dwLength),
        Err(r) => r,
    }
}

/// ReadProcessMemory(hProcess, lpBaseAddress, lpBuffer, nSize, lpNumberOfBytesRead).
#[export]
fn ReadProcessMemory(
    call: &mut ApiCall<'_>,
    hProcess: Handle,
    lpBaseAddress: Ptr,
    lpBuffer: Ptr,
    nSize: u32,
    lpNumberOfBytesRead: Ptr,
) -> ApiReturn {
    let (process, base, buffer, size, done_ptr) = (
        hProcess,
        lpBaseAddress.0,
        lpBuffer.0,
        nSize,
        lpNumberOfBytesRead.0,
    );
    let pid = match target_process(call, process, AccessMask::PROCESS_VM_READ) {
        Ok(p) => p,
        Err(r) => {
            // NtReadVirtualMemory reports the bytes copied (none) whatever failed.
            let _ = call.write_out_u32(done_ptr, 0);
            return r;
        }
    };
    if call.probe_optional(done_ptr, 4).is_err() {
        return bad_pointer(call);
    }
    // NtReadVirtualMemory: the source pages' protections apply; a fault part-way is a
    // partial copy reporting the bytes done.
    let mut done = 0u32;
    while done < size {
        let len = (size - done).min(COPY_CHUNK as u32) as usize;
        let mut chunk = vec![0u8; len];
        let read = match call.machine.process(pid) {
            Some(p) => p
                .address_space()
                .read_bytes(base.wrapping_add(done), &mut chunk)
                .is_ok(),
            None => false,
        };
        if !read {
            let _ = call.write_out_u32(done_ptr, done);
            return call.fail(NtStatus::PARTIAL_COPY);
        }
        if call.write_bytes(buffer.wrapping_add(done), &chunk).is_err() {
            let _ = call.write_out_u32(done_ptr, done);
            return bad_pointer(call);
        }
        done += len as u32;
    }
    match call.write_out_u32(done_ptr, size) {
        Ok(()) => ok(1),
        Err(_) => bad_pointer(call),
    }
}

/// WriteProcessMemory(hProcess, lpBaseAddress, lpBuffer, nSize, lpNumberOfBytesWritten).
#[export]
fn WriteProcessMemory(
    call: &mut ApiCall<'_>,
    hProcess: Handle,
    lpBaseAddress: Ptr,
    lpBuffer: Ptr,
    nSize: u32,
    lpNumberOfBytesWritten: Ptr,
) -> ApiReturn {
    let (process, base, buffer, size, done_ptr) = (
        hProcess,
        lpBaseAddress.0,
        lpBuffer.0,
        nSize,
        lpNumberOfBytesWritten.0,
    );
    let pid = match target_process(
        call,
        process,
        AccessMask(AccessMask::PROCESS_VM_WRITE.0 | AccessMask::PROCESS_VM_OPERATION.0),
    ) {
        Ok(p) => p,
        Err(r) => {
            let _ = call.write_out_u32(done_ptr, 0);
            return r;
        }
    };
    if call.probe_optional(done_ptr, 4).is_err() {
        return bad_pointer(call);
    }
    let mut done = 0u32;
    while done < size {
        let len = (size - done).min(COPY_CHUNK as u32) as usize;
        let Ok(chunk) = call.read_bytes(buffer.wrapping_add(done), len) else {
            let _ = call.write_out_u32(done_ptr, done);
            return bad_pointer(call);
        };
        // As NT 4.0's kernel32: code and other writable-or-executable pages are written (as
        // if made writable for the copy); read-only, no-access, guard and uncommitted pages
        // refuse it.
        let wrote = match call.machine.process_mut(pid) {
            Some(p) => {
                let space = p.address_space_mut();
                writable_for_debugger(space, base.wrapping_add(done), len as u32)
                    && space.kernel_write(base.wrapping_add(done), &chunk).is_ok()
            }
            None => false,
        };
        if !wrote {
            let _ = call.write_out_u32(done_ptr, done);
            return call.fail(NtStatus::ACCESS_VIOLATION);
        }
        done += len as u32;
    }
    match call.write_out_u32(done_ptr, size) {
        Ok(()) => ok(1),
        Err(_) => bad_pointer(call),
    }
}

/// True when every page of the range is committed and neither PAGE_NOACCESS, PAGE_READONLY
/// nor a guard page.
fn writable_for_debugger(space: &nt_memory::AddressSpace, addr: u32, len: u32) -> bool {
    let page = space.page_size().bytes();
    let end = u64::from(addr) + u64::from(len);
    let mut at = u64::from(addr & !(page - 1));
    while at < end {
        match space.query(at as u32) {
            Ok(mbi) if mbi.state == nt_memory::MemoryState::Commit => {
                let p = mbi.protect.0;
                if p & 0xFF == PageProtection::NOACCESS.0
                    || p & 0xFF == PageProtection::READONLY.0
                    || p & PageProtection::GUARD.0 != 0
                {
                    return false;
                }
            }
            _ => return false,
        }
        at += u64::from(page);
    }
    true
}

/// CREATE_UNICODE_ENVIRONMENT: lpEnvironment is a block of UTF-16 strings.
const CREATE_UNICODE_ENVIRONMENT: u32 = 0x400;

/// CreateProcessA(lpApplicationName, lpCommandLine, lpProcessAttributes,
/// lpThreadAttributes, bInheritHandles, dwCreationFlags, lpEnvironment, lpCurrentDirectory,
/// lpStartupInfo, lpProcessInformation).
#[export]
fn CreateProcessA(
    call: &mut ApiCall<'_>,
    lpApplicationName: Option<AnsiStr>,
    lpCommandLine: Option<AnsiStr>,
    lpProcessAttributes: Ptr,
    lpThreadAttributes: Ptr,
    bInheritHandles: bool,
    dwCreationFlags: u32,
    lpEnvironment: Ptr,
    lpCurrentDirectory: Option<AnsiStr>,
    lpStartupInfo: Ptr,
    lpProcessInformation: Ptr,
) -> ApiReturn {
    let _ = (lpProcessAttributes, lpThreadAttributes);
    let Ok(startup) = startup::StartupInfo::read(call, lpStartupInfo.0, false) else {
        return bad_pointer(call);
    };
    let attributes = if dwCreationFlags & procattr::EXTENDED_STARTUPINFO_PRESENT != 0 {
        match procattr::read_attributes(call, lpStartupInfo.0) {
            Ok(a) => a,
            Err(e) => return call.fail_win32(e, 0),
        }
    } else {
        procattr::ProcessAttributes::default()
    };
    create_process(
        call,
        ProcessRequest {
            application: lpApplicationName.as_deref(),
            command_line: lpCommandLine.as_deref(),
            inherit: bInheritHandles,
            flags: dwCreationFlags,
            environment: lpEnvironment,
            directory: lpCurrentDirectory.as_deref(),
            startup,
            attributes,
            information: lpProcessInformation,
        },
    )
}

/// CreateProcessW(lpApplicationName, lpCommandLine, lpProcessAttributes,
/// lpThreadAttributes, bInheritHandles, dwCreationFlags, lpEnvironment, lpCurrentDirectory,
/// lpStartupInfo, lpProcessInformation).
#[export]
fn CreateProcessW(
    call: &mut ApiCall<'_>,
    lpApplicationName: Option<WideStr>,
    lpCommandLine: Option<WideStr>,
    lpProcessAttributes: Ptr,
    lpThreadAttributes: Ptr,
    bInheritHandles: bool,
    dwCreationFlags: u32,
    lpEnvironment: Ptr,
    lpCurrentDirectory: Option<WideStr>,
    lpStartupInfo: Ptr,
    lpProcessInformation: Ptr,
) -> ApiReturn {
    let _ = (lpProcessAttributes, lpThreadAttributes);
    let Ok(startup) = startup::StartupInfo::read(call, lpStartupInfo.0, true) else {
        return bad_pointer(call);
    };
    let attributes = if dwCreationFlags & procattr::EXTENDED_STARTUPINFO_PRESENT != 0 {
        match procattr::read_attributes(call, lpStartupInfo.0) {
            Ok(a) => a,
            Err(e) => return call.fail_win32(e, 0),
        }
    } else {
        procattr::ProcessAttributes::default()
    };
    create_process(
        call,
        ProcessRequest {
            application: lpApplicationName.as_deref(),
            command_line: lpCommandLine.as_deref(),
            inherit: bInheritHandles,
            flags: dwCreationFlags,
            environment: lpEnvironment,
            directory: lpCurrentDirectory.as_deref(),
            startup,
            attributes,
            information: lpProcessInformation,
        },
    )
}

/// CreateProcess's DETACHED_PROCESS.
const DETACHED_PROCESS_FLAG: u32 = 0x0000_0008;

/// What CreateProcessA and CreateProcessW were asked, strings decoded.
struct ProcessRequest<'s> {
    application: Option<&'s str>,
    command_line: Option<&'s str>,
    inherit: bool,
    flags: u32,
    environment: Ptr,
    directory: Option<&'s str>,
    /// What the STARTUPINFO said: with STARTF_USESTDHANDLES, the child's standard handles.
    startup: startup::StartupInfo,
    /// What a STARTUPINFOEX's attribute list asked (EXTENDED_STARTUPINFO_PRESENT).
    attributes: procattr::ProcessAttributes,
    /// PROCESS_INFORMATION: hProcess, hThread, dwProcessId, dwThreadId.
    information: Ptr,
}

/// Reads an environment block (`NAME=value` strings ending with an empty one), ANSI or
/// UTF-16; ERROR_NOACCESS when it cannot be read.
fn read_environment_block(
    call: &ApiCall<'_>,
    at: u32,
    unicode: bool,
) -> Result<Vec<(String, String)>, Win32Error> {
    let mut variables = Vec::new();
    let mut cursor = at;
    let mut total = 0usize;
    loop {
        let (text, bytes) = if unicode {
            let units = call
                .read_wide_units(cursor, MAX_COMMAND_LINE)
                .map_err(|_| Win32Error::NOACCESS)?;
            (String::from_utf16_lossy(&units), 2 * (units.len() + 1))
        } else {
            let raw = call
                .read_c_bytes(cursor, MAX_COMMAND_LINE)
                .map_err(|_| Win32Error::NOACCESS)?;
            (
                win32::codepage::CodePage::Ansi.decode_str(&raw),
                raw.len() + 1,
            )
        };
        if text.is_empty() {
            return Ok(variables);
        }
        total += bytes;
        if total > 0x10_0000 {
            return Err(Win32Error::INVALID_PARAMETER);
        }
        // "=C:=C:\dir" names start with '='.
        if let Some(eq) = text
            .char_indices()
            .skip(1)
            .find(|&(_, c)| c == '=')
            .map(|(i, _)| i)
        {
            variables.push((text[..eq].to_string(), text[eq + 1..].to_string()));
        }
        cursor = cursor.wrapping_add(bytes as u32);
    }
}

fn create_process(call: &mut ApiCall<'_>, request: ProcessRequest<'_>) -> ApiReturn {
    let (inherit, flags, info_ptr) = (request.inherit, request.flags, request.information.0);
    let cmd = request.command_line;
    // An empty application name is no path at all.
    if request.application == Some("") {
        return call.fail_win32(Win32Error::PATH_NOT_FOUND, 0);
    }
    let name = match optional_name(call, request.application) {
        Ok(Some(a)) => a.to_string(),
        Ok(None) => match command_line(call, cmd) {
            Ok(Some(c)) => first_token(c),
            Ok(None) => return call.fail(NtStatus::INVALID_PARAMETER),
            Err(failed) => return failed,
        },
        Err(failed) => return failed,
    };
    let environment = if request.environment.is_null() {
        None
    } else {
        let unicode = flags & CREATE_UNICODE_ENVIRONMENT != 0;
        match read_environment_block(call, request.environment.0, unicode) {
            Ok(v) => Some(v),
            Err(e) => return call.fail_win32(e, 0),
        }
    };
    if call.probe_write(info_ptr, 16).is_err() {
        return bad_pointer(call);
    }
    // The PROCESS_INFORMATION is cleared first: a failure leaves it zero.
    let _ = call.write_bytes(info_ptr, &[0; 16]);
    let child_directory = match file::child_current_directory(call, request.directory) {
        Ok(d) => d,
        Err(failed) => return failed,
    };
    let image_folder =
        own_image_path(call).and_then(|p| p.rsplit_once('\\').map(|(d, _)| d.to_string()));
    let path_variable = environment::variable(call, "PATH");
    let searched = request.application.is_none();
    let (image_path, bytes) = match file::find_image(
        call,
        &name,
        searched,
        image_folder.as_deref(),
        path_variable.as_deref(),
    ) {
        Ok(found) => found,
        Err(e) => return call.fail_win32(e, 0),
    };
    let image = match pe_image::PeImage::parse(&bytes) {
        Ok(i) => i,
        Err(e) => return call.fail(e.status()),
    };
    let mut resolver = call.builtins;
    let caller = call.thread;
    let suspended = flags & nt_kernel::CREATE_SUSPENDED;
    // PROC_THREAD_ATTRIBUTE_PARENT_PROCESS: the child's parent, whose handles it inherits.
    let parent_id = request.attributes.parent.unwrap_or(caller.process);
    let started = match call.machine.create_process_from_image_inheriting(
        &image,
        &mut resolver,
        Some(parent_id),
        inherit,
        request.attributes.handle_list.clone(),
        suspended,
    ) {
        Ok(s) => s,
        Err(e) => return kernel_failure(call, e),
    };
    // The child is on the caller's console: it gets the caller's console handles at the
    // same values. Its standard handles are the STARTUPINFO's with STARTF_USESTDHANDLES
    // (handle values of the caller's that the child inherited at the same values, when they
    // are inheritable and bInheritHandles is TRUE; NT passes the values on unchecked),
    // otherwise the caller's (NT's console children get them whether or not they inherit
    // handles).
    let parent = call.process_object();
    let child = call
        .machine
        .process(started.process)
        .map(|p| Arc::clone(p.object()));
    if let (Some(parent), Some(child)) = (&parent, &child) {
        let _ = std_handle(call, 0);
        call.state.get::<win32::ConsoleHandles>().inherit(
            caller.process,
            parent,
            started.process,
            child,
        );
        // NT's BasePushProcessParameters copies the creator's standard handles only for a
        // child that shares its console: a DETACHED_PROCESS child without
        // STARTF_USESTDHANDLES has none (NULL).
        let handles = if request.startup.uses_std_handles() {
            Some(request.startup.std_handles)
        } else if request.flags & DETACHED_PROCESS_FLAG != 0 {
            Some([Handle::NULL; 3])
        } else {
            call.state
                .k32()
                .std_handles
                .get(caller.process, parent)
                .copied()
        };
        if let Some(handles) = handles {
            call.state
                .k32()
                .std_handles
                .insert(started.process, child, handles);
        }
    }
    let child_command_line = match command_line(call, cmd) {
        Ok(Some(c)) => c.to_string(),
        _ => name.clone(),
    };
    let image_path_for_debugger = image_path.clone();
    let program = image_path
        .rsplit('\\')
        .next()
        .unwrap_or(&image_path)
        .to_string();
    if let Some(child) = &child {
        // A creator that names no desktop gives its own.
        let mut startup = request.startup.clone();
        if startup.desktop.is_none() {
            startup.desktop = parent.as_ref().and_then(|o| {
                call.state
                    .k32()
                    .process_parameters
                    .get(caller.process, o)
                    .and_then(|p| p.startup.desktop.clone())
            });
        }
        call.state.k32().process_parameters.insert(
            started.process,
            child,
            ProcessParameters {
                command_line: child_command_line,
                image_path: Some(image_path),
                block: None,
                startup,
                startup_strings: Default::default(),
            },
        );
        ntdll::procinfo::set_image_file_name(
            call,
            started.process,
            child,
            nt_device_path(&image_path_for_debugger),
        );
        file::set_process_current_directory(call, started.process, child, child_directory);
        // lpEnvironment NULL: the child gets a copy of the parent's variables.
        let variables = match environment {
            Some(v) => v,
            None => match call.process_object() {
                Some(parent) => call
                    .state
                    .k32()
                    .environments
                    .get(caller.process, &parent)
                    .map(|e| e.variables.clone())
                    .unwrap_or_default(),
                None => Vec::new(),
            },
        };
        call.state
            .k32()
            .environments
            .get_or_default(started.process, child)
            .variables = variables;
        let parent_console = console_api::console_state(call);
        let mut child_call = ApiCall {
            machine: &mut *call.machine,
            thread: ClientId {
                process: started.process,
                thread: started.thread,
            },
            io: call.io,
            state: &mut *call.state,
            builtins: call.builtins,
        };
        environment::add_processor_variables(&mut child_call);
        // The process parameters are the creator's to write (NT's BasePushProcessParameters);
        // the process heap is made in the child when it first runs (procstart.rs).
        if let Err(status) = startup::parameter_block(&mut child_call).map(|_| ()) {
            call.machine.exit_process(started.process, status.0);
            return call.fail(status);
        }
        console_api::set_up_child_console(&mut child_call, parent_console, flags, image.subsystem);
    }
    // The builtin DLLs the image imports set themselves up in the child before it runs.
    let child_thread = ClientId {
        process: started.process,
        thread: started.thread,
    };
    // A debugged child: its debugger hears of it (and of the DLLs it starts with) first.
    let debugged = debugapi::debug_new_process(call, child_thread, &image_path_for_debugger, flags);
    win32::attach_process(&mut call.on_thread(child_thread), &image);
    // The DLLs from disk it imports are loaded (their DllMains run before its entry point);
    // one missing ends it as NT's loader ends it, with the reason on stderr.
    if let Err(e) =
        dllload::load_static_imports(&mut call.on_thread(child_thread), &image, &program)
    {
        let _ = writeln!(call.io.stderr.lock(), "ntemu: {}", e.message);
        call.machine.exit_process(started.process, e.status.0);
    } else if debugged {
        debugapi::initial_breakpoint(call, child_thread);
    }
    // The child binds its imports and makes its heap itself, when it first runs.
    procstart::defer(call, started.process, &image);
    let opened = open_both(call, caller, started.process, started.thread);
    match opened {
        Ok((hp, ht)) => {
            let words = [hp.0, ht.0, started.process, started.thread];
            let mut bytes = Vec::with_capacity(16);
            for w in words {
                bytes.extend_from_slice(&w.to_le_bytes());
            }
            match call.write_bytes(info_ptr, &bytes) {
                Ok(()) => ok(1),
                Err(_) => bad_pointer(call),
            }
        }
        Err(e) => {
            // No handles to give back: the child must not run on unseen.
            call.machine.exit_process(started.process, e.status().0);
            kernel_failure(call, e)
        }
    }
}

/// The NT device path of a DOS path (`C:\dir\prog.exe` is
/// `\Device\HarddiskVolume1\dir\prog.exe`, D: the second volume, ...), as
/// ProcessImageFileName gives an image's.
fn nt_device_path(path: &str) -> String {
    let mut chars = path.chars();
    match (chars.next(), chars.next()) {
        (Some(letter), Some(':')) if letter.is_ascii_alphabetic() => {
            let volume =
                u32::from(letter.to_ascii_uppercase() as u8).saturating_sub(u32::from(b'C')) + 1;
            format!("\\Device\\HarddiskVolume{volume}{}", chars.as_str())
        }
        _ => path.to_string(),
    }
}

fn open_both(
    call: &mut ApiCall<'_>,
    caller: ClientId,
    pid: u32,
    tid: u32,
) -> Result<(Handle, Handle), KernelError> {
    let hp =
        call.machine
            .open_process(caller.process, pid, AccessMask::PROCESS_ALL_ACCESS, false)?;
    match call
        .machine
        .open_thread(caller.process, tid, AccessMask::THREAD_ALL_ACCESS, false)
    {
        Ok(ht) => Ok((hp, ht)),
        Err(e) => {
            let _ = call.machine.close_handle(caller.process, hp);
            Err(e)
        }
    }
}

/// The most bytes of a command line (CreateProcess's limit is 32,767 characters).
const MAX_COMMAND_LINE: usize = 32_767;

/// Checks an optional command line: None for NULL or blank; longer than 32,767 characters
/// is ERROR_FILENAME_EXCED_RANGE.
fn command_line<'s>(
    call: &mut ApiCall<'_>,
    line: Option<&'s str>,
) -> Result<Option<&'s str>, ApiReturn> {
    match line {
        None => Ok(None),
        Some(line) if line.chars().count() > MAX_COMMAND_LINE => {
            Err(call.fail_win32(Win32Error::FILENAME_EXCED_RANGE, 0))
        }
        Some(line) if line.trim().is_empty() => Ok(None),
        Some(line) => Ok(Some(line)),
    }
}

fn first_token(command_line: &str) -> String {
    let line = command_line.trim_start();
    if let Some(rest) = line.strip_prefix('"') {
        rest.split('"').next().unwrap_or_default().to_string()
    } else {
        line.split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string()
    }
}

/// CreateProcessA for Rust callers (the C runtime's _spawn family and system): the same
/// work as CreateProcessA with these arguments, no security attributes and a STARTUPINFO
/// that gives only `reserved2` (cbReserved2 and lpReserved2: the C runtime's descriptors);
/// `environment` is a guest environment block (ANSI, or UTF-16 with
/// CREATE_UNICODE_ENVIRONMENT in `flags`) or NULL, and `information` the guest
/// PROCESS_INFORMATION it fills. The error is also the last error.
#[allow(clippy::too_many_arguments)]
pub fn create_process_for(
    call: &mut ApiCall<'_>,
    application: Option<&str>,
    command_line: Option<&str>,
    inherit: bool,
    flags: u32,
    environment: Ptr,
    directory: Option<&str>,
    information: Ptr,
    reserved2: Vec<u8>,
) -> Result<(), Win32Error> {
    let r = create_process(
        call,
        ProcessRequest {
            application,
            command_line,
            inherit,
            flags,
            environment,
            directory,
            startup: startup::StartupInfo {
                reserved2,
                ..startup::StartupInfo::default()
            },
            attributes: Default::default(),
            information,
        },
    );
    match r {
        ApiReturn::Value(0) => Err(Win32Error(call.last_error())),
        ApiReturn::Value(_) => Ok(()),
        _ => Err(Win32Error(call.last_error())),
    }
}

/// DuplicateHandle(GetCurrentProcess(), handle, GetCurrentProcess(), &new, 0, inherit,
/// DUPLICATE_SAME_ACCESS) for Rust callers (the C runtime's _dup and _dup2): the new handle.
/// The error is also the last error.
pub fn duplicate_handle_same_access(
    call: &mut ApiCall<'_>,
    handle: Handle,
    inherit: bool,
) -> Result<Handle, Win32Error> {
    let caller = call.thread;
    match call.machine.duplicate_handle(
        caller,
        caller.process,
        handle,
        caller.process,
        AccessMask(0),
        attributes(inherit),
        DuplicateOptions::SAME_ACCESS,
    ) {
        Ok(h) => Ok(h),
        Err(e) => {
            let error = e.status().to_win32_error();
            call.set_last_error(error.0);
            Err(error)
        }
    }
}
