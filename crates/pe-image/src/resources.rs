//! The resource directory of an image: the three-level tree of types, names and languages
//! that `FindResource`, `LoadString`, `LoadIcon` and their kin search.
//!
//! [`Resources::parse`] reads the tree from the bytes of the resource directory (the image's
//! `.rsrc` data, as it lies in memory at the directory's RVA) into a flat list of
//! [`ResourceEntry`]s in directory order; [`Resources::lookup`] finds one as NT's loader
//! does (a type, then a name, then a language with NT 4.0's fallbacks). The data of an entry
//! is at its RVA in the image (`data_rva`, `size`); the typed readers of what the entries
//! hold (string tables, message tables, version information, icons, cursors, bitmaps, menus,
//! dialogs, accelerators) are in [`crate::templates`].
//!
//! Nothing here trusts the file: offsets outside the directory, loops and absurd counts are
//! [`ImageError`]s, never panics.

use std::fmt;

use object::LittleEndian as LE;
use object::read::pe::{ResourceDirectory, ResourceDirectoryEntryData, ResourceNameOrId};

use crate::{ImageError, Malformation};

/// The most resource entries (leaves of the tree) read from one image.
pub const MAX_RESOURCES: usize = 0x1_0000;

/// The predefined resource types (`RT_*` of winuser.h), by number.
pub mod rt {
    /// RT_CURSOR: one image of a cursor (a group names it).
    pub const CURSOR: u16 = 1;
    /// RT_BITMAP: a device-independent bitmap without its file header.
    pub const BITMAP: u16 = 2;
    /// RT_ICON: one image of an icon (a group names it).
    pub const ICON: u16 = 3;
    /// RT_MENU: a menu template.
    pub const MENU: u16 = 4;
    /// RT_DIALOG: a dialog template.
    pub const DIALOG: u16 = 5;
    /// RT_STRING: a block of 16 strings.
    pub const STRING: u16 = 6;
    /// RT_FONTDIR.
    pub const FONTDIR: u16 = 7;
    /// RT_FONT.
    pub const FONT: u16 = 8;
    /// RT_ACCELERATOR: an accelerator table.
    pub const ACCELERATOR: u16 = 9;
    /// RT_RCDATA: raw data.
    pub const RCDATA: u16 = 10;
    /// RT_MESSAGETABLE: a message table (FormatMessage).
    pub const MESSAGETABLE: u16 = 11;
    /// RT_GROUP_CURSOR: a cursor's directory of images.
    pub const GROUP_CURSOR: u16 = 12;
    /// RT_GROUP_ICON: an icon's directory of images.
    pub const GROUP_ICON: u16 = 14;
    /// RT_VERSION: version information (VS_VERSIONINFO).
    pub const VERSION: u16 = 16;
    /// RT_DLGINCLUDE.
    pub const DLGINCLUDE: u16 = 17;
    /// RT_PLUGPLAY.
    pub const PLUGPLAY: u16 = 19;
    /// RT_VXD.
    pub const VXD: u16 = 20;
    /// RT_ANICURSOR.
    pub const ANICURSOR: u16 = 21;
    /// RT_ANIICON.
    pub const ANIICON: u16 = 22;
    /// RT_HTML.
    pub const HTML: u16 = 23;
    /// RT_MANIFEST.
    pub const MANIFEST: u16 = 24;

    /// The name winuser.h gives a predefined type (without `RT_`), if it is one.
    pub fn name(id: u16) -> Option<&'static str> {
        Some(match id {
            CURSOR => "CURSOR",
            BITMAP => "BITMAP",
            ICON => "ICON",
            MENU => "MENU",
            DIALOG => "DIALOG",
            STRING => "STRING",
            FONTDIR => "FONTDIR",
            FONT => "FONT",
            ACCELERATOR => "ACCELERATOR",
            RCDATA => "RCDATA",
            MESSAGETABLE => "MESSAGETABLE",
            GROUP_CURSOR => "GROUP_CURSOR",
            GROUP_ICON => "GROUP_ICON",
            VERSION => "VERSION",
            DLGINCLUDE => "DLGINCLUDE",
            PLUGPLAY => "PLUGPLAY",
            VXD => "VXD",
            ANICURSOR => "ANICURSOR",
            ANIICON => "ANIICON",
            HTML => "HTML",
            MANIFEST => "MANIFEST",
            _ => return None,
        })
    }
}

