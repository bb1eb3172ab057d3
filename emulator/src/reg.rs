//! `ntemu reg`: the registry of a drive C: from the host, as NT's reg.exe and regedit see it.
//!
//! ```text
//! ntemu reg query KEY [/v NAME | /ve] [/s]
//! ntemu reg add KEY [/v NAME | /ve] [/t TYPE] [/s SEPARATOR] [/d DATA] [/f]
//! ntemu reg delete KEY [/v NAME | /ve | /va] [/f]
//! ntemu reg export KEY FILE.reg [/y]
//! ntemu reg import FILE.reg
//! ```
//!
//! KEY begins with a root's name or abbreviation (HKLM, HKCU, HKCR, HKU, HKCC). Options take
//! `/x` or `-x`. `--root DIR` names the drive C: as `ntemu run --root` does (default: the
//! per-user drive). Changes are written at once, merged with what a running machine wrote.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ntemu::registry::value::{
    REG_DWORD, REG_DWORD_BIG_ENDIAN, REG_EXPAND_SZ, REG_MULTI_SZ, REG_SZ, type_from_name,
    type_name, utf16_units,
};
use ntemu::registry::{
    Identity, KeyId, Processor, Registry, RegistryError, RootKey, SystemDrive, Value,
};

/// A failure of a reg command: its message and exit status.
struct Failure {
    message: String,
    status: u8,
}

fn usage(message: impl Into<String>) -> Failure {
    Failure {
        message: message.into(),
        status: 2,
    }
}

fn failed(message: impl Into<String>) -> Failure {
    Failure {
        message: message.into(),
        status: 1,
    }
}

/// The parsed options of a reg command.
#[derive(Default)]
struct Options {
    positional: Vec<String>,
    value: Option<String>,
    empty_value: bool,
    all_values: bool,
    kind: Option<String>,
    separator: Option<String>,
    data: Option<String>,
    recursive: bool,
    root: Option<PathBuf>,
}

/// reg.exe's options: /v NAME, /ve, /va, /t TYPE, /s (recursion, or the separator of add),
/// /d DATA, /f and /y (never ask).
const OPTIONS: [&str; 8] = ["v", "ve", "va", "t", "s", "d", "f", "y"];

fn parse(args: &[String]) -> Result<Options, Failure> {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if let Some(dir) = a.strip_prefix("--root=") {
            o.root = Some(PathBuf::from(dir));
            continue;
        }
        if a == "--root" {
            let dir = it.next().ok_or_else(|| usage("reg: --root needs a DIR"))?;
            o.root = Some(PathBuf::from(dir));
            continue;
        }
        // An option is one of reg.exe's words after `/` or `-`; anything else (a host path
        // such as /tmp/out.reg) is an argument.
        let flag = a
            .strip_prefix('/')
            .or_else(|| a.strip_prefix('-'))
            .filter(|f| OPTIONS.contains(&f.to_ascii_lowercase().as_str()));
        let Some(flag) = flag else {
            o.positional.push(a.clone());
            continue;
        };
        let mut take = |what: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| usage(format!("reg: /{what} needs a value")))
        };
        match flag.to_ascii_lowercase().as_str() {
            "v" => o.value = Some(take("v")?),
            "ve" => o.empty_value = true,
            "va" => o.all_values = true,
            "t" => o.kind = Some(take("t")?),
            "s" => match o.separator {
                // `/s` is recursion for query and the separator for add.
                _ if args
                    .first()
                    .is_some_and(|c| c.eq_ignore_ascii_case("query")) =>
                {
                    o.recursive = true;
                }
                _ => o.separator = Some(take("s")?),
            },
            "d" => o.data = Some(take("d")?),
            _ => {}
        }
    }
    Ok(o)
}

/// Runs `ntemu reg ARGS...`; `default_root` gives the per-user drive C: when `--root` is
/// not given.
pub fn run(args: &[String], default_root: impl FnOnce() -> Result<PathBuf, String>) -> ExitCode {
    match execute(args, default_root) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("ntemu: {}", f.message.replace(['\n', '\r'], " "));
            ExitCode::from(f.status)
        }
    }
}

