//! Byte order, addresses and the database functions: htons and friends, inet_addr,
//! inet_ntoa, gethostname, gethostbyname, gethostbyaddr, getservbyname, getservbyport,
//! getprotobyname, getprotobynumber.
//!
//! As in Winsock, what inet_ntoa and the get*by* functions return lives in memory of the
//! calling thread, reused by its next call: here one block of guest memory per thread
//! ([`thread_block`]) holds the string and one HOSTENT, SERVENT and PROTOENT.

use std::net::Ipv4Addr;

use nt_object::EventType;
use nt_status::Win32Error;
use win32::{ApiCall, ApiReturn, Ptr, export};

use crate::resolve::Lookup;
use crate::sockets::AF_INET;
use crate::wait::{Park, park, resume};
use crate::{NetworkPolicy, SocketError, finish, policy, started, thread_block};

/// Where inet_ntoa's string is in a thread's block.
const NTOA_OFFSET: u32 = 0;
/// Where the HOSTENT (and what it points to) is.
const HOSTENT_OFFSET: u32 = 32;
/// The room for the HOSTENT.
const HOSTENT_SIZE: usize = 1024;
/// Where the SERVENT is.
const SERVENT_OFFSET: u32 = HOSTENT_OFFSET + HOSTENT_SIZE as u32;
/// Where the PROTOENT is.
const PROTOENT_OFFSET: u32 = SERVENT_OFFSET + 256;
/// The most addresses a HOSTENT lists (Winsock's MAXADDRS).
const MAX_ADDRESSES: usize = 35;
/// The longest host name.
const MAX_NAME: usize = 255;
/// INADDR_NONE: what inet_addr returns for what is not an address.
const INADDR_NONE: u32 = 0xFFFF_FFFF;

/// u_short htons(u_short hostshort): to network byte order.
#[export]
fn htons(call: &mut ApiCall<'_>, hostshort: u16) -> ApiReturn {
    let _ = call;
    ApiReturn::Value(u32::from(hostshort.swap_bytes()))
}

/// u_short ntohs(u_short netshort): to host byte order.
#[export]
fn ntohs(call: &mut ApiCall<'_>, netshort: u16) -> ApiReturn {
    let _ = call;
    ApiReturn::Value(u32::from(netshort.swap_bytes()))
}

/// u_long htonl(u_long hostlong): to network byte order.
#[export]
fn htonl(call: &mut ApiCall<'_>, hostlong: u32) -> ApiReturn {
    let _ = call;
    ApiReturn::Value(hostlong.swap_bytes())
}

/// u_long ntohl(u_long netlong): to host byte order.
#[export]
fn ntohl(call: &mut ApiCall<'_>, netlong: u32) -> ApiReturn {
    let _ = call;
    ApiReturn::Value(netlong.swap_bytes())
}

/// One number of a dotted address: decimal, octal with a leading 0, hex with 0x.
fn parse_part(text: &[u8]) -> Option<u64> {
    let (digits, radix) = match text {
        [b'0', b'x' | b'X', rest @ ..] => (rest, 16),
        [b'0', rest @ ..] if !rest.is_empty() => (rest, 8),
        _ => (text, 10),
    };
    if digits.is_empty() && radix == 10 {
        return None;
    }
    let mut value: u64 = 0;
    for &d in digits {
        let v = char::from(d).to_digit(radix)?;
        value = value
            .checked_mul(u64::from(radix))?
            .checked_add(u64::from(v))?;
        if value > 0xFFFF_FFFF {
            return None;
        }
    }
    Some(value)
}