/// A resource type or name: a number (`MAKEINTRESOURCE`) or a string.
#[derive(Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum ResourceId {
    /// A 16-bit number.
    Id(u16),
    /// A name (resource compilers store names in upper case).
    Name(String),
}

impl ResourceId {
    /// The id a Win32 caller means by a name string: `#123` is the number 123, as
    /// FindResource reads it; anything else is a name.
    pub fn from_name(name: &str) -> ResourceId {
        match name.strip_prefix('#').map(str::parse::<u16>) {
            Some(Ok(n)) => ResourceId::Id(n),
            _ => ResourceId::Name(name.to_string()),
        }
    }

    /// True when `self`, as a caller asks for it, names the directory's `entry`: numbers
    /// equal, names equal without regard to case (NT upper-cases the name it looks for,
    /// and resource compilers store names in upper case).
    pub fn matches(&self, entry: &ResourceId) -> bool {
        match (self, entry) {
            (ResourceId::Id(a), ResourceId::Id(b)) => a == b,
            (ResourceId::Name(a), ResourceId::Name(b)) => a
                .chars()
                .flat_map(char::to_uppercase)
                .eq(b.chars().flat_map(char::to_uppercase)),
            _ => false,
        }
    }

    /// The number, if it is one.
    pub fn id(&self) -> Option<u16> {
        match self {
            ResourceId::Id(n) => Some(*n),
            ResourceId::Name(_) => None,
        }
    }

    /// How a listing shows a type: the predefined name (`BITMAP`), else as
    /// [`Display`](fmt::Display) shows an id.
    pub fn type_label(&self) -> String {
        match self.id().and_then(rt::name) {
            Some(name) => name.to_string(),
            None => self.to_string(),
        }
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResourceId::Id(n) => write!(f, "#{n}"),
            ResourceId::Name(s) => f.write_str(s),
        }
    }
}

/// One resource: a leaf of the directory tree.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ResourceEntry {
    /// Its type (level 1).
    pub resource_type: ResourceId,
    /// Its name (level 2).
    pub name: ResourceId,
    /// Its language (level 3): a LANGID.
    pub language: u16,
    /// RVA of its data in the image.
    pub data_rva: u32,
    /// Size of its data in bytes.
    pub size: u32,
    /// The code page its data is in (usually 0).
    pub code_page: u32,
    /// Offset of its IMAGE_RESOURCE_DATA_ENTRY from the directory's start: the entry's
    /// address in a mapped image is what FindResource returns (an HRSRC).
    pub entry_offset: u32,
}

/// Which level of the tree had no match (FindResource's last error says which).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ResourceMissing {
    /// The image has no resource directory at all (ERROR_RESOURCE_DATA_NOT_FOUND).
    Data,
    /// No resource of that type (ERROR_RESOURCE_TYPE_NOT_FOUND).
    Type,
    /// No resource of that type and name (ERROR_RESOURCE_NAME_NOT_FOUND).
    Name,
    /// No resource of that type and name in that language (ERROR_RESOURCE_LANG_NOT_FOUND).
    Language,
}

impl ResourceMissing {
    /// The NTSTATUS NT's LdrFindResource returns for this miss.
    pub fn status(self) -> nt_status::NtStatus {
        nt_status::NtStatus(match self {
            ResourceMissing::Data => 0xC000_0089,
            ResourceMissing::Type => 0xC000_008A,
            ResourceMissing::Name => 0xC000_008B,
            ResourceMissing::Language => 0xC000_0204,
        })
    }
}

/// LANG_NEUTRAL with SUBLANG_NEUTRAL: "any language" to FindResource.
pub const LANG_NEUTRAL: u16 = 0x0000;
/// U.S. English, ntemu's NT's user and system language.
pub const LANG_ENGLISH_US: u16 = 0x0409;

