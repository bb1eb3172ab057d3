//! Anonymous pipes: CreatePipe, PeekNamedPipe, and the pipe side of ReadFile, WriteFile and
//! FlushFileBuffers, with the semantics NT 4.0's named-pipe file system gives the two ends
//! CreatePipe makes (an inbound byte-mode pipe: its server end reads, its client end writes).
//!
//! - Each end is a File object whose payload is a [`PipeEnd`]; handles to it (CreatePipe's,
//!   DuplicateHandle's, a child's inherited ones) all keep that end open, and when the object
//!   goes — its last handle closed in every process, by CloseHandle or process exit — the end
//!   closes, as NT's cleanup of the end's file object does.
//! - The pipe holds a queue of bytes and a quota (CreatePipe's nSize, 4096 when 0). A write
//!   queues all its bytes at once and completes when what is queued up to its end fits in the
//!   quota; until then the writer waits (NT keeps such a write's IRP pending on its queue
//!   entry). A read takes what is queued, up to its length (a short read), and waits while
//!   the queue is empty and the write end is open.
//! - With the write end closed a read drains the queue, then fails with ERROR_BROKEN_PIPE
//!   (STATUS_PIPE_BROKEN); with the read end closed a write fails with ERROR_NO_DATA
//!   (STATUS_PIPE_CLOSING) and a waiting write with ERROR_BROKEN_PIPE.
//!
//! Waiting is the scheduler's: a call that must wait returns [`ApiReturn::Retry`] on an event
//! the pipe signals when the call can go on, so the guest thread is parked, never the host.

use std::collections::VecDeque;
use std::sync::{Arc, Weak};

use nt_object::{AccessMask, EventType, Handle, Object, ObjectError, ObjectManager, ObjectType};
use nt_status::{NtStatus, Win32Error};
use parking_lot::Mutex;
use win32::{ApiCall, ApiReturn, Ptr, export};

use crate::namedpipe::{self, NamedEnd};
use crate::{COPY_CHUNK, HostFile, bad_pointer, inherit_from_security_attributes, insert};

/// The quota CreatePipe gives a pipe when nSize is 0, in bytes.
pub const DEFAULT_PIPE_SIZE: u32 = 4096;

/// FILE_READ_DATA: ReadFile's and PeekNamedPipe's right.
const FILE_READ_DATA: u32 = 0x1;
/// FILE_WRITE_DATA | FILE_APPEND_DATA: WriteFile's and FlushFileBuffers's rights.
const FILE_WRITE_RIGHTS: u32 = 0x2 | 0x4;

/// The read end's access: GENERIC_READ | SYNCHRONIZE | FILE_WRITE_ATTRIBUTES, as NT's
/// CreatePipe opens it.
const READ_END_ACCESS: AccessMask = AccessMask(0x8000_0000 | 0x0010_0000 | 0x100);
/// The write end's access: GENERIC_WRITE | SYNCHRONIZE | FILE_READ_ATTRIBUTES.
const WRITE_END_ACCESS: AccessMask = AccessMask(0x4000_0000 | 0x0010_0000 | 0x80);

/// Which end of a pipe a File object is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PipeEndKind {
    /// The end ReadFile reads (NT: the server end).
    Read,
    /// The end WriteFile writes (NT: the client end).
    Write,
}

/// The payload of a File object that is one end of a pipe: an anonymous pipe's (CreatePipe)
/// or a named pipe's (namedpipe.rs). When the object goes, that end of the pipe closes.
pub struct PipeEnd(EndInner);

enum EndInner {
    Anonymous(AnonymousEnd),
    Named(NamedEnd),
}

/// One end of an anonymous pipe.
struct AnonymousEnd {
    pipe: Arc<Pipe>,
    kind: PipeEndKind,
    /// PIPE_NOWAIT (SetNamedPipeHandleState): an empty pipe's read is ERROR_NO_DATA.
    nowait: std::sync::atomic::AtomicBool,
}

impl PipeEnd {
    /// The end's name in the named-pipe file system, as FILE_NAME_INFORMATION gives it
    /// (`\Win32Pipes.00000010.00000001` for an anonymous pipe's).
    pub(crate) fn file_name(&self) -> String {
        match &self.0 {
            EndInner::Anonymous(end) => format!("\\{}", end.pipe.name),
            EndInner::Named(end) => format!("\\{}", end.pipe_key()),
        }
    }

    /// The payload of a named pipe's end.
    pub(crate) fn from_named(end: NamedEnd) -> Self {
        PipeEnd(EndInner::Named(end))
    }

    /// The named pipe's end, if this is one.
    pub(crate) fn named(&self) -> Option<&NamedEnd> {
        match &self.0 {
            EndInner::Named(end) => Some(end),
            EndInner::Anonymous(_) => None,
        }
    }

    fn anonymous(&self) -> Option<&AnonymousEnd> {
        match &self.0 {
            EndInner::Anonymous(end) => Some(end),
            EndInner::Named(_) => None,
        }
    }

