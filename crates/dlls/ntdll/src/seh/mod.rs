//! Structured exception handling: a guest fault, processor exception or RaiseException is
//! delivered to the guest's own handlers, as NT's KiUserExceptionDispatcher and
//! RtlDispatchException deliver it.
//!
//! - x86 walks the registration chain at `fs:[0]` (`x86.rs`); Alpha walks the image's .pdata
//!   function table, virtually unwinding each prologue (`alpha.rs`, `alpha_unwind.rs`).
//! - The EXCEPTION_RECORD and CONTEXT are written to the faulting thread's stack below its
//!   stack pointer, as NT writes them, and a handler is called by pointing the thread's
//!   registers at it with its return address at [`HANDLER_RETURN_THUNK`]. When the handler
//!   returns there, the walk goes on from where it stopped. The state of each walk is an
//!   `Activity` kept per thread, so a handler call never grows the host stack and a guest
//!   that raises exceptions forever is just a guest loop.
//! - A handler may never return (an `__except` block unwinds and jumps): its activity is then
//!   stale, and is dropped once the guest stack pointer is above its frames.
//! - At the end of the chain the filter SetUnhandledExceptionFilter set (if any) is called;
//!   otherwise (or when it declines) the process ends with the exception code as exit code and
//!   the `unhandled exception ...` line on stderr. A chain that cannot be read or walked
//!   (bad pointers, records off the stack) also ends the process with the original status,
//!   never a host panic.
//! - A guard page touched on a thread's stack grows the stack, as NT's memory manager does,
//!   and the instruction runs again; when the stack is exhausted STATUS_STACK_OVERFLOW is
//!   raised.

mod alpha;
mod alpha_unwind;
mod debug;
mod x86;

pub use debug::{DbgBreakPoint, breakpoint, debugger_continued, initial_breakpoint};

use std::collections::BTreeMap;
use std::sync::{Arc, Weak};

use nt_kernel::{ClientId, CpuContext, Machine, Process, ServiceOutcome, THUNK_BASE, teb};
use nt_memory::{Access, AllocationType, Fault, FaultKind, GuestMemory, PageProtection};
use nt_object::Object;
use nt_status::NtStatus;

use win32::{ApiCall, ApiReturn, HostIo, PerProcess, Ptr, export};

/// Where a guest exception handler (or filter) called by the dispatcher returns to.
pub const HANDLER_RETURN_THUNK: u32 = THUNK_BASE + 0x10;
/// The handler of the registration record the x86 dispatcher links into `fs:[0]` around an
/// exception handler call (NT's RtlpExceptionHandler): an exception raised inside the handler
/// sees ExceptionNestedException here.
pub const NESTED_EXCEPTION_THUNK: u32 = THUNK_BASE + 0x14;
/// The handler of the registration record linked around an unwind handler call (NT's
/// RtlpUnwindHandler): an unwind that reaches it is a collided unwind.
pub const COLLIDED_UNWIND_THUNK: u32 = THUNK_BASE + 0x18;

/// EXCEPTION_NONCONTINUABLE.
pub const EXCEPTION_NONCONTINUABLE: u32 = 0x01;
/// EXCEPTION_UNWINDING.
pub const EXCEPTION_UNWINDING: u32 = 0x02;
/// EXCEPTION_EXIT_UNWIND.
pub const EXCEPTION_EXIT_UNWIND: u32 = 0x04;
/// EXCEPTION_STACK_INVALID.
pub const EXCEPTION_STACK_INVALID: u32 = 0x08;
/// EXCEPTION_NESTED_CALL.
pub const EXCEPTION_NESTED_CALL: u32 = 0x10;
/// EXCEPTION_TARGET_UNWIND.
pub const EXCEPTION_TARGET_UNWIND: u32 = 0x20;
/// EXCEPTION_COLLIDED_UNWIND.
pub const EXCEPTION_COLLIDED_UNWIND: u32 = 0x40;

/// EXCEPTION_DISPOSITION values a handler returns.
const DISPOSITION_CONTINUE_EXECUTION: u32 = 0;
const DISPOSITION_CONTINUE_SEARCH: u32 = 1;
const DISPOSITION_NESTED_EXCEPTION: u32 = 2;
const DISPOSITION_COLLIDED_UNWIND: u32 = 3;

/// UnhandledExceptionFilter results.
const EXCEPTION_EXECUTE_HANDLER: u32 = 1;
const EXCEPTION_CONTINUE_EXECUTION: u32 = 0xFFFF_FFFF;

/// STATUS_INVALID_DISPOSITION: a handler returned a value the dispatcher does not know.
const STATUS_INVALID_DISPOSITION: u32 = 0xC000_0026;
/// STATUS_UNWIND: the code of the record RtlUnwind makes when given none.
const STATUS_UNWIND: u32 = 0xC000_0027;
/// STATUS_BAD_STACK: an unwind met a registration record off the stack.
const STATUS_BAD_STACK: u32 = 0xC000_0028;
/// STATUS_INVALID_UNWIND_TARGET: an unwind passed its target frame.
const STATUS_INVALID_UNWIND_TARGET: u32 = 0xC000_0029;

/// Size of an EXCEPTION_RECORD (15 parameters).
const RECORD_SIZE: u32 = 0x50;
/// EXCEPTION_MAXIMUM_PARAMETERS.
const MAXIMUM_PARAMETERS: usize = 15;
/// Frames a walk may visit before the chain is taken as circular.
const MAXIMUM_FRAMES: u32 = 0x1_0000;

/// The exception handling state of every thread.
#[derive(Default)]
pub(crate) struct SehState {
    threads: BTreeMap<u32, (Weak<Object>, Vec<Activity>)>,
    /// Each process's top-level filter (SetUnhandledExceptionFilter).
    filters: PerProcess<u32>,
    /// The exceptions of debuggee threads whose debug event waits to be continued.
    debug_pending: BTreeMap<u32, debug::Pending>,
}

/// One walk in progress on a thread, waiting for a guest handler to return.
struct Activity {
    /// The guest stack pointer the handler was called with.
    call_sp: u32,
    /// The 32-bit arguments the handler was given (a stdcall handler pops them).
    arguments: u32,
    /// The lowest guest address of the walk's frames: when the thread's stack pointer is
    /// above it the walk has been abandoned.
    low: u32,
    /// What to do when the handler returns.
    pending: Pending,
}

