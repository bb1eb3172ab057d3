//! User APCs and alertable waits, as NT's kernel delivers them.
//!
//! - A user APC (NtQueueApcThread, QueueUserAPC, a timer's completion routine, an I/O
//!   completion routine) is queued to its thread and waits there until the thread waits
//!   alertably ([`WaitRequest::alertable`]) or calls NtTestAlert.
//! - An alertable wait first tries its objects, as KeWaitForMultipleObjects does: a wait they
//!   satisfy returns their status and leaves the APCs queued. Otherwise, with an APC queued
//!   (at once, or later while the thread is parked) the wait ends with STATUS_USER_APC
//!   (WAIT_IO_COMPLETION, 0xC0).
//! - Delivery is KiUserApcDispatcher's: the thread's context (which already returns
//!   STATUS_USER_APC from the wait) is kept as an [`ApcFrame`], and the thread calls the APC
//!   routine `routine(context, argument1, argument2)` below its stack pointer, returning to
//!   [`APC_RETURN_THUNK`]. There the next queued APC is called, until none is left; then the
//!   kept context is restored (NtContinue with TestAlert). An APC routine may wait alertably
//!   itself (a nested frame), or never return (its frame is dropped once a frame below it on
//!   the stack returns).
//! - An APC whose routine is NULL becomes a kernel-mode APC on NT (PspQueueApcSpecialApc):
//!   the call succeeds and nothing reaches the thread.
//!
//! Waits are the scheduler's: a parked thread costs nothing until its objects are signalled,
//! its deadline passes or an APC is queued to it.

use std::sync::Arc;
use std::time::Duration;

use nt_memory::GuestMemory;
use nt_object::{
    AccessMask, Handle, Object, OwnerThread, WaitStart, WaitStatus, WaitType, begin_wait,
};
use nt_status::NtStatus;

use crate::KernelError;
use crate::cpu::{
    ALPHA_A0, ALPHA_PV, ALPHA_RA, ALPHA_SP, CpuContext, THUNK_BASE, X86_ESP, sign_extend,
};
use crate::machine::{ClientId, Machine, ServiceOutcome};
use crate::process::{Thread, ThreadBody, ThreadWait};

/// THREAD_ALERT: the right NtAlertThread needs.
const THREAD_ALERT: u32 = 0x0004;

/// Where an APC routine returns to: the kernel calls the next queued APC, or resumes the
/// context the delivery interrupted.
pub const APC_RETURN_THUNK: u32 = THUNK_BASE + 0x8;

/// STATUS_USER_APC (WAIT_IO_COMPLETION): what an alertable wait an APC ended returns.
pub const STATUS_USER_APC: u32 = 0xC0;
/// STATUS_TIMEOUT (WAIT_TIMEOUT).
const STATUS_TIMEOUT: u32 = 0x102;
/// STATUS_ALERTED: what an alertable native wait an alert ended returns.
pub const STATUS_ALERTED: u32 = 0x101;

/// Stack bytes an x86 delivery leaves below the interrupted stack pointer (NT writes the
/// CONTEXT, 0x2CC bytes, and the dispatcher's four words there).
const X86_APC_FRAME: u32 = 0x2CC + 16;
/// Stack bytes an Alpha delivery leaves below the interrupted stack pointer.
const ALPHA_APC_FRAME: u32 = 0x340;
/// The most interrupted contexts a thread keeps; older ones (left by APC routines that
/// never returned) are dropped first.
const MAX_APC_FRAMES: usize = 256;

/// A user-mode APC: `routine(context, argument1, argument2)` called on its thread
/// (NT's NormalRoutine, NormalContext, SystemArgument1 and SystemArgument2).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct UserApc {
    /// The routine's guest address.
    pub routine: u32,
    /// Its first argument.
    pub context: u32,
    /// Its second argument.
    pub argument1: u32,
    /// Its third argument.
    pub argument2: u32,
}

/// A context an APC delivery interrupted, resumed when the APCs are done.
pub(crate) struct ApcFrame {
    /// The thread's registers to resume with.
    resume: CpuContext,
    /// Where the APC routine's call frame is (x86: its return address).
    call_sp: u32,
}

