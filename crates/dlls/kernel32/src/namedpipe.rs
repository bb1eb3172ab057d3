//! Named pipes, as NT 4.0's named-pipe file system (NPFS) keeps them: CreateNamedPipe,
//! ConnectNamedPipe, DisconnectNamedPipe, WaitNamedPipe, TransactNamedPipe, CallNamedPipe,
//! GetNamedPipeInfo, GetNamedPipeHandleState, SetNamedPipeHandleState, the client's
//! CreateFile of `\\.\pipe\NAME`, and ReadFile, WriteFile, PeekNamedPipe and FlushFileBuffers
//! on their ends (pipe.rs hands these over for a [`NamedEnd`]).
//!
//! - A pipe is a name (compared without case, as NPFS does) with the configuration its first
//!   instance gave: byte or message type, the most instances, the two buffer quotas, the
//!   default timeout and the direction. Each CreateNamedPipe makes an instance; its File
//!   object is the server end. An instance is *listening* when made, until a client opens
//!   the name (CreateFile), which connects to the first listening instance; ERROR_PIPE_BUSY
//!   when none listens, ERROR_FILE_NOT_FOUND when no pipe has the name.
//! - A connected instance carries two queues: inbound (client to server) and outbound (server
//!   to client). On a message-type pipe each write is a message; an end in message read mode
//!   reads one message (the rest of a long one stays, with ERROR_MORE_DATA), an end in byte
//!   read mode reads across messages. A write completes when what is queued fits the
//!   reader's quota (a blocking write waits, an overlapped one is pending); data given to a
//!   read that was pending does not count against the quota. In PIPE_NOWAIT mode an empty
//!   pipe's read is ERROR_NO_DATA and a write that does not fit writes nothing.
//! - When one end closes, the other reads what is left, then ERROR_BROKEN_PIPE, and its
//!   writes fail with ERROR_NO_DATA (the instance is *closing*). DisconnectNamedPipe throws
//!   away what is queued and cuts the client off (ERROR_PIPE_NOT_CONNECTED on both ends)
//!   until ConnectNamedPipe listens again. Before a client comes, reads and writes are
//!   ERROR_PIPE_LISTENING.
//! - Waits are the scheduler's: blocking calls wait on the objects' events (ApiReturn::Retry),
//!   overlapped calls are pending requests (overlapped.rs) completed by whoever makes them
//!   completable. An end that goes away completes the requests waiting on its instance
//!   (ERROR_BROKEN_PIPE, or cancelled for its own) the next time a pipe or overlapped call,
//!   CloseHandle or an idle machine comes by.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Weak};
use std::time::Duration;

use nt_object::{AccessMask, EventType, Handle, Object, ObjectType};
use nt_status::{NtStatus, Win32Error};
use parking_lot::Mutex;
use win32::{AnsiStr, ApiCall, ApiReturn, Ptr, WideStr, Win32State, export};

use crate::overlapped::{self, Op};
use crate::{
    COPY_CHUNK, INVALID_HANDLE_VALUE, bad_pointer, inherit_from_security_attributes, insert,
};

/// PIPE_ACCESS_INBOUND: the server reads.
const PIPE_ACCESS_INBOUND: u32 = 0x1;
/// PIPE_ACCESS_OUTBOUND: the server writes.
const PIPE_ACCESS_OUTBOUND: u32 = 0x2;
/// PIPE_TYPE_MESSAGE.
const PIPE_TYPE_MESSAGE: u32 = 0x4;
/// PIPE_READMODE_MESSAGE.
const PIPE_READMODE_MESSAGE: u32 = 0x2;
/// PIPE_NOWAIT.
const PIPE_NOWAIT: u32 = 0x1;
/// PIPE_UNLIMITED_INSTANCES.
const PIPE_UNLIMITED_INSTANCES: u32 = 255;
/// GetNamedPipeInfo: PIPE_SERVER_END.
const PIPE_SERVER_END: u32 = 0x1;
/// NMPWAIT_WAIT_FOREVER.
const NMPWAIT_WAIT_FOREVER: u32 = 0xFFFF_FFFF;
/// NMPWAIT_NOWAIT.
const NMPWAIT_NOWAIT: u32 = 0x1;
/// NMPWAIT_USE_DEFAULT_WAIT.
const NMPWAIT_USE_DEFAULT_WAIT: u32 = 0;
/// The default timeout NPFS gives a pipe created with NMPWAIT_USE_DEFAULT_WAIT: 50 ms.
const DEFAULT_TIMEOUT_MS: u32 = 50;
/// The most bytes a pipe name may have after `\\.\pipe\`.
const MAX_NAME: usize = 256;

/// GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE and the rest of a duplex server end's rights.
const SERVER_DUPLEX_ACCESS: u32 = 0x8000_0000 | 0x4000_0000 | 0x0010_0000;
/// An inbound server end's rights (it reads): GENERIC_READ | SYNCHRONIZE.
const SERVER_INBOUND_ACCESS: u32 = 0x8000_0000 | 0x0010_0000;
/// An outbound server end's rights (it writes): GENERIC_WRITE | SYNCHRONIZE.
const SERVER_OUTBOUND_ACCESS: u32 = 0x4000_0000 | 0x0010_0000;
/// FILE_READ_DATA.
const FILE_READ_DATA: u32 = 0x1;
/// FILE_WRITE_DATA | FILE_APPEND_DATA.
const FILE_WRITE_RIGHTS: u32 = 0x2 | 0x4;

/// The part of a path that names a local pipe: `\\.\pipe\NAME` gives NAME (any case of
/// `pipe`). None for any other path.
pub(crate) fn pipe_name(path: &str) -> Option<&str> {
    let rest = path
        .strip_prefix("\\\\.\\")
        .or_else(|| path.strip_prefix("//./"))?;
    let (first, name) = rest.split_at_checked(5)?;
    (first[..4].eq_ignore_ascii_case("pipe") && matches!(&first[4..], "\\" | "/")).then_some(name)
}

/// An instance's connection state (NT's FILE_PIPE_*_STATE).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    /// Waiting for a client.
    Listening,
    /// A client is connected.
    Connected,
    /// The other end has closed: what is queued can still be read.
    Closing,
    /// The server cut the client off.
    Disconnected,
}

/// One direction of an instance.
struct Channel {
    /// Messages (a byte-type pipe keeps each write as one too, read across), oldest first;
    /// the first may be partly read.
    messages: VecDeque<Vec<u8>>,
    /// Where each message's bytes end (counted as [`Channel::produced`] counts them): the
    /// write that queued it.
    ends: VecDeque<u64>,
    /// Bytes of the first message already read.
    offset: usize,
    /// Bytes queued and not read.
    queued: u64,
    /// The reader's buffer quota.
    quota: u64,
    /// Bytes ever read, and ever queued.
    consumed: u64,
    produced: u64,
    /// Signalled while a blocking read of this channel would not wait.
    readable: Arc<Object>,
    /// Blocking writes waiting for room.
    writers: Vec<Writer>,
    /// Overlapped reads waiting for data: request id, length, message read mode, issued by
    /// the server end.
    reads: VecDeque<PendingRead>,
    /// Overlapped writes waiting for room: request id, where their bytes end, their count,
    /// issued by the server end.
    writes: Vec<PendingWrite>,
}

struct Writer {
    thread: Weak<Object>,
    end: u64,
    written: u32,
    event: Arc<Object>,
    outcome: Option<Result<u32, NtStatus>>,
}

#[derive(Clone, Copy)]
struct PendingRead {
    id: u64,
    length: u32,
    message: bool,
    server: bool,
}

#[derive(Clone, Copy)]
struct PendingWrite {
    id: u64,
    end: u64,
    written: u32,
    server: bool,
}

impl Channel {
    fn new(call: &ApiCall<'_>, quota: u32) -> Channel {
        Channel {
            messages: VecDeque::new(),
            ends: VecDeque::new(),
            offset: 0,
            queued: 0,
            quota: u64::from(quota),
            consumed: 0,
            produced: 0,
            readable: call
                .machine
                .objects()
                .create_event(EventType::Notification, false),
            writers: Vec::new(),
            reads: VecDeque::new(),
            writes: Vec::new(),
        }
    }

    fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// Takes up to `length` bytes: one message's (in message read mode; `true` when some of
    /// it is left), or across messages.
    fn take(&mut self, length: usize, message: bool) -> (Vec<u8>, bool) {
        let mut out = Vec::new();
        while let Some(first) = self.messages.front() {
            let rest = &first[self.offset..];
            let n = rest.len().min(length - out.len());
            out.extend_from_slice(&rest[..n]);
            if n < rest.len() {
                self.offset += n;
                self.account(n);
                return (out, message);
            }
            self.messages.pop_front();
            self.ends.pop_front();
            self.offset = 0;
            self.account(n);
            if message || out.len() == length {
                break;
            }
        }
        (out, false)
    }

    fn account(&mut self, n: usize) {
        self.queued -= n as u64;
        self.consumed += n as u64;
    }

    /// Queues one write; returns where its bytes end.
    fn push(&mut self, data: Vec<u8>) -> u64 {
        self.queued += data.len() as u64;
        self.produced += data.len() as u64;
        self.messages.push_back(data);
        self.ends.push_back(self.produced);
        self.produced
    }

