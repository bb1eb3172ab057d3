//! Builtin calls served inside the CPU's run loop: a DLL may give a builtin an inline
//! version, for a call that needs only the caller's registers and memory (its process and
//! thread ids, its TEB, its address space) and that never blocks, raises or stops the
//! process. The CPU hands a jump to the function's thunk to the layer's inline table (through
//! [`InlineCalls`]) and goes on at the caller's return address without leaving its run
//! loop: no exit to the scheduler, no call frame, no allocation, the thunk's index the only
//! lookup. An inline version that cannot finish the call alone (a heap locked by another
//! thread, a failure that raises) declines it before changing anything, and the call goes
//! the full way ([`SystemServices::thunk`](nt_kernel::SystemServices::thunk)). Traced
//! calls (the relay trace, the diagnostics that watch calls) always go the full way.

use nt_kernel::{CallRegisters, InlineCaller, InlineCalls, sign_extend, teb};
use nt_memory::AddressSpace;

use crate::CallingConvention;
use crate::exports::{FIRST_FUNCTION_THUNK, THUNK_SPACING};

/// The most arguments an inline builtin takes (Alpha passes six in registers).
pub const MAX_INLINE_ARGUMENTS: usize = 6;

/// A builtin's inline version: the call's result, or None, with nothing changed, to leave
/// the call to the full builtin.
pub type InlineFunction = fn(&mut InlineCall<'_>) -> Option<u32>;

/// The inline version of one export of a DLL ([`Builtins::add_inline`](crate::Builtins::add_inline)).
#[derive(Clone, Copy, Debug)]
pub struct InlineExport {
    /// The export's name (as the DLL's export table has it).
    pub name: &'static str,
    /// The inline version: it must do what the export does, or decline.
    pub function: InlineFunction,
}

/// What an inline builtin sees of its call.
pub struct InlineCall<'a> {
    /// The calling process's id.
    pub process: u32,
    /// The calling thread's id.
    pub thread: u32,
    /// The calling thread's TEB.
    pub teb: u32,
    /// The calling process's memory.
    pub memory: &'a mut AddressSpace,
    args: [u32; MAX_INLINE_ARGUMENTS],
}

impl InlineCall<'_> {
    /// The `n`-th 32-bit argument (0 past the ones the export takes).
    pub fn arg(&self, n: usize) -> u32 {
        self.args.get(n).copied().unwrap_or(0)
    }

    /// The calling thread's last error (TEB LastErrorValue).
    pub fn last_error(&self) -> u32 {
        let mut b = [0u8; 4];
        match self
            .memory
            .kernel_read(self.teb + teb::offsets::LAST_ERROR, &mut b)
        {
            Ok(()) => u32::from_le_bytes(b),
            Err(_) => 0,
        }
    }

    /// Sets the calling thread's last error, as [`ApiCall::set_last_error`](crate::ApiCall::set_last_error).
    pub fn set_last_error(&mut self, code: u32) {
        let at = self.teb + teb::offsets::LAST_ERROR;
        let _ = self.memory.kernel_write(at, &code.to_le_bytes());
    }
}

/// One thunk's inline version, with what returning from it takes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct InlineEntry {
    pub(crate) function: InlineFunction,
    pub(crate) arguments: u8,
    pub(crate) convention: CallingConvention,
}

/// The inline versions of a layer's builtins, by thunk index ([`InlineCalls`] for the
/// machine's CPUs).
#[derive(Clone, Default)]
pub(crate) struct InlineTable {
    pub(crate) entries: Vec<Option<InlineEntry>>,
}

impl InlineTable {
    /// True when no builtin has an inline version.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.iter().all(Option::is_none)
    }
}

