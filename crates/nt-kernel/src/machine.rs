//! The machine: every guest process and thread, the client-id table, the object namespace,
//! the clock, the scheduler, and the fault-injection registry.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use nt_memory::{AddressSpace, AllocationType, CommitLimit, FreeType, PageProtection};
use nt_object::{
    AccessMask, DuplicateOptions, Handle, HandleAttributes, HandleTable, Object, ObjectManager,
    ObjectType, OwnerThread, WaitType,
};
use nt_status::NtStatus;
use parking_lot::Mutex;
use pe_image::{ImportResolver, ImportStubs, LoadedImage, PeImage};

use crate::KernelError;
use crate::apc::{APC_RETURN_THUNK, WaitPoll, WaitRequest};
use crate::client_id::ClientIdTable;
use crate::cpu::{
    ALPHA_A0, ALPHA_PV, ALPHA_RA, ALPHA_SP, ALPHA_V0, AlphaContext, Architecture,
    BASE_PROCESS_START_THUNK, BASE_THREAD_START_THUNK, CallRegisters, CpuContext, CpuEngine,
    CpuExit, EXIT_THREAD_THUNK, InlineCaller, InlineCalls, X86_ESP, X86Context, sign_extend,
};
use crate::fault::{FaultPoint, FaultRegistry, Quirks};
use crate::host_signal::{HostAction, HostSignal};
use crate::process::{Process, ProcessBody, Thread, ThreadBody};
use crate::teb::{LOCALE_EN_US, offsets, peb_offsets, write_fields};
use crate::timer::Timers;

/// Makes a CPU engine for one process.
type EngineFactory = Box<dyn Fn() -> Box<dyn CpuEngine> + Send>;

/// A thread's identity: its process id and thread id (NT's CLIENT_ID).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ClientId {
    /// UniqueProcess.
    pub process: u32,
    /// UniqueThread.
    pub thread: u32,
}

/// The PROCESSINFOCLASS values NtQueryInformationProcess answers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u32)]
pub enum ProcessInformationClass {
    /// ProcessHandleCount (20): the number of handles in the process's table.
    HandleCount = 20,
}

impl ProcessInformationClass {
    /// The class with this PROCESSINFOCLASS number, if ntemu answers it
    /// (otherwise NT's STATUS_INVALID_INFO_CLASS applies).
    pub fn from_raw(value: u32) -> Option<Self> {
        match value {
            20 => Some(ProcessInformationClass::HandleCount),
            _ => None,
        }
    }
}

/// How many ended processes [`Machine::exited_processes`] remembers (the oldest go first).
pub const MAX_EXITED_RECORDS: usize = 1024;

/// Guest instructions that make one millisecond of virtual time (a 100-MIPS machine).
pub const VIRTUAL_INSTRUCTIONS_PER_MS: u64 = 100_000;

/// On a virtual clock, retired instructions move time in whole ticks of this many
/// milliseconds, as NT's clock interrupt moves its tick count and system time (10 ms on NT
/// 4.0's uniprocessor HALs), counted from the last time the clock jumped to a deadline.
///
/// So what a program reads of the time depends on how many instructions it ran only when
/// it runs a whole tick's worth (a million) without waiting: the x86 and Alpha builds of
/// one program, which need different numbers of instructions for the same work (their C
/// runtimes' start-up, each frame a game draws after a WM_TIMER), read the same times.
pub const VIRTUAL_TICK_MS: u64 = 10;

/// On a virtual clock, how much guest time past its end a timed run
/// ([`Machine::run_until`]) goes on for a moment when every thread waits.
///
/// Retired instructions advance a virtual clock, so the end time falls in the middle of
/// whatever a thread computes then, at a point that depends on how many instructions the
/// CPU needs for it: the x86 and Alpha builds of one program would stop in different
/// states (a frame half drawn on one, whole on the other). A timed run instead stops at
/// the first moment at or after its end when no thread can run, which both CPUs reach in
/// the same state when the program's waits end at the same guest times (a program that
/// draws from WM_TIMER, say), and at the latest this long after the end, for a program
/// that never waits.
pub const VIRTUAL_SETTLE_MS: u64 = 100;

/// `call_pal bpt`: a breakpoint.
pub const PAL_BPT: u32 = 0x80;
/// `call_pal callsys`: a system call.
pub const PAL_CALLSYS: u32 = 0x83;
/// `call_pal imb`: instruction memory barrier.
pub const PAL_IMB: u32 = 0x86;
/// `call_pal gentrap`: a software trap whose code is in a0 (-1 integer overflow, -2 integer
/// divide by zero, as the Alpha CRT's divide helpers raise them).
pub const PAL_GENTRAP: u32 = 0xAA;
/// `call_pal rdteb`: returns the thread's TEB in v0.
pub const PAL_RDTEB: u32 = 0xAB;

/// CREATE_SUSPENDED: the new thread starts with a suspend count of 1.
pub const CREATE_SUSPENDED: u32 = 0x4;
/// MAXIMUM_SUSPEND_COUNT.
pub const MAXIMUM_SUSPEND_COUNT: u32 = 127;

/// The rights CreateRemoteThread needs on the target process handle.
pub const REMOTE_THREAD_ACCESS: AccessMask = AccessMask(
    AccessMask::PROCESS_CREATE_THREAD.0
        | AccessMask::PROCESS_QUERY_INFORMATION.0
        | AccessMask::PROCESS_VM_OPERATION.0
        | AccessMask::PROCESS_VM_WRITE.0
        | AccessMask::PROCESS_VM_READ.0,
);

/// The machine's clock.
#[derive(Clone, Copy, Debug)]
pub enum Clock {
    /// Host time.
    Real {
        /// When the machine started.
        start: Instant,
    },
    /// A deterministic clock: jumps to the next deadline when every thread is blocked on a
    /// timed wait, and moves with retired instructions in ticks of [`VIRTUAL_TICK_MS`].
    Virtual {
        /// Milliseconds since the machine started.
        now_ms: u64,
    },
}

impl Clock {
    /// Milliseconds since the machine started.
    pub fn now_ms(&self) -> u64 {
        match *self {
            Clock::Real { start } => start.elapsed().as_millis() as u64,
            Clock::Virtual { now_ms } => now_ms,
        }
    }
}

/// How a machine is set up.
#[derive(Clone, Copy, Debug)]
pub struct MachineConfig {
    /// Guest instructions a thread runs before the scheduler moves on.
    pub quantum: u64,
    /// True for a deterministic virtual clock.
    pub virtual_time: bool,
    /// The handle quota of each new process's table.
    pub handle_quota: u32,
    /// The most processes alive at once; one more fails with STATUS_INSUFFICIENT_RESOURCES
    /// (ERROR_NO_SYSTEM_RESOURCES).
    pub max_processes: u32,
    /// The most threads alive at once over all processes; one more fails with
    /// STATUS_INSUFFICIENT_RESOURCES.
    pub max_threads: u32,
    /// The most bytes of guest memory committed at once over all processes (NT's commit
    /// limit); a commit past it fails with STATUS_COMMITMENT_LIMIT.
    pub commit_limit: u64,
}

/// [`MachineConfig::max_processes`] by default.
pub const DEFAULT_MAX_PROCESSES: u32 = 512;
/// [`MachineConfig::max_threads`] by default.
pub const DEFAULT_MAX_THREADS: u32 = 4096;
/// [`MachineConfig::commit_limit`] by default: 4 GiB.
pub const DEFAULT_COMMIT_LIMIT: u64 = 4 << 30;

impl Default for MachineConfig {
    fn default() -> Self {
        MachineConfig {
            quantum: 100_000,
            virtual_time: false,
            handle_quota: nt_object::MAX_HANDLES,
            max_processes: DEFAULT_MAX_PROCESSES,
            max_threads: DEFAULT_MAX_THREADS,
            commit_limit: DEFAULT_COMMIT_LIMIT,
        }
    }
}

/// How a new process is made.
#[derive(Clone, Debug)]
pub struct ProcessParams {
    /// The architecture of its code.
    pub architecture: Architecture,
    /// The creating process, whose inheritable handles the new one gets when
    /// `inherit_handles` is set.
    pub parent: Option<u32>,
    /// bInheritHandles.
    pub inherit_handles: bool,
    /// PROC_THREAD_ATTRIBUTE_HANDLE_LIST: when given, only these of the parent's
    /// inheritable handles are inherited.
    pub handle_list: Option<Vec<Handle>>,
    /// Default stack reservation of its threads (SizeOfStackReserve).
    pub stack_reserve: u32,
    /// Default stack commit of its threads (SizeOfStackCommit).
    pub stack_commit: u32,
    /// The image base the PEB reports.
    pub image_base: u32,
}

impl ProcessParams {
    /// A process of `architecture` with NT's default stack sizes (1 MiB reserved, one page
    /// committed) and no parent.
    pub fn new(architecture: Architecture) -> Self {
        ProcessParams {
            architecture,
            parent: None,
            inherit_handles: false,
            handle_list: None,
            stack_reserve: 0x10_0000,
            stack_commit: architecture.page_size().bytes(),
            image_base: 0x40_0000,
        }
    }
}

