//! IsBadReadPtr, IsBadWritePtr, IsBadCodePtr, IsBadStringPtrA/W and the IsBadHuge forms: is a
//! range of the caller's memory usable?
//!
//! NT 4.0 answers by touching the memory inside a structured exception handler: the first
//! byte, then the first byte of every following page up to the range's last (reading it, or
//! for IsBadWritePtr writing back what it read). ntemu touches the same bytes through the
//! process's checked accesses, so the answer follows the pages' protections and the caller
//! never faults; as on NT a guard page in the range reports TRUE and loses its guard. A range
//! of size 0 is never bad, whatever its address (NULL included), and a range that wraps past
//! the end of the address space always is.

use win32::{ApiCall, Ptr, export};

/// The page size of the calling process (4 KiB on x86, 8 KiB on Alpha).
fn page_size(call: &ApiCall<'_>) -> u32 {
    call.process()
        .map_or(0x1000, |p| p.address_space().page_size().bytes())
}

/// True when touching `[at, at + size)` page by page faults; `write` also writes each byte
/// back.
fn range_is_bad(call: &mut ApiCall<'_>, at: u32, size: u32, write: bool) -> bool {
    if size == 0 {
        return false;
    }
    let Some(last) = at.checked_add(size - 1) else {
        return true;
    };
    let page = page_size(call);
    let mut touch = at;
    loop {
        let bad = if write {
            call.probe_write(touch, 1).is_err()
        } else {
            call.read_bytes(touch, 1).is_err()
        };
        if bad {
            return true;
        }
        let next_page = (touch & !(page - 1)).checked_add(page);
        match next_page {
            Some(next) if next <= last => touch = next,
            _ => return false,
        }
    }
}

/// BOOL IsBadReadPtr(const VOID *lp, UINT_PTR ucb): TRUE when the caller cannot read all of
/// the ucb bytes at lp; FALSE for ucb 0.
#[export]
fn IsBadReadPtr(call: &mut ApiCall<'_>, lp: Ptr, ucb: u32) -> bool {
    range_is_bad(call, lp.0, ucb, false)
}

/// BOOL IsBadHugeReadPtr(const VOID *lp, UINT_PTR ucb): IsBadReadPtr (Win32 has no segments).
#[export]
fn IsBadHugeReadPtr(call: &mut ApiCall<'_>, lp: Ptr, ucb: u32) -> bool {
    range_is_bad(call, lp.0, ucb, false)
}

/// BOOL IsBadWritePtr(LPVOID lp, UINT_PTR ucb): TRUE when the caller cannot write all of the
/// ucb bytes at lp (each touched byte is written back unchanged, so copy-on-write pages become
/// private as on NT); FALSE for ucb 0.
#[export]
fn IsBadWritePtr(call: &mut ApiCall<'_>, lp: Ptr, ucb: u32) -> bool {
    range_is_bad(call, lp.0, ucb, true)
}

/// BOOL IsBadHugeWritePtr(LPVOID lp, UINT_PTR ucb): IsBadWritePtr.
#[export]
fn IsBadHugeWritePtr(call: &mut ApiCall<'_>, lp: Ptr, ucb: u32) -> bool {
    range_is_bad(call, lp.0, ucb, true)
}

/// BOOL IsBadCodePtr(FARPROC lpfn): TRUE when the caller cannot read the byte at lpfn (NT 4.0
/// checks read access, not execute access).
#[export]
fn IsBadCodePtr(call: &mut ApiCall<'_>, lpfn: Ptr) -> bool {
    range_is_bad(call, lpfn.0, 1, false)
}

/// IsBadStringPtrA and W: reads characters until a NUL or `max` of them; TRUE on a fault.
fn string_is_bad(call: &ApiCall<'_>, at: u32, max: u32, unit: u32) -> bool {
    let mut addr = at;
    for _ in 0..max {
        let Ok(bytes) = call.read_bytes(addr, unit as usize) else {
            return true;
        };
        if bytes.iter().all(|&b| b == 0) {
            return false;
        }
        addr = addr.wrapping_add(unit);
    }
    false
}

/// BOOL IsBadStringPtrA(LPCSTR lpsz, UINT_PTR ucchMax): TRUE when the string cannot be read
/// up to its NUL or to ucchMax characters, whichever comes first; FALSE for ucchMax 0 (even
/// with a NULL lpsz, as NT 4.0 checks nothing then).
#[export]
fn IsBadStringPtrA(call: &mut ApiCall<'_>, lpsz: Ptr, ucchMax: u32) -> bool {
    string_is_bad(call, lpsz.0, ucchMax, 1)
}

/// BOOL IsBadStringPtrW(LPCWSTR lpsz, UINT_PTR ucchMax): IsBadStringPtrA for a UTF-16 string.
#[export]
fn IsBadStringPtrW(call: &mut ApiCall<'_>, lpsz: Ptr, ucchMax: u32) -> bool {
    string_is_bad(call, lpsz.0, ucchMax, 2)
}
