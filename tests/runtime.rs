//! TLS, critical sections (contended by two threads), Interlocked, the environment,
//! Global/LocalAlloc, LoadLibraryA and CompareStringA through tests/guests/src/runtime.c.

use std::path::PathBuf;

use ntemu::kernel::RunOutcome;
use ntemu::win32::HostIo;
use ntemu::{RunOptions, run_image};

#[test]
fn runtime_support_functions_behave_as_on_nt() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guests");
    let (io, out, err) = HostIo::buffers();
    let report = run_image(
        &dir.join("x86/runtime.exe"),
        RunOptions {
            io: Some(io),
            virtual_time: true,
            ..RunOptions::default()
        },
    )
    .expect("run");
    let stderr = String::from_utf8_lossy(&err.lock()).into_owned();
    assert_eq!(report.outcome, RunOutcome::AllExited, "{stderr}");
    assert_eq!(report.exit_code, 0, "{stderr}");
    let expected: String = std::fs::read_to_string(dir.join("expected/runtime.expected"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(String::from_utf8_lossy(&out.lock()), expected);
}