/// A process started from an image.
#[derive(Clone, Debug)]
pub struct ImageProcess {
    /// The process id.
    pub process: u32,
    /// The initial thread's id.
    pub thread: u32,
    /// Where the image was mapped.
    pub image: LoadedImage,
}

/// What a process left behind when it ended, for `--stats`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ExitedProcess {
    /// Its id.
    pub process: u32,
    /// Its architecture.
    pub architecture: Architecture,
    /// Its exit code.
    pub exit_code: u32,
    /// Handles still open in its table when it ended (all closed by the exit).
    pub handle_count: u32,
    /// Guest instructions its threads retired.
    pub instructions: u64,
}

/// What a service routine tells the scheduler to do with the calling thread.
pub enum ServiceOutcome {
    /// Go on running it (the routine has set its registers and program counter).
    Continue,
    /// Park it on a wait; when the wait ends its return register holds the WAIT_* value.
    Wait {
        /// The objects to wait on.
        objects: Vec<Arc<Object>>,
        /// Any or all.
        wait_type: WaitType,
        /// None waits forever.
        timeout: Option<Duration>,
    },
    /// Park it on a wait described in full (alertable, or a delay without objects); when the
    /// wait ends its return register holds the WAIT_* / NTSTATUS value.
    WaitFor(WaitRequest),
    /// End the thread with this exit code.
    ExitThread(u32),
    /// End the process with this exit code.
    ExitProcess(u32),
}

/// The builtin-DLL layer, as the scheduler calls it: a thread reached a thunk address or
/// executed a trap.
pub trait SystemServices {
    /// The thread `thread` jumped to `address` in the thunk range.
    fn thunk(&mut self, machine: &mut Machine, thread: ClientId, address: u32) -> ServiceOutcome;

    /// The thread's CPU reported a memory fault. By default the process ends with the
    /// fault's status, as an unhandled exception would end it.
    fn fault(
        &mut self,
        machine: &mut Machine,
        thread: ClientId,
        fault: nt_memory::Fault,
    ) -> ServiceOutcome {
        let _ = (machine, thread);
        ServiceOutcome::ExitProcess(fault.status().0)
    }

    /// The thread raised a processor exception (breakpoint, divide error, invalid or
    /// privileged instruction). By default the process ends with the exception code.
    fn exception(
        &mut self,
        machine: &mut Machine,
        thread: ClientId,
        status: NtStatus,
        address: u32,
    ) -> ServiceOutcome {
        let _ = (machine, thread, address);
        ServiceOutcome::ExitProcess(status.0)
    }

    /// The CPU met an instruction it does not implement. By default the process ends with
    /// STATUS_ILLEGAL_INSTRUCTION.
    fn unimplemented_instruction(
        &mut self,
        machine: &mut Machine,
        thread: ClientId,
        address: u32,
        instruction: &str,
    ) -> ServiceOutcome {
        let _ = (machine, thread, address, instruction);
        ServiceOutcome::ExitProcess(NtStatus::ILLEGAL_INSTRUCTION.0)
    }

    /// The thread executed a trap instruction. By default the process ends with
    /// STATUS_ILLEGAL_INSTRUCTION, as an unhandled exception would end it.
    fn trap(&mut self, machine: &mut Machine, thread: ClientId, number: u32) -> ServiceOutcome {
        let _ = (machine, thread, number);
        ServiceOutcome::ExitProcess(NtStatus::ILLEGAL_INSTRUCTION.0)
    }

    /// A process whose initialization was deferred
    /// ([`Process::defer_initialization`]) is about to run its first instruction, on
    /// `thread` (the first of its threads to run, whichever it is): NT's LdrpInitialize in
    /// the new process. By default nothing happens.
    fn process_start(&mut self, machine: &mut Machine, thread: ClientId) {
        let _ = (machine, thread);
    }

    /// The machine's [`HostSignal`] was rung: serve the host (typed keys, a Ctrl+C, a new
    /// window size) between two threads' quanta. By default nothing happens.
    fn host_event(&mut self, machine: &mut Machine) -> HostAction {
        let _ = machine;
        HostAction::Continue
    }

    /// Every thread is blocked: the services may wait on the host, for at most `timeout`
    /// (None: without limit; it is the time to the earliest wait deadline on the machine's
    /// clock), for something outside the machine that ends a wait (a host socket becoming
    /// ready), signal the objects concerned and return true. False when they have nothing
    /// to wait for; the scheduler then moves the clock to the next deadline. By default
    /// there is nothing.
    fn idle(&mut self, machine: &mut Machine, timeout: Option<Duration>) -> bool {
        let _ = (machine, timeout);
        false
    }

    /// Host-side work between quanta (writing the registry's hives, say): called once per
    /// scheduler round, with what the machine does next ([`Pause`]). By default nothing.
    fn housekeeping(&mut self, machine: &mut Machine, pause: Pause) {
        let _ = (machine, pause);
    }

    /// The builtin calls the CPU may serve without leaving its run loop (calls that need
    /// only the caller's registers and memory); the rest come to [`thunk`](Self::thunk).
    /// By default none: every call comes to `thunk`.
    fn inline_calls(&mut self) -> Option<&mut dyn InlineCalls> {
        None
    }
}

/// Counts the calls an [`InlineCalls`] serves during one run.
struct CountedCalls<'a> {
    calls: &'a mut dyn InlineCalls,
    served: u64,
}

impl InlineCalls for CountedCalls<'_> {
    fn call(
        &mut self,
        caller: InlineCaller,
        address: u32,
        registers: CallRegisters<'_>,
        memory: &mut AddressSpace,
    ) -> bool {
        let done = self.calls.call(caller, address, registers, memory);
        self.served += u64::from(done);
        done
    }
}

/// What the scheduler does after [`SystemServices::housekeeping`] returns.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Pause {
    /// Runs the next round: some thread ran.
    Running,
    /// Every thread waits: the machine sleeps, or waits on the host for what ends a wait
    /// ([`SystemServices::idle`]), at most this long (host time; zero when a virtual
    /// clock's time jumps to the earliest deadline; `Duration::MAX` without a deadline).
    Sleeping(Duration),
    /// The run stops: every thread is blocked with no deadline, or every process ended.
    Stopping,
}

/// Services for a machine whose threads call nothing: any thunk other than the exit thunk
/// ends the process with STATUS_ILLEGAL_INSTRUCTION.
pub struct NoServices;

impl SystemServices for NoServices {
    fn thunk(&mut self, _: &mut Machine, _: ClientId, _: u32) -> ServiceOutcome {
        ServiceOutcome::ExitProcess(NtStatus::ILLEGAL_INSTRUCTION.0)
    }
}

/// How a run of the scheduler ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum RunOutcome {
    /// Every process has ended.
    AllExited,
    /// Threads remain, but all are suspended or waiting with no timeout.
    Blocked,
    /// The instruction limit was reached.
    LimitReached,
    /// The clock reached the time limit of [`Machine::run_until`].
    TimeReached,
    /// The host stopped the run ([`SystemServices::host_event`] returned
    /// [`HostAction::Stop`]); the machine can be run again.
    Interrupted,
}

/// The steps of a thread creation that have been done, for undo in reverse.
enum Undo {
    Stack { process: u32, base: u32 },
    Teb { process: u32, base: u32 },
    ThreadObject { process: u32, thread: u32 },
    Handle { process: u32, handle: Handle },
    Subsystem { thread: u32 },
}

/// One emulated NT machine.
pub struct Machine {
    objects: ObjectManager,
    client_ids: Arc<Mutex<ClientIdTable>>,
    pub(crate) processes: BTreeMap<u32, Process>,
    /// The debuggers' event queues.
    pub(crate) debug: crate::debug::DebugState,
    /// Threads registered with the Win32 subsystem (CSRSS's thread list).
    subsystem: BTreeMap<u32, ()>,
    faults: FaultRegistry,
    quirks: Quirks,
    clock: Clock,
    config: MachineConfig,
    commit_limit: Arc<CommitLimit>,
    engines: Vec<(Architecture, EngineFactory)>,
    instructions: u64,
    /// Instructions not yet charged to the virtual clock.
    virtual_instructions: u64,
    exited: Vec<ExitedProcess>,
    host_signal: Arc<HostSignal>,
    /// The set waitable timers.
    pub(crate) timers: Timers,
}

impl std::fmt::Debug for Machine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Machine")
            .field("processes", &self.processes.len())
            .field("instructions", &self.instructions)
            .finish_non_exhaustive()
    }
}

fn round_up(value: u64, to: u64) -> u64 {
    value.div_ceil(to) * to
}

