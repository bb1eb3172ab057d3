//! `ntemu`: runs Windows NT 4.0-era x86 and Alpha AXP programs on Linux.
//!
//! Subcommands: `run IMAGE [ARGS...]` runs a guest program (`ntemu IMAGE [ARGS...]` is the
//! same, as with Wine; everything after the image belongs to the program); `inspect IMAGE
//! [--json] [--coverage | --resources]` shows what an image contains; `bench` runs the
//! benchmark workloads against Wine, qemu and the host (emulator/src/bench/).

use ntemu::ImportStatus;
use ntemu::kernel32::Kernel32Host;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod bench;
mod interrupts;
mod reg;
mod terminal;
use pe_image::{ExportTarget, PeImage};
use std::io::IsTerminal;
use std::sync::Arc;

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
// Parsed once per process: the size of the `run` variant costs nothing.
#[allow(clippy::large_enum_variant)]
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
        /// Which DLL a name means: `NAME=native` (the file on the search path first),
        /// `NAME=builtin`, `NAME=native,builtin`, or `NAME=` (disabled); repeat for more.
        /// WINEDLLOVERRIDES is read too, in Wine's syntax (`--dll` wins).
        #[arg(long = "dll", value_name = "NAME=MODE")]
        dll: Vec<String>,
        /// Turn on a compatibility quirk (nt4-remote-thread-leak).
        #[arg(long = "quirk", value_name = "NAME")]
        quirks: Vec<String>,
        /// Trace channels on stderr, repeated or comma-separated, in Wine's WINEDEBUG
        /// syntax: `relay` (each builtin call with its arguments and result, as Wine's relay
        /// trace), `loader` (images mapped, imports bound), `exceptions` (faults, exceptions,
        /// traps and their fate), `scheduler` (threads and processes starting and ending,
        /// waits), `debugstr` (the program's OutputDebugString text), `all`; `-NAME` leaves a module channel (`heap`), DLL or function out of
        /// the relay trace. WINEDEBUG and NTEMU_DEBUG are read too.
        #[arg(long, value_name = "CHANNEL")]
        trace: Vec<String>,
        /// Write trace lines to FILE (as they come) instead of stderr. Without it, trace
        /// lines go to stderr as they come, except while ntemu draws a full-screen console
        /// on the terminal that is also its stderr: they are then held and shown when the
        /// run ends.
        #[arg(long, value_name = "FILE")]
        trace_file: Option<PathBuf>,
        /// Print per-process handle counts, live objects and guest instructions at exit.
        #[arg(long)]
        stats: bool,
        /// Format of the --stats report: `text` (default) or `json` (one object, for
        /// scripts). Implies --stats.
        #[arg(long, value_name = "FORMAT")]
        stats_format: Option<String>,
        /// Write the --stats report to FILE instead of stderr. Implies --stats.
        #[arg(long, value_name = "FILE")]
        stats_file: Option<PathBuf>,
        /// On exit, list every handle each process left open that one of its API calls
        /// created: value, type, name, access, the creating API and the guest return
        /// address of the call (like WinDbg's !htrace). Handles the program did not open
        /// itself are not listed: the standard console handles (NT's console opens them)
        /// and handles inherited at process creation.
        #[arg(long)]
        leaks: bool,
        /// Use a deterministic virtual clock.
        #[arg(long)]
        virtual_time: bool,
        /// The x86 CPU tier: `interp` (the interpreter) or `jit` (blocks that run often
        /// translated to host code; x86-64 hosts only).
        #[arg(long, value_name = "interp|jit")]
        cpu: Option<ntemu::CpuTier>,
        /// Start a virtual clock at this time, e.g. 1999-12-31T23:59:50 (local time is UTC).
        #[arg(long, value_name = "TIME")]
        clock: Option<String>,
        /// End the run after this many seconds of guest time, with exit status 0.
        #[arg(long, value_name = "SECONDS", allow_hyphen_values = true)]
        run_for: Option<String>,
        /// Write the active console screen buffer to FILE as text rows on exit.
        #[arg(long, value_name = "FILE")]
        screen: Option<PathBuf>,
        /// Type the keys in FILE into the console input: every byte is a key (the character
        /// on a US keyboard), except the escapes \e Esc, \r Enter, \n Ctrl+Enter, \t Tab,
        /// \\ backslash, \xNN any byte, and \k{NAME}, a key by name: F1-F12, Up, Down,
        /// Left, Right, Home, End, PgUp, PgDn, Ins, Del, Esc, Enter, Tab, Backspace, Space, or
        /// a letter, digit or punctuation character, after any of the modifier prefixes S-
        /// (Shift), C- (Ctrl) and A- (Alt), case-insensitive: \k{F8}, \k{C-Home}, \k{A-x},
        /// \k{C-S-F5}. A key with modifiers also brings the Shift, Ctrl and Alt keys' own
        /// key events, as NT's console does. Without --input, a terminal on stdin and stdout
        /// becomes the guest's console (its function, cursor and editing keys, with
        /// modifiers, become the same keys).
        /// For a GUI program the same script goes to its windows (keys to the focus window,
        /// each when the one before was taken), with two more escapes: \m{ACTION X,Y}, a
        /// mouse action at screen point X,Y (move, click, rclick, mclick, down, up, rdown,
        /// rup), and \w{TIME}, a wait of guest time (500ms, 2s): \m{click 120,200}\w{500ms}.
        #[arg(long, value_name = "FILE")]
        input: Option<PathBuf>,
        /// The screen's size in pixels (default 800x600).
        #[arg(long, value_name = "WxH")]
        desktop: Option<String>,
        /// Where the desktop is shown: `window` (a host window, X11 or Wayland), `none`
        /// (headless), or `auto` (the default: a window for a GUI program when DISPLAY or
        /// WAYLAND_DISPLAY is set, else headless).
        #[arg(long, value_name = "none|window|auto")]
        display: Option<String>,
        /// Write the screen to FILE (PNG) when the run ends.
        #[arg(long, value_name = "FILE.png")]
        screenshot: Option<PathBuf>,
        /// Write the screen as a PNG file into DIR every SECONDS of guest time (deterministic
        /// under --clock), named by the guest time in milliseconds: 000000.png, 000500.png...
        #[arg(long, num_args = 2, value_names = ["SECONDS", "DIR"])]
        screenshot_every: Option<Vec<String>>,
        /// The host directory that is the guest's drive C:\ (default:
        /// $XDG_DATA_HOME/ntemu/c or ~/.local/share/ntemu/c, made on first use). No guest
        /// path reaches outside it; the host's current directory is the guest's when it lies
        /// inside it.
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
        /// Mount host directory DIR as drive L: (`:ro`: read-only), e.g. `--drive
        /// E:=/srv/data:ro`; repeat for more drives.
        #[arg(long = "drive", value_name = "L:=DIR[:ro]")]
        drives: Vec<String>,
        /// Map the host's whole file system as Z:, as Wine does (opt-in: the guest can then
        /// read and change any file you can).
        #[arg(long)]
        host_fs: bool,
        /// Let the program's sockets use the host's network and name resolution (opt-in:
        /// without it a guest reaches only the loopback network and resolves only localhost
        /// and its own name).
        #[arg(long)]
        network: bool,
        /// Allow a drive (--root, --drive, or the current directory as D:) that is the host's
        /// root or holds your home directory.
        #[arg(long)]
        allow_root_dir: bool,
        /// The most processes alive at once in the machine (default 512); one more fails
        /// with ERROR_NO_SYSTEM_RESOURCES.
        #[arg(long, value_name = "N")]
        max_processes: Option<u32>,
        /// The most threads alive at once in the machine (default 4096).
        #[arg(long, value_name = "N")]
        max_threads: Option<u32>,
        /// The most guest memory committed at once over all processes (default 4G), e.g.
        /// 512M; past it commits fail with ERROR_COMMITMENT_LIMIT.
        #[arg(long, value_name = "SIZE")]
        commit_limit: Option<String>,
        /// Set an environment variable for the program (repeat for more), after NT's own
        /// (Path, TEMP, windir, SystemRoot, ComSpec, USERNAME, COMPUTERNAME...).
        #[arg(long = "env", value_name = "NAME=VALUE")]
        env: Vec<String>,
        /// Give the program none of the host's environment variables, only NT's and --env's.
        #[arg(long)]
        env_clear: bool,
    },
    /// Query or change the registry of drive C: as NT's reg.exe does: `reg query KEY [/v
    /// NAME | /ve] [/s]`, `reg add KEY [/v NAME | /ve] [/t TYPE] [/d DATA] [/f]`, `reg delete
    /// KEY [/v NAME | /ve | /va] [/f]`, `reg export KEY FILE.reg`, `reg import FILE.reg`.
    /// KEY begins with HKLM, HKCU, HKCR, HKU or HKCC (or the full names). `--root DIR` is the
    /// drive C: as for `run` (default: the per-user drive). The hives are REGEDIT4 files in
    /// C:\WINNT\system32\config and C:\WINNT\Profiles\USER.
    #[command(disable_help_flag = true)]
    Reg {
        /// The command, the key and the options (`--root DIR` among them).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run the benchmark workloads under ntemu and, where installed, Wine, qemu-i386,
    /// qemu-alpha and natively; print a Markdown table, write results.json and index.html.
    Bench(bench::BenchArgs),
    /// Show what a PE image contains: headers, sections, imports, relocations, TLS.
    Inspect {
        /// The image file (.exe or .dll).
        image: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// List which of the image's imports ntemu implements, and the coverage in percent.
        #[arg(long)]
        coverage: bool,
        /// List the image's resources (type, name, language, size; the text of its
        /// strings) and its exports.
        #[arg(long, conflicts_with = "coverage")]
        resources: bool,
    },
}