    /// Takes back what is left unread of the write whose bytes end at `end` (a write whose
    /// request was cancelled, or whose thread ended: NPFS drops the data of a cancelled write
    /// IRP). The bytes count as consumed, so the writes behind it keep their places.
    fn remove_write(&mut self, end: u64) {
        let Some(i) = self.ends.iter().position(|&e| e == end) else {
            return;
        };
        let Some(message) = self.messages.remove(i) else {
            return;
        };
        self.ends.remove(i);
        let unread = if i == 0 {
            let n = message.len().saturating_sub(self.offset);
            self.offset = 0;
            n
        } else {
            message.len()
        };
        self.account(unread);
    }

    /// Throws away what is queued (a disconnect).
    fn clear(&mut self) {
        self.consumed += self.queued;
        self.queued = 0;
        self.messages.clear();
        self.ends.clear();
        self.offset = 0;
    }

    /// True when a write whose bytes end at `end` fits the quota now.
    fn fits(&self, end: u64) -> bool {
        end.saturating_sub(self.consumed) <= self.quota
    }
}

/// A pipe: its name and the configuration of its first instance.
pub(crate) struct PipeDef {
    key: String,
    message_type: bool,
    max_instances: u32,
    /// The server's outbound and inbound quotas.
    out_quota: u32,
    in_quota: u32,
    default_timeout: u32,
    /// PIPE_ACCESS_INBOUND / OUTBOUND bits.
    direction: u32,
    instances: Mutex<Vec<Weak<Instance>>>,
    /// Signalled while an instance listens (WaitNamedPipe waits on it).
    listening: Arc<Object>,
    /// Threads in WaitNamedPipe: their objects and deadlines (None: never).
    waiters: Mutex<Vec<(Weak<Object>, Option<u64>)>>,
}

impl PipeDef {
    fn live_instances(&self) -> Vec<Arc<Instance>> {
        let mut list = self.instances.lock();
        list.retain(|w| w.strong_count() > 0);
        list.iter().filter_map(Weak::upgrade).collect()
    }

    /// Brings the listening event up to date.
    fn update_listening(&self) {
        let any = self
            .live_instances()
            .iter()
            .any(|i| i.state.lock().state == State::Listening);
        let _ = if any {
            self.listening.set_event()
        } else {
            self.listening.reset_event()
        };
    }
}

/// One instance of a pipe: a server end and, while connected, a client end.
pub(crate) struct Instance {
    pipe: Arc<PipeDef>,
    state: Mutex<InstanceState>,
    /// Signalled while a client is connected (a blocking ConnectNamedPipe waits on it).
    connected: Arc<Object>,
    /// Completions the ends' going away leave for the next call to deliver.
    deferred: Arc<Deferred>,
}

struct InstanceState {
    state: State,
    server_open: bool,
    client_open: bool,
    /// Bumped at every connection: a client end of an older one is cut off.
    generation: u64,
    inbound: Channel,
    outbound: Channel,
    /// Blocking ConnectNamedPipe calls: the thread and whether a client came.
    connectors: Vec<(Weak<Object>, bool)>,
    /// Overlapped ConnectNamedPipe requests.
    connects: Vec<u64>,
    /// Threads in a blocking TransactNamedPipe whose write is done.
    transacting: Vec<Weak<Object>>,
}

impl InstanceState {
    /// Brings the readers' events up to date (a read waits only on an empty channel of a
    /// connected instance).
    fn update_events(&self) {
        for channel in [&self.inbound, &self.outbound] {
            let ready = !channel.is_empty() || self.state != State::Connected;
            let _ = if ready {
                channel.readable.set_event()
            } else {
                channel.readable.reset_event()
            };
        }
    }
}

/// Completions waiting for a call that can deliver them.
#[derive(Default)]
pub(crate) struct Deferred {
    list: Mutex<Vec<(u64, NtStatus)>>,
}

/// The payload side of a named pipe's end: the instance, which end, and the end's modes.
pub struct NamedEnd {
    instance: Arc<Instance>,
    server: bool,
    /// The connection a client end belongs to.
    generation: u64,
    /// PIPE_READMODE_MESSAGE and PIPE_NOWAIT bits of this end.
    mode: Mutex<u32>,
}

impl NamedEnd {
    /// The pipe's name (as its creator spelt it, in capitals), below `\\.\pipe\`.
    pub(crate) fn pipe_key(&self) -> &str {
        &self.instance.pipe.key
    }
}

impl std::fmt::Debug for NamedEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "NamedEnd({}, {})",
            self.instance.pipe.key,
            if self.server { "server" } else { "client" }
        )
    }
}

impl NamedEnd {
    /// The channel this end reads, and whether the instance is connected for it.
    fn reading(&self) -> (Arc<Instance>, bool) {
        (Arc::clone(&self.instance), self.server)
    }

    /// How many bytes wait for this end to read.
    pub(crate) fn bytes_available(&self) -> usize {
        let s = self.instance.state.lock();
        let channel = if self.server { &s.inbound } else { &s.outbound };
        channel.queued as usize
    }

    /// A read for Rust callers (the C runtime), which cannot wait: what is queued (in this
    /// end's read mode), ERROR_NO_DATA for an empty connected pipe.
    pub(crate) fn read_now(&self, buf: &mut [u8]) -> Result<usize, NtStatus> {
        let (instance, server) = self.reading();
        let message = *self.mode.lock() & PIPE_READMODE_MESSAGE != 0 && instance.pipe.message_type;
        let mut s = instance.state.lock();
        check_connected(self, &s)?;
        let closing = s.state == State::Closing;
        let channel = if server {
            &mut s.inbound
        } else {
            &mut s.outbound
        };
        if channel.is_empty() {
            return Err(if closing {
                NtStatus::PIPE_BROKEN
            } else {
                NtStatus::PIPE_EMPTY
            });
        }
        let (data, _) = channel.take(buf.len(), message);
        buf[..data.len()].copy_from_slice(&data);
        let consumed = channel.consumed;
        let quota = channel.quota;
        for w in channel.writers.iter_mut().filter(|w| w.outcome.is_none()) {
            if w.end.saturating_sub(consumed) <= quota {
                w.outcome = Some(Ok(w.written));
                let _ = w.event.set_event();
            }
        }
        s.update_events();
        Ok(data.len())
    }

    /// A write for Rust callers, which cannot wait: all of `data` is queued at once.
    pub(crate) fn write_now(&self, data: &[u8]) -> Result<usize, NtStatus> {
        let mut s = self.instance.state.lock();
        check_connected(self, &s)?;
        if s.state == State::Closing {
            return Err(NtStatus::PIPE_CLOSING);
        }
        if data.is_empty() && !self.instance.pipe.message_type {
            return Ok(0);
        }
        let channel = if self.server {
            &mut s.outbound
        } else {
            &mut s.inbound
        };
        channel.push(data.to_vec());
        s.update_events();
        Ok(data.len())
    }

    /// When a read of this end would wait now: the wait.
    pub(crate) fn read_wait(&self) -> Option<ApiReturn> {
        let s = self.instance.state.lock();
        if check_connected(self, &s).is_err() || s.state != State::Connected {
            return None;
        }
        let channel = if self.server { &s.inbound } else { &s.outbound };
        channel.is_empty().then(|| ApiReturn::Retry {
            objects: vec![Arc::clone(&channel.readable)],
            timeout: None,
        })
    }
}

impl Drop for NamedEnd {
    fn drop(&mut self) {
        let mut s = self.instance.state.lock();
        let mut done = Vec::new();
        if self.server {
            s.server_open = false;
        } else if self.generation == s.generation {
            s.client_open = false;
        } else {
            // A client cut off earlier: nothing of it is left.
            return;
        }
        // The other end, if any, reads what is left and then finds the pipe broken.
        if self.server || s.state == State::Connected {
            s.state = State::Closing;
        }
        let me = self.server;
        let st = &mut *s;
        for channel in [&mut st.inbound, &mut st.outbound] {
            for r in channel.reads.drain(..) {
                done.push((
                    r.id,
                    if r.server == me {
                        NtStatus::CANCELLED
                    } else {
                        NtStatus::PIPE_BROKEN
                    },
                ));
            }
            for w in channel.writes.drain(..) {
                done.push((
                    w.id,
                    if w.server == me {
                        NtStatus::CANCELLED
                    } else {
                        NtStatus::PIPE_BROKEN
                    },
                ));
            }
            for w in channel.writers.iter_mut().filter(|w| w.outcome.is_none()) {
                w.outcome = Some(Err(NtStatus::PIPE_BROKEN));
                let _ = w.event.set_event();
            }
        }
        if me {
            for id in s.connects.drain(..) {
                done.push((id, NtStatus::CANCELLED));
            }
        }
        s.update_events();
        let _ = self.instance.connected.set_event();
        drop(s);
        if !done.is_empty() {
            self.instance.deferred.list.lock().extend(done);
        }
        if me {
            self.instance.pipe.update_listening();
        }
    }
}

/// The machine's pipes, by upper-cased name (one value in the layer's state).
#[derive(Default)]
struct NamedPipes {
    pipes: HashMap<String, Weak<PipeDef>>,
    deferred: Arc<Deferred>,
    /// CallNamedPipe calls in progress: the thread and the client handle it opened.
    calls: Vec<(Weak<Object>, Handle)>,
}

