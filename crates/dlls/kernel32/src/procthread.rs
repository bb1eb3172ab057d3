//! Process and thread details: priorities and priority classes, priority boost, affinity and
//! the ideal processor, CPU and wall times, register contexts, x86 selector entries,
//! OpenThread and GetProcessId, GetProcessVersion, the working-set limits.
//!
//! Each is NT 4.0 KERNEL32's thin layer over an NtQuery/NtSetInformation class of nt-kernel
//! (see its `details` and `context` modules), with NT 4.0's parameter checks and errors:
//! the thread priorities -2..2, TIME_CRITICAL and IDLE (the Windows 2000 range -7..6 does
//! not exist), the four priority classes of NT 4.0, a machine of one processor.
//!
//! OpenThread and GetProcessId are later Windows (2000 and XP): ntemu implements them for
//! programs that import them, but NT 4.0's KERNEL32 does not export them, so GetProcAddress
//! does not find them.

use nt_kernel::{
    Architecture, KernelError, MAXIMUM_PROCESSORS, PriorityClass, SATURATE_HIGH, SATURATE_LOW,
    SYSTEM_AFFINITY_MASK, cpu_time_100ns,
};
use nt_memory::GuestMemory;
use nt_object::{AccessMask, Handle};
use nt_status::NtStatus;
use win32::{ApiCall, ApiReturn, Ptr, export};

/// THREAD_PRIORITY_TIME_CRITICAL.
const THREAD_PRIORITY_TIME_CRITICAL: i32 = 15;
/// THREAD_PRIORITY_IDLE.
const THREAD_PRIORITY_IDLE: i32 = -15;
/// THREAD_PRIORITY_ERROR_RETURN: GetThreadPriority's failure value.
const THREAD_PRIORITY_ERROR_RETURN: u32 = 0x7FFF_FFFF;
/// 100-nanosecond intervals from 1601-01-01 to 1970-01-01.
const FILETIME_UNIX_EPOCH: u64 = 116_444_736_000_000_000;

fn failure(call: &mut ApiCall<'_>, e: KernelError, value: u32) -> ApiReturn {
    call.fail_with(e.status(), value)
}

/// The thread-priority value of a base increment (the saturating increments are
/// TIME_CRITICAL and IDLE).
fn priority_of_increment(increment: i32) -> i32 {
    match increment {
        SATURATE_HIGH => THREAD_PRIORITY_TIME_CRITICAL,
        SATURATE_LOW => THREAD_PRIORITY_IDLE,
        i => i,
    }
}

/// GetThreadPriority(hThread): THREAD_PRIORITY_ERROR_RETURN on failure.
#[export]
fn GetThreadPriority(call: &mut ApiCall<'_>, hThread: Handle) -> ApiReturn {
    match call.machine.thread_information(
        call.thread,
        hThread,
        AccessMask::THREAD_QUERY_INFORMATION,
    ) {
        Ok(info) => ApiReturn::Value(priority_of_increment(info.details.increment) as u32),
        Err(e) => failure(call, e, THREAD_PRIORITY_ERROR_RETURN),
    }
}

/// SetThreadPriority(hThread, nPriority): -2..2, TIME_CRITICAL or IDLE; anything else is
/// ERROR_INVALID_PARAMETER and leaves the priority as it was.
#[export]
fn SetThreadPriority(call: &mut ApiCall<'_>, hThread: Handle, nPriority: i32) -> ApiReturn {
    let increment = match nPriority {
        THREAD_PRIORITY_TIME_CRITICAL => SATURATE_HIGH,
        THREAD_PRIORITY_IDLE => SATURATE_LOW,
        p => p,
    };
    let caller = call.thread;
    match call
        .machine
        .set_thread_base_priority(caller, hThread, increment)
    {
        Ok(()) => ApiReturn::Value(1),
        Err(e) => failure(call, e, 0),
    }
}

/// GetThreadPriorityBoost(hThread, pDisablePriorityBoost).
#[export]
fn GetThreadPriorityBoost(
    call: &mut ApiCall<'_>,
    hThread: Handle,
    pDisablePriorityBoost: Ptr,
) -> ApiReturn {
    match call.machine.thread_information(
        call.thread,
        hThread,
        AccessMask::THREAD_QUERY_INFORMATION,
    ) {
        Ok(info) => write_bool(call, pDisablePriorityBoost, info.details.boost_disabled),
        Err(e) => failure(call, e, 0),
    }
}

