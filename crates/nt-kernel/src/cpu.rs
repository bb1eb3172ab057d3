//! What the kernel needs of a CPU: per-architecture register contexts, the exit reasons an
//! interpreter returns, and the [`CpuEngine`] trait the CPU crates' adapters implement.
//! The CPUs know nothing of NT; the kernel decides what each exit means.

use nt_memory::{AddressSpace, Fault, GuestMemory, PageSize};
use nt_status::NtStatus;

/// A guest CPU architecture.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Architecture {
    /// Intel i386 (PE machine 0x14c).
    X86,
    /// DEC Alpha AXP (PE machine 0x184).
    Alpha,
}

impl Architecture {
    /// The page size of a process of this architecture.
    pub fn page_size(self) -> PageSize {
        match self {
            Architecture::X86 => PageSize::X86,
            Architecture::Alpha => PageSize::Alpha,
        }
    }

    /// The PE machine value.
    pub fn pe_machine(self) -> u16 {
        match self {
            Architecture::X86 => 0x014C,
            Architecture::Alpha => 0x0184,
        }
    }

    /// A short name.
    pub fn name(self) -> &'static str {
        match self {
            Architecture::X86 => "x86",
            Architecture::Alpha => "alpha",
        }
    }
}

/// The start of the builtin thunk range: addresses here are never guest memory (they lie
/// above the user range), so a CPU that jumps here exits with [`CpuExit::Thunk`].
pub const THUNK_BASE: u32 = 0x7FFF_0000;
/// The address a thread's start routine returns to: reaching it ends the thread with the
/// routine's return value as exit code.
pub const EXIT_THREAD_THUNK: u32 = THUNK_BASE;
/// Where a new x86 thread starts, as NT's KERNEL32 BaseThreadStartThunk: eax holds the start
/// routine, ebx its parameter, esp the top of the stack less one slot. Reaching it pushes
/// BaseThreadStart's frame and calls the routine (through the loader's thread thunk when
/// DLLs want THREAD_ATTACH calls), which returns to [`EXIT_THREAD_THUNK`].
pub const BASE_THREAD_START_THUNK: u32 = THUNK_BASE + 0x4;
/// Where a process's first x86 thread starts, as NT's BaseProcessStartThunk: eax holds the
/// image's entry point, ebx the PEB. The entry point is called with no argument.
pub const BASE_PROCESS_START_THUNK: u32 = THUNK_BASE + 0xC;

/// The i386 register file of a thread: cpu-x86's architectural state (general registers,
/// EIP, EFLAGS, the FS base that points at the TEB, the x87 FPU).
pub use cpu_x86::X86State as X86Context;

/// The x87 FPU (and MXCSR) of an x86 thread: [`X86Context::x87`](cpu_x86::X86State::x87).
pub use cpu_x86::X87State;

/// Index of eax in [`X86Context::gpr`](cpu_x86::X86State::gpr).
pub const X86_EAX: usize = cpu_x86::reg::EAX;
/// Index of esp in [`X86Context::gpr`](cpu_x86::X86State::gpr).
pub const X86_ESP: usize = cpu_x86::reg::ESP;
/// Index of ebp in [`X86Context::gpr`](cpu_x86::X86State::gpr).
pub const X86_EBP: usize = cpu_x86::reg::EBP;

/// The Alpha AXP register file of a thread: cpu-alpha's architectural state (r0-r31,
/// f0-f31, PC, FPCR, the load-locked flag). The thread's TEB, which `call_pal rdteb`
/// returns, is the kernel's to know.
pub use cpu_alpha::AlphaState as AlphaContext;

/// v0 (r0): the integer return value.
pub const ALPHA_V0: usize = 0;
/// a0 (r16): the first argument.
pub const ALPHA_A0: usize = 16;
/// ra (r26): the return address.
pub const ALPHA_RA: usize = 26;
/// pv (r27): the procedure value.
pub const ALPHA_PV: usize = 27;
/// sp (r30): the stack pointer.
pub const ALPHA_SP: usize = 30;

/// Sign-extends a 32-bit guest address into an Alpha register, as NT for Alpha keeps them.
pub fn sign_extend(value: u32) -> u64 {
    value as i32 as i64 as u64
}

/// A thread's register context.
#[derive(Clone, PartialEq, Debug)]
pub enum CpuContext {
    /// An x86 thread.
    X86(Box<X86Context>),
    /// An Alpha thread.
    Alpha(Box<AlphaContext>),
}

