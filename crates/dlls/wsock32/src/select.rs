//! select and __WSAFDIsSet. An FD_SET is `u_int fd_count` followed by `SOCKET
//! fd_array[FD_SETSIZE]` (64 by default; a program may define it larger, so fd_count is
//! read as it is, up to [`MAX_FD_COUNT`]).

use std::sync::Arc;

use nt_object::{Handle, Object};
use nt_status::Win32Error;
use rustix::event::PollFlags;
use win32::{ApiCall, ApiReturn, Ptr, export};

use crate::socket::{Kind, Phase, Socket};
use crate::wait::{Park, park, resume};
use crate::{SOCKET_ERROR, SocketError, finish, payload, socket_object, started};

/// The most sockets one FD_SET may hold here (NT reads what fd_count says).
const MAX_FD_COUNT: u32 = 1024;

/// The handles of the FD_SET at `set`, or None for NULL.
fn read_set(call: &ApiCall<'_>, set: Ptr) -> Result<Option<Vec<Handle>>, SocketError> {
    if set.is_null() {
        return Ok(None);
    }
    let fault = SocketError::Wsa(Win32Error::WSAEFAULT);
    let count = call.read_u32(set.0).map_err(|_| fault)?;
    if count > MAX_FD_COUNT {
        return Err(Win32Error::WSAEINVAL.into());
    }
    let bytes = call
        .read_bytes(set.0.wrapping_add(4), 4 * count as usize)
        .map_err(|_| fault)?;
    Ok(Some(
        bytes
            .chunks_exact(4)
            .map(|b| Handle(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
            .collect(),
    ))
}

/// A socket of a set: its handle and object.
type SetEntry = (Handle, Arc<Object>);

/// Which of select's three sets.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    Read,
    Write,
    Except,
}

/// Whether `socket` is ready for `which`, as NT's select says it: readable when data, a
/// connection to accept, or the peer's close waits; writable when connected and able to
/// send (or a datagram socket), or when a non-blocking connect has succeeded; exceptional
/// when a non-blocking connect has failed or urgent data waits. A stream socket that is
/// neither connected nor listening is ready for nothing.
fn is_ready(socket: &Socket, which: Which) -> bool {
    let state = socket.state();
    match (which, state.phase) {
        (Which::Read, Phase::Listening) => socket.ready(PollFlags::IN).contains(PollFlags::IN),
        (Which::Read, Phase::Connected) => !socket.ready(PollFlags::IN).is_empty(),
        (Which::Read, Phase::Open) => {
            socket.kind() == Kind::Datagram
                && state.local.is_some()
                && socket
                    .ready(PollFlags::IN)
                    .intersects(PollFlags::IN | PollFlags::ERR)
        }
        (Which::Write, Phase::Connecting) => matches!(socket.settle_connect(), Some(Ok(()))),
        (Which::Write, Phase::Connected) => socket
            .ready(PollFlags::OUT)
            .intersects(PollFlags::OUT | PollFlags::ERR),
        (Which::Write, Phase::Open) => socket.kind() == Kind::Datagram,
        (Which::Except, Phase::Connecting) => matches!(socket.settle_connect(), Some(Err(_))),
        (Which::Except, Phase::Open) => state.connect_error.is_some(),
        (Which::Except, Phase::Connected) => {
            socket.kind() == Kind::Stream && socket.ready(PollFlags::PRI).contains(PollFlags::PRI)
        }
        _ => false,
    }
}

/// The host readiness a parked select waits for on a socket in set `which`.
fn events(socket: &Socket, which: Which) -> PollFlags {
    match which {
        Which::Read => PollFlags::IN,
        Which::Write => PollFlags::OUT,
        Which::Except if socket.state().phase == Phase::Connecting => PollFlags::OUT,
        Which::Except => PollFlags::PRI,
    }
}

/// int select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds, const struct
/// timeval *timeout): waits until a socket of the sets is ready or the timeout (NULL: none;
/// zero: a poll) passes; leaves in each set only its ready sockets and returns how many
/// there are in all (0 on timeout). nfds is ignored. WSAEINVAL when all sets are empty,
/// WSAENOTSOCK when a set holds what is not a socket.
#[export(failure = SOCKET_ERROR)]
fn select(
    call: &mut ApiCall<'_>,
    nfds: i32,
    readfds: Ptr,
    writefds: Ptr,
    exceptfds: Ptr,
    timeout: Ptr,
) -> ApiReturn {
    let _ = nfds;
    let pending = resume(call, "select");
    let result = (|| {
        started(call)?;
        let sets = [
            (Which::Read, readfds, read_set(call, readfds)?),
            (Which::Write, writefds, read_set(call, writefds)?),
            (Which::Except, exceptfds, read_set(call, exceptfds)?),
        ];
        if sets
            .iter()
            .all(|(_, _, s)| s.as_ref().is_none_or(Vec::is_empty))
        {
            return Err(Win32Error::WSAEINVAL.into());
        }
        let fault = SocketError::Wsa(Win32Error::WSAEFAULT);
        let wait_ms = if timeout.is_null() {
            None
        } else {
            let tv = call.read_bytes(timeout.0, 8).map_err(|_| fault)?;
            let secs = i32::from_le_bytes([tv[0], tv[1], tv[2], tv[3]]).max(0) as u64;
            let usecs = i32::from_le_bytes([tv[4], tv[5], tv[6], tv[7]]).max(0) as u64;
            Some(secs * 1000 + usecs.div_ceil(1000))
        };
        let now = call.machine.clock().now_ms();
        let deadline = pending
            .as_ref()
            .and_then(|p| p.deadline)
            .or(wait_ms.map(|ms| now.saturating_add(ms)));
        // Every handle must be a socket, ready or not.
        let mut objects: Vec<(Which, Ptr, Vec<SetEntry>)> = Vec::new();
        for (which, at, set) in sets {
            let Some(set) = set else { continue };
            let mut resolved = Vec::with_capacity(set.len());
            for handle in set {
                resolved.push((handle, socket_object(call, handle)?));
            }
            objects.push((which, at, resolved));
        }
        let mut ready_sets: Vec<(Ptr, Vec<Handle>)> = Vec::new();
        let mut total = 0u32;
        for (which, at, set) in &objects {
            let mut ready = Vec::new();
            for (handle, object) in set {
                if is_ready(payload(object)?, *which) && !ready.contains(handle) {
                    ready.push(*handle);
                }
            }
            total += ready.len() as u32;
            ready_sets.push((*at, ready));
        }
        let expired = deadline.is_some_and(|d| now >= d);
        if total == 0 && !expired {
            let mut sockets = Vec::new();
            for (which, _, set) in &objects {
                for (_, object) in set {
                    sockets.push((Arc::clone(object), events(payload(object)?, *which)));
                }
            }
            return Ok(park(
                call,
                Park {
                    function: "select",
                    deadline,
                    progress: 0,
                    sockets,
                    lookup: None,
                },
            ));
        }
        for (at, ready) in ready_sets {
            let mut bytes = (ready.len() as u32).to_le_bytes().to_vec();
            for h in ready {
                bytes.extend_from_slice(&h.0.to_le_bytes());
            }
            call.write_bytes(at.0, &bytes).map_err(|_| fault)?;
        }
        Ok(ApiReturn::Value(total))
    })();
    finish(call, result, SOCKET_ERROR)
}

/// int __WSAFDIsSet(SOCKET fd, fd_set *set): non-zero when `fd` is in `set` (the FD_ISSET
/// macro).
#[export]
fn __WSAFDIsSet(call: &mut ApiCall<'_>, fd: Handle, set: Ptr) -> ApiReturn {
    let found = read_set(call, set)
        .ok()
        .flatten()
        .is_some_and(|handles| handles.contains(&fd));
    ApiReturn::Value(u32::from(found))
}
