//! What the system is: its directories (GetWindowsDirectory, GetSystemDirectory,
//! GetTempPath), its name (GetComputerName) and its memory (GlobalMemoryStatus).

use nt_memory::{HIGHEST_USER_ADDRESS, LOWEST_USER_ADDRESS};
use nt_status::{NtStatus, Win32Error};

use win32::codepage::CodePage;
use win32::{ApiCall, ApiReturn, OutBuf, Ptr, export};

/// The Windows directory of ntemu's NT.
pub const WINDOWS_DIRECTORY: &str = "C:\\WINNT";
/// The system directory of ntemu's NT.
pub const SYSTEM_DIRECTORY: &str = "C:\\WINNT\\system32";
/// The machine's name (GetComputerName): at most MAX_COMPUTERNAME_LENGTH (15) characters,
/// upper case, as NT keeps it.
pub const COMPUTER_NAME: &str = "NTEMU";

/// Encodes `text` as the caller's characters: ANSI bytes, or UTF-16 units as bytes. Returns
/// the bytes and the length in characters.
fn encode(text: &str, wide: bool) -> (Vec<u8>, u32) {
    if wide {
        let units: Vec<u16> = text.encode_utf16().collect();
        let n = units.len() as u32;
        (units.iter().flat_map(|u| u.to_le_bytes()).collect(), n)
    } else {
        let bytes = CodePage::Ansi.encode_str(text);
        let n = bytes.len() as u32;
        (bytes, n)
    }
}

