//! The loader's mapping work one step at a time, for a loader that runs each step as part
//! of a transaction (nt-kernel's DLL loader): reserve the view, copy the image into it,
//! apply its base relocations, give its pages their protections. [`PeImage::load`] does
//! the same in one call for a process's own image.

use nt_memory::{
    ALLOCATION_GRANULARITY, AddressSpace, LOWEST_USER_ADDRESS, MemoryError, MemoryType,
    PageProtection, USER_END,
};

use crate::{ImageError, Malformation, PeImage};

fn fault(f: nt_memory::Fault) -> ImageError {
    ImageError::Malformed(Malformation::LoaderFault(f))
}

fn usable(base: u32, size: u32) -> bool {
    base.is_multiple_of(ALLOCATION_GRANULARITY)
        && base >= LOWEST_USER_ADDRESS
        && u64::from(base) + u64::from(size) <= u64::from(USER_END)
}

/// Read (1), write (2) and execute (4) bits of a protection.
fn bits_of(p: PageProtection) -> u8 {
    match p.base() {
        PageProtection::READONLY => 1,
        PageProtection::WRITECOPY | PageProtection::READWRITE => 3,
        PageProtection::EXECUTE | PageProtection::EXECUTE_READ => 5,
        PageProtection::EXECUTE_WRITECOPY | PageProtection::EXECUTE_READWRITE => 7,
        _ => 0,
    }
}

/// The image-view protection with those bits (writable pages are copy-on-write).
fn protection_of(bits: u8) -> PageProtection {
    match (bits & 4 != 0, bits & 2 != 0, bits & 1 != 0) {
        (true, true, _) => PageProtection::EXECUTE_WRITECOPY,
        (true, false, _) => PageProtection::EXECUTE_READ,
        (false, true, _) => PageProtection::WRITECOPY,
        (false, false, true) => PageProtection::READONLY,
        (false, false, false) => PageProtection::NOACCESS,
    }
}

impl PeImage {
    /// Reserves and commits the image's `MEM_IMAGE` view (SizeOfImage bytes, zero-filled):
    /// exactly at `base` when given, otherwise at the preferred base, or anywhere when that
    /// is taken or unusable and the image can be relocated
    /// ([`ImageError::RelocationsStripped`] when it cannot). Returns the view's base.
    pub fn reserve_view(
        &self,
        space: &mut AddressSpace,
        base: Option<u32>,
    ) -> Result<u32, ImageError> {
        let size = self.size_of_image;
        let view = |space: &mut AddressSpace, at: u32| {
            space.map_view(
                at,
                size,
                MemoryType::Image,
                PageProtection::EXECUTE_WRITECOPY,
            )
        };
        let want = base.unwrap_or(self.image_base);
        let mapped = if usable(want, size) {
            view(space, want)
        } else {
            Err(MemoryError::InvalidParameter(
                "image base not 64 KiB aligned inside the user range",
            ))
        };
        match mapped {
            Ok(b) => Ok(b),
            Err(e) if base.is_some() => Err(e.into()),
            Err(MemoryError::ConflictingAddresses { .. } | MemoryError::InvalidParameter(_)) => {
                if self.relocations_stripped() {
                    return Err(ImageError::RelocationsStripped(self.image_base));
                }
                Ok(view(space, 0)?)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Copies the headers and each section's file data into the view at `base` (the rest of
    /// the view stays zero, as uninitialized data must).
    pub fn copy_into_view(&self, space: &mut AddressSpace, base: u32) -> Result<(), ImageError> {
        let layout = self.layout();
        let mut ranges = vec![(0u32, self.size_of_headers)];
        ranges.extend(
            self.sections
                .iter()
                .map(|s| (s.virtual_address, s.file_size())),
        );
        for (rva, len) in ranges {
            let start = rva as usize;
            let bytes = layout
                .get(start..start.saturating_add(len as usize))
                .ok_or(ImageError::Malformed(Malformation::RangeOutside {
                    rva,
                    len,
                }))?;
            space
                .kernel_write(base.wrapping_add(rva), bytes)
                .map_err(fault)?;
        }
        Ok(())
    }

    /// Applies every base relocation for the view at `base` (none when it is the preferred
    /// base). Returns how many fixups were applied.
    pub fn relocate_view(&self, space: &mut AddressSpace, base: u32) -> Result<usize, ImageError> {
        let delta = base.wrapping_sub(self.image_base);
        if delta == 0 {
            return Ok(0);
        }
        if self.relocations_stripped() {
            return Err(ImageError::RelocationsStripped(self.image_base));
        }
        let mut field = [0u8; 4];
        for r in &self.relocations {
            let f = &mut field[..r.kind.width()];
            let at = base.wrapping_add(r.rva);
            space.kernel_read(at, f).map_err(fault)?;
            r.apply(f, delta);
            space.kernel_write(at, f).map_err(fault)?;
        }
        Ok(self.relocations.len())
    }

    /// Gives the view's pages their protections: the headers read-only, every other page
    /// the union of the sections that touch it (writable ones copy-on-write).
    pub fn protect_view(&self, space: &mut AddressSpace, base: u32) -> Result<(), ImageError> {
        let page = space.page_size().bytes();
        let pages = self.size_of_image.div_ceil(page) as usize;
        let mut bits = vec![0u8; pages];
        let header_pages = self.size_of_headers.div_ceil(page) as usize;
        for b in bits.iter_mut().take(header_pages.min(pages)) {
            *b |= 1;
        }
        for s in &self.sections {
            if s.virtual_size == 0 || pages == 0 {
                continue;
            }
            let first = (s.virtual_address / page) as usize;
            let last = ((u64::from(s.virtual_address) + u64::from(s.virtual_size) - 1)
                / u64::from(page)) as usize;
            for b in bits.iter_mut().take(last.min(pages - 1) + 1).skip(first) {
                *b |= bits_of(s.protection);
            }
        }
        let mut i = 0;
        while i < pages {
            let mut j = i + 1;
            while j < pages && bits[j] == bits[i] {
                j += 1;
            }
            let at = base + (i as u32) * page;
            space.protect(at, (j - i) as u32 * page, protection_of(bits[i]))?;
            i = j;
        }
        Ok(())
    }

    /// Writes `address` into the import address table slot at `iat_rva` of the view at
    /// `base` (whatever the page's protection, as the loader does).
    pub fn bind_slot(
        &self,
        space: &mut AddressSpace,
        base: u32,
        iat_rva: u32,
        address: u32,
    ) -> Result<(), ImageError> {
        space
            .kernel_write(base.wrapping_add(iat_rva), &address.to_le_bytes())
            .map_err(fault)
    }

    /// The export `symbol` names, as the loader resolves an import or GetProcAddress: by
    /// name (exact, case-sensitive) or by ordinal.
    pub fn find_export(&self, symbol: &crate::ImportSymbol) -> Option<&crate::Export> {
        let exports = self.exports.as_ref()?;
        match symbol {
            crate::ImportSymbol::Name { name, .. } => exports
                .exports
                .iter()
                .find(|e| e.name.as_deref() == Some(name.as_str())),
            crate::ImportSymbol::Ordinal(o) => exports.exports.iter().find(|e| e.ordinal == *o),
        }
    }
}
