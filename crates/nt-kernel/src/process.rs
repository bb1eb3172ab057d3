//! Processes and threads as the machine keeps them, and the payloads of their kernel objects.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use nt_memory::AddressSpace;
use nt_object::{HandleTable, Object, PendingWait};
use parking_lot::Mutex;
use pe_image::{ImportStub, ImportStubs, LoadedImage};

use crate::apc::{ApcFrame, UserApc};
use crate::client_id::ClientIdTable;
use crate::cpu::{Architecture, CpuContext, CpuEngine};

/// STILL_ACTIVE: the exit code of a process or thread that has not ended.
pub const STILL_ACTIVE: u32 = 259;

/// The body of a process object: what stays readable through a handle after the process has
/// ended (its id and exit status). Dropping it frees the process id.
pub struct ProcessBody {
    id: u32,
    architecture: Architecture,
    exit_status: AtomicU32,
    client_ids: Arc<Mutex<ClientIdTable>>,
    pub(crate) details: Mutex<crate::details::ProcessDetails>,
}

impl ProcessBody {
    pub(crate) fn new(
        id: u32,
        architecture: Architecture,
        client_ids: Arc<Mutex<ClientIdTable>>,
    ) -> Self {
        ProcessBody {
            id,
            architecture,
            exit_status: AtomicU32::new(STILL_ACTIVE),
            client_ids,
            details: crate::details::new_process_details(),
        }
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The process's architecture.
    pub fn architecture(&self) -> Architecture {
        self.architecture
    }

    /// The exit status: STILL_ACTIVE while it runs.
    pub fn exit_status(&self) -> u32 {
        self.exit_status.load(Ordering::Acquire)
    }

    pub(crate) fn set_exit_status(&self, status: u32) {
        self.exit_status.store(status, Ordering::Release);
    }
}

impl Drop for ProcessBody {
    fn drop(&mut self) {
        self.client_ids.lock().release(self.id);
    }
}

/// The body of a thread object. Dropping it frees the thread id.
pub struct ThreadBody {
    id: u32,
    process: u32,
    exit_status: AtomicU32,
    client_ids: Arc<Mutex<ClientIdTable>>,
    pub(crate) details: Mutex<crate::details::ThreadDetails>,
}

impl ThreadBody {
    pub(crate) fn new(id: u32, process: u32, client_ids: Arc<Mutex<ClientIdTable>>) -> Self {
        ThreadBody {
            id,
            process,
            exit_status: AtomicU32::new(STILL_ACTIVE),
            client_ids,
            details: crate::details::new_thread_details(),
        }
    }

    /// The thread id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The id of the process the thread belongs to.
    pub fn process_id(&self) -> u32 {
        self.process
    }

    /// The exit status: STILL_ACTIVE while it runs.
    pub fn exit_status(&self) -> u32 {
        self.exit_status.load(Ordering::Acquire)
    }

