//! The embedding API: an [`Emulator`] is one NT machine with ntemu's CPUs and builtin DLLs,
//! built from [`RunOptions`] (directly or through [`EmulatorBuilder`]), into which programs
//! of either architecture are loaded and then run to completion or for a budget of guest
//! instructions or guest time, and inspected while stopped.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use kernel32::Kernel32Host;
use nt_kernel::{
    Architecture, ClientId, FaultPoint, FaultTrigger, KernelError, Machine, MachineConfig,
    RunOutcome,
};
use nt_object::{AccessMask, Handle, HandleAttributes, Object, ObjectType};
use pe_image::PeImage;
use win32::{HostIo, Win32};

use crate::diagnostics::{
    DiagnosticOptions, Diagnostics, ProcessHandleTraces, Services, TracingResolver,
};
use crate::run::{RunError, RunOptions, RunReport, RunStats, machine};
use user32::win32k as win32k_screen;

/// NT's exit code of a process that has not ended (STILL_ACTIVE).
pub const STILL_ACTIVE: u32 = 0x103;

/// Builds an [`Emulator`] step by step; every setting has the default of [`RunOptions`].
///
/// ```
/// let mut emulator = ntemu::Emulator::builder()
///     .virtual_clock_at(946_684_790_000) // 1999-12-31T23:59:50
///     .capture_output()
///     .build();
/// assert!(emulator.processes().is_empty());
/// ```
#[derive(Clone, Default)]
pub struct EmulatorBuilder {
    options: RunOptions,
    captured: Option<(win32::SharedBuffer, win32::SharedBuffer)>,
}

impl EmulatorBuilder {
    /// Starts from these options (e.g. to set fields other helpers' features added).
    pub fn options(mut self, options: RunOptions) -> Self {
        self.options = options;
        self
    }

    /// The options as set so far, to change any of them.
    pub fn options_mut(&mut self) -> &mut RunOptions {
        &mut self.options
    }

    /// Arms a fault-injection point.
    pub fn fault(mut self, point: FaultPoint, trigger: FaultTrigger) -> Self {
        self.options.faults.push((point, trigger));
        self
    }

    /// Turns on a compatibility quirk by its `--quirk` name.
    pub fn quirk(mut self, name: &str) -> Result<Self, RunError> {
        self.options.quirks.enable(name)?;
        Ok(self)
    }

    /// A deterministic virtual clock starting at this wall-clock time (milliseconds since
    /// 1970, UTC; see [`crate::parse_clock`]).
    pub fn virtual_clock_at(mut self, ms_since_1970: u64) -> Self {
        self.options.clock_start_ms = Some(ms_since_1970);
        self
    }

    /// A deterministic virtual clock (instructions and waits advance it, not the host).
    pub fn virtual_time(mut self) -> Self {
        self.options.virtual_time = true;
        self
    }

    /// Guest instructions a thread runs before the scheduler moves on: instruction budgets
    /// ([`Emulator::run_instructions`]) are checked between quanta, so 1 makes them exact
    /// (and the run slower).
    pub fn quantum(mut self, instructions: u64) -> Self {
        self.options.quantum = Some(instructions);
        self
    }

    /// Guest standard output and error go to these sinks.
    pub fn io(mut self, io: HostIo) -> Self {
        self.options.io = Some(io);
        self
    }

    /// Guest standard output and error go to memory, read back with
    /// [`Emulator::stdout`] and [`Emulator::stderr`].
    pub fn capture_output(mut self) -> Self {
        let (io, out, err) = HostIo::buffers();
        self.options.io = Some(io);
        self.captured = Some((out, err));
        self
    }

    /// Turns on diagnostics (trace channels, handle tracking for leak reports).
    pub fn diagnostics(mut self, diagnostics: DiagnosticOptions) -> Self {
        self.options.diagnostics = diagnostics;
        self
    }

    /// The emulator.
    pub fn build(self) -> Emulator {
        let mut emulator = Emulator::new(&self.options);
        emulator.captured = self.captured;
        emulator
    }
}

