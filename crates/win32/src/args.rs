//! Typed arguments and results of builtins, decoded from the guest's call through the ABI of
//! its CPU: on x86 the 32-bit stack slots above the return address (a double or a 64-bit
//! integer takes two), on Alpha a0-a5 (or f16-f21 for a double) and then 8-byte stack slots.
//!
//! A builtin declared with [`export`](crate::export) names its parameters with these types
//! ([`FromArg`]) and its result with one of [`IntoReturn`]; the generated entry point snapshots
//! the argument slots once ([`ArgFrame`]), decodes each parameter in order, and turns the
//! result into the return register. Strings arrive decoded ([`AnsiStr`] through the ANSI code
//! page, [`WideStr`] from UTF-16), so A and W functions share one implementation.

use nt_kernel::{CpuContext, X86_ESP};
use nt_memory::GuestMemory;
use nt_object::{AccessMask, Handle};
use nt_status::NtStatus;

use crate::abi::{CallingConvention, X86_ECX, register_slots};
use crate::api::{ApiCall, ApiReturn};
use crate::codepage::CodePage;
use crate::format;

/// How a parameter or result is read and shown in the relay trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueKind {
    /// No value (a VOID function).
    Void,
    /// A 32-bit integer, flags word or count (shown in hex, as Wine shows it).
    Int,
    /// A 64-bit integer (two x86 slots).
    Int64,
    /// A BOOL.
    Bool,
    /// A HANDLE.
    Handle,
    /// A guest pointer.
    Ptr,
    /// A pointer to a NUL-terminated ANSI string (shown decoded).
    AnsiStr,
    /// A pointer to a NUL-terminated UTF-16 string (shown decoded).
    WideStr,
    /// A double.
    Double,
    /// The rest of a variadic call's arguments.
    VarArgs,
}

impl ValueKind {
    /// The x86 stack slots a value of this kind takes.
    pub const fn x86_slots(self) -> u8 {
        match self {
            ValueKind::Int64 | ValueKind::Double => 2,
            ValueKind::Void | ValueKind::VarArgs => 0,
            _ => 1,
        }
    }
}

/// The most argument slots a builtin reads up front.
pub const MAX_SLOTS: usize = 24;

/// Which ABI the calling thread uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Abi {
    X86,
    Alpha,
}

/// A snapshot of a call's argument slots, taken once when the builtin is entered: on x86 the
/// 32-bit stack slots, on Alpha a0-a5 followed by the 8-byte stack slots, with f16-f21
/// beside the first six. Slots that cannot be read are 0.
#[derive(Clone, Debug)]
pub struct ArgFrame {
    abi: Abi,
    slots: [u64; MAX_SLOTS],
    floats: [u64; 6],
    /// The next slot (x86) or argument position (Alpha) to decode.
    next: usize,
}

impl ArgFrame {
    /// Reads the first `count` slots of the call `call` is serving (a stdcall or cdecl call).
    pub fn read(call: &ApiCall<'_>, count: u8) -> ArgFrame {
        ArgFrame::read_with(call, count, CallingConvention::Stdcall)
    }

    /// Reads the first `count` slots of a call made with `convention`: for an x86
    /// `__fastcall` call, ecx and edx are the first two slots and the stack gives the rest.
    pub fn read_with(call: &ApiCall<'_>, count: u8, convention: CallingConvention) -> ArgFrame {
        let mut frame = ArgFrame {
            abi: Abi::X86,
            slots: [0; MAX_SLOTS],
            floats: [0; 6],
            next: 0,
        };
        let count = usize::from(count).min(MAX_SLOTS);
        let Some(p) = call.process() else {
            return frame;
        };
        let Some(t) = p.thread(call.thread.thread) else {
            return frame;
        };
        let memory = p.address_space();
        match t.context() {
            CpuContext::X86(c) => {
                let registers = register_slots(convention).min(count);
                for (n, slot) in frame.slots.iter_mut().take(registers).enumerate() {
                    // ecx, then edx (the next register in the file's order).
                    *slot = u64::from(c.gpr[X86_ECX + n]);
                }
                let count = count - registers;
                let base = c.gpr[X86_ESP].wrapping_add(4);
                // Word by word (inline reads: no copy through a buffer); a slot that cannot
                // be read is 0. A guard page faults once and is then readable: a slot on
                // one is read again.
                let stack = &mut frame.slots[registers..];
                for (n, slot) in stack.iter_mut().enumerate().take(count) {
                    let at = base.wrapping_add(4 * n as u32);
                    let word = memory.read_u32(at).or_else(|_| memory.read_u32(at));
                    *slot = word.map_or(0, u64::from);
                }
            }
            CpuContext::Alpha(c) => {
                frame.abi = Abi::Alpha;
                frame.slots[..6].copy_from_slice(&c.r[16..22]);
                frame.floats.copy_from_slice(&c.f[16..22]);
                let sp = c.r[nt_kernel::ALPHA_SP] as u32;
                for n in 6..count {
                    let at = sp.wrapping_add(8 * (n as u32 - 6));
                    let lo = memory.read_u32(at).map_or(0, u64::from);
                    let hi = memory.read_u32(at.wrapping_add(4)).map_or(0, u64::from);
                    frame.slots[n] = lo | (hi << 32);
                }
            }
        }
        frame
    }

