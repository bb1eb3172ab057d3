//! What the C runtimes call at start-up: version, command line, environment, start-up
//! information, module handles, code pages. The values are those of Windows NT 4.0 SP6 on a
//! U.S. English system.

use nt_object::{Handle, ObjectType};
use nt_status::{NtStatus, Win32Error};

use crate::K32;
use crate::ProcessParameters;
use win32::{ApiCall, ApiReturn, Ptr, export};

/// NT 4.0's build number.
pub const NT4_BUILD: u32 = 1381;
/// FILE_TYPE_CHAR: a character device such as the console.
pub const FILE_TYPE_CHAR: u32 = 2;
/// sizeof(OSVERSIONINFOA).
const OSVERSIONINFOA_SIZE: u32 = 148;
/// sizeof(OSVERSIONINFOEXA), which NT 4.0 SP4 and later accept too.
const OSVERSIONINFOEXA_SIZE: u32 = 156;
/// sizeof(STARTUPINFOA).
const STARTUPINFOA_SIZE: u32 = 68;
/// The service pack string NT 4.0 SP6 reports.
const CSD_VERSION: &str = "Service Pack 6";

/// GetVersion(): low word major 4, minor 0; high word the build number (bit 31 clear: NT).
#[export]
fn GetVersion(_call: &mut ApiCall<'_>) -> u32 {
    (NT4_BUILD << 16) | 4
}

