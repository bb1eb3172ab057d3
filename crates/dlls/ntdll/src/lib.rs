//! NTDLL.dll: the native services ntemu implements, and NT's exception dispatcher
//! (KiUserExceptionDispatcher, RtlDispatchException, RtlUnwind) for x86 and Alpha guests,
//! which the layer hands every fault, processor exception and trap to ([`EXCEPTIONS`]).

pub mod file;
pub mod heap;
pub mod heap_api;
pub mod iocp;
pub mod memory;
pub mod object;
pub mod procinfo;
pub mod registry;
pub mod regwait;
mod rtlstr;
pub mod section;
pub mod seh;
pub mod slist;
pub mod sync;

use nt_kernel::ServiceOutcome;
use nt_memory::Fault;
use nt_status::NtStatus;
use win32::{ApiCall, BuiltinDll, DllHooks, ExceptionDispatch, exports};

/// NTDLL.dll.
pub static DLL: BuiltinDll = BuiltinDll {
    name: "NTDLL.dll",
    exports: exports![
        // file.rs: the native file services
        file::NtCreateFile,
        file::NtOpenFile,
        file::NtReadFile,
        file::NtWriteFile,
        file::NtFsControlFile,
        file::NtQueryInformationFile,
        file::NtSetInformationFile,
        file::NtQueryVolumeInformationFile,
        file::RtlDosPathNameToNtPathName_U,
        "ZwCreateFile" => file::NtCreateFile,
        "ZwOpenFile" => file::NtOpenFile,
        "ZwReadFile" => file::NtReadFile,
        "ZwWriteFile" => file::NtWriteFile,
        "ZwFsControlFile" => file::NtFsControlFile,
        "ZwQueryInformationFile" => file::NtQueryInformationFile,
        "ZwSetInformationFile" => file::NtSetInformationFile,
        "ZwQueryVolumeInformationFile" => file::NtQueryVolumeInformationFile,
        // section.rs: sections (file mappings)
        section::NtCreateSection,
        section::NtOpenSection,
        section::NtMapViewOfSection,
        section::NtUnmapViewOfSection,
        section::NtQuerySection,
        section::NtFlushVirtualMemory,
        "ZwCreateSection" => section::NtCreateSection,
        "ZwOpenSection" => section::NtOpenSection,
        "ZwMapViewOfSection" => section::NtMapViewOfSection,
        "ZwUnmapViewOfSection" => section::NtUnmapViewOfSection,
        "ZwQuerySection" => section::NtQuerySection,
        "ZwFlushVirtualMemory" => section::NtFlushVirtualMemory,
        // rtlstr.rs: counted strings
        rtlstr::RtlInitAnsiString,
        rtlstr::RtlAnsiStringToUnicodeString,
        rtlstr::RtlUnicodeStringToAnsiString,
        rtlstr::RtlFreeUnicodeString,
        rtlstr::RtlFreeAnsiString,
        registry::NtClose,
        registry::NtCreateKey,
        registry::NtDeleteKey,
        registry::NtDeleteValueKey,
        registry::NtEnumerateKey,
        registry::NtEnumerateValueKey,
        registry::NtFlushKey,
        registry::NtOpenKey,
        registry::NtQueryKey,
        registry::NtQueryValueKey,
        registry::NtSetValueKey,
        registry::RtlInitUnicodeString,
        registry::RtlNtStatusToDosError,
        "ZwClose" => registry::NtClose,
        "ZwCreateKey" => registry::NtCreateKey,
        "ZwDeleteKey" => registry::NtDeleteKey,
        "ZwDeleteValueKey" => registry::NtDeleteValueKey,
        "ZwEnumerateKey" => registry::NtEnumerateKey,
        "ZwEnumerateValueKey" => registry::NtEnumerateValueKey,
        "ZwFlushKey" => registry::NtFlushKey,
        "ZwOpenKey" => registry::NtOpenKey,
        "ZwQueryKey" => registry::NtQueryKey,
        "ZwQueryValueKey" => registry::NtQueryValueKey,
        "ZwSetValueKey" => registry::NtSetValueKey,
        // object.rs: object queries, the system time, version conditions
        object::NtQueryObject,
        object::NtQuerySystemTime,
        object::NtGetTickCount,
        object::VerSetConditionMask,
        "ZwQueryObject" => object::NtQueryObject,
        "ZwQuerySystemTime" => object::NtQuerySystemTime,
        procinfo::NtQueryInformationProcess,
        procinfo::NtSetInformationProcess,
        procinfo::NtQueryInformationThread,
        procinfo::NtSetInformationThread,
        procinfo::NtQuerySystemInformation,
        procinfo::RtlGetCurrentPeb,
        procinfo::RtlImageNtHeader,
        // sync.rs: waits, APCs, events, mutants, semaphores, timers (and their Zw aliases)
        sync::NtWaitForSingleObject,
        sync::NtWaitForMultipleObjects,
        sync::NtSignalAndWaitForSingleObject,
        sync::NtDelayExecution,
        sync::NtQueueApcThread,
        sync::NtTestAlert,
        sync::NtCreateEvent,
        sync::NtOpenEvent,
        sync::NtSetEvent,
        sync::NtResetEvent,
        sync::NtClearEvent,
        sync::NtPulseEvent,
        sync::NtQueryEvent,
        sync::NtCreateMutant,
        sync::NtOpenMutant,
        sync::NtReleaseMutant,
        sync::NtQueryMutant,
        sync::NtCreateSemaphore,
        sync::NtOpenSemaphore,
        sync::NtReleaseSemaphore,
        sync::NtQuerySemaphore,
        sync::NtCreateTimer,
        sync::NtOpenTimer,
        sync::NtSetTimer,
        sync::NtCancelTimer,
        sync::NtQueryTimer,
        "ZwWaitForSingleObject" => sync::NtWaitForSingleObject,
        "ZwWaitForMultipleObjects" => sync::NtWaitForMultipleObjects,
        "ZwSignalAndWaitForSingleObject" => sync::NtSignalAndWaitForSingleObject,
        "ZwDelayExecution" => sync::NtDelayExecution,
        "ZwQueueApcThread" => sync::NtQueueApcThread,
        "ZwTestAlert" => sync::NtTestAlert,
        sync::NtYieldExecution,
        sync::NtAlertThread,
        sync::NtAlertResumeThread,
        "ZwAlertThread" => sync::NtAlertThread,
        "ZwAlertResumeThread" => sync::NtAlertResumeThread,
        "ZwYieldExecution" => sync::NtYieldExecution,
        "ZwCreateEvent" => sync::NtCreateEvent,
        "ZwOpenEvent" => sync::NtOpenEvent,
        "ZwSetEvent" => sync::NtSetEvent,
        "ZwResetEvent" => sync::NtResetEvent,
        "ZwClearEvent" => sync::NtClearEvent,
        "ZwPulseEvent" => sync::NtPulseEvent,
        "ZwQueryEvent" => sync::NtQueryEvent,
        "ZwCreateMutant" => sync::NtCreateMutant,
        "ZwOpenMutant" => sync::NtOpenMutant,
        "ZwReleaseMutant" => sync::NtReleaseMutant,
        "ZwQueryMutant" => sync::NtQueryMutant,
        "ZwCreateSemaphore" => sync::NtCreateSemaphore,
        "ZwOpenSemaphore" => sync::NtOpenSemaphore,
        "ZwReleaseSemaphore" => sync::NtReleaseSemaphore,
        "ZwQuerySemaphore" => sync::NtQuerySemaphore,
        "ZwCreateTimer" => sync::NtCreateTimer,
        "ZwOpenTimer" => sync::NtOpenTimer,
        "ZwSetTimer" => sync::NtSetTimer,
        "ZwCancelTimer" => sync::NtCancelTimer,
        "ZwQueryTimer" => sync::NtQueryTimer,
        // iocp.rs
        iocp::NtCreateIoCompletion,
        iocp::NtSetIoCompletion,
        iocp::NtRemoveIoCompletion,
        iocp::NtQueryIoCompletion,
        iocp::NtOpenIoCompletion,
        "ZwCreateIoCompletion" => iocp::NtCreateIoCompletion,
        "ZwOpenIoCompletion" => iocp::NtOpenIoCompletion,
        "ZwSetIoCompletion" => iocp::NtSetIoCompletion,
        "ZwRemoveIoCompletion" => iocp::NtRemoveIoCompletion,
        "ZwQueryIoCompletion" => iocp::NtQueryIoCompletion,
        // memory.rs
        memory::NtAllocateVirtualMemory,
        memory::NtFreeVirtualMemory,
        "ZwAllocateVirtualMemory" => memory::NtAllocateVirtualMemory,
        "ZwFreeVirtualMemory" => memory::NtFreeVirtualMemory,
        memory::NtProtectVirtualMemory,
        memory::NtQueryVirtualMemory,
        memory::NtLockVirtualMemory,
        memory::NtUnlockVirtualMemory,
        "ZwLockVirtualMemory" => memory::NtLockVirtualMemory,
        "ZwUnlockVirtualMemory" => memory::NtUnlockVirtualMemory,
        "ZwProtectVirtualMemory" => memory::NtProtectVirtualMemory,
        "ZwQueryVirtualMemory" => memory::NtQueryVirtualMemory,
        seh::RtlUnwind,
        seh::RtlUnwindRfp,
        seh::RtlLookupFunctionEntry,
        seh::RtlRaiseException,
        seh::DbgBreakPoint,
        heap_api::RtlCreateHeap,
        heap_api::RtlDestroyHeap,
        heap_api::RtlAllocateHeap,
        heap_api::RtlFreeHeap,
        heap_api::RtlReAllocateHeap,
        heap_api::RtlSizeHeap,
        heap_api::RtlValidateHeap,
        heap_api::RtlLockHeap,
        heap_api::RtlUnlockHeap,
        heap_api::RtlCompactHeap,
        heap_api::RtlGetProcessHeaps,
        heap_api::RtlGetUserInfoHeap,
        heap_api::RtlSetUserValueHeap,
        heap_api::RtlSetUserFlagsHeap,
        heap_api::RtlWalkHeap,
        heap_api::RtlGetNtGlobalFlags,
        // regwait.rs: Windows 2000's registered waits (static imports only)
        regwait::RtlRegisterWait,
        regwait::RtlDeregisterWait,
        regwait::RtlDeregisterWaitEx,
        // slist.rs: Windows Server 2003's (later-exports.txt)
        slist::RtlInterlockedPushListSList,
    ],
    catalogue: include_str!("../nt4-exports.txt"),
    later_catalogue: include_str!("../later-exports.txt"),
    hooks: DllHooks {
        data_export: None,
        internal_thunk: Some(internal_thunk),
        process_attach: None,
        process_start: None,
    },
};