    /// The argument position the next value is read from (for [`VarArgs`]).
    pub fn position(&self) -> usize {
        self.next
    }

    /// The next 32-bit argument.
    pub fn next_u32(&mut self) -> u32 {
        let v = self.slots.get(self.next).copied().unwrap_or(0) as u32;
        self.next += 1;
        v
    }

    /// The next 64-bit integer argument (two slots on x86, low first).
    pub fn next_u64(&mut self) -> u64 {
        match self.abi {
            Abi::X86 => {
                let lo = u64::from(self.next_u32());
                let hi = u64::from(self.next_u32());
                lo | (hi << 32)
            }
            Abi::Alpha => {
                let v = self.slots.get(self.next).copied().unwrap_or(0);
                self.next += 1;
                v
            }
        }
    }

    /// The next double argument (f16-f21 for the first six on Alpha).
    pub fn next_f64(&mut self) -> f64 {
        match self.abi {
            Abi::X86 => f64::from_bits(self.next_u64()),
            Abi::Alpha => {
                let n = self.next;
                self.next += 1;
                let bits = if n < 6 {
                    self.floats[n]
                } else {
                    self.slots.get(n).copied().unwrap_or(0)
                };
                f64::from_bits(bits)
            }
        }
    }
}

/// Why an argument could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArgError {
    /// A string the guest passed cannot be read.
    #[error("the string at {0:#010x} cannot be read")]
    BadPointer(u32),
}

impl ArgError {
    /// Fails the call as NT's conversion of a bad argument does: ERROR_NOACCESS, and
    /// `failure` as the result.
    pub fn fail(self, call: &mut ApiCall<'_>, failure: u32) -> ApiReturn {
        call.fail_with(NtStatus::ACCESS_VIOLATION, failure)
    }
}

/// A parameter type of a builtin.
pub trait FromArg: Sized {
    /// How it is shown in the relay trace.
    const KIND: ValueKind;
    /// Reads it from the next slot(s) of `frame`.
    fn from_arg(call: &ApiCall<'_>, frame: &mut ArgFrame) -> Result<Self, ArgError>;
}

macro_rules! int_args {
    ($($t:ty),*) => {$(
        impl FromArg for $t {
            const KIND: ValueKind = ValueKind::Int;
            fn from_arg(_: &ApiCall<'_>, frame: &mut ArgFrame) -> Result<Self, ArgError> {
                Ok(frame.next_u32() as $t)
            }
        }
    )*};
}
int_args!(u32, i32, u16, i16, u8, i8);

impl FromArg for u64 {
    const KIND: ValueKind = ValueKind::Int64;
    fn from_arg(_: &ApiCall<'_>, frame: &mut ArgFrame) -> Result<Self, ArgError> {
        Ok(frame.next_u64())
    }
}

impl FromArg for i64 {
    const KIND: ValueKind = ValueKind::Int64;
    fn from_arg(_: &ApiCall<'_>, frame: &mut ArgFrame) -> Result<Self, ArgError> {
        Ok(frame.next_u64() as i64)
    }
}

impl FromArg for f64 {
    const KIND: ValueKind = ValueKind::Double;
    fn from_arg(_: &ApiCall<'_>, frame: &mut ArgFrame) -> Result<Self, ArgError> {
        Ok(frame.next_f64())
    }
}

impl FromArg for bool {
    const KIND: ValueKind = ValueKind::Bool;
    fn from_arg(_: &ApiCall<'_>, frame: &mut ArgFrame) -> Result<Self, ArgError> {
        Ok(frame.next_u32() != 0)
    }
}

impl FromArg for Handle {
    const KIND: ValueKind = ValueKind::Handle;
    fn from_arg(_: &ApiCall<'_>, frame: &mut ArgFrame) -> Result<Self, ArgError> {
        Ok(Handle(frame.next_u32()))
    }
}

/// Flags words that are newtypes over their raw value: the value is kept whole, unknown
/// bits included, so a builtin can refuse bits NT refuses.
macro_rules! flag_args {
    ($($t:path),*) => {$(
        impl FromArg for $t {
            const KIND: ValueKind = ValueKind::Int;
            fn from_arg(_: &ApiCall<'_>, frame: &mut ArgFrame) -> Result<Self, ArgError> {
                Ok($t(frame.next_u32()))
            }
        }
    )*};
}
flag_args!(
    AccessMask,
    nt_object::HandleAttributes,
    nt_object::DuplicateOptions,
    nt_memory::AllocationType,
    nt_memory::FreeType,
    nt_memory::PageProtection
);

/// A guest pointer, possibly NULL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Ptr(pub u32);

impl Ptr {
    /// NULL.
    pub const NULL: Ptr = Ptr(0);

