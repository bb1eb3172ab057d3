//! ADVAPI32's registry functions, A and W, over NTDLL's registry (the same store NtOpenKey
//! and friends use): the predefined keys, key handles in the process handle table with
//! their access checked, NT 4.0's return codes and limits. Registry functions return their
//! error code and leave the thread's last error alone, as NT's do.

use nt_object::{AccessMask, EventType, Handle, ObjectType};
use nt_registry::value::{REG_SZ, is_string_type};
use nt_registry::{KeyId, Registry, RegistryError, RootKey, Value};
use nt_status::{NtStatus, Win32Error};
use ntdll::registry as reg;
use win32::{AnsiStr, ApiCall, ApiReturn, Ptr, WideStr, export};

use crate::security;
use crate::text::{Chars, Copied, ansi_to_wide, copy_string, wide_to_ansi};
use crate::token;

/// HKEY_CLASSES_ROOT.
pub const HKEY_CLASSES_ROOT: u32 = 0x8000_0000;
/// HKEY_CURRENT_USER.
pub const HKEY_CURRENT_USER: u32 = 0x8000_0001;
/// HKEY_LOCAL_MACHINE.
pub const HKEY_LOCAL_MACHINE: u32 = 0x8000_0002;
/// HKEY_USERS.
pub const HKEY_USERS: u32 = 0x8000_0003;
/// HKEY_PERFORMANCE_DATA.
pub const HKEY_PERFORMANCE_DATA: u32 = 0x8000_0004;
/// HKEY_CURRENT_CONFIG.
pub const HKEY_CURRENT_CONFIG: u32 = 0x8000_0005;

const ERROR_SUCCESS: u32 = 0;
const ERROR_FILE_NOT_FOUND: u32 = 2;
const ERROR_INVALID_HANDLE: u32 = 6;
const ERROR_INVALID_PARAMETER: u32 = 87;
const ERROR_MORE_DATA: u32 = 234;
const ERROR_NO_MORE_ITEMS: u32 = 259;
const ERROR_NOACCESS: u32 = 998;
/// ERROR_BAD_NETPATH: RegConnectRegistry to another machine (there is no network).
const ERROR_BAD_NETPATH: u32 = 53;

/// REG_OPTION_VOLATILE, REG_OPTION_CREATE_LINK, REG_OPTION_BACKUP_RESTORE.
const REG_OPTION_VOLATILE: u32 = 1;
const REG_OPTION_CREATE_LINK: u32 = 2;
const REG_OPTION_BACKUP_RESTORE: u32 = 4;

/// What a registry handle argument names.
enum Target {
    /// A key.
    Key(KeyId),
    /// HKEY_PERFORMANCE_DATA.
    Performance,
}

fn win32(status: NtStatus) -> u32 {
    status.to_win32_error().0
}

fn reg_error(e: &RegistryError) -> u32 {
    win32(e.status())
}

fn predefined(hkey: u32) -> Option<RootKey> {
    Some(match hkey {
        HKEY_CLASSES_ROOT => RootKey::ClassesRoot,
        HKEY_CURRENT_USER => RootKey::CurrentUser,
        HKEY_LOCAL_MACHINE => RootKey::LocalMachine,
        HKEY_USERS => RootKey::Users,
        HKEY_CURRENT_CONFIG => RootKey::CurrentConfig,
        _ => return None,
    })
}

/// The key a handle names, checked for `access` (predefined keys grant everything: the
/// logged-on user is an administrator).
fn target(call: &mut ApiCall<'_>, hkey: Handle, access: AccessMask) -> Result<Target, u32> {
    if hkey.0 == HKEY_PERFORMANCE_DATA {
        return Ok(Target::Performance);
    }
    if let Some(root) = predefined(hkey.0) {
        return reg::with(call, |r, _| r.root_key(root))
            .map(Target::Key)
            .map_err(|e| reg_error(&e));
    }
    if hkey.0 == 0 || hkey.0 & 0x8000_0000 != 0 {
        return Err(ERROR_INVALID_HANDLE);
    }
    reg::key_of_handle(call, hkey, access)
        .map(Target::Key)
        .map_err(win32)
}

/// [`target`], for functions that need a key (HKEY_PERFORMANCE_DATA has none to give).
fn key(call: &mut ApiCall<'_>, hkey: Handle, access: AccessMask) -> Result<KeyId, u32> {
    match target(call, hkey, access)? {
        Target::Key(k) => Ok(k),
        Target::Performance => Err(ERROR_INVALID_HANDLE),
    }
}

fn read_u32(call: &ApiCall<'_>, at: u32) -> Result<u32, u32> {
    call.read_u32(at).map_err(|_| ERROR_NOACCESS)
}

fn write_u32(call: &mut ApiCall<'_>, at: u32, v: u32) -> Result<(), u32> {
    call.write_out_u32(at, v).map_err(|_| ERROR_NOACCESS)
}

fn done(r: Result<u32, u32>) -> u32 {
    r.unwrap_or_else(|e| e)
}

/// Writes a new handle's value, closing it again when the caller's pointer is bad.
fn hand_out(call: &mut ApiCall<'_>, out: u32, handle: Handle) -> Result<u32, u32> {
    if call.write_u32(out, handle.0).is_err() {
        let _ = call.close_handle(handle);
        return Err(ERROR_NOACCESS);
    }
    Ok(ERROR_SUCCESS)
}

// ----- open, create, close -----

fn open_key_ex(
    call: &mut ApiCall<'_>,
    hkey: Handle,
    sub: Option<&str>,
    access: AccessMask,
    out: Ptr,
) -> u32 {
    if out.is_null() {
        return ERROR_INVALID_PARAMETER;
    }
    let base = match target(call, hkey, AccessMask(0)) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let sub = sub.unwrap_or("");
    let base = match base {
        Target::Performance => {
            return done(write_u32(call, out.0, hkey.0).map(|()| ERROR_SUCCESS));
        }
        Target::Key(k) => k,
    };
    if sub.is_empty() && predefined(hkey.0).is_some() {
        return done(write_u32(call, out.0, hkey.0).map(|()| ERROR_SUCCESS));
    }
    let opened = reg::with(call, |r, p| r.open_key(base, sub, p));
    match opened
        .map_err(|e| reg_error(&e))
        .and_then(|k| reg::insert_key_handle(call, k, access).map_err(win32))
    {
        Ok(h) => done(hand_out(call, out.0, h)),
        Err(e) => {
            let _ = call.write_u32(out.0, 0);
            e
        }
    }
}

/// RegOpenKeyExA(hKey, lpSubKey, ulOptions, samDesired, phkResult).
#[export]
fn RegOpenKeyExA(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpSubKey: Option<AnsiStr>,
    ulOptions: u32,
    samDesired: AccessMask,
    phkResult: Ptr,
) -> u32 {
    let _ = ulOptions;
    open_key_ex(call, hKey, lpSubKey.as_deref(), samDesired, phkResult)
}

/// RegOpenKeyExW(hKey, lpSubKey, ulOptions, samDesired, phkResult).
#[export]
fn RegOpenKeyExW(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpSubKey: Option<WideStr>,
    ulOptions: u32,
    samDesired: AccessMask,
    phkResult: Ptr,
) -> u32 {
    let _ = ulOptions;
    open_key_ex(call, hKey, lpSubKey.as_deref(), samDesired, phkResult)
}

