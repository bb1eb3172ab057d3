//! ADVAPI32, the registry and the profile functions (issue 17), through guest programs of both
//! CPUs: tests/guests/src/reg.c (x86) and its Alpha twin tests/guests/src/alpha/reg.s, whose
//! expected outputs are NT 4.0's and agree with Wine's recorded output but for the listed
//! differences; the guest environment's NT variables taken from the registry; two machines
//! writing one hive at once; and the registry's own writes (a second after a change, and
//! when the run ends) for a program that never calls RegFlushKey.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Scratch, agrees_with_wine, expected, guest, run_captured};
use ntemu::registry::value::{REG_EXPAND_SZ, REG_SZ};
use ntemu::registry::{Identity, Processor, Registry, RootKey, SystemDrive, Value};
use ntemu::{DebugChannels, Emulator, RunOptions, RunOutcome};

/// A drive C: with the folders NT has (the profile functions' win.ini is in C:\WINNT).
fn drive(tag: &str) -> Scratch {
    let s = Scratch::new(tag);
    std::fs::create_dir_all(s.path().join("WINNT/system32")).expect("WINNT");
    s
}

fn with_root(root: &Path) -> RunOptions {
    RunOptions {
        root: Some(root.to_path_buf()),
        ..RunOptions::default()
    }
}

/// The registry of a drive C:, as the machines there see it.
fn registry_of(root: &Path) -> Registry {
    let drive = SystemDrive::open(root, false).expect("drive");
    Registry::open(Identity::new(&ntemu::logon_user()), Some(drive))
}

fn dword(r: &Registry, path: &str, name: &str) -> Option<u32> {
    let cu = r.root_key(RootKey::CurrentUser).ok()?;
    let k = r.open_key(cu, path, Processor::X86).ok()?;
    r.query_value(k, name).ok()?.as_dword()
}

