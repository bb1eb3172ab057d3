//! malloc, free, calloc, realloc, _msize, _expand and _strdup over the process heap
//! (kernel32's heap: what GetProcessHeap returns).

use super::{errno, set_errno, value, with_state};
use kernel32::heap::{process_heap_alloc, process_heap_free, process_heap_size};
use win32::{ApiCall, ApiReturn};

/// The largest block malloc hands out (msvcrt's _HEAP_MAXREQ).
const HEAP_MAXREQ: u32 = 0xFFFF_FFE0;

/// Allocates `size` bytes (zeroed when `zeroed`); None when the heap cannot grow.
pub(crate) fn allocate(call: &mut ApiCall<'_>, size: u32, zeroed: bool) -> Option<u32> {
    if size > HEAP_MAXREQ {
        return None;
    }
    process_heap_alloc(call, size, zeroed)
}

/// Frees a block; false when `at` is not one.
pub(crate) fn release(call: &mut ApiCall<'_>, at: u32) -> bool {
    process_heap_free(call, at)
}

fn out_of_memory(call: &mut ApiCall<'_>) -> ApiReturn {
    with_state(call, |call, _| {
        set_errno(call, errno::ENOMEM);
        value(0)
    })
}

/// malloc(size): NULL with errno ENOMEM when the heap cannot grow.
pub(super) fn malloc(call: &mut ApiCall<'_>) -> ApiReturn {
    let size = call.arg(0);
    match allocate(call, size, false) {
        Some(at) => value(at),
        None => out_of_memory(call),
    }
}

/// free(ptr): NULL and pointers that are not blocks are ignored.
pub(super) fn free(call: &mut ApiCall<'_>) -> ApiReturn {
    let at = call.arg(0);
    if at != 0 {
        release(call, at);
    }
    value(0)
}

/// calloc(count, size): zeroed; NULL with ENOMEM on overflow.
pub(super) fn calloc(call: &mut ApiCall<'_>) -> ApiReturn {
    let (count, size) = (call.arg(0), call.arg(1));
    match count
        .checked_mul(size)
        .and_then(|total| allocate(call, total, true))
    {
        Some(at) => value(at),
        None => out_of_memory(call),
    }
}

/// realloc(ptr, size): NULL ptr allocates, size 0 frees and returns NULL; on failure the
/// old block stays.
pub(super) fn realloc(call: &mut ApiCall<'_>) -> ApiReturn {
    let (at, size) = (call.arg(0), call.arg(1));
    if at == 0 {
        return malloc(call);
    }
    if size == 0 {
        release(call, at);
        return value(0);
    }
    let Some(old) = process_heap_size(call, at) else {
        return value(0);
    };
    let Some(new) = allocate(call, size, false) else {
        return out_of_memory(call);
    };
    if let Ok(bytes) = call.read_bytes(at, old.min(size) as usize) {
        let _ = call.write_bytes(new, &bytes);
    }
    release(call, at);
    value(new)
}

/// _msize(ptr): the block's size, -1 for a pointer that is not a block.
pub(super) fn msize(call: &mut ApiCall<'_>) -> ApiReturn {
    let at = call.arg(0);
    value(process_heap_size(call, at).unwrap_or(u32::MAX))
}

/// _expand(ptr, size): shrinking keeps the block (NULL when growing, which msvcrt may
/// refuse too).
pub(super) fn expand(call: &mut ApiCall<'_>) -> ApiReturn {
    let (at, size) = (call.arg(0), call.arg(1));
    match process_heap_size(call, at) {
        Some(old) if size <= old => value(at),
        _ => value(0),
    }
}

/// _strdup(s): a malloc'd copy; NULL for NULL.
pub(super) fn strdup(call: &mut ApiCall<'_>) -> ApiReturn {
    let s = call.arg(0);
    if s == 0 {
        return value(0);
    }
    let Ok(mut bytes) = call.read_c_bytes(s, 0x100_0000) else {
        return value(0);
    };
    bytes.push(0);
    match allocate(call, bytes.len() as u32, false) {
        Some(at) if call.write_bytes(at, &bytes).is_ok() => value(at),
        _ => out_of_memory(call),
    }
}