fn execute(
    args: &[String],
    default_root: impl FnOnce() -> Result<PathBuf, String>,
) -> Result<(), Failure> {
    let o = parse(args)?;
    let Some((command, rest)) = o.positional.split_first() else {
        return Err(usage(
            "reg: expected query, add, delete, export or import (see ntemu reg --help)",
        ));
    };
    let root = match &o.root {
        Some(r) => {
            if !r.is_dir() {
                return Err(usage(format!(
                    "reg: --root {}: not a directory",
                    r.display()
                )));
            }
            r.clone()
        }
        None => default_root().map_err(usage)?,
    };
    let drive = SystemDrive::open(&root, false)
        .map_err(|e| usage(format!("reg: cannot open {}: {e}", root.display())))?;
    let mut registry = Registry::open(Identity::new(&ntemu::logon_user()), Some(drive));
    report(&mut registry);
    let result = match command.to_ascii_lowercase().as_str() {
        "query" => query(&mut registry, rest, &o),
        "add" => add(&mut registry, rest, &o),
        "delete" => delete(&mut registry, rest, &o),
        "export" => export(&registry, rest),
        "import" => import(&mut registry, rest),
        other => Err(usage(format!(
            "reg: unknown command {other:?} (query, add, delete, export, import)"
        ))),
    };
    registry.flush_all();
    report(&mut registry);
    result
}

fn report(registry: &mut Registry) {
    for m in registry.take_messages() {
        eprintln!("ntemu: {m}");
    }
}

/// A key named on the command line: its root and path below.
fn key_name(text: &str) -> Result<(RootKey, String), Failure> {
    let text = text.trim_end_matches('\\');
    let (root, rest) = text.split_once('\\').unwrap_or((text, ""));
    let root = RootKey::parse(root).ok_or_else(|| {
        usage(format!(
            "reg: {text}: a key begins with HKLM, HKCU, HKCR, HKU or HKCC (or their full names)"
        ))
    })?;
    Ok((root, rest.to_string()))
}

fn one_key(rest: &[String]) -> Result<&str, Failure> {
    match rest {
        [k] => Ok(k),
        [] => Err(usage("reg: a KEY is needed")),
        _ => Err(usage(format!("reg: one KEY only, not {}", rest.join(" ")))),
    }
}

fn describe(e: &RegistryError) -> String {
    match e {
        RegistryError::NotFound => "the key or value does not exist".into(),
        e => e.to_string(),
    }
}

/// Opens a key; its display path is built from the names the registry keeps.
fn open(registry: &Registry, root: RootKey, path: &str) -> Result<(KeyId, String), Failure> {
    let mut key = registry
        .root_key(root)
        .map_err(|e| failed(format!("reg: {}: {}", root.name(), describe(&e))))?;
    let mut shown = root.name().to_string();
    for part in path.split('\\').filter(|p| !p.is_empty()) {
        key = registry
            .open_key(key, part, Processor::X86)
            .map_err(|e| failed(format!("reg: {shown}\\{part}: {}", describe(&e))))?;
        shown.push('\\');
        shown.push_str(registry.key_name(key).unwrap_or(part));
    }
    Ok((key, shown))
}

/// A value's data as reg.exe shows it.
fn show_data(v: &Value) -> String {
    match v.kind {
        REG_SZ | REG_EXPAND_SZ => v.text().unwrap_or_default(),
        REG_MULTI_SZ => {
            let units = utf16_units(&v.data);
            let text = String::from_utf16_lossy(&units);
            text.trim_end_matches('\0')
                .split('\0')
                .collect::<Vec<_>>()
                .join("\\0")
        }
        REG_DWORD | REG_DWORD_BIG_ENDIAN if v.data.len() == 4 => {
            format!("0x{:x}", v.as_dword().unwrap_or(0))
        }
        _ => v.data.iter().map(|b| format!("{b:02X}")).collect(),
    }
}

