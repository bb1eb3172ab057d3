//! ntemu runs Windows NT 4.0-era programs built for Intel x86 or DEC Alpha AXP on a Linux
//! host. This facade crate is the embedding library: it re-exports the executive's parts.
//!
//! - [`Machine`] (from [`kernel`]): guest processes and threads of either architecture, the
//!   scheduler, CreateRemoteThread as a transaction with fault injection.
//! - [`object`]: kernel objects, per-process handle tables with NT's handle values, named
//!   objects and waits.
//! - [`memory`]: guest address spaces with NT's reserve / commit / protect / query rules.

mod builtins;
mod coverage;
mod debug;
mod diagnostics;
mod emulator;
mod run;

pub use nt_kernel as kernel;
pub use nt_memory as memory;
pub use nt_object as object;
pub use nt_status as status;
pub use pe_image as image;

pub use builtins::{builtin_dlls, builtins, win32_layer};
pub use nt_kernel::{
    Architecture, ClientId, FaultPoint, FaultTrigger, KernelError, Machine, MachineConfig,
    ProcessParams, Quirks,
};
pub use nt_object::{
    AccessMask, Handle, HandleAttributes, HandleTable, Object, ObjectError, ObjectManager,
    ObjectType,
};
pub use nt_status::{NtStatus, Win32Error};
pub use run::{RunError, RunOptions, RunReport, RunStats, machine, parse_clock, run_image};
pub use win32;
pub use {advapi32, gdi32, kernel32, msvcrt, ntdll, user32};

pub use coverage::{Coverage, DllCoverage, ImportCoverage, ImportStatus};
pub use debug::{DebugChannels, DebugSpecError};
pub use diagnostics::{DiagnosticOptions, HandleTrace, ProcessHandleTraces};
pub use emulator::{Emulator, EmulatorBuilder, HandleInfo, ProcessInfo, STILL_ACTIVE, ThreadInfo};
