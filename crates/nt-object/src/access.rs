//! ACCESS_MASK values and the per-type generic mappings of the NT executive.

use crate::ObjectType;

/// An NT `ACCESS_MASK`: specific rights in bits 0-15, standard rights in 16-20,
/// ACCESS_SYSTEM_SECURITY, MAXIMUM_ALLOWED and the four generic rights at the top.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct AccessMask(pub u32);

impl AccessMask {
    /// DELETE.
    pub const DELETE: AccessMask = AccessMask(0x0001_0000);
    /// READ_CONTROL (also STANDARD_RIGHTS_READ, _WRITE and _EXECUTE).
    pub const READ_CONTROL: AccessMask = AccessMask(0x0002_0000);
    /// WRITE_DAC.
    pub const WRITE_DAC: AccessMask = AccessMask(0x0004_0000);
    /// WRITE_OWNER.
    pub const WRITE_OWNER: AccessMask = AccessMask(0x0008_0000);
    /// SYNCHRONIZE: the right to wait on the object.
    pub const SYNCHRONIZE: AccessMask = AccessMask(0x0010_0000);
    /// STANDARD_RIGHTS_REQUIRED: DELETE | READ_CONTROL | WRITE_DAC | WRITE_OWNER.
    pub const STANDARD_RIGHTS_REQUIRED: AccessMask = AccessMask(0x000F_0000);
    /// ACCESS_SYSTEM_SECURITY.
    pub const ACCESS_SYSTEM_SECURITY: AccessMask = AccessMask(0x0100_0000);
    /// MAXIMUM_ALLOWED: grant everything the object allows.
    pub const MAXIMUM_ALLOWED: AccessMask = AccessMask(0x0200_0000);
    /// GENERIC_ALL.
    pub const GENERIC_ALL: AccessMask = AccessMask(0x1000_0000);
    /// GENERIC_EXECUTE.
    pub const GENERIC_EXECUTE: AccessMask = AccessMask(0x2000_0000);
    /// GENERIC_WRITE.
    pub const GENERIC_WRITE: AccessMask = AccessMask(0x4000_0000);
    /// GENERIC_READ.
    pub const GENERIC_READ: AccessMask = AccessMask(0x8000_0000);
    /// The four generic bits together.
    pub const GENERIC_MASK: AccessMask = AccessMask(0xF000_0000);

    /// EVENT_QUERY_STATE.
    pub const EVENT_QUERY_STATE: AccessMask = AccessMask(0x0001);
    /// EVENT_MODIFY_STATE.
    pub const EVENT_MODIFY_STATE: AccessMask = AccessMask(0x0002);
    /// EVENT_ALL_ACCESS.
    pub const EVENT_ALL_ACCESS: AccessMask = AccessMask(0x001F_0003);
    /// MUTANT_QUERY_STATE.
    pub const MUTANT_QUERY_STATE: AccessMask = AccessMask(0x0001);
    /// MUTANT_ALL_ACCESS (MUTEX_ALL_ACCESS).
    pub const MUTANT_ALL_ACCESS: AccessMask = AccessMask(0x001F_0001);
    /// SEMAPHORE_QUERY_STATE.
    pub const SEMAPHORE_QUERY_STATE: AccessMask = AccessMask(0x0001);
    /// SEMAPHORE_MODIFY_STATE.
    pub const SEMAPHORE_MODIFY_STATE: AccessMask = AccessMask(0x0002);
    /// SEMAPHORE_ALL_ACCESS.
    pub const SEMAPHORE_ALL_ACCESS: AccessMask = AccessMask(0x001F_0003);

    /// PROCESS_TERMINATE.
    pub const PROCESS_TERMINATE: AccessMask = AccessMask(0x0001);
    /// PROCESS_CREATE_THREAD.
    pub const PROCESS_CREATE_THREAD: AccessMask = AccessMask(0x0002);
    /// PROCESS_VM_OPERATION.
    pub const PROCESS_VM_OPERATION: AccessMask = AccessMask(0x0008);
    /// PROCESS_VM_READ.
    pub const PROCESS_VM_READ: AccessMask = AccessMask(0x0010);
    /// PROCESS_VM_WRITE.
    pub const PROCESS_VM_WRITE: AccessMask = AccessMask(0x0020);
    /// PROCESS_DUP_HANDLE.
    pub const PROCESS_DUP_HANDLE: AccessMask = AccessMask(0x0040);
    /// PROCESS_CREATE_PROCESS.
    pub const PROCESS_CREATE_PROCESS: AccessMask = AccessMask(0x0080);
    /// PROCESS_SET_QUOTA.
    pub const PROCESS_SET_QUOTA: AccessMask = AccessMask(0x0100);
    /// PROCESS_SET_INFORMATION.
    pub const PROCESS_SET_INFORMATION: AccessMask = AccessMask(0x0200);
    /// PROCESS_QUERY_INFORMATION.
    pub const PROCESS_QUERY_INFORMATION: AccessMask = AccessMask(0x0400);
    /// PROCESS_ALL_ACCESS as NT 4.0 defines it.
    pub const PROCESS_ALL_ACCESS: AccessMask = AccessMask(0x001F_0FFF);

