//! GlobalMemoryStatusEx (Windows 2000, for programs that import it): the machine's memory as
//! NtQuerySystemInformation reports it ([`ntdll::procinfo::memory_figures`]), in 64-bit
//! fields, uncapped. GlobalMemoryStatus (`sysinfo.rs`) reports the same figures capped at
//! 2 GiB - 1, as NT 4.0 does for its programs.

use nt_status::NtStatus;
use ntdll::procinfo::{USER_ADDRESS_RANGE, memory_figures};
use win32::{ApiCall, ApiReturn, Ptr, export};

/// sizeof(MEMORYSTATUSEX).
const MEMORYSTATUSEX_SIZE: u32 = 64;

/// The figures of MEMORYSTATUS(EX) after its length: memory load, then total and available
/// physical memory, commit (page file) and virtual address space, in bytes.
pub(crate) fn memory_status_ex(call: &ApiCall<'_>) -> (u32, [u64; 6]) {
    let f = memory_figures(call);
    let page = u64::from(f.page);
    let (low, high) = USER_ADDRESS_RANGE;
    let total_virtual = u64::from(high) - u64::from(low) + 1;
    let reserved = call
        .process()
        .map_or(0, |p| p.address_space().reserved_bytes());
    (
        f.memory_load(),
        [
            f.physical_pages * page,
            f.available_pages * page,
            f.commit_limit_pages * page,
            f.commit_limit_pages.saturating_sub(f.committed_pages) * page,
            total_virtual,
            total_virtual.saturating_sub(reserved),
        ],
    )
}

/// GlobalMemoryStatusEx(lpBuffer): dwLength must be sizeof(MEMORYSTATUSEX)
/// (ERROR_INVALID_PARAMETER otherwise).
#[export]
fn GlobalMemoryStatusEx(call: &mut ApiCall<'_>, lpBuffer: Ptr) -> ApiReturn {
    match call.read_u32(lpBuffer.0) {
        Ok(MEMORYSTATUSEX_SIZE) => {}
        Ok(_) => return call.fail(NtStatus::INVALID_PARAMETER),
        Err(_) => return call.fail(NtStatus::ACCESS_VIOLATION),
    }
    let (load, values) = memory_status_ex(call);
    let mut bytes = Vec::with_capacity(60);
    bytes.extend_from_slice(&load.to_le_bytes());
    for v in values {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    // ullAvailExtendedVirtual: always 0.
    bytes.extend_from_slice(&0u64.to_le_bytes());
    match call.write_bytes(lpBuffer.0 + 4, &bytes) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}
