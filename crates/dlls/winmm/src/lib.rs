//! WINMM.dll: the multimedia timer, and a machine with no sound, MIDI, mixer, auxiliary,
//! joystick or MCI devices, as NT 4.0 answers on a computer without those drivers.
//!
//! - The timer functions ([`timer`]) are complete: timeGetTime on the machine's clock,
//!   timeGetDevCaps, timeBeginPeriod/timeEndPeriod, and timeSetEvent's timers running on
//!   one timer thread of the process.
//! - PlaySoundA/W (and the plain `PlaySound`, NT's ANSI export) and sndPlaySoundA/W are
//!   silent and accept the call: TRUE, as for a sound that was played. (NT 4.0 with no
//!   wave device plays nothing; programs that beep at events check no result, and one that
//!   does would stop on a FALSE no real NT 4.0 desktop with a sound card gives.)
//! - The *GetNumDevs functions answer 0 devices. Opening a device (waveOutOpen, waveInOpen,
//!   midiOutOpen, midiInOpen) gives MMSYSERR_BADDEVICEID, for the mapper too (NT loads the
//!   wave and MIDI mappers only beside a device), as do the GetDevCaps functions of wave
//!   output. joyGetNumDevs is 0, which NT documents as "no joystick driver installed", so
//!   joyGetPos/joyGetPosEx give MMSYSERR_NODRIVER.
//! - MCI: NT 4.0 installs its MCI drivers (cdaudio, waveaudio, sequencer, avivideo,
//!   videodisc, and the media files they open: .wav, .mid, .rmi, .avi) whatever the
//!   hardware; without devices they do not load, so a command string for one of them
//!   (opening it, or a command that would open it) gives MCIERR_CANNOT_LOAD_DRIVER, opening
//!   any other name MCIERR_EXTENSION_NOT_FOUND (taken for a file no driver opens), another
//!   command for it MCIERR_INVALID_DEVICE_NAME, and one for `all` succeeds with nothing to
//!   do; a return string is left empty. mciSendCommand's MCI_OPEN gives
//!   MCIERR_CANNOT_LOAD_DRIVER, its other messages MCIERR_INVALID_DEVICE_ID (no open ever
//!   gave an id; MCI_ALL_DEVICE_ID: nothing to do).
//!
//! The other catalogued names stop the program when called.

pub mod timer;

use win32::{AnsiStr, ApiCall, BuiltinDll, DllHooks, Ptr, WideStr, export, exports};

pub use timer::{TIMER_CALLBACK_RETURN_THUNK, TIMER_THREAD_THUNK};

/// WINMM.dll.
pub static DLL: BuiltinDll = BuiltinDll {
    name: "WINMM.dll",
    exports: exports![
        PlaySound,
        PlaySoundA,
        PlaySoundW,
        auxGetNumDevs,
        joyGetNumDevs,
        joyGetPos,
        joyGetPosEx,
        mciSendCommandA,
        mciSendCommandW,
        mciSendStringA,
        mciSendStringW,
        midiInGetNumDevs,
        midiInOpen,
        midiOutGetNumDevs,
        midiOutOpen,
        mixerGetNumDevs,
        sndPlaySoundA,
        sndPlaySoundW,
        timer::timeBeginPeriod,
        timer::timeEndPeriod,
        timer::timeGetDevCaps,
        timer::timeGetSystemTime,
        timer::timeGetTime,
        timer::timeKillEvent,
        timer::timeSetEvent,
        waveInGetNumDevs,
        waveInOpen,
        waveOutGetDevCapsA,
        waveOutGetDevCapsW,
        waveOutGetNumDevs,
        waveOutOpen,
    ],
    catalogue: include_str!("../nt4-exports.txt"),
    later_catalogue: "",
    hooks: DllHooks {
        data_export: None,
        internal_thunk: Some(timer::thunk),
        process_attach: None,
        process_start: None,
    },
};

