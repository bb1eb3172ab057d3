//! Overlapped I/O, as NT's I/O manager completes it: OVERLAPPED structures with their
//! events, GetOverlappedResult, CancelIo, ReadFileEx and WriteFileEx completion routines, and
//! completion ports (CreateIoCompletionPort, GetQueuedCompletionStatus,
//! PostQueuedCompletionStatus) over NTDLL's port core.
//!
//! - What a File object has beyond its payload is kept here, by object: whether its handle
//!   was opened for overlapped I/O (FILE_FLAG_OVERLAPPED) and the completion port and key it
//!   is associated with (NT keeps both in the file object).
//! - An I/O that cannot complete at once on an overlapped handle (a pipe read with nothing
//!   to read, a connect with no client) is a pending request: OVERLAPPED.Internal holds
//!   STATUS_PENDING, its event is reset, and the call fails with ERROR_IO_PENDING. Whoever
//!   makes it completable (the writer at the other end of the pipe, the client that
//!   connects) completes it: the data lands in the issuer's buffer, Internal and
//!   InternalHigh get the status and byte count, the event is set, and then the completion
//!   routine is queued as a user APC to the issuing thread (ReadFileEx, WriteFileEx) or a
//!   packet goes to the file's completion port (unless the event handle's low bit is set).
//! - An I/O that completes at once with an OVERLAPPED given does the same, at once.
//! - CancelIo completes the calling thread's pending requests on the file with
//!   STATUS_CANCELLED (ERROR_OPERATION_ABORTED).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Weak};

use nt_kernel::{ClientId, Machine, UserApc};
use nt_memory::GuestMemory;
use nt_object::{AccessMask, Handle, Object, ObjectType};
use nt_status::{NtStatus, Win32Error};
use ntdll::iocp::{self, Packet, Removal};
use win32::{ApiCall, ApiReturn, Ptr, Win32State, export};

use crate::{INFINITE, INVALID_HANDLE_VALUE};

/// FILE_FLAG_OVERLAPPED.
pub const FILE_FLAG_OVERLAPPED: u32 = 0x4000_0000;
/// OVERLAPPED.Internal of an I/O in progress.
pub const STATUS_PENDING: u32 = NtStatus::PENDING.0;

/// OVERLAPPED field offsets.
const INTERNAL: u32 = 0;
const INTERNAL_HIGH: u32 = 4;
const OFFSET: u32 = 8;
const OFFSET_HIGH: u32 = 12;
const EVENT: u32 = 16;

/// What a File object has beyond its payload.
struct FileIo {
    file: Weak<Object>,
    overlapped: bool,
    port: Option<(Arc<Object>, u32)>,
}

/// What a pending request does when it completes, besides the OVERLAPPED.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    /// Nothing more (a write, a connect).
    Plain,
    /// A read into the issuer's `buffer` of at most `length` bytes.
    Read {
        /// The buffer's guest address.
        buffer: u32,
        /// Its length.
        length: u32,
    },
}

/// An I/O request in progress.
struct Request {
    issuer: ClientId,
    issuer_process: Weak<Object>,
    file: Weak<Object>,
    overlapped: u32,
    event: Option<Arc<Object>>,
    /// The raw hEvent (its low bit set: no completion packet).
    event_handle: u32,
    routine: Option<u32>,
    port: Option<(Arc<Object>, u32)>,
    op: Op,
}

/// The machine's overlapped-I/O state (one value in the layer's state).
#[derive(Default)]
pub(crate) struct IoState {
    files: HashMap<usize, FileIo>,
    pending: BTreeMap<u64, Request>,
    next: u64,
}

fn key(object: &Arc<Object>) -> usize {
    Arc::as_ptr(object) as usize
}

impl IoState {
    fn file(&self, object: &Arc<Object>) -> Option<&FileIo> {
        self.files
            .get(&key(object))
            .filter(|f| std::ptr::eq(f.file.as_ptr(), Arc::as_ptr(object)))
    }

    fn file_mut(&mut self, object: &Arc<Object>) -> &mut FileIo {
        let k = key(object);
        let fresh = !self
            .files
            .get(&k)
            .is_some_and(|f| std::ptr::eq(f.file.as_ptr(), Arc::as_ptr(object)));
        if fresh {
            if self.files.len() >= 64 && self.files.len().is_power_of_two() {
                self.files.retain(|_, f| f.file.strong_count() > 0);
            }
            self.files.insert(
                k,
                FileIo {
                    file: Arc::downgrade(object),
                    overlapped: false,
                    port: None,
                },
            );
        }
        match self.files.get_mut(&k) {
            Some(f) => f,
            None => unreachable!("inserted above"),
        }
    }

