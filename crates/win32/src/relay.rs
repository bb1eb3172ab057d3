//! The relay trace, as Wine prints it (`WINEDEBUG=+relay`): for each builtin call a Call
//! line with the thread id, `DLL.Function`, the arguments in hex with strings decoded and
//! quoted, and `ret=` the caller's return address; then a Ret line with `retval=`.
//!
//! ```text
//! 0008:Call KERNEL32.CreateFileA(0040301c "C:\\notes.txt",c0000000,00000000,00000000,00000002,00000080,00000000) ret=00401234
//! 0008:Ret  KERNEL32.CreateFileA() retval=00000010 ret=00401234
//! ```
//!
//! Which functions are traced is decided once, when the trace is configured, as one flag per
//! thunk; with the trace off a call pays one test of a bool.

use std::fmt::Write as _;

use nt_kernel::ClientId;

use crate::abi::{self, ResultValue};
use crate::api::ApiCall;
use crate::args::{ArgFrame, ValueKind};
use crate::exports::{Builtins, Export, ThunkTarget};
use crate::layer::HostIo;

/// Which builtin calls the relay trace shows: all of them but those excluded by trace
/// channel (a DLL module's name, such as `heap`, see [`Export::channel`]), by DLL
/// (`KERNEL32`) or by function (`KERNEL32.HeapAlloc` or `HeapAlloc`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RelayChannels {
    /// Names excluded (compared without case).
    pub excluded: Vec<String>,
}

impl RelayChannels {
    /// Everything.
    pub fn all() -> Self {
        RelayChannels::default()
    }

    /// True when the function `target` is shown.
    pub fn shows(&self, target: &ThunkTarget, export: &Export) -> bool {
        let dll = dll_stem(target.dll_name);
        !self.excluded.iter().any(|x| {
            x.eq_ignore_ascii_case(export.channel())
                || x.eq_ignore_ascii_case(dll)
                || x.eq_ignore_ascii_case(target.name)
                || x.split_once('.').is_some_and(|(d, f)| {
                    d.eq_ignore_ascii_case(dll) && f.eq_ignore_ascii_case(target.name)
                })
        })
    }
}

fn dll_stem(name: &str) -> &str {
    name.strip_suffix(".dll")
        .or_else(|| name.strip_suffix(".DLL"))
        .unwrap_or(name)
}

/// The relay trace's state in a machine: one flag per thunk.
pub(crate) struct Relay {
    on: bool,
    traced: Vec<bool>,
}

/// The longest decoded string a line shows.
const SHOWN: usize = 200;

impl Relay {
    pub(crate) fn off(_thunks: usize) -> Self {
        Relay {
            on: false,
            traced: Vec::new(),
        }
    }

    pub(crate) fn new(builtins: &Builtins, channels: &RelayChannels) -> Self {
        let traced: Vec<bool> = builtins
            .thunks()
            .iter()
            .map(|t| t.export.is_some_and(|e| channels.shows(t, e)))
            .collect();
        Relay {
            on: traced.iter().any(|&t| t),
            traced,
        }
    }

    #[inline]
    pub(crate) fn is_on(&self, index: usize) -> bool {
        self.on && self.traced.get(index).copied().unwrap_or(false)
    }

