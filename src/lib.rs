//! ntemu runs Windows NT 4.0-era programs built for Intel x86 or DEC Alpha AXP on a Linux
//! host. This facade crate is the embedding library: it re-exports the executive's parts.
//!
//! Today it holds the object manager ([`object`]): kernel objects, per-process handle tables
//! with NT's handle values, named objects and waits. Processes, threads and the CPUs follow.

pub use nt_object as object;
pub use nt_status as status;

pub use nt_object::{
    AccessMask, Handle, HandleAttributes, HandleTable, Object, ObjectError, ObjectManager,
    ObjectType,
};
pub use nt_status::{NtStatus, Win32Error};
