//! PE32 images for Intel i386 and DEC Alpha AXP: parsing, mapping, base relocations, imports.
//!
//! [`PeImage::parse`] validates a file and lays it out as the loader would see it in memory
//! (headers and sections at their RVAs, uninitialized data zero). Everything a later stage
//! needs to start a process is read from that layout: entry point, subsystem, stack and heap
//! sizes, sections with their page protections, imports, exports, base relocations and the
//! TLS directory. [`PeImage::load`] maps it into an [`AddressSpace`] as a `MEM_IMAGE` view,
//! relocating it when its preferred base is taken and binding its imports through an
//! [`ImportResolver`]; imports nobody provides are bound to stubs recorded in [`ImportStubs`].
//!
//! Malformed input of any kind yields an [`ImageError`]; nothing here panics on file contents.

#[doc(hidden)]
pub mod corpus;

use std::collections::BTreeMap;
use std::fmt;

use nt_memory::{AddressSpace, MemoryError, PageProtection};
use nt_status::NtStatus;
use object::LittleEndian as LE;
use object::pe;
use object::read::pe::{ImageNtHeaders, ImageOptionalHeader, ImageThunkData};

mod load;
mod map;
pub mod resources;
pub mod templates;

pub use load::{ImportResolver, ImportStub, ImportStubs, LoadedImage, NoImports};
/// The address-space crate, re-exported for users of the loader.
pub use nt_memory as memory;
pub use resources::{ResourceEntry, ResourceId, ResourceMissing, Resources};

/// Largest SizeOfImage accepted (NT 4.0-era images are far smaller).
pub const MAX_IMAGE_SIZE: u32 = 0x0800_0000;
/// Most imports accepted from one image.
pub const MAX_IMPORTS: usize = 0x1_0000;
/// Most TLS callbacks read from one image.
pub const MAX_TLS_CALLBACKS: usize = 0x400;

/// What is malformed in an image.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Malformation {
    /// No `PE\0\0` at e_lfanew.
    #[error("no PE signature")]
    NoPeSignature,
    /// The NT headers cannot be read.
    #[error("{0}")]
    Headers(object::read::Error),
    /// SectionAlignment is not a power of two of at least 512 bytes, or below FileAlignment.
    #[error("section alignment {0:#x}")]
    SectionAlignment(u32),
    /// FileAlignment is not a power of two.
    #[error("file alignment {0:#x}")]
    FileAlignment(u32),
    /// SizeOfImage is 0 or too large.
    #[error("SizeOfImage {0:#x}")]
    SizeOfImage(u32),
    /// SizeOfHeaders is beyond the image.
    #[error("SizeOfHeaders {0:#x}")]
    SizeOfHeaders(u32),
    /// A section's address is not a multiple of SectionAlignment.
    #[error("section {name} at {va:#x} is not aligned to {alignment:#x}")]
    SectionNotAligned {
        /// The section's name.
        name: String,
        /// Its virtual address.
        va: u32,
        /// SectionAlignment.
        alignment: u32,
    },
    /// A section lies outside SizeOfImage.
    #[error("section {name} {va:#x}+{size:#x} outside the image")]
    SectionOutside {
        /// The section's name.
        name: String,
        /// Its virtual address.
        va: u32,
        /// Its virtual size.
        size: u32,
    },
    /// The entry point lies outside the image.
    #[error("entry point {0:#x} outside the image")]
    EntryPointOutside(u32),
    /// The import table cannot be read.
    #[error("import table: {0}")]
    ImportTable(object::read::Error),
    /// The export table cannot be read.
    #[error("export table: {0}")]
    ExportTable(object::read::Error),
    /// A table lies outside the image.
    #[error("{0} outside the image")]
    Outside(&'static str),
    /// More entries than ntemu accepts.
    #[error("too many {0}")]
    TooMany(&'static str),
    /// The loader's write into the address space faulted.
    #[error("loader write faulted: {0}")]
    LoaderFault(nt_memory::Fault),
    /// The loader ran out of import stub addresses.
    #[error("out of import stub addresses")]
    OutOfStubs,
    /// The resource directory or a resource's data is malformed.
    #[error("resource: {0}")]
    Resource(&'static str),
    /// A range the loader was asked to copy lies outside the image.
    #[error("range {rva:#x}+{len:#x} outside the image")]
    RangeOutside {
        /// Its RVA.
        rva: u32,
        /// Its length.
        len: u32,
    },
}

/// Failures to parse or load an image.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// The file is too short for what its headers describe.
    #[error("truncated image: {0}")]
    Truncated(&'static str),
    /// A header or table is malformed.
    #[error("malformed image: {0}")]
    Malformed(Malformation),
    /// The image is for a machine ntemu does not run.
    #[error("unsupported machine {:#06x} ({})", .0, machine_name(*.0))]
    UnsupportedMachine(u16),
    /// A section's raw data lies past the end of the file.
    #[error(
        "section {name} raw data {offset:#x}+{size:#x} lies past the end of the file ({file_len:#x} bytes)"
    )]
    SectionPastEof {
        /// Section name.
        name: String,
        /// PointerToRawData.
        offset: u32,
        /// SizeOfRawData.
        size: u32,
        /// File length.
        file_len: usize,
    },
    /// Two sections overlap in memory, or are out of order.
    #[error("sections {0} and {1} overlap")]
    OverlappingSections(String, String),
    /// A base relocation block or entry is malformed.
    #[error("bad base relocation: {0}")]
    BadRelocation(String),
    /// The preferred base is taken and the image has no relocations.
    #[error("image base {0:#x} is not available and the image has no relocations")]
    RelocationsStripped(u32),
    /// The address space refused the view or an access.
    #[error("address space: {0}")]
    Memory(#[from] MemoryError),
}

impl ImageError {
    /// The NTSTATUS the loader reports for this failure.
    pub fn status(&self) -> NtStatus {
        match self {
            ImageError::Memory(e) => e.status(),
            ImageError::RelocationsStripped(_) => NtStatus::CONFLICTING_ADDRESSES,
            _ => NtStatus::INVALID_IMAGE_FORMAT,
        }
    }
}

/// IMAGE_FILE_MACHINE_I386.
pub const MACHINE_I386: u16 = 0x014C;
/// IMAGE_FILE_MACHINE_ALPHA.
pub const MACHINE_ALPHA: u16 = 0x0184;
const FILE_RELOCS_STRIPPED: u16 = 0x0001;
const FILE_DLL: u16 = 0x2000;
const SCN_MEM_EXECUTE: u32 = 0x2000_0000;
const SCN_MEM_READ: u32 = 0x4000_0000;
const SCN_MEM_WRITE: u32 = 0x8000_0000;

/// A readable name for a PE machine value.
pub fn machine_name(machine: u16) -> &'static str {
    match machine {
        MACHINE_I386 => "i386",
        MACHINE_ALPHA => "Alpha AXP",
        0x0284 => "Alpha64",
        0x8664 => "AMD64",
        0x0200 => "IA-64",
        0x01C0 | 0x01C2 | 0x01C4 => "ARM",
        0xAA64 => "ARM64",
        0x0162 | 0x0166 | 0x0168 | 0x0169 | 0x0266 | 0x0366 | 0x0466 => "MIPS",
        0x01F0 | 0x01F1 => "PowerPC",
        0x01A2 | 0x01A3 | 0x01A6 => "SuperH",
        0x0268 => "Motorola 68000",
        0 => "unknown",
        _ => "unrecognized",
    }
}

