//! Access tokens: each process's primary token (the logged-on user, a member of
//! Administrators, with an administrator's privileges, all disabled but
//! SeChangeNotifyPrivilege, as NT 4.0 gives them), threads' impersonation tokens
//! (ImpersonateSelf, RevertToSelf), Token objects in the handle table, what
//! GetTokenInformation reports, and privileges by name and LUID.

use std::sync::{Arc, Weak};

use nt_object::{AccessMask, Handle, HandleAttributes, Object, ObjectType};
use nt_status::Win32Error;
use parking_lot::Mutex;
use win32::{AnsiStr, ApiCall, ApiReturn, Ptr, WideStr, export};

use crate::security::{self, RPC_S_SERVER_UNAVAILABLE, Sid, is_local_system, sid};
use crate::text::{Chars, Copied, copy_string};

/// SE_PRIVILEGE_ENABLED_BY_DEFAULT.
const ENABLED_BY_DEFAULT: u32 = 1;
/// SE_PRIVILEGE_ENABLED.
const ENABLED: u32 = 2;

/// SeBackupPrivilege's LUID.
pub(crate) const SE_BACKUP: u32 = 17;
/// SeRestorePrivilege's LUID.
pub(crate) const SE_RESTORE: u32 = 18;

/// NT 4.0's privileges: LUID and name.
const PRIVILEGES: [(u32, &str); 23] = [
    (2, "SeCreateTokenPrivilege"),
    (3, "SeAssignPrimaryTokenPrivilege"),
    (4, "SeLockMemoryPrivilege"),
    (5, "SeIncreaseQuotaPrivilege"),
    (6, "SeMachineAccountPrivilege"),
    (7, "SeTcbPrivilege"),
    (8, "SeSecurityPrivilege"),
    (9, "SeTakeOwnershipPrivilege"),
    (10, "SeLoadDriverPrivilege"),
    (11, "SeSystemProfilePrivilege"),
    (12, "SeSystemtimePrivilege"),
    (13, "SeProfileSingleProcessPrivilege"),
    (14, "SeIncreaseBasePriorityPrivilege"),
    (15, "SeCreatePagefilePrivilege"),
    (16, "SeCreatePermanentPrivilege"),
    (17, "SeBackupPrivilege"),
    (18, "SeRestorePrivilege"),
    (19, "SeShutdownPrivilege"),
    (20, "SeDebugPrivilege"),
    (21, "SeAuditPrivilege"),
    (22, "SeSystemEnvironmentPrivilege"),
    (23, "SeChangeNotifyPrivilege"),
    (24, "SeRemoteShutdownPrivilege"),
];

/// An administrator's privileges, in the order NT 4.0 lists them.
const ADMINISTRATOR_PRIVILEGES: [u32; 16] =
    [23, 8, 17, 18, 12, 19, 24, 9, 20, 22, 11, 13, 14, 10, 15, 5];

/// A Token object's payload.
pub struct Token {
    /// None for a primary token; the impersonation level (0-3) of an impersonation token.
    impersonation: Option<u32>,
    /// The token's LUID.
    id: u32,
    /// (LUID, attributes) of each privilege the token has.
    privileges: Mutex<Vec<(u32, u32)>>,
}

/// The tokens of the machine's processes and impersonating threads.
#[derive(Default)]
struct Tokens {
    processes: Vec<(Weak<Object>, Arc<Object>)>,
    threads: Vec<(Weak<Object>, Arc<Object>)>,
    next_id: u32,
}

impl Tokens {
    fn find(list: &[(Weak<Object>, Arc<Object>)], owner: &Arc<Object>) -> Option<Arc<Object>> {
        list.iter()
            .find(|(w, _)| w.upgrade().is_some_and(|o| Arc::ptr_eq(&o, owner)))
            .map(|(_, t)| Arc::clone(t))
    }