    /// THREAD_TERMINATE.
    pub const THREAD_TERMINATE: AccessMask = AccessMask(0x0001);
    /// THREAD_SUSPEND_RESUME.
    pub const THREAD_SUSPEND_RESUME: AccessMask = AccessMask(0x0002);
    /// THREAD_GET_CONTEXT.
    pub const THREAD_GET_CONTEXT: AccessMask = AccessMask(0x0008);
    /// THREAD_SET_CONTEXT.
    pub const THREAD_SET_CONTEXT: AccessMask = AccessMask(0x0010);
    /// THREAD_SET_INFORMATION.
    pub const THREAD_SET_INFORMATION: AccessMask = AccessMask(0x0020);
    /// THREAD_QUERY_INFORMATION.
    pub const THREAD_QUERY_INFORMATION: AccessMask = AccessMask(0x0040);
    /// THREAD_ALL_ACCESS as NT 4.0 defines it.
    pub const THREAD_ALL_ACCESS: AccessMask = AccessMask(0x001F_03FF);

    /// FILE_ALL_ACCESS.
    pub const FILE_ALL_ACCESS: AccessMask = AccessMask(0x001F_01FF);
    /// SECTION_ALL_ACCESS.
    pub const SECTION_ALL_ACCESS: AccessMask = AccessMask(0x000F_001F);

    /// KEY_QUERY_VALUE.
    pub const KEY_QUERY_VALUE: AccessMask = AccessMask(0x0001);
    /// KEY_SET_VALUE.
    pub const KEY_SET_VALUE: AccessMask = AccessMask(0x0002);
    /// KEY_CREATE_SUB_KEY.
    pub const KEY_CREATE_SUB_KEY: AccessMask = AccessMask(0x0004);
    /// KEY_ENUMERATE_SUB_KEYS.
    pub const KEY_ENUMERATE_SUB_KEYS: AccessMask = AccessMask(0x0008);
    /// KEY_NOTIFY.
    pub const KEY_NOTIFY: AccessMask = AccessMask(0x0010);
    /// KEY_CREATE_LINK.
    pub const KEY_CREATE_LINK: AccessMask = AccessMask(0x0020);
    /// KEY_READ: READ_CONTROL, KEY_QUERY_VALUE, KEY_ENUMERATE_SUB_KEYS, KEY_NOTIFY.
    pub const KEY_READ: AccessMask = AccessMask(0x0002_0019);
    /// KEY_WRITE: READ_CONTROL, KEY_SET_VALUE, KEY_CREATE_SUB_KEY.
    pub const KEY_WRITE: AccessMask = AccessMask(0x0002_0006);
    /// KEY_ALL_ACCESS.
    pub const KEY_ALL_ACCESS: AccessMask = AccessMask(0x000F_003F);

    /// TOKEN_ASSIGN_PRIMARY.
    pub const TOKEN_ASSIGN_PRIMARY: AccessMask = AccessMask(0x0001);
    /// TOKEN_DUPLICATE.
    pub const TOKEN_DUPLICATE: AccessMask = AccessMask(0x0002);
    /// TOKEN_IMPERSONATE.
    pub const TOKEN_IMPERSONATE: AccessMask = AccessMask(0x0004);
    /// TOKEN_QUERY.
    pub const TOKEN_QUERY: AccessMask = AccessMask(0x0008);
    /// TOKEN_QUERY_SOURCE.
    pub const TOKEN_QUERY_SOURCE: AccessMask = AccessMask(0x0010);
    /// TOKEN_ADJUST_PRIVILEGES.
    pub const TOKEN_ADJUST_PRIVILEGES: AccessMask = AccessMask(0x0020);
    /// TOKEN_ADJUST_GROUPS.
    pub const TOKEN_ADJUST_GROUPS: AccessMask = AccessMask(0x0040);
    /// TOKEN_ADJUST_DEFAULT.
    pub const TOKEN_ADJUST_DEFAULT: AccessMask = AccessMask(0x0080);
    /// TOKEN_ALL_ACCESS as NT 4.0 defines it.
    pub const TOKEN_ALL_ACCESS: AccessMask = AccessMask(0x000F_00FF);

