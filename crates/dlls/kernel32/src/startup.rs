//! What the C runtimes call at start-up: version, command line, environment, start-up
//! information, module handles, code pages. The values are those of Windows NT 4.0 SP6 on a
//! U.S. English system.

use nt_object::{Handle, ObjectType};
use nt_status::{NtStatus, Win32Error};

use crate::K32;
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

/// sizeof(OSVERSIONINFOW).
const OSVERSIONINFOW_SIZE: u32 = 276;
/// sizeof(OSVERSIONINFOEXW), which NT 4.0 SP4 and later accept too.
const OSVERSIONINFOEXW_SIZE: u32 = 284;

/// BOOL GetVersionExW(LPOSVERSIONINFOW lpVersionInformation): OSVERSIONINFOW or (NT 4.0 SP4
/// and later) OSVERSIONINFOEXW, with the values GetVersionExA gives and szCSDVersion in
/// UTF-16; another dwOSVersionInfoSize is ERROR_INSUFFICIENT_BUFFER.
#[export]
fn GetVersionExW(call: &mut ApiCall<'_>, lpVersionInformation: Ptr) -> ApiReturn {
    let info = lpVersionInformation.0;
    let size = match call.read_u32(info) {
        Ok(s) => s,
        Err(_) => return call.fail(NtStatus::ACCESS_VIOLATION),
    };
    if size != OSVERSIONINFOW_SIZE && size != OSVERSIONINFOEXW_SIZE {
        return call.fail_win32(Win32Error::INSUFFICIENT_BUFFER, 0);
    }
    let mut bytes = vec![0u8; size as usize];
    for (i, v) in [size, 4, 0, NT4_BUILD, 2].iter().enumerate() {
        bytes[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
    }
    for (i, unit) in CSD_VERSION.encode_utf16().enumerate() {
        bytes[20 + 2 * i..22 + 2 * i].copy_from_slice(&unit.to_le_bytes());
    }
    if size == OSVERSIONINFOEXW_SIZE {
        bytes[276..278].copy_from_slice(&6u16.to_le_bytes()); // wServicePackMajor
        bytes[282] = 1; // wProductType: VER_NT_WORKSTATION
    }
    match call.write_bytes(info, &bytes) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// sizeof(RTL_USER_PROCESS_PARAMETERS) on a 32-bit NT.
const PARAMETERS_SIZE: usize = 0x290;

/// RTL_USER_PROCESS_PARAMETERS fields.
mod parameters {
    pub const MAXIMUM_LENGTH: usize = 0x00;
    pub const LENGTH: usize = 0x04;
    pub const FLAGS: usize = 0x08;
    pub const CONSOLE_HANDLE: usize = 0x10;
    pub const STANDARD_INPUT: usize = 0x18;
    pub const CURRENT_DIRECTORY: usize = 0x24;
    pub const DLL_PATH: usize = 0x30;
    pub const IMAGE_PATH_NAME: usize = 0x38;
    pub const COMMAND_LINE: usize = 0x40;
    pub const ENVIRONMENT: usize = 0x48;
    /// StartingX, StartingY, CountX, CountY, CountCharsX, CountCharsY, FillAttribute.
    pub const STARTING_X: usize = 0x4C;
    pub const WINDOW_FLAGS: usize = 0x68;
    pub const SHOW_WINDOW_FLAGS: usize = 0x6C;
    pub const WINDOW_TITLE: usize = 0x70;
    /// RTL_USER_PROC_PARAMS_NORMALIZED: the string buffers are pointers, not offsets.
    pub const NORMALIZED: u32 = 0x1;
}

/// PEB.ProcessParameters.
const PEB_PROCESS_PARAMETERS: u32 = 0x10;

/// RTL_USER_PROCESS_PARAMETERS.ConsoleHandle of a process attached to the console: the
/// connection to the console server (an opaque value the process never uses as a handle).
const CONSOLE_CONNECTION: u32 = 0x0000_001C;

/// Sets the calling process's RTL_USER_PROCESS_PARAMETERS.ConsoleHandle: the console
/// connection while `attached`, NULL after FreeConsole, as NT's KERNEL32 keeps it.
pub(crate) fn set_console_connection(call: &mut ApiCall<'_>, attached: bool) {
    let Some(peb) = call.process().map(|p| p.peb()) else {
        return;
    };
    let Ok(parameters) = call.read_u32(peb + PEB_PROCESS_PARAMETERS) else {
        return;
    };
    if parameters != 0 {
        let value = if attached { CONSOLE_CONNECTION } else { 0 };
        let _ = call.write_u32(parameters + parameters::CONSOLE_HANDLE as u32, value);
    }
}

/// The DLL search path NT 4.0 keeps in the parameters.
const DLL_PATH: &str = "C:\\WINNT\\system32;C:\\WINNT";

/// Where the parts of a process's parameter block are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ParameterBlock {
    /// RTL_USER_PROCESS_PARAMETERS (the block's start).
    pub(crate) parameters: u32,
    /// The ANSI command line (GetCommandLineA).
    pub(crate) ansi_command_line: u32,
    /// The Unicode command line (GetCommandLineW, CommandLine.Buffer).
    pub(crate) wide_command_line: u32,
}

/// Appends `text` in UTF-16 with a NUL to `strings` (the part of the block after the
/// structure, at `base`) and writes the UNICODE_STRING at `field` of `head`; the string is
/// given `room` bytes (at least its own).
fn unicode_string(
    head: &mut [u8],
    field: usize,
    strings: &mut Vec<u8>,
    base: u32,
    text: &str,
    room: usize,
) -> u32 {
    let units: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let at = base + strings.len() as u32;
    let length = units.len().min(0xFFFC);
    let maximum = room.max(length + 2).min(0xFFFE);
    strings.extend_from_slice(&units[..length]);
    strings.resize(strings.len() + (maximum - length), 0);
    strings.resize(strings.len().next_multiple_of(4), 0);
    head[field..field + 2].copy_from_slice(&(length as u16).to_le_bytes());
    head[field + 2..field + 4].copy_from_slice(&(maximum as u16).to_le_bytes());
    head[field + 4..field + 8].copy_from_slice(&at.to_le_bytes());
    at
}

/// The process's parameter block in guest memory, made on first use: its
/// RTL_USER_PROCESS_PARAMETERS (as NT's CreateProcess leaves them, normalized: current
/// directory, DLL path, image path, command line, environment, standard handles, window
/// title), the strings they point at, and the command line in the ANSI code page for
/// GetCommandLineA. PEB.ProcessParameters points at it.
pub(crate) fn parameter_block(call: &mut ApiCall<'_>) -> Result<ParameterBlock, NtStatus> {
    let pid = call.thread.process;
    let object = call.process_object().ok_or(NtStatus::INVALID_HANDLE)?;
    let (command_line, image_path, startup) =
        match call.state.k32().process_parameters.get(pid, &object) {
            Some(p) => {
                if let Some(block) = p.block {
                    return Ok(block);
                }
                (
                    p.command_line.clone(),
                    p.image_path.clone(),
                    p.startup.clone(),
                )
            }
            None => (String::new(), None, StartupInfo::default()),
        };
    let image_path = image_path.unwrap_or_default();
    let handles = match crate::std_handle(call, 0) {
        Ok(_) => call
            .state
            .k32()
            .std_handles
            .get(pid, &object)
            .copied()
            .unwrap_or([Handle(0); 3]),
        Err(_) => [Handle(0); 3],
    };
    let environment = super::environment::unicode_block(call)?;
    let cwd = crate::file::current_directory(call);
    let mut cwd_text = crate::path::FullPath::Drive {
        drive: cwd.drive,
        components: cwd.components,
        trailing_separator: false,
    }
    .display();
    if !cwd_text.ends_with('\\') {
        cwd_text.push('\\');
    }
    // The block's address is needed for the pointers in it: reserve it first.
    let ansi: Vec<u8> = {
        let mut a = win32::codepage::CodePage::Ansi.encode_str(&command_line);
        a.push(0);
        a
    };
    let strings_size = 2
        * (cwd_text.len() + 261 + DLL_PATH.len() + image_path.len() * 2 + command_line.len() + 16)
        + 64;
    let total = PARAMETERS_SIZE + strings_size * 2 + ansi.len() + 16;
    let base = super::environment::place(call, &vec![0u8; total])?;
    let mut head = vec![0u8; PARAMETERS_SIZE];
    let mut strings = Vec::new();
    let strings_base = base + PARAMETERS_SIZE as u32;
    unicode_string(
        &mut head,
        parameters::CURRENT_DIRECTORY,
        &mut strings,
        strings_base,
        &cwd_text,
        2 * 261,
    );
    unicode_string(
        &mut head,
        parameters::DLL_PATH,
        &mut strings,
        strings_base,
        DLL_PATH,
        0,
    );
    unicode_string(
        &mut head,
        parameters::IMAGE_PATH_NAME,
        &mut strings,
        strings_base,
        &image_path,
        0,
    );
    let wide_command_line = unicode_string(
        &mut head,
        parameters::COMMAND_LINE,
        &mut strings,
        strings_base,
        &command_line,
        0,
    );
    unicode_string(
        &mut head,
        parameters::WINDOW_TITLE,
        &mut strings,
        strings_base,
        &image_path,
        0,
    );
    let ansi_command_line = strings_base + strings.len() as u32;
    strings.extend_from_slice(&ansi);
    let length = (PARAMETERS_SIZE + strings.len()) as u32;
    head[parameters::MAXIMUM_LENGTH..][..4].copy_from_slice(&length.to_le_bytes());
    head[parameters::LENGTH..][..4].copy_from_slice(&length.to_le_bytes());
    head[parameters::FLAGS..][..4].copy_from_slice(&parameters::NORMALIZED.to_le_bytes());
    head[parameters::CONSOLE_HANDLE..][..4].copy_from_slice(&CONSOLE_CONNECTION.to_le_bytes());
    for (i, h) in handles.iter().enumerate() {
        head[parameters::STANDARD_INPUT + 4 * i..][..4].copy_from_slice(&h.0.to_le_bytes());
    }
    head[parameters::ENVIRONMENT..][..4].copy_from_slice(&environment.to_le_bytes());
    for (i, v) in startup.placement.iter().enumerate() {
        head[parameters::STARTING_X + 4 * i..][..4].copy_from_slice(&v.to_le_bytes());
    }
    head[parameters::WINDOW_FLAGS..][..4].copy_from_slice(&startup.flags.to_le_bytes());
    head[parameters::SHOW_WINDOW_FLAGS..][..4]
        .copy_from_slice(&u32::from(startup.show_window).to_le_bytes());
    head.extend_from_slice(&strings);
    if head.len() > total {
        return Err(NtStatus::NO_MEMORY);
    }
    call.write_bytes(base, &head)
        .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    let block = ParameterBlock {
        parameters: base,
        ansi_command_line,
        wide_command_line,
    };
    let peb = call
        .process()
        .map(|p| p.peb())
        .ok_or(NtStatus::INVALID_HANDLE)?;
    if let Some(p) = call.process_mut() {
        let _ = p
            .address_space_mut()
            .kernel_write(peb + PEB_PROCESS_PARAMETERS, &base.to_le_bytes());
    }
    call.state
        .k32()
        .process_parameters
        .get_or_default(pid, &object)
        .block = Some(block);
    Ok(block)
}

/// The Unicode environment block moved: RTL_USER_PROCESS_PARAMETERS.Environment follows.
pub(crate) fn environment_moved(call: &mut ApiCall<'_>, at: u32) {
    let pid = call.thread.process;
    let Some(object) = call.process_object() else {
        return;
    };
    let block = call
        .state
        .k32()
        .process_parameters
        .get(pid, &object)
        .and_then(|p| p.block);
    if let Some(block) = block {
        let field = block.parameters + parameters::ENVIRONMENT as u32;
        let _ = call.write_u32(field, at);
    }
}

/// Sets up the calling thread's process as NT's CreateProcess leaves a process before its
/// first instruction: the process heap (PEB.ProcessHeap), the standard handles, and the
/// parameter block (PEB.ProcessParameters), from the command line, image path and
/// environment given to kernel32 for it.
pub(crate) fn initialize_process(call: &mut ApiCall<'_>) -> Result<(), NtStatus> {
    let heap = crate::heap::process_heap(call).ok_or(NtStatus::NO_MEMORY)?;
    let peb = call
        .process()
        .map(|p| p.peb())
        .ok_or(NtStatus::INVALID_HANDLE)?;
    if let Some(p) = call.process_mut() {
        p.address_space_mut()
            .kernel_write(
                peb + nt_kernel::teb::peb_offsets::PROCESS_HEAP,
                &heap.to_le_bytes(),
            )
            .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    }
    parameter_block(call)?;
    Ok(())
}

/// LPSTR GetCommandLineA(VOID): the command line in the process's parameter block (the same
/// pointer on every call).
#[export]
fn GetCommandLineA(call: &mut ApiCall<'_>) -> ApiReturn {
    match parameter_block(call) {
        Ok(block) => ApiReturn::Value(block.ansi_command_line),
        Err(status) => call.fail(status),
    }
}

/// LPWSTR GetCommandLineW(VOID): the Unicode command line, kept in the same parameter block
/// as GetCommandLineA's (the same pointer on every call).
#[export]
fn GetCommandLineW(call: &mut ApiCall<'_>) -> ApiReturn {
    match parameter_block(call) {
        Ok(block) => ApiReturn::Value(block.wide_command_line),
        Err(status) => call.fail(status),
    }
}

/// STARTF_USESHOWWINDOW: wShowWindow is meant.
pub(crate) const STARTF_USESHOWWINDOW: u32 = 0x1;
/// STARTF_USESTDHANDLES: hStdInput, hStdOutput and hStdError are the child's standard
/// handles.
pub(crate) const STARTF_USESTDHANDLES: u32 = 0x100;
/// STARTF_USEHOTKEY and STARTF_HASSHELLDATA: flags under which NT's GetStartupInfo also
/// gives the handle fields back (they carry other data then).
const STARTF_HANDLE_FIELDS: u32 = STARTF_USESTDHANDLES | 0x200 | 0x400;

/// What a process was started with from its creator's STARTUPINFO (NT keeps it in
/// RTL_USER_PROCESS_PARAMETERS): window placement, flags, show state, standard handles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StartupInfo {
    /// dwX, dwY, dwXSize, dwYSize, dwXCountChars, dwYCountChars, dwFillAttribute.
    pub(crate) placement: [u32; 7],
    /// dwFlags (STARTF_*).
    pub(crate) flags: u32,
    /// wShowWindow.
    pub(crate) show_window: u16,
    /// hStdInput, hStdOutput, hStdError.
    pub(crate) std_handles: [Handle; 3],
    /// lpDesktop (NT's DesktopInfo), when the creator gave one or the creator's own.
    pub(crate) desktop: Option<String>,
    /// lpTitle (NT's WindowTitle), when the creator gave one.
    pub(crate) title: Option<String>,
    /// The cbReserved2 bytes at lpReserved2 (NT's RuntimeData: the C runtime's inherited
    /// file descriptors), empty for none.
    pub(crate) reserved2: Vec<u8>,
}

