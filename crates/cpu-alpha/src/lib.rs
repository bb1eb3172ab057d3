//! Alpha AXP user-mode interpreter for ntemu.
//!
//! Runs user-mode Alpha code as Windows NT 4.0-era compilers emitted it over a
//! [`GuestMemory`]: every integer operate instruction, loads and stores (with BWX),
//! LDx_L/STx_C, branches and jumps, byte manipulation, CIX and MVI, RPCC, the memory
//! barriers, and IEEE S/T floating point with the FPCR. The interpreter knows nothing of
//! NT: it runs until something it cannot finish alone and returns that as an [`Exit`]:
//! a jump into the builtin-DLL thunk range, a CALL_PAL, an arithmetic trap, a fault, or the
//! end of the instruction budget.
//!
//! # Addresses
//! Guest memory is 32-bit. An effective address is computed in 64 bits; its low 32 bits
//! are used when the upper 32 bits are the sign extension of bit 31 (as NT's 32-bit
//! pointers always are), and anything else is an access violation reported at the low 32
//! bits of the address. The program counter follows the same rule.
//!
//! # Decoded-block cache
//! Instructions are predecoded into compact 16-byte operations, grouped into blocks
//! (straight-line code up to an unconditional branch, jump or CALL_PAL, at most 64
//! instructions; a taken conditional branch leaves the block) and cached by address. When [`GuestMemory::code_generation`] changes, each cached block is compared
//! with the guest's instruction words (fetched with execute access) before its next use
//! and decoded again if they changed, so self-modifying code works without an `imb`.
//! CALL_PAL `imb` (0x86) also drops the whole cache before [`AlphaCpu::run`] returns the
//! [`Exit::CallPal`] exit, so the kernel need not call [`AlphaCpu::flush`] itself. Code
//! modified inside the block that is executing takes effect at the next block boundary.
//!
//! # Load-locked / store-conditional
//! LDL_L/LDQ_L set [`AlphaState::lock_flag`] and [`AlphaState::lock_address`]. STL_C/STQ_C
//! succeed (store, and write 1 to Ra) only when the flag is set and the address lies in the
//! same 16-byte block as the locked one; they always clear the flag. Any other store clears
//! the flag too, and so does the end of every [`AlphaCpu::run`] call (a context switch).
//!
//! # Unaligned accesses
//! NT for Alpha fixed up unaligned LDL/LDQ/STL/STQ (and LDWU/STW, LDS/LDT/STS/STT) in the
//! kernel, invisibly to the program: they are performed as if aligned and counted in
//! [`AlphaState::unaligned_fixups`]. LDx_L/STx_C are treated the same way.
//!
//! # Floating point
//! IEEE S and T operations are computed exactly in software and rounded once in the
//! rounding mode the instruction names (/C chopped, /M minus infinity, normal, /D dynamic
//! from FPCR.DYN, where DYN may also select plus infinity). S operands are read through the
//! STS mapping of the register and S results written through the LDS mapping.
//!
//! No floating-point exception ever traps, whatever the trap qualifiers and the FPCR
//! trap-disable bits say: results are the IEEE default results, as NT's software completion
//! delivers them with traps disabled, and the exceptions are recorded in the FPCR status
//! bits. Which status bits an instruction records follows the oracle, qemu-alpha: INV, DZE,
//! OVF and IOV always; UNF only with /U; INE unless the instruction has /S without /I (and
//! for CVTQS/CVTQT only with /I). FPCR.SUM is set with any status bit (qemu-alpha never
//! sets it). Denormal operands are computed with (as software completion does), unless
//! FPCR.DNZ treats them as zero. A result that underflows is replaced by a zero of the same
//! sign, with no status bit, unless the instruction has /U and FPCR.UNDZ is clear. A NaN
//! operand gives its quieted NaN; with two NaN operands a quiet one wins over a signaling
//! one, then the larger significand, then the positive one; invalid operations give the
//! quiet NaN 0x7FF8000000000000. CVTTQ and CVTQL return the low-order bits and set IOV (and
//! INE) on integer overflow. MT_FPCR keeps bits 32..=63 (see [`FPCR_MASK`]). VAX F/G/D
//! formats exit as [`Exit::Unimplemented`].
//!
//! # CPU identification
//! IMPLVER returns 1 (EV5 family) and AMASK reports BWX (bit 0) as the only extension
//! present, as an EV56 does; the CIX, FIX and MVI instructions are executed anyway (their
//! literal-operand encodings of function codes 0x30..=0x37, which have no literal form,
//! are illegal instructions, as in qemu-alpha). RPCC returns the low 32 bits of
//! [`AlphaState::cycle_counter`], which advances by one per retired instruction (within a
//! run, RPCC sees the count at the start of its decoded block).