fn registry(state: &mut Win32State) -> &mut NamedPipes {
    state.get::<NamedPipes>()
}

fn lookup(state: &mut Win32State, name: &str) -> Option<Arc<PipeDef>> {
    let key = name.to_uppercase();
    let r = registry(state);
    let def = r.pipes.get(&key).and_then(Weak::upgrade);
    if def.is_none() {
        r.pipes.remove(&key);
    }
    def.filter(|d| !d.live_instances().is_empty())
}

/// Delivers the completions ends that went away left (see the module's notes), and
/// cancels requests whose file is gone.
pub(crate) fn flush_deferred(call: &mut ApiCall<'_>) {
    let Some(r) = call.state.peek::<NamedPipes>() else {
        return;
    };
    let list = std::mem::take(&mut *r.deferred.list.lock());
    for (id, status) in list {
        overlapped::complete(call.machine, call.state, id, status, 0, None);
    }
}

fn idle_flush(
    state: &mut Win32State,
    machine: &mut nt_kernel::Machine,
    _: Option<Duration>,
) -> bool {
    let Some(r) = state.peek::<NamedPipes>() else {
        return false;
    };
    let list = std::mem::take(&mut *r.deferred.list.lock());
    let mut woke = !list.is_empty();
    let instances: Vec<Arc<Instance>> = r
        .pipes
        .values()
        .filter_map(Weak::upgrade)
        .flat_map(|def| def.live_instances())
        .collect();
    for (id, status) in list {
        overlapped::complete(machine, state, id, status, 0, None);
    }
    // The I/O of threads that ended while nothing else came by.
    for instance in instances {
        woke |= purge(machine, state, &instance);
    }
    woke
}

/// The calling thread's object.
fn current_thread(call: &ApiCall<'_>) -> Option<Arc<Object>> {
    call.process()
        .and_then(|p| p.thread(call.thread.thread))
        .map(|t| Arc::clone(t.object()))
}

fn same(w: &Weak<Object>, o: &Arc<Object>) -> bool {
    std::ptr::eq(w.as_ptr(), Arc::as_ptr(o))
}

/// Makes a File object for an end and a handle to it.
fn make_end(
    call: &mut ApiCall<'_>,
    end: NamedEnd,
    access: u32,
    inherit: bool,
    flags: u32,
) -> Result<Handle, NtStatus> {
    let objects = call.machine.objects().clone();
    let object = objects
        .create_executive_object(
            ObjectType::File,
            Box::new(crate::pipe::PipeEnd::from_named(end)),
        )
        .map_err(|e| e.status())?;
    overlapped::note_open(call, &object, flags);
    insert(call, &object, AccessMask(access), inherit).map_err(|e| e.status())
}

/// CreateNamedPipe's work.
#[allow(clippy::too_many_arguments)]
fn create_named_pipe(
    call: &mut ApiCall<'_>,
    name: Option<&str>,
    open_mode: u32,
    pipe_mode: u32,
    max_instances: u32,
    out_size: u32,
    in_size: u32,
    timeout: u32,
    sa: Ptr,
) -> ApiReturn {
    flush_deferred(call);
    let Some(name) = name else {
        return call.fail_win32(Win32Error::PATH_NOT_FOUND, INVALID_HANDLE_VALUE);
    };
    let Some(short) = pipe_name(name).filter(|n| !n.is_empty() && n.len() <= MAX_NAME) else {
        return call.fail_win32(Win32Error::INVALID_NAME, INVALID_HANDLE_VALUE);
    };
    let direction = open_mode & (PIPE_ACCESS_INBOUND | PIPE_ACCESS_OUTBOUND);
    let known_open = PIPE_ACCESS_INBOUND
        | PIPE_ACCESS_OUTBOUND
        | overlapped::FILE_FLAG_OVERLAPPED
        | 0x8000_0000 // FILE_FLAG_WRITE_THROUGH
        | 0x0004_0000 // WRITE_DAC
        | 0x0008_0000 // WRITE_OWNER
        | 0x0100_0000; // ACCESS_SYSTEM_SECURITY
    let message_type = pipe_mode & PIPE_TYPE_MESSAGE != 0;
    if direction == 0
        || open_mode & !known_open != 0
        || pipe_mode & !(PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_NOWAIT) != 0
        || (!message_type && pipe_mode & PIPE_READMODE_MESSAGE != 0)
        || max_instances == 0
        || max_instances > PIPE_UNLIMITED_INSTANCES
    {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, INVALID_HANDLE_VALUE);
    }
    let Ok(inherit) = inherit_from_security_attributes(call, sa.0) else {
        return call.fail_with(NtStatus::ACCESS_VIOLATION, INVALID_HANDLE_VALUE);
    };
    // NPFS keeps "unlimited" as the largest count.
    let max_instances = if max_instances == PIPE_UNLIMITED_INSTANCES {
        u32::MAX
    } else {
        max_instances
    };
    call.state.add_idle_hook(idle_flush);
    let def = match lookup(call.state, short) {
        Some(def) => {
            if def.direction != direction {
                return call.fail_win32(Win32Error::ACCESS_DENIED, INVALID_HANDLE_VALUE);
            }
            let live = def.live_instances().len() as u32;
            if live >= def.max_instances {
                return call.fail_with(NtStatus::INSTANCE_NOT_AVAILABLE, INVALID_HANDLE_VALUE);
            }
            def
        }
        None => {
            let def = Arc::new(PipeDef {
                key: short.to_uppercase(),
                message_type,
                max_instances,
                out_quota: out_size,
                in_quota: in_size,
                default_timeout: if timeout == NMPWAIT_USE_DEFAULT_WAIT {
                    DEFAULT_TIMEOUT_MS
                } else {
                    timeout
                },
                direction,
                instances: Mutex::new(Vec::new()),
                listening: call
                    .machine
                    .objects()
                    .create_event(EventType::Notification, false),
                waiters: Mutex::new(Vec::new()),
            });
            registry(call.state)
                .pipes
                .insert(def.key.clone(), Arc::downgrade(&def));
            def
        }
    };
    let deferred = Arc::clone(&registry(call.state).deferred);
    let instance = Arc::new(Instance {
        pipe: Arc::clone(&def),
        state: Mutex::new(InstanceState {
            state: State::Listening,
            server_open: true,
            client_open: false,
            generation: 0,
            inbound: Channel::new(call, def.in_quota),
            outbound: Channel::new(call, def.out_quota),
            connectors: Vec::new(),
            connects: Vec::new(),
            transacting: Vec::new(),
        }),
        connected: call
            .machine
            .objects()
            .create_event(EventType::Notification, false),
        deferred,
    });
    instance.state.lock().update_events();
    def.instances.lock().push(Arc::downgrade(&instance));
    let access = match direction {
        PIPE_ACCESS_INBOUND => SERVER_INBOUND_ACCESS,
        PIPE_ACCESS_OUTBOUND => SERVER_OUTBOUND_ACCESS,
        _ => SERVER_DUPLEX_ACCESS,
    };
    let end = NamedEnd {
        instance: Arc::clone(&instance),
        server: true,
        generation: 0,
        mode: Mutex::new(pipe_mode & (PIPE_READMODE_MESSAGE | PIPE_NOWAIT)),
    };
    match make_end(call, end, access, inherit, open_mode) {
        Ok(handle) => {
            def.update_listening();
            call.set_last_error(0);
            ApiReturn::Value(handle.0)
        }
        Err(status) => call.fail_with(status, INVALID_HANDLE_VALUE),
    }
}

/// HANDLE CreateNamedPipeA(LPCSTR lpName, DWORD dwOpenMode, DWORD dwPipeMode, DWORD
/// nMaxInstances, DWORD nOutBufferSize, DWORD nInBufferSize, DWORD nDefaultTimeOut,
/// LPSECURITY_ATTRIBUTES lpSecurityAttributes): a new instance (listening) of the pipe
/// `\\.\pipe\NAME`, made with this configuration if it is the first. A name not of that form
/// is ERROR_INVALID_NAME (NULL: ERROR_PATH_NOT_FOUND); a byte-type pipe in message read
/// mode, no direction or 0 instances is ERROR_INVALID_PARAMETER; another direction than the
/// pipe's is ERROR_ACCESS_DENIED; more instances than it allows is ERROR_PIPE_BUSY.
#[export(failure = INVALID_HANDLE_VALUE)]
fn CreateNamedPipeA(
    call: &mut ApiCall<'_>,
    lpName: Option<AnsiStr>,
    dwOpenMode: u32,
    dwPipeMode: u32,
    nMaxInstances: u32,
    nOutBufferSize: u32,
    nInBufferSize: u32,
    nDefaultTimeOut: u32,
    lpSecurityAttributes: Ptr,
) -> ApiReturn {
    create_named_pipe(
        call,
        lpName.as_deref(),
        dwOpenMode,
        dwPipeMode,
        nMaxInstances,
        nOutBufferSize,
        nInBufferSize,
        nDefaultTimeOut,
        lpSecurityAttributes,
    )
}

