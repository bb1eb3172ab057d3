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
    /// More drives (`--drive L:=DIR[:ro]`; the command line mounts the host's current
    /// directory as D:).
    pub drives: Vec<crate::Mount>,
    /// Do not mount the program's own folder. By default, when no drive holds it, it is
    /// mounted read-only at the first free letter from E:, so the program finds the files
    /// and programs beside it.
    pub no_program_folder_drive: bool,
    /// Start the program's command line with its full guest path (`E:\\vi.exe`), as a
    /// program started by its path is, rather than its file name.
    pub full_program_path: bool,
    /// The most processes alive at once in the machine (default
    /// [`DEFAULT_MAX_PROCESSES`](nt_kernel::DEFAULT_MAX_PROCESSES), 512); one more fails
    /// with ERROR_NO_SYSTEM_RESOURCES.
    pub max_processes: Option<u32>,
    /// The most threads alive at once over all processes (default
    /// [`DEFAULT_MAX_THREADS`](nt_kernel::DEFAULT_MAX_THREADS), 4,096).
    pub max_threads: Option<u32>,
    /// The most guest memory committed at once over all processes, in bytes (default
    /// [`DEFAULT_COMMIT_LIMIT`](nt_kernel::DEFAULT_COMMIT_LIMIT), 4 GiB); a commit past it
    /// fails with ERROR_COMMITMENT_LIMIT.
    pub commit_limit: Option<u64>,
    /// What GetFileType says of the standard input, output and error handles. None: found
    /// out from the host's own standard streams when guest output goes to them (a terminal
    /// or a device is FILE_TYPE_CHAR, a file FILE_TYPE_DISK, a pipe or socket
    /// FILE_TYPE_PIPE; the input is the console's when keys are given), else the console's.
    pub std_file_types: Option<kernel32::StdFileTypes>,
    /// Every builtin call goes the full way (the CPU stops at the thunk and the scheduler
    /// hands the call to its DLL), none is served inside the CPU's run loop
    /// ([`win32::inline`]): for comparing the two (benchmarks, differential tests).
    pub full_calls: bool,
    /// The x86 execution tier (`--cpu interp|jit`). Process-wide: when set, it becomes the
    /// tier of every x86 CPU made from then on, in this run and later ones. None: leave the
    /// default (the interpreter, unless `NTEMU_CPU=jit`).
    pub cpu_tier: Option<nt_kernel::CpuTier>,
    /// Environment variables for the program, set after NT's own (`--env NAME=VALUE`).
    pub env: Vec<(String, String)>,
    /// Start from NT's variables only, none of the host's (`--env-clear`).
    pub env_clear: bool,
    /// The program's exact environment, replacing what `env` and `env_clear` would make
    /// (the PROCESSOR_* variables of its CPU are still added).
    pub environment: Option<Vec<(String, String)>>,
    /// What the guest's sockets may reach: the loopback network only (the default), or the
    /// host's network and name resolution (`--network`).
    pub network: wsock32::NetworkPolicy,
    /// Which DLL a name means, builtin or from disk (`--dll NAME=native|builtin`,
    /// `WINEDLLOVERRIDES`); empty: builtins serve their names.
    pub dll_overrides: kernel32::dllload::DllOverrides,
    /// The screen's size in pixels (`--desktop WxH`); None: 800 x 600.
    pub desktop: Option<(u32, u32)>,
    /// Where the desktop is shown (`--display`; headless by default).
    pub display: DisplayChoice,
    /// Write the screen as a PNG file here when the run ends (`--screenshot`).
    pub screenshot: Option<PathBuf>,
    /// Write the screen as a PNG file into the folder every so much guest time
    /// (`--screenshot-every SECONDS DIR`).
    pub screenshot_every: Option<(Duration, PathBuf)>,
    /// Scripted keyboard and mouse input for the program's windows (`--input`, see
    /// [`user32::input::parse_input_script`]); its keys also go to `keys` for a console.
    pub input_script: Vec<user32::input::ScriptItem>,
}

/// Where the desktop is shown. The library's default is headless; the command line's is
/// [`DisplayChoice::Auto`].
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum DisplayChoice {
    /// A host window when the program is a GUI program and the host has a display
    /// (DISPLAY or WAYLAND_DISPLAY is set); else nowhere (headless).
    Auto,
    /// Nowhere: headless (screenshots are still written).
    #[default]
    None,
    /// A host window, whatever the program.
    Window,
}

