//! Registry values: their types, their data as NT stores it (strings in UTF-16LE), and the
//! name rules (case-insensitive, compared as NT's RtlUpcaseUnicodeChar compares them).

/// REG_NONE: no defined type.
pub const REG_NONE: u32 = 0;
/// REG_SZ: a NUL-terminated string.
pub const REG_SZ: u32 = 1;
/// REG_EXPAND_SZ: a string with %VARIABLE% references.
pub const REG_EXPAND_SZ: u32 = 2;
/// REG_BINARY: bytes.
pub const REG_BINARY: u32 = 3;
/// REG_DWORD: a little-endian 32-bit number.
pub const REG_DWORD: u32 = 4;
/// REG_DWORD_BIG_ENDIAN: a big-endian 32-bit number.
pub const REG_DWORD_BIG_ENDIAN: u32 = 5;
/// REG_LINK: a symbolic link's target (a Unicode path, not terminated).
pub const REG_LINK: u32 = 6;
/// REG_MULTI_SZ: NUL-terminated strings followed by one more NUL.
pub const REG_MULTI_SZ: u32 = 7;
/// REG_RESOURCE_LIST: a hardware resource list.
pub const REG_RESOURCE_LIST: u32 = 8;
/// REG_FULL_RESOURCE_DESCRIPTOR.
pub const REG_FULL_RESOURCE_DESCRIPTOR: u32 = 9;
/// REG_RESOURCE_REQUIREMENTS_LIST.
pub const REG_RESOURCE_REQUIREMENTS_LIST: u32 = 10;

/// The longest key name component, in characters (NT's limit).
pub const MAX_KEY_NAME: usize = 255;
/// The longest value name, in characters.
pub const MAX_VALUE_NAME: usize = 16_383;
/// The largest value data, in bytes. NT 4.0 keeps values in paged pool; a megabyte is far
/// beyond what it advised ("values over 2 KB belong in files") and keeps a guest from
/// filling the host's memory through one value.
pub const MAX_VALUE_DATA: usize = 1 << 20;

/// The name of a registry value type, as regedit and reg.exe spell it.
pub fn type_name(kind: u32) -> Option<&'static str> {
    Some(match kind {
        REG_NONE => "REG_NONE",
        REG_SZ => "REG_SZ",
        REG_EXPAND_SZ => "REG_EXPAND_SZ",
        REG_BINARY => "REG_BINARY",
        REG_DWORD => "REG_DWORD",
        REG_DWORD_BIG_ENDIAN => "REG_DWORD_BIG_ENDIAN",
        REG_LINK => "REG_LINK",
        REG_MULTI_SZ => "REG_MULTI_SZ",
        REG_RESOURCE_LIST => "REG_RESOURCE_LIST",
        REG_FULL_RESOURCE_DESCRIPTOR => "REG_FULL_RESOURCE_DESCRIPTOR",
        REG_RESOURCE_REQUIREMENTS_LIST => "REG_RESOURCE_REQUIREMENTS_LIST",
        _ => return None,
    })
}

/// The value type a name (`REG_SZ`, ...) stands for.
pub fn type_from_name(name: &str) -> Option<u32> {
    (0..=REG_RESOURCE_REQUIREMENTS_LIST)
        .find(|&k| type_name(k).is_some_and(|n| n.eq_ignore_ascii_case(name)))
}

/// True for the types whose data is text (and which the ANSI functions convert).
pub fn is_string_type(kind: u32) -> bool {
    matches!(kind, REG_SZ | REG_EXPAND_SZ | REG_MULTI_SZ)
}

/// One value of a key: its name (empty for the key's default value), type and data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value {
    /// The name, as it was first set.
    pub name: String,
    /// The type (REG_*), any 32-bit number.
    pub kind: u32,
    /// The data as stored: strings in UTF-16LE.
    pub data: Vec<u8>,
}

impl Value {
    /// A REG_SZ value holding `text` (NUL-terminated UTF-16LE).
    pub fn string(name: &str, text: &str) -> Value {
        Value {
            name: name.to_string(),
            kind: REG_SZ,
            data: utf16_z(text),
        }
    }

    /// A REG_EXPAND_SZ value holding `text`.
    pub fn expand_string(name: &str, text: &str) -> Value {
        Value {
            name: name.to_string(),
            kind: REG_EXPAND_SZ,
            data: utf16_z(text),
        }
    }

