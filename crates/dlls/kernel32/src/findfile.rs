//! Directory searches as NT makes them: FindFirstFile's pattern turned into the file
//! system's expression (KERNEL32's translation to DOS wildcards), matched against each
//! entry's long and 8.3 short name with the file system runtime's expression rules
//! (FsRtlIsNameInExpression), entries in NTFS's order, DOS devices found as themselves.
//!
//! Short names: a drive's host directory keeps no 8.3 names, so ntemu gives each name that
//! is not a legal 8.3 name the alias NTFS would generate for it (RtlGenerate8dot3Name: six
//! characters of the base, `~N`, three of the extension; a checksum in place of a base of
//! two characters or less, and after four collisions). Aliases are assigned within a
//! directory in the order the files were created there (by host inode number, which grows
//! as files are made), so a name keeps its alias as long as no older file of the same
//! prefix appears. Searches match them, GetShortPathName gives them and CreateFile opens
//! by them ([`alias_target`]).

use std::collections::{HashSet, VecDeque};

use nt_status::Win32Error;
use win32::{AnsiStr, ApiCall, ApiReturn, Ptr, WideStr, export};

use super::file::{self, FoundEntry};
use super::path::{self, FullPath};
use crate::volume::{Located, Node, Volume};

/// DOS_STAR: `*` up to and including the last period.
const DOS_STAR: char = '<';
/// DOS_QM: any one character, or nothing at a period or the end.
const DOS_QM: char = '>';
/// DOS_DOT: a period, or nothing at the end.
const DOS_DOT: char = '"';

/// KERNEL32's translation of a FindFirstFile pattern (its last component, with the
/// trailing periods and spaces the full path dropped) into the file system's expression:
/// `*.*` is `*`; `?` is DOS_QM; a `.` before `?` or `*` is DOS_DOT; a `*` before `.` is
/// DOS_STAR; and when the name ended in a period, a final `*` is DOS_STAR. Upper-cased, as
/// the file system compares without case.
pub(crate) fn translate(pattern: &str, had_a_dot: bool) -> Vec<char> {
    let mut p: Vec<char> = pattern.chars().flat_map(char::to_uppercase).collect();
    if p == ['*', '.', '*'] {
        return vec!['*'];
    }
    for i in 0..p.len() {
        if i > 0 && p[i] == '.' && p[i - 1] == '*' {
            p[i - 1] = DOS_STAR;
        }
        if p[i] == '?' {
            p[i] = DOS_QM;
            if i > 0 && p[i - 1] == '.' {
                p[i - 1] = DOS_DOT;
            }
        } else if p[i] == '*' && i > 0 && p[i - 1] == '.' {
            p[i - 1] = DOS_DOT;
        }
    }
    if had_a_dot && p.last() == Some(&'*') {
        let last = p.len() - 1;
        p[last] = DOS_STAR;
    }
    p
}

/// True when the pattern holds a wildcard (`*`, `?`, or the DOS ones).
pub(crate) fn has_wildcards(pattern: &str) -> bool {
    pattern.contains(['*', '?', DOS_STAR, DOS_QM, DOS_DOT])
}

/// Whether `name` is in `expression` (upper case), by the file system runtime's rules
/// (FsRtlIsNameInExpression, without case): `*` any run; `?` one character; DOS_STAR any
/// run that may take the name's last period only as its final character; DOS_QM one
/// character, or nothing at a period or the end of the name; DOS_DOT a period, or nothing
/// at the end. As NT's matcher, reaching the end of the expression with a character left
/// still matches when that character is the name's last.
pub(crate) fn name_in_expression(expression: &[char], name: &str) -> bool {
    let name: Vec<char> = name.chars().flat_map(char::to_uppercase).collect();
    let end = expression.len();
    // States are expression positions; `end` is the accepting state.
    let mut current: Vec<usize> = vec![0];
    let mut i = 0;
    loop {
        let finished = i >= name.len();
        if finished && current.contains(&end) {
            return true;
        }
        let c = name.get(i).copied().unwrap_or('\0');
        let can_eat_a_dot = !finished && c == '.' && name[i + 1..].contains(&'.');
        let mut next: Vec<usize> = Vec::new();
        let add = |s: usize, next: &mut Vec<usize>| {
            if !next.contains(&s) {
                next.push(s);
            }
        };
        for &start in &current {
            if start == end {
                continue;
            }
            let mut p = start;
            loop {
                if p == end {
                    if p != start {
                        add(end, &mut next);
                    }
                    break;
                }
                let e = expression[p];
                if e == '*' {
                    add(p, &mut next);
                    add(p + 1, &mut next);
                    p += 1;
                    continue;
                }
                if e == DOS_STAR {
                    if finished || c != '.' || can_eat_a_dot {
                        add(p, &mut next);
                    }
                    add(p + 1, &mut next);
                    p += 1;
                    continue;
                }
                if e == DOS_QM {
                    if finished || c == '.' {
                        p += 1;
                        continue;
                    }
                    add(p + 1, &mut next);
                    break;
                }
                if e == DOS_DOT {
                    if finished {
                        p += 1;
                        continue;
                    }
                    if c == '.' {
                        add(p + 1, &mut next);
                        break;
                    }
                }
                if finished {
                    break;
                }
                if e == '?' || e == c {
                    add(p + 1, &mut next);
                }
                break;
            }
        }
        if finished {
            return next.contains(&end);
        }
        if next.is_empty() {
            return false;
        }
        current = next;
        i += 1;
    }
}

