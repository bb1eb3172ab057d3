//! What `ntemu FILE` says of a file it cannot run: one line on stderr naming the file and
//! what it is, and exit status 2. The files are made from the committed hello.exe by
//! changing the header fields that say what a PE file is (the DLL flag, the machine, the
//! optional header's magic, the subsystem), or written whole (ELF, text, DOS, NE).

mod common;

use common::{Scratch, guests, ntemu_in, text};

/// hello.exe's bytes with `edit` applied to them (given the PE header's offset).
fn hello_edited(edit: impl FnOnce(&mut Vec<u8>, usize)) -> Vec<u8> {
    let mut bytes = std::fs::read(guests().join("x86/hello.exe")).expect("hello.exe");
    let pe = u32::from_le_bytes(bytes[0x3C..0x40].try_into().expect("e_lfanew")) as usize;
    edit(&mut bytes, pe);
    bytes
}

fn put16(bytes: &mut [u8], at: usize, value: u16) {
    bytes[at..at + 2].copy_from_slice(&value.to_le_bytes());
}

/// A DOS MZ header whose e_lfanew points at `signature` (or at nothing).
fn dos_with(signature: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0u8; 0x80];
    bytes[..2].copy_from_slice(b"MZ");
    bytes[0x3C] = 0x40;
    bytes[0x40..0x40 + signature.len()].copy_from_slice(signature);
    bytes
}

/// `ntemu FILE` for a file holding `bytes`: one line, status 2, naming the file and `what`.
fn refused(name: &str, bytes: &[u8], what: &str) {
    let s = Scratch::new("not-a-program");
    let work = s.0.join("work");
    std::fs::create_dir_all(&work).expect("work");
    let file = work.join(name);
    std::fs::write(&file, bytes).expect("file");
    let o = ntemu_in(&s, &work, &[file.to_str().expect("path")]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{name}: {err}");
    assert_eq!(err.lines().count(), 1, "{name}: {err}");
    assert_eq!(err.trim_end(), format!("ntemu: {}: {what}", file.display()));
}

#[test]
fn an_elf_executable_is_not_a_windows_program() {
    refused(
        "prog",
        b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0",
        "not a Windows program (an ELF executable)",
    );
}

#[test]
fn a_text_file_is_not_a_windows_program() {
    refused(
        "notes.exe",
        b"just some text\n",
        "not a Windows program (a text file)",
    );
}

#[test]
fn an_empty_file_is_not_a_windows_program() {
    refused("empty.exe", b"", "not a Windows program (an empty file)");
}

#[test]
fn dos_and_16_bit_windows_programs_are_named() {
    let what = "a 16-bit DOS or Windows program: ntemu runs 32-bit NT programs";
    refused("dos.exe", &dos_with(b""), what);
    refused("win16.exe", &dos_with(b"NE"), what);
}

#[test]
fn a_dll_is_not_a_program() {
    let dll = hello_edited(|b, pe| {
        let characteristics = u16::from_le_bytes([b[pe + 22], b[pe + 23]]);
        put16(b, pe + 22, characteristics | 0x2000);
    });
    refused(
        "hello.dll",
        &dll,
        "a DLL, not a program: run the program that loads it",
    );
}

#[test]
fn sixty_four_bit_programs_are_named_by_machine() {
    let pe64 = |machine: u16| {
        hello_edited(|b, pe| {
            put16(b, pe + 4, machine);
            put16(b, pe + 24, 0x20B);
        })
    };
    refused(
        "x64.exe",
        &pe64(0x8664),
        "a 64-bit x64 program: ntemu runs 32-bit NT programs (x86 and Alpha AXP)",
    );
    refused(
        "axp64.exe",
        &pe64(0x284),
        "an AXP64 program: ntemu runs 32-bit NT programs (x86 and Alpha AXP)",
    );
}

#[test]
fn a_program_for_another_nt_cpu_is_named() {
    let mips = hello_edited(|b, pe| put16(b, pe + 4, 0x166));
    refused(
        "mips.exe",
        &mips,
        "an NT program for another CPU (machine 0x0166): ntemu runs x86 and Alpha AXP programs",
    );
}

#[test]
fn a_gui_program_runs() {
    // hello.exe marked as a program of the GUI subsystem runs as one (headless: no window
    // is asked for), to its exit code.
    let gui = hello_edited(|b, pe| put16(b, pe + 24 + 68, 2));
    let s = Scratch::new("gui-program");
    let work = s.0.join("work");
    std::fs::create_dir_all(&work).expect("work");
    let file = work.join("gui.exe");
    std::fs::write(&file, &gui).expect("file");
    let o = ntemu_in(
        &s,
        &work,
        &["--display", "none", file.to_str().expect("path")],
    );
    assert_eq!(o.status.code(), Some(7), "{}", text(&o.stderr));
    assert!(
        !text(&o.stderr).contains("GUI program"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn a_missing_file_names_its_path() {
    let s = Scratch::new("missing");
    let work = s.0.join("work");
    std::fs::create_dir_all(&work).expect("work");
    let file = work.join("nowhere.exe");
    let o = ntemu_in(&s, &work, &[file.to_str().expect("path")]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!("ntemu: cannot read {}: ", file.display())),
        "{err}"
    );
}
