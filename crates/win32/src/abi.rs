//! The ABI adapter: how a builtin function reads its arguments from, and returns its result
//! to, a guest thread of either architecture.
//!
//! - x86: arguments on the stack above the return address (`[esp+4]`, `[esp+8]`...), result
//!   in eax; stdcall functions pop their arguments on return, cdecl functions do not.
//! - Alpha: the first six arguments in a0-a5 (r16-r21), the rest in 8-byte stack slots from
//!   `sp`; 32-bit pointers are sign-extended; result in v0; return through ra.

use nt_kernel::{
    ALPHA_A0, ALPHA_RA, ALPHA_SP, ALPHA_V0, CpuContext, X86_EAX, X86_ESP, sign_extend,
};
use nt_memory::{AddressSpace, Fault, GuestMemory};

use crate::api::ApiCall;

/// How a builtin function cleans up its arguments on x86.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CallingConvention {
    /// The callee pops its arguments (WINAPI functions).
    Stdcall,
    /// The caller pops them (C runtime functions, wsprintfA).
    Cdecl,
    /// `__fastcall`: the first two 32-bit arguments in ecx and edx, the rest on the stack,
    /// popped by the callee (NTDLL's RtlInterlockedPushListSList). On Alpha it is the
    /// ordinary convention.
    Fastcall,
}

/// How many of a call's leading 32-bit argument slots an x86 caller passes in registers
/// (ecx, edx) under `convention`.
pub const fn register_slots(convention: CallingConvention) -> usize {
    match convention {
        CallingConvention::Fastcall => 2,
        _ => 0,
    }
}

/// The `n`-th (0-based) 32-bit argument of the call the thread is making (a stdcall or
/// cdecl call; [`fastcall_argument`] for `__fastcall`).
pub fn argument(context: &CpuContext, memory: &AddressSpace, n: usize) -> Result<u32, Fault> {
    match context {
        CpuContext::X86(c) => {
            let esp = c.gpr[X86_ESP];
            memory.read_u32(esp.wrapping_add(4 + 4 * n as u32))
        }
        CpuContext::Alpha(c) => {
            if n < 6 {
                Ok(c.r[ALPHA_A0 + n] as u32)
            } else {
                let sp = c.r[ALPHA_SP] as u32;
                memory.read_u32(sp.wrapping_add(8 * (n as u32 - 6)))
            }
        }
    }
}

/// The `n`-th (0-based) 32-bit argument of a `__fastcall` call: ecx, edx, then the stack
/// slots above the return address. On Alpha, the ordinary argument.
pub fn fastcall_argument(
    context: &CpuContext,
    memory: &AddressSpace,
    n: usize,
) -> Result<u32, Fault> {
    match (context, n) {
        (CpuContext::X86(c), 0) => Ok(c.gpr[X86_ECX]),
        (CpuContext::X86(c), 1) => Ok(c.gpr[X86_EDX]),
        (CpuContext::X86(_), _) => argument(context, memory, n - 2),
        (CpuContext::Alpha(_), _) => argument(context, memory, n),
    }
}

/// The address the call will return to: `[esp]` on x86, ra on Alpha.
pub fn return_address(context: &CpuContext, memory: &AddressSpace) -> Result<u32, Fault> {
    match context {
        CpuContext::X86(c) => memory.read_u32(c.gpr[X86_ESP]),
        CpuContext::Alpha(c) => Ok(c.r[ALPHA_RA] as u32),
    }
}

/// A builtin's integer result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultValue {
    /// A 32-bit result: eax, or v0 sign-extended as Alpha code keeps 32-bit values.
    Word(u32),
    /// A 64-bit result: edx:eax, or all of v0.
    Quad(u64),
}

