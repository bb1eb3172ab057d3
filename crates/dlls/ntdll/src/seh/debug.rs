//! The debugger's chances at a debuggee's exceptions, as NT's KiDispatchException gives
//! them: the first before the thread's handlers see it, the last when none handled it (NT's
//! UnhandledExceptionFilter leaves a debugged process's exception to its debugger). While the
//! event waits the thread is stopped; ContinueDebugEvent decides what follows
//! ([`debugger_continued`]).
//!
//! The registers the debugger sees while a breakpoint's event waits are the trap's: past the
//! breakpoint instruction (x86 `int3`: one byte; Alpha `bpt`: four), so continuing with
//! DBG_CONTINUE goes on after it; the thread's handlers (with DBG_EXCEPTION_NOT_HANDLED) see
//! the exception's CONTEXT at the instruction, as without a debugger.

use nt_kernel::{CpuContext, DebugEvent, DebugEventKind, ServiceOutcome};
use nt_status::NtStatus;
use win32::{ApiCall, ApiReturn, export};

use super::{
    Env, Exception, MAXIMUM_PARAMETERS, Raise, caller_context, continue_from, dispatch_now, env_of,
    outcome_to_return, status_line, unhandled,
};

/// DBG_PRINTEXCEPTION_C: what OutputDebugString raises; a debugger gets it as
/// OUTPUT_DEBUG_STRING_EVENT (ExceptionInformation: the length with the null, the address).
pub const DBG_PRINTEXCEPTION_C: u32 = 0x4001_0006;

/// An exception of a debuggee thread whose event waits for the debugger.
pub(crate) enum Pending {
    /// The first chance: not handled by the debugger, it goes to the thread's handlers (with
    /// the registers as the debugger left them, if it changed them).
    FirstChance {
        /// The exception.
        raise: Raise,
        /// The registers the debugger was shown.
        shown: CpuContext,
    },
    /// The last chance: not handled by the debugger, the process ends.
    LastChance(Exception),
}

/// The registers a debugger sees at `raise`: a breakpoint's are past the instruction.
fn debugger_view(raise: &Raise) -> CpuContext {
    let mut view = raise.context.clone();
    if raise.code == NtStatus::BREAKPOINT.0 && view.program_counter() == raise.address {
        let length = match view {
            CpuContext::X86(_) => 1,
            CpuContext::Alpha(_) => 4,
        };
        view.set_program_counter(raise.address.wrapping_add(length));
    }
    view
}

/// The first chance: when the process is debugged, the event is queued, the thread shows the
/// exception's registers and stops; Err gives the exception back when it is not.
pub(crate) fn first_chance(env: &mut Env<'_>, raise: Raise) -> Result<ServiceOutcome, Raise> {
    let (process, thread) = (env.thread.process, env.thread.thread);
    if env.machine.debugger_of(process).is_none() {
        return Err(raise);
    }
    let kind = if raise.code == DBG_PRINTEXCEPTION_C && raise.parameters.len() >= 2 {
        DebugEventKind::OutputDebugString {
            address: raise.parameters[1],
            length: raise.parameters[0].min(0xFFFF) as u16,
            unicode: false,
        }
    } else {
        DebugEventKind::Exception {
            code: raise.code,
            flags: raise.flags,
            address: raise.address,
            parameters: raise.parameters.clone(),
            first_chance: true,
        }
    };
    if !env.machine.post_debug_event(DebugEvent {
        process,
        thread,
        kind,
    }) {
        return Err(raise);
    }
    let shown = debugger_view(&raise);
    env.set_context(shown.clone());
    env.seh
        .debug_pending
        .insert(thread, Pending::FirstChance { raise, shown });
    Ok(ServiceOutcome::Continue)
}

