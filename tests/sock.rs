//! WSOCK32.dll: Windows Sockets 1.1 through tests/guests/src/sock.c (x86) over the loopback
//! network, which CI has without any other network: start-up, conversions, the databases,
//! errors, TCP with non-blocking sockets and select, blocking calls in two threads, UDP.
//! Expected outputs are NT 4.0's, checked against Wine's recorded output. Then the sandbox:
//! with the network off (the default) a connect or sendto to an address outside the
//! loopback network fails at once with WSAENETUNREACH and a name is never looked up; and a
//! blocked guest leaves the host CPU idle.

mod common;

use std::time::{Duration, Instant};

use common::{agrees_with_wine, expected, guest, run_captured, run_to_end};
use ntemu::image::ImportSymbol;
use ntemu::kernel::RunOutcome;
use ntemu::{NetworkPolicy, RunOptions};

#[test]
fn x86_winsock_over_loopback_behaves_as_on_nt4() {
    let (code, stdout, stderr) = run_to_end("x86/sock.exe", RunOptions::default());
    assert_eq!(stdout, expected("expected/sock.expected"), "{stderr}");
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn sock_expectations_agree_with_wine() {
    agrees_with_wine("expected/sock.expected", "expected/sock.wine");
}

#[test]
fn winsock_runs_the_same_on_a_virtual_clock() {
    let (code, stdout, stderr) = run_to_end(
        "x86/sock.exe",
        RunOptions {
            virtual_time: true,
            ..RunOptions::default()
        },
    );
    assert_eq!(stdout, expected("expected/sock.expected"), "{stderr}");
    assert_eq!(code, 0);
}

#[test]
fn with_the_network_on_loopback_works_the_same() {
    let (code, stdout, stderr) = run_to_end(
        "x86/sock.exe",
        RunOptions {
            network: NetworkPolicy::Host,
            ..RunOptions::default()
        },
    );
    assert_eq!(stdout, expected("expected/sock.expected"), "{stderr}");
    assert_eq!(code, 0);
}

const UNREACHABLE: &str = "connect(192.0.2.1:80): -1 10051
  at once: 1
sendto(192.0.2.1:53): -1 10051
gethostbyname(example.com): 0
  error: 11001
";

#[test]
fn with_the_network_off_other_hosts_are_unreachable_at_once() {
    // The default policy is loopback only; say so anyway, as the test is about it.
    let options = RunOptions {
        args: vec!["unreachable".into()],
        network: NetworkPolicy::Loopback,
        ..RunOptions::default()
    };
    let run = run_captured(&guest("x86/sock.exe"), options);
    assert_eq!(run.report.outcome, RunOutcome::AllExited, "{}", run.stderr);
    assert_eq!(run.stdout, UNREACHABLE, "{}", run.stderr);
    // TEST-NET-1 never answers: a connect that left the machine would fail with another
    // error than the policy's, and a lookup would ask the host's resolver.
    assert_eq!(RunOptions::default().network, NetworkPolicy::Loopback);
}

/// CPU time this thread has used (utime + stime of /proc/thread-self/stat), in clock ticks
/// (1/100 s on Linux).
fn thread_cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // The command name is in parentheses and may hold spaces: count from after it.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of the whole line are 12 and 13 after the name.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

#[test]
fn a_guest_waiting_on_sockets_leaves_the_host_cpu_idle() {
    // sock.exe waits in select for 300 ms, in recv for 200 ms (SO_RCVTIMEO) and in blocking
    // calls; the machine sleeps in poll(2) meanwhile. Its own instructions take a few
    // milliseconds.
    let Some(before) = thread_cpu_ticks() else {
        eprintln!("no /proc/thread-self/stat: skipped");
        return;
    };
    let started = Instant::now();
    let (code, _, stderr) = run_to_end("x86/sock.exe", RunOptions::default());
    let wall = started.elapsed();
    let cpu = Duration::from_millis(10 * (thread_cpu_ticks().unwrap_or(before) - before));
    assert_eq!(code, 0, "{stderr}");
    assert!(wall >= Duration::from_millis(500), "waits took {wall:?}");
    assert!(
        cpu < wall / 2,
        "the host thread was busy for {cpu:?} of {wall:?} (a busy loop?)"
    );
}

#[test]
fn wsock32_ordinal_imports_resolve_to_winsock_1_1_functions() {
    let builtins = ntemu::builtins();
    // elvis.exe imports these by ordinal.
    for (ordinal, name) in [
        (3, "closesocket"),
        (4, "connect"),
        (9, "htons"),
        (10, "inet_addr"),
        (16, "recv"),
        (18, "select"),
        (19, "send"),
        (23, "socket"),
        (52, "gethostbyname"),
        (57, "gethostname"),
        (115, "WSAStartup"),
        (116, "WSACleanup"),
        (11, "inet_ntoa"),
        (12, "ioctlsocket"),
        (151, "__WSAFDIsSet"),
    ] {
        let by_ordinal = builtins.address_of("WSOCK32.dll", &ImportSymbol::Ordinal(ordinal));
        let by_name = builtins.implemented("WSOCK32.dll", name);
        assert!(by_name.is_some(), "{name} is not implemented");
        assert_eq!(by_ordinal, by_name, "#{ordinal} is not {name}");
    }
    // Catalogued but not implemented: bound (calling it stops the program), not missing.
    let asynchronous = builtins.address_of("wsock32", &ImportSymbol::Ordinal(101));
    assert!(asynchronous.is_some());
    assert_eq!(builtins.implemented("WSOCK32.dll", "WSAAsyncSelect"), None);
    // No ordinal 24 in NT 4.0's WSOCK32 (MigrateWinsockConfiguration came later).
    assert_eq!(
        builtins.address_of("WSOCK32.dll", &ImportSymbol::Ordinal(24)),
        None
    );
}

#[test]
fn elvis_imports_all_its_wsock32_functions() {
    let Some(elvis) = common::corpus("ntutils/elvis/elvis.exe") else {
        return;
    };
    let data = std::fs::read(&elvis).expect("elvis.exe");
    let image = ntemu::image::PeImage::parse(&data).expect("elvis.exe parses");
    let coverage = ntemu::Coverage::of(&image);
    let wsock: Vec<_> = coverage
        .imports
        .iter()
        .filter(|i| i.dll.eq_ignore_ascii_case("WSOCK32.dll"))
        .collect();
    assert_eq!(
        wsock.len(),
        12,
        "{:?}",
        wsock.iter().map(|i| &i.function).collect::<Vec<_>>()
    );
    for import in wsock {
        assert_eq!(
            import.status,
            ntemu::ImportStatus::Implemented,
            "{}",
            import.function
        );
    }
}
