//! Starting and classifying programs: WinExec (CreateProcessA with a command line, as the
//! 16-bit API's successor) and GetBinaryType (what kind of program an image file holds).

use nt_memory::FreeType;
use nt_object::Handle;
use nt_status::{NtStatus, Win32Error};

use win32::{AnsiStr, ApiCall, ApiReturn, Ptr, WideStr, export};

/// WinExec's result on success (any value above 31 means success; NT returns 33).
const WINEXEC_SUCCESS: u32 = 33;

/// UINT WinExec(LPCSTR lpCmdLine, UINT uCmdShow): runs the command line as CreateProcessA
/// (no application name, handles not inherited, the caller's environment and directory)
/// would, closes the process and thread handles and returns 33. On failure it maps
/// CreateProcess's error as NT's WinExec does: ERROR_FILE_NOT_FOUND 2, ERROR_PATH_NOT_FOUND 3,
/// ERROR_BAD_EXE_FORMAT ERROR_BAD_FORMAT (11), anything else 0 (the "out of memory" of the
/// 16-bit API); the last error stays CreateProcess's. uCmdShow (the window's show state)
/// reaches the child as its STARTUPINFO's wShowWindow with STARTF_USESHOWWINDOW.
#[export]
fn WinExec(call: &mut ApiCall<'_>, lpCmdLine: Option<AnsiStr>, uCmdShow: u32) -> u32 {
    // PROCESS_INFORMATION lives in WinExec's frame on NT; here in a page of its own.
    let Ok(info) = crate::environment::place(call, &[0u8; 16]) else {
        call.set_last_error(Win32Error::NOT_ENOUGH_MEMORY.0);
        return 0;
    };
    let created = crate::create_process(
        call,
        crate::ProcessRequest {
            application: None,
            command_line: lpCmdLine.as_deref(),
            inherit: false,
            flags: 0,
            environment: Ptr::NULL,
            directory: None,
            // NT's WinExec passes the show state as STARTUPINFO.wShowWindow.
            startup: crate::startup::StartupInfo {
                flags: crate::startup::STARTF_USESHOWWINDOW,
                show_window: uCmdShow as u16,
                ..Default::default()
            },
            attributes: Default::default(),
            information: Ptr(info),
        },
    );
    let handles = (
        call.read_u32(info).unwrap_or(0),
        call.read_u32(info.wrapping_add(4)).unwrap_or(0),
    );
    let pid = call.thread.process;
    if let Some(p) = call.process_mut() {
        let _ = p.address_space_mut().free(info, 0, FreeType::RELEASE);
    }
    if matches!(created, ApiReturn::Value(v) if v != 0) {
        for h in [handles.0, handles.1] {
            let _ = call.machine.close_handle(pid, Handle(h));
        }
        return WINEXEC_SUCCESS;
    }
    match Win32Error(call.last_error()) {
        Win32Error::FILE_NOT_FOUND => 2,
        Win32Error::PATH_NOT_FOUND => 3,
        Win32Error::BAD_EXE_FORMAT => Win32Error::BAD_FORMAT.0,
        _ => 0,
    }
}

/// SCS_32BIT_BINARY: a Win32 program.
pub const SCS_32BIT_BINARY: u32 = 0;
/// SCS_DOS_BINARY: an MS-DOS program.
pub const SCS_DOS_BINARY: u32 = 1;
/// SCS_WOW_BINARY: a 16-bit Windows program.
pub const SCS_WOW_BINARY: u32 = 2;
/// SCS_PIF_BINARY: a PIF file.
pub const SCS_PIF_BINARY: u32 = 3;
/// SCS_POSIX_BINARY: a POSIX program.
pub const SCS_POSIX_BINARY: u32 = 4;
/// SCS_OS216_BINARY: a 16-bit OS/2 program.
pub const SCS_OS216_BINARY: u32 = 5;