/// The languages FindResource tries, in order, for a request in `language`: the language
/// itself, then its primary language with SUBLANG_NEUTRAL; a neutral request also tries the
/// thread's and user's language (U.S. English), English, LANG_NEUTRAL with
/// SUBLANG_DEFAULT and SUBLANG_SYS_DEFAULT. (After these a neutral request takes the first
/// language the resource has; see [`Resources::lookup`].)
pub fn language_candidates(language: u16) -> Vec<u16> {
    let mut out = vec![language];
    let primary = language & 0x3FF;
    let push = |out: &mut Vec<u16>, l: u16| {
        if !out.contains(&l) {
            out.push(l);
        }
    };
    push(&mut out, primary);
    if primary == 0 {
        for l in [LANG_ENGLISH_US, 0x0009, 0x0400, 0x0800] {
            push(&mut out, l);
        }
    }
    out
}

/// An image's resource directory, flattened.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Resources {
    /// RVA of the directory in the image.
    pub rva: u32,
    entries: Vec<ResourceEntry>,
}

fn bad(what: &'static str) -> ImageError {
    ImageError::Malformed(Malformation::Resource(what))
}

impl Resources {
    /// Reads the tree from `directory`, the bytes of the resource directory found at `rva`
    /// in the image (IMAGE_DIRECTORY_ENTRY_RESOURCE): every leaf at depth three, in
    /// directory order. Leaves at other depths are skipped, as NT's loader never reaches
    /// them.
    pub fn parse(directory: &[u8], rva: u32) -> Result<Resources, ImageError> {
        let dir = ResourceDirectory::new(directory);
        let root = dir.root().map_err(|_| bad("root directory outside"))?;
        let id_of = |n: ResourceNameOrId| -> Result<ResourceId, ImageError> {
            Ok(match n {
                ResourceNameOrId::Id(id) => ResourceId::Id(id),
                ResourceNameOrId::Name(name) => ResourceId::Name(
                    name.to_string_lossy(dir)
                        .map_err(|_| bad("name outside the directory"))?,
                ),
            })
        };
        let mut entries = Vec::new();
        // Every directory entry visited, at any level: a tree of shared subdirectories
        // cannot make the walk quadratic in the file's size.
        let mut visited = 0usize;
        let mut visit = |n: usize| -> Result<(), ImageError> {
            visited += n;
            if visited > 4 * MAX_RESOURCES {
                return Err(ImageError::Malformed(Malformation::TooMany(
                    "resource directory entries",
                )));
            }
            Ok(())
        };
        visit(root.entries.len())?;
        for t in root.entries {
            let resource_type = id_of(t.name_or_id())?;
            let Ok(ResourceDirectoryEntryData::Table(names)) = t.data(dir) else {
                continue;
            };
            visit(names.entries.len())?;
            for n in names.entries {
                let name = id_of(n.name_or_id())?;
                let Ok(ResourceDirectoryEntryData::Table(languages)) = n.data(dir) else {
                    continue;
                };
                visit(languages.entries.len())?;
                for l in languages.entries {
                    let language = match l.name_or_id() {
                        ResourceNameOrId::Id(id) => id,
                        ResourceNameOrId::Name(_) => continue,
                    };
                    let data = match l.data(dir) {
                        Ok(ResourceDirectoryEntryData::Data(d)) => d,
                        Ok(ResourceDirectoryEntryData::Table(_)) => continue,
                        Err(_) => return Err(bad("data entry outside the directory")),
                    };
                    if entries.len() == MAX_RESOURCES {
                        return Err(ImageError::Malformed(Malformation::TooMany("resources")));
                    }
                    entries.push(ResourceEntry {
                        resource_type: resource_type.clone(),
                        name: name.clone(),
                        language,
                        data_rva: data.offset_to_data.get(LE),
                        size: data.size.get(LE),
                        code_page: data.code_page.get(LE),
                        entry_offset: l.data_offset(),
                    });
                }
            }
        }
        Ok(Resources { rva, entries })
    }

    /// Every resource, in directory order (types, then names, then languages, each as
    /// the directory lists them: named entries before numbered ones).
    pub fn entries(&self) -> &[ResourceEntry] {
        &self.entries
    }

    /// True when the directory has no resource.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The types, each once, in directory order (EnumResourceTypes).
    pub fn types(&self) -> Vec<&ResourceId> {
        let mut out: Vec<&ResourceId> = Vec::new();
        for e in &self.entries {
            if out.last() != Some(&&e.resource_type) && !out.contains(&&e.resource_type) {
                out.push(&e.resource_type);
            }
        }
        out
    }

