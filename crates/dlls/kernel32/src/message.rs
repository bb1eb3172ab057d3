//! FormatMessageA and FormatMessageW: a message from a string or from the system's message
//! table, with inserts, escapes and line wrapping, into the caller's buffer or a LocalAlloc'd
//! one.
//!
//! The message text is read as NT reads it: `%1`..`%99` insert an argument, formatted with
//! the printf format between `!` marks (`%1!4d!`, default `!s!`; `*` widths and precisions
//! take the arguments after the insert's, so `%1!*.*s!` reads arguments 1 to 3); `%0` ends
//! the message without a newline; `%n` is a hard line break (CR LF), `%r` a bare CR, `%t` a
//! tab; `%` before any other character is that character (`%%`, `%.`, `%!`, `% `); a `%`
//! ending the text is ERROR_INVALID_PARAMETER. A line break of the text itself (CR LF, CR or
//! LF) becomes CR LF. FORMAT_MESSAGE_IGNORE_INSERTS copies inserts and the `%%`, `%.`, `%!`,
//! `% ` escapes as they are, still honouring `%0`, `%n`, `%r` and `%t`.
//!
//! The low byte of the flags (FORMAT_MESSAGE_MAX_WIDTH_MASK) sets the line width: 0 keeps the
//! text's line breaks; otherwise each of the text's line breaks becomes one space, and a
//! width of 1-254 wraps the output at that many characters: a line reaching the width is
//! broken at its last run of spaces (the run is dropped), or, without a space, after the
//! width; `%n` and `%r` start new lines. 255 wraps nothing.
//!
//! The arguments are an array of 32-bit values (FORMAT_MESSAGE_ARGUMENT_ARRAY) or a va_list
//! (a pointer to the argument slots on x86; NT for Alpha's `{ a0, offset }` structure and its
//! 8-byte slots on Alpha). As NT 4.0 does, insert `n` reads the arguments from slot `n - 1`
//! on in both cases.

use nt_kernel::Architecture;
use nt_status::{NtStatus, Win32Error};

use crate::heap::{process_heap_alloc, process_heap_free};
use win32::codepage::CodePage;
use win32::format::{self, Size};
use win32::{ApiCall, ApiReturn, Ptr, export};

/// FORMAT_MESSAGE_ALLOCATE_BUFFER: the result goes into a LocalAlloc'd buffer whose address
/// is stored at lpBuffer.
pub const FORMAT_MESSAGE_ALLOCATE_BUFFER: u32 = 0x100;
/// FORMAT_MESSAGE_IGNORE_INSERTS: inserts are copied as they are.
pub const FORMAT_MESSAGE_IGNORE_INSERTS: u32 = 0x200;
/// FORMAT_MESSAGE_FROM_STRING: lpSource is the message text.
pub const FORMAT_MESSAGE_FROM_STRING: u32 = 0x400;
/// FORMAT_MESSAGE_FROM_HMODULE: the message is in lpSource's message table.
pub const FORMAT_MESSAGE_FROM_HMODULE: u32 = 0x800;
/// FORMAT_MESSAGE_FROM_SYSTEM: the message is in the system's message table.
pub const FORMAT_MESSAGE_FROM_SYSTEM: u32 = 0x1000;
/// FORMAT_MESSAGE_ARGUMENT_ARRAY: Arguments is an array of 32-bit values, not a va_list.
pub const FORMAT_MESSAGE_ARGUMENT_ARRAY: u32 = 0x2000;
/// FORMAT_MESSAGE_MAX_WIDTH_MASK: the line width bits.
pub const FORMAT_MESSAGE_MAX_WIDTH_MASK: u32 = 0xFF;

/// The most characters an ANSI message or its source may have: FormatMessageA goes through
/// counted Unicode strings, whose length is at most 32,767 characters with the NUL.
const ANSI_LIMIT: usize = 32_766;
/// The most characters ntemu makes of a Unicode message (a bound on host memory).
const WIDE_LIMIT: usize = 0x10_0000;

const CR: u16 = 0x0D;
const LF: u16 = 0x0A;
const SPACE: u16 = 0x20;

