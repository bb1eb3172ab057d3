//! The executive half of NT's DLL loader: each process's module list (NT's
//! LDR_DATA_TABLE_ENTRY list), its static TLS, and a DLL load as a transaction.
//!
//! A load acquires resources step by step, as NT 4.0's LdrpLoadDll does: the file is
//! found, an image section is made for it (a Section handle in the process's table, the
//! file's handle closed), a view of it is mapped, the view is relocated when it is not at
//! its preferred base, the module enters the module list, its imports are bound (loading
//! what they need, recursively), its TLS is set up and its initialization routine runs.
//! Each step is a method of [`LoadTransaction`] with a [`FaultPoint`] (`--fault
//! LoadLibrary:STEP`) and an undo; [`LoadTransaction::roll_back`] undoes every step done,
//! in reverse, so a failure at any step leaves no handle, view, module or reference behind.
//! Which file to load, which DLLs are builtin and what a DLL's initialization routine
//! returns are the Win32 layer's business: it drives the transaction.

use std::sync::Arc;

use nt_memory::{AllocationType, FreeType, PageProtection};
use nt_object::{AccessMask, Handle, HandleAttributes, ObjectType};
use pe_image::PeImage;

use crate::KernelError;
use crate::fault::FaultPoint;
use crate::machine::Machine;
use crate::teb::offsets;

/// The steps of a DLL load, in order, with their fault points.
pub const LOAD_STEPS: [FaultPoint; 7] = [
    FaultPoint::LoadSearch,
    FaultPoint::LoadSection,
    FaultPoint::LoadMap,
    FaultPoint::LoadRelocate,
    FaultPoint::LoadImports,
    FaultPoint::LoadTls,
    FaultPoint::LoadInit,
];

/// What the loader knows of a module beyond its image.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct ModuleFlags {
    /// Loaded with DONT_RESOLVE_DLL_REFERENCES: imports not bound, never initialized.
    pub dont_resolve: bool,
    /// Its initialization routine ran for PROCESS_ATTACH and succeeded (it is called for
    /// PROCESS_DETACH when it goes).
    pub process_attached: bool,
    /// DisableThreadLibraryCalls: no THREAD_ATTACH or THREAD_DETACH calls.
    pub thread_calls_disabled: bool,
    /// Loaded with the process (a static import): never unloaded (NT's LoadCount -1).
    pub pinned: bool,
}

/// A DLL in a process's module list.
#[derive(Clone, Debug)]
pub struct Module {
    /// Where its view is (its HMODULE).
    pub base: u32,
    /// SizeOfImage.
    pub size: u32,
    /// Its file name as found (BaseDllName).
    pub name: String,
    /// Its full guest path (FullDllName).
    pub path: String,
    /// The parsed image.
    pub image: Arc<PeImage>,
    /// The address of its initialization routine (DllMain), 0 when it has none.
    pub entry_point: u32,
    /// References: LoadLibrary calls and the modules that import it. 0 unloads it.
    pub load_count: u32,
    /// Loader flags.
    pub flags: ModuleFlags,
    /// Its static TLS index, if it has TLS and was loaded with the process.
    pub tls_index: Option<u32>,
    /// The disk modules it holds a reference on (its imports and the targets of its
    /// forwarders), by base.
    pub dependencies: Vec<u32>,
}

impl Module {
    /// True when `name` names this module as NT's loader compares names: a path compares
    /// with the full name, a bare name with the base name, both without regard to case;
    /// a name without an extension means `NAME.DLL`.
    pub fn is_named(&self, name: &str) -> bool {
        let wanted = with_dll_extension(name);
        if wanted.contains(['\\', '/']) {
            wanted.eq_ignore_ascii_case(&self.path)
        } else {
            wanted.eq_ignore_ascii_case(&self.name)
        }
    }

    /// True when `address` lies in its view.
    pub fn contains(&self, address: u32) -> bool {
        address.wrapping_sub(self.base) < self.size
    }
}