/// The walk an [`Activity`] continues.
enum Pending {
    /// An x86 exception dispatch.
    X86Dispatch(x86::Dispatch),
    /// An x86 RtlUnwind.
    X86Unwind(x86::Unwind),
    /// An Alpha exception dispatch.
    AlphaDispatch(alpha::Dispatch),
    /// An Alpha RtlUnwind.
    AlphaUnwind(alpha::Unwind),
    /// The top-level filter called at the end of the chain.
    TopLevelFilter(Exception),
    /// The top-level filter called by kernel32's UnhandledExceptionFilter: its result goes
    /// back to that call's caller.
    ApiFilter {
        /// The caller's registers to return with.
        resume: CpuContext,
        /// The EXCEPTION_POINTERS UnhandledExceptionFilter was given.
        pointers: u32,
    },
}

/// An exception written to the guest stack.
#[derive(Clone, Debug)]
pub(crate) struct Exception {
    /// The guest EXCEPTION_RECORD.
    pub(crate) record: u32,
    /// The guest CONTEXT.
    pub(crate) context: u32,
    /// The guest EXCEPTION_POINTERS {record, context}.
    pub(crate) pointers: u32,
    /// Where calls to handlers put their frames (the lowest address of the exception frame).
    pub(crate) scratch: u32,
    /// The exception code.
    pub(crate) code: u32,
    /// The `unhandled exception ...` line.
    pub(crate) description: String,
    /// x86: the registers at the exception, for their x87 state (the CONTEXT carries only
    /// its control words).
    pub(crate) x87: Option<Box<nt_kernel::X86Context>>,
}

/// An exception to raise in a thread.
pub(crate) struct Raise {
    /// ExceptionCode.
    pub(crate) code: u32,
    /// ExceptionFlags.
    pub(crate) flags: u32,
    /// ExceptionAddress.
    pub(crate) address: u32,
    /// ExceptionInformation.
    pub(crate) parameters: Vec<u32>,
    /// The chained ExceptionRecord (0: none).
    pub(crate) chained: u32,
    /// The registers the CONTEXT records (continuing resumes there).
    pub(crate) context: CpuContext,
    /// The line printed if nothing handles it.
    pub(crate) description: String,
}

/// What the dispatcher works on: the machine, the Win32 layer's exception state and output,
/// and the thread.
pub(crate) struct Env<'a> {
    pub(crate) machine: &'a mut Machine,
    pub(crate) seh: &'a mut SehState,
    pub(crate) io: &'a HostIo,
    pub(crate) thread: ClientId,
}

impl Env<'_> {
    fn process(&self) -> Option<&Process> {
        self.machine.process(self.thread.process)
    }

    fn process_mut(&mut self) -> Option<&mut Process> {
        self.machine.process_mut(self.thread.process)
    }

    /// The thread's registers.
    fn context(&self) -> Option<CpuContext> {
        self.process()?
            .thread(self.thread.thread)
            .map(|t| t.context().clone())
    }

    /// Replaces the thread's registers.
    fn set_context(&mut self, context: CpuContext) {
        let tid = self.thread.thread;
        if let Some(t) = self.process_mut().and_then(|p| p.thread_mut(tid)) {
            *t.context_mut() = context;
        }
    }

    fn teb(&self) -> u32 {
        self.process()
            .and_then(|p| p.thread(self.thread.thread))
            .map_or(0, |t| t.teb())
    }

    fn read_u32(&self, addr: u32) -> Result<u32, Fault> {
        match self.process() {
            Some(p) => p.address_space().read_u32(addr),
            None => Err(no_process(addr)),
        }
    }

    fn read_bytes(&self, addr: u32, buf: &mut [u8]) -> Result<(), Fault> {
        match self.process() {
            Some(p) => p.address_space().read_bytes(addr, buf),
            None => Err(no_process(addr)),
        }
    }

    fn write_u32(&mut self, addr: u32, value: u32) -> Result<(), Fault> {
        match self.process_mut() {
            Some(p) => p.address_space_mut().write_u32(addr, value),
            None => Err(no_process(addr)),
        }
    }

    fn write_bytes(&mut self, addr: u32, data: &[u8]) -> Result<(), Fault> {
        match self.process_mut() {
            Some(p) => p.address_space_mut().write_bytes(addr, data),
            None => Err(no_process(addr)),
        }
    }

    /// Writes the 32-bit words `words` from `addr` up.
    fn write_words(&mut self, addr: u32, words: &[u32]) -> Result<(), Fault> {
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        self.write_bytes(addr, &bytes)
    }

    /// A TEB field.
    fn teb_field(&self, offset: u32) -> Result<u32, Fault> {
        let at = self.teb().wrapping_add(offset);
        let mut b = [0u8; 4];
        match self.process() {
            Some(p) => p.address_space().kernel_read(at, &mut b)?,
            None => return Err(no_process(at)),
        }
        Ok(u32::from_le_bytes(b))
    }

    /// Sets a TEB field.
    fn set_teb_field(&mut self, offset: u32, value: u32) -> Result<(), Fault> {
        let at = self.teb().wrapping_add(offset);
        match self.process_mut() {
            Some(p) => p.address_space_mut().kernel_write(at, &value.to_le_bytes()),
            None => Err(no_process(at)),
        }
    }

    /// The x86 registration chain head, fs:[0].
    fn chain_head(&self) -> Result<u32, Fault> {
        self.teb_field(teb::offsets::EXCEPTION_LIST)
    }

    fn set_chain_head(&mut self, value: u32) -> Result<(), Fault> {
        self.set_teb_field(teb::offsets::EXCEPTION_LIST, value)
    }

    /// The stack limits the TEB gives: (StackLimit, StackBase).
    fn stack_limits(&self) -> (u32, u32) {
        (
            self.teb_field(teb::offsets::STACK_LIMIT).unwrap_or(0),
            self.teb_field(teb::offsets::STACK_BASE).unwrap_or(0),
        )
    }

    /// The thread's stack reservation: (base, top), as the TEB says (DeallocationStack and
    /// StackBase, which a program may point at a stack of its own), else the thread's.
    fn stack_reservation(&self) -> Option<(u32, u32)> {
        let dealloc = self
            .teb_field(teb::offsets::DEALLOCATION_STACK)
            .unwrap_or(0);
        let top = self.teb_field(teb::offsets::STACK_BASE).unwrap_or(0);
        if dealloc != 0 && top > dealloc {
            return Some((dealloc, top));
        }
        let t = self.process()?.thread(self.thread.thread)?;
        Some((t.stack_allocation(), t.stack_top()))
    }

    /// Makes the thread's stack committed down to `low` (when `low` lies in its stack),
    /// moving the guard page down as NT's memory manager does when the guard page is touched.
    /// Err when the stack is exhausted (the last pages are committed all the same).
    fn grow_stack(&mut self, low: u32) -> Result<(), StackOverflow> {
        let Some((base, top)) = self.stack_reservation() else {
            return Ok(());
        };
        if low < base || low >= top {
            return Ok(());
        }
        let page = self
            .process()
            .map_or(0x1000, |p| p.address_space().page_size().bytes());
        for _ in 0..(top - base) / page + 1 {
            let Ok(limit) = self.teb_field(teb::offsets::STACK_LIMIT) else {
                return Ok(());
            };
            if low >= limit {
                return Ok(());
            }
            let Some(new_limit) = limit.checked_sub(page).filter(|&l| l >= base) else {
                return Err(StackOverflow);
            };
            let Some(p) = self.process_mut() else {
                return Ok(());
            };
            let space = p.address_space_mut();
            if space
                .allocate(
                    new_limit,
                    page,
                    AllocationType::COMMIT,
                    PageProtection::READWRITE,
                )
                .is_err()
            {
                return Err(StackOverflow);
            }
            // The next guard page, unless the reservation's last page is reached (NT keeps
            // it uncommitted).
            let guard = new_limit.checked_sub(page).filter(|&g| g > base);
            let guarded = guard.is_some_and(|g| {
                space
                    .allocate(
                        g,
                        page,
                        AllocationType::COMMIT,
                        PageProtection(PageProtection::READWRITE.0 | PageProtection::GUARD.0),
                    )
                    .is_ok()
            });
            let _ = self.set_teb_field(teb::offsets::STACK_LIMIT, new_limit);
            if !guarded {
                return Err(StackOverflow);
            }
        }
        Ok(())
    }

    /// The thread's activities, made fresh if the thread id was reused.
    fn activities(&mut self) -> Option<&mut Vec<Activity>> {
        let object = self
            .machine
            .process(self.thread.process)?
            .thread(self.thread.thread)?
            .object()
            .clone();
        let entry = self
            .seh
            .threads
            .entry(self.thread.thread)
            .or_insert_with(|| (Arc::downgrade(&object), Vec::new()));
        if !entry.0.upgrade().is_some_and(|o| Arc::ptr_eq(&o, &object)) {
            *entry = (Arc::downgrade(&object), Vec::new());
        }
        Some(&mut entry.1)
    }

    /// Remembers a walk waiting for a handler called with `call_sp`; drops walks whose
    /// frames lie below the stack pointer the new one started from (abandoned by a jump out
    /// of their handler).
    fn push_activity(&mut self, activity: Activity, sp: u32) {
        // Drop entries of ended threads now and then.
        if self.seh.threads.len() > 64 {
            self.seh.threads.retain(|_, (o, _)| o.strong_count() > 0);
        }
        if let Some(list) = self.activities() {
            list.retain(|a| a.low >= sp);
            list.push(activity);
        }
    }

    /// The process's top-level filter.
    fn top_level_filter(&self) -> u32 {
        self.process()
            .and_then(|p| self.seh.filters.get(p.id(), p.object()).copied())
            .unwrap_or(0)
    }

    /// Prints the line of an exception nothing handled.
    fn report(&self, description: &str) {
        let _ = writeln!(self.io.stderr.lock(), "{description}");
    }
}