impl CpuContext {
    /// The architecture of the context.
    pub fn architecture(&self) -> Architecture {
        match self {
            CpuContext::X86(_) => Architecture::X86,
            CpuContext::Alpha(_) => Architecture::Alpha,
        }
    }

    /// The program counter as a 32-bit guest address.
    pub fn program_counter(&self) -> u32 {
        match self {
            CpuContext::X86(c) => c.eip,
            CpuContext::Alpha(c) => c.pc as u32,
        }
    }

    /// Sets the program counter.
    pub fn set_program_counter(&mut self, pc: u32) {
        match self {
            CpuContext::X86(c) => c.eip = pc,
            CpuContext::Alpha(c) => c.pc = sign_extend(pc),
        }
    }

    /// The stack pointer as a 32-bit guest address.
    pub fn stack_pointer(&self) -> u32 {
        match self {
            CpuContext::X86(c) => c.gpr[X86_ESP],
            CpuContext::Alpha(c) => c.r[ALPHA_SP] as u32,
        }
    }

    /// The integer return value register (eax or v0), low 32 bits.
    pub fn return_value(&self) -> u32 {
        match self {
            CpuContext::X86(c) => c.gpr[X86_EAX],
            CpuContext::Alpha(c) => c.r[ALPHA_V0] as u32,
        }
    }

    /// Sets the return value register (v0 is sign-extended, as a 32-bit result is on Alpha).
    pub fn set_return_value(&mut self, value: u32) {
        match self {
            CpuContext::X86(c) => c.gpr[X86_EAX] = value,
            CpuContext::Alpha(c) => c.r[ALPHA_V0] = sign_extend(value),
        }
    }
}

/// Why a CPU stopped running guest code.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum CpuExit {
    /// The instruction budget (the scheduler's quantum) is used up.
    QuantumExpired,
    /// Execution reached an address in the thunk range: a builtin-DLL call or the exit thunk.
    /// The program counter is left at that address.
    Thunk {
        /// The thunk address.
        address: u32,
    },
    /// A trap instruction: `int n` on x86 (the vector), `call_pal` on Alpha (the function).
    Trap {
        /// The vector or PAL function.
        number: u32,
    },
    /// A guest memory access was refused.
    Fault(Fault),
    /// A processor exception other than a memory fault: breakpoint, divide error,
    /// overflow trap, privileged or invalid instruction.
    Exception {
        /// The NTSTATUS exception code (STATUS_BREAKPOINT, STATUS_INTEGER_DIVIDE_BY_ZERO...).
        status: NtStatus,
        /// The faulting instruction's address.
        address: u32,
    },
    /// A valid instruction the CPU does not implement (an ntemu gap, not a guest error).
    Unimplemented {
        /// Its address.
        address: u32,
        /// The instruction, e.g. its mnemonic.
        instruction: String,
    },
}

/// The result of one [`CpuEngine::run`].
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct CpuRun {
    /// Why the CPU stopped.
    pub exit: CpuExit,
    /// Guest instructions retired during the run.
    pub retired: u64,
}

/// A CPU interpreter for one architecture, as the scheduler drives it.
pub trait CpuEngine: Send {
    /// The architecture it runs.
    fn architecture(&self) -> Architecture;

    /// Runs `context` on `memory` for at most `budget` instructions.
    fn run(&mut self, context: &mut CpuContext, memory: &mut AddressSpace, budget: u64) -> CpuRun;

    /// [`run`](Self::run), with the builtin calls `calls` serves done without leaving the
    /// CPU (each costs one unit of the budget); a call it declines ends the run with
    /// [`CpuExit::Thunk`]. An engine without such a path runs as [`run`](Self::run).
    fn run_calls(
        &mut self,
        context: &mut CpuContext,
        memory: &mut AddressSpace,
        budget: u64,
        caller: InlineCaller,
        calls: &mut dyn InlineCalls,
    ) -> CpuRun {
        let _ = (caller, calls);
        self.run(context, memory, budget)
    }
}

/// The registers of a call served inside the CPU ([`InlineCalls`]), as the CPU holds them
/// while it runs.
pub enum CallRegisters<'a> {
    /// An x86 caller: EAX ECX EDX EBX ESP EBP ESI EDI, and eip (the thunk address on entry;
    /// where the caller goes on when served).
    X86 {
        /// The general registers.
        gpr: &'a mut [u32; 8],
        /// The instruction pointer.
        eip: &'a mut u32,
    },
    /// An Alpha caller: r0-r31, and the PC (the thunk address on entry).
    Alpha {
        /// The integer registers.
        r: &'a mut [u64; 32],
        /// The program counter.
        pc: &'a mut u64,
    },
}

