//! i386 user-mode interpreter for ntemu.
//!
//! Runs flat 32-bit user-mode x86 code (i386 through Pentium integer instructions, with
//! CMOVcc, and the x87 FPU) over a [`GuestMemory`]. The interpreter knows nothing of NT: it
//! runs until something it cannot finish alone and returns that as an [`Exit`]:
//! a jump into the builtin-DLL thunk range, a software interrupt, a fault, or the end of the
//! instruction budget.
//!
//! Instructions are decoded with iced-x86 into compact operations, grouped into blocks
//! (straight-line code up to an unconditional branch, going on past conditional branches
//! that are not taken) and cached by guest address; each block remembers the blocks that
//! followed it so that the next one is usually found without a lookup. When
//! [`GuestMemory::code_generation`] changes (executable memory may have been written or
//! re-protected), each cached block is re-checked against the guest bytes (fetched with
//! execute access) before its next use and decoded again if they changed. Code modified
//! inside the block that is executing takes effect at the next block boundary.
//!
//! EFLAGS are evaluated lazily during a run and are exact in [`X86State::eflags`] whenever
//! [`X86Cpu::run`] returns.
//!
//! Segments: CS DS ES SS and GS are flat (base 0); FS has the base [`X86State::fs_base`]
//! (the TEB under NT). 16-bit addressing (the 0x67 prefix) is not supported.

use std::cell::Cell;
use std::collections::HashMap;

use iced_x86::{Decoder, DecoderError, DecoderOptions, Instruction};
use nt_memory::{Fault, GuestMemory};

mod decode;
mod exec;
mod flags;
mod fpu;
mod jit;

pub use flags::{AF, CF, DF, IF, OF, PF, SF, ZF};
pub use fpu::X87State;
pub use jit::{
    DEFAULT_THRESHOLD, default_tier, jit_supported, set_default_threshold, set_default_tier,
    threshold,
};

/// Which execution tier an [`X86Cpu`] uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    /// The interpreter only.
    Interp,
    /// The interpreter, with blocks that run often translated to host code (x86-64 hosts;
    /// elsewhere the same as `Interp`).
    Jit,
}

impl std::str::FromStr for Tier {
    type Err = String;
    fn from_str(s: &str) -> Result<Tier, String> {
        match s {
            "interp" => Ok(Tier::Interp),
            "jit" => Ok(Tier::Jit),
            _ => Err(format!("unknown CPU tier {s:?} (interp or jit)")),
        }
    }
}

use decode::Op;
use exec::{Ctx, Flow, Stop};

/// Where ntemu's builtin-DLL thunks start: reaching this address or above stops the CPU.
pub const DEFAULT_THUNK_BASE: u32 = 0x7FFF_0000;

/// Most instructions in one segment of a decoded block (straight-line code).
const MAX_BLOCK: usize = 64;

/// Instructions after which a block ends at the next conditional branch.
const MAX_SUPERBLOCK: usize = 128;

/// Register numbers in [`X86State::gpr`] (encoding order).
pub mod reg {
    /// EAX.
    pub const EAX: usize = 0;
    /// ECX.
    pub const ECX: usize = 1;
    /// EDX.
    pub const EDX: usize = 2;
    /// EBX.
    pub const EBX: usize = 3;
    /// ESP.
    pub const ESP: usize = 4;
    /// EBP.
    pub const EBP: usize = 5;
    /// ESI.
    pub const ESI: usize = 6;
    /// EDI.
    pub const EDI: usize = 7;
}

/// The architectural state of one guest thread's CPU.
#[derive(Clone, Debug, PartialEq)]
pub struct X86State {
    /// General registers in encoding order: EAX ECX EDX EBX ESP EBP ESI EDI.
    pub gpr: [u32; 8],
    /// Instruction pointer.
    pub eip: u32,
    /// EFLAGS, exact whenever the interpreter is not running.
    pub eflags: u32,
    /// Linear base address of the FS segment (the TEB under NT).
    pub fs_base: u32,
    /// The x87 FPU.
    pub x87: X87State,
    /// Time-stamp counter returned by RDTSC; advances with retired instructions.
    pub tsc: u64,
    /// Segment selectors in encoding order ES CS SS DS FS GS. They are only stored, moved,
    /// pushed and popped: every segment is flat except that FS has base `fs_base`, whatever
    /// its selector.
    pub selectors: [u16; 6],
}

