//! Fault injection and compatibility quirks.
//!
//! Every step of a multi-step executive operation has a named [`FaultPoint`]. Arming one
//! makes that step fail as if its resource were exhausted, so tests (and `ntemu run --fault`)
//! can drive every failure path and check that the operation undoes all earlier steps.

use nt_status::NtStatus;

/// A named step of a multi-step operation at which a failure can be injected.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum FaultPoint {
    /// CreateRemoteThread step 1: referencing the target process by handle.
    RemoteThreadAccess,
    /// Step 2: reserving and committing the stack in the target.
    RemoteThreadStack,
    /// Step 3: allocating and filling the TEB.
    RemoteThreadTeb,
    /// Step 4: creating the thread object and its client id.
    RemoteThreadObject,
    /// Step 5: inserting the thread handle in the caller's table.
    RemoteThreadHandle,
    /// Step 6: registering the thread with the Win32 subsystem (the step that failed late in
    /// KB Q246691).
    RemoteThreadSubsystem,
    /// Step 7: resuming the thread.
    RemoteThreadResume,
    /// LoadLibrary step 1: finding the DLL's file in the search path.
    LoadSearch,
    /// Step 2: the image section (the file's handle and a Section handle).
    LoadSection,
    /// Step 3: mapping the view and copying the image into it.
    LoadMap,
    /// Step 4: applying base relocations.
    LoadRelocate,
    /// Step 5: binding the imports (loading the DLLs they name).
    LoadImports,
    /// Step 6: setting up static TLS.
    LoadTls,
    /// Step 7: running the initialization routine (DllMain's PROCESS_ATTACH).
    LoadInit,
}

impl FaultPoint {
    /// Every fault point, in step order.
    pub const ALL: [FaultPoint; 14] = [
        FaultPoint::RemoteThreadAccess,
        FaultPoint::RemoteThreadStack,
        FaultPoint::RemoteThreadTeb,
        FaultPoint::RemoteThreadObject,
        FaultPoint::RemoteThreadHandle,
        FaultPoint::RemoteThreadSubsystem,
        FaultPoint::RemoteThreadResume,
        FaultPoint::LoadSearch,
        FaultPoint::LoadSection,
        FaultPoint::LoadMap,
        FaultPoint::LoadRelocate,
        FaultPoint::LoadImports,
        FaultPoint::LoadTls,
        FaultPoint::LoadInit,
    ];

    /// The points of CreateRemoteThread's transaction, in step order.
    pub const REMOTE_THREAD: [FaultPoint; 7] = [
        FaultPoint::RemoteThreadAccess,
        FaultPoint::RemoteThreadStack,
        FaultPoint::RemoteThreadTeb,
        FaultPoint::RemoteThreadObject,
        FaultPoint::RemoteThreadHandle,
        FaultPoint::RemoteThreadSubsystem,
        FaultPoint::RemoteThreadResume,
    ];

    /// The point's name, `OPERATION:step`.
    pub fn name(self) -> &'static str {
        match self {
            FaultPoint::RemoteThreadAccess => "CreateRemoteThread:access",
            FaultPoint::RemoteThreadStack => "CreateRemoteThread:stack",
            FaultPoint::RemoteThreadTeb => "CreateRemoteThread:teb",
            FaultPoint::RemoteThreadObject => "CreateRemoteThread:thread",
            FaultPoint::RemoteThreadHandle => "CreateRemoteThread:handle",
            FaultPoint::RemoteThreadSubsystem => "CreateRemoteThread:subsystem",
            FaultPoint::RemoteThreadResume => "CreateRemoteThread:resume",
            FaultPoint::LoadSearch => "LoadLibrary:search",
            FaultPoint::LoadSection => "LoadLibrary:section",
            FaultPoint::LoadMap => "LoadLibrary:map",
            FaultPoint::LoadRelocate => "LoadLibrary:relocate",
            FaultPoint::LoadImports => "LoadLibrary:imports",
            FaultPoint::LoadTls => "LoadLibrary:tls",
            FaultPoint::LoadInit => "LoadLibrary:init",
        }
    }

    /// The status an injected failure at this point reports: what NT returns when that
    /// step's resource runs out.
    pub fn status(self) -> NtStatus {
        match self {
            FaultPoint::RemoteThreadAccess => NtStatus::ACCESS_DENIED,
            FaultPoint::RemoteThreadStack | FaultPoint::RemoteThreadTeb => NtStatus::NO_MEMORY,
            FaultPoint::RemoteThreadObject | FaultPoint::RemoteThreadHandle => {
                NtStatus::INSUFFICIENT_RESOURCES
            }
            // CsrClientCallServer failing to allocate its capture buffer or message.
            FaultPoint::RemoteThreadSubsystem => NtStatus::NO_MEMORY,
            FaultPoint::RemoteThreadResume => NtStatus::SUSPEND_COUNT_EXCEEDED,
            // The file is not on the search path.
            FaultPoint::LoadSearch => NtStatus::DLL_NOT_FOUND,
            // NtCreateSection out of section objects or handles.
            FaultPoint::LoadSection => NtStatus::INSUFFICIENT_RESOURCES,
            // NtMapViewOfSection out of address space or commit.
            FaultPoint::LoadMap | FaultPoint::LoadTls => NtStatus::NO_MEMORY,
            // The image cannot go where the view is.
            FaultPoint::LoadRelocate => NtStatus::CONFLICTING_ADDRESSES,
            // An import names something its DLL does not export.
            FaultPoint::LoadImports => NtStatus::ENTRYPOINT_NOT_FOUND,
            // The initialization routine returned FALSE.
            FaultPoint::LoadInit => NtStatus::DLL_INIT_FAILED,
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// Parses `OPERATION:step[:N]`: the point, and the call to fail on (None: every call).
    pub fn parse_spec(spec: &str) -> Result<(FaultPoint, FaultTrigger), crate::KernelError> {
        let mut parts = spec.rsplitn(2, ':');
        let last = parts.next().unwrap_or_default();
        let (name, trigger) = match (last.parse::<u64>(), parts.next()) {
            (Ok(0), Some(_)) => return Err(crate::KernelError::FaultCallZero(spec.to_string())),
            (Ok(n), Some(rest)) => (rest, FaultTrigger::OnCall(n)),
            _ => (spec, FaultTrigger::Always),
        };
        FaultPoint::ALL
            .iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
            .map(|&p| (p, trigger))
            .ok_or_else(|| crate::KernelError::UnknownFaultPoint(name.to_string()))
    }

    /// Every point's name, as `--fault` takes it.
    pub fn names() -> Vec<&'static str> {
        FaultPoint::ALL.iter().map(|p| p.name()).collect()
    }
}