impl Machine {
    /// A machine with no processes.
    pub fn new(config: MachineConfig) -> Self {
        Machine {
            objects: ObjectManager::new(),
            client_ids: Arc::new(Mutex::new(ClientIdTable::default())),
            processes: BTreeMap::new(),
            debug: Default::default(),
            subsystem: BTreeMap::new(),
            faults: FaultRegistry::default(),
            quirks: Quirks::default(),
            clock: if config.virtual_time {
                Clock::Virtual { now_ms: 0 }
            } else {
                Clock::Real {
                    start: Instant::now(),
                }
            },
            commit_limit: CommitLimit::new(config.commit_limit),
            config,
            engines: Vec::new(),
            instructions: 0,
            virtual_instructions: 0,
            exited: Vec::new(),
            host_signal: Arc::new(HostSignal::new()),
            timers: Timers::default(),
        }
    }

    /// The machine's doorbell: a host that rings it (from any thread) is served by
    /// [`SystemServices::host_event`] after the current thread's quantum, or at once when
    /// every thread is sleeping.
    pub fn host_signal(&self) -> Arc<HostSignal> {
        Arc::clone(&self.host_signal)
    }

    /// The machine's commit limit and what its processes have committed against it.
    pub fn commit_limit(&self) -> &CommitLimit {
        &self.commit_limit
    }

    /// Adds the CPU that runs threads of `architecture` (replacing an earlier one): each
    /// process gets its own engine from `factory`, so decoded-code caches are per address
    /// space.
    pub fn add_engine<F>(&mut self, architecture: Architecture, factory: F)
    where
        F: Fn() -> Box<dyn CpuEngine> + Send + 'static,
    {
        self.engines.retain(|(a, _)| *a != architecture);
        self.engines.push((architecture, Box::new(factory)));
    }

    /// The object manager (namespace, dispatcher, object counters).
    pub fn objects(&self) -> &ObjectManager {
        &self.objects
    }

    /// The fault-injection registry.
    pub fn faults(&self) -> &FaultRegistry {
        &self.faults
    }

    /// The fault-injection registry, to arm points.
    pub fn faults_mut(&mut self) -> &mut FaultRegistry {
        &mut self.faults
    }

    /// The compatibility quirks in force.
    pub fn quirks_mut(&mut self) -> &mut Quirks {
        &mut self.quirks
    }

    /// The clock.
    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// Guest instructions retired by every thread so far.
    pub fn instructions(&self) -> u64 {
        self.instructions
    }

    /// The processes that have ended, in the order they ended (the most recent ones: the
    /// record is bounded).
    pub fn exited_processes(&self) -> &[ExitedProcess] {
        &self.exited
    }

    /// Live objects of every type.
    pub fn live_objects(&self) -> usize {
        self.objects.live_objects_total()
    }

    /// Process and thread ids in use.
    pub fn client_id_count(&self) -> usize {
        self.client_ids.lock().live()
    }

    /// Threads registered with the Win32 subsystem.
    pub fn subsystem_thread_count(&self) -> usize {
        self.subsystem.len()
    }

    /// A live process.
    pub fn process(&self, id: u32) -> Option<&Process> {
        self.processes.get(&id)
    }

    /// A live process, to change.
    pub fn process_mut(&mut self, id: u32) -> Option<&mut Process> {
        self.processes.get_mut(&id)
    }

    /// The ids of the live processes.
    pub fn process_ids(&self) -> Vec<u32> {
        self.processes.keys().copied().collect()
    }

    pub(crate) fn live_process(&mut self, id: u32) -> Result<&mut Process, KernelError> {
        self.processes
            .get_mut(&id)
            .ok_or(KernelError::ProcessTerminating)
    }

    /// Creates a process: an empty address space with its PEB, a handle table (inheriting
    /// the parent's inheritable handles when asked), an id. It has no thread until
    /// [`spawn_thread`](Self::spawn_thread) or CreateRemoteThread gives it one.
    pub fn create_process(&mut self, params: ProcessParams) -> Result<u32, KernelError> {
        if self.processes.len() >= self.config.max_processes as usize {
            return Err(KernelError::ProcessLimit(self.config.max_processes));
        }
        let page = params.architecture.page_size().bytes();
        let mut space = AddressSpace::new(params.architecture.page_size())?;
        space.set_commit_limit(Arc::clone(&self.commit_limit));
        let (peb, _) = space.allocate(
            0,
            page,
            AllocationType::RESERVE | AllocationType::COMMIT | AllocationType::TOP_DOWN,
            PageProtection::READWRITE,
        )?;
        write_fields(
            &mut space,
            peb,
            &[
                (peb_offsets::IMAGE_BASE, params.image_base),
                (peb_offsets::NUMBER_OF_PROCESSORS, 1),
                (peb_offsets::OS_MAJOR_VERSION, 4),
                (peb_offsets::OS_MINOR_VERSION, 0),
                (peb_offsets::OS_BUILD_NUMBER, 1381),
                (peb_offsets::OS_PLATFORM_ID, 2),
                // As NT's MmCreatePeb sets them: critical sections time out after 30 days
                // (-2,592,000 s in 100 ns units), and the default heap segment sizes.
                (peb_offsets::CRITICAL_SECTION_TIMEOUT, 0x079B_8000),
                (peb_offsets::CRITICAL_SECTION_TIMEOUT + 4, 0xFFFF_E86D),
                (peb_offsets::HEAP_SEGMENT_RESERVE, 0x10_0000),
                (peb_offsets::HEAP_SEGMENT_COMMIT, 0x2000),
                (peb_offsets::HEAP_DECOMMIT_TOTAL_FREE_THRESHOLD, 0x1_0000),
                (peb_offsets::HEAP_DECOMMIT_FREE_BLOCK_THRESHOLD, 0x1000),
            ],
        )?;
        let handles = match params.parent {
            Some(parent) if params.inherit_handles => {
                let parent = self
                    .processes
                    .get(&parent)
                    .ok_or(KernelError::InvalidClientId)?;
                let mut table = match &params.handle_list {
                    Some(list) => parent.handles.inherit_only(|h| list.contains(&h)),
                    None => parent.handles.inherit(),
                };
                table.set_quota(self.config.handle_quota);
                table
            }
            _ => HandleTable::with_quota(self.config.handle_quota),
        };
        let id = self.client_ids.lock().reserve();
        let body = ProcessBody::new(id, params.architecture, Arc::clone(&self.client_ids));
        {
            let mut details = body.details();
            details.created_ms = self.clock.now_ms();
            details.parent = params.parent.unwrap_or(0);
        }
        let object = self
            .objects
            .create_executive_object(ObjectType::Process, Box::new(body))?;
        self.client_ids.lock().bind(id, &object);
        self.processes.insert(
            id,
            Process {
                id,
                object,
                architecture: params.architecture,
                space,
                handles,
                peb,
                threads: Vec::new(),
                stack_reserve: params.stack_reserve.max(page),
                stack_commit: params.stack_commit.max(page),
                instructions: 0,
                image: None,
                import_stubs: None,
                engine: None,
                modules: crate::loader::ModuleList::default(),
                debugger: None,
                debug_stops: 0,
                debug_children: false,
                initialization_pending: false,
            },
        );
        Ok(id)
    }

    /// CreateProcess of an image: a process of the image's architecture with its stack sizes
    /// and image base, the image mapped and its imports bound through `resolver` (imports
    /// nobody provides are bound to stubs the process remembers), and its initial thread
    /// ready at the entry point (suspended with CREATE_SUSPENDED).
    pub fn create_process_from_image(
        &mut self,
        image: &PeImage,
        resolver: &mut dyn ImportResolver,
        parent: Option<u32>,
        inherit_handles: bool,
        flags: u32,
    ) -> Result<ImageProcess, KernelError> {
        self.create_process_from_image_inheriting(
            image,
            resolver,
            parent,
            inherit_handles,
            None,
            flags,
        )
    }

    /// [`create_process_from_image`](Self::create_process_from_image) where, with
    /// `handle_list`, the child inherits only those of the parent's inheritable handles
    /// (PROC_THREAD_ATTRIBUTE_HANDLE_LIST).
    pub fn create_process_from_image_inheriting(
        &mut self,
        image: &PeImage,
        resolver: &mut dyn ImportResolver,
        parent: Option<u32>,
        inherit_handles: bool,
        handle_list: Option<Vec<Handle>>,
        flags: u32,
    ) -> Result<ImageProcess, KernelError> {
        let architecture = match image.machine {
            pe_image::Machine::I386 => Architecture::X86,
            pe_image::Machine::Alpha => Architecture::Alpha,
        };
        let params = ProcessParams {
            architecture,
            parent,
            inherit_handles,
            handle_list,
            stack_reserve: image.stack_reserve,
            stack_commit: image.stack_commit,
            image_base: image.image_base,
        };
        let pid = self.create_process(params)?;
        match self.map_image(pid, image, resolver, flags) {
            Ok(started) => Ok(started),
            Err(e) => {
                self.exit_process(pid, e.status().0);
                // It never ran: no record of an ended process.
                if self.exited.last().is_some_and(|p| p.process == pid) {
                    self.exited.pop();
                }
                Err(e)
            }
        }
    }

