//! Fuzzes `PeImage::parse` and, for inputs that parse, `PeImage::load` into a real address
//! space (relocation, protections, import binding), then unmaps the view again; reads the
//! resource directory of those that parse.
//!
//! Run (stable toolchain): `RUSTC_BOOTSTRAP=1 cargo fuzz run pe_image fuzz/corpus/pe_image
//! ../shared/corpus/x86 ../shared/corpus/alpha -- -max_len=262144`

#![no_main]

use std::sync::Mutex;

use libfuzzer_sys::fuzz_target;
use pe_image::memory::{AddressSpace, PageSize};
use pe_image::{ImportStubs, NoImports, PeImage};

struct Process {
    space: AddressSpace,
    stubs: ImportStubs,
    loads: u32,
}

fn process(page: PageSize) -> Process {
    let mut space = AddressSpace::new(page).expect("host mapping");
    let stubs = ImportStubs::new(&mut space).expect("stub region");
    Process {
        space,
        stubs,
        loads: 0,
    }
}

static X86: Mutex<Option<Process>> = Mutex::new(None);
static ALPHA: Mutex<Option<Process>> = Mutex::new(None);

fuzz_target!(|data: &[u8]| {
    let image = match PeImage::parse(data) {
        Ok(image) => image,
        Err(e) => {
            // Errors are one printable line (the CLI prints them as such).
            assert!(!e.to_string().contains(['\n', '\r']), "{e:?}");
            return;
        }
    };
    let _ = image.relocation_counts();
    // The resource tree and each resource's data (the typed readers are proptested in
    // pe-image's resources tests).
    if let Ok(Some(resources)) = image.resources() {
        for e in resources.entries() {
            let _ = image.resource_data(e);
        }
    }
    let page = image.machine.page_size();
    let slot = match page {
        PageSize::X86 => &X86,
        PageSize::Alpha => &ALPHA,
    };
    let mut guard = slot.lock().unwrap_or_else(|e| e.into_inner());
    // A fresh process now and then, so stub addresses never run out.
    if guard.as_ref().is_none_or(|p| p.loads >= 20_000) {
        *guard = Some(process(page));
    }
    let Some(p) = guard.as_mut() else { return };
    p.loads += 1;
    let before = (p.space.committed_bytes(), p.space.reserved_bytes());
    if let Ok(loaded) = image.load(&mut p.space, None, &mut NoImports, &mut p.stubs) {
        p.space
            .unmap_view(loaded.base)
            .expect("unmap a loaded image");
    }
    // Loading and unloading (or failing to load) leaves the space as it was.
    assert_eq!(
        before,
        (p.space.committed_bytes(), p.space.reserved_bytes())
    );
});
