//! The x86 structured-exception helpers MSVC-compiled code calls: `_except_handler3` (the
//! handler of every function with `__try`), `_local_unwind2` (runs a frame's `__finally`
//! blocks), `_global_unwind2` (RtlUnwind to a frame) and `_abnormal_termination`.
//!
//! A function with `__try` links an EH3 registration record at `ebp - 0x10` into fs:[0]:
//! {Next, Handler = _except_handler3, ScopeTable, TryLevel}, then `ebp` (the record + 0x10);
//! below it `[ebp - 0x14]` holds the EXCEPTION_POINTERS its filters read and `[ebp - 0x18]`
//! the stack pointer its `__except` blocks restore. The scope table has one entry of 12 bytes
//! per `__try`: {EnclosingLevel, Filter (NULL for a `__finally`), Handler}; TryLevel is the
//! entry in force (-1: none).
//!
//! The guest code these helpers call (filters, `__finally` and `__except` blocks) runs on the
//! guest thread through the C runtime's callback machinery, with ebp the frame's; each helper
//! returns with the caller's ebx, esi, edi and ebp, as the real ones save and restore them.
//! `_local_unwind2` links a registration record of its own around the `__finally` blocks it
//! calls ({Next, its handler, the level being unwound, the EH3 record}), as msvcrt does: an
//! unwind that collides with it goes on past it, and `_abnormal_termination` recognises it.

use nt_kernel::{CpuContext, teb};

use super::{DLL, Pending, Step, value};
use win32::{ApiCall, ApiReturn, Ptr, export};

/// TRYLEVEL_NONE.
const NONE: u32 = 0xFFFF_FFFF;
/// TRYLEVEL_INVALID: `_local_unwind2`'s record before it unwinds a level.
const INVALID: u32 = 0xFFFF_FFFE;
/// EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND.
const UNWIND_CONTEXT: u32 = 0x6;
/// Dispositions.
const CONTINUE_EXECUTION: u32 = 0;
const CONTINUE_SEARCH: u32 = 1;
const COLLIDED_UNWIND: u32 = 3;
/// The export name of `_local_unwind2`'s registration handler (not a real msvcrt export).
const UNWIND_HANDLER: &str = "__ntemu_crt_unwind_handler";

/// The x86 registers a helper returns with: ebx, esi, edi, ebp.
fn callee_saved(call: &ApiCall<'_>) -> Option<[u32; 4]> {
    let p = call.process()?;
    match p.thread(call.thread.thread)?.context() {
        CpuContext::X86(c) => Some([c.gpr[3], c.gpr[6], c.gpr[7], c.gpr[5]]),
        CpuContext::Alpha(_) => None,
    }
}

/// The stack pointer at the helper's call (where its return address is).
fn caller_esp(call: &ApiCall<'_>) -> u32 {
    call.process()
        .and_then(|p| p.thread(call.thread.thread))
        .map_or(0, |t| t.context().stack_pointer())
}

fn read(call: &ApiCall<'_>, at: u32) -> u32 {
    call.read_u32(at).unwrap_or(0)
}

/// fs:[0], the head of the thread's registration chain.
fn chain_head(call: &ApiCall<'_>) -> u32 {
    read(call, call.teb().wrapping_add(teb::offsets::EXCEPTION_LIST))
}

fn set_chain_head(call: &mut ApiCall<'_>, value: u32) {
    let at = call.teb().wrapping_add(teb::offsets::EXCEPTION_LIST);
    let _ = call.write_u32(at, value);
}

/// A thunk of the C runtime's (0 when there is none).
fn thunk(call: &ApiCall<'_>, name: &str) -> u32 {
    call.builtins.implemented(DLL.name, name).unwrap_or(0)
}

/// Where `_except_handler3` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Eh3Stage {
    /// Looking for a filter from `level` outwards.
    Scan,
    /// A filter was called.
    Filter,
    /// `_global_unwind2` was called (the filter chose this frame's `__except`).
    GlobalUnwind,
    /// `_local_unwind2` was called for this frame's inner levels; the `__except` block is
    /// next.
    LocalUnwind,
    /// An unwind passes through the frame: `_local_unwind2(frame, -1)` is next.
    BeginUnwind,
    /// `_local_unwind2(frame, -1)` was called.
    Unwinding,
}

/// `_except_handler3` in progress.
pub(super) struct Eh3 {
    /// The EH3 registration record (EstablisherFrame).
    xr: u32,
    /// The caller's ebx, esi, edi, ebp.
    registers: [u32; 4],
    /// The scope-table entry being looked at.
    level: u32,
    stage: Eh3Stage,
}