/// The English texts of the system's messages for the Win32 error codes, as NT 4.0's
/// message table (in KERNEL32.DLL) has them, each ending in CR LF.
const SYSTEM_MESSAGES: &[(u32, &str)] = &[
    (0, "The operation completed successfully.\r\n"),
    (1, "Incorrect function.\r\n"),
    (2, "The system cannot find the file specified.\r\n"),
    (3, "The system cannot find the path specified.\r\n"),
    (4, "The system cannot open the file.\r\n"),
    (5, "Access is denied.\r\n"),
    (6, "The handle is invalid.\r\n"),
    (7, "The storage control blocks were destroyed.\r\n"),
    (
        8,
        "Not enough storage is available to process this command.\r\n",
    ),
    (9, "The storage control block address is invalid.\r\n"),
    (10, "The environment is incorrect.\r\n"),
    (
        11,
        "An attempt was made to load a program with an incorrect format.\r\n",
    ),
    (12, "The access code is invalid.\r\n"),
    (13, "The data is invalid.\r\n"),
    (
        14,
        "Not enough storage is available to complete this operation.\r\n",
    ),
    (15, "The system cannot find the drive specified.\r\n"),
    (16, "The directory cannot be removed.\r\n"),
    (
        17,
        "The system cannot move the file to a different disk drive.\r\n",
    ),
    (18, "There are no more files.\r\n"),
    (19, "The media is write protected.\r\n"),
    (20, "The system cannot find the device specified.\r\n"),
    (21, "The device is not ready.\r\n"),
    (22, "The device does not recognize the command.\r\n"),
    (23, "Data error (cyclic redundancy check).\r\n"),
    (
        24,
        "The program issued a command but the command length is incorrect.\r\n",
    ),
    (
        25,
        "The drive cannot locate a specific area or track on the disk.\r\n",
    ),
    (26, "The specified disk or diskette cannot be accessed.\r\n"),
    (27, "The drive cannot find the sector requested.\r\n"),
    (28, "The printer is out of paper.\r\n"),
    (29, "The system cannot write to the specified device.\r\n"),
    (30, "The system cannot read from the specified device.\r\n"),
    (
        31,
        "A device attached to the system is not functioning.\r\n",
    ),
    (
        32,
        "The process cannot access the file because it is being used by another process.\r\n",
    ),
    (
        33,
        "The process cannot access the file because another process has locked a portion of the file.\r\n",
    ),
    (36, "Too many files opened for sharing.\r\n"),
    (38, "Reached the end of the file.\r\n"),
    (39, "The disk is full.\r\n"),
    (50, "The network request is not supported.\r\n"),
    (53, "The network path was not found.\r\n"),
    (80, "The file exists.\r\n"),
    (82, "The directory or file cannot be created.\r\n"),
    (87, "The parameter is incorrect.\r\n"),
    (
        110,
        "The system cannot open the device or file specified.\r\n",
    ),
    (111, "The file name is too long.\r\n"),
    (112, "There is not enough space on the disk.\r\n"),
    (
        122,
        "The data area passed to a system call is too small.\r\n",
    ),
    (
        123,
        "The filename, directory name, or volume label syntax is incorrect.\r\n",
    ),
    (126, "The specified module could not be found.\r\n"),
    (127, "The specified procedure could not be found.\r\n"),
    (
        131,
        "An attempt was made to move the file pointer before the beginning of the file.\r\n",
    ),
    (145, "The directory is not empty.\r\n"),
    (156, "The recipient process has refused the signal.\r\n"),
    (182, "The operating system cannot run %1.\r\n"),
    (
        183,
        "Cannot create a file when that file already exists.\r\n",
    ),
    (193, "%1 is not a valid Windows NT application.\r\n"),
    (
        203,
        "The system could not find the environment option that was entered.\r\n",
    ),
    (206, "The filename or extension is too long.\r\n"),
    (234, "More data is available.\r\n"),
    (259, "No more data is available.\r\n"),
    (267, "The directory name is invalid.\r\n"),
    (288, "Attempt to release mutex not owned by caller.\r\n"),
    (298, "Too many posts were made to a semaphore.\r\n"),
    (
        299,
        "Only part of a ReadProcessMemory or WriteProcessMemory request was completed.\r\n",
    ),
    (
        317,
        "The system cannot find message text for message number 0x%1 in the message file for %2.\r\n",
    ),
    (487, "Attempt to access invalid address.\r\n"),
    (998, "Invalid access to memory location.\r\n"),
    (1001, "Recursion too deep, stack overflowed.\r\n"),
    (1004, "Invalid flags.\r\n"),
    (1314, "A required privilege is not held by the client.\r\n"),
    (
        1450,
        "Insufficient system resources exist to complete the requested service.\r\n",
    ),
    (
        1455,
        "The paging file is too small for this operation to complete.\r\n",
    ),
    (
        1813,
        "The specified resource type cannot be found in the image file.\r\n",
    ),
    (
        1814,
        "The specified resource name cannot be found in the image file.\r\n",
    ),
    (
        1815,
        "The specified resource language ID cannot be found in the image file.\r\n",
    ),
];