    pub(crate) fn set_exit_status(&self, status: u32) {
        self.exit_status.store(status, Ordering::Release);
    }
}

impl Drop for ThreadBody {
    fn drop(&mut self) {
        self.client_ids.lock().release(self.id);
    }
}

/// A wait a guest thread is parked on.
pub(crate) struct ThreadWait {
    /// The wait on objects; None for a delay (NtDelayExecution), which only its deadline or
    /// a user APC ends.
    pub(crate) pending: Option<PendingWait>,
    /// Clock time (ms) at which the wait times out; None waits forever.
    pub(crate) deadline: Option<u64>,
    /// True when a queued user APC ends the wait (STATUS_USER_APC).
    pub(crate) alertable: bool,
    /// True when an alert ends it (STATUS_ALERTED); else an alertable wait takes the alert
    /// and goes on.
    pub(crate) alerts: bool,
    /// What the wait returns when its deadline passes: STATUS_TIMEOUT, or STATUS_SUCCESS
    /// for a delay.
    pub(crate) timeout_status: u32,
}

/// A live guest thread.
pub struct Thread {
    pub(crate) id: u32,
    pub(crate) object: Arc<Object>,
    pub(crate) context: CpuContext,
    /// Base of the stack's reservation.
    pub(crate) stack_allocation: u32,
    /// The initial stack pointer (top of the committed stack).
    pub(crate) stack_top: u32,
    pub(crate) teb: u32,
    pub(crate) suspend_count: u32,
    pub(crate) wait: Option<ThreadWait>,
    pub(crate) instructions: u64,
    /// User APCs queued to the thread, delivered in order at its next alertable wait.
    pub(crate) apcs: VecDeque<UserApc>,
    /// The contexts APC deliveries interrupted, innermost last.
    pub(crate) apc_frames: Vec<ApcFrame>,
    /// Alerted for user mode (NtAlertThread), until an alertable wait or NtTestAlert takes it.
    pub(crate) alerted: bool,
    /// The start routine it was created with (NT's Win32StartAddress).
    pub(crate) start_address: u32,
    /// Its static TLS block (TEB.ThreadLocalStoragePointer's allocation), 0 if none.
    pub(crate) tls_block: u32,
}

impl Thread {
    /// The start routine the thread was created with (NT's Win32StartAddress).
    pub fn start_address(&self) -> u32 {
        self.start_address
    }

    /// The thread id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The thread's kernel object.
    pub fn object(&self) -> &Arc<Object> {
        &self.object
    }

    /// The register context.
    pub fn context(&self) -> &CpuContext {
        &self.context
    }

    /// The register context, to change.
    pub fn context_mut(&mut self) -> &mut CpuContext {
        &mut self.context
    }

    /// The TEB's guest address.
    pub fn teb(&self) -> u32 {
        self.teb
    }

    /// The top of the stack (its highest address).
    pub fn stack_top(&self) -> u32 {
        self.stack_top
    }

    /// The base of the stack's reservation.
    pub fn stack_allocation(&self) -> u32 {
        self.stack_allocation
    }

    /// The suspend count.
    pub fn suspend_count(&self) -> u32 {
        self.suspend_count
    }

    /// True while the thread is parked on a wait.
    pub fn is_waiting(&self) -> bool {
        self.wait.is_some()
    }

    /// Guest instructions the thread has retired.
    pub fn instructions(&self) -> u64 {
        self.instructions
    }

    /// How many user APCs are queued to the thread, not yet delivered.
    pub fn queued_apcs(&self) -> usize {
        self.apcs.len()
    }

    /// True while the thread is parked on an alertable wait.
    pub fn is_waiting_alertably(&self) -> bool {
        self.wait.as_ref().is_some_and(|w| w.alertable)
    }
}

/// A live guest process.
pub struct Process {
    pub(crate) id: u32,
    pub(crate) object: Arc<Object>,
    pub(crate) architecture: Architecture,
    pub(crate) space: AddressSpace,
    pub(crate) handles: HandleTable,
    pub(crate) peb: u32,
    pub(crate) threads: Vec<Thread>,
    pub(crate) stack_reserve: u32,
    pub(crate) stack_commit: u32,
    pub(crate) instructions: u64,
    pub(crate) image: Option<LoadedImage>,
    pub(crate) import_stubs: Option<ImportStubs>,
    /// The CPU running this process's threads, with its decoded-code cache.
    pub(crate) engine: Option<Box<dyn CpuEngine>>,
    /// The DLLs loaded from disk, data-file views and static TLS (the loader's data).
    pub(crate) modules: crate::loader::ModuleList,
    /// The thread debugging it, if any.
    pub(crate) debugger: Option<crate::ClientId>,
    /// Its debug events not yet continued: while there are any, its threads stay stopped.
    pub(crate) debug_stops: u32,
    /// The processes it creates get its debugger (it was created with DEBUG_PROCESS).
    pub(crate) debug_children: bool,
    /// The loader's in-process initialization (NT's LdrpInitialize: binding the image's
    /// imports, making the process heap) is still to come: it runs when one of its threads
    /// first runs, before that thread's first instruction.
    pub(crate) initialization_pending: bool,
}

impl Process {
    /// Leaves the loader's in-process initialization to the first time one of the
    /// process's threads runs ([`SystemServices::process_start`](crate::SystemServices)
    /// is then called on that thread), as NT's loader does it in the new process.
    pub fn defer_initialization(&mut self) {
        self.initialization_pending = true;
    }

