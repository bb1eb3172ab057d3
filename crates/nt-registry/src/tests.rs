//! Tests of the live registry: NT's rules for keys and values, the default contents, and
//! persistence (merge of two writers, corrupt files set aside, notifications).

use std::time::{Duration, Instant};

use super::*;
use crate::value::{REG_DWORD, REG_SZ};

fn scratch(tag: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("ntemu-reg-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch");
    dir
}

fn identity() -> Identity {
    Identity::new("tester")
}

fn open_at(dir: &std::path::Path) -> Registry {
    let drive = SystemDrive::open(dir, false).expect("drive");
    Registry::open(identity(), Some(drive))
}

const X86: Processor = Processor::X86;

fn create(r: &mut Registry, root: RootKey, path: &str) -> KeyId {
    let base = r.root_key(root).expect("root");
    let options = CreateOptions {
        intermediate: true,
        ..CreateOptions::default()
    };
    r.create_key(base, path, X86, &options).expect("create").0
}

fn text(r: &Registry, key: KeyId, name: &str) -> Option<String> {
    r.query_value(key, name).ok().and_then(Value::text)
}

#[test]
fn default_contents_parse() {
    let id = identity();
    let hives = [
        (defaults::software(&id), "HKEY_LOCAL_MACHINE\\SOFTWARE"),
        (defaults::system(&id), "HKEY_LOCAL_MACHINE\\SYSTEM"),
        (defaults::sam(), "HKEY_LOCAL_MACHINE\\SAM"),
        (defaults::security(), "HKEY_LOCAL_MACHINE\\SECURITY"),
        (
            defaults::user("HKEY_USERS\\.DEFAULT"),
            "HKEY_USERS\\.DEFAULT",
        ),
        (
            defaults::hardware(Processor::X86),
            "HKEY_LOCAL_MACHINE\\HARDWARE",
        ),
        (
            defaults::hardware(Processor::Alpha),
            "HKEY_LOCAL_MACHINE\\HARDWARE",
        ),
    ];
    for (text, root) in hives {
        let tree =
            store::parse_hive(text.as_bytes(), root).unwrap_or_else(|e| panic!("{root}: {e}"));
        assert!(tree.key_count() >= 1, "{root}");
    }
}

#[test]
fn default_contents_are_nt4s() {
    let r = Registry::new(identity());
    let lm = r.root_key(RootKey::LocalMachine).expect("HKLM");
    let cv = r
        .open_key(lm, "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", X86)
        .expect("CurrentVersion");
    assert_eq!(text(&r, cv, "CurrentVersion").as_deref(), Some("4.0"));
    assert_eq!(text(&r, cv, "CurrentBuildNumber").as_deref(), Some("1381"));
    assert_eq!(
        text(&r, cv, "CSDVersion").as_deref(),
        Some("Service Pack 6")
    );
    assert_eq!(text(&r, cv, "SystemRoot").as_deref(), Some("C:\\WINNT"));
    assert_eq!(text(&r, cv, "RegisteredOwner").as_deref(), Some("tester"));
    for (p, path) in [
        (Processor::X86, "x86 Family 5 Model 2 Stepping 4"),
        (Processor::Alpha, "Alpha 21164 Model 10, Pass 0"),
    ] {
        let cpu = r
            .open_key(lm, "HARDWARE\\DESCRIPTION\\System\\CentralProcessor\\0", p)
            .expect("cpu");
        assert_eq!(text(&r, cpu, "Identifier").as_deref(), Some(path));
    }
    let cu = r.root_key(RootKey::CurrentUser).expect("HKCU");
    let env = r.open_key(cu, "Environment", X86).expect("Environment");
    assert_eq!(
        text(&r, env, "TEMP").as_deref(),
        Some("%SystemDrive%\\TEMP")
    );
    assert!(r.open_key(cu, "Control Panel\\International", X86).is_ok());
    assert!(r.open_key(cu, "Console", X86).is_ok());
    assert_eq!(
        r.key_path(cu).expect("path"),
        format!("\\REGISTRY\\USER\\{USER_SID}")
    );
    let cr = r.root_key(RootKey::ClassesRoot).expect("HKCR");
    assert_eq!(
        r.key_path(cr).expect("path"),
        "\\REGISTRY\\MACHINE\\SOFTWARE\\Classes"
    );
    assert!(r.root_key(RootKey::CurrentConfig).is_ok());
    // HKLM lists HARDWARE once, beside the hives.
    let names: Vec<String> = (0..)
        .map_while(|i| r.enum_key(lm, i).ok().map(|s| s.name))
        .collect();
    assert_eq!(names, ["HARDWARE", "SAM", "SECURITY", "SOFTWARE", "SYSTEM"]);
    assert!(
        r.open_absolute("\\Registry\\Machine\\Software\\Microsoft", X86)
            .is_ok()
    );
}

