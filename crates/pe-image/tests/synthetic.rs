//! A synthetic Alpha image: HIGHADJ/HIGH/LOW/HIGHLOW relocations, imports, exports, TLS,
//! uninitialized data and every supported section alignment.

mod common;

use common::synthetic_alpha;
use pe_image::memory::{AddressSpace, AllocationType, GuestMemory, PageProtection};
use pe_image::{
    ExportTarget, ImportResolver, ImportStubs, ImportSymbol, Machine, PeImage, RelocationKind,
};

fn disp(space: &AddressSpace, addr: u32) -> u16 {
    (space.fetch_u32(addr).unwrap() & 0xFFFF) as u16
}

/// The address an ldah/lda pair at `addr` builds.
fn pair_value(space: &AddressSpace, addr: u32) -> u32 {
    let hi = u32::from(disp(space, addr)) << 16;
    hi.wrapping_add(i32::from(disp(space, addr + 4) as i16) as u32)
}

struct Kernel32;

impl ImportResolver for Kernel32 {
    fn resolve(&mut self, dll: &str, symbol: &ImportSymbol) -> Option<u32> {
        (dll.eq_ignore_ascii_case("kernel32.dll") && *symbol == ImportSymbol::Ordinal(5))
            .then_some(0x7F00_1000)
    }
}

#[test]
fn parses_headers_imports_exports_tls() {
    let s = synthetic_alpha(0x2000);
    let image = PeImage::parse(&s.bytes).unwrap();
    assert_eq!(image.machine, Machine::Alpha);
    assert_eq!(image.image_base, s.base);
    assert_eq!(image.entry_point_rva, s.text_rva);
    assert_eq!(image.subsystem, 3);
    assert_eq!(image.linker_version, (6, 0));
    assert_eq!(
        (image.stack_reserve, image.stack_commit),
        (0x10_0000, 0x2000)
    );
    assert_eq!((image.heap_reserve, image.heap_commit), (0x10_0000, 0x1000));
    assert_eq!(image.imports.len(), 1);
    assert_eq!(image.imports[0].dll, "KERNEL32.dll");
    assert_eq!(
        image.imports[0]
            .imports
            .iter()
            .map(|i| i.symbol.clone())
            .collect::<Vec<_>>(),
        vec![
            ImportSymbol::Name {
                hint: 0x42,
                name: "ExitProcess".into()
            },
            ImportSymbol::Ordinal(5)
        ]
    );
    let exports = image.exports.as_ref().unwrap();
    assert_eq!(exports.dll_name, "synth.dll");
    assert_eq!(exports.exports.len(), 2);
    assert_eq!(exports.exports[0].ordinal, 1);
    assert_eq!(exports.exports[0].name.as_deref(), Some("AlphaFunc"));
    assert_eq!(exports.exports[0].target, ExportTarget::Rva(s.text_rva));
    assert_eq!(exports.exports[1].ordinal, 2);
    assert_eq!(exports.exports[1].name, None);
    let tls = image.tls.as_ref().unwrap();
    assert_eq!(tls.address_of_index, s.base + s.data_rva + 0x30);
    assert_eq!(tls.start_address_of_raw_data, s.base + s.data_rva + 0x50);
    assert_eq!(tls.size_of_zero_fill, 0x10);
    assert_eq!(tls.callbacks, vec![s.base + s.text_rva + 16]);
    let counts = image.relocation_counts();
    assert_eq!(counts.get(&RelocationKind::HighAdj), Some(&1));
    assert_eq!(counts.get(&RelocationKind::Low), Some(&2));
    assert_eq!(counts.get(&RelocationKind::High), Some(&1));
    assert_eq!(counts.get(&RelocationKind::HighLow), Some(&6));
    let adj = image
        .relocations
        .iter()
        .find(|r| r.kind == RelocationKind::HighAdj)
        .unwrap();
    assert_eq!(adj.low as u16, s.adj_value as u16);
}

