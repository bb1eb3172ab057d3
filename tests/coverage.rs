//! API coverage of the real NT console programs in ../shared/corpus/ (skipped with a message
//! when the folder is absent): every function x86 and Alpha aclock.exe and ntvi.exe, and
//! every console program of ntutils/ (elvis and its tools, xvi, Open Watcom vi, figlet),
//! import must be implemented by a builtin DLL. The GUI games (2048, snake) need USER32/GDI32
//! windowing, which is future work: their coverage is reported in the README's table
//! (tests/readme.rs) but not asserted here.

use std::path::PathBuf;

use ntemu::Coverage;
use ntemu::image::PeImage;

/// The corpus's console programs.
const CONSOLE_IMAGES: [&str; 17] = [
    "x86/aclock.exe",
    "alpha/aclock.exe",
    "x86/ntvi.exe",
    "alpha/ntvi.exe",
    "ntutils/elvis/ctags.exe",
    "ntutils/elvis/elvis.exe",
    "ntutils/elvis/ex.exe",
    "ntutils/elvis/fmt.exe",
    "ntutils/elvis/ls.exe",
    "ntutils/elvis/ref.exe",
    "ntutils/elvis/vi.exe",
    "ntutils/elvis/view.exe",
    "ntutils/figlet/figlet-x86.exe",
    "ntutils/owvi/vi-axp.exe",
    "ntutils/owvi/vi-x86.exe",
    "ntutils/xvi/xvi-axp.exe",
    "ntutils/xvi/xvi-x86.exe",
];

fn coverage_of(rel: &str) -> Option<Coverage> {
    let path = ntemu::image::corpus::file(rel)?;
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let image = PeImage::parse(&bytes).unwrap_or_else(|e| panic!("{rel}: {e}"));
    Some(Coverage::of(&image))
}

#[test]
fn every_console_program_import_is_implemented() {
    let mut gaps = Vec::new();
    for rel in CONSOLE_IMAGES {
        let Some(coverage) = coverage_of(rel) else {
            continue;
        };
        let missing: Vec<String> = coverage
            .missing()
            .iter()
            .map(|i| format!("{}!{}", i.dll, i.function))
            .collect();
        if !missing.is_empty() {
            gaps.push(format!(
                "{rel}: {:.1} % ({} of {}); missing: {}",
                coverage.percent(),
                coverage.implemented(),
                coverage.imports.len(),
                missing.join(", ")
            ));
        }
    }
    assert!(
        gaps.is_empty(),
        "console programs import functions ntemu does not implement:\n{}",
        gaps.join("\n")
    );
}

/// The coverage computation itself, on bundled images whose imports are known: hello.exe
/// imports only implemented functions; missing.exe imports one function on purpose that no
/// DLL has (tests/guests/src/missing.def).
#[test]
fn coverage_counts_implemented_and_missing_imports() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guests/x86");
    let load = |name: &str| {
        let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        Coverage::of(&PeImage::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}")))
    };
    let hello = load("hello.exe");
    assert!(!hello.imports.is_empty());
    assert_eq!(hello.implemented(), hello.imports.len());
    assert_eq!(hello.percent(), 100.0);
    let missing = load("missing.exe");
    let names: Vec<&str> = missing
        .missing()
        .iter()
        .map(|i| i.function.as_str())
        .collect();
    assert_eq!(names, ["NtemuNeverImplemented"]);
    assert_eq!(missing.implemented(), missing.imports.len() - 1);
}
