//! CopyFile and CopyFileEx: a file's bytes, last write time and attributes copied to a new
//! or replaced file, with CopyFileEx's progress routine called in the guest between chunks.
//!
//! The opens are NT 4.0's: the source for reading shared for reading (and, when another
//! open writes it, shared for writing too), the destination for writing shared for reading
//! and writing, with DELETE access when the opens already on it allow (so that a cancelled
//! copy can delete it), without it otherwise. A progress routine is a guest function: the
//! copy goes on in steps, each call returning to a resume thunk of KERNEL32's.

use std::collections::HashMap;

use nt_kernel::{ALPHA_A0, ALPHA_PV, ALPHA_RA, ALPHA_SP, ALPHA_V0, CpuContext, X86_EAX, X86_ESP};
use nt_object::Handle;
use nt_status::Win32Error;
use win32::{AnsiStr, ApiCall, ApiReturn, Ptr, WideStr, export};

use super::file::{
    self, CREATE_ALWAYS, CREATE_NEW, FILE_SHARE_READ, FILE_SHARE_WRITE, OPEN_EXISTING,
};
use crate::K32;

/// GENERIC_READ.
const GENERIC_READ: u32 = 0x8000_0000;
/// GENERIC_WRITE.
const GENERIC_WRITE: u32 = 0x4000_0000;
/// DELETE.
const DELETE: u32 = 0x1_0000;
/// COPY_FILE_FAIL_IF_EXISTS.
const COPY_FILE_FAIL_IF_EXISTS: u32 = 0x1;
/// COPY_FILE_RESTARTABLE (accepted; a copy here is never interrupted).
const COPY_FILE_RESTARTABLE: u32 = 0x2;
/// CALLBACK_CHUNK_FINISHED.
const CALLBACK_CHUNK_FINISHED: u32 = 0;
/// CALLBACK_STREAM_SWITCH.
const CALLBACK_STREAM_SWITCH: u32 = 1;
/// PROGRESS_CANCEL: stop and delete the destination.
const PROGRESS_CANCEL: u32 = 1;
/// PROGRESS_STOP: stop and keep the destination.
const PROGRESS_STOP: u32 = 2;
/// PROGRESS_QUIET: go on without more calls.
const PROGRESS_QUIET: u32 = 3;
/// The resume thunk progress routines return to (not an NT export).
const RESUME: &str = "__ntemu_k32_copy_resume";
/// CopyFileEx's arguments (stdcall), popped when it returns.
const COPY_FILE_EX_ARGUMENTS: u32 = 6;

/// A copy under way: the two open handles and what is left.
struct Copy {
    source: Handle,
    target: Handle,
    /// The source's size and last write time (nanoseconds since 1970), and read-only.
    size: u64,
    written: i128,
    read_only: bool,
    /// The destination's full name (to make it read-only at the end).
    target_name: String,
    /// Bytes copied so far.
    done: u64,
    /// The destination was opened with DELETE: a cancelled copy deletes it.
    can_delete: bool,
}

/// Opens `from` for reading shared for reading, and (when another open writes it) shared
/// for writing too.
fn open_source(call: &mut ApiCall<'_>, from: &str) -> Result<Handle, Win32Error> {
    match file::open_file(call, from, GENERIC_READ, FILE_SHARE_READ, OPEN_EXISTING, 0) {
        Err(Win32Error::SHARING_VIOLATION) => file::open_file(
            call,
            from,
            GENERIC_READ,
            FILE_SHARE_READ | FILE_SHARE_WRITE,
            OPEN_EXISTING,
            0,
        ),
        other => other,
    }
}

