//! I/O completion ports (NT's KQUEUE behind an IoCompletion object): NtCreateIoCompletion,
//! NtOpenIoCompletion, NtSetIoCompletion, NtRemoveIoCompletion and NtQueryIoCompletion, and
//! the port core KERNEL32's CreateIoCompletionPort, GetQueuedCompletionStatus and
//! PostQueuedCompletionStatus use.
//!
//! A port is a queue of completion packets (key, status, byte count, the OVERLAPPED's
//! address), first in first out; the object is signalled while the queue holds a packet. A
//! thread that removes from an empty port is parked on the object (the scheduler's wait)
//! until a packet comes or its timeout passes; the port remembers its deadline, so the call
//! it runs again after each wake-up still times out when it should.

use std::collections::VecDeque;
use std::sync::{Arc, Weak};
use std::time::Duration;

use nt_object::{AccessMask, Handle, Object, ObjectError, ObjectManager, ObjectType};
use nt_status::NtStatus;
use parking_lot::Mutex;
use win32::{ApiCall, ApiReturn, Ptr, export};

use crate::sync::{
    OBJ_OPENIF, hand_out, handle_attributes, interval_of, open_object, read_i64,
    read_object_attributes,
};

/// One completion packet.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Packet {
    /// The completion key (the file's key, or PostQueuedCompletionStatus's).
    pub key: u32,
    /// The I/O's status (IO_STATUS_BLOCK.Status).
    pub status: u32,
    /// The byte count (IO_STATUS_BLOCK.Information).
    pub information: u32,
    /// The OVERLAPPED's address (NT's ApcContext).
    pub overlapped: u32,
}

/// The payload of an IoCompletion object.
#[derive(Default)]
pub struct Port {
    state: Mutex<PortState>,
}

#[derive(Default)]
struct PortState {
    packets: VecDeque<Packet>,
    /// Threads parked in a removal: their objects and the clock time their wait ends
    /// (None: never).
    waiters: Vec<(Weak<Object>, Option<u64>)>,
}

/// Makes an empty port.
pub fn create_port(objects: &ObjectManager) -> Result<Arc<Object>, ObjectError> {
    objects.create_executive_object(ObjectType::IoCompletion, Box::new(Port::default()))
}

/// Queues `packet` on the port `object` (an IoCompletion object), waking a remover.
pub fn post(object: &Object, packet: Packet) -> Result<(), NtStatus> {
    let port = object
        .payload::<Port>()
        .ok_or(NtStatus::OBJECT_TYPE_MISMATCH)?;
    port.state.lock().packets.push_back(packet);
    object
        .set_signal_state(true)
        .map(|_| ())
        .map_err(ObjectError::status)
}

/// How many packets the port holds.
pub fn depth(object: &Object) -> usize {
    object
        .payload::<Port>()
        .map_or(0, |p| p.state.lock().packets.len())
}

/// What a removal came to.
pub enum Removal {
    /// A packet.
    Packet(Packet),
    /// The timeout passed with the port empty.
    Timeout,
    /// The caller must wait: return this ([`ApiReturn::Retry`] on the port) and run the
    /// same call again when it ends.
    Wait(ApiReturn),
}

/// The calling thread's object.
fn current_thread(call: &ApiCall<'_>) -> Option<Arc<Object>> {
    call.process()
        .and_then(|p| p.thread(call.thread.thread))
        .map(|t| Arc::clone(t.object()))
}

/// Takes the oldest packet of the port `object`, or parks the caller until one comes or
/// `timeout` (None: for ever) has passed since its first try.
pub fn remove(
    call: &ApiCall<'_>,
    object: &Arc<Object>,
    timeout: Option<Duration>,
) -> Result<Removal, NtStatus> {
    let port = object
        .payload::<Port>()
        .ok_or(NtStatus::OBJECT_TYPE_MISMATCH)?;
    let me = current_thread(call).ok_or(NtStatus::INVALID_HANDLE)?;
    let now = call.machine.clock().now_ms();
    let mut s = port.state.lock();
    s.waiters.retain(|(t, _)| t.strong_count() > 0);
    let mine = s
        .waiters
        .iter()
        .position(|(t, _)| std::ptr::eq(t.as_ptr(), Arc::as_ptr(&me)));
    if let Some(packet) = s.packets.pop_front() {
        if let Some(i) = mine {
            s.waiters.remove(i);
        }
        if s.packets.is_empty() {
            let _ = object.set_signal_state(false);
        }
        return Ok(Removal::Packet(packet));
    }
    let deadline = match mine {
        Some(i) => s.waiters[i].1,
        None => timeout.map(|t| now.saturating_add(t.as_millis() as u64)),
    };
    if deadline.is_some_and(|d| d <= now) {
        if let Some(i) = mine {
            s.waiters.remove(i);
        }
        return Ok(Removal::Timeout);
    }
    if mine.is_none() {
        s.waiters.push((Arc::downgrade(&me), deadline));
    }
    Ok(Removal::Wait(ApiReturn::Retry {
        objects: vec![Arc::clone(object)],
        timeout: deadline.map(|d| Duration::from_millis(d - now)),
    }))
}