/// The address of a dotted string as inet_addr reads it (BSD's rules, as NT's): one to
/// four parts, "a.b.c.d", "a.b.c" (c fills 16 bits), "a.b" (b fills 24) or "a" (32 bits),
/// each part decimal, octal or hex; the text ends at its NUL or at white space. The
/// address's bytes in network order, or None.
pub(crate) fn parse_address(text: &[u8]) -> Option<[u8; 4]> {
    let end = text
        .iter()
        .position(|b| b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let text = &text[..end];
    let parts: Vec<u64> = text
        .split(|&b| b == b'.')
        .map(parse_part)
        .collect::<Option<_>>()?;
    let value = match parts.as_slice() {
        [a] => *a,
        [a, b] if *a <= 0xFF && *b <= 0xFF_FFFF => a << 24 | b,
        [a, b, c] if *a <= 0xFF && *b <= 0xFF && *c <= 0xFFFF => a << 24 | b << 16 | c,
        [a, b, c, d] if [a, b, c, d].iter().all(|p| **p <= 0xFF) => a << 24 | b << 16 | c << 8 | d,
        _ => return None,
    };
    Some((value as u32).to_be_bytes())
}

/// unsigned long inet_addr(const char *cp): the address in network byte order, or
/// INADDR_NONE. NT 4.0 (as every Windows up to XP) gives INADDR_ANY for an empty string.
#[export(failure = INADDR_NONE)]
fn inet_addr(call: &mut ApiCall<'_>, cp: Ptr) -> ApiReturn {
    if cp.is_null() {
        return ApiReturn::Value(INADDR_NONE);
    }
    let Ok(text) = call.read_c_bytes(cp.0, 256) else {
        return ApiReturn::Value(INADDR_NONE);
    };
    if text.is_empty() {
        return ApiReturn::Value(0);
    }
    match parse_address(&text) {
        Some(bytes) => ApiReturn::Value(u32::from_le_bytes(bytes)),
        None => ApiReturn::Value(INADDR_NONE),
    }
}

/// char *inet_ntoa(struct in_addr in): "a.b.c.d", in the calling thread's buffer (the next
/// call overwrites it).
#[export]
fn inet_ntoa(call: &mut ApiCall<'_>, r#in: u32) -> ApiReturn {
    let [a, b, c, d] = r#in.to_le_bytes();
    let text = format!("{a}.{b}.{c}.{d}\0");
    let result = (|| {
        let at = thread_block(call)? + NTOA_OFFSET;
        call.write_bytes(at, text.as_bytes())
            .map_err(|_| SocketError::Wsa(Win32Error::WSAEFAULT))?;
        Ok(ApiReturn::Value(at))
    })();
    finish(call, result, 0)
}

/// The machine's host name: its computer name.
fn own_name() -> &'static str {
    kernel32::COMPUTER_NAME
}

/// int gethostname(char *name, int namelen): the machine's name, "NTEMU" (its computer
/// name: the host's own name stays private). WSAEFAULT when it does not fit.
#[export(failure = crate::SOCKET_ERROR)]
fn gethostname(call: &mut ApiCall<'_>, name: Ptr, namelen: i32) -> ApiReturn {
    let result = (|| {
        started(call)?;
        let mut text = own_name().as_bytes().to_vec();
        text.push(0);
        if name.is_null() || namelen < text.len() as i32 {
            return Err(Win32Error::WSAEFAULT.into());
        }
        call.write_bytes(name.0, &text)
            .map_err(|_| SocketError::Wsa(Win32Error::WSAEFAULT))?;
        Ok(ApiReturn::Value(0))
    })();
    finish(call, result, crate::SOCKET_ERROR)
}

/// Lays a structure and what it points to out in guest memory at `base`.
struct Layout {
    base: u32,
    bytes: Vec<u8>,
}

impl Layout {
    fn new(base: u32, header: usize) -> Layout {
        Layout {
            base,
            bytes: vec![0; header],
        }
    }

    /// Appends `data` (4-aligned) and returns its guest address.
    fn push(&mut self, data: &[u8]) -> u32 {
        while !self.bytes.len().is_multiple_of(4) {
            self.bytes.push(0);
        }
        let at = self.base + self.bytes.len() as u32;
        self.bytes.extend_from_slice(data);
        at
    }

    /// Appends a NUL-terminated string.
    fn push_str(&mut self, text: &str) -> u32 {
        let mut data = text.as_bytes().to_vec();
        data.push(0);
        self.push(&data)
    }

