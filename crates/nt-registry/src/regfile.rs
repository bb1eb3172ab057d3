//! REGEDIT4 files: the `.reg` text NT 4.0's regedit exports and imports, which ntemu also
//! keeps its hives in.
//!
//! ```text
//! REGEDIT4
//!
//! [HKEY_CURRENT_USER\Software\Example]
//! @="the default value"
//! "Name"="text with \"quotes\" and \\ backslashes"
//! "Count"=dword:0000002a
//! "Blob"=hex:01,02,03
//! "Path"=hex(2):25,53,79,73,74,65,6d,52,6f,6f,74,25,00
//! "Gone"=-
//!
//! [-HKEY_CURRENT_USER\Software\Obsolete]
//! ```
//!
//! The text is Windows-1252, as regedit writes it. Strings with characters that code page
//! lacks make the whole file UTF-8 with a byte-order mark (regedit could not have written
//! them at all). REG_SZ is quoted when it is plain text ending in one NUL; other string data
//! is `hex(1)`, `hex(2)` or `hex(7)` of the text's bytes in the file's encoding, NULs
//! included, as REGEDIT4 has it; data that is no text at all (an odd length, unpaired
//! surrogates) is written as its raw UTF-16 bytes after the comment line `;ntemu:utf16`,
//! which regedit skips. Value names may hold `\xHH` escapes for control characters.
//! Reading also takes regedit 5 files ("Windows Registry Editor Version 5.00", UTF-16 with
//! a byte-order mark, string `hex(...)` data in UTF-16) and lines continued with `\`.

use crate::value::{
    REG_BINARY, REG_DWORD, REG_EXPAND_SZ, REG_MULTI_SZ, REG_SZ, Value, cp1252_byte, decode_cp1252,
    encode_cp1252, is_string_type, utf16_units,
};

/// The first line of a REGEDIT4 file.
pub const HEADER: &str = "REGEDIT4";
/// The first line of a regedit 5 file (Windows 2000's).
pub const HEADER_V5: &str = "Windows Registry Editor Version 5.00";
/// The comment that marks the next value's `hex(...)` data as raw UTF-16.
const RAW_MARK: &str = ";ntemu:utf16";
/// The largest .reg file read (a hive of NT 4.0 was at most some megabytes).
pub const MAX_FILE: usize = 64 << 20;

/// Why a .reg file could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    /// The 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

fn error<T>(line: usize, message: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError {
        line,
        message: message.into(),
    })
}

/// What a value line of a .reg file asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegValue {
    /// Set the value.
    Set(Value),
    /// Delete the value of this name (`"name"=-`).
    Delete(String),
}

/// One `[key]` section of a .reg file and its value lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegSection {
    /// The full key path as written (`HKEY_LOCAL_MACHINE\SOFTWARE\...`).
    pub path: String,
    /// `[-path]`: delete the key and everything below it.
    pub delete: bool,
    /// The value lines, in order.
    pub values: Vec<RegValue>,
    /// The line of the `[key]` header.
    pub line: usize,
}

/// A parsed .reg file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RegFile {
    /// Its sections, in order.
    pub sections: Vec<RegSection>,
}

/// How the file's text was encoded.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Ansi,
    Utf8,
    Utf16,
}

fn decode(bytes: &[u8]) -> Result<(String, Encoding), ParseError> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        if !rest.len().is_multiple_of(2) {
            return error(1, "UTF-16 text of an odd length");
        }
        return Ok((
            String::from_utf16_lossy(&utf16_units(rest)),
            Encoding::Utf16,
        ));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return match std::str::from_utf8(rest) {
            Ok(t) => Ok((t.to_string(), Encoding::Utf8)),
            Err(e) => {
                let line = 1 + rest[..e.valid_up_to()]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                error(line, "not UTF-8 text after a UTF-8 byte-order mark")
            }
        };
    }
    Ok((decode_cp1252(bytes), Encoding::Ansi))
}

