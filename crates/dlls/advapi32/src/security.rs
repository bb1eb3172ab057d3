//! Security identifiers, access control lists and security descriptors, as NT 4.0 programs
//! build and pass them: made and read in guest memory with NT's layouts and checks, kept with
//! registry keys and files (accepted and stored: ntemu enforces handle access masks only),
//! and the accounts LookupAccountSid and LookupAccountName know (the one user and the
//! well-known groups).

use std::collections::BTreeMap;

use nt_object::AccessMask as Access;
use nt_status::{NtStatus, Win32Error};
use win32::{AnsiStr, ApiCall, ApiReturn, Ptr, WideStr, export};

use crate::text::{Chars, Copied, copy_string};

/// SECURITY_DESCRIPTOR_REVISION.
const SD_REVISION: u8 = 1;
/// The size of an absolute security descriptor (SECURITY_DESCRIPTOR_MIN_LENGTH).
const SD_SIZE: u32 = 20;
/// SE_OWNER_DEFAULTED.
const SE_OWNER_DEFAULTED: u16 = 0x0001;
/// SE_GROUP_DEFAULTED.
const SE_GROUP_DEFAULTED: u16 = 0x0002;
/// SE_DACL_PRESENT.
const SE_DACL_PRESENT: u16 = 0x0004;
/// SE_DACL_DEFAULTED.
const SE_DACL_DEFAULTED: u16 = 0x0008;
/// SE_SACL_PRESENT.
const SE_SACL_PRESENT: u16 = 0x0010;
/// SE_SACL_DEFAULTED.
const SE_SACL_DEFAULTED: u16 = 0x0020;
/// SE_SELF_RELATIVE.
const SE_SELF_RELATIVE: u16 = 0x8000;
/// OWNER_SECURITY_INFORMATION.
const OWNER_SECURITY_INFORMATION: u32 = 1;
/// GROUP_SECURITY_INFORMATION.
const GROUP_SECURITY_INFORMATION: u32 = 2;
/// DACL_SECURITY_INFORMATION.
const DACL_SECURITY_INFORMATION: u32 = 4;
/// SACL_SECURITY_INFORMATION.
const SACL_SECURITY_INFORMATION: u32 = 8;
/// SID_MAX_SUB_AUTHORITIES.
const SID_MAX_SUB_AUTHORITIES: u8 = 15;
/// ACL_REVISION (NT 4.0's) and ACL_REVISION_DS.
const ACL_REVISION: u8 = 2;
const ACL_REVISION_DS: u8 = 4;
/// ACCESS_ALLOWED_ACE_TYPE, ACCESS_DENIED_ACE_TYPE.
const ACCESS_ALLOWED_ACE_TYPE: u8 = 0;
const ACCESS_DENIED_ACE_TYPE: u8 = 1;
/// ERROR_BAD_DESCRIPTOR_FORMAT: a self-relative descriptor where an absolute one is needed.
const ERROR_BAD_DESCRIPTOR_FORMAT: Win32Error = Win32Error(1361);
/// ERROR_REVISION_MISMATCH.
const ERROR_REVISION_MISMATCH: Win32Error = Win32Error(1306);
/// RPC_S_SERVER_UNAVAILABLE: a name of another machine (there is no network).
pub(crate) const RPC_S_SERVER_UNAVAILABLE: Win32Error = Win32Error(1722);

// ----- SIDs -----

/// A SID in its binary form.
pub(crate) type Sid = Vec<u8>;