/// The stack is exhausted.
#[derive(Debug)]
pub(crate) struct StackOverflow;

fn no_process(addr: u32) -> Fault {
    Fault {
        addr,
        access: Access::Read,
        kind: FaultKind::AccessViolation,
    }
}

/// Ends the process for an exception nothing handled, with its line on stderr.
fn unhandled(env: &Env<'_>, exception: &Exception) -> ServiceOutcome {
    env.report(&exception.description);
    ServiceOutcome::ExitProcess(exception.code)
}

/// The line for a status raised by the dispatcher itself or by RaiseException.
fn status_line(code: u32, address: u32) -> String {
    format!(
        "unhandled exception {code:#010x} ({}) at {address:#010x}",
        NtStatus(code).name().unwrap_or("exception")
    )
}

/// Builds an EXCEPTION_RECORD.
fn record_bytes(raise: &Raise) -> Vec<u8> {
    let count = raise.parameters.len().min(MAXIMUM_PARAMETERS);
    let mut words = vec![
        raise.code,
        raise.flags,
        raise.chained,
        raise.address,
        count as u32,
    ];
    words.extend_from_slice(&raise.parameters[..count]);
    words.resize(RECORD_SIZE as usize / 4, 0);
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// Where a dispatch or an unwind puts its frame below the stack pointer.
struct FrameAt {
    /// The CONTEXT.
    context: u32,
    /// The EXCEPTION_RECORD (an unwind's own, made when its caller gives none).
    record: u32,
    /// The EXCEPTION_POINTERS {record, context} of a dispatch.
    pointers: u32,
    /// The lowest address of the frame, where calls to handlers put theirs.
    scratch: u32,
}

/// The registers an exception keeps for their x87 state (x86 only).
fn x87_state(context: &CpuContext) -> Option<Box<nt_kernel::X86Context>> {
    match context {
        CpuContext::X86(c) => Some(c.clone()),
        CpuContext::Alpha(_) => None,
    }
}

/// KiUserExceptionDispatcher's start: grows the stack down to the frame `at` and writes the
/// CONTEXT (`context`), the EXCEPTION_RECORD of `raise` and the EXCEPTION_POINTERS
/// (`pointers`) there. Err: what the thread does when the frame cannot be made (the
/// exception is unhandled).
fn begin_dispatch(
    env: &mut Env<'_>,
    raise: &Raise,
    at: &FrameAt,
    context: &[u8],
    pointers: &[u32],
) -> Result<Exception, ServiceOutcome> {
    let exception = Exception {
        record: at.record,
        context: at.context,
        pointers: at.pointers,
        scratch: at.scratch,
        code: raise.code,
        description: raise.description.clone(),
        x87: x87_state(&raise.context),
    };
    if env.grow_stack(at.scratch).is_err() {
        // No room for the exception frame: NT ends the process.
        return Err(unhandled(env, &exception));
    }
    let written = env
        .write_bytes(at.context, context)
        .and_then(|()| env.write_bytes(at.record, &record_bytes(raise)))
        .and_then(|()| env.write_words(at.pointers, pointers));
    match written {
        Ok(()) => Ok(exception),
        Err(_) => Err(unhandled(env, &exception)),
    }
}

/// RtlUnwind's start: the exception its unwind handlers get, with the caller's `record` or
/// (when it is 0) a STATUS_UNWIND record at `address` made at `at.record`. Grows the stack
/// down to the frame `at`, writes the CONTEXT (`context`, if any) and the record made, and
/// marks the record unwinding (an exit unwind when `target` is 0). `registers` are the
/// caller's. Err: what the thread does when that fails (the exception is unhandled).
fn begin_unwind(
    env: &mut Env<'_>,
    [target, record]: [u32; 2],
    at: &FrameAt,
    registers: CpuContext,
    address: u32,
    context: Option<&[u8]>,
) -> Result<Exception, ServiceOutcome> {
    let unwind_record = if record == 0 { at.record } else { record };
    let code = if record == 0 {
        STATUS_UNWIND
    } else {
        env.read_u32(record).unwrap_or(STATUS_UNWIND)
    };
    let exception = Exception {
        record: unwind_record,
        context: at.context,
        pointers: 0,
        scratch: at.scratch,
        code,
        description: status_line(code, address),
        x87: x87_state(&registers),
    };
    if env.grow_stack(at.scratch).is_err() {
        return Err(unhandled(env, &exception));
    }
    let mut written = match context {
        Some(bytes) => env.write_bytes(at.context, bytes),
        None => Ok(()),
    };
    if record == 0 {
        let r = Raise {
            code: STATUS_UNWIND,
            flags: 0,
            address,
            parameters: Vec::new(),
            chained: 0,
            context: registers,
            description: String::new(),
        };
        written = written.and_then(|()| env.write_bytes(at.record, &record_bytes(&r)));
    }
    let flags = EXCEPTION_UNWINDING
        | if target == 0 {
            EXCEPTION_EXIT_UNWIND
        } else {
            0
        };
    match written.and_then(|()| update_flags(env, unwind_record, flags, 0)) {
        Ok(_) => Ok(exception),
        Err(_) => Err(unhandled(env, &exception)),
    }
}

/// Marks the exception at `record` a nested one (EXCEPTION_NESTED_CALL) until its dispatch
/// passes the frame `frame`.
fn mark_nested(env: &mut Env<'_>, record: u32, nested: &mut u32, frame: u32) {
    let _ = update_flags(env, record, EXCEPTION_NESTED_CALL, 0);
    *nested = (*nested).max(frame);
}

/// A dispatch's exception handler, called for the frame `establisher`, returned
/// `disposition`. The nested flag is cleared when that frame is the one `nested` names;
/// ExceptionContinueExecution continues from the CONTEXT, ExceptionNestedException marks
/// the exception nested up to the frame the handler stored at `nested_frame_at`, and any
/// other value but ExceptionContinueSearch raises STATUS_INVALID_DISPOSITION. Ok: the
/// search goes on.
fn handler_disposition(
    env: &mut Env<'_>,
    exception: &Exception,
    nested: &mut u32,
    establisher: u32,
    disposition: u32,
    nested_frame_at: u32,
) -> Result<(), ServiceOutcome> {
    let record = exception.record;
    if *nested == establisher {
        let _ = update_flags(env, record, 0, EXCEPTION_NESTED_CALL);
        *nested = 0;
    }
    match disposition {
        DISPOSITION_CONTINUE_EXECUTION => Err(continue_execution(env, exception)),
        DISPOSITION_CONTINUE_SEARCH => Ok(()),
        DISPOSITION_NESTED_EXCEPTION => {
            let frame = env.read_u32(nested_frame_at).unwrap_or(0);
            mark_nested(env, record, nested, frame);
            Ok(())
        }
        _ => {
            let address = env.read_u32(record.wrapping_add(12)).unwrap_or(0);
            Err(raise_status(
                env,
                STATUS_INVALID_DISPOSITION,
                record,
                address,
            ))
        }
    }
}

/// Raises an exception in the thread: a debugged process's debugger has the first chance
/// (the thread stops until it continues); otherwise it is written to the guest stack and the
/// walk starts.
pub(crate) fn raise(env: &mut Env<'_>, raise: Raise) -> ServiceOutcome {
    match debug::first_chance(env, raise) {
        Ok(outcome) => outcome,
        Err(raise) => dispatch_now(env, raise),
    }
}

/// Writes the exception to the guest stack and starts the walk of the thread's handlers.
fn dispatch_now(env: &mut Env<'_>, raise: Raise) -> ServiceOutcome {
    match raise.context {
        CpuContext::X86(_) => x86::dispatch(env, raise),
        CpuContext::Alpha(_) => alpha::dispatch(env, raise),
    }
}

/// Raises a status from the dispatcher itself (a handler's bad disposition, continuing a
/// noncontinuable exception, an unwind gone wrong): noncontinuable, chained to `chained`,
/// from the thread's current registers with the program counter at `address`.
fn raise_status(env: &mut Env<'_>, code: u32, chained: u32, address: u32) -> ServiceOutcome {
    let Some(mut context) = env.context() else {
        return ServiceOutcome::ExitProcess(code);
    };
    context.set_program_counter(address);
    let r = Raise {
        code,
        flags: EXCEPTION_NONCONTINUABLE,
        address,
        parameters: Vec::new(),
        chained,
        context,
        description: status_line(code, address),
    };
    raise(env, r)
}

/// A guest fault: the stack grows through its guard page, any other fault is raised.
pub(crate) fn fault(env: &mut Env<'_>, fault: Fault) -> ServiceOutcome {
    let Some(context) = env.context() else {
        return ServiceOutcome::ExitProcess(fault.status().0);
    };
    let pc = context.program_counter();
    // A page another view committed in its SEC_RESERVE section is committed here now.
    if fault.kind == FaultKind::AccessViolation
        && env
            .process_mut()
            .is_some_and(|p| p.address_space_mut().sync_shared_commit(fault.addr))
    {
        return ServiceOutcome::Continue;
    }
    // A guard page below the stack limit is the stack's own: touching it grows the stack.
    // Any other guard page raises STATUS_GUARD_PAGE_VIOLATION (once: the touch cleared it).
    let (limit, _) = env.stack_limits();
    let on_stack = env
        .stack_reservation()
        .is_some_and(|(base, _)| fault.addr >= base && fault.addr < limit);
    let mut code = fault.status().0;
    let mut parameters = vec![u32::from(fault.access == Access::Write), fault.addr];
    let mut description = None;
    if fault.kind == FaultKind::GuardPage && on_stack {
        match env.grow_stack(fault.addr) {
            // The access is made again.
            Ok(()) => return ServiceOutcome::Continue,
            Err(StackOverflow) => {
                code = NtStatus::STACK_OVERFLOW.0;
                parameters.clear();
                description = Some(status_line(code, pc));
            }
        }
    }
    let instruction = env
        .process()
        .and_then(|p| nt_kernel::describe_instruction(&context, p.address_space()));
    let description = description.unwrap_or_else(|| {
        format!(
            "unhandled exception {:#010x} ({fault}) at {pc:#010x} ({})",
            fault.status().0,
            instruction.as_deref().unwrap_or("instruction unreadable")
        )
    });
    let r = Raise {
        code,
        flags: 0,
        address: pc,
        parameters,
        chained: 0,
        context,
        description,
    };
    raise(env, r)
}

/// A processor exception (breakpoint, divide error, illegal instruction...) at `address`.
pub(crate) fn exception(env: &mut Env<'_>, status: NtStatus, address: u32) -> ServiceOutcome {
    let Some(mut context) = env.context() else {
        return ServiceOutcome::ExitProcess(status.0);
    };
    // NT reports a breakpoint, a divide error or a software trap with the context at the
    // instruction (continuing runs it again unless a handler moves on).
    context.set_program_counter(address);
    let instruction = env
        .process()
        .and_then(|p| nt_kernel::describe_instruction(&context, p.address_space()))
        .unwrap_or_default();
    let mut description = status_line(status.0, address);
    if !instruction.is_empty() {
        description.push(' ');
        description.push_str(&instruction);
    }
    let r = Raise {
        code: status.0,
        flags: 0,
        address,
        parameters: Vec::new(),
        chained: 0,
        context,
        description,
    };
    raise(env, r)
}

/// A trap instruction: x86 `int n` (other than the breakpoint forms) is a general
/// protection fault in user mode, STATUS_ACCESS_VIOLATION at the instruction; an Alpha
/// `callsys` (ntemu has no native system calls) is STATUS_ILLEGAL_INSTRUCTION.
pub(crate) fn trap(env: &mut Env<'_>, number: u32) -> ServiceOutcome {
    let Some(mut context) = env.context() else {
        return ServiceOutcome::ExitProcess(NtStatus::ILLEGAL_INSTRUCTION.0);
    };
    match context {
        CpuContext::X86(_) => {
            // `int n` is two bytes; EIP is after it.
            let at = context.program_counter().wrapping_sub(2);
            match number {
                3 => exception(env, NtStatus::BREAKPOINT, at),
                4 => {
                    let after = context.program_counter();
                    exception(env, NtStatus::INTEGER_OVERFLOW, after)
                }
                _ => {
                    context.set_program_counter(at);
                    let code = NtStatus::ACCESS_VIOLATION.0;
                    let r = Raise {
                        code,
                        flags: 0,
                        address: at,
                        parameters: vec![0, 0xFFFF_FFFF],
                        chained: 0,
                        context,
                        description: format!(
                            "unhandled exception {code:#010x} (ACCESS_VIOLATION) at {at:#010x} \
                             (int {number:#x})"
                        ),
                    };
                    raise(env, r)
                }
            }
        }
        CpuContext::Alpha(_) => {
            let at = context.program_counter().wrapping_sub(4);
            exception(env, NtStatus::ILLEGAL_INSTRUCTION, at)
        }
    }
}

/// Calls guest function `function` with `arguments` and its return address at
/// [`HANDLER_RETURN_THUNK`], its frame at `call_sp` (x86: the return address and arguments
/// are written there; Alpha: the arguments go in a0-a5 and sp is `call_sp`), and remembers
/// `pending` to go on with when it returns.
fn call_guest(
    env: &mut Env<'_>,
    function: u32,
    arguments: &[u32],
    call_sp: u32,
    low: u32,
    pending: Pending,
) -> ServiceOutcome {
    let Some(mut context) = env.context() else {
        return ServiceOutcome::Continue;
    };
    match &mut context {
        CpuContext::X86(c) => {
            let mut words = vec![HANDLER_RETURN_THUNK];
            words.extend_from_slice(arguments);
            if env.write_words(call_sp, &words).is_err() {
                return pending_failed(env, pending);
            }
            x86::set_call_registers(c, function, call_sp);
        }
        CpuContext::Alpha(c) => alpha::set_call_registers(c, function, arguments, call_sp),
    }
    env.set_context(context);
    env.push_activity(
        Activity {
            call_sp,
            arguments: arguments.len() as u32,
            low: low.min(call_sp),
            pending,
        },
        call_sp,
    );
    ServiceOutcome::Continue
}

/// The walk could not call its handler (its frame could not be written): the exception is
/// unhandled.
fn pending_failed(env: &mut Env<'_>, pending: Pending) -> ServiceOutcome {
    match pending {
        Pending::X86Dispatch(d) => unhandled(env, &d.exception),
        Pending::AlphaDispatch(d) => unhandled(env, &d.exception),
        Pending::TopLevelFilter(e) => unhandled(env, &e),
        Pending::X86Unwind(u) => unhandled(env, &u.context),
        Pending::AlphaUnwind(u) => unhandled(env, &u.exception),
        Pending::ApiFilter { resume, .. } => {
            let code = NtStatus::ACCESS_VIOLATION.0;
            env.report(&status_line(code, resume.program_counter()));
            ServiceOutcome::ExitProcess(code)
        }
    }
}

/// The end of the handler chain: the top-level filter decides, or the process ends.
fn end_of_chain(env: &mut Env<'_>, exception: Exception) -> ServiceOutcome {
    // A debugged process's UnhandledExceptionFilter leaves the exception to its debugger:
    // the last chance.
    if env.machine.debugger_of(env.thread.process).is_some() {
        return debug::last_chance(env, exception);
    }
    let filter = env.top_level_filter();
    if filter == 0 {
        return unhandled(env, &exception);
    }
    let (pointers, scratch) = (exception.pointers, exception.scratch);
    call_guest(
        env,
        filter,
        &[pointers],
        scratch,
        scratch,
        Pending::TopLevelFilter(exception),
    )
}

/// Continues the thread from a guest CONTEXT (NtContinue).
fn continue_from(env: &mut Env<'_>, exception: &Exception) -> ServiceOutcome {
    let Some(current) = env.context() else {
        return ServiceOutcome::Continue;
    };
    let restored = match current {
        CpuContext::X86(c) => {
            x86::read_context(env, exception.context, &c, exception.x87.as_deref())
                .map(|c| CpuContext::X86(Box::new(c)))
        }
        CpuContext::Alpha(c) => {
            alpha::read_context(env, exception.context, &c).map(|c| CpuContext::Alpha(Box::new(c)))
        }
    };
    match restored {
        Ok(context) => {
            env.set_context(context);
            ServiceOutcome::Continue
        }
        Err(_) => unhandled(env, exception),
    }
}

/// A handler's ExceptionContinueExecution: continues from the CONTEXT, unless the exception
/// is noncontinuable (then STATUS_NONCONTINUABLE_EXCEPTION is raised).
fn continue_execution(env: &mut Env<'_>, exception: &Exception) -> ServiceOutcome {
    let flags = env.read_u32(exception.record.wrapping_add(4)).unwrap_or(0);
    if flags & EXCEPTION_NONCONTINUABLE != 0 {
        let address = env.read_u32(exception.record.wrapping_add(12)).unwrap_or(0);
        return raise_status(
            env,
            NtStatus::NONCONTINUABLE_EXCEPTION.0,
            exception.record,
            address,
        );
    }
    continue_from(env, exception)
}

/// Sets and clears bits of a guest record's ExceptionFlags.
fn update_flags(env: &mut Env<'_>, record: u32, set: u32, clear: u32) -> Result<u32, Fault> {
    let at = record.wrapping_add(4);
    let flags = (env.read_u32(at)? | set) & !clear;
    env.write_u32(at, flags)?;
    Ok(flags)
}

/// A thread reached one of the dispatcher's thunks: None when `address` is not one.
pub(crate) fn thunk(env: &mut Env<'_>, address: u32) -> Option<ServiceOutcome> {
    match address {
        HANDLER_RETURN_THUNK => Some(handler_returned(env)),
        NESTED_EXCEPTION_THUNK | COLLIDED_UNWIND_THUNK => {
            Some(x86::dispatcher_frame_handler(env, address))
        }
        _ => None,
    }
}

/// A guest handler returned: the walk that called it goes on.
fn handler_returned(env: &mut Env<'_>) -> ServiceOutcome {
    let Some(context) = env.context() else {
        return ServiceOutcome::Continue;
    };
    let sp = context.stack_pointer();
    let value = context.return_value();
    let x86 = matches!(context, CpuContext::X86(_));
    let Some(list) = env.activities() else {
        return ServiceOutcome::Continue;
    };
    let matches = |a: &Activity| {
        if x86 {
            sp == a.call_sp.wrapping_add(4) || sp == a.call_sp.wrapping_add(4 + 4 * a.arguments)
        } else {
            sp == a.call_sp
        }
    };
    let Some(i) = list.iter().rposition(matches) else {
        // Nothing called a handler from here: a stray jump to the thunk.
        return ServiceOutcome::ExitProcess(NtStatus::ILLEGAL_INSTRUCTION.0);
    };
    list.truncate(i + 1);
    let Some(activity) = list.pop() else {
        return ServiceOutcome::ExitProcess(NtStatus::ILLEGAL_INSTRUCTION.0);
    };
    match activity.pending {
        Pending::X86Dispatch(d) => x86::dispatch_returned(env, d, value),
        Pending::X86Unwind(u) => x86::unwind_returned(env, u, value),
        Pending::AlphaDispatch(d) => alpha::dispatch_returned(env, d, value),
        Pending::AlphaUnwind(u) => alpha::unwind_returned(env, u, value),
        Pending::TopLevelFilter(exception) => match value {
            EXCEPTION_CONTINUE_EXECUTION => continue_execution(env, &exception),
            // BaseProcessStart's __except block: ExitProcess(GetExceptionCode()).
            EXCEPTION_EXECUTE_HANDLER => ServiceOutcome::ExitProcess(exception.code),
            _ => unhandled(env, &exception),
        },
        Pending::ApiFilter {
            mut resume,
            pointers,
        } => {
            let result = match value {
                EXCEPTION_CONTINUE_EXECUTION | EXCEPTION_EXECUTE_HANDLER => value,
                _ => {
                    report_pointers(env, pointers);
                    EXCEPTION_EXECUTE_HANDLER
                }
            };
            resume.set_return_value(result);
            env.set_context(resume);
            ServiceOutcome::Continue
        }
    }
}

/// The activity whose handler call frame a walk met (Alpha: a frame whose return address is
/// [`HANDLER_RETURN_THUNK`] and whose stack pointer is `sp`).
fn activity_at<'e>(env: &'e mut Env<'_>, sp: u32) -> Option<&'e Activity> {
    env.activities()?.iter().rev().find(|a| a.call_sp == sp)
}

/// Prints the unhandled-exception line for the exception EXCEPTION_POINTERS `pointers`
/// describes: the line the dispatcher made for it if it is one of its own, else one built
/// from the record.
fn report_pointers(env: &mut Env<'_>, pointers: u32) {
    let record = env.read_u32(pointers).unwrap_or(0);
    let known = env.activities().and_then(|list| {
        list.iter().rev().find_map(|a| {
            let e = match &a.pending {
                Pending::X86Dispatch(d) => &d.exception,
                Pending::AlphaDispatch(d) => &d.exception,
                Pending::TopLevelFilter(e) => e,
                _ => return None,
            };
            (e.record == record).then(|| e.description.clone())
        })
    });
    let line = known.unwrap_or_else(|| {
        let code = env.read_u32(record).unwrap_or(0);
        let address = env.read_u32(record.wrapping_add(12)).unwrap_or(0);
        status_line(code, address)
    });
    env.report(&line);
}

fn outcome_to_return(outcome: ServiceOutcome) -> ApiReturn {
    match outcome {
        ServiceOutcome::ExitProcess(code) => ApiReturn::ExitProcess(code),
        ServiceOutcome::ExitThread(code) => ApiReturn::ExitThread(code),
        _ => ApiReturn::Resumed,
    }
}

pub(crate) fn env_of<'a>(call: &'a mut ApiCall<'_>) -> Env<'a> {
    Env {
        machine: &mut *call.machine,
        seh: call.state.get::<SehState>(),
        io: call.io,
        thread: call.thread,
    }
}

/// The registers of the builtin's caller as they will be once the call returns: the
/// program counter at the return address, the stack pointer past `arguments` stdcall
/// arguments.
fn caller_context(env: &Env<'_>, arguments: u32) -> Option<CpuContext> {
    let mut context = env.context()?;
    match &mut context {
        CpuContext::X86(c) => {
            let esp = c.gpr[nt_kernel::X86_ESP];
            c.eip = env.read_u32(esp).ok()?;
            c.gpr[nt_kernel::X86_ESP] = esp.wrapping_add(4 + 4 * arguments);
        }
        CpuContext::Alpha(c) => c.pc = c.r[nt_kernel::ALPHA_RA],
    }
    Some(context)
}

/// Raises a noncontinuable-or-not exception `code` with `parameters` in the calling thread as
/// a builtin taking `arguments` stdcall arguments raises it from inside (RtlRaiseStatus,
/// HEAP_GENERATE_EXCEPTIONS): the exception address is the call's return address, and
/// continuing returns from the call with `value` in the result register.
pub fn raise_from_call(
    call: &mut ApiCall<'_>,
    code: NtStatus,
    parameters: &[u32],
    arguments: u32,
    value: u32,
) -> ApiReturn {
    let mut env = env_of(call);
    let Some(mut context) = caller_context(&env, arguments) else {
        return ApiReturn::ExitProcess(code.0);
    };
    context.set_return_value(value);
    let address = context.program_counter();
    let r = Raise {
        code: code.0,
        flags: 0,
        address,
        parameters: parameters
            .iter()
            .copied()
            .take(MAXIMUM_PARAMETERS)
            .collect(),
        chained: 0,
        description: status_line(code.0, address),
        context,
    };
    outcome_to_return(raise(&mut env, r))
}

/// RaiseException(dwExceptionCode, dwExceptionFlags, nNumberOfArguments, lpArguments):
/// raises a software exception whose address is the caller's return address; continuing
/// returns from the call.
#[export]
pub fn RaiseException(
    call: &mut ApiCall<'_>,
    dwExceptionCode: u32,
    dwExceptionFlags: u32,
    nNumberOfArguments: u32,
    lpArguments: Ptr,
) -> ApiReturn {
    let (code, flags, count, arguments) = (
        dwExceptionCode,
        dwExceptionFlags,
        nNumberOfArguments,
        lpArguments.0,
    );
    let mut env = env_of(call);
    let Some(context) = caller_context(&env, 4) else {
        return ApiReturn::ExitProcess(code);
    };
    let address = context.program_counter();
    let count = if arguments == 0 {
        0
    } else {
        (count as usize).min(MAXIMUM_PARAMETERS)
    };
    let mut parameters = Vec::with_capacity(count);
    for i in 0..count as u32 {
        match env.read_u32(arguments.wrapping_add(4 * i)) {
            Ok(v) => parameters.push(v),
            Err(f) => {
                // The copy of the arguments faults in RaiseException itself.
                let r = Raise {
                    code: NtStatus::ACCESS_VIOLATION.0,
                    flags: 0,
                    address,
                    parameters: vec![0, f.addr],
                    chained: 0,
                    description: status_line(NtStatus::ACCESS_VIOLATION.0, address),
                    context,
                };
                return outcome_to_return(raise(&mut env, r));
            }
        }
    }
    let r = Raise {
        code,
        flags: flags & EXCEPTION_NONCONTINUABLE,
        address,
        parameters,
        chained: 0,
        context,
        description: status_line(code, address),
    };
    outcome_to_return(raise(&mut env, r))
}

/// RtlUnwind(TargetFrame, TargetIp, ExceptionRecord, ReturnValue): calls the unwind handlers
/// of every frame below TargetFrame. x86: unlinks them from `fs:[0]` and returns to the caller
/// with eax = ReturnValue. Alpha: continues at TargetIp in TargetFrame's function with its
/// non-volatile registers restored and v0 = ReturnValue.
#[export]
pub fn RtlUnwind(
    call: &mut ApiCall<'_>,
    TargetFrame: Ptr,
    TargetIp: Ptr,
    ExceptionRecord: Ptr,
    ReturnValue: u32,
) -> ApiReturn {
    let args = [TargetFrame.0, TargetIp.0, ExceptionRecord.0, ReturnValue];
    let mut env = env_of(call);
    let outcome = match env.context() {
        Some(CpuContext::X86(_)) => x86::rtl_unwind(&mut env, args),
        Some(CpuContext::Alpha(_)) => alpha::rtl_unwind(&mut env, args, false),
        None => ServiceOutcome::Continue,
    };
    outcome_to_return(outcome)
}

/// RtlUnwindRfp(TargetRealFrame, TargetIp, ExceptionRecord, ReturnValue), exported by NT
/// for Alpha (NTDLL, and KERNEL32 as a forwarder): RtlUnwind whose target is the frame's
/// real frame pointer (sp, or the frame register, after its prologue) rather than its
/// virtual frame pointer. Handlers still get the virtual establisher frame. The x86 NT has
/// no such export; an x86 caller gets RtlUnwind's behaviour.
#[export]
pub fn RtlUnwindRfp(
    call: &mut ApiCall<'_>,
    TargetRealFrame: Ptr,
    TargetIp: Ptr,
    ExceptionRecord: Ptr,
    ReturnValue: u32,
) -> ApiReturn {
    let args = [
        TargetRealFrame.0,
        TargetIp.0,
        ExceptionRecord.0,
        ReturnValue,
    ];
    let mut env = env_of(call);
    let outcome = match env.context() {
        Some(CpuContext::X86(_)) => x86::rtl_unwind(&mut env, args),
        Some(CpuContext::Alpha(_)) => alpha::rtl_unwind(&mut env, args, true),
        None => ServiceOutcome::Continue,
    };
    outcome_to_return(outcome)
}

/// An x86 unwind for a C runtime helper (`_global_unwind2(frame)`, which calls
/// `RtlUnwind(frame, ..., NULL, 0)`): the unwind handlers of every registration below
/// `target_frame` are called with EXCEPTION_UNWINDING and unlinked, as RtlUnwind calls them,
/// then the thread returns to the helper's caller (cdecl: only the return address popped)
/// with its registers otherwise as at the call and eax 0. On an Alpha thread it returns 0 at
/// once (Alpha code unwinds through its function tables).
pub fn unwind_for_crt_helper(call: &mut ApiCall<'_>, target_frame: u32) -> ApiReturn {
    let mut env = env_of(call);
    let outcome = match env.context() {
        Some(CpuContext::X86(_)) => x86::unwind_for_caller(&mut env, [target_frame, 0, 0, 0], 0),
        _ => return ApiReturn::Value(0),
    };
    outcome_to_return(outcome)
}

/// RtlLookupFunctionEntry(ControlPc), exported by NT for Alpha: the address of the
/// RUNTIME_FUNCTION in the image's exception directory (.pdata) whose range holds ControlPc
/// (the primary entry when ControlPc is in a secondary one), or NULL for a leaf function or
/// an address outside the image. x86 images have no such table: NULL.
#[export]
pub fn RtlLookupFunctionEntry(call: &mut ApiCall<'_>, ControlPc: u32) -> u32 {
    call.process()
        .filter(|p| p.architecture() == nt_kernel::Architecture::Alpha)
        .and_then(|p| alpha_unwind::lookup_function_entry_at(p, ControlPc))
        .map_or(0, |(address, _)| address)
}

/// UnhandledExceptionFilter(ExceptionInfo): the top-level filter SetUnhandledExceptionFilter
/// set decides if there is one; otherwise (or when it returns EXCEPTION_CONTINUE_SEARCH) the
/// unhandled-exception line goes to stderr and the result is EXCEPTION_EXECUTE_HANDLER, so
/// the caller's `__except` block ends the process with the exception code.
#[export]
pub fn UnhandledExceptionFilter(call: &mut ApiCall<'_>, ExceptionInfo: Ptr) -> ApiReturn {
    let pointers = ExceptionInfo.0;
    let mut env = env_of(call);
    let filter = env.top_level_filter();
    if filter != 0 {
        let Some(resume) = caller_context(&env, 1) else {
            return ApiReturn::Value(EXCEPTION_EXECUTE_HANDLER);
        };
        let Some(context) = env.context() else {
            return ApiReturn::Value(EXCEPTION_EXECUTE_HANDLER);
        };
        // The filter's frame goes below the caller's.
        let call_sp = match &context {
            CpuContext::X86(_) => context.stack_pointer().wrapping_sub(8) & !3,
            CpuContext::Alpha(_) => context.stack_pointer().wrapping_sub(16) & !15,
        };
        let outcome = call_guest(
            &mut env,
            filter,
            &[pointers],
            call_sp,
            call_sp,
            Pending::ApiFilter { resume, pointers },
        );
        return outcome_to_return(outcome);
    }
    report_pointers(&mut env, pointers);
    ApiReturn::Value(EXCEPTION_EXECUTE_HANDLER)
}

/// SetUnhandledExceptionFilter(lpTopLevelExceptionFilter): returns the previous filter.
#[export]
pub fn SetUnhandledExceptionFilter(
    call: &mut ApiCall<'_>,
    lpTopLevelExceptionFilter: Ptr,
) -> ApiReturn {
    let filter = lpTopLevelExceptionFilter.0;
    let Some(process) = call.process_object() else {
        return ApiReturn::Value(0);
    };
    let pid = call.thread.process;
    let slot = call
        .state
        .get::<SehState>()
        .filters
        .get_or_default(pid, &process);
    let previous = std::mem::replace(slot, filter);
    ApiReturn::Value(previous)
}

/// RtlRaiseException(ExceptionRecord): raises the exception the caller's record describes
/// (its code, flags, chained record and parameters), with ExceptionAddress set to the
/// caller's return address as NT sets it.
#[export]
pub fn RtlRaiseException(call: &mut ApiCall<'_>, ExceptionRecord: Ptr) -> ApiReturn {
    let record = ExceptionRecord.0;
    let mut env = env_of(call);
    let Some(context) = caller_context(&env, 1) else {
        return ApiReturn::ExitProcess(NtStatus::ACCESS_VIOLATION.0);
    };
    let address = context.program_counter();
    let mut words = [0u32; RECORD_SIZE as usize / 4];
    let mut bytes = vec![0u8; RECORD_SIZE as usize];
    if env.read_bytes(record, &mut bytes).is_err() {
        let r = Raise {
            code: NtStatus::ACCESS_VIOLATION.0,
            flags: 0,
            address,
            parameters: vec![0, record],
            chained: 0,
            description: status_line(NtStatus::ACCESS_VIOLATION.0, address),
            context,
        };
        return outcome_to_return(raise(&mut env, r));
    }
    for (w, b) in words.iter_mut().zip(bytes.chunks_exact(4)) {
        *w = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    }
    let count = (words[4] as usize).min(MAXIMUM_PARAMETERS);
    let r = Raise {
        code: words[0],
        flags: words[1],
        address,
        parameters: words[5..5 + count].to_vec(),
        chained: words[2],
        description: status_line(words[0], address),
        context,
    };
    outcome_to_return(raise(&mut env, r))
}

/// Raises STATUS_ACCESS_VIOLATION in the calling thread for a builtin (of `arguments`
/// stdcall arguments) that touched guest address `fault` (a write when `write`), as NT's
/// own code faults on a bad pointer a caller passed: the exception's address is the
/// caller's return address.
pub fn raise_access_violation(
    call: &mut ApiCall<'_>,
    arguments: u32,
    fault: u32,
    write: bool,
) -> ApiReturn {
    let mut env = env_of(call);
    let Some(context) = caller_context(&env, arguments) else {
        return ApiReturn::ExitProcess(NtStatus::ACCESS_VIOLATION.0);
    };
    let address = context.program_counter();
    let r = Raise {
        code: NtStatus::ACCESS_VIOLATION.0,
        flags: 0,
        address,
        parameters: vec![u32::from(write), fault],
        chained: 0,
        description: status_line(NtStatus::ACCESS_VIOLATION.0, address),
        context,
    };
    outcome_to_return(raise(&mut env, r))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raise_with(parameters: Vec<u32>) -> Raise {
        Raise {
            code: 0xC000_0005,
            flags: EXCEPTION_NONCONTINUABLE,
            address: 0x0040_1000,
            parameters,
            chained: 0x0012_0000,
            context: CpuContext::X86(Box::default()),
            description: String::new(),
        }
    }

    fn word(bytes: &[u8], index: usize) -> u32 {
        let at = 4 * index;
        u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
    }

    #[test]
    fn a_record_has_nt_layout() {
        let bytes = record_bytes(&raise_with(vec![1, 0xDEAD_0000]));
        assert_eq!(bytes.len(), 0x50);
        // ExceptionCode, ExceptionFlags, ExceptionRecord, ExceptionAddress, NumberParameters,
        // ExceptionInformation[0..].
        let words: Vec<u32> = (0..7).map(|i| word(&bytes, i)).collect();
        assert_eq!(
            words,
            [0xC000_0005, 1, 0x0012_0000, 0x0040_1000, 2, 1, 0xDEAD_0000]
        );
        assert!(bytes[28..].iter().all(|&b| b == 0));
    }

    #[test]
    fn a_record_keeps_at_most_fifteen_parameters() {
        let bytes = record_bytes(&raise_with((1..=20).collect()));
        assert_eq!(bytes.len(), 0x50);
        assert_eq!(word(&bytes, 4), 15);
        assert_eq!(word(&bytes, 5), 1);
        assert_eq!(word(&bytes, 19), 15);
    }

    #[test]
    fn the_lines_name_known_statuses() {
        assert_eq!(
            status_line(0xC000_0094, 0x401000),
            "unhandled exception 0xc0000094 (INTEGER_DIVIDE_BY_ZERO) at 0x00401000"
        );
        assert_eq!(
            status_line(0xE000_0001, 0x401000),
            "unhandled exception 0xe0000001 (exception) at 0x00401000"
        );
    }
}