impl InlineCalls for InlineTable {
    fn call(
        &mut self,
        caller: InlineCaller,
        address: u32,
        registers: CallRegisters<'_>,
        memory: &mut AddressSpace,
    ) -> bool {
        let Some(offset) = address.checked_sub(FIRST_FUNCTION_THUNK) else {
            return false;
        };
        if offset % THUNK_SPACING != 0 {
            return false;
        }
        let Some(Some(entry)) = self.entries.get((offset / THUNK_SPACING) as usize) else {
            return false;
        };
        // Entries take at most MAX_INLINE_ARGUMENTS (`Builtins::add_inline` sees to it).
        let count = usize::from(entry.arguments).min(MAX_INLINE_ARGUMENTS);
        let mut args = [0u32; MAX_INLINE_ARGUMENTS];
        match registers {
            CallRegisters::X86 { gpr, eip } => {
                const EAX: usize = 0;
                const ESP: usize = 4;
                let esp = gpr[ESP];
                // The return address and the arguments are read before the call, in one
                // read of a fixed size: a stack that cannot be read leaves the call to the
                // full way, unchanged.
                let read = match count {
                    0 => stack_words::<4>(memory, esp, &mut args),
                    1 => stack_words::<8>(memory, esp, &mut args),
                    2 => stack_words::<12>(memory, esp, &mut args),
                    3 => stack_words::<16>(memory, esp, &mut args),
                    4 => stack_words::<20>(memory, esp, &mut args),
                    5 => stack_words::<24>(memory, esp, &mut args),
                    _ => stack_words::<28>(memory, esp, &mut args),
                };
                let Some(target) = read else {
                    return false;
                };
                let popped = match entry.convention {
                    CallingConvention::Stdcall => 4 + 4 * count as u32,
                    CallingConvention::Cdecl => 4,
                    CallingConvention::Fastcall => return false,
                };
                let mut call = InlineCall {
                    process: caller.process,
                    thread: caller.thread,
                    teb: caller.teb,
                    memory,
                    args,
                };
                let Some(value) = (entry.function)(&mut call) else {
                    return false;
                };
                gpr[EAX] = value;
                gpr[ESP] = esp.wrapping_add(popped);
                *eip = target;
                true
            }
            CallRegisters::Alpha { r, pc } => {
                const V0: usize = 0;
                const A0: usize = 16;
                const RA: usize = 26;
                for (n, arg) in args.iter_mut().take(count).enumerate() {
                    *arg = r[A0 + n] as u32;
                }
                let mut call = InlineCall {
                    process: caller.process,
                    thread: caller.thread,
                    teb: caller.teb,
                    memory,
                    args,
                };
                let Some(value) = (entry.function)(&mut call) else {
                    return false;
                };
                r[V0] = sign_extend(value);
                *pc = r[RA];
                true
            }
        }
    }
}

