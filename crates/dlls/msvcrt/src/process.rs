//! Starting programs: the `_spawn` and `_exec` families, `system` and `_cwait`, as msvcrt
//! does them over CreateProcess.
//!
//! - The program is found as msvcrt's `_spawnve` finds it: a bare name is taken relative to
//!   the current directory (`.\name`); a name with an extension must exist (`_access`), one
//!   without is tried with `.com`, `.exe`, `.bat` and `.cmd` in that order. The `p` forms then
//!   try each directory of PATH when that fails with ENOENT (and the name has no `/`).
//! - The command line is the arguments joined by single blanks, unquoted, as msvcrt's
//!   `_cenvarg` joins them (an argument with a blank becomes two for the child). An
//!   environment given (`_spawnle`, `_spawnve`...) becomes the child's block, after the
//!   parent's `=X:` current-directory variables; none inherits the parent's.
//! - CreateProcess gets the found name as lpApplicationName and inherits handles. `_P_WAIT`
//!   waits for the child (the calling thread blocks) and returns its exit code; `_P_NOWAIT`
//!   and `_P_NOWAITO` return its process handle (for `_cwait`); `_P_DETACH` returns 0;
//!   `_P_OVERLAY` and the `_exec` forms end the caller (exit code 0) once the child is made.
//! - `system(command)` runs `%COMSPEC% /c command`, then (when COMSPEC is unset or cannot be
//!   found) `cmd.exe /c command` searched in the current directory and PATH. ntemu has no
//!   cmd.exe, so without a COMSPEC naming a program it fails as msvcrt does: -1 with ENOENT.
//!   `system(NULL)` is whether COMSPEC names a file that exists.

use nt_object::{AccessMask, Handle, ObjectType};
use nt_status::Win32Error;

use super::files::exists;
use super::text::{self, UNIT_LIMIT, Width};
use super::{CrtState, dosmaperr, errno, fail_errno, heap, set_errno, with_state};
use win32::{AnsiStr, ApiCall, ApiReturn, Ptr, VarArgs, WideStr, export};

/// Spawn modes.
const P_WAIT: u32 = 0;
const P_NOWAIT: u32 = 1;
const P_OVERLAY: u32 = 2;
const P_NOWAITO: u32 = 3;
const P_DETACH: u32 = 4;
/// DETACHED_PROCESS and CREATE_UNICODE_ENVIRONMENT.
const DETACHED_PROCESS: u32 = 0x8;
const CREATE_UNICODE_ENVIRONMENT: u32 = 0x400;
/// The most arguments or environment strings read from one array.
const MAX_STRINGS: u32 = 0x1_0000;
/// MAX_PATH: a PATH directory and the name must fit.
const MAX_PATH: usize = 260;

/// What a thread blocked in a `_P_WAIT` spawn or in `_cwait` does when the child ends.
pub(crate) enum ChildWait {
    /// `_spawn` with `_P_WAIT`: return the exit code (the handle closed).
    Spawn(Handle),
    /// `_cwait`: store the exit code at the pointer and return the handle (closed).
    Cwait(Handle, Ptr),
}

/// The step a spawn got to.
enum Spawned {
    /// Failed: -1, errno set.
    Failed,
    /// Return this value.
    Value(u32),
    /// Wait for the child, then return its exit code.
    Wait(Handle),
    /// End the caller.
    Exit,
}

/// The strings of a NULL-terminated guest array of string pointers.
fn read_array(call: &ApiCall<'_>, at: u32, width: Width) -> Vec<String> {
    let mut out = Vec::new();
    if at == 0 {
        return out;
    }
    for i in 0..MAX_STRINGS {
        let Ok(p) = call.read_u32(at.wrapping_add(4 * i)) else {
            break;
        };
        if p == 0 {
            break;
        }
        match text::read_units(call, p, width, UNIT_LIMIT) {
            Some(units) => out.push(decode(width, &units)),
            None => break,
        }
    }
    out
}