/// Opens both files: the source first, then the destination (made new when
/// `fail_if_exists`, else made or replaced) with the source's attributes.
fn open_copy(
    call: &mut ApiCall<'_>,
    from: Option<&str>,
    to: Option<&str>,
    fail_if_exists: bool,
) -> Result<Copy, Win32Error> {
    let (Some(from), Some(to)) = (from, to) else {
        return Err(Win32Error::PATH_NOT_FOUND);
    };
    let source = open_source(call, from)?;
    let opened = (|| {
        let info = file::file_information(call, source)?;
        if info.attributes & file::FILE_ATTRIBUTE_DIRECTORY != 0 {
            return Err(Win32Error::ACCESS_DENIED);
        }
        let disposition = if fail_if_exists {
            CREATE_NEW
        } else {
            CREATE_ALWAYS
        };
        let attributes = info.attributes & !file::FILE_ATTRIBUTE_READONLY & 0xFFFF;
        let share = FILE_SHARE_READ | FILE_SHARE_WRITE;
        let with_delete = file::open_file(
            call,
            to,
            GENERIC_WRITE | DELETE,
            share,
            disposition,
            attributes,
        );
        let (target, can_delete) = match with_delete {
            Ok(h) => (h, true),
            Err(Win32Error::SHARING_VIOLATION | Win32Error::ACCESS_DENIED) => (
                file::open_file(call, to, GENERIC_WRITE, share, disposition, attributes)?,
                false,
            ),
            Err(e) => return Err(e),
        };
        Ok(Copy {
            source,
            target,
            size: info.size,
            written: file::unix_nanos(info.times[2]),
            read_only: info.attributes & file::FILE_ATTRIBUTE_READONLY != 0,
            target_name: file::full_path_name_of(call, to).unwrap_or_else(|_| to.to_string()),
            done: 0,
            can_delete,
        })
    })();
    if opened.is_err() {
        close(call, source);
    }
    opened
}

fn close(call: &mut ApiCall<'_>, handle: Handle) {
    if let Some(p) = call.process_mut() {
        let _ = p.handle_table_mut().close(handle);
    }
}

impl Copy {
    /// Copies the next chunk: true when the whole file is copied.
    fn step(&mut self, call: &mut ApiCall<'_>) -> Result<bool, Win32Error> {
        let mut buf = vec![0u8; super::COPY_CHUNK];
        let n = file::read_handle(call, self.source, &mut buf)?;
        if n == 0 {
            return Ok(true);
        }
        file::write_handle(call, self.target, &buf[..n])?;
        self.done += n as u64;
        Ok(false)
    }

    /// Ends a finished copy: the destination gets the source's last write time and
    /// read-only attribute; both handles close.
    fn finish(self, call: &mut ApiCall<'_>) -> Result<(), Win32Error> {
        let written =
            file::set_file_times(call, self.target, None, Some(file::filetime(self.written)));
        close(call, self.target);
        close(call, self.source);
        written?;
        if self.read_only {
            let attributes = file::get_file_attributes_of(call, &self.target_name)?;
            file::set_file_attributes_of(
                call,
                &self.target_name,
                attributes | file::FILE_ATTRIBUTE_READONLY,
            )?;
        }
        Ok(())
    }

    /// Ends a copy that stops early: the destination is deleted when `delete` and this copy
    /// opened it for DELETE.
    fn abort(self, call: &mut ApiCall<'_>, delete: bool) {
        if delete && self.can_delete {
            let _ = file::delete_on_close_handle(call, self.target);
        }
        close(call, self.target);
        close(call, self.source);
    }
}

/// CopyFile's work: the whole copy at once.
fn copy_now(
    call: &mut ApiCall<'_>,
    from: Option<&str>,
    to: Option<&str>,
    fail_if_exists: bool,
) -> ApiReturn {
    let r = (|| {
        let mut copy = open_copy(call, from, to, fail_if_exists)?;
        loop {
            match copy.step(call) {
                Ok(true) => break,
                Ok(false) => {}
                Err(e) => {
                    copy.abort(call, false);
                    return Err(e);
                }
            }
        }
        copy.finish(call)
    })();
    match r {
        Ok(()) => {
            call.set_last_error(0);
            ApiReturn::Value(1)
        }
        Err(e) => call.fail_win32(e, 0),
    }
}

/// CopyFileA(lpExistingFileName, lpNewFileName, bFailIfExists): copies a file's bytes,
/// last write time and attributes; with bFailIfExists an existing destination is
/// ERROR_FILE_EXISTS. A file copied onto itself is ERROR_SHARING_VIOLATION.
#[export]
pub(crate) fn CopyFileA(
    call: &mut ApiCall<'_>,
    lpExistingFileName: Option<AnsiStr>,
    lpNewFileName: Option<AnsiStr>,
    bFailIfExists: bool,
) -> ApiReturn {
    copy_now(
        call,
        lpExistingFileName.as_deref(),
        lpNewFileName.as_deref(),
        bFailIfExists,
    )
}

