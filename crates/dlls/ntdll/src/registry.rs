//! The registry in a machine: the configuration manager's store (crate `nt-registry`), key
//! objects in each process's handle table, and NT's native key services over them
//! (NtOpenKey, NtCreateKey, NtQueryValueKey, NtSetValueKey, NtEnumerateKey, ...). ADVAPI32's
//! registry functions and KERNEL32's start-up use the same store through this module's Rust
//! API.
//!
//! The store is opened on first use from the hive files of the system drive
//! ([`set_system_drive`]), and written between quanta at most a second after a change
//! (a housekeeping hook), on NtFlushKey, and when the machine is dropped.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use nt_kernel::{Architecture, Machine, Pause};
use nt_object::{AccessMask, Handle, HandleAttributes, Object, ObjectType};
use nt_registry::{
    CreateOptions, Disposition, Identity, KeyId, Processor, Registry, RegistryError, SystemDrive,
    Value,
};
use nt_status::NtStatus;
use win32::{ApiCall, ApiReturn, HostIo, Ptr, Win32State, export};

/// The payload of a Key object: which key of which opening of the registry it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyBody {
    /// The registry's epoch when the handle was made (a new drive opens a new registry).
    epoch: u64,
    /// The key.
    pub key: KeyId,
}

/// The registry's state in a machine (one value in the layer's [`Win32State`]).
pub struct RegistryState {
    registry: Option<Registry>,
    drive: Option<SystemDrive>,
    identity: Identity,
    epoch: u64,
    io: Option<HostIo>,
    events: BTreeMap<u64, Arc<Object>>,
    next_token: u64,
}

impl Default for RegistryState {
    fn default() -> Self {
        RegistryState {
            registry: None,
            drive: None,
            identity: Identity::new("user"),
            epoch: 1,
            io: None,
            events: BTreeMap::new(),
            next_token: 1,
        }
    }
}

impl Drop for RegistryState {
    /// The machine ends: every unsaved change is written.
    fn drop(&mut self) {
        self.close();
    }
}

impl RegistryState {
    /// Writes and closes the open registry (a later use opens it again).
    fn close(&mut self) {
        if let Some(mut r) = self.registry.take() {
            r.flush_all();
            report(self.io.as_ref(), r.take_messages());
            self.epoch += 1;
        }
    }

    /// The registry, opened on first use.
    fn open(&mut self, io: &HostIo) -> &mut Registry {
        if self.io.is_none() {
            self.io = Some(io.clone());
        }
        let registry = self
            .registry
            .get_or_insert_with(|| Registry::open(self.identity.clone(), self.drive.clone()));
        report(Some(io), registry.take_messages());
        registry
    }

    /// Signals the events of the watches that fired.
    fn fire(&mut self) {
        let Some(r) = self.registry.as_mut() else {
            return;
        };
        for token in r.take_fired() {
            if let Some(event) = self.events.remove(&token) {
                let _ = event.set_event();
            }
        }
    }
}

/// Writes the registry's messages on stderr, one line each.
fn report(io: Option<&HostIo>, messages: Vec<String>) {
    if messages.is_empty() {
        return;
    }
    match io {
        Some(io) => {
            let mut err = io.stderr.lock();
            for m in messages {
                let _ = writeln!(err, "ntemu: {m}");
            }
        }
        None => {
            for m in messages {
                eprintln!("ntemu: {m}");
            }
        }
    }
}

/// Sets who is logged on (the user's name and SID, the computer name): what HKEY_CURRENT_USER
/// and the default contents are made for. Takes effect when the registry is next opened.
pub fn set_identity(state: &mut Win32State, identity: Identity) {
    let s = state.get::<RegistryState>();
    if s.identity != identity {
        s.close();
        s.identity = identity;
    }
}

/// Keeps the registry's hives on `drive` (the system drive C:), or in memory only with None.
/// An open registry is written and closed first; handles to its keys then see them deleted.
pub fn set_system_drive(state: &mut Win32State, drive: Option<SystemDrive>) {
    let s = state.get::<RegistryState>();
    s.close();
    s.drive = drive;
}

/// Who is logged on.
pub fn identity(state: &mut Win32State) -> Identity {
    state.get::<RegistryState>().identity.clone()
}