/// The characters a short name may not hold, replaced by `_`.
fn short_illegal(c: char) -> bool {
    matches!(
        c,
        '"' | '*' | '+' | ',' | '/' | ':' | ';' | '<' | '=' | '>' | '?' | '[' | '\\' | ']' | '|'
    ) || (c as u32) < 0x20
}

/// RtlIsNameLegalDOS8Dot3: a name an 8.3 file system could store as it is (so it has no
/// separate short name): a base of 1-8 and an extension of 0-3 characters, one period at
/// most, no leading period (but `.` and `..`), no leading or trailing spaces, printable
/// ASCII without the characters 8.3 names refuse.
pub(crate) fn is_legal_8dot3(name: &str) -> bool {
    if name == "." || name == ".." {
        return true;
    }
    let b = name.as_bytes();
    if b.is_empty() || b.len() > 12 || b[0] == b'.' || !name.is_ascii() {
        return false;
    }
    let mut dot = None;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b' ' if i == 0 || i == b.len() - 1 || b.get(i + 1) == Some(&b'.') => return false,
            b' ' => {}
            b'.' => {
                if dot.is_some() {
                    return false;
                }
                dot = Some(i);
            }
            _ if short_illegal(char::from(c)) || c == 0x7F => return false,
            _ => {}
        }
    }
    match dot {
        None => b.len() <= 8,
        Some(d) => d <= 8 && b.len() - d <= 4 && d != b.len() - 1,
    }
}

/// RtlGenerate8dot3Name's checksum of a name (UTF-16 units).
fn checksum(name: &[u16]) -> u16 {
    match name.len() {
        0 => 0,
        1 => name[0],
        2 => (name[0] << 8).wrapping_add(name[1]),
        n => {
            let mut hash = (name[0] << 8).wrapping_add(name[1]);
            let mut saved = hash;
            let mut at = 2;
            while at < n {
                hash = (hash << 7).wrapping_add(name[at]);
                hash = (saved >> 1).wrapping_add(hash << 8);
                if at + 1 < n {
                    hash = hash.wrapping_add(name[at + 1]);
                }
                saved = hash;
                at += 2;
            }
            hash
        }
    }
}

/// The four hexadecimal digits of a checksum, low nibble first.
fn checksum_digits(sum: u16) -> String {
    (0..4)
        .map(|i| {
            let n = (sum >> (4 * i)) & 0xF;
            char::from_digit(u32::from(n), 16).map_or('0', |c| c.to_ascii_uppercase())
        })
        .collect()
}

/// One character of a generated short name: upper case, illegal ones as `_`; None for what
/// a short name leaves out (spaces, periods, and characters outside ASCII).
fn short_char(c: char) -> Option<char> {
    if c <= ' ' || c == '.' || (c as u32) >= 127 {
        return None;
    }
    Some(if short_illegal(c) {
        '_'
    } else {
        c.to_ascii_uppercase()
    })
}

