//! NT 4.0's CONTEXT structures for x86 and Alpha AXP, and NtGetContextThread /
//! NtSetContextThread over them.
//!
//! A CONTEXT is read and written section by section, as its ContextFlags ask: what a caller
//! did not ask for is left as it was in its buffer (NT copies the structure in, fills the
//! requested parts, and copies it back), and ContextFlags itself is not changed. The x86
//! structure is NT 4.0's 0xCC bytes (ExtendedRegisters came with Windows 2000); the Alpha
//! one is 0x230 bytes of 64-bit registers.

use nt_memory::GuestMemory;
use nt_object::{AccessMask, Handle};
use nt_status::NtStatus;

use crate::KernelError;
use crate::cpu::{AlphaContext, CpuContext, X86Context, sign_extend};
use crate::machine::{ClientId, Machine};
use crate::process::ThreadBody;
use crate::teb::offsets;

/// sizeof(CONTEXT) on NT 4.0 for x86 (no ExtendedRegisters).
pub const CONTEXT_X86_SIZE: u32 = 0xCC;
/// sizeof(CONTEXT) on Alpha AXP.
pub const CONTEXT_ALPHA_SIZE: u32 = 0x230;

/// A CONTEXT's ContextFlags: the architecture bit and the sections asked for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ContextFlags(pub u32);

impl ContextFlags {
    /// CONTEXT_i386.
    pub const X86: u32 = 0x0001_0000;
    /// CONTEXT_CONTROL (i386): Ebp, Eip, SegCs, EFlags, Esp, SegSs.
    pub const X86_CONTROL: u32 = 0x0001_0001;
    /// CONTEXT_INTEGER (i386): Edi, Esi, Ebx, Edx, Ecx, Eax.
    pub const X86_INTEGER: u32 = 0x0001_0002;
    /// CONTEXT_SEGMENTS (i386): SegGs, SegFs, SegEs, SegDs.
    pub const X86_SEGMENTS: u32 = 0x0001_0004;
    /// CONTEXT_FLOATING_POINT (i386): FloatSave.
    pub const X86_FLOATING_POINT: u32 = 0x0001_0008;
    /// CONTEXT_DEBUG_REGISTERS (i386): Dr0-Dr3, Dr6, Dr7.
    pub const X86_DEBUG_REGISTERS: u32 = 0x0001_0010;
    /// CONTEXT_FULL (i386): control, integer and segments.
    pub const X86_FULL: u32 = 0x0001_0007;
    /// CONTEXT_ALPHA.
    pub const ALPHA: u32 = 0x0002_0000;
    /// CONTEXT_CONTROL (Alpha): IntGp, IntSp, IntRa, Fir, Psr.
    pub const ALPHA_CONTROL: u32 = 0x0002_0001;
    /// CONTEXT_FLOATING_POINT (Alpha): FltF0-FltF31, Fpcr, SoftFpcr.
    pub const ALPHA_FLOATING_POINT: u32 = 0x0002_0002;
    /// CONTEXT_INTEGER (Alpha): the integer registers other than gp, sp and ra.
    pub const ALPHA_INTEGER: u32 = 0x0002_0004;
    /// CONTEXT_FULL (Alpha).
    pub const ALPHA_FULL: u32 = 0x0002_0007;

    /// True when every bit of `section` (architecture bit included) is set.
    pub fn has(self, section: u32) -> bool {
        self.0 & section == section
    }
}

/// What a thread's CONTEXT holds beyond its CPU registers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContextExtras {
    /// x86 Dr0-Dr3, Dr6, Dr7.
    pub debug_registers: [u32; 6],
    /// Alpha SoftFpcr: the thread's software FPCR (TEB FpSoftwareStatusRegister).
    pub soft_fpcr: u32,
}

