//! The drives `ntemu run` gives a program: `--root`, the current directory as D:, the
//! program's folder as E:, `--drive`, and the directories it refuses to give.

mod common;

use std::path::Path;
use std::process::Output;

use common::{Scratch, guests, ntemu_in, text};

fn one_line_error(o: &Output, wanted: &str) {
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("ntemu: ") && err.contains(wanted), "{err}");
}

#[test]
fn the_host_root_and_the_home_directory_are_refused_as_drives() {
    let s = Scratch::new("refuse");
    let hello = guests().join("x86/hello.exe");
    let hello = hello.to_str().expect("path");
    let o = ntemu_in(&s, &s.0, &["run", "--root", "/", hello]);
    one_line_error(&o, "refusing");
    let home = s.0.join("home");
    std::fs::create_dir_all(&home).expect("home");
    let home_arg = home.to_str().expect("path");
    let o = ntemu_in(&s, &s.0, &["run", "--root", home_arg, hello]);
    one_line_error(&o, "refusing");
    // The scratch holds the home: refused as well, as a --drive.
    let scratch_arg = format!("E:={}", s.0.display());
    let o = ntemu_in(&s, &s.0, &["run", "--drive", &scratch_arg, hello]);
    one_line_error(&o, "refusing");
    // Unless asked for.
    let o = ntemu_in(
        &s,
        &s.0,
        &["run", "--allow-root-dir", "--root", home_arg, hello],
    );
    assert_eq!(o.status.code(), Some(7), "{}", text(&o.stderr));
    // A malformed --drive.
    let o = ntemu_in(&s, &s.0, &["run", "--drive", "E=/tmp", hello]);
    one_line_error(&o, "--drive");
}

#[test]
fn drives_answer_for_the_mounts() {
    let s = Scratch::new("mounts");
    let work = s.0.join("work");
    let data = s.0.join("data-dir");
    std::fs::create_dir_all(&work).expect("work");
    std::fs::create_dir_all(&data).expect("data");
    std::fs::write(data.join("in-f.txt"), b"on F:\n").expect("file");
    // The current directory is D: and the guest's current directory; F: is read-only.
    let fsprobe = guests().join("x86/fsprobe.exe");
    std::fs::write(
        work.join("names.txt"),
        "F:\\in-f.txt\nF:\\new.txt\nD:\\names.txt\nC:\\\nE:\\fsprobe.exe\n",
    )
    .expect("names");
    let f = format!("F:={}:ro", data.display());
    let o = ntemu_in(
        &s,
        &work,
        &["run", "--drive", &f, fsprobe.to_str().expect("path")],
    );
    let out = text(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(1),
        "no C:\\names.txt, so it says so: {out}"
    );
    assert_eq!(out, "no names\n");
    // With the list on C: the probe runs; its current directory is D:.
    let c = s.0.join("data/ntemu/c");
    std::fs::write(
        c.join("names.txt"),
        "F:\\in-f.txt\nF:\\new.txt\nD:\\names.txt\nE:\\fsprobe.exe\n",
    )
    .expect("names");
    let o = ntemu_in(
        &s,
        &work,
        &["run", "--drive", &f, fsprobe.to_str().expect("path")],
    );
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}{}", text(&o.stderr));
    let lines: Vec<&str> = out.lines().collect();
    // F: is read-only: reads work, writes, deletes and directories are refused.
    assert!(
        lines[0].starts_with("0: read=0 attr=0 find=0 write=5 delete=5"),
        "{out}"
    );
    assert!(
        lines[1].contains("write=5") && lines[1].contains("mkdir=5"),
        "{out}"
    );
    // D: is the current directory, read-write: the probe can delete what it finds there.
    assert!(
        lines[2].starts_with("2: read=0 attr=0 find=0 write=0 delete=0"),
        "{out}"
    );
    assert!(!work.join("names.txt").exists());
    // E: is the program's folder, read-only.
    assert!(
        lines[3].starts_with("3: read=0 attr=0 find=0 write=5 delete=5"),
        "{out}"
    );
    assert_eq!(
        std::fs::read(data.join("in-f.txt")).expect("F: file"),
        b"on F:\n"
    );
}

#[test]
fn ntvi_edits_a_file_in_the_current_directory() {
    let Some(ntvi) = pe_image::corpus::file("x86/ntvi.exe") else {
        return;
    };
    let s = Scratch::new("cwd-edit");
    let project = s.0.join("proj");
    std::fs::create_dir_all(&project).expect("proj");
    std::fs::write(project.join("notes.txt"), "first line\n").expect("notes");
    let keys = s.0.join("keys.txt");
    std::fs::write(&keys, "Oinserted line\\e:wq\\r").expect("keys");
    let o = ntemu_in(
        &s,
        &project,
        &[
            "run",
            "--input",
            keys.to_str().expect("path"),
            ntvi.to_str().expect("path"),
            "notes.txt",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        std::fs::read_to_string(project.join("notes.txt")).expect("notes"),
        "inserted line\r\nfirst line\r\n"
    );
    // Nothing was made on the per-user drive C:.
    let c = s.0.join("data/ntemu/c");
    assert!(!c.join("notes.txt").exists());
}

#[test]
fn elvis_vi_starts_elvis_from_its_own_folder() {
    let Some(vi) = pe_image::corpus::file("ntutils/elvis/vi.exe") else {
        return;
    };
    let before = listing(vi.parent().expect("folder"));
    let s = Scratch::new("elvis");
    let work = s.0.join("work");
    std::fs::create_dir_all(&work).expect("work");
    std::fs::write(work.join("f.txt"), "text\n").expect("f");
    let keys = s.0.join("keys.txt");
    std::fs::write(&keys, ":q!\\r").expect("keys");
    let o = ntemu_in(
        &s,
        &work,
        &[
            "run",
            "--trace",
            "relay",
            "--input",
            keys.to_str().expect("path"),
            vi.to_str().expect("path"),
            "f.txt",
        ],
    );
    let err = text(&o.stderr);
    // vi.exe starts E:\elvis.exe, beside itself, with the file to edit.
    let call = err
        .lines()
        .position(|l| {
            l.contains(":Call KERNEL32.CreateProcessA(") && l.contains("\"E:\\\\elvis.exe\"")
        })
        .unwrap_or_else(|| panic!("no CreateProcessA of E:\\elvis.exe in\n{err}"));
    let ret = err
        .lines()
        .skip(call)
        .find(|l| l.contains(":Ret  KERNEL32.CreateProcessA()"))
        .expect("its Ret line");
    assert!(ret.contains("retval=00000001"), "{ret}");
    // The corpus folder is the program's read-only E:: nothing there changed.
    assert_eq!(listing(vi.parent().expect("folder")), before);
}

fn listing(dir: &Path) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| {
            let e = e.expect("entry");
            let len = e.metadata().map_or(0, |m| m.len());
            (e.file_name().to_string_lossy().into_owned(), len)
        })
        .collect();
    v.sort();
    v
}
