//! Guest path names: NT's full-path rules (RtlGetFullPathName_U), purely textual. What a
//! full path names on the host is [`crate::volume`]'s business.

use nt_status::Win32Error;

/// ERROR_BAD_NETPATH: what a UNC name gives on ntemu's machine, which has no network.
pub(crate) const ERROR_BAD_NETPATH: Win32Error = Win32Error(53);

/// The DOS devices a name can open.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum DosDevice {
    /// CON: console input or output, chosen by the access asked for.
    Console,
    /// CONIN$.
    ConsoleInput,
    /// CONOUT$.
    ConsoleOutput,
    /// NUL, and the ports (AUX, PRN, COM1-9, LPT1-9) ntemu's machine has nothing behind:
    /// reads give 0 bytes, writes are swallowed.
    Null,
}

/// A current directory: a drive and the components below its root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CurrentDirectory {
    /// The drive letter (upper case).
    pub(crate) drive: char,
    /// The components below the drive's root.
    pub(crate) components: Vec<String>,
}

impl CurrentDirectory {
    /// The root of `drive`.
    pub(crate) fn root(drive: char) -> Self {
        CurrentDirectory {
            drive: drive.to_ascii_uppercase(),
            components: Vec::new(),
        }
    }
}

/// A guest name made absolute.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum FullPath {
    /// A DOS device; `name` is what GetFullPathName gives (`\\.\NUL`).
    Device {
        /// The device.
        device: DosDevice,
        /// `\\.\` and the device name as the guest spelled it.
        name: String,
    },
    /// A path on a drive: `drive` upper case, `components` without `.`/`..`.
    Drive {
        /// The drive letter.
        drive: char,
        /// The components below the drive's root.
        components: Vec<String>,
        /// The guest's name ended in a separator.
        trailing_separator: bool,
    },
    /// A UNC name (`\\server\share\...`, `\\?\UNC\...`), kept as given.
    Unc(String),
}

impl FullPath {
    /// The name GetFullPathNameA reports.
    pub(crate) fn display(&self) -> String {
        match self {
            FullPath::Device { name, .. } => name.clone(),
            FullPath::Unc(s) => s.clone(),
            FullPath::Drive {
                drive,
                components,
                trailing_separator,
            } => {
                let mut s = format!("{drive}:\\");
                s.push_str(&components.join("\\"));
                if *trailing_separator && !components.is_empty() {
                    s.push('\\');
                }
                s
            }
        }
    }

    /// True when the last component holds `*` or `?`.
    pub(crate) fn has_wildcards(&self) -> bool {
        match self {
            FullPath::Drive { components, .. } => {
                components.last().is_some_and(|c| c.contains(['*', '?']))
            }
            _ => false,
        }
    }
}

/// The device a last path component names, if any: CON, NUL, AUX, PRN, COM1-9 and LPT1-9
/// with any extension and trailing spaces, and CONIN$ / CONOUT$ exactly.
pub(crate) fn dos_device(component: &str) -> Option<DosDevice> {
    let trimmed = component.trim_end_matches([' ', '.']);
    if trimmed.eq_ignore_ascii_case("CONIN$") {
        return Some(DosDevice::ConsoleInput);
    }
    if trimmed.eq_ignore_ascii_case("CONOUT$") {
        return Some(DosDevice::ConsoleOutput);
    }
    let base = trimmed.split('.').next().unwrap_or_default().trim_end();
    let upper = base.to_ascii_uppercase();
    match upper.as_str() {
        "CON" => Some(DosDevice::Console),
        "NUL" | "AUX" | "PRN" => Some(DosDevice::Null),
        _ => {
            let b = upper.as_bytes();
            (b.len() == 4
                && (upper.starts_with("COM") || upper.starts_with("LPT"))
                && (b'1'..=b'9').contains(&b[3]))
            .then_some(DosDevice::Null)
        }
    }
}

/// The device name in a component that names one, as spelled, without extension or
/// trailing spaces and dots (`nul.txt` is `nul`).
fn device_name(component: &str) -> &str {
    let trimmed = component.trim_end_matches([' ', '.']);
    if dos_device(trimmed)
        .is_some_and(|d| matches!(d, DosDevice::ConsoleInput | DosDevice::ConsoleOutput))
    {
        return trimmed;
    }
    trimmed.split('.').next().unwrap_or_default().trim_end()
}