#[test]
fn x86_registry_security_and_profile_functions_behave_as_on_nt4() {
    let c = drive("reg-x86");
    let run = run_captured(&guest("x86/reg.exe"), with_root(c.path()));
    assert_eq!(
        run.stdout,
        expected("expected/reg.expected"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    // The event log is not shown unless traced.
    assert!(!run.stderr.contains("ReportEvent"), "{}", run.stderr);
    // The program removed what it wrote; its key is gone from the hive it left.
    let r = registry_of(c.path());
    let cu = r.root_key(RootKey::CurrentUser).expect("HKCU");
    assert!(
        r.open_key(cu, "Software\\ntemu-regtest", Processor::X86)
            .is_err()
    );
    assert!(!c.path().join("ntemu-reg.ini").exists());
}

#[test]
fn reg_expectations_agree_with_wine() {
    agrees_with_wine("expected/reg.expected", "expected/reg.wine");
}

#[test]
fn alpha_registry_functions_give_the_x86_results_and_its_own_cpu() {
    let c = drive("reg-alpha");
    let run = run_captured(&guest("alpha/reg.exe"), with_root(c.path()));
    let alpha = expected("expected/reg-alpha.expected");
    assert_eq!(run.stdout, alpha, "{}", run.stderr);
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    // Every line is one the x86 program prints, in order, but the CPU's description.
    let x86 = expected("expected/reg.expected");
    let mut rest = x86.lines();
    for line in alpha.lines() {
        if line.starts_with("cpu identifier: ") {
            assert_eq!(line, "cpu identifier: \"Alpha 21164 Model 10, Pass 0\"");
            continue;
        }
        assert!(
            rest.any(|l| l == line),
            "{line:?} is not in reg.expected (in order)"
        );
    }
}

#[test]
fn report_event_goes_to_the_debugstr_trace() {
    let c = drive("reg-trace");
    let mut options = with_root(c.path());
    DebugChannels::parse("debugstr")
        .expect("channels")
        .apply(&mut options);
    let run = run_captured(&guest("x86/reg.exe"), options);
    assert!(
        run.stderr.contains(
            "ReportEvent: source \"ntemu-reg\" type INFORMATION category 1 id 0x1234 strings [\"first\", \"second\"] data 0 bytes\n"
        ),
        "{}",
        run.stderr
    );
}

fn line<'a>(out: &'a str, name: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no {name} in\n{out}"))
}

#[test]
fn the_environment_takes_nt_variables_from_the_registry() {
    let c = drive("reg-env");
    {
        let mut r = registry_of(c.path());
        let cu = r.root_key(RootKey::CurrentUser).expect("HKCU");
        let env = r
            .open_key(cu, "Environment", Processor::X86)
            .expect("Environment");
        r.set_value(env, Value::string("TEMP", "D:\\Scratch"))
            .expect("set");
        let path = Value {
            name: "Path".into(),
            kind: REG_EXPAND_SZ,
            data: Value::string("", "%SystemRoot%\\Tools").data,
        };
        r.set_value(env, path).expect("set");
        r.flush_all();
        assert!(r.take_messages().is_empty());
    }
    let run = run_captured(&guest("x86/startup.exe"), with_root(c.path()));
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    assert_eq!(line(&run.stdout, "TEMP"), "D:\\Scratch");
    // The user's Path goes after the system's, expanded.
    assert_eq!(
        line(&run.stdout, "Path"),
        "C:\\WINNT\\system32;C:\\WINNT;C:\\WINNT\\Tools"
    );
    assert_eq!(line(&run.stdout, "windir"), "C:\\WINNT");
    // --env still has the last word.
    let mut options = with_root(c.path());
    options.env.push(("TEMP".into(), "E:\\Mine".into()));
    let run = run_captured(&guest("x86/startup.exe"), options);
    assert_eq!(line(&run.stdout, "TEMP"), "E:\\Mine");
    let _ = REG_SZ;
}

fn run_regwrite(root: &Path, args: &[&str]) -> Emulator {
    let mut e = Emulator::builder().capture_output().build();
    e.set_root(root).expect("root");
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    e.load(&guest("x86/regwrite.exe"), &args).expect("load");
    e
}

#[test]
fn two_machines_writing_one_hive_at_once_keep_both_sets_of_keys() {
    let c = drive("reg-two");
    let threads: Vec<_> = ["A", "B"]
        .into_iter()
        .map(|name| {
            let root = c.path().to_path_buf();
            std::thread::spawn(move || {
                let mut e = run_regwrite(&root, &[name, "40", "3"]);
                assert_eq!(e.run().expect("run"), RunOutcome::AllExited);
                assert_eq!(String::from_utf8_lossy(&e.stdout()), "done\n");
            })
        })
        .collect();
    for t in threads {
        t.join().expect("machine");
    }
    let r = registry_of(c.path());
    for name in ["A", "B"] {
        for i in 0..40 {
            let path = format!("Software\\ntemu-regwrite\\{name}\\K{i}");
            assert_eq!(dword(&r, &path, "round"), Some(3), "{path}");
        }
    }
}

#[test]
fn unflushed_changes_are_written_within_a_second_and_when_the_run_ends() {
    let c = drive("reg-deferred");
    let hive = c
        .path()
        .join(format!("WINNT/Profiles/{}/ntuser.reg", ntemu::logon_user()));
    // A program that writes for ever without RegFlushKey: the registry writes its changes
    // at most a second after they are made.
    let mut e = run_regwrite(c.path(), &["busy", "3", "0", "noflush"]);
    let outcome = e.run_for(Duration::from_millis(1600)).expect("run");
    assert_eq!(outcome, RunOutcome::TimeReached);
    let r = registry_of(c.path());
    assert!(
        dword(&r, "Software\\ntemu-regwrite\\busy\\K2", "round").is_some_and(|n| n > 1),
        "{}",
        std::fs::read_to_string(&hive).unwrap_or_default()
    );
    drop(e);
    // One that ends without RegFlushKey: written when the run ends.
    let mut e = run_regwrite(c.path(), &["brief", "2", "1", "noflush"]);
    assert_eq!(e.run().expect("run"), RunOutcome::AllExited);
    let r = registry_of(c.path());
    assert_eq!(
        dword(&r, "Software\\ntemu-regwrite\\brief\\K1", "round"),
        Some(1)
    );
}

#[test]
fn a_corrupt_hive_is_reported_on_one_line_and_set_aside() {
    let c = drive("reg-corrupt");
    let config = c.path().join("WINNT/system32/config");
    std::fs::create_dir_all(&config).expect("config");
    std::fs::write(
        config.join("system.reg"),
        b"REGEDIT4\r\n\"orphan\"=\"value\"\r\n",
    )
    .expect("hive");
    let run = run_captured(&guest("x86/startup.exe"), with_root(c.path()));
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    let reports: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("system.reg"))
        .collect();
    assert_eq!(reports.len(), 1, "{}", run.stderr);
    assert!(
        reports[0].starts_with("ntemu: registry: WINNT/system32/config/system.reg: line 2:"),
        "{}",
        reports[0]
    );
    assert!(config.join("system.reg.corrupt").exists());
    // The machine went on with the defaults: the environment is NT's.
    assert_eq!(line(&run.stdout, "Path"), "C:\\WINNT\\system32;C:\\WINNT");
}