    /// The names of resources of `resource_type`, each once, in directory order
    /// (EnumResourceNames).
    pub fn names(&self, resource_type: &ResourceId) -> Vec<&ResourceId> {
        let mut out: Vec<&ResourceId> = Vec::new();
        for e in self
            .entries
            .iter()
            .filter(|e| resource_type.matches(&e.resource_type))
        {
            if !out.contains(&&e.name) {
                out.push(&e.name);
            }
        }
        out
    }

    /// The languages of the resource `resource_type`/`name`, in directory order
    /// (EnumResourceLanguages).
    pub fn languages(&self, resource_type: &ResourceId, name: &ResourceId) -> Vec<u16> {
        self.entries
            .iter()
            .filter(|e| resource_type.matches(&e.resource_type) && name.matches(&e.name))
            .map(|e| e.language)
            .collect()
    }

    /// Finds a resource as NT's loader does: the type, then the name, then the language
    /// among [`language_candidates`]; a neutral request (primary language
    /// LANG_NEUTRAL) falls back to the resource's first language.
    pub fn lookup(
        &self,
        resource_type: &ResourceId,
        name: &ResourceId,
        language: u16,
    ) -> Result<&ResourceEntry, ResourceMissing> {
        let of_type: Vec<&ResourceEntry> = self
            .entries
            .iter()
            .filter(|e| resource_type.matches(&e.resource_type))
            .collect();
        if of_type.is_empty() {
            return Err(ResourceMissing::Type);
        }
        let named: Vec<&ResourceEntry> = of_type
            .into_iter()
            .filter(|e| name.matches(&e.name))
            .collect();
        let Some(&first) = named.first() else {
            return Err(ResourceMissing::Name);
        };
        for candidate in language_candidates(language) {
            if let Some(e) = named.iter().find(|e| e.language == candidate) {
                return Ok(e);
            }
        }
        if language & 0x3FF == 0 {
            return Ok(first);
        }
        Err(ResourceMissing::Language)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a resource directory of (type, name, language, data) leaves, data placed after
    /// the tree, the directory at `rva`.
    /// Leaves grouped by type, then name: (language, leaf index) under each.
    type Tree = Vec<(ResourceId, Vec<(ResourceId, Vec<(u16, usize)>)>)>;

    pub(crate) fn build(rva: u32, leaves: &[(ResourceId, ResourceId, u16, &[u8])]) -> Vec<u8> {
        // Group by type, then name.
        let mut types: Tree = Vec::new();
        for (i, (t, n, l, _)) in leaves.iter().enumerate() {
            let ti = match types.iter().position(|(x, _)| x == t) {
                Some(ti) => ti,
                None => {
                    types.push((t.clone(), Vec::new()));
                    types.len() - 1
                }
            };
            let names = &mut types[ti].1;
            let ni = match names.iter().position(|(x, _)| x == n) {
                Some(ni) => ni,
                None => {
                    names.push((n.clone(), Vec::new()));
                    names.len() - 1
                }
            };
            names[ni].1.push((*l, i));
        }
        let mut out = Vec::new();
        let put32 = |out: &mut Vec<u8>, at: usize, v: u32| {
            out[at..at + 4].copy_from_slice(&v.to_le_bytes());
        };
        let table = |out: &mut Vec<u8>, count: usize| -> usize {
            let at = out.len();
            out.extend_from_slice(&[0u8; 12]);
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(&(count as u16).to_le_bytes());
            out.extend(std::iter::repeat_n(0u8, 8 * count));
            at
        };
        let mut strings: Vec<(usize, String)> = Vec::new();
        let mut data_entries: Vec<(usize, usize)> = Vec::new();
        let root = table(&mut out, types.len());
        for (ti, (t, names)) in types.iter().enumerate() {
            let slot = root + 16 + 8 * ti;
            match t {
                ResourceId::Id(n) => put32(&mut out, slot, u32::from(*n)),
                ResourceId::Name(s) => strings.push((slot, s.clone())),
            }
            let sub = table(&mut out, names.len());
            put32(&mut out, slot + 4, 0x8000_0000 | sub as u32);
            for (ni, (n, langs)) in names.iter().enumerate() {
                let slot = sub + 16 + 8 * ni;
                match n {
                    ResourceId::Id(n) => put32(&mut out, slot, u32::from(*n)),
                    ResourceId::Name(s) => strings.push((slot, s.clone())),
                }
                let lt = table(&mut out, langs.len());
                put32(&mut out, slot + 4, 0x8000_0000 | lt as u32);
                for (li, (l, leaf)) in langs.iter().enumerate() {
                    let slot = lt + 16 + 8 * li;
                    put32(&mut out, slot, u32::from(*l));
                    data_entries.push((slot, *leaf));
                }
            }
        }
        for (slot, s) in strings {
            let at = out.len();
            put32(&mut out, slot, 0x8000_0000 | at as u32);
            let units: Vec<u16> = s.encode_utf16().collect();
            out.extend_from_slice(&(units.len() as u16).to_le_bytes());
            for u in units {
                out.extend_from_slice(&u.to_le_bytes());
            }
            while !out.len().is_multiple_of(4) {
                out.push(0);
            }
        }
        for (slot, leaf) in data_entries {
            let at = out.len();
            put32(&mut out, slot + 4, at as u32);
            out.extend_from_slice(&[0u8; 16]);
            let data = leaves[leaf].3;
            let data_at = out.len();
            put32(&mut out, at, rva + data_at as u32);
            put32(&mut out, at + 4, data.len() as u32);
            out.extend_from_slice(data);
            while !out.len().is_multiple_of(4) {
                out.push(0);
            }
        }
        out
    }

    fn sample() -> Resources {
        let leaves: Vec<(ResourceId, ResourceId, u16, &[u8])> = vec![
            (
                ResourceId::Id(rt::BITMAP),
                ResourceId::Id(1),
                0x409,
                b"bmp-us",
            ),
            (
                ResourceId::Id(rt::BITMAP),
                ResourceId::Id(1),
                0x407,
                b"bmp-de",
            ),
            (
                ResourceId::Id(rt::BITMAP),
                ResourceId::Name("WALL".into()),
                0,
                b"wall",
            ),
            (
                ResourceId::Name("CUSTOM".into()),
                ResourceId::Id(7),
                0x407,
                b"c",
            ),
            (ResourceId::Id(rt::STRING), ResourceId::Id(1), 0x409, b"s"),
        ];
        let bytes = build(0x3000, &leaves);
        Resources::parse(&bytes, 0x3000).expect("parses")
    }

    #[test]
    fn the_tree_flattens_in_directory_order() {
        let r = sample();
        assert_eq!(r.entries().len(), 5);
        assert_eq!(
            r.types(),
            vec![
                &ResourceId::Id(rt::BITMAP),
                &ResourceId::Name("CUSTOM".into()),
                &ResourceId::Id(rt::STRING)
            ]
        );
        assert_eq!(
            r.names(&ResourceId::Id(rt::BITMAP)),
            vec![&ResourceId::Id(1), &ResourceId::Name("WALL".into())]
        );
        assert_eq!(
            r.languages(&ResourceId::Id(rt::BITMAP), &ResourceId::Id(1)),
            vec![0x409, 0x407]
        );
    }

    #[test]
    fn lookup_follows_nt_language_fallbacks() {
        let r = sample();
        let bmp = ResourceId::Id(rt::BITMAP);
        let e = r
            .lookup(&bmp, &ResourceId::Id(1), 0)
            .expect("neutral finds en-US");
        assert_eq!(e.language, 0x409);
        let e = r.lookup(&bmp, &ResourceId::Id(1), 0x407).expect("exact");
        assert_eq!(e.language, 0x407);
        assert_eq!(
            r.lookup(&bmp, &ResourceId::Id(1), 0x40C),
            Err(ResourceMissing::Language)
        );
        // A name is found without regard to case; neutral takes the only language.
        let e = r
            .lookup(&bmp, &ResourceId::Name("wall".into()), 0)
            .expect("by name");
        assert_eq!(e.size, 4);
        // A neutral request for a resource only in German takes German.
        let e = r
            .lookup(&ResourceId::Name("custom".into()), &ResourceId::Id(7), 0)
            .expect("first language");
        assert_eq!(e.language, 0x407);
        assert_eq!(
            r.lookup(&ResourceId::Id(rt::ICON), &ResourceId::Id(1), 0),
            Err(ResourceMissing::Type)
        );
        assert_eq!(
            r.lookup(&bmp, &ResourceId::Id(9), 0),
            Err(ResourceMissing::Name)
        );
    }

    #[test]
    fn names_with_a_hash_are_numbers() {
        assert_eq!(ResourceId::from_name("#12"), ResourceId::Id(12));
        assert_eq!(ResourceId::from_name("#x"), ResourceId::Name("#x".into()));
        assert_eq!(ResourceId::Id(2).type_label(), "BITMAP");
        assert_eq!(ResourceId::Id(300).type_label(), "#300");
    }

    /// Every typed reader on any bytes: an error or a value, never a panic.
    fn read_everything(data: &[u8]) {
        use crate::templates as t;
        let _ = t::string_table_block(data);
        let _ = t::string_in_block(data, 15);
        if let Ok(m) = t::MessageTable::parse(data) {
            for (low, high, _) in m.blocks.clone() {
                let _ = m.find(low);
                let _ = m.find(high);
            }
        }
        if let Ok(v) = t::VersionNode::parse(data) {
            let _ = v.fixed_file_info(data);
            let _ = v.text(data);
            let _ = v.query("\\StringFileInfo\\040904B0\\FileVersion");
        }
        let _ = t::IconGroup::parse(data);
        let _ = t::CursorImage::parse(data);
        let _ = t::BitmapInfo::parse(data).map(|b| b.stride());
        let _ = t::bitmap_file(data);
        let _ = t::Menu::parse(data);
        let _ = t::DialogTemplate::parse(data);
        let _ = t::accelerators(data);
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(2000))]