/// Reads `N` bytes of an x86 stack at `esp` (the return address, then `N / 4 - 1`
/// arguments) in one checked read: the return address, with the arguments put in `args`;
/// None when the stack cannot be read.
#[inline(always)]
fn stack_words<const N: usize>(
    memory: &AddressSpace,
    esp: u32,
    args: &mut [u32; MAX_INLINE_ARGUMENTS],
) -> Option<u32> {
    let bytes = memory.read_fixed::<N>(esp).ok()?;
    let mut words = bytes
        .chunks_exact(4)
        .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
    let target = words.next()?;
    for (arg, word) in args.iter_mut().zip(words) {
        *arg = word;
    }
    Some(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nt_memory::{AllocationType, GuestMemory, PageProtection, PageSize};

    const STACK: u32 = 0x0010_0000;
    const CALLER: InlineCaller = InlineCaller {
        process: 0x20,
        thread: 0x24,
        teb: 0x7FFD_E000,
    };

    fn space() -> AddressSpace {
        let mut m = AddressSpace::new(PageSize::X86).expect("space");
        m.allocate(
            STACK,
            0x1000,
            AllocationType(AllocationType::RESERVE.0 | AllocationType::COMMIT.0),
            PageProtection::READWRITE,
        )
        .expect("stack");
        m
    }

    /// A table whose thunk 3 is `function` taking two arguments.
    fn table(function: InlineFunction, convention: CallingConvention) -> InlineTable {
        let mut entries = vec![None; 4];
        entries[3] = Some(InlineEntry {
            function,
            arguments: 2,
            convention,
        });
        InlineTable { entries }
    }

    fn sum(call: &mut InlineCall<'_>) -> Option<u32> {
        Some(call.arg(0) + call.arg(1) + call.thread)
    }

    fn decline(_: &mut InlineCall<'_>) -> Option<u32> {
        None
    }

    const THUNK: u32 = FIRST_FUNCTION_THUNK + 3 * THUNK_SPACING;

    /// An x86 stack at `STACK + 0x100`: return address 0x401234, then 5 and 7.
    fn x86_call(m: &mut AddressSpace) -> [u32; 8] {
        let esp = STACK + 0x100;
        for (i, v) in [0x0040_1234u32, 5, 7].into_iter().enumerate() {
            m.write_u32(esp + 4 * i as u32, v).expect("stack");
        }
        let mut gpr = [0u32; 8];
        gpr[4] = esp;
        gpr[1] = 0x1111;
        gpr
    }

    #[test]
    fn an_x86_stdcall_returns_its_value_and_pops_its_arguments() {
        let mut m = space();
        let mut gpr = x86_call(&mut m);
        let mut eip = THUNK;
        let mut t = table(sum, CallingConvention::Stdcall);
        let registers = CallRegisters::X86 {
            gpr: &mut gpr,
            eip: &mut eip,
        };
        assert!(t.call(CALLER, THUNK, registers, &mut m));
        assert_eq!(gpr[0], 5 + 7 + 0x24);
        assert_eq!(gpr[4], STACK + 0x100 + 12);
        assert_eq!(gpr[1], 0x1111, "other registers are left alone");
        assert_eq!(eip, 0x0040_1234);
    }

    #[test]
    fn an_x86_cdecl_call_leaves_the_arguments_to_the_caller() {
        let mut m = space();
        let mut gpr = x86_call(&mut m);
        let mut eip = THUNK;
        let mut t = table(sum, CallingConvention::Cdecl);
        let registers = CallRegisters::X86 {
            gpr: &mut gpr,
            eip: &mut eip,
        };
        assert!(t.call(CALLER, THUNK, registers, &mut m));
        assert_eq!(gpr[4], STACK + 0x100 + 4);
    }

    #[test]
    fn a_declined_call_an_unreadable_stack_or_another_thunk_change_nothing() {
        let mut m = space();
        let before = x86_call(&mut m);
        let cases = [
            (decline as InlineFunction, THUNK, before[4]),
            (sum, THUNK + THUNK_SPACING, before[4]),
            (sum, FIRST_FUNCTION_THUNK + 2 * THUNK_SPACING, before[4]),
            (sum, THUNK, 0x0800_0000),
        ];
        for (function, address, esp) in cases {
            let mut gpr = before;
            gpr[4] = esp;
            let expected = gpr;
            let mut eip = address;
            let mut t = table(function, CallingConvention::Stdcall);
            let registers = CallRegisters::X86 {
                gpr: &mut gpr,
                eip: &mut eip,
            };
            assert!(!t.call(CALLER, address, registers, &mut m));
            assert_eq!((gpr, eip), (expected, address));
        }
    }

    #[test]
    fn an_alpha_call_takes_its_arguments_in_registers_and_returns_to_ra() {
        let mut m = space();
        let mut r = [0u64; 32];
        r[16] = 5;
        r[17] = 7;
        r[26] = 0x0040_2000;
        let mut pc = u64::from(THUNK);
        let mut t = table(
            |c| Some(0u32.wrapping_sub(c.arg(0) + c.arg(1))),
            CallingConvention::Stdcall,
        );
        let registers = CallRegisters::Alpha {
            r: &mut r,
            pc: &mut pc,
        };
        assert!(t.call(CALLER, THUNK, registers, &mut m));
        assert_eq!(r[0], (-12i64) as u64, "a 32-bit result is sign-extended");
        assert_eq!(pc, 0x0040_2000);
    }
}