/// MMSYSERR_BADDEVICEID: no device of that number.
pub const MMSYSERR_BADDEVICEID: u32 = 2;
/// MMSYSERR_NODRIVER: no driver (the mapper, with no devices).
pub const MMSYSERR_NODRIVER: u32 = 6;
/// MCIERR_EXTENSION_NOT_FOUND (MCIERR_BASE + 25).
pub const MCIERR_EXTENSION_NOT_FOUND: u32 = 281;
/// MCIERR_CANNOT_LOAD_DRIVER (MCIERR_BASE + 10).
pub const MCIERR_CANNOT_LOAD_DRIVER: u32 = 266;
/// MCI's device types of NT 4.0's default installation, and the file extensions it maps
/// to them.
const MCI_DRIVERS: &[&str] = &["cdaudio", "waveaudio", "sequencer", "avivideo", "videodisc"];
/// File extensions of MCI's media files in NT 4.0's default installation.
const MCI_EXTENSIONS: &[&str] = &["wav", "mid", "rmi", "avi"];
/// MCIERR_INVALID_DEVICE_ID (MCIERR_BASE + 1).
pub const MCIERR_INVALID_DEVICE_ID: u32 = 257;
/// MCIERR_INVALID_DEVICE_NAME (MCIERR_BASE + 7).
pub const MCIERR_INVALID_DEVICE_NAME: u32 = 263;
/// MCI_OPEN.
const MCI_OPEN: u32 = 0x0803;
/// MCI_ALL_DEVICE_ID.
const MCI_ALL_DEVICE_ID: u32 = 0xFFFF;

/// BOOL PlaySound(LPCSTR pszSound, HMODULE hmod, DWORD fdwSound): PlaySoundA.
#[export]
fn PlaySound(call: &mut ApiCall<'_>, pszSound: Ptr, hmod: u32, fdwSound: u32) -> u32 {
    PlaySoundA(call, pszSound, hmod, fdwSound)
}

/// BOOL PlaySoundA(LPCSTR pszSound, HMODULE hmod, DWORD fdwSound): silent; TRUE.
#[export]
fn PlaySoundA(call: &mut ApiCall<'_>, pszSound: Ptr, hmod: u32, fdwSound: u32) -> u32 {
    let _ = (call, pszSound, hmod, fdwSound);
    1
}

/// BOOL PlaySoundW(LPCWSTR pszSound, HMODULE hmod, DWORD fdwSound): silent; TRUE.
#[export]
fn PlaySoundW(call: &mut ApiCall<'_>, pszSound: Ptr, hmod: u32, fdwSound: u32) -> u32 {
    PlaySoundA(call, pszSound, hmod, fdwSound)
}

/// BOOL sndPlaySoundA(LPCSTR lpszSound, UINT fuSound): silent; TRUE.
#[export]
fn sndPlaySoundA(call: &mut ApiCall<'_>, lpszSound: Ptr, fuSound: u32) -> u32 {
    let _ = (call, lpszSound, fuSound);
    1
}

/// BOOL sndPlaySoundW(LPCWSTR lpszSound, UINT fuSound): silent; TRUE.
#[export]
fn sndPlaySoundW(call: &mut ApiCall<'_>, lpszSound: Ptr, fuSound: u32) -> u32 {
    sndPlaySoundA(call, lpszSound, fuSound)
}

/// Defines `name(void) -> 0`: a device count of a machine without such devices.
macro_rules! no_devices {
    ($($name:ident: $what:literal),* $(,)?) => {$(
        #[doc = concat!("UINT ", stringify!($name), "(void): 0, no ", $what, ".")]
        #[export]
        fn $name(call: &mut ApiCall<'_>) -> u32 {
            let _ = call;
            0
        }
    )*};
}

no_devices! {
    waveOutGetNumDevs: "wave output devices",
    waveInGetNumDevs: "wave input devices",
    midiOutGetNumDevs: "MIDI output devices",
    midiInGetNumDevs: "MIDI input devices",
    auxGetNumDevs: "auxiliary devices",
    mixerGetNumDevs: "mixers",
    joyGetNumDevs: "joystick driver",
}

/// What opening device `id` gives with no devices: no such device (the mapper neither).
fn open_error(id: u32) -> u32 {
    let _ = id;
    MMSYSERR_BADDEVICEID
}

/// The handle a failed open leaves: NULL where the caller gave room for it.
fn clear_handle(call: &mut ApiCall<'_>, handle: Ptr) {
    if !handle.is_null() {
        let _ = call.write_u32(handle.0, 0);
    }
}

/// MMRESULT waveOutOpen(LPHWAVEOUT phwo, UINT uDeviceID, LPCWAVEFORMATEX pwfx, DWORD_PTR
/// dwCallback, DWORD_PTR dwInstance, DWORD fdwOpen): no device to open.
#[export]
fn waveOutOpen(
    call: &mut ApiCall<'_>,
    phwo: Ptr,
    uDeviceID: u32,
    pwfx: Ptr,
    dwCallback: u32,
    dwInstance: u32,
    fdwOpen: u32,
) -> u32 {
    let _ = (pwfx, dwCallback, dwInstance, fdwOpen);
    clear_handle(call, phwo);
    open_error(uDeviceID)
}

