//! The JIT tier: hot decoded blocks translated to host code with Cranelift.
//!
//! Design (first tier, see also `X86Cpu`'s module doc):
//! - Each decoded block (see `X86Cpu::decode_block`) has an execution counter; when it reaches
//!   the threshold ([`threshold`], default [`DEFAULT_THRESHOLD`], `NTEMU_JIT_THRESHOLD`) the
//!   block is translated. A block whose first operation is outside the translated subset is
//!   never translated; one with such an operation later is translated up to it and exits to
//!   the interpreter there (which decodes a block starting at that instruction).
//! - The generated function takes the interpreter's own `Ctx` and a [`JitEnv`]: the eight
//!   registers and the lazy-flags record (`Flags`: kind, size, operands, result, carry-in,
//!   EFLAGS) are loaded into SSA variables at entry and stored back at every exit, with
//!   exactly the values the interpreter would have left (the same lazy record, field by
//!   field), so interpreted and compiled blocks mix freely and EFLAGS stay exact.
//! - Guest memory goes through one helper call per access (`rd8`..`wr32`, monomorphised
//!   for the memory type), which runs the same [`GuestMemory`] method the interpreter runs:
//!   page protections, guard pages, copy-on-write and code-page tracking are enforced by
//!   nt-memory exactly as for the interpreter. A fault stores the [`Fault`] and the block
//!   exits with the registers, flags and EIP of the faulting instruction and the count of
//!   the instructions before it: the run returns the same `Exit::AccessViolation` the
//!   interpreter returns (the access is not retried, so a guard page fires once).
//! - Instruction counts are exact: a block is entered only when its whole instruction count
//!   fits in the budget left (else the interpreter runs it, partly), every exit adds the
//!   number of instructions completed before it, and a branch back to the block's own start
//!   loops inside the generated code only while another whole pass fits in the budget.
//! - Self-modifying code: every write helper notes when the memory's code generation moved;
//!   at each not-taken conditional branch and loop back edge after a write the block exits
//!   (where the interpreter ends its block), and the run loop revalidates the block before
//!   it is entered again, exactly as for interpreted blocks. A replaced block gets a fresh
//!   index and so a fresh counter; compiled code of a dropped block is never entered again.
//! - The code cache is bounded: after [`MAX_COMPILED`] compiled blocks (or a flush of the
//!   decoded-block cache) the whole Cranelift module is freed and blocks recompile when hot.
#![allow(unsafe_code)]

use std::mem::offset_of;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, AtomicU32, Ordering};

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    self, AbiParam, BlockArg, InstBuilder, MemFlagsData, SigRef, Signature, Value, types,
};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{Module, default_libcall_names};
use nt_memory::{Fault, GuestMemory};

use crate::decode::{Alu, Mem, Misc, NOREG, Op, Opnd, Sh, Un};
use crate::exec::Ctx;
use crate::flags::{CF, Flags, Kind, OF, PF, SF, STATUS, Sz, ZF};
use crate::{Block, Tier};

/// Executions of a block after which it is translated (when `NTEMU_JIT_THRESHOLD` does not
/// say otherwise). Translating a block costs about as much as interpreting it a few
/// thousand times (measured: see the report in BENCHMARKS.md / the JIT note), so code that
/// runs a block fewer times than this never pays for a translation.
pub const DEFAULT_THRESHOLD: u32 = 2000;

/// Compiled blocks kept before the whole code cache is freed.
pub(crate) const MAX_COMPILED: usize = 4096;

/// A threshold set by [`set_default_threshold`] (0: none).
static THRESHOLD: AtomicU32 = AtomicU32::new(0);

/// Sets the translation threshold new CPUs get (process-wide; at least 1), overriding
/// `NTEMU_JIT_THRESHOLD`: for differential tests that translate every block at once.
pub fn set_default_threshold(n: u32) {
    THRESHOLD.store(n.max(1), Ordering::Relaxed);
}

/// The translation threshold new CPUs get: the one [`set_default_threshold`] set, else
/// `NTEMU_JIT_THRESHOLD` (at least 1) when set, else [`DEFAULT_THRESHOLD`].
pub fn threshold() -> u32 {
    let set = THRESHOLD.load(Ordering::Relaxed);
    if set != 0 {
        return set;
    }
    static T: OnceLock<u32> = OnceLock::new();
    *T.get_or_init(|| {
        std::env::var("NTEMU_JIT_THRESHOLD")
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
            .map(|n| n.max(1))
            .unwrap_or(DEFAULT_THRESHOLD)
    })
}

/// 0: not set; 1: interpreter; 2: JIT.
static DEFAULT_TIER: AtomicU8 = AtomicU8::new(0);

/// Sets the tier [`crate::X86Cpu::new`] gives new CPUs from now on (process-wide; the
/// `--cpu` option of the command line).
pub fn set_default_tier(tier: Tier) {
    DEFAULT_TIER.store(
        match tier {
            Tier::Interp => 1,
            Tier::Jit => 2,
        },
        Ordering::Relaxed,
    );
}

/// The tier new CPUs get: the one set by [`set_default_tier`], else `NTEMU_CPU`
/// (`interp` or `jit`), else the interpreter.
pub fn default_tier() -> Tier {
    match DEFAULT_TIER.load(Ordering::Relaxed) {
        1 => return Tier::Interp,
        2 => return Tier::Jit,
        _ => {}
    }
    static ENV: OnceLock<Tier> = OnceLock::new();
    *ENV.get_or_init(|| match std::env::var("NTEMU_CPU").as_deref() {
        Ok("jit") if jit_supported() => Tier::Jit,
        _ => Tier::Interp,
    })
}

/// Whether this host can run the JIT tier (x86-64 only for now).
pub fn jit_supported() -> bool {
    cfg!(target_arch = "x86_64")
}

/// How a compiled block ended.
const EXIT_CONTINUE: u32 = 0;
const EXIT_FAULT: u32 = 1;

type RdFn = extern "C" fn(*mut JitEnv, u32) -> u64;
type WrFn = extern "C" fn(*mut JitEnv, u32, u32) -> u32;
type CondFn = extern "C" fn(*const Ctx, u32) -> u32;
type CfFn = extern "C" fn(*const Ctx) -> u32;

/// What generated code reaches besides `Ctx`: the memory (through the helpers), the
/// instruction count and budget, and where a fault is left.
#[repr(C)]
pub(crate) struct JitEnv {
    /// Points at a `&mut M` for the helpers' memory type `M`.
    mem: *mut (),
    retired: u64,
    budget: u64,
    generation: u64,
    gen_dirty: u32,
    rd: [RdFn; 3],
    wr: [WrFn; 3],
    cond: CondFn,
    cf: CfFn,
    fault: Option<Fault>,
}

/// The memory behind `env`.
///
/// # Safety
/// `env` must be the `JitEnv` [`run_compiled`] made for the current call, for memory type
/// `M`.
unsafe fn env_mem<'a, M: GuestMemory + ?Sized>(env: *mut JitEnv) -> (&'a mut JitEnv, &'a mut M) {
    // SAFETY: per this function's contract `env` is live and exclusive for the call (the
    // generated code holds only the raw pointer), and its `mem` points at the `&mut M` that
    // `run_compiled` keeps on its stack and does not touch while generated code runs.
    unsafe {
        let e = &mut *env;
        let m = &mut **(e.mem as *mut &mut M);
        (e, m)
    }
}

