//! The console functions: screen buffers, the cursor, fills, the title.

use nt_object::{AccessMask, Handle, ObjectError, ObjectType};

use nt_memory::GuestMemory;
use nt_status::NtStatus;

use super::HostFile;
use crate::K32;
use crate::console::ScreenBuffer;
use nt_kernel::HostAction;
use win32::{
    AnsiStr, ApiCall, ApiReturn, ArgError, ArgFrame, FromArg, OutBuf, Ptr, ValueKind, WideStr,
    export,
};

/// The screen buffer a console output handle names.
fn buffer_index(call: &ApiCall<'_>, handle: Handle) -> Result<usize, ObjectError> {
    let object = call.reference(handle, AccessMask(0), Some(ObjectType::File))?;
    match object.payload::<HostFile>() {
        Some(HostFile::Output) => Ok(0),
        Some(HostFile::ScreenBuffer(i)) => Ok(*i as usize),
        _ => Err(ObjectError::InvalidHandle),
    }
}

/// Runs `f` on the screen buffer `handle` names.
fn with_buffer<T>(
    call: &mut ApiCall<'_>,
    handle: Handle,
    f: impl FnOnce(&mut ScreenBuffer) -> Result<T, NtStatus>,
) -> Result<T, NtStatus> {
    let index = buffer_index(call, handle).map_err(|e| e.status())?;
    let buffer = call
        .state
        .k32()
        .console
        .buffers
        .get_mut(index)
        .ok_or(NtStatus::INVALID_HANDLE)?;
    f(buffer)
}

fn finish(call: &mut ApiCall<'_>, result: Result<u32, NtStatus>) -> ApiReturn {
    match result {
        Ok(v) => ApiReturn::Value(v),
        Err(status) => call.fail(status),
    }
}

/// A COORD passed by value: X in the low 16 bits of its slot, Y in the high 16.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Coord {
    x: u16,
    y: u16,
}

impl FromArg for Coord {
    const KIND: ValueKind = ValueKind::Int;
    fn from_arg(_: &ApiCall<'_>, frame: &mut ArgFrame) -> Result<Self, ArgError> {
        let value = frame.next_u32();
        Ok(Coord {
            x: value as u16,
            y: (value >> 16) as u16,
        })
    }
}

fn pack(x: u16, y: u16) -> [u8; 4] {
    ((u32::from(y) << 16) | u32::from(x)).to_le_bytes()
}

/// SetConsoleTitleA(lpConsoleTitle).
#[export]
fn SetConsoleTitleA(call: &mut ApiCall<'_>, lpConsoleTitle: AnsiStr) -> bool {
    call.state.k32().console.title = lpConsoleTitle.into_string();
    true
}

/// SetConsoleTitleW(lpConsoleTitle).
#[export]
fn SetConsoleTitleW(call: &mut ApiCall<'_>, lpConsoleTitle: WideStr) -> bool {
    call.state.k32().console.title = lpConsoleTitle.into_string();
    true
}