/// The text of system message `id`, if the table has it.
pub fn system_message(id: u32) -> Option<&'static str> {
    SYSTEM_MESSAGES
        .binary_search_by_key(&id, |&(i, _)| i)
        .ok()
        .map(|i| SYSTEM_MESSAGES[i].1)
}

/// The languages the system message table answers in: the neutral and default languages
/// and U.S. English (the table of a U.S. English NT 4.0).
fn language_found(language: u32) -> bool {
    matches!(language, 0 | 0x0400 | 0x0800 | 0x0409)
}

/// Where an insert's arguments are.
#[derive(Clone, Copy, Debug)]
enum Slots {
    /// No arguments were passed.
    None,
    /// 32-bit values from this address (an argument array, or an x86 va_list's slots).
    Words(u32),
    /// An Alpha va_list's 8-byte slots from this address.
    Quads(u32),
}

/// The arguments of one insert, read from its first slot on.
struct InsertArgs<'c, 'a> {
    call: &'c ApiCall<'a>,
    slots: Slots,
    next: u32,
    faulted: bool,
}

impl InsertArgs<'_, '_> {
    fn slot(&mut self) -> u32 {
        let n = self.next;
        self.next += 1;
        let at = match self.slots {
            Slots::None => {
                self.faulted = true;
                return 0;
            }
            Slots::Words(base) => base.wrapping_add(4 * n),
            Slots::Quads(base) => base.wrapping_add(8 * n),
        };
        match self.call.read_u32(at) {
            Ok(v) => v,
            Err(_) => {
                self.faulted = true;
                0
            }
        }
    }
}

impl format::Arguments for InsertArgs<'_, '_> {
    fn next_u32(&mut self) -> u32 {
        self.slot()
    }

    fn next_u64(&mut self) -> u64 {
        if let Slots::Quads(base) = self.slots {
            let at = base.wrapping_add(8 * self.next);
            self.next += 1;
            let lo = self.call.read_u32(at);
            let hi = self.call.read_u32(at.wrapping_add(4));
            return match (lo, hi) {
                (Ok(lo), Ok(hi)) => u64::from(lo) | (u64::from(hi) << 32),
                _ => {
                    self.faulted = true;
                    0
                }
            };
        }
        let lo = u64::from(self.slot());
        let hi = u64::from(self.slot());
        lo | (hi << 32)
    }

    fn string(&mut self, ptr: u32, limit: usize) -> Option<Vec<u8>> {
        self.call.read_c_bytes(ptr, limit).ok()
    }

    fn wide_string(&mut self, ptr: u32, limit: usize) -> Option<Vec<u16>> {
        self.call.read_wide_units(ptr, limit).ok()
    }

    fn store_count(&mut self, _ptr: u32, _count: u32, _size: usize) -> Option<()> {
        // A message insert may not write through %n.
        None
    }
}

/// An insert's printf format, taken apart: `flags width .precision size type`, with what
/// follows the conversion kept as literal text.
struct InsertFormat {
    /// The conversion with its leading `%` (what the printf engine formats).
    conversion: Vec<u8>,
    left: bool,
    width: Option<Star>,
    precision: Option<Star>,
    size: Size,
    kind: u8,
    trailing: Vec<u8>,
}

/// A width or precision: digits, or `*` (the next argument).
#[derive(Clone, Copy)]
enum Star {
    Value(usize),
    Argument,
}

fn parse_format(spec: &[u16]) -> Option<InsertFormat> {
    let bytes: Vec<u8> = spec
        .iter()
        .map(|&u| u8::try_from(u).ok().filter(u8::is_ascii))
        .collect::<Option<_>>()?;
    let mut i = 0;
    let mut left = false;
    while let Some(&f) = bytes.get(i).filter(|f| b"-+ 0#".contains(f)) {
        left |= f == b'-';
        i += 1;
    }
    let star_or_digits = |i: &mut usize| -> Option<Star> {
        if bytes.get(*i) == Some(&b'*') {
            *i += 1;
            Some(Star::Argument)
        } else if bytes.get(*i).is_some_and(u8::is_ascii_digit) {
            Some(Star::Value(format::digits(&bytes, i).min(0x1_0000)))
        } else {
            None
        }
    };
    let width = star_or_digits(&mut i);
    let precision = if bytes.get(i) == Some(&b'.') {
        i += 1;
        Some(star_or_digits(&mut i).unwrap_or(Star::Value(0)))
    } else {
        None
    };
    let size = format::size_prefix(&bytes, &mut i, true);
    let kind = *bytes.get(i)?;
    i += 1;
    let mut conversion = vec![b'%'];
    conversion.extend_from_slice(&bytes[..i]);
    Some(InsertFormat {
        conversion,
        left,
        width,
        precision,
        size,
        kind,
        trailing: bytes[i..].to_vec(),
    })
}