    /// Writes the Call line; returns the caller's return address.
    pub(crate) fn call_line(
        &self,
        call: &ApiCall<'_>,
        target: &ThunkTarget,
        export: &Export,
    ) -> u32 {
        let caller = call
            .process()
            .and_then(|p| {
                let t = p.thread(call.thread.thread)?;
                abi::return_address(t.context(), p.address_space()).ok()
            })
            .unwrap_or(0);
        let mut line = format!(
            "{:04x}:Call {}.{}(",
            call.thread.thread,
            dll_stem(target.dll_name),
            target.name
        );
        let mut frame = ArgFrame::read_with(call, export.arguments, export.convention);
        for (n, param) in export.params.iter().enumerate() {
            if param.kind == ValueKind::VarArgs {
                break;
            }
            if n > 0 {
                line.push(',');
            }
            match param.kind {
                ValueKind::Int64 => {
                    let _ = write!(line, "{:016x}", frame.next_u64());
                }
                ValueKind::Double => {
                    let _ = write!(line, "{}", frame.next_f64());
                }
                ValueKind::AnsiStr => {
                    let ptr = frame.next_u32();
                    let _ = write!(line, "{ptr:08x}");
                    if ptr != 0 {
                        match call.read_c_bytes(ptr, SHOWN + 1) {
                            Ok(bytes) => {
                                line.push_str(" \"");
                                quote(&mut line, bytes.iter().map(|&b| u32::from(b)));
                                line.push('"');
                                if bytes.len() > SHOWN {
                                    line.push_str("...");
                                }
                            }
                            Err(_) => line.push_str(" (bad pointer)"),
                        }
                    }
                }
                ValueKind::WideStr => {
                    let ptr = frame.next_u32();
                    let _ = write!(line, "{ptr:08x}");
                    if ptr != 0 {
                        match call.read_wide_units(ptr, SHOWN + 1) {
                            Ok(units) => {
                                line.push_str(" L\"");
                                quote(&mut line, units.iter().map(|&u| u32::from(u)));
                                line.push('"');
                                if units.len() > SHOWN {
                                    line.push_str("...");
                                }
                            }
                            Err(_) => line.push_str(" (bad pointer)"),
                        }
                    }
                }
                _ => {
                    let _ = write!(line, "{:08x}", frame.next_u32());
                }
            }
        }
        let _ = write!(line, ") ret={caller:08x}");
        let _ = writeln!(call.io.trace.lock(), "{line}");
        caller
    }

    /// Writes the Ret line.
    pub(crate) fn ret_line(
        &self,
        io: &HostIo,
        thread: ClientId,
        target: &ThunkTarget,
        export: &Export,
        value: ResultValue,
        caller: u32,
    ) {
        let retval = match value {
            ResultValue::Quad(v) => format!("{v:016x}"),
            ResultValue::Word(_) if export.returns == ValueKind::Void => "00000000".to_string(),
            ResultValue::Word(v) => format!("{v:08x}"),
        };
        let _ = writeln!(
            io.trace.lock(),
            "{:04x}:Ret  {}.{}() retval={retval} ret={caller:08x}",
            thread.thread,
            dll_stem(target.dll_name),
            target.name
        );
    }

    /// Writes a line for a call that did not return normally (it blocked, exited or sent
    /// the thread elsewhere).
    pub(crate) fn note_line(
        &self,
        io: &HostIo,
        thread: ClientId,
        target: &ThunkTarget,
        what: &str,
        caller: u32,
    ) {
        let _ = writeln!(
            io.trace.lock(),
            "{:04x}:Ret  {}.{}() {what} ret={caller:08x}",
            thread.thread,
            dll_stem(target.dll_name),
            target.name
        );
    }
}

/// Appends characters quoted as Wine's debugstr does: `\\`, `\"`, `\n`, `\r`, `\t`, and
/// `\xNN` (or `\xNNNN` for wide characters) for the rest outside printable ASCII.
fn quote(out: &mut String, chars: impl Iterator<Item = u32>) {
    for c in chars.take(SHOWN) {
        match c {
            0x5C => out.push_str("\\\\"),
            0x22 => out.push_str("\\\""),
            0x0A => out.push_str("\\n"),
            0x0D => out.push_str("\\r"),
            0x09 => out.push_str("\\t"),
            0x20..=0x7E => out.push(char::from(c as u8)),
            0..=0xFF => {
                let _ = write!(out, "\\x{c:02x}");
            }
            _ => {
                let _ = write!(out, "\\x{c:04x}");
            }
        }
    }
}
