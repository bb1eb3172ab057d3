//! The live registry of one machine: every key of every hive in one arena, found by path
//! from the roots NT has (\REGISTRY\MACHINE, \REGISTRY\USER), changed by the operations the
//! native API offers, each change noted for the hive's file and for RegNotifyChangeKeyValue.

use std::time::{Duration, Instant};

use crate::persist::{FileStamp, HiveDirectory, HiveFile};
use crate::regfile::{RegFile, RegSection, RegValue, RegWriter, Section};
use crate::tree::KeyTree;
use crate::value::{
    MAX_KEY_NAME, MAX_VALUE_DATA, MAX_VALUE_NAME, Value, same_name, upcase, wide_len,
};
use crate::{Identity, Processor, RegistryError, SystemDrive, defaults};

/// A key of the live registry: its slot and the slot's generation. A deleted key's slot
/// gets a new generation, so an id kept in a handle then names nothing
/// ([`RegistryError::KeyDeleted`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyId {
    index: u32,
    generation: u32,
}

/// The predefined keys of the Win32 API, as NT 4.0 maps them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RootKey {
    /// HKEY_CLASSES_ROOT: HKEY_LOCAL_MACHINE\SOFTWARE\Classes (NT 4.0 had no per-user
    /// classes; Windows 2000 brought the merged view).
    ClassesRoot,
    /// HKEY_CURRENT_USER: HKEY_USERS\<the user's SID>.
    CurrentUser,
    /// HKEY_LOCAL_MACHINE: \REGISTRY\MACHINE.
    LocalMachine,
    /// HKEY_USERS: \REGISTRY\USER.
    Users,
    /// HKEY_CURRENT_CONFIG: HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Hardware
    /// Profiles\Current.
    CurrentConfig,
}

impl RootKey {
    /// The key's name as regedit writes it in .reg files.
    pub fn name(self) -> &'static str {
        match self {
            RootKey::ClassesRoot => "HKEY_CLASSES_ROOT",
            RootKey::CurrentUser => "HKEY_CURRENT_USER",
            RootKey::LocalMachine => "HKEY_LOCAL_MACHINE",
            RootKey::Users => "HKEY_USERS",
            RootKey::CurrentConfig => "HKEY_CURRENT_CONFIG",
        }
    }

    /// The root a name stands for: the full name or reg.exe's abbreviation (HKLM, HKCU, HKCR,
    /// HKU, HKCC), without regard to case.
    pub fn parse(name: &str) -> Option<RootKey> {
        let n = name.to_ascii_uppercase();
        Some(match n.as_str() {
            "HKEY_CLASSES_ROOT" | "HKCR" => RootKey::ClassesRoot,
            "HKEY_CURRENT_USER" | "HKCU" => RootKey::CurrentUser,
            "HKEY_LOCAL_MACHINE" | "HKLM" => RootKey::LocalMachine,
            "HKEY_USERS" | "HKU" => RootKey::Users,
            "HKEY_CURRENT_CONFIG" | "HKCC" => RootKey::CurrentConfig,
            _ => return None,
        })
    }

    /// Every root, in the order regedit lists them.
    pub const ALL: [RootKey; 5] = [
        RootKey::ClassesRoot,
        RootKey::CurrentUser,
        RootKey::LocalMachine,
        RootKey::Users,
        RootKey::CurrentConfig,
    ];
}

/// How a key is made (RegCreateKeyEx's and NtCreateKey's options).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CreateOptions {
    /// REG_OPTION_VOLATILE: the key lives in memory only.
    pub volatile: bool,
    /// The key's class string.
    pub class: Option<String>,
    /// Make missing keys on the way (RegCreateKeyEx), rather than failing with
    /// [`RegistryError::NotFound`] (NtCreateKey).
    pub intermediate: bool,
    /// A security descriptor to keep with a new key (self-relative bytes).
    pub security: Option<Vec<u8>>,
}

/// Whether a create made the key or found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Disposition {
    /// REG_CREATED_NEW_KEY.
    CreatedNew = 1,
    /// REG_OPENED_EXISTING_KEY.
    OpenedExisting = 2,
}

/// What RegQueryInfoKey and NtQueryKey report of a key. Lengths are in UTF-16 units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    /// The key's name.
    pub name: String,
    /// Its class, if it has one.
    pub class: Option<String>,
    /// How many subkeys.
    pub subkeys: u32,
    /// The longest subkey name.
    pub max_subkey_len: u32,
    /// The longest subkey class.
    pub max_class_len: u32,
    /// How many values.
    pub values: u32,
    /// The longest value name.
    pub max_value_name_len: u32,
    /// The largest value data, in bytes.
    pub max_value_len: u32,
    /// The last time the key or its values changed (FILETIME).
    pub last_write: u64,
    /// It lives in memory only.
    pub volatile: bool,
}

/// A subkey as RegEnumKeyEx reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubkeyInfo {
    /// Its name.
    pub name: String,
    /// Its class, if any.
    pub class: Option<String>,
    /// Its last write time (FILETIME).
    pub last_write: u64,
}

/// REG_NOTIFY_CHANGE_NAME: a subkey was added or deleted.
pub const NOTIFY_CHANGE_NAME: u32 = 1;
/// REG_NOTIFY_CHANGE_ATTRIBUTES.
pub const NOTIFY_CHANGE_ATTRIBUTES: u32 = 2;
/// REG_NOTIFY_CHANGE_LAST_SET: a value was set or deleted.
pub const NOTIFY_CHANGE_LAST_SET: u32 = 4;
/// REG_NOTIFY_CHANGE_SECURITY.
pub const NOTIFY_CHANGE_SECURITY: u32 = 8;

/// How long after its first unsaved change a hive is written at the latest.
pub const FLUSH_DELAY: Duration = Duration::from_secs(1);
/// How often a hive's file is looked at for other machines' changes.
pub const REFRESH_INTERVAL: Duration = Duration::from_secs(1);
/// How many unsaved changes of a hive make it written at the next look, however recent.
const JOURNAL_LIMIT: usize = 100_000;

struct KeyNode {
    name: String,
    parent: Option<u32>,
    hive: usize,
    volatile: bool,
    class: Option<String>,
    last_write: u64,
    values: Vec<Value>,
    /// (upper-cased name, slot), sorted.
    subkeys: Vec<(String, u32)>,
    security: Option<Vec<u8>>,
}

impl KeyNode {
    fn subkey_position(&self, name: &str) -> Result<usize, usize> {
        let key = upcase(name);
        self.subkeys.binary_search_by(|(k, _)| k.as_str().cmp(&key))
    }
}

struct Slot {
    generation: u32,
    node: Option<KeyNode>,
}