fn open_key(call: &mut ApiCall<'_>, hkey: Handle, sub: Option<&str>, out: Ptr) -> u32 {
    if out.is_null() {
        return ERROR_INVALID_PARAMETER;
    }
    if sub.is_none_or(str::is_empty) {
        // The same handle back, as NT 4.0 gives it (NULL for NULL).
        return done(write_u32(call, out.0, hkey.0).map(|()| ERROR_SUCCESS));
    }
    open_key_ex(call, hkey, sub, AccessMask::MAXIMUM_ALLOWED, out)
}

/// RegOpenKeyA(hKey, lpSubKey, phkResult): an empty or NULL subkey gives hKey itself back.
#[export]
fn RegOpenKeyA(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpSubKey: Option<AnsiStr>,
    phkResult: Ptr,
) -> u32 {
    open_key(call, hKey, lpSubKey.as_deref(), phkResult)
}

/// RegOpenKeyW(hKey, lpSubKey, phkResult).
#[export]
fn RegOpenKeyW(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpSubKey: Option<WideStr>,
    phkResult: Ptr,
) -> u32 {
    open_key(call, hKey, lpSubKey.as_deref(), phkResult)
}

/// What RegCreateKeyEx is asked for.
struct Create<'a> {
    hkey: Handle,
    sub: Option<&'a str>,
    class: Option<String>,
    options: u32,
    access: AccessMask,
    security: Ptr,
    out: Ptr,
    disposition: Ptr,
}

fn create_key_ex(call: &mut ApiCall<'_>, c: Create<'_>) -> u32 {
    if c.out.is_null() {
        return ERROR_INVALID_PARAMETER;
    }
    if c.options & !(REG_OPTION_VOLATILE | REG_OPTION_BACKUP_RESTORE) != 0 {
        // REG_OPTION_CREATE_LINK among them: symbolic link keys are not kept.
        let _ = REG_OPTION_CREATE_LINK;
        return ERROR_INVALID_PARAMETER;
    }
    let base = match key(call, c.hkey, AccessMask(0)) {
        Ok(k) => k,
        Err(e) => return e,
    };
    let descriptor = if c.security.is_null() {
        None
    } else {
        match call
            .read_u32(c.security.0 + 4)
            .map_err(|_| ERROR_NOACCESS)
            .and_then(|sd| {
                if sd == 0 {
                    Ok(None)
                } else {
                    security::read_descriptor(call, sd)
                        .map(|d| Some(d.to_self_relative()))
                        .map_err(win32)
                }
            }) {
            Ok(d) => d,
            Err(e) => return e,
        }
    };
    let options = reg::create_options(c.options & REG_OPTION_VOLATILE != 0, c.class, descriptor);
    let sub = c.sub.unwrap_or("");
    let created = reg::with(call, |r, p| r.create_key(base, sub, p, &options));
    let r = created.map_err(|e| reg_error(&e)).and_then(|(k, d)| {
        let h = reg::insert_key_handle(call, k, c.access).map_err(win32)?;
        Ok((h, d))
    });
    match r {
        Ok((h, d)) => {
            if write_u32(call, c.disposition.0, reg::disposition_value(d)).is_err() {
                let _ = call.close_handle(h);
                return ERROR_NOACCESS;
            }
            done(hand_out(call, c.out.0, h))
        }
        Err(e) => {
            let _ = call.write_u32(c.out.0, 0);
            e
        }
    }
}

/// RegCreateKeyExA(hKey, lpSubKey, Reserved, lpClass, dwOptions, samDesired,
/// lpSecurityAttributes, phkResult, lpdwDisposition): the parent handle's access is not
/// checked (as on every NT); missing keys on the way are made.
#[export]
fn RegCreateKeyExA(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpSubKey: Option<AnsiStr>,
    Reserved: u32,
    lpClass: Option<AnsiStr>,
    dwOptions: u32,
    samDesired: AccessMask,
    lpSecurityAttributes: Ptr,
    phkResult: Ptr,
    lpdwDisposition: Ptr,
) -> u32 {
    let _ = Reserved;
    create_key_ex(
        call,
        Create {
            hkey: hKey,
            sub: lpSubKey.as_deref(),
            class: lpClass.map(AnsiStr::into_string),
            options: dwOptions,
            access: samDesired,
            security: lpSecurityAttributes,
            out: phkResult,
            disposition: lpdwDisposition,
        },
    )
}

/// RegCreateKeyExW.
#[export]
fn RegCreateKeyExW(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpSubKey: Option<WideStr>,
    Reserved: u32,
    lpClass: Option<WideStr>,
    dwOptions: u32,
    samDesired: AccessMask,
    lpSecurityAttributes: Ptr,
    phkResult: Ptr,
    lpdwDisposition: Ptr,
) -> u32 {
    let _ = Reserved;
    create_key_ex(
        call,
        Create {
            hkey: hKey,
            sub: lpSubKey.as_deref(),
            class: lpClass.map(WideStr::into_string),
            options: dwOptions,
            access: samDesired,
            security: lpSecurityAttributes,
            out: phkResult,
            disposition: lpdwDisposition,
        },
    )
}

fn create_key(call: &mut ApiCall<'_>, hkey: Handle, sub: Option<&str>, out: Ptr) -> u32 {
    create_key_ex(
        call,
        Create {
            hkey,
            sub,
            class: None,
            options: 0,
            access: AccessMask::MAXIMUM_ALLOWED,
            security: Ptr::NULL,
            out,
            disposition: Ptr::NULL,
        },
    )
}

/// RegCreateKeyA(hKey, lpSubKey, phkResult).
#[export]
fn RegCreateKeyA(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpSubKey: Option<AnsiStr>,
    phkResult: Ptr,
) -> u32 {
    create_key(call, hKey, lpSubKey.as_deref(), phkResult)
}

/// RegCreateKeyW(hKey, lpSubKey, phkResult).
#[export]
fn RegCreateKeyW(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpSubKey: Option<WideStr>,
    phkResult: Ptr,
) -> u32 {
    create_key(call, hKey, lpSubKey.as_deref(), phkResult)
}

/// RegCloseKey(hKey): closes the handle (NtClose: any handle); a predefined key succeeds.
#[export]
fn RegCloseKey(call: &mut ApiCall<'_>, hKey: Handle) -> u32 {
    if hKey.0 == HKEY_PERFORMANCE_DATA || predefined(hKey.0).is_some() {
        return ERROR_SUCCESS;
    }
    if hKey.0 == 0 || hKey.is_pseudo() {
        return ERROR_INVALID_HANDLE;
    }
    match call.close_handle(hKey) {
        Ok(()) => ERROR_SUCCESS,
        Err(e) => e.win32_error().0,
    }
}