/// The DOS device a path's last component names, as spelled (`nul.txt` is `nul`); None
/// when it names none.
pub(crate) fn device_component(component: &str) -> Option<&str> {
    dos_device(component).map(|_| device_name(component))
}

fn invalid_char(c: char) -> bool {
    matches!(c, '<' | '>' | ':' | '"' | '|') || (c as u32) < 0x20
}

/// Appends the components of `rest` to `out`: empty components and `.` dropped, `..` going up
/// (never above the drive's root: NT clamps `C:\..` to `C:\`), trailing dots and spaces
/// stripped from each component as NT strips them (a component left empty is dropped).
fn push_components(out: &mut Vec<String>, rest: &str) -> Result<(), Win32Error> {
    for comp in rest.split('\\') {
        match comp {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            _ => {
                let trimmed = comp.trim_end_matches(['.', ' ']);
                if trimmed.is_empty() {
                    continue;
                }
                if trimmed.chars().any(invalid_char) {
                    return Err(Win32Error::INVALID_NAME);
                }
                out.push(trimmed.to_string());
            }
        }
    }
    Ok(())
}

/// Makes `path` absolute as NT's GetFullPathName does, against the current directory `cwd`
/// (a relative name on another drive, `D:x`, starts at that drive's root). Purely textual:
/// nothing on the host is looked at.
pub(crate) fn full_path(cwd: &CurrentDirectory, path: &str) -> Result<FullPath, Win32Error> {
    if path.is_empty() {
        return Err(Win32Error::PATH_NOT_FOUND);
    }
    let p = path.replace('/', "\\");
    if let Some(rest) = p.strip_prefix("\\\\.\\") {
        return match dos_device(rest) {
            Some(device) if !rest.contains('\\') => Ok(FullPath::Device {
                device,
                name: format!("\\\\.\\{}", device_name(rest)),
            }),
            _ => Err(Win32Error::FILE_NOT_FOUND),
        };
    }
    // `\??\` names the NT namespace's DOS devices directory, which holds the drives: the
    // same as `\\?\`.
    let p = match p.strip_prefix("\\??\\") {
        Some(rest) => format!("\\\\?\\{rest}"),
        None => p,
    };
    if let Some(rest) = p.strip_prefix("\\\\?\\") {
        if rest.is_empty() {
            return Err(Win32Error::INVALID_NAME);
        }
        // Win32 names passed through unparsed: no `.`/`..` processing, no stripping.
        let b = rest.as_bytes();
        if rest.len() >= 4 && rest[..4].eq_ignore_ascii_case("UNC\\") {
            return Ok(FullPath::Unc(p));
        }
        if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
            let tail = &rest[2..];
            let Some(tail) = tail.strip_prefix('\\').or(tail.is_empty().then_some(tail)) else {
                return Err(Win32Error::INVALID_NAME);
            };
            let mut components = Vec::new();
            let parts: Vec<&str> = tail.split('\\').collect();
            let last = parts.len().saturating_sub(1);
            for (i, comp) in parts.iter().enumerate() {
                if comp.is_empty() && i == last {
                    continue;
                }
                if comp.is_empty()
                    || *comp == "."
                    || *comp == ".."
                    || comp.chars().any(invalid_char)
                {
                    return Err(Win32Error::INVALID_NAME);
                }
                components.push((*comp).to_string());
            }
            return Ok(FullPath::Drive {
                drive: char::from(b[0].to_ascii_uppercase()),
                components,
                trailing_separator: tail.ends_with('\\'),
            });
        }
        return Err(Win32Error::FILE_NOT_FOUND);
    }
    if p.starts_with("\\\\") {
        return Ok(FullPath::Unc(p));
    }
    let b = p.as_bytes();
    let (drive, mut components, rest) =
        if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
            let drive = char::from(b[0].to_ascii_uppercase());
            let rest = &p[2..];
            if rest.starts_with('\\') || drive != cwd.drive {
                (drive, Vec::new(), rest)
            } else {
                (drive, cwd.components.clone(), rest)
            }
        } else if p.starts_with('\\') {
            (cwd.drive, Vec::new(), p.as_str())
        } else {
            (cwd.drive, cwd.components.clone(), p.as_str())
        };
    let last = rest.rsplit('\\').next().unwrap_or_default();
    if let Some(device) = dos_device(last) {
        return Ok(FullPath::Device {
            device,
            name: format!("\\\\.\\{}", device_name(last)),
        });
    }
    push_components(&mut components, rest)?;
    Ok(FullPath::Drive {
        drive,
        components,
        trailing_separator: rest.ends_with('\\'),
    })
}