extern "C" fn rd_helper<M: GuestMemory + ?Sized, const N: u32>(env: *mut JitEnv, addr: u32) -> u64 {
    // SAFETY: generated code passes the env pointer it was called with (see run_compiled).
    let (e, m) = unsafe { env_mem::<M>(env) };
    let r = match N {
        1 => m.read_u8(addr).map(u32::from),
        2 => m.read_u16(addr).map(u32::from),
        _ => m.read_u32(addr),
    };
    match r {
        Ok(v) => u64::from(v),
        Err(f) => {
            e.fault = Some(f);
            1 << 32
        }
    }
}

extern "C" fn wr_helper<M: GuestMemory + ?Sized, const N: u32>(
    env: *mut JitEnv,
    addr: u32,
    v: u32,
) -> u32 {
    // SAFETY: generated code passes the env pointer it was called with (see run_compiled).
    let (e, m) = unsafe { env_mem::<M>(env) };
    let r = match N {
        1 => m.write_u8(addr, v as u8),
        2 => m.write_u16(addr, v as u16),
        _ => m.write_u32(addr, v),
    };
    match r {
        Ok(()) => {
            if m.code_generation() != e.generation {
                e.gen_dirty = 1;
            }
            0
        }
        Err(f) => {
            e.fault = Some(f);
            1
        }
    }
}

extern "C" fn cond_helper(ctx: *const Ctx, cc: u32) -> u32 {
    // SAFETY: generated code passes the Ctx pointer it was called with, live for the call;
    // nothing else accesses it while the helper runs.
    let c = unsafe { &*ctx };
    u32::from(c.fl.cond(cc as u8))
}

extern "C" fn cf_helper(ctx: *const Ctx) -> u32 {
    // SAFETY: as for cond_helper.
    let c = unsafe { &*ctx };
    u32::from(c.fl.cf())
}

/// Per decoded block: how often it ran, or its compiled code.
#[derive(Clone, Copy)]
enum Slot {
    Count(u32),
    Compiled(usize),
    Failed,
}

/// The compiled-code cache of one `X86Cpu`.
pub(crate) struct Jit {
    module: Option<JITModule>,
    fctx: FunctionBuilderContext,
    slots: Vec<Slot>,
    compiled: usize,
    threshold: u32,
}

impl Jit {
    pub(crate) fn new() -> Jit {
        Jit {
            module: None,
            fctx: FunctionBuilderContext::new(),
            slots: Vec::new(),
            compiled: 0,
            threshold: threshold(),
        }
    }

    /// Sets the translation threshold (at least 1) for blocks not yet translated.
    pub(crate) fn set_threshold(&mut self, n: u32) {
        self.threshold = n.max(1);
    }

    /// Blocks compiled and in the cache now.
    pub(crate) fn compiled(&self) -> usize {
        self.compiled
    }

    /// Drops every compiled block and every counter (the decoded blocks were dropped).
    pub(crate) fn flush(&mut self) {
        self.slots.clear();
        self.compiled = 0;
        if let Some(m) = self.module.take() {
            // SAFETY: flush runs outside generated code (from the run loop between blocks or
            // through `&mut X86Cpu`), and every pointer into the module lived in `slots`,
            // cleared above, so no freed code is entered again.
            unsafe { m.free_memory() };
        }
    }

    /// Counts one execution of block `idx`; its compiled code when it has some.
    #[inline]
    pub(crate) fn enter(&mut self, idx: u32, block: &Block, thunk_base: u32) -> Option<usize> {
        let i = idx as usize;
        if i >= self.slots.len() {
            self.slots.resize(i + 1, Slot::Count(0));
        }
        match self.slots[i] {
            Slot::Compiled(f) => Some(f),
            Slot::Failed => None,
            Slot::Count(n) if n + 1 < self.threshold => {
                self.slots[i] = Slot::Count(n + 1);
                None
            }
            Slot::Count(_) => {
                if self.compiled >= MAX_COMPILED {
                    self.flush();
                    self.slots.resize(i + 1, Slot::Count(0));
                }
                let s = match self.compile(block, thunk_base) {
                    Some(f) => {
                        self.compiled += 1;
                        Slot::Compiled(f)
                    }
                    None => Slot::Failed,
                };
                self.slots[i] = s;
                match s {
                    Slot::Compiled(f) => Some(f),
                    _ => None,
                }
            }
        }
    }

    fn compile(&mut self, block: &Block, thunk_base: u32) -> Option<usize> {
        if !translatable(&block.insts.first()?.op) {
            return None;
        }
        // RDTSC reads the count at its block's start: a block translated up to it would
        // leave RDTSC at the start of another block and change what it reads.
        if block
            .insts
            .iter()
            .any(|i| matches!(i.op, Op::Misc(Misc::Rdtsc)))
        {
            return None;
        }
        if self.module.is_none() {
            let mut fb = settings::builder();
            fb.set("opt_level", "speed").ok()?;
            // The translator's output is checked by the differential tests instead.
            fb.set("enable_verifier", "false").ok()?;
            fb.set("use_colocated_libcalls", "false").ok()?;
            fb.set("is_pic", "false").ok()?;
            let isa = cranelift_native::builder()
                .ok()?
                .finish(settings::Flags::new(fb))
                .ok()?;
            self.module = Some(JITModule::new(JITBuilder::with_isa(
                isa,
                default_libcall_names(),
            )));
        }
        let module = self.module.as_mut()?;
        let ptr = module.target_config().pointer_type();
        let mut sig = module.make_signature();
        sig.params.push(AbiParam::new(ptr));
        sig.params.push(AbiParam::new(ptr));
        sig.returns.push(AbiParam::new(types::I32));
        let id = module.declare_anonymous_function(&sig).ok()?;
        let mut cctx = module.make_context();
        cctx.func.signature = sig;
        {
            let b = FunctionBuilder::new(&mut cctx.func, &mut self.fctx);
            let mut t = Tr::new(b, ptr, module.isa().default_call_conv(), block, thunk_base);
            t.body();
            t.finish_exit();
            t.b.seal_all_blocks();
            t.b.finalize(module.target_config());
        }
        module.define_function(id, &mut cctx).ok()?;
        module.clear_context(&mut cctx);
        module.finalize_definitions().ok()?;
        Some(module.get_finalized_function(id) as usize)
    }
}