/// HANDLE CreateNamedPipeW(LPCWSTR lpName, ...): CreateNamedPipeA's wide twin.
#[export(failure = INVALID_HANDLE_VALUE)]
fn CreateNamedPipeW(
    call: &mut ApiCall<'_>,
    lpName: Option<WideStr>,
    dwOpenMode: u32,
    dwPipeMode: u32,
    nMaxInstances: u32,
    nOutBufferSize: u32,
    nInBufferSize: u32,
    nDefaultTimeOut: u32,
    lpSecurityAttributes: Ptr,
) -> ApiReturn {
    create_named_pipe(
        call,
        lpName.as_deref(),
        dwOpenMode,
        dwPipeMode,
        nMaxInstances,
        nOutBufferSize,
        nInBufferSize,
        nDefaultTimeOut,
        lpSecurityAttributes,
    )
}

/// Connects a client to the first listening instance of the pipe `name`.
fn connect_client(
    call: &mut ApiCall<'_>,
    name: &str,
    access: u32,
    flags: u32,
    inherit: bool,
) -> Result<Handle, NtStatus> {
    flush_deferred(call);
    let Some(def) = lookup(call.state, name) else {
        return Err(NtStatus::OBJECT_NAME_NOT_FOUND);
    };
    // CreateFile asks for SYNCHRONIZE and FILE_READ_ATTRIBUTES with every open.
    let access = access | 0x0010_0000 | 0x80;
    let granted = ObjectType::File.map_access(AccessMask(access)).0;
    let reads = granted & FILE_READ_DATA != 0;
    let writes = granted & FILE_WRITE_RIGHTS != 0;
    if (reads && def.direction & PIPE_ACCESS_OUTBOUND == 0)
        || (writes && def.direction & PIPE_ACCESS_INBOUND == 0)
    {
        return Err(NtStatus::ACCESS_DENIED);
    }
    let Some(instance) = def
        .live_instances()
        .into_iter()
        .find(|i| i.state.lock().state == State::Listening)
    else {
        return Err(NtStatus::PIPE_NOT_AVAILABLE);
    };
    let generation = {
        let mut s = instance.state.lock();
        s.state = State::Connected;
        s.client_open = true;
        s.generation += 1;
        s.inbound.clear();
        s.outbound.clear();
        for c in s.connectors.iter_mut() {
            c.1 = true;
        }
        s.update_events();
        s.generation
    };
    let connects = std::mem::take(&mut instance.state.lock().connects);
    for id in connects {
        overlapped::complete(call.machine, call.state, id, NtStatus::SUCCESS, 0, None);
    }
    let _ = instance.connected.set_event();
    def.update_listening();
    let end = NamedEnd {
        instance: Arc::clone(&instance),
        server: false,
        generation,
        mode: Mutex::new(0),
    };
    make_end(call, end, access, inherit, flags)
}

/// CreateFile of `\\.\pipe\NAME` (file.rs hands it over): a client end connected to a
/// listening instance. ERROR_FILE_NOT_FOUND when no pipe has the name, ERROR_PIPE_BUSY when
/// no instance listens, ERROR_ACCESS_DENIED for a direction the pipe does not have.
pub(crate) fn open_client(
    call: &mut ApiCall<'_>,
    name: &str,
    access: u32,
    flags: u32,
    inherit: bool,
) -> ApiReturn {
    match connect_client(call, name, access, flags, inherit) {
        Ok(handle) => {
            call.set_last_error(0);
            ApiReturn::Value(handle.0)
        }
        Err(status) => call.fail_with(status, INVALID_HANDLE_VALUE),
    }
}

/// The named end a handle of the caller names, with its File object.
fn named_end(call: &ApiCall<'_>, handle: Handle) -> Result<(Arc<Object>, bool), NtStatus> {
    let object = call
        .reference(handle, AccessMask(0), Some(ObjectType::File))
        .map_err(|e| e.status())?;
    match object.payload::<crate::pipe::PipeEnd>().map(|e| e.named()) {
        Some(Some(end)) => {
            let server = end.server;
            Ok((object, server))
        }
        Some(None) => Err(NtStatus::INVALID_PARAMETER),
        None => Err(NtStatus::INVALID_DEVICE_REQUEST),
    }
}

fn end_of(object: &Object) -> Option<&NamedEnd> {
    object.payload::<crate::pipe::PipeEnd>()?.named()
}

/// Sets (true) or resets the signal state of an end's File object, as NT's I/O manager
/// does with the file object's event around each I/O.
fn file_signal(object: &Object, signaled: bool) {
    let _ = object.set_signal_state(signaled);
}

/// BOOL ConnectNamedPipe(HANDLE hNamedPipe, LPOVERLAPPED lpOverlapped): waits for a client
/// on a listening (or disconnected) instance. ERROR_PIPE_CONNECTED when one came first,
/// ERROR_NO_DATA when it has already left, ERROR_PIPE_LISTENING in PIPE_NOWAIT mode,
/// ERROR_IO_PENDING for an overlapped handle (the OVERLAPPED completes when a client
/// connects), ERROR_INVALID_FUNCTION on a client end.
#[export]
fn ConnectNamedPipe(call: &mut ApiCall<'_>, hNamedPipe: Handle, lpOverlapped: Ptr) -> ApiReturn {
    flush_deferred(call);
    // KERNEL32 marks the OVERLAPPED pending before it asks NPFS; a call that fails at once
    // (ERROR_PIPE_CONNECTED among them) leaves it so.
    overlapped::mark_pending(call, lpOverlapped.0);
    let (object, server) = match named_end(call, hNamedPipe) {
        Ok(e) => e,
        Err(status) => return call.fail(status),
    };
    if !server {
        return call.fail(NtStatus::ILLEGAL_FUNCTION);
    }
    let Some(end) = end_of(&object) else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    let instance = Arc::clone(&end.instance);
    let nowait = *end.mode.lock() & PIPE_NOWAIT != 0;
    let Some(me) = current_thread(call) else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    let asynchronous = !lpOverlapped.is_null() && overlapped::is_overlapped(call.state, &object);
    let mut s = instance.state.lock();
    // A blocking call that waited comes back here.
    s.connectors.retain(|(t, _)| t.strong_count() > 0);
    if let Some(i) = s.connectors.iter().position(|(t, _)| same(t, &me)) {
        if s.connectors[i].1 {
            s.connectors.remove(i);
            drop(s);
            file_signal(&object, true);
            return ApiReturn::Value(1);
        }
        if s.state == State::Listening {
            return ApiReturn::Retry {
                objects: vec![Arc::clone(&instance.connected)],
                timeout: None,
            };
        }
        s.connectors.remove(i);
        return call.fail(NtStatus::PIPE_DISCONNECTED);
    }
    match s.state {
        State::Connected => return call.fail(NtStatus::PIPE_CONNECTED),
        State::Closing => return call.fail(NtStatus::PIPE_CLOSING),
        State::Disconnected => {
            s.state = State::Listening;
            let _ = instance.connected.reset_event();
            s.update_events();
        }
        State::Listening => {}
    }
    drop(s);
    instance.pipe.update_listening();
    if nowait {
        return call.fail(NtStatus::PIPE_LISTENING);
    }
    file_signal(&object, false);
    if asynchronous {
        match overlapped::start(call, &object, lpOverlapped.0, None, Op::Plain) {
            Ok(id) => {
                instance.state.lock().connects.push(id);
                call.fail_win32(Win32Error::IO_PENDING, 0)
            }
            Err(status) => call.fail(status),
        }
    } else {
        instance
            .state
            .lock()
            .connectors
            .push((Arc::downgrade(&me), false));
        ApiReturn::Retry {
            objects: vec![Arc::clone(&instance.connected)],
            timeout: None,
        }
    }
}

/// BOOL DisconnectNamedPipe(HANDLE hNamedPipe): throws away what is queued, cuts the client
/// off (its calls then fail with ERROR_PIPE_NOT_CONNECTED) and leaves the instance
/// disconnected until ConnectNamedPipe. ERROR_PIPE_NOT_CONNECTED when it already is,
/// ERROR_INVALID_FUNCTION on a client end.
#[export]
fn DisconnectNamedPipe(call: &mut ApiCall<'_>, hNamedPipe: Handle) -> ApiReturn {
    flush_deferred(call);
    let (object, server) = match named_end(call, hNamedPipe) {
        Ok(e) => e,
        Err(status) => return call.fail(status),
    };
    if !server {
        return call.fail(NtStatus::ILLEGAL_FUNCTION);
    }
    let Some(end) = end_of(&object) else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    let instance = Arc::clone(&end.instance);
    let mut failed = Vec::new();
    {
        let mut s = instance.state.lock();
        if s.state == State::Disconnected {
            return call.fail(NtStatus::PIPE_DISCONNECTED);
        }
        s.state = State::Disconnected;
        s.client_open = false;
        let st = &mut *s;
        for channel in [&mut st.inbound, &mut st.outbound] {
            channel.clear();
            failed.extend(channel.reads.drain(..).map(|r| r.id));
            failed.extend(channel.writes.drain(..).map(|w| w.id));
            for w in channel.writers.iter_mut().filter(|w| w.outcome.is_none()) {
                w.outcome = Some(Err(NtStatus::PIPE_DISCONNECTED));
                let _ = w.event.set_event();
            }
        }
        failed.append(&mut s.connects);
        s.update_events();
    }
    let _ = instance.connected.set_event();
    for id in failed {
        overlapped::complete(
            call.machine,
            call.state,
            id,
            NtStatus::PIPE_DISCONNECTED,
            0,
            None,
        );
    }
    instance.pipe.update_listening();
    ApiReturn::Value(1)
}