    /// An anonymous end's GetNamedPipeInfo facts: whether it is the read (server) end, the
    /// pipe's quota, and whether it is in PIPE_NOWAIT mode.
    pub(crate) fn anonymous_info(&self) -> Option<(bool, u32, bool)> {
        let end = self.anonymous()?;
        let quota = end.pipe.state.lock().quota as u32;
        Some((
            end.kind == PipeEndKind::Read,
            quota,
            end.nowait.load(std::sync::atomic::Ordering::Relaxed),
        ))
    }

    /// SetNamedPipeHandleState on an anonymous end: byte read mode only (message read mode
    /// is ERROR_INVALID_PARAMETER), blocking or PIPE_NOWAIT.
    pub(crate) fn set_anonymous_mode(&self, mode: u32) -> Result<(), NtStatus> {
        let end = self.anonymous().ok_or(NtStatus::INVALID_HANDLE)?;
        if mode & !1 != 0 {
            return Err(NtStatus::INVALID_PARAMETER);
        }
        end.nowait
            .store(mode & 1 != 0, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// Which end of an anonymous pipe this is; None for a named pipe's end.
    pub fn kind(&self) -> Option<PipeEndKind> {
        self.anonymous().map(|e| e.kind)
    }

    /// How many bytes are queued for this end to read (an anonymous pipe's write end: what
    /// its reader has not read yet).
    pub fn bytes_available(&self) -> usize {
        match &self.0 {
            EndInner::Anonymous(end) => end.pipe.state.lock().data.len(),
            EndInner::Named(end) => end.bytes_available(),
        }
    }
}

impl std::fmt::Debug for PipeEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            EndInner::Anonymous(end) => write!(f, "PipeEnd({:?})", end.kind),
            EndInner::Named(end) => write!(f, "PipeEnd({end:?})"),
        }
    }
}

impl Drop for AnonymousEnd {
    fn drop(&mut self) {
        self.pipe.close(self.kind);
    }
}

/// One anonymous pipe: its queue and the event readers wait on.
struct Pipe {
    /// The name NT gives it in the named-pipe file system.
    name: String,
    state: Mutex<PipeState>,
    /// Signalled while a read would not wait: bytes are queued, or the write end is closed.
    readable: Arc<Object>,
}

struct PipeState {
    /// The bytes written and not yet read, oldest first.
    data: VecDeque<u8>,
    /// The buffer quota in bytes.
    quota: u64,
    /// How many bytes have ever been read.
    consumed: u64,
    /// How many bytes have ever been written (the queue's end).
    produced: u64,
    read_open: bool,
    write_open: bool,
    /// Writes (and flushes) waiting for the reader, oldest first.
    waiters: Vec<Waiter>,
}

/// A write or flush that waits until what is queued up to `end` is within `limit` bytes of
/// what has been read (a write: within the quota; a flush: all read).
struct Waiter {
    /// The waiting thread (its object: thread ids are reused, objects are not).
    thread: Weak<Object>,
    end: u64,
    limit: u64,
    /// What the call returns in *lpNumberOfBytesWritten when it completes.
    written: u32,
    /// Signalled when the call can complete.
    event: Arc<Object>,
    /// Set when the call has completed: its byte count, or its failure.
    outcome: Option<Result<u32, NtStatus>>,
}

impl Pipe {
    /// Brings the readers' event and the waiting writers up to date with the state.
    fn update(&self, s: &mut PipeState) {
        let _ = if !s.data.is_empty() || !s.write_open {
            self.readable.set_event()
        } else {
            self.readable.reset_event()
        };
        let (consumed, read_open) = (s.consumed, s.read_open);
        for w in s.waiters.iter_mut().filter(|w| w.outcome.is_none()) {
            let outcome = if !read_open {
                Err(NtStatus::PIPE_BROKEN)
            } else if w.end.saturating_sub(consumed) <= w.limit {
                Ok(w.written)
            } else {
                continue;
            };
            w.outcome = Some(outcome);
            let _ = w.event.set_event();
        }
    }

    /// Closes one end (its File object went).
    fn close(&self, kind: PipeEndKind) {
        let mut s = self.state.lock();
        match kind {
            PipeEndKind::Read => {
                s.read_open = false;
                // Nobody can read what is queued any more.
                s.data.clear();
            }
            PipeEndKind::Write => s.write_open = false,
        }
        self.update(&mut s);
    }
}

/// Makes a pipe with a quota of `quota` bytes: its read end's and write end's File objects.
pub fn create_pipe(
    objects: &ObjectManager,
    quota: u32,
) -> Result<(Arc<Object>, Arc<Object>), ObjectError> {
    create_pipe_of(objects, quota, 0)
}

