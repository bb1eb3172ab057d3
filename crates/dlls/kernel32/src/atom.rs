//! Atoms: 16-bit values naming strings, in a local table per process (AddAtom, FindAtom,
//! DeleteAtom, GetAtomName, InitAtomTable) and a global table per machine (GlobalAddAtom
//! and friends), A and W alike.
//!
//! As on NT: integer atoms are 0x0001-0xBFFF, given as MAKEINTATOM(n) (a "string" pointer
//! below 0x10000) or as the string "#n" in decimal, and are never stored; string atoms are
//! 0xC000-0xFFFF, at most 255 characters, compared without regard to case (the case of the
//! first one added is kept), and counted: each AddAtom of a string adds a reference, each
//! DeleteAtom removes one, and the atom goes with its last reference. Errors: an integer atom
//! of 0xC000 or more, "#0", or a name longer than 255 characters is ERROR_INVALID_PARAMETER,
//! an empty name ERROR_INVALID_NAME, a name not in the table ERROR_FILE_NOT_FOUND, an atom not
//! in the table ERROR_INVALID_HANDLE.

use nt_status::{NtStatus, Win32Error};

use win32::codepage::CodePage;
use win32::{ApiCall, ApiReturn, PerProcess, Ptr, export};

/// The first string atom (MAXINTATOM).
const MAXINTATOM: u32 = 0xC000;
/// The longest atom name, in characters.
const MAX_NAME: usize = 255;

/// One string atom.
#[derive(Clone, Debug)]
struct Entry {
    /// The name as first added.
    name: Vec<u16>,
    /// The name upper-cased, for lookups.
    key: Vec<u16>,
    /// References: AddAtom calls not yet matched by DeleteAtom.
    references: u32,
}

/// An atom table: slot `n` holds atom 0xC000 + n.
#[derive(Clone, Debug, Default)]
pub(crate) struct AtomTable {
    slots: Vec<Option<Entry>>,
}

/// Upper-cases UTF-16 units one for one, as RtlUpcaseUnicodeChar compares atom names.
fn upcase(units: &[u16]) -> Vec<u16> {
    units
        .iter()
        .map(|&u| {
            char::from_u32(u32::from(u))
                .map(|c| {
                    let mut upper = c.to_uppercase();
                    match (upper.next(), upper.next()) {
                        (Some(one), None) => u16::try_from(u32::from(one)).unwrap_or(u),
                        _ => u,
                    }
                })
                .unwrap_or(u)
        })
        .collect()
}

/// What an atom argument turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
enum AtomName {
    /// An integer atom (1-0xBFFF).
    Integer(u16),
    /// MAKEINTATOM(0): no atom, and no error.
    Null,
    /// A string atom's name.
    Text(Vec<u16>),
}

/// Reads an atom name argument: MAKEINTATOM values below 0x10000, else a string in the
/// ANSI code page (`wide` false) or UTF-16. Checks it as NT's atom functions do.
fn atom_name(call: &ApiCall<'_>, ptr: Ptr, wide: bool) -> Result<AtomName, Win32Error> {
    let value = ptr.0;
    if value < 0x1_0000 {
        return match value {
            0 => Ok(AtomName::Null),
            v if v < MAXINTATOM => Ok(AtomName::Integer(v as u16)),
            _ => Err(Win32Error::INVALID_PARAMETER),
        };
    }
    // One more than the limit tells a long name from one of exactly 255 characters.
    let units: Vec<u16> = if wide {
        call.read_wide_units(value, MAX_NAME + 1)
            .map_err(|_| Win32Error::NOACCESS)?
    } else {
        let bytes = call
            .read_c_bytes(value, MAX_NAME + 1)
            .map_err(|_| Win32Error::NOACCESS)?;
        bytes.iter().map(|&b| CodePage::Ansi.decode(b)).collect()
    };
    parse_name(units)
}