/// WaitNamedPipe's work.
fn wait_named_pipe(call: &mut ApiCall<'_>, name: Option<&str>, timeout: u32) -> ApiReturn {
    flush_deferred(call);
    let Some(name) = name else {
        return call.fail(NtStatus::OBJECT_NAME_INVALID);
    };
    let Some(short) = pipe_name(name) else {
        // A pipe on another machine (\\server\pipe\name) or no pipe at all.
        return call.fail_win32(Win32Error(53), 0); // ERROR_BAD_NETPATH
    };
    let Some(def) = lookup(call.state, short) else {
        return call.fail(NtStatus::OBJECT_NAME_NOT_FOUND);
    };
    let Some(me) = current_thread(call) else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    let now = call.machine.clock().now_ms();
    let mut waiters = def.waiters.lock();
    waiters.retain(|(t, _)| t.strong_count() > 0);
    let mine = waiters.iter().position(|(t, _)| same(t, &me));
    let listening = def
        .live_instances()
        .iter()
        .any(|i| i.state.lock().state == State::Listening);
    if listening {
        if let Some(i) = mine {
            waiters.remove(i);
        }
        return ApiReturn::Value(1);
    }
    let deadline = match mine {
        Some(i) => waiters[i].1,
        None => match timeout {
            NMPWAIT_WAIT_FOREVER => None,
            NMPWAIT_USE_DEFAULT_WAIT => Some(now + u64::from(def.default_timeout)),
            NMPWAIT_NOWAIT => Some(now),
            ms => Some(now + u64::from(ms)),
        },
    };
    if deadline.is_some_and(|d| d <= now) {
        if let Some(i) = mine {
            waiters.remove(i);
        }
        drop(waiters);
        return call.fail(NtStatus::IO_TIMEOUT);
    }
    if mine.is_none() {
        waiters.push((Arc::downgrade(&me), deadline));
    }
    ApiReturn::Retry {
        objects: vec![Arc::clone(&def.listening)],
        timeout: deadline.map(|d| Duration::from_millis(d - now)),
    }
}

/// BOOL WaitNamedPipeA(LPCSTR lpNamedPipeName, DWORD nTimeOut): TRUE once an instance of the
/// pipe listens (at once if one does); ERROR_SEM_TIMEOUT when the timeout passes first
/// (NMPWAIT_USE_DEFAULT_WAIT: the pipe's default), ERROR_FILE_NOT_FOUND when no pipe has
/// the name.
#[export]
fn WaitNamedPipeA(
    call: &mut ApiCall<'_>,
    lpNamedPipeName: Option<AnsiStr>,
    nTimeOut: u32,
) -> ApiReturn {
    wait_named_pipe(call, lpNamedPipeName.as_deref(), nTimeOut)
}

/// BOOL WaitNamedPipeW(LPCWSTR lpNamedPipeName, DWORD nTimeOut).
#[export]
fn WaitNamedPipeW(
    call: &mut ApiCall<'_>,
    lpNamedPipeName: Option<WideStr>,
    nTimeOut: u32,
) -> ApiReturn {
    wait_named_pipe(call, lpNamedPipeName.as_deref(), nTimeOut)
}

/// The channel an end reads, and whether it is connected for it.
fn check_connected(end: &NamedEnd, s: &InstanceState) -> Result<(), NtStatus> {
    if !end.server && end.generation != s.generation {
        return Err(NtStatus::PIPE_DISCONNECTED);
    }
    match s.state {
        State::Listening => Err(NtStatus::PIPE_LISTENING),
        State::Disconnected => Err(NtStatus::PIPE_DISCONNECTED),
        State::Connected | State::Closing => Ok(()),
    }
}

/// Serves the overlapped reads pending on a channel from what it holds, completing them.
fn serve_reads(call: &mut ApiCall<'_>, s: &mut InstanceState, inbound: bool) {
    loop {
        let channel = if inbound {
            &mut s.inbound
        } else {
            &mut s.outbound
        };
        let Some(read) = channel.reads.front().copied() else {
            return;
        };
        if !call
            .state
            .peek::<overlapped::IoState>()
            .is_some_and(|io| io.is_pending(read.id))
        {
            channel.reads.pop_front();
            continue;
        }
        if channel.is_empty() {
            return;
        }
        channel.reads.pop_front();
        let (data, more) = channel.take(read.length as usize, read.message);
        let status = if more {
            NtStatus::BUFFER_OVERFLOW
        } else {
            NtStatus::SUCCESS
        };
        overlapped::complete(
            call.machine,
            call.state,
            read.id,
            status,
            data.len() as u32,
            Some(&data),
        );
    }
}

/// After a read made room in a channel: completes the writes that now fit.
fn after_read(
    machine: &mut nt_kernel::Machine,
    state: &mut Win32State,
    s: &mut InstanceState,
    inbound: bool,
) {
    let channel = if inbound {
        &mut s.inbound
    } else {
        &mut s.outbound
    };
    let consumed = channel.consumed;
    let quota = channel.quota;
    for w in channel.writers.iter_mut().filter(|w| w.outcome.is_none()) {
        if w.end.saturating_sub(consumed) <= quota {
            w.outcome = Some(Ok(w.written));
            let _ = w.event.set_event();
        }
    }
    let (ready, waiting): (Vec<PendingWrite>, Vec<PendingWrite>) = channel
        .writes
        .drain(..)
        .partition(|w| w.end.saturating_sub(consumed) <= quota);
    channel.writes = waiting;
    s.update_events();
    for w in ready {
        overlapped::complete(machine, state, w.id, NtStatus::SUCCESS, w.written, None);
    }
}

/// Drops the requests queued on `instance` that will never complete as they are: overlapped
/// connects, reads and writes whose issuing thread ended (completed as cancelled, as NT
/// cancels a thread's I/O when it exits), overlapped writes cancelled (CancelIo), and
/// blocking writes whose thread ended. What the writes left unread goes from the pipe, as
/// NPFS drops a cancelled write IRP's data, and the writes behind them may now fit.
pub(crate) fn purge_writes(call: &mut ApiCall<'_>, instance: &Instance) {
    purge(call.machine, call.state, instance);
}

/// [`purge_writes`] for the machine and the layer's state; true when it dropped anything.
fn purge(machine: &mut nt_kernel::Machine, state: &mut Win32State, instance: &Instance) -> bool {
    let mut orphans = Vec::new();
    let mut purged = false;
    let mut s = instance.state.lock();
    s.connects.retain(|&id| {
        let gone = overlapped::issuer_gone(machine, state, id);
        if gone {
            orphans.push(id);
        }
        !gone
    });
    for inbound in [true, false] {
        let channel = if inbound {
            &mut s.inbound
        } else {
            &mut s.outbound
        };
        let mut dropped = Vec::new();
        channel.writes.retain(|w| {
            let pending = state
                .peek::<overlapped::IoState>()
                .is_some_and(|io| io.is_pending(w.id));
            let gone = overlapped::issuer_gone(machine, state, w.id);
            if gone {
                orphans.push(w.id);
            }
            let keep = pending && !gone;
            if !keep {
                dropped.push(w.end);
            }
            keep
        });
        channel.reads.retain(|r| {
            let gone = overlapped::issuer_gone(machine, state, r.id);
            if gone {
                orphans.push(r.id);
            }
            !gone
        });
        channel.writers.retain(|w| {
            let ended = w
                .thread
                .upgrade()
                .is_none_or(|t| t.is_signaled().unwrap_or(true));
            if ended && w.outcome.is_none() {
                dropped.push(w.end);
            }
            !ended
        });
        if dropped.is_empty() {
            continue;
        }
        purged = true;
        for end in dropped {
            channel.remove_write(end);
        }
        after_read(machine, state, &mut s, inbound);
    }
    s.update_events();
    drop(s);
    let any = !orphans.is_empty() || purged;
    for id in orphans {
        overlapped::complete(machine, state, id, NtStatus::CANCELLED, 0, None);
    }
    any
}

