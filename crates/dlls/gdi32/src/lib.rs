//! GDI32.dll: NT 4.0's export catalogue; the functions come with the work that needs them.
//! Every catalogued function binds to a thunk that stops the process naming it when called.

use win32::{BuiltinDll, DllHooks};

/// GDI32.dll.
pub static DLL: BuiltinDll = BuiltinDll {
    name: "GDI32.dll",
    exports: &[],
    catalogue: include_str!("../nt4-exports.txt"),
    later_catalogue: "",
    hooks: DllHooks {
        data_export: None,
        internal_thunk: None,
        process_attach: None,
        process_start: None,
    },
};
