//! malloc, free, calloc, realloc, _msize, _expand and _strdup over the process heap
//! (kernel32's heap: what GetProcessHeap returns).

use super::{errno, set_errno, with_state};
use kernel32::heap::{process_heap_alloc, process_heap_free, process_heap_size};
use win32::{ApiCall, Ptr, export};

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

/// NULL, with errno ENOMEM.
fn out_of_memory(call: &mut ApiCall<'_>) -> Ptr {
    with_state(call, |call, _| set_errno(call, errno::ENOMEM));
    Ptr::NULL
}

/// A new block of `size` bytes, or NULL with ENOMEM.
fn allocate_or_fail(call: &mut ApiCall<'_>, size: u32, zeroed: bool) -> Ptr {
    match allocate(call, size, zeroed) {
        Some(at) => Ptr(at),
        None => out_of_memory(call),
    }
}

/// malloc(size): NULL with errno ENOMEM when the heap cannot grow.
#[export(cdecl)]
fn malloc(call: &mut ApiCall<'_>, size: u32) -> Ptr {
    allocate_or_fail(call, size, false)
}

/// free(memblock): NULL and pointers that are not blocks are ignored.
#[export(cdecl)]
fn free(call: &mut ApiCall<'_>, memblock: Ptr) {
    if !memblock.is_null() {
        release(call, memblock.0);
    }
}

/// calloc(number, size): zeroed; NULL with ENOMEM on overflow.
#[export(cdecl)]
fn calloc(call: &mut ApiCall<'_>, number: u32, size: u32) -> Ptr {
    match number.checked_mul(size) {
        Some(total) => allocate_or_fail(call, total, true),
        None => out_of_memory(call),
    }
}

/// realloc(memblock, size): NULL memblock allocates, size 0 frees and returns NULL; on
/// failure the old block stays.
#[export(cdecl)]
fn realloc(call: &mut ApiCall<'_>, memblock: Ptr, size: u32) -> Ptr {
    let at = memblock.0;
    if at == 0 {
        return allocate_or_fail(call, size, false);
    }
    if size == 0 {
        release(call, at);
        return Ptr::NULL;
    }
    let Some(old) = process_heap_size(call, at) else {
        return Ptr::NULL;
    };
    let Some(new) = allocate(call, size, false) else {
        return out_of_memory(call);
    };
    if let Ok(bytes) = call.read_bytes(at, old.min(size) as usize) {
        let _ = call.write_bytes(new, &bytes);
    }
    release(call, at);
    Ptr(new)
}

/// _msize(memblock): the block's size, -1 for a pointer that is not a block.
#[export(cdecl)]
fn _msize(call: &mut ApiCall<'_>, memblock: Ptr) -> u32 {
    process_heap_size(call, memblock.0).unwrap_or(u32::MAX)
}

/// _expand(memblock, size): shrinking keeps the block (NULL when growing, which msvcrt may
/// refuse too).
#[export(cdecl)]
fn _expand(call: &mut ApiCall<'_>, memblock: Ptr, size: u32) -> Ptr {
    match process_heap_size(call, memblock.0) {
        Some(old) if size <= old => memblock,
        _ => Ptr::NULL,
    }
}

/// _strdup(strSource): a malloc'd copy; NULL for NULL.
#[export(cdecl)]
fn _strdup(call: &mut ApiCall<'_>, strSource: Ptr) -> Ptr {
    if strSource.is_null() {
        return Ptr::NULL;
    }
    let Ok(mut bytes) = call.read_c_bytes(strSource.0, 0x100_0000) else {
        return Ptr::NULL;
    };
    bytes.push(0);
    match allocate(call, bytes.len() as u32, false) {
        Some(at) if call.write_bytes(at, &bytes).is_ok() => Ptr(at),
        _ => out_of_memory(call),
    }
}
