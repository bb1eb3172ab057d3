//! Two emulated machines on two host threads at once: `cargo run --release --example
//! two_machines`. One runs the bundled x86 compute.exe, the other the Alpha build of the same
//! program; each prints what its guest wrote and how many guest instructions it retired. The
//! machines share nothing: each has its own objects, clock and console.

use std::path::PathBuf;

use ntemu::Emulator;

fn main() {
    let guests = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/guests");
    let workers: Vec<_> = ["x86", "alpha"]
        .into_iter()
        .map(|arch| {
            let path = guests.join(arch).join("compute.exe");
            std::thread::spawn(move || {
                let started = std::time::Instant::now();
                let mut emulator = Emulator::builder().capture_output().build();
                let pid = emulator.load(&path, &[]).map_err(|e| e.to_string())?;
                emulator.run().map_err(|e| e.to_string())?;
                Ok::<_, String>((
                    arch,
                    emulator.exit_code(pid),
                    String::from_utf8_lossy(&emulator.stdout()).into_owned(),
                    emulator.stats().instructions,
                    started.elapsed(),
                ))
            })
        })
        .collect();
    let mut failed = false;
    let mut outputs = Vec::new();
    for worker in workers {
        match worker.join() {
            Ok(Ok((arch, code, out, instructions, elapsed))) => {
                println!(
                    "{arch}: exit code {code:?}, {instructions} guest instructions in {elapsed:?}"
                );
                print!("{out}");
                failed |= code != Some(0);
                outputs.push(out);
            }
            Ok(Err(e)) => {
                eprintln!("two_machines: {e}");
                failed = true;
            }
            Err(_) => {
                eprintln!("two_machines: a machine's thread panicked");
                failed = true;
            }
        }
    }
    if outputs.len() == 2 && outputs[0] != outputs[1] {
        eprintln!("two_machines: the two builds printed different results");
        failed = true;
    }
    if failed {
        std::process::exit(1);
    }
    println!("both machines agree");
}
