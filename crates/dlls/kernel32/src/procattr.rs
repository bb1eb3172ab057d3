//! Windows Vista's process and thread attribute lists: InitializeProcThreadAttributeList,
//! UpdateProcThreadAttribute, DeleteProcThreadAttributeList, and what CreateProcess does
//! with a list given through STARTUPINFOEX (EXTENDED_STARTUPINFO_PRESENT).
//!
//! NT 4.0's KERNEL32 has none of these; they are exported beyond it (`later-exports.txt`)
//! because programs built for later Windows look them up and call them unchecked. The list
//! is laid out as Windows lays it out (programs and tests look inside it): a header of a
//! DWORD mask of the attribute numbers present, a DWORD capacity, a DWORD count, a DWORD
//! left as it was, a pointer-sized word 0, then `capacity` entries of {attribute, size,
//! pointer to the caller's value}, filled in order. The values are read when CreateProcess
//! runs, not when they are added, as on Windows.
//!
//! The attributes ntemu carries out are Vista's two for processes:
//! PROC_THREAD_ATTRIBUTE_PARENT_PROCESS (the child's parent, whose inheritable handles it
//! inherits, is the process that handle names) and PROC_THREAD_ATTRIBUTE_HANDLE_LIST (of
//! the inheritable handles, only those listed are inherited). Any other attribute is
//! ERROR_NOT_SUPPORTED, as on a Windows that does not know it.

use nt_object::{AccessMask, Handle, ObjectType};
use nt_status::Win32Error;
use win32::{ApiCall, ApiReturn, Ptr, export};

/// Bytes of the list's header: mask, capacity, count, a reserved DWORD, a reserved pointer.
const HEADER_SIZE: u32 = 20;
/// Bytes of one entry: attribute, size, value pointer.
const ENTRY_SIZE: u32 = 12;
/// Offset of the capacity in the header.
const CAPACITY_OFFSET: u32 = 4;
/// Offset of the count in the header.
const COUNT_OFFSET: u32 = 8;
/// Offset of the reserved pointer in the header.
const RESERVED_OFFSET: u32 = 16;
/// The most entries a list holds: one per attribute number the DWORD mask can record.
const MAX_ATTRIBUTES: u32 = 32;
/// PROC_THREAD_ATTRIBUTE_INPUT: the attribute is input to the call.
const ATTRIBUTE_INPUT: u32 = 0x2_0000;
/// PROC_THREAD_ATTRIBUTE_NUMBER: the attribute's number, its bit in the mask.
const ATTRIBUTE_NUMBER: u32 = 0xFFFF;
/// PROC_THREAD_ATTRIBUTE_PARENT_PROCESS: the HANDLE of the child's parent.
pub(crate) const PARENT_PROCESS: u32 = ATTRIBUTE_INPUT;
/// PROC_THREAD_ATTRIBUTE_HANDLE_LIST: the HANDLEs the child inherits.
pub(crate) const HANDLE_LIST: u32 = 2 | ATTRIBUTE_INPUT;
/// sizeof(HANDLE).
const HANDLE_SIZE: u32 = 4;
/// EXTENDED_STARTUPINFO_PRESENT: lpStartupInfo is a STARTUPINFOEX.
pub(crate) const EXTENDED_STARTUPINFO_PRESENT: u32 = 0x0008_0000;
/// sizeof(STARTUPINFOEX): a STARTUPINFO and lpAttributeList.
const STARTUPINFOEX_SIZE: u32 = 72;
/// Offset of lpAttributeList in STARTUPINFOEX.
const ATTRIBUTE_LIST_OFFSET: u32 = 68;

/// The bytes a list of `count` entries takes; None past [`MAX_ATTRIBUTES`].
fn list_size(count: u32) -> Option<u32> {
    (count <= MAX_ATTRIBUTES).then(|| HEADER_SIZE + ENTRY_SIZE * count)
}

/// Whether `size` bytes are a valid value of `attribute`: Some(false) for a bad length,
/// None for an attribute ntemu does not carry out.
fn valid_length(attribute: u32, size: u32) -> Option<bool> {
    match attribute {
        PARENT_PROCESS => Some(size == HANDLE_SIZE),
        HANDLE_LIST => Some(size != 0 && size.is_multiple_of(HANDLE_SIZE)),
        _ => None,
    }
}

