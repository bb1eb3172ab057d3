//! Export tables: what a builtin DLL declares, NT 4.0's catalogue of what the real DLL
//! exports, and the machine-wide table of thunks the loader binds imports to.

use std::collections::HashMap;

use nt_kernel::{ServiceOutcome, THUNK_BASE};
use nt_memory::Fault;
use nt_status::NtStatus;
use pe_image::{ImportResolver, ImportSymbol};

use crate::CallingConvention;
use crate::api::{ApiCall, ApiReturn};
use crate::args::ValueKind;
use crate::catalogue::{Catalogue, CatalogueEntry};
use crate::inline::{InlineEntry, InlineExport, MAX_INLINE_ARGUMENTS};

/// A builtin function's entry point: decodes its arguments from the call and runs it.
pub type ApiFunction = fn(&mut ApiCall<'_>) -> ApiReturn;

/// One parameter of a builtin, as the relay trace shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    /// The parameter's name in the NT documentation (`lpFileName`).
    pub name: &'static str,
    /// How its value is read and printed.
    pub kind: ValueKind,
}

/// One export of a builtin DLL, as [`export`](crate::export) derives it from the function.
#[derive(Clone, Copy)]
pub struct Export {
    /// The exported name.
    pub name: &'static str,
    /// How many 32-bit argument slots the function takes on x86 (a double takes two).
    pub arguments: u8,
    /// Who pops the arguments on x86.
    pub convention: CallingConvention,
    /// The parameters, in order (a trailing [`ValueKind::VarArgs`] takes the rest).
    pub params: &'static [Param],
    /// How the result is printed.
    pub returns: ValueKind,
    /// The Rust module that implements it (`kernel32::heap`): its last part is the trace
    /// channel the function's relay lines belong to (`WINEDEBUG=+relay,-heap`).
    pub module: &'static str,
    /// The implementation.
    pub function: ApiFunction,
}

impl Export {
    /// The trace channel of the function: the last part of its module path, without an
    /// `_api` suffix (`kernel32::console_api` is the `console` channel).
    pub fn channel(&self) -> &'static str {
        let last = self.module.rsplit("::").next().unwrap_or(self.module);
        last.strip_suffix("_api").unwrap_or(last)
    }
}

impl std::fmt::Debug for Export {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.name, self.arguments)
    }
}