    fn prune(list: &mut Vec<(Weak<Object>, Arc<Object>)>) {
        list.retain(|(w, _)| w.strong_count() > 0);
    }
}

fn new_token(
    call: &mut ApiCall<'_>,
    impersonation: Option<u32>,
    privileges: Vec<(u32, u32)>,
) -> Option<Arc<Object>> {
    let tokens = call.state.get::<Tokens>();
    tokens.next_id += 1;
    let id = 0x1000 + tokens.next_id;
    let token = Token {
        impersonation,
        id,
        privileges: Mutex::new(privileges),
    };
    call.machine
        .objects()
        .create_executive_object(ObjectType::Token, Box::new(token))
        .ok()
}

/// The primary token of a process, made on first use.
fn process_token(call: &mut ApiCall<'_>, process: &Arc<Object>) -> Option<Arc<Object>> {
    if let Some(t) = Tokens::find(&call.state.get::<Tokens>().processes, process) {
        return Some(t);
    }
    let privileges = ADMINISTRATOR_PRIVILEGES
        .iter()
        .map(|&l| {
            (
                l,
                if l == 23 {
                    ENABLED | ENABLED_BY_DEFAULT
                } else {
                    0
                },
            )
        })
        .collect();
    let token = new_token(call, None, privileges)?;
    let tokens = call.state.get::<Tokens>();
    Tokens::prune(&mut tokens.processes);
    tokens
        .processes
        .push((Arc::downgrade(process), Arc::clone(&token)));
    Some(token)
}

fn thread_token(call: &mut ApiCall<'_>, thread: &Arc<Object>) -> Option<Arc<Object>> {
    Tokens::find(&call.state.get::<Tokens>().threads, thread)
}

fn current(call: &mut ApiCall<'_>, handle: Handle, kind: ObjectType) -> Option<Arc<Object>> {
    call.reference(handle, AccessMask(0), Some(kind)).ok()
}

/// The caller's effective token: its thread's impersonation token, else its process's.
fn effective_token(call: &mut ApiCall<'_>) -> Option<Arc<Object>> {
    if let Some(thread) = current(call, Handle::CURRENT_THREAD, ObjectType::Thread)
        && let Some(t) = thread_token(call, &thread)
    {
        return Some(t);
    }
    let process = current(call, Handle::CURRENT_PROCESS, ObjectType::Process)?;
    process_token(call, &process)
}

/// True when the caller's token has privilege `luid` enabled.
pub(crate) fn privilege_enabled(call: &mut ApiCall<'_>, luid: u32) -> bool {
    effective_token(call).is_some_and(|t| {
        t.payload::<Token>().is_some_and(|tok| {
            tok.privileges
                .lock()
                .iter()
                .any(|&(l, a)| l == luid && a & ENABLED != 0)
        })
    })
}

fn fail(call: &mut ApiCall<'_>, e: Win32Error) -> ApiReturn {
    call.fail_win32(e, 0)
}

fn give_handle(
    call: &mut ApiCall<'_>,
    token: &Arc<Object>,
    access: AccessMask,
    out: Ptr,
) -> ApiReturn {
    let granted = ObjectType::Token.map_access(access);
    let Some(process) = call.process_mut() else {
        return fail(call, Win32Error::INVALID_HANDLE);
    };
    let handle =
        match process
            .handle_table_mut()
            .insert(token, granted, HandleAttributes::default())
        {
            Ok(h) => h,
            Err(e) => return fail(call, e.win32_error()),
        };
    if call.write_u32(out.0, handle.0).is_err() {
        let _ = call.close_handle(handle);
        return fail(call, Win32Error::NOACCESS);
    }
    ApiReturn::Value(1)
}

