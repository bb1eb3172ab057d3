//! Per-process modes: the error mode (SetErrorMode) and whether the file functions take
//! ANSI or OEM strings (SetFileApisToANSI / SetFileApisToOEM / AreFileApisANSI).

use win32::{ApiCall, PerProcess, export};

/// What a process has chosen.
#[derive(Clone, Copy, Debug)]
struct Modes {
    /// SEM_* bits (0 at start).
    error_mode: u32,
    /// The file functions take ANSI strings (the default) rather than OEM ones.
    file_apis_ansi: bool,
}

impl Default for Modes {
    fn default() -> Self {
        Modes {
            error_mode: 0,
            file_apis_ansi: true,
        }
    }
}

/// Every process's modes (a state value of the layer).
#[derive(Default)]
struct ProcessModes {
    modes: PerProcess<Modes>,
}

/// Runs `f` on the calling process's modes (on defaults when it has no process object).
fn with_modes<T>(call: &mut ApiCall<'_>, f: impl FnOnce(&mut Modes) -> T) -> T {
    let pid = call.thread.process;
    match call.process_object() {
        Some(object) => f(call
            .state
            .get::<ProcessModes>()
            .modes
            .get_or_default(pid, &object)),
        None => f(&mut Modes::default()),
    }
}

/// UINT SetErrorMode(UINT uMode): sets the process's error mode (SEM_FAILCRITICALERRORS,
/// SEM_NOGPFAULTERRORBOX, SEM_NOALIGNMENTFAULTEXCEPT, SEM_NOOPENFILEERRORBOX) and returns the
/// previous one. The mode is kept per process as NT keeps it (its default hard-error mode);
/// ntemu shows no error boxes, so it changes nothing else. Children start with mode 0.
#[export]
fn SetErrorMode(call: &mut ApiCall<'_>, uMode: u32) -> u32 {
    // The kernel keeps it as ProcessDefaultHardErrorMode, SEM_FAILCRITICALERRORS inverted.
    let caller = call.thread.process;
    call.machine.set_hard_error_mode(caller, uMode ^ 1);
    with_modes(call, |m| std::mem::replace(&mut m.error_mode, uMode))
}

/// VOID SetFileApisToOEM(VOID): the process's file functions take and return OEM (code page
/// 437) strings from now on. ntemu only records the choice for AreFileApisANSI: its file
/// functions keep reading and writing ANSI (code page 1252) strings.
#[export]
fn SetFileApisToOEM(call: &mut ApiCall<'_>) {
    with_modes(call, |m| m.file_apis_ansi = false);
}

/// VOID SetFileApisToANSI(VOID): the process's file functions take ANSI strings again (the
/// default). ntemu only records the choice, as SetFileApisToOEM does.
#[export]
fn SetFileApisToANSI(call: &mut ApiCall<'_>) {
    with_modes(call, |m| m.file_apis_ansi = true);
}

/// BOOL AreFileApisANSI(VOID): TRUE unless the process called SetFileApisToOEM since it last
/// called SetFileApisToANSI.
#[export]
fn AreFileApisANSI(call: &mut ApiCall<'_>) -> bool {
    with_modes(call, |m| m.file_apis_ansi)
}