impl Default for X86State {
    fn default() -> X86State {
        X86State::new()
    }
}

impl X86State {
    /// Initial user-mode state: registers zero, EFLAGS = 0x202 (IF and the reserved bit 1),
    /// the FPU as after FNINIT, and the flat user-mode selectors NT 4.0 uses
    /// (CS 0x1B, SS DS ES 0x23, FS 0x3B, GS 0).
    pub fn new() -> X86State {
        X86State {
            gpr: [0; 8],
            eip: 0,
            eflags: 0x202,
            fs_base: 0,
            x87: X87State::default(),
            tsc: 0,
            selectors: [0x23, 0x1b, 0x23, 0x23, 0x3b, 0],
        }
    }
}

/// Why [`X86Cpu::run`] returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The instruction budget is used up; EIP is the next instruction to run.
    QuantumExpired,
    /// EIP reached the thunk range (at or above the thunk base); EIP is left there.
    Thunk,
    /// `int n` (other than `int3`) executed; EIP is after the instruction (a trap).
    SoftwareInterrupt(u8),
    /// `int3`; EIP is after the instruction (so the breakpoint address is EIP - 1).
    Breakpoint,
    /// `into` with OF set; EIP is after the instruction.
    Overflow,
    /// #DE: EIP is at the faulting instruction. NT reports a zero divisor (and `aam 0`) as
    /// STATUS_INTEGER_DIVIDE_BY_ZERO and a quotient too large for its register as
    /// STATUS_INTEGER_OVERFLOW, so the two are told apart.
    DivideError {
        /// True for a zero divisor, false for a quotient overflow.
        by_zero: bool,
    },
    /// #UD: an invalid encoding or `ud2`; EIP is at the instruction.
    InvalidOpcode,
    /// A valid instruction this interpreter does not implement; EIP is at it.
    Unimplemented {
        /// Address of the instruction.
        addr: u32,
        /// Its mnemonic in lower case, e.g. `"fsin"`.
        mnemonic: String,
    },
    /// A privileged instruction (hlt, cli, in, out, ...): #GP in user mode; EIP is at it.
    PrivilegedInstruction,
    /// A memory access (data or instruction fetch) the page protections refused; EIP is at
    /// the faulting instruction, and no part of it has taken effect.
    AccessViolation(Fault),
}

/// What serves jumps into the thunk range without ending a run ([`X86Cpu::run_with`]): the
/// builtin calls that need only the caller's registers and memory.
pub trait ThunkHook<M: ?Sized> {
    /// Serves a jump to `eip` (in the thunk range) with the general registers `gpr` (EAX ECX
    /// EDX EBX ESP EBP ESI EDI): the address to go on at when served, with `gpr` set as the
    /// call leaves them; None, with nothing changed, to end the run with [`Exit::Thunk`].
    fn thunk(&mut self, eip: u32, gpr: &mut [u32; 8], memory: &mut M) -> Option<u32>;
}

/// The result of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunExit {
    /// Why the run stopped.
    pub exit: Exit,
    /// Guest instructions retired during the run (a trap instruction counts; a faulting one
    /// does not; a REP string instruction counts once per 16,384 iterations started).
    pub retired: u64,
}

/// One decoded instruction.
#[derive(Clone, Copy, Debug)]
struct Inst {
    op: Op,
    eip: u32,
    next: u32,
}

/// Straight-line decoded code.
#[derive(Debug)]
struct Block {
    insts: Box<[Inst]>,
    /// Guest instructions in the block (fused pairs count two).
    count: u32,
    /// Address after the last instruction.
    end: u32,
    /// The machine code the block was decoded from.
    bytes: Box<[u8]>,
    /// The memory's code generation at which `bytes` were last known to be current.
    checked: Cell<u64>,
}