/// The smallest and largest screen `--desktop` accepts, each side.
pub const DESKTOP_LIMITS: (u32, u32) = (64, 8192);

/// Parses `--desktop WxH`, e.g. `800x600`: each side from 64 to 8192 pixels.
pub fn parse_desktop(text: &str) -> Result<(u32, u32), RunError> {
    let bad = || RunError::BadDesktop(text.to_string());
    let (w, h) = text.trim().split_once(['x', 'X']).ok_or_else(bad)?;
    let w: u32 = w.trim().parse().map_err(|_| bad())?;
    let h: u32 = h.trim().parse().map_err(|_| bad())?;
    let ok = |v: u32| (DESKTOP_LIMITS.0..=DESKTOP_LIMITS.1).contains(&v);
    if !ok(w) || !ok(h) {
        return Err(bad());
    }
    Ok((w, h))
}

/// Parses `--display none|window|auto`.
pub fn parse_display(text: &str) -> Result<DisplayChoice, RunError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "none" | "headless" => Ok(DisplayChoice::None),
        "window" => Ok(DisplayChoice::Window),
        "auto" => Ok(DisplayChoice::Auto),
        _ => Err(RunError::BadDisplay(text.to_string())),
    }
}

/// Counters of a finished run, for `--stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
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
#[non_exhaustive]
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
#[non_exhaustive]
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
    /// The file is not a program ntemu can run.
    #[error("{path}: {reason}")]
    NotAProgram {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        reason: NotAProgram,
    },
    /// The executive failed, or an option named no quirk or fault point it has.
    #[error(transparent)]
    Kernel(#[from] KernelError),
    /// The new process's start-up (its heap, standard handles, parameter block) failed.
    #[error("the process could not start: {0}")]
    ProcessStart(nt_status::NtStatus),
    /// A time that is not `YYYY-MM-DDTHH:MM:SS` (`--clock`).
    #[error("{0:?} is not a time of the form 1999-12-31T23:59:50")]
    BadClock(String),
    /// A `--run-for` value that is not a number of seconds in range.
    #[error("--run-for {0:?}: not a number of seconds from 0 to {MAX_RUN_FOR_SECONDS}")]
    BadRunFor(String),

    /// A key script (`--input`) larger than [`MAX_KEY_SCRIPT_SIZE`] or malformed.
    #[error("{path}: {reason}")]
    BadKeyScript {
        /// The script's path.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A `--desktop` value that is not `WxH` with sides from 64 to 8192.
    #[error("--desktop {0:?}: expected WIDTHxHEIGHT such as 800x600, each from 64 to 8192")]
    BadDesktop(String),
    /// A `--display` value that is not `none`, `window` or `auto`.
    #[error("--display {0:?}: expected none, window or auto")]
    BadDisplay(String),
    /// The host window could not be opened (`--display window`).
    #[error("{0}")]
    Display(String),
    /// A size that is not a number of bytes from 1 MiB to 1 TiB (with K, M or G).
    #[error("{0:?}: expected a size from 1M to 1024G, such as 512M")]
    BadSize(String),
    /// A `--drive` value that is not `L:=DIR` or `L:=DIR:ro`.
    #[error("--drive {0:?}: expected L:=DIR or L:=DIR:ro")]
    BadDrive(String),
    /// A drive directory that is `/` or holds the user's home directory.
    #[error(
        "{0}: refusing to give the guest a drive holding the whole host or your home directory; give a smaller directory, or --allow-root-dir"
    )]
    UnsafeDrive(PathBuf),
    /// A drive directory that cannot be mounted.
    #[error("cannot mount {path} as {letter}: {source}")]
    Mount {
        /// The drive letter.
        letter: char,
        /// The host directory.
        path: PathBuf,
        /// The host error.
        source: std::io::Error,
    },
    /// A trace channel ntemu does not have was turned on (`--trace`).
    #[error(
        "unknown trace channel {0:?}; known: relay, loader, exceptions, scheduler, debugstr, all"
    )]
    UnknownTraceChannel(String),
    /// A trace item that is not `[class][+|-]channel`.
    #[error("malformed trace item {0:?}: expected [class][+|-]channel")]
    MalformedTraceItem(String),
}

