//! The NT for Alpha function table and virtual unwinder: what `RtlLookupFunctionEntry` and
//! `RtlVirtualUnwind` do for the exception dispatcher.
//!
//! An Alpha image describes every non-leaf function in its `.pdata` section (the exception
//! data directory): a table of IMAGE_ALPHA_RUNTIME_FUNCTION_ENTRY records sorted by address.
//! A frame is unwound by executing its prologue backwards: the calling standard restricts a
//! prologue to a stack allocation (`lda sp,-N(sp)`, or a frame size built in a register and
//! `subq sp,Rx,sp`), stores of the saved registers relative to sp (`stq`, `stt`), register
//! moves (`bis`, `cpys`) and the frame pointer set-up `bis sp,sp,fp`, so reversing those
//! instructions (and ignoring the rest) recreates the caller's nonvolatile registers, sp and
//! return address. Facts from the NT for Alpha calling standard and NT's RTL behaviour:
//! - the low two bits of ExceptionHandler are flags, not part of the handler's address, and
//!   those of PrologEndAddress hold the IEEE exception mode;
//! - an entry whose PrologEndAddress lies outside [BeginAddress, EndAddress] is a secondary
//!   entry (a discontiguous part of a function): that field is the address of the primary
//!   entry, which the lookup returns instead;
//! - when control is at a `ret` (or at the stack deallocation right before one) the epilogue
//!   has already undone the prologue, so the frame is finished forwards instead;
//! - the establisher frame handed to a handler is the virtual frame pointer: the value sp had
//!   on entry to the function (before its stack allocation).

use nt_kernel::{AlphaContext, Process};
use nt_memory::{Fault, GuestMemory};

/// One .pdata entry (IMAGE_ALPHA_RUNTIME_FUNCTION_ENTRY: BeginAddress, EndAddress,
/// ExceptionHandler, HandlerData, PrologEndAddress; absolute addresses in the image).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RuntimeFunction {
    /// BeginAddress: the function's first instruction.
    pub(crate) begin: u32,
    /// EndAddress: just past its last instruction.
    pub(crate) end: u32,
    /// ExceptionHandler (the low two bits are flags; see [`RuntimeFunction::handler_address`]).
    pub(crate) handler: u32,
    /// HandlerData, passed to the handler through the function entry.
    pub(crate) handler_data: u32,
    /// PrologEndAddress: the first instruction after the prologue (the low two bits hold the
    /// IEEE exception mode); equal to `begin` when there is no prologue.
    pub(crate) prolog_end: u32,
}

impl RuntimeFunction {
    /// The size of one entry in the table.
    pub(crate) const SIZE: u32 = 20;

    /// Reads the entry at `address`.
    fn read(memory: &dyn GuestMemory, address: u32) -> Result<RuntimeFunction, Fault> {
        let field = |i: u32| memory.read_u32(address.wrapping_add(4 * i));
        Ok(RuntimeFunction {
            begin: field(0)?,
            end: field(1)?,
            handler: field(2)?,
            handler_data: field(3)?,
            prolog_end: field(4)?,
        })
    }

    /// The exception handler's address, None when the function has none.
    pub(crate) fn handler_address(&self) -> Option<u32> {
        Some(self.handler & !3).filter(|&a| a != 0)
    }

    /// The end of the prologue without the IEEE mode bits.
    pub(crate) fn prolog_end_address(&self) -> u32 {
        self.prolog_end & !3
    }

    /// True for a secondary entry, whose PrologEndAddress points at the primary entry.
    fn is_secondary(&self) -> bool {
        self.prolog_end < self.begin || self.prolog_end > self.end
    }
}

/// The entry covering `pc`, from the process image's exception directory (read from guest
/// memory; binary search — the table is sorted), or None (leaf function).
pub(crate) fn lookup_function_entry(process: &Process, pc: u32) -> Option<RuntimeFunction> {
    lookup_function_entry_at(process, pc).map(|(_, entry)| entry)
}

/// [`lookup_function_entry`] with the guest address of the entry (a primary entry when `pc`
/// is in a secondary one): what DISPATCHER_CONTEXT.FunctionEntry points at, from which a
/// handler such as `__C_specific_handler` reads HandlerData.
pub(crate) fn lookup_function_entry_at(
    process: &Process,
    pc: u32,
) -> Option<(u32, RuntimeFunction)> {
    let image = process.image()?;
    lookup_in_image_at(process.address_space(), image.base, image.size, pc)
}

/// [`lookup_in_image_at`] without the address.
#[cfg(test)]
pub(crate) fn lookup_in_image(
    memory: &dyn GuestMemory,
    base: u32,
    size: u32,
    pc: u32,
) -> Option<RuntimeFunction> {
    lookup_in_image_at(memory, base, size, pc).map(|(_, entry)| entry)
}

/// The entry covering `pc` and its guest address, in the image mapped at `base`
/// (SizeOfImage `size`): None when `pc` is outside the image, the image has no exception
/// directory, no entry covers `pc`, or the headers or table are malformed or unreadable.
pub(crate) fn lookup_in_image_at(
    memory: &dyn GuestMemory,
    base: u32,
    size: u32,
    pc: u32,
) -> Option<(u32, RuntimeFunction)> {
    if pc.wrapping_sub(base) >= size {
        return None;
    }
    let (table, count) = exception_directory(memory, base, size)?;
    let (mut low, mut high) = (0u32, count);
    while low < high {
        let middle = low + (high - low) / 2;
        let address = table + middle * RuntimeFunction::SIZE;
        let entry = RuntimeFunction::read(memory, address).ok()?;
        if pc < entry.begin {
            high = middle;
        } else if pc >= entry.end {
            low = middle + 1;
        } else if entry.is_secondary() {
            // PrologEndAddress is the address of the primary entry.
            let primary = RuntimeFunction::read(memory, entry.prolog_end).ok()?;
            return (!primary.is_secondary()).then_some((entry.prolog_end, primary));
        } else {
            return Some((address, entry));
        }
    }
    None
}

