//! `ntemu inspect` end to end.

use std::path::PathBuf;
use std::process::{Command, Output};

fn ntemu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ntemu"))
        .args(args)
        .output()
        .expect("run ntemu")
}

fn corpus() -> Option<PathBuf> {
    pe_image::corpus::dir()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scratch file that removes itself.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str, bytes: &[u8]) -> Scratch {
        let path = std::env::temp_dir().join(format!("ntemu-{}-{name}", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        Scratch(path)
    }

    fn arg(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn alpha_aclock_acceptance() {
    let Some(dir) = corpus() else { return };
    let path = dir.join("alpha/aclock.exe");
    let o = ntemu(&["inspect", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("machine:      Alpha (0x184)"), "{out}");
    assert!(out.contains("image base:   0x400000"), "{out}");
    assert!(out.contains("entry point:  0x4034f0"), "{out}");
    assert!(out.contains("46 imports from KERNEL32.dll"), "{out}");
    assert!(out.contains("1 imports from USER32.dll"), "{out}");
    assert!(out.contains("    wsprintfA"), "{out}");
    assert!(out.contains("subsystem:    3 (Windows console)"), "{out}");
    assert!(out.contains("linker:       6.00"), "{out}");
    assert!(
        out.contains(".text") && out.contains("PAGE_EXECUTE_READ"),
        "{out}"
    );
    assert!(out.contains("relocations:  none"), "{out}");
    assert!(out.contains("tls:          no"), "{out}");
    assert!(stderr(&o).is_empty());
}

#[test]
fn all_eight_corpus_images_exit_zero() {
    let Some(dir) = corpus() else { return };
    for name in [
        "x86/aclock.exe",
        "alpha/aclock.exe",
        "x86/ntvi.exe",
        "alpha/ntvi.exe",
        "x86/2048.exe",
        "alpha/2048.exe",
        "x86/snake.exe",
        "alpha/snake.exe",
    ] {
        let path = dir.join(name);
        for json in [false, true] {
            let mut args = vec!["inspect", path.to_str().unwrap()];
            if json {
                args.push("--json");
            }
            let o = ntemu(&args);
            assert_eq!(
                o.status.code(),
                Some(0),
                "{name} json={json}: {}",
                stderr(&o)
            );
            let machine = if name.starts_with("x86") {
                "i386"
            } else {
                "Alpha"
            };
            let out = stdout(&o);
            if json {
                assert!(
                    out.contains(&format!("\"machine\": \"{machine}\"")),
                    "{name}: {out}"
                );
            } else {
                assert!(
                    out.contains(&format!("machine:      {machine}")),
                    "{name}: {out}"
                );
            }
        }
    }
}

#[test]
fn x86_2048_relocations_by_type() {
    let Some(dir) = corpus() else { return };
    let o = ntemu(&["inspect", dir.join("x86/2048.exe").to_str().unwrap()]);
    assert!(stdout(&o).contains("HIGHLOW 703"), "{}", stdout(&o));
}

#[test]
fn json_output() {
    let Some(dir) = corpus() else { return };
    let o = ntemu(&[
        "inspect",
        "--json",
        dir.join("alpha/aclock.exe").to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(
        out.trim_start().starts_with('{') && out.trim_end().ends_with('}'),
        "{out}"
    );
    assert_eq!(out.matches('{').count(), out.matches('}').count());
    assert_eq!(out.matches('[').count(), out.matches(']').count());
    for needle in [
        "\"machine\": \"Alpha\"",
        "\"image_base\": 4194304",
        "\"entry_point\": 4207856",
        "{\"dll\": \"KERNEL32.dll\", \"count\": 46,",
        "{\"dll\": \"USER32.dll\", \"count\": 1, \"functions\": [\"wsprintfA\"]}",
        "\"relocations\": {}",
        "\"tls\": null",
    ] {
        assert!(out.contains(needle), "missing {needle}: {out}");
    }
}

#[test]
fn truncated_image_exits_2_with_one_line() {
    let bytes = match corpus() {
        Some(dir) => std::fs::read(dir.join("alpha/aclock.exe")).unwrap(),
        // Without the corpus, the project's own x86 guest image serves.
        None => std::fs::read(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/guests/x86/hello.exe"),
        )
        .unwrap(),
    };
    for len in [0x100, 0x90, 0x10, 0] {
        let f = Scratch::new(&format!("trunc{len}.exe"), &bytes[..len]);
        let o = ntemu(&["inspect", f.arg()]);
        assert_eq!(o.status.code(), Some(2), "len {len}");
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(f.arg()) && err.contains("truncated"), "{err}");
        assert!(stdout(&o).is_empty());
    }
}

#[test]
fn bad_files_exit_2_with_one_line() {
    let missing = std::env::temp_dir().join("ntemu-definitely-missing.exe");
    let o = ntemu(&["inspect", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1);

    let text = Scratch::new(
        "text.exe",
        b"this is not an executable at all, just some text\n",
    );
    let o = ntemu(&["inspect", text.arg()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));

    // An AMD64 image header: rejected naming the machine.
    let mut b = vec![0u8; 0x200];
    b[0] = b'M';
    b[1] = b'Z';
    b[0x3C] = 0x40;
    b[0x40..0x44].copy_from_slice(b"PE\0\0");
    b[0x44..0x46].copy_from_slice(&0x8664u16.to_le_bytes());
    let amd64 = Scratch::new("amd64.exe", &b);
    let o = ntemu(&["inspect", amd64.arg()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1);
    assert!(err.contains("0x8664") && err.contains("AMD64"), "{err}");
}

fn guest_image(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/guests")
        .join(name)
}

#[test]
fn resources_of_a_guest_image_list_type_name_language_size_and_strings() {
    let path = guest_image("x86/res.exe");
    let o = ntemu(&["inspect", "--resources", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("resources:    7\n"), "{out}");
    assert!(
        out.contains("  BITMAP          #101                 0x409        64\n"),
        "{out}"
    );
    assert!(
        out.contains("  RCDATA          WALL                 0x409         8\n"),
        "{out}"
    );
    assert!(
        out.contains("  RCDATA          #7                   0x407        10\n"),
        "{out}"
    );
    assert!(out.contains("  CUSTOM          #300"), "{out}");
    assert!(
        out.contains("          1  \"Hello from a string table\"\n"),
        "{out}"
    );
    assert!(out.contains("         17  \"Block two\"\n"), "{out}");
    assert!(out.ends_with("exports:      none\n"), "{out}");
    let o = ntemu(&["inspect", "--resources", "--json", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json = stdout(&o);
    assert!(
        json.contains(
            "{\"type\": \"BITMAP\", \"name\": \"#101\", \"language\": 1033, \"size\": 64"
        ),
        "{json}"
    );
    assert!(
        json.contains("{\"id\": 17, \"text\": \"Block two\"}"),
        "{json}"
    );
}

#[test]
fn resources_of_every_gui_program_of_the_corpus() {
    let Some(dir) = corpus() else { return };
    let gui = [
        ("x86/2048.exe", 0),
        ("alpha/2048.exe", 0),
        ("x86/snake.exe", 0),
        ("alpha/snake.exe", 0),
        ("ntgames/breakout/breakout-x86.exe", 0),
        ("ntgames/breakout/breakout-axp.exe", 0),
        ("ntgames/lander/lander-x86.exe", 0),
        ("ntgames/lander/lander-axp.exe", 0),
        ("ntgames/tankz/tankz-x86.exe", 0),
        ("ntgames/tankz/tankz-axp.exe", 0),
        ("ntgames/sokoban/sokoban-x86.exe", 93),
        ("ntgames/sokoban/sokoban-axp.exe", 93),
    ];
    for (rel, count) in gui {
        let path = dir.join(rel);
        let o = ntemu(&["inspect", "--resources", path.to_str().unwrap()]);
        assert!(o.status.success(), "{rel}: {}", stderr(&o));
        let out = stdout(&o);
        assert!(
            out.contains(&format!("resources:    {count}\n")),
            "{rel}: {out}"
        );
        assert!(out.contains("exports:      none\n"), "{rel}: {out}");
        if count > 0 {
            for n in 201..=205 {
                let line = format!("  BITMAP          #{n}                 0x409       616\n");
                assert!(out.contains(&line), "{rel}: {out}");
            }
            assert!(
                out.contains("  ICON            #1                   0x409       744\n"),
                "{rel}: {out}"
            );
            assert!(out.contains("  GROUP_ICON      #101"), "{rel}: {out}");
            assert!(out.contains("  RCDATA          #3085"), "{rel}: {out}");
        }
    }
}

#[test]
fn a_damaged_resource_directory_is_one_line_and_status_2() {
    // res.exe with its resource directory's root claiming 0xFFFF entries.
    let mut bytes = std::fs::read(guest_image("x86/res.exe")).unwrap();
    let image = pe_image::PeImage::parse(&bytes).unwrap();
    let (rva, _) = image.resource_directory.unwrap();
    let section = image
        .sections
        .iter()
        .find(|s| s.virtual_address <= rva && rva < s.virtual_address + s.virtual_size)
        .unwrap();
    let at = (section.raw_offset + rva - section.virtual_address) as usize;
    bytes[at + 12..at + 16].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    let f = Scratch::new("badrsrc.exe", &bytes);
    let o = ntemu(&["inspect", "--resources", f.arg()]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("resource"), "{err}");
}
