//! Mailslots on the local machine: CreateMailslotA/W (the server end, `\\.\mailslot\NAME`),
//! CreateFile of that name (a client end), WriteFile on a client (one message per call),
//! ReadFile on the server (one whole message per call, waiting for one as long as the read
//! timeout says), GetMailslotInfo and SetMailslotInfo, as NT's mailslot file system (MSFS)
//! serves them.
//!
//! A mailslot is a queue of messages kept by its server's File object; clients hold it
//! weakly, so it goes with the server's last handle (a later write is lost, as a datagram
//! to a mailslot nobody reads). The server's readable event is signalled while a message is
//! queued; a reader that must wait is parked on it, and the mailslot remembers each waiting
//! thread's deadline so the retried read still times out when it should.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Weak};
use std::time::Duration;

use nt_object::{AccessMask, EventType, Handle, Object, ObjectType};
use nt_status::{NtStatus, Win32Error};
use parking_lot::Mutex;
use win32::{AnsiStr, ApiCall, ApiReturn, Ptr, WideStr, export};

use crate::{INVALID_HANDLE_VALUE, bad_pointer, inherit_from_security_attributes, insert};

/// MAILSLOT_WAIT_FOREVER.
const WAIT_FOREVER: u32 = 0xFFFF_FFFF;
/// MAILSLOT_NO_MESSAGE: GetMailslotInfo's next size when the queue is empty.
const NO_MESSAGE: u32 = 0xFFFF_FFFF;
/// STATUS_IO_TIMEOUT: a read's timeout passed with no message (ERROR_SEM_TIMEOUT).
const IO_TIMEOUT: Win32Error = Win32Error(121);
/// GENERIC_READ | SYNCHRONIZE: the server end's rights.
const SERVER_ACCESS: u32 = 0x8000_0000 | 0x0010_0000;

/// One mailslot.
pub(crate) struct Mailslot {
    /// The largest message (0: any size).
    max_message: u32,
    /// Signalled while a message is queued.
    readable: Arc<Object>,
    state: Mutex<SlotState>,
}

struct SlotState {
    messages: VecDeque<Vec<u8>>,
    /// Milliseconds a read waits for a message (MAILSLOT_WAIT_FOREVER: for ever).
    read_timeout: u32,
    /// Threads parked in a read, with the clock time their wait ends (None: never).
    waiters: Vec<(Weak<Object>, Option<u64>)>,
}

/// The payload of a mailslot's server File object.
pub(crate) struct MailslotServer(Arc<Mailslot>);

/// The payload of a client File object: the mailslot, while its server lives.
pub(crate) struct MailslotClient(Weak<Mailslot>);

/// The machine's mailslots, by upper-cased name.
#[derive(Default)]
struct Mailslots {
    slots: HashMap<String, Weak<Mailslot>>,
}

/// The name in `\\.\mailslot\NAME` (any case of `mailslot`), or None.
pub(crate) fn mailslot_name(path: &str) -> Option<&str> {
    let rest = path
        .strip_prefix("\\\\.\\")
        .or_else(|| path.strip_prefix("//./"))?;
    let (first, name) = rest.split_at_checked(9)?;
    (first[..8].eq_ignore_ascii_case("mailslot") && matches!(&first[8..], "\\" | "/"))
        .then_some(name)
        .filter(|n| !n.is_empty())
}

/// True for a File object of a mailslot (either end).
pub(crate) fn is_mailslot(object: &Object) -> bool {
    object.payload::<MailslotServer>().is_some() || object.payload::<MailslotClient>().is_some()
}

fn create_mailslot(
    call: &mut ApiCall<'_>,
    name: Option<&str>,
    max_message: u32,
    read_timeout: u32,
    sa: Ptr,
) -> ApiReturn {
    let Ok(inherit) = inherit_from_security_attributes(call, sa.0) else {
        return bad_pointer(call);
    };
    // No name at all fails where NT turns the name into a path.
    let Some(name) = name else {
        return call.fail_win32(Win32Error::PATH_NOT_FOUND, INVALID_HANDLE_VALUE);
    };
    let Some(slot) = mailslot_name(name) else {
        return call.fail_win32(Win32Error::INVALID_NAME, INVALID_HANDLE_VALUE);
    };
    let key = slot.to_uppercase();
    let registry = call.state.get::<Mailslots>();
    registry.slots.retain(|_, w| w.strong_count() > 0);
    if registry.slots.contains_key(&key) {
        return call.fail_with(NtStatus::OBJECT_NAME_COLLISION, INVALID_HANDLE_VALUE);
    }
    let objects = call.machine.objects().clone();
    let mailslot = Arc::new(Mailslot {
        max_message,
        readable: objects.create_event(EventType::Notification, false),
        state: Mutex::new(SlotState {
            messages: VecDeque::new(),
            read_timeout,
            waiters: Vec::new(),
        }),
    });
    let object = match objects.create_executive_object(
        ObjectType::File,
        Box::new(MailslotServer(Arc::clone(&mailslot))),
    ) {
        Ok(o) => o,
        Err(e) => return call.fail_with(e.status(), INVALID_HANDLE_VALUE),
    };
    match insert(call, &object, AccessMask(SERVER_ACCESS), inherit) {
        Ok(handle) => {
            call.state
                .get::<Mailslots>()
                .slots
                .insert(key, Arc::downgrade(&mailslot));
            // A success leaves the last error as it was.
            ApiReturn::Value(handle.0)
        }
        Err(e) => call.fail_with(e.status(), INVALID_HANDLE_VALUE),
    }
}