/// A wait a service asks the scheduler for ([`ServiceOutcome::WaitFor`]).
#[derive(Clone, Debug)]
pub struct WaitRequest {
    /// The objects to wait on; none for a delay (NtDelayExecution), whose timeout returns
    /// STATUS_SUCCESS instead of STATUS_TIMEOUT.
    pub objects: Vec<Arc<Object>>,
    /// Any or all.
    pub wait_type: WaitType,
    /// None waits forever.
    pub timeout: Option<Duration>,
    /// True when a user APC ends the wait (WAIT_IO_COMPLETION) and is delivered.
    pub alertable: bool,
    /// With `alertable`: true when an alert (NtAlertThread) ends the wait with
    /// STATUS_ALERTED, as the native services' waits end; false for KERNEL32's, which wait
    /// again after STATUS_ALERTED (the alert is taken and the wait goes on).
    pub alerts: bool,
}

impl WaitRequest {
    /// A wait on `objects` that user APCs do not end (WaitForSingleObject and friends).
    pub fn objects(
        objects: Vec<Arc<Object>>,
        wait_type: WaitType,
        timeout: Option<Duration>,
    ) -> Self {
        WaitRequest {
            objects,
            wait_type,
            timeout,
            alertable: false,
            alerts: false,
        }
    }

    /// A delay of `timeout` (None: for ever), alertable or not (SleepEx, NtDelayExecution).
    pub fn delay(timeout: Option<Duration>, alertable: bool) -> Self {
        WaitRequest {
            objects: Vec::new(),
            wait_type: WaitType::Any,
            timeout,
            alertable,
            alerts: false,
        }
    }
}

/// What a parked thread's wait came to when the scheduler looked at it.
pub(crate) enum WaitPoll {
    /// It goes on waiting.
    Waiting,
    /// It ended with this value in the thread's return register; with `deliver` the thread's
    /// APCs are delivered before it runs on.
    Ended {
        /// True when the wait ended for a user APC.
        deliver: bool,
    },
}

/// Looks at a parked thread's wait at clock time `now`: satisfied by its objects, ended by a
/// queued APC (alertable waits), or timed out.
pub(crate) fn poll_wait(thread: &mut Thread, now: u64) -> WaitPoll {
    let Some(wait) = &thread.wait else {
        return WaitPoll::Ended { deliver: false };
    };
    let polled = wait.pending.as_ref().and_then(|p| p.poll());
    if polled.is_none() && wait.alertable && thread.alerted {
        // The alert is taken; a native wait ends with it (before any APC, as NT tests the
        // alert first), a KERNEL32 wait goes on.
        thread.alerted = false;
        if wait.alerts {
            let status = thread
                .wait
                .take()
                .and_then(|w| w.pending)
                .and_then(|p| p.cancel())
                .map_or(STATUS_ALERTED, WaitStatus::to_win32);
            thread.context.set_return_value(status);
            return WaitPoll::Ended { deliver: false };
        }
    }
    let Some(wait) = &thread.wait else {
        return WaitPoll::Ended { deliver: false };
    };
    let status = match polled {
        Some(status) => status.to_win32(),
        None if wait.alertable && !thread.apcs.is_empty() => thread
            .wait
            .take()
            .and_then(|w| w.pending)
            .and_then(|p| p.cancel())
            .map_or(STATUS_USER_APC, WaitStatus::to_win32),
        None if wait.deadline.is_some_and(|d| d <= now) => {
            let timeout_status = wait.timeout_status;
            thread
                .wait
                .take()
                .and_then(|w| w.pending)
                .and_then(|p| p.cancel())
                .map_or(timeout_status, WaitStatus::to_win32)
        }
        None => return WaitPoll::Waiting,
    };
    thread.wait = None;
    thread.context.set_return_value(status);
    WaitPoll::Ended {
        deliver: status == STATUS_USER_APC,
    }
}

/// Writes `words` at `at` in `space`: through the page protection, or (a guard page just
/// below the stack) as the executive writes.
fn write_words(space: &mut nt_memory::AddressSpace, at: u32, words: &[u32]) -> bool {
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    space.write_bytes(at, &bytes).is_ok() || space.kernel_write(at, &bytes).is_ok()
}

/// Points `thread` at a call of `apc` whose frame lies below the stack pointer of `resume`;
/// returns the frame's stack pointer, or None when the stack cannot hold it.
fn call_apc(
    space: &mut nt_memory::AddressSpace,
    thread: &mut Thread,
    resume: &CpuContext,
    apc: UserApc,
) -> Option<u32> {
    let sp = resume.stack_pointer();
    let mut context = resume.clone();
    let call_sp = match &mut context {
        CpuContext::X86(c) => {
            let call_sp = sp.checked_sub(X86_APC_FRAME)? & !3;
            let frame = [APC_RETURN_THUNK, apc.context, apc.argument1, apc.argument2];
            if !write_words(space, call_sp, &frame) {
                return None;
            }
            c.gpr[X86_ESP] = call_sp;
            c.eip = apc.routine;
            call_sp
        }
        CpuContext::Alpha(c) => {
            let call_sp = sp.checked_sub(ALPHA_APC_FRAME)? & !15;
            c.r[ALPHA_A0] = sign_extend(apc.context);
            c.r[ALPHA_A0 + 1] = sign_extend(apc.argument1);
            c.r[ALPHA_A0 + 2] = sign_extend(apc.argument2);
            c.r[ALPHA_RA] = sign_extend(APC_RETURN_THUNK);
            c.r[ALPHA_PV] = sign_extend(apc.routine);
            c.r[ALPHA_SP] = sign_extend(call_sp);
            c.pc = sign_extend(apc.routine);
            call_sp
        }
    };
    thread.context = context;
    Some(call_sp)
}

