//! `ntemu bench`: runs a named set of guest workloads under ntemu and, where installed,
//! under Wine, qemu-i386, qemu-alpha and natively on the host; repeats each `--runs` times
//! with every column of a run taken before the next run starts (round-robin, so a noisy
//! machine hurts all columns alike); writes a Markdown table to the terminal, `results.json`
//! and `index.html` (inline SVG charts) to `--out`; compares with an earlier results file.
//!
//! The programs are benches/guests/x86/wbench.exe (the NT guest; each workload times only
//! its own work with QueryPerformanceCounter and prints it), benches/guests/alpha/wbench.exe
//! (its CPU-bound workloads built for NT on Alpha) and benches/guests/linux/*.elf
//! (the CPU-bound workloads as freestanding Linux programs, timed with clock_gettime), built
//! by benches/guests/build.sh and committed; plus tests/guests' compute.exe (x86 and Alpha)
//! and compute-linux.elf for a whole-run row that has an Alpha NT build.

mod html;
mod report;
pub mod stats;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use serde_json::{Value, json};

/// `ntemu bench`'s options.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// How many times each workload runs in each column (the columns of a run alternate).
    #[arg(long, default_value_t = 5, value_name = "N")]
    runs: usize,
    /// Folder for results.json and index.html (made if missing).
    #[arg(long, default_value = "bench-report", value_name = "DIR")]
    out: PathBuf,
    /// Only these workloads (comma-separated names; `--list` shows them; `kb246691` is the
    /// handle-count curve of KB Q246691's scenario).
    #[arg(long, value_delimiter = ',', value_name = "NAME,...")]
    only: Vec<String>,
    /// An earlier results.json: show per workload and column what got faster or slower,
    /// marking changes inside the runs' spread as noise.
    #[arg(long, value_name = "OLD.json")]
    compare: Option<PathBuf>,
    /// Small work sizes and one size per workload (for a quick look or a test).
    #[arg(long)]
    quick: bool,
    /// Print the report of an existing results.json (no runs); with --compare, its
    /// comparison with OLD.json.
    #[arg(long, value_name = "RESULTS.json")]
    render: Option<PathBuf>,
    /// List the workloads and exit.
    #[arg(long)]
    list: bool,
    /// The folder of the bench programs (default: benches/guests of ntemu's source tree).
    #[arg(long, value_name = "DIR")]
    guests: Option<PathBuf>,
}

/// A column of the report: one way of running the work.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Column {
    Ntemu,
    NtemuAlpha,
    Wine,
    QemuI386,
    QemuAlpha,
    Native,
}

impl Column {
    const ALL: [Column; 6] = [
        Column::Ntemu,
        Column::NtemuAlpha,
        Column::Wine,
        Column::QemuI386,
        Column::QemuAlpha,
        Column::Native,
    ];

    fn id(self) -> &'static str {
        match self {
            Column::Ntemu => "ntemu",
            Column::NtemuAlpha => "ntemu-alpha",
            Column::Wine => "wine",
            Column::QemuI386 => "qemu-i386",
            Column::QemuAlpha => "qemu-alpha",
            Column::Native => "native",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Column::Ntemu => "ntemu (x86)",
            Column::NtemuAlpha => "ntemu (Alpha)",
            Column::Wine => "Wine",
            Column::QemuI386 => "qemu-i386",
            Column::QemuAlpha => "qemu-alpha",
            Column::Native => "native",
        }
    }

    /// The column whose time this one's ratio is taken against.
    fn reference(self) -> Column {
        match self {
            Column::QemuAlpha | Column::NtemuAlpha => Column::NtemuAlpha,
            _ => Column::Ntemu,
        }
    }
}

/// What kind of program a workload is, which decides its columns.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// Win32 API work in wbench.exe: ntemu and Wine.
    Api,
    /// wbench.exe under ntemu with a fault armed: ntemu only.
    Fault(&'static str),
    /// CPU-bound work of work.h: wbench.exe (ntemu, Wine) and the Linux ELFs (qemu, native).
    Cpu,
    /// tests/guests' compute.exe (x86 and Alpha) and compute-linux ELFs, timed as whole runs.
    WholeRun,
}

