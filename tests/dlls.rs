//! The builtin DLLs as a whole: one crate per DLL with dependencies pointing one way, NT 4.0's
//! export catalogues, module handles and GetProcAddress against them (tests/guests/*/procaddr),
//! and the Wine-style relay trace (`--trace relay`, `WINEDEBUG=+relay`).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{Scratch, agrees_with_wine, expected, guest, run_captured};
use ntemu::win32::catalogue::Catalogue;
use ntemu::{DebugChannels, NtStatus, RunOptions};

fn procaddr(arch: &str) {
    let run = run_captured(
        &guest(&format!("{arch}/procaddr.exe")),
        RunOptions::default(),
    );
    assert_eq!(run.stdout, expected("expected/procaddr.expected"), "{arch}");
    assert!(
        run.stderr
            .contains("unimplemented: KERNEL32.dll!CmdBatNotification called from 0x"),
        "{arch}: {}",
        run.stderr
    );
    assert_eq!(
        run.report.exit_code,
        NtStatus::ENTRYPOINT_NOT_FOUND.0,
        "{arch}"
    );
}

#[test]
fn x86_module_handles_and_get_proc_address_follow_the_nt4_catalogue() {
    procaddr("x86");
}

#[test]
fn alpha_module_handles_and_get_proc_address_follow_the_nt4_catalogue() {
    procaddr("alpha");
}

#[test]
fn procaddr_expectations_agree_with_wine() {
    agrees_with_wine("expected/procaddr.expected", "expected/procaddr.wine");
}

/// Runs tests/guests/ARCH/files.exe with the relay trace on (with `exclude` left out) and
/// returns its stderr.
fn relay_of_files(arch: &str, spec: &str) -> String {
    let root = Scratch::new("relay");
    let marker = root.path().join("marker-outside");
    std::fs::write(&marker, b"x").expect("marker");
    let drive = root.path().join("c");
    std::fs::create_dir(&drive).expect("drive");
    let mut options = RunOptions {
        root: Some(drive),
        args: vec![marker.display().to_string()],
        ..RunOptions::default()
    };
    DebugChannels::parse_lenient(spec).apply(&mut options);
    run_captured(&guest(&format!("{arch}/files.exe")), options).stderr
}

fn relay_shows_decoded_file_names(arch: &str) {
    let trace = relay_of_files(arch, "+relay");
    let call = trace
        .lines()
        .find(|l| l.contains(":Call KERNEL32.CreateFileA(") && l.contains("\"a.txt\""))
        .unwrap_or_else(|| panic!("{arch}: no CreateFileA call of a.txt in\n{trace}"));
    // 0008:Call KERNEL32.CreateFileA(00403000 "a.txt",c0000000,...) ret=00401234
    let (tid, rest) = call.split_once(":Call ").expect("thread id");
    assert_eq!(tid.len(), 4, "{call}");
    assert!(u32::from_str_radix(tid, 16).is_ok(), "{call}");
    let args = rest
        .strip_prefix("KERNEL32.CreateFileA(")
        .and_then(|r| r.split_once(") ret="))
        .map(|(a, ret)| (a.to_string(), ret.to_string()))
        .expect("Wine's Call line");
    let (args, ret) = args;
    assert_eq!(ret.len(), 8, "{call}");
    let caller = u32::from_str_radix(&ret, 16).expect("hex return address");
    assert!((0x0040_0000..0x0050_0000).contains(&caller), "{call}");
    let fields: Vec<&str> = args.split(',').collect();
    assert_eq!(fields.len(), 7, "seven arguments: {call}");
    assert!(fields[0].ends_with(" \"a.txt\""), "{call}");
    assert!(fields[1..].iter().all(|f| f.len() == 8), "{call}");
    // The matching Ret line follows, with retval= and the same ret=.
    let after = &trace[trace.find(call).expect("line") + call.len()..];
    let ret_line = after
        .lines()
        .find(|l| l.contains(":Ret  KERNEL32.CreateFileA()"))
        .expect("a Ret line");
    assert!(ret_line.starts_with(tid), "{ret_line}");
    assert!(ret_line.contains(" retval="), "{ret_line}");
    assert!(ret_line.ends_with(&format!(" ret={ret}")), "{ret_line}");
}

#[test]
fn x86_relay_trace_shows_calls_and_returns_as_wine_prints_them() {
    relay_shows_decoded_file_names("x86");
}

#[test]
fn alpha_relay_trace_shows_calls_and_returns_as_wine_prints_them() {
    relay_shows_decoded_file_names("alpha");
}

#[test]
fn relay_channels_can_be_left_out() {
    let all = relay_of_files("x86", "+relay");
    assert!(all.contains("KERNEL32.CreateFileA("));
    assert!(all.contains("KERNEL32.WriteFile("));
    // `file` is the module channel of kernel32's file functions.
    let no_files = relay_of_files("x86", "+relay,-file");
    assert!(!no_files.contains("KERNEL32.CreateFileA("), "{no_files}");
    assert!(no_files.contains("KERNEL32.GetStdHandle("), "{no_files}");
    let no_write = relay_of_files("x86", "+relay,-KERNEL32.WriteFile");
    assert!(!no_write.contains("KERNEL32.WriteFile("), "{no_write}");
    assert!(no_write.contains("KERNEL32.CreateFileA("), "{no_write}");
    assert!(!relay_of_files("x86", "+relay,-relay").contains(":Call "));
}

/// The crates a manifest's `[dependencies]` section names (as `NAME.workspace = true`).
fn dependencies_of(manifest: &str) -> BTreeSet<String> {
    let mut deps = BTreeSet::new();
    let mut in_deps = false;
    for line in manifest.lines() {
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps && let Some((name, _)) = line.split_once('.') {
            deps.insert(name.trim().to_string());
        }
    }
    deps
}

