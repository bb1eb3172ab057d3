//! The process environment: Get/SetEnvironmentVariableA and the environment blocks
//! GetEnvironmentStrings(W) hand out. Names compare without regard to case, as on NT, and
//! keep the order they were first set in.

use nt_memory::{AllocationType, FreeType, PageProtection};
use nt_status::{NtStatus, Win32Error};

use crate::K32;
use win32::codepage::CodePage;
use win32::{AnsiStr, ApiCall, ApiReturn, OutBuf, Ptr, WideStr, export};

/// A process's environment variables.
#[derive(Clone, Debug, Default)]
pub(crate) struct Environment {
    /// (name, value) pairs, sorted by name without regard to case, as NT keeps them.
    pub(crate) variables: Vec<(String, String)>,
    /// The Unicode block (NT keeps it in the PEB), while it shows the current variables.
    unicode_block: Option<u32>,
    /// ANSI blocks GetEnvironmentStrings handed out and FreeEnvironmentStringsA has not
    /// freed yet.
    ansi_blocks: Vec<u32>,
}

impl Environment {
    fn position(&self, name: &str) -> Option<usize> {
        self.variables
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// The value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.position(name).map(|i| self.variables[i].1.as_str())
    }

    /// Sets `name` to `value`, or removes it for None. A change outdates the Unicode block.
    pub(crate) fn set(&mut self, name: &str, value: Option<&str>) {
        match (self.position(name), value) {
            (Some(i), Some(v)) if self.variables[i].1 == v => return,
            (Some(i), Some(v)) => self.variables[i].1 = v.to_string(),
            (Some(i), None) => {
                self.variables.remove(i);
            }
            (None, Some(v)) => {
                // NT keeps the block sorted by name, without regard to case.
                let key = name.to_uppercase();
                let at = self
                    .variables
                    .iter()
                    .position(|(n, _)| n.to_uppercase() > key)
                    .unwrap_or(self.variables.len());
                self.variables.insert(at, (name.to_string(), v.to_string()));
            }
            (None, None) => return,
        }
        self.unicode_block = None;
    }

    /// The block text: `name=value` strings each ending in NUL, then one more NUL (two NULs
    /// for an empty environment).
    fn block_text(&self) -> String {
        let mut text = String::new();
        for (name, value) in &self.variables {
            text.push_str(name);
            text.push('=');
            text.push_str(value);
            text.push('\0');
        }
        if text.is_empty() {
            text.push('\0');
        }
        text.push('\0');
        text
    }
}

/// Runs `f` on the calling process's environment.
fn with_environment<T>(call: &mut ApiCall<'_>, f: impl FnOnce(&mut Environment) -> T) -> Option<T> {
    let pid = call.thread.process;
    let object = call.process_object()?;
    Some(f(call
        .state
        .k32()
        .environments
        .get_or_default(pid, &object)))
}

/// The value of the calling process's environment variable `name`.
pub(crate) fn variable(call: &mut ApiCall<'_>, name: &str) -> Option<String> {
    with_environment(call, |e| e.get(name).map(str::to_string)).flatten()
}

/// Copies `bytes` into fresh read-write pages of the caller's memory.
pub(super) fn place(call: &mut ApiCall<'_>, bytes: &[u8]) -> Result<u32, NtStatus> {
    let process = call.process_mut().ok_or(NtStatus::INVALID_HANDLE)?;
    let size = (bytes.len() as u32).next_multiple_of(0x1000).max(0x1000);
    let (at, _) = process
        .address_space_mut()
        .allocate(
            0,
            size,
            AllocationType::RESERVE | AllocationType::COMMIT,
            PageProtection::READWRITE,
        )
        .map_err(|e| e.status())?;
    process
        .address_space_mut()
        .kernel_write(at, bytes)
        .map_err(|f| f.status())?;
    Ok(at)
}

/// Frees pages [`place`] made.
fn release(call: &mut ApiCall<'_>, at: u32) {
    if let Some(p) = call.process_mut() {
        let _ = p.address_space_mut().free(at, 0, FreeType::RELEASE);
    }
}

