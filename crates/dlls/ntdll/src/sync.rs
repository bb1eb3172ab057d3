//! NTDLL's native synchronisation services: waits (NtWaitForSingleObject,
//! NtWaitForMultipleObjects, NtSignalAndWaitForSingleObject, NtDelayExecution), user APCs
//! (NtQueueApcThread, NtTestAlert), and the event, mutant, semaphore and timer objects
//! (NtCreate*, NtOpen*, NtSet*/NtRelease*, NtQuery*), each returning an NTSTATUS over the same
//! object manager and scheduler KERNEL32 uses.
//!
//! - Timeouts are NT's LARGE_INTEGERs: NULL waits for ever, a negative value is relative in
//!   100 ns units, a positive one an absolute system time (a FILETIME), 0 polls.
//! - Names are full paths in the object namespace: `\BaseNamedObjects\NAME` (the only
//!   directory ntemu has; a RootDirectory handle names none of its objects), compared
//!   case-sensitively as Win32's names are. A create of an existing name fails with
//!   STATUS_OBJECT_NAME_COLLISION unless OBJ_OPENIF asks to open it
//!   (STATUS_OBJECT_NAME_EXISTS).
//! - NtWaitForMultipleObjects looks its handles up in the handle table only, so the
//!   pseudo-handles are STATUS_INVALID_HANDLE there, as on NT; NtWaitForSingleObject takes
//!   them.

use std::sync::Arc;
use std::time::Duration;

use nt_kernel::{UserApc, WaitRequest};
use nt_object::{
    AccessMask, EventType, Handle, HandleAttributes, MAXIMUM_WAIT_OBJECTS, NamedObjectSpec, Object,
    ObjectError, ObjectType, OwnerThread, WaitType,
};
use nt_status::NtStatus;
use win32::{ApiCall, ApiReturn, CallingConvention, Ptr, export};

/// 100-nanosecond intervals from 1601-01-01 to 1970-01-01.
pub const FILETIME_UNIX_EPOCH: u64 = 116_444_736_000_000_000;
/// The directory named objects live in, as a path prefix.
const BASE_NAMED_OBJECTS: &str = "\\BaseNamedObjects\\";

/// OBJ_INHERIT.
const OBJ_INHERIT: u32 = 0x2;
/// OBJ_OPENIF.
pub(crate) const OBJ_OPENIF: u32 = 0x80;

/// STATUS_OBJECT_PATH_SYNTAX_BAD: a name that is not a path from the root.
const STATUS_OBJECT_PATH_SYNTAX_BAD: NtStatus = NtStatus(0xC000_003B);

/// The FILETIME (100 ns since 1601, UTC) of the machine's clock at 0.
pub fn filetime_at_zero(call: &ApiCall<'_>) -> u64 {
    FILETIME_UNIX_EPOCH.saturating_add(call.state.wall_clock_base_ms.saturating_mul(10_000))
}

/// The current system time as a FILETIME.
pub fn now_filetime(call: &ApiCall<'_>) -> u64 {
    filetime_at_zero(call).saturating_add(call.machine.clock().now_ms().saturating_mul(10_000))
}

/// Reads a LARGE_INTEGER of the caller's.
pub fn read_i64(call: &ApiCall<'_>, at: u32) -> Result<i64, NtStatus> {
    let lo = call.read_u32(at).map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    let hi = call
        .read_u32(at.wrapping_add(4))
        .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    Ok(((u64::from(hi) << 32) | u64::from(lo)) as i64)
}

/// Writes a LARGE_INTEGER to the caller's memory.
pub fn write_i64(call: &mut ApiCall<'_>, at: u32, value: i64) -> Result<(), NtStatus> {
    let value = value as u64;
    call.write_u32(at, value as u32)
        .and_then(|()| call.write_u32(at.wrapping_add(4), (value >> 32) as u32))
        .map_err(|_| NtStatus::ACCESS_VIOLATION)
}

/// How long from now an NT time value lasts: negative is relative (100 ns units), positive
/// an absolute system time (a time already past is 0).
pub fn interval_of(call: &ApiCall<'_>, value: i64) -> Duration {
    let hundreds = if value < 0 {
        value.unsigned_abs()
    } else {
        (value as u64).saturating_sub(now_filetime(call))
    };
    // Rounded up to the millisecond the scheduler counts in.
    Duration::from_millis(hundreds.div_ceil(10_000))
}

/// The timeout a PLARGE_INTEGER gives: None (for ever) for NULL.
pub fn timeout_of(call: &ApiCall<'_>, timeout: Ptr) -> Result<Option<Duration>, NtStatus> {
    if timeout.is_null() {
        return Ok(None);
    }
    Ok(Some(interval_of(call, read_i64(call, timeout.0)?)))
}

/// The object a handle of the caller names for a wait: SYNCHRONIZE access, a waitable
/// object. The pseudo-handles are taken only when `pseudo` is set (NtWaitForSingleObject's
/// ObReferenceObjectByHandle resolves them; NtWaitForMultipleObjects's table walk does not).
pub fn reference_waitable(
    call: &ApiCall<'_>,
    handle: Handle,
    pseudo: bool,
) -> Result<Arc<Object>, NtStatus> {
    let object = if handle.is_pseudo() {
        if !pseudo {
            return Err(NtStatus::INVALID_HANDLE);
        }
        call.reference(handle, AccessMask::SYNCHRONIZE, None)
    } else {
        let process = call.process().ok_or(NtStatus::INVALID_HANDLE)?;
        process
            .handle_table()
            .reference(handle, AccessMask::SYNCHRONIZE, None)
            .cloned()
    }
    .map_err(ObjectError::status)?;
    if !object.is_waitable() {
        return Err(NtStatus::OBJECT_TYPE_MISMATCH);
    }
    Ok(object)
}