impl Default for StartupInfo {
    fn default() -> Self {
        StartupInfo {
            placement: [0; 7],
            flags: 0,
            show_window: 0,
            std_handles: [Handle::NULL; 3],
            desktop: None,
            title: None,
            reserved2: Vec::new(),
        }
    }
}

/// Where GetStartupInfoA and GetStartupInfoW put the desktop and title strings of the
/// process's STARTUPINFO (made on first use in the process heap, as NT's kernel32 makes its
/// ANSI copy): ANSI desktop, ANSI title, wide desktop, wide title, then the lpReserved2
/// bytes (0: not made or none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct StartupStrings(pub(crate) [u32; 5]);

/// The slot of [`StartupStrings`] that holds the process's copy of its lpReserved2 bytes.
const RESERVED2_SLOT: usize = 4;

impl StartupInfo {
    /// Reads a STARTUPINFOA or STARTUPINFOW (the same layout: its strings are pointers, to
    /// UTF-16 strings when `wide`).
    pub(crate) fn read(
        call: &ApiCall<'_>,
        at: u32,
        wide: bool,
    ) -> Result<StartupInfo, nt_memory::Fault> {
        let bytes = call.read_bytes(at, STARTUPINFOA_SIZE as usize)?;
        let word = |offset: usize| {
            u32::from_le_bytes([
                bytes[offset],
                bytes[offset + 1],
                bytes[offset + 2],
                bytes[offset + 3],
            ])
        };
        let string = |at: u32| -> Result<Option<String>, nt_memory::Fault> {
            if at == 0 {
                return Ok(None);
            }
            call.read_text(at, 0x1_0000, wide).map(Some)
        };
        let reserved2_size = u16::from_le_bytes([bytes[50], bytes[51]]);
        let reserved2 = match word(52) {
            0 => Vec::new(),
            at => call.read_bytes(at, usize::from(reserved2_size))?,
        };
        Ok(StartupInfo {
            reserved2,
            placement: std::array::from_fn(|i| word(16 + 4 * i)),
            flags: word(44),
            show_window: u16::from_le_bytes([bytes[48], bytes[49]]),
            std_handles: [Handle(word(56)), Handle(word(60)), Handle(word(64))],
            desktop: string(word(8))?,
            title: string(word(12))?,
        })
    }