/// NT's case-insensitive name comparison (upper-casing both, as NT's upcase table does).
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_uppercase)
        .eq(b.chars().flat_map(char::to_uppercase))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cwd(s: &[&str]) -> CurrentDirectory {
        CurrentDirectory {
            drive: 'C',
            components: s.iter().map(|c| c.to_string()).collect(),
        }
    }

    fn full(c: &[&str], p: &str) -> String {
        full_path(&cwd(c), p)
            .map(|f| f.display())
            .unwrap_or_else(|e| format!("error {}", e.0))
    }

    #[test]
    fn full_path_follows_nt_rules() {
        let here = ["dir", "sub"];
        assert_eq!(full(&here, "a.txt"), "C:\\dir\\sub\\a.txt");
        assert_eq!(full(&here, "./a.txt"), "C:\\dir\\sub\\a.txt");
        assert_eq!(full(&here, "..\\a.txt"), "C:\\dir\\a.txt");
        assert_eq!(full(&here, "..\\..\\..\\..\\marker"), "C:\\marker");
        assert_eq!(full(&here, "C:\\..\\..\\marker"), "C:\\marker");
        assert_eq!(full(&here, "\\x\\y"), "C:\\x\\y");
        assert_eq!(full(&here, "/tmp/marker"), "C:\\tmp\\marker");
        assert_eq!(full(&here, "c:x"), "C:\\dir\\sub\\x");
        assert_eq!(full(&here, "D:x"), "D:\\x");
        assert_eq!(full(&here, "C:\\a\\\\b\\"), "C:\\a\\b\\");
        assert_eq!(full(&here, "name. . ."), "C:\\dir\\sub\\name");
        assert_eq!(full(&here, "a.\\b"), "C:\\dir\\sub\\a\\b");
        assert_eq!(full(&here, "C:\\"), "C:\\");
        assert_eq!(full(&here, "."), "C:\\dir\\sub");
        assert_eq!(full(&here, "\\\\server\\share\\f"), "\\\\server\\share\\f");
        assert_eq!(full(&here, "a<b"), "error 123");
        assert_eq!(full(&here, ""), "error 3");
        assert_eq!(full(&here, "\\\\?\\C:\\x\\..\\y"), "error 123");
        assert_eq!(full(&here, "\\\\?\\C:\\x\\y"), "C:\\x\\y");
    }

    #[test]
    fn devices_in_any_directory_with_any_extension() {
        for (name, device) in [
            ("NUL", DosDevice::Null),
            ("nul.txt", DosDevice::Null),
            ("C:\\no\\such\\dir\\con", DosDevice::Console),
            ("con .log", DosDevice::Console),
            ("CONIN$", DosDevice::ConsoleInput),
            ("conout$", DosDevice::ConsoleOutput),
            ("COM1", DosDevice::Null),
            ("lpt9.x", DosDevice::Null),
            ("AUX", DosDevice::Null),
            ("prn", DosDevice::Null),
            ("\\\\.\\NUL", DosDevice::Null),
        ] {
            match full_path(&cwd(&[]), name) {
                Ok(FullPath::Device { device: d, .. }) => assert_eq!(d, device, "{name}"),
                other => panic!("{name}: {other:?}"),
            }
        }
        assert_eq!(full(&[], "nul"), "\\\\.\\nul");
        assert_eq!(full(&["x"], "C:\\dir\\Con .txt"), "\\\\.\\Con");
        assert_eq!(full(&[], "conout$"), "\\\\.\\conout$");
        for not_device in ["COM0", "LPT10", "console", "nul2", "xcon"] {
            assert!(
                matches!(full_path(&cwd(&[]), not_device), Ok(FullPath::Drive { .. })),
                "{not_device}"
            );
        }
    }
}
