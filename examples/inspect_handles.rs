//! Stops a guest program part-way and inspects it: `cargo run --release --example
//! inspect_handles [-- IMAGE]`. Without an argument it runs the bundled
//! tests/guests/x86/handles.exe for 2,000 guest instructions at a time and, at each stop,
//! prints its threads, its handle table (value, type, access, name) and the machine's
//! counters; at the end, the handles the program never closed and which call created them.

use std::path::PathBuf;

use ntemu::kernel::RunOutcome;
use ntemu::{DiagnosticOptions, Emulator};

fn main() {
    let path = std::env::args_os().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guests/x86/handles.exe"),
        PathBuf::from,
    );
    let mut emulator = Emulator::builder()
        .capture_output()
        .quantum(100)
        .diagnostics(DiagnosticOptions {
            track_handles: true,
            ..DiagnosticOptions::default()
        })
        .build();
    let pid = match emulator.load(&path, &[]) {
        Ok(pid) => pid,
        Err(e) => {
            eprintln!("inspect_handles: {e}");
            std::process::exit(2);
        }
    };
    let mut stops = 0;
    loop {
        let outcome = match emulator.run_instructions(2_000) {
            Ok(o) => o,
            Err(e) => {
                eprintln!("inspect_handles: {e}");
                std::process::exit(2);
            }
        };
        if outcome != RunOutcome::LimitReached {
            println!("stopped: {outcome:?}");
            break;
        }
        stops += 1;
        let Some(p) = emulator.process(pid) else {
            break;
        };
        println!(
            "stop {stops}: process {:#x} ({}), {} instructions, clock {} ms",
            p.id,
            p.architecture.name(),
            p.instructions,
            emulator.clock_ms()
        );
        for t in &p.threads {
            println!(
                "  thread {:#x}: pc {:#010x}, {} instructions{}",
                t.id,
                t.program_counter,
                t.instructions,
                if t.waiting { ", waiting" } else { "" }
            );
        }
        for h in &p.handles {
            println!(
                "  handle {:#06x}  {:<9} access {:#010x}  {}",
                h.handle.0,
                h.object_type.name(),
                h.granted_access.0,
                h.name.as_deref().unwrap_or("")
            );
        }
        let live: Vec<String> = emulator
            .stats()
            .live_objects
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(t, n)| format!("{t} {n}"))
            .collect();
        println!("  live objects: {}", live.join(", "));
    }
    println!("exit code: {:?}", emulator.exit_code(pid));
    for p in emulator.handle_traces() {
        println!(
            "process {:#x} left {} handles it created open:",
            p.process,
            p.handles.len()
        );
        for h in &p.handles {
            println!(
                "  {:#06x} {:<9} created by {} called from {:#010x}",
                h.handle.0,
                h.object_type.name(),
                h.creator,
                h.caller
            );
        }
    }
    if emulator.exit_code(pid) != Some(0) {
        std::process::exit(1);
    }
}
