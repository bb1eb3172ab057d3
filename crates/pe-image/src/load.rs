//! Mapping an image into an address space and binding its imports.

use std::collections::BTreeMap;
use std::fmt;

use nt_memory::{
    ALLOCATION_GRANULARITY, AddressSpace, AllocationType, LOWEST_USER_ADDRESS, MemoryError,
    MemoryType, PageProtection, USER_END,
};

use crate::{ImageError, ImportSymbol, PeImage};

/// Provides the addresses of imported functions: the builtin DLLs implement this.
pub trait ImportResolver {
    /// The guest address of `dll!symbol`, or None when this provider does not export it.
    /// `dll` is the name as the importing image spells it.
    fn resolve(&mut self, dll: &str, symbol: &ImportSymbol) -> Option<u32>;
}

/// A resolver that provides nothing: every import is bound to a stub.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoImports;

impl ImportResolver for NoImports {
    fn resolve(&mut self, _dll: &str, _symbol: &ImportSymbol) -> Option<u32> {
        None
    }
}

/// An import nobody provides, bound to a stub address.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ImportStub {
    /// The DLL name as the importer spells it.
    pub dll: String,
    /// The imported symbol.
    pub symbol: ImportSymbol,
}

impl fmt::Display for ImportStub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}!{}", self.dll, self.symbol)
    }
}

/// Stub addresses for unresolved imports, per process.
///
/// The stubs live in a reserved, never committed region, so reaching one (by call or jump)
/// is an execute fault at the stub address; [`ImportStubs::lookup`] then names the import,
/// which is how the kernel reports `DLL!name` for a function ntemu does not implement.
#[derive(Clone, Debug)]
pub struct ImportStubs {
    base: u32,
    size: u32,
    next: u32,
    by_address: BTreeMap<u32, ImportStub>,
    by_symbol: BTreeMap<(String, ImportSymbol), u32>,
}

/// Bytes between consecutive stubs.
const STUB_SPACING: u32 = 4;
/// Size of the stub region.
const STUB_REGION: u32 = 0x10_0000;

impl ImportStubs {
    /// Reserves the stub region (1 MiB, top-down) in `space`.
    pub fn new(space: &mut AddressSpace) -> Result<ImportStubs, MemoryError> {
        let (base, size) = space.allocate(
            0,
            STUB_REGION,
            AllocationType::RESERVE | AllocationType::TOP_DOWN,
            PageProtection::NOACCESS,
        )?;
        Ok(ImportStubs {
            base,
            size,
            next: base,
            by_address: BTreeMap::new(),
            by_symbol: BTreeMap::new(),
        })
    }

    /// The stub region: (base, size).
    pub fn region(&self) -> (u32, u32) {
        (self.base, self.size)
    }

    /// The import whose stub is at `addr`.
    pub fn lookup(&self, addr: u32) -> Option<&ImportStub> {
        self.by_address.get(&addr)
    }

    /// Every stub, by address.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &ImportStub)> {
        self.by_address.iter().map(|(&a, s)| (a, s))
    }

    /// The stub address for `dll!symbol`, allocating one on first use.
    pub fn stub_for(&mut self, dll: &str, symbol: &ImportSymbol) -> Result<u32, ImageError> {
        let key = (dll.to_ascii_uppercase(), symbol.clone());
        if let Some(&a) = self.by_symbol.get(&key) {
            return Ok(a);
        }
        if u64::from(self.next) + u64::from(STUB_SPACING)
            > u64::from(self.base) + u64::from(self.size)
        {
            return Err(ImageError::Malformed(crate::Malformation::OutOfStubs));
        }
        let addr = self.next;
        self.next += STUB_SPACING;
        self.by_symbol.insert(key, addr);
        self.by_address.insert(
            addr,
            ImportStub {
                dll: dll.to_string(),
                symbol: symbol.clone(),
            },
        );
        Ok(addr)
    }
}

/// An image mapped into an address space.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LoadedImage {
    /// Where it was mapped.
    pub base: u32,
    /// SizeOfImage.
    pub size: u32,
    /// Entry point address (0 when the image has none).
    pub entry_point: u32,
    /// `base - preferred base` (wrapping): 0 when loaded at the preferred base.
    pub delta: u32,
    /// Imports bound to provider addresses.
    pub imports_resolved: usize,
    /// Imports bound to stubs.
    pub imports_stubbed: usize,
    /// The DLLs the image imports from, as it names them, in its order.
    pub imported_dlls: Vec<String>,
}

impl LoadedImage {
    /// The virtual address of an RVA of this image.
    pub fn va(&self, rva: u32) -> u32 {
        self.base.wrapping_add(rva)
    }
}

