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

pub mod console;
mod console_api;
pub(crate) mod environment;
mod file;
mod global;
pub mod heap;
mod locale;
mod module;
mod path;
mod processor;
mod startup;
pub(crate) mod sync;
mod time;

pub use file::{DiskFile, NullDevice};
pub use file::{open_file, read_handle, set_file_pointer, write_handle};

use win32::abi::CallingConvention::Stdcall;
use win32::{ApiCall, ApiReturn, BuiltinDll, DllHooks, Export, PerProcess, Win32, Win32State};

/// Kernel32's state in a machine (one value in the layer's [`Win32State`]).
#[derive(Default)]
pub struct Kernel32State {
    /// Each process's standard handles (input, output, error), created on first use.
    pub(crate) std_handles: PerProcess<[Handle; 3]>,
    /// Where CreateProcessA looks for relative image names.
    pub(crate) image_directory: Option<std::path::PathBuf>,
    /// Each process's command line, and where GetCommandLineA and the environment block
    /// were put in its memory once asked for.
    pub(crate) process_parameters: PerProcess<ProcessParameters>,
    /// Every process's heaps.
    pub(crate) heaps: PerProcess<Vec<heap::Heap>>,
    /// Each process's TLS slots and contended critical sections.
    pub(crate) sync: PerProcess<sync::ProcessSync>,
    /// Each process's environment variables.
    pub(crate) environments: PerProcess<environment::Environment>,
    /// The console the machine's processes share.
    pub(crate) console: console::Console,
    /// The sandboxed drive C:, its current directory and open disk files.
    pub(crate) files: file::FileSystem,
    /// Threads serving a Ctrl+C, by (process, thread) id: the HandlerRoutines still to call,
    /// next first.
    pub(crate) ctrl_threads: std::collections::BTreeMap<(u32, u32), Vec<u32>>,
    /// The event signalled while the console input queue holds events (made on first use).
    pub(crate) console_input_event: Option<Arc<Object>>,
    /// The terminal that shows the console and types into it, if any.
    pub(crate) console_host: Option<Box<dyn console::ConsoleHost>>,
}