/// The largest image file ntemu reads.
pub const MAX_IMAGE_SIZE: u64 = 1 << 30;

/// IMAGE_SUBSYSTEM_WINDOWS_GUI: a program that makes windows.
const IMAGE_SUBSYSTEM_WINDOWS_GUI: u16 = 2;

/// Whether `data` is a program of the Windows GUI subsystem (one that makes windows).
pub fn is_gui_program(data: &[u8]) -> bool {
    matches!(
        pe_image::FileKind::of(data),
        pe_image::FileKind::Pe32 {
            subsystem: IMAGE_SUBSYSTEM_WINDOWS_GUI,
            ..
        }
    )
}

/// Why a file is not a program ntemu runs, in words a user can act on (its `Display`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotAProgram {
    /// A Linux ELF file.
    Elf,
    /// Text.
    Text,
    /// An empty file.
    Empty,
    /// Something unrecognised.
    Unknown,
    /// MS-DOS, 16-bit Windows or OS/2.
    Sixteen,
    /// PE32+ for x64.
    X64,
    /// PE32+ for Alpha (AXP64).
    Axp64,
    /// Another 64-bit machine.
    Other64(u16),
    /// A 32-bit NT program for another CPU (MIPS, PowerPC...).
    OtherMachine(u16),
    /// A DLL.
    Dll,
    /// Not a regular file (a directory, a device, a FIFO).
    NotAFile,
    /// Larger than [`MAX_IMAGE_SIZE`].
    TooLarge,
}

impl std::fmt::Display for NotAProgram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotAProgram::Elf => f.write_str("not a Windows program (an ELF executable)"),
            NotAProgram::Text => f.write_str("not a Windows program (a text file)"),
            NotAProgram::Empty => f.write_str("not a Windows program (an empty file)"),
            NotAProgram::Unknown => f.write_str("not a Windows program"),
            NotAProgram::Sixteen => {
                f.write_str("a 16-bit DOS or Windows program: ntemu runs 32-bit NT programs")
            }
            NotAProgram::X64 => f.write_str(
                "a 64-bit x64 program: ntemu runs 32-bit NT programs (x86 and Alpha AXP)",
            ),
            NotAProgram::Axp64 => {
                f.write_str("an AXP64 program: ntemu runs 32-bit NT programs (x86 and Alpha AXP)")
            }
            NotAProgram::Other64(m) => write!(
                f,
                "a 64-bit program (machine {m:#06x}): ntemu runs 32-bit NT programs"
            ),
            NotAProgram::OtherMachine(m) => write!(
                f,
                "an NT program for another CPU (machine {m:#06x}): ntemu runs x86 and Alpha AXP programs"
            ),
            NotAProgram::Dll => f.write_str("a DLL, not a program: run the program that loads it"),
            NotAProgram::NotAFile => f.write_str("not a regular file"),
            NotAProgram::TooLarge => f.write_str("larger than 1 GiB: not an NT program"),
        }
    }
}

impl NotAProgram {
    /// Why `data` cannot be run, or None for an x86 or Alpha NT program.
    pub fn of(data: &[u8]) -> Option<NotAProgram> {
        use pe_image::FileKind;
        Some(match FileKind::of(data) {
            FileKind::Pe32 { dll: true, .. } => NotAProgram::Dll,
            FileKind::Pe32 {
                machine: 0x14C | 0x184,
                ..
            } => return None,
            FileKind::Pe32 { machine, .. } => NotAProgram::OtherMachine(machine),
            FileKind::Pe64 { machine: 0x8664 } => NotAProgram::X64,
            FileKind::Pe64 { machine: 0x284 } => NotAProgram::Axp64,
            FileKind::Pe64 { machine } => NotAProgram::Other64(machine),
            FileKind::Dos | FileKind::Windows16 => NotAProgram::Sixteen,
            FileKind::Elf => NotAProgram::Elf,
            FileKind::Text => NotAProgram::Text,
            FileKind::Empty => NotAProgram::Empty,
            _ => NotAProgram::Unknown,
        })
    }
}