use std::cell::Cell;
use std::collections::HashMap;

use nt_memory::{Access, Fault, FaultKind, GuestMemory};

mod decode;
mod disasm;
mod exec;
mod fp;

pub use disasm::disassemble;

pub use fp::{
    FPCR_DNOD, FPCR_DNZ, FPCR_DYN_SHIFT, FPCR_DZE, FPCR_DZED, FPCR_INE, FPCR_INED, FPCR_INV,
    FPCR_INVD, FPCR_IOV, FPCR_MASK, FPCR_OVF, FPCR_OVFD, FPCR_STATUS, FPCR_SUM, FPCR_UNDZ,
    FPCR_UNF, FPCR_UNFD,
};

use decode::Inst;
use exec::{Ctx, Stop};

/// The instruction at `addr` as assembly text (see [`disassemble`]), or None when its word
/// cannot be fetched (no execute access there).
pub fn instruction_at<M: GuestMemory + ?Sized>(memory: &M, addr: u32) -> Option<String> {
    memory
        .fetch_u32(addr)
        .ok()
        .map(|word| disassemble(word, addr))
}

/// Where ntemu's builtin-DLL thunks start: reaching this address or above stops the CPU.
pub const DEFAULT_THUNK_BASE: u32 = 0x7FFF_0000;

/// The FPCR after reset as NT user mode sees it: dynamic rounding mode normal.
pub const FPCR_DEFAULT: u64 = 2 << FPCR_DYN_SHIFT;

/// CALL_PAL function numbers NT user mode uses.
pub mod pal {
    /// Breakpoint trap.
    pub const BPT: u32 = 0x80;
    /// System call.
    pub const CALLSYS: u32 = 0x83;
    /// Instruction memory barrier (the interpreter flushes its decode cache).
    pub const IMB: u32 = 0x86;
    /// Generate a software trap (a0 names the condition).
    pub const GENTRAP: u32 = 0xAA;
    /// Read the TEB address into v0.
    pub const RDTEB: u32 = 0xAB;
}

/// Integer register numbers in the software naming convention.
pub mod reg {
    /// v0: function result.
    pub const V0: usize = 0;
    /// a0, the first argument register (a1..a5 are 17..21).
    pub const A0: usize = 16;
    /// ra: return address.
    pub const RA: usize = 26;
    /// pv / t12: procedure value.
    pub const PV: usize = 27;
    /// at: assembler temporary.
    pub const AT: usize = 28;
    /// gp: global pointer.
    pub const GP: usize = 29;
    /// sp: stack pointer.
    pub const SP: usize = 30;
    /// zero: always reads as zero.
    pub const ZERO: usize = 31;
}

/// The architectural state of one guest thread's CPU.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlphaState {
    /// Integer registers r0..r31; r31 reads as zero whatever is stored here.
    pub r: [u64; 32],
    /// Floating registers f0..f31 (raw 64-bit T-format bits); f31 reads as zero.
    pub f: [u64; 32],
    /// Program counter (a sign-extended 32-bit address).
    pub pc: u64,
    /// The floating-point control register (see the `FPCR_*` constants).
    pub fpcr: u64,
    /// The load-locked flag.
    pub lock_flag: bool,
    /// The address of the last LDx_L.
    pub lock_address: u64,
    /// Process cycle counter read by RPCC (its low 32 bits); advances with retired
    /// instructions.
    pub cycle_counter: u64,
    /// Unaligned data accesses performed as if aligned (NT's kernel fix-ups).
    pub unaligned_fixups: u64,
}