/// One named workload.
struct Workload {
    name: &'static str,
    what: &'static str,
    /// What one operation is (times are per operation).
    unit: &'static str,
    kind: Kind,
    /// ntemu's work size in a full run, and in a --quick one.
    size: u32,
    quick: u32,
    /// Handles kept open before the timed work (handles-live), full and quick.
    live: (u32, u32),
    /// Wine runs size / wine_div (Wine's server calls are slow; times are per operation).
    wine_div: u32,
    /// Wine runs it in the first this many runs only (0: every run): opening 1,000,000
    /// handles takes Wine over a minute.
    wine_runs: usize,
}

const fn w(
    name: &'static str,
    what: &'static str,
    unit: &'static str,
    kind: Kind,
    size: u32,
    quick: u32,
    wine_div: u32,
) -> Workload {
    Workload {
        name,
        what,
        unit,
        kind,
        size,
        quick,
        live: (0, 0),
        wine_div,
        wine_runs: 0,
    }
}

/// The workloads, in report order.
const WORKLOADS: [Workload; 14] = [
    w(
        "handles",
        "CreateEventA + CloseHandle",
        "pair",
        Kind::Api,
        200_000,
        5_000,
        8,
    ),
    Workload {
        live: (1_000_000, 10_000),
        wine_runs: 1,
        ..w(
            "handles-live",
            "CreateEventA + CloseHandle with 1,000,000 handles open",
            "pair",
            Kind::Api,
            200_000,
            5_000,
            8,
        )
    },
    w(
        "remote",
        "CreateRemoteThread into a child, run, wait, close",
        "thread",
        Kind::Api,
        4_000,
        100,
        8,
    ),
    w(
        "remote-fail",
        "CreateRemoteThread failing at its subsystem step, rolled back",
        "call",
        Kind::Fault("CreateRemoteThread:subsystem"),
        4_000,
        100,
        1,
    ),
    w(
        "threads",
        "CreateThread, exit, WaitForSingleObject, CloseHandle",
        "thread",
        Kind::Api,
        6_000,
        200,
        8,
    ),
    w(
        "events",
        "event ping-pong between two threads",
        "round trip",
        Kind::Api,
        20_000,
        1_000,
        4,
    ),
    w(
        "heap",
        "HeapAlloc + HeapFree of 24 bytes",
        "pair",
        Kind::Api,
        100_000,
        5_000,
        1,
    ),
    w(
        "virtual",
        "VirtualAlloc + VirtualFree of 64 KiB, a page touched",
        "pair",
        Kind::Api,
        20_000,
        1_000,
        2,
    ),
    w(
        "file",
        "WriteFile then ReadFile of 4 KiB blocks",
        "block",
        Kind::Api,
        3_000,
        200,
        1,
    ),
    w(
        "pipes",
        "64-byte round trip through an echo thread over two pipes",
        "round trip",
        Kind::Api,
        10_000,
        500,
        20,
    ),
    w(
        "compute",
        "integer, CRC-32 and heap-sort phases (work.h)",
        "unit",
        Kind::Cpu,
        12,
        1,
        1,
    ),
    w(
        "copy",
        "word copy loop, 256 KiB there and back",
        "pass",
        Kind::Cpu,
        10,
        1,
        1,
    ),
    w(
        "fib",
        "naive recursive Fibonacci",
        "call",
        Kind::Cpu,
        27,
        23,
        1,
    ),
    w(
        "compute-exe",
        "tests/guests compute.exe (checksum, sort, series), whole run with start-up",
        "run",
        Kind::WholeRun,
        1,
        1,
        1,
    ),
];

/// The name of the KB Q246691 handle-count measurement for `--only`.
const KB_NAME: &str = "kb246691";

/// The calls of `fib(n)`.
fn fib_calls(n: u32) -> f64 {
    let (mut a, mut b) = (0f64, 1f64);
    for _ in 0..=n {
        let c = a + b;
        a = b;
        b = c;
    }
    // fib(n+1) is now a; calls(n) = 2 fib(n+1) - 1.
    2.0 * a - 1.0
}