#[test]
fn every_section_alignment_loads_with_zeroed_bss() {
    for align in [0x1000, 0x2000, 0x1_0000] {
        let s = synthetic_alpha(align);
        let image = PeImage::parse(&s.bytes).unwrap_or_else(|e| panic!("{align:#x}: {e}"));
        assert_eq!(image.section_alignment, align);
        let mut space = AddressSpace::new(image.machine.page_size()).unwrap();
        let mut stubs = ImportStubs::new(&mut space).unwrap();
        let loaded = image
            .load(&mut space, None, &mut Kernel32, &mut stubs)
            .unwrap();
        assert_eq!(loaded.base, s.base);
        // At the preferred base the code builds the addresses it was linked with.
        assert_eq!(pair_value(&space, loaded.entry_point), s.adj_value);
        assert_eq!(pair_value(&space, loaded.entry_point + 8), s.high_low_value);
        // .bss reads as zero and is writable.
        let bss = loaded.va(s.bss_rva);
        assert_eq!(space.read_u64(bss).unwrap(), 0);
        assert_eq!(space.read_u8(bss + s.bss_size - 1).unwrap(), 0);
        space.write_u32(bss, 1).unwrap();
        // Code is execute-read, not writable.
        assert_eq!(
            space.query(loaded.entry_point).unwrap().protect,
            PageProtection::EXECUTE_READ
        );
        assert!(space.write_u32(loaded.entry_point, 0).is_err());
        // Imports: ordinal 5 from the provider, ExitProcess to a stub naming it.
        let iat = &image.imports[0].imports;
        let by_name = space.read_u32(loaded.va(iat[0].iat_rva)).unwrap();
        let by_ordinal = space.read_u32(loaded.va(iat[1].iat_rva)).unwrap();
        assert_eq!(by_ordinal, 0x7F00_1000);
        assert_eq!(
            stubs.lookup(by_name).unwrap().to_string(),
            "KERNEL32.dll!ExitProcess"
        );
        assert_eq!((loaded.imports_resolved, loaded.imports_stubbed), (1, 1));
    }
}

/// Open Watcom's linker writes `.bss` with a SizeOfRawData but PointerToRawData 0 (the
/// Alpha build of its vi does). NT and Wine treat a section without a file pointer as
/// uninitialized data: its pages read as zero, not as the file's first bytes.
#[test]
fn a_section_without_a_file_pointer_is_zero_filled_whatever_its_raw_size() {
    let mut s = synthetic_alpha(0x2000);
    // Find the .bss section header and give it a raw size, as Open Watcom's linker does.
    let pe = u32::from_le_bytes(s.bytes[0x3c..0x40].try_into().unwrap()) as usize;
    let count = u16::from_le_bytes(s.bytes[pe + 6..pe + 8].try_into().unwrap()) as usize;
    let optional = u16::from_le_bytes(s.bytes[pe + 20..pe + 22].try_into().unwrap()) as usize;
    let table = pe + 24 + optional;
    let header = (0..count)
        .map(|k| table + 40 * k)
        .find(|&h| &s.bytes[h..h + 4] == b".bss")
        .expect(".bss header");
    assert_eq!(
        &s.bytes[header + 20..header + 24],
        &[0; 4],
        "no file pointer"
    );
    s.bytes[header + 16..header + 20].copy_from_slice(&0x400u32.to_le_bytes());
    let image = PeImage::parse(&s.bytes).unwrap();
    let bss = image.sections.iter().find(|x| x.name == ".bss").unwrap();
    assert_eq!(
        (bss.raw_size, bss.raw_offset, bss.file_size()),
        (0x400, 0, 0)
    );
    let mut space = AddressSpace::new(image.machine.page_size()).unwrap();
    let mut stubs = ImportStubs::new(&mut space).unwrap();
    let loaded = image
        .load(&mut space, None, &mut Kernel32, &mut stubs)
        .unwrap();
    let at = loaded.va(s.bss_rva);
    let mut bytes = vec![0xAAu8; 0x400];
    space.read_bytes(at, &mut bytes).unwrap();
    assert!(
        bytes.iter().all(|&b| b == 0),
        "the DOS header is not copied in"
    );
    let layout = &image.layout()[s.bss_rva as usize..][..0x400];
    assert!(layout.iter().all(|&b| b == 0));
}

#[test]
fn highadj_carries_into_the_high_half_when_relocated() {
    let s = synthetic_alpha(0x2000);
    let image = PeImage::parse(&s.bytes).unwrap();
    let mut space = AddressSpace::new(image.machine.page_size()).unwrap();
    let mut stubs = ImportStubs::new(&mut space).unwrap();
    space
        .allocate(
            s.base,
            0x1000,
            AllocationType::RESERVE,
            PageProtection::NOACCESS,
        )
        .unwrap();
    let loaded = image
        .load(&mut space, None, &mut Kernel32, &mut stubs)
        .unwrap();
    assert_ne!(loaded.base, s.base);
    let delta = loaded.delta;
    assert_eq!(
        pair_value(&space, loaded.entry_point),
        s.adj_value.wrapping_add(delta)
    );
    assert_eq!(
        pair_value(&space, loaded.entry_point + 8),
        s.high_low_value.wrapping_add(delta)
    );
    // The HIGHADJ result is the rounded high half, not a plain add of delta >> 16.
    let new_value = s.adj_value.wrapping_add(delta);
    assert_eq!(
        u32::from(disp(&space, loaded.entry_point)),
        new_value.wrapping_add(0x8000) >> 16
    );
    // HIGHLOW data and TLS pointers moved by the delta.
    let d = loaded.va(s.data_rva);
    assert_eq!(space.read_u32(d).unwrap(), new_value);
    assert_eq!(
        space.read_u32(d + 0x18).unwrap(),
        (s.base + s.data_rva + 0x30).wrapping_add(delta)
    );
    assert_eq!(space.read_u32(d + 0x40).unwrap(), loaded.entry_point + 16);
}

