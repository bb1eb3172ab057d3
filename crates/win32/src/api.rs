//! The call frame a builtin function sees, and the dispatch from a thunk to the function.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use nt_kernel::{ClientId, Machine, Pause, Process, teb};
use nt_memory::{Fault, GuestMemory};
use nt_object::{AccessMask, Handle, Object, ObjectError, ObjectType, WaitType};
use nt_status::{NtStatus, Win32Error};

use crate::exports::no_process_fault;
use crate::{Builtins, HostIo, abi};

/// Per-machine state of the builtin-DLL layer: the few things every DLL reads, and one
/// state value of each type a DLL keeps (its own struct, made on first use), found by type.
pub struct Win32State {
    /// Host wall-clock time (ms since 1970) when the layer started: the machine's clock
    /// counts from there.
    pub wall_clock_base_ms: u64,
    slots: Vec<Box<dyn Any + Send>>,
    housekeeping_hooks: Vec<HousekeepingHook>,
    idle_hooks: Vec<IdleHook>,
}

/// What a DLL does between quanta ([`Win32State::add_housekeeping_hook`]): host-side work
/// that must not wait for a guest call, such as writing the registry's hives at most a
/// second after a change.
pub type HousekeepingHook = fn(&mut Win32State, &HostIo, &mut Machine, Pause);

/// What a DLL does when every guest thread of the machine is blocked
/// ([`Win32State::add_idle_hook`]): wait on the host for at most the timeout (None: without
/// limit) for something that ends a guest wait, signal the objects the waits are on, and
/// return true; false when it has nothing to wait for.
pub type IdleHook = fn(&mut Win32State, &mut Machine, Option<Duration>) -> bool;

impl Default for Win32State {
    fn default() -> Self {
        Win32State {
            wall_clock_base_ms: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
            slots: Vec::new(),
            housekeeping_hooks: Vec::new(),
            idle_hooks: Vec::new(),
        }
    }
}

impl Win32State {
    /// The DLL state of type `T`, made with `T::default()` on first use.
    pub fn get<T: Any + Send + Default>(&mut self) -> &mut T {
        let index = match self.slots.iter().position(|s| s.is::<T>()) {
            Some(i) => i,
            None => {
                self.slots.push(Box::new(T::default()));
                self.slots.len() - 1
            }
        };
        match self.slots[index].downcast_mut::<T>() {
            Some(t) => t,
            // The slot was found by its type just above.
            None => unreachable!("state slot of another type"),
        }
    }

    /// The DLL state of type `T`, if it has been made.
    pub fn peek<T: Any + Send>(&self) -> Option<&T> {
        self.slots.iter().find_map(|s| s.downcast_ref::<T>())
    }

    /// Asks for `hook` to run between quanta (once per scheduler round, and before the
    /// machine sleeps or stops); adding it again changes nothing.
    pub fn add_housekeeping_hook(&mut self, hook: HousekeepingHook) {
        if !self.housekeeping_hooks.contains(&hook) {
            self.housekeeping_hooks.push(hook);
        }
    }

    /// Runs the housekeeping hooks.
    pub fn run_housekeeping(&mut self, io: &HostIo, machine: &mut Machine, pause: Pause) {
        // Hooks are plain function pointers: index, so that a hook may add one and no copy
        // of the list is made between quanta.
        let mut i = 0;
        while let Some(&hook) = self.housekeeping_hooks.get(i) {
            hook(self, io, machine, pause);
            i += 1;
        }
    }

    /// Asks for `hook` to run whenever every guest thread is blocked (once, however often it
    /// is added): how a DLL whose waits end by host events (sockets) lets the machine sleep
    /// on them instead of polling.
    pub fn add_idle_hook(&mut self, hook: IdleHook) {
        if !self.idle_hooks.contains(&hook) {
            self.idle_hooks.push(hook);
        }
    }

    /// Whether a DLL asked for idle hooks: whether the machine may wait on the host when
    /// every thread is blocked.
    pub fn has_idle_hooks(&self) -> bool {
        !self.idle_hooks.is_empty()
    }

    /// Runs the idle hooks (see [`IdleHook`]); true when one of them ended a wait.
    pub fn run_idle_hooks(&mut self, machine: &mut Machine, timeout: Option<Duration>) -> bool {
        let mut woke = false;
        for hook in self.idle_hooks.clone() {
            woke |= hook(self, machine, timeout);
        }
        woke
    }
}

/// A DLL's state of each process, keyed by process id and tied to the process object: ids
/// are reused, objects are not, so what an ended process left is never taken for a new
/// process that got its id.
pub struct PerProcess<T> {
    map: BTreeMap<u32, (std::sync::Weak<Object>, T)>,
}

