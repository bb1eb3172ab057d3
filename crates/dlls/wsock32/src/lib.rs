//! WSOCK32.dll: Windows Sockets 1.1 as NT 4.0 has it, over the host's sockets.
//!
//! A SOCKET is a handle in the process's handle table, as on NT (where it names a File
//! object of the AFD driver): here a File object whose payload is a [`Socket`], holding a
//! host socket that is always non-blocking on the host. Blocking calls park the guest
//! thread and let the machine sleep in poll(2) on the host sockets (`wait`), so other
//! guest threads run on meanwhile and an idle machine burns no CPU.
//!
//! The network is sandboxed like the file system ([`NetworkPolicy`]): by default a guest
//! reaches only the loopback network. It can make sockets, bind and listen (on loopback,
//! INADDR_ANY meaning loopback on the host), and connect or send to 127.0.0.0/8; connect
//! and sendto to any other address fail at once with WSAENETUNREACH, and no packet leaves.
//! gethostbyname knows "localhost", the machine's own name (NTEMU, which gethostname
//! returns) and dotted addresses, and nothing else (WSAHOST_NOT_FOUND, no lookup). With
//! [`NetworkPolicy::Host`] (`ntemu run --network`) the host's network and resolver are
//! used.
//!
//! Implemented: WSAStartup, WSACleanup, WSAGetLastError, WSASetLastError, WSAIsBlocking,
//! __WSAFDIsSet, socket, closesocket, bind, listen, accept, connect, send, recv, sendto,
//! recvfrom, select, shutdown, ioctlsocket (FIONBIO, FIONREAD, SIOCATMARK), setsockopt and
//! getsockopt (SOL_SOCKET's options and TCP_NODELAY), getsockname, getpeername, the byte
//! order functions, inet_addr, inet_ntoa, gethostname, gethostbyname, gethostbyaddr,
//! getservbyname, getservbyport, getprotobyname and getprotobynumber. The rest of NT 4.0's
//! exports (the WSAAsync* functions, which need window messages, the blocking hooks,
//! Microsoft's extensions) are catalogued and stop the program when called.

mod names;
mod resolve;
mod select;
mod socket;
mod sockets;
mod startup;
mod wait;

use std::collections::HashMap;
use std::sync::{Arc, Weak};

use nt_object::{Handle, Object, ObjectType};
use nt_status::Win32Error;
use win32::{ApiCall, ApiReturn, BuiltinDll, DllHooks, PerProcess, Win32State, exports};

pub use socket::{Kind, Phase, Socket};

/// WSOCK32.dll.
pub static DLL: BuiltinDll = BuiltinDll {
    name: "WSOCK32.dll",
    exports: exports![
        startup::WSAStartup,
        startup::WSACleanup,
        startup::WSAGetLastError,
        startup::WSASetLastError,
        startup::WSAIsBlocking,
        select::__WSAFDIsSet,
        select::select,
        sockets::socket,
        sockets::closesocket,
        sockets::bind,
        sockets::listen,
        sockets::accept,
        sockets::connect,
        sockets::send,
        sockets::recv,
        sockets::sendto,
        sockets::recvfrom,
        sockets::shutdown,
        sockets::ioctlsocket,
        sockets::setsockopt,
        sockets::getsockopt,
        sockets::getsockname,
        sockets::getpeername,
        names::htons,
        names::ntohs,
        names::htonl,
        names::ntohl,
        names::inet_addr,
        names::inet_ntoa,
        names::gethostname,
        names::gethostbyname,
        names::gethostbyaddr,
        names::getservbyname,
        names::getservbyport,
        names::getprotobyname,
        names::getprotobynumber,
    ],
    catalogue: include_str!("../nt4-exports.txt"),
    later_catalogue: "",
    hooks: DllHooks {
        data_export: None,
        internal_thunk: None,
        process_attach: None,
        process_start: None,
    },
};

/// What the guest's sockets may reach.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum NetworkPolicy {
    /// The loopback network only (the default): connect and sendto to other addresses fail
    /// with WSAENETUNREACH without a packet leaving, sockets bind only to loopback, and
    /// names resolve only from ntemu's own table (no host lookup).
    #[default]
    Loopback,
    /// The host's network and name resolution (`ntemu run --network`).
    Host,
}

/// Sets what the machine's guests may reach (before they run).
pub fn set_network_policy(state: &mut Win32State, policy: NetworkPolicy) {
    state.get::<SockState>().policy = policy;
}

