//! Malformed input: every case is an error, nothing panics.

mod common;

use common::synthetic_alpha;
use pe_image::memory::{AddressSpace, PageSize};
use pe_image::{ImageError, ImportStubs, NoImports, PeImage};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn u16_at(b: &[u8], o: usize) -> usize {
    u16::from_le_bytes([b[o], b[o + 1]]) as usize
}

fn u32_at(b: &[u8], o: usize) -> usize {
    u32::from_le_bytes(b[o..o + 4].try_into().unwrap()) as usize
}

fn set_u16(b: &mut [u8], o: usize, v: u16) {
    b[o..o + 2].copy_from_slice(&v.to_le_bytes());
}

fn set_u32(b: &mut [u8], o: usize, v: u32) {
    b[o..o + 4].copy_from_slice(&v.to_le_bytes());
}

/// Offsets of the PE structures of a well-formed image.
struct Layout {
    file_header: usize,
    optional_header: usize,
    sections: usize,
    section_count: usize,
}

fn layout(b: &[u8]) -> Layout {
    let nt = u32_at(b, 0x3C);
    let file_header = nt + 4;
    let optional_header = file_header + 20;
    Layout {
        file_header,
        optional_header,
        sections: optional_header + u16_at(b, file_header + 16),
        section_count: u16_at(b, file_header + 2),
    }
}

fn section_named(b: &[u8], name: &[u8]) -> usize {
    let l = layout(b);
    (0..l.section_count)
        .map(|i| l.sections + 40 * i)
        .find(|&h| b[h..h + 8].starts_with(name))
        .expect("section")
}

fn base_image() -> Vec<u8> {
    synthetic_alpha(0x2000).bytes
}

#[track_caller]
fn assert_err(bytes: &[u8]) -> ImageError {
    match PeImage::parse(bytes) {
        Ok(_) => panic!("malformed image parsed"),
        Err(e) => e,
    }
}

#[test]
fn the_unmodified_base_image_parses() {
    assert!(PeImage::parse(&base_image()).is_ok());
}

#[test]
fn truncated_headers() {
    let b = base_image();
    let l = layout(&b);
    for len in [
        0,
        1,
        2,
        0x3F,
        0x40,
        l.file_header - 2,
        l.file_header + 10,
        l.optional_header + 50,
        l.sections + 20,
    ] {
        let e = assert_err(&b[..len]);
        assert!(
            matches!(e, ImageError::Truncated(_) | ImageError::Malformed(_)),
            "{len}: {e}"
        );
    }
    assert!(matches!(assert_err(&b[..0x20]), ImageError::Truncated(_)));
}

#[test]
fn sections_past_end_of_file() {
    let b = base_image();
    let h = section_named(&b, b".reloc");
    let raw = u32_at(&b, h + 20);
    let e = assert_err(&b[..raw + 4]);
    assert!(
        matches!(e, ImageError::SectionPastEof { ref name, .. } if name == ".reloc"),
        "{e}"
    );
    let mut m = b.clone();
    set_u32(&mut m, h + 20, 0xFFFF_FF00);
    assert!(matches!(assert_err(&m), ImageError::SectionPastEof { .. }));
}

#[test]
fn overlapping_sections() {
    let b = base_image();
    let text = section_named(&b, b".text");
    let data = section_named(&b, b".data");
    let mut m = b.clone();
    let text_va = u32_at(&b, text + 12) as u32;
    set_u32(&mut m, data + 12, text_va);
    let e = assert_err(&m);
    assert!(
        matches!(e, ImageError::OverlappingSections(ref a, ref c) if a == ".text" && c == ".data"),
        "{e}"
    );
    // A section that grows into the next one.
    let mut m = b.clone();
    set_u32(&mut m, text + 8, 0x2001);
    assert!(matches!(
        assert_err(&m),
        ImageError::OverlappingSections(..)
    ));
}

