//! stdio: FILE streams over kernel32 handles (the console's standard handles and disk files
//! through kernel32's file layer), the printf and scanf families, and the low-level
//! descriptors (`_open`, `_read`, `_write`, `_lseek`, `_close`, `_setmode`).
//!
//! Writes are unbuffered: every write reaches its handle at once, so CRT output interleaves
//! with WriteFile's exactly. Reads go through a per-stream buffer of raw bytes. Text-mode
//! descriptors (the default, as `_fmode` is `_O_TEXT`) write `\n` as `\r\n` and read `\r\n`
//! as `\n`, with Ctrl-Z ending the input, as msvcrt does for a console, a redirected stdout
//! and a file alike. A FILE's guest fields are kept with `_cnt` 0, so the getc/putc macros
//! of old headers always call `_filbuf`/`_flsbuf`.

use nt_object::Handle;
use nt_status::Win32Error;

use super::scanf as engine;
use super::text::Width;
use super::{CRT_DATA, CrtState, FILE_SIZE, FILE_SLOTS, at, errno, set_errno, value, with_state};
use win32::args::GuestArguments;
use win32::format::{Arguments, format as format_text};
use win32::{AnsiStr, ApiCall, ApiReturn, Ptr, VarArgs, WideStr, export};

/// FILE `_flag` bits.
const IOREAD: u32 = 0x1;
const IOWRT: u32 = 0x2;
const IONBF: u32 = 0x4;
const IOEOF: u32 = 0x10;
const IOERR: u32 = 0x20;
const IORW: u32 = 0x80;
/// EOF.
const EOF: u32 = u32::MAX;
/// `_open` flags and `_setmode` modes.
const O_WRONLY: u32 = 0x1;
const O_RDWR: u32 = 0x2;
const O_APPEND: u32 = 0x8;
const O_CREAT: u32 = 0x100;
const O_TRUNC: u32 = 0x200;
const O_EXCL: u32 = 0x400;
const O_TEXT: u32 = 0x4000;
const O_BINARY: u32 = 0x8000;
/// `_O_NOINHERIT`, `_O_TEMPORARY` (delete when closed) and `_O_SHORT_LIVED`.
const O_NOINHERIT: u32 = 0x80;
pub(crate) const O_TEMPORARY: u32 = 0x40;
const O_SHORT_LIVED: u32 = 0x1000;
/// `_S_IREAD | _S_IWRITE`: what fopen makes files with.
const S_IREAD_WRITE: u32 = 0x180;
/// `_S_IWRITE`: a file `_open` makes is writable.
const S_IWRITE: u32 = 0x80;
/// The most descriptors a process has (msvcrt's _NHANDLE_).
pub(crate) const MAX_FDS: u32 = 2048;
/// The longest format string read.
const FORMAT_LIMIT: usize = 0x1_0000;
/// How much a stream reads from its handle at a time.
const READ_CHUNK: usize = 0x1000;

/// A low-level descriptor: its handle and mode (msvcrt's `_osfhnd` and `_osfile`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fd {
    /// The KERNEL32 handle.
    pub(crate) handle: Handle,
    /// FTEXT: `\n` is written as CR LF and CR LF read as `\n`.
    pub(crate) text: bool,
    /// FAPPEND: every write goes to the end.
    pub(crate) append: bool,
    /// FDEV: a character device (GetFileType's FILE_TYPE_CHAR: the console, NUL).
    pub(crate) device: bool,
    /// FNOINHERIT: not passed to spawned children.
    pub(crate) no_inherit: bool,
    /// The C runtime opened the handle (`_open`, `_dup`, `_open_osfhandle`...): `_close`
    /// closes it. The standard handles it found at start-up stay open.
    pub(crate) owned: bool,
}

impl Fd {
    /// A descriptor on `handle`, its kind from GetFileType (None: FILE_TYPE_UNKNOWN).
    pub(crate) fn on(
        call: &mut ApiCall<'_>,
        handle: Handle,
        text: bool,
        owned: bool,
    ) -> Option<Fd> {
        let kind = kernel32::file_type_of(call, handle).ok()?;
        Some(Fd {
            handle,
            text,
            append: false,
            device: kind == FILE_TYPE_CHAR,
            no_inherit: false,
            owned,
        })
    }
}

/// GetFileType's FILE_TYPE_DISK.
pub(crate) const FILE_TYPE_DISK: u32 = 1;
/// GetFileType's FILE_TYPE_CHAR.
pub(crate) const FILE_TYPE_CHAR: u32 = 2;
/// GetFileType's FILE_TYPE_PIPE.
pub(crate) const FILE_TYPE_PIPE: u32 = 3;

/// A stream's host-side state.
#[derive(Clone)]
pub(crate) struct Stream {
    /// Its low-level descriptor.
    pub(crate) fd: u32,
    /// Pushed-back characters (ungetc), last pushed last.
    ungot: Vec<u8>,
    /// Raw bytes read from the handle and not yet consumed, from `pos`.
    buffer: Vec<u8>,
    pos: usize,
    /// Raw bytes the last character read from `buffer` took (2 for a CRLF read as LF).
    last_raw: usize,
    /// A read found the console input (or a pipe) empty with more to come: the call must
    /// wait.
    blocked: bool,
    /// tmpfile made it: `_rmtmp` closes it (and its file goes, deleted on close).
    temporary: bool,
    eof: bool,
    error: bool,
}

impl Stream {
    fn new(fd: u32) -> Stream {
        Stream {
            fd,
            ungot: Vec::new(),
            buffer: Vec::new(),
            pos: 0,
            last_raw: 0,
            blocked: false,
            temporary: false,
            eof: false,
            error: false,
        }
    }
}

/// msvcrt's errno for a Win32 error (its _dosmaperr).
fn errno_of(e: Win32Error) -> u32 {
    super::errno_of(e.0)
}

fn fail_dos(call: &mut ApiCall<'_>, e: Win32Error) {
    super::dosmaperr(call, e.0);
}

/// The FILEs `_iob[0..3]` (stdin, stdout, stderr): their flags and descriptors.
pub(crate) fn standard_files(call: &mut ApiCall<'_>) {
    for (slot, flag) in [(0u32, IOREAD), (1, IOWRT), (2, IOWRT | IONBF)] {
        let file = CRT_DATA + at::IOB + slot * FILE_SIZE;
        let _ = call.write_u32(file + 12, flag);
        let _ = call.write_u32(file + 16, slot);
    }
}

/// msvcrt's `_osfile` bits passed to children in STARTUPINFO.lpReserved2.
const FOPEN: u8 = 0x01;
const FNOINHERIT: u8 = 0x10;
const FAPPEND: u8 = 0x20;
const FDEV: u8 = 0x40;
const FTEXT: u8 = 0x80;
/// The most descriptors msvcrt passes to a child (its `_nhandle` limit).
const MAX_INHERITED: usize = 2048;

/// msvcrt's inheritance block for a spawned child (`cbReserved2`/`lpReserved2` of its
/// STARTUPINFO): the count of descriptors, one `_osfile` byte each, then each one's handle;
/// a descriptor that is closed or FNOINHERIT is passed as 0 and INVALID_HANDLE_VALUE.
pub(crate) fn inheritance_block(state: &CrtState) -> Vec<u8> {
    let count = state
        .fds
        .keys()
        .next_back()
        .map_or(0, |&last| last as usize + 1)
        .min(MAX_INHERITED);
    let mut flags = vec![0u8; count];
    let mut handles = vec![u32::MAX; count];
    for (&fd, d) in state.fds.range(0..count as u32) {
        if d.no_inherit {
            continue;
        }
        let mut bits = FOPEN;
        if d.text {
            bits |= FTEXT;
        }
        if d.append {
            bits |= FAPPEND;
        }
        if d.device {
            bits |= FDEV;
        }
        flags[fd as usize] = bits;
        handles[fd as usize] = d.handle.0;
    }
    let mut block = Vec::with_capacity(4 + 5 * count);
    block.extend_from_slice(&(count as u32).to_le_bytes());
    block.extend_from_slice(&flags);
    for h in handles {
        block.extend_from_slice(&h.to_le_bytes());
    }
    block
}

