//! The profile (.ini file) functions: Get/WritePrivateProfileString, -Int, -Section,
//! GetPrivateProfileSectionNames, and the Get/WriteProfile* forms on C:\WINNT\win.ini.
//!
//! Windows' rules: section and key names compare without regard to case and without the
//! spaces around them; a value loses the spaces around it and one pair of matching quotes
//! (`"..."` or `'...'`); lines beginning with `;` are comments, and a `;` later on a line is
//! part of the value. A bare file name is in the Windows directory. Writes keep the rest of
//! the file as it was (comments, order, spacing) and replace the file crash-safely
//! (see [`crate::guestfile`]). NT 4.0's mapping of some win.ini sections to the registry
//! (IniFileMapping) is not made: win.ini is a file.

use nt_status::Win32Error;
use win32::codepage::CodePage;
use win32::{AnsiStr, ApiCall, ApiReturn, Ptr, WideStr, export};

use crate::guestfile::{GuestFile, guest_file};

/// The character set of an A or W function.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Chars {
    Ansi,
    Wide,
}

impl Chars {
    fn encode(self, text: &str) -> Vec<u16> {
        match self {
            Chars::Ansi => CodePage::Ansi
                .encode_str(text)
                .into_iter()
                .map(u16::from)
                .collect(),
            Chars::Wide => text.encode_utf16().collect(),
        }
    }

    fn write(self, call: &mut ApiCall<'_>, at: u32, units: &[u16]) -> bool {
        let bytes: Vec<u8> = match self {
            Chars::Ansi => units.iter().map(|&u| u as u8).collect(),
            Chars::Wide => units.iter().flat_map(|u| u.to_le_bytes()).collect(),
        };
        call.write_bytes(at, &bytes).is_ok()
    }
}

/// An .ini file as lines of text, and how it was encoded.
struct IniFile {
    lines: Vec<String>,
    unicode: bool,
}

/// What a line of an .ini file is.
enum Line<'a> {
    Section(&'a str),
    Entry(&'a str, Option<&'a str>),
    Other,
}

fn classify(line: &str) -> Line<'_> {
    let t = line.trim_matches([' ', '\t']);
    if t.is_empty() || t.starts_with(';') {
        return Line::Other;
    }
    if let Some(rest) = t.strip_prefix('[') {
        let name = rest.split(']').next().unwrap_or(rest);
        return Line::Section(name.trim_matches([' ', '\t']));
    }
    match t.split_once('=') {
        Some((k, v)) => Line::Entry(
            k.trim_matches([' ', '\t']),
            Some(v.trim_matches([' ', '\t'])),
        ),
        None => Line::Entry(t, None),
    }
}

fn same(a: &str, b: &str) -> bool {
    a.to_uppercase() == b.to_uppercase()
}

impl IniFile {
    fn parse(bytes: &[u8]) -> IniFile {
        let (text, unicode) = match bytes.strip_prefix(&[0xFF, 0xFE]) {
            Some(rest) => {
                let units: Vec<u16> = rest
                    .chunks_exact(2)
                    .map(|p| u16::from_le_bytes([p[0], p[1]]))
                    .collect();
                (String::from_utf16_lossy(&units), true)
            }
            None => (CodePage::Ansi.decode_str(bytes), false),
        };
        IniFile {
            lines: text.lines().map(str::to_string).collect(),
            unicode,
        }
    }

    fn bytes(&self) -> Vec<u8> {
        let mut text = String::new();
        for l in &self.lines {
            text.push_str(l);
            text.push_str("\r\n");
        }
        if self.unicode {
            let mut out = vec![0xFF, 0xFE];
            out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            out
        } else {
            CodePage::Ansi.encode_str(&text)
        }
    }

