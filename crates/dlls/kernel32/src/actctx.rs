//! Activation contexts (CreateActCtxA/W, ActivateActCtx, DeactivateActCtx, GetCurrentActCtx,
//! AddRefActCtx, ReleaseActCtx): Windows XP's side-by-side assemblies, which NT 4.0 does not
//! have.
//!
//! NT 4.0's KERNEL32 exports none of these, so GetProcAddress does not find them and a
//! program built for NT 4.0 never sees them; ntemu implements a small real version for
//! programs built for later Windows that import them. A context is made from a manifest file
//! (the `lpSource` of the ACTCTX): the file must hold a well-formed assembly manifest (an
//! `assembly` root of the asm.v1 namespace with `manifestVersion="1.0"` and an
//! `assemblyIdentity` naming it), and each assembly it depends on must be found beside it
//! (`NAME.manifest`, `NAME\NAME.manifest` or `NAME.dll`), except Windows' own assemblies
//! (`Microsoft.Windows.*`), which ntemu's builtin DLLs stand for. Resolution happens when the
//! context is made, so the files may go away afterwards. No redirection of DLLs, window
//! classes or COM servers follows from a context: it is an object with a reference count.
//!
//! Each thread has a stack of activations; ActivateActCtx pushes one (holding a reference)
//! and gives its cookie, DeactivateActCtx pops it: a cookie that is not the top raises
//! STATUS_SXS_EARLY_DEACTIVATION (unless DEACTIVATE_ACTCTX_FLAG_FORCE_EARLY_DEACTIVATION
//! pops down to it), one that is not on the stack STATUS_SXS_INVALID_DEACTIVATION, as XP
//! does. A thread created in the same process starts with its creator's active context.
//! A context's handle is a value of its own (never a kernel handle) that stays unique in the
//! process while the context lives.

use std::collections::BTreeMap;

use nt_status::{NtStatus, Win32Error};
use win32::{ApiCall, ApiReturn, PerProcess, Ptr, export};

use crate::guestfile::guest_file;

/// INVALID_HANDLE_VALUE.
const INVALID_HANDLE_VALUE: u32 = u32::MAX;
/// The ACTCTX_FLAG_* bits XP defines.
const ACTCTX_FLAGS_VALID: u32 = 0xFF;
/// ACTCTX_FLAG_RESOURCE_NAME_VALID.
const ACTCTX_FLAG_RESOURCE_NAME_VALID: u32 = 0x08;
/// ACTCTX_FLAG_HMODULE_VALID.
const ACTCTX_FLAG_HMODULE_VALID: u32 = 0x80;
/// ACTCTX_FLAG_SOURCE_IS_ASSEMBLYREF.
const ACTCTX_FLAG_SOURCE_IS_ASSEMBLYREF: u32 = 0x40;
/// DEACTIVATE_ACTCTX_FLAG_FORCE_EARLY_DEACTIVATION.
const FORCE_EARLY_DEACTIVATION: u32 = 1;
/// The first handle value: above the user address space, so no handle is ever an address
/// the guest can use, nor a kernel handle.
const FIRST_HANDLE: u32 = 0x8ACC_0000;
/// The longest manifest read (a manifest is a few kilobytes).
const MAX_MANIFEST: usize = 1 << 20;
/// The longest file name read from an ACTCTX.
const MAX_PATH_UNITS: usize = 0x8000;

/// One activation of a thread: its cookie and the context (0: the process default).
#[derive(Clone, Copy, Debug)]
struct Frame {
    cookie: u32,
    context: u32,
}

/// A process's contexts and its threads' activation stacks.
#[derive(Default)]
struct Contexts {
    /// Each live context's reference count.
    refs: BTreeMap<u32, u32>,
    next_handle: u32,
    next_cookie: u32,
    /// Each thread's activations, the top last.
    stacks: BTreeMap<u32, Vec<Frame>>,
}

impl Contexts {
    fn add_ref(&mut self, context: u32) {
        if let Some(r) = self.refs.get_mut(&context) {
            *r = r.saturating_add(1);
        }
    }

    fn release(&mut self, context: u32) {
        if let Some(r) = self.refs.get_mut(&context) {
            *r -= 1;
            if *r == 0 {
                self.refs.remove(&context);
            }
        }
    }

    fn active(&self, tid: u32) -> u32 {
        self.stacks
            .get(&tid)
            .and_then(|s| s.last())
            .map_or(0, |f| f.context)
    }
}