/// A change made since the hive was last written, replayed onto what another machine
/// wrote meanwhile. Paths are below the hive's root.
#[derive(Clone, Debug)]
enum Change {
    CreateKey(Vec<String>),
    DeleteKey(Vec<String>),
    SetValue(Vec<String>, Value),
    DeleteValue(Vec<String>, String),
}

struct Hive {
    root: u32,
    /// The root's path as .reg files write it (`HKEY_LOCAL_MACHINE\SOFTWARE`).
    file_path: String,
    file: Option<HiveFile>,
    /// False when the file could not be read: it is never overwritten then.
    writable: bool,
    journal: Vec<Change>,
    dirty_since: Option<Instant>,
    stamp: Option<FileStamp>,
    last_look: Option<Instant>,
    /// Mounted by RegLoadKey (and so unloadable).
    loaded: bool,
}

struct Watch {
    key: KeyId,
    subtree: bool,
    filter: u32,
    token: u64,
}

/// The registry of one machine.
pub struct Registry {
    slots: Vec<Slot>,
    free: Vec<u32>,
    hives: Vec<Option<Hive>>,
    namespace: u32,
    machine: u32,
    users: u32,
    hardware: [u32; 2],
    software: u32,
    system: u32,
    user: u32,
    identity: Identity,
    watches: Vec<Watch>,
    fired: Vec<u64>,
    messages: Vec<String>,
    clock: fn() -> u64,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("keys", &(self.slots.len() - self.free.len()))
            .field("hives", &self.hives.iter().flatten().count())
            .finish_non_exhaustive()
    }
}

/// The host's time as a FILETIME (100 ns units since 1601).
pub fn now_filetime() -> u64 {
    const EPOCH_DIFFERENCE: u64 = 11_644_473_600;
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (since.as_secs() + EPOCH_DIFFERENCE) * 10_000_000 + u64::from(since.subsec_nanos() / 100)
}

/// Splits a key path into its components: `a\b\` is `a`, `b`. A leading backslash is
/// [`RegistryError::PathSyntaxBad`] (paths are relative to a key), an empty component in
/// the middle [`RegistryError::NameInvalid`], a component longer than NT allows
/// [`RegistryError::InvalidParameter`].
pub fn split_path(path: &str) -> Result<Vec<&str>, RegistryError> {
    if path.starts_with('\\') {
        return Err(RegistryError::PathSyntaxBad);
    }
    let trimmed = path.trim_end_matches('\\');
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    let parts: Vec<&str> = trimmed.split('\\').collect();
    for p in &parts {
        if p.is_empty() {
            return Err(RegistryError::NameInvalid);
        }
        if wide_len(p) > MAX_KEY_NAME {
            return Err(RegistryError::InvalidParameter);
        }
    }
    Ok(parts)
}

/// The file a hive of the system drive is kept in, relative to the drive.
struct HivePlace {
    dir: String,
    name: &'static str,
}

impl Registry {
    /// A registry of default contents kept in memory only.
    pub fn new(identity: Identity) -> Registry {
        Registry::open(identity, None)
    }