/// `name` with `.DLL` added when its file part has no extension (NT 4.0's LoadLibrary
/// rule; a trailing dot means "no extension" and is dropped).
pub fn with_dll_extension(name: &str) -> String {
    let file = name.rsplit(['\\', '/']).next().unwrap_or(name);
    if let Some(stripped) = name.strip_suffix('.') {
        return stripped.to_string();
    }
    if file.contains('.') {
        name.to_string()
    } else {
        format!("{name}.DLL")
    }
}

/// A DLL mapped as a data file (LOAD_LIBRARY_AS_DATAFILE): the file's bytes in a read-only
/// view, outside the module list.
#[derive(Clone, Debug)]
pub struct DataFile {
    /// Where the view is; the module handle is this plus one, as NT tags data files.
    pub base: u32,
    /// The view's size (the file's).
    pub size: u32,
    /// Its full guest path.
    pub path: String,
    /// LoadLibraryEx calls not yet undone by FreeLibrary.
    pub load_count: u32,
}

impl DataFile {
    /// The module handle LoadLibraryEx returned for it.
    pub fn handle(&self) -> u32 {
        self.base | 1
    }
}

/// One module's static TLS: where its template is and what index it has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TlsSlot {
    /// The module's base.
    pub module: u32,
    /// Its TLS index.
    pub index: u32,
    /// The template's address (StartAddressOfRawData, relocated).
    pub template: u32,
    /// The template's size.
    pub template_size: u32,
    /// Zero bytes after the template (SizeOfZeroFill).
    pub zero_fill: u32,
}

/// A process's loader data: its modules, data-file views and static TLS.
#[derive(Clone, Debug, Default)]
pub struct ModuleList {
    modules: Vec<Module>,
    data_files: Vec<DataFile>,
    /// Bases in the order their PROCESS_ATTACH calls succeeded (detach goes in reverse).
    init_order: Vec<u32>,
    tls: Vec<TlsSlot>,
    /// The thunk new threads start at (see [`Machine::set_thread_start_thunk`]).
    pub(crate) thread_start: Option<u32>,
}

impl ModuleList {
    /// The modules, in load order.
    pub fn iter(&self) -> impl Iterator<Item = &Module> {
        self.modules.iter()
    }

    /// How many modules there are.
    pub fn len(&self) -> usize {
        self.modules.len()
    }

    /// True when no DLL is loaded from disk.
    pub fn is_empty(&self) -> bool {
        self.modules.is_empty()
    }

    /// The module based at `base`.
    pub fn get(&self, base: u32) -> Option<&Module> {
        self.modules.iter().find(|m| m.base == base)
    }

    /// The module based at `base`, to change.
    pub fn get_mut(&mut self, base: u32) -> Option<&mut Module> {
        self.modules.iter_mut().find(|m| m.base == base)
    }

    /// The loaded module `name` names (see [`Module::is_named`]).
    pub fn find(&self, name: &str) -> Option<&Module> {
        self.modules.iter().find(|m| m.is_named(name))
    }

    /// The module whose view holds `address`.
    pub fn containing(&self, address: u32) -> Option<&Module> {
        self.modules.iter().find(|m| m.contains(address))
    }

    /// The data-file views.
    pub fn data_files(&self) -> &[DataFile] {
        &self.data_files
    }

    /// The data-file view with module handle `handle`.
    pub fn data_file(&self, handle: u32) -> Option<&DataFile> {
        self.data_files.iter().find(|d| d.handle() == handle)
    }

    /// The data-file view of `path` (compared without regard to case).
    pub fn data_file_of(&self, path: &str) -> Option<&DataFile> {
        self.data_files
            .iter()
            .find(|d| d.path.eq_ignore_ascii_case(path))
    }

    /// Bases of the initialized modules, in the order they were initialized.
    pub fn init_order(&self) -> &[u32] {
        &self.init_order
    }