impl<T> Default for PerProcess<T> {
    fn default() -> Self {
        PerProcess {
            map: BTreeMap::new(),
        }
    }
}

fn owned_by(owner: &std::sync::Weak<Object>, process: &Arc<Object>) -> bool {
    owner.upgrade().is_some_and(|o| Arc::ptr_eq(&o, process))
}

impl<T> PerProcess<T> {
    /// The entry of process `pid` whose object is `process`.
    pub fn get(&self, pid: u32, process: &Arc<Object>) -> Option<&T> {
        let (owner, value) = self.map.get(&pid)?;
        owned_by(owner, process).then_some(value)
    }

    /// Sets the entry of process `pid` whose object is `process`.
    pub fn insert(&mut self, pid: u32, process: &Arc<Object>, value: T) {
        self.map.insert(pid, (Arc::downgrade(process), value));
    }

    /// The entry of process `pid`, made fresh when there is none for `process`.
    pub fn get_or_default(&mut self, pid: u32, process: &Arc<Object>) -> &mut T
    where
        T: Default,
    {
        let entry = self
            .map
            .entry(pid)
            .or_insert_with(|| (Arc::downgrade(process), T::default()));
        if !owned_by(&entry.0, process) {
            *entry = (Arc::downgrade(process), T::default());
        }
        &mut entry.1
    }
}

/// True for a console handle: a value with its low two bits set that is not a
/// pseudo-handle. NT 4.0's console handles (3, 7, 0xB for the standard input, output and
/// error) are kept by the console, not in the process's handle table, so they neither count
/// in the process's handles nor take a kernel handle's value.
pub fn is_console_handle(handle: Handle) -> bool {
    handle.0 & 3 == 3 && !handle.is_pseudo()
}

/// The most console handles a process holds.
const MAX_CONSOLE_HANDLES: usize = 0x1000;

/// One console handle: the object it names and the access it grants.
type ConsoleHandle = (Arc<Object>, AccessMask);

/// Each process's console handles: value `4 * n + 3` names slot `n`.
#[derive(Default)]
pub struct ConsoleHandles {
    processes: PerProcess<Vec<Option<ConsoleHandle>>>,
}

impl ConsoleHandles {
    fn slot(handle: Handle) -> usize {
        (handle.0 >> 2) as usize
    }

    /// The object and granted access of console handle `handle` of process `pid`.
    pub fn get(
        &self,
        pid: u32,
        process: &Arc<Object>,
        handle: Handle,
    ) -> Option<(Arc<Object>, AccessMask)> {
        let slots = self.processes.get(pid, process)?;
        slots.get(Self::slot(handle))?.clone()
    }

    /// A new console handle of process `pid` to `object`.
    pub fn insert(
        &mut self,
        pid: u32,
        process: &Arc<Object>,
        object: Arc<Object>,
        access: AccessMask,
    ) -> Result<Handle, ObjectError> {
        let slots = self.processes.get_or_default(pid, process);
        let index = match slots.iter().position(Option::is_none) {
            Some(i) => i,
            None if slots.len() < MAX_CONSOLE_HANDLES => {
                slots.push(None);
                slots.len() - 1
            }
            None => return Err(ObjectError::InsufficientResources),
        };
        slots[index] = Some((object, access));
        Ok(Handle(index as u32 * 4 + 3))
    }

    /// Closes console handle `handle` of process `pid`.
    pub fn close(
        &mut self,
        pid: u32,
        process: &Arc<Object>,
        handle: Handle,
    ) -> Result<(), ObjectError> {
        let slots = self.processes.get_or_default(pid, process);
        match slots.get_mut(Self::slot(handle)) {
            Some(slot @ Some(_)) => {
                *slot = None;
                Ok(())
            }
            _ => Err(ObjectError::InvalidHandle),
        }
    }

    /// Gives process `child` the console handles of process `parent`, at the same values
    /// (a child on the same console), replacing any it had.
    pub fn inherit(
        &mut self,
        parent: u32,
        parent_object: &Arc<Object>,
        child: u32,
        child_object: &Arc<Object>,
    ) {
        let slots = self
            .processes
            .get(parent, parent_object)
            .cloned()
            .unwrap_or_default();
        self.processes.insert(child, child_object, slots);
    }
}

