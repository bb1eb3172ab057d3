//! The counted strings of the native API: ANSI_STRING and UNICODE_STRING (USHORT Length
//! and MaximumLength in bytes, then the buffer's address), and the Rtl functions that make,
//! convert and free them. Strings NTDLL allocates come from the process heap.

use nt_status::NtStatus;
use win32::codepage::CodePage;
use win32::{ApiCall, ApiReturn, Ptr, export};

use crate::file::{FileServices, services};
use crate::seh::raise_access_violation;

/// The most characters a counted string holds (its USHORT length in bytes).
const MAX_UNICODE_CHARS: usize = 0x7FFF;

/// Reads a UNICODE_STRING's text (its Length bytes; odd lengths and unpaired surrogates
/// are cut and replaced).
pub(crate) fn read_unicode_string(call: &ApiCall<'_>, at: u32) -> Result<String, NtStatus> {
    let header = call
        .read_bytes(at, 8)
        .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    let length = usize::from(u16::from_le_bytes([header[0], header[1]]));
    let buffer = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    if length == 0 {
        return Ok(String::new());
    }
    let bytes = call
        .read_bytes(buffer, length & !1)
        .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    Ok(String::from_utf16_lossy(&units))
}

/// Makes the UNICODE_STRING at `at` hold `units` (and a NUL) in a new block of the process
/// heap: the block's address, None when it cannot be had.
pub(crate) fn write_wide_string(
    call: &mut ApiCall<'_>,
    at: u32,
    units: &[u16],
    services: &FileServices,
) -> Option<u32> {
    if units.len() > MAX_UNICODE_CHARS - 1 {
        return None;
    }
    let size = 2 * units.len() as u32 + 2;
    let buffer = (services.heap_alloc)(call, size)?;
    let mut bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
    bytes.extend_from_slice(&[0, 0]);
    let mut header = Vec::with_capacity(8);
    header.extend_from_slice(&((2 * units.len()) as u16).to_le_bytes());
    header.extend_from_slice(&(size as u16).to_le_bytes());
    header.extend_from_slice(&buffer.to_le_bytes());
    if call.write_bytes(buffer, &bytes).is_err() || call.write_bytes(at, &header).is_err() {
        (services.heap_free)(call, buffer);
        return None;
    }
    Some(buffer)
}

/// RtlInitAnsiString(DestinationString, SourceString): an ANSI_STRING over a C string
/// (Length its bytes, MaximumLength one more); NULL gives the empty string. A bad pointer
/// faults as it does on NT.
#[export]
pub fn RtlInitAnsiString(
    call: &mut ApiCall<'_>,
    DestinationString: Ptr,
    SourceString: Ptr,
) -> ApiReturn {
    let length = if SourceString.is_null() {
        0
    } else {
        match call.read_c_bytes(SourceString.0, 0xFFFE) {
            Ok(b) => b.len(),
            Err(f) => return raise_access_violation(call, 2, f.addr, false),
        }
    };
    let maximum = if SourceString.is_null() {
        0
    } else {
        length + 1
    };
    let header = counted(length as u16, maximum as u16, SourceString.0);
    match call.write_bytes(DestinationString.0, &header) {
        Ok(()) => ApiReturn::Value(0),
        Err(f) => raise_access_violation(call, 2, f.addr, true),
    }
}

/// A counted string's header: Length, MaximumLength, Buffer.
fn counted(length: u16, maximum: u16, buffer: u32) -> [u8; 8] {
    let mut header = [0u8; 8];
    header[..2].copy_from_slice(&length.to_le_bytes());
    header[2..4].copy_from_slice(&maximum.to_le_bytes());
    header[4..].copy_from_slice(&buffer.to_le_bytes());
    header
}

/// A counted string's header: (Length, MaximumLength, Buffer).
fn read_header(call: &ApiCall<'_>, at: u32) -> Result<(u16, u16, u32), NtStatus> {
    let h = call
        .read_bytes(at, 8)
        .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    Ok((
        u16::from_le_bytes([h[0], h[1]]),
        u16::from_le_bytes([h[2], h[3]]),
        u32::from_le_bytes([h[4], h[5], h[6], h[7]]),
    ))
}