/// The last chance: the thread shows the exception's CONTEXT (as its handlers may have
/// changed it) and stops while the debugger has the event.
pub(crate) fn last_chance(env: &mut Env<'_>, exception: Exception) -> ServiceOutcome {
    let record = exception.record;
    let word = |env: &Env<'_>, offset: u32| env.read_u32(record.wrapping_add(offset)).unwrap_or(0);
    let code = word(env, 0);
    let flags = word(env, 4);
    let address = word(env, 12);
    let count = (word(env, 16) as usize).min(MAXIMUM_PARAMETERS);
    let parameters = (0..count as u32).map(|i| word(env, 20 + 4 * i)).collect();
    if let ServiceOutcome::ExitProcess(code) = continue_from(env, &exception) {
        return ServiceOutcome::ExitProcess(code);
    }
    let (process, thread) = (env.thread.process, env.thread.thread);
    let posted = env.machine.post_debug_event(DebugEvent {
        process,
        thread,
        kind: DebugEventKind::Exception {
            code,
            flags,
            address,
            parameters,
            first_chance: false,
        },
    });
    if !posted {
        return unhandled(env, &exception);
    }
    env.seh
        .debug_pending
        .insert(thread, Pending::LastChance(exception));
    ServiceOutcome::Continue
}

/// ContinueDebugEvent of an exception event of `call`'s thread: `handled` (DBG_CONTINUE)
/// goes on from the thread's registers; otherwise (DBG_EXCEPTION_NOT_HANDLED) a first chance
/// goes to the thread's handlers and a last chance ends the process with the exception code.
/// Returns what the thread does next.
pub fn debugger_continued(call: &mut ApiCall<'_>, handled: bool) -> ServiceOutcome {
    let mut env = env_of(call);
    let Some(pending) = env.seh.debug_pending.remove(&env.thread.thread) else {
        return ServiceOutcome::Continue;
    };
    match pending {
        _ if handled => ServiceOutcome::Continue,
        Pending::FirstChance { mut raise, shown } => {
            // Registers the debugger changed are the ones the handlers see.
            if let Some(now) = env.context()
                && now != shown
            {
                raise.context = now;
            }
            dispatch_now(&mut env, raise)
        }
        Pending::LastChance(exception) => unhandled(&env, &exception),
    }
}

/// A breakpoint raised from inside a builtin taking `arguments` stdcall arguments (NT's
/// `int3` in DbgBreakPoint): the exception address is the builtin's, and continuing returns
/// from the call.
pub fn breakpoint(call: &mut ApiCall<'_>, arguments: u32) -> ApiReturn {
    let mut env = env_of(call);
    let code = NtStatus::BREAKPOINT.0;
    let Some(address) = env.context().map(|c| c.program_counter()) else {
        return ApiReturn::ExitProcess(code);
    };
    let Some(context) = caller_context(&env, arguments) else {
        return ApiReturn::ExitProcess(code);
    };
    let r = Raise {
        code,
        flags: 0,
        address,
        parameters: Vec::new(),
        chained: 0,
        context,
        description: status_line(code, address),
    };
    outcome_to_return(super::raise(&mut env, r))
}

/// VOID DbgBreakPoint(void): raises STATUS_BREAKPOINT (the debugger's to take; without one
/// the thread's handlers see it).
#[export]
pub fn DbgBreakPoint(call: &mut ApiCall<'_>) -> ApiReturn {
    breakpoint(call, 0)
}

/// The loader's breakpoint in a debugged process's first thread before it runs (NT's
/// LdrpInitializeProcess calls DbgBreakPoint, at `address`, once the DLLs are mapped): the
/// debugger's first chance; not handled, it goes to the thread's handlers (it has none yet)
/// and its last chance.
pub fn initial_breakpoint(call: &mut ApiCall<'_>, address: u32) {
    let mut env = env_of(call);
    let Some(context) = env.context() else {
        return;
    };
    let code = NtStatus::BREAKPOINT.0;
    let r = Raise {
        code,
        flags: 0,
        address,
        parameters: Vec::new(),
        chained: 0,
        context,
        description: status_line(code, address),
    };
    let _ = first_chance(&mut env, r);
}