/// The processor whose HARDWARE a process sees.
pub fn processor_of(architecture: Architecture) -> Processor {
    match architecture {
        Architecture::X86 => Processor::X86,
        Architecture::Alpha => Processor::Alpha,
    }
}

/// The calling process's processor.
pub fn processor(call: &ApiCall<'_>) -> Processor {
    processor_of(
        call.process()
            .map_or(Architecture::X86, |p| p.architecture()),
    )
}

fn housekeeping(state: &mut Win32State, io: &HostIo, _machine: &mut Machine, pause: Pause) {
    let s = state.get::<RegistryState>();
    let Some(r) = s.registry.as_mut() else {
        return;
    };
    let idle = match pause {
        Pause::Running => None,
        Pause::Sleeping(d) => Some(d),
        Pause::Stopping => Some(Duration::MAX),
    };
    r.housekeeping(Instant::now(), idle);
    let messages = r.take_messages();
    s.fire();
    report(Some(io), messages);
}

/// Runs `f` on the machine's registry (opened on first use) for a process of `processor`;
/// then signals the events of watches the change fired.
pub fn with_registry<T>(
    state: &mut Win32State,
    io: &HostIo,
    f: impl FnOnce(&mut Registry) -> T,
) -> T {
    state.add_housekeeping_hook(housekeeping);
    let s = state.get::<RegistryState>();
    let result = f(s.open(io));
    s.fire();
    result
}

/// [`with_registry`] for the calling process.
pub fn with<T>(call: &mut ApiCall<'_>, f: impl FnOnce(&mut Registry, Processor) -> T) -> T {
    let processor = processor(call);
    with_registry(call.state, call.io, |r| f(r, processor))
}

/// The NTSTATUS of a registry failure.
pub fn status(e: &RegistryError) -> NtStatus {
    e.status()
}

/// Gives the caller a handle to `key` granting `access` (generic rights mapped; MAXIMUM_ALLOWED
/// is KEY_ALL_ACCESS).
pub fn insert_key_handle(
    call: &mut ApiCall<'_>,
    key: KeyId,
    access: AccessMask,
) -> Result<Handle, NtStatus> {
    let epoch = call.state.get::<RegistryState>().epoch;
    let objects = call.machine.objects().clone();
    let object = objects
        .create_executive_object(ObjectType::Key, Box::new(KeyBody { epoch, key }))
        .map_err(|e| e.status())?;
    let granted = ObjectType::Key.map_access(access);
    let process = call.process_mut().ok_or(NtStatus::INVALID_HANDLE)?;
    process
        .handle_table_mut()
        .insert(&object, granted, HandleAttributes::default())
        .map_err(|e| e.status())
}

/// The key a handle of the caller names, checked for `access`: STATUS_INVALID_HANDLE for
/// what is not a key handle, STATUS_ACCESS_DENIED when the handle lacks a right,
/// STATUS_KEY_DELETED for a key of a registry since closed.
pub fn key_of_handle(
    call: &mut ApiCall<'_>,
    handle: Handle,
    access: AccessMask,
) -> Result<KeyId, NtStatus> {
    let object = call
        .reference(handle, access, Some(ObjectType::Key))
        .map_err(|e| match e {
            nt_object::ObjectError::ObjectTypeMismatch => NtStatus::INVALID_HANDLE,
            e => e.status(),
        })?;
    let body = *object
        .payload::<KeyBody>()
        .ok_or(NtStatus::INVALID_HANDLE)?;
    if body.epoch != call.state.get::<RegistryState>().epoch {
        return Err(NtStatus::KEY_DELETED);
    }
    Ok(body.key)
}

/// Watches `key` for RegNotifyChangeKeyValue: `event` is signalled at the next change of a
/// kind in `filter` (REG_NOTIFY_CHANGE_*), to the key or, with `subtree`, below it.
pub fn watch(
    call: &mut ApiCall<'_>,
    key: KeyId,
    subtree: bool,
    filter: u32,
    event: Arc<Object>,
) -> Result<(), NtStatus> {
    let s = call.state.get::<RegistryState>();
    let token = s.next_token;
    s.next_token += 1;
    with(call, |r, _| r.watch(key, subtree, filter, token)).map_err(|e| e.status())?;
    call.state
        .get::<RegistryState>()
        .events
        .insert(token, event);
    Ok(())
}