/// The port a handle of the caller names, with `access`.
pub fn reference_port(
    call: &ApiCall<'_>,
    handle: Handle,
    access: AccessMask,
) -> Result<Arc<Object>, NtStatus> {
    call.reference(handle, access, Some(ObjectType::IoCompletion))
        .map_err(ObjectError::status)
}

fn status(s: NtStatus) -> ApiReturn {
    ApiReturn::Value(s.0)
}

/// NTSTATUS NtCreateIoCompletion(PHANDLE IoCompletionHandle, ACCESS_MASK DesiredAccess,
/// POBJECT_ATTRIBUTES ObjectAttributes, ULONG NumberOfConcurrentThreads): a new port,
/// unnamed or named in \BaseNamedObjects (an existing name is STATUS_OBJECT_NAME_COLLISION,
/// or with OBJ_OPENIF the existing port and STATUS_OBJECT_NAME_EXISTS). The number of
/// concurrent threads is kept by NT to limit releases; one CPU runs them here.
#[export]
pub fn NtCreateIoCompletion(
    call: &mut ApiCall<'_>,
    IoCompletionHandle: Ptr,
    DesiredAccess: AccessMask,
    ObjectAttributes: Ptr,
    NumberOfConcurrentThreads: u32,
) -> ApiReturn {
    let _ = NumberOfConcurrentThreads;
    if call.probe_write(IoCompletionHandle.0, 4).is_err() {
        return status(NtStatus::ACCESS_VIOLATION);
    }
    let attrs = match read_object_attributes(call, ObjectAttributes) {
        Ok(a) => a,
        Err(s) => return status(s),
    };
    let inherit = handle_attributes(attrs.attributes);
    let objects = call.machine.objects().clone();
    let created = match &attrs.name {
        Some(name) => {
            if objects.lookup_name(name).is_some() && attrs.attributes & OBJ_OPENIF == 0 {
                return status(NtStatus::OBJECT_NAME_COLLISION);
            }
            match call.process_mut() {
                Some(p) => objects
                    .create_named_executive(
                        p.handle_table_mut(),
                        name,
                        ObjectType::IoCompletion,
                        || Box::new(Port::default()),
                        DesiredAccess,
                        inherit,
                    )
                    .map(|c| (c.handle, c.existed)),
                None => Err(ObjectError::InvalidHandle),
            }
        }
        None => create_port(&objects).and_then(|port| match call.process_mut() {
            Some(p) => p
                .handle_table_mut()
                .insert(
                    &port,
                    ObjectType::IoCompletion.map_access(DesiredAccess),
                    inherit,
                )
                .map(|h| (h, false)),
            None => Err(ObjectError::InvalidHandle),
        }),
    };
    match created {
        Ok((handle, existed)) => {
            let success = if existed {
                NtStatus::OBJECT_NAME_EXISTS
            } else {
                NtStatus::SUCCESS
            };
            hand_out(call, IoCompletionHandle, handle, success)
        }
        Err(e) => status(e.status()),
    }
}

/// NTSTATUS NtOpenIoCompletion(PHANDLE IoCompletionHandle, ACCESS_MASK DesiredAccess,
/// POBJECT_ATTRIBUTES ObjectAttributes): a port of that name in \BaseNamedObjects
/// (STATUS_OBJECT_NAME_NOT_FOUND when none; another object of the name is
/// STATUS_OBJECT_TYPE_MISMATCH).
#[export]
pub fn NtOpenIoCompletion(
    call: &mut ApiCall<'_>,
    IoCompletionHandle: Ptr,
    DesiredAccess: AccessMask,
    ObjectAttributes: Ptr,
) -> ApiReturn {
    open_object(
        call,
        IoCompletionHandle,
        DesiredAccess,
        ObjectAttributes,
        ObjectType::IoCompletion,
    )
}