/// CopyFileW(lpExistingFileName, lpNewFileName, bFailIfExists).
#[export]
pub(crate) fn CopyFileW(
    call: &mut ApiCall<'_>,
    lpExistingFileName: Option<WideStr>,
    lpNewFileName: Option<WideStr>,
    bFailIfExists: bool,
) -> ApiReturn {
    copy_now(
        call,
        lpExistingFileName.as_deref(),
        lpNewFileName.as_deref(),
        bFailIfExists,
    )
}

/// Where a CopyFileEx call returns once done.
#[derive(Clone, Copy, Debug)]
enum Caller {
    /// x86: the stack pointer at the call (the return address, then the arguments).
    X86 { esp: u32 },
    /// Alpha: the return address and the stack pointer.
    Alpha { ra: u64, sp: u64 },
}

/// A CopyFileEx waiting for its progress routine.
struct Pending {
    copy: Copy,
    caller: Caller,
    routine: u32,
    data: u32,
    cancel: u32,
    quiet: bool,
    /// The stack pointer the routine returns with.
    resume_sp: u32,
}

/// Each thread's CopyFileEx calls waiting for their progress routines, innermost last.
#[derive(Default)]
pub(crate) struct PendingCopies {
    by_thread: HashMap<(u32, u32), Vec<Pending>>,
}

fn caller_of(call: &ApiCall<'_>) -> Option<Caller> {
    let t = call.process()?.thread(call.thread.thread)?;
    Some(match t.context() {
        CpuContext::X86(c) => Caller::X86 {
            esp: c.gpr[X86_ESP],
        },
        CpuContext::Alpha(c) => Caller::Alpha {
            ra: c.r[ALPHA_RA],
            sp: c.r[ALPHA_SP],
        },
    })
}

fn with_context(call: &mut ApiCall<'_>, f: impl FnOnce(&mut CpuContext)) {
    let tid = call.thread.thread;
    if let Some(p) = call.process_mut() {
        let (_, t) = p.space_and_thread(tid);
        if let Some(t) = t {
            f(t.context_mut());
        }
    }
}

/// Returns from CopyFileEx to its caller with `value`.
fn return_to_caller(call: &mut ApiCall<'_>, caller: Caller, value: u32) -> ApiReturn {
    let return_address = match caller {
        Caller::X86 { esp } => match call.read_u32(esp) {
            Ok(a) => Some(a),
            Err(_) => return ApiReturn::ExitProcess(nt_status::NtStatus::ACCESS_VIOLATION.0),
        },
        Caller::Alpha { .. } => None,
    };
    with_context(call, |c| match (c, caller) {
        (CpuContext::X86(c), Caller::X86 { esp }) => {
            c.gpr[X86_EAX] = value;
            c.eip = return_address.unwrap_or(0);
            c.gpr[X86_ESP] = esp.wrapping_add(4 + 4 * COPY_FILE_EX_ARGUMENTS);
        }
        (CpuContext::Alpha(c), Caller::Alpha { ra, sp }) => {
            c.r[ALPHA_V0] = u64::from(value);
            c.r[ALPHA_SP] = sp;
            c.pc = ra;
        }
        _ => {}
    });
    ApiReturn::Resumed
}