fn decode(width: Width, units: &[u16]) -> String {
    match width {
        Width::Narrow => {
            let bytes: Vec<u8> = units.iter().map(|&u| u as u8).collect();
            win32::codepage::CodePage::Ansi.decode_str(&bytes)
        }
        Width::Wide => String::from_utf16_lossy(units),
    }
}

/// The strings of a variadic list of string pointers up to its NULL, and (for the `e`
/// forms) the environment array after it.
fn read_list(
    call: &mut ApiCall<'_>,
    arguments: VarArgs,
    width: Width,
    with_env: bool,
) -> (Vec<String>, Option<Vec<String>>) {
    let mut pointers = Vec::new();
    let mut env = 0;
    {
        let mut reader = arguments.reader(call);
        for _ in 0..MAX_STRINGS {
            let p = win32::format::Arguments::next_u32(&mut reader);
            if p == 0 {
                break;
            }
            pointers.push(p);
        }
        if with_env {
            env = win32::format::Arguments::next_u32(&mut reader);
        }
    }
    let args = pointers
        .into_iter()
        .map_while(|p| text::read_units(call, p, width, UNIT_LIMIT))
        .map(|u| decode(width, &u))
        .collect();
    let env = with_env
        .then(|| read_array(call, env, width))
        .filter(|_| env != 0);
    (args, env)
}