    /// True when the request is still pending.
    pub(crate) fn is_pending(&self, id: u64) -> bool {
        self.pending.contains_key(&id)
    }
}

fn io_state(state: &mut Win32State) -> &mut IoState {
    state.get::<IoState>()
}

/// Records how `object` (a File object just opened) was opened: `flags` are CreateFile's
/// dwFlagsAndAttributes (or CreateNamedPipe's open mode).
pub(crate) fn note_open(call: &mut ApiCall<'_>, object: &Arc<Object>, flags: u32) {
    if flags & FILE_FLAG_OVERLAPPED != 0 {
        io_state(call.state).file_mut(object).overlapped = true;
    }
}

/// [`note_open`] for a handle of the caller.
pub(crate) fn note_open_handle(call: &mut ApiCall<'_>, handle: Handle, flags: u32) {
    if flags & FILE_FLAG_OVERLAPPED != 0
        && let Ok(object) = call.reference(handle, AccessMask(0), Some(ObjectType::File))
    {
        note_open(call, &object, flags);
    }
}

/// True when `object` was opened for overlapped I/O.
pub(crate) fn is_overlapped(state: &Win32State, object: &Arc<Object>) -> bool {
    state
        .peek::<IoState>()
        .and_then(|s| s.file(object))
        .is_some_and(|f| f.overlapped)
}

/// What kernel32's ReadFile and WriteFile do first with an OVERLAPPED (0: none): Internal
/// becomes STATUS_PENDING, and stays so when the call fails at once.
pub(crate) fn mark_pending(call: &mut ApiCall<'_>, overlapped: u32) {
    if overlapped != 0 {
        let _ = call.write_u32(overlapped.wrapping_add(INTERNAL), STATUS_PENDING);
    }
}

/// Starts a pending request for the caller on `file`: OVERLAPPED.Internal becomes
/// STATUS_PENDING and its event is reset. Returns the request's id, or the status a bad
/// OVERLAPPED or event handle gives.
pub(crate) fn start(
    call: &mut ApiCall<'_>,
    file: &Arc<Object>,
    overlapped: u32,
    routine: Option<u32>,
    op: Op,
) -> Result<u64, NtStatus> {
    // ReadFileEx and WriteFileEx leave hEvent to the caller (NT passes no event).
    let (event, event_handle) = if routine.is_some() {
        (None, 0)
    } else {
        overlapped_event(call, overlapped)?
    };
    call.write_u32(overlapped.wrapping_add(INTERNAL), STATUS_PENDING)
        .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    if let Some(e) = &event {
        let _ = e.reset_event();
    }
    let process = call.process_object().ok_or(NtStatus::INVALID_HANDLE)?;
    let issuer = call.thread;
    let s = io_state(call.state);
    let port = s.file(file).and_then(|f| f.port.clone());
    let id = s.next;
    s.next += 1;
    s.pending.insert(
        id,
        Request {
            issuer,
            issuer_process: Arc::downgrade(&process),
            file: Arc::downgrade(file),
            overlapped,
            event,
            event_handle,
            routine,
            port,
            op,
        },
    );
    Ok(id)
}

/// The event an OVERLAPPED names (None for NULL) and its raw handle value; a handle that
/// names no event is STATUS_INVALID_HANDLE (or STATUS_OBJECT_TYPE_MISMATCH).
fn overlapped_event(
    call: &ApiCall<'_>,
    overlapped: u32,
) -> Result<(Option<Arc<Object>>, u32), NtStatus> {
    let raw = call
        .read_u32(overlapped.wrapping_add(EVENT))
        .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    if raw & !3 == 0 {
        return Ok((None, raw));
    }
    let event = call
        .reference(
            Handle(raw),
            AccessMask::EVENT_MODIFY_STATE,
            Some(ObjectType::Event),
        )
        .map_err(|e| e.status())?;
    Ok((Some(event), raw))
}