/// The SID of an authority and sub-authorities.
pub(crate) fn sid(authority: u64, sub: &[u32]) -> Sid {
    let mut out = vec![1, sub.len() as u8];
    out.extend_from_slice(&authority.to_be_bytes()[2..]);
    for s in sub {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// A SID from its string form (`S-1-5-21-...`).
pub(crate) fn sid_from_string(text: &str) -> Option<Sid> {
    let mut parts = text.strip_prefix("S-1-")?.split('-');
    let authority: u64 = parts.next()?.parse().ok()?;
    let sub: Vec<u32> = parts.map(|p| p.parse().ok()).collect::<Option<_>>()?;
    Some(sid(authority, &sub))
}

/// The string form of a binary SID.
#[cfg(test)]
pub(crate) fn sid_to_string(s: &[u8]) -> String {
    let mut authority = [0u8; 8];
    authority[2..].copy_from_slice(&s[2..8]);
    let mut out = format!("S-{}-{}", s[0], u64::from_be_bytes(authority));
    for c in s[8..].chunks_exact(4) {
        out.push_str(&format!(
            "-{}",
            u32::from_le_bytes([c[0], c[1], c[2], c[3]])
        ));
    }
    out
}

/// Reads a valid SID at `at`: revision 1, at most 15 sub-authorities.
pub(crate) fn read_sid(call: &ApiCall<'_>, at: u32) -> Result<Sid, NtStatus> {
    let head = call.read_bytes(at, 8).map_err(|_| NtStatus::INVALID_SID)?;
    if head[0] != 1 || head[1] > SID_MAX_SUB_AUTHORITIES {
        return Err(NtStatus::INVALID_SID);
    }
    call.read_bytes(at, 8 + 4 * usize::from(head[1]))
        .map_err(|_| NtStatus::INVALID_SID)
}

/// The machine's domain SID (S-1-5-21-a-b-c) and the user's relative id, from the user SID.
pub(crate) fn user_sid(call: &mut ApiCall<'_>) -> Sid {
    let id = ntdll::registry::identity(call.state);
    sid_from_string(&id.user_sid).unwrap_or_else(|| sid(5, &[21, 0, 0, 0, 1000]))
}

/// The SID of a machine account (`rid` under the machine's domain).
pub(crate) fn domain_sid(call: &mut ApiCall<'_>, rid: Option<u32>) -> Sid {
    let mut s = user_sid(call);
    if s.len() < 12 || s[1] == 0 {
        return s;
    }
    // Replace the user's RID by `rid`, or drop it for the domain itself.
    s.truncate(s.len() - 4);
    s[1] -= 1;
    if let Some(rid) = rid {
        s.extend_from_slice(&rid.to_le_bytes());
        s[1] += 1;
    }
    s
}

/// SID_NAME_USE values.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SidUse {
    User = 1,
    Group = 2,
    Domain = 3,
    Alias = 4,
    WellKnownGroup = 5,
}

/// The accounts the machine knows: (SID, name, domain, kind).
pub(crate) fn accounts(call: &mut ApiCall<'_>) -> Vec<(Sid, String, String, SidUse)> {
    let id = ntdll::registry::identity(call.state);
    let machine = id.computer.clone();
    let nt = "NT AUTHORITY".to_string();
    let builtin = "BUILTIN".to_string();
    vec![
        (
            user_sid(call),
            id.user.clone(),
            machine.clone(),
            SidUse::User,
        ),
        (
            domain_sid(call, Some(500)),
            "Administrator".into(),
            machine.clone(),
            SidUse::User,
        ),
        (
            domain_sid(call, Some(501)),
            "Guest".into(),
            machine.clone(),
            SidUse::User,
        ),
        (
            domain_sid(call, Some(513)),
            "None".into(),
            machine.clone(),
            SidUse::Group,
        ),
        (
            domain_sid(call, None),
            machine.clone(),
            machine.clone(),
            SidUse::Domain,
        ),
        (
            sid(1, &[0]),
            "Everyone".into(),
            String::new(),
            SidUse::WellKnownGroup,
        ),
        (
            sid(2, &[0]),
            "LOCAL".into(),
            String::new(),
            SidUse::WellKnownGroup,
        ),
        (
            sid(3, &[0]),
            "CREATOR OWNER".into(),
            String::new(),
            SidUse::WellKnownGroup,
        ),
        (
            sid(3, &[1]),
            "CREATOR GROUP".into(),
            String::new(),
            SidUse::WellKnownGroup,
        ),
        (
            sid(5, &[1]),
            "DIALUP".into(),
            nt.clone(),
            SidUse::WellKnownGroup,
        ),
        (
            sid(5, &[2]),
            "NETWORK".into(),
            nt.clone(),
            SidUse::WellKnownGroup,
        ),
        (
            sid(5, &[3]),
            "BATCH".into(),
            nt.clone(),
            SidUse::WellKnownGroup,
        ),
        (
            sid(5, &[4]),
            "INTERACTIVE".into(),
            nt.clone(),
            SidUse::WellKnownGroup,
        ),
        (
            sid(5, &[6]),
            "SERVICE".into(),
            nt.clone(),
            SidUse::WellKnownGroup,
        ),
        (
            sid(5, &[7]),
            "ANONYMOUS LOGON".into(),
            nt.clone(),
            SidUse::WellKnownGroup,
        ),
        (
            sid(5, &[11]),
            "Authenticated Users".into(),
            nt.clone(),
            SidUse::WellKnownGroup,
        ),
        (sid(5, &[18]), "SYSTEM".into(), nt, SidUse::WellKnownGroup),
        (
            sid(5, &[32]),
            builtin.clone(),
            builtin.clone(),
            SidUse::Domain,
        ),
        (
            sid(5, &[32, 544]),
            "Administrators".into(),
            builtin.clone(),
            SidUse::Alias,
        ),
        (
            sid(5, &[32, 545]),
            "Users".into(),
            builtin.clone(),
            SidUse::Alias,
        ),
        (
            sid(5, &[32, 546]),
            "Guests".into(),
            builtin.clone(),
            SidUse::Alias,
        ),
        (
            sid(5, &[32, 547]),
            "Power Users".into(),
            builtin.clone(),
            SidUse::Alias,
        ),
        (
            sid(5, &[32, 551]),
            "Backup Operators".into(),
            builtin.clone(),
            SidUse::Alias,
        ),
        (
            sid(5, &[32, 552]),
            "Replicator".into(),
            builtin,
            SidUse::Alias,
        ),
    ]
}

/// True for NULL, empty, or this computer's name (with or without `\\`).
pub(crate) fn is_local_system(call: &mut ApiCall<'_>, name: Option<&str>) -> bool {
    let name = name.unwrap_or("").trim_start_matches('\\');
    name.is_empty() || name.eq_ignore_ascii_case(&ntdll::registry::identity(call.state).computer)
}

// ----- ACLs -----

/// Reads an ACL at `at`: its header (revision 2 to 4, at least 8 bytes) and its AclSize
/// bytes.
pub(crate) fn read_acl(call: &ApiCall<'_>, at: u32) -> Result<Vec<u8>, NtStatus> {
    let head = call.read_bytes(at, 8).map_err(|_| NtStatus::INVALID_ACL)?;
    let size = u16::from_le_bytes([head[2], head[3]]);
    if !(ACL_REVISION..=ACL_REVISION_DS).contains(&head[0]) || size < 8 {
        return Err(NtStatus::INVALID_ACL);
    }
    let acl = call
        .read_bytes(at, usize::from(size))
        .map_err(|_| NtStatus::INVALID_ACL)?;
    if acl_used(&acl).is_none() {
        return Err(NtStatus::INVALID_ACL);
    }
    Ok(acl)
}

/// The bytes the ACEs of an ACL use (header included); None when they overrun it.
fn acl_used(acl: &[u8]) -> Option<usize> {
    let count = u16::from_le_bytes([acl[4], acl[5]]);
    let mut at = 8usize;
    for _ in 0..count {
        let size = usize::from(u16::from_le_bytes([*acl.get(at + 2)?, *acl.get(at + 3)?]));
        if size < 4 || at + size > acl.len() {
            return None;
        }
        at += size;
    }
    Some(at)
}

fn acl(aces: &[(u8, u32, &Sid)]) -> Vec<u8> {
    let mut body = Vec::new();
    for &(kind, mask, s) in aces {
        body.push(kind);
        body.push(0);
        body.extend_from_slice(&((8 + s.len()) as u16).to_le_bytes());
        body.extend_from_slice(&mask.to_le_bytes());
        body.extend_from_slice(s);
    }
    let mut out = vec![ACL_REVISION, 0];
    out.extend_from_slice(&((8 + body.len()) as u16).to_le_bytes());
    out.extend_from_slice(&(aces.len() as u16).to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&body);
    out
}

/// The default DACL of the user's token: Administrators and SYSTEM have GENERIC_ALL.
pub(crate) fn default_dacl() -> Vec<u8> {
    let system = sid(5, &[18]);
    let admins = sid(5, &[32, 544]);
    acl(&[
        (ACCESS_ALLOWED_ACE_TYPE, 0x1000_0000, &admins),
        (ACCESS_ALLOWED_ACE_TYPE, 0x1000_0000, &system),
    ])
}

// ----- security descriptors -----

/// A security descriptor's parts, independent of its form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Descriptor {
    /// Its control bits (without SE_SELF_RELATIVE).
    pub(crate) control: u16,
    pub(crate) owner: Option<Sid>,
    pub(crate) group: Option<Sid>,
    pub(crate) sacl: Option<Vec<u8>>,
    pub(crate) dacl: Option<Vec<u8>>,
}

impl Descriptor {
    /// Its self-relative form: header, then owner, group, SACL and DACL.
    pub(crate) fn to_self_relative(&self) -> Vec<u8> {
        let mut out = vec![SD_REVISION, 0];
        out.extend_from_slice(&(self.control | SE_SELF_RELATIVE).to_le_bytes());
        out.resize(SD_SIZE as usize, 0);
        let place = |out: &mut Vec<u8>, slot: usize, part: &Option<Vec<u8>>| {
            if let Some(p) = part {
                let at = out.len() as u32;
                out[slot..slot + 4].copy_from_slice(&at.to_le_bytes());
                out.extend_from_slice(p);
            }
        };
        place(&mut out, 4, &self.owner);
        place(&mut out, 8, &self.group);
        place(&mut out, 12, &self.sacl);
        place(&mut out, 16, &self.dacl);
        out
    }

