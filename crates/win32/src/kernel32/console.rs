//! The console functions: screen buffers, the cursor, fills, the title.

use nt_object::{AccessMask, Handle, ObjectError, ObjectType};
use nt_status::NtStatus;

use super::HostFile;
use crate::api::{ApiCall, ApiReturn};
use crate::console::ScreenBuffer;

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

/// COORD passed by value: X in the low 16 bits, Y in the high 16.
fn coord(value: u32) -> (u16, u16) {
    (value as u16, (value >> 16) as u16)
}

fn pack(x: u16, y: u16) -> [u8; 4] {
    ((u32::from(y) << 16) | u32::from(x)).to_le_bytes()
}

pub(super) fn set_console_title_a(call: &mut ApiCall<'_>) -> ApiReturn {
    let ptr = call.arg(0);
    match call.read_c_bytes(ptr, 1024) {
        Ok(bytes) => {
            call.state.console.title = String::from_utf8_lossy(&bytes).into_owned();
            ApiReturn::Value(1)
        }
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

pub(super) fn get_console_title_a(call: &mut ApiCall<'_>) -> ApiReturn {
    let (out, size) = (call.arg(0), call.arg(1));
    let mut bytes = call.state.console.title.clone().into_bytes();
    let length = bytes.len() as u32;
    bytes.truncate(size.saturating_sub(1) as usize);
    bytes.push(0);
    if size == 0 {
        return ApiReturn::Value(0);
    }
    match call.write_bytes(out, &bytes) {
        Ok(()) => ApiReturn::Value(length.min(size - 1)),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// GetConsoleScreenBufferInfo: CONSOLE_SCREEN_BUFFER_INFO (dwSize, dwCursorPosition,
/// wAttributes, srWindow, dwMaximumWindowSize); the window is the whole buffer.
pub(super) fn get_console_screen_buffer_info(call: &mut ApiCall<'_>) -> ApiReturn {
    let (handle, out) = (Handle(call.arg(0)), call.arg(1));
    let info = with_buffer(call, handle, |b| {
        let mut bytes = Vec::with_capacity(22);
        bytes.extend_from_slice(&pack(b.width, b.height));
        bytes.extend_from_slice(&pack(b.cursor.0, b.cursor.1));
        bytes.extend_from_slice(&b.attributes.to_le_bytes());
        for v in [0, 0, b.width - 1, b.height - 1] {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        bytes.extend_from_slice(&pack(b.width, b.height));
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

pub(super) fn set_console_cursor_position(call: &mut ApiCall<'_>) -> ApiReturn {
    let (handle, (x, y)) = (Handle(call.arg(0)), coord(call.arg(1)));
    let result = with_buffer(call, handle, |b| {
        if !b.contains(x, y) {
            return Err(NtStatus::INVALID_PARAMETER);
        }
        b.cursor = (x, y);
        Ok(1)
    });
    finish(call, result)
}

pub(super) fn set_console_cursor_info(call: &mut ApiCall<'_>) -> ApiReturn {
    let (handle, info) = (Handle(call.arg(0)), call.arg(1));
    let (Ok(size), Ok(visible)) = (call.read_u32(info), call.read_u32(info.wrapping_add(4))) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let result = with_buffer(call, handle, |b| {
        if !(1..=100).contains(&size) {
            return Err(NtStatus::INVALID_PARAMETER);
        }
        b.cursor_size = size;
        b.cursor_visible = visible != 0;
        Ok(1)
    });
    finish(call, result)
}

pub(super) fn get_console_cursor_info(call: &mut ApiCall<'_>) -> ApiReturn {
    let (handle, info) = (Handle(call.arg(0)), call.arg(1));
    match with_buffer(call, handle, |b| {
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

pub(super) fn set_console_text_attribute(call: &mut ApiCall<'_>) -> ApiReturn {
    let (handle, attributes) = (Handle(call.arg(0)), call.arg(1) as u16);
    let result = with_buffer(call, handle, |b| {
        b.attributes = attributes;
        Ok(1)
    });
    finish(call, result)
}

fn fill(call: &mut ApiCall<'_>, characters: bool) -> ApiReturn {
    let (handle, value, count, (x, y), written) = (
        Handle(call.arg(0)),
        call.arg(1),
        call.arg(2),
        coord(call.arg(3)),
        call.arg(4),
    );
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

pub(super) fn fill_console_output_character_a(call: &mut ApiCall<'_>) -> ApiReturn {
    fill(call, true)
}

pub(super) fn fill_console_output_attribute(call: &mut ApiCall<'_>) -> ApiReturn {
    fill(call, false)
}

/// CreateConsoleScreenBuffer(dwDesiredAccess, dwShareMode, lpSecurityAttributes, dwFlags,
/// lpScreenBufferData): a blank buffer the size of the active one.
pub(super) fn create_console_screen_buffer(call: &mut ApiCall<'_>) -> ApiReturn {
    let flags = call.arg(3);
    if flags != 1 {
        // Only CONSOLE_TEXTMODE_BUFFER exists.
        return call.fail_with(NtStatus::INVALID_PARAMETER, u32::MAX);
    }
    let (width, height) = {
        let active = call.state.console.active_buffer();
        (active.width, active.height)
    };
    let index = call.state.console.buffers.len() as u32;
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
            call.state
                .console
                .buffers
                .push(ScreenBuffer::new(width, height));
            ApiReturn::Value(handle.0)
        }
        Err(e) => call.fail_with(e.status(), u32::MAX),
    }
}

pub(super) fn set_console_active_screen_buffer(call: &mut ApiCall<'_>) -> ApiReturn {
    let handle = Handle(call.arg(0));
    match buffer_index(call, handle) {
        Ok(index) => {
            call.state.console.active = index;
            ApiReturn::Value(1)
        }
        Err(e) => call.fail(e.status()),
    }
}

/// GetConsoleMode: processed output with wrapping for output buffers; processed, line and
/// echo input for the input handle.
pub(super) fn get_console_mode(call: &mut ApiCall<'_>) -> ApiReturn {
    let (handle, out) = (Handle(call.arg(0)), call.arg(1));
    let mode = match call
        .reference(handle, AccessMask(0), Some(ObjectType::File))
        .ok()
        .and_then(|o| o.payload::<HostFile>().copied())
    {
        Some(HostFile::Input) => 0x7,
        Some(HostFile::Output | HostFile::Error | HostFile::ScreenBuffer(_)) => 0x3,
        None => return call.fail(NtStatus::INVALID_HANDLE),
    };
    match call.write_u32(out, mode) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// SetConsoleMode: accepted for console handles (the modes are not yet acted on).
pub(super) fn set_console_mode(call: &mut ApiCall<'_>) -> ApiReturn {
    let handle = Handle(call.arg(0));
    match call
        .reference(handle, AccessMask(0), Some(ObjectType::File))
        .ok()
        .and_then(|o| o.payload::<HostFile>().copied())
    {
        Some(_) => ApiReturn::Value(1),
        None => call.fail(NtStatus::INVALID_HANDLE),
    }
}