/// NTSTATUS NtSetIoCompletion(HANDLE IoCompletionHandle, ULONG KeyContext, PVOID
/// ApcContext, NTSTATUS IoStatus, ULONG IoStatusInformation): queues a packet. Needs
/// IO_COMPLETION_MODIFY_STATE.
#[export]
pub fn NtSetIoCompletion(
    call: &mut ApiCall<'_>,
    IoCompletionHandle: Handle,
    KeyContext: u32,
    ApcContext: u32,
    IoStatus: u32,
    IoStatusInformation: u32,
) -> ApiReturn {
    let r = reference_port(
        call,
        IoCompletionHandle,
        AccessMask::IO_COMPLETION_MODIFY_STATE,
    )
    .and_then(|port| {
        post(
            &port,
            Packet {
                key: KeyContext,
                status: IoStatus,
                information: IoStatusInformation,
                overlapped: ApcContext,
            },
        )
    });
    status(r.err().unwrap_or(NtStatus::SUCCESS))
}

/// NTSTATUS NtRemoveIoCompletion(HANDLE IoCompletionHandle, PULONG KeyContext, PVOID
/// *ApcContext, PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER Timeout): takes the oldest
/// packet, waiting for one for at most the timeout (NULL: for ever): STATUS_SUCCESS, or
/// STATUS_TIMEOUT. Needs IO_COMPLETION_MODIFY_STATE.
#[export]
pub fn NtRemoveIoCompletion(
    call: &mut ApiCall<'_>,
    IoCompletionHandle: Handle,
    KeyContext: Ptr,
    ApcContext: Ptr,
    IoStatusBlock: Ptr,
    Timeout: Ptr,
) -> ApiReturn {
    let r = (|| {
        let port = reference_port(
            call,
            IoCompletionHandle,
            AccessMask::IO_COMPLETION_MODIFY_STATE,
        )?;
        for (ptr, len) in [(KeyContext, 4), (ApcContext, 4), (IoStatusBlock, 8)] {
            call.probe_write(ptr.0, len)
                .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
        }
        let timeout = if Timeout.is_null() {
            None
        } else {
            Some(interval_of(call, read_i64(call, Timeout.0)?))
        };
        match remove(call, &port, timeout)? {
            Removal::Packet(p) => {
                let outs = [
                    (KeyContext.0, p.key),
                    (ApcContext.0, p.overlapped),
                    (IoStatusBlock.0, p.status),
                    (IoStatusBlock.0.wrapping_add(4), p.information),
                ];
                for (at, value) in outs {
                    call.write_u32(at, value)
                        .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
                }
                Ok(status(NtStatus::SUCCESS))
            }
            Removal::Timeout => Ok(status(NtStatus::TIMEOUT)),
            Removal::Wait(wait) => Ok(wait),
        }
    })();
    r.unwrap_or_else(status)
}

/// NTSTATUS NtQueryIoCompletion(HANDLE IoCompletionHandle, IO_COMPLETION_INFORMATION_CLASS
/// Class, PVOID Information, ULONG Length, PULONG ReturnLength):
/// IoCompletionBasicInformation (0), a LONG: the packets queued. Needs
/// IO_COMPLETION_QUERY_STATE.
#[export]
pub fn NtQueryIoCompletion(
    call: &mut ApiCall<'_>,
    IoCompletionHandle: Handle,
    InformationClass: u32,
    Information: Ptr,
    Length: u32,
    ReturnLength: Ptr,
) -> ApiReturn {
    if InformationClass != 0 {
        return status(NtStatus::INVALID_INFO_CLASS);
    }
    if Length != 4 {
        return status(NtStatus::INFO_LENGTH_MISMATCH);
    }
    let r = reference_port(
        call,
        IoCompletionHandle,
        AccessMask::IO_COMPLETION_QUERY_STATE,
    )
    .and_then(|port| {
        call.write_u32(Information.0, depth(&port) as u32)
            .and_then(|()| call.write_out_u32(ReturnLength.0, 4))
            .map_err(|_| NtStatus::ACCESS_VIOLATION)
    });
    status(r.err().unwrap_or(NtStatus::SUCCESS))
}