    /// Records that module `base` was initialized (its PROCESS_ATTACH call succeeded).
    pub fn mark_initialized(&mut self, base: u32) {
        if let Some(m) = self.get_mut(base) {
            m.flags.process_attached = true;
            if !self.init_order.contains(&base) {
                self.init_order.push(base);
            }
        }
    }

    /// Records that module `base` was detached (its PROCESS_DETACH call ran).
    pub fn mark_detached(&mut self, base: u32) {
        if let Some(m) = self.get_mut(base) {
            m.flags.process_attached = false;
        }
        self.init_order.retain(|&b| b != base);
    }

    /// The static TLS slots, by index.
    pub fn tls(&self) -> &[TlsSlot] {
        &self.tls
    }
}

/// The payload of the Section object a load makes for its image (NtCreateSection with
/// SEC_IMAGE): the parsed image, and the file it came from.
pub struct ImageSection {
    /// The image.
    pub image: Arc<PeImage>,
    /// The file's full guest path.
    pub path: String,
}

/// A step of a load that has been done, for undo in reverse.
#[derive(Clone, Debug)]
enum LoadUndo {
    Handle(Handle),
    View(u32),
    Module(u32),
    Reference(u32),
    DataFile(u32),
    DataFileReference(u32),
}

/// A DLL load in progress in one process: the steps done so far, to undo on failure. See
/// the [module](self) documentation.
#[derive(Debug)]
#[must_use = "a load is committed or rolled back"]
pub struct LoadTransaction {
    process: u32,
    undo: Vec<LoadUndo>,
    /// Modules this transaction put in the list, in the order it did.
    added: Vec<u32>,
}

impl LoadTransaction {
    /// The process the load is in.
    pub fn process(&self) -> u32 {
        self.process
    }

    /// Modules this load added to the module list, in load order (dependencies after the
    /// modules that import them).
    pub fn added_modules(&self) -> &[u32] {
        &self.added
    }

    /// True when nothing has been done yet.
    pub fn is_empty(&self) -> bool {
        self.undo.is_empty()
    }

    /// Passes step `point`'s fault-injection point: an armed point fails the load here.
    pub fn reach(&mut self, machine: &mut Machine, point: FaultPoint) -> Result<(), KernelError> {
        if machine.faults_mut().reach(point) {
            Err(KernelError::Injected(point))
        } else {
            Ok(())
        }
    }

    /// Gives the transaction a handle the load opened in the process's table (the DLL's
    /// file): closed by [`close_handle`](Self::close_handle) or on roll-back.
    pub fn adopt_handle(&mut self, handle: Handle) {
        self.undo.push(LoadUndo::Handle(handle));
    }

    /// Closes a handle the transaction holds.
    pub fn close_handle(&mut self, machine: &mut Machine, handle: Handle) {
        if let Some(i) = self
            .undo
            .iter()
            .rposition(|u| matches!(u, LoadUndo::Handle(h) if *h == handle))
        {
            self.undo.remove(i);
        }
        if let Some(p) = machine.process_mut(self.process) {
            let _ = p.handle_table_mut().close(handle);
        }
    }

    /// Step "section": the image section of `image` (a Section object with a handle in the
    /// process's table, held until the view is mapped).
    pub fn create_section(
        &mut self,
        machine: &mut Machine,
        image: &Arc<PeImage>,
        path: &str,
    ) -> Result<Handle, KernelError> {
        self.reach(machine, FaultPoint::LoadSection)?;
        let body = ImageSection {
            image: Arc::clone(image),
            path: path.to_string(),
        };
        let object = machine
            .objects()
            .create_executive_object(ObjectType::Section, Box::new(body))?;
        let process = machine
            .process_mut(self.process)
            .ok_or(KernelError::ProcessTerminating)?;
        let handle = process.handle_table_mut().insert(
            &object,
            AccessMask::SECTION_ALL_ACCESS,
            HandleAttributes::NONE,
        )?;
        self.undo.push(LoadUndo::Handle(handle));
        Ok(handle)
    }