/// SetThreadPriorityBoost(hThread, bDisablePriorityBoost).
#[export]
fn SetThreadPriorityBoost(
    call: &mut ApiCall<'_>,
    hThread: Handle,
    bDisablePriorityBoost: bool,
) -> ApiReturn {
    let caller = call.thread;
    match call
        .machine
        .set_thread_priority_boost(caller, hThread, bDisablePriorityBoost)
    {
        Ok(()) => ApiReturn::Value(1),
        Err(e) => failure(call, e, 0),
    }
}

fn write_bool(call: &mut ApiCall<'_>, at: Ptr, value: bool) -> ApiReturn {
    match call.write_u32(at.0, u32::from(value)) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// GetPriorityClass(hProcess): the class, or 0 on failure.
#[export]
fn GetPriorityClass(call: &mut ApiCall<'_>, hProcess: Handle) -> ApiReturn {
    match call.machine.process_information(
        call.thread.process,
        hProcess,
        AccessMask::PROCESS_QUERY_INFORMATION,
    ) {
        Ok(info) => ApiReturn::Value(info.details.priority_class.win32()),
        Err(e) => failure(call, e, 0),
    }
}

/// SetPriorityClass(hProcess, dwPriorityClass): one of NT 4.0's four classes.
#[export]
fn SetPriorityClass(call: &mut ApiCall<'_>, hProcess: Handle, dwPriorityClass: u32) -> ApiReturn {
    let Some(class) = PriorityClass::from_win32(dwPriorityClass) else {
        return call.fail(NtStatus::INVALID_PARAMETER);
    };
    let caller = call.thread.process;
    match call.machine.set_priority_class(caller, hProcess, class) {
        Ok(()) => ApiReturn::Value(1),
        Err(e) => failure(call, e, 0),
    }
}

/// GetProcessPriorityBoost(hProcess, pDisablePriorityBoost).
#[export]
fn GetProcessPriorityBoost(
    call: &mut ApiCall<'_>,
    hProcess: Handle,
    pDisablePriorityBoost: Ptr,
) -> ApiReturn {
    match call.machine.process_information(
        call.thread.process,
        hProcess,
        AccessMask::PROCESS_QUERY_INFORMATION,
    ) {
        Ok(info) => write_bool(call, pDisablePriorityBoost, info.details.boost_disabled),
        Err(e) => failure(call, e, 0),
    }
}

/// SetProcessPriorityBoost(hProcess, bDisablePriorityBoost).
#[export]
fn SetProcessPriorityBoost(
    call: &mut ApiCall<'_>,
    hProcess: Handle,
    bDisablePriorityBoost: bool,
) -> ApiReturn {
    let caller = call.thread.process;
    match call
        .machine
        .set_process_priority_boost(caller, hProcess, bDisablePriorityBoost)
    {
        Ok(()) => ApiReturn::Value(1),
        Err(e) => failure(call, e, 0),
    }
}

/// GetProcessAffinityMask(hProcess, lpProcessAffinityMask, lpSystemAffinityMask).
#[export]
fn GetProcessAffinityMask(
    call: &mut ApiCall<'_>,
    hProcess: Handle,
    lpProcessAffinityMask: Ptr,
    lpSystemAffinityMask: Ptr,
) -> ApiReturn {
    let info = match call.machine.process_information(
        call.thread.process,
        hProcess,
        AccessMask::PROCESS_QUERY_INFORMATION,
    ) {
        Ok(info) => info,
        Err(e) => return failure(call, e, 0),
    };
    let written = call
        .write_u32(lpProcessAffinityMask.0, info.details.affinity)
        .and_then(|()| call.write_u32(lpSystemAffinityMask.0, SYSTEM_AFFINITY_MASK));
    match written {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// SetProcessAffinityMask(hProcess, dwProcessAffinityMask): a non-empty subset of the
/// machine's processors.
#[export]
fn SetProcessAffinityMask(
    call: &mut ApiCall<'_>,
    hProcess: Handle,
    dwProcessAffinityMask: u32,
) -> ApiReturn {
    let caller = call.thread.process;
    match call
        .machine
        .set_process_affinity(caller, hProcess, dwProcessAffinityMask)
    {
        Ok(()) => ApiReturn::Value(1),
        Err(e) => failure(call, e, 0),
    }
}

/// SetThreadAffinityMask(hThread, dwThreadAffinityMask): the previous mask, or 0 when the
/// mask is empty or names a processor outside the process's affinity (NT 4.0 has no
/// "all processors" value).
#[export]
fn SetThreadAffinityMask(
    call: &mut ApiCall<'_>,
    hThread: Handle,
    dwThreadAffinityMask: u32,
) -> ApiReturn {
    let caller = call.thread;
    match call
        .machine
        .set_thread_affinity(caller, hThread, dwThreadAffinityMask)
    {
        Ok(old) => ApiReturn::Value(old),
        Err(e) => failure(call, e, 0),
    }
}

/// SetThreadIdealProcessor(hThread, dwIdealProcessor): the previous ideal processor, or -1.
/// MAXIMUM_PROCESSORS asks without changing it.
#[export]
fn SetThreadIdealProcessor(
    call: &mut ApiCall<'_>,
    hThread: Handle,
    dwIdealProcessor: u32,
) -> ApiReturn {
    let caller = call.thread;
    match call.machine.set_thread_ideal_processor(
        caller,
        hThread,
        dwIdealProcessor.min(MAXIMUM_PROCESSORS + 1),
    ) {
        Ok(old) => ApiReturn::Value(old),
        Err(e) => failure(call, e, u32::MAX),
    }
}

/// A time of the machine's clock as a FILETIME.
fn filetime_of(call: &ApiCall<'_>, machine_ms: u64) -> u64 {
    FILETIME_UNIX_EPOCH + (call.state.wall_clock_base_ms + machine_ms) * 10_000
}

/// Writes the four FILETIMEs of GetProcessTimes / GetThreadTimes for an object made at
/// `created_ms`, ended at `exited_ms` (None while it runs), that retired `instructions`:
/// creation, exit (0 while it runs), kernel (0) and user time.
fn write_times(
    call: &mut ApiCall<'_>,
    out: [Ptr; 4],
    created_ms: u64,
    exited_ms: Option<u64>,
    instructions: u64,
) -> ApiReturn {
    let times = [
        filetime_of(call, created_ms),
        exited_ms.map_or(0, |ms| filetime_of(call, ms)),
        0,
        cpu_time_100ns(instructions),
    ];
    for (at, value) in out.into_iter().zip(times) {
        if call.write_bytes(at.0, &value.to_le_bytes()).is_err() {
            return call.fail(NtStatus::ACCESS_VIOLATION);
        }
    }
    ApiReturn::Value(1)
}

/// GetProcessTimes(hProcess, lpCreationTime, lpExitTime, lpKernelTime, lpUserTime): user
/// time is what the process's threads retired at the machine's nominal rate; the exit time
/// is 0 while it runs.
#[export]
fn GetProcessTimes(
    call: &mut ApiCall<'_>,
    hProcess: Handle,
    lpCreationTime: Ptr,
    lpExitTime: Ptr,
    lpKernelTime: Ptr,
    lpUserTime: Ptr,
) -> ApiReturn {
    let info = match call.machine.process_information(
        call.thread.process,
        hProcess,
        AccessMask::PROCESS_QUERY_INFORMATION,
    ) {
        Ok(info) => info,
        Err(e) => return failure(call, e, 0),
    };
    let d = info.details;
    write_times(
        call,
        [lpCreationTime, lpExitTime, lpKernelTime, lpUserTime],
        d.created_ms,
        d.exited_ms,
        d.instructions,
    )
}

/// GetThreadTimes(hThread, lpCreationTime, lpExitTime, lpKernelTime, lpUserTime).
#[export]
fn GetThreadTimes(
    call: &mut ApiCall<'_>,
    hThread: Handle,
    lpCreationTime: Ptr,
    lpExitTime: Ptr,
    lpKernelTime: Ptr,
    lpUserTime: Ptr,
) -> ApiReturn {
    let info = match call.machine.thread_information(
        call.thread,
        hThread,
        AccessMask::THREAD_QUERY_INFORMATION,
    ) {
        Ok(info) => info,
        Err(e) => return failure(call, e, 0),
    };
    let d = info.details;
    write_times(
        call,
        [lpCreationTime, lpExitTime, lpKernelTime, lpUserTime],
        d.created_ms,
        d.exited_ms,
        d.instructions,
    )
}

/// GetThreadContext(hThread, lpContext): the sections lpContext->ContextFlags asks for. The
/// calling thread's own context is the one it has inside the call.
#[export]
fn GetThreadContext(call: &mut ApiCall<'_>, hThread: Handle, lpContext: Ptr) -> ApiReturn {
    let caller = call.thread;
    match call
        .machine
        .get_thread_context(caller, hThread, lpContext.0)
    {
        Ok(()) => ApiReturn::Value(1),
        Err(e) => failure(call, e, 0),
    }
}

/// SetThreadContext(hThread, lpContext). Setting the calling thread's own context resumes it
/// there, as NtSetContextThread on the current thread does.
#[export]
fn SetThreadContext(call: &mut ApiCall<'_>, hThread: Handle, lpContext: Ptr) -> ApiReturn {
    let caller = call.thread;
    let own = match call
        .machine
        .thread_object(caller, hThread, AccessMask::THREAD_SET_CONTEXT)
    {
        Ok(o) => o
            .payload::<nt_kernel::ThreadBody>()
            .is_some_and(|b| b.id() == caller.thread && b.process_id() == caller.process),
        Err(e) => return failure(call, e, 0),
    };
    if own {
        return match call
            .machine
            .set_thread_context(caller, hThread, lpContext.0)
        {
            Ok(()) => ApiReturn::Resumed,
            Err(e) => failure(call, e, 0),
        };
    }
    match call
        .machine
        .set_thread_context(caller, hThread, lpContext.0)
    {
        Ok(()) => ApiReturn::Value(1),
        Err(e) => failure(call, e, 0),
    }
}

/// GetThreadSelectorEntry(hThread, dwSelector, lpSelectorEntry): the GDT descriptor a
/// selector names (x86 only; see [`ntdll::procinfo::gdt_descriptor`]). A selector of the LDT
/// fails as NT's STATUS_NO_LDT (ERROR_INVALID_THREAD_ID: no NT 4.0 Win32 thread has an LDT),
/// one beyond the GDT with ERROR_NOACCESS; on Alpha there are no selectors
/// (ERROR_NOT_SUPPORTED).
#[export]
fn GetThreadSelectorEntry(
    call: &mut ApiCall<'_>,
    hThread: Handle,
    dwSelector: u32,
    lpSelectorEntry: Ptr,
) -> ApiReturn {
    let info = match call.machine.thread_information(
        call.thread,
        hThread,
        AccessMask::THREAD_QUERY_INFORMATION,
    ) {
        Ok(info) => info,
        Err(e) => return failure(call, e, 0),
    };
    let arch = call.process().map(|p| p.architecture());
    if arch != Some(Architecture::X86) {
        return call.fail(NtStatus::NOT_SUPPORTED);
    }
    let entry = match ntdll::procinfo::gdt_descriptor(dwSelector, info.teb) {
        Ok(e) => e,
        Err(status) => return call.fail(status),
    };
    match call.write_bytes(lpSelectorEntry.0, &entry) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// OpenThread(dwDesiredAccess, bInheritHandle, dwThreadId) (Windows 2000).
#[export]
fn OpenThread(
    call: &mut ApiCall<'_>,
    dwDesiredAccess: AccessMask,
    bInheritHandle: bool,
    dwThreadId: u32,
) -> ApiReturn {
    match call.machine.open_thread(
        call.thread.process,
        dwThreadId,
        dwDesiredAccess,
        bInheritHandle,
    ) {
        Ok(h) => ApiReturn::Value(h.0),
        Err(e) => failure(call, e, 0),
    }
}

/// GetProcessId(Process) (Windows XP): the id of the process a handle names
/// (PROCESS_QUERY_INFORMATION), 0 on failure.
#[export]
fn GetProcessId(call: &mut ApiCall<'_>, Process: Handle) -> ApiReturn {
    match call.machine.process_information(
        call.thread.process,
        Process,
        AccessMask::PROCESS_QUERY_INFORMATION,
    ) {
        Ok(info) => ApiReturn::Value(info.id),
        Err(e) => failure(call, e, 0),
    }
}

/// ProcessIdToSessionId(dwProcessId, pSessionId) (Terminal Server; Windows 2000): NT 4.0
/// has one session, 0, which every process is in; an id naming no process fails with
/// ERROR_INVALID_PARAMETER.
#[export]
fn ProcessIdToSessionId(call: &mut ApiCall<'_>, dwProcessId: u32, pSessionId: Ptr) -> ApiReturn {
    if call.machine.process(dwProcessId).is_none() {
        return call.fail(NtStatus::INVALID_CID);
    }
    match call.write_u32(pSessionId.0, 0) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// WTSGetActiveConsoleSessionId() (Windows XP): the console's session: 0, NT 4.0's only one.
#[export]
fn WTSGetActiveConsoleSessionId(_call: &mut ApiCall<'_>) -> u32 {
    0
}

/// GetProcessVersion(ProcessId): the Win32 version the process's image expects
/// (MAKELONG(minor, major) of its subsystem version), for 0 the calling process; 0 with
/// ERROR_INVALID_PARAMETER for an id that names no process.
#[export]
fn GetProcessVersion(call: &mut ApiCall<'_>, ProcessId: u32) -> ApiReturn {
    let id = if ProcessId == 0 {
        call.thread.process
    } else {
        ProcessId
    };
    // As NT does, from the image's headers in the process's memory: the optional header's
    // MajorSubsystemVersion and MinorSubsystemVersion (at +0x30 and +0x32 of it).
    let version = call.machine.process(id).and_then(|p| {
        let base = p.image()?.base;
        let space = p.address_space();
        let nt = base.checked_add(space.read_u32(base + 0x3C).ok()?)?;
        let optional = nt.checked_add(0x18)?;
        let major = space.read_u16(optional + 0x30).ok()?;
        let minor = space.read_u16(optional + 0x32).ok()?;
        Some(u32::from(major) << 16 | u32::from(minor))
    });
    match version {
        Some(v) => ApiReturn::Value(v),
        None => call.fail(NtStatus::INVALID_PARAMETER),
    }
}

/// GetProcessWorkingSetSize(hProcess, lpMinimumWorkingSetSize, lpMaximumWorkingSetSize).
#[export]
fn GetProcessWorkingSetSize(
    call: &mut ApiCall<'_>,
    hProcess: Handle,
    lpMinimumWorkingSetSize: Ptr,
    lpMaximumWorkingSetSize: Ptr,
) -> ApiReturn {
    let info = match call.machine.process_information(
        call.thread.process,
        hProcess,
        AccessMask::PROCESS_QUERY_INFORMATION,
    ) {
        Ok(info) => info,
        Err(e) => return failure(call, e, 0),
    };
    let (minimum, maximum) = info.details.working_set;
    let written = call
        .write_u32(lpMinimumWorkingSetSize.0, minimum)
        .and_then(|()| call.write_u32(lpMaximumWorkingSetSize.0, maximum));
    match written {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// SetProcessWorkingSetSize(hProcess, dwMinimumWorkingSetSize, dwMaximumWorkingSetSize):
/// both -1 empties the working set (nothing to do for ntemu, whose guest memory is never
/// paged out); otherwise the minimum must not exceed the maximum. NT 4.0 keeps limits of at
/// least 20 pages and 13 pages more at the top.
#[export]
fn SetProcessWorkingSetSize(
    call: &mut ApiCall<'_>,
    hProcess: Handle,
    dwMinimumWorkingSetSize: u32,
    dwMaximumWorkingSetSize: u32,
) -> ApiReturn {
    let (min, max) = (dwMinimumWorkingSetSize, dwMaximumWorkingSetSize);
    if let Err(e) = call.machine.process_information(
        call.thread.process,
        hProcess,
        AccessMask::PROCESS_SET_QUOTA,
    ) {
        return failure(call, e, 0);
    }
    if min == u32::MAX && max == u32::MAX {
        return ApiReturn::Value(1);
    }
    if min > max {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    let page = call
        .process()
        .map_or(0x1000, |p| p.architecture().page_size().bytes());
    let minimum = min.max(20 * page);
    let maximum = max.max(minimum + 13 * page);
    let caller = call.thread.process;
    match call
        .machine
        .set_working_set(caller, hProcess, minimum, maximum)
    {
        Ok(()) => ApiReturn::Value(1),
        Err(e) => failure(call, e, 0),
    }
}