/// The candidates RtlGenerate8dot3Name gives for `name`, in order (`~1`, `~2`, ...): the
/// first four from up to six characters of the base, later ones from two characters and a
/// checksum (as is every one for a base of two characters or less).
pub(crate) fn short_candidates(name: &str) -> impl Iterator<Item = String> {
    // Periods that start a name are left out of its short name.
    let trimmed = name.trim_start_matches('.');
    let source = if trimmed.is_empty() { name } else { trimmed };
    let chars: Vec<char> = source.chars().collect();
    let dot = chars.iter().rposition(|&c| c == '.').unwrap_or(chars.len());
    let base: String = chars[..dot]
        .iter()
        .filter_map(|&c| short_char(c))
        .take(6)
        .collect();
    let mut extension: String = chars[dot..]
        .iter()
        .filter_map(|&c| short_char(c))
        .take(3)
        .collect();
    if !extension.is_empty() {
        extension.insert(0, '.');
    }
    let units: Vec<u16> = source.encode_utf16().collect();
    let sum = checksum_digits(checksum(&units));
    let short_base = base.chars().count() <= 2;
    (1u32..).map(move |n| {
        let (stem, index) = if short_base {
            (format!("{base}{sum}"), n)
        } else if n <= 4 {
            (base.clone(), n)
        } else {
            (
                format!("{}{sum}", base.chars().take(2).collect::<String>()),
                n - 4,
            )
        };
        format!("{stem}~{index}{extension}")
    })
}

/// The short names of a directory's entries that need one: (long name, alias), assigned
/// in the order the files were made (host inode number), each the first candidate no other
/// entry's name or alias takes.
pub(crate) fn aliases(entries: &[(String, Node)]) -> Vec<(String, String)> {
    let mut taken: HashSet<String> = entries
        .iter()
        .filter(|(n, _)| is_legal_8dot3(n))
        .map(|(n, _)| n.to_ascii_uppercase())
        .collect();
    let mut need: Vec<&(String, Node)> =
        entries.iter().filter(|(n, _)| !is_legal_8dot3(n)).collect();
    need.sort_by_key(|(n, node)| (node.id.1, n.clone()));
    let mut out = Vec::with_capacity(need.len());
    for (name, _) in need {
        if let Some(alias) = short_candidates(name)
            .take(100_000)
            .find(|c| !taken.contains(c))
        {
            taken.insert(alias.clone());
            out.push((name.clone(), alias));
        }
    }
    out
}

/// The entry of directory `dir` whose short name is `alias` (case-insensitive): its host
/// name. None when no entry has it.
pub(crate) fn alias_target(volume: &Volume, dir: &Located, alias: &str) -> Option<String> {
    if !alias.contains('~') || !is_legal_8dot3(alias) {
        return None;
    }
    let entries = volume.list(dir).ok()?;
    let upper = alias.to_ascii_uppercase();
    aliases(&entries)
        .into_iter()
        .find(|(_, a)| *a == upper)
        .map(|(n, _)| n)
}

/// The short name of the entry `name` of directory `dir`: its alias, or the name itself
/// when it is a legal 8.3 name.
pub(crate) fn short_name_of(volume: &Volume, dir: &Located, name: &str) -> String {
    if is_legal_8dot3(name) {
        return name.to_string();
    }
    volume
        .list(dir)
        .ok()
        .and_then(|entries| aliases(&entries).into_iter().find(|(n, _)| n == name))
        .map_or_else(|| name.to_string(), |(_, a)| a)
}

/// NTFS's order of a directory's entries: by upper-cased name, UTF-16 unit by unit.
fn ntfs_order(a: &str, b: &str) -> std::cmp::Ordering {
    let up = |s: &str| -> Vec<u16> {
        s.chars()
            .flat_map(char::to_uppercase)
            .collect::<String>()
            .encode_utf16()
            .collect()
    };
    up(a).cmp(&up(b))
}