/// Parses a .reg file (REGEDIT4, or regedit 5's format).
pub fn parse(bytes: &[u8]) -> Result<RegFile, ParseError> {
    if bytes.len() > MAX_FILE {
        return error(1, format!("larger than {} bytes", MAX_FILE));
    }
    let (text, encoding) = decode(bytes)?;
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let unicode_hex = loop {
        match lines.next() {
            Some((_, l)) if l.trim().is_empty() => continue,
            Some((_, l)) if l.trim_end() == HEADER => break false,
            Some((_, l)) if l.trim_end() == HEADER_V5 => break true,
            Some((n, _)) => return error(n, format!("the file does not begin with {HEADER}")),
            None => return error(1, format!("empty file (no {HEADER} line)")),
        }
    };
    let mut file = RegFile::default();
    let mut raw_next = false;
    while let Some((n, line)) = lines.next() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed == RAW_MARK {
            raw_next = true;
            continue;
        }
        if trimmed.starts_with(';') {
            continue;
        }
        if let Some(inner) = trimmed.strip_prefix('[') {
            let Some(inner) = inner.strip_suffix(']') else {
                return error(n, "a key line must end in ]");
            };
            let (delete, path) = match inner.strip_prefix('-') {
                Some(p) => (true, p),
                None => (false, inner),
            };
            if path.is_empty() {
                return error(n, "an empty key path");
            }
            file.sections.push(RegSection {
                path: path.to_string(),
                delete,
                values: Vec::new(),
                line: n,
            });
            raw_next = false;
            continue;
        }
        // A value line, perhaps continued on the next lines.
        let mut logical = trimmed.to_string();
        while logical.ends_with('\\') && is_hex_line(&logical) {
            logical.pop();
            match lines.next() {
                Some((_, next)) => logical.push_str(next.trim()),
                None => break,
            }
        }
        let Some(section) = file.sections.last_mut() else {
            return error(n, "a value before any [key] line");
        };
        let raw = std::mem::take(&mut raw_next);
        let value = parse_value_line(&logical, n, encoding, unicode_hex || raw)?;
        section.values.push(value);
    }
    Ok(file)
}

/// True when a value line's data is a `hex` list (which may continue on the next line).
fn is_hex_line(line: &str) -> bool {
    let Ok((_, rest)) = split_name(line, 0) else {
        return false;
    };
    rest.trim_start()
        .strip_prefix('=')
        .is_some_and(|d| d.trim_start().starts_with("hex"))
}

/// Splits a value line into its name and what follows the name.
fn split_name(line: &str, n: usize) -> Result<(String, &str), ParseError> {
    if let Some(rest) = line.strip_prefix('@') {
        return Ok((String::new(), rest));
    }
    let Some(rest) = line.strip_prefix('"') else {
        return error(n, "a value line must begin with \"name\" or @");
    };
    let (name, used) = unquote(rest, n, true)?;
    Ok((name, &rest[used..]))
}

/// Reads a quoted string's body (after the opening quote) up to its closing quote: the text
/// and how many bytes of `s` it took, the quote included. `names` takes the `\xHH` escapes
/// of value names.
fn unquote(s: &str, n: usize, names: bool) -> Result<(String, usize), ParseError> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, i + 1)),
            '\\' => match chars.next() {
                Some((_, 'x')) if names => {
                    let hex: String = chars.by_ref().take(2).map(|(_, c)| c).collect();
                    match u8::from_str_radix(&hex, 16) {
                        Ok(b) if hex.len() == 2 => out.push(char::from(b)),
                        _ => return error(n, "\\x must be followed by two hex digits"),
                    }
                }
                Some((_, c)) => out.push(c),
                None => return error(n, "a string ends in a lone backslash"),
            },
            c => out.push(c),
        }
    }
    error(n, "a string without its closing quote")
}