fn show_type(kind: u32) -> String {
    type_name(kind).map_or_else(|| format!("0x{kind:x}"), str::to_string)
}

fn print_key(
    registry: &Registry,
    key: KeyId,
    shown: &str,
    o: &Options,
    recursive: bool,
) -> Result<(), Failure> {
    println!();
    println!("{shown}");
    let values: Vec<Value> = (0..)
        .map_while(|i| registry.enum_value(key, i).ok().cloned())
        .collect();
    for v in &values {
        let wanted = match (&o.value, o.empty_value) {
            (Some(name), _) => ntemu::registry::value::same_name(&v.name, name),
            (None, true) => v.name.is_empty(),
            (None, false) => true,
        };
        if wanted {
            let name = if v.name.is_empty() {
                "(Default)"
            } else {
                &v.name
            };
            println!("    {name}    {}    {}", show_type(v.kind), show_data(v));
        }
    }
    let subkeys: Vec<String> = (0..)
        .map_while(|i| registry.enum_key(key, i).ok().map(|s| s.name))
        .collect();
    if recursive {
        for s in subkeys {
            let child = registry
                .open_key(key, &s, Processor::X86)
                .map_err(|e| failed(format!("reg: {shown}\\{s}: {}", describe(&e))))?;
            print_key(registry, child, &format!("{shown}\\{s}"), o, true)?;
        }
    } else if o.value.is_none() && !o.empty_value {
        println!();
        for s in subkeys {
            println!("{shown}\\{s}");
        }
    }
    Ok(())
}

fn query(registry: &mut Registry, rest: &[String], o: &Options) -> Result<(), Failure> {
    let (root, path) = key_name(one_key(rest)?)?;
    let (key, shown) = open(registry, root, &path)?;
    if let Some(name) = &o.value
        && registry.query_value(key, name).is_err()
    {
        return Err(failed(format!("reg: {shown}: no value named {name:?}")));
    }
    print_key(registry, key, &shown, o, o.recursive)
}

/// The data of `reg add /t TYPE /d DATA`.
fn data_of(kind: u32, text: &str, separator: &str) -> Result<Vec<u8>, Failure> {
    let utf16z = |t: &str| -> Vec<u8> {
        t.encode_utf16()
            .chain(std::iter::once(0))
            .flat_map(u16::to_le_bytes)
            .collect()
    };
    Ok(match kind {
        REG_SZ | REG_EXPAND_SZ => utf16z(text),
        REG_MULTI_SZ => {
            let mut out = Vec::new();
            if !text.is_empty() {
                for part in text.split(separator) {
                    out.extend(utf16z(part));
                }
            }
            out.extend([0, 0]);
            out
        }
        REG_DWORD | REG_DWORD_BIG_ENDIAN => {
            let n = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
                Some(hex) => u32::from_str_radix(hex, 16),
                None => text.parse::<u32>(),
            }
            .map_err(|_| usage(format!("reg: {text:?} is not a 32-bit number")))?;
            if kind == REG_DWORD {
                n.to_le_bytes().to_vec()
            } else {
                n.to_be_bytes().to_vec()
            }
        }
        _ => {
            if !text.is_ascii() || !text.len().is_multiple_of(2) {
                return Err(usage(format!(
                    "reg: {text:?}: binary data is pairs of hex digits"
                )));
            }
            (0..text.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&text[i..i + 2], 16))
                .collect::<Result<_, _>>()
                .map_err(|_| usage(format!("reg: {text:?}: binary data is pairs of hex digits")))?
        }
    })
}