/// Opens the descriptors its creator passed in STARTUPINFO.lpReserved2 (msvcrt's `_ioinit`:
/// each one open, not FNOINHERIT, whose handle GetFileType knows), then descriptors 0, 1 and
/// 2 not among them on the standard handles, and the streams of `_iob[0..3]`.
pub(crate) fn open_standard_streams(call: &mut ApiCall<'_>, state: &mut CrtState) {
    let block = kernel32::startup_reserved2(call);
    if block.len() >= 4 {
        let claimed = u32::from_le_bytes([block[0], block[1], block[2], block[3]]) as usize;
        let count = claimed.min((block.len() - 4) / 5).min(MAX_INHERITED);
        for fd in 0..count {
            let bits = block[4 + fd];
            let at = 4 + count + 4 * fd;
            let handle = Handle(u32::from_le_bytes([
                block[at],
                block[at + 1],
                block[at + 2],
                block[at + 3],
            ]));
            if bits & FOPEN == 0 || bits & FNOINHERIT != 0 || handle.0 == u32::MAX {
                continue;
            }
            if let Some(mut d) = Fd::on(call, handle, bits & FTEXT != 0, true) {
                d.append = bits & FAPPEND != 0;
                state.fds.insert(fd as u32, d);
            }
        }
    }
    for slot in 0..3u32 {
        if !state.fds.contains_key(&slot)
            && let Ok(handle) = kernel32::std_handle(call, slot as usize)
            && let Some(fd) = Fd::on(call, handle, true, false)
        {
            state.fds.insert(slot, fd);
        }
        state.streams.insert(slot, Stream::new(slot));
    }
}

/// The stream slot of a FILE pointer.
fn slot_of(file: u32) -> Option<u32> {
    let offset = file.checked_sub(CRT_DATA + at::IOB)?;
    (offset % FILE_SIZE == 0 && offset / FILE_SIZE < FILE_SLOTS).then_some(offset / FILE_SIZE)
}

/// Writes bytes to descriptor `fd` (text mode translates `\n`); false on failure, with
/// errno set.
pub(crate) fn write_fd(call: &mut ApiCall<'_>, state: &CrtState, fd: u32, bytes: &[u8]) -> bool {
    let Some(d) = state.fds.get(&fd) else {
        set_errno(call, errno::EBADF);
        return false;
    };
    let data: Vec<u8> = if d.text {
        let mut v = Vec::with_capacity(bytes.len() + 8);
        for &b in bytes {
            if b == b'\n' {
                v.push(b'\r');
            }
            v.push(b);
        }
        v
    } else {
        bytes.to_vec()
    };
    if d.append {
        let _ = kernel32::set_file_pointer(call, d.handle, 0, 2);
    }
    match kernel32::write_handle(call, d.handle, &data) {
        Ok(_) => true,
        // _write reports a handle that may not be written as a bad descriptor.
        Err(Win32Error::ACCESS_DENIED) => {
            super::fail_errno(call, errno::EBADF, Win32Error::ACCESS_DENIED.0);
            false
        }
        Err(e) => {
            fail_dos(call, e);
            false
        }
    }
}

/// Writes to a stream; false (and the stream's error flag) on failure.
fn write_stream(call: &mut ApiCall<'_>, state: &mut CrtState, file: u32, bytes: &[u8]) -> bool {
    let Some(slot) = slot_of(file).filter(|s| state.streams.contains_key(s)) else {
        set_errno(call, errno::EBADF);
        return false;
    };
    // Drop what was read ahead: the handle's position goes back to the stream's.
    let (fd, unread) = match state.streams.get_mut(&slot) {
        Some(s) => {
            let unread = (s.buffer.len() - s.pos) as i64;
            s.buffer.clear();
            s.pos = 0;
            s.ungot.clear();
            (s.fd, unread)
        }
        None => return false,
    };
    if unread > 0
        && let Some(d) = state.fds.get(&fd)
    {
        let _ = kernel32::set_file_pointer(call, d.handle, -unread, 1);
    }
    let ok = write_fd(call, state, fd, bytes);
    if !ok {
        set_flag(call, state, file, IOERR);
    }
    ok
}

fn set_flag(call: &mut ApiCall<'_>, state: &mut CrtState, file: u32, flag: u32) {
    if let Some(s) = slot_of(file).and_then(|s| state.streams.get_mut(&s)) {
        if flag == IOERR {
            s.error = true;
        }
        if flag == IOEOF {
            s.eof = true;
        }
    }
    let old = call.read_u32(file + 12).unwrap_or(0);
    let _ = call.write_u32(file + 12, old | flag);
}

/// What a refill found.
enum Refill {
    /// New bytes are in the buffer.
    Data,
    /// The end of the input.
    End,
    /// The console input is empty but more may come: the call must wait.
    Block,
}

/// True when `handle` is the console input.
fn is_console_input(call: &ApiCall<'_>, handle: Handle) -> bool {
    call.reference(handle, nt_object::AccessMask(0), None)
        .is_ok_and(|o| o.payload::<kernel32::HostFile>() == Some(&kernel32::HostFile::Input))
}

/// Reads up to `max` raw bytes from a handle: the console input gives cooked lines, other
/// handles what ReadFile gives; an empty console input or pipe with more to come asks the
/// caller to wait ([`wait_for_input`]).
fn read_raw(call: &mut ApiCall<'_>, handle: Handle, max: usize) -> Result<Vec<u8>, Refill> {
    if kernel32::read_wait(call, handle).is_some() {
        return Err(Refill::Block);
    }
    if is_console_input(call, handle) {
        return match kernel32::console::read_cooked(call, max) {
            Some(bytes) if bytes.is_empty() => Err(Refill::End),
            Some(bytes) => Ok(bytes),
            None => Err(Refill::Block),
        };
    }
    let mut chunk = vec![0u8; max];
    match kernel32::read_handle(call, handle, &mut chunk) {
        Ok(n) if n > 0 => {
            chunk.truncate(n);
            Ok(chunk)
        }
        _ => Err(Refill::End),
    }
}

/// Refills a stream's buffer from its handle.
fn refill(
    call: &mut ApiCall<'_>,
    fds: &std::collections::BTreeMap<u32, Fd>,
    s: &mut Stream,
) -> Refill {
    let Some(d) = fds.get(&s.fd) else {
        return Refill::End;
    };
    match read_raw(call, d.handle, READ_CHUNK) {
        Ok(bytes) => {
            s.buffer = bytes;
            s.pos = 0;
            Refill::Data
        }
        Err(Refill::Block) => {
            s.blocked = true;
            Refill::Block
        }
        Err(other) => other,
    }
}

/// Reads one character of a stream (text mode: `\r\n` is `\n`, Ctrl-Z ends the input);
/// None at end of file.
fn read_char(call: &mut ApiCall<'_>, state: &mut CrtState, file: u32) -> Option<u8> {
    let slot = slot_of(file)?;
    let text = {
        let s = state.streams.get(&slot)?;
        state.fds.get(&s.fd).is_some_and(|d| d.text)
    };
    let CrtState { streams, fds, .. } = state;
    let s = streams.get_mut(&slot)?;
    s.last_raw = 0;
    if let Some(c) = s.ungot.pop() {
        return Some(c);
    }
    let mut before = s.pos;
    let mut refilled = false;
    let c = 'read: {
        if s.pos >= s.buffer.len() {
            if !matches!(refill(call, fds, s), Refill::Data) {
                break 'read None;
            }
            before = 0;
        }
        let c = s.buffer[s.pos];
        s.pos += 1;
        if !text {
            break 'read Some(c);
        }
        if c == 0x1A {
            s.pos -= 1;
            break 'read None;
        }
        if c == b'\r' {
            if s.pos >= s.buffer.len() {
                if !matches!(refill(call, fds, s), Refill::Data) {
                    // A CR at the end of what is there stays a CR (a console line always
                    // ends in CR LF, so this is a file's last byte).
                    s.blocked = false;
                    break 'read Some(c);
                }
                refilled = true;
            }
            if s.buffer.get(s.pos) == Some(&b'\n') {
                s.pos += 1;
                break 'read Some(b'\n');
            }
        }
        Some(c)
    };
    // What the character took from the buffer, when the buffer was not replaced under it.
    if c.is_some() && !refilled {
        s.last_raw = s.pos - before;
    }
    let blocked = state.streams.get(&slot).is_some_and(|s| s.blocked);
    if c.is_none() && !blocked {
        set_flag(call, state, file, IOEOF);
    }
    c
}

