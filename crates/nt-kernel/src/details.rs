//! Scheduling parameters and accounting of processes and threads, as NT 4.0 keeps them in
//! its EPROCESS/KPROCESS and ETHREAD/KTHREAD: the priority class and each thread's base
//! priority increment, priority-boost switches, affinity masks and ideal processors, and the
//! creation and exit times and CPU times that GetProcessTimes/GetThreadTimes and
//! NtQueryInformationProcess/Thread report.
//!
//! What outlives a thread or process (its times, its last priority) is kept in its object's
//! body, so a handle still answers after the end, as on NT. CPU time comes from the
//! instructions a thread retired at the machine's nominal rate
//! ([`VIRTUAL_INSTRUCTIONS_PER_MS`](crate::machine::VIRTUAL_INSTRUCTIONS_PER_MS)); builtin
//! calls run in no guest time, so kernel time is 0.

use std::sync::Arc;

use nt_object::{AccessMask, Handle, Object};
use nt_status::NtStatus;
use parking_lot::{Mutex, MutexGuard};

use crate::KernelError;
use crate::machine::{ClientId, Machine, VIRTUAL_INSTRUCTIONS_PER_MS};
use crate::process::{ProcessBody, ThreadBody};

/// Processors of an ntemu machine: one, as a uniprocessor NT 4.0 reports.
pub const NUMBER_OF_PROCESSORS: u32 = 1;
/// The system affinity mask: one bit per processor.
pub const SYSTEM_AFFINITY_MASK: u32 = (1 << NUMBER_OF_PROCESSORS) - 1;
/// MAXIMUM_PROCESSORS on 32-bit NT: also the ideal-processor value that only queries.
pub const MAXIMUM_PROCESSORS: u32 = 32;

/// The relative priority increment that saturates a thread at the top of its class
/// (THREAD_BASE_PRIORITY_LOWRT + 1: THREAD_PRIORITY_TIME_CRITICAL).
pub const SATURATE_HIGH: i32 = 16;
/// The increment that saturates a thread at the bottom of its class
/// (THREAD_BASE_PRIORITY_IDLE - 1: THREAD_PRIORITY_IDLE).
pub const SATURATE_LOW: i32 = -16;
/// THREAD_BASE_PRIORITY_MIN and MAX: the ordinary increments.
pub const BASE_PRIORITY_RANGE: std::ops::RangeInclusive<i32> = -2..=2;

/// A process's priority class (NT 4.0 has four; the Windows 2000 classes above and below
/// normal do not exist).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PriorityClass {
    /// IDLE_PRIORITY_CLASS: base priority 4.
    Idle,
    /// NORMAL_PRIORITY_CLASS: base priority 8.
    Normal,
    /// HIGH_PRIORITY_CLASS: base priority 13.
    High,
    /// REALTIME_PRIORITY_CLASS: base priority 24.
    Realtime,
}

impl PriorityClass {
    /// The class a Win32 creation flag or SetPriorityClass value names.
    pub fn from_win32(flag: u32) -> Option<Self> {
        match flag {
            0x40 => Some(PriorityClass::Idle),
            0x20 => Some(PriorityClass::Normal),
            0x80 => Some(PriorityClass::High),
            0x100 => Some(PriorityClass::Realtime),
            _ => None,
        }
    }

    /// The Win32 value (IDLE_PRIORITY_CLASS 0x40, NORMAL 0x20, HIGH 0x80, REALTIME 0x100).
    pub fn win32(self) -> u32 {
        match self {
            PriorityClass::Idle => 0x40,
            PriorityClass::Normal => 0x20,
            PriorityClass::High => 0x80,
            PriorityClass::Realtime => 0x100,
        }
    }

    /// The class as PROCESS_PRIORITY_CLASS.PriorityClass numbers it (PROCESS_PRIORITY_CLASS_*).
    pub fn native(self) -> u8 {
        match self {
            PriorityClass::Idle => 1,
            PriorityClass::Normal => 2,
            PriorityClass::High => 3,
            PriorityClass::Realtime => 4,
        }
    }

    /// The class a PROCESS_PRIORITY_CLASS number names.
    pub fn from_native(value: u8) -> Option<Self> {
        match value {
            1 => Some(PriorityClass::Idle),
            2 => Some(PriorityClass::Normal),
            3 => Some(PriorityClass::High),
            4 => Some(PriorityClass::Realtime),
            _ => None,
        }
    }

