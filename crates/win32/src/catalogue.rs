//! NT 4.0's export catalogues: for each builtin DLL, every name and ordinal the NT 4.0 SP6
//! DLL of that name exports, kept as text beside the DLL crate (`nt4-exports.txt`; where the
//! facts come from and how to regenerate them is in each file's header and in
//! tools/nt4-catalogue/).
//!
//! The format is one export per line, `ORDINAL NAME`, optionally followed by `DATA` (a
//! variable, not a function) and `-> DLL.NAME` (a forwarder); `#` starts a comment.

use std::collections::HashMap;

/// One export of an NT 4.0 DLL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CatalogueEntry {
    /// The export ordinal.
    pub ordinal: u16,
    /// The exported name.
    pub name: &'static str,
    /// True for a data export.
    pub data: bool,
    /// `DLL.NAME` for a forwarded export.
    pub forward: Option<&'static str>,
    /// True for a name NT 4.0's DLL does not export but ntemu's does (the DLL's
    /// `later-exports.txt`), so that GetProcAddress finds it.
    pub beyond_nt4: bool,
}

/// The exports of one NT 4.0 DLL.
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    entries: Vec<CatalogueEntry>,
    by_name: HashMap<&'static str, usize>,
    by_ordinal: HashMap<u16, usize>,
}

/// A line of a catalogue that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("catalogue line {line}: {text:?} is not `ORDINAL NAME [DATA] [-> DLL.NAME]`")]
pub struct CatalogueError {
    /// The 1-based line number.
    pub line: usize,
    /// The line.
    pub text: String,
}

impl Catalogue {
    /// Reads a catalogue, skipping lines that cannot be read (see [`Catalogue::check`]).
    pub fn parse(text: &'static str) -> Self {
        Self::parse_with_later(text, "")
    }

    /// Reads NT 4.0's catalogue `nt4` followed by `later`, the names ntemu exports beyond
    /// NT 4.0 (their entries are marked [`CatalogueEntry::beyond_nt4`]).
    pub fn parse_with_later(nt4: &'static str, later: &'static str) -> Self {
        let mut catalogue = Catalogue::default();
        for (text, beyond_nt4) in [(nt4, false), (later, true)] {
            for line in text.lines() {
                if let Ok(Some(f)) = parse_line(line) {
                    catalogue.push(CatalogueEntry {
                        ordinal: f.ordinal,
                        name: f.name,
                        data: f.data,
                        forward: f.forward,
                        beyond_nt4,
                    });
                }
            }
        }
        catalogue
    }

    /// The first line of `text` that cannot be read, if any.
    pub fn check(text: &str) -> Result<(), CatalogueError> {
        for (n, line) in text.lines().enumerate() {
            if parse_line(line).is_err() {
                return Err(CatalogueError {
                    line: n + 1,
                    text: line.to_string(),
                });
            }
        }
        Ok(())
    }

    fn push(&mut self, entry: CatalogueEntry) {
        let index = self.entries.len();
        self.by_name.entry(entry.name).or_insert(index);
        self.by_ordinal.entry(entry.ordinal).or_insert(index);
        self.entries.push(entry);
    }

    /// Every export, in the file's order (by ordinal).
    pub fn entries(&self) -> &[CatalogueEntry] {
        &self.entries
    }

    /// The export named `name` (names are case-sensitive, as GetProcAddress's are).
    pub fn by_name(&self, name: &str) -> Option<&CatalogueEntry> {
        self.by_name.get(name).map(|&i| &self.entries[i])
    }

    /// The export with ordinal `ordinal`.
    pub fn by_ordinal(&self, ordinal: u16) -> Option<&CatalogueEntry> {
        self.by_ordinal.get(&ordinal).map(|&i| &self.entries[i])
    }

    /// How many exports the DLL has.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// How many of them NT 4.0's DLL exports (the entries not beyond NT 4.0).
    pub fn nt4_len(&self) -> usize {
        self.entries.iter().filter(|e| !e.beyond_nt4).count()
    }

    /// True for a DLL with no catalogue.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// One line's fields: Ok(None) for a blank or comment line.
fn parse_line(line: &str) -> Result<Option<Fields<'_>>, ()> {
    let text = line.split('#').next().unwrap_or("").trim();
    if text.is_empty() {
        return Ok(None);
    }
    let mut words = text.split_whitespace();
    let ordinal = words.next().and_then(|w| w.parse::<u16>().ok()).ok_or(())?;
    let name = words.next().ok_or(())?;
    let mut fields = Fields {
        ordinal,
        name,
        data: false,
        forward: None,
    };
    while let Some(word) = words.next() {
        match word {
            "DATA" => fields.data = true,
            "->" => fields.forward = Some(words.next().ok_or(())?),
            _ => return Err(()),
        }
    }
    Ok(Some(fields))
}

/// The fields of one line, borrowing from it.
struct Fields<'a> {
    ordinal: u16,
    name: &'a str,
    data: bool,
    forward: Option<&'a str>,
}