    /// Parses a self-relative descriptor.
    pub(crate) fn from_self_relative(bytes: &[u8]) -> Option<Descriptor> {
        if bytes.len() < SD_SIZE as usize || bytes[0] != SD_REVISION {
            return None;
        }
        let control = u16::from_le_bytes([bytes[2], bytes[3]]);
        let word = |i: usize| {
            u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]) as usize
        };
        let sid_at = |o: usize| -> Option<Sid> {
            let n = usize::from(*bytes.get(o + 1)?);
            bytes.get(o..o + 8 + 4 * n).map(<[u8]>::to_vec)
        };
        let acl_at = |o: usize| -> Option<Vec<u8>> {
            let size = usize::from(u16::from_le_bytes([*bytes.get(o + 2)?, *bytes.get(o + 3)?]));
            bytes.get(o..o + size).map(<[u8]>::to_vec)
        };
        let opt = |o: usize| (o != 0).then_some(o);
        Some(Descriptor {
            control: control & !SE_SELF_RELATIVE,
            owner: opt(word(4)).and_then(sid_at),
            group: opt(word(8)).and_then(sid_at),
            sacl: opt(word(12)).and_then(acl_at),
            dacl: opt(word(16)).and_then(acl_at),
        })
    }

    /// Only the parts the SECURITY_INFORMATION flags name.
    pub(crate) fn only(&self, info: u32) -> Descriptor {
        let mut d = self.clone();
        if info & OWNER_SECURITY_INFORMATION == 0 {
            d.owner = None;
            d.control &= !SE_OWNER_DEFAULTED;
        }
        if info & GROUP_SECURITY_INFORMATION == 0 {
            d.group = None;
            d.control &= !SE_GROUP_DEFAULTED;
        }
        if info & DACL_SECURITY_INFORMATION == 0 {
            d.dacl = None;
            d.control &= !(SE_DACL_PRESENT | SE_DACL_DEFAULTED);
        }
        if info & SACL_SECURITY_INFORMATION == 0 {
            d.sacl = None;
            d.control &= !(SE_SACL_PRESENT | SE_SACL_DEFAULTED);
        }
        d
    }

    /// This descriptor with the parts `info` names taken from `new`.
    pub(crate) fn merge(mut self, new: &Descriptor, info: u32) -> Descriptor {
        let take =
            |mine: &mut u16, theirs: u16, bits: u16| *mine = (*mine & !bits) | (theirs & bits);
        if info & OWNER_SECURITY_INFORMATION != 0 {
            self.owner.clone_from(&new.owner);
            take(&mut self.control, new.control, SE_OWNER_DEFAULTED);
        }
        if info & GROUP_SECURITY_INFORMATION != 0 {
            self.group.clone_from(&new.group);
            take(&mut self.control, new.control, SE_GROUP_DEFAULTED);
        }
        if info & DACL_SECURITY_INFORMATION != 0 {
            self.dacl.clone_from(&new.dacl);
            take(
                &mut self.control,
                new.control,
                SE_DACL_PRESENT | SE_DACL_DEFAULTED,
            );
        }
        if info & SACL_SECURITY_INFORMATION != 0 {
            self.sacl.clone_from(&new.sacl);
            take(
                &mut self.control,
                new.control,
                SE_SACL_PRESENT | SE_SACL_DEFAULTED,
            );
        }
        self
    }
}

/// The access a handle needs to change the parts `info` names (WRITE_OWNER, WRITE_DAC,
/// ACCESS_SYSTEM_SECURITY).
pub(crate) fn access_to_set(info: u32) -> Access {
    let mut a = 0;
    if info & (OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION) != 0 {
        a |= Access::WRITE_OWNER.0;
    }
    if info & DACL_SECURITY_INFORMATION != 0 {
        a |= Access::WRITE_DAC.0;
    }
    if info & SACL_SECURITY_INFORMATION != 0 {
        a |= Access::ACCESS_SYSTEM_SECURITY.0;
    }
    Access(a)
}

/// The descriptor NT gives a key without one of its own: owned by Administrators, SYSTEM
/// and Administrators with full control, everyone reading.
pub(crate) fn default_key_descriptor() -> Vec<u8> {
    let admins = sid(5, &[32, 544]);
    let system = sid(5, &[18]);
    let everyone = sid(1, &[0]);
    Descriptor {
        control: SE_DACL_PRESENT,
        owner: Some(admins.clone()),
        group: Some(system.clone()),
        sacl: None,
        dacl: Some(acl(&[
            (ACCESS_ALLOWED_ACE_TYPE, Access::KEY_READ.0, &everyone),
            (ACCESS_ALLOWED_ACE_TYPE, Access::KEY_ALL_ACCESS.0, &admins),
            (ACCESS_ALLOWED_ACE_TYPE, Access::KEY_ALL_ACCESS.0, &system),
        ])),
    }
    .to_self_relative()
}

/// The descriptor NT gives a file without one of its own: Everyone has full control (what
/// a FAT or fresh NTFS volume shows).
pub(crate) fn default_file_descriptor() -> Vec<u8> {
    let admins = sid(5, &[32, 544]);
    let everyone = sid(1, &[0]);
    Descriptor {
        control: SE_DACL_PRESENT,
        owner: Some(admins.clone()),
        group: Some(admins),
        sacl: None,
        dacl: Some(acl(&[(
            ACCESS_ALLOWED_ACE_TYPE,
            Access::FILE_ALL_ACCESS.0,
            &everyone,
        )])),
    }
    .to_self_relative()
}

/// Reads a security descriptor at `at`, absolute (pointers) or self-relative (offsets).
pub(crate) fn read_descriptor(call: &ApiCall<'_>, at: u32) -> Result<Descriptor, NtStatus> {
    let head = call
        .read_bytes(at, SD_SIZE as usize)
        .map_err(|_| NtStatus::INVALID_SECURITY_DESCR)?;
    if head[0] != SD_REVISION {
        return Err(NtStatus::UNKNOWN_REVISION);
    }
    let control = u16::from_le_bytes([head[2], head[3]]);
    let word = |i: usize| u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
    let relative = control & SE_SELF_RELATIVE != 0;
    let address = |v: u32| -> Option<u32> {
        match (v, relative) {
            (0, _) => None,
            (o, true) => Some(at.wrapping_add(o)),
            (p, false) => Some(p),
        }
    };
    let owner = address(word(4)).map(|a| read_sid(call, a)).transpose()?;
    let group = address(word(8)).map(|a| read_sid(call, a)).transpose()?;
    let sacl = if control & SE_SACL_PRESENT != 0 {
        address(word(12)).map(|a| read_acl(call, a)).transpose()?
    } else {
        None
    };
    let dacl = if control & SE_DACL_PRESENT != 0 {
        address(word(16)).map(|a| read_acl(call, a)).transpose()?
    } else {
        None
    };
    Ok(Descriptor {
        control: control & !SE_SELF_RELATIVE,
        owner,
        group,
        sacl,
        dacl,
    })
}

// ----- the exports: SIDs -----

fn fail(call: &mut ApiCall<'_>, e: Win32Error) -> ApiReturn {
    call.fail_win32(e, 0)
}

fn ok_bool(call: &mut ApiCall<'_>) -> ApiReturn {
    let _ = call;
    ApiReturn::Value(1)
}

/// AllocateAndInitializeSid(pIdentifierAuthority, nSubAuthorityCount, nSubAuthority0..7,
/// pSid): a SID in a new block of the process heap, for FreeSid.
#[export]
fn AllocateAndInitializeSid(
    call: &mut ApiCall<'_>,
    pIdentifierAuthority: Ptr,
    nSubAuthorityCount: u8,
    nSubAuthority0: u32,
    nSubAuthority1: u32,
    nSubAuthority2: u32,
    nSubAuthority3: u32,
    nSubAuthority4: u32,
    nSubAuthority5: u32,
    nSubAuthority6: u32,
    nSubAuthority7: u32,
    pSid: Ptr,
) -> ApiReturn {
    if nSubAuthorityCount > 8 {
        return fail(call, Win32Error::INVALID_SID);
    }
    let Ok(authority) = call.read_bytes(pIdentifierAuthority.0, 6) else {
        return fail(call, Win32Error::NOACCESS);
    };
    let subs = [
        nSubAuthority0,
        nSubAuthority1,
        nSubAuthority2,
        nSubAuthority3,
        nSubAuthority4,
        nSubAuthority5,
        nSubAuthority6,
        nSubAuthority7,
    ];
    let mut s = vec![1, nSubAuthorityCount];
    s.extend_from_slice(&authority);
    for v in &subs[..usize::from(nSubAuthorityCount)] {
        s.extend_from_slice(&v.to_le_bytes());
    }
    let Some(at) = kernel32::heap::process_heap_alloc(call, s.len() as u32, false) else {
        return fail(call, Win32Error::NOT_ENOUGH_MEMORY);
    };
    if call.write_bytes(at, &s).is_err() || call.write_u32(pSid.0, at).is_err() {
        kernel32::heap::process_heap_free(call, at);
        return fail(call, Win32Error::NOACCESS);
    }
    ok_bool(call)
}