    /// The line range of a section's body: (header index, end), end exclusive.
    fn section(&self, name: &str) -> Option<(usize, usize)> {
        let start = self
            .lines
            .iter()
            .position(|l| matches!(classify(l), Line::Section(s) if same(s, name)))?;
        let end = self.lines[start + 1..]
            .iter()
            .position(|l| matches!(classify(l), Line::Section(_)))
            .map_or(self.lines.len(), |i| start + 1 + i);
        Some((start, end))
    }

    fn section_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for l in &self.lines {
            if let Line::Section(s) = classify(l)
                && !names.iter().any(|n| same(n, s))
            {
                names.push(s.to_string());
            }
        }
        names
    }

    fn entries(&self, section: &str) -> Vec<(String, Option<String>)> {
        let Some((start, end)) = self.section(section) else {
            return Vec::new();
        };
        self.lines[start + 1..end]
            .iter()
            .filter_map(|l| match classify(l) {
                Line::Entry(k, v) => Some((k.to_string(), v.map(str::to_string))),
                _ => None,
            })
            .collect()
    }

    fn value(&self, section: &str, key: &str) -> Option<String> {
        self.entries(section)
            .into_iter()
            .find(|(k, _)| same(k, key))
            .and_then(|(_, v)| v)
    }

    fn set(&mut self, section: &str, key: &str, value: Option<&str>) {
        let Some((start, end)) = self.section(section) else {
            if let Some(v) = value {
                if self.lines.last().is_some_and(|l| !l.trim().is_empty()) {
                    self.lines.push(String::new());
                }
                self.lines.push(format!("[{section}]"));
                self.lines.push(format!("{key}={v}"));
            }
            return;
        };
        let found = (start + 1..end)
            .find(|&i| matches!(classify(&self.lines[i]), Line::Entry(k, _) if same(k, key)));
        match (found, value) {
            (Some(i), Some(v)) => self.lines[i] = format!("{key}={v}"),
            (Some(i), None) => {
                self.lines.remove(i);
            }
            (None, Some(v)) => {
                // After the section's last non-blank line.
                let mut at = end;
                while at > start + 1 && self.lines[at - 1].trim().is_empty() {
                    at -= 1;
                }
                self.lines.insert(at, format!("{key}={v}"));
            }
            (None, None) => {}
        }
    }

    fn remove_section(&mut self, section: &str) {
        if let Some((start, end)) = self.section(section) {
            self.lines.drain(start..end);
        }
    }

    fn replace_section(&mut self, section: &str, body: Vec<String>) {
        match self.section(section) {
            Some((start, end)) => {
                self.lines.splice(start + 1..end, body);
            }
            None => {
                if self.lines.last().is_some_and(|l| !l.trim().is_empty()) {
                    self.lines.push(String::new());
                }
                self.lines.push(format!("[{section}]"));
                self.lines.extend(body);
            }
        }
    }
}

/// The file a profile function names: a bare name is in the Windows directory.
fn file_name(name: Option<&str>) -> String {
    let name = name.unwrap_or("win.ini");
    if name.contains(['\\', '/', ':']) {
        name.to_string()
    } else {
        format!("{}\\{name}", crate::WINDOWS_DIRECTORY)
    }
}

fn open(call: &ApiCall<'_>, name: Option<&str>) -> Result<(GuestFile, IniFile), Win32Error> {
    let file = guest_file(call, &file_name(name))?;
    let ini = match file.read()? {
        Some(bytes) => IniFile::parse(&bytes),
        None => IniFile {
            lines: Vec::new(),
            unicode: false,
        },
    };
    Ok((file, ini))
}