impl Block {
    /// The guest address the block starts at.
    #[inline]
    fn start(&self) -> u32 {
        self.insts[0].eip
    }
}

/// Decodes the instruction at `pc`, appending its bytes to `bytes`; fails if it cannot be
/// fetched completely.
fn decode_one<M: GuestMemory + ?Sized>(
    mem: &M,
    pc: u32,
    bytes: &mut Vec<u8>,
) -> Result<Inst, Fault> {
    let mut buf = [0u8; 15];
    let avail = match mem.fetch_bytes(pc, &mut buf) {
        Ok(()) => 15,
        Err(f) => {
            let n = f.addr.wrapping_sub(pc) as usize;
            if n == 0 || n >= 15 || mem.fetch_bytes(pc, &mut buf[..n]).is_err() {
                return Err(f);
            }
            n
        }
    };
    let mut ins = Instruction::default();
    let mut dec = Decoder::with_ip(32, &buf[..avail], u64::from(pc), DecoderOptions::NONE);
    dec.decode_out(&mut ins);
    if ins.is_invalid() && dec.last_error() == DecoderError::NoMoreBytes {
        // Report the fetch fault at the first byte that could not be read.
        let at = pc.wrapping_add(avail as u32);
        let mut b = [0u8; 1];
        return Err(mem.fetch_bytes(at, &mut b).err().unwrap_or(Fault {
            addr: at,
            access: nt_memory::Access::Execute,
            kind: nt_memory::FaultKind::AccessViolation,
        }));
    }
    let op = decode::translate(&ins);
    bytes.extend_from_slice(&buf[..ins.len().min(avail)]);
    Ok(Inst {
        op,
        eip: pc,
        next: pc.wrapping_add(ins.len() as u32),
    })
}

/// Blocks kept before a full flush (stale blocks replaced after code changes stay in the
/// arena until then).
const MAX_BLOCKS: usize = 1 << 16;

const FAST_SLOTS: usize = 4096;

/// The interpreter: holds the decoded-block cache. One per guest process (or per thread;
/// the cache is only an optimisation).
pub struct X86Cpu {
    thunk_base: u32,
    blocks: Vec<Block>,
    map: HashMap<u32, u32>,
    /// Direct-mapped (guest address, block index) cache in front of `map`.
    fast: Box<[(u32, u32); FAST_SLOTS]>,
    /// Per block (parallel to `blocks`): up to two (guest address, block index) successors
    /// seen after it, so that the next block is usually found without the lookup tables.
    /// Unused entries map the block's own start to itself, so every entry is a true mapping.
    links: Vec<[(u32, u32); 2]>,
    generation: u64,
    /// The JIT tier's compiled-code cache (None: interpreter only).
    jit: Option<Box<jit::Jit>>,
}

impl std::fmt::Debug for X86Cpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("X86Cpu")
            .field("thunk_base", &self.thunk_base)
            .field("cached_blocks", &self.blocks.len())
            .field("tier", &self.tier())
            .finish()
    }
}

impl Default for X86Cpu {
    fn default() -> X86Cpu {
        X86Cpu::new(DEFAULT_THUNK_BASE)
    }
}

#[inline(always)]
fn slot(eip: u32) -> usize {
    ((eip ^ (eip >> 12)) as usize) & (FAST_SLOTS - 1)
}

impl X86Cpu {
    /// A CPU that stops when EIP reaches `thunk_base` or above, of the [`default_tier`].
    pub fn new(thunk_base: u32) -> X86Cpu {
        X86Cpu::with_tier(thunk_base, default_tier())
    }

    /// A CPU of the given tier that stops when EIP reaches `thunk_base` or above.
    pub fn with_tier(thunk_base: u32, tier: Tier) -> X86Cpu {
        let mut cpu = X86Cpu::bare(thunk_base);
        cpu.set_tier(tier);
        cpu
    }