/// Completes the pending request `id` with `status` and `information` bytes; `data` (for a
/// read) is copied into the issuer's buffer first. False when the request was no longer
/// pending (cancelled).
pub(crate) fn complete(
    machine: &mut Machine,
    state: &mut Win32State,
    id: u64,
    status: NtStatus,
    information: u32,
    data: Option<&[u8]>,
) -> bool {
    let Some(request) = io_state(state).pending.remove(&id) else {
        return false;
    };
    let alive = machine.process(request.issuer.process).is_some_and(|p| {
        request
            .issuer_process
            .upgrade()
            .is_some_and(|o| Arc::ptr_eq(&o, p.object()))
    });
    if alive
        && let (Op::Read { buffer, .. }, Some(bytes)) = (request.op, data)
        && let Some(p) = machine.process_mut(request.issuer.process)
    {
        let _ = p.address_space_mut().write_bytes(buffer, bytes);
    }
    let file = request.file.upgrade();
    let mut delivery = request.into_parts();
    if !alive {
        // The issuer's process is gone: its memory and its APCs with it. The event and the
        // completion port (another process may hold them) still get the completion.
        delivery.alive = false;
        delivery.routine = None;
    }
    finish(machine, &delivery, file.as_deref(), status, information);
    true
}

/// What a completion delivers.
struct Delivery {
    issuer: ClientId,
    /// False when the issuer's process is gone (nothing is written to its memory).
    alive: bool,
    overlapped: u32,
    event: Option<Arc<Object>>,
    event_handle: u32,
    routine: Option<u32>,
    port: Option<(Arc<Object>, u32)>,
}

impl Request {
    fn into_parts(self) -> Delivery {
        Delivery {
            issuer: self.issuer,
            alive: true,
            overlapped: self.overlapped,
            event: self.event,
            event_handle: self.event_handle,
            routine: self.routine,
            port: self.port,
        }
    }
}

/// Writes the OVERLAPPED's status and count, sets its event (the file's own signal when it
/// names none, as NT sets FILE_OBJECT.Event), and queues the completion routine or the
/// port's packet.
fn finish(
    machine: &mut Machine,
    d: &Delivery,
    file: Option<&Object>,
    status: NtStatus,
    information: u32,
) {
    if d.alive
        && let Some(p) = machine.process_mut(d.issuer.process)
    {
        let space = p.address_space_mut();
        let _ = space.write_u32(d.overlapped.wrapping_add(INTERNAL), status.0);
        let _ = space.write_u32(d.overlapped.wrapping_add(INTERNAL_HIGH), information);
    }
    match (&d.event, file) {
        (Some(e), _) => {
            let _ = e.set_event();
        }
        (None, Some(f)) => {
            let _ = f.set_signal_state(true);
        }
        (None, None) => {}
    }
    if let Some(routine) = d.routine {
        // What BasepIoCompletion passes on: the Win32 error, the count, the OVERLAPPED.
        let apc = UserApc {
            routine,
            context: status.to_win32_error().0,
            argument1: information,
            argument2: d.overlapped,
        };
        let _ = machine.queue_user_apc(d.issuer, apc);
    } else if let Some((port, key)) = &d.port
        && d.event_handle & 1 == 0
    {
        let _ = iocp::post(
            port,
            Packet {
                key: *key,
                status: status.0,
                information,
                overlapped: d.overlapped,
            },
        );
    }
}

/// An I/O on `file` that completed at once with `status` and `information`, given the
/// OVERLAPPED `overlapped` (0: none) and completion routine `routine`: does what its
/// completion does (OVERLAPPED, event, routine or port packet).
pub(crate) fn complete_now(
    call: &mut ApiCall<'_>,
    file: &Arc<Object>,
    overlapped: u32,
    routine: Option<u32>,
    status: NtStatus,
    information: u32,
) {
    if overlapped == 0 {
        return;
    }
    let event = if routine.is_some() {
        Ok((None, 0))
    } else {
        overlapped_event(call, overlapped)
    };
    let Ok((event, event_handle)) = event else {
        let _ = call.write_u32(overlapped.wrapping_add(INTERNAL), status.0);
        let _ = call.write_u32(overlapped.wrapping_add(INTERNAL_HIGH), information);
        return;
    };
    let port = io_state(call.state).file(file).and_then(|f| f.port.clone());
    let d = Delivery {
        issuer: call.thread,
        alive: true,
        overlapped,
        event,
        event_handle,
        routine,
        port,
    };
    finish(call.machine, &d, Some(file), status, information);
}