    /// True when the creator named the standard handles (STARTF_USESTDHANDLES).
    pub(crate) fn uses_std_handles(&self) -> bool {
        self.flags & STARTF_USESTDHANDLES != 0
    }
}

/// The calling process's start-up information (all zero for a process the host started).
pub(crate) fn own_startup_info(call: &mut ApiCall<'_>) -> StartupInfo {
    let pid = call.thread.process;
    let Some(object) = call.process_object() else {
        return StartupInfo::default();
    };
    call.state
        .k32()
        .process_parameters
        .get(pid, &object)
        .map(|p| p.startup.clone())
        .unwrap_or_default()
}

/// The cbReserved2 bytes at lpReserved2 of the STARTUPINFO the calling process was started
/// with (the C runtime's inherited descriptors), empty for none.
pub fn startup_reserved2(call: &mut ApiCall<'_>) -> Vec<u8> {
    own_startup_info(call).reserved2
}

/// The guest address of the process's copy of a STARTUPINFO string (`slot`: ANSI desktop,
/// ANSI title, wide desktop, wide title), made on first use; 0 for none.
fn startup_string(call: &mut ApiCall<'_>, slot: usize, text: Option<&str>) -> u32 {
    let Some(text) = text else {
        return 0;
    };
    let bytes: Vec<u8> = if slot >= 2 {
        text.encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect()
    } else {
        let mut b = win32::codepage::CodePage::Ansi.encode_str(text);
        b.push(0);
        b
    };
    startup_copy(call, slot, &bytes)
}

