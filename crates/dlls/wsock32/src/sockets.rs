//! The socket calls: socket, closesocket, bind, listen, accept, connect, send, recv,
//! sendto, recvfrom, shutdown, ioctlsocket, setsockopt, getsockopt, getsockname and
//! getpeername, with NT 4.0's errors.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::sync::Arc;

use nt_object::{AccessMask, Handle, HandleAttributes, Object, ObjectType};
use nt_status::Win32Error;
use rustix::event::PollFlags;
use rustix::io::Errno;
use rustix::net::{RecvFlags, SendFlags, Shutdown};
use win32::{ApiCall, ApiReturn, Ptr, export};

use crate::socket::{Kind, LOOPBACK, Phase, Socket};
use crate::wait::{Park, park, resume};
use crate::{
    NetworkPolicy, SOCKET_ERROR, SocketError, finish, payload, policy, process_state,
    socket_object, started,
};

/// AF_INET.
pub(crate) const AF_INET: u16 = 2;
/// The size of a SOCKADDR_IN.
const SOCKADDR_IN_SIZE: u32 = 16;
/// MSG_OOB.
const MSG_OOB: u32 = 1;
/// MSG_PEEK.
const MSG_PEEK: u32 = 2;
/// MSG_DONTROUTE.
const MSG_DONTROUTE: u32 = 4;
/// The most bytes one host send or recv moves (a guest's length is cut to it).
const CHUNK: usize = 0x1_0000;
/// The largest UDP datagram (65535 less the IPv4 and UDP headers); longer is WSAEMSGSIZE.
const MAX_DATAGRAM: u32 = 65507;

/// Reads the SOCKADDR_IN at `name` (`namelen` bytes): WSAEFAULT when it is shorter than one
/// or unreadable, WSAEAFNOSUPPORT for another family.
pub(crate) fn read_sockaddr(
    call: &ApiCall<'_>,
    name: Ptr,
    namelen: i32,
) -> Result<SocketAddrV4, SocketError> {
    if name.is_null() || namelen < SOCKADDR_IN_SIZE as i32 {
        return Err(Win32Error::WSAEFAULT.into());
    }
    let bytes = call
        .read_bytes(name.0, SOCKADDR_IN_SIZE as usize)
        .map_err(|_| SocketError::Wsa(Win32Error::WSAEFAULT))?;
    if u16::from_le_bytes([bytes[0], bytes[1]]) != AF_INET {
        return Err(Win32Error::WSAEAFNOSUPPORT.into());
    }
    let port = u16::from_be_bytes([bytes[2], bytes[3]]);
    let ip = Ipv4Addr::new(bytes[4], bytes[5], bytes[6], bytes[7]);
    Ok(SocketAddrV4::new(ip, port))
}

/// The 16 bytes of a SOCKADDR_IN.
pub(crate) fn sockaddr_bytes(addr: SocketAddrV4) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[0..2].copy_from_slice(&AF_INET.to_le_bytes());
    b[2..4].copy_from_slice(&addr.port().to_be_bytes());
    b[4..8].copy_from_slice(&addr.ip().octets());
    b
}

/// Checks an optional address out-parameter pair before the call acts: `*namelen` must be
/// readable and hold at least 16, and `name` writable. NULL `name` passes (nothing to
/// write).
fn check_sockaddr_out(call: &mut ApiCall<'_>, name: Ptr, namelen: Ptr) -> Result<(), SocketError> {
    if name.is_null() {
        return Ok(());
    }
    let fault = SocketError::Wsa(Win32Error::WSAEFAULT);
    if namelen.is_null() {
        return Err(fault);
    }
    let len = call.read_u32(namelen.0).map_err(|_| fault)? as i32;
    if len < SOCKADDR_IN_SIZE as i32 {
        return Err(fault);
    }
    call.probe_write(name.0, SOCKADDR_IN_SIZE as usize)
        .map_err(|_| fault)?;
    call.probe_write(namelen.0, 4).map_err(|_| fault)
}

/// Writes `addr` to `name` and 16 to `*namelen` (checked by [`check_sockaddr_out`]).
fn write_sockaddr(
    call: &mut ApiCall<'_>,
    name: Ptr,
    namelen: Ptr,
    addr: SocketAddrV4,
) -> Result<(), SocketError> {
    if name.is_null() {
        return Ok(());
    }
    let fault = SocketError::Wsa(Win32Error::WSAEFAULT);
    call.write_bytes(name.0, &sockaddr_bytes(addr))
        .map_err(|_| fault)?;
    call.write_u32(namelen.0, SOCKADDR_IN_SIZE)
        .map_err(|_| fault)
}

/// May the guest reach `ip`? Always loopback; anything with the network on.
fn reachable(call: &mut ApiCall<'_>, ip: Ipv4Addr) -> bool {
    ip.is_loopback() || policy(call) == NetworkPolicy::Host
}

/// The socket object `s` names, with WSAStartup checked first.
fn open(call: &mut ApiCall<'_>, s: Handle) -> Result<Arc<Object>, SocketError> {
    started(call)?;
    socket_object(call, s)
}