/// Rewrites the command line for Wine's habits: `ntemu PROG.exe ARGS...` is `ntemu run
/// PROG.exe ARGS...`, and everything after the image name belongs to the program (a `--` is
/// put after it, so `ntemu run prog.exe -h` gives `-h` to the program).
fn wine_style(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    use clap::CommandFactory;
    let command = Cli::command();
    let first = args.get(1).and_then(|a| a.to_str()).unwrap_or("");
    let known = command
        .get_subcommands()
        .any(|c| c.get_name() == first || c.get_all_aliases().any(|a| a == first))
        || matches!(first, "help" | "-h" | "--help" | "-V" | "--version");
    if args.len() > 1 && !known {
        args.insert(1, "run".into());
    }
    if args.get(1).and_then(|a| a.to_str()) != Some("run") {
        return args;
    }
    let Some(run) = command.find_subcommand("run") else {
        return args;
    };
    let takes_value = |long: &str| {
        run.get_arguments()
            .any(|a| a.get_long() == Some(long) && a.get_action().takes_values())
    };
    let mut i = 2;
    while i < args.len() {
        let Some(arg) = args[i].to_str() else {
            break;
        };
        if arg == "--" {
            return args;
        }
        if let Some(long) = arg.strip_prefix("--") {
            i += if !long.contains('=') && takes_value(long) {
                2
            } else {
                1
            };
            continue;
        }
        if arg.starts_with('-') && arg.len() > 1 {
            i += 1;
            continue;
        }
        break;
    }
    if i < args.len() {
        args.insert(i + 1, "--".into());
    }
    args
}