/// A process [`Emulator::load`] started.
#[derive(Clone)]
struct Loaded {
    pid: u32,
    object: Arc<Object>,
}

/// One emulated NT machine with ntemu's CPUs (x86 and Alpha AXP) and builtin DLLs.
///
/// ```
/// use std::path::Path;
/// let guests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guests");
/// let mut emulator = ntemu::Emulator::builder().capture_output().build();
/// let x86 = emulator.load(&guests.join("x86/hello.exe"), &[])?;
/// let alpha = emulator.load(&guests.join("alpha/hello.exe"), &[])?;
/// emulator.run()?;
/// assert_eq!(emulator.exit_code(x86), Some(7));
/// assert_eq!(emulator.exit_code(alpha), Some(7));
/// assert!(String::from_utf8_lossy(&emulator.stdout()).contains("Hello from an NT program"));
/// # Ok::<(), ntemu::RunError>(())
/// ```
pub struct Emulator {
    machine: Machine,
    win32: Win32,
    diagnostics: Diagnostics,
    loaded: Vec<Loaded>,
    instruction_limit: Option<u64>,
    captured: Option<(win32::SharedBuffer, win32::SharedBuffer)>,
    no_program_folder_drive: bool,
    full_program_path: bool,
    environment: Vec<(String, String)>,
    /// `--env` variables, set over what the registry gives at each load; None when the
    /// options gave the exact environment.
    environment_extra: Option<Vec<(String, String)>>,
    /// Where the desktop is to be shown, and the screenshots asked for.
    display: crate::run::DisplayChoice,
    screenshots: (
        Option<std::path::PathBuf>,
        Option<(Duration, std::path::PathBuf)>,
    ),
    /// A host window shows the desktop.
    window_open: bool,
    /// A program of the GUI subsystem was loaded.
    gui: bool,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("machine", &self.machine)
            .finish_non_exhaustive()
    }
}

/// A process as [`Emulator::processes`] shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProcessInfo {
    /// The process id.
    pub id: u32,
    /// Its architecture.
    pub architecture: Architecture,
    /// Where its image is mapped, if it has one.
    pub image_base: Option<u32>,
    /// Guest instructions its threads retired.
    pub instructions: u64,
    /// Its threads.
    pub threads: Vec<ThreadInfo>,
    /// Its handle table.
    pub handles: Vec<HandleInfo>,
}

/// A thread as [`Emulator::processes`] shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ThreadInfo {
    /// The thread id.
    pub id: u32,
    /// Where it would execute next.
    pub program_counter: u32,
    /// Its suspend count (0: runnable).
    pub suspend_count: u32,
    /// True while it waits on objects.
    pub waiting: bool,
    /// Guest instructions it retired.
    pub instructions: u64,
    /// Its TEB's address.
    pub teb: u32,
}

/// One handle-table entry as [`Emulator::handles`] shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HandleInfo {
    /// The handle value.
    pub handle: Handle,
    /// The object's type.
    pub object_type: ObjectType,
    /// The access the handle grants.
    pub granted_access: AccessMask,
    /// Inherit / protect-from-close.
    pub attributes: HandleAttributes,
    /// The object's name, if it is named.
    pub name: Option<String>,
}