fn parse_value_line(
    line: &str,
    n: usize,
    encoding: Encoding,
    unicode_hex: bool,
) -> Result<RegValue, ParseError> {
    let (name, rest) = split_name(line, n)?;
    let Some(data) = rest.trim_start().strip_prefix('=') else {
        return error(n, "expected = after the value name");
    };
    let data = data.trim();
    if data == "-" {
        return Ok(RegValue::Delete(name));
    }
    if let Some(body) = data.strip_prefix('"') {
        let (text, used) = unquote(body, n, false)?;
        if !body[used..].trim().is_empty() {
            return error(n, "text after a string's closing quote");
        }
        return Ok(RegValue::Set(Value::string(&name, &text)));
    }
    if let Some(hex) = data.strip_prefix("dword:") {
        let hex = hex.trim();
        if hex.is_empty() || hex.len() > 8 {
            return error(n, "dword: needs 1 to 8 hex digits");
        }
        let v = u32::from_str_radix(hex, 16).or_else(|_| error(n, "dword: needs hex digits"))?;
        return Ok(RegValue::Set(Value::dword(&name, v)));
    }
    let (kind, list) = if let Some(list) = data.strip_prefix("hex:") {
        (REG_BINARY, list)
    } else if let Some(rest) = data.strip_prefix("hex(") {
        let Some((kind, list)) = rest.split_once("):") else {
            return error(n, "hex( needs its type and ):");
        };
        let kind = u32::from_str_radix(kind.trim(), 16)
            .or_else(|_| error(n, "hex(type): the type must be hex digits"))?;
        (kind, list)
    } else {
        return error(n, "the data must be \"string\", dword:, hex: or hex(type):");
    };
    let bytes = hex_bytes(list, n)?;
    let data = if is_string_type(kind) && !unicode_hex {
        // REGEDIT4: the text's bytes in the file's code page, NULs included.
        let text = match encoding {
            Encoding::Utf8 => String::from_utf8(bytes)
                .or_else(|_| error(n, "hex string data that is not UTF-8"))?,
            Encoding::Ansi | Encoding::Utf16 => decode_cp1252(&bytes),
        };
        text.encode_utf16().flat_map(u16::to_le_bytes).collect()
    } else {
        bytes
    };
    Ok(RegValue::Set(Value { name, kind, data }))
}

fn hex_bytes(list: &str, n: usize) -> Result<Vec<u8>, ParseError> {
    let list = list.trim();
    if list.is_empty() {
        return Ok(Vec::new());
    }
    list.split(',')
        .map(|b| {
            let b = b.trim();
            if b.is_empty() || b.len() > 2 {
                return error(n, format!("{b:?} is not a hex byte"));
            }
            u8::from_str_radix(b, 16).or_else(|_| error(n, format!("{b:?} is not a hex byte")))
        })
        .collect()
}

/// Writes .reg files: REGEDIT4 text in Windows-1252, or UTF-8 with a byte-order mark when
/// some text needs characters that code page lacks.
pub struct RegWriter {
    utf8: bool,
    out: String,
}

/// A key of a file being written: its full path and its values.
pub type Section<'a> = (String, &'a [Value]);

/// Text a string value holds when its data is well-formed UTF-16 (an even length, no
/// unpaired surrogate).
fn value_text(v: &Value) -> Option<String> {
    if !v.data.len().is_multiple_of(2) {
        return None;
    }
    String::from_utf16(&utf16_units(&v.data)).ok()
}

fn fits_ansi(text: &str) -> bool {
    text.chars().all(|c| cp1252_byte(c).is_some())
}