/// The CPU an image is built for.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Machine {
    /// Intel i386 (0x14c).
    I386,
    /// DEC Alpha AXP (0x184).
    Alpha,
}

impl Machine {
    /// The page size of a process running this machine's code.
    pub fn page_size(self) -> nt_memory::PageSize {
        match self {
            Machine::I386 => nt_memory::PageSize::X86,
            Machine::Alpha => nt_memory::PageSize::Alpha,
        }
    }

    /// The PE machine value.
    pub fn value(self) -> u16 {
        match self {
            Machine::I386 => MACHINE_I386,
            Machine::Alpha => MACHINE_ALPHA,
        }
    }
}

impl fmt::Display for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Machine::I386 => "i386",
            Machine::Alpha => "Alpha",
        })
    }
}

/// A section of the image.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Section {
    /// Name (up to 8 bytes, NULs trimmed).
    pub name: String,
    /// RVA of the section.
    pub virtual_address: u32,
    /// Size in memory (VirtualSize, or SizeOfRawData when VirtualSize is 0).
    pub virtual_size: u32,
    /// SizeOfRawData.
    pub raw_size: u32,
    /// PointerToRawData.
    pub raw_offset: u32,
    /// Characteristics flags.
    pub characteristics: u32,
    /// The page protection its pages get.
    pub protection: PageProtection,
}

impl Section {
    /// How many bytes of the section come from the file: SizeOfRawData, at most the
    /// section's size in memory, or none when PointerToRawData is 0. A section without a
    /// file pointer is uninitialized data (Open Watcom's linker writes its `.bss` with a
    /// SizeOfRawData but PointerToRawData 0): NT maps it as demand-zero pages whatever
    /// SizeOfRawData says, and so does Wine's loader; copying from file offset 0 would
    /// fill it with the image's own headers and code.
    pub fn file_size(&self) -> u32 {
        if self.raw_offset == 0 {
            0
        } else {
            self.raw_size.min(self.virtual_size)
        }
    }
}

/// What an import names.
#[derive(Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum ImportSymbol {
    /// Import by name, with the hint (index into the exporter's name table).
    Name {
        /// The hint.
        hint: u16,
        /// The name.
        name: String,
    },
    /// Import by ordinal.
    Ordinal(u16),
}

impl fmt::Display for ImportSymbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportSymbol::Name { name, .. } => f.write_str(name),
            ImportSymbol::Ordinal(o) => write!(f, "#{o}"),
        }
    }
}

/// One imported function.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Import {
    /// What is imported.
    pub symbol: ImportSymbol,
    /// RVA of its import address table slot.
    pub iat_rva: u32,
}

/// The imports from one DLL (one import descriptor).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ImportedDll {
    /// DLL name as written in the image.
    pub dll: String,
    /// The imported functions, in table order.
    pub imports: Vec<Import>,
}