/// RegConnectRegistryA(lpMachineName, hKey, phkResult): this machine's key (NULL, empty, or
/// this computer's name with or without `\\`); another machine is ERROR_BAD_NETPATH.
#[export]
fn RegConnectRegistryA(
    call: &mut ApiCall<'_>,
    lpMachineName: Option<AnsiStr>,
    hKey: Handle,
    phkResult: Ptr,
) -> u32 {
    connect(call, lpMachineName.as_deref(), hKey, phkResult)
}

/// RegConnectRegistryW.
#[export]
fn RegConnectRegistryW(
    call: &mut ApiCall<'_>,
    lpMachineName: Option<WideStr>,
    hKey: Handle,
    phkResult: Ptr,
) -> u32 {
    connect(call, lpMachineName.as_deref(), hKey, phkResult)
}

fn connect(call: &mut ApiCall<'_>, machine: Option<&str>, hkey: Handle, out: Ptr) -> u32 {
    let name = machine.unwrap_or("").trim_start_matches('\\');
    let computer = reg::identity(call.state).computer;
    if !name.is_empty() && !name.eq_ignore_ascii_case(&computer) {
        return ERROR_BAD_NETPATH;
    }
    if hkey.0 != HKEY_LOCAL_MACHINE && hkey.0 != HKEY_USERS && hkey.0 != HKEY_PERFORMANCE_DATA {
        return ERROR_INVALID_HANDLE;
    }
    open_key_ex(call, hkey, None, AccessMask::MAXIMUM_ALLOWED, out)
}

// ----- values -----

/// HKEY_PERFORMANCE_DATA's answer without performance counters: an empty PERF_DATA_BLOCK
/// (no object types) for "Global", "Costly" and object numbers; empty lists for "Counter"
/// and "Help".
fn performance_value(call: &ApiCall<'_>, name: &str) -> Value {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("counter") || lower.starts_with("help") {
        return Value {
            name: name.to_string(),
            kind: nt_registry::value::REG_MULTI_SZ,
            data: vec![0; 4],
        };
    }
    let system: Vec<u8> = "NTEMU\0"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let header = 88u32;
    let total = (header + system.len() as u32).next_multiple_of(8);
    let mut b = Vec::with_capacity(total as usize);
    b.extend("PERF".encode_utf16().flat_map(u16::to_le_bytes));
    for v in [1u32, 1, 1, total, header, 0, u32::MAX] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    // SYSTEMTIME of now, then padding.
    let now = call.machine.clock().now_ms() + call.state.wall_clock_base_ms;
    let st = systemtime(now);
    for v in st {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(&[0; 4]);
    let counter = now * 1000;
    b.extend_from_slice(&counter.to_le_bytes());
    b.extend_from_slice(&1_000_000u64.to_le_bytes());
    b.extend_from_slice(&(now * 10_000 + 116_444_736_000_000_000).to_le_bytes());
    b.extend_from_slice(&(system.len() as u32).to_le_bytes());
    b.extend_from_slice(&header.to_le_bytes());
    b.extend_from_slice(&system);
    b.resize(total as usize, 0);
    Value {
        name: name.to_string(),
        kind: nt_registry::value::REG_BINARY,
        data: b,
    }
}

/// A SYSTEMTIME (year, month, day of week, day, hour, minute, second, ms) of ms since 1970.
fn systemtime(ms: u64) -> [u16; 8] {
    let days = ms / 86_400_000;
    let rest = ms % 86_400_000;
    let (y, m, d) = win32::calendar::civil_from_days(days as i64);
    [
        y as u16,
        m as u16,
        ((days + 4) % 7) as u16,
        d as u16,
        (rest / 3_600_000) as u16,
        (rest / 60_000 % 60) as u16,
        (rest / 1000 % 60) as u16,
        (rest % 1000) as u16,
    ]
}

/// The data of a value as the caller's character set sees it: strings converted to ANSI
/// for the A functions.
fn data_for(chars: Chars, value: &Value) -> Vec<u8> {
    if chars == Chars::Ansi && is_string_type(value.kind) {
        wide_to_ansi(&value.data)
    } else {
        value.data.clone()
    }
}

/// True when string data lacks its terminating NUL.
fn unterminated(chars: Chars, kind: u32, data: &[u8]) -> bool {
    if !is_string_type(kind) {
        return false;
    }
    match chars {
        Chars::Ansi => data.last() != Some(&0),
        Chars::Wide => data.len() < 2 || data[data.len() - 2..] != [0, 0],
    }
}

/// The data out-parameters of RegQueryValueEx and RegEnumValue.
struct DataOut {
    kind: Ptr,
    data: Ptr,
    size: Ptr,
}

/// Copies value data out by the registry's rules: a NULL buffer asks for the size, a short
/// buffer is ERROR_MORE_DATA with the size needed (nothing written), string data without its
/// NUL gets one when there is room (the size does not count it).
fn data_out(
    call: &mut ApiCall<'_>,
    chars: Chars,
    kind: u32,
    data: &[u8],
    out: &DataOut,
) -> Result<u32, u32> {
    write_u32(call, out.kind.0, kind)?;
    if out.size.is_null() {
        return Ok(ERROR_SUCCESS);
    }
    let size = data.len() as u32;
    if out.data.is_null() {
        write_u32(call, out.size.0, size)?;
        return Ok(ERROR_SUCCESS);
    }
    let capacity = read_u32(call, out.size.0)?;
    if capacity < size {
        write_u32(call, out.size.0, size)?;
        return Ok(ERROR_MORE_DATA);
    }
    call.write_bytes(out.data.0, data)
        .map_err(|_| ERROR_NOACCESS)?;
    if unterminated(chars, kind, data) && capacity >= size + chars.unit() {
        let nul = vec![0; chars.unit() as usize];
        call.write_bytes(out.data.0 + size, &nul)
            .map_err(|_| ERROR_NOACCESS)?;
    }
    write_u32(call, out.size.0, size)?;
    Ok(ERROR_SUCCESS)
}

fn query_value_ex(
    call: &mut ApiCall<'_>,
    chars: Chars,
    hkey: Handle,
    name: Option<&str>,
    reserved: Ptr,
    out: DataOut,
) -> u32 {
    if !reserved.is_null() || (!out.data.is_null() && out.size.is_null()) {
        return ERROR_INVALID_PARAMETER;
    }
    let name = name.unwrap_or("");
    // The data as the caller's character set sees it, taken without copying the value.
    let value = match target(call, hkey, AccessMask::KEY_QUERY_VALUE) {
        Err(e) => return e,
        Ok(Target::Performance) => {
            let v = performance_value(call, name);
            Ok((v.kind, data_for(chars, &v)))
        }
        Ok(Target::Key(k)) => reg::with(call, |r, _| {
            r.query_value(k, name).map(|v| (v.kind, data_for(chars, v)))
        }),
    };
    match value {
        Ok((kind, data)) => done(data_out(call, chars, kind, &data, &out)),
        Err(RegistryError::NotFound) => {
            if out.data.is_null() && !out.size.is_null() {
                let _ = call.write_u32(out.size.0, 0);
            }
            ERROR_FILE_NOT_FOUND
        }
        Err(e) => reg_error(&e),
    }
}