/// Reads a program's image file: refused at once when it is not a regular file or is larger
/// than [`MAX_IMAGE_SIZE`], or when its bytes are not an x86 or Alpha NT program.
pub fn read_program(path: &Path) -> Result<Vec<u8>, RunError> {
    let read_error = |source| RunError::Read {
        path: path.to_path_buf(),
        source,
    };
    let not = |reason| RunError::NotAProgram {
        path: path.to_path_buf(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(read_error)?;
    if !meta.is_file() {
        return Err(not(NotAProgram::NotAFile));
    }
    if meta.len() > MAX_IMAGE_SIZE {
        return Err(not(NotAProgram::TooLarge));
    }
    let mut bytes = Vec::new();
    let file = std::fs::File::open(path).map_err(read_error)?;
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, MAX_IMAGE_SIZE + 1),
        &mut bytes,
    )
    .map_err(read_error)?;
    if bytes.len() as u64 > MAX_IMAGE_SIZE {
        return Err(not(NotAProgram::TooLarge));
    }
    match NotAProgram::of(&bytes) {
        Some(reason) => Err(not(reason)),
        None => Ok(bytes),
    }
}

/// A command line made of `program` and `args`, each quoted by the rules the C runtime
/// parses with (CommandLineToArgvW's and MSVCRT's): an argument with a space or tab, or an
/// empty one, is put in double quotes; a double quote inside is `\"`, and the backslashes
/// before a double quote are doubled, so every argument comes back as it was given.
pub fn command_line(program: &str, args: &[String]) -> String {
    let mut line = quote_argument(program);
    for arg in args {
        line.push(' ');
        line.push_str(&quote_argument(arg));
    }
    line
}

fn quote_argument(arg: &str) -> String {
    let needs_quotes = arg.is_empty() || arg.contains([' ', '\t']);
    if !needs_quotes && !arg.contains('"') {
        return arg.to_string();
    }
    let mut out = String::new();
    if needs_quotes {
        out.push('"');
    }
    let mut backslashes = 0usize;
    for c in arg.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                out.extend(std::iter::repeat_n('\\', 2 * backslashes + 1));
                out.push('"');
                backslashes = 0;
            }
            _ => {
                out.extend(std::iter::repeat_n('\\', backslashes));
                out.push(c);
                backslashes = 0;
            }
        }
    }
    // Backslashes before the closing quote are doubled too.
    let trailing = if needs_quotes {
        2 * backslashes
    } else {
        backslashes
    };
    out.extend(std::iter::repeat_n('\\', trailing));
    if needs_quotes {
        out.push('"');
    }
    out
}

/// The user the machine logs on: the host's `$USER` when it is a plain name (letters,
/// digits, `_`, `-`), else `user`. GetUserName, USERNAME, the profile folder and
/// HKEY_CURRENT_USER's hive are this user's.
pub fn logon_user() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| {
            !u.is_empty()
                && u.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
        .unwrap_or_else(|| "user".to_string())
}

/// The variables NT's logon takes from the registry (Session Manager\Environment and
/// HKEY_CURRENT_USER\Environment) in NT 4.0's default contents: a program started by
/// [`Emulator::load`](crate::Emulator::load) gets them from the registry, so that a change
/// there shows (and a deletion removes them).
pub const REGISTRY_VARIABLES: [&str; 9] = [
    "ComSpec",
    "NUMBER_OF_PROCESSORS",
    "OS",
    "Os2LibPath",
    "Path",
    "PATHEXT",
    "TEMP",
    "TMP",
    "windir",
];

/// The variables every guest gets, with NT 4.0's values on ntemu's machine: the system and
/// temporary folders, the command interpreter's path, the computer and user names. The
/// PROCESSOR_* variables are added per process for its CPU.
pub fn nt_environment(user: &str) -> Vec<(String, String)> {
    [
        ("COMPUTERNAME", "NTEMU".to_string()),
        ("ComSpec", "C:\\WINNT\\system32\\cmd.exe".to_string()),
        ("HOMEDRIVE", "C:".to_string()),
        ("HOMEPATH", "\\".to_string()),
        ("LOGONSERVER", "\\\\NTEMU".to_string()),
        ("OS", "Windows_NT".to_string()),
        ("Os2LibPath", "C:\\WINNT\\system32\\os2\\dll;".to_string()),
        ("Path", "C:\\WINNT\\system32;C:\\WINNT".to_string()),
        ("PATHEXT", ".COM;.EXE;.BAT;.CMD".to_string()),
        ("SystemDrive", "C:".to_string()),
        ("SystemRoot", "C:\\WINNT".to_string()),
        ("TEMP", "C:\\TEMP".to_string()),
        ("TMP", "C:\\TEMP".to_string()),
        ("USERDOMAIN", "NTEMU".to_string()),
        ("USERNAME", user.to_string()),
        ("USERPROFILE", format!("C:\\WINNT\\Profiles\\{user}")),
        ("windir", "C:\\WINNT".to_string()),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_string(), v))
    .collect()
}