    /// The base priority of the class's threads.
    pub fn base_priority(self) -> i32 {
        match self {
            PriorityClass::Idle => 4,
            PriorityClass::Normal => 8,
            PriorityClass::High => 13,
            PriorityClass::Realtime => 24,
        }
    }

    /// The priority of a thread of the class with base increment `increment`: the class's
    /// base plus the increment, kept inside the dynamic range (1-15) or the real-time range
    /// (16-31), with the saturating increments at the range's ends.
    pub fn thread_priority(self, increment: i32) -> i32 {
        let realtime = self == PriorityClass::Realtime;
        let (low, high) = if realtime { (16, 31) } else { (1, 15) };
        match increment {
            SATURATE_HIGH => high,
            SATURATE_LOW => low,
            i => (self.base_priority() + i).clamp(low, high),
        }
    }
}

/// What a thread's object keeps of its scheduling and accounting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadDetails {
    /// The base priority increment over the process's class: -2..=2, or
    /// [`SATURATE_HIGH`]/[`SATURATE_LOW`].
    pub increment: i32,
    /// ThreadPriorityBoost: true when dynamic boosts are disabled.
    pub boost_disabled: bool,
    /// The processors the thread may run on.
    pub affinity: u32,
    /// The processor the scheduler prefers for it.
    pub ideal_processor: u32,
    /// Creation time, in milliseconds of the machine's clock.
    pub created_ms: u64,
    /// Exit time, once the thread has ended.
    pub exited_ms: Option<u64>,
    /// Guest instructions retired, frozen when the thread ends (while it runs, the live
    /// count is on the machine's thread).
    pub instructions: u64,
    /// The debug registers Dr0-Dr3, Dr6 and Dr7 a SetThreadContext stored. ntemu's CPUs
    /// have no hardware breakpoints: the values are kept and reported, never acted on.
    pub debug_registers: [u32; 6],
    /// The address the thread started at (ThreadQuerySetWin32StartAddress).
    pub start_address: u32,
}

impl Default for ThreadDetails {
    fn default() -> Self {
        ThreadDetails {
            increment: 0,
            boost_disabled: false,
            affinity: SYSTEM_AFFINITY_MASK,
            ideal_processor: 0,
            created_ms: 0,
            exited_ms: None,
            instructions: 0,
            debug_registers: [0; 6],
            start_address: 0,
        }
    }
}

/// What a process's object keeps of its scheduling and accounting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcessDetails {
    /// The priority class.
    pub priority_class: PriorityClass,
    /// ProcessPriorityBoost: true when dynamic boosts are disabled for new threads.
    pub boost_disabled: bool,
    /// The processors the process's threads may run on.
    pub affinity: u32,
    /// The creating process's id (InheritedFromUniqueProcessId), 0 for none.
    pub parent: u32,
    /// Creation time, in milliseconds of the machine's clock.
    pub created_ms: u64,
    /// Exit time, once the process has ended.
    pub exited_ms: Option<u64>,
    /// Guest instructions its threads retired, frozen when it ends.
    pub instructions: u64,
    /// ProcessDefaultHardErrorMode: SetErrorMode's mode as NT keeps it (with
    /// SEM_FAILCRITICALERRORS inverted: bit 0 set means critical-error boxes are shown).
    pub hard_error_mode: u32,
    /// The working-set limits (minimum, maximum) in bytes: NT 4.0's defaults for a process
    /// on a small machine until SetProcessWorkingSetSize changes them.
    pub working_set: (u32, u32),
}

impl Default for ProcessDetails {
    fn default() -> Self {
        ProcessDetails {
            priority_class: PriorityClass::Normal,
            boost_disabled: false,
            affinity: SYSTEM_AFFINITY_MASK,
            parent: 0,
            created_ms: 0,
            exited_ms: None,
            instructions: 0,
            hard_error_mode: 1,
            working_set: (200 * 1024, 1380 * 1024),
        }
    }
}

/// A thread's scheduling and accounting as a query sees them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadInformation {
    /// Its process and thread ids.
    pub client_id: ClientId,
    /// Its exit status (STILL_ACTIVE while it runs).
    pub exit_status: u32,
    /// Its TEB (0 once it has ended).
    pub teb: u32,
    /// Its current priority (1-31).
    pub priority: i32,
    /// The process's priority class.
    pub priority_class: PriorityClass,
    /// What its object keeps, with the instruction count brought up to date.
    pub details: ThreadDetails,
    /// True when it is the only thread left in its process.
    pub last_thread: bool,
}