/// What a DLL does beyond its exported functions: data exports, and thunks of its own below
/// [`FIRST_FUNCTION_THUNK`] (where exception handlers and callbacks return to).
#[derive(Clone, Copy, Default)]
pub struct DllHooks {
    /// The address a data export (`_iob`, `__argc`) binds to, if the DLL provides it.
    pub data_export: Option<fn(&str) -> Option<u32>>,
    /// Serves a jump to one of the DLL's own thunks; None when the address is not one.
    pub internal_thunk: Option<fn(&mut ApiCall<'_>, u32) -> Option<ServiceOutcome>>,
    /// Sets the DLL up in a new process whose image imports it, when the process is created
    /// and before it runs (its data exports valid from the first instruction): the call is
    /// on the process's first thread. See [`attach_process`].
    pub process_attach: Option<fn(&mut ApiCall<'_>)>,
    /// Finishes a new process's set-up in the process, when the first of its threads first
    /// runs (what NT's loader does there: binding the image's imports, the process heap):
    /// the call is on that thread. Only for processes whose creator deferred it.
    pub process_start: Option<fn(&mut ApiCall<'_>)>,
}

/// Runs the `process_attach` hook of each builtin DLL `image` imports (once per DLL, in the
/// order of the image's imports), for the process `call` is on, just created from `image`.
/// Whoever creates a process from an image calls it: the facade's loader and KERNEL32's
/// CreateProcess.
pub fn attach_process(call: &mut ApiCall<'_>, image: &pe_image::PeImage) {
    let builtins = call.builtins;
    let mut attached: Vec<usize> = Vec::new();
    for imported in &image.imports {
        let Some(index) = builtins.dll_index(&imported.dll) else {
            continue;
        };
        if attached.contains(&index) {
            continue;
        }
        attached.push(index);
        if let Some(hook) = builtins.dlls[index].dll.hooks.process_attach {
            hook(call);
        }
    }
}

/// A builtin DLL: its name, the functions ntemu implements, and NT 4.0's catalogue of the
/// names and ordinals the real DLL exports.
#[derive(Clone, Copy)]
pub struct BuiltinDll {
    /// The DLL's file name (`KERNEL32.dll`).
    pub name: &'static str,
    /// The implemented exports.
    pub exports: &'static [Export],
    /// The text of the DLL's NT 4.0 export catalogue (see [`crate::catalogue`]).
    pub catalogue: &'static str,
    /// Names the DLL exports beyond NT 4.0's catalogue, in the same format (its
    /// `later-exports.txt`; empty for none): GetProcAddress finds them, the coverage counts
    /// them apart.
    pub later_catalogue: &'static str,
    /// Data exports and the DLL's own thunks.
    pub hooks: DllHooks,
}

impl std::fmt::Debug for BuiltinDll {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({} exports)", self.name, self.exports.len())
    }
}

/// The first thunk address given to builtin functions (the layer's own thunks, module
/// handles and the exit-thread thunk sit below).
pub const FIRST_FUNCTION_THUNK: u32 = THUNK_BASE + 0x100;
/// Bytes between two function thunks.
pub const THUNK_SPACING: u32 = 4;
/// The last usable thunk address (the range ends at 4 GiB's lower half).
const LAST_THUNK: u32 = 0x7FFF_FFFC;

/// True when `requested` (a DLL name, with or without `.dll`, in any case, or a path
/// ending in one) names the builtin DLL `builtin`.
pub fn dll_matches(builtin: &str, requested: &str) -> bool {
    fn stem(name: &str) -> &str {
        let file = name.rsplit(['\\', '/']).next().unwrap_or(name);
        match file.len().checked_sub(4) {
            Some(at) if file.is_char_boundary(at) && file[at..].eq_ignore_ascii_case(".dll") => {
                &file[..at]
            }
            _ => file,
        }
    }
    !stem(requested).is_empty() && stem(builtin).eq_ignore_ascii_case(stem(requested))
}

/// Where a thunk address leads.
#[derive(Clone, Copy, Debug)]
pub struct ThunkTarget {
    /// The DLL's index in the table.
    pub dll: u16,
    /// The DLL's name.
    pub dll_name: &'static str,
    /// The function's name.
    pub name: &'static str,
    /// Its NT 4.0 ordinal; None for a function NT 4.0's DLL does not export (bound by a
    /// static import only, never by GetProcAddress).
    pub ordinal: Option<u16>,
    /// The implementation; None for a catalogued function ntemu does not implement.
    pub export: Option<&'static Export>,
}

/// What ntemu has for one import of an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportStatus {
    /// A builtin implements it.
    Implemented,
    /// NT 4.0's DLL exports it but ntemu does not implement it: calling it stops the
    /// process naming it.
    Catalogued,
    /// NT 4.0's DLL of that name does not export it.
    Unknown,
    /// The DLL is not a builtin one.
    NotBuiltin,
}

/// One DLL of the table.
struct DllTable {
    dll: &'static BuiltinDll,
    catalogue: Catalogue,
    /// Thunk index of each name the DLL has (catalogued or implemented).
    by_name: HashMap<&'static str, u32>,
}

/// The machine-wide table of builtin DLLs and their thunks: every catalogued or implemented
/// function has one thunk address, which imports and GetProcAddress bind to.
pub struct Builtins {
    dlls: Vec<DllTable>,
    thunks: Vec<ThunkTarget>,
    /// The inline version of each thunk's function, if it has one.
    inline: Vec<Option<InlineEntry>>,
}

impl std::fmt::Debug for Builtins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Builtins({} DLLs, {} thunks)",
            self.dlls.len(),
            self.thunks.len()
        )
    }
}

