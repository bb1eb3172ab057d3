//! Trace channels chosen with Wine's `WINEDEBUG` syntax: a comma-separated list of
//! `+channel`, `-channel`, `channel` (on) and `class+channel` / `class-channel` (the class,
//! `err`, `warn`, `fixme` or `trace`, is accepted and ignored: every ntemu channel is a
//! trace), with `all` for every channel. The channels are `relay` (every builtin call, as
//! Wine's relay trace; `api` is its old name), `loader` (also `module`, `loaddll`),
//! `exceptions` (also `seh`), `scheduler` (also `thread`, `process`) and `debugstr` (also
//! `outputdebugstring`: the guests' OutputDebugString text). `-NAME` for any
//! other name leaves functions out of the relay trace: a DLL module's trace channel such as
//! `heap` or `file`, a DLL (`KERNEL32`), or a function (`KERNEL32.HeapAlloc`).
//!
//! `WINEDEBUG=+relay,-heap`, `NTEMU_DEBUG` (same syntax) and `ntemu run --trace` all end up
//! here; items are applied left to right, so `+all,-relay` is everything but the relay.

use win32::relay::RelayChannels;

use crate::{DiagnosticOptions, RunError, RunOptions};

/// The trace channels a list turns on, and what it leaves out of the relay trace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DebugChannels {
    /// `relay`.
    pub relay: bool,
    /// Relay exclusions (`-heap`, `-KERNEL32.HeapAlloc`).
    pub relay_excluded: Vec<String>,
    /// `loader`.
    pub loader: bool,
    /// `exceptions`.
    pub exceptions: bool,
    /// `scheduler`.
    pub scheduler: bool,
    /// `debugstr`.
    pub debug_strings: bool,
}

/// A core channel.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Channel {
    Relay,
    Loader,
    Exceptions,
    Scheduler,
    DebugStrings,
    All,
}

fn channel(name: &str) -> Option<Channel> {
    Some(match name.to_ascii_lowercase().as_str() {
        "relay" | "api" => Channel::Relay,
        "loader" | "module" | "loaddll" => Channel::Loader,
        "exceptions" | "seh" => Channel::Exceptions,
        "scheduler" | "thread" | "process" => Channel::Scheduler,
        "debugstr" | "outputdebugstring" => Channel::DebugStrings,
        "all" => Channel::All,
        _ => return None,
    })
}

impl DebugChannels {
    /// Reads a list strictly: turning on a channel ntemu does not have is an error (for
    /// `--trace`).
    pub fn parse(spec: &str) -> Result<Self, RunError> {
        let mut channels = DebugChannels::default();
        channels.apply_spec(spec, true)?;
        Ok(channels)
    }

    /// Reads a list as Wine reads `WINEDEBUG`: unknown channels and malformed items are
    /// ignored.
    pub fn parse_lenient(spec: &str) -> Self {
        let mut channels = DebugChannels::default();
        let _ = channels.apply_spec(spec, false);
        channels
    }

    /// Applies the items of `spec` on top of these channels.
    pub fn apply_spec(&mut self, spec: &str, strict: bool) -> Result<(), RunError> {
        for item in spec.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (on, name) = match item.find(['+', '-']) {
                Some(at) => {
                    let class = &item[..at];
                    if !class.is_empty() && !matches!(class, "err" | "warn" | "fixme" | "trace") {
                        if strict {
                            return Err(RunError::MalformedTraceItem(item.to_string()));
                        }
                        continue;
                    }
                    (item.as_bytes()[at] == b'+', &item[at + 1..])
                }
                None => (true, item),
            };
            if name.is_empty() {
                if strict {
                    return Err(RunError::MalformedTraceItem(item.to_string()));
                }
                continue;
            }
            match channel(name) {
                Some(c) => self.set(c, on),
                None if !on => self.relay_excluded.push(name.to_string()),
                None if strict => return Err(RunError::UnknownTraceChannel(name.to_string())),
                None => {}
            }
        }
        Ok(())
    }

    fn set(&mut self, c: Channel, on: bool) {
        match c {
            Channel::Relay => self.relay = on,
            Channel::Loader => self.loader = on,
            Channel::Exceptions => self.exceptions = on,
            Channel::Scheduler => self.scheduler = on,
            Channel::DebugStrings => self.debug_strings = on,
            Channel::All => {
                self.relay = on;
                self.loader = on;
                self.exceptions = on;
                self.scheduler = on;
                self.debug_strings = on;
            }
        }
    }

    /// Turns the chosen channels on in `options` (never off: channels other sources
    /// turned on stay on).
    pub fn apply(&self, options: &mut RunOptions) {
        if self.relay {
            let relay = options.relay.get_or_insert_with(RelayChannels::all);
            relay.excluded.extend(self.relay_excluded.iter().cloned());
        }
        let d: &mut DiagnosticOptions = &mut options.diagnostics;
        d.trace_loader |= self.loader;
        d.trace_exceptions |= self.exceptions;
        d.trace_scheduler |= self.scheduler;
        d.trace_debug_strings |= self.debug_strings;
    }

    /// The channels `WINEDEBUG` and then `NTEMU_DEBUG` choose (unset: none).
    pub fn from_environment() -> Self {
        let mut channels = DebugChannels::default();
        for var in ["WINEDEBUG", "NTEMU_DEBUG"] {
            if let Ok(spec) = std::env::var(var) {
                let _ = channels.apply_spec(&spec, false);
            }
        }
        channels
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wine_syntax() {
        let c = DebugChannels::parse("+relay,-heap,warn+loader,seh").unwrap();
        assert!(c.relay && c.loader && c.exceptions && !c.scheduler);
        assert_eq!(c.relay_excluded, ["heap"]);
        let c = DebugChannels::parse("+all,-relay").unwrap();
        assert!(!c.relay && c.loader && c.exceptions && c.scheduler && c.debug_strings);
        let c = DebugChannels::parse("+debugstr").unwrap();
        assert!(c.debug_strings && !c.relay);
        assert!(
            DebugChannels::parse("outputdebugstring")
                .unwrap()
                .debug_strings
        );
        assert!(matches!(
            DebugChannels::parse("+nosuch"),
            Err(RunError::UnknownTraceChannel(name)) if name == "nosuch"
        ));
        assert!(DebugChannels::parse_lenient("+nosuch,+relay").relay);
        assert!(DebugChannels::parse("bogus+relay").is_err());
        assert!(!DebugChannels::parse_lenient("bogus+relay").relay);
    }

    #[test]
    fn exclusions_reach_the_relay_options() {
        let mut options = RunOptions::default();
        DebugChannels::parse("relay,-KERNEL32.HeapAlloc")
            .unwrap()
            .apply(&mut options);
        assert_eq!(
            options.relay.map(|r| r.excluded),
            Some(vec!["KERNEL32.HeapAlloc".to_string()])
        );
    }
}