/// The entries a FindFirstFile name finds: a DOS device as itself (when the directory it
/// is named in exists), else the directory's entries whose long or short name is in the
/// pattern's expression (`.` and `..` outside the root when the expression takes `.`), in
/// NTFS's order. ERROR_PATH_NOT_FOUND when the directory does not exist,
/// ERROR_FILE_NOT_FOUND when nothing matches (or there is no pattern).
pub(crate) fn search(
    call: &ApiCall<'_>,
    name: &str,
    directories_only: bool,
) -> Result<VecDeque<FoundEntry>, Win32Error> {
    let split = name.rfind(['\\', '/']).map_or(0, |i| i + 1);
    let last = &name[split..];
    let last_without_drive = if split == 0 && last.as_bytes().get(1) == Some(&b':') {
        &last[2..]
    } else {
        last
    };
    if !has_wildcards(last_without_drive)
        && let Some(device) = path::device_component(last_without_drive)
    {
        // A device is found wherever it is named, if that directory exists.
        let dir = &name[..split];
        if !(dir.is_empty() || dir.len() <= 3 && dir.ends_with([':', '\\', '/'])) {
            match file::full(call, dir)? {
                FullPath::Drive {
                    drive, components, ..
                } => match file::locate(call, drive, &components)?.1.node {
                    Some(n) if n.is_dir() => {}
                    _ => return Err(Win32Error::PATH_NOT_FOUND),
                },
                _ => return Err(Win32Error::PATH_NOT_FOUND),
            }
        }
        return Ok(VecDeque::from([FoundEntry {
            name: device.to_string(),
            short: String::new(),
            node: None,
        }]));
    }
    let had_a_dot = name.ends_with('.');
    // The pattern is the last component as written, less the trailing periods and spaces
    // NT's full path drops (the DOS wildcards `<`, `>` and `"` stay); the directory part
    // is made full.
    let (dir_part, pattern) = match split_pattern(name) {
        Some((dir, pattern)) => (dir, Some(pattern)),
        None => (name.to_string(), None),
    };
    let FullPath::Drive {
        drive,
        mut components,
        trailing_separator,
    } = file::full(call, &dir_part)?
    else {
        return Err(Win32Error::FILE_NOT_FOUND);
    };
    let pattern = match pattern {
        Some(p) => Some(p),
        None if trailing_separator => None,
        None => components.pop(),
    };
    let (volume, dir) = file::locate(call, drive, &components).map_err(|e| match e {
        Win32Error::FILE_NOT_FOUND => Win32Error::PATH_NOT_FOUND,
        e => e,
    })?;
    let dir_node = match dir.node {
        Some(n) if n.is_dir() => n,
        _ => return Err(Win32Error::PATH_NOT_FOUND),
    };
    let Some(pattern) = pattern else {
        return Err(Win32Error::FILE_NOT_FOUND);
    };
    let expression = translate(&pattern, had_a_dot);
    let entries = volume.list(&dir)?;
    let shorts = aliases(&entries);
    let mut found: Vec<FoundEntry> = Vec::new();
    if !components.is_empty() && name_in_expression(&expression, ".") {
        for dots in [".", ".."] {
            found.push(FoundEntry {
                name: dots.to_string(),
                short: String::new(),
                node: Some(dir_node),
            });
        }
    }
    let mut matched: Vec<FoundEntry> = entries
        .into_iter()
        .filter(|(_, node)| !directories_only || node.is_dir())
        .filter_map(|(long, node)| {
            let short = shorts
                .iter()
                .find(|(n, _)| *n == long)
                .map(|(_, a)| a.clone())
                .unwrap_or_default();
            let hit = name_in_expression(&expression, &long)
                || (!short.is_empty() && name_in_expression(&expression, &short));
            hit.then_some(FoundEntry {
                name: long,
                short,
                node: Some(node),
            })
        })
        .collect();
    matched.sort_by(|a, b| ntfs_order(&a.name, &b.name));
    found.extend(matched);
    if found.is_empty() {
        return Err(Win32Error::FILE_NOT_FOUND);
    }
    Ok(found.into())
}

/// A search name split into its directory (to be made full: `.` for the current one) and
/// its pattern, when the last component is a pattern and not `.`, `..` or empty.
fn split_pattern(name: &str) -> Option<(String, String)> {
    let (dir, last) = match name.rfind(['\\', '/']) {
        Some(i) => (&name[..=i], &name[i + 1..]),
        None => {
            let b = name.as_bytes();
            if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
                (&name[..2], &name[2..])
            } else {
                ("", name)
            }
        }
    };
    let pattern = last.trim_end_matches(['.', ' ']);
    if pattern.is_empty() || last == "." || last == ".." {
        return None;
    }
    let dir = if dir.is_empty() { "." } else { dir };
    Some((dir.to_string(), pattern.to_string()))
}

/// FindExInfoStandard.
const FIND_EX_INFO_STANDARD: u32 = 0;
/// FindExSearchNameMatch.
const FIND_EX_SEARCH_NAME_MATCH: u32 = 0;
/// FindExSearchLimitToDirectories.
const FIND_EX_SEARCH_LIMIT_TO_DIRECTORIES: u32 = 1;
/// FindExSearchLimitToDevices.
const FIND_EX_SEARCH_LIMIT_TO_DEVICES: u32 = 2;
/// FIND_FIRST_EX_CASE_SENSITIVE.
const FIND_FIRST_EX_CASE_SENSITIVE: u32 = 1;