/// The thread a call served inside the CPU comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InlineCaller {
    /// Its process id.
    pub process: u32,
    /// Its thread id.
    pub thread: u32,
    /// Its TEB.
    pub teb: u32,
}

/// Builtin calls served without leaving the CPU's run loop: those that need only the
/// caller's registers and memory, never block, raise or trace
/// ([`SystemServices::inline_calls`](crate::SystemServices::inline_calls)).
pub trait InlineCalls {
    /// Serves the call at thunk `address`: true when done (`registers` hold the result and
    /// the caller's continuation); false, with nothing changed, to leave it to
    /// [`SystemServices::thunk`](crate::SystemServices::thunk).
    fn call(
        &mut self,
        caller: InlineCaller,
        address: u32,
        registers: CallRegisters<'_>,
        memory: &mut AddressSpace,
    ) -> bool;
}

/// The CPU hook that hands thunk jumps to [`InlineCalls`].
struct InlineHook<'a> {
    calls: &'a mut dyn InlineCalls,
    caller: InlineCaller,
}

impl cpu_x86::ThunkHook<AddressSpace> for InlineHook<'_> {
    fn thunk(&mut self, eip: u32, gpr: &mut [u32; 8], memory: &mut AddressSpace) -> Option<u32> {
        let mut next = eip;
        let registers = CallRegisters::X86 {
            gpr,
            eip: &mut next,
        };
        self.calls
            .call(self.caller, eip, registers, memory)
            .then_some(next)
    }
}

impl cpu_alpha::ThunkHook<AddressSpace> for InlineHook<'_> {
    fn thunk(&mut self, pc: u64, r: &mut [u64; 32], memory: &mut AddressSpace) -> Option<u64> {
        let mut next = pc;
        let registers = CallRegisters::Alpha { r, pc: &mut next };
        self.calls
            .call(self.caller, pc as u32, registers, memory)
            .then_some(next)
    }
}

pub use cpu_x86::{
    Tier as CpuTier, set_default_threshold as set_default_jit_threshold,
    set_default_tier as set_default_x86_tier,
};

/// The i386 CPU engine: cpu-x86's interpreter, with its decoded-block cache, for one process.
/// Its tier (interpreter or JIT) is cpu-x86's default tier when it is made
/// ([`set_default_x86_tier`]).
pub struct X86Engine {
    cpu: cpu_x86::X86Cpu,
}

impl X86Engine {
    /// An engine whose thunk range starts at [`THUNK_BASE`].
    pub fn new() -> Self {
        X86Engine {
            cpu: cpu_x86::X86Cpu::new(THUNK_BASE),
        }
    }
}

impl Default for X86Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl CpuEngine for X86Engine {
    fn architecture(&self) -> Architecture {
        Architecture::X86
    }

    fn run(&mut self, context: &mut CpuContext, memory: &mut AddressSpace, budget: u64) -> CpuRun {
        let CpuContext::X86(state) = context else {
            return CpuRun {
                exit: CpuExit::Exception {
                    status: NtStatus::ILLEGAL_INSTRUCTION,
                    address: context.program_counter(),
                },
                retired: 0,
            };
        };
        let run = self.cpu.run(state, memory, budget);
        x86_exit(state, run)
    }

    fn run_calls(
        &mut self,
        context: &mut CpuContext,
        memory: &mut AddressSpace,
        budget: u64,
        caller: InlineCaller,
        calls: &mut dyn InlineCalls,
    ) -> CpuRun {
        let CpuContext::X86(state) = context else {
            return self.run(context, memory, budget);
        };
        let mut hook = InlineHook { calls, caller };
        let run = self.cpu.run_with(state, memory, budget, Some(&mut hook));
        x86_exit(state, run)
    }
}

/// The kernel's view of an x86 run's end.
fn x86_exit(state: &X86Context, run: cpu_x86::RunExit) -> CpuRun {
    let at = |status: NtStatus, address: u32| CpuExit::Exception { status, address };
    let exit = match run.exit {
        cpu_x86::Exit::QuantumExpired => CpuExit::QuantumExpired,
        cpu_x86::Exit::Thunk => CpuExit::Thunk { address: state.eip },
        cpu_x86::Exit::SoftwareInterrupt(n) => CpuExit::Trap {
            number: u32::from(n),
        },
        cpu_x86::Exit::Breakpoint => at(NtStatus::BREAKPOINT, state.eip.wrapping_sub(1)),
        cpu_x86::Exit::Overflow => at(NtStatus::INTEGER_OVERFLOW, state.eip),
        cpu_x86::Exit::DivideError { by_zero: true } => {
            at(NtStatus::INTEGER_DIVIDE_BY_ZERO, state.eip)
        }
        cpu_x86::Exit::DivideError { by_zero: false } => at(NtStatus::INTEGER_OVERFLOW, state.eip),
        cpu_x86::Exit::InvalidOpcode => at(NtStatus::ILLEGAL_INSTRUCTION, state.eip),
        cpu_x86::Exit::PrivilegedInstruction => at(NtStatus::PRIVILEGED_INSTRUCTION, state.eip),
        cpu_x86::Exit::AccessViolation(fault) => CpuExit::Fault(fault),
        cpu_x86::Exit::Unimplemented { addr, mnemonic } => CpuExit::Unimplemented {
            address: addr,
            instruction: mnemonic,
        },
    };
    CpuRun {
        exit,
        retired: run.retired,
    }
}

