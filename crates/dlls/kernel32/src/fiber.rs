//! Fibers: CreateFiber, ConvertThreadToFiber, SwitchToFiber and DeleteFiber, as NT 4.0
//! keeps them. A fiber is a block of the process heap laid out as NT's FIBER (FiberData,
//! ExceptionList, StackBase, StackLimit, DeallocationStack, then room for its CONTEXT); the
//! TEB's NT_TIB.FiberData points at the running one, so GetCurrentFiber and GetFiberData
//! (header macros) read it there. The registers a fiber left off with are kept here.

use std::collections::HashMap;

use nt_kernel::teb::offsets::{DEALLOCATION_STACK, EXCEPTION_LIST, STACK_BASE, STACK_LIMIT};
use nt_kernel::{ALPHA_A0, ALPHA_PV, ALPHA_RA, ALPHA_SP, CpuContext, X86_ESP};
use nt_memory::{AllocationType, FreeType, PageProtection};
use nt_status::NtStatus;
use win32::abi::{ResultValue, return_from_call};
use win32::{ApiCall, ApiReturn, CallingConvention, PerProcess, Ptr, export};

/// NT_TIB.FiberData.
const TEB_FIBER_DATA: u32 = 0x10;
/// FIBER.ExceptionList, .StackBase, .StackLimit, .DeallocationStack.
const FIBER_EXCEPTION_LIST: u32 = 0x04;
const FIBER_STACK_BASE: u32 = 0x08;
const FIBER_STACK_LIMIT: u32 = 0x0C;
const FIBER_DEALLOCATION_STACK: u32 = 0x10;
/// sizeof(FIBER): the fields and an x86 CONTEXT (0x2CC bytes; an Alpha one is smaller).
const FIBER_SIZE: u32 = 0x14 + 0x2CC;
/// The end of an x86 SEH chain.
const CHAIN_END: u32 = 0xFFFF_FFFF;

/// What ntemu keeps of a fiber besides its block.
#[derive(Default)]
struct FiberState {
    /// The registers it left off with, while it is not running.
    context: Option<CpuContext>,
    /// CreateFiber made its stack (a converted thread's stack is the thread's).
    own_stack: bool,
}

/// The fibers, by address, per process.
#[derive(Default)]
struct Fibers(PerProcess<HashMap<u32, FiberState>>);

fn with_fibers<T>(
    call: &mut ApiCall<'_>,
    f: impl FnOnce(&mut HashMap<u32, FiberState>) -> T,
) -> Option<T> {
    let object = call.process_object()?;
    let pid = call.thread.process;
    Some(f(call.state.get::<Fibers>().0.get_or_default(pid, &object)))
}

fn context(call: &ApiCall<'_>) -> Option<CpuContext> {
    let tid = call.thread.thread;
    Some(call.process()?.thread(tid)?.context().clone())
}

fn set_context(call: &mut ApiCall<'_>, new: CpuContext) {
    let tid = call.thread.thread;
    if let Some(p) = call.process_mut() {
        let (_, t) = p.space_and_thread(tid);
        if let Some(t) = t {
            *t.context_mut() = new;
        }
    }
}

fn write_words(call: &mut ApiCall<'_>, at: u32, words: &[u32]) -> Result<(), NtStatus> {
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    call.write_bytes(at, &bytes)
        .map_err(|_| NtStatus::ACCESS_VIOLATION)
}

fn read(call: &ApiCall<'_>, at: u32) -> Result<u32, NtStatus> {
    call.read_u32(at).map_err(|_| NtStatus::ACCESS_VIOLATION)
}