    /// Step "map": a view of the image, at its preferred base or (when that is taken and
    /// the image can be relocated) elsewhere, with the headers and sections copied in and
    /// the pages protected. Returns the view's base.
    pub fn map(&mut self, machine: &mut Machine, image: &PeImage) -> Result<u32, KernelError> {
        self.reach(machine, FaultPoint::LoadMap)?;
        let process = machine
            .process_mut(self.process)
            .ok_or(KernelError::ProcessTerminating)?;
        let space = process.address_space_mut();
        let base = image.reserve_view(space, None)?;
        self.undo.push(LoadUndo::View(base));
        image.copy_into_view(space, base)?;
        image.protect_view(space, base)?;
        Ok(base)
    }

    /// Step "relocate": applies the image's base relocations when its view is not at the
    /// preferred base. Returns how many fixups were applied.
    pub fn relocate(
        &mut self,
        machine: &mut Machine,
        image: &PeImage,
        base: u32,
    ) -> Result<usize, KernelError> {
        self.reach(machine, FaultPoint::LoadRelocate)?;
        let process = machine
            .process_mut(self.process)
            .ok_or(KernelError::ProcessTerminating)?;
        Ok(image.relocate_view(process.address_space_mut(), base)?)
    }

    /// Puts a mapped module in the process's module list (so that imports that lead back
    /// to it find it, as NT's list does before imports are bound).
    pub fn insert_module(
        &mut self,
        machine: &mut Machine,
        module: Module,
    ) -> Result<(), KernelError> {
        let base = module.base;
        let path = module.path.clone();
        let process = machine
            .process_mut(self.process)
            .ok_or(KernelError::ProcessTerminating)?;
        process.modules.modules.push(module);
        let thread = process.threads.first().map_or(0, |t| t.id);
        self.undo.push(LoadUndo::Module(base));
        self.added.push(base);
        machine.post_debug_event(crate::DebugEvent {
            process: self.process,
            thread,
            kind: crate::DebugEventKind::LoadDll {
                base,
                path: Some(path),
            },
        });
        Ok(())
    }

    /// Takes a reference on module `base` for a new importer or LoadLibrary call (a pinned
    /// module's count does not move).
    pub fn add_reference(&mut self, machine: &mut Machine, base: u32) -> Result<(), KernelError> {
        let process = machine
            .process_mut(self.process)
            .ok_or(KernelError::ProcessTerminating)?;
        let module = process
            .modules
            .get_mut(base)
            .ok_or(KernelError::Object(nt_object::ObjectError::InvalidHandle))?;
        if !module.flags.pinned {
            module.load_count = module.load_count.saturating_add(1);
            self.undo.push(LoadUndo::Reference(base));
        }
        Ok(())
    }

    /// Step "imports": writes the resolved imports of module `base` into its import address
    /// table (`bindings`: IAT slot RVA and address) and records the disk modules it now
    /// depends on.
    pub fn bind(
        &mut self,
        machine: &mut Machine,
        base: u32,
        bindings: &[(u32, u32)],
        dependencies: &[u32],
    ) -> Result<(), KernelError> {
        self.reach(machine, FaultPoint::LoadImports)?;
        let process = machine
            .process_mut(self.process)
            .ok_or(KernelError::ProcessTerminating)?;
        let image = process
            .modules
            .get(base)
            .map(|m| Arc::clone(&m.image))
            .ok_or(KernelError::Object(nt_object::ObjectError::InvalidHandle))?;
        for &(rva, address) in bindings {
            image.bind_slot(process.address_space_mut(), base, rva, address)?;
        }
        if let Some(m) = process.modules.get_mut(base) {
            for &d in dependencies {
                if !m.dependencies.contains(&d) {
                    m.dependencies.push(d);
                }
            }
        }
        Ok(())
    }

