//! The rest of ADVAPI32 that programs of the era call: GetUserName, IsTextUnicode,
//! GetCurrentHwProfile, and the event log (RegisterEventSource, ReportEvent into the trace,
//! DeregisterEventSource).

use nt_object::Handle;
use nt_registry::{RootKey, Value};
use nt_status::Win32Error;
use ntdll::registry as reg;
use win32::{AnsiStr, ApiCall, ApiReturn, Ptr, WideStr, export};

use crate::security::{RPC_S_SERVER_UNAVAILABLE, is_local_system};
use crate::text::{Chars, Copied, copy_string};

fn fail(call: &mut ApiCall<'_>, e: Win32Error) -> ApiReturn {
    call.fail_win32(e, 0)
}

fn get_user_name(call: &mut ApiCall<'_>, chars: Chars, buffer: Ptr, size: Ptr) -> ApiReturn {
    let user = reg::identity(call.state).user;
    let Ok(capacity) = call.read_u32(size.0) else {
        return fail(call, Win32Error::NOACCESS);
    };
    match copy_string(call, chars, buffer.0, capacity, &user) {
        Copied::Done(n) => {
            let _ = call.write_u32(size.0, n + 1);
            ApiReturn::Value(1)
        }
        Copied::TooSmall(n) => {
            let _ = call.write_u32(size.0, n);
            fail(call, Win32Error::INSUFFICIENT_BUFFER)
        }
        Copied::Fault => fail(call, Win32Error::NOACCESS),
    }
}

/// GetUserNameA(lpBuffer, pcbBuffer): the logged-on user's name; *pcbBuffer is the length
/// with the NUL, also when the buffer is short (ERROR_INSUFFICIENT_BUFFER).
#[export]
fn GetUserNameA(call: &mut ApiCall<'_>, lpBuffer: Ptr, pcbBuffer: Ptr) -> ApiReturn {
    get_user_name(call, Chars::Ansi, lpBuffer, pcbBuffer)
}

/// GetUserNameW(lpBuffer, pcbBuffer), in characters.
#[export]
fn GetUserNameW(call: &mut ApiCall<'_>, lpBuffer: Ptr, pcbBuffer: Ptr) -> ApiReturn {
    get_user_name(call, Chars::Wide, lpBuffer, pcbBuffer)
}

/// IS_TEXT_UNICODE_* flags.
const ASCII16: u32 = 0x0001;
const REVERSE_ASCII16: u32 = 0x0010;
const STATISTICS: u32 = 0x0002;
const REVERSE_STATISTICS: u32 = 0x0020;
const CONTROLS: u32 = 0x0004;
const REVERSE_CONTROLS: u32 = 0x0040;
const SIGNATURE: u32 = 0x0008;
const REVERSE_SIGNATURE: u32 = 0x0080;
const ILLEGAL_CHARS: u32 = 0x0100;
const ODD_LENGTH: u32 = 0x0200;
const NULL_BYTES: u32 = 0x1000;
const UNICODE_MASK: u32 = 0x000F;
const NOT_UNICODE_MASK: u32 = 0x0F00;

/// The IS_TEXT_UNICODE tests that hold for `bytes`, among `asked`.
pub(crate) fn text_unicode_tests(bytes: &[u8], asked: u32) -> u32 {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    let mut found = 0;
    if !bytes.len().is_multiple_of(2) {
        found |= ODD_LENGTH;
    }
    if units.first() == Some(&0xFEFF) {
        found |= SIGNATURE;
    }
    if units.first() == Some(&0xFFFE) {
        found |= REVERSE_SIGNATURE;
    }
    if units
        .iter()
        .any(|&u| matches!(u, 0xFFFF | 0xFFFE | 0x0D0A | 0x0A0D))
        && units.first() != Some(&0xFFFE)
    {
        found |= ILLEGAL_CHARS;
    }
    let control = |u: u16| matches!(u, 0x0009 | 0x000A | 0x000D | 0x0020 | 0x3000);
    if units.iter().any(|&u| control(u)) {
        found |= CONTROLS;
    }
    if units.iter().any(|&u| control(u.swap_bytes())) {
        found |= REVERSE_CONTROLS;
    }
    if !units.is_empty() && units.iter().all(|&u| u < 0x100 && u != 0) {
        found |= ASCII16;
    }
    if !units.is_empty() && units.iter().all(|&u| u & 0xFF == 0 && u != 0) {
        found |= REVERSE_ASCII16;
    }
    // Statistics: most characters share their high byte (text of one script), and the low
    // bytes vary more than the high ones.
    if units.len() >= 2 {
        let share = |pick: fn(u16) -> u8| {
            let mut counts = [0usize; 256];
            for &u in &units {
                counts[usize::from(pick(u))] += 1;
            }
            (
                counts.iter().copied().max().unwrap_or(0),
                counts.iter().filter(|&&c| c > 0).count(),
            )
        };
        let (high_most, high_kinds) = share(|u| (u >> 8) as u8);
        let (low_most, low_kinds) = share(|u| u as u8);
        if 4 * high_most >= 3 * units.len() && low_kinds > high_kinds {
            found |= STATISTICS;
        }
        if 4 * low_most >= 3 * units.len() && high_kinds > low_kinds {
            found |= REVERSE_STATISTICS;
        }
    }
    if bytes.contains(&0) {
        found |= NULL_BYTES;
    }
    found & asked
}