/// The byte offset an OVERLAPPED gives (Offset, OffsetHigh).
fn offset_of(call: &ApiCall<'_>, overlapped: u32) -> Option<u64> {
    let lo = call.read_u32(overlapped.wrapping_add(OFFSET)).ok()?;
    let hi = call.read_u32(overlapped.wrapping_add(OFFSET_HIGH)).ok()?;
    Some((u64::from(hi) << 32) | u64::from(lo))
}

/// True when the request `id` is still pending and the thread that issued it has ended (NT
/// cancels a thread's I/O when it exits, IoCancelThreadIo).
pub(crate) fn issuer_gone(machine: &Machine, state: &Win32State, id: u64) -> bool {
    let Some(r) = state.peek::<IoState>().and_then(|s| s.pending.get(&id)) else {
        return false;
    };
    !machine.process(r.issuer.process).is_some_and(|p| {
        r.issuer_process
            .upgrade()
            .is_some_and(|o| Arc::ptr_eq(&o, p.object()))
            && p.thread(r.issuer.thread).is_some()
    })
}

/// The requests pending on `file` issued by `thread` (CancelIo's), oldest first.
fn pending_of(state: &mut Win32State, file: &Arc<Object>, thread: ClientId) -> Vec<u64> {
    io_state(state)
        .pending
        .iter()
        .filter(|(_, r)| r.issuer == thread && std::ptr::eq(r.file.as_ptr(), Arc::as_ptr(file)))
        .map(|(&id, _)| id)
        .collect()
}

/// BOOL CancelIo(HANDLE hFile): the calling thread's pending I/O on the file completes with
/// ERROR_OPERATION_ABORTED (its events set, its routines queued, its packets posted).
#[export]
fn CancelIo(call: &mut ApiCall<'_>, hFile: Handle) -> ApiReturn {
    let file = match call.reference(hFile, AccessMask(0), Some(ObjectType::File)) {
        Ok(f) => f,
        Err(e) => return call.fail(e.status()),
    };
    for id in pending_of(call.state, &file, call.thread) {
        complete(call.machine, call.state, id, NtStatus::CANCELLED, 0, None);
    }
    ApiReturn::Value(1)
}

/// GetOverlappedResult calls parked on their wait: (process, thread) -> the OVERLAPPED.
#[derive(Default)]
struct ResultWaits(std::collections::HashMap<(u32, u32), u32>);