/// A process's scheduling and accounting as a query sees them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcessInformation {
    /// Its id.
    pub id: u32,
    /// Its exit status (STILL_ACTIVE while it runs).
    pub exit_status: u32,
    /// Its PEB (0 once it has ended).
    pub peb: u32,
    /// Its live threads.
    pub threads: u32,
    /// What its object keeps, with the instruction count brought up to date.
    pub details: ProcessDetails,
}

/// CPU times in 100-nanosecond units, as KERNEL_USER_TIMES and FILETIME count them.
pub fn cpu_time_100ns(instructions: u64) -> u64 {
    // VIRTUAL_INSTRUCTIONS_PER_MS instructions per millisecond, 10,000 units per millisecond.
    instructions.saturating_mul(10_000) / VIRTUAL_INSTRUCTIONS_PER_MS
}

impl ThreadBody {
    /// The thread's scheduling and accounting record.
    pub fn details(&self) -> MutexGuard<'_, ThreadDetails> {
        self.details.lock()
    }
}

impl ProcessBody {
    /// The process's scheduling and accounting record.
    pub fn details(&self) -> MutexGuard<'_, ProcessDetails> {
        self.details.lock()
    }
}

/// A fresh record for a thread or process body.
pub(crate) fn new_thread_details() -> Mutex<ThreadDetails> {
    Mutex::new(ThreadDetails::default())
}

/// A fresh record for a process body.
pub(crate) fn new_process_details() -> Mutex<ProcessDetails> {
    Mutex::new(ProcessDetails::default())
}

fn invalid_parameter() -> KernelError {
    KernelError::Failed(NtStatus::INVALID_PARAMETER)
}

impl Machine {
    /// The thread object a handle of `caller` (or -2) names, with `access` checked.
    pub fn thread_object(
        &self,
        caller: ClientId,
        handle: Handle,
        access: AccessMask,
    ) -> Result<Arc<Object>, KernelError> {
        self.reference_thread(caller, handle, access)
    }

    /// The process object a handle of process `caller` (or -1) names, with `access`
    /// checked.
    pub fn process_object(
        &self,
        caller: u32,
        handle: Handle,
        access: AccessMask,
    ) -> Result<Arc<Object>, KernelError> {
        self.reference_process_object(caller, handle, access)
    }

    /// A thread's scheduling and accounting, through a handle with `access`
    /// (THREAD_QUERY_INFORMATION for the Win32 queries).
    pub fn thread_information(
        &self,
        caller: ClientId,
        handle: Handle,
        access: AccessMask,
    ) -> Result<ThreadInformation, KernelError> {
        let object = self.reference_thread(caller, handle, access)?;
        let body = object.payload::<ThreadBody>().ok_or(KernelError::Object(
            nt_object::ObjectError::ObjectTypeMismatch,
        ))?;
        Ok(self.describe_thread(body))
    }

    /// The information of a thread body.
    pub fn describe_thread(&self, body: &ThreadBody) -> ThreadInformation {
        let mut details = *body.details();
        let process = self.process(body.process_id());
        let live = process.and_then(|p| p.thread(body.id()));
        if let Some(t) = live {
            details.instructions = t.instructions();
        }
        let priority_class = process
            .and_then(|p| p.object().payload::<ProcessBody>())
            .map_or(PriorityClass::Normal, |p| p.details().priority_class);
        ThreadInformation {
            client_id: ClientId {
                process: body.process_id(),
                thread: body.id(),
            },
            exit_status: body.exit_status(),
            teb: live.map_or(0, |t| t.teb()),
            priority: priority_class.thread_priority(details.increment),
            priority_class,
            details,
            last_thread: live.is_some() && process.is_some_and(|p| p.thread_count() == 1),
        }
    }

    /// A process's scheduling and accounting, through a handle with `access`
    /// (PROCESS_QUERY_INFORMATION for the Win32 queries).
    pub fn process_information(
        &self,
        caller: u32,
        handle: Handle,
        access: AccessMask,
    ) -> Result<ProcessInformation, KernelError> {
        let object = self.reference_process_object(caller, handle, access)?;
        let body = object.payload::<ProcessBody>().ok_or(KernelError::Object(
            nt_object::ObjectError::ObjectTypeMismatch,
        ))?;
        Ok(self.describe_process(body))
    }