impl Default for AlphaState {
    fn default() -> AlphaState {
        AlphaState::new()
    }
}

impl AlphaState {
    /// Initial state: registers zero, PC zero, FPCR = [`FPCR_DEFAULT`], no lock.
    pub fn new() -> AlphaState {
        AlphaState {
            r: [0; 32],
            f: [0; 32],
            pc: 0,
            fpcr: FPCR_DEFAULT,
            lock_flag: false,
            lock_address: 0,
            cycle_counter: 0,
            unaligned_fixups: 0,
        }
    }
}

/// Why [`AlphaCpu::run`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The instruction budget is used up; PC is the next instruction to run.
    QuantumExpired,
    /// PC reached the thunk range (its low 32 bits at or above the thunk base); PC is left
    /// there.
    Thunk,
    /// CALL_PAL with this function number (any number: the kernel decides which are legal
    /// in user mode); PC is after the instruction. After `imb` (0x86) the decode cache has
    /// already been flushed.
    CallPal(u32),
    /// An ADDL/V, ADDQ/V, SUBL/V, SUBQ/V, MULL/V or MULQ/V overflowed (an arithmetic trap,
    /// STATUS_INTEGER_OVERFLOW under NT): the destination register has been written with
    /// the truncated result and PC is after the instruction.
    IntegerOverflow,
    /// A reserved or privileged opcode or function code; PC is at the instruction.
    IllegalInstruction {
        /// Address of the instruction (low 32 bits).
        addr: u32,
        /// The instruction word.
        word: u32,
    },
    /// A valid instruction this interpreter does not implement (VAX floating point: the
    /// F/G/D operates on opcode 0x15, SQRTF/SQRTG, ITOFF, LDF/LDG/STF/STG; and RC/RS); PC is
    /// at the instruction.
    Unimplemented {
        /// Address of the instruction (low 32 bits).
        addr: u32,
        /// The instruction word.
        word: u32,
        /// What it is, e.g. `"vax-float-operate"`.
        mnemonic: &'static str,
    },
    /// A memory access (data or instruction fetch) the page protections refused, or an
    /// address whose upper 32 bits are not the sign extension of bit 31 (reported at its low
    /// 32 bits). PC is at the faulting instruction (for a fetch: the unfetchable address),
    /// and the instruction has not taken effect.
    AccessViolation(Fault),
}

/// What serves jumps into the thunk range without ending a run ([`AlphaCpu::run_with`]): the
/// builtin calls that need only the caller's registers and memory.
pub trait ThunkHook<M: ?Sized> {
    /// Serves a jump to `pc` (in the thunk range) with the integer registers `r` (r0-r31):
    /// the address to go on at when served, with `r` set as the call leaves them; None, with
    /// nothing changed, to end the run with [`Exit::Thunk`].
    fn thunk(&mut self, pc: u64, r: &mut [u64; 32], memory: &mut M) -> Option<u64>;
}

/// The result of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunExit {
    /// Why the run stopped.
    pub exit: Exit,
    /// Guest instructions retired during the run (CALL_PAL and a trapping /V instruction
    /// count; a faulting instruction does not).
    pub retired: u64,
}

/// Straight-line decoded code.
#[derive(Debug)]
struct Block {
    insts: Box<[Inst]>,
    /// The instruction words the block was decoded from.
    words: Box<[u32]>,
    /// The memory's code generation at which `words` were last known to be current.
    checked: Cell<u64>,
}

/// Most instructions in one decoded block.
const MAX_BLOCK: usize = 64;
/// Blocks kept before a full flush.
const MAX_BLOCKS: usize = 1 << 16;
const FAST_SLOTS: usize = 4096;

#[inline(always)]
fn slot(pc: u32) -> usize {
    ((pc >> 2) ^ (pc >> 14)) as usize & (FAST_SLOTS - 1)
}

/// The low 32 bits of a 64-bit address, when it is a sign-extended 32-bit value.
#[inline(always)]
pub(crate) fn addr32(v: u64) -> Option<u32> {
    if v as i32 as i64 as u64 == v {
        Some(v as u32)
    } else {
        None
    }
}