/// FreeSid(pSid): frees what AllocateAndInitializeSid made; returns NULL.
#[export]
fn FreeSid(call: &mut ApiCall<'_>, pSid: Ptr) -> Ptr {
    if kernel32::heap::process_heap_free(call, pSid.0) {
        Ptr::NULL
    } else {
        pSid
    }
}

/// IsValidSid(pSid): revision 1 and at most 15 sub-authorities.
#[export]
fn IsValidSid(call: &mut ApiCall<'_>, pSid: Ptr) -> bool {
    !pSid.is_null() && read_sid(call, pSid.0).is_ok()
}

/// GetLengthSid(pSid): 8 bytes and 4 for each sub-authority.
#[export]
fn GetLengthSid(call: &mut ApiCall<'_>, pSid: Ptr) -> u32 {
    call.read_bytes(pSid.0 + 1, 1)
        .map_or(0, |c| 8 + 4 * u32::from(c[0]))
}

/// EqualSid(pSid1, pSid2): TRUE when both are valid and the same; the last error is
/// ERROR_SUCCESS either way.
#[export]
fn EqualSid(call: &mut ApiCall<'_>, pSid1: Ptr, pSid2: Ptr) -> bool {
    let same = match (read_sid(call, pSid1.0), read_sid(call, pSid2.0)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    call.set_last_error(0);
    same
}

/// EqualPrefixSid(pSid1, pSid2): the same but for the last sub-authority.
#[export]
fn EqualPrefixSid(call: &mut ApiCall<'_>, pSid1: Ptr, pSid2: Ptr) -> bool {
    let same = match (read_sid(call, pSid1.0), read_sid(call, pSid2.0)) {
        (Ok(a), Ok(b)) if a[1] == b[1] => {
            let n = a.len().saturating_sub(4).max(8);
            a[..n] == b[..n]
        }
        _ => false,
    };
    call.set_last_error(0);
    same
}

/// CopySid(nDestinationSidLength, pDestinationSid, pSourceSid).
#[export]
fn CopySid(
    call: &mut ApiCall<'_>,
    nDestinationSidLength: u32,
    pDestinationSid: Ptr,
    pSourceSid: Ptr,
) -> ApiReturn {
    let Ok(s) = read_sid(call, pSourceSid.0) else {
        return fail(call, Win32Error::INVALID_SID);
    };
    if nDestinationSidLength < s.len() as u32 {
        return fail(call, Win32Error::INSUFFICIENT_BUFFER);
    }
    match call.write_bytes(pDestinationSid.0, &s) {
        Ok(()) => ok_bool(call),
        Err(_) => fail(call, Win32Error::NOACCESS),
    }
}

/// InitializeSid(Sid, pIdentifierAuthority, nSubAuthorityCount): the revision, count and
/// authority (the sub-authorities are the caller's to set).
#[export]
fn InitializeSid(
    call: &mut ApiCall<'_>,
    Sid: Ptr,
    pIdentifierAuthority: Ptr,
    nSubAuthorityCount: u8,
) -> ApiReturn {
    if nSubAuthorityCount > SID_MAX_SUB_AUTHORITIES {
        return fail(call, Win32Error::INVALID_PARAMETER);
    }
    let Ok(authority) = call.read_bytes(pIdentifierAuthority.0, 6) else {
        return fail(call, Win32Error::NOACCESS);
    };
    let mut head = vec![1, nSubAuthorityCount];
    head.extend_from_slice(&authority);
    match call.write_bytes(Sid.0, &head) {
        Ok(()) => ok_bool(call),
        Err(_) => fail(call, Win32Error::NOACCESS),
    }
}

/// GetSidIdentifierAuthority(pSid): the address of its authority.
#[export]
fn GetSidIdentifierAuthority(_call: &mut ApiCall<'_>, pSid: Ptr) -> Ptr {
    pSid.offset(2)
}

/// GetSidSubAuthority(pSid, nSubAuthority): the address of that sub-authority.
#[export]
fn GetSidSubAuthority(_call: &mut ApiCall<'_>, pSid: Ptr, nSubAuthority: u32) -> Ptr {
    pSid.offset(8 + 4 * nSubAuthority)
}

/// GetSidSubAuthorityCount(pSid): the address of its count.
#[export]
fn GetSidSubAuthorityCount(_call: &mut ApiCall<'_>, pSid: Ptr) -> Ptr {
    pSid.offset(1)
}

/// GetSidLengthRequired(nSubAuthorityCount).
#[export]
fn GetSidLengthRequired(_call: &mut ApiCall<'_>, nSubAuthorityCount: u8) -> u32 {
    8 + 4 * u32::from(nSubAuthorityCount)
}

// ----- ACLs -----

/// InitializeAcl(pAcl, nAclLength, dwAclRevision).
#[export]
fn InitializeAcl(
    call: &mut ApiCall<'_>,
    pAcl: Ptr,
    nAclLength: u32,
    dwAclRevision: u32,
) -> ApiReturn {
    if nAclLength < 8 {
        return fail(call, Win32Error::INSUFFICIENT_BUFFER);
    }
    if nAclLength > 0xFFFF || !(2..=4).contains(&dwAclRevision) {
        return fail(call, Win32Error::INVALID_PARAMETER);
    }
    let mut head = vec![dwAclRevision as u8, 0];
    head.extend_from_slice(&(nAclLength as u16).to_le_bytes());
    head.extend_from_slice(&[0, 0, 0, 0]);
    match call.write_bytes(pAcl.0, &head) {
        Ok(()) => ok_bool(call),
        Err(_) => fail(call, Win32Error::NOACCESS),
    }
}

fn add_ace(
    call: &mut ApiCall<'_>,
    acl_at: Ptr,
    revision: u32,
    kind: u8,
    mask: u32,
    sid_at: Ptr,
) -> ApiReturn {
    let Ok(acl) = read_acl(call, acl_at.0) else {
        return fail(call, Win32Error::INVALID_ACL);
    };
    let Ok(s) = read_sid(call, sid_at.0) else {
        return fail(call, Win32Error::INVALID_SID);
    };
    if !(2..=4).contains(&revision) {
        return fail(call, ERROR_REVISION_MISMATCH);
    }
    let Some(used) = acl_used(&acl) else {
        return fail(call, Win32Error::INVALID_ACL);
    };
    let size = 8 + s.len();
    if used + size > acl.len() {
        return fail(call, Win32Error::ALLOTTED_SPACE_EXCEEDED);
    }
    let mut ace = vec![kind, 0];
    ace.extend_from_slice(&(size as u16).to_le_bytes());
    ace.extend_from_slice(&mask.to_le_bytes());
    ace.extend_from_slice(&s);
    let count = u16::from_le_bytes([acl[4], acl[5]]) + 1;
    let rev = acl[0].max(revision as u8);
    let written = call
        .write_bytes(acl_at.0 + used as u32, &ace)
        .and_then(|()| call.write_bytes(acl_at.0 + 4, &count.to_le_bytes()))
        .and_then(|()| call.write_bytes(acl_at.0, &[rev]));
    match written {
        Ok(()) => ok_bool(call),
        Err(_) => fail(call, Win32Error::NOACCESS),
    }
}

/// AddAccessAllowedAce(pAcl, dwAceRevision, AccessMask, pSid): appends an entry;
/// ERROR_ALLOTTED_SPACE_EXCEEDED when the ACL has no room.
#[export]
fn AddAccessAllowedAce(
    call: &mut ApiCall<'_>,
    pAcl: Ptr,
    dwAceRevision: u32,
    AccessMask: u32,
    pSid: Ptr,
) -> ApiReturn {
    add_ace(
        call,
        pAcl,
        dwAceRevision,
        ACCESS_ALLOWED_ACE_TYPE,
        AccessMask,
        pSid,
    )
}

/// AddAccessDeniedAce(pAcl, dwAceRevision, AccessMask, pSid).
#[export]
fn AddAccessDeniedAce(
    call: &mut ApiCall<'_>,
    pAcl: Ptr,
    dwAceRevision: u32,
    AccessMask: u32,
    pSid: Ptr,
) -> ApiReturn {
    add_ace(
        call,
        pAcl,
        dwAceRevision,
        ACCESS_DENIED_ACE_TYPE,
        AccessMask,
        pSid,
    )
}

/// GetAce(pAcl, dwAceIndex, pAce): the address of an entry.
#[export]
fn GetAce(call: &mut ApiCall<'_>, pAcl: Ptr, dwAceIndex: u32, pAce: Ptr) -> ApiReturn {
    let Ok(acl) = read_acl(call, pAcl.0) else {
        return fail(call, Win32Error::INVALID_ACL);
    };
    let count = u32::from(u16::from_le_bytes([acl[4], acl[5]]));
    if dwAceIndex >= count {
        return fail(call, Win32Error::INVALID_PARAMETER);
    }
    let mut at = 8usize;
    for _ in 0..dwAceIndex {
        at += usize::from(u16::from_le_bytes([acl[at + 2], acl[at + 3]]));
    }
    match call.write_u32(pAce.0, pAcl.0 + at as u32) {
        Ok(()) => ok_bool(call),
        Err(_) => fail(call, Win32Error::NOACCESS),
    }
}

/// IsValidAcl(pAcl).
#[export]
fn IsValidAcl(call: &mut ApiCall<'_>, pAcl: Ptr) -> bool {
    read_acl(call, pAcl.0).is_ok()
}

/// GetAclInformation(pAcl, pAclInformation, nAclInformationLength, dwAclInformationClass):
/// AclRevisionInformation (1) or AclSizeInformation (2).
#[export]
fn GetAclInformation(
    call: &mut ApiCall<'_>,
    pAcl: Ptr,
    pAclInformation: Ptr,
    nAclInformationLength: u32,
    dwAclInformationClass: u32,
) -> ApiReturn {
    let Ok(acl) = read_acl(call, pAcl.0) else {
        return fail(call, Win32Error::INVALID_ACL);
    };
    let used = acl_used(&acl).unwrap_or(acl.len()) as u32;
    let info: Vec<u32> = match dwAclInformationClass {
        1 => vec![u32::from(acl[0])],
        2 => vec![
            u32::from(u16::from_le_bytes([acl[4], acl[5]])),
            used,
            acl.len() as u32 - used,
        ],
        _ => return fail(call, Win32Error::INVALID_PARAMETER),
    };
    if nAclInformationLength < 4 * info.len() as u32 {
        return fail(call, Win32Error::INSUFFICIENT_BUFFER);
    }
    let bytes: Vec<u8> = info.iter().flat_map(|v| v.to_le_bytes()).collect();
    match call.write_bytes(pAclInformation.0, &bytes) {
        Ok(()) => ok_bool(call),
        Err(_) => fail(call, Win32Error::NOACCESS),
    }
}

// ----- security descriptors -----

/// The header of a descriptor the caller builds: revision and control.
fn descriptor_head(call: &ApiCall<'_>, at: u32) -> Result<(u8, u16), Win32Error> {
    let h = call.read_bytes(at, 4).map_err(|_| Win32Error::NOACCESS)?;
    Ok((h[0], u16::from_le_bytes([h[2], h[3]])))
}

/// InitializeSecurityDescriptor(pSecurityDescriptor, dwRevision): an absolute descriptor
/// with nothing in it.
#[export]
fn InitializeSecurityDescriptor(
    call: &mut ApiCall<'_>,
    pSecurityDescriptor: Ptr,
    dwRevision: u32,
) -> ApiReturn {
    if dwRevision != u32::from(SD_REVISION) {
        return fail(call, Win32Error::UNKNOWN_REVISION);
    }
    let mut sd = vec![0u8; SD_SIZE as usize];
    sd[0] = SD_REVISION;
    match call.write_bytes(pSecurityDescriptor.0, &sd) {
        Ok(()) => ok_bool(call),
        Err(_) => fail(call, Win32Error::NOACCESS),
    }
}

/// Sets one part (a pointer at `slot`) of an absolute descriptor, with control bits.
fn set_part(
    call: &mut ApiCall<'_>,
    sd: Ptr,
    slot: u32,
    value: u32,
    set: u16,
    clear: u16,
) -> ApiReturn {
    let (revision, control) = match descriptor_head(call, sd.0) {
        Ok(h) => h,
        Err(e) => return fail(call, e),
    };
    if revision != SD_REVISION {
        return fail(call, Win32Error::UNKNOWN_REVISION);
    }
    if control & SE_SELF_RELATIVE != 0 {
        return fail(call, Win32Error::INVALID_SECURITY_DESCR);
    }
    let control = (control & !clear) | set;
    let written = call
        .write_bytes(sd.0 + 2, &control.to_le_bytes())
        .and_then(|()| call.write_u32(sd.0 + slot, value));
    match written {
        Ok(()) => ok_bool(call),
        Err(_) => fail(call, Win32Error::NOACCESS),
    }
}

/// SetSecurityDescriptorDacl(pSecurityDescriptor, bDaclPresent, pDacl, bDaclDefaulted).
#[export]
fn SetSecurityDescriptorDacl(
    call: &mut ApiCall<'_>,
    pSecurityDescriptor: Ptr,
    bDaclPresent: bool,
    pDacl: Ptr,
    bDaclDefaulted: bool,
) -> ApiReturn {
    let mut set = 0;
    if bDaclPresent {
        set |= SE_DACL_PRESENT;
        if bDaclDefaulted {
            set |= SE_DACL_DEFAULTED;
        }
    }
    let dacl = if bDaclPresent { pDacl.0 } else { 0 };
    set_part(
        call,
        pSecurityDescriptor,
        16,
        dacl,
        set,
        SE_DACL_PRESENT | SE_DACL_DEFAULTED,
    )
}

/// SetSecurityDescriptorSacl(pSecurityDescriptor, bSaclPresent, pSacl, bSaclDefaulted).
#[export]
fn SetSecurityDescriptorSacl(
    call: &mut ApiCall<'_>,
    pSecurityDescriptor: Ptr,
    bSaclPresent: bool,
    pSacl: Ptr,
    bSaclDefaulted: bool,
) -> ApiReturn {
    let mut set = 0;
    if bSaclPresent {
        set |= SE_SACL_PRESENT;
        if bSaclDefaulted {
            set |= SE_SACL_DEFAULTED;
        }
    }
    let sacl = if bSaclPresent { pSacl.0 } else { 0 };
    set_part(
        call,
        pSecurityDescriptor,
        12,
        sacl,
        set,
        SE_SACL_PRESENT | SE_SACL_DEFAULTED,
    )
}

/// SetSecurityDescriptorOwner(pSecurityDescriptor, pOwner, bOwnerDefaulted).
#[export]
fn SetSecurityDescriptorOwner(
    call: &mut ApiCall<'_>,
    pSecurityDescriptor: Ptr,
    pOwner: Ptr,
    bOwnerDefaulted: bool,
) -> ApiReturn {
    let set = if bOwnerDefaulted {
        SE_OWNER_DEFAULTED
    } else {
        0
    };
    set_part(
        call,
        pSecurityDescriptor,
        4,
        pOwner.0,
        set,
        SE_OWNER_DEFAULTED,
    )
}

/// SetSecurityDescriptorGroup(pSecurityDescriptor, pGroup, bGroupDefaulted).
#[export]
fn SetSecurityDescriptorGroup(
    call: &mut ApiCall<'_>,
    pSecurityDescriptor: Ptr,
    pGroup: Ptr,
    bGroupDefaulted: bool,
) -> ApiReturn {
    let set = if bGroupDefaulted {
        SE_GROUP_DEFAULTED
    } else {
        0
    };
    set_part(
        call,
        pSecurityDescriptor,
        8,
        pGroup.0,
        set,
        SE_GROUP_DEFAULTED,
    )
}

/// The address of a part of a descriptor (absolute or self-relative), 0 when absent.
fn part_address(call: &ApiCall<'_>, sd: u32, slot: u32) -> Result<(u16, u32), Win32Error> {
    let (revision, control) = descriptor_head(call, sd)?;
    if revision != SD_REVISION {
        return Err(Win32Error::UNKNOWN_REVISION);
    }
    let v = call.read_u32(sd + slot).map_err(|_| Win32Error::NOACCESS)?;
    let at = match (v, control & SE_SELF_RELATIVE != 0) {
        (0, _) => 0,
        (o, true) => sd.wrapping_add(o),
        (p, false) => p,
    };
    Ok((control, at))
}

/// GetSecurityDescriptorDacl(pSecurityDescriptor, lpbDaclPresent, pDacl, lpbDaclDefaulted).
#[export]
fn GetSecurityDescriptorDacl(
    call: &mut ApiCall<'_>,
    pSecurityDescriptor: Ptr,
    lpbDaclPresent: Ptr,
    pDacl: Ptr,
    lpbDaclDefaulted: Ptr,
) -> ApiReturn {
    let (control, at) = match part_address(call, pSecurityDescriptor.0, 16) {
        Ok(p) => p,
        Err(e) => return fail(call, e),
    };
    let present = control & SE_DACL_PRESENT != 0;
    let mut r = call.write_u32(lpbDaclPresent.0, u32::from(present));
    if present {
        r = r.and_then(|()| call.write_u32(pDacl.0, at)).and_then(|()| {
            call.write_u32(
                lpbDaclDefaulted.0,
                u32::from(control & SE_DACL_DEFAULTED != 0),
            )
        });
    }
    match r {
        Ok(()) => ok_bool(call),
        Err(_) => fail(call, Win32Error::NOACCESS),
    }
}

/// GetSecurityDescriptorSacl(pSecurityDescriptor, lpbSaclPresent, pSacl, lpbSaclDefaulted).
#[export]
fn GetSecurityDescriptorSacl(
    call: &mut ApiCall<'_>,
    pSecurityDescriptor: Ptr,
    lpbSaclPresent: Ptr,
    pSacl: Ptr,
    lpbSaclDefaulted: Ptr,
) -> ApiReturn {
    let (control, at) = match part_address(call, pSecurityDescriptor.0, 12) {
        Ok(p) => p,
        Err(e) => return fail(call, e),
    };
    let present = control & SE_SACL_PRESENT != 0;
    let mut r = call.write_u32(lpbSaclPresent.0, u32::from(present));
    if present {
        r = r.and_then(|()| call.write_u32(pSacl.0, at)).and_then(|()| {
            call.write_u32(
                lpbSaclDefaulted.0,
                u32::from(control & SE_SACL_DEFAULTED != 0),
            )
        });
    }
    match r {
        Ok(()) => ok_bool(call),
        Err(_) => fail(call, Win32Error::NOACCESS),
    }
}

fn get_sid_part(
    call: &mut ApiCall<'_>,
    sd: Ptr,
    slot: u32,
    out: Ptr,
    defaulted: Ptr,
    bit: u16,
) -> ApiReturn {
    let (control, at) = match part_address(call, sd.0, slot) {
        Ok(p) => p,
        Err(e) => return fail(call, e),
    };
    let r = call
        .write_u32(out.0, at)
        .and_then(|()| call.write_u32(defaulted.0, u32::from(control & bit != 0)));
    match r {
        Ok(()) => ok_bool(call),
        Err(_) => fail(call, Win32Error::NOACCESS),
    }
}

/// GetSecurityDescriptorOwner(pSecurityDescriptor, pOwner, lpbOwnerDefaulted).
#[export]
fn GetSecurityDescriptorOwner(
    call: &mut ApiCall<'_>,
    pSecurityDescriptor: Ptr,
    pOwner: Ptr,
    lpbOwnerDefaulted: Ptr,
) -> ApiReturn {
    get_sid_part(
        call,
        pSecurityDescriptor,
        4,
        pOwner,
        lpbOwnerDefaulted,
        SE_OWNER_DEFAULTED,
    )
}

/// GetSecurityDescriptorGroup(pSecurityDescriptor, pGroup, lpbGroupDefaulted).
#[export]
fn GetSecurityDescriptorGroup(
    call: &mut ApiCall<'_>,
    pSecurityDescriptor: Ptr,
    pGroup: Ptr,
    lpbGroupDefaulted: Ptr,
) -> ApiReturn {
    get_sid_part(
        call,
        pSecurityDescriptor,
        8,
        pGroup,
        lpbGroupDefaulted,
        SE_GROUP_DEFAULTED,
    )
}

/// GetSecurityDescriptorControl(pSecurityDescriptor, pControl, lpdwRevision).
#[export]
fn GetSecurityDescriptorControl(
    call: &mut ApiCall<'_>,
    pSecurityDescriptor: Ptr,
    pControl: Ptr,
    lpdwRevision: Ptr,
) -> ApiReturn {
    let (revision, control) = match descriptor_head(call, pSecurityDescriptor.0) {
        Ok(h) => h,
        Err(e) => return fail(call, e),
    };
    let r = call
        .write_bytes(pControl.0, &control.to_le_bytes())
        .and_then(|()| call.write_u32(lpdwRevision.0, u32::from(revision)));
    if r.is_err() {
        return fail(call, Win32Error::NOACCESS);
    }
    if revision != SD_REVISION {
        return fail(call, Win32Error::UNKNOWN_REVISION);
    }
    ok_bool(call)
}

/// IsValidSecurityDescriptor(pSecurityDescriptor).
#[export]
fn IsValidSecurityDescriptor(call: &mut ApiCall<'_>, pSecurityDescriptor: Ptr) -> ApiReturn {
    match read_descriptor(call, pSecurityDescriptor.0) {
        Ok(_) => ok_bool(call),
        Err(_) => fail(call, Win32Error::INVALID_SECURITY_DESCR),
    }
}

/// GetSecurityDescriptorLength(pSecurityDescriptor): its size in self-relative form.
#[export]
fn GetSecurityDescriptorLength(call: &mut ApiCall<'_>, pSecurityDescriptor: Ptr) -> u32 {
    read_descriptor(call, pSecurityDescriptor.0).map_or(0, |d| d.to_self_relative().len() as u32)
}

/// MakeSelfRelativeSD(pAbsoluteSecurityDescriptor, pSelfRelativeSecurityDescriptor,
/// lpdwBufferLength).
#[export]
fn MakeSelfRelativeSD(
    call: &mut ApiCall<'_>,
    pAbsoluteSecurityDescriptor: Ptr,
    pSelfRelativeSecurityDescriptor: Ptr,
    lpdwBufferLength: Ptr,
) -> ApiReturn {
    match descriptor_head(call, pAbsoluteSecurityDescriptor.0) {
        Ok((_, c)) if c & SE_SELF_RELATIVE != 0 => return fail(call, ERROR_BAD_DESCRIPTOR_FORMAT),
        Ok(_) => {}
        Err(e) => return fail(call, e),
    }
    let d = match read_descriptor(call, pAbsoluteSecurityDescriptor.0) {
        Ok(d) => d,
        Err(s) => return fail(call, s.to_win32_error()),
    };
    let bytes = d.to_self_relative();
    let Ok(capacity) = call.read_u32(lpdwBufferLength.0) else {
        return fail(call, Win32Error::NOACCESS);
    };
    if capacity < bytes.len() as u32 {
        let _ = call.write_u32(lpdwBufferLength.0, bytes.len() as u32);
        return fail(call, Win32Error::INSUFFICIENT_BUFFER);
    }
    match call.write_bytes(pSelfRelativeSecurityDescriptor.0, &bytes) {
        Ok(()) => ok_bool(call),
        Err(_) => fail(call, Win32Error::NOACCESS),
    }
}

/// MapGenericMask(AccessMask, GenericMapping): maps the generic bits through the mapping.
#[export]
fn MapGenericMask(call: &mut ApiCall<'_>, AccessMask: Ptr, GenericMapping: Ptr) {
    let (Ok(mask), Ok(m)) = (
        call.read_u32(AccessMask.0),
        call.read_bytes(GenericMapping.0, 16),
    ) else {
        return;
    };
    let g = |i: usize| u32::from_le_bytes([m[i], m[i + 1], m[i + 2], m[i + 3]]);
    let mut out = mask & 0x0FFF_FFFF;
    for (bit, i) in [
        (0x8000_0000u32, 0),
        (0x4000_0000, 4),
        (0x2000_0000, 8),
        (0x1000_0000, 12),
    ] {
        if mask & bit != 0 {
            out |= g(i);
        }
    }
    let _ = call.write_u32(AccessMask.0, out);
}

// ----- file security -----

/// Descriptors SetFileSecurity kept, by the file's full guest path (upper-cased).
#[derive(Default)]
struct FileSecurity {
    descriptors: BTreeMap<String, Vec<u8>>,
}

fn file_security_key(call: &mut ApiCall<'_>, name: Option<&str>) -> Result<String, Win32Error> {
    let name = name.unwrap_or("");
    let file = kernel32::guestfile::guest_file(call, name)?;
    if !file.exists() {
        return Err(Win32Error::FILE_NOT_FOUND);
    }
    Ok(file.path().to_uppercase())
}

fn get_file_security(
    call: &mut ApiCall<'_>,
    name: Option<&str>,
    info: u32,
    sd: Ptr,
    length: u32,
    needed: Ptr,
) -> ApiReturn {
    let key = match file_security_key(call, name) {
        Ok(k) => k,
        Err(e) => return fail(call, e),
    };
    let stored = call
        .state
        .get::<FileSecurity>()
        .descriptors
        .get(&key)
        .cloned()
        .unwrap_or_else(default_file_descriptor);
    let bytes =
        Descriptor::from_self_relative(&stored).map_or(stored, |d| d.only(info).to_self_relative());
    if call.write_u32(needed.0, bytes.len() as u32).is_err() {
        return fail(call, Win32Error::NOACCESS);
    }
    if length < bytes.len() as u32 {
        return fail(call, Win32Error::INSUFFICIENT_BUFFER);
    }
    match call.write_bytes(sd.0, &bytes) {
        Ok(()) => ok_bool(call),
        Err(_) => fail(call, Win32Error::NOACCESS),
    }
}

/// GetFileSecurityA(lpFileName, RequestedInformation, pSecurityDescriptor, nLength,
/// lpnLengthNeeded): the descriptor SetFileSecurity kept, or a file's default.
#[export]
fn GetFileSecurityA(
    call: &mut ApiCall<'_>,
    lpFileName: Option<AnsiStr>,
    RequestedInformation: u32,
    pSecurityDescriptor: Ptr,
    nLength: u32,
    lpnLengthNeeded: Ptr,
) -> ApiReturn {
    get_file_security(
        call,
        lpFileName.as_deref(),
        RequestedInformation,
        pSecurityDescriptor,
        nLength,
        lpnLengthNeeded,
    )
}

/// GetFileSecurityW.
#[export]
fn GetFileSecurityW(
    call: &mut ApiCall<'_>,
    lpFileName: Option<WideStr>,
    RequestedInformation: u32,
    pSecurityDescriptor: Ptr,
    nLength: u32,
    lpnLengthNeeded: Ptr,
) -> ApiReturn {
    get_file_security(
        call,
        lpFileName.as_deref(),
        RequestedInformation,
        pSecurityDescriptor,
        nLength,
        lpnLengthNeeded,
    )
}

fn set_file_security(call: &mut ApiCall<'_>, name: Option<&str>, info: u32, sd: Ptr) -> ApiReturn {
    let new = match read_descriptor(call, sd.0) {
        Ok(d) => d,
        Err(_) => return fail(call, Win32Error::INVALID_SECURITY_DESCR),
    };
    let key = match file_security_key(call, name) {
        Ok(k) => k,
        Err(e) => return fail(call, e),
    };
    let store = call.state.get::<FileSecurity>();
    let current = store
        .descriptors
        .get(&key)
        .cloned()
        .unwrap_or_else(default_file_descriptor);
    let merged = Descriptor::from_self_relative(&current)
        .unwrap_or_default()
        .merge(&new, info);
    store.descriptors.insert(key, merged.to_self_relative());
    ok_bool(call)
}

/// SetFileSecurityA(lpFileName, SecurityInformation, pSecurityDescriptor): kept for
/// GetFileSecurity (in memory; not enforced).
#[export]
fn SetFileSecurityA(
    call: &mut ApiCall<'_>,
    lpFileName: Option<AnsiStr>,
    SecurityInformation: u32,
    pSecurityDescriptor: Ptr,
) -> ApiReturn {
    set_file_security(
        call,
        lpFileName.as_deref(),
        SecurityInformation,
        pSecurityDescriptor,
    )
}

/// SetFileSecurityW.
#[export]
fn SetFileSecurityW(
    call: &mut ApiCall<'_>,
    lpFileName: Option<WideStr>,
    SecurityInformation: u32,
    pSecurityDescriptor: Ptr,
) -> ApiReturn {
    set_file_security(
        call,
        lpFileName.as_deref(),
        SecurityInformation,
        pSecurityDescriptor,
    )
}

// ----- accounts -----

/// Out-parameters of LookupAccountSid and LookupAccountName: a name (or SID) and a domain.
#[allow(clippy::too_many_arguments)]
fn lookup_account_sid(
    call: &mut ApiCall<'_>,
    chars: Chars,
    system: Option<&str>,
    sid_at: Ptr,
    name: Ptr,
    name_len: Ptr,
    domain: Ptr,
    domain_len: Ptr,
    use_out: Ptr,
) -> ApiReturn {
    if !is_local_system(call, system) {
        return fail(call, RPC_S_SERVER_UNAVAILABLE);
    }
    let Ok(s) = read_sid(call, sid_at.0) else {
        return fail(call, Win32Error::INVALID_SID);
    };
    let Some((_, account, dom, kind)) = accounts(call).into_iter().find(|(a, ..)| *a == s) else {
        return fail(call, Win32Error::NONE_MAPPED);
    };
    let (Ok(name_cap), Ok(domain_cap)) = (call.read_u32(name_len.0), call.read_u32(domain_len.0))
    else {
        return fail(call, Win32Error::NOACCESS);
    };
    let (n, d) = (chars.len(&account), chars.len(&dom));
    if name_cap <= n || domain_cap <= d || name.is_null() || domain.is_null() {
        let _ = call.write_u32(name_len.0, n + 1);
        let _ = call.write_u32(domain_len.0, d + 1);
        return fail(call, Win32Error::INSUFFICIENT_BUFFER);
    }
    let ok = matches!(
        copy_string(call, chars, name.0, name_cap, &account),
        Copied::Done(_)
    ) && matches!(
        copy_string(call, chars, domain.0, domain_cap, &dom),
        Copied::Done(_)
    ) && call.write_u32(name_len.0, n).is_ok()
        && call.write_u32(domain_len.0, d).is_ok()
        && call.write_out_u32(use_out.0, kind as u32).is_ok();
    if !ok {
        return fail(call, Win32Error::NOACCESS);
    }
    ok_bool(call)
}

/// LookupAccountSidA(lpSystemName, Sid, Name, cchName, ReferencedDomainName,
/// cchReferencedDomainName, peUse): the user, the machine's accounts and the well-known
/// groups; other SIDs are ERROR_NONE_MAPPED.
#[export]
fn LookupAccountSidA(
    call: &mut ApiCall<'_>,
    lpSystemName: Option<AnsiStr>,
    Sid: Ptr,
    Name: Ptr,
    cchName: Ptr,
    ReferencedDomainName: Ptr,
    cchReferencedDomainName: Ptr,
    peUse: Ptr,
) -> ApiReturn {
    lookup_account_sid(
        call,
        Chars::Ansi,
        lpSystemName.as_deref(),
        Sid,
        Name,
        cchName,
        ReferencedDomainName,
        cchReferencedDomainName,
        peUse,
    )
}

/// LookupAccountSidW.
#[export]
fn LookupAccountSidW(
    call: &mut ApiCall<'_>,
    lpSystemName: Option<WideStr>,
    Sid: Ptr,
    Name: Ptr,
    cchName: Ptr,
    ReferencedDomainName: Ptr,
    cchReferencedDomainName: Ptr,
    peUse: Ptr,
) -> ApiReturn {
    lookup_account_sid(
        call,
        Chars::Wide,
        lpSystemName.as_deref(),
        Sid,
        Name,
        cchName,
        ReferencedDomainName,
        cchReferencedDomainName,
        peUse,
    )
}

#[allow(clippy::too_many_arguments)]
fn lookup_account_name(
    call: &mut ApiCall<'_>,
    chars: Chars,
    system: Option<&str>,
    account: Option<&str>,
    sid_out: Ptr,
    sid_len: Ptr,
    domain: Ptr,
    domain_len: Ptr,
    use_out: Ptr,
) -> ApiReturn {
    if !is_local_system(call, system) {
        return fail(call, RPC_S_SERVER_UNAVAILABLE);
    }
    let wanted = account.unwrap_or("");
    let (want_domain, want_name) = match wanted.split_once('\\') {
        Some((d, n)) => (Some(d), n),
        None => (None, wanted),
    };
    let found = accounts(call).into_iter().find(|(_, n, d, _)| {
        n.eq_ignore_ascii_case(want_name) && want_domain.is_none_or(|w| w.eq_ignore_ascii_case(d))
    });
    let Some((s, _, dom, kind)) = found else {
        return fail(call, Win32Error::NONE_MAPPED);
    };
    let (Ok(sid_cap), Ok(domain_cap)) = (call.read_u32(sid_len.0), call.read_u32(domain_len.0))
    else {
        return fail(call, Win32Error::NOACCESS);
    };
    let d = chars.len(&dom);
    if sid_cap < s.len() as u32 || domain_cap <= d || sid_out.is_null() || domain.is_null() {
        let _ = call.write_u32(sid_len.0, s.len() as u32);
        let _ = call.write_u32(domain_len.0, d + 1);
        return fail(call, Win32Error::INSUFFICIENT_BUFFER);
    }
    let ok = call.write_bytes(sid_out.0, &s).is_ok()
        && matches!(
            copy_string(call, chars, domain.0, domain_cap, &dom),
            Copied::Done(_)
        )
        && call.write_u32(sid_len.0, s.len() as u32).is_ok()
        && call.write_u32(domain_len.0, d).is_ok()
        && call.write_out_u32(use_out.0, kind as u32).is_ok();
    if !ok {
        return fail(call, Win32Error::NOACCESS);
    }
    ok_bool(call)
}

/// LookupAccountNameA(lpSystemName, lpAccountName, Sid, cbSid, ReferencedDomainName,
/// cchReferencedDomainName, peUse): `name` or `DOMAIN\name`, without regard to case.
#[export]
fn LookupAccountNameA(
    call: &mut ApiCall<'_>,
    lpSystemName: Option<AnsiStr>,
    lpAccountName: Option<AnsiStr>,
    Sid: Ptr,
    cbSid: Ptr,
    ReferencedDomainName: Ptr,
    cchReferencedDomainName: Ptr,
    peUse: Ptr,
) -> ApiReturn {
    lookup_account_name(
        call,
        Chars::Ansi,
        lpSystemName.as_deref(),
        lpAccountName.as_deref(),
        Sid,
        cbSid,
        ReferencedDomainName,
        cchReferencedDomainName,
        peUse,
    )
}

/// LookupAccountNameW.
#[export]
fn LookupAccountNameW(
    call: &mut ApiCall<'_>,
    lpSystemName: Option<WideStr>,
    lpAccountName: Option<WideStr>,
    Sid: Ptr,
    cbSid: Ptr,
    ReferencedDomainName: Ptr,
    cchReferencedDomainName: Ptr,
    peUse: Ptr,
) -> ApiReturn {
    lookup_account_name(
        call,
        Chars::Wide,
        lpSystemName.as_deref(),
        lpAccountName.as_deref(),
        Sid,
        cbSid,
        ReferencedDomainName,
        cchReferencedDomainName,
        peUse,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sids_convert_both_ways() {
        let s = sid_from_string("S-1-5-21-1-2-3-1000").expect("sid");
        assert_eq!(s.len(), 28);
        assert_eq!(sid_to_string(&s), "S-1-5-21-1-2-3-1000");
        assert_eq!(
            sid(5, &[32, 544]),
            sid_from_string("S-1-5-32-544").expect("sid")
        );
    }

    #[test]
    fn descriptors_round_trip_and_merge() {
        let d = Descriptor::from_self_relative(&default_key_descriptor()).expect("parse");
        assert_eq!(d.owner, Some(sid(5, &[32, 544])));
        assert_eq!(d.to_self_relative(), default_key_descriptor());
        let only_owner = d.only(OWNER_SECURITY_INFORMATION);
        assert!(only_owner.dacl.is_none() && only_owner.owner.is_some());
        let merged = Descriptor::default().merge(&d, DACL_SECURITY_INFORMATION);
        assert_eq!(merged.dacl, d.dacl);
        assert!(merged.owner.is_none());
        assert_eq!(
            acl_used(d.dacl.as_deref().expect("dacl")),
            Some(d.dacl.as_ref().map_or(0, Vec::len))
        );
    }
}