#[derive(Default)]
struct ActCtxState(PerProcess<Contexts>);

fn contexts<'a>(call: &'a mut ApiCall<'_>) -> Option<&'a mut Contexts> {
    let pid = call.thread.process;
    let object = call.process_object()?;
    Some(
        call.state
            .get::<ActCtxState>()
            .0
            .get_or_default(pid, &object),
    )
}

/// Called when thread `tid` of the calling process was just made: it starts with the
/// caller's active context (and none when the caller has none).
pub fn thread_created(call: &mut ApiCall<'_>, tid: u32) {
    let me = call.thread.thread;
    let Some(c) = contexts(call) else { return };
    let old = c.stacks.remove(&tid).unwrap_or_default();
    for f in old {
        c.release(f.context);
    }
    let active = c.active(me);
    if active != 0 {
        c.add_ref(active);
        c.next_cookie = c.next_cookie.wrapping_add(1).max(1);
        let cookie = c.next_cookie;
        c.stacks.insert(
            tid,
            vec![Frame {
                cookie,
                context: active,
            }],
        );
    }
}

/// CreateActCtxA(pActCtx): as CreateActCtxW with an ANSI ACTCTXA.
#[export]
fn CreateActCtxA(call: &mut ApiCall<'_>, pActCtx: Ptr) -> ApiReturn {
    create(call, pActCtx, false)
}

/// CreateActCtxW(pActCtx): a context from the manifest file `lpSource`; INVALID_HANDLE_VALUE
/// with ERROR_INVALID_PARAMETER for a bad ACTCTX, the file's error when it cannot be read,
/// ERROR_SXS_CANT_GEN_ACTCTX for a manifest that is not well formed or names an assembly
/// that cannot be found, ERROR_RESOURCE_TYPE_NOT_FOUND for a manifest asked for from a
/// module's resources (which ntemu does not read).
#[export]
fn CreateActCtxW(call: &mut ApiCall<'_>, pActCtx: Ptr) -> ApiReturn {
    create(call, pActCtx, true)
}

fn create(call: &mut ApiCall<'_>, at: Ptr, wide: bool) -> ApiReturn {
    let invalid = |call: &mut ApiCall<'_>| {
        call.fail_win32(Win32Error::INVALID_PARAMETER, INVALID_HANDLE_VALUE)
    };
    if at.is_null() {
        return invalid(call);
    }
    let Ok(head) = call.read_bytes(at.0, 12) else {
        return invalid(call);
    };
    let word = |i: usize| u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
    let (size, flags, source) = (word(0), word(4), word(8));
    // ACTCTX up to hModule: 32 bytes.
    if size < 32 || flags & !ACTCTX_FLAGS_VALID != 0 {
        return invalid(call);
    }
    if flags & ACTCTX_FLAG_SOURCE_IS_ASSEMBLYREF != 0 {
        return invalid(call);
    }
    if flags & (ACTCTX_FLAG_RESOURCE_NAME_VALID | ACTCTX_FLAG_HMODULE_VALID) != 0 {
        return call.fail_win32(Win32Error::RESOURCE_TYPE_NOT_FOUND, INVALID_HANDLE_VALUE);
    }
    if source == 0 {
        return invalid(call);
    }
    let name = if wide {
        call.read_wide_units(source, MAX_PATH_UNITS)
            .map(|u| String::from_utf16_lossy(&u))
    } else {
        call.read_c_string(source, MAX_PATH_UNITS)
    };
    let Ok(name) = name else {
        return invalid(call);
    };
    if name.is_empty() {
        return invalid(call);
    }
    if let Err(e) = load_manifest(call, &name) {
        return call.fail_win32(e, INVALID_HANDLE_VALUE);
    }
    let Some(c) = contexts(call) else {
        return invalid(call);
    };
    // A value no live context has.
    let mut handle = FIRST_HANDLE.wrapping_add(c.next_handle.wrapping_mul(0x10));
    while c.refs.contains_key(&handle) {
        c.next_handle = c.next_handle.wrapping_add(1) & 0x07FF_FFFF;
        handle = FIRST_HANDLE.wrapping_add(c.next_handle.wrapping_mul(0x10));
    }
    c.next_handle = c.next_handle.wrapping_add(1) & 0x07FF_FFFF;
    c.refs.insert(handle, 1);
    ApiReturn::Value(handle)
}