/// RegQueryValueExA(hKey, lpValueName, lpReserved, lpType, lpData, lpcbData): string data
/// in ANSI (the size is the ANSI size).
#[export]
fn RegQueryValueExA(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpValueName: Option<AnsiStr>,
    lpReserved: Ptr,
    lpType: Ptr,
    lpData: Ptr,
    lpcbData: Ptr,
) -> u32 {
    let out = DataOut {
        kind: lpType,
        data: lpData,
        size: lpcbData,
    };
    query_value_ex(
        call,
        Chars::Ansi,
        hKey,
        lpValueName.as_deref(),
        lpReserved,
        out,
    )
}

/// RegQueryValueExW(hKey, lpValueName, lpReserved, lpType, lpData, lpcbData).
#[export]
fn RegQueryValueExW(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpValueName: Option<WideStr>,
    lpReserved: Ptr,
    lpType: Ptr,
    lpData: Ptr,
    lpcbData: Ptr,
) -> u32 {
    let out = DataOut {
        kind: lpType,
        data: lpData,
        size: lpcbData,
    };
    query_value_ex(
        call,
        Chars::Wide,
        hKey,
        lpValueName.as_deref(),
        lpReserved,
        out,
    )
}

/// Reads the data RegSetValueEx was given, as stored: ANSI string data converted, with the
/// terminating NUL taken in when the caller's count left it just outside (as NT reads it).
fn data_in(
    call: &mut ApiCall<'_>,
    chars: Chars,
    kind: u32,
    data: Ptr,
    count: u32,
) -> Result<Vec<u8>, u32> {
    if count as usize > nt_registry::value::MAX_VALUE_DATA {
        return Err(ERROR_INVALID_PARAMETER);
    }
    if data.is_null() {
        return if count == 0 {
            Ok(Vec::new())
        } else {
            Err(ERROR_NOACCESS)
        };
    }
    let mut bytes = call
        .read_bytes(data.0, count as usize)
        .map_err(|_| ERROR_NOACCESS)?;
    if chars == Chars::Ansi && is_string_type(kind) {
        if bytes.last().is_some_and(|&b| b != 0)
            && call.read_bytes(data.0 + count, 1).ok().as_deref() == Some(&[0])
        {
            bytes.push(0);
        }
        bytes = ansi_to_wide(&bytes);
    }
    Ok(bytes)
}

fn set_value_ex(
    call: &mut ApiCall<'_>,
    chars: Chars,
    hkey: Handle,
    name: Option<&str>,
    kind: u32,
    data: Ptr,
    count: u32,
) -> u32 {
    let key = match key(call, hkey, AccessMask::KEY_SET_VALUE) {
        Ok(k) => k,
        Err(e) => return e,
    };
    let data = match data_in(call, chars, kind, data, count) {
        Ok(d) => d,
        Err(e) => return e,
    };
    let value = Value {
        name: name.unwrap_or("").to_string(),
        kind,
        data,
    };
    match reg::with(call, |r, _| r.set_value(key, value)) {
        Ok(()) => ERROR_SUCCESS,
        Err(e) => reg_error(&e),
    }
}

/// RegSetValueExA(hKey, lpValueName, Reserved, dwType, lpData, cbData): string data
/// converted from ANSI.
#[export]
fn RegSetValueExA(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpValueName: Option<AnsiStr>,
    Reserved: u32,
    dwType: u32,
    lpData: Ptr,
    cbData: u32,
) -> u32 {
    let _ = Reserved;
    set_value_ex(
        call,
        Chars::Ansi,
        hKey,
        lpValueName.as_deref(),
        dwType,
        lpData,
        cbData,
    )
}

/// RegSetValueExW(hKey, lpValueName, Reserved, dwType, lpData, cbData).
#[export]
fn RegSetValueExW(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpValueName: Option<WideStr>,
    Reserved: u32,
    dwType: u32,
    lpData: Ptr,
    cbData: u32,
) -> u32 {
    let _ = Reserved;
    set_value_ex(
        call,
        Chars::Wide,
        hKey,
        lpValueName.as_deref(),
        dwType,
        lpData,
        cbData,
    )
}

/// The key of RegSetValue/RegQueryValue: `hkey` itself, or its subkey `sub`.
fn sub_key(
    call: &mut ApiCall<'_>,
    hkey: Handle,
    sub: Option<&str>,
    access: AccessMask,
    create: bool,
) -> Result<KeyId, u32> {
    let base = key(
        call,
        hkey,
        if sub.is_some_and(|s| !s.is_empty()) {
            AccessMask(0)
        } else {
            access
        },
    )?;
    let Some(sub) = sub.filter(|s| !s.is_empty()) else {
        return Ok(base);
    };
    let options = reg::create_options(false, None, None);
    reg::with(call, |r, p| {
        if create {
            r.create_key(base, sub, p, &options).map(|(k, _)| k)
        } else {
            r.open_key(base, sub, p)
        }
    })
    .map_err(|e| reg_error(&e))
}

fn set_value(
    call: &mut ApiCall<'_>,
    chars: Chars,
    hkey: Handle,
    sub: Option<&str>,
    kind: u32,
    data: Ptr,
) -> u32 {
    if kind != REG_SZ || data.is_null() {
        return ERROR_INVALID_PARAMETER;
    }
    let Some(text) = chars.read(call, data.0, nt_registry::value::MAX_VALUE_DATA / 2) else {
        return ERROR_NOACCESS;
    };
    let key = match sub_key(call, hkey, sub, AccessMask::KEY_SET_VALUE, true) {
        Ok(k) => k,
        Err(e) => return e,
    };
    match reg::with(call, |r, _| r.set_value(key, Value::string("", &text))) {
        Ok(()) => ERROR_SUCCESS,
        Err(e) => reg_error(&e),
    }
}

/// RegSetValueA(hKey, lpSubKey, dwType, lpData, cbData): REG_SZ only, as the default value
/// of the subkey (made when missing); the string's own length counts, not cbData.
#[export]
fn RegSetValueA(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpSubKey: Option<AnsiStr>,
    dwType: u32,
    lpData: Ptr,
    cbData: u32,
) -> u32 {
    let _ = cbData;
    set_value(call, Chars::Ansi, hKey, lpSubKey.as_deref(), dwType, lpData)
}

/// RegSetValueW(hKey, lpSubKey, dwType, lpData, cbData).
#[export]
fn RegSetValueW(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpSubKey: Option<WideStr>,
    dwType: u32,
    lpData: Ptr,
    cbData: u32,
) -> u32 {
    let _ = cbData;
    set_value(call, Chars::Wide, hKey, lpSubKey.as_deref(), dwType, lpData)
}

