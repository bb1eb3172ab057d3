//! The version-information block (the data of an RT_VERSION resource): a tree of nodes,
//! each a header, a key, a value and children, every part aligned to 4 bytes from the
//! block's start.
//!
//! The Unicode form (what 32-bit resource compilers write) has the header
//! `wLength, wValueLength, wType`, a UTF-16 key, and a value that is `wValueLength`
//! characters when `wType` is 1 (text) or `wValueLength` bytes when it is 0 (binary). The
//! ANSI form (16-bit files, and the copy VerQueryValueA answers from) has the header
//! `wLength, wValueLength`, an ANSI key, and a value of `wValueLength` bytes.
//!
//! Parsing never trusts the lengths: a node that runs past its parent or the block, a key
//! without its NUL, a value past the node, all give [`Malformed`].

use win32::codepage::CodePage;

/// The block is not a well-formed version-information tree.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Malformed;

/// Which layout a block has.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Form {
    /// 32-bit: UTF-16 keys, a `wType` field.
    Wide,
    /// 16-bit (and VerQueryValueA's copy): ANSI keys, no `wType`.
    Ansi,
}

impl Form {
    /// The form of the block `bytes` starts: ANSI when the key begins right after a
    /// 4-byte header (its first letter where a Unicode block's `wType` is).
    pub fn of(bytes: &[u8]) -> Form {
        match bytes.get(4) {
            Some(&b) if b.is_ascii_alphabetic() => Form::Ansi,
            _ => Form::Wide,
        }
    }
}

/// One node of the tree: offsets are from the block's start.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Node {
    /// Its key.
    pub key: String,
    /// Where its value starts.
    pub value_at: usize,
    /// Its value's size in bytes (within the node).
    pub value_bytes: usize,
    /// `wValueLength` as stored (characters for a Unicode text value, else bytes).
    pub value_length: u16,
    /// True for a text value (`wType` 1; never in the ANSI form).
    pub text: bool,
    /// Its children.
    pub children: Vec<Node>,
}

fn word(b: &[u8], at: usize) -> Result<u16, Malformed> {
    let s = b
        .get(at..at.checked_add(2).ok_or(Malformed)?)
        .ok_or(Malformed)?;
    Ok(u16::from_le_bytes([s[0], s[1]]))
}

fn align4(n: usize) -> usize {
    (n + 3) & !3
}

/// The deepest a tree may nest (real blocks are 4 deep).
const MAX_DEPTH: usize = 16;

/// Parses the tree of `bytes` (the block, which starts at offset 0 and is 4-aligned).
pub fn parse(bytes: &[u8], form: Form) -> Result<Node, Malformed> {
    let length = usize::from(word(bytes, 0)?);
    if length > bytes.len() {
        return Err(Malformed);
    }
    node(bytes, 0, length, form, 0)
}

fn node(
    b: &[u8],
    at: usize,
    end_limit: usize,
    form: Form,
    depth: usize,
) -> Result<Node, Malformed> {
    if depth > MAX_DEPTH {
        return Err(Malformed);
    }
    let length = usize::from(word(b, at)?);
    let end = at.checked_add(length).ok_or(Malformed)?;
    let header = match form {
        Form::Wide => 6,
        Form::Ansi => 4,
    };
    if length < header || end > end_limit {
        return Err(Malformed);
    }
    let value_length = word(b, at + 2)?;
    let text = form == Form::Wide && word(b, at + 4)? == 1;
    let mut p = at + header;
    let key = match form {
        Form::Wide => {
            let mut units = Vec::new();
            loop {
                if p + 2 > end {
                    return Err(Malformed);
                }
                let u = word(b, p)?;
                p += 2;
                if u == 0 {
                    break;
                }
                units.push(u);
            }
            String::from_utf16_lossy(&units)
        }
        Form::Ansi => {
            let rest = b.get(p..end).ok_or(Malformed)?;
            let n = rest.iter().position(|&c| c == 0).ok_or(Malformed)?;
            let key = CodePage::Ansi.decode_str(&rest[..n]);
            p += n + 1;
            key
        }
    };
    let value_at = align4(p).min(end);
    let value_bytes = if text {
        usize::from(value_length) * 2
    } else {
        usize::from(value_length)
    };
    // Some compilers count a text value's bytes, not characters: never past the node.
    let value_bytes = value_bytes.min(end - value_at);
    let mut children = Vec::new();
    let mut c = align4(value_at + value_bytes);
    while c + header <= end {
        let child = node(b, c, end, form, depth + 1)?;
        let child_length = usize::from(word(b, c)?);
        children.push(child);
        c = align4(c + child_length);
    }
    Ok(Node {
        key,
        value_at,
        value_bytes,
        value_length,
        text,
        children,
    })
}

impl Node {
    /// The node a VerQueryValue path names: components separated by backslashes, empty
    /// ones skipped, keys compared without regard to case; `\` is the root.
    pub fn find(&self, path: &str) -> Option<&Node> {
        let mut at = self;
        for part in path.split('\\').filter(|p| !p.is_empty()) {
            at = at.children.iter().find(|c| {
                c.key
                    .chars()
                    .flat_map(char::to_uppercase)
                    .eq(part.chars().flat_map(char::to_uppercase))
            })?;
        }
        Some(at)
    }
}

/// The ANSI form of a Unicode tree read from `bytes`: keys and text values converted to
/// code page 1252, binary values copied; `wValueLength` of a text value is its size in
/// bytes with the NUL.
pub fn to_ansi(bytes: &[u8], root: &Node) -> Result<Vec<u8>, Malformed> {
    let mut out = Vec::new();
    write_ansi(bytes, root, &mut out)?;
    Ok(out)
}

