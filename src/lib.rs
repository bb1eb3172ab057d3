//! ntemu runs Windows NT 4.0-era programs built for Intel x86 or DEC Alpha AXP, unmodified,
//! on a Linux host: a Wine-like compatibility layer with its own CPU interpreters and its own
//! NT executive in miniature. This crate is the embedding library.
//!
//! An [`Emulator`] is one NT machine: both CPUs, an object manager with per-process handle
//! tables, guest address spaces, and the builtin DLLs (KERNEL32, NTDLL, the C runtimes,
//! USER32, GDI32, ADVAPI32, WSOCK32). Load programs of either architecture into it, run it to
//! completion or for a budget of guest instructions or guest time, and look inside while it
//! is stopped:
//!
//! ```
//! use std::path::Path;
//! use ntemu::{Emulator, RunOutcome};
//!
//! let guests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guests");
//! let mut emulator = Emulator::builder().capture_output().build();
//! let x86 = emulator.load(&guests.join("x86/handles.exe"), &[])?;
//! let alpha = emulator.load(&guests.join("alpha/hello.exe"), &[])?;
//! emulator.run_instructions(20_000)?; // stop early and look
//! for process in emulator.processes() {
//!     println!("process {:#x} ({:?}): {} handles", process.id, process.architecture, process.handles.len());
//! }
//! assert_eq!(emulator.run()?, RunOutcome::AllExited);
//! assert_eq!(emulator.exit_code(x86), Some(0));
//! assert_eq!(emulator.exit_code(alpha), Some(7));
//! # Ok::<(), ntemu::RunError>(())
//! ```
//!
//! [`run_image`] is the one-call form (load one program, run it, report), and [`RunOptions`]
//! holds every setting the `ntemu` command line has (fault injection, quirks, clocks, traces,
//! the drive C:). The executive's parts are re-exported for deeper use:
//!
//! - [`Machine`] (from [`kernel`]): guest processes and threads of either architecture, the
//!   scheduler, CreateRemoteThread as a transaction with fault injection.
//! - [`object`]: kernel objects, per-process handle tables with NT's handle values, named
//!   objects and waits.
//! - [`memory`]: guest address spaces with NT's reserve / commit / protect / query rules.
//! - [`win32`] and the DLL crates ([`kernel32`], [`ntdll`], [`msvcrt`], [`user32`],
//!   [`gdi32`], [`advapi32`], [`wsock32`], [`version`], [`winmm`]): builtin functions declared with typed parameters, NT 4.0's
//!   export catalogues, the relay trace.

mod builtins;
mod coverage;
mod debug;
mod diagnostics;
mod drives;
mod emulator;
mod fakedll;
mod run;

pub use nt_kernel as kernel;
pub use nt_memory as memory;
pub use nt_object as object;
pub use nt_registry as registry;
pub use nt_status as status;
pub use pe_image as image;

pub use builtins::{builtin_dlls, builtins, win32_layer};
pub use display;
pub use nt_kernel::RunOutcome;
pub use nt_kernel::{
    Architecture, ClientId, CpuTier, FaultPoint, FaultTrigger, HostAction, HostSignal, KernelError,
    Machine, MachineConfig, ProcessParams, Quirks,
};
pub use nt_object::{
    AccessMask, Handle, HandleAttributes, HandleTable, Object, ObjectError, ObjectManager,
    ObjectType,
};
pub use nt_status::{NtStatus, Win32Error};
pub use run::{
    DisplayChoice, MAX_IMAGE_SIZE, MAX_KEY_SCRIPT_SIZE, MAX_RUN_FOR_SECONDS, NotAProgram,
    REGISTRY_VARIABLES, RunError, RunOptions, RunReport, RunStats, command_line, guest_environment,
    host_stream_type, is_gui_program, logon_user, machine, nt_environment, parse_clock,
    parse_desktop, parse_display, parse_run_for, parse_size, read_input_script, read_key_script,
    read_program, run_image, script_keys,
};
pub use win32;
pub use wsock32::NetworkPolicy;
pub use {advapi32, gdi32, kernel32, msvcrt, ntdll, user32, version, winmm, wsock32};

pub use coverage::{Coverage, DllCoverage, ImportCoverage, ImportStatus};
pub use debug::DebugChannels;
pub use diagnostics::{DiagnosticOptions, HandleTrace, ProcessHandleTraces};
pub use drives::{Mount, check_drive_directory};
pub use emulator::{Emulator, EmulatorBuilder, HandleInfo, ProcessInfo, STILL_ACTIVE, ThreadInfo};