/// The environment a guest program starts with: the host's variables unless `clear`
/// (leaving out every one whose value holds a host path — one starting with `/` or a list
/// of them — so that no host path leaks in, the host terminal's TERM, COLUMNS and LINES,
/// and the ones NT sets itself), then NT's own
/// (see [`nt_environment`]), then `extra`, each replacing a variable of the same name
/// (compared without case, as NT compares them).
pub fn guest_environment(clear: bool, extra: &[(String, String)]) -> Vec<(String, String)> {
    let user = logon_user();
    let mut vars: Vec<(String, String)> = Vec::new();
    let set = |vars: &mut Vec<(String, String)>, name: &str, value: &str| match vars
        .iter_mut()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        Some(slot) => slot.1 = value.to_string(),
        None => vars.push((name.to_string(), value.to_string())),
    };
    if !clear {
        for (name, value) in std::env::vars_os() {
            let (Some(name), Some(value)) = (name.to_str(), value.to_str()) else {
                continue;
            };
            let host_path = value.starts_with('/') || value.contains(":/");
            // The host terminal's description: a program ported from Unix would take the
            // NT console for that terminal.
            let terminal =
                name.starts_with("TERM") || matches!(name, "COLUMNS" | "LINES" | "COLORTERM");
            if name.is_empty() || name.contains('=') || host_path || terminal {
                continue;
            }
            set(&mut vars, name, value);
        }
    }
    for (name, value) in nt_environment(&user) {
        set(&mut vars, &name, &value);
    }
    for (name, value) in extra {
        set(&mut vars, name, value);
    }
    vars
}

/// What GetFileType should say of a host stream: FILE_TYPE_DISK for a regular file,
/// FILE_TYPE_PIPE for a pipe or a socket, FILE_TYPE_CHAR for a terminal, a device or what
/// cannot be looked at.
pub fn host_stream_type(stream: impl std::os::fd::AsFd) -> u32 {
    use rustix::fs::FileType;
    match rustix::fs::fstat(stream) {
        Ok(stat) => match FileType::from_raw_mode(stat.st_mode as _) {
            FileType::RegularFile => kernel32::FILE_TYPE_DISK,
            FileType::Fifo | FileType::Socket => kernel32::FILE_TYPE_PIPE,
            _ => kernel32::FILE_TYPE_CHAR,
        },
        Err(_) => kernel32::FILE_TYPE_CHAR,
    }
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
    for mount in &options.drives {
        emulator.mount(mount)?;
    }
    emulator.load(path, &options.args)?;
    let outcome = emulator.run_with(options.instruction_limit, options.run_for)?;
    for problem in emulator.finish_display() {
        let _ = writeln!(
            emulator.win32().io().stderr.lock(),
            "ntemu: cannot write the screenshot {problem}"
        );
    }
    Ok(emulator.report(outcome))
}

/// The longest guest time `--run-for` accepts: 100 years.
pub const MAX_RUN_FOR_SECONDS: u64 = 100 * 366 * 86_400;

/// The largest key script `--input` reads: 16 MiB.
pub const MAX_KEY_SCRIPT_SIZE: u64 = 16 << 20;

/// Parses a byte count with an optional K, M or G suffix (powers of 1024), as
/// `--commit-limit` takes it: at least 1 MiB and at most 1 TiB.
pub fn parse_size(text: &str) -> Result<u64, RunError> {
    let bad = || RunError::BadSize(text.to_string());
    let t = text.trim();
    let (digits, shift) = match t.as_bytes().last() {
        Some(b'K' | b'k') => (&t[..t.len() - 1], 10),
        Some(b'M' | b'm') => (&t[..t.len() - 1], 20),
        Some(b'G' | b'g') => (&t[..t.len() - 1], 30),
        _ => (t, 0),
    };
    let n: u64 = digits.parse().map_err(|_| bad())?;
    let bytes = n.checked_mul(1 << shift).ok_or_else(bad)?;
    if !(1 << 20..=1 << 40).contains(&bytes) {
        return Err(bad());
    }
    Ok(bytes)
}

