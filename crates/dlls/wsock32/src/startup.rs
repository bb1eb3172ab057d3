//! WSAStartup and WSACleanup, the last error, WSAIsBlocking.

use nt_status::Win32Error;
use win32::{ApiCall, ApiReturn, Ptr, export};

use crate::{SOCKET_ERROR, process_state};

/// The size of a WSADATA on a 32-bit guest: wVersion, wHighVersion, szDescription[257],
/// szSystemStatus[129], iMaxSockets, iMaxUdpDg, lpVendorInfo, padded to 4.
const WSADATA_SIZE: usize = 400;

/// The highest version NT 4.0's Winsock (WS2_32 under WSOCK32) supports: 2.2.
const HIGH_VERSION: u16 = 0x0202;

/// The version WSAStartup agrees to for `requested` (low byte major, high byte minor),
/// or None for a version below 1.0: 1.x above 1.1 is 1.1, anything above 2.2 is 2.2.
fn negotiate(requested: u16) -> Option<u16> {
    let (major, minor) = (requested & 0xFF, requested >> 8);
    match (major, minor) {
        (0, _) => None,
        (1, m) if m > 1 => Some(0x0101),
        (2, m) if m > 2 => Some(HIGH_VERSION),
        (m, _) if m > 2 => Some(HIGH_VERSION),
        _ => Some(requested),
    }
}

/// The WSADATA WSAStartup fills in for `version`: "WinSock 2.0", "Running", and for a 1.x
/// caller the limits Winsock 1.1 asked implementations to state (32767 sockets, datagrams
/// of up to 65467 bytes); 2.x callers get 0 there, as the 2.0 specification says.
fn wsadata(version: u16) -> [u8; WSADATA_SIZE] {
    let mut data = [0u8; WSADATA_SIZE];
    data[0..2].copy_from_slice(&version.to_le_bytes());
    data[2..4].copy_from_slice(&HIGH_VERSION.to_le_bytes());
    let description = b"WinSock 2.0";
    data[4..4 + description.len()].copy_from_slice(description);
    let status = b"Running";
    data[261..261 + status.len()].copy_from_slice(status);
    if version & 0xFF == 1 {
        data[390..392].copy_from_slice(&32767u16.to_le_bytes());
        data[392..394].copy_from_slice(&65467u16.to_le_bytes());
    }
    data
}

/// int WSAStartup(WORD wVersionRequested, LPWSADATA lpWSAData): 0, or the error itself
/// (WSAVERNOTSUPPORTED below version 1.0, WSAEFAULT for a bad lpWSAData). Each call counts;
/// WSACleanup undoes one.
#[export]
fn WSAStartup(call: &mut ApiCall<'_>, wVersionRequested: u16, lpWSAData: Ptr) -> ApiReturn {
    let Some(version) = negotiate(wVersionRequested) else {
        return ApiReturn::Value(Win32Error::WSAVERNOTSUPPORTED.0);
    };
    if lpWSAData.is_null() || call.write_bytes(lpWSAData.0, &wsadata(version)).is_err() {
        return ApiReturn::Value(Win32Error::WSAEFAULT.0);
    }
    match process_state(call) {
        Some(p) => {
            p.startups += 1;
            ApiReturn::Value(0)
        }
        None => ApiReturn::Value(Win32Error::WSAENOBUFS.0),
    }
}

/// int WSACleanup(void): undoes one WSAStartup; the last one closes every socket the
/// process still has. SOCKET_ERROR and WSANOTINITIALISED without a WSAStartup.
#[export]
fn WSACleanup(call: &mut ApiCall<'_>) -> ApiReturn {
    let Some(p) = process_state(call).filter(|p| p.startups > 0) else {
        call.set_last_error(Win32Error::WSANOTINITIALISED.0);
        return ApiReturn::Value(SOCKET_ERROR);
    };
    p.startups -= 1;
    if p.startups > 0 {
        return ApiReturn::Value(0);
    }
    let sockets = std::mem::take(&mut p.sockets);
    for (handle, object) in sockets {
        let still = object.upgrade().is_some_and(|o| {
            call.reference(handle, nt_object::AccessMask(0), None)
                .is_ok_and(|named| std::sync::Arc::ptr_eq(&named, &o))
        });
        if still {
            let _ = call.close_handle(handle);
        }
    }
    ApiReturn::Value(0)
}

/// int WSAGetLastError(void): the calling thread's last error (NT keeps Winsock's in the
/// same place as GetLastError's).
#[export]
fn WSAGetLastError(call: &mut ApiCall<'_>) -> ApiReturn {
    ApiReturn::Value(call.last_error())
}

/// void WSASetLastError(int iError): sets the calling thread's last error.
#[export]
fn WSASetLastError(call: &mut ApiCall<'_>, iError: u32) -> ApiReturn {
    call.set_last_error(iError);
    ApiReturn::Value(0)
}

/// BOOL WSAIsBlocking(void): whether the calling thread is inside a blocking Winsock call.
/// A Win32 thread that can call it is not (its blocking calls park it), so FALSE.
#[export]
fn WSAIsBlocking(call: &mut ApiCall<'_>) -> ApiReturn {
    let _ = call;
    ApiReturn::Value(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_negotiated_as_winsock_2_does() {
        assert_eq!(negotiate(0x0000), None);
        assert_eq!(negotiate(0x0100), None, "0.1");
        assert_eq!(negotiate(0x0101), Some(0x0101));
        assert_eq!(negotiate(0x0001), Some(0x0001), "1.0");
        assert_eq!(negotiate(0x0901), Some(0x0101), "1.9");
        assert_eq!(negotiate(0x0202), Some(0x0202));
        assert_eq!(negotiate(0x0002), Some(0x0002), "2.0");
        assert_eq!(negotiate(0x0302), Some(0x0202), "2.3");
        assert_eq!(negotiate(0x0003), Some(0x0202), "3.0");
    }

    #[test]
    fn wsadata_is_laid_out_as_on_a_32_bit_guest() {
        let d = wsadata(0x0101);
        assert_eq!(&d[0..4], &[1, 1, 2, 2]);
        assert_eq!(&d[4..16], b"WinSock 2.0\0");
        assert_eq!(&d[261..269], b"Running\0");
        assert_eq!(u16::from_le_bytes([d[390], d[391]]), 32767);
        assert_eq!(u16::from_le_bytes([d[392], d[393]]), 65467);
        assert_eq!(&d[396..400], &[0, 0, 0, 0], "lpVendorInfo");
        let d2 = wsadata(0x0202);
        assert_eq!(&d2[390..394], &[0, 0, 0, 0]);
    }
}