/// Where an export leads.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ExportTarget {
    /// An RVA in this image.
    Rva(u32),
    /// A forwarder string, `DLL.name` or `DLL.#ordinal`.
    Forward(String),
}

/// One exported function.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Export {
    /// Its ordinal.
    pub ordinal: u16,
    /// Its name, if exported by name.
    pub name: Option<String>,
    /// Where it leads.
    pub target: ExportTarget,
}

/// The export directory of an image.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Exports {
    /// The DLL name the directory records.
    pub dll_name: String,
    /// The ordinal of the first address-table entry.
    pub ordinal_base: u16,
    /// The exports, by ordinal.
    pub exports: Vec<Export>,
}

/// The fields of IMAGE_TLS_DIRECTORY32 (virtual addresses at the preferred base).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct TlsDirectory {
    /// StartAddressOfRawData.
    pub start_address_of_raw_data: u32,
    /// EndAddressOfRawData.
    pub end_address_of_raw_data: u32,
    /// AddressOfIndex.
    pub address_of_index: u32,
    /// AddressOfCallBacks.
    pub address_of_callbacks: u32,
    /// SizeOfZeroFill.
    pub size_of_zero_fill: u32,
    /// Characteristics.
    pub characteristics: u32,
    /// The callback addresses the callback array lists (up to its terminating 0).
    pub callbacks: Vec<u32>,
}

/// A base relocation type (`IMAGE_REL_BASED_*`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum RelocationKind {
    /// ABSOLUTE (0): padding, no fixup.
    Absolute,
    /// HIGH (1): add the high 16 bits of the delta to a 16-bit field.
    High,
    /// LOW (2): add the low 16 bits of the delta to a 16-bit field.
    Low,
    /// HIGHLOW (3): add the delta to a 32-bit field.
    HighLow,
    /// HIGHADJ (4): a high 16-bit field whose low half (next slot) carries into it.
    HighAdj,
}

impl RelocationKind {
    /// Bytes of the field the fixup changes.
    pub fn width(self) -> usize {
        match self {
            RelocationKind::Absolute => 0,
            RelocationKind::HighLow => 4,
            _ => 2,
        }
    }

    /// The name as the PE specification spells it.
    pub fn name(self) -> &'static str {
        match self {
            RelocationKind::Absolute => "ABSOLUTE",
            RelocationKind::High => "HIGH",
            RelocationKind::Low => "LOW",
            RelocationKind::HighLow => "HIGHLOW",
            RelocationKind::HighAdj => "HIGHADJ",
        }
    }
}

/// One base relocation.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Relocation {
    /// RVA of the field to fix up.
    pub rva: u32,
    /// The fixup kind.
    pub kind: RelocationKind,
    /// For HIGHADJ: the low 16 bits of the full value, from the following slot.
    pub low: i16,
}

impl Relocation {
    /// Applies this fixup for a load `delta` bytes from the preferred base to `field`, the
    /// [`RelocationKind::width`] bytes at [`Relocation::rva`].
    pub fn apply(&self, field: &mut [u8], delta: u32) {
        match (self.kind, field) {
            (RelocationKind::HighLow, [a, b, c, d]) => {
                let v = u32::from_le_bytes([*a, *b, *c, *d]).wrapping_add(delta);
                [*a, *b, *c, *d] = v.to_le_bytes();
            }
            (RelocationKind::High, [a, b]) => {
                let v = u16::from_le_bytes([*a, *b]).wrapping_add((delta >> 16) as u16);
                [*a, *b] = v.to_le_bytes();
            }
            (RelocationKind::Low, [a, b]) => {
                let v = u16::from_le_bytes([*a, *b]).wrapping_add(delta as u16);
                [*a, *b] = v.to_le_bytes();
            }
            (RelocationKind::HighAdj, [a, b]) => {
                // The full value is high << 16 plus the sign-extended low half; the new high
                // half is rounded so that adding the (signed) low half gives the moved value.
                let full = (u32::from(u16::from_le_bytes([*a, *b])) << 16)
                    .wrapping_add(i32::from(self.low) as u32)
                    .wrapping_add(delta);
                [*a, *b] = ((full.wrapping_add(0x8000) >> 16) as u16).to_le_bytes();
            }
            _ => {}
        }
    }

    fn outside(&self) -> ImageError {
        ImageError::BadRelocation(format!("fixup at {:#x} outside the image", self.rva))
    }
}