/// The serial number of the last anonymous pipe made (NT's BaseAnonymousPipeSerialNumber).
static PIPE_SERIAL: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// [`create_pipe`] for process `creator`: NT 4.0's CreatePipe makes a named pipe called
/// `Win32Pipes.<creator's id>.<serial number>` (eight hex digits each), the name its ends'
/// file objects report.
pub(crate) fn create_pipe_of(
    objects: &ObjectManager,
    quota: u32,
    creator: u32,
) -> Result<(Arc<Object>, Arc<Object>), ObjectError> {
    let serial = PIPE_SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
    let pipe = Arc::new(Pipe {
        name: format!("Win32Pipes.{creator:08x}.{serial:08x}"),
        state: Mutex::new(PipeState {
            data: VecDeque::new(),
            quota: u64::from(quota),
            consumed: 0,
            produced: 0,
            read_open: true,
            write_open: true,
            waiters: Vec::new(),
        }),
        readable: objects.create_event(EventType::Notification, false),
    });
    let read = objects.create_executive_object(
        ObjectType::File,
        Box::new(PipeEnd(EndInner::Anonymous(AnonymousEnd {
            pipe: Arc::clone(&pipe),
            kind: PipeEndKind::Read,
            nowait: Default::default(),
        }))),
    )?;
    let write = objects.create_executive_object(
        ObjectType::File,
        Box::new(PipeEnd(EndInner::Anonymous(AnonymousEnd {
            pipe,
            kind: PipeEndKind::Write,
            nowait: Default::default(),
        }))),
    )?;
    Ok((read, write))
}

/// BOOL CreatePipe(PHANDLE hReadPipe, PHANDLE hWritePipe, LPSECURITY_ATTRIBUTES
/// lpPipeAttributes, DWORD nSize): an anonymous pipe of nSize bytes (4096 when 0); the read
/// end's handle, then the write end's, both inheritable when the attributes' bInheritHandle
/// says so. Bad out-pointers are ERROR_NOACCESS, with nothing made.
#[export]
fn CreatePipe(
    call: &mut ApiCall<'_>,
    hReadPipe: Ptr,
    hWritePipe: Ptr,
    lpPipeAttributes: Ptr,
    nSize: u32,
) -> ApiReturn {
    let Ok(inherit) = inherit_from_security_attributes(call, lpPipeAttributes.0) else {
        return bad_pointer(call);
    };
    if call.probe_write(hReadPipe.0, 4).is_err() || call.probe_write(hWritePipe.0, 4).is_err() {
        return bad_pointer(call);
    }
    let quota = if nSize == 0 { DEFAULT_PIPE_SIZE } else { nSize };
    let objects = call.machine.objects().clone();
    let (read, write) = match create_pipe_of(&objects, quota, call.thread.process) {
        Ok(ends) => ends,
        Err(e) => return call.fail(e.status()),
    };
    let read_handle = match insert(call, &read, READ_END_ACCESS, inherit) {
        Ok(h) => h,
        Err(e) => return call.fail(e.status()),
    };
    let write_handle = match insert(call, &write, WRITE_END_ACCESS, inherit) {
        Ok(h) => h,
        Err(e) => {
            let _ = call.close_handle(read_handle);
            return call.fail(e.status());
        }
    };
    if call.write_u32(hReadPipe.0, read_handle.0).is_err()
        || call.write_u32(hWritePipe.0, write_handle.0).is_err()
    {
        let _ = call.close_handle(read_handle);
        let _ = call.close_handle(write_handle);
        return bad_pointer(call);
    }
    ApiReturn::Value(1)
}

/// The pipe end a handle names, if it names one.
pub(crate) fn pipe_end_object(call: &ApiCall<'_>, handle: Handle) -> Option<Arc<Object>> {
    call.reference(handle, AccessMask(0), Some(ObjectType::File))
        .ok()
        .filter(|o| o.payload::<PipeEnd>().is_some())
}

/// Checks that `handle` grants one of `rights`: else STATUS_ACCESS_DENIED.
fn check_access(call: &ApiCall<'_>, handle: Handle, rights: u32) -> Result<(), NtStatus> {
    let granted = call.granted_access(handle).map_err(|e| e.status())?;
    if granted.0 & rights == 0 {
        return Err(NtStatus::ACCESS_DENIED);
    }
    Ok(())
}

/// The calling thread's object.
fn current_thread(call: &ApiCall<'_>) -> Option<Arc<Object>> {
    call.process()
        .and_then(|p| p.thread(call.thread.thread))
        .map(|t| Arc::clone(t.object()))
}

/// Fills the OVERLAPPED a synchronous call was given: Internal (the status) and
/// InternalHigh (the byte count).
fn finish_overlapped(call: &mut ApiCall<'_>, ovl: u32, count: u32) {
    if ovl != 0 {
        let _ = call.write_u32(ovl, 0);
        let _ = call.write_u32(ovl.wrapping_add(4), count);
    }
}

/// Probes `length` bytes at `buffer` for writing, in bounded chunks.
fn probe_buffer(call: &mut ApiCall<'_>, buffer: u32, length: u32) -> Result<(), NtStatus> {
    for at in (0..length).step_by(COPY_CHUNK) {
        let len = (length - at).min(COPY_CHUNK as u32) as usize;
        call.probe_write(buffer.wrapping_add(at), len)
            .map_err(|_| NtStatus::ACCESS_VIOLATION)?;
    }
    Ok(())
}

