//! Calling guest code (window procedures, timer procedures, enumeration callbacks) from a
//! USER32 function and coming back, on x86 and Alpha alike.
//!
//! A function that needs guest code runs as a chain of [`Step`]s: [`Step::Call`] sends the
//! thread to a guest routine whose return address is [`WNDPROC_RETURN_THUNK`], with a
//! continuation that gets the routine's result and says what comes next. The thread's
//! registers at the function's entry are kept with the continuation (an activation), so that
//! each call starts from the same stack, the function returns to its caller from them
//! ([`Step::Return`]), or runs again from its start ([`Step::Again`], [`Step::Wait`]: after a
//! wait, as blocking calls like GetMessage do). Activations nest: a window procedure that
//! calls SendMessage starts one inside another.
//!
//! Each activation has a scratch area of [`SCRATCH`] bytes just below its caller's stack
//! pointer, where structures passed to the guest (CREATESTRUCT, MINMAXINFO, WINDOWPOS...)
//! live; the guest routine's frame goes below it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use nt_kernel::{ALPHA_A0, ALPHA_PV, ALPHA_RA, ALPHA_SP, CpuContext, ServiceOutcome, X86_ESP};
use nt_object::{Object, WaitType};
use nt_status::NtStatus;
use win32::abi::{CallingConvention, ResultValue, return_from_call};
use win32::{ApiCall, ApiReturn};

/// Where a guest routine USER32 called returns to.
pub const WNDPROC_RETURN_THUNK: u32 = nt_kernel::THUNK_BASE + 0x70;

/// Bytes of scratch space below the caller's stack pointer.
pub const SCRATCH: u32 = 0x200;