/// A parsed and laid-out PE32 image.
#[derive(Clone)]
pub struct PeImage {
    /// The machine.
    pub machine: Machine,
    /// Preferred base (ImageBase).
    pub image_base: u32,
    /// RVA of the entry point (0: none).
    pub entry_point_rva: u32,
    /// Subsystem (2 GUI, 3 console...).
    pub subsystem: u16,
    /// Linker version (major, minor).
    pub linker_version: (u8, u8),
    /// Operating system version the image wants (major, minor).
    pub os_version: (u16, u16),
    /// Subsystem version (major, minor).
    pub subsystem_version: (u16, u16),
    /// SizeOfImage.
    pub size_of_image: u32,
    /// SizeOfHeaders.
    pub size_of_headers: u32,
    /// SectionAlignment.
    pub section_alignment: u32,
    /// FileAlignment.
    pub file_alignment: u32,
    /// File header Characteristics.
    pub characteristics: u16,
    /// DllCharacteristics.
    pub dll_characteristics: u16,
    /// SizeOfStackReserve.
    pub stack_reserve: u32,
    /// SizeOfStackCommit.
    pub stack_commit: u32,
    /// SizeOfHeapReserve.
    pub heap_reserve: u32,
    /// SizeOfHeapCommit.
    pub heap_commit: u32,
    /// The sections.
    pub sections: Vec<Section>,
    /// Imports grouped by DLL.
    pub imports: Vec<ImportedDll>,
    /// The export directory, if any.
    pub exports: Option<Exports>,
    /// Base relocations (ABSOLUTE padding excluded; see [`PeImage::relocation_counts`]).
    pub relocations: Vec<Relocation>,
    /// ABSOLUTE padding entries seen in the relocation blocks.
    pub absolute_relocations: usize,
    /// True when the image has a base relocation directory.
    pub has_relocation_directory: bool,
    /// The TLS directory, if any.
    pub tls: Option<TlsDirectory>,
    /// The resource directory's RVA and size, if the image has one.
    pub resource_directory: Option<(u32, u32)>,
    /// The image as laid out in memory at its preferred base.
    layout: Vec<u8>,
}

impl fmt::Debug for PeImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeImage")
            .field("machine", &self.machine)
            .field("image_base", &format_args!("{:#x}", self.image_base))
            .field(
                "entry_point_rva",
                &format_args!("{:#x}", self.entry_point_rva),
            )
            .field("sections", &self.sections.len())
            .field("imports", &self.imports.len())
            .field("relocations", &self.relocations.len())
            .finish()
    }
}

