//! What the C runtimes call at start-up: version, command line, environment, start-up
//! information, module handles, code pages. The values are those of Windows NT 4.0 SP6 on a
//! U.S. English system.

use nt_object::{Handle, ObjectType};
use nt_status::{NtStatus, Win32Error};

use crate::K32;
use crate::ProcessParameters;
use win32::{ApiCall, ApiReturn};

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

pub(super) fn get_version(_: &mut ApiCall<'_>) -> ApiReturn {
    // Low word: major 4, minor 0; high word: the build number (bit 31 clear: NT).
    ApiReturn::Value((NT4_BUILD << 16) | 4)
}

pub(super) fn get_version_ex_a(call: &mut ApiCall<'_>) -> ApiReturn {
    let info = call.arg(0);
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
    let command_line = match call.state.k32().process_parameters.get(pid, &object) {
        Some(p) => {
            if let Some(block) = p.block {
                return Ok((block, p.command_line.len()));
            }
            p.command_line.clone()
        }
        None => String::new(),
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
            block: Some(block),
        },
    );
    Ok((block, command_line.len()))
}

pub(super) fn get_command_line_a(call: &mut ApiCall<'_>) -> ApiReturn {
    match parameter_block(call) {
        Ok((block, _)) => ApiReturn::Value(block),
        Err(status) => call.fail(status),
    }
}

pub(super) fn get_startup_info_a(call: &mut ApiCall<'_>) -> ApiReturn {
    let info = call.arg(0);
    let mut bytes = vec![0u8; STARTUPINFOA_SIZE as usize];
    bytes[..4].copy_from_slice(&STARTUPINFOA_SIZE.to_le_bytes());
    // GetStartupInfoA returns nothing; a bad pointer is an access violation in NT.
    let _ = call.write_bytes(info, &bytes);
    ApiReturn::Value(0)
}

pub(super) fn set_handle_count(call: &mut ApiCall<'_>) -> ApiReturn {
    // On NT handle tables grow as needed: the call returns its argument.
    ApiReturn::Value(call.arg(0))
}

pub(super) fn get_file_type(call: &mut ApiCall<'_>) -> ApiReturn {
    let handle = Handle(call.arg(0));
    match call.reference(handle, nt_object::AccessMask(0), Some(ObjectType::File)) {
        Ok(o) if o.payload::<super::HostFile>().is_some() => ApiReturn::Value(FILE_TYPE_CHAR),
        Ok(o) => ApiReturn::Value(super::file::file_type(&o).unwrap_or(0)),
        Err(e) => call.fail_with(e.status(), 0),
    }
}

pub(super) fn get_acp(_: &mut ApiCall<'_>) -> ApiReturn {
    ApiReturn::Value(1252)
}

pub(super) fn get_oemcp(_: &mut ApiCall<'_>) -> ApiReturn {
    ApiReturn::Value(437)
}

pub(super) fn get_cp_info(call: &mut ApiCall<'_>) -> ApiReturn {
    let (code_page, info) = (call.arg(0), call.arg(1));
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
pub(super) fn multi_byte_to_wide_char(call: &mut ApiCall<'_>) -> ApiReturn {
    let (cp, input, in_len, output, out_len) = (
        call.arg(0),
        call.arg(2),
        call.arg(3) as i32,
        call.arg(4),
        call.arg(5),
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
pub(super) fn wide_char_to_multi_byte(call: &mut ApiCall<'_>) -> ApiReturn {
    let (cp, input, in_len, output, out_len, default_ptr, used_ptr) = (
        call.arg(0),
        call.arg(2),
        call.arg(3) as i32,
        call.arg(4),
        call.arg(5),
        call.arg(6),
        call.arg(7),
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

fn fill(call: &mut ApiCall<'_>, dest: u32, len: u32, byte: u8) -> ApiReturn {
    let mut done = 0;
    while done < len {
        let n = (len - done).min(0x1_0000);
        if call
            .write_bytes(dest.wrapping_add(done), &vec![byte; n as usize])
            .is_err()
        {
            // NT raises an access violation in the caller; ntemu ends the call there.
            return ApiReturn::Value(0);
        }
        done += n;
    }
    ApiReturn::Value(0)
}

/// RtlFillMemory(Destination, Length, Fill).
pub(super) fn rtl_fill_memory(call: &mut ApiCall<'_>) -> ApiReturn {
    let (dest, len, byte) = (call.arg(0), call.arg(1), call.arg(2) as u8);
    fill(call, dest, len, byte)
}

/// RtlZeroMemory(Destination, Length).
pub(super) fn rtl_zero_memory(call: &mut ApiCall<'_>) -> ApiReturn {
    let (dest, len) = (call.arg(0), call.arg(1));
    fill(call, dest, len, 0)
}

/// RtlMoveMemory(Destination, Source, Length): overlapping ranges copy as memmove does.
pub(super) fn rtl_move_memory(call: &mut ApiCall<'_>) -> ApiReturn {
    let (dest, src, len) = (call.arg(0), call.arg(1), call.arg(2));
    // Read it all in bounded chunks first, so an overlap cannot see its own writes.
    let mut data = Vec::new();
    let mut done = 0;
    while done < len {
        let n = (len - done).min(0x1_0000);
        match call.read_bytes(src.wrapping_add(done), n as usize) {
            Ok(b) => data.extend_from_slice(&b),
            Err(_) => return ApiReturn::Value(0),
        }
        done += n;
    }
    let _ = call.write_bytes(dest, &data);
    ApiReturn::Value(0)
}
