//! IsProcessorFeaturePresent: what the emulated processor offers, as NT 4.0 reports it.
//!
//! NT answers from the feature array the kernel fills at boot (KUSER_SHARED_DATA's
//! ProcessorFeatures); ntemu answers from what its interpreters execute. The x86 processor is
//! a Pentium with CMPXCHG8B and no MMX; the Alpha one executes the byte-word extension
//! (LDBU, STB, SEXTB, ...). Indexes past the 64-entry array are FALSE, as on NT.

use nt_kernel::Architecture;
use win32::{ApiCall, export};

/// PF_COMPARE_EXCHANGE_DOUBLE: CMPXCHG8B is available.
const PF_COMPARE_EXCHANGE_DOUBLE: u32 = 2;
/// PF_ALPHA_BYTE_INSTRUCTIONS: the Alpha byte-word extension is available.
const PF_ALPHA_BYTE_INSTRUCTIONS: u32 = 5;

/// Whether `feature` is present on a processor of architecture `arch`.
fn feature_present(arch: Architecture, feature: u32) -> bool {
    match arch {
        Architecture::X86 => feature == PF_COMPARE_EXCHANGE_DOUBLE,
        Architecture::Alpha => feature == PF_ALPHA_BYTE_INSTRUCTIONS,
    }
}

/// IsProcessorFeaturePresent(ProcessorFeature): TRUE when the processor offers the feature.
#[export]
fn IsProcessorFeaturePresent(call: &mut ApiCall<'_>, ProcessorFeature: u32) -> bool {
    call.process()
        .is_some_and(|p| feature_present(p.architecture(), ProcessorFeature))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_architecture_reports_only_what_its_interpreter_executes() {
        assert!(feature_present(
            Architecture::X86,
            PF_COMPARE_EXCHANGE_DOUBLE
        ));
        assert!(!feature_present(Architecture::X86, 3)); // PF_MMX_INSTRUCTIONS_AVAILABLE
        assert!(!feature_present(Architecture::X86, 0)); // no Pentium FDIV errata
        assert!(!feature_present(
            Architecture::X86,
            PF_ALPHA_BYTE_INSTRUCTIONS
        ));
        assert!(feature_present(
            Architecture::Alpha,
            PF_ALPHA_BYTE_INSTRUCTIONS
        ));
        assert!(!feature_present(
            Architecture::Alpha,
            PF_COMPARE_EXCHANGE_DOUBLE
        ));
        assert!(!feature_present(Architecture::X86, 64));
    }
}
