//! LoadStringA/W: strings of an image's string tables (RT_STRING), found with KERNEL32's
//! resource lookup in the mapped image.

use kernel32::resource::find;
use nt_status::NtStatus;
use pe_image::resources::{ResourceId, rt};
use pe_image::templates::{string_block_of, string_in_block};
use win32::codepage::CodePage;
use win32::{ApiCall, ApiReturn, Ptr, export};

/// String `id` of module `module`: its address in the mapped image and its UTF-16 units.
/// Err with the status for the last error when the image has no such block or it is
/// malformed; a string the block leaves empty is Ok with no units.
fn string_of(call: &ApiCall<'_>, module: u32, id: u32) -> Result<(u32, Vec<u16>), NtStatus> {
    let (block, index) = string_block_of(id);
    let (address, entry) = find(
        call,
        module,
        &ResourceId::Id(rt::STRING),
        &ResourceId::Id(block),
        0,
    )
    .map_err(|m| m.status())?;
    let data = call
        .read_bytes(address, entry.size as usize)
        .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    let (offset, len) =
        string_in_block(&data, index).map_err(|_| NtStatus::RESOURCE_DATA_NOT_FOUND)?;
    let units = data
        .get(offset..offset + 2 * len)
        .unwrap_or_default()
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    Ok((address.wrapping_add(offset as u32), units))
}

/// String `id` of module `module` (NULL: the program), None when it has none.
pub fn string(call: &ApiCall<'_>, module: u32, id: u32) -> Option<Vec<u16>> {
    let module = kernel32::resource::module_base(call, module)?;
    string_of(call, module, id).ok().map(|(_, units)| units)
}

/// LoadStringW(hInstance, uID, lpBuffer, cchBufferMax): copies string `uID` (at most
/// cchBufferMax - 1 characters and a NUL) and returns its length in characters; with
/// cchBufferMax 0, stores a pointer to the read-only string itself in *lpBuffer and returns
/// its length. 0 when the image has no such string.
#[export]
fn LoadStringW(
    call: &mut ApiCall<'_>,
    hInstance: u32,
    uID: u32,
    lpBuffer: Ptr,
    cchBufferMax: u32,
) -> ApiReturn {
    let (address, units) = match string_of(call, hInstance, uID) {
        Ok(s) => s,
        Err(status) => return call.fail(status),
    };
    if lpBuffer.0 == 0 {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    if cchBufferMax == 0 {
        let value = if units.is_empty() { 0 } else { address };
        return match call.write_u32(lpBuffer.0, value) {
            Ok(()) => ApiReturn::Value(units.len() as u32),
            Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
        };
    }
    let n = units.len().min(cchBufferMax as usize - 1);
    let bytes: Vec<u8> = units[..n]
        .iter()
        .chain(&[0])
        .flat_map(|u| u.to_le_bytes())
        .collect();
    match call.write_bytes(lpBuffer.0, &bytes) {
        Ok(()) => ApiReturn::Value(n as u32),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// LoadStringA(hInstance, uID, lpBuffer, cchBufferMax): string `uID` in the ANSI code page,
/// at most cchBufferMax - 1 bytes and a NUL; returns the bytes copied. 0 when the image has
/// no such string or cchBufferMax is 0.
#[export]
fn LoadStringA(
    call: &mut ApiCall<'_>,
    hInstance: u32,
    uID: u32,
    lpBuffer: Ptr,
    cchBufferMax: u32,
) -> ApiReturn {
    let (_, units) = match string_of(call, hInstance, uID) {
        Ok(s) => s,
        Err(status) => return call.fail(status),
    };
    if cchBufferMax == 0 {
        return ApiReturn::Value(0);
    }
    let mut bytes = CodePage::Ansi.encode_str(&String::from_utf16_lossy(&units));
    bytes.truncate(cchBufferMax as usize - 1);
    let n = bytes.len() as u32;
    bytes.push(0);
    match call.write_bytes(lpBuffer.0, &bytes) {
        Ok(()) => ApiReturn::Value(n),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}
