//! What the system is: its directories (GetWindowsDirectory, GetSystemDirectory,
//! GetTempPath), its name (GetComputerName) and its memory (GlobalMemoryStatus).

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
/// as not defined); a relative value is made full, the directory is not checked, and a
/// backslash is appended when it does not end in one.
fn temp_path(call: &mut ApiCall<'_>) -> String {
    let found = ["TMP", "TEMP"]
        .iter()
        .find_map(|name| crate::environment::variable(call, name).filter(|v| !v.is_empty()));
    let path = found.unwrap_or_else(|| WINDOWS_DIRECTORY.to_string());
    // A relative value (`C:` is that drive's current directory) is made full.
    let b = path.as_bytes();
    let full = (b.len() >= 3 && b[1] == b':' && b[2] == b'\\') || path.starts_with("\\\\");
    let mut path = if full {
        path
    } else {
        crate::file::full_path_name_of(call, &path).unwrap_or(path)
    };
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

/// DWORD GetTempPathW(DWORD nBufferLength, LPWSTR lpBuffer): GetTempPathA in characters,
/// except that the buffer (up to its first 32767 characters) is cleared as NT's
/// environment lookup leaves it: after the path and its NUL when it fits, from the start
/// when it does not (the size needed is returned then).
#[export]
fn GetTempPathW(call: &mut ApiCall<'_>, nBufferLength: u32, lpBuffer: Ptr) -> ApiReturn {
    const CLEARED: u32 = 32767;
    let path = temp_path(call);
    let mut units: Vec<u16> = path.encode_utf16().collect();
    let length = units.len() as u32;
    let span = nBufferLength.min(CLEARED);
    let result = if nBufferLength > length {
        units.resize(span.max(length + 1) as usize, 0);
        length
    } else {
        units = vec![0; span as usize];
        length + 1
    };
    if lpBuffer.is_null() || units.is_empty() {
        return ApiReturn::Value(result);
    }
    let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
    match call.write_bytes(lpBuffer.0, &bytes) {
        Ok(()) => ApiReturn::Value(result),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
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
/// The most MEMORYSTATUS's physical-memory and address-space fields report: 2 GiB - 1, as
/// Windows reports them to programs that are not large-address aware (NT 4.0-era programs
/// keep these values in signed ints). The page-file fields go up to 4 GiB - 1.
const REPORTED_MAX: u64 = 0x7FFF_FFFF;
/// The most the page-file fields report.
const REPORTED_MAX_PAGE_FILE: u64 = 0xFFFF_FFFF;

/// VOID GlobalMemoryStatus(LPMEMORYSTATUS lpBuffer): dwLength 32; dwTotalPhys the host's
/// memory but no more than the machine's commit limit, dwAvailPhys that less what every
/// process has committed, dwMemoryLoad the percentage in use; dwTotalPageFile and
/// dwAvailPageFile the commit limit and what is left of it; dwTotalVirtual the user address
/// space (0x7FFE0000 bytes) and dwAvailVirtual what the process has not reserved. Physical
/// and virtual sizes above 2 GiB - 1 are reported as 2 GiB - 1, page-file sizes above 4 GiB
/// - 1 as 4 GiB - 1.
#[export]
fn GlobalMemoryStatus(call: &mut ApiCall<'_>, lpBuffer: Ptr) {
    // The figures of GlobalMemoryStatusEx, capped.
    let (load, values) = crate::memstatus::memory_status_ex(call);
    let mut bytes = MEMORYSTATUS_SIZE.to_le_bytes().to_vec();
    bytes.extend_from_slice(&load.to_le_bytes());
    for (i, v) in values.into_iter().enumerate() {
        let cap = if i == 2 || i == 3 {
            REPORTED_MAX_PAGE_FILE
        } else {
            REPORTED_MAX
        };
        bytes.extend_from_slice(&(v.min(cap) as u32).to_le_bytes());
    }
    // GlobalMemoryStatus returns nothing; a bad pointer is an access violation on NT.
    let _ = call.write_bytes(lpBuffer.0, &bytes);
}
