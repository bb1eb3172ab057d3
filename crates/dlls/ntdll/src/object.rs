//! Native services about objects and the system in general: NtQueryObject,
//! NtQuerySystemTime, and the version-condition helper VerSetConditionMask.

use nt_object::{AccessMask, Handle, ObjectError};
use nt_status::NtStatus;
use win32::{ApiCall, ApiReturn, Ptr, export};

/// The `\BaseNamedObjects` directory ntemu's named objects live in.
const NAMED_OBJECTS: &str = "\\BaseNamedObjects\\";

fn status(s: NtStatus) -> ApiReturn {
    ApiReturn::Value(s.0)
}

/// NTSTATUS NtQuerySystemTime(PLARGE_INTEGER SystemTime): the system time as a FILETIME
/// count of 100ns intervals since 1601.
#[export]
pub fn NtQuerySystemTime(call: &mut ApiCall<'_>, SystemTime: Ptr) -> ApiReturn {
    let now = system_time(call);
    match call.write_bytes(SystemTime.0, &now.to_le_bytes()) {
        Ok(()) => status(NtStatus::SUCCESS),
        Err(_) => status(NtStatus::ACCESS_VIOLATION),
    }
}

/// ULONG NtGetTickCount(void): milliseconds since the machine started, as GetTickCount.
#[export]
pub fn NtGetTickCount(call: &mut ApiCall<'_>) -> u32 {
    call.machine.clock().now_ms() as u32
}

/// The system time in 100ns units since 1601.
pub fn system_time(call: &ApiCall<'_>) -> u64 {
    /// 1601-01-01 to 1970-01-01 in 100ns units.
    const UNIX_EPOCH: u64 = 116_444_736_000_000_000;
    let ms = call.state.wall_clock_base_ms + call.machine.clock().now_ms();
    UNIX_EPOCH + ms * 10_000
}

/// The bit position of a VER_* type bit's three condition bits in a condition mask.
fn condition_shift(type_bit: u32) -> Option<u32> {
    Some(match type_bit {
        0x01 => 0,  // VER_MINORVERSION
        0x02 => 3,  // VER_MAJORVERSION
        0x04 => 6,  // VER_BUILDNUMBER
        0x08 => 9,  // VER_PLATFORMID
        0x10 => 12, // VER_SERVICEPACKMINOR
        0x20 => 15, // VER_SERVICEPACKMAJOR
        0x40 => 18, // VER_SUITENAME
        0x80 => 21, // VER_PRODUCT_TYPE
        _ => return None,
    })
}

/// The condition mask with `condition` (its low three bits) added for each VER_* bit of
/// `type_mask`; unchanged when either is zero.
pub fn set_condition(mask: u64, type_mask: u32, condition: u8) -> u64 {
    let condition = u64::from(condition & 7);
    if type_mask == 0 || condition == 0 {
        return mask;
    }
    (0..8)
        .filter_map(|bit| condition_shift(type_mask & (1 << bit)))
        .fold(mask, |m, shift| m | condition << shift)
}

/// The condition (VER_EQUAL ... VER_LESS_EQUAL, VER_AND/VER_OR) a mask holds for a VER_*
/// type bit.
pub fn condition_of(mask: u64, type_bit: u32) -> u8 {
    condition_shift(type_bit).map_or(0, |s| ((mask >> s) & 7) as u8)
}

/// ULONGLONG VerSetConditionMask(ULONGLONG ConditionMask, DWORD TypeMask, BYTE Condition):
/// Windows 2000's helper for VerifyVersionInfo (exported for programs that import it).
#[export]
pub fn VerSetConditionMask(
    _call: &mut ApiCall<'_>,
    ConditionMask: u64,
    TypeMask: u32,
    Condition: u32,
) -> ApiReturn {
    ApiReturn::Value64(set_condition(ConditionMask, TypeMask, Condition as u8))
}

/// NTSTATUS NtQueryObject(HANDLE Handle, OBJECT_INFORMATION_CLASS Class, PVOID
/// Information, ULONG Length, PULONG ReturnLength): ObjectBasicInformation (0, 56 bytes:
/// the handle's attributes and granted access, the object's handle and pointer counts),
/// ObjectNameInformation (1: a UNICODE_STRING and the name after it, empty for an unnamed
/// object), ObjectTypeInformation (2: the type's name as a UNICODE_STRING, then NT's counts
/// as zeros) and ObjectHandleFlagInformation (4: BOOLEAN Inherit, BOOLEAN
/// ProtectFromClose).
#[export]
pub fn NtQueryObject(
    call: &mut ApiCall<'_>,
    ObjectHandle: Handle,
    ObjectInformationClass: u32,
    ObjectInformation: Ptr,
    ObjectInformationLength: u32,
    ReturnLength: Ptr,
) -> ApiReturn {
    match query_object(
        call,
        ObjectHandle,
        ObjectInformationClass,
        ObjectInformation,
        ObjectInformationLength,
        ReturnLength,
    ) {
        Ok(s) | Err(s) => status(s),
    }
}