/// OpenProcessToken(ProcessHandle, DesiredAccess, TokenHandle): a handle to the process's
/// primary token (the process handle needs PROCESS_QUERY_INFORMATION).
#[export]
fn OpenProcessToken(
    call: &mut ApiCall<'_>,
    ProcessHandle: Handle,
    DesiredAccess: AccessMask,
    TokenHandle: Ptr,
) -> ApiReturn {
    let process = match call.reference(
        ProcessHandle,
        AccessMask::PROCESS_QUERY_INFORMATION,
        Some(ObjectType::Process),
    ) {
        Ok(p) => p,
        Err(e) => return fail(call, e.win32_error()),
    };
    match process_token(call, &process) {
        Some(token) => give_handle(call, &token, DesiredAccess, TokenHandle),
        None => fail(call, Win32Error::NOT_ENOUGH_MEMORY),
    }
}

/// OpenThreadToken(ThreadHandle, DesiredAccess, OpenAsSelf, TokenHandle): the thread's
/// impersonation token; ERROR_NO_TOKEN when it is not impersonating.
#[export]
fn OpenThreadToken(
    call: &mut ApiCall<'_>,
    ThreadHandle: Handle,
    DesiredAccess: AccessMask,
    OpenAsSelf: bool,
    TokenHandle: Ptr,
) -> ApiReturn {
    let _ = OpenAsSelf;
    let thread = match call.reference(
        ThreadHandle,
        AccessMask::THREAD_QUERY_INFORMATION,
        Some(ObjectType::Thread),
    ) {
        Ok(t) => t,
        Err(e) => return fail(call, e.win32_error()),
    };
    match thread_token(call, &thread) {
        Some(token) => give_handle(call, &token, DesiredAccess, TokenHandle),
        None => fail(call, Win32Error::NO_TOKEN),
    }
}

/// ImpersonateSelf(ImpersonationLevel): the calling thread impersonates its own process's
/// user with a copy of the process's token.
#[export]
fn ImpersonateSelf(call: &mut ApiCall<'_>, ImpersonationLevel: u32) -> ApiReturn {
    if ImpersonationLevel > 3 {
        return fail(call, Win32Error::BAD_IMPERSONATION_LEVEL);
    }
    impersonate_own_user(call, ImpersonationLevel)
}

/// BOOL ImpersonateNamedPipeClient(HANDLE hNamedPipe): the calling thread impersonates the
/// client of the named pipe's server end, at SecurityImpersonation (the level a client's
/// default security quality of service grants). Every process runs as the one user on
/// ntemu's NT, so the client's token is a copy of the server process's. Fails with
/// ERROR_CANNOT_IMPERSONATE while no client is connected.
#[export]
fn ImpersonateNamedPipeClient(call: &mut ApiCall<'_>, hNamedPipe: Handle) -> ApiReturn {
    if let Err(status) = kernel32::namedpipe::may_impersonate_client(call, hNamedPipe) {
        return fail(call, status.to_win32_error());
    }
    impersonate_own_user(call, 2)
}

/// Gives the calling thread an impersonation token of its process's user at `level`.
fn impersonate_own_user(call: &mut ApiCall<'_>, level: u32) -> ApiReturn {
    let (Some(process), Some(thread)) = (
        current(call, Handle::CURRENT_PROCESS, ObjectType::Process),
        current(call, Handle::CURRENT_THREAD, ObjectType::Thread),
    ) else {
        return fail(call, Win32Error::INVALID_HANDLE);
    };
    let privileges = process_token(call, &process)
        .and_then(|t| t.payload::<Token>().map(|p| p.privileges.lock().clone()))
        .unwrap_or_default();
    let Some(token) = new_token(call, Some(level), privileges) else {
        return fail(call, Win32Error::NOT_ENOUGH_MEMORY);
    };
    let tokens = call.state.get::<Tokens>();
    Tokens::prune(&mut tokens.threads);
    tokens
        .threads
        .retain(|(w, _)| !w.upgrade().is_some_and(|o| Arc::ptr_eq(&o, &thread)));
    tokens.threads.push((Arc::downgrade(&thread), token));
    ApiReturn::Value(1)
}

