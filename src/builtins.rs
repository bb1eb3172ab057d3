//! The builtin DLLs a machine gets, and the layer that serves them.

use std::sync::{Arc, OnceLock};

use win32::{BuiltinDll, Builtins, HostIo, Win32};

/// Every builtin DLL, in the order their thunks are numbered: NTDLL, KERNEL32, the C
/// runtimes, USER32, GDI32, ADVAPI32, WSOCK32, VERSION, WINMM.
pub fn builtin_dlls() -> [&'static BuiltinDll; 10] {
    [
        &ntdll::DLL,
        &kernel32::DLL,
        &msvcrt::DLL,
        &msvcrt::CRTDLL,
        &user32::DLL,
        &gdi32::DLL,
        &advapi32::DLL,
        &wsock32::DLL,
        &version::DLL,
        &winmm::DLL,
    ]
}

/// The table of every builtin DLL's thunks, made once and shared by every machine.
pub fn builtins() -> Arc<Builtins> {
    static TABLE: OnceLock<Arc<Builtins>> = OnceLock::new();
    Arc::clone(TABLE.get_or_init(|| {
        // NTDLL's native file services are served by KERNEL32's file system.
        ntdll::file::install_file_services(&kernel32::NTDLL_FILE_SERVICES);
        let mut table = Builtins::new(&builtin_dlls());
        table.add_inline(ntdll::DLL.name, ntdll::INLINE);
        table.add_inline(kernel32::DLL.name, kernel32::INLINE);
        table.add_inline(msvcrt::DLL.name, msvcrt::INLINE);
        table.add_inline(msvcrt::CRTDLL.name, msvcrt::INLINE);
        Arc::new(table)
    }))
}

/// The builtin-DLL layer of a new machine, writing guest output to `io`, with NTDLL's
/// exception dispatcher and KERNEL32's console serving a host that rings the machine's
/// [`HostSignal`](nt_kernel::HostSignal) (a terminal's keys, Ctrl+C, a new size).
pub fn win32_layer(io: HostIo) -> Win32 {
    let mut layer = Win32::new(io, builtins(), Some(ntdll::EXCEPTIONS));
    layer.set_host_event_handler(kernel32::console::serve_host);
    layer
}