#[test]
fn huge_counts_and_sizes() {
    let b = base_image();
    let l = layout(&b);
    let mut m = b.clone();
    set_u16(&mut m, l.file_header + 2, 0xFFFF);
    assert_err(&m);
    let mut m = b.clone();
    set_u32(&mut m, l.optional_header + 56, 0xFFFF_FFFF); // SizeOfImage
    assert_err(&m);
    let mut m = b.clone();
    set_u32(&mut m, l.optional_header + 92, 0xFFFF_FFFF); // NumberOfRvaAndSizes
    assert_err(&m);
    let mut m = b.clone();
    set_u16(&mut m, l.file_header + 16, 0xFFFF); // SizeOfOptionalHeader
    assert_err(&m);
    // Export directory claiming 2^32-1 functions and names.
    let e = section_named(&b, b".edata");
    let raw = u32_at(&b, e + 20);
    for field in [20, 24] {
        let mut m = b.clone();
        set_u32(&mut m, raw + field, 0xFFFF_FFFF);
        assert_err(&m);
    }
    // Import descriptor whose name and thunk RVAs point far outside the image.
    let i = section_named(&b, b".idata");
    let raw = u32_at(&b, i + 20);
    for field in [0, 12] {
        let mut m = b.clone();
        set_u32(&mut m, raw + field, 0x7FFF_FFF0);
        assert_err(&m);
    }
}

#[test]
fn relocation_blocks_with_bad_sizes() {
    let b = base_image();
    let h = section_named(&b, b".reloc");
    let raw = u32_at(&b, h + 20);
    for size in [0u32, 2, 7, 9, 0x1000_0000, 0xFFFF_FFF8] {
        let mut m = b.clone();
        set_u32(&mut m, raw + 4, size);
        let e = assert_err(&m);
        assert!(matches!(e, ImageError::BadRelocation(_)), "{size:#x}: {e}");
    }
    // A fixup far outside the image.
    let mut m = b.clone();
    set_u32(&mut m, raw, 0x7000_0000);
    assert!(matches!(assert_err(&m), ImageError::BadRelocation(_)));
    // An unknown relocation type (the first entry is the HIGHADJ).
    let mut m = b.clone();
    set_u16(&mut m, raw + 8, 0xB000);
    assert!(assert_err(&m).to_string().contains("unsupported type 11"));
}

#[test]
fn other_machines_are_rejected_by_name() {
    let b = base_image();
    let l = layout(&b);
    for (machine, name) in [
        (0x8664u16, "AMD64"),
        (0x166, "MIPS"),
        (0x1F0, "PowerPC"),
        (0x284, "Alpha64"),
    ] {
        let mut m = b.clone();
        set_u16(&mut m, l.file_header, machine);
        let e = assert_err(&m);
        assert_eq!(e, ImageError::UnsupportedMachine(machine));
        let text = e.to_string();
        assert!(
            text.contains(&format!("{machine:#06x}")) && text.contains(name),
            "{text}"
        );
        assert_eq!(e.status(), nt_status::NtStatus::INVALID_IMAGE_FORMAT);
    }
}

#[test]
fn random_bytes() {
    let mut runner = TestRunner::new(Config {
        cases: 2000,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&proptest::collection::vec(any::<u8>(), 0..2048), |bytes| {
            prop_assert!(PeImage::parse(&bytes).is_err());
            // With a valid MZ header pointing at random bytes.
            let mut m = bytes.clone();
            if m.len() >= 0x40 {
                m[0] = b'M';
                m[1] = b'Z';
                m[0x3C..0x40].copy_from_slice(&0x40u32.to_le_bytes());
                prop_assert!(PeImage::parse(&m).is_err());
            }
            Ok(())
        })
        .unwrap();
}

/// A mutation applied to a well-formed image.
#[derive(Clone, Debug)]
enum Mutation {
    Byte(usize, u8),
    Word(usize, u32),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (0usize..0x400, any::<u8>()).prop_map(|(o, v)| Mutation::Byte(o, v)),
        3 => (0usize..usize::MAX, any::<u8>()).prop_map(|(o, v)| Mutation::Byte(o, v)),
        3 => (0usize..0x400, prop_oneof![Just(0u32), Just(u32::MAX), Just(0x8000_0000), Just(0x7FFF_FFFF), any::<u32>()])
            .prop_map(|(o, v)| Mutation::Word(o, v)),
        1 => (0usize..usize::MAX).prop_map(Mutation::Truncate),
    ]
}

