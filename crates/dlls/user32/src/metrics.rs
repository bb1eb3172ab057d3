//! The display's metrics: GetSystemMetrics and SystemParametersInfoA/W, as NT 4.0 reports
//! them with the default (Windows Standard) scheme and the taskbar along the bottom edge,
//! on the machine's screen (800 x 600 unless `--desktop WxH` says otherwise).

use nt_status::Win32Error;
use win32::{ApiCall, ApiReturn, Ptr, export};

/// The taskbar's height at the bottom of the screen.
const TASKBAR_HEIGHT: u32 = 28;
/// SM_CYCAPTION: a caption's height.
const CAPTION_HEIGHT: u32 = 19;

/// SPI_GETWORKAREA.
const SPI_GETWORKAREA: u32 = 0x30;

/// The metric `index` (SM_*) on a screen of `screen` pixels, 0 for one NT 4.0 does not
/// have.
pub fn system_metric(screen: (u32, u32), index: u32) -> u32 {
    match index {
        0 => screen.0,                                                  // SM_CXSCREEN
        1 => screen.1,                                                  // SM_CYSCREEN
        2 | 3 | 9 | 10 | 20 | 21 => 16,                                 // scroll bars and thumbs
        4 => CAPTION_HEIGHT,                                            // SM_CYCAPTION
        5 | 6 => 1,                                                     // SM_CXBORDER, SM_CYBORDER
        7 | 8 => 3,     // SM_CXDLGFRAME, SM_CYDLGFRAME
        11..=14 => 32,  // icons and cursors
        15 => 19,       // SM_CYMENU
        16 => screen.0, // SM_CXFULLSCREEN
        17 => screen.1.saturating_sub(TASKBAR_HEIGHT + CAPTION_HEIGHT), // SM_CYFULLSCREEN
        19 => 1,        // SM_MOUSEPRESENT
        28 | 34 => 112, // SM_CXMIN, SM_CXMINTRACK
        29 | 35 => 27,  // SM_CYMIN, SM_CYMINTRACK
        30 | 31 => 18,  // SM_CXSIZE, SM_CYSIZE
        32 | 33 => 4,   // SM_CXFRAME, SM_CYFRAME
        36 | 37 => 4,   // SM_CXDOUBLECLK, SM_CYDOUBLECLK
        38 | 39 => 75,  // icon spacing
        43 => 2,        // SM_CMOUSEBUTTONS
        45 | 46 => 2,   // SM_CXEDGE, SM_CYEDGE
        49 | 50 => 16,  // small icons
        51 => 15,       // SM_CYSMCAPTION
        61 => screen.0 + 8, // SM_CXMAXIMIZED
        62 => screen.1.saturating_sub(TASKBAR_HEIGHT) + 8, // SM_CYMAXIMIZED
        _ => 0,
    }
}

/// int GetSystemMetrics(int nIndex): the metric, 0 for an index NT 4.0 does not have.
#[export]
fn GetSystemMetrics(call: &mut ApiCall<'_>, nIndex: u32) -> u32 {
    system_metric(screen(call), nIndex)
}

/// The machine's screen size.
pub fn screen(call: &mut ApiCall<'_>) -> (u32, u32) {
    let (w, h) = crate::wm::wm(call).screen_size();
    (w as u32, h as u32)
}

/// SystemParametersInfo's work (the A and W forms agree for the actions ntemu answers):
/// SPI_GETWORKAREA writes the screen less the taskbar as a RECT; any other action is
/// ERROR_INVALID_PARAMETER, as NT's answer to one it does not know.
fn parameters_info(call: &mut ApiCall<'_>, action: u32, param: Ptr) -> ApiReturn {
    match action {
        SPI_GETWORKAREA => {
            let screen = screen(call);
            let rect: Vec<u8> = [0, 0, screen.0, screen.1.saturating_sub(TASKBAR_HEIGHT)]
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect();
            match call.write_bytes(param.0, &rect) {
                Ok(()) => ApiReturn::Value(1),
                Err(_) => call.fail_win32(Win32Error::NOACCESS, 0),
            }
        }
        _ => call.fail_win32(Win32Error::INVALID_PARAMETER, 0),
    }
}

/// BOOL SystemParametersInfoA(UINT uiAction, UINT uiParam, PVOID pvParam, UINT fWinIni).
#[export]
fn SystemParametersInfoA(
    call: &mut ApiCall<'_>,
    uiAction: u32,
    uiParam: u32,
    pvParam: Ptr,
    fWinIni: u32,
) -> ApiReturn {
    let _ = (uiParam, fWinIni);
    parameters_info(call, uiAction, pvParam)
}

/// BOOL SystemParametersInfoW(UINT uiAction, UINT uiParam, PVOID pvParam, UINT fWinIni).
#[export]
fn SystemParametersInfoW(
    call: &mut ApiCall<'_>,
    uiAction: u32,
    uiParam: u32,
    pvParam: Ptr,
    fWinIni: u32,
) -> ApiReturn {
    let _ = (uiParam, fWinIni);
    parameters_info(call, uiAction, pvParam)
}
