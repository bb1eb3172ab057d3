//! VerifyVersionInfoA/W: compares the system's version (NT 4.0 SP6 workstation, as
//! GetVersionEx reports it) with a caller's OSVERSIONINFOEX under a condition mask built
//! with VerSetConditionMask.

use nt_status::Win32Error;
use ntdll::object::condition_of;
use win32::{ApiCall, ApiReturn, Ptr, export};

/// ERROR_BAD_ARGUMENTS: an empty type or condition mask.
const BAD_ARGUMENTS: Win32Error = Win32Error(160);
/// ERROR_OLD_WIN_VERSION: the system does not satisfy the conditions.
const OLD_WIN_VERSION: Win32Error = Win32Error(1150);

const VER_MINORVERSION: u32 = 0x01;
const VER_MAJORVERSION: u32 = 0x02;
const VER_BUILDNUMBER: u32 = 0x04;
const VER_PLATFORMID: u32 = 0x08;
const VER_SERVICEPACKMINOR: u32 = 0x10;
const VER_SERVICEPACKMAJOR: u32 = 0x20;
const VER_SUITENAME: u32 = 0x40;
const VER_PRODUCT_TYPE: u32 = 0x80;

const EQUAL: u8 = 1;
const GREATER: u8 = 2;
const GREATER_EQUAL: u8 = 3;
const LESS: u8 = 4;
const LESS_EQUAL: u8 = 5;
const AND: u8 = 6;
const OR: u8 = 7;

/// The fields of an OSVERSIONINFOEX VerifyVersionInfo looks at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct VersionFields {
    pub(crate) major: u32,
    pub(crate) minor: u32,
    pub(crate) build: u32,
    pub(crate) platform: u32,
    pub(crate) sp_major: u32,
    pub(crate) sp_minor: u32,
    pub(crate) suite: u32,
    pub(crate) product: u32,
}

/// The system's: NT 4.0 build 1381, Service Pack 6, a workstation.
const SYSTEM: VersionFields = VersionFields {
    major: 4,
    minor: 0,
    build: crate::startup::NT4_BUILD,
    platform: 2,
    sp_major: 6,
    sp_minor: 0,
    suite: 0,
    product: 1,
};

/// `system` compared with `wanted` under an ordering condition; other conditions fail.
fn holds(system: u32, wanted: u32, condition: u8) -> bool {
    match condition {
        EQUAL => system == wanted,
        GREATER => system > wanted,
        GREATER_EQUAL => system >= wanted,
        LESS => system < wanted,
        LESS_EQUAL => system <= wanted,
        _ => false,
    }
}

/// The suite condition: VER_AND wants every wanted bit, VER_OR any (or none wanted).
fn suite_holds(system: u32, wanted: u32, condition: u8) -> bool {
    match condition {
        AND => system & wanted == wanted,
        OR => wanted == 0 || system & wanted != 0,
        _ => false,
    }
}

/// True when `next` goes the same way as the version group's condition `group` (an
/// equality test goes either way), so a later field may keep its own condition.
fn same_direction(group: u8, next: u8) -> bool {
    match group {
        EQUAL => (EQUAL..=LESS_EQUAL).contains(&next),
        GREATER | GREATER_EQUAL => (EQUAL..=GREATER_EQUAL).contains(&next),
        LESS | LESS_EQUAL => matches!(next, EQUAL | LESS | LESS_EQUAL),
        _ => false,
    }
}

/// The major, minor, service pack major and minor numbers form one version, compared
/// field by field from the most significant while the fields are equal. The first field
/// checked sets the group's condition (an equality test is replaced by the first ordering
/// condition after it); a later field keeps its own condition only when it goes the same
/// way, and once a field has none, the group's condition serves for the rest.
fn version_holds(wanted: &VersionFields, types: u32, mask: u64) -> bool {
    let fields = [
        (VER_MAJORVERSION, SYSTEM.major, wanted.major),
        (VER_MINORVERSION, SYSTEM.minor, wanted.minor),
        (VER_SERVICEPACKMAJOR, SYSTEM.sp_major, wanted.sp_major),
        (VER_SERVICEPACKMINOR, SYSTEM.sp_minor, wanted.sp_minor),
    ];
    let mut group: Option<u8> = None;
    let mut fixed = false;
    let mut result = true;
    for (bit, system, want) in fields {
        if types & bit == 0 {
            continue;
        }
        let own = condition_of(mask, bit);
        let condition = match group {
            None => {
                group = Some(own);
                if own == 0 {
                    fixed = true;
                }
                own
            }
            Some(g) if !fixed && same_direction(g, own) => {
                if g == EQUAL {
                    group = Some(own);
                }
                own
            }
            Some(g) => {
                if own == 0 {
                    fixed = true;
                }
                g
            }
        };
        result = holds(system, want, condition);
        let go_on = system == want && (EQUAL..=LESS_EQUAL).contains(&condition);
        if !go_on {
            break;
        }
    }
    result
}