/// The objects of a wait on `count` handles at `handles`, each checked by `resolve`:
/// a count of 0 or above MAXIMUM_WAIT_OBJECTS is STATUS_INVALID_PARAMETER, an unreadable
/// array STATUS_ACCESS_VIOLATION, an object twice in a WaitAll STATUS_INVALID_PARAMETER_MIX.
pub fn wait_objects(
    call: &mut ApiCall<'_>,
    count: u32,
    handles: Ptr,
    wait_type: WaitType,
    mut resolve: impl FnMut(&mut ApiCall<'_>, Handle) -> Result<Arc<Object>, NtStatus>,
) -> Result<Vec<Arc<Object>>, NtStatus> {
    if count == 0 || count as usize > MAXIMUM_WAIT_OBJECTS {
        return Err(NtStatus::INVALID_PARAMETER);
    }
    let mut values = Vec::with_capacity(count as usize);
    for i in 0..count {
        let h = call
            .read_u32(handles.0.wrapping_add(4 * i))
            .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
        values.push(Handle(h));
    }
    let mut objects: Vec<Arc<Object>> = Vec::with_capacity(values.len());
    for h in values {
        let object = resolve(call, h)?;
        if wait_type == WaitType::All && objects.iter().any(|o| Arc::ptr_eq(o, &object)) {
            return Err(NtStatus::INVALID_PARAMETER_MIX);
        }
        objects.push(object);
    }
    Ok(objects)
}

/// Signals the object of NtSignalAndWaitForSingleObject (and SignalObjectAndWait): sets an
/// event (EVENT_MODIFY_STATE), releases a mutant the caller owns, or releases a semaphore
/// by one (SEMAPHORE_MODIFY_STATE); any other object is STATUS_OBJECT_TYPE_MISMATCH.
pub fn signal_for_wait(
    call: &ApiCall<'_>,
    object: &Object,
    handle: Handle,
) -> Result<(), NtStatus> {
    let granted = if handle.is_pseudo() {
        AccessMask(u32::MAX)
    } else {
        call.granted_access(handle).map_err(ObjectError::status)?
    };
    let needs = |right: AccessMask| {
        if granted.contains(right) {
            Ok(())
        } else {
            Err(NtStatus::ACCESS_DENIED)
        }
    };
    match object.object_type() {
        ObjectType::Event => {
            needs(AccessMask::EVENT_MODIFY_STATE)?;
            object.set_event().map(|_| ())
        }
        ObjectType::Mutant => object
            .release_mutant(OwnerThread(call.thread.thread))
            .map(|_| ()),
        ObjectType::Semaphore => {
            needs(AccessMask::SEMAPHORE_MODIFY_STATE)?;
            object.release_semaphore(1).map(|_| ())
        }
        _ => return Err(NtStatus::OBJECT_TYPE_MISMATCH),
    }
    .map_err(ObjectError::status)
}

fn status(s: NtStatus) -> ApiReturn {
    ApiReturn::Value(s.0)
}

fn result(r: Result<(), NtStatus>) -> ApiReturn {
    status(r.err().unwrap_or(NtStatus::SUCCESS))
}

/// NTSTATUS NtWaitForSingleObject(HANDLE Handle, BOOLEAN Alertable, PLARGE_INTEGER
/// Timeout): STATUS_WAIT_0, STATUS_ABANDONED_WAIT_0, STATUS_TIMEOUT or STATUS_USER_APC.
#[export]
pub fn NtWaitForSingleObject(
    call: &mut ApiCall<'_>,
    ObjectHandle: Handle,
    Alertable: u8,
    Timeout: Ptr,
) -> ApiReturn {
    let timeout = match timeout_of(call, Timeout) {
        Ok(t) => t,
        Err(s) => return status(s),
    };
    match reference_waitable(call, ObjectHandle, true) {
        Ok(object) => ApiReturn::WaitFor(WaitRequest {
            objects: vec![object],
            wait_type: WaitType::Any,
            timeout,
            alertable: Alertable != 0,
            alerts: true,
        }),
        Err(s) => status(s),
    }
}

/// NTSTATUS NtWaitForMultipleObjects(ULONG Count, HANDLE Handles[], WAIT_TYPE WaitType,
/// BOOLEAN Alertable, PLARGE_INTEGER Timeout): WaitType 0 is WaitAll, 1 WaitAny (anything
/// else STATUS_INVALID_PARAMETER); pseudo-handles are STATUS_INVALID_HANDLE.
#[export]
pub fn NtWaitForMultipleObjects(
    call: &mut ApiCall<'_>,
    Count: u32,
    Handles: Ptr,
    WaitType: u32,
    Alertable: u8,
    Timeout: Ptr,
) -> ApiReturn {
    let wait_type = match WaitType {
        0 => nt_object::WaitType::All,
        1 => nt_object::WaitType::Any,
        _ => return status(NtStatus::INVALID_PARAMETER),
    };
    let timeout = match timeout_of(call, Timeout) {
        Ok(t) => t,
        Err(s) => return status(s),
    };
    match wait_objects(call, Count, Handles, wait_type, |c, h| {
        reference_waitable(c, h, false)
    }) {
        Ok(objects) => ApiReturn::WaitFor(WaitRequest {
            objects,
            wait_type,
            timeout,
            alertable: Alertable != 0,
            alerts: true,
        }),
        Err(s) => status(s),
    }
}

/// NTSTATUS NtSignalAndWaitForSingleObject(HANDLE SignalHandle, HANDLE WaitHandle, BOOLEAN
/// Alertable, PLARGE_INTEGER Timeout): both handles are checked before anything is
/// signalled; the signal and the start of the wait are one step.
#[export]
pub fn NtSignalAndWaitForSingleObject(
    call: &mut ApiCall<'_>,
    SignalHandle: Handle,
    WaitHandle: Handle,
    Alertable: u8,
    Timeout: Ptr,
) -> ApiReturn {
    match signal_and_wait(call, SignalHandle, WaitHandle, Alertable != 0, Timeout) {
        Ok(request) => ApiReturn::WaitFor(request),
        Err(s) => status(s),
    }
}

/// NtSignalAndWaitForSingleObject's work, shared with SignalObjectAndWait: the wait to park
/// on once the signal is given, or the failure (nothing signalled).
pub fn signal_and_wait(
    call: &mut ApiCall<'_>,
    signal: Handle,
    wait: Handle,
    alertable: bool,
    timeout: Ptr,
) -> Result<WaitRequest, NtStatus> {
    let to_signal = call
        .reference(signal, AccessMask(0), None)
        .map_err(ObjectError::status)?;
    let to_wait = reference_waitable(call, wait, true)?;
    let timeout = timeout_of(call, timeout)?;
    signal_for_wait(call, &to_signal, signal)?;
    Ok(WaitRequest {
        objects: vec![to_wait],
        wait_type: WaitType::Any,
        timeout,
        alertable,
        alerts: true,
    })
}

/// STATUS_NO_YIELD_PERFORMED: NtYieldExecution found no other thread ready to run.
const STATUS_NO_YIELD_PERFORMED: NtStatus = NtStatus(0x4000_0024);

/// The threads that gave up the processor in a yield and come back to finish the call: what
/// the other threads had retired then.
#[derive(Default)]
struct Yields(std::collections::HashMap<(u32, u32), u64>);

/// What a yield (NtYieldExecution, SwitchToThread) comes to for the calling thread.
pub enum Yield {
    /// Another thread was ready and has had its turn: the call returns "yielded".
    Done,
    /// No other thread was ready: the call returns at once, "nothing to yield to".
    NoneReady,
    /// Another thread is ready: return this ([`ApiReturn::Retry`] with no object and no
    /// time) so the others run, and the same call comes back as [`Yield::Done`].
    Wait(ApiReturn),
}

/// Whether another thread of the machine is ready to run (not suspended, not parked on a
/// wait), and the instructions the other threads have retired.
fn others(call: &ApiCall<'_>, me: (u32, u32)) -> (bool, u64) {
    let machine = &*call.machine;
    let mut ready = false;
    let mut retired = 0u64;
    for pid in machine.process_ids() {
        let Some(p) = machine.process(pid) else {
            continue;
        };
        for t in p.threads().iter().filter(|t| (pid, t.id()) != me) {
            ready |= t.suspend_count() == 0 && !t.is_waiting();
            retired = retired.wrapping_add(t.instructions());
        }
    }
    (ready, retired)
}

/// The yield of NtYieldExecution and KERNEL32's SwitchToThread: when another thread of the
/// machine is ready to run, the caller gives up the processor until another thread has run.
pub fn yield_execution(call: &mut ApiCall<'_>) -> Yield {
    let me = (call.thread.process, call.thread.thread);
    let (ready, retired) = others(call, me);
    let yields = &mut call.state.get::<Yields>().0;
    match yields.get(&me) {
        // Back from the yield: done once another thread has run (or none is ready now).
        Some(&before) if before != retired || !ready => {
            yields.remove(&me);
            return Yield::Done;
        }
        Some(_) => {}
        None if !ready => return Yield::NoneReady,
        None => {
            yields.insert(me, retired);
        }
    }
    Yield::Wait(ApiReturn::Retry {
        objects: Vec::new(),
        timeout: Some(Duration::ZERO),
    })
}

/// NTSTATUS NtYieldExecution(void): STATUS_SUCCESS once another thread ready to run has had
/// the processor, STATUS_NO_YIELD_PERFORMED when none was ready.
#[export]
pub fn NtYieldExecution(call: &mut ApiCall<'_>) -> ApiReturn {
    match yield_execution(call) {
        Yield::Done => status(NtStatus::SUCCESS),
        Yield::NoneReady => status(STATUS_NO_YIELD_PERFORMED),
        Yield::Wait(wait) => wait,
    }
}

/// NTSTATUS NtDelayExecution(BOOLEAN Alertable, PLARGE_INTEGER DelayInterval):
/// STATUS_SUCCESS when the interval has passed, STATUS_USER_APC when an APC ended an
/// alertable delay.
#[export]
pub fn NtDelayExecution(call: &mut ApiCall<'_>, Alertable: u8, DelayInterval: Ptr) -> ApiReturn {
    match read_i64(call, DelayInterval.0) {
        Ok(v) => ApiReturn::WaitFor(WaitRequest {
            alerts: true,
            ..WaitRequest::delay(Some(interval_of(call, v)), Alertable != 0)
        }),
        Err(s) => status(s),
    }
}

/// NTSTATUS NtQueueApcThread(HANDLE ThreadHandle, PKNORMAL_ROUTINE ApcRoutine, PVOID
/// ApcContext, PVOID Argument1, PVOID Argument2): the handle needs THREAD_SET_CONTEXT; a
/// thread that has ended is STATUS_UNSUCCESSFUL; a NULL routine succeeds and runs nothing.
#[export]
pub fn NtQueueApcThread(
    call: &mut ApiCall<'_>,
    ThreadHandle: Handle,
    ApcRoutine: Ptr,
    ApcContext: u32,
    Argument1: u32,
    Argument2: u32,
) -> ApiReturn {
    let apc = UserApc {
        routine: ApcRoutine.0,
        context: ApcContext,
        argument1: Argument1,
        argument2: Argument2,
    };
    status(queue_apc(call, ThreadHandle, apc))
}

/// NtQueueApcThread's work, shared with QueueUserAPC: the status.
pub fn queue_apc(call: &mut ApiCall<'_>, thread: Handle, apc: UserApc) -> NtStatus {
    match call
        .machine
        .queue_user_apc_by_handle(call.thread, thread, apc)
    {
        Ok(()) => NtStatus::SUCCESS,
        Err(nt_kernel::KernelError::ThreadTerminating) => NtStatus::UNSUCCESSFUL,
        Err(e) => e.status(),
    }
}

/// NTSTATUS NtAlertThread(HANDLE ThreadHandle): alerts the thread for user mode (the handle
/// needs THREAD_ALERT): an alertable native wait it is in or comes to ends with
/// STATUS_ALERTED, and NtTestAlert returns it; KERNEL32's alertable waits take the alert and
/// go on waiting, as KERNEL32 waits again after STATUS_ALERTED.
#[export]
pub fn NtAlertThread(call: &mut ApiCall<'_>, ThreadHandle: Handle) -> ApiReturn {
    match call
        .machine
        .alert_thread_by_handle(call.thread, ThreadHandle)
    {
        Ok(()) => status(NtStatus::SUCCESS),
        Err(e) => status(e.status()),
    }
}

/// NTSTATUS NtAlertResumeThread(HANDLE ThreadHandle, PULONG SuspendCount): alerts the
/// thread (as NtAlertThread) and resumes it once; the suspend count it had goes to
/// SuspendCount (optional). The handle needs THREAD_SUSPEND_RESUME.
#[export]
pub fn NtAlertResumeThread(
    call: &mut ApiCall<'_>,
    ThreadHandle: Handle,
    SuspendCount: Ptr,
) -> ApiReturn {
    if call.probe_optional(SuspendCount.0, 4).is_err() {
        return status(NtStatus::ACCESS_VIOLATION);
    }
    let caller = call.thread;
    let r = call
        .machine
        .resume_thread(caller, ThreadHandle)
        .and_then(|previous| {
            call.machine
                .alert_thread_by_handle(caller, ThreadHandle)
                .map(|()| previous)
        });
    match r {
        Ok(previous) => {
            if call.write_out_u32(SuspendCount.0, previous).is_err() {
                return status(NtStatus::ACCESS_VIOLATION);
            }
            status(NtStatus::SUCCESS)
        }
        Err(e) => status(e.status()),
    }
}

/// NTSTATUS NtTestAlert(void): runs the calling thread's queued user APCs before the call
/// returns to the code they interrupted: STATUS_ALERTED when the thread was alerted (the
/// alert is taken), else STATUS_SUCCESS.
#[export]
pub fn NtTestAlert(call: &mut ApiCall<'_>) -> ApiReturn {
    let tid = call.thread.thread;
    let result = if call.machine.take_alert(call.thread) {
        NtStatus(nt_kernel::STATUS_ALERTED)
    } else {
        NtStatus::SUCCESS
    };
    let returned = call.process_mut().is_some_and(|p| {
        let (space, thread) = p.space_and_thread_mut(tid);
        thread.is_some_and(|t| {
            win32::abi::return_from_call(
                t.context_mut(),
                space,
                win32::abi::ResultValue::Word(result.0),
                CallingConvention::Stdcall,
                0,
            )
            .is_ok()
        })
    });
    if !returned {
        return ApiReturn::ExitProcess(NtStatus::ACCESS_VIOLATION.0);
    }
    call.machine.deliver_user_apcs(call.thread);
    ApiReturn::Resumed
}

/// What an OBJECT_ATTRIBUTES says: the object's name within \BaseNamedObjects (None for
/// no name) and the attributes.
pub(crate) struct Attributes {
    /// The name within \BaseNamedObjects.
    pub(crate) name: Option<String>,
    /// OBJ_INHERIT, OBJ_OPENIF...
    pub(crate) attributes: u32,
}

/// Reads an OBJECT_ATTRIBUTES (NULL: no name, no attributes).
pub(crate) fn read_object_attributes(call: &ApiCall<'_>, oa: Ptr) -> Result<Attributes, NtStatus> {
    if oa.is_null() {
        return Ok(Attributes {
            name: None,
            attributes: 0,
        });
    }
    let fault = |_| NtStatus::ACCESS_VIOLATION;
    let root = call.read_u32(oa.0.wrapping_add(4)).map_err(fault)?;
    let name_ptr = call.read_u32(oa.0.wrapping_add(8)).map_err(fault)?;
    let attributes = call.read_u32(oa.0.wrapping_add(12)).map_err(fault)?;
    if name_ptr == 0 {
        return Ok(Attributes {
            name: None,
            attributes,
        });
    }
    let lengths = call.read_u32(name_ptr).map_err(fault)?;
    let buffer = call.read_u32(name_ptr.wrapping_add(4)).map_err(fault)?;
    let bytes = (lengths & 0xFFFF) as usize;
    if !bytes.is_multiple_of(2) {
        return Err(NtStatus::OBJECT_NAME_INVALID);
    }
    let raw = call.read_bytes(buffer, bytes).map_err(fault)?;
    let units: Vec<u16> = raw
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect();
    let path = String::from_utf16_lossy(&units);
    if path.is_empty() && root == 0 {
        return Ok(Attributes {
            name: None,
            attributes,
        });
    }
    if root != 0 {
        // ntemu has no directory objects a handle could name.
        return Err(NtStatus::INVALID_HANDLE);
    }
    if !path.starts_with('\\') {
        return Err(STATUS_OBJECT_PATH_SYNTAX_BAD);
    }
    let prefix_len = BASE_NAMED_OBJECTS.len();
    let in_directory = path.len() > prefix_len
        && path.is_char_boundary(prefix_len)
        && path[..prefix_len].eq_ignore_ascii_case(BASE_NAMED_OBJECTS);
    if !in_directory {
        return Err(NtStatus::OBJECT_PATH_NOT_FOUND);
    }
    Ok(Attributes {
        name: Some(path[prefix_len..].to_string()),
        attributes,
    })
}

/// The handle attributes OBJ_INHERIT asks for.
pub(crate) fn handle_attributes(attributes: u32) -> HandleAttributes {
    if attributes & OBJ_INHERIT != 0 {
        HandleAttributes::INHERIT
    } else {
        HandleAttributes::NONE
    }
}

/// Writes a new handle to `out`, closing it again when that fails.
pub(crate) fn hand_out(
    call: &mut ApiCall<'_>,
    out: Ptr,
    handle: Handle,
    success: NtStatus,
) -> ApiReturn {
    if call.write_u32(out.0, handle.0).is_err() {
        let _ = call.close_handle(handle);
        return status(NtStatus::ACCESS_VIOLATION);
    }
    status(success)
}

/// NtCreateEvent, NtCreateMutant, NtCreateSemaphore and NtCreateTimer: a new object, or
/// (with OBJ_OPENIF) the existing one of its name.
fn create_object(
    call: &mut ApiCall<'_>,
    out: Ptr,
    access: AccessMask,
    oa: Ptr,
    spec: NamedObjectSpec,
    object_type: ObjectType,
) -> ApiReturn {
    if call.probe_write(out.0, 4).is_err() {
        return status(NtStatus::ACCESS_VIOLATION);
    }
    let attrs = match read_object_attributes(call, oa) {
        Ok(a) => a,
        Err(s) => return status(s),
    };
    let objects = call.machine.objects().clone();
    let inherit = handle_attributes(attrs.attributes);
    let created = match &attrs.name {
        Some(name) => {
            if let Some(existing) = objects.lookup_name(name) {
                if attrs.attributes & OBJ_OPENIF == 0 {
                    return status(NtStatus::OBJECT_NAME_COLLISION);
                }
                if existing.object_type() != object_type {
                    return status(NtStatus::OBJECT_TYPE_MISMATCH);
                }
            }
            match call.process_mut() {
                Some(p) => objects
                    .create_named(p.handle_table_mut(), name, spec, access, inherit)
                    .map(|c| (c.handle, c.existed)),
                None => Err(ObjectError::InvalidHandle),
            }
        }
        None => {
            let object = match spec {
                NamedObjectSpec::Event {
                    event_type,
                    initial_state,
                } => Ok(objects.create_event(event_type, initial_state)),
                NamedObjectSpec::Mutant { initial_owner } => {
                    Ok(objects.create_mutant(initial_owner))
                }
                NamedObjectSpec::Semaphore {
                    initial_count,
                    maximum_count,
                } => objects.create_semaphore(initial_count, maximum_count),
                NamedObjectSpec::Timer { timer_type } => Ok(objects.create_timer(timer_type)),
            };
            object.and_then(|o| match call.process_mut() {
                Some(p) => p
                    .handle_table_mut()
                    .insert(&o, object_type.map_access(access), inherit)
                    .map(|h| (h, false)),
                None => Err(ObjectError::InvalidHandle),
            })
        }
    };
    match created {
        Ok((handle, existed)) => {
            let success = if existed {
                NtStatus::OBJECT_NAME_EXISTS
            } else {
                NtStatus::SUCCESS
            };
            hand_out(call, out, handle, success)
        }
        Err(e) => status(e.status()),
    }
}

/// NtOpenEvent, NtOpenMutant, NtOpenSemaphore, NtOpenTimer and NtOpenIoCompletion: no
/// OBJECT_ATTRIBUTES is STATUS_INVALID_PARAMETER (ObOpenObjectByName's), one without a name
/// STATUS_OBJECT_PATH_SYNTAX_BAD.
pub(crate) fn open_object(
    call: &mut ApiCall<'_>,
    out: Ptr,
    access: AccessMask,
    oa: Ptr,
    object_type: ObjectType,
) -> ApiReturn {
    if call.probe_write(out.0, 4).is_err() {
        return status(NtStatus::ACCESS_VIOLATION);
    }
    if oa.is_null() {
        return status(NtStatus::INVALID_PARAMETER);
    }
    let attrs = match read_object_attributes(call, oa) {
        Ok(a) => a,
        Err(s) => return status(s),
    };
    let Some(name) = attrs.name else {
        // An open needs a name.
        return status(STATUS_OBJECT_PATH_SYNTAX_BAD);
    };
    let objects = call.machine.objects().clone();
    let opened = match call.process_mut() {
        Some(p) => objects.open_named(
            p.handle_table_mut(),
            &name,
            object_type,
            access,
            handle_attributes(attrs.attributes),
        ),
        None => Err(ObjectError::InvalidHandle),
    };
    match opened {
        Ok(handle) => hand_out(call, out, handle, NtStatus::SUCCESS),
        Err(e) => status(e.status()),
    }
}

/// The object of a handle of the caller, of `object_type`, with `access`.
fn object_of(
    call: &ApiCall<'_>,
    handle: Handle,
    access: AccessMask,
    object_type: ObjectType,
) -> Result<Arc<Object>, NtStatus> {
    call.reference(handle, access, Some(object_type))
        .map_err(ObjectError::status)
}

/// Writes an optional LONG out-parameter.
fn write_out(call: &mut ApiCall<'_>, out: Ptr, value: u32) -> Result<(), NtStatus> {
    call.write_out_u32(out.0, value)
        .map_err(|_| NtStatus::ACCESS_VIOLATION)
}

fn event_type_of(value: u32) -> Option<EventType> {
    match value {
        0 => Some(EventType::Notification),
        1 => Some(EventType::Synchronization),
        _ => None,
    }
}

/// NTSTATUS NtCreateEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess,
/// POBJECT_ATTRIBUTES ObjectAttributes, EVENT_TYPE EventType, BOOLEAN InitialState):
/// EventType 0 is a notification event, 1 a synchronization event.
#[export]
pub fn NtCreateEvent(
    call: &mut ApiCall<'_>,
    EventHandle: Ptr,
    DesiredAccess: AccessMask,
    ObjectAttributes: Ptr,
    EventType: u32,
    InitialState: u8,
) -> ApiReturn {
    let Some(event_type) = event_type_of(EventType) else {
        return status(NtStatus::INVALID_PARAMETER);
    };
    let spec = NamedObjectSpec::Event {
        event_type,
        initial_state: InitialState != 0,
    };
    create_object(
        call,
        EventHandle,
        DesiredAccess,
        ObjectAttributes,
        spec,
        ObjectType::Event,
    )
}

/// NTSTATUS NtOpenEvent(PHANDLE EventHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES
/// ObjectAttributes).
#[export]
pub fn NtOpenEvent(
    call: &mut ApiCall<'_>,
    EventHandle: Ptr,
    DesiredAccess: AccessMask,
    ObjectAttributes: Ptr,
) -> ApiReturn {
    open_object(
        call,
        EventHandle,
        DesiredAccess,
        ObjectAttributes,
        ObjectType::Event,
    )
}

/// The previous-state event calls: `op` on the event, its previous state to `previous`.
fn event_op(
    call: &mut ApiCall<'_>,
    handle: Handle,
    previous: Ptr,
    op: fn(&Object) -> Result<bool, ObjectError>,
) -> ApiReturn {
    let r = object_of(
        call,
        handle,
        AccessMask::EVENT_MODIFY_STATE,
        ObjectType::Event,
    )
    .and_then(|o| op(&o).map_err(ObjectError::status))
    .and_then(|was| write_out(call, previous, u32::from(was)));
    result(r)
}

/// NTSTATUS NtSetEvent(HANDLE EventHandle, PLONG PreviousState).
#[export]
pub fn NtSetEvent(call: &mut ApiCall<'_>, EventHandle: Handle, PreviousState: Ptr) -> ApiReturn {
    event_op(call, EventHandle, PreviousState, Object::set_event)
}

/// NTSTATUS NtResetEvent(HANDLE EventHandle, PLONG PreviousState).
#[export]
pub fn NtResetEvent(call: &mut ApiCall<'_>, EventHandle: Handle, PreviousState: Ptr) -> ApiReturn {
    event_op(call, EventHandle, PreviousState, Object::reset_event)
}

/// NTSTATUS NtClearEvent(HANDLE EventHandle): NtResetEvent without the previous state.
#[export]
pub fn NtClearEvent(call: &mut ApiCall<'_>, EventHandle: Handle) -> ApiReturn {
    event_op(call, EventHandle, Ptr::NULL, Object::reset_event)
}

/// NTSTATUS NtPulseEvent(HANDLE EventHandle, PLONG PreviousState).
#[export]
pub fn NtPulseEvent(call: &mut ApiCall<'_>, EventHandle: Handle, PreviousState: Ptr) -> ApiReturn {
    event_op(call, EventHandle, PreviousState, Object::pulse_event)
}

/// Checks an information class and buffer: class 0 (the basic information) and exactly
/// `size` bytes.
fn check_query(class: u32, length: u32, size: u32) -> Result<(), NtStatus> {
    if class != 0 {
        return Err(NtStatus::INVALID_INFO_CLASS);
    }
    if length != size {
        return Err(NtStatus::INFO_LENGTH_MISMATCH);
    }
    Ok(())
}

/// Writes a query's words and its ReturnLength.
fn answer(
    call: &mut ApiCall<'_>,
    out: Ptr,
    words: &[u32],
    return_length: Ptr,
) -> Result<(), NtStatus> {
    let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    call.write_bytes(out.0, &bytes)
        .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    write_out(call, return_length, bytes.len() as u32)
}

/// NTSTATUS NtQueryEvent(HANDLE EventHandle, EVENT_INFORMATION_CLASS Class, PVOID
/// Information, ULONG Length, PULONG ReturnLength): EventBasicInformation (0), 8 bytes:
/// EventType, EventState. Needs EVENT_QUERY_STATE.
#[export]
pub fn NtQueryEvent(
    call: &mut ApiCall<'_>,
    EventHandle: Handle,
    EventInformationClass: u32,
    EventInformation: Ptr,
    EventInformationLength: u32,
    ReturnLength: Ptr,
) -> ApiReturn {
    let r = check_query(EventInformationClass, EventInformationLength, 8)
        .and_then(|()| {
            object_of(
                call,
                EventHandle,
                AccessMask::EVENT_QUERY_STATE,
                ObjectType::Event,
            )
        })
        .and_then(|o| {
            let kind = o.event_kind().map_err(ObjectError::status)?;
            let state = o.event_state().map_err(ObjectError::status)?;
            let kind = u32::from(kind == EventType::Synchronization);
            answer(
                call,
                EventInformation,
                &[kind, u32::from(state)],
                ReturnLength,
            )
        });
    result(r)
}

/// NTSTATUS NtCreateMutant(PHANDLE MutantHandle, ACCESS_MASK DesiredAccess,
/// POBJECT_ATTRIBUTES ObjectAttributes, BOOLEAN InitialOwner).
#[export]
pub fn NtCreateMutant(
    call: &mut ApiCall<'_>,
    MutantHandle: Ptr,
    DesiredAccess: AccessMask,
    ObjectAttributes: Ptr,
    InitialOwner: u8,
) -> ApiReturn {
    let owner = OwnerThread(call.thread.thread);
    let spec = NamedObjectSpec::Mutant {
        initial_owner: (InitialOwner != 0).then_some(owner),
    };
    create_object(
        call,
        MutantHandle,
        DesiredAccess,
        ObjectAttributes,
        spec,
        ObjectType::Mutant,
    )
}

/// NTSTATUS NtOpenMutant(PHANDLE MutantHandle, ACCESS_MASK DesiredAccess,
/// POBJECT_ATTRIBUTES ObjectAttributes).
#[export]
pub fn NtOpenMutant(
    call: &mut ApiCall<'_>,
    MutantHandle: Ptr,
    DesiredAccess: AccessMask,
    ObjectAttributes: Ptr,
) -> ApiReturn {
    open_object(
        call,
        MutantHandle,
        DesiredAccess,
        ObjectAttributes,
        ObjectType::Mutant,
    )
}

/// NTSTATUS NtReleaseMutant(HANDLE MutantHandle, PLONG PreviousCount): the previous count
/// is the mutant's signal state before the release (1 - its recursion count); a caller that
/// does not own it gets STATUS_MUTANT_NOT_OWNED.
#[export]
pub fn NtReleaseMutant(
    call: &mut ApiCall<'_>,
    MutantHandle: Handle,
    PreviousCount: Ptr,
) -> ApiReturn {
    let me = OwnerThread(call.thread.thread);
    let r = object_of(call, MutantHandle, AccessMask(0), ObjectType::Mutant)
        .and_then(|o| o.release_mutant(me).map_err(ObjectError::status))
        .and_then(|recursion| write_out(call, PreviousCount, 1u32.wrapping_sub(recursion)));
    result(r)
}

/// NTSTATUS NtQueryMutant(HANDLE MutantHandle, MUTANT_INFORMATION_CLASS Class, PVOID
/// Information, ULONG Length, PULONG ReturnLength): MutantBasicInformation (0), 8 bytes:
/// CurrentCount (1 - recursion), OwnedByCaller, AbandonedState. Needs MUTANT_QUERY_STATE.
#[export]
pub fn NtQueryMutant(
    call: &mut ApiCall<'_>,
    MutantHandle: Handle,
    MutantInformationClass: u32,
    MutantInformation: Ptr,
    MutantInformationLength: u32,
    ReturnLength: Ptr,
) -> ApiReturn {
    let me = OwnerThread(call.thread.thread);
    let r = check_query(MutantInformationClass, MutantInformationLength, 8)
        .and_then(|()| {
            object_of(
                call,
                MutantHandle,
                AccessMask::MUTANT_QUERY_STATE,
                ObjectType::Mutant,
            )
        })
        .and_then(|o| {
            let m = o.mutant_state().map_err(ObjectError::status)?;
            let flags = u32::from(m.owner == Some(me)) | (u32::from(m.abandoned) << 8);
            answer(
                call,
                MutantInformation,
                &[1u32.wrapping_sub(m.recursion), flags],
                ReturnLength,
            )
        });
    result(r)
}

/// NTSTATUS NtCreateSemaphore(PHANDLE SemaphoreHandle, ACCESS_MASK DesiredAccess,
/// POBJECT_ATTRIBUTES ObjectAttributes, LONG InitialCount, LONG MaximumCount).
#[export]
pub fn NtCreateSemaphore(
    call: &mut ApiCall<'_>,
    SemaphoreHandle: Ptr,
    DesiredAccess: AccessMask,
    ObjectAttributes: Ptr,
    InitialCount: i32,
    MaximumCount: i32,
) -> ApiReturn {
    let spec = NamedObjectSpec::Semaphore {
        initial_count: InitialCount,
        maximum_count: MaximumCount,
    };
    create_object(
        call,
        SemaphoreHandle,
        DesiredAccess,
        ObjectAttributes,
        spec,
        ObjectType::Semaphore,
    )
}

/// NTSTATUS NtOpenSemaphore(PHANDLE SemaphoreHandle, ACCESS_MASK DesiredAccess,
/// POBJECT_ATTRIBUTES ObjectAttributes).
#[export]
pub fn NtOpenSemaphore(
    call: &mut ApiCall<'_>,
    SemaphoreHandle: Ptr,
    DesiredAccess: AccessMask,
    ObjectAttributes: Ptr,
) -> ApiReturn {
    open_object(
        call,
        SemaphoreHandle,
        DesiredAccess,
        ObjectAttributes,
        ObjectType::Semaphore,
    )
}

/// NTSTATUS NtReleaseSemaphore(HANDLE SemaphoreHandle, LONG ReleaseCount, PLONG
/// PreviousCount).
#[export]
pub fn NtReleaseSemaphore(
    call: &mut ApiCall<'_>,
    SemaphoreHandle: Handle,
    ReleaseCount: i32,
    PreviousCount: Ptr,
) -> ApiReturn {
    let r = object_of(
        call,
        SemaphoreHandle,
        AccessMask::SEMAPHORE_MODIFY_STATE,
        ObjectType::Semaphore,
    )
    .and_then(|o| {
        o.release_semaphore(ReleaseCount)
            .map_err(ObjectError::status)
    })
    .and_then(|previous| write_out(call, PreviousCount, previous));
    result(r)
}

/// NTSTATUS NtQuerySemaphore(HANDLE SemaphoreHandle, SEMAPHORE_INFORMATION_CLASS Class,
/// PVOID Information, ULONG Length, PULONG ReturnLength): SemaphoreBasicInformation (0),
/// 8 bytes: CurrentCount, MaximumCount. Needs SEMAPHORE_QUERY_STATE.
#[export]
pub fn NtQuerySemaphore(
    call: &mut ApiCall<'_>,
    SemaphoreHandle: Handle,
    SemaphoreInformationClass: u32,
    SemaphoreInformation: Ptr,
    SemaphoreInformationLength: u32,
    ReturnLength: Ptr,
) -> ApiReturn {
    let r = check_query(SemaphoreInformationClass, SemaphoreInformationLength, 8)
        .and_then(|()| {
            object_of(
                call,
                SemaphoreHandle,
                AccessMask::SEMAPHORE_QUERY_STATE,
                ObjectType::Semaphore,
            )
        })
        .and_then(|o| {
            let (count, maximum) = o.semaphore_state().map_err(ObjectError::status)?;
            answer(call, SemaphoreInformation, &[count, maximum], ReturnLength)
        });
    result(r)
}

/// NTSTATUS NtCreateTimer(PHANDLE TimerHandle, ACCESS_MASK DesiredAccess,
/// POBJECT_ATTRIBUTES ObjectAttributes, TIMER_TYPE TimerType): 0 a notification timer, 1 a
/// synchronization timer.
#[export]
pub fn NtCreateTimer(
    call: &mut ApiCall<'_>,
    TimerHandle: Ptr,
    DesiredAccess: AccessMask,
    ObjectAttributes: Ptr,
    TimerType: u32,
) -> ApiReturn {
    let Some(timer_type) = event_type_of(TimerType) else {
        return status(NtStatus::INVALID_PARAMETER);
    };
    create_object(
        call,
        TimerHandle,
        DesiredAccess,
        ObjectAttributes,
        NamedObjectSpec::Timer { timer_type },
        ObjectType::Timer,
    )
}

/// NTSTATUS NtOpenTimer(PHANDLE TimerHandle, ACCESS_MASK DesiredAccess, POBJECT_ATTRIBUTES
/// ObjectAttributes).
#[export]
pub fn NtOpenTimer(
    call: &mut ApiCall<'_>,
    TimerHandle: Ptr,
    DesiredAccess: AccessMask,
    ObjectAttributes: Ptr,
) -> ApiReturn {
    open_object(
        call,
        TimerHandle,
        DesiredAccess,
        ObjectAttributes,
        ObjectType::Timer,
    )
}

/// Sets a timer (NtSetTimer, SetWaitableTimer): due at the NT time `due` (negative:
/// relative), then every `period` ms; `routine` (if not NULL) is queued to the calling thread
/// with `context` at each expiry. Returns the timer's previous signal state.
pub fn set_timer(
    call: &mut ApiCall<'_>,
    timer: &Arc<Object>,
    due: i64,
    period: u32,
    routine: u32,
    context: u32,
) -> Result<bool, NtStatus> {
    let due_ms = call
        .machine
        .clock()
        .now_ms()
        .saturating_add(interval_of(call, due).as_millis() as u64);
    let apc = (routine != 0).then(|| nt_kernel::TimerApc {
        thread: call.thread,
        routine,
        context,
        filetime_at_zero: filetime_at_zero(call),
    });
    call.machine
        .set_timer(timer, due_ms, u64::from(period), apc)
        .map_err(|e| e.status())
}

/// NTSTATUS NtSetTimer(HANDLE TimerHandle, PLARGE_INTEGER DueTime, PTIMER_APC_ROUTINE
/// TimerApcRoutine, PVOID TimerContext, BOOLEAN ResumeTimer, LONG Period, PBOOLEAN
/// PreviousState): needs TIMER_MODIFY_STATE; a negative period is STATUS_INVALID_PARAMETER;
/// ResumeTimer is STATUS_TIMER_RESUME_IGNORED (the timer is set all the same).
#[export]
pub fn NtSetTimer(
    call: &mut ApiCall<'_>,
    TimerHandle: Handle,
    DueTime: Ptr,
    TimerApcRoutine: Ptr,
    TimerContext: u32,
    ResumeTimer: u8,
    Period: i32,
    PreviousState: Ptr,
) -> ApiReturn {
    if Period < 0 {
        return status(NtStatus::INVALID_PARAMETER);
    }
    let r = read_i64(call, DueTime.0).and_then(|due| {
        let timer = object_of(
            call,
            TimerHandle,
            AccessMask::TIMER_MODIFY_STATE,
            ObjectType::Timer,
        )?;
        if !PreviousState.is_null() && call.probe_write(PreviousState.0, 1).is_err() {
            return Err(NtStatus::ACCESS_VIOLATION);
        }
        let was = set_timer(
            call,
            &timer,
            due,
            Period as u32,
            TimerApcRoutine.0,
            TimerContext,
        )?;
        if !PreviousState.is_null() {
            call.write_bytes(PreviousState.0, &[u8::from(was)])
                .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
        }
        Ok(())
    });
    match r {
        Ok(()) if ResumeTimer != 0 => status(NtStatus::TIMER_RESUME_IGNORED),
        other => result(other),
    }
}

/// NTSTATUS NtCancelTimer(HANDLE TimerHandle, PBOOLEAN CurrentState): the timer stops; its
/// signal state is left and reported.
#[export]
pub fn NtCancelTimer(call: &mut ApiCall<'_>, TimerHandle: Handle, CurrentState: Ptr) -> ApiReturn {
    let r = object_of(
        call,
        TimerHandle,
        AccessMask::TIMER_MODIFY_STATE,
        ObjectType::Timer,
    )
    .and_then(|t| call.machine.cancel_timer(&t).map_err(|e| e.status()))
    .and_then(|state| {
        if CurrentState.is_null() {
            return Ok(());
        }
        call.write_bytes(CurrentState.0, &[u8::from(state)])
            .map_err(|_| NtStatus::ACCESS_VIOLATION)
    });
    result(r)
}

/// NTSTATUS NtQueryTimer(HANDLE TimerHandle, TIMER_INFORMATION_CLASS Class, PVOID
/// Information, ULONG Length, PULONG ReturnLength): TimerBasicInformation (0), 16 bytes:
/// RemainingTime (100 ns; 0 for a timer that is not set) and TimerState (signalled).
#[export]
pub fn NtQueryTimer(
    call: &mut ApiCall<'_>,
    TimerHandle: Handle,
    TimerInformationClass: u32,
    TimerInformation: Ptr,
    TimerInformationLength: u32,
    ReturnLength: Ptr,
) -> ApiReturn {
    let r = check_query(TimerInformationClass, TimerInformationLength, 16)
        .and_then(|()| {
            object_of(
                call,
                TimerHandle,
                AccessMask::TIMER_QUERY_STATE,
                ObjectType::Timer,
            )
        })
        .and_then(|t| {
            let remaining = call.machine.timer_remaining(&t).unwrap_or(0) * 10_000;
            let state = t.is_signaled().map_err(ObjectError::status)?;
            answer(
                call,
                TimerInformation,
                &[
                    remaining as u32,
                    (remaining >> 32) as u32,
                    u32::from(state),
                    0,
                ],
                ReturnLength,
            )
        });
    result(r)
}