/// InitializeProcThreadAttributeList(lpAttributeList, dwAttributeCount, dwFlags, lpSize)
/// (Windows Vista): with no list or a *lpSize too small for `dwAttributeCount` entries, the
/// size needed in *lpSize and ERROR_INSUFFICIENT_BUFFER; otherwise an empty list of that
/// capacity. dwFlags is reserved (ERROR_INVALID_PARAMETER unless 0), as is a count of more
/// entries than there are attribute numbers.
#[export]
fn InitializeProcThreadAttributeList(
    call: &mut ApiCall<'_>,
    lpAttributeList: Ptr,
    dwAttributeCount: u32,
    dwFlags: u32,
    lpSize: Ptr,
) -> ApiReturn {
    let Some(needed) = list_size(dwAttributeCount).filter(|_| dwFlags == 0) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let Ok(given) = call.read_u32(lpSize.0) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    if lpAttributeList.is_null() || given < needed {
        if call.write_u32(lpSize.0, needed).is_err() {
            return call.fail_win32(Win32Error::NOACCESS, 0);
        }
        return call.fail_win32(Win32Error::INSUFFICIENT_BUFFER, 0);
    }
    let list = lpAttributeList.0;
    let written = call
        .write_bytes(list, &[0; 4])
        .and_then(|()| call.write_u32(list.wrapping_add(CAPACITY_OFFSET), dwAttributeCount))
        .and_then(|()| call.write_u32(list.wrapping_add(COUNT_OFFSET), 0))
        .and_then(|()| call.write_u32(list.wrapping_add(RESERVED_OFFSET), 0));
    match written {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail_win32(Win32Error::NOACCESS, 0),
    }
}