/// RevertToSelf(): the calling thread stops impersonating.
#[export]
fn RevertToSelf(call: &mut ApiCall<'_>) -> bool {
    if let Some(thread) = current(call, Handle::CURRENT_THREAD, ObjectType::Thread) {
        call.state
            .get::<Tokens>()
            .threads
            .retain(|(w, _)| !w.upgrade().is_some_and(|o| Arc::ptr_eq(&o, &thread)));
    }
    true
}

/// SetThreadToken(Thread, Token): the thread (`*Thread`, or the caller's when Thread is
/// NULL) impersonates with the impersonation token `Token` itself (not a copy: a change to
/// the token's privileges is seen by the thread), or stops impersonating when Token is NULL.
/// The thread handle needs THREAD_SET_THREAD_TOKEN and the token handle TOKEN_IMPERSONATE;
/// a primary token fails with ERROR_BAD_TOKEN_TYPE.
#[export]
fn SetThreadToken(call: &mut ApiCall<'_>, Thread: Ptr, Token: Handle) -> ApiReturn {
    const THREAD_SET_THREAD_TOKEN: AccessMask = AccessMask(0x0080);
    let thread_handle = if Thread.0 == 0 {
        Handle::CURRENT_THREAD
    } else {
        match call.read_u32(Thread.0) {
            Ok(h) => Handle(h),
            Err(_) => return fail(call, Win32Error::NOACCESS),
        }
    };
    let thread = match call.reference(
        thread_handle,
        THREAD_SET_THREAD_TOKEN,
        Some(ObjectType::Thread),
    ) {
        Ok(t) => t,
        Err(e) => return fail(call, e.win32_error()),
    };
    let token = if Token.0 == 0 {
        None
    } else {
        let token = match call.reference(
            Token,
            AccessMask::TOKEN_IMPERSONATE,
            Some(ObjectType::Token),
        ) {
            Ok(t) => t,
            Err(e) => return fail(call, e.win32_error()),
        };
        if token
            .payload::<self::Token>()
            .is_none_or(|t| t.impersonation.is_none())
        {
            return fail(call, Win32Error::BAD_TOKEN_TYPE);
        }
        Some(token)
    };
    let tokens = call.state.get::<Tokens>();
    Tokens::prune(&mut tokens.threads);
    tokens
        .threads
        .retain(|(w, _)| !w.upgrade().is_some_and(|o| Arc::ptr_eq(&o, &thread)));
    if let Some(token) = token {
        tokens.threads.push((Arc::downgrade(&thread), token));
    }
    ApiReturn::Value(1)
}

/// DuplicateToken(ExistingTokenHandle, ImpersonationLevel, DuplicateTokenHandle): an
/// impersonation token with the same user and privileges.
#[export]
fn DuplicateToken(
    call: &mut ApiCall<'_>,
    ExistingTokenHandle: Handle,
    ImpersonationLevel: u32,
    DuplicateTokenHandle: Ptr,
) -> ApiReturn {
    if ImpersonationLevel > 3 {
        return fail(call, Win32Error::BAD_IMPERSONATION_LEVEL);
    }
    let existing = match call.reference(
        ExistingTokenHandle,
        AccessMask::TOKEN_DUPLICATE,
        Some(ObjectType::Token),
    ) {
        Ok(t) => t,
        Err(e) => return fail(call, e.win32_error()),
    };
    let privileges = existing
        .payload::<Token>()
        .map(|p| p.privileges.lock().clone())
        .unwrap_or_default();
    let Some(token) = new_token(call, Some(ImpersonationLevel), privileges) else {
        return fail(call, Win32Error::NOT_ENOUGH_MEMORY);
    };
    give_handle(
        call,
        &token,
        AccessMask::TOKEN_IMPERSONATE | AccessMask::TOKEN_QUERY,
        DuplicateTokenHandle,
    )
}