    /// Step "tls": for a module loaded with the process (`static_load`), its static TLS
    /// slot (the next index, written to its AddressOfIndex); NT 4.0 gives DLLs loaded later
    /// none, so for them the step has nothing to do.
    pub fn set_up_tls(
        &mut self,
        machine: &mut Machine,
        base: u32,
        static_load: bool,
    ) -> Result<Option<u32>, KernelError> {
        self.reach(machine, FaultPoint::LoadTls)?;
        if !static_load {
            return Ok(None);
        }
        let process = machine
            .process_mut(self.process)
            .ok_or(KernelError::ProcessTerminating)?;
        let Some(module) = process.modules.get(base) else {
            return Ok(None);
        };
        let image = Arc::clone(&module.image);
        add_tls_slot(process, base, &image)
    }

    /// Step "init": passes the fault point before the initialization routines run.
    pub fn before_init(&mut self, machine: &mut Machine) -> Result<(), KernelError> {
        self.reach(machine, FaultPoint::LoadInit)
    }

    /// Maps the file `bytes` as a data file (LOAD_LIBRARY_AS_DATAFILE): a read-only view
    /// holding the file as it is. Returns its module handle (base + 1).
    pub fn map_data_file(
        &mut self,
        machine: &mut Machine,
        bytes: &[u8],
        path: &str,
    ) -> Result<u32, KernelError> {
        self.reach(machine, FaultPoint::LoadMap)?;
        let size = u32::try_from(bytes.len().max(1))
            .map_err(|_| KernelError::Memory(nt_memory::MemoryError::NoMemory(u32::MAX)))?;
        let process = machine
            .process_mut(self.process)
            .ok_or(KernelError::ProcessTerminating)?;
        let space = process.address_space_mut();
        let base = space.map_view(
            0,
            size,
            nt_memory::MemoryType::Mapped,
            PageProtection::READWRITE,
        )?;
        self.undo.push(LoadUndo::View(base));
        space.kernel_write(base, bytes)?;
        space.protect(base, size, PageProtection::READONLY)?;
        process.modules.data_files.push(DataFile {
            base,
            size,
            path: path.to_string(),
            load_count: 1,
        });
        self.undo.push(LoadUndo::DataFile(base));
        Ok(base | 1)
    }

    /// Takes another reference on a data-file view.
    pub fn add_data_file_reference(
        &mut self,
        machine: &mut Machine,
        handle: u32,
    ) -> Result<(), KernelError> {
        let process = machine
            .process_mut(self.process)
            .ok_or(KernelError::ProcessTerminating)?;
        let d = process
            .modules
            .data_files
            .iter_mut()
            .find(|d| d.handle() == handle)
            .ok_or(KernelError::Object(nt_object::ObjectError::InvalidHandle))?;
        d.load_count = d.load_count.saturating_add(1);
        self.undo.push(LoadUndo::DataFileReference(handle));
        Ok(())
    }

    /// Ends the load successfully: what was done stays.
    pub fn commit(self) {}

    /// Undoes every step done, in reverse: references dropped, modules out of the list,
    /// views unmapped, handles closed. The process's handle count, memory and module list
    /// are as before the load.
    pub fn roll_back(self, machine: &mut Machine) {
        let pid = self.process;
        for step in self.undo.iter().rev() {
            if let LoadUndo::Module(base) = step {
                machine.post_unload_event(pid, *base);
            }
        }
        let Some(process) = machine.process_mut(self.process) else {
            return;
        };
        for step in self.undo.into_iter().rev() {
            match step {
                LoadUndo::Handle(h) => {
                    let _ = process.handle_table_mut().close(h);
                }
                LoadUndo::View(base) => {
                    let _ = process.address_space_mut().unmap_view(base);
                }
                LoadUndo::Module(base) => {
                    process.modules.modules.retain(|m| m.base != base);
                    process.modules.init_order.retain(|&b| b != base);
                    process.modules.tls.retain(|t| t.module != base);
                }
                LoadUndo::Reference(base) => {
                    if let Some(m) = process.modules.get_mut(base) {
                        m.load_count = m.load_count.saturating_sub(1);
                    }
                }
                LoadUndo::DataFile(base) => {
                    process.modules.data_files.retain(|d| d.base != base);
                }
                LoadUndo::DataFileReference(handle) => {
                    if let Some(d) = process
                        .modules
                        .data_files
                        .iter_mut()
                        .find(|d| d.handle() == handle)
                    {
                        d.load_count = d.load_count.saturating_sub(1);
                    }
                }
            }
        }
    }
}