/// Reads from a named end: what ReadFile, ReadFileEx and TransactNamedPipe's read do. The
/// caller has checked the handle's access. `routine` is ReadFileEx's completion routine.
pub(crate) fn read(
    call: &mut ApiCall<'_>,
    object: &Arc<Object>,
    buffer: u32,
    length: u32,
    read_ptr: u32,
    ovl: u32,
    routine: Option<u32>,
) -> ApiReturn {
    flush_deferred(call);
    let Some(end) = end_of(object) else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    let instance = Arc::clone(&end.instance);
    purge_writes(call, &instance);
    let mode = *end.mode.lock();
    let message = mode & PIPE_READMODE_MESSAGE != 0 && instance.pipe.message_type;
    let nowait = mode & PIPE_NOWAIT != 0;
    let server = end.server;
    let asynchronous =
        ovl != 0 && (routine.is_some() || overlapped::is_overlapped(call.state, object));
    let mut s = instance.state.lock();
    if let Err(status) = check_connected(end, &s) {
        drop(s);
        file_signal(object, false);
        return call.fail(status);
    }
    let closing = s.state == State::Closing;
    let channel = if server {
        &mut s.inbound
    } else {
        &mut s.outbound
    };
    if channel.is_empty() {
        if closing {
            drop(s);
            file_signal(object, false);
            return call.fail(NtStatus::PIPE_BROKEN);
        }
        if nowait {
            drop(s);
            return call.fail(NtStatus::PIPE_EMPTY);
        }
        if asynchronous {
            drop(s);
            file_signal(object, false);
            return match overlapped::start(call, object, ovl, routine, Op::Read { buffer, length })
            {
                Ok(id) => {
                    let mut s = instance.state.lock();
                    let channel = if server {
                        &mut s.inbound
                    } else {
                        &mut s.outbound
                    };
                    channel.reads.push_back(PendingRead {
                        id,
                        length,
                        message,
                        server,
                    });
                    call.fail_win32(Win32Error::IO_PENDING, 0)
                }
                Err(status) => call.fail(status),
            };
        }
        return ApiReturn::Retry {
            objects: vec![Arc::clone(&channel.readable)],
            timeout: None,
        };
    }
    let (data, more) = channel.take(length as usize, message);
    after_read(call.machine, call.state, &mut s, server);
    drop(s);
    for (i, chunk) in data.chunks(COPY_CHUNK).enumerate() {
        if call
            .write_bytes(buffer.wrapping_add((i * COPY_CHUNK) as u32), chunk)
            .is_err()
        {
            return bad_pointer(call);
        }
    }
    let count = data.len() as u32;
    let status = if more {
        NtStatus::BUFFER_OVERFLOW
    } else {
        NtStatus::SUCCESS
    };
    file_signal(object, true);
    overlapped::complete_now(call, object, ovl, routine, status, count);
    // With an OVERLAPPED, a message cut short leaves *lpNumberOfBytesRead at 0: the count is
    // in InternalHigh.
    if !(more && ovl != 0) && call.write_out_u32(read_ptr, count).is_err() {
        return bad_pointer(call);
    }
    if more {
        call.fail(status)
    } else {
        ApiReturn::Value(1)
    }
}

/// Writes to a named end: what WriteFile, WriteFileEx and TransactNamedPipe's write do.
/// `wait` false never waits for room (TransactNamedPipe's write).
#[allow(clippy::too_many_arguments)]
pub(crate) fn write(
    call: &mut ApiCall<'_>,
    object: &Arc<Object>,
    buffer: u32,
    length: u32,
    written_ptr: u32,
    ovl: u32,
    routine: Option<u32>,
    wait: bool,
) -> ApiReturn {
    flush_deferred(call);
    let Some(end) = end_of(object) else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    let instance = Arc::clone(&end.instance);
    let Some(me) = current_thread(call) else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    let server = end.server;
    // A blocking write that waited comes back here.
    {
        let mut s = instance.state.lock();
        let channel = if server {
            &mut s.outbound
        } else {
            &mut s.inbound
        };
        channel.writers.retain(|w| w.thread.strong_count() > 0);
        if let Some(i) = channel.writers.iter().position(|w| same(&w.thread, &me)) {
            match channel.writers[i].outcome {
                Some(outcome) => {
                    channel.writers.remove(i);
                    drop(s);
                    return finish_write(call, object, outcome, written_ptr, ovl, routine);
                }
                None => {
                    return ApiReturn::Retry {
                        objects: vec![Arc::clone(&channel.writers[i].event)],
                        timeout: None,
                    };
                }
            }
        }
    }
    let mut data = Vec::new();
    for at in (0..length).step_by(COPY_CHUNK) {
        let len = (length - at).min(COPY_CHUNK as u32) as usize;
        match call.read_bytes(buffer.wrapping_add(at), len) {
            Ok(bytes) => data.extend(bytes),
            Err(_) => return bad_pointer(call),
        }
    }
    let nowait = *end.mode.lock() & PIPE_NOWAIT != 0;
    let asynchronous =
        ovl != 0 && (routine.is_some() || overlapped::is_overlapped(call.state, object));
    let message_type = instance.pipe.message_type;
    let mut s = instance.state.lock();
    if let Err(status) = check_connected(end, &s) {
        drop(s);
        file_signal(object, false);
        return call.fail(status);
    }
    if s.state == State::Closing {
        drop(s);
        file_signal(object, false);
        return call.fail(NtStatus::PIPE_CLOSING);
    }
    if data.is_empty() && !message_type {
        drop(s);
        return finish_write(call, object, Ok(0), written_ptr, ovl, routine);
    }
    if nowait {
        // PIPE_NOWAIT: what the pending reads take goes to them; the rest is written only if
        // all of it fits the quota. A message that does not fit is not written at all.
        let channel = if server { &s.outbound } else { &s.inbound };
        let io = call.state.peek::<overlapped::IoState>();
        let mut taken = 0u64;
        if channel.is_empty() {
            for r in channel
                .reads
                .iter()
                .filter(|r| io.is_some_and(|io| io.is_pending(r.id)))
            {
                taken += u64::from(r.length).min(data.len() as u64 - taken);
                if r.message || message_type {
                    break;
                }
            }
        }
        let rest = data.len() as u64 - taken;
        if channel.queued + rest > channel.quota {
            if message_type || taken == 0 {
                drop(s);
                return finish_write(call, object, Ok(0), written_ptr, ovl, routine);
            }
            data.truncate(taken as usize);
        }
    }
    let count = data.len() as u32;
    let end_at = {
        let channel = if server {
            &mut s.outbound
        } else {
            &mut s.inbound
        };
        channel.push(data)
    };
    serve_reads(call, &mut s, !server);
    s.update_events();
    let channel = if server {
        &mut s.outbound
    } else {
        &mut s.inbound
    };
    // A write waits while its own bytes do not fit: an empty message never does.
    if !wait || nowait || count == 0 || channel.fits(end_at) {
        drop(s);
        return finish_write(call, object, Ok(count), written_ptr, ovl, routine);
    }
    if asynchronous {
        drop(s);
        file_signal(object, false);
        return match overlapped::start(call, object, ovl, routine, Op::Plain) {
            Ok(id) => {
                let mut s = instance.state.lock();
                let channel = if server {
                    &mut s.outbound
                } else {
                    &mut s.inbound
                };
                channel.writes.push(PendingWrite {
                    id,
                    end: end_at,
                    written: count,
                    server,
                });
                call.fail_win32(Win32Error::IO_PENDING, 0)
            }
            Err(status) => call.fail(status),
        };
    }
    let event = call
        .machine
        .objects()
        .create_event(EventType::Notification, false);
    channel.writers.push(Writer {
        thread: Arc::downgrade(&me),
        end: end_at,
        written: count,
        event: Arc::clone(&event),
        outcome: None,
    });
    ApiReturn::Retry {
        objects: vec![event],
        timeout: None,
    }
}

fn finish_write(
    call: &mut ApiCall<'_>,
    object: &Arc<Object>,
    outcome: Result<u32, NtStatus>,
    written_ptr: u32,
    ovl: u32,
    routine: Option<u32>,
) -> ApiReturn {
    match outcome {
        Ok(count) => {
            file_signal(object, true);
            overlapped::complete_now(call, object, ovl, routine, NtStatus::SUCCESS, count);
            match call.write_out_u32(written_ptr, count) {
                Ok(()) => ApiReturn::Value(1),
                Err(_) => bad_pointer(call),
            }
        }
        Err(status) => call.fail(status),
    }
}

/// FlushFileBuffers on a named end: waits until the other end has read all this end wrote,
/// as NPFS does.
pub(crate) fn flush(call: &mut ApiCall<'_>, object: &Arc<Object>) -> ApiReturn {
    flush_deferred(call);
    let Some(end) = end_of(object) else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    let instance = Arc::clone(&end.instance);
    let Some(me) = current_thread(call) else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    let mut s = instance.state.lock();
    let channel = if end.server {
        &mut s.outbound
    } else {
        &mut s.inbound
    };
    // A flush that waited comes back here.
    channel.writers.retain(|w| w.thread.strong_count() > 0);
    if let Some(i) = channel.writers.iter().position(|w| same(&w.thread, &me)) {
        return match channel.writers[i].outcome {
            Some(outcome) => {
                channel.writers.remove(i);
                drop(s);
                match outcome {
                    Ok(_) => ApiReturn::Value(1),
                    Err(status) => call.fail(status),
                }
            }
            None => ApiReturn::Retry {
                objects: vec![Arc::clone(&channel.writers[i].event)],
                timeout: None,
            },
        };
    }
    if let Err(status) = check_connected(end, &s) {
        drop(s);
        return call.fail(status);
    }
    let closing = s.state == State::Closing;
    let channel = if end.server {
        &mut s.outbound
    } else {
        &mut s.inbound
    };
    if channel.is_empty() {
        return ApiReturn::Value(1);
    }
    if closing {
        drop(s);
        return call.fail(NtStatus::PIPE_BROKEN);
    }
    // A waiter whose limit leaves no byte unread: after_read completes it once the reader
    // has read everything queued now.
    let event = call
        .machine
        .objects()
        .create_event(EventType::Notification, false);
    let end_at = channel.produced + channel.quota;
    channel.writers.push(Writer {
        thread: Arc::downgrade(&me),
        end: end_at,
        written: 0,
        event: Arc::clone(&event),
        outcome: None,
    });
    ApiReturn::Retry {
        objects: vec![event],
        timeout: None,
    }
}