/// Checks a name: "#n" with decimal digits only is the integer atom n (1-0xBFFF), longer than
/// 255 characters is ERROR_INVALID_PARAMETER, empty is ERROR_INVALID_NAME.
fn parse_name(units: Vec<u16>) -> Result<AtomName, Win32Error> {
    if units.len() > MAX_NAME {
        return Err(Win32Error::INVALID_PARAMETER);
    }
    if units.is_empty() {
        return Err(Win32Error::INVALID_NAME);
    }
    if units[0] == u16::from(b'#')
        && units.len() > 1
        && units[1..].iter().all(|&u| (0x30..=0x39).contains(&u))
    {
        let value = units[1..].iter().fold(0u32, |v, &u| {
            v.saturating_mul(10).saturating_add(u32::from(u - 0x30))
        });
        return match value {
            v if v > 0 && v < MAXINTATOM => Ok(AtomName::Integer(v as u16)),
            _ => Err(Win32Error::INVALID_PARAMETER),
        };
    }
    Ok(AtomName::Text(units))
}

impl AtomTable {
    fn find(&self, key: &[u16]) -> Option<usize> {
        self.slots
            .iter()
            .position(|s| s.as_ref().is_some_and(|e| e.key == key))
    }

    /// Adds a reference to the string atom `name`, making it in the lowest free slot when it
    /// is new; None when the table is full.
    fn add(&mut self, name: Vec<u16>) -> Option<u32> {
        let key = upcase(&name);
        if let Some(i) = self.find(&key) {
            if let Some(e) = self.slots[i].as_mut() {
                e.references = e.references.saturating_add(1);
            }
            return Some(MAXINTATOM + i as u32);
        }
        let entry = Entry {
            name,
            key,
            references: 1,
        };
        let i = match self.slots.iter().position(Option::is_none) {
            Some(i) => {
                self.slots[i] = Some(entry);
                i
            }
            None if self.slots.len() < (0x1_0000 - MAXINTATOM) as usize => {
                self.slots.push(Some(entry));
                self.slots.len() - 1
            }
            None => return None,
        };
        Some(MAXINTATOM + i as u32)
    }

    fn entry(&self, atom: u32) -> Option<&Entry> {
        let i = atom.checked_sub(MAXINTATOM)? as usize;
        self.slots.get(i)?.as_ref()
    }

    /// Removes a reference of string atom `atom`; false when there is no such atom.
    fn delete(&mut self, atom: u32) -> bool {
        let Some(i) = atom.checked_sub(MAXINTATOM).map(|i| i as usize) else {
            return false;
        };
        let Some(slot) = self.slots.get_mut(i) else {
            return false;
        };
        let Some(e) = slot.as_mut() else {
            return false;
        };
        e.references -= 1;
        if e.references == 0 {
            *slot = None;
        }
        true
    }
}

/// The atom tables of a machine: the global one and each process's local one.
#[derive(Default)]
struct Atoms {
    global: AtomTable,
    local: PerProcess<AtomTable>,
}

/// Which table a call uses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The calling process's (AddAtom...).
    Local,
    /// The machine's (GlobalAddAtom...).
    Global,
}

fn with_table<T>(call: &mut ApiCall<'_>, scope: Scope, f: impl FnOnce(&mut AtomTable) -> T) -> T {
    let pid = call.thread.process;
    let object = call.process_object();
    let atoms = call.state.get::<Atoms>();
    match (scope, object) {
        (Scope::Global, _) => f(&mut atoms.global),
        (Scope::Local, Some(object)) => f(atoms.local.get_or_default(pid, &object)),
        (Scope::Local, None) => f(&mut AtomTable::default()),
    }
}

fn add_atom(call: &mut ApiCall<'_>, scope: Scope, name: Ptr, wide: bool) -> ApiReturn {
    match atom_name(call, name, wide) {
        Ok(AtomName::Null) => ApiReturn::Value(0),
        Ok(AtomName::Integer(n)) => ApiReturn::Value(u32::from(n)),
        Ok(AtomName::Text(units)) => match with_table(call, scope, |t| t.add(units)) {
            Some(atom) => ApiReturn::Value(atom),
            None => call.fail(NtStatus::NO_MEMORY),
        },
        Err(e) => call.fail_win32(e, 0),
    }
}