/// Gives module `base` the next static TLS index, if its image has TLS.
fn add_tls_slot(
    process: &mut crate::Process,
    base: u32,
    image: &PeImage,
) -> Result<Option<u32>, KernelError> {
    let Some(tls) = &image.tls else {
        return Ok(None);
    };
    if let Some(slot) = process.modules.tls.iter().find(|t| t.module == base) {
        return Ok(Some(slot.index));
    }
    let delta = base.wrapping_sub(image.image_base);
    let index = process.modules.tls.len() as u32;
    let template = tls.start_address_of_raw_data.wrapping_add(delta);
    let template_size = tls
        .end_address_of_raw_data
        .saturating_sub(tls.start_address_of_raw_data);
    if template_size > image.size_of_image {
        return Err(KernelError::Image(pe_image::ImageError::Malformed(
            pe_image::Malformation::Outside("TLS template"),
        )));
    }
    if tls.address_of_index != 0 {
        process.address_space_mut().kernel_write(
            tls.address_of_index.wrapping_add(delta),
            &index.to_le_bytes(),
        )?;
    }
    process.modules.tls.push(TlsSlot {
        module: base,
        index,
        template,
        template_size,
        zero_fill: tls.size_of_zero_fill.min(image.size_of_image),
    });
    if let Some(m) = process.modules.get_mut(base) {
        m.tls_index = Some(index);
    }
    Ok(Some(index))
}

impl Machine {
    /// Starts a DLL load in process `process`.
    pub fn begin_load(&self, process: u32) -> LoadTransaction {
        LoadTransaction {
            process,
            undo: Vec::new(),
            added: Vec::new(),
        }
    }

    /// Gives the process's own image (the program) its static TLS slot, if it has TLS: the
    /// first index, as NT gives the program index 0.
    pub fn set_up_image_tls(
        &mut self,
        process: u32,
        image: &PeImage,
    ) -> Result<Option<u32>, KernelError> {
        let p = self
            .process_mut(process)
            .ok_or(KernelError::ProcessTerminating)?;
        let Some(base) = p.image().map(|i| i.base) else {
            return Ok(None);
        };
        add_tls_slot(p, base, image)
    }

    /// Makes thread `thread`'s static TLS: one block per TLS slot, each a copy of its
    /// module's template followed by its zero fill, and the array of their addresses in
    /// TEB.ThreadLocalStoragePointer. The memory goes when the thread ends. Nothing when
    /// the process has no static TLS.
    pub fn allocate_thread_tls(&mut self, process: u32, thread: u32) -> Result<(), KernelError> {
        let p = self
            .process_mut(process)
            .ok_or(KernelError::ProcessTerminating)?;
        let slots = p.modules.tls.clone();
        if slots.is_empty() {
            return Ok(());
        }
        let teb = p
            .thread(thread)
            .map(|t| t.teb)
            .ok_or(KernelError::InvalidClientId)?;
        let array = 4 * slots.len() as u64;
        let mut total = (array + 7) & !7;
        let mut offsets = Vec::with_capacity(slots.len());
        for s in &slots {
            offsets.push(total);
            total += (u64::from(s.template_size) + u64::from(s.zero_fill) + 7) & !7;
        }
        let size = u32::try_from(total.max(1))
            .map_err(|_| KernelError::Memory(nt_memory::MemoryError::NoMemory(u32::MAX)))?;
        let space = p.address_space_mut();
        let (block, _) = space.allocate(
            0,
            size,
            AllocationType::RESERVE | AllocationType::COMMIT,
            PageProtection::READWRITE,
        )?;
        let fill = (|| -> Result<(), KernelError> {
            for (s, &off) in slots.iter().zip(&offsets) {
                let at = block + off as u32;
                space.kernel_write(block + 4 * s.index, &at.to_le_bytes())?;
                let mut template = vec![0u8; s.template_size as usize];
                space.kernel_read(s.template, &mut template)?;
                space.kernel_write(at, &template)?;
            }
            space.kernel_write(teb + offsets::TLS_POINTER, &block.to_le_bytes())?;
            Ok(())
        })();
        if let Err(e) = fill {
            let _ = space.free(block, 0, FreeType::RELEASE);
            return Err(e);
        }
        if let Some(t) = p.thread_mut(thread) {
            if t.tls_block != 0 {
                let old = t.tls_block;
                t.tls_block = block;
                let _ = p.address_space_mut().free(old, 0, FreeType::RELEASE);
            } else {
                t.tls_block = block;
            }
        }
        Ok(())
    }