/// Runs compiled block `code` on `ctx`: Ok when it ended at an instruction boundary (EIP and
/// `retired` updated), Err with the fault of the instruction EIP is left at.
pub(crate) fn run_compiled<M: GuestMemory + ?Sized>(
    code: usize,
    ctx: &mut Ctx,
    mem: &mut M,
    retired: &mut u64,
    budget: u64,
    generation: u64,
) -> Result<(), Fault> {
    let mut mref: &mut M = mem;
    let mut env = JitEnv {
        mem: &mut mref as *mut &mut M as *mut (),
        retired: *retired,
        budget,
        generation,
        gen_dirty: 0,
        rd: [
            rd_helper::<M, 1> as RdFn,
            rd_helper::<M, 2> as RdFn,
            rd_helper::<M, 4> as RdFn,
        ],
        wr: [
            wr_helper::<M, 1> as WrFn,
            wr_helper::<M, 2> as WrFn,
            wr_helper::<M, 4> as WrFn,
        ],
        cond: cond_helper,
        cf: cf_helper,
        fault: None,
    };
    // SAFETY: `code` is the entry of a function Jit::compile generated with the signature
    // (ctx, env) -> u32 in the C calling convention, from a module not freed since (slots
    // are cleared whenever it is). The generated code reads and writes only the Ctx and
    // JitEnv fields at their `offset_of!` offsets (within those structs, with the field
    // types' sizes: u32 registers and flag operands, u8 `Kind`/`Sz` discriminants of valid
    // values, u64 counts) and calls the helpers in `env`, which reach `mref` through it.
    // `ctx` and `env` are exclusively borrowed for the call.
    let rc = unsafe {
        let f: extern "C" fn(*mut Ctx, *mut JitEnv) -> u32 = std::mem::transmute(code);
        f(ctx, &mut env)
    };
    *retired = env.retired;
    if rc == EXIT_FAULT {
        return Err(env.fault.unwrap_or(Fault {
            addr: ctx.eip,
            access: nt_memory::Access::Read,
            kind: nt_memory::FaultKind::AccessViolation,
        }));
    }
    Ok(())
}

/// Whether the translator handles `op`.
fn translatable(op: &Op) -> bool {
    let plain = |o: &Opnd| matches!(o, Opnd::Reg(_) | Opnd::Mem(_) | Opnd::Imm(_));
    match op {
        Op::AluRR(..)
        | Op::AluRI(..)
        | Op::AluRM(..)
        | Op::AluMR(..)
        | Op::AluMI(..)
        | Op::MovRR(..)
        | Op::MovRI(..)
        | Op::MovRM(..)
        | Op::MovMR(..)
        | Op::MovMI(..)
        | Op::Lea(..)
        | Op::PushR(_)
        | Op::PushI(_)
        | Op::PopR(_)
        | Op::IncR(_)
        | Op::DecR(_)
        | Op::MovzxRM8(..)
        | Op::Jcc(..)
        | Op::FusedRR(..)
        | Op::FusedRI(..)
        | Op::FusedRM(..)
        | Op::IncJcc(..)
        | Op::DecJcc(..)
        | Op::Jmp(_)
        | Op::Call(_)
        | Op::Ret(_) => true,
        Op::ShiftRI(sh, _, _) => matches!(sh, Sh::Shl | Sh::Shr | Sh::Sar),
        Op::Alu(_, _, d, s) => !matches!(d, Opnd::Imm(_)) && plain(s),
        Op::Mov(_, d, s) => !matches!(d, Opnd::Imm(_)) && plain(s),
        Op::Movx(_, Sz::D, ssz, _, s) => *ssz != Sz::D && !matches!(s, Opnd::Imm(_)),
        Op::Imul(Sz::D, _, a, b) => !matches!(a, Opnd::Imm(_)) && plain(b),
        Op::Setcc(_, d) => !matches!(d, Opnd::Imm(_)),
        Op::Cmov(_, Sz::D, _, s) => !matches!(s, Opnd::Imm(_)),
        Op::Unary(Un::Neg | Un::Not, _, d) => !matches!(d, Opnd::Imm(_)),
        Op::Misc(Misc::Nop | Misc::Cdq | Misc::Cwde) => true,
        _ => false,
    }
}

const NOARGS: &[BlockArg] = &[];

/// What the translator knows at compile time about the lazy-flags record.
#[derive(Clone, Copy)]
struct Known {
    kind: Kind,
    sz: Sz,
    /// The carry-in is known to be zero.
    cin_zero: bool,
}

/// A pending update of the lazy-flags record (committed after the instruction's stores).
enum Upd {
    None,
    Add(Sz, Value, Value, Value, Value, bool),
    Sub(Sz, Value, Value, Value, Value, bool),
    Logic(Sz, Value),
}

/// One block's translation.
struct Tr<'a, 'b> {
    b: FunctionBuilder<'a>,
    ctx: Value,
    env: Value,
    regs: [Variable; 8],
    fk: Variable,
    fsz: Variable,
    fa: Variable,
    fb: Variable,
    fres: Variable,
    fcin: Variable,
    fef: Variable,
    ret: Variable,
    fs_base: Value,
    known: Option<Known>,
    rd_sig: SigRef,
    wr_sig: SigRef,
    cond_sig: SigRef,
    cf_sig: SigRef,
    ptr: ir::Type,
    block: &'b Block,
    thunk_base: u32,
    head: ir::Block,
    /// The shared exit: parameters EIP, instructions done, return code.
    exit_blk: ir::Block,
    /// Guest instructions completed in this pass before the current operation.
    done: u32,
    /// A memory write happened earlier in this pass.
    wrote: bool,
    /// Address of the current operation (where a fault leaves EIP).
    cur: u32,
}

fn mf() -> MemFlagsData {
    MemFlagsData::trusted()
}

const OFF_R: i32 = offset_of!(Ctx, r) as i32;
const OFF_EIP: i32 = offset_of!(Ctx, eip) as i32;
const OFF_FS: i32 = offset_of!(Ctx, fs_base) as i32;
const OFF_EF: i32 = (offset_of!(Ctx, fl) + offset_of!(Flags, eflags)) as i32;
const OFF_KIND: i32 = (offset_of!(Ctx, fl) + offset_of!(Flags, kind)) as i32;
const OFF_SZ: i32 = (offset_of!(Ctx, fl) + offset_of!(Flags, sz)) as i32;
const OFF_A: i32 = (offset_of!(Ctx, fl) + offset_of!(Flags, a)) as i32;
const OFF_B: i32 = (offset_of!(Ctx, fl) + offset_of!(Flags, b)) as i32;
const OFF_RES: i32 = (offset_of!(Ctx, fl) + offset_of!(Flags, res)) as i32;
const OFF_CIN: i32 = (offset_of!(Ctx, fl) + offset_of!(Flags, cin)) as i32;
const ENV_RETIRED: i32 = offset_of!(JitEnv, retired) as i32;
const ENV_BUDGET: i32 = offset_of!(JitEnv, budget) as i32;
const ENV_DIRTY: i32 = offset_of!(JitEnv, gen_dirty) as i32;
const ENV_RD: i32 = offset_of!(JitEnv, rd) as i32;
const ENV_WR: i32 = offset_of!(JitEnv, wr) as i32;
const ENV_COND: i32 = offset_of!(JitEnv, cond) as i32;
const ENV_CF: i32 = offset_of!(JitEnv, cf) as i32;

fn sz_index(sz: Sz) -> i32 {
    match sz {
        Sz::B => 0,
        Sz::W => 1,
        Sz::D => 2,
    }
}