fn query_value(
    call: &mut ApiCall<'_>,
    chars: Chars,
    hkey: Handle,
    sub: Option<&str>,
    out: Ptr,
    size: Ptr,
) -> u32 {
    if !out.is_null() && size.is_null() {
        return ERROR_INVALID_PARAMETER;
    }
    let key = match sub_key(call, hkey, sub, AccessMask::KEY_QUERY_VALUE, false) {
        Ok(k) => k,
        Err(e) => return e,
    };
    let mut data = match reg::with(call, |r, _| r.query_value(key, "").cloned()) {
        Ok(v) => data_for(chars, &v),
        // A key without a default value gives an empty string.
        Err(RegistryError::NotFound) => Vec::new(),
        Err(e) => return reg_error(&e),
    };
    if unterminated(chars, REG_SZ, &data) {
        data.extend(std::iter::repeat_n(0, chars.unit() as usize));
    }
    let needed = data.len() as u32;
    let r = (|| {
        if size.is_null() {
            return Ok(ERROR_SUCCESS);
        }
        if out.is_null() {
            write_u32(call, size.0, needed)?;
            return Ok(ERROR_SUCCESS);
        }
        if read_u32(call, size.0)? < needed {
            write_u32(call, size.0, needed)?;
            return Ok(ERROR_MORE_DATA);
        }
        call.write_bytes(out.0, &data).map_err(|_| ERROR_NOACCESS)?;
        write_u32(call, size.0, needed)?;
        Ok(ERROR_SUCCESS)
    })();
    done(r)
}

/// RegQueryValueA(hKey, lpSubKey, lpValue, lpcbValue): the default value of the subkey as a
/// string (empty when it has none); the size in bytes, NUL included.
#[export]
fn RegQueryValueA(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpSubKey: Option<AnsiStr>,
    lpValue: Ptr,
    lpcbValue: Ptr,
) -> u32 {
    query_value(
        call,
        Chars::Ansi,
        hKey,
        lpSubKey.as_deref(),
        lpValue,
        lpcbValue,
    )
}

/// RegQueryValueW(hKey, lpSubKey, lpValue, lpcbValue): the size in bytes.
#[export]
fn RegQueryValueW(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpSubKey: Option<WideStr>,
    lpValue: Ptr,
    lpcbValue: Ptr,
) -> u32 {
    query_value(
        call,
        Chars::Wide,
        hKey,
        lpSubKey.as_deref(),
        lpValue,
        lpcbValue,
    )
}

fn delete_value(call: &mut ApiCall<'_>, hkey: Handle, name: Option<&str>) -> u32 {
    let key = match key(call, hkey, AccessMask::KEY_SET_VALUE) {
        Ok(k) => k,
        Err(e) => return e,
    };
    let name = name.unwrap_or("");
    match reg::with(call, |r, _| r.delete_value(key, name)) {
        Ok(()) => ERROR_SUCCESS,
        Err(e) => reg_error(&e),
    }
}

/// RegDeleteValueA(hKey, lpValueName).
#[export]
fn RegDeleteValueA(call: &mut ApiCall<'_>, hKey: Handle, lpValueName: Option<AnsiStr>) -> u32 {
    delete_value(call, hKey, lpValueName.as_deref())
}

/// RegDeleteValueW(hKey, lpValueName).
#[export]
fn RegDeleteValueW(call: &mut ApiCall<'_>, hKey: Handle, lpValueName: Option<WideStr>) -> u32 {
    delete_value(call, hKey, lpValueName.as_deref())
}

fn delete_key(call: &mut ApiCall<'_>, hkey: Handle, sub: Option<&str>) -> u32 {
    let base = match key(call, hkey, AccessMask(0)) {
        Ok(k) => k,
        Err(e) => return e,
    };
    // NT 4.0 takes a NULL subkey as the key itself.
    let sub = sub.unwrap_or("");
    match reg::with(call, |r, p| {
        let k = r.open_key(base, sub, p)?;
        r.delete_key(k)
    }) {
        Ok(()) => ERROR_SUCCESS,
        Err(e) => reg_error(&e),
    }
}

/// RegDeleteKeyA(hKey, lpSubKey): the subkey must have no subkeys of its own
/// (ERROR_ACCESS_DENIED otherwise); an empty (or, as NT 4.0 has it, NULL) subkey deletes
/// hKey's key itself.
#[export]
fn RegDeleteKeyA(call: &mut ApiCall<'_>, hKey: Handle, lpSubKey: Option<AnsiStr>) -> u32 {
    delete_key(call, hKey, lpSubKey.as_deref())
}

/// RegDeleteKeyW(hKey, lpSubKey).
#[export]
fn RegDeleteKeyW(call: &mut ApiCall<'_>, hKey: Handle, lpSubKey: Option<WideStr>) -> u32 {
    delete_key(call, hKey, lpSubKey.as_deref())
}

// ----- enumeration and information -----

fn enum_key(
    call: &mut ApiCall<'_>,
    chars: Chars,
    hkey: Handle,
    index: u32,
    name: Ptr,
    capacity: u32,
) -> u32 {
    let key = match key(call, hkey, AccessMask::KEY_ENUMERATE_SUB_KEYS) {
        Ok(k) => k,
        Err(e) => return e,
    };
    let sub = match reg::with(call, |r, _| r.enum_key(key, index)) {
        Ok(s) => s,
        Err(RegistryError::NoMoreEntries) => return ERROR_NO_MORE_ITEMS,
        Err(e) => return reg_error(&e),
    };
    match copy_string(call, chars, name.0, capacity, &sub.name) {
        Copied::Done(_) => ERROR_SUCCESS,
        Copied::TooSmall(_) => ERROR_MORE_DATA,
        Copied::Fault => ERROR_NOACCESS,
    }
}

/// RegEnumKeyA(hKey, dwIndex, lpName, cchName).
#[export]
fn RegEnumKeyA(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    dwIndex: u32,
    lpName: Ptr,
    cchName: u32,
) -> u32 {
    enum_key(call, Chars::Ansi, hKey, dwIndex, lpName, cchName)
}

/// RegEnumKeyW(hKey, dwIndex, lpName, cchName).
#[export]
fn RegEnumKeyW(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    dwIndex: u32,
    lpName: Ptr,
    cchName: u32,
) -> u32 {
    enum_key(call, Chars::Wide, hKey, dwIndex, lpName, cchName)
}

/// Out-parameters of RegEnumKeyEx.
struct EnumKeyOut {
    name: Ptr,
    name_len: Ptr,
    reserved: Ptr,
    class: Ptr,
    class_len: Ptr,
    last_write: Ptr,
}

fn enum_key_ex(
    call: &mut ApiCall<'_>,
    chars: Chars,
    hkey: Handle,
    index: u32,
    o: EnumKeyOut,
) -> u32 {
    if o.name.is_null() || o.name_len.is_null() || !o.reserved.is_null() {
        return ERROR_INVALID_PARAMETER;
    }
    if !o.class.is_null() && o.class_len.is_null() {
        return ERROR_INVALID_PARAMETER;
    }
    let key = match key(call, hkey, AccessMask::KEY_ENUMERATE_SUB_KEYS) {
        Ok(k) => k,
        Err(e) => return e,
    };
    let sub = match reg::with(call, |r, _| r.enum_key(key, index)) {
        Ok(s) => s,
        Err(RegistryError::NoMoreEntries) => return ERROR_NO_MORE_ITEMS,
        Err(e) => return reg_error(&e),
    };
    let r = (|| {
        let capacity = read_u32(call, o.name_len.0)?;
        let class = sub.class.clone().unwrap_or_default();
        let class_capacity = if o.class.is_null() {
            0
        } else {
            read_u32(call, o.class_len.0)?
        };
        if chars.len(&sub.name) + 1 > capacity
            || (!o.class.is_null() && chars.len(&class) + 1 > class_capacity)
        {
            return Ok(ERROR_MORE_DATA);
        }
        if let Copied::Done(n) = copy_string(call, chars, o.name.0, capacity, &sub.name) {
            write_u32(call, o.name_len.0, n)?;
        } else {
            return Err(ERROR_NOACCESS);
        }
        if !o.class.is_null() {
            match copy_string(call, chars, o.class.0, class_capacity, &class) {
                Copied::Done(n) => write_u32(call, o.class_len.0, n)?,
                _ => return Err(ERROR_NOACCESS),
            }
        }
        if !o.last_write.is_null() {
            call.write_bytes(o.last_write.0, &sub.last_write.to_le_bytes())
                .map_err(|_| ERROR_NOACCESS)?;
        }
        Ok(ERROR_SUCCESS)
    })();
    done(r)
}