    /// Appends a NULL-terminated array of pointers.
    fn push_pointers(&mut self, pointers: &[u32]) -> u32 {
        let mut data: Vec<u8> = pointers.iter().flat_map(|p| p.to_le_bytes()).collect();
        data.extend_from_slice(&[0; 4]);
        self.push(&data)
    }

    fn set_u32(&mut self, offset: usize, value: u32) {
        self.bytes[offset..offset + 4].copy_from_slice(&value.to_le_bytes());
    }

    fn set_u16(&mut self, offset: usize, value: u16) {
        self.bytes[offset..offset + 2].copy_from_slice(&value.to_le_bytes());
    }

    /// Writes it; its base address.
    fn write(self, call: &mut ApiCall<'_>, room: usize) -> Result<u32, SocketError> {
        if self.bytes.len() > room {
            return Err(Win32Error::WSAENOBUFS.into());
        }
        call.write_bytes(self.base, &self.bytes)
            .map_err(|_| SocketError::Wsa(Win32Error::WSAEFAULT))?;
        Ok(self.base)
    }
}

/// Writes a HOSTENT for `name` and `addresses` into the calling thread's block:
/// h_name, h_aliases (empty), h_addrtype AF_INET, h_length 4, h_addr_list.
fn write_hostent(
    call: &mut ApiCall<'_>,
    name: &str,
    addresses: &[Ipv4Addr],
) -> Result<u32, SocketError> {
    let base = thread_block(call)? + HOSTENT_OFFSET;
    let mut layout = Layout::new(base, 16);
    let name_at = layout.push_str(name);
    let aliases = layout.push_pointers(&[]);
    let addrs: Vec<u32> = addresses
        .iter()
        .take(MAX_ADDRESSES)
        .map(|a| layout.push(&a.octets()))
        .collect();
    let list = layout.push_pointers(&addrs);
    layout.set_u32(0, name_at);
    layout.set_u32(4, aliases);
    layout.set_u16(8, AF_INET);
    layout.set_u16(10, 4);
    layout.set_u32(12, list);
    layout.write(call, HOSTENT_SIZE)
}

/// What ntemu knows of `name` without a lookup: "localhost", the machine's own name (both
/// 127.0.0.1) and dotted addresses.
fn known_host(name: &str) -> Option<(String, Vec<Ipv4Addr>)> {
    if name.eq_ignore_ascii_case("localhost") {
        return Some(("localhost".into(), vec![Ipv4Addr::LOCALHOST]));
    }
    if name.is_empty() || name.eq_ignore_ascii_case(own_name()) {
        return Some((own_name().into(), vec![Ipv4Addr::LOCALHOST]));
    }
    if name.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && let Some(bytes) = parse_address(name.as_bytes())
    {
        return Some((name.into(), vec![Ipv4Addr::from(bytes)]));
    }
    None
}

/// struct hostent *gethostbyname(const char *name): the host's name and addresses (IPv4),
/// in the calling thread's HOSTENT. NULL or "" is this machine. With the network off only
/// "localhost", the machine's name and dotted addresses are known; any other name is
/// WSAHOST_NOT_FOUND, and nothing is asked of the host's resolver. With it on, the host
/// resolves the name (on a helper thread; the calling thread waits).
#[export]
fn gethostbyname(call: &mut ApiCall<'_>, name: Ptr) -> ApiReturn {
    let pending = resume(call, "gethostbyname");
    let result = (|| {
        started(call)?;
        let text = if name.is_null() {
            String::new()
        } else {
            let bytes = call
                .read_c_bytes(name.0, MAX_NAME + 1)
                .map_err(|_| SocketError::Wsa(Win32Error::WSAEFAULT))?;
            if bytes.len() > MAX_NAME {
                return Err(Win32Error::WSAHOST_NOT_FOUND.into());
            }
            String::from_utf8_lossy(&bytes).into_owned()
        };
        if let Some((canonical, addresses)) = known_host(&text) {
            return write_hostent(call, &canonical, &addresses).map(ApiReturn::Value);
        }
        if policy(call) != NetworkPolicy::Host {
            return Err(Win32Error::WSAHOST_NOT_FOUND.into());
        }
        // Run again: the lookup this call started, done or still running.
        let lookup = match pending.and_then(|p| p.lookup) {
            Some(lookup) => {
                if let Some(result) = lookup.result() {
                    let addresses = result.map_err(SocketError::Wsa)?;
                    return write_hostent(call, &text, &addresses).map(ApiReturn::Value);
                }
                lookup
            }
            None => {
                let event = call
                    .machine
                    .objects()
                    .create_event(EventType::Notification, false);
                Lookup::start(text, event)
            }
        };
        Ok(park(
            call,
            Park {
                function: "gethostbyname",
                deadline: None,
                progress: 0,
                sockets: Vec::new(),
                lookup: Some(lookup),
            },
        ))
    })();
    finish(call, result, 0)
}

