//! Locale identifiers: the thread's locale (GetThreadLocale/SetThreadLocale, kept in the
//! TEB's CurrentLocale as on NT), the user's and the system's defaults (U.S. English on
//! ntemu's NT), IsValidLocale and ConvertDefaultLocale; and GetSystemPowerStatus.

use nt_kernel::teb::offsets::CURRENT_LOCALE;
use nt_status::{NtStatus, Win32Error};
use win32::{ApiCall, ApiReturn, Ptr, export};

/// U.S. English, the user's and the system's locale.
pub(crate) const LOCALE_EN_US: u32 = 0x0409;
/// LOCALE_SYSTEM_DEFAULT.
const LOCALE_SYSTEM_DEFAULT: u32 = 0x0800;
/// LOCALE_USER_DEFAULT.
const LOCALE_USER_DEFAULT: u32 = 0x0400;
/// LOCALE_NEUTRAL.
const LOCALE_NEUTRAL: u32 = 0;

/// The language identifiers (primary language, sublanguage) NT 4.0 ships locale data for.
const LANGUAGES: &[u16] = &[
    0x0401, 0x0402, 0x0403, 0x0404, 0x0405, 0x0406, 0x0407, 0x0408, 0x0409, 0x040A, 0x040B,
    0x040C, 0x040D, 0x040E, 0x040F, 0x0410, 0x0411, 0x0412, 0x0413, 0x0414, 0x0415, 0x0416,
    0x0418, 0x0419, 0x041A, 0x041B, 0x041C, 0x041D, 0x041E, 0x041F, 0x0421, 0x0424, 0x0425,
    0x0426, 0x0427, 0x042D, 0x0436, 0x0438, 0x043F, 0x0804, 0x0807, 0x0809, 0x080A, 0x080C,
    0x0810, 0x0813, 0x0814, 0x0816, 0x0C04, 0x0C07, 0x0C09, 0x0C0A, 0x0C0C, 0x1004, 0x1009,
    0x100C, 0x1409, 0x140C, 0x1809, 0x2009,
];

/// ConvertDefaultLocale's mapping: the default locales to the user's or the system's, a
/// neutral sublanguage to the language's default one (SUBLANG_DEFAULT, 1); others as
/// they are.
pub(crate) fn convert_default(lcid: u32) -> u32 {
    match lcid {
        LOCALE_NEUTRAL | LOCALE_USER_DEFAULT | LOCALE_SYSTEM_DEFAULT => LOCALE_EN_US,
        _ if lcid & 0xFC00 == 0 => (lcid & !0xFFFF) | (1 << 10) | (lcid & 0x3FF),
        _ => lcid,
    }
}

/// True when NT 4.0 has data for `lcid` (sort identifier 0, a language above).
pub(crate) fn is_valid(lcid: u32) -> bool {
    lcid >> 16 == 0 && LANGUAGES.contains(&(lcid as u16))
}

/// LCID GetThreadLocale(void): the TEB's CurrentLocale.
#[export]
fn GetThreadLocale(call: &mut ApiCall<'_>) -> u32 {
    let teb = call.teb();
    call.read_u32(teb + CURRENT_LOCALE).unwrap_or(LOCALE_EN_US)
}

/// BOOL SetThreadLocale(LCID Locale): the default locales are converted first; a locale NT
/// has no data for fails with ERROR_INVALID_PARAMETER.
#[export]
fn SetThreadLocale(call: &mut ApiCall<'_>, Locale: u32) -> ApiReturn {
    let lcid = match Locale {
        LOCALE_USER_DEFAULT | LOCALE_SYSTEM_DEFAULT => LOCALE_EN_US,
        l => l,
    };
    if !is_valid(lcid) {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    let teb = call.teb();
    match call.write_u32(teb + CURRENT_LOCALE, lcid) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// LCID GetUserDefaultLCID(void).
#[export]
fn GetUserDefaultLCID(_call: &mut ApiCall<'_>) -> u32 {
    LOCALE_EN_US
}

/// LCID GetSystemDefaultLCID(void).
#[export]
fn GetSystemDefaultLCID(_call: &mut ApiCall<'_>) -> u32 {
    LOCALE_EN_US
}

/// LANGID GetUserDefaultLangID(void).
#[export]
fn GetUserDefaultLangID(_call: &mut ApiCall<'_>) -> u32 {
    LOCALE_EN_US
}

/// LANGID GetSystemDefaultLangID(void).
#[export]
fn GetSystemDefaultLangID(_call: &mut ApiCall<'_>) -> u32 {
    LOCALE_EN_US
}

/// LANGID GetUserDefaultUILanguage(void): Windows 2000's; English.
#[export]
fn GetUserDefaultUILanguage(_call: &mut ApiCall<'_>) -> u32 {
    LOCALE_EN_US
}

/// LANGID GetSystemDefaultUILanguage(void): Windows 2000's; English.
#[export]
fn GetSystemDefaultUILanguage(_call: &mut ApiCall<'_>) -> u32 {
    LOCALE_EN_US
}

/// BOOL IsValidLocale(LCID Locale, DWORD dwFlags): TRUE for a locale NT has data for when
/// dwFlags is LCID_INSTALLED (1) or LCID_SUPPORTED (2); FALSE otherwise.
#[export]
fn IsValidLocale(_call: &mut ApiCall<'_>, Locale: u32, dwFlags: u32) -> bool {
    matches!(dwFlags, 1 | 2) && is_valid(Locale)
}

/// LCID ConvertDefaultLocale(LCID Locale).
#[export]
fn ConvertDefaultLocale(_call: &mut ApiCall<'_>, Locale: u32) -> u32 {
    convert_default(Locale)
}

/// BOOL GetSystemPowerStatus(LPSYSTEM_POWER_STATUS): a machine on AC power without a
/// system battery: ACLineStatus 1, BatteryFlag 128 (no battery), BatteryLifePercent 255
/// (unknown), and both battery times -1 (unknown).
#[export]
fn GetSystemPowerStatus(call: &mut ApiCall<'_>, lpSystemPowerStatus: Ptr) -> ApiReturn {
    let mut bytes = vec![1u8, 128, 255, 0];
    bytes.extend_from_slice(&u32::MAX.to_le_bytes());
    bytes.extend_from_slice(&u32::MAX.to_le_bytes());
    match call.write_bytes(lpSystemPowerStatus.0, &bytes) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail_win32(Win32Error::NOACCESS, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_locales_convert() {
        assert_eq!(convert_default(LOCALE_SYSTEM_DEFAULT), 0x0409);
        assert_eq!(convert_default(0x0007), 0x0407);
        assert_eq!(convert_default(0x0407), 0x0407);
        assert!(is_valid(0x0411) && !is_valid(0x0400) && !is_valid(0x1_0409));
    }
}