// x86 CONTEXT offsets.
const X86_DR0: usize = 0x04;
const X86_FLOAT_SAVE: usize = 0x1C;
const X86_SEG_GS: usize = 0x8C;
const X86_EDI: usize = 0x9C;
const X86_EBP: usize = 0xB4;
const X86_EIP: usize = 0xB8;
const X86_SEG_CS: usize = 0xBC;
const X86_EFLAGS: usize = 0xC0;
const X86_ESP: usize = 0xC4;
const X86_SEG_SS: usize = 0xC8;
// cpu-x86 indices: registers EAX ECX EDX EBX ESP EBP ESI EDI; selectors ES CS SS DS FS GS.
const EAX: usize = 0;
const ECX: usize = 1;
const EDX: usize = 2;
const EBX: usize = 3;
const ESP: usize = 4;
const EBP: usize = 5;
const ESI: usize = 6;
const EDI: usize = 7;
const SEG_ES: usize = 0;
const SEG_CS: usize = 1;
const SEG_SS: usize = 2;
const SEG_DS: usize = 3;
const SEG_FS: usize = 4;
const SEG_GS: usize = 5;
/// The EFLAGS bits user mode may set (NT's EFLAGS_USER_SANITIZE without VM).
const EFLAGS_USER_SANITIZE: u32 = 0x003C_0DD7;
/// IF and the reserved bit 1, always set in user mode.
const EFLAGS_ALWAYS: u32 = 0x0202;
/// KGDT_R3_CODE | RPL 3: the only code selector a user thread runs with.
const USER_CODE_SELECTOR: u16 = 0x1B;

// Alpha CONTEXT offsets.
const ALPHA_INTEGER: usize = 0x100;
const ALPHA_FPCR: usize = 0x200;
const ALPHA_SOFT_FPCR: usize = 0x208;
const ALPHA_FIR: usize = 0x210;
const ALPHA_PSR: usize = 0x218;
/// The ContextFlags field of an Alpha CONTEXT.
pub const ALPHA_CONTEXT_FLAGS: usize = 0x21C;
/// gp, sp and ra: the integer registers of the control section.
const ALPHA_CONTROL_REGISTERS: [usize; 3] = [29, 30, 26];
/// A user thread's PSR: user mode, interrupts enabled, IRQL 0.
const ALPHA_USER_PSR: u32 = 0x3;

fn put32(buf: &mut [u8], at: usize, value: u32) {
    buf[at..at + 4].copy_from_slice(&value.to_le_bytes());
}

fn get32(buf: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]])
}