/// Removes one pair of matching quotes around a value.
fn unquote(v: &str) -> &str {
    let b = v.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

/// Copies a string into a buffer of `size` characters as GetPrivateProfileString does: cut
/// to size - 1 characters and NUL-terminated; returns the characters copied.
fn copy_value(call: &mut ApiCall<'_>, chars: Chars, out: Ptr, size: u32, text: &str) -> u32 {
    if size == 0 {
        return 0;
    }
    let mut units = chars.encode(text);
    units.truncate(size as usize - 1);
    let n = units.len() as u32;
    units.push(0);
    if !chars.write(call, out.0, &units) {
        call.set_last_error(Win32Error::NOACCESS.0);
        return 0;
    }
    n
}

/// Copies a list of strings (each NUL-terminated, one more NUL at the end) as the profile
/// functions do: when it does not fit, as many characters as fit with two NULs, and size -
/// 2 returned; otherwise the length without the last NUL.
fn copy_list(call: &mut ApiCall<'_>, chars: Chars, out: Ptr, size: u32, items: &[String]) -> u32 {
    let size = size as usize;
    if size == 0 {
        return 0;
    }
    let mut units = Vec::new();
    for item in items {
        units.extend(chars.encode(item));
        units.push(0);
    }
    let (units, n) = if units.is_empty() {
        (vec![0; size.min(2)], 0)
    } else if units.len() < size {
        let n = units.len() as u32;
        units.push(0);
        (units, n)
    } else if size >= 2 {
        let mut cut = units[..size - 2].to_vec();
        cut.extend_from_slice(&[0, 0]);
        (cut, size as u32 - 2)
    } else {
        (vec![0], 0)
    };
    if !chars.write(call, out.0, &units) {
        call.set_last_error(Win32Error::NOACCESS.0);
        return 0;
    }
    n
}

#[allow(clippy::too_many_arguments)]
fn get_string(
    call: &mut ApiCall<'_>,
    chars: Chars,
    app: Option<&str>,
    key: Option<&str>,
    default: Option<&str>,
    out: Ptr,
    size: u32,
    file: Option<&str>,
) -> u32 {
    let ini = match open(call, file) {
        Ok((_, ini)) => ini,
        Err(e) => {
            call.set_last_error(e.0);
            IniFile {
                lines: Vec::new(),
                unicode: false,
            }
        }
    };
    let Some(app) = app else {
        return copy_list(call, chars, out, size, &ini.section_names());
    };
    let Some(key) = key else {
        let keys: Vec<String> = ini.entries(app).into_iter().map(|(k, _)| k).collect();
        return copy_list(call, chars, out, size, &keys);
    };
    let value = match ini.value(app, key) {
        Some(v) => unquote(&v).to_string(),
        None => default.unwrap_or("").trim_end_matches(' ').to_string(),
    };
    copy_value(call, chars, out, size, &value)
}

/// GetPrivateProfileStringA(lpAppName, lpKeyName, lpDefault, lpReturnedString, nSize,
/// lpFileName): the value (or lpDefault without its trailing spaces); with a NULL section
/// every section name, with a NULL key every key of the section.
#[export]
fn GetPrivateProfileStringA(
    call: &mut ApiCall<'_>,
    lpAppName: Option<AnsiStr>,
    lpKeyName: Option<AnsiStr>,
    lpDefault: Option<AnsiStr>,
    lpReturnedString: Ptr,
    nSize: u32,
    lpFileName: Option<AnsiStr>,
) -> u32 {
    get_string(
        call,
        Chars::Ansi,
        lpAppName.as_deref(),
        lpKeyName.as_deref(),
        lpDefault.as_deref(),
        lpReturnedString,
        nSize,
        lpFileName.as_deref(),
    )
}

/// GetPrivateProfileStringW.
#[export]
fn GetPrivateProfileStringW(
    call: &mut ApiCall<'_>,
    lpAppName: Option<WideStr>,
    lpKeyName: Option<WideStr>,
    lpDefault: Option<WideStr>,
    lpReturnedString: Ptr,
    nSize: u32,
    lpFileName: Option<WideStr>,
) -> u32 {
    get_string(
        call,
        Chars::Wide,
        lpAppName.as_deref(),
        lpKeyName.as_deref(),
        lpDefault.as_deref(),
        lpReturnedString,
        nSize,
        lpFileName.as_deref(),
    )
}

/// GetProfileStringA(lpAppName, lpKeyName, lpDefault, lpReturnedString, nSize): from
/// C:\WINNT\win.ini.
#[export]
fn GetProfileStringA(
    call: &mut ApiCall<'_>,
    lpAppName: Option<AnsiStr>,
    lpKeyName: Option<AnsiStr>,
    lpDefault: Option<AnsiStr>,
    lpReturnedString: Ptr,
    nSize: u32,
) -> u32 {
    get_string(
        call,
        Chars::Ansi,
        lpAppName.as_deref(),
        lpKeyName.as_deref(),
        lpDefault.as_deref(),
        lpReturnedString,
        nSize,
        None,
    )
}

/// GetProfileStringW.
#[export]
fn GetProfileStringW(
    call: &mut ApiCall<'_>,
    lpAppName: Option<WideStr>,
    lpKeyName: Option<WideStr>,
    lpDefault: Option<WideStr>,
    lpReturnedString: Ptr,
    nSize: u32,
) -> u32 {
    get_string(
        call,
        Chars::Wide,
        lpAppName.as_deref(),
        lpKeyName.as_deref(),
        lpDefault.as_deref(),
        lpReturnedString,
        nSize,
        None,
    )
}

fn get_int(
    call: &mut ApiCall<'_>,
    app: Option<&str>,
    key: Option<&str>,
    default: i32,
    file: Option<&str>,
) -> u32 {
    let (Some(app), Some(key)) = (app, key) else {
        return default as u32;
    };
    let Ok((_, ini)) = open(call, file) else {
        return default as u32;
    };
    let Some(v) = ini.value(app, key) else {
        return default as u32;
    };
    let v = unquote(&v);
    if v.is_empty() {
        return default as u32;
    }
    // Decimal, with a sign, up to the first other character (0 when there is no digit).
    let (negative, digits) = match v.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, v.strip_prefix('+').unwrap_or(v)),
    };
    let n = digits
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0u32, |n, d| {
            n.wrapping_mul(10).wrapping_add(u32::from(d - b'0'))
        });
    if negative { n.wrapping_neg() } else { n }
}

