//! Locale identifiers: the thread's locale (GetThreadLocale/SetThreadLocale, kept in the
//! TEB's CurrentLocale as on NT), the user's and the system's defaults (U.S. English on
//! ntemu's NT), IsValidLocale and ConvertDefaultLocale; the code page queries of Windows
//! 2000 (GetCPInfoEx) and IsDBCSLeadByteEx; and GetSystemPowerStatus.

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
    0x0401, 0x0402, 0x0403, 0x0404, 0x0405, 0x0406, 0x0407, 0x0408, 0x0409, 0x040A, 0x040B, 0x040C,
    0x040D, 0x040E, 0x040F, 0x0410, 0x0411, 0x0412, 0x0413, 0x0414, 0x0415, 0x0416, 0x0418, 0x0419,
    0x041A, 0x041B, 0x041C, 0x041D, 0x041E, 0x041F, 0x0421, 0x0424, 0x0425, 0x0426, 0x0427, 0x042D,
    0x0436, 0x0438, 0x043F, 0x0804, 0x0807, 0x0809, 0x080A, 0x080C, 0x0810, 0x0813, 0x0814, 0x0816,
    0x0C04, 0x0C07, 0x0C09, 0x0C0A, 0x0C0C, 0x1004, 0x1009, 0x100C, 0x1409, 0x140C, 0x1809, 0x2009,
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

/// The installed code page a CP_* value or code page number names: CP_ACP (0) and
/// CP_THREAD_ACP (3) are ANSI 1252 (the only ANSI code page of the locales ntemu has),
/// CP_OEMCP (1) is OEM 437; None for a code page that is not installed.
fn installed_code_page(code_page: u32) -> Option<u32> {
    match code_page {
        0 | 3 | 1252 => Some(1252),
        1 | 437 => Some(437),
        _ => None,
    }
}

/// A code page's name as NT's registry gives it.
fn code_page_name(code_page: u32) -> &'static str {
    if code_page == 437 {
        "437   (OEM - United States)"
    } else {
        "1252  (ANSI - Latin I)"
    }
}

fn cp_info_ex(
    call: &mut ApiCall<'_>,
    code_page: u32,
    flags: u32,
    out: Ptr,
    wide: bool,
) -> ApiReturn {
    let Some(cp) = installed_code_page(code_page) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    if flags != 0 || out.is_null() {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    // CPINFOEX: MaxCharSize, DefaultChar[2], LeadByte[12], UnicodeDefaultChar, CodePage,
    // CodePageName[MAX_PATH]: a single-byte code page whose default character is '?'.
    let mut bytes = vec![0u8; 24];
    bytes[0] = 1;
    bytes[4] = b'?';
    bytes[18] = b'?';
    bytes[20..24].copy_from_slice(&cp.to_le_bytes());
    let name = code_page_name(cp);
    if wide {
        let mut units: Vec<u16> = name.encode_utf16().collect();
        units.resize(260, 0);
        bytes.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    } else {
        let mut text = name.as_bytes().to_vec();
        text.resize(260, 0);
        bytes.extend(text);
    }
    match call.write_bytes(out.0, &bytes) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail_win32(Win32Error::NOACCESS, 0),
    }
}

/// BOOL GetCPInfoExA(UINT CodePage, DWORD dwFlags, LPCPINFOEXA lpCPInfoEx): Windows 2000's
/// GetCPInfo with the code page's number and name; dwFlags must be 0. ERROR_INVALID_PARAMETER
/// for a code page that is not installed.
#[export]
fn GetCPInfoExA(call: &mut ApiCall<'_>, CodePage: u32, dwFlags: u32, lpCPInfoEx: Ptr) -> ApiReturn {
    cp_info_ex(call, CodePage, dwFlags, lpCPInfoEx, false)
}

/// BOOL GetCPInfoExW(UINT CodePage, DWORD dwFlags, LPCPINFOEXW lpCPInfoEx).
#[export]
fn GetCPInfoExW(call: &mut ApiCall<'_>, CodePage: u32, dwFlags: u32, lpCPInfoEx: Ptr) -> ApiReturn {
    cp_info_ex(call, CodePage, dwFlags, lpCPInfoEx, true)
}

/// BOOL IsDBCSLeadByteEx(UINT CodePage, BYTE TestChar): FALSE, as every installed code page
/// is single-byte; FALSE with ERROR_INVALID_PARAMETER for a code page that is not installed.
#[export]
fn IsDBCSLeadByteEx(call: &mut ApiCall<'_>, CodePage: u32, TestChar: u32) -> ApiReturn {
    let _ = TestChar;
    match installed_code_page(CodePage) {
        Some(_) => ApiReturn::Value(0),
        None => call.fail_win32(Win32Error::INVALID_PARAMETER, 0),
    }
}