    fn map_image(
        &mut self,
        pid: u32,
        image: &PeImage,
        resolver: &mut dyn ImportResolver,
        flags: u32,
    ) -> Result<ImageProcess, KernelError> {
        let process = self.live_process(pid)?;
        let mut stubs = ImportStubs::new(&mut process.space)?;
        let loaded = image.load(&mut process.space, None, resolver, &mut stubs)?;
        process.space.kernel_write(
            process.peb + peb_offsets::IMAGE_BASE,
            &loaded.base.to_le_bytes(),
        )?;
        process.import_stubs = Some(stubs);
        process.image = Some(loaded.clone());
        let mut undo = Vec::new();
        let thread = match self.build_thread(
            pid,
            None,
            ThreadStart::Image(loaded.entry_point),
            0,
            flags,
            HandleAttributes::NONE,
            false,
            &mut undo,
        ) {
            Ok((_, thread)) => thread,
            Err(e) => {
                self.roll_back(undo, false);
                return Err(e);
            }
        };
        Ok(ImageProcess {
            process: pid,
            thread,
            image: loaded,
        })
    }

    /// Starts a thread in process `process` at `start` with `parameter`, without a handle
    /// for anyone (the initial thread of a process, or an embedder's thread). `flags` takes
    /// CREATE_SUSPENDED. Returns the thread id.
    pub fn spawn_thread(
        &mut self,
        process: u32,
        start: u32,
        parameter: u32,
        stack_size: u32,
        flags: u32,
    ) -> Result<u32, KernelError> {
        let mut undo = Vec::new();
        match self.build_thread(
            process,
            None,
            ThreadStart::Routine { start, parameter },
            stack_size,
            flags,
            HandleAttributes::NONE,
            false,
            &mut undo,
        ) {
            Ok((_, thread)) => Ok(thread),
            Err(e) => {
                self.roll_back(undo, false);
                Err(e)
            }
        }
    }

    /// CreateRemoteThread: creates a thread in the process `process_handle` names in the
    /// caller's table (or the caller's own for -1), as a transaction of seven steps each with
    /// an undo and a fault point. On success returns the new thread's handle in the caller's
    /// table and its id; on failure every earlier step is undone, so the caller's handle
    /// count, the target's memory and threads, the live objects and the client ids are as
    /// they were (unless the NT 4.0 quirk reproduces its leak).
    #[allow(clippy::too_many_arguments)]
    pub fn create_remote_thread(
        &mut self,
        caller: ClientId,
        process_handle: Handle,
        inherit_handle: bool,
        stack_size: u32,
        start: u32,
        parameter: u32,
        flags: u32,
    ) -> Result<(Handle, u32), KernelError> {
        // Step 1: reference the target process with the rights the call needs.
        if self.faults.reach(FaultPoint::RemoteThreadAccess) {
            return Err(KernelError::Injected(FaultPoint::RemoteThreadAccess));
        }
        let target =
            self.reference_process(caller.process, process_handle, REMOTE_THREAD_ACCESS)?;
        let attributes = if inherit_handle {
            HandleAttributes::INHERIT
        } else {
            HandleAttributes::NONE
        };
        let mut undo = Vec::with_capacity(5);
        match self.build_thread(
            target,
            Some(caller.process),
            ThreadStart::Routine { start, parameter },
            stack_size,
            flags,
            attributes,
            true,
            &mut undo,
        ) {
            Ok((handle, thread)) => Ok((handle.unwrap_or(Handle::NULL), thread)),
            Err(e) => {
                let leak = self.quirks.nt4_remote_thread_leak
                    && matches!(e, KernelError::Injected(FaultPoint::RemoteThreadSubsystem));
                self.roll_back(undo, leak);
                Err(e)
            }
        }
    }

    /// CreateThread: CreateRemoteThread on the caller's own process.
    pub fn create_thread(
        &mut self,
        caller: ClientId,
        stack_size: u32,
        start: u32,
        parameter: u32,
        flags: u32,
    ) -> Result<(Handle, u32), KernelError> {
        self.create_remote_thread(
            caller,
            Handle::CURRENT_PROCESS,
            false,
            stack_size,
            start,
            parameter,
            flags,
        )
    }

    /// Resolves a process handle of `caller_process` (or -1) to a live process id, checking
    /// `access`.
    pub fn reference_process(
        &self,
        caller_process: u32,
        handle: Handle,
        access: AccessMask,
    ) -> Result<u32, KernelError> {
        let object = self.reference_process_object(caller_process, handle, access)?;
        let id = object
            .payload::<ProcessBody>()
            .ok_or(KernelError::Object(
                nt_object::ObjectError::ObjectTypeMismatch,
            ))?
            .id();
        if self.processes.contains_key(&id) {
            Ok(id)
        } else {
            Err(KernelError::ProcessTerminating)
        }
    }

    /// Steps 2-7 of thread creation, recording each done step in `undo`.
    #[allow(clippy::too_many_arguments)]
    fn build_thread(
        &mut self,
        target: u32,
        handle_for: Option<u32>,
        how: ThreadStart,
        stack_size: u32,
        flags: u32,
        attributes: HandleAttributes,
        faults: bool,
        undo: &mut Vec<Undo>,
    ) -> Result<(Option<Handle>, u32), KernelError> {
        let (start, parameter, image_start) = match how {
            ThreadStart::Routine { start, parameter } => (start, parameter, false),
            ThreadStart::Image(entry) => (entry, 0, true),
        };
        let live: usize = self.processes.values().map(|p| p.threads.len()).sum();
        if live >= self.config.max_threads as usize {
            return Err(KernelError::ThreadLimit(self.config.max_threads));
        }
        let inject = |m: &mut Machine, point: FaultPoint| -> Result<(), KernelError> {
            if faults && m.faults.reach(point) {
                Err(KernelError::Injected(point))
            } else {
                Ok(())
            }
        };

        // Step 2: the stack: a reservation, its top committed, a guard page below.
        inject(self, FaultPoint::RemoteThreadStack)?;
        let process = self.live_process(target)?;
        let page = u64::from(process.architecture.page_size().bytes());
        let commit = round_up(
            u64::from(if stack_size == 0 {
                process.stack_commit
            } else {
                stack_size
            }),
            page,
        );
        let mut reserve = round_up(u64::from(process.stack_reserve), 0x1_0000);
        if commit + page > reserve {
            reserve = round_up(commit + page, 0x10_0000);
        }
        if reserve > 0x7FFF_0000 {
            return Err(KernelError::Memory(nt_memory::MemoryError::NoMemory(
                stack_size,
            )));
        }
        let (stack_base, _) = process.space.allocate(
            0,
            reserve as u32,
            AllocationType::RESERVE,
            PageProtection::READWRITE,
        )?;
        undo.push(Undo::Stack {
            process: target,
            base: stack_base,
        });
        let stack_top = (u64::from(stack_base) + reserve) as u32;
        let commit_base = stack_top - commit as u32;
        process.space.allocate(
            commit_base,
            commit as u32,
            AllocationType::COMMIT,
            PageProtection::READWRITE,
        )?;
        process.space.allocate(
            commit_base - page as u32,
            page as u32,
            AllocationType::COMMIT,
            PageProtection::READWRITE | PageProtection::GUARD,
        )?;

        // Step 3: the TEB.
        inject(self, FaultPoint::RemoteThreadTeb)?;
        let process = self.live_process(target)?;
        let (teb, _) = process.space.allocate(
            0,
            page as u32,
            AllocationType::RESERVE | AllocationType::COMMIT | AllocationType::TOP_DOWN,
            PageProtection::READWRITE,
        )?;
        undo.push(Undo::Teb {
            process: target,
            base: teb,
        });
        write_fields(
            &mut process.space,
            teb,
            &[
                (offsets::EXCEPTION_LIST, 0xFFFF_FFFF),
                (offsets::STACK_BASE, stack_top),
                (offsets::STACK_LIMIT, commit_base),
                (offsets::DEALLOCATION_STACK, stack_base),
                (offsets::SELF, teb),
                (offsets::CLIENT_ID_PROCESS, target),
                (offsets::PEB, process.peb),
                (offsets::CURRENT_LOCALE, LOCALE_EN_US),
                (offsets::CLIENT_ID_THREAD, 0),
                // As NT's MmCreateTeb: the static Unicode string over the TEB's own buffer.
                (
                    offsets::STATIC_UNICODE_STRING,
                    offsets::STATIC_UNICODE_BUFFER_SIZE << 16,
                ),
                (
                    offsets::STATIC_UNICODE_STRING + 4,
                    teb + offsets::STATIC_UNICODE_BUFFER,
                ),
            ],
        )?;

        // Step 4: the thread object, its client id, and the thread itself, suspended.
        inject(self, FaultPoint::RemoteThreadObject)?;
        let id = self.client_ids.lock().reserve();
        let body = ThreadBody::new(id, target, Arc::clone(&self.client_ids));
        {
            let inherited = self
                .processes
                .get(&target)
                .and_then(|p| p.object.payload::<ProcessBody>().map(|b| *b.details()));
            let mut details = body.details();
            details.created_ms = self.clock.now_ms();
            details.start_address = start;
            if let Some(p) = inherited {
                details.affinity = p.affinity;
                details.boost_disabled = p.boost_disabled;
            }
        }
        let object = match self
            .objects
            .create_executive_object(ObjectType::Thread, Box::new(body))
        {
            Ok(o) => o,
            Err(e) => {
                self.client_ids.lock().release(id);
                return Err(e.into());
            }
        };
        self.client_ids.lock().bind(id, &object);
        let process = self.live_process(target)?;
        // With DLLs to tell of new threads, a thread starts in the loader's thunk, which
        // calls them and then the start routine.
        let entry = process.modules.thread_start.unwrap_or(start);
        let context = match process.architecture {
            Architecture::X86 => {
                // As NT's BaseInitializeContext: the thread starts in KERNEL32's start thunk
                // (BaseProcessStartThunk for a process's first thread) with esp one zero
                // slot below the top of its stack, eax the start routine, ebx its
                // parameter (for a process's first thread, the PEB); what a debugger's
                // GetThreadContext shows of a thread not yet run.
                let esp = stack_top - 4;
                process.space.kernel_write(esp, &[0u8; 4])?;
                let mut c = X86Context {
                    eip: if image_start {
                        BASE_PROCESS_START_THUNK
                    } else {
                        BASE_THREAD_START_THUNK
                    },
                    eflags: 0x202,
                    fs_base: teb,
                    ..X86Context::default()
                };
                c.gpr[cpu_x86::reg::EAX] = start;
                c.gpr[cpu_x86::reg::EBX] = if image_start { process.peb } else { parameter };
                // NT starts a Win32 thread's FPU with all exceptions masked and 53-bit
                // precision (0x27F), MXCSR at its reset value.
                c.x87.control = 0x27F;
                c.gpr[X86_ESP] = esp;
                CpuContext::X86(Box::new(c))
            }
            Architecture::Alpha => {
                let mut c = AlphaContext {
                    pc: sign_extend(entry),
                    ..AlphaContext::default()
                };
                c.r[ALPHA_A0] = sign_extend(parameter);
                c.r[ALPHA_RA] = sign_extend(EXIT_THREAD_THUNK);
                c.r[ALPHA_PV] = sign_extend(entry);
                c.r[ALPHA_SP] = sign_extend(stack_top & !15);
                CpuContext::Alpha(Box::new(c))
            }
        };
        process
            .space
            .kernel_write(teb + offsets::CLIENT_ID_THREAD, &id.to_le_bytes())?;
        process.threads.push(Thread {
            id,
            object: Arc::clone(&object),
            context,
            stack_allocation: stack_base,
            stack_top,
            teb,
            suspend_count: 1,
            wait: None,
            instructions: 0,
            apcs: Default::default(),
            apc_frames: Vec::new(),
            alerted: false,
            start_address: start,
            tls_block: 0,
        });
        undo.push(Undo::ThreadObject {
            process: target,
            thread: id,
        });

        // Step 5: the handle in the caller's table.
        let mut handle = None;
        if let Some(caller) = handle_for {
            inject(self, FaultPoint::RemoteThreadHandle)?;
            let table = &mut self.live_process(caller)?.handles;
            let h = table.insert(&object, AccessMask::THREAD_ALL_ACCESS, attributes)?;
            undo.push(Undo::Handle {
                process: caller,
                handle: h,
            });
            handle = Some(h);
        }
        drop(object);

        // Step 6: registration with the Win32 subsystem.
        inject(self, FaultPoint::RemoteThreadSubsystem)?;
        self.subsystem.insert(id, ());
        undo.push(Undo::Subsystem { thread: id });

        // Step 7: resume unless CREATE_SUSPENDED.
        inject(self, FaultPoint::RemoteThreadResume)?;
        if flags & CREATE_SUSPENDED == 0
            && let Some(t) = self.live_process(target)?.thread_mut(id)
        {
            t.suspend_count = 0;
        }
        // A new thread of a debugged process (not its first, which the process's creation
        // event tells of) is reported before it runs.
        if self
            .processes
            .get(&target)
            .is_some_and(|p| p.threads.len() > 1)
        {
            self.post_debug_event(crate::DebugEvent {
                process: target,
                thread: id,
                kind: crate::DebugEventKind::CreateThread {
                    start_address: start,
                    teb,
                },
            });
        }
        Ok((handle, id))
    }

