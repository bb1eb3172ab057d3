//! Running a guest program: the machine, its CPUs and builtin DLLs set up from options.

use std::path::{Path, PathBuf};
use std::time::Duration;

use nt_kernel::{
    AlphaEngine, Architecture, FaultPoint, FaultTrigger, KernelError, Machine, MachineConfig,
    Quirks, RunOutcome, X86Engine,
};
use pe_image::ImageError;
use win32::HostIo;

/// How to run a guest program.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Keys queued on the console input before the run (`--input`).
    pub keys: Vec<kernel32::console::Key>,
    /// Fault points to arm.
    pub faults: Vec<(FaultPoint, FaultTrigger)>,
    /// Compatibility quirks.
    pub quirks: Quirks,
    /// The relay trace (`--trace relay`, `WINEDEBUG=+relay`): every builtin call not
    /// excluded, with its arguments and result, on stderr. None: off.
    pub relay: Option<win32::relay::RelayChannels>,
    /// Deterministic virtual clock.
    pub virtual_time: bool,
    /// Stop after this many guest instructions.
    pub instruction_limit: Option<u64>,
    /// Where guest output goes (default: the host's stdout and stderr).
    pub io: Option<HostIo>,
    /// Arguments after the program name on its command line (GetCommandLineA).
    pub args: Vec<String>,
    /// Start a virtual clock at this wall-clock time (milliseconds since 1970, UTC; local
    /// time is UTC on ntemu's NT). Implies `virtual_time`.
    pub clock_start_ms: Option<u64>,
    /// End the run after this much guest time (the run then counts as finished).
    pub run_for: Option<Duration>,
    /// Trace channels other than `api`, and handle tracking for `--leaks`.
    pub diagnostics: crate::DiagnosticOptions,
    /// Guest instructions a thread runs before the scheduler moves on (default 100,000).
    /// Instruction budgets are checked between quanta, so a small quantum makes them exact.
    pub quantum: Option<u64>,
    /// The host directory that is the guest's drive `C:\` (`--root`); None: no drive C:.
    pub root: Option<PathBuf>,
}

/// Counters of a finished run, for `--stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Guest instructions retired by every thread of every process.
    pub instructions: u64,
    /// Objects still alive when the run ended, by type name.
    pub live_objects: Vec<(&'static str, usize)>,
    /// Every process that ended: id, architecture, exit code, handles open at its end,
    /// instructions.
    pub processes: Vec<nt_kernel::ExitedProcess>,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunReport {
    /// The first process's exit code (STILL_ACTIVE when the run ended on `run_for`).
    pub exit_code: u32,
    /// The console's title.
    pub console_title: String,
    /// The active console screen buffer as text rows.
    pub screen: String,
    /// How the scheduler stopped.
    pub outcome: RunOutcome,
    /// Counters.
    pub stats: RunStats,
}

/// Why a program could not be run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The image file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The host error.
        source: std::io::Error,
    },
    /// The image is malformed or for an unsupported machine.
    #[error("{path}: {source}")]
    Image {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        source: ImageError,
    },
    /// The executive failed.
    #[error(transparent)]
    Kernel(#[from] KernelError),
}

/// A machine with every CPU ntemu has.
pub fn machine(config: MachineConfig) -> Machine {
    let mut m = Machine::new(config);
    m.add_engine(Architecture::X86, || Box::new(X86Engine::new()));
    m.add_engine(Architecture::Alpha, || Box::new(AlphaEngine::new()));
    m
}

/// Loads `path` and runs it until every process has ended (or the instruction limit, or
/// `run_for`): [`Emulator`](crate::Emulator) with one program.
pub fn run_image(path: &Path, options: RunOptions) -> Result<RunReport, RunError> {
    let mut emulator = crate::Emulator::new(&options);
    if let Some(root) = &options.root {
        emulator.set_root(root)?;
    }
    emulator.load(path, &options.args)?;
    let outcome = emulator.run_with(options.instruction_limit, options.run_for)?;
    Ok(emulator.report(outcome))
}

/// Parses `YYYY-MM-DDTHH:MM:SS` (as `--clock` takes it) into milliseconds since 1970.
pub fn parse_clock(text: &str) -> Result<u64, String> {
    let bad = || format!("{text:?} is not a time of the form 1999-12-31T23:59:50");
    let (date, time) = text.split_once('T').ok_or_else(bad)?;
    let d: Vec<i64> = date
        .split('-')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    let t: Vec<i64> = time
        .split(':')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    let ([y, mo, da], [h, mi, se]) = (d.as_slice(), t.as_slice()) else {
        return Err(bad());
    };
    let (y, mo, da, h, mi, se) = (*y, *mo, *da, *h, *mi, *se);
    if !(1601..=30827).contains(&y)
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&da)
        || !(0..24).contains(&h)
        || !(0..60).contains(&mi)
        || !(0..60).contains(&se)
    {
        return Err(bad());
    }
    // Days from 1970-01-01 of a proleptic Gregorian date.
    let yy = if mo <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy.rem_euclid(400);
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + da - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let seconds = days * 86_400 + h * 3600 + mi * 60 + se;
    u64::try_from(seconds * 1000).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::parse_clock;

    #[test]
    fn clock_times_parse_to_unix_milliseconds() {
        assert_eq!(parse_clock("1970-01-01T00:00:00"), Ok(0));
        assert_eq!(parse_clock("1999-12-31T23:59:50"), Ok(946_684_790_000));
        assert_eq!(parse_clock("2000-03-01T00:00:00"), Ok(951_868_800_000));
        assert!(parse_clock("1999-13-01T00:00:00").is_err());
        assert!(parse_clock("yesterday").is_err());
    }
}