#[test]
fn paths_follow_nt_rules() {
    let mut r = Registry::new(identity());
    let cu = r.root_key(RootKey::CurrentUser).expect("HKCU");
    assert_eq!(
        r.open_key(cu, "\\Software", X86),
        Err(RegistryError::PathSyntaxBad)
    );
    assert!(r.open_key(cu, "software\\\\", X86).is_ok());
    assert_eq!(
        r.open_key(cu, "Software\\\\Microsoft", X86),
        Err(RegistryError::NameInvalid)
    );
    assert_eq!(r.open_key(cu, "Nothing", X86), Err(RegistryError::NotFound));
    assert_eq!(r.open_key(cu, "", X86), Ok(cu));
    let long = "x".repeat(256);
    assert_eq!(
        r.create_key(cu, &long, X86, &CreateOptions::default()),
        Err(RegistryError::InvalidParameter)
    );
    // NtCreateKey does not make missing parents; RegCreateKeyEx does.
    assert_eq!(
        r.create_key(cu, "A\\B", X86, &CreateOptions::default()),
        Err(RegistryError::NotFound)
    );
    let b = create(&mut r, RootKey::CurrentUser, "A\\B");
    let (again, d) = r
        .create_key(cu, "a\\b", X86, &CreateOptions::default())
        .expect("open");
    assert_eq!((again, d), (b, Disposition::OpenedExisting));
    // Nothing is made directly under HKLM or HKU.
    let lm = r.root_key(RootKey::LocalMachine).expect("HKLM");
    assert_eq!(
        r.create_key(lm, "New", X86, &CreateOptions::default()),
        Err(RegistryError::AccessDenied)
    );
}

#[test]
fn volatile_keys_and_deletion() {
    let mut r = Registry::new(identity());
    let cu = r.root_key(RootKey::CurrentUser).expect("HKCU");
    let volatile = CreateOptions {
        volatile: true,
        ..CreateOptions::default()
    };
    let (v, _) = r.create_key(cu, "Vol", X86, &volatile).expect("volatile");
    assert_eq!(
        r.create_key(v, "Child", X86, &CreateOptions::default()),
        Err(RegistryError::ChildMustBeVolatile)
    );
    let (child, d) = r
        .create_key(v, "Child", X86, &volatile)
        .expect("volatile child");
    assert_eq!(d, Disposition::CreatedNew);
    // An existing key opens whatever the options say.
    assert!(
        r.create_key(v, "Child", X86, &CreateOptions::default())
            .is_ok()
    );
    assert_eq!(r.delete_key(v), Err(RegistryError::CannotDelete));
    r.delete_key(child).expect("delete child");
    assert_eq!(r.query_value(child, ""), Err(RegistryError::KeyDeleted));
    assert_eq!(
        r.set_value(child, Value::dword("x", 1)),
        Err(RegistryError::KeyDeleted)
    );
    r.delete_key(v).expect("delete");
    assert_eq!(r.open_key(cu, "Vol", X86), Err(RegistryError::NotFound));
    // A hive's root cannot go.
    assert_eq!(r.delete_key(cu), Err(RegistryError::CannotDelete));
}