/// GetPrivateProfileIntA(lpAppName, lpKeyName, nDefault, lpFileName): the value as a
/// decimal number (its leading digits; 0 when it has none), nDefault when absent or empty.
#[export]
fn GetPrivateProfileIntA(
    call: &mut ApiCall<'_>,
    lpAppName: Option<AnsiStr>,
    lpKeyName: Option<AnsiStr>,
    nDefault: i32,
    lpFileName: Option<AnsiStr>,
) -> u32 {
    get_int(
        call,
        lpAppName.as_deref(),
        lpKeyName.as_deref(),
        nDefault,
        lpFileName.as_deref(),
    )
}

/// GetPrivateProfileIntW.
#[export]
fn GetPrivateProfileIntW(
    call: &mut ApiCall<'_>,
    lpAppName: Option<WideStr>,
    lpKeyName: Option<WideStr>,
    nDefault: i32,
    lpFileName: Option<WideStr>,
) -> u32 {
    get_int(
        call,
        lpAppName.as_deref(),
        lpKeyName.as_deref(),
        nDefault,
        lpFileName.as_deref(),
    )
}

/// GetProfileIntA(lpAppName, lpKeyName, nDefault): from win.ini.
#[export]
fn GetProfileIntA(
    call: &mut ApiCall<'_>,
    lpAppName: Option<AnsiStr>,
    lpKeyName: Option<AnsiStr>,
    nDefault: i32,
) -> u32 {
    get_int(
        call,
        lpAppName.as_deref(),
        lpKeyName.as_deref(),
        nDefault,
        None,
    )
}