/// Calls the progress routine for the copy, which returns to the resume thunk.
fn call_routine(call: &mut ApiCall<'_>, mut pending: Pending, reason: u32) -> ApiReturn {
    let Some(resume) = call.builtins.implemented(super::DLL.name, RESUME) else {
        pending.copy.abort(call, false);
        return call.fail_win32(Win32Error::INVALID_FUNCTION, 0);
    };
    let (size, done) = (pending.copy.size, pending.copy.done);
    let quad = |v: u64| [v as u32, (v >> 32) as u32];
    let routine = pending.routine;
    let tail = [
        1,
        reason,
        pending.copy.source.0,
        pending.copy.target.0,
        pending.data,
    ];
    let resume_sp = match pending.caller {
        Caller::X86 { esp } => {
            let mut words = vec![resume];
            for v in [size, done, size, done] {
                words.extend(quad(v));
            }
            words.extend(tail);
            let frame = esp.wrapping_sub(4 * words.len() as u32 + 64) & !3;
            let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
            if call.write_bytes(frame, &bytes).is_err() {
                pending.copy.abort(call, false);
                return call.fail_win32(Win32Error::NOACCESS, 0);
            }
            with_context(call, |c| {
                if let CpuContext::X86(c) = c {
                    c.gpr[X86_ESP] = frame;
                    c.eip = routine;
                }
            });
            // The routine pops its 13 arguments and the return address.
            frame.wrapping_add(4 * words.len() as u32)
        }
        Caller::Alpha { sp, .. } => {
            // a0-a3 the four sizes, a4 the stream, a5 the reason; the handles and lpData
            // in the caller's argument area on the stack.
            let frame = (sp as u32).wrapping_sub(64) & !15;
            let stack: Vec<u8> = tail[2..]
                .iter()
                .flat_map(|&w| (nt_kernel::sign_extend(w)).to_le_bytes())
                .collect();
            if call.write_bytes(frame, &stack).is_err() {
                pending.copy.abort(call, false);
                return call.fail_win32(Win32Error::NOACCESS, 0);
            }
            with_context(call, |c| {
                if let CpuContext::Alpha(c) = c {
                    for (i, v) in [size, done, size, done].into_iter().enumerate() {
                        c.r[ALPHA_A0 + i] = v;
                    }
                    c.r[ALPHA_A0 + 4] = 1;
                    c.r[ALPHA_A0 + 5] = u64::from(reason);
                    c.r[ALPHA_SP] = nt_kernel::sign_extend(frame);
                    c.r[ALPHA_RA] = nt_kernel::sign_extend(resume);
                    c.r[ALPHA_PV] = nt_kernel::sign_extend(routine);
                    c.pc = nt_kernel::sign_extend(routine);
                }
            });
            frame
        }
    };
    pending.resume_sp = resume_sp;
    let key = (call.thread.process, call.thread.thread);
    call.state
        .k32()
        .copies
        .by_thread
        .entry(key)
        .or_default()
        .push(pending);
    ApiReturn::Resumed
}

/// Goes on with a copy: checks the cancel flag, copies a chunk, and calls the routine
/// again, until the copy ends.
fn advance(call: &mut ApiCall<'_>, mut pending: Pending) -> ApiReturn {
    loop {
        let cancelled = pending.cancel != 0 && call.read_u32(pending.cancel).is_ok_and(|v| v != 0);
        if cancelled {
            pending.copy.abort(call, true);
            call.set_last_error(Win32Error::REQUEST_ABORTED.0);
            return return_to_caller(call, pending.caller, 0);
        }
        match pending.copy.step(call) {
            Ok(true) => {
                let caller = pending.caller;
                return match pending.copy.finish(call) {
                    Ok(()) => {
                        call.set_last_error(0);
                        return_to_caller(call, caller, 1)
                    }
                    Err(e) => {
                        call.set_last_error(e.0);
                        return_to_caller(call, caller, 0)
                    }
                };
            }
            Ok(false) => {
                if pending.routine != 0 && !pending.quiet {
                    return call_routine(call, pending, CALLBACK_CHUNK_FINISHED);
                }
            }
            Err(e) => {
                pending.copy.abort(call, false);
                call.set_last_error(e.0);
                return return_to_caller(call, pending.caller, 0);
            }
        }
    }
}