fn write_ansi(bytes: &[u8], n: &Node, out: &mut Vec<u8>) -> Result<(), Malformed> {
    let start = out.len();
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend(CodePage::Ansi.encode_str(&n.key));
    out.push(0);
    out.resize(align4(out.len() - start) + start, 0);
    let value = bytes
        .get(n.value_at..n.value_at + n.value_bytes)
        .ok_or(Malformed)?;
    let value_length = if n.text {
        let units: Vec<u16> = value
            .chunks_exact(2)
            .map(|p| u16::from_le_bytes([p[0], p[1]]))
            .take_while(|&u| u != 0)
            .collect();
        let mut text = CodePage::Ansi.encode_str(&String::from_utf16_lossy(&units));
        text.push(0);
        out.extend_from_slice(&text);
        text.len()
    } else {
        out.extend_from_slice(value);
        value.len()
    };
    for child in &n.children {
        out.resize(align4(out.len() - start) + start, 0);
        write_ansi(bytes, child, out)?;
    }
    let length = u16::try_from(out.len() - start).map_err(|_| Malformed)?;
    let value_length = u16::try_from(value_length).map_err(|_| Malformed)?;
    out[start..start + 2].copy_from_slice(&length.to_le_bytes());
    out[start + 2..start + 4].copy_from_slice(&value_length.to_le_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wide_node(key: &str, text: Option<&str>, binary: &[u8], children: &[Vec<u8>]) -> Vec<u8> {
        let mut out = vec![0u8; 6];
        out.extend(key.encode_utf16().chain([0]).flat_map(u16::to_le_bytes));
        out.resize(align4(out.len()), 0);
        let (len, kind) = match text {
            Some(t) => {
                out.extend(t.encode_utf16().chain([0]).flat_map(u16::to_le_bytes));
                (t.encode_utf16().count() + 1, 1u16)
            }
            None => {
                out.extend_from_slice(binary);
                (binary.len(), 0)
            }
        };
        for c in children {
            out.resize(align4(out.len()), 0);
            out.extend_from_slice(c);
        }
        let total = out.len() as u16;
        out[0..2].copy_from_slice(&total.to_le_bytes());
        out[2..4].copy_from_slice(&(len as u16).to_le_bytes());
        out[4..6].copy_from_slice(&kind.to_le_bytes());
        out
    }

    fn sample() -> Vec<u8> {
        let version = wide_node("FileVersion", Some("1.2.3.4"), &[], &[]);
        let table = wide_node("040904B0", None, &[], &[version]);
        let strings = wide_node("StringFileInfo", None, &[], &[table]);
        let translation = wide_node("Translation", None, &[9, 4, 0xB0, 4], &[]);
        let var = wide_node("VarFileInfo", None, &[], &[translation]);
        wide_node(
            "VS_VERSION_INFO",
            None,
            &[0xBD, 0x04, 0xEF, 0xFE],
            &[strings, var],
        )
    }

    #[test]
    fn finds_values_by_path_without_regard_to_case() {
        let b = sample();
        let root = parse(&b, Form::Wide).unwrap();
        assert_eq!(root.key, "VS_VERSION_INFO");
        assert_eq!(root.find("\\").unwrap().value_bytes, 4);
        let v = root
            .find("\\stringfileinfo\\040904b0\\FILEVERSION")
            .unwrap();
        assert!(v.text);
        assert_eq!(v.value_length, 8);
        let t = root.find("\\VarFileInfo\\Translation").unwrap();
        assert_eq!(&b[t.value_at..t.value_at + 4], &[9, 4, 0xB0, 4]);
        assert!(root.find("\\VarFileInfo\\Nothing").is_none());
    }

    #[test]
    fn the_ansi_copy_answers_the_same_paths() {
        let b = sample();
        let root = parse(&b, Form::Wide).unwrap();
        let a = to_ansi(&b, &root).unwrap();
        assert_eq!(Form::of(&a), Form::Ansi);
        let ansi = parse(&a, Form::Ansi).unwrap();
        let v = ansi
            .find("\\StringFileInfo\\040904B0\\FileVersion")
            .unwrap();
        assert_eq!(&a[v.value_at..v.value_at + v.value_bytes], b"1.2.3.4\0");
        let t = ansi.find("\\VarFileInfo\\Translation").unwrap();
        assert_eq!(&a[t.value_at..t.value_at + 4], &[9, 4, 0xB0, 4]);
        assert!(a.len() < b.len());
    }

    #[test]
    fn truncated_or_overlong_blocks_are_errors_not_panics() {
        let b = sample();
        for cut in 0..b.len() {
            let mut t = b[..cut].to_vec();
            let _ = parse(&t, Form::Wide);
            let _ = parse(&t, Form::Ansi);
            t.resize(b.len(), 0xFF);
            let _ = parse(&t, Form::Wide);
        }
        let mut bad = b.clone();
        bad[0..2].copy_from_slice(&0xFFFFu16.to_le_bytes());
        assert_eq!(parse(&bad, Form::Wide), Err(Malformed));
        // A child claiming more than its parent holds.
        let mut bad = b.clone();
        let child = 44;
        bad[child..child + 2].copy_from_slice(&0x4000u16.to_le_bytes());
        assert_eq!(parse(&bad, Form::Wide), Err(Malformed));
    }
}
