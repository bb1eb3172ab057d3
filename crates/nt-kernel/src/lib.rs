//! The NT executive of ntemu: a [`Machine`] holds guest processes of either architecture,
//! each with its own address space and handle table, and their threads, which a
//! deterministic scheduler runs on one host thread through a [`CpuEngine`] per architecture.
//!
//! Thread creation ([`Machine::create_remote_thread`]) is a transaction: each step has an
//! undo and a [`FaultPoint`], and a failure at any step undoes every earlier one, so the
//! handle leak of NT 4.0's CreateRemoteThread (KB Q246691) cannot happen — unless the
//! [`Quirks::nt4_remote_thread_leak`] quirk asks to reproduce it.

mod apc;
mod client_id;
mod context;
mod cpu;
mod debug;
mod details;
mod fault;
mod host_signal;
pub mod loader;
mod machine;
mod process;
pub mod system_processes;
pub mod teb;
mod timer;

pub use apc::{APC_RETURN_THUNK, STATUS_ALERTED, STATUS_USER_APC, UserApc, WaitRequest};
pub use client_id::ClientIdTable;
pub use context::{
    ALPHA_CONTEXT_FLAGS, CONTEXT_ALPHA_SIZE, CONTEXT_X86_SIZE, ContextExtras, ContextFlags,
    read_context, write_context,
};
pub use cpu::{
    ALPHA_A0, ALPHA_PV, ALPHA_RA, ALPHA_SP, ALPHA_V0, AlphaContext, AlphaEngine, Architecture,
    BASE_PROCESS_START_THUNK, BASE_THREAD_START_THUNK, CallRegisters, CpuContext, CpuEngine,
    CpuExit, CpuRun, CpuTier, EXIT_THREAD_THUNK, InlineCaller, InlineCalls, THUNK_BASE, X86_EAX,
    X86_EBP, X86_ESP, X86Context, X86Engine, X87State, describe_instruction,
    set_default_jit_threshold, set_default_x86_tier, sign_extend,
};
pub use debug::{DebugEvent, DebugEventKind};
pub use details::{
    MAXIMUM_PROCESSORS, NUMBER_OF_PROCESSORS, PriorityClass, ProcessDetails, ProcessInformation,
    SATURATE_HIGH, SATURATE_LOW, SYSTEM_AFFINITY_MASK, ThreadDetails, ThreadInformation,
    cpu_time_100ns,
};
pub use fault::{FaultPoint, FaultRegistry, FaultTrigger, Quirks};
pub use host_signal::{HostAction, HostSignal};
pub use loader::{DataFile, LoadTransaction, Module, ModuleFlags, ModuleList, TlsSlot};
pub use machine::{
    CREATE_SUSPENDED, ClientId, Clock, DEFAULT_COMMIT_LIMIT, DEFAULT_MAX_PROCESSES,
    DEFAULT_MAX_THREADS, ExitedProcess, ImageProcess, MAXIMUM_SUSPEND_COUNT, Machine,
    MachineConfig, NoServices, Pause, ProcessInformationClass, ProcessParams, REMOTE_THREAD_ACCESS,
    RunOutcome, ServiceOutcome, SystemServices, VIRTUAL_SETTLE_MS, VIRTUAL_TICK_MS,
};
pub use process::{Process, ProcessBody, STILL_ACTIVE, Thread, ThreadBody};
pub use timer::TimerApc;

use nt_memory::{Fault, MemoryError};
use nt_object::ObjectError;
use nt_status::{NtStatus, Win32Error};

/// A failure of an executive service.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KernelError {
    /// An object-manager failure (bad handle, access, type, quota...).
    #[error(transparent)]
    Object(#[from] ObjectError),
    /// An address-space failure.
    #[error(transparent)]
    Memory(#[from] MemoryError),
    /// A guest memory access the executive made on the guest's behalf faulted.
    #[error(transparent)]
    Fault(#[from] Fault),
    /// An image could not be mapped.
    #[error(transparent)]
    Image(#[from] pe_image::ImageError),
    /// An armed fault point fired.
    #[error("injected failure at {}", .0.name())]
    Injected(FaultPoint),
    /// The process has ended or is ending.
    #[error("the process is terminating")]
    ProcessTerminating,
    /// The thread has ended.
    #[error("the thread is terminating")]
    ThreadTerminating,
    /// No process or thread has that id.
    #[error("invalid client id")]
    InvalidClientId,
    /// The suspend count would pass MAXIMUM_SUSPEND_COUNT.
    #[error("suspend count exceeded")]
    SuspendCountExceeded,
    /// The machine has as many processes as [`MachineConfig::max_processes`] allows.
    #[error("the machine's limit of {0} processes is reached")]
    ProcessLimit(u32),
    /// The machine has as many threads as [`MachineConfig::max_threads`] allows.
    #[error("the machine's limit of {0} threads is reached")]
    ThreadLimit(u32),
    /// The machine has no CPU for the process's architecture.
    #[error("no CPU engine for {} guests", .0.name())]
    NoEngine(Architecture),
    /// A quirk name ntemu does not know (`--quirk`).
    #[error("unknown quirk {0:?}; known: {known}", known = Quirks::NAMES.join(", "))]
    UnknownQuirk(String),
    /// A fault-point specification that names no point (`--fault`).
    #[error("unknown fault point {0:?}; known: {known}", known = FaultPoint::names().join(", "))]
    UnknownFaultPoint(String),
    /// The service failed with this status.
    #[error("the service failed with {0}")]
    Failed(NtStatus),
    /// A fault-point specification whose call number is 0 (`--fault OP:STEP:0`).
    #[error("{0}: the call number counts from 1")]
    FaultCallZero(String),
}

impl KernelError {
    /// The NTSTATUS the native service returns.
    pub fn status(&self) -> NtStatus {
        match self {
            KernelError::Object(e) => e.status(),
            KernelError::Memory(e) => e.status(),
            KernelError::Fault(f) => f.status(),
            KernelError::Image(e) => e.status(),
            KernelError::Injected(p) => p.status(),
            KernelError::ProcessTerminating => NtStatus::PROCESS_IS_TERMINATING,
            KernelError::ThreadTerminating => NtStatus::THREAD_IS_TERMINATING,
            KernelError::InvalidClientId => NtStatus::INVALID_CID,
            KernelError::SuspendCountExceeded => NtStatus::SUSPEND_COUNT_EXCEEDED,
            KernelError::NoEngine(_) => NtStatus::NOT_SUPPORTED,
            KernelError::ProcessLimit(_) | KernelError::ThreadLimit(_) => {
                NtStatus::INSUFFICIENT_RESOURCES
            }
            KernelError::Failed(status) => *status,
            KernelError::UnknownQuirk(_)
            | KernelError::UnknownFaultPoint(_)
            | KernelError::FaultCallZero(_) => NtStatus::INVALID_PARAMETER,
        }
    }

    /// The Win32 error the kernel32 call sets.
    pub fn win32_error(&self) -> Win32Error {
        self.status().to_win32_error()
    }
}