/// What runs when a guest routine returns: its result in, the next step out.
pub type Then = Box<dyn FnOnce(&mut ApiCall<'_>, u32) -> Step + Send>;

/// What a USER32 function does next.
pub enum Step {
    /// Return this value to the function's caller.
    Return(u32),
    /// Call `function(args...)` (stdcall; at most six arguments), then `then`.
    Call {
        /// The guest routine.
        function: u32,
        /// Its arguments.
        args: Vec<u32>,
        /// What runs on its return.
        then: Then,
    },
    /// Run the function again from its start, at once.
    Again,
    /// Run the function again from its start once one of `objects` is signalled or
    /// `timeout` passes.
    Wait {
        /// The objects.
        objects: Vec<Arc<Object>>,
        /// None waits forever.
        timeout: Option<Duration>,
    },
}

impl Step {
    /// A call of `function(args)` followed by `then`.
    pub fn call(
        function: u32,
        args: Vec<u32>,
        then: impl FnOnce(&mut ApiCall<'_>, u32) -> Step + Send + 'static,
    ) -> Step {
        Step::Call {
            function,
            args,
            then: Box::new(then),
        }
    }
}

/// One USER32 function waiting for a guest routine to return.
struct Activation {
    /// The thread's registers at the function's entry.
    saved: CpuContext,
    /// The function's argument count (popped on return, x86).
    params: u32,
    /// What runs next.
    then: Then,
}

/// The activations of each thread, innermost last.
#[derive(Default)]
struct Activations(BTreeMap<(u32, u32), Vec<Activation>>);

/// The stack pointer of a context (esp, sp).
fn stack_pointer(context: &CpuContext) -> u32 {
    match context {
        CpuContext::X86(c) => c.gpr[X86_ESP],
        CpuContext::Alpha(c) => c.r[ALPHA_SP] as u32,
    }
}

/// Where the scratch area of a function entered with `context` is.
fn scratch_in(context: &CpuContext) -> u32 {
    (stack_pointer(context).wrapping_sub(SCRATCH)) & !15
}

/// The calling thread's registers.
fn context_of(call: &ApiCall<'_>) -> Option<CpuContext> {
    call.process()
        .and_then(|p| p.thread(call.thread.thread))
        .map(|t| t.context().clone())
}

/// The scratch area of the function being called (at its entry).
pub fn scratch(call: &ApiCall<'_>) -> u32 {
    context_of(call).map(|c| scratch_in(&c)).unwrap_or(0)
}

/// The calling thread's stack pointer at the function's entry (tells a call apart from a
/// nested one).
pub fn entry_stack(call: &ApiCall<'_>) -> u32 {
    context_of(call).map(|c| stack_pointer(&c)).unwrap_or(0)
}

/// Sets the thread's registers to `saved` with the thread sent to `function(args)`,
/// returning to [`WNDPROC_RETURN_THUNK`]. False when the frame cannot be written.
fn enter(call: &mut ApiCall<'_>, saved: &CpuContext, function: u32, args: &[u32]) -> bool {
    let tid = call.thread.thread;
    let base = scratch_in(saved);
    let mut context = saved.clone();
    match &mut context {
        CpuContext::X86(c) => {
            let frame = base.wrapping_sub(4 * (args.len() as u32 + 1));
            let bytes: Vec<u8> = std::iter::once(WNDPROC_RETURN_THUNK)
                .chain(args.iter().copied())
                .flat_map(|w| w.to_le_bytes())
                .collect();
            if call.write_bytes(frame, &bytes).is_err() {
                return false;
            }
            c.gpr[X86_ESP] = frame;
            c.eip = function;
        }
        CpuContext::Alpha(c) => {
            if args.len() > 6 {
                return false;
            }
            for (i, &a) in args.iter().enumerate() {
                c.r[ALPHA_A0 + i] = nt_kernel::sign_extend(a);
            }
            c.r[ALPHA_SP] = nt_kernel::sign_extend(base);
            c.r[ALPHA_RA] = nt_kernel::sign_extend(WNDPROC_RETURN_THUNK);
            c.r[ALPHA_PV] = nt_kernel::sign_extend(function);
            c.pc = nt_kernel::sign_extend(function);
        }
    }
    let Some(t) = call.process_mut().and_then(|p| p.thread_mut(tid)) else {
        return false;
    };
    *t.context_mut() = context;
    true
}

/// Files an activation of the calling thread, dropping any left by an earlier call at or
/// below the same stack (guest code that unwound past a USER32 function abandons it).
fn push(call: &mut ApiCall<'_>, activation: Activation) {
    let key = (call.thread.process, call.thread.thread);
    let sp = stack_pointer(&activation.saved);
    let stack = call.state.get::<Activations>().0.entry(key).or_default();
    stack.retain(|a| stack_pointer(&a.saved) > sp);
    stack.push(activation);
}

/// Runs the first step of a USER32 function of `params` arguments.
pub fn run(call: &mut ApiCall<'_>, params: u32, step: Step) -> ApiReturn {
    match step {
        Step::Return(v) => ApiReturn::Value(v),
        Step::Again => ApiReturn::Retry {
            objects: Vec::new(),
            timeout: Some(Duration::ZERO),
        },
        Step::Wait { objects, timeout } => ApiReturn::Retry { objects, timeout },
        Step::Call {
            function,
            args,
            then,
        } => {
            let Some(saved) = context_of(call) else {
                return ApiReturn::Value(0);
            };
            if !enter(call, &saved, function, &args) {
                return call.fail(NtStatus::ACCESS_VIOLATION);
            }
            push(
                call,
                Activation {
                    saved,
                    params,
                    then,
                },
            );
            ApiReturn::Resumed
        }
    }
}

/// Carries out a step of an activation whose function was entered with `saved`.
fn resume(call: &mut ApiCall<'_>, saved: CpuContext, params: u32, step: Step) -> ServiceOutcome {
    let tid = call.thread.thread;
    let fault = ServiceOutcome::ExitProcess(NtStatus::ACCESS_VIOLATION.0);
    match step {
        Step::Call {
            function,
            args,
            then,
        } => {
            if !enter(call, &saved, function, &args) {
                return fault;
            }
            push(
                call,
                Activation {
                    saved,
                    params,
                    then,
                },
            );
            ServiceOutcome::Continue
        }
        Step::Return(value) => {
            let Some(process) = call.process_mut() else {
                return fault;
            };
            let (space, thread) = process.space_and_thread(tid);
            let Some(t) = thread else {
                return fault;
            };
            let mut context = saved;
            if return_from_call(
                &mut context,
                space,
                ResultValue::Word(value),
                CallingConvention::Stdcall,
                params as usize,
            )
            .is_err()
            {
                return fault;
            }
            *t.context_mut() = context;
            ServiceOutcome::Continue
        }
        Step::Again | Step::Wait { .. } => {
            let Some(t) = call.process_mut().and_then(|p| p.thread_mut(tid)) else {
                return fault;
            };
            *t.context_mut() = saved;
            match step {
                Step::Wait { objects, timeout } => ServiceOutcome::Wait {
                    objects,
                    wait_type: WaitType::Any,
                    timeout,
                },
                _ => ServiceOutcome::Continue,
            }
        }
    }
}

/// A guest routine returned to [`WNDPROC_RETURN_THUNK`]: its activation goes on. None for
/// any other address.
pub(crate) fn thunk(call: &mut ApiCall<'_>, address: u32) -> Option<ServiceOutcome> {
    if address != WNDPROC_RETURN_THUNK {
        return None;
    }
    let key = (call.thread.process, call.thread.thread);
    let result = context_of(call)?.return_value();
    let all = &mut call.state.get::<Activations>().0;
    let Some(activation) = all.get_mut(&key).and_then(Vec::pop) else {
        return Some(ServiceOutcome::ExitProcess(NtStatus::ACCESS_VIOLATION.0));
    };
    if all.get(&key).is_some_and(Vec::is_empty) {
        all.remove(&key);
    }
    // The continuation sees the registers the function was entered with, as the function
    // itself did: its scratch area and entry stack are the same (a nested function's
    // SendMessage or CreateWindow run from here uses them).
    if let Some(t) = call.process_mut().and_then(|p| p.thread_mut(key.1)) {
        *t.context_mut() = activation.saved.clone();
    }
    let step = (activation.then)(call, result);
    Some(resume(call, activation.saved, activation.params, step))
}