/// GetConsoleTitleA(lpConsoleTitle, nSize): the title cut to the buffer, NUL-terminated;
/// the whole title's length (also when cut, as NT's console server reports it).
#[export]
fn GetConsoleTitleA(
    call: &mut ApiCall<'_>,
    #[size(nSize)] lpConsoleTitle: OutBuf<u8>,
    nSize: u32,
) -> ApiReturn {
    let (out, size) = (lpConsoleTitle.ptr, nSize);
    let title = call.state.k32().console.title.clone();
    let mut bytes = win32::codepage::CodePage::Ansi.encode_str(&title);
    let length = bytes.len() as u32;
    bytes.truncate(size.saturating_sub(1) as usize);
    bytes.push(0);
    if size == 0 {
        return ApiReturn::Value(0);
    }
    match call.write_bytes(out, &bytes) {
        Ok(()) => ApiReturn::Value(length),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// GetConsoleScreenBufferInfo(hConsoleOutput, lpConsoleScreenBufferInfo):
/// CONSOLE_SCREEN_BUFFER_INFO (dwSize, dwCursorPosition, wAttributes, srWindow,
/// dwMaximumWindowSize).
#[export]
fn GetConsoleScreenBufferInfo(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    lpConsoleScreenBufferInfo: Ptr,
) -> ApiReturn {
    let out = lpConsoleScreenBufferInfo.0;
    let largest = largest_window(call);
    let info = with_buffer(call, hConsoleOutput, |b| {
        let mut bytes = Vec::with_capacity(22);
        bytes.extend_from_slice(&pack(b.width, b.height));
        bytes.extend_from_slice(&pack(b.cursor.0, b.cursor.1));
        bytes.extend_from_slice(&b.attributes.to_le_bytes());
        bytes.extend_from_slice(&b.window.to_bytes());
        // The largest window: the buffer, up to the screen.
        bytes.extend_from_slice(&pack(b.width.min(largest.0), b.height.min(largest.1)));
        Ok(bytes)
    });
    match info {
        Ok(bytes) => match call.write_bytes(out, &bytes) {
            Ok(()) => ApiReturn::Value(1),
            Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
        },
        Err(status) => call.fail(status),
    }
}

/// The largest console window the screen holds, in character cells: the host terminal's
/// size when the console is shown on one, else the screen NT would have
/// ([`LARGEST_WINDOW`](crate::console::LARGEST_WINDOW)).
fn largest_window(call: &mut ApiCall<'_>) -> (u16, u16) {
    call.state
        .k32()
        .console_host_size
        .or(call.state.k32().console_screen_largest)
        .unwrap_or(crate::console::LARGEST_WINDOW)
}

/// COORD GetLargestConsoleWindowSize(HANDLE hConsoleOutput): the largest window the screen
/// and font allow, X in the low word and Y in the high word (see [`largest_window`]),
/// whatever the buffer's size. A handle that is no console output is ERROR_INVALID_HANDLE
/// with a COORD of 0.
#[export]
fn GetLargestConsoleWindowSize(call: &mut ApiCall<'_>, hConsoleOutput: Handle) -> ApiReturn {
    if let Err(e) = buffer_index(call, hConsoleOutput) {
        return call.fail(e.status());
    }
    let (x, y) = largest_window(call);
    ApiReturn::Value(u32::from_le_bytes(pack(x, y)))
}

/// SetConsoleCursorPosition(hConsoleOutput, dwCursorPosition).
#[export]
fn SetConsoleCursorPosition(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    dwCursorPosition: Coord,
) -> ApiReturn {
    screen_feature(call);
    let Coord { x, y } = dwCursorPosition;
    let result = with_buffer(call, hConsoleOutput, |b| {
        if !b.contains(x, y) {
            return Err(NtStatus::INVALID_PARAMETER);
        }
        b.cursor = (x, y);
        Ok(1)
    });
    finish(call, result)
}

/// SetConsoleCursorInfo(hConsoleOutput, lpConsoleCursorInfo): dwSize 1-100, bVisible.
#[export]
fn SetConsoleCursorInfo(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    lpConsoleCursorInfo: Ptr,
) -> ApiReturn {
    let info = lpConsoleCursorInfo.0;
    let (Ok(size), Ok(visible)) = (call.read_u32(info), call.read_u32(info.wrapping_add(4))) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let result = with_buffer(call, hConsoleOutput, |b| {
        if !(1..=100).contains(&size) {
            return Err(NtStatus::INVALID_PARAMETER);
        }
        b.cursor_size = size;
        b.cursor_visible = visible != 0;
        Ok(1)
    });
    finish(call, result)
}

/// GetConsoleCursorInfo(hConsoleOutput, lpConsoleCursorInfo).
#[export]
fn GetConsoleCursorInfo(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    lpConsoleCursorInfo: Ptr,
) -> ApiReturn {
    let info = lpConsoleCursorInfo.0;
    match with_buffer(call, hConsoleOutput, |b| {
        Ok((b.cursor_size, u32::from(b.cursor_visible)))
    }) {
        Ok((size, visible)) => {
            let mut bytes = size.to_le_bytes().to_vec();
            bytes.extend_from_slice(&visible.to_le_bytes());
            match call.write_bytes(info, &bytes) {
                Ok(()) => ApiReturn::Value(1),
                Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
            }
        }
        Err(status) => call.fail(status),
    }
}

/// SetConsoleTextAttribute(hConsoleOutput, wAttributes).
#[export]
fn SetConsoleTextAttribute(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    wAttributes: u16,
) -> ApiReturn {
    let result = with_buffer(call, hConsoleOutput, |b| {
        b.attributes = wAttributes;
        Ok(1)
    });
    finish(call, result)
}

/// FillConsoleOutputCharacter and FillConsoleOutputAttribute: `value` into `count` cells
/// from `at`, wrapping rows.
fn fill(
    call: &mut ApiCall<'_>,
    handle: Handle,
    value: u32,
    count: u32,
    at: Coord,
    written: Ptr,
    characters: bool,
) -> ApiReturn {
    screen_feature(call);
    let (x, y, written) = (at.x, at.y, written.0);
    if call.probe_write(written, 4).is_err() {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    let result = with_buffer(call, handle, |b| {
        if !b.contains(x, y) {
            return Err(NtStatus::INVALID_PARAMETER);
        }
        Ok(b.fill(x, y, count, |cell| {
            if characters {
                cell.ch = value as u8;
            } else {
                cell.attributes = value as u16;
            }
        }))
    });
    match result {
        Ok(n) => match call.write_u32(written, n) {
            Ok(()) => ApiReturn::Value(1),
            Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
        },
        Err(status) => call.fail(status),
    }
}

/// FillConsoleOutputCharacterA(hConsoleOutput, cCharacter, nLength, dwWriteCoord,
/// lpNumberOfCharsWritten).
#[export]
fn FillConsoleOutputCharacterA(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    cCharacter: u8,
    nLength: u32,
    dwWriteCoord: Coord,
    lpNumberOfCharsWritten: Ptr,
) -> ApiReturn {
    fill(
        call,
        hConsoleOutput,
        u32::from(cCharacter),
        nLength,
        dwWriteCoord,
        lpNumberOfCharsWritten,
        true,
    )
}

/// FillConsoleOutputCharacterW(hConsoleOutput, cCharacter, nLength, dwWriteCoord,
/// lpNumberOfCharsWritten): the character in the OEM code page.
#[export]
fn FillConsoleOutputCharacterW(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    cCharacter: u16,
    nLength: u32,
    dwWriteCoord: Coord,
    lpNumberOfCharsWritten: Ptr,
) -> ApiReturn {
    let oem = win32::codepage::CodePage::Oem
        .encode(cCharacter)
        .unwrap_or(b'?');
    fill(
        call,
        hConsoleOutput,
        u32::from(oem),
        nLength,
        dwWriteCoord,
        lpNumberOfCharsWritten,
        true,
    )
}

/// FillConsoleOutputAttribute(hConsoleOutput, wAttribute, nLength, dwWriteCoord,
/// lpNumberOfAttrsWritten).
#[export]
fn FillConsoleOutputAttribute(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    wAttribute: u16,
    nLength: u32,
    dwWriteCoord: Coord,
    lpNumberOfAttrsWritten: Ptr,
) -> ApiReturn {
    fill(
        call,
        hConsoleOutput,
        u32::from(wAttribute),
        nLength,
        dwWriteCoord,
        lpNumberOfAttrsWritten,
        false,
    )
}

/// CreateConsoleScreenBuffer(dwDesiredAccess, dwShareMode, lpSecurityAttributes, dwFlags,
/// lpScreenBufferData): a blank buffer the size of the active one.
#[export(failure = u32::MAX)]
fn CreateConsoleScreenBuffer(
    call: &mut ApiCall<'_>,
    dwDesiredAccess: AccessMask,
    dwShareMode: u32,
    lpSecurityAttributes: Ptr,
    dwFlags: u32,
    lpScreenBufferData: Ptr,
) -> ApiReturn {
    if !has_console(call) {
        return call.fail_with(NtStatus::INVALID_HANDLE, super::INVALID_HANDLE_VALUE);
    }
    screen_feature(call);
    let _ = (
        dwDesiredAccess,
        dwShareMode,
        lpSecurityAttributes,
        lpScreenBufferData,
    );
    let flags = dwFlags;
    if flags != 1 {
        // Only CONSOLE_TEXTMODE_BUFFER exists.
        return call.fail_with(NtStatus::INVALID_PARAMETER, u32::MAX);
    }
    // A new buffer has the active one's size, window and attributes, which are also its
    // pop-up attributes; its colours are the active one's.
    let new_buffer = {
        let active = call.state.k32().console.active_buffer();
        let mut b = ScreenBuffer::new(active.width, active.height);
        b.window = active.window;
        b.attributes = active.attributes;
        b.popup_attributes = active.attributes;
        b.color_table = active.color_table;
        b
    };
    let index = call.state.k32().console.buffers.len() as u32;
    let objects = call.machine.objects().clone();
    let object = match objects
        .create_executive_object(ObjectType::File, Box::new(HostFile::ScreenBuffer(index)))
    {
        Ok(o) => o,
        Err(e) => return call.fail_with(e.status(), u32::MAX),
    };
    let inserted = match call.process_mut() {
        Some(p) => p.handle_table_mut().insert(
            &object,
            ObjectType::File.map_access(AccessMask::GENERIC_READ | AccessMask::GENERIC_WRITE),
            nt_object::HandleAttributes::NONE,
        ),
        None => Err(ObjectError::InvalidHandle),
    };
    match inserted {
        Ok(handle) => {
            call.state.k32().console.buffers.push(new_buffer);
            ApiReturn::Value(handle.0)
        }
        Err(e) => call.fail_with(e.status(), u32::MAX),
    }
}

/// SetConsoleActiveScreenBuffer(hConsoleOutput).
#[export]
fn SetConsoleActiveScreenBuffer(call: &mut ApiCall<'_>, hConsoleOutput: Handle) -> ApiReturn {
    screen_feature(call);
    match buffer_index(call, hConsoleOutput) {
        Ok(index) => {
            call.state.k32().console.active = index;
            ApiReturn::Value(1)
        }
        Err(e) => call.fail(e.status()),
    }
}

/// GetConsoleMode(hConsoleHandle, lpMode): processed output with wrapping for output
/// buffers; processed, line and echo input for the input handle.
#[export]
fn GetConsoleMode(call: &mut ApiCall<'_>, hConsoleHandle: Handle, lpMode: Ptr) -> ApiReturn {
    let out = lpMode.0;
    let mode = match mode_target(call, hConsoleHandle) {
        Ok(None) => call.state.k32().console.input_mode,
        Ok(Some(i)) => call
            .state
            .k32()
            .console
            .buffers
            .get(i)
            .map_or(0x3, |b| b.mode),
        Err(status) => return call.fail(status),
    };
    match call.write_u32(out, mode) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// What a handle's console mode belongs to: the input (None) or a screen buffer (the
/// standard output and error handles name the first); ERROR_INVALID_HANDLE for any other.
fn mode_target(call: &ApiCall<'_>, handle: Handle) -> Result<Option<usize>, NtStatus> {
    match call
        .reference(handle, AccessMask(0), Some(ObjectType::File))
        .ok()
        .and_then(|o| o.payload::<HostFile>().copied())
    {
        Some(HostFile::Input) => Ok(None),
        Some(HostFile::Output | HostFile::Error) => Ok(Some(0)),
        Some(HostFile::ScreenBuffer(i)) => Ok(Some(i as usize)),
        None => Err(NtStatus::INVALID_HANDLE),
    }
}

/// SetConsoleMode(hConsoleHandle, dwMode): the input handle takes ENABLE_*_INPUT bits, a
/// screen buffer its ENABLE_PROCESSED_OUTPUT and ENABLE_WRAP_AT_EOL_OUTPUT bits; other
/// bits are ERROR_INVALID_PARAMETER.
#[export]
fn SetConsoleMode(call: &mut ApiCall<'_>, hConsoleHandle: Handle, dwMode: u32) -> ApiReturn {
    let mode = dwMode;
    let index = match mode_target(call, hConsoleHandle) {
        Ok(None) => {
            if mode & !crate::console::VALID_INPUT_MODE != 0 {
                return call.fail(NtStatus::INVALID_PARAMETER);
            }
            if mode & crate::console::ENABLE_LINE_INPUT == 0 {
                // Keys one at a time: a screen-buffer program.
                screen_feature(call);
            }
            call.state.k32().console.input_mode = mode;
            return ApiReturn::Value(1);
        }
        Ok(Some(i)) => i,
        Err(status) => return call.fail(status),
    };
    if mode & !0x3 != 0 {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    match call.state.k32().console.buffers.get_mut(index) {
        Some(b) => {
            b.mode = mode;
            ApiReturn::Value(1)
        }
        None => call.fail(NtStatus::INVALID_HANDLE),
    }
}

/// Serves the console's host from inside a guest call (a console read, a write, Sleep):
/// takes its keys, delivers control events, follows its size, and shows the console on it;
/// see `serve`. A stop the host asks for ends the run after this quantum.
pub fn sync_console(call: &mut ApiCall<'_>) {
    if serve(call.state, call.machine) == HostAction::Stop {
        call.machine.host_signal().ring();
    }
}

/// Serves the console's host between quanta, when it rang the machine's
/// [`HostSignal`](nt_kernel::HostSignal): the [`win32::HostEventHandler`] the builtin layer
/// runs (the facade sets it), so that typed keys, Ctrl+C and a new window size reach the
/// guest whatever it is doing (computing, sleeping or waiting), within one quantum.
pub fn serve_host(win32: &mut win32::Win32, machine: &mut nt_kernel::Machine) -> HostAction {
    serve(win32.state_mut(), machine)
}

/// The console's turn: the host's keys go to the input queue and its new size to the
/// screen buffers; Ctrl+Break, and Ctrl+C with processed input, leave the queue and go to
/// every process as NT's console sends them (a new thread calling the HandlerRoutines,
/// newest first, until one returns TRUE; with none, or none returning TRUE, the process
/// ends with STATUS_CONTROL_C_EXIT); the input event follows the queue; the host shows
/// the console. [`HostAction::Stop`] when the host wants the run to end.
fn serve(state: &mut win32::Win32State, machine: &mut nt_kernel::Machine) -> HostAction {
    let k = state.k32();
    let mut events = Vec::new();
    if let Some(host) = k.console_host.as_mut() {
        if host.stop_requested() {
            return HostAction::Stop;
        }
        let keys = host.poll_keys();
        events = host.poll_ctrl_events();
        if let Some((columns, rows)) = host.poll_resize() {
            k.console.resize_to_host(columns, rows);
        }
        k.console.push_keys(&keys);
        if host.input_closed() {
            k.console.input_closed = true;
        }
    }
    events.extend(k.console.take_ctrl_keys());
    for event in events {
        deliver_ctrl(k, machine, event);
        if let Some(host) = k.console_host.as_mut() {
            host.ctrl_delivered(event);
        }
    }
    if let Some(event) = &k.console_input_event {
        if k.console.pending_records() == 0 {
            let _ = event.reset_event();
        } else {
            let _ = event.set_event();
        }
    }
    show(k);
    match &k.console_host {
        Some(host) if host.stop_requested() => HostAction::Stop,
        _ => HostAction::Continue,
    }
}

/// Shows the console on its host: what was written since the last time as a stream, or
/// the active buffer drawn once the console is full-screen.
fn show(k: &mut crate::Kernel32State) {
    let Some(host) = k.console_host.as_mut() else {
        return;
    };
    let console = &mut k.console;
    if !console.full_screen && host.wants_stream() {
        if let Some(first) = console.buffers.first_mut() {
            first.record_stream(true);
        }
        let ops = console
            .buffers
            .first_mut()
            .map(|b| b.take_stream())
            .unwrap_or_default();
        if !ops.is_empty() {
            host.stream(&ops, console);
        }
    }
    host.present(console);
}

/// After a write to a screen buffer: a stream host shows it at once (in order with
/// anything else it shows, traces included); a full-screen console is drawn after this
/// quantum.
pub(crate) fn output_written(call: &mut ApiCall<'_>) {
    let k = call.state.k32();
    let Some(host) = k.console_host.as_mut() else {
        return;
    };
    if k.console.full_screen {
        call.machine.host_signal().ring();
    } else if host.wants_stream() {
        show(k);
    }
}

/// The program used a screen-buffer feature: a host draws the console from now on,
/// starting now (so that what follows, a trace line say, finds it drawing).
fn screen_feature(call: &mut ApiCall<'_>) {
    let k = call.state.k32();
    if !k.console.full_screen {
        k.console.enter_full_screen();
        show(k);
    }
}

/// Sends a control event to every process of the machine (they share its console): each
/// that has not asked to ignore it (Ctrl+C only) gets a thread at NT's CtrlRoutine that
/// calls its HandlerRoutines, newest first.
fn deliver_ctrl(
    k: &mut crate::Kernel32State,
    machine: &mut nt_kernel::Machine,
    event: crate::console::CtrlEvent,
) {
    deliver_ctrl_to(k, machine, event, None);
}

/// [`deliver_ctrl`] to the console's processes, or only to process `only`.
fn deliver_ctrl_to(
    k: &mut crate::Kernel32State,
    machine: &mut nt_kernel::Machine,
    event: crate::console::CtrlEvent,
    only: Option<u32>,
) {
    for pid in machine.process_ids() {
        if only.is_some_and(|p| p != pid) {
            continue;
        }
        let Some(object) = machine.process(pid).map(|p| p.object().clone()) else {
            continue;
        };
        let registration = k.console.ctrl.get(pid, &object);
        if event == crate::console::CtrlEvent::C && registration.ignore_ctrl_c {
            continue;
        }
        let handlers: Vec<u32> = registration.handlers.iter().rev().copied().collect();
        if let Ok(tid) = machine.spawn_thread(pid, CTRL_ROUTINE_THUNK, 0, 0, 0) {
            k.ctrl_threads.insert(
                (pid, tid),
                CtrlDispatch {
                    event: event.code(),
                    handlers,
                },
            );
        }
    }
}

/// GenerateConsoleCtrlEvent(dwCtrlEvent, dwProcessGroupId): CTRL_C_EVENT or
/// CTRL_BREAK_EVENT to every process of the console (group 0) or to the process group
/// whose leader has that id (ntemu keeps no groups: that process alone), each serving it on
/// a new thread as for a typed key. Another event, or a group no process leads, is
/// ERROR_INVALID_PARAMETER.
#[export]
fn GenerateConsoleCtrlEvent(
    call: &mut ApiCall<'_>,
    dwCtrlEvent: u32,
    dwProcessGroupId: u32,
) -> ApiReturn {
    let event = match dwCtrlEvent {
        crate::console::CTRL_C_EVENT => crate::console::CtrlEvent::C,
        crate::console::CTRL_BREAK_EVENT => crate::console::CtrlEvent::Break,
        _ => return call.fail(NtStatus::INVALID_PARAMETER),
    };
    if !has_console(call) {
        return call.fail(NtStatus::INVALID_HANDLE);
    }
    let only = (dwProcessGroupId != 0).then_some(dwProcessGroupId);
    if let Some(pid) = only
        && call.machine.process(pid).is_none()
    {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    deliver_ctrl_to(call.state.k32(), call.machine, event, only);
    ApiReturn::Value(1)
}

/// The name console input history and aliases are kept under (SetConsoleInputExeName):
/// the program's file name until set.
fn input_exe_name(call: &mut ApiCall<'_>) -> String {
    if let Some(name) = &call.state.k32().console_input_exe {
        return name.clone();
    }
    let path = crate::module::module_file_name(call, 0).unwrap_or_default();
    path.rsplit('\\').next().unwrap_or_default().to_string()
}

/// GetConsoleInputExeNameA(nBufferLength, lpBuffer): TRUE; a buffer too short for the
/// name and its NUL gets nothing, with ERROR_BUFFER_OVERFLOW.
#[export]
fn GetConsoleInputExeNameA(call: &mut ApiCall<'_>, nBufferLength: u32, lpBuffer: Ptr) -> ApiReturn {
    let name = input_exe_name(call);
    let mut bytes = win32::codepage::CodePage::Ansi.encode_str(&name);
    bytes.push(0);
    if (nBufferLength as usize) < bytes.len() {
        return call.fail_win32(nt_status::Win32Error::BUFFER_OVERFLOW, 1);
    }
    match call.write_bytes(lpBuffer.0, &bytes) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// GetConsoleInputExeNameW(nBufferLength, lpBuffer), in characters.
#[export]
fn GetConsoleInputExeNameW(call: &mut ApiCall<'_>, nBufferLength: u32, lpBuffer: Ptr) -> ApiReturn {
    let name = input_exe_name(call);
    let units: Vec<u8> = name
        .encode_utf16()
        .chain([0])
        .flat_map(u16::to_le_bytes)
        .collect();
    if (nBufferLength as usize) < units.len() / 2 {
        return call.fail_win32(nt_status::Win32Error::BUFFER_OVERFLOW, 1);
    }
    match call.write_bytes(lpBuffer.0, &units) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// OpenConsoleW(lpName, dwDesiredAccess, bInheritHandle, dwCreationDisposition): a handle
/// to the console input (`CONIN$`) or the active screen buffer (`CONOUT$`), as NT 4.0's
/// console opens them: for GENERIC_READ and/or GENERIC_WRITE, with OPEN_EXISTING;
/// anything else is ERROR_INVALID_PARAMETER (INVALID_HANDLE_VALUE).
#[export]
fn OpenConsoleW(
    call: &mut ApiCall<'_>,
    lpName: Option<WideStr>,
    dwDesiredAccess: u32,
    bInheritHandle: bool,
    dwCreationDisposition: u32,
) -> ApiReturn {
    const GENERIC_RW: u32 = 0x8000_0000 | 0x4000_0000;
    const OPEN_EXISTING: u32 = 3;
    if !has_console(call) {
        return call.fail_with(NtStatus::INVALID_HANDLE, super::INVALID_HANDLE_VALUE);
    }
    let name = lpName.map(|n| n.to_string().to_ascii_uppercase());
    let payload = match name.as_deref() {
        Some("CONIN$") => HostFile::Input,
        Some("CONOUT$") => HostFile::Output,
        _ => {
            return call.fail_win32(
                nt_status::Win32Error::INVALID_PARAMETER,
                super::INVALID_HANDLE_VALUE,
            );
        }
    };
    if dwDesiredAccess & !GENERIC_RW != 0 || dwCreationDisposition != OPEN_EXISTING {
        return call.fail_win32(
            nt_status::Win32Error::INVALID_PARAMETER,
            super::INVALID_HANDLE_VALUE,
        );
    }
    match crate::file::create_object(
        call,
        Box::new(payload),
        AccessMask(dwDesiredAccess),
        bInheritHandle,
    ) {
        Ok((handle, _)) => ApiReturn::Value(handle.0),
        Err(e) => call.fail_win32(e, super::INVALID_HANDLE_VALUE),
    }
}

/// VerifyConsoleIoHandle(hIoHandle): TRUE for a handle to the console input or a screen
/// buffer; FALSE for anything else, leaving the last error alone.
#[export]
fn VerifyConsoleIoHandle(call: &mut ApiCall<'_>, hIoHandle: Handle) -> u32 {
    let console = call
        .reference(hIoHandle, AccessMask(0), Some(ObjectType::File))
        .is_ok_and(|o| o.payload::<HostFile>().is_some());
    u32::from(console)
}

/// The console's font: NT 4.0's default raster font of 8 x 12 pixels, font number 0.
const FONT_SIZE: (u16, u16) = (8, 12);

/// GetCurrentConsoleFont(hConsoleOutput, bMaximumWindow, lpConsoleCurrentFont): font 0,
/// and (as NT 4.0 reports it) the window's size in characters, or with bMaximumWindow the
/// largest window's; ERROR_INVALID_HANDLE for anything but a screen buffer.
#[export]
fn GetCurrentConsoleFont(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    bMaximumWindow: bool,
    lpConsoleCurrentFont: Ptr,
) -> ApiReturn {
    let largest = largest_window(call);
    let size = with_buffer(call, hConsoleOutput, |b| {
        Ok(if bMaximumWindow {
            (b.width.min(largest.0), b.height.min(largest.1))
        } else {
            (b.window.width() as u16, b.window.height() as u16)
        })
    });
    match size {
        Ok((x, y)) => {
            let mut bytes = 0u32.to_le_bytes().to_vec();
            bytes.extend_from_slice(&pack(x, y));
            match call.write_bytes(lpConsoleCurrentFont.0, &bytes) {
                Ok(()) => ApiReturn::Value(1),
                Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
            }
        }
        Err(status) => call.fail(status),
    }
}

/// GetConsoleFontSize(hConsoleOutput, nFont): the font's cell in pixels, as a COORD; 0
/// with ERROR_INVALID_HANDLE for anything but a screen buffer, ERROR_INVALID_PARAMETER
/// for a font the console does not have.
#[export]
fn GetConsoleFontSize(call: &mut ApiCall<'_>, hConsoleOutput: Handle, nFont: u32) -> ApiReturn {
    if let Err(e) = buffer_index(call, hConsoleOutput) {
        return call.fail(e.status());
    }
    if nFont != 0 {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    ApiReturn::Value(u32::from_le_bytes(pack(FONT_SIZE.0, FONT_SIZE.1)))
}

/// BOOL SetConsoleFont(HANDLE hConsoleOutput, DWORD nFont): selects one of the console's
/// fonts; it has only font 0 (TRUE, nothing changes). ERROR_INVALID_HANDLE for anything but
/// a screen buffer, ERROR_INVALID_PARAMETER for a font the console does not have.
#[export]
fn SetConsoleFont(call: &mut ApiCall<'_>, hConsoleOutput: Handle, nFont: u32) -> ApiReturn {
    if let Err(e) = buffer_index(call, hConsoleOutput) {
        return call.fail(e.status());
    }
    if nFont != 0 {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    ApiReturn::Value(1)
}

/// DWORD GetConsoleFontInfo(HANDLE hConsoleOutput, BOOL bMaximumWindow, DWORD nLength,
/// PCONSOLE_FONT_INFO lpConsoleFontInfo): one CONSOLE_FONT_INFO per font, up to nLength,
/// each as GetCurrentConsoleFont reports it (the window's size in that font's cells, or the
/// largest window's); the number written (0 for nLength 0, the last error untouched).
/// ERROR_INVALID_HANDLE for anything but a screen buffer.
#[export]
fn GetConsoleFontInfo(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    bMaximumWindow: bool,
    nLength: u32,
    lpConsoleFontInfo: Ptr,
) -> ApiReturn {
    let largest = largest_window(call);
    let size = with_buffer(call, hConsoleOutput, |b| {
        Ok(if bMaximumWindow {
            (b.width.min(largest.0), b.height.min(largest.1))
        } else {
            (b.window.width() as u16, b.window.height() as u16)
        })
    });
    let (x, y) = match size {
        Ok(s) => s,
        Err(status) => return call.fail(status),
    };
    if nLength == 0 {
        return ApiReturn::Value(0);
    }
    let mut bytes = 0u32.to_le_bytes().to_vec();
    bytes.extend_from_slice(&pack(x, y));
    match call.write_bytes(lpConsoleFontInfo.0, &bytes) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// GetNumberOfConsoleFonts(): the console has one font.
#[export]
fn GetNumberOfConsoleFonts(_call: &mut ApiCall<'_>) -> u32 {
    1
}

/// GetNumberOfConsoleMouseButtons(lpNumberOfMouseButtons): a two-button mouse.
#[export]
fn GetNumberOfConsoleMouseButtons(
    call: &mut ApiCall<'_>,
    lpNumberOfMouseButtons: Ptr,
) -> ApiReturn {
    match call.write_u32(lpNumberOfMouseButtons.0, 2) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// sizeof(CONSOLE_FONT_INFOEX).
const FONT_INFOEX_SIZE: u32 = 84;
/// sizeof(CONSOLE_SCREEN_BUFFER_INFOEX).
const SCREEN_BUFFER_INFOEX_SIZE: u32 = 96;

/// GetCurrentConsoleFontEx(hConsoleOutput, bMaximumWindow, lpConsoleCurrentFontEx)
/// (Windows Vista): font 0, the 8 x 12 raster font "Terminal"; a cbSize other than the
/// structure's is ERROR_INVALID_PARAMETER, anything but a screen buffer ERROR_INVALID_HANDLE.
#[export]
fn GetCurrentConsoleFontEx(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    bMaximumWindow: bool,
    lpConsoleCurrentFontEx: Ptr,
) -> ApiReturn {
    let _ = bMaximumWindow;
    let out = lpConsoleCurrentFontEx.0;
    let Ok(size) = call.read_u32(out) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    if size != FONT_INFOEX_SIZE {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    if let Err(e) = buffer_index(call, hConsoleOutput) {
        return call.fail(e.status());
    }
    let mut bytes = Vec::with_capacity(FONT_INFOEX_SIZE as usize);
    bytes.extend_from_slice(&FONT_INFOEX_SIZE.to_le_bytes());
    bytes.extend_from_slice(&0u32.to_le_bytes());
    bytes.extend_from_slice(&pack(FONT_SIZE.0, FONT_SIZE.1));
    // FF_MODERN, FW_NORMAL.
    bytes.extend_from_slice(&0x30u32.to_le_bytes());
    bytes.extend_from_slice(&400u32.to_le_bytes());
    let mut face = [0u8; 64];
    for (i, unit) in "Terminal".encode_utf16().enumerate() {
        face[i * 2..i * 2 + 2].copy_from_slice(&unit.to_le_bytes());
    }
    bytes.extend_from_slice(&face);
    match call.write_bytes(out, &bytes) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// SetCurrentConsoleFontEx(hConsoleOutput, bMaximumWindow, lpConsoleCurrentFontEx)
/// (Windows Vista): the console has one font, which stays; a cbSize other than the
/// structure's is ERROR_INVALID_PARAMETER, anything but a screen buffer
/// ERROR_INVALID_HANDLE, the last error otherwise left alone.
#[export]
fn SetCurrentConsoleFontEx(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    bMaximumWindow: bool,
    lpConsoleCurrentFontEx: Ptr,
) -> ApiReturn {
    let _ = bMaximumWindow;
    let Ok(size) = call.read_u32(lpConsoleCurrentFontEx.0) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    if size != FONT_INFOEX_SIZE {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    match buffer_index(call, hConsoleOutput) {
        Ok(_) => ApiReturn::Value(1),
        Err(e) => call.fail(e.status()),
    }
}

/// GetConsoleScreenBufferInfoEx(hConsoleOutput, lpConsoleScreenBufferInfoEx) (Windows
/// Vista): GetConsoleScreenBufferInfo's fields, the pop-up attributes and the colour
/// table; a cbSize other than the structure's is ERROR_INVALID_PARAMETER.
#[export]
fn GetConsoleScreenBufferInfoEx(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    lpConsoleScreenBufferInfoEx: Ptr,
) -> ApiReturn {
    let out = lpConsoleScreenBufferInfoEx.0;
    let Ok(size) = call.read_u32(out) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    if size != SCREEN_BUFFER_INFOEX_SIZE {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    let largest = largest_window(call);
    let info = with_buffer(call, hConsoleOutput, |b| {
        let mut bytes = Vec::with_capacity(SCREEN_BUFFER_INFOEX_SIZE as usize);
        bytes.extend_from_slice(&SCREEN_BUFFER_INFOEX_SIZE.to_le_bytes());
        bytes.extend_from_slice(&pack(b.width, b.height));
        bytes.extend_from_slice(&pack(b.cursor.0, b.cursor.1));
        bytes.extend_from_slice(&b.attributes.to_le_bytes());
        bytes.extend_from_slice(&b.window.to_bytes());
        bytes.extend_from_slice(&pack(b.width.min(largest.0), b.height.min(largest.1)));
        bytes.extend_from_slice(&b.popup_attributes.to_le_bytes());
        // bFullscreenSupported: no full-screen mode.
        bytes.extend_from_slice(&0u32.to_le_bytes());
        for colour in b.color_table {
            bytes.extend_from_slice(&colour.to_le_bytes());
        }
        Ok(bytes)
    });
    match info {
        Ok(bytes) => match call.write_bytes(out, &bytes) {
            Ok(()) => ApiReturn::Value(1),
            Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
        },
        Err(status) => call.fail(status),
    }
}

/// SetConsoleScreenBufferInfoEx(hConsoleOutput, lpConsoleScreenBufferInfoEx) (Windows
/// Vista): the buffer's size, cursor, attributes, pop-up attributes and colour table; a
/// size the buffer cannot take is ERROR_INVALID_PARAMETER.
#[export]
fn SetConsoleScreenBufferInfoEx(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    lpConsoleScreenBufferInfoEx: Ptr,
) -> ApiReturn {
    let Ok(info) = call.read_bytes(
        lpConsoleScreenBufferInfoEx.0,
        SCREEN_BUFFER_INFOEX_SIZE as usize,
    ) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let u16_at = |i: usize| u16::from_le_bytes([info[i], info[i + 1]]);
    if u32::from_le_bytes([info[0], info[1], info[2], info[3]]) != SCREEN_BUFFER_INFOEX_SIZE {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    let (width, height) = (u16_at(4), u16_at(6));
    let cursor = (u16_at(8), u16_at(10));
    let (attributes, popup) = (u16_at(12), u16_at(26));
    let mut colours = [0u32; 16];
    for (i, c) in colours.iter_mut().enumerate() {
        let at = 32 + i * 4;
        *c = u32::from_le_bytes([info[at], info[at + 1], info[at + 2], info[at + 3]]);
    }
    let result = with_buffer(call, hConsoleOutput, |b| {
        if (width, height) != (b.width, b.height) {
            b.resize(width, height).ok_or(NtStatus::INVALID_PARAMETER)?;
        }
        if cursor.0 < b.width && cursor.1 < b.height {
            b.cursor = cursor;
        }
        b.attributes = attributes;
        b.popup_attributes = popup;
        b.color_table = colours;
        Ok(1)
    });
    finish(call, result)
}

/// SetConsoleInputExeName's work: an empty (or missing) name is ERROR_INVALID_PARAMETER.
fn set_input_exe_name(call: &mut ApiCall<'_>, name: Option<String>) -> ApiReturn {
    match name {
        Some(name) if !name.is_empty() => {
            call.state.k32().console_input_exe = Some(name);
            ApiReturn::Value(1)
        }
        _ => call.fail(NtStatus::INVALID_PARAMETER),
    }
}

/// SetConsoleInputExeNameA(lpExeName).
#[export]
fn SetConsoleInputExeNameA(call: &mut ApiCall<'_>, lpExeName: Option<AnsiStr>) -> ApiReturn {
    set_input_exe_name(call, lpExeName.map(|s| s.to_string()))
}

/// SetConsoleInputExeNameW(lpExeName).
#[export]
fn SetConsoleInputExeNameW(call: &mut ApiCall<'_>, lpExeName: Option<WideStr>) -> ApiReturn {
    set_input_exe_name(call, lpExeName.map(|s| s.to_string()))
}

/// A thread serving a control event: the event and the HandlerRoutines still to call,
/// next first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CtrlDispatch {
    /// CTRL_C_EVENT or CTRL_BREAK_EVENT.
    pub(crate) event: u32,
    /// The HandlerRoutines still to call, next first.
    pub(crate) handlers: Vec<u32>,
}

/// The event that is signalled while console input waits to be read.
fn input_event(call: &mut ApiCall<'_>) -> std::sync::Arc<nt_object::Object> {
    if let Some(event) = &call.state.k32().console_input_event {
        return event.clone();
    }
    let event = call
        .machine
        .objects()
        .create_event(nt_object::EventType::Notification, false);
    call.state.k32().console_input_event = Some(event.clone());
    event
}

/// What a wait on `object` waits on: the console's input event (signalled while input
/// records wait to be read) for the console input, else the object itself.
pub(crate) fn console_wait_object(
    call: &mut ApiCall<'_>,
    object: std::sync::Arc<nt_object::Object>,
) -> std::sync::Arc<nt_object::Object> {
    if object.payload::<HostFile>() != Some(&HostFile::Input) {
        return object;
    }
    let event = input_event(call);
    // The event follows the queue from here on.
    sync_console(call);
    event
}

/// Checks that `handle` is the console input handle.
fn check_input_handle(
    call: &ApiCall<'_>,
    handle: Handle,
    access: AccessMask,
) -> Result<(), NtStatus> {
    let object = call
        .reference(handle, access, Some(ObjectType::File))
        .map_err(|e| e.status())?;
    match object.payload::<HostFile>() {
        Some(HostFile::Input) => Ok(()),
        _ => Err(NtStatus::INVALID_HANDLE),
    }
}

/// ReadConsoleInputA / PeekConsoleInputA(hConsoleInput, lpBuffer, nLength,
/// lpNumberOfEventsRead): copies up to nLength queued events; Read removes them and waits
/// while the queue is empty.
fn read_input(
    call: &mut ApiCall<'_>,
    handle: Handle,
    buffer: Ptr,
    length: u32,
    read: Ptr,
    remove: bool,
    wide: bool,
) -> ApiReturn {
    let (buffer, read) = (buffer.0, read.0);
    if let Err(status) = check_input_handle(call, handle, AccessMask::GENERIC_READ) {
        return call.fail(status);
    }
    // Input records are a screen-buffer console's: a host draws it from now on.
    screen_feature(call);
    sync_console(call);
    if call.probe_write(read, 4).is_err() {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    if remove && length > 0 && call.state.k32().console.pending_records() == 0 {
        // Wait for a key: a terminal is polled; otherwise only the host (an embedder or the
        // key script) can add one, and it signals the input event when it does.
        return input_wait(call);
    }
    let mut records = call.state.k32().console.input_records(length as usize);
    if wide {
        // A key's character as UnicodeChar rather than AsciiChar.
        for r in &mut records {
            if r[..2] == crate::console::KEY_EVENT.to_le_bytes() {
                let unit = win32::codepage::CodePage::Oem.decode(r[14]);
                r[14..16].copy_from_slice(&unit.to_le_bytes());
            }
        }
    }
    let count = records.len();
    let bytes = records.concat();
    if call.write_bytes(buffer, &bytes).is_err() {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    if remove {
        call.state.k32().console.remove_records(count);
        sync_console(call);
    }
    match call.write_u32(read, count as u32) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// ReadConsoleInputA(hConsoleInput, lpBuffer, nLength, lpNumberOfEventsRead): waits while
/// the queue is empty.
#[export]
fn ReadConsoleInputA(
    call: &mut ApiCall<'_>,
    hConsoleInput: Handle,
    lpBuffer: Ptr,
    nLength: u32,
    lpNumberOfEventsRead: Ptr,
) -> ApiReturn {
    read_input(
        call,
        hConsoleInput,
        lpBuffer,
        nLength,
        lpNumberOfEventsRead,
        true,
        false,
    )
}

/// PeekConsoleInputA(hConsoleInput, lpBuffer, nLength, lpNumberOfEventsRead).
#[export]
fn PeekConsoleInputA(
    call: &mut ApiCall<'_>,
    hConsoleInput: Handle,
    lpBuffer: Ptr,
    nLength: u32,
    lpNumberOfEventsRead: Ptr,
) -> ApiReturn {
    read_input(
        call,
        hConsoleInput,
        lpBuffer,
        nLength,
        lpNumberOfEventsRead,
        false,
        false,
    )
}

/// ReadConsoleInputW(hConsoleInput, lpBuffer, nLength, lpNumberOfEventsRead): waits while
/// the queue is empty; a key's character comes as UnicodeChar.
#[export]
fn ReadConsoleInputW(
    call: &mut ApiCall<'_>,
    hConsoleInput: Handle,
    lpBuffer: Ptr,
    nLength: u32,
    lpNumberOfEventsRead: Ptr,
) -> ApiReturn {
    read_input(
        call,
        hConsoleInput,
        lpBuffer,
        nLength,
        lpNumberOfEventsRead,
        true,
        true,
    )
}

/// PeekConsoleInputW(hConsoleInput, lpBuffer, nLength, lpNumberOfEventsRead).
#[export]
fn PeekConsoleInputW(
    call: &mut ApiCall<'_>,
    hConsoleInput: Handle,
    lpBuffer: Ptr,
    nLength: u32,
    lpNumberOfEventsRead: Ptr,
) -> ApiReturn {
    read_input(
        call,
        hConsoleInput,
        lpBuffer,
        nLength,
        lpNumberOfEventsRead,
        false,
        true,
    )
}

/// WriteConsoleInputA/W's work: the records go to the end of the input queue (key events
/// as keys, with their character in the OEM code page, any other record as it is) and
/// their count to *lpNumberOfEventsWritten. The records are read before the handle is
/// checked (ERROR_INVALID_ACCESS for a buffer that cannot be read). A single mouse-move
/// record written after a mouse move still queued takes its place, as NT's console
/// coalesces mouse moves.
fn write_input(
    call: &mut ApiCall<'_>,
    handle: Handle,
    buffer: u32,
    length: u32,
    written: u32,
    wide: bool,
) -> ApiReturn {
    use crate::console::{INPUT_RECORD_SIZE, InputEvent, KEY_EVENT, KeyEvent};
    let size = INPUT_RECORD_SIZE as u32;
    if length > u32::MAX / size {
        return call.fail_win32(nt_status::Win32Error::NOT_ENOUGH_MEMORY, 0);
    }
    let Ok(bytes) = call.read_bytes(buffer, (length * size) as usize) else {
        return call.fail_win32(nt_status::Win32Error(12), 0);
    };
    if let Err(status) = check_input_handle(call, handle, AccessMask::GENERIC_WRITE) {
        return call.fail(status);
    }
    if call.probe_write(written, 4).is_err() {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    sync_console(call);
    let mut events = Vec::with_capacity(length as usize);
    for r in bytes.chunks_exact(INPUT_RECORD_SIZE) {
        let u16_at = |i: usize| u16::from_le_bytes([r[i], r[i + 1]]);
        if u16_at(0) != KEY_EVENT {
            let mut record = [0u8; INPUT_RECORD_SIZE];
            record.copy_from_slice(r);
            events.push(InputEvent::Other(record));
            continue;
        }
        let ascii_char = if wide {
            win32::codepage::CodePage::Oem
                .encode(u16_at(14))
                .unwrap_or(b'?')
        } else {
            r[14]
        };
        events.push(InputEvent::Key(KeyEvent {
            key_down: u32::from_le_bytes([r[4], r[5], r[6], r[7]]) != 0,
            repeat_count: u16_at(8),
            virtual_key_code: u16_at(10),
            virtual_scan_code: u16_at(12),
            ascii_char,
            control_key_state: u32::from_le_bytes([r[16], r[17], r[18], r[19]]),
        }));
    }
    let input = &mut call.state.k32().console.input;
    let mouse_move = |e: &InputEvent| match e {
        // MOUSE_EVENT with MOUSE_MOVED in dwEventFlags.
        InputEvent::Other(r) => r[..2] == [2, 0] && r[16] & 1 != 0,
        InputEvent::Key(_) => false,
    };
    if let [single] = events[..]
        && mouse_move(&single)
        && let Some(last) = input.back_mut()
        && mouse_move(last)
    {
        *last = single;
    } else {
        input.extend(events);
    }
    sync_console(call);
    match call.write_u32(written, length) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// WriteConsoleInputA(hConsoleInput, lpBuffer, nLength, lpNumberOfEventsWritten).
#[export]
fn WriteConsoleInputA(
    call: &mut ApiCall<'_>,
    hConsoleInput: Handle,
    lpBuffer: Ptr,
    nLength: u32,
    lpNumberOfEventsWritten: Ptr,
) -> ApiReturn {
    write_input(
        call,
        hConsoleInput,
        lpBuffer.0,
        nLength,
        lpNumberOfEventsWritten.0,
        false,
    )
}

/// WriteConsoleInputW(hConsoleInput, lpBuffer, nLength, lpNumberOfEventsWritten): a key
/// event's UnicodeChar goes to the queue in the OEM code page.
#[export]
fn WriteConsoleInputW(
    call: &mut ApiCall<'_>,
    hConsoleInput: Handle,
    lpBuffer: Ptr,
    nLength: u32,
    lpNumberOfEventsWritten: Ptr,
) -> ApiReturn {
    write_input(
        call,
        hConsoleInput,
        lpBuffer.0,
        nLength,
        lpNumberOfEventsWritten.0,
        true,
    )
}

/// GetNumberOfConsoleInputEvents(hConsoleInput, lpNumberOfEvents).
#[export]
fn GetNumberOfConsoleInputEvents(
    call: &mut ApiCall<'_>,
    hConsoleInput: Handle,
    lpNumberOfEvents: Ptr,
) -> ApiReturn {
    let (handle, out) = (hConsoleInput, lpNumberOfEvents.0);
    if let Err(status) = check_input_handle(call, handle, AccessMask::GENERIC_READ) {
        return call.fail(status);
    }
    sync_console(call);
    let count = call.state.k32().console.pending_records() as u32;
    match call.write_u32(out, count) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// FlushConsoleInputBuffer(hConsoleInput).
#[export]
fn FlushConsoleInputBuffer(call: &mut ApiCall<'_>, hConsoleInput: Handle) -> ApiReturn {
    flush_console_input(call, hConsoleInput)
}

/// FlushConsoleInputBuffer's work, which FlushFileBuffers of the console input does too.
#[allow(non_snake_case)] // the API's name
pub(crate) fn flush_console_input(call: &mut ApiCall<'_>, hConsoleInput: Handle) -> ApiReturn {
    if let Err(status) = check_input_handle(call, hConsoleInput, AccessMask::GENERIC_WRITE) {
        return call.fail(status);
    }
    sync_console(call);
    let console = &mut call.state.k32().console;
    console.input.clear();
    console.size_events.clear();
    sync_console(call);
    ApiReturn::Value(1)
}

/// What a run of cells carries between the buffer and the caller.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum RunKind {
    /// Characters, one byte each (the OEM code page).
    Ansi,
    /// Characters, UTF-16.
    Wide,
    /// Attributes, a WORD each.
    Attribute,
}

/// A UTF-16 character as the console keeps it, in the OEM code page ('?' when it has none).
fn oem_byte(unit: u16) -> u8 {
    win32::codepage::CodePage::Oem.encode(unit).unwrap_or(b'?')
}

/// Read/WriteConsoleOutputCharacterA and Attribute: (hConsoleOutput, lpBuffer, nLength,
/// dwCoord, lpNumberOf...): runs of cells in reading order from dwCoord, wrapping rows and
/// stopping at the buffer's end.
#[allow(clippy::too_many_arguments)]
fn cell_run(
    call: &mut ApiCall<'_>,
    handle: Handle,
    buffer: Ptr,
    length: u32,
    at: Coord,
    done: Ptr,
    kind: RunKind,
    write: bool,
) -> ApiReturn {
    if write {
        screen_feature(call);
    }
    let (buffer, x, y, done) = (buffer.0, at.x, at.y, done.0);
    let unit = if kind == RunKind::Ansi { 1 } else { 2 };
    if call.probe_write(done, 4).is_err() {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    let index = match buffer_index(call, handle) {
        Ok(i) => i,
        Err(e) => return call.fail(e.status()),
    };
    let available = match call.state.k32().console.buffers.get(index) {
        Some(b) if b.contains(x, y) => b.read_run(x, y, length).len(),
        // A start outside the buffer moves nothing.
        Some(_) => 0,
        None => return call.fail(NtStatus::INVALID_HANDLE),
    };
    let count = if write {
        let Ok(data) = call.read_bytes(buffer, available * unit) else {
            return call.fail(NtStatus::ACCESS_VIOLATION);
        };
        let Some(b) = call.state.k32().console.buffers.get_mut(index) else {
            return call.fail(NtStatus::INVALID_HANDLE);
        };
        let start = usize::from(y) * usize::from(b.width) + usize::from(x);
        for (i, value) in data.chunks_exact(unit).enumerate() {
            let at = start + i;
            let (cx, cy) = (
                (at % usize::from(b.width)) as u16,
                (at / usize::from(b.width)) as u16,
            );
            if let Some(mut cell) = b.cell(cx, cy) {
                match kind {
                    RunKind::Ansi => cell.ch = value[0],
                    RunKind::Wide => cell.ch = oem_byte(u16::from_le_bytes([value[0], value[1]])),
                    RunKind::Attribute => {
                        cell.attributes = u16::from_le_bytes([value[0], value[1]]);
                    }
                }
                b.set_cell(cx, cy, cell);
            }
        }
        available
    } else {
        let bytes: Vec<u8> = match call.state.k32().console.buffers.get(index) {
            Some(b) => b
                .read_run(x, y, length)
                .iter()
                .flat_map(|c| match kind {
                    RunKind::Ansi => vec![c.ch],
                    RunKind::Wide => win32::codepage::CodePage::Oem
                        .decode(c.ch)
                        .to_le_bytes()
                        .to_vec(),
                    RunKind::Attribute => c.attributes.to_le_bytes().to_vec(),
                })
                .collect(),
            None => return call.fail(NtStatus::INVALID_HANDLE),
        };
        if call.write_bytes(buffer, &bytes).is_err() {
            return call.fail(NtStatus::ACCESS_VIOLATION);
        }
        available
    };
    match call.write_u32(done, count as u32) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// ReadConsoleOutputAttribute(hConsoleOutput, lpAttribute, nLength, dwReadCoord,
/// lpNumberOfAttrsRead).
#[export]
fn ReadConsoleOutputAttribute(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    lpAttribute: Ptr,
    nLength: u32,
    dwReadCoord: Coord,
    lpNumberOfAttrsRead: Ptr,
) -> ApiReturn {
    cell_run(
        call,
        hConsoleOutput,
        lpAttribute,
        nLength,
        dwReadCoord,
        lpNumberOfAttrsRead,
        RunKind::Attribute,
        false,
    )
}

/// ReadConsoleOutputCharacterA(hConsoleOutput, lpCharacter, nLength, dwReadCoord,
/// lpNumberOfCharsRead).
#[export]
fn ReadConsoleOutputCharacterA(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    lpCharacter: Ptr,
    nLength: u32,
    dwReadCoord: Coord,
    lpNumberOfCharsRead: Ptr,
) -> ApiReturn {
    cell_run(
        call,
        hConsoleOutput,
        lpCharacter,
        nLength,
        dwReadCoord,
        lpNumberOfCharsRead,
        RunKind::Ansi,
        false,
    )
}

/// WriteConsoleOutputAttribute(hConsoleOutput, lpAttribute, nLength, dwWriteCoord,
/// lpNumberOfAttrsWritten).
#[export]
fn WriteConsoleOutputAttribute(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    lpAttribute: Ptr,
    nLength: u32,
    dwWriteCoord: Coord,
    lpNumberOfAttrsWritten: Ptr,
) -> ApiReturn {
    cell_run(
        call,
        hConsoleOutput,
        lpAttribute,
        nLength,
        dwWriteCoord,
        lpNumberOfAttrsWritten,
        RunKind::Attribute,
        true,
    )
}

/// WriteConsoleOutputCharacterA(hConsoleOutput, lpCharacter, nLength, dwWriteCoord,
/// lpNumberOfCharsWritten).
#[export]
fn WriteConsoleOutputCharacterA(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    lpCharacter: Ptr,
    nLength: u32,
    dwWriteCoord: Coord,
    lpNumberOfCharsWritten: Ptr,
) -> ApiReturn {
    cell_run(
        call,
        hConsoleOutput,
        lpCharacter,
        nLength,
        dwWriteCoord,
        lpNumberOfCharsWritten,
        RunKind::Ansi,
        true,
    )
}

/// ReadConsoleOutputCharacterW(hConsoleOutput, lpCharacter, nLength, dwReadCoord,
/// lpNumberOfCharsRead).
#[export]
fn ReadConsoleOutputCharacterW(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    lpCharacter: Ptr,
    nLength: u32,
    dwReadCoord: Coord,
    lpNumberOfCharsRead: Ptr,
) -> ApiReturn {
    cell_run(
        call,
        hConsoleOutput,
        lpCharacter,
        nLength,
        dwReadCoord,
        lpNumberOfCharsRead,
        RunKind::Wide,
        false,
    )
}

/// WriteConsoleOutputCharacterW(hConsoleOutput, lpCharacter, nLength, dwWriteCoord,
/// lpNumberOfCharsWritten).
#[export]
fn WriteConsoleOutputCharacterW(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    lpCharacter: Ptr,
    nLength: u32,
    dwWriteCoord: Coord,
    lpNumberOfCharsWritten: Ptr,
) -> ApiReturn {
    cell_run(
        call,
        hConsoleOutput,
        lpCharacter,
        nLength,
        dwWriteCoord,
        lpNumberOfCharsWritten,
        RunKind::Wide,
        true,
    )
}

/// ReadConsoleOutputW(hConsoleOutput, lpBuffer, dwBufferSize, dwBufferCoord, lpReadRegion):
/// CHAR_INFOs with UTF-16 characters.
#[export]
fn ReadConsoleOutputW(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    lpBuffer: Ptr,
    dwBufferSize: Coord,
    dwBufferCoord: Coord,
    lpReadRegion: Ptr,
) -> ApiReturn {
    cell_rectangle(
        call,
        hConsoleOutput,
        lpBuffer,
        dwBufferSize,
        dwBufferCoord,
        lpReadRegion,
        false,
        true,
    )
}

/// WriteConsoleOutputW(hConsoleOutput, lpBuffer, dwBufferSize, dwBufferCoord,
/// lpWriteRegion).
#[export]
fn WriteConsoleOutputW(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    lpBuffer: Ptr,
    dwBufferSize: Coord,
    dwBufferCoord: Coord,
    lpWriteRegion: Ptr,
) -> ApiReturn {
    cell_rectangle(
        call,
        hConsoleOutput,
        lpBuffer,
        dwBufferSize,
        dwBufferCoord,
        lpWriteRegion,
        true,
        true,
    )
}

/// Read/WriteConsoleOutputA(hConsoleOutput, lpBuffer (CHAR_INFO), dwBufferSize,
/// dwBufferCoord, lpReadRegion/lpWriteRegion): a rectangle of cells between the screen
/// buffer and a guest array; the region is clipped to both and written back.
#[allow(clippy::too_many_arguments)] // the API's five, the direction and the character set
fn cell_rectangle(
    call: &mut ApiCall<'_>,
    handle: Handle,
    array: Ptr,
    size: Coord,
    origin: Coord,
    region_ptr: Ptr,
    write: bool,
    wide: bool,
) -> ApiReturn {
    if write {
        screen_feature(call);
    }
    let (array, (array_w, array_h), (array_x, array_y), region_ptr) = (
        array.0,
        (size.x, size.y),
        (origin.x, origin.y),
        region_ptr.0,
    );
    let mut region = match read_rect(call, region_ptr) {
        Ok(r) => r,
        Err(status) => return call.fail(status),
    };
    let index = match buffer_index(call, handle) {
        Ok(i) => i,
        Err(e) => return call.fail(e.status()),
    };
    let Some(bounds) = call
        .state
        .k32()
        .console
        .buffers
        .get(index)
        .map(|b| b.bounds())
    else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    // The part of the array from the buffer coordinate on limits the region's size.
    let (aw, ah, ax, ay) = (
        i32::from(array_w as i16),
        i32::from(array_h as i16),
        i32::from(array_x as i16),
        i32::from(array_y as i16),
    );
    let clipped = region.intersect(bounds);
    let fits_w = (aw - ax).min(region.width());
    let fits_h = (ah - ay).min(region.height());
    let area = crate::console::Rect {
        left: clipped.left,
        top: clipped.top,
        right: clipped
            .right
            .min((i32::from(region.left) + fits_w - 1).clamp(-1, 0x7FFF) as i16),
        bottom: clipped
            .bottom
            .min((i32::from(region.top) + fits_h - 1).clamp(-1, 0x7FFF) as i16),
    };
    if write {
        // WriteConsoleOutput: an inverted region, or a buffer coordinate outside the
        // array, is ERROR_INVALID_PARAMETER; a region wholly outside the screen buffer
        // writes nothing and succeeds; either way the region is left as it was.
        if region.left > region.right
            || region.top > region.bottom
            || ax < 0
            || ay < 0
            || ax >= aw
            || ay >= ah
        {
            return call.fail(NtStatus::INVALID_PARAMETER);
        }
        if area.is_empty() {
            return ApiReturn::Value(1);
        }
    }
    if area.is_empty() || ax < 0 || ay < 0 || ax >= aw || ay >= ah {
        // Nothing to copy: NT reports an empty region.
        region.right = region.left - 1;
        region.bottom = region.top - 1;
        let _ = call.write_bytes(region_ptr, &region.to_bytes());
        return ApiReturn::Value(1);
    }
    let cell_at = |x: i16, y: i16| -> u32 {
        let col = ax + i32::from(x) - i32::from(region.left);
        let row = ay + i32::from(y) - i32::from(region.top);
        array.wrapping_add(((row * aw + col) as u32).wrapping_mul(4))
    };
    for y in area.top..=area.bottom {
        let (start, width) = (cell_at(area.left, y), area.width() as usize);
        if write {
            let Ok(row) = call.read_bytes(start, width * 4) else {
                return call.fail(NtStatus::ACCESS_VIOLATION);
            };
            let Some(b) = call.state.k32().console.buffers.get_mut(index) else {
                return call.fail(NtStatus::INVALID_HANDLE);
            };
            for (i, info) in row.chunks_exact(4).enumerate() {
                b.set_cell(
                    (i32::from(area.left) + i as i32) as u16,
                    y as u16,
                    crate::console::Cell {
                        ch: if wide {
                            oem_byte(u16::from_le_bytes([info[0], info[1]]))
                        } else {
                            info[0]
                        },
                        attributes: u16::from_le_bytes([info[2], info[3]]),
                    },
                );
            }
        } else {
            let row: Vec<u8> = match call.state.k32().console.buffers.get(index) {
                Some(b) => (area.left..=area.right)
                    .flat_map(|x| {
                        let c = b.cell(x as u16, y as u16).unwrap_or(crate::console::Cell {
                            ch: b' ',
                            attributes: 0,
                        });
                        let [a0, a1] = c.attributes.to_le_bytes();
                        if wide {
                            let [c0, c1] =
                                win32::codepage::CodePage::Oem.decode(c.ch).to_le_bytes();
                            [c0, c1, a0, a1]
                        } else {
                            [c.ch, 0, a0, a1]
                        }
                    })
                    .collect(),
                None => return call.fail(NtStatus::INVALID_HANDLE),
            };
            if call.write_bytes(start, &row).is_err() {
                return call.fail(NtStatus::ACCESS_VIOLATION);
            }
        }
    }
    match call.write_bytes(region_ptr, &area.to_bytes()) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// ReadConsoleOutputA(hConsoleOutput, lpBuffer, dwBufferSize, dwBufferCoord, lpReadRegion).
#[export]
fn ReadConsoleOutputA(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    lpBuffer: Ptr,
    dwBufferSize: Coord,
    dwBufferCoord: Coord,
    lpReadRegion: Ptr,
) -> ApiReturn {
    cell_rectangle(
        call,
        hConsoleOutput,
        lpBuffer,
        dwBufferSize,
        dwBufferCoord,
        lpReadRegion,
        false,
        false,
    )
}

/// WriteConsoleOutputA(hConsoleOutput, lpBuffer, dwBufferSize, dwBufferCoord,
/// lpWriteRegion).
#[export]
fn WriteConsoleOutputA(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    lpBuffer: Ptr,
    dwBufferSize: Coord,
    dwBufferCoord: Coord,
    lpWriteRegion: Ptr,
) -> ApiReturn {
    cell_rectangle(
        call,
        hConsoleOutput,
        lpBuffer,
        dwBufferSize,
        dwBufferCoord,
        lpWriteRegion,
        true,
        false,
    )
}

fn read_rect(call: &ApiCall<'_>, at: u32) -> Result<crate::console::Rect, NtStatus> {
    let bytes = call
        .read_bytes(at, 8)
        .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes);
    Ok(crate::console::Rect::from_bytes(b))
}

/// ScrollConsoleScreenBufferA(hConsoleOutput, lpScrollRectangle, lpClipRectangle,
/// dwDestinationOrigin, lpFill).
#[export]
fn ScrollConsoleScreenBufferA(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    lpScrollRectangle: Ptr,
    lpClipRectangle: Ptr,
    dwDestinationOrigin: Coord,
    lpFill: Ptr,
) -> ApiReturn {
    scroll(
        call,
        hConsoleOutput,
        lpScrollRectangle,
        lpClipRectangle,
        dwDestinationOrigin,
        lpFill,
        false,
    )
}

/// ScrollConsoleScreenBufferW(hConsoleOutput, lpScrollRectangle, lpClipRectangle,
/// dwDestinationOrigin, lpFill): the fill's character is UTF-16.
#[export]
fn ScrollConsoleScreenBufferW(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    lpScrollRectangle: Ptr,
    lpClipRectangle: Ptr,
    dwDestinationOrigin: Coord,
    lpFill: Ptr,
) -> ApiReturn {
    scroll(
        call,
        hConsoleOutput,
        lpScrollRectangle,
        lpClipRectangle,
        dwDestinationOrigin,
        lpFill,
        true,
    )
}

/// ScrollConsoleScreenBufferA/W's work.
#[allow(non_snake_case)] // the arguments keep the API's names
fn scroll(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    lpScrollRectangle: Ptr,
    lpClipRectangle: Ptr,
    dwDestinationOrigin: Coord,
    lpFill: Ptr,
    wide: bool,
) -> ApiReturn {
    screen_feature(call);
    let (handle, scroll_ptr, clip_ptr, (dx, dy), fill_ptr) = (
        hConsoleOutput,
        lpScrollRectangle.0,
        lpClipRectangle.0,
        (dwDestinationOrigin.x, dwDestinationOrigin.y),
        lpFill.0,
    );
    let scroll = match read_rect(call, scroll_ptr) {
        Ok(r) => r,
        Err(s) => return call.fail(s),
    };
    let clip = if clip_ptr == 0 {
        None
    } else {
        match read_rect(call, clip_ptr) {
            Ok(r) => Some(r),
            Err(s) => return call.fail(s),
        }
    };
    let Ok(fill) = call.read_bytes(fill_ptr, 4) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let fill = crate::console::Cell {
        ch: if wide {
            oem_byte(u16::from_le_bytes([fill[0], fill[1]]))
        } else {
            fill[0]
        },
        attributes: u16::from_le_bytes([fill[2], fill[3]]),
    };
    let result = with_buffer(call, handle, |b| {
        b.scroll(scroll, clip, (dx as i16, dy as i16), fill)
            .map(|()| 1)
            .ok_or(NtStatus::INVALID_PARAMETER)
    });
    finish(call, result)
}

/// SetConsoleScreenBufferSize(hConsoleOutput, dwSize).
#[export]
fn SetConsoleScreenBufferSize(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    dwSize: Coord,
) -> ApiReturn {
    screen_feature(call);
    let (w, h) = (dwSize.x, dwSize.y);
    let result = with_buffer(call, hConsoleOutput, |b| {
        b.resize(w, h)
            .map(|()| 1)
            .ok_or(NtStatus::INVALID_PARAMETER)
    });
    finish(call, result)
}

/// SetConsoleWindowInfo(hConsoleOutput, bAbsolute, lpConsoleWindow): the window moves or
/// changes size; it must stay inside the buffer.
#[export]
fn SetConsoleWindowInfo(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    bAbsolute: bool,
    lpConsoleWindow: Ptr,
) -> ApiReturn {
    screen_feature(call);
    let (handle, absolute) = (hConsoleOutput, bAbsolute);
    let rect = match read_rect(call, lpConsoleWindow.0) {
        Ok(r) => r,
        Err(s) => return call.fail(s),
    };
    let result = with_buffer(call, handle, |b| {
        let window = if absolute {
            rect
        } else {
            crate::console::Rect {
                left: b.window.left.wrapping_add(rect.left),
                top: b.window.top.wrapping_add(rect.top),
                right: b.window.right.wrapping_add(rect.right),
                bottom: b.window.bottom.wrapping_add(rect.bottom),
            }
        };
        let bounds = b.bounds();
        if window.is_empty() || window.intersect(bounds) != window {
            return Err(NtStatus::INVALID_PARAMETER);
        }
        b.window = window;
        Ok(1)
    });
    finish(call, result)
}

/// SetConsoleCtrlHandler(HandlerRoutine, Add): the calling process's handlers; NULL with
/// Add sets ignoring Ctrl+C (not Ctrl+Break).
#[export]
fn SetConsoleCtrlHandler(call: &mut ApiCall<'_>, HandlerRoutine: Ptr, Add: bool) -> ApiReturn {
    let (routine, add) = (HandlerRoutine.0, Add);
    let pid = call.thread.process;
    let Some(process) = call.process_object() else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    let registration = call.state.k32().console.ctrl.get_mut(pid, &process);
    match (routine, add) {
        (0, add) => registration.ignore_ctrl_c = add,
        (r, true) => registration.handlers.push(r),
        (r, false) => match registration.handlers.iter().rposition(|&h| h == r) {
            Some(i) => {
                registration.handlers.remove(i);
            }
            None => return call.fail(NtStatus::INVALID_PARAMETER),
        },
    }
    ApiReturn::Value(1)
}

/// Beep(dwFreq, dwDuration): synchronous, like Sleep for the duration (there is no
/// speaker to sound); a terminal gets BEL.
#[export]
fn Beep(call: &mut ApiCall<'_>, dwFreq: u32, dwDuration: u32) -> ApiReturn {
    let _ = dwFreq;
    let duration = dwDuration;
    sync_console(call);
    if duration == 0 {
        return ApiReturn::Value(1);
    }
    super::delay(
        call,
        Some(std::time::Duration::from_millis(u64::from(duration))),
    )
}

/// WriteConsoleW(hConsoleOutput, lpBuffer, nNumberOfCharsToWrite, lpNumberOfCharsWritten,
/// lpReserved): the text goes to the screen buffer in the OEM code page.
#[export]
fn WriteConsoleW(
    call: &mut ApiCall<'_>,
    hConsoleOutput: Handle,
    lpBuffer: Ptr,
    nNumberOfCharsToWrite: u32,
    lpNumberOfCharsWritten: Ptr,
    lpReserved: Ptr,
) -> ApiReturn {
    let _ = lpReserved;
    let (handle, text, count, written) = (
        hConsoleOutput,
        lpBuffer.0,
        nNumberOfCharsToWrite,
        lpNumberOfCharsWritten.0,
    );
    let Ok(units) = call.read_bytes(text, (count as usize).min(0x10_0000) * 2) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    if call.probe_optional(written, 4).is_err() {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    let oem: Vec<u8> = units
        .chunks_exact(2)
        .map(|u| {
            win32::codepage::CodePage::Oem
                .encode(u16::from_le_bytes([u[0], u[1]]))
                .unwrap_or(b'?')
        })
        .collect();
    let target = match call
        .reference(handle, AccessMask(0x2), Some(ObjectType::File))
        .map(|o| o.payload::<HostFile>().copied())
    {
        Ok(Some(t)) => t,
        Ok(None) => return call.fail(NtStatus::INVALID_HANDLE),
        Err(e) => return call.fail(e.status()),
    };
    if target == HostFile::Input {
        return call.fail(NtStatus::INVALID_HANDLE);
    }
    // Like WriteConsoleA, the console's screen buffer only: the host stream is WriteFile's.
    if let Err(status) = super::write_console_bytes(call, target, &oem, false, false) {
        return call.fail(status);
    }
    match call.write_out_u32(written, count) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// Cooked console input for ReadFile and ReadConsoleA: up to `max` bytes of finished
/// lines (line input) or typed characters. None: nothing is ready yet and more may come,
/// so the caller should wait ([`input_wait`]). An ended input gives an empty read.
pub fn read_cooked(call: &mut ApiCall<'_>, max: usize) -> Option<Vec<u8>> {
    sync_console(call);
    call.state.k32().console.cook_input();
    // The echo shows as it is typed.
    show(call.state.k32());
    let console = &mut call.state.k32().console;
    if console.line_ready.is_empty() {
        if console.input_closed {
            // What was typed without an Enter is the last line.
            console.line_ready.extend(console.line_editing.drain(..));
            if console.line_ready.is_empty() {
                return Some(Vec::new());
            }
        } else {
            return None;
        }
    }
    // A read returns at most one line, as NT's cooked reads do.
    let line_end = console
        .line_ready
        .iter()
        .position(|&b| b == b'\n')
        .map_or(console.line_ready.len(), |i| i + 1);
    let n = max.min(line_end);
    Some(console.line_ready.drain(..n).collect())
}

/// The wait a console read that found nothing ready parks on: the input event, or a short
/// poll of a host that may still type.
pub fn input_wait(call: &mut ApiCall<'_>) -> ApiReturn {
    // An ended input never brings another key: the wait is for ever.
    let k = call.state.k32();
    let timeout = (k.console_host.as_ref().is_some_and(|h| h.types_keys())
        && !k.console.input_closed)
        .then(|| std::time::Duration::from_millis(15));
    let event = input_event(call);
    let _ = event.reset_event();
    ApiReturn::Retry {
        objects: vec![event],
        timeout,
    }
}

/// ReadFile on the console input handle: cooked input, waiting for a line.
pub(crate) fn read_file_from_console(
    call: &mut ApiCall<'_>,
    handle: Handle,
    buffer: u32,
    length: u32,
    read: u32,
) -> ApiReturn {
    let _ = handle;
    read_console_into(call, buffer, length, read)
}

fn read_console_into(call: &mut ApiCall<'_>, buffer: u32, length: u32, read: u32) -> ApiReturn {
    if call
        .probe_write(buffer, length.min(0x10_0000) as usize)
        .is_err()
        || call.probe_optional(read, 4).is_err()
    {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    match read_cooked(call, length as usize) {
        Some(bytes) => {
            if call.write_bytes(buffer, &bytes).is_err()
                || call.write_out_u32(read, bytes.len() as u32).is_err()
            {
                return call.fail(NtStatus::ACCESS_VIOLATION);
            }
            sync_console(call);
            ApiReturn::Value(1)
        }
        None => input_wait(call),
    }
}

/// ReadConsoleA(hConsoleInput, lpBuffer, nNumberOfCharsToRead, lpNumberOfCharsRead,
/// lpReserved).
#[export]
fn ReadConsoleA(
    call: &mut ApiCall<'_>,
    hConsoleInput: Handle,
    lpBuffer: Ptr,
    nNumberOfCharsToRead: u32,
    lpNumberOfCharsRead: Ptr,
    lpReserved: Ptr,
) -> ApiReturn {
    let _ = lpReserved;
    if let Err(status) = check_input_handle(call, hConsoleInput, AccessMask::GENERIC_READ) {
        return call.fail(status);
    }
    read_console_into(
        call,
        lpBuffer.0,
        nNumberOfCharsToRead,
        lpNumberOfCharsRead.0,
    )
}

/// ReadConsoleW(hConsoleInput, lpBuffer, nNumberOfCharsToRead, lpNumberOfCharsRead,
/// lpReserved): ReadConsoleA's cooked input as UTF-16 characters; a count whose bytes the
/// console cannot allocate is ERROR_NOT_ENOUGH_MEMORY.
#[export]
fn ReadConsoleW(
    call: &mut ApiCall<'_>,
    hConsoleInput: Handle,
    lpBuffer: Ptr,
    nNumberOfCharsToRead: u32,
    lpNumberOfCharsRead: Ptr,
    lpReserved: Ptr,
) -> ApiReturn {
    let _ = lpReserved;
    let (buffer, length, read) = (lpBuffer.0, nNumberOfCharsToRead, lpNumberOfCharsRead.0);
    if let Err(status) = check_input_handle(call, hConsoleInput, AccessMask::GENERIC_READ) {
        return call.fail(status);
    }
    if length > 0x3FFF_FFFF {
        return call.fail_win32(nt_status::Win32Error::NOT_ENOUGH_MEMORY, 0);
    }
    if call
        .probe_write(buffer, (length.min(0x8_0000) * 2) as usize)
        .is_err()
        || call.probe_optional(read, 4).is_err()
    {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    match read_cooked(call, length as usize) {
        Some(bytes) => {
            let units: Vec<u8> = bytes
                .iter()
                .flat_map(|&b| win32::codepage::CodePage::Oem.decode(b).to_le_bytes())
                .collect();
            if call.write_bytes(buffer, &units).is_err()
                || call.write_out_u32(read, bytes.len() as u32).is_err()
            {
                return call.fail(NtStatus::ACCESS_VIOLATION);
            }
            sync_console(call);
            ApiReturn::Value(1)
        }
        None => input_wait(call),
    }
}

/// Where the thread that serves a Ctrl+C starts (NT's kernel32!CtrlRoutine).
pub const CTRL_ROUTINE_THUNK: u32 = nt_kernel::THUNK_BASE + 0x20;
/// Where a HandlerRoutine that thread called returns to.
pub const CTRL_HANDLER_RETURN_THUNK: u32 = nt_kernel::THUNK_BASE + 0x24;

/// The control-routine thread reached one of its thunks: calls the next HandlerRoutine,
/// or ends (the thread when a handler returned TRUE, the process when none did). None for
/// any other address.
pub(crate) fn ctrl_thunk(
    call: &mut ApiCall<'_>,
    address: u32,
) -> Option<nt_kernel::ServiceOutcome> {
    use nt_kernel::{ALPHA_A0, ALPHA_PV, ALPHA_RA, CpuContext, ServiceOutcome, X86_ESP};
    if address != CTRL_ROUTINE_THUNK && address != CTRL_HANDLER_RETURN_THUNK {
        return None;
    }
    let thread = call.thread;
    let machine = &mut *call.machine;
    let state = call.state.k32();
    let key = (thread.process, thread.thread);
    let process = machine.process_mut(thread.process)?;
    let context = process.thread(thread.thread)?.context();
    if address == CTRL_HANDLER_RETURN_THUNK && context.return_value() != 0 {
        state.ctrl_threads.remove(&key);
        return Some(ServiceOutcome::ExitThread(0));
    }
    let event = state.ctrl_threads.get(&key).map_or(0, |d| d.event);
    let next = state.ctrl_threads.get_mut(&key).and_then(|d| {
        if d.handlers.is_empty() {
            None
        } else {
            Some(d.handlers.remove(0))
        }
    });
    let Some(handler) = next else {
        state.ctrl_threads.remove(&key);
        return Some(ServiceOutcome::ExitProcess(NtStatus::CONTROL_C_EXIT.0));
    };
    // Call HandlerRoutine(event), returning to the return thunk: on x86 the return
    // address and the argument go on the stack.
    let x86_sp = match context {
        CpuContext::X86(c) => Some(c.gpr[X86_ESP].wrapping_sub(8)),
        CpuContext::Alpha(_) => None,
    };
    if let Some(sp) = x86_sp {
        let space = process.address_space_mut();
        if space.write_u32(sp, CTRL_HANDLER_RETURN_THUNK).is_err()
            || space.write_u32(sp.wrapping_add(4), event).is_err()
        {
            return Some(ServiceOutcome::ExitProcess(NtStatus::CONTROL_C_EXIT.0));
        }
    }
    match process.thread_mut(thread.thread)?.context_mut() {
        CpuContext::X86(c) => {
            c.gpr[X86_ESP] = x86_sp.unwrap_or(c.gpr[X86_ESP]);
            c.eip = handler;
        }
        CpuContext::Alpha(c) => {
            c.r[ALPHA_A0] = u64::from(event);
            c.r[ALPHA_RA] = nt_kernel::sign_extend(CTRL_HANDLER_RETURN_THUNK);
            c.r[ALPHA_PV] = nt_kernel::sign_extend(handler);
            c.pc = nt_kernel::sign_extend(handler);
        }
    }
    Some(ServiceOutcome::Continue)
}

/// What the console functions keep beyond the console itself: the console's input and output
/// code pages, and which processes have freed their console.
struct ConsoleAttachments {
    /// The input code page (GetConsoleCP).
    input_code_page: u32,
    /// The output code page (GetConsoleOutputCP).
    output_code_page: u32,
    /// Processes that called FreeConsole and have not called AllocConsole since (or were
    /// started without a console).
    detached: win32::PerProcess<bool>,
    /// Processes whose console has no window (started with CREATE_NO_WINDOW).
    windowless: win32::PerProcess<bool>,
}

impl Default for ConsoleAttachments {
    fn default() -> Self {
        ConsoleAttachments {
            input_code_page: crate::startup::OEM_CODE_PAGE,
            output_code_page: crate::startup::OEM_CODE_PAGE,
            detached: win32::PerProcess::default(),
            windowless: win32::PerProcess::default(),
        }
    }
}

/// True when the calling process has a console: every process starts with the machine's
/// console (ntemu runs console programs) until it calls FreeConsole.
pub(crate) fn has_console(call: &mut ApiCall<'_>) -> bool {
    let pid = call.thread.process;
    let Some(object) = call.process_object() else {
        return false;
    };
    !call
        .state
        .get::<ConsoleAttachments>()
        .detached
        .get(pid, &object)
        .copied()
        .unwrap_or(false)
}

/// True when the calling process's console has no window.
fn windowless(call: &mut ApiCall<'_>) -> bool {
    let pid = call.thread.process;
    let Some(object) = call.process_object() else {
        return false;
    };
    call.state
        .get::<ConsoleAttachments>()
        .windowless
        .get(pid, &object)
        .copied()
        .unwrap_or(false)
}

fn set_windowless(call: &mut ApiCall<'_>, windowless: bool) {
    let pid = call.thread.process;
    if let Some(object) = call.process_object() {
        call.state
            .get::<ConsoleAttachments>()
            .windowless
            .insert(pid, &object, windowless);
    }
}

/// The calling process's console, as its children see it: (attached, without a window).
pub(crate) fn console_state(call: &mut ApiCall<'_>) -> (bool, bool) {
    (has_console(call), windowless(call))
}

/// DETACHED_PROCESS.
const DETACHED_PROCESS: u32 = 0x0000_0008;
/// CREATE_NEW_CONSOLE.
const CREATE_NEW_CONSOLE: u32 = 0x0000_0010;
/// CREATE_NO_WINDOW.
const CREATE_NO_WINDOW: u32 = 0x0800_0000;
/// IMAGE_SUBSYSTEM_WINDOWS_CUI.
const SUBSYSTEM_CUI: u16 = 3;

/// Sets up the console of a new process (`call` is on the child) from its creator's console
/// (`parent`, as [`console_state`] gives it), its creation flags and its image's subsystem,
/// as NT's CreateProcess does: a GUI program, or one started with DETACHED_PROCESS, has no
/// console; CREATE_NEW_CONSOLE gives a console with a window; CREATE_NO_WINDOW one without;
/// otherwise the child shares its creator's console (a console with a window when the
/// creator has none). ntemu's console is one per machine: only the attachment and the window
/// differ.
pub(crate) fn set_up_child_console(
    call: &mut ApiCall<'_>,
    parent: (bool, bool),
    flags: u32,
    subsystem: u16,
) {
    let (attached, windowless) = if subsystem != SUBSYSTEM_CUI || flags & DETACHED_PROCESS != 0 {
        (false, false)
    } else if flags & CREATE_NEW_CONSOLE != 0 {
        (true, false)
    } else if flags & CREATE_NO_WINDOW != 0 {
        (true, true)
    } else {
        (true, parent.0 && parent.1)
    };
    set_detached(call, !attached);
    set_windowless(call, windowless);
}

fn set_detached(call: &mut ApiCall<'_>, detached: bool) {
    crate::startup::set_console_connection(call, !detached);
    let pid = call.thread.process;
    if let Some(object) = call.process_object() {
        call.state
            .get::<ConsoleAttachments>()
            .detached
            .insert(pid, &object, detached);
    }
}

/// BOOL AllocConsole(VOID): gives a process without a console one. A process that has a
/// console (every process until it calls FreeConsole) gets ERROR_ACCESS_DENIED, as on NT.
/// ntemu has one console per machine, so the "new" console is that one again, and the
/// standard handles the process holds keep naming it.
#[export]
fn AllocConsole(call: &mut ApiCall<'_>) -> ApiReturn {
    if has_console(call) {
        return call.fail(NtStatus::ACCESS_DENIED);
    }
    set_detached(call, false);
    set_windowless(call, false);
    ApiReturn::Value(1)
}

/// BOOL FreeConsole(VOID): detaches the process from its console; ERROR_INVALID_PARAMETER
/// when it has none. Afterwards the console code-page functions fail with
/// ERROR_INVALID_HANDLE until AllocConsole. (ntemu leaves the console handles the process
/// holds usable; on NT they become invalid.)
#[export]
fn FreeConsole(call: &mut ApiCall<'_>) -> ApiReturn {
    if !has_console(call) {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    set_detached(call, true);
    ApiReturn::Value(1)
}

/// ATTACH_PARENT_PROCESS: AttachConsole's "the parent's console".
const ATTACH_PARENT_PROCESS: u32 = 0xFFFF_FFFF;

/// Whether live process `pid` is attached to the console (None: no such process).
fn process_has_console(call: &mut ApiCall<'_>, pid: u32) -> Option<bool> {
    let object = call.machine.process(pid)?.object().clone();
    Some(
        !call
            .state
            .get::<ConsoleAttachments>()
            .detached
            .get(pid, &object)
            .copied()
            .unwrap_or(false),
    )
}

/// BOOL AttachConsole(DWORD dwProcessId): attaches a process without a console to the
/// console of process dwProcessId (ATTACH_PARENT_PROCESS: of its parent), as Windows XP's
/// does: the standard handles become new handles of that console and the process's control
/// handlers are forgotten. ERROR_ACCESS_DENIED for a process that has a console,
/// ERROR_INVALID_PARAMETER for no such process, ERROR_INVALID_HANDLE for one without a
/// console. (Windows XP's: NT 4.0's KERNEL32 does not export it.)
#[export]
fn AttachConsole(call: &mut ApiCall<'_>, dwProcessId: u32) -> ApiReturn {
    if has_console(call) {
        return call.fail(NtStatus::ACCESS_DENIED);
    }
    let target = if dwProcessId == ATTACH_PARENT_PROCESS {
        call.process_object()
            .and_then(|o| {
                o.payload::<nt_kernel::ProcessBody>()
                    .map(|b| b.details().parent)
            })
            .unwrap_or(0)
    } else {
        dwProcessId
    };
    match process_has_console(call, target) {
        None if dwProcessId == ATTACH_PARENT_PROCESS => {
            return call.fail(NtStatus::INVALID_HANDLE);
        }
        None => return call.fail(NtStatus::INVALID_PARAMETER),
        Some(false) => return call.fail(NtStatus::INVALID_HANDLE),
        Some(true) => {}
    }
    let handles = match crate::open_console_handles(call) {
        Ok(h) => h,
        Err(e) => return call.fail(e.status()),
    };
    let pid = call.thread.process;
    let Some(process) = call.process_object() else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    call.state.k32().std_handles.insert(pid, &process, handles);
    *call.state.k32().console.ctrl.get_mut(pid, &process) = Default::default();
    set_detached(call, false);
    ApiReturn::Value(1)
}

/// The window handle of the console's window (the window NT's console server draws the
/// console in).
pub const CONSOLE_WINDOW: u32 = 0x0001_002C;

/// HWND GetConsoleWindow(VOID): the console's window; NULL with ERROR_INVALID_HANDLE for a
/// process without a console, NULL for a console without a window (CREATE_NO_WINDOW).
/// (Windows 2000's: NT 4.0's KERNEL32 does not export it.)
#[export]
fn GetConsoleWindow(call: &mut ApiCall<'_>) -> ApiReturn {
    if !has_console(call) {
        return call.fail(NtStatus::INVALID_HANDLE);
    }
    if windowless(call) {
        return ApiReturn::Value(0);
    }
    ApiReturn::Value(CONSOLE_WINDOW)
}

/// The client area of window `hwnd` in pixels, when it is the calling process's console
/// window: the active screen buffer's window in cells of the console's font.
pub fn console_window_client_size(call: &mut ApiCall<'_>, hwnd: u32) -> Option<(u32, u32)> {
    if hwnd != CONSOLE_WINDOW || !has_console(call) || windowless(call) {
        return None;
    }
    let console = &call.state.k32().console;
    let buffer = console.buffers.get(console.active)?;
    Some((
        buffer.window.width() as u32 * u32::from(FONT_SIZE.0),
        buffer.window.height() as u32 * u32::from(FONT_SIZE.1),
    ))
}

/// The code pages SetConsoleCP and SetConsoleOutputCP accept: those IsValidCodePage accepts
/// on ntemu's NT, OEM 437 and ANSI 1252 (not CP_ACP or CP_OEMCP).
fn valid_console_code_page(code_page: u32) -> bool {
    code_page == crate::startup::OEM_CODE_PAGE || code_page == crate::startup::ANSI_CODE_PAGE
}

/// UINT GetConsoleCP(VOID): the console's input code page, 437 until SetConsoleCP; 0 with
/// ERROR_INVALID_HANDLE for a process without a console.
#[export]
fn GetConsoleCP(call: &mut ApiCall<'_>) -> ApiReturn {
    if !has_console(call) {
        return call.fail(NtStatus::INVALID_HANDLE);
    }
    ApiReturn::Value(call.state.get::<ConsoleAttachments>().input_code_page)
}

/// BOOL SetConsoleCP(UINT wCodePageID): sets the console's input code page (437 or 1252,
/// else ERROR_INVALID_PARAMETER); ERROR_INVALID_HANDLE without a console. ntemu records it:
/// console input is still delivered in code page 437.
#[export]
fn SetConsoleCP(call: &mut ApiCall<'_>, wCodePageID: u32) -> ApiReturn {
    if !has_console(call) {
        return call.fail(NtStatus::INVALID_HANDLE);
    }
    if !valid_console_code_page(wCodePageID) {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    call.state.get::<ConsoleAttachments>().input_code_page = wCodePageID;
    ApiReturn::Value(1)
}

/// UINT GetConsoleOutputCP(VOID): the console's output code page, 437 until
/// SetConsoleOutputCP; 0 with ERROR_INVALID_HANDLE for a process without a console.
#[export]
fn GetConsoleOutputCP(call: &mut ApiCall<'_>) -> ApiReturn {
    if !has_console(call) {
        return call.fail(NtStatus::INVALID_HANDLE);
    }
    ApiReturn::Value(call.state.get::<ConsoleAttachments>().output_code_page)
}

/// BOOL SetConsoleOutputCP(UINT wCodePageID): sets the console's output code page (437 or
/// 1252, else ERROR_INVALID_PARAMETER); ERROR_INVALID_HANDLE without a console. ntemu
/// records it: the screen buffers keep code page 437 cells.
#[export]
fn SetConsoleOutputCP(call: &mut ApiCall<'_>, wCodePageID: u32) -> ApiReturn {
    if !has_console(call) {
        return call.fail(NtStatus::INVALID_HANDLE);
    }
    if !valid_console_code_page(wCodePageID) {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    call.state.get::<ConsoleAttachments>().output_code_page = wCodePageID;
    ApiReturn::Value(1)
}

/// The title the process's console was made with: the STARTUPINFO title its creator gave,
/// else the image's path (what NT titles a new console with).
fn original_title(call: &mut ApiCall<'_>) -> String {
    crate::startup::own_startup_info(call)
        .title
        .or_else(|| crate::own_image_path(call))
        .unwrap_or_default()
}

/// DWORD GetConsoleOriginalTitleA(LPSTR lpConsoleTitle, DWORD nSize): the title the console
/// was made with (whatever SetConsoleTitle did since), cut to the buffer and NUL-terminated;
/// the characters copied (0 for an empty buffer). (Windows Vista's: NT 4.0's KERNEL32 does
/// not export it.)
#[export]
fn GetConsoleOriginalTitleA(
    call: &mut ApiCall<'_>,
    #[size(nSize)] lpConsoleTitle: OutBuf<u8>,
    nSize: u32,
) -> ApiReturn {
    if nSize == 0 {
        return ApiReturn::Value(0);
    }
    let title = original_title(call);
    let mut bytes = win32::codepage::CodePage::Ansi.encode_str(&title);
    bytes.truncate(nSize.saturating_sub(1) as usize);
    let copied = bytes.len() as u32;
    bytes.push(0);
    match call.write_bytes(lpConsoleTitle.ptr, &bytes) {
        Ok(()) => ApiReturn::Value(copied),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// DWORD GetConsoleOriginalTitleW(LPWSTR lpConsoleTitle, DWORD nSize): GetConsoleOriginalTitleA
/// in UTF-16, nSize and the result in characters.
#[export]
fn GetConsoleOriginalTitleW(
    call: &mut ApiCall<'_>,
    #[size(nSize)] lpConsoleTitle: OutBuf<u16>,
    nSize: u32,
) -> ApiReturn {
    if nSize == 0 {
        return ApiReturn::Value(0);
    }
    let title = original_title(call);
    let mut units: Vec<u16> = title.encode_utf16().collect();
    units.truncate(nSize.saturating_sub(1) as usize);
    let copied = units.len() as u32;
    units.push(0);
    let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
    match call.write_bytes(lpConsoleTitle.ptr, &bytes) {
        Ok(()) => ApiReturn::Value(copied),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// DWORD GetConsoleTitleW(LPWSTR lpConsoleTitle, DWORD nSize): the title as GetConsoleTitleA
/// gives it, in characters.
#[export]
fn GetConsoleTitleW(
    call: &mut ApiCall<'_>,
    #[size(nSize)] lpConsoleTitle: OutBuf<u16>,
    nSize: u32,
) -> ApiReturn {
    let (out, size) = (lpConsoleTitle.ptr, nSize);
    if size == 0 {
        return ApiReturn::Value(0);
    }
    let title = call.state.k32().console.title.clone();
    let mut units: Vec<u16> = title.encode_utf16().collect();
    let length = units.len() as u32;
    units.truncate(size.saturating_sub(1) as usize);
    units.push(0);
    let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
    match call.write_bytes(out, &bytes) {
        Ok(()) => ApiReturn::Value(length),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}