/// A failed Winsock call: the error WSAGetLastError then reports.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum SocketError {
    /// A Winsock error decided by WSOCK32 itself.
    #[error("Winsock error {}", .0.0)]
    Wsa(Win32Error),
    /// A host socket call failed.
    #[error("host socket call failed: {0}")]
    Host(#[from] rustix::io::Errno),
}

impl SocketError {
    /// The Winsock error code.
    pub fn code(self) -> Win32Error {
        match self {
            SocketError::Wsa(e) => e,
            SocketError::Host(errno) => socket::wsa_error(errno),
        }
    }
}

impl From<Win32Error> for SocketError {
    fn from(e: Win32Error) -> Self {
        SocketError::Wsa(e)
    }
}

/// SOCKET_ERROR and INVALID_SOCKET: what a failed call returns (the error is in
/// WSAGetLastError).
pub(crate) const SOCKET_ERROR: u32 = u32::MAX;

/// The machine's Winsock state.
#[derive(Default)]
pub struct SockState {
    policy: NetworkPolicy,
    processes: PerProcess<ProcessSockets>,
    pending: wait::PendingMap,
    interests: Vec<wait::Interest>,
}

/// A process's Winsock state.
#[derive(Default)]
struct ProcessSockets {
    /// WSAStartup calls not yet undone by WSACleanup.
    startups: u32,
    /// The sockets it made (handle and object), for the last WSACleanup to close.
    sockets: Vec<(Handle, Weak<Object>)>,
    /// Each thread's block of guest memory for inet_ntoa's string and the database
    /// functions' structures (by thread id).
    blocks: HashMap<u32, u32>,
}

/// The calling process's Winsock state.
fn process_state<'a>(call: &'a mut ApiCall<'_>) -> Option<&'a mut ProcessSockets> {
    let object = call.process_object()?;
    let pid = call.thread.process;
    Some(
        call.state
            .get::<SockState>()
            .processes
            .get_or_default(pid, &object),
    )
}

/// The machine's network policy.
fn policy(call: &mut ApiCall<'_>) -> NetworkPolicy {
    call.state.get::<SockState>().policy
}

/// WSANOTINITIALISED unless the calling process has called WSAStartup.
fn started(call: &mut ApiCall<'_>) -> Result<(), SocketError> {
    match process_state(call) {
        Some(p) if p.startups > 0 => Ok(()),
        _ => Err(Win32Error::WSANOTINITIALISED.into()),
    }
}

/// The socket object a SOCKET names: WSAENOTSOCK for anything else.
fn socket_object(call: &ApiCall<'_>, s: Handle) -> Result<Arc<Object>, SocketError> {
    let object = call
        .reference(s, nt_object::AccessMask(0), Some(ObjectType::File))
        .map_err(|_| SocketError::Wsa(Win32Error::WSAENOTSOCK))?;
    if object.payload::<Socket>().is_none() {
        return Err(Win32Error::WSAENOTSOCK.into());
    }
    Ok(object)
}

/// The payload of a socket object [`socket_object`] returned.
fn payload(object: &Object) -> Result<&Socket, SocketError> {
    object
        .payload::<Socket>()
        .ok_or(SocketError::Wsa(Win32Error::WSAENOTSOCK))
}

/// Ends a call: its value, or `failure` with the error set for WSAGetLastError.
fn finish(
    call: &mut ApiCall<'_>,
    result: Result<ApiReturn, SocketError>,
    failure: u32,
) -> ApiReturn {
    match result {
        Ok(r) => r,
        Err(e) => {
            call.set_last_error(e.code().0);
            ApiReturn::Value(failure)
        }
    }
}

/// The size of each thread's block of guest memory.
const THREAD_BLOCK_SIZE: u32 = 0x800;

/// The calling thread's block of guest memory (on the process heap, made on first use and
/// kept for the thread's life): where inet_ntoa's string and the HOSTENT, SERVENT and
/// PROTOENT the database functions return live, one of each per thread, as in Winsock.
fn thread_block(call: &mut ApiCall<'_>) -> Result<u32, SocketError> {
    let tid = call.thread.thread;
    if let Some(&at) = process_state(call).and_then(|p| p.blocks.get(&tid)) {
        return Ok(at);
    }
    let at = kernel32::heap::process_heap_alloc(call, THREAD_BLOCK_SIZE, true)
        .ok_or(SocketError::Wsa(Win32Error::WSAENOBUFS))?;
    if let Some(p) = process_state(call) {
        p.blocks.insert(tid, at);
    }
    Ok(at)
}