#[test]
fn values_keep_their_order_and_subkeys_sort() {
    let mut r = Registry::new(identity());
    let k = create(&mut r, RootKey::CurrentUser, "Software\\Order");
    r.set_value(k, Value::dword("Zeta", 1)).expect("set");
    r.set_value(k, Value::string("alpha", "a")).expect("set");
    r.set_value(k, Value::dword("ZETA", 2)).expect("set");
    assert_eq!(r.enum_value(k, 0).expect("0").name, "Zeta");
    assert_eq!(r.enum_value(k, 0).expect("0").as_dword(), Some(2));
    assert_eq!(r.enum_value(k, 1).expect("1").kind, REG_SZ);
    assert_eq!(r.enum_value(k, 2), Err(RegistryError::NoMoreEntries));
    for name in ["b", "C", "a"] {
        let options = CreateOptions {
            class: Some(format!("class of {name}")),
            ..CreateOptions::default()
        };
        r.create_key(k, name, X86, &options).expect("sub");
    }
    let names: Vec<String> = (0..3)
        .map(|i| r.enum_key(k, i).expect("key").name)
        .collect();
    assert_eq!(names, ["a", "b", "C"]);
    let info = r.key_info(k).expect("info");
    assert_eq!((info.subkeys, info.values), (3, 2));
    assert_eq!(info.max_subkey_len, 1);
    assert_eq!(info.max_class_len, 10);
    assert_eq!(info.max_value_name_len, 5);
    assert_eq!(info.max_value_len, 4);
    r.delete_value(k, "ZETA").expect("delete");
    assert_eq!(r.delete_value(k, "zeta"), Err(RegistryError::NotFound));
    assert_eq!(r.query_value(k, "alpha").map(|v| v.kind), Ok(REG_SZ));
}

#[test]
fn watches_fire_once_for_their_kind_of_change() {
    let mut r = Registry::new(identity());
    let k = create(&mut r, RootKey::CurrentUser, "Software\\Watched");
    let sub = create(&mut r, RootKey::CurrentUser, "Software\\Watched\\Sub");
    r.watch(k, false, NOTIFY_CHANGE_LAST_SET, 1).expect("watch");
    r.watch(k, true, NOTIFY_CHANGE_LAST_SET, 2).expect("watch");
    r.watch(k, false, NOTIFY_CHANGE_NAME, 3).expect("watch");
    r.set_value(sub, Value::dword("x", 1)).expect("set");
    assert_eq!(r.take_fired(), [2]);
    r.set_value(k, Value::dword("x", 1)).expect("set");
    assert_eq!(r.take_fired(), [1]);
    r.set_value(k, Value::dword("x", 2)).expect("set");
    assert!(r.take_fired().is_empty());
    create(&mut r, RootKey::CurrentUser, "Software\\Watched\\New");
    assert_eq!(r.take_fired(), [3]);
    assert_eq!(r.watch_count(), 0);
}

#[test]
fn hives_persist_and_reload() {
    let dir = scratch("persist");
    {
        let mut r = open_at(&dir);
        assert!(r.take_messages().is_empty());
        let k = create(&mut r, RootKey::CurrentUser, "Software\\Persist");
        r.set_value(k, Value::string("Name", "value")).expect("set");
        let v = r
            .create_key(
                k,
                "Volatile",
                X86,
                &CreateOptions {
                    volatile: true,
                    ..CreateOptions::default()
                },
            )
            .expect("volatile")
            .0;
        r.set_value(v, Value::dword("gone", 1)).expect("set");
        assert!(r.is_dirty());
        r.flush(k).expect("flush");
        assert!(!r.is_dirty());
    }
    let user_hive = dir.join("WINNT/Profiles/tester/ntuser.reg");
    let text = std::fs::read_to_string(&user_hive).expect("hive file");
    assert!(text.starts_with("REGEDIT4\r\n"), "{text}");
    assert!(text.contains("[HKEY_CURRENT_USER\\Software\\Persist]\r\n\"Name\"=\"value\""));
    assert!(!text.contains("Volatile"));
    // Untouched hives were not written.
    assert!(!dir.join("WINNT/system32/config/software.reg").exists());
    let r = open_at(&dir);
    let cu = r.root_key(RootKey::CurrentUser).expect("HKCU");
    let k = r.open_key(cu, "Software\\Persist", X86).expect("reloaded");
    assert_eq!(text_of(&r, k, "Name"), "value");
    assert_eq!(r.open_key(k, "Volatile", X86), Err(RegistryError::NotFound));
    let _ = std::fs::remove_dir_all(&dir);
}