    /// True for NULL.
    pub fn is_null(self) -> bool {
        self.0 == 0
    }

    /// The address.
    pub fn addr(self) -> u32 {
        self.0
    }

    /// The address `offset` bytes further.
    pub fn offset(self, offset: u32) -> Ptr {
        Ptr(self.0.wrapping_add(offset))
    }
}

impl FromArg for Ptr {
    const KIND: ValueKind = ValueKind::Ptr;
    fn from_arg(_: &ApiCall<'_>, frame: &mut ArgFrame) -> Result<Self, ArgError> {
        Ok(Ptr(frame.next_u32()))
    }
}

/// The longest guest string a parameter reads (a longer one is cut there).
pub const STRING_LIMIT: usize = 0x10_0000;

/// An ANSI string parameter, decoded through the ANSI code page (1252).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnsiStr {
    /// Where it is in guest memory.
    pub ptr: u32,
    text: String,
}

/// A wide (UTF-16) string parameter; unpaired surrogates become U+FFFD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WideStr {
    /// Where it is in guest memory.
    pub ptr: u32,
    text: String,
}

impl AnsiStr {
    /// Reads the string at `ptr` (at most [`STRING_LIMIT`] bytes).
    pub fn read(call: &ApiCall<'_>, ptr: u32) -> Result<AnsiStr, ArgError> {
        let bytes = call
            .read_c_bytes(ptr, STRING_LIMIT)
            .map_err(|_| ArgError::BadPointer(ptr))?;
        Ok(AnsiStr {
            ptr,
            text: CodePage::Ansi.decode_str(&bytes),
        })
    }

    /// The decoded text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The decoded text, owned.
    pub fn into_string(self) -> String {
        self.text
    }
}

impl WideStr {
    /// Reads the string at `ptr` (at most [`STRING_LIMIT`] units).
    pub fn read(call: &ApiCall<'_>, ptr: u32) -> Result<WideStr, ArgError> {
        let units = call
            .read_wide_units(ptr, STRING_LIMIT)
            .map_err(|_| ArgError::BadPointer(ptr))?;
        Ok(WideStr {
            ptr,
            text: String::from_utf16_lossy(&units),
        })
    }

    /// The decoded text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The decoded text, owned.
    pub fn into_string(self) -> String {
        self.text
    }
}