impl Workload {
    /// ntemu's sizes: the sweep for the time-against-size chart (the last is the table's).
    fn sizes(&self, quick: bool) -> Vec<u32> {
        if quick {
            return vec![self.quick];
        }
        match (self.name, self.kind) {
            (_, Kind::WholeRun) | ("handles-live", _) => vec![self.size],
            ("fib", _) => vec![self.size - 2, self.size - 1, self.size],
            _ => vec![(self.size / 4).max(1), (self.size / 2).max(1), self.size],
        }
    }

    /// The size `column` runs for ntemu's size `size`.
    fn column_size(&self, column: Column, size: u32) -> u32 {
        if column == Column::Wine && self.name != "fib" {
            (size / self.wine_div).max(1)
        } else {
            size
        }
    }

    /// Operations in a run of `size`.
    fn units(&self, size: u32) -> f64 {
        if self.name == "fib" {
            fib_calls(size)
        } else {
            f64::from(size)
        }
    }

    /// Whether `column` applies to this workload, or why not.
    fn applies(&self, column: Column) -> Result<(), &'static str> {
        match (self.kind, column) {
            (_, Column::Ntemu) => Ok(()),
            (Kind::WholeRun, _) => Ok(()),
            (Kind::Fault(_), _) => Err("n/a (fault injection is ntemu's)"),
            (Kind::Cpu, Column::NtemuAlpha) => Ok(()),
            (_, Column::NtemuAlpha) => {
                Err("not built (the Alpha wbench.exe has the CPU workloads only)")
            }
            (_, Column::Wine) => Ok(()),
            (Kind::Api, _) => Err("n/a (Win32 API)"),
            (Kind::Cpu, _) => Ok(()),
        }
    }
}

/// Where the programs and tools are.
struct Env {
    ntemu: PathBuf,
    guests: PathBuf,
    tests_guests: PathBuf,
    wine: Option<PathBuf>,
    qemu_i386: Option<PathBuf>,
    qemu_alpha: Option<PathBuf>,
    native: bool,
    quick: bool,
}

/// The first executable `name` on PATH.
fn which(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| {
            p.metadata()
                .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
                .unwrap_or(false)
        })
}

impl Env {
    /// Why `column` cannot run here, if it cannot.
    fn missing(&self, column: Column) -> Option<&'static str> {
        match column {
            Column::Wine if self.wine.is_none() => Some("not installed"),
            Column::QemuI386 if self.qemu_i386.is_none() => Some("not installed"),
            Column::QemuAlpha if self.qemu_alpha.is_none() => Some("not installed"),
            Column::Native if !self.native => Some("not available (host is not x86-64 Linux)"),
            _ => None,
        }
    }

    /// The command that runs `work` of `size` in `column`.
    fn command(&self, work: &Workload, column: Column, size: u32) -> Command {
        let wbench = self.guests.join("x86/wbench.exe");
        let elf = |arch: &str| self.guests.join(format!("linux/linux-{arch}.elf"));
        // remote-fail is wbench's remote with a fault armed.
        let guest_name = match work.kind {
            Kind::Fault(_) => "remote",
            _ => work.name,
        };
        let mut args: Vec<String> = vec![guest_name.to_string(), size.to_string()];
        if work.live.0 > 0 {
            args.push(if self.quick {
                work.live.1.to_string()
            } else {
                work.live.0.to_string()
            });
        }
        let tool = |p: &Option<PathBuf>| p.clone().unwrap_or_default();
        if work.kind == Kind::WholeRun {
            let x86 = self.tests_guests.join("x86/compute.exe");
            let i386 = self.guests.join("linux/compute-i386.elf");
            let mut c = match column {
                Column::Ntemu => Command::new(&self.ntemu),
                Column::NtemuAlpha => Command::new(&self.ntemu),
                Column::Wine => Command::new(tool(&self.wine)),
                Column::QemuI386 => Command::new(tool(&self.qemu_i386)),
                Column::QemuAlpha => Command::new(tool(&self.qemu_alpha)),
                Column::Native => Command::new(&i386),
            };
            match column {
                Column::Ntemu => c.arg("run").arg(x86),
                Column::NtemuAlpha => c
                    .arg("run")
                    .arg(self.tests_guests.join("alpha/compute.exe")),
                Column::Wine => c.arg(x86),
                Column::QemuI386 => c.arg(&i386),
                Column::QemuAlpha => c.arg(self.tests_guests.join("alpha/compute-linux.elf")),
                Column::Native => &mut c,
            };
            return c;
        }
        let mut c = match column {
            Column::Ntemu | Column::NtemuAlpha => {
                let mut c = Command::new(&self.ntemu);
                c.arg("run");
                if let Kind::Fault(point) = work.kind {
                    c.arg("--fault").arg(point);
                }
                c.arg(if column == Column::NtemuAlpha {
                    self.guests.join("alpha/wbench.exe")
                } else {
                    wbench
                });
                c
            }
            Column::Wine => {
                let mut c = Command::new(tool(&self.wine));
                c.arg(&wbench);
                c
            }
            Column::QemuI386 => {
                let mut c = Command::new(tool(&self.qemu_i386));
                c.arg(elf("i386"));
                c
            }
            Column::QemuAlpha => {
                let mut c = Command::new(tool(&self.qemu_alpha));
                c.arg(elf("alpha"));
                c
            }
            Column::Native => Command::new(elf("x86_64")),
        };
        c.args(args);
        c
    }
}

