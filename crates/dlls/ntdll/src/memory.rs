//! NTDLL's virtual memory services NtAllocateVirtualMemory and NtFreeVirtualMemory, in the
//! caller's process or another one (a handle with PROCESS_VM_OPERATION), over the address
//! spaces nt-memory keeps: the base and size are read from and written back to the caller's
//! variables, as NT rounds them.

use nt_memory::PageProtection;
use nt_object::{AccessMask, Handle};
use nt_status::NtStatus;
use win32::{ApiCall, ApiReturn, Ptr, export};

/// The most ZeroBits NT takes (the high bits of the address that must be zero, beyond the
/// top one).
const MAX_ZERO_BITS: u32 = 21;

/// The process a handle names for a memory service, with PROCESS_VM_OPERATION.
fn target(call: &ApiCall<'_>, process: Handle) -> Result<u32, NtStatus> {
    call.machine
        .reference_process(
            call.thread.process,
            process,
            AccessMask::PROCESS_VM_OPERATION,
        )
        .map_err(|e| e.status())
}

/// Reads the in/out base and size variables.
fn read_in_out(call: &ApiCall<'_>, base: Ptr, size: Ptr) -> Result<(u32, u32), NtStatus> {
    let b = call
        .read_u32(base.0)
        .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    let s = call
        .read_u32(size.0)
        .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    Ok((b, s))
}

/// Writes the base and size back.
fn write_in_out(
    call: &mut ApiCall<'_>,
    base: Ptr,
    size: Ptr,
    values: (u32, u32),
) -> Result<(), NtStatus> {
    call.write_u32(base.0, values.0)
        .and_then(|()| call.write_u32(size.0, values.1))
        .map_err(|_| NtStatus::ACCESS_VIOLATION)
}

/// NTSTATUS NtAllocateVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, ULONG
/// ZeroBits, PULONG RegionSize, ULONG AllocationType, ULONG Protect): reserves and/or commits
/// pages of the process; *BaseAddress and *RegionSize get the range as rounded.
#[export]
pub fn NtAllocateVirtualMemory(
    call: &mut ApiCall<'_>,
    ProcessHandle: Handle,
    BaseAddress: Ptr,
    ZeroBits: u32,
    RegionSize: Ptr,
    AllocationType: nt_memory::AllocationType,
    Protect: PageProtection,
) -> ApiReturn {
    let r = (|| {
        let (base, size) = read_in_out(call, BaseAddress, RegionSize)?;
        if ZeroBits > MAX_ZERO_BITS {
            return Err(NtStatus::INVALID_PARAMETER);
        }
        let pid = target(call, ProcessHandle)?;
        let done = call
            .machine
            .process_mut(pid)
            .ok_or(NtStatus::PROCESS_IS_TERMINATING)?
            .address_space_mut()
            .allocate(base, size, AllocationType, Protect)
            .map_err(|e| e.status())?;
        write_in_out(call, BaseAddress, RegionSize, done)
    })();
    ApiReturn::Value(r.err().unwrap_or(NtStatus::SUCCESS).0)
}

/// NTSTATUS NtFreeVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PULONG
/// RegionSize, ULONG FreeType): decommits pages or releases an allocation of the process;
/// *BaseAddress and *RegionSize get the range freed.
#[export]
pub fn NtFreeVirtualMemory(
    call: &mut ApiCall<'_>,
    ProcessHandle: Handle,
    BaseAddress: Ptr,
    RegionSize: Ptr,
    FreeType: nt_memory::FreeType,
) -> ApiReturn {
    let r = (|| {
        let (base, size) = read_in_out(call, BaseAddress, RegionSize)?;
        let pid = target(call, ProcessHandle)?;
        let done = call
            .machine
            .process_mut(pid)
            .ok_or(NtStatus::PROCESS_IS_TERMINATING)?
            .address_space_mut()
            .free(base, size, FreeType)
            .map_err(|e| e.status())?;
        write_in_out(call, BaseAddress, RegionSize, done)
    })();
    ApiReturn::Value(r.err().unwrap_or(NtStatus::SUCCESS).0)
}