    /// The information of a process body.
    pub fn describe_process(&self, body: &ProcessBody) -> ProcessInformation {
        let mut details = *body.details();
        let live = self.process(body.id());
        if let Some(p) = live {
            details.instructions = p.instructions();
        }
        ProcessInformation {
            id: body.id(),
            exit_status: body.exit_status(),
            peb: live.map_or(0, |p| p.peb()),
            threads: live.map_or(0, |p| p.thread_count() as u32),
            details,
        }
    }

    /// Changes a thread's record through a handle with THREAD_SET_INFORMATION.
    fn update_thread<R>(
        &mut self,
        caller: ClientId,
        handle: Handle,
        f: impl FnOnce(&mut ThreadDetails, u32) -> Result<R, KernelError>,
    ) -> Result<R, KernelError> {
        let object = self.reference_thread(caller, handle, AccessMask::THREAD_SET_INFORMATION)?;
        let body = object.payload::<ThreadBody>().ok_or(KernelError::Object(
            nt_object::ObjectError::ObjectTypeMismatch,
        ))?;
        let process_affinity = self
            .process(body.process_id())
            .and_then(|p| {
                p.object()
                    .payload::<ProcessBody>()
                    .map(|b| b.details().affinity)
            })
            .unwrap_or(SYSTEM_AFFINITY_MASK);
        let mut details = body.details();
        f(&mut details, process_affinity)
    }

    /// NtSetInformationThread(ThreadBasePriority): the increment over the class, -2..=2 or
    /// one of the saturating values.
    pub fn set_thread_base_priority(
        &mut self,
        caller: ClientId,
        handle: Handle,
        increment: i32,
    ) -> Result<(), KernelError> {
        let valid = BASE_PRIORITY_RANGE.contains(&increment)
            || increment == SATURATE_HIGH
            || increment == SATURATE_LOW;
        if !valid {
            return Err(invalid_parameter());
        }
        self.update_thread(caller, handle, |d, _| {
            d.increment = increment;
            Ok(())
        })
    }

    /// NtSetInformationThread(ThreadPriorityBoost).
    pub fn set_thread_priority_boost(
        &mut self,
        caller: ClientId,
        handle: Handle,
        disabled: bool,
    ) -> Result<(), KernelError> {
        self.update_thread(caller, handle, |d, _| {
            d.boost_disabled = disabled;
            Ok(())
        })
    }

    /// NtSetInformationThread(ThreadAffinityMask): a non-empty subset of the process's
    /// affinity; returns the previous mask.
    pub fn set_thread_affinity(
        &mut self,
        caller: ClientId,
        handle: Handle,
        mask: u32,
    ) -> Result<u32, KernelError> {
        self.update_thread(caller, handle, |d, process| {
            if mask == 0 || mask & !process != 0 {
                return Err(invalid_parameter());
            }
            Ok(std::mem::replace(&mut d.affinity, mask))
        })
    }

    /// NtSetInformationThread(ThreadIdealProcessor): returns the previous ideal processor.
    /// [`MAXIMUM_PROCESSORS`] only asks; a processor the machine does not have (or the
    /// thread's affinity excludes) leaves the ideal as it was, as NT's
    /// KeSetIdealProcessorThread does; above MAXIMUM_PROCESSORS is invalid.
    pub fn set_thread_ideal_processor(
        &mut self,
        caller: ClientId,
        handle: Handle,
        processor: u32,
    ) -> Result<u32, KernelError> {
        if processor > MAXIMUM_PROCESSORS {
            return Err(invalid_parameter());
        }
        self.update_thread(caller, handle, |d, _| {
            let old = d.ideal_processor;
            if processor < NUMBER_OF_PROCESSORS && d.affinity & (1 << processor) != 0 {
                d.ideal_processor = processor;
            }
            Ok(old)
        })
    }

    /// Changes a process's record through a handle with PROCESS_SET_INFORMATION; `each`
    /// then changes the record of each of its live threads.
    fn update_process(
        &mut self,
        caller: u32,
        handle: Handle,
        f: impl FnOnce(&mut ProcessDetails) -> Result<(), KernelError>,
        each: impl Fn(&mut ThreadDetails),
    ) -> Result<(), KernelError> {
        let object =
            self.reference_process_object(caller, handle, AccessMask::PROCESS_SET_INFORMATION)?;
        let body = object.payload::<ProcessBody>().ok_or(KernelError::Object(
            nt_object::ObjectError::ObjectTypeMismatch,
        ))?;
        f(&mut body.details())?;
        if let Some(p) = self.process(body.id()) {
            for t in p.threads() {
                if let Some(tb) = t.object().payload::<ThreadBody>() {
                    each(&mut tb.details());
                }
            }
        }
        Ok(())
    }