/// ReadFile on a pipe end: what is queued, up to `length` bytes; waits while the pipe is
/// empty and its write end open; ERROR_BROKEN_PIPE once it is empty with the write end
/// closed. `*lpNumberOfBytesRead` has been zeroed by the caller.
pub(crate) fn read_file(
    call: &mut ApiCall<'_>,
    handle: Handle,
    object: &Arc<Object>,
    buffer: u32,
    length: u32,
    read_ptr: u32,
    ovl: u32,
) -> ApiReturn {
    let Some(end) = object.payload::<PipeEnd>() else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    if let Err(status) = check_access(call, handle, FILE_READ_DATA) {
        return call.fail(status);
    }
    let end = match &end.0 {
        EndInner::Named(_) => {
            return namedpipe::read(call, object, buffer, length, read_ptr, ovl, None);
        }
        EndInner::Anonymous(end) => end,
    };
    if end.kind != PipeEndKind::Read {
        // The write end of an inbound pipe has nothing to read.
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    if let Err(status) = probe_buffer(call, buffer, length) {
        return call.fail(status);
    }
    let pipe = &end.pipe;
    let bytes: Vec<u8> = {
        let s = pipe.state.lock();
        if s.data.is_empty() {
            if !s.write_open {
                drop(s);
                return call.fail(NtStatus::PIPE_BROKEN);
            }
            drop(s);
            if end.nowait.load(std::sync::atomic::Ordering::Relaxed) {
                return call.fail(NtStatus::PIPE_EMPTY);
            }
            return ApiReturn::Retry {
                objects: vec![Arc::clone(&pipe.readable)],
                timeout: None,
            };
        }
        s.data.iter().take(length as usize).copied().collect()
    };
    // Into the guest's buffer first: a fault there leaves the bytes queued.
    for (i, chunk) in bytes.chunks(COPY_CHUNK).enumerate() {
        let at = buffer.wrapping_add((i * COPY_CHUNK) as u32);
        if call.write_bytes(at, chunk).is_err() {
            return bad_pointer(call);
        }
    }
    {
        let mut s = pipe.state.lock();
        let n = bytes.len().min(s.data.len());
        s.data.drain(..n);
        s.consumed += n as u64;
        pipe.update(&mut s);
    }
    let count = bytes.len() as u32;
    finish_overlapped(call, ovl, count);
    match call.write_out_u32(read_ptr, count) {
        Ok(()) => ApiReturn::Value(1),
        Err(_) => bad_pointer(call),
    }
}

/// What a write or flush that may wait found when it came (back) to the pipe.
enum Pending {
    /// The call has not started yet.
    None,
    /// It is still waiting, on this event.
    Waiting(Arc<Object>),
    /// It completed.
    Done(Result<u32, NtStatus>),
}

/// The state of the calling thread's waiting write or flush on `pipe`, taking it off the
/// list once completed; also forgets waiters whose thread has ended.
fn pending_call(pipe: &Pipe, thread: &Arc<Object>) -> Pending {
    let mut s = pipe.state.lock();
    s.waiters.retain(|w| w.thread.strong_count() > 0);
    let Some(i) = s
        .waiters
        .iter()
        .position(|w| std::ptr::eq(w.thread.as_ptr(), Arc::as_ptr(thread)))
    else {
        return Pending::None;
    };
    match s.waiters[i].outcome {
        Some(outcome) => {
            s.waiters.remove(i);
            Pending::Done(outcome)
        }
        None => Pending::Waiting(Arc::clone(&s.waiters[i].event)),
    }
}

/// Queues `data` on the pipe (its end is at `produced`) and completes the write when it fits
/// in the quota; otherwise registers the calling thread as waiting, with the count it will
/// return.
fn queue(
    call: &ApiCall<'_>,
    pipe: &Pipe,
    thread: &Arc<Object>,
    data: &[u8],
    limit: Option<u64>,
) -> Result<Result<u32, Arc<Object>>, NtStatus> {
    let mut s = pipe.state.lock();
    if !s.read_open {
        return Err(NtStatus::PIPE_CLOSING);
    }
    s.data.extend(data.iter().copied());
    s.produced += data.len() as u64;
    let limit = limit.unwrap_or(s.quota);
    let end = s.produced;
    let written = data.len() as u32;
    if end - s.consumed <= limit {
        pipe.update(&mut s);
        return Ok(Ok(written));
    }
    let event = call
        .machine
        .objects()
        .create_event(EventType::Notification, false);
    s.waiters.push(Waiter {
        thread: Arc::downgrade(thread),
        end,
        limit,
        written,
        event: Arc::clone(&event),
        outcome: None,
    });
    pipe.update(&mut s);
    Ok(Err(event))
}

/// Completes a WriteFile or FlushFileBuffers on a pipe: the count, or the failure.
fn complete_write(
    call: &mut ApiCall<'_>,
    result: Result<u32, NtStatus>,
    written_ptr: u32,
    ovl: u32,
) -> ApiReturn {
    match result {
        Ok(count) => {
            finish_overlapped(call, ovl, count);
            match call.write_out_u32(written_ptr, count) {
                Ok(()) => ApiReturn::Value(1),
                Err(_) => bad_pointer(call),
            }
        }
        Err(status) => call.fail(status),
    }
}

/// WriteFile on a pipe end: queues the bytes and returns once they fit in the pipe's quota
/// (waiting for the reader meanwhile); ERROR_NO_DATA when the read end is closed, and
/// ERROR_BROKEN_PIPE when it closes while the write waits. `*lpNumberOfBytesWritten` has been
/// zeroed by the caller.
pub(crate) fn write_file(
    call: &mut ApiCall<'_>,
    handle: Handle,
    object: &Arc<Object>,
    buffer: u32,
    length: u32,
    written_ptr: u32,
    ovl: u32,
) -> ApiReturn {
    let Some(end) = object.payload::<PipeEnd>() else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    let end = match &end.0 {
        EndInner::Named(_) => {
            if let Err(status) = check_access(call, handle, FILE_WRITE_RIGHTS) {
                return call.fail(status);
            }
            return namedpipe::write(call, object, buffer, length, written_ptr, ovl, None, true);
        }
        EndInner::Anonymous(end) => end,
    };
    let Some(thread) = current_thread(call) else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    // A write that waited comes back here when the reader has made room.
    match pending_call(&end.pipe, &thread) {
        Pending::Waiting(event) => {
            return ApiReturn::Retry {
                objects: vec![event],
                timeout: None,
            };
        }
        Pending::Done(result) => return complete_write(call, result, written_ptr, ovl),
        Pending::None => {}
    }
    if let Err(status) = check_access(call, handle, FILE_WRITE_RIGHTS) {
        return call.fail(status);
    }
    if end.kind != PipeEndKind::Write {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    // The whole buffer must be readable before a byte is queued.
    let mut data = Vec::new();
    for at in (0..length).step_by(COPY_CHUNK) {
        let len = (length - at).min(COPY_CHUNK as u32) as usize;
        match call.read_bytes(buffer.wrapping_add(at), len) {
            Ok(bytes) => data.extend(bytes),
            Err(_) => return bad_pointer(call),
        }
    }
    match queue(call, &end.pipe, &thread, &data, None) {
        Ok(Ok(count)) => complete_write(call, Ok(count), written_ptr, ovl),
        Ok(Err(event)) => ApiReturn::Retry {
            objects: vec![event],
            timeout: None,
        },
        Err(status) => call.fail(status),
    }
}

/// FlushFileBuffers on a pipe end: waits until the reader has read everything written so
/// far; ERROR_BROKEN_PIPE when the read end is (or becomes) closed.
pub(crate) fn flush(call: &mut ApiCall<'_>, handle: Handle, object: &Arc<Object>) -> ApiReturn {
    let Some(end) = object.payload::<PipeEnd>() else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    let end = match &end.0 {
        EndInner::Named(_) => {
            if let Err(status) = check_access(call, handle, FILE_WRITE_RIGHTS) {
                return call.fail(status);
            }
            return namedpipe::flush(call, object);
        }
        EndInner::Anonymous(end) => end,
    };
    let Some(thread) = current_thread(call) else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    match pending_call(&end.pipe, &thread) {
        Pending::Waiting(event) => {
            return ApiReturn::Retry {
                objects: vec![event],
                timeout: None,
            };
        }
        Pending::Done(Ok(_)) => return ApiReturn::Value(1),
        Pending::Done(Err(status)) => return call.fail(status),
        Pending::None => {}
    }
    if let Err(status) = check_access(call, handle, FILE_WRITE_RIGHTS) {
        return call.fail(status);
    }
    if end.kind != PipeEndKind::Write {
        // The read end's outbound direction is never written: nothing to wait for.
        return ApiReturn::Value(1);
    }
    if !end.pipe.state.lock().read_open {
        return call.fail(NtStatus::PIPE_BROKEN);
    }
    match queue(call, &end.pipe, &thread, &[], Some(0)) {
        Ok(Ok(_)) => ApiReturn::Value(1),
        Ok(Err(event)) => ApiReturn::Retry {
            objects: vec![event],
            timeout: None,
        },
        Err(status) => call.fail(status),
    }
}

/// FlushFileBuffers of a pipe end for Rust callers (the C runtime's `_commit`), which
/// cannot wait: the checks FlushFileBuffers makes (write access, the read end open), without
/// waiting for the reader. The error is also the last error.
pub(crate) fn flush_now(
    call: &mut ApiCall<'_>,
    handle: Handle,
    object: &Object,
) -> Result<(), Win32Error> {
    let end = object
        .payload::<PipeEnd>()
        .ok_or(Win32Error::INVALID_HANDLE);
    let status = end.and_then(|end| {
        check_access(call, handle, FILE_WRITE_RIGHTS).map_err(|s| s.to_win32_error())?;
        let Some(end) = end.anonymous() else {
            return Ok(());
        };
        if end.kind == PipeEndKind::Write && !end.pipe.state.lock().read_open {
            return Err(NtStatus::PIPE_BROKEN.to_win32_error());
        }
        Ok(())
    });
    if let Err(e) = status {
        call.set_last_error(e.0);
    }
    status
}

/// ReadFile of a pipe end for Rust callers (the C runtime's `_read`), which cannot wait:
/// what is queued, up to `buf`'s length; `Ok(0)` never means "wait": an empty pipe whose
/// write end is open fails with ERROR_NO_DATA, as a non-blocking (PIPE_NOWAIT) read does,
/// and a caller that can wait asks [`read_wait`] for the wait.
pub(crate) fn read_now(object: &Object, buf: &mut [u8]) -> Result<usize, Win32Error> {
    let end = object
        .payload::<PipeEnd>()
        .ok_or(Win32Error::INVALID_HANDLE)?;
    let end = match &end.0 {
        EndInner::Named(end) => return end.read_now(buf).map_err(NtStatus::to_win32_error),
        EndInner::Anonymous(end) => end,
    };
    if end.kind != PipeEndKind::Read {
        return Err(Win32Error::INVALID_PARAMETER);
    }
    let pipe = &end.pipe;
    let mut s = pipe.state.lock();
    if s.data.is_empty() {
        return Err(if s.write_open {
            NtStatus::PIPE_EMPTY.to_win32_error()
        } else {
            NtStatus::PIPE_BROKEN.to_win32_error()
        });
    }
    let n = buf.len().min(s.data.len());
    for (dst, src) in buf.iter_mut().zip(s.data.drain(..n)) {
        *dst = src;
    }
    s.consumed += n as u64;
    pipe.update(&mut s);
    Ok(n)
}

/// WriteFile of a pipe end for Rust callers (the C runtime's `_write`), which cannot wait:
/// all of `data` is queued at once, beyond the quota if need be (as NT queues a waiting
/// write's bytes); ERROR_NO_DATA when the read end is closed.
pub(crate) fn write_now(object: &Object, data: &[u8]) -> Result<usize, Win32Error> {
    let end = object
        .payload::<PipeEnd>()
        .ok_or(Win32Error::INVALID_HANDLE)?;
    let end = match &end.0 {
        EndInner::Named(end) => return end.write_now(data).map_err(NtStatus::to_win32_error),
        EndInner::Anonymous(end) => end,
    };
    if end.kind != PipeEndKind::Write {
        return Err(Win32Error::INVALID_PARAMETER);
    }
    let pipe = &end.pipe;
    let mut s = pipe.state.lock();
    if !s.read_open {
        return Err(NtStatus::PIPE_CLOSING.to_win32_error());
    }
    s.data.extend(data.iter().copied());
    s.produced += data.len() as u64;
    pipe.update(&mut s);
    Ok(data.len())
}

/// When a read of `handle` would wait now (it names the read end of an empty pipe whose
/// write end is open): the [`ApiReturn::Retry`] a builtin returns to wait until it would
/// not. None for any other handle, or when a read would not wait.
pub fn read_wait(call: &ApiCall<'_>, handle: Handle) -> Option<ApiReturn> {
    let object = pipe_end_object(call, handle)?;
    let end = match &object.payload::<PipeEnd>()?.0 {
        EndInner::Named(end) => return end.read_wait(),
        EndInner::Anonymous(end) => end,
    };
    if end.kind != PipeEndKind::Read {
        return None;
    }
    let s = end.pipe.state.lock();
    (s.data.is_empty() && s.write_open).then(|| ApiReturn::Retry {
        objects: vec![Arc::clone(&end.pipe.readable)],
        timeout: None,
    })
}

/// BOOL PeekNamedPipe(HANDLE hNamedPipe, LPVOID lpBuffer, DWORD nBufferSize, LPDWORD
/// lpBytesRead, LPDWORD lpTotalBytesAvail, LPDWORD lpBytesLeftThisMessage): copies up to
/// nBufferSize queued bytes without taking them; *lpTotalBytesAvail is all that is queued,
/// *lpBytesLeftThisMessage the message length (0 in a byte-mode pipe) less the bytes copied,
/// as NT computes it. The handle needs FILE_READ_DATA (ERROR_ACCESS_DENIED for a write end);
/// an empty pipe whose write end is closed is ERROR_BROKEN_PIPE; a disk file or device that
/// is no pipe is ERROR_INVALID_FUNCTION, a console handle ERROR_INVALID_HANDLE.
#[export]
fn PeekNamedPipe(
    call: &mut ApiCall<'_>,
    hNamedPipe: Handle,
    lpBuffer: Ptr,
    nBufferSize: u32,
    lpBytesRead: Ptr,
    lpTotalBytesAvail: Ptr,
    lpBytesLeftThisMessage: Ptr,
) -> ApiReturn {
    let object = match call.reference(hNamedPipe, AccessMask(0), Some(ObjectType::File)) {
        Ok(o) => o,
        Err(e) => return call.fail(e.status()),
    };
    let Some(end) = object.payload::<PipeEnd>() else {
        let status = if object.payload::<HostFile>().is_some() {
            NtStatus::INVALID_HANDLE
        } else {
            NtStatus::INVALID_DEVICE_REQUEST
        };
        return call.fail(status);
    };
    if let Err(status) = check_access(call, hNamedPipe, FILE_READ_DATA) {
        return call.fail(status);
    }
    match peek(call, &object, end, nBufferSize) {
        Ok((peeked, available, left, _)) => peek_out(
            call,
            &peeked,
            available,
            left,
            lpBuffer,
            lpBytesRead,
            lpTotalBytesAvail,
            lpBytesLeftThisMessage,
        ),
        Err(status) => call.fail(status),
    }
}

/// Peeks a pipe end: up to `size` queued bytes without taking them, all the bytes queued,
/// and the bytes left in the message (the message length less the bytes copied, which in a
/// byte-mode pipe, whose message length is 0, wraps below zero as NT's does), and the
/// number of messages queued (0 in a byte-type pipe).
fn peek(
    call: &mut ApiCall<'_>,
    object: &Arc<Object>,
    end: &PipeEnd,
    size: u32,
) -> Result<(Vec<u8>, u32, u32, u32), NtStatus> {
    let end = match &end.0 {
        EndInner::Named(_) => return namedpipe::peek(call, object, size),
        EndInner::Anonymous(end) => end,
    };
    let s = end.pipe.state.lock();
    let queue_open = match end.kind {
        PipeEndKind::Read => !s.data.is_empty() || s.write_open,
        // The write end peeks the pipe's other direction, which is never written.
        PipeEndKind::Write => s.read_open,
    };
    if !queue_open {
        return Err(NtStatus::PIPE_BROKEN);
    }
    let (peeked, available) = match end.kind {
        PipeEndKind::Read => (
            s.data
                .iter()
                .take(size as usize)
                .copied()
                .collect::<Vec<u8>>(),
            s.data.len() as u32,
        ),
        PipeEndKind::Write => (Vec::new(), 0),
    };
    let left = 0u32.wrapping_sub(peeked.len() as u32);
    Ok((peeked, available, left, 0))
}

/// FSCTL_PIPE_PEEK.
const FSCTL_PIPE_PEEK: u32 = 0x0011_400C;
/// FILE_PIPE_CONNECTED_STATE.
const FILE_PIPE_CONNECTED_STATE: u32 = 3;
/// The size of FILE_PIPE_PEEK_BUFFER's fixed part.
const PEEK_HEADER: u32 = 16;

/// NtFsControlFile's work on a file handle: the control code's output bytes and the status.
/// FSCTL_PIPE_PEEK on a pipe gives a FILE_PIPE_PEEK_BUFFER (state, bytes available, the
/// messages queued and the first one's length in a message-type pipe, 0 in a byte-type
/// one) and the bytes that fit after it, as the named-pipe file system peeks: a message cut
/// to the buffer, or data behind a buffer with room for the header only, is
/// STATUS_BUFFER_OVERFLOW; a byte-type pipe's bytes are simply cut; a buffer smaller than
/// the header is STATUS_INFO_LENGTH_MISMATCH. Any other code, or a handle that is no pipe,
/// is STATUS_NOT_SUPPORTED.
pub(crate) fn fs_control(
    call: &mut ApiCall<'_>,
    handle: Handle,
    code: u32,
    output_length: u32,
) -> Result<(Vec<u8>, NtStatus), NtStatus> {
    let object = call
        .reference(handle, AccessMask(0), Some(ObjectType::File))
        .map_err(|e| e.status())?;
    let Some(end) = object.payload::<PipeEnd>() else {
        return Err(NtStatus::NOT_SUPPORTED);
    };
    if code != FSCTL_PIPE_PEEK {
        return Err(NtStatus::NOT_SUPPORTED);
    }
    check_access(call, handle, FILE_READ_DATA)?;
    if output_length < PEEK_HEADER {
        return Err(NtStatus::INFO_LENGTH_MISMATCH);
    }
    let room = output_length - PEEK_HEADER;
    // Peek one byte more than fits, to tell a cut message from one that fits exactly.
    let (mut peeked, available, left, messages) = peek(call, &object, end, room.saturating_add(1))?;
    let message_length = left.wrapping_add(peeked.len() as u32);
    // A byte-type pipe has no message length (0): only a message is cut with an overflow.
    let cut = if room == 0 {
        available != 0
    } else {
        message_length != 0 && peeked.len() as u32 > room
    };
    peeked.truncate(room as usize);
    let mut out = Vec::with_capacity(PEEK_HEADER as usize + peeked.len());
    for v in [
        FILE_PIPE_CONNECTED_STATE,
        available,
        messages,
        message_length,
    ] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&peeked);
    let status = if cut {
        NtStatus::BUFFER_OVERFLOW
    } else {
        NtStatus::SUCCESS
    };
    Ok((out, status))
}

/// Writes PeekNamedPipe's results: the bytes (when a buffer is given) and the counts.
#[allow(clippy::too_many_arguments)]
fn peek_out(
    call: &mut ApiCall<'_>,
    peeked: &[u8],
    available: u32,
    left: u32,
    buffer: Ptr,
    read: Ptr,
    total: Ptr,
    message_left: Ptr,
) -> ApiReturn {
    let count = peeked.len() as u32;
    if !buffer.is_null() {
        for (i, chunk) in peeked.chunks(COPY_CHUNK).enumerate() {
            let at = buffer.0.wrapping_add((i * COPY_CHUNK) as u32);
            if call.write_bytes(at, chunk).is_err() {
                return bad_pointer(call);
            }
        }
    }
    for (ptr, value) in [(read, count), (total, available), (message_left, left)] {
        if call.write_out_u32(ptr.0, value).is_err() {
            return bad_pointer(call);
        }
    }
    ApiReturn::Value(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ends(quota: u32) -> (ObjectManager, Arc<Object>, Arc<Object>) {
        let objects = ObjectManager::new();
        let (read, write) = create_pipe(&objects, quota).expect("pipe");
        (objects, read, write)
    }

    #[test]
    fn bytes_written_are_read_in_order_with_short_reads() {
        let (_objects, read, write) = ends(16);
        assert_eq!(write_now(&write, b"hello"), Ok(5));
        assert_eq!(write_now(&write, b" world"), Ok(6));
        let mut buf = [0u8; 4];
        assert_eq!(read_now(&read, &mut buf), Ok(4));
        assert_eq!(&buf, b"hell");
        let mut rest = [0u8; 64];
        assert_eq!(read_now(&read, &mut rest), Ok(7));
        assert_eq!(&rest[..7], b"o world");
    }

    #[test]
    fn an_empty_pipe_with_a_writer_would_wait_and_signals_when_written() {
        let (_objects, read, write) = ends(16);
        let end = read
            .payload::<PipeEnd>()
            .and_then(PipeEnd::anonymous)
            .expect("read end");
        assert_eq!(end.pipe.readable.is_signaled(), Ok(false));
        let mut buf = [0u8; 4];
        assert_eq!(read_now(&read, &mut buf), Err(Win32Error::NO_DATA));
        write_now(&write, b"x").expect("write");
        assert_eq!(end.pipe.readable.is_signaled(), Ok(true));
        assert_eq!(read_now(&read, &mut buf), Ok(1));
        assert_eq!(end.pipe.readable.is_signaled(), Ok(false));
    }

    #[test]
    fn closing_the_write_end_drains_then_breaks_the_pipe() {
        let (_objects, read, write) = ends(16);
        write_now(&write, b"abc").expect("write");
        drop(write);
        let end = read
            .payload::<PipeEnd>()
            .and_then(PipeEnd::anonymous)
            .expect("read end");
        assert_eq!(end.pipe.readable.is_signaled(), Ok(true));
        let mut buf = [0u8; 8];
        assert_eq!(read_now(&read, &mut buf), Ok(3));
        assert_eq!(read_now(&read, &mut buf), Err(Win32Error::BROKEN_PIPE));
        // The event stays set: a reader never waits on a broken pipe.
        assert_eq!(end.pipe.readable.is_signaled(), Ok(true));
    }

    #[test]
    fn writing_with_the_read_end_closed_is_error_no_data() {
        let (_objects, read, write) = ends(16);
        drop(read);
        assert_eq!(write_now(&write, b"abc"), Err(Win32Error::NO_DATA));
    }

    #[test]
    fn a_waiting_write_completes_when_the_reader_makes_room_and_fails_when_it_leaves() {
        let (objects, read, write) = ends(4);
        let pipe = Arc::clone(
            &write
                .payload::<PipeEnd>()
                .and_then(PipeEnd::anonymous)
                .expect("write end")
                .pipe,
        );
        let thread = objects.create_event(EventType::Notification, false);
        let event = {
            let mut s = pipe.state.lock();
            s.data.extend(b"abcdef");
            s.produced = 6;
            let event = objects.create_event(EventType::Notification, false);
            s.waiters.push(Waiter {
                thread: Arc::downgrade(&thread),
                end: 6,
                limit: 4,
                written: 6,
                event: Arc::clone(&event),
                outcome: None,
            });
            pipe.update(&mut s);
            event
        };
        assert_eq!(event.is_signaled(), Ok(false));
        let mut buf = [0u8; 1];
        read_now(&read, &mut buf).expect("read");
        assert_eq!(event.is_signaled(), Ok(false), "5 bytes do not fit in 4");
        read_now(&read, &mut buf).expect("read");
        assert_eq!(event.is_signaled(), Ok(true));
        assert!(matches!(pending_call(&pipe, &thread), Pending::Done(Ok(6))));
        assert!(matches!(pending_call(&pipe, &thread), Pending::None));
        // Another waiter, then the read end goes: it fails with the broken pipe.
        let event = objects.create_event(EventType::Notification, false);
        pipe.state.lock().waiters.push(Waiter {
            thread: Arc::downgrade(&thread),
            end: 100,
            limit: 4,
            written: 9,
            event: Arc::clone(&event),
            outcome: None,
        });
        drop(read);
        assert_eq!(event.is_signaled(), Ok(true));
        assert!(matches!(
            pending_call(&pipe, &thread),
            Pending::Done(Err(NtStatus::PIPE_BROKEN))
        ));
    }

    #[test]
    fn waiters_of_ended_threads_are_forgotten() {
        let (objects, _read, write) = ends(4);
        let pipe = Arc::clone(
            &write
                .payload::<PipeEnd>()
                .and_then(PipeEnd::anonymous)
                .expect("write end")
                .pipe,
        );
        let thread = objects.create_event(EventType::Notification, false);
        pipe.state.lock().waiters.push(Waiter {
            thread: Arc::downgrade(&thread),
            end: 100,
            limit: 4,
            written: 1,
            event: objects.create_event(EventType::Notification, false),
            outcome: None,
        });
        let other = objects.create_event(EventType::Notification, false);
        drop(thread);
        assert!(matches!(pending_call(&pipe, &other), Pending::None));
        assert!(pipe.state.lock().waiters.is_empty());
    }
}