/// ERROR_SXS_CANT_GEN_ACTCTX.
fn cant_generate() -> Win32Error {
    NtStatus::SXS_CANT_GEN_ACTCTX.to_win32_error()
}

/// Reads and checks the manifest `name` and the assemblies it depends on.
fn load_manifest(call: &ApiCall<'_>, name: &str) -> Result<(), Win32Error> {
    let file = guest_file(call, name)?;
    let bytes = file.read()?.ok_or(Win32Error::FILE_NOT_FOUND)?;
    let manifest =
        manifest::parse(&bytes[..bytes.len().min(MAX_MANIFEST)]).ok_or_else(cant_generate)?;
    let path = file.path().to_string();
    let dir = path.rsplit_once('\\').map_or("", |(d, _)| d);
    for dep in &manifest.dependencies {
        if dep.to_ascii_lowercase().starts_with("microsoft.windows.") {
            continue;
        }
        if !dependency_found(call, dir, dep) {
            return Err(cant_generate());
        }
    }
    Ok(())
}

/// Whether assembly `name` is found beside a manifest in `dir`.
fn dependency_found(call: &ApiCall<'_>, dir: &str, name: &str) -> bool {
    if name.contains(['\\', '/', ':']) || name.is_empty() {
        return false;
    }
    for candidate in [
        format!("{dir}\\{name}.manifest"),
        format!("{dir}\\{name}\\{name}.manifest"),
    ] {
        if let Ok(Some(bytes)) = guest_file(call, &candidate).and_then(|f| f.read()) {
            return manifest::parse(&bytes[..bytes.len().min(MAX_MANIFEST)])
                .is_some_and(|m| m.name.eq_ignore_ascii_case(name));
        }
    }
    guest_file(call, &format!("{dir}\\{name}.dll")).is_ok_and(|f| f.exists())
}