impl Emulator {
    /// A builder with default settings.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// An emulator set up from `options`: faults armed, quirks set, the clock chosen, the
    /// builtin DLLs writing to `options.io` (the host's stdout and stderr by default).
    pub fn new(options: &RunOptions) -> Self {
        let mut m = machine(MachineConfig {
            virtual_time: options.virtual_time || options.clock_start_ms.is_some(),
            quantum: options
                .quantum
                .unwrap_or(MachineConfig::default().quantum)
                .max(1),
            max_processes: options
                .max_processes
                .unwrap_or(nt_kernel::DEFAULT_MAX_PROCESSES),
            max_threads: options
                .max_threads
                .unwrap_or(nt_kernel::DEFAULT_MAX_THREADS),
            commit_limit: options
                .commit_limit
                .unwrap_or(nt_kernel::DEFAULT_COMMIT_LIMIT),
            ..MachineConfig::default()
        });
        for &(point, trigger) in &options.faults {
            m.faults_mut().arm(point, trigger);
        }
        *m.quirks_mut() = options.quirks;
        let io = options.io.clone().unwrap_or_else(HostIo::host);
        let mut w = crate::builtins::win32_layer(io.clone());
        if let Some(relay) = &options.relay {
            w.set_relay(relay);
        }
        if options.full_calls {
            w.set_inline_calls(false);
        }
        if let Some(tier) = options.cpu_tier {
            nt_kernel::set_default_x86_tier(tier);
        }
        if options.relay.is_some() || options.diagnostics.trace_debug_strings {
            kernel32::set_debug_string_trace(w.state_mut(), true);
        }
        w.push_keys(&options.keys);
        let (width, height) = options.desktop.unwrap_or((
            win32k_screen::geometry::DEFAULT_SCREEN.0 as u32,
            win32k_screen::geometry::DEFAULT_SCREEN.1 as u32,
        ));
        user32::input::set_screen_size(w.state_mut(), width, height);
        kernel32::console::set_screen_pixels(w.state_mut(), width, height);
        user32::input::set_script(w.state_mut(), &options.input_script);
        if options.screenshot.is_some() || options.screenshot_every.is_some() {
            user32::input::set_display(
                w.state_mut(),
                Box::new(display::Headless::new(
                    options.screenshot.clone(),
                    options.screenshot_every.clone(),
                )),
            );
        }
        kernel32::dllload::set_overrides(w.state_mut(), options.dll_overrides.clone());
        let types = options.std_file_types.unwrap_or_else(|| {
            if options.io.is_some() {
                return kernel32::StdFileTypes::default();
            }
            let input = if options.keys.is_empty() {
                crate::run::host_stream_type(std::io::stdin())
            } else {
                kernel32::FILE_TYPE_CHAR
            };
            kernel32::StdFileTypes([
                input,
                crate::run::host_stream_type(std::io::stdout()),
                crate::run::host_stream_type(std::io::stderr()),
            ])
        });
        w.set_std_file_types(types);
        if let Some(start) = options.clock_start_ms {
            w.set_wall_clock(start);
        }
        wsock32::set_network_policy(w.state_mut(), options.network);
        ntdll::registry::set_identity(
            w.state_mut(),
            nt_registry::Identity::new(&crate::run::logon_user()),
        );
        let (environment, environment_extra) = match &options.environment {
            Some(exact) => (exact.clone(), None),
            None => {
                let mut base = crate::run::guest_environment(options.env_clear, &[]);
                base.retain(|(n, _)| {
                    !crate::run::REGISTRY_VARIABLES
                        .iter()
                        .any(|r| r.eq_ignore_ascii_case(n))
                });
                (base, Some(options.env.clone()))
            }
        };
        Emulator {
            machine: m,
            win32: w,
            diagnostics: Diagnostics::new(options.diagnostics, io),
            loaded: Vec::new(),
            instruction_limit: options.instruction_limit,
            captured: None,
            no_program_folder_drive: options.no_program_folder_drive,
            full_program_path: options.full_program_path,
            environment,
            environment_extra,
            display: options.display,
            screenshots: (options.screenshot.clone(), options.screenshot_every.clone()),
            window_open: false,
            gui: false,
        }
    }

    /// Shows the desktop in a host window (winit + softbuffer, X11 or Wayland) from now on;
    /// the screenshots asked for are still written. Err when no host display can be opened.
    pub fn open_window(&mut self, title: &str) -> Result<(), RunError> {
        if self.window_open {
            return Ok(());
        }
        let (w, h) = self.framebuffer_size();
        let signal = self.machine.host_signal();
        let mut window =
            display::window::WindowDisplay::open(w, h, title, Box::new(move || signal.ring()))
                .map_err(RunError::Display)?;
        window.screenshots =
            display::Headless::new(self.screenshots.0.clone(), self.screenshots.1.clone());
        user32::input::set_display(self.win32.state_mut(), Box::new(window));
        self.window_open = true;
        Ok(())
    }