fn usable_base(base: u32, size: u32) -> bool {
    base.is_multiple_of(ALLOCATION_GRANULARITY)
        && base >= LOWEST_USER_ADDRESS
        && u64::from(base) + u64::from(size) <= u64::from(USER_END)
}

pub(crate) fn load(
    image: &PeImage,
    space: &mut AddressSpace,
    base: Option<u32>,
    resolver: &mut dyn ImportResolver,
    stubs: &mut ImportStubs,
) -> Result<LoadedImage, ImageError> {
    let size = image.size_of_image;
    let view = |space: &mut AddressSpace, at: u32| {
        space.map_view(
            at,
            size,
            MemoryType::Image,
            PageProtection::EXECUTE_WRITECOPY,
        )
    };
    let want = base.unwrap_or(image.image_base);
    let mapped = if usable_base(want, size) {
        view(space, want)
    } else {
        Err(MemoryError::InvalidParameter(
            "image base not 64 KiB aligned inside the user range",
        ))
    };
    let actual = match mapped {
        Ok(b) => b,
        // An explicit base is loaded exactly there or not at all.
        Err(e) if base.is_some() => return Err(e.into()),
        // The preferred base is taken or unusable: relocate anywhere, if the image can be.
        Err(MemoryError::ConflictingAddresses { .. } | MemoryError::InvalidParameter(_)) => {
            if image.relocations_stripped() {
                return Err(ImageError::RelocationsStripped(image.image_base));
            }
            view(space, 0)?
        }
        Err(e) => return Err(e.into()),
    };
    if actual != image.image_base && image.relocations_stripped() {
        let _ = space.unmap_view(actual);
        return Err(ImageError::RelocationsStripped(image.image_base));
    }
    match map_contents(image, space, actual, resolver, stubs) {
        Ok(loaded) => Ok(loaded),
        Err(e) => {
            let _ = space.unmap_view(actual);
            Err(e)
        }
    }
}

fn map_contents(
    image: &PeImage,
    space: &mut AddressSpace,
    base: u32,
    resolver: &mut dyn ImportResolver,
    stubs: &mut ImportStubs,
) -> Result<LoadedImage, ImageError> {
    let fault = |f: nt_memory::Fault| ImageError::Malformed(crate::Malformation::LoaderFault(f));
    // A fresh view reads as zero: copy only the headers and the sections' file data, so a
    // large uninitialized section costs no host memory until the guest touches it.
    let layout = image.layout();
    let mut ranges = vec![(0u32, image.size_of_headers)];
    ranges.extend(
        image
            .sections
            .iter()
            .map(|s| (s.virtual_address, s.file_size())),
    );
    for (rva, len) in ranges {
        let start = rva as usize;
        let Some(bytes) = layout.get(start..start.saturating_add(len as usize)) else {
            return Err(ImageError::Malformed(crate::Malformation::RangeOutside {
                rva,
                len,
            }));
        };
        space
            .kernel_write(base.wrapping_add(rva), bytes)
            .map_err(fault)?;
    }
    // Base relocations, applied in place.
    let delta = base.wrapping_sub(image.image_base);
    if delta != 0 {
        let mut field = [0u8; 4];
        for r in &image.relocations {
            let f = &mut field[..r.kind.width()];
            let at = base.wrapping_add(r.rva);
            space.kernel_read(at, f).map_err(fault)?;
            r.apply(f, delta);
            space.kernel_write(at, f).map_err(fault)?;
        }
    }

    // Page protections: each page gets the union of the sections that touch it.
    image.protect_view(space, base)?;

    // Imports.
    let (mut resolved, mut stubbed) = (0, 0);
    for dll in &image.imports {
        for imp in &dll.imports {
            let target = match resolver.resolve(&dll.dll, &imp.symbol) {
                Some(a) => {
                    resolved += 1;
                    a
                }
                None => {
                    stubbed += 1;
                    stubs.stub_for(&dll.dll, &imp.symbol)?
                }
            };
            space
                .kernel_write(base.wrapping_add(imp.iat_rva), &target.to_le_bytes())
                .map_err(fault)?;
        }
    }
    Ok(LoadedImage {
        base,
        size: image.size_of_image,
        entry_point: if image.entry_point_rva == 0 {
            0
        } else {
            base.wrapping_add(image.entry_point_rva)
        },
        delta: base.wrapping_sub(image.image_base),
        imports_resolved: resolved,
        imports_stubbed: stubbed,
        imported_dlls: image.imports.iter().map(|d| d.dll.clone()).collect(),
    })
}