/// The address and entry count of the exception directory of the image at `base`.
fn exception_directory(memory: &dyn GuestMemory, base: u32, size: u32) -> Option<(u32, u32)> {
    const IMAGE_DOS_SIGNATURE: u16 = 0x5A4D; // "MZ"
    const IMAGE_NT_SIGNATURE: u32 = 0x0000_4550; // "PE\0\0"
    const IMAGE_NT_OPTIONAL_HDR32_MAGIC: u16 = 0x10B;
    const IMAGE_DIRECTORY_ENTRY_EXCEPTION: u32 = 3;
    if memory.read_u16(base).ok()? != IMAGE_DOS_SIGNATURE {
        return None;
    }
    let e_lfanew = memory.read_u32(base.wrapping_add(0x3C)).ok()?;
    if e_lfanew >= size {
        return None;
    }
    let nt = base.wrapping_add(e_lfanew);
    if memory.read_u32(nt).ok()? != IMAGE_NT_SIGNATURE {
        return None;
    }
    let optional = nt.wrapping_add(24);
    if memory.read_u16(optional).ok()? != IMAGE_NT_OPTIONAL_HDR32_MAGIC {
        return None;
    }
    let directories = memory.read_u32(optional.wrapping_add(92)).ok()?;
    if directories <= IMAGE_DIRECTORY_ENTRY_EXCEPTION {
        return None;
    }
    let entry = optional.wrapping_add(96 + 8 * IMAGE_DIRECTORY_ENTRY_EXCEPTION);
    let rva = memory.read_u32(entry).ok()?;
    let bytes = memory.read_u32(entry.wrapping_add(4)).ok()?;
    let count = bytes / RuntimeFunction::SIZE;
    if rva == 0 || count == 0 || u64::from(rva) + u64::from(bytes) > u64::from(size) {
        return None;
    }
    Some((base.wrapping_add(rva), count))
}

/// What [`unwind_frame`] found besides the caller's context (NT's FRAME_POINTERS and
/// InFunction).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Unwound {
    /// The establisher frame (EstablisherFrame.Virtual): the virtual frame pointer, sp on
    /// entry to the function.
    pub(crate) establisher_frame: u32,
    /// EstablisherFrame.Real: sp after the stack allocation, or the frame pointer the
    /// prologue set up; 0 when control was in an epilogue.
    pub(crate) real_frame: u32,
    /// Control was in the function's body, past the prologue and before an epilogue: NT
    /// calls the frame's exception handler only then.
    pub(crate) in_function: bool,
}

/// Virtually unwinds one frame: undoes the prologue instructions executed before
/// `context.pc` (if pc is inside the prologue, only those executed so far), reloading saved
/// integer (and float) registers from the stack and restoring sp; sets context.pc to the
/// continuation in the caller (the restored ra). Returns the establisher frame (NT Alpha:
/// the virtual frame pointer — sp on entry to the function, before its stack allocation;
/// see [`Unwound`] for the real frame pointer). Leaf (function None): pc=ra, frame=sp.
///
/// On entry `context.pc` is where control left the function: the faulting instruction for
/// the frame that raised, and for a caller's frame the call instruction, i.e. the
/// continuation minus 4, as NT's dispatcher passes it (look the caller's function entry up
/// with that address too).
#[cfg_attr(not(test), allow(dead_code))] // The dispatcher calls unwind_frame.
pub(crate) fn virtual_unwind(
    memory: &dyn GuestMemory,
    function: Option<&RuntimeFunction>,
    context: &mut AlphaContext,
) -> Result<u32, Fault> {
    unwind_frame(memory, function, context).map(|u| u.establisher_frame)
}

/// Register numbers of the NT for Alpha calling standard.
const ZERO: usize = 31;
const SP: usize = 30;
const RA: usize = 26;

/// Prologues longer than this are not scanned (a malformed entry).
const MAX_PROLOGUE_BYTES: u32 = 0x1_0000;

/// One instruction's fields (the Alpha formats share opcode, Ra, Rb; Rc is the operate
/// format's destination).
#[derive(Clone, Copy)]
struct Instruction(u32);

impl Instruction {
    fn opcode(self) -> u32 {
        self.0 >> 26
    }
    fn ra(self) -> usize {
        ((self.0 >> 21) & 31) as usize
    }
    fn rb(self) -> usize {
        ((self.0 >> 16) & 31) as usize
    }
    fn rc(self) -> usize {
        (self.0 & 31) as usize
    }
    /// The memory format's signed 16-bit displacement.
    fn displacement(self) -> i64 {
        i64::from(self.0 as u16 as i16)
    }
    /// The operate format's function code.
    fn function(self) -> u32 {
        (self.0 >> 5) & 0x7F
    }
    /// The operate format's second operand is an 8-bit literal rather than Rb.
    fn literal(self) -> Option<u64> {
        (self.0 & 0x1000 != 0).then_some(u64::from((self.0 >> 13) & 0xFF))
    }
    /// The floating-point operate format's function code.
    fn fp_function(self) -> u32 {
        (self.0 >> 5) & 0x7FF
    }
    /// `ret zero,(Rb),1`: the Rb it returns through.
    fn return_register(self) -> Option<usize> {
        // Opcode 0x1A (jumps), Ra = zero, function 2 (RET), hint 1.
        (self.0 & 0xFFE0_FFFF == 0x6BE0_8001).then_some(self.rb())
    }
}

const OP_LDA: u32 = 0x08;
const OP_LDAH: u32 = 0x09;
const OP_INTA: u32 = 0x10;
const OP_INTL: u32 = 0x11;
const OP_FLTL: u32 = 0x17;
const OP_STT: u32 = 0x27;
const OP_STQ: u32 = 0x2D;
const FN_ADDQ: u32 = 0x20;
const FN_SUBQ: u32 = 0x29;
const FN_BIS: u32 = 0x20;
const FN_CPYS: u32 = 0x020;

