//! ntemu runs Windows NT 4.0-era programs built for Intel x86 or DEC Alpha AXP on a Linux
//! host. This facade crate is the embedding library: it re-exports the executive's parts.
//!
//! - [`Machine`] (from [`kernel`]): guest processes and threads of either architecture, the
//!   scheduler, CreateRemoteThread as a transaction with fault injection.
//! - [`object`]: kernel objects, per-process handle tables with NT's handle values, named
//!   objects and waits.
//! - [`memory`]: guest address spaces with NT's reserve / commit / protect / query rules.

mod run;

pub use nt_kernel as kernel;
pub use nt_memory as memory;
pub use nt_object as object;
pub use nt_status as status;

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