/// NTDLL's builtins with an inline version ([`win32::Builtins::add_inline`]).
pub const INLINE: &[win32::InlineExport] = &[
    win32::InlineExport {
        name: "RtlAllocateHeap",
        function: heap_api::inline_allocate,
    },
    win32::InlineExport {
        name: "RtlFreeHeap",
        function: heap_api::inline_free,
    },
];

/// The exception dispatcher, for [`win32::Win32::new`].
pub const EXCEPTIONS: ExceptionDispatch = ExceptionDispatch {
    exception: dispatch_exception,
    trap: dispatch_trap,
    fault: dispatch_fault,
};

fn dispatch_exception(call: &mut ApiCall<'_>, status: NtStatus, address: u32) -> ServiceOutcome {
    seh::exception(&mut seh::env_of(call), status, address)
}

fn dispatch_trap(call: &mut ApiCall<'_>, number: u32) -> ServiceOutcome {
    seh::trap(&mut seh::env_of(call), number)
}

fn dispatch_fault(call: &mut ApiCall<'_>, fault: Fault) -> ServiceOutcome {
    seh::fault(&mut seh::env_of(call), fault)
}

fn internal_thunk(call: &mut ApiCall<'_>, address: u32) -> Option<ServiceOutcome> {
    let seh = seh::thunk(&mut seh::env_of(call), address);
    seh.or_else(|| regwait::thunk(call, address))
}