impl Eh3 {
    /// The scope-table entry of `level`.
    fn entry(&self, call: &ApiCall<'_>, level: u32) -> u32 {
        read(call, self.xr.wrapping_add(8)).wrapping_add(12u32.wrapping_mul(level))
    }

    /// The next step, `result` being what the guest function last called returned.
    pub(super) fn advance(&mut self, call: &mut ApiCall<'_>, result: Option<u32>) -> Step {
        let frame_ebp = self.xr.wrapping_add(0x10);
        match self.stage {
            Eh3Stage::BeginUnwind => {
                self.stage = Eh3Stage::Unwinding;
                return Step::CallFramed(
                    thunk(call, "_local_unwind2"),
                    vec![self.xr, NONE],
                    frame_ebp,
                );
            }
            Eh3Stage::Unwinding => return Step::DoneRestoring(CONTINUE_SEARCH, self.registers),
            Eh3Stage::Filter => {
                let r = result.unwrap_or(0);
                if r == 0 {
                    self.level = read(call, self.entry(call, self.level));
                    self.stage = Eh3Stage::Scan;
                } else if (r as i32) < 0 {
                    return Step::DoneRestoring(CONTINUE_EXECUTION, self.registers);
                } else {
                    self.stage = Eh3Stage::GlobalUnwind;
                    return Step::Call(thunk(call, "_global_unwind2"), vec![self.xr]);
                }
            }
            Eh3Stage::GlobalUnwind => {
                self.stage = Eh3Stage::LocalUnwind;
                return Step::CallFramed(
                    thunk(call, "_local_unwind2"),
                    vec![self.xr, self.level],
                    frame_ebp,
                );
            }
            Eh3Stage::LocalUnwind => {
                let entry = self.entry(call, self.level);
                let enclosing = read(call, entry);
                let _ = call.write_u32(self.xr.wrapping_add(12), enclosing);
                return Step::Jump {
                    eip: read(call, entry.wrapping_add(8)),
                    ebp: frame_ebp,
                };
            }
            Eh3Stage::Scan => {}
        }
        // Scan: the innermost level with a filter, outwards.
        for _ in 0..0x1_0000 {
            if self.level == NONE {
                break;
            }
            let entry = self.entry(call, self.level);
            let filter = read(call, entry.wrapping_add(4));
            if filter != 0 {
                self.stage = Eh3Stage::Filter;
                return Step::CallFramed(filter, Vec::new(), frame_ebp);
            }
            self.level = read(call, entry);
        }
        Step::DoneRestoring(CONTINUE_SEARCH, self.registers)
    }
}

/// _except_handler3(ExceptionRecord, EstablisherFrame, ContextRecord, DispatcherContext):
/// for an exception, the filters of the frame's enclosing `__try` levels from the current
/// one outwards, each called with ebp the frame's and `[ebp-0x14]` the EXCEPTION_POINTERS:
/// EXCEPTION_CONTINUE_SEARCH (0) tries the next, EXCEPTION_CONTINUE_EXECUTION (-1) returns
/// ExceptionContinueExecution, EXCEPTION_EXECUTE_HANDLER (1) unwinds the frames below
/// (`_global_unwind2`) and this frame's inner levels (`_local_unwind2`) and enters the
/// `__except` block, which never returns here. No filter taking it: ExceptionContinueSearch.
/// During an unwind: `_local_unwind2(frame, -1)` (every `__finally`), then
/// ExceptionContinueSearch.
#[export(cdecl)]
fn _except_handler3(
    call: &mut ApiCall<'_>,
    ExceptionRecord: Ptr,
    EstablisherFrame: Ptr,
    ContextRecord: Ptr,
    DispatcherContext: Ptr,
) -> ApiReturn {
    let _ = DispatcherContext;
    let Some(registers) = callee_saved(call) else {
        return value(CONTINUE_SEARCH);
    };
    let xr = EstablisherFrame.0;
    let flags = read(call, ExceptionRecord.0.wrapping_add(4));
    let mut eh3 = Eh3 {
        xr,
        registers,
        level: read(call, xr.wrapping_add(12)),
        stage: Eh3Stage::Scan,
    };
    if flags & UNWIND_CONTEXT != 0 {
        eh3.stage = Eh3Stage::BeginUnwind;
        return super::start(call, Pending::Eh3(eh3));
    }
    // The EXCEPTION_POINTERS the filters read through [ebp-0x14], in the helper's own frame.
    let pointers = caller_esp(call).wrapping_sub(16);
    let _ = call.write_u32(pointers, ExceptionRecord.0);
    let _ = call.write_u32(pointers.wrapping_add(4), ContextRecord.0);
    let _ = call.write_u32(xr.wrapping_sub(4), pointers);
    super::start(call, Pending::Eh3(eh3))
}