/// What kernel32 keeps of a process's start-up parameters (NT: RTL_USER_PROCESS_PARAMETERS).
#[derive(Default)]
pub(crate) struct ProcessParameters {
    /// The command line.
    pub(crate) command_line: String,
    /// Guest address of the page holding the command line and the environment blocks.
    pub(crate) block: Option<u32>,
}

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
    /// Makes host directory `root` the guest's drive `C:\` (it must exist). The host's
    /// current directory becomes the guest's when it lies inside the root; else the guest
    /// starts in `C:\`. No guest path name reaches outside the root. Without a root there is
    /// no drive.
    fn set_root(&mut self, root: std::path::PathBuf) -> std::io::Result<()>;
    /// Sets the directory CreateProcessA resolves relative image names in.
    fn set_image_directory(&mut self, dir: std::path::PathBuf);
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
        if let Some(buffer) = self.state_mut().k32().console.buffers.first_mut() {
            *buffer = console::ScreenBuffer::new(columns, rows);
        }
    }

    fn set_console_host(&mut self, host: Box<dyn console::ConsoleHost>) {
        self.state_mut().k32().console_host = Some(host);
    }

    fn take_console_host(&mut self) -> Option<Box<dyn console::ConsoleHost>> {
        let k = self.state_mut().k32();
        let mut host = k.console_host.take()?;
        host.present(&k.console);
        Some(host)
    }

    fn set_command_line(&mut self, machine: &nt_kernel::Machine, process: u32, command_line: &str) {
        if let Some(p) = machine.process(process) {
            self.state_mut().k32().process_parameters.insert(
                process,
                p.object(),
                ProcessParameters {
                    command_line: command_line.to_string(),
                    block: None,
                },
            );
        }
    }

    fn set_root(&mut self, root: std::path::PathBuf) -> std::io::Result<()> {
        self.state_mut().k32().files.set_root(&root)
    }

    fn set_image_directory(&mut self, dir: std::path::PathBuf) {
        self.state_mut().k32().image_directory = Some(dir);
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

/// An export not yet declared with `#[export]`: its arguments are read by hand.
const fn raw(name: &'static str, arguments: u8, function: win32::ApiFunction) -> Export {
    Export {
        name,
        arguments,
        convention: Stdcall,
        params: &[],
        returns: win32::ValueKind::Int,
        module: module_path!(),
        function,
    }
}

/// KERNEL32.dll.
pub static DLL: BuiltinDll = BuiltinDll {
    name: "KERNEL32.dll",
    catalogue: include_str!("../nt4-exports.txt"),
    hooks: DllHooks {
        data_export: None,
        internal_thunk: Some(console_api::ctrl_thunk),
    },
    exports: &[
        // lib.rs
        raw("CloseHandle", 1, close_handle),
        raw("CreateEventA", 4, create_event_a),
        raw("CreateMutexA", 3, create_mutex_a),
        raw("CreateProcessA", 10, create_process_a),
        raw("CreateRemoteThread", 7, create_remote_thread),
        raw("CreateSemaphoreA", 4, create_semaphore_a),
        raw("CreateThread", 6, create_thread),
        raw("DuplicateHandle", 7, duplicate_handle),
        raw("ExitProcess", 1, exit_process),
        raw("ExitThread", 1, exit_thread),
        raw("GetCurrentProcess", 0, get_current_process),
        raw("GetCurrentProcessId", 0, get_current_process_id),
        raw("GetCurrentThread", 0, get_current_thread),
        raw("GetCurrentThreadId", 0, get_current_thread_id),
        raw("GetExitCodeProcess", 2, get_exit_code_process),
        raw("GetExitCodeThread", 2, get_exit_code_thread),
        raw("GetHandleInformation", 2, get_handle_information),
        raw("GetLastError", 0, get_last_error),
        raw("GetProcessHandleCount", 2, get_process_handle_count),
        raw("GetStdHandle", 1, get_std_handle),
        raw("GetTickCount", 0, get_tick_count),
        raw("OpenEventA", 3, open_event_a),
        raw("OpenMutexA", 3, open_mutex_a),
        raw("OpenProcess", 3, open_process),
        raw("OpenSemaphoreA", 3, open_semaphore_a),
        raw("PulseEvent", 1, pulse_event),
        raw("ReadProcessMemory", 5, read_process_memory),
        raw("ReleaseMutex", 1, release_mutex),
        raw("ReleaseSemaphore", 3, release_semaphore),
        raw("ResetEvent", 1, reset_event),
        raw("ResumeThread", 1, resume_thread),
        raw("SetEvent", 1, set_event),
        raw("SetHandleInformation", 3, set_handle_information),
        raw("SetLastError", 1, set_last_error),
        raw("Sleep", 1, sleep),
        raw("SuspendThread", 1, suspend_thread),
        raw("TerminateProcess", 2, terminate_process),
        raw("TerminateThread", 2, terminate_thread),
        raw("VirtualAlloc", 4, virtual_alloc),
        raw("VirtualAllocEx", 5, virtual_alloc_ex),
        raw("VirtualFree", 3, virtual_free),
        raw("VirtualFreeEx", 4, virtual_free_ex),
        raw("VirtualProtect", 4, virtual_protect),
        raw("VirtualProtectEx", 5, virtual_protect_ex),
        raw("VirtualQuery", 3, virtual_query),
        raw("VirtualQueryEx", 4, virtual_query_ex),
        raw("WaitForMultipleObjects", 4, wait_for_multiple_objects),
        raw("WaitForSingleObject", 2, wait_for_single_object),
        raw("WriteConsoleA", 5, write_console_a),
        raw("WriteProcessMemory", 5, write_process_memory),
        // startup.rs
        raw("GetVersion", 0, startup::get_version),
        raw("GetVersionExA", 1, startup::get_version_ex_a),
        raw("GetCommandLineA", 0, startup::get_command_line_a),
        raw("GetStartupInfoA", 1, startup::get_startup_info_a),
        raw("SetHandleCount", 1, startup::set_handle_count),
        raw("GetFileType", 1, startup::get_file_type),
        raw("GetACP", 0, startup::get_acp),
        raw("GetOEMCP", 0, startup::get_oemcp),
        raw("GetCPInfo", 2, startup::get_cp_info),
        raw("MultiByteToWideChar", 6, startup::multi_byte_to_wide_char),
        raw("WideCharToMultiByte", 8, startup::wide_char_to_multi_byte),
        raw("RtlFillMemory", 3, startup::rtl_fill_memory),
        raw("RtlZeroMemory", 2, startup::rtl_zero_memory),
        raw("RtlMoveMemory", 3, startup::rtl_move_memory),
        // heap.rs
        raw("GetProcessHeap", 0, heap::get_process_heap),
        raw("HeapCreate", 3, heap::heap_create),
        raw("HeapDestroy", 1, heap::heap_destroy),
        raw("HeapAlloc", 3, heap::heap_alloc),
        raw("HeapFree", 3, heap::heap_free),
        raw("HeapSize", 3, heap::heap_size),
        raw("HeapReAlloc", 4, heap::heap_re_alloc),
        // locale.rs
        raw("GetStringTypeW", 4, locale::get_string_type_w),
        raw("GetStringTypeA", 5, locale::get_string_type_a),
        raw("LCMapStringW", 6, locale::lc_map_string_w),
        raw("LCMapStringA", 6, locale::lc_map_string_a),
        raw("GetLocaleInfoA", 4, locale::get_locale_info_a),
        raw("CompareStringA", 6, locale::compare_string_a),
        raw("CompareStringW", 6, locale::compare_string_w),
        // time.rs
        raw(
            "GetSystemTimeAsFileTime",
            1,
            time::get_system_time_as_file_time,
        ),
        raw("GetSystemTime", 1, time::get_system_time),
        raw("GetLocalTime", 1, time::get_local_time),
        raw("GetTimeZoneInformation", 1, time::get_time_zone_information),
        raw(
            "QueryPerformanceCounter",
            1,
            time::query_performance_counter,
        ),
        raw(
            "QueryPerformanceFrequency",
            1,
            time::query_performance_frequency,
        ),
        raw("GetSystemInfo", 1, time::get_system_info),
        // console_api.rs
        raw("SetConsoleTitleA", 1, console_api::set_console_title_a),
        raw("GetConsoleTitleA", 2, console_api::get_console_title_a),
        raw(
            "GetConsoleScreenBufferInfo",
            2,
            console_api::get_console_screen_buffer_info,
        ),
        raw(
            "SetConsoleCursorPosition",
            2,
            console_api::set_console_cursor_position,
        ),
        raw(
            "SetConsoleCursorInfo",
            2,
            console_api::set_console_cursor_info,
        ),
        raw(
            "GetConsoleCursorInfo",
            2,
            console_api::get_console_cursor_info,
        ),
        raw(
            "SetConsoleTextAttribute",
            2,
            console_api::set_console_text_attribute,
        ),
        raw(
            "FillConsoleOutputCharacterA",
            5,
            console_api::fill_console_output_character_a,
        ),
        raw(
            "FillConsoleOutputAttribute",
            5,
            console_api::fill_console_output_attribute,
        ),
        raw(
            "CreateConsoleScreenBuffer",
            5,
            console_api::create_console_screen_buffer,
        ),
        raw(
            "SetConsoleActiveScreenBuffer",
            1,
            console_api::set_console_active_screen_buffer,
        ),
        raw("GetConsoleMode", 2, console_api::get_console_mode),
        raw("SetConsoleMode", 2, console_api::set_console_mode),
        raw("ReadConsoleInputA", 4, console_api::read_console_input_a),
        raw("PeekConsoleInputA", 4, console_api::peek_console_input_a),
        raw(
            "GetNumberOfConsoleInputEvents",
            2,
            console_api::get_number_of_console_input_events,
        ),
        raw(
            "FlushConsoleInputBuffer",
            1,
            console_api::flush_console_input_buffer,
        ),
        raw(
            "ReadConsoleOutputAttribute",
            5,
            console_api::read_console_output_attribute,
        ),
        raw(
            "ReadConsoleOutputCharacterA",
            5,
            console_api::read_console_output_character_a,
        ),
        raw(
            "WriteConsoleOutputAttribute",
            5,
            console_api::write_console_output_attribute,
        ),
        raw(
            "WriteConsoleOutputCharacterA",
            5,
            console_api::write_console_output_character_a,
        ),
        raw("ReadConsoleOutputA", 5, console_api::read_console_output_a),
        raw(
            "WriteConsoleOutputA",
            5,
            console_api::write_console_output_a,
        ),
        raw(
            "ScrollConsoleScreenBufferA",
            5,
            console_api::scroll_console_screen_buffer_a,
        ),
        raw(
            "SetConsoleScreenBufferSize",
            2,
            console_api::set_console_screen_buffer_size,
        ),
        raw(
            "SetConsoleWindowInfo",
            3,
            console_api::set_console_window_info,
        ),
        raw(
            "SetConsoleCtrlHandler",
            2,
            console_api::set_console_ctrl_handler,
        ),
        raw("Beep", 2, console_api::beep),
        raw("WriteConsoleW", 5, console_api::write_console_w),
        raw("ReadConsoleA", 5, console_api::read_console_a),
        // file.rs
        raw("CreateFileA", 7, file::create_file_a),
        raw("ReadFile", 5, file::read_file),
        raw("SetFilePointer", 4, file::set_file_pointer_api),
        raw("SetEndOfFile", 1, file::set_end_of_file),
        raw("FlushFileBuffers", 1, file::flush_file_buffers),
        raw("GetFileSize", 2, file::get_file_size),
        raw("GetFileAttributesA", 1, file::get_file_attributes_a),
        raw("DeleteFileA", 1, file::delete_file_a),
        raw("MoveFileA", 2, file::move_file_a),
        raw("GetCurrentDirectoryA", 2, file::get_current_directory_a),
        raw("SetCurrentDirectoryA", 1, file::set_current_directory_a),
        raw("FindFirstFileA", 2, file::find_first_file_a),
        raw("FindNextFileA", 2, file::find_next_file_a),
        raw("FindClose", 1, file::find_close),
        raw("GetFullPathNameA", 4, file::get_full_path_name_a),
        raw("CreateDirectoryA", 2, file::create_directory_a),
        raw("RemoveDirectoryA", 1, file::remove_directory_a),
        raw("SetStdHandle", 2, file::set_std_handle),
        raw("WriteFile", 5, file::write_file),
        // environment.rs
        raw(
            "GetEnvironmentStrings",
            0,
            environment::get_environment_strings,
        ),
        raw(
            "GetEnvironmentStringsW",
            0,
            environment::get_environment_strings_w,
        ),
        raw(
            "FreeEnvironmentStringsA",
            1,
            environment::free_environment_strings_a,
        ),
        raw(
            "FreeEnvironmentStringsW",
            1,
            environment::free_environment_strings_w,
        ),
        raw(
            "GetEnvironmentVariableA",
            3,
            environment::get_environment_variable_a,
        ),
        raw(
            "SetEnvironmentVariableA",
            2,
            environment::set_environment_variable_a,
        ),
        // sync.rs
        raw("TlsAlloc", 0, sync::tls_alloc),
        raw("TlsFree", 1, sync::tls_free),
        raw("TlsGetValue", 1, sync::tls_get_value),
        raw("TlsSetValue", 2, sync::tls_set_value),
        raw(
            "InitializeCriticalSection",
            1,
            sync::initialize_critical_section,
        ),
        raw("DeleteCriticalSection", 1, sync::delete_critical_section),
        raw("EnterCriticalSection", 1, sync::enter_critical_section),
        raw("LeaveCriticalSection", 1, sync::leave_critical_section),
        raw(
            "TryEnterCriticalSection",
            1,
            sync::try_enter_critical_section,
        ),
        raw("InterlockedIncrement", 1, sync::interlocked_increment),
        raw("InterlockedDecrement", 1, sync::interlocked_decrement),
        raw("InterlockedExchange", 2, sync::interlocked_exchange),
        raw("InterlockedExchangeAdd", 2, sync::interlocked_exchange_add),
        raw(
            "InterlockedCompareExchange",
            3,
            sync::interlocked_compare_exchange,
        ),
        // global.rs
        raw("GlobalAlloc", 2, global::alloc),
        raw("GlobalFree", 1, global::free),
        raw("GlobalSize", 1, global::size),
        raw("GlobalLock", 1, global::lock),
        raw("GlobalUnlock", 1, global::unlock),
        raw("LocalAlloc", 2, global::alloc),
        raw("LocalFree", 1, global::free),
        raw("LocalSize", 1, global::size),
        raw("LocalLock", 1, global::lock),
        raw("LocalUnlock", 1, global::unlock),
        // module.rs
        <module::LoadLibraryA>::EXPORT,
        <module::LoadLibraryW>::EXPORT,
        <module::LoadLibraryExA>::EXPORT,
        <module::LoadLibraryExW>::EXPORT,
        <module::GetModuleHandleA>::EXPORT,
        <module::GetModuleHandleW>::EXPORT,
        <module::GetProcAddress>::EXPORT,
        <module::GetModuleFileNameA>::EXPORT,
        <module::GetModuleFileNameW>::EXPORT,
        <module::FreeLibrary>::EXPORT,
        // ntdll.rs
        <ntdll::seh::RaiseException>::EXPORT,
        <ntdll::seh::RtlUnwind>::EXPORT,
        <ntdll::seh::UnhandledExceptionFilter>::EXPORT,
        <ntdll::seh::SetUnhandledExceptionFilter>::EXPORT,
        // processor.rs
        <processor::IsProcessorFeaturePresent>::EXPORT,
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

/// Reads an optional object or file name: None for NULL or "". A name longer than MAX_PATH
/// is ERROR_FILENAME_EXCED_RANGE, as kernel32's conversion through the TEB's static buffer
/// makes it, never silently cut.
fn optional_name(call: &mut ApiCall<'_>, ptr: u32) -> Result<Option<String>, ApiReturn> {
    if ptr == 0 {
        return Ok(None);
    }
    let name = match call.read_c_string(ptr, MAX_PATH + 1) {
        Ok(n) => n,
        Err(_) => return Err(bad_pointer(call)),
    };
    if name.len() > MAX_PATH {
        return Err(call.fail_win32(Win32Error(206), 0));
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

/// The create-or-open shared by CreateEventA, CreateMutexA and CreateSemaphoreA.
fn create_dispatcher_object(
    call: &mut ApiCall<'_>,
    sa: u32,
    name_ptr: u32,
    spec: NamedObjectSpec,
    access: AccessMask,
) -> ApiReturn {
    let Ok(inherit) = inherit_from_security_attributes(call, sa) else {
        return bad_pointer(call);
    };
    let name = match optional_name(call, name_ptr) {
        Ok(n) => n,
        Err(failed) => return failed,
    };
    let objects = call.machine.objects().clone();
    let result = match name {
        Some(name) => match call.process_mut() {
            Some(p) => objects
                .create_named(
                    p.handle_table_mut(),
                    &name,
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

fn create_event_a(call: &mut ApiCall<'_>) -> ApiReturn {
    let spec = NamedObjectSpec::Event {
        event_type: if call.arg(1) != 0 {
            EventType::Notification
        } else {
            EventType::Synchronization
        },
        initial_state: call.arg(2) != 0,
    };
    let (sa, name) = (call.arg(0), call.arg(3));
    create_dispatcher_object(call, sa, name, spec, AccessMask::EVENT_ALL_ACCESS)
}

fn create_mutex_a(call: &mut ApiCall<'_>) -> ApiReturn {
    let spec = NamedObjectSpec::Mutant {
        initial_owner: (call.arg(1) != 0).then(|| owner(call)),
    };
    let (sa, name) = (call.arg(0), call.arg(2));
    create_dispatcher_object(call, sa, name, spec, AccessMask::MUTANT_ALL_ACCESS)
}

fn create_semaphore_a(call: &mut ApiCall<'_>) -> ApiReturn {
    let spec = NamedObjectSpec::Semaphore {
        initial_count: call.arg(1) as i32,
        maximum_count: call.arg(2) as i32,
    };
    let (sa, name) = (call.arg(0), call.arg(3));
    create_dispatcher_object(call, sa, name, spec, AccessMask::SEMAPHORE_ALL_ACCESS)
}

fn open_named(call: &mut ApiCall<'_>, object_type: ObjectType) -> ApiReturn {
    let (access, inherit, name_ptr) = (AccessMask(call.arg(0)), call.arg(1) != 0, call.arg(2));
    let name = match optional_name(call, name_ptr) {
        Ok(Some(n)) => n,
        Ok(None) => return call.fail(NtStatus::INVALID_PARAMETER),
        Err(failed) => return failed,
    };
    let objects = call.machine.objects().clone();
    let result = match call.process_mut() {
        Some(p) => objects.open_named(
            p.handle_table_mut(),
            &name,
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

fn open_event_a(call: &mut ApiCall<'_>) -> ApiReturn {
    open_named(call, ObjectType::Event)
}

fn open_mutex_a(call: &mut ApiCall<'_>) -> ApiReturn {
    open_named(call, ObjectType::Mutant)
}

fn open_semaphore_a(call: &mut ApiCall<'_>) -> ApiReturn {
    open_named(call, ObjectType::Semaphore)
}

fn with_object(
    call: &mut ApiCall<'_>,
    access: AccessMask,
    object_type: ObjectType,
    f: impl FnOnce(&Object) -> Result<u32, ObjectError>,
) -> ApiReturn {
    let handle = Handle(call.arg(0));
    match call
        .reference(handle, access, Some(object_type))
        .and_then(|o| f(&o))
    {
        Ok(v) => ok(v),
        Err(e) => object_failure(call, e),
    }
}

fn set_event(call: &mut ApiCall<'_>) -> ApiReturn {
    with_object(
        call,
        AccessMask::EVENT_MODIFY_STATE,
        ObjectType::Event,
        |o| o.set_event().map(|_| 1),
    )
}

fn reset_event(call: &mut ApiCall<'_>) -> ApiReturn {
    with_object(
        call,
        AccessMask::EVENT_MODIFY_STATE,
        ObjectType::Event,
        |o| o.reset_event().map(|_| 1),
    )
}

fn pulse_event(call: &mut ApiCall<'_>) -> ApiReturn {
    with_object(
        call,
        AccessMask::EVENT_MODIFY_STATE,
        ObjectType::Event,
        |o| o.pulse_event().map(|_| 1),
    )
}

fn release_mutex(call: &mut ApiCall<'_>) -> ApiReturn {
    let me = owner(call);
    with_object(call, AccessMask(0), ObjectType::Mutant, |o| {
        o.release_mutant(me).map(|_| 1)
    })
}

fn release_semaphore(call: &mut ApiCall<'_>) -> ApiReturn {
    let (count, previous_ptr) = (call.arg(1) as i32, call.arg(2));
    let handle = Handle(call.arg(0));
    if call.probe_optional(previous_ptr, 4).is_err() {
        return bad_pointer(call);
    }
    let result = call
        .reference(
            handle,
            AccessMask::SEMAPHORE_MODIFY_STATE,
            Some(ObjectType::Semaphore),
        )
        .and_then(|o| o.release_semaphore(count));
    match result {
        Ok(previous) => match call.write_out_u32(previous_ptr, previous) {
            Ok(()) => ok(1),
            Err(_) => bad_pointer(call),
        },
        Err(e) => object_failure(call, e),
    }
}

fn close_handle(call: &mut ApiCall<'_>) -> ApiReturn {
    let handle = Handle(call.arg(0));
    if handle.is_pseudo() {
        return ok(1);
    }
    let result = match call.process_mut() {
        Some(p) => p.handle_table_mut().close(handle),
        None => Err(ObjectError::InvalidHandle),
    };
    match result {
        Ok(()) => ok(1),
        Err(e) => object_failure(call, e),
    }
}

fn duplicate_handle(call: &mut ApiCall<'_>) -> ApiReturn {
    let (src_proc, src, dst_proc, out) = (
        Handle(call.arg(0)),
        Handle(call.arg(1)),
        Handle(call.arg(2)),
        call.arg(3),
    );
    let (access, inherit, options) = (
        AccessMask(call.arg(4)),
        call.arg(5) != 0,
        DuplicateOptions(call.arg(6)),
    );
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

fn get_handle_information(call: &mut ApiCall<'_>) -> ApiReturn {
    let (handle, out) = (Handle(call.arg(0)), call.arg(1));
    let result = match call.process() {
        Some(p) => p.handle_table().information(handle),
        None => Err(ObjectError::InvalidHandle),
    };
    match result {
        Ok(flags) => match call.write_u32(out, flags.0) {
            Ok(()) => ok(1),
            Err(_) => bad_pointer(call),
        },
        Err(e) => object_failure(call, e),
    }
}

fn set_handle_information(call: &mut ApiCall<'_>) -> ApiReturn {
    let (handle, mask, flags) = (
        Handle(call.arg(0)),
        HandleAttributes(call.arg(1)),
        HandleAttributes(call.arg(2)),
    );
    let result = match call.process_mut() {
        Some(p) => p.handle_table_mut().set_information(handle, mask, flags),
        None => Err(ObjectError::InvalidHandle),
    };
    match result {
        Ok(()) => ok(1),
        Err(e) => object_failure(call, e),
    }
}

fn get_last_error(call: &mut ApiCall<'_>) -> ApiReturn {
    ok(call.last_error())
}

fn set_last_error(call: &mut ApiCall<'_>) -> ApiReturn {
    let code = call.arg(0);
    call.set_last_error(code);
    ok(0)
}

/// The process's standard handle `which` (0 input, 1 output, 2 error), made on first use
/// (also for the C runtime's descriptors 0, 1 and 2).
pub fn std_handle(call: &mut ApiCall<'_>, which: usize) -> Result<Handle, ObjectError> {
    let pid = call.thread.process;
    let process_object = call.process_object().ok_or(ObjectError::InvalidHandle)?;
    if let Some(handles) = call.state.k32().std_handles.get(pid, &process_object) {
        return Ok(handles[which]);
    }
    let objects = call.machine.objects().clone();
    let mut handles = [Handle::NULL; 3];
    for (i, file) in [HostFile::Input, HostFile::Output, HostFile::Error]
        .into_iter()
        .enumerate()
    {
        let inserted = objects
            .create_executive_object(ObjectType::File, Box::new(file))
            .and_then(|object| {
                insert(
                    call,
                    &object,
                    AccessMask::GENERIC_READ | AccessMask::GENERIC_WRITE,
                    true,
                )
            });
        match inserted {
            Ok(h) => handles[i] = h,
            Err(e) => {
                // All three or none.
                if let Some(p) = call.process_mut() {
                    for h in &handles[..i] {
                        let _ = p.handle_table_mut().close(*h);
                    }
                }
                return Err(e);
            }
        }
    }
    call.state
        .k32()
        .std_handles
        .insert(pid, &process_object, handles);
    Ok(handles[which])
}

fn get_std_handle(call: &mut ApiCall<'_>) -> ApiReturn {
    let which = match call.arg(0) {
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
fn write_to_handle(call: &mut ApiCall<'_>, stream: bool) -> ApiReturn {
    let (handle, buffer, length, written_ptr) =
        (Handle(call.arg(0)), call.arg(1), call.arg(2), call.arg(3));
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
    for (at, len) in chunks() {
        let Ok(bytes) = call.read_bytes(buffer.wrapping_add(at), len as usize) else {
            return bad_pointer(call);
        };
        if let Err(status) = write_console_bytes(call, target, &bytes, stream) {
            return call.fail(status);
        }
    }
    match call.write_out_u32(written_ptr, length) {
        Ok(()) => ok(1),
        Err(_) => bad_pointer(call),
    }
}

/// Writes `data` to a console handle's target: the screen buffer it names and, with
/// `stream` (WriteFile), the host's stdout or stderr too, as a redirected handle's bytes;
/// without it (WriteConsoleA/W) the screen buffer only.
fn write_console_bytes(
    call: &mut ApiCall<'_>,
    target: HostFile,
    data: &[u8],
    stream: bool,
) -> Result<(), NtStatus> {
    let (sink, screen) = match (target, stream) {
        (HostFile::Output, true) => (Some(call.io().stdout.clone()), Some(0)),
        (HostFile::Error, true) => (Some(call.io().stderr.clone()), None),
        (HostFile::Output | HostFile::Error, false) => (None, Some(0)),
        (HostFile::ScreenBuffer(i), _) => (None, Some(i as usize)),
        (HostFile::Input, _) => return Err(NtStatus::ACCESS_DENIED),
    };
    if let Some(b) = screen.and_then(|i| call.state.k32().console.buffers.get_mut(i)) {
        b.write(data);
    }
    if let Some(sink) = &sink {
        let mut s = sink.lock();
        if s.write_all(data).is_err() || s.flush().is_err() {
            return Err(NtStatus::UNSUCCESSFUL);
        }
    }
    Ok(())
}

fn write_console_a(call: &mut ApiCall<'_>) -> ApiReturn {
    write_to_handle(call, false)
}

fn exit_process(call: &mut ApiCall<'_>) -> ApiReturn {
    ApiReturn::ExitProcess(call.arg(0))
}

fn exit_thread(call: &mut ApiCall<'_>) -> ApiReturn {
    ApiReturn::ExitThread(call.arg(0))
}

fn get_current_process(_: &mut ApiCall<'_>) -> ApiReturn {
    ok(Handle::CURRENT_PROCESS.0)
}

fn get_current_thread(_: &mut ApiCall<'_>) -> ApiReturn {
    ok(Handle::CURRENT_THREAD.0)
}

fn get_current_process_id(call: &mut ApiCall<'_>) -> ApiReturn {
    ok(call.thread.process)
}

fn get_current_thread_id(call: &mut ApiCall<'_>) -> ApiReturn {
    ok(call.thread.thread)
}

fn get_tick_count(call: &mut ApiCall<'_>) -> ApiReturn {
    ok(call.machine.clock().now_ms() as u32)
}

fn timeout(ms: u32) -> Option<Duration> {
    (ms != INFINITE).then(|| Duration::from_millis(u64::from(ms)))
}

fn sleep(call: &mut ApiCall<'_>) -> ApiReturn {
    let ms = call.arg(0);
    // A sleeping program has drawn what it wants seen.
    console::sync_console(call);
    if ms == 0 {
        return ok(0);
    }
    delay(call, timeout(ms))
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

fn wait_for_single_object(call: &mut ApiCall<'_>) -> ApiReturn {
    let (handle, ms) = (Handle(call.arg(0)), call.arg(1));
    match call.reference(handle, AccessMask::SYNCHRONIZE, None) {
        Ok(o) if !o.is_waitable() => call.fail_with(NtStatus::OBJECT_TYPE_MISMATCH, WAIT_FAILED),
        Ok(o) => ApiReturn::Wait {
            objects: vec![o],
            wait_type: WaitType::Any,
            timeout: timeout(ms),
        },
        Err(e) => call.fail_with(e.status(), WAIT_FAILED),
    }
}

fn wait_for_multiple_objects(call: &mut ApiCall<'_>) -> ApiReturn {
    let (count, handles_ptr, wait_all, ms) =
        (call.arg(0), call.arg(1), call.arg(2) != 0, call.arg(3));
    if count == 0 || count as usize > nt_object::MAXIMUM_WAIT_OBJECTS {
        return call.fail_with(NtStatus::INVALID_PARAMETER, WAIT_FAILED);
    }
    let mut objects = Vec::with_capacity(count as usize);
    for i in 0..count {
        let handle = match call.read_u32(handles_ptr.wrapping_add(4 * i)) {
            Ok(h) => Handle(h),
            Err(_) => return call.fail_with(NtStatus::ACCESS_VIOLATION, WAIT_FAILED),
        };
        match call.reference(handle, AccessMask::SYNCHRONIZE, None) {
            Ok(o) if !o.is_waitable() => {
                return call.fail_with(NtStatus::OBJECT_TYPE_MISMATCH, WAIT_FAILED);
            }
            Ok(o) => {
                if wait_all && objects.iter().any(|x: &Arc<Object>| Arc::ptr_eq(x, &o)) {
                    return call.fail_with(NtStatus::INVALID_PARAMETER_MIX, WAIT_FAILED);
                }
                objects.push(o)
            }
            Err(e) => return call.fail_with(e.status(), WAIT_FAILED),
        }
    }
    ApiReturn::Wait {
        objects,
        wait_type: if wait_all {
            WaitType::All
        } else {
            WaitType::Any
        },
        timeout: timeout(ms),
    }
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

fn create_thread(call: &mut ApiCall<'_>) -> ApiReturn {
    let (sa, stack, start, param, flags, tid_ptr) = (
        call.arg(0),
        call.arg(1),
        call.arg(2),
        call.arg(3),
        call.arg(4),
        call.arg(5),
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
    finish_thread_creation(call, result, tid_ptr)
}

fn create_remote_thread(call: &mut ApiCall<'_>) -> ApiReturn {
    let (process, sa, stack, start, param, flags, tid_ptr) = (
        Handle(call.arg(0)),
        call.arg(1),
        call.arg(2),
        call.arg(3),
        call.arg(4),
        call.arg(5),
        call.arg(6),
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
    finish_thread_creation(call, result, tid_ptr)
}

fn get_exit_code_thread(call: &mut ApiCall<'_>) -> ApiReturn {
    let (handle, out) = (Handle(call.arg(0)), call.arg(1));
    match call.machine.thread_exit_code(call.thread, handle) {
        Ok(code) => match call.write_u32(out, code) {
            Ok(()) => ok(1),
            Err(_) => bad_pointer(call),
        },
        Err(e) => kernel_failure(call, e),
    }
}

fn get_exit_code_process(call: &mut ApiCall<'_>) -> ApiReturn {
    let (handle, out) = (Handle(call.arg(0)), call.arg(1));
    match call.machine.process_exit_code(call.thread.process, handle) {
        Ok(code) => match call.write_u32(out, code) {
            Ok(()) => ok(1),
            Err(_) => bad_pointer(call),
        },
        Err(e) => kernel_failure(call, e),
    }
}

fn suspend_thread(call: &mut ApiCall<'_>) -> ApiReturn {
    let handle = Handle(call.arg(0));
    match call.machine.suspend_thread(call.thread, handle) {
        Ok(previous) => ok(previous),
        Err(e) => call.fail_with(e.status(), 0xFFFF_FFFF),
    }
}

fn resume_thread(call: &mut ApiCall<'_>) -> ApiReturn {
    let handle = Handle(call.arg(0));
    match call.machine.resume_thread(call.thread, handle) {
        Ok(previous) => ok(previous),
        Err(e) => call.fail_with(e.status(), 0xFFFF_FFFF),
    }
}

fn terminate_thread(call: &mut ApiCall<'_>) -> ApiReturn {
    let (handle, code) = (Handle(call.arg(0)), call.arg(1));
    let caller = call.thread;
    match call.machine.terminate_thread(caller, handle, code) {
        Ok(()) => boolean(true),
        Err(e) => kernel_failure(call, e),
    }
}

fn terminate_process(call: &mut ApiCall<'_>) -> ApiReturn {
    let (handle, code) = (Handle(call.arg(0)), call.arg(1));
    match call
        .machine
        .terminate_process(call.thread.process, handle, code)
    {
        Ok(()) => boolean(true),
        Err(e) => kernel_failure(call, e),
    }
}

fn open_process(call: &mut ApiCall<'_>) -> ApiReturn {
    let (access, inherit, pid) = (AccessMask(call.arg(0)), call.arg(1) != 0, call.arg(2));
    match call
        .machine
        .open_process(call.thread.process, pid, access, inherit)
    {
        Ok(h) => ok(h.0),
        Err(e) => kernel_failure(call, e),
    }
}

/// GetProcessHandleCount: first documented for Windows XP SP1; ntemu exports it on its NT 4.0
/// as an extension, since it is what KB Q246691's Performance Monitor check reads.
fn get_process_handle_count(call: &mut ApiCall<'_>) -> ApiReturn {
    let (handle, out) = (Handle(call.arg(0)), call.arg(1));
    match call
        .machine
        .process_handle_count(call.thread.process, handle)
    {
        Ok(count) => match call.write_u32(out, count) {
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

fn alloc_in(call: &mut ApiCall<'_>, pid: u32, first: usize) -> ApiReturn {
    let (addr, size, kind, protect) = (
        call.arg(first),
        call.arg(first + 1),
        call.arg(first + 2),
        call.arg(first + 3),
    );
    let result = match call.machine.process_mut(pid) {
        Some(p) => p
            .address_space_mut()
            .allocate(addr, size, AllocationType(kind), PageProtection(protect))
            .map_err(|e| e.status()),
        None => Err(NtStatus::PROCESS_IS_TERMINATING),
    };
    match result {
        Ok((base, _)) => ok(base),
        Err(status) => call.fail(status),
    }
}

fn virtual_alloc(call: &mut ApiCall<'_>) -> ApiReturn {
    let pid = call.thread.process;
    alloc_in(call, pid, 0)
}

fn virtual_alloc_ex(call: &mut ApiCall<'_>) -> ApiReturn {
    match target_process(call, Handle(call.arg(0)), AccessMask::PROCESS_VM_OPERATION) {
        Ok(pid) => alloc_in(call, pid, 1),
        Err(r) => r,
    }
}

fn free_in(call: &mut ApiCall<'_>, pid: u32, first: usize) -> ApiReturn {
    let (addr, size, kind) = (call.arg(first), call.arg(first + 1), call.arg(first + 2));
    let result = match call.machine.process_mut(pid) {
        Some(p) => p
            .address_space_mut()
            .free(addr, size, FreeType(kind))
            .map_err(|e| e.status()),
        None => Err(NtStatus::PROCESS_IS_TERMINATING),
    };
    match result {
        Ok(_) => ok(1),
        Err(status) => call.fail(status),
    }
}

fn virtual_free(call: &mut ApiCall<'_>) -> ApiReturn {
    let pid = call.thread.process;
    free_in(call, pid, 0)
}

fn virtual_free_ex(call: &mut ApiCall<'_>) -> ApiReturn {
    match target_process(call, Handle(call.arg(0)), AccessMask::PROCESS_VM_OPERATION) {
        Ok(pid) => free_in(call, pid, 1),
        Err(r) => r,
    }
}

fn protect_in(call: &mut ApiCall<'_>, pid: u32, first: usize) -> ApiReturn {
    let (addr, size, protect, old_ptr) = (
        call.arg(first),
        call.arg(first + 1),
        call.arg(first + 2),
        call.arg(first + 3),
    );
    // lpflOldProtect is required: NULL or unwritable fails before anything changes.
    if call.probe_write(old_ptr, 4).is_err() {
        return bad_pointer(call);
    }
    let result = match call.machine.process_mut(pid) {
        Some(p) => p
            .address_space_mut()
            .protect(addr, size, PageProtection(protect))
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

fn virtual_protect(call: &mut ApiCall<'_>) -> ApiReturn {
    let pid = call.thread.process;
    protect_in(call, pid, 0)
}

fn virtual_protect_ex(call: &mut ApiCall<'_>) -> ApiReturn {
    match target_process(call, Handle(call.arg(0)), AccessMask::PROCESS_VM_OPERATION) {
        Ok(pid) => protect_in(call, pid, 1),
        Err(r) => r,
    }
}

/// sizeof(MEMORY_BASIC_INFORMATION) on a 32-bit NT.
const MBI_SIZE: u32 = 28;

fn query_in(call: &mut ApiCall<'_>, pid: u32, first: usize) -> ApiReturn {
    let (addr, out, len) = (call.arg(first), call.arg(first + 1), call.arg(first + 2));
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

fn virtual_query(call: &mut ApiCall<'_>) -> ApiReturn {
    let pid = call.thread.process;
    query_in(call, pid, 0)
}

fn virtual_query_ex(call: &mut ApiCall<'_>) -> ApiReturn {
    match target_process(
        call,
        Handle(call.arg(0)),
        AccessMask::PROCESS_QUERY_INFORMATION,
    ) {
        Ok(pid) => query_in(call, pid, 1),
        Err(r) => r,
    }
}

fn read_process_memory(call: &mut ApiCall<'_>) -> ApiReturn {
    let (process, base, buffer, size, done_ptr) = (
        Handle(call.arg(0)),
        call.arg(1),
        call.arg(2),
        call.arg(3),
        call.arg(4),
    );
    let pid = match target_process(call, process, AccessMask::PROCESS_VM_READ) {
        Ok(p) => p,
        Err(r) => return r,
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

fn write_process_memory(call: &mut ApiCall<'_>) -> ApiReturn {
    let (process, base, buffer, size, done_ptr) = (
        Handle(call.arg(0)),
        call.arg(1),
        call.arg(2),
        call.arg(3),
        call.arg(4),
    );
    let pid = match target_process(
        call,
        process,
        AccessMask(AccessMask::PROCESS_VM_WRITE.0 | AccessMask::PROCESS_VM_OPERATION.0),
    ) {
        Ok(p) => p,
        Err(r) => return r,
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

/// PROCESS_INFORMATION: hProcess, hThread, dwProcessId, dwThreadId.
fn create_process_a(call: &mut ApiCall<'_>) -> ApiReturn {
    let (app, cmd, inherit, flags, info_ptr) = (
        call.arg(0),
        call.arg(1),
        call.arg(4) != 0,
        call.arg(5),
        call.arg(9),
    );
    let name = match optional_name(call, app) {
        Ok(Some(a)) => a,
        Ok(None) => match command_line(call, cmd) {
            Ok(Some(c)) => first_token(&c),
            Ok(None) => return call.fail(NtStatus::INVALID_PARAMETER),
            Err(failed) => return failed,
        },
        Err(failed) => return failed,
    };
    if call.probe_write(info_ptr, 16).is_err() {
        return bad_pointer(call);
    }
    let Some(path) = resolve_image_name(call, &name) else {
        return call.fail(NtStatus::OBJECT_NAME_NOT_FOUND);
    };
    let child_directory = match file::child_current_directory(call, call.arg(7)) {
        Ok(d) => d,
        Err(failed) => return failed,
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(_) => return call.fail(NtStatus::OBJECT_NAME_NOT_FOUND),
    };
    let image = match pe_image::PeImage::parse(&bytes) {
        Ok(i) => i,
        Err(e) => return call.fail(e.status()),
    };
    let mut resolver = call.builtins;
    let caller = call.thread;
    let suspended = flags & nt_kernel::CREATE_SUSPENDED;
    let started = match call.machine.create_process_from_image(
        &image,
        &mut resolver,
        Some(caller.process),
        inherit,
        suspended,
    ) {
        Ok(s) => s,
        Err(e) => return kernel_failure(call, e),
    };
    // A child that inherits handles inherits the console handles too, at the same values.
    let parent = call.process_object();
    let child = call
        .machine
        .process(started.process)
        .map(|p| Arc::clone(p.object()));
    if inherit
        && let (Some(parent), Some(child)) = (&parent, &child)
        && let Some(&handles) = call.state.k32().std_handles.get(caller.process, parent)
    {
        call.state
            .k32()
            .std_handles
            .insert(started.process, child, handles);
    }
    let child_command_line = match command_line(call, cmd) {
        Ok(Some(c)) => c,
        _ => name.clone(),
    };
    if let Some(child) = &child {
        call.state.k32().process_parameters.insert(
            started.process,
            child,
            ProcessParameters {
                command_line: child_command_line,
                block: None,
            },
        );
        file::set_process_current_directory(call, started.process, child, child_directory);
        // lpEnvironment NULL: the child gets a copy of the parent's variables.
        if call.arg(7) == 0
            && let Some(parent) = call.process_object()
        {
            let variables = call
                .state
                .k32()
                .environments
                .get(caller.process, &parent)
                .map(|e| e.variables.clone())
                .unwrap_or_default();
            call.state
                .k32()
                .environments
                .get_or_default(started.process, child)
                .variables = variables;
        }
    }
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

/// Reads an optional command line.
fn command_line(call: &mut ApiCall<'_>, ptr: u32) -> Result<Option<String>, ApiReturn> {
    if ptr == 0 {
        return Ok(None);
    }
    match call.read_c_string(ptr, MAX_COMMAND_LINE + 1) {
        Ok(line) if line.len() > MAX_COMMAND_LINE => Err(call.fail_win32(Win32Error(206), 0)),
        Ok(line) if line.trim().is_empty() => Ok(None),
        Ok(line) => Ok(Some(line)),
        Err(_) => Err(bad_pointer(call)),
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

/// Resolves an image name CreateProcessA was given: a bare file name (with ".exe" added
/// when it has no extension) in the image directory. Paths are refused: the file system
/// sandbox that would give them meaning is not built yet.
fn resolve_image_name(call: &mut ApiCall<'_>, name: &str) -> Option<std::path::PathBuf> {
    if name.is_empty() || name.contains(['\\', '/', ':']) || name.contains("..") {
        return None;
    }
    let dir = call.state.k32().image_directory.as_ref()?;
    let file = if name.contains('.') {
        name.to_string()
    } else {
        format!("{name}.exe")
    };
    let wanted = file.to_ascii_lowercase();
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().to_ascii_lowercase() == wanted)
        .map(|e| e.path())
}