    /// The machine's registry: each hive read from its file on `drive` (the system drive
    /// C:, where NT keeps them: `WINNT\system32\config\*.reg` and the user's
    /// `WINNT\Profiles\USER\ntuser.reg`), or made with NT 4.0's default contents when the
    /// file is absent. A file that cannot be parsed is set aside (`NAME.corrupt`) and
    /// reported in [`take_messages`](Self::take_messages); a file that cannot be read is
    /// reported and left alone (the hive is then kept in memory only). Without a drive
    /// everything stays in memory.
    pub fn open(identity: Identity, drive: Option<SystemDrive>) -> Registry {
        let mut r = Registry {
            slots: Vec::new(),
            free: Vec::new(),
            hives: Vec::new(),
            namespace: 0,
            machine: 0,
            users: 0,
            hardware: [0; 2],
            software: 0,
            system: 0,
            user: 0,
            identity,
            watches: Vec::new(),
            fired: Vec::new(),
            messages: Vec::new(),
            clock: now_filetime,
        };
        // The master hive: \REGISTRY, MACHINE and USER, in memory, where hives are mounted.
        r.hives.push(Some(Hive {
            root: 0,
            file_path: String::new(),
            file: None,
            writable: false,
            journal: Vec::new(),
            dirty_since: None,
            stamp: None,
            last_look: None,
            loaded: false,
        }));
        r.namespace = r.alloc(KeyNode {
            name: "REGISTRY".into(),
            parent: None,
            hive: 0,
            volatile: true,
            class: None,
            last_write: (r.clock)(),
            values: Vec::new(),
            subkeys: Vec::new(),
            security: None,
        });
        r.machine = r.add_child(r.namespace, "MACHINE", 0, true, true);
        r.users = r.add_child(r.namespace, "USER", 0, true, true);
        let sid = r.identity.user_sid.clone();
        let user = r.identity.user.clone();
        let config = "WINNT/system32/config".to_string();
        let profile = format!("WINNT/Profiles/{user}");
        let place = |dir: &str, name: &'static str| {
            Some(HivePlace {
                dir: dir.to_string(),
                name,
            })
        };
        let identity = r.identity.clone();
        let mounts: Vec<(u32, &str, String, String, Option<HivePlace>)> = vec![
            (
                r.machine,
                "SAM",
                "HKEY_LOCAL_MACHINE\\SAM".into(),
                defaults::sam(),
                place(&config, "sam.reg"),
            ),
            (
                r.machine,
                "SECURITY",
                "HKEY_LOCAL_MACHINE\\SECURITY".into(),
                defaults::security(),
                place(&config, "security.reg"),
            ),
            (
                r.machine,
                "SOFTWARE",
                "HKEY_LOCAL_MACHINE\\SOFTWARE".into(),
                defaults::software(&identity),
                place(&config, "software.reg"),
            ),
            (
                r.machine,
                "SYSTEM",
                "HKEY_LOCAL_MACHINE\\SYSTEM".into(),
                defaults::system(&identity),
                place(&config, "system.reg"),
            ),
            (
                r.users,
                ".DEFAULT",
                "HKEY_USERS\\.DEFAULT".into(),
                defaults::user("HKEY_USERS\\.DEFAULT"),
                place(&config, "default.reg"),
            ),
            (
                r.users,
                &sid,
                "HKEY_CURRENT_USER".into(),
                defaults::user("HKEY_CURRENT_USER"),
                place(&profile, "ntuser.reg"),
            ),
        ];
        for (processor, slot) in [(Processor::X86, 0), (Processor::Alpha, 1)] {
            let text = defaults::hardware(processor);
            let tree = tree_of(&text, "HKEY_LOCAL_MACHINE\\HARDWARE").unwrap_or_default();
            let hive = r.hives.len();
            r.hives.push(None);
            let root = r.graft(Some(r.machine), hive, &tree, "HARDWARE", true, slot == 0);
            r.hives[hive] = Some(Hive {
                root,
                file_path: "HKEY_LOCAL_MACHINE\\HARDWARE".into(),
                file: None,
                writable: false,
                journal: Vec::new(),
                dirty_since: None,
                stamp: None,
                last_look: None,
                loaded: false,
            });
            r.hardware[slot] = root;
        }
        for (parent, name, file_path, default_text, place) in mounts {
            let file = match (&drive, place) {
                (Some(d), Some(p)) => Some(HiveDirectory::new(d.root.clone(), &p.dir).file(p.name)),
                _ => None,
            };
            let writable = drive.as_ref().is_some_and(|d| !d.read_only);
            let root = r.mount_hive(
                parent,
                name,
                &file_path,
                &default_text,
                file,
                writable,
                false,
            );
            match name {
                "SOFTWARE" => r.software = root,
                "SYSTEM" => r.system = root,
                _ if parent == r.users && name == sid => r.user = root,
                _ => {}
            }
        }
        r
    }

    /// Mounts a hive under `parent` as `name`: read from `file` when it holds one, else
    /// made from `default_text`. Returns its root's slot.
    #[allow(clippy::too_many_arguments)]
    fn mount_hive(
        &mut self,
        parent: u32,
        name: &str,
        file_path: &str,
        default_text: &str,
        file: Option<HiveFile>,
        writable: bool,
        loaded: bool,
    ) -> u32 {
        let mut stamp = None;
        let mut writable = writable && file.is_some();
        let mut tree = None;
        if let Some(f) = &file {
            match f.read() {
                Ok(Some((bytes, s))) => match parse_hive(&bytes, file_path) {
                    Ok(t) => {
                        tree = Some(t);
                        stamp = Some(s);
                    }
                    Err(e) => {
                        let aside = if writable {
                            match f.lock().and_then(|_lock| f.keep_aside()) {
                                Ok(aside) => format!("set aside as {aside}"),
                                Err(e) => {
                                    writable = false;
                                    format!("could not be set aside ({e}); it is left alone")
                                }
                            }
                        } else {
                            "left alone (the drive is read-only)".to_string()
                        };
                        self.messages.push(format!(
                            "registry: {}: {e}; the hive starts from its defaults and the file was {aside}",
                            f.display()
                        ));
                    }
                },
                Ok(None) => {}
                Err(e) => {
                    writable = false;
                    self.messages.push(format!(
                        "registry: {}: cannot be read ({e}); the hive is kept in memory only",
                        f.display()
                    ));
                }
            }
        }
        let tree = tree.unwrap_or_else(|| tree_of(default_text, file_path).unwrap_or_default());
        let hive = self.hives.len();
        self.hives.push(None);
        let root = self.graft(Some(parent), hive, &tree, name, false, true);
        self.hives[hive] = Some(Hive {
            root,
            file_path: file_path.to_string(),
            file,
            writable,
            journal: Vec::new(),
            dirty_since: None,
            stamp,
            last_look: Some(Instant::now()),
            loaded,
        });
        root
    }

    /// Messages about hive files (corrupt, unreadable, unwritable) since the last call.
    pub fn take_messages(&mut self) -> Vec<String> {
        std::mem::take(&mut self.messages)
    }

    /// The machine's identity (user, SID, computer name).
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    // ----- the arena -----

    fn alloc(&mut self, node: KeyNode) -> u32 {
        match self.free.pop() {
            Some(i) => {
                self.slots[i as usize].node = Some(node);
                i
            }
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    node: Some(node),
                });
                (self.slots.len() - 1) as u32
            }
        }
    }

    fn id(&self, index: u32) -> KeyId {
        KeyId {
            index,
            generation: self.slots[index as usize].generation,
        }
    }

    fn node(&self, index: u32) -> &KeyNode {
        match &self.slots[index as usize].node {
            Some(n) => n,
            None => unreachable!("a live key's slot is empty"),
        }
    }

    fn node_mut(&mut self, index: u32) -> &mut KeyNode {
        match &mut self.slots[index as usize].node {
            Some(n) => n,
            None => unreachable!("a live key's slot is empty"),
        }
    }

    /// The slot of a live key.
    fn live(&self, key: KeyId) -> Result<u32, RegistryError> {
        match self.slots.get(key.index as usize) {
            Some(s) if s.generation == key.generation && s.node.is_some() => Ok(key.index),
            _ => Err(RegistryError::KeyDeleted),
        }
    }

    /// True while the key exists.
    pub fn is_live(&self, key: KeyId) -> bool {
        self.live(key).is_ok()
    }

    fn add_child(
        &mut self,
        parent: u32,
        name: &str,
        hive: usize,
        volatile: bool,
        sorted: bool,
    ) -> u32 {
        let now = (self.clock)();
        let index = self.alloc(KeyNode {
            name: name.to_string(),
            parent: Some(parent),
            hive,
            volatile,
            class: None,
            last_write: now,
            values: Vec::new(),
            subkeys: Vec::new(),
            security: None,
        });
        let p = self.node_mut(parent);
        let at = p.subkey_position(name).unwrap_or_else(|i| i);
        if sorted {
            p.subkeys.insert(at, (upcase(name), index));
        }
        p.last_write = now;
        index
    }

    /// Makes live keys of a detached tree under `parent` (named `name`); returns the slot of
    /// its top. `listed`: whether the parent lists it (the second HARDWARE is not listed).
    fn graft(
        &mut self,
        parent: Option<u32>,
        hive: usize,
        tree: &KeyTree,
        name: &str,
        volatile: bool,
        listed: bool,
    ) -> u32 {
        let index = match parent {
            Some(p) => self.add_child(p, name, hive, volatile, listed),
            None => self.alloc(KeyNode {
                name: name.to_string(),
                parent: None,
                hive,
                volatile,
                class: None,
                last_write: (self.clock)(),
                values: Vec::new(),
                subkeys: Vec::new(),
                security: None,
            }),
        };
        self.node_mut(index).values = tree.values.clone();
        for (_, child) in &tree.subkeys {
            self.graft(Some(index), hive, child, &child.name, volatile, true);
        }
        index
    }

    /// Deletes a key and everything below it; watchers of each are told.
    fn remove_subtree(&mut self, index: u32) {
        let children: Vec<u32> = self.node(index).subkeys.iter().map(|&(_, c)| c).collect();
        for c in children {
            self.remove_subtree(c);
        }
        let id = self.id(index);
        let (parent, name) = {
            let n = self.node(index);
            (n.parent, n.name.clone())
        };
        if let Some(p) = parent {
            let pn = self.node_mut(p);
            if let Ok(i) = pn.subkey_position(&name)
                && pn.subkeys[i].1 == index
            {
                pn.subkeys.remove(i);
            }
        }
        // Watches of the deleted key end (NT completes them).
        let mut kept = Vec::with_capacity(self.watches.len());
        for w in std::mem::take(&mut self.watches) {
            if w.key == id {
                self.fired.push(w.token);
            } else {
                kept.push(w);
            }
        }
        self.watches = kept;
        let slot = &mut self.slots[index as usize];
        slot.node = None;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(index);
    }

    // ----- finding keys -----

    /// The key a predefined handle stands for, for a process of `processor`.
    pub fn root_key(&self, root: RootKey) -> Result<KeyId, RegistryError> {
        let index = match root {
            RootKey::LocalMachine => self.machine,
            RootKey::Users => self.users,
            RootKey::CurrentUser => self.user,
            RootKey::ClassesRoot => self.child_of(self.software, "Classes")?,
            RootKey::CurrentConfig => {
                let mut at = self.system;
                for c in ["CurrentControlSet", "Hardware Profiles", "Current"] {
                    at = self.child_of(at, c)?;
                }
                at
            }
        };
        Ok(self.id(index))
    }

    /// \REGISTRY, the root of the registry's namespace.
    pub fn namespace_root(&self) -> KeyId {
        self.id(self.namespace)
    }

    fn child_of(&self, index: u32, name: &str) -> Result<u32, RegistryError> {
        let n = self.node(index);
        n.subkey_position(name)
            .map(|i| n.subkeys[i].1)
            .map_err(|_| RegistryError::NotFound)
    }

    /// One step down, with HARDWARE chosen for the processor.
    fn step(&self, index: u32, name: &str, processor: Processor) -> Result<u32, RegistryError> {
        if index == self.machine && same_name(name, "HARDWARE") {
            return Ok(self.hardware[processor as usize]);
        }
        self.child_of(index, name)
    }

    /// Opens the key `path` (relative, components separated by backslashes) below `from`,
    /// seen by a process of `processor` (HARDWARE describes its CPU).
    pub fn open_key(
        &self,
        from: KeyId,
        path: &str,
        processor: Processor,
    ) -> Result<KeyId, RegistryError> {
        let mut at = self.live(from)?;
        for c in split_path(path)? {
            at = self.step(at, c, processor)?;
        }
        Ok(self.id(at))
    }

    /// Opens an absolute NT path (`\Registry\Machine\Software`).
    pub fn open_absolute(&self, path: &str, processor: Processor) -> Result<KeyId, RegistryError> {
        let (first, rest) = absolute_split(path)?;
        if !same_name(first, "REGISTRY") {
            return Err(RegistryError::PathNotFound);
        }
        self.open_key(self.namespace_root(), rest, processor)
    }

    /// The full NT path of a key (`\REGISTRY\MACHINE\SOFTWARE\...`).
    pub fn key_path(&self, key: KeyId) -> Result<String, RegistryError> {
        let mut at = self.live(key)?;
        let mut parts = Vec::new();
        loop {
            let n = self.node(at);
            parts.push(n.name.clone());
            match n.parent {
                Some(p) => at = p,
                None => break,
            }
        }
        parts.reverse();
        Ok(format!("\\{}", parts.join("\\")))
    }

    /// The key's name.
    pub fn key_name(&self, key: KeyId) -> Result<&str, RegistryError> {
        Ok(&self.node(self.live(key)?).name)
    }

    /// The components of a key's path below its hive's root.
    fn hive_path(&self, index: u32) -> Vec<String> {
        let hive = self.node(index).hive;
        let root = self.hive(hive).map(|h| h.root);
        let mut parts = Vec::new();
        let mut at = index;
        while Some(at) != root {
            let n = self.node(at);
            parts.push(n.name.clone());
            match n.parent {
                Some(p) => at = p,
                None => break,
            }
        }
        parts.reverse();
        parts
    }

    fn hive(&self, hive: usize) -> Option<&Hive> {
        self.hives.get(hive).and_then(Option::as_ref)
    }

    fn hive_mut(&mut self, hive: usize) -> Option<&mut Hive> {
        self.hives.get_mut(hive).and_then(Option::as_mut)
    }

    // ----- changes -----

    /// Records a change for the hive's file, unless the key is volatile or the hive has no
    /// file.
    fn journal(&mut self, index: u32, change: impl FnOnce(Vec<String>) -> Change) {
        let n = self.node(index);
        if n.volatile {
            return;
        }
        let hive = n.hive;
        if !self
            .hive(hive)
            .is_some_and(|h| h.file.is_some() && h.writable)
        {
            return;
        }
        let path = self.hive_path(index);
        let change = change(path);
        if let Some(h) = self.hive_mut(hive) {
            // A value set again before the write replaces its earlier setting.
            if let (Change::SetValue(p, v), Some(Change::SetValue(lp, lv))) =
                (&change, h.journal.last_mut())
                && p == lp
                && same_name(&v.name, &lv.name)
            {
                *lv = v.clone();
            } else {
                h.journal.push(change);
            }
            h.dirty_since.get_or_insert_with(Instant::now);
        }
    }

    /// Tells the watchers of `index` (and those of its ancestors watching subtrees) that
    /// `filter` changed.
    fn notify(&mut self, index: u32, filter: u32) {
        if self.watches.is_empty() {
            return;
        }
        let mut chain = vec![self.id(index)];
        let mut at = self.node(index).parent;
        while let Some(p) = at {
            chain.push(self.id(p));
            at = self.node(p).parent;
        }
        let mut kept = Vec::with_capacity(self.watches.len());
        for w in std::mem::take(&mut self.watches) {
            let hit = w.filter & filter != 0
                && (w.key == chain[0] || (w.subtree && chain[1..].contains(&w.key)));
            if hit {
                self.fired.push(w.token);
            } else {
                kept.push(w);
            }
        }
        self.watches = kept;
    }

    /// Creates the key `path` below `from` (or opens it when it exists). With
    /// `options.intermediate` missing keys on the way are made too (with the same options);
    /// without, a missing parent is [`RegistryError::NotFound`]. Keys cannot be made
    /// directly under \REGISTRY, MACHINE or USER ([`RegistryError::AccessDenied`]); a
    /// non-volatile key under a volatile one is [`RegistryError::ChildMustBeVolatile`].
    pub fn create_key(
        &mut self,
        from: KeyId,
        path: &str,
        processor: Processor,
        options: &CreateOptions,
    ) -> Result<(KeyId, Disposition), RegistryError> {
        let mut at = self.live(from)?;
        let parts = split_path(path)?;
        for c in &parts {
            if c.chars().any(|ch| (ch as u32) < 0x20) {
                return Err(RegistryError::InvalidParameter);
            }
        }
        let last = parts.len();
        let mut disposition = Disposition::OpenedExisting;
        for (i, c) in parts.iter().enumerate() {
            match self.step(at, c, processor) {
                Ok(next) => {
                    at = next;
                    continue;
                }
                Err(RegistryError::NotFound) => {}
                Err(e) => return Err(e),
            }
            if i + 1 < last && !options.intermediate {
                return Err(RegistryError::NotFound);
            }
            let parent = self.node(at);
            if parent.hive == 0 {
                return Err(RegistryError::AccessDenied);
            }
            if parent.volatile && !options.volatile {
                return Err(RegistryError::ChildMustBeVolatile);
            }
            let hive = parent.hive;
            let index = self.add_child(at, c, hive, options.volatile, true);
            if i + 1 == last {
                let n = self.node_mut(index);
                n.class = options.class.clone();
                n.security = options.security.clone();
            }
            self.journal(index, Change::CreateKey);
            self.notify(at, NOTIFY_CHANGE_NAME);
            at = index;
            disposition = Disposition::CreatedNew;
        }
        Ok((self.id(at), disposition))
    }

    /// Deletes a key (NtDeleteKey): one with subkeys, a hive's root or a key of the master
    /// hive is [`RegistryError::CannotDelete`].
    pub fn delete_key(&mut self, key: KeyId) -> Result<(), RegistryError> {
        let index = self.live(key)?;
        let n = self.node(index);
        let is_hive_root = self.hive(n.hive).is_some_and(|h| h.root == index);
        if !n.subkeys.is_empty() || n.hive == 0 || is_hive_root {
            return Err(RegistryError::CannotDelete);
        }
        let parent = n.parent;
        self.journal(index, Change::DeleteKey);
        self.notify(index, NOTIFY_CHANGE_NAME | NOTIFY_CHANGE_LAST_SET);
        self.remove_subtree(index);
        if let Some(p) = parent {
            self.node_mut(p).last_write = (self.clock)();
            self.notify(p, NOTIFY_CHANGE_NAME);
        }
        Ok(())
    }

    /// Deletes a key and everything below it (what `[-KEY]` in a .reg file asks for).
    pub fn delete_tree(&mut self, key: KeyId) -> Result<(), RegistryError> {
        let index = self.live(key)?;
        let children: Vec<u32> = self.node(index).subkeys.iter().map(|&(_, c)| c).collect();
        for c in children {
            let id = self.id(c);
            self.delete_tree(id)?;
        }
        self.delete_key(key)
    }

    /// Sets a value (NtSetValueKey): a value of the same name (without case) is replaced
    /// where it stands.
    pub fn set_value(&mut self, key: KeyId, value: Value) -> Result<(), RegistryError> {
        let index = self.live(key)?;
        if wide_len(&value.name) > MAX_VALUE_NAME || value.data.len() > MAX_VALUE_DATA {
            return Err(RegistryError::InvalidParameter);
        }
        let now = (self.clock)();
        let n = self.node_mut(index);
        n.last_write = now;
        match n
            .values
            .iter_mut()
            .find(|v| same_name(&v.name, &value.name))
        {
            Some(v) => {
                v.kind = value.kind;
                v.data.clone_from(&value.data);
            }
            None => n.values.push(value.clone()),
        }
        self.journal(index, |p| Change::SetValue(p, value));
        self.notify(index, NOTIFY_CHANGE_LAST_SET);
        Ok(())
    }

    /// Deletes a value: [`RegistryError::NotFound`] when there is none of that name.
    pub fn delete_value(&mut self, key: KeyId, name: &str) -> Result<(), RegistryError> {
        let index = self.live(key)?;
        let now = (self.clock)();
        let n = self.node_mut(index);
        let at = n
            .values
            .iter()
            .position(|v| same_name(&v.name, name))
            .ok_or(RegistryError::NotFound)?;
        n.values.remove(at);
        n.last_write = now;
        self.journal(index, |p| Change::DeleteValue(p, name.to_string()));
        self.notify(index, NOTIFY_CHANGE_LAST_SET);
        Ok(())
    }

    /// The value `name` of a key.
    pub fn query_value(&self, key: KeyId, name: &str) -> Result<&Value, RegistryError> {
        let n = self.node(self.live(key)?);
        n.values
            .iter()
            .find(|v| same_name(&v.name, name))
            .ok_or(RegistryError::NotFound)
    }

    /// The `index`-th value of a key, in the order values were first set.
    pub fn enum_value(&self, key: KeyId, index: u32) -> Result<&Value, RegistryError> {
        let n = self.node(self.live(key)?);
        n.values
            .get(index as usize)
            .ok_or(RegistryError::NoMoreEntries)
    }

    /// The `index`-th subkey of a key, in NT's order (by upper-cased name).
    pub fn enum_key(&self, key: KeyId, index: u32) -> Result<SubkeyInfo, RegistryError> {
        let n = self.node(self.live(key)?);
        let &(_, child) = n
            .subkeys
            .get(index as usize)
            .ok_or(RegistryError::NoMoreEntries)?;
        let c = self.node(child);
        Ok(SubkeyInfo {
            name: c.name.clone(),
            class: c.class.clone(),
            last_write: c.last_write,
        })
    }

    /// What RegQueryInfoKey reports of a key.
    pub fn key_info(&self, key: KeyId) -> Result<KeyInfo, RegistryError> {
        let n = self.node(self.live(key)?);
        let mut info = KeyInfo {
            name: n.name.clone(),
            class: n.class.clone(),
            subkeys: n.subkeys.len() as u32,
            max_subkey_len: 0,
            max_class_len: 0,
            values: n.values.len() as u32,
            max_value_name_len: 0,
            max_value_len: 0,
            last_write: n.last_write,
            volatile: n.volatile,
        };
        for &(_, c) in &n.subkeys {
            let c = self.node(c);
            info.max_subkey_len = info.max_subkey_len.max(wide_len(&c.name) as u32);
            let class = c.class.as_deref().map_or(0, wide_len) as u32;
            info.max_class_len = info.max_class_len.max(class);
        }
        for v in &n.values {
            info.max_value_name_len = info.max_value_name_len.max(wide_len(&v.name) as u32);
            info.max_value_len = info.max_value_len.max(v.data.len() as u32);
        }
        Ok(info)
    }

    /// The security descriptor kept with a key (self-relative bytes), if one was given.
    pub fn security(&self, key: KeyId) -> Result<Option<&[u8]>, RegistryError> {
        Ok(self.node(self.live(key)?).security.as_deref())
    }

    /// Keeps a security descriptor with a key (in memory: .reg files have no place for it).
    pub fn set_security(&mut self, key: KeyId, descriptor: Vec<u8>) -> Result<(), RegistryError> {
        let index = self.live(key)?;
        self.node_mut(index).security = Some(descriptor);
        self.notify(index, NOTIFY_CHANGE_SECURITY);
        Ok(())
    }

    // ----- notifications -----

    /// Watches a key (RegNotifyChangeKeyValue): the next change of a kind in `filter` to the
    /// key (or, with `subtree`, below it) puts `token` in [`take_fired`](Self::take_fired),
    /// once.
    pub fn watch(
        &mut self,
        key: KeyId,
        subtree: bool,
        filter: u32,
        token: u64,
    ) -> Result<(), RegistryError> {
        self.live(key)?;
        self.watches.push(Watch {
            key,
            subtree,
            filter,
            token,
        });
        Ok(())
    }

    /// The tokens of the watches that fired since the last call.
    pub fn take_fired(&mut self) -> Vec<u64> {
        std::mem::take(&mut self.fired)
    }

    /// How many watches wait.
    pub fn watch_count(&self) -> usize {
        self.watches.len()
    }

    // ----- .reg files -----

    /// The sections of `index` and below, paths starting with `path`; volatile keys are
    /// left out unless `volatile`.
    fn sections<'a>(
        &'a self,
        index: u32,
        path: String,
        volatile: bool,
        out: &mut Vec<Section<'a>>,
    ) {
        let n = self.node(index);
        if n.volatile && !volatile {
            return;
        }
        out.push((path.clone(), &n.values));
        for &(_, c) in &n.subkeys {
            let child = self.node(c);
            self.sections(c, format!("{path}\\{}", child.name), volatile, out);
        }
    }

    /// The key and everything below it as a REGEDIT4 file, the key's path written as
    /// `name` (`HKEY_CURRENT_USER\Software`), volatile keys included.
    pub fn export(&self, key: KeyId, name: &str) -> Result<Vec<u8>, RegistryError> {
        let index = self.live(key)?;
        let mut sections = Vec::new();
        self.sections(index, name.to_string(), true, &mut sections);
        Ok(RegWriter::write(&sections))
    }

    /// Applies a .reg file: each `[KEY]` (a predefined root's name, or HKLM and the other
    /// abbreviations, and a path) is created with its values set or deleted; `[-KEY]`
    /// deletes the key and everything below it. Returns how many keys it touched. A key
    /// that cannot be made stops the import with its error (and the line).
    pub fn import(&mut self, bytes: &[u8]) -> Result<usize, ImportError> {
        let file = crate::regfile::parse(bytes).map_err(ImportError::Parse)?;
        let mut touched = 0;
        for section in &file.sections {
            let fail = |error: RegistryError| ImportError::Key {
                line: section.line,
                path: section.path.clone(),
                error,
            };
            let (root, rest) = match section.path.split_once('\\') {
                Some((r, rest)) => (r, rest),
                None => (section.path.as_str(), ""),
            };
            let root = RootKey::parse(root).ok_or_else(|| fail(RegistryError::NotFound))?;
            let base = self.root_key(root).map_err(fail)?;
            if section.delete {
                match self.open_key(base, rest, Processor::X86) {
                    Ok(k) => self.delete_tree(k).map_err(fail)?,
                    Err(RegistryError::NotFound) => {}
                    Err(e) => return Err(fail(e)),
                }
                touched += 1;
                continue;
            }
            let options = CreateOptions {
                intermediate: true,
                ..CreateOptions::default()
            };
            let (key, _) = self
                .create_key(base, rest, Processor::X86, &options)
                .map_err(fail)?;
            for v in &section.values {
                match v {
                    RegValue::Set(value) => self.set_value(key, value.clone()).map_err(fail)?,
                    RegValue::Delete(name) => match self.delete_value(key, name) {
                        Ok(()) | Err(RegistryError::NotFound) => {}
                        Err(e) => return Err(fail(e)),
                    },
                }
            }
            touched += 1;
        }
        Ok(touched)
    }

    // ----- hives of files (RegLoadKey / RegUnLoadKey) -----

    /// Mounts the hive in `file` as `name` under `parent` (HKEY_LOCAL_MACHINE or
    /// HKEY_USERS only: [`RegistryError::InvalidParameter`] elsewhere); its changes are
    /// written back to the file. A name in use is [`RegistryError::AlreadyExists`]; a file
    /// that cannot be read or parsed fails the load.
    pub fn load_hive(
        &mut self,
        parent: KeyId,
        name: &str,
        file: HiveFile,
    ) -> Result<KeyId, RegistryError> {
        let p = self.live(parent)?;
        if p != self.machine && p != self.users {
            return Err(RegistryError::InvalidParameter);
        }
        let parts = split_path(name)?;
        if parts.len() != 1 {
            return Err(RegistryError::InvalidParameter);
        }
        if self.child_of(p, name).is_ok() {
            return Err(RegistryError::AlreadyExists);
        }
        let (bytes, stamp) = file
            .read()
            .map_err(|e| RegistryError::Io(e.to_string()))?
            .ok_or(RegistryError::NotFound)?;
        let tree = parse_saved(&bytes).map_err(RegistryError::Corrupt)?;
        let root_name = if p == self.machine {
            "HKEY_LOCAL_MACHINE"
        } else {
            "HKEY_USERS"
        };
        let hive = self.hives.len();
        self.hives.push(None);
        let root = self.graft(Some(p), hive, &tree, name, false, true);
        self.hives[hive] = Some(Hive {
            root,
            file_path: format!("{root_name}\\{name}"),
            file: Some(file),
            writable: true,
            journal: Vec::new(),
            dirty_since: None,
            stamp: Some(stamp),
            last_look: Some(Instant::now()),
            loaded: true,
        });
        self.notify(p, NOTIFY_CHANGE_NAME);
        Ok(self.id(root))
    }

    /// Writes and unmounts a hive [`load_hive`](Self::load_hive) mounted: `key` must be its
    /// root ([`RegistryError::InvalidParameter`] otherwise). Its keys are deleted for open
    /// handles.
    pub fn unload_hive(&mut self, key: KeyId) -> Result<(), RegistryError> {
        let index = self.live(key)?;
        let hive = self.node(index).hive;
        if !self.hive(hive).is_some_and(|h| h.loaded && h.root == index) {
            return Err(RegistryError::InvalidParameter);
        }
        self.flush_hive(hive)?;
        let parent = self.node(index).parent;
        self.remove_subtree(index);
        self.hives[hive] = None;
        if let Some(p) = parent {
            self.notify(p, NOTIFY_CHANGE_NAME);
        }
        Ok(())
    }

    /// The key and everything below it as RegSaveKey writes it: a REGEDIT4 file whose first
    /// key is the saved key (its paths are the key's own), read back by
    /// [`load_hive`](Self::load_hive) under any name.
    pub fn save_key(&self, key: KeyId) -> Result<Vec<u8>, RegistryError> {
        let index = self.live(key)?;
        let mut name = self.key_path(key)?;
        // \REGISTRY\MACHINE\X -> HKEY_LOCAL_MACHINE\X, \REGISTRY\USER\X -> HKEY_USERS\X.
        for (nt, win) in [
            ("\\REGISTRY\\MACHINE", "HKEY_LOCAL_MACHINE"),
            ("\\REGISTRY\\USER", "HKEY_USERS"),
        ] {
            if let Some(rest) = name.strip_prefix(nt) {
                name = format!("{win}{rest}");
                break;
            }
        }
        let mut sections = Vec::new();
        self.sections(index, name, false, &mut sections);
        Ok(RegWriter::write(&sections))
    }

    // ----- persistence -----

    /// Writes the hive holding `key` now (RegFlushKey), merged with what other machines
    /// wrote to its file meanwhile.
    pub fn flush(&mut self, key: KeyId) -> Result<(), RegistryError> {
        let index = self.live(key)?;
        let hive = self.node(index).hive;
        self.flush_hive(hive)
    }

    /// Writes every hive with unsaved changes (at exit); failures are reported in the
    /// messages.
    pub fn flush_all(&mut self) {
        for hive in 0..self.hives.len() {
            if let Err(e) = self.flush_hive(hive) {
                self.report_flush_failure(hive, &e);
            }
        }
    }

    /// True when some hive has changes not yet written.
    pub fn is_dirty(&self) -> bool {
        self.hives.iter().flatten().any(|h| h.dirty_since.is_some())
    }

    /// When the next write is due (the earliest unsaved change plus [`FLUSH_DELAY`]).
    pub fn next_flush_due(&self) -> Option<Instant> {
        self.hives
            .iter()
            .flatten()
            .filter_map(|h| h.dirty_since)
            .min()
            .map(|t| t + FLUSH_DELAY)
    }

    /// What the machine does between quanta: writes each hive whose first unsaved change is
    /// [`FLUSH_DELAY`] old, or any unsaved hive when the machine is about to sit idle past
    /// that moment (`idle`: how long it will; `Some(Duration::MAX)` when indefinitely), and
    /// at most every [`REFRESH_INTERVAL`] takes in other machines' writes to the files of
    /// hives it has not changed. Failures go to the messages.
    pub fn housekeeping(&mut self, now: Instant, idle: Option<Duration>) {
        for hive in 0..self.hives.len() {
            let Some(h) = self.hive(hive) else { continue };
            if h.file.is_none() || !h.writable {
                continue;
            }
            if let Some(since) = h.dirty_since {
                let due = since + FLUSH_DELAY;
                let due_now = now >= due
                    || h.journal.len() >= JOURNAL_LIMIT
                    || idle.is_some_and(|d| now.checked_add(d).is_none_or(|end| end >= due));
                if due_now && let Err(e) = self.flush_hive(hive) {
                    self.report_flush_failure(hive, &e);
                }
                continue;
            }
            if h.last_look
                .is_none_or(|t| now.duration_since(t) >= REFRESH_INTERVAL)
            {
                if let Some(h) = self.hive_mut(hive) {
                    h.last_look = Some(now);
                }
                if let Err(e) = self.refresh_hive(hive) {
                    self.messages
                        .push(format!("registry: {}: {e}", self.hive_display(hive)));
                }
            }
        }
    }

    fn hive_display(&self, hive: usize) -> String {
        self.hive(hive)
            .and_then(|h| h.file.as_ref().map(HiveFile::display))
            .unwrap_or_default()
    }

    fn report_flush_failure(&mut self, hive: usize, e: &RegistryError) {
        let name = self.hive_display(hive);
        self.messages.push(format!(
            "registry: {name}: cannot be written ({e}); its changes are kept in memory"
        ));
        // Not again for these changes: they stay in memory, and the next change retries.
        if let Some(h) = self.hive_mut(hive) {
            h.dirty_since = None;
        }
    }

    /// Takes in another machine's write of a hive this machine has not changed.
    fn refresh_hive(&mut self, hive: usize) -> Result<(), RegistryError> {
        let Some(h) = self.hive(hive) else {
            return Ok(());
        };
        let Some(file) = h.file.clone() else {
            return Ok(());
        };
        let stamp = file.stamp().map_err(|e| RegistryError::Io(e.to_string()))?;
        if stamp == h.stamp || stamp.is_none() {
            return Ok(());
        }
        let Some((bytes, stamp)) = file.read().map_err(|e| RegistryError::Io(e.to_string()))?
        else {
            return Ok(());
        };
        let file_path = h.file_path.clone();
        let root = h.root;
        match parse_hive(&bytes, &file_path) {
            Ok(tree) => {
                self.reconcile(root, &tree);
                if let Some(h) = self.hive_mut(hive) {
                    h.stamp = Some(stamp);
                }
                Ok(())
            }
            Err(e) => {
                // Set aside at the next write, which this machine's state then wins.
                if let Some(h) = self.hive_mut(hive) {
                    h.stamp = Some(stamp);
                }
                Err(RegistryError::Corrupt(e))
            }
        }
    }

    /// Writes a hive to its file, under the file's lock: when another machine wrote the
    /// file since this one last read or wrote it, its content is taken, this machine's
    /// changes since then are replayed onto it (a later change of the same value wins),
    /// the live keys become the result, and that is written.
    fn flush_hive(&mut self, hive: usize) -> Result<(), RegistryError> {
        let Some(h) = self.hive(hive) else {
            return Ok(());
        };
        if h.dirty_since.is_none() {
            return Ok(());
        }
        let (Some(file), true) = (h.file.clone(), h.writable) else {
            if let Some(h) = self.hive_mut(hive) {
                h.journal.clear();
                h.dirty_since = None;
            }
            return Ok(());
        };
        let io = |e: std::io::Error| RegistryError::Io(e.to_string());
        let lock = file.lock().map_err(io)?;
        let on_disk = file.stamp().map_err(io)?;
        let (root, file_path, known) = (h.root, h.file_path.clone(), h.stamp);
        if on_disk.is_some()
            && on_disk != known
            && let Some((bytes, _)) = file.read().map_err(io)?
        {
            match parse_hive(&bytes, &file_path) {
                Ok(mut tree) => {
                    let journal = self
                        .hive(hive)
                        .map(|h| h.journal.clone())
                        .unwrap_or_default();
                    for change in &journal {
                        apply_change(&mut tree, change);
                    }
                    self.reconcile(root, &tree);
                }
                Err(e) => {
                    let aside = file.keep_aside().map_err(io)?;
                    self.messages.push(format!(
                        "registry: {}: {e}; set aside as {aside}, this machine's hive written in its place",
                        file.display()
                    ));
                }
            }
        }
        let mut sections = Vec::new();
        self.sections(root, file_path, false, &mut sections);
        let bytes = RegWriter::write(&sections);
        file.remove_temporaries();
        let stamp = file.write_atomically(&bytes).map_err(io)?;
        drop(lock);
        if let Some(h) = self.hive_mut(hive) {
            h.stamp = Some(stamp);
            h.journal.clear();
            h.dirty_since = None;
            h.last_look = Some(Instant::now());
        }
        Ok(())
    }

    /// Makes the persistent keys below `index` what `target` holds, keeping the identity of
    /// every key that stays (open handles go on working) and volatile keys as they are;
    /// watchers are told of what changed.
    fn reconcile(&mut self, index: u32, target: &KeyTree) {
        if self.node(index).values != target.values {
            let now = (self.clock)();
            let n = self.node_mut(index);
            n.values.clone_from(&target.values);
            n.last_write = now;
            self.notify(index, NOTIFY_CHANGE_LAST_SET);
        }
        let existing: Vec<(String, u32)> = self.node(index).subkeys.clone();
        for (upper, child) in &existing {
            let volatile = self.node(*child).volatile;
            let wanted = target
                .subkeys
                .binary_search_by(|(k, _)| k.as_str().cmp(upper))
                .is_ok();
            if !volatile && !wanted {
                self.notify(*child, NOTIFY_CHANGE_NAME | NOTIFY_CHANGE_LAST_SET);
                self.remove_subtree(*child);
                self.notify(index, NOTIFY_CHANGE_NAME);
            }
        }
        let hive = self.node(index).hive;
        for (upper, sub) in &target.subkeys {
            let found = {
                let n = self.node(index);
                n.subkeys
                    .binary_search_by(|(k, _)| k.as_str().cmp(upper))
                    .ok()
                    .map(|i| n.subkeys[i].1)
            };
            match found {
                Some(child) if self.node(child).volatile => {}
                Some(child) => self.reconcile(child, sub),
                None => {
                    self.graft(Some(index), hive, sub, &sub.name, false, true);
                    self.notify(index, NOTIFY_CHANGE_NAME);
                }
            }
        }
    }
}