/// The process environment variable `name` (compared without regard to case).
fn variable(call: &mut ApiCall<'_>, name: &str) -> Option<String> {
    kernel32::environment_variables(call)
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// An environment block of `strings` in the CRT heap (each string and a NUL, then one more
/// NUL); 0 when the heap is full.
fn place_strings(call: &mut ApiCall<'_>, strings: &[String], width: Width) -> u32 {
    let mut units = Vec::new();
    for s in strings {
        units.extend(width.units(s));
        units.push(0);
    }
    if strings.is_empty() {
        units.push(0);
    }
    let bytes = width.bytes(&units);
    let extra = width.size() as usize;
    let Some(at) = heap::allocate(call, (bytes.len() + extra) as u32, true) else {
        return 0;
    };
    let _ = call.write_bytes(at, &bytes);
    at
}

/// msvcrt's `_dospawn`: CreateProcess of `name` with `command_line` and the environment
/// `env` (the parent's `=X:` variables first), then what `mode` asks for.
fn dospawn(
    call: &mut ApiCall<'_>,
    mode: u32,
    name: &str,
    command_line: &str,
    env: Option<&[String]>,
    width: Width,
) -> Spawned {
    if !matches!(mode, P_WAIT | P_NOWAIT | P_OVERLAY | P_NOWAITO | P_DETACH) {
        fail_errno(call, errno::EINVAL, 0);
        return Spawned::Failed;
    }
    let block = match env {
        Some(env) => {
            let mut strings: Vec<String> = kernel32::environment_variables(call)
                .into_iter()
                .filter(|(n, _)| {
                    let b = n.as_bytes();
                    b.len() == 3 && b[0] == b'=' && b[1].is_ascii_alphabetic() && b[2] == b':'
                })
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            strings.extend(env.iter().cloned());
            place_strings(call, &strings, width)
        }
        None => 0,
    };
    let Some(info) = heap::allocate(call, 16, true) else {
        set_errno(call, errno::ENOMEM);
        return Spawned::Failed;
    };
    let mut flags = if mode == P_DETACH {
        DETACHED_PROCESS
    } else {
        0
    };
    if width == Width::Wide {
        flags |= CREATE_UNICODE_ENVIRONMENT;
    }
    // The child's C runtime gets this one's descriptors (msvcrt's `_dospawn` lpReserved2
    // block, made by `run` before the state was lent out).
    let inherited = call.state.get::<SpawnInheritance>().0.clone();
    let created = kernel32::create_process_for(
        call,
        Some(name),
        Some(command_line),
        true,
        flags,
        Ptr(block),
        None,
        Ptr(info),
        inherited,
    );
    let words = [0u32, 4].map(|o| call.read_u32(info + o).unwrap_or(0));
    heap::release(call, info);
    if block != 0 {
        heap::release(call, block);
    }
    if let Err(e) = created {
        dosmaperr(call, e.0);
        return Spawned::Failed;
    }
    let (process, thread) = (Handle(words[0]), Handle(words[1]));
    super::stdio::close_handle(call, thread);
    match mode {
        P_OVERLAY => {
            super::stdio::close_handle(call, process);
            Spawned::Exit
        }
        P_WAIT => Spawned::Wait(process),
        P_DETACH => {
            super::stdio::close_handle(call, process);
            Spawned::Value(0)
        }
        _ => Spawned::Value(process.0),
    }
}

/// msvcrt's `_spawnve`: finds the program (a bare name in the current directory, the
/// extensions tried when it has none) and spawns it; errno ENOENT when it is not there.
fn spawnve(
    call: &mut ApiCall<'_>,
    mode: u32,
    name: &str,
    args: &[String],
    env: Option<&[String]>,
    width: Width,
) -> Spawned {
    let last_slash = name.rfind(['\\', '/']);
    let (pathname, file_start) = match last_slash {
        Some(i) => (name.to_string(), i + 1),
        None => match name.find(':') {
            Some(i) => (name.to_string(), i + 1),
            None => (format!(".\\{name}"), 2),
        },
    };
    let command_line = args.join(" ");
    if pathname[file_start..].contains('.') {
        if !exists(call, &pathname) {
            return Spawned::Failed;
        }
        return dospawn(call, mode, &pathname, &command_line, env, width);
    }
    for ext in [".com", ".exe", ".bat", ".cmd"] {
        let candidate = format!("{pathname}{ext}");
        if exists(call, &candidate) {
            return dospawn(call, mode, &candidate, &command_line, env, width);
        }
    }
    Spawned::Failed
}

/// msvcrt's `_spawnvpe`: `_spawnve`, then (for ENOENT and a name without `/`) each
/// directory of PATH in turn.
fn spawnvpe(
    call: &mut ApiCall<'_>,
    mode: u32,
    name: &str,
    args: &[String],
    env: Option<&[String]>,
    width: Width,
) -> Spawned {
    let first = spawnve(call, mode, name, args, env, width);
    if !matches!(first, Spawned::Failed)
        || current_errno(call) != errno::ENOENT
        || name.contains('/')
    {
        return first;
    }
    let Some(path) = variable(call, "PATH") else {
        return first;
    };
    for dir in path.split(';').map(|d| d.replace('"', "")) {
        if dir.is_empty() {
            continue;
        }
        let mut candidate = dir.clone();
        if !candidate.ends_with(['\\', '/']) {
            candidate.push('\\');
        }
        if candidate.chars().count() + name.chars().count() >= MAX_PATH {
            break;
        }
        candidate.push_str(name);
        let r = spawnve(call, mode, &candidate, args, env, width);
        let unc = candidate.starts_with("\\\\") || candidate.starts_with("//");
        if !matches!(r, Spawned::Failed) || (current_errno(call) != errno::ENOENT && !unc) {
            return r;
        }
    }
    Spawned::Failed
}

fn current_errno(call: &ApiCall<'_>) -> u32 {
    call.read_u32(super::CRT_DATA + super::at::ERRNO)
        .unwrap_or(0)
}

/// A thread's wait for its child, left from a call that blocked: on the call's second run
/// (the child ended), its result. None when the thread has none.
fn finish_wait(call: &mut ApiCall<'_>) -> Option<ApiReturn> {
    let tid = call.thread.thread;
    let wait = with_state(call, |_, state| state.child_waits.remove(&tid))?;
    let handle = match &wait {
        ChildWait::Spawn(h) | ChildWait::Cwait(h, _) => *h,
    };
    let object = call
        .reference(handle, AccessMask(0), Some(ObjectType::Process))
        .ok();
    if let Some(o) = &object
        && !o.is_signaled().unwrap_or(true)
    {
        // Not ended yet: wait on.
        with_state(call, |_, state| {
            state.child_waits.insert(tid, wait);
        });
        return Some(ApiReturn::Retry {
            objects: vec![o.clone()],
            timeout: None,
        });
    }
    let code = call
        .machine
        .process_exit_code(call.thread.process, handle)
        .unwrap_or(u32::MAX);
    super::stdio::close_handle(call, handle);
    Some(match wait {
        ChildWait::Spawn(_) => ApiReturn::Value(code),
        ChildWait::Cwait(h, termstat) => {
            let _ = call.write_out_u32(termstat.0, code);
            ApiReturn::Value(h.0)
        }
    })
}

/// Blocks the calling thread until the process `handle` ends; the call runs again then
/// and [`finish_wait`] gives its result.
fn block_on(call: &mut ApiCall<'_>, wait: ChildWait) -> ApiReturn {
    let handle = match &wait {
        ChildWait::Spawn(h) | ChildWait::Cwait(h, _) => *h,
    };
    let Ok(object) = call.reference(handle, AccessMask(0), Some(ObjectType::Process)) else {
        return ApiReturn::Value(u32::MAX);
    };
    let tid = call.thread.thread;
    with_state(call, |_, state| {
        state.child_waits.insert(tid, wait);
    });
    ApiReturn::Retry {
        objects: vec![object],
        timeout: None,
    }
}

/// The inheritance block of the spawn under way (`run` makes it from the calling process's
/// descriptors, `dospawn` passes it to each child it creates).
#[derive(Default)]
struct SpawnInheritance(Vec<u8>);

/// Runs a spawn and turns its outcome into the call's result.
fn run(call: &mut ApiCall<'_>, f: impl FnOnce(&mut ApiCall<'_>) -> Spawned) -> ApiReturn {
    if let Some(done) = finish_wait(call) {
        return done;
    }
    let spawned = with_state(call, |call, state| {
        call.state.get::<SpawnInheritance>().0 = super::stdio::inheritance_block(state);
        let spawned = f(call);
        call.state.get::<SpawnInheritance>().0.clear();
        spawned
    });
    match spawned {
        Spawned::Failed => ApiReturn::Value(u32::MAX),
        Spawned::Value(v) => ApiReturn::Value(v),
        Spawned::Wait(h) => block_on(call, ChildWait::Spawn(h)),
        Spawned::Exit => {
            with_state(call, super::stdio::flush_all);
            ApiReturn::ExitProcess(0)
        }
    }
}

