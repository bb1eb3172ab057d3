//! The real NT programs in ../shared/corpus/: parse, load at the preferred base, relocate.

use std::path::PathBuf;

use pe_image::memory::{AddressSpace, AllocationType, GuestMemory, PageProtection};
use pe_image::{ImportResolver, ImportStubs, ImportSymbol, Machine, PeImage, RelocationKind};

fn corpus_dir() -> Option<PathBuf> {
    pe_image::corpus::dir()
}

fn read(dir: &std::path::Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

const IMAGES: [&str; 8] = [
    "x86/aclock.exe",
    "alpha/aclock.exe",
    "x86/ntvi.exe",
    "alpha/ntvi.exe",
    "x86/2048.exe",
    "alpha/2048.exe",
    "x86/snake.exe",
    "alpha/snake.exe",
];

/// A provider that knows a few KERNEL32 exports and hands out fake thunk addresses.
struct TestProvider {
    next: u32,
    calls: Vec<(String, ImportSymbol, u32)>,
}

impl ImportResolver for TestProvider {
    fn resolve(&mut self, dll: &str, symbol: &ImportSymbol) -> Option<u32> {
        let known = dll.eq_ignore_ascii_case("KERNEL32.dll")
            && matches!(symbol, ImportSymbol::Name { name, .. }
                if name == "GetLocalTime" || name == "Sleep");
        if !known {
            return None;
        }
        self.next += 0x10;
        self.calls
            .push((dll.to_string(), symbol.clone(), self.next));
        Some(self.next)
    }
}

fn imports_of(image: &PeImage, dll: &str) -> usize {
    image
        .imports
        .iter()
        .filter(|d| d.dll.eq_ignore_ascii_case(dll))
        .map(|d| d.imports.len())
        .sum()
}

#[test]
fn all_eight_load_at_their_base() {
    let Some(dir) = corpus_dir() else { return };
    for name in IMAGES {
        let image = PeImage::parse(&read(&dir, name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(image.image_base, 0x40_0000, "{name}");
        let expected = if name.starts_with("x86") {
            Machine::I386
        } else {
            Machine::Alpha
        };
        assert_eq!(image.machine, expected, "{name}");
        let mut space = AddressSpace::new(image.machine.page_size()).unwrap();
        let mut stubs = ImportStubs::new(&mut space).unwrap();
        let mut provider = TestProvider {
            next: 0x7000_0000,
            calls: Vec::new(),
        };
        let loaded = image
            .load(&mut space, None, &mut provider, &mut stubs)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(loaded.base, 0x40_0000, "{name}");
        assert_eq!(loaded.delta, 0);
        assert_eq!(loaded.entry_point, 0x40_0000 + image.entry_point_rva);
        let q = space.query(0x40_0000).unwrap();
        assert_eq!(q.memory_type as u32, 0x100_0000, "{name}: MEM_IMAGE");
        assert_eq!(q.allocation_protect, PageProtection::EXECUTE_WRITECOPY);
        assert_eq!(q.protect, PageProtection::READONLY, "{name}: headers");
        // Headers are mapped: "MZ" at the base.
        assert_eq!(space.read_u16(0x40_0000).unwrap(), 0x5A4D);
        // The entry point is executable.
        assert!(
            space.fetch_u32(loaded.entry_point).is_ok(),
            "{name}: entry not executable"
        );
        // Every import slot holds its provider address or its stub.
        let total: usize = image.imports.iter().map(|d| d.imports.len()).sum();
        assert_eq!(loaded.imports_resolved + loaded.imports_stubbed, total);
        for dll in &image.imports {
            for imp in &dll.imports {
                let slot = space.read_u32(loaded.va(imp.iat_rva)).unwrap();
                match stubs.lookup(slot) {
                    Some(stub) => {
                        assert!(stub.dll.eq_ignore_ascii_case(&dll.dll));
                        assert_eq!(stub.symbol, imp.symbol);
                        assert_eq!(stub.to_string(), format!("{}!{}", dll.dll, imp.symbol));
                    }
                    None => assert!(
                        provider
                            .calls
                            .iter()
                            .any(|c| c.2 == slot && c.1 == imp.symbol),
                        "{name}: {}!{} bound to {slot:#x}",
                        dll.dll,
                        imp.symbol
                    ),
                }
            }
        }
        // Reaching a stub is an execute fault at the stub address.
        if let Some((addr, _)) = stubs.iter().next() {
            assert_eq!(space.fetch_u32(addr).unwrap_err().addr, addr);
        }
        // Sections have the protections their characteristics ask for.
        for s in &image.sections {
            if s.virtual_size == 0 {
                continue;
            }
            let p = space.query(loaded.va(s.virtual_address)).unwrap().protect;
            assert_eq!(p, s.protection, "{name} {}", s.name);
        }
    }
}

#[test]
fn import_counts_match_the_corpus_readme() {
    let Some(dir) = corpus_dir() else { return };
    let check = |name: &str, dll: &str, n: usize| {
        let image = PeImage::parse(&read(&dir, name)).unwrap();
        assert_eq!(imports_of(&image, dll), n, "{name} {dll}");
    };
    check("x86/aclock.exe", "KERNEL32.dll", 61);
    check("alpha/aclock.exe", "KERNEL32.dll", 46);
    check("alpha/aclock.exe", "USER32.dll", 1);
    check("x86/ntvi.exe", "KERNEL32.dll", 87);
    check("alpha/ntvi.exe", "KERNEL32.dll", 78);
    let alpha = PeImage::parse(&read(&dir, "alpha/aclock.exe")).unwrap();
    assert_eq!(alpha.imports.len(), 2);
    assert_eq!(alpha.entry_point_rva + alpha.image_base, 0x4034f0);
    let user32 = alpha
        .imports
        .iter()
        .find(|d| d.dll.eq_ignore_ascii_case("USER32.dll"))
        .unwrap();
    assert!(
        matches!(&user32.imports[0].symbol, ImportSymbol::Name { name, .. } if name == "wsprintfA")
    );
    for game in [
        "x86/2048.exe",
        "alpha/2048.exe",
        "x86/snake.exe",
        "alpha/snake.exe",
    ] {
        let image = PeImage::parse(&read(&dir, game)).unwrap();
        assert!(imports_of(&image, "USER32.dll") > 0, "{game}");
        assert!(imports_of(&image, "GDI32.dll") > 0, "{game}");
    }
}

#[test]
fn only_the_x86_games_carry_relocations() {
    let Some(dir) = corpus_dir() else { return };
    for name in IMAGES {
        let image = PeImage::parse(&read(&dir, name)).unwrap();
        let highlow = image
            .relocation_counts()
            .get(&RelocationKind::HighLow)
            .copied()
            .unwrap_or(0);
        let expected = match name {
            "x86/2048.exe" => 703,
            "x86/snake.exe" => 566,
            _ => 0,
        };
        assert_eq!(highlow, expected, "{name}");
        assert_eq!(image.relocations.len(), expected, "{name}: only HIGHLOW");
    }
}

#[test]
fn stripped_images_fail_clearly_when_their_base_is_taken() {
    let Some(dir) = corpus_dir() else { return };
    let image = PeImage::parse(&read(&dir, "alpha/aclock.exe")).unwrap();
    let mut space = AddressSpace::new(image.machine.page_size()).unwrap();
    let mut stubs = ImportStubs::new(&mut space).unwrap();
    space
        .allocate(
            0x40_0000,
            0x1000,
            AllocationType::RESERVE,
            PageProtection::READWRITE,
        )
        .unwrap();
    let err = image
        .load(&mut space, None, &mut pe_image::NoImports, &mut stubs)
        .unwrap_err();
    assert!(err.to_string().contains("no relocations"), "{err}");
    assert!(err.to_string().contains("0x400000"), "{err}");
    assert_eq!(space.committed_bytes(), 0, "nothing left mapped");
}

#[test]
fn x86_games_load_relocated() {
    let Some(dir) = corpus_dir() else { return };
    for name in ["x86/2048.exe", "x86/snake.exe"] {
        let image = PeImage::parse(&read(&dir, name)).unwrap();
        let mut space = AddressSpace::new(image.machine.page_size()).unwrap();
        let mut stubs = ImportStubs::new(&mut space).unwrap();
        // Take the preferred base, so the loader must relocate.
        space
            .allocate(
                0x40_0000,
                0x1000,
                AllocationType::RESERVE,
                PageProtection::READWRITE,
            )
            .unwrap();
        let loaded = image
            .load(&mut space, None, &mut pe_image::NoImports, &mut stubs)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_ne!(loaded.base, 0x40_0000);
        assert_eq!(loaded.delta, loaded.base.wrapping_sub(0x40_0000));
        assert_eq!(loaded.entry_point, loaded.base + image.entry_point_rva);
        // Every HIGHLOW slot now holds the original value plus the delta, and the original
        // pointers pointed into the image.
        let original = image.layout();
        let mut checked = 0;
        for r in &image.relocations {
            let at = r.rva as usize;
            let before = u32::from_le_bytes(original[at..at + 4].try_into().unwrap());
            let mut now = [0u8; 4];
            space.kernel_read(loaded.va(r.rva), &mut now).unwrap();
            assert_eq!(
                u32::from_le_bytes(now),
                before.wrapping_add(loaded.delta),
                "{name} {:#x}",
                r.rva
            );
            checked += 1;
        }
        assert_eq!(checked, image.relocations.len());
        // A few relocated pointers land inside the relocated image.
        for r in image.relocations.iter().take(5) {
            let mut now = [0u8; 4];
            space.kernel_read(loaded.va(r.rva), &mut now).unwrap();
            let p = u32::from_le_bytes(now);
            assert!(
                p >= loaded.base && p < loaded.base + loaded.size,
                "{name}: {p:#x}"
            );
        }
        // Also at an explicit base.
        let mut space2 = AddressSpace::new(image.machine.page_size()).unwrap();
        let mut stubs2 = ImportStubs::new(&mut space2).unwrap();
        let at = image
            .load(
                &mut space2,
                Some(0x1000_0000),
                &mut pe_image::NoImports,
                &mut stubs2,
            )
            .unwrap();
        assert_eq!(at.delta, 0x0FC0_0000);
    }
}

/// Sokoban keeps its five tiles as 616-byte 16x16 4-bit bitmaps (#201-#205), one icon with
/// its group (#101), and its levels as RCDATA #3000-#3085; both builds carry the same tree.
#[test]
fn sokoban_resources_as_its_resource_compiler_wrote_them() {
    use pe_image::resources::rt;
    use pe_image::templates::{BitmapInfo, IconGroup};
    use pe_image::{ResourceId, ResourceMissing};
    for rel in [
        "ntgames/sokoban/sokoban-x86.exe",
        "ntgames/sokoban/sokoban-axp.exe",
    ] {
        let Some(path) = pe_image::corpus::file(rel) else {
            return;
        };
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let image = PeImage::parse(&bytes).expect("parses");
        let resources = image.resources().expect("directory").expect("has one");
        assert_eq!(resources.entries().len(), 93, "{rel}");
        let bitmaps = resources.names(&ResourceId::Id(rt::BITMAP));
        assert_eq!(bitmaps.len(), 5, "{rel}");
        for n in 201..=205 {
            let e = resources
                .lookup(&ResourceId::Id(rt::BITMAP), &ResourceId::Id(n), 0)
                .expect("bitmap");
            assert_eq!((e.size, e.language), (616, 0x409), "{rel} #{n}");
            let info = BitmapInfo::parse(image.resource_data(e).expect("data")).expect("DIB");
            assert_eq!(info.header_size, 40, "{rel} #{n}");
            // The pixels fill the rest of the resource exactly.
            let bits = info.stride() * info.height.unsigned_abs();
            assert_eq!(info.bits_offset + bits, 616, "{rel} #{n}: {info:?}");
        }
        let group = resources
            .lookup(&ResourceId::Id(rt::GROUP_ICON), &ResourceId::Id(101), 0)
            .expect("icon group");
        let icons = IconGroup::parse(image.resource_data(group).expect("data")).expect("group");
        assert_eq!(icons.entries.len(), 1, "{rel}");
        let levels = resources.names(&ResourceId::Id(rt::RCDATA));
        assert_eq!(levels.len(), 86, "{rel}");
        assert_eq!(
            resources
                .lookup(&ResourceId::Id(rt::STRING), &ResourceId::Id(1), 0)
                .err(),
            Some(ResourceMissing::Type),
            "{rel}: sokoban has no string table"
        );
    }
}

/// The other corpus programs have no resource directory at all (their linkers wrote none).
#[test]
fn corpus_programs_without_resources_say_so() {
    for rel in IMAGES {
        let Some(dir) = corpus_dir() else { return };
        let image = PeImage::parse(&read(&dir, rel)).expect("parses");
        assert_eq!(image.resources().expect("no error"), None, "{rel}");
    }
}