/// One measured run.
struct Sample {
    /// The work's time in nanoseconds (the program's own clock, or the whole run's).
    ns: f64,
    /// The whole process's wall time in nanoseconds.
    wall_ns: f64,
    /// The work's result word, as the program printed it.
    result: String,
}

/// Runs `cmd` once and reads its time. Its output goes to a file, not a pipe: a pipe's end
/// would stay open in Wine's background processes (services.exe, explorer.exe) for seconds
/// after the program itself exited.
fn measure(work: &Workload, column: Column, mut cmd: Command) -> Result<Sample, String> {
    let path = std::env::temp_dir().join(format!("ntemu-bench-{}.out", std::process::id()));
    let file = std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    cmd.stdin(Stdio::null()).stdout(file).stderr(Stdio::null());
    let start = Instant::now();
    let status = cmd.status().map_err(|e| format!("cannot start: {e}"))?;
    let wall_ns = start.elapsed().as_nanos() as f64;
    let stdout = std::fs::read(&path).unwrap_or_default();
    let _ = std::fs::remove_file(&path);
    let out = std::process::Output {
        status,
        stdout,
        stderr: Vec::new(),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let code = out.status.code();
    if work.kind == Kind::WholeRun {
        // compute.exe exits 0; the compute-linux ELFs exit with the checksum's low byte.
        let expected = match column {
            Column::QemuI386 | Column::QemuAlpha | Column::Native => 218,
            _ => 0,
        };
        if code != Some(expected) {
            return Err(format!("exit status {code:?}"));
        }
        return Ok(Sample {
            ns: wall_ns,
            wall_ns,
            result: String::new(),
        });
    }
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with("result="))
        .ok_or_else(|| {
            let last = stdout.lines().last().unwrap_or("");
            format!("no result line (exit status {code:?}) {last}")
        })?;
    let field = |name: &str| {
        line.split_whitespace()
            .find_map(|f| f.strip_prefix(name)?.strip_prefix('='))
    };
    let num = |name: &str| field(name).and_then(|v| v.parse::<f64>().ok());
    let failures = num("failures").unwrap_or(0.0);
    let expect_failures = matches!(work.kind, Kind::Fault(_));
    if failures != 0.0 || (!expect_failures && code != Some(0)) {
        return Err(format!("{failures} calls failed, exit status {code:?}"));
    }
    let ns = match (num("ns"), num("ticks"), num("freq")) {
        (Some(ns), _, _) => ns,
        (None, Some(t), Some(f)) if f > 0.0 => t * 1e9 / f,
        _ => return Err(format!("unreadable result line: {line}")),
    };
    Ok(Sample {
        ns,
        wall_ns,
        result: field("result").unwrap_or("").to_string(),
    })
}

/// The samples of one workload in one column.
#[derive(Default)]
struct Cell {
    /// Why the column has no numbers (not installed, n/a, failed).
    status: Option<String>,
    /// Per size: the column's size, and its samples.
    by_size: Vec<(u32, u32, Vec<Sample>)>,
}

/// Reads a file's first line that starts with `key`, the text after the colon.
fn proc_field(path: &str, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}

