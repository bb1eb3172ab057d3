//! Start-up as NT does it (issue 14): what CreateProcess leaves in a process before its
//! first instruction (PEB.ProcessHeap, PEB.ProcessParameters with the image path, command
//! line, environment and standard handles), read by guest code that bypasses KERNEL32;
//! GetFileType for each kind of handle; the environment built from the host's and NT's
//! variables; and command lines quoted by the C runtime's rules both ways.

mod common;

use common::{Scratch, guest, run_captured};
use ntemu::RunOptions;
use ntemu::kernel32::{FILE_TYPE_CHAR, FILE_TYPE_DISK, FILE_TYPE_PIPE, StdFileTypes};

fn line<'a>(out: &'a str, name: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no {name} in\n{out}"))
}

#[test]
fn the_peb_holds_the_heap_and_the_process_parameters() {
    let drive = Scratch::new("startup");
    let run = run_captured(
        &guest("x86/startup.exe"),
        RunOptions {
            root: Some(drive.path().to_path_buf()),
            args: vec!["one".into(), "two words".into()],
            std_file_types: Some(StdFileTypes([
                FILE_TYPE_CHAR,
                FILE_TYPE_PIPE,
                FILE_TYPE_DISK,
            ])),
            ..RunOptions::default()
        },
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    let out = &run.stdout;
    for name in [
        "peb-heap-is-the-process-heap",
        "heap-alloc-through-the-peb",
        "heap-free",
        "parameters-normalized",
        "command-line-is-GetCommandLineW",
        "environment-is-GetEnvironmentStringsW",
        "std-output-is-GetStdHandle",
    ] {
        assert_eq!(line(out, name), "1", "{name}:\n{out}");
    }
    // The program's folder is E: (read-only), its name starts the command line.
    assert_eq!(line(out, "image"), "E:\\startup.exe");
    assert_eq!(line(out, "command-line"), "startup.exe one \"two words\"");
    // NT 4.0's console handles.
    assert_eq!(line(out, "std-input"), "0x00000003");
    assert_eq!(line(out, "std-output"), "0x00000007");
    assert_eq!(line(out, "std-error"), "0x0000000b");
    // NT's own variables, and the CPU's.
    assert_eq!(line(out, "Path"), "C:\\WINNT\\system32;C:\\WINNT");
    assert_eq!(line(out, "windir"), "C:\\WINNT");
    assert_eq!(line(out, "TEMP"), "C:\\TEMP");
    assert_eq!(line(out, "PROCESSOR_ARCHITECTURE"), "x86");
    // GetFileType: the standard handles as the host redirected them, then a disk file, NUL,
    // the console by name, and a bad handle (0 with ERROR_INVALID_HANDLE).
    assert_eq!(line(out, "type-stdin"), "2");
    assert_eq!(line(out, "type-stdout"), "3");
    assert_eq!(line(out, "type-stderr"), "1");
    assert_eq!(line(out, "type-disk-file"), "1");
    assert_eq!(line(out, "type-nul"), "2");
    assert_eq!(line(out, "type-conout"), "2");
    assert_eq!(line(out, "type-bad-handle"), "0");
    assert_eq!(line(out, "type-bad-handle-error"), "6");
}

#[test]
fn alpha_peb_heap_is_the_process_heap() {
    let run = run_captured(&guest("alpha/startup.exe"), RunOptions::default());
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "peb-heap-is-the-process-heap: 1\nheap-alloc-through-the-peb: 1\nheap-free: 1\n"
    );
}

#[test]
fn the_environment_is_the_hosts_with_nt_values_and_no_host_paths() {
    let env = ntemu::guest_environment(false, &[("EXTRA".into(), "given".into())]);
    let get = |name: &str| {
        env.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("PATH"), Some("C:\\WINNT\\system32;C:\\WINNT"));
    assert_eq!(get("TEMP"), Some("C:\\TEMP"));
    assert_eq!(get("TMP"), Some("C:\\TEMP"));
    assert_eq!(get("SystemRoot"), Some("C:\\WINNT"));
    assert_eq!(get("windir"), Some("C:\\WINNT"));
    assert_eq!(get("COMSPEC"), Some("C:\\WINNT\\system32\\cmd.exe"));
    assert_eq!(get("COMPUTERNAME"), Some("NTEMU"));
    assert!(get("USERNAME").is_some());
    assert_eq!(get("EXTRA"), Some("given"));
    assert!(
        env.iter().all(|(_, v)| !v.starts_with('/')),
        "a host path leaked in: {env:?}"
    );
    // Cargo sets CARGO_PKG_NAME for the test: the host's variables come through...
    assert_eq!(get("CARGO_PKG_NAME"), Some("ntemu"));
    // ...except with `clear`.
    let clear = ntemu::guest_environment(true, &[]);
    assert!(clear.iter().all(|(n, _)| n != "CARGO_PKG_NAME"));
    assert!(clear.iter().any(|(n, _)| n == "windir"));
}

#[test]
fn arguments_reach_the_c_runtime_as_given() {
    let args: Vec<String> = [
        "a\"b",
        "x",
        "two words",
        "",
        "back\\\\slash\\",
        "q\\\"x",
        "end\\",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let run = run_captured(
        &guest("x86/args.exe"),
        RunOptions {
            args: args.clone(),
            ..RunOptions::default()
        },
    );
    assert_eq!(run.report.exit_code, 0, "{}", run.stderr);
    let mut want = format!("argc={}\n", args.len() + 1);
    for a in &args {
        want.push_str(&format!("[{a}]\n"));
    }
    want.push_str(&format!(
        "line={}\n",
        ntemu::command_line("args.exe", &args)
    ));
    assert_eq!(run.stdout.replace("\r\n", "\n"), want);
}
