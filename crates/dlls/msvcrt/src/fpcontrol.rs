//! float.h's floating-point control: _control87, _controlfp, _statusfp, _clearfp and
//! _fpreset, on the calling thread's own FPU as the x86 MSVCRT of NT 4.0 keeps it (the x87
//! control and status words; that CRT knows nothing of SSE). The _MCW_*/_EM_*/_SW_* flags
//! are translated to and from the x87 bits as MSVCRT does. An Alpha thread's FPCR is not
//! an x87 control word: there the functions keep reporting the default control word (all
//! exceptions masked, round to nearest), as before.

use nt_kernel::{CpuContext, X87State};
use win32::{ApiCall, export};

use super::with_state;

/// The x87 exception bits (IM DM ZM OM UM PM in the control word, IE DE ZE OE UE PE in the
/// status word) and the CRT flags they stand for (_EM_INVALID, _EM_DENORMAL,
/// _EM_ZERODIVIDE, _EM_OVERFLOW, _EM_UNDERFLOW, _EM_INEXACT; the _SW_ flags are the same).
const EXCEPTIONS: [(u16, u32); 6] = [
    (0x01, 0x10),
    (0x02, 0x8_0000),
    (0x04, 0x08),
    (0x08, 0x04),
    (0x10, 0x02),
    (0x20, 0x01),
];
/// x87 rounding control (bits 10-11) and the _RC_ flags: near, down, up, chop.
const ROUNDING: [(u16, u32); 4] = [
    (0x000, 0x000),
    (0x400, 0x100),
    (0x800, 0x200),
    (0xC00, 0x300),
];
/// x87 precision control (bits 8-9) and the _PC_ flags: 24, 53, 64 bits.
const PRECISION: [(u16, u32); 3] = [(0x000, 0x2_0000), (0x200, 0x1_0000), (0x300, 0x0)];
/// The x87 infinity control bit and _IC_AFFINE.
const AFFINE: (u16, u32) = (0x1000, 0x4_0000);
/// _EM_DENORMAL, which _controlfp cannot change.
const EM_DENORMAL: u32 = 0x8_0000;
/// The control word NT starts a thread with and _fpreset restores (0x27F).
const DEFAULT_CONTROL: u16 = 0x027F;
/// What the functions report on a thread without an x87 (the CRT flags of 0x27F).
const DEFAULT_FLAGS: u32 = 0x0009_001F;

/// The CRT flags of an x87 control word.
pub(crate) fn flags_of_control(cw: u16) -> u32 {
    let mut flags = 0;
    for (bit, flag) in EXCEPTIONS {
        if cw & bit != 0 {
            flags |= flag;
        }
    }
    flags |= ROUNDING
        .iter()
        .find(|(bits, _)| cw & 0xC00 == *bits)
        .map_or(0, |&(_, f)| f);
    // Precision control 01 is reserved; MSVCRT reads it as 24 bits.
    flags |= PRECISION
        .iter()
        .find(|(bits, _)| cw & 0x300 == *bits)
        .map_or(0x2_0000, |&(_, f)| f);
    if cw & AFFINE.0 != 0 {
        flags |= AFFINE.1;
    }
    flags
}

/// The x87 control word of CRT flags, keeping the bits of `old` the flags do not cover.
pub(crate) fn control_of_flags(flags: u32, old: u16) -> u16 {
    let mut cw = old & !(0x3F | 0xC00 | 0x300 | AFFINE.0);
    for (bit, flag) in EXCEPTIONS {
        if flags & flag != 0 {
            cw |= bit;
        }
    }
    cw |= ROUNDING
        .iter()
        .find(|(_, f)| flags & 0x300 == *f)
        .map_or(0, |&(b, _)| b);
    cw |= PRECISION
        .iter()
        .find(|(_, f)| flags & 0x3_0000 == *f)
        .map_or(0x300, |&(b, _)| b);
    if flags & AFFINE.1 != 0 {
        cw |= AFFINE.0;
    }
    cw
}

/// The CRT status flags of an x87 status word.
pub(crate) fn flags_of_status(sw: u16) -> u32 {
    EXCEPTIONS
        .iter()
        .filter(|(bit, _)| sw & bit != 0)
        .fold(0, |acc, (_, flag)| acc | flag)
}