    /// Shows the desktop on `backend` from now on (an embedder's own display).
    pub fn set_display(&mut self, backend: Box<dyn display::Display>) {
        user32::input::set_display(self.win32.state_mut(), backend);
    }

    /// Whether a program of the GUI subsystem was loaded.
    pub fn has_gui_program(&self) -> bool {
        self.gui
    }

    /// The screen's width and height in pixels.
    pub fn framebuffer_size(&mut self) -> (u32, u32) {
        let (w, h) = self
            .win32
            .state_mut()
            .get::<win32k_screen::WindowManager>()
            .screen_size();
        (w as u32, h as u32)
    }

    /// The screen's pixels (0x00RRGGBB), row by row from the top: the desktop and every
    /// window as the machine drew them.
    pub fn framebuffer(&mut self) -> Vec<u32> {
        self.win32
            .state_mut()
            .get::<win32k_screen::WindowManager>()
            .screen
            .pixels()
            .to_vec()
    }

    /// Gives the machine keyboard or mouse input now, as a user at its display would:
    /// keys to the focus window, mouse events to the window under the point.
    pub fn inject_input(&mut self, input: display::Input) {
        user32::input::inject(self.win32.state_mut(), &mut self.machine, input);
    }

    /// Queues scripted input (see [`user32::input::parse_input_script`]), given to the
    /// program's windows as they take it while the machine runs.
    pub fn queue_input_script(&mut self, items: &[user32::input::ScriptItem]) {
        user32::input::set_script(self.win32.state_mut(), items);
    }

    /// The run is over: the display shows the last screen and writes the screenshot asked
    /// for at exit (`--screenshot`). Returns what went wrong (a screenshot that could not
    /// be written), one message each.
    pub fn finish_display(&mut self) -> Vec<String> {
        user32::input::finish(self.win32.state_mut(), &self.machine)
    }

    /// Makes host directory `root` (which must exist) the guest's drive `C:\`: no guest
    /// path name reaches outside it. The host's current directory is the guest's when a
    /// drive holds it.
    pub fn set_root(&mut self, root: &Path) -> Result<(), RunError> {
        self.mount(&crate::Mount::new('C', root, false))
    }

    /// Mounts a host directory as a guest drive (replacing what the letter showed). The
    /// host's current directory is the guest's when a drive holds it.
    pub fn mount(&mut self, mount: &crate::Mount) -> Result<(), RunError> {
        self.win32
            .mount(mount.letter, &mount.host, mount.read_only)
            .map_err(|source| RunError::Mount {
                letter: mount.letter,
                path: mount.host.clone(),
                source,
            })?;
        if let Ok(cwd) = std::env::current_dir() {
            self.win32.set_start_directory(&cwd);
        }
        if mount.letter.eq_ignore_ascii_case(&'C') {
            // The registry's hives live on the system drive.
            let drive = nt_registry::SystemDrive::open(&mount.host, mount.read_only).ok();
            // NT's system drive has its system root, C:\WINNT, with the system folder.
            if let Some(d) = drive.as_ref().filter(|_| !mount.read_only) {
                let _ = d.directory("WINNT/system32").make();
                // Its system programs, as setup installed them; never over a file there.
                for file in kernel32::sysroot::SYSTEM_FILES {
                    let _ = d.directory(file.folder).place_new(file.name, file.bytes);
                }
                // And the builtin DLLs as files (images with their exports, never run).
                let system32 = d.directory("WINNT/system32");
                for (name, bytes) in crate::fakedll::system_dlls() {
                    let _ = system32.place_new(name, bytes);
                }
            }
            ntdll::registry::set_system_drive(self.win32.state_mut(), drive);
        }
        Ok(())
    }

