//! What NT's loader does inside a new process when its first thread first runs
//! (LdrpInitialize): the image's import address table is bound and the process heap made
//! there, not by the creator. A parent that looks into a child it created suspended sees
//! the image's IAT as the file has it and no process heap (PEB.ProcessHeap 0) until one of
//! the child's threads has run (its initial thread, or one CreateRemoteThread made).
//!
//! ntemu maps the image and the DLLs when CreateProcess creates the process (finding out
//! there which imports resolve, so a missing DLL still ends the child before it runs its
//! code); the addresses the IAT gets are kept aside, the IAT given back its file contents,
//! and both steps are finished by [`process_start`], which nt-kernel's scheduler has run on
//! the first thread of the process to run, before that thread's first instruction. The same
//! hook serves x86 and Alpha processes.

use nt_memory::GuestMemory;
use nt_status::NtStatus;
use win32::{ApiCall, PerProcess};

/// The import address table entries of each process whose initialization is pending:
/// (address, the value binding gives it).
#[derive(Default)]
struct PendingBindings(PerProcess<Vec<(u32, u32)>>);

/// Defers the in-process part of the new process `pid`'s start to its first run: keeps its
/// image's bound IAT entries aside, writes back the values `image` has in its file, and has
/// the scheduler call [`process_start`] first thing. Its process heap is not made until
/// then either (nothing asks for it before).
pub(crate) fn defer(call: &mut ApiCall<'_>, pid: u32, image: &pe_image::PeImage) {
    let Some(process) = call.machine.process_mut(pid) else {
        return;
    };
    let Some(base) = process.image().map(|i| i.base) else {
        return;
    };
    let layout = image.layout();
    let mut bound = Vec::new();
    for dll in &image.imports {
        for import in &dll.imports {
            let rva = import.iat_rva as usize;
            let Some(file) = layout.get(rva..rva.saturating_add(4)) else {
                continue;
            };
            let at = base.wrapping_add(import.iat_rva);
            let space = process.address_space_mut();
            let Ok(value) = space.read_u32(at) else {
                continue;
            };
            if space.kernel_write(at, file).is_ok() {
                bound.push((at, value));
            }
        }
    }
    process.defer_initialization();
    let object = std::sync::Arc::clone(process.object());
    call.state
        .get::<PendingBindings>()
        .0
        .insert(pid, &object, bound);
}

/// KERNEL32's `process_start` hook: the first of the calling process's threads to run binds
/// the image's IAT with the addresses kept aside and makes the process heap.
pub(crate) fn process_start(call: &mut ApiCall<'_>) {
    let pid = call.thread.process;
    let Some(object) = call.process_object() else {
        return;
    };
    let bound = call
        .state
        .get::<PendingBindings>()
        .0
        .get_or_default(pid, &object)
        .drain(..)
        .collect::<Vec<_>>();
    if let Some(process) = call.process_mut() {
        for (at, value) in bound {
            let _ = process
                .address_space_mut()
                .kernel_write(at, &value.to_le_bytes());
        }
    }
    if crate::startup::initialize_process(call).is_err() {
        let status = NtStatus::NO_MEMORY;
        call.machine.exit_process(pid, status.0);
    }
}
