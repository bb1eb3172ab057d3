//! NTDLL.dll: the native services ntemu implements, and NT's exception dispatcher
//! (KiUserExceptionDispatcher, RtlDispatchException, RtlUnwind) for x86 and Alpha guests,
//! which the layer hands every fault, processor exception and trap to ([`EXCEPTIONS`]).

pub mod heap;
pub mod heap_api;
pub mod procinfo;
pub mod registry;
pub mod seh;

use nt_kernel::ServiceOutcome;
use nt_memory::Fault;
use nt_status::NtStatus;
use win32::{ApiCall, BuiltinDll, DllHooks, ExceptionDispatch, exports};

/// NTDLL.dll.
pub static DLL: BuiltinDll = BuiltinDll {
    name: "NTDLL.dll",
    exports: exports![
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
        procinfo::NtQueryInformationProcess,
        procinfo::NtSetInformationProcess,
        procinfo::NtQueryInformationThread,
        procinfo::NtSetInformationThread,
        procinfo::NtQuerySystemInformation,
        seh::RtlUnwind,
        seh::RtlUnwindRfp,
        seh::RtlLookupFunctionEntry,
        seh::RtlRaiseException,
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
    ],
    catalogue: include_str!("../nt4-exports.txt"),
    hooks: DllHooks {
        data_export: None,
        internal_thunk: Some(internal_thunk),
        process_attach: None,
    },
};

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
    seh::thunk(&mut seh::env_of(call), address)
}
