//! The processes an NT 4.0 machine runs before any program starts: the Idle process, the
//! System process and the session manager's tree (smss, csrss, winlogon, services, lsass).
//!
//! ntemu runs none of them: it is the executive and the subsystems itself. They are listed
//! where NT 4.0 lists them (SystemProcessInformation, Tool Help snapshots), so a program
//! looking for them finds them, and they are refused where NT 4.0 refuses a program without
//! SeDebugPrivilege: OpenProcess and OpenThread on them fail with STATUS_ACCESS_DENIED, as
//! their security descriptors grant only LocalSystem. The Idle process's id 0 is not a
//! client id at all, so opening it fails with STATUS_INVALID_PARAMETER like any unknown id.
//!
//! Their ids are NT 4.0's shape (System is 2 on NT 4.0) and are all 2 modulo 4, so they
//! never meet a client id the machine gives (multiples of 4, [`ClientIdTable`]).
//!
//! [`ClientIdTable`]: crate::ClientIdTable

/// One of the system's own processes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SystemProcess {
    /// The process id.
    pub id: u32,
    /// The id of its one listed thread.
    pub thread: u32,
    /// The image's file name ("" for the Idle process, whose name NT leaves empty).
    pub image: &'static str,
    /// The id of the process that started it (0 for the first two).
    pub parent: u32,
    /// The base priority of its class.
    pub base_priority: i32,
}

/// NT 4.0's system processes, in the order NT lists them (creation order).
pub const SYSTEM_PROCESSES: &[SystemProcess] = &[
    SystemProcess {
        id: 0,
        thread: 0,
        image: "",
        parent: 0,
        base_priority: 0,
    },
    SystemProcess {
        id: 2,
        thread: 6,
        image: "System",
        parent: 0,
        base_priority: 8,
    },
    SystemProcess {
        id: 18,
        thread: 22,
        image: "smss.exe",
        parent: 2,
        base_priority: 11,
    },
    SystemProcess {
        id: 26,
        thread: 30,
        image: "csrss.exe",
        parent: 18,
        base_priority: 13,
    },
    SystemProcess {
        id: 34,
        thread: 38,
        image: "winlogon.exe",
        parent: 18,
        base_priority: 13,
    },
    SystemProcess {
        id: 42,
        thread: 46,
        image: "services.exe",
        parent: 34,
        base_priority: 9,
    },
    SystemProcess {
        id: 50,
        thread: 54,
        image: "lsass.exe",
        parent: 34,
        base_priority: 9,
    },
];

/// The system process with id `id`, if any (the Idle process's 0 included).
pub fn system_process(id: u32) -> Option<&'static SystemProcess> {
    SYSTEM_PROCESSES.iter().find(|p| p.id == id)
}

/// True when `id` names a system process (`thread` false) or a system process's thread
/// (`thread` true) that a program may not open: every one but the Idle process's 0.
pub fn is_protected_system_id(id: u32, thread: bool) -> bool {
    id != 0
        && SYSTEM_PROCESSES
            .iter()
            .any(|p| if thread { p.thread == id } else { p.id == id })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_never_client_table_ids() {
        let mut ids: Vec<u32> = SYSTEM_PROCESSES
            .iter()
            .flat_map(|p| [p.id, p.thread])
            .filter(|&id| id != 0)
            .collect();
        assert!(ids.iter().all(|id| id % 4 == 2));
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n);
        assert!(is_protected_system_id(42, false));
        assert!(!is_protected_system_id(42, true));
        assert!(is_protected_system_id(46, true));
        assert!(!is_protected_system_id(0, false));
        assert!(!is_protected_system_id(4, false));
        assert_eq!(system_process(42).map(|p| p.image), Some("services.exe"));
    }

    #[test]
    fn parents_are_listed_before_their_children() {
        for (i, p) in SYSTEM_PROCESSES.iter().enumerate() {
            if p.parent != 0 {
                assert!(SYSTEM_PROCESSES[..i].iter().any(|q| q.id == p.parent));
            }
        }
    }
}