fn main() -> ExitCode {
    let cli = Cli::parse_from(wine_style(std::env::args_os().collect()));
    match cli.command {
        Command::Bench(args) => bench::main(args),
        Command::Reg { args } => {
            if args.is_empty() || matches!(args[0].as_str(), "--help" | "-h" | "/?") {
                use clap::CommandFactory;
                let mut command = Cli::command();
                if let Some(reg) = command.find_subcommand_mut("reg") {
                    let _ = reg.print_long_help();
                }
                return if args.is_empty() {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                };
            }
            reg::run(&args, default_root)
        }
        Command::Inspect {
            image,
            json,
            coverage,
            resources,
        } => {
            if resources {
                inspect_resources(&image, json)
            } else if coverage {
                inspect_coverage(&image, json)
            } else {
                inspect(&image, json)
            }
        }
        Command::Run {
            image,
            args,
            faults,
            list_faults,
            dll,
            quirks,
            trace,
            trace_file,
            stats,
            stats_format,
            stats_file,
            leaks,
            virtual_time,
            cpu,
            clock,
            run_for,
            screen,
            input,
            desktop,
            display,
            screenshot,
            screenshot_every,
            root,
            drives,
            host_fs,
            network,
            allow_root_dir,
            max_processes,
            max_threads,
            commit_limit,
            env,
            env_clear,
        } => {
            if list_faults {
                for point in ntemu::FaultPoint::ALL {
                    println!("{}", point.name());
                }
                return ExitCode::SUCCESS;
            }
            let Some(mut image) = image else {
                eprintln!("ntemu: run needs an IMAGE");
                return ExitCode::from(2);
            };
            // As Wine does: a name without an extension that is not a file is the .exe.
            if image.extension().is_none() && !image.exists() {
                let exe = image.with_extension("exe");
                if exe.is_file() {
                    image = exe;
                }
            }
            // A program named by a path starts with its full guest path as argv[0], as one
            // started by its path does on NT; a bare name stays as typed.
            let full_program_path = image.components().count() > 1;
            let mut options = ntemu::RunOptions {
                virtual_time,
                cpu_tier: cpu,
                args,
                full_program_path,
                ..ntemu::RunOptions::default()
            };
            options.diagnostics.track_handles = leaks;
            // WINEDLLOVERRIDES first (as Wine reads it), then --dll, which wins.
            let mut overrides = ntemu::kernel32::dllload::DllOverrides::default();
            if let Ok(spec) = std::env::var("WINEDLLOVERRIDES") {
                match ntemu::kernel32::dllload::DllOverrides::parse(&spec) {
                    Ok(o) => overrides.merge(&o),
                    Err(e) => return usage_error(format!("WINEDLLOVERRIDES: {e}")),
                }
            }
            for spec in &dll {
                match ntemu::kernel32::dllload::DllOverrides::parse(spec) {
                    Ok(o) => overrides.merge(&o),
                    Err(e) => return usage_error(format!("--dll {e}")),
                }
            }
            options.dll_overrides = overrides;
            if network {
                options.network = ntemu::NetworkPolicy::Host;
            }
            options.env_clear = env_clear;
            for assignment in &env {
                match assignment.split_once('=') {
                    Some((name, value)) if !name.is_empty() => {
                        options.env.push((name.to_string(), value.to_string()));
                    }
                    _ => {
                        return usage_error(format!("--env {assignment:?}: expected NAME=VALUE"));
                    }
                }
            }
            options.max_processes = max_processes.map(|n| n.max(1));
            options.max_threads = max_threads.map(|n| n.max(1));
            if let Some(text) = commit_limit {
                match ntemu::parse_size(&text) {
                    Ok(bytes) => options.commit_limit = Some(bytes),
                    Err(e) => return usage_error(format!("--commit-limit {e}")),
                }
            }
            if let Err(e) = set_up_drives(&mut options, root, &drives, host_fs, allow_root_dir) {
                return usage_error(e);
            }
            let stats = match stats_format.as_deref() {
                None if stats || stats_file.is_some() => Some(StatsFormat::Text),
                None => None,
                Some("text") => Some(StatsFormat::Text),
                Some("json") => Some(StatsFormat::Json),
                Some(other) => {
                    return usage_error(format!(
                        "--stats-format {other:?}: unknown format; known: text, json"
                    ));
                }
            };
            if let Some(text) = clock {
                match ntemu::parse_clock(&text) {
                    Ok(ms) => options.clock_start_ms = Some(ms),
                    Err(e) => return usage_error(e),
                }
            }
            if let Some(text) = run_for {
                match ntemu::parse_run_for(&text) {
                    Ok(d) => options.run_for = Some(d),
                    Err(e) => return usage_error(e),
                }
            }
            if let Some(path) = &input {
                match ntemu::read_input_script(path) {
                    Ok(items) => {
                        options.keys = ntemu::script_keys(&items);
                        options.input_script = items;
                    }
                    Err(e) => return usage_error(e),
                }
            }
            if let Some(text) = desktop {
                match ntemu::parse_desktop(&text) {
                    Ok(size) => options.desktop = Some(size),
                    Err(e) => return usage_error(e),
                }
            }
            options.display = ntemu::DisplayChoice::Auto;
            if let Some(text) = display {
                match ntemu::parse_display(&text) {
                    Ok(choice) => options.display = choice,
                    Err(e) => return usage_error(e),
                }
            }
            options.screenshot = screenshot;
            if let Some(v) = screenshot_every {
                let (Some(seconds), Some(dir)) = (v.first(), v.get(1)) else {
                    return usage_error("--screenshot-every needs SECONDS and DIR");
                };
                let period = match ntemu::parse_run_for(seconds) {
                    Ok(d) if !d.is_zero() => d,
                    _ => {
                        return usage_error(format!(
                            "--screenshot-every {seconds:?}: expected a number of seconds above 0"
                        ));
                    }
                };
                if let Err(e) = std::fs::create_dir_all(dir) {
                    return usage_error(format!("cannot make {dir}: {e}"));
                }
                options.screenshot_every = Some((period, PathBuf::from(dir)));
            }
            run(
                &image,
                options,
                &RunFlags {
                    faults: &faults,
                    quirks: &quirks,
                    trace: &trace,
                    trace_file: trace_file.as_deref(),
                    stats,
                    stats_file: stats_file.as_deref(),
                    leaks,
                    screen: screen.as_deref(),
                    terminal: input.is_none(),
                },
            )
        }
    }
}