fn put64(buf: &mut [u8], at: usize, value: u64) {
    buf[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

fn get64(buf: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&buf[at..at + 8]);
    u64::from_le_bytes(b)
}

/// The size and ContextFlags offset of a CONTEXT for `cpu`'s architecture.
fn layout(cpu: &CpuContext) -> (usize, usize) {
    match cpu {
        CpuContext::X86(_) => (CONTEXT_X86_SIZE as usize, 0),
        CpuContext::Alpha(_) => (CONTEXT_ALPHA_SIZE as usize, ALPHA_CONTEXT_FLAGS),
    }
}

/// Fills the sections `flags` asks for of the CONTEXT image `buf` (at least the
/// architecture's CONTEXT size) from `cpu` and `extras`; the rest of `buf` is left alone.
pub fn write_context(
    cpu: &CpuContext,
    extras: &ContextExtras,
    flags: ContextFlags,
    buf: &mut [u8],
) {
    match cpu {
        CpuContext::X86(c) => write_x86(c, extras, flags, buf),
        CpuContext::Alpha(c) => write_alpha(c, extras, flags, buf),
    }
}

/// Sets `cpu` and `extras` from the sections `flags` names of the CONTEXT image `buf`, as
/// NtSetContextThread sanitizes them for user mode.
pub fn read_context(
    cpu: &mut CpuContext,
    extras: &mut ContextExtras,
    flags: ContextFlags,
    buf: &[u8],
) {
    match cpu {
        CpuContext::X86(c) => read_x86(c, extras, flags, buf),
        CpuContext::Alpha(c) => read_alpha(c, extras, flags, buf),
    }
}

fn write_x86(c: &X86Context, extras: &ContextExtras, flags: ContextFlags, b: &mut [u8]) {
    if flags.has(ContextFlags::X86_DEBUG_REGISTERS) {
        for (i, v) in extras.debug_registers.iter().enumerate() {
            put32(b, X86_DR0 + 4 * i, *v);
        }
    }
    if flags.has(ContextFlags::X86_FLOATING_POINT) {
        b[X86_FLOAT_SAVE..X86_FLOAT_SAVE + 108].copy_from_slice(&c.x87.save_area());
        // Cr0NpxState: no FPU exception pending, the state is the thread's.
        put32(b, X86_FLOAT_SAVE + 108, 0);
    }
    if flags.has(ContextFlags::X86_SEGMENTS) {
        for (i, seg) in [SEG_GS, SEG_FS, SEG_ES, SEG_DS].into_iter().enumerate() {
            put32(b, X86_SEG_GS + 4 * i, u32::from(c.selectors[seg]));
        }
    }
    if flags.has(ContextFlags::X86_INTEGER) {
        for (i, r) in [EDI, ESI, EBX, EDX, ECX, EAX].into_iter().enumerate() {
            put32(b, X86_EDI + 4 * i, c.gpr[r]);
        }
    }
    if flags.has(ContextFlags::X86_CONTROL) {
        put32(b, X86_EBP, c.gpr[EBP]);
        put32(b, X86_EIP, c.eip);
        put32(b, X86_SEG_CS, u32::from(c.selectors[SEG_CS]));
        put32(b, X86_EFLAGS, c.eflags);
        put32(b, X86_ESP, c.gpr[ESP]);
        put32(b, X86_SEG_SS, u32::from(c.selectors[SEG_SS]));
    }
}

/// A data selector as user mode may load it: RPL 3.
fn user_selector(value: u32) -> u16 {
    (value as u16) | 3
}

fn read_x86(c: &mut X86Context, extras: &mut ContextExtras, flags: ContextFlags, b: &[u8]) {
    if flags.has(ContextFlags::X86_DEBUG_REGISTERS) {
        for (i, v) in extras.debug_registers.iter_mut().enumerate() {
            *v = get32(b, X86_DR0 + 4 * i);
        }
    }
    if flags.has(ContextFlags::X86_FLOATING_POINT) {
        let mut area = [0u8; 108];
        area.copy_from_slice(&b[X86_FLOAT_SAVE..X86_FLOAT_SAVE + 108]);
        c.x87.restore_environment(&area);
        c.x87.restore_registers(&area);
    }
    if flags.has(ContextFlags::X86_SEGMENTS) {
        // FS keeps its base (the TEB) whatever selector it holds; a null GS stays null.
        for (i, seg) in [SEG_GS, SEG_FS, SEG_ES, SEG_DS].into_iter().enumerate() {
            let v = get32(b, X86_SEG_GS + 4 * i);
            c.selectors[seg] = if seg == SEG_GS && v & 0xFFFC == 0 {
                0
            } else {
                user_selector(v)
            };
        }
    }
    if flags.has(ContextFlags::X86_INTEGER) {
        for (i, r) in [EDI, ESI, EBX, EDX, ECX, EAX].into_iter().enumerate() {
            c.gpr[r] = get32(b, X86_EDI + 4 * i);
        }
    }
    if flags.has(ContextFlags::X86_CONTROL) {
        c.gpr[EBP] = get32(b, X86_EBP);
        c.eip = get32(b, X86_EIP);
        c.selectors[SEG_CS] = USER_CODE_SELECTOR;
        c.eflags = (get32(b, X86_EFLAGS) & EFLAGS_USER_SANITIZE) | EFLAGS_ALWAYS;
        c.gpr[ESP] = get32(b, X86_ESP);
        c.selectors[SEG_SS] = user_selector(get32(b, X86_SEG_SS));
    }
}

fn write_alpha(c: &AlphaContext, extras: &ContextExtras, flags: ContextFlags, b: &mut [u8]) {
    if flags.has(ContextFlags::ALPHA_FLOATING_POINT) {
        for i in 0..32 {
            put64(b, 8 * i, if i == 31 { 0 } else { c.f[i] });
        }
        put64(b, ALPHA_FPCR, c.fpcr);
        put64(b, ALPHA_SOFT_FPCR, u64::from(extras.soft_fpcr));
    }
    if flags.has(ContextFlags::ALPHA_INTEGER) {
        for i in (0..32).filter(|i| !ALPHA_CONTROL_REGISTERS.contains(i)) {
            put64(b, ALPHA_INTEGER + 8 * i, if i == 31 { 0 } else { c.r[i] });
        }
    }
    if flags.has(ContextFlags::ALPHA_CONTROL) {
        for i in ALPHA_CONTROL_REGISTERS {
            put64(b, ALPHA_INTEGER + 8 * i, c.r[i]);
        }
        put64(b, ALPHA_FIR, c.pc);
        put32(b, ALPHA_PSR, ALPHA_USER_PSR);
    }
}

fn read_alpha(c: &mut AlphaContext, extras: &mut ContextExtras, flags: ContextFlags, b: &[u8]) {
    if flags.has(ContextFlags::ALPHA_FLOATING_POINT) {
        for i in 0..31 {
            c.f[i] = get64(b, 8 * i);
        }
        c.fpcr = get64(b, ALPHA_FPCR);
        extras.soft_fpcr = get64(b, ALPHA_SOFT_FPCR) as u32;
    }
    if flags.has(ContextFlags::ALPHA_INTEGER) {
        for i in (0..31).filter(|i| !ALPHA_CONTROL_REGISTERS.contains(i)) {
            c.r[i] = get64(b, ALPHA_INTEGER + 8 * i);
        }
    }
    if flags.has(ContextFlags::ALPHA_CONTROL) {
        for i in ALPHA_CONTROL_REGISTERS {
            c.r[i] = get64(b, ALPHA_INTEGER + 8 * i);
        }
        // A 32-bit process's program counter is a sign-extended 32-bit address.
        c.pc = sign_extend(get64(b, ALPHA_FIR) as u32);
        c.lock_flag = false;
    }
}

impl Machine {
    /// NtGetContextThread: fills the CONTEXT at `context` in the caller's memory with the
    /// registers of the thread `handle` names (THREAD_GET_CONTEXT), the sections its
    /// ContextFlags ask for. A thread that has ended has no context
    /// (STATUS_UNSUCCESSFUL); a CONTEXT the caller cannot write is STATUS_ACCESS_VIOLATION.
    pub fn get_thread_context(
        &mut self,
        caller: ClientId,
        handle: Handle,
        context: u32,
    ) -> Result<(), KernelError> {
        let object = self.reference_thread(caller, handle, AccessMask::THREAD_GET_CONTEXT)?;
        let body = object.payload::<ThreadBody>().ok_or(KernelError::Object(
            nt_object::ObjectError::ObjectTypeMismatch,
        ))?;
        let (cpu, mut extras, teb) = self.live_context(body)?;
        extras.soft_fpcr = self.read_soft_fpcr(body.process_id(), teb);
        let (size, flags_at) = layout(&cpu);
        self.check_architecture(caller.process, &cpu)?;
        let space = &mut self.live_process(caller.process)?.space;
        let mut buf = vec![0u8; size];
        space
            .read_bytes(context, &mut buf)
            .map_err(|_| KernelError::Failed(NtStatus::ACCESS_VIOLATION))?;
        let flags = ContextFlags(get32(&buf, flags_at));
        write_context(&cpu, &extras, flags, &mut buf);
        space
            .write_bytes(context, &buf)
            .map_err(|_| KernelError::Failed(NtStatus::ACCESS_VIOLATION))?;
        Ok(())
    }

    /// NtSetContextThread: sets the registers of the thread `handle` names
    /// (THREAD_SET_CONTEXT) from the sections the CONTEXT at `context` names.
    pub fn set_thread_context(
        &mut self,
        caller: ClientId,
        handle: Handle,
        context: u32,
    ) -> Result<(), KernelError> {
        let object = self.reference_thread(caller, handle, AccessMask::THREAD_SET_CONTEXT)?;
        let body = object.payload::<ThreadBody>().ok_or(KernelError::Object(
            nt_object::ObjectError::ObjectTypeMismatch,
        ))?;
        let (mut cpu, mut extras, teb) = self.live_context(body)?;
        self.check_architecture(caller.process, &cpu)?;
        let (size, flags_at) = layout(&cpu);
        let mut buf = vec![0u8; size];
        self.live_process(caller.process)?
            .space
            .read_bytes(context, &mut buf)
            .map_err(|_| KernelError::Failed(NtStatus::ACCESS_VIOLATION))?;
        let flags = ContextFlags(get32(&buf, flags_at));
        read_context(&mut cpu, &mut extras, flags, &buf);
        body.details().debug_registers = extras.debug_registers;
        let process = self.live_process(body.process_id())?;
        if flags.has(ContextFlags::ALPHA_FLOATING_POINT) {
            let _ = process.space.kernel_write(
                teb + offsets::FP_SOFTWARE_STATUS,
                &extras.soft_fpcr.to_le_bytes(),
            );
        }
        let thread = process
            .thread_mut(body.id())
            .ok_or(KernelError::Failed(NtStatus::UNSUCCESSFUL))?;
        thread.context = cpu;
        Ok(())
    }

    /// The registers, extras and TEB of a live thread.
    fn live_context(
        &self,
        body: &ThreadBody,
    ) -> Result<(CpuContext, ContextExtras, u32), KernelError> {
        let thread = self
            .process(body.process_id())
            .and_then(|p| p.thread(body.id()))
            .ok_or(KernelError::Failed(NtStatus::UNSUCCESSFUL))?;
        let extras = ContextExtras {
            debug_registers: body.details().debug_registers,
            soft_fpcr: 0,
        };
        Ok((thread.context().clone(), extras, thread.teb()))
    }

    fn read_soft_fpcr(&self, process: u32, teb: u32) -> u32 {
        let mut b = [0u8; 4];
        match self.process(process) {
            Some(p)
                if p.address_space()
                    .kernel_read(teb + offsets::FP_SOFTWARE_STATUS, &mut b)
                    .is_ok() =>
            {
                u32::from_le_bytes(b)
            }
            _ => 0,
        }
    }

    /// A CONTEXT is the caller's architecture's structure: a thread of the other
    /// architecture cannot be described to it.
    fn check_architecture(&self, caller: u32, cpu: &CpuContext) -> Result<(), KernelError> {
        let own = self
            .process(caller)
            .ok_or(KernelError::ProcessTerminating)?
            .architecture();
        if own == cpu.architecture() {
            Ok(())
        } else {
            Err(KernelError::Failed(NtStatus::NOT_SUPPORTED))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x86_sections_are_written_only_when_asked_for() {
        let c = X86Context {
            gpr: [1, 2, 3, 4, 0x1000, 6, 7, 8],
            eip: 0x40_1000,
            ..Default::default()
        };
        let cpu = CpuContext::X86(Box::new(c));
        let extras = ContextExtras::default();
        let mut buf = vec![0xCCu8; CONTEXT_X86_SIZE as usize];
        write_context(
            &cpu,
            &extras,
            ContextFlags(ContextFlags::X86_DEBUG_REGISTERS),
            &mut buf,
        );
        assert_eq!(get32(&buf, X86_DR0), 0);
        assert_eq!(
            get32(&buf, X86_EIP),
            0xCCCC_CCCC,
            "control was not asked for"
        );
        write_context(
            &cpu,
            &extras,
            ContextFlags(ContextFlags::X86_FULL),
            &mut buf,
        );
        assert_eq!(get32(&buf, X86_EIP), 0x40_1000);
        assert_eq!(get32(&buf, X86_ESP), 0x1000);
        assert_eq!(get32(&buf, X86_EDI + 20), 1, "Eax");
        assert_eq!(get32(&buf, X86_SEG_CS), 0x1B);
        assert_eq!(get32(&buf, X86_SEG_GS + 4), 0x3B, "SegFs");
        assert_eq!(get32(&buf, X86_FLOAT_SAVE), 0xCCCC_CCCC, "no FloatSave");
    }

    #[test]
    fn an_x86_context_is_sanitized_for_user_mode() {
        let mut cpu = CpuContext::X86(Box::default());
        let mut extras = ContextExtras::default();
        let mut buf = vec![0u8; CONTEXT_X86_SIZE as usize];
        put32(&mut buf, X86_EFLAGS, 0xFFFF_FFFF);
        put32(&mut buf, X86_SEG_CS, 0x08);
        put32(&mut buf, X86_EIP, 0x1234);
        read_context(
            &mut cpu,
            &mut extras,
            ContextFlags(ContextFlags::X86_CONTROL),
            &buf,
        );
        let CpuContext::X86(c) = &cpu else {
            unreachable!("made as x86")
        };
        assert_eq!(c.eip, 0x1234);
        assert_eq!(c.selectors[SEG_CS], 0x1B);
        assert_eq!(c.eflags, EFLAGS_USER_SANITIZE | EFLAGS_ALWAYS);
    }

    #[test]
    fn alpha_control_holds_gp_sp_ra_and_fir() {
        let mut c = AlphaContext::default();
        for (i, r) in c.r.iter_mut().enumerate() {
            *r = i as u64 + 100;
        }
        c.pc = sign_extend(0x8000_1000);
        let cpu = CpuContext::Alpha(Box::new(c));
        let mut buf = vec![0u8; CONTEXT_ALPHA_SIZE as usize];
        let extras = ContextExtras::default();
        write_context(
            &cpu,
            &extras,
            ContextFlags(ContextFlags::ALPHA_CONTROL),
            &mut buf,
        );
        assert_eq!(get64(&buf, ALPHA_INTEGER + 8 * 30), 130, "sp");
        assert_eq!(get64(&buf, ALPHA_INTEGER), 0, "v0 is integer, not control");
        assert_eq!(get64(&buf, ALPHA_FIR), 0xFFFF_FFFF_8000_1000);
        write_context(
            &cpu,
            &extras,
            ContextFlags(ContextFlags::ALPHA_FULL),
            &mut buf,
        );
        assert_eq!(get64(&buf, ALPHA_INTEGER), 100, "v0");
        assert_eq!(get64(&buf, ALPHA_INTEGER + 8 * 31), 0, "zero");
        let mut back = CpuContext::Alpha(Box::default());
        let mut e = ContextExtras::default();
        read_context(
            &mut back,
            &mut e,
            ContextFlags(ContextFlags::ALPHA_FULL),
            &buf,
        );
        let CpuContext::Alpha(b) = &back else {
            unreachable!("made as alpha")
        };
        assert_eq!(b.r[..31], c_regs(&cpu)[..31]);
        assert_eq!(b.pc, 0xFFFF_FFFF_8000_1000);
    }

    fn c_regs(cpu: &CpuContext) -> [u64; 32] {
        match cpu {
            CpuContext::Alpha(c) => c.r,
            CpuContext::X86(_) => [0; 32],
        }
    }
}