/// UpdateProcThreadAttribute(lpAttributeList, dwFlags, Attribute, lpValue, cbSize,
/// lpPreviousValue, lpReturnSize) (Windows Vista): adds `Attribute`, whose value is the
/// `cbSize` bytes at lpValue (read when the list is used). ERROR_INVALID_PARAMETER for
/// reserved arguments given, ERROR_NOT_SUPPORTED for an attribute ntemu does not know,
/// ERROR_BAD_LENGTH for a size that does not fit it, ERROR_OBJECT_NAME_EXISTS when the list
/// has it already, ERROR_GEN_FAILURE when the list is full.
#[export]
fn UpdateProcThreadAttribute(
    call: &mut ApiCall<'_>,
    lpAttributeList: Ptr,
    dwFlags: u32,
    Attribute: u32,
    lpValue: Ptr,
    cbSize: u32,
    lpPreviousValue: Ptr,
    lpReturnSize: Ptr,
) -> ApiReturn {
    if dwFlags != 0 || !lpPreviousValue.is_null() || !lpReturnSize.is_null() {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    match valid_length(Attribute, cbSize) {
        None => return call.fail_win32(Win32Error::NOT_SUPPORTED, 0),
        Some(false) => return call.fail_win32(Win32Error::BAD_LENGTH, 0),
        Some(true) => {}
    }
    let list = lpAttributeList.0;
    let header = (
        call.read_u32(list),
        call.read_u32(list.wrapping_add(CAPACITY_OFFSET)),
        call.read_u32(list.wrapping_add(COUNT_OFFSET)),
    );
    let (Ok(mask), Ok(capacity), Ok(count)) = header else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    let bit = 1u32 << (Attribute & ATTRIBUTE_NUMBER);
    if mask & bit != 0 {
        return call.fail_win32(Win32Error::OBJECT_NAME_EXISTS, 0);
    }
    if count >= capacity.min(MAX_ATTRIBUTES) {
        return call.fail_win32(Win32Error::GEN_FAILURE, 0);
    }
    let entry = list.wrapping_add(HEADER_SIZE + ENTRY_SIZE * count);
    let mut bytes = Vec::with_capacity(ENTRY_SIZE as usize);
    for word in [Attribute, cbSize, lpValue.0] {
        bytes.extend_from_slice(&word.to_le_bytes());
    }
    let written = call
        .write_bytes(entry, &bytes)
        .and_then(|()| call.write_u32(list.wrapping_add(COUNT_OFFSET), count + 1))
        .and_then(|()| call.write_u32(list, mask | bit));
    match written {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail_win32(Win32Error::NOACCESS, 0),
    }
}

/// DeleteProcThreadAttributeList(lpAttributeList) (Windows Vista): the list holds nothing
/// of its own (its values are the caller's), so there is nothing to free.
#[export]
fn DeleteProcThreadAttributeList(_call: &mut ApiCall<'_>, lpAttributeList: Ptr) {
    let _ = lpAttributeList;
}

/// What a STARTUPINFOEX's attribute list asks of CreateProcess.
#[derive(Debug, Default)]
pub(crate) struct ProcessAttributes {
    /// PROC_THREAD_ATTRIBUTE_PARENT_PROCESS: the parent's process id.
    pub(crate) parent: Option<u32>,
    /// PROC_THREAD_ATTRIBUTE_HANDLE_LIST: the only handles the child may inherit.
    pub(crate) handle_list: Option<Vec<Handle>>,
}

/// Reads the attribute list of the STARTUPINFOEX at `startup` for CreateProcess with
/// EXTENDED_STARTUPINFO_PRESENT: ERROR_INVALID_PARAMETER for a STARTUPINFO too small to be
/// one, ERROR_NOACCESS for memory that cannot be read, ERROR_INVALID_HANDLE for a parent
/// handle that does not name a process, ERROR_ACCESS_DENIED for one without
/// PROCESS_CREATE_PROCESS access.
pub(crate) fn read_attributes(
    call: &ApiCall<'_>,
    startup: u32,
) -> Result<ProcessAttributes, Win32Error> {
    let cb = call.read_u32(startup).map_err(|_| Win32Error::NOACCESS)?;
    if cb < STARTUPINFOEX_SIZE {
        return Err(Win32Error::INVALID_PARAMETER);
    }
    let list = call
        .read_u32(startup.wrapping_add(ATTRIBUTE_LIST_OFFSET))
        .map_err(|_| Win32Error::NOACCESS)?;
    let mut attributes = ProcessAttributes::default();
    if list == 0 {
        return Ok(attributes);
    }
    let read = |at: u32| call.read_u32(at).map_err(|_| Win32Error::NOACCESS);
    let count = read(list.wrapping_add(COUNT_OFFSET))?.min(MAX_ATTRIBUTES);
    for index in 0..count {
        let entry = list.wrapping_add(HEADER_SIZE + ENTRY_SIZE * index);
        let (attribute, size, value) = (
            read(entry)?,
            read(entry.wrapping_add(4))?,
            read(entry.wrapping_add(8))?,
        );
        match attribute {
            PARENT_PROCESS => {
                let handle = Handle(read(value)?);
                let object = call
                    .reference(
                        handle,
                        AccessMask::PROCESS_CREATE_PROCESS,
                        Some(ObjectType::Process),
                    )
                    .map_err(|e| match e.status() {
                        nt_status::NtStatus::ACCESS_DENIED => Win32Error::ACCESS_DENIED,
                        _ => Win32Error::INVALID_HANDLE,
                    })?;
                let pid = object
                    .payload::<nt_kernel::ProcessBody>()
                    .map(|b| b.id())
                    .ok_or(Win32Error::INVALID_HANDLE)?;
                attributes.parent = Some(pid);
            }
            HANDLE_LIST => {
                let mut handles = Vec::new();
                for i in 0..size.min(0x1_0000) / HANDLE_SIZE {
                    handles.push(Handle(read(value.wrapping_add(HANDLE_SIZE * i))?));
                }
                attributes.handle_list = Some(handles);
            }
            _ => {}
        }
    }
    Ok(attributes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_sizes_are_the_header_and_twelve_bytes_an_entry() {
        assert_eq!(list_size(0), Some(20));
        assert_eq!(list_size(1), Some(32));
        assert_eq!(list_size(10), Some(140));
        assert_eq!(list_size(MAX_ATTRIBUTES + 1), None);
    }

    #[test]
    fn lengths_are_checked_per_attribute() {
        assert_eq!(valid_length(PARENT_PROCESS, 4), Some(true));
        assert_eq!(valid_length(PARENT_PROCESS, 8), Some(false));
        assert_eq!(valid_length(HANDLE_LIST, 16), Some(true));
        assert_eq!(valid_length(HANDLE_LIST, 15), Some(false));
        assert_eq!(valid_length(HANDLE_LIST, 0), Some(false));
        assert_eq!(valid_length(0xcafe, 4), None);
    }
}