/// The instruction at the thread's program counter, for diagnostics: the x86 mnemonic, or
/// the Alpha instruction in assembly syntax (`ldl s0,4(s0)`); `invalid instruction` when
/// the bytes there decode to none. None only when the program counter's memory cannot be
/// fetched.
pub fn describe_instruction(context: &CpuContext, memory: &AddressSpace) -> Option<String> {
    match context {
        CpuContext::X86(c) => {
            let mut first = [0u8; 1];
            memory.fetch_bytes(c.eip, &mut first).ok()?;
            Some(
                cpu_x86::mnemonic_at(memory, c.eip)
                    .unwrap_or_else(|| "invalid instruction".to_string()),
            )
        }
        CpuContext::Alpha(c) => cpu_alpha::instruction_at(memory, c.pc as u32),
    }
}

/// The Alpha AXP CPU engine: cpu-alpha's interpreter, with its decoded-block cache, for one
/// process. CALL_PAL exits reach the kernel as traps with the PAL function number.
pub struct AlphaEngine {
    cpu: cpu_alpha::AlphaCpu,
}

impl AlphaEngine {
    /// An engine whose thunk range starts at [`THUNK_BASE`].
    pub fn new() -> Self {
        AlphaEngine {
            cpu: cpu_alpha::AlphaCpu::new(THUNK_BASE),
        }
    }
}

impl Default for AlphaEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl CpuEngine for AlphaEngine {
    fn architecture(&self) -> Architecture {
        Architecture::Alpha
    }

    fn run(&mut self, context: &mut CpuContext, memory: &mut AddressSpace, budget: u64) -> CpuRun {
        let CpuContext::Alpha(state) = context else {
            return CpuRun {
                exit: CpuExit::Exception {
                    status: NtStatus::ILLEGAL_INSTRUCTION,
                    address: context.program_counter(),
                },
                retired: 0,
            };
        };
        let run = self.cpu.run(state, memory, budget);
        alpha_exit(state, run)
    }

    fn run_calls(
        &mut self,
        context: &mut CpuContext,
        memory: &mut AddressSpace,
        budget: u64,
        caller: InlineCaller,
        calls: &mut dyn InlineCalls,
    ) -> CpuRun {
        let CpuContext::Alpha(state) = context else {
            return self.run(context, memory, budget);
        };
        let mut hook = InlineHook { calls, caller };
        let run = self.cpu.run_with(state, memory, budget, Some(&mut hook));
        alpha_exit(state, run)
    }
}

/// The kernel's view of an Alpha run's end.
fn alpha_exit(state: &AlphaContext, run: cpu_alpha::RunExit) -> CpuRun {
    let pc = state.pc as u32;
    let exit = match run.exit {
        cpu_alpha::Exit::QuantumExpired => CpuExit::QuantumExpired,
        cpu_alpha::Exit::Thunk => CpuExit::Thunk { address: pc },
        cpu_alpha::Exit::CallPal(function) => CpuExit::Trap { number: function },
        cpu_alpha::Exit::IntegerOverflow => CpuExit::Exception {
            status: NtStatus::INTEGER_OVERFLOW,
            address: pc.wrapping_sub(4),
        },
        cpu_alpha::Exit::IllegalInstruction { addr, .. } => CpuExit::Exception {
            status: NtStatus::ILLEGAL_INSTRUCTION,
            address: addr,
        },
        cpu_alpha::Exit::Unimplemented { addr, mnemonic, .. } => CpuExit::Unimplemented {
            address: addr,
            instruction: mnemonic.to_string(),
        },
        cpu_alpha::Exit::AccessViolation(fault) => CpuExit::Fault(fault),
    };
    CpuRun {
        exit,
        retired: run.retired,
    }
}