    /// True until the process's deferred initialization has run.
    pub fn initialization_pending(&self) -> bool {
        self.initialization_pending
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The process's kernel object.
    pub fn object(&self) -> &Arc<Object> {
        &self.object
    }

    /// The architecture its code is for.
    pub fn architecture(&self) -> Architecture {
        self.architecture
    }

    /// Its address space.
    pub fn address_space(&self) -> &AddressSpace {
        &self.space
    }

    /// Its address space, to change.
    pub fn address_space_mut(&mut self) -> &mut AddressSpace {
        &mut self.space
    }

    /// Its handle table.
    pub fn handle_table(&self) -> &HandleTable {
        &self.handles
    }

    /// Its handle table, to change.
    pub fn handle_table_mut(&mut self) -> &mut HandleTable {
        &mut self.handles
    }

    /// The PEB's guest address.
    pub fn peb(&self) -> u32 {
        self.peb
    }

    /// Its live threads, in creation order.
    pub fn threads(&self) -> &[Thread] {
        &self.threads
    }

    /// One of its threads.
    pub fn thread(&self, id: u32) -> Option<&Thread> {
        self.threads.iter().find(|t| t.id == id)
    }

    /// One of its threads, to change.
    pub fn thread_mut(&mut self, id: u32) -> Option<&mut Thread> {
        self.threads.iter_mut().find(|t| t.id == id)
    }

    /// The address space together with one of its threads, to change the thread while
    /// reading memory (a builtin function returning to its caller does both).
    pub fn space_and_thread(&mut self, id: u32) -> (&AddressSpace, Option<&mut Thread>) {
        (&self.space, self.threads.iter_mut().find(|t| t.id == id))
    }

    /// The address space together with one of its threads, both to change (a delivery of
    /// APCs writes the thread's call frame and moves its registers).
    pub fn space_and_thread_mut(&mut self, id: u32) -> (&mut AddressSpace, Option<&mut Thread>) {
        (
            &mut self.space,
            self.threads.iter_mut().find(|t| t.id == id),
        )
    }

    /// The address space together with the handle table, both to change.
    pub fn space_and_handles_mut(&mut self) -> (&mut AddressSpace, &mut HandleTable) {
        (&mut self.space, &mut self.handles)
    }

    /// How many live threads it has.
    pub fn thread_count(&self) -> usize {
        self.threads.len()
    }

    /// Guest instructions its threads have retired.
    pub fn instructions(&self) -> u64 {
        self.instructions
    }

    /// The image the process runs, once mapped.
    pub fn image(&self) -> Option<&LoadedImage> {
        self.image.as_ref()
    }

    /// The import an unimplemented-import stub address stands for.
    pub fn import_stub(&self, address: u32) -> Option<&ImportStub> {
        self.import_stubs.as_ref()?.lookup(address)
    }

    /// The DLLs loaded from disk into it, its data-file views and static TLS.
    pub fn modules(&self) -> &crate::loader::ModuleList {
        &self.modules
    }

    /// The loader's data, to change.
    pub fn modules_mut(&mut self) -> &mut crate::loader::ModuleList {
        &mut self.modules
    }

    /// The default stack reservation and commit for its new threads.
    pub fn default_stack(&self) -> (u32, u32) {
        (self.stack_reserve, self.stack_commit)
    }
}