#[test]
fn relocation_arithmetic_for_deltas_with_a_low_half() {
    // Loads are 64 KiB aligned, so delta's low half is 0 there; the fixup arithmetic itself
    // must also hold for any delta (carry out of LOW, borrow into HIGHADJ).
    let s = synthetic_alpha(0x2000);
    let image = PeImage::parse(&s.bytes).unwrap();
    let t = s.text_rva as usize;
    for delta in [
        0x9000u32,
        0x8000,
        0x7FFF,
        0x1_7544,
        0xFFFF_8000,
        0x1234_5678,
        0,
    ] {
        let new_base = s.base.wrapping_add(delta);
        let out = image.relocated_layout(new_base).unwrap();
        let half = |o: usize| u16::from_le_bytes([out[t + o], out[t + o + 1]]);
        let built = (u32::from(half(0)) << 16).wrapping_add(i32::from(half(4) as i16) as u32);
        assert_eq!(
            built,
            s.adj_value.wrapping_add(delta),
            "HIGHADJ+LOW, delta {delta:#x}"
        );
        let high = u32::from(half(8));
        assert_eq!(
            high,
            (s.high_low_value >> 16).wrapping_add(delta >> 16) & 0xFFFF,
            "HIGH"
        );
        assert_eq!(
            half(12),
            (s.high_low_value as u16).wrapping_add(delta as u16),
            "LOW"
        );
    }
}

#[test]
fn explicit_bases_are_exact_and_unusable_preferred_bases_relocate() {
    let s = synthetic_alpha(0x2000);
    let image = PeImage::parse(&s.bytes).unwrap();
    let mut space = AddressSpace::new(image.machine.page_size()).unwrap();
    let mut stubs = ImportStubs::new(&mut space).unwrap();
    // Unaligned or kernel-range explicit bases fail; nothing is left mapped.
    for bad in [0x0041_2000, 0x8000_0000, 0] {
        let e = image.load(&mut space, Some(bad), &mut Kernel32, &mut stubs);
        assert!(e.is_err(), "{bad:#x}");
    }
    let at = image
        .load(&mut space, Some(0x0100_0000), &mut Kernel32, &mut stubs)
        .unwrap();
    assert_eq!(at.base, 0x0100_0000);
    // The same explicit base again conflicts instead of relocating.
    let e = image
        .load(&mut space, Some(0x0100_0000), &mut Kernel32, &mut stubs)
        .unwrap_err();
    assert_eq!(e.status(), nt_status::NtStatus::CONFLICTING_ADDRESSES);
    space.unmap_view(at.base).unwrap();
    assert_eq!(space.committed_bytes(), 0);

    // A preferred base in the kernel half: relocated into user space.
    let mut bytes = s.bytes.clone();
    let nt = u32::from_le_bytes(bytes[0x3C..0x40].try_into().unwrap()) as usize;
    let image_base_field = nt + 4 + 20 + 28;
    bytes[image_base_field..image_base_field + 4].copy_from_slice(&0x8040_0000u32.to_le_bytes());
    // (Its TLS callback pointers would now lie outside the image: drop the TLS directory.)
    let tls_dir = nt + 4 + 20 + 96 + 9 * 8;
    bytes[tls_dir..tls_dir + 8].fill(0);
    let high = PeImage::parse(&bytes).unwrap();
    let loaded = high
        .load(&mut space, None, &mut Kernel32, &mut stubs)
        .unwrap();
    assert!(loaded.base < 0x7FFF_0000);
    assert_eq!(loaded.delta, loaded.base.wrapping_sub(0x8040_0000));
    // The code was linked for 0x400000, so it moves by the same delta as the header base.
    let expected = s.adj_value.wrapping_add(loaded.delta);
    assert_eq!(pair_value(&space, loaded.entry_point), expected);
}