/// GetVersionExA(lpVersionInformation): OSVERSIONINFOA or (NT 4.0 SP4 and later)
/// OSVERSIONINFOEXA, as NT 4.0 SP6 fills them.
#[export]
fn GetVersionExA(call: &mut ApiCall<'_>, lpVersionInformation: Ptr) -> ApiReturn {
    let info = lpVersionInformation.0;
    let size = match call.read_u32(info) {
        Ok(s) => s,
        Err(_) => return call.fail(NtStatus::ACCESS_VIOLATION),
    };
    if size != OSVERSIONINFOA_SIZE && size != OSVERSIONINFOEXA_SIZE {
        return call.fail_win32(Win32Error::INSUFFICIENT_BUFFER, 0);
    }
    let mut bytes = vec![0u8; size as usize];
    for (i, v) in [size, 4, 0, NT4_BUILD, 2].iter().enumerate() {
        bytes[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
    }
    bytes[20..20 + CSD_VERSION.len()].copy_from_slice(CSD_VERSION.as_bytes());
    if size == OSVERSIONINFOEXA_SIZE {
        bytes[148..150].copy_from_slice(&6u16.to_le_bytes()); // wServicePackMajor
        bytes[154] = 1; // wProductType: VER_NT_WORKSTATION
    }
    match call.write_bytes(info, &bytes) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// The process's parameter block in guest memory: the command line at +0, the ANSI
/// environment block (empty: two NULs) and the Unicode one after it. Made on first use.
fn parameter_block(call: &mut ApiCall<'_>) -> Result<(u32, usize), NtStatus> {
    let pid = call.thread.process;
    let object = call.process_object().ok_or(NtStatus::INVALID_HANDLE)?;
    let (command_line, image_path) = match call.state.k32().process_parameters.get(pid, &object) {
        Some(p) => {
            if let Some(block) = p.block {
                return Ok((block, p.command_line.len()));
            }
            (p.command_line.clone(), p.image_path.clone())
        }
        None => (String::new(), None),
    };
    let mut bytes = command_line.as_bytes().to_vec();
    bytes.push(0);
    bytes.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    let block = super::environment::place(call, &bytes)?;
    call.state.k32().process_parameters.insert(
        pid,
        &object,
        ProcessParameters {
            command_line: command_line.clone(),
            image_path,
            block: Some(block),
        },
    );
    Ok((block, command_line.len()))
}

/// GetCommandLineA(): the command line in the process's parameter block.
#[export]
fn GetCommandLineA(call: &mut ApiCall<'_>) -> ApiReturn {
    match parameter_block(call) {
        Ok((block, _)) => ApiReturn::Value(block),
        Err(status) => call.fail(status),
    }
}

/// GetStartupInfoA(lpStartupInfo): a zeroed STARTUPINFOA with its cb.
#[export]
fn GetStartupInfoA(call: &mut ApiCall<'_>, lpStartupInfo: Ptr) {
    let mut bytes = vec![0u8; STARTUPINFOA_SIZE as usize];
    bytes[..4].copy_from_slice(&STARTUPINFOA_SIZE.to_le_bytes());
    // GetStartupInfoA returns nothing; a bad pointer is an access violation in NT.
    let _ = call.write_bytes(lpStartupInfo.0, &bytes);
}

/// SetHandleCount(uNumber): on NT handle tables grow as needed, so it returns its argument.
#[export]
fn SetHandleCount(_call: &mut ApiCall<'_>, uNumber: u32) -> u32 {
    uNumber
}

/// GetFileType(hFile).
#[export]
fn GetFileType(call: &mut ApiCall<'_>, hFile: Handle) -> ApiReturn {
    match call.reference(hFile, nt_object::AccessMask(0), Some(ObjectType::File)) {
        Ok(o) if o.payload::<super::HostFile>().is_some() => {
            // What the host gave the process as its standard handles: the console, or a
            // file or pipe they were redirected to, as NT reports a redirected handle.
            let kind = match o.payload::<super::HostFile>() {
                Some(super::HostFile::Input) => call.state.k32().std_file_types[0],
                Some(super::HostFile::Output) => call.state.k32().std_file_types[1],
                Some(super::HostFile::Error) => call.state.k32().std_file_types[2],
                _ => FILE_TYPE_CHAR,
            };
            ApiReturn::Value(kind)
        }
        Ok(o) => ApiReturn::Value(super::file::file_type(&o).unwrap_or(0)),
        Err(e) => call.fail_with(e.status(), 0),
    }
}

/// GetACP(): the ANSI code page of a U.S. English NT, 1252.
#[export]
fn GetACP(_call: &mut ApiCall<'_>) -> u32 {
    1252
}

/// GetOEMCP(): the OEM code page of a U.S. English NT, 437.
#[export]
fn GetOEMCP(_call: &mut ApiCall<'_>) -> u32 {
    437
}

/// GetCPInfo(CodePage, lpCPInfo).
#[export]
fn GetCPInfo(call: &mut ApiCall<'_>, CodePage: u32, lpCPInfo: Ptr) -> ApiReturn {
    let (code_page, info) = (CodePage, lpCPInfo.0);
    if !matches!(code_page, 0 | 1 | 437 | 1252) {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    // CPINFO: MaxCharSize, DefaultChar[2], LeadByte[12]: a single-byte code page.
    let mut bytes = [0u8; 20];
    bytes[0] = 1;
    bytes[4] = b'?';
    match call.write_bytes(info, &bytes) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// MultiByteToWideChar(CodePage, dwFlags, lpMultiByteStr, cbMultiByte, lpWideCharStr,
/// cchWideChar): -1 converts through the terminating NUL; a zero output size asks for the
/// count; a short output buffer is ERROR_INSUFFICIENT_BUFFER.
#[export]
fn MultiByteToWideChar(
    call: &mut ApiCall<'_>,
    CodePage: u32,
    dwFlags: u32,
    lpMultiByteStr: Ptr,
    cbMultiByte: i32,
    lpWideCharStr: Ptr,
    cchWideChar: u32,
) -> ApiReturn {
    let _ = dwFlags;
    let (cp, input, in_len, output, out_len) = (
        CodePage,
        lpMultiByteStr.0,
        cbMultiByte,
        lpWideCharStr.0,
        cchWideChar,
    );
    let Some(cp) = win32::codepage::CodePage::from_argument(cp) else {
        return call.fail(NtStatus::INVALID_PARAMETER);
    };
    let bytes = match in_len {
        -1 => call.read_c_bytes(input, 0x1_0000).map(|mut b| {
            b.push(0);
            b
        }),
        n if n > 0 => call.read_bytes(input, n as usize),
        _ => return call.fail(NtStatus::INVALID_PARAMETER),
    };
    let Ok(bytes) = bytes else {
        return call.fail(NtStatus::INVALID_PARAMETER);
    };
    let units: Vec<u16> = bytes.iter().map(|&b| cp.decode(b)).collect();
    let raw: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
    call.copy_out(output, out_len, &raw, units.len() as u32)
}

/// WideCharToMultiByte(CodePage, dwFlags, lpWideCharStr, cchWideChar, lpMultiByteStr,
/// cbMultiByte, lpDefaultChar, lpUsedDefaultChar): characters the code page lacks become the
/// default character ('?' unless given) and set *lpUsedDefaultChar.
#[export]
fn WideCharToMultiByte(
    call: &mut ApiCall<'_>,
    CodePage: u32,
    dwFlags: u32,
    lpWideCharStr: Ptr,
    cchWideChar: i32,
    lpMultiByteStr: Ptr,
    cbMultiByte: u32,
    lpDefaultChar: Ptr,
    lpUsedDefaultChar: Ptr,
) -> ApiReturn {
    let _ = dwFlags;
    let (cp, input, in_len, output, out_len, default_ptr, used_ptr) = (
        CodePage,
        lpWideCharStr.0,
        cchWideChar,
        lpMultiByteStr.0,
        cbMultiByte,
        lpDefaultChar.0,
        lpUsedDefaultChar.0,
    );
    let Some(cp) = win32::codepage::CodePage::from_argument(cp) else {
        return call.fail(NtStatus::INVALID_PARAMETER);
    };
    let units: Vec<u16> = match in_len {
        -1 => {
            let mut units = Vec::new();
            let mut at = input;
            loop {
                let Ok(raw) = call.read_bytes(at, 2) else {
                    return call.fail(NtStatus::INVALID_PARAMETER);
                };
                let unit = u16::from_le_bytes([raw[0], raw[1]]);
                units.push(unit);
                if unit == 0 || units.len() > 0x1_0000 {
                    break;
                }
                at = at.wrapping_add(2);
            }
            units
        }
        n if n > 0 => match call.read_bytes(input, 2 * n as usize) {
            Ok(raw) => raw
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect(),
            Err(_) => return call.fail(NtStatus::INVALID_PARAMETER),
        },
        _ => return call.fail(NtStatus::INVALID_PARAMETER),
    };
    let default = if default_ptr != 0 {
        match call.read_bytes(default_ptr, 1) {
            Ok(b) => b[0],
            Err(_) => return call.fail(NtStatus::INVALID_PARAMETER),
        }
    } else {
        b'?'
    };
    let mut used_default = false;
    let bytes: Vec<u8> = units
        .iter()
        .map(|&u| {
            cp.encode(u).unwrap_or_else(|| {
                used_default = true;
                default
            })
        })
        .collect();
    if used_ptr != 0 && call.write_u32(used_ptr, u32::from(used_default)).is_err() {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    call.copy_out(output, out_len, &bytes, bytes.len() as u32)
}

fn fill(call: &mut ApiCall<'_>, dest: u32, len: u32, byte: u8) {
    let mut done = 0;
    while done < len {
        let n = (len - done).min(0x1_0000);
        if call
            .write_bytes(dest.wrapping_add(done), &vec![byte; n as usize])
            .is_err()
        {
            // NT raises an access violation in the caller; ntemu ends the call there.
            return;
        }
        done += n;
    }
}

/// RtlFillMemory(Destination, Length, Fill).
#[export]
fn RtlFillMemory(call: &mut ApiCall<'_>, Destination: Ptr, Length: u32, Fill: u8) {
    fill(call, Destination.0, Length, Fill)
}

/// RtlZeroMemory(Destination, Length).
#[export]
fn RtlZeroMemory(call: &mut ApiCall<'_>, Destination: Ptr, Length: u32) {
    fill(call, Destination.0, Length, 0)
}

/// RtlMoveMemory(Destination, Source, Length): overlapping ranges copy as memmove does.
#[export]
fn RtlMoveMemory(call: &mut ApiCall<'_>, Destination: Ptr, Source: Ptr, Length: u32) {
    let (dest, src, len) = (Destination.0, Source.0, Length);
    // Read it all in bounded chunks first, so an overlap cannot see its own writes.
    let mut data = Vec::new();
    let mut done = 0;
    while done < len {
        let n = (len - done).min(0x1_0000);
        match call.read_bytes(src.wrapping_add(done), n as usize) {
            Ok(b) => data.extend_from_slice(&b),
            Err(_) => return,
        }
        done += n;
    }
    let _ = call.write_bytes(dest, &data);
}

/// GetFileType for Rust callers (the C runtime's descriptors): FILE_TYPE_DISK, FILE_TYPE_CHAR
/// or FILE_TYPE_PIPE as GetFileType answers, or the error for a bad handle (FILE_TYPE_UNKNOWN
/// with the last error set).
pub fn file_type_of(call: &mut ApiCall<'_>, handle: Handle) -> Result<u32, Win32Error> {
    match GetFileType(call, handle) {
        ApiReturn::Value(0) => Err(Win32Error(call.last_error())),
        ApiReturn::Value(kind) => Ok(kind),
        _ => Err(Win32Error::INVALID_HANDLE),
    }
}
