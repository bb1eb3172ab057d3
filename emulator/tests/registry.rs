//! `ntemu reg` and the registry's files from the command line (issue 17): query, add and
//! delete as reg.exe does them, export and import round trips, two ntemu processes writing one
//! hive at once (both sets of keys kept), and a machine killed with SIGKILL while it writes its
//! hive, again and again: the hive always parses and holds the old or the new value of every
//! key.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Scratch, guests, ntemu, text};
use ntemu::registry::{Identity, Processor, Registry, RootKey, SystemDrive};

fn reg(root: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["reg"];
    all.extend_from_slice(args);
    let root = root.to_str().expect("utf-8 path");
    all.extend_from_slice(&["--root", root]);
    ntemu(&all)
}

fn drive(scratch: &Scratch, name: &str) -> std::path::PathBuf {
    let c = scratch.0.join(name);
    std::fs::create_dir_all(&c).expect("drive");
    c
}

#[test]
fn reg_adds_queries_and_deletes_as_reg_exe_does() {
    let s = Scratch::new("reg-cli");
    let c = drive(&s, "c");
    let out = reg(
        &c,
        &[
            "add",
            "HKCU\\Software\\Cli",
            "/v",
            "Name",
            "/d",
            "some text",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "The operation completed successfully.\n");
    for (args, _) in [
        (
            &[
                "add",
                "HKCU\\Software\\Cli",
                "/v",
                "Count",
                "/t",
                "REG_DWORD",
                "/d",
                "0x2a",
            ][..],
            (),
        ),
        (
            &[
                "add",
                "HKCU\\Software\\Cli",
                "/v",
                "List",
                "/t",
                "REG_MULTI_SZ",
                "/d",
                "a\\0b",
            ][..],
            (),
        ),
        (&["add", "HKCU\\Software\\Cli", "/ve", "/d", "dflt"][..], ()),
        (&["add", "HKCU\\Software\\Cli\\Sub"][..], ()),
    ] {
        let out = reg(&c, args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    }
    let out = reg(&c, &["query", "hkey_current_user\\software\\cli"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "\nHKEY_CURRENT_USER\\Software\\Cli\n    Name    REG_SZ    some text\n    Count    REG_DWORD    0x2a\n    List    REG_MULTI_SZ    a\\0b\n    (Default)    REG_SZ    dflt\n\nHKEY_CURRENT_USER\\Software\\Cli\\Sub\n"
    );
    let out = reg(&c, &["query", "HKCU\\Software\\Cli", "/v", "Count"]);
    assert_eq!(
        text(&out.stdout),
        "\nHKEY_CURRENT_USER\\Software\\Cli\n    Count    REG_DWORD    0x2a\n"
    );
    // NT 4.0's defaults are there.
    let out = reg(
        &c,
        &[
            "query",
            "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion",
            "/v",
            "CurrentBuildNumber",
        ],
    );
    assert!(text(&out.stdout).contains("CurrentBuildNumber    REG_SZ    1381"));
    let out = reg(&c, &["delete", "HKCU\\Software\\Cli", "/v", "Name", "/f"]);
    assert!(out.status.success());
    let out = reg(&c, &["query", "HKCU\\Software\\Cli", "/v", "Name"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("ntemu: reg: "),
        "{}",
        text(&out.stderr)
    );
    let out = reg(&c, &["delete", "HKCU\\Software\\Cli", "/f"]);
    assert!(out.status.success());
    let out = reg(&c, &["query", "HKCU\\Software\\Cli"]);
    assert_eq!(out.status.code(), Some(1));
    let out = reg(&c, &["query", "HKXX\\Software"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stderr).lines().count(), 1);
    // A key directly under HKLM is refused, as NT refuses it.
    let out = reg(&c, &["add", "HKLM\\NoSuchHive"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
}

#[test]
fn export_then_import_on_a_fresh_drive_gives_an_identical_export() {
    let s = Scratch::new("reg-roundtrip");
    let first = drive(&s, "first");
    let second = drive(&s, "second");
    // Values of every kind, written by a guest program and by reg add.
    let out = ntemu(&[
        "run",
        "--root",
        first.to_str().expect("path"),
        guests().join("x86/regwrite.exe").to_str().expect("path"),
        "RoundTrip",
        "5",
        "2",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for args in [
        &[
            "add",
            "HKCU\\Software\\Kinds",
            "/v",
            "Bin",
            "/t",
            "REG_BINARY",
            "/d",
            "00ff10",
        ][..],
        &[
            "add",
            "HKCU\\Software\\Kinds",
            "/v",
            "Exp",
            "/t",
            "REG_EXPAND_SZ",
            "/d",
            "%SystemRoot%\\é",
        ][..],
        &[
            "add",
            "HKCU\\Software\\Kinds",
            "/v",
            "Big",
            "/t",
            "REG_DWORD_BIG_ENDIAN",
            "/d",
            "7",
        ][..],
        &[
            "add",
            "HKCU\\Software\\Kinds",
            "/v",
            "Quote\"d",
            "/d",
            "a \"b\" \\c",
        ][..],
        &["add", "HKCU\\Software\\Kinds\\Ünïcödé Ω"][..],
    ] {
        let out = reg(&first, args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    }
    let one = s.0.join("one.reg");
    let two = s.0.join("two.reg");
    let out = reg(
        &first,
        &["export", "HKEY_CURRENT_USER", one.to_str().expect("path")],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = reg(&second, &["import", one.to_str().expect("path")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = reg(
        &second,
        &["export", "HKEY_CURRENT_USER", two.to_str().expect("path")],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let a = std::fs::read(&one).expect("one");
    let b = std::fs::read(&two).expect("two");
    assert!(
        a.starts_with(&[0xEF, 0xBB, 0xBF]),
        "a key name outside cp1252 makes it UTF-8"
    );
    assert!(a.windows(9).any(|w| w == b"RoundTrip"));
    assert_eq!(a, b, "the second export differs from the first");
}

/// What a hive holds for each key of one regwrite run: (round, the round its text names).
type Rounds = Vec<Option<(u32, u32)>>;

/// The rounds a hive holds for the keys of one regwrite run.
fn rounds(r: &Registry, name: &str, count: u32) -> Rounds {
    let Ok(cu) = r.root_key(RootKey::CurrentUser) else {
        return Vec::new();
    };
    (0..count)
        .map(|i| {
            let k = r
                .open_key(
                    cu,
                    &format!("Software\\ntemu-regwrite\\{name}\\K{i}"),
                    Processor::X86,
                )
                .ok()?;
            let round = r.query_value(k, "round").ok()?.as_dword()?;
            let text = r.query_value(k, "text").ok()?.text()?;
            let of = text
                .strip_prefix("round ")?
                .strip_suffix(&format!(" of {name}"))?;
            Some((round, of.parse().ok()?))
        })
        .collect()
}

#[test]
fn sigkill_while_a_guest_writes_never_leaves_a_torn_hive() {
    let s = Scratch::new("reg-kill");
    let c = drive(&s, "c");
    let hive = c.join(format!("WINNT/Profiles/{}/ntuser.reg", ntemu::logon_user()));
    let count = 120;
    // A deterministic spread of moments to kill at.
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut settled: Vec<(String, Rounds)> = Vec::new();
    let mut killed_with_a_file = 0;
    for iteration in 0..12 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_millis(60 + seed % 240);
        let name = format!("kill{iteration}");
        let mut child = Command::new(env!("CARGO_BIN_EXE_ntemu"))
            .args(["run", "--root"])
            .arg(&c)
            .arg(guests().join("x86/regwrite.exe"))
            .args([name.as_str(), &count.to_string(), "0"])
            .env("HOME", s.0.join("home"))
            .env("XDG_DATA_HOME", s.0.join("data"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ntemu runs");
        std::thread::sleep(delay);
        child.kill().expect("SIGKILL");
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.code().is_none(),
            "killed by a signal: {:?}",
            out.status
        );
        if !hive.exists() {
            continue;
        }
        killed_with_a_file += 1;
        // The file parses whole...
        let bytes = std::fs::read(&hive).expect("hive");
        ntemu::registry::regfile::parse(&bytes)
            .unwrap_or_else(|e| panic!("iteration {iteration}: torn hive ({e})"));
        let drive = SystemDrive::open(&c, false).expect("drive");
        let mut r = Registry::open(Identity::new(&ntemu::logon_user()), Some(drive));
        assert!(r.take_messages().is_empty(), "iteration {iteration}");
        // ... and holds, for each key, the old or the new value of a round: the rounds
        // differ by one at most, each key's text by one from its round.
        let now = rounds(&r, &name, count);
        let present: Vec<(u32, u32)> = now.iter().flatten().copied().collect();
        if let Some(max) = present.iter().map(|p| p.0).max() {
            for (i, p) in now.iter().enumerate() {
                let Some((round, of)) = p else {
                    // Not yet written in round 1.
                    assert!(
                        max <= 1,
                        "iteration {iteration}: K{i} missing in round {max}"
                    );
                    continue;
                };
                assert!(
                    *round + 1 >= max,
                    "iteration {iteration}: K{i} round {round} of {max}"
                );
                assert!(
                    of + 1 >= *round && *of <= *round,
                    "iteration {iteration}: K{i} {round}/{of}"
                );
            }
        }
        // What earlier runs left stays as it was.
        for (earlier, values) in &settled {
            assert_eq!(&rounds(&r, earlier, count), values, "{earlier} changed");
        }
        settled.push((name, now));
    }
    assert!(
        killed_with_a_file >= 6,
        "only {killed_with_a_file} kills after a write"
    );
}

#[test]
fn two_ntemu_processes_writing_one_hive_at_once_keep_both_sets_of_keys() {
    let s = Scratch::new("reg-two-processes");
    let c = drive(&s, "c");
    // Each flushes after every round, so the two take turns at the hive's lock many times.
    let children: Vec<_> = ["P", "Q"]
        .into_iter()
        .map(|name| {
            Command::new(env!("CARGO_BIN_EXE_ntemu"))
                .args(["run", "--root"])
                .arg(&c)
                .arg(guests().join("x86/regwrite.exe"))
                .args([name, "60", "10"])
                .env("HOME", s.0.join("home"))
                .env("XDG_DATA_HOME", s.0.join("data"))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("ntemu runs")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout), "done\n");
    }
    let drive = SystemDrive::open(&c, false).expect("drive");
    let mut r = Registry::open(Identity::new(&ntemu::logon_user()), Some(drive));
    assert!(r.take_messages().is_empty());
    for name in ["P", "Q"] {
        assert_eq!(rounds(&r, name, 60), vec![Some((10, 10)); 60], "{name}");
    }
}