/// struct hostent *gethostbyaddr(const char *addr, int len, int type): the name of an
/// address of family `type` (AF_INET, `len` 4). Loopback addresses are "localhost"; others
/// are WSAHOST_NOT_FOUND (ntemu does no reverse lookups, with the network on or off).
#[export]
fn gethostbyaddr(call: &mut ApiCall<'_>, addr: Ptr, len: i32, r#type: i32) -> ApiReturn {
    let result = (|| {
        started(call)?;
        if addr.is_null() || len < 4 {
            return Err(Win32Error::WSAEFAULT.into());
        }
        if r#type != i32::from(AF_INET) {
            return Err(Win32Error::WSAEAFNOSUPPORT.into());
        }
        let bytes = call
            .read_bytes(addr.0, 4)
            .map_err(|_| SocketError::Wsa(Win32Error::WSAEFAULT))?;
        let ip = Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]);
        if !ip.is_loopback() {
            return Err(Win32Error::WSAHOST_NOT_FOUND.into());
        }
        write_hostent(call, "localhost", &[ip]).map(ApiReturn::Value)
    })();
    finish(call, result, 0)
}

/// A well-known service: name, port, protocol, aliases (NT's etc\services, the entries
/// programs of the time look up).
type Service = (&'static str, u16, &'static str, &'static [&'static str]);

