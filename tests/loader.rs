//! DLLs from disk (x86): tests/guests/src/ldr.c loads mingw-built DLLs with LoadLibrary,
//! calls them through GetProcAddress by name and ordinal, counts references, frees them
//! (DllMain's PROCESS_DETACH, dependencies after the DLL that held them), relocates the
//! second of two DLLs built for one base, and sees a failing DllMain give
//! ERROR_DLL_INIT_FAILED. tests/guests/src/ldrfault.c is the KB Q246691-style proof that
//! a load is a transaction: 1,000 failing loads at each step leave handles, committed
//! memory and the module list as they were. On Alpha (tests/guests/src/alpha/ldr*.s, DLLs in
//! tests/guests/src/alphadll/ built by tools/alpha-pe --dll): a dynamic load, the same
//! 1,000-failure matrix, a DLL relocated with HIGH, LOW, HIGHADJ and HIGHLOW fixups, and
//! forwarded exports (to builtins and to another Alpha DLL) through a static import and
//! GetProcAddress, and a DllMain that returns FALSE (1,000 failed loads that leave nothing
//! behind; statically imported, STATUS_DLL_INIT_FAILED), and a missing static DLL or
//! function (STATUS_DLL_NOT_FOUND, STATUS_ENTRYPOINT_NOT_FOUND, one line each).

mod common;

use common::{expected, guest, run_captured};
use ntemu::RunOptions;
use ntemu::kernel::{FaultPoint, FaultTrigger};

