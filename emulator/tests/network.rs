//! `ntemu run --network`: sockets reach the host's network only when asked; without it the
//! guest has the loopback network alone. (What CI can check without a network: the flag is
//! there, loopback works with and without it, and other hosts fail at once without it.)

mod common;

use common::{guests, ntemu, text};

fn sock() -> String {
    guests().join("x86/sock.exe").display().to_string()
}

/// tests/guests/expected/sock.expected without its `#` header.
fn expected() -> String {
    let text = std::fs::read_to_string(guests().join("expected/sock.expected")).expect("expected");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn run_help_offers_the_network_as_an_opt_in() {
    let out = ntemu(&["run", "--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    assert!(help.contains("--network"), "{help}");
    assert!(help.contains("loopback"), "{help}");
}

#[test]
fn loopback_sockets_work_with_and_without_the_network() {
    let plain = ntemu(&["run", &sock()]);
    assert_eq!(text(&plain.stdout), expected(), "{}", text(&plain.stderr));
    assert_eq!(plain.status.code(), Some(0));
    let networked = ntemu(&["run", "--network", &sock()]);
    assert_eq!(
        text(&networked.stdout),
        expected(),
        "{}",
        text(&networked.stderr)
    );
}

#[test]
fn without_the_network_other_hosts_are_unreachable() {
    let out = ntemu(&["run", &sock(), "unreachable"]);
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("connect(192.0.2.1:80): -1 10051\n  at once: 1\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("gethostbyname(example.com): 0\n  error: 11001\n"),
        "{stdout}"
    );
}