/// The resume thunk: a progress routine returned its answer.
#[export(cdecl)]
pub(crate) fn __ntemu_k32_copy_resume(call: &mut ApiCall<'_>) -> ApiReturn {
    let (answer, sp) = match call.process().and_then(|p| p.thread(call.thread.thread)) {
        Some(t) => match t.context() {
            CpuContext::X86(c) => (c.gpr[X86_EAX], c.gpr[X86_ESP]),
            CpuContext::Alpha(c) => (c.r[ALPHA_V0] as u32, c.r[ALPHA_SP] as u32),
        },
        None => return ApiReturn::ExitProcess(nt_status::NtStatus::ILLEGAL_INSTRUCTION.0),
    };
    let key = (call.thread.process, call.thread.thread);
    let pending = {
        let stack = call.state.k32().copies.by_thread.entry(key).or_default();
        // Copies whose routines never returned here (left by a longjmp) are dropped.
        if let Some(i) = stack.iter().rposition(|p| p.resume_sp == sp) {
            stack.truncate(i + 1);
        }
        stack.pop()
    };
    let Some(mut pending) = pending else {
        return ApiReturn::ExitProcess(nt_status::NtStatus::ILLEGAL_INSTRUCTION.0);
    };
    match answer {
        PROGRESS_CANCEL | PROGRESS_STOP => {
            pending.copy.abort(call, answer == PROGRESS_CANCEL);
            call.set_last_error(Win32Error::REQUEST_ABORTED.0);
            return_to_caller(call, pending.caller, 0)
        }
        _ => {
            pending.quiet |= answer == PROGRESS_QUIET;
            advance(call, pending)
        }
    }
}

/// CopyFileEx's work: the copy, with the progress routine (when there is one) called once
/// the files are open (CALLBACK_STREAM_SWITCH) and after each chunk
/// (CALLBACK_CHUNK_FINISHED); PROGRESS_CANCEL deletes the destination and PROGRESS_STOP
/// keeps it, both failing with ERROR_REQUEST_ABORTED, as does a TRUE *pbCancel.
#[allow(clippy::too_many_arguments)]
fn copy_ex(
    call: &mut ApiCall<'_>,
    from: Option<&str>,
    to: Option<&str>,
    routine: Ptr,
    data: Ptr,
    cancel: Ptr,
    flags: u32,
) -> ApiReturn {
    if flags & !(COPY_FILE_FAIL_IF_EXISTS | COPY_FILE_RESTARTABLE) != 0 {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    if routine.is_null() && cancel.is_null() {
        return copy_now(call, from, to, flags & COPY_FILE_FAIL_IF_EXISTS != 0);
    }
    let Some(caller) = caller_of(call) else {
        return call.fail_win32(Win32Error::INVALID_HANDLE, 0);
    };
    let copy = match open_copy(call, from, to, flags & COPY_FILE_FAIL_IF_EXISTS != 0) {
        Ok(c) => c,
        Err(e) => return call.fail_win32(e, 0),
    };
    let pending = Pending {
        copy,
        caller,
        routine: routine.0,
        data: data.0,
        cancel: cancel.0,
        quiet: false,
        resume_sp: 0,
    };
    if routine.is_null() {
        return advance(call, pending);
    }
    call_routine(call, pending, CALLBACK_STREAM_SWITCH)
}

/// CopyFileExA(lpExistingFileName, lpNewFileName, lpProgressRoutine, lpData, pbCancel,
/// dwCopyFlags).
#[export]
fn CopyFileExA(
    call: &mut ApiCall<'_>,
    lpExistingFileName: Option<AnsiStr>,
    lpNewFileName: Option<AnsiStr>,
    lpProgressRoutine: Ptr,
    lpData: Ptr,
    pbCancel: Ptr,
    dwCopyFlags: u32,
) -> ApiReturn {
    copy_ex(
        call,
        lpExistingFileName.as_deref(),
        lpNewFileName.as_deref(),
        lpProgressRoutine,
        lpData,
        pbCancel,
        dwCopyFlags,
    )
}

/// CopyFileExW(lpExistingFileName, lpNewFileName, lpProgressRoutine, lpData, pbCancel,
/// dwCopyFlags).
#[export]
fn CopyFileExW(
    call: &mut ApiCall<'_>,
    lpExistingFileName: Option<WideStr>,
    lpNewFileName: Option<WideStr>,
    lpProgressRoutine: Ptr,
    lpData: Ptr,
    pbCancel: Ptr,
    dwCopyFlags: u32,
) -> ApiReturn {
    copy_ex(
        call,
        lpExistingFileName.as_deref(),
        lpNewFileName.as_deref(),
        lpProgressRoutine,
        lpData,
        pbCancel,
        dwCopyFlags,
    )
}
