//! The information services of processes, threads and the system: NtQueryInformationProcess,
//! NtSetInformationProcess, NtQueryInformationThread, NtSetInformationThread and
//! NtQuerySystemInformation, with NT 4.0's classes, buffer sizes and statuses.
//!
//! A class NT 4.0 answers only when set (ProcessBasePriority, ThreadAffinityMask, ...) is
//! STATUS_INVALID_INFO_CLASS to a query, as is every class NT 4.0 does not have; a buffer of
//! the wrong size is STATUS_INFO_LENGTH_MISMATCH; a handle without the access the class needs
//! (PROCESS_QUERY_INFORMATION, THREAD_SET_INFORMATION, ...) is STATUS_ACCESS_DENIED.

use nt_kernel::{
    ClientId, KernelError, PriorityClass, ProcessInformation, ThreadInformation, cpu_time_100ns,
};
use nt_object::{AccessMask, Handle};
use nt_status::NtStatus;
use win32::{ApiCall, ApiReturn, Ptr, export};

/// 100-nanosecond intervals from 1601-01-01 to 1970-01-01.
const FILETIME_UNIX_EPOCH: u64 = 116_444_736_000_000_000;
/// The lowest and highest user addresses and the allocation granularity.
const LOWEST_USER_ADDRESS: u32 = 0x0001_0000;
const HIGHEST_USER_ADDRESS: u32 = 0x7FFE_FFFF;
const ALLOCATION_GRANULARITY: u32 = 0x1_0000;
/// KeMaximumIncrement: the clock interrupt's interval in 100 ns (NT 4.0 on x86: 10.0144 ms).
const MAXIMUM_INCREMENT: u32 = 100_144;

fn status(s: NtStatus) -> ApiReturn {
    ApiReturn::Value(s.0)
}

fn failed(e: KernelError) -> ApiReturn {
    status(e.status())
}

/// Writes a class's answer: STATUS_SUCCESS, or an access violation for a bad buffer.
fn answer(call: &mut ApiCall<'_>, buffer: Ptr, bytes: &[u8], return_length: Ptr) -> ApiReturn {
    if call.write_bytes(buffer.0, bytes).is_err()
        || call
            .write_out_u32(return_length.0, bytes.len() as u32)
            .is_err()
    {
        return status(NtStatus::ACCESS_VIOLATION);
    }
    status(NtStatus::SUCCESS)
}