impl<'a, 'b> Tr<'a, 'b> {
    fn new(
        mut b: FunctionBuilder<'a>,
        ptr: ir::Type,
        cc: cranelift_codegen::isa::CallConv,
        block: &'b Block,
        thunk_base: u32,
    ) -> Tr<'a, 'b> {
        let i32t = types::I32;
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let ctx = b.block_params(entry)[0];
        let env = b.block_params(entry)[1];
        let regs = std::array::from_fn(|_| b.declare_var(i32t));
        for (i, v) in regs.iter().enumerate() {
            let x = b.ins().load(i32t, mf(), ctx, OFF_R + 4 * i as i32);
            b.def_var(*v, x);
        }
        let var = |b: &mut FunctionBuilder<'a>, ty, off: i32, byte: bool| {
            let v = b.declare_var(ty);
            let x = if byte {
                b.ins().uload8(i32t, mf(), ctx, off)
            } else {
                b.ins().load(ty, mf(), ctx, off)
            };
            b.def_var(v, x);
            v
        };
        let fk = var(&mut b, i32t, OFF_KIND, true);
        let fsz = var(&mut b, i32t, OFF_SZ, true);
        let fa = var(&mut b, i32t, OFF_A, false);
        let fb = var(&mut b, i32t, OFF_B, false);
        let fres = var(&mut b, i32t, OFF_RES, false);
        let fcin = var(&mut b, i32t, OFF_CIN, false);
        let fef = var(&mut b, i32t, OFF_EF, false);
        let ret = b.declare_var(types::I64);
        let r = b.ins().load(types::I64, mf(), env, ENV_RETIRED);
        b.def_var(ret, r);
        let fs_base = b.ins().load(i32t, mf(), ctx, OFF_FS);
        let mk = |params: &[ir::Type], rets: &[ir::Type]| {
            let mut s = Signature::new(cc);
            for p in params {
                s.params.push(AbiParam::new(*p));
            }
            for r in rets {
                s.returns.push(AbiParam::new(*r));
            }
            s
        };
        let rd_sig = b.import_signature(mk(&[ptr, i32t], &[types::I64]));
        let wr_sig = b.import_signature(mk(&[ptr, i32t, i32t], &[i32t]));
        let cond_sig = b.import_signature(mk(&[ptr, i32t], &[i32t]));
        let cf_sig = b.import_signature(mk(&[ptr], &[i32t]));
        let exit_blk = b.create_block();
        b.set_cold_block(exit_blk);
        for _ in 0..3 {
            b.append_block_param(exit_blk, i32t);
        }
        let head = b.create_block();
        b.ins().jump(head, NOARGS);
        b.switch_to_block(head);
        Tr {
            b,
            ctx,
            env,
            regs,
            fk,
            fsz,
            fa,
            fb,
            fres,
            fcin,
            fef,
            ret,
            fs_base,
            known: None,
            rd_sig,
            wr_sig,
            cond_sig,
            cf_sig,
            ptr,
            block,
            thunk_base,
            head,
            exit_blk,
            done: 0,
            wrote: false,
            cur: 0,
        }
    }

    fn c32(&mut self, v: u32) -> Value {
        self.b.ins().iconst(types::I32, i64::from(v))
    }

    fn reg(&mut self, r: u8) -> Value {
        if r as usize >= 8 || r == NOREG {
            return self.c32(0);
        }
        self.b.use_var(self.regs[r as usize])
    }

    fn set_reg(&mut self, r: u8, v: Value) {
        self.b.def_var(self.regs[r as usize & 7], v);
    }

    /// A register of size `sz` (byte registers 4..7 are AH CH DH BH), zero-extended.
    fn get(&mut self, sz: Sz, r: u8) -> Value {
        let r = r & 7;
        match sz {
            Sz::D => self.reg(r),
            Sz::W => {
                let v = self.reg(r);
                self.b.ins().band_imm_u(v, 0xffff)
            }
            Sz::B if r < 4 => {
                let v = self.reg(r);
                self.b.ins().band_imm_u(v, 0xff)
            }
            Sz::B => {
                let v = self.reg(r - 4);
                let v = self.b.ins().ushr_imm_u(v, 8);
                self.b.ins().band_imm_u(v, 0xff)
            }
        }
    }

    fn set(&mut self, sz: Sz, r: u8, v: Value) {
        let r = r & 7;
        match sz {
            Sz::D => self.set_reg(r, v),
            Sz::W => {
                let old = self.reg(r);
                let hi = self.b.ins().band_imm_u(old, 0xffff_0000i64);
                let lo = self.b.ins().band_imm_u(v, 0xffff);
                let n = self.b.ins().bor(hi, lo);
                self.set_reg(r, n);
            }
            Sz::B if r < 4 => {
                let old = self.reg(r);
                let hi = self.b.ins().band_imm_u(old, 0xffff_ff00i64);
                let lo = self.b.ins().band_imm_u(v, 0xff);
                let n = self.b.ins().bor(hi, lo);
                self.set_reg(r, n);
            }
            Sz::B => {
                let old = self.reg(r - 4);
                let keep = self.b.ins().band_imm_u(old, 0xffff_00ffi64);
                let lo = self.b.ins().band_imm_u(v, 0xff);
                let sh = self.b.ins().ishl_imm_u(lo, 8);
                let n = self.b.ins().bor(keep, sh);
                self.set_reg(r - 4, n);
            }
        }
    }

    fn ea(&mut self, m: &Mem) -> Value {
        let base = self.reg(m.base);
        let index = self.reg(m.index);
        let idx = self.b.ins().ishl_imm_u(index, i64::from(m.scale & 3));
        let a = self.b.ins().iadd(base, idx);
        let mut a = self.b.ins().iadd_imm_s(a, i64::from(m.disp as i32));
        if m.fs {
            a = self.b.ins().iadd(a, self.fs_base);
        }
        a
    }

    /// Stores the flag variables into `ctx.fl`.
    fn spill_flags(&mut self) {
        let ctx = self.ctx;
        let vals = [
            (self.fk, OFF_KIND, true),
            (self.fsz, OFF_SZ, true),
            (self.fa, OFF_A, false),
            (self.fb, OFF_B, false),
            (self.fres, OFF_RES, false),
            (self.fcin, OFF_CIN, false),
            (self.fef, OFF_EF, false),
        ];
        for (v, off, byte) in vals {
            let x = self.b.use_var(v);
            if byte {
                self.b.ins().istore8(mf(), x, ctx, off);
            } else {
                self.b.ins().store(mf(), x, ctx, off);
            }
        }
    }

    /// Leaves the function through the shared exit block: state stored, EIP = `eip`,
    /// `done` more instructions retired, `code` returned.
    fn exit_with(&mut self, eip: Value, done: u32, code: u32) {
        let args = self.exit_args(eip, done, code);
        self.b.ins().jump(self.exit_blk, &args);
    }

    fn exit_args(&mut self, eip: Value, done: u32, code: u32) -> [BlockArg; 3] {
        let d = self.c32(done);
        let c = self.c32(code);
        [BlockArg::Value(eip), BlockArg::Value(d), BlockArg::Value(c)]
    }

    /// Fills the shared exit block (after every exit branch was made).
    fn finish_exit(&mut self) {
        self.b.switch_to_block(self.exit_blk);
        let p = self.b.block_params(self.exit_blk).to_vec();
        let ctx = self.ctx;
        for i in 0..8 {
            let x = self.b.use_var(self.regs[i]);
            self.b.ins().store(mf(), x, ctx, OFF_R + 4 * i as i32);
        }
        self.spill_flags();
        self.b.ins().store(mf(), p[0], ctx, OFF_EIP);
        let r = self.b.use_var(self.ret);
        let d = self.b.ins().uextend(types::I64, p[1]);
        let r = self.b.ins().iadd(r, d);
        self.b.ins().store(mf(), r, self.env, ENV_RETIRED);
        self.b.ins().return_(&[p[2]]);
    }

    fn exit(&mut self, eip: u32, done: u32, code: u32) {
        let e = self.c32(eip);
        self.exit_with(e, done, code);
    }

    /// Leaves through the exit block when `cond` is true; goes on in a fresh block.
    fn side_exit(&mut self, cond: Value, eip: u32, done: u32, code: u32) {
        let cont = self.b.create_block();
        let e = self.c32(eip);
        let args = self.exit_args(e, done, code);
        self.b.ins().brif(cond, self.exit_blk, &args, cont, NOARGS);
        self.b.switch_to_block(cont);
    }

    fn read(&mut self, sz: Sz, addr: Value) -> Value {
        let f = self
            .b
            .ins()
            .load(self.ptr, mf(), self.env, ENV_RD + sz_index(sz) * 8);
        let call = self
            .b
            .ins()
            .call_indirect(self.rd_sig, f, &[self.env, addr]);
        let r = self.b.inst_results(call)[0];
        let hi = self.b.ins().ushr_imm_u(r, 32);
        let (cur, done) = (self.cur, self.done);
        self.side_exit(hi, cur, done, EXIT_FAULT);
        self.b.ins().ireduce(types::I32, r)
    }

    fn write(&mut self, sz: Sz, addr: Value, v: Value) {
        let f = self
            .b
            .ins()
            .load(self.ptr, mf(), self.env, ENV_WR + sz_index(sz) * 8);
        let call = self
            .b
            .ins()
            .call_indirect(self.wr_sig, f, &[self.env, addr, v]);
        let r = self.b.inst_results(call)[0];
        let (cur, done) = (self.cur, self.done);
        self.side_exit(r, cur, done, EXIT_FAULT);
        self.wrote = true;
    }

    fn read_op(&mut self, sz: Sz, o: &Opnd) -> Value {
        match o {
            Opnd::Reg(r) => self.get(sz, *r),
            Opnd::Imm(i) => self.c32(*i & sz.mask()),
            Opnd::Mem(m) => {
                let a = self.ea(m);
                self.read(sz, a)
            }
        }
    }

    // ---- flags ----

    fn bool32(&mut self, c: Value) -> Value {
        self.b.ins().uextend(types::I32, c)
    }

    fn flag_bit(&mut self, bit: u32) -> Value {
        let ef = self.b.use_var(self.fef);
        let x = self.b.ins().band_imm_u(ef, i64::from(bit));
        self.b.ins().icmp_imm_u(IntCC::NotEqual, x, 0)
    }

    fn helper_cf(&mut self) -> Value {
        self.spill_flags();
        let f = self.b.ins().load(self.ptr, mf(), self.env, ENV_CF);
        let call = self.b.ins().call_indirect(self.cf_sig, f, &[self.ctx]);
        let r = self.b.inst_results(call)[0];
        self.b.ins().icmp_imm_u(IntCC::NotEqual, r, 0)
    }

    /// CF as an i8 boolean.
    fn cf(&mut self) -> Value {
        let Some(k) = self.known else {
            return self.helper_cf();
        };
        let a = self.b.use_var(self.fa);
        let bb = self.b.use_var(self.fb);
        let cin = self.b.use_var(self.fcin);
        match k.kind {
            Kind::Eager | Kind::Inc | Kind::Dec => self.flag_bit(CF),
            Kind::Logic => self.b.ins().iconst(types::I8, 0),
            Kind::Add => {
                let a = self.b.ins().uextend(types::I64, a);
                let bb = self.b.ins().uextend(types::I64, bb);
                let c = self.b.ins().uextend(types::I64, cin);
                let s = self.b.ins().iadd(a, bb);
                let s = self.b.ins().iadd(s, c);
                self.b
                    .ins()
                    .icmp_imm_u(IntCC::UnsignedGreaterThan, s, i64::from(k.sz.mask()))
            }
            Kind::Sub => {
                if k.cin_zero {
                    return self.b.ins().icmp(IntCC::UnsignedLessThan, a, bb);
                }
                let a = self.b.ins().uextend(types::I64, a);
                let bb = self.b.ins().uextend(types::I64, bb);
                let c = self.b.ins().uextend(types::I64, cin);
                let s = self.b.ins().iadd(bb, c);
                self.b.ins().icmp(IntCC::UnsignedLessThan, a, s)
            }
        }
    }

    fn zf(&mut self, k: Known) -> Value {
        if k.kind == Kind::Eager {
            return self.flag_bit(ZF);
        }
        let r = self.b.use_var(self.fres);
        self.b.ins().icmp_imm_u(IntCC::Equal, r, 0)
    }

    fn sign(&mut self, v: Value, sz: Sz) -> Value {
        let x = self.b.ins().band_imm_u(v, i64::from(sz.sign()));
        self.b.ins().icmp_imm_u(IntCC::NotEqual, x, 0)
    }

    fn sf(&mut self, k: Known) -> Value {
        if k.kind == Kind::Eager {
            return self.flag_bit(SF);
        }
        let r = self.b.use_var(self.fres);
        self.sign(r, k.sz)
    }

    fn of(&mut self, k: Known) -> Value {
        let a = self.b.use_var(self.fa);
        let bb = self.b.use_var(self.fb);
        let r = self.b.use_var(self.fres);
        match k.kind {
            Kind::Eager => self.flag_bit(OF),
            Kind::Add => {
                let x = self.b.ins().bxor(a, r);
                let y = self.b.ins().bxor(bb, r);
                let z = self.b.ins().band(x, y);
                self.sign(z, k.sz)
            }
            Kind::Sub => {
                let x = self.b.ins().bxor(a, bb);
                let y = self.b.ins().bxor(a, r);
                let z = self.b.ins().band(x, y);
                self.sign(z, k.sz)
            }
            Kind::Logic => self.b.ins().iconst(types::I8, 0),
            Kind::Inc => self
                .b
                .ins()
                .icmp_imm_u(IntCC::Equal, r, i64::from(k.sz.sign())),
            Kind::Dec => self
                .b
                .ins()
                .icmp_imm_u(IntCC::Equal, a, i64::from(k.sz.sign())),
        }
    }

    /// Even parity of the low byte of `v`, as an i8 boolean.
    fn parity(&mut self, v: Value) -> Value {
        let lo = self.b.ins().band_imm_u(v, 0xff);
        let n = self.b.ins().popcnt(lo);
        let odd = self.b.ins().band_imm_u(n, 1);
        self.b.ins().icmp_imm_u(IntCC::Equal, odd, 0)
    }

    fn pf(&mut self, k: Known) -> Value {
        if k.kind == Kind::Eager {
            return self.flag_bit(PF);
        }
        let r = self.b.use_var(self.fres);
        self.parity(r)
    }

    /// Condition `cc` as an i8 boolean.
    fn cond(&mut self, cc: u8) -> Value {
        let Some(k) = self.known else {
            self.spill_flags();
            let f = self.b.ins().load(self.ptr, mf(), self.env, ENV_COND);
            let c = self.c32(u32::from(cc));
            let call = self.b.ins().call_indirect(self.cond_sig, f, &[self.ctx, c]);
            let r = self.b.inst_results(call)[0];
            return self.b.ins().icmp_imm_u(IntCC::NotEqual, r, 0);
        };
        let neg = cc & 1 != 0;
        let r = if k.kind == Kind::Sub && k.cin_zero && k.sz == Sz::D && cc >> 1 != 5 {
            let a = self.b.use_var(self.fa);
            let bb = self.b.use_var(self.fb);
            let c = match cc >> 1 {
                0 => None,
                1 => Some(IntCC::UnsignedLessThan),
                2 => Some(IntCC::Equal),
                3 => Some(IntCC::UnsignedLessThanOrEqual),
                4 => None,
                6 => Some(IntCC::SignedLessThan),
                _ => Some(IntCC::SignedLessThanOrEqual),
            };
            match c {
                Some(c) => self.b.ins().icmp(c, a, bb),
                None if cc >> 1 == 0 => self.of(k),
                None => self.sf(k),
            }
        } else {
            match cc >> 1 {
                0 => self.of(k),
                1 => self.cf(),
                2 => self.zf(k),
                3 => {
                    let c = self.cf();
                    let z = self.zf(k);
                    self.b.ins().bor(c, z)
                }
                4 => self.sf(k),
                5 => self.pf(k),
                6 => {
                    let s = self.sf(k);
                    let o = self.of(k);
                    self.b.ins().bxor(s, o)
                }
                _ => {
                    let s = self.sf(k);
                    let o = self.of(k);
                    let x = self.b.ins().bxor(s, o);
                    let z = self.zf(k);
                    self.b.ins().bor(x, z)
                }
            }
        };
        if neg {
            self.b.ins().bxor_imm_u(r, 1)
        } else {
            r
        }
    }

    fn commit(&mut self, u: Upd) {
        match u {
            Upd::None => {}
            Upd::Add(sz, a, b, cin, res, cz) | Upd::Sub(sz, a, b, cin, res, cz) => {
                let kind = if matches!(u, Upd::Add(..)) {
                    Kind::Add
                } else {
                    Kind::Sub
                };
                let k = self.c32(kind as u32);
                let s = self.c32(sz as u32);
                self.b.def_var(self.fk, k);
                self.b.def_var(self.fsz, s);
                self.b.def_var(self.fa, a);
                self.b.def_var(self.fb, b);
                self.b.def_var(self.fcin, cin);
                self.b.def_var(self.fres, res);
                self.known = Some(Known {
                    kind,
                    sz,
                    cin_zero: cz,
                });
            }
            Upd::Logic(sz, res) => {
                let k = self.c32(Kind::Logic as u32);
                let s = self.c32(sz as u32);
                self.b.def_var(self.fk, k);
                self.b.def_var(self.fsz, s);
                self.b.def_var(self.fres, res);
                self.known = Some(Known {
                    kind: Kind::Logic,
                    sz,
                    cin_zero: false,
                });
            }
        }
    }

    /// `set_status(STATUS, bits)`: the status flags replaced, the record eager.
    fn eager(&mut self, bits: Value) {
        let ef = self.b.use_var(self.fef);
        let keep = self.b.ins().band_imm_u(ef, i64::from(!STATUS));
        let n = self.b.ins().bor(keep, bits);
        self.b.def_var(self.fef, n);
        let k = self.c32(Kind::Eager as u32);
        self.b.def_var(self.fk, k);
        // The record's size is left as it was; an eager record never reads it.
        let sz = self.known.map_or(Sz::D, |k| k.sz);
        self.known = Some(Known {
            kind: Kind::Eager,
            sz,
            cin_zero: false,
        });
    }

    /// INC/DEC: CF folded into `eflags`, then the record.
    fn incdec(&mut self, inc: bool, sz: Sz, a: Value) -> Value {
        let cf = self.cf();
        let cf = self.bool32(cf);
        let ef = self.b.use_var(self.fef);
        let keep = self.b.ins().band_imm_u(ef, i64::from(!CF));
        let n = self.b.ins().bor(keep, cf);
        let res = if inc {
            self.b.ins().iadd_imm_s(a, 1)
        } else {
            self.b.ins().iadd_imm_s(a, -1)
        };
        let res = self.mask(res, sz);
        let kind = if inc { Kind::Inc } else { Kind::Dec };
        self.b.def_var(self.fef, n);
        let k = self.c32(kind as u32);
        let s = self.c32(sz as u32);
        let one = self.c32(1);
        self.b.def_var(self.fk, k);
        self.b.def_var(self.fsz, s);
        self.b.def_var(self.fa, a);
        self.b.def_var(self.fb, one);
        self.b.def_var(self.fres, res);
        self.known = Some(Known {
            kind,
            sz,
            cin_zero: false,
        });
        res
    }

    fn mask(&mut self, v: Value, sz: Sz) -> Value {
        match sz {
            Sz::D => v,
            _ => self.b.ins().band_imm_u(v, i64::from(sz.mask())),
        }
    }

    /// SF ZF PF of `res` (already masked to `sz`) as EFLAGS bits.
    fn szp(&mut self, sz: Sz, res: Value) -> Value {
        let z = self.b.ins().icmp_imm_u(IntCC::Equal, res, 0);
        let z = self.bool32(z);
        let z = self.b.ins().imul_imm_u(z, i64::from(ZF));
        let s = self.sign(res, sz);
        let s = self.bool32(s);
        let s = self.b.ins().imul_imm_u(s, i64::from(SF));
        let p = self.parity(res);
        let p = self.bool32(p);
        let p = self.b.ins().imul_imm_u(p, i64::from(PF));
        let x = self.b.ins().bor(z, s);
        self.b.ins().bor(x, p)
    }

    /// An ALU operation on masked operands: (result to store, flag update).
    fn alu(&mut self, op: Alu, sz: Sz, a: Value, b: Value) -> (Option<Value>, Upd) {
        let zero = self.c32(0);
        match op {
            Alu::Add | Alu::Adc => {
                let (cin, cz) = if op == Alu::Adc {
                    let c = self.cf();
                    (self.bool32(c), false)
                } else {
                    (zero, true)
                };
                let s = self.b.ins().iadd(a, b);
                let s = self.b.ins().iadd(s, cin);
                let s = self.mask(s, sz);
                (Some(s), Upd::Add(sz, a, b, cin, s, cz))
            }
            Alu::Sub | Alu::Sbb | Alu::Cmp => {
                let (cin, cz) = if op == Alu::Sbb {
                    let c = self.cf();
                    (self.bool32(c), false)
                } else {
                    (zero, true)
                };
                let s = self.b.ins().isub(a, b);
                let s = self.b.ins().isub(s, cin);
                let s = self.mask(s, sz);
                let keep = (op != Alu::Cmp).then_some(s);
                (keep, Upd::Sub(sz, a, b, cin, s, cz))
            }
            Alu::And | Alu::Test => {
                let r = self.b.ins().band(a, b);
                ((op == Alu::And).then_some(r), Upd::Logic(sz, r))
            }
            Alu::Or => {
                let r = self.b.ins().bor(a, b);
                (Some(r), Upd::Logic(sz, r))
            }
            Alu::Xor => {
                let r = self.b.ins().bxor(a, b);
                (Some(r), Upd::Logic(sz, r))
            }
        }
    }

    /// The loop back edge (a taken branch to the block's start, `n` instructions counted
    /// with it): loops while another whole pass fits in the budget and no code changed.
    fn back_edge(&mut self, n: u32) {
        let r = self.b.use_var(self.ret);
        let r = self.b.ins().iadd_imm_s(r, i64::from(self.done + n));
        self.b.def_var(self.ret, r);
        let need = self.b.ins().iadd_imm_s(r, i64::from(self.block.count));
        let budget = self.b.ins().load(types::I64, mf(), self.env, ENV_BUDGET);
        let over = self.b.ins().icmp(IntCC::UnsignedGreaterThan, need, budget);
        let start = self.block.start();
        if self.wrote {
            let d = self.b.ins().load(types::I32, mf(), self.env, ENV_DIRTY);
            let dz = self.b.ins().icmp_imm_u(IntCC::NotEqual, d, 0);
            let stop = self.b.ins().bor(over, dz);
            self.side_exit(stop, start, 0, EXIT_CONTINUE);
        } else {
            self.side_exit(over, start, 0, EXIT_CONTINUE);
        }
        self.b.ins().jump(self.head, NOARGS);
    }

    /// A taken branch to a constant target, `n` instructions counted with it.
    fn jump_to(&mut self, t: u32, n: u32) {
        if t == self.block.start() && t < self.thunk_base {
            self.back_edge(n);
        } else {
            let d = self.done + n;
            self.exit(t, d, EXIT_CONTINUE);
        }
    }

    /// A conditional branch on `c` (an i8 boolean) to `t`, `n` instructions counted with it;
    /// goes on with the fall-through.
    fn branch(&mut self, c: Value, t: u32, n: u32, next: u32) {
        let taken = self.b.create_block();
        let fall = self.b.create_block();
        self.b.ins().brif(c, taken, NOARGS, fall, NOARGS);
        self.b.switch_to_block(taken);
        let known = self.known;
        self.jump_to(t, n);
        self.known = known;
        self.b.switch_to_block(fall);
        self.done += n;
        if self.wrote {
            // Code may have changed: end where the interpreter ends its block.
            let d = self.b.ins().load(types::I32, mf(), self.env, ENV_DIRTY);
            let done = self.done;
            self.side_exit(d, next, done, EXIT_CONTINUE);
        }
    }

    /// Translates the block.
    fn body(&mut self) {
        let block = self.block;
        for inst in block.insts.iter() {
            if !translatable(&inst.op) {
                let done = self.done;
                self.exit(inst.eip, done, EXIT_CONTINUE);
                return;
            }
            self.cur = inst.eip;
            if self.op(&inst.op, inst.next) {
                return;
            }
        }
        let done = self.done;
        self.exit(block.end, done, EXIT_CONTINUE);
    }

    /// Translates one operation; true when it ended the block.
    fn op(&mut self, op: &Op, next: u32) -> bool {
        const ESP: u8 = 4;
        match *op {
            Op::AluRR(op, d, s) => {
                let (a, b) = (self.reg(d), self.reg(s));
                self.alu_reg(op, Sz::D, d, a, b);
            }
            Op::AluRI(op, d, i) => {
                let a = self.reg(d);
                let b = self.c32(i);
                self.alu_reg(op, Sz::D, d, a, b);
            }
            Op::AluRM(op, d, ref m) => {
                let ad = self.ea(m);
                let b = self.read(Sz::D, ad);
                let a = self.reg(d);
                self.alu_reg(op, Sz::D, d, a, b);
            }
            Op::AluMR(op, ref m, s) => {
                let b = self.reg(s);
                self.alu_mem(op, Sz::D, m, b);
            }
            Op::AluMI(op, ref m, i) => {
                let b = self.c32(i);
                self.alu_mem(op, Sz::D, m, b);
            }
            Op::Alu(op, sz, ref d, ref s) => match d {
                Opnd::Reg(r) => {
                    let a = self.get(sz, *r);
                    let b = self.read_op(sz, s);
                    let b = self.mask(b, sz);
                    let (res, upd) = self.alu(op, sz, a, b);
                    if let Some(v) = res {
                        self.set(sz, *r, v);
                    }
                    self.commit(upd);
                }
                Opnd::Mem(m) => {
                    let ad = self.ea(m);
                    let a = self.read(sz, ad);
                    let b = self.read_op(sz, s);
                    let b = self.mask(b, sz);
                    let (res, upd) = self.alu(op, sz, a, b);
                    if let Some(v) = res {
                        self.write(sz, ad, v);
                    }
                    self.commit(upd);
                }
                Opnd::Imm(_) => {}
            },
            Op::MovRR(d, s) => {
                let v = self.reg(s);
                self.set_reg(d, v);
            }
            Op::MovRI(d, i) => {
                let v = self.c32(i);
                self.set_reg(d, v);
            }
            Op::MovRM(d, ref m) => {
                let a = self.ea(m);
                let v = self.read(Sz::D, a);
                self.set_reg(d, v);
            }
            Op::MovMR(ref m, s) => {
                let a = self.ea(m);
                let v = self.reg(s);
                self.write(Sz::D, a, v);
            }
            Op::MovMI(ref m, i) => {
                let a = self.ea(m);
                let v = self.c32(i);
                self.write(Sz::D, a, v);
            }
            Op::Mov(sz, ref d, ref s) => {
                let v = self.read_op(sz, s);
                match d {
                    Opnd::Reg(r) => self.set(sz, *r, v),
                    Opnd::Mem(m) => {
                        let a = self.ea(m);
                        self.write(sz, a, v);
                    }
                    Opnd::Imm(_) => {}
                }
            }
            Op::Movx(signed, _, ssz, d, ref s) => {
                let v = self.read_op(ssz, s);
                let v = if signed {
                    let ty = if ssz == Sz::B { types::I8 } else { types::I16 };
                    let n = self.b.ins().ireduce(ty, v);
                    self.b.ins().sextend(types::I32, n)
                } else {
                    v
                };
                self.set_reg(d, v);
            }
            Op::MovzxRM8(d, ref m) => {
                let a = self.ea(m);
                let v = self.read(Sz::B, a);
                self.set_reg(d, v);
            }
            Op::Lea(d, ref m) => {
                let mut m = *m;
                m.fs = false;
                let a = self.ea(&m);
                self.set_reg(d, a);
            }
            Op::PushR(r) => {
                let v = self.reg(r);
                self.push(v);
            }
            Op::PushI(i) => {
                let v = self.c32(i);
                self.push(v);
            }
            Op::PopR(r) => {
                let sp = self.reg(ESP);
                let v = self.read(Sz::D, sp);
                let nsp = self.b.ins().iadd_imm_s(sp, 4);
                self.set_reg(ESP, nsp);
                self.set_reg(r, v);
            }
            Op::IncR(r) | Op::DecR(r) => {
                let a = self.reg(r);
                let v = self.incdec(matches!(op, Op::IncR(_)), Sz::D, a);
                self.set_reg(r, v);
            }
            Op::Unary(un, sz, ref d) => {
                let a = self.read_op(sz, d);
                let (v, upd) = match un {
                    Un::Neg => {
                        let z = self.c32(0);
                        let (v, u) = self.alu(Alu::Sub, sz, z, a);
                        (v.unwrap_or(z), u)
                    }
                    _ => {
                        let n = self.b.ins().bnot(a);
                        (self.mask(n, sz), Upd::None)
                    }
                };
                match d {
                    Opnd::Reg(r) => self.set(sz, *r, v),
                    Opnd::Mem(m) => {
                        let ad = self.ea(m);
                        self.write(sz, ad, v);
                    }
                    Opnd::Imm(_) => {}
                }
                self.commit(upd);
            }
            Op::ShiftRI(sh, r, c) => {
                let a = self.reg(r);
                let c = u32::from(c) & 31;
                let (res, cf, of) = match sh {
                    Sh::Shl => {
                        let res = self.b.ins().ishl_imm_u(a, i64::from(c));
                        let cf = self.b.ins().ushr_imm_u(a, i64::from(32 - c));
                        let a1 = self.b.ins().ishl_imm_u(a, 1);
                        let x = self.b.ins().bxor(a, a1);
                        let of = self.b.ins().ushr_imm_u(x, 31);
                        (res, cf, Some(of))
                    }
                    Sh::Shr => {
                        let res = self.b.ins().ushr_imm_u(a, i64::from(c));
                        let cf = self.b.ins().ushr_imm_u(a, i64::from(c - 1));
                        let of = self.b.ins().ushr_imm_u(a, 31);
                        (res, cf, Some(of))
                    }
                    _ => {
                        let res = self.b.ins().sshr_imm_u(a, i64::from(c));
                        let cf = self.b.ins().sshr_imm_u(a, i64::from(c - 1));
                        (res, cf, None)
                    }
                };
                let cf = self.b.ins().band_imm_u(cf, 1);
                let mut f = self.szp(Sz::D, res);
                f = self.b.ins().bor(f, cf);
                if let Some(of) = of {
                    let of = self.b.ins().band_imm_u(of, 1);
                    let of = self.b.ins().ishl_imm_u(of, 11);
                    f = self.b.ins().bor(f, of);
                }
                self.set_reg(r, res);
                self.eager(f);
            }
            Op::Imul(_, d, ref a, ref b) => {
                let x = self.read_op(Sz::D, a);
                let y = self.read_op(Sz::D, b);
                let x64 = self.b.ins().sextend(types::I64, x);
                let y64 = self.b.ins().sextend(types::I64, y);
                let p = self.b.ins().imul(x64, y64);
                let res = self.b.ins().ireduce(types::I32, p);
                let back = self.b.ins().sextend(types::I64, res);
                let over = self.b.ins().icmp(IntCC::NotEqual, back, p);
                let over = self.bool32(over);
                let over = self.b.ins().imul_imm_u(over, i64::from(CF | OF));
                let f = self.szp(Sz::D, res);
                let f = self.b.ins().band_imm_u(f, i64::from(SF | PF));
                let f = self.b.ins().bor(f, over);
                self.set_reg(d, res);
                self.eager(f);
            }
            Op::Setcc(cc, ref d) => {
                let c = self.cond(cc);
                let v = self.bool32(c);
                match d {
                    Opnd::Reg(r) => self.set(Sz::B, *r, v),
                    Opnd::Mem(m) => {
                        let a = self.ea(m);
                        self.write(Sz::B, a, v);
                    }
                    Opnd::Imm(_) => {}
                }
            }
            Op::Cmov(cc, _, d, ref s) => {
                let v = self.read_op(Sz::D, s);
                let c = self.cond(cc);
                let old = self.reg(d);
                let n = self.b.ins().select(c, v, old);
                self.set_reg(d, n);
            }
            Op::Misc(Misc::Nop) => {}
            Op::Misc(Misc::Cdq) => {
                let a = self.reg(0);
                let s = self.b.ins().sshr_imm_u(a, 31);
                self.set_reg(2, s);
            }
            Op::Misc(Misc::Cwde) => {
                let a = self.reg(0);
                let n = self.b.ins().ireduce(types::I16, a);
                let s = self.b.ins().sextend(types::I32, n);
                self.set_reg(0, s);
            }
            Op::Jcc(cc, t) => {
                let c = self.cond(cc);
                self.branch(c, t, 1, next);
                return false;
            }
            Op::FusedRR(op, d, s, cc, t) => {
                let (a, b) = (self.reg(d), self.reg(s));
                self.alu_reg(op, Sz::D, d, a, b);
                let c = self.cond(cc);
                self.branch(c, t, 2, next);
                return false;
            }
            Op::FusedRI(op, d, i, cc, t) => {
                let a = self.reg(d);
                let b = self.c32(i);
                self.alu_reg(op, Sz::D, d, a, b);
                let c = self.cond(cc);
                self.branch(c, t, 2, next);
                return false;
            }
            Op::FusedRM(op, d, ref m, cc, t) => {
                let ad = self.ea(m);
                let b = self.read(Sz::D, ad);
                let a = self.reg(d);
                self.alu_reg(op, Sz::D, d, a, b);
                let c = self.cond(cc);
                self.branch(c, t, 2, next);
                return false;
            }
            Op::IncJcc(r, cc, t) | Op::DecJcc(r, cc, t) => {
                let a = self.reg(r);
                let v = self.incdec(matches!(op, Op::IncJcc(..)), Sz::D, a);
                self.set_reg(r, v);
                let c = self.cond(cc);
                self.branch(c, t, 2, next);
                return false;
            }
            Op::Jmp(t) => {
                self.jump_to(t, 1);
                return true;
            }
            Op::Call(t) => {
                let v = self.c32(next);
                self.push(v);
                self.jump_to(t, 1);
                return true;
            }
            Op::Ret(n) => {
                let sp = self.reg(ESP);
                let t = self.read(Sz::D, sp);
                let nsp = self.b.ins().iadd_imm_s(sp, 4 + i64::from(n));
                self.set_reg(ESP, nsp);
                let d = self.done + 1;
                self.exit_with(t, d, EXIT_CONTINUE);
                return true;
            }
            _ => {
                // Not reached: `body` checks `translatable` first.
                let done = self.done;
                let cur = self.cur;
                self.exit(cur, done, EXIT_CONTINUE);
                return true;
            }
        }
        self.done += op.weight();
        false
    }

    fn push(&mut self, v: Value) {
        let sp = self.reg(4);
        let nsp = self.b.ins().iadd_imm_s(sp, -4);
        self.write(Sz::D, nsp, v);
        self.set_reg(4, nsp);
    }

    fn alu_reg(&mut self, op: Alu, sz: Sz, d: u8, a: Value, b: Value) {
        let (res, upd) = self.alu(op, sz, a, b);
        if let Some(v) = res {
            self.set(sz, d, v);
        }
        self.commit(upd);
    }

    fn alu_mem(&mut self, op: Alu, sz: Sz, m: &Mem, b: Value) {
        let ad = self.ea(m);
        let a = self.read(sz, ad);
        let (res, upd) = self.alu(op, sz, a, b);
        if let Some(v) = res {
            self.write(sz, ad, v);
        }
        self.commit(upd);
    }
}