fn find_atom(call: &mut ApiCall<'_>, scope: Scope, name: Ptr, wide: bool) -> ApiReturn {
    match atom_name(call, name, wide) {
        Ok(AtomName::Null) => ApiReturn::Value(0),
        Ok(AtomName::Integer(n)) => ApiReturn::Value(u32::from(n)),
        Ok(AtomName::Text(units)) => {
            let key = upcase(&units);
            match with_table(call, scope, |t| t.find(&key)) {
                Some(i) => ApiReturn::Value(MAXINTATOM + i as u32),
                None => call.fail_win32(Win32Error::FILE_NOT_FOUND, 0),
            }
        }
        Err(e) => call.fail_win32(e, 0),
    }
}

fn delete_atom(call: &mut ApiCall<'_>, scope: Scope, atom: u16) -> ApiReturn {
    let atom = u32::from(atom);
    if atom < MAXINTATOM || with_table(call, scope, |t| t.delete(atom)) {
        return ApiReturn::Value(0);
    }
    call.fail_win32(Win32Error::INVALID_HANDLE, atom)
}

/// The name of an atom: "#n" for an integer atom, the stored name of a string atom.
fn name_of(call: &mut ApiCall<'_>, scope: Scope, atom: u16) -> Result<Vec<u16>, Win32Error> {
    let atom = u32::from(atom);
    match atom {
        0 => Err(Win32Error::INVALID_PARAMETER),
        a if a < MAXINTATOM => Ok(format!("#{a}").encode_utf16().collect()),
        a => with_table(call, scope, |t| t.entry(a).map(|e| e.name.clone()))
            .ok_or(Win32Error::INVALID_HANDLE),
    }
}

/// GetAtomName and GlobalGetAtomName: the name cut to `size - 1` characters and a NUL. The
/// local functions return the characters copied (0 with ERROR_INSUFFICIENT_BUFFER when none
/// fit); the global ones return 0 with ERROR_MORE_DATA when the name was cut (NT's
/// NtQueryInformationAtom reports STATUS_BUFFER_OVERFLOW). A size of 0 writes nothing.
fn get_atom_name(
    call: &mut ApiCall<'_>,
    scope: Scope,
    atom: u16,
    buffer: Ptr,
    size: u32,
    wide: bool,
) -> ApiReturn {
    let name = match name_of(call, scope, atom) {
        Ok(n) => n,
        Err(e) => return call.fail_win32(e, 0),
    };
    let short = Win32Error::INSUFFICIENT_BUFFER;
    if size == 0 {
        let error = if scope == Scope::Global {
            Win32Error::MORE_DATA
        } else {
            short
        };
        return call.fail_win32(error, 0);
    }
    // GlobalGetAtomNameW asks NtQueryInformationAtom for the name in the buffer's bytes: a
    // name that does not fit comes back cut to the buffer, without a NUL, and its length is
    // the buffer's, no error.
    if wide && scope == Scope::Global && name.len() >= size as usize {
        let units = &name[..size as usize];
        let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
        if call.write_bytes(buffer.0, &bytes).is_err() {
            return call.fail(NtStatus::ACCESS_VIOLATION);
        }
        return ApiReturn::Value(size);
    }
    let fits = (size as usize - 1).min(name.len());
    let mut bytes: Vec<u8> = if wide {
        name[..fits].iter().flat_map(|u| u.to_le_bytes()).collect()
    } else {
        let text = String::from_utf16_lossy(&name[..fits]);
        CodePage::Ansi.encode_str(&text)
    };
    bytes.extend(std::iter::repeat_n(0, if wide { 2 } else { 1 }));
    if call.write_bytes(buffer.0, &bytes).is_err() {
        return call.fail(NtStatus::ACCESS_VIOLATION);
    }
    match scope {
        Scope::Global if fits < name.len() => call.fail_win32(Win32Error::MORE_DATA, 0),
        Scope::Local if fits == 0 => call.fail_win32(short, 0),
        _ => ApiReturn::Value(fits as u32),
    }
}