impl RegWriter {
    /// Writes `sections` (full key path and values, in order) as a .reg file.
    pub fn write(sections: &[Section<'_>]) -> Vec<u8> {
        let utf8 = sections.iter().any(|(path, values)| {
            !fits_ansi(path)
                || values.iter().any(|v| {
                    !fits_ansi(&v.name)
                        || (is_string_type(v.kind) && value_text(v).is_some_and(|t| !fits_ansi(&t)))
                })
        });
        let mut w = RegWriter {
            utf8,
            out: String::new(),
        };
        w.out.push_str(HEADER);
        w.out.push_str("\r\n");
        for (path, values) in sections {
            w.out.push_str("\r\n[");
            w.out.push_str(path);
            w.out.push_str("]\r\n");
            for v in values.iter() {
                w.value(v);
            }
        }
        w.out.push_str("\r\n");
        if w.utf8 {
            let mut bytes = vec![0xEF, 0xBB, 0xBF];
            bytes.extend_from_slice(w.out.as_bytes());
            bytes
        } else {
            // Every character was checked to have its byte.
            encode_cp1252(&w.out).unwrap_or_else(|| w.out.into_bytes())
        }
    }

    fn name(&mut self, name: &str) {
        if name.is_empty() {
            self.out.push('@');
            return;
        }
        self.out.push('"');
        for c in name.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                c if (c as u32) < 0x20 => self.out.push_str(&format!("\\x{:02x}", c as u32)),
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }

    fn value(&mut self, v: &Value) {
        let text = if is_string_type(v.kind) {
            value_text(v)
        } else {
            None
        };
        if v.kind == REG_SZ
            && let Some(t) = &text
            && let Some(body) = t.strip_suffix('\0')
            && !body
                .chars()
                .any(|c| c == '\0' || ((c as u32) < 0x20 && c != '\t'))
        {
            self.name(&v.name);
            self.out.push_str("=\"");
            for c in body.chars() {
                match c {
                    '"' => self.out.push_str("\\\""),
                    '\\' => self.out.push_str("\\\\"),
                    c => self.out.push(c),
                }
            }
            self.out.push_str("\"\r\n");
            return;
        }
        if v.kind == REG_DWORD && v.data.len() == 4 {
            self.name(&v.name);
            let d = u32::from_le_bytes([v.data[0], v.data[1], v.data[2], v.data[3]]);
            self.out.push_str(&format!("=dword:{d:08x}\r\n"));
            return;
        }
        let encoded = text.and_then(|t| {
            if self.utf8 {
                Some(t.into_bytes())
            } else {
                encode_cp1252(&t)
            }
        });
        let (bytes, raw) = match encoded {
            Some(b) => (b, false),
            None => (v.data.clone(), is_string_type(v.kind)),
        };
        if raw {
            self.out.push_str(RAW_MARK);
            self.out.push_str("\r\n");
        }
        let start = self.out.len();
        self.name(&v.name);
        if v.kind == REG_BINARY {
            self.out.push_str("=hex:");
        } else {
            self.out.push_str(&format!("=hex({:x}):", v.kind));
        }
        // Lines of at most 80 columns, continued with a backslash, as regedit wraps them.
        let mut column = self.out.len() - start;
        for (i, b) in bytes.iter().enumerate() {
            if column > 76 {
                self.out.push_str("\\\r\n  ");
                column = 2;
            }
            self.out.push_str(&format!("{b:02x}"));
            column += 2;
            if i + 1 < bytes.len() {
                self.out.push(',');
                column += 1;
            }
        }
        self.out.push_str("\r\n");
    }
}

/// Every string type, for the writer's checks and tests.
pub const STRING_TYPES: [u32; 3] = [REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{REG_DWORD_BIG_ENDIAN, REG_LINK, REG_NONE, utf16_z};

    fn round_trip(values: Vec<Value>) -> Vec<Value> {
        let bytes = RegWriter::write(&[("HKEY_CURRENT_USER\\T".to_string(), &values)]);
        let file = parse(&bytes).expect("parses");
        assert_eq!(file.sections.len(), 1);
        file.sections[0]
            .values
            .iter()
            .map(|v| match v {
                RegValue::Set(v) => v.clone(),
                RegValue::Delete(n) => panic!("delete {n}"),
            })
            .collect()
    }

    #[test]
    fn every_kind_of_value_survives_writing_and_reading() {
        let mut odd = utf16_z("odd");
        odd.push(7);
        let surrogate = vec![0x00, 0xD8, 0x41, 0x00, 0, 0];
        let values = vec![
            Value::string("", "default"),
            Value::string("quote\"back\\slash", "a \"b\" \\c\\"),
            Value::string("tab", "a\tb"),
            Value::string("line", "two\r\nlines"),
            Value {
                name: "unterminated".into(),
                kind: REG_SZ,
                data: "abc".encode_utf16().flat_map(u16::to_le_bytes).collect(),
            },
            Value::string("empty", ""),
            Value {
                name: "zero bytes".into(),
                kind: REG_SZ,
                data: vec![],
            },
            Value::expand_string("exp", "%SystemRoot%\\x"),
            Value {
                name: "multi".into(),
                kind: REG_MULTI_SZ,
                data: [utf16_z("a"), utf16_z("bc"), vec![0, 0]].concat(),
            },
            Value::dword("dw", 0xDEAD_BEEF),
            Value {
                name: "short dword".into(),
                kind: REG_DWORD,
                data: vec![1, 2],
            },
            Value {
                name: "big".into(),
                kind: REG_DWORD_BIG_ENDIAN,
                data: vec![0, 0, 1, 2],
            },
            Value {
                name: "bin".into(),
                kind: REG_BINARY,
                data: (0..=255).collect(),
            },
            Value {
                name: "none".into(),
                kind: REG_NONE,
                data: vec![],
            },
            Value {
                name: "link".into(),
                kind: REG_LINK,
                data: "\\Registry\\Machine"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes)
                    .collect(),
            },
            Value {
                name: "odd".into(),
                kind: REG_SZ,
                data: odd,
            },
            Value {
                name: "surrogate".into(),
                kind: REG_EXPAND_SZ,
                data: surrogate,
            },
            Value {
                name: "type 0x12345".into(),
                kind: 0x12345,
                data: vec![9],
            },
            Value::string("ctl\n\x01name", "€uro"),
        ];
        assert_eq!(round_trip(values.clone()), values);
    }