/// BOOL DuplicateTokenEx(HANDLE hExistingToken, DWORD dwDesiredAccess,
/// LPSECURITY_ATTRIBUTES lpTokenAttributes, SECURITY_IMPERSONATION_LEVEL
/// ImpersonationLevel, TOKEN_TYPE TokenType, PHANDLE phNewToken): a primary (TokenType 1)
/// or impersonation (2) token with the same user and privileges; dwDesiredAccess 0 grants
/// what the existing handle grants.
#[export]
fn DuplicateTokenEx(
    call: &mut ApiCall<'_>,
    hExistingToken: Handle,
    dwDesiredAccess: AccessMask,
    lpTokenAttributes: Ptr,
    ImpersonationLevel: u32,
    TokenType: u32,
    phNewToken: Ptr,
) -> ApiReturn {
    let _ = lpTokenAttributes;
    if ImpersonationLevel > 3 {
        return fail(call, Win32Error::BAD_IMPERSONATION_LEVEL);
    }
    let impersonation = match TokenType {
        1 => None,
        2 => Some(ImpersonationLevel),
        _ => return fail(call, Win32Error::INVALID_PARAMETER),
    };
    let existing = match call.reference(
        hExistingToken,
        AccessMask::TOKEN_DUPLICATE,
        Some(ObjectType::Token),
    ) {
        Ok(t) => t,
        Err(e) => return fail(call, e.win32_error()),
    };
    let access = if dwDesiredAccess.0 == 0 {
        call.granted_access(hExistingToken)
            .unwrap_or(AccessMask::TOKEN_QUERY)
    } else {
        dwDesiredAccess
    };
    let privileges = existing
        .payload::<Token>()
        .map(|p| p.privileges.lock().clone())
        .unwrap_or_default();
    let Some(token) = new_token(call, impersonation, privileges) else {
        return fail(call, Win32Error::NOT_ENOUGH_MEMORY);
    };
    give_handle(call, &token, access, phNewToken)
}

/// SE_GROUP_MANDATORY | SE_GROUP_ENABLED_BY_DEFAULT | SE_GROUP_ENABLED.
const GROUP_ENABLED: u32 = 7;
/// SE_GROUP_OWNER.
const GROUP_OWNER: u32 = 8;
/// SE_GROUP_LOGON_ID.
const GROUP_LOGON_ID: u32 = 0xC000_0000;

/// The user's groups as its token lists them.
fn groups(call: &mut ApiCall<'_>) -> Vec<(Sid, u32)> {
    vec![
        (security::domain_sid(call, Some(513)), GROUP_ENABLED),
        (sid(1, &[0]), GROUP_ENABLED),
        (sid(5, &[32, 544]), GROUP_ENABLED | GROUP_OWNER),
        (sid(5, &[32, 545]), GROUP_ENABLED),
        (sid(5, &[5, 0, 0x1_2345]), GROUP_ENABLED | GROUP_LOGON_ID),
        (sid(2, &[0]), GROUP_ENABLED),
        (sid(5, &[4]), GROUP_ENABLED),
        (sid(5, &[11]), GROUP_ENABLED),
    ]
}