/// BOOL GetOverlappedResult(HANDLE hFile, LPOVERLAPPED lpOverlapped, LPDWORD
/// lpNumberOfBytesTransferred, BOOL bWait): while the I/O is pending, waits for its event
/// (the file's object when it has none) with bWait, else ERROR_IO_INCOMPLETE; then the byte
/// count, and TRUE for a success status or FALSE with its error (ERROR_MORE_DATA for a
/// message cut short, ERROR_OPERATION_ABORTED for a cancelled one).
#[export]
fn GetOverlappedResult(
    call: &mut ApiCall<'_>,
    hFile: Handle,
    lpOverlapped: Ptr,
    lpNumberOfBytesTransferred: Ptr,
    bWait: bool,
) -> ApiReturn {
    let ovl = lpOverlapped.0;
    let Ok(internal) = call.read_u32(ovl.wrapping_add(INTERNAL)) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    // The same call run again after its wait: NT's GetOverlappedResult waits once and then
    // reports what the OVERLAPPED holds, even a status still pending.
    let me = (call.thread.process, call.thread.thread);
    let waited = call.state.get::<ResultWaits>().0.remove(&me) == Some(ovl);
    if internal == STATUS_PENDING && !waited {
        if !bWait {
            return call.fail_win32(Win32Error::IO_INCOMPLETE, 0);
        }
        let Ok(raw) = call.read_u32(ovl.wrapping_add(EVENT)) else {
            return call.fail(NtStatus::ACCESS_VIOLATION);
        };
        let wait_on = if raw & !3 != 0 { Handle(raw) } else { hFile };
        return match call.reference(wait_on, AccessMask::SYNCHRONIZE, None) {
            Ok(object) if object.is_waitable() => {
                call.state.get::<ResultWaits>().0.insert(me, ovl);
                ApiReturn::Retry {
                    objects: vec![object],
                    timeout: None,
                }
            }
            Ok(_) => call.fail(NtStatus::OBJECT_TYPE_MISMATCH),
            Err(e) => call.fail(e.status()),
        };
    }
    let Ok(count) = call.read_u32(ovl.wrapping_add(INTERNAL_HIGH)) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    if call.write_u32(lpNumberOfBytesTransferred.0, count).is_err() {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    let status = NtStatus(internal);
    if status.is_success() {
        ApiReturn::Value(1)
    } else {
        call.fail(status)
    }
}

/// HANDLE CreateIoCompletionPort(HANDLE FileHandle, HANDLE ExistingCompletionPort, ULONG_PTR
/// CompletionKey, DWORD NumberOfConcurrentThreads): a new port, or ExistingCompletionPort;
/// with a FileHandle the file (opened for overlapped I/O, not associated yet) is associated
/// with the port and the key, so its completed I/O posts packets there. A file that is not
/// overlapped or already has a port is ERROR_INVALID_PARAMETER (the new port is closed);
/// INVALID_HANDLE_VALUE with an existing port is ERROR_INVALID_PARAMETER.
#[export]
fn CreateIoCompletionPort(
    call: &mut ApiCall<'_>,
    FileHandle: Handle,
    ExistingCompletionPort: Handle,
    CompletionKey: u32,
    NumberOfConcurrentThreads: u32,
) -> ApiReturn {
    let _ = NumberOfConcurrentThreads;
    let no_file = FileHandle.0 == INVALID_HANDLE_VALUE;
    if no_file && ExistingCompletionPort != Handle::NULL {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    let (port, handle, made) = if ExistingCompletionPort == Handle::NULL {
        let objects = call.machine.objects().clone();
        let made = iocp::create_port(&objects).and_then(|port| {
            crate::insert(call, &port, AccessMask::IO_COMPLETION_ALL_ACCESS, false)
                .map(|h| (port, h))
        });
        match made {
            Ok((port, h)) => (port, h, true),
            Err(e) => return call.fail(e.status()),
        }
    } else {
        match iocp::reference_port(
            call,
            ExistingCompletionPort,
            AccessMask::IO_COMPLETION_MODIFY_STATE,
        ) {
            Ok(port) => (port, ExistingCompletionPort, false),
            Err(status) => return call.fail(status),
        }
    };
    if !no_file {
        let associated = call
            .reference(FileHandle, AccessMask(0), Some(ObjectType::File))
            .map_err(|e| e.status())
            .and_then(|file| {
                let s = io_state(call.state);
                let f = s.file_mut(&file);
                if !f.overlapped || f.port.is_some() {
                    return Err(NtStatus::INVALID_PARAMETER);
                }
                f.port = Some((Arc::clone(&port), CompletionKey));
                Ok(())
            });
        if let Err(status) = associated {
            if made {
                let _ = call.close_handle(handle);
            }
            return call.fail(status);
        }
    }
    ApiReturn::Value(handle.0)
}

/// BOOL GetQueuedCompletionStatus(HANDLE CompletionPort, LPDWORD lpNumberOfBytesTransferred,
/// PULONG_PTR lpCompletionKey, LPOVERLAPPED *lpOverlapped, DWORD dwMilliseconds): the oldest
/// packet (waiting for one at most dwMilliseconds): TRUE for a successful I/O; FALSE with
/// its error and *lpOverlapped set for a failed one; FALSE with WAIT_TIMEOUT and
/// *lpOverlapped NULL when none came.
#[export]
fn GetQueuedCompletionStatus(
    call: &mut ApiCall<'_>,
    CompletionPort: Handle,
    lpNumberOfBytesTransferred: Ptr,
    lpCompletionKey: Ptr,
    lpOverlapped: Ptr,
    dwMilliseconds: u32,
) -> ApiReturn {
    let port =
        match iocp::reference_port(call, CompletionPort, AccessMask::IO_COMPLETION_MODIFY_STATE) {
            Ok(p) => p,
            Err(status) => return call.fail(status),
        };
    for out in [lpNumberOfBytesTransferred, lpCompletionKey, lpOverlapped] {
        if call.probe_write(out.0, 4).is_err() {
            return call.fail(NtStatus::ACCESS_VIOLATION);
        }
    }
    let timeout = (dwMilliseconds != INFINITE)
        .then(|| std::time::Duration::from_millis(u64::from(dwMilliseconds)));
    match iocp::remove(call, &port, timeout) {
        Ok(Removal::Packet(p)) => {
            let outs = [
                (lpNumberOfBytesTransferred.0, p.information),
                (lpCompletionKey.0, p.key),
                (lpOverlapped.0, p.overlapped),
            ];
            for (at, value) in outs {
                if call.write_u32(at, value).is_err() {
                    return call.fail(NtStatus::ACCESS_VIOLATION);
                }
            }
            let status = NtStatus(p.status);
            if status.is_success() {
                ApiReturn::Value(1)
            } else {
                call.fail(status)
            }
        }
        Ok(Removal::Timeout) => {
            let _ = call.write_u32(lpOverlapped.0, 0);
            call.fail_win32(Win32Error::WAIT_TIMEOUT, 0)
        }
        Ok(Removal::Wait(wait)) => wait,
        Err(status) => call.fail(status),
    }
}

/// BOOL PostQueuedCompletionStatus(HANDLE CompletionPort, DWORD dwNumberOfBytesTransferred,
/// ULONG_PTR dwCompletionKey, LPOVERLAPPED lpOverlapped): queues a packet of a successful
/// I/O.
#[export]
fn PostQueuedCompletionStatus(
    call: &mut ApiCall<'_>,
    CompletionPort: Handle,
    dwNumberOfBytesTransferred: u32,
    dwCompletionKey: u32,
    lpOverlapped: Ptr,
) -> ApiReturn {
    let r = iocp::reference_port(call, CompletionPort, AccessMask::IO_COMPLETION_MODIFY_STATE)
        .and_then(|port| {
            iocp::post(
                &port,
                Packet {
                    key: dwCompletionKey,
                    status: NtStatus::SUCCESS.0,
                    information: dwNumberOfBytesTransferred,
                    overlapped: lpOverlapped.0,
                },
            )
        });
    match r {
        Ok(()) => ApiReturn::Value(1),
        Err(status) => call.fail(status),
    }
}

/// READ rights of ReadFileEx (FILE_READ_DATA) and WRITE rights of WriteFileEx
/// (FILE_WRITE_DATA | FILE_APPEND_DATA).
const FILE_READ_DATA: u32 = 0x1;
const FILE_WRITE_RIGHTS: u32 = 0x2 | 0x4;

/// The File object a handle names and the rights it grants, needing one of `rights`.
fn file_with(
    call: &ApiCall<'_>,
    handle: Handle,
    rights: u32,
) -> Result<(Arc<Object>, u32), NtStatus> {
    let object = call
        .reference(handle, AccessMask(0), Some(ObjectType::File))
        .map_err(|e| e.status())?;
    let granted = call.granted_access(handle).map_err(|e| e.status())?.0;
    if granted & rights == 0 {
        return Err(NtStatus::ACCESS_DENIED);
    }
    Ok((object, granted))
}

/// What ReadFileEx and WriteFileEx return for what the pipe or file code returned: a
/// pending I/O and a message cut short are queued I/O (TRUE), as NT_ERROR tells them apart.
fn queued(call: &mut ApiCall<'_>, r: ApiReturn) -> ApiReturn {
    match r {
        ApiReturn::Value(0)
            if call.last_error() == Win32Error::IO_PENDING.0
                || call.last_error() == Win32Error::MORE_DATA.0 =>
        {
            ApiReturn::Value(1)
        }
        other => other,
    }
}

/// BOOL ReadFileEx(HANDLE hFile, LPVOID lpBuffer, DWORD nNumberOfBytesToRead, LPOVERLAPPED
/// lpOverlapped, LPOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine): starts a read whose
/// completion runs `lpCompletionRoutine(dwErrorCode, dwNumberOfBytesTransfered,
/// lpOverlapped)` as a user APC at the thread's next alertable wait. A disk file is read at
/// the OVERLAPPED's offset at once; a read at the end of the file fails with
/// ERROR_HANDLE_EOF and queues nothing.
#[export]
fn ReadFileEx(
    call: &mut ApiCall<'_>,
    hFile: Handle,
    lpBuffer: Ptr,
    nNumberOfBytesToRead: u32,
    lpOverlapped: Ptr,
    lpCompletionRoutine: Ptr,
) -> ApiReturn {
    let (ovl, routine) = (lpOverlapped.0, Some(lpCompletionRoutine.0));
    if ovl == 0 {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    let (object, _) = match file_with(call, hFile, FILE_READ_DATA) {
        Ok(f) => f,
        Err(status) => return call.fail(status),
    };
    if let Some(end) = object.payload::<crate::pipe::PipeEnd>() {
        let r = if end.named().is_some() {
            crate::namedpipe::read(
                call,
                &object,
                lpBuffer.0,
                nNumberOfBytesToRead,
                0,
                ovl,
                routine,
            )
        } else {
            // An anonymous pipe is synchronous: the read completes (waiting if need be),
            // then its routine is queued.
            match crate::pipe::read_file(
                call,
                hFile,
                &object,
                lpBuffer.0,
                nNumberOfBytesToRead,
                0,
                ovl,
            ) {
                ApiReturn::Value(1) => {
                    let count = call.read_u32(ovl.wrapping_add(INTERNAL_HIGH)).unwrap_or(0);
                    complete_now(call, &object, ovl, routine, NtStatus::SUCCESS, count);
                    ApiReturn::Value(1)
                }
                other => other,
            }
        };
        return queued(call, r);
    }
    let offset = offset_of(call, ovl).unwrap_or(0);
    let mut buf = vec![0u8; nNumberOfBytesToRead.min(crate::COPY_CHUNK as u32 * 256) as usize];
    match crate::file::read_object(&object, &mut buf, Some(offset)) {
        Ok(0) if nNumberOfBytesToRead > 0 => call.fail(NtStatus::END_OF_FILE),
        Ok(n) => {
            if call.write_bytes(lpBuffer.0, &buf[..n]).is_err() {
                return call.fail(NtStatus::ACCESS_VIOLATION);
            }
            complete_now(call, &object, ovl, routine, NtStatus::SUCCESS, n as u32);
            ApiReturn::Value(1)
        }
        Err(e) => call.fail_win32(e, 0),
    }
}

/// BOOL WriteFileEx(HANDLE hFile, LPCVOID lpBuffer, DWORD nNumberOfBytesToWrite,
/// LPOVERLAPPED lpOverlapped, LPOVERLAPPED_COMPLETION_ROUTINE lpCompletionRoutine): starts a
/// write whose completion runs the routine as a user APC (see ReadFileEx); a disk file is
/// written at the OVERLAPPED's offset at once.
#[export]
fn WriteFileEx(
    call: &mut ApiCall<'_>,
    hFile: Handle,
    lpBuffer: Ptr,
    nNumberOfBytesToWrite: u32,
    lpOverlapped: Ptr,
    lpCompletionRoutine: Ptr,
) -> ApiReturn {
    let (ovl, routine) = (lpOverlapped.0, Some(lpCompletionRoutine.0));
    if ovl == 0 {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    let (object, granted) = match file_with(call, hFile, FILE_WRITE_RIGHTS) {
        Ok(f) => f,
        Err(status) => return call.fail(status),
    };
    if let Some(end) = object.payload::<crate::pipe::PipeEnd>() {
        let r = if end.named().is_some() {
            crate::namedpipe::write(
                call,
                &object,
                lpBuffer.0,
                nNumberOfBytesToWrite,
                0,
                ovl,
                routine,
                true,
            )
        } else {
            match crate::pipe::write_file(
                call,
                hFile,
                &object,
                lpBuffer.0,
                nNumberOfBytesToWrite,
                0,
                0,
            ) {
                ApiReturn::Value(1) => {
                    complete_now(
                        call,
                        &object,
                        ovl,
                        routine,
                        NtStatus::SUCCESS,
                        nNumberOfBytesToWrite,
                    );
                    ApiReturn::Value(1)
                }
                other => other,
            }
        };
        return queued(call, r);
    }
    let Ok(data) = call.read_bytes(lpBuffer.0, nNumberOfBytesToWrite as usize) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let offset = offset_of(call, ovl);
    let written = if let Some(disk) = object.payload::<crate::file::DiskFile>() {
        crate::file::disk_write(disk, granted, &data, offset)
    } else if object.payload::<crate::file::NullDevice>().is_some() {
        Ok(data.len())
    } else {
        Err(Win32Error::INVALID_HANDLE)
    };
    match written {
        Ok(n) => {
            complete_now(call, &object, ovl, routine, NtStatus::SUCCESS, n as u32);
            ApiReturn::Value(1)
        }
        Err(e) => call.fail_win32(e, 0),
    }
}
