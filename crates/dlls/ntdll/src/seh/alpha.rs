//! Alpha exception dispatch and unwinding through the image's .pdata function table, as NT
//! for Alpha's RtlDispatchException and RtlUnwind do it: from the faulting context, each
//! frame's function entry is looked up, its prologue virtually unwound (`alpha_unwind.rs`)
//! to find the establisher frame and the caller's context, and the frame's handler (if any,
//! and if control was past the prologue) is called with ExceptionRecord, EstablisherFrame,
//! ContextRecord and DispatcherContext {ControlPc, FunctionEntry, EstablisherFrame,
//! ContextRecord} in a0-a3.
//!
//! A frame whose return address is [`HANDLER_RETURN_THUNK`] is a handler the dispatcher
//! called (NT's RtlpExecuteHandlerForException frame): the walk goes on from the context of
//! the exception that handler was called for, and an exception dispatch that passes it is a
//! nested one.

use nt_kernel::{
    ALPHA_RA, ALPHA_SP, ALPHA_V0, AlphaContext, CpuContext, ServiceOutcome, THUNK_BASE, sign_extend,
};
use nt_memory::Fault;

use super::alpha_unwind::{RuntimeFunction, lookup_function_entry, unwind_frame};
use super::{
    DISPOSITION_COLLIDED_UNWIND, DISPOSITION_CONTINUE_SEARCH, EXCEPTION_COLLIDED_UNWIND,
    EXCEPTION_STACK_INVALID, EXCEPTION_TARGET_UNWIND, Env, Exception, FrameAt,
    HANDLER_RETURN_THUNK, MAXIMUM_FRAMES, Pending, RECORD_SIZE, Raise, STATUS_BAD_STACK,
    STATUS_INVALID_DISPOSITION, STATUS_INVALID_UNWIND_TARGET, activity_at, begin_dispatch,
    begin_unwind, call_guest, end_of_chain, handler_disposition, mark_nested, raise_status,
    unhandled, update_flags,
};

/// sizeof(CONTEXT) on Alpha.
const CONTEXT_SIZE: u32 = 0x230;
/// CONTEXT_ALPHA | CONTEXT_CONTROL | CONTEXT_FLOATING_POINT | CONTEXT_INTEGER.
const CONTEXT_FULL: u32 = 0x0002_0007;
// CONTEXT field offsets.
const CTX_INTEGER: usize = 0x100;
const CTX_FPCR: usize = 0x200;
const CTX_FIR: usize = 0x210;
const CTX_FLAGS: usize = 0x21C;

/// A dispatch waiting for an exception handler.
pub(super) struct Dispatch {
    pub(super) exception: Exception,
    /// The frame being looked at (NT's ContextRecord1) and where control left it.
    context: AlphaContext,
    control_pc: u32,
    /// The caller's context, once the frame is unwound.
    next: AlphaContext,
    /// The frame whose handler was called.
    establisher: u32,
    /// NestedFrame.
    nested: u32,
    /// The guest DispatcherContext and function entry copy.
    dispatcher: u32,
    entry: u32,
    visited: u32,
}

/// An RtlUnwind waiting for an unwind handler.
pub(super) struct Unwind {
    /// The record the handlers get; its CONTEXT is the frame being unwound.
    pub(super) exception: Exception,
    context: AlphaContext,
    control_pc: u32,
    next: AlphaContext,
    establisher: u32,
    /// The frame pointer of the frame whose handler runs, as matched against `target`.
    frame_key: u32,
    target: u32,
    /// RtlUnwindRfp: `target` is a real frame pointer (sp or the frame register after the
    /// prologue), not the virtual one RtlUnwind takes.
    target_is_real: bool,
    target_ip: u32,
    value: u32,
    dispatcher: u32,
    entry: u32,
    visited: u32,
}