/// Runs a reading call on the stream `file`; when the read found the console input empty
/// with more keys to come, the stream is put back as it was and the call waits for input,
/// to run again from the start.
fn reading(
    call: &mut ApiCall<'_>,
    file: u32,
    f: impl FnOnce(&mut ApiCall<'_>, &mut CrtState) -> ApiReturn,
) -> ApiReturn {
    let blocked = with_state(call, |call, state| {
        let slot = slot_of(file);
        let before = slot.and_then(|s| state.streams.get(&s).cloned());
        let result = f(call, state);
        match (slot, before) {
            (Some(slot), Some(before)) if state.streams.get(&slot).is_some_and(|s| s.blocked) => {
                state.streams.insert(slot, before);
                let _ = call.write_u32(file + 12, call.read_u32(file + 12).unwrap_or(0) & !IOEOF);
                None
            }
            _ => Some(result),
        }
    });
    match blocked {
        Some(result) => result,
        None => {
            let handle = with_state(call, |_, state| {
                let fd = slot_of(file).and_then(|slot| state.streams.get(&slot).map(|s| s.fd));
                fd.and_then(|fd| state.fds.get(&fd).map(|d| d.handle))
            });
            wait_for_input(call, handle)
        }
    }
}

/// The wait of a read that found `handle` empty: until a pipe has data or its writer is
/// gone, or until the console has input.
fn wait_for_input(call: &mut ApiCall<'_>, handle: Option<Handle>) -> ApiReturn {
    handle
        .and_then(|h| kernel32::read_wait(call, h))
        .unwrap_or_else(|| kernel32::console::input_wait(call))
}

/// Puts back the character read last (scanf's lookahead): into the buffer when it came from
/// there, so the stream's position is exact again.
fn unread_char(state: &mut CrtState, file: u32, c: u8) {
    let Some(s) = slot_of(file).and_then(|slot| state.streams.get_mut(&slot)) else {
        return;
    };
    if s.last_raw > 0 && s.pos >= s.last_raw {
        s.pos -= s.last_raw;
    } else {
        s.ungot.push(c);
    }
    s.last_raw = 0;
}

/// Flushes every stream (writes are unbuffered: this keeps `_cnt` at 0).
pub(crate) fn flush_all(call: &mut ApiCall<'_>, state: &mut CrtState) {
    for &slot in state.streams.keys() {
        let _ = call.write_u32(CRT_DATA + at::IOB + slot * FILE_SIZE + 4, 0);
    }
}

// ---- printf family ------------------------------------------------------------------------

/// Reads a format string; None (with EINVAL) when it cannot be read.
fn read_format(call: &mut ApiCall<'_>, format: Ptr) -> Option<Vec<u8>> {
    match call.read_c_bytes(format.0, FORMAT_LIMIT) {
        Ok(fmt) => Some(fmt),
        Err(_) => {
            set_errno(call, errno::EINVAL);
            None
        }
    }
}

/// Formats `format` with the call's variadic arguments.
pub(crate) fn format_varargs(
    call: &mut ApiCall<'_>,
    format: Ptr,
    arguments: VarArgs,
) -> Option<Vec<u8>> {
    let fmt = read_format(call, format)?;
    format_text(&fmt, &mut arguments.reader(call)).ok()
}

/// Formats `format` with the arguments of the va_list `argptr`.
fn format_list(call: &mut ApiCall<'_>, format: Ptr, argptr: Ptr) -> Option<Vec<u8>> {
    let fmt = read_format(call, format)?;
    format_text(&fmt, &mut GuestArguments::list(call, argptr.0)).ok()
}

fn print_to(call: &mut ApiCall<'_>, file: u32, text: Option<Vec<u8>>) -> i32 {
    let Some(text) = text else {
        return -1;
    };
    with_state(call, |call, state| {
        if write_stream(call, state, file, &text) {
            text.len() as i32
        } else {
            -1
        }
    })
}

fn stdout_file() -> u32 {
    CRT_DATA + at::IOB + FILE_SIZE
}

fn stderr_file() -> u32 {
    CRT_DATA + at::IOB + 2 * FILE_SIZE
}

/// printf(format, ...).
#[export(cdecl)]
fn printf(call: &mut ApiCall<'_>, format: Ptr, arguments: VarArgs) -> i32 {
    let text = format_varargs(call, format, arguments);
    print_to(call, stdout_file(), text)
}

/// fprintf(stream, format, ...).
#[export(cdecl)]
fn fprintf(call: &mut ApiCall<'_>, stream: Ptr, format: Ptr, arguments: VarArgs) -> i32 {
    let text = format_varargs(call, format, arguments);
    print_to(call, stream.0, text)
}

/// vprintf(format, argptr).
#[export(cdecl)]
fn vprintf(call: &mut ApiCall<'_>, format: Ptr, argptr: Ptr) -> i32 {
    let text = format_list(call, format, argptr);
    print_to(call, stdout_file(), text)
}

/// vfprintf(stream, format, argptr).
#[export(cdecl)]
fn vfprintf(call: &mut ApiCall<'_>, stream: Ptr, format: Ptr, argptr: Ptr) -> i32 {
    let text = format_list(call, format, argptr);
    print_to(call, stream.0, text)
}

/// Stores a formatted string: all of it and a NUL for sprintf (`limit` None); for
/// _snprintf at most `limit` bytes, with a NUL only if it fits, and -1 when truncated.
fn store_string(
    call: &mut ApiCall<'_>,
    buffer: Ptr,
    limit: Option<u32>,
    text: Option<Vec<u8>>,
) -> i32 {
    let Some(mut text) = text else {
        return -1;
    };
    let len = text.len() as u32;
    let result = match limit {
        Some(n) if len > n => {
            text.truncate(n as usize);
            EOF
        }
        Some(n) => {
            if len < n {
                text.push(0);
            }
            len
        }
        None => {
            text.push(0);
            len
        }
    };
    if call.write_bytes(buffer.0, &text).is_err() {
        return -1;
    }
    result as i32
}

/// sprintf(buffer, format, ...).
#[export(cdecl)]
fn sprintf(call: &mut ApiCall<'_>, buffer: Ptr, format: Ptr, arguments: VarArgs) -> i32 {
    let text = format_varargs(call, format, arguments);
    store_string(call, buffer, None, text)
}

/// _snprintf(buffer, count, format, ...).
#[export(cdecl)]
fn _snprintf(
    call: &mut ApiCall<'_>,
    buffer: Ptr,
    count: u32,
    format: Ptr,
    arguments: VarArgs,
) -> i32 {
    let text = format_varargs(call, format, arguments);
    store_string(call, buffer, Some(count), text)
}

/// vsprintf(buffer, format, argptr).
#[export(cdecl)]
fn vsprintf(call: &mut ApiCall<'_>, buffer: Ptr, format: Ptr, argptr: Ptr) -> i32 {
    let text = format_list(call, format, argptr);
    store_string(call, buffer, None, text)
}

/// _vsnprintf(buffer, count, format, argptr).
#[export(cdecl)]
fn _vsnprintf(call: &mut ApiCall<'_>, buffer: Ptr, count: u32, format: Ptr, argptr: Ptr) -> i32 {
    let text = format_list(call, format, argptr);
    store_string(call, buffer, Some(count), text)
}

// ---- character and block output -----------------------------------------------------------

/// puts(str): str and a newline on stdout; 0, or EOF on error.
#[export(cdecl)]
fn puts(call: &mut ApiCall<'_>, str: Ptr) -> i32 {
    let Ok(mut text) = call.read_c_bytes(str.0, 0x100_0000) else {
        return -1;
    };
    text.push(b'\n');
    with_state(call, |call, state| {
        if write_stream(call, state, stdout_file(), &text) {
            0
        } else {
            -1
        }
    })
}

/// fputs(str, stream): 0, or EOF on error.
#[export(cdecl)]
fn fputs(call: &mut ApiCall<'_>, str: Ptr, stream: Ptr) -> i32 {
    let Ok(text) = call.read_c_bytes(str.0, 0x100_0000) else {
        return -1;
    };
    with_state(call, |call, state| {
        if write_stream(call, state, stream.0, &text) {
            0
        } else {
            -1
        }
    })
}

fn put_char(call: &mut ApiCall<'_>, c: u32, file: u32) -> u32 {
    with_state(call, |call, state| {
        if write_stream(call, state, file, &[c as u8]) {
            let _ = call.write_u32(file + 4, 0);
            c & 0xFF
        } else {
            EOF
        }
    })
}

/// fputc(c, stream), putc and _flsbuf (what the putc macro of old headers calls when
/// `_cnt` runs out): the character written, or EOF.
#[export(cdecl)]
fn fputc(call: &mut ApiCall<'_>, c: u32, stream: Ptr) -> u32 {
    put_char(call, c, stream.0)
}

/// putchar(c).
#[export(cdecl)]
fn putchar(call: &mut ApiCall<'_>, c: u32) -> u32 {
    put_char(call, c, stdout_file())
}

/// fwrite(buffer, size, count, stream): the number of whole items written.
#[export(cdecl)]
fn fwrite(call: &mut ApiCall<'_>, buffer: Ptr, size: u32, count: u32, stream: Ptr) -> u32 {
    let Some(total) = size.checked_mul(count).filter(|&t| t <= 0x1000_0000) else {
        return 0;
    };
    if total == 0 {
        return 0;
    }
    let Ok(bytes) = call.read_bytes(buffer.0, total as usize) else {
        return 0;
    };
    with_state(call, |call, state| {
        if write_stream(call, state, stream.0, &bytes) {
            count
        } else {
            0
        }
    })
}

/// fflush(stream): 0 (streams are unbuffered).
#[export(cdecl)]
fn fflush(call: &mut ApiCall<'_>, stream: Ptr) -> i32 {
    let _ = stream;
    with_state(call, flush_all);
    0
}

/// _flushall(): the number of open streams.
#[export(cdecl)]
fn _flushall(call: &mut ApiCall<'_>) -> u32 {
    with_state(call, |call, state| {
        flush_all(call, state);
        state.streams.len() as u32
    })
}

/// setvbuf(stream, buffer, mode, size): 0 (streams are unbuffered).
#[export(cdecl)]
fn setvbuf(call: &mut ApiCall<'_>, stream: Ptr, buffer: Ptr, mode: u32, size: u32) -> i32 {
    let _ = (stream, buffer, mode, size);
    with_state(call, |_, _| 0)
}

/// setbuf(stream, buffer): nothing (streams are unbuffered).
#[export(cdecl)]
fn setbuf(call: &mut ApiCall<'_>, stream: Ptr, buffer: Ptr) {
    let _ = (stream, buffer);
    with_state(call, |_, _| ());
}

// ---- input --------------------------------------------------------------------------------

/// fgetc(stream), getc and _filbuf (what the getc macro of old headers calls when `_cnt`
/// runs out): the next character, or EOF.
#[export(cdecl)]
fn fgetc(call: &mut ApiCall<'_>, stream: Ptr) -> ApiReturn {
    let file = stream.0;
    reading(call, file, |call, state| {
        let c = read_char(call, state, file);
        let _ = call.write_u32(file + 4, 0);
        value(c.map_or(EOF, u32::from))
    })
}

/// getchar().
#[export(cdecl)]
fn getchar(call: &mut ApiCall<'_>) -> ApiReturn {
    let file = CRT_DATA + at::IOB;
    reading(call, file, |call, state| {
        value(read_char(call, state, file).map_or(EOF, u32::from))
    })
}

/// fgets(str, n, stream): a line (newline kept) or NULL at end of file.
#[export(cdecl)]
fn fgets(call: &mut ApiCall<'_>, str: Ptr, n: i32, stream: Ptr) -> ApiReturn {
    let (buffer, file) = (str.0, stream.0);
    if n <= 0 {
        return value(0);
    }
    reading(call, file, |call, state| {
        let mut line = Vec::new();
        while line.len() + 1 < n as usize {
            match read_char(call, state, file) {
                Some(c) => {
                    line.push(c);
                    if c == b'\n' {
                        break;
                    }
                }
                None => break,
            }
        }
        if line.is_empty() && n > 1 {
            return value(0);
        }
        line.push(0);
        value(if call.write_bytes(buffer, &line).is_ok() {
            buffer
        } else {
            0
        })
    })
}

/// gets(buffer): a line without its newline, or NULL at end of file.
#[export(cdecl)]
fn gets(call: &mut ApiCall<'_>, buffer: Ptr) -> ApiReturn {
    let buffer = buffer.0;
    let file = CRT_DATA + at::IOB;
    reading(call, file, |call, state| {
        let mut line = Vec::new();
        loop {
            match read_char(call, state, file) {
                Some(b'\n') => break,
                Some(c) => line.push(c),
                None if line.is_empty() => return value(0),
                None => break,
            }
        }
        line.push(0);
        value(if call.write_bytes(buffer, &line).is_ok() {
            buffer
        } else {
            0
        })
    })
}

/// ungetc(c, stream): pushes c back; EOF for EOF.
#[export(cdecl)]
fn ungetc(call: &mut ApiCall<'_>, c: u32, stream: Ptr) -> u32 {
    let file = stream.0;
    if c == EOF {
        return EOF;
    }
    with_state(call, |call, state| {
        match slot_of(file).and_then(|s| state.streams.get_mut(&s)) {
            Some(s) => {
                s.ungot.push(c as u8);
                s.eof = false;
                let flag = call.read_u32(file + 12).unwrap_or(0);
                let _ = call.write_u32(file + 12, flag & !IOEOF);
                c & 0xFF
            }
            None => EOF,
        }
    })
}

/// fread(buffer, size, count, stream): the number of whole items read.
#[export(cdecl)]
fn fread(call: &mut ApiCall<'_>, buffer: Ptr, size: u32, count: u32, stream: Ptr) -> ApiReturn {
    let (ptr, file) = (buffer.0, stream.0);
    let Some(total) = size.checked_mul(count).filter(|&t| t <= 0x1000_0000) else {
        return value(0);
    };
    if total == 0 {
        return value(0);
    }
    reading(call, file, |call, state| {
        let mut bytes = Vec::new();
        while bytes.len() < total as usize {
            match read_char(call, state, file) {
                Some(c) => bytes.push(c),
                None => break,
            }
        }
        let _ = call.write_bytes(ptr, &bytes);
        value(bytes.len() as u32 / size)
    })
}

fn stream_flag(call: &mut ApiCall<'_>, file: Ptr, pick: fn(&Stream) -> bool) -> bool {
    with_state(call, |_, state| {
        slot_of(file.0)
            .and_then(|s| state.streams.get(&s))
            .is_some_and(pick)
    })
}

/// feof(stream).
#[export(cdecl)]
fn feof(call: &mut ApiCall<'_>, stream: Ptr) -> bool {
    stream_flag(call, stream, |s| s.eof)
}

/// ferror(stream).
#[export(cdecl)]
fn ferror(call: &mut ApiCall<'_>, stream: Ptr) -> bool {
    stream_flag(call, stream, |s| s.error)
}

/// clearerr(stream).
#[export(cdecl)]
fn clearerr(call: &mut ApiCall<'_>, stream: Ptr) {
    let file = stream.0;
    with_state(call, |call, state| {
        if let Some(s) = slot_of(file).and_then(|s| state.streams.get_mut(&s)) {
            s.eof = false;
            s.error = false;
            let flag = call.read_u32(file + 12).unwrap_or(0);
            let _ = call.write_u32(file + 12, flag & !(IOEOF | IOERR));
        }
    });
}

/// _fileno(stream).
#[export(cdecl)]
fn _fileno(call: &mut ApiCall<'_>, stream: Ptr) -> u32 {
    with_state(call, |_, state| {
        slot_of(stream.0)
            .and_then(|s| state.streams.get(&s))
            .map_or(EOF, |s| s.fd)
    })
}

/// _setmode(fd, mode): the previous mode, or -1 with EBADF/EINVAL.
#[export(cdecl)]
fn _setmode(call: &mut ApiCall<'_>, fd: u32, mode: u32) -> u32 {
    with_state(call, |call, state| {
        let Some(d) = state.fds.get_mut(&fd) else {
            set_errno(call, errno::EBADF);
            return EOF;
        };
        let old = if d.text { O_TEXT } else { O_BINARY };
        match mode {
            O_TEXT => d.text = true,
            O_BINARY => d.text = false,
            _ => {
                set_errno(call, errno::EINVAL);
                return EOF;
            }
        }
        old
    })
}

/// _write(fd, buffer, count): `count`, or -1 with errno.
#[export(cdecl)]
fn _write(call: &mut ApiCall<'_>, fd: u32, buffer: Ptr, count: u32) -> u32 {
    let Ok(bytes) = call.read_bytes(buffer.0, count.min(0x1000_0000) as usize) else {
        return EOF;
    };
    with_state(call, |call, state| {
        if write_fd(call, state, fd, &bytes) {
            count
        } else {
            EOF
        }
    })
}

/// _read(fd, buffer, count): the bytes read (text mode: CRLF read as LF), 0 at the end,
/// -1 with EBADF; on the console it waits for a line.
#[export(cdecl)]
fn _read(call: &mut ApiCall<'_>, fd: u32, buffer: Ptr, count: u32) -> ApiReturn {
    let buffer = buffer.0;
    with_state(call, |call, state| {
        let Some(d) = state.fds.get(&fd) else {
            set_errno(call, errno::EBADF);
            return value(EOF);
        };
        let (handle, text) = (d.handle, d.text);
        if count == 0 {
            return value(0);
        }
        let mut raw = match read_raw(call, handle, count.min(0x100_0000) as usize) {
            Ok(bytes) => bytes,
            Err(Refill::Block) => return wait_for_input(call, Some(handle)),
            Err(_) => Vec::new(),
        };
        if text {
            if let Some(z) = raw.iter().position(|&c| c == 0x1A) {
                raw.truncate(z);
            }
            let mut out = Vec::with_capacity(raw.len());
            let mut i = 0;
            while i < raw.len() {
                if raw[i] == b'\r' && raw.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                out.push(raw[i]);
                i += 1;
            }
            raw = out;
        }
        if call.write_bytes(buffer, &raw).is_err() {
            set_errno(call, errno::EINVAL);
            return value(EOF);
        }
        value(raw.len() as u32)
    })
}

/// The lowest free descriptor (msvcrt's `_alloc_osfhnd`); None (errno EMFILE, `_doserrno`
/// 0) when all are taken.
pub(crate) fn free_fd(call: &mut ApiCall<'_>, state: &CrtState) -> Option<u32> {
    let fd = (0..MAX_FDS).find(|n| !state.fds.contains_key(n));
    if fd.is_none() {
        super::fail_errno(call, errno::EMFILE, 0);
    }
    fd
}

/// Opens `path` with `_open` flags `flags` and permission `pmode` (read when `_O_CREAT`
/// makes the file: without `_S_IWRITE` it is made read-only), as msvcrt's `_sopen` maps
/// them onto CreateFile: the new descriptor, or None with errno.
pub(crate) fn open_fd(
    call: &mut ApiCall<'_>,
    state: &mut CrtState,
    path: &str,
    flags: u32,
    pmode: u32,
) -> Option<u32> {
    let mut access = match flags & 3 {
        0 => 0x8000_0000,
        O_WRONLY => 0x4000_0000,
        O_RDWR => 0xC000_0000,
        _ => {
            super::fail_errno(call, errno::EINVAL, 0);
            return None;
        }
    };
    let disposition = match flags & (O_CREAT | O_EXCL | O_TRUNC) {
        0 | O_EXCL => 3,
        O_CREAT => 4,
        f if f & (O_CREAT | O_EXCL) == O_CREAT | O_EXCL => 1,
        O_TRUNC | 0x600 => 5,
        _ => 2,
    };
    let mut attributes = 0x80;
    if flags & O_CREAT != 0 && pmode & S_IWRITE == 0 {
        attributes = 0x1;
    }
    if flags & O_TEMPORARY != 0 {
        attributes |= 0x0400_0000;
        access |= 0x1_0000;
    }
    if flags & O_SHORT_LIVED != 0 {
        attributes |= 0x100;
    }
    let fd = free_fd(call, state)?;
    // msvcrt's `_open` makes the handle inheritable unless `_O_NOINHERIT` says not.
    let inherit = flags & O_NOINHERIT == 0;
    let handle = match kernel32::open_file_inheritable(
        call,
        path,
        access,
        3,
        disposition,
        attributes,
        inherit,
    ) {
        Ok(handle) => handle,
        Err(e) => {
            fail_dos(call, e);
            return None;
        }
    };
    let text = if flags & O_BINARY != 0 {
        false
    } else if flags & O_TEXT != 0 {
        true
    } else {
        call.read_u32(CRT_DATA + at::FMODE).unwrap_or(0) != O_BINARY
    };
    let Some(mut d) = Fd::on(call, handle, text, true) else {
        let error = call.last_error();
        close_handle(call, handle);
        super::dosmaperr(call, error);
        return None;
    };
    d.append = flags & O_APPEND != 0;
    d.no_inherit = flags & O_NOINHERIT != 0;
    state.fds.insert(fd, d);
    Some(fd)
}

/// CloseHandle of a handle the C runtime owns.
pub(crate) fn close_handle(call: &mut ApiCall<'_>, handle: Handle) {
    // The layer's close knows the console's handles, which are not in the table.
    let _ = call.close_handle(handle);
}

/// Closes descriptor `fd`: false (errno EBADF) when it is not open.
pub(crate) fn close_fd(call: &mut ApiCall<'_>, state: &mut CrtState, fd: u32) -> bool {
    let Some(d) = state.fds.remove(&fd) else {
        set_errno(call, errno::EBADF);
        return false;
    };
    if d.owned {
        close_handle(call, d.handle);
    }
    true
}

/// _open(filename, oflag, pmode): a descriptor, or -1 with errno.
#[export(cdecl, failure = EOF)]
fn _open(call: &mut ApiCall<'_>, filename: AnsiStr, oflag: u32, pmode: u32) -> u32 {
    open_descriptor(call, &filename, oflag, pmode)
}

/// _wopen(filename, oflag, pmode): _open with a wide file name.
#[export(cdecl, failure = EOF)]
fn _wopen(call: &mut ApiCall<'_>, filename: WideStr, oflag: u32, pmode: u32) -> u32 {
    open_descriptor(call, &filename, oflag, pmode)
}

/// _open's work: a new descriptor on `filename`, or -1 with errno.
pub(crate) fn open_descriptor(
    call: &mut ApiCall<'_>,
    filename: &str,
    oflag: u32,
    pmode: u32,
) -> u32 {
    with_state(call, |call, state| {
        open_fd(call, state, filename, oflag, pmode).unwrap_or(EOF)
    })
}

/// _close(fd): 0, or -1 with EBADF.
#[export(cdecl)]
fn _close(call: &mut ApiCall<'_>, fd: u32) -> i32 {
    with_state(call, |call, state| {
        state.streams.retain(|_, s| s.fd != fd);
        if close_fd(call, state, fd) { 0 } else { -1 }
    })
}

/// Moves descriptor `fd`'s position as `_lseek` does (SetFilePointer with a 32-bit
/// distance): the new position, or None with errno (EBADF and `_doserrno` 0 for a
/// descriptor that is not open).
pub(crate) fn lseek_fd(
    call: &mut ApiCall<'_>,
    state: &CrtState,
    fd: u32,
    offset: i32,
    origin: u32,
) -> Option<u32> {
    let Some(d) = state.fds.get(&fd) else {
        super::fail_errno(call, errno::EBADF, 0);
        return None;
    };
    match kernel32::set_file_pointer(call, d.handle, i64::from(offset), origin) {
        Ok(p) if p <= 0xFFFF_FFFF => Some(p as u32),
        Ok(_) => {
            super::dosmaperr(call, Win32Error::INVALID_PARAMETER.0);
            None
        }
        Err(e) => {
            fail_dos(call, e);
            None
        }
    }
}

/// _lseek(fd, offset, origin): the new position, or -1 with errno.
#[export(cdecl)]
fn _lseek(call: &mut ApiCall<'_>, fd: u32, offset: i32, origin: u32) -> u32 {
    with_state(call, |call, state| {
        lseek_fd(call, state, fd, offset, origin).unwrap_or(EOF)
    })
}

/// Opens `filename` with a fopen mode on FILE slot `slot` (a free one when None).
fn open_stream(call: &mut ApiCall<'_>, state: &mut CrtState, filename: &str, mode: &str) -> Ptr {
    let Some(flags) = open_flags(mode.as_bytes()) else {
        set_errno(call, errno::EINVAL);
        return Ptr::NULL;
    };
    let Some(slot) = (3..FILE_SLOTS).find(|s| !state.streams.contains_key(s)) else {
        set_errno(call, 24);
        return Ptr::NULL;
    };
    let Some(fd) = open_fd(call, state, filename, flags, S_IREAD_WRITE) else {
        return Ptr::NULL;
    };
    Ptr(attach_stream(call, state, slot, fd, flags))
}

/// fopen(filename, mode): a FILE for "r", "w", "a" with "+", "b" and "t"; NULL with errno.
#[export(cdecl)]
fn fopen(call: &mut ApiCall<'_>, filename: AnsiStr, mode: AnsiStr) -> Ptr {
    with_state(call, |call, state| {
        open_stream(call, state, &filename, &mode)
    })
}

/// tmpfile(): a FILE open for update in binary mode on a new file named as tmpfile names
/// them (`\t<pid in base 32>.`, then `.1`...: the first name CREATE_NEW can make), deleted
/// when it is closed; NULL with errno when no name is left or the file cannot be made.
#[export(cdecl)]
fn tmpfile(call: &mut ApiCall<'_>) -> Ptr {
    with_state(call, |call, state| {
        let Some(slot) = (3..FILE_SLOTS).find(|s| !state.streams.contains_key(s)) else {
            set_errno(call, errno::EMFILE);
            return Ptr::NULL;
        };
        let flags = O_CREAT | O_EXCL | O_RDWR | O_BINARY | O_TEMPORARY;
        let mut name = super::files::temp_name(call, state, 't', Width::Narrow, false);
        while let Some(n) = name {
            match open_fd(call, state, &n, flags, S_IREAD_WRITE) {
                Some(fd) => {
                    let file = attach_stream(call, state, slot, fd, flags);
                    if let Some(s) = state.streams.get_mut(&slot) {
                        s.temporary = true;
                    }
                    return Ptr(file);
                }
                None if call.read_u32(CRT_DATA + at::ERRNO).unwrap_or(0) == errno::EEXIST => {
                    name = super::files::temp_name(call, state, 't', Width::Narrow, false);
                }
                None => return Ptr::NULL,
            }
        }
        Ptr::NULL
    })
}

/// _rmtmp(): closes every stream tmpfile opened (their files go); how many it closed.
#[export(cdecl)]
fn _rmtmp(call: &mut ApiCall<'_>) -> u32 {
    with_state(call, |call, state| {
        let slots: Vec<u32> = state
            .streams
            .iter()
            .filter(|(_, s)| s.temporary)
            .map(|(&slot, _)| slot)
            .collect();
        for &slot in &slots {
            close_stream(call, state, CRT_DATA + at::IOB + slot * FILE_SIZE);
        }
        slots.len() as u32
    })
}

/// _fsopen(filename, mode, shflag): fopen (files are not locked against other opens).
#[export(cdecl)]
fn _fsopen(call: &mut ApiCall<'_>, filename: AnsiStr, mode: AnsiStr, shflag: u32) -> Ptr {
    let _ = shflag;
    with_state(call, |call, state| {
        open_stream(call, state, &filename, &mode)
    })
}

/// _wfopen(filename, mode): fopen with a wide file name and mode.
#[export(cdecl)]
fn _wfopen(call: &mut ApiCall<'_>, filename: WideStr, mode: WideStr) -> Ptr {
    with_state(call, |call, state| {
        open_stream(call, state, &filename, &mode)
    })
}

/// _wfsopen(filename, mode, shflag): _fsopen with a wide file name and mode.
#[export(cdecl)]
fn _wfsopen(call: &mut ApiCall<'_>, filename: WideStr, mode: WideStr, shflag: u32) -> Ptr {
    let _ = shflag;
    with_state(call, |call, state| {
        open_stream(call, state, &filename, &mode)
    })
}

/// Parses a fopen mode: the `_open` flags, or None for a mode msvcrt rejects.
fn open_flags(mode: &[u8]) -> Option<u32> {
    let mut flags = match mode.first() {
        Some(b'r') => 0,
        Some(b'w') => O_WRONLY | O_CREAT | O_TRUNC,
        Some(b'a') => O_WRONLY | O_CREAT | O_APPEND,
        _ => return None,
    };
    for &c in &mode[1..] {
        match c {
            b'+' => flags = (flags & !O_WRONLY) | O_RDWR,
            b'b' => flags |= O_BINARY,
            b't' => flags |= O_TEXT,
            _ => {}
        }
    }
    Some(flags)
}

/// Sets up FILE slot `slot` on descriptor `fd`: its guest fields and its stream.
fn attach_stream(
    call: &mut ApiCall<'_>,
    state: &mut CrtState,
    slot: u32,
    fd: u32,
    flags: u32,
) -> u32 {
    state.streams.insert(slot, Stream::new(fd));
    let file = CRT_DATA + at::IOB + slot * FILE_SIZE;
    let flag = match flags & 3 {
        O_RDWR => IORW,
        O_WRONLY => IOWRT,
        _ => IOREAD,
    };
    let mut fields = [0u32; 8];
    fields[3] = flag;
    fields[4] = fd;
    let bytes: Vec<u8> = fields.iter().flat_map(|f| f.to_le_bytes()).collect();
    let _ = call.write_bytes(file, &bytes);
    file
}

/// _fdopen(fd, mode): a FILE on an open descriptor; NULL with errno.
#[export(cdecl)]
fn _fdopen(call: &mut ApiCall<'_>, fd: u32, mode: Ptr) -> Ptr {
    let mode = call.read_c_bytes(mode.0, 64).unwrap_or_default();
    with_state(call, |call, state| {
        let Some(flags) = open_flags(&mode) else {
            set_errno(call, errno::EINVAL);
            return Ptr::NULL;
        };
        if !state.fds.contains_key(&fd) {
            set_errno(call, errno::EBADF);
            return Ptr::NULL;
        }
        let Some(slot) = (3..FILE_SLOTS).find(|s| !state.streams.contains_key(s)) else {
            set_errno(call, 24);
            return Ptr::NULL;
        };
        Ptr(attach_stream(call, state, slot, fd, flags))
    })
}

/// freopen(path, mode, stream): closes the stream and opens `path` on the same FILE;
/// NULL with errno (the stream stays closed) when the open fails.
#[export(cdecl)]
fn freopen(call: &mut ApiCall<'_>, path: AnsiStr, mode: AnsiStr, stream: Ptr) -> Ptr {
    reopen_stream(call, &path, &mode, stream)
}

/// _wfreopen(path, mode, stream): freopen with a wide file name and mode.
#[export(cdecl)]
fn _wfreopen(call: &mut ApiCall<'_>, path: WideStr, mode: WideStr, stream: Ptr) -> Ptr {
    reopen_stream(call, &path, &mode, stream)
}

/// freopen's work.
fn reopen_stream(call: &mut ApiCall<'_>, path: &str, mode: &str, stream: Ptr) -> Ptr {
    let file = stream.0;
    with_state(call, |call, state| {
        let Some(slot) = slot_of(file) else {
            set_errno(call, errno::EINVAL);
            return Ptr::NULL;
        };
        if let Some(old) = state.streams.remove(&slot) {
            close_fd(call, state, old.fd);
        }
        let Some(flags) = open_flags(mode.as_bytes()) else {
            set_errno(call, errno::EINVAL);
            return Ptr::NULL;
        };
        match open_fd(call, state, path, flags, S_IREAD_WRITE) {
            Some(fd) => Ptr(attach_stream(call, state, slot, fd, flags)),
            None => Ptr::NULL,
        }
    })
}

/// Closes the stream of FILE `file`: 0, or -1 (EINVAL for a FILE that is not open).
fn close_stream(call: &mut ApiCall<'_>, state: &mut CrtState, file: u32) -> i32 {
    let Some(s) = slot_of(file).and_then(|slot| state.streams.remove(&slot)) else {
        set_errno(call, errno::EINVAL);
        return -1;
    };
    let _ = call.write_bytes(file, &[0; FILE_SIZE as usize]);
    let _ = call.write_u32(file + 16, EOF);
    if close_fd(call, state, s.fd) { 0 } else { -1 }
}

/// fclose(stream): 0, or EOF for a FILE that is not open.
#[export(cdecl)]
fn fclose(call: &mut ApiCall<'_>, stream: Ptr) -> i32 {
    with_state(call, |call, state| close_stream(call, state, stream.0))
}

/// The stream's position: the handle's, less what was read ahead or pushed back.
fn stream_position(call: &mut ApiCall<'_>, state: &CrtState, file: u32) -> Result<u64, u32> {
    let s = slot_of(file)
        .and_then(|slot| state.streams.get(&slot))
        .ok_or(errno::EBADF)?;
    let d = state.fds.get(&s.fd).ok_or(errno::EBADF)?;
    let here = kernel32::set_file_pointer(call, d.handle, 0, 1).map_err(errno_of)?;
    Ok(here.saturating_sub((s.buffer.len() - s.pos + s.ungot.len()) as u64))
}

/// ftell(stream): the position, or -1 with errno (EBADF for a console, which cannot seek).
#[export(cdecl)]
fn ftell(call: &mut ApiCall<'_>, stream: Ptr) -> u32 {
    with_state(call, |call, state| {
        match stream_position(call, state, stream.0) {
            Ok(p) if p <= 0x7FFF_FFFF => p as u32,
            Ok(_) => {
                set_errno(call, errno::EINVAL);
                EOF
            }
            Err(e) => {
                set_errno(call, e);
                EOF
            }
        }
    })
}

fn seek_stream(
    call: &mut ApiCall<'_>,
    state: &mut CrtState,
    file: u32,
    offset: i64,
    origin: u32,
) -> u32 {
    let target = if origin == 1 {
        match stream_position(call, state, file) {
            Ok(p) => p as i64 + offset,
            Err(e) => {
                set_errno(call, e);
                return EOF;
            }
        }
    } else {
        offset
    };
    let method = if origin == 1 { 0 } else { origin };
    let Some(s) = slot_of(file).and_then(|slot| state.streams.get_mut(&slot)) else {
        set_errno(call, errno::EBADF);
        return EOF;
    };
    s.buffer.clear();
    s.pos = 0;
    s.ungot.clear();
    s.eof = false;
    let fd = s.fd;
    let flag = call.read_u32(file + 12).unwrap_or(0);
    let _ = call.write_u32(file + 12, flag & !IOEOF);
    let Some(d) = state.fds.get(&fd) else {
        set_errno(call, errno::EBADF);
        return EOF;
    };
    match kernel32::set_file_pointer(call, d.handle, target, method) {
        Ok(_) => 0,
        Err(e) => {
            fail_dos(call, e);
            EOF
        }
    }
}

/// fseek(stream, offset, origin): 0, or -1 with errno.
#[export(cdecl)]
fn fseek(call: &mut ApiCall<'_>, stream: Ptr, offset: i32, origin: u32) -> u32 {
    with_state(call, |call, state| {
        if origin > 2 {
            set_errno(call, errno::EINVAL);
            return EOF;
        }
        seek_stream(call, state, stream.0, i64::from(offset), origin)
    })
}

/// rewind(stream): to the start, the error and end-of-file flags cleared.
#[export(cdecl)]
fn rewind(call: &mut ApiCall<'_>, stream: Ptr) {
    let file = stream.0;
    with_state(call, |call, state| {
        seek_stream(call, state, file, 0, 0);
        if let Some(s) = slot_of(file).and_then(|slot| state.streams.get_mut(&slot)) {
            s.error = false;
        }
        let flag = call.read_u32(file + 12).unwrap_or(0);
        let _ = call.write_u32(file + 12, flag & !(IOEOF | IOERR));
    });
}

/// perror(string): "string: message" and a newline on stderr.
#[export(cdecl)]
fn perror(call: &mut ApiCall<'_>, string: Ptr) {
    let prefix = if string.is_null() {
        Vec::new()
    } else {
        call.read_c_bytes(string.0, 0x1_0000).unwrap_or_default()
    };
    with_state(call, |call, state| {
        let e = call.read_u32(CRT_DATA + at::ERRNO).unwrap_or(0);
        let mut text = prefix;
        if !text.is_empty() {
            text.extend_from_slice(b": ");
        }
        text.extend_from_slice(super::string::error_message(e).as_bytes());
        text.push(b'\n');
        write_stream(call, state, stderr_file(), &text);
    });
}

// ---- scanf family -------------------------------------------------------------------------

/// Where scanf's conversions store: the pointers of the call's variadic arguments.
struct GuestTargets<'c, 'a> {
    args: GuestArguments<'c, 'a>,
}

impl engine::Targets for GuestTargets<'_, '_> {
    fn next_pointer(&mut self) -> u32 {
        self.args.next_u32()
    }

    fn store(&mut self, ptr: u32, bytes: &[u8]) -> bool {
        self.args.call().write_bytes(ptr, bytes).is_ok()
    }
}

/// sscanf(buffer, format, ...).
#[export(cdecl)]
fn sscanf(call: &mut ApiCall<'_>, buffer: Ptr, format: Ptr, arguments: VarArgs) -> i32 {
    let (Ok(input), Ok(fmt)) = (
        call.read_c_bytes(buffer.0, 0x100_0000),
        call.read_c_bytes(format.0, FORMAT_LIMIT),
    ) else {
        return -1;
    };
    let mut scanner = engine::SliceScanner {
        bytes: &input,
        at: 0,
        targets: GuestTargets {
            args: arguments.reader(call),
        },
    };
    engine::scan(&mut scanner, &fmt)
}

/// A scanner reading a stream with one character of lookahead, pushed back at the end.
struct StreamScanner<'c, 'a, 's> {
    targets: GuestTargets<'c, 'a>,
    state: &'s mut CrtState,
    file: u32,
    peeked: Option<Option<u8>>,
}