    /// Undoes thread-creation steps in reverse. With `leak_handle` (the NT 4.0 quirk) the
    /// caller's handle stays open on the terminated thread.
    fn roll_back(&mut self, undo: Vec<Undo>, leak_handle: bool) {
        for step in undo.into_iter().rev() {
            match step {
                Undo::Subsystem { thread } => {
                    self.subsystem.remove(&thread);
                }
                Undo::Handle { process, handle } => {
                    if !leak_handle && let Some(p) = self.processes.get_mut(&process) {
                        let _ = p.handles.close(handle);
                    }
                }
                Undo::ThreadObject { process, thread } => {
                    if let Some(p) = self.processes.get_mut(&process)
                        && let Some(i) = p.threads.iter().position(|t| t.id == thread)
                    {
                        let t = p.threads.remove(i);
                        if let Some(body) = t.object.payload::<ThreadBody>() {
                            body.set_exit_status(nt_status::NtStatus::UNSUCCESSFUL.0);
                        }
                        let _ = t.object.signal_exit();
                    }
                }
                Undo::Teb { process, base } | Undo::Stack { process, base } => {
                    if let Some(p) = self.processes.get_mut(&process) {
                        let _ = p.space.free(base, 0, FreeType::RELEASE);
                    }
                }
            }
        }
    }

    fn caller_table(&mut self, caller: u32) -> Result<&mut HandleTable, KernelError> {
        Ok(&mut self.live_process(caller)?.handles)
    }

    /// OpenProcess: a handle in the caller's table to the process with id `id`.
    pub fn open_process(
        &mut self,
        caller: u32,
        id: u32,
        access: AccessMask,
        inherit: bool,
    ) -> Result<Handle, KernelError> {
        self.open_by_id(caller, id, ObjectType::Process, access, inherit)
    }

    /// OpenThread: a handle in the caller's table to the thread with id `id`.
    pub fn open_thread(
        &mut self,
        caller: u32,
        id: u32,
        access: AccessMask,
        inherit: bool,
    ) -> Result<Handle, KernelError> {
        self.open_by_id(caller, id, ObjectType::Thread, access, inherit)
    }

    fn open_by_id(
        &mut self,
        caller: u32,
        id: u32,
        object_type: ObjectType,
        access: AccessMask,
        inherit: bool,
    ) -> Result<Handle, KernelError> {
        // The lookup's reference is dropped outside the client-id lock: a process or thread
        // body's drop takes that lock.
        let found = self.client_ids.lock().lookup(id);
        if found.is_none()
            && crate::system_processes::is_protected_system_id(
                id,
                object_type == ObjectType::Thread,
            )
        {
            return Err(KernelError::Object(nt_object::ObjectError::AccessDenied));
        }
        let object = found
            .filter(|o| o.object_type() == object_type)
            .ok_or(KernelError::InvalidClientId)?;
        // The object's security grants the type's rights and no others: a request for a
        // right NT 4.0 does not define (PROCESS_QUERY_LIMITED_INFORMATION, 0x1000, came with
        // Vista) is refused, as NT's access check refuses what no ACE grants.
        let specific = access.0 & !(AccessMask::GENERIC_MASK.0 | AccessMask::MAXIMUM_ALLOWED.0);
        if specific & !object_type.generic_mapping().all.0 != 0 {
            return Err(KernelError::Object(nt_object::ObjectError::AccessDenied));
        }
        let attributes = if inherit {
            HandleAttributes::INHERIT
        } else {
            HandleAttributes::NONE
        };
        let table = self.caller_table(caller)?;
        Ok(table.insert(&object, object_type.map_access(access), attributes)?)
    }

    /// DuplicateHandle between the tables of two live processes (or within one). A
    /// pseudo-handle source names the source process or, when the source process is the
    /// caller's, the calling thread.
    #[allow(clippy::too_many_arguments)]
    pub fn duplicate_handle(
        &mut self,
        caller: ClientId,
        source_process: u32,
        source: Handle,
        target_process: u32,
        access: AccessMask,
        attributes: HandleAttributes,
        options: DuplicateOptions,
    ) -> Result<Handle, KernelError> {
        if source.is_pseudo() {
            let src = self
                .processes
                .get(&source_process)
                .ok_or(KernelError::ProcessTerminating)?;
            let object = if source == Handle::CURRENT_PROCESS {
                Arc::clone(&src.object)
            } else if source_process == caller.process {
                src.thread(caller.thread)
                    .map(|t| Arc::clone(&t.object))
                    .ok_or(KernelError::InvalidClientId)?
            } else {
                return Err(KernelError::Object(nt_object::ObjectError::InvalidHandle));
            };
            let granted = if options.0 & DuplicateOptions::SAME_ACCESS.0 != 0 {
                object.object_type().map_access(AccessMask::GENERIC_ALL)
            } else {
                object.object_type().map_access(access)
            };
            let table = &mut self.live_process(target_process)?.handles;
            return Ok(table.insert(&object, granted, attributes)?);
        }
        if source_process == target_process {
            let table = &mut self.live_process(source_process)?.handles;
            return Ok(table.duplicate(source, access, attributes, options)?);
        }
        if !self.processes.contains_key(&target_process) {
            return Err(KernelError::ProcessTerminating);
        }
        let mut target_table = std::mem::take(&mut self.live_process(target_process)?.handles);
        let result = match self.processes.get_mut(&source_process) {
            Some(src) => src
                .handles
                .duplicate_into(source, &mut target_table, access, attributes, options)
                .map_err(KernelError::from),
            None => Err(KernelError::ProcessTerminating),
        };
        if let Some(t) = self.processes.get_mut(&target_process) {
            t.handles = target_table;
        }
        result
    }