/// Formats one insert: its arguments from `args`, the message's characters (`wide`: W).
fn format_insert(
    args: &mut InsertArgs<'_, '_>,
    spec: &[u16],
    wide: bool,
) -> Result<Vec<u16>, Win32Error> {
    let f = parse_format(spec).ok_or(Win32Error::INVALID_PARAMETER)?;
    let text: Vec<u16> = match f.kind {
        b's' | b'S' | b'c' | b'C' => {
            // FormatMessageA's %s and %c are ANSI and %S and %C wide; FormatMessageW's the
            // other way round; h makes them ANSI and l or w wide.
            let upper = f.kind.is_ascii_uppercase();
            let wide_arg = match f.size {
                Size::Short => false,
                Size::Long | Size::Wide => true,
                _ => upper != wide,
            };
            let mut left = f.left;
            let width = match f.width {
                Some(Star::Argument) => {
                    let w = args.slot() as i32;
                    left |= w < 0;
                    w.unsigned_abs() as usize
                }
                Some(Star::Value(w)) => w,
                None => 0,
            };
            let precision = match f.precision {
                Some(Star::Argument) => {
                    let p = args.slot() as i32;
                    (p >= 0).then_some(p as usize)
                }
                Some(Star::Value(p)) => Some(p),
                None => None,
            };
            let value = args.slot();
            let mut body: Vec<u16> = if f.kind.eq_ignore_ascii_case(&b'c') {
                vec![if wide_arg {
                    value as u16
                } else {
                    CodePage::Ansi.decode(value as u8)
                }]
            } else {
                let limit = precision.unwrap_or(WIDE_LIMIT).min(WIDE_LIMIT);
                if value == 0 {
                    "(null)".encode_utf16().take(limit).collect()
                } else if wide_arg {
                    args.call
                        .read_wide_units(value, limit)
                        .map_err(|_| Win32Error::NOACCESS)?
                } else {
                    args.call
                        .read_c_bytes(value, limit)
                        .map_err(|_| Win32Error::NOACCESS)?
                        .iter()
                        .map(|&b| CodePage::Ansi.decode(b))
                        .collect()
                }
            };
            let pad = width.saturating_sub(body.len()).min(WIDE_LIMIT);
            if left {
                body.extend(std::iter::repeat_n(SPACE, pad));
            } else {
                body.splice(0..0, std::iter::repeat_n(SPACE, pad));
            }
            body
        }
        b'n' => return Err(Win32Error::INVALID_PARAMETER),
        _ => format::format(&f.conversion, args)
            .map_err(|_| Win32Error::NOACCESS)?
            .iter()
            .map(|&b| CodePage::Ansi.decode(b))
            .collect(),
    };
    if args.faulted {
        return Err(match args.slots {
            Slots::None => Win32Error::INVALID_PARAMETER,
            _ => Win32Error::NOACCESS,
        });
    }
    let mut text = text;
    text.extend(f.trailing.iter().map(|&b| u16::from(b)));
    Ok(text)
}

/// The output being built, with its line wrapping.
struct Lines {
    /// 0: the text's line breaks are kept; 1-254: wrap at that width; 255: no wrapping.
    width: usize,
    out: Vec<u16>,
    /// The current line, while wrapping.
    line: Vec<u16>,
}

impl Lines {
    fn new(width: usize) -> Self {
        Lines {
            width,
            out: Vec::new(),
            line: Vec::new(),
        }
    }

    fn wraps(&self) -> bool {
        (1..=254).contains(&self.width)
    }

    fn push(&mut self, c: u16) {
        if !self.wraps() {
            self.out.push(c);
            return;
        }
        self.line.push(c);
        if self.line.len() >= self.width {
            self.wrap();
        }
    }

    /// The line reached the width: break it at its last run of spaces (dropped), or after
    /// the width when it has no space.
    fn wrap(&mut self) {
        match self.line.iter().rposition(|&c| c == SPACE) {
            Some(last) => {
                let mut start = last;
                while start > 0 && self.line[start - 1] == SPACE {
                    start -= 1;
                }
                let carried = self.line.split_off(last + 1);
                self.out.extend_from_slice(&self.line[..start]);
                self.out.extend_from_slice(&[CR, LF]);
                self.line = carried;
            }
            None => {
                self.out.append(&mut self.line);
                self.out.extend_from_slice(&[CR, LF]);
            }
        }
    }

    /// Ends the current line with `ending` (a hard break or a bare CR).
    fn end_line(&mut self, ending: &[u16]) {
        self.out.append(&mut self.line);
        self.out.extend_from_slice(ending);
    }