    /// NtSetInformationProcess(ProcessPriorityClass). The process's threads keep their
    /// increments; their priorities follow the new class.
    pub fn set_priority_class(
        &mut self,
        caller: u32,
        handle: Handle,
        class: PriorityClass,
    ) -> Result<(), KernelError> {
        self.update_process(
            caller,
            handle,
            |d| {
                d.priority_class = class;
                Ok(())
            },
            |_| {},
        )
    }

    /// NtSetInformationProcess(ProcessPriorityBoost): also sets the switch of every thread
    /// the process has, as NT does.
    pub fn set_process_priority_boost(
        &mut self,
        caller: u32,
        handle: Handle,
        disabled: bool,
    ) -> Result<(), KernelError> {
        self.update_process(
            caller,
            handle,
            |d| {
                d.boost_disabled = disabled;
                Ok(())
            },
            |t| t.boost_disabled = disabled,
        )
    }

    /// NtSetInformationProcess(ProcessAffinityMask): a non-empty subset of the system's
    /// processors; each thread's affinity becomes it.
    pub fn set_process_affinity(
        &mut self,
        caller: u32,
        handle: Handle,
        mask: u32,
    ) -> Result<(), KernelError> {
        if mask == 0 || mask & !SYSTEM_AFFINITY_MASK != 0 {
            return Err(invalid_parameter());
        }
        self.update_process(
            caller,
            handle,
            |d| {
                d.affinity = mask;
                Ok(())
            },
            |t| t.affinity = mask,
        )
    }

    /// NtSetInformationProcess(ProcessDefaultHardErrorMode) on the caller's own process.
    pub fn set_hard_error_mode(&mut self, caller: u32, mode: u32) {
        if let Some(p) = self.process(caller)
            && let Some(b) = p.object().payload::<ProcessBody>()
        {
            b.details().hard_error_mode = mode;
        }
    }

    /// NtSetInformationProcess(ProcessQuotaLimits): the working-set limits, through a handle
    /// with PROCESS_SET_QUOTA.
    pub fn set_working_set(
        &mut self,
        caller: u32,
        handle: Handle,
        minimum: u32,
        maximum: u32,
    ) -> Result<(), KernelError> {
        let object =
            self.reference_process_object(caller, handle, AccessMask::PROCESS_SET_QUOTA)?;
        let body = object.payload::<ProcessBody>().ok_or(KernelError::Object(
            nt_object::ObjectError::ObjectTypeMismatch,
        ))?;
        body.details().working_set = (minimum, maximum);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_priorities_follow_the_class_and_saturate_at_its_ends() {
        let normal = PriorityClass::Normal;
        assert_eq!(normal.thread_priority(0), 8);
        assert_eq!(normal.thread_priority(2), 10);
        assert_eq!(normal.thread_priority(-2), 6);
        assert_eq!(normal.thread_priority(SATURATE_HIGH), 15);
        assert_eq!(normal.thread_priority(SATURATE_LOW), 1);
        let realtime = PriorityClass::Realtime;
        assert_eq!(realtime.thread_priority(0), 24);
        assert_eq!(realtime.thread_priority(SATURATE_HIGH), 31);
        assert_eq!(realtime.thread_priority(SATURATE_LOW), 16);
        // High class at +2 stays in the dynamic range.
        assert_eq!(PriorityClass::High.thread_priority(2), 15);
    }

    #[test]
    fn priority_classes_round_trip_their_win32_and_native_values() {
        for class in [
            PriorityClass::Idle,
            PriorityClass::Normal,
            PriorityClass::High,
            PriorityClass::Realtime,
        ] {
            assert_eq!(PriorityClass::from_win32(class.win32()), Some(class));
            assert_eq!(PriorityClass::from_native(class.native()), Some(class));
        }
        // BELOW_NORMAL and ABOVE_NORMAL came with Windows 2000.
        assert_eq!(PriorityClass::from_win32(0x4000), None);
        assert_eq!(PriorityClass::from_win32(0x8000), None);
    }

    #[test]
    fn cpu_time_is_instructions_at_the_nominal_rate() {
        assert_eq!(cpu_time_100ns(VIRTUAL_INSTRUCTIONS_PER_MS), 10_000);
        assert_eq!(cpu_time_100ns(0), 0);
    }
}