    /// CloseHandle in the caller's table.
    pub fn close_handle(&mut self, caller: u32, handle: Handle) -> Result<(), KernelError> {
        Ok(self.caller_table(caller)?.close(handle)?)
    }

    /// The thread object a handle (or -2) of `caller` names, with `access` checked.
    pub(crate) fn reference_thread(
        &self,
        caller: ClientId,
        handle: Handle,
        access: AccessMask,
    ) -> Result<Arc<Object>, KernelError> {
        let process = self
            .processes
            .get(&caller.process)
            .ok_or(KernelError::ProcessTerminating)?;
        if handle == Handle::CURRENT_THREAD {
            return process
                .thread(caller.thread)
                .map(|t| Arc::clone(&t.object))
                .ok_or(KernelError::InvalidClientId);
        }
        Ok(Arc::clone(process.handles.reference(
            handle,
            access,
            Some(ObjectType::Thread),
        )?))
    }

    fn live_thread_mut(&mut self, body: &ThreadBody) -> Option<&mut Thread> {
        self.processes
            .get_mut(&body.process_id())?
            .thread_mut(body.id())
    }

    /// SuspendThread: returns the previous suspend count.
    pub fn suspend_thread(&mut self, caller: ClientId, handle: Handle) -> Result<u32, KernelError> {
        let object = self.reference_thread(caller, handle, AccessMask::THREAD_SUSPEND_RESUME)?;
        let body = object
            .payload::<ThreadBody>()
            .ok_or(KernelError::ThreadTerminating)?;
        let thread = self
            .live_thread_mut(body)
            .ok_or(KernelError::ThreadTerminating)?;
        if thread.suspend_count >= MAXIMUM_SUSPEND_COUNT {
            return Err(KernelError::SuspendCountExceeded);
        }
        thread.suspend_count += 1;
        Ok(thread.suspend_count - 1)
    }

    /// ResumeThread: returns the previous suspend count (0 leaves it at 0).
    pub fn resume_thread(&mut self, caller: ClientId, handle: Handle) -> Result<u32, KernelError> {
        let object = self.reference_thread(caller, handle, AccessMask::THREAD_SUSPEND_RESUME)?;
        let body = object
            .payload::<ThreadBody>()
            .ok_or(KernelError::ThreadTerminating)?;
        let Some(thread) = self.live_thread_mut(body) else {
            return Ok(0);
        };
        let previous = thread.suspend_count;
        thread.suspend_count = previous.saturating_sub(1);
        Ok(previous)
    }

    /// TerminateThread.
    pub fn terminate_thread(
        &mut self,
        caller: ClientId,
        handle: Handle,
        exit_code: u32,
    ) -> Result<(), KernelError> {
        let object = self.reference_thread(caller, handle, AccessMask::THREAD_TERMINATE)?;
        let body = object
            .payload::<ThreadBody>()
            .ok_or(KernelError::ThreadTerminating)?;
        let id = ClientId {
            process: body.process_id(),
            thread: body.id(),
        };
        if self
            .processes
            .get(&id.process)
            .and_then(|p| p.thread(id.thread))
            .is_none()
        {
            return Err(KernelError::ThreadTerminating);
        }
        self.exit_thread(id, exit_code);
        Ok(())
    }

    /// GetExitCodeThread: STILL_ACTIVE while the thread runs.
    pub fn thread_exit_code(&self, caller: ClientId, handle: Handle) -> Result<u32, KernelError> {
        let object = self.reference_thread(caller, handle, AccessMask::THREAD_QUERY_INFORMATION)?;
        Ok(object
            .payload::<ThreadBody>()
            .ok_or(KernelError::ThreadTerminating)?
            .exit_status())
    }

    pub(crate) fn reference_process_object(
        &self,
        caller: u32,
        handle: Handle,
        access: AccessMask,
    ) -> Result<Arc<Object>, KernelError> {
        let process = self
            .processes
            .get(&caller)
            .ok_or(KernelError::ProcessTerminating)?;
        if handle == Handle::CURRENT_PROCESS {
            return Ok(Arc::clone(&process.object));
        }
        Ok(Arc::clone(process.handles.reference(
            handle,
            access,
            Some(ObjectType::Process),
        )?))
    }

    /// GetExitCodeProcess: STILL_ACTIVE while the process runs.
    pub fn process_exit_code(&self, caller: u32, handle: Handle) -> Result<u32, KernelError> {
        let object =
            self.reference_process_object(caller, handle, AccessMask::PROCESS_QUERY_INFORMATION)?;
        Ok(object
            .payload::<ProcessBody>()
            .ok_or(KernelError::ProcessTerminating)?
            .exit_status())
    }

    /// TerminateProcess.
    pub fn terminate_process(
        &mut self,
        caller: u32,
        handle: Handle,
        exit_code: u32,
    ) -> Result<(), KernelError> {
        let object =
            self.reference_process_object(caller, handle, AccessMask::PROCESS_TERMINATE)?;
        let id = object
            .payload::<ProcessBody>()
            .ok_or(KernelError::ProcessTerminating)?
            .id();
        if !self.processes.contains_key(&id) {
            return Err(KernelError::ProcessTerminating);
        }
        self.exit_process(id, exit_code);
        Ok(())
    }

    /// GetProcessHandleCount / NtQueryInformationProcess(ProcessHandleCount): the number of
    /// handles in the table of the process `handle` names (0 once it has ended).
    pub fn process_handle_count(&self, caller: u32, handle: Handle) -> Result<u32, KernelError> {
        let object =
            self.reference_process_object(caller, handle, AccessMask::PROCESS_QUERY_INFORMATION)?;
        let id = object
            .payload::<ProcessBody>()
            .ok_or(KernelError::ProcessTerminating)?
            .id();
        Ok(self
            .processes
            .get(&id)
            .map_or(0, |p| p.handles.handle_count()))
    }

    /// NtQueryInformationProcess for the classes ntemu answers; returns the ULONG the class
    /// reports. ProcessHandleCount (20) is what GetProcessHandleCount reads.
    pub fn query_information_process(
        &self,
        caller: u32,
        handle: Handle,
        class: ProcessInformationClass,
    ) -> Result<u32, KernelError> {
        match class {
            ProcessInformationClass::HandleCount => self.process_handle_count(caller, handle),
        }
    }

    /// Ends a thread: its mutants are abandoned, its object signalled with `exit_code`, its
    /// stack and TEB freed; the process ends with it if it was the last.
    pub fn exit_thread(&mut self, id: ClientId, exit_code: u32) {
        let Some(process) = self.processes.get_mut(&id.process) else {
            return;
        };
        let Some(i) = process.threads.iter().position(|t| t.id == id.thread) else {
            return;
        };
        if process.threads.len() == 1 {
            // The last thread: the process ends with it (its debugger hears of the
            // process's end from this thread).
            self.exit_process_from(id.process, exit_code, Some(id.thread));
            return;
        }
        let thread = process.threads.remove(i);
        let _ = process
            .space
            .free(thread.stack_allocation, 0, FreeType::RELEASE);
        if thread.tls_block != 0 {
            let _ = process.space.free(thread.tls_block, 0, FreeType::RELEASE);
        }
        let _ = process.space.free(thread.teb, 0, FreeType::RELEASE);
        self.post_debug_event(crate::DebugEvent {
            process: id.process,
            thread: id.thread,
            kind: crate::DebugEventKind::ExitThread { exit_code },
        });
        self.retire_thread(thread, exit_code);
    }

    fn retire_thread(&mut self, thread: Thread, exit_code: u32) {
        drop(thread.wait);
        self.subsystem.remove(&thread.id);
        self.objects.abandon_mutants(OwnerThread(thread.id));
        if let Some(body) = thread.object.payload::<ThreadBody>() {
            {
                let mut details = body.details();
                details.exited_ms = Some(self.clock.now_ms());
                details.instructions = thread.instructions;
            }
            body.set_exit_status(exit_code);
        }
        let _ = thread.object.signal_exit();
        self.debugger_gone(thread.id);
    }