/// Starts delivering `thread`'s queued APCs: its current context is kept and the first APC
/// is called. False when none is queued, or when the stack cannot take the call (the caller
/// ends the process).
pub(crate) fn begin_delivery(
    space: &mut nt_memory::AddressSpace,
    thread: &mut Thread,
) -> Result<bool, ()> {
    let Some(apc) = thread.apcs.pop_front() else {
        return Ok(false);
    };
    let resume = thread.context.clone();
    let Some(call_sp) = call_apc(space, thread, &resume, apc) else {
        return Err(());
    };
    if thread.apc_frames.len() >= MAX_APC_FRAMES {
        thread.apc_frames.remove(0);
    }
    thread.apc_frames.push(ApcFrame { resume, call_sp });
    Ok(true)
}

/// An APC routine returned to [`APC_RETURN_THUNK`]: the next queued APC is called, or the
/// interrupted context resumes.
pub(crate) fn returned(space: &mut nt_memory::AddressSpace, thread: &mut Thread) -> ServiceOutcome {
    let sp = thread.context.stack_pointer();
    let x86 = matches!(thread.context, CpuContext::X86(_));
    let matches = |f: &ApcFrame| {
        if x86 {
            // The routine popped none to three arguments (a one-argument PAPCFUNC pops one).
            (f.call_sp.wrapping_add(4)..=f.call_sp.wrapping_add(16)).contains(&sp)
        } else {
            sp == f.call_sp
        }
    };
    let Some(i) = thread.apc_frames.iter().rposition(matches) else {
        // Nothing called an APC from here: a stray jump to the thunk.
        return ServiceOutcome::ExitProcess(NtStatus::ILLEGAL_INSTRUCTION.0);
    };
    // Frames above it were left by APC routines that never returned.
    thread.apc_frames.truncate(i + 1);
    let Some(frame) = thread.apc_frames.pop() else {
        return ServiceOutcome::ExitProcess(NtStatus::ILLEGAL_INSTRUCTION.0);
    };
    match thread.apcs.pop_front() {
        Some(apc) => match call_apc(space, thread, &frame.resume, apc) {
            Some(call_sp) => {
                thread.apc_frames.push(ApcFrame {
                    resume: frame.resume,
                    call_sp,
                });
                ServiceOutcome::Continue
            }
            None => ServiceOutcome::ExitProcess(NtStatus::STACK_OVERFLOW.0),
        },
        None => {
            thread.context = frame.resume;
            ServiceOutcome::Continue
        }
    }
}

impl Machine {
    /// Queues a user APC to the live thread `target` (NtQueueApcThread on a thread object
    /// already referenced). A NULL routine is accepted and dropped, as NT makes it a kernel
    /// APC. STATUS_UNSUCCESSFUL semantics for a thread that has ended are the caller's:
    /// this returns [`KernelError::ThreadTerminating`].
    pub fn queue_user_apc(&mut self, target: ClientId, apc: UserApc) -> Result<(), KernelError> {
        let thread = self
            .process_mut(target.process)
            .and_then(|p| p.thread_mut(target.thread))
            .ok_or(KernelError::ThreadTerminating)?;
        if apc.routine != 0 {
            thread.apcs.push_back(apc);
        }
        Ok(())
    }

    /// NtAlertThread on the thread `handle` names in the caller's table (or -2; the handle
    /// needs THREAD_ALERT): the thread is alerted for user mode; an alertable native wait it
    /// is in (or comes to) ends with STATUS_ALERTED, NtTestAlert returns it.
    pub fn alert_thread_by_handle(
        &mut self,
        caller: ClientId,
        handle: Handle,
    ) -> Result<(), KernelError> {
        let object = self.reference_thread(caller, handle, AccessMask(THREAD_ALERT))?;
        let body = object
            .payload::<ThreadBody>()
            .ok_or(KernelError::ThreadTerminating)?;
        let target = ClientId {
            process: body.process_id(),
            thread: body.id(),
        };
        if let Some(thread) = self
            .process_mut(target.process)
            .and_then(|p| p.thread_mut(target.thread))
        {
            thread.alerted = true;
        }
        Ok(())
    }