/// GetProfileIntW.
#[export]
fn GetProfileIntW(
    call: &mut ApiCall<'_>,
    lpAppName: Option<WideStr>,
    lpKeyName: Option<WideStr>,
    nDefault: i32,
) -> u32 {
    get_int(
        call,
        lpAppName.as_deref(),
        lpKeyName.as_deref(),
        nDefault,
        None,
    )
}

fn get_section(
    call: &mut ApiCall<'_>,
    chars: Chars,
    app: Option<&str>,
    out: Ptr,
    size: u32,
    file: Option<&str>,
) -> u32 {
    let items: Vec<String> = match (app, open(call, file)) {
        (Some(app), Ok((_, ini))) => ini
            .entries(app)
            .into_iter()
            .map(|(k, v)| match v {
                Some(v) => format!("{k}={v}"),
                None => k,
            })
            .collect(),
        _ => Vec::new(),
    };
    copy_list(call, chars, out, size, &items)
}

/// GetPrivateProfileSectionA(lpAppName, lpReturnedString, nSize, lpFileName): the
/// section's `key=value` lines, each NUL-terminated, with one more NUL.
#[export]
fn GetPrivateProfileSectionA(
    call: &mut ApiCall<'_>,
    lpAppName: Option<AnsiStr>,
    lpReturnedString: Ptr,
    nSize: u32,
    lpFileName: Option<AnsiStr>,
) -> u32 {
    get_section(
        call,
        Chars::Ansi,
        lpAppName.as_deref(),
        lpReturnedString,
        nSize,
        lpFileName.as_deref(),
    )
}

/// GetPrivateProfileSectionW.
#[export]
fn GetPrivateProfileSectionW(
    call: &mut ApiCall<'_>,
    lpAppName: Option<WideStr>,
    lpReturnedString: Ptr,
    nSize: u32,
    lpFileName: Option<WideStr>,
) -> u32 {
    get_section(
        call,
        Chars::Wide,
        lpAppName.as_deref(),
        lpReturnedString,
        nSize,
        lpFileName.as_deref(),
    )
}

/// GetProfileSectionA(lpAppName, lpReturnedString, nSize): from win.ini.
#[export]
fn GetProfileSectionA(
    call: &mut ApiCall<'_>,
    lpAppName: Option<AnsiStr>,
    lpReturnedString: Ptr,
    nSize: u32,
) -> u32 {
    get_section(
        call,
        Chars::Ansi,
        lpAppName.as_deref(),
        lpReturnedString,
        nSize,
        None,
    )
}

/// GetProfileSectionW.
#[export]
fn GetProfileSectionW(
    call: &mut ApiCall<'_>,
    lpAppName: Option<WideStr>,
    lpReturnedString: Ptr,
    nSize: u32,
) -> u32 {
    get_section(
        call,
        Chars::Wide,
        lpAppName.as_deref(),
        lpReturnedString,
        nSize,
        None,
    )
}

/// GetPrivateProfileSectionNamesA(lpszReturnBuffer, nSize, lpFileName).
#[export]
fn GetPrivateProfileSectionNamesA(
    call: &mut ApiCall<'_>,
    lpszReturnBuffer: Ptr,
    nSize: u32,
    lpFileName: Option<AnsiStr>,
) -> u32 {
    get_string(
        call,
        Chars::Ansi,
        None,
        None,
        None,
        lpszReturnBuffer,
        nSize,
        lpFileName.as_deref(),
    )
}

/// GetPrivateProfileSectionNamesW.
#[export]
fn GetPrivateProfileSectionNamesW(
    call: &mut ApiCall<'_>,
    lpszReturnBuffer: Ptr,
    nSize: u32,
    lpFileName: Option<WideStr>,
) -> u32 {
    get_string(
        call,
        Chars::Wide,
        None,
        None,
        None,
        lpszReturnBuffer,
        nSize,
        lpFileName.as_deref(),
    )
}