impl std::ops::Deref for AnsiStr {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl std::ops::Deref for WideStr {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl FromArg for AnsiStr {
    const KIND: ValueKind = ValueKind::AnsiStr;
    fn from_arg(call: &ApiCall<'_>, frame: &mut ArgFrame) -> Result<Self, ArgError> {
        AnsiStr::read(call, frame.next_u32())
    }
}

impl FromArg for WideStr {
    const KIND: ValueKind = ValueKind::WideStr;
    fn from_arg(call: &ApiCall<'_>, frame: &mut ArgFrame) -> Result<Self, ArgError> {
        WideStr::read(call, frame.next_u32())
    }
}

/// A parameter that may be NULL: `Option<AnsiStr>`, `Option<WideStr>`.
pub trait Nullable: FromArg {}
impl Nullable for AnsiStr {}
impl Nullable for WideStr {}

impl<T: Nullable> FromArg for Option<T> {
    const KIND: ValueKind = T::KIND;
    fn from_arg(call: &ApiCall<'_>, frame: &mut ArgFrame) -> Result<Self, ArgError> {
        let at = frame.next;
        if frame.slots.get(at).copied().unwrap_or(0) as u32 == 0 {
            frame.next += 1;
            return Ok(None);
        }
        T::from_arg(call, frame).map(Some)
    }
}

/// A caller's output buffer with its capacity in elements (`u8` for bytes and ANSI
/// characters, `u16` for wide characters), declared with the parameter that gives the size:
/// `#[size(nSize)] lpFilename: OutBuf<u8>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutBuf<T> {
    /// Where the buffer is.
    pub ptr: u32,
    /// How many elements it holds.
    pub capacity: u32,
    unit: std::marker::PhantomData<T>,
}

impl<T> OutBuf<T> {
    /// The buffer at `ptr` of `capacity` elements.
    pub fn new(ptr: Ptr, capacity: u32) -> Self {
        OutBuf {
            ptr: ptr.0,
            capacity,
            unit: std::marker::PhantomData,
        }
    }

    /// True for a NULL buffer.
    pub fn is_null(&self) -> bool {
        self.ptr == 0
    }
}

/// A value that gives an [`OutBuf`]'s capacity.
pub trait AsSize {
    /// The capacity.
    fn as_size(&self) -> u32;
}
impl AsSize for u32 {
    fn as_size(&self) -> u32 {
        *self
    }
}
impl AsSize for i32 {
    fn as_size(&self) -> u32 {
        (*self).max(0) as u32
    }
}

/// The rest of a variadic call's arguments (printf's `...`), from the position after the
/// last named parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VarArgs {
    /// The argument position of the first variadic argument.
    pub first: usize,
}

impl FromArg for VarArgs {
    const KIND: ValueKind = ValueKind::VarArgs;
    fn from_arg(_: &ApiCall<'_>, frame: &mut ArgFrame) -> Result<Self, ArgError> {
        Ok(VarArgs {
            first: frame.position(),
        })
    }
}

impl VarArgs {
    /// A reader of the arguments for the printf engine.
    pub fn reader<'c, 'a>(self, call: &'c mut ApiCall<'a>) -> GuestArguments<'c, 'a> {
        GuestArguments {
            call,
            source: Source::Stack(self.first),
            next: 0,
        }
    }
}

/// Where a variadic call's arguments are.
#[derive(Clone, Copy, Debug)]
enum Source {
    /// The call's own arguments, from position `n`.
    Stack(usize),
    /// A va_list: consecutive 32-bit slots in guest memory (x86).
    List(u32),
}

/// A variadic call's arguments as the C ABI lays them out, read one by one as the printf
/// engine asks: `int`s, `double`s (two x86 slots, or on Alpha the register f16-f21 of the
/// position or an 8-byte stack slot), 64-bit integers.
pub struct GuestArguments<'c, 'a> {
    call: &'c mut ApiCall<'a>,
    source: Source,
    next: u32,
}

impl<'c, 'a> GuestArguments<'c, 'a> {
    /// Arguments from a va_list at `list` (an x86 va_list: 32-bit slots in memory).
    pub fn list(call: &'c mut ApiCall<'a>, list: u32) -> Self {
        GuestArguments {
            call,
            source: Source::List(list),
            next: 0,
        }
    }

    /// The call being served.
    pub fn call(&mut self) -> &mut ApiCall<'a> {
        self.call
    }

    /// On Alpha, a stack argument is one 64-bit slot: the integer register a0-a5 and the
    /// floating register f16-f21 of its position (both, since a varargs callee cannot know
    /// which), or an 8-byte stack slot. None on x86.
    fn alpha_slot(&self, float: bool) -> Option<u64> {
        let Source::Stack(first) = self.source else {
            return None;
        };
        let n = first + self.next as usize;
        let p = self.call.process()?;
        let t = p.thread(self.call.thread.thread)?;
        let CpuContext::Alpha(c) = t.context() else {
            return None;
        };
        if n < 6 {
            return Some(if float { c.f[16 + n] } else { c.r[16 + n] });
        }
        let sp = c.r[nt_kernel::ALPHA_SP] as u32;
        let at = sp.wrapping_add(8 * (n as u32 - 6));
        let lo = u64::from(self.call.read_u32(at).unwrap_or(0));
        let hi = u64::from(self.call.read_u32(at.wrapping_add(4)).unwrap_or(0));
        Some(lo | (hi << 32))
    }
}