/// Gives the calling process a handle to a new socket object around `socket`.
fn insert_socket(call: &mut ApiCall<'_>, socket: Socket) -> Result<u32, SocketError> {
    let object = call
        .machine
        .objects()
        .create_executive_object(ObjectType::File, Box::new(socket))
        .map_err(|_| SocketError::Wsa(Win32Error::WSAENOBUFS))?;
    let Some(process) = call.process_mut() else {
        return Err(Win32Error::WSAENOBUFS.into());
    };
    // Sockets are inheritable, as socket() makes them on NT.
    let handle = process
        .handle_table_mut()
        .insert(
            &object,
            object
                .object_type()
                .map_access(AccessMask::GENERIC_READ | AccessMask::GENERIC_WRITE),
            HandleAttributes::INHERIT,
        )
        .map_err(|_| SocketError::Wsa(Win32Error::WSAEMFILE))?;
    if let Some(p) = process_state(call) {
        p.sockets.retain(|(_, o)| o.strong_count() > 0);
        p.sockets.push((handle, Arc::downgrade(&object)));
    }
    Ok(handle.0)
}

/// SOCKET socket(int af, int type, int protocol): a new TCP (SOCK_STREAM) or UDP
/// (SOCK_DGRAM) socket of family AF_INET; INVALID_SOCKET with WSAEAFNOSUPPORT,
/// WSAESOCKTNOSUPPORT or WSAEPROTONOSUPPORT for anything else.
#[export(failure = SOCKET_ERROR)]
fn socket(call: &mut ApiCall<'_>, af: i32, r#type: i32, protocol: i32) -> ApiReturn {
    let result = (|| {
        started(call)?;
        if af != i32::from(AF_INET) {
            return Err(Win32Error::WSAEAFNOSUPPORT.into());
        }
        let kind = match r#type {
            1 => Kind::Stream,
            2 => Kind::Datagram,
            _ => return Err(Win32Error::WSAESOCKTNOSUPPORT.into()),
        };
        match (kind, protocol) {
            (_, 0) | (Kind::Stream, 6) | (Kind::Datagram, 17) => {}
            _ => return Err(Win32Error::WSAEPROTONOSUPPORT.into()),
        }
        let socket = Socket::new(kind)?;
        insert_socket(call, socket).map(ApiReturn::Value)
    })();
    finish(call, result, SOCKET_ERROR)
}

/// int closesocket(SOCKET s): closes the socket's handle (the host socket closes with the
/// last handle, gracefully unless SO_LINGER says otherwise); WSAENOTSOCK for what is not a
/// socket.
#[export(failure = SOCKET_ERROR)]
fn closesocket(call: &mut ApiCall<'_>, s: Handle) -> ApiReturn {
    let result = (|| {
        open(call, s)?;
        call.close_handle(s)
            .map_err(|_| SocketError::Wsa(Win32Error::WSAENOTSOCK))?;
        Ok(ApiReturn::Value(0))
    })();
    finish(call, result, SOCKET_ERROR)
}

/// Binds the host socket for a guest bind to `addr`: with the network off, INADDR_ANY is
/// loopback on the host and other addresses than loopback are not this machine's
/// (WSAEADDRNOTAVAIL). Returns the guest-visible local address.
fn bind_host(
    call: &mut ApiCall<'_>,
    socket: &Socket,
    addr: SocketAddrV4,
) -> Result<SocketAddrV4, SocketError> {
    let host = if policy(call) == NetworkPolicy::Host || addr.ip().is_loopback() {
        addr
    } else if addr.ip().is_unspecified() {
        SocketAddrV4::new(LOOPBACK, addr.port())
    } else {
        return Err(Win32Error::WSAEADDRNOTAVAIL.into());
    };
    socket.host_bind(host)?;
    let port = socket.host_local().map_or(addr.port(), |a| a.port());
    Ok(SocketAddrV4::new(*addr.ip(), port))
}

/// Binds an unbound socket before it sends or connects, as the stack would implicitly: to
/// INADDR_ANY with the network on, to loopback with it off (so nothing outside can reach
/// the socket).
fn bind_implicitly(call: &mut ApiCall<'_>, socket: &Socket) -> Result<(), SocketError> {
    if socket.state().local.is_some() {
        return Ok(());
    }
    let ip = match policy(call) {
        NetworkPolicy::Host => Ipv4Addr::UNSPECIFIED,
        NetworkPolicy::Loopback => LOOPBACK,
    };
    socket.host_bind(SocketAddrV4::new(ip, 0))?;
    let local = socket.host_local();
    socket.update(|s| s.local = local);
    Ok(())
}

/// int bind(SOCKET s, const struct sockaddr *name, int namelen): gives the socket its local
/// address (port 0: one the stack picks). WSAEINVAL if it has one already.
#[export(failure = SOCKET_ERROR)]
fn bind(call: &mut ApiCall<'_>, s: Handle, name: Ptr, namelen: i32) -> ApiReturn {
    let result = (|| {
        let object = open(call, s)?;
        let socket = payload(&object)?;
        let addr = read_sockaddr(call, name, namelen)?;
        if socket.state().local.is_some() {
            return Err(Win32Error::WSAEINVAL.into());
        }
        let local = bind_host(call, socket, addr)?;
        socket.update(|st| st.local = Some(local));
        Ok(ApiReturn::Value(0))
    })();
    finish(call, result, SOCKET_ERROR)
}