/// FindFirstFileEx's work: NT 4.0 knows the standard information level only, the name and
/// directory searches (the file system ignores the directory filter, so every match
/// comes), and the case-sensitive flag (ignored: ntemu's drives compare without case);
/// anything else is ERROR_INVALID_PARAMETER (ERROR_NOT_SUPPORTED for a device search).
#[allow(clippy::too_many_arguments)] // FindFirstFileEx's six, its spelling and the call
fn find_first_file_ex(
    call: &mut ApiCall<'_>,
    name: Option<&str>,
    level: u32,
    data: Ptr,
    search_op: u32,
    filter: Ptr,
    flags: u32,
    wide: bool,
) -> ApiReturn {
    if search_op == FIND_EX_SEARCH_LIMIT_TO_DEVICES {
        return call.fail_win32(Win32Error::NOT_SUPPORTED, super::INVALID_HANDLE_VALUE);
    }
    if level != FIND_EX_INFO_STANDARD
        || !matches!(
            search_op,
            FIND_EX_SEARCH_NAME_MATCH | FIND_EX_SEARCH_LIMIT_TO_DIRECTORIES
        )
        || flags & !FIND_FIRST_EX_CASE_SENSITIVE != 0
        || !filter.is_null()
    {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, super::INVALID_HANDLE_VALUE);
    }
    file::find_first_file(call, name, data, wide)
}

/// FindFirstFileExA(lpFileName, fInfoLevelId, lpFindFileData, fSearchOp, lpSearchFilter,
/// dwAdditionalFlags).
#[export(failure = 0xFFFF_FFFF)]
fn FindFirstFileExA(
    call: &mut ApiCall<'_>,
    lpFileName: Option<AnsiStr>,
    fInfoLevelId: u32,
    lpFindFileData: Ptr,
    fSearchOp: u32,
    lpSearchFilter: Ptr,
    dwAdditionalFlags: u32,
) -> ApiReturn {
    find_first_file_ex(
        call,
        lpFileName.as_deref(),
        fInfoLevelId,
        lpFindFileData,
        fSearchOp,
        lpSearchFilter,
        dwAdditionalFlags,
        false,
    )
}