/// The variables NT puts in a user's environment at logon, over `base` (a name already
/// there is replaced): the system's (HKLM\SYSTEM\CurrentControlSet\Control\Session
/// Manager\Environment), then the user's (HKCU\Environment), REG_EXPAND_SZ values expanded
/// against what is set so far; the user's Path (and LibPath, Os2LibPath) goes after the
/// system's, separated by `;`, as NT 4.0 joins them.
pub fn logon_environment(
    state: &mut Win32State,
    io: &HostIo,
    base: Vec<(String, String)>,
) -> Vec<(String, String)> {
    let sources = with_registry(state, io, |r| {
        let mut out = Vec::new();
        let system = r
            .root_key(nt_registry::RootKey::LocalMachine)
            .and_then(|lm| {
                r.open_key(
                    lm,
                    "SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment",
                    Processor::X86,
                )
            });
        let user = r
            .root_key(nt_registry::RootKey::CurrentUser)
            .and_then(|cu| r.open_key(cu, "Environment", Processor::X86));
        for (key, from_user) in [(system, false), (user, true)] {
            let Ok(key) = key else { continue };
            let values: Vec<Value> = (0..)
                .map_while(|i| r.enum_value(key, i).ok().cloned())
                .collect();
            out.push((values, from_user));
        }
        out
    });
    let mut env = base;
    let mut set_from_system: Vec<String> = Vec::new();
    for (values, from_user) in sources {
        for v in values {
            let Some(text) = v.text() else { continue };
            if v.name.is_empty() {
                continue;
            }
            let mut value = if v.kind == nt_registry::value::REG_EXPAND_SZ {
                expand(&text, &env)
            } else {
                text
            };
            let joined = ["Path", "LibPath", "Os2LibPath"]
                .iter()
                .any(|n| n.eq_ignore_ascii_case(&v.name));
            if from_user
                && joined
                && set_from_system
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(&v.name))
                && let Some((_, system)) = env.iter().find(|(n, _)| n.eq_ignore_ascii_case(&v.name))
            {
                value = format!("{system};{value}");
            }
            if !from_user {
                set_from_system.push(v.name.clone());
            }
            match env
                .iter_mut()
                .find(|(n, _)| n.eq_ignore_ascii_case(&v.name))
            {
                Some(slot) => slot.1 = value,
                None => env.push((v.name.clone(), value)),
            }
        }
    }
    env
}