/// CreateMailslotA(lpName, nMaxMessageSize, lReadTimeout, lpSecurityAttributes): the
/// server end of `\\.\mailslot\NAME` (a name in use is ERROR_ALREADY_EXISTS).
#[export]
fn CreateMailslotA(
    call: &mut ApiCall<'_>,
    lpName: Option<AnsiStr>,
    nMaxMessageSize: u32,
    lReadTimeout: u32,
    lpSecurityAttributes: Ptr,
) -> ApiReturn {
    create_mailslot(
        call,
        lpName.as_deref(),
        nMaxMessageSize,
        lReadTimeout,
        lpSecurityAttributes,
    )
}

/// CreateMailslotW(lpName, nMaxMessageSize, lReadTimeout, lpSecurityAttributes).
#[export]
fn CreateMailslotW(
    call: &mut ApiCall<'_>,
    lpName: Option<WideStr>,
    nMaxMessageSize: u32,
    lReadTimeout: u32,
    lpSecurityAttributes: Ptr,
) -> ApiReturn {
    create_mailslot(
        call,
        lpName.as_deref(),
        nMaxMessageSize,
        lReadTimeout,
        lpSecurityAttributes,
    )
}

/// CreateFile of `\\.\mailslot\NAME`: a client end (ERROR_FILE_NOT_FOUND when no server
/// has that name).
pub(crate) fn open_client(
    call: &mut ApiCall<'_>,
    name: &str,
    access: u32,
    inherit: bool,
) -> ApiReturn {
    let key = name.to_uppercase();
    let Some(mailslot) = call
        .state
        .get::<Mailslots>()
        .slots
        .get(&key)
        .and_then(Weak::upgrade)
    else {
        return call.fail_with(NtStatus::OBJECT_NAME_NOT_FOUND, INVALID_HANDLE_VALUE);
    };
    let objects = call.machine.objects().clone();
    let object = match objects.create_executive_object(
        ObjectType::File,
        Box::new(MailslotClient(Arc::downgrade(&mailslot))),
    ) {
        Ok(o) => o,
        Err(e) => return call.fail_with(e.status(), INVALID_HANDLE_VALUE),
    };
    match insert(call, &object, AccessMask(access | 0x0010_0000), inherit) {
        Ok(handle) => {
            call.set_last_error(0);
            ApiReturn::Value(handle.0)
        }
        Err(e) => call.fail_with(e.status(), INVALID_HANDLE_VALUE),
    }
}

/// WriteFile on a mailslot end: a client queues `data` as one message; a server cannot
/// write (ERROR_ACCESS_DENIED), nor a message pass the mailslot's largest size
/// (ERROR_INVALID_PARAMETER).
pub(crate) fn write(object: &Object, data: &[u8]) -> Result<usize, Win32Error> {
    let Some(client) = object.payload::<MailslotClient>() else {
        return Err(Win32Error::ACCESS_DENIED);
    };
    let Some(mailslot) = client.0.upgrade() else {
        // Nobody reads the mailslot any more: the message is lost.
        return Ok(data.len());
    };
    if mailslot.max_message != 0 && data.len() > mailslot.max_message as usize {
        return Err(Win32Error::INVALID_PARAMETER);
    }
    mailslot.state.lock().messages.push_back(data.to_vec());
    let _ = mailslot.readable.set_event();
    Ok(data.len())
}

