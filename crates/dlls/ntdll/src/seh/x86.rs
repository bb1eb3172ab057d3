//! x86 exception dispatch and unwinding through the registration chain at fs:[0]
//! (EXCEPTION_REGISTRATION_RECORD {Next, Handler}), as NT's RtlDispatchException and
//! RtlUnwind walk it.
//!
//! Around each handler call the dispatcher links a registration record of its own into
//! fs:[0] ({Next, Handler, EstablisherFrame}, NT's ExecuteHandler2 frame) whose handler is
//! [`NESTED_EXCEPTION_THUNK`] (exception handlers) or [`COLLIDED_UNWIND_THUNK`] (unwind
//! handlers): an exception raised inside a handler then sees ExceptionNestedException, and
//! an unwind that runs into another one's handler ExceptionCollidedUnwind, as on NT.

use nt_kernel::{CpuContext, ServiceOutcome, X86Context};
use nt_memory::Fault;
use nt_status::NtStatus;

use super::{
    COLLIDED_UNWIND_THUNK, DISPOSITION_COLLIDED_UNWIND, DISPOSITION_CONTINUE_SEARCH,
    DISPOSITION_NESTED_EXCEPTION, EXCEPTION_EXIT_UNWIND, EXCEPTION_STACK_INVALID,
    EXCEPTION_UNWINDING, Env, Exception, FrameAt, MAXIMUM_FRAMES, NESTED_EXCEPTION_THUNK, Pending,
    RECORD_SIZE, Raise, STATUS_BAD_STACK, STATUS_INVALID_DISPOSITION, STATUS_INVALID_UNWIND_TARGET,
    begin_dispatch, begin_unwind, call_guest, continue_from, end_of_chain, handler_disposition,
    mark_nested, pending_failed, raise_status, unhandled, update_flags,
};
use win32::abi;

/// EXCEPTION_CHAIN_END: the last registration's Next.
const CHAIN_END: u32 = 0xFFFF_FFFF;
/// sizeof(CONTEXT) for i386 (with the ExtendedRegisters area).
const CONTEXT_SIZE: u32 = 0x2CC;
/// CONTEXT_i386 | CONTEXT_CONTROL | CONTEXT_INTEGER | CONTEXT_SEGMENTS.
const CONTEXT_FULL: u32 = 0x0001_0007;
/// The EFLAGS bits user mode may set through a CONTEXT (NT's EFLAGS_USER_SANITIZE without
/// the virtual-8086 flag, which a Win32 thread cannot set).
const EFLAGS_USER_SANITIZE: u32 = 0x003C_0DD7;
/// EFLAGS.IF and the reserved bit 1, always set in user mode.
const EFLAGS_ALWAYS: u32 = 0x0202;
/// EFLAGS.DF and EFLAGS.TF, clear when a handler is entered.
const EFLAGS_DF_TF: u32 = 0x0500;

// CONTEXT field offsets.
const CTX_CONTROL_WORD: usize = 0x1C;
const CTX_STATUS_WORD: usize = 0x20;
const CTX_TAG_WORD: usize = 0x24;
const CTX_SEG_GS: usize = 0x8C;
const CTX_EDI: usize = 0x9C;
const CTX_EBP: usize = 0xB4;
const CTX_EIP: usize = 0xB8;
const CTX_SEG_CS: usize = 0xBC;
const CTX_EFLAGS: usize = 0xC0;
const CTX_ESP: usize = 0xC4;
const CTX_SEG_SS: usize = 0xC8;

/// cpu-x86's register indices.
const EAX: usize = 0;
const ECX: usize = 1;
const EDX: usize = 2;
const EBX: usize = 3;
const ESP: usize = 4;
const EBP: usize = 5;
const ESI: usize = 6;
const EDI: usize = 7;
/// Selector indices: ES CS SS DS FS GS.
const SEG_ES: usize = 0;
const SEG_CS: usize = 1;
const SEG_SS: usize = 2;
const SEG_DS: usize = 3;
const SEG_FS: usize = 4;
const SEG_GS: usize = 5;

/// A dispatch waiting for an exception handler.
pub(super) struct Dispatch {
    pub(super) exception: Exception,
    /// The dispatcher's registration record (+12: the DispatcherContext).
    frame: u32,
    /// The registration to look at next.
    next: u32,
    /// The registration whose handler was called.
    current: u32,
    /// NestedRegistration: the frame a nested exception's dispatch must pass before the
    /// nested flag is cleared.
    nested: u32,
    visited: u32,
}