impl Builtins {
    /// The table of `dlls`, in order. A malformed catalogue line is skipped (the catalogues
    /// are the project's own data, checked by its tests).
    pub fn new(dlls: &[&'static BuiltinDll]) -> Self {
        let mut tables = Vec::with_capacity(dlls.len());
        let mut thunks = Vec::new();
        for (index, &dll) in dlls.iter().enumerate() {
            let catalogue = Catalogue::parse_with_later(dll.catalogue, dll.later_catalogue);
            let mut by_name = HashMap::new();
            let implemented: HashMap<&'static str, &'static Export> =
                dll.exports.iter().map(|e| (e.name, e)).collect();
            for entry in catalogue.entries() {
                if entry.data {
                    continue;
                }
                by_name.insert(entry.name, thunks.len() as u32);
                thunks.push(ThunkTarget {
                    dll: index as u16,
                    dll_name: dll.name,
                    name: entry.name,
                    ordinal: Some(entry.ordinal),
                    export: implemented.get(entry.name).copied(),
                });
            }
            for export in dll.exports {
                if by_name.contains_key(export.name) {
                    continue;
                }
                by_name.insert(export.name, thunks.len() as u32);
                thunks.push(ThunkTarget {
                    dll: index as u16,
                    dll_name: dll.name,
                    name: export.name,
                    ordinal: None,
                    export: Some(export),
                });
            }
            tables.push(DllTable {
                dll,
                catalogue,
                by_name,
            });
        }
        let capacity = ((LAST_THUNK - FIRST_FUNCTION_THUNK) / THUNK_SPACING) as usize;
        thunks.truncate(capacity);
        Builtins {
            dlls: tables,
            inline: vec![None; thunks.len()],
            thunks,
        }
    }

    /// Gives the implemented exports of DLL `dll` named in `inline` the inline versions
    /// there (see [`crate::inline`]); a name the DLL does not implement, or a function of
    /// more than [`MAX_INLINE_ARGUMENTS`] arguments or of the fastcall convention, is left
    /// without one.
    pub fn add_inline(&mut self, dll: &str, inline: &[InlineExport]) {
        let Some(index) = self.dll_index(dll) else {
            return;
        };
        for item in inline {
            let Some(&thunk) = self.dlls[index].by_name.get(item.name) else {
                continue;
            };
            let Some(export) = self.thunks[thunk as usize].export else {
                continue;
            };
            if usize::from(export.arguments) > MAX_INLINE_ARGUMENTS
                || export.convention == CallingConvention::Fastcall
            {
                continue;
            }
            self.inline[thunk as usize] = Some(InlineEntry {
                function: item.function,
                arguments: export.arguments,
                convention: export.convention,
            });
        }
    }

    /// The inline versions, by thunk index.
    pub(crate) fn inline_entries(&self) -> &[Option<InlineEntry>] {
        &self.inline
    }

    /// The DLLs, in order.
    pub fn dlls(&self) -> impl Iterator<Item = &'static BuiltinDll> + '_ {
        self.dlls.iter().map(|t| t.dll)
    }

    /// The index of the builtin DLL `name` names (see [`dll_matches`]).
    pub fn dll_index(&self, name: &str) -> Option<usize> {
        self.dlls.iter().position(|t| dll_matches(t.dll.name, name))
    }

    /// The NT 4.0 catalogue of DLL `index`.
    pub fn catalogue(&self, index: usize) -> Option<&Catalogue> {
        self.dlls.get(index).map(|t| &t.catalogue)
    }

    /// The module handle of DLL `index` (what LoadLibrary and GetModuleHandle return): an address
    /// in `THUNK_BASE + 0x80 .. FIRST_FUNCTION_THUNK`, which no internal thunk may use (internal
    /// thunks live below `THUNK_BASE + 0x80`).
    pub fn module_handle(&self, index: usize) -> u32 {
        FIRST_FUNCTION_THUNK - 0x80 + 4 * index as u32
    }

    /// The DLL a module handle names.
    pub fn dll_of_module(&self, module: u32) -> Option<usize> {
        let index = module.checked_sub(FIRST_FUNCTION_THUNK - 0x80)? / 4;
        ((index as usize) < self.dlls.len() && self.module_handle(index as usize) == module)
            .then_some(index as usize)
    }

    /// The target of a thunk address.
    pub fn at(&self, address: u32) -> Option<&ThunkTarget> {
        let offset = address.checked_sub(FIRST_FUNCTION_THUNK)?;
        if offset % THUNK_SPACING != 0 {
            return None;
        }
        self.thunks.get((offset / THUNK_SPACING) as usize)
    }

    /// The index of the thunk at `address` (see [`Builtins::at`]).
    pub fn thunk_index(&self, address: u32) -> Option<usize> {
        let offset = address.checked_sub(FIRST_FUNCTION_THUNK)?;
        let index = (offset / THUNK_SPACING) as usize;
        (offset % THUNK_SPACING == 0 && index < self.thunks.len()).then_some(index)
    }

    /// Every thunk, by index.
    pub fn thunks(&self) -> &[ThunkTarget] {
        &self.thunks
    }

    fn address(index: u32) -> u32 {
        FIRST_FUNCTION_THUNK + THUNK_SPACING * index
    }

    /// What a static import of `dll!symbol` binds to: a data export's address, or the
    /// thunk of a catalogued or implemented function (a catalogued one ntemu lacks stops
    /// the process when called). None for a name NT 4.0's DLL does not export and ntemu
    /// does not implement, and for a DLL that is not builtin.
    pub fn address_of(&self, dll: &str, symbol: &ImportSymbol) -> Option<u32> {
        let table = &self.dlls[self.dll_index(dll)?];
        let name = match symbol {
            ImportSymbol::Name { name, .. } => name.as_str(),
            ImportSymbol::Ordinal(o) => table.catalogue.by_ordinal(*o)?.name,
        };
        if let Some(data) = table.dll.hooks.data_export
            && let Some(address) = data(name)
        {
            return Some(address);
        }
        table.by_name.get(name).map(|&i| Self::address(i))
    }

    /// What GetProcAddress of `symbol` in DLL `index` finds: only what NT 4.0's DLL exports
    /// (by name or by ordinal). None otherwise.
    pub fn proc_address(&self, index: usize, symbol: &ImportSymbol) -> Option<u32> {
        let table = self.dlls.get(index)?;
        let entry: &CatalogueEntry = match symbol {
            ImportSymbol::Name { name, .. } => table.catalogue.by_name(name)?,
            ImportSymbol::Ordinal(o) => table.catalogue.by_ordinal(*o)?,
        };
        if let Some(data) = table.dll.hooks.data_export
            && let Some(address) = data(entry.name)
        {
            return Some(address);
        }
        table.by_name.get(entry.name).map(|&i| Self::address(i))
    }

    /// What ntemu has for an import of `dll!symbol`.
    pub fn import_status(&self, dll: &str, symbol: &ImportSymbol) -> ImportStatus {
        let Some(index) = self.dll_index(dll) else {
            return ImportStatus::NotBuiltin;
        };
        let table = &self.dlls[index];
        let name = match symbol {
            ImportSymbol::Name { name, .. } => name.as_str(),
            ImportSymbol::Ordinal(o) => match table.catalogue.by_ordinal(*o) {
                Some(e) => e.name,
                None => return ImportStatus::Unknown,
            },
        };
        let catalogued = table.catalogue.by_name(name).is_some();
        let data = table
            .dll
            .hooks
            .data_export
            .is_some_and(|d| d(name).is_some());
        let implemented = data
            || table
                .by_name
                .get(name)
                .is_some_and(|&i| self.thunks[i as usize].export.is_some());
        match (implemented, catalogued) {
            (true, _) => ImportStatus::Implemented,
            (false, true) => ImportStatus::Catalogued,
            (false, false) => ImportStatus::Unknown,
        }
    }

    /// The thunk address of an implemented function, found by name (for a DLL's own use,
    /// such as a callback's return thunk).
    pub fn implemented(&self, dll: &str, name: &str) -> Option<u32> {
        let table = &self.dlls[self.dll_index(dll)?];
        let &index = table.by_name.get(name)?;
        self.thunks[index as usize]
            .export
            .is_some()
            .then(|| Self::address(index))
    }

    /// How many thunks there are.
    pub fn len(&self) -> usize {
        self.thunks.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.thunks.is_empty()
    }
}

impl ImportResolver for &Builtins {
    fn resolve(&mut self, dll: &str, symbol: &ImportSymbol) -> Option<u32> {
        self.address_of(dll, symbol)
    }
}

/// The status a call of a catalogued function ntemu lacks ends its process with.
pub(crate) const UNIMPLEMENTED_STATUS: NtStatus = NtStatus::ENTRYPOINT_NOT_FOUND;

/// The fault a missing process reports (a call whose process has ended under it).
pub(crate) fn no_process_fault(addr: u32) -> Fault {
    Fault {
        addr,
        access: nt_memory::Access::Read,
        kind: nt_memory::FaultKind::AccessViolation,
    }
}