    /// Ends a process (ExitProcess, TerminateProcess, or its last thread's end): every thread
    /// ends, every handle in its table is closed, its object is signalled with `exit_code`
    /// and its address space is released.
    pub fn exit_process(&mut self, id: u32, exit_code: u32) {
        self.exit_process_from(id, exit_code, None);
    }

    /// [`exit_process`](Self::exit_process), `last` (when given) being the thread that ends
    /// last: a debugger hears of the end of each other thread, then of the process's from
    /// that one (by default its first thread).
    fn exit_process_from(&mut self, id: u32, exit_code: u32, last: Option<u32>) {
        if let Some(p) = self.processes.get(&id)
            && p.debugger.is_some()
        {
            let last = last
                .filter(|l| p.threads.iter().any(|t| t.id == *l))
                .or_else(|| p.threads.first().map(|t| t.id));
            let others: Vec<u32> = p
                .threads
                .iter()
                .map(|t| t.id)
                .filter(|t| Some(*t) != last)
                .collect();
            for thread in others {
                self.post_debug_event(crate::DebugEvent {
                    process: id,
                    thread,
                    kind: crate::DebugEventKind::ExitThread { exit_code },
                });
            }
            if let Some(thread) = last {
                self.post_debug_event(crate::DebugEvent {
                    process: id,
                    thread,
                    kind: crate::DebugEventKind::ExitProcess { exit_code },
                });
            }
        }
        let Some(mut process) = self.processes.remove(&id) else {
            return;
        };
        for thread in std::mem::take(&mut process.threads) {
            self.retire_thread(thread, exit_code);
        }
        if self.exited.len() >= MAX_EXITED_RECORDS {
            self.exited.remove(0);
        }
        self.exited.push(ExitedProcess {
            process: id,
            architecture: process.architecture,
            exit_code,
            handle_count: process.handles.handle_count(),
            instructions: process.instructions,
        });
        process.handles.close_all();
        if let Some(body) = process.object.payload::<ProcessBody>() {
            {
                let mut details = body.details();
                details.exited_ms = Some(self.clock.now_ms());
                details.instructions = process.instructions;
            }
            body.set_exit_status(exit_code);
        }
        let _ = process.object.signal_exit();
    }

    /// Runs the scheduler until every process has ended, every thread is blocked, or
    /// `instruction_limit` guest instructions have retired.
    pub fn run(
        &mut self,
        services: &mut dyn SystemServices,
        instruction_limit: Option<u64>,
    ) -> Result<RunOutcome, KernelError> {
        self.run_until(services, instruction_limit, None)
    }

    /// [`run`](Self::run), stopping too when the machine's clock reaches `until_ms`
    /// ([`RunOutcome::TimeReached`]); on a virtual clock, waiting threads' time jumps stop
    /// there, and the run stops at the first moment from then on when every thread waits
    /// (at most [`VIRTUAL_SETTLE_MS`] later), not in the middle of a thread's work.
    pub fn run_until(
        &mut self,
        services: &mut dyn SystemServices,
        instruction_limit: Option<u64>,
        until_ms: Option<u64>,
    ) -> Result<RunOutcome, KernelError> {
        let limit = instruction_limit.map(|l| self.instructions.saturating_add(l));
        // True when the last round found no thread to run.
        let mut idle = false;
        loop {
            if let Some(t) = until_ms {
                let now = self.clock.now_ms();
                let settled = match self.clock {
                    Clock::Real { .. } => true,
                    Clock::Virtual { .. } => idle || now >= t.saturating_add(VIRTUAL_SETTLE_MS),
                };
                if now >= t && settled {
                    return Ok(RunOutcome::TimeReached);
                }
            }
            self.expire_timers();
            let threads: Vec<ClientId> = self
                .processes
                .values()
                .flat_map(|p| {
                    p.threads.iter().map(move |t| ClientId {
                        process: p.id,
                        thread: t.id,
                    })
                })
                .collect();
            if threads.is_empty() {
                services.housekeeping(self, Pause::Stopping);
                return Ok(RunOutcome::AllExited);
            }
            let mut progressed = false;
            for id in threads {
                if limit.is_some_and(|l| self.instructions >= l) {
                    return Ok(RunOutcome::LimitReached);
                }
                progressed |= self.step_thread(services, id)?;
                // Between quanta: the host, if it rang (one atomic load when it did not).
                if self.host_signal.take() {
                    progressed = true;
                    if services.host_event(self) == HostAction::Stop {
                        return Ok(RunOutcome::Interrupted);
                    }
                }
            }
            idle = !progressed;
            if progressed {
                services.housekeeping(self, Pause::Running);
            } else {
                let timeout = self.idle_timeout(until_ms);
                if services.idle(self, timeout) {
                    idle = false;
                    continue;
                }
                if !self.advance_clock(services, until_ms) {
                    services.housekeeping(self, Pause::Stopping);
                    return Ok(RunOutcome::Blocked);
                }
            }
        }
    }

    /// The earliest deadline of a waiting thread's wait or of the run (`until_ms`), if any.
    fn next_deadline(&self, until_ms: Option<u64>) -> Option<u64> {
        let earliest = self
            .processes
            .values()
            .filter(|p| p.debug_stops == 0)
            .flat_map(|p| p.threads.iter())
            .filter(|t| t.suspend_count == 0)
            .filter_map(|t| t.wait.as_ref().and_then(|w| w.deadline))
            .chain(self.timers.next_due())
            .min();
        match (earliest, until_ms) {
            (Some(d), Some(u)) => Some(d.min(u)),
            (Some(d), None) => Some(d),
            (None, u) => u,
        }
    }

    /// How long the machine may idle before the next deadline (None: no deadline).
    fn idle_timeout(&self, until_ms: Option<u64>) -> Option<Duration> {
        self.next_deadline(until_ms)
            .map(|d| Duration::from_millis(d.saturating_sub(self.clock.now_ms())))
    }

    /// When every thread is blocked: moves time to the earliest wait deadline (virtual clock)
    /// or sleeps until it (real clock). False when no thread has a deadline.
    fn advance_clock(&mut self, services: &mut dyn SystemServices, until_ms: Option<u64>) -> bool {
        let Some(deadline) = self.next_deadline(until_ms) else {
            return false;
        };
        let sleep = match &self.clock {
            Clock::Virtual { .. } => Duration::ZERO,
            Clock::Real { start } => {
                Duration::from_millis(deadline.saturating_sub(start.elapsed().as_millis() as u64))
            }
        };
        services.housekeeping(self, Pause::Sleeping(sleep));
        match &mut self.clock {
            Clock::Virtual { now_ms } => {
                if deadline > *now_ms {
                    *now_ms = deadline;
                    // The next tick is a whole tick's instructions from the jump.
                    self.virtual_instructions = 0;
                }
            }
            Clock::Real { start } => {
                let now = start.elapsed().as_millis() as u64;
                if deadline > now {
                    // A host ringing ends the sleep early, to be served at once.
                    self.host_signal
                        .wait_timeout(Duration::from_millis(deadline - now));
                }
            }
        }
        true
    }

    /// Gives one thread its turn; true when it made progress.
    fn step_thread(
        &mut self,
        services: &mut dyn SystemServices,
        id: ClientId,
    ) -> Result<bool, KernelError> {
        let now = self.clock.now_ms();
        let quantum = self.config.quantum;
        let Some(process) = self.processes.get_mut(&id.process) else {
            return Ok(false);
        };
        // A debuggee's threads stay stopped while its debugger has events to continue.
        if process.debug_stops > 0 {
            return Ok(false);
        }
        let Some(thread) = process.threads.iter_mut().find(|t| t.id == id.thread) else {
            return Ok(false);
        };
        if thread.suspend_count > 0 {
            return Ok(false);
        }
        if thread.wait.is_some() {
            match crate::apc::poll_wait(thread, now) {
                WaitPoll::Waiting => return Ok(false),
                WaitPoll::Ended { deliver: true } => {
                    self.deliver_user_apcs(id);
                }
                WaitPoll::Ended { deliver: false } => {}
            }
        }
        // The first of a new process's threads to run does the loader's work in the
        // process first (for the initial thread as for one made by CreateRemoteThread).
        let pending = self
            .processes
            .get_mut(&id.process)
            .is_some_and(|p| std::mem::take(&mut p.initialization_pending));
        if pending {
            services.process_start(self, id);
            if !self.is_runnable(id) {
                return Ok(true);
            }
        }
        // The thread keeps the CPU across builtin calls until its quantum is used: after a
        // call it runs on at once when it is still runnable (run_once checks, with the one
        // lookup of the thread it makes anyway).
        let mut budget = quantum;
        let mut after_call = false;
        loop {
            let (outcome, used) = self.run_once(services, id, budget, after_call)?;
            after_call = true;
            budget = budget.saturating_sub(used.max(1));
            match outcome {
                None => return Ok(true),
                Some(ServiceOutcome::Continue) if budget > 0 => {}
                Some(outcome) => {
                    self.apply(id, outcome);
                    return Ok(true);
                }
            }
        }
    }