/// Why an import failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The file is not a .reg file.
    #[error("{0}")]
    Parse(crate::regfile::ParseError),
    /// A key could not be made or changed.
    #[error("line {line}: {path}: {error}")]
    Key {
        /// The line of its `[key]`.
        line: usize,
        /// Its path as written.
        path: String,
        /// What went wrong.
        error: RegistryError,
    },
}

/// Splits an absolute NT path into its first component and the rest.
fn absolute_split(path: &str) -> Result<(&str, &str), RegistryError> {
    let Some(rest) = path.strip_prefix('\\') else {
        return Err(RegistryError::PathSyntaxBad);
    };
    Ok(match rest.split_once('\\') {
        Some((first, rest)) => (first, rest),
        None => (rest, ""),
    })
}

fn apply_change(tree: &mut KeyTree, change: &Change) {
    match change {
        Change::CreateKey(p) => {
            tree.find_or_create(p);
        }
        Change::DeleteKey(p) => {
            tree.remove(p);
        }
        Change::SetValue(p, v) => tree.find_or_create(p).set_value(v.clone()),
        Change::DeleteValue(p, n) => {
            if let Some(k) = find_mut(tree, p) {
                k.delete_value(n);
            }
        }
    }
}

fn find_mut<'a>(tree: &'a mut KeyTree, path: &[String]) -> Option<&'a mut KeyTree> {
    let mut at = tree;
    for c in path {
        let key = upcase(c);
        let i = at
            .subkeys
            .binary_search_by(|(k, _)| k.as_str().cmp(&key))
            .ok()?;
        at = &mut at.subkeys[i].1;
    }
    Some(at)
}

