//! The socket object: what a SOCKET handle names. On NT a socket is a File object of the
//! AFD driver in the process's handle table; here it is a File object whose payload is a
//! [`Socket`]: a host socket (always non-blocking on the host) and the Winsock state the
//! guest sees (its blocking mode, whether it is bound, listening or connected, its options).

use std::net::{Ipv4Addr, SocketAddrV4};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use nt_status::Win32Error;
use parking_lot::Mutex;
use rustix::event::{PollFd, PollFlags};
use rustix::io::Errno;
use rustix::net::{AddressFamily, SocketFlags, SocketType};

use crate::SocketError;

/// What kind of socket it is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// SOCK_STREAM: TCP.
    Stream,
    /// SOCK_DGRAM: UDP.
    Datagram,
}

impl Kind {
    /// SO_TYPE's value.
    pub fn so_type(self) -> u32 {
        match self {
            Kind::Stream => 1,
            Kind::Datagram => 2,
        }
    }
}

/// Where a socket is in its life.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Phase {
    /// Created (and perhaps bound); not listening or connected.
    Open,
    /// listen() was called.
    Listening,
    /// A connect is in progress (the host's non-blocking connect has not completed).
    Connecting,
    /// Connected (a stream) or given a default peer (a datagram socket).
    Connected,
}

/// The options Winsock keeps itself (the host's socket has its own, which can differ: Linux
/// doubles buffer sizes, and ntemu's host sockets always reuse addresses).
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// SO_DEBUG (recorded; it changes nothing on NT either).
    pub debug: bool,
    /// SO_REUSEADDR as the guest set it.
    pub reuse_address: bool,
    /// SO_DONTROUTE.
    pub dont_route: bool,
    /// SO_SNDBUF as the guest set it (NT 4.0's default is 8192).
    pub send_buffer: u32,
    /// SO_RCVBUF as the guest set it (NT 4.0's default is 8192).
    pub receive_buffer: u32,
    /// SO_SNDTIMEO in milliseconds (0: none).
    pub send_timeout: u32,
    /// SO_RCVTIMEO in milliseconds (0: none).
    pub receive_timeout: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            debug: false,
            reuse_address: false,
            dont_route: false,
            send_buffer: 8192,
            receive_buffer: 8192,
            send_timeout: 0,
            receive_timeout: 0,
        }
    }
}

/// The Winsock state of a socket.
#[derive(Clone, Copy, Debug)]
pub struct State {
    /// FIONBIO: calls fail with WSAEWOULDBLOCK instead of waiting.
    pub nonblocking: bool,
    /// Where the socket is in its life.
    pub phase: Phase,
    /// The guest-visible local address once bound (explicitly or by connect/sendto).
    pub local: Option<SocketAddrV4>,
    /// The peer, once connected.
    pub peer: Option<SocketAddrV4>,
    /// shutdown(SD_RECEIVE) was called.
    pub receive_shut: bool,
    /// shutdown(SD_SEND) was called.
    pub send_shut: bool,
    /// A non-blocking connect failed with this error: select reports it in exceptfds and
    /// SO_ERROR returns it (once).
    pub connect_error: Option<Win32Error>,
    /// The options.
    pub options: Options,
}

/// The payload of a socket's File object.
pub struct Socket {
    fd: OwnedFd,
    kind: Kind,
    state: Mutex<State>,
}

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socket")
            .field("kind", &self.kind)
            .field("state", &*self.state.lock())
            .finish_non_exhaustive()
    }
}

impl AsFd for Socket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl Socket {
    /// A new host socket of `kind`, non-blocking and close-on-exec on the host.
    pub fn new(kind: Kind) -> Result<Socket, SocketError> {
        let socket_type = match kind {
            Kind::Stream => SocketType::STREAM,
            Kind::Datagram => SocketType::DGRAM,
        };
        let fd = rustix::net::socket_with(
            AddressFamily::INET,
            socket_type,
            SocketFlags::NONBLOCK | SocketFlags::CLOEXEC,
            None,
        )?;
        Ok(Socket::from_fd(fd, kind, false))
    }

