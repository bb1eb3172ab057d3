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

/// NTSTATUS NtProtectVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PULONG
/// RegionSize, ULONG NewProtect, PULONG OldProtect): changes the protection of committed
/// pages of one allocation; *BaseAddress and *RegionSize get the pages' range, *OldProtect
/// the first page's old protection.
#[export]
pub fn NtProtectVirtualMemory(
    call: &mut ApiCall<'_>,
    ProcessHandle: Handle,
    BaseAddress: Ptr,
    RegionSize: Ptr,
    NewProtect: PageProtection,
    OldProtect: Ptr,
) -> ApiReturn {
    let r = (|| {
        let (base, size) = read_in_out(call, BaseAddress, RegionSize)?;
        call.probe_write(OldProtect.0, 4)
            .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
        let pid = target(call, ProcessHandle)?;
        let space = call
            .machine
            .process_mut(pid)
            .ok_or(NtStatus::PROCESS_IS_TERMINATING)?
            .address_space_mut();
        let page = u64::from(space.page_size().bytes());
        let old = space
            .protect(base, size, NewProtect)
            .map_err(|e| e.status())?;
        let start = u64::from(base) & !(page - 1);
        let end = (u64::from(base) + u64::from(size.max(1))).div_ceil(page) * page;
        write_in_out(
            call,
            BaseAddress,
            RegionSize,
            (start as u32, (end - start) as u32),
        )?;
        call.write_u32(OldProtect.0, old.0)
            .map_err(|_| NtStatus::ACCESS_VIOLATION)
    })();
    ApiReturn::Value(r.err().unwrap_or(NtStatus::SUCCESS).0)
}

/// NTSTATUS NtQueryVirtualMemory(HANDLE ProcessHandle, PVOID BaseAddress,
/// MEMORY_INFORMATION_CLASS Class, PVOID Buffer, ULONG Length, PULONG ResultLength):
/// MemoryBasicInformation (0), the MEMORY_BASIC_INFORMATION of the address's region.
#[export]
pub fn NtQueryVirtualMemory(
    call: &mut ApiCall<'_>,
    ProcessHandle: Handle,
    BaseAddress: u32,
    MemoryInformationClass: u32,
    Buffer: Ptr,
    Length: u32,
    ResultLength: Ptr,
) -> ApiReturn {
    let r = (|| {
        if MemoryInformationClass != 0 {
            return Err(NtStatus::INVALID_INFO_CLASS);
        }
        if Length < 28 {
            return Err(NtStatus::INFO_LENGTH_MISMATCH);
        }
        let pid = call
            .machine
            .reference_process(
                call.thread.process,
                ProcessHandle,
                AccessMask::PROCESS_QUERY_INFORMATION,
            )
            .map_err(|e| e.status())?;
        let mbi = call
            .machine
            .process(pid)
            .ok_or(NtStatus::PROCESS_IS_TERMINATING)?
            .address_space()
            .query(BaseAddress)
            .map_err(|e| e.status())?;
        let fields = [
            mbi.base_address,
            mbi.allocation_base,
            mbi.allocation_protect.0,
            mbi.region_size,
            mbi.state as u32,
            mbi.protect.0,
            mbi.memory_type as u32,
        ];
        let bytes: Vec<u8> = fields.iter().flat_map(|f| f.to_le_bytes()).collect();
        call.write_bytes(Buffer.0, &bytes)
            .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
        call.write_out_u32(ResultLength.0, 28)
            .map_err(|_| NtStatus::ACCESS_VIOLATION)
    })();
    ApiReturn::Value(r.err().unwrap_or(NtStatus::SUCCESS).0)
}

/// NtLockVirtualMemory and NtUnlockVirtualMemory's work on the caller's variables.
fn lock_unlock(
    call: &mut ApiCall<'_>,
    process: Handle,
    base: Ptr,
    size: Ptr,
    lock: bool,
) -> Result<(), NtStatus> {
    let (b, s) = read_in_out(call, base, size)?;
    let pid = target(call, process)?;
    let space = call
        .machine
        .process_mut(pid)
        .ok_or(NtStatus::PROCESS_IS_TERMINATING)?
        .address_space_mut();
    let done = if lock {
        space.lock(b, s)
    } else {
        space.unlock(b, s)
    }
    .map_err(|e| e.status())?;
    write_in_out(call, base, size, done)
}

/// NTSTATUS NtLockVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PULONG
/// RegionSize, ULONG MapType): locks committed pages in memory (each is touched: a guard
/// page fails the call with STATUS_GUARD_PAGE_VIOLATION, losing its guard).
#[export]
pub fn NtLockVirtualMemory(
    call: &mut ApiCall<'_>,
    ProcessHandle: Handle,
    BaseAddress: Ptr,
    RegionSize: Ptr,
    MapType: u32,
) -> ApiReturn {
    let r = if MapType & !3 != 0 || MapType == 0 {
        Err(NtStatus::INVALID_PARAMETER)
    } else {
        lock_unlock(call, ProcessHandle, BaseAddress, RegionSize, true)
    };
    ApiReturn::Value(r.err().unwrap_or(NtStatus::SUCCESS).0)
}

/// NTSTATUS NtUnlockVirtualMemory(HANDLE ProcessHandle, PVOID *BaseAddress, PULONG
/// RegionSize, ULONG MapType): unlocks pages NtLockVirtualMemory locked
/// (STATUS_NOT_LOCKED otherwise).
#[export]
pub fn NtUnlockVirtualMemory(
    call: &mut ApiCall<'_>,
    ProcessHandle: Handle,
    BaseAddress: Ptr,
    RegionSize: Ptr,
    MapType: u32,
) -> ApiReturn {
    let r = if MapType & !3 != 0 || MapType == 0 {
        Err(NtStatus::INVALID_PARAMETER)
    } else {
        lock_unlock(call, ProcessHandle, BaseAddress, RegionSize, false)
    };
    ApiReturn::Value(r.err().unwrap_or(NtStatus::SUCCESS).0)
}