    /// True when every bit of `desired` is in `self`.
    #[inline]
    pub fn contains(self, desired: AccessMask) -> bool {
        self.0 & desired.0 == desired.0
    }

    /// True when any generic bit or MAXIMUM_ALLOWED is set, so the mask needs mapping.
    #[inline]
    pub fn needs_mapping(self) -> bool {
        self.0 & (Self::GENERIC_MASK.0 | Self::MAXIMUM_ALLOWED.0) != 0
    }
}

impl std::ops::BitOr for AccessMask {
    type Output = AccessMask;
    fn bitor(self, rhs: AccessMask) -> AccessMask {
        AccessMask(self.0 | rhs.0)
    }
}

impl std::ops::BitAnd for AccessMask {
    type Output = AccessMask;
    fn bitand(self, rhs: AccessMask) -> AccessMask {
        AccessMask(self.0 & rhs.0)
    }
}

/// A `GENERIC_MAPPING`: what GENERIC_READ, _WRITE, _EXECUTE and _ALL mean for one object type.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct GenericMapping {
    /// The specific rights GENERIC_READ stands for.
    pub read: AccessMask,
    /// The specific rights GENERIC_WRITE stands for.
    pub write: AccessMask,
    /// The specific rights GENERIC_EXECUTE stands for.
    pub execute: AccessMask,
    /// The specific rights GENERIC_ALL stands for: every valid right of the type.
    pub all: AccessMask,
}

const fn mapping(read: u32, write: u32, execute: u32, all: u32) -> GenericMapping {
    GenericMapping {
        read: AccessMask(read),
        write: AccessMask(write),
        execute: AccessMask(execute),
        all: AccessMask(all),
    }
}

impl ObjectType {
    /// The generic mapping the NT executive registers for this type.
    pub const fn generic_mapping(self) -> GenericMapping {
        match self {
            ObjectType::Event | ObjectType::Semaphore => {
                mapping(0x0002_0001, 0x0002_0002, 0x0012_0000, 0x001F_0003)
            }
            ObjectType::Mutant => mapping(0x0002_0001, 0x0002_0000, 0x0012_0000, 0x001F_0001),
            ObjectType::Process => mapping(0x0002_0410, 0x0002_0BEB, 0x0012_0000, 0x001F_0FFF),
            ObjectType::Thread => mapping(0x0002_0048, 0x0002_0037, 0x0012_0000, 0x001F_03FF),
            ObjectType::File => mapping(0x0012_0089, 0x0012_0116, 0x0012_00A0, 0x001F_01FF),
            ObjectType::Section => mapping(0x0002_0005, 0x0002_0002, 0x0002_0008, 0x000F_001F),
            // KEY_READ, KEY_WRITE, KEY_EXECUTE (= KEY_READ), KEY_ALL_ACCESS.
            ObjectType::Key => mapping(0x0002_0019, 0x0002_0006, 0x0002_0019, 0x000F_003F),
            // TOKEN_READ, TOKEN_WRITE, TOKEN_EXECUTE, TOKEN_ALL_ACCESS (NT 4.0's).
            ObjectType::Token => mapping(0x0002_0008, 0x0002_00E0, 0x0002_0000, 0x000F_00FF),
        }
    }

    /// Maps generic rights and MAXIMUM_ALLOWED in `desired` to this type's specific rights and
    /// drops bits the type does not define, giving the mask a new handle is granted.
    pub fn map_access(self, desired: AccessMask) -> AccessMask {
        let m = self.generic_mapping();
        let mut out = desired.0 & !(AccessMask::GENERIC_MASK.0 | AccessMask::MAXIMUM_ALLOWED.0);
        if desired.0 & AccessMask::GENERIC_READ.0 != 0 {
            out |= m.read.0;
        }
        if desired.0 & AccessMask::GENERIC_WRITE.0 != 0 {
            out |= m.write.0;
        }
        if desired.0 & AccessMask::GENERIC_EXECUTE.0 != 0 {
            out |= m.execute.0;
        }
        if desired.0 & (AccessMask::GENERIC_ALL.0 | AccessMask::MAXIMUM_ALLOWED.0) != 0 {
            out |= m.all.0;
        }
        AccessMask(out & m.all.0)
    }
}