/// Which of the eight forms: `p` searches PATH, `e` passes an environment.
#[derive(Clone, Copy)]
struct Form {
    path: bool,
    env: bool,
}

const L: Form = Form {
    path: false,
    env: false,
};
const LE: Form = Form {
    path: false,
    env: true,
};
const LP: Form = Form {
    path: true,
    env: false,
};
const LPE: Form = Form {
    path: true,
    env: true,
};

/// The `_spawnl` forms: arguments as a variadic list up to NULL (then envp for `e`).
fn spawn_list(
    call: &mut ApiCall<'_>,
    mode: u32,
    name: &str,
    arguments: VarArgs,
    form: Form,
    width: Width,
) -> ApiReturn {
    let (args, env) = read_list(call, arguments, width, form.env);
    let name = name.to_string();
    run(call, |call| {
        if form.path {
            spawnvpe(call, mode, &name, &args, env.as_deref(), width)
        } else {
            spawnve(call, mode, &name, &args, env.as_deref(), width)
        }
    })
}

/// The `_spawnv` forms: arguments (and the environment) as NULL-terminated arrays.
fn spawn_vector(
    call: &mut ApiCall<'_>,
    mode: u32,
    name: &str,
    argv: Ptr,
    envp: Ptr,
    form: Form,
    width: Width,
) -> ApiReturn {
    let args = read_array(call, argv.0, width);
    let env = (form.env && !envp.is_null()).then(|| read_array(call, envp.0, width));
    let name = name.to_string();
    run(call, |call| {
        if form.path {
            spawnvpe(call, mode, &name, &args, env.as_deref(), width)
        } else {
            spawnve(call, mode, &name, &args, env.as_deref(), width)
        }
    })
}