fn u16_at(data: &[u8], off: usize) -> Option<u16> {
    let b = data.get(off..off.checked_add(2)?)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(data: &[u8], off: usize) -> Option<u32> {
    let b = data.get(off..off.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// A name from the file as printable text: invalid UTF-8 replaced, control characters
/// escaped (so a hostile name cannot break a one-line error message or a listing).
fn text(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for c in String::from_utf8_lossy(bytes).chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The page protection NT gives an image section with these characteristics.
///
/// Writable sections are copy-on-write, as in every image view. Execute-only sections are
/// mapped execute-read: on the hardware NT 4.0 ran on, executable pages were readable.
pub fn section_protection(characteristics: u32) -> PageProtection {
    let r = characteristics & SCN_MEM_READ != 0;
    let w = characteristics & SCN_MEM_WRITE != 0;
    let x = characteristics & SCN_MEM_EXECUTE != 0;
    match (x, w, r) {
        (true, true, _) => PageProtection::EXECUTE_WRITECOPY,
        (true, false, _) => PageProtection::EXECUTE_READ,
        (false, true, _) => PageProtection::WRITECOPY,
        (false, false, true) => PageProtection::READONLY,
        (false, false, false) => PageProtection::NOACCESS,
    }
}

impl PeImage {
    /// Parses and validates a PE32 image file for i386 or Alpha.
    pub fn parse(data: &[u8]) -> Result<PeImage, ImageError> {
        let dos =
            pe::ImageDosHeader::parse(data).map_err(|_| ImageError::Truncated("no MZ header"))?;
        let nt_offset = dos.nt_headers_offset() as usize;
        let sig = u32_at(data, nt_offset).ok_or(ImageError::Truncated("no PE header"))?;
        if sig != pe::IMAGE_NT_SIGNATURE {
            return Err(ImageError::Malformed(Malformation::NoPeSignature));
        }
        let machine_value =
            u16_at(data, nt_offset + 4).ok_or(ImageError::Truncated("no file header"))?;
        let machine = match machine_value {
            MACHINE_I386 => Machine::I386,
            MACHINE_ALPHA => Machine::Alpha,
            m => return Err(ImageError::UnsupportedMachine(m)),
        };
        let mut offset = u64::from(dos.nt_headers_offset());
        let optional_size = u16_at(data, nt_offset + 20).unwrap_or(0) as usize;
        let (nt, dirs) = pe::ImageNtHeaders32::parse(data, &mut offset).map_err(|e| {
            if data.len() < nt_offset + 24 + optional_size.max(96) {
                ImageError::Truncated("optional header")
            } else {
                ImageError::Malformed(Malformation::Headers(e))
            }
        })?;
        let fh = nt.file_header();
        let oh = nt.optional_header();
        let image_base = oh.image_base() as u32;
        let section_alignment = oh.section_alignment();
        let file_alignment = oh.file_alignment();
        let size_of_image = oh.size_of_image();
        let size_of_headers = oh.size_of_headers();
        if !section_alignment.is_power_of_two() || section_alignment < 0x200 {
            return Err(ImageError::Malformed(Malformation::SectionAlignment(
                section_alignment,
            )));
        }
        if !file_alignment.is_power_of_two() || file_alignment > section_alignment {
            return Err(ImageError::Malformed(Malformation::FileAlignment(
                file_alignment,
            )));
        }
        if size_of_image == 0 || size_of_image > MAX_IMAGE_SIZE {
            return Err(ImageError::Malformed(Malformation::SizeOfImage(
                size_of_image,
            )));
        }
        if size_of_headers == 0 || size_of_headers > size_of_image {
            return Err(ImageError::Malformed(Malformation::SizeOfHeaders(
                size_of_headers,
            )));
        }
        let section_table = nt
            .sections(data, offset)
            .map_err(|_| ImageError::Truncated("section table"))?;

        // Sections: validate, then lay them out.
        let mut sections = Vec::with_capacity(section_table.len());
        for sh in section_table.iter() {
            let raw_name = sh.name;
            let end = raw_name
                .iter()
                .position(|&b| b == 0)
                .unwrap_or(raw_name.len());
            let name = text(&raw_name[..end]);
            let va = sh.virtual_address.get(LE);
            let raw_size = sh.size_of_raw_data.get(LE);
            let raw_offset = sh.pointer_to_raw_data.get(LE);
            let vsize = match sh.virtual_size.get(LE) {
                0 => raw_size,
                v => v,
            };
            let characteristics = sh.characteristics.get(LE).0;
            if va % section_alignment != 0 && section_alignment >= 0x1000 {
                return Err(ImageError::Malformed(Malformation::SectionNotAligned {
                    name: name.clone(),
                    va,
                    alignment: section_alignment,
                }));
            }
            let vend = u64::from(va) + u64::from(vsize);
            if vend > u64::from(size_of_image) || va < size_of_headers.min(section_alignment) {
                return Err(ImageError::Malformed(Malformation::SectionOutside {
                    name: name.clone(),
                    va,
                    size: vsize,
                }));
            }
            // No file pointer: uninitialized data, zero-filled (see Section::file_size).
            let copy = if raw_offset == 0 {
                0
            } else {
                raw_size.min(vsize)
            };
            if copy > 0 && u64::from(raw_offset) + u64::from(copy) > data.len() as u64 {
                return Err(ImageError::SectionPastEof {
                    name,
                    offset: raw_offset,
                    size: raw_size,
                    file_len: data.len(),
                });
            }
            sections.push(Section {
                name,
                virtual_address: va,
                virtual_size: vsize,
                raw_size,
                raw_offset,
                characteristics,
                protection: section_protection(characteristics),
            });
        }
        for pair in sections.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if u64::from(a.virtual_address) + u64::from(a.virtual_size)
                > u64::from(b.virtual_address)
            {
                return Err(ImageError::OverlappingSections(
                    a.name.clone(),
                    b.name.clone(),
                ));
            }
        }

        let mut layout = vec![0u8; size_of_image as usize];
        let hdr = (size_of_headers as usize).min(data.len());
        layout[..hdr].copy_from_slice(&data[..hdr]);
        for s in &sections {
            let copy = s.file_size() as usize;
            let src = s.raw_offset as usize;
            let dst = s.virtual_address as usize;
            if copy > 0 {
                layout[dst..dst + copy].copy_from_slice(&data[src..src + copy]);
            }
        }

        let mut image = PeImage {
            machine,
            image_base,
            entry_point_rva: oh.address_of_entry_point(),
            subsystem: oh.subsystem().0,
            linker_version: (oh.major_linker_version(), oh.minor_linker_version()),
            os_version: (
                oh.major_operating_system_version(),
                oh.minor_operating_system_version(),
            ),
            subsystem_version: (oh.major_subsystem_version(), oh.minor_subsystem_version()),
            size_of_image,
            size_of_headers,
            section_alignment,
            file_alignment,
            characteristics: fh.characteristics.get(LE).0,
            dll_characteristics: oh.dll_characteristics().0,
            stack_reserve: oh.size_of_stack_reserve() as u32,
            stack_commit: oh.size_of_stack_commit() as u32,
            heap_reserve: oh.size_of_heap_reserve() as u32,
            heap_commit: oh.size_of_heap_commit() as u32,
            sections,
            imports: Vec::new(),
            exports: None,
            relocations: Vec::new(),
            absolute_relocations: 0,
            has_relocation_directory: false,
            tls: None,
            resource_directory: None,
            layout,
        };
        if image.entry_point_rva >= size_of_image {
            return Err(ImageError::Malformed(Malformation::EntryPointOutside(
                image.entry_point_rva,
            )));
        }

        let dir = |index: usize| -> Option<(u32, u32)> {
            let d = dirs.get(index)?;
            let (rva, size) = (d.virtual_address.get(LE), d.size.get(LE));
            (rva != 0).then_some((rva, size))
        };
        if let Some((rva, _)) = dir(pe::IMAGE_DIRECTORY_ENTRY_IMPORT) {
            image.parse_imports(rva)?;
        }
        if let Some((rva, size)) = dir(pe::IMAGE_DIRECTORY_ENTRY_EXPORT) {
            image.parse_exports(rva, size)?;
        }
        if let Some((rva, size)) = dir(pe::IMAGE_DIRECTORY_ENTRY_BASERELOC)
            && size != 0
        {
            image.has_relocation_directory = true;
            image.parse_relocations(rva, size)?;
        }
        if let Some((rva, _)) = dir(pe::IMAGE_DIRECTORY_ENTRY_TLS) {
            image.parse_tls(rva)?;
        }
        image.resource_directory = dir(pe::IMAGE_DIRECTORY_ENTRY_RESOURCE);
        Ok(image)
    }

    /// The laid-out bytes of `rva..rva+len`, if inside the image.
    fn bytes(&self, rva: u32, len: u32) -> Option<&[u8]> {
        let start = rva as usize;
        self.layout.get(start..start.checked_add(len as usize)?)
    }

    fn parse_imports(&mut self, rva: u32) -> Result<(), ImageError> {
        let bad = |e: object::read::Error| ImageError::Malformed(Malformation::ImportTable(e));
        let table = object::read::pe::ImportTable::new(&self.layout, 0, rva);
        let mut descriptors = table.descriptors().map_err(bad)?;
        let mut total = 0usize;
        let mut dlls = Vec::new();
        while let Some(d) = descriptors.next().map_err(bad)? {
            let name = text(table.name(d.name.get(LE)).map_err(bad)?);
            let first_thunk = d.first_thunk.get(LE);
            let lookup = match d.original_first_thunk.get(LE) {
                0 => first_thunk,
                t => t,
            };
            let mut thunks = table.thunks(lookup).map_err(bad)?;
            let mut imports = Vec::new();
            let mut i = 0u32;
            while let Some(thunk) = thunks.next::<pe::ImageNtHeaders32>().map_err(bad)? {
                total += 1;
                if total > MAX_IMPORTS {
                    return Err(ImageError::Malformed(Malformation::TooMany("imports")));
                }
                let symbol = if thunk.is_ordinal() {
                    ImportSymbol::Ordinal(thunk.ordinal())
                } else {
                    let (hint, n) = table.hint_name(thunk.address()).map_err(bad)?;
                    ImportSymbol::Name {
                        hint,
                        name: text(n),
                    }
                };
                let iat_rva = i
                    .checked_mul(4)
                    .and_then(|o| first_thunk.checked_add(o))
                    .filter(|&a| self.bytes(a, 4).is_some())
                    .ok_or({
                        ImageError::Malformed(Malformation::Outside("import address table"))
                    })?;
                imports.push(Import { symbol, iat_rva });
                i += 1;
            }
            dlls.push(ImportedDll { dll: name, imports });
        }
        self.imports = dlls;
        Ok(())
    }

    fn parse_exports(&mut self, rva: u32, size: u32) -> Result<(), ImageError> {
        let bad = |e: object::read::Error| ImageError::Malformed(Malformation::ExportTable(e));
        let data = self
            .bytes(rva, size)
            .ok_or(ImageError::Malformed(Malformation::Outside(
                "export directory",
            )))?;
        let table = object::read::pe::ExportTable::parse(data, rva).map_err(bad)?;
        // Names are often outside the directory range; read them from the whole layout.
        let name_at = |rva: u32| -> String {
            let start = rva as usize;
            let s = self.layout.get(start..).unwrap_or(&[]);
            let end = s.iter().position(|&b| b == 0).unwrap_or(s.len());
            text(&s[..end])
        };
        let dll_name = name_at(table.directory().name.get(LE));
        let mut names: BTreeMap<u16, String> = BTreeMap::new();
        for (ptr, index) in table.name_iter() {
            names.entry(index.0).or_insert_with(|| name_at(ptr));
        }
        let mut exports = Vec::new();
        for (index, addr) in table.addresses().iter().enumerate() {
            let addr = addr.get(LE);
            if addr == 0 {
                continue;
            }
            let index = u16::try_from(index)
                .map_err(|_| ImageError::Malformed(Malformation::TooMany("exports")))?;
            let target = if table.is_forward(addr) {
                ExportTarget::Forward(name_at(addr))
            } else {
                ExportTarget::Rva(addr)
            };
            exports.push(Export {
                ordinal: table.ordinal_base().wrapping_add(index),
                name: names.get(&index).cloned(),
                target,
            });
        }
        self.exports = Some(Exports {
            dll_name,
            ordinal_base: table.ordinal_base(),
            exports,
        });
        Ok(())
    }

    fn parse_relocations(&mut self, rva: u32, size: u32) -> Result<(), ImageError> {
        let bad = |m: String| ImageError::BadRelocation(m);
        let data = self
            .bytes(rva, size)
            .ok_or_else(|| bad(format!("directory {rva:#x}+{size:#x} outside the image")))?;
        let mut relocations = Vec::new();
        let mut absolute = 0usize;
        let mut off = 0usize;
        while off < data.len() {
            let (Some(page), Some(block)) = (u32_at(data, off), u32_at(data, off + 4)) else {
                return Err(bad(format!(
                    "truncated block header at {:#x}",
                    rva as usize + off
                )));
            };
            if block < 8 || block % 2 != 0 || off + block as usize > data.len() {
                return Err(bad(format!(
                    "block at {:#x} has size {block:#x}",
                    rva as usize + off
                )));
            }
            let entries = &data[off + 8..off + block as usize];
            let mut i = 0;
            while i + 1 < entries.len() {
                let e = u16::from_le_bytes([entries[i], entries[i + 1]]);
                i += 2;
                let target = page
                    .checked_add(u32::from(e & 0xFFF))
                    .ok_or_else(|| bad(format!("block page {page:#x}")))?;
                let (kind, width) = match e >> 12 {
                    0 => {
                        absolute += 1;
                        continue;
                    }
                    1 => (RelocationKind::High, 2),
                    2 => (RelocationKind::Low, 2),
                    3 => (RelocationKind::HighLow, 4),
                    4 => (RelocationKind::HighAdj, 2),
                    t => return Err(bad(format!("unsupported type {t} at {target:#x}"))),
                };
                if self.bytes(target, width).is_none() {
                    return Err(bad(format!("fixup at {target:#x} outside the image")));
                }
                let mut low = 0i16;
                if kind == RelocationKind::HighAdj {
                    if i + 1 >= entries.len() {
                        return Err(bad(format!("HIGHADJ at {target:#x} without its low half")));
                    }
                    low = i16::from_le_bytes([entries[i], entries[i + 1]]);
                    i += 2;
                }
                relocations.push(Relocation {
                    rva: target,
                    kind,
                    low,
                });
            }
            off += block as usize;
        }
        self.relocations = relocations;
        self.absolute_relocations = absolute;
        Ok(())
    }

    fn parse_tls(&mut self, rva: u32) -> Result<(), ImageError> {
        let d = self
            .bytes(rva, 24)
            .ok_or(ImageError::Malformed(Malformation::Outside(
                "TLS directory",
            )))?;
        let f = |i: usize| u32_at(d, i * 4).unwrap_or(0);
        let mut tls = TlsDirectory {
            start_address_of_raw_data: f(0),
            end_address_of_raw_data: f(1),
            address_of_index: f(2),
            address_of_callbacks: f(3),
            size_of_zero_fill: f(4),
            characteristics: f(5),
            callbacks: Vec::new(),
        };
        if tls.address_of_callbacks != 0 {
            let mut at = tls.address_of_callbacks.wrapping_sub(self.image_base);
            loop {
                let cb =
                    self.bytes(at, 4)
                        .and_then(|b| u32_at(b, 0))
                        .ok_or(ImageError::Malformed(Malformation::Outside(
                            "TLS callbacks",
                        )))?;
                if cb == 0 {
                    break;
                }
                if tls.callbacks.len() == MAX_TLS_CALLBACKS {
                    return Err(ImageError::Malformed(Malformation::TooMany(
                        "TLS callbacks",
                    )));
                }
                tls.callbacks.push(cb);
                at = at.wrapping_add(4);
            }
        }
        self.tls = Some(tls);
        Ok(())
    }

    /// Number of relocation entries of each kind (ABSOLUTE padding included; a HIGHADJ and
    /// its low-half slot count as one).
    pub fn relocation_counts(&self) -> BTreeMap<RelocationKind, usize> {
        let mut counts = BTreeMap::new();
        if self.absolute_relocations > 0 {
            counts.insert(RelocationKind::Absolute, self.absolute_relocations);
        }
        for r in &self.relocations {
            *counts.entry(r.kind).or_insert(0) += 1;
        }
        counts
    }

    /// True when the image cannot be relocated.
    pub fn relocations_stripped(&self) -> bool {
        self.characteristics & FILE_RELOCS_STRIPPED != 0 || !self.has_relocation_directory
    }

    /// True for a DLL.
    pub fn is_dll(&self) -> bool {
        self.characteristics & FILE_DLL != 0
    }

    /// The image as laid out in memory at its preferred base.
    pub fn layout(&self) -> &[u8] {
        &self.layout
    }

    /// The image's resource directory, flattened (None when it has none). The directory's
    /// size field is not trusted: the bytes read run to the end of the image.
    pub fn resources(&self) -> Result<Option<Resources>, ImageError> {
        let Some((rva, _)) = self.resource_directory else {
            return Ok(None);
        };
        let bytes = self
            .layout
            .get(rva as usize..)
            .ok_or(ImageError::Malformed(Malformation::Outside(
                "resource directory",
            )))?;
        Resources::parse(bytes, rva).map(Some)
    }

    /// The data of a resource of this image (LoadResource's bytes).
    pub fn resource_data(&self, entry: &ResourceEntry) -> Result<&[u8], ImageError> {
        self.bytes(entry.data_rva, entry.size)
            .ok_or(ImageError::Malformed(Malformation::Resource(
                "data outside the image",
            )))
    }

    /// The layout with every base relocation applied for a load at `new_base`.
    pub fn relocated_layout(&self, new_base: u32) -> Result<Vec<u8>, ImageError> {
        let mut out = self.layout.clone();
        let delta = new_base.wrapping_sub(self.image_base);
        if delta == 0 {
            return Ok(out);
        }
        for r in &self.relocations {
            let at = r.rva as usize;
            let field = out
                .get_mut(at..at + r.kind.width())
                .ok_or_else(|| r.outside())?;
            r.apply(field, delta);
        }
        Ok(out)
    }

    /// Maps the image into `space` as a `MEM_IMAGE` view and binds its imports.
    ///
    /// `base` None loads at the preferred base, or anywhere else (relocated) when that is
    /// taken; `Some(b)` loads exactly at `b`. Imports `resolver` does not provide are bound
    /// to stubs recorded in `stubs`.
    pub fn load(
        &self,
        space: &mut AddressSpace,
        base: Option<u32>,
        resolver: &mut dyn ImportResolver,
        stubs: &mut ImportStubs,
    ) -> Result<LoadedImage, ImageError> {
        load::load(self, space, base, resolver, stubs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_protections_follow_characteristics() {
        assert_eq!(
            section_protection(0x6000_0020),
            PageProtection::EXECUTE_READ
        );
        assert_eq!(
            section_protection(0x2000_0000),
            PageProtection::EXECUTE_READ
        );
        assert_eq!(
            section_protection(0xE000_0000),
            PageProtection::EXECUTE_WRITECOPY
        );
        assert_eq!(section_protection(0x4000_0040), PageProtection::READONLY);
        assert_eq!(section_protection(0xC000_0040), PageProtection::WRITECOPY);
        assert_eq!(section_protection(0xC000_0080), PageProtection::WRITECOPY);
        assert_eq!(section_protection(0x0000_0040), PageProtection::NOACCESS);
    }

    #[test]
    fn unsupported_machines_are_named() {
        let e = ImageError::UnsupportedMachine(0x8664);
        assert_eq!(e.to_string(), "unsupported machine 0x8664 (AMD64)");
        assert_eq!(
            ImageError::UnsupportedMachine(0x1234).to_string(),
            "unsupported machine 0x1234 (unrecognized)"
        );
        assert_eq!(e.status(), NtStatus::INVALID_IMAGE_FORMAT);
        assert_eq!(
            ImageError::RelocationsStripped(0x40_0000).status(),
            NtStatus::CONFLICTING_ADDRESSES
        );
    }

    #[test]
    fn names_from_files_are_printable() {
        assert_eq!(text(b".text"), ".text");
        assert_eq!(text(b"a\nb\x07"), "a\\nb\\u{7}");
        assert_eq!(text(&[0x2E, 0xFF]), ".\u{fffd}");
    }

    #[test]
    fn import_symbols_display_as_nt_reports_them() {
        let by_name = ImportSymbol::Name {
            hint: 3,
            name: "Sleep".into(),
        };
        assert_eq!(by_name.to_string(), "Sleep");
        assert_eq!(ImportSymbol::Ordinal(17).to_string(), "#17");
    }
}

/// What a file is, as far as running it goes: read from its first bytes, before any parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileKind {
    /// A 32-bit PE image of the given machine value.
    Pe32 {
        /// IMAGE_FILE_HEADER.Machine.
        machine: u16,
        /// IMAGE_FILE_DLL is set.
        dll: bool,
        /// IMAGE_OPTIONAL_HEADER.Subsystem (2 GUI, 3 console).
        subsystem: u16,
    },
    /// A PE32+ (64-bit) image of the given machine value (0x8664 x64, 0x284 AXP64).
    Pe64 {
        /// IMAGE_FILE_HEADER.Machine.
        machine: u16,
    },
    /// An MZ program with no newer header: MS-DOS.
    Dos,
    /// A 16-bit Windows or OS/2 program (NE), or a VxD/OS/2 2.x program (LE, LX).
    Windows16,
    /// A Unix ELF file.
    Elf,
    /// Text (a script, a source file...).
    Text,
    /// An empty file.
    Empty,
    /// Something else.
    Unknown,
}

impl FileKind {
    /// Identifies `data` (a file's bytes, or as many of its first bytes as it has).
    pub fn of(data: &[u8]) -> FileKind {
        if data.is_empty() {
            return FileKind::Empty;
        }
        if data.starts_with(b"\x7fELF") {
            return FileKind::Elf;
        }
        if data.starts_with(b"MZ") {
            let Some(offset) = u32_at(data, 0x3C).map(|o| o as usize) else {
                return FileKind::Dos;
            };
            match data.get(offset..offset.saturating_add(4)) {
                Some([b'P', b'E', 0, 0]) => {}
                Some([b'N', b'E', ..] | [b'L', b'E', ..] | [b'L', b'X', ..]) => {
                    return FileKind::Windows16;
                }
                _ => return FileKind::Dos,
            }
            let machine = u16_at(data, offset + 4).unwrap_or(0);
            let characteristics = u16_at(data, offset + 22).unwrap_or(0);
            let magic = u16_at(data, offset + 24).unwrap_or(0);
            if magic == 0x20B {
                return FileKind::Pe64 { machine };
            }
            return FileKind::Pe32 {
                machine,
                dll: characteristics & 0x2000 != 0,
                subsystem: u16_at(data, offset + 24 + 68).unwrap_or(0),
            };
        }
        // Text: no NUL and valid UTF-8 (a character cut at the sample's end allowed).
        let sample = &data[..data.len().min(4096)];
        let utf8 = match std::str::from_utf8(sample) {
            Ok(_) => true,
            Err(e) => e.error_len().is_none() && e.valid_up_to() + 4 > sample.len(),
        };
        if utf8 && !sample.contains(&0) {
            FileKind::Text
        } else {
            FileKind::Unknown
        }
    }
}
