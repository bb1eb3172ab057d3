//! `ntemu`: runs Windows NT 4.0-era x86 and Alpha AXP programs on Linux.
//!
//! Subcommands: `run IMAGE [ARGS...]` runs a guest program; `inspect IMAGE [--json]` shows
//! what an image contains.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use pe_image::{ExportTarget, PeImage};

/// Command line of the `ntemu` program.
#[derive(Parser, Debug)]
#[command(
    name = "ntemu",
    version,
    about = "Runs Windows NT 4.0-era x86 and Alpha AXP programs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
enum Command {
    /// Run a guest program; its stdout and stderr are ntemu's, its exit code ntemu's status.
    Run {
        /// The program (.exe).
        #[arg(required_unless_present = "list_faults")]
        image: Option<PathBuf>,
        /// Arguments for the program: its command line is the image's file name and these.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
        /// Arm a fault-injection point, OP:STEP or OP:STEP:N (fail only the N-th call).
        #[arg(long = "fault", value_name = "OP:STEP[:N]")]
        faults: Vec<String>,
        /// Print every fault-injection point and exit.
        #[arg(long)]
        list_faults: bool,
        /// Turn on a compatibility quirk (nt4-remote-thread-leak).
        #[arg(long = "quirk", value_name = "NAME")]
        quirks: Vec<String>,
        /// Trace channels; `api` prints each builtin call with its arguments and result.
        #[arg(long, value_name = "CHANNEL")]
        trace: Vec<String>,
        /// Print per-process handle counts, live objects and guest instructions at exit.
        #[arg(long)]
        stats: bool,
        /// Use a deterministic virtual clock.
        #[arg(long)]
        virtual_time: bool,
        /// Start a virtual clock at this time, e.g. 1999-12-31T23:59:50 (local time is UTC).
        #[arg(long, value_name = "TIME")]
        clock: Option<String>,
        /// End the run after this many seconds of guest time, with exit status 0.
        #[arg(long, value_name = "SECONDS")]
        run_for: Option<f64>,
        /// Write the active console screen buffer to FILE as text rows on exit.
        #[arg(long, value_name = "FILE")]
        screen: Option<PathBuf>,
    },
    /// Show what a PE image contains: headers, sections, imports, relocations, TLS.
    Inspect {
        /// The image file (.exe or .dll).
        image: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Inspect { image, json } => inspect(&image, json),
        Command::Run {
            image,
            args,
            faults,
            list_faults,
            quirks,
            trace,
            stats,
            virtual_time,
            clock,
            run_for,
            screen,
        } => {
            if list_faults {
                for point in ntemu::FaultPoint::ALL {
                    println!("{}", point.name());
                }
                return ExitCode::SUCCESS;
            }
            let Some(image) = image else {
                eprintln!("ntemu: run needs an IMAGE");
                return ExitCode::from(2);
            };
            let mut options = ntemu::RunOptions {
                virtual_time,
                args,
                ..ntemu::RunOptions::default()
            };
            if let Some(text) = clock {
                match ntemu::parse_clock(&text) {
                    Ok(ms) => options.clock_start_ms = Some(ms),
                    Err(e) => return usage_error(e),
                }
            }
            if let Some(seconds) = run_for {
                if !(seconds.is_finite() && seconds >= 0.0) {
                    return usage_error(format!("--run-for {seconds}: not a number of seconds"));
                }
                options.run_for = Some(std::time::Duration::from_secs_f64(seconds));
            }
            run(
                &image,
                options,
                &faults,
                &quirks,
                &trace,
                stats,
                screen.as_deref(),
            )
        }
    }
}

fn usage_error(message: String) -> ExitCode {
    eprintln!("ntemu: {}", message.replace(['\n', '\r'], " "));
    ExitCode::from(2)
}

fn run(
    image: &std::path::Path,
    mut options: ntemu::RunOptions,
    faults: &[String],
    quirks: &[String],
    trace: &[String],
    stats: bool,
    screen: Option<&std::path::Path>,
) -> ExitCode {
    for spec in faults {
        match ntemu::FaultPoint::parse_spec(spec) {
            Ok(armed) => options.faults.push(armed),
            Err(e) => return usage_error(e),
        }
    }
    for name in quirks {
        if let Err(e) = options.quirks.enable(name) {
            return usage_error(e);
        }
    }
    for channel in trace {
        match channel.as_str() {
            "api" => options.trace_api = true,
            other => return usage_error(format!("unknown trace channel {other:?}; known: api")),
        }
    }
    let report = match ntemu::run_image(image, options) {
        Ok(r) => r,
        Err(e) => return usage_error(e.to_string()),
    };
    if stats {
        for p in &report.stats.processes {
            eprintln!(
                "ntemu: process {} ({}): exit code {:#x}, {} handles open at exit, {} instructions",
                p.process,
                p.architecture.name(),
                p.exit_code,
                p.handle_count,
                p.instructions
            );
        }
        let live: Vec<String> = report
            .stats
            .live_objects
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(t, n)| format!("{t} {n}"))
            .collect();
        eprintln!(
            "ntemu: {} guest instructions; live objects at exit: {}",
            report.stats.instructions,
            if live.is_empty() {
                "none".to_string()
            } else {
                live.join(", ")
            }
        );
    }
    if let Some(path) = screen
        && let Err(e) = std::fs::write(path, &report.screen)
    {
        return usage_error(format!("cannot write {}: {e}", path.display()));
    }
    if report.outcome == ntemu::kernel::RunOutcome::Blocked {
        eprintln!("ntemu: every remaining guest thread is blocked forever; stopping");
    }
    if report.outcome == ntemu::kernel::RunOutcome::TimeReached {
        eprintln!("ntemu: --run-for time elapsed; stopping the guest");
        return ExitCode::SUCCESS;
    }
    let code = report.exit_code;
    if code > 0xFF {
        eprintln!("ntemu: exit code {code:#010x}");
    }
    ExitCode::from((code & 0xFF) as u8)
}