impl engine::Scanner for StreamScanner<'_, '_, '_> {
    fn peek(&mut self) -> Option<u8> {
        if let Some(c) = self.peeked {
            return c;
        }
        let c = read_char(self.targets.args.call(), self.state, self.file);
        self.peeked = Some(c);
        c
    }

    fn advance(&mut self) {
        self.peeked = None;
    }

    fn next_pointer(&mut self) -> u32 {
        engine::Targets::next_pointer(&mut self.targets)
    }

    fn store(&mut self, ptr: u32, bytes: &[u8]) -> bool {
        engine::Targets::store(&mut self.targets, ptr, bytes)
    }
}

fn scan_stream(call: &mut ApiCall<'_>, file: u32, format: Ptr, arguments: VarArgs) -> ApiReturn {
    let Ok(fmt) = call.read_c_bytes(format.0, FORMAT_LIMIT) else {
        return value(EOF);
    };
    reading(call, file, |call, state| {
        let mut scanner = StreamScanner {
            targets: GuestTargets {
                args: arguments.reader(call),
            },
            state,
            file,
            peeked: None,
        };
        let n = engine::scan(&mut scanner, &fmt);
        if let Some(Some(c)) = scanner.peeked {
            unread_char(scanner.state, file, c);
        }
        value(n as u32)
    })
}