/// A fiber's stack: `size` (or the image's default) committed at the top of a reservation
/// of the image's default size (or more), a guard page below. Returns (base of the
/// reservation, top, lowest committed address).
fn allocate_stack(call: &mut ApiCall<'_>, size: u32) -> Result<(u32, u32, u32), NtStatus> {
    let process = call.process_mut().ok_or(NtStatus::INVALID_HANDLE)?;
    let (reserve, commit) = process.default_stack();
    let page = 0x1000u32;
    let commit = if size == 0 { commit } else { size };
    let commit = commit
        .max(page)
        .checked_next_multiple_of(page)
        .ok_or(NtStatus::NO_MEMORY)?;
    let reserve = reserve
        .max(commit + page)
        .checked_next_multiple_of(0x10000)
        .ok_or(NtStatus::NO_MEMORY)?;
    let space = process.address_space_mut();
    let (base, _) = space
        .allocate(
            0,
            reserve,
            AllocationType::RESERVE,
            PageProtection::READWRITE,
        )
        .map_err(|e| e.status())?;
    let top = base + reserve;
    let limit = top - commit;
    let committed = space
        .allocate(
            limit,
            commit,
            AllocationType::COMMIT,
            PageProtection::READWRITE,
        )
        .and_then(|_| {
            space.allocate(
                limit - page,
                page,
                AllocationType::COMMIT,
                PageProtection::READWRITE | PageProtection::GUARD,
            )
        });
    if let Err(e) = committed {
        let _ = space.free(base, 0, FreeType::RELEASE);
        return Err(e.status());
    }
    Ok((base, top, limit))
}

fn create_fiber(
    call: &mut ApiCall<'_>,
    size: u32,
    start: u32,
    parameter: u32,
) -> Result<u32, NtStatus> {
    let exit_thread = call
        .builtins
        .implemented(crate::DLL.name, "ExitThread")
        .ok_or(NtStatus::NOT_IMPLEMENTED)?;
    let mut regs = context(call).ok_or(NtStatus::INVALID_HANDLE)?;
    let fiber =
        crate::heap::process_heap_alloc(call, FIBER_SIZE, true).ok_or(NtStatus::NO_MEMORY)?;
    let (base, top, limit) = match allocate_stack(call, size) {
        Ok(s) => s,
        Err(e) => {
            crate::heap::process_heap_free(call, fiber);
            return Err(e);
        }
    };
    // The fiber starts in its routine as if called from ExitThread's entry: when the
    // routine returns, the thread ends.
    match &mut regs {
        CpuContext::X86(c) => {
            let sp = top - 16;
            write_words(call, sp, &[exit_thread, parameter, 0, 0])?;
            c.gpr[X86_ESP] = sp;
            c.eip = start;
        }
        CpuContext::Alpha(c) => {
            c.r[ALPHA_SP] = u64::from(top - 0x40);
            c.r[ALPHA_A0] = nt_kernel::sign_extend(parameter);
            c.r[ALPHA_RA] = nt_kernel::sign_extend(exit_thread);
            c.r[ALPHA_PV] = nt_kernel::sign_extend(start);
            c.pc = u64::from(start);
        }
    }
    write_words(call, fiber, &[parameter, CHAIN_END, top, limit, base])?;
    with_fibers(call, |f| {
        f.insert(
            fiber,
            FiberState {
                context: Some(regs),
                own_stack: true,
            },
        )
    });
    Ok(fiber)
}

/// LPVOID CreateFiber(DWORD dwStackSize, LPFIBER_START_ROUTINE lpStartAddress, LPVOID
/// lpParameter): a fiber with a stack of its own (dwStackSize committed, 0 for the
/// image's default) that starts in lpStartAddress(lpParameter) when first switched to;
/// the thread exits when that routine returns. NULL when there is no memory.
#[export]
fn CreateFiber(
    call: &mut ApiCall<'_>,
    dwStackSize: u32,
    lpStartAddress: Ptr,
    lpParameter: Ptr,
) -> ApiReturn {
    match create_fiber(call, dwStackSize, lpStartAddress.0, lpParameter.0) {
        Ok(f) => ApiReturn::Value(f),
        Err(s) => call.fail_with(s, 0),
    }
}