/// IsTextUnicode(lpv, iSize, lpiResult): whether the bytes look like UTF-16 text, by NT's
/// tests (the ones *lpiResult names, or all); *lpiResult gets the tests that held. TRUE
/// when a Unicode test held and none that rules Unicode out.
#[export]
fn IsTextUnicode(call: &mut ApiCall<'_>, lpv: Ptr, iSize: i32, lpiResult: Ptr) -> bool {
    let asked = if lpiResult.is_null() {
        u32::MAX
    } else {
        call.read_u32(lpiResult.0).unwrap_or(u32::MAX)
    };
    let bytes = if iSize < 2 {
        Vec::new()
    } else {
        call.read_bytes(lpv.0, iSize as usize).unwrap_or_default()
    };
    let found = if bytes.len() < 2 {
        0
    } else {
        text_unicode_tests(&bytes, asked)
    };
    let _ = call.write_out_u32(lpiResult.0, found);
    found & NOT_UNICODE_MASK == 0 && found & UNICODE_MASK != 0
}

/// DOCKINFO_UNDOCKED | DOCKINFO_USER_SUPPLIED: a desktop machine the user says is undocked.
const DOCK_INFO: u32 = 0x1 | 0x4;

fn hardware_profile(call: &mut ApiCall<'_>, chars: Chars, info: Ptr) -> ApiReturn {
    let (guid, name) = reg::with(call, |r, p| {
        let text = |v: Result<&Value, _>| v.ok().and_then(Value::text).unwrap_or_default();
        let key = r.root_key(RootKey::LocalMachine).and_then(|lm| {
            r.open_key(
                lm,
                "SYSTEM\\CurrentControlSet\\Control\\IDConfigDB\\Hardware Profiles\\0001",
                p,
            )
        });
        match key {
            Ok(k) => (
                text(r.query_value(k, "HwProfileGuid")),
                text(r.query_value(k, "FriendlyName")),
            ),
            Err(_) => (String::new(), String::new()),
        }
    });
    let mut bytes = DOCK_INFO.to_le_bytes().to_vec();
    for (text, size) in [(guid, 39usize), (name, 80usize)] {
        let mut field = chars.encode(&text);
        field.truncate((size - 1) * chars.unit() as usize);
        field.resize(size * chars.unit() as usize, 0);
        bytes.extend_from_slice(&field);
    }
    match call.write_bytes(info.0, &bytes) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => fail(call, Win32Error::INVALID_PARAMETER),
    }
}

/// GetCurrentHwProfileA(lpHwProfileInfo): the dock state and the current hardware profile's
/// GUID and name, from HKLM\SYSTEM\CurrentControlSet\Control\IDConfigDB.
#[export]
fn GetCurrentHwProfileA(call: &mut ApiCall<'_>, lpHwProfileInfo: Ptr) -> ApiReturn {
    hardware_profile(call, Chars::Ansi, lpHwProfileInfo)
}

/// GetCurrentHwProfileW(lpHwProfileInfo).
#[export]
fn GetCurrentHwProfileW(call: &mut ApiCall<'_>, lpHwProfileInfo: Ptr) -> ApiReturn {
    hardware_profile(call, Chars::Wide, lpHwProfileInfo)
}

/// The event sources RegisterEventSource opened.
#[derive(Default)]
struct EventLog {
    sources: Vec<Option<String>>,
}

/// Event source handles: values apart from kernel handles (NT's are RPC context handles).
const SOURCE_HANDLE_BASE: u32 = 0x00E1_0000;

fn register(call: &mut ApiCall<'_>, server: Option<&str>, source: Option<&str>) -> ApiReturn {
    if !is_local_system(call, server) {
        return fail(call, RPC_S_SERVER_UNAVAILABLE);
    }
    let Some(source) = source else {
        return fail(call, Win32Error::INVALID_PARAMETER);
    };
    let log = call.state.get::<EventLog>();
    let index = match log.sources.iter().position(Option::is_none) {
        Some(i) => {
            log.sources[i] = Some(source.to_string());
            i
        }
        None => {
            log.sources.push(Some(source.to_string()));
            log.sources.len() - 1
        }
    };
    ApiReturn::Value(SOURCE_HANDLE_BASE + 4 * index as u32)
}

fn source_index(handle: Handle) -> Option<usize> {
    handle
        .0
        .checked_sub(SOURCE_HANDLE_BASE)
        .filter(|o| o % 4 == 0)
        .map(|o| (o / 4) as usize)
}

fn source_name(call: &mut ApiCall<'_>, handle: Handle) -> Option<String> {
    let i = source_index(handle)?;
    call.state.get::<EventLog>().sources.get(i)?.clone()
}