/// Parses a `--run-for` value: seconds of guest time (a decimal number, fractions allowed)
/// from 0 to [`MAX_RUN_FOR_SECONDS`].
pub fn parse_run_for(text: &str) -> Result<std::time::Duration, RunError> {
    let bad = || RunError::BadRunFor(text.to_string());
    let seconds: f64 = text.trim().parse().map_err(|_| bad())?;
    if !(seconds.is_finite() && (0.0..=MAX_RUN_FOR_SECONDS as f64).contains(&seconds)) {
        return Err(bad());
    }
    std::time::Duration::try_from_secs_f64(seconds).map_err(|_| bad())
}

/// Reads and parses a key script (`--input FILE`, see
/// [`kernel32::console::parse_key_script`]): at most [`MAX_KEY_SCRIPT_SIZE`] bytes of a file,
/// a pipe or a device; anything longer is refused without reading the rest. The keys only:
/// a script's mouse actions and waits (see [`read_input_script`]) are left out.
pub fn read_key_script(path: &Path) -> Result<Vec<kernel32::console::Key>, RunError> {
    Ok(script_keys(&read_input_script(path)?))
}

/// The keys of an input script, for a console.
pub fn script_keys(items: &[user32::input::ScriptItem]) -> Vec<kernel32::console::Key> {
    items
        .iter()
        .filter_map(|i| match i {
            user32::input::ScriptItem::Key(k) => Some(*k),
            _ => None,
        })
        .collect()
}

/// Reads and parses an input script (`--input FILE`): the key script's syntax with mouse
/// actions `\m{click X,Y}` and waits `\w{500ms}` (see
/// [`user32::input::parse_input_script`]); at most [`MAX_KEY_SCRIPT_SIZE`] bytes.
pub fn read_input_script(path: &Path) -> Result<Vec<user32::input::ScriptItem>, RunError> {
    let file = std::fs::File::open(path).map_err(|source| RunError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut text = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, MAX_KEY_SCRIPT_SIZE + 1),
        &mut text,
    )
    .map_err(|source| RunError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let bad = |reason: String| RunError::BadKeyScript {
        path: path.to_path_buf(),
        reason,
    };
    if text.len() as u64 > MAX_KEY_SCRIPT_SIZE {
        return Err(bad(format!(
            "larger than {} MiB; not a key script",
            MAX_KEY_SCRIPT_SIZE >> 20
        )));
    }
    user32::input::parse_input_script(&text).map_err(bad)
}

/// Parses `YYYY-MM-DDTHH:MM:SS` (as `--clock` takes it) into milliseconds since 1970.
pub fn parse_clock(text: &str) -> Result<u64, RunError> {
    let bad = || RunError::BadClock(text.to_string());
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
    use super::{command_line, parse_clock};

    #[test]
    fn arguments_are_quoted_as_the_c_runtime_parses_them() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(command_line("vi.exe", &args(&["a.txt"])), "vi.exe a.txt");
        assert_eq!(
            command_line("vi.exe", &args(&["two words"])),
            "vi.exe \"two words\""
        );
        assert_eq!(command_line("x", &args(&["a\"b", "x"])), "x a\\\"b x");
        assert_eq!(command_line("x", &args(&[""])), "x \"\"");
        assert_eq!(command_line("x", &args(&["c:\\dir\\"])), "x c:\\dir\\");
        assert_eq!(
            command_line("x", &args(&["c:\\my dir\\"])),
            "x \"c:\\my dir\\\\\""
        );
        assert_eq!(
            command_line("C:\\Program Files\\a.exe", &[]),
            "\"C:\\Program Files\\a.exe\""
        );
    }

    #[test]
    fn clock_times_parse_to_unix_milliseconds() {
        assert_eq!(parse_clock("1970-01-01T00:00:00").ok(), Some(0));
        assert_eq!(
            parse_clock("1999-12-31T23:59:50").ok(),
            Some(946_684_790_000)
        );
        assert_eq!(
            parse_clock("2000-03-01T00:00:00").ok(),
            Some(951_868_800_000)
        );
        assert!(parse_clock("1999-13-01T00:00:00").is_err());
        assert!(parse_clock("yesterday").is_err());
    }
}