/// int listen(SOCKET s, int backlog): makes a bound stream socket listen. WSAEINVAL when it
/// is not bound, WSAEISCONN when connected, WSAEOPNOTSUPP for a datagram socket.
#[export(failure = SOCKET_ERROR)]
fn listen(call: &mut ApiCall<'_>, s: Handle, backlog: i32) -> ApiReturn {
    let result = (|| {
        let object = open(call, s)?;
        let socket = payload(&object)?;
        if socket.kind() != Kind::Stream {
            return Err(Win32Error::WSAEOPNOTSUPP.into());
        }
        let state = socket.state();
        match state.phase {
            Phase::Connected | Phase::Connecting => return Err(Win32Error::WSAEISCONN.into()),
            Phase::Open | Phase::Listening => {}
        }
        if state.local.is_none() {
            return Err(Win32Error::WSAEINVAL.into());
        }
        rustix::net::listen(socket.fd(), backlog.clamp(1, 0x7FFF))?;
        socket.update(|st| st.phase = Phase::Listening);
        Ok(ApiReturn::Value(0))
    })();
    finish(call, result, SOCKET_ERROR)
}

/// SOCKET accept(SOCKET s, struct sockaddr *addr, int *addrlen): the next connection a
/// listening socket has, as a new socket with the listener's blocking mode; waits for one
/// unless the socket is non-blocking (WSAEWOULDBLOCK). WSAEINVAL when not listening.
#[export(failure = SOCKET_ERROR)]
fn accept(call: &mut ApiCall<'_>, s: Handle, addr: Ptr, addrlen: Ptr) -> ApiReturn {
    let _ = resume(call, "accept");
    let result = (|| {
        let object = open(call, s)?;
        let socket = payload(&object)?;
        let state = socket.state();
        if state.phase != Phase::Listening {
            return Err(Win32Error::WSAEINVAL.into());
        }
        check_sockaddr_out(call, addr, addrlen)?;
        match rustix::net::acceptfrom_with(
            socket.fd(),
            rustix::net::SocketFlags::NONBLOCK | rustix::net::SocketFlags::CLOEXEC,
        ) {
            Ok((fd, _)) => {
                let accepted = Socket::accepted(fd, state.nonblocking);
                let peer = accepted.state().peer;
                let handle = insert_socket(call, accepted)?;
                if let Some(peer) = peer {
                    write_sockaddr(call, addr, addrlen, peer)?;
                }
                Ok(ApiReturn::Value(handle))
            }
            Err(Errno::AGAIN) if !state.nonblocking => Ok(park(
                call,
                Park {
                    function: "accept",
                    deadline: None,
                    progress: 0,
                    sockets: vec![(Arc::clone(&object), PollFlags::IN)],
                    lookup: None,
                },
            )),
            Err(e) => Err(e.into()),
        }
    })();
    finish(call, result, SOCKET_ERROR)
}

/// int connect(SOCKET s, const struct sockaddr *name, int namelen): connects a stream socket
/// (waiting until done unless it is non-blocking: WSAEWOULDBLOCK, then select reports the
/// outcome) or gives a datagram socket its peer. With the network off, an address outside
/// 127.0.0.0/8 is WSAENETUNREACH at once.
#[export(failure = SOCKET_ERROR)]
fn connect(call: &mut ApiCall<'_>, s: Handle, name: Ptr, namelen: i32) -> ApiReturn {
    let resumed = resume(call, "connect").is_some();
    let result = (|| {
        let object = open(call, s)?;
        let socket = payload(&object)?;
        let state = socket.state();
        if resumed && state.phase == Phase::Connecting {
            return match socket.settle_connect() {
                Some(Ok(())) => Ok(ApiReturn::Value(0)),
                Some(Err(e)) => {
                    // The error is the call's; select and SO_ERROR do not report it again.
                    socket.update(|st| st.connect_error = None);
                    Err(e)
                }
                None => Ok(park_connect(call, &object)),
            };
        }
        let addr = read_sockaddr(call, name, namelen)?;
        match state.phase {
            Phase::Listening => return Err(Win32Error::WSAEINVAL.into()),
            Phase::Connecting => {
                // Again while the first is under way: WSAEALREADY, or WSAEISCONN once it
                // has succeeded.
                return Err(match socket.settle_connect() {
                    Some(Ok(())) => Win32Error::WSAEISCONN,
                    Some(Err(e)) => e.code(),
                    None => Win32Error::WSAEALREADY,
                }
                .into());
            }
            Phase::Connected if socket.kind() == Kind::Stream => {
                return Err(Win32Error::WSAEISCONN.into());
            }
            _ => {}
        }
        if addr.ip().is_unspecified() || (socket.kind() == Kind::Stream && addr.port() == 0) {
            return Err(Win32Error::WSAEADDRNOTAVAIL.into());
        }
        if !reachable(call, *addr.ip()) {
            return Err(Win32Error::WSAENETUNREACH.into());
        }
        bind_implicitly(call, socket)?;
        socket.update(|st| st.connect_error = None);
        match rustix::net::connect(socket.fd(), &addr) {
            // A non-blocking stream socket's connect never completes at once on NT (select
            // reports it), even when the host's loopback connection did.
            Ok(()) if state.nonblocking && socket.kind() == Kind::Stream => {
                socket.update(|st| st.phase = Phase::Connecting);
                Err(Win32Error::WSAEWOULDBLOCK.into())
            }
            Ok(()) => {
                let local = socket.host_local();
                socket.update(|st| {
                    st.phase = Phase::Connected;
                    st.peer = Some(addr);
                    st.local = local.or(st.local);
                });
                Ok(ApiReturn::Value(0))
            }
            Err(Errno::INPROGRESS) => {
                socket.update(|st| st.phase = Phase::Connecting);
                if state.nonblocking {
                    Err(Win32Error::WSAEWOULDBLOCK.into())
                } else {
                    Ok(park_connect(call, &object))
                }
            }
            Err(e) => Err(e.into()),
        }
    })();
    finish(call, result, SOCKET_ERROR)
}