/// The services getservbyname and getservbyport know, TCP before UDP for each name.
const SERVICES: &[Service] = &[
    ("echo", 7, "tcp", &[]),
    ("echo", 7, "udp", &[]),
    ("discard", 9, "tcp", &["sink", "null"]),
    ("discard", 9, "udp", &["sink", "null"]),
    ("systat", 11, "tcp", &["users"]),
    ("daytime", 13, "tcp", &[]),
    ("daytime", 13, "udp", &[]),
    ("netstat", 15, "tcp", &[]),
    ("qotd", 17, "tcp", &["quote"]),
    ("qotd", 17, "udp", &["quote"]),
    ("chargen", 19, "tcp", &["ttytst", "source"]),
    ("chargen", 19, "udp", &["ttytst", "source"]),
    ("ftp-data", 20, "tcp", &[]),
    ("ftp", 21, "tcp", &[]),
    ("telnet", 23, "tcp", &[]),
    ("smtp", 25, "tcp", &["mail"]),
    ("time", 37, "tcp", &["timserver"]),
    ("time", 37, "udp", &["timserver"]),
    ("rlp", 39, "udp", &["resource"]),
    ("nameserver", 42, "tcp", &["name"]),
    ("nameserver", 42, "udp", &["name"]),
    ("nicname", 43, "tcp", &["whois"]),
    ("domain", 53, "tcp", &[]),
    ("domain", 53, "udp", &[]),
    ("bootps", 67, "udp", &["dhcps"]),
    ("bootpc", 68, "udp", &["dhcpc"]),
    ("tftp", 69, "udp", &[]),
    ("gopher", 70, "tcp", &[]),
    ("finger", 79, "tcp", &[]),
    ("http", 80, "tcp", &["www", "www-http"]),
    ("kerberos", 88, "tcp", &["krb5"]),
    ("kerberos", 88, "udp", &["krb5"]),
    ("hostname", 101, "tcp", &["hostnames"]),
    ("iso-tsap", 102, "tcp", &[]),
    ("rtelnet", 107, "tcp", &[]),
    ("pop2", 109, "tcp", &["postoffice"]),
    ("pop3", 110, "tcp", &[]),
    ("sunrpc", 111, "tcp", &["rpcbind", "portmap"]),
    ("sunrpc", 111, "udp", &["rpcbind", "portmap"]),
    ("auth", 113, "tcp", &["ident", "tap"]),
    ("uucp-path", 117, "tcp", &[]),
    ("nntp", 119, "tcp", &["usenet"]),
    ("ntp", 123, "udp", &[]),
    ("epmap", 135, "tcp", &["loc-srv"]),
    ("epmap", 135, "udp", &["loc-srv"]),
    ("netbios-ns", 137, "tcp", &["nbname"]),
    ("netbios-ns", 137, "udp", &["nbname"]),
    ("netbios-dgm", 138, "udp", &["nbdatagram"]),
    ("netbios-ssn", 139, "tcp", &["nbsession"]),
    ("imap", 143, "tcp", &["imap4"]),
    ("snmp", 161, "udp", &[]),
    ("snmptrap", 162, "udp", &["snmp-trap"]),
    ("bgp", 179, "tcp", &[]),
    ("irc", 194, "tcp", &[]),
    ("ldap", 389, "tcp", &[]),
    ("https", 443, "tcp", &[]),
    ("exec", 512, "tcp", &[]),
    ("biff", 512, "udp", &["comsat"]),
    ("login", 513, "tcp", &[]),
    ("who", 513, "udp", &["whod"]),
    ("cmd", 514, "tcp", &["shell"]),
    ("syslog", 514, "udp", &[]),
    ("printer", 515, "tcp", &["spooler"]),
    ("talk", 517, "udp", &[]),
    ("ntalk", 518, "udp", &[]),
    ("efs", 520, "tcp", &[]),
    ("router", 520, "udp", &["route", "routed"]),
    ("timed", 525, "udp", &["timeserver"]),
    ("tempo", 526, "tcp", &["newdate"]),
    ("courier", 530, "tcp", &["rpc"]),
    ("conference", 531, "tcp", &["chat"]),
    ("netnews", 532, "tcp", &["readnews"]),
    ("netwall", 533, "udp", &[]),
    ("uucp", 540, "tcp", &["uucpd"]),
    ("klogin", 543, "tcp", &[]),
    ("kshell", 544, "tcp", &["krcmd"]),
    ("new-rwho", 550, "udp", &["new-who"]),
    ("remotefs", 556, "tcp", &["rfs", "rfs_server"]),
    ("rmonitor", 560, "udp", &["rmonitord"]),
    ("monitor", 561, "udp", &[]),
    ("ldaps", 636, "tcp", &["sldap"]),
    ("doom", 666, "tcp", &[]),
    ("doom", 666, "udp", &[]),
    ("kerberos-adm", 749, "tcp", &[]),
    ("kerberos-iv", 750, "udp", &[]),
];