/// GetEnvironmentStrings (GetEnvironmentStringsA): a fresh ANSI copy of the environment,
/// for FreeEnvironmentStringsA to free.
#[export]
fn GetEnvironmentStrings(call: &mut ApiCall<'_>) -> ApiReturn {
    let Some(text) = with_environment(call, |e| e.block_text()) else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    match place(call, &CodePage::Ansi.encode_str(&text)) {
        Ok(at) => {
            with_environment(call, |e| e.ansi_blocks.push(at));
            ApiReturn::Value(at)
        }
        Err(status) => call.fail(status),
    }
}

/// GetEnvironmentStringsA: NT 4.0 exports it beside GetEnvironmentStrings, as the same
/// function.
#[export]
fn GetEnvironmentStringsA(call: &mut ApiCall<'_>) -> ApiReturn {
    GetEnvironmentStrings(call)
}

/// GetEnvironmentStringsW: the process's Unicode block itself, rebuilt when the variables
/// changed since it was made (the old one stays readable, as a pointer into a reallocated
/// PEB block would on NT until the memory is reused).
#[export]
fn GetEnvironmentStringsW(call: &mut ApiCall<'_>) -> ApiReturn {
    match unicode_block(call) {
        Ok(at) => ApiReturn::Value(at),
        Err(status) => call.fail(status),
    }
}

/// The process's Unicode environment block (what RTL_USER_PROCESS_PARAMETERS.Environment
/// points at), rebuilt when the variables changed since it was made (the old one stays
/// readable, as a pointer into a reallocated block would on NT until the memory is reused).
pub(crate) fn unicode_block(call: &mut ApiCall<'_>) -> Result<u32, NtStatus> {
    let current = with_environment(call, |e| e.unicode_block.ok_or_else(|| e.block_text()))
        .ok_or(NtStatus::INVALID_HANDLE)?;
    match current {
        Ok(at) => Ok(at),
        Err(text) => {
            let units: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
            let at = place(call, &units)?;
            with_environment(call, |e| e.unicode_block = Some(at));
            crate::startup::environment_moved(call, at);
            Ok(at)
        }
    }
}

/// Sets the calling process's variables, replacing all it had, and adds the PROCESSOR_*
/// variables of its CPU when they are absent.
pub(crate) fn set_all(call: &mut ApiCall<'_>, mut variables: Vec<(String, String)>) {
    variables.sort_by_cached_key(|(n, _)| n.to_uppercase());
    with_environment(call, |e| {
        e.variables = variables;
        e.unicode_block = None;
    });
    add_processor_variables(call);
}

/// Adds the variables NT sets for the processor (PROCESSOR_ARCHITECTURE, _IDENTIFIER,
/// _LEVEL, _REVISION, and NUMBER_OF_PROCESSORS) for the calling process's CPU, each only
/// when absent: a Pentium (family 5) for x86 processes, a 21164 for Alpha ones, as
/// GetSystemInfo reports them.
pub(crate) fn add_processor_variables(call: &mut ApiCall<'_>) {
    let Some(arch) = call.process().map(|p| p.architecture()) else {
        return;
    };
    let values: [(&str, &str); 5] = match arch {
        nt_kernel::Architecture::X86 => [
            ("PROCESSOR_ARCHITECTURE", "x86"),
            (
                "PROCESSOR_IDENTIFIER",
                "x86 Family 5 Model 2 Stepping 4, GenuineIntel",
            ),
            ("PROCESSOR_LEVEL", "5"),
            ("PROCESSOR_REVISION", "0204"),
            ("NUMBER_OF_PROCESSORS", "1"),
        ],
        nt_kernel::Architecture::Alpha => [
            ("PROCESSOR_ARCHITECTURE", "ALPHA"),
            ("PROCESSOR_IDENTIFIER", "Alpha 21164 Model 10, Pass 0"),
            ("PROCESSOR_LEVEL", "21164"),
            ("PROCESSOR_REVISION", "0a00"),
            ("NUMBER_OF_PROCESSORS", "1"),
        ],
    };
    with_environment(call, |e| {
        for (name, value) in values {
            if e.get(name).is_none() {
                e.set(name, Some(value));
            }
        }
    });
}