/// The drives of a run: C: is `--root` or the per-user drive; without `--root` the host's
/// current directory is D: (and the guest's current directory) unless C: holds it; every
/// `--drive`; Z: for the whole host with `--host-fs`; and the program's folder, read-only,
/// from E: when no drive holds it.
fn set_up_drives(
    options: &mut ntemu::RunOptions,
    root: Option<PathBuf>,
    drives: &[String],
    host_fs: bool,
    allow_root_dir: bool,
) -> Result<(), String> {
    let check = |dir: &std::path::Path| -> Result<(), String> {
        if allow_root_dir {
            Ok(())
        } else {
            ntemu::check_drive_directory(dir).map_err(|e| e.to_string())
        }
    };
    let given_root = root.is_some();
    let directory = |dir: &std::path::Path, option: &str| -> Result<(), String> {
        match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => Ok(()),
            Ok(_) => Err(format!("{option} {}: not a directory", dir.display())),
            Err(e) => Err(format!("cannot read {}: {e}", dir.display())),
        }
    };
    let c = match root {
        Some(dir) => {
            directory(&dir, "--root")?;
            check(&dir)?;
            dir
        }
        None => default_root()?,
    };
    options.root = Some(c.clone());
    let mut mounts = Vec::new();
    for spec in drives {
        let mount = ntemu::Mount::parse(spec).map_err(|e| e.to_string())?;
        directory(&mount.host, "--drive")?;
        if mount.letter == 'C' {
            return Err(format!("--drive {spec}: C: is --root's"));
        }
        check(&mount.host)?;
        mounts.push(mount);
    }
    if host_fs {
        eprintln!(
            "ntemu: --host-fs: drive Z: is the whole host file system; the program can read and change any file you can"
        );
        mounts.push(ntemu::Mount::new('Z', "/", false));
    }
    if !given_root
        && let Ok(cwd) = std::env::current_dir()
        && !mounts.iter().any(|m| m.letter == 'D')
    {
        let inside_c = match (cwd.canonicalize(), c.canonicalize()) {
            (Ok(cwd), Ok(c)) => cwd.starts_with(c),
            _ => false,
        };
        if !inside_c {
            match check(&cwd) {
                Ok(()) => mounts.push(ntemu::Mount::new('D', cwd, false)),
                Err(_) => eprintln!(
                    "ntemu: the current directory {} is not mounted as D: (it is the host's root or holds your home directory); use --drive or --allow-root-dir",
                    cwd.display()
                ),
            }
        }
    }
    options.drives = mounts;
    Ok(())
}