/// Reads an optional protocol name ("tcp", "udp"); WSAEFAULT when unreadable.
fn read_proto(call: &ApiCall<'_>, proto: Ptr) -> Result<Option<String>, SocketError> {
    if proto.is_null() {
        return Ok(None);
    }
    let bytes = call
        .read_c_bytes(proto.0, 64)
        .map_err(|_| SocketError::Wsa(Win32Error::WSAEFAULT))?;
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

/// Writes a SERVENT for `service` into the calling thread's block: s_name, s_aliases,
/// s_port (network order), s_proto.
fn write_servent(call: &mut ApiCall<'_>, service: &Service) -> Result<u32, SocketError> {
    let (name, port, proto, aliases) = *service;
    let base = thread_block(call)? + SERVENT_OFFSET;
    let mut layout = Layout::new(base, 16);
    let name_at = layout.push_str(name);
    let alias_at: Vec<u32> = aliases.iter().map(|a| layout.push_str(a)).collect();
    let aliases_at = layout.push_pointers(&alias_at);
    let proto_at = layout.push_str(proto);
    layout.set_u32(0, name_at);
    layout.set_u32(4, aliases_at);
    layout.set_u16(8, port.to_be());
    layout.set_u32(12, proto_at);
    layout.write(call, (PROTOENT_OFFSET - SERVENT_OFFSET) as usize)
}

/// struct servent *getservbyname(const char *name, const char *proto): a well-known
/// service by name or alias (any protocol when `proto` is NULL); WSANO_DATA when unknown.
#[export]
fn getservbyname(call: &mut ApiCall<'_>, name: Ptr, proto: Ptr) -> ApiReturn {
    let result = (|| {
        started(call)?;
        if name.is_null() {
            return Err(Win32Error::WSAEFAULT.into());
        }
        let wanted = call
            .read_c_bytes(name.0, 256)
            .map_err(|_| SocketError::Wsa(Win32Error::WSAEFAULT))?;
        let wanted = String::from_utf8_lossy(&wanted).into_owned();
        let proto = read_proto(call, proto)?;
        let service = SERVICES
            .iter()
            .find(|(n, _, p, aliases)| {
                (n.eq_ignore_ascii_case(&wanted)
                    || aliases.iter().any(|a| a.eq_ignore_ascii_case(&wanted)))
                    && proto
                        .as_ref()
                        .is_none_or(|want| p.eq_ignore_ascii_case(want))
            })
            .ok_or(SocketError::Wsa(Win32Error::WSANO_DATA))?;
        write_servent(call, service).map(ApiReturn::Value)
    })();
    finish(call, result, 0)
}

/// struct servent *getservbyport(int port, const char *proto): a well-known service by
/// port (network byte order); WSANO_DATA when unknown.
#[export]
fn getservbyport(call: &mut ApiCall<'_>, port: u32, proto: Ptr) -> ApiReturn {
    let result = (|| {
        started(call)?;
        let wanted = (port as u16).swap_bytes();
        let proto = read_proto(call, proto)?;
        let service = SERVICES
            .iter()
            .find(|(_, p, pr, _)| {
                *p == wanted
                    && proto
                        .as_ref()
                        .is_none_or(|want| pr.eq_ignore_ascii_case(want))
            })
            .ok_or(SocketError::Wsa(Win32Error::WSANO_DATA))?;
        write_servent(call, service).map(ApiReturn::Value)
    })();
    finish(call, result, 0)
}

/// The protocols of NT's etc\protocol: name, number, aliases.
const PROTOCOLS: &[(&str, u16, &[&str])] = &[
    ("ip", 0, &["IP"]),
    ("icmp", 1, &["ICMP"]),
    ("ggp", 3, &["GGP"]),
    ("tcp", 6, &["TCP"]),
    ("pup", 12, &["PUP"]),
    ("udp", 17, &["UDP"]),
    ("idp", 22, &["IDP"]),
    ("nd", 77, &["ND"]),
    ("raw", 255, &["RAW"]),
];

/// Writes a PROTOENT into the calling thread's block: p_name, p_aliases, p_proto.
fn write_protoent(
    call: &mut ApiCall<'_>,
    entry: &(&str, u16, &[&str]),
) -> Result<u32, SocketError> {
    let (name, number, aliases) = *entry;
    let base = thread_block(call)? + PROTOENT_OFFSET;
    let mut layout = Layout::new(base, 12);
    let name_at = layout.push_str(name);
    let alias_at: Vec<u32> = aliases.iter().map(|a| layout.push_str(a)).collect();
    let aliases_at = layout.push_pointers(&alias_at);
    layout.set_u32(0, name_at);
    layout.set_u32(4, aliases_at);
    layout.set_u16(8, number);
    layout.write(call, 256)
}

/// struct protoent *getprotobyname(const char *name): a protocol by name or alias;
/// WSANO_DATA when unknown.
#[export]
fn getprotobyname(call: &mut ApiCall<'_>, name: Ptr) -> ApiReturn {
    let result = (|| {
        started(call)?;
        if name.is_null() {
            return Err(Win32Error::WSAEFAULT.into());
        }
        let wanted = call
            .read_c_bytes(name.0, 256)
            .map_err(|_| SocketError::Wsa(Win32Error::WSAEFAULT))?;
        let wanted = String::from_utf8_lossy(&wanted).into_owned();
        let entry = PROTOCOLS
            .iter()
            .find(|(n, _, aliases)| {
                n.eq_ignore_ascii_case(&wanted)
                    || aliases.iter().any(|a| a.eq_ignore_ascii_case(&wanted))
            })
            .ok_or(SocketError::Wsa(Win32Error::WSANO_DATA))?;
        write_protoent(call, entry).map(ApiReturn::Value)
    })();
    finish(call, result, 0)
}

/// struct protoent *getprotobynumber(int number): a protocol by number; WSANO_DATA when
/// unknown.
#[export]
fn getprotobynumber(call: &mut ApiCall<'_>, number: i32) -> ApiReturn {
    let result = (|| {
        started(call)?;
        let entry = PROTOCOLS
            .iter()
            .find(|(_, n, _)| i32::from(*n) == number)
            .ok_or(SocketError::Wsa(Win32Error::WSANO_DATA))?;
        write_protoent(call, entry).map(ApiReturn::Value)
    })();
    finish(call, result, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_addresses_follow_bsd_rules() {
        assert_eq!(parse_address(b"127.0.0.1"), Some([127, 0, 0, 1]));
        assert_eq!(parse_address(b"10.1"), Some([10, 0, 0, 1]));
        assert_eq!(parse_address(b"10.1.2"), Some([10, 1, 0, 2]));
        assert_eq!(parse_address(b"0x7f.1"), Some([127, 0, 0, 1]));
        assert_eq!(parse_address(b"010.0.0.1"), Some([8, 0, 0, 1]));
        assert_eq!(parse_address(b"3232235777"), Some([192, 168, 1, 1]));
        assert_eq!(parse_address(b"1.2.3.4 trailing"), Some([1, 2, 3, 4]));
        assert_eq!(parse_address(b"1.2.3.256"), None);
        assert_eq!(parse_address(b"1.2.3.4.5"), None);
        assert_eq!(parse_address(b"1..3"), None);
        assert_eq!(parse_address(b"08.1.1.1"), None, "8 is no octal digit");
        assert_eq!(parse_address(b"a.b.c.d"), None);
        assert_eq!(parse_address(b"1.2.3.4x"), None);
        assert_eq!(parse_address(b"4294967296"), None);
    }

    #[test]
    fn known_hosts_need_no_lookup() {
        assert_eq!(
            known_host("LocalHost"),
            Some(("localhost".into(), vec![Ipv4Addr::LOCALHOST]))
        );
        assert_eq!(
            known_host("ntemu"),
            Some(("NTEMU".into(), vec![Ipv4Addr::LOCALHOST]))
        );
        assert_eq!(
            known_host("192.0.2.1"),
            Some(("192.0.2.1".into(), vec![Ipv4Addr::new(192, 0, 2, 1)]))
        );
        assert_eq!(known_host("example.com"), None);
    }

    #[test]
    fn every_service_name_has_tcp_first_and_ports_are_unique_per_protocol() {
        for (i, (name, port, proto, _)) in SERVICES.iter().enumerate() {
            assert!(*proto == "tcp" || *proto == "udp", "{name}");
            for (n2, p2, pr2, _) in &SERVICES[i + 1..] {
                assert!(
                    !(p2 == port && pr2 == proto),
                    "{name} and {n2} share {port}/{proto}"
                );
            }
        }
    }
}