/// RegEnumKeyExA(hKey, dwIndex, lpName, lpcName, lpReserved, lpClass, lpcClass,
/// lpftLastWriteTime): names in NT's order (upper-cased); a short buffer is
/// ERROR_MORE_DATA with nothing written.
#[export]
fn RegEnumKeyExA(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    dwIndex: u32,
    lpName: Ptr,
    lpcName: Ptr,
    lpReserved: Ptr,
    lpClass: Ptr,
    lpcClass: Ptr,
    lpftLastWriteTime: Ptr,
) -> u32 {
    let o = EnumKeyOut {
        name: lpName,
        name_len: lpcName,
        reserved: lpReserved,
        class: lpClass,
        class_len: lpcClass,
        last_write: lpftLastWriteTime,
    };
    enum_key_ex(call, Chars::Ansi, hKey, dwIndex, o)
}

/// RegEnumKeyExW.
#[export]
fn RegEnumKeyExW(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    dwIndex: u32,
    lpName: Ptr,
    lpcName: Ptr,
    lpReserved: Ptr,
    lpClass: Ptr,
    lpcClass: Ptr,
    lpftLastWriteTime: Ptr,
) -> u32 {
    let o = EnumKeyOut {
        name: lpName,
        name_len: lpcName,
        reserved: lpReserved,
        class: lpClass,
        class_len: lpcClass,
        last_write: lpftLastWriteTime,
    };
    enum_key_ex(call, Chars::Wide, hKey, dwIndex, o)
}

#[allow(clippy::too_many_arguments)]
fn enum_value(
    call: &mut ApiCall<'_>,
    chars: Chars,
    hkey: Handle,
    index: u32,
    name: Ptr,
    name_len: Ptr,
    reserved: Ptr,
    out: DataOut,
) -> u32 {
    if name.is_null() || name_len.is_null() || !reserved.is_null() {
        return ERROR_INVALID_PARAMETER;
    }
    if !out.data.is_null() && out.size.is_null() {
        return ERROR_INVALID_PARAMETER;
    }
    let key = match key(call, hkey, AccessMask::KEY_QUERY_VALUE) {
        Ok(k) => k,
        Err(e) => return e,
    };
    let value = match reg::with(call, |r, _| r.enum_value(key, index).cloned()) {
        Ok(v) => v,
        Err(RegistryError::NoMoreEntries) => return ERROR_NO_MORE_ITEMS,
        Err(e) => return reg_error(&e),
    };
    let r = (|| {
        let data = data_for(chars, &value);
        let capacity = read_u32(call, name_len.0)?;
        if chars.len(&value.name) + 1 > capacity {
            // The name does not fit: nothing is written but the type and the data size.
            write_u32(call, out.kind.0, value.kind)?;
            write_u32(call, out.size.0, data.len() as u32)?;
            return Ok(ERROR_MORE_DATA);
        }
        match copy_string(call, chars, name.0, capacity, &value.name) {
            Copied::Done(n) => write_u32(call, name_len.0, n)?,
            _ => return Err(ERROR_NOACCESS),
        }
        data_out(call, chars, value.kind, &data, &out)
    })();
    done(r)
}

/// RegEnumValueA(hKey, dwIndex, lpValueName, lpcValueName, lpReserved, lpType, lpData,
/// lpcbData): values in the order they were first set.
#[export]
fn RegEnumValueA(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    dwIndex: u32,
    lpValueName: Ptr,
    lpcValueName: Ptr,
    lpReserved: Ptr,
    lpType: Ptr,
    lpData: Ptr,
    lpcbData: Ptr,
) -> u32 {
    let out = DataOut {
        kind: lpType,
        data: lpData,
        size: lpcbData,
    };
    enum_value(
        call,
        Chars::Ansi,
        hKey,
        dwIndex,
        lpValueName,
        lpcValueName,
        lpReserved,
        out,
    )
}

/// RegEnumValueW.
#[export]
fn RegEnumValueW(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    dwIndex: u32,
    lpValueName: Ptr,
    lpcValueName: Ptr,
    lpReserved: Ptr,
    lpType: Ptr,
    lpData: Ptr,
    lpcbData: Ptr,
) -> u32 {
    let out = DataOut {
        kind: lpType,
        data: lpData,
        size: lpcbData,
    };
    enum_value(
        call,
        Chars::Wide,
        hKey,
        dwIndex,
        lpValueName,
        lpcValueName,
        lpReserved,
        out,
    )
}

/// RegQueryInfoKey's out-parameters.
struct InfoOut {
    class: Ptr,
    class_len: Ptr,
    reserved: Ptr,
    subkeys: Ptr,
    max_subkey_len: Ptr,
    max_class_len: Ptr,
    values: Ptr,
    max_value_name_len: Ptr,
    max_value_len: Ptr,
    security: Ptr,
    last_write: Ptr,
}