    /// A line break of the message text: CR LF without a width, one space with one.
    fn text_break(&mut self) {
        if self.width == 0 {
            self.end_line(&[CR, LF]);
        } else {
            self.push(SPACE);
        }
    }

    fn finish(mut self) -> Vec<u16> {
        self.out.append(&mut self.line);
        self.out
    }

    fn len(&self) -> usize {
        self.out.len() + self.line.len()
    }
}

/// Formats insert `n` with its printf format (the text between the `!` marks).
type Inserter<'f> = dyn FnMut(u32, &[u16]) -> Result<Vec<u16>, Win32Error> + 'f;

/// Expands a message text: escapes, inserts (through `insert`, given the insert number and
/// its printf format) and line breaks, as the module documentation describes.
fn expand(
    text: &[u16],
    flags: u32,
    limit: usize,
    insert: &mut Inserter<'_>,
) -> Result<Vec<u16>, Win32Error> {
    let ignore_inserts = flags & FORMAT_MESSAGE_IGNORE_INSERTS != 0;
    let mut lines = Lines::new((flags & FORMAT_MESSAGE_MAX_WIDTH_MASK) as usize);
    let digit = |c: u16| (0x30..=0x39).contains(&c);
    let mut i = 0;
    while i < text.len() {
        if lines.len() > limit {
            return Err(Win32Error::INVALID_PARAMETER);
        }
        let c = text[i];
        i += 1;
        match c {
            CR => {
                if text.get(i) == Some(&LF) {
                    i += 1;
                }
                lines.text_break();
            }
            LF => lines.text_break(),
            0x25 => {
                let Some(&next) = text.get(i) else {
                    if ignore_inserts {
                        lines.push(c);
                        continue;
                    }
                    return Err(Win32Error::INVALID_PARAMETER);
                };
                i += 1;
                match next {
                    0x30 => return Ok(lines.finish()),
                    0x6E => lines.end_line(&[CR, LF]),
                    0x72 => lines.end_line(&[CR]),
                    0x74 => lines.push(0x09),
                    d if digit(d) => {
                        let start = i - 2;
                        let mut number = u32::from(d - 0x30);
                        if text.get(i).copied().is_some_and(digit) {
                            number = number * 10 + u32::from(text[i] - 0x30);
                            i += 1;
                        }
                        let mut spec: &[u16] = &[0x73];
                        if text.get(i) == Some(&0x21) {
                            let from = i + 1;
                            let Some(len) = text[from..].iter().position(|&c| c == 0x21) else {
                                return Err(Win32Error::INVALID_PARAMETER);
                            };
                            spec = &text[from..from + len];
                            i = from + len + 1;
                        }
                        let piece = if ignore_inserts {
                            text[start..i].to_vec()
                        } else {
                            insert(number, spec)?
                        };
                        for c in piece {
                            lines.push(c);
                        }
                    }
                    other if ignore_inserts => {
                        lines.push(c);
                        lines.push(other);
                    }
                    other => lines.push(other),
                }
            }
            other => lines.push(other),
        }
    }
    let out = lines.finish();
    if out.len() > limit {
        return Err(Win32Error::INVALID_PARAMETER);
    }
    Ok(out)
}

/// What FormatMessageA or FormatMessageW was asked.
struct Request {
    flags: u32,
    source: Ptr,
    id: u32,
    language: u32,
    buffer: Ptr,
    size: u32,
    arguments: Ptr,
    wide: bool,
}

/// The message text the request names: its source string, or a system message.
fn message_text(call: &ApiCall<'_>, r: &Request) -> Result<Vec<u16>, Win32Error> {
    if r.flags & FORMAT_MESSAGE_FROM_STRING != 0 {
        let limit = if r.wide { WIDE_LIMIT } else { ANSI_LIMIT };
        let units: Vec<u16> = if r.wide {
            call.read_wide_units(r.source.0, limit + 1)
                .map_err(|_| Win32Error::NOACCESS)?
        } else {
            call.read_c_bytes(r.source.0, limit + 1)
                .map_err(|_| Win32Error::NOACCESS)?
                .iter()
                .map(|&b| CodePage::Ansi.decode(b))
                .collect()
        };
        if units.len() > limit {
            return Err(Win32Error::INVALID_PARAMETER);
        }
        return Ok(units);
    }
    let from_module = r.flags & FORMAT_MESSAGE_FROM_HMODULE != 0;
    let from_system = r.flags & FORMAT_MESSAGE_FROM_SYSTEM != 0;
    if !from_module && !from_system {
        return Err(Win32Error::INVALID_PARAMETER);
    }
    if from_module {
        // The module's RT_MESSAGETABLE #1 (lpSource; NULL is the program); with
        // FORMAT_MESSAGE_FROM_SYSTEM as well the system's table is searched next, as NT
        // does when the module lacks the message.
        match module_message(call, r.source.0, r.language as u16, r.id) {
            Ok(units) => return Ok(units),
            Err(e) if !from_system => return Err(e),
            Err(_) => {}
        }
    }
    if !language_found(r.language) {
        return Err(Win32Error::RESOURCE_LANG_NOT_FOUND);
    }
    system_message(r.id)
        .map(|t| t.encode_utf16().collect())
        .ok_or(Win32Error::MR_MID_NOT_FOUND)
}