/// Completes the call: sets the result register and returns to the caller, popping
/// `argument_count` arguments on x86 for a stdcall function (those beyond the first two
/// for a fastcall one).
pub fn return_from_call(
    context: &mut CpuContext,
    memory: &AddressSpace,
    value: ResultValue,
    convention: CallingConvention,
    argument_count: usize,
) -> Result<(), Fault> {
    match context {
        CpuContext::X86(c) => {
            let esp = c.gpr[X86_ESP];
            let target = memory.read_u32(esp)?;
            let popped = match convention {
                CallingConvention::Stdcall => 4 + 4 * argument_count as u32,
                CallingConvention::Cdecl => 4,
                CallingConvention::Fastcall => {
                    4 + 4 * argument_count.saturating_sub(register_slots(convention)) as u32
                }
            };
            match value {
                ResultValue::Word(v) => c.gpr[X86_EAX] = v,
                ResultValue::Quad(v) => {
                    c.gpr[X86_EAX] = v as u32;
                    c.gpr[X86_EDX] = (v >> 32) as u32;
                }
            }
            c.gpr[X86_ESP] = esp.wrapping_add(popped);
            c.eip = target;
        }
        CpuContext::Alpha(c) => {
            c.r[ALPHA_V0] = match value {
                ResultValue::Word(v) => sign_extend(v),
                ResultValue::Quad(v) => v,
            };
            c.pc = c.r[ALPHA_RA];
        }
    }
    Ok(())
}

/// ECX in the x86 register file's encoding order (EAX ECX EDX EBX ESP EBP ESI EDI).
pub(crate) const X86_ECX: usize = 1;
/// EDX in the x86 register file's encoding order (EAX ECX EDX EBX ESP EBP ESI EDI).
const X86_EDX: usize = 2;

/// Sets a floating-point result: pushed on the x87 stack (ST(0)) on x86, f0 on Alpha. The
/// integer result the call returns besides is ignored by the caller.
pub fn set_double_result(call: &mut ApiCall<'_>, v: f64) {
    let tid = call.thread.thread;
    if let Some(p) = call.process_mut() {
        let (_, t) = p.space_and_thread(tid);
        match t.map(|t| t.context_mut()) {
            Some(CpuContext::X86(c)) => {
                let x87 = &mut c.x87;
                x87.top = x87.top.wrapping_sub(1) & 7;
                let phys = x87.top as usize;
                x87.regs[phys] = v;
                x87.tag &= !(3 << (2 * phys));
            }
            Some(CpuContext::Alpha(c)) => c.f[0] = v.to_bits(),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nt_memory::{AllocationType, PageProtection, PageSize};

    /// An x86 thread at a call: esp at 0x11000 holds the return address 0x4000, then the
    /// stack arguments 30 and 40; ecx 10 and edx 20.
    fn x86_call() -> (CpuContext, AddressSpace) {
        let mut space = AddressSpace::new(PageSize::X86).expect("space");
        space
            .allocate(
                0x1_0000,
                0x2000,
                AllocationType(AllocationType::RESERVE.0 | AllocationType::COMMIT.0),
                PageProtection::READWRITE,
            )
            .expect("stack");
        for (i, v) in [0x4000u32, 30, 40].iter().enumerate() {
            space
                .kernel_write(0x1_1000 + 4 * i as u32, &v.to_le_bytes())
                .expect("write");
        }
        let mut c = nt_kernel::X86Context::default();
        c.gpr[X86_ESP] = 0x1_1000;
        c.gpr[X86_ECX] = 10;
        c.gpr[X86_EDX] = 20;
        (CpuContext::X86(Box::new(c)), space)
    }

    #[test]
    fn fastcall_arguments_come_from_ecx_edx_then_the_stack() {
        let (context, space) = x86_call();
        let args: Vec<u32> = (0..4)
            .map(|n| fastcall_argument(&context, &space, n).expect("argument"))
            .collect();
        assert_eq!(args, [10, 20, 30, 40]);
        // The same call read as stdcall: the stack slots only.
        assert_eq!(argument(&context, &space, 0), Ok(30));
    }

    #[test]
    fn a_fastcall_callee_pops_only_its_stack_arguments() {
        for (convention, popped) in [
            (CallingConvention::Fastcall, 4 + 8),
            (CallingConvention::Stdcall, 4 + 16),
            (CallingConvention::Cdecl, 4),
        ] {
            let (mut context, space) = x86_call();
            return_from_call(&mut context, &space, ResultValue::Word(7), convention, 4)
                .expect("return");
            let CpuContext::X86(c) = context else {
                unreachable!("an x86 context")
            };
            assert_eq!(c.gpr[X86_ESP], 0x1_1000 + popped, "{convention:?}");
            assert_eq!(c.eip, 0x4000);
            assert_eq!(c.gpr[X86_EAX], 7);
        }
    }
}