fn put64(buf: &mut [u8], at: usize, value: u64) {
    buf[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

fn get64(buf: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&buf[at..at + 8]);
    u64::from_le_bytes(b)
}

/// The CONTEXT of `c` with Fir = its pc.
fn context_bytes(c: &AlphaContext) -> Vec<u8> {
    let mut b = vec![0u8; CONTEXT_SIZE as usize];
    for i in 0..32 {
        put64(&mut b, 8 * i, c.f[i]);
        put64(&mut b, CTX_INTEGER + 8 * i, c.r[i]);
    }
    put64(&mut b, CTX_INTEGER + 8 * 31, 0);
    put64(&mut b, CTX_FPCR, c.fpcr);
    put64(&mut b, CTX_FIR, c.pc);
    b[CTX_FLAGS..CTX_FLAGS + 4].copy_from_slice(&CONTEXT_FULL.to_le_bytes());
    b
}

/// The registers a guest CONTEXT at `addr` describes (NtContinue): integer and floating
/// registers, FPCR, and the program counter from Fir.
pub(super) fn read_context(
    env: &Env<'_>,
    addr: u32,
    current: &AlphaContext,
) -> Result<AlphaContext, Fault> {
    let mut b = vec![0u8; CONTEXT_SIZE as usize];
    env.read_bytes(addr, &mut b)?;
    let mut c = current.clone();
    for i in 0..32 {
        c.f[i] = get64(&b, 8 * i);
        c.r[i] = get64(&b, CTX_INTEGER + 8 * i);
    }
    c.r[31] = 0;
    c.f[31] = 0;
    c.fpcr = get64(&b, CTX_FPCR);
    c.pc = sign_extend(get64(&b, CTX_FIR) as u32);
    c.lock_flag = false;
    Ok(c)
}

/// Points the registers at `function(arguments...)` with sp `call_sp`, pv = the function and
/// ra = [`HANDLER_RETURN_THUNK`].
pub(super) fn set_call_registers(
    c: &mut AlphaContext,
    function: u32,
    arguments: &[u32],
    call_sp: u32,
) {
    for (i, &a) in arguments.iter().take(6).enumerate() {
        c.r[nt_kernel::ALPHA_A0 + i] = sign_extend(a);
    }
    c.r[ALPHA_RA] = sign_extend(HANDLER_RETURN_THUNK);
    c.r[nt_kernel::ALPHA_PV] = sign_extend(function);
    c.r[ALPHA_SP] = sign_extend(call_sp);
    c.pc = sign_extend(function);
}

/// The exception frame's layout below `sp`: (CONTEXT, record, EXCEPTION_POINTERS and
/// handler stack pointer, DispatcherContext, function entry copy).
fn layout(sp: u32) -> (FrameAt, u32, u32) {
    let context = (sp & !15).wrapping_sub(CONTEXT_SIZE);
    let record = context.wrapping_sub(RECORD_SIZE);
    let pointers = record.wrapping_sub(16);
    let dispatcher = pointers.wrapping_sub(16);
    let entry = dispatcher.wrapping_sub(32);
    let scratch = entry.wrapping_sub(64);
    let at = FrameAt {
        context,
        record,
        pointers,
        scratch,
    };
    (at, dispatcher, entry)
}

/// KiUserExceptionDispatcher: writes the CONTEXT and EXCEPTION_RECORD below sp and walks
/// the frames from the faulting one.
pub(super) fn dispatch(env: &mut Env<'_>, raise: Raise) -> ServiceOutcome {
    let CpuContext::Alpha(c) = &raise.context else {
        return ServiceOutcome::ExitProcess(raise.code);
    };
    let (at, dispatcher, entry) = layout(c.r[ALPHA_SP] as u32);
    let pointers = [at.record, at.context, 0, 0];
    let exception = match begin_dispatch(env, &raise, &at, &context_bytes(c), &pointers) {
        Ok(exception) => exception,
        Err(outcome) => return outcome,
    };
    let control_pc = c.pc as u32;
    walk(
        env,
        Dispatch {
            exception,
            context: (**c).clone(),
            control_pc,
            next: (**c).clone(),
            establisher: 0,
            nested: 0,
            dispatcher,
            entry,
            visited: 0,
        },
    )
}

/// One frame unwound: the caller's context and what the unwinder found.
struct Frame {
    entry: Option<RuntimeFunction>,
    next: AlphaContext,
    establisher: u32,
    /// EstablisherFrame.Real (the virtual frame for a leaf function).
    real: u32,
    in_function: bool,
}

/// Looks `control_pc`'s function up and unwinds its frame from `context`.
fn unwind(env: &Env<'_>, context: &AlphaContext, control_pc: u32) -> Option<Frame> {
    let process = env.process()?;
    let entry = lookup_function_entry(process, control_pc);
    let mut next = context.clone();
    next.pc = sign_extend(control_pc);
    let unwound = unwind_frame(process.address_space(), entry.as_ref(), &mut next).ok()?;
    Some(Frame {
        entry,
        next,
        establisher: unwound.establisher_frame,
        real: if entry.is_some() {
            unwound.real_frame
        } else {
            unwound.establisher_frame
        },
        in_function: unwound.in_function,
    })
}

/// Where the walk goes after a frame whose caller's context is `next`: that caller, or
/// across a handler call frame to the context that handler was called for. None: the walk
/// cannot go on. The third value is the establisher frame of a dispatch whose handler frame
/// was crossed (the exception is a nested one).
fn step(
    env: &mut Env<'_>,
    control_pc: u32,
    next: &AlphaContext,
    leaf: bool,
) -> Option<(AlphaContext, u32, Option<u32>)> {
    let ra = next.pc as u32;
    if ra == HANDLER_RETURN_THUNK {
        let sp = next.r[ALPHA_SP] as u32;
        let activity = activity_at(env, sp)?;
        let (context, nested) = match &activity.pending {
            Pending::AlphaDispatch(d) => (d.exception.context, Some(d.establisher)),
            Pending::TopLevelFilter(e) => (e.context, None),
            Pending::AlphaUnwind(u) => return Some((u.context.clone(), u.control_pc, None)),
            Pending::ApiFilter {
                resume: CpuContext::Alpha(c),
                ..
            } => {
                let pc = c.pc as u32;
                return Some((c.as_ref().clone(), pc.wrapping_sub(4), None));
            }
            _ => return None,
        };
        let c = read_context(env, context, next).ok()?;
        let pc = c.pc as u32;
        return Some((c, pc, nested));
    }
    if ra >= THUNK_BASE {
        // The thread's start routine returns to the exit thunk: no frame is beyond.
        return Some((next.clone(), ra, None));
    }
    if leaf && ra.wrapping_sub(4) == control_pc {
        // A leaf that returns to itself: the chain is broken.
        return None;
    }
    Some((next.clone(), ra.wrapping_sub(4), None))
}

fn frame_invalid(env: &Env<'_>, frame: u32) -> bool {
    let (low, high) = env.stack_limits();
    frame < low || frame > high || frame & 0xF != 0
}

/// Writes a DispatcherContext and the function entry it points at.
fn write_dispatcher(
    env: &mut Env<'_>,
    dispatcher: u32,
    entry_at: u32,
    control_pc: u32,
    entry: &RuntimeFunction,
    establisher: u32,
    context: u32,
) -> Result<(), Fault> {
    env.write_words(
        entry_at,
        &[
            entry.begin,
            entry.end,
            entry.handler,
            entry.handler_data,
            entry.prolog_end,
        ],
    )?;
    env.write_words(dispatcher, &[control_pc, entry_at, establisher, context])
}

fn walk(env: &mut Env<'_>, mut d: Dispatch) -> ServiceOutcome {
    loop {
        d.visited += 1;
        if d.visited > MAXIMUM_FRAMES {
            return unhandled(env, &d.exception);
        }
        let (_, high) = env.stack_limits();
        let pc = d.control_pc;
        if d.context.r[ALPHA_SP] as u32 >= high || pc >= THUNK_BASE {
            return end_of_chain(env, d.exception);
        }
        let Some(frame) = unwind(env, &d.context, pc) else {
            return unhandled(env, &d.exception);
        };
        if let Some(entry) = frame.entry {
            if frame_invalid(env, frame.establisher) {
                let _ = update_flags(env, d.exception.record, EXCEPTION_STACK_INVALID, 0);
                return unhandled(env, &d.exception);
            }
            if let (Some(handler), true) = (entry.handler_address(), frame.in_function) {
                if write_dispatcher(
                    env,
                    d.dispatcher,
                    d.entry,
                    pc,
                    &entry,
                    frame.establisher,
                    d.exception.context,
                )
                .is_err()
                {
                    return unhandled(env, &d.exception);
                }
                d.establisher = frame.establisher;
                let args = [
                    d.exception.record,
                    frame.establisher,
                    d.exception.context,
                    d.dispatcher,
                ];
                let call = d.exception.scratch;
                d.next = frame.next;
                return call_guest(env, handler, &args, call, call, Pending::AlphaDispatch(d));
            }
        }
        if !advance(env, &mut d, pc, &frame.next, frame.entry.is_none()) {
            return unhandled(env, &d.exception);
        }
    }
}

/// Moves a dispatch to the caller of the frame just looked at (at `pc`; its caller's
/// context `next`; `leaf`: it has no function entry).
fn advance(env: &mut Env<'_>, d: &mut Dispatch, pc: u32, next: &AlphaContext, leaf: bool) -> bool {
    let Some((context, control_pc, nested)) = step(env, pc, next, leaf) else {
        return false;
    };
    if let Some(establisher) = nested {
        // The exception was raised inside a handler: ExceptionNestedException.
        mark_nested(env, d.exception.record, &mut d.nested, establisher);
    }
    d.context = context;
    d.control_pc = control_pc;
    true
}

/// An exception handler returned `disposition`.
pub(super) fn dispatch_returned(
    env: &mut Env<'_>,
    mut d: Dispatch,
    disposition: u32,
) -> ServiceOutcome {
    // The DispatcherContext's EstablisherFrame names a nested exception's frame.
    let nested_frame_at = d.dispatcher.wrapping_add(8);
    if let Err(outcome) = handler_disposition(
        env,
        &d.exception,
        &mut d.nested,
        d.establisher,
        disposition,
        nested_frame_at,
    ) {
        return outcome;
    }
    let pc = d.control_pc;
    let next = d.next.clone();
    if !advance(env, &mut d, pc, &next, false) {
        return unhandled(env, &d.exception);
    }
    walk(env, d)
}

/// RtlUnwind on Alpha (`target_is_real`: RtlUnwindRfp, whose target frame is a real frame
/// pointer).
pub(super) fn rtl_unwind(
    env: &mut Env<'_>,
    [target, target_ip, record, value]: [u32; 4],
    target_is_real: bool,
) -> ServiceOutcome {
    let Some(CpuContext::Alpha(c)) = env.context() else {
        return ServiceOutcome::Continue;
    };
    // The caller's context, as if RtlUnwind had returned.
    let mut caller = (*c).clone();
    caller.pc = c.r[ALPHA_RA];
    let control_pc = (caller.pc as u32).wrapping_sub(4);
    let (at, dispatcher, entry) = layout(c.r[ALPHA_SP] as u32);
    // The CONTEXT is written for each handler, with the frame it unwinds.
    let registers = CpuContext::Alpha(c.clone());
    let exception = match begin_unwind(env, [target, record], &at, registers, control_pc, None) {
        Ok(exception) => exception,
        Err(outcome) => return outcome,
    };
    walk_unwind(
        env,
        Unwind {
            exception,
            next: caller.clone(),
            context: caller,
            control_pc,
            establisher: 0,
            frame_key: 0,
            target,
            target_is_real,
            target_ip,
            value,
            dispatcher,
            entry,
            visited: 0,
        },
    )
}

fn walk_unwind(env: &mut Env<'_>, mut u: Unwind) -> ServiceOutcome {
    loop {
        u.visited += 1;
        if u.visited > MAXIMUM_FRAMES {
            return unhandled(env, &u.exception);
        }
        let (_, high) = env.stack_limits();
        let pc = u.control_pc;
        if u.context.r[ALPHA_SP] as u32 >= high || pc >= THUNK_BASE {
            // An exit unwind (or a target not on the stack) ran off the stack.
            return unhandled(env, &u.exception);
        }
        let Some(frame) = unwind(env, &u.context, pc) else {
            return unhandled(env, &u.exception);
        };
        let record = u.exception.record;
        if frame.entry.is_some() && frame_invalid(env, frame.establisher) {
            return raise_status(env, STATUS_BAD_STACK, record, pc);
        }
        let key = if u.target_is_real {
            frame.real
        } else {
            frame.establisher
        };
        if u.target != 0 && key > u.target {
            return raise_status(env, STATUS_INVALID_UNWIND_TARGET, record, pc);
        }
        if let (Some(entry), true) = (frame.entry, frame.in_function)
            && let Some(handler) = entry.handler_address()
        {
            let target = if key == u.target {
                EXCEPTION_TARGET_UNWIND
            } else {
                0
            };
            let context_at = u.exception.context;
            let mut current = u.context.clone();
            current.pc = sign_extend(pc);
            let ready = update_flags(env, record, target, 0)
                .and_then(|_| env.write_bytes(context_at, &context_bytes(&current)))
                .and_then(|()| {
                    write_dispatcher(
                        env,
                        u.dispatcher,
                        u.entry,
                        pc,
                        &entry,
                        frame.establisher,
                        context_at,
                    )
                });
            if ready.is_err() {
                return unhandled(env, &u.exception);
            }
            u.establisher = frame.establisher;
            u.frame_key = key;
            u.next = frame.next;
            let args = [record, u.establisher, context_at, u.dispatcher];
            let call = u.exception.scratch;
            return call_guest(env, handler, &args, call, call, Pending::AlphaUnwind(u));
        }
        let leaf = frame.entry.is_none();
        if let Some(outcome) = after_frame(env, &mut u, pc, key, &frame.next, leaf) {
            return outcome;
        }
    }
}

/// Finishes a frame of an unwind (at `pc`, its frame pointer as matched against the target
/// `frame_key`, its caller's context `next`; `leaf`: it has no function entry): at the
/// target, continues at TargetIp; otherwise moves to the caller. Some when the unwind is
/// over.
fn after_frame(
    env: &mut Env<'_>,
    u: &mut Unwind,
    pc: u32,
    frame_key: u32,
    next: &AlphaContext,
    leaf: bool,
) -> Option<ServiceOutcome> {
    if frame_key == u.target {
        let mut c = u.context.clone();
        c.r[ALPHA_V0] = sign_extend(u.value);
        c.pc = sign_extend(u.target_ip);
        env.set_context(CpuContext::Alpha(Box::new(c)));
        return Some(ServiceOutcome::Continue);
    }
    let stepped = step(env, pc, next, leaf);
    let Some((context, control_pc, _)) = stepped else {
        return Some(unhandled(env, &u.exception));
    };
    u.context = context;
    u.control_pc = control_pc;
    None
}

/// An unwind handler returned `disposition`.
pub(super) fn unwind_returned(
    env: &mut Env<'_>,
    mut u: Unwind,
    disposition: u32,
) -> ServiceOutcome {
    let record = u.exception.record;
    let _ = update_flags(
        env,
        record,
        0,
        EXCEPTION_TARGET_UNWIND | EXCEPTION_COLLIDED_UNWIND,
    );
    if disposition != DISPOSITION_CONTINUE_SEARCH && disposition != DISPOSITION_COLLIDED_UNWIND {
        return raise_status(env, STATUS_INVALID_DISPOSITION, record, u.control_pc);
    }
    let pc = u.control_pc;
    let next = u.next.clone();
    let frame_key = u.frame_key;
    if let Some(outcome) = after_frame(env, &mut u, pc, frame_key, &next, false) {
        return outcome;
    }
    walk_unwind(env, u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_context_has_nt_offsets() {
        let mut c = AlphaContext::default();
        for i in 0..32 {
            c.r[i] = 0x100 + i as u64;
            c.f[i] = 0x200 + i as u64;
        }
        c.pc = sign_extend(0x0040_2000);
        c.fpcr = 0x0800_0000_0000_0000;
        let b = context_bytes(&c);
        assert_eq!(b.len(), 0x230);
        assert_eq!(get64(&b, 0), 0x200); // FltF0
        assert_eq!(get64(&b, 0x100), 0x100); // IntV0
        assert_eq!(get64(&b, 0x100 + 8 * 30), 0x100 + 30); // IntSp
        assert_eq!(get64(&b, 0x1F8), 0); // IntZero
        assert_eq!(get64(&b, 0x200), 0x0800_0000_0000_0000); // Fpcr
        assert_eq!(get64(&b, 0x210), 0x0040_2000); // Fir
        assert_eq!(
            u32::from_le_bytes([b[0x21C], b[0x21D], b[0x21E], b[0x21F]]),
            CONTEXT_FULL
        );
    }
}