/// A TOKEN_* information structure laid out at `base`: pointers inside it are absolute.
fn information(
    call: &mut ApiCall<'_>,
    token: &Token,
    class: u32,
    base: u32,
) -> Result<Vec<u8>, Win32Error> {
    let mut out = Vec::new();
    let word = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_le_bytes());
    match class {
        // TokenUser, TokenOwner, TokenPrimaryGroup: a pointer (and attributes) and a SID.
        1 | 4 | 5 => {
            let (s, fixed) = match class {
                1 => (security::user_sid(call), 8),
                4 => (sid(5, &[32, 544]), 4),
                _ => (security::domain_sid(call, Some(513)), 4),
            };
            word(&mut out, base + fixed);
            if fixed == 8 {
                word(&mut out, 0);
            }
            out.extend_from_slice(&s);
        }
        // TokenGroups.
        2 => {
            let groups = groups(call);
            word(&mut out, groups.len() as u32);
            let mut at = base + 4 + 8 * groups.len() as u32;
            for (s, attributes) in &groups {
                word(&mut out, at);
                word(&mut out, *attributes);
                at += s.len() as u32;
            }
            for (s, _) in &groups {
                out.extend_from_slice(s);
            }
        }
        // TokenPrivileges.
        3 => {
            let privileges = token.privileges.lock().clone();
            word(&mut out, privileges.len() as u32);
            for (luid, attributes) in privileges {
                word(&mut out, luid);
                word(&mut out, 0);
                word(&mut out, attributes);
            }
        }
        // TokenDefaultDacl.
        6 => {
            word(&mut out, base + 4);
            out.extend_from_slice(&security::default_dacl());
        }
        // TokenSource: "User32  " and its LUID.
        7 => {
            out.extend_from_slice(b"User32  ");
            word(&mut out, 0x1_2345);
            word(&mut out, 0);
        }
        // TokenType: TokenPrimary (1) or TokenImpersonation (2).
        8 => word(&mut out, if token.impersonation.is_some() { 2 } else { 1 }),
        // TokenImpersonationLevel: impersonation tokens only.
        9 => match token.impersonation {
            Some(level) => word(&mut out, level),
            None => return Err(Win32Error::INVALID_PARAMETER),
        },
        // TokenStatistics.
        10 => {
            let privileges = token.privileges.lock().len() as u32;
            let groups = groups(call).len() as u32;
            word(&mut out, token.id);
            word(&mut out, 0);
            word(&mut out, 0x1_2345);
            word(&mut out, 0);
            word(&mut out, u32::MAX);
            word(&mut out, 0x7FFF_FFFF);
            word(&mut out, if token.impersonation.is_some() { 2 } else { 1 });
            word(&mut out, token.impersonation.unwrap_or(0));
            word(&mut out, 500);
            word(&mut out, 500);
            word(&mut out, groups);
            word(&mut out, privileges);
            word(&mut out, token.id);
            word(&mut out, 0);
        }
        _ => return Err(Win32Error::INVALID_PARAMETER),
    }
    Ok(out)
}

/// GetTokenInformation(TokenHandle, TokenInformationClass, TokenInformation,
/// TokenInformationLength, ReturnLength): TokenUser, TokenGroups, TokenPrivileges,
/// TokenOwner, TokenPrimaryGroup, TokenDefaultDacl, TokenSource, TokenType,
/// TokenImpersonationLevel, TokenStatistics; a short buffer is ERROR_INSUFFICIENT_BUFFER
/// with the size needed in ReturnLength.
#[export]
fn GetTokenInformation(
    call: &mut ApiCall<'_>,
    TokenHandle: Handle,
    TokenInformationClass: u32,
    TokenInformation: Ptr,
    TokenInformationLength: u32,
    ReturnLength: Ptr,
) -> ApiReturn {
    let access = if TokenInformationClass == 7 {
        AccessMask::TOKEN_QUERY_SOURCE
    } else {
        AccessMask::TOKEN_QUERY
    };
    let object = match call.reference(TokenHandle, access, Some(ObjectType::Token)) {
        Ok(o) => o,
        Err(e) => return fail(call, e.win32_error()),
    };
    let Some(token) = object.payload::<Token>() else {
        return fail(call, Win32Error::INVALID_HANDLE);
    };
    let bytes = match information(call, token, TokenInformationClass, TokenInformation.0) {
        Ok(b) => b,
        Err(e) => return fail(call, e),
    };
    if call.write_u32(ReturnLength.0, bytes.len() as u32).is_err() {
        return fail(call, Win32Error::NOACCESS);
    }
    if TokenInformationLength < bytes.len() as u32 {
        return fail(call, Win32Error::INSUFFICIENT_BUFFER);
    }
    match call.write_bytes(TokenInformation.0, &bytes) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => fail(call, Win32Error::NOACCESS),
    }
}