/// The components of `path` below `root` when it lies there (without regard to case).
fn below<'p>(path: &'p str, root: &str) -> Option<Vec<&'p str>> {
    let head = path.get(..root.len())?;
    if !same_name(head, root) {
        return None;
    }
    let rest = &path[root.len()..];
    if rest.is_empty() {
        return Some(Vec::new());
    }
    let rest = rest.strip_prefix('\\')?;
    Some(rest.split('\\').filter(|c| !c.is_empty()).collect())
}

fn build_tree(file: &RegFile, root: &str) -> Result<KeyTree, String> {
    let mut tree = KeyTree::new(root.rsplit('\\').next().unwrap_or(root));
    for section in &file.sections {
        let Some(parts) = below(&section.path, root) else {
            return Err(format!(
                "line {}: the key {} is not in this hive ({root})",
                section.line, section.path
            ));
        };
        apply_section(&mut tree, &parts, section);
    }
    Ok(tree)
}

fn apply_section(tree: &mut KeyTree, parts: &[&str], section: &RegSection) {
    let path: Vec<String> = parts.iter().map(|s| s.to_string()).collect();
    if section.delete {
        tree.remove(&path);
        return;
    }
    let key = tree.find_or_create(&path);
    for v in &section.values {
        match v {
            RegValue::Set(value) => key.set_value(value.clone()),
            RegValue::Delete(name) => {
                key.delete_value(name);
            }
        }
    }
}

/// A hive file's tree: every key must lie under `root` (`HKEY_LOCAL_MACHINE\SOFTWARE`).
pub(crate) fn parse_hive(bytes: &[u8], root: &str) -> Result<KeyTree, String> {
    let file = crate::regfile::parse(bytes).map_err(|e| e.to_string())?;
    build_tree(&file, root)
}

/// A tree of default contents (they always parse; the tests see to it).
fn tree_of(text: &str, root: &str) -> Option<KeyTree> {
    parse_hive(text.as_bytes(), root).ok()
}

/// A file RegSaveKey wrote: its first key is the saved key, whatever its path.
fn parse_saved(bytes: &[u8]) -> Result<KeyTree, String> {
    let file = crate::regfile::parse(bytes).map_err(|e| e.to_string())?;
    let Some(first) = file.sections.first() else {
        return Err("the file holds no key".into());
    };
    let root = first.path.clone();
    build_tree(&file, &root)
}