/// What a builtin function asks for once it has run.
pub enum ApiReturn {
    /// Return this value to the caller.
    Value(u32),
    /// Return this 64-bit value (edx:eax on x86, all of v0 on Alpha).
    Value64(u64),
    /// Return to the caller, then park it on a wait; the WAIT_* value becomes the result.
    Wait {
        /// The objects.
        objects: Vec<Arc<Object>>,
        /// Any or all.
        wait_type: WaitType,
        /// None waits forever.
        timeout: Option<Duration>,
    },
    /// Return to the caller, then park it on a wait described in full: alertable (a queued
    /// user APC ends it with WAIT_IO_COMPLETION and runs), or a delay without objects. The
    /// WAIT_* / NTSTATUS value the wait ends with becomes the result.
    WaitFor(nt_kernel::WaitRequest),
    /// Park the caller on a wait without returning from the call: when the wait ends
    /// (whatever its result) the thread runs the same call again with the same arguments.
    /// For calls that block until something happens, like ReadConsoleInputA.
    Retry {
        /// The objects whose signal may let the call succeed.
        objects: Vec<Arc<Object>>,
        /// None waits forever.
        timeout: Option<Duration>,
    },
    /// The function has set the calling thread's registers itself (it sent the thread to an
    /// exception handler, or back to its caller in its own way): nothing is returned.
    Resumed,
    /// End the calling thread.
    ExitThread(u32),
    /// End the calling process.
    ExitProcess(u32),
}

/// The call a builtin function is serving: the machine, the calling thread and its arguments.
pub struct ApiCall<'a> {
    /// The machine.
    pub machine: &'a mut Machine,
    /// The calling thread.
    pub thread: ClientId,
    /// Where guest output and diagnostics go.
    pub io: &'a HostIo,
    /// The layer's per-machine state.
    pub state: &'a mut Win32State,
    /// The machine's builtin DLLs and thunks.
    pub builtins: &'a Builtins,
}