fn add(registry: &mut Registry, rest: &[String], o: &Options) -> Result<(), Failure> {
    let (root, path) = key_name(one_key(rest)?)?;
    let base = registry
        .root_key(root)
        .map_err(|e| failed(format!("reg: {}: {}", root.name(), describe(&e))))?;
    let options = ntemu::registry::CreateOptions {
        intermediate: true,
        ..Default::default()
    };
    let (key, _) = registry
        .create_key(base, &path, Processor::X86, &options)
        .map_err(|e| failed(format!("reg: {}\\{path}: {}", root.name(), describe(&e))))?;
    if o.value.is_some() || o.empty_value || o.data.is_some() {
        let kind = match &o.kind {
            Some(t) => type_from_name(t).ok_or_else(|| {
                usage(format!("reg: unknown type {t:?} (REG_SZ, REG_DWORD, ...)"))
            })?,
            None => REG_SZ,
        };
        let data = data_of(
            kind,
            o.data.as_deref().unwrap_or(""),
            o.separator.as_deref().unwrap_or("\\0"),
        )?;
        let name = o.value.clone().unwrap_or_default();
        registry
            .set_value(key, Value { name, kind, data })
            .map_err(|e| failed(format!("reg: {}", describe(&e))))?;
    }
    registry
        .flush(key)
        .map_err(|e| failed(format!("reg: cannot write the hive: {e}")))?;
    println!("The operation completed successfully.");
    Ok(())
}

fn delete(registry: &mut Registry, rest: &[String], o: &Options) -> Result<(), Failure> {
    let (root, path) = key_name(one_key(rest)?)?;
    let (key, shown) = open(registry, root, &path)?;
    let r = if let Some(name) = &o.value {
        registry.delete_value(key, name)
    } else if o.empty_value {
        registry.delete_value(key, "")
    } else if o.all_values {
        let names: Vec<String> = (0..)
            .map_while(|i| registry.enum_value(key, i).ok().map(|v| v.name.clone()))
            .collect();
        names.iter().try_for_each(|n| registry.delete_value(key, n))
    } else {
        registry.delete_tree(key)
    };
    r.map_err(|e| failed(format!("reg: {shown}: {}", describe(&e))))?;
    registry.flush_all();
    println!("The operation completed successfully.");
    Ok(())
}

fn export(registry: &Registry, rest: &[String]) -> Result<(), Failure> {
    let [key, file] = rest else {
        return Err(usage("reg: export needs KEY and FILE"));
    };
    let (root, path) = key_name(key)?;
    let (id, shown) = open(registry, root, &path)?;
    let bytes = registry
        .export(id, &shown)
        .map_err(|e| failed(format!("reg: {shown}: {}", describe(&e))))?;
    write_file(Path::new(file), &bytes)?;
    println!("The operation completed successfully.");
    Ok(())
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes)
        .map_err(|e| failed(format!("reg: cannot write {}: {e}", path.display())))
}

fn import(registry: &mut Registry, rest: &[String]) -> Result<(), Failure> {
    let [file] = rest else {
        return Err(usage("reg: import needs one FILE"));
    };
    let meta =
        std::fs::metadata(file).map_err(|e| failed(format!("reg: cannot read {file}: {e}")))?;
    if !meta.is_file() || meta.len() > ntemu::registry::regfile::MAX_FILE as u64 {
        return Err(failed(format!("reg: {file}: not a .reg file")));
    }
    let bytes = std::fs::read(file).map_err(|e| failed(format!("reg: cannot read {file}: {e}")))?;
    registry
        .import(&bytes)
        .map_err(|e| failed(format!("reg: {file}: {e}")))?;
    registry.flush_all();
    println!("The operation completed successfully.");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_data_is_hex_pairs_and_rejects_other_text() {
        assert_eq!(
            data_of(ntemu::registry::value::REG_BINARY, "0aFF10", "\\0").ok(),
            Some(vec![0x0a, 0xff, 0x10])
        );
        // A multi-byte character would split inside it when sliced by pairs.
        assert!(data_of(ntemu::registry::value::REG_BINARY, "é0", "\\0").is_err());
        assert!(data_of(ntemu::registry::value::REG_BINARY, "abc", "\\0").is_err());
        assert!(data_of(ntemu::registry::value::REG_BINARY, "zz", "\\0").is_err());
        assert_eq!(
            data_of(REG_DWORD_BIG_ENDIAN, "0x01020304", "\\0").ok(),
            Some(vec![1, 2, 3, 4])
        );
    }
}