/// The guest address of the process's copy of `bytes` in [`StartupStrings`] slot `slot`,
/// made on first use in the process heap; 0 when it cannot be made.
fn startup_copy(call: &mut ApiCall<'_>, slot: usize, bytes: &[u8]) -> u32 {
    let pid = call.thread.process;
    let Some(object) = call.process_object() else {
        return 0;
    };
    let made = call
        .state
        .k32()
        .process_parameters
        .get(pid, &object)
        .map_or(0, |p| p.startup_strings.0[slot]);
    if made != 0 {
        return made;
    }
    let Some(at) = crate::heap::process_heap_alloc(call, bytes.len() as u32, false) else {
        return 0;
    };
    if call.write_bytes(at, bytes).is_err() {
        return 0;
    }
    call.state
        .k32()
        .process_parameters
        .get_or_default(pid, &object)
        .startup_strings
        .0[slot] = at;
    at
}

/// GetStartupInfoA(lpStartupInfo): the STARTUPINFOA the process was started with, as NT 4.0
/// fills it: cb, the desktop and title its creator gave (NULL when it gave none: the desktop
/// is then its creator's), the window placement, dwFlags and wShowWindow, cbReserved2 and a
/// copy of the lpReserved2 bytes its creator gave (the C runtime's file descriptors);
/// hStdInput, hStdOutput and hStdError only when dwFlags has
/// STARTF_USESTDHANDLES (or STARTF_USEHOTKEY, STARTF_HASSHELLDATA), otherwise left as they
/// were.
#[export]
fn GetStartupInfoA(call: &mut ApiCall<'_>, lpStartupInfo: Ptr) {
    startup_info(call, lpStartupInfo, false);
}