/// [`virtual_unwind`] with everything NT's RtlVirtualUnwind reports: both frame pointers
/// and whether control was in the function's body.
pub(crate) fn unwind_frame(
    memory: &dyn GuestMemory,
    function: Option<&RuntimeFunction>,
    context: &mut AlphaContext,
) -> Result<Unwound, Fault> {
    let sp = context.r[SP] as u32;
    let Some(function) = function else {
        context.pc = context.r[RA];
        return Ok(Unwound {
            establisher_frame: sp,
            real_frame: sp,
            in_function: false,
        });
    };
    let control = context.pc as u32;
    let at_control = Instruction(memory.read_u32(control)?);

    // Control at a return: the epilogue has restored everything.
    if let Some(rb) = at_control.return_register() {
        context.pc = context.r[rb];
        return Ok(Unwound {
            establisher_frame: sp,
            real_frame: 0,
            in_function: false,
        });
    }
    // Control at the stack deallocation right before a return: finish it forwards.
    if let Some(rb) = memory
        .read_u32(control.wrapping_add(4))
        .ok()
        .and_then(|w| Instruction(w).return_register())
    {
        let i = at_control;
        let restored = if i.opcode() == OP_LDA && i.ra() == SP {
            Some(context.r[i.rb()].wrapping_add(i.displacement() as u64))
        } else if i.opcode() == OP_INTA
            && i.function() == FN_ADDQ
            && i.rc() == SP
            && i.literal().is_none()
        {
            Some(context.r[i.ra()].wrapping_add(context.r[i.rb()]))
        } else {
            None
        };
        if let Some(new_sp) = restored {
            context.pc = context.r[rb];
            context.r[SP] = new_sp;
            return Ok(Unwound {
                establisher_frame: new_sp as u32,
                real_frame: 0,
                in_function: false,
            });
        }
    }

    let begin = function.begin;
    let prolog_end = function.prolog_end_address();
    let (mut scan, in_function) = if control < begin || control >= prolog_end {
        (prolog_end, true)
    } else {
        (control, false)
    };
    if scan.wrapping_sub(begin) > MAX_PROLOGUE_BYTES {
        scan = begin;
    }
    let mut establisher_frame = sp;
    let mut real_frame = sp;
    let mut restored_sp = false;
    // The register a large frame size was built in, and the part of it seen so far.
    let mut decrement = ZERO;
    let mut decrement_offset: i64 = 0;
    while scan > begin {
        scan -= 4;
        let i = Instruction(memory.read_u32(scan)?);
        let (ra, rb, rc) = (i.ra(), i.rb(), i.rc());
        // A stack allocation of `frame` bytes found: undo it.
        let mut allocation: Option<i64> = None;
        match i.opcode() {
            OP_STQ if rb == SP && ra != ZERO => {
                let slot = (context.r[SP] as u32).wrapping_add(i.displacement() as u32);
                context.r[ra] = memory.read_u64(slot)?;
                if ra == SP && !restored_sp {
                    establisher_frame = context.r[SP] as u32;
                    real_frame = establisher_frame;
                    restored_sp = true;
                }
            }
            OP_STT if rb == SP && ra != ZERO => {
                let slot = (context.r[SP] as u32).wrapping_add(i.displacement() as u32);
                context.f[ra] = memory.read_u64(slot)?;
            }
            op @ (OP_LDA | OP_LDAH) => {
                let offset = if op == OP_LDAH {
                    i.displacement() << 16
                } else {
                    i.displacement()
                };
                if ra == SP {
                    if rb == SP {
                        // lda sp,-N(sp)
                        allocation = Some(-offset);
                    } else {
                        // ldah Rx,-N(sp); lda sp,n(Rx): the second half of a large frame.
                        decrement = rb;
                        decrement_offset = offset;
                    }
                } else if ra == decrement && decrement != ZERO {
                    if rb == decrement {
                        // ldah Rx,N(zero); lda Rx,n(Rx); ...; subq sp,Rx,sp
                        decrement_offset += offset;
                    } else if rb == ZERO {
                        allocation = Some(offset + decrement_offset);
                    } else if rb == SP {
                        allocation = Some(-(offset + decrement_offset));
                    }
                }
            }
            OP_INTA => match (i.function(), i.literal()) {
                // addq zero,N,Rx; ...; subq sp,Rx,sp
                (FN_ADDQ, Some(n)) if ra == ZERO && rc == decrement && decrement != ZERO => {
                    allocation = Some(n as i64);
                }
                // subq sp,Rx,sp: the frame size is in Rx.
                (FN_SUBQ, None) if ra == SP && rc == SP => {
                    decrement = rb;
                    decrement_offset = 0;
                }
                _ => {}
            },
            OP_INTL if i.function() == FN_BIS && rc != ZERO => match i.literal() {
                None => {
                    // A register move: bis Rx,Rx,Ry / bis Rx,zero,Ry / bis zero,Rx,Ry.
                    let (a, b) = match (ra, rb) {
                        (ZERO, b) => (b, b),
                        (a, ZERO) => (a, a),
                        pair => pair,
                    };
                    if a == b && a != ZERO {
                        context.r[a] = context.r[rc];
                        if a == SP && !restored_sp {
                            // The frame pointer set-up: sp comes back from fp.
                            establisher_frame = context.r[SP] as u32;
                            real_frame = establisher_frame;
                            restored_sp = true;
                        }
                    }
                }
                // bis zero,N,Rx; ...; subq sp,Rx,sp
                Some(n) if ra == ZERO && rc == decrement && decrement != ZERO => {
                    allocation = Some(n as i64);
                }
                Some(_) => {}
            },
            // cpys Fx,Fx,Fy: a floating register move.
            OP_FLTL if i.fp_function() == FN_CPYS && ra == rb && ra != ZERO => {
                context.f[ra] = context.f[rc];
            }
            _ => {}
        }
        if let Some(frame) = allocation {
            context.r[SP] = context.r[SP].wrapping_add(frame as u64);
            establisher_frame = context.r[SP] as u32;
            decrement = ZERO;
        }
    }
    context.pc = context.r[RA];
    Ok(Unwound {
        establisher_frame,
        real_frame,
        in_function,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use nt_memory::{AddressSpace, AllocationType, PageProtection, PageSize};

    const CODE: u32 = 0x0040_0000;
    const STACK_TOP: u32 = 0x0013_0000;

    // Instruction encoders (the Alpha formats).
    fn mem(op: u32, ra: usize, rb: usize, disp: i32) -> u32 {
        op << 26 | (ra as u32) << 21 | (rb as u32) << 16 | (disp as u32 & 0xFFFF)
    }
    fn lda(ra: usize, disp: i32, rb: usize) -> u32 {
        mem(OP_LDA, ra, rb, disp)
    }
    fn ldah(ra: usize, disp: i32, rb: usize) -> u32 {
        mem(OP_LDAH, ra, rb, disp)
    }
    fn stq(ra: usize, disp: i32, rb: usize) -> u32 {
        mem(OP_STQ, ra, rb, disp)
    }
    fn stt(fa: usize, disp: i32, rb: usize) -> u32 {
        mem(OP_STT, fa, rb, disp)
    }
    fn ldq(ra: usize, disp: i32, rb: usize) -> u32 {
        mem(0x29, ra, rb, disp)
    }
    fn operate(op: u32, function: u32, ra: usize, rb: usize, rc: usize) -> u32 {
        op << 26 | (ra as u32) << 21 | (rb as u32) << 16 | function << 5 | rc as u32
    }
    fn operate_literal(op: u32, function: u32, ra: usize, literal: u32, rc: usize) -> u32 {
        op << 26 | (ra as u32) << 21 | literal << 13 | 0x1000 | function << 5 | rc as u32
    }
    fn bis(ra: usize, rb: usize, rc: usize) -> u32 {
        operate(OP_INTL, FN_BIS, ra, rb, rc)
    }
    fn subq(ra: usize, rb: usize, rc: usize) -> u32 {
        operate(OP_INTA, FN_SUBQ, ra, rb, rc)
    }
    fn addq(ra: usize, rb: usize, rc: usize) -> u32 {
        operate(OP_INTA, FN_ADDQ, ra, rb, rc)
    }
    fn cpys(fa: usize, fb: usize, fc: usize) -> u32 {
        OP_FLTL << 26 | (fa as u32) << 21 | (fb as u32) << 16 | FN_CPYS << 5 | fc as u32
    }
    const RET: u32 = 0x6BFA_8001; // ret zero,(ra),1
    const NOP: u32 = 0x47FF_041F; // bis zero,zero,zero
    const FP: usize = 15;
    const S0: usize = 9;

    /// A space with code at CODE and a committed stack below STACK_TOP.
    fn space_with(code: &[u32]) -> AddressSpace {
        let mut space = AddressSpace::new(PageSize::Alpha).expect("space");
        let rw = AllocationType::RESERVE | AllocationType::COMMIT;
        space
            .allocate(CODE, 0x1_0000, rw, PageProtection::EXECUTE_READWRITE)
            .expect("code");
        commit_stack(&mut space, STACK_TOP - 0x1_0000, 0x1_0000, "stack");
        for (k, w) in code.iter().enumerate() {
            space
                .write_u32(CODE + 4 * k as u32, *w)
                .expect("code write");
        }
        space
    }

    /// Commits `size` read-write bytes of stack at `at`.
    fn commit_stack(space: &mut AddressSpace, at: u32, size: u32, what: &str) {
        let rw = AllocationType::RESERVE | AllocationType::COMMIT;
        space
            .allocate(at, size, rw, PageProtection::READWRITE)
            .expect(what);
    }

    fn entry(begin: u32, end: u32, prolog_end: u32) -> RuntimeFunction {
        RuntimeFunction {
            begin,
            end,
            handler: 0,
            handler_data: 0,
            prolog_end,
        }
    }

    /// A context at `pc` with sp = `sp`, every other register a recognizable junk value.
    fn context_at(pc: u32, sp: u32) -> AlphaContext {
        let mut c = AlphaContext::new();
        for (n, r) in c.r.iter_mut().enumerate() {
            *r = 0xDEAD_0000 + n as u64;
        }
        for (n, f) in c.f.iter_mut().enumerate() {
            *f = 0xF00D_0000 + n as u64;
        }
        c.r[SP] = u64::from(sp);
        c.r[ZERO] = 0;
        c.pc = u64::from(pc);
        c
    }

    /// The standard prologue: frame 64, ra at 0, s0-s2 at 8..24, f2 at 32.
    fn standard() -> Vec<u32> {
        vec![
            lda(SP, -64, SP),
            stq(RA, 0, SP),
            stq(S0, 8, SP),
            stq(S0 + 1, 16, SP),
            stq(S0 + 2, 24, SP),
            stt(2, 32, SP),
            // prologue end (CODE + 24)
            NOP,
            NOP,
            ldq(RA, 0, SP),
            lda(SP, 64, SP),
            RET,
        ]
    }

    fn fill_standard_frame(space: &mut AddressSpace, entry_sp: u32) {
        let frame = entry_sp - 64;
        space.write_u64(frame, 0x0040_1234).expect("ra");
        space.write_u64(frame + 8, 0x1111).expect("s0");
        space.write_u64(frame + 16, 0x2222).expect("s1");
        space.write_u64(frame + 24, 0x3333).expect("s2");
        space
            .write_u64(frame + 32, 0x4000_0000_0000_0000)
            .expect("f2");
    }

    #[test]
    fn a_standard_frame_unwinds_to_the_caller() {
        let mut space = space_with(&standard());
        let entry_sp = STACK_TOP - 0x100;
        fill_standard_frame(&mut space, entry_sp);
        let f = entry(CODE, CODE + 44, CODE + 24);
        let mut c = context_at(CODE + 28, entry_sp - 64);
        let u = unwind_frame(&space, Some(&f), &mut c).expect("unwind");
        assert_eq!(u.establisher_frame, entry_sp);
        assert_eq!(u.real_frame, entry_sp - 64);
        assert!(u.in_function);
        assert_eq!(c.r[SP], u64::from(entry_sp));
        assert_eq!(c.pc, 0x0040_1234);
        assert_eq!(c.r[RA], 0x0040_1234);
        assert_eq!(&c.r[S0..S0 + 3], &[0x1111, 0x2222, 0x3333]);
        assert_eq!(c.r[S0 + 3], 0xDEAD_0000 + 12, "s3 was not saved");
        assert_eq!(c.f[2], 0x4000_0000_0000_0000);
        assert_eq!(c.f[3], 0xF00D_0003);
        // The interface's shorthand agrees.
        let mut c2 = context_at(CODE + 28, entry_sp - 64);
        assert_eq!(virtual_unwind(&space, Some(&f), &mut c2), Ok(entry_sp));
        assert_eq!(c2, c);
    }

    #[test]
    fn a_partly_executed_prologue_is_undone_only_as_far_as_it_ran() {
        let mut space = space_with(&standard());
        let entry_sp = STACK_TOP - 0x100;
        fill_standard_frame(&mut space, entry_sp);
        let f = entry(CODE, CODE + 44, CODE + 24);
        // About to save s1: the frame exists, ra and s0 are saved, s1 and s2 are live.
        let mut c = context_at(CODE + 12, entry_sp - 64);
        let ra_before = c.r[RA];
        let u = unwind_frame(&space, Some(&f), &mut c).expect("unwind");
        assert!(!u.in_function);
        assert_eq!(u.establisher_frame, entry_sp);
        assert_eq!(c.r[SP], u64::from(entry_sp));
        assert_eq!(c.r[RA], 0x0040_1234);
        assert_eq!(c.pc, 0x0040_1234);
        assert_eq!(c.r[S0], 0x1111);
        assert_eq!(c.r[S0 + 1], 0xDEAD_0000 + 10, "s1 not saved yet");
        assert_eq!(c.f[2], 0xF00D_0002, "f2 not saved yet");
        // At the first instruction nothing has run: the caller's registers are current.
        let mut c = context_at(CODE, entry_sp);
        let u = unwind_frame(&space, Some(&f), &mut c).expect("unwind");
        assert!(!u.in_function);
        assert_eq!(u.establisher_frame, entry_sp);
        assert_eq!(c.r[SP], u64::from(entry_sp));
        assert_eq!(c.pc, ra_before);
        assert_eq!(c.r[S0], 0xDEAD_0000 + 9);
    }

    #[test]
    fn epilogues_are_finished_forwards() {
        let mut space = space_with(&standard());
        let entry_sp = STACK_TOP - 0x100;
        fill_standard_frame(&mut space, entry_sp);
        let f = entry(CODE, CODE + 44, CODE + 24);
        // At `lda sp,64(sp)` before the ret: ra is already reloaded.
        let mut c = context_at(CODE + 36, entry_sp - 64);
        c.r[RA] = 0x0040_5678;
        let u = unwind_frame(&space, Some(&f), &mut c).expect("unwind");
        assert!(!u.in_function);
        assert_eq!(u.establisher_frame, entry_sp);
        assert_eq!(c.r[SP], u64::from(entry_sp));
        assert_eq!(c.pc, 0x0040_5678);
        assert_eq!(c.r[S0], 0xDEAD_0000 + 9, "nothing reloaded from the stack");
        // At the ret itself: nothing left to undo.
        let mut c = context_at(CODE + 40, entry_sp);
        c.r[RA] = 0x0040_9ABC;
        let u = unwind_frame(&space, Some(&f), &mut c).expect("unwind");
        assert_eq!((u.establisher_frame, u.in_function), (entry_sp, false));
        assert_eq!(c.r[SP], u64::from(entry_sp));
        assert_eq!(c.pc, 0x0040_9ABC);
        // A large frame given back with `addq sp,t0,sp` right before the ret.
        let space = space_with(&[addq(SP, 1, SP), RET]);
        let f = entry(CODE - 0x40, CODE + 8, CODE - 0x30);
        let mut c = context_at(CODE, entry_sp - 0x2_0000);
        c.r[1] = 0x2_0000;
        c.r[RA] = 0x0040_9ABC;
        assert_eq!(virtual_unwind(&space, Some(&f), &mut c), Ok(entry_sp));
        assert_eq!(c.pc, 0x0040_9ABC);
    }

    #[test]
    fn a_frame_pointer_gives_back_sp_after_dynamic_allocation() {
        let code = [
            lda(SP, -32, SP),
            stq(RA, 0, SP),
            stq(FP, 8, SP),
            bis(SP, SP, FP), // prologue end after this (CODE + 16)
            subq(SP, 1, SP), // alloca in the body
            NOP,
        ];
        let mut space = space_with(&code);
        let entry_sp = STACK_TOP - 0x200;
        let fp = entry_sp - 32;
        space.write_u64(fp, 0x0040_2000).expect("ra");
        space.write_u64(fp + 8, 0x0012_FF00).expect("caller fp");
        let f = entry(CODE, CODE + 24, CODE + 16);
        let mut c = context_at(CODE + 20, fp - 0x80);
        c.r[FP] = u64::from(fp);
        let u = unwind_frame(&space, Some(&f), &mut c).expect("unwind");
        assert_eq!(u.real_frame, fp);
        assert_eq!(u.establisher_frame, entry_sp);
        assert_eq!(c.r[SP], u64::from(entry_sp));
        assert_eq!(c.r[FP], 0x0012_FF00);
        assert_eq!(c.pc, 0x0040_2000);
        // `mov sp,fp` (bis zero,sp,fp) is the same set-up.
        let code = [lda(SP, -32, SP), stq(FP, 8, SP), bis(ZERO, SP, FP), NOP];
        let mut space = space_with(&code);
        space.write_u64(fp + 8, 0x0012_FE00).expect("caller fp");
        let f = entry(CODE, CODE + 16, CODE + 12);
        let mut c = context_at(CODE + 12, fp - 0x40);
        c.r[FP] = u64::from(fp);
        assert_eq!(virtual_unwind(&space, Some(&f), &mut c), Ok(entry_sp));
        assert_eq!(c.r[SP], u64::from(entry_sp));
        assert_eq!(c.r[FP], 0x0012_FE00);
    }

    #[test]
    fn large_frames_built_in_a_register_are_undone() {
        let entry_sp = STACK_TOP - 0x100;
        // ldah t0,1(zero); lda t0,0x2000(t0); subq sp,t0,sp: a 0x12000-byte frame.
        let large = 0x1_2000u32;
        let code = [
            ldah(1, 1, ZERO),
            lda(1, 0x2000, 1),
            subq(SP, 1, SP),
            stq(RA, 0, SP),
            NOP,
        ];
        let mut space = space_with(&code);
        commit_stack(&mut space, STACK_TOP - 0x4_0000, 0x3_0000, "deep stack");
        let frame = entry_sp - large;
        space.write_u64(frame, 0x0040_3000).expect("ra");
        let f = entry(CODE, CODE + 20, CODE + 16);
        let mut c = context_at(CODE + 16, frame);
        let u = unwind_frame(&space, Some(&f), &mut c).expect("unwind");
        assert_eq!(u.establisher_frame, entry_sp);
        assert_eq!(c.r[SP], u64::from(entry_sp));
        assert_eq!(c.pc, 0x0040_3000);
        // bis zero,N,t0 and addq zero,N,t0 load a small size; ldah t1,-N(sp); lda sp,n(t1)
        // allocates directly.
        for set_size in [
            operate_literal(OP_INTL, FN_BIS, ZERO, 0xF0, 2),
            operate_literal(OP_INTA, FN_ADDQ, ZERO, 0xF0, 2),
        ] {
            let space = space_with(&[set_size, subq(SP, 2, SP), NOP]);
            let f = entry(CODE, CODE + 12, CODE + 8);
            let mut c = context_at(CODE + 8, entry_sp - 0xF0);
            assert_eq!(virtual_unwind(&space, Some(&f), &mut c), Ok(entry_sp));
        }
        let code = [ldah(2, -1, SP), lda(SP, -0x10, 2), NOP];
        let space = space_with(&code);
        let f = entry(CODE, CODE + 12, CODE + 8);
        let mut c = context_at(CODE + 8, entry_sp - 0x1_0010);
        assert_eq!(virtual_unwind(&space, Some(&f), &mut c), Ok(entry_sp));
        assert_eq!(c.r[SP], u64::from(entry_sp));
    }

    #[test]
    fn register_moves_in_the_prologue_are_reversed() {
        // bis ra,ra,s0 (ra kept in s0) and cpys f2,f2,f10.
        let code = [stq(S0, -8, SP), bis(RA, RA, S0), cpys(2, 2, 10), NOP];
        let mut space = space_with(&code);
        let sp = STACK_TOP - 0x100;
        let f = entry(CODE, CODE + 16, CODE + 12);
        let mut c = context_at(CODE + 12, sp);
        c.r[S0] = 0x0040_7000;
        c.f[10] = 0x1234;
        space.write_u64(sp - 8, 0x9999).expect("s0 slot");
        let u = unwind_frame(&space, Some(&f), &mut c).expect("unwind");
        assert_eq!(u.establisher_frame, sp);
        assert_eq!(c.pc, 0x0040_7000);
        assert_eq!(c.r[RA], 0x0040_7000);
        assert_eq!(c.r[S0], 0x9999);
        assert_eq!(c.f[2], 0x1234);
    }

    #[test]
    fn leaf_functions_return_through_ra() {
        let space = space_with(&[RET]);
        let mut c = context_at(CODE, STACK_TOP - 0x40);
        c.r[RA] = 0x0040_1000;
        assert_eq!(virtual_unwind(&space, None, &mut c), Ok(STACK_TOP - 0x40));
        assert_eq!(c.pc, 0x0040_1000);
        assert_eq!(c.r[SP], u64::from(STACK_TOP - 0x40));
    }

    #[test]
    fn unreadable_stack_or_code_is_a_fault_not_a_panic() {
        let space = space_with(&standard());
        let f = entry(CODE, CODE + 44, CODE + 24);
        // sp points nowhere: the saved ra cannot be read.
        let mut c = context_at(CODE + 28, 0x0000_1000);
        assert!(virtual_unwind(&space, Some(&f), &mut c).is_err());
        // An entry pointing at unmapped code.
        let f = entry(0x7000_0000, 0x7000_0100, 0x7000_0010);
        let mut c = context_at(0x7000_0020, STACK_TOP - 0x40);
        assert!(virtual_unwind(&space, Some(&f), &mut c).is_err());
        // A malformed prologue length is not scanned.
        let f = entry(CODE - 0x0020_0000, CODE + 0x100, CODE + 0x80);
        let mut c = context_at(CODE + 28, STACK_TOP - 0x40);
        let ra = c.r[RA];
        assert_eq!(
            virtual_unwind(&space, Some(&f), &mut c),
            Ok(STACK_TOP - 0x40)
        );
        assert_eq!(c.pc, ra);
    }

    /// A minimal PE header at CODE whose exception directory lists `entries` at RVA 0x1000.
    fn image_with_table(entries: &[RuntimeFunction]) -> AddressSpace {
        let mut space = space_with(&[]);
        space.write_u16(CODE, 0x5A4D).expect("mz");
        space.write_u32(CODE + 0x3C, 0x80).expect("lfanew");
        space.write_u32(CODE + 0x80, 0x4550).expect("pe");
        let optional = CODE + 0x80 + 24;
        space.write_u16(optional, 0x10B).expect("magic");
        space.write_u32(optional + 92, 16).expect("count");
        space
            .write_u32(optional + 96 + 24, 0x1000)
            .expect("dir rva");
        space
            .write_u32(optional + 96 + 28, 20 * entries.len() as u32)
            .expect("dir size");
        for (k, e) in entries.iter().enumerate() {
            let at = CODE + 0x1000 + 20 * k as u32;
            for (n, v) in [e.begin, e.end, e.handler, e.handler_data, e.prolog_end]
                .into_iter()
                .enumerate()
            {
                space.write_u32(at + 4 * n as u32, v).expect("entry");
            }
        }
        space
    }

    fn table() -> Vec<RuntimeFunction> {
        vec![
            entry(CODE + 0x2000, CODE + 0x2040, CODE + 0x2008),
            RuntimeFunction {
                handler: CODE + 0x2101,
                handler_data: 7,
                ..entry(CODE + 0x2040, CODE + 0x2100, CODE + 0x2040)
            },
            entry(CODE + 0x2100, CODE + 0x2180, CODE + 0x2114),
            // A secondary entry for code at 0x2200..0x2240 belonging to the first function.
            entry(CODE + 0x2200, CODE + 0x2240, CODE + 0x1000),
            entry(CODE + 0x2300, CODE + 0x2304, CODE + 0x2300),
        ]
    }

    #[test]
    fn lookup_finds_the_covering_entry() {
        let t = table();
        let space = image_with_table(&t);
        let look = |pc: u32| lookup_in_image(&space, CODE, 0x1_0000, pc);
        assert_eq!(look(CODE + 0x2000), Some(t[0]));
        assert_eq!(look(CODE + 0x203C), Some(t[0]));
        assert_eq!(look(CODE + 0x2040), Some(t[1]), "EndAddress is exclusive");
        assert_eq!(look(CODE + 0x20FC), Some(t[1]));
        assert_eq!(look(CODE + 0x2100), Some(t[2]));
        assert_eq!(look(CODE + 0x2300), Some(t[4]));
        assert_eq!(look(CODE + 0x2304), None);
        assert_eq!(look(CODE + 0x2180), None, "a gap: a leaf");
        assert_eq!(look(CODE + 0x1FFC), None);
        assert_eq!(look(CODE + 0x2220), Some(t[0]), "secondary -> primary");
        let at = |pc: u32| lookup_in_image_at(&space, CODE, 0x1_0000, pc).map(|(a, _)| a);
        assert_eq!(at(CODE + 0x2100), Some(CODE + 0x1000 + 2 * 20));
        assert_eq!(
            at(CODE + 0x2220),
            Some(CODE + 0x1000),
            "the primary's address"
        );
        assert_eq!(look(CODE + 0x2_0000), None, "outside the image");
        assert_eq!(look(CODE - 4), None);
        assert_eq!(t[1].handler_address(), Some(CODE + 0x2100));
        assert_eq!(t[0].handler_address(), None);
        let ieee = RuntimeFunction {
            prolog_end: CODE + 0x2009,
            ..t[0]
        };
        assert_eq!(ieee.prolog_end_address(), CODE + 0x2008);
    }

    #[test]
    fn malformed_tables_give_no_entry() {
        let t = table();
        // No MZ.
        let mut space = image_with_table(&t);
        space.write_u16(CODE, 0).expect("patch");
        assert_eq!(lookup_in_image(&space, CODE, 0x1_0000, CODE + 0x2000), None);
        // e_lfanew outside the image.
        let mut space = image_with_table(&t);
        space.write_u32(CODE + 0x3C, 0xFFFF_FFF0).expect("patch");
        assert_eq!(lookup_in_image(&space, CODE, 0x1_0000, CODE + 0x2000), None);
        // Too few data directories.
        let mut space = image_with_table(&t);
        space.write_u32(CODE + 0x80 + 24 + 92, 3).expect("patch");
        assert_eq!(lookup_in_image(&space, CODE, 0x1_0000, CODE + 0x2000), None);
        // A directory running past SizeOfImage.
        let mut space = image_with_table(&t);
        space
            .write_u32(CODE + 0x80 + 24 + 96 + 28, 0xFFFF_0000)
            .expect("patch");
        assert_eq!(lookup_in_image(&space, CODE, 0x1_0000, CODE + 0x2000), None);
        // A table in unmapped memory (the image claims to be larger than what is mapped).
        let mut space = image_with_table(&t);
        space
            .write_u32(CODE + 0x80 + 24 + 96 + 24, 0x8_0000)
            .expect("patch");
        assert_eq!(
            lookup_in_image(&space, CODE, 0x10_0000, CODE + 0x2000),
            None
        );
        // A secondary entry pointing at garbage or at another secondary.
        let mut bad = t.clone();
        bad[3].prolog_end = 0x7FFF_0000;
        let space = image_with_table(&bad);
        assert_eq!(lookup_in_image(&space, CODE, 0x1_0000, CODE + 0x2200), None);
        let mut bad = t.clone();
        bad[3].prolog_end = CODE + 0x1000 + 3 * 20; // itself
        let space = image_with_table(&bad);
        assert_eq!(lookup_in_image(&space, CODE, 0x1_0000, CODE + 0x2200), None);
        // No exception directory at all.
        let mut space = image_with_table(&t);
        space
            .write_u32(CODE + 0x80 + 24 + 96 + 28, 0)
            .expect("patch");
        assert_eq!(lookup_in_image(&space, CODE, 0x1_0000, CODE + 0x2000), None);
    }

    /// The Alpha SEH guest built by tools/alpha-pe (committed), loaded as a process.
    #[test]
    fn the_seh_guest_image_has_a_function_table() {
        use nt_kernel::{CREATE_SUSPENDED, Machine, MachineConfig};
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../tests/guests/alpha/seh.exe"
        );
        let bytes = std::fs::read(path).expect("tests/guests/alpha/seh.exe is committed");
        let image = pe_image::PeImage::parse(&bytes).expect("parse");
        let mut machine = Machine::new(MachineConfig::default());
        let started = machine
            .create_process_from_image(
                &image,
                &mut pe_image::NoImports,
                None,
                false,
                CREATE_SUSPENDED,
            )
            .expect("process");
        let process = machine.process(started.process).expect("process");
        let entry_point = started.image.entry_point;
        // `start` begins the text section and names `seh_handler`, which has a table
        // entry of its own without a prologue or handler.
        let start = lookup_function_entry(process, entry_point).expect("start's entry");
        let (at, same) = lookup_function_entry_at(process, entry_point).expect("address");
        assert_eq!(same, start);
        let table = process.address_space();
        assert_eq!(table.read_u32(at + 8), Ok(start.handler));
        assert_eq!(start.begin, entry_point);
        assert!(start.prolog_end_address() > start.begin);
        assert_eq!(lookup_function_entry(process, start.end - 4), Some(start));
        assert_eq!(lookup_function_entry(process, entry_point - 4), None);
        let handler = start.handler_address().expect("start has a handler");
        let h = lookup_function_entry(process, handler).expect("the handler's entry");
        assert_eq!((h.begin, h.prolog_end, h.handler), (handler, handler, 0));
        assert_eq!(lookup_function_entry(process, 0x10), None);
    }

    /// A corpus image (MSVC-built NT 4.0 Alpha programs in ../shared/corpus/alpha), loaded
    /// at its preferred base; None (the test is skipped) when the corpus is absent.
    fn corpus(name: &str) -> Option<(AddressSpace, u32, u32)> {
        let path = pe_image::corpus::file(&format!("alpha/{name}"))?;
        let bytes = std::fs::read(&path).expect("a corpus file reads");
        let image = pe_image::PeImage::parse(&bytes).expect("parse");
        let mut space = AddressSpace::new(PageSize::Alpha).expect("space");
        let mut stubs = pe_image::ImportStubs::new(&mut space).expect("stubs");
        let loaded = image
            .load(&mut space, None, &mut pe_image::NoImports, &mut stubs)
            .expect("load");
        commit_stack(&mut space, STACK_TOP - 0x1_0000, 0x1_0000, "stack");
        Some((space, loaded.base, loaded.size))
    }

    // The expected entries and registers below were read off the images with
    // `alpha-linux-gnu-objdump -D -b binary -m alpha --adjust-vma=0x402000` on the .text
    // section and a dump of the .pdata section (binutils has no pei-alpha target).

    #[test]
    fn corpus_aclock_frames_unwind() {
        let Some((mut space, base, size)) = corpus("aclock.exe") else {
            return;
        };
        let look = |space: &AddressSpace, pc| lookup_in_image(space, base, size, pc);
        // 402000: lda sp,-32(sp); ldah t0; stq ra,0(sp) | ... jsr ... ldq ra;
        // 402050: lda sp,32(sp); 402054: ret.
        let small = look(&space, 0x0040_2030).expect("entry");
        assert_eq!(small, entry(0x0040_2000, 0x0040_2058, 0x0040_200C));
        let entry_sp = STACK_TOP - 0x400;
        space
            .write_u64(entry_sp - 32, 0x0040_7777)
            .expect("ra slot");
        let mut c = context_at(0x0040_2048, entry_sp - 32);
        let u = unwind_frame(&space, Some(&small), &mut c).expect("unwind");
        assert_eq!((u.establisher_frame, u.in_function), (entry_sp, true));
        assert_eq!((c.pc, c.r[SP]), (0x0040_7777, u64::from(entry_sp)));
        // In the epilogue, at the deallocation before the ret.
        let mut c = context_at(0x0040_2050, entry_sp - 32);
        c.r[RA] = 0x0040_8888;
        let u = unwind_frame(&space, Some(&small), &mut c).expect("unwind");
        assert_eq!((u.establisher_frame, u.in_function), (entry_sp, false));
        assert_eq!((c.pc, c.r[SP]), (0x0040_8888, u64::from(entry_sp)));

        // 402060: lda sp,-144(sp); ldah at; stq a0,112; stq a3,120; stt f4,64; ldt f0;
        // ldt f1; stt f5,72; stt f6,80; stq s4,32; stq ra,40; stt f2,48; stt f3,56;
        // stq s0,0; stq s1,8; stq s2,16; stq s3,24; stt f7,88 | 4020a8.
        let big = look(&space, 0x0040_20D0).expect("entry");
        assert_eq!(big, entry(0x0040_2060, 0x0040_2204, 0x0040_20A8));
        let frame = entry_sp - 144;
        for (n, off) in [(9, 0), (10, 8), (11, 16), (12, 24), (13, 32), (RA, 40)] {
            space
                .write_u64(frame + off, 0x0050_0000 + n as u64)
                .expect("slot");
        }
        for (n, off) in [(2, 48), (3, 56), (4, 64), (5, 72), (6, 80), (7, 88)] {
            space
                .write_u64(frame + off, 0x3FF0_0000_0000_0000 + n as u64)
                .expect("slot");
        }
        space.write_u64(frame + 112, 0xA0).expect("a0 home");
        space.write_u64(frame + 120, 0xA3).expect("a3 home");
        let mut c = context_at(0x0040_20D0, frame);
        let u = unwind_frame(&space, Some(&big), &mut c).expect("unwind");
        assert_eq!((u.establisher_frame, u.real_frame), (entry_sp, frame));
        assert_eq!(c.pc, 0x0050_0000 + RA as u64);
        assert_eq!(c.r[SP], u64::from(entry_sp));
        for n in 9..=13 {
            assert_eq!(c.r[n], 0x0050_0000 + n as u64, "s{}", n - 9);
        }
        for n in 2..=7 {
            assert_eq!(c.f[n], 0x3FF0_0000_0000_0000 + n as u64, "f{n}");
        }
        assert_eq!((c.r[16], c.r[19]), (0xA0, 0xA3));
        // 409700: mov a0,t1; mov a1,t2; ldl a0; ldl a1; mov ra,t4 | 409714: ra lives in t4.
        let moved = look(&space, 0x0040_9718).expect("entry");
        assert_eq!(moved, entry(0x0040_9700, 0x0040_978C, 0x0040_9714));
        let mut c = context_at(0x0040_9718, entry_sp);
        c.r[5] = 0x0040_6666;
        let u = unwind_frame(&space, Some(&moved), &mut c).expect("unwind");
        assert_eq!((u.establisher_frame, u.in_function), (entry_sp, true));
        assert_eq!((c.pc, c.r[RA]), (0x0040_6666, 0x0040_6666));
        assert_eq!(
            (c.r[16], c.r[17]),
            (0xDEAD_0002, 0xDEAD_0003),
            "a0, a1 from t1, t2"
        );
        // Stopped at 402088 (stq ra,40(sp) not yet run): only a0, a3, f4-f6 and s4 saved.
        let mut c = context_at(0x0040_2088, frame);
        let ra = c.r[RA];
        let u = unwind_frame(&space, Some(&big), &mut c).expect("unwind");
        assert_eq!((u.establisher_frame, u.in_function), (entry_sp, false));
        assert_eq!((c.pc, c.r[RA]), (ra, ra));
        assert_eq!(c.r[13], 0x0050_000D);
        assert_eq!(c.r[9], 0xDEAD_0009);
        assert_eq!(c.f[4], 0x3FF0_0000_0000_0004);
        assert_eq!(c.f[2], 0xF00D_0002);
        assert_eq!(c.r[SP], u64::from(entry_sp));
    }

    #[test]
    fn corpus_ntvi_frame_pointer_and_secondary_entries() {
        let Some((mut space, base, size)) = corpus("ntvi.exe") else {
            return;
        };
        // 418490: lda sp,-144(sp); ldah t3; stq s0,0; stq s1,8; stq s2,16; stq s3,24;
        // stq fp,32; stq ra,40; stq zero,88; trapb; mov sp,fp | 4184bc; the body
        // allocates more stack (subq sp,a2,t4 ... at 418608).
        let f = lookup_in_image(&space, base, size, 0x0041_8600).expect("entry");
        assert_eq!(
            f,
            RuntimeFunction {
                handler: 0x0041_AF80,
                handler_data: 0xFFFF_FFC8,
                ..entry(0x0041_8490, 0x0041_86E0, 0x0041_84BC)
            }
        );
        let entry_sp = STACK_TOP - 0x800;
        let fp = entry_sp - 144;
        for (n, off) in [(9, 0), (10, 8), (11, 16), (12, 24), (FP, 32), (RA, 40)] {
            space
                .write_u64(fp + off, 0x0060_0000 + n as u64)
                .expect("slot");
        }
        space.write_u64(fp + 88, 0x5555).expect("zero's slot");
        let mut c = context_at(0x0041_8600, fp - 0x200);
        c.r[FP] = u64::from(fp);
        let u = unwind_frame(&space, Some(&f), &mut c).expect("unwind");
        assert_eq!(
            u,
            Unwound {
                establisher_frame: entry_sp,
                real_frame: fp,
                in_function: true
            }
        );
        assert_eq!(c.r[SP], u64::from(entry_sp));
        assert_eq!(c.pc, 0x0060_0000 + RA as u64);
        for n in [9, 10, 11, 12, FP] {
            assert_eq!(c.r[n], 0x0060_0000 + n as u64);
        }
        assert_eq!(c.r[ZERO], 0);
        // 4140f0..4148b0 are secondary entries whose PrologEndAddress (42eff0) is the
        // address of the primary entry 414070..4140f0 in the table.
        let primary = entry(0x0041_4070, 0x0041_40F0, 0x0041_4070);
        for pc in [0x0041_4100, 0x0041_40F0, 0x0041_48AC] {
            assert_eq!(lookup_in_image(&space, base, size, pc), Some(primary));
        }
        assert_eq!(
            lookup_in_image(&space, base, size, 0x0041_4080),
            Some(primary)
        );
        let at = lookup_in_image_at(&space, base, size, 0x0041_4100).map(|(a, _)| a);
        assert_eq!(at, Some(0x0042_EFF0));
    }

    /// Every function of every corpus image unwinds from the end of its prologue: the frame
    /// given back is a multiple of 16 bytes (the calling standard's stack alignment) and
    /// below 1 MiB, sp and the establisher frame agree, and a saved ra is where control goes.
    #[test]
    fn corpus_every_prologue_unwinds_to_an_aligned_frame() {
        for name in ["aclock.exe", "ntvi.exe", "2048.exe", "snake.exe"] {
            let Some((mut space, base, size)) = corpus(name) else {
                return;
            };
            // Stack slots read as 0x7000_0000 + their offset, so a restored register
            // tells where it came from.
            let sp = STACK_TOP - 0x8000;
            for slot in (sp..STACK_TOP).step_by(8) {
                space
                    .write_u64(slot, u64::from(0x7000_0000 + slot - sp))
                    .expect("slot");
            }
            let (table, count) = exception_directory(&space, base, size).expect("table");
            let mut unwound = 0;
            for k in 0..count {
                let f = RuntimeFunction::read(&space, table + k * RuntimeFunction::SIZE)
                    .expect("entry");
                if f.is_secondary() {
                    continue;
                }
                let mut c = context_at(f.prolog_end_address(), sp);
                c.r[FP] = u64::from(sp);
                let ra = c.r[RA];
                let u = unwind_frame(&space, Some(&f), &mut c)
                    .unwrap_or_else(|e| panic!("{name} {:#x}: {e:?}", f.begin));
                let frame = (c.r[SP] as u32).wrapping_sub(sp);
                assert!(
                    frame < 0x10_0000 && frame.is_multiple_of(16),
                    "{name} {:#x}: frame {frame:#x}",
                    f.begin
                );
                assert_eq!(u.establisher_frame, c.r[SP] as u32, "{name} {:#x}", f.begin);
                // (Unless the prologue ends right at, or one instruction before, a `ret`:
                // then it may be an epilogue.)
                let at_end = space.read_u32(f.prolog_end_address()).expect("code");
                let next = space.read_u32(f.prolog_end_address() + 4).expect("code");
                let returns = [at_end, next]
                    .iter()
                    .any(|&w| Instruction(w).return_register().is_some());
                assert!(u.in_function || returns, "{name} {:#x}", f.begin);
                assert!(
                    c.pc == ra
                        || (0x7000_0000..0x7000_0000 + frame as u64).contains(&c.pc)
                        || (0xDEAD_0000..0xDEAD_0020).contains(&c.pc),
                    "{name} {:#x}: pc {:#x}",
                    f.begin,
                    c.pc
                );
                unwound += 1;
            }
            assert!(unwound > 50, "{name}: {unwound} functions");
        }
    }
}