/// The workspace's DLL crates: crate directory name -> the crates it depends on.
fn dll_dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut map = BTreeMap::new();
    for entry in std::fs::read_dir(root.join("crates/dlls")).expect("crates/dlls") {
        let dir = entry.expect("entry").path();
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml");
        let deps = dependencies_of(&manifest);
        let name = dir
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        map.insert(name, deps);
    }
    map
}

#[test]
fn dll_crates_depend_one_way() {
    let deps = dll_dependencies();
    let dlls: BTreeSet<String> = deps.keys().cloned().collect();
    for expected in [
        "ntdll", "kernel32", "msvcrt", "user32", "gdi32", "advapi32", "wsock32", "version", "winmm",
    ] {
        assert!(dlls.contains(expected), "crates/dlls/{expected} is missing");
    }
    // Every DLL crate stands on the shared crate, never on the facade or the CLI.
    for (dll, uses) in &deps {
        assert!(
            uses.contains("win32"),
            "{dll} does not use the shared win32 crate"
        );
        assert!(!uses.contains("ntemu"), "{dll} reaches up to the facade");
    }
    // No cycle among the DLL crates: a topological order exists.
    let mut placed: BTreeSet<String> = BTreeSet::new();
    while placed.len() < dlls.len() {
        let next: Vec<String> = deps
            .iter()
            .filter(|(d, uses)| {
                !placed.contains(*d)
                    && uses
                        .iter()
                        .filter(|u| dlls.contains(*u))
                        .all(|u| placed.contains(u))
            })
            .map(|(d, _)| d.clone())
            .collect();
        assert!(
            !next.is_empty(),
            "a cycle among {:?}",
            dlls.difference(&placed)
        );
        placed.extend(next);
    }
    // The shared crate knows no DLL (its [dependencies]: `version.workspace` in [package]
    // is its version, not the VERSION.dll crate).
    let shared = dependencies_of(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("crates/win32/Cargo.toml"),
        )
        .expect("crates/win32/Cargo.toml"),
    );
    assert!(shared.contains("nt-kernel"), "{shared:?}");
    for dll in &dlls {
        assert!(!shared.contains(dll), "win32 depends on {dll}");
    }
}

#[test]
fn every_catalogue_is_well_formed_and_documents_its_source() {
    for dll in ntemu::builtin_dlls() {
        Catalogue::check(dll.catalogue).unwrap_or_else(|e| panic!("{}: {e}", dll.name));
        Catalogue::check(dll.later_catalogue)
            .unwrap_or_else(|e| panic!("{} later exports: {e}", dll.name));
        assert!(
            dll.catalogue.contains("# Source") || dll.catalogue.contains("# Sources"),
            "{}: the catalogue's header must say where its facts come from",
            dll.name
        );
        let c = Catalogue::parse_with_later(dll.catalogue, dll.later_catalogue);
        assert!(!c.is_empty(), "{} has an empty catalogue", dll.name);
        assert!(
            c.entries()
                .iter()
                .skip_while(|e| !e.beyond_nt4)
                .all(|e| e.beyond_nt4),
            "{}: the later exports follow NT 4.0's",
            dll.name
        );
        let names: BTreeSet<&str> = c.entries().iter().map(|e| e.name).collect();
        let ordinals: BTreeSet<u16> = c.entries().iter().map(|e| e.ordinal).collect();
        assert_eq!(names.len(), c.len(), "{}: a name twice", dll.name);
        assert_eq!(ordinals.len(), c.len(), "{}: an ordinal twice", dll.name);
    }
}

#[test]
fn the_kernel32_catalogue_is_nt4s() {
    let c = Catalogue::parse(ntemu::kernel32::DLL.catalogue);
    // NT 4.0 has these...
    for name in [
        "CreateRemoteThread",
        "ReadDirectoryChangesW",
        "CloseHandle",
        "HeapAlloc",
    ] {
        assert!(c.by_name(name).is_some(), "{name}");
    }
    // ...and not these, which came with Windows 98 and 2000.
    for name in ["GetLongPathNameA", "CreateJobObjectA", "GetFileSizeEx"] {
        assert!(c.by_name(name).is_none(), "{name}");
    }
}

/// Calls the CPU serves without leaving its run loop (HeapAlloc, HeapFree) still show in the
/// relay trace: a traced call goes the full way.
#[test]
fn relay_trace_shows_calls_otherwise_served_inside_the_cpu() {
    let mut options = RunOptions {
        args: vec!["3".to_string()],
        ..RunOptions::default()
    };
    DebugChannels::parse_lenient("+relay").apply(&mut options);
    let run = run_captured(&guest("x86/heapbench.exe"), options);
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    // Bound as NT 4.0 binds them: KERNEL32's exports forward to NTDLL's.
    let count = |kernel32: &str, ntdll: &str| {
        (run.stderr.lines())
            .map(str::to_ascii_lowercase)
            .filter(|l| l.contains(&kernel32.to_ascii_lowercase()) || l.contains(ntdll))
            .count()
    };
    let calls = count(":Call KERNEL32.HeapAlloc(", ":call ntdll.rtlallocateheap(");
    let rets = count(
        ":Ret  KERNEL32.HeapAlloc()",
        ":ret  ntdll.rtlallocateheap()",
    );
    assert_eq!((calls, rets), (3, 3), "{}", run.stderr);
    let calls = count(":Call KERNEL32.HeapFree(", ":call ntdll.rtlfreeheap(");
    let rets = count(":Ret  KERNEL32.HeapFree()", ":ret  ntdll.rtlfreeheap()");
    assert_eq!((calls, rets), (3, 3), "{}", run.stderr);
}