    /// A socket around a host socket `fd` (non-blocking on the host) that accept returned.
    pub fn accepted(fd: OwnedFd, nonblocking: bool) -> Socket {
        let socket = Socket::from_fd(fd, Kind::Stream, nonblocking);
        {
            let mut state = socket.state.lock();
            state.phase = Phase::Connected;
            state.local = socket.host_local();
            state.peer = socket.host_peer();
        }
        socket
    }

    fn from_fd(fd: OwnedFd, kind: Kind, nonblocking: bool) -> Socket {
        Socket {
            fd,
            kind,
            state: Mutex::new(State {
                nonblocking,
                phase: Phase::Open,
                local: None,
                peer: None,
                receive_shut: false,
                send_shut: false,
                connect_error: None,
                options: Options::default(),
            }),
        }
    }

    /// Its kind.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// A copy of its Winsock state.
    pub fn state(&self) -> State {
        *self.state.lock()
    }

    /// Changes its Winsock state.
    pub fn update<R>(&self, change: impl FnOnce(&mut State) -> R) -> R {
        change(&mut self.state.lock())
    }

    /// The host socket.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// The host socket's local address.
    pub fn host_local(&self) -> Option<SocketAddrV4> {
        rustix::net::getsockname(&self.fd)
            .ok()
            .and_then(|a| SocketAddrV4::try_from(a).ok())
    }

    /// The host socket's peer.
    pub fn host_peer(&self) -> Option<SocketAddrV4> {
        rustix::net::getpeername(&self.fd)
            .ok()
            .flatten()
            .and_then(|a| SocketAddrV4::try_from(a).ok())
    }

    /// What the host socket is ready for now, of `events` (POLLHUP and POLLERR always
    /// count), without waiting.
    pub fn ready(&self, events: PollFlags) -> PollFlags {
        let mut fds = [PollFd::new(&self.fd, events)];
        match rustix::event::poll(&mut fds, Some(&rustix::event::Timespec::default())) {
            Ok(n) if n > 0 => fds[0].revents(),
            _ => PollFlags::empty(),
        }
    }

    /// Binds the host socket to `addr`, reusing addresses as NT does (a port whose last
    /// connection is in TIME_WAIT can be bound again).
    pub fn host_bind(&self, addr: SocketAddrV4) -> Result<(), SocketError> {
        if self.kind == Kind::Stream {
            rustix::net::sockopt::set_socket_reuseaddr(&self.fd, true)?;
        }
        rustix::net::bind(&self.fd, &addr)?;
        Ok(())
    }

    /// Settles a connect in progress: None while it is, else its result (the socket is then
    /// connected, or back to open with the error recorded).
    pub fn settle_connect(&self) -> Option<Result<(), SocketError>> {
        let ready = self.ready(PollFlags::OUT);
        if ready.is_empty() {
            return None;
        }
        let result = match rustix::net::sockopt::socket_error(&self.fd) {
            Ok(Ok(())) if !ready.intersects(PollFlags::ERR | PollFlags::HUP) => Ok(()),
            Ok(Ok(())) => Err(SocketError::Wsa(Win32Error::WSAECONNREFUSED)),
            Ok(Err(e)) | Err(e) => Err(SocketError::Host(e)),
        };
        let peer = self.host_peer();
        let local = self.host_local();
        self.update(|s| match &result {
            Ok(()) => {
                s.phase = Phase::Connected;
                s.peer = peer;
                s.local = local.or(s.local);
            }
            Err(e) => {
                s.phase = Phase::Open;
                s.connect_error = Some(e.code());
            }
        });
        Some(result)
    }
}

/// The loopback address 127.0.0.1.
pub const LOOPBACK: Ipv4Addr = Ipv4Addr::LOCALHOST;