/// Reads, changes and rewrites an .ini file (crash-safely); TRUE or FALSE with the error.
fn change(
    call: &mut ApiCall<'_>,
    file: Option<&str>,
    edit: impl FnOnce(&mut IniFile),
) -> ApiReturn {
    let (guest, mut ini) = match open(call, file) {
        Ok(f) => f,
        Err(e) => return call.fail_win32(e, 0),
    };
    edit(&mut ini);
    match guest.replace(&ini.bytes()) {
        Ok(()) => ApiReturn::Value(1),
        Err(e) => call.fail_win32(e, 0),
    }
}

fn write_string(
    call: &mut ApiCall<'_>,
    app: Option<&str>,
    key: Option<&str>,
    value: Option<&str>,
    file: Option<&str>,
) -> ApiReturn {
    let Some(app) = app else {
        // All NULL: flush the (nonexistent) cache.
        return if key.is_none() && value.is_none() {
            ApiReturn::Value(1)
        } else {
            call.fail_win32(Win32Error::INVALID_PARAMETER, 0)
        };
    };
    let app = app.trim_matches([' ', '\t']).to_string();
    let key = key.map(|k| k.trim_matches([' ', '\t']).to_string());
    change(call, file, |ini| match key {
        None => ini.remove_section(&app),
        Some(k) => ini.set(&app, &k, value),
    })
}

/// WritePrivateProfileStringA(lpAppName, lpKeyName, lpString, lpFileName): sets a value (a
/// NULL string deletes the key, a NULL key the section), making the section and file as
/// needed.
#[export]
fn WritePrivateProfileStringA(
    call: &mut ApiCall<'_>,
    lpAppName: Option<AnsiStr>,
    lpKeyName: Option<AnsiStr>,
    lpString: Option<AnsiStr>,
    lpFileName: Option<AnsiStr>,
) -> ApiReturn {
    write_string(
        call,
        lpAppName.as_deref(),
        lpKeyName.as_deref(),
        lpString.as_deref(),
        lpFileName.as_deref(),
    )
}

/// WritePrivateProfileStringW.
#[export]
fn WritePrivateProfileStringW(
    call: &mut ApiCall<'_>,
    lpAppName: Option<WideStr>,
    lpKeyName: Option<WideStr>,
    lpString: Option<WideStr>,
    lpFileName: Option<WideStr>,
) -> ApiReturn {
    write_string(
        call,
        lpAppName.as_deref(),
        lpKeyName.as_deref(),
        lpString.as_deref(),
        lpFileName.as_deref(),
    )
}

/// WriteProfileStringA(lpAppName, lpKeyName, lpString): in win.ini.
#[export]
fn WriteProfileStringA(
    call: &mut ApiCall<'_>,
    lpAppName: Option<AnsiStr>,
    lpKeyName: Option<AnsiStr>,
    lpString: Option<AnsiStr>,
) -> ApiReturn {
    write_string(
        call,
        lpAppName.as_deref(),
        lpKeyName.as_deref(),
        lpString.as_deref(),
        None,
    )
}

/// WriteProfileStringW.
#[export]
fn WriteProfileStringW(
    call: &mut ApiCall<'_>,
    lpAppName: Option<WideStr>,
    lpKeyName: Option<WideStr>,
    lpString: Option<WideStr>,
) -> ApiReturn {
    write_string(
        call,
        lpAppName.as_deref(),
        lpKeyName.as_deref(),
        lpString.as_deref(),
        None,
    )
}

fn read_list(call: &ApiCall<'_>, chars: Chars, at: Ptr) -> Option<Vec<String>> {
    let mut items = Vec::new();
    let mut p = at.0;
    loop {
        let item = match chars {
            Chars::Ansi => CodePage::Ansi.decode_str(&call.read_c_bytes(p, 0x8000).ok()?),
            Chars::Wide => String::from_utf16_lossy(&call.read_wide_units(p, 0x8000).ok()?),
        };
        if item.is_empty() {
            return Some(items);
        }
        let units = chars.encode(&item).len() as u32 + 1;
        p += units * if chars == Chars::Wide { 2 } else { 1 };
        items.push(item);
        if items.len() > 0x10000 {
            return Some(items);
        }
    }
}