/// The convention of GetWindowsDirectory, GetSystemDirectory and GetTempPath: when the buffer
/// holds the string and its NUL, both are written and the length without the NUL returned;
/// otherwise nothing is written and the size needed, NUL included, is returned.
fn copy_path_out(
    call: &mut ApiCall<'_>,
    out: u32,
    capacity: u32,
    text: &str,
    wide: bool,
) -> ApiReturn {
    let (mut bytes, length) = encode(text, wide);
    if capacity <= length {
        return ApiReturn::Value(length + 1);
    }
    bytes.extend(std::iter::repeat_n(0, if wide { 2 } else { 1 }));
    match call.write_bytes(out, &bytes) {
        Ok(()) => ApiReturn::Value(length),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// UINT GetWindowsDirectoryA(LPSTR lpBuffer, UINT uSize): "C:\WINNT"; its length, or the size
/// needed (NUL included) when uSize is too small.
#[export]
fn GetWindowsDirectoryA(
    call: &mut ApiCall<'_>,
    #[size(uSize)] lpBuffer: OutBuf<u8>,
    uSize: u32,
) -> ApiReturn {
    copy_path_out(
        call,
        lpBuffer.ptr,
        lpBuffer.capacity,
        WINDOWS_DIRECTORY,
        false,
    )
}

/// UINT GetWindowsDirectoryW(LPWSTR lpBuffer, UINT uSize): GetWindowsDirectoryA in
/// characters.
#[export]
fn GetWindowsDirectoryW(
    call: &mut ApiCall<'_>,
    #[size(uSize)] lpBuffer: OutBuf<u16>,
    uSize: u32,
) -> ApiReturn {
    copy_path_out(
        call,
        lpBuffer.ptr,
        lpBuffer.capacity,
        WINDOWS_DIRECTORY,
        true,
    )
}

/// UINT GetSystemDirectoryA(LPSTR lpBuffer, UINT uSize): "C:\WINNT\system32"; its length, or
/// the size needed (NUL included) when uSize is too small.
#[export]
fn GetSystemDirectoryA(
    call: &mut ApiCall<'_>,
    #[size(uSize)] lpBuffer: OutBuf<u8>,
    uSize: u32,
) -> ApiReturn {
    copy_path_out(
        call,
        lpBuffer.ptr,
        lpBuffer.capacity,
        SYSTEM_DIRECTORY,
        false,
    )
}

/// UINT GetSystemDirectoryW(LPWSTR lpBuffer, UINT uSize): GetSystemDirectoryA in characters.
#[export]
fn GetSystemDirectoryW(
    call: &mut ApiCall<'_>,
    #[size(uSize)] lpBuffer: OutBuf<u16>,
    uSize: u32,
) -> ApiReturn {
    copy_path_out(
        call,
        lpBuffer.ptr,
        lpBuffer.capacity,
        SYSTEM_DIRECTORY,
        true,
    )
}

/// The temporary directory of the calling process as NT 4.0 finds it: the TMP environment
/// variable, else TEMP, else the Windows directory (the Win32 documentation of NT 4.0's time:
/// "Windows NT: ... 1. The path specified by the TMP environment variable. 2. The path
/// specified by the TEMP environment variable, if TMP is not defined. 3. The Windows
/// directory, if both TMP and TEMP are not defined"; a variable set to an empty value counts
/// as not defined); the directory is not checked, and a backslash is appended when it does
/// not end in one.
fn temp_path(call: &mut ApiCall<'_>) -> String {
    let found = ["TMP", "TEMP"]
        .iter()
        .find_map(|name| crate::environment::variable(call, name).filter(|v| !v.is_empty()));
    let mut path = found.unwrap_or_else(|| WINDOWS_DIRECTORY.to_string());
    if !path.ends_with('\\') {
        path.push('\\');
    }
    path
}

/// DWORD GetTempPathA(DWORD nBufferLength, LPSTR lpBuffer): the temporary directory (see
/// `temp_path`) with a trailing backslash; its length, or the size needed (NUL included) when
/// nBufferLength is too small.
#[export]
fn GetTempPathA(
    call: &mut ApiCall<'_>,
    nBufferLength: u32,
    #[size(nBufferLength)] lpBuffer: OutBuf<u8>,
) -> ApiReturn {
    let path = temp_path(call);
    copy_path_out(call, lpBuffer.ptr, lpBuffer.capacity, &path, false)
}

/// DWORD GetTempPathW(DWORD nBufferLength, LPWSTR lpBuffer): GetTempPathA in characters.
#[export]
fn GetTempPathW(
    call: &mut ApiCall<'_>,
    nBufferLength: u32,
    #[size(nBufferLength)] lpBuffer: OutBuf<u16>,
) -> ApiReturn {
    let path = temp_path(call);
    copy_path_out(call, lpBuffer.ptr, lpBuffer.capacity, &path, true)
}

/// GetComputerNameA and W: `*lpnSize` is the buffer's size in characters. When it holds the
/// name and a NUL, both are written, `*lpnSize` becomes the name's length and the result is
/// TRUE; otherwise nothing is written, `*lpnSize` becomes the size needed (NUL included) and
/// the call fails with ERROR_BUFFER_OVERFLOW.
fn computer_name(call: &mut ApiCall<'_>, buffer: Ptr, size_ptr: Ptr, wide: bool) -> ApiReturn {
    let Ok(capacity) = call.read_u32(size_ptr.0) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let (mut bytes, length) = encode(COMPUTER_NAME, wide);
    if capacity <= length {
        if call.write_u32(size_ptr.0, length + 1).is_err() {
            return call.fail(NtStatus::ACCESS_VIOLATION);
        }
        return call.fail_win32(Win32Error::BUFFER_OVERFLOW, 0);
    }
    bytes.extend(std::iter::repeat_n(0, if wide { 2 } else { 1 }));
    if call.write_bytes(buffer.0, &bytes).is_err() || call.write_u32(size_ptr.0, length).is_err() {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    ApiReturn::Value(1)
}

/// BOOL GetComputerNameA(LPSTR lpBuffer, LPDWORD lpnSize): the machine's name, "NTEMU";
/// ERROR_BUFFER_OVERFLOW with the size needed in `*lpnSize` when the buffer is short.
#[export]
fn GetComputerNameA(call: &mut ApiCall<'_>, lpBuffer: Ptr, lpnSize: Ptr) -> ApiReturn {
    computer_name(call, lpBuffer, lpnSize, false)
}

/// BOOL GetComputerNameW(LPWSTR lpBuffer, LPDWORD lpnSize): GetComputerNameA in characters.
#[export]
fn GetComputerNameW(call: &mut ApiCall<'_>, lpBuffer: Ptr, lpnSize: Ptr) -> ApiReturn {
    computer_name(call, lpBuffer, lpnSize, true)
}

/// sizeof(MEMORYSTATUS).
const MEMORYSTATUS_SIZE: u32 = 32;
/// The most any MEMORYSTATUS size field reports: 2 GiB - 1, as NT does for programs that are
/// not large-address aware (NT 4.0-era programs keep these values in signed ints).
const REPORTED_MAX: u64 = 0x7FFF_FFFF;

/// The host's physical memory in bytes (MemTotal of /proc/meminfo), if it can be read.
fn host_physical_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// The MEMORYSTATUS fields after dwLength, from the machine's commit limit and charge, the
/// host's memory and the process's reserved address space.
pub(crate) fn memory_status(
    commit_limit: u64,
    committed: u64,
    host_physical: Option<u64>,
    reserved: u64,
) -> [u32; 7] {
    // Physical memory: the host's, but no more than the machine may commit.
    let total_phys = host_physical
        .unwrap_or(commit_limit)
        .min(commit_limit)
        .max(1);
    let avail_phys = total_phys.saturating_sub(committed);
    let avail_commit = commit_limit.saturating_sub(committed);
    let total_virtual = u64::from(HIGHEST_USER_ADDRESS) + 1 - u64::from(LOWEST_USER_ADDRESS);
    let avail_virtual = total_virtual.saturating_sub(reserved);
    let load = (total_phys - avail_phys) * 100 / total_phys;
    let cap = |v: u64| v.min(REPORTED_MAX) as u32;
    [
        load as u32,
        cap(total_phys),
        cap(avail_phys),
        cap(commit_limit),
        cap(avail_commit),
        cap(total_virtual),
        cap(avail_virtual),
    ]
}

/// VOID GlobalMemoryStatus(LPMEMORYSTATUS lpBuffer): dwLength 32; dwTotalPhys the host's
/// memory but no more than the machine's commit limit, dwAvailPhys that less what every
/// process has committed, dwMemoryLoad the percentage in use; dwTotalPageFile and
/// dwAvailPageFile the commit limit and what is left of it; dwTotalVirtual the user address
/// space (0x7FFE0000 bytes) and dwAvailVirtual what the process has not reserved. Sizes above
/// 2 GiB - 1 are reported as 2 GiB - 1.
#[export]
fn GlobalMemoryStatus(call: &mut ApiCall<'_>, lpBuffer: Ptr) {
    let limit = call.machine.commit_limit();
    let (commit_limit, committed) = (limit.limit(), limit.used());
    let reserved = call
        .process()
        .map_or(0, |p| p.address_space().reserved_bytes());
    let fields = memory_status(commit_limit, committed, host_physical_memory(), reserved);
    let mut bytes = MEMORYSTATUS_SIZE.to_le_bytes().to_vec();
    for f in fields {
        bytes.extend_from_slice(&f.to_le_bytes());
    }
    // GlobalMemoryStatus returns nothing; a bad pointer is an access violation on NT.
    let _ = call.write_bytes(lpBuffer.0, &bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_status_is_consistent() {
        let gib = 1u64 << 30;
        let [load, total, avail, page, avail_page, virt, avail_virt] =
            memory_status(gib, gib / 4, Some(8 * gib), 64 << 20);
        assert_eq!(
            total as u64, gib,
            "physical memory is capped by the commit limit"
        );
        assert_eq!(avail as u64, gib * 3 / 4);
        assert_eq!(load, 25);
        assert_eq!((page as u64, avail_page as u64), (gib, gib * 3 / 4));
        assert_eq!(virt, 0x7FFE_0000);
        assert_eq!(avail_virt, 0x7FFE_0000 - (64 << 20));
        let [_, total, ..] = memory_status(4 * gib, 0, None, 0);
        assert_eq!(total, 0x7FFF_FFFF, "capped at 2 GiB - 1");
    }
}