/// An RtlUnwind waiting for an unwind handler.
pub(super) struct Unwind {
    record: u32,
    /// The unwind's record and CONTEXT (the caller's registers it returns with).
    pub(super) context: Exception,
    target: u32,
    frame: u32,
    next: u32,
    current: u32,
    /// RtlUnwind's return address.
    caller: u32,
    visited: u32,
}

fn put(buf: &mut [u8], at: usize, value: u32) {
    buf[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn get(buf: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]])
}

/// The CONTEXT of `c` (CONTEXT_FULL, with the x87 control, status and tag words).
fn context_bytes(c: &X86Context) -> Vec<u8> {
    let mut b = vec![0u8; CONTEXT_SIZE as usize];
    put(&mut b, 0, CONTEXT_FULL);
    put(&mut b, CTX_CONTROL_WORD, u32::from(c.x87.control));
    put(&mut b, CTX_STATUS_WORD, u32::from(c.x87.status_word()));
    put(&mut b, CTX_TAG_WORD, u32::from(c.x87.tag));
    // SegGs SegFs SegEs SegDs.
    for (i, seg) in [SEG_GS, SEG_FS, SEG_ES, SEG_DS].into_iter().enumerate() {
        put(&mut b, CTX_SEG_GS + 4 * i, u32::from(c.selectors[seg]));
    }
    // Edi Esi Ebx Edx Ecx Eax.
    for (i, r) in [EDI, ESI, EBX, EDX, ECX, EAX].into_iter().enumerate() {
        put(&mut b, CTX_EDI + 4 * i, c.gpr[r]);
    }
    put(&mut b, CTX_EBP, c.gpr[EBP]);
    put(&mut b, CTX_EIP, c.eip);
    put(&mut b, CTX_SEG_CS, u32::from(c.selectors[SEG_CS]));
    put(&mut b, CTX_EFLAGS, c.eflags);
    put(&mut b, CTX_ESP, c.gpr[ESP]);
    put(&mut b, CTX_SEG_SS, u32::from(c.selectors[SEG_SS]));
    b
}

/// The registers a guest CONTEXT at `addr` describes (NtContinue): its control and integer
/// registers, EFLAGS sanitized as NT does; the segments stay flat and the x87 state is
/// `x87` (the state at the exception) or the current one.
pub(super) fn read_context(
    env: &Env<'_>,
    addr: u32,
    current: &X86Context,
    saved: Option<&X86Context>,
) -> Result<X86Context, Fault> {
    let mut b = vec![0u8; CONTEXT_SIZE as usize];
    env.read_bytes(addr, &mut b)?;
    let mut c = current.clone();
    for (i, r) in [EDI, ESI, EBX, EDX, ECX, EAX].into_iter().enumerate() {
        c.gpr[r] = get(&b, CTX_EDI + 4 * i);
    }
    c.gpr[EBP] = get(&b, CTX_EBP);
    c.gpr[ESP] = get(&b, CTX_ESP);
    c.eip = get(&b, CTX_EIP);
    c.eflags = (get(&b, CTX_EFLAGS) & EFLAGS_USER_SANITIZE) | EFLAGS_ALWAYS;
    if let Some(saved) = saved {
        c.x87 = saved.x87.clone();
    }
    Ok(c)
}

/// Points the registers at `function` called with its frame at `call_sp` (NT's
/// ExecuteHandler: eax, ebx, esi and edi cleared; ebp the dispatcher's frame).
pub(super) fn set_call_registers(c: &mut X86Context, function: u32, call_sp: u32) {
    c.gpr = [0; 8];
    c.gpr[ESP] = call_sp;
    c.gpr[EBP] = call_sp.wrapping_add(20);
    c.eip = function;
    c.eflags = (c.eflags & !EFLAGS_DF_TF) | EFLAGS_ALWAYS;
}

