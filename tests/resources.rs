//! Resources of a program's own image through KERNEL32 and USER32: tests/guests/src/res.c
//! (resources in res.rc) loads strings, finds its bitmap and checks its header and size,
//! finds named, numbered and per-language resources with NT 4.0's error codes, and
//! enumerates types, names and languages through guest callbacks (nested as well).

mod common;

use common::{expected, guest, run_captured};
use ntemu::RunOptions;

#[test]
fn x86_program_reads_its_own_resources_as_on_nt4() {
    let run = run_captured(&guest("x86/res.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/res.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn the_bitmap_the_program_found_is_the_one_it_was_built_with() {
    // res.bmp less its 14-byte file header is the resource: res.exe reports that size and
    // the header's fields.
    let bmp = std::fs::read(guest("src/res.bmp")).expect("res.bmp");
    let out = expected("expected/res.expected");
    assert!(
        out.contains(&format!("bitmap_size: {}\n", bmp.len() - 14)),
        "{out}"
    );
    let width = u32::from_le_bytes([bmp[18], bmp[19], bmp[20], bmp[21]]);
    assert!(out.contains(&format!("bitmap_width: {width}\n")), "{out}");
}

/// FNV-1a, as resfile.exe computes it.
fn fnv(bytes: &[u8]) -> u32 {
    bytes.iter().fold(2_166_136_261u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(16_777_619)
    })
}

/// Sokoban (from the corpus) mapped as a data file by an x86 guest: its five tile bitmaps
/// are 616-byte 32x32 4-bit DIBs whose bytes are the corpus's .bmp files less their file
/// headers, level #3000 is its first level's text, it has no string table, and FreeLibrary
/// unmaps it. Both builds (an Alpha image is data to an x86 program).
#[test]
fn sokoban_bitmaps_and_level_from_the_guest_side() {
    let Some(exe) = common::corpus("ntgames/sokoban/sokoban-x86.exe") else {
        return;
    };
    let folder = exe.parent().expect("folder").to_path_buf();
    let mut files = std::collections::BTreeMap::new();
    for name in ["forklift", "crate", "truck-empty", "truck-full", "wall"] {
        let bytes = std::fs::read(folder.join(format!("{name}.bmp"))).expect("bmp");
        files.insert(format!("{:#010x}", fnv(&bytes[14..])), name);
    }
    let level = std::fs::read_to_string(folder.join("levels/l00.sok")).ok();
    for build in ["sokoban-x86.exe", "sokoban-axp.exe"] {
        let options = RunOptions {
            drives: vec![ntemu::Mount::new('S', &folder, true)],
            args: vec![format!("S:\\{build}")],
            ..RunOptions::default()
        };
        let run = run_captured(&guest("x86/resfile.exe"), options);
        assert_eq!(run.report.exit_code, 0, "{build}: {}", run.stderr);
        let out = &run.stdout;
        assert!(out.starts_with("loaded: 1\ntagged: 1\n"), "{build}: {out}");
        let mut seen = Vec::new();
        for n in 201..=205 {
            let prefix = format!("bitmap {n}: size 616 header 40 32x32 bpp 4 fnv ");
            let line = out
                .lines()
                .find(|l| l.starts_with(&prefix))
                .unwrap_or_else(|| panic!("{build}: no {prefix}: {out}"));
            let sum = &line[prefix.len()..];
            let file = files
                .get(sum)
                .unwrap_or_else(|| panic!("{build}: bitmap {n} is no .bmp of the corpus: {line}"));
            seen.push(*file);
        }
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 5, "{build}: every tile once: {seen:?}");
        assert!(out.contains("level_size: 72\n"), "{build}: {out}");
        assert!(
            out.contains("level:\n  ######\n ##  ..#\n"),
            "{build}: {out}"
        );
        if let Some(level) = &level {
            // The first level file holds the same board (the resource compiler kept it).
            let board: String = level.lines().take(2).collect::<Vec<_>>().join("\n");
            assert!(out.contains(&board), "{build}: {board:?} in {out}");
        }
        assert!(
            out.ends_with(
                "string: 0\nstring_error: 1813\nenum_bitmaps: 1\nbitmaps: 5\nnot_a_module: 1\nfree: 1\nfreed: 0\nfreed_error: 1812\n"
            ),
            "{build}: {out}"
        );
    }
}

/// FormatMessage(FORMAT_MESSAGE_FROM_HMODULE) reads the program's RT_MESSAGETABLE (from
/// msgtab.mc): inserts, a second language, ids a table lacks (ERROR_MR_MID_NOT_FOUND), the
/// system table behind it, a language it lacks (ERROR_RESOURCE_LANG_NOT_FOUND), and the W
/// form with IGNORE_INSERTS.
#[test]
fn format_message_reads_the_programs_message_tables() {
    let run = run_captured(&guest("x86/msgtab.exe"), RunOptions::default());
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("table.\r\n"), "messages end in CR LF");
    assert_eq!(
        run.stdout.replace("\r\n", "\n"),
        expected("expected/msgtab.expected"),
        "{}",
        run.stderr
    );
}

/// The same from an Alpha guest (tests/guests/src/alpha/resfile.s), which maps sokoban's x86
/// build as data: the resource functions through the Alpha calling standard, and
/// EnumResourceNamesA calling an Alpha callback.
#[test]
fn alpha_guest_reads_sokobans_resources_through_a_data_file() {
    let Some(exe) = common::corpus("ntgames/sokoban/sokoban-x86.exe") else {
        return;
    };
    let folder = exe.parent().expect("folder").to_path_buf();
    let options = RunOptions {
        drives: vec![ntemu::Mount::new('S', &folder, true)],
        ..RunOptions::default()
    };
    let run = run_captured(&guest("alpha/resfile.exe"), options);
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "loaded: 1\ntagged: 1\nbitmap_size: 616\nbitmap_header: 40\nbitmap_width: 32\nenum_bitmaps: 1\nbitmaps: 5\nstring: 0\nstring_error: 1813\nfree: 1\n"
    );
}