    /// A REG_DWORD value.
    pub fn dword(name: &str, value: u32) -> Value {
        Value {
            name: name.to_string(),
            kind: REG_DWORD,
            data: value.to_le_bytes().to_vec(),
        }
    }

    /// The data as a string, for the string types: UTF-16LE up to the first NUL (or the
    /// end), unpaired surrogates as U+FFFD.
    pub fn text(&self) -> Option<String> {
        is_string_type(self.kind).then(|| {
            let units = utf16_units(&self.data);
            let end = units.iter().position(|&u| u == 0).unwrap_or(units.len());
            String::from_utf16_lossy(&units[..end])
        })
    }

    /// The data as a DWORD, for REG_DWORD (and REG_DWORD_BIG_ENDIAN) data of 4 bytes.
    pub fn as_dword(&self) -> Option<u32> {
        let bytes: [u8; 4] = self.data.as_slice().try_into().ok()?;
        match self.kind {
            REG_DWORD => Some(u32::from_le_bytes(bytes)),
            REG_DWORD_BIG_ENDIAN => Some(u32::from_be_bytes(bytes)),
            _ => None,
        }
    }
}

/// `text` in UTF-16LE with a terminating NUL.
pub fn utf16_z(text: &str) -> Vec<u8> {
    let mut out: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    out.extend_from_slice(&[0, 0]);
    out
}

/// The UTF-16 units of little-endian bytes (an odd last byte is dropped).
pub fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .collect()
}

/// A character upcased as NT's RtlUpcaseUnicodeChar does: one character for one (a
/// character whose upper case is longer, like `ß`, stays as it is).
pub fn upcase_char(c: char) -> char {
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// A name upcased for comparing, as NT compares key and value names.
pub fn upcase(name: &str) -> String {
    if name.is_ascii() {
        return name.to_ascii_uppercase();
    }
    name.chars().map(upcase_char).collect()
}

/// True when two names are the same for the registry (without regard to case).
pub fn same_name(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars().map(upcase_char).eq(b.chars().map(upcase_char))
}

/// How long a name is in UTF-16 units (the registry's character count).
pub fn wide_len(name: &str) -> usize {
    name.encode_utf16().count()
}

/// Windows-1252, the ANSI code page of the US and Western European NT 4.0 and of REGEDIT4
/// files: the characters of bytes 0x80-0x9F (0 where the code page has none; the rest map to
/// the same code point).
const CP1252_HIGH: [u16; 32] = [
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
    0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
];

/// The Windows-1252 byte of a character, if it has one.
pub fn cp1252_byte(c: char) -> Option<u8> {
    let u = c as u32;
    if u < 0x80 || (0xA0..=0xFF).contains(&u) {
        return Some(u as u8);
    }
    CP1252_HIGH
        .iter()
        .position(|&h| h != 0 && u32::from(h) == u)
        .map(|i| 0x80 + i as u8)
}

/// The character of a Windows-1252 byte (an undefined byte maps to the same code point, as
/// NT's table does).
pub fn cp1252_char(b: u8) -> char {
    if (0x80..0xA0).contains(&b) {
        let h = CP1252_HIGH[usize::from(b - 0x80)];
        if h != 0 {
            return char::from_u32(u32::from(h)).unwrap_or('?');
        }
    }
    char::from(b)
}

/// Decodes Windows-1252 bytes.
pub fn decode_cp1252(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| cp1252_char(b)).collect()
}

/// Encodes text in Windows-1252; None when a character has no byte.
pub fn encode_cp1252(text: &str) -> Option<Vec<u8>> {
    text.chars().map(cp1252_byte).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_without_case() {
        assert!(same_name("Software", "SOFTWARE"));
        assert!(same_name("äbc", "ÄBC"));
        assert!(!same_name("abc", "abd"));
        assert_eq!(upcase("straße"), "STRAßE");
    }

    #[test]
    fn cp1252_round_trips_its_characters() {
        for b in 0u8..=255 {
            let c = cp1252_char(b);
            if let Some(back) = cp1252_byte(c) {
                assert_eq!(back, b, "{b:#x}");
            }
        }
        assert_eq!(cp1252_byte('€'), Some(0x80));
        assert_eq!(cp1252_byte('Ā'), None);
    }

    #[test]
    fn values_decode() {
        assert_eq!(Value::string("a", "xy").text().as_deref(), Some("xy"));
        assert_eq!(Value::dword("d", 7).as_dword(), Some(7));
        assert_eq!(type_from_name("reg_multi_sz"), Some(REG_MULTI_SZ));
    }
}