/// KiUserExceptionDispatcher: writes the CONTEXT and EXCEPTION_RECORD below the stack
/// pointer and walks the chain.
pub(super) fn dispatch(env: &mut Env<'_>, raise: Raise) -> ServiceOutcome {
    let CpuContext::X86(c) = &raise.context else {
        return ServiceOutcome::ExitProcess(raise.code);
    };
    let context = (c.gpr[ESP] & !3).wrapping_sub(CONTEXT_SIZE);
    let record = context.wrapping_sub(RECORD_SIZE);
    let pointers = record.wrapping_sub(8);
    let frame = pointers.wrapping_sub(16);
    let at = FrameAt {
        context,
        record,
        pointers,
        scratch: frame.wrapping_sub(20),
    };
    let exception = match begin_dispatch(env, &raise, &at, &context_bytes(c), &[record, context]) {
        Ok(exception) => exception,
        Err(outcome) => return outcome,
    };
    let Ok(head) = env.chain_head() else {
        return unhandled(env, &exception);
    };
    walk(
        env,
        Dispatch {
            exception,
            frame,
            next: head,
            current: 0,
            nested: 0,
            visited: 0,
        },
    )
}

/// True when a registration record at `at` lies on the thread's stack and is aligned, as
/// NT checks before calling its handler.
fn valid_record(env: &Env<'_>, at: u32) -> bool {
    let (low, high) = env.stack_limits();
    at >= low && at.checked_add(8).is_some_and(|end| end <= high) && at & 3 == 0
}

fn walk(env: &mut Env<'_>, mut d: Dispatch) -> ServiceOutcome {
    loop {
        d.visited += 1;
        if d.visited > MAXIMUM_FRAMES {
            return unhandled(env, &d.exception);
        }
        let registration = d.next;
        if registration == CHAIN_END {
            return end_of_chain(env, d.exception);
        }
        if !valid_record(env, registration) {
            let _ = update_flags(env, d.exception.record, EXCEPTION_STACK_INVALID, 0);
            return unhandled(env, &d.exception);
        }
        let (Ok(next), Ok(handler)) = (
            env.read_u32(registration),
            env.read_u32(registration.wrapping_add(4)),
        ) else {
            return unhandled(env, &d.exception);
        };
        match handler {
            NESTED_EXCEPTION_THUNK => {
                // The exception was raised inside a handler this frame guards:
                // ExceptionNestedException, naming the frame whose handler was running.
                let establisher = env.read_u32(registration.wrapping_add(8)).unwrap_or(0);
                mark_nested(env, d.exception.record, &mut d.nested, establisher);
                d.next = next;
            }
            COLLIDED_UNWIND_THUNK => d.next = next,
            _ => {
                d.current = registration;
                return call_handler(env, registration, handler, Pending::X86Dispatch(d));
            }
        }
    }
}

/// Calls `handler(ExceptionRecord, EstablisherFrame, ContextRecord, DispatcherContext)` for
/// the registration record `registration` in the walk `pending` (a dispatch or an unwind),
/// with the dispatcher's own registration record ({Next, Handler, EstablisherFrame}, the
/// DispatcherContext after it) linked into fs:[0] around the call: its handler is
/// [`NESTED_EXCEPTION_THUNK`] for a dispatch, [`COLLIDED_UNWIND_THUNK`] for an unwind.
fn call_handler(
    env: &mut Env<'_>,
    registration: u32,
    handler: u32,
    pending: Pending,
) -> ServiceOutcome {
    let (exception, frame, guard) = match &pending {
        Pending::X86Dispatch(d) => (&d.exception, d.frame, NESTED_EXCEPTION_THUNK),
        Pending::X86Unwind(u) => (&u.context, u.frame, COLLIDED_UNWIND_THUNK),
        _ => return pending_failed(env, pending),
    };
    let args = [
        exception.record,
        registration,
        exception.context,
        frame.wrapping_add(12),
    ];
    let call = exception.scratch;
    let linked = env
        .chain_head()
        .and_then(|head| env.write_words(frame, &[head, guard, registration, 0]))
        .and_then(|()| env.set_chain_head(frame));
    if linked.is_err() {
        return pending_failed(env, pending);
    }
    call_guest(env, handler, &args, call, call, pending)
}

/// Unlinks the dispatcher's registration record at `frame` from fs:[0] (ExecuteHandler2's
/// `pop fs:[0]`).
fn unlink_frame(env: &mut Env<'_>, frame: u32) {
    if let Ok(next) = env.read_u32(frame) {
        let _ = env.set_chain_head(next);
    }
}