/// ReadFile on a mailslot end: the oldest message, whole (ERROR_INSUFFICIENT_BUFFER and the
/// message kept when the buffer is smaller), waiting for one as the read timeout says
/// (ERROR_SEM_TIMEOUT when it passes). A client cannot read (ERROR_ACCESS_DENIED).
pub(crate) fn read_file(
    call: &mut ApiCall<'_>,
    object: &Arc<Object>,
    buffer: u32,
    length: u32,
    read_ptr: u32,
) -> ApiReturn {
    let Some(server) = object.payload::<MailslotServer>() else {
        return call.fail_win32(Win32Error::ACCESS_DENIED, 0);
    };
    let mailslot = Arc::clone(&server.0);
    let me = call
        .process()
        .and_then(|p| p.thread(call.thread.thread))
        .map(|t| Arc::clone(t.object()));
    let now = call.machine.clock().now_ms();
    let message = {
        let mut s = mailslot.state.lock();
        s.waiters.retain(|(t, _)| t.strong_count() > 0);
        let mine = me.as_ref().and_then(|me| {
            s.waiters
                .iter()
                .position(|(t, _)| std::ptr::eq(t.as_ptr(), Arc::as_ptr(me)))
        });
        match s.messages.front() {
            Some(m) if m.len() > length as usize => {
                if let Some(i) = mine {
                    s.waiters.remove(i);
                }
                drop(s);
                return call.fail_win32(Win32Error::INSUFFICIENT_BUFFER, 0);
            }
            Some(_) => {
                if let Some(i) = mine {
                    s.waiters.remove(i);
                }
                s.messages.pop_front()
            }
            None => {
                let deadline = match mine {
                    Some(i) => s.waiters[i].1,
                    None if s.read_timeout == WAIT_FOREVER => None,
                    None => Some(now.saturating_add(u64::from(s.read_timeout))),
                };
                if deadline.is_some_and(|d| d <= now) || me.is_none() {
                    if let Some(i) = mine {
                        s.waiters.remove(i);
                    }
                    drop(s);
                    return call.fail_win32(IO_TIMEOUT, 0);
                }
                if mine.is_none()
                    && let Some(me) = &me
                {
                    s.waiters.push((Arc::downgrade(me), deadline));
                }
                return ApiReturn::Retry {
                    objects: vec![Arc::clone(&mailslot.readable)],
                    timeout: deadline.map(|d| Duration::from_millis(d - now)),
                };
            }
        }
    };
    let message = message.unwrap_or_default();
    if call.write_bytes(buffer, &message).is_err() {
        // The message stays for the next read.
        mailslot.state.lock().messages.push_front(message);
        return bad_pointer(call);
    }
    if mailslot.state.lock().messages.is_empty() {
        let _ = mailslot.readable.reset_event();
    }
    match call.write_out_u32(read_ptr, message.len() as u32) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => bad_pointer(call),
    }
}

/// The mailslot a server handle of the caller names.
fn server_of(call: &ApiCall<'_>, handle: Handle) -> Result<Arc<Mailslot>, NtStatus> {
    let object = call
        .reference(handle, AccessMask(0), Some(ObjectType::File))
        .map_err(|e| e.status())?;
    object
        .payload::<MailslotServer>()
        .map(|s| Arc::clone(&s.0))
        .ok_or(NtStatus::INVALID_PARAMETER)
}

/// GetMailslotInfo(hMailslot, lpMaxMessageSize, lpNextSize, lpMessageCount, lpReadTimeout):
/// any of the pointers may be NULL; the next size is MAILSLOT_NO_MESSAGE with none queued.
#[export]
fn GetMailslotInfo(
    call: &mut ApiCall<'_>,
    hMailslot: Handle,
    lpMaxMessageSize: Ptr,
    lpNextSize: Ptr,
    lpMessageCount: Ptr,
    lpReadTimeout: Ptr,
) -> ApiReturn {
    let mailslot = match server_of(call, hMailslot) {
        Ok(m) => m,
        Err(s) => return call.fail(s),
    };
    let (next, count, timeout) = {
        let s = mailslot.state.lock();
        (
            s.messages.front().map_or(NO_MESSAGE, |m| m.len() as u32),
            s.messages.len() as u32,
            s.read_timeout,
        )
    };
    let outs = [
        (lpMaxMessageSize, mailslot.max_message),
        (lpNextSize, next),
        (lpMessageCount, count),
        (lpReadTimeout, timeout),
    ];
    for (ptr, value) in outs {
        if call.write_out_u32(ptr.0, value).is_err() {
            return bad_pointer(call);
        }
    }
    ApiReturn::Value(1)
}

/// SetMailslotInfo(hMailslot, lReadTimeout): the read timeout of later reads.
#[export]
fn SetMailslotInfo(call: &mut ApiCall<'_>, hMailslot: Handle, lReadTimeout: u32) -> ApiReturn {
    match server_of(call, hMailslot) {
        Ok(m) => {
            m.state.lock().read_timeout = lReadTimeout;
            ApiReturn::Value(1)
        }
        Err(s) => call.fail(s),
    }
}