/// FreeEnvironmentStringsA: frees a block GetEnvironmentStrings made. TRUE either way, as
/// NT4's (which hands the pointer to RtlFreeHeap and ignores the result).
#[export]
fn FreeEnvironmentStringsA(call: &mut ApiCall<'_>, lpszEnvironmentBlock: Ptr) -> ApiReturn {
    let at = lpszEnvironmentBlock.0;
    let ours = with_environment(call, |e| {
        let i = e.ansi_blocks.iter().position(|&b| b == at)?;
        Some(e.ansi_blocks.swap_remove(i))
    })
    .flatten();
    if let Some(at) = ours {
        release(call, at);
    }
    ApiReturn::Value(1)
}

/// FreeEnvironmentStringsW: the Unicode block belongs to the process; nothing to free.
#[export]
fn FreeEnvironmentStringsW(_call: &mut ApiCall<'_>, lpszEnvironmentBlock: Ptr) -> bool {
    let _ = lpszEnvironmentBlock;
    true
}

/// A variable name NT accepts: not empty and no `=` after the first character.
fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().skip(1).any(|c| c == '=')
}

/// GetEnvironmentVariableA(lpName, lpBuffer, nSize): the value's length without the NUL
/// when it fits, else the size it needs with the NUL; 0 and ERROR_ENVVAR_NOT_FOUND when
/// there is no such variable.
#[export]
fn GetEnvironmentVariableA(
    call: &mut ApiCall<'_>,
    lpName: Option<AnsiStr>,
    #[size(nSize)] lpBuffer: OutBuf<u8>,
    nSize: u32,
) -> ApiReturn {
    // A NULL name reads as the empty name, which no variable has.
    let name = lpName.as_deref().unwrap_or("").to_string();
    let value = with_environment(call, |e| e.get(&name).map(str::to_string)).flatten();
    let Some(value) = value else {
        return call.fail_win32(Win32Error::ENVVAR_NOT_FOUND, 0);
    };
    let bytes = CodePage::Ansi.encode_str(&value);
    copy_value_out(call, lpBuffer.ptr, lpBuffer.capacity, bytes, 1)
}

/// GetEnvironmentVariableW(lpName, lpBuffer, nSize), in characters.
#[export]
fn GetEnvironmentVariableW(
    call: &mut ApiCall<'_>,
    lpName: Option<WideStr>,
    #[size(nSize)] lpBuffer: OutBuf<u16>,
    nSize: u32,
) -> ApiReturn {
    let name = lpName.as_deref().unwrap_or("").to_string();
    let value = with_environment(call, |e| e.get(&name).map(str::to_string)).flatten();
    let Some(value) = value else {
        return call.fail_win32(Win32Error::ENVVAR_NOT_FOUND, 0);
    };
    let bytes = value.encode_utf16().flat_map(u16::to_le_bytes).collect();
    copy_value_out(call, lpBuffer.ptr, lpBuffer.capacity, bytes, 2)
}