fn inspect(path: &std::path::Path, json: bool) -> ExitCode {
    let result = std::fs::read(path)
        .map_err(|e| e.to_string())
        .and_then(|bytes| PeImage::parse(&bytes).map_err(|e| e.to_string()));
    match result {
        Ok(image) => {
            let out = if json {
                render_json(path, &image)
            } else {
                render_text(path, &image)
            };
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            let line = format!("ntemu: {}: {e}", path.display());
            eprintln!("{}", line.replace(['\n', '\r'], " "));
            ExitCode::from(2)
        }
    }
}

fn subsystem_name(subsystem: u16) -> &'static str {
    match subsystem {
        1 => "native",
        2 => "Windows GUI",
        3 => "Windows console",
        5 => "OS/2 console",
        7 => "POSIX console",
        9 => "Windows CE GUI",
        _ => "unknown",
    }
}

fn render_text(path: &std::path::Path, image: &PeImage) -> String {
    let mut s = String::new();
    let base = image.image_base;
    let _ = writeln!(s, "image:        {}", path.display());
    let _ = writeln!(
        s,
        "machine:      {} ({:#x})",
        image.machine,
        image.machine.value()
    );
    let _ = writeln!(s, "image base:   {base:#x}");
    let _ = writeln!(
        s,
        "entry point:  {:#x} (rva {:#x})",
        base.wrapping_add(image.entry_point_rva),
        image.entry_point_rva
    );
    let _ = writeln!(
        s,
        "subsystem:    {} ({}) {}.{}",
        image.subsystem,
        subsystem_name(image.subsystem),
        image.subsystem_version.0,
        image.subsystem_version.1
    );
    let _ = writeln!(
        s,
        "linker:       {}.{:02}",
        image.linker_version.0, image.linker_version.1
    );
    let _ = writeln!(s, "size:         {:#x}", image.size_of_image);
    let _ = writeln!(
        s,
        "alignment:    section {:#x}, file {:#x}",
        image.section_alignment, image.file_alignment
    );
    let _ = writeln!(
        s,
        "stack:        reserve {:#x}, commit {:#x}",
        image.stack_reserve, image.stack_commit
    );
    let _ = writeln!(
        s,
        "heap:         reserve {:#x}, commit {:#x}",
        image.heap_reserve, image.heap_commit
    );
    let _ = writeln!(s, "sections:     {}", image.sections.len());
    let _ = writeln!(
        s,
        "  {:<8}  {:>10}  {:>10}  {:>10}  protection",
        "name", "rva", "vsize", "rawsize"
    );
    for sec in &image.sections {
        let _ = writeln!(
            s,
            "  {:<8}  {:>#10x}  {:>#10x}  {:>#10x}  {:?}",
            sec.name, sec.virtual_address, sec.virtual_size, sec.raw_size, sec.protection
        );
    }
    let total: usize = image.imports.iter().map(|d| d.imports.len()).sum();
    let _ = writeln!(s, "imports:      {total} from {} DLLs", image.imports.len());
    for dll in &image.imports {
        let _ = writeln!(s, "  {} imports from {}", dll.imports.len(), dll.dll);
        for imp in &dll.imports {
            let _ = writeln!(s, "    {}", imp.symbol);
        }
    }
    match &image.exports {
        None => {
            let _ = writeln!(s, "exports:      none");
        }
        Some(e) => {
            let _ = writeln!(s, "exports:      {} from {}", e.exports.len(), e.dll_name);
            for ex in &e.exports {
                let target = match &ex.target {
                    ExportTarget::Rva(r) => format!("rva {r:#x}"),
                    ExportTarget::Forward(f) => format!("-> {f}"),
                };
                let name = ex.name.as_deref().unwrap_or("-");
                let _ = writeln!(s, "    @{} {name} {target}", ex.ordinal);
            }
        }
    }
    let counts = image.relocation_counts();
    if counts.is_empty() {
        let stripped = if image.relocations_stripped() {
            " (stripped)"
        } else {
            ""
        };
        let _ = writeln!(s, "relocations:  none{stripped}");
    } else {
        let list: Vec<String> = counts
            .iter()
            .map(|(k, n)| format!("{} {n}", k.name()))
            .collect();
        let _ = writeln!(s, "relocations:  {}", list.join(", "));
    }
    match &image.tls {
        None => {
            let _ = writeln!(s, "tls:          no");
        }
        Some(t) => {
            let _ = writeln!(
                s,
                "tls:          yes (data {:#x}..{:#x}, index at {:#x}, {} callbacks)",
                t.start_address_of_raw_data,
                t.end_address_of_raw_data,
                t.address_of_index,
                t.callbacks.len()
            );
        }
    }
    s
}