/// The first line of `tool --version`.
fn version(tool: &Option<PathBuf>) -> Value {
    let Some(tool) = tool else {
        return json!("not installed");
    };
    match Command::new(tool)
        .arg("--version")
        .stderr(Stdio::null())
        .output()
    {
        Ok(o) => json!(
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
        ),
        Err(_) => json!("unknown"),
    }
}

fn loadavg() -> Vec<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .filter_map(|v| v.parse().ok())
        .collect()
}

/// Today's date and time in UTC, ISO 8601.
fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil from days (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

fn machine(env: &Env) -> Value {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    json!({
        "cpu": proc_field("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown".into()),
        "cores": cores,
        "memory": proc_field("/proc/meminfo", "MemTotal").unwrap_or_default(),
        "kernel": std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim(),
        "wine": version(&env.wine),
        "qemu_i386": version(&env.qemu_i386),
        "qemu_alpha": version(&env.qemu_alpha),
        "ntemu": env!("CARGO_PKG_VERSION"),
    })
}

/// Runs KB Q246691's scenario: `calls` failing CreateRemoteThread calls at each fault point,
/// and at the subsystem step with the NT 4.0 quirk; the caller's handle count every calls/20.
fn kb246691(env: &Env, quick: bool) -> Value {
    let calls: u32 = if quick { 100 } else { 1000 };
    let wbench = env.guests.join("x86/wbench.exe");
    let mut series = Vec::new();
    let mut cases: Vec<(String, Option<&str>, bool)> = vec![("no fault".into(), None, false)];
    for step in [
        "access",
        "stack",
        "teb",
        "thread",
        "handle",
        "subsystem",
        "resume",
    ] {
        cases.push((format!("fails at {step}"), Some(step), false));
    }
    cases.push((
        "fails at subsystem, --quirk nt4-remote-thread-leak (NT 4.0)".into(),
        Some("subsystem"),
        true,
    ));
    for (label, step, quirk) in cases {
        eprintln!("ntemu bench: kb246691: {label}");
        let mut c = Command::new(&env.ntemu);
        c.arg("run");
        if quirk {
            c.args(["--quirk", "nt4-remote-thread-leak"]);
        }
        if let Some(step) = step {
            c.arg("--fault").arg(format!("CreateRemoteThread:{step}"));
        }
        c.arg(&wbench).arg("kbcurve").arg(calls.to_string());
        let out = c.stdin(Stdio::null()).stderr(Stdio::null()).output();
        let text = out
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        let mut points = Vec::new();
        let mut ns_per_call = Value::Null;
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("calls=") {
                let mut it = rest.split(" delta=");
                if let (Some(Ok(c)), Some(Ok(d))) = (
                    it.next().map(str::parse::<u64>),
                    it.next().map(|d| d.trim().parse::<i64>()),
                ) {
                    points.push(json!([c, d]));
                }
            } else if line.starts_with("result=") {
                let f = |n: &str| {
                    line.split_whitespace()
                        .find_map(|x| x.strip_prefix(n)?.strip_prefix('='))
                        .and_then(|v| v.parse::<f64>().ok())
                };
                if let (Some(t), Some(fr)) = (f("ticks"), f("freq")) {
                    ns_per_call = json!(t * 1e9 / fr / f64::from(calls));
                }
            }
        }
        series.push(json!({
            "label": label,
            "fault": step.map(|s| format!("CreateRemoteThread:{s}")),
            "quirk": quirk,
            "points": points,
            "ns_per_call": ns_per_call,
        }));
    }
    // The Alpha build of KB Q246691's program (1,000 calls, prints only the final delta).
    let mut alpha = Vec::new();
    for quirk in [false, true] {
        let mut c = Command::new(&env.ntemu);
        c.arg("run");
        if quirk {
            c.args(["--quirk", "nt4-remote-thread-leak"]);
        }
        c.args(["--fault", "CreateRemoteThread:subsystem"])
            .arg(env.tests_guests.join("alpha/kb246691.exe"));
        let text = c
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        let delta = text
            .lines()
            .find_map(|l| l.strip_prefix("handle-count-delta="))
            .and_then(|r| r.split_whitespace().next())
            .and_then(|d| d.parse::<i64>().ok());
        alpha.push(json!({"quirk": quirk, "calls": 1000, "delta": delta}));
    }
    json!({"calls": calls, "series": series, "alpha": alpha})
}