    /// Switches the execution tier (compiled code is dropped when leaving the JIT tier).
    pub fn set_tier(&mut self, tier: Tier) {
        match tier {
            Tier::Jit if jit_supported() => {
                if self.jit.is_none() {
                    self.jit = Some(Box::new(jit::Jit::new()));
                }
            }
            _ => {
                if let Some(mut j) = self.jit.take() {
                    j.flush();
                }
            }
        }
    }

    /// Sets how many times a block runs before the JIT tier translates it (at least 1; the
    /// default is [`threshold`]). No effect on the interpreter tier.
    pub fn set_jit_threshold(&mut self, n: u32) {
        if let Some(j) = self.jit.as_deref_mut() {
            j.set_threshold(n);
        }
    }

    /// Blocks the JIT tier has compiled and holds now (0 for the interpreter tier).
    pub fn compiled_blocks(&self) -> usize {
        self.jit.as_deref().map_or(0, jit::Jit::compiled)
    }

    /// The execution tier in use.
    pub fn tier(&self) -> Tier {
        if self.jit.is_some() {
            Tier::Jit
        } else {
            Tier::Interp
        }
    }

    fn bare(thunk_base: u32) -> X86Cpu {
        X86Cpu {
            thunk_base,
            blocks: Vec::new(),
            map: HashMap::new(),
            fast: Box::new([(u32::MAX, 0); FAST_SLOTS]),
            links: Vec::new(),
            generation: u64::MAX,
            jit: None,
        }
    }

    /// Changes the start of the thunk range (drops the decoded-block cache).
    pub fn set_thunk_base(&mut self, thunk_base: u32) {
        self.thunk_base = thunk_base;
        self.flush();
    }

    /// The start of the thunk range.
    pub fn thunk_base(&self) -> u32 {
        self.thunk_base
    }

    /// Drops every decoded block.
    pub fn flush(&mut self) {
        self.blocks.clear();
        self.links.clear();
        self.map.clear();
        self.fast.fill((u32::MAX, 0));
        if let Some(j) = self.jit.as_deref_mut() {
            j.flush();
        }
    }

    /// Number of decoded blocks in the cache.
    pub fn cached_blocks(&self) -> usize {
        self.blocks.len()
    }

    /// Runs guest code from `state.eip` until an exit, retiring at most `budget`
    /// instructions. `state` is exact on return (EFLAGS included).
    pub fn run<M: GuestMemory + ?Sized>(
        &mut self,
        state: &mut X86State,
        memory: &mut M,
        budget: u64,
    ) -> RunExit {
        self.run_with(state, memory, budget, None)
    }

    /// [`run`](Self::run), offering each jump into the thunk range to `hook` first: a call
    /// it serves (registers and eip set to the caller's continuation) costs one unit of the
    /// budget and the run goes on; one it declines ends the run with [`Exit::Thunk`], as
    /// without a hook.
    pub fn run_with<M: GuestMemory + ?Sized>(
        &mut self,
        state: &mut X86State,
        memory: &mut M,
        budget: u64,
        hook: Option<&mut dyn ThunkHook<M>>,
    ) -> RunExit {
        let mut r = [0u32; 16];
        r[..8].copy_from_slice(&state.gpr);
        let mut ctx = Ctx {
            r,
            eip: state.eip,
            fl: flags::Flags::new(state.eflags),
            fs_base: state.fs_base,
            fpu: std::mem::take(&mut state.x87),
            tsc: state.tsc,
            retired: 0,
            seg: state.selectors,
        };
        let mut retired = 0u64;
        let exit = self.run_loop(&mut ctx, memory, budget, &mut retired, hook);
        ctx.fl.materialize();
        state.gpr.copy_from_slice(&ctx.r[..8]);
        state.eip = ctx.eip;
        state.eflags = ctx.fl.eflags | flags::RESERVED_ONE;
        state.fs_base = ctx.fs_base;
        state.x87 = ctx.fpu;
        state.tsc = ctx.tsc.wrapping_add(retired);
        state.selectors = ctx.seg;
        RunExit { exit, retired }
    }