#[test]
fn x86_program_loads_calls_and_frees_dlls_from_disk() {
    let run = run_captured(&guest("x86/ldr.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/ldr.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

const LOAD_STEPS: [(FaultPoint, u32); 7] = [
    (FaultPoint::LoadSearch, 126),
    (FaultPoint::LoadSection, 1450),
    (FaultPoint::LoadMap, 8),
    (FaultPoint::LoadRelocate, 487),
    (FaultPoint::LoadImports, 127),
    (FaultPoint::LoadTls, 8),
    (FaultPoint::LoadInit, 1114),
];

fn ldrfault(trigger: Option<(FaultPoint, FaultTrigger)>) -> Vec<String> {
    let options = RunOptions {
        faults: trigger.into_iter().collect(),
        ..RunOptions::default()
    };
    let run = run_captured(&guest("x86/ldrfault.exe"), options);
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    run.stdout.lines().map(str::to_string).collect()
}

const FAILING_DLLMAIN: &str =
    "fail-handle-delta=0 fail-commit-delta=0 fail-modules=0 fail-failures=1000 fail-error=1114";

#[test]
fn without_a_fault_every_load_succeeds_and_a_failing_dllmain_leaves_nothing() {
    let lines = ldrfault(None);
    assert_eq!(
        lines,
        [
            "handle-delta=0 commit-delta=0 modules=0 failures=0 error=0 value=41",
            FAILING_DLLMAIN
        ]
    );
}

#[test]
fn a_thousand_failing_loads_at_every_step_leave_nothing_behind() {
    for (point, error) in LOAD_STEPS {
        let lines = ldrfault(Some((point, FaultTrigger::Always)));
        assert_eq!(
            lines[0],
            format!("handle-delta=0 commit-delta=0 modules=0 failures=1000 error={error} value=0"),
            "{}",
            point.name()
        );
        // With the step failing, ldrqfail's loads fail there too (or at its DllMain).
        assert!(
            lines[1].starts_with(
                "fail-handle-delta=0 fail-commit-delta=0 fail-modules=0 fail-failures=1000 "
            ),
            "{}: {}",
            point.name(),
            lines[1]
        );
    }
}

#[test]
fn a_fault_in_the_dependency_rolls_back_the_dll_that_imported_it() {
    // The second time a step is reached is ldrqb.dll's step inside the first load of
    // ldrqa.dll (LoadInit is reached once per load: the second load fails there). Only
    // that one load fails; what it had done for ldrqa.dll is undone.
    for (point, error) in LOAD_STEPS {
        let lines = ldrfault(Some((point, FaultTrigger::OnCall(2))));
        assert_eq!(
            lines[0],
            format!("handle-delta=0 commit-delta=0 modules=0 failures=1 error={error} value=41"),
            "{}",
            point.name()
        );
        assert_eq!(lines[1], FAILING_DLLMAIN, "{}", point.name());
    }
}

#[test]
fn static_imports_from_disk_are_loaded_and_initialized_before_the_program() {
    let run = run_captured(&guest("x86/ldrstatic.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/ldrstatic.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn a_missing_static_dll_ends_the_process_with_status_dll_not_found_and_one_line() {
    let run = run_captured(&guest("x86/ldrmissing.exe"), RunOptions::default());
    assert_eq!(run.report.exit_code, 0xC000_0135, "{}", run.stderr);
    assert_eq!(run.stdout, "", "the program must not run");
    assert_eq!(
        run.stderr,
        "ntemu: ldrnone.dll (imported by ldrmissing.exe) was not found\n"
    );
}

#[test]
fn a_missing_static_import_ends_the_process_with_status_entrypoint_not_found() {
    let run = run_captured(&guest("x86/ldrnoentry.exe"), RunOptions::default());
    assert_eq!(run.report.exit_code, 0xC000_0139, "{}", run.stderr);
    assert_eq!(run.stdout, "", "the program must not run");
    assert_eq!(
        run.stderr,
        "ntemu: ldrdll.dll!ldr_gone (imported by ldrnoentry.exe) was not found\n"
    );
}

#[test]
fn forwarders_lead_to_builtins_and_to_dlls_from_disk() {
    let run = run_captured(&guest("x86/ldrfwdmain.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/ldrfwdmain.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn a_dll_of_the_other_cpu_is_error_bad_exe_format_but_maps_as_a_data_file() {
    let scratch = common::Scratch::new("ldrcpu");
    std::fs::copy(guest("x86/ldrcpu.exe"), scratch.path().join("ldrcpu.exe")).expect("copy");
    std::fs::copy(
        guest("alpha/hello.exe"),
        scratch.path().join("alphadll.dll"),
    )
    .expect("copy");
    let run = run_captured(&scratch.path().join("ldrcpu.exe"), RunOptions::default());
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "load: 0\nload_error: 193\nnot_loaded: 0\ndatafile: 1\nfree: 1\n"
    );
}

#[test]
fn dllmain_gets_thread_attach_and_detach_until_disabled_and_process_detach_at_exit() {
    let run = run_captured(&guest("x86/ldrthread.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/ldrthread.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
}

#[test]
fn a_thread_a_dllmain_creates_waits_for_the_loader_lock() {
    // ldrlock.dll's DllMain starts a thread and sleeps: the thread must not run before the
    // load is done (NT's loader lock), then gets THREAD_ATTACH, runs and gets THREAD_DETACH.
    let run = run_captured(&guest("x86/ldrlockmain.exe"), RunOptions::default());
    assert_eq!(
        run.stdout,
        expected("expected/ldrlockmain.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    common::agrees_with_wine("expected/ldrlockmain.expected", "expected/ldrlockmain.wine");
}

#[test]
fn a_static_dll_whose_dllmain_fails_ends_the_process_with_status_dll_init_failed() {
    let run = run_captured(&guest("x86/ldrinitfail.exe"), RunOptions::default());
    assert_eq!(run.report.exit_code, 0xC000_0142, "{}", run.stderr);
    assert_eq!(
        run.stdout, "ldrfail DllMain reason 1\n",
        "the program must not run"
    );
    assert_eq!(
        run.stderr,
        "ntemu: ldrfail.dll: its initialization routine (DllMain) failed: the process ends with STATUS_DLL_INIT_FAILED\n"
    );
}

#[test]
fn dont_resolve_dll_references_maps_without_imports_or_dllmain() {
    let scratch = common::Scratch::new("ldrany");
    for f in ["ldrany.exe", "ldrdll.dll", "ldrdep.dll"] {
        std::fs::copy(guest(&format!("x86/{f}")), scratch.path().join(f)).expect("copy");
    }
    let options = RunOptions {
        args: vec!["ldrdep".into(), "1".into()],
        ..RunOptions::default()
    };
    let run = run_captured(&scratch.path().join("ldrany.exe"), options);
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    // No DllMain line, and ldrdll.dll (which ldrdep.dll imports) not loaded.
    assert_eq!(
        run.stdout,
        "loaded: 1\nerror: 0\nldrdll: 0\nldrdep: 1\nexport: 0\nfree: 1\n"
    );
}

/// A small deterministic generator (the test must fail the same way each time).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// Damaged copies of ldrdll.dll (cut short, or bytes changed in its headers and anywhere):
/// LoadLibrary gives a typed failure or loads something, the machine never panics, and a
/// failed load leaves no module behind. An instruction limit bounds whatever a damaged
/// DllMain does.
#[test]
fn damaged_dlls_fail_cleanly_or_load() {
    let scratch = common::Scratch::new("ldrdamaged");
    std::fs::copy(guest("x86/ldrany.exe"), scratch.path().join("ldrany.exe")).expect("copy");
    let good = std::fs::read(guest("x86/ldrdll.dll")).expect("ldrdll.dll");
    let mut variants: Vec<Vec<u8>> = [0, 1, 2, 0x3C, 0x40, 0x80, 0x100, 0x178, 0x200, 0x3FF]
        .iter()
        .chain(&[0x400, 0x600, good.len() - 1])
        .map(|&n| good[..n.min(good.len())].to_vec())
        .collect();
    let mut rng = Lcg(0x5EED);
    for i in 0..120 {
        let mut v = good.clone();
        let span = if i % 2 == 0 { 0x400 } else { v.len() };
        for _ in 0..=(rng.next() % 8) {
            let at = (rng.next() as usize) % span;
            v[at] = rng.next() as u8;
        }
        variants.push(v);
    }
    let (mut loaded, mut failed) = (0, 0);
    for (i, v) in variants.iter().enumerate() {
        std::fs::write(scratch.path().join("victim.dll"), v).expect("write");
        let options = RunOptions {
            args: vec!["victim".into()],
            instruction_limit: Some(2_000_000),
            ..RunOptions::default()
        };
        let run = run_captured(&scratch.path().join("ldrany.exe"), options);
        let out = &run.stdout;
        if out.contains("loaded: 1\n") {
            loaded += 1;
        } else if out.contains("loaded: 0\n") {
            failed += 1;
            // A failed load names its reason and leaves nothing behind.
            assert!(!out.contains("error: 0\n"), "variant {i}: {out}");
            assert!(out.contains("ldrdll: 0\nldrdep: 0\n"), "variant {i}: {out}");
        }
    }
    // The cuts fail; the flips that miss everything that matters still load.
    assert!(failed >= 13, "only {failed} damaged copies failed");
    assert!(loaded > 0, "no damaged copy loaded at all");
}

fn overrides(spec: &str) -> ntemu::kernel32::dllload::DllOverrides {
    ntemu::kernel32::dllload::DllOverrides::parse(spec).expect("overrides")
}

/// A builtin serves its name unless overridden: with `wsock32=n` the file beside the
/// program (ldrdll.dll copied as wsock32.dll) is loaded instead, for LoadLibrary and for a
/// static import; `wsock32=` disables the name; `n,b` falls back to the builtin when there
/// is no file.
#[test]
fn dll_overrides_choose_native_or_builtin_as_winedlloverrides_does() {
    let scratch = common::Scratch::new("ldroverride");
    for f in ["ldrany.exe", "ldrnative.exe"] {
        std::fs::copy(guest(&format!("x86/{f}")), scratch.path().join(f)).expect("copy");
    }
    let native = scratch.path().join("wsock32.dll");
    std::fs::copy(guest("x86/ldrdll.dll"), &native).expect("copy");
    let any = |spec: &str| {
        let options = RunOptions {
            args: vec!["wsock32".into()],
            dll_overrides: overrides(spec),
            ..RunOptions::default()
        };
        run_captured(&scratch.path().join("ldrany.exe"), options)
    };
    let builtin = "loaded: 1\nerror: 0\nldrdll: 0\nldrdep: 0\nexport: 0\nfree: 1\n";
    assert_eq!(any("").stdout, builtin);
    assert_eq!(any("wsock32=b").stdout, builtin);
    assert_eq!(
        any("WSOCK32.DLL=native").stdout,
        "ldrdll DllMain reason 1 dynamic\nloaded: 1\nerror: 0\nldrdll: 0\nldrdep: 0\nexport: 1\nldrdll DllMain reason 0 dynamic\nfree: 1\n"
    );
    assert_eq!(
        any("wsock32=").stdout,
        "loaded: 0\nerror: 126\nldrdll: 0\nldrdep: 0\n"
    );
    let stat = |spec: &str| {
        let options = RunOptions {
            dll_overrides: overrides(spec),
            ..RunOptions::default()
        };
        run_captured(&scratch.path().join("ldrnative.exe"), options)
    };
    let run = stat("wsock32=n");
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "ldrdll DllMain reason 1 static\nadd: 42\nldrdll DllMain reason 0 static\n"
    );
    // The builtin lacks ldr_add@8: calling its stub stops the program.
    assert_ne!(stat("").report.exit_code, 0);
    let run = stat("wsock32=");
    assert_eq!(run.report.exit_code, 0xC000_0135);
    assert_eq!(
        run.stderr,
        "ntemu: wsock32.dll (imported by ldrnative.exe) is disabled\n"
    );
    std::fs::remove_file(&native).expect("remove");
    assert_eq!(any("wsock32=n,b").stdout, builtin);
    assert_eq!(
        any("wsock32=n").stdout,
        "loaded: 0\nerror: 126\nldrdll: 0\nldrdep: 0\n"
    );
}

#[test]
fn dll_override_syntax_is_wines() {
    use ntemu::kernel32::dllload::{DllChoice, DllOverrides};
    let o = DllOverrides::parse("comctl32,shell32=n,b; msvcrt=b ;wsock32=;x=native").expect("ok");
    assert_eq!(
        o.choices("COMCTL32.DLL"),
        Some(&[DllChoice::Native, DllChoice::Builtin][..])
    );
    assert_eq!(
        o.choices("shell32"),
        Some(&[DllChoice::Native, DllChoice::Builtin][..])
    );
    assert_eq!(o.choices("msvcrt.dll"), Some(&[DllChoice::Builtin][..]));
    assert_eq!(o.choices("wsock32"), Some(&[][..]));
    assert_eq!(o.choices("x"), Some(&[DllChoice::Native][..]));
    assert_eq!(o.choices("user32"), None);
    assert!(DllOverrides::parse("nonsense").is_err());
    assert!(DllOverrides::parse("a=q").is_err());
}

#[test]
fn alpha_program_loads_calls_and_frees_an_alpha_dll() {
    let run = run_captured(&guest("alpha/ldralpha.exe"), RunOptions::default());
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "ldralpha_DllMain_reason: 1\nbase: 0x10000000\nadd: 42\nattaches: 1\nsame_module: 1\nfree_1: 1\nldralpha_DllMain_reason: 0\nfree_2: 1\nstill_loaded: 0\n"
    );
}

#[test]
fn alpha_a_thousand_loads_without_a_fault_succeed_and_leave_nothing_behind() {
    let run = run_captured(&guest("alpha/ldralphafault.exe"), RunOptions::default());
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    let (dllmain, report): (Vec<&str>, Vec<&str>) = run
        .stdout
        .lines()
        .partition(|l| l.starts_with("ldralpha_DllMain_reason: "));
    // PROCESS_ATTACH and PROCESS_DETACH of each of the 1,000 loads.
    assert_eq!(dllmain.len(), 2000);
    assert_eq!(
        report,
        [
            "handle_delta: 0",
            "commit_delta: 0",
            "modules: 0",
            "failures: 0",
            "error: 0"
        ]
    );
}

#[test]
fn alpha_a_thousand_failing_loads_at_every_step_leave_nothing_behind() {
    for (point, error) in LOAD_STEPS {
        let options = RunOptions {
            faults: vec![(point, FaultTrigger::Always)],
            ..RunOptions::default()
        };
        let run = run_captured(&guest("alpha/ldralphafault.exe"), options);
        assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
        assert_eq!(
            run.stdout,
            format!(
                "handle_delta: 0\ncommit_delta: 0\nmodules: 0\nfailures: 1000\nerror: {error}\n"
            ),
            "{}",
            point.name()
        );
    }
}

#[test]
fn alpha_dll_carries_every_alpha_base_relocation_kind() {
    use ntemu::image::{PeImage, RelocationKind};
    let bytes = std::fs::read(guest("alpha/ldrreloc.dll")).expect("ldrreloc.dll");
    let image = PeImage::parse(&bytes).expect("ldrreloc.dll parses");
    assert!(!image.relocations_stripped());
    let counts = image.relocation_counts();
    for kind in [
        RelocationKind::High,
        RelocationKind::Low,
        RelocationKind::HighLow,
        RelocationKind::HighAdj,
    ] {
        assert!(counts.get(&kind).copied().unwrap_or(0) > 0, "{counts:?}");
    }
    let file_offset = |rva: u32| {
        image
            .sections
            .iter()
            .find(|s| rva >= s.virtual_address && rva < s.virtual_address + s.virtual_size)
            .map(|s| (s.raw_offset + rva - s.virtual_address) as usize)
    };
    let in_image =
        |va: u32| (image.image_base..image.image_base + image.size_of_image).contains(&va);
    // Every HIGHLOW (.data pointers, the .pdata function table sorted by address) is on a
    // field that holds an address of the image.
    let mut pdata_fixups = 0;
    for r in image
        .relocations
        .iter()
        .filter(|r| r.kind == RelocationKind::HighLow)
    {
        let Some(at) = file_offset(r.rva) else {
            panic!("HIGHLOW at {:#x} outside every section", r.rva);
        };
        let mut field = [0u8; 4];
        field.copy_from_slice(&bytes[at..at + 4]);
        let va = u32::from_le_bytes(field);
        assert!(in_image(va), "HIGHLOW at {:#x} holds {va:#x}", r.rva);
        pdata_fixups += usize::from(image.sections.iter().any(|s| {
            s.name == ".pdata"
                && r.rva >= s.virtual_address
                && r.rva < s.virtual_address + s.virtual_size
        }));
    }
    // Two entries: begin, end and prologue end of each, and one handler.
    assert_eq!(pdata_fixups, 7);
    // Every HIGHADJ's low half rebuilds, with its high half, the address the code uses.
    for r in image
        .relocations
        .iter()
        .filter(|r| r.kind == RelocationKind::HighAdj)
    {
        let mut field = [0u8; 2];
        let at = r.rva as usize;
        let Some(section) = image
            .sections
            .iter()
            .find(|s| r.rva >= s.virtual_address && r.rva < s.virtual_address + s.virtual_size)
        else {
            panic!("HIGHADJ at {:#x} outside every section", r.rva);
        };
        let file = (section.raw_offset + r.rva - section.virtual_address) as usize;
        field.copy_from_slice(&bytes[file..file + 2]);
        let full = (u32::from(u16::from_le_bytes(field)) << 16).wrapping_add(r.low as i32 as u32);
        assert!(
            (image.image_base..image.image_base + image.size_of_image).contains(&full),
            "HIGHADJ at {at:#x} builds {full:#x}"
        );
    }
}

#[test]
fn alpha_dll_relocated_because_its_base_is_taken_has_right_addresses_and_results() {
    let run = run_captured(&guest("alpha/ldralphareloc.exe"), RunOptions::default());
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        expected("expected/ldralphareloc.expected"),
        "{}",
        run.stderr
    );
}

#[test]
fn alpha_program_importing_an_alpha_dll_statically_gets_dllmain_first_and_thread_calls() {
    let run = run_captured(&guest("alpha/ldralphastatic.exe"), RunOptions::default());
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        expected("expected/ldralphastatic.expected"),
        "{}",
        run.stderr
    );
}

#[test]
fn alpha_dll_built_with_forwarders_exports_them_as_forwarder_strings() {
    use ntemu::image::{ExportTarget, PeImage};
    let bytes = std::fs::read(guest("alpha/ldrafwd.dll")).expect("ldrafwd.dll");
    let image = PeImage::parse(&bytes).expect("ldrafwd.dll parses");
    let exports = image.exports.as_ref().expect("an export directory");
    let targets: Vec<(Option<&str>, u16, &ExportTarget)> = exports
        .exports
        .iter()
        .map(|e| (e.name.as_deref(), e.ordinal, &e.target))
        .collect();
    let forward = |s: &str| ExportTarget::Forward(s.to_string());
    assert_eq!(targets.len(), 4, "{targets:?}");
    assert_eq!(targets[0], (Some("af_add"), 1, &forward("ldrathr.lt_add")));
    assert_eq!(
        targets[1],
        (Some("af_err"), 2, &forward("NTDLL.RtlNtStatusToDosError"))
    );
    assert_eq!(targets[2].0, Some("af_own"));
    assert!(matches!(targets[2].2, ExportTarget::Rva(_)), "{targets:?}");
    assert_eq!(
        targets[3],
        (Some("af_tick"), 4, &forward("KERNEL32.GetTickCount"))
    );
}

#[test]
fn alpha_forwarders_lead_to_builtins_and_to_alpha_dlls_from_disk() {
    let run = run_captured(&guest("alpha/ldralphafwd.exe"), RunOptions::default());
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        expected("expected/ldralphafwd.expected"),
        "{}",
        run.stderr
    );
}

#[test]
fn alpha_dllmain_returning_false_fails_every_load_with_1114_and_leaves_nothing_behind() {
    let run = run_captured(&guest("alpha/ldralphainit.exe"), RunOptions::default());
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    let (dllmain, report): (Vec<&str>, Vec<&str>) = run
        .stdout
        .lines()
        .partition(|l| l.starts_with("ldrafail_DllMain_reason: "));
    // Each load: PROCESS_ATTACH, refused, then PROCESS_DETACH before the DLL is unmapped.
    let each_load = ["ldrafail_DllMain_reason: 1", "ldrafail_DllMain_reason: 0"];
    assert_eq!(dllmain.len(), 2000);
    for (k, pair) in dllmain.chunks(2).enumerate() {
        assert_eq!(pair, each_load, "load {k}");
    }
    assert_eq!(
        report,
        [
            "handle_delta: 0",
            "commit_delta: 0",
            "modules: 0",
            "failures: 1000",
            "error: 1114"
        ]
    );
}

#[test]
fn alpha_static_dll_whose_dllmain_fails_ends_the_process_with_status_dll_init_failed() {
    let run = run_captured(
        &guest("alpha/ldralphainitstatic.exe"),
        RunOptions::default(),
    );
    assert_eq!(run.report.exit_code, 0xC000_0142, "{}", run.stderr);
    assert_eq!(
        run.stdout, "ldrafail_DllMain_reason: 1\n",
        "the program must not run"
    );
    assert_eq!(
        run.stderr,
        "ntemu: ldrafail.dll: its initialization routine (DllMain) failed: the process ends with STATUS_DLL_INIT_FAILED\n"
    );
}

#[test]
fn alpha_missing_static_dll_ends_the_process_with_status_dll_not_found_and_one_line() {
    let run = run_captured(&guest("alpha/ldralphamissing.exe"), RunOptions::default());
    assert_eq!(run.report.exit_code, 0xC000_0135, "{}", run.stderr);
    assert_eq!(run.stdout, "", "the program must not run");
    assert_eq!(
        run.stderr,
        "ntemu: ldranone.dll (imported by ldralphamissing.exe) was not found\n"
    );
}

#[test]
fn alpha_missing_static_import_ends_the_process_with_status_entrypoint_not_found() {
    let run = run_captured(&guest("alpha/ldralphanoentry.exe"), RunOptions::default());
    assert_eq!(run.report.exit_code, 0xC000_0139, "{}", run.stderr);
    assert_eq!(
        run.stdout, "",
        "neither the program nor ldrathr.dll's DllMain must run"
    );
    assert_eq!(
        run.stderr,
        "ntemu: ldrathr.dll!lt_gone (imported by ldralphanoentry.exe) was not found\n"
    );
}