/// scanf(format, ...).
#[export(cdecl)]
fn scanf(call: &mut ApiCall<'_>, format: Ptr, arguments: VarArgs) -> ApiReturn {
    scan_stream(call, CRT_DATA + at::IOB, format, arguments)
}

/// fscanf(stream, format, ...).
#[export(cdecl)]
fn fscanf(call: &mut ApiCall<'_>, stream: Ptr, format: Ptr, arguments: VarArgs) -> ApiReturn {
    scan_stream(call, stream.0, format, arguments)
}

// ---- wide-character streams ("C" locale: one byte per character) ----------------------------

/// WEOF.
const WEOF: u32 = super::wide::WEOF;

/// The bytes of wide text in the "C" locale, as wctomb makes them one by one: up to the
/// first character above 255, and whether every character had one.
fn narrow_units(units: &[u16]) -> (Vec<u8>, bool) {
    let mut bytes = Vec::with_capacity(units.len());
    for &u in units {
        match u8::try_from(u) {
            Ok(b) => bytes.push(b),
            Err(_) => return (bytes, false),
        }
    }
    (bytes, true)
}

/// True when the stream of FILE `file` is in text mode (or is not open).
fn text_stream(state: &CrtState, file: u32) -> bool {
    slot_of(file)
        .and_then(|slot| state.streams.get(&slot))
        .and_then(|s| state.fds.get(&s.fd))
        .is_none_or(|d| d.text)
}