/// FindFirstFileExW(lpFileName, fInfoLevelId, lpFindFileData, fSearchOp, lpSearchFilter,
/// dwAdditionalFlags).
#[export(failure = 0xFFFF_FFFF)]
fn FindFirstFileExW(
    call: &mut ApiCall<'_>,
    lpFileName: Option<WideStr>,
    fInfoLevelId: u32,
    lpFindFileData: Ptr,
    fSearchOp: u32,
    lpSearchFilter: Ptr,
    dwAdditionalFlags: u32,
) -> ApiReturn {
    find_first_file_ex(
        call,
        lpFileName.as_deref(),
        fInfoLevelId,
        lpFindFileData,
        fSearchOp,
        lpSearchFilter,
        dwAdditionalFlags,
        true,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names of the test directory of Wine's wildcard checks (a record of Windows'
    /// results), with the short names NTFS gives the ones that need one.
    const NAMES: [&str; 13] = [
        "..a", "..a.a", ".a", ".a..a", ".a.a", ".aaa", "a", "a..a", "a.a", "a.a.a", "aa", "aaa",
        "aaaa",
    ];

    fn found(pattern: &str) -> Vec<&'static str> {
        let had_a_dot = pattern.ends_with('.');
        let stripped = pattern.trim_end_matches(['.', ' ']);
        let expression = translate(stripped, had_a_dot);
        let entries: Vec<(String, Node)> = NAMES
            .iter()
            .enumerate()
            .map(|(i, n)| {
                (
                    n.to_string(),
                    Node {
                        kind: crate::volume::NodeKind::File,
                        size: 0,
                        read_only: false,
                        links: 1,
                        id: (1, i as u64),
                        accessed: 0,
                        written: 0,
                        changed: 0,
                    },
                )
            })
            .collect();
        let shorts = aliases(&entries);
        let mut out = Vec::new();
        if name_in_expression(&expression, ".") {
            out.extend([".", ".."]);
        }
        for n in NAMES {
            let short = shorts.iter().find(|(l, _)| l == n).map(|(_, s)| s.as_str());
            if name_in_expression(&expression, n)
                || short.is_some_and(|s| name_in_expression(&expression, s))
            {
                out.push(n);
            }
        }
        out
    }

    fn sorted(mut v: Vec<&'static str>) -> Vec<&'static str> {
        v.sort_unstable();
        v
    }

    #[test]
    fn patterns_find_what_windows_finds() {
        let all = sorted(vec![
            ".", "..", "..a", "..a.a", ".a", ".a..a", ".a.a", ".aaa", "a", "a..a", "a.a", "a.a.a",
            "aa", "aaa", "aaaa",
        ]);
        let no_dot = sorted(vec![
            ".", "..", "a", ".a", "..a", "aa", "aaa", "aaaa", ".aaa",
        ]);
        for (pattern, expected) in [
            ("*.*.*", all.clone()),
            ("*.", no_dot.clone()),
            ("*", all.clone()),
            (
                "*..*",
                sorted(vec![".", "..", "..a", "..a.a", ".a..a", "a..a"]),
            ),
            (".*.", sorted(vec![".", "..", ".a", ".aaa"])),
            ("..*", sorted(vec![".", "..", "..a", "..a.a"])),
            (" *..", vec![]),
            (
                "<.<.<",
                sorted(vec!["..a", "..a.a", ".a..a", ".a.a", "a..a", "a.a.a"]),
            ),
            (
                "<",
                sorted(vec![
                    ".", "..", "..a", ".a", ".aaa", "a", "aa", "aaa", "aaaa",
                ]),
            ),
            ("<..<", sorted(vec!["..a", ".a..a", "a..a"])),
            ("..<", vec!["..a"]),
            ("<<", all.clone()),
            ("?", sorted(vec![".", "..", "a"])),
            ("??.", sorted(vec![".", "..", "a", "aa"])),
            ("???.", sorted(vec![".", "..", "a", "aa", "aaa"])),
            ("?.??.", sorted(vec![".", "..", ".a", "a", "a.a"])),
            (">.>>.", sorted(vec![".", "..", ".a", "a.a"])),
        ] {
            assert_eq!(sorted(found(pattern)), expected, "{pattern:?}");
        }
    }

    fn matches(pattern: &str, name: &str) -> bool {
        let had_a_dot = pattern.ends_with('.');
        name_in_expression(&translate(pattern.trim_end_matches('.'), had_a_dot), name)
    }

    #[test]
    fn everyday_patterns() {
        assert!(matches("*.*", "noext"));
        assert!(matches("*", "a.b"));
        assert!(matches("*.TXT", "file.txt"));
        assert!(!matches("*.txt", "file.txt2"));
        assert!(matches("f?le.*", "FILE.c"));
        assert!(!matches("f?le", "fle"));
        assert!(matches("exact", "EXACT"));
        assert!(matches("name.", "name"));
        assert!(matches("*a", "ba"));
        assert!(matches("a*b*c", "aXbYbc"));
        assert!(!matches("a*b*c", "aXbYbd"));
        // A pattern that makes a backtracking matcher take exponential time (this one
        // would not finish); the matcher's work is linear in pattern times name.
        let long: String = "a".repeat(250);
        let pattern = format!("{}b", "*a".repeat(60));
        assert!(!matches(&pattern, &long));
    }

    #[test]
    fn short_names_follow_rtl_generate_8dot3_name() {
        assert!(is_legal_8dot3("README.TXT"));
        assert!(is_legal_8dot3("a.a"));
        assert!(!is_legal_8dot3(".a"));
        assert!(!is_legal_8dot3("longfilename.txt"));
        assert!(!is_legal_8dot3("a.b.c"));
        let mut c = short_candidates("Long File Name.text");
        assert_eq!(c.next().as_deref(), Some("LONGFI~1.TEX"));
        assert_eq!(c.nth(2).as_deref(), Some("LONGFI~4.TEX"));
        // After four, two characters and the checksum.
        let fifth = c.next().unwrap_or_default();
        assert!(
            fifth.starts_with("LO") && fifth.ends_with("~1.TEX"),
            "{fifth}"
        );
        assert_eq!(fifth.len(), "LO1234~1.TEX".len());
        // A short base gets the checksum at once; leading periods go.
        let dot_a = short_candidates(".a").next().unwrap_or_default();
        assert!(dot_a.starts_with('A') && dot_a.ends_with("~1"), "{dot_a}");
        assert_eq!(dot_a.len(), 7);
        assert_eq!(
            short_candidates("a+b=c;d.e[f").next().as_deref(),
            Some("A_B_C_~1.E_F")
        );
    }
}