/// ATOM AddAtomA(LPCSTR lpString): adds a string to the process's atom table (or a reference
/// to it) and returns its atom; an integer atom comes back as it is. See the module
/// documentation for the rules and errors.
#[export]
fn AddAtomA(call: &mut ApiCall<'_>, lpString: Ptr) -> ApiReturn {
    add_atom(call, Scope::Local, lpString, false)
}

/// ATOM AddAtomW(LPCWSTR lpString): AddAtomA with a UTF-16 name.
#[export]
fn AddAtomW(call: &mut ApiCall<'_>, lpString: Ptr) -> ApiReturn {
    add_atom(call, Scope::Local, lpString, true)
}

/// ATOM FindAtomA(LPCSTR lpString): the atom of a string in the process's table (0 with
/// ERROR_FILE_NOT_FOUND when absent); an integer atom comes back as it is.
#[export]
fn FindAtomA(call: &mut ApiCall<'_>, lpString: Ptr) -> ApiReturn {
    find_atom(call, Scope::Local, lpString, false)
}

/// ATOM FindAtomW(LPCWSTR lpString): FindAtomA with a UTF-16 name.
#[export]
fn FindAtomW(call: &mut ApiCall<'_>, lpString: Ptr) -> ApiReturn {
    find_atom(call, Scope::Local, lpString, true)
}

/// ATOM DeleteAtom(ATOM nAtom): removes a reference to a string atom of the process's table
/// and returns 0; integer atoms need no deleting (0). An atom not in the table returns itself
/// with ERROR_INVALID_HANDLE.
#[export]
fn DeleteAtom(call: &mut ApiCall<'_>, nAtom: u16) -> ApiReturn {
    delete_atom(call, Scope::Local, nAtom)
}

/// UINT GetAtomNameA(ATOM nAtom, LPSTR lpBuffer, int nSize): the atom's name ("#n" for an
/// integer atom), cut to nSize - 1 characters; the characters copied. Atom 0 is
/// ERROR_INVALID_PARAMETER, an unknown atom ERROR_INVALID_HANDLE.
#[export]
fn GetAtomNameA(call: &mut ApiCall<'_>, nAtom: u16, lpBuffer: Ptr, nSize: i32) -> ApiReturn {
    get_atom_name(
        call,
        Scope::Local,
        nAtom,
        lpBuffer,
        nSize.max(0) as u32,
        false,
    )
}

/// UINT GetAtomNameW(ATOM nAtom, LPWSTR lpBuffer, int nSize): GetAtomNameA in UTF-16.
#[export]
fn GetAtomNameW(call: &mut ApiCall<'_>, nAtom: u16, lpBuffer: Ptr, nSize: i32) -> ApiReturn {
    get_atom_name(
        call,
        Scope::Local,
        nAtom,
        lpBuffer,
        nSize.max(0) as u32,
        true,
    )
}

/// BOOL InitAtomTable(DWORD nSize): makes the process's local atom table, whose hash
/// buckets nSize would size on NT; ntemu's table needs no sizing, so TRUE.
#[export]
fn InitAtomTable(call: &mut ApiCall<'_>, nSize: u32) -> bool {
    let _ = nSize;
    with_table(call, Scope::Local, |_| ());
    true
}

/// ATOM GlobalAddAtomA(LPCSTR lpString): AddAtomA on the machine's global table, which every
/// process shares.
#[export]
fn GlobalAddAtomA(call: &mut ApiCall<'_>, lpString: Ptr) -> ApiReturn {
    add_atom(call, Scope::Global, lpString, false)
}