fn query_info_key(call: &mut ApiCall<'_>, chars: Chars, hkey: Handle, o: InfoOut) -> u32 {
    let target = match target(call, hkey, AccessMask::KEY_QUERY_VALUE) {
        Ok(t) => t,
        Err(e) => return e,
    };
    if (!o.class.is_null() && o.class_len.is_null()) || !o.reserved.is_null() {
        return ERROR_INVALID_PARAMETER;
    }
    let (info, sd_len) = match target {
        Target::Performance => (
            nt_registry::KeyInfo {
                name: String::new(),
                class: None,
                subkeys: 0,
                max_subkey_len: 0,
                max_class_len: 0,
                values: 0,
                max_value_name_len: 0,
                max_value_len: 0,
                last_write: 0,
                volatile: true,
            },
            0,
        ),
        Target::Key(k) => match reg::with(call, |r, _| {
            let sd = r.security(k)?.map(<[u8]>::len);
            Ok::<_, RegistryError>((r.key_info(k)?, sd))
        }) {
            Ok((info, sd)) => (
                info,
                sd.unwrap_or_else(|| security::default_key_descriptor().len()) as u32,
            ),
            Err(e) => return reg_error(&e),
        },
    };
    let r = (|| {
        let mut result = ERROR_SUCCESS;
        if !o.class_len.is_null() {
            let class = info.class.clone().unwrap_or_default();
            let len = chars.len(&class);
            if o.class.is_null() {
                write_u32(call, o.class_len.0, len)?;
            } else {
                let capacity = read_u32(call, o.class_len.0)?;
                match (chars, capacity) {
                    (_, 0) => write_u32(call, o.class_len.0, len)?,
                    _ if capacity > len => {
                        let _ = copy_string(call, chars, o.class.0, capacity, &class);
                        write_u32(call, o.class_len.0, len)?;
                    }
                    (Chars::Ansi, _) => {
                        // The class cut to the buffer, NUL-terminated.
                        let mut bytes = chars.encode(&class);
                        bytes.truncate(capacity as usize - 1);
                        let n = bytes.len() as u32;
                        bytes.push(0);
                        call.write_bytes(o.class.0, &bytes)
                            .map_err(|_| ERROR_NOACCESS)?;
                        write_u32(call, o.class_len.0, n)?;
                        result = ERROR_MORE_DATA;
                    }
                    (Chars::Wide, _) => {
                        write_u32(call, o.class_len.0, len)?;
                        result = Win32Error::INSUFFICIENT_BUFFER.0;
                    }
                }
            }
        }
        write_u32(call, o.subkeys.0, info.subkeys)?;
        write_u32(call, o.max_subkey_len.0, info.max_subkey_len)?;
        write_u32(call, o.max_class_len.0, info.max_class_len)?;
        write_u32(call, o.values.0, info.values)?;
        write_u32(call, o.max_value_name_len.0, info.max_value_name_len)?;
        write_u32(call, o.max_value_len.0, info.max_value_len)?;
        write_u32(call, o.security.0, sd_len)?;
        if !o.last_write.is_null() {
            call.write_bytes(o.last_write.0, &info.last_write.to_le_bytes())
                .map_err(|_| ERROR_NOACCESS)?;
        }
        Ok(result)
    })();
    done(r)
}

/// RegQueryInfoKeyA(hKey, lpClass, lpcClass, lpReserved, lpcSubKeys, lpcMaxSubKeyLen,
/// lpcMaxClassLen, lpcValues, lpcMaxValueNameLen, lpcMaxValueLen, lpcbSecurityDescriptor,
/// lpftLastWriteTime): lengths in characters, the largest value data in bytes.
#[export]
fn RegQueryInfoKeyA(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpClass: Ptr,
    lpcClass: Ptr,
    lpReserved: Ptr,
    lpcSubKeys: Ptr,
    lpcMaxSubKeyLen: Ptr,
    lpcMaxClassLen: Ptr,
    lpcValues: Ptr,
    lpcMaxValueNameLen: Ptr,
    lpcMaxValueLen: Ptr,
    lpcbSecurityDescriptor: Ptr,
    lpftLastWriteTime: Ptr,
) -> u32 {
    let o = InfoOut {
        class: lpClass,
        class_len: lpcClass,
        reserved: lpReserved,
        subkeys: lpcSubKeys,
        max_subkey_len: lpcMaxSubKeyLen,
        max_class_len: lpcMaxClassLen,
        values: lpcValues,
        max_value_name_len: lpcMaxValueNameLen,
        max_value_len: lpcMaxValueLen,
        security: lpcbSecurityDescriptor,
        last_write: lpftLastWriteTime,
    };
    query_info_key(call, Chars::Ansi, hKey, o)
}

/// RegQueryInfoKeyW.
#[export]
fn RegQueryInfoKeyW(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpClass: Ptr,
    lpcClass: Ptr,
    lpReserved: Ptr,
    lpcSubKeys: Ptr,
    lpcMaxSubKeyLen: Ptr,
    lpcMaxClassLen: Ptr,
    lpcValues: Ptr,
    lpcMaxValueNameLen: Ptr,
    lpcMaxValueLen: Ptr,
    lpcbSecurityDescriptor: Ptr,
    lpftLastWriteTime: Ptr,
) -> u32 {
    let o = InfoOut {
        class: lpClass,
        class_len: lpcClass,
        reserved: lpReserved,
        subkeys: lpcSubKeys,
        max_subkey_len: lpcMaxSubKeyLen,
        max_class_len: lpcMaxClassLen,
        values: lpcValues,
        max_value_name_len: lpcMaxValueNameLen,
        max_value_len: lpcMaxValueLen,
        security: lpcbSecurityDescriptor,
        last_write: lpftLastWriteTime,
    };
    query_info_key(call, Chars::Wide, hKey, o)
}

// ----- flush, notify, save, load -----

/// RegFlushKey(hKey): writes the key's hive to its file now.
#[export]
fn RegFlushKey(call: &mut ApiCall<'_>, hKey: Handle) -> u32 {
    let key = match key(call, hKey, AccessMask(0)) {
        Ok(k) => k,
        Err(e) => return e,
    };
    match reg::with(call, |r, _| r.flush(key)) {
        Ok(()) => ERROR_SUCCESS,
        Err(e) => reg_error(&e),
    }
}

/// RegNotifyChangeKeyValue(hKey, bWatchSubtree, dwNotifyFilter, hEvent, fAsynchronous):
/// asynchronously, hEvent is signalled at the next change of a kind the filter names;
/// synchronously, the call returns when it comes.
#[export]
fn RegNotifyChangeKeyValue(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    bWatchSubtree: bool,
    dwNotifyFilter: u32,
    hEvent: Handle,
    fAsynchronous: bool,
) -> ApiReturn {
    let key = match key(call, hKey, AccessMask::KEY_NOTIFY) {
        Ok(k) => k,
        Err(e) => return ApiReturn::Value(e),
    };
    if dwNotifyFilter & !0xF != 0 {
        return ApiReturn::Value(ERROR_INVALID_PARAMETER);
    }
    if fAsynchronous {
        let event = match call.reference(
            hEvent,
            AccessMask::EVENT_MODIFY_STATE,
            Some(ObjectType::Event),
        ) {
            Ok(e) => e,
            Err(e) => return ApiReturn::Value(e.win32_error().0),
        };
        return ApiReturn::Value(
            match reg::watch(call, key, bWatchSubtree, dwNotifyFilter, event) {
                Ok(()) => ERROR_SUCCESS,
                Err(s) => win32(s),
            },
        );
    }
    let event = call
        .machine
        .objects()
        .create_event(EventType::Notification, false);
    match reg::watch(call, key, bWatchSubtree, dwNotifyFilter, event.clone()) {
        Ok(()) => ApiReturn::Wait {
            objects: vec![event],
            wait_type: nt_object::WaitType::Any,
            timeout: None,
        },
        Err(s) => ApiReturn::Value(win32(s)),
    }
}

fn save_key(call: &mut ApiCall<'_>, hkey: Handle, file: Option<&str>) -> u32 {
    let key = match key(call, hkey, AccessMask(0)) {
        Ok(k) => k,
        Err(e) => return e,
    };
    if !token::privilege_enabled(call, token::SE_BACKUP) {
        return Win32Error::PRIVILEGE_NOT_HELD.0;
    }
    let Some(name) = file.filter(|f| !f.is_empty()) else {
        return ERROR_INVALID_PARAMETER;
    };
    let file = match kernel32::guestfile::guest_file(call, name) {
        Ok(f) => f,
        Err(e) => return e.0,
    };
    if file.exists() {
        return Win32Error::ALREADY_EXISTS.0;
    }
    let bytes = match reg::with(call, |r, _| r.save_key(key)) {
        Ok(b) => b,
        Err(e) => return reg_error(&e),
    };
    match file.replace(&bytes) {
        Ok(()) => ERROR_SUCCESS,
        Err(e) => e.0,
    }
}