/// Writes wide text to a stream: in text mode each character's byte (the "C" locale's
/// wctomb), in binary mode the UTF-16 units themselves. The characters written, or -1
/// (EILSEQ for a character that has no byte, after writing those before it).
fn wide_print_to(call: &mut ApiCall<'_>, file: u32, text: Option<Vec<u16>>) -> i32 {
    let Some(text) = text else {
        return -1;
    };
    with_state(call, |call, state| {
        let (bytes, complete) = if text_stream(state, file) {
            narrow_units(&text)
        } else {
            (text.iter().flat_map(|u| u.to_le_bytes()).collect(), true)
        };
        if !bytes.is_empty() && !write_stream(call, state, file, &bytes) {
            return -1;
        }
        if complete {
            text.len() as i32
        } else {
            set_errno(call, super::wide::EILSEQ);
            -1
        }
    })
}

/// Formats a wide format with the call's variadic arguments.
fn wide_varargs(call: &mut ApiCall<'_>, format: Ptr, arguments: VarArgs) -> Option<Vec<u16>> {
    let mut args = arguments.reader(call);
    let fmt = args.call().read_wide_units(format.0, FORMAT_LIMIT).ok()?;
    win32::format::format_wide(&fmt, &mut args).ok()
}

/// wprintf(format, ...): wide text on stdout, each character its byte in the "C" locale.
#[export(cdecl)]
fn wprintf(call: &mut ApiCall<'_>, format: Ptr, arguments: VarArgs) -> i32 {
    let text = wide_varargs(call, format, arguments);
    wide_print_to(call, stdout_file(), text)
}