/// Writes a value and its NUL when `capacity` (in characters of `unit` bytes) holds them:
/// the length without the NUL; else the size needed with the NUL.
fn copy_value_out(
    call: &mut ApiCall<'_>,
    out: u32,
    capacity: u32,
    mut bytes: Vec<u8>,
    unit: u32,
) -> ApiReturn {
    let length = bytes.len() as u32 / unit;
    if capacity <= length {
        return ApiReturn::Value(length + 1);
    }
    bytes.extend(std::iter::repeat_n(0, unit as usize));
    match call.write_bytes(out, &bytes) {
        Ok(()) => ApiReturn::Value(length),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// SetEnvironmentVariableA(lpName, lpValue): sets, or with a NULL value removes, a
/// variable.
#[export]
fn SetEnvironmentVariableA(
    call: &mut ApiCall<'_>,
    lpName: AnsiStr,
    lpValue: Option<AnsiStr>,
) -> ApiReturn {
    set_variable(call, &lpName, lpValue.as_deref())
}

/// SetEnvironmentVariableW(lpName, lpValue).
#[export]
fn SetEnvironmentVariableW(
    call: &mut ApiCall<'_>,
    lpName: WideStr,
    lpValue: Option<WideStr>,
) -> ApiReturn {
    set_variable(call, &lpName, lpValue.as_deref())
}

fn set_variable(call: &mut ApiCall<'_>, name: &str, value: Option<&str>) -> ApiReturn {
    if !valid_name(name) {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    match with_environment(call, |e| e.set(name, value)) {
        Some(()) => ApiReturn::Value(1),
        None => call.fail(NtStatus::INVALID_HANDLE),
    }
}

impl Environment {
    /// `source` with each `%NAME%` naming a variable replaced by its value (once: values are
    /// not expanded again); a `%` that starts no known name stays as it is.
    pub(crate) fn expand(&self, source: &str) -> String {
        let mut out = String::new();
        let mut rest = source;
        while let Some(start) = rest.find('%') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            match after.find('%') {
                Some(end) => match self.get(&after[..end]) {
                    Some(value) if end > 0 => {
                        out.push_str(value);
                        rest = &after[end + 1..];
                    }
                    _ => {
                        // Not a variable: the first `%` stays, and the second may open one.
                        out.push('%');
                        rest = after;
                    }
                },
                None => {
                    out.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// ExpandEnvironmentStringsA(lpSrc, lpDst, nSize): NT 4.0's expands through the Unicode
/// RtlExpandEnvironmentStrings_U and returns what that reports, the size of the Unicode
/// result in bytes with its NUL, whether or not the ANSI result fit in `nSize` bytes (it is
/// written only when it fits; too small sets no error). A NULL source expands as the empty string.
#[export]
fn ExpandEnvironmentStringsA(
    call: &mut ApiCall<'_>,
    lpSrc: Option<AnsiStr>,
    lpDst: Ptr,
    nSize: u32,
) -> ApiReturn {
    let source = lpSrc.as_deref().unwrap_or("").to_string();
    let Some(text) = with_environment(call, |e| e.expand(&source)) else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    let needed = (text.encode_utf16().count() as u32 + 1) * 2;
    let mut bytes = CodePage::Ansi.encode_str(&text);
    bytes.push(0);
    if bytes.len() as u32 <= nSize && !lpDst.is_null() && call.write_bytes(lpDst.0, &bytes).is_err()
    {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    // Too small: NT returns the size needed and leaves the last error alone.
    ApiReturn::Value(needed)
}

/// ExpandEnvironmentStringsW(lpSrc, lpDst, nSize): the characters the result needs with
/// its NUL; the result is written only when it fits in `nSize` characters.
#[export]
fn ExpandEnvironmentStringsW(
    call: &mut ApiCall<'_>,
    lpSrc: Option<WideStr>,
    lpDst: Ptr,
    nSize: u32,
) -> ApiReturn {
    let source = lpSrc.as_deref().unwrap_or("").to_string();
    let Some(text) = with_environment(call, |e| e.expand(&source)) else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    let mut units: Vec<u16> = text.encode_utf16().collect();
    units.push(0);
    let needed = units.len() as u32;
    if needed <= nSize && !lpDst.is_null() {
        let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
        if call.write_bytes(lpDst.0, &bytes).is_err() {
            return call.fail(NtStatus::ACCESS_VIOLATION);
        }
    }
    // Too small: NT returns the size needed and leaves the last error alone.
    ApiReturn::Value(needed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_ignore_case_and_keep_their_first_order() {
        let mut e = Environment::default();
        assert_eq!(e.block_text(), "\0\0");
        e.set("Path", Some("C:\\"));
        e.set("TEMP", Some("C:\\TEMP"));
        e.set("PATH", Some("D:\\"));
        assert_eq!(e.get("path"), Some("D:\\"));
        assert_eq!(e.block_text(), "Path=D:\\\0TEMP=C:\\TEMP\0\0");
        e.set("temp", None);
        e.set("nothing", None);
        assert_eq!(e.block_text(), "Path=D:\\\0\0");
        assert!(valid_name("=C:") && !valid_name("A=B") && !valid_name(""));
    }

    #[test]
    fn expansion_replaces_known_names_once() {
        let mut e = Environment::default();
        e.set("EnvVar", Some("val"));
        e.set("Ind", Some("x%EnvVar%y"));
        assert_eq!(e.expand("a%ENVVAR%b"), "avalb");
        assert_eq!(e.expand("%Ind%"), "x%EnvVar%y");
        assert_eq!(e.expand("%none%"), "%none%");
        assert_eq!(e.expand("50%%EnvVar%"), "50%val");
        assert_eq!(e.expand("%x%EnvVar%"), "%xval");
        assert_eq!(e.expand("tail%"), "tail%");
    }
}