/// The guest's drive C: when `--root` is not given: `$XDG_DATA_HOME/ntemu/c`, else
/// `~/.local/share/ntemu/c`, made on first use with the folders C:\TEMP and
/// C:\WINNT\system32.
fn default_root() -> Result<PathBuf, String> {
    let data = match std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
            Some(home) => PathBuf::from(home).join(".local").join("share"),
            None => return Err("no --root given and neither XDG_DATA_HOME nor HOME is set".into()),
        },
    };
    let root = data.join("ntemu").join("c");
    // The folders every NT drive C: has and programs count on: the temporary folder TEMP
    // and TMP name, and the system folders.
    for folder in ["TEMP", "WINNT/system32"] {
        std::fs::create_dir_all(root.join(folder))
            .map_err(|e| format!("cannot make the default root {}: {e}", root.display()))?;
    }
    Ok(root)
}

/// True when stderr is the same terminal as stdout (the one the console is drawn on).
fn stderr_is_stdout_terminal() -> bool {
    if !std::io::stderr().is_terminal() {
        return false;
    }
    match (
        rustix::fs::fstat(std::io::stdout()),
        rustix::fs::fstat(std::io::stderr()),
    ) {
        (Ok(out), Ok(err)) => out.st_rdev == err.st_rdev,
        _ => true,
    }
}

fn usage_error(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("ntemu: {}", message.to_string().replace(['\n', '\r'], " "));
    ExitCode::from(2)
}

/// How `--stats` reports.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum StatsFormat {
    Text,
    Json,
}

/// The `run` options that are not [`ntemu::RunOptions`].
struct RunFlags<'a> {
    faults: &'a [String],
    quirks: &'a [String],
    trace: &'a [String],
    trace_file: Option<&'a std::path::Path>,
    stats: Option<StatsFormat>,
    stats_file: Option<&'a std::path::Path>,
    leaks: bool,
    screen: Option<&'a std::path::Path>,
    terminal: bool,
}