/// The interpreter: holds the decoded-block cache. One per guest process (or per thread;
/// the cache is only an optimisation).
pub struct AlphaCpu {
    thunk_base: u32,
    blocks: Vec<Block>,
    map: HashMap<u32, u32>,
    /// Direct-mapped (guest address, block index) cache in front of `map`.
    fast: Box<[(u32, u32); FAST_SLOTS]>,
    generation: u64,
}

impl std::fmt::Debug for AlphaCpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlphaCpu")
            .field("thunk_base", &self.thunk_base)
            .field("cached_blocks", &self.blocks.len())
            .finish()
    }
}

impl Default for AlphaCpu {
    fn default() -> AlphaCpu {
        AlphaCpu::new(DEFAULT_THUNK_BASE)
    }
}

impl AlphaCpu {
    /// An interpreter that stops when PC reaches `thunk_base` or above.
    pub fn new(thunk_base: u32) -> AlphaCpu {
        AlphaCpu {
            thunk_base,
            blocks: Vec::new(),
            map: HashMap::new(),
            fast: Box::new([(u32::MAX, 0); FAST_SLOTS]),
            generation: u64::MAX,
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
        self.map.clear();
        self.fast.fill((u32::MAX, 0));
    }

    /// Number of decoded blocks in the cache.
    pub fn cached_blocks(&self) -> usize {
        self.blocks.len()
    }

    /// Runs guest code from `state.pc` until an exit, retiring at most `budget`
    /// instructions. The lock flag is cleared on return (a context switch).
    pub fn run<M: GuestMemory + ?Sized>(
        &mut self,
        state: &mut AlphaState,
        memory: &mut M,
        budget: u64,
    ) -> RunExit {
        self.run_with(state, memory, budget, None)
    }

    /// [`run`](Self::run), offering each jump into the thunk range to `hook` first: a call
    /// it serves (registers and pc set to the caller's continuation) costs one unit of the
    /// budget and the run goes on; one it declines ends the run with [`Exit::Thunk`], as
    /// without a hook.
    pub fn run_with<M: GuestMemory + ?Sized>(
        &mut self,
        state: &mut AlphaState,
        memory: &mut M,
        budget: u64,
        hook: Option<&mut dyn ThunkHook<M>>,
    ) -> RunExit {
        let mut ctx = Ctx::new(state);
        let mut retired = 0u64;
        let exit = self.run_loop(&mut ctx, memory, budget, &mut retired, hook);
        if exit == Exit::CallPal(pal::IMB) {
            self.flush();
        }
        ctx.store(state, retired);
        state.lock_flag = false;
        RunExit { exit, retired }
    }

    fn run_loop<M: GuestMemory + ?Sized>(
        &mut self,
        ctx: &mut Ctx,
        mem: &mut M,
        mut budget: u64,
        retired: &mut u64,
        mut hook: Option<&mut dyn ThunkHook<M>>,
    ) -> Exit {
        loop {
            self.generation = mem.code_generation();
            let Some(pc32) = addr32(ctx.pc) else {
                return Exit::AccessViolation(Fault {
                    addr: ctx.pc as u32,
                    access: Access::Execute,
                    kind: FaultKind::AccessViolation,
                });
            };
            if *retired >= budget {
                if pc32 >= self.thunk_base {
                    return Exit::Thunk;
                }
                return Exit::QuantumExpired;
            }
            let s = slot(pc32);
            // Blocks are only decoded below the thunk base, so a hit is never a thunk.
            let mut idx = if self.fast[s].0 == pc32 {
                self.fast[s].1
            } else {
                if pc32 >= self.thunk_base {
                    let served = match hook.as_deref_mut() {
                        Some(h) => {
                            let r: &mut [u64; 32] = match (&mut ctx.r[..32]).try_into() {
                                Ok(r) => r,
                                Err(_) => return Exit::Thunk,
                            };
                            h.thunk(ctx.pc, r, mem)
                        }
                        None => None,
                    };
                    match served {
                        Some(next) => {
                            // The call took one unit of the budget.
                            ctx.r[31] = 0;
                            ctx.pc = next;
                            budget -= 1;
                            continue;
                        }
                        None => return Exit::Thunk,
                    }
                }
                let idx = match self.map.get(&pc32) {
                    Some(&i) => i,
                    None => match self.decode_block(mem, pc32) {
                        Ok(i) => i,
                        Err(f) => return Exit::AccessViolation(f),
                    },
                };
                self.fast[s] = (pc32, idx);
                idx
            };
            if self.blocks[idx as usize].checked.get() != self.generation {
                match self.revalidate(mem, pc32, idx) {
                    Ok(i) => idx = i,
                    Err(f) => return Exit::AccessViolation(f),
                }
            }
            let block = &self.blocks[idx as usize];
            let insts = &block.insts[..];
            let left = budget - *retired;
            let n = if (insts.len() as u64) <= left {
                insts.len()
            } else {
                left as usize
            };
            ctx.retired = *retired;
            let base = ctx.pc;
            let mut done = 0usize;
            let mut next = None;
            for inst in &insts[..n] {
                let pc = base.wrapping_add(4 * done as u64);
                match ctx.exec(mem, inst, pc) {
                    Ok(None) => done += 1,
                    Ok(Some(target)) => {
                        done += 1;
                        next = Some(target);
                        break;
                    }
                    Err(stop) => {
                        return match stop {
                            Stop::Fault(e) => {
                                *retired += done as u64;
                                ctx.pc = pc;
                                e
                            }
                            Stop::Trap(e) => {
                                *retired += done as u64 + 1;
                                ctx.pc = pc.wrapping_add(4);
                                e
                            }
                        };
                    }
                }
            }
            *retired += done as u64;
            ctx.pc = match next {
                Some(t) => t,
                None => base.wrapping_add(4 * done as u64),
            };
        }
    }

    /// Checks a cached block against the current memory; replaces it if the code changed.
    #[cold]
    fn revalidate<M: GuestMemory + ?Sized>(
        &mut self,
        mem: &M,
        pc: u32,
        idx: u32,
    ) -> Result<u32, Fault> {
        let block = &self.blocks[idx as usize];
        // The first word's fault (a guard page's guard is now gone) is the fault of running
        // the block, reported once as a fresh decode would.
        let first = mem.fetch_u32(pc)?;
        let same = block.words.first() == Some(&first)
            && block
                .words
                .iter()
                .enumerate()
                .skip(1)
                .all(|(i, &w)| mem.fetch_u32(pc.wrapping_add(4 * i as u32)) == Ok(w));
        if same {
            block.checked.set(self.generation);
            return Ok(idx);
        }
        let idx = self.decode_block(mem, pc)?;
        self.fast[slot(pc)] = (pc, idx);
        Ok(idx)
    }

    /// Decodes the block at `pc` into the cache; fails if its first instruction cannot be
    /// fetched.
    fn decode_block<M: GuestMemory + ?Sized>(&mut self, mem: &M, pc: u32) -> Result<u32, Fault> {
        if self.blocks.len() >= MAX_BLOCKS {
            self.flush();
        }
        let mut insts = Vec::new();
        let mut words = Vec::new();
        let mut at = pc;
        loop {
            if !insts.is_empty() && (at >= self.thunk_base || at == 0) {
                break;
            }
            let w = match mem.fetch_u32(at) {
                Ok(w) => w,
                Err(f) if insts.is_empty() => return Err(f),
                Err(_) => break,
            };
            let inst = decode::decode(w, at as i32 as i64 as u64);
            insts.push(inst);
            words.push(w);
            at = at.wrapping_add(4);
            if inst.ends_block() || insts.len() >= MAX_BLOCK {
                break;
            }
        }
        let idx = self.blocks.len() as u32;
        self.blocks.push(Block {
            insts: insts.into_boxed_slice(),
            words: words.into_boxed_slice(),
            checked: Cell::new(self.generation),
        });
        self.map.insert(pc, idx);
        Ok(idx)
    }
}