/// GENERIC_READ.
const GENERIC_READ: u32 = 0x8000_0000;
/// FILE_SHARE_READ | FILE_SHARE_WRITE.
const SHARE_READ_WRITE: u32 = 3;
/// OPEN_EXISTING.
const OPEN_EXISTING: u32 = 3;
/// The bytes of a file GetBinaryType looks at: the MZ header and, at e_lfanew, the new
/// header's signature and what follows it as far as the PE optional header's Subsystem.
const HEADER_BYTES: usize = 0x40;

/// What the bytes of a program file are, by its headers (`read` reads `len` bytes at an
/// offset, None past the end); `name` is the file's name, whose extension decides for files
/// without an MZ header. Err(ERROR_BAD_EXE_FORMAT) when it is no program ntemu knows.
pub(crate) fn classify(
    name: &str,
    read: &mut dyn FnMut(u64, usize) -> Option<Vec<u8>>,
) -> Result<u32, Win32Error> {
    let mz = read(0, HEADER_BYTES).unwrap_or_default();
    if mz.len() < 2 || &mz[..2] != b"MZ" {
        let lower = name.to_ascii_lowercase();
        return if lower.ends_with(".com") {
            Ok(SCS_DOS_BINARY)
        } else if lower.ends_with(".pif") {
            Ok(SCS_PIF_BINARY)
        } else {
            Err(Win32Error::BAD_EXE_FORMAT)
        };
    }
    let Some(lfanew) = mz
        .get(0x3C..0x40)
        .map(|b| u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
    else {
        return Ok(SCS_DOS_BINARY);
    };
    let Some(new) = read(lfanew, 0x60).filter(|h| h.len() >= 4) else {
        return Ok(SCS_DOS_BINARY);
    };
    let word = |at: usize| {
        new.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    match &new[..2] {
        b"PE" if new[2] == 0 && new[3] == 0 => {
            // IMAGE_FILE_HEADER.Machine: the i386 and Alpha AXP images ntemu runs.
            if !matches!(word(4), Some(0x014C | 0x0184)) {
                return Err(Win32Error::BAD_EXE_FORMAT);
            }
            // IMAGE_OPTIONAL_HEADER.Subsystem, 68 bytes into the optional header.
            match word(24 + 68) {
                Some(5) => Ok(SCS_OS216_BINARY),
                Some(7) => Ok(SCS_POSIX_BINARY),
                _ => Ok(SCS_32BIT_BINARY),
            }
        }
        // The NE header's target operating system (offset 0x36): 1 is OS/2.
        b"NE" if new.get(0x36) == Some(&1) => Ok(SCS_OS216_BINARY),
        b"NE" => Ok(SCS_WOW_BINARY),
        b"LX" => Ok(SCS_OS216_BINARY),
        _ => Ok(SCS_DOS_BINARY),
    }
}

/// GetBinaryTypeA and W: opens the file for reading (its open errors are the call's),
/// reads its headers and closes it.
fn binary_type(call: &mut ApiCall<'_>, name: Option<&str>, out: Ptr) -> ApiReturn {
    let Some(name) = name else {
        return call.fail(NtStatus::INVALID_PARAMETER);
    };
    if call.probe_write(out.0, 4).is_err() {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    let handle =
        match crate::open_file(call, name, GENERIC_READ, SHARE_READ_WRITE, OPEN_EXISTING, 0) {
            Ok(h) => h,
            Err(e) => return call.fail_win32(e, 0),
        };
    let result = {
        let mut read = |offset: u64, len: usize| -> Option<Vec<u8>> {
            let offset = i64::try_from(offset).ok()?;
            crate::set_file_pointer(call, handle, offset, 0).ok()?;
            let mut buf = vec![0u8; len];
            let n = crate::read_handle(call, handle, &mut buf).ok()?;
            buf.truncate(n);
            Some(buf)
        };
        classify(name, &mut read)
    };
    let pid = call.thread.process;
    let _ = call.machine.close_handle(pid, handle);
    match result {
        Ok(kind) => match call.write_u32(out.0, kind) {
            Ok(()) => ApiReturn::Value(1),
            Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
        },
        Err(e) => call.fail_win32(e, 0),
    }
}

/// BOOL GetBinaryTypeA(LPCSTR lpApplicationName, LPDWORD lpBinaryType): what kind of program
/// the file is: SCS_32BIT_BINARY for a PE image of the i386 or Alpha AXP (both run on ntemu;
/// an NT 4.0 for one of them refuses the other's with ERROR_BAD_EXE_FORMAT), SCS_POSIX_BINARY
/// or SCS_OS216_BINARY by the PE subsystem, SCS_WOW_BINARY for a 16-bit Windows (NE) program,
/// SCS_OS216_BINARY for an OS/2 one, SCS_DOS_BINARY for an MS-DOS program (MZ only, or a
/// ".com" file without a header), SCS_PIF_BINARY for a ".pif" file; ERROR_BAD_EXE_FORMAT for
/// anything else. A file that cannot be opened fails with CreateFile's error.
#[export]
fn GetBinaryTypeA(
    call: &mut ApiCall<'_>,
    lpApplicationName: Option<AnsiStr>,
    lpBinaryType: Ptr,
) -> ApiReturn {
    binary_type(call, lpApplicationName.as_deref(), lpBinaryType)
}

/// BOOL GetBinaryTypeW(LPCWSTR lpApplicationName, LPDWORD lpBinaryType): GetBinaryTypeA with
/// a UTF-16 name.
#[export]
fn GetBinaryTypeW(
    call: &mut ApiCall<'_>,
    lpApplicationName: Option<WideStr>,
    lpBinaryType: Ptr,
) -> ApiReturn {
    binary_type(call, lpApplicationName.as_deref(), lpBinaryType)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(name: &str, bytes: &[u8]) -> Result<u32, Win32Error> {
        let mut read = |offset: u64, len: usize| -> Option<Vec<u8>> {
            let start = usize::try_from(offset).ok()?;
            let end = start.checked_add(len)?.min(bytes.len());
            bytes.get(start..end).map(<[u8]>::to_vec)
        };
        classify(name, &mut read)
    }

    fn image(new: &[u8]) -> Vec<u8> {
        let mut b = vec![0u8; 0x40 + new.len().max(0x40)];
        b[..2].copy_from_slice(b"MZ");
        b[0x3C..0x40].copy_from_slice(&0x40u32.to_le_bytes());
        b[0x40..0x40 + new.len()].copy_from_slice(new);
        b
    }

    #[test]
    fn headers_decide_the_type() {
        let mut pe = vec![0u8; 0x60];
        pe[..4].copy_from_slice(b"PE\0\0");
        pe[4..6].copy_from_slice(&0x014Cu16.to_le_bytes());
        pe[92..94].copy_from_slice(&3u16.to_le_bytes());
        let mut b = image(&pe);
        b.resize(0x100, 0);
        assert_eq!(kind("a.exe", &b), Ok(SCS_32BIT_BINARY));
        b[0x40 + 92] = 7;
        assert_eq!(kind("a.exe", &b), Ok(SCS_POSIX_BINARY));
        b[0x44..0x46].copy_from_slice(&0x0166u16.to_le_bytes()); // MIPS
        assert_eq!(kind("a.exe", &b), Err(Win32Error::BAD_EXE_FORMAT));
        assert_eq!(kind("w.exe", &image(b"NE")), Ok(SCS_WOW_BINARY));
        assert_eq!(kind("d.exe", &image(b"\0\0\0\0")), Ok(SCS_DOS_BINARY));
        assert_eq!(kind("x.COM", b"\xB4\x4C\xCD\x21"), Ok(SCS_DOS_BINARY));
        assert_eq!(kind("x.pif", b"\0"), Ok(SCS_PIF_BINARY));
        assert_eq!(kind("x.txt", b"hello"), Err(Win32Error::BAD_EXE_FORMAT));
        assert_eq!(kind("empty.exe", b""), Err(Win32Error::BAD_EXE_FORMAT));
    }
}