/// PeekNamedPipe on a named end: copies up to `size` bytes (one message of a message-type
/// pipe) without taking them; the total queued and the message's bytes left. A listening or
/// disconnected server end is ERROR_BAD_PIPE, a cut-off client ERROR_PIPE_NOT_CONNECTED, an
/// empty closing pipe ERROR_BROKEN_PIPE. The last value is the number of messages queued
/// (0 in a byte-type pipe).
pub(crate) fn peek(
    call: &mut ApiCall<'_>,
    object: &Object,
    size: u32,
) -> Result<(Vec<u8>, u32, u32, u32), NtStatus> {
    let end = end_of(object).ok_or(NtStatus::INVALID_HANDLE)?;
    purge_writes(call, &end.instance);
    let s = end.instance.state.lock();
    if !end.server && end.generation != s.generation {
        return Err(NtStatus::PIPE_DISCONNECTED);
    }
    match s.state {
        State::Listening | State::Disconnected if end.server => {
            return Err(NtStatus::INVALID_PIPE_STATE);
        }
        State::Listening | State::Disconnected => return Err(NtStatus::PIPE_DISCONNECTED),
        _ => {}
    }
    let channel = if end.server { &s.inbound } else { &s.outbound };
    if channel.is_empty() && s.state == State::Closing {
        return Err(NtStatus::PIPE_BROKEN);
    }
    let available = channel.queued as u32;
    let mut out = Vec::new();
    let mut first = true;
    let mut message_left = 0u32;
    for (i, m) in channel.messages.iter().enumerate() {
        let rest = if i == 0 { &m[channel.offset..] } else { &m[..] };
        if end.instance.pipe.message_type {
            if first {
                let n = rest.len().min(size as usize);
                out.extend_from_slice(&rest[..n]);
                message_left = (rest.len() - n) as u32;
            }
            break;
        }
        let n = rest.len().min(size as usize - out.len());
        out.extend_from_slice(&rest[..n]);
        first = false;
        if out.len() == size as usize {
            break;
        }
    }
    let left = if end.instance.pipe.message_type {
        message_left
    } else {
        0u32.wrapping_sub(out.len() as u32)
    };
    let messages = if end.instance.pipe.message_type {
        channel.messages.len() as u32
    } else {
        0
    };
    Ok((out, available, left, messages))
}

/// What GetNamedPipeInfo and GetNamedPipeHandleState report of a pipe's end.
struct EndInfo {
    /// PIPE_SERVER_END and PIPE_TYPE_MESSAGE bits.
    flags: u32,
    out_quota: u32,
    in_quota: u32,
    max_instances: u32,
    instances: u32,
    /// PIPE_READMODE_MESSAGE and PIPE_NOWAIT bits.
    mode: u32,
}

/// The end a handle names (a named pipe's, or an anonymous one's: its read end is the
/// server end of a byte pipe of one instance, as NT makes it).
fn end_info(call: &ApiCall<'_>, handle: Handle) -> Result<EndInfo, NtStatus> {
    let object = call
        .reference(handle, AccessMask(0), Some(ObjectType::File))
        .map_err(|e| e.status())?;
    let pipe_end = object
        .payload::<crate::pipe::PipeEnd>()
        .ok_or(NtStatus::INVALID_PARAMETER)?;
    if let Some(end) = pipe_end.named() {
        let def = &end.instance.pipe;
        return Ok(EndInfo {
            flags: (u32::from(end.server) * PIPE_SERVER_END)
                | if def.message_type {
                    PIPE_TYPE_MESSAGE
                } else {
                    0
                },
            out_quota: def.out_quota,
            in_quota: def.in_quota,
            max_instances: def.max_instances,
            instances: def.live_instances().len() as u32,
            mode: *end.mode.lock(),
        });
    }
    let (read_end, quota, nowait) = pipe_end
        .anonymous_info()
        .ok_or(NtStatus::INVALID_PARAMETER)?;
    Ok(EndInfo {
        flags: u32::from(read_end) * PIPE_SERVER_END,
        out_quota: quota,
        in_quota: quota,
        max_instances: 1,
        instances: 1,
        mode: u32::from(nowait) * PIPE_NOWAIT,
    })
}

/// BOOL GetNamedPipeInfo(HANDLE hNamedPipe, LPDWORD lpFlags, LPDWORD lpOutBufferSize,
/// LPDWORD lpInBufferSize, LPDWORD lpMaxInstances): PIPE_SERVER_END (or the client end) and
/// PIPE_TYPE_MESSAGE (or byte), the server's outbound and inbound quotas and the most
/// instances (0xFFFFFFFF for unlimited, as NPFS keeps PIPE_UNLIMITED_INSTANCES). A handle that is no pipe is ERROR_INVALID_PARAMETER.
#[export]
fn GetNamedPipeInfo(
    call: &mut ApiCall<'_>,
    hNamedPipe: Handle,
    lpFlags: Ptr,
    lpOutBufferSize: Ptr,
    lpInBufferSize: Ptr,
    lpMaxInstances: Ptr,
) -> ApiReturn {
    let info = match end_info(call, hNamedPipe) {
        Ok(i) => i,
        Err(status) => return call.fail(status),
    };
    let outs = [
        (lpFlags, info.flags),
        (lpOutBufferSize, info.out_quota),
        (lpInBufferSize, info.in_quota),
        (lpMaxInstances, info.max_instances),
    ];
    for (ptr, value) in outs {
        if call.write_out_u32(ptr.0, value).is_err() {
            return bad_pointer(call);
        }
    }
    ApiReturn::Value(1)
}