/// AdjustTokenPrivileges(TokenHandle, DisableAllPrivileges, NewState, BufferLength,
/// PreviousState, ReturnLength): enables or disables the token's privileges; TRUE with the
/// last error ERROR_SUCCESS, or ERROR_NOT_ALL_ASSIGNED when some named privilege is not
/// the token's.
#[export]
fn AdjustTokenPrivileges(
    call: &mut ApiCall<'_>,
    TokenHandle: Handle,
    DisableAllPrivileges: bool,
    NewState: Ptr,
    BufferLength: u32,
    PreviousState: Ptr,
    ReturnLength: Ptr,
) -> ApiReturn {
    let mut access = AccessMask::TOKEN_ADJUST_PRIVILEGES;
    if !PreviousState.is_null() {
        access = access | AccessMask::TOKEN_QUERY;
    }
    let object = match call.reference(TokenHandle, access, Some(ObjectType::Token)) {
        Ok(o) => o,
        Err(e) => return fail(call, e.win32_error()),
    };
    let Some(token) = object.payload::<Token>() else {
        return fail(call, Win32Error::INVALID_HANDLE);
    };
    let requests: Vec<(u32, u32)> = if DisableAllPrivileges {
        Vec::new()
    } else {
        let Ok(count) = call.read_u32(NewState.0) else {
            return fail(call, Win32Error::NOACCESS);
        };
        let Ok(entries) = call.read_bytes(NewState.0 + 4, 12 * count.min(64) as usize) else {
            return fail(call, Win32Error::NOACCESS);
        };
        entries
            .chunks_exact(12)
            .map(|e| {
                let w = |i: usize| u32::from_le_bytes([e[i], e[i + 1], e[i + 2], e[i + 3]]);
                (if w(4) == 0 { w(0) } else { u32::MAX }, w(8))
            })
            .collect()
    };
    let mut privileges = token.privileges.lock().clone();
    let mut previous = Vec::new();
    let mut not_all = false;
    if DisableAllPrivileges {
        for p in &mut privileges {
            if p.1 & ENABLED != 0 {
                previous.push(*p);
                p.1 &= !ENABLED;
            }
        }
    } else {
        for (luid, attributes) in requests {
            match privileges.iter_mut().find(|p| p.0 == luid) {
                Some(p) => {
                    let enabled = attributes & ENABLED != 0;
                    if (p.1 & ENABLED != 0) != enabled {
                        previous.push(*p);
                        p.1 = if enabled {
                            p.1 | ENABLED
                        } else {
                            p.1 & !ENABLED
                        };
                    }
                }
                None => not_all = true,
            }
        }
    }
    if !PreviousState.is_null() {
        let needed = 4 + 12 * previous.len() as u32;
        if call.write_out_u32(ReturnLength.0, needed).is_err() {
            return fail(call, Win32Error::NOACCESS);
        }
        if BufferLength < needed {
            return fail(call, Win32Error::INSUFFICIENT_BUFFER);
        }
        let mut bytes = (previous.len() as u32).to_le_bytes().to_vec();
        for (luid, attributes) in &previous {
            bytes.extend_from_slice(&luid.to_le_bytes());
            bytes.extend_from_slice(&0u32.to_le_bytes());
            bytes.extend_from_slice(&attributes.to_le_bytes());
        }
        if call.write_bytes(PreviousState.0, &bytes).is_err() {
            return fail(call, Win32Error::NOACCESS);
        }
    }
    *token.privileges.lock() = privileges;
    call.set_last_error(if not_all {
        Win32Error::NOT_ALL_ASSIGNED.0
    } else {
        0
    });
    ApiReturn::Value(1)
}