        /// A directory with bytes changed, cut short or grown: parsing and every lookup
        /// give a value or a typed error, never a panic; entries that parse lie where the
        /// tree says.
        #[test]
        fn damaged_directories_never_panic(
            flips in proptest::collection::vec((0usize..4096, proptest::num::u8::ANY), 0..24),
            cut in 0usize..4096,
            extra in proptest::collection::vec(proptest::num::u8::ANY, 0..64),
        ) {
            let leaves: Vec<(ResourceId, ResourceId, u16, &[u8])> = vec![
                (ResourceId::Id(rt::STRING), ResourceId::Id(1), 0x409, b"\x02\x00H\x00i\x00"),
                (ResourceId::Id(rt::BITMAP), ResourceId::Name("WALL".into()), 0, b"bmp"),
                (ResourceId::Name("X".into()), ResourceId::Id(9), 0x407, b"x"),
            ];
            let mut bytes = build(0x2000, &leaves);
            let len = bytes.len().max(1);
            for (at, v) in flips {
                if let Some(b) = bytes.get_mut(at % len) {
                    *b = v;
                }
            }
            bytes.truncate(cut.min(bytes.len()));
            bytes.extend(extra);
            if let Ok(r) = Resources::parse(&bytes, 0x2000) {
                proptest::prop_assert!(r.entries().len() <= MAX_RESOURCES);
                for t in r.types() {
                    for n in r.names(t) {
                        let _ = r.languages(t, n);
                        let _ = r.lookup(t, n, 0);
                        let _ = r.lookup(t, n, 0x407);
                    }
                }
                for e in r.entries() {
                    let start = e.data_rva.wrapping_sub(0x2000) as usize;
                    if let Some(data) = bytes.get(start..start.saturating_add(e.size as usize)) {
                        read_everything(data);
                    }
                }
            }
        }

        /// The typed readers on arbitrary bytes never panic.
        #[test]
        fn readers_never_panic(data in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            read_everything(&data);
        }
    }

    #[test]
    fn malformed_directories_are_errors() {
        assert!(Resources::parse(&[0u8; 8], 0).is_err());
        // A root claiming 100 entries in 16 bytes.
        let mut d = vec![0u8; 16];
        d[14] = 100;
        assert!(Resources::parse(&d, 0).is_err());
        // A subdirectory pointer outside: skipped, not a panic.
        let mut d = vec![0u8; 24];
        d[14] = 1;
        d[16] = 2;
        d[20..24].copy_from_slice(&0x8000_FFF0u32.to_le_bytes());
        assert_eq!(Resources::parse(&d, 0).map(|r| r.is_empty()), Ok(true));
    }
}