    /// True when the thread can run now: its process is not stopped for a debugger and the
    /// thread is neither suspended nor waiting.
    fn is_runnable(&self, id: ClientId) -> bool {
        self.processes
            .get(&id.process)
            .filter(|p| p.debug_stops == 0)
            .and_then(|p| p.thread(id.thread))
            .is_some_and(|t| t.suspend_count == 0 && t.wait.is_none())
    }

    /// Runs the thread on its CPU for at most `budget` instructions and turns the exit into
    /// what the scheduler does next: None when the thread's turn ends (its quantum ran out,
    /// or it is gone), with the budget used (instructions retired and calls served inside
    /// the CPU). With `if_runnable`, a thread that is suspended, waiting or stopped by
    /// its debugger does not run: None with nothing retired.
    fn run_once(
        &mut self,
        services: &mut dyn SystemServices,
        id: ClientId,
        budget: u64,
        if_runnable: bool,
    ) -> Result<(Option<ServiceOutcome>, u64), KernelError> {
        let stopped = Ok((None, 0));
        let Some(process) = self.processes.get_mut(&id.process) else {
            return stopped;
        };
        let architecture = process.architecture;
        let debug_stopped = process.debug_stops != 0;
        let Some(thread) = process.threads.iter_mut().find(|t| t.id == id.thread) else {
            return stopped;
        };
        if if_runnable && (debug_stopped || thread.suspend_count != 0 || thread.wait.is_some()) {
            return stopped;
        }
        if process.engine.is_none() {
            let factory = self
                .engines
                .iter()
                .find(|(a, _)| *a == architecture)
                .ok_or(KernelError::NoEngine(architecture))?;
            process.engine = Some((factory.1)());
        }
        let Some(engine) = process.engine.as_mut() else {
            return Err(KernelError::NoEngine(architecture));
        };
        // Calls served inside the CPU count against the budget, one unit each (not as
        // instructions: --stats counts what the guest retired), so that a thread that only
        // makes calls (a return address that is a thunk again) still ends its quantum.
        let mut served = 0;
        let run = match services.inline_calls() {
            Some(calls) => {
                let caller = InlineCaller {
                    process: id.process,
                    thread: id.thread,
                    teb: thread.teb,
                };
                let mut counted = CountedCalls { calls, served: 0 };
                let run = engine.run_calls(
                    &mut thread.context,
                    &mut process.space,
                    budget,
                    caller,
                    &mut counted,
                );
                served = counted.served;
                run
            }
            None => engine.run(&mut thread.context, &mut process.space, budget),
        };
        thread.instructions += run.retired;
        process.instructions += run.retired;
        self.instructions += run.retired;
        // On a virtual clock, retired instructions are time too (one millisecond per
        // VIRTUAL_INSTRUCTIONS_PER_MS, in ticks of VIRTUAL_TICK_MS), so timeouts expire
        // while other threads compute.
        if let Clock::Virtual { now_ms } = &mut self.clock {
            const TICK: u64 = VIRTUAL_INSTRUCTIONS_PER_MS * VIRTUAL_TICK_MS;
            self.virtual_instructions += run.retired;
            *now_ms += self.virtual_instructions / TICK * VIRTUAL_TICK_MS;
            self.virtual_instructions %= TICK;
        }
        let retired = run.retired + served;
        let outcome = match run.exit {
            CpuExit::QuantumExpired => return Ok((None, retired)),
            CpuExit::Thunk { address } if address == EXIT_THREAD_THUNK => {
                let code = thread.context.return_value();
                ServiceOutcome::ExitThread(code)
            }
            CpuExit::Thunk { address }
                if address == BASE_THREAD_START_THUNK || address == BASE_PROCESS_START_THUNK =>
            {
                let loader = process.modules.thread_start;
                base_thread_start(
                    &mut process.space,
                    thread,
                    loader,
                    address == BASE_PROCESS_START_THUNK,
                )
            }
            CpuExit::Thunk { address } if address == APC_RETURN_THUNK => {
                crate::apc::returned(&mut process.space, thread)
            }
            CpuExit::Thunk { address } => services.thunk(self, id, address),
            CpuExit::Trap { number } if architecture == Architecture::Alpha => {
                let teb = thread.teb;
                let pc = thread.context.program_counter().wrapping_sub(4);
                let CpuContext::Alpha(c) = &mut thread.context else {
                    return Ok((Some(ServiceOutcome::Continue), retired));
                };
                match number {
                    PAL_RDTEB => {
                        c.r[ALPHA_V0] = sign_extend(teb);
                        ServiceOutcome::Continue
                    }
                    // The CPU has already flushed its decode cache.
                    PAL_IMB => ServiceOutcome::Continue,
                    PAL_BPT => services.exception(self, id, NtStatus::BREAKPOINT, pc),
                    PAL_GENTRAP => {
                        let status = match c.r[ALPHA_A0] as i64 {
                            -1 => NtStatus::INTEGER_OVERFLOW,
                            -2 => NtStatus::INTEGER_DIVIDE_BY_ZERO,
                            -3 => NtStatus(0xC000_0091), // STATUS_FLOAT_OVERFLOW
                            -4 => NtStatus(0xC000_008E), // STATUS_FLOAT_DIVIDE_BY_ZERO
                            -5 => NtStatus(0xC000_0093), // STATUS_FLOAT_UNDERFLOW
                            -6 => NtStatus(0xC000_0090), // STATUS_FLOAT_INVALID_OPERATION
                            -7 => NtStatus(0xC000_008F), // STATUS_FLOAT_INEXACT_RESULT
                            _ => NtStatus::ILLEGAL_INSTRUCTION,
                        };
                        services.exception(self, id, status, pc)
                    }
                    PAL_CALLSYS => services.trap(self, id, number),
                    _ => services.exception(self, id, NtStatus::ILLEGAL_INSTRUCTION, pc),
                }
            }
            CpuExit::Trap { number } => services.trap(self, id, number),
            CpuExit::Fault(fault) => services.fault(self, id, fault),
            CpuExit::Exception { status, address } => services.exception(self, id, status, address),
            CpuExit::Unimplemented {
                address,
                instruction,
            } => services.unimplemented_instruction(self, id, address, &instruction),
        };
        Ok((Some(outcome), retired))
    }

    fn apply(&mut self, id: ClientId, outcome: ServiceOutcome) {
        match outcome {
            ServiceOutcome::Continue => {}
            ServiceOutcome::ExitThread(code) => self.exit_thread(id, code),
            ServiceOutcome::ExitProcess(code) => {
                self.exit_process_from(id.process, code, Some(id.thread))
            }
            // WAIT_FAILED when the objects cannot be waited on; the service layer sets the
            // last error before it asks.
            ServiceOutcome::Wait {
                objects,
                wait_type,
                timeout,
            } => self.begin_thread_wait(id, WaitRequest::objects(objects, wait_type, timeout)),
            ServiceOutcome::WaitFor(request) => self.begin_thread_wait(id, request),
        }
    }
}

/// What a new thread runs: a start routine with its parameter, or a process's image from
/// its entry point (NT's BaseProcessStart: the PEB in ebx, no argument).
#[derive(Clone, Copy)]
enum ThreadStart {
    Routine { start: u32, parameter: u32 },
    Image(u32),
}

/// A thread reached [`BASE_THREAD_START_THUNK`] or [`BASE_PROCESS_START_THUNK`]: as NT's
/// thunks (`xor ebp,ebp; push ebx; push eax; push 0`) and BaseThreadStart, which calls the
/// start routine in eax with the parameter in ebx (a process's entry point gets none) and
/// ends the thread with its result: the routine's frame (the exit thunk as return address,
/// the parameter) goes below the thunk's pushes. With `loader` (DLLs want THREAD_ATTACH
/// calls) a new thread goes to the loader's thunk, which calls the routine.
fn base_thread_start(
    space: &mut AddressSpace,
    thread: &mut Thread,
    loader: Option<u32>,
    process_start: bool,
) -> ServiceOutcome {
    let CpuContext::X86(c) = &mut thread.context else {
        return ServiceOutcome::Continue;
    };
    let start = c.gpr[cpu_x86::reg::EAX];
    let parameter = if process_start {
        0
    } else {
        c.gpr[cpu_x86::reg::EBX]
    };
    let esp = c.gpr[X86_ESP];
    let frame_base = esp.wrapping_sub(20);
    let words = [EXIT_THREAD_THUNK, parameter, 0, start, parameter];
    let mut frame = [0u8; 20];
    for (slot, word) in frame.chunks_exact_mut(4).zip(words) {
        slot.copy_from_slice(&word.to_le_bytes());
    }
    if space.kernel_write(frame_base, &frame).is_err() {
        // No stack to push on: the thread faults at the thunk as NT's would on its push.
        return ServiceOutcome::ExitThread(nt_status::NtStatus::ACCESS_VIOLATION.0);
    }
    c.gpr[cpu_x86::reg::EBP] = 0;
    c.gpr[X86_ESP] = frame_base;
    c.eip = match loader {
        Some(thunk) if !process_start => thunk,
        _ => start,
    };
    thread.start_address = start;
    ServiceOutcome::Continue
}