    #[test]
    fn text_outside_cp1252_makes_a_utf8_file() {
        let values = vec![Value::string("ключ", "значение")];
        let bytes = RegWriter::write(&[("HKEY_CURRENT_USER\\Ω".to_string(), &values)]);
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let file = parse(&bytes).expect("parses");
        assert_eq!(file.sections[0].path, "HKEY_CURRENT_USER\\Ω");
        assert_eq!(round_trip(values.clone()), values);
        // Without such text, the file is plain Windows-1252.
        let bytes = RegWriter::write(&[("HKEY_CURRENT_USER\\é".to_string(), &[])]);
        assert!(bytes.starts_with(b"REGEDIT4\r\n"));
        assert!(bytes.contains(&0xE9));
    }

    #[test]
    fn regedit_files_parse() {
        let text = "REGEDIT4\r\n\r\n; a comment\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Test]\r\n\
                    @=\"d\"\r\n\"Bin\"=hex:01,02,\\\r\n  03\r\n\"Exp\"=hex(2):41,00\r\n\"Gone\"=-\r\n\
                    [-HKEY_LOCAL_MACHINE\\SOFTWARE\\Old]\r\n";
        let file = parse(text.as_bytes()).expect("parses");
        assert_eq!(file.sections.len(), 2);
        let s = &file.sections[0];
        assert_eq!(s.values[0], RegValue::Set(Value::string("", "d")));
        assert_eq!(
            s.values[1],
            RegValue::Set(Value {
                name: "Bin".into(),
                kind: REG_BINARY,
                data: vec![1, 2, 3]
            })
        );
        assert_eq!(s.values[2], RegValue::Set(Value::expand_string("Exp", "A")));
        assert_eq!(s.values[3], RegValue::Delete("Gone".into()));
        assert!(file.sections[1].delete);
    }

    #[test]
    fn regedit5_unicode_files_parse() {
        let text = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\X]\r\n\"E\"=hex(2):41,00,00,00\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let file = parse(&bytes).expect("parses");
        assert_eq!(
            file.sections[0].values[0],
            RegValue::Set(Value::expand_string("E", "A"))
        );
    }

    #[test]
    fn malformed_files_name_the_line() {
        let cases: [(&str, usize); 7] = [
            ("", 1),
            ("hello\r\n", 1),
            ("REGEDIT4\r\n\"a\"=\"b\"\r\n", 2),
            ("REGEDIT4\r\n[HKEY_CURRENT_USER\\X\r\n", 2),
            (
                "REGEDIT4\r\n[HKEY_CURRENT_USER\\X]\r\n\"a\"=dword:123456789\r\n",
                3,
            ),
            ("REGEDIT4\r\n[HKEY_CURRENT_USER\\X]\r\n\"a\"=hex:1g\r\n", 3),
            ("REGEDIT4\r\n[HKEY_CURRENT_USER\\X]\r\n\r\n\"a=\"b\"\r\n", 4),
        ];
        for (text, line) in cases {
            let e = parse(text.as_bytes()).expect_err(text);
            assert_eq!(e.line, line, "{text:?}: {e}");
        }
    }
}