fn write_section(
    call: &mut ApiCall<'_>,
    chars: Chars,
    app: Option<&str>,
    lines: Ptr,
    file: Option<&str>,
) -> ApiReturn {
    let Some(app) = app else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let app = app.to_string();
    if lines.is_null() {
        return change(call, file, |ini| ini.remove_section(&app));
    }
    let Some(body) = read_list(call, chars, lines) else {
        return call.fail_win32(Win32Error::NOACCESS, 0);
    };
    change(call, file, |ini| ini.replace_section(&app, body))
}

/// WritePrivateProfileSectionA(lpAppName, lpString, lpFileName): replaces the section's
/// lines with the NUL-separated `key=value` strings (NULL deletes the section).
#[export]
fn WritePrivateProfileSectionA(
    call: &mut ApiCall<'_>,
    lpAppName: Option<AnsiStr>,
    lpString: Ptr,
    lpFileName: Option<AnsiStr>,
) -> ApiReturn {
    write_section(
        call,
        Chars::Ansi,
        lpAppName.as_deref(),
        lpString,
        lpFileName.as_deref(),
    )
}

/// WritePrivateProfileSectionW.
#[export]
fn WritePrivateProfileSectionW(
    call: &mut ApiCall<'_>,
    lpAppName: Option<WideStr>,
    lpString: Ptr,
    lpFileName: Option<WideStr>,
) -> ApiReturn {
    write_section(
        call,
        Chars::Wide,
        lpAppName.as_deref(),
        lpString,
        lpFileName.as_deref(),
    )
}

/// WriteProfileSectionA(lpAppName, lpString): in win.ini.
#[export]
fn WriteProfileSectionA(
    call: &mut ApiCall<'_>,
    lpAppName: Option<AnsiStr>,
    lpString: Ptr,
) -> ApiReturn {
    write_section(call, Chars::Ansi, lpAppName.as_deref(), lpString, None)
}

/// WriteProfileSectionW.
#[export]
fn WriteProfileSectionW(
    call: &mut ApiCall<'_>,
    lpAppName: Option<WideStr>,
    lpString: Ptr,
) -> ApiReturn {
    write_section(call, Chars::Wide, lpAppName.as_deref(), lpString, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ini(text: &str) -> IniFile {
        IniFile::parse(text.as_bytes())
    }

    #[test]
    fn windows_ini_rules() {
        let f = ini(
            "; comment\r\n[ Sect ]\r\n key = \"quoted value\" ; not a comment\r\nbare\r\n[other]\r\nk=v\r\n",
        );
        assert_eq!(f.section_names(), ["Sect", "other"]);
        assert_eq!(
            f.value("SECT", "KEY").as_deref(),
            Some("\"quoted value\" ; not a comment")
        );
        assert_eq!(unquote("\"a\""), "a");
        assert_eq!(unquote("'a'"), "a");
        assert_eq!(unquote("\"a'"), "\"a'");
        assert_eq!(f.entries("sect").len(), 2);
        assert_eq!(f.value("sect", "bare"), None);
    }

    #[test]
    fn edits_keep_the_rest_of_the_file() {
        let mut f = ini("; top\r\n[a]\r\nx=1\r\n\r\n[b]\r\ny=2\r\n");
        f.set("A", "z", Some("3"));
        f.set("a", "X", Some("4"));
        f.set("b", "y", None);
        f.set("c", "w", Some("5"));
        assert_eq!(
            f.lines,
            ["; top", "[a]", "X=4", "z=3", "", "[b]", "", "[c]", "w=5"]
        );
        f.remove_section("B");
        f.replace_section("a", vec!["k=v".into()]);
        assert_eq!(f.lines, ["; top", "[a]", "k=v", "[c]", "w=5"]);
    }
}