/// Message `id` of module `module`'s message table (RT_MESSAGETABLE #1, in `language` with
/// FindResourceEx's fallbacks), as UTF-16 units: ERROR_RESOURCE_TYPE_NOT_FOUND (or _LANG_)
/// when the module has no such table, ERROR_MR_MID_NOT_FOUND when the table lacks the id.
fn module_message(
    call: &ApiCall<'_>,
    module: u32,
    language: u16,
    id: u32,
) -> Result<Vec<u16>, Win32Error> {
    use pe_image::resources::{ResourceId, ResourceMissing, rt};
    use pe_image::templates::{MessageTable, MessageText};
    let (address, entry) = crate::resource::find(
        call,
        module,
        &ResourceId::Id(rt::MESSAGETABLE),
        &ResourceId::Id(1),
        language,
    )
    .map_err(|m| match m {
        // A module without resources at all lacks the table as well (see k32more.expected
        // for NT 4.0's ERROR_RESOURCE_TYPE_NOT_FOUND here).
        ResourceMissing::Data => Win32Error::RESOURCE_TYPE_NOT_FOUND,
        m => m.status().to_win32_error(),
    })?;
    let bytes = call
        .read_bytes(address, entry.size as usize)
        .map_err(|_| Win32Error::NOACCESS)?;
    let table = MessageTable::parse(&bytes).map_err(|_| Win32Error::MR_MID_NOT_FOUND)?;
    match table.find(id) {
        Ok(Some(MessageText::Unicode(units))) => Ok(units),
        Ok(Some(MessageText::Ansi(text))) => {
            Ok(text.iter().map(|&b| CodePage::Ansi.decode(b)).collect())
        }
        _ => Err(Win32Error::MR_MID_NOT_FOUND),
    }
}

/// Where the insert arguments of a request are.
fn argument_slots(call: &ApiCall<'_>, r: &Request) -> Result<Slots, Win32Error> {
    if r.arguments.is_null() {
        return Ok(Slots::None);
    }
    if r.flags & FORMAT_MESSAGE_ARGUMENT_ARRAY != 0 {
        return Ok(Slots::Words(r.arguments.0));
    }
    // A va_list passed by address.
    let list = call
        .read_u32(r.arguments.0)
        .map_err(|_| Win32Error::NOACCESS)?;
    match call.process().map(|p| p.architecture()) {
        Some(Architecture::Alpha) => {
            let offset = call
                .read_u32(r.arguments.0.wrapping_add(4))
                .map_err(|_| Win32Error::NOACCESS)?;
            Ok(Slots::Quads(list.wrapping_add(offset)))
        }
        _ => Ok(Slots::Words(list)),
    }
}