/// When an armed fault point fires.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FaultTrigger {
    /// On every call that reaches the point.
    Always,
    /// Only on the n-th call that reaches the point (counting from 1 since arming).
    OnCall(u64),
}

/// The armed fault points of a machine and how often each was reached.
#[derive(Clone, Debug, Default)]
pub struct FaultRegistry {
    armed: [Option<FaultTrigger>; FaultPoint::ALL.len()],
    reached: [u64; FaultPoint::ALL.len()],
    fired: [u64; FaultPoint::ALL.len()],
}

impl FaultRegistry {
    /// Arms `point`; its reach counter restarts.
    pub fn arm(&mut self, point: FaultPoint, trigger: FaultTrigger) {
        self.armed[point.index()] = Some(trigger);
        self.reached[point.index()] = 0;
    }

    /// Disarms `point`.
    pub fn disarm(&mut self, point: FaultPoint) {
        self.armed[point.index()] = None;
    }

    /// Disarms every point.
    pub fn disarm_all(&mut self) {
        self.armed = Default::default();
    }

    /// Records that `point` was reached; true when the injected failure fires now.
    pub fn reach(&mut self, point: FaultPoint) -> bool {
        let i = point.index();
        self.reached[i] += 1;
        let fire = match self.armed[i] {
            None => false,
            Some(FaultTrigger::Always) => true,
            Some(FaultTrigger::OnCall(n)) => self.reached[i] == n,
        };
        if fire {
            self.fired[i] += 1;
        }
        fire
    }

    /// How many times an injected failure fired at `point`.
    pub fn fired(&self, point: FaultPoint) -> u64 {
        self.fired[point.index()]
    }
}

/// Compatibility quirks: reproductions of real NT defects, off by default.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Quirks {
    /// NT 4.0's CreateRemoteThread defect (KB Q246691): when registering the new thread with
    /// the subsystem fails, the thread is terminated but its handle is never closed, so the
    /// caller's handle count rises by one per failed call.
    pub nt4_remote_thread_leak: bool,
}

impl Quirks {
    /// The quirk names `ntemu run --quirk` accepts.
    pub const NAMES: [&'static str; 1] = ["nt4-remote-thread-leak"];

    /// Turns on the quirk named `name`.
    pub fn enable(&mut self, name: &str) -> Result<(), crate::KernelError> {
        match name {
            "nt4-remote-thread-leak" => {
                self.nt4_remote_thread_leak = true;
                Ok(())
            }
            _ => Err(crate::KernelError::UnknownQuirk(name.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_with_and_without_a_call_number() {
        assert_eq!(
            FaultPoint::parse_spec("CreateRemoteThread:subsystem"),
            Ok((FaultPoint::RemoteThreadSubsystem, FaultTrigger::Always))
        );
        assert_eq!(
            FaultPoint::parse_spec("CreateRemoteThread:stack:3"),
            Ok((FaultPoint::RemoteThreadStack, FaultTrigger::OnCall(3)))
        );
        assert!(FaultPoint::parse_spec("CreateRemoteThread:stack:0").is_err());
        assert!(FaultPoint::parse_spec("Nope:stack").is_err());
    }

    #[test]
    fn on_call_fires_once_on_that_call() {
        let mut r = FaultRegistry::default();
        r.arm(FaultPoint::RemoteThreadTeb, FaultTrigger::OnCall(2));
        let fired: Vec<bool> = (0..4)
            .map(|_| r.reach(FaultPoint::RemoteThreadTeb))
            .collect();
        assert_eq!(fired, vec![false, true, false, false]);
        assert_eq!(r.fired(FaultPoint::RemoteThreadTeb), 1);
        assert!(!r.reach(FaultPoint::RemoteThreadStack));
    }

    #[test]
    fn names_are_unique_and_round_trip() {
        for p in FaultPoint::ALL {
            assert_eq!(
                FaultPoint::parse_spec(p.name()),
                Ok((p, FaultTrigger::Always))
            );
        }
    }
}