/// MMRESULT waveInOpen(LPHWAVEIN phwi, UINT uDeviceID, LPCWAVEFORMATEX pwfx, DWORD_PTR
/// dwCallback, DWORD_PTR dwInstance, DWORD fdwOpen): no device to open.
#[export]
fn waveInOpen(
    call: &mut ApiCall<'_>,
    phwi: Ptr,
    uDeviceID: u32,
    pwfx: Ptr,
    dwCallback: u32,
    dwInstance: u32,
    fdwOpen: u32,
) -> u32 {
    let _ = (pwfx, dwCallback, dwInstance, fdwOpen);
    clear_handle(call, phwi);
    open_error(uDeviceID)
}

/// MMRESULT midiOutOpen(LPHMIDIOUT phmo, UINT uDeviceID, DWORD_PTR dwCallback, DWORD_PTR
/// dwInstance, DWORD fdwOpen): no device to open.
#[export]
fn midiOutOpen(
    call: &mut ApiCall<'_>,
    phmo: Ptr,
    uDeviceID: u32,
    dwCallback: u32,
    dwInstance: u32,
    fdwOpen: u32,
) -> u32 {
    let _ = (dwCallback, dwInstance, fdwOpen);
    clear_handle(call, phmo);
    open_error(uDeviceID)
}

/// MMRESULT midiInOpen(LPHMIDIIN phmi, UINT uDeviceID, DWORD_PTR dwCallback, DWORD_PTR
/// dwInstance, DWORD fdwOpen): no device to open.
#[export]
fn midiInOpen(
    call: &mut ApiCall<'_>,
    phmi: Ptr,
    uDeviceID: u32,
    dwCallback: u32,
    dwInstance: u32,
    fdwOpen: u32,
) -> u32 {
    let _ = (dwCallback, dwInstance, fdwOpen);
    clear_handle(call, phmi);
    open_error(uDeviceID)
}

/// MMRESULT waveOutGetDevCapsA(UINT_PTR uDeviceID, LPWAVEOUTCAPSA pwoc, UINT cbwoc): no
/// such device.
#[export]
fn waveOutGetDevCapsA(call: &mut ApiCall<'_>, uDeviceID: u32, pwoc: Ptr, cbwoc: u32) -> u32 {
    let _ = (call, pwoc, cbwoc);
    open_error(uDeviceID)
}

/// MMRESULT waveOutGetDevCapsW(UINT_PTR uDeviceID, LPWAVEOUTCAPSW pwoc, UINT cbwoc): no
/// such device.
#[export]
fn waveOutGetDevCapsW(call: &mut ApiCall<'_>, uDeviceID: u32, pwoc: Ptr, cbwoc: u32) -> u32 {
    waveOutGetDevCapsA(call, uDeviceID, pwoc, cbwoc)
}

/// MMRESULT joyGetPos(UINT uJoyID, LPJOYINFO pji): no joystick driver.
#[export]
fn joyGetPos(call: &mut ApiCall<'_>, uJoyID: u32, pji: Ptr) -> u32 {
    let _ = (call, uJoyID, pji);
    MMSYSERR_NODRIVER
}

/// MMRESULT joyGetPosEx(UINT uJoyID, LPJOYINFOEX pji): no joystick driver.
#[export]
fn joyGetPosEx(call: &mut ApiCall<'_>, uJoyID: u32, pji: Ptr) -> u32 {
    let _ = (call, uJoyID, pji);
    MMSYSERR_NODRIVER
}