/// Runs `f` on the calling thread's x87 state; None for a thread without one.
fn with_x87<R>(call: &mut ApiCall<'_>, f: impl FnOnce(&mut X87State) -> R) -> Option<R> {
    let tid = call.thread.thread;
    let thread = call.process_mut()?.thread_mut(tid)?;
    match thread.context_mut() {
        CpuContext::X86(c) => Some(f(&mut c.x87)),
        CpuContext::Alpha(_) => None,
    }
}

/// Sets the x87 invalid-operation flag of the calling thread, as MSVCRT's x87 code raises
/// it for a domain error (the NaN an invalid operation produces).
pub(crate) fn raise_invalid(call: &mut ApiCall<'_>) {
    let _ = with_x87(call, |x| x.status |= 0x01);
}

/// _control87(new, mask): sets the masked flags of the x87 control word to `new`'s and
/// returns the control word's flags afterwards.
#[export(cdecl)]
pub(crate) fn _control87(call: &mut ApiCall<'_>, new: u32, mask: u32) -> u32 {
    with_state(call, |call, _| {
        with_x87(call, |x| {
            let flags = (flags_of_control(x.control) & !mask) | (new & mask);
            // FLDCW keeps bit 6 set, as the processor reads it back.
            x.control = control_of_flags(flags, x.control) | 0x40;
            flags_of_control(x.control)
        })
        .unwrap_or((DEFAULT_FLAGS & !mask) | (new & mask))
    })
}

/// _controlfp(new, mask): _control87 without the denormal mask.
#[export(cdecl)]
pub(crate) fn _controlfp(call: &mut ApiCall<'_>, new: u32, mask: u32) -> u32 {
    _control87(call, new, mask & !EM_DENORMAL)
}

/// _statusfp(): the x87 exception flags as _SW_ flags.
#[export(cdecl)]
pub(crate) fn _statusfp(call: &mut ApiCall<'_>) -> u32 {
    with_state(call, |call, _| {
        with_x87(call, |x| flags_of_status(x.status)).unwrap_or(0)
    })
}

/// _clearfp(): the x87 exception flags, then clears them (FNCLEX).
#[export(cdecl)]
pub(crate) fn _clearfp(call: &mut ApiCall<'_>) -> u32 {
    with_state(call, |call, _| {
        with_x87(call, |x| {
            let flags = flags_of_status(x.status);
            // FNCLEX clears the exception flags, the summary and busy bits.
            x.status &= !0x80FF;
            flags
        })
        .unwrap_or(0)
    })
}

/// _fpreset(): FNINIT, then the control word NT starts threads with.
#[export(cdecl)]
pub(crate) fn _fpreset(call: &mut ApiCall<'_>) {
    with_state(call, |call, _| {
        let _ = with_x87(call, |x| {
            let mxcsr = x.mxcsr;
            *x = X87State {
                control: DEFAULT_CONTROL,
                mxcsr,
                ..X87State::default()
            };
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nt_start_control_word_is_msvcrt_default_flags() {
        assert_eq!(flags_of_control(0x27F), DEFAULT_FLAGS);
        assert_eq!(
            flags_of_control(0x37F),
            0x0008_001F,
            "64-bit precision is _PC_64 (0)"
        );
    }

    #[test]
    fn flags_round_trip_through_the_control_word() {
        // _EM_INEXACT | _RC_CHOP | _PC_24: only the precision exception masked.
        let cw = control_of_flags(0x2_0301, 0x27F);
        assert_eq!(cw | 0x40, 0xC60);
        assert_eq!(flags_of_control(cw), 0x2_0301);
        assert_eq!(control_of_flags(DEFAULT_FLAGS, 0), 0x23F);
    }

    #[test]
    fn status_flags_follow_the_exception_bits() {
        assert_eq!(flags_of_status(0x01), 0x10, "invalid");
        assert_eq!(flags_of_status(0x04), 0x08, "zero divide");
        assert_eq!(flags_of_status(0x3800), 0, "TOP is not an exception");
    }
}