/// GetNamedPipeHandleState's work (A and W): the end's PIPE_NOWAIT and PIPE_READMODE_MESSAGE
/// bits and the pipe's live instances. The collection count and timeout and the user name
/// mean nothing on a local pipe: asking for them is ERROR_INVALID_PARAMETER.
#[allow(clippy::too_many_arguments)]
fn get_handle_state(
    call: &mut ApiCall<'_>,
    handle: Handle,
    state: Ptr,
    instances: Ptr,
    max_collection: Ptr,
    collect_timeout: Ptr,
    user_name: Ptr,
) -> ApiReturn {
    let info = match end_info(call, handle) {
        Ok(i) => i,
        Err(status) => return call.fail(status),
    };
    if !max_collection.is_null() || !collect_timeout.is_null() || !user_name.is_null() {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    for (ptr, value) in [(state, info.mode), (instances, info.instances)] {
        if call.write_out_u32(ptr.0, value).is_err() {
            return bad_pointer(call);
        }
    }
    ApiReturn::Value(1)
}

/// BOOL GetNamedPipeHandleStateA(HANDLE hNamedPipe, LPDWORD lpState, LPDWORD
/// lpCurInstances, LPDWORD lpMaxCollectionCount, LPDWORD lpCollectDataTimeout, LPSTR
/// lpUserName, DWORD nMaxUserNameSize).
#[export]
fn GetNamedPipeHandleStateA(
    call: &mut ApiCall<'_>,
    hNamedPipe: Handle,
    lpState: Ptr,
    lpCurInstances: Ptr,
    lpMaxCollectionCount: Ptr,
    lpCollectDataTimeout: Ptr,
    lpUserName: Ptr,
    nMaxUserNameSize: u32,
) -> ApiReturn {
    let _ = nMaxUserNameSize;
    get_handle_state(
        call,
        hNamedPipe,
        lpState,
        lpCurInstances,
        lpMaxCollectionCount,
        lpCollectDataTimeout,
        lpUserName,
    )
}

/// BOOL GetNamedPipeHandleStateW(...): GetNamedPipeHandleStateA's wide twin.
#[export]
fn GetNamedPipeHandleStateW(
    call: &mut ApiCall<'_>,
    hNamedPipe: Handle,
    lpState: Ptr,
    lpCurInstances: Ptr,
    lpMaxCollectionCount: Ptr,
    lpCollectDataTimeout: Ptr,
    lpUserName: Ptr,
    nMaxUserNameSize: u32,
) -> ApiReturn {
    let _ = nMaxUserNameSize;
    get_handle_state(
        call,
        hNamedPipe,
        lpState,
        lpCurInstances,
        lpMaxCollectionCount,
        lpCollectDataTimeout,
        lpUserName,
    )
}

/// Sets a named end's mode: message read mode needs a message-type pipe.
fn set_mode(object: &Object, mode: u32) -> Result<(), NtStatus> {
    let end = end_of(object).ok_or(NtStatus::INVALID_HANDLE)?;
    if mode & !(PIPE_READMODE_MESSAGE | PIPE_NOWAIT) != 0
        || (mode & PIPE_READMODE_MESSAGE != 0 && !end.instance.pipe.message_type)
    {
        return Err(NtStatus::INVALID_PARAMETER);
    }
    *end.mode.lock() = mode;
    Ok(())
}

/// BOOL SetNamedPipeHandleState(HANDLE hNamedPipe, LPDWORD lpMode, LPDWORD
/// lpMaxCollectionCount, LPDWORD lpCollectDataTimeout): sets this end's read mode
/// (PIPE_READMODE_MESSAGE needs a message-type pipe, else ERROR_INVALID_PARAMETER) and wait
/// mode (PIPE_NOWAIT). The collection settings apply to remote pipes only:
/// ERROR_INVALID_PARAMETER here.
#[export]
fn SetNamedPipeHandleState(
    call: &mut ApiCall<'_>,
    hNamedPipe: Handle,
    lpMode: Ptr,
    lpMaxCollectionCount: Ptr,
    lpCollectDataTimeout: Ptr,
) -> ApiReturn {
    let object = match call.reference(hNamedPipe, AccessMask(0), Some(ObjectType::File)) {
        Ok(o) => o,
        Err(e) => return call.fail(e.status()),
    };
    let Some(pipe_end) = object.payload::<crate::pipe::PipeEnd>() else {
        return call.fail(NtStatus::INVALID_PARAMETER);
    };
    if !lpMaxCollectionCount.is_null() || !lpCollectDataTimeout.is_null() {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    if lpMode.is_null() {
        return ApiReturn::Value(1);
    }
    let Ok(mode) = call.read_u32(lpMode.0) else {
        return bad_pointer(call);
    };
    let r = if pipe_end.named().is_some() {
        set_mode(&object, mode)
    } else {
        pipe_end.set_anonymous_mode(mode)
    };
    match r {
        Ok(()) => ApiReturn::Value(1),
        Err(status) => call.fail(status),
    }
}

/// BOOL TransactNamedPipe(HANDLE hNamedPipe, LPVOID lpInBuffer, DWORD nInBufferSize, LPVOID
/// lpOutBuffer, DWORD nOutBufferSize, LPDWORD lpBytesRead, LPOVERLAPPED lpOverlapped): writes
/// a message (without waiting for room) and reads the reply. The end must be in message read
/// mode (else ERROR_BAD_PIPE) with nothing waiting to be read (else ERROR_PIPE_BUSY).
#[export]
fn TransactNamedPipe(
    call: &mut ApiCall<'_>,
    hNamedPipe: Handle,
    lpInBuffer: Ptr,
    nInBufferSize: u32,
    lpOutBuffer: Ptr,
    nOutBufferSize: u32,
    lpBytesRead: Ptr,
    lpOverlapped: Ptr,
) -> ApiReturn {
    flush_deferred(call);
    let (object, _) = match named_end(call, hNamedPipe) {
        Ok(e) => e,
        Err(NtStatus::INVALID_DEVICE_REQUEST) | Err(NtStatus::INVALID_PARAMETER) => {
            return call.fail(NtStatus::INVALID_READ_MODE);
        }
        Err(status) => return call.fail(status),
    };
    for rights in [FILE_READ_DATA, FILE_WRITE_RIGHTS] {
        match call.granted_access(hNamedPipe) {
            Ok(g) if g.0 & rights != 0 => {}
            Ok(_) => return call.fail(NtStatus::ACCESS_DENIED),
            Err(e) => return call.fail(e.status()),
        }
    }
    let Some(end) = end_of(&object) else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    let instance = Arc::clone(&end.instance);
    let Some(me) = current_thread(call) else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    let waited = {
        let mut s = instance.state.lock();
        s.transacting.retain(|t| t.strong_count() > 0);
        match s.transacting.iter().position(|t| same(t, &me)) {
            Some(i) => {
                s.transacting.remove(i);
                true
            }
            None => false,
        }
    };
    if !waited {
        if *end.mode.lock() & PIPE_READMODE_MESSAGE == 0 {
            return call.fail(NtStatus::INVALID_READ_MODE);
        }
        {
            let s = instance.state.lock();
            if let Err(status) = check_connected(end, &s) {
                drop(s);
                return call.fail(status);
            }
            let channel = if end.server { &s.inbound } else { &s.outbound };
            if !channel.is_empty() {
                drop(s);
                return call.fail(NtStatus::PIPE_BUSY);
            }
        }
        let _ = call.write_out_u32(lpBytesRead.0, 0);
        match write(
            call,
            &object,
            lpInBuffer.0,
            nInBufferSize,
            0,
            0,
            None,
            false,
        ) {
            ApiReturn::Value(1) => {}
            failed => return failed,
        }
    }
    let result = read(
        call,
        &object,
        lpOutBuffer.0,
        nOutBufferSize,
        lpBytesRead.0,
        lpOverlapped.0,
        None,
    );
    if matches!(result, ApiReturn::Retry { .. }) {
        instance.state.lock().transacting.push(Arc::downgrade(&me));
    }
    result
}

/// CallNamedPipe's work: connect (waiting for an instance at most the timeout), message read
/// mode, one transaction, close.
#[allow(clippy::too_many_arguments)]
fn call_named_pipe(
    call: &mut ApiCall<'_>,
    name: Option<&str>,
    input: Ptr,
    input_size: u32,
    output: Ptr,
    output_size: u32,
    read_ptr: Ptr,
    timeout: u32,
) -> ApiReturn {
    let Some(name) = name else {
        return call.fail(NtStatus::OBJECT_NAME_INVALID);
    };
    let Some(me) = current_thread(call) else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    let pending = {
        let r = registry(call.state);
        r.calls.retain(|(t, _)| t.strong_count() > 0);
        r.calls
            .iter()
            .position(|(t, _)| same(t, &me))
            .map(|i| r.calls.remove(i).1)
    };
    let handle = match pending {
        Some(h) => h,
        None => {
            let Some(short) = pipe_name(name) else {
                return call.fail_win32(Win32Error(53), 0);
            };
            let access = 0x8000_0000 | 0x4000_0000;
            match connect_client(call, short, access, 0, false) {
                Ok(h) => {
                    if let Ok(object) = call.reference(h, AccessMask(0), Some(ObjectType::File)) {
                        let _ = set_mode(&object, PIPE_READMODE_MESSAGE);
                    }
                    h
                }
                Err(NtStatus::PIPE_NOT_AVAILABLE) => {
                    return match wait_named_pipe(call, Some(name), timeout) {
                        ApiReturn::Value(_) => ApiReturn::Retry {
                            objects: Vec::new(),
                            timeout: Some(Duration::ZERO),
                        },
                        other => other,
                    };
                }
                Err(status) => return call.fail(status),
            }
        }
    };
    let result = TransactNamedPipe(
        call,
        handle,
        input,
        input_size,
        output,
        output_size,
        read_ptr,
        Ptr::NULL,
    );
    if matches!(result, ApiReturn::Retry { .. }) {
        registry(call.state)
            .calls
            .push((Arc::downgrade(&me), handle));
        return result;
    }
    let last = call.last_error();
    let _ = call.close_handle(handle);
    flush_deferred(call);
    call.set_last_error(last);
    // A message longer than the buffer: NT's CallNamedPipe reports the part read as done.
    match result {
        ApiReturn::Value(0) if last == Win32Error::MORE_DATA.0 => ApiReturn::Value(1),
        other => other,
    }
}

/// BOOL CallNamedPipeA(LPCSTR lpNamedPipeName, LPVOID lpInBuffer, DWORD nInBufferSize,
/// LPVOID lpOutBuffer, DWORD nOutBufferSize, LPDWORD lpBytesRead, DWORD nTimeOut): connects
/// to the pipe (waiting for a free instance as WaitNamedPipe does), sends one message in
/// message read mode, reads the reply and closes.
#[export]
fn CallNamedPipeA(
    call: &mut ApiCall<'_>,
    lpNamedPipeName: Option<AnsiStr>,
    lpInBuffer: Ptr,
    nInBufferSize: u32,
    lpOutBuffer: Ptr,
    nOutBufferSize: u32,
    lpBytesRead: Ptr,
    nTimeOut: u32,
) -> ApiReturn {
    call_named_pipe(
        call,
        lpNamedPipeName.as_deref(),
        lpInBuffer,
        nInBufferSize,
        lpOutBuffer,
        nOutBufferSize,
        lpBytesRead,
        nTimeOut,
    )
}

/// BOOL CallNamedPipeW(LPCWSTR lpNamedPipeName, ...): CallNamedPipeA's wide twin.
#[export]
fn CallNamedPipeW(
    call: &mut ApiCall<'_>,
    lpNamedPipeName: Option<WideStr>,
    lpInBuffer: Ptr,
    nInBufferSize: u32,
    lpOutBuffer: Ptr,
    nOutBufferSize: u32,
    lpBytesRead: Ptr,
    nTimeOut: u32,
) -> ApiReturn {
    call_named_pipe(
        call,
        lpNamedPipeName.as_deref(),
        lpInBuffer,
        nInBufferSize,
        lpOutBuffer,
        nOutBufferSize,
        lpBytesRead,
        nTimeOut,
    )
}

/// Whether the server end of a named pipe that `handle` names may impersonate its client
/// (FSCTL_PIPE_IMPERSONATE, which ImpersonateNamedPipeClient sends): Ok when a client is
/// connected (or was, and closed its end since: its security context stays); else
/// STATUS_CANNOT_IMPERSONATE; STATUS_ILLEGAL_FUNCTION for a
/// client end; what `named_end` says for a handle that is not a named pipe's.
pub fn may_impersonate_client(call: &ApiCall<'_>, handle: Handle) -> Result<(), NtStatus> {
    let (object, server) = named_end(call, handle)?;
    if !server {
        return Err(NtStatus::ILLEGAL_FUNCTION);
    }
    let end = end_of(&object).ok_or(NtStatus::INVALID_HANDLE)?;
    if matches!(
        end.instance.state.lock().state,
        State::Connected | State::Closing
    ) {
        Ok(())
    } else {
        Err(NtStatus::CANNOT_IMPERSONATE)
    }
}