/// An exception handler returned `disposition`.
pub(super) fn dispatch_returned(
    env: &mut Env<'_>,
    mut d: Dispatch,
    disposition: u32,
) -> ServiceOutcome {
    unlink_frame(env, d.frame);
    // The DispatcherContext names a nested exception's frame.
    let nested_frame_at = d.frame.wrapping_add(12);
    if let Err(outcome) = handler_disposition(
        env,
        &d.exception,
        &mut d.nested,
        d.current,
        disposition,
        nested_frame_at,
    ) {
        return outcome;
    }
    match env.read_u32(d.current) {
        Ok(next) => {
            d.next = next;
            walk(env, d)
        }
        Err(_) => unhandled(env, &d.exception),
    }
}

/// RtlUnwind on x86.
pub(super) fn rtl_unwind(env: &mut Env<'_>, args: [u32; 4]) -> ServiceOutcome {
    // Back in the caller, its four arguments popped (stdcall).
    unwind_for_caller(env, args, 16)
}

/// RtlUnwind's work for the builtin the thread is calling (RtlUnwind itself, or a C runtime
/// helper that unwinds as it does): when the unwind reaches TargetFrame the thread returns
/// to the builtin's caller with `popped` bytes of arguments popped and eax = ReturnValue.
pub(super) fn unwind_for_caller(
    env: &mut Env<'_>,
    [target, _target_ip, record, value]: [u32; 4],
    popped: u32,
) -> ServiceOutcome {
    let Some(CpuContext::X86(mut c)) = env.context() else {
        return ServiceOutcome::Continue;
    };
    let esp = c.gpr[ESP];
    let Ok(caller) = env.read_u32(esp) else {
        return ServiceOutcome::ExitProcess(NtStatus::ACCESS_VIOLATION.0);
    };
    // The context the unwind continues with: back in the caller, the arguments popped,
    // eax = ReturnValue.
    c.eip = caller;
    c.gpr[ESP] = esp.wrapping_add(4).wrapping_add(popped);
    c.gpr[EAX] = value;
    let context = (esp & !3).wrapping_sub(CONTEXT_SIZE);
    let local = context.wrapping_sub(RECORD_SIZE);
    let frame = local.wrapping_sub(16);
    let at = FrameAt {
        context,
        record: local,
        pointers: 0,
        scratch: frame.wrapping_sub(20),
    };
    let bytes = context_bytes(&c);
    let registers = CpuContext::X86(c);
    let exception = match begin_unwind(env, [target, record], &at, registers, caller, Some(&bytes))
    {
        Ok(exception) => exception,
        Err(outcome) => return outcome,
    };
    let Ok(head) = env.chain_head() else {
        return unhandled(env, &exception);
    };
    walk_unwind(
        env,
        Unwind {
            record: exception.record,
            context: exception,
            target,
            frame,
            next: head,
            current: 0,
            caller,
            visited: 0,
        },
    )
}

fn walk_unwind(env: &mut Env<'_>, mut u: Unwind) -> ServiceOutcome {
    loop {
        u.visited += 1;
        if u.visited > MAXIMUM_FRAMES {
            return unhandled(env, &u.context);
        }
        let registration = u.next;
        if registration == u.target {
            // Back in the caller (NtContinue of the captured context).
            return continue_from(env, &u.context);
        }
        if registration == CHAIN_END {
            // An exit unwind ran off the chain: the record is raised again and nothing is
            // left to handle it.
            return unhandled(env, &u.context);
        }
        if u.target != 0 && u.target < registration {
            return raise_status(env, STATUS_INVALID_UNWIND_TARGET, u.record, u.caller);
        }
        if !valid_record(env, registration) {
            return raise_status(env, STATUS_BAD_STACK, u.record, u.caller);
        }
        let (Ok(next), Ok(handler)) = (
            env.read_u32(registration),
            env.read_u32(registration.wrapping_add(4)),
        ) else {
            return unhandled(env, &u.context);
        };
        match handler {
            // A dispatcher's exception-handler frame: passed by an unwind.
            NESTED_EXCEPTION_THUNK => {
                let _ = env.set_chain_head(next);
                u.next = next;
            }
            // Another unwind's handler frame: this unwind collided with it and goes on
            // past the frame that one was unwinding.
            COLLIDED_UNWIND_THUNK => {
                let unwinding = env
                    .read_u32(registration.wrapping_add(8))
                    .unwrap_or(CHAIN_END);
                let Ok(after) = env.read_u32(unwinding) else {
                    return unhandled(env, &u.context);
                };
                let _ = env.set_chain_head(after);
                u.next = after;
            }
            _ => {
                u.current = registration;
                return call_handler(env, registration, handler, Pending::X86Unwind(u));
            }
        }
    }
}