impl ApiCall<'_> {
    /// A call frame on another thread (of this or another process) of the same machine, for
    /// work a builtin does on behalf of that thread (setting up a process it created).
    pub fn on_thread(&mut self, thread: ClientId) -> ApiCall<'_> {
        ApiCall {
            machine: &mut *self.machine,
            thread,
            io: self.io,
            state: &mut *self.state,
            builtins: self.builtins,
        }
    }

    /// The calling process.
    pub fn process(&self) -> Option<&Process> {
        self.machine.process(self.thread.process)
    }

    /// The calling process's object.
    pub fn process_object(&self) -> Option<Arc<Object>> {
        self.process().map(|p| Arc::clone(p.object()))
    }

    /// The calling process, to change.
    pub fn process_mut(&mut self) -> Option<&mut Process> {
        self.machine.process_mut(self.thread.process)
    }

    /// The `n`-th 32-bit argument (0 if the stack cannot be read).
    pub fn arg(&self, n: usize) -> u32 {
        let Some(p) = self.process() else { return 0 };
        let Some(t) = p.thread(self.thread.thread) else {
            return 0;
        };
        abi::argument(t.context(), p.address_space(), n).unwrap_or(0)
    }

    /// The first `N` 32-bit arguments, as [`ApiCall::arg`] reads them.
    pub fn args<const N: usize>(&self) -> [u32; N] {
        std::array::from_fn(|n| self.arg(n))
    }

    /// Reads a u32 of the caller's memory.
    pub fn read_u32(&self, addr: u32) -> Result<u32, Fault> {
        match self.process() {
            Some(p) => p.address_space().read_u32(addr),
            None => Err(no_process_fault(addr)),
        }
    }

    /// Writes a u32 to the caller's memory.
    pub fn write_u32(&mut self, addr: u32, value: u32) -> Result<(), Fault> {
        match self.process_mut() {
            Some(p) => p.address_space_mut().write_u32(addr, value),
            None => Err(no_process_fault(addr)),
        }
    }

    /// Reads bytes of the caller's memory.
    pub fn read_bytes(&self, addr: u32, len: usize) -> Result<Vec<u8>, Fault> {
        let mut buf = vec![0u8; len];
        match self.process() {
            Some(p) => p.address_space().read_bytes(addr, &mut buf).map(|_| buf),
            None => Err(no_process_fault(addr)),
        }
    }

    /// Writes bytes to the caller's memory.
    pub fn write_bytes(&mut self, addr: u32, data: &[u8]) -> Result<(), Fault> {
        match self.process_mut() {
            Some(p) => p.address_space_mut().write_bytes(addr, data),
            None => Err(no_process_fault(addr)),
        }
    }

    /// Reads the bytes of a NUL-terminated string, without the NUL (at most `max` bytes).
    pub fn read_c_bytes(&self, addr: u32, max: usize) -> Result<Vec<u8>, Fault> {
        match self.process() {
            Some(p) => p.address_space().read_c_string(addr, max),
            None => Err(no_process_fault(addr)),
        }
    }

    /// Reads the UTF-16 units of a NUL-terminated wide string, without the NUL (at most
    /// `max` units).
    pub fn read_wide_units(&self, addr: u32, max: usize) -> Result<Vec<u16>, Fault> {
        let mut units = Vec::new();
        let mut chunk = [0u8; 64];
        while units.len() < max {
            let at = addr.wrapping_add(2 * units.len() as u32);
            // Read up to the end of the page, so a string ending just before an
            // inaccessible page is still read.
            let to_page_end = 0x1000 - (at & 0xFFF) as usize;
            let len = chunk.len().min(to_page_end).min(2 * (max - units.len()));
            let len = len.max(2) & !1;
            self.read_guest(at, &mut chunk[..len])?;
            for pair in chunk[..len].chunks_exact(2) {
                let u = u16::from_le_bytes([pair[0], pair[1]]);
                if u == 0 {
                    return Ok(units);
                }
                units.push(u);
            }
        }
        Ok(units)
    }

    fn read_guest(&self, addr: u32, buf: &mut [u8]) -> Result<(), Fault> {
        match self.process() {
            Some(p) => p.address_space().read_bytes(addr, buf),
            None => Err(no_process_fault(addr)),
        }
    }

    /// Reads a NUL-terminated string of an A function (`wide` false: ANSI, code page 1252,
    /// at most `max` bytes) or a W function (UTF-16, at most `max` units) as text.
    pub fn read_text(&self, addr: u32, max: usize, wide: bool) -> Result<String, Fault> {
        if wide {
            self.read_wide_units(addr, max)
                .map(|u| String::from_utf16_lossy(&u))
        } else {
            self.read_c_bytes(addr, max)
                .map(|b| crate::codepage::CodePage::Ansi.decode_str(&b))
        }
    }

    /// Reads a NUL-terminated ANSI string (at most `max` bytes).
    pub fn read_c_string(&self, addr: u32, max: usize) -> Result<String, Fault> {
        match self.process() {
            Some(p) => p
                .address_space()
                .read_c_string(addr, max)
                .map(|b| String::from_utf8_lossy(&b).into_owned()),
            None => Err(no_process_fault(addr)),
        }
    }

    /// ProbeForWrite: checks, before the call acts, that the caller can write `len` bytes
    /// at `addr` (by rewriting what is there, touching each byte as NT's probe touches each
    /// page), so a bad out-pointer fails the call without side effects.
    pub fn probe_write(&mut self, addr: u32, len: usize) -> Result<(), Fault> {
        let bytes = self.read_bytes(addr, len)?;
        self.write_bytes(addr, &bytes)
    }

    /// [`probe_write`](Self::probe_write) for an optional out-parameter: NULL passes.
    pub fn probe_optional(&mut self, addr: u32, len: usize) -> Result<(), Fault> {
        if addr == 0 {
            return Ok(());
        }
        self.probe_write(addr, len)
    }

    /// Writes an optional out-parameter: nothing when `addr` is NULL.
    pub fn write_out_u32(&mut self, addr: u32, value: u32) -> Result<(), Fault> {
        if addr == 0 {
            return Ok(());
        }
        self.write_u32(addr, value)
    }

    /// The calling thread's TEB.
    pub fn teb(&self) -> u32 {
        self.process()
            .and_then(|p| p.thread(self.thread.thread))
            .map_or(0, |t| t.teb())
    }

    /// Sets the calling thread's last error (TEB LastErrorValue).
    pub fn set_last_error(&mut self, code: u32) {
        let at = self.teb() + teb::offsets::LAST_ERROR;
        if let Some(p) = self.process_mut() {
            let _ = p.address_space_mut().kernel_write(at, &code.to_le_bytes());
        }
    }

    /// The calling thread's last error.
    pub fn last_error(&self) -> u32 {
        let at = self.teb() + teb::offsets::LAST_ERROR;
        let mut b = [0u8; 4];
        match self.process() {
            Some(p) if p.address_space().kernel_read(at, &mut b).is_ok() => u32::from_le_bytes(b),
            _ => 0,
        }
    }

    /// Fails the call: sets the last error for `status` and returns `value`.
    pub fn fail_with(&mut self, status: NtStatus, value: u32) -> ApiReturn {
        self.set_last_error(status.to_win32_error().0);
        ApiReturn::Value(value)
    }

    /// The Win32 convention for a caller-sized output buffer: a capacity of 0 asks for the
    /// size (`count` is returned), a short buffer is ERROR_INSUFFICIENT_BUFFER, otherwise
    /// `data` is written and `count` returned. `count` is in the caller's units (bytes or
    /// characters) and `capacity` in the same units.
    pub fn copy_out(&mut self, out: u32, capacity: u32, data: &[u8], count: u32) -> ApiReturn {
        if capacity == 0 {
            return ApiReturn::Value(count);
        }
        if capacity < count {
            return self.fail_win32(Win32Error::INSUFFICIENT_BUFFER, 0);
        }
        match self.write_bytes(out, data) {
            Ok(()) => ApiReturn::Value(count),
            Err(_) => self.fail(NtStatus::INVALID_PARAMETER),
        }
    }

    /// Fails a BOOL or HANDLE call: last error for `status`, result 0.
    pub fn fail(&mut self, status: NtStatus) -> ApiReturn {
        self.fail_with(status, 0)
    }

    /// Fails with a Win32 error code directly.
    pub fn fail_win32(&mut self, error: Win32Error, value: u32) -> ApiReturn {
        self.set_last_error(error.0);
        ApiReturn::Value(value)
    }

    /// The object a handle of the caller names (pseudo-handles included), checked for
    /// `access` and `object_type`.
    pub fn reference(
        &self,
        handle: Handle,
        access: AccessMask,
        object_type: Option<ObjectType>,
    ) -> Result<Arc<Object>, ObjectError> {
        let p = self.process().ok_or(ObjectError::InvalidHandle)?;
        let pseudo = match handle {
            Handle::CURRENT_PROCESS => Some(p.object().clone()),
            Handle::CURRENT_THREAD => p.thread(self.thread.thread).map(|t| t.object().clone()),
            _ => None,
        };
        if let Some(o) = pseudo {
            return match object_type {
                Some(t) if o.object_type() != t => Err(ObjectError::ObjectTypeMismatch),
                _ => Ok(o),
            };
        }
        if is_console_handle(handle) {
            let (object, granted) = self
                .state
                .peek::<ConsoleHandles>()
                .and_then(|c| c.get(self.thread.process, p.object(), handle))
                .ok_or(ObjectError::InvalidHandle)?;
            if let Some(t) = object_type
                && object.object_type() != t
            {
                return Err(ObjectError::ObjectTypeMismatch);
            }
            let wanted = object.object_type().map_access(access);
            if wanted.0 & !granted.0 != 0 {
                return Err(ObjectError::AccessDenied);
            }
            return Ok(object);
        }
        p.handle_table()
            .reference(handle, access, object_type)
            .cloned()
    }

    /// The access a handle of the caller grants (a console handle's included).
    pub fn granted_access(&self, handle: Handle) -> Result<AccessMask, ObjectError> {
        let p = self.process().ok_or(ObjectError::InvalidHandle)?;
        if is_console_handle(handle) {
            return self
                .state
                .peek::<ConsoleHandles>()
                .and_then(|c| c.get(self.thread.process, p.object(), handle))
                .map(|(_, access)| access)
                .ok_or(ObjectError::InvalidHandle);
        }
        p.handle_table().entry(handle).map(|e| e.0)
    }

    /// Gives the caller a console handle to `object` (a value with the low two bits set,
    /// the lowest free one: 3, 7, 0xB, ...), granting `access`.
    pub fn insert_console_handle(
        &mut self,
        object: &Arc<Object>,
        access: AccessMask,
    ) -> Result<Handle, ObjectError> {
        let process = self.process_object().ok_or(ObjectError::InvalidHandle)?;
        let pid = self.thread.process;
        let granted = object.object_type().map_access(access);
        self.state
            .get::<ConsoleHandles>()
            .insert(pid, &process, Arc::clone(object), granted)
    }

    /// Closes a handle of the caller: a console handle, or one of its handle table.
    pub fn close_handle(&mut self, handle: Handle) -> Result<(), ObjectError> {
        if is_console_handle(handle) {
            let process = self.process_object().ok_or(ObjectError::InvalidHandle)?;
            let pid = self.thread.process;
            return self
                .state
                .get::<ConsoleHandles>()
                .close(pid, &process, handle);
        }
        match self.process_mut() {
            Some(p) => p.handle_table_mut().close(handle),
            None => Err(ObjectError::InvalidHandle),
        }
    }

    /// The host output sinks.
    pub fn io(&self) -> &HostIo {
        self.io
    }
}