/// Expands `%NAME%` references from `env` (names without case); an unknown one stays.
pub fn expand(text: &str, env: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('%') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('%') {
            Some(end) => {
                let name = &after[..end];
                match env.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
                    Some((_, v)) if !name.is_empty() => {
                        out.push_str(v);
                    }
                    _ => {
                        out.push('%');
                        out.push_str(name);
                        out.push('%');
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

// ----- the native services -----

/// REG_OPTION_VOLATILE.
pub const REG_OPTION_VOLATILE: u32 = 1;

/// Reads a UNICODE_STRING (Length, MaximumLength, Buffer) the caller points to.
pub fn read_unicode_string(call: &ApiCall<'_>, at: u32) -> Result<String, NtStatus> {
    let head = call
        .read_bytes(at, 8)
        .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    let length = u16::from_le_bytes([head[0], head[1]]) as usize;
    let buffer = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
    if !length.is_multiple_of(2) {
        return Err(NtStatus::INVALID_PARAMETER);
    }
    if length == 0 {
        return Ok(String::new());
    }
    let bytes = call
        .read_bytes(buffer, length)
        .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    Ok(String::from_utf16_lossy(&nt_registry::value::utf16_units(
        &bytes,
    )))
}

/// The key OBJECT_ATTRIBUTES name: (RootDirectory's key or None, ObjectName).
fn object_attributes(call: &mut ApiCall<'_>, at: u32) -> Result<(Option<KeyId>, String), NtStatus> {
    if at == 0 {
        return Err(NtStatus::INVALID_PARAMETER);
    }
    let oa = call
        .read_bytes(at, 24)
        .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    let word = |i: usize| u32::from_le_bytes([oa[i], oa[i + 1], oa[i + 2], oa[i + 3]]);
    let (root, name) = (word(4), word(8));
    let name = if name == 0 {
        String::new()
    } else {
        read_unicode_string(call, name)?
    };
    let root = if root == 0 {
        None
    } else {
        Some(key_of_handle(call, Handle(root), AccessMask(0))?)
    };
    Ok((root, name))
}

fn finish(call: &mut ApiCall<'_>, out: u32, r: Result<Handle, NtStatus>) -> ApiReturn {
    match r {
        Ok(h) => {
            if call.write_u32(out, h.0).is_err() {
                let _ = call.close_handle(h);
                return ApiReturn::Value(NtStatus::ACCESS_VIOLATION.0);
            }
            ApiReturn::Value(NtStatus::SUCCESS.0)
        }
        Err(s) => ApiReturn::Value(s.0),
    }
}

/// NtOpenKey(KeyHandle, DesiredAccess, ObjectAttributes): opens a key by an absolute path
/// (`\Registry\Machine\...`) or a path relative to the RootDirectory key.
#[export]
fn NtOpenKey(
    call: &mut ApiCall<'_>,
    KeyHandle: Ptr,
    DesiredAccess: AccessMask,
    ObjectAttributes: Ptr,
) -> ApiReturn {
    if call.probe_write(KeyHandle.0, 4).is_err() {
        return ApiReturn::Value(NtStatus::ACCESS_VIOLATION.0);
    }
    let r = (|| {
        let (root, name) = object_attributes(call, ObjectAttributes.0)?;
        let key = with(call, |r, p| match root {
            Some(root) => r.open_key(root, &name, p),
            None => r.open_absolute(&name, p),
        })
        .map_err(|e| e.status())?;
        insert_key_handle(call, key, DesiredAccess)
    })();
    finish(call, KeyHandle.0, r)
}

/// NtCreateKey(KeyHandle, DesiredAccess, ObjectAttributes, TitleIndex, Class,
/// CreateOptions, Disposition): creates (or opens) one key; its parent must exist.
#[export]
fn NtCreateKey(
    call: &mut ApiCall<'_>,
    KeyHandle: Ptr,
    DesiredAccess: AccessMask,
    ObjectAttributes: Ptr,
    TitleIndex: u32,
    Class: Ptr,
    CreateOptions: u32,
    Disposition: Ptr,
) -> ApiReturn {
    let _ = TitleIndex;
    if call.probe_write(KeyHandle.0, 4).is_err() || call.probe_optional(Disposition.0, 4).is_err() {
        return ApiReturn::Value(NtStatus::ACCESS_VIOLATION.0);
    }
    let r = (|| {
        let (root, name) = object_attributes(call, ObjectAttributes.0)?;
        let class = if Class.is_null() {
            None
        } else {
            Some(read_unicode_string(call, Class.0)?)
        };
        let options = nt_registry::CreateOptions {
            volatile: CreateOptions & REG_OPTION_VOLATILE != 0,
            class,
            intermediate: false,
            security: None,
        };
        let (key, disposition) = with(call, |r, p| {
            let (base, path) = match root {
                Some(root) => (root, name.as_str()),
                None => {
                    let rest = name
                        .strip_prefix('\\')
                        .ok_or(RegistryError::PathSyntaxBad)?;
                    let (first, rest) = rest.split_once('\\').unwrap_or((rest, ""));
                    if !nt_registry::value::same_name(first, "REGISTRY") {
                        return Err(RegistryError::PathNotFound);
                    }
                    (r.namespace_root(), rest)
                }
            };
            r.create_key(base, path, p, &options)
        })
        .map_err(|e| e.status())?;
        let h = insert_key_handle(call, key, DesiredAccess)?;
        let _ = call.write_out_u32(Disposition.0, disposition as u32);
        Ok(h)
    })();
    finish(call, KeyHandle.0, r)
}

/// KEY_VALUE_INFORMATION_CLASS values.
const KEY_VALUE_BASIC: u32 = 0;
const KEY_VALUE_FULL: u32 = 1;
const KEY_VALUE_PARTIAL: u32 = 2;

fn utf16le(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn word(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// A KEY_VALUE_*_INFORMATION structure of `value`, and the size of its fixed part.
fn value_information(value: &Value, class: u32) -> Option<(Vec<u8>, usize)> {
    let name = utf16le(&value.name);
    let mut out = Vec::new();
    match class {
        KEY_VALUE_BASIC => {
            word(&mut out, 0);
            word(&mut out, value.kind);
            word(&mut out, name.len() as u32);
            out.extend_from_slice(&name);
            Some((out, 12))
        }
        KEY_VALUE_FULL => {
            let data_offset = (20 + name.len()).next_multiple_of(4);
            word(&mut out, 0);
            word(&mut out, value.kind);
            word(&mut out, data_offset as u32);
            word(&mut out, value.data.len() as u32);
            word(&mut out, name.len() as u32);
            out.extend_from_slice(&name);
            out.resize(data_offset, 0);
            out.extend_from_slice(&value.data);
            Some((out, 20))
        }
        KEY_VALUE_PARTIAL => {
            word(&mut out, 0);
            word(&mut out, value.kind);
            word(&mut out, value.data.len() as u32);
            out.extend_from_slice(&value.data);
            Some((out, 12))
        }
        _ => None,
    }
}

/// Copies an information structure out as NT does: STATUS_BUFFER_TOO_SMALL when not even
/// its fixed part fits, STATUS_BUFFER_OVERFLOW with as much as fits when the rest does
/// not; the full size in ResultLength either way.
fn copy_information(
    call: &mut ApiCall<'_>,
    info: &[u8],
    fixed: usize,
    out: Ptr,
    length: u32,
    result_length: Ptr,
) -> ApiReturn {
    if call
        .write_out_u32(result_length.0, info.len() as u32)
        .is_err()
    {
        return ApiReturn::Value(NtStatus::ACCESS_VIOLATION.0);
    }
    let length = length as usize;
    if length < fixed {
        return ApiReturn::Value(NtStatus::BUFFER_TOO_SMALL.0);
    }
    let n = info.len().min(length);
    if call.write_bytes(out.0, &info[..n]).is_err() {
        return ApiReturn::Value(NtStatus::ACCESS_VIOLATION.0);
    }
    if n < info.len() {
        return ApiReturn::Value(NtStatus::BUFFER_OVERFLOW.0);
    }
    ApiReturn::Value(NtStatus::SUCCESS.0)
}

/// NtQueryValueKey(KeyHandle, ValueName, KeyValueInformationClass, KeyValueInformation,
/// Length, ResultLength).
#[export]
fn NtQueryValueKey(
    call: &mut ApiCall<'_>,
    KeyHandle: Handle,
    ValueName: Ptr,
    KeyValueInformationClass: u32,
    KeyValueInformation: Ptr,
    Length: u32,
    ResultLength: Ptr,
) -> ApiReturn {
    let r = (|| {
        let key = key_of_handle(call, KeyHandle, AccessMask::KEY_QUERY_VALUE)?;
        let name = if ValueName.is_null() {
            String::new()
        } else {
            read_unicode_string(call, ValueName.0)?
        };
        let value =
            with(call, |r, _| r.query_value(key, &name).cloned()).map_err(|e| e.status())?;
        value_information(&value, KeyValueInformationClass).ok_or(NtStatus::INVALID_PARAMETER)
    })();
    match r {
        Ok((info, fixed)) => copy_information(
            call,
            &info,
            fixed,
            KeyValueInformation,
            Length,
            ResultLength,
        ),
        Err(s) => ApiReturn::Value(s.0),
    }
}

/// NtEnumerateValueKey(KeyHandle, Index, KeyValueInformationClass, KeyValueInformation,
/// Length, ResultLength).
#[export]
fn NtEnumerateValueKey(
    call: &mut ApiCall<'_>,
    KeyHandle: Handle,
    Index: u32,
    KeyValueInformationClass: u32,
    KeyValueInformation: Ptr,
    Length: u32,
    ResultLength: Ptr,
) -> ApiReturn {
    let r = (|| {
        let key = key_of_handle(call, KeyHandle, AccessMask::KEY_QUERY_VALUE)?;
        let value = with(call, |r, _| r.enum_value(key, Index).cloned()).map_err(|e| e.status())?;
        value_information(&value, KeyValueInformationClass).ok_or(NtStatus::INVALID_PARAMETER)
    })();
    match r {
        Ok((info, fixed)) => copy_information(
            call,
            &info,
            fixed,
            KeyValueInformation,
            Length,
            ResultLength,
        ),
        Err(s) => ApiReturn::Value(s.0),
    }
}

/// NtSetValueKey(KeyHandle, ValueName, TitleIndex, Type, Data, DataSize).
#[export]
fn NtSetValueKey(
    call: &mut ApiCall<'_>,
    KeyHandle: Handle,
    ValueName: Ptr,
    TitleIndex: u32,
    Type: u32,
    Data: Ptr,
    DataSize: u32,
) -> ApiReturn {
    let _ = TitleIndex;
    let r = (|| {
        let key = key_of_handle(call, KeyHandle, AccessMask::KEY_SET_VALUE)?;
        let name = if ValueName.is_null() {
            String::new()
        } else {
            read_unicode_string(call, ValueName.0)?
        };
        if DataSize as usize > nt_registry::value::MAX_VALUE_DATA {
            return Err(NtStatus::INVALID_PARAMETER);
        }
        let data = call
            .read_bytes(Data.0, DataSize as usize)
            .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
        let value = Value {
            name,
            kind: Type,
            data,
        };
        with(call, |r, _| r.set_value(key, value)).map_err(|e| e.status())
    })();
    ApiReturn::Value(r.err().unwrap_or(NtStatus::SUCCESS).0)
}

/// NtDeleteValueKey(KeyHandle, ValueName).
#[export]
fn NtDeleteValueKey(call: &mut ApiCall<'_>, KeyHandle: Handle, ValueName: Ptr) -> ApiReturn {
    let r = (|| {
        let key = key_of_handle(call, KeyHandle, AccessMask::KEY_SET_VALUE)?;
        let name = if ValueName.is_null() {
            String::new()
        } else {
            read_unicode_string(call, ValueName.0)?
        };
        with(call, |r, _| r.delete_value(key, &name)).map_err(|e| e.status())
    })();
    ApiReturn::Value(r.err().unwrap_or(NtStatus::SUCCESS).0)
}

/// NtDeleteKey(KeyHandle): the key must have no subkeys; the handle needs DELETE access.
#[export]
fn NtDeleteKey(call: &mut ApiCall<'_>, KeyHandle: Handle) -> ApiReturn {
    let r = key_of_handle(call, KeyHandle, AccessMask::DELETE)
        .and_then(|key| with(call, |r, _| r.delete_key(key)).map_err(|e| e.status()));
    ApiReturn::Value(r.err().unwrap_or(NtStatus::SUCCESS).0)
}

/// NtFlushKey(KeyHandle): writes the key's hive to its file now.
#[export]
fn NtFlushKey(call: &mut ApiCall<'_>, KeyHandle: Handle) -> ApiReturn {
    let r = key_of_handle(call, KeyHandle, AccessMask(0))
        .and_then(|key| with(call, |r, _| r.flush(key)).map_err(|e| e.status()));
    ApiReturn::Value(r.err().unwrap_or(NtStatus::SUCCESS).0)
}

/// KEY_INFORMATION_CLASS values.
const KEY_BASIC: u32 = 0;
const KEY_NODE: u32 = 1;
const KEY_FULL: u32 = 2;

/// A KEY_*_INFORMATION structure and the size of its fixed part.
fn key_information(info: &nt_registry::KeyInfo, class: u32) -> Option<(Vec<u8>, usize)> {
    let name = utf16le(&info.name);
    let class_text = utf16le(info.class.as_deref().unwrap_or(""));
    let mut out = Vec::new();
    out.extend_from_slice(&info.last_write.to_le_bytes());
    word(&mut out, 0);
    match class {
        KEY_BASIC => {
            word(&mut out, name.len() as u32);
            out.extend_from_slice(&name);
            Some((out, 16))
        }
        KEY_NODE => {
            let class_offset = 24 + name.len();
            word(
                &mut out,
                if info.class.is_some() {
                    class_offset as u32
                } else {
                    u32::MAX
                },
            );
            word(&mut out, class_text.len() as u32);
            word(&mut out, name.len() as u32);
            out.extend_from_slice(&name);
            out.extend_from_slice(&class_text);
            Some((out, 24))
        }
        KEY_FULL => {
            word(&mut out, if info.class.is_some() { 44 } else { u32::MAX });
            word(&mut out, class_text.len() as u32);
            word(&mut out, info.subkeys);
            word(&mut out, 2 * info.max_subkey_len);
            word(&mut out, 2 * info.max_class_len);
            word(&mut out, info.values);
            word(&mut out, 2 * info.max_value_name_len);
            word(&mut out, info.max_value_len);
            out.extend_from_slice(&class_text);
            Some((out, 44))
        }
        _ => None,
    }
}

/// NtQueryKey(KeyHandle, KeyInformationClass, KeyInformation, Length, ResultLength).
#[export]
fn NtQueryKey(
    call: &mut ApiCall<'_>,
    KeyHandle: Handle,
    KeyInformationClass: u32,
    KeyInformation: Ptr,
    Length: u32,
    ResultLength: Ptr,
) -> ApiReturn {
    let r = (|| {
        let key = key_of_handle(call, KeyHandle, AccessMask::KEY_QUERY_VALUE)?;
        let info = with(call, |r, _| r.key_info(key)).map_err(|e| e.status())?;
        key_information(&info, KeyInformationClass).ok_or(NtStatus::INVALID_PARAMETER)
    })();
    match r {
        Ok((info, fixed)) => {
            copy_information(call, &info, fixed, KeyInformation, Length, ResultLength)
        }
        Err(s) => ApiReturn::Value(s.0),
    }
}

/// NtEnumerateKey(KeyHandle, Index, KeyInformationClass, KeyInformation, Length,
/// ResultLength): the Index-th subkey, in NT's order.
#[export]
fn NtEnumerateKey(
    call: &mut ApiCall<'_>,
    KeyHandle: Handle,
    Index: u32,
    KeyInformationClass: u32,
    KeyInformation: Ptr,
    Length: u32,
    ResultLength: Ptr,
) -> ApiReturn {
    let r = (|| {
        let key = key_of_handle(call, KeyHandle, AccessMask::KEY_ENUMERATE_SUB_KEYS)?;
        let info = with(call, |r, p| {
            let sub = r.enum_key(key, Index)?;
            let child = r.open_key(key, &sub.name, p)?;
            r.key_info(child)
        })
        .map_err(|e| e.status())?;
        key_information(&info, KeyInformationClass).ok_or(NtStatus::INVALID_PARAMETER)
    })();
    match r {
        Ok((info, fixed)) => {
            copy_information(call, &info, fixed, KeyInformation, Length, ResultLength)
        }
        Err(s) => ApiReturn::Value(s.0),
    }
}

/// NtClose(Handle): closes a handle of any kind.
#[export]
fn NtClose(call: &mut ApiCall<'_>, ObjectHandle: Handle) -> ApiReturn {
    if ObjectHandle.is_pseudo() {
        return ApiReturn::Value(NtStatus::SUCCESS.0);
    }
    match call.close_handle(ObjectHandle) {
        Ok(()) => ApiReturn::Value(NtStatus::SUCCESS.0),
        Err(e) => ApiReturn::Value(e.status().0),
    }
}

/// RtlInitUnicodeString(DestinationString, SourceString): points the UNICODE_STRING at the
/// NUL-terminated string (Length without the NUL, MaximumLength with it).
#[export]
fn RtlInitUnicodeString(call: &mut ApiCall<'_>, DestinationString: Ptr, SourceString: Ptr) {
    let (length, maximum) = if SourceString.is_null() {
        (0, 0)
    } else {
        let units = call
            .read_wide_units(SourceString.0, 0x7FFF)
            .map(|u| u.len())
            .unwrap_or(0);
        let bytes = (2 * units).min(0xFFFC) as u32;
        (bytes, bytes + 2)
    };
    let mut out = Vec::with_capacity(8);
    out.extend_from_slice(&(length as u16).to_le_bytes());
    out.extend_from_slice(&(maximum as u16).to_le_bytes());
    out.extend_from_slice(&SourceString.0.to_le_bytes());
    let _ = call.write_bytes(DestinationString.0, &out);
}

/// RtlNtStatusToDosError(Status): the Win32 error of an NTSTATUS.
#[export]
fn RtlNtStatusToDosError(_call: &mut ApiCall<'_>, Status: u32) -> u32 {
    NtStatus(Status).to_win32_error().0
}

/// CreateOptions as the Rust API takes them, for ADVAPI32.
pub fn create_options(
    volatile: bool,
    class: Option<String>,
    security: Option<Vec<u8>>,
) -> CreateOptions {
    CreateOptions {
        volatile,
        class,
        intermediate: true,
        security,
    }
}

/// REG_CREATED_NEW_KEY or REG_OPENED_EXISTING_KEY.
pub fn disposition_value(d: Disposition) -> u32 {
    d as u32
}