/// Fills the counted string at `dest` with `bytes` and a NUL (of `unit` bytes) when there
/// is room: in a new heap block (`allocate`), or in the string's own buffer, which must hold
/// `bytes` (else STATUS_BUFFER_OVERFLOW).
fn store(
    call: &mut ApiCall<'_>,
    dest: u32,
    bytes: &[u8],
    unit: usize,
    allocate: bool,
) -> Result<(), NtStatus> {
    if bytes.len() > 0xFFFF - unit {
        return Err(NtStatus::INVALID_PARAMETER);
    }
    let mut data = bytes.to_vec();
    if allocate {
        let services = services().ok_or(NtStatus::NO_MEMORY)?;
        let size = (bytes.len() + unit) as u32;
        let buffer = (services.heap_alloc)(call, size).ok_or(NtStatus::NO_MEMORY)?;
        data.resize(bytes.len() + unit, 0);
        let header = counted(bytes.len() as u16, size as u16, buffer);
        if call.write_bytes(buffer, &data).is_err() || call.write_bytes(dest, &header).is_err() {
            (services.heap_free)(call, buffer);
            return Err(NtStatus::ACCESS_VIOLATION);
        }
        return Ok(());
    }
    let (_, maximum, buffer) = read_header(call, dest)?;
    let maximum = usize::from(maximum);
    if bytes.len() > maximum {
        return Err(NtStatus(0x8000_0005)); // STATUS_BUFFER_OVERFLOW
    }
    if bytes.len() + unit <= maximum {
        data.resize(bytes.len() + unit, 0);
    }
    call.write_bytes(buffer, &data)
        .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    call.write_bytes(dest, &(bytes.len() as u16).to_le_bytes())
        .map_err(|_| NtStatus::ACCESS_VIOLATION)
}

/// RtlAnsiStringToUnicodeString(DestinationString, SourceString, AllocateDestinationString):
/// the ANSI string in the ANSI code page made UTF-16, in a new process-heap buffer or the
/// destination's own (STATUS_BUFFER_OVERFLOW when it is too small).
#[export]
pub fn RtlAnsiStringToUnicodeString(
    call: &mut ApiCall<'_>,
    DestinationString: Ptr,
    SourceString: Ptr,
    AllocateDestinationString: bool,
) -> ApiReturn {
    let r = (|| {
        let (length, _, buffer) = read_header(call, SourceString.0)?;
        let bytes = call
            .read_bytes(buffer, usize::from(length))
            .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
        let wide: Vec<u8> = bytes
            .iter()
            .flat_map(|&b| CodePage::Ansi.decode(b).to_le_bytes())
            .collect();
        store(
            call,
            DestinationString.0,
            &wide,
            2,
            AllocateDestinationString,
        )
    })();
    ApiReturn::Value(r.err().unwrap_or(NtStatus::SUCCESS).0)
}

/// RtlUnicodeStringToAnsiString(DestinationString, SourceString, AllocateDestinationString):
/// the UTF-16 string in the ANSI code page (`?` for what it cannot spell).
#[export]
pub fn RtlUnicodeStringToAnsiString(
    call: &mut ApiCall<'_>,
    DestinationString: Ptr,
    SourceString: Ptr,
    AllocateDestinationString: bool,
) -> ApiReturn {
    let r = (|| {
        let text = read_unicode_string(call, SourceString.0)?;
        let ansi = CodePage::Ansi.encode_str(&text);
        store(
            call,
            DestinationString.0,
            &ansi,
            1,
            AllocateDestinationString,
        )
    })();
    ApiReturn::Value(r.err().unwrap_or(NtStatus::SUCCESS).0)
}

/// Frees a counted string's heap buffer and clears the string.
fn free_string(call: &mut ApiCall<'_>, at: u32) -> ApiReturn {
    if let Ok((_, _, buffer)) = read_header(call, at)
        && buffer != 0
        && let Some(services) = services()
    {
        (services.heap_free)(call, buffer);
    }
    let _ = call.write_bytes(at, &[0; 8]);
    ApiReturn::Value(0)
}

/// RtlFreeUnicodeString(UnicodeString): frees a string NTDLL allocated.
#[export]
pub fn RtlFreeUnicodeString(call: &mut ApiCall<'_>, UnicodeString: Ptr) -> ApiReturn {
    free_string(call, UnicodeString.0)
}

/// RtlFreeAnsiString(AnsiString): frees a string NTDLL allocated.
#[export]
pub fn RtlFreeAnsiString(call: &mut ApiCall<'_>, AnsiString: Ptr) -> ApiReturn {
    free_string(call, AnsiString.0)
}