/// Whether `name` is one of NT 4.0's MCI device types or a media file one of them opens.
fn is_mci_driver(name: &str) -> bool {
    let name = name.trim_matches('"');
    let ext = name.rsplit_once('.').map(|(_, e)| e);
    MCI_DRIVERS.iter().any(|d| d.eq_ignore_ascii_case(name))
        || ext.is_some_and(|e| MCI_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// What an MCI command string gives when no MCI device works: success for a command to
/// `all` (nothing is open), MCIERR_CANNOT_LOAD_DRIVER for one of NT's MCI drivers; opening
/// any other name takes it for a file whose extension names no driver
/// (MCIERR_EXTENSION_NOT_FOUND), another command finds no device of that name
/// (MCIERR_INVALID_DEVICE_NAME).
fn mci_string_result(command: &str) -> u32 {
    let mut words = command.split_whitespace();
    let verb = words.next().unwrap_or("");
    match words.next() {
        Some(device) if device.eq_ignore_ascii_case("all") => 0,
        Some(device) if is_mci_driver(device) => MCIERR_CANNOT_LOAD_DRIVER,
        Some(_) if verb.eq_ignore_ascii_case("open") => MCIERR_EXTENSION_NOT_FOUND,
        _ => MCIERR_INVALID_DEVICE_NAME,
    }
}

/// MCIERROR mciSendStringA(LPCSTR lpstrCommand, LPSTR lpstrReturnString, UINT
/// uReturnLength, HWND hwndCallback): no MCI device; the return string is left empty.
#[export(failure = MCIERR_INVALID_DEVICE_NAME)]
fn mciSendStringA(
    call: &mut ApiCall<'_>,
    lpstrCommand: Option<AnsiStr>,
    lpstrReturnString: Ptr,
    uReturnLength: u32,
    hwndCallback: u32,
) -> u32 {
    let _ = hwndCallback;
    if !lpstrReturnString.is_null() && uReturnLength > 0 {
        let _ = call.write_bytes(lpstrReturnString.0, &[0]);
    }
    mci_string_result(lpstrCommand.as_deref().unwrap_or(""))
}

/// MCIERROR mciSendStringW(LPCWSTR lpstrCommand, LPWSTR lpstrReturnString, UINT
/// uReturnLength, HWND hwndCallback): no MCI device; the return string is left empty.
#[export(failure = MCIERR_INVALID_DEVICE_NAME)]
fn mciSendStringW(
    call: &mut ApiCall<'_>,
    lpstrCommand: Option<WideStr>,
    lpstrReturnString: Ptr,
    uReturnLength: u32,
    hwndCallback: u32,
) -> u32 {
    let _ = hwndCallback;
    if !lpstrReturnString.is_null() && uReturnLength > 0 {
        let _ = call.write_bytes(lpstrReturnString.0, &[0, 0]);
    }
    mci_string_result(lpstrCommand.as_deref().unwrap_or(""))
}

/// What an MCI command message gives when no MCI device exists.
fn mci_command_result(device: u32, message: u32) -> u32 {
    if message == MCI_OPEN {
        MCIERR_CANNOT_LOAD_DRIVER
    } else if device == MCI_ALL_DEVICE_ID {
        0
    } else {
        MCIERR_INVALID_DEVICE_ID
    }
}

/// MCIERROR mciSendCommandA(MCIDEVICEID IDDevice, UINT uMsg, DWORD_PTR fdwCommand,
/// DWORD_PTR dwParam): MCI_OPEN finds no device; other messages name no open device
/// (MCI_ALL_DEVICE_ID: nothing to do).
#[export]
fn mciSendCommandA(
    call: &mut ApiCall<'_>,
    IDDevice: u32,
    uMsg: u32,
    fdwCommand: u32,
    dwParam: u32,
) -> u32 {
    let _ = (call, fdwCommand, dwParam);
    mci_command_result(IDDevice, uMsg)
}

/// MCIERROR mciSendCommandW: as mciSendCommandA.
#[export]
fn mciSendCommandW(
    call: &mut ApiCall<'_>,
    IDDevice: u32,
    uMsg: u32,
    fdwCommand: u32,
    dwParam: u32,
) -> u32 {
    mciSendCommandA(call, IDDevice, uMsg, fdwCommand, dwParam)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mci_strings_find_no_working_device() {
        assert_eq!(mci_string_result("open cdaudio"), MCIERR_CANNOT_LOAD_DRIVER);
        assert_eq!(
            mci_string_result("play C:\\x.WAV"),
            MCIERR_CANNOT_LOAD_DRIVER
        );
        assert_eq!(mci_string_result("open nosuch"), MCIERR_EXTENSION_NOT_FOUND);
        assert_eq!(mci_string_result("play nosuch"), MCIERR_INVALID_DEVICE_NAME);
        assert_eq!(mci_string_result("close ALL"), 0);
        assert_eq!(mci_string_result(""), MCIERR_INVALID_DEVICE_NAME);
    }

    #[test]
    fn mci_commands_find_no_device() {
        assert_eq!(mci_command_result(0, MCI_OPEN), MCIERR_CANNOT_LOAD_DRIVER);
        assert_eq!(mci_command_result(1, 0x0804), MCIERR_INVALID_DEVICE_ID);
        assert_eq!(mci_command_result(MCI_ALL_DEVICE_ID, 0x0804), 0);
    }

    #[test]
    fn the_catalogue_lists_every_export() {
        let catalogue = DLL.catalogue;
        for e in DLL.exports {
            assert!(
                catalogue
                    .lines()
                    .any(|l| l.split_whitespace().nth(1) == Some(e.name)),
                "{} is not catalogued",
                e.name
            );
        }
    }
}