    /// Finds (or decodes) the block at `eip`, which is not a link hit; fails with the exit
    /// to return when `eip` is in the thunk range or cannot be fetched.
    #[inline(never)]
    fn find<M: GuestMemory + ?Sized>(&mut self, mem: &M, eip: u32) -> Result<u32, Exit> {
        let s = slot(eip);
        // Blocks are only decoded below the thunk base, so a hit is never a thunk.
        if self.fast[s].0 == eip {
            return Ok(self.fast[s].1);
        }
        if eip >= self.thunk_base {
            return Err(Exit::Thunk);
        }
        let idx = match self.map.get(&eip) {
            Some(&i) => i,
            None => match self.decode_block(mem, eip) {
                Ok(i) => i,
                Err(f) => return Err(Exit::AccessViolation(f)),
            },
        };
        self.fast[s] = (eip, idx);
        Ok(idx)
    }

    fn run_loop<M: GuestMemory + ?Sized>(
        &mut self,
        ctx: &mut Ctx,
        mem: &mut M,
        budget: u64,
        retired_out: &mut u64,
        hook: Option<&mut dyn ThunkHook<M>>,
    ) -> Exit {
        let mut retired = *retired_out;
        let exit = self.run_blocks(ctx, mem, budget, &mut retired, hook);
        *retired_out = retired;
        exit
    }

    #[inline(always)]
    fn run_blocks<M: GuestMemory + ?Sized>(
        &mut self,
        ctx: &mut Ctx,
        mem: &mut M,
        mut budget: u64,
        retired: &mut u64,
        mut hook: Option<&mut dyn ThunkHook<M>>,
    ) -> Exit {
        // The block run last, whose links are tried first for the next one (usize::MAX:
        // none).
        let mut prev = usize::MAX;
        loop {
            let generation = mem.code_generation();
            self.generation = generation;
            let eip = ctx.eip;
            if *retired >= budget {
                if eip >= self.thunk_base {
                    return Exit::Thunk;
                }
                return Exit::QuantumExpired;
            }
            // Every link entry maps a block start to the current block for it (links are
            // reset whenever a block is replaced or the cache flushed), and blocks only
            // start below the thunk base, so a hit is never a thunk.
            let mut idx = match self.links.get(prev) {
                Some(l) if l[0].0 == eip => l[0].1,
                Some(l) if l[1].0 == eip => l[1].1,
                _ => {
                    if eip >= self.thunk_base {
                        let served = match hook.as_deref_mut() {
                            Some(h) => {
                                let gpr: &mut [u32; 8] = match (&mut ctx.r[..8]).try_into() {
                                    Ok(g) => g,
                                    Err(_) => return Exit::Thunk,
                                };
                                h.thunk(eip, gpr, mem)
                            }
                            None => None,
                        };
                        let Some(next) = served else {
                            return Exit::Thunk;
                        };
                        // The call took one unit of the budget. `prev` stays the calling
                        // block, whose links (never a thunk's address) then lead to the
                        // block the call returns to.
                        ctx.eip = next;
                        budget -= 1;
                        continue;
                    }
                    let i = match self.find(mem, eip) {
                        Ok(i) => i,
                        Err(e) => return e,
                    };
                    if let (Some(l), Some(b)) = (self.links.get_mut(prev), self.blocks.get(prev)) {
                        // Fill the first entry while it still holds the block's own start.
                        let k = usize::from(l[0].0 != b.start());
                        l[k] = (eip, i);
                    }
                    i
                }
            };
            if self.blocks[idx as usize].checked.get() != generation {
                // Executable memory may have changed since this block was decoded: keep it
                // if its bytes are still there and executable, else decode afresh.
                match self.revalidate(mem, eip, idx) {
                    Ok(i) => idx = i,
                    Err(f) => return Exit::AccessViolation(f),
                }
            }
            prev = idx as usize;
            let block = &self.blocks[idx as usize];
            if let Some(jit) = self.jit.as_deref_mut()
                && let Some(code) = jit.enter(idx, block, self.thunk_base)
                && u64::from(block.count) <= budget - *retired
            {
                match jit::run_compiled(code, ctx, mem, retired, budget, generation) {
                    Ok(()) => continue,
                    Err(f) => return Exit::AccessViolation(f),
                }
            }
            let mut insts = &block.insts[..];
            let mut end = block.end;
            ctx.retired = *retired;
            let left = budget - *retired;
            let mut n = if u64::from(block.count) <= left {
                insts.len()
            } else {
                // Run the operations that fit (a fused pair counts two).
                let mut w = 0u64;
                let mut n = 0;
                for inst in insts {
                    w += u64::from(inst.op.weight());
                    if w > left {
                        break;
                    }
                    n += 1;
                }
                n
            };
            let single;
            if n == 0 {
                // One instruction of budget left and a fused pair next: run its first
                // instruction alone.
                single = match decode_one(mem, eip, &mut Vec::new()) {
                    Ok(i) => [i],
                    Err(f) => return Exit::AccessViolation(f),
                };
                insts = &single[..];
                end = single[0].next;
                n = 1;
            }
            let mut done = 0usize;
            let mut jumped = false;
            for inst in &insts[..n] {
                match ctx.exec(mem, &inst.op, inst.next) {
                    Ok(Flow::Next) => done += 1,
                    Ok(Flow::Fall | Flow::Fall2) if mem.code_generation() != generation => {
                        // Code may have changed: end the block where a block would start.
                        done += inst.op.weight() as usize;
                        jumped = true;
                        ctx.eip = inst.next;
                        break;
                    }
                    Ok(Flow::Fall) => done += 1,
                    Ok(Flow::Fall2) => done += 2,
                    Ok(Flow::Jump) => {
                        done += 1;
                        jumped = true;
                        break;
                    }
                    Ok(Flow::Jump2) => {
                        done += 2;
                        jumped = true;
                        break;
                    }
                    Ok(Flow::Repeat) => {
                        done += 1;
                        jumped = true;
                        ctx.eip = inst.eip;
                        break;
                    }
                    Err(stop) => {
                        *retired += done as u64;
                        return match stop {
                            Stop::Fault(e) => {
                                ctx.eip = inst.eip;
                                match e {
                                    Exit::Unimplemented { mnemonic, .. } => Exit::Unimplemented {
                                        addr: inst.eip,
                                        mnemonic,
                                    },
                                    e => e,
                                }
                            }
                            Stop::Trap(e) => {
                                *retired += 1;
                                ctx.eip = inst.next;
                                e
                            }
                        };
                    }
                }
            }
            *retired += done as u64;
            if !jumped {
                ctx.eip = if n < insts.len() { insts[n].eip } else { end };
            }
        }
    }