fn park_connect(call: &mut ApiCall<'_>, object: &Arc<Object>) -> ApiReturn {
    park(
        call,
        Park {
            function: "connect",
            deadline: None,
            progress: 0,
            sockets: vec![(Arc::clone(object), PollFlags::OUT)],
            lookup: None,
        },
    )
}

/// The deadline of a blocking call under a SO_SNDTIMEO / SO_RCVTIMEO of `ms` (0: none),
/// kept from the first time the call ran.
fn timeout_deadline(call: &ApiCall<'_>, resumed: Option<u64>, ms: u32) -> Option<u64> {
    resumed.or_else(|| (ms != 0).then(|| call.machine.clock().now_ms() + u64::from(ms)))
}

/// send and sendto: sends `len` bytes at `buf`; a blocking socket waits until all are taken
/// (or its SO_SNDTIMEO passes: WSAETIMEDOUT), a non-blocking one sends what fits
/// (WSAEWOULDBLOCK when nothing does).
#[allow(clippy::too_many_arguments)]
fn send_common(
    call: &mut ApiCall<'_>,
    function: &'static str,
    s: Handle,
    buf: Ptr,
    len: i32,
    flags: u32,
    to: Option<SocketAddrV4>,
) -> Result<ApiReturn, SocketError> {
    let pending = resume(call, function);
    let object = open(call, s)?;
    let socket = payload(&object)?;
    let state = socket.state();
    if flags & !(MSG_OOB | MSG_DONTROUTE) != 0 {
        return Err(Win32Error::WSAEOPNOTSUPP.into());
    }
    if len < 0 {
        return Err(Win32Error::WSAEFAULT.into());
    }
    if state.send_shut {
        return Err(Win32Error::WSAESHUTDOWN.into());
    }
    // A stream socket sends to its peer (sendto's address is ignored, as on NT).
    let to = match socket.kind() {
        Kind::Stream => None,
        Kind::Datagram => to,
    };
    match (to, state.phase) {
        (None, Phase::Connected) => {}
        (None, _) => return Err(Win32Error::WSAENOTCONN.into()),
        (Some(addr), _) => {
            if addr.ip().is_unspecified() || addr.port() == 0 {
                return Err(Win32Error::WSAEADDRNOTAVAIL.into());
            }
            if !reachable(call, *addr.ip()) {
                return Err(Win32Error::WSAENETUNREACH.into());
            }
            bind_implicitly(call, socket)?;
        }
    }
    let mut host_flags = SendFlags::NOSIGNAL;
    if flags & MSG_OOB != 0 {
        if socket.kind() == Kind::Datagram {
            return Err(Win32Error::WSAEOPNOTSUPP.into());
        }
        host_flags |= SendFlags::OOB;
    }
    if flags & MSG_DONTROUTE != 0 || state.options.dont_route {
        host_flags |= SendFlags::DONTROUTE;
    }
    let total = len as u32;
    let mut sent = pending.as_ref().map_or(0, |p| p.progress).min(total);
    let deadline = timeout_deadline(
        call,
        pending.as_ref().and_then(|p| p.deadline),
        state.options.send_timeout,
    );
    if socket.kind() == Kind::Datagram {
        // A datagram goes whole or not at all, and is at most what IPv4 carries.
        if total > MAX_DATAGRAM {
            return Err(Win32Error::WSAEMSGSIZE.into());
        }
        let bytes = call
            .read_bytes(buf.0, total as usize)
            .map_err(|_| SocketError::Wsa(Win32Error::WSAEFAULT))?;
        let result = match to {
            Some(addr) => rustix::net::sendto(socket.fd(), &bytes, host_flags, &addr),
            None => rustix::net::send(socket.fd(), &bytes, host_flags),
        };
        return match result {
            Ok(n) => Ok(ApiReturn::Value(n as u32)),
            Err(Errno::AGAIN) if !state.nonblocking => {
                Ok(park_send(call, function, &object, deadline, 0))
            }
            Err(e) => Err(e.into()),
        };
    }
    while sent < total {
        let chunk = ((total - sent) as usize).min(CHUNK);
        let bytes = call
            .read_bytes(buf.0.wrapping_add(sent), chunk)
            .map_err(|_| SocketError::Wsa(Win32Error::WSAEFAULT))?;
        match rustix::net::send(socket.fd(), &bytes, host_flags) {
            Ok(n) => sent += n as u32,
            Err(Errno::AGAIN) => {
                if state.nonblocking {
                    return if sent > 0 {
                        Ok(ApiReturn::Value(sent))
                    } else {
                        Err(Win32Error::WSAEWOULDBLOCK.into())
                    };
                }
                if deadline.is_some_and(|d| call.machine.clock().now_ms() >= d) {
                    return Err(Win32Error::WSAETIMEDOUT.into());
                }
                return Ok(park_send(call, function, &object, deadline, sent));
            }
            Err(Errno::PIPE) if socket.state().send_shut => {
                return Err(Win32Error::WSAESHUTDOWN.into());
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(ApiReturn::Value(sent))
}

fn park_send(
    call: &mut ApiCall<'_>,
    function: &'static str,
    object: &Arc<Object>,
    deadline: Option<u64>,
    progress: u32,
) -> ApiReturn {
    park(
        call,
        Park {
            function,
            deadline,
            progress,
            sockets: vec![(Arc::clone(object), PollFlags::OUT)],
            lookup: None,
        },
    )
}

/// int send(SOCKET s, const char *buf, int len, int flags): see [`send_common`].
#[export(failure = SOCKET_ERROR)]
fn send(call: &mut ApiCall<'_>, s: Handle, buf: Ptr, len: i32, flags: u32) -> ApiReturn {
    let result = send_common(call, "send", s, buf, len, flags, None);
    finish(call, result, SOCKET_ERROR)
}

/// int sendto(SOCKET s, const char *buf, int len, int flags, const struct sockaddr *to,
/// int tolen): send to `to` (a datagram socket's destination; ignored by a stream socket).
#[export(failure = SOCKET_ERROR)]
fn sendto(
    call: &mut ApiCall<'_>,
    s: Handle,
    buf: Ptr,
    len: i32,
    flags: u32,
    to: Ptr,
    tolen: i32,
) -> ApiReturn {
    let result = (|| {
        let addr = if to.is_null() {
            None
        } else {
            Some(read_sockaddr(call, to, tolen)?)
        };
        send_common(call, "sendto", s, buf, len, flags, addr)
    })();
    finish(call, result, SOCKET_ERROR)
}

/// recv and recvfrom: up to `len` bytes into `buf`; 0 when the peer has closed; a blocking
/// socket waits for data (or its SO_RCVTIMEO: WSAETIMEDOUT). A datagram longer than `len`
/// fills the buffer and fails with WSAEMSGSIZE, the rest being lost, as on NT.
fn recv_common(
    call: &mut ApiCall<'_>,
    function: &'static str,
    s: Handle,
    buf: Ptr,
    len: i32,
    flags: u32,
    from: Option<(Ptr, Ptr)>,
) -> Result<ApiReturn, SocketError> {
    let pending = resume(call, function);
    let object = open(call, s)?;
    let socket = payload(&object)?;
    let state = socket.state();
    if flags & !(MSG_OOB | MSG_PEEK) != 0 {
        return Err(Win32Error::WSAEOPNOTSUPP.into());
    }
    match socket.kind() {
        Kind::Stream if state.phase != Phase::Connected => {
            return Err(Win32Error::WSAENOTCONN.into());
        }
        Kind::Datagram if state.local.is_none() => return Err(Win32Error::WSAEINVAL.into()),
        _ => {}
    }
    if state.receive_shut {
        return Err(Win32Error::WSAESHUTDOWN.into());
    }
    if len < 0 {
        return Err(Win32Error::WSAEFAULT.into());
    }
    let want = (len as usize).min(CHUNK);
    let fault = SocketError::Wsa(Win32Error::WSAEFAULT);
    call.probe_write(buf.0, want).map_err(|_| fault)?;
    let from = from.filter(|(p, _)| !p.is_null() && socket.kind() == Kind::Datagram);
    if let Some((name, namelen)) = from {
        check_sockaddr_out(call, name, namelen)?;
    }
    let mut host_flags = RecvFlags::empty();
    if flags & MSG_PEEK != 0 {
        host_flags |= RecvFlags::PEEK;
    }
    if flags & MSG_OOB != 0 {
        host_flags |= RecvFlags::OOB;
    }
    if socket.kind() == Kind::Datagram {
        host_flags |= RecvFlags::TRUNC;
    }
    let deadline = timeout_deadline(
        call,
        pending.as_ref().and_then(|p| p.deadline),
        state.options.receive_timeout,
    );
    let mut data = vec![0u8; want];
    match rustix::net::recvfrom(socket.fd(), &mut data[..], host_flags) {
        Ok((_, full, source)) => {
            let got = full.min(want);
            call.write_bytes(buf.0, &data[..got]).map_err(|_| fault)?;
            if let (Some((name, namelen)), Some(source)) = (from, source)
                && let Ok(source) = SocketAddrV4::try_from(source)
            {
                write_sockaddr(call, name, namelen, source)?;
            }
            if full > want {
                return Err(Win32Error::WSAEMSGSIZE.into());
            }
            Ok(ApiReturn::Value(got as u32))
        }
        Err(Errno::AGAIN) if !state.nonblocking => {
            if deadline.is_some_and(|d| call.machine.clock().now_ms() >= d) {
                return Err(Win32Error::WSAETIMEDOUT.into());
            }
            let events = if flags & MSG_OOB != 0 {
                PollFlags::PRI
            } else {
                PollFlags::IN
            };
            Ok(park(
                call,
                Park {
                    function,
                    deadline,
                    progress: 0,
                    sockets: vec![(Arc::clone(&object), events)],
                    lookup: None,
                },
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// int recv(SOCKET s, char *buf, int len, int flags): see [`recv_common`].
#[export(failure = SOCKET_ERROR)]
fn recv(call: &mut ApiCall<'_>, s: Handle, buf: Ptr, len: i32, flags: u32) -> ApiReturn {
    let result = recv_common(call, "recv", s, buf, len, flags, None);
    finish(call, result, SOCKET_ERROR)
}

/// int recvfrom(SOCKET s, char *buf, int len, int flags, struct sockaddr *from, int
/// *fromlen): recv, and a datagram's source in `from` (a stream socket leaves it alone).
#[export(failure = SOCKET_ERROR)]
fn recvfrom(
    call: &mut ApiCall<'_>,
    s: Handle,
    buf: Ptr,
    len: i32,
    flags: u32,
    from: Ptr,
    fromlen: Ptr,
) -> ApiReturn {
    let result = recv_common(call, "recvfrom", s, buf, len, flags, Some((from, fromlen)));
    finish(call, result, SOCKET_ERROR)
}

/// int shutdown(SOCKET s, int how): SD_RECEIVE (0), SD_SEND (1) or SD_BOTH (2); WSAEINVAL
/// for another `how`, WSAENOTCONN when a stream socket is not connected.
#[export(failure = SOCKET_ERROR)]
fn shutdown(call: &mut ApiCall<'_>, s: Handle, how: i32) -> ApiReturn {
    let result = (|| {
        let object = open(call, s)?;
        let socket = payload(&object)?;
        let (receive, send, host) = match how {
            0 => (true, false, Shutdown::Read),
            1 => (false, true, Shutdown::Write),
            2 => (true, true, Shutdown::Both),
            _ => return Err(Win32Error::WSAEINVAL.into()),
        };
        if socket.state().phase != Phase::Connected {
            return Err(Win32Error::WSAENOTCONN.into());
        }
        match rustix::net::shutdown(socket.fd(), host) {
            Ok(()) | Err(Errno::NOTCONN) => {}
            Err(e) => return Err(e.into()),
        }
        socket.update(|st| {
            st.receive_shut |= receive;
            st.send_shut |= send;
        });
        Ok(ApiReturn::Value(0))
    })();
    finish(call, result, SOCKET_ERROR)
}

/// FIONBIO: _IOW('f', 126, u_long).
const FIONBIO: u32 = 0x8004_667E;
/// FIONREAD: _IOR('f', 127, u_long).
const FIONREAD: u32 = 0x4004_667F;
/// SIOCATMARK: _IOR('s', 7, u_long).
const SIOCATMARK: u32 = 0x4004_7307;

/// int ioctlsocket(SOCKET s, long cmd, u_long *argp): FIONBIO sets the blocking mode
/// (*argp non-zero: non-blocking), FIONREAD gives the bytes waiting to be read, SIOCATMARK
/// whether no urgent data waits. WSAEOPNOTSUPP for other commands (ioctlsocket is WSAIoctl
/// under NT's Winsock 2), WSAEFAULT for a bad argp.
#[export(failure = SOCKET_ERROR)]
fn ioctlsocket(call: &mut ApiCall<'_>, s: Handle, cmd: u32, argp: Ptr) -> ApiReturn {
    let result = (|| {
        let object = open(call, s)?;
        let socket = payload(&object)?;
        let fault = SocketError::Wsa(Win32Error::WSAEFAULT);
        let value = match cmd {
            FIONBIO => {
                let on = call.read_u32(argp.0).map_err(|_| fault)? != 0;
                socket.update(|st| st.nonblocking = on);
                return Ok(ApiReturn::Value(0));
            }
            FIONREAD => {
                let state = socket.state();
                let listening = state.phase == Phase::Listening;
                if listening || (socket.kind() == Kind::Stream && state.phase != Phase::Connected) {
                    0
                } else {
                    rustix::io::ioctl_fionread(socket.fd())
                        .map_or(0, |n| n.min(u64::from(u32::MAX)) as u32)
                }
            }
            SIOCATMARK => {
                let urgent = socket.kind() == Kind::Stream
                    && socket.ready(PollFlags::PRI).contains(PollFlags::PRI);
                u32::from(!urgent)
            }
            _ => return Err(Win32Error::WSAEOPNOTSUPP.into()),
        };
        call.write_u32(argp.0, value).map_err(|_| fault)?;
        Ok(ApiReturn::Value(0))
    })();
    finish(call, result, SOCKET_ERROR)
}

/// SOL_SOCKET.
const SOL_SOCKET: i32 = 0xFFFF;
/// IPPROTO_TCP.
const IPPROTO_TCP: i32 = 6;

/// The Winsock 1.1 socket options ntemu knows (SOL_SOCKET's, and TCP_NODELAY).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SockOpt {
    Debug,
    AcceptConn,
    ReuseAddr,
    KeepAlive,
    DontRoute,
    Broadcast,
    Linger,
    OobInline,
    DontLinger,
    SendBuffer,
    ReceiveBuffer,
    SendTimeout,
    ReceiveTimeout,
    Error,
    Type,
    NoDelay,
}

/// The option `name` of `level`: WSAEINVAL for an unknown level, WSAENOPROTOOPT for an
/// option NT 4.0 does not support there.
fn sock_opt(level: i32, name: i32) -> Result<SockOpt, SocketError> {
    let opt = match (level, name as u32) {
        (SOL_SOCKET, 0x0001) => SockOpt::Debug,
        (SOL_SOCKET, 0x0002) => SockOpt::AcceptConn,
        (SOL_SOCKET, 0x0004) => SockOpt::ReuseAddr,
        (SOL_SOCKET, 0x0008) => SockOpt::KeepAlive,
        (SOL_SOCKET, 0x0010) => SockOpt::DontRoute,
        (SOL_SOCKET, 0x0020) => SockOpt::Broadcast,
        (SOL_SOCKET, 0x0080) => SockOpt::Linger,
        (SOL_SOCKET, 0x0100) => SockOpt::OobInline,
        (SOL_SOCKET, 0xFFFF_FF7F) => SockOpt::DontLinger,
        (SOL_SOCKET, 0x1001) => SockOpt::SendBuffer,
        (SOL_SOCKET, 0x1002) => SockOpt::ReceiveBuffer,
        (SOL_SOCKET, 0x1005) => SockOpt::SendTimeout,
        (SOL_SOCKET, 0x1006) => SockOpt::ReceiveTimeout,
        (SOL_SOCKET, 0x1007) => SockOpt::Error,
        (SOL_SOCKET, 0x1008) => SockOpt::Type,
        (IPPROTO_TCP, 0x0001) => SockOpt::NoDelay,
        (SOL_SOCKET | IPPROTO_TCP, _) | (0, _) | (17, _) => {
            return Err(Win32Error::WSAENOPROTOOPT.into());
        }
        _ => return Err(Win32Error::WSAEINVAL.into()),
    };
    Ok(opt)
}

/// int setsockopt(SOCKET s, int level, int optname, const char *optval, int optlen).
#[export(failure = SOCKET_ERROR)]
fn setsockopt(
    call: &mut ApiCall<'_>,
    s: Handle,
    level: i32,
    optname: i32,
    optval: Ptr,
    optlen: i32,
) -> ApiReturn {
    let result = (|| {
        let object = open(call, s)?;
        let socket = payload(&object)?;
        let opt = sock_opt(level, optname)?;
        let fault = SocketError::Wsa(Win32Error::WSAEFAULT);
        let size = if opt == SockOpt::Linger { 4 } else { 1 };
        if optval.is_null() || optlen < size {
            return Err(fault);
        }
        // An int option may be given in fewer than 4 bytes (a BOOL as one char).
        let n = optlen.clamp(1, 4) as usize;
        let raw = call.read_bytes(optval.0, n).map_err(|_| fault)?;
        let mut word = [0u8; 4];
        word[..n].copy_from_slice(&raw);
        let value = u32::from_le_bytes(word);
        let on = value != 0;
        let fd = socket.fd();
        use rustix::net::sockopt as so;
        match opt {
            SockOpt::Debug => socket.update(|st| st.options.debug = on),
            SockOpt::ReuseAddr => socket.update(|st| st.options.reuse_address = on),
            SockOpt::DontRoute => socket.update(|st| st.options.dont_route = on),
            SockOpt::KeepAlive => so::set_socket_keepalive(fd, on)?,
            SockOpt::Broadcast => so::set_socket_broadcast(fd, on)?,
            SockOpt::OobInline => so::set_socket_oobinline(fd, on)?,
            SockOpt::Linger => {
                let onoff = value & 0xFFFF != 0;
                let seconds = u64::from(value >> 16);
                so::set_socket_linger(fd, onoff.then(|| std::time::Duration::from_secs(seconds)))?;
            }
            SockOpt::DontLinger => {
                let linger = so::socket_linger(fd)?;
                let keep = linger.unwrap_or_default();
                so::set_socket_linger(fd, (!on).then_some(keep))?;
            }
            SockOpt::SendBuffer => {
                so::set_socket_send_buffer_size(fd, value.max(1) as usize)?;
                socket.update(|st| st.options.send_buffer = value);
            }
            SockOpt::ReceiveBuffer => {
                so::set_socket_recv_buffer_size(fd, value.max(1) as usize)?;
                socket.update(|st| st.options.receive_buffer = value);
            }
            SockOpt::SendTimeout => socket.update(|st| st.options.send_timeout = value),
            SockOpt::ReceiveTimeout => socket.update(|st| st.options.receive_timeout = value),
            SockOpt::NoDelay => {
                if socket.kind() != Kind::Stream {
                    return Err(Win32Error::WSAENOPROTOOPT.into());
                }
                so::set_tcp_nodelay(fd, on)?;
            }
            SockOpt::AcceptConn | SockOpt::Error | SockOpt::Type => {
                return Err(Win32Error::WSAENOPROTOOPT.into());
            }
        }
        Ok(ApiReturn::Value(0))
    })();
    finish(call, result, SOCKET_ERROR)
}

/// int getsockopt(SOCKET s, int level, int optname, char *optval, int *optlen): the value
/// (4 bytes; SO_LINGER a LINGER of two u_shorts) and 4 in *optlen; WSAEFAULT when *optlen
/// is smaller.
#[export(failure = SOCKET_ERROR)]
fn getsockopt(
    call: &mut ApiCall<'_>,
    s: Handle,
    level: i32,
    optname: i32,
    optval: Ptr,
    optlen: Ptr,
) -> ApiReturn {
    let result = (|| {
        let object = open(call, s)?;
        let socket = payload(&object)?;
        let opt = sock_opt(level, optname)?;
        let fault = SocketError::Wsa(Win32Error::WSAEFAULT);
        if optval.is_null() || optlen.is_null() {
            return Err(fault);
        }
        let room = call.read_u32(optlen.0).map_err(|_| fault)? as i32;
        if room < 4 {
            return Err(fault);
        }
        call.probe_write(optval.0, 4).map_err(|_| fault)?;
        let state = socket.state();
        let fd = socket.fd();
        use rustix::net::sockopt as so;
        let value: u32 = match opt {
            SockOpt::Debug => state.options.debug.into(),
            SockOpt::AcceptConn => (state.phase == Phase::Listening).into(),
            SockOpt::ReuseAddr => state.options.reuse_address.into(),
            SockOpt::DontRoute => state.options.dont_route.into(),
            SockOpt::KeepAlive => so::socket_keepalive(fd)?.into(),
            SockOpt::Broadcast => so::socket_broadcast(fd)?.into(),
            SockOpt::OobInline => so::socket_oobinline(fd)?.into(),
            SockOpt::Linger => match so::socket_linger(fd)? {
                Some(d) => 1 | ((d.as_secs().min(0xFFFF) as u32) << 16),
                None => 0,
            },
            SockOpt::DontLinger => so::socket_linger(fd)?.is_none().into(),
            SockOpt::SendBuffer => state.options.send_buffer,
            SockOpt::ReceiveBuffer => state.options.receive_buffer,
            SockOpt::SendTimeout => state.options.send_timeout,
            SockOpt::ReceiveTimeout => state.options.receive_timeout,
            SockOpt::Error => {
                // A failed non-blocking connect's error, reported once; else the host's.
                let recorded = socket.update(|st| st.connect_error.take());
                match recorded {
                    Some(e) => e.0,
                    None => match so::socket_error(fd)? {
                        Ok(()) => 0,
                        Err(e) => crate::socket::wsa_error(e).0,
                    },
                }
            }
            SockOpt::Type => socket.kind().so_type(),
            SockOpt::NoDelay => {
                if socket.kind() != Kind::Stream {
                    return Err(Win32Error::WSAENOPROTOOPT.into());
                }
                so::tcp_nodelay(fd)?.into()
            }
        };
        call.write_u32(optval.0, value).map_err(|_| fault)?;
        call.write_u32(optlen.0, 4).map_err(|_| fault)?;
        Ok(ApiReturn::Value(0))
    })();
    finish(call, result, SOCKET_ERROR)
}

/// int getsockname(SOCKET s, struct sockaddr *name, int *namelen): the local address;
/// WSAEINVAL while the socket is not bound.
#[export(failure = SOCKET_ERROR)]
fn getsockname(call: &mut ApiCall<'_>, s: Handle, name: Ptr, namelen: Ptr) -> ApiReturn {
    let result = (|| {
        let object = open(call, s)?;
        let socket = payload(&object)?;
        let Some(local) = socket.state().local else {
            return Err(Win32Error::WSAEINVAL.into());
        };
        if name.is_null() {
            return Err(Win32Error::WSAEFAULT.into());
        }
        check_sockaddr_out(call, name, namelen)?;
        write_sockaddr(call, name, namelen, local)?;
        Ok(ApiReturn::Value(0))
    })();
    finish(call, result, SOCKET_ERROR)
}

/// int getpeername(SOCKET s, struct sockaddr *name, int *namelen): the peer's address;
/// WSAENOTCONN when the socket is not connected.
#[export(failure = SOCKET_ERROR)]
fn getpeername(call: &mut ApiCall<'_>, s: Handle, name: Ptr, namelen: Ptr) -> ApiReturn {
    let result = (|| {
        let object = open(call, s)?;
        let socket = payload(&object)?;
        let state = socket.state();
        let (Phase::Connected, Some(peer)) = (state.phase, state.peer) else {
            return Err(Win32Error::WSAENOTCONN.into());
        };
        if name.is_null() {
            return Err(Win32Error::WSAEFAULT.into());
        }
        check_sockaddr_out(call, name, namelen)?;
        write_sockaddr(call, name, namelen, peer)?;
        Ok(ApiReturn::Value(0))
    })();
    finish(call, result, SOCKET_ERROR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockaddr_in_is_family_port_address_zeros() {
        let b = sockaddr_bytes(SocketAddrV4::new(Ipv4Addr::new(127, 0, 0, 1), 0x1234));
        assert_eq!(b, [2, 0, 0x12, 0x34, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn option_levels_and_names_map_as_on_nt() {
        assert_eq!(sock_opt(SOL_SOCKET, 4), Ok(SockOpt::ReuseAddr));
        assert_eq!(sock_opt(SOL_SOCKET, 0x1008), Ok(SockOpt::Type));
        assert_eq!(sock_opt(SOL_SOCKET, !0x80), Ok(SockOpt::DontLinger));
        assert_eq!(sock_opt(IPPROTO_TCP, 1), Ok(SockOpt::NoDelay));
        assert_eq!(
            sock_opt(SOL_SOCKET, 0x1003).map_err(SocketError::code),
            Err(Win32Error::WSAENOPROTOOPT),
            "SO_SNDLOWAT is not supported"
        );
        assert_eq!(
            sock_opt(12345, 1).map_err(SocketError::code),
            Err(Win32Error::WSAEINVAL)
        );
    }
}