fn text_of(r: &Registry, k: KeyId, name: &str) -> String {
    text(r, k, name).unwrap_or_default()
}

#[test]
fn a_deferred_write_comes_within_the_delay_and_at_idle() {
    let dir = scratch("deferred");
    let mut r = open_at(&dir);
    let k = create(&mut r, RootKey::CurrentUser, "Software\\Later");
    r.set_value(k, Value::dword("n", 1)).expect("set");
    let hive = dir.join("WINNT/Profiles/tester/ntuser.reg");
    let now = Instant::now();
    r.housekeeping(now, None);
    assert!(!hive.exists(), "written before its time");
    r.housekeeping(now, Some(Duration::from_millis(10)));
    assert!(!hive.exists(), "a short idle does not reach the deadline");
    r.housekeeping(now + FLUSH_DELAY, None);
    assert!(hive.exists(), "not written after the delay");
    r.set_value(k, Value::dword("n", 2)).expect("set");
    r.housekeeping(Instant::now(), Some(Duration::MAX));
    assert!(!r.is_dirty(), "an idle machine writes at once");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn two_writers_of_one_hive_keep_both_sets_of_changes() {
    let dir = scratch("merge");
    let mut a = open_at(&dir);
    let mut b = open_at(&dir);
    let ka = create(&mut a, RootKey::CurrentUser, "Software\\Shared\\A");
    let kb = create(&mut b, RootKey::CurrentUser, "Software\\Shared\\B");
    a.set_value(ka, Value::dword("from", 1)).expect("set");
    b.set_value(kb, Value::dword("from", 2)).expect("set");
    // Both change the same value; the later write wins.
    let sa = create(&mut a, RootKey::CurrentUser, "Software\\Shared");
    let sb = create(&mut b, RootKey::CurrentUser, "Software\\Shared");
    a.set_value(sa, Value::string("last", "a")).expect("set");
    b.set_value(sb, Value::string("last", "b")).expect("set");
    a.flush(ka).expect("flush a");
    b.flush(kb).expect("flush b");
    // B took in A's keys while writing; A takes in B's at its next look.
    assert!(b.open_key(sb, "A", X86).is_ok());
    a.housekeeping(Instant::now() + REFRESH_INTERVAL, None);
    let kb_in_a = a.open_key(sa, "B", X86).expect("B's key in A");
    assert_eq!(
        a.query_value(kb_in_a, "from")
            .ok()
            .and_then(Value::as_dword),
        Some(2)
    );
    assert_eq!(text_of(&a, sa, "last"), "b");
    // A's handle to its own key still works: the key kept its identity.
    assert_eq!(
        a.query_value(ka, "from").ok().and_then(Value::as_dword),
        Some(1)
    );
    let c = open_at(&dir);
    let cu = c.root_key(RootKey::CurrentUser).expect("HKCU");
    assert!(c.open_key(cu, "Software\\Shared\\A", X86).is_ok());
    assert!(c.open_key(cu, "Software\\Shared\\B", X86).is_ok());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn concurrent_writers_on_threads_lose_nothing() {
    let dir = scratch("threads");
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let mut r = open_at(&dir);
                for i in 0..20 {
                    let k = create(
                        &mut r,
                        RootKey::CurrentUser,
                        &format!("Software\\T{t}\\K{i}"),
                    );
                    r.set_value(k, Value::dword("i", i)).expect("set");
                    r.flush(k).expect("flush");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread");
    }
    let r = open_at(&dir);
    let cu = r.root_key(RootKey::CurrentUser).expect("HKCU");
    for t in 0..2 {
        for i in 0..20 {
            let k = r
                .open_key(cu, &format!("Software\\T{t}\\K{i}"), X86)
                .unwrap_or_else(|e| panic!("T{t}\\K{i}: {e}"));
            assert_eq!(
                r.query_value(k, "i").ok().and_then(Value::as_dword),
                Some(i)
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_corrupt_hive_is_reported_and_set_aside() {
    let dir = scratch("corrupt");
    let config = dir.join("WINNT/system32/config");
    std::fs::create_dir_all(&config).expect("config");
    std::fs::write(
        config.join("software.reg"),
        "REGEDIT4\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\r\n",
    )
    .expect("corrupt");
    let mut r = open_at(&dir);
    let messages = r.take_messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].contains("software.reg: line 2"),
        "{}",
        messages[0]
    );
    assert!(!messages[0].contains('\n'));
    assert!(config.join("software.reg.corrupt").exists());
    assert!(!config.join("software.reg").exists());
    // The defaults are there.
    let lm = r.root_key(RootKey::LocalMachine).expect("HKLM");
    assert!(
        r.open_key(lm, "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion", X86)
            .is_ok()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn export_and_import_round_trip() {
    let mut a = Registry::new(identity());
    let k = create(&mut a, RootKey::CurrentUser, "Software\\RoundTrip\\Deep");
    a.set_value(k, Value::string("", "default")).expect("set");
    a.set_value(
        k,
        Value {
            name: "bin".into(),
            kind: 3,
            data: vec![0, 1, 2, 255],
        },
    )
    .expect("set");
    let cu = a.root_key(RootKey::CurrentUser).expect("HKCU");
    let exported = a.export(cu, "HKEY_CURRENT_USER").expect("export");
    let mut b = Registry::new(Identity::new("other"));
    b.import(&exported).expect("import");
    let cu_b = b.root_key(RootKey::CurrentUser).expect("HKCU");
    assert_eq!(
        b.export(cu_b, "HKEY_CURRENT_USER").expect("export"),
        exported
    );
    // [-KEY] deletes; a bad root stops with its line.
    b.import(b"REGEDIT4\r\n[-HKEY_CURRENT_USER\\Software\\RoundTrip]\r\n")
        .expect("delete");
    assert!(b.open_key(cu_b, "Software\\RoundTrip", X86).is_err());
    let e = b
        .import(b"REGEDIT4\r\n\r\n[HKEY_NOWHERE\\X]\r\n")
        .expect_err("bad root");
    assert!(e.to_string().starts_with("line 3:"), "{e}");
}

#[test]
fn saved_keys_load_as_hives_and_write_back() {
    let dir = scratch("load");
    let drive = SystemDrive::open(&dir, false).expect("drive");
    let mut r = Registry::open(identity(), Some(drive.clone()));
    let k = create(&mut r, RootKey::CurrentUser, "Software\\Saved");
    r.set_value(k, Value::dword("n", 5)).expect("set");
    std::fs::write(dir.join("saved.reg"), r.save_key(k).expect("save")).expect("write");
    let lm = r.root_key(RootKey::LocalMachine).expect("HKLM");
    let file = drive.directory("").file("saved.reg");
    let root = r.load_hive(lm, "Loaded", file.clone()).expect("load");
    assert_eq!(
        r.query_value(root, "n").ok().and_then(Value::as_dword),
        Some(5)
    );
    assert_eq!(
        r.load_hive(lm, "Loaded", file.clone()),
        Err(RegistryError::AlreadyExists)
    );
    assert_eq!(
        r.load_hive(k, "X", file),
        Err(RegistryError::InvalidParameter)
    );
    r.set_value(root, Value::dword("m", 6)).expect("set");
    r.unload_hive(root).expect("unload");
    assert_eq!(r.query_value(root, "n"), Err(RegistryError::KeyDeleted));
    assert_eq!(r.open_key(lm, "Loaded", X86), Err(RegistryError::NotFound));
    let text = std::fs::read_to_string(dir.join("saved.reg")).expect("saved");
    assert!(text.contains("\"m\"=dword:00000006"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn value_types_are_kept_as_given() {
    let mut r = Registry::new(identity());
    let k = create(&mut r, RootKey::CurrentUser, "Software\\Types");
    for kind in 0..=11 {
        r.set_value(
            k,
            Value {
                name: format!("t{kind}"),
                kind,
                data: vec![kind as u8; 3],
            },
        )
        .expect("set");
    }
    assert_eq!(r.query_value(k, "t4").map(|v| v.kind), Ok(REG_DWORD));
    assert_eq!(r.key_info(k).map(|i| i.values), Ok(12));
    let too_big = Value {
        name: "big".into(),
        kind: 3,
        data: vec![0; value::MAX_VALUE_DATA + 1],
    };
    assert_eq!(
        r.set_value(k, too_big),
        Err(RegistryError::InvalidParameter)
    );
}