fn run(image: &std::path::Path, mut options: ntemu::RunOptions, flags: &RunFlags<'_>) -> ExitCode {
    for spec in flags.faults {
        match ntemu::FaultPoint::parse_spec(spec) {
            Ok(armed) => options.faults.push(armed),
            Err(e) => return usage_error(e),
        }
    }
    for name in flags.quirks {
        if let Err(e) = options.quirks.enable(name) {
            return usage_error(e);
        }
    }
    // WINEDEBUG and NTEMU_DEBUG first (leniently, as Wine reads them), then --trace.
    ntemu::DebugChannels::from_environment().apply(&mut options);
    for spec in flags.trace {
        match ntemu::DebugChannels::parse(spec) {
            Ok(channels) => channels.apply(&mut options),
            Err(e) => return usage_error(e),
        }
    }
    // On a terminal (stdin and stdout both one) the terminal is the console: the guest's
    // standard output reaches it through the console. Trace lines and guest stderr go to
    // stderr as they come, unless stderr is that terminal and the console is drawn
    // full-screen: they are held until the terminal is back. --trace-file takes traces.
    let console_terminal =
        flags.terminal && std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let held = Arc::new(interrupts::HeldOutput::default());
    let trace_file = match flags.trace_file {
        Some(path) => match std::fs::File::create(path) {
            Ok(file) => Some(ntemu::win32::sink(std::io::LineWriter::new(file))),
            Err(e) => return usage_error(format!("cannot write {}: {e}", path.display())),
        },
        None => None,
    };
    if console_terminal || trace_file.is_some() {
        // What GetFileType reports stays what the host's streams are.
        let input = if options.keys.is_empty() {
            ntemu::host_stream_type(std::io::stdin())
        } else {
            ntemu::kernel32::FILE_TYPE_CHAR
        };
        options.std_file_types = Some(ntemu::kernel32::StdFileTypes([
            input,
            ntemu::host_stream_type(std::io::stdout()),
            ntemu::host_stream_type(std::io::stderr()),
        ]));
        let stderr = if console_terminal && stderr_is_stdout_terminal() {
            ntemu::win32::sink(interrupts::TerminalStderr(held.clone()))
        } else {
            ntemu::win32::sink(std::io::stderr())
        };
        let stdout = if console_terminal {
            ntemu::win32::sink(std::io::sink())
        } else {
            ntemu::win32::sink(std::io::stdout())
        };
        let trace = trace_file.unwrap_or_else(|| stderr.clone());
        options.io = Some(ntemu::win32::HostIo {
            stdout,
            stderr,
            trace,
        });
    }
    let mut emulator = ntemu::Emulator::new(&options);
    if let Some(root) = &options.root
        && let Err(e) = emulator.set_root(root)
    {
        return usage_error(e.to_string());
    }
    for mount in &options.drives {
        if let Err(e) = emulator.mount(mount) {
            return usage_error(e.to_string());
        }
    }
    if let Err(e) = emulator.load(image, &options.args) {
        return usage_error(e.to_string());
    }
    // Signals become console events and stop requests from here on; the terminal is taken
    // only now, so that every error before was printed on an untouched terminal.
    let interrupts = interrupts::Interrupts::install(emulator.host_signal());
    // A GUI program has no console: the terminal stays the shell's.
    let console_terminal = console_terminal && !emulator.has_gui_program();
    let terminal = console_terminal
        .then(|| terminal::Terminal::open(interrupts.clone(), held.clone()))
        .flatten();
    if let Some(t) = terminal {
        // The console is as large as the terminal, as a console window would be.
        let (columns, rows) = t.size();
        emulator.win32_mut().set_console_size(columns, rows);
        emulator.win32_mut().set_console_host(Box::new(t));
    } else if flags.terminal && !emulator.has_gui_program() {
        // No terminal and no --input: the guest's keyboard is whatever stdin brings.
        emulator
            .win32_mut()
            .set_console_host(Box::new(terminal::PipedInput::new(interrupts.clone())));
    } else {
        emulator
            .win32_mut()
            .set_console_host(Box::new(terminal::SignalsOnly(interrupts.clone())));
    }
    let outcome = emulator.run_with(options.instruction_limit, options.run_for);
    let display_problems = emulator.finish_display();
    // Dropping the host gives the terminal back (and shows a full-screen console's last
    // screen on the normal screen); then what was held is written.
    drop(emulator.win32_mut().take_console_host());
    interrupts.finishing();
    held.set_drawing(false);
    held.flush_to_stderr();
    if let Some(signal) = interrupts.stop_signal() {
        eprintln!(
            "ntemu: stopped; ending as a program killed by {}",
            interrupts::signal_name(signal)
        );
        interrupts::die_of(signal);
    }
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => return usage_error(e.to_string()),
    };
    for problem in display_problems {
        eprintln!("ntemu: cannot write the screenshot {problem}");
    }
    let report = emulator.report(outcome);
    if flags.leaks {
        eprint!("{}", leak_report(&emulator.handle_traces()));
    }
    if let Some(format) = flags.stats {
        let text = match format {
            StatsFormat::Text => stats_text(&report),
            StatsFormat::Json => stats_json(&report, flags.leaks.then(|| emulator.handle_traces())),
        };
        match flags.stats_file {
            Some(path) => {
                if let Err(e) = std::fs::write(path, &text) {
                    return usage_error(format!("cannot write {}: {e}", path.display()));
                }
            }
            None => eprint!("{text}"),
        }
    }
    if let Some(path) = flags.screen
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
    exit_status(report.exit_code)
}

/// The host exit status of a guest exit code: the code itself below 256; above, the full NT
/// status goes to stderr and the status is its low 7 bits (1 when those are 0), so that a
/// shell never reads it as a signal (128 + n).
fn exit_status(code: u32) -> ExitCode {
    if code <= 0xFF {
        return ExitCode::from(code as u8);
    }
    let name = ntemu::NtStatus(code)
        .name()
        .map_or_else(String::new, |n| format!(" ({n})"));
    eprintln!("ntemu: exit code {code:#010x}{name}");
    let low = (code & 0x7F) as u8;
    ExitCode::from(if low == 0 { 1 } else { low })
}

