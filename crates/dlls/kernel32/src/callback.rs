//! Calling guest code from a KERNEL32 function and coming back: the function sends the
//! thread to a guest routine whose return address is one of KERNEL32's internal thunks,
//! the thunk's handler picks up where the function left off, and in the end the function
//! returns to its own caller ([`return_to_caller`]). The resource enumerations' callbacks
//! and DLL entry points (DllMain) are called this way.

use nt_kernel::{ALPHA_A0, ALPHA_PV, ALPHA_RA, ALPHA_V0, CpuContext, X86_EAX, X86_ESP};
use nt_memory::GuestMemory;
use win32::ApiCall;

/// Where the builtin being called returns to: x86, its caller's esp (at the return
/// address); Alpha, its ra.
pub(crate) fn caller_of(call: &ApiCall<'_>) -> Option<u32> {
    let t = call.process()?.thread(call.thread.thread)?;
    Some(match t.context() {
        CpuContext::X86(c) => c.gpr[X86_ESP],
        CpuContext::Alpha(c) => c.r[ALPHA_RA] as u32,
    })
}

/// The calling thread's result register (eax, v0): what a guest routine returned.
pub(crate) fn result_of(call: &ApiCall<'_>) -> Option<u32> {
    call.process()
        .and_then(|p| p.thread(call.thread.thread))
        .map(|t| t.context().return_value())
}

/// Sends the thread to `function(args...)` (stdcall on x86, at most six arguments on Alpha),
/// returning to `thunk`. `caller` is the builtin's [`caller_of`]: on x86 the call's frame
/// goes below it. False when the frame cannot be written.
pub(crate) fn call_guest(
    call: &mut ApiCall<'_>,
    caller: u32,
    function: u32,
    args: &[u32],
    thunk: u32,
) -> bool {
    let tid = call.thread.thread;
    let Some(process) = call.process_mut() else {
        return false;
    };
    let x86 = matches!(
        process.thread(tid).map(|t| t.context()),
        Some(CpuContext::X86(_))
    );
    if x86 {
        // Below the caller's frame: [return thunk, args...]; the stdcall routine pops them.
        let frame = caller.wrapping_sub(64 + 4 * (args.len() as u32 + 1));
        let mut words = vec![thunk];
        words.extend_from_slice(args);
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        if process
            .address_space_mut()
            .write_bytes(frame, &bytes)
            .is_err()
        {
            return false;
        }
        let Some(t) = process.thread_mut(tid) else {
            return false;
        };
        if let CpuContext::X86(c) = t.context_mut() {
            c.gpr[X86_ESP] = frame;
            c.eip = function;
        }
    } else {
        if args.len() > 6 {
            return false;
        }
        let Some(t) = process.thread_mut(tid) else {
            return false;
        };
        if let CpuContext::Alpha(c) = t.context_mut() {
            for (i, &a) in args.iter().enumerate() {
                c.r[ALPHA_A0 + i] = nt_kernel::sign_extend(a);
            }
            c.r[ALPHA_RA] = nt_kernel::sign_extend(thunk);
            c.r[ALPHA_PV] = nt_kernel::sign_extend(function);
            c.pc = nt_kernel::sign_extend(function);
        }
    }
    true
}

/// Returns from a builtin of `params` stdcall arguments to `caller` (its [`caller_of`])
/// with `value`. False when the x86 return address cannot be read.
pub(crate) fn return_to_caller(
    call: &mut ApiCall<'_>,
    caller: u32,
    params: u32,
    value: u32,
) -> bool {
    let tid = call.thread.thread;
    let Some(process) = call.process_mut() else {
        return false;
    };
    let return_address = match process.thread(tid).map(|t| t.context()) {
        Some(CpuContext::X86(_)) => match process.address_space().read_u32(caller) {
            Ok(r) => Some(r),
            Err(_) => return false,
        },
        _ => None,
    };
    let Some(t) = process.thread_mut(tid) else {
        return false;
    };
    match t.context_mut() {
        CpuContext::X86(c) => {
            c.eip = return_address.unwrap_or(0);
            c.gpr[X86_ESP] = caller.wrapping_add(4 + 4 * params);
            c.gpr[X86_EAX] = value;
        }
        CpuContext::Alpha(c) => {
            c.pc = nt_kernel::sign_extend(caller);
            c.r[ALPHA_V0] = u64::from(value);
        }
    }
    true
}
