//! The guest-visible TEB and PEB fields ntemu fills. NT for Alpha keeps 32-bit pointers, so
//! the fields the CRTs read sit at the same offsets on both architectures.

/// TEB offsets (NT_TIB first, then the Win32 part).
pub mod offsets {
    /// NT_TIB.ExceptionList: the head of the x86 SEH registration chain (`fs:[0]`).
    pub const EXCEPTION_LIST: u32 = 0x00;
    /// NT_TIB.StackBase: the top of the stack.
    pub const STACK_BASE: u32 = 0x04;
    /// NT_TIB.StackLimit: the lowest committed stack address.
    pub const STACK_LIMIT: u32 = 0x08;
    /// NT_TIB.Self: the TEB's own address (`fs:[0x18]`).
    pub const SELF: u32 = 0x18;
    /// ClientId.UniqueProcess.
    pub const CLIENT_ID_PROCESS: u32 = 0x20;
    /// ClientId.UniqueThread.
    pub const CLIENT_ID_THREAD: u32 = 0x24;
    /// ThreadLocalStoragePointer.
    pub const TLS_POINTER: u32 = 0x2C;
    /// ProcessEnvironmentBlock.
    pub const PEB: u32 = 0x30;
    /// LastErrorValue: what GetLastError returns.
    pub const LAST_ERROR: u32 = 0x34;
    /// CurrentLocale.
    pub const CURRENT_LOCALE: u32 = 0xC4;
    /// FpSoftwareStatusRegister, read by the Alpha CRT.
    pub const FP_SOFTWARE_STATUS: u32 = 0xC8;
    /// DeallocationStack: the base of the stack's reservation, which the memory manager's
    /// stack growth goes down to.
    pub const DEALLOCATION_STACK: u32 = 0xE0C;
    /// `TlsSlots[64]`.
    pub const TLS_SLOTS: u32 = 0xE10;
    /// StaticUnicodeString (UNICODE_STRING: Length, MaximumLength, Buffer).
    pub const STATIC_UNICODE_STRING: u32 = 0xBF8;
    /// StaticUnicodeBuffer (261 WCHARs).
    pub const STATIC_UNICODE_BUFFER: u32 = 0xC00;
    /// sizeof(StaticUnicodeBuffer).
    pub const STATIC_UNICODE_BUFFER_SIZE: u32 = 261 * 2;
}

/// PEB offsets.
pub mod peb_offsets {
    /// BeingDebugged.
    pub const BEING_DEBUGGED: u32 = 0x02;
    /// ImageBaseAddress.
    pub const IMAGE_BASE: u32 = 0x08;
    /// ProcessHeap.
    pub const PROCESS_HEAP: u32 = 0x18;
    /// NumberOfProcessors.
    pub const NUMBER_OF_PROCESSORS: u32 = 0x64;
    /// OSMajorVersion.
    pub const OS_MAJOR_VERSION: u32 = 0xA4;
    /// OSMinorVersion.
    pub const OS_MINOR_VERSION: u32 = 0xA8;
    /// OSBuildNumber.
    pub const OS_BUILD_NUMBER: u32 = 0xAC;
    /// OSPlatformId.
    pub const OS_PLATFORM_ID: u32 = 0xB0;
    /// CriticalSectionTimeout (LARGE_INTEGER, relative: negative 100 ns units).
    pub const CRITICAL_SECTION_TIMEOUT: u32 = 0x70;
    /// HeapSegmentReserve.
    pub const HEAP_SEGMENT_RESERVE: u32 = 0x78;
    /// HeapSegmentCommit.
    pub const HEAP_SEGMENT_COMMIT: u32 = 0x7C;
    /// HeapDeCommitTotalFreeThreshold.
    pub const HEAP_DECOMMIT_TOTAL_FREE_THRESHOLD: u32 = 0x80;
    /// HeapDeCommitFreeBlockThreshold.
    pub const HEAP_DECOMMIT_FREE_BLOCK_THRESHOLD: u32 = 0x84;
}

/// The locale id of U.S. English, which a fresh NT 4.0 thread reports.
pub const LOCALE_EN_US: u32 = 0x0409;

/// Writes 32-bit little-endian fields at `base + offset` into freshly committed (zeroed)
/// guest memory.
pub(crate) fn write_fields(
    space: &mut nt_memory::AddressSpace,
    base: u32,
    fields: &[(u32, u32)],
) -> Result<(), nt_memory::Fault> {
    for &(offset, value) in fields {
        space.kernel_write(base + offset, &value.to_le_bytes())?;
    }
    Ok(())
}