/// Whether the system satisfies every condition `types` names.
pub(crate) fn verify(wanted: &VersionFields, types: u32, mask: u64) -> bool {
    let single = [
        (VER_BUILDNUMBER, SYSTEM.build, wanted.build),
        (VER_PLATFORMID, SYSTEM.platform, wanted.platform),
        (VER_PRODUCT_TYPE, SYSTEM.product, wanted.product),
    ];
    for (bit, system, want) in single {
        if types & bit != 0 && !holds(system, want, condition_of(mask, bit)) {
            return false;
        }
    }
    if types & VER_SUITENAME != 0
        && !suite_holds(
            SYSTEM.suite,
            wanted.suite,
            condition_of(mask, VER_SUITENAME),
        )
    {
        return false;
    }
    let group = VER_MAJORVERSION | VER_MINORVERSION | VER_SERVICEPACKMAJOR | VER_SERVICEPACKMINOR;
    types & group == 0 || version_holds(wanted, types, mask)
}

/// Reads an OSVERSIONINFOEX whose szCSDVersion takes `csd` bytes.
fn read_fields(call: &ApiCall<'_>, at: u32, csd: u32) -> Option<VersionFields> {
    let word = |o: u32| call.read_u32(at + o).ok();
    let tail = call.read_bytes(at + 20 + csd, 8).ok()?;
    let half = |i: usize| u32::from(u16::from_le_bytes([tail[i], tail[i + 1]]));
    Some(VersionFields {
        major: word(4)?,
        minor: word(8)?,
        build: word(12)?,
        platform: word(16)?,
        sp_major: half(0),
        sp_minor: half(2),
        suite: half(4),
        product: u32::from(tail[6]),
    })
}

fn verify_version_info(
    call: &mut ApiCall<'_>,
    info: Ptr,
    types: u32,
    mask: u64,
    csd: u32,
) -> ApiReturn {
    if types == 0 || mask == 0 {
        return call.fail_win32(BAD_ARGUMENTS, 0);
    }
    let Some(wanted) = read_fields(call, info.0, csd) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    if verify(&wanted, types, mask) {
        ApiReturn::Value(1)
    } else {
        call.fail_win32(OLD_WIN_VERSION, 0)
    }
}

/// BOOL VerifyVersionInfoA(LPOSVERSIONINFOEXA lpVersionInfo, DWORD dwTypeMask, DWORDLONG
/// dwlConditionMask): TRUE when the system satisfies the conditions; FALSE with
/// ERROR_OLD_WIN_VERSION when not, ERROR_BAD_ARGUMENTS for empty masks.
#[export]
fn VerifyVersionInfoA(
    call: &mut ApiCall<'_>,
    lpVersionInfo: Ptr,
    dwTypeMask: u32,
    dwlConditionMask: u64,
) -> ApiReturn {
    verify_version_info(call, lpVersionInfo, dwTypeMask, dwlConditionMask, 128)
}

/// BOOL VerifyVersionInfoW(LPOSVERSIONINFOEXW, DWORD, DWORDLONG).
#[export]
fn VerifyVersionInfoW(
    call: &mut ApiCall<'_>,
    lpVersionInfo: Ptr,
    dwTypeMask: u32,
    dwlConditionMask: u64,
) -> ApiReturn {
    verify_version_info(call, lpVersionInfo, dwTypeMask, dwlConditionMask, 256)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntdll::object::set_condition;

    const ALL: u32 =
        VER_MAJORVERSION | VER_MINORVERSION | VER_SERVICEPACKMAJOR | VER_SERVICEPACKMINOR;

    fn mask(pairs: &[(u32, u8)]) -> u64 {
        pairs.iter().fold(0, |m, &(t, c)| set_condition(m, t, c))
    }

    #[test]
    fn versions_compare_as_one_number() {
        let newer_minor = VersionFields { minor: 1, ..SYSTEM };
        assert!(verify(
            &newer_minor,
            ALL,
            mask(&[(VER_MAJORVERSION, EQUAL), (VER_MINORVERSION, LESS)])
        ));
        assert!(!verify(
            &newer_minor,
            ALL,
            mask(&[(VER_MAJORVERSION, GREATER_EQUAL), (VER_MINORVERSION, LESS)])
        ));
        let old = VersionFields {
            major: 3,
            minor: 10,
            ..SYSTEM
        };
        assert!(verify(
            &old,
            ALL,
            mask(&[
                (VER_MAJORVERSION, GREATER_EQUAL),
                (VER_MINORVERSION, GREATER_EQUAL)
            ])
        ));
        let zero = VersionFields::default();
        assert!(!verify(
            &zero,
            ALL | VER_BUILDNUMBER,
            mask(&[(VER_MAJORVERSION, GREATER_EQUAL)])
        ));
        assert!(verify(&zero, VER_SUITENAME, mask(&[(VER_SUITENAME, AND)])));
    }
}