/// An unwind handler returned `disposition`.
pub(super) fn unwind_returned(
    env: &mut Env<'_>,
    mut u: Unwind,
    disposition: u32,
) -> ServiceOutcome {
    unlink_frame(env, u.frame);
    let registration = match disposition {
        DISPOSITION_CONTINUE_SEARCH => u.current,
        DISPOSITION_COLLIDED_UNWIND => env.read_u32(u.frame.wrapping_add(12)).unwrap_or(CHAIN_END),
        _ => return raise_status(env, STATUS_INVALID_DISPOSITION, u.record, u.caller),
    };
    // Unlink the frame just unwound.
    let Ok(next) = env.read_u32(registration) else {
        return unhandled(env, &u.context);
    };
    let _ = env.set_chain_head(next);
    u.next = next;
    walk_unwind(env, u)
}

/// A guest called the handler of one of the dispatcher's own registration records
/// (`handler(ExceptionRecord, EstablisherFrame, ContextRecord, DispatcherContext)`, cdecl):
/// it answers as NT's RtlpExceptionHandler or RtlpUnwindHandler would.
pub(super) fn dispatcher_frame_handler(env: &mut Env<'_>, address: u32) -> ServiceOutcome {
    let Some(process) = env.process() else {
        return ServiceOutcome::Continue;
    };
    let Some(context) = env.context() else {
        return ServiceOutcome::Continue;
    };
    if !matches!(context, CpuContext::X86(_)) {
        return ServiceOutcome::ExitProcess(NtStatus::ILLEGAL_INSTRUCTION.0);
    }
    let space = process.address_space();
    let arg = |n| abi::argument(&context, space, n).unwrap_or(0);
    let (record, frame, dispatcher) = (arg(0), arg(1), arg(3));
    let flags = env.read_u32(record.wrapping_add(4)).unwrap_or(0);
    let unwinding = flags & (EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND) != 0;
    let answer = if (address == NESTED_EXCEPTION_THUNK) == unwinding {
        DISPOSITION_CONTINUE_SEARCH
    } else {
        let establisher = env.read_u32(frame.wrapping_add(8)).unwrap_or(0);
        let _ = env.write_u32(dispatcher, establisher);
        if unwinding {
            DISPOSITION_COLLIDED_UNWIND
        } else {
            DISPOSITION_NESTED_EXCEPTION
        }
    };
    let Some(mut context) = env.context() else {
        return ServiceOutcome::Continue;
    };
    let Some(process) = env.process() else {
        return ServiceOutcome::Continue;
    };
    if abi::return_from_call(
        &mut context,
        process.address_space(),
        abi::ResultValue::Word(answer),
        abi::CallingConvention::Cdecl,
        4,
    )
    .is_err()
    {
        return ServiceOutcome::ExitProcess(NtStatus::ACCESS_VIOLATION.0);
    }
    env.set_context(context);
    ServiceOutcome::Continue
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_context_has_nt_offsets() {
        let c = X86Context {
            gpr: [1, 2, 3, 4, 5, 6, 7, 8],
            eip: 0x0040_1234,
            eflags: 0x0246,
            ..X86Context::default()
        };
        let b = context_bytes(&c);
        assert_eq!(b.len(), 0x2CC);
        assert_eq!(get(&b, 0), CONTEXT_FULL);
        // Edi Esi Ebx Edx Ecx Eax Ebp Eip SegCs EFlags Esp SegSs.
        let words: Vec<u32> = (0..12).map(|i| get(&b, 0x9C + 4 * i)).collect();
        assert_eq!(
            words,
            [8, 7, 4, 3, 2, 1, 6, 0x0040_1234, 0x1B, 0x0246, 5, 0x23]
        );
        assert_eq!(get(&b, 0x90), 0x3B); // SegFs
        assert_eq!(get(&b, CTX_CONTROL_WORD), 0x037F);
    }

    #[test]
    fn continuing_keeps_only_user_eflags() {
        let c = X86Context::default();
        let mut b = context_bytes(&c);
        // IOPL 3, the virtual-8086 flag, and DF, ZF.
        put(&mut b, CTX_EFLAGS, 0x0002_3000 | 0x0440);
        let sanitized = (get(&b, CTX_EFLAGS) & EFLAGS_USER_SANITIZE) | EFLAGS_ALWAYS;
        assert_eq!(sanitized, 0x0642);
    }
}
