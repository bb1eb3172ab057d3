//! The windows a console program can name: ntemu has no window manager, and the only
//! window a process can reach is its console's (GetConsoleWindow), which NT's console
//! server draws the console in. IsWindow and GetClientRect know it; any other handle is
//! not a window (ERROR_INVALID_WINDOW_HANDLE).

use nt_status::Win32Error;
use win32::{ApiCall, ApiReturn, Ptr, export};

/// BOOL IsWindow(HWND hWnd): TRUE for the process's console window, else FALSE.
#[export]
fn IsWindow(call: &mut ApiCall<'_>, hWnd: u32) -> bool {
    kernel32::console_window_client_size(call, hWnd).is_some()
}

/// BOOL GetClientRect(HWND hWnd, LPRECT lpRect): the window's client area, {0, 0, width,
/// height} in pixels (the console window's is its screen buffer's window in font cells).
/// FALSE with ERROR_INVALID_WINDOW_HANDLE for anything but a window.
#[export]
fn GetClientRect(call: &mut ApiCall<'_>, hWnd: u32, lpRect: Ptr) -> ApiReturn {
    let Some((width, height)) = kernel32::console_window_client_size(call, hWnd) else {
        return call.fail_win32(Win32Error::INVALID_WINDOW_HANDLE, 0);
    };
    let rect: Vec<u8> = [0, 0, width, height]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    match call.write_bytes(lpRect.0, &rect) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail_win32(Win32Error::NOACCESS, 0),
    }
}