    /// The environment a program [`load`](Self::load) starts gets: the host's and NT's
    /// variables, those of the registry's environment keys, then `--env`'s.
    fn start_environment(&mut self) -> Vec<(String, String)> {
        let Some(extra) = &self.environment_extra else {
            return self.environment.clone();
        };
        let extra = extra.clone();
        let io = self.win32.io().clone();
        let mut env = ntdll::registry::logon_environment(
            self.win32.state_mut(),
            &io,
            self.environment.clone(),
        );
        for (name, value) in extra {
            match env.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(&name)) {
                Some(slot) => slot.1 = value,
                None => env.push((name, value)),
            }
        }
        env
    }

    /// The mounted drives.
    pub fn drives(&self) -> Vec<crate::Mount> {
        self.win32
            .drives()
            .into_iter()
            .map(|(letter, host, read_only)| crate::Mount::new(letter, host, read_only))
            .collect()
    }

    /// The image's guest path: where a drive holds it, mounting its folder read-only from E:
    /// when asked to and none does.
    fn image_guest_path(&mut self, path: &Path) -> Option<String> {
        if let Some(guest) = self.win32.guest_path_of(path) {
            return Some(guest);
        }
        if self.no_program_folder_drive {
            return None;
        }
        let folder = path.canonicalize().ok()?.parent()?.to_path_buf();
        let taken: Vec<char> = self.win32.drives().iter().map(|d| d.0).collect();
        let letter = ('E'..='Z').find(|l| !taken.contains(l))?;
        self.win32.mount(letter, &folder, true).ok()?;
        self.win32.guest_path_of(path)
    }

    /// Loads the program at `path` into a new process (x86 or Alpha, as the image says) with
    /// `args` after its file name on its command line, ready to run at its entry point.
    /// GetModuleFileName in it gives the image's guest path when a drive holds it. Returns
    /// the process id.
    pub fn load(&mut self, path: &Path, args: &[String]) -> Result<u32, RunError> {
        let bytes = crate::run::read_program(path)?;
        let gui = crate::run::is_gui_program(&bytes);
        if gui || self.display == crate::run::DisplayChoice::Window {
            self.gui |= gui;
            let has_host_display = ["DISPLAY", "WAYLAND_DISPLAY"]
                .iter()
                .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()));
            let title = path
                .file_name()
                .map_or_else(|| "ntemu".to_string(), |n| n.to_string_lossy().into_owned());
            match self.display {
                crate::run::DisplayChoice::Window => self.open_window(&title)?,
                crate::run::DisplayChoice::Auto if has_host_display => {
                    // Without a usable host display the run goes on headless.
                    let _ = self.open_window(&title);
                }
                _ => {}
            }
        }
        let image = PeImage::parse(&bytes).map_err(|source| RunError::Image {
            path: path.to_path_buf(),
            source,
        })?;
        let started = if self.diagnostics.options.trace_loader {
            let mut resolver = TracingResolver {
                builtins: Arc::clone(self.win32.builtins()),
                diagnostics: &self.diagnostics,
            };
            self.machine
                .create_process_from_image(&image, &mut resolver, None, false, 0)?
        } else {
            let mut resolver = &**self.win32.builtins();
            self.machine
                .create_process_from_image(&image, &mut resolver, None, false, 0)?
        };
        self.diagnostics.trace_mapped(path, &self.machine, &started);
        let guest = self.image_guest_path(path);
        let file_name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let program = match (&guest, self.full_program_path) {
            (Some(g), true) => g.clone(),
            _ => file_name,
        };
        let command_line = crate::run::command_line(&program, args);
        self.win32
            .set_command_line(&self.machine, started.process, &command_line);
        if let Some(guest) = guest {
            self.win32
                .set_image_path(&self.machine, started.process, &guest);
            // With no drive C: and the host's current directory on no drive, the program
            // starts in its own folder, as when started from Explorer.
            let cwd_on_a_drive = std::env::current_dir()
                .ok()
                .and_then(|c| self.win32.guest_path_of(&c))
                .is_some();
            let has_c = self.win32.drives().iter().any(|d| d.0 == 'C');
            if !has_c
                && !cwd_on_a_drive
                && let Some(folder) = path
                    .canonicalize()
                    .ok()
                    .and_then(|p| p.parent().map(Path::to_path_buf))
            {
                self.win32.set_start_directory(&folder);
            }
        }
        let first_thread = ClientId {
            process: started.process,
            thread: started.thread,
        };
        let environment = self.start_environment();
        if let Err(status) = self
            .win32
            .start_process(&mut self.machine, first_thread, environment)
        {
            self.machine.exit_process(started.process, status.0);
            return Err(RunError::ProcessStart(status));
        }
        self.win32
            .attach_process(&mut self.machine, first_thread, &image);
        let object = self
            .machine
            .process(started.process)
            .map(|p| p.object().clone())
            .ok_or(KernelError::ProcessTerminating)?;
        // The DLLs from disk the program imports; one missing (or a function missing from
        // one) ends the process as NT's loader does, with one line saying what and who.
        let program = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let statics = kernel32::dllload::load_static_imports(
            &mut self.win32.call(&mut self.machine, first_thread),
            &image,
            &program,
        );
        if let Err(e) = statics {
            let _ = writeln!(self.win32.io().stderr.lock(), "ntemu: {}", e.message);
            self.machine.exit_process(started.process, e.status.0);
        }
        self.loaded.push(Loaded {
            pid: started.process,
            object,
        });
        Ok(started.process)
    }

    /// Runs until every process has ended or every thread is blocked forever (or the
    /// instruction limit of the options, if any).
    pub fn run(&mut self) -> Result<RunOutcome, RunError> {
        self.run_with(self.instruction_limit, None)
    }

    /// Runs for about `instructions` more guest instructions: the budget is checked between
    /// quanta (see [`EmulatorBuilder::quantum`]), so up to a quantum more may retire.
    pub fn run_instructions(&mut self, instructions: u64) -> Result<RunOutcome, RunError> {
        self.run_with(Some(instructions), None)
    }

    /// Runs for at most `time` more guest time (on the machine's clock).
    pub fn run_for(&mut self, time: Duration) -> Result<RunOutcome, RunError> {
        self.run_with(None, Some(time))
    }

    /// Runs until everything ended, or `instructions` more guest instructions retired, or
    /// `time` more guest time passed, whichever comes first.
    pub fn run_with(
        &mut self,
        instructions: Option<u64>,
        time: Option<Duration>,
    ) -> Result<RunOutcome, RunError> {
        let until = time.map(|d| {
            self.machine
                .clock()
                .now_ms()
                .saturating_add(d.as_millis() as u64)
        });
        let outcome = if self.diagnostics.options.watches_calls() {
            self.diagnostics.scan_threads(&self.machine);
            let mut services = Services {
                win32: &mut self.win32,
                diagnostics: &mut self.diagnostics,
            };
            let outcome = self.machine.run_until(&mut services, instructions, until)?;
            self.diagnostics.scan_threads(&self.machine);
            outcome
        } else {
            self.machine
                .run_until(&mut self.win32, instructions, until)?
        };
        Ok(outcome)
    }

    /// The exit code of a process [`load`](Self::load) started: [`STILL_ACTIVE`] while it
    /// runs; None for an id `load` did not return.
    pub fn exit_code(&self, pid: u32) -> Option<u32> {
        let loaded = self.loaded.iter().rev().find(|l| l.pid == pid)?;
        let running = self
            .machine
            .process(pid)
            .is_some_and(|p| Arc::ptr_eq(p.object(), &loaded.object));
        if running {
            return Some(STILL_ACTIVE);
        }
        loaded
            .object
            .payload::<nt_kernel::ProcessBody>()
            .map(|b| b.exit_status())
    }

    /// The live processes, their threads and handle tables.
    pub fn processes(&self) -> Vec<ProcessInfo> {
        self.machine
            .process_ids()
            .into_iter()
            .filter_map(|pid| self.process(pid))
            .collect()
    }

    /// One live process, its threads and handle table.
    pub fn process(&self, pid: u32) -> Option<ProcessInfo> {
        let p = self.machine.process(pid)?;
        Some(ProcessInfo {
            id: pid,
            architecture: p.architecture(),
            image_base: p.image().map(|i| i.base),
            instructions: p.instructions(),
            threads: p
                .threads()
                .iter()
                .map(|t| ThreadInfo {
                    id: t.id(),
                    program_counter: t.context().program_counter(),
                    suspend_count: t.suspend_count(),
                    waiting: t.is_waiting(),
                    instructions: t.instructions(),
                    teb: t.teb(),
                })
                .collect(),
            handles: self.handles(pid),
        })
    }

    /// The handle table of live process `pid` (empty if there is none), in handle order.
    pub fn handles(&self, pid: u32) -> Vec<HandleInfo> {
        let Some(p) = self.machine.process(pid) else {
            return Vec::new();
        };
        p.handle_table()
            .entries()
            .map(|e| HandleInfo {
                handle: e.handle,
                object_type: e.object.object_type(),
                granted_access: e.granted_access,
                attributes: e.attributes,
                name: e.object.name().map(str::to_string),
            })
            .collect()
    }

    /// The counters: instructions, live objects by type, ended processes.
    pub fn stats(&self) -> RunStats {
        RunStats {
            instructions: self.machine.instructions(),
            live_objects: ObjectType::ALL
                .iter()
                .map(|&t| (t.name(), self.machine.objects().live_objects(t)))
                .collect(),
            processes: self.machine.exited_processes().to_vec(),
        }
    }

    /// The machine's clock, in milliseconds since it started.
    pub fn clock_ms(&self) -> u64 {
        self.machine.clock().now_ms()
    }

    /// The active console screen buffer as text rows.
    pub fn screen(&self) -> String {
        self.win32
            .console()
            .map(|c| c.active_buffer().text())
            .unwrap_or_default()
    }

    /// The console's title.
    pub fn console_title(&self) -> String {
        self.win32
            .console()
            .map(|c| c.title.clone())
            .unwrap_or_default()
    }

    /// What the guests wrote to standard output, when the builder captured it.
    pub fn stdout(&self) -> Vec<u8> {
        self.captured
            .as_ref()
            .map_or_else(Vec::new, |(out, _)| out.lock().clone())
    }

    /// What the guests wrote to standard error (and traces), when the builder captured it.
    pub fn stderr(&self) -> Vec<u8> {
        self.captured
            .as_ref()
            .map_or_else(Vec::new, |(_, err)| err.lock().clone())
    }

    /// With handle tracking on ([`DiagnosticOptions::track_handles`], `--leaks`): for every
    /// process that ran, the handles guest API calls created that are still open, or were
    /// open when the process ended (its leaks), with the call that created each.
    pub fn handle_traces(&self) -> Vec<ProcessHandleTraces> {
        self.diagnostics.handle_traces(&self.machine)
    }

    /// The machine's doorbell: a console host (a terminal) rings it from any thread to be
    /// served between quanta (its keys, a Ctrl+C, a new size) or to stop the run.
    pub fn host_signal(&self) -> Arc<nt_kernel::HostSignal> {
        self.machine.host_signal()
    }

    /// The machine, to inspect.
    pub fn machine(&self) -> &Machine {
        &self.machine
    }

    /// The machine, to change (start threads, arm faults...).
    pub fn machine_mut(&mut self) -> &mut Machine {
        &mut self.machine
    }

    /// The builtin-DLL layer (console, unimplemented calls...).
    pub fn win32(&self) -> &Win32 {
        &self.win32
    }

    /// The builtin-DLL layer, to change.
    pub fn win32_mut(&mut self) -> &mut Win32 {
        &mut self.win32
    }

    /// The report of a run, for the first process [`load`](Self::load) started.
    pub fn report(&self, outcome: RunOutcome) -> RunReport {
        let exit_code = self
            .loaded
            .first()
            .and_then(|l| self.exit_code(l.pid))
            .unwrap_or(0);
        RunReport {
            exit_code,
            console_title: self.console_title(),
            screen: self.screen(),
            outcome,
            stats: self.stats(),
        }
    }
}
