//! What every builtin DLL of ntemu needs: the call frame a builtin sees ([`ApiCall`]), the ABI
//! adapters for x86 and Alpha guests ([`abi`]), typed arguments and results ([`args`]), guest
//! strings in NT's code pages ([`codepage`]), the printf engine ([`format`](mod@format)), per-process and
//! per-machine state ([`PerProcess`], [`Win32State`]), the export tables and NT 4.0's export
//! catalogues ([`Export`], [`BuiltinDll`], [`Builtins`]), the leaf builtins the CPUs serve
//! inside their run loop ([`inline`]), the relay trace ([`relay`]), and the
//! machine's [`SystemServices`](nt_kernel::SystemServices) that dispatches a thunk to its builtin ([`Win32`]).
//!
//! The DLLs themselves are crates of their own (`crates/dlls/*`): each declares its builtins
//! as typed Rust functions with [`export`], lists them in a [`BuiltinDll`], and is handed to
//! [`Win32::new`] by whoever assembles a machine. One function serves x86 and Alpha guests.
//!
//! A call to a function NT 4.0's DLL exports but ntemu does not implement stops the process
//! with `unimplemented: DLL!Name called from 0x...` on stderr and exit status
//! STATUS_ENTRYPOINT_NOT_FOUND, as Wine does for unimplemented functions.

extern crate self as win32;

pub mod abi;
mod api;
pub mod args;
pub mod calendar;
pub mod catalogue;
pub mod codepage;
mod exports;
pub mod format;
pub mod inline;
mod layer;
pub mod relay;

pub use abi::CallingConvention;
pub use api::{
    ApiCall, ApiReturn, ConsoleHandles, HousekeepingHook, IdleHook, PerProcess, Win32State,
    is_console_handle,
};
pub use args::{
    AnsiStr, ArgError, ArgFrame, FromArg, IntoReturn, OutBuf, Ptr, ValueKind, VarArgs, WideStr,
};
pub use exports::{
    ApiFunction, BuiltinDll, Builtins, DllHooks, Export, FIRST_FUNCTION_THUNK, ImportStatus, Param,
    THUNK_SPACING, ThunkTarget, attach_process, dll_matches,
};
pub use inline::{InlineCall, InlineExport, InlineFunction};
pub use layer::{
    ExceptionDispatch, HostEventHandler, HostIo, SharedBuffer, Sink, UnimplementedCall, Win32, sink,
};
/// Declares a builtin: `#[export] fn CloseHandle(call: &mut ApiCall<'_>, hObject: Handle) -> bool`.
/// See the `win32-macros` crate for what it derives.
pub use win32_macros::export;

/// The export entries of a list of declared builtins, for a [`BuiltinDll`]'s `exports`:
/// `exports![CloseHandle, file::CreateFileA, "LocalAlloc" => GlobalAlloc]` (the last form
/// exports a builtin under another name).
#[macro_export]
macro_rules! exports {
    ($($($alias:literal =>)? $f:path),* $(,)?) => {
        &[$($crate::export_entry!($($alias)? ; $f)),*]
    };
}

/// One entry of [`exports!`].
#[doc(hidden)]
#[macro_export]
macro_rules! export_entry {
    (; $f:path) => {
        <$f>::EXPORT
    };
    ($alias:literal ; $f:path) => {
        $crate::Export {
            name: $alias,
            ..<$f>::EXPORT
        }
    };
}