/// The `--leaks` report: per process, each handle its calls created and left open.
fn leak_report(traces: &[ntemu::ProcessHandleTraces]) -> String {
    let mut s = String::new();
    for p in traces {
        let state = if p.exited {
            "ended"
        } else {
            "is still running"
        };
        let n = p.handles.len();
        let plural = if n == 1 { "" } else { "s" };
        let _ = writeln!(
            s,
            "ntemu: leaks: process {:#x} ({}) {state} with {n} handle{plural} its calls opened and never closed",
            p.process,
            p.architecture.name()
        );
        for h in &p.handles {
            let name = h
                .name
                .as_deref()
                .map_or_else(String::new, |n| format!(" {n:?}"));
            let _ = writeln!(
                s,
                "ntemu: leaks:   handle {:#x} {}{name} access {:#x}: {} called from {:#010x} (thread {:#x})",
                h.handle.0,
                h.object_type.name(),
                h.granted_access.0,
                h.creator,
                h.caller,
                h.thread
            );
        }
    }
    s
}

fn stats_text(report: &ntemu::RunReport) -> String {
    let mut s = String::new();
    for p in &report.stats.processes {
        let _ = writeln!(
            s,
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
    let _ = writeln!(
        s,
        "ntemu: {} guest instructions; live objects at exit: {}",
        report.stats.instructions,
        if live.is_empty() {
            "none".to_string()
        } else {
            live.join(", ")
        }
    );
    s
}

fn stats_json(report: &ntemu::RunReport, leaks: Option<Vec<ntemu::ProcessHandleTraces>>) -> String {
    let mut s = String::from("{");
    let _ = write!(
        s,
        "\"exit_code\": {}, \"outcome\": {}, \"instructions\": {}, \"live_objects\": {{",
        report.exit_code,
        js(&format!("{:?}", report.outcome)),
        report.stats.instructions
    );
    let live: Vec<String> = report
        .stats
        .live_objects
        .iter()
        .map(|(t, n)| format!("{}: {n}", js(t)))
        .collect();
    s.push_str(&live.join(", "));
    s.push_str("}, \"processes\": [");
    let processes: Vec<String> = report
        .stats
        .processes
        .iter()
        .map(|p| {
            format!(
                "{{\"id\": {}, \"architecture\": {}, \"exit_code\": {}, \"handles_open_at_exit\": {}, \"instructions\": {}}}",
                p.process,
                js(p.architecture.name()),
                p.exit_code,
                p.handle_count,
                p.instructions
            )
        })
        .collect();
    s.push_str(&processes.join(", "));
    s.push(']');
    if let Some(leaks) = leaks {
        let handles: Vec<String> = leaks
            .iter()
            .flat_map(|p| {
                p.handles.iter().map(move |h| {
                    format!(
                        "{{\"process\": {}, \"handle\": {}, \"type\": {}, \"name\": {}, \"access\": {}, \"creator\": {}, \"caller\": {}, \"thread\": {}}}",
                        p.process,
                        h.handle.0,
                        js(h.object_type.name()),
                        h.name.as_deref().map_or_else(|| "null".to_string(), js),
                        h.granted_access.0,
                        js(&h.creator),
                        h.caller,
                        h.thread
                    )
                })
            })
            .collect();
        let _ = write!(s, ", \"leaks\": [{}]", handles.join(", "));
    }
    s.push_str("}\n");
    s
}

fn inspect_coverage(path: &std::path::Path, json: bool) -> ExitCode {
    let result = std::fs::read(path)
        .map_err(|e| e.to_string())
        .and_then(|bytes| PeImage::parse(&bytes).map_err(|e| e.to_string()));
    let image = match result {
        Ok(image) => image,
        Err(e) => return usage_error(format!("{}: {e}", path.display())),
    };
    let coverage = ntemu::Coverage::of(&image);
    let mut s = String::new();
    if json {
        let imports: Vec<String> = coverage
            .imports
            .iter()
            .map(|i| {
                format!(
                    "{{\"dll\": {}, \"function\": {}, \"implemented\": {}, \"status\": \"{}\"}}",
                    js(&i.dll),
                    js(&i.function),
                    i.implemented,
                    status_word(i.status)
                )
            })
            .collect();
        let _ = writeln!(
            s,
            "{{\"file\": {}, \"imports\": {}, \"implemented\": {}, \"percent\": {:.1}, \"functions\": [{}]}}",
            js(&path.display().to_string()),
            coverage.imports.len(),
            coverage.implemented(),
            coverage.percent(),
            imports.join(", ")
        );
    } else {
        let _ = writeln!(
            s,
            "{}: {} of {} imports implemented ({:.1} %)",
            path.display(),
            coverage.implemented(),
            coverage.imports.len(),
            coverage.percent()
        );
        let _ = writeln!(
            s,
            "  {} implemented, {} exported by NT 4.0 but not implemented (calling one stops the program), {} unknown to NT 4.0, {} from DLLs that are not builtin",
            coverage.count(ImportStatus::Implemented),
            coverage.count(ImportStatus::Catalogued),
            coverage.count(ImportStatus::Unknown),
            coverage.count(ImportStatus::NotBuiltin)
        );
        for d in ntemu::DllCoverage::all() {
            if coverage
                .imports
                .iter()
                .any(|i| ntemu::win32::dll_matches(d.dll, &i.dll))
            {
                let _ = writeln!(
                    s,
                    "  {}: ntemu implements {} of NT 4.0's {} exports",
                    d.dll, d.implemented, d.exported_by_nt4
                );
            }
        }
        for i in &coverage.imports {
            let _ = writeln!(
                s,
                "  {:<11}  {}!{}",
                status_word(i.status),
                i.dll,
                i.function
            );
        }
    }
    print!("{s}");
    ExitCode::SUCCESS
}

/// `inspect --resources`: the image's resources and exports. A malformed resource
/// directory is the one-line error and status 2 that any malformed image gives.
fn inspect_resources(path: &std::path::Path, json: bool) -> ExitCode {
    let result = std::fs::read(path)
        .map_err(|e| e.to_string())
        .and_then(|bytes| PeImage::parse(&bytes).map_err(|e| e.to_string()))
        .and_then(|image| match image.resources() {
            Ok(r) => Ok((image, r.unwrap_or_default())),
            Err(e) => Err(e.to_string()),
        });
    let (image, resources) = match result {
        Ok(r) => r,
        Err(e) => {
            let line = format!("ntemu: {}: {e}", path.display());
            eprintln!("{}", line.replace(['\n', '\r'], " "));
            return ExitCode::from(2);
        }
    };
    let strings = |e: &pe_image::ResourceEntry| -> Vec<(u32, String)> {
        let (Some(block), pe_image::ResourceId::Id(rt)) = (e.name.id(), &e.resource_type) else {
            return Vec::new();
        };
        if *rt != pe_image::resources::rt::STRING || block == 0 {
            return Vec::new();
        }
        let Ok(table) = image
            .resource_data(e)
            .and_then(pe_image::templates::string_table_block)
        else {
            return Vec::new();
        };
        table
            .iter()
            .enumerate()
            .filter(|(_, units)| !units.is_empty())
            .map(|(i, units)| {
                (
                    (u32::from(block) - 1) * 16 + i as u32,
                    String::from_utf16_lossy(units),
                )
            })
            .collect()
    };
    let mut s = String::new();
    if json {
        let list: Vec<String> = resources
            .entries()
            .iter()
            .map(|e| {
                let texts: Vec<String> = strings(e)
                    .iter()
                    .map(|(id, t)| format!("{{\"id\": {id}, \"text\": {}}}", js(t)))
                    .collect();
                format!(
                    "{{\"type\": {}, \"name\": {}, \"language\": {}, \"size\": {}, \"rva\": {}, \"strings\": [{}]}}",
                    js(&e.resource_type.type_label()),
                    js(&e.name.to_string()),
                    e.language,
                    e.size,
                    e.data_rva,
                    texts.join(", ")
                )
            })
            .collect();
        let exports: Vec<String> = image
            .exports
            .iter()
            .flat_map(|x| x.exports.iter())
            .map(|x| {
                let target = match &x.target {
                    ExportTarget::Rva(r) => format!("\"rva\": {r}"),
                    ExportTarget::Forward(f) => format!("\"forward\": {}", js(f)),
                };
                let name = x.name.as_deref().map_or("null".to_string(), js);
                format!("{{\"ordinal\": {}, \"name\": {name}, {target}}}", x.ordinal)
            })
            .collect();
        let _ = writeln!(
            s,
            "{{\"file\": {}, \"resources\": [{}], \"exports\": [{}]}}",
            js(&path.display().to_string()),
            list.join(", "),
            exports.join(", ")
        );
    } else {
        let _ = writeln!(s, "image:        {}", path.display());
        let _ = writeln!(s, "resources:    {}", resources.entries().len());
        if !resources.is_empty() {
            let _ = writeln!(
                s,
                "  {:<14}  {:<16}  {:>8}  {:>8}",
                "type", "name", "language", "size"
            );
        }
        for e in resources.entries() {
            let _ = writeln!(
                s,
                "  {:<14}  {:<16}  {:>#8x}  {:>8}",
                e.resource_type.type_label(),
                e.name.to_string(),
                e.language,
                e.size
            );
            for (id, text) in strings(e) {
                let _ = writeln!(s, "      {id:>5}  {text:?}");
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
    }
    print!("{s}");
    ExitCode::SUCCESS
}

/// How `inspect --coverage` names an import's status.
fn status_word(status: ImportStatus) -> &'static str {
    match status {
        ImportStatus::Implemented => "implemented",
        ImportStatus::Catalogued => "stub",
        ImportStatus::Unknown => "unknown",
        _ => "not-builtin",
    }
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