/// fwprintf(stream, format, ...).
#[export(cdecl)]
fn fwprintf(call: &mut ApiCall<'_>, stream: Ptr, format: Ptr, arguments: VarArgs) -> i32 {
    let text = wide_varargs(call, format, arguments);
    wide_print_to(call, stream.0, text)
}

/// vwprintf(format, argptr).
#[export(cdecl)]
fn vwprintf(call: &mut ApiCall<'_>, format: Ptr, argptr: Ptr) -> i32 {
    let text = super::wide::format_wide_list(call, format, argptr);
    wide_print_to(call, stdout_file(), text)
}

/// vfwprintf(stream, format, argptr).
#[export(cdecl)]
fn vfwprintf(call: &mut ApiCall<'_>, stream: Ptr, format: Ptr, argptr: Ptr) -> i32 {
    let text = super::wide::format_wide_list(call, format, argptr);
    wide_print_to(call, stream.0, text)
}

/// Writes one wide character: the character, or WEOF (EILSEQ when a text stream has no
/// byte for it).
fn put_wide(call: &mut ApiCall<'_>, c: u32, file: u32) -> u32 {
    let c = c & 0xFFFF;
    if wide_print_to(call, file, Some(vec![c as u16])) < 0 {
        WEOF
    } else {
        c
    }
}

