//! `ntemu run` diagnostics end to end: `--leaks`, `--trace` channels, `--stats` as JSON,
//! `inspect --coverage`, and the first line of every error.

mod common;

use common::{guests, ntemu, text};

fn guest(name: &str) -> String {
    guests().join(name).to_string_lossy().into_owned()
}

/// leak.exe creates a named event and an unnamed one, closes the unnamed one and exits: the
/// report names exactly the named event, with CreateEventA as its creator and the guest
/// address after the call (0x40109c in the committed image: `call *%esi` at 0x40109a).
#[test]
fn leaks_reports_exactly_the_leaked_event() {
    let out = ntemu(&["run", "--leaks", &guest("x86/leak.exe")]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "leaked: 0x00000004\n");
    let err = text(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert_eq!(
        lines[0],
        "ntemu: leaks: process 0x4 (x86) ended with 1 handle its calls opened and never closed"
    );
    assert_eq!(
        lines[1],
        "ntemu: leaks:   handle 0x4 Event \"ntemu-leak-kept\" access 0x1f0003: \
         KERNEL32.CreateEventA called from 0x0040109c (thread 0x8)"
    );
}

/// A program that closes everything it opens leaks nothing; its console handles (which it
/// got from GetStdHandle, opened by NT's console) are not counted.
#[test]
fn leaks_does_not_count_console_handles() {
    let out = ntemu(&["run", "--leaks", &guest("x86/hello.exe")]);
    let err = text(&out.stderr);
    assert!(
        err.contains("ended with 0 handles its calls opened and never closed"),
        "{err}"
    );
    assert!(!err.contains("handle 0x"), "{err}");
}

#[test]
fn stats_json_is_one_object_with_the_counters() {
    let out = ntemu(&[
        "run",
        "--stats-format",
        "json",
        "--leaks",
        &guest("x86/leak.exe"),
    ]);
    let err = text(&out.stderr);
    let json = err
        .lines()
        .find(|l| l.starts_with('{'))
        .unwrap_or_else(|| panic!("no JSON line: {err}"));
    assert!(json.ends_with('}'), "{json}");
    assert!(json.contains("\"exit_code\": 0"), "{json}");
    assert!(json.contains("\"outcome\": \"AllExited\""), "{json}");
    assert!(
        json.contains("\"processes\": [{\"id\": 4, \"architecture\": \"x86\", \"exit_code\": 0"),
        "{json}"
    );
    assert!(
        json.contains("\"leaks\": [{\"process\": 4, \"handle\": 4, \"type\": \"Event\", \"name\": \"ntemu-leak-kept\""),
        "{json}"
    );
    // Balanced braces and brackets: one complete object.
    let depth = json.chars().fold(0i32, |d, c| match c {
        '{' | '[' => d + 1,
        '}' | ']' => d - 1,
        _ => d,
    });
    assert_eq!(depth, 0, "{json}");
}

#[test]
fn stats_file_gets_the_report() {
    let path = std::env::temp_dir().join(format!("ntemu-stats-{}.json", std::process::id()));
    let p = path.to_string_lossy().into_owned();
    let out = ntemu(&[
        "run",
        "--stats-format",
        "json",
        "--stats-file",
        &p,
        &guest("x86/hello.exe"),
    ]);
    assert_eq!(out.status.code(), Some(7));
    let written = std::fs::read_to_string(&path).unwrap_or_default();
    let _ = std::fs::remove_file(&path);
    assert!(written.starts_with("{\"exit_code\": 7,"), "{written}");
    assert!(!text(&out.stderr).contains("exit_code"));
}

#[test]
fn trace_channels() {
    let out = ntemu(&[
        "run",
        "--trace",
        "loader,scheduler",
        "--trace",
        "exceptions",
        &guest("x86/av.exe"),
    ]);
    let err = text(&out.stderr);
    assert!(err.contains("trace:loader: mapped "), "{err}");
    assert!(err.contains("trace:loader: bound KERNEL32.dll!"), "{err}");
    assert!(
        err.contains("trace:scheduler: thread 0x8 of process 0x4 (x86) started"),
        "{err}"
    );
    assert!(
        err.contains("trace:exceptions: thread 0x8 of process 0x4: fault 0xc0000005"),
        "{err}"
    );
    // The fault line ends with the stack: where a bad jump came from.
    let fault = err
        .lines()
        .find(|l| l.contains(": fault 0xc0000005"))
        .unwrap_or_default();
    assert!(
        fault.contains("; esp=") && fault.contains(" [esp]=") && fault.contains(" ebp="),
        "{fault}"
    );
    assert!(
        err.contains("trace:exceptions: thread 0x8 of process 0x4: unhandled: the process ends with 0xc0000005"),
        "{err}"
    );
    assert!(
        err.contains("trace:scheduler: process 0x4 (x86) ended with exit code 0xc0000005"),
        "{err}"
    );
    // An import nobody implements is traced as a stub.
    let out = ntemu(&["run", "--trace", "loader", &guest("x86/missing.exe")]);
    assert!(
        text(&out.stderr).contains("is not implemented: bound to a stub"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn scheduler_trace_shows_waits_and_thread_exits() {
    let out = ntemu(&["run", "--trace", "scheduler", &guest("alpha/threads.exe")]);
    let err = text(&out.stderr);
    assert!(
        err.contains("waits (KERNEL32.WaitForSingleObject) for Any of [Thread]"),
        "{err}"
    );
    assert!(err.contains("exits (KERNEL32.ExitThread) with"), "{err}");
}

#[test]
fn inspect_coverage_lists_each_import() {
    let out = ntemu(&["inspect", "--coverage", &guest("x86/missing.exe")]);
    assert_eq!(out.status.code(), Some(0));
    let s = text(&out.stdout);
    let first = s.lines().next().unwrap_or_default();
    assert!(
        first.ends_with(": 3 of 4 imports implemented (75.0 %)"),
        "{s}"
    );
    assert!(
        s.contains("unknown      KERNEL32.dll!NtemuNeverImplemented\n"),
        "{s}"
    );
    assert_eq!(s.matches("unknown      ").count(), 1, "{s}");
    assert_eq!(s.matches("implemented  KERNEL32.dll!").count(), 3, "{s}");
    let out = ntemu(&["inspect", "--coverage", &guest("x86/hello.exe")]);
    let s = text(&out.stdout);
    assert!(
        s.lines().next().unwrap_or_default().ends_with("(100.0 %)"),
        "{s}"
    );
    assert!(!s.contains("unknown      "), "{s}");
    assert!(!s.contains("stub         "), "{s}");
    let out = ntemu(&["inspect", "--coverage", "--json", &guest("x86/hello.exe")]);
    let s = text(&out.stdout);
    assert!(s.starts_with("{\"file\": "), "{s}");
    assert!(s.contains("\"percent\": 100.0"), "{s}");
}

/// Every error is one line on stderr saying what is wrong, and exit status 2.
#[test]
fn errors_have_a_clear_first_line() {
    let junk = std::env::temp_dir().join(format!("ntemu-junk-{}.exe", std::process::id()));
    let _ = std::fs::write(&junk, b"MZ not really a program");
    let junk = junk.to_string_lossy().into_owned();
    let keys = std::env::temp_dir().join(format!("ntemu-keys-{}.txt", std::process::id()));
    let _ = std::fs::write(&keys, b"ab\\q");
    let keys = keys.to_string_lossy().into_owned();
    let hello = guest("x86/hello.exe");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["run", "/nonexistent/x.exe"],
            "ntemu: cannot read /nonexistent/x.exe: No such file",
        ),
        (vec!["run", &junk], "ntemu: "),
        (
            vec!["run", "--fault", "Nope:step", &hello],
            "ntemu: unknown",
        ),
        (
            vec!["run", "--clock", "yesterday", &hello],
            "ntemu: \"yesterday\" is not a time of the form 1999-12-31T23:59:50",
        ),
        (
            vec!["run", "--trace", "everything", &hello],
            "ntemu: unknown trace channel \"everything\"; known: relay, loader, exceptions, scheduler, debugstr, all",
        ),
        (
            vec!["run", "--stats-format", "xml", &hello],
            "ntemu: --stats-format \"xml\": unknown format; known: text, json",
        ),
        (vec!["run", "--input", &keys, &hello], "ntemu: "),
        (
            vec!["run", "--input", "/nonexistent/keys.txt", &hello],
            "ntemu: cannot read /nonexistent/keys.txt: No such file",
        ),
        (
            vec!["run", "--root", "/nonexistent/root", &hello],
            "ntemu: cannot read /nonexistent/root: No such file",
        ),
        (
            vec!["run", "/dev/zero"],
            "ntemu: /dev/zero: not a regular file",
        ),
        (
            vec!["run", "--input", "/dev/zero", &hello],
            "ntemu: /dev/zero: larger than 16 MiB; not a key script",
        ),
        (
            vec!["run", "--run-for", "1e20", &hello],
            "ntemu: --run-for \"1e20\": not a number of seconds",
        ),
        (
            vec!["run", "--run-for", "-1", &hello],
            "ntemu: --run-for \"-1\": not a number of seconds",
        ),
        (
            vec!["inspect", "--coverage", "/nonexistent/x.exe"],
            "ntemu: /nonexistent/x.exe: ",
        ),
    ];
    for (args, first) in cases {
        let out = ntemu(&args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with(first), "{args:?}: {err}");
    }
    let _ = std::fs::remove_file(&junk);
    let _ = std::fs::remove_file(&keys);
}