/// RegisterEventSourceA(lpUNCServerName, lpSourceName): a handle for ReportEvent.
#[export]
fn RegisterEventSourceA(
    call: &mut ApiCall<'_>,
    lpUNCServerName: Option<AnsiStr>,
    lpSourceName: Option<AnsiStr>,
) -> ApiReturn {
    register(call, lpUNCServerName.as_deref(), lpSourceName.as_deref())
}

/// RegisterEventSourceW.
#[export]
fn RegisterEventSourceW(
    call: &mut ApiCall<'_>,
    lpUNCServerName: Option<WideStr>,
    lpSourceName: Option<WideStr>,
) -> ApiReturn {
    register(call, lpUNCServerName.as_deref(), lpSourceName.as_deref())
}

/// DeregisterEventSource(hEventLog).
#[export]
fn DeregisterEventSource(call: &mut ApiCall<'_>, hEventLog: Handle) -> ApiReturn {
    let Some(i) = source_index(hEventLog) else {
        return fail(call, Win32Error::INVALID_HANDLE);
    };
    match call.state.get::<EventLog>().sources.get_mut(i) {
        Some(slot @ Some(_)) => {
            *slot = None;
            ApiReturn::Value(1)
        }
        _ => fail(call, Win32Error::INVALID_HANDLE),
    }
}

fn event_type(t: u16) -> &'static str {
    match t {
        0 => "SUCCESS",
        1 => "ERROR",
        2 => "WARNING",
        4 => "INFORMATION",
        8 => "AUDIT_SUCCESS",
        0x10 => "AUDIT_FAILURE",
        _ => "?",
    }
}

#[allow(clippy::too_many_arguments)]
fn report(
    call: &mut ApiCall<'_>,
    chars: Chars,
    handle: Handle,
    kind: u16,
    category: u16,
    id: u32,
    count: u16,
    data_size: u32,
    strings: Ptr,
) -> ApiReturn {
    let Some(source) = source_name(call, handle) else {
        return fail(call, Win32Error::INVALID_HANDLE);
    };
    let mut texts = Vec::new();
    for i in 0..u32::from(count) {
        let Ok(at) = call.read_u32(strings.0 + 4 * i) else {
            return fail(call, Win32Error::NOACCESS);
        };
        let Some(text) = chars.read(call, at, 0x8000) else {
            return fail(call, Win32Error::NOACCESS);
        };
        texts.push(format!("{text:?}"));
    }
    if kernel32::debug_strings_shown(call.state) {
        let _ = writeln!(
            call.io.stderr.lock(),
            "ReportEvent: source {source:?} type {} category {category} id {id:#x} strings [{}] data {data_size} bytes",
            event_type(kind),
            texts.join(", ")
        );
    }
    ApiReturn::Value(1)
}

/// ReportEventA(hEventLog, wType, wCategory, dwEventID, lpUserSid, wNumStrings, dwDataSize,
/// lpStrings, lpRawData): the entry goes to the trace (`--trace debugstr`), as NT's event
/// log would keep it.
#[export]
fn ReportEventA(
    call: &mut ApiCall<'_>,
    hEventLog: Handle,
    wType: u16,
    wCategory: u16,
    dwEventID: u32,
    lpUserSid: Ptr,
    wNumStrings: u16,
    dwDataSize: u32,
    lpStrings: Ptr,
    lpRawData: Ptr,
) -> ApiReturn {
    let _ = (lpUserSid, lpRawData);
    report(
        call,
        Chars::Ansi,
        hEventLog,
        wType,
        wCategory,
        dwEventID,
        wNumStrings,
        dwDataSize,
        lpStrings,
    )
}

/// ReportEventW.
#[export]
fn ReportEventW(
    call: &mut ApiCall<'_>,
    hEventLog: Handle,
    wType: u16,
    wCategory: u16,
    dwEventID: u32,
    lpUserSid: Ptr,
    wNumStrings: u16,
    dwDataSize: u32,
    lpStrings: Ptr,
    lpRawData: Ptr,
) -> ApiReturn {
    let _ = (lpUserSid, lpRawData);
    report(
        call,
        Chars::Wide,
        hEventLog,
        wType,
        wCategory,
        dwEventID,
        wNumStrings,
        dwDataSize,
        lpStrings,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wide(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn text_tests() {
        let all = u32::MAX;
        let ansi = text_unicode_tests(b"Hello world, this is ANSI text", all);
        assert_eq!(ansi & UNICODE_MASK, 0, "{ansi:#x}");
        let w = text_unicode_tests(&wide("Hello world"), all);
        assert_ne!(w & ASCII16, 0);
        assert_ne!(w & CONTROLS, 0);
        assert_ne!(w & STATISTICS, 0);
        let bom = text_unicode_tests(&[0xFF, 0xFE, b'a', 0], all);
        assert_ne!(bom & SIGNATURE, 0);
        assert_ne!(text_unicode_tests(b"abc", all) & ODD_LENGTH, 0);
    }
}