    /// Makes every thread created from now on in process `process` start at `thunk` (a
    /// thunk address the Win32 layer serves: NT's LdrInitializeThunk, which runs the DLLs'
    /// THREAD_ATTACH calls and then the thread's start routine,
    /// [`Thread::start_address`](crate::Thread::start_address)). None: threads start at
    /// their start routine.
    pub fn set_thread_start_thunk(&mut self, process: u32, thunk: Option<u32>) {
        if let Some(p) = self.process_mut(process) {
            p.modules.thread_start = thunk;
        }
    }

    /// Unloads module `base` of process `process`: its view unmapped, it leaves the module
    /// list. Its initialization routine must have been called for PROCESS_DETACH first and
    /// its dependencies are the caller's to release.
    pub fn unload_module(&mut self, process: u32, base: u32) -> Result<(), KernelError> {
        let p = self
            .process_mut(process)
            .ok_or(KernelError::ProcessTerminating)?;
        if p.modules.get(base).is_none() {
            return Err(KernelError::Object(nt_object::ObjectError::InvalidHandle));
        }
        p.modules.modules.retain(|m| m.base != base);
        p.modules.init_order.retain(|&b| b != base);
        p.address_space_mut().unmap_view(base)?;
        self.post_unload_event(process, base);
        Ok(())
    }

    /// Tells a debugged process's debugger that module `base` left it.
    fn post_unload_event(&mut self, process: u32, base: u32) {
        let thread = self
            .process(process)
            .and_then(|p| p.threads.first())
            .map_or(0, |t| t.id);
        self.post_debug_event(crate::DebugEvent {
            process,
            thread,
            kind: crate::DebugEventKind::UnloadDll { base },
        });
    }

    /// Drops one reference on the data-file view with module handle `handle`, unmapping
    /// it at the last. Returns the references left.
    pub fn release_data_file(&mut self, process: u32, handle: u32) -> Result<u32, KernelError> {
        let p = self
            .process_mut(process)
            .ok_or(KernelError::ProcessTerminating)?;
        let d = p
            .modules
            .data_files
            .iter_mut()
            .find(|d| d.handle() == handle)
            .ok_or(KernelError::Object(nt_object::ObjectError::InvalidHandle))?;
        d.load_count = d.load_count.saturating_sub(1);
        let left = d.load_count;
        if left == 0 {
            let base = d.base;
            p.modules.data_files.retain(|d| d.base != base);
            p.address_space_mut().unmap_view(base)?;
        }
        Ok(left)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_without_an_extension_mean_dll() {
        assert_eq!(with_dll_extension("ldrtest"), "ldrtest.DLL");
        assert_eq!(with_dll_extension("ldrtest.dll"), "ldrtest.dll");
        assert_eq!(
            with_dll_extension("C:\\x.y\\ldrtest"),
            "C:\\x.y\\ldrtest.DLL"
        );
        assert_eq!(with_dll_extension("noext."), "noext");
    }
}