/// The Winsock error for a host error.
pub fn wsa_error(errno: Errno) -> Win32Error {
    match errno {
        Errno::AGAIN | Errno::INPROGRESS => Win32Error::WSAEWOULDBLOCK,
        Errno::INTR => Win32Error::WSAEINTR,
        Errno::ACCESS | Errno::PERM => Win32Error::WSAEACCES,
        Errno::FAULT => Win32Error::WSAEFAULT,
        Errno::MFILE | Errno::NFILE => Win32Error::WSAEMFILE,
        Errno::ALREADY => Win32Error::WSAEALREADY,
        Errno::NOTSOCK | Errno::BADF => Win32Error::WSAENOTSOCK,
        Errno::DESTADDRREQ => Win32Error::WSAEDESTADDRREQ,
        Errno::MSGSIZE => Win32Error::WSAEMSGSIZE,
        Errno::PROTOTYPE => Win32Error::WSAEPROTOTYPE,
        Errno::NOPROTOOPT => Win32Error::WSAENOPROTOOPT,
        Errno::PROTONOSUPPORT => Win32Error::WSAEPROTONOSUPPORT,
        Errno::SOCKTNOSUPPORT => Win32Error::WSAESOCKTNOSUPPORT,
        Errno::OPNOTSUPP => Win32Error::WSAEOPNOTSUPP,
        Errno::AFNOSUPPORT => Win32Error::WSAEAFNOSUPPORT,
        Errno::ADDRINUSE => Win32Error::WSAEADDRINUSE,
        Errno::ADDRNOTAVAIL => Win32Error::WSAEADDRNOTAVAIL,
        Errno::NETDOWN => Win32Error::WSAENETDOWN,
        Errno::NETUNREACH => Win32Error::WSAENETUNREACH,
        Errno::NETRESET => Win32Error::WSAENETRESET,
        Errno::CONNABORTED => Win32Error::WSAECONNABORTED,
        Errno::CONNRESET | Errno::PIPE => Win32Error::WSAECONNRESET,
        Errno::NOBUFS | Errno::NOMEM => Win32Error::WSAENOBUFS,
        Errno::ISCONN => Win32Error::WSAEISCONN,
        Errno::NOTCONN => Win32Error::WSAENOTCONN,
        Errno::SHUTDOWN => Win32Error::WSAESHUTDOWN,
        Errno::TIMEDOUT => Win32Error::WSAETIMEDOUT,
        Errno::CONNREFUSED => Win32Error::WSAECONNREFUSED,
        Errno::HOSTDOWN => Win32Error::WSAEHOSTDOWN,
        Errno::HOSTUNREACH => Win32Error::WSAEHOSTUNREACH,
        _ => Win32Error::WSAEINVAL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_errors_become_winsock_errors() {
        assert_eq!(wsa_error(Errno::AGAIN), Win32Error::WSAEWOULDBLOCK);
        assert_eq!(wsa_error(Errno::CONNREFUSED), Win32Error(10061));
        assert_eq!(wsa_error(Errno::PIPE), Win32Error::WSAECONNRESET);
        assert_eq!(wsa_error(Errno::NOTSOCK), Win32Error(10038));
        assert_eq!(wsa_error(Errno::NETUNREACH), Win32Error(10051));
    }

    #[test]
    fn a_connect_to_a_closed_loopback_port_settles_as_refused() {
        // A listener that is closed again: its port is now (very likely) closed.
        let probe = Socket::new(Kind::Stream).expect("socket");
        probe
            .host_bind(SocketAddrV4::new(LOOPBACK, 0))
            .expect("bind");
        let port = probe.host_local().expect("local").port();
        drop(probe);
        let s = Socket::new(Kind::Stream).expect("socket");
        s.update(|st| st.phase = Phase::Connecting);
        match rustix::net::connect(s.fd(), &SocketAddrV4::new(LOOPBACK, port)) {
            Err(Errno::INPROGRESS) => {
                let mut result = None;
                for _ in 0..1000 {
                    result = s.settle_connect();
                    if result.is_some() {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                let err = result.expect("settled").expect_err("refused");
                assert_eq!(err.code(), Win32Error::WSAECONNREFUSED);
                assert_eq!(s.state().phase, Phase::Open);
                assert_eq!(s.state().connect_error, Some(Win32Error::WSAECONNREFUSED));
            }
            Err(e) => assert_eq!(e, Errno::CONNREFUSED),
            Ok(()) => panic!("connected to a closed port"),
        }
    }
}