/// A JSON string literal.
fn js(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn render_json(path: &std::path::Path, image: &PeImage) -> String {
    let mut s = String::from("{\n");
    let field = |s: &mut String, key: &str, value: String| {
        let _ = writeln!(s, "  {}: {value},", js(key));
    };
    field(&mut s, "file", js(&path.display().to_string()));
    field(&mut s, "machine", js(&image.machine.to_string()));
    field(&mut s, "machine_value", image.machine.value().to_string());
    field(&mut s, "image_base", image.image_base.to_string());
    field(
        &mut s,
        "entry_point",
        image
            .image_base
            .wrapping_add(image.entry_point_rva)
            .to_string(),
    );
    field(&mut s, "entry_point_rva", image.entry_point_rva.to_string());
    field(&mut s, "subsystem", image.subsystem.to_string());
    field(
        &mut s,
        "subsystem_name",
        js(subsystem_name(image.subsystem)),
    );
    field(
        &mut s,
        "linker_version",
        js(&format!(
            "{}.{:02}",
            image.linker_version.0, image.linker_version.1
        )),
    );
    field(&mut s, "size_of_image", image.size_of_image.to_string());
    field(
        &mut s,
        "section_alignment",
        image.section_alignment.to_string(),
    );
    field(&mut s, "stack_reserve", image.stack_reserve.to_string());
    field(&mut s, "stack_commit", image.stack_commit.to_string());
    field(&mut s, "heap_reserve", image.heap_reserve.to_string());
    field(&mut s, "heap_commit", image.heap_commit.to_string());
    let sections: Vec<String> = image
        .sections
        .iter()
        .map(|sec| {
            format!(
                "{{\"name\": {}, \"rva\": {}, \"virtual_size\": {}, \"raw_size\": {}, \"characteristics\": {}, \"protection\": {}}}",
                js(&sec.name),
                sec.virtual_address,
                sec.virtual_size,
                sec.raw_size,
                sec.characteristics,
                js(&format!("{:?}", sec.protection))
            )
        })
        .collect();
    field(
        &mut s,
        "sections",
        format!("[\n    {}\n  ]", sections.join(",\n    ")),
    );
    let imports: Vec<String> = image
        .imports
        .iter()
        .map(|d| {
            let names: Vec<String> = d
                .imports
                .iter()
                .map(|i| js(&i.symbol.to_string()))
                .collect();
            format!(
                "{{\"dll\": {}, \"count\": {}, \"functions\": [{}]}}",
                js(&d.dll),
                d.imports.len(),
                names.join(", ")
            )
        })
        .collect();
    field(
        &mut s,
        "imports",
        format!("[\n    {}\n  ]", imports.join(",\n    ")),
    );
    let exports = match &image.exports {
        None => "null".to_string(),
        Some(e) => format!(
            "{{\"dll\": {}, \"count\": {}, \"names\": [{}]}}",
            js(&e.dll_name),
            e.exports.len(),
            e.exports
                .iter()
                .filter_map(|x| x.name.as_deref().map(js))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    field(&mut s, "exports", exports);
    let relocs: Vec<String> = image
        .relocation_counts()
        .iter()
        .map(|(k, n)| format!("{}: {n}", js(k.name())))
        .collect();
    field(&mut s, "relocations", format!("{{{}}}", relocs.join(", ")));
    let tls = match &image.tls {
        None => "null".to_string(),
        Some(t) => format!(
            "{{\"start_address_of_raw_data\": {}, \"end_address_of_raw_data\": {}, \"address_of_index\": {}, \"address_of_callbacks\": {}, \"size_of_zero_fill\": {}, \"callbacks\": {}}}",
            t.start_address_of_raw_data,
            t.end_address_of_raw_data,
            t.address_of_index,
            t.address_of_callbacks,
            t.size_of_zero_fill,
            t.callbacks.len()
        ),
    };
    let _ = writeln!(s, "  \"tls\": {tls}");
    s.push_str("}\n");
    s
}