/// RegSaveKeyA(hKey, lpFile, lpSecurityAttributes): writes the key and everything below it
/// to a new file (in ntemu's hive format, REGEDIT4 text); the caller must have enabled
/// SeBackupPrivilege (ERROR_PRIVILEGE_NOT_HELD), the file must not exist
/// (ERROR_ALREADY_EXISTS).
#[export]
fn RegSaveKeyA(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpFile: Option<AnsiStr>,
    lpSecurityAttributes: Ptr,
) -> u32 {
    let _ = lpSecurityAttributes;
    save_key(call, hKey, lpFile.as_deref())
}

/// RegSaveKeyW.
#[export]
fn RegSaveKeyW(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpFile: Option<WideStr>,
    lpSecurityAttributes: Ptr,
) -> u32 {
    let _ = lpSecurityAttributes;
    save_key(call, hKey, lpFile.as_deref())
}

fn load_key(call: &mut ApiCall<'_>, hkey: Handle, sub: Option<&str>, file: Option<&str>) -> u32 {
    let parent = match key(call, hkey, AccessMask(0)) {
        Ok(k) => k,
        Err(e) => return e,
    };
    if !token::privilege_enabled(call, token::SE_RESTORE) {
        return Win32Error::PRIVILEGE_NOT_HELD.0;
    }
    let (Some(sub), Some(name)) = (sub, file) else {
        return ERROR_INVALID_PARAMETER;
    };
    let file = match kernel32::guestfile::guest_file(call, name) {
        Ok(f) => f,
        Err(e) => return e.0,
    };
    if !file.exists() {
        return ERROR_FILE_NOT_FOUND;
    }
    let hive = file.hive_file();
    match reg::with(call, |r, _| r.load_hive(parent, sub, hive)) {
        Ok(_) => ERROR_SUCCESS,
        Err(e) => reg_error(&e),
    }
}

/// RegLoadKeyA(hKey, lpSubKey, lpFile): mounts the hive a RegSaveKey wrote as a key of
/// HKEY_LOCAL_MACHINE or HKEY_USERS; its changes go back to the file. Needs
/// SeRestorePrivilege enabled.
#[export]
fn RegLoadKeyA(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpSubKey: Option<AnsiStr>,
    lpFile: Option<AnsiStr>,
) -> u32 {
    load_key(call, hKey, lpSubKey.as_deref(), lpFile.as_deref())
}

/// RegLoadKeyW.
#[export]
fn RegLoadKeyW(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    lpSubKey: Option<WideStr>,
    lpFile: Option<WideStr>,
) -> u32 {
    load_key(call, hKey, lpSubKey.as_deref(), lpFile.as_deref())
}

fn unload_key(call: &mut ApiCall<'_>, hkey: Handle, sub: Option<&str>) -> u32 {
    let parent = match key(call, hkey, AccessMask(0)) {
        Ok(k) => k,
        Err(e) => return e,
    };
    if !token::privilege_enabled(call, token::SE_RESTORE) {
        return Win32Error::PRIVILEGE_NOT_HELD.0;
    }
    let Some(sub) = sub else {
        return ERROR_INVALID_PARAMETER;
    };
    match reg::with(call, |r: &mut Registry, p| {
        let k = r.open_key(parent, sub, p)?;
        r.unload_hive(k)
    }) {
        Ok(()) => ERROR_SUCCESS,
        Err(e) => reg_error(&e),
    }
}

/// RegUnLoadKeyA(hKey, lpSubKey): writes and unmounts a hive RegLoadKey mounted.
#[export]
fn RegUnLoadKeyA(call: &mut ApiCall<'_>, hKey: Handle, lpSubKey: Option<AnsiStr>) -> u32 {
    unload_key(call, hKey, lpSubKey.as_deref())
}

/// RegUnLoadKeyW.
#[export]
fn RegUnLoadKeyW(call: &mut ApiCall<'_>, hKey: Handle, lpSubKey: Option<WideStr>) -> u32 {
    unload_key(call, hKey, lpSubKey.as_deref())
}

// ----- security -----

/// RegGetKeySecurity(hKey, SecurityInformation, pSecurityDescriptor,
/// lpcbSecurityDescriptor): the descriptor kept with the key (or the one NT gives a key),
/// self-relative; a short buffer is ERROR_INSUFFICIENT_BUFFER with the size needed.
#[export]
fn RegGetKeySecurity(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    SecurityInformation: u32,
    pSecurityDescriptor: Ptr,
    lpcbSecurityDescriptor: Ptr,
) -> u32 {
    let key = match key(call, hKey, AccessMask::READ_CONTROL) {
        Ok(k) => k,
        Err(e) => return e,
    };
    let stored = match reg::with(call, |r, _| r.security(key).map(|s| s.map(<[u8]>::to_vec))) {
        Ok(s) => s.unwrap_or_else(security::default_key_descriptor),
        Err(e) => return reg_error(&e),
    };
    let bytes = security::Descriptor::from_self_relative(&stored)
        .map(|d| d.only(SecurityInformation).to_self_relative())
        .unwrap_or(stored);
    let r = (|| {
        let capacity = read_u32(call, lpcbSecurityDescriptor.0)?;
        write_u32(call, lpcbSecurityDescriptor.0, bytes.len() as u32)?;
        if capacity < bytes.len() as u32 {
            return Ok(Win32Error::INSUFFICIENT_BUFFER.0);
        }
        call.write_bytes(pSecurityDescriptor.0, &bytes)
            .map_err(|_| ERROR_NOACCESS)?;
        Ok(ERROR_SUCCESS)
    })();
    done(r)
}

/// RegSetKeySecurity(hKey, SecurityInformation, pSecurityDescriptor): keeps the parts the
/// information flags name with the key (not enforced beyond handle access masks).
#[export]
fn RegSetKeySecurity(
    call: &mut ApiCall<'_>,
    hKey: Handle,
    SecurityInformation: u32,
    pSecurityDescriptor: Ptr,
) -> u32 {
    let needed = security::access_to_set(SecurityInformation);
    let key = match key(call, hKey, needed) {
        Ok(k) => k,
        Err(e) => return e,
    };
    let new = match security::read_descriptor(call, pSecurityDescriptor.0) {
        Ok(d) => d,
        Err(_) => return ERROR_INVALID_PARAMETER,
    };
    match reg::with(call, |r, _| {
        let current = r
            .security(key)?
            .map(<[u8]>::to_vec)
            .unwrap_or_else(security::default_key_descriptor);
        let merged = security::Descriptor::from_self_relative(&current)
            .unwrap_or_default()
            .merge(&new, SecurityInformation);
        r.set_security(key, merged.to_self_relative())
    }) {
        Ok(()) => ERROR_SUCCESS,
        Err(e) => reg_error(&e),
    }
}