/// `_local_unwind2` in progress.
pub(super) struct LocalUnwind {
    /// The EH3 registration record.
    xr: u32,
    /// The level to stop at (-1: all).
    stop: u32,
    /// `_local_unwind2`'s own registration record.
    registration: u32,
    /// The caller's ebx, esi, edi, ebp (the `__finally` blocks run with that ebp).
    registers: [u32; 4],
}

impl LocalUnwind {
    /// The next step: the next `__finally` block to call, or the end.
    pub(super) fn advance(&mut self, call: &mut ApiCall<'_>) -> Step {
        for _ in 0..0x1_0000 {
            let level = read(call, self.xr.wrapping_add(12));
            if level == NONE || level == self.stop {
                break;
            }
            let entry = read(call, self.xr.wrapping_add(8)).wrapping_add(12u32.wrapping_mul(level));
            let enclosing = read(call, entry);
            let _ = call.write_u32(self.registration.wrapping_add(8), enclosing);
            let _ = call.write_u32(self.xr.wrapping_add(12), enclosing);
            if read(call, entry.wrapping_add(4)) == 0 {
                let handler = read(call, entry.wrapping_add(8));
                return Step::CallFramed(handler, Vec::new(), self.registers[3]);
            }
        }
        // Unlink the record.
        let next = read(call, self.registration);
        set_chain_head(call, next);
        Step::DoneRestoring(0, self.registers)
    }
}

/// _local_unwind2(frame, stop): calls the `__finally` blocks of the EH3 frame's levels from
/// its current TryLevel outwards until `stop` (-1: all), each with the caller's ebp, setting
/// TryLevel to the enclosing level before each; its own registration record is linked into
/// fs:[0] meanwhile.
#[export(cdecl)]
fn _local_unwind2(call: &mut ApiCall<'_>, frame: Ptr, stop: u32) -> ApiReturn {
    let Some(registers) = callee_saved(call) else {
        return value(0);
    };
    let registration = caller_esp(call).wrapping_sub(16);
    let head = chain_head(call);
    let handler = thunk(call, UNWIND_HANDLER);
    let words = [head, handler, INVALID, frame.0];
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    if call.write_bytes(registration, &bytes).is_err() {
        return value(0);
    }
    set_chain_head(call, registration);
    super::start(
        call,
        Pending::LocalUnwind(LocalUnwind {
            xr: frame.0,
            stop,
            registration,
            registers,
        }),
    )
}

/// The handler of `_local_unwind2`'s registration record (not a real msvcrt export): an
/// exception passes (ExceptionContinueSearch); an unwind that reaches it collided with the
/// local unwind and goes on past its record (DispatcherContext = the record,
/// ExceptionCollidedUnwind).
#[export(cdecl)]
fn __ntemu_crt_unwind_handler(
    call: &mut ApiCall<'_>,
    ExceptionRecord: Ptr,
    EstablisherFrame: Ptr,
    ContextRecord: Ptr,
    DispatcherContext: Ptr,
) -> u32 {
    let _ = ContextRecord;
    let flags = read(call, ExceptionRecord.0.wrapping_add(4));
    if flags & UNWIND_CONTEXT == 0 {
        return CONTINUE_SEARCH;
    }
    let _ = call.write_u32(DispatcherContext.0, EstablisherFrame.0);
    COLLIDED_UNWIND
}

/// _global_unwind2(frame): RtlUnwind to `frame`: the unwind handlers of every registration
/// below it are called with EXCEPTION_UNWINDING and unlinked; returns to the caller.
#[export(cdecl)]
fn _global_unwind2(call: &mut ApiCall<'_>, frame: Ptr) -> ApiReturn {
    ntdll::seh::unwind_for_crt_helper(call, frame.0)
}

/// _abnormal_termination(): 1 inside a `__finally` block `_local_unwind2` called (an
/// exception or a jump left the `__try`), 0 otherwise.
#[export(cdecl)]
fn _abnormal_termination(call: &mut ApiCall<'_>) -> u32 {
    let head = chain_head(call);
    if head == 0 || head == NONE || read(call, head.wrapping_add(4)) != thunk(call, UNWIND_HANDLER)
    {
        return 0;
    }
    let xr = read(call, head.wrapping_add(12));
    u32::from(read(call, head.wrapping_add(8)) == read(call, xr.wrapping_add(12)))
}