/// Entry point of `ntemu bench`.
pub fn main(args: BenchArgs) -> ExitCode {
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ntemu bench: {e}");
            ExitCode::from(2)
        }
    }
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn run(args: BenchArgs) -> Result<ExitCode, String> {
    if args.list {
        for w in &WORKLOADS {
            println!("{:<14} {} (per {})", w.name, w.what, w.unit);
        }
        println!("{KB_NAME:<14} KB Q246691: handle count against failing CreateRemoteThread calls");
        return Ok(ExitCode::SUCCESS);
    }
    let old = args.compare.as_deref().map(read_json).transpose()?;
    if let Some(path) = &args.render {
        let results = read_json(path)?;
        print!("{}", report::markdown(&results));
        if let Some(old) = &old {
            print!("{}", report::compare(old, &results));
        }
        return Ok(ExitCode::SUCCESS);
    }
    for name in &args.only {
        if name != KB_NAME && !WORKLOADS.iter().any(|w| w.name == name) {
            return Err(format!("no workload {name} (see --list)"));
        }
    }
    let runs = args.runs.max(1);
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let guests = args
        .guests
        .clone()
        .unwrap_or_else(|| source.join("benches/guests"));
    let tests_guests = guests.join("../../tests/guests");
    if !guests.join("x86/wbench.exe").is_file() {
        return Err(format!(
            "{} has no x86/wbench.exe (give the folder with --guests)",
            guests.display()
        ));
    }
    let env = Env {
        ntemu: std::env::current_exe().map_err(|e| format!("cannot find ntemu itself: {e}"))?,
        guests,
        tests_guests,
        wine: which("wine"),
        qemu_i386: which("qemu-i386"),
        qemu_alpha: which("qemu-alpha"),
        native: cfg!(all(target_arch = "x86_64", target_os = "linux")),
        quick: args.quick,
    };
    let selected: Vec<&Workload> = WORKLOADS
        .iter()
        .filter(|w| args.only.is_empty() || args.only.iter().any(|o| o == w.name))
        .collect();
    let with_kb = args.only.is_empty() || args.only.iter().any(|o| o == KB_NAME);
    if env.wine.is_some() {
        // Keep one wineserver up for the whole run (it ends itself 60 s after the last
        // Wine process), so Wine's times do not each include a server start.
        let _ = Command::new("wineserver")
            .arg("-p60")
            .env("WINEDEBUG", "-all")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let started = now_utc();
    let machine = machine(&env);
    let mut cells: Vec<Vec<Cell>> = selected
        .iter()
        .map(|w| {
            Column::ALL
                .iter()
                .map(|&c| Cell {
                    status: w
                        .applies(c)
                        .err()
                        .map(str::to_string)
                        .or_else(|| env.missing(c).map(str::to_string)),
                    by_size: w
                        .sizes(args.quick)
                        .iter()
                        .map(|&s| (s, w.column_size(c, s), Vec::new()))
                        .collect(),
                })
                .collect()
        })
        .collect();
    let mut loads = Vec::new();
    let total_start = Instant::now();
    for run in 0..runs {
        let load = loadavg();
        eprintln!(
            "ntemu bench: run {}/{runs} (load average {load:?})",
            run + 1
        );
        loads.push(json!(load));
        for (wi, work) in selected.iter().enumerate() {
            for si in 0..work.sizes(args.quick).len() {
                for (ci, &column) in Column::ALL.iter().enumerate() {
                    let cell = &mut cells[wi][ci];
                    if cell.status.is_some()
                        || (column == Column::Wine && work.wine_runs > 0 && run >= work.wine_runs)
                    {
                        continue;
                    }
                    let size = cell.by_size[si].1;
                    let mut cmd = env.command(work, column, size);
                    cmd.env("WINEDEBUG", "-all");
                    match measure(work, column, cmd) {
                        Ok(sample) => cell.by_size[si].2.push(sample),
                        Err(e) => {
                            eprintln!("ntemu bench: {} under {}: {e}", work.name, column.id());
                            cell.status = Some(format!("failed: {e}"));
                        }
                    }
                }
            }
        }
    }
    let kb = if with_kb {
        kb246691(&env, args.quick)
    } else {
        Value::Null
    };
    let workloads: Vec<Value> = selected
        .iter()
        .zip(&cells)
        .map(|(work, row)| workload_json(work, row))
        .collect();
    let results = json!({
        "schema": "ntemu-bench/1",
        "date": started,
        "seconds": total_start.elapsed().as_secs_f64(),
        "runs": runs,
        "quick": args.quick,
        "machine": machine,
        "load_before_run": loads,
        "columns": Column::ALL.iter().map(|c| json!({
            "id": c.id(),
            "title": c.title(),
            "status": env.missing(*c).unwrap_or("measured"),
            "ratio_to": c.reference().id(),
        })).collect::<Vec<_>>(),
        "workloads": workloads,
        "kb246691": kb,
    });
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let text = serde_json::to_string_pretty(&results).map_err(|e| e.to_string())? + "\n";
    let json_path = args.out.join("results.json");
    std::fs::write(&json_path, text).map_err(|e| format!("{}: {e}", json_path.display()))?;
    let mut md = report::markdown(&results);
    if let Some(old) = &old {
        md.push_str(&report::compare(old, &results));
    }
    let html_path = args.out.join("index.html");
    std::fs::write(&html_path, html::page(&results, &md))
        .map_err(|e| format!("{}: {e}", html_path.display()))?;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(md.as_bytes());
    let _ = writeln!(
        stdout,
        "\nWrote {} and {}",
        json_path.display(),
        html_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// One workload's entry of results.json.
fn workload_json(work: &Workload, row: &[Cell]) -> Value {
    let mut cells = serde_json::Map::new();
    let main = work
        .sizes(false)
        .len()
        .min(row[0].by_size.len())
        .saturating_sub(1);
    // The ntemu median per operation, per CPU, for the ratios.
    let per_op = |cell: &Cell| -> Option<f64> {
        let (_, size, samples) = cell.by_size.get(main)?;
        let v: Vec<f64> = samples.iter().map(|s| s.ns / work.units(*size)).collect();
        stats::summarize(&v).map(|s| s.median)
    };
    for (ci, &column) in Column::ALL.iter().enumerate() {
        let cell = &row[ci];
        let value = match &cell.status {
            Some(status) => json!({"status": status}),
            None => {
                let Some((_, size, samples)) = cell.by_size.get(main) else {
                    continue;
                };
                let units = work.units(*size);
                let per: Vec<f64> = samples.iter().map(|s| s.ns / units).collect();
                let Some(s) = stats::summarize(&per) else {
                    continue;
                };
                let ratio_to =
                    if column.reference() == Column::NtemuAlpha && per_op(&row[1]).is_some() {
                        Column::NtemuAlpha
                    } else {
                        Column::Ntemu
                    };
                let reference = per_op(&row[if ratio_to == Column::Ntemu { 0 } else { 1 }])
                    .filter(|r| *r > 0.0);
                let sweep: Vec<Value> = cell
                    .by_size
                    .iter()
                    .filter_map(|(_, size, samples)| {
                        let v: Vec<f64> = samples.iter().map(|s| s.ns).collect();
                        let s = stats::summarize(&v)?;
                        Some(json!({"size": size, "units": work.units(*size), "median_ns": s.median, "min_ns": s.min, "max_ns": s.max}))
                    })
                    .collect();
                json!({
                    "status": "measured",
                    "size": size,
                    "units": units,
                    "samples_ns": samples.iter().map(|s| s.ns).collect::<Vec<_>>(),
                    "wall_ns": samples.iter().map(|s| s.wall_ns).collect::<Vec<_>>(),
                    "result": samples.first().map(|s| s.result.clone()).unwrap_or_default(),
                    "per_op_ns": {"median": s.median, "min": s.min, "max": s.max, "q1": s.q1, "q3": s.q3},
                    "ratio": reference.map(|r| s.median / r),
                    "ratio_to": ratio_to.id(),
                    "sweep": sweep,
                })
            }
        };
        cells.insert(column.id().to_string(), value);
    }
    json!({
        "name": work.name,
        "what": work.what,
        "unit": work.unit,
        "live_handles": if work.live.0 > 0 { json!(work.live.0) } else { Value::Null },
        "cells": cells,
    })
}