fn query_object(
    call: &mut ApiCall<'_>,
    handle: Handle,
    class: u32,
    out: Ptr,
    length: u32,
    return_length: Ptr,
) -> Result<NtStatus, NtStatus> {
    let object = call
        .reference(handle, AccessMask(0), None)
        .map_err(ObjectError::status)?;
    let bytes: Vec<u8> = match class {
        0 => {
            let granted = call.granted_access(handle).map_or(0, |a| a.0);
            let flags = handle_flags(call, handle);
            // OBJ_PROTECT_CLOSE (1) and OBJ_INHERIT (2), as NT keeps them in the handle.
            let attributes = u32::from(flags.1) | u32::from(flags.0) << 1;
            let words = [
                attributes,
                granted,
                object.handle_count(),
                nt_object::Object::pointer_count(&object) as u32,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
            ];
            words.iter().flat_map(|w| w.to_le_bytes()).collect()
        }
        1 => {
            let name = object
                .name()
                .map(|n| format!("{NAMED_OBJECTS}{n}"))
                .unwrap_or_default();
            unicode_string_block(out.0, &name, 8)
        }
        2 => {
            // OBJECT_TYPE_INFORMATION: the name, then 22 ULONG-sized fields of counts,
            // access masks and pool figures NT keeps (zeros here), then the name's text.
            unicode_string_block(out.0, object.object_type().name(), 0x60)
        }
        4 => {
            let (inherit, protect) = handle_flags(call, handle);
            vec![u8::from(inherit), u8::from(protect)]
        }
        _ => return Err(NtStatus::INVALID_INFO_CLASS),
    };
    let needed = bytes.len() as u32;
    if !return_length.is_null() {
        call.write_out_u32(return_length.0, needed)
            .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    }
    if length < needed {
        return Err(NtStatus::INFO_LENGTH_MISMATCH);
    }
    call.write_bytes(out.0, &bytes)
        .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    Ok(NtStatus::SUCCESS)
}

/// The handle's (inherit, protect-from-close) flags; pseudo and console handles have none.
fn handle_flags(call: &ApiCall<'_>, handle: Handle) -> (bool, bool) {
    call.process()
        .and_then(|p| p.handle_table().information(handle).ok())
        .map_or((false, false), |a| (a.inherit(), a.protect_from_close()))
}

/// A UNICODE_STRING at `at` whose text follows a `header`-byte structure that starts with
/// it: the structure (zeros after the string) and the NUL-terminated text.
fn unicode_string_block(at: u32, text: &str, header: u32) -> Vec<u8> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let length = (units.len() * 2) as u16;
    let buffer = if units.is_empty() && header == 8 {
        0
    } else {
        at.wrapping_add(header)
    };
    let mut bytes = Vec::with_capacity(header as usize + units.len() * 2 + 2);
    bytes.extend_from_slice(&length.to_le_bytes());
    bytes.extend_from_slice(&(length + 2).to_le_bytes());
    bytes.extend_from_slice(&buffer.to_le_bytes());
    bytes.resize(header as usize, 0);
    bytes.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    bytes.extend_from_slice(&[0, 0]);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn condition_masks_place_three_bits_per_type() {
        let m = set_condition(0, 0x02 | 0x01, 3);
        assert_eq!(m, 3 << 3 | 3);
        assert_eq!(condition_of(m, 0x02), 3);
        assert_eq!(set_condition(m, 0x80, 0), m);
        assert_eq!(set_condition(0, 0x80, 0x0D), 5 << 21);
        assert_eq!(condition_of(0, 0x100), 0);
    }

    #[test]
    fn names_follow_their_structure() {
        let b = unicode_string_block(0x1000, "Ab", 8);
        assert_eq!(&b[..8], &[4, 0, 6, 0, 0x08, 0x10, 0, 0]);
        assert_eq!(&b[8..], &[b'A', 0, b'b', 0, 0, 0]);
    }
}