/// LPVOID ConvertThreadToFiber(LPVOID lpParameter): makes the running thread a fiber (on
/// its own stack) and returns it. NT 4.0 does not check whether it already is one.
#[export]
fn ConvertThreadToFiber(call: &mut ApiCall<'_>, lpParameter: Ptr) -> ApiReturn {
    let teb = call.teb();
    let fields = (|| {
        Ok::<_, NtStatus>([
            lpParameter.0,
            read(call, teb + EXCEPTION_LIST)?,
            read(call, teb + STACK_BASE)?,
            read(call, teb + STACK_LIMIT)?,
            read(call, teb + DEALLOCATION_STACK)?,
        ])
    })();
    let fields = match fields {
        Ok(f) => f,
        Err(s) => return call.fail(s),
    };
    let Some(fiber) = crate::heap::process_heap_alloc(call, FIBER_SIZE, true) else {
        return call.fail_with(NtStatus::NO_MEMORY, 0);
    };
    match write_words(call, fiber, &fields)
        .and_then(|()| write_words(call, teb + TEB_FIBER_DATA, &[fiber]))
    {
        Ok(()) => ApiReturn::Value(fiber),
        Err(s) => call.fail(s),
    }
}

/// VOID SwitchToFiber(LPVOID lpFiber): saves the running fiber's registers (as they will
/// be when this call returns), its SEH chain and stack limit; then runs lpFiber where it
/// left off (or at its start routine), with its stack and chain in the TEB.
#[export]
fn SwitchToFiber(call: &mut ApiCall<'_>, lpFiber: Ptr) -> ApiReturn {
    match switch(call, lpFiber.0) {
        Ok(()) => ApiReturn::Resumed,
        // No fiber there: NT would fault on the bad pointer; the call returns instead.
        Err(_) => ApiReturn::Value(0),
    }
}

fn switch(call: &mut ApiCall<'_>, target: u32) -> Result<(), NtStatus> {
    let teb = call.teb();
    let current = read(call, teb + TEB_FIBER_DATA)?;
    let mut saved = context(call).ok_or(NtStatus::INVALID_HANDLE)?;
    {
        let process = call.process().ok_or(NtStatus::INVALID_HANDLE)?;
        return_from_call(
            &mut saved,
            process.address_space(),
            ResultValue::Word(0),
            CallingConvention::Stdcall,
            1,
        )
        .map_err(|f| f.status())?;
    }
    let target_fields = [
        read(call, target + FIBER_EXCEPTION_LIST)?,
        read(call, target + FIBER_STACK_BASE)?,
        read(call, target + FIBER_STACK_LIMIT)?,
        read(call, target + FIBER_DEALLOCATION_STACK)?,
    ];
    if current != 0 {
        let chain = read(call, teb + EXCEPTION_LIST)?;
        let limit = read(call, teb + STACK_LIMIT)?;
        write_words(call, current + FIBER_EXCEPTION_LIST, &[chain])?;
        write_words(call, current + FIBER_STACK_LIMIT, &[limit])?;
        with_fibers(call, |f| {
            f.entry(current).or_default().context = Some(saved)
        });
    }
    let next = with_fibers(call, |f| f.get_mut(&target).and_then(|s| s.context.take()))
        .flatten()
        .ok_or(NtStatus::INVALID_PARAMETER)?;
    let [chain, stack_base, stack_limit, deallocation] = target_fields;
    write_words(
        call,
        teb + EXCEPTION_LIST,
        &[chain, stack_base, stack_limit],
    )?;
    write_words(call, teb + DEALLOCATION_STACK, &[deallocation])?;
    write_words(call, teb + TEB_FIBER_DATA, &[target])?;
    set_context(call, next);
    Ok(())
}

/// VOID DeleteFiber(LPVOID lpFiber): frees a fiber's stack and block; deleting the
/// running fiber ends the thread (exit code 1), as on NT.
#[export]
fn DeleteFiber(call: &mut ApiCall<'_>, lpFiber: Ptr) -> ApiReturn {
    let fiber = lpFiber.0;
    let teb = call.teb();
    if call.read_u32(teb + TEB_FIBER_DATA).ok() == Some(fiber) {
        return crate::ending(crate::dllload::exit_thread(call, 1));
    }
    let own_stack =
        with_fibers(call, |f| f.remove(&fiber).is_some_and(|s| s.own_stack)).unwrap_or(false);
    if own_stack
        && let Ok(base) = call.read_u32(fiber + FIBER_DEALLOCATION_STACK)
        && let Some(p) = call.process_mut()
    {
        let _ = p.address_space_mut().free(base, 0, FreeType::RELEASE);
    }
    crate::heap::process_heap_free(call, fiber);
    ApiReturn::Value(0)
}