/// Reads one wide character of a stream: a byte in text mode, two (a UTF-16 unit) in
/// binary mode; None at the end.
fn read_wide(call: &mut ApiCall<'_>, state: &mut CrtState, file: u32) -> Option<u16> {
    let first = read_char(call, state, file)?;
    if text_stream(state, file) {
        return Some(u16::from(first));
    }
    let second = read_char(call, state, file)?;
    Some(u16::from_le_bytes([first, second]))
}

/// fputwc(c, stream) and putwc: the character, or WEOF.
#[export(cdecl)]
fn fputwc(call: &mut ApiCall<'_>, c: u32, stream: Ptr) -> u32 {
    put_wide(call, c, stream.0)
}

/// putwchar(c) and _fputwchar.
#[export(cdecl)]
fn putwchar(call: &mut ApiCall<'_>, c: u32) -> u32 {
    put_wide(call, c, stdout_file())
}

/// fputws(str, stream): 0, or -1 (EILSEQ at a character that has no byte).
#[export(cdecl)]
fn fputws(call: &mut ApiCall<'_>, str: Ptr, stream: Ptr) -> i32 {
    let units = super::wide::wide(call, str.0);
    if wide_print_to(call, stream.0, Some(units)) < 0 {
        -1
    } else {
        0
    }
}

/// _putws(str): the string and a newline on stdout; 0, or -1.
#[export(cdecl)]
fn _putws(call: &mut ApiCall<'_>, str: Ptr) -> i32 {
    let mut units = super::wide::wide(call, str.0);
    units.push(u16::from(b'\n'));
    if wide_print_to(call, stdout_file(), Some(units)) < 0 {
        -1
    } else {
        0
    }
}

/// fgetwc(stream) and getwc: the next character (its byte's, in the "C" locale), or WEOF.
#[export(cdecl)]
fn fgetwc(call: &mut ApiCall<'_>, stream: Ptr) -> ApiReturn {
    let file = stream.0;
    reading(call, file, |call, state| {
        value(read_wide(call, state, file).map_or(WEOF, u32::from))
    })
}

/// getwchar() and _fgetwchar: fgetwc(stdin).
#[export(cdecl)]
fn getwchar(call: &mut ApiCall<'_>) -> ApiReturn {
    let file = CRT_DATA + at::IOB;
    reading(call, file, |call, state| {
        value(read_wide(call, state, file).map_or(WEOF, u32::from))
    })
}

/// ungetwc(c, stream): pushes the character back (its byte in text mode, WEOF for one that
/// has none; its two bytes in binary mode); WEOF for WEOF.
#[export(cdecl)]
fn ungetwc(call: &mut ApiCall<'_>, c: u32, stream: Ptr) -> u32 {
    let c = c & 0xFFFF;
    if c == WEOF {
        return WEOF;
    }
    let file = stream.0;
    with_state(call, |call, state| {
        let text = text_stream(state, file);
        if text && c > 0xFF {
            return WEOF;
        }
        match slot_of(file).and_then(|s| state.streams.get_mut(&s)) {
            Some(s) => {
                if text {
                    s.ungot.push(c as u8);
                } else {
                    let [lo, hi] = (c as u16).to_le_bytes();
                    s.ungot.push(hi);
                    s.ungot.push(lo);
                }
                s.eof = false;
                let flag = call.read_u32(file + 12).unwrap_or(0);
                let _ = call.write_u32(file + 12, flag & !IOEOF);
                c
            }
            None => WEOF,
        }
    })
}

/// fgetws(str, n, stream): a line of at most `n - 1` characters (newline kept), or NULL at
/// the end of the file.
#[export(cdecl)]
fn fgetws(call: &mut ApiCall<'_>, str: Ptr, n: i32, stream: Ptr) -> ApiReturn {
    let (buffer, file) = (str.0, stream.0);
    if n <= 0 {
        return value(0);
    }
    reading(call, file, |call, state| {
        let mut line: Vec<u16> = Vec::new();
        while line.len() + 1 < n as usize {
            match read_wide(call, state, file) {
                Some(c) => {
                    line.push(c);
                    if c == u16::from(b'\n') {
                        break;
                    }
                }
                None => break,
            }
        }
        if line.is_empty() && n > 1 {
            return value(0);
        }
        super::wide::put_z(call, buffer, &line);
        value(buffer)
    })
}

/// _getws(buffer): a line of stdin without its newline, or NULL at the end.
#[export(cdecl)]
fn _getws(call: &mut ApiCall<'_>, buffer: Ptr) -> ApiReturn {
    let buffer = buffer.0;
    let file = CRT_DATA + at::IOB;
    reading(call, file, |call, state| {
        let mut line: Vec<u16> = Vec::new();
        loop {
            match read_wide(call, state, file) {
                Some(10) => break,
                Some(c) => line.push(c),
                None if line.is_empty() => return value(0),
                None => break,
            }
        }
        super::wide::put_z(call, buffer, &line);
        value(buffer)
    })
}