/// GetCurrentActCtx(lphActCtx): the calling thread's active context (NULL for none) with a
/// reference for the caller, TRUE; ERROR_INVALID_PARAMETER for a NULL pointer.
#[export]
fn GetCurrentActCtx(call: &mut ApiCall<'_>, lphActCtx: Ptr) -> ApiReturn {
    if lphActCtx.is_null() {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    let me = call.thread.thread;
    let active = contexts(call).map_or(0, |c| c.active(me));
    if call.write_u32(lphActCtx.0, active).is_err() {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    if let Some(c) = contexts(call) {
        c.add_ref(active);
    }
    ApiReturn::Value(1)
}

/// ActivateActCtx(hActCtx, lpCookie): makes `hActCtx` (NULL: the process default) the calling
/// thread's active context and gives the cookie that deactivates it; ERROR_INVALID_PARAMETER
/// for a NULL lpCookie, ERROR_INVALID_HANDLE for a value that names no context.
#[export]
fn ActivateActCtx(call: &mut ApiCall<'_>, hActCtx: u32, lpCookie: Ptr) -> ApiReturn {
    if lpCookie.is_null() {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    let me = call.thread.thread;
    let Some(c) = contexts(call) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let context = if hActCtx == INVALID_HANDLE_VALUE {
        0
    } else {
        hActCtx
    };
    if context != 0 && !c.refs.contains_key(&context) {
        return call.fail_win32(Win32Error::INVALID_HANDLE, 0);
    }
    let cookie = c.next_cookie.wrapping_add(1).max(1);
    if call.write_u32(lpCookie.0, cookie).is_err() {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    let Some(c) = contexts(call) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    c.next_cookie = cookie;
    c.add_ref(context);
    c.stacks
        .entry(me)
        .or_default()
        .push(Frame { cookie, context });
    ApiReturn::Value(1)
}

/// DeactivateActCtx(dwFlags, ulCookie): ends the activation `ulCookie` of the calling thread,
/// TRUE. A cookie below the top raises STATUS_SXS_EARLY_DEACTIVATION (with
/// DEACTIVATE_ACTCTX_FLAG_FORCE_EARLY_DEACTIVATION it ends the activations above it too), a
/// cookie not on the thread's stack STATUS_SXS_INVALID_DEACTIVATION; other flags fail with
/// ERROR_INVALID_PARAMETER.
#[export]
fn DeactivateActCtx(call: &mut ApiCall<'_>, dwFlags: u32, ulCookie: u32) -> ApiReturn {
    if dwFlags & !FORCE_EARLY_DEACTIVATION != 0 {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    }
    let me = call.thread.thread;
    let Some(c) = contexts(call) else {
        return call.fail_win32(Win32Error::INVALID_PARAMETER, 0);
    };
    let stack = c.stacks.entry(me).or_default();
    let Some(at) = stack.iter().rposition(|f| f.cookie == ulCookie) else {
        return ntdll::seh::raise_from_call(call, NtStatus::SXS_INVALID_DEACTIVATION, &[], 2, 0);
    };
    if at + 1 != stack.len() && dwFlags & FORCE_EARLY_DEACTIVATION == 0 {
        return ntdll::seh::raise_from_call(call, NtStatus::SXS_EARLY_DEACTIVATION, &[], 2, 0);
    }
    let popped: Vec<Frame> = stack.drain(at..).collect();
    for f in popped {
        c.release(f.context);
    }
    ApiReturn::Value(1)
}

/// AddRefActCtx(hActCtx): one more reference to the context (nothing for NULL or a value
/// that names none).
#[export]
fn AddRefActCtx(call: &mut ApiCall<'_>, hActCtx: u32) {
    if let Some(c) = contexts(call) {
        c.add_ref(hActCtx);
    }
}

/// ReleaseActCtx(hActCtx): drops a reference; the context ends with its last one.
#[export]
fn ReleaseActCtx(call: &mut ApiCall<'_>, hActCtx: u32) {
    if let Some(c) = contexts(call) {
        c.release(hActCtx);
    }
}

/// The little of XML an assembly manifest needs: elements, attributes, comments, the
/// declaration; enough to tell a well-formed manifest and read its identity and
/// dependencies.
mod manifest {
    /// What a manifest says.
    #[derive(Debug, PartialEq, Eq)]
    pub struct Manifest {
        /// assemblyIdentity's name.
        pub name: String,
        /// The names of the assemblies it depends on.
        pub dependencies: Vec<String>,
    }

    /// The manifest's text: UTF-8 (with or without its BOM) or UTF-16LE with its BOM.
    fn text(bytes: &[u8]) -> Option<String> {
        if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
            let units: Vec<u16> = rest
                .chunks_exact(2)
                .map(|p| u16::from_le_bytes([p[0], p[1]]))
                .collect();
            return String::from_utf16(&units).ok();
        }
        let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
        std::str::from_utf8(bytes).ok().map(str::to_string)
    }

    struct Element {
        name: String,
        attributes: Vec<(String, String)>,
    }

    impl Element {
        fn attribute(&self, name: &str) -> Option<&str> {
            self.attributes
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        }

        /// The name without a namespace prefix.
        fn local(&self) -> &str {
            self.name.rsplit(':').next().unwrap_or(&self.name)
        }
    }

    fn is_name_char(c: char) -> bool {
        c.is_alphanumeric() || matches!(c, '_' | ':' | '-' | '.')
    }

    /// Parses an element's start tag after its '<': the element, whether it closes itself,
    /// and the rest of the text.
    fn start_tag(s: &str) -> Option<(Element, bool, &str)> {
        let end = s.find(|c: char| !is_name_char(c))?;
        if end == 0 {
            return None;
        }
        let mut e = Element {
            name: s[..end].to_string(),
            attributes: Vec::new(),
        };
        let mut rest = &s[end..];
        loop {
            let trimmed = rest.trim_start();
            let spaced = trimmed.len() != rest.len();
            rest = trimmed;
            if let Some(r) = rest.strip_prefix("/>") {
                return Some((e, true, r));
            }
            if let Some(r) = rest.strip_prefix('>') {
                return Some((e, false, r));
            }
            if !spaced {
                return None;
            }
            let n = rest.find(|c: char| !is_name_char(c))?;
            if n == 0 {
                return None;
            }
            let name = rest[..n].to_string();
            rest = rest[n..].trim_start().strip_prefix('=')?.trim_start();
            let quote = rest.chars().next().filter(|q| *q == '"' || *q == '\'')?;
            rest = &rest[1..];
            let close = rest.find(quote)?;
            let value = rest[..close].to_string();
            if value.contains('<') || e.attributes.iter().any(|(n, _)| *n == name) {
                return None;
            }
            e.attributes.push((name, value));
            rest = &rest[close + 1..];
        }
    }

    /// A four-part version (`1.2.3.4`, each part 0..=65535).
    fn is_version(v: &str) -> bool {
        let parts: Vec<&str> = v.split('.').collect();
        parts.len() == 4
            && parts.iter().all(|p| {
                !p.is_empty() && p.len() <= 5 && p.parse::<u32>().is_ok_and(|n| n <= 0xFFFF)
            })
    }

    /// The manifest in `bytes`, or None when it is not a well-formed assembly manifest.
    pub fn parse(bytes: &[u8]) -> Option<Manifest> {
        let text = text(bytes)?;
        let mut s = text.as_str().trim_start();
        if let Some(r) = s.strip_prefix("<?xml") {
            s = &r[r.find("?>")? + 2..];
        }
        let mut open: Vec<String> = Vec::new();
        let mut identity: Option<String> = None;
        let mut dependencies = Vec::new();
        let mut root_seen = false;
        loop {
            let Some(lt) = s.find('<') else {
                if !s.trim().is_empty() || !open.is_empty() {
                    return None;
                }
                break;
            };
            if open.is_empty() && !s[..lt].trim().is_empty() {
                return None;
            }
            s = &s[lt + 1..];
            if let Some(r) = s.strip_prefix("!--") {
                s = &r[r.find("-->")? + 3..];
                continue;
            }
            if let Some(r) = s.strip_prefix("![CDATA[") {
                if open.is_empty() {
                    return None;
                }
                s = &r[r.find("]]>")? + 3..];
                continue;
            }
            if let Some(r) = s.strip_prefix("?") {
                s = &r[r.find("?>")? + 2..];
                continue;
            }
            if let Some(r) = s.strip_prefix('/') {
                let end = r.find('>')?;
                if open.pop()? != r[..end].trim_end() {
                    return None;
                }
                s = &r[end + 1..];
                continue;
            }
            let (e, closed, rest) = start_tag(s)?;
            s = rest;
            if open.is_empty() {
                if root_seen
                    || e.local() != "assembly"
                    || e.attribute("manifestVersion") != Some("1.0")
                    || e.attribute("xmlns") != Some("urn:schemas-microsoft-com:asm.v1")
                {
                    return None;
                }
                root_seen = true;
            } else if e.local() == "assemblyIdentity" {
                let name = e.attribute("name").filter(|n| !n.is_empty())?;
                if e.attribute("version").is_some_and(|v| !is_version(v)) {
                    return None;
                }
                let parent = open.last().map(|p| p.rsplit(':').next().unwrap_or(p));
                if open.len() == 1 {
                    if identity.is_some() {
                        return None;
                    }
                    identity = Some(name.to_string());
                } else if parent == Some("dependentAssembly") {
                    dependencies.push(name.to_string());
                }
            }
            if !closed {
                open.push(e.name);
            }
        }
        Some(Manifest {
            name: identity?,
            dependencies,
        })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        const MAIN: &str = "<?xml version=\"1.0\"?><assembly xmlns=\"urn:schemas-microsoft-com:asm.v1\" manifestVersion=\"1.0\"><assemblyIdentity version=\"1.2.3.4\" name=\"Main\" type=\"win32\"/><dependency><dependentAssembly><assemblyIdentity name=\"dep\" version=\"1.0.0.0\"/></dependentAssembly></dependency><!-- c --></assembly>";

        #[test]
        fn reads_identity_and_dependencies() {
            let m = parse(MAIN.as_bytes()).unwrap();
            assert_eq!(m.name, "Main");
            assert_eq!(m.dependencies, vec!["dep".to_string()]);
        }

        #[test]
        fn rejects_bad_manifests() {
            for bad in [
                "",
                "garbage",
                "<assembly manifestVersion=\"1.0\"><assemblyIdentity name=\"a\"/></assembly>",
                "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v1\" manifestVersion=\"2.0\"><assemblyIdentity name=\"a\"/></assembly>",
                "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v1\" manifestVersion=\"1.0\"></assembly>",
                "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v1\" manifestVersion=\"1.0\"><assemblyIdentity name=\"a\"/>",
                "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v1\" manifestVersion=\"1.0\"><assemblyIdentity name=\"a\" version=\"1.2\"/></assembly>",
                "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v1\" manifestVersion=\"1.0\"><x></y></assembly>",
            ] {
                assert_eq!(parse(bad.as_bytes()), None, "{bad}");
            }
        }

        #[test]
        fn reads_utf16_with_bom() {
            let mut b = vec![0xFF, 0xFE];
            for u in MAIN.encode_utf16() {
                b.extend_from_slice(&u.to_le_bytes());
            }
            assert_eq!(parse(&b).unwrap().name, "Main");
        }
    }
}