fn words(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A time of the machine's clock as an absolute FILETIME.
fn filetime(call: &ApiCall<'_>, machine_ms: u64) -> u64 {
    FILETIME_UNIX_EPOCH + (call.state.wall_clock_base_ms + machine_ms) * 10_000
}

/// KERNEL_USER_TIMES: creation, exit (0 while running), kernel and user time.
fn times(call: &ApiCall<'_>, created: u64, exited: Option<u64>, instructions: u64) -> Vec<u8> {
    let values = [
        filetime(call, created),
        exited.map_or(0, |ms| filetime(call, ms)),
        0,
        cpu_time_100ns(instructions),
    ];
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// The process classes.
mod process_class {
    pub const BASIC: u32 = 0;
    pub const QUOTA_LIMITS: u32 = 1;
    pub const IO_COUNTERS: u32 = 2;
    pub const VM_COUNTERS: u32 = 3;
    pub const TIMES: u32 = 4;
    pub const BASE_PRIORITY: u32 = 5;
    pub const DEBUG_PORT: u32 = 7;
    pub const LDT_INFORMATION: u32 = 10;
    pub const DEFAULT_HARD_ERROR_MODE: u32 = 12;
    pub const POOLED_USAGE_AND_LIMITS: u32 = 14;
    pub const WORKING_SET_WATCH: u32 = 15;
    pub const PRIORITY_CLASS: u32 = 18;
    pub const WX86_INFORMATION: u32 = 19;
    pub const HANDLE_COUNT: u32 = 20;
    pub const AFFINITY_MASK: u32 = 21;
    pub const PRIORITY_BOOST: u32 = 22;
    /// ProcessImageFileName (Windows XP).
    pub const IMAGE_FILE_NAME: u32 = 27;
}

/// The process's memory figures VM_COUNTERS reports: reserved and committed bytes.
fn process_memory(call: &ApiCall<'_>, id: u32) -> (u32, u32) {
    call.machine.process(id).map_or((0, 0), |p| {
        let s = p.address_space();
        (
            s.reserved_bytes().min(u64::from(u32::MAX)) as u32,
            s.committed_bytes().min(u64::from(u32::MAX)) as u32,
        )
    })
}

/// NtQueryInformationProcess(ProcessHandle, ProcessInformationClass, ProcessInformation,
/// ProcessInformationLength, ReturnLength).
#[export]
pub fn NtQueryInformationProcess(
    call: &mut ApiCall<'_>,
    ProcessHandle: Handle,
    ProcessInformationClass: u32,
    ProcessInformation: Ptr,
    ProcessInformationLength: u32,
    ReturnLength: Ptr,
) -> ApiReturn {
    use process_class as c;
    let class = ProcessInformationClass;
    if class == c::IMAGE_FILE_NAME {
        return image_file_name(
            call,
            ProcessHandle,
            ProcessInformation,
            ProcessInformationLength,
            ReturnLength,
        );
    }
    let needed: u32 = match class {
        c::BASIC => 24,
        c::QUOTA_LIMITS => 32,
        c::IO_COUNTERS => 48,
        c::VM_COUNTERS => 44,
        c::TIMES => 32,
        c::DEBUG_PORT
        | c::DEFAULT_HARD_ERROR_MODE
        | c::WX86_INFORMATION
        | c::HANDLE_COUNT
        | c::PRIORITY_BOOST => 4,
        c::LDT_INFORMATION => 8,
        c::POOLED_USAGE_AND_LIMITS => 36,
        c::WORKING_SET_WATCH => 8,
        c::PRIORITY_CLASS => 2,
        _ => return status(NtStatus::INVALID_INFO_CLASS),
    };
    let length = ProcessInformationLength;
    // VM_COUNTERS_EX (Windows XP SP2) adds PrivateUsage: its size is taken too.
    let ok_length = length == needed
        || (class == c::VM_COUNTERS && length == 48)
        || (class == c::LDT_INFORMATION && length >= needed);
    if !ok_length {
        return status(NtStatus::INFO_LENGTH_MISMATCH);
    }
    let info = match call.machine.process_information(
        call.thread.process,
        ProcessHandle,
        AccessMask::PROCESS_QUERY_INFORMATION,
    ) {
        Ok(i) => i,
        Err(e) => return failed(e),
    };
    let bytes = match class {
        c::BASIC => basic_process(&info),
        c::QUOTA_LIMITS => {
            let (min, max) = info.details.working_set;
            let mut b = words(&[0x0008_0000, 0x0002_0000, min, max, u32::MAX, 0]);
            b.extend_from_slice(&u64::MAX.to_le_bytes());
            b
        }
        c::IO_COUNTERS => vec![0; 48],
        c::VM_COUNTERS => {
            let (reserved, committed) = process_memory(call, info.id);
            let mut values = vec![
                reserved, reserved, 0, committed, committed, 0, 0, 0, 0, committed, committed,
            ];
            if length == 48 {
                values.push(committed);
            }
            words(&values)
        }
        c::TIMES => times(
            call,
            info.details.created_ms,
            info.details.exited_ms,
            info.details.instructions,
        ),
        c::DEBUG_PORT => words(&[0]),
        c::LDT_INFORMATION => words(&[0, 0]),
        c::DEFAULT_HARD_ERROR_MODE => words(&[info.details.hard_error_mode]),
        c::POOLED_USAGE_AND_LIMITS => {
            words(&[0, 0, 0, 0x0008_0000, 0, 0, 0, 0x0002_0000, u32::MAX])
        }
        // No working-set watch was started (NtSetInformationProcess never starts one).
        c::WORKING_SET_WATCH => return status(NtStatus::UNSUCCESSFUL),
        c::PRIORITY_CLASS => vec![0, info.details.priority_class.native()],
        c::WX86_INFORMATION => words(&[0]),
        c::HANDLE_COUNT => {
            let count = call
                .machine
                .process(info.id)
                .map_or(0, |p| p.handle_table().handle_count());
            words(&[count])
        }
        c::PRIORITY_BOOST => words(&[u32::from(info.details.boost_disabled)]),
        _ => return status(NtStatus::INVALID_INFO_CLASS),
    };
    answer(call, ProcessInformation, &bytes, ReturnLength)
}

/// The NT path (`\Device\HarddiskVolume1\dir\prog.exe`) of each process's image, as
/// ProcessImageFileName reports it; the creator of a process records it.
#[derive(Default)]
pub struct ImageFileNames(win32::PerProcess<String>);

impl ImageFileNames {
    /// Records `path`, the NT path of process `pid`'s image.
    pub fn insert(&mut self, pid: u32, process: &std::sync::Arc<nt_object::Object>, path: String) {
        self.0.insert(pid, process, path);
    }
}

/// Records `path`, the NT path of process `pid`'s image, for ProcessImageFileName.
pub fn set_image_file_name(
    call: &mut ApiCall<'_>,
    pid: u32,
    process: &std::sync::Arc<nt_object::Object>,
    path: String,
) {
    call.state
        .get::<ImageFileNames>()
        .insert(pid, process, path);
}

/// ProcessImageFileName (Windows XP; NT 4.0 has no such class, but programs built for later
/// Windows use the answer unchecked): a UNICODE_STRING followed by its text, the NT path of
/// the image, for a process that has ended too. STATUS_INFO_LENGTH_MISMATCH (with the
/// length needed) when the buffer is too small.
fn image_file_name(
    call: &mut ApiCall<'_>,
    handle: Handle,
    buffer: Ptr,
    length: u32,
    return_length: Ptr,
) -> ApiReturn {
    let object = match call.reference(
        handle,
        AccessMask::PROCESS_QUERY_INFORMATION,
        Some(nt_object::ObjectType::Process),
    ) {
        Ok(o) => o,
        Err(e) => return status(e.status()),
    };
    let Some(pid) = object.payload::<nt_kernel::ProcessBody>().map(|b| b.id()) else {
        return status(NtStatus::INVALID_HANDLE);
    };
    let name = call
        .state
        .get::<ImageFileNames>()
        .0
        .get(pid, &object)
        .cloned()
        .unwrap_or_default();
    let units: Vec<u8> = name
        .encode_utf16()
        .chain(std::iter::once(0))
        .flat_map(u16::to_le_bytes)
        .collect();
    let needed = 8 + units.len() as u32;
    if length < needed {
        let _ = call.write_out_u32(return_length.0, needed);
        return status(NtStatus::INFO_LENGTH_MISMATCH);
    }
    let text_length = (units.len() - 2) as u16;
    let mut bytes = Vec::with_capacity(needed as usize);
    bytes.extend_from_slice(&text_length.to_le_bytes());
    bytes.extend_from_slice(&(text_length + 2).to_le_bytes());
    let text_at = if name.is_empty() {
        0
    } else {
        buffer.0.wrapping_add(8)
    };
    bytes.extend_from_slice(&text_at.to_le_bytes());
    bytes.extend_from_slice(&units);
    answer(call, buffer, &bytes, return_length)
}

/// PROCESS_BASIC_INFORMATION.
fn basic_process(info: &ProcessInformation) -> Vec<u8> {
    words(&[
        info.exit_status,
        info.peb,
        info.details.affinity,
        info.details.priority_class.base_priority() as u32,
        info.id,
        info.details.parent,
    ])
}

/// NtSetInformationProcess(ProcessHandle, ProcessInformationClass, ProcessInformation,
/// ProcessInformationLength): the priority class, priority boost, affinity, base priority
/// (as the class of that base), hard-error mode and working-set limits.
#[export]
pub fn NtSetInformationProcess(
    call: &mut ApiCall<'_>,
    ProcessHandle: Handle,
    ProcessInformationClass: u32,
    ProcessInformation: Ptr,
    ProcessInformationLength: u32,
) -> ApiReturn {
    use process_class as c;
    let (class, at, length) = (
        ProcessInformationClass,
        ProcessInformation.0,
        ProcessInformationLength,
    );
    let needed = match class {
        c::PRIORITY_CLASS => 2,
        c::AFFINITY_MASK | c::PRIORITY_BOOST | c::DEFAULT_HARD_ERROR_MODE | c::BASE_PRIORITY => 4,
        c::QUOTA_LIMITS => 32,
        _ => return status(NtStatus::INVALID_INFO_CLASS),
    };
    if length != needed {
        return status(NtStatus::INFO_LENGTH_MISMATCH);
    }
    let Ok(bytes) = call.read_bytes(at, needed as usize) else {
        return status(NtStatus::ACCESS_VIOLATION);
    };
    let word = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    let caller = call.thread.process;
    let result = match class {
        c::PRIORITY_CLASS => match PriorityClass::from_native(bytes[1]) {
            Some(class) => call
                .machine
                .set_priority_class(caller, ProcessHandle, class),
            None => return status(NtStatus::INVALID_PARAMETER),
        },
        c::AFFINITY_MASK => call
            .machine
            .set_process_affinity(caller, ProcessHandle, word(0)),
        c::PRIORITY_BOOST => {
            call.machine
                .set_process_priority_boost(caller, ProcessHandle, word(0) != 0)
        }
        c::DEFAULT_HARD_ERROR_MODE => {
            if ProcessHandle != Handle::CURRENT_PROCESS {
                return status(NtStatus::INVALID_PARAMETER);
            }
            call.machine.set_hard_error_mode(caller, word(0));
            Ok(())
        }
        c::BASE_PRIORITY => {
            let class = match word(0) {
                4 => PriorityClass::Idle,
                8 => PriorityClass::Normal,
                13 => PriorityClass::High,
                24 => PriorityClass::Realtime,
                _ => return status(NtStatus::INVALID_PARAMETER),
            };
            call.machine
                .set_priority_class(caller, ProcessHandle, class)
        }
        c::QUOTA_LIMITS => call
            .machine
            .set_working_set(caller, ProcessHandle, word(8), word(12)),
        _ => return status(NtStatus::INVALID_INFO_CLASS),
    };
    match result {
        Ok(()) => status(NtStatus::SUCCESS),
        Err(e) => failed(e),
    }
}

/// The thread classes.
mod thread_class {
    pub const BASIC: u32 = 0;
    pub const TIMES: u32 = 1;
    pub const PRIORITY: u32 = 2;
    pub const BASE_PRIORITY: u32 = 3;
    pub const AFFINITY_MASK: u32 = 4;
    pub const IMPERSONATION_TOKEN: u32 = 5;
    pub const DESCRIPTOR_TABLE_ENTRY: u32 = 6;
    pub const WIN32_START_ADDRESS: u32 = 9;
    pub const AM_I_LAST_THREAD: u32 = 12;
    pub const IDEAL_PROCESSOR: u32 = 13;
    pub const PRIORITY_BOOST: u32 = 14;
}

/// STATUS_NO_TOKEN: the thread is not impersonating.
const STATUS_NO_TOKEN: NtStatus = NtStatus(0xC000_007C);

/// THREAD_BASIC_INFORMATION.
fn basic_thread(info: &ThreadInformation) -> Vec<u8> {
    words(&[
        info.exit_status,
        info.teb,
        info.client_id.process,
        info.client_id.thread,
        info.details.affinity,
        info.priority as u32,
        info.details.increment as u32,
    ])
}

/// NtQueryInformationThread(ThreadHandle, ThreadInformationClass, ThreadInformation,
/// ThreadInformationLength, ReturnLength).
#[export]
pub fn NtQueryInformationThread(
    call: &mut ApiCall<'_>,
    ThreadHandle: Handle,
    ThreadInformationClass: u32,
    ThreadInformation: Ptr,
    ThreadInformationLength: u32,
    ReturnLength: Ptr,
) -> ApiReturn {
    use thread_class as c;
    let class = ThreadInformationClass;
    let needed = match class {
        c::BASIC => 28,
        c::TIMES => 32,
        c::IMPERSONATION_TOKEN
        | c::WIN32_START_ADDRESS
        | c::AM_I_LAST_THREAD
        | c::PRIORITY_BOOST => 4,
        c::DESCRIPTOR_TABLE_ENTRY => 12,
        _ => return status(NtStatus::INVALID_INFO_CLASS),
    };
    if ThreadInformationLength != needed {
        return status(NtStatus::INFO_LENGTH_MISMATCH);
    }
    let info = match call.machine.thread_information(
        call.thread,
        ThreadHandle,
        AccessMask::THREAD_QUERY_INFORMATION,
    ) {
        Ok(i) => i,
        Err(e) => return failed(e),
    };
    let bytes = match class {
        c::BASIC => basic_thread(&info),
        c::TIMES => times(
            call,
            info.details.created_ms,
            info.details.exited_ms,
            info.details.instructions,
        ),
        c::IMPERSONATION_TOKEN => return status(STATUS_NO_TOKEN),
        c::WIN32_START_ADDRESS => words(&[info.details.start_address]),
        c::AM_I_LAST_THREAD => words(&[u32::from(info.last_thread)]),
        c::PRIORITY_BOOST => words(&[u32::from(info.details.boost_disabled)]),
        c::DESCRIPTOR_TABLE_ENTRY => {
            return descriptor_entry(call, &info, ThreadInformation, ReturnLength);
        }
        _ => return status(NtStatus::INVALID_INFO_CLASS),
    };
    answer(call, ThreadInformation, &bytes, ReturnLength)
}

/// ThreadDescriptorTableEntry: the GDT descriptor of the selector the buffer names (x86).
fn descriptor_entry(
    call: &mut ApiCall<'_>,
    info: &ThreadInformation,
    buffer: Ptr,
    return_length: Ptr,
) -> ApiReturn {
    let x86 = call
        .process()
        .is_some_and(|p| p.architecture() == nt_kernel::Architecture::X86);
    if !x86 {
        return status(NtStatus::NOT_SUPPORTED);
    }
    let Ok(selector) = call.read_u32(buffer.0) else {
        return status(NtStatus::ACCESS_VIOLATION);
    };
    let entry = match gdt_descriptor(selector, info.teb) {
        Ok(e) => e,
        Err(s) => return status(s),
    };
    let mut bytes = selector.to_le_bytes().to_vec();
    bytes.extend_from_slice(&entry);
    answer(call, buffer, &bytes, return_length)
}

/// The GDT of NT 4.0 as a user thread sees it: 32 entries, of which the null descriptor,
/// the flat kernel and user code and data segments, the TSS, the PCR and the thread's TEB
/// (selector 0x38/0x3B) are present. A selector of the LDT is STATUS_NO_LDT (no Win32
/// thread of NT 4.0 has one), one beyond the GDT STATUS_ACCESS_VIOLATION.
pub fn gdt_descriptor(selector: u32, teb: u32) -> Result<[u8; 8], NtStatus> {
    if selector & 4 != 0 {
        return Err(NtStatus::NO_LDT);
    }
    let index = (selector & 0xFFFF) >> 3;
    if selector > 0xFFFF || index >= 32 {
        return Err(NtStatus::ACCESS_VIOLATION);
    }
    const CODE: u8 = 0x1B; // S + execute/read, accessed
    const DATA: u8 = 0x13; // S + read/write, accessed
    Ok(match index {
        1 => descriptor(0, 0xFFFFF, CODE, 0, true, true),
        2 => descriptor(0, 0xFFFFF, DATA, 0, true, true),
        3 => descriptor(0, 0xFFFFF, CODE, 3, true, true),
        4 => descriptor(0, 0xFFFFF, DATA, 3, true, true),
        5 => descriptor(0, 0x20AB, 0x0B, 0, false, false),
        6 => descriptor(0xFFDF_F000, 1, DATA, 0, true, true),
        7 => descriptor(teb, 0xFFF, DATA, 3, true, false),
        _ => [0; 8],
    })
}

/// An LDT_ENTRY for a present segment.
fn descriptor(base: u32, limit: u32, type_bits: u8, dpl: u8, big: bool, granular: bool) -> [u8; 8] {
    let mut d = [0u8; 8];
    d[0..2].copy_from_slice(&(limit as u16).to_le_bytes());
    d[2..4].copy_from_slice(&(base as u16).to_le_bytes());
    d[4] = (base >> 16) as u8;
    d[5] = (type_bits & 0x1F) | (dpl & 3) << 5 | 0x80;
    d[6] = ((limit >> 16) & 0xF) as u8 | u8::from(big) << 6 | u8::from(granular) << 7;
    d[7] = (base >> 24) as u8;
    d
}

/// NtSetInformationThread(ThreadHandle, ThreadInformationClass, ThreadInformation,
/// ThreadInformationLength): the base priority, affinity, ideal processor (the status is the
/// previous one), priority boost and Win32 start address.
#[export]
pub fn NtSetInformationThread(
    call: &mut ApiCall<'_>,
    ThreadHandle: Handle,
    ThreadInformationClass: u32,
    ThreadInformation: Ptr,
    ThreadInformationLength: u32,
) -> ApiReturn {
    use thread_class as c;
    let class = ThreadInformationClass;
    let needed = match class {
        c::PRIORITY
        | c::BASE_PRIORITY
        | c::AFFINITY_MASK
        | c::IDEAL_PROCESSOR
        | c::PRIORITY_BOOST
        | c::WIN32_START_ADDRESS => 4,
        _ => return status(NtStatus::INVALID_INFO_CLASS),
    };
    if ThreadInformationLength != needed {
        return status(NtStatus::INFO_LENGTH_MISMATCH);
    }
    let Ok(value) = call.read_u32(ThreadInformation.0) else {
        return status(NtStatus::ACCESS_VIOLATION);
    };
    let caller: ClientId = call.thread;
    let result = match class {
        c::BASE_PRIORITY => {
            call.machine
                .set_thread_base_priority(caller, ThreadHandle, value as i32)
        }
        c::PRIORITY => {
            // An absolute priority: kept as the increment over the class that gives it.
            let info = match call.machine.thread_information(
                caller,
                ThreadHandle,
                AccessMask::THREAD_SET_INFORMATION,
            ) {
                Ok(i) => i,
                Err(e) => return failed(e),
            };
            let p = value as i32;
            if !(1..=31).contains(&p) {
                return status(NtStatus::INVALID_PARAMETER);
            }
            let increment = (p - info.priority_class.base_priority()).clamp(-2, 2);
            call.machine
                .set_thread_base_priority(caller, ThreadHandle, increment)
        }
        c::AFFINITY_MASK => call
            .machine
            .set_thread_affinity(caller, ThreadHandle, value)
            .map(|_| ()),
        c::IDEAL_PROCESSOR => {
            return match call
                .machine
                .set_thread_ideal_processor(caller, ThreadHandle, value)
            {
                Ok(old) => status(NtStatus(old)),
                Err(e) => failed(e),
            };
        }
        c::PRIORITY_BOOST => {
            call.machine
                .set_thread_priority_boost(caller, ThreadHandle, value != 0)
        }
        c::WIN32_START_ADDRESS => match call.machine.thread_object(
            caller,
            ThreadHandle,
            AccessMask::THREAD_SET_INFORMATION,
        ) {
            Ok(o) => {
                if let Some(b) = o.payload::<nt_kernel::ThreadBody>() {
                    b.details().start_address = value;
                }
                Ok(())
            }
            Err(e) => Err(e),
        },
        _ => return status(NtStatus::INVALID_INFO_CLASS),
    };
    match result {
        Ok(()) => status(NtStatus::SUCCESS),
        Err(e) => failed(e),
    }
}

/// The memory figures of the machine as NtQuerySystemInformation and GlobalMemoryStatus(Ex)
/// report them, in pages of the calling process's size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryFigures {
    /// The page size.
    pub page: u32,
    /// Physical pages: the host's memory, but no more than the machine may commit.
    pub physical_pages: u64,
    /// Physical pages not committed by any process.
    pub available_pages: u64,
    /// The commit limit in pages (NT: RAM and paging file).
    pub commit_limit_pages: u64,
    /// Pages committed over all processes.
    pub committed_pages: u64,
}

impl MemoryFigures {
    /// dwMemoryLoad: the percentage of physical memory in use, computed as Windows does.
    pub fn memory_load(&self) -> u32 {
        let total = self.physical_pages * u64::from(self.page);
        let avail = self.available_pages * u64::from(self.page);
        (total.saturating_sub(avail) / (total / 100).max(1)) as u32
    }
}

/// The host's physical memory in bytes (MemTotal of /proc/meminfo), if it can be read.
fn host_physical_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// The machine's memory figures for the calling process.
pub fn memory_figures(call: &ApiCall<'_>) -> MemoryFigures {
    let page = call
        .process()
        .map_or(0x1000, |p| p.architecture().page_size().bytes());
    let limit = call.machine.commit_limit();
    let (commit_limit, committed) = (limit.limit(), limit.used());
    let total = host_physical_memory()
        .unwrap_or(commit_limit)
        .min(commit_limit)
        .max(u64::from(page));
    let p = u64::from(page);
    MemoryFigures {
        page,
        physical_pages: total / p,
        available_pages: total.saturating_sub(committed) / p,
        commit_limit_pages: commit_limit / p,
        committed_pages: committed.div_ceil(p),
    }
}

/// The user address space: its lowest and highest addresses.
pub const USER_ADDRESS_RANGE: (u32, u32) = (LOWEST_USER_ADDRESS, HIGHEST_USER_ADDRESS);

/// SYSTEM_INFORMATION_CLASS values answered.
mod system_class {
    pub const BASIC: u32 = 0;
    pub const PROCESSOR: u32 = 1;
    pub const PERFORMANCE: u32 = 2;
    pub const TIME_OF_DAY: u32 = 3;
    pub const PROCESS: u32 = 5;
}

/// sizeof(SYSTEM_PROCESS_INFORMATION) on NT 4.0 (no IO_COUNTERS: Windows 2000 added them).
const PROCESS_ENTRY_SIZE: usize = 0x88;
/// sizeof(SYSTEM_THREAD_INFORMATION).
const THREAD_ENTRY_SIZE: usize = 0x40;

/// One process as SystemProcessInformation lists it.
struct ListedProcess {
    id: u32,
    parent: u32,
    base_priority: i32,
    handles: u32,
    name: String,
    /// CreateTime, ExitTime, KernelTime, UserTime as [`times`] gives them.
    times: Vec<u8>,
    reserved: u32,
    committed: u32,
    /// (thread id, waiting, start address, state).
    threads: Vec<(u32, bool, u32, u32)>,
}

/// The processes of the machine as SystemProcessInformation lists them: NT 4.0's own system
/// processes first ([`nt_kernel::system_processes`]), then every live guest process.
fn listed_processes(call: &mut ApiCall<'_>) -> Vec<ListedProcess> {
    let booted = times(call, 0, None, 0);
    let mut list: Vec<ListedProcess> = nt_kernel::system_processes::SYSTEM_PROCESSES
        .iter()
        .map(|p| ListedProcess {
            id: p.id,
            parent: p.parent,
            base_priority: p.base_priority,
            handles: 0,
            name: p.image.to_string(),
            // The Idle and System processes exist from before the clock starts: NT gives
            // them a creation time of 0.
            times: if p.id <= 2 {
                vec![0; 32]
            } else {
                booted.clone()
            },
            reserved: 0,
            committed: 0,
            // The Idle process's thread runs; the others wait (Waiting, for a user request).
            threads: vec![(p.thread, p.id != 0, 0, if p.id == 0 { 2 } else { 5 })],
        })
        .collect();
    let current = call.thread;
    for pid in call.machine.process_ids() {
        let Some(p) = call.machine.process(pid) else {
            continue;
        };
        let object = std::sync::Arc::clone(p.object());
        let details = object
            .payload::<nt_kernel::ProcessBody>()
            .map(|b| *b.details());
        let class = details.map_or(nt_kernel::PriorityClass::Normal, |d| d.priority_class);
        let handles = p.handle_table().handle_count();
        let threads: Vec<(u32, bool, u32, u32)> = p
            .threads()
            .iter()
            .map(|t| {
                let (tid, waiting) = (t.id(), t.is_waiting());
                let state = if pid == current.process && tid == current.thread {
                    2 // Running
                } else if waiting {
                    5 // Waiting
                } else {
                    1 // Ready
                };
                (tid, waiting, t.start_address(), state)
            })
            .collect();
        let name = call
            .state
            .get::<ImageFileNames>()
            .0
            .get(pid, &object)
            .map(|path| path.rsplit('\\').next().unwrap_or(path).to_string())
            .unwrap_or_default();
        let (created, instructions, parent) =
            details.map_or((0, 0, 0), |d| (d.created_ms, d.instructions, d.parent));
        let times = times(call, created, None, instructions);
        let (reserved, committed) = process_memory(call, pid);
        list.push(ListedProcess {
            id: pid,
            parent,
            base_priority: class.base_priority(),
            handles,
            name,
            times,
            reserved,
            committed,
            threads,
        });
    }
    list
}

/// SystemProcessInformation as NT 4.0 lays it out: for each process a
/// SYSTEM_PROCESS_INFORMATION (NextEntryOffset, thread count, times, the image's file name
/// as a UNICODE_STRING pointing into the buffer at `base`, base priority, ids, handle count,
/// VM_COUNTERS) followed by a SYSTEM_THREAD_INFORMATION per thread and the name's text.
/// NT 4.0's system processes come first; ended guest processes are not listed.
fn process_list(call: &mut ApiCall<'_>, base: u32) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    let mut last_entry = None;
    for p in listed_processes(call) {
        let start = out.len();
        if let Some(previous) = last_entry {
            let offset = (start - previous) as u32;
            out[previous..previous + 4].copy_from_slice(&offset.to_le_bytes());
        }
        last_entry = Some(start);
        let mut entry = vec![0u8; PROCESS_ENTRY_SIZE];
        entry[4..8].copy_from_slice(&(p.threads.len() as u32).to_le_bytes());
        // CreateTime, UserTime, KernelTime.
        entry[0x20..0x28].copy_from_slice(&p.times[0..8]);
        entry[0x28..0x30].copy_from_slice(&p.times[24..32]);
        entry[0x30..0x38].copy_from_slice(&p.times[16..24]);
        let units: Vec<u8> = p.name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let name_at = start + PROCESS_ENTRY_SIZE + THREAD_ENTRY_SIZE * p.threads.len();
        if !units.is_empty() {
            entry[0x38..0x3A].copy_from_slice(&(units.len() as u16).to_le_bytes());
            entry[0x3A..0x3C].copy_from_slice(&(units.len() as u16 + 2).to_le_bytes());
            let at = base.wrapping_add(name_at as u32);
            entry[0x3C..0x40].copy_from_slice(&at.to_le_bytes());
        }
        let words_at = |e: &mut Vec<u8>, at: usize, values: &[u32]| {
            for (i, v) in values.iter().enumerate() {
                e[at + 4 * i..at + 4 * i + 4].copy_from_slice(&v.to_le_bytes());
            }
        };
        words_at(
            &mut entry,
            0x40,
            &[p.base_priority as u32, p.id, p.parent, p.handles],
        );
        // VM_COUNTERS: virtual sizes, page faults, working set, pool quotas, pagefile usage.
        let (reserved, committed) = (p.reserved, p.committed);
        words_at(
            &mut entry,
            0x58,
            &[
                reserved, reserved, 0, committed, committed, 0, 0, 0, 0, committed, committed,
            ],
        );
        out.extend_from_slice(&entry);
        for &(tid, waiting, start_address, state) in &p.threads {
            let mut t = vec![0u8; THREAD_ENTRY_SIZE];
            words_at(
                &mut t,
                0x1C,
                &[
                    start_address,
                    p.id,
                    tid,
                    p.base_priority as u32,
                    p.base_priority as u32,
                    0,
                    state,
                    if waiting { 6 } else { 0 }, // UserRequest
                ],
            );
            out.extend_from_slice(&t);
        }
        out.extend_from_slice(&units);
        out.extend_from_slice(&[0, 0]);
        while !out.len().is_multiple_of(8) {
            out.push(0);
        }
    }
    out
}

/// sizeof(SYSTEM_PERFORMANCE_INFORMATION) on NT 4.0.
const PERFORMANCE_SIZE: u32 = 0x138;

/// NtQuerySystemInformation(SystemInformationClass, SystemInformation,
/// SystemInformationLength, ReturnLength): the basic, processor, performance, time-of-day
/// and process classes.
#[export]
pub fn NtQuerySystemInformation(
    call: &mut ApiCall<'_>,
    SystemInformationClass: u32,
    SystemInformation: Ptr,
    SystemInformationLength: u32,
    ReturnLength: Ptr,
) -> ApiReturn {
    use system_class as c;
    let length = SystemInformationLength;
    let figures = memory_figures(call);
    let bytes = match SystemInformationClass {
        c::PROCESS => {
            let list = process_list(call, SystemInformation.0);
            if (length as usize) < list.len() {
                let _ = call.write_out_u32(ReturnLength.0, list.len() as u32);
                return status(NtStatus::INFO_LENGTH_MISMATCH);
            }
            list
        }
        c::BASIC => {
            if length != 0x2C {
                return status(NtStatus::INFO_LENGTH_MISMATCH);
            }
            let mut b = words(&[
                0,
                MAXIMUM_INCREMENT,
                figures.page,
                figures.physical_pages.min(u64::from(u32::MAX)) as u32,
                1,
                figures.physical_pages.min(u64::from(u32::MAX)) as u32,
                ALLOCATION_GRANULARITY,
                LOWEST_USER_ADDRESS,
                HIGHEST_USER_ADDRESS,
                nt_kernel::SYSTEM_AFFINITY_MASK,
            ]);
            b.extend_from_slice(&[nt_kernel::NUMBER_OF_PROCESSORS as u8, 0, 0, 0]);
            b
        }
        c::PROCESSOR => {
            if length != 12 {
                return status(NtStatus::INFO_LENGTH_MISMATCH);
            }
            // SYSTEM_PROCESSOR_INFORMATION: architecture, level, revision, feature bits.
            let x86 = call
                .process()
                .is_none_or(|p| p.architecture() == nt_kernel::Architecture::X86);
            let (arch, level, revision) = if x86 {
                (0u16, 5u16, 0x0202u16)
            } else {
                (2, 21164, 0)
            };
            let mut b = Vec::with_capacity(12);
            for v in [arch, level, revision, 0] {
                b.extend_from_slice(&v.to_le_bytes());
            }
            b.extend_from_slice(&0u32.to_le_bytes());
            b
        }
        c::PERFORMANCE => {
            if length < PERFORMANCE_SIZE {
                return status(NtStatus::INFO_LENGTH_MISMATCH);
            }
            let mut b = vec![0u8; PERFORMANCE_SIZE as usize];
            let idle = call.machine.clock().now_ms().saturating_mul(10_000);
            b[0..8].copy_from_slice(&idle.to_le_bytes());
            let pages = |v: u64| (v.min(u64::from(u32::MAX)) as u32).to_le_bytes();
            b[0x2C..0x30].copy_from_slice(&pages(figures.available_pages));
            b[0x30..0x34].copy_from_slice(&pages(figures.committed_pages));
            b[0x34..0x38].copy_from_slice(&pages(figures.commit_limit_pages));
            b[0x38..0x3C].copy_from_slice(&pages(figures.committed_pages));
            b
        }
        c::TIME_OF_DAY => {
            if length > 0x30 {
                return status(NtStatus::INFO_LENGTH_MISMATCH);
            }
            // SYSTEM_TIMEOFDAY_INFORMATION: boot time, current time, time zone bias (UTC).
            let now = filetime(call, call.machine.clock().now_ms());
            let boot = filetime(call, 0);
            let mut b = vec![0u8; 0x30];
            b[0..8].copy_from_slice(&boot.to_le_bytes());
            b[8..16].copy_from_slice(&now.to_le_bytes());
            b.truncate(length as usize);
            b
        }
        _ => return status(NtStatus::INVALID_INFO_CLASS),
    };
    answer(call, SystemInformation, &bytes, ReturnLength)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gdt_descriptors_are_nt_s() {
        let teb = 0x7FFD_E000;
        let fs = gdt_descriptor(0x3B, teb).expect("fs");
        assert_eq!(
            u32::from(fs[2])
                | u32::from(fs[3]) << 8
                | u32::from(fs[4]) << 16
                | u32::from(fs[7]) << 24,
            teb
        );
        assert_eq!(u16::from_le_bytes([fs[0], fs[1]]), 0xFFF);
        let cs = gdt_descriptor(0x1B, teb).expect("cs");
        assert_eq!(cs[5] & 0x1E, 0x1A, "code, read, S bit");
        assert_eq!(cs[5] >> 5 & 3, 3, "DPL 3");
        assert_eq!(cs[6] & 0xC0, 0xC0, "big and 4 KiB granular");
        assert_eq!(gdt_descriptor(0, teb), Ok([0; 8]));
        assert_eq!(gdt_descriptor(3, teb), Ok([0; 8]));
        assert_eq!(gdt_descriptor(0xDEAD_BEEF, teb), Err(NtStatus::NO_LDT));
        assert_eq!(gdt_descriptor(0x123, teb), Err(NtStatus::ACCESS_VIOLATION));
    }

    #[test]
    fn memory_load_is_windows_s_rounding() {
        let f = MemoryFigures {
            page: 0x1000,
            physical_pages: 1000,
            available_pages: 750,
            commit_limit_pages: 2000,
            committed_pages: 250,
        };
        assert_eq!(f.memory_load(), 25);
    }
}

/// PPEB RtlGetCurrentPeb(void): the calling process's PEB (Windows XP's: NT 4.0's NTDLL
/// does not export it; bound for programs that import it statically).
#[export]
pub fn RtlGetCurrentPeb(call: &mut ApiCall<'_>) -> u32 {
    call.process().map_or(0, |p| p.peb())
}

/// PIMAGE_NT_HEADERS RtlImageNtHeader(PVOID Base): the NT headers of the image mapped at
/// Base (e_lfanew past the MZ header, where "PE\0\0" must be); NULL when Base holds no
/// such image or cannot be read.
#[export]
pub fn RtlImageNtHeader(call: &mut ApiCall<'_>, Base: Ptr) -> u32 {
    let base = Base.0;
    if base == 0 || call.read_bytes(base, 2).ok().as_deref() != Some(b"MZ") {
        return 0;
    }
    let Ok(lfanew) = call.read_u32(base.wrapping_add(0x3C)) else {
        return 0;
    };
    let headers = base.wrapping_add(lfanew);
    match call.read_bytes(headers, 4) {
        Ok(sig) if sig == b"PE\0\0" => headers,
        _ => 0,
    }
}