    /// Takes the thread's user-mode alert (NtTestAlert): true when it was alerted.
    pub fn take_alert(&mut self, id: ClientId) -> bool {
        self.process_mut(id.process)
            .and_then(|p| p.thread_mut(id.thread))
            .is_some_and(|t| std::mem::replace(&mut t.alerted, false))
    }

    /// NtQueueApcThread on the thread `handle` names in the caller's table (or -2): the
    /// handle needs THREAD_SET_CONTEXT; a thread that has ended is
    /// [`KernelError::ThreadTerminating`].
    pub fn queue_user_apc_by_handle(
        &mut self,
        caller: ClientId,
        handle: Handle,
        apc: UserApc,
    ) -> Result<(), KernelError> {
        let object = self.reference_thread(caller, handle, AccessMask::THREAD_SET_CONTEXT)?;
        let body = object
            .payload::<ThreadBody>()
            .ok_or(KernelError::ThreadTerminating)?;
        let target = ClientId {
            process: body.process_id(),
            thread: body.id(),
        };
        self.queue_user_apc(target, apc)
    }

    /// Delivers the thread's queued user APCs now (NtTestAlert, or a wait that ended for
    /// them): its current registers are where it resumes once they have run. True when an
    /// APC was called; a stack that cannot take the call ends the process.
    pub fn deliver_user_apcs(&mut self, id: ClientId) -> bool {
        let Some(process) = self.process_mut(id.process) else {
            return false;
        };
        let (space, thread) = process.space_and_thread_mut(id.thread);
        let Some(thread) = thread else {
            return false;
        };
        match begin_delivery(space, thread) {
            Ok(delivered) => delivered,
            Err(()) => {
                self.exit_process(id.process, NtStatus::STACK_OVERFLOW.0);
                false
            }
        }
    }

    /// Parks thread `id` on `request`, or ends the wait at once: objects that satisfy it,
    /// a queued user APC (alertable waits, after the objects), a zero timeout. The thread's
    /// return register gets the WAIT_* / NTSTATUS value when the wait ends (WAIT_FAILED,
    /// 0xFFFFFFFF, when the objects cannot be waited on; callers check them first).
    pub(crate) fn begin_thread_wait(&mut self, id: ClientId, request: WaitRequest) {
        let deadline = request
            .timeout
            .map(|t| self.clock().now_ms().saturating_add(t.as_millis() as u64));
        let Some(process) = self.process_mut(id.process) else {
            return;
        };
        let Some(thread) = process.thread_mut(id.thread) else {
            return;
        };
        let alerted = request.alertable && thread.alerted;
        if alerted {
            // A KERNEL32 wait takes the alert and waits; a native one ends with it below.
            thread.alerted = false;
        }
        let alert_ends = alerted && request.alerts;
        let apc_ends = request.alertable && !thread.apcs.is_empty() && !alert_ends;
        let zero = request.timeout == Some(Duration::ZERO);
        let (pending, timeout_status) = if request.objects.is_empty() {
            (None, NtStatus::SUCCESS.0)
        } else {
            match begin_wait(&request.objects, request.wait_type, OwnerThread(id.thread)) {
                Ok(WaitStart::Satisfied(status)) => {
                    thread.context.set_return_value(status.to_win32());
                    return;
                }
                Ok(WaitStart::Pending(pending)) => (Some(pending), STATUS_TIMEOUT),
                Err(_) => {
                    thread.context.set_return_value(u32::MAX);
                    return;
                }
            }
        };
        if alert_ends || apc_ends || zero {
            // A signaller cannot have come between: the pending wait (if any) is cancelled
            // unsatisfied, unless it was satisfied meanwhile.
            let status = pending
                .and_then(|p| p.cancel())
                .map(WaitStatus::to_win32)
                .unwrap_or(if alert_ends {
                    STATUS_ALERTED
                } else if apc_ends {
                    STATUS_USER_APC
                } else {
                    timeout_status
                });
            thread.context.set_return_value(status);
            if status == STATUS_USER_APC {
                self.deliver_user_apcs(id);
            }
            return;
        }
        thread.wait = Some(ThreadWait {
            pending,
            deadline,
            alertable: request.alertable,
            alerts: request.alerts,
            timeout_status,
        });
    }
}