/// GetStartupInfoA and GetStartupInfoW: the strings are the process's own copies.
fn startup_info(call: &mut ApiCall<'_>, at: Ptr, wide: bool) {
    let info = own_startup_info(call);
    let base = if wide { 2 } else { 0 };
    let desktop = startup_string(call, base, info.desktop.as_deref());
    let title = startup_string(call, base + 1, info.title.as_deref());
    let reserved2 = if info.reserved2.is_empty() {
        0
    } else {
        startup_copy(call, RESERVED2_SLOT, &info.reserved2)
    };
    let reserved2_size = if reserved2 == 0 {
        0
    } else {
        info.reserved2.len() as u16
    };
    let mut bytes = Vec::with_capacity(STARTUPINFOA_SIZE as usize);
    bytes.extend_from_slice(&STARTUPINFOA_SIZE.to_le_bytes());
    bytes.extend_from_slice(&0u32.to_le_bytes()); // lpReserved
    bytes.extend_from_slice(&desktop.to_le_bytes());
    bytes.extend_from_slice(&title.to_le_bytes());
    for v in info.placement {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    bytes.extend_from_slice(&info.flags.to_le_bytes());
    bytes.extend_from_slice(&info.show_window.to_le_bytes());
    bytes.extend_from_slice(&reserved2_size.to_le_bytes());
    bytes.extend_from_slice(&reserved2.to_le_bytes());
    if info.flags & STARTF_HANDLE_FIELDS != 0 {
        for h in info.std_handles {
            bytes.extend_from_slice(&h.0.to_le_bytes());
        }
    }
    // GetStartupInfoA returns nothing; a bad pointer is an access violation in NT.
    let _ = call.write_bytes(at.0, &bytes);
}

/// VOID GetStartupInfoW(LPSTARTUPINFOW lpStartupInfo): the STARTUPINFOW of the process, as
/// GetStartupInfoA gives it (the same size: its strings are pointers).
#[export]
fn GetStartupInfoW(call: &mut ApiCall<'_>, lpStartupInfo: Ptr) {
    startup_info(call, lpStartupInfo, true)
}

/// SetHandleCount(uNumber): on NT handle tables grow as needed, so it returns its argument.
#[export]
fn SetHandleCount(_call: &mut ApiCall<'_>, uNumber: u32) -> u32 {
    uNumber
}

/// GetFileType(hFile).
#[export]
fn GetFileType(call: &mut ApiCall<'_>, hFile: Handle) -> ApiReturn {
    // STD_INPUT_HANDLE, STD_OUTPUT_HANDLE and STD_ERROR_HANDLE stand for those handles.
    let hFile = match hFile.0 {
        super::STD_INPUT_HANDLE | super::STD_OUTPUT_HANDLE | super::STD_ERROR_HANDLE => {
            let which = (super::STD_INPUT_HANDLE - hFile.0) as usize;
            match super::std_handle(call, which) {
                Ok(h) => h,
                Err(e) => return call.fail_with(e.status(), 0),
            }
        }
        _ => hFile,
    };
    match call.reference(hFile, nt_object::AccessMask(0), Some(ObjectType::File)) {
        Ok(o) if o.payload::<super::HostFile>().is_some() => {
            // The standard handles the host gave the process are the console, or a file or
            // pipe they were redirected to, as NT reports a redirected handle; a console
            // opened by name (CONIN$, CONOUT$) is the console.
            let pid = call.thread.process;
            let standard = call.process_object().and_then(|object| {
                call.state
                    .k32()
                    .std_handles
                    .get(pid, &object)
                    .and_then(|h| h.iter().position(|&s| s == hFile))
            });
            let kind = match standard {
                Some(i) => call.state.k32().std_file_types[i],
                None => FILE_TYPE_CHAR,
            };
            ApiReturn::Value(kind)
        }
        Ok(o) => match super::file::file_type(&o) {
            Some(kind) => ApiReturn::Value(kind),
            // A file of a device with no Win32 type (a mailslot): FILE_TYPE_UNKNOWN, no
            // error.
            None => {
                call.set_last_error(0);
                ApiReturn::Value(0)
            }
        },
        Err(e) => call.fail_with(e.status(), 0),
    }
}

/// The ANSI code page of a U.S. English NT.
pub(crate) const ANSI_CODE_PAGE: u32 = 1252;
/// The OEM code page of a U.S. English NT.
pub(crate) const OEM_CODE_PAGE: u32 = 437;

/// GetACP(): the ANSI code page of a U.S. English NT, 1252.
#[export]
fn GetACP(_call: &mut ApiCall<'_>) -> u32 {
    ANSI_CODE_PAGE
}

/// GetOEMCP(): the OEM code page of a U.S. English NT, 437.
#[export]
fn GetOEMCP(_call: &mut ApiCall<'_>) -> u32 {
    OEM_CODE_PAGE
}

/// IsValidCodePage(CodePage): TRUE for the code pages ntemu's NT has installed, OEM 437
/// and ANSI 1252 (CP_ACP and CP_OEMCP are not code pages).
#[export]
fn IsValidCodePage(_call: &mut ApiCall<'_>, CodePage: u32) -> u32 {
    u32::from(matches!(CodePage, OEM_CODE_PAGE | ANSI_CODE_PAGE))
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
