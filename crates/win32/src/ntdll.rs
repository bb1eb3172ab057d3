//! NTDLL.dll: the native services ntemu implements.

use nt_kernel::ProcessInformationClass;
use nt_object::Handle;
use nt_status::NtStatus;

use crate::abi::CallingConvention::Stdcall;
use crate::api::{ApiCall, ApiReturn};
use crate::{BuiltinDll, Export};

/// NTDLL.dll.
pub const DLL: BuiltinDll = BuiltinDll {
    name: "NTDLL.dll",
    exports: &[
        Export {
            name: "NtQueryInformationProcess",
            ordinal: 1,
            arguments: 5,
            convention: Stdcall,
            function: nt_query_information_process,
        },
        Export {
            name: "RtlUnwind",
            ordinal: 400,
            arguments: 4,
            convention: Stdcall,
            function: crate::seh::rtl_unwind,
        },
        Export {
            name: "RtlRaiseException",
            ordinal: 401,
            arguments: 1,
            convention: Stdcall,
            function: crate::seh::rtl_raise_exception,
        },
    ],
};

/// NtQueryInformationProcess(ProcessHandle, ProcessInformationClass, ProcessInformation,
/// ProcessInformationLength, ReturnLength): returns an NTSTATUS.
fn nt_query_information_process(call: &mut ApiCall<'_>) -> ApiReturn {
    let [handle, class, buffer, length, returned] = call.args();
    let handle = Handle(handle);
    let Some(class) = ProcessInformationClass::from_raw(class) else {
        return ApiReturn::Value(NtStatus::INVALID_INFO_CLASS.0);
    };
    if length != 4 {
        return ApiReturn::Value(NtStatus::INFO_LENGTH_MISMATCH.0);
    }
    match call
        .machine
        .query_information_process(call.thread.process, handle, class)
    {
        Ok(value) => {
            if call.write_u32(buffer, value).is_err() || call.write_out_u32(returned, 4).is_err() {
                return ApiReturn::Value(NtStatus::ACCESS_VIOLATION.0);
            }
            ApiReturn::Value(NtStatus::SUCCESS.0)
        }
        Err(e) => ApiReturn::Value(e.status().0),
    }
}
