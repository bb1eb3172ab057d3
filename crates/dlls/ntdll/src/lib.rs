//! NTDLL.dll: the native services ntemu implements, and NT's exception dispatcher
//! (KiUserExceptionDispatcher, RtlDispatchException, RtlUnwind) for x86 and Alpha guests,
//! which the layer hands every fault, processor exception and trap to ([`EXCEPTIONS`]).

pub mod registry;
pub mod seh;

use nt_kernel::{ProcessInformationClass, ServiceOutcome};
use nt_memory::Fault;
use nt_object::Handle;
use nt_status::NtStatus;
use win32::{ApiCall, ApiReturn, BuiltinDll, DllHooks, ExceptionDispatch, Ptr, export, exports};

/// NTDLL.dll.
pub static DLL: BuiltinDll = BuiltinDll {
    name: "NTDLL.dll",
    exports: exports![
        NtQueryInformationProcess,
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
        seh::RtlUnwind,
        seh::RtlUnwindRfp,
        seh::RtlLookupFunctionEntry,
        seh::RtlRaiseException,
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

/// NtQueryInformationProcess: the classes nt-kernel answers, each a ULONG; returns an
/// NTSTATUS.
#[export]
fn NtQueryInformationProcess(
    call: &mut ApiCall<'_>,
    ProcessHandle: Handle,
    ProcessInformationClass: u32,
    ProcessInformation: Ptr,
    ProcessInformationLength: u32,
    ReturnLength: Ptr,
) -> ApiReturn {
    let Some(class) = ProcessInformationClass::from_raw(ProcessInformationClass) else {
        return ApiReturn::Value(NtStatus::INVALID_INFO_CLASS.0);
    };
    if ProcessInformationLength != 4 {
        return ApiReturn::Value(NtStatus::INFO_LENGTH_MISMATCH.0);
    }
    match call
        .machine
        .query_information_process(call.thread.process, ProcessHandle, class)
    {
        Ok(value) => {
            if call.write_u32(ProcessInformation.0, value).is_err()
                || call.write_out_u32(ReturnLength.0, 4).is_err()
            {
                return ApiReturn::Value(NtStatus::ACCESS_VIOLATION.0);
            }
            ApiReturn::Value(NtStatus::SUCCESS.0)
        }
        Err(e) => ApiReturn::Value(e.status().0),
    }
}