fn lookup_privilege_value(
    call: &mut ApiCall<'_>,
    system: Option<&str>,
    name: Option<&str>,
    luid: Ptr,
) -> ApiReturn {
    if !is_local_system(call, system) {
        return fail(call, RPC_S_SERVER_UNAVAILABLE);
    }
    let name = name.unwrap_or("");
    let Some(&(value, _)) = PRIVILEGES
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(name))
    else {
        return fail(call, Win32Error::NO_SUCH_PRIVILEGE);
    };
    let r = call
        .write_u32(luid.0, value)
        .and_then(|()| call.write_u32(luid.0 + 4, 0));
    match r {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => fail(call, Win32Error::NOACCESS),
    }
}

/// LookupPrivilegeValueA(lpSystemName, lpName, lpLuid): the LUID of a privilege by name
/// (without regard to case); ERROR_NO_SUCH_PRIVILEGE for a name NT 4.0 does not have.
#[export]
fn LookupPrivilegeValueA(
    call: &mut ApiCall<'_>,
    lpSystemName: Option<AnsiStr>,
    lpName: Option<AnsiStr>,
    lpLuid: Ptr,
) -> ApiReturn {
    lookup_privilege_value(call, lpSystemName.as_deref(), lpName.as_deref(), lpLuid)
}

/// LookupPrivilegeValueW.
#[export]
fn LookupPrivilegeValueW(
    call: &mut ApiCall<'_>,
    lpSystemName: Option<WideStr>,
    lpName: Option<WideStr>,
    lpLuid: Ptr,
) -> ApiReturn {
    lookup_privilege_value(call, lpSystemName.as_deref(), lpName.as_deref(), lpLuid)
}

fn lookup_privilege_name(
    call: &mut ApiCall<'_>,
    chars: Chars,
    system: Option<&str>,
    luid: Ptr,
    name: Ptr,
    length: Ptr,
) -> ApiReturn {
    if !is_local_system(call, system) {
        return fail(call, RPC_S_SERVER_UNAVAILABLE);
    }
    let (Ok(low), Ok(high)) = (call.read_u32(luid.0), call.read_u32(luid.0 + 4)) else {
        return fail(call, Win32Error::NOACCESS);
    };
    let Some(&(_, text)) = PRIVILEGES.iter().find(|(l, _)| *l == low && high == 0) else {
        return fail(call, Win32Error::NO_SUCH_PRIVILEGE);
    };
    let Ok(capacity) = call.read_u32(length.0) else {
        return fail(call, Win32Error::NOACCESS);
    };
    match copy_string(call, chars, name.0, capacity, text) {
        Copied::Done(n) => {
            let _ = call.write_u32(length.0, n);
            ApiReturn::Value(1)
        }
        Copied::TooSmall(n) => {
            let _ = call.write_u32(length.0, n);
            fail(call, Win32Error::INSUFFICIENT_BUFFER)
        }
        Copied::Fault => fail(call, Win32Error::NOACCESS),
    }
}

/// LookupPrivilegeNameA(lpSystemName, lpLuid, lpName, cchName): a short buffer is
/// ERROR_INSUFFICIENT_BUFFER with the characters needed (NUL included) in cchName; on
/// success cchName is the length without the NUL.
#[export]
fn LookupPrivilegeNameA(
    call: &mut ApiCall<'_>,
    lpSystemName: Option<AnsiStr>,
    lpLuid: Ptr,
    lpName: Ptr,
    cchName: Ptr,
) -> ApiReturn {
    lookup_privilege_name(
        call,
        Chars::Ansi,
        lpSystemName.as_deref(),
        lpLuid,
        lpName,
        cchName,
    )
}

/// LookupPrivilegeNameW.
#[export]
fn LookupPrivilegeNameW(
    call: &mut ApiCall<'_>,
    lpSystemName: Option<WideStr>,
    lpLuid: Ptr,
    lpName: Ptr,
    cchName: Ptr,
) -> ApiReturn {
    lookup_privilege_name(
        call,
        Chars::Wide,
        lpSystemName.as_deref(),
        lpLuid,
        lpName,
        cchName,
    )
}