macro_rules! spawn_exports {
    ($($list:ident, $vector:ident, $wlist:ident, $wvector:ident, $form:expr, $what:literal;)*) => {$(
        #[doc = concat!("_spawn", $what, "l(mode, cmdname, arg0, ..., NULL", ")")]
        #[export(cdecl, failure = u32::MAX)]
        fn $list(call: &mut ApiCall<'_>, mode: u32, cmdname: AnsiStr, arguments: VarArgs) -> ApiReturn {
            spawn_list(call, mode, &cmdname, arguments, $form, Width::Narrow)
        }

        #[doc = concat!("_spawn", $what, "v(mode, cmdname, argv[, envp])")]
        #[export(cdecl, failure = u32::MAX)]
        fn $vector(call: &mut ApiCall<'_>, mode: u32, cmdname: AnsiStr, argv: Ptr, envp: Ptr) -> ApiReturn {
            spawn_vector(call, mode, &cmdname, argv, envp, $form, Width::Narrow)
        }

        #[doc = concat!("_wspawn", $what, "l(mode, cmdname, arg0, ..., NULL): wide strings.")]
        #[export(cdecl, failure = u32::MAX)]
        fn $wlist(call: &mut ApiCall<'_>, mode: u32, cmdname: WideStr, arguments: VarArgs) -> ApiReturn {
            spawn_list(call, mode, &cmdname, arguments, $form, Width::Wide)
        }

        #[doc = concat!("_wspawn", $what, "v(mode, cmdname, argv[, envp]): wide strings.")]
        #[export(cdecl, failure = u32::MAX)]
        fn $wvector(call: &mut ApiCall<'_>, mode: u32, cmdname: WideStr, argv: Ptr, envp: Ptr) -> ApiReturn {
            spawn_vector(call, mode, &cmdname, argv, envp, $form, Width::Wide)
        }
    )*};
}

spawn_exports! {
    _spawnl, _spawnv, _wspawnl, _wspawnv, L, "";
    _spawnle, _spawnve, _wspawnle, _wspawnve, LE, "e";
    _spawnlp, _spawnvp, _wspawnlp, _wspawnvp, LP, "p";
    _spawnlpe, _spawnvpe, _wspawnlpe, _wspawnvpe, LPE, "pe";
}

macro_rules! exec_exports {
    ($($list:ident, $vector:ident, $wlist:ident, $wvector:ident, $form:expr, $what:literal;)*) => {$(
        #[doc = concat!("_exec", $what, "l(cmdname, arg0, ..., NULL", "): _spawn with _P_OVERLAY.")]
        #[export(cdecl, failure = u32::MAX)]
        fn $list(call: &mut ApiCall<'_>, cmdname: AnsiStr, arguments: VarArgs) -> ApiReturn {
            spawn_list(call, P_OVERLAY, &cmdname, arguments, $form, Width::Narrow)
        }

        #[doc = concat!("_exec", $what, "v(cmdname, argv[, envp]): _spawn with _P_OVERLAY.")]
        #[export(cdecl, failure = u32::MAX)]
        fn $vector(call: &mut ApiCall<'_>, cmdname: AnsiStr, argv: Ptr, envp: Ptr) -> ApiReturn {
            spawn_vector(call, P_OVERLAY, &cmdname, argv, envp, $form, Width::Narrow)
        }

        #[doc = concat!("_wexec", $what, "l(cmdname, arg0, ..., NULL): wide strings.")]
        #[export(cdecl, failure = u32::MAX)]
        fn $wlist(call: &mut ApiCall<'_>, cmdname: WideStr, arguments: VarArgs) -> ApiReturn {
            spawn_list(call, P_OVERLAY, &cmdname, arguments, $form, Width::Wide)
        }

        #[doc = concat!("_wexec", $what, "v(cmdname, argv[, envp]): wide strings.")]
        #[export(cdecl, failure = u32::MAX)]
        fn $wvector(call: &mut ApiCall<'_>, cmdname: WideStr, argv: Ptr, envp: Ptr) -> ApiReturn {
            spawn_vector(call, P_OVERLAY, &cmdname, argv, envp, $form, Width::Wide)
        }
    )*};
}