impl format::Arguments for GuestArguments<'_, '_> {
    fn next_u32(&mut self) -> u32 {
        let n = self.next;
        self.next += 1;
        match self.source {
            Source::Stack(first) => self.call.arg(first + n as usize),
            Source::List(at) => self.call.read_u32(at.wrapping_add(4 * n)).unwrap_or(0),
        }
    }

    fn next_u64(&mut self) -> u64 {
        if let Some(v) = self.alpha_slot(false) {
            self.next += 1;
            return v;
        }
        let lo = u64::from(self.next_u32());
        let hi = u64::from(self.next_u32());
        lo | (hi << 32)
    }

    fn next_f64(&mut self) -> f64 {
        if let Some(v) = self.alpha_slot(true) {
            self.next += 1;
            return f64::from_bits(v);
        }
        f64::from_bits(self.next_u64())
    }

    fn string(&mut self, ptr: u32, limit: usize) -> Option<Vec<u8>> {
        self.call.read_c_bytes(ptr, limit).ok()
    }

    fn wide_string(&mut self, ptr: u32, limit: usize) -> Option<Vec<u16>> {
        self.call.read_wide_units(ptr, limit).ok()
    }

    fn store_count(&mut self, ptr: u32, count: u32, size: usize) -> Option<()> {
        let bytes = u64::from(count).to_le_bytes();
        self.call.write_bytes(ptr, &bytes[..size.min(8)]).ok()
    }
}

/// A builtin's result type.
pub trait IntoReturn {
    /// How it is shown in the relay trace.
    const KIND: ValueKind;
    /// Puts it in the return register (or asks for what [`ApiReturn`] describes).
    fn into_return(self, call: &mut ApiCall<'_>) -> ApiReturn;
}

impl IntoReturn for ApiReturn {
    const KIND: ValueKind = ValueKind::Int;
    fn into_return(self, _: &mut ApiCall<'_>) -> ApiReturn {
        self
    }
}

macro_rules! int_returns {
    ($($t:ty),*) => {$(
        impl IntoReturn for $t {
            const KIND: ValueKind = ValueKind::Int;
            fn into_return(self, _: &mut ApiCall<'_>) -> ApiReturn {
                ApiReturn::Value(self as u32)
            }
        }
    )*};
}
int_returns!(u32, i32, u16, i16, u8);

impl IntoReturn for bool {
    const KIND: ValueKind = ValueKind::Bool;
    fn into_return(self, _: &mut ApiCall<'_>) -> ApiReturn {
        ApiReturn::Value(u32::from(self))
    }
}

impl IntoReturn for () {
    const KIND: ValueKind = ValueKind::Void;
    fn into_return(self, _: &mut ApiCall<'_>) -> ApiReturn {
        ApiReturn::Value(0)
    }
}

impl IntoReturn for Handle {
    const KIND: ValueKind = ValueKind::Handle;
    fn into_return(self, _: &mut ApiCall<'_>) -> ApiReturn {
        ApiReturn::Value(self.0)
    }
}

impl IntoReturn for Ptr {
    const KIND: ValueKind = ValueKind::Ptr;
    fn into_return(self, _: &mut ApiCall<'_>) -> ApiReturn {
        ApiReturn::Value(self.0)
    }
}

impl IntoReturn for f64 {
    const KIND: ValueKind = ValueKind::Double;
    fn into_return(self, call: &mut ApiCall<'_>) -> ApiReturn {
        crate::abi::set_double_result(call, self);
        ApiReturn::Value(0)
    }
}

impl IntoReturn for u64 {
    const KIND: ValueKind = ValueKind::Int64;
    fn into_return(self, _: &mut ApiCall<'_>) -> ApiReturn {
        ApiReturn::Value64(self)
    }
}

impl IntoReturn for i64 {
    const KIND: ValueKind = ValueKind::Int64;
    fn into_return(self, call: &mut ApiCall<'_>) -> ApiReturn {
        (self as u64).into_return(call)
    }
}