/// ATOM GlobalAddAtomW(LPCWSTR lpString): GlobalAddAtomA with a UTF-16 name.
#[export]
fn GlobalAddAtomW(call: &mut ApiCall<'_>, lpString: Ptr) -> ApiReturn {
    add_atom(call, Scope::Global, lpString, true)
}

/// ATOM GlobalFindAtomA(LPCSTR lpString): FindAtomA on the global table.
#[export]
fn GlobalFindAtomA(call: &mut ApiCall<'_>, lpString: Ptr) -> ApiReturn {
    find_atom(call, Scope::Global, lpString, false)
}

/// ATOM GlobalFindAtomW(LPCWSTR lpString): GlobalFindAtomA with a UTF-16 name.
#[export]
fn GlobalFindAtomW(call: &mut ApiCall<'_>, lpString: Ptr) -> ApiReturn {
    find_atom(call, Scope::Global, lpString, true)
}

/// ATOM GlobalDeleteAtom(ATOM nAtom): DeleteAtom on the global table.
#[export]
fn GlobalDeleteAtom(call: &mut ApiCall<'_>, nAtom: u16) -> ApiReturn {
    delete_atom(call, Scope::Global, nAtom)
}

/// UINT GlobalGetAtomNameA(ATOM nAtom, LPSTR lpBuffer, int nSize): the name of a global
/// atom; when it does not fit, the part that does and a NUL are written and the result is 0
/// with ERROR_MORE_DATA.
#[export]
fn GlobalGetAtomNameA(call: &mut ApiCall<'_>, nAtom: u16, lpBuffer: Ptr, nSize: i32) -> ApiReturn {
    get_atom_name(
        call,
        Scope::Global,
        nAtom,
        lpBuffer,
        nSize.max(0) as u32,
        false,
    )
}

/// UINT GlobalGetAtomNameW(ATOM nAtom, LPWSTR lpBuffer, int nSize): GlobalGetAtomNameA in
/// UTF-16.
#[export]
fn GlobalGetAtomNameW(call: &mut ApiCall<'_>, nAtom: u16, lpBuffer: Ptr, nSize: i32) -> ApiReturn {
    get_atom_name(
        call,
        Scope::Global,
        nAtom,
        lpBuffer,
        nSize.max(0) as u32,
        true,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    #[test]
    fn names_parse_as_nt_reads_them() {
        assert_eq!(parse_name(units("#1234")), Ok(AtomName::Integer(1234)));
        assert_eq!(parse_name(units("#49151")), Ok(AtomName::Integer(0xBFFF)));
        assert_eq!(
            parse_name(units("#49152")),
            Err(Win32Error::INVALID_PARAMETER)
        );
        assert_eq!(parse_name(units("#0")), Err(Win32Error::INVALID_PARAMETER));
        assert_eq!(parse_name(units("#12a")), Ok(AtomName::Text(units("#12a"))));
        assert_eq!(parse_name(units("")), Err(Win32Error::INVALID_NAME));
        assert!(parse_name(vec![0x61; 255]).is_ok());
        assert_eq!(
            parse_name(vec![0x61; 256]),
            Err(Win32Error::INVALID_PARAMETER)
        );
    }

    #[test]
    fn string_atoms_are_counted_and_case_blind() {
        let mut t = AtomTable::default();
        let a = t.add(units("Foo")).unwrap();
        assert_eq!(a, 0xC000);
        assert_eq!(t.add(units("FOO")), Some(a));
        assert_eq!(t.find(&upcase(&units("fOo"))), Some(0));
        assert_eq!(t.entry(a).unwrap().name, units("Foo"));
        let b = t.add(units("bar")).unwrap();
        assert_eq!(b, 0xC001);
        assert!(t.delete(a));
        assert!(t.entry(a).is_some(), "one reference left");
        assert!(t.delete(a));
        assert!(t.entry(a).is_none());
        assert!(!t.delete(a));
        // The freed slot is reused first.
        assert_eq!(t.add(units("baz")), Some(0xC000));
    }
}