fn apply(image: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut m = image.to_vec();
    for mu in mutations {
        match *mu {
            Mutation::Byte(o, v) => {
                let len = m.len();
                if len > 0 {
                    m[o % len] = v;
                }
            }
            Mutation::Word(o, v) => {
                if o + 4 <= m.len() {
                    m[o..o + 4].copy_from_slice(&v.to_le_bytes());
                }
            }
            Mutation::Truncate(n) => {
                let len = m.len();
                m.truncate(n % (len + 1));
            }
        }
    }
    m
}

fn seeds() -> Vec<Vec<u8>> {
    let dir = pe_image::corpus::root();
    let mut seeds = Vec::new();
    for name in [
        "x86/snake.exe",
        "x86/2048.exe",
        "alpha/aclock.exe",
        "alpha/snake.exe",
    ] {
        if let Ok(b) = std::fs::read(dir.join(name)) {
            seeds.push(b);
        }
    }
    if seeds.is_empty() {
        // The synthetic image is still mutated; the corpus seeds are a bonus.
        pe_image::corpus::absent(&dir);
    }
    seeds.push(synthetic_alpha(0x2000).bytes);
    seeds.push(synthetic_alpha(0x1000).bytes);
    seeds
}

#[test]
fn ten_thousand_random_mutations_never_panic() {
    let seeds = seeds();
    // One space per page size, reused: each successful load is unmapped again.
    let mut x86 = AddressSpace::new(PageSize::X86).unwrap();
    let mut alpha = AddressSpace::new(PageSize::Alpha).unwrap();
    let mut x86_stubs = ImportStubs::new(&mut x86).unwrap();
    let mut alpha_stubs = ImportStubs::new(&mut alpha).unwrap();
    let state = std::cell::RefCell::new((0usize, 0usize));
    let mut runner = TestRunner::new(Config {
        cases: 10_000,
        failure_persistence: None,
        ..Config::default()
    });
    let spaces = std::cell::RefCell::new((&mut x86, &mut x86_stubs, &mut alpha, &mut alpha_stubs));
    runner
        .run(
            &(0..seeds.len(), proptest::collection::vec(mutation(), 1..6)),
            |(seed, mutations)| {
                let bytes = apply(&seeds[seed], &mutations);
                let mut counts = state.borrow_mut();
                match PeImage::parse(&bytes) {
                    Err(e) => {
                        counts.1 += 1;
                        // Every error renders as one line.
                        prop_assert!(!e.to_string().contains('\n'));
                    }
                    Ok(image) => {
                        counts.0 += 1;
                        let mut guard = spaces.borrow_mut();
                        let (x, xs, a, as_) = &mut *guard;
                        let (space, stubs) = match image.machine.page_size() {
                            PageSize::X86 => (&mut **x, &mut **xs),
                            PageSize::Alpha => (&mut **a, &mut **as_),
                        };
                        if let Ok(loaded) = image.load(space, None, &mut NoImports, stubs) {
                            space.unmap_view(loaded.base).unwrap();
                        }
                    }
                }
                Ok(())
            },
        )
        .unwrap();
    let (ok, err) = *state.borrow();
    println!("mutations: {ok} parsed, {err} rejected");
    assert_eq!(ok + err, 10_000);
    assert!(err > 0, "some mutations must break the image");
}
