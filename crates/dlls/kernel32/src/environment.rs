//! The process environment: Get/SetEnvironmentVariableA and the environment blocks
//! GetEnvironmentStrings(W) hand out. Names compare without regard to case, as on NT, and
//! keep the order they were first set in.

use nt_memory::{AllocationType, FreeType, PageProtection};
use nt_status::{NtStatus, Win32Error};

use crate::K32;
use win32::{ApiCall, ApiReturn};

/// A process's environment variables.
#[derive(Clone, Debug, Default)]
pub(crate) struct Environment {
    /// (name, value) pairs in the order they were first set.
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
            (None, Some(v)) => self.variables.push((name.to_string(), v.to_string())),
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
pub(super) fn get_environment_strings(call: &mut ApiCall<'_>) -> ApiReturn {
    let Some(text) = with_environment(call, |e| e.block_text()) else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    match place(call, text.as_bytes()) {
        Ok(at) => {
            with_environment(call, |e| e.ansi_blocks.push(at));
            ApiReturn::Value(at)
        }
        Err(status) => call.fail(status),
    }
}

/// GetEnvironmentStringsW: the process's Unicode block itself, rebuilt when the variables
/// changed since it was made (the old one stays readable, as a pointer into a reallocated
/// PEB block would on NT until the memory is reused).
pub(super) fn get_environment_strings_w(call: &mut ApiCall<'_>) -> ApiReturn {
    let Some(current) = with_environment(call, |e| e.unicode_block.ok_or_else(|| e.block_text()))
    else {
        return call.fail(NtStatus::INVALID_HANDLE);
    };
    match current {
        Ok(at) => ApiReturn::Value(at),
        Err(text) => {
            let units: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
            match place(call, &units) {
                Ok(at) => {
                    with_environment(call, |e| e.unicode_block = Some(at));
                    ApiReturn::Value(at)
                }
                Err(status) => call.fail(status),
            }
        }
    }
}

/// FreeEnvironmentStringsA: frees a block GetEnvironmentStrings made. TRUE either way, as
/// NT4's (which hands the pointer to RtlFreeHeap and ignores the result).
pub(super) fn free_environment_strings_a(call: &mut ApiCall<'_>) -> ApiReturn {
    let at = call.arg(0);
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
pub(super) fn free_environment_strings_w(_: &mut ApiCall<'_>) -> ApiReturn {
    ApiReturn::Value(1)
}

/// A variable name NT accepts: not empty and no `=` after the first character.
fn valid_name(name: &str) -> bool {
    !name.is_empty() && !name[1..].contains('=')
}

/// GetEnvironmentVariableA(lpName, lpBuffer, nSize): the value's length without the NUL
/// when it fits, else the size it needs with the NUL; 0 and ERROR_ENVVAR_NOT_FOUND when
/// there is no such variable.
pub(super) fn get_environment_variable_a(call: &mut ApiCall<'_>) -> ApiReturn {
    let (name_ptr, buffer, size) = (call.arg(0), call.arg(1), call.arg(2));
    let Ok(name) = call.read_c_string(name_ptr, 32_767) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    let value = with_environment(call, |e| e.get(&name).map(str::to_string)).flatten();
    let Some(value) = value else {
        return call.fail_win32(Win32Error(203), 0);
    };
    let length = value.len() as u32;
    if size <= length {
        return ApiReturn::Value(length + 1);
    }
    let mut bytes = value.into_bytes();
    bytes.push(0);
    match call.write_bytes(buffer, &bytes) {
        Ok(()) => ApiReturn::Value(length),
        Err(_) => call.fail(NtStatus::ACCESS_VIOLATION),
    }
}

/// SetEnvironmentVariableA(lpName, lpValue): sets, or with a NULL value removes, a
/// variable.
pub(super) fn set_environment_variable_a(call: &mut ApiCall<'_>) -> ApiReturn {
    let (name_ptr, value_ptr) = (call.arg(0), call.arg(1));
    let Ok(name) = call.read_c_string(name_ptr, 32_767) else {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    };
    if !valid_name(&name) {
        return call.fail(NtStatus::INVALID_PARAMETER);
    }
    let value = if value_ptr == 0 {
        None
    } else {
        match call.read_c_string(value_ptr, 32_767) {
            Ok(v) => Some(v),
            Err(_) => return call.fail(NtStatus::ACCESS_VIOLATION),
        }
    };
    match with_environment(call, |e| e.set(&name, value.as_deref())) {
        Some(()) => ApiReturn::Value(1),
        None => call.fail(NtStatus::INVALID_HANDLE),
    }
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
}