fn format_message(call: &mut ApiCall<'_>, r: Request) -> ApiReturn {
    let allocate = r.flags & FORMAT_MESSAGE_ALLOCATE_BUFFER != 0;
    if allocate {
        // The pointer is NULL unless a buffer is made.
        let _ = call.write_u32(r.buffer.0, 0);
    }
    let text = match message_text(call, &r) {
        Ok(t) => t,
        Err(e) => return call.fail_win32(e, 0),
    };
    let slots = match argument_slots(call, &r) {
        Ok(s) => s,
        Err(e) => return call.fail_win32(e, 0),
    };
    let limit = if r.wide { WIDE_LIMIT } else { ANSI_LIMIT };
    let expanded = {
        let reader: &ApiCall<'_> = call;
        let wide = r.wide;
        let mut insert = |number: u32, spec: &[u16]| {
            let mut args = InsertArgs {
                call: reader,
                slots,
                next: number - 1,
                faulted: false,
            };
            format_insert(&mut args, spec, wide)
        };
        expand(&text, r.flags, limit, &mut insert)
    };
    let message = match expanded {
        Ok(m) => m,
        Err(e) => return call.fail_win32(e, 0),
    };
    if message.is_empty() {
        // NT 4.0 returns 0 and leaves the last error alone (later Windows set
        // ERROR_NO_WORK_DONE).
        return ApiReturn::Value(0);
    }
    let count = message.len() as u32;
    let mut bytes: Vec<u8> = if r.wide {
        message.iter().flat_map(|u| u.to_le_bytes()).collect()
    } else {
        let text = String::from_utf16_lossy(&message);
        CodePage::Ansi.encode_str(&text)
    };
    let unit = if r.wide { 2 } else { 1 };
    bytes.extend(std::iter::repeat_n(0, unit));
    if allocate {
        let chars = (count + 1).max(r.size);
        let Some(block) = chars
            .checked_mul(unit as u32)
            .and_then(|n| process_heap_alloc(call, n, false))
        else {
            return call.fail(NtStatus::NO_MEMORY);
        };
        if call.write_bytes(block, &bytes).is_err() || call.write_u32(r.buffer.0, block).is_err() {
            process_heap_free(call, block);
            return call.fail(NtStatus::ACCESS_VIOLATION);
        }
        return ApiReturn::Value(count);
    }
    if r.size <= count {
        return call.fail_win32(Win32Error::INSUFFICIENT_BUFFER, 0);
    }
    match call.write_bytes(r.buffer.0, &bytes) {
        Ok(()) => ApiReturn::Value(count),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// DWORD FormatMessageA(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId, DWORD
/// dwLanguageId, LPSTR lpBuffer, DWORD nSize, va_list *Arguments): formats a message (see the
/// module documentation) and returns its length in bytes without the NUL.
///
/// Sources: FORMAT_MESSAGE_FROM_STRING (lpSource; it wins over the others),
/// FORMAT_MESSAGE_FROM_SYSTEM (the Win32 error texts of NT 4.0 in U.S. English; language 0,
/// LANG_NEUTRAL/SUBLANG_DEFAULT, SUBLANG_SYS_DEFAULT or 0x0409, else
/// ERROR_RESOURCE_LANG_NOT_FOUND; an unknown id is ERROR_MR_MID_NOT_FOUND);
/// FORMAT_MESSAGE_FROM_HMODULE (lpSource's message table, NULL the program's: a module
/// without one is ERROR_RESOURCE_TYPE_NOT_FOUND, an id it lacks ERROR_MR_MID_NOT_FOUND; with
/// FROM_SYSTEM as well the system table answers then);
/// no source is ERROR_INVALID_PARAMETER. The output goes to lpBuffer when nSize holds it and
/// its NUL (else ERROR_INSUFFICIENT_BUFFER, buffer untouched), or with
/// FORMAT_MESSAGE_ALLOCATE_BUFFER into a LocalAlloc'd block of at least nSize characters
/// whose address is stored at lpBuffer (NULL there on failure). An empty message returns 0
/// without an error, as NT 4.0 does.
#[export]
fn FormatMessageA(
    call: &mut ApiCall<'_>,
    dwFlags: u32,
    lpSource: Ptr,
    dwMessageId: u32,
    dwLanguageId: u32,
    lpBuffer: Ptr,
    nSize: u32,
    Arguments: Ptr,
) -> ApiReturn {
    format_message(
        call,
        Request {
            flags: dwFlags,
            source: lpSource,
            id: dwMessageId,
            language: dwLanguageId,
            buffer: lpBuffer,
            size: nSize,
            arguments: Arguments,
            wide: false,
        },
    )
}

/// DWORD FormatMessageW(DWORD dwFlags, LPCVOID lpSource, DWORD dwMessageId, DWORD
/// dwLanguageId, LPWSTR lpBuffer, DWORD nSize, va_list *Arguments): FormatMessageA in UTF-16
/// (nSize and the result in characters; `%s` inserts are wide strings, `%S` ANSI ones).
#[export]
fn FormatMessageW(
    call: &mut ApiCall<'_>,
    dwFlags: u32,
    lpSource: Ptr,
    dwMessageId: u32,
    dwLanguageId: u32,
    lpBuffer: Ptr,
    nSize: u32,
    Arguments: Ptr,
) -> ApiReturn {
    format_message(
        call,
        Request {
            flags: dwFlags,
            source: lpSource,
            id: dwMessageId,
            language: dwLanguageId,
            buffer: lpBuffer,
            size: nSize,
            arguments: Arguments,
            wide: true,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str, flags: u32) -> Result<String, Win32Error> {
        let units: Vec<u16> = text.encode_utf16().collect();
        let mut insert = |n: u32, spec: &[u16]| -> Result<Vec<u16>, Win32Error> {
            Ok(format!("<{n}:{}>", String::from_utf16_lossy(spec))
                .encode_utf16()
                .collect())
        };
        expand(&units, flags, WIDE_LIMIT, &mut insert).map(|u| String::from_utf16_lossy(&u))
    }

    #[test]
    fn escapes_and_inserts() {
        assert_eq!(run("test", 0).unwrap(), "test");
        assert_eq!(run(" %%%% ", 0).unwrap(), " %% ");
        assert_eq!(run(" %.%. ", 0).unwrap(), " .. ");
        assert_eq!(run("test%0test", 0).unwrap(), "test");
        assert_eq!(run("yah%!%0   ", 0).unwrap(), "yah!");
        assert_eq!(run("% %   ", 0).unwrap(), "    ");
        assert_eq!(run("%n%r%t", 0).unwrap(), "\r\n\r\t");
        assert_eq!(run("hi\n", 0).unwrap(), "hi\r\n");
        assert_eq!(run("\r\r\n", 0).unwrap(), "\r\n\r\n");
        assert_eq!(run("%1%12!4d!x", 0).unwrap(), "<1:s><12:4d>x");
        assert_eq!(run("%100", 0).unwrap(), "<10:s>0");
        assert_eq!(run("test%", 0), Err(Win32Error::INVALID_PARAMETER));
        assert_eq!(run("%1!d", 0), Err(Win32Error::INVALID_PARAMETER));
        let ignore = FORMAT_MESSAGE_IGNORE_INSERTS;
        assert_eq!(
            run("test%1%2!*.*s!%99", ignore).unwrap(),
            "test%1%2!*.*s!%99"
        );
        assert_eq!(run("%%% %.%!", ignore).unwrap(), "%%% %.%!");
        assert_eq!(run("%n%r%t", ignore).unwrap(), "\r\n\r\t");
        assert_eq!(run("hi\r\n", 0xFF).unwrap(), "hi ");
        assert_eq!(run("\r\r\n", 0xFF).unwrap(), "  ");
    }

    #[test]
    fn wrapping_breaks_at_spaces_below_the_width() {
        let cases: &[(&str, u32, &str)] = &[
            ("short long line", 20, "short long line"),
            ("short long line", 11, "short long\r\nline"),
            ("short long long line", 20, "short long long\r\nline"),
            ("short long line", 10, "short\r\nlong line"),
            ("short long    line", 16, "short long\r\nline"),
            (
                "short long    wordlongerthanaline",
                16,
                "short long\r\nwordlongerthanal\r\nine",
            ),
            ("short long    line", 12, "short long\r\n  line"),
            (
                "short long    wordlongerthanaline",
                12,
                "short long\r\n\r\nwordlongerth\r\nanaline",
            ),
            ("   short line", 15, "   short line"),
            ("   shortlong line", 11, "\r\nshortlong\r\nline"),
            ("l1%n   shortlong line", 11, "l1\r\n\r\nshortlong\r\nline"),
            ("                ", 5, "\r\n\r\n\r\n "),
            ("l1               ", 5, "l1\r\n\r\n\r\n  "),
            ("shortlon", 8, "shortlon\r\n"),
            ("shortlongline", 8, "shortlon\r\ngline"),
            ("short long line", 7, "short\r\nlong\r\nline"),
            ("short\nlong line", 11, "short long\r\nline"),
            ("shortlon%n", 8, "shortlon\r\n\r\n"),
            ("short%nlong line", 8, "short\r\nlong\r\nline"),
            ("short%rlong line", 8, "short\rlong\r\nline"),
            ("short long\tline", 11, "short\r\nlong\tline"),
            ("short long-line", 11, "short\r\nlong-line"),
        ];
        for &(text, width, expected) in cases {
            assert_eq!(run(text, width).unwrap(), expected, "{text:?} at {width}");
        }
    }

    #[test]
    fn system_messages_are_sorted_and_end_in_crlf() {
        assert!(SYSTEM_MESSAGES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(SYSTEM_MESSAGES.iter().all(|(_, t)| t.ends_with("\r\n")));
        assert_eq!(system_message(87), Some("The parameter is incorrect.\r\n"));
        assert_eq!(system_message(3044), None);
    }

    #[test]
    fn insert_formats_parse() {
        let f = parse_format(&"-4d".encode_utf16().collect::<Vec<_>>()).unwrap();
        assert_eq!(
            (f.kind, f.left, f.conversion.as_slice()),
            (b'd', true, &b"%-4d"[..])
        );
        let f = parse_format(&"*.*ls".encode_utf16().collect::<Vec<_>>()).unwrap();
        assert!(matches!(
            (f.width, f.precision, f.size),
            (Some(Star::Argument), Some(Star::Argument), Size::Long)
        ));
        assert!(parse_format(&[]).is_none());
    }
}