    /// Checks a cached block against the current memory; replaces it if the code changed.
    #[cold]
    fn revalidate<M: GuestMemory + ?Sized>(
        &mut self,
        mem: &M,
        eip: u32,
        idx: u32,
    ) -> Result<u32, Fault> {
        let block = &self.blocks[idx as usize];
        let mut now = vec![0u8; block.bytes.len()];
        match mem.fetch_bytes(eip, &mut now) {
            Ok(()) if now[..] == block.bytes[..] => {
                block.checked.set(self.generation);
                return Ok(idx);
            }
            // The block's first page refuses the fetch (a guard page's guard is now gone):
            // that is the fault of running it, reported once as a fresh decode would.
            Err(f) if f.addr >> 12 == eip >> 12 => return Err(f),
            _ => {}
        }
        if self.blocks.len() >= MAX_BLOCKS {
            self.flush();
        }
        let idx = self.decode_block(mem, eip)?;
        self.fast[slot(eip)] = (eip, idx);
        // Links may lead to the replaced block: reset them all (code changes are rare).
        for (i, (l, b)) in self.links.iter_mut().zip(&self.blocks).enumerate() {
            *l = [(b.start(), i as u32); 2];
        }
        Ok(idx)
    }

    /// Decodes the block at `eip` into the cache; fails if its first instruction cannot be
    /// fetched.
    fn decode_block<M: GuestMemory + ?Sized>(&mut self, mem: &M, eip: u32) -> Result<u32, Fault> {
        if self.blocks.len() >= MAX_BLOCKS {
            self.flush();
        }
        let mut insts: Vec<Inst> = Vec::new();
        let mut bytes = Vec::new();
        let mut pc = eip;
        // Guest instructions in the block and in its current segment. A block goes on past
        // conditional branches: each segment (from the block start or the fall-through of a
        // conditional branch) is decoded exactly as a block starting there would be, so
        // block boundaries stay where they would be without the extension.
        let mut count = 0u32;
        let mut seg = 0usize;
        // (insts, bytes, count, pc) at the end of the last complete segment.
        let mut seg_end: Option<(usize, usize, u32, u32)> = None;
        // The last (4 KiB) page the first segment was decoded from.
        let mut touched = 0u64;
        loop {
            if !insts.is_empty() && pc >= self.thunk_base {
                break;
            }
            // Later segments only fetch from pages the first one was decoded from, so that
            // decoding ahead has no effect (such as on a guard page) that running would not.
            let beyond = seg_end.is_some() && (u64::from(pc) + 14) >> 12 > touched;
            let inst = if beyond {
                None
            } else {
                match decode_one(mem, pc, &mut bytes) {
                    Ok(i) => Some(i),
                    Err(f) if insts.is_empty() => return Err(f),
                    Err(_) => break,
                }
            };
            let inst = match (seg_end, inst) {
                (None, Some(i)) => {
                    let last = u64::from(i.eip) + u64::from(i.next.wrapping_sub(i.eip)) - 1;
                    touched = touched.max(last >> 12);
                    i
                }
                (Some(_), Some(i)) if !matches!(i.op, Op::Misc(decode::Misc::Rdtsc)) => i,
                // End the block at the last segment end instead. (RDTSC reads the count at
                // its block's start: keep it in a block of its own segment.)
                (Some((n, nb, c, p)), _) => {
                    insts.truncate(n);
                    bytes.truncate(nb);
                    count = c;
                    pc = p;
                    break;
                }
                (None, None) => break,
            };
            pc = inst.next;
            count += 1;
            seg += 1;
            let jcc = matches!(inst.op, Op::Jcc(..));
            let fused = match insts.last_mut() {
                Some(last) if jcc && seg >= 2 => match decode::fuse(&last.op, &inst.op) {
                    Some(op) => {
                        last.op = op;
                        last.next = inst.next;
                        true
                    }
                    None => false,
                },
                _ => false,
            };
            if !fused {
                insts.push(inst);
            }
            if inst.op.ends_block() || seg >= MAX_BLOCK {
                break;
            }
            if jcc {
                if count as usize >= MAX_SUPERBLOCK {
                    break;
                }
                seg_end = Some((insts.len(), bytes.len(), count, pc));
                seg = 0;
            }
        }
        let idx = self.blocks.len() as u32;
        self.blocks.push(Block {
            count,
            insts: insts.into_boxed_slice(),
            end: pc,
            bytes: bytes.into_boxed_slice(),
            checked: Cell::new(self.generation),
        });
        self.links.push([(eip, idx); 2]);
        self.map.insert(eip, idx);
        Ok(idx)
    }
}

/// The mnemonic of the instruction at `addr` (e.g. `"mov"`), for diagnostics such as the
/// message that names the instruction an unhandled access violation stopped at. Reads the
/// bytes without a protection check failing the call: None when they cannot be read or do
/// not decode.
pub fn mnemonic_at<M: GuestMemory + ?Sized>(memory: &M, addr: u32) -> Option<String> {
    let mut bytes = [0u8; 15];
    let mut len = 0;
    while len < bytes.len() {
        match memory.read_u8(addr.wrapping_add(len as u32)) {
            Ok(b) => bytes[len] = b,
            Err(_) => break,
        }
        len += 1;
    }
    let mut decoder = iced_x86::Decoder::with_ip(
        32,
        &bytes[..len],
        u64::from(addr),
        iced_x86::DecoderOptions::NONE,
    );
    let instruction = decoder.decode();
    if instruction.is_invalid() {
        return None;
    }
    Some(format!("{:?}", instruction.mnemonic()).to_ascii_lowercase())
}
