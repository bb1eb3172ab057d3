//! Host name resolution, with the network on: the host's resolver (getaddrinfo, through
//! `std::net`) runs on a helper thread, so a slow name server stalls only the guest thread
//! that asked, not the machine. With the network off nothing here runs: names resolve
//! from ntemu's own table (localhost and the machine's own name) or not at all.

use std::net::{Ipv4Addr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use nt_object::Object;
use nt_status::Win32Error;
use parking_lot::Mutex;

/// A lookup running on a helper thread.
pub struct Lookup {
    /// Signalled when the lookup is done (the parked thread waits on it).
    pub event: Arc<Object>,
    result: Mutex<Option<Result<Vec<Ipv4Addr>, Win32Error>>>,
    noticed: AtomicBool,
}

impl Lookup {
    /// Starts looking `name` up; `event` is signalled when done.
    pub fn start(name: String, event: Arc<Object>) -> Arc<Lookup> {
        let lookup = Arc::new(Lookup {
            event,
            result: Mutex::new(None),
            noticed: AtomicBool::new(false),
        });
        let worker = Arc::clone(&lookup);
        let spawned = std::thread::Builder::new()
            .name("ntemu-resolver".into())
            .spawn(move || {
                let result = resolve(&name);
                *worker.result.lock() = Some(result);
                let _ = worker.event.set_event();
            });
        if spawned.is_err() {
            *lookup.result.lock() = Some(Err(Win32Error::WSATRY_AGAIN));
            let _ = lookup.event.set_event();
        }
        lookup
    }

    /// True (once) when the lookup has ended since this was last asked: the machine's idle
    /// loop then lets the parked thread run.
    pub fn is_done(&self) -> bool {
        self.result.lock().is_some() && !self.noticed.swap(true, Ordering::AcqRel)
    }

    /// The result, once the lookup is done.
    pub fn result(&self) -> Option<Result<Vec<Ipv4Addr>, Win32Error>> {
        self.result.lock().clone()
    }
}

/// The IPv4 addresses the host's resolver gives for `name`, in its order, without
/// repeats; WSAHOST_NOT_FOUND when it gives none.
fn resolve(name: &str) -> Result<Vec<Ipv4Addr>, Win32Error> {
    let addrs = (name, 0u16)
        .to_socket_addrs()
        .map_err(|_| Win32Error::WSAHOST_NOT_FOUND)?;
    let mut out: Vec<Ipv4Addr> = Vec::new();
    for a in addrs {
        if let SocketAddr::V4(v4) = a
            && !out.contains(v4.ip())
        {
            out.push(*v4.ip());
        }
    }
    if out.is_empty() {
        Err(Win32Error::WSAHOST_NOT_FOUND)
    } else {
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nt_object::{EventType, ObjectManager};

    #[test]
    fn a_lookup_runs_on_its_own_thread_and_signals_its_event() {
        let objects = ObjectManager::new();
        let event = objects.create_event(EventType::Notification, false);
        // A numeric name: the host's resolver answers it without asking a name server.
        let lookup = Lookup::start("127.0.0.1".into(), Arc::clone(&event));
        let mut result = None;
        for _ in 0..500 {
            result = lookup.result();
            if result.is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        assert_eq!(result, Some(Ok(vec![Ipv4Addr::LOCALHOST])));
        assert_eq!(event.reset_event(), Ok(true), "the event was signalled");
        assert!(lookup.is_done());
        assert!(!lookup.is_done(), "done is noticed once");
    }

    #[test]
    fn a_name_the_resolver_does_not_know_is_host_not_found() {
        // .invalid is reserved never to resolve (RFC 2606).
        assert_eq!(
            resolve("no-such-host.invalid"),
            Err(Win32Error::WSAHOST_NOT_FOUND)
        );
    }
}