exec_exports! {
    _execl, _execv, _wexecl, _wexecv, L, "";
    _execle, _execve, _wexecle, _wexecve, LE, "e";
    _execlp, _execvp, _wexeclp, _wexecvp, LP, "p";
    _execlpe, _execvpe, _wexeclpe, _wexecvpe, LPE, "pe";
}

/// `system`'s work.
fn run_system(call: &mut ApiCall<'_>, command: Option<&str>) -> ApiReturn {
    if let Some(done) = finish_wait(call) {
        return done;
    }
    let comspec = variable(call, "COMSPEC");
    let Some(command) = command else {
        let found = comspec.is_some_and(|c| with_state(call, |call, _| exists(call, &c)));
        return ApiReturn::Value(u32::from(found));
    };
    let command = command.to_string();
    let width = Width::Narrow;
    run(call, |call| {
        if let Some(c) = &comspec {
            let args = [c.clone(), "/c".to_string(), command.clone()];
            let r = spawnve(call, P_WAIT, c, &args, None, width);
            let e = current_errno(call);
            if !matches!(r, Spawned::Failed) || (e != errno::ENOENT && e != errno::EACCES) {
                return r;
            }
        }
        // NT's command interpreter (command.com on Windows 95).
        let shell = "cmd.exe".to_string();
        let args = [shell.clone(), "/c".to_string(), command.clone()];
        spawnvpe(call, P_WAIT, &shell, &args, None, width)
    })
}

/// system(command): runs `%COMSPEC% /c command` (else `cmd.exe /c command` found in the
/// current directory or PATH) and returns its exit code; -1 with ENOENT when no command
/// interpreter can be started. system(NULL): 1 when COMSPEC names a file that exists.
#[export(cdecl, failure = u32::MAX)]
fn system(call: &mut ApiCall<'_>, command: Option<AnsiStr>) -> ApiReturn {
    run_system(call, command.as_deref())
}

/// _wsystem(command): system with a wide command.
#[export(cdecl, failure = u32::MAX)]
fn _wsystem(call: &mut ApiCall<'_>, command: Option<WideStr>) -> ApiReturn {
    run_system(call, command.as_deref())
}

/// _cwait(termstat, procHandle, action): waits for the process `procHandle` (a `_P_NOWAIT`
/// spawn's result) to end, stores its exit code at `termstat`, closes the handle and returns
/// it; -1 with ECHILD for the pseudo-handles -1 and -2 and for a handle that is not a
/// process (`_doserrno` ERROR_INVALID_HANDLE).
#[export(cdecl)]
fn _cwait(call: &mut ApiCall<'_>, termstat: Ptr, procHandle: u32, action: i32) -> ApiReturn {
    let _ = action;
    if let Some(done) = finish_wait(call) {
        return done;
    }
    let fail = |call: &mut ApiCall<'_>, error: u32| {
        with_state(call, |call, _: &mut CrtState| {
            if error == Win32Error::INVALID_HANDLE.0 {
                fail_errno(call, errno::ECHILD, error);
            } else {
                dosmaperr(call, error);
            }
        });
        let _ = call.write_out_u32(termstat.0, u32::MAX);
        ApiReturn::Value(u32::MAX)
    };
    if procHandle == u32::MAX || procHandle == 0xFFFF_FFFE {
        with_state(call, |call, _| set_errno(call, errno::ECHILD));
        return ApiReturn::Value(u32::MAX);
    }
    let handle = Handle(procHandle);
    if call
        .reference(handle, AccessMask(0), Some(ObjectType::Process))
        .is_err()
    {
        super::stdio::close_handle(call, handle);
        return fail(call, Win32Error::INVALID_HANDLE.0);
    }
    block_on(call, ChildWait::Cwait(handle, termstat))
}
